/*
 * The MCP HTTP listener (http.h): libmicrohttpd driven from the thread
 * that owns the protocol context of its sessions.
 *
 * DESIGN: MHD runs without threads of its own (MHD_USE_EPOLL, no
 * internal polling): the host's loop (the MCP server thread in racktop,
 * or http_main) polls MHD's epoll fds beside its own, so every MHD
 * callback, every protocol call and every reply runs on that one thread
 * and nothing is shared; held calls keep the one owner approval.h
 * requires. A session's output lines arrive through its send callback
 * (sess_send) and go to a stream (http-sse.c) chosen by the request they
 * relate to (proto_session_related): the request's own POST, else the
 * POST being dispatched, else the session's GET stream (resource
 * updates), else nowhere (no GET open: dropped, as the spec allows).
 * A POST whose reply is ready when dispatch returns is answered with
 * JSON; otherwise with SSE. Streams wait by suspending their connection.
 *
 * Callers: main (mcp_http_new/stop, hosted by server.c), the conformance
 * binary (mcp_http_start/stop). Wakeups: the host's (stop, completions),
 * MHD's sockets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/policy.h"
#include "core/xmalloc.h"
#include "mcp/http-int.h"
#include "mcp/http.h"
#include "mcp/protocol.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"

#define HTTP_PATH "/mcp"
#define SESSION_IDLE_MS (60 * 60 * 1000)	/* a session nobody uses */
#define RETRY_MS 1000		/* the SSE retry field: reconnect after */
#define KEEPALIVE_MS 30000	/* a comment on a quiet GET stream */
#define JR_HEADER_MISMATCH -32020	/* 2026-07-28 HeaderMismatch */

struct mcp_http {
	pthread_t thread;
	int wake_fd;
	atomic_bool stop;
	struct mcp_http_conf conf;
	struct mcp_limits lim;
	struct proto_ctx *ctx;
	struct MHD_Daemon *tcp, *unx;
	int port;
	char *listen_host;	/* the TCP address as written, for Host */
	char *sock_path;
	struct http_token *tokens;
	size_t ntokens;
	struct hsess *sessions;
	int nsessions;
	struct hconn *conns;
	uid_t uid;
	int hk_wait;		/* ms to the next stream deadline, -1: none */
	bool threaded;		/* our own thread and protocol context */
};

/* Whether v is one of the versions served by the initialize era. */
static bool
legacy_version(const char *v)
{
	int i;

	for (i = 0; proto_versions[i] != NULL; i++)
		if (strcmp(proto_versions[i], v) == 0)
			return (true);
	return (false);
}

static bool
modern_version(const char *v)
{
	int i;

	for (i = 0; proto_modern_versions[i] != NULL; i++)
		if (strcmp(proto_modern_versions[i], v) == 0)
			return (true);
	return (false);
}

/* Every version served, newest first. */
static json_t *
all_versions(void)
{
	json_t *a = json_array();
	int i, n;

	for (i = 0; proto_modern_versions[i] != NULL; i++)
		json_array_append_new(a, json_string(proto_modern_versions[i]));
	for (n = 0; proto_versions[n] != NULL; n++)
		;
	while (n-- > 0)
		json_array_append_new(a, json_string(proto_versions[n]));
	return (a);
}

/* --- responses ------------------------------------------------------ */

static enum MHD_Result
respond(struct hconn *c, unsigned status, const char *type, const char *body,
    size_t len, const struct hsess *s)
{
	struct MHD_Response *r;
	enum MHD_Result rv;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return (MHD_NO);
	if (type != NULL)
		MHD_add_response_header(r, "Content-Type", type);
	if (s != NULL && s->id[0] != '\0')
		MHD_add_response_header(r, "Mcp-Session-Id", s->id);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"racktop\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, POST, DELETE");
	rv = MHD_queue_response(c->mc, status, r);
	MHD_destroy_response(r);
	c->done = true;
	return (rv);
}

/* Answers with a JSON-RPC error (id may be NULL; data stolen). */
static enum MHD_Result
respond_error(struct hconn *c, unsigned status, const json_t *id, int code,
    const char *msg, json_t *data)
{
	struct jr_buf b;
	enum MHD_Result rv;

	jr_buf_init(&b);
	jr_error(&b, id, code, msg, data);
	json_decref(data);
	rv = respond(c, status, "application/json", b.data, b.len - 1, NULL);
	jr_buf_free(&b);
	return (rv);
}

static enum MHD_Result
respond_empty(struct hconn *c, unsigned status, const struct hsess *s)
{
	return (respond(c, status, NULL, "", 0, s));
}

/* Answers with the stream as SSE: the connection reads it from after. */
static enum MHD_Result
respond_sse(struct hconn *c, struct hstream *st, int64_t after)
{
	struct MHD_Response *r;
	enum MHD_Result rv;

	if (hs_attach(st, c, after) != 0)
		return (respond_error(c, MHD_HTTP_BAD_REQUEST, NULL,
		    JR_INVALID_REQUEST, "Bad Request: Last-Event-ID names an "
		    "event this stream no longer has", NULL));
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
	    hs_read, c, NULL);
	if (r == NULL) {
		hs_detach(c);
		return (MHD_NO);
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	if (st->sess->id[0] != '\0')
		MHD_add_response_header(r, "Mcp-Session-Id", st->sess->id);
	rv = MHD_queue_response(c->mc, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	c->done = true;
	return (rv);
}

/* --- sessions ------------------------------------------------------- */

/* A session's output line: onto the stream it belongs to. */
static void
sess_send(void *arg, const char *data, size_t len)
{
	struct hsess *s = arg;
	struct hstream *st = NULL;
	const json_t *rel = proto_session_related(s->ps);
	json_t *v, *id = NULL, *err;
	bool reply = false;
	int code = 0;

	v = json_loadb(data, len, 0, NULL);
	if (json_is_array(v))
		reply = true;	/* a batch's replies */
	else if (json_is_object(v) && json_object_get(v, "method") == NULL) {
		reply = true;
		id = json_object_get(v, "id");
		if ((err = json_object_get(v, "error")) != NULL)
			code = (int)json_integer_value(json_object_get(err,
			    "code"));
	}
	if (reply && id != NULL && !json_is_null(id))
		st = hs_find(s, id);
	if (json_is_array(v)) {
		/* Batches are answered whole, in the order they came. */
		for (st = s->streams; st != NULL; st = st->next)
			if (st->batch && !st->answered)
				break;
	}
	if (st == NULL && rel != NULL)
		st = hs_find(s, rel);
	if (st == NULL)
		st = s->cur;
	if (st == NULL && !reply)
		st = s->get;
	json_decref(v);
	if (st == NULL || (st == s->get && st->conn == NULL))
		return;		/* nobody listens: not delivered */
	hs_put(st, data, len, reply && st != s->get, code);
	if (st == s->get)
		hs_trim(st, s->h->lim.out_hard);
}

/* A new session; sessionless when id is false. */
static struct hsess *
sess_new(struct mcp_http *h, const struct rt_caller *caller, bool with_id)
{
	struct hsess *s = xcalloc(1, sizeof *s);
	struct proto_transport tr;
	unsigned char r[16];
	int i;

	s->h = h;
	if (with_id) {
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			fatal("getrandom");
		for (i = 0; i < 16; i++)
			snprintf(s->id + 2 * i, 3, "%02x", r[i]);
	}
	tr.send = sess_send;
	tr.arg = s;
	s->ps = proto_session_new(h->ctx, caller, 0, &tr);
	s->used = clock_mono_ms();
	if (with_id) {
		if ((s->next = h->sessions) != NULL)
			s->next->prev = s;
		h->sessions = s;
		h->nsessions++;
	}
	return (s);
}

/* Ends a session: its calls are cancelled, its streams end. */
static void
sess_free(struct hsess *s)
{
	struct mcp_http *h = s->h;

	if (s->id[0] != '\0') {
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			h->sessions = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
		h->nsessions--;
	}
	proto_session_free(s->ps);
	while (s->streams != NULL)
		hs_free(s->streams);
	free(s);
}

/*
 * The session with this id, when the caller is the one who opened it
 * (the same token, or on the Unix socket the same uid): another token's
 * holder cannot use or end it.
 */
static struct hsess *
sess_find(struct mcp_http *h, const char *id, const struct rt_caller *cl)
{
	const struct rt_caller *o;
	struct hsess *s;

	for (s = h->sessions; s != NULL; s = s->next) {
		if (strcmp(s->id, id) != 0)
			continue;
		o = proto_session_caller(s->ps);
		if (o->uid != cl->uid || (strncmp(cl->exe, "http", 4) == 0 &&
		    strcmp(o->exe, cl->exe) != 0))
			return (NULL);
		return (s);
	}
	return (NULL);
}

/*
 * At the session limit: ends the session unused the longest among those
 * with no call in flight and no stream open (clients rarely DELETE).
 */
static void
sess_evict(struct mcp_http *h)
{
	struct hsess *s, *old = NULL;
	struct hstream *st;

	for (s = h->sessions; s != NULL; s = s->next) {
		if (proto_session_inflight(s->ps) > 0)
			continue;
		for (st = s->streams; st != NULL; st = st->next)
			if (st->conn != NULL)
				break;
		if (st == NULL && (old == NULL || s->used < old->used))
			old = s;
	}
	if (old != NULL) {
		log_info("mcp http: %d sessions; ending the one unused longest",
		    h->nsessions);
		sess_free(old);
	}
}

/* --- checks --------------------------------------------------------- */

static const char *
header(struct hconn *c, const char *name)
{
	return (MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name));
}

/*
 * Who the request is: a token's name on TCP, the peer's credentials on
 * the Unix socket. false: refused (401, or 403 for a uid not admitted).
 */
static bool
identify(struct hconn *c, struct rt_caller *cl, unsigned *status)
{
	const union MHD_ConnectionInfo *ci;
	const char *name;
	struct ucred cred;
	socklen_t len = sizeof cred;

	memset(cl, 0, sizeof *cl);
	if (c->d == c->h->unx) {
		ci = MHD_get_connection_info(c->mc,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || getsockopt(ci->connect_fd, SOL_SOCKET,
		    SO_PEERCRED, &cred, &len) == -1) {
			*status = MHD_HTTP_FORBIDDEN;
			return (false);
		}
		if (cred.uid != c->h->uid &&
		    !policy_admits(call_policy.policy, cred.uid)) {
			log_warn("mcp http: refused uid %u (pid %d)",
			    (unsigned)cred.uid, (int)cred.pid);
			*status = MHD_HTTP_FORBIDDEN;
			return (false);
		}
		mcp_identify(cred.pid, cred.uid, cl);
		return (true);
	}
	cl->uid = c->h->uid;
	if (c->h->conf.no_token) {
		snprintf(cl->exe, sizeof cl->exe, "http");
		return (true);
	}
	if ((name = http_token_match(c->h->tokens, c->h->ntokens,
	    header(c, "Authorization"))) != NULL) {
		snprintf(cl->exe, sizeof cl->exe, "http-token:%s", name);
		return (true);
	}
	if (header(c, "Authorization") != NULL)
		log_warn("mcp http: refused a request with a wrong bearer "
		    "token");
	*status = MHD_HTTP_UNAUTHORIZED;
	return (false);
}

/* Whether an Accept header lists a type (or a wildcard). */
static bool
accepts(const char *accept, const char *type)
{
	return (accept != NULL && (strstr(accept, type) != NULL ||
	    strstr(accept, "*/*") != NULL));
}

/*
 * 2026-07-28: the headers must repeat the body. NULL when they do, or
 * the mismatch, described (static).
 */
static const char *
header_mismatch(struct hconn *c, const struct jr_msg *m, const char *hv,
    const char *bv)
{
	const char *mh = header(c, "Mcp-Method"), *nh, *bn = NULL;
	json_t *v;
	char *dec;
	bool same;

	if (hv == NULL)
		return ("the MCP-Protocol-Version header is missing");
	if (bv == NULL || strcmp(hv, bv) != 0)
		return ("the MCP-Protocol-Version header does not match "
		    "_meta io.modelcontextprotocol/protocolVersion");
	if (mh == NULL)
		return ("the Mcp-Method header is missing");
	if (strcmp(mh, m->method) != 0)
		return ("the Mcp-Method header does not match the method");
	if (strcmp(m->method, "tools/call") == 0 ||
	    strcmp(m->method, "prompts/get") == 0)
		v = json_object_get(m->params, "name");
	else if (strcmp(m->method, "resources/read") == 0)
		v = json_object_get(m->params, "uri");
	else
		return (NULL);
	bn = json_string_value(v);
	if ((nh = header(c, "Mcp-Name")) == NULL)
		return ("the Mcp-Name header is missing");
	if ((dec = http_header_value(nh)) == NULL)
		return ("the Mcp-Name header is not valid base64");
	same = bn != NULL && strcmp(dec, bn) == 0;
	free(dec);
	return (same ? NULL : "the Mcp-Name header does not match the body");
}

/* The HTTP status of a 2026-07-28 error reply. */
static unsigned
modern_status(int code)
{
	switch (code) {
	case JR_METHOD_NOT_FOUND:
		return (MHD_HTTP_NOT_FOUND);
	case JR_UNSUPPORTED_VERSION:
	case JR_HEADER_MISMATCH:
	case JR_PARSE_ERROR:
	case JR_INVALID_REQUEST:
		return (MHD_HTTP_BAD_REQUEST);
	default:
		return (MHD_HTTP_OK);
	}
}

/* --- requests ------------------------------------------------------- */

/*
 * Whether the session's streams start with a priming event: 2025-11-25
 * (SEP-1699); an older client may not expect an event without data.
 */
static bool
primed(struct hsess *s)
{
	const char *v = proto_session_version(s->ps);

	return (s->id[0] != '\0' && v != NULL && strcmp(v, "2025-11-25") >= 0 &&
	    legacy_version(v));
}

/* Feeds one request and answers its POST with JSON or SSE. */
static enum MHD_Result
post_request(struct hconn *c, struct hsess *s, const struct jr_msg *m,
    bool modern)
{
	struct hstream *st = hs_new(s, m->id);
	enum MHD_Result rv;
	unsigned status;
	int close_ms = c->h->conf.close_stream_ms;

	st->batch = m->kind == JR_BATCH;
	s->cur = st;
	if (proto_session_input(s->ps, c->body.data, c->body.len) != 0)
		log_debug("mcp http: session asked to close");
	s->cur = NULL;
	if (st->answered && st->npre == 1) {
		status = modern ? modern_status(st->reply_code) : MHD_HTTP_OK;
		rv = respond(c, status, "application/json", st->pre.data,
		    st->pre.len - 1, s);
		hs_free(st);
		return (rv);
	}
	hs_open(st, primed(s), RETRY_MS);
	if (!modern && !st->answered && close_ms > 0)
		st->close_at = clock_mono_ms() + close_ms;
	return (respond_sse(c, st, -1));
}

/* A complete POST body. */
static enum MHD_Result
on_post(struct hconn *c)
{
	struct mcp_http *h = c->h;
	struct jr_msg m;
	struct rt_caller caller;
	struct hsess *s = NULL;
	const char *hv = header(c, "MCP-Protocol-Version"), *sid, *bv = NULL;
	const char *ct = header(c, "Content-Type"), *why;
	unsigned status = MHD_HTTP_OK;
	enum MHD_Result rv;
	bool modern;

	if (c->toobig) {
		log_warn("mcp http: a request body over %zu bytes",
		    h->lim.max_message);
		return (respond_error(c, 413, NULL,
		    JR_INVALID_REQUEST, "Invalid Request: message too large",
		    NULL));
	}
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return (respond_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL,
		    JR_INVALID_REQUEST, "Unsupported Media Type: send "
		    "application/json", NULL));
	if (!accepts(header(c, "Accept"), "application/json") ||
	    !accepts(header(c, "Accept"), "text/event-stream"))
		return (respond_error(c, MHD_HTTP_NOT_ACCEPTABLE, NULL,
		    JR_INVALID_REQUEST, "Not Acceptable: the client must "
		    "accept both application/json and text/event-stream",
		    NULL));
	if (!identify(c, &caller, &status))
		return (respond_error(c, status, NULL, JR_INVALID_REQUEST,
		    status == MHD_HTTP_UNAUTHORIZED ? "Unauthorized: a valid "
		    "bearer token is required" : "Forbidden", NULL));
	jr_parse(c->body.data != NULL ? c->body.data : "", c->body.len, &m);
	if (m.kind == JR_INVALID) {
		rv = respond_error(c, MHD_HTTP_BAD_REQUEST, m.id, m.code,
		    m.error, NULL);
		jr_msg_clear(&m);
		return (rv);
	}
	if (m.kind == JR_REQUEST || m.kind == JR_NOTIFICATION)
		bv = json_string_value(json_object_get(json_object_get(
		    m.params, "_meta"), "io.modelcontextprotocol/protocolVersion"));
	if (hv != NULL && !legacy_version(hv) && !modern_version(hv)) {
		rv = respond_error(c, MHD_HTTP_BAD_REQUEST, m.id,
		    JR_UNSUPPORTED_VERSION, "Unsupported protocol version",
		    json_pack("{s:o, s:s}", "supported", all_versions(),
		    "requested", hv));
		jr_msg_clear(&m);
		return (rv);
	}
	modern = (hv != NULL && modern_version(hv)) || bv != NULL;
	if (modern && m.kind == JR_REQUEST &&
	    (why = header_mismatch(c, &m, hv, bv)) != NULL) {
		rv = respond_error(c, MHD_HTTP_BAD_REQUEST, m.id,
		    JR_HEADER_MISMATCH, why, NULL);
		jr_msg_clear(&m);
		return (rv);
	}
	if (modern) {
		/* Sessionless: this POST is the whole conversation. */
		if (m.kind == JR_BATCH || m.kind == JR_RESPONSE) {
			jr_msg_clear(&m);
			return (respond_error(c, MHD_HTTP_BAD_REQUEST, NULL,
			    JR_INVALID_REQUEST, "Invalid Request: one request "
			    "or notification per POST", NULL));
		}
		if (m.kind != JR_REQUEST) {
			jr_msg_clear(&m);
			return (respond_empty(c, MHD_HTTP_ACCEPTED, NULL));
		}
		s = sess_new(h, &caller, false);
		c->own = s;
		rv = post_request(c, s, &m, true);
		jr_msg_clear(&m);
		return (rv);
	}
	if (m.kind == JR_REQUEST && strcmp(m.method, "initialize") == 0) {
		if (h->nsessions >= h->lim.max_clients)
			sess_evict(h);
		if (h->nsessions >= h->lim.max_clients) {
			rv = respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    m.id, JR_TOO_MANY_CLIENTS, "Too many sessions; try "
			    "again later", NULL);
			jr_msg_clear(&m);
			return (rv);
		}
		s = sess_new(h, &caller, true);
		rv = post_request(c, s, &m, false);
		jr_msg_clear(&m);
		/* A failed initialize leaves no session behind. */
		if (proto_session_version(s->ps) == NULL)
			sess_free(s);
		return (rv);
	}
	if ((sid = header(c, "Mcp-Session-Id")) == NULL) {
		rv = respond_error(c, MHD_HTTP_BAD_REQUEST, m.id,
		    JR_INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is "
		    "required (send initialize first)", NULL);
		jr_msg_clear(&m);
		return (rv);
	}
	if ((s = sess_find(h, sid, &caller)) == NULL) {
		rv = respond_error(c, MHD_HTTP_NOT_FOUND, m.id,
		    JR_INVALID_REQUEST, "Session not found", NULL);
		jr_msg_clear(&m);
		return (rv);
	}
	s->used = clock_mono_ms();
	if (m.kind == JR_REQUEST) {
		rv = post_request(c, s, &m, false);
		jr_msg_clear(&m);
		return (rv);
	}
	/* Notifications, answers to our requests, batches. */
	if (m.kind == JR_BATCH) {
		rv = post_request(c, s, &m, false);
		jr_msg_clear(&m);
		return (rv);
	}
	jr_msg_clear(&m);
	proto_session_input(s->ps, c->body.data, c->body.len);
	return (respond_empty(c, MHD_HTTP_ACCEPTED, s));
}

/* GET: the session's stream, or a resumed one after Last-Event-ID. */
static enum MHD_Result
on_get(struct hconn *c)
{
	const char *sid = header(c, "Mcp-Session-Id");
	const char *last = header(c, "Last-Event-ID");
	struct rt_caller caller;
	unsigned status = MHD_HTTP_OK, num;
	unsigned long long seq;
	struct hstream *st;
	struct hsess *s;
	int n = 0;

	if (sid == NULL)	/* 2026-07-28 has no GET stream */
		return (respond_empty(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL));
	if (!accepts(header(c, "Accept"), "text/event-stream"))
		return (respond_error(c, MHD_HTTP_NOT_ACCEPTABLE, NULL,
		    JR_INVALID_REQUEST, "Not Acceptable: GET needs Accept: "
		    "text/event-stream", NULL));
	if (!identify(c, &caller, &status))
		return (respond_error(c, status, NULL, JR_INVALID_REQUEST,
		    "Unauthorized", NULL));
	if ((s = sess_find(c->h, sid, &caller)) == NULL)
		return (respond_error(c, MHD_HTTP_NOT_FOUND, NULL,
		    JR_INVALID_REQUEST, "Session not found", NULL));
	s->used = clock_mono_ms();
	if (last != NULL) {
		if (sscanf(last, "%u-%llu%n", &num, &seq, &n) != 2 ||
		    last[n] != '\0' || (st = hs_find_num(s, num)) == NULL)
			return (respond_error(c, MHD_HTTP_BAD_REQUEST, NULL,
			    JR_INVALID_REQUEST, "Bad Request: unknown "
			    "Last-Event-ID", NULL));
		st->close_at = 0;
		return (respond_sse(c, st, (int64_t)seq));
	}
	if (s->get != NULL && s->get->conn != NULL)
		return (respond_error(c, MHD_HTTP_CONFLICT, NULL,
		    JR_INVALID_REQUEST, "Conflict: this session's GET stream "
		    "is already open", NULL));
	if (s->get == NULL) {
		s->get = hs_new(s, NULL);
		hs_open(s->get, primed(s), RETRY_MS);
	}
	return (respond_sse(c, s->get, -1));
}

/* DELETE: ends the session. */
static enum MHD_Result
on_delete(struct hconn *c)
{
	const char *sid = header(c, "Mcp-Session-Id");
	struct rt_caller caller;
	unsigned status = MHD_HTTP_OK;
	struct hsess *s;

	if (sid == NULL)
		return (respond_empty(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL));
	if (!identify(c, &caller, &status))
		return (respond_error(c, status, NULL, JR_INVALID_REQUEST,
		    "Unauthorized", NULL));
	if ((s = sess_find(c->h, sid, &caller)) == NULL)
		return (respond_error(c, MHD_HTTP_NOT_FOUND, NULL,
		    JR_INVALID_REQUEST, "Session not found", NULL));
	log_debug("mcp http: session %.8s... deleted", s->id);
	sess_free(s);
	return (respond_empty(c, MHD_HTTP_OK, NULL));
}

/* MHD's request handler. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct mcp_http *h = cls;
	struct hconn *c = *con_cls;
	const union MHD_ConnectionInfo *ci;

	(void)version;
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->h = h;
		c->mc = mc;
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_DAEMON);
		c->d = ci != NULL ? ci->daemon : NULL;
		jr_buf_init(&c->body);
		if (strcmp(method, "POST") == 0)
			c->method = HM_POST;
		else if (strcmp(method, "GET") == 0)
			c->method = HM_GET;
		else if (strcmp(method, "DELETE") == 0)
			c->method = HM_DELETE;
		c->next = h->conns;
		h->conns = c;
		*con_cls = c;
		/* Refuse early: nothing is read from a refused client. */
		if (!http_origin_ok(header(c, "Host"), header(c, "Origin"),
		    h->conf.allow_remote)) {
			log_warn("mcp http: refused a request from Origin "
			    "\"%s\" (Host \"%s\"): DNS rebinding protection",
			    header(c, "Origin") != NULL ? header(c, "Origin") :
			    "", header(c, "Host") != NULL ? header(c, "Host") :
			    "");
			return (respond_error(c, MHD_HTTP_FORBIDDEN, NULL,
			    JR_INVALID_REQUEST, "Forbidden: Origin or Host not "
			    "allowed", NULL));
		}
		if (strcmp(url, HTTP_PATH) != 0)
			return (respond_error(c, MHD_HTTP_NOT_FOUND, NULL,
			    JR_INVALID_REQUEST, "Not Found: the MCP endpoint "
			    "is " HTTP_PATH " (the 2024-11-05 HTTP+SSE "
			    "transport is not served)", NULL));
		if (c->method == HM_OTHER)
			return (respond_empty(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    NULL));
		return (MHD_YES);
	}
	if (c->done) {
		*upload_size = 0;
		return (MHD_YES);
	}
	if (*upload_size > 0) {
		if (c->body.len + *upload_size > h->lim.max_message) {
			c->toobig = true;
			jr_buf_reset(&c->body, 0);
		} else if (!c->toobig)
			jr_buf_append(&c->body, upload, *upload_size);
		*upload_size = 0;
		return (MHD_YES);
	}
	switch (c->method) {
	case HM_POST:
		return (on_post(c));
	case HM_GET:
		return (on_get(c));
	default:
		return (on_delete(c));
	}
}

/* A request is over (answered, or its client went). */
static void
on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mcp_http *h = cls;
	struct hconn *c = *con_cls, **pp;
	struct hstream *st;

	(void)mc;
	(void)toe;
	if (c == NULL)
		return;
	*con_cls = NULL;
	if ((st = c->st) != NULL) {
		if (st->conn == c)
			st->conn = NULL;
		c->st = NULL;
		/* A POST stream read to its reply is over. */
		if (st != st->sess->get && st->answered &&
		    c->pos == st->dropped + st->log.len)
			hs_free(st);
	}
	/* 2026-07-28: closing the stream cancels the request. */
	if (c->own != NULL)
		sess_free(c->own);
	for (pp = &h->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	jr_buf_free(&c->body);
	free(c);
}

/* --- the thread ----------------------------------------------------- */

/* Ends POST streams held past close_stream_ms, and idle sessions. */
static int
housekeeping(struct mcp_http *h)
{
	struct hsess *s, *next;
	struct hstream *st;
	int64_t now = clock_mono_ms(), wait = -1, left;

	for (s = h->sessions; s != NULL; s = next) {
		next = s->next;
		if (now - s->used > SESSION_IDLE_MS) {
			for (st = s->streams; st != NULL; st = st->next)
				if (st->conn != NULL)
					break;
			if (st == NULL) {
				log_info("mcp http: session %.8s... idle for an "
				    "hour; ended", s->id);
				sess_free(s);
				continue;
			}
		}
		/*
		 * A quiet GET stream gets a comment now and then: a suspended
		 * connection notices a vanished client only when it writes.
		 */
		if ((st = s->get) != NULL && st->conn != NULL) {
			left = st->keepalive_at - now;
			if (st->keepalive_at == 0 || left <= 0) {
				if (st->keepalive_at != 0)
					hs_comment(st);
				st->keepalive_at = now + KEEPALIVE_MS;
				left = KEEPALIVE_MS;
			}
			if (wait < 0 || left < wait)
				wait = left;
		}
		for (st = s->streams; st != NULL; st = st->next) {
			if (st->close_at == 0 || st->conn == NULL ||
			    st->answered)
				continue;
			left = st->close_at - now;
			if (left <= 0) {
				/* The client polls back with Last-Event-ID. */
				st->close_at = 0;
				st->conn->closing = true;
				hs_wake(st);
			} else if (wait < 0 || left < wait)
				wait = left;
		}
	}
	return ((int)wait);
}

static int
min_timeout(int a, int b)
{
	if (a < 0)
		return (b);
	if (b < 0)
		return (a);
	return (a < b ? a : b);
}

/* MHD's wait, in ms (-1: none). */
static int
mhd_timeout(struct MHD_Daemon *d)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (d == NULL || MHD_get_timeout(d, &t) != MHD_YES)
		return (-1);
	return (t > 60000 ? 60000 : (int)t);
}

static int
mhd_fd(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	return (i != NULL ? i->epoll_fd : -1);
}

/*
 * The transport's part of a poll loop, on whichever thread owns the
 * protocol context: the MCP server's thread in racktop (so one thread
 * owns the approval broker's held calls), or the thread of our own that
 * mcp_http_start makes when nothing else hosts it.
 */

/* Binds the transport to the loop's protocol context. */
void
mcp_http_begin(struct mcp_http *h, struct proto_ctx *ctx)
{
	h->ctx = ctx;
	proto_ctx_set_extra(ctx, h->lim.extra);
}

/* The fds to poll for reading (MHD's epoll fds); how many (<= 2). */
int
mcp_http_fds(struct mcp_http *h, struct pollfd *pfd)
{
	int n = 0;

	if (h->tcp != NULL) {
		pfd[n].fd = mhd_fd(h->tcp);
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	if (h->unx != NULL) {
		pfd[n].fd = mhd_fd(h->unx);
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return (n);
}

/* How long the loop may wait, in ms (-1: as long as it likes). */
int
mcp_http_wait(struct mcp_http *h)
{
	int t = h->hk_wait;

	t = min_timeout(t, mhd_timeout(h->tcp));
	t = min_timeout(t, mhd_timeout(h->unx));
	return (min_timeout(t, 60000));
}

/* Runs MHD and the deadlines; call on every pass of the loop. */
void
mcp_http_work(struct mcp_http *h)
{
	/* Before MHD runs: the connections it resumes go now. */
	housekeeping(h);
	if (h->tcp != NULL)
		MHD_run(h->tcp);
	if (h->unx != NULL)
		MHD_run(h->unx);
	/* A POST just answered with SSE may have a deadline now. */
	h->hk_wait = housekeeping(h);
}

/*
 * The loop is ending: subscriptions end gracefully, every session goes
 * (its calls cancelled) and every stream's connection is ended, while
 * the protocol context is still there.
 */
void
mcp_http_end(struct mcp_http *h)
{
	struct hsess *s;
	struct hconn *c;

	for (s = h->sessions; s != NULL; s = s->next)
		proto_session_shutdown(s->ps);
	for (c = h->conns; c != NULL; c = c->next) {
		if (c->st != NULL)
			hs_detach(c);
		if (c->own != NULL) {
			sess_free(c->own);
			c->own = NULL;
		}
	}
	while (h->sessions != NULL)
		sess_free(h->sessions);
}

/* Our own thread, when nothing else hosts the transport. */
static void *
http_main(void *arg)
{
	struct mcp_http *h = arg;
	struct pollfd pfd[5];
	int n, timeout;
	uint64_t v;

	log_set_thread("mcp-http");
	for (;;) {
		n = 0;
		pfd[n].fd = h->wake_fd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = proto_ctx_fd(h->ctx);
		pfd[n++].events = POLLIN;
		pfd[n].fd = proto_ctx_approval_fd(h->ctx);
		pfd[n++].events = POLLIN;
		n += mcp_http_fds(h, pfd + n);
		timeout = min_timeout(proto_ctx_approval_ms(h->ctx),
		    mcp_http_wait(h));
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("mcp http: poll");
		}
		if (pfd[0].revents != 0) {
			if (read(h->wake_fd, &v, sizeof v) == -1 &&
			    errno != EAGAIN)
				fatal("mcp http: eventfd read");
			if (atomic_load(&h->stop))
				break;
		}
		if (pfd[1].revents != 0)
			proto_ctx_complete(h->ctx);
		if (pfd[2].revents != 0 || proto_ctx_approval_ms(h->ctx) == 0)
			proto_ctx_approvals(h->ctx);
		mcp_http_work(h);
	}
	mcp_http_end(h);
	return (NULL);
}

/* --- start and stop ------------------------------------------------- */

/* Parses HOST:PORT ([V6]:PORT) into a listening socket. */
static int
tcp_listen(struct mcp_http *h, const char *s, char **cause)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	char host[64], *end;
	const char *colon;
	unsigned long port;
	size_t hl;
	socklen_t len;
	bool loop;
	int fd, one = 1;

	memset(&ss, 0, sizeof ss);
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			goto bad;
		hl = (size_t)(colon - s - 1);
		colon++;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof host)
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		loop = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
		len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		loop = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
		len = sizeof *v6;
	} else
		goto bad;
	if (!loop && !h->conf.allow_remote) {
		xasprintf(cause, "http_listen: %s is not a loopback address; "
		    "set http_allow_remote = yes to listen there", host);
		return (-1);
	}
	if (!loop)
		log_warn("mcp http: listening on %s, which is not loopback: "
		    "anyone who can reach it and holds a token may call "
		    "tools; put TLS in front", host);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		xasprintf(cause, "http_listen: socket: %s", strerror(errno));
		return (-1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 64) == -1) {
		xasprintf(cause, "http_listen: cannot listen on %s: %s",
		    s, strerror(errno));
		close(fd);
		return (-1);
	}
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		h->port = ntohs(ss.ss_family == AF_INET ? v4->sin_port :
		    v6->sin6_port);
	return (fd);
bad:
	xasprintf(cause, "http_listen: \"%s\" is not HOST:PORT with HOST an "
	    "IP address (127.0.0.1:8765, [::1]:8765)", s);
	return (-1);
}

static struct MHD_Daemon *
daemon_on(struct mcp_http *h, int fd)
{
	return (MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->lim.max_clients * 4,
	    MHD_OPTION_CONNECTION_TIMEOUT, 300U,
	    MHD_OPTION_END));
}

static void
free_http(struct mcp_http *h)
{
	http_tokens_free(h->tokens, h->ntokens);
	free(h->sock_path);
	if (h->wake_fd != -1)
		close(h->wake_fd);
	free(h);
}

/* Opens the listeners; nothing runs until a loop hosts it. */
struct mcp_http *
mcp_http_new(const struct mcp_http_conf *conf, const struct mcp_limits *limits,
    char **cause)
{
	struct mcp_http *h = xcalloc(1, sizeof *h);
	int tfd = -1, ufd = -1;

	h->conf = *conf;
	h->conf.listen = h->conf.socket = h->conf.token_file = NULL;
	h->uid = getuid();
	h->wake_fd = -1;
	h->hk_wait = -1;
	if (limits != NULL)
		h->lim = *limits;
	else
		mcp_limits_default(&h->lim);
	if (h->lim.max_message == 0)
		h->lim.max_message = JR_MAX_MESSAGE_DEFAULT;
	if (h->lim.max_clients < 1)
		h->lim.max_clients = 1;
	if (h->lim.out_hard == 0)
		h->lim.out_hard = (size_t)16 * 1024 * 1024;
	if (conf->listen == NULL && conf->socket == NULL) {
		xasprintf(cause, "http: neither http_listen nor http_socket");
		free_http(h);
		return (NULL);
	}
	if (conf->listen != NULL && !conf->no_token) {
		if (conf->token_file == NULL) {
			xasprintf(cause, "http_listen needs http_token_file "
			    "(a 0600 file of \"NAME TOKEN\" lines)");
			free_http(h);
			return (NULL);
		}
		if (http_tokens_load(conf->token_file, &h->tokens,
		    &h->ntokens, cause) != 0) {
			free_http(h);
			return (NULL);
		}
	}
	if (conf->listen != NULL &&
	    (tfd = tcp_listen(h, conf->listen, cause)) == -1) {
		free_http(h);
		return (NULL);
	}
	if (conf->socket != NULL) {
		if ((ufd = sockpath_listen(conf->socket, cause)) == -1) {
			if (tfd != -1)
				close(tfd);
			free_http(h);
			return (NULL);
		}
		h->sock_path = xstrdup(conf->socket);
	}
	if ((tfd != -1 && (h->tcp = daemon_on(h, tfd)) == NULL) ||
	    (ufd != -1 && (h->unx = daemon_on(h, ufd)) == NULL)) {
		xasprintf(cause, "http: libmicrohttpd did not start");
		if (h->tcp != NULL)
			MHD_stop_daemon(h->tcp);
		else if (tfd != -1)
			close(tfd);
		if (ufd != -1)
			close(ufd);
		if (h->sock_path != NULL)
			unlink(h->sock_path);
		free_http(h);
		return (NULL);
	}
	return (h);
}

/* Listeners, a protocol context and a thread of our own. */
struct mcp_http *
mcp_http_start(const struct mcp_http_conf *conf, struct registry *reg,
    struct job_pool *pool, const struct mcp_limits *limits, char **cause)
{
	struct mcp_http *h;
	struct proto_config pc;
	sigset_t all, old;
	int rv;

	if ((h = mcp_http_new(conf, limits, cause)) == NULL)
		return (NULL);
	if ((h->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		mcp_http_stop(h);
		return (NULL);
	}
	memset(&pc, 0, sizeof pc);
	pc.tools_page = h->lim.page_size;
	pc.max_inflight = h->lim.max_inflight;
	pc.rate_per_s = h->lim.rate_per_s;
	pc.approval = h->lim.approval;
	mcp_http_begin(h, proto_ctx_create(reg, pool, &pc));
	atomic_init(&h->stop, false);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rv = pthread_create(&h->thread, NULL, http_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(rv));
		mcp_http_stop(h);
		return (NULL);
	}
	h->threaded = true;
	return (h);
}

int
mcp_http_port(const struct mcp_http *h)
{
	return (h != NULL ? h->port : 0);
}

/*
 * Stops our thread (when we have one), closes the listeners and every
 * connection. A hosted transport is stopped after its loop ended
 * (mcp_http_end ran there).
 */
void
mcp_http_stop(struct mcp_http *h)
{
	uint64_t one = 1;

	if (h == NULL)
		return;
	if (h->threaded) {
		atomic_store(&h->stop, true);
		if (write(h->wake_fd, &one, sizeof one) == -1)
			fatal("mcp http: eventfd write");
		pthread_join(h->thread, NULL);
	}
	/* MHD closes every connection (on_completed frees them). */
	if (h->tcp != NULL)
		MHD_stop_daemon(h->tcp);
	if (h->unx != NULL)
		MHD_stop_daemon(h->unx);
	if (h->wake_fd != -1 && h->ctx != NULL) {
		/* Ours: mcp_http_end ran on our thread, or it never started. */
		mcp_http_end(h);
		proto_ctx_destroy(h->ctx);
	}
	if (h->sock_path != NULL && unlink(h->sock_path) == -1 &&
	    errno != ENOENT)
		log_warn("mcp http: unlink %s: %s", h->sock_path,
		    strerror(errno));
	free_http(h);
}
