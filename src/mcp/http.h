/*
 * MCP over Streamable HTTP: an optional listener beside the Unix socket,
 * feeding the same protocol code (protocol.h) on the MCP thread.
 *
 * Served (see docs/architecture.md, "MCP over HTTP"):
 * - 2025-11-25 Streamable HTTP (2025-03-26 and 2025-06-18 clients too):
 *   POST /mcp answers a request with JSON when the reply is ready at
 *   once, otherwise with an SSE stream (progress, log messages and
 *   elicitation/create for that request, then its reply); GET /mcp is
 *   the session's stream for everything else (resource updates); DELETE
 *   ends the session; Mcp-Session-Id is minted on initialize;
 *   MCP-Protocol-Version is checked; every SSE event has an id and a
 *   GET with Last-Event-ID replays what followed it on that stream.
 * - 2026-07-28: sessionless; each POST is its own protocol session; the
 *   MCP-Protocol-Version, Mcp-Method and Mcp-Name headers must agree
 *   with the body (-32020, 400); an unknown method is 404; closing a
 *   response stream cancels its request.
 * - Not served: the 2024-11-05 HTTP+SSE transport (GET /sse, POST
 *   /messages): those clients get 404.
 *
 * Security: Host and Origin must name the listener or loopback (DNS
 * rebinding: 403); on TCP a bearer token from http_token_file is
 * required (401); on a Unix socket the peer's uid is checked as on the
 * MCP socket. Identity in the audit log: the token's name.
 */
#ifndef RT_MCP_HTTP_H
#define RT_MCP_HTTP_H

#include <stdbool.h>

struct job_pool;
struct mcp_limits;
struct pollfd;
struct proto_ctx;
struct registry;
struct mcp_http;

struct mcp_http_conf {
	const char *listen;	/* HOST:PORT, or NULL */
	const char *socket;	/* a Unix socket path, or NULL */
	const char *token_file;	/* "NAME TOKEN" lines; NULL: none */
	bool allow_remote;	/* a non-loopback HOST is allowed */
	/*
	 * Test-only (racktop-conformance): TCP without a token, and POST
	 * streams closed after this many ms without their reply (the client
	 * then resumes with GET and Last-Event-ID); 0: never.
	 */
	bool no_token;
	int close_stream_ms;
};

/*
 * Opens the listeners (errors as below); the transport then runs inside
 * a host's poll loop, on the thread that owns the protocol context
 * (racktop: the MCP server's, mcp_limits.http): begin with that context,
 * poll the fds of mcp_http_fds for reading with at most mcp_http_wait
 * ms, call mcp_http_work on every pass, mcp_http_end when the loop ends;
 * then mcp_http_stop from any thread.
 */
struct mcp_http *mcp_http_new(const struct mcp_http_conf *,
    const struct mcp_limits *, char **cause);
void mcp_http_begin(struct mcp_http *, struct proto_ctx *);
int mcp_http_fds(struct mcp_http *, struct pollfd *);	/* at most 2 */
int mcp_http_wait(struct mcp_http *);
void mcp_http_work(struct mcp_http *);
void mcp_http_end(struct mcp_http *);
/*
 * Or with a thread and protocol context of its own: starts the listener
 * thread. reg and pool are borrowed and must outlive
 * it; limits are copied. NULL and *cause on error (bad address, a remote
 * address without allow_remote, a token file that is missing, empty or
 * readable by others, a port in use).
 */
struct mcp_http *mcp_http_start(const struct mcp_http_conf *,
    struct registry *, struct job_pool *, const struct mcp_limits *,
    char **cause);
/* The TCP port listened on (useful with port 0), or 0. */
int mcp_http_port(const struct mcp_http *);
/* Stops the thread, ends every stream and session. NULL is fine. */
void mcp_http_stop(struct mcp_http *);

#endif
