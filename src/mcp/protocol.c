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

#include "core/call.h"
#include "core/clock.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"

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

/* How tools look in each version: see tool_shape(). */
#define NSHAPES 3

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
	struct pending *prev, *next;
};

struct progress_ev {
	struct job job;		/* first; job.run == progress_marker */
	struct rt_call *call;
	double progress;
	double total;
	bool has_message;
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
	size_t ntools;
	size_t npages;
	char **pages[NSHAPES];		/* tools/list results, as text */
	size_t *page_len[NSHAPES];
	struct jr_buf out;		/* one reply being built */
	struct jr_buf tmp;		/* a result's JSON text */
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
	void (*fn)(struct proto_session *, struct proto_req *);
};

struct proto_session {
	struct proto_ctx *ctx;
	struct proto_transport tr;
	const struct proto_method *methods;	/* the era's table */
	struct rt_caller caller;
	unsigned flags;
	int version;		/* index in proto_versions, -1 before */
	bool ready;		/* notifications/initialized received */
	int log_level;		/* index in log_levels, -1: off */
	struct pending *inflight;
	int nflight;		/* calls not yet back (limit) */
	int nreply;		/* of those, replies still owed */
	double tokens;
	int64_t refill_ms;
	struct proto_session *prev, *next;
};

static void m_initialize(struct proto_session *, struct proto_req *);
static void m_ping(struct proto_session *, struct proto_req *);
static void m_tools_list(struct proto_session *, struct proto_req *);
static void m_tools_call(struct proto_session *, struct proto_req *);
static void m_set_level(struct proto_session *, struct proto_req *);
static void n_initialized(struct proto_session *, struct proto_req *);
static void n_cancelled(struct proto_session *, struct proto_req *);

/* The initialize era's methods. */
static const struct proto_method legacy_methods[] = {
	{ "initialize", PM_PREINIT, m_initialize },
	{ "ping", PM_PREINIT, m_ping },
	{ "tools/list", 0, m_tools_list },
	{ "tools/call", 0, m_tools_call },
	{ "logging/setLevel", 0, m_set_level },
	{ "notifications/initialized", PM_NOTIFY | PM_PREINIT, n_initialized },
	{ "notifications/cancelled", PM_NOTIFY | PM_PREINIT, n_cancelled },
	{ NULL, 0, NULL },
};

/* Never runs: marks a progress event on the completion queue. */
static void
progress_marker(struct job *j)
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
	ctx->ntools = registry_ntools(reg);
	page = (size_t)ctx->conf.tools_page;
	ctx->npages = ctx->ntools == 0 ? 1 : (ctx->ntools + page - 1) / page;
	for (i = 0; i < NSHAPES; i++) {
		ctx->pages[i] = xcalloc(ctx->npages, sizeof *ctx->pages[i]);
		ctx->page_len[i] = xcalloc(ctx->npages,
		    sizeof *ctx->page_len[i]);
	}
	jr_buf_init(&ctx->out);
	jr_buf_init(&ctx->tmp);
	return (ctx);
}

/* Frees the context after every call came back. */
void
proto_ctx_destroy(struct proto_ctx *ctx)
{
	struct pending *p;
	size_t i, k;

	if (ctx == NULL)
		return;
	while (ctx->sessions != NULL)
		proto_session_free(ctx->sessions);
	while (!proto_ctx_drain(ctx, 10000))
		log_warn("mcp: %d calls ignore cancellation; waiting",
		    ctx->outstanding);
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
	s->flags = flags;
	s->version = -1;
	s->log_level = -1;
	s->tokens = ctx->conf.rate_per_s;
	s->refill_ms = clock_mono_ms();
	if ((s->next = ctx->sessions) != NULL)
		s->next->prev = s;
	ctx->sessions = s;
	return (s);
}

/* Frees a session; its calls are cancelled and answered to nobody. */
void
proto_session_free(struct proto_session *s)
{
	struct pending *p, *next;

	if (s == NULL)
		return;
	for (p = s->inflight; p != NULL; p = next) {
		next = p->next;
		job_cancel(&p->call->job);
		p->s = NULL;
		p->prev = p->next = NULL;
		if (p->batch != NULL) {
			batch_unref(NULL, p->batch);
			p->batch = NULL;
		}
	}
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
	return (s->version < 0 ? NULL : proto_versions[s->version]);
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
	pm->fn(s, &r);
}

/* Handles a JSON array: a batch where 2025-03-26 was negotiated. */
static void
handle_batch(struct proto_session *s, json_t *array)
{
	struct proto_req r = { NULL, NULL, NULL };
	struct jr_msg em;
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
		/* We send no requests yet: nothing to match. */
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

/* The text of one tools/list result page, built once. */
static const char *
page_text(struct proto_ctx *ctx, int shape, size_t page, size_t *len)
{
	size_t per = (size_t)ctx->conf.tools_page, start, end, i;
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
		t = registry_tool_json(registry_tool_at(ctx->reg, i));
		shape_tool(t, shape);
		json_array_append_new(tools, t);
	}
	o = json_pack("{s:o}", "tools", tools);
	if (end < ctx->ntools) {
		snprintf(next, sizeof next, "%zu", end);
		json_object_set_new(o, "nextCursor", json_string(next));
	}
	ctx->pages[shape][page] = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (ctx->pages[shape][page] == NULL)
		fatalx("tools/list: cannot encode page %zu", page);
	ctx->page_len[shape][page] = strlen(ctx->pages[shape][page]);
	*len = ctx->page_len[shape][page];
	return (ctx->pages[shape][page]);
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
		if ((s->flags & PROTO_PEER_RACKTOP) &&
		    strcmp(name, PROTO_CLI_NAME) == 0)
			s->caller.source = RT_SRC_CLI;
	}

	server = json_pack("{s:s, s:s}", "name", "racktop",
	    "version", PACKAGE_VERSION);
	if (v >= V_2025_06_18)
		json_object_set_new(server, "title", json_string("racktop"));
	result = json_pack("{s:s, s:{s:{s:b}, s:{}}, s:o}",
	    "protocolVersion", proto_versions[v],
	    "capabilities", "tools", "listChanged", 0, "logging",
	    "serverInfo", server);
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
	notify(s, "notifications/progress", params);
	json_decref(params);
}

/* Shapes a CallToolResult for the session's version. */
static void
shape_result(struct proto_session *s, json_t *result)
{
	if (s->version < V_2025_06_18)
		json_object_del(result, "structuredContent");
}

/* Logs a failed call to the client, when it asked for logs. */
static void
log_failure(struct proto_session *s, struct rt_call *c, int level)
{
	const char *why = c->error;

	if (s->log_level < 0 || level < s->log_level)
		return;
	if (why == NULL)
		why = c->job.outcome == JOB_EXPIRED ? "timed out" : "failed";
	session_log(s, level, json_pack("{s:s, s:s}", "tool",
	    c->rt->tool->name, "error", why));
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
reply_call_ok(struct proto_session *s, const json_t *id, const json_t *result)
{
	struct jr_buf *b = &s->ctx->out, *t = &s->ctx->tmp;

	t->len = 0;
	jr_put_json(t, result);
	PUT(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	jr_put_id(b, id);
	PUT(b, ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"");
	jr_put_escaped(b, t->data, t->len);
	PUT(b, "\"}]");
	if (s->version >= V_2025_06_18) {
		PUT(b, ",\"structuredContent\":");
		jr_buf_append(b, t->data, t->len);
	}
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

	ctx->outstanding--;
	pending_unlink(p);
	if (s != NULL && !p->cancelled && p->batch == NULL &&
	    !call_failed(c) && json_is_object(c->result))
		reply_call_ok(s, p->id, c->result);
	else if (s != NULL && !p->cancelled) {
		r.id = p->id;
		r.params = NULL;
		r.batch = p->batch;
		result = call_result(c);
		shape_result(s, result);
		reply_result(s, &r, result);
		if (call_failed(c))
			log_failure(s, c, LOG_ERROR);
	}
	if (p->batch != NULL)
		batch_unref(s, p->batch);
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
		} else
			on_done(ctx, j->arg);
	}
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
	if (ctx->pool != NULL) {
		call_submit(c, ctx->pool, ctx->done);
		return;
	}
	c->job.done = ctx->done;
	call_run_here(c);
	job_queue_push(ctx->done, &c->job);
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
	const char *name;
	json_t *result;

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
	c = call_new(rt, args, &s->caller);
	if (call_check(c) != 0) {
		result = call_result(c);
		shape_result(s, result);
		reply_result(s, r, result);
		log_failure(s, c, LOG_WARNING);
		call_free(c);
		return;
	}

	p = pending_get(ctx);
	p->call = c;
	p->s = s;
	p->id = json_incref(r->id);
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
	for (p = s->inflight; p != NULL; p = p->next) {
		if (p->cancelled || !json_equal(p->id, id))
			continue;
		reason = json_string_value(json_object_get(r->params,
		    "reason"));
		log_debug("mcp: %s cancelled by client %s%s%s",
		    p->call->rt->tool->name, s->caller.client,
		    reason != NULL ? ": " : "", reason != NULL ? reason : "");
		job_cancel(&p->call->job);
		p->cancelled = true;
		s->nreply--;
		if (p->batch != NULL) {
			batch_unref(s, p->batch);
			p->batch = NULL;
		}
		return;
	}
}
