/*
 * The MCP server on the Unix socket: one thread owns the listening fd and
 * every client fd, frames newline-delimited JSON-RPC, and hands tool calls
 * to the worker pool; completions come back on a job queue it polls.
 */
#ifndef RT_MCP_SERVER_H
#define RT_MCP_SERVER_H

#include <stddef.h>

struct registry;
struct job_pool;
struct mcp_server;

struct mcp_limits {
	size_t max_message;	/* bytes per line; default 4 MiB */
	int max_clients;	/* default 64 */
	int max_inflight;	/* calls in flight per client; default 32 */
	int rate_per_s;		/* calls per second per client; default 1000 */
	size_t out_high;	/* stop reading a client above this; 1 MiB */
	size_t out_hard;	/* drop a client above this; 16 MiB */
};

/* Fills the defaults. */
void mcp_limits_default(struct mcp_limits *);

/*
 * Starts the server thread on an fd made by sockpath_listen (the server
 * takes ownership and unlinks path on stop). reg and pool are borrowed and
 * must outlive the server. NULL and *cause on error.
 */
struct mcp_server *mcp_server_start(int listen_fd, const char *path,
    struct registry *reg, struct job_pool *pool,
    const struct mcp_limits *limits, char **cause);
/* Stops the thread, closes every client, unlinks the socket. */
void mcp_server_stop(struct mcp_server *);

#endif
