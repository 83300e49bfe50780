/*
 * MCP sessions of the initialize era: lifecycle, version negotiation,
 * tools/list pages, tools/call on the worker pool, cancellation, progress
 * and logging (the decisions are in protocol.h).
 *
 * DESIGN: owner is the thread that created the context (the MCP thread,
 * or the lazy bridge's main thread). Each call in flight has a pending
 * record (recycled through a free list) linking the call, its session,
 * its request id and progress token; call->owner points at it. When a
 * session goes away first, its records are detached (session NULL) and
 * the calls cancelled; their completions are then freed without reply.
 * Workers touch nothing here except through progress_cb, which queues a
 * progress event on the same completion queue ahead of the call's own
 * completion, so events always find their call alive and never follow
 * the reply.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/approval.h"
#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/prompts.h"
#include "mcp/protocol.h"
#include "mcp/reqstate.h"
#include "mcp/resources.h"

const char *const proto_versions[] = {
	"2024-11-05",
	"2025-03-26",
	"2025-06-18",
	"2025-11-25",
	NULL,
};
#define V_2024_11_05 0
#define V_2025_03_26 1
#define V_2025_06_18 2
#define NVERSIONS 4
#define V_MODERN NVERSIONS	/* s->version of a modern session */

/* The stateless era's versions, newest first. */
const char *const proto_modern_versions[] = {
	PROTO_MODERN,
	NULL,
};

#define ERA_NONE 0
#define ERA_LEGACY 1
#define ERA_MODERN 2

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_INFO "io.modelcontextprotocol/clientInfo"
#define META_LOG "io.modelcontextprotocol/logLevel"
#define META_SUB "io.modelcontextprotocol/subscriptionId"
#define META_SERVER "io.modelcontextprotocol/serverInfo"

/* Caching hints (2026-07-28): lists that only change on restart. */
#define TTL_STATIC_MS 3600000

/* How tools look in each version: see tool_shape(). */
#define NSHAPES 4

static const char *const log_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency", NULL,
};
#define LOG_WARNING 3
#define LOG_ERROR 4

static const char instructions[] =
    "racktop shows a homelab's live state (hypervisors, containers, "
    "network clients, DNS filtering, CDN and more) and acts on it. "
    "Read tools answer from data the dashboard already polls, so they "
    "are cheap; pass max_age_s=0 to force a live read. List tools page "
    "with limit and cursor (next_cursor). Tools that change state take "
    "an instance argument when several are configured; destructive ones "
    "need the operator's approval and accept dry_run to preview.";

struct batch {
	int refs;		/* the dispatcher, plus each element pending */
	json_t *replies;	/* array of response objects */
};

struct pending {
	struct rt_call *call;
	struct proto_session *s;	/* NULL once the session is gone */
	json_t *id;			/* owned */
	json_t *token;			/* progress token, owned, or NULL */
	struct batch *batch;
	double last_progress;
	bool has_progress;
	bool cancelled;
	int log_level;			/* modern: the request's, or -1 */
	struct approval_hold *hold;	/* held for approval, or NULL */
	int ask;			/* ASK_*: asking the client's user */
	struct rt_call *preview;	/* ASK_DESCRIBE: describe running */
	char ask_id[48];		/* ASK_ELICIT, ASK_TOOL: our request's id */
	int64_t ask_deadline;		/* ASK_ELICIT, ASK_TOOL: clock_mono_ms() */
	struct pending *prev, *next;
};

#define ASK_NONE 0
#define ASK_DESCRIBE 1		/* describe runs before the question */
#define ASK_ELICIT 2		/* elicitation/create sent, no answer yet */
#define ASK_TOOL 3		/* the tool's own request sent (call_ask) */
/* The key of our question in an input_required result's inputRequests. */
#define ASK_KEY "approve"
#define ASK_TIMEOUT_DEFAULT 50000

/* A modern subscriptions/listen stream. */
struct listen {
	json_t *id;		/* the request's id: the subscription id */
	bool *watch;		/* per instance: resource updates wanted */
	struct listen *next;
};

struct progress_ev {
	struct job job;		/* first; job.run == progress_marker */
	struct rt_call *call;
	double progress;
	double total;
	bool has_message;
	char message[];
};

/* A tool's log message (call_log), queued like progress. */
struct log_ev {
	struct job job;		/* first; job.run == log_marker */
	struct rt_call *call;
	int level;
	char message[];
};

struct proto_ctx {
	struct registry *reg;
	struct job_pool *pool;
	struct job_queue *done;
	struct proto_config conf;
	int outstanding;
	struct pending *spare;		/* free list */
	struct proto_session *sessions;
	size_t ntools;			/* listed: all, or read-only ones */
	size_t *listed;			/* registry indexes of listed tools */
	size_t npages;
	char **pages[NSHAPES];		/* tools/list results, as text */
	size_t *page_len[NSHAPES];
	struct jr_buf out;		/* one reply being built */
	struct jr_buf tmp;		/* a result's JSON text */
	size_t ninst;			/* instances (resources) */
	uint64_t problems_digest;	/* of the last problems notified */
	int64_t ask_timeout_ms;		/* for answers and requestState */
	struct reqstate *rs;		/* 2026-07-28 requestState */
	uint64_t next_ask;		/* ids of our elicitation requests */
	const struct proto_extra *extra;	/* the embedder's, or NULL */
};

/* A request being handled. */
struct proto_req {
	json_t *id;		/* borrowed; NULL for notifications */
	json_t *params;		/* borrowed object, or NULL */
	struct batch *batch;	/* replies go here when not NULL */
};

struct proto_method {
	const char *name;
	unsigned flags;
#define PM_NOTIFY 0x1		/* a notification: never answered */
#define PM_PREINIT 0x2		/* allowed before initialize */
#define PM_NOMETA 0x4		/* modern: no _meta check */
	void (*fn)(struct proto_session *, struct proto_req *);
};

struct proto_session {
	struct proto_ctx *ctx;
	struct proto_transport tr;
	const struct proto_method *methods;	/* the era's table */
	int era;		/* ERA_*: fixed by the first request */
	bool *subs;		/* legacy: subscribed, per instance */
	struct listen *listens;	/* modern: open subscriptions */
	struct rt_caller caller;
	unsigned flags;
	int version;		/* index in proto_versions, -1 before */
	bool ready;		/* initialized; modern: identified */
	int log_level;		/* index in log_levels, -1: off */
	bool elicit;		/* legacy: form elicitation declared */
	bool sampling;		/* legacy: sampling declared */
	struct pending *inflight;
	int nflight;		/* calls not yet back (limit) */
	int nreply;		/* of those, replies still owed */
	double tokens;
	int64_t refill_ms;
	/*
	 * The request the output being sent belongs to (borrowed), or NULL:
	 * HTTP puts it on that request's response stream.
	 */
	const json_t *related;
	struct proto_session *prev, *next;
};

static void m_initialize(struct proto_session *, struct proto_req *);
static void pending_put(struct proto_ctx *, struct pending *);
static void m_ping(struct proto_session *, struct proto_req *);
static void m_tools_list(struct proto_session *, struct proto_req *);
static void m_tools_call(struct proto_session *, struct proto_req *);
static void m_set_level(struct proto_session *, struct proto_req *);
static void n_initialized(struct proto_session *, struct proto_req *);
static void n_cancelled(struct proto_session *, struct proto_req *);
static void m_initialize_modern(struct proto_session *, struct proto_req *);
static void m_discover(struct proto_session *, struct proto_req *);
static void m_resources_list(struct proto_session *, struct proto_req *);
static void m_resources_read(struct proto_session *, struct proto_req *);
static void m_templates_list(struct proto_session *, struct proto_req *);
static void m_subscribe(struct proto_session *, struct proto_req *);
static void m_unsubscribe(struct proto_session *, struct proto_req *);
static void m_listen(struct proto_session *, struct proto_req *);
static void m_prompts_list(struct proto_session *, struct proto_req *);
static void m_prompts_get(struct proto_session *, struct proto_req *);
static void m_complete(struct proto_session *, struct proto_req *);
static void on_updated(struct proto_ctx *, struct res_event *);
static json_t *capabilities(int);
static bool listen_close(struct proto_session *, const json_t *);
static void ask_withdraw(struct pending *, const char *);
static void ask_described(struct proto_ctx *, struct pending *);
static void on_response(struct proto_session *, struct jr_msg *);
static bool ask_tool(struct proto_session *, struct pending *);
static void ask_tool_end(struct proto_ctx *, struct pending *,
    const json_t *, const char *);

/* The initialize era's methods. */
static const struct proto_method legacy_methods[] = {
	{ "initialize", PM_PREINIT, m_initialize },
	{ "ping", PM_PREINIT, m_ping },
	{ "tools/list", 0, m_tools_list },
	{ "tools/call", 0, m_tools_call },
	{ "logging/setLevel", 0, m_set_level },
	{ "resources/list", 0, m_resources_list },
	{ "resources/read", 0, m_resources_read },
	{ "resources/templates/list", 0, m_templates_list },
	{ "resources/subscribe", 0, m_subscribe },
	{ "resources/unsubscribe", 0, m_unsubscribe },
	{ "prompts/list", 0, m_prompts_list },
	{ "prompts/get", 0, m_prompts_get },
	{ "completion/complete", 0, m_complete },
	{ "notifications/initialized", PM_NOTIFY | PM_PREINIT, n_initialized },
	{ "notifications/cancelled", PM_NOTIFY | PM_PREINIT, n_cancelled },
	{ NULL, 0, NULL },
};

/*
 * The stateless era's methods (2026-07-28): no ping, logging/setLevel or
 * resources/subscribe (-32601); initialize answers -32022.
 */
static const struct proto_method modern_methods[] = {
	{ "initialize", PM_NOMETA, m_initialize_modern },
	{ "server/discover", 0, m_discover },
	{ "tools/list", 0, m_tools_list },
	{ "tools/call", 0, m_tools_call },
	{ "resources/list", 0, m_resources_list },
	{ "resources/read", 0, m_resources_read },
	{ "resources/templates/list", 0, m_templates_list },
	{ "subscriptions/listen", 0, m_listen },
	{ "prompts/list", 0, m_prompts_list },
	{ "prompts/get", 0, m_prompts_get },
	{ "completion/complete", 0, m_complete },
	{ "notifications/cancelled", PM_NOTIFY, n_cancelled },
	{ NULL, 0, NULL },
};

/* Never runs: marks a progress event on the completion queue. */
static void
progress_marker(struct job *j)
{
	(void)j;
}

/* Never runs: marks a tool's log message on the completion queue. */
static void
log_marker(struct job *j)
{
	(void)j;
}

/* Creates a context with its completion queue. */
struct proto_ctx *
proto_ctx_create(struct registry *reg, struct job_pool *pool,
    const struct proto_config *conf)
{
	struct proto_ctx *ctx = xcalloc(1, sizeof *ctx);
	size_t i, page;

	ctx->reg = reg;
	ctx->pool = pool;
	ctx->done = job_queue_create();
	if (conf != NULL)
		ctx->conf = *conf;
	if (ctx->conf.tools_page < 1)
		ctx->conf.tools_page = 100;
	/* --read-only: no write tool is listed (call_check refuses them). */
	ctx->listed = xcalloc(registry_ntools(reg) + 1, sizeof *ctx->listed);
	for (i = 0; i < registry_ntools(reg); i++) {
		if (!call_policy.read_only ||
		    (registry_tool_at(reg, i)->tool->flags & RT_READ_ONLY))
			ctx->listed[ctx->ntools++] = i;
	}
	page = (size_t)ctx->conf.tools_page;
	ctx->npages = ctx->ntools == 0 ? 1 : (ctx->ntools + page - 1) / page;
	for (i = 0; i < NSHAPES; i++) {
		ctx->pages[i] = xcalloc(ctx->npages, sizeof *ctx->pages[i]);
		ctx->page_len[i] = xcalloc(ctx->npages,
		    sizeof *ctx->page_len[i]);
	}
	jr_buf_init(&ctx->out);
	jr_buf_init(&ctx->tmp);
	ctx->ninst = registry_ninstances(reg);
	ctx->ask_timeout_ms = ctx->conf.approval != NULL ?
	    approval_timeout_ms(ctx->conf.approval) : ASK_TIMEOUT_DEFAULT;
	ctx->rs = reqstate_create(ctx->ask_timeout_ms);
	res_watch(reg, ctx->done);
	return (ctx);
}

/* Adds the embedder's resources and prompts. */
void
proto_ctx_set_extra(struct proto_ctx *ctx, const struct proto_extra *x)
{
	ctx->extra = x;
}

/* Frees the context after every call came back. */
void
proto_ctx_destroy(struct proto_ctx *ctx)
{
	struct pending *p;
	size_t i, k;

	if (ctx == NULL)
		return;
	res_unwatch(ctx->done);
	while (ctx->sessions != NULL)
		proto_session_free(ctx->sessions);
	while (!proto_ctx_drain(ctx, 10000))
		log_warn("mcp: %d calls ignore cancellation; waiting",
		    ctx->outstanding);
	proto_ctx_complete(ctx);	/* resource events still queued */
	while ((p = ctx->spare) != NULL) {
		ctx->spare = p->next;
		free(p);
	}
	for (i = 0; i < NSHAPES; i++) {
		for (k = 0; k < ctx->npages; k++)
			free(ctx->pages[i][k]);
		free(ctx->pages[i]);
		free(ctx->page_len[i]);
	}
	jr_buf_free(&ctx->out);
	jr_buf_free(&ctx->tmp);
	free(ctx->listed);
	reqstate_free(ctx->rs);
	job_queue_destroy(ctx->done);
	free(ctx);
}

/* The completion queue's fd. */
int
proto_ctx_fd(struct proto_ctx *ctx)
{
	return (job_queue_fd(ctx->done));
}

/* Calls not yet come back. */
int
proto_ctx_outstanding(struct proto_ctx *ctx)
{
	return (ctx->outstanding);
}

/* Handles completions until none is outstanding or ms pass. */
bool
proto_ctx_drain(struct proto_ctx *ctx, int ms)
{
	int64_t end = clock_mono_ms() + ms, left;
	struct pollfd pfd;

	for (;;) {
		proto_ctx_complete(ctx);
		if (ctx->outstanding == 0)
			return (true);
		left = end - clock_mono_ms();
		if (left <= 0)
			return (false);
		pfd.fd = proto_ctx_fd(ctx);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			fatal("poll");
	}
}

/* Sends what was built in ctx->out. */
static void
flush_out(struct proto_session *s)
{
	struct jr_buf *b = &s->ctx->out;

	if (b->len > 0)
		s->tr.send(s->tr.arg, b->data, b->len);
	jr_buf_reset(b, 1024 * 1024);
}

/* Answers with a result (stolen). */
static void
reply_result(struct proto_session *s, struct proto_req *r, json_t *result)
{
	if (r->batch != NULL) {
		json_array_append_new(r->batch->replies,
		    jr_result_json(r->id, result));
		return;
	}
	jr_result(&s->ctx->out, r->id, result);
	json_decref(result);
	flush_out(s);
}

/*
 * Answers with a result (stolen) that is complete: modern results carry
 * resultType, and cacheable ones (ttl >= 0) ttlMs and cacheScope.
 */
static void
reply_complete(struct proto_session *s, struct proto_req *r, json_t *result,
    int64_t ttl, const char *scope)
{
	if (s->era == ERA_MODERN) {
		json_object_set_new(result, "resultType",
		    json_string("complete"));
		if (ttl >= 0) {
			json_object_set_new(result, "ttlMs", json_integer(ttl));
			json_object_set_new(result, "cacheScope",
			    json_string(scope));
		}
	}
	reply_result(s, r, result);
}

/* Answers with a result given as JSON text. */
static void
reply_text(struct proto_session *s, struct proto_req *r, const char *text,
    size_t len)
{
	if (r->batch != NULL) {
		reply_result(s, r, json_loadb(text, len, 0, NULL));
		return;
	}
	jr_result_text(&s->ctx->out, r->id, text, len);
	flush_out(s);
}

/* Answers with an error. */
static void
reply_error(struct proto_session *s, struct proto_req *r, int code,
    const char *msg)
{
	if (r->batch != NULL) {
		json_array_append_new(r->batch->replies,
		    jr_error_json(r->id, code, msg, NULL));
		return;
	}
	jr_error(&s->ctx->out, r->id, code, msg, NULL);
	flush_out(s);
}

/* Answers with an error built from a format. */
static void __attribute__((format(printf, 4, 5)))
reply_errorf(struct proto_session *s, struct proto_req *r, int code,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	reply_error(s, r, code, msg);
	free(msg);
}

/* Answers with an error carrying data (stolen). */
static void
reply_error_data(struct proto_session *s, struct proto_req *r, int code,
    const char *msg, json_t *data)
{
	if (r->batch != NULL)
		json_array_append_new(r->batch->replies,
		    jr_error_json(r->id, code, msg, data));
	else {
		jr_error(&s->ctx->out, r->id, code, msg, data);
		flush_out(s);
	}
	json_decref(data);
}

/* Every version served, newest first (UnsupportedProtocolVersion data). */
static json_t *
all_versions(void)
{
	json_t *a = json_array();
	int v;

	for (v = 0; proto_modern_versions[v] != NULL; v++)
		json_array_append_new(a, json_string(proto_modern_versions[v]));
	for (v = NVERSIONS - 1; v >= 0; v--)
		json_array_append_new(a, json_string(proto_versions[v]));
	return (a);
}

/* Sends a notification; params borrowed. */
static void
notify(struct proto_session *s, const char *method, const json_t *params)
{
	jr_notification(&s->ctx->out, method, params);
	flush_out(s);
}

/* Sends notifications/message when the client asked for level. */
static void
session_log(struct proto_session *s, int level, json_t *data)
{
	json_t *params;

	if (s->log_level < 0 || level < s->log_level) {
		json_decref(data);
		return;
	}
	params = json_pack("{s:s, s:s, s:o}", "level", log_levels[level],
	    "logger", "racktop", "data", data);
	notify(s, "notifications/message", params);
	json_decref(params);
}

/* Drops a batch reference; the last one sends the replies. */
static void
batch_unref(struct proto_session *s, struct batch *b)
{
	if (--b->refs > 0)
		return;
	if (s != NULL && json_array_size(b->replies) > 0) {
		jr_put_json(&s->ctx->out, b->replies);
		jr_buf_append(&s->ctx->out, "\n", 1);
		flush_out(s);
	}
	json_decref(b->replies);
	free(b);
}

/* Copies a label into dst, replacing control bytes, cut on UTF-8. */
static void
copy_label(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; *src != '\0' && n + 1 < size; src++, n++) {
		unsigned char ch = (unsigned char)*src;

		dst[n] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	/* Do not end inside a multi-byte sequence. */
	if (*src != '\0') {
		while (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0xc0)
			n--;
	}
	dst[n] = '\0';
}

/* Creates a session for a transport. */
struct proto_session *
proto_session_new(struct proto_ctx *ctx, const struct rt_caller *caller,
    unsigned flags, const struct proto_transport *tr)
{
	struct proto_session *s = xcalloc(1, sizeof *s);

	s->ctx = ctx;
	s->tr = *tr;
	s->methods = legacy_methods;
	if (caller != NULL)
		s->caller = *caller;
	s->caller.source = RT_SRC_AGENT;
	s->caller.client[0] = '\0';
	s->caller.label[0] = '\0';
	/* What grants are bound to: never reused in this process. */
	s->caller.conn = approval_conn_id();
	s->flags = flags;
	s->version = -1;
	s->subs = xcalloc(ctx->ninst + 1, sizeof *s->subs);
	s->log_level = -1;
	s->tokens = ctx->conf.rate_per_s;
	s->refill_ms = clock_mono_ms();
	if ((s->next = ctx->sessions) != NULL)
		s->next->prev = s;
	ctx->sessions = s;
	return (s);
}

/* An attached dashboard of the owner's: its calls are the keyboard's. */
void
proto_session_set_operator(struct proto_session *s, const char *client)
{
	s->caller.source = RT_SRC_KEY;
	snprintf(s->caller.client, sizeof s->caller.client, "%s", client);
	s->caller.label[0] = '\0';
}

/* Frees a session; its calls are cancelled and answered to nobody. */
void
proto_session_free(struct proto_session *s)
{
	struct pending *p, *next;
	struct listen *l;

	if (s == NULL)
		return;
	while ((l = s->listens) != NULL) {
		s->listens = l->next;
		json_decref(l->id);
		free(l->watch);
		free(l);
	}
	free(s->subs);
	for (p = s->inflight; p != NULL; p = next) {
		next = p->next;
		if (p->hold != NULL) {
			/* Held: withdrawn, never to run, answered to nobody. */
			call_free(approval_withdraw(s->ctx->conf.approval,
			    p->hold, "disconnected"));
			if (p->batch != NULL)
				batch_unref(NULL, p->batch);
			pending_put(s->ctx, p);
			continue;
		}
		if (p->ask == ASK_TOOL) {
			/* Its tool waits for an answer that cannot come. */
			p->ask = ASK_NONE;
			call_fail(p->call, "the client disconnected");
			p->call->done = true;
			call_decided(p->call, "withdrawn: disconnected",
			    "client request");
			call_free(p->call);
			if (p->batch != NULL)
				batch_unref(NULL, p->batch);
			pending_put(s->ctx, p);
			continue;
		}
		if (p->ask == ASK_ELICIT) {
			/* Asked: the answer can no longer start it. */
			ask_withdraw(p, "disconnected");
			call_free(p->call);
			if (p->batch != NULL)
				batch_unref(NULL, p->batch);
			pending_put(s->ctx, p);
			continue;
		}
		/* Describing: the preview comes back to nobody. */
		job_cancel(p->ask == ASK_DESCRIBE ? &p->preview->job :
		    &p->call->job);
		p->s = NULL;
		p->prev = p->next = NULL;
		if (p->batch != NULL) {
			batch_unref(NULL, p->batch);
			p->batch = NULL;
		}
	}
	if (s->ctx->conf.approval != NULL)
		approval_conn_closed(s->ctx->conf.approval, s->caller.conn);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->ctx->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	free(s);
}

/* Replies still owed to the client. */
int
proto_session_inflight(struct proto_session *s)
{
	return (s->nreply);
}

/* The negotiated version. */
const char *
proto_session_version(struct proto_session *s)
{
	if (s->version == V_MODERN)
		return (PROTO_MODERN);
	return (s->version < 0 ? NULL : proto_versions[s->version]);
}

/* The request whose output is being sent, or NULL. */
const json_t *
proto_session_related(struct proto_session *s)
{
	return (s->related);
}

/* Who the session's calls run as. */
const struct rt_caller *
proto_session_caller(struct proto_session *s)
{
	return (&s->caller);
}

/* Answers an oversized line. */
void
proto_session_toobig(struct proto_session *s, size_t max)
{
	struct proto_req r = { NULL, NULL, NULL };

	reply_errorf(s, &r, JR_INVALID_REQUEST,
	    "Invalid Request: message larger than %zu bytes", max);
}

/* Finds the method for a request or a notification. */
static const struct proto_method *
route(const struct proto_method *table, const char *name, bool notification)
{
	const struct proto_method *pm;

	for (pm = table; pm->name != NULL; pm++) {
		if (((pm->flags & PM_NOTIFY) != 0) == notification &&
		    strcmp(pm->name, name) == 0)
			return (pm);
	}
	return (NULL);
}

/*
 * Fixes the era on the first request: modern when it is server/discover
 * or subscriptions/listen or carries a protocol version in _meta, legacy
 * otherwise (initialize always).
 */
static void
choose_era(struct proto_session *s, struct jr_msg *m)
{
	json_t *meta;

	if (s->era != ERA_NONE)
		return;
	meta = json_object_get(m->params, "_meta");
	if (strcmp(m->method, "initialize") != 0 &&
	    (strcmp(m->method, "server/discover") == 0 ||
	    strcmp(m->method, "subscriptions/listen") == 0 ||
	    json_object_get(meta, META_VERSION) != NULL)) {
		s->era = ERA_MODERN;
		s->methods = modern_methods;
		s->version = V_MODERN;
	} else
		s->era = ERA_LEGACY;
}

/* Modern: who the client is, from the connection's first request only. */
static void
identify_modern(struct proto_session *s, json_t *meta)
{
	json_t *info = json_object_get(meta, META_INFO);
	const char *name, *ver;
	char label[sizeof s->caller.client];

	name = json_string_value(json_object_get(info, "name"));
	ver = json_string_value(json_object_get(info, "version"));
	if (name == NULL)
		return;
	snprintf(label, sizeof label, "%s%s%s", name, ver != NULL ? "/" : "",
	    ver != NULL ? ver : "");
	copy_label(s->caller.client, sizeof s->caller.client, label);
	s->caller.label[0] = '\0';
	if ((s->flags & PROTO_PEER_RACKTOP) &&
	    strcmp(name, PROTO_CLI_NAME) == 0)
		s->caller.source = RT_SRC_CLI;
	log_debug("mcp: session uid=%u pid=%d exe=%s client=%s: version %s%s",
	    (unsigned)s->caller.uid, (int)s->caller.pid, s->caller.exe,
	    s->caller.client, PROTO_MODERN,
	    s->caller.source == RT_SRC_CLI ? " (cli)" : "");
}

/*
 * Modern: checks the request's _meta (-32602 when the version or the
 * capabilities are missing, -32022 for a version not served); false
 * when answered.
 */
static bool
check_meta(struct proto_session *s, struct proto_req *r)
{
	json_t *meta = json_object_get(r->params, "_meta");
	json_t *ver = json_object_get(meta, META_VERSION);
	const char *want;
	int v;

	if (!json_is_object(meta) || ver == NULL ||
	    !json_is_object(json_object_get(meta, META_CAPS))) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: _meta "
		    "must carry " META_VERSION " and " META_CAPS);
		return (false);
	}
	if ((want = json_string_value(ver)) == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: "
		    META_VERSION " must be a string");
		return (false);
	}
	for (v = 0; proto_modern_versions[v] != NULL; v++) {
		if (strcmp(want, proto_modern_versions[v]) == 0)
			return (true);
	}
	reply_error_data(s, r, JR_UNSUPPORTED_VERSION, "Unsupported protocol "
	    "version", json_pack("{s:o, s:s}", "supported", all_versions(),
	    "requested", want));
	return (false);
}

/* Routes one classified request or notification to its handler. */
static void
dispatch(struct proto_session *s, struct jr_msg *m, struct batch *b)
{
	struct proto_req r;
	const struct proto_method *pm;
	bool note = m->kind == JR_NOTIFICATION;

	r.id = m->id;
	r.params = m->params;
	r.batch = b;
	if (!note)
		choose_era(s, m);
	if (!note && s->era == ERA_MODERN && !s->ready) {
		s->ready = true;	/* modern: identified */
		identify_modern(s, json_object_get(m->params, "_meta"));
	}
	pm = route(s->methods, m->method, note);
	if (note) {
		/* Unknown or malformed notifications are ignored. */
		if (pm != NULL && (r.params == NULL || json_is_object(r.params)))
			pm->fn(s, &r);
		return;
	}
	if (pm == NULL) {
		reply_errorf(s, &r, JR_METHOD_NOT_FOUND, "Method not found: %s",
		    m->method);
		return;
	}
	if (s->version < 0 && !(pm->flags & PM_PREINIT)) {
		reply_error(s, &r, JR_INVALID_REQUEST, "Invalid Request: not "
		    "initialized; send initialize first");
		return;
	}
	if (r.params != NULL && !json_is_object(r.params)) {
		reply_error(s, &r, JR_INVALID_PARAMS,
		    "Invalid params: params must be an object");
		return;
	}
	if (s->era == ERA_MODERN && !(pm->flags & PM_NOMETA) &&
	    !check_meta(s, &r))
		return;
	s->related = r.id;
	pm->fn(s, &r);
	s->related = NULL;
}

/* Handles a JSON array: a batch where 2025-03-26 was negotiated. */
static void
handle_batch(struct proto_session *s, json_t *array)
{
	struct proto_req r = { NULL, NULL, NULL };
	/* Zeroed: jr_classify compares em.root with each element. */
	struct jr_msg em = { 0 };
	struct batch *b;
	json_t *el;
	size_t i;

	if (s->version != V_2025_03_26) {
		reply_error(s, &r, JR_INVALID_REQUEST, "Invalid Request: "
		    "batches are only accepted with protocol version "
		    "2025-03-26");
		return;
	}
	if (json_array_size(array) == 0) {
		reply_error(s, &r, JR_INVALID_REQUEST,
		    "Invalid Request: empty batch");
		return;
	}
	b = xcalloc(1, sizeof *b);
	b->refs = 1;
	b->replies = json_array();
	json_array_foreach(array, i, el) {
		jr_classify(el, &em);
		r.id = em.id;
		r.batch = b;
		if (em.kind == JR_INVALID)
			reply_error(s, &r, em.code, em.error);
		else if (em.kind == JR_BATCH)
			reply_error(s, &r, JR_INVALID_REQUEST,
			    "Invalid Request: nested batch");
		else if (em.kind == JR_REQUEST &&
		    strcmp(em.method, "initialize") == 0)
			reply_error(s, &r, JR_INVALID_REQUEST,
			    "Invalid Request: initialize cannot be batched");
		else if (em.kind != JR_RESPONSE)
			dispatch(s, &em, b);
	}
	batch_unref(s, b);
}

/* Handles one input line. */
int
proto_session_input(struct proto_session *s, const char *line, size_t len)
{
	struct proto_req r = { NULL, NULL, NULL };
	struct jr_msg m;

	jr_parse(line, len, &m);
	switch (m.kind) {
	case JR_INVALID:
		r.id = m.id;
		reply_error(s, &r, m.code, m.error);
		break;
	case JR_REQUEST:
	case JR_NOTIFICATION:
		dispatch(s, &m, NULL);
		break;
	case JR_BATCH:
		handle_batch(s, m.root);
		break;
	case JR_RESPONSE:
		/* Answers to our elicitation/create requests. */
		on_response(s, &m);
		break;
	}
	jr_msg_clear(&m);
	return (0);
}

/* Which tools/list shape a version gets. */
static int
tool_shape(int version)
{
	if (version <= V_2024_11_05)
		return (0);
	if (version == V_2025_03_26)
		return (1);
	if (version == V_MODERN)
		return (3);
	return (2);
}

/* Removes the members a version does not define from a Tool. */
static void
shape_tool(json_t *t, int shape)
{
	if (shape < 2) {
		json_object_del(t, "title");
		json_object_del(t, "outputSchema");
		json_object_del(json_object_get(t, "annotations"), "title");
	}
	if (shape < 1)
		json_object_del(t, "annotations");
}

/*
 * Lists idempotency_key among a write tool's arguments: call_check takes
 * it out before the tool's own schema sees them (idempotency.h).
 */
static void
add_idempotency_key(json_t *t, const struct rt_tool *tool)
{
	json_t *props = json_object_get(json_object_get(t, "inputSchema"),
	    "properties");

	if ((tool->flags & RT_READ_ONLY) || !json_is_object(props) ||
	    json_object_get(props, "idempotency_key") != NULL)
		return;
	json_object_set_new(props, "idempotency_key", json_pack("{s:s, "
	    "s:i, s:i, s:s}", "type", "string", "minLength", 1, "maxLength",
	    200, "description", "Makes a retry safe: a repeat of this call "
	    "with the same key, by the same caller, within 10 minutes "
	    "returns the first outcome instead of acting again."));
}

/* The text of one tools/list result page, built once. */
static const char *
page_text(struct proto_ctx *ctx, int shape, size_t page, size_t *len)
{
	size_t per = (size_t)ctx->conf.tools_page, start, end, i;
	const struct registry_tool *rt;
	json_t *o, *tools, *t;
	char next[32];

	if (ctx->pages[shape][page] != NULL) {
		*len = ctx->page_len[shape][page];
		return (ctx->pages[shape][page]);
	}
	start = page * per;
	end = start + per < ctx->ntools ? start + per : ctx->ntools;
	tools = json_array();
	for (i = start; i < end; i++) {
		rt = registry_tool_at(ctx->reg, ctx->listed[i]);
		t = registry_tool_json(rt);
		add_idempotency_key(t, rt->tool);
		shape_tool(t, shape);
		json_array_append_new(tools, t);
	}
	o = json_pack("{s:o}", "tools", tools);
	if (end < ctx->ntools) {
		snprintf(next, sizeof next, "%zu", end);
		json_object_set_new(o, "nextCursor", json_string(next));
	}
	if (shape == 3)
		json_object_set_new(o, "resultType", json_string("complete"));
	if (shape == 3)
		json_object_set_new(o, "ttlMs", json_integer(TTL_STATIC_MS));
	if (shape == 3)
		json_object_set_new(o, "cacheScope", json_string("public"));
	ctx->pages[shape][page] = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (ctx->pages[shape][page] == NULL)
		fatalx("tools/list: cannot encode page %zu", page);
	ctx->page_len[shape][page] = strlen(ctx->pages[shape][page]);
	*len = ctx->page_len[shape][page];
	return (ctx->pages[shape][page]);
}

/*
 * Whether client capabilities allow form elicitation: an elicitation
 * object with "form", or with neither mode (form, before modes existed).
 */
static bool
caps_elicit(const json_t *caps)
{
	json_t *e = json_object_get(caps, "elicitation");

	return (json_is_object(e) && (json_object_get(e, "form") != NULL ||
	    json_object_get(e, "url") == NULL));
}

/* initialize: negotiates the version, records who the client is. */
static void
m_initialize(struct proto_session *s, struct proto_req *r)
{
	json_t *info, *result, *server;
	const char *want, *name, *ver;
	char label[sizeof s->caller.client];
	int v;

	if (s->version >= 0) {
		reply_error(s, r, JR_INVALID_REQUEST,
		    "Invalid Request: already initialized");
		return;
	}
	want = json_string_value(json_object_get(r->params,
	    "protocolVersion"));
	if (want == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: "
		    "protocolVersion (a string) is required");
		return;
	}
	for (v = NVERSIONS - 1; v > 0; v--) {
		if (strcmp(want, proto_versions[v]) == 0)
			break;
	}
	if (strcmp(want, proto_versions[v]) != 0)
		v = NVERSIONS - 1;	/* unknown: offer our newest */

	info = json_object_get(r->params, "clientInfo");
	name = json_string_value(json_object_get(info, "name"));
	ver = json_string_value(json_object_get(info, "version"));
	if (name != NULL) {
		snprintf(label, sizeof label, "%s%s%s", name,
		    ver != NULL ? "/" : "", ver != NULL ? ver : "");
		copy_label(s->caller.client, sizeof s->caller.client, label);
		s->caller.label[0] = '\0';
		if ((s->flags & PROTO_PEER_RACKTOP) &&
		    strcmp(name, PROTO_CLI_NAME) == 0)
			s->caller.source = RT_SRC_CLI;
	}

	/* Elicitation exists from 2025-06-18 on. */
	s->elicit = v >= V_2025_06_18 && caps_elicit(json_object_get(
	    r->params, "capabilities"));
	s->sampling = json_is_object(json_object_get(json_object_get(
	    r->params, "capabilities"), "sampling"));
	server = json_pack("{s:s, s:s}", "name", "racktop",
	    "version", PACKAGE_VERSION);
	if (v >= V_2025_06_18)
		json_object_set_new(server, "title", json_string("racktop"));
	result = json_pack("{s:s, s:o, s:o}",
	    "protocolVersion", proto_versions[v],
	    "capabilities", capabilities(v), "serverInfo", server);
	if (v >= V_2025_03_26)
		json_object_set_new(result, "instructions",
		    json_string(instructions));
	s->version = v;
	log_debug("mcp: session uid=%u pid=%d exe=%s client=%s: version %s%s",
	    (unsigned)s->caller.uid, (int)s->caller.pid, s->caller.exe,
	    s->caller.client, proto_versions[v],
	    s->caller.source == RT_SRC_CLI ? " (cli)" : "");
	reply_result(s, r, result);
}

/* notifications/initialized: the client is ready. */
static void
n_initialized(struct proto_session *s, struct proto_req *r)
{
	(void)r;
	s->ready = true;
}

/* ping: an empty result. */
static void
m_ping(struct proto_session *s, struct proto_req *r)
{
	reply_text(s, r, "{}", 2);
}

/* logging/setLevel: the least severe level the client wants. */
static void
m_set_level(struct proto_session *s, struct proto_req *r)
{
	const char *level;
	int i;

	level = json_string_value(json_object_get(r->params, "level"));
	for (i = 0; level != NULL && log_levels[i] != NULL; i++) {
		if (strcmp(level, log_levels[i]) == 0) {
			s->log_level = i;
			reply_text(s, r, "{}", 2);
			return;
		}
	}
	reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: level must be "
	    "one of debug, info, notice, warning, error, critical, alert, "
	    "emergency");
}

/* tools/list: one page of the catalog, in registry order. */
static void
m_tools_list(struct proto_session *s, struct proto_req *r)
{
	struct proto_ctx *ctx = s->ctx;
	size_t per = (size_t)ctx->conf.tools_page, index = 0, len;
	json_t *jc = json_object_get(r->params, "cursor");
	const char *cursor, *text, *p;

	if (jc != NULL && !json_is_null(jc)) {
		if ((cursor = json_string_value(jc)) == NULL)
			goto bad;
		/* Cursors are page starts we issued: 1 ... ntools-1. */
		if (*cursor == '\0' || strlen(cursor) > 9)
			goto bad;
		for (p = cursor; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			index = index * 10 + (size_t)(*p - '0');
		}
		if (cursor[0] == '0' || index >= ctx->ntools ||
		    index % per != 0)
			goto bad;
	}
	text = page_text(ctx, tool_shape(s->version), index / per, &len);
	reply_text(s, r, text, len);
	return;

bad:
	reply_error(s, r, JR_INVALID_PARAMS,
	    "Invalid params: cursor is not one this server returned");
}

/* Takes a pending record from the free list. */
static struct pending *
pending_get(struct proto_ctx *ctx)
{
	struct pending *p = ctx->spare;

	if (p != NULL)
		ctx->spare = p->next;
	else
		p = xmalloc(sizeof *p);
	memset(p, 0, sizeof *p);
	return (p);
}

/* Returns a pending record to the free list. */
static void
pending_put(struct proto_ctx *ctx, struct pending *p)
{
	json_decref(p->id);
	json_decref(p->token);
	p->next = ctx->spare;
	ctx->spare = p;
}

/* Unlinks a pending record from its session. */
static void
pending_unlink(struct pending *p)
{
	struct proto_session *s = p->s;

	if (s == NULL)
		return;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->inflight = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	s->nflight--;
	if (!p->cancelled)
		s->nreply--;
}

/* Worker thread: queues a progress event behind which the call returns. */
static void
progress_cb(struct job *j, double progress, double total,
    const char *message)
{
	size_t n = message != NULL ? strlen(message) : 0;
	struct progress_ev *ev = xmalloc(sizeof *ev + n + 1);

	job_init(&ev->job, progress_marker, ev, NULL);
	ev->call = j->arg;
	ev->progress = progress;
	ev->total = total;
	ev->has_message = message != NULL;
	memcpy(ev->message, message != NULL ? message : "", n + 1);
	job_queue_push(j->done, &ev->job);
}

/* Worker thread: queues a tool's log message behind which it returns. */
static void
log_cb(struct rt_call *c, int level, const char *message)
{
	size_t n = strlen(message);
	struct log_ev *ev = xmalloc(sizeof *ev + n + 1);

	job_init(&ev->job, log_marker, ev, NULL);
	ev->call = c;
	ev->level = level;
	memcpy(ev->message, message, n + 1);
	job_queue_push(c->job.done, &ev->job);
}

/* Sends a tool's log message, when the client's level lets it through. */
static void
on_log(struct log_ev *ev)
{
	struct pending *p = ev->call->owner;
	struct proto_session *s = p->s;
	int level = ev->level;

	if (s == NULL || p->cancelled || level < 0 || level > LOG_ERROR)
		return;
	if (s->era == ERA_MODERN) {
		/* Per request (_meta logLevel), as log_failure does. */
		if (p->log_level < 0 || level < p->log_level)
			return;
		s->log_level = p->log_level;
	}
	s->related = p->id;
	session_log(s, level, json_pack("{s:s, s:s}", "tool",
	    ev->call->rt->tool->name, "message", ev->message));
	s->related = NULL;
	if (s->era == ERA_MODERN)
		s->log_level = -1;
}

/* A number as an integer when it is one (progress 1 rather than 1.0). */
static json_t *
number(double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return (json_integer((json_int_t)d));
	return (json_real(d));
}

/* Sends one progress event, if its call still wants it. */
static void
on_progress(struct proto_ctx *ctx, struct progress_ev *ev)
{
	struct pending *p = ev->call->owner;
	struct proto_session *s = p->s;
	json_t *params;

	(void)ctx;
	if (s == NULL || p->cancelled || p->token == NULL ||
	    !isfinite(ev->progress) ||
	    (p->has_progress && ev->progress <= p->last_progress))
		return;
	p->has_progress = true;
	p->last_progress = ev->progress;
	params = json_pack("{s:O, s:o}", "progressToken", p->token,
	    "progress", number(ev->progress));
	if (isfinite(ev->total) && ev->total > 0)
		json_object_set_new(params, "total", number(ev->total));
	if (ev->has_message && s->version >= V_2025_03_26)
		json_object_set_new(params, "message",
		    json_string(ev->message));
	s->related = p->id;
	notify(s, "notifications/progress", params);
	s->related = NULL;
	json_decref(params);
}

/* Shapes a CallToolResult for the session's version. */
static void
shape_result(struct proto_session *s, json_t *result)
{
	if (s->version < V_2025_06_18)
		json_object_del(result, "structuredContent");
	if (s->era == ERA_MODERN)
		json_object_set_new(result, "resultType",
		    json_string("complete"));
}

/* Logs a failed call to the client, when it asked for logs. */
static void
log_failure(struct proto_session *s, struct rt_call *c, int level, int want)
{
	const char *why = c->error;

	if (s->era == ERA_MODERN) {
		/* Per request (_meta logLevel); session_log checks s's. */
		if (want < 0 || level < want)
			return;
		s->log_level = want;
	}
	if (s->log_level < 0 || level < s->log_level)
		return;
	if (why == NULL)
		why = c->job.outcome == JOB_EXPIRED ? "timed out" : "failed";
	session_log(s, level, json_pack("{s:s, s:s}", "tool",
	    c->rt->tool->name, "error", why));
	if (s->era == ERA_MODERN)
		s->log_level = -1;
}

/* Appends a string literal. */
#define PUT(b, lit) jr_buf_append((b), (lit), sizeof(lit) - 1)

/*
 * Sends a successful call's CallToolResult, the same JSON as
 * call_result() builds, without building it as a tree: the structured
 * result is dumped once and written twice, escaped as the text content
 * and as structuredContent (the hot path of every read).
 */
static void
reply_call_ok(struct proto_session *s, const json_t *id,
    const struct rt_call *c)
{
	struct jr_buf *b = &s->ctx->out, *t = &s->ctx->tmp;
	const char *json, *esc;
	size_t json_len, esc_len;

	if (c->text.data != NULL) {
		/* The worker wrote both forms (call.h). */
		json = c->text.data;
		json_len = c->text_json;
		esc = json + json_len;
		esc_len = c->text.len - json_len;
	} else {
		t->len = 0;
		jr_put_json(t, c->result);
		json_len = t->len;
		jr_put_escaped(t, t->data, json_len);
		json = t->data;
		esc = json + json_len;
		esc_len = t->len - json_len;
	}
	PUT(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	jr_put_id(b, id);
	PUT(b, ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"");
	jr_buf_append(b, esc, esc_len);
	PUT(b, "\"}]");
	if (s->version >= V_2025_06_18) {
		PUT(b, ",\"structuredContent\":");
		jr_buf_append(b, json, json_len);
	}
	if (s->era == ERA_MODERN)
		PUT(b, ",\"resultType\":\"complete\"");
	PUT(b, ",\"isError\":false}}\n");
	jr_buf_reset(t, 1024 * 1024);
	flush_out(s);
}

/* A call came back from the pool: reply, unless nobody waits. */
static void
on_done(struct proto_ctx *ctx, struct rt_call *c)
{
	struct pending *p = c->owner;
	struct proto_session *s = p->s;
	struct proto_req r;
	json_t *result;

	if (p->preview == c) {
		ask_described(ctx, p);
		return;
	}
	ctx->outstanding--;
	if (c->ask != NULL && !c->done && c->job.outcome == JOB_DONE &&
	    s != NULL && !p->cancelled && ask_tool(s, p))
		return;
	pending_unlink(p);
	if (s != NULL)
		s->related = p->id;
	if (s != NULL && !p->cancelled && p->batch == NULL &&
	    !call_failed(c) && json_is_object(c->result) && c->content == NULL)
		reply_call_ok(s, p->id, c);
	else if (s != NULL && !p->cancelled) {
		r.id = p->id;
		r.params = NULL;
		r.batch = p->batch;
		result = call_result(c);
		shape_result(s, result);
		reply_result(s, &r, result);
		if (call_failed(c))
			log_failure(s, c, LOG_ERROR, p->log_level);
	}
	if (p->batch != NULL)
		batch_unref(s, p->batch);
	if (s != NULL)
		s->related = NULL;
	call_free(c);
	pending_put(ctx, p);
}

/* Handles every call and progress event that came back. */
void
proto_ctx_complete(struct proto_ctx *ctx)
{
	struct job *j, *next;

	for (j = job_queue_take(ctx->done); j != NULL; j = next) {
		next = j->next;
		if (j->run == progress_marker) {
			on_progress(ctx, j->arg);
			free(j->arg);
		} else if (j->run == log_marker) {
			on_log(j->arg);
			free(j->arg);
		} else if (j->run == res_marker) {
			on_updated(ctx, j->arg);
			free(j->arg);
		} else
			on_done(ctx, j->arg);
	}
}

/* Modern: the log level a request asked for in _meta, or -1. */
static int
request_log_level(struct proto_req *r)
{
	const char *level = json_string_value(json_object_get(
	    json_object_get(r->params, "_meta"), META_LOG));
	int i;

	for (i = 0; level != NULL && log_levels[i] != NULL; i++) {
		if (strcmp(level, log_levels[i]) == 0)
			return (i);
	}
	return (-1);
}

/* Takes one call from the session's rate bucket; false when empty. */
static bool
rate_take(struct proto_session *s)
{
	int rate = s->ctx->conf.rate_per_s;
	int64_t now;

	if (rate <= 0)
		return (true);
	now = clock_mono_ms();
	s->tokens += (double)(now - s->refill_ms) * rate / 1000.0;
	s->refill_ms = now;
	if (s->tokens > rate)
		s->tokens = rate;
	if (s->tokens < 1.0)
		return (false);
	s->tokens -= 1.0;
	return (true);
}

/* Hands a checked call to the pool, or runs it here without one. */
static void
submit(struct proto_ctx *ctx, struct rt_call *c)
{
	struct pending *p = c->owner;

	c->want_text = p != NULL && p->batch == NULL;
	if (p != NULL)
		c->log = log_cb;
	if (ctx->pool != NULL) {
		call_submit(c, ctx->pool, ctx->done);
		return;
	}
	c->job.done = ctx->done;
	call_run_here(c);
	job_queue_push(ctx->done, &c->job);
}

/* Answers (when reply) a held call that will not run; forgets it. */
static void
held_finish(struct proto_ctx *ctx, struct pending *p, bool reply)
{
	struct proto_session *s = p->s;
	struct rt_call *c = p->call;
	struct proto_req r;
	json_t *result;

	pending_unlink(p);
	if (s != NULL && reply) {
		s->related = p->id;
		r.id = p->id;
		r.params = NULL;
		r.batch = p->batch;
		result = call_result(c);
		shape_result(s, result);
		reply_result(s, &r, result);
		log_failure(s, c, LOG_WARNING, p->log_level);
	}
	if (p->batch != NULL)
		batch_unref(s, p->batch);
	if (s != NULL)
		s->related = NULL;
	call_free(c);
	pending_put(ctx, p);
}

/*
 * Sends "waiting for operator approval" as progress, each value above the
 * last (the spec requires increase), when the call has a progress token.
 */
static void
held_progress(struct proto_session *s, struct pending *p, const char *msg)
{
	json_t *params;
	double v = p->has_progress ? p->last_progress + 1 : 0;

	if (p->token == NULL)
		return;
	p->has_progress = true;
	p->last_progress = v;
	params = json_pack("{s:O, s:o}", "progressToken", p->token,
	    "progress", number(v));
	if (s->version >= V_2025_03_26)
		json_object_set_new(params, "message", json_string(msg));
	s->related = p->id;
	notify(s, "notifications/progress", params);
	s->related = NULL;
	json_decref(params);
}

/* The operator (or the clock) decided on a held call. */
static void
held_resolve(struct rt_call *c, enum approval_end end, void *arg)
{
	struct pending *p = arg;
	struct proto_ctx *ctx = p->s->ctx;

	p->hold = NULL;
	if (end != APPROVAL_APPROVED) {
		held_finish(ctx, p, true);
		return;
	}
	ctx->outstanding++;
	submit(ctx, c);
}

/* Still held: tells the client, so it knows (and its timer may reset). */
static void
held_waiting(struct rt_call *c, int64_t left_ms, void *arg)
{
	struct pending *p = arg;
	char msg[96];

	(void)c;
	if (p->s == NULL)
		return;
	snprintf(msg, sizeof msg, "waiting for operator approval (%lld s "
	    "left)", (long long)((left_ms + 999) / 1000));
	held_progress(p->s, p, msg);
}

static const struct approval_ops held_ops = { held_resolve, held_waiting };

/*
 * Holds a call for the operator; p is linked into the session. The call
 * may be resolved (refused) before this returns.
 */
static void
held_start(struct proto_session *s, struct pending *p)
{
	struct approval_hold *h;

	held_progress(s, p, "waiting for operator approval");
	/* NULL: refused at once, and p is already recycled. */
	h = approval_hold(s->ctx->conf.approval, p->call, &held_ops, p);
	if (h != NULL)
		p->hold = h;
}

/*
 * Asking the agent's user through elicitation, when no dashboard is
 * there (headless, lazy): describe runs first on a worker, as a dry run,
 * so the question can name the request the call would make; then the
 * legacy era sends elicitation/create on the agent's own connection and
 * holds the call here until the answer, and the 2026-07-28 era answers
 * input_required with an HMAC-protected requestState (reqstate.h) that
 * the client's retry must bring back with the answer.
 */

/* Whether an operator sits at a dashboard to decide held calls. */
static bool
operator_present(struct proto_ctx *ctx)
{
	return (ctx->conf.approval != NULL &&
	    approval_attached(ctx->conf.approval));
}

/* Whether this request's client can be asked (form elicitation). */
static bool
can_ask(struct proto_session *s, struct proto_req *r)
{
	if (s->era == ERA_MODERN)
		return (caps_elicit(json_object_get(json_object_get(r->params,
		    "_meta"), META_CAPS)));
	return (s->elicit);
}

/*
 * An elicitation answer: 1 approve, 0 refuse (*action says how), -1 no
 * usable answer.
 */
static int
ask_answer(const json_t *res, const char **action)
{
	const char *a = json_string_value(json_object_get(res, "action"));

	*action = a;
	if (a == NULL)
		return (-1);
	if (strcmp(a, "accept") == 0) {
		if (json_is_true(json_object_get(json_object_get(res,
		    "content"), "approve")))
			return (1);
		*action = "accept, approve false";
		return (0);
	}
	if (strcmp(a, "decline") == 0 || strcmp(a, "cancel") == 0)
		return (0);
	return (-1);
}

/* The elicitation/create params asking to approve c; describe borrowed. */
static json_t *
ask_params(struct proto_session *s, struct rt_call *c, const char *describe)
{
	const char *target = NULL;
	json_t *args, *params;
	char *argtext, *msg;

	args = audit_redact(c->args);
	argtext = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(args);
	target = json_string_value(json_object_get(c->args, "target"));
	xasprintf(&msg, "racktop: an agent (%s, pid %d, %s) asks to run %s%s%s "
	    "with arguments %s. The request it would make: %s. Approve it?",
	    c->caller.client[0] != '\0' ? c->caller.client : "no name",
	    (int)c->caller.pid, c->caller.exe[0] != '\0' ? c->caller.exe :
	    "?", c->rt->tool->name, target != NULL ? " on " : "",
	    target != NULL ? target : "", argtext != NULL ? argtext : "{}",
	    describe);
	free(argtext);
	params = json_pack("{s:s, s:{s:s, s:{s:{s:s, s:s, s:s, s:b}}, "
	    "s:[s]}}", "message", msg, "requestedSchema", "type", "object",
	    "properties", ASK_KEY, "type", "boolean", "title", "Approve",
	    "description", c->rt->tool->name, "default", 0, "required",
	    ASK_KEY);
	free(msg);
	if (s->era == ERA_MODERN || s->version > V_2025_06_18)
		json_object_set_new(params, "mode", json_string("form"));
	return (params);
}

/* Fails an asked call that will never run; audited. */
static void
ask_withdraw(struct pending *p, const char *why)
{
	char decision[96];

	p->ask = ASK_NONE;
	call_fail(p->call, "withdrawn before approval: %s", why);
	p->call->done = true;
	snprintf(decision, sizeof decision, "withdrawn: %s", why);
	call_decided(p->call, decision, "elicitation");
}

/* Tells the client that our question no longer needs an answer. */
static void
ask_cancel_request(struct proto_session *s, struct pending *p,
    const char *why)
{
	json_t *params;

	params = json_pack("{s:s, s:s}", "requestId", p->ask_id, "reason",
	    why);
	notify(s, "notifications/cancelled", params);
	json_decref(params);
}

/* How an asked call ends. */
#define ASK_APPROVED 1
#define ASK_DENIED 0		/* the user said no: a keyed retry too */
#define ASK_FAILED (-1)		/* no usable answer */
#define ASK_TIMED_OUT (-2)

/* The user answered (or not): run the call or end it with an error. */
static void
ask_resolve(struct proto_ctx *ctx, struct pending *p, int end,
    const char *detail, const char *message)
{
	struct rt_call *c = p->call;

	p->ask = ASK_NONE;
	if (end == ASK_APPROVED) {
		call_decided(c, "approved", detail);
		ctx->outstanding++;
		submit(ctx, c);
		return;
	}
	call_fail(c, "%s", message);
	c->done = true;
	if (end == ASK_DENIED)
		call_remember(c);
	call_decided(c, end == ASK_TIMED_OUT ? "timed out" : "denied",
	    detail);
	held_finish(ctx, p, true);
}

/*
 * The capability a client declares to take a server-initiated request,
 * or NULL when racktop knows of none.
 */
static bool
client_takes(struct proto_session *s, const char *method)
{
	if (strcmp(method, "elicitation/create") == 0)
		return (s->elicit);
	if (strcmp(method, "sampling/createMessage") == 0)
		return (s->sampling);
	return (false);
}

/*
 * A call came back asking its client something (call_ask): sends the
 * request and keeps the call for the answer. false when it cannot be
 * asked: the call has failed and is answered as usual.
 */
static bool
ask_tool(struct proto_session *s, struct pending *p)
{
	struct proto_ctx *ctx = s->ctx;
	struct rt_call *c = p->call;
	const char *method = json_string_value(json_object_get(c->ask,
	    "method"));
	json_t *req;

	if (s->era == ERA_MODERN || !client_takes(s, method)) {
		call_fail(c, "%s needs to send %s to the client, which did not "
		    "declare that capability%s", c->rt->tool->name, method,
		    s->era == ERA_MODERN ? " (stateless requests cannot "
		    "carry it)" : "");
		c->done = true;
		call_decided(c, "failed", "client request: no capability");
		return (false);
	}
	snprintf(p->ask_id, sizeof p->ask_id, "racktop-ask-%llu",
	    (unsigned long long)++ctx->next_ask);
	p->ask = ASK_TOOL;
	p->ask_deadline = clock_mono_ms() + ctx->ask_timeout_ms;
	req = json_pack("{s:s, s:s, s:s, s:O}", "jsonrpc", "2.0", "id",
	    p->ask_id, "method", method, "params", json_object_get(c->ask,
	    "params"));
	jr_put_json(&ctx->out, req);
	jr_buf_append(&ctx->out, "\n", 1);
	json_decref(req);
	s->related = p->id;
	flush_out(s);
	s->related = NULL;
	return (true);
}

/*
 * The client answered a tool's request (answer borrowed), or failed to
 * (why): runs the tool's next step, or ends the call with why.
 */
static void
ask_tool_end(struct proto_ctx *ctx, struct pending *p, const json_t *answer,
    const char *why)
{
	struct rt_call *c = p->call;

	p->ask = ASK_NONE;
	json_decref(c->ask);
	c->ask = NULL;
	if (why != NULL) {
		call_fail(c, "%s: %s", c->rt->tool->name, why);
		c->done = true;
		call_decided(c, "failed", "client request: no answer");
		held_finish(ctx, p, true);
		return;
	}
	json_decref(c->answer);
	c->answer = json_deep_copy(answer);
	ctx->outstanding++;
	submit(ctx, c);
}

/* An answer to one of our elicitation/create requests. */
static void
on_response(struct proto_session *s, struct jr_msg *m)
{
	const char *id = json_string_value(m->id), *action, *emsg;
	json_t *res = json_object_get(m->root, "result"), *err;
	struct pending *p;
	char detail[96], message[256];
	int verdict;

	if (id == NULL)
		return;
	for (p = s->inflight; p != NULL; p = p->next) {
		if ((p->ask == ASK_ELICIT || p->ask == ASK_TOOL) &&
		    strcmp(p->ask_id, id) == 0)
			break;
	}
	if (p == NULL)
		return;		/* withdrawn already, or not ours */
	if (p->ask == ASK_TOOL) {
		err = json_object_get(m->root, "error");
		emsg = json_string_value(json_object_get(err, "message"));
		snprintf(message, sizeof message, "the client answered %s "
		    "with an error: %s", json_string_value(json_object_get(
		    p->call->ask, "method")), emsg != NULL ? emsg : "error");
		ask_tool_end(s->ctx, p, json_is_object(res) ? res : NULL,
		    err != NULL || !json_is_object(res) ? message : NULL);
		return;
	}
	if ((err = json_object_get(m->root, "error")) != NULL) {
		emsg = json_string_value(json_object_get(err, "message"));
		snprintf(message, sizeof message, "not approved: the client "
		    "could not ask its user (%s)", emsg != NULL ? emsg :
		    "error");
		ask_resolve(s->ctx, p, ASK_FAILED, "elicitation: error",
		    message);
		return;
	}
	verdict = ask_answer(res, &action);
	if (verdict < 0) {
		ask_resolve(s->ctx, p, ASK_FAILED, "elicitation: no answer",
		    "not approved: the elicitation answer carried no action");
		return;
	}
	snprintf(detail, sizeof detail, "elicitation: %s", action);
	ask_resolve(s->ctx, p, verdict == 1 ? ASK_APPROVED : ASK_DENIED,
	    detail, "denied by operator");
}

/* Modern: answers input_required, asking for approval; p is done. */
static void
ask_input_required(struct proto_session *s, struct pending *p,
    const char *describe)
{
	struct rt_call *c = p->call;
	struct proto_req r;
	json_t *result;
	char *state;

	state = reqstate_mint(s->ctx->rs, &c->caller, c->rt->tool->name,
	    c->args);
	result = json_pack("{s:s, s:{s:{s:s, s:o}}, s:s}", "resultType",
	    "input_required", "inputRequests", ASK_KEY, "method",
	    "elicitation/create", "params", ask_params(s, c, describe),
	    "requestState", state);
	free(state);
	r.id = p->id;
	r.params = NULL;
	r.batch = p->batch;
	reply_result(s, &r, result);
	p->ask = ASK_NONE;
	held_finish(s->ctx, p, false);
}

/* Legacy: sends elicitation/create and holds the call for the answer. */
static void
ask_elicit(struct proto_session *s, struct pending *p, const char *describe)
{
	struct proto_ctx *ctx = s->ctx;
	json_t *req;

	snprintf(p->ask_id, sizeof p->ask_id, "racktop-approval-%llu",
	    (unsigned long long)++ctx->next_ask);
	p->ask = ASK_ELICIT;
	p->ask_deadline = clock_mono_ms() + ctx->ask_timeout_ms;
	req = json_pack("{s:s, s:s, s:s, s:o}", "jsonrpc", "2.0", "id",
	    p->ask_id, "method", "elicitation/create", "params",
	    ask_params(s, p->call, describe));
	jr_put_json(&ctx->out, req);
	jr_buf_append(&ctx->out, "\n", 1);
	json_decref(req);
	s->related = p->id;
	flush_out(s);
	s->related = NULL;
}

/* describe came back (or was never needed): ask now, unless withdrawn. */
static void
ask_described(struct proto_ctx *ctx, struct pending *p)
{
	struct rt_call *pv = p->preview;
	struct proto_session *s = p->s;
	char *describe = NULL;

	if (pv != NULL) {
		ctx->outstanding--;
		p->preview = NULL;
		if (pv->error == NULL && pv->result != NULL)
			describe = json_dumps(pv->result, JSON_COMPACT |
			    JSON_SORT_KEYS);
		else
			xasprintf(&describe, "(describe failed: %s)",
			    pv->error != NULL ? pv->error : "no result");
		call_free(pv);
	}
	if (s == NULL || p->cancelled) {
		ask_withdraw(p, s == NULL ? "disconnected" : "cancelled");
		free(describe);
		held_finish(ctx, p, false);
		return;
	}
	if (s->era == ERA_MODERN)
		ask_input_required(s, p, describe != NULL ? describe :
		    "(this tool has no preview)");
	else
		ask_elicit(s, p, describe != NULL ? describe :
		    "(this tool has no preview)");
	free(describe);
}

/* Starts asking: describe first (a dry run on a worker), when there is one. */
static void
ask_start(struct proto_session *s, struct pending *p)
{
	struct proto_ctx *ctx = s->ctx;
	struct rt_call *c = p->call, *pv;
	json_t *args;

	call_decided(c, "held", "elicitation");
	held_progress(s, p, "waiting for approval through the client");
	p->ask = ASK_DESCRIBE;
	if (c->rt->tool->describe == NULL) {
		ask_described(ctx, p);
		return;
	}
	args = json_deep_copy(c->args);
	json_object_set_new(args, "dry_run", json_true());
	pv = call_new(c->rt, args, &c->caller);
	pv->preview = true;	/* describe only: never the tool */
	pv->owner = p;
	p->preview = pv;
	ctx->outstanding++;
	submit(ctx, pv);
}

/*
 * Modern retry carrying a requestState: verifies it and reads the answer.
 * 0: approved (run it); -1: finished (denied); 1: ask again; -2: refused
 * with a JSON-RPC error already sent, c freed.
 */
static int
ask_redeem(struct proto_session *s, struct proto_req *r, struct rt_call *c,
    const char *state)
{
	const char *why, *action;
	char detail[96];
	int verdict;

	if (reqstate_redeem(s->ctx->rs, state, &c->caller, c->rt->tool->name,
	    c->args, &why) != 0) {
		call_fail(c, "requestState refused: %s", why);
		c->done = true;
		call_decided(c, "denied", "requestState refused");
		reply_errorf(s, r, JR_INVALID_PARAMS, "Invalid params: "
		    "requestState refused: %s; call the tool again without it "
		    "to be asked anew", why);
		call_free(c);
		return (-2);
	}
	verdict = ask_answer(json_object_get(json_object_get(r->params,
	    "inputResponses"), ASK_KEY), &action);
	if (verdict < 0)
		return (1);
	snprintf(detail, sizeof detail, "elicitation: %s (requestState)",
	    action);
	if (verdict == 1) {
		call_decided(c, "approved", detail);
		return (0);
	}
	call_fail(c, "denied by operator");
	c->done = true;
	call_remember(c);
	call_decided(c, "denied", detail);
	return (-1);
}

/* The approval broker's fd, or -1. */
int
proto_ctx_approval_fd(struct proto_ctx *ctx)
{
	return (ctx->conf.approval != NULL ?
	    approval_owner_fd(ctx->conf.approval) : -1);
}

/* ms until held or asked calls need attention, or -1. */
int
proto_ctx_approval_ms(struct proto_ctx *ctx)
{
	struct proto_session *s;
	struct pending *p;
	int64_t now = clock_mono_ms(), left;
	int ms = -1;

	if (ctx->conf.approval != NULL) {
		/* Asked before every wait, so the gauge follows every change. */
		metrics_set_pending_approvals(approval_held(
		    ctx->conf.approval));
		ms = approval_next_ms(ctx->conf.approval);
	}
	for (s = ctx->sessions; s != NULL; s = s->next) {
		for (p = s->inflight; p != NULL; p = p->next) {
			if (p->ask != ASK_ELICIT && p->ask != ASK_TOOL)
				continue;
			left = p->ask_deadline - now;
			if (left < 0)
				left = 0;
			if (ms < 0 || left < ms)
				ms = (int)(left > 3600000 ? 3600000 : left);
		}
	}
	return (ms);
}

/* Applies decisions and deadlines to held and asked calls. */
void
proto_ctx_approvals(struct proto_ctx *ctx)
{
	struct proto_session *s;
	struct pending *p;
	char msg[96];
	bool again = true;

	if (ctx->conf.approval != NULL)
		approval_dispatch(ctx->conf.approval);
	/* Each resolve changes a list: look again from the start. */
	while (again) {
		again = false;
		for (s = ctx->sessions; s != NULL && !again; s = s->next) {
			for (p = s->inflight; p != NULL; p = p->next) {
				if ((p->ask != ASK_ELICIT && p->ask != ASK_TOOL) ||
				    p->ask_deadline > clock_mono_ms())
					continue;
				ask_cancel_request(s, p, "timed out");
				if (p->ask == ASK_TOOL) {
					snprintf(msg, sizeof msg, "no answer "
					    "from the client in %lld s",
					    (long long)(ctx->ask_timeout_ms /
					    1000));
					ask_tool_end(ctx, p, NULL, msg);
					again = true;
					break;
				}
				snprintf(msg, sizeof msg, "not approved: timed "
				    "out after %lld s",
				    (long long)(ctx->ask_timeout_ms / 1000));
				ask_resolve(ctx, p, ASK_TIMED_OUT,
				    "elicitation", msg);
				again = true;
				break;
			}
		}
	}
}

/* tools/call: validate, then run on the pool; the reply comes later. */
static void
m_tools_call(struct proto_session *s, struct proto_req *r)
{
	struct proto_ctx *ctx = s->ctx;
	const struct registry_tool *rt;
	json_t *args, *token;
	struct rt_call *c;
	struct pending *p;
	const char *name, *state;
	json_t *result;
	bool ask = false;
	int rv;

	name = json_string_value(json_object_get(r->params, "name"));
	if (name == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS,
		    "Invalid params: name (a string) is required");
		return;
	}
	args = json_object_get(r->params, "arguments");
	if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
		reply_error(s, r, JR_INVALID_PARAMS,
		    "Invalid params: arguments must be an object");
		return;
	}
	if ((rt = registry_find(ctx->reg, name)) == NULL) {
		reply_errorf(s, r, JR_INVALID_PARAMS, "Unknown tool: %s", name);
		return;
	}
	for (p = s->inflight; p != NULL; p = p->next) {
		if (!p->cancelled && json_equal(p->id, r->id)) {
			reply_error(s, r, JR_INVALID_REQUEST, "Invalid Request: "
			    "a call with this id is still in flight");
			return;
		}
	}
	if (ctx->conf.max_inflight > 0 &&
	    s->nflight >= ctx->conf.max_inflight) {
		reply_errorf(s, r, JR_TOO_MANY_INFLIGHT, "Too many calls in "
		    "flight on this connection (limit %d); wait for a reply",
		    ctx->conf.max_inflight);
		return;
	}
	if (!rate_take(s)) {
		reply_errorf(s, r, JR_RATE_LIMITED, "Rate limit exceeded "
		    "(%d calls per second); retry later",
		    ctx->conf.rate_per_s);
		return;
	}

	/* The arguments leave the request tree: the worker owns them alone. */
	if (json_is_object(args)) {
		json_incref(args);
		json_object_del(r->params, "arguments");
	} else
		args = NULL;
	/* The audit label, once per identity rather than once per call. */
	if (s->caller.label[0] == '\0')
		caller_label(&s->caller);
	c = call_new(rt, args, &s->caller);
	if ((rv = call_check(c)) == RT_CALL_HOLD &&
	    ctx->conf.approval != NULL &&
	    approval_granted(ctx->conf.approval, &s->caller, name)) {
		call_decided(c, "approved: caller grant", NULL);
		rv = 0;
	}
	/* No dashboard: the agent's own user may answer, if it can ask. */
	if (rv == RT_CALL_HOLD && !operator_present(ctx)) {
		state = s->era == ERA_MODERN ? json_string_value(
		    json_object_get(r->params, "requestState")) : NULL;
		if (state != NULL) {
			if ((rv = ask_redeem(s, r, c, state)) == -2)
				return;
			if (rv == 1)
				rv = RT_CALL_HOLD;	/* ask again */
		}
		ask = rv == RT_CALL_HOLD && can_ask(s, r);
	}
	if (rv == RT_CALL_HOLD && !ask && ctx->conf.approval == NULL) {
		call_fail(c, "not approved: %s needs the operator's approval "
		    "and no racktop dashboard is running to ask", name);
		c->done = true;
		call_decided(c, "denied: no operator", NULL);
		rv = -1;
	}
	if (rv == -1) {
		result = call_result(c);
		shape_result(s, result);
		reply_result(s, r, result);
		if (call_failed(c))
			log_failure(s, c, LOG_WARNING, request_log_level(r));
		call_free(c);
		return;
	}

	p = pending_get(ctx);
	p->call = c;
	p->s = s;
	p->id = json_incref(r->id);
	p->log_level = request_log_level(r);
	token = json_object_get(json_object_get(r->params, "_meta"),
	    "progressToken");
	if (json_is_string(token) || json_is_integer(token)) {
		p->token = json_copy(token);
		c->job.progress = progress_cb;
	}
	if ((p->batch = r->batch) != NULL)
		p->batch->refs++;
	if ((p->next = s->inflight) != NULL)
		p->next->prev = p;
	s->inflight = p;
	s->nflight++;
	s->nreply++;
	c->owner = p;
	if (rv == RT_CALL_HOLD && ask) {
		ask_start(s, p);
		return;
	}
	if (rv == RT_CALL_HOLD) {
		held_start(s, p);
		return;
	}
	ctx->outstanding++;
	submit(ctx, c);
}

/* notifications/cancelled: stop the call; it is never answered. */
static void
n_cancelled(struct proto_session *s, struct proto_req *r)
{
	json_t *id = json_object_get(r->params, "requestId");
	const char *reason;
	struct pending *p;

	if (!json_is_string(id) && !json_is_integer(id))
		return;
	if (listen_close(s, id))
		return;
	for (p = s->inflight; p != NULL; p = p->next) {
		if (p->cancelled || !json_equal(p->id, id))
			continue;
		reason = json_string_value(json_object_get(r->params,
		    "reason"));
		log_debug("mcp: %s cancelled by client %s%s%s",
		    p->call->rt->tool->name, s->caller.client,
		    reason != NULL ? ": " : "", reason != NULL ? reason : "");
		if (p->hold != NULL) {
			/* Withdrawn: whatever the operator says, it never runs. */
			p->call = approval_withdraw(s->ctx->conf.approval,
			    p->hold, "cancelled");
			p->hold = NULL;
			held_finish(s->ctx, p, false);
			return;
		}
		if (p->ask == ASK_TOOL) {
			/* Its tool never hears the answer. */
			ask_cancel_request(s, p, "the call was cancelled");
			p->ask = ASK_NONE;
			call_fail(p->call, "the call was cancelled");
			p->call->done = true;
			call_decided(p->call, "withdrawn: cancelled",
			    "client request");
			held_finish(s->ctx, p, false);
			return;
		}
		if (p->ask == ASK_ELICIT) {
			/* Whatever the user answers now, it never runs. */
			ask_cancel_request(s, p, "the call was cancelled");
			ask_withdraw(p, "cancelled");
			held_finish(s->ctx, p, false);
			return;
		}
		/* Describing: withdrawn when the preview comes back. */
		job_cancel(p->ask == ASK_DESCRIBE ? &p->preview->job :
		    &p->call->job);
		p->cancelled = true;
		s->nreply--;
		if (p->batch != NULL) {
			batch_unref(s, p->batch);
			p->batch = NULL;
		}
		return;
	}
}

/* initialize on a modern connection: -32022, listing our versions. */
static void
m_initialize_modern(struct proto_session *s, struct proto_req *r)
{
	const char *want = json_string_value(json_object_get(r->params,
	    "protocolVersion"));

	reply_error_data(s, r, JR_UNSUPPORTED_VERSION, "Unsupported protocol "
	    "version: this connection speaks " PROTO_MODERN " (its first "
	    "request chose it); open a new connection to initialize",
	    json_pack("{s:o, s:s?}", "supported", all_versions(),
	    "requested", want));
}

/* The capabilities, for initialize and server/discover. */
static json_t *
capabilities(int version)
{
	json_t *c;

	c = json_pack("{s:{}, s:{s:b, s:b}, s:{s:b}}", "tools",
	    "resources", "subscribe", 1, "listChanged", 0,
	    "prompts", "listChanged", 0);
	if (version == V_MODERN) {
		json_object_set_new(json_object_get(c, "tools"), "listChanged",
		    json_false());
		json_object_set_new(c, "completions", json_object());
		return (c);
	}
	json_object_set_new(json_object_get(c, "tools"), "listChanged",
	    json_false());
	json_object_set_new(c, "logging", json_object());
	if (version >= V_2025_03_26)
		json_object_set_new(c, "completions", json_object());
	return (c);
}

/* server/discover: versions, capabilities, identity. */
static void
m_discover(struct proto_session *s, struct proto_req *r)
{
	json_t *result;

	result = json_pack("{s:o, s:o, s:s, s:{s:{s:s, s:s, s:s}}}",
	    "supportedVersions", all_versions(),
	    "capabilities", capabilities(V_MODERN),
	    "instructions", instructions,
	    "_meta", META_SERVER, "name", "racktop", "title", "racktop",
	    "version", PACKAGE_VERSION);
	reply_complete(s, r, result, TTL_STATIC_MS, "public");
}

/* Checks a list request's cursor: lists here are one page. */
static bool
one_page(struct proto_session *s, struct proto_req *r)
{
	json_t *jc = json_object_get(r->params, "cursor");

	if (jc == NULL || json_is_null(jc))
		return (true);
	reply_error(s, r, JR_INVALID_PARAMS,
	    "Invalid params: cursor is not one this server returned");
	return (false);
}

#define EXTRA_RESOURCES 0
#define EXTRA_TEMPLATES 1
#define EXTRA_PROMPTS 2

/* Appends the embedder's resources, templates or prompts to a (stolen). */
static json_t *
with_extra(json_t *a, struct proto_ctx *ctx, int which)
{
	const struct proto_extra *x = ctx->extra;
	json_t *(*fn)(void *) = NULL;
	json_t *more;

	if (x != NULL)
		fn = which == EXTRA_RESOURCES ? x->resources :
		    which == EXTRA_TEMPLATES ? x->templates : x->prompts;
	if (fn != NULL && (more = fn(x->arg)) != NULL) {
		json_array_extend(a, more);
		json_decref(more);
	}
	return (a);
}

/* The embedder's contents of the request's uri, or NULL. */
static json_t *
extra_read(struct proto_session *s, struct proto_req *r)
{
	const struct proto_extra *x = s->ctx->extra;
	const char *uri = json_string_value(json_object_get(r->params, "uri"));

	if (x == NULL || x->read == NULL || uri == NULL)
		return (NULL);
	return (x->read(x->arg, uri));
}

/* resources/list: one snapshot resource per instance. */
static void
m_resources_list(struct proto_session *s, struct proto_req *r)
{
	if (!one_page(s, r))
		return;
	reply_complete(s, r, json_pack("{s:o}", "resources",
	    with_extra(res_list(s->ctx->reg, s->version >= V_2025_06_18),
	    s->ctx, EXTRA_RESOURCES)), TTL_STATIC_MS, "private");
}

/* resources/templates/list: the snapshot URI template. */
static void
m_templates_list(struct proto_session *s, struct proto_req *r)
{
	if (!one_page(s, r))
		return;
	reply_complete(s, r, json_pack("{s:o}", "resourceTemplates",
	    with_extra(res_templates(s->version >= V_2025_06_18), s->ctx,
	    EXTRA_TEMPLATES)), TTL_STATIC_MS, "public");
}

/*
 * The instance a request's uri names, or -1 once answered: -32602
 * without a uri; not found: -32002 before 2026-07-28, -32602 after.
 */
static long
find_uri(struct proto_session *s, struct proto_req *r)
{
	const char *uri = json_string_value(json_object_get(r->params, "uri"));
	long i;

	if (uri == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS,
		    "Invalid params: uri (a string) is required");
		return (-1);
	}
	if ((i = res_find(s->ctx->reg, uri)) >= 0)
		return (i);
	reply_error_data(s, r, s->era == ERA_MODERN ? JR_INVALID_PARAMS :
	    JR_RESOURCE_NOT_FOUND, "Resource not found",
	    json_pack("{s:s}", "uri", uri));
	return (-1);
}

/* resources/read: the envelope of the instance's current snapshot. */
static void
m_resources_read(struct proto_session *s, struct proto_req *r)
{
	struct jr_buf *t = &s->ctx->tmp;
	char uri[512];
	int64_t ttl;
	json_t *result;
	long i;

	if ((result = extra_read(s, r)) != NULL) {
		reply_complete(s, r, json_pack("{s:o}", "contents", result), -1,
		    NULL);
		return;
	}
	if ((i = find_uri(s, r)) < 0)
		return;
	res_uri(s->ctx->reg, (size_t)i, uri, sizeof uri);
	t->len = 0;
	ttl = res_read(s->ctx->reg, (size_t)i, t);
	result = json_pack("{s:[{s:s, s:s, s:s%}]}", "contents", "uri", uri,
	    "mimeType", "application/json", "text", t->data, t->len);
	jr_buf_reset(t, 1024 * 1024);
	reply_complete(s, r, result, ttl, "private");
}

/* resources/subscribe (before 2026-07-28): updates for one instance. */
static void
m_subscribe(struct proto_session *s, struct proto_req *r)
{
	json_t *x;
	long i;

	if ((x = extra_read(s, r)) != NULL) {
		json_decref(x);	/* a fixture: accepted, never updated */
		reply_text(s, r, "{}", 2);
		return;
	}
	if ((i = find_uri(s, r)) < 0)
		return;
	s->subs[i] = true;
	reply_text(s, r, "{}", 2);
}

/* resources/unsubscribe: no more updates for it. */
static void
m_unsubscribe(struct proto_session *s, struct proto_req *r)
{
	json_t *x;
	long i;

	if ((x = extra_read(s, r)) != NULL) {
		json_decref(x);
		reply_text(s, r, "{}", 2);
		return;
	}
	if ((i = find_uri(s, r)) < 0)
		return;
	s->subs[i] = false;
	reply_text(s, r, "{}", 2);
}

/*
 * subscriptions/listen (2026-07-28): acknowledges the resource URIs it
 * honours (list changes never happen here, so those are not honoured)
 * and answers nothing until the client cancels it.
 */
static void
m_listen(struct proto_session *s, struct proto_req *r)
{
	json_t *filter = json_object_get(r->params, "notifications");
	json_t *uris, *honoured, *v, *params;
	struct listen *l;
	const char *uri;
	size_t k;
	long i;

	uris = json_object_get(filter, "resourceSubscriptions");
	if (!json_is_object(filter) || (uris != NULL && !json_is_array(uris))) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: "
		    "notifications must be an object whose "
		    "resourceSubscriptions is an array of URIs");
		return;
	}
	for (l = s->listens; l != NULL; l = l->next) {
		if (json_equal(l->id, r->id)) {
			reply_error(s, r, JR_INVALID_REQUEST,
			    "Invalid Request: a subscription with this id is "
			    "open");
			return;
		}
	}
	l = xcalloc(1, sizeof *l);
	l->id = json_copy(r->id);
	l->watch = xcalloc(s->ctx->ninst + 1, sizeof *l->watch);
	honoured = json_array();
	json_array_foreach(uris, k, v) {
		if ((uri = json_string_value(v)) == NULL ||
		    (i = res_find(s->ctx->reg, uri)) < 0 || l->watch[i])
			continue;
		l->watch[i] = true;
		json_array_append_new(honoured, json_string(uri));
	}
	l->next = s->listens;
	s->listens = l;
	params = json_pack("{s:{s:O}, s:{s:o}}", "_meta", META_SUB, l->id,
	    "notifications", "resourceSubscriptions", honoured);
	notify(s, "notifications/subscriptions/acknowledged", params);
	json_decref(params);
}

/* Ends the subscription with this id, silently; false when none. */
static bool
listen_close(struct proto_session *s, const json_t *id)
{
	struct listen **lp, *l;

	for (lp = &s->listens; (l = *lp) != NULL; lp = &l->next) {
		if (!json_equal(l->id, id))
			continue;
		*lp = l->next;
		json_decref(l->id);
		free(l->watch);
		free(l);
		return (true);
	}
	return (false);
}

/* Tells whoever subscribed to resource i (an instance, or the problems). */
static void
notify_updated(struct proto_ctx *ctx, size_t i)
{
	struct proto_session *s;
	struct listen *l;
	json_t *params;
	char uri[512];

	res_uri(ctx->reg, i, uri, sizeof uri);
	for (s = ctx->sessions; s != NULL; s = s->next) {
		if (s->era == ERA_LEGACY && s->subs[i]) {
			params = json_pack("{s:s}", "uri", uri);
			notify(s, "notifications/resources/updated", params);
			json_decref(params);
		}
		for (l = s->listens; l != NULL; l = l->next) {
			if (!l->watch[i])
				continue;
			params = json_pack("{s:{s:O}, s:s}", "_meta", META_SUB,
			    l->id, "uri", uri);
			notify(s, "notifications/resources/updated", params);
			json_decref(params);
		}
	}
}

/* Whether any session subscribed to resource i. */
static bool
watched(struct proto_ctx *ctx, size_t i)
{
	struct proto_session *s;
	struct listen *l;

	for (s = ctx->sessions; s != NULL; s = s->next) {
		if (s->era == ERA_LEGACY && s->subs[i])
			return (true);
		for (l = s->listens; l != NULL; l = l->next) {
			if (l->watch[i])
				return (true);
		}
	}
	return (false);
}

/*
 * A snapshot was published: tell its subscribers, and the problems'
 * subscribers when the list of problems changed with it.
 */
static void
on_updated(struct proto_ctx *ctx, struct res_event *ev)
{
	uint64_t d;

	if (ev->instance >= ctx->ninst)
		return;
	notify_updated(ctx, ev->instance);
	if (!watched(ctx, ctx->ninst))
		return;
	d = res_problems_digest(ctx->reg);
	if (d == ctx->problems_digest)
		return;
	ctx->problems_digest = d;
	notify_updated(ctx, ctx->ninst);
}

/* prompts/list: the prompts. */
static void
m_prompts_list(struct proto_session *s, struct proto_req *r)
{
	if (!one_page(s, r))
		return;
	reply_complete(s, r, json_pack("{s:o}", "prompts",
	    with_extra(prompts_list(s->version >= V_2025_06_18), s->ctx,
	    EXTRA_PROMPTS)), TTL_STATIC_MS, "public");
}

/* prompts/get: one prompt with its arguments filled in. */
static void
m_prompts_get(struct proto_session *s, struct proto_req *r)
{
	const char *name = json_string_value(json_object_get(r->params,
	    "name"));
	json_t *args = json_object_get(r->params, "arguments");
	const char *why = NULL;
	json_t *result;

	if (name == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS,
		    "Invalid params: name (a string) is required");
		return;
	}
	if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
		reply_error(s, r, JR_INVALID_PARAMS,
		    "Invalid params: arguments must be an object");
		return;
	}
	if (s->ctx->extra != NULL &&
	    s->ctx->extra->get_prompt != NULL &&
	    (result = s->ctx->extra->get_prompt(s->ctx->extra->arg,
	    name, args)) != NULL) {
		reply_complete(s, r, result, -1, NULL);
		return;
	}
	if ((result = prompts_get(s->ctx->reg, name, args, &why)) == NULL) {
		reply_errorf(s, r, JR_INVALID_PARAMS, "Invalid params: %s: %s",
		    name, why);
		return;
	}
	reply_complete(s, r, result, -1, NULL);
}

/* completion/complete: values for a prompt's or the template's argument. */
static void
m_complete(struct proto_session *s, struct proto_req *r)
{
	json_t *ref = json_object_get(r->params, "ref");
	json_t *arg = json_object_get(r->params, "argument");
	json_t *context = json_object_get(json_object_get(r->params,
	    "context"), "arguments");
	const char *type, *aname, *value, *name;
	json_t *values = NULL;
	size_t total;

	type = json_string_value(json_object_get(ref, "type"));
	aname = json_string_value(json_object_get(arg, "name"));
	value = json_string_value(json_object_get(arg, "value"));
	if (type == NULL || aname == NULL || value == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: "
		    "ref.type, argument.name and argument.value (strings) are "
		    "required");
		return;
	}
	if (strcmp(type, "ref/prompt") == 0 &&
	    (name = json_string_value(json_object_get(ref, "name"))) != NULL)
		values = prompts_complete(s->ctx->reg, name, aname, value,
		    context);
	else if (strcmp(type, "ref/resource") == 0 &&
	    (name = json_string_value(json_object_get(ref, "uri"))) != NULL)
		values = res_complete(s->ctx->reg, name, aname, value,
		    context);
	if (values == NULL && s->ctx->extra != NULL &&
	    s->ctx->extra->complete != NULL)
		values = s->ctx->extra->complete(s->ctx->extra->arg,
		    ref, aname, value);
	if (values == NULL) {
		reply_error(s, r, JR_INVALID_PARAMS, "Invalid params: ref "
		    "names no prompt or resource template of this server");
		return;
	}
	total = json_array_size(values);
	while (json_array_size(values) > 100)
		json_array_remove(values, 100);
	reply_complete(s, r, json_pack("{s:{s:o, s:I, s:b}}", "completion",
	    "values", values, "total", (json_int_t)total, "hasMore",
	    total > 100), -1, NULL);
}

/* Ends every open subscription with its graceful completion result. */
void
proto_session_shutdown(struct proto_session *s)
{
	struct proto_req r = { NULL, NULL, NULL };
	struct listen *l;

	while ((l = s->listens) != NULL) {
		s->listens = l->next;
		r.id = l->id;
		reply_result(s, &r, json_pack("{s:s, s:{s:O}}", "resultType",
		    "complete", "_meta", META_SUB, l->id));
		json_decref(l->id);
		free(l->watch);
		free(l);
	}
}
