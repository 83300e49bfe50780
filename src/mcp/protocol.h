/*
 * MCP sessions: what one connection (a socket client, or stdio in lazy
 * mode) says and what racktop answers, independent of the transport.
 *
 * A session receives lines (proto_session_input) and sends lines through
 * its send callback; tool calls go to the context's job pool and come back
 * on the context's completion queue, whose fd the owner polls and then
 * calls proto_ctx_complete. Replies may leave out of order.
 *
 * Routing: parse (jsonrpc.c) -> route through the era's method table ->
 * handler. The initialize era (2024-11-05, 2025-03-26, 2025-06-18,
 * 2025-11-25) is one table; the stateless era will be a second table that
 * shares the handlers and the reply path.
 *
 * Decisions:
 * - Requests other than initialize and ping before a successful
 *   initialize: -32600 "not initialized". -32002 is not used: older
 *   revisions use it for "resource not found".
 * - A second initialize on a session: -32600.
 * - Batches (JSON arrays): only where 2025-03-26 was negotiated, as its
 *   schema defines JSONRPCBatchRequest (2025-06-18 removed batching).
 *   The replies to one batch go out as one array line, once every
 *   element is answered (tool calls included); an empty array, or an
 *   array anywhere else, gets one -32600 with id null. initialize inside
 *   a batch is -32600 (2025-03-26: it MUST NOT be batched).
 * - tools/call: unknown tool -32602; arguments that are not an object
 *   -32602 (the CallToolRequest schema); arguments that fail the tool's
 *   input schema, or policy, are an isError result naming the field
 *   (call_check). More than max_inflight calls in flight on the session:
 *   -32010; over rate_per_s (token bucket, one second of burst): -32011.
 *   Reusing the id of a call still in flight: -32600.
 * - notifications/cancelled: the job is cancelled and no reply is ever
 *   sent for that request; unknown ids are ignored.
 * - Approval (issue 11): when call_check says RT_CALL_HOLD, the call is
 *   held in this context (never on a worker) through core/approval.h,
 *   unless an earlier "a" granted this caller (uid, pid, exe) the tool on
 *   this connection. With a progress token, one notifications/progress
 *   says "waiting for operator approval". Approved: submitted as usual.
 *   Denied, timed out or no operator: an isError result ("denied by
 *   operator", "not approved: timed out", "not approved: no operator").
 *   notifications/cancelled or the session going withdraws the held
 *   call: no reply, and it can never run. Each session's caller gets a
 *   connection id (approval_conn_id) that grants are bound to.
 * - Progress: with params._meta.progressToken, call_progress on the
 *   worker queues an event on the completion queue behind which the call
 *   itself comes back, so no progress is sent after the reply, and values
 *   that do not increase are dropped (the spec requires increase).
 * - logging/setLevel stores the level; nothing is logged to the client
 *   until it sets one. A failed tool call sends notifications/message at
 *   "error" (ran and failed) or "warning" (refused before running).
 *   A running tool's call_log sends notifications/message (data: tool,
 *   message) at its level, queued like progress, so before the reply.
 * - A tool's own content blocks (call_content) replace the text block
 *   of its JSON; racktop's tools set none.
 * - A tool asking its client mid-call (call_ask; the conformance
 *   fixtures' sampling and elicitation): legacy era only, and only when
 *   the client declared the capability (sampling, elicitation), else the
 *   call fails. The call comes back to this thread, which sends the
 *   request (id "racktop-ask-N", on the call's stream) as it sends an
 *   approval's elicitation/create, with the same deadline, cancellation
 *   and disconnection rules; the answer (a result) runs the tool's next
 *   step on a worker; an error answer or none in time fails the call.
 * - Shape per version: tools carry annotations from 2025-03-26 and title
 *   and outputSchema from 2025-06-18; results carry structuredContent
 *   from 2025-06-18 (the same JSON is always the text content);
 *   instructions from 2025-03-26; progress messages from 2025-03-26.
 * - Identity: the transport fills the kernel's view of the peer. Source
 *   is RT_SRC_AGENT, except RT_SRC_CLI when the transport vouches that
 *   the peer runs racktop's own executable (PROTO_PEER_RACKTOP) and its
 *   clientInfo name is "racktop-cli". The stdio bridge is also racktop,
 *   so it refuses to forward that name from its stdin (bridge.c).
 *
 * The stateless era (2026-07-28, issue 4), on the same socket:
 * - A connection's first request decides its era for good: modern when
 *   it is server/discover or subscriptions/listen or its params._meta
 *   carries io.modelcontextprotocol/protocolVersion; legacy otherwise
 *   (initialize always). Notifications decide nothing.
 * - Modern requests: an unknown method (ping, logging/setLevel,
 *   resources/subscribe included) is -32601; then _meta must carry
 *   .../protocolVersion (a string) and .../clientCapabilities (an object),
 *   else -32602; a version not served is -32022 with data.supported
 *   (every version, modern first) and data.requested. initialize is
 *   -32022 with the same data: the connection stays modern.
 * - Identity: the first request's _meta clientInfo, never changed later;
 *   the CLI's source as with initialize (the bridge refuses the name in
 *   either place).
 * - Every modern result carries resultType "complete"; tools/list,
 *   resources/list, resources/templates/list, prompts/list, resources/read
 *   and server/discover carry ttlMs and cacheScope ("private" for the
 *   homelab's own data: resources; "public" for the rest).
 * - notifications/message in the modern era only for a request whose
 *   _meta has io.modelcontextprotocol/logLevel, at that level.
 * - Resources (both eras): racktop://SERVICE/INSTANCE/snapshot per
 *   instance; one page; read answers an envelope (generation, age,
 *   error, data) and never empty contents, even before the first poll.
 *   Not found: -32002 (legacy), -32602 (modern), data.uri.
 * - Subscriptions: legacy resources/subscribe marks the session; modern
 *   subscriptions/listen acknowledges the known URIs among
 *   resourceSubscriptions (nothing else: our lists never change) and is
 *   answered only when the server stops (graceful closure:
 *   proto_session_shutdown); notifications/cancelled with its id ends it
 *   silently. Each
 *   publication of a watched instance's snapshot sends
 *   notifications/resources/updated (modern: with _meta subscriptionId).
 *   Publications arrive from any thread through the slots' published hook
 *   as events on the completion queue (resources.c).
 * - Prompts and completion/complete: prompts.c.
 *
 * Threads: everything here runs on the context owner's thread, except
 * the progress callback, which runs on a worker and only allocates and
 * queues an event.
 */
#ifndef RT_MCP_PROTOCOL_H
#define RT_MCP_PROTOCOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/call.h"

struct registry;
struct job_pool;
struct proto_ctx;
struct proto_session;

struct approval;

/*
 * More resources and prompts from whoever embeds the server (the
 * conformance fixtures, tests/conformance/server.c): listed after
 * racktop's own, read, subscribed (never updated), got and completed
 * through the same handlers. Every function may be NULL; new references.
 */
struct proto_extra {
	json_t *(*resources)(void *arg);	/* Resource objects */
	json_t *(*templates)(void *arg);	/* ResourceTemplate objects */
	/* The contents array of uri, or NULL when it is not one of these. */
	json_t *(*read)(void *arg, const char *uri);
	json_t *(*prompts)(void *arg);		/* Prompt objects */
	/* A GetPromptResult, or NULL when name is not one of these. */
	json_t *(*get_prompt)(void *arg, const char *name, const json_t *args);
	/* Completion values, or NULL when ref names none of these. */
	json_t *(*complete)(void *arg, const json_t *ref, const char *name,
	    const char *value);
	void *arg;
};

struct proto_config {
	int tools_page;		/* tools/list page size; default 100 */
	int max_inflight;	/* calls in flight per session; 0: no limit */
	int rate_per_s;		/* calls per second per session; 0: no limit */
	/*
	 * Where calls that need the operator's approval are held (owned by
	 * the context's thread, borrowed); NULL: there is nobody to ask, so
	 * they are refused (headless default).
	 */
	struct approval *approval;
};

/* The versions served, oldest first, and the newest. */
extern const char *const proto_versions[];
#define PROTO_NEWEST "2025-11-25"	/* the initialize era's newest */
/* The stateless era's versions, newest first. */
extern const char *const proto_modern_versions[];
#define PROTO_MODERN "2026-07-28"
#define PROTO_CLI_NAME "racktop-cli"
/* An attached dashboard (mcp/attach.c, mcp/remote.c). */
#define PROTO_DASHBOARD_NAME "racktop-dashboard"

/*
 * A context for the sessions of one thread. pool NULL runs each call on
 * the calling thread inside proto_session_input (fuzzing, tests); its
 * completion still comes back through the queue. reg and pool borrowed.
 */
struct proto_ctx *proto_ctx_create(struct registry *, struct job_pool *,
    const struct proto_config *);
/* Cancels every call, waits until all came back, frees. */
void proto_ctx_destroy(struct proto_ctx *);
/* Adds the embedder's resources and prompts (borrowed; NULL: none). */
void proto_ctx_set_extra(struct proto_ctx *, const struct proto_extra *);
/* The completion queue's fd: readable when calls or progress came back. */
int proto_ctx_fd(struct proto_ctx *);
/* Handles everything on the completion queue (sends replies). */
void proto_ctx_complete(struct proto_ctx *);
/*
 * The approval broker's fd (-1: none) and the ms until held calls need
 * attention (-1: never); when either fires, call proto_ctx_approvals.
 */
int proto_ctx_approval_fd(struct proto_ctx *);
int proto_ctx_approval_ms(struct proto_ctx *);
/* Applies the operator's decisions and approval deadlines. */
void proto_ctx_approvals(struct proto_ctx *);
/* Calls submitted whose completion has not been handled yet. */
int proto_ctx_outstanding(struct proto_ctx *);
/*
 * Waits (polling the queue) until no call is outstanding or ms pass;
 * true when none is left.
 */
bool proto_ctx_drain(struct proto_ctx *, int ms);

/* Receives complete output lines (ending in "\n") for the transport. */
struct proto_transport {
	void (*send)(void *arg, const char *data, size_t len);
	void *arg;
};

#define PROTO_PEER_RACKTOP 0x1	/* the peer runs racktop's executable */

/* A new session; caller copied (source set here), transport copied. */
struct proto_session *proto_session_new(struct proto_ctx *,
    const struct rt_caller *, unsigned flags,
    const struct proto_transport *);
/*
 * Frees the session: calls in flight are cancelled and their completions
 * dropped without reply.
 */
void proto_session_free(struct proto_session *);
/*
 * Handles one line (without its newline). 0, or -1 when the transport
 * should close after flushing.
 */
int proto_session_input(struct proto_session *, const char *line,
    size_t len);
/*
 * The server is stopping: answers each open subscriptions/listen with
 * its graceful completion result (2026-07-28) before the transport goes.
 */
void proto_session_shutdown(struct proto_session *);
/* Answers a line over max bytes (-32600, id null). */
void proto_session_toobig(struct proto_session *, size_t max);
/* Calls in flight, not cancelled. */
int proto_session_inflight(struct proto_session *);
/* The negotiated version, or NULL before initialize. */
const char *proto_session_version(struct proto_session *);
const struct rt_caller *proto_session_caller(struct proto_session *);
/*
 * Inside the send callback: the id of the request the output belongs to
 * (its reply, its progress, its log message, an elicitation/create asked
 * for it), or NULL when it belongs to no request (resource updates).
 * Borrowed; valid during the callback. The HTTP transport routes by it.
 */
const json_t *proto_session_related(struct proto_session *);
/*
 * Makes the session an attached dashboard of the operator's (mcp/
 * attach.c, after checking its uid): its calls are RT_SRC_KEY, named
 * client, and never held for approval.
 */
void proto_session_set_operator(struct proto_session *, const char *client);

#endif
