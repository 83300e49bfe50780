/*
 * The simulated Pi-hole v6 API (/api), following the FTL OpenAPI
 * definitions: paths, field names and the error body
 * {"error":{"key","message","hint"},"took"}.
 *
 * Auth: POST /api/auth {"password"} opens a session (sid, 30 minutes,
 * renewed by every authenticated request) sent back in the X-FTL-SID
 * header or the sid argument; DELETE /api/auth ends it. Sessions take
 * seats: when max_sessions are live a login answers 429
 * api_seats_exceeded. The web password may need a TOTP code (totp on):
 * with a totp_secret set, the code of the wall clock's 30-second step
 * (or one either side) passes once, as in FTL ("Reused 2FA token" the
 * second time); without one no code passes. The app password bypasses 2FA, and its sessions may not change
 * the configuration unless app_sudo is true (403 forbidden).
 *
 * Blocking: POST /api/dns/blocking with a timer flips back once the
 * clock passes its end (POST /clock/advance with the fixed clock).
 * Gravity: POST /api/action/gravity streams its output as text/plain
 * with chunked transfer, a line every pace_ms; the new domain count
 * takes effect when the last line went. Counts "gravity completed" and
 * "gravity aborted" (the client left first) in GET /counts.
 *
 * POST /state (control endpoint) with "op":
 *   config         any of password, app_password, totp, totp_secret
 *                  (base32), app_sudo, max_sessions
 *   kill_sessions  ends every session (clients see 401 and log in again)
 *   gravity        any of hold (runs stop after that many lines until
 *                  hold is 0 again), pace_ms (between lines, default 40),
 *                  fail_after (runs cut the connection after that many
 *                  lines; 0: never)
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fnmatch.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim-ext.h"
#include "sim/sim.h"

#define PHS_SESSIONS 64			/* slots; max_sessions <= this */
#define PHS_VALIDITY_S 1800
#define PHS_QUERIES 400			/* queries in the log */
#define PHS_HISTORY 144			/* ten-minute slots: one day */

struct phs_session {
	bool used;
	bool app;
	char sid[32];
	int64_t expires_ms;
};

struct phs {
	uint64_t rng;
	char password[40];
	char app_password[48];
	bool totp;
	unsigned char totp_key[64];	/* 2FA secret; none: no code passes */
	size_t totp_len;
	long totp_last;			/* the last code accepted, -1: none */
	bool app_sudo;
	int max_sessions;
	struct phs_session sessions[PHS_SESSIONS];
	struct phs_session *cur;	/* the request's, during a handler */

	bool blocking;
	int64_t timer_end_ms;		/* 0: no timer */
	int64_t start_ms;
	json_t *domains;		/* rows as the API returns them */
	int next_id;
	json_t *upstreams;		/* strings */
	int64_t gravity_ms;
	long long gravity_domains;
	int gravity_pace_ms;		/* between two output lines */
	int gravity_hold;		/* runs wait after this many lines */
	int gravity_fail_after;		/* runs break after this many */
};

static const char *const phs_permitted[] = {
	"api.github.com", "www.google.com", "connectivitycheck.gstatic.com",
	"time.cloudflare.com", "updates.home-assistant.io", "pool.ntp.org",
	"registry-1.docker.io", "deb.debian.org", "www.youtube.com",
	"i.ytimg.com", "fonts.gstatic.com", "api.spotify.com", NULL
};
static const char *const phs_blocked[] = {
	"doubleclick.net", "googleads.g.doubleclick.net", "ads.example.com",
	"telemetry.microsoft.com", "app-measurement.com",
	"scorecardresearch.com",
	"tracking.tv.example", "ssl.google-analytics.com", NULL
};
static const char *const phs_clients[][2] = {
	{ "10.0.0.20", "desktop.lan" }, { "10.0.0.21", "laptop.lan" },
	{ "10.0.0.30", "tv.lan" }, { "10.0.0.31", "phone.lan" },
	{ "10.0.0.40", "homeassistant.lan" }, { "127.0.0.1", "localhost" },
	{ NULL, NULL }
};
static const char *const phs_types[] = { "A", "AAAA", "HTTPS", "A" };

/* Counts a NULL-terminated list. */
static size_t
phs_len(const char *const *v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return (n);
}

/* Creates the API state: passwords derive from the seed. */
static void *
phs_create(struct sim_service *svc)
{
	struct phs *s = xcalloc(1, sizeof *s);

	s->rng = sim_scenario(svc)->seed ^ 0x91401e5ULL;
	snprintf(s->password, sizeof s->password, "hole-%08x",
	    (unsigned int)scenario_rand(&s->rng));
	snprintf(s->app_password, sizeof s->app_password, "app-%08x%08x",
	    (unsigned int)scenario_rand(&s->rng),
	    (unsigned int)scenario_rand(&s->rng));
	s->max_sessions = 16;
	s->totp_last = -1;
	s->blocking = true;
	s->start_ms = sim_now_ms(svc);
	s->gravity_ms = s->start_ms - 6 * 3600 * 1000LL;
	s->gravity_domains = 219727;
	s->gravity_pace_ms = 40;
	s->domains = json_array();
	s->next_id = 1;
	json_array_append_new(s->domains, json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s, s:[i], s:b, s:i, s:I, s:I}", "domain", "allowed.com",
	    "unicode", "allowed.com", "type", "allow", "kind", "exact",
	    "comment", "from the simulator", "groups", 0, "enabled", 1, "id",
	    s->next_id++, "date_added", (json_int_t)(s->start_ms / 1000),
	    "date_modified", (json_int_t)(s->start_ms / 1000)));
	json_array_append_new(s->domains, json_pack("{s:s, s:s, s:s, s:s, "
	    "s:n, s:[i], s:b, s:i, s:I, s:I}", "domain", "(\\.|^)tracker\\.",
	    "unicode", "(\\.|^)tracker\\.", "type", "deny", "kind", "regex",
	    "comment", "groups", 0, "enabled", 1, "id", s->next_id++,
	    "date_added", (json_int_t)(s->start_ms / 1000), "date_modified",
	    (json_int_t)(s->start_ms / 1000)));
	s->upstreams = json_pack("[s, s]", "9.9.9.9", "149.112.112.112");
	return (s);
}

/* Frees the API state. */
static void
phs_destroy(void *data)
{
	struct phs *s = data;

	if (s == NULL)
		return;
	json_decref(s->domains);
	json_decref(s->upstreams);
	free(s);
}

/* Replies j (stolen) with "took" added. */
static void
phs_reply(struct sim_response *resp, int status, json_t *j)
{
	json_object_set_new(j, "took", json_real(0.003));
	sim_reply_json_new(resp, status, j);
}

/* An error in FTL's shape. */
static void
phs_err(struct sim_response *resp, int status, const char *key,
    const char *message, const char *hint)
{
	phs_reply(resp, status, json_pack("{s:{s:s, s:s, s:s?}}", "error",
	    "key", key, "message", message, "hint", hint));
}

/* The real 401. */
static void
phs_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	phs_err(resp, 401, "unauthorized", "Unauthorized", NULL);
}

/* An error body for a status (faults). */
static void
phs_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	phs_err(resp, status, status == 404 ? "not_found" : status >= 500 ?
	    "internal_error" : "bad_request", msg != NULL ? msg : status >=
	    500 ? "Internal server error" : "Bad request", NULL);
}

/* No route. */
static void
phs_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	phs_err(resp, 404, "not_found", "Not found", req->path);
}

/* Flips blocking back when its timer ran out; expires sessions. */
static void
phs_tick(struct sim_service *svc)
{
	struct phs *s = sim_service_data(svc);
	int64_t now = sim_now_ms(svc);
	int i;

	if (s->timer_end_ms != 0 && now >= s->timer_end_ms) {
		s->blocking = !s->blocking;
		s->timer_end_ms = 0;
	}
	for (i = 0; i < PHS_SESSIONS; i++) {
		if (s->sessions[i].used && now >= s->sessions[i].expires_ms)
			s->sessions[i].used = false;
	}
}

/* Live sessions. */
static int
phs_nsessions(struct phs *s)
{
	int i, n = 0;

	for (i = 0; i < PHS_SESSIONS; i++)
		n += s->sessions[i].used;
	return (n);
}

/* Checks the session id of a request. */
static int
phs_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const char *sid;
	int i;

	phs_tick(svc);
	s->cur = NULL;
	sid = sim_header(req, "X-FTL-SID");
	if (sid == NULL)
		sid = sim_arg(req, "sid");
	for (i = 0; sid != NULL && i < PHS_SESSIONS; i++) {
		if (s->sessions[i].used &&
		    strcmp(s->sessions[i].sid, sid) == 0) {
			s->cur = &s->sessions[i];
			s->cur->expires_ms = sim_now_ms(svc) +
			    PHS_VALIDITY_S * 1000LL;
			return (0);
		}
	}
	phs_unauthorized(svc, resp);
	return (-1);
}

/* The session object of an auth answer. */
static json_t *
phs_session_json(struct phs *s, const struct phs_session *se,
    const char *message)
{
	return (json_pack("{s:{s:b, s:b, s:s?, s:s?, s:i, s:s?}}", "session",
	    "valid", se != NULL, "totp", s->totp, "sid", se != NULL ?
	    se->sid : NULL, "csrf", se != NULL ? "Ux87YTIiMOf/GKCefVIOMw=" :
	    NULL, "validity", se != NULL ? PHS_VALIDITY_S : -1, "message",
	    message));
}

/*
 * Whether code is the TOTP code (RFC 6238, HMAC-SHA1, 30 s steps, six
 * digits) of the secret for the wall clock's step or one either side, as
 * FTL checks it. The wall clock, not the simulated one: the client's
 * authenticator knows only real time.
 */
static bool
phs_totp_ok(struct phs *s, json_int_t code)
{
	unsigned char msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, off, bin;
	long long t;
	int d, i;

	if (s->totp_len == 0)
		return (false);
	for (d = -1; d <= 1; d++) {
		t = (long long)time(NULL) / 30 + d;
		for (i = 7; i >= 0; i--) {
			msg[i] = (unsigned char)(t & 0xff);
			t >>= 8;
		}
		mdlen = 0;
		if (HMAC(EVP_sha1(), s->totp_key, (int)s->totp_len, msg,
		    sizeof msg, md, &mdlen) == NULL || mdlen < 20)
			return (false);
		off = md[mdlen - 1] & 0xf;
		bin = (unsigned)(md[off] & 0x7f) << 24 |
		    (unsigned)md[off + 1] << 16 | (unsigned)md[off + 2] << 8 |
		    md[off + 3];
		if ((json_int_t)(bin % 1000000) == code)
			return (true);
	}
	return (false);
}

/* Decodes a base32 secret into s->totp_key; -1 when it is not one. */
static int
phs_set_totp_secret(struct phs *s, const char *b32)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	const char *p;
	unsigned long acc = 0;
	int bits = 0;

	s->totp_len = 0;
	for (; *b32 != '\0'; b32++) {
		if (*b32 == '=' || *b32 == ' ')
			continue;
		if ((p = strchr(alpha, *b32)) == NULL)
			return (-1);
		acc = (acc << 5 | (unsigned long)(p - alpha)) & 0xfff;
		if ((bits += 5) >= 8) {
			bits -= 8;
			if (s->totp_len == sizeof s->totp_key)
				return (-1);
			s->totp_key[s->totp_len++] = (unsigned char)(acc >>
			    bits);
		}
	}
	s->totp_last = -1;
	return (0);
}

/* POST /auth: a new session for a right password, while seats last. */
static void
phs_post_auth(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct phs *s = sim_service_data(svc);
	struct phs_session *se = NULL;
	const json_t *pw = json_object_get(req->args, "password");
	bool app;
	int i;

	phs_tick(svc);
	if (pw == NULL) {
		phs_err(resp, 400, "bad_request",
		    "No password found in JSON payload", NULL);
		return;
	}
	if (!json_is_string(pw)) {
		phs_err(resp, 400, "bad_request",
		    "Field password has to be of type 'string'", NULL);
		return;
	}
	app = strcmp(json_string_value(pw), s->app_password) == 0;
	if (!app && strcmp(json_string_value(pw), s->password) != 0) {
		phs_reply(resp, 401, phs_session_json(s, NULL,
		    "password incorrect"));
		return;
	}
	if (!app && s->totp) {
		const json_t *code = json_object_get(req->args, "totp");

		if (code == NULL) {
			phs_err(resp, 400, "bad_request",
			    "No 2FA token found in JSON payload", NULL);
			return;
		}
		if (json_is_integer(code) && json_integer_value(code) ==
		    s->totp_last) {
			phs_err(resp, 401, "unauthorized", "Reused 2FA token",
			    "wait for new token");
			return;
		}
		if (!json_is_integer(code) || !phs_totp_ok(s,
		    json_integer_value(code))) {
			phs_err(resp, 401, "unauthorized", "Invalid 2FA token",
			    NULL);
			return;
		}
		s->totp_last = (long)json_integer_value(code);
	}
	if (phs_nsessions(s) >= s->max_sessions) {
		phs_err(resp, 429, "api_seats_exceeded", "API seats exceeded",
		    "increase webserver.api.max_sessions");
		return;
	}
	for (i = 0; i < PHS_SESSIONS && se == NULL; i++) {
		if (!s->sessions[i].used)
			se = &s->sessions[i];
	}
	if (se == NULL) {
		phs_err(resp, 429, "api_seats_exceeded", "API seats exceeded",
		    "increase webserver.api.max_sessions");
		return;
	}
	memset(se, 0, sizeof *se);
	se->used = true;
	se->app = app;
	for (i = 0; i < 22; i++)
		se->sid[i] = b64[scenario_rand(&s->rng) % 64];
	se->sid[22] = '=';
	se->expires_ms = sim_now_ms(svc) + PHS_VALIDITY_S * 1000LL;
	phs_reply(resp, 200, phs_session_json(s, se, app ?
	    "app-password correct" : "correct password"));
}

/* GET /auth: whether the request's session is valid. */
static void
phs_get_auth(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);

	(void)req;
	phs_reply(resp, 200, phs_session_json(s, s->cur, NULL));
}

/* DELETE /auth: ends the request's session. */
static void
phs_delete_auth(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);

	(void)req;
	if (s->cur != NULL)
		s->cur->used = false;
	s->cur = NULL;
	resp->status = 204;
}

/* Seconds since the simulator started, on its clock. */
static long long
phs_elapsed(struct sim_service *svc)
{
	struct phs *s = sim_service_data(svc);

	return ((sim_now_ms(svc) - s->start_ms) / 1000);
}

/* GET /stats/summary: counters that grow with the clock. */
static void
phs_summary(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	long long t = phs_elapsed(svc);
	json_int_t total = 24180 + 2 * t, blocked = 4127 + t / 3;

	(void)req;
	phs_reply(resp, 200, json_pack("{s:{s:I, s:I, s:f, s:i, s:I, s:I, "
	    "s:f, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}, s:{s:i, s:i}, "
	    "s:{s:I, s:I}}", "queries", "total", total, "blocked", blocked,
	    "percent_blocked", 100.0 * (double)blocked / (double)total,
	    "unique_domains", 1843, "forwarded", total - blocked - 5120,
	    "cached", (json_int_t)5120, "frequency", 1.1, "types", "A",
	    total * 6 / 10, "AAAA", total * 3 / 10, "HTTPS", total / 10,
	    "status", "GRAVITY", blocked, "FORWARDED", total - blocked - 5120,
	    "CACHE", (json_int_t)5120, "clients", "active", 6, "total", 9,
	    "gravity", "domains_being_blocked", (json_int_t)s->gravity_domains,
	    "last_update", (json_int_t)(s->gravity_ms / 1000)));
}

/* The blocking state object. */
static json_t *
phs_blocking_json(struct sim_service *svc)
{
	struct phs *s = sim_service_data(svc);

	return (json_pack("{s:s, s:o}", "blocking", s->blocking ? "enabled" :
	    "disabled", "timer", s->timer_end_ms != 0 ?
	    json_real((double)(s->timer_end_ms - sim_now_ms(svc)) / 1000.0) :
	    json_null()));
}

/* GET /dns/blocking. */
static void
phs_get_blocking(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	phs_reply(resp, 200, phs_blocking_json(svc));
}

/* POST /dns/blocking {"blocking": bool, "timer": seconds|null}. */
static void
phs_post_blocking(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const json_t *b = json_object_get(req->args, "blocking");
	const json_t *t = json_object_get(req->args, "timer");

	if (!json_is_boolean(b)) {
		phs_err(resp, 400, "body_error",
		    "No \"blocking\" boolean in body data", NULL);
		return;
	}
	s->blocking = json_is_true(b);
	s->timer_end_ms = json_is_number(t) && json_number_value(t) > 0 ?
	    sim_now_ms(svc) + (int64_t)(json_number_value(t) * 1000.0) : 0;
	phs_reply(resp, 200, phs_blocking_json(svc));
}

/* A count argument, bounded. */
static int
phs_count(struct sim_request *req, int def)
{
	const char *v = sim_arg(req, "count");
	int n = v != NULL ? atoi(v) : def;

	return (n < 1 ? def : n > 1000 ? 1000 : n);
}

/* GET /stats/top_domains?blocked=bool&count=N. */
static void
phs_top_domains(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *b = sim_arg(req, "blocked");
	bool blocked = b != NULL && strcmp(b, "true") == 0;
	const char *const *list = blocked ? phs_blocked : phs_permitted;
	long long t = phs_elapsed(svc);
	json_t *domains = json_array();
	size_t i, n = phs_len(list);
	int count = phs_count(req, 10);

	for (i = 0; i < n && (int)i < count; i++)
		json_array_append_new(domains, json_pack("{s:s, s:I}",
		    "domain", list[i], "count", (json_int_t)((blocked ? 900 :
		    3000) / (i + 1) + t / (long long)(i + 2))));
	phs_reply(resp, 200, json_pack("{s:o, s:I, s:I}", "domains", domains,
	    "total_queries", (json_int_t)(24180 + 2 * t), "blocked_queries",
	    (json_int_t)(4127 + t / 3)));
}

/* GET /stats/top_clients?count=N[&blocked=true]. */
static void
phs_top_clients(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	long long t = phs_elapsed(svc);
	json_t *clients = json_array();
	const char *blocked = sim_arg(req, "blocked");
	bool only_blocked = blocked != NULL && strcmp(blocked, "true") == 0;
	int i, count = phs_count(req, 10);
	json_int_t n;

	for (i = 0; phs_clients[i][0] != NULL && i < count; i++) {
		n = (json_int_t)(8000 / (i + 1) + t / (i + 2));
		/* blocked=true ranks clients by their blocked queries. */
		if (only_blocked)
			n = n / 6 + i;
		json_array_append_new(clients, json_pack("{s:s, s:s, s:I}",
		    "ip", phs_clients[i][0], "name", phs_clients[i][1],
		    "count", n));
	}
	phs_reply(resp, 200, json_pack("{s:o, s:I, s:I}", "clients", clients,
	    "total_queries", (json_int_t)(24180 + 2 * t), "blocked_queries",
	    (json_int_t)(4127 + t / 3)));
}

/* GET /history: a day in ten-minute slots, oldest first. */
static void
phs_history(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	int64_t now = sim_now_ms(svc) / 1000;
	json_t *h = json_array();
	json_int_t total;
	int i;

	(void)req;
	for (i = PHS_HISTORY - 1; i >= 0; i--) {
		total = 100 + ((now / 600 - i) * 37) % 120;
		json_array_append_new(h, json_pack("{s:f, s:I, s:I, s:I, s:I}",
		    "timestamp", (double)(now - now % 600 - i * 600),
		    "total", total, "cached", total / 4, "blocked", total / 6,
		    "forwarded", total - total / 4 - total / 6));
	}
	phs_reply(resp, 200, json_pack("{s:o}", "history", h));
}

/* Whether a query argument filter (with * wildcards) matches. */
static bool
phs_filter(struct sim_request *req, const char *name, const char *value)
{
	const char *want = sim_arg(req, name);

	return (want == NULL || (value != NULL && fnmatch(want, value, 0) ==
	    0));
}

/* GET /queries: the newest queries, filtered, length at most. */
static void
phs_queries(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	int64_t now = sim_now_ms(svc);
	const char *up = sim_arg(req, "upstream");
	const char *v;
	size_t np = phs_len(phs_permitted), nb = phs_len(phs_blocked), nc;
	json_t *q = json_array();
	const char *domain, *status, *upstream;
	double t, from = -1, until = -1;
	int i, length = 100, matched = 0;

	for (nc = 0; phs_clients[nc][0] != NULL; nc++)
		;
	if ((v = sim_arg(req, "length")) != NULL)
		length = atoi(v);
	if ((v = sim_arg(req, "from")) != NULL)
		from = atof(v);
	if ((v = sim_arg(req, "until")) != NULL)
		until = atof(v);
	for (i = 0; i < PHS_QUERIES; i++) {
		t = (double)(now - i * 7000LL) / 1000.0;
		if (i % 5 == 0) {
			domain = phs_blocked[(size_t)i / 5 % nb];
			status = "GRAVITY";
			upstream = NULL;
		} else {
			domain = phs_permitted[(size_t)i * 7 % np];
			status = i % 3 == 0 ? "CACHE" : "FORWARDED";
			upstream = i % 3 == 0 ? NULL : "9.9.9.9#53";
		}
		if (!phs_filter(req, "domain", domain) ||
		    !phs_filter(req, "client_ip", phs_clients[i % nc][0]) ||
		    !phs_filter(req, "type", phs_types[i % 4]) ||
		    (from >= 0 && t < from) || (until >= 0 && t > until))
			continue;
		if (up != NULL && ((strcmp(up, "blocklist") == 0 &&
		    strcmp(status, "GRAVITY") != 0) || (strcmp(up,
		    "permitted") == 0 && strcmp(status, "GRAVITY") == 0) ||
		    (strcmp(up, "cache") == 0 && strcmp(status, "CACHE") != 0)))
			continue;
		matched++;
		if (json_array_size(q) >= (size_t)length)
			continue;
		json_array_append_new(q, json_pack("{s:i, s:f, s:s, s:s, s:n, "
		    "s:s, s:{s:s, s:s}, s:s, s:{s:s, s:f}, s:n, s:s?, "
		    "s:{s:i, s:n}}", "id", 500000 - i, "time", t, "type",
		    phs_types[i % 4], "domain", domain, "cname", "status",
		    status, "client", "ip", phs_clients[i % nc][0], "name",
		    phs_clients[i % nc][1], "dnssec", "INSECURE", "reply",
		    "type", strcmp(status, "GRAVITY") == 0 ? "IP" : "IP",
		    "time", strcmp(status, "FORWARDED") == 0 ? 12.3 : 0.1,
		    "list_id", "upstream", upstream, "ede", "code", 0,
		    "text"));
	}
	phs_reply(resp, 200, json_pack("{s:o, s:i, s:i, s:i, s:i}", "queries",
	    q, "cursor", 500000 - PHS_QUERIES, "recordsTotal", PHS_QUERIES,
	    "recordsFiltered", matched, "draw", 0));
}

/* Whether a path parameter is a valid type or kind. */
static bool
phs_valid(const char *v, const char *a, const char *b)
{
	return (v == NULL || strcmp(v, a) == 0 || strcmp(v, b) == 0);
}

/* GET /domains[/{type}[/{kind}]]. */
static void
phs_get_domains(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const char *type = json_string_value(json_object_get(req->params,
	    "type"));
	const char *kind = json_string_value(json_object_get(req->params,
	    "kind"));
	const json_t *d;
	json_t *out = json_array();
	size_t i;

	if (!phs_valid(type, "allow", "deny") ||
	    !phs_valid(kind, "exact", "regex")) {
		json_decref(out);
		phs_err(resp, 400, "uri_error", "Invalid request: Specify "
		    "list to modify more precisely", NULL);
		return;
	}
	json_array_foreach(s->domains, i, d) {
		if ((type == NULL || strcmp(type, json_string_value(
		    json_object_get(d, "type"))) == 0) && (kind == NULL ||
		    strcmp(kind, json_string_value(json_object_get(d,
		    "kind"))) == 0))
			json_array_append_new(out, json_deep_copy(d));
	}
	phs_reply(resp, 200, json_pack("{s:o, s:n}", "domains", out,
	    "processed"));
}

/* The index of a domain entry, or -1. */
static int
phs_find_domain(struct phs *s, const char *domain, const char *type,
    const char *kind)
{
	const json_t *d;
	size_t i;

	json_array_foreach(s->domains, i, d) {
		if (strcmp(json_string_value(json_object_get(d, "domain")),
		    domain) == 0 && strcmp(json_string_value(json_object_get(d,
		    "type")), type) == 0 && strcmp(json_string_value(
		    json_object_get(d, "kind")), kind) == 0)
			return ((int)i);
	}
	return (-1);
}

/* POST /domains/{type}/{kind} {"domain", "comment", "enabled"}. */
static void
phs_post_domain(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const char *type = json_string_value(json_object_get(req->params,
	    "type"));
	const char *kind = json_string_value(json_object_get(req->params,
	    "kind"));
	const char *domain = json_string_value(json_object_get(req->args,
	    "domain"));
	const char *comment = json_string_value(json_object_get(req->args,
	    "comment"));
	json_int_t now = sim_now_ms(svc) / 1000;
	json_t *row;

	if (!phs_valid(type, "allow", "deny") ||
	    !phs_valid(kind, "exact", "regex")) {
		phs_err(resp, 400, "uri_error", "Invalid request: Specify "
		    "list to modify more precisely", NULL);
		return;
	}
	if (domain == NULL) {
		phs_err(resp, 400, "bad_request",
		    "Invalid request body data (no valid JSON)", NULL);
		return;
	}
	if (strcmp(kind, "regex") == 0 && strchr(domain, '[') != NULL &&
	    strchr(domain, ']') == NULL) {
		phs_err(resp, 400, "regex_error", "Regex validation failed",
		    "Missing ']'");
		return;
	}
	if (phs_find_domain(s, domain, type, kind) != -1) {
		phs_err(resp, 400, "database_error",
		    "Could not add to gravity database",
		    "UNIQUE constraint failed: domainlist.domain, "
		    "domainlist.type");
		return;
	}
	row = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:[i], s:b, s:i, s:I, "
	    "s:I}", "domain", domain, "unicode", domain, "type", type, "kind",
	    kind, "comment", comment, "groups", 0, "enabled",
	    !json_is_false(json_object_get(req->args, "enabled")), "id",
	    s->next_id++, "date_added", now, "date_modified", now);
	json_array_append(s->domains, row);
	phs_reply(resp, 201, json_pack("{s:[o], s:{s:[{s:s}], s:[]}}",
	    "domains", row, "processed", "success", "item", domain,
	    "errors"));
}

/* DELETE /domains/{type}/{kind}/{domain}. */
static void
phs_delete_domain(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const char *type = json_string_value(json_object_get(req->params,
	    "type"));
	const char *kind = json_string_value(json_object_get(req->params,
	    "kind"));
	const char *domain = json_string_value(json_object_get(req->params,
	    "domain"));
	int i;

	if (!phs_valid(type, "allow", "deny") ||
	    !phs_valid(kind, "exact", "regex")) {
		phs_err(resp, 400, "uri_error", "Invalid request: Specify "
		    "list to modify more precisely", NULL);
		return;
	}
	if ((i = phs_find_domain(s, domain, type, kind)) == -1) {
		phs_reply(resp, 404, json_object());
		return;
	}
	json_array_remove(s->domains, (size_t)i);
	resp->status = 204;
}

/* One gravity run's streamed output. */
struct phs_run {
	struct sim_service *svc;
	json_t *lines;		/* strings, each with its "\n" (or "\r") */
	size_t next;
	long long domains;	/* the count the run ends with */
	int64_t due_mono;	/* when the next line may go */
	int fd;			/* the connection's socket, or -1 */
	bool done;
};

/* Whether the client closed its end (a held run notices it). */
static bool
phs_peer_gone(int fd)
{
	char c;
	ssize_t n;

	if (fd == -1)
		return (false);
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR));
}

/*
 * Streams a run one line at a time, gravity_pace_ms apart, holding after
 * gravity_hold lines while the hold is set, cutting the connection after
 * gravity_fail_after lines. The run counts only when its last line went.
 */
static ssize_t
phs_gravity_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct phs_run *r = cls;
	struct phs *s;
	const char *line;
	int64_t now;
	size_t n;

	(void)pos;
	sim_service_lock(r->svc);
	s = sim_service_data(r->svc);
	for (;;) {
		if (s->gravity_fail_after > 0 &&
		    r->next >= (size_t)s->gravity_fail_after)
			goto cut;
		if (r->next >= json_array_size(r->lines)) {
			if (!r->done) {
				r->done = true;
				s->gravity_ms = sim_now_ms(r->svc);
				s->gravity_domains = r->domains;
				sim_service_count(r->svc, "gravity completed");
			}
			sim_service_unlock(r->svc);
			return (MHD_CONTENT_READER_END_OF_STREAM);
		}
		now = clock_mono_ms();
		if (s->gravity_hold > 0 &&
		    r->next >= (size_t)s->gravity_hold) {
			if (phs_peer_gone(r->fd))
				goto cut;
			if (!sim_service_wait(r->svc, 50))
				goto cut;	/* the simulator stops */
			continue;
		}
		if (now >= r->due_mono)
			break;
		if (!sim_service_wait(r->svc, (int)(r->due_mono - now)))
			goto cut;
	}
	line = json_string_value(json_array_get(r->lines, r->next));
	n = strlen(line);
	if (n > max)
		n = max;
	memcpy(buf, line, n);
	r->next++;
	r->due_mono = clock_mono_ms() + s->gravity_pace_ms;
	sim_service_unlock(r->svc);
	return ((ssize_t)n);
cut:
	sim_service_unlock(r->svc);
	return (MHD_CONTENT_READER_END_WITH_ERROR);
}

/* Frees a run; one that did not finish is counted as aborted. */
static void
phs_gravity_free(void *cls)
{
	struct phs_run *r = cls;

	sim_service_lock(r->svc);
	if (!r->done)
		sim_service_count(r->svc, "gravity aborted");
	sim_service_unlock(r->svc);
	json_decref(r->lines);
	free(r);
}

/* POST /action/gravity: the output of a run, streamed as it happens. */
static void
phs_gravity(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	struct phs_run *r = xcalloc(1, sizeof *r);
	const union MHD_ConnectionInfo *ci;
	char domains[128];

	r->svc = svc;
	ci = req->conn != NULL ? MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD) : NULL;
	r->fd = ci != NULL ? ci->connect_fd : -1;
	r->domains = s->gravity_domains + 17;
	snprintf(domains, sizeof domains, "  [i] Number of gravity domains: "
	    "%lld (%lld unique domains)\n", r->domains, r->domains - 4287);
	r->lines = json_pack("[s, s, s, s, s, s, s, s, s, s, s, s, s, s]",
	    "  [i] Neutrino emissions detected...\n",
	    "  [\xe2\x9c\x93] Pulling blocklist source list into range\n",
	    "  [i] Preparing new gravity database...\r",
	    "  [\xe2\x9c\x93] Preparing new gravity database\n",
	    "  [i] Target: https://raw.githubusercontent.com/StevenBlack/"
	    "hosts/master/hosts\n",
	    "  [\xe2\x9c\x93] Status: Retrieval successful\n",
	    "  [i] Imported 172502 domains\n",
	    "  [\xe2\x9c\x93] Creating new gravity databases\n",
	    "  [\xe2\x9c\x93] Building tree\n",
	    "  [\xe2\x9c\x93] Swapping databases\n",
	    domains,
	    "  [\xe2\x9c\x93] Cleaning up stray matter\n",
	    "  [\xe2\x9c\x93] Flushing DNS cache\n",
	    s->blocking ? "  [\xe2\x9c\x93] Pi-hole blocking is enabled\n" :
	    "  [\xe2\x9c\x93] Pi-hole blocking is disabled\n");
	r->due_mono = clock_mono_ms();
	sim_reply_stream(svc, resp, phs_gravity_read, r, phs_gravity_free);
	resp->content_type = "text/plain";
}

/* GET /stats/upstreams. */
static void
phs_stats_upstreams(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	long long t = phs_elapsed(svc);
	const json_t *u;
	json_t *list = json_array();
	char ip[64], *hash;
	size_t i;

	(void)req;
	json_array_foreach(s->upstreams, i, u) {
		snprintf(ip, sizeof ip, "%s", json_string_value(u));
		if ((hash = strchr(ip, '#')) != NULL)
			*hash = '\0';
		json_array_append_new(list, json_pack("{s:s, s:n, s:i, s:I, "
		    "s:{s:f, s:f}}", "ip", ip, "name", "port", hash != NULL ?
		    atoi(hash + 1) : 53, "count", (json_int_t)(9000 / (i + 1) +
		    t), "statistics", "response", 0.0254856 * (double)(i + 1),
		    "variance", 0.02058));
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:I, s:{s:f, "
	    "s:f}}", "ip", "blocklist", "name", "blocklist", "port", -1,
	    "count", (json_int_t)(4127 + t / 3), "statistics", "response",
	    0.0, "variance", 0.0));
	phs_reply(resp, 200, json_pack("{s:o, s:I, s:I}", "upstreams", list,
	    "forwarded_queries", (json_int_t)(14933 + t), "total_queries",
	    (json_int_t)(24180 + 2 * t)));
}

/* The dns.upstreams part of the configuration. */
static json_t *
phs_config_json(struct phs *s)
{
	return (json_pack("{s:{s:{s:O}}}", "config", "dns", "upstreams",
	    s->upstreams));
}

/* GET /config/dns/upstreams. */
static void
phs_get_config(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	phs_reply(resp, 200, phs_config_json(sim_service_data(svc)));
}

/* PATCH /config: only dns.upstreams is simulated. */
static void
phs_patch_config(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct phs *s = sim_service_data(svc);
	const json_t *u, *v;
	size_t i;

	if (s->cur != NULL && s->cur->app && !s->app_sudo) {
		phs_err(resp, 403, "forbidden", "Unable to change "
		    "configuration (read-only)", "The current app session is "
		    "not allowed to modify Pi-hole config settings "
		    "(webserver.api.app_sudo is false)");
		return;
	}
	u = json_object_get(json_object_get(json_object_get(req->args,
	    "config"), "dns"), "upstreams");
	if (!json_is_array(u)) {
		phs_err(resp, 400, "bad_request", "Invalid request body data "
		    "(no valid JSON)", NULL);
		return;
	}
	json_array_foreach(u, i, v) {
		if (!json_is_string(v)) {
			phs_err(resp, 400, "bad_request", "Config item is "
			    "invalid", "dns.upstreams: not of type array of "
			    "strings");
			return;
		}
	}
	json_decref(s->upstreams);
	s->upstreams = json_deep_copy(u);
	phs_reply(resp, 200, phs_config_json(s));
}

/* Reads an optional integer field of a state change into *v. */
static int
phs_state_int(const json_t *j, const char *name, int lo, int hi, int *v,
    char **cause)
{
	const json_t *x = json_object_get(j, name);

	if (x == NULL)
		return (0);
	if (!json_is_integer(x) || json_integer_value(x) < lo ||
	    json_integer_value(x) > hi) {
		xasprintf(cause, "%s: %d to %d", name, lo, hi);
		return (-1);
	}
	*v = (int)json_integer_value(x);
	return (0);
}

/* POST /state: config, kill_sessions and gravity. */
static int
phs_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct phs *s = sim_service_data(svc);
	const char *op = json_string_value(json_object_get(j, "op"));
	const json_t *v;
	int i;

	phs_tick(svc);
	if (op != NULL && strcmp(op, "kill_sessions") == 0) {
		for (i = 0; i < PHS_SESSIONS; i++)
			s->sessions[i].used = false;
		return (0);
	}
	if (op != NULL && strcmp(op, "gravity") == 0) {
		if (phs_state_int(j, "hold", 0, 1000, &s->gravity_hold,
		    cause) != 0 || phs_state_int(j, "pace_ms", 0, 60000,
		    &s->gravity_pace_ms, cause) != 0 ||
		    phs_state_int(j, "fail_after", 0, 1000,
		    &s->gravity_fail_after, cause) != 0)
			return (-1);
		sim_service_wake(svc);	/* a released hold goes on */
		return (0);
	}
	if (op == NULL || strcmp(op, "config") != 0) {
		xasprintf(cause, "op must be config, kill_sessions or gravity");
		return (-1);
	}
	if ((v = json_object_get(j, "password")) != NULL && json_is_string(v))
		snprintf(s->password, sizeof s->password, "%s",
		    json_string_value(v));
	if ((v = json_object_get(j, "app_password")) != NULL &&
	    json_is_string(v))
		snprintf(s->app_password, sizeof s->app_password, "%s",
		    json_string_value(v));
	if ((v = json_object_get(j, "totp")) != NULL)
		s->totp = json_is_true(v);
	if ((v = json_object_get(j, "totp_secret")) != NULL &&
	    (!json_is_string(v) ||
	    phs_set_totp_secret(s, json_string_value(v)) != 0)) {
		xasprintf(cause, "totp_secret: upper-case base32");
		return (-1);
	}
	if ((v = json_object_get(j, "app_sudo")) != NULL)
		s->app_sudo = json_is_true(v);
	if ((v = json_object_get(j, "max_sessions")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > PHS_SESSIONS) {
			xasprintf(cause, "max_sessions: 0 to %d", PHS_SESSIONS);
			return (-1);
		}
		s->max_sessions = (int)json_integer_value(v);
	}
	return (0);
}

/* The endpoints-file entry: url and the web password. */
static void
phs_endpoint(struct sim_service *svc, json_t *o)
{
	struct phs *s = sim_service_data(svc);

	json_object_set_new(o, "pihole", json_pack("{s:o, s:s}", "url",
	    json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "password", s->password));
}

static const struct sim_route phs_routes[] = {
	{ "POST", "/auth", phs_post_auth, SIM_ROUTE_NOAUTH },
	{ "GET", "/auth", phs_get_auth, 0 },
	{ "DELETE", "/auth", phs_delete_auth, 0 },
	{ "GET", "/stats/summary", phs_summary, 0 },
	{ "GET", "/stats/top_domains", phs_top_domains, 0 },
	{ "GET", "/stats/top_clients", phs_top_clients, 0 },
	{ "GET", "/stats/upstreams", phs_stats_upstreams, 0 },
	{ "GET", "/history", phs_history, 0 },
	{ "GET", "/queries", phs_queries, 0 },
	{ "GET", "/dns/blocking", phs_get_blocking, 0 },
	{ "POST", "/dns/blocking", phs_post_blocking, 0 },
	{ "GET", "/domains", phs_get_domains, 0 },
	{ "GET", "/domains/{type}", phs_get_domains, 0 },
	{ "GET", "/domains/{type}/{kind}", phs_get_domains, 0 },
	{ "POST", "/domains/{type}/{kind}", phs_post_domain, 0 },
	{ "DELETE", "/domains/{type}/{kind}/{domain}", phs_delete_domain, 0 },
	{ "POST", "/action/gravity", phs_gravity, 0 },
	{ "GET", "/config/dns/upstreams", phs_get_config, 0 },
	{ "PATCH", "/config", phs_patch_config, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_pihole_ops = {
	.name = "pihole",
	.prefix = "/api",
	.routes = phs_routes,
	.create = phs_create,
	.destroy = phs_destroy,
	.authorize = phs_authorize,
	.unauthorized = phs_unauthorized,
	.error = phs_error,
	.not_found = phs_not_found,
	.state = phs_state,
	.endpoint = phs_endpoint,
};
