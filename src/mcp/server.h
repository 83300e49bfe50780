/*
 * The MCP server on the Unix socket: one thread owns the listening fd and
 * every client fd, frames newline-delimited JSON-RPC, and hands tool calls
 * to the worker pool; completions come back on a job queue it polls.
 */
#ifndef RT_MCP_SERVER_H
#define RT_MCP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct approval;
struct attach;
struct registry;
struct rt_caller;
struct job_pool;
struct mcp_server;
struct proto_extra;
struct mcp_http;

/*
 * Limits, per server. Over max_message: a -32600 error (id null), then
 * the connection closes once flushed. Over max_clients: the new
 * connection gets one -32012 error line and is closed. Over max_inflight
 * or rate_per_s: that request gets -32010 or -32011 and the connection
 * stays (protocol.h). Output waiting above out_high: the server stops
 * reading the client until it drains below half; above out_hard the
 * client is dropped, so a client that stops reading never holds memory
 * or the loop.
 */
struct mcp_limits {
	size_t max_message;	/* bytes per line; default 4 MiB */
	int max_clients;	/* default 64 */
	int max_inflight;	/* calls in flight per client; default 32 */
	int rate_per_s;		/* calls per second per client; default 50000 */
	size_t out_high;	/* stop reading a client above this; 1 MiB */
	size_t out_hard;	/* drop a client above this; 16 MiB */
	int page_size;		/* tools/list page size; 0: 100 */
	/*
	 * Where calls needing the operator's approval are held (borrowed;
	 * the server's thread is its owner side); NULL refuses them.
	 */
	struct approval *approval;
	/* More resources and prompts (protocol.h); NULL: none. */
	const struct proto_extra *extra;
	/*
	 * MCP over HTTP served from this server's thread and protocol
	 * context (http.h, made by mcp_http_new; borrowed, stopped with
	 * mcp_http_stop after mcp_server_stop); NULL: none.
	 */
	struct mcp_http *http;
	/*
	 * Dashboards attached to this racktop (mcp/attach.c; borrowed, NULL:
	 * none may attach).
	 */
	struct attach *attach;
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

/*
 * Fills who a peer is from the kernel: uid, pid and /proc/PID/exe. When
 * the peer runs racktop's own executable (the stdio bridge or `racktop
 * call`), pid and exe become those of its parent (the agent or shell that
 * started it) and true is returned. client and source are left alone.
 */
bool mcp_identify(pid_t pid, uid_t uid, struct rt_caller *);

#endif
