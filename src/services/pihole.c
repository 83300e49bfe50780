/*
 * Pi-hole v6 backend: transport (HTTP through core/http, one API session
 * per instance), the poller (summary and blocking state every refresh; top
 * lists and the query history every PH_TOPS_S) and the pihole_* tools.
 * Parsing lives in pihole-parse.c.
 *
 * DESIGN
 * Owner: one struct ph per configured instance, created and destroyed on
 * the main thread. The poller thread uses ph->poller and ph->tops alone;
 * tool calls run on any worker and borrow a client from ph->pool (an
 * http_pool). The session id lives behind ph->login, which also
 * makes logins run one at a time: Pi-hole has few API seats (16 by
 * default), so the instance holds exactly one session for racktop's life,
 * shared by the poller and every worker. A request refused with 401 logs
 * in once more, unless another thread already did since the refused
 * session was read. The destroy callback releases the seat (DELETE
 * /api/auth), once every gravity run has ended. A gravity run reads its
 * stream (core/http's http_stream) on a detached thread of its own with
 * a pooled client; the call re-arms with call_again() and sends the
 * lines that arrived as progress, so no worker waits on the stream. The
 * run is counted (ph_run refs): when the call ends first (cancelled,
 * timed out) its step_free flags the run to stop and returns at once. Pi-hole answers errors as {"error":{"key","message","hint"}},
 * so requests go through http_request and read that body themselves.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/jsonfast.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/pihole.h"
#include "services/services.h"

#define PH_REFRESH_S 5
#define PH_MAX_AGE_S 10		/* default max_age_s of reads */
#define PH_TOPS_S 30		/* seconds between top list fetches */
#define PH_TOP_N 25		/* entries of each top list kept */
#define PH_POOL_MAX 4
#define PH_GRAVITY_TAIL 20
#define PH_GRAVITY_POLL_MS 100	/* the call's turns while gravity runs */
#define PH_GRAVITY_IDLE_MS (180 * 1000)	/* a list download may be quiet */
#define PH_GRAVITY_MAX_MS (30 * 60 * 1000)
#define PH_GRAVITY_LINE_MAX 8192
#define PH_GRAVITY_LINES_MAX 20000	/* a real run prints a few hundred */

struct ph {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	char *password;		/* NULL: the Pi-hole has none */
	unsigned char totp_key[64];	/* from totp_secret; zeroed at exit */
	size_t totp_len;	/* 0: no totp_secret */
	long long totp_step;	/* the last step whose code was sent */

	pthread_mutex_t login;	/* one login at a time; guards sid.. */
	char *sid;		/* NULL before login or without password */
	bool logged_in;
	bool app;		/* the session came from an app password */
	unsigned sid_gen;
	unsigned logins;

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;	/* the poller thread's own */
	json_t *tops;		/* the poller's: top lists, history */
	int64_t tops_mono;

	pthread_mutex_t runs_lock;	/* guards nruns */
	pthread_cond_t runs_done;
	int nruns;		/* gravity threads still running */
	atomic_bool stopping;	/* destroy: every gravity run ends */
};

/* The state of an instance. */
static struct ph *
ph_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "pihole NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
ph_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "pihole %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* The JSON body of a response, or NULL (new reference). */
static json_t *
ph_body_json(const struct http_response *r)
{
	if (r->body == NULL || r->len == 0)
		return (NULL);
	return (jsonfast_load(r->body, r->len, 0, NULL));
}

/*
 * The cause of a refused login, from its status and body (caller frees);
 * *kind is set.
 */
static char *
ph_login_cause(const struct http_response *r, bool sent_totp, int *kind)
{
	struct pihole_session s;
	const char *key;
	char *text, *cause;
	json_t *j = ph_body_json(r);
	bool totp = false;

	if (pihole_parse_session(j, &s) == 0) {
		totp = s.totp;
		pihole_session_free(&s);
	}
	text = pihole_error_text(j, &key);
	*kind = RT_ERR_AUTH;
	if (r->status == 429 && key != NULL &&
	    strcmp(key, "api_seats_exceeded") == 0)
		xasprintf(&cause, "POST /api/auth: HTTP 429: no free API seats "
		    "(api_seats_exceeded): every session is taken; end some "
		    "(Settings > Web interface / API) or raise "
		    "webserver.api.max_sessions");
	else if (r->status == 429)
		xasprintf(&cause, "POST /api/auth: HTTP 429: %s", text != NULL ?
		    text : "too many login attempts");
	else if (sent_totp && text != NULL && strstr(text, "2FA") != NULL)
		xasprintf(&cause, "POST /api/auth: HTTP %ld: the TOTP code was "
		    "refused (%s): check totp_secret and this machine's clock",
		    r->status, text);
	else if (totp || (text != NULL && strstr(text, "2FA") != NULL))
		xasprintf(&cause, "POST /api/auth: HTTP %ld: two-factor "
		    "authentication is on for this password: create an app "
		    "password (Settings > Web interface / API > Configure app "
		    "password) and set it as password, or set totp_secret",
		    r->status);
	else if (r->status == 401)
		xasprintf(&cause, "POST /api/auth: HTTP 401: password "
		    "incorrect — check password (an app password is best)");
	else {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(&cause, "POST /api/auth: HTTP %ld%s%s", r->status,
		    text != NULL ? ": " : "", text != NULL ? text : "");
	}
	free(text);
	json_decref(j);
	return (cause);
}

/* Logs in with the password; called with p->login held. */
static int
ph_login(struct ph *p, struct http_client *cl, int *kind, char **cause)
{
	static const char *const hdrs[] = {
		"Content-Type: application/json",
		"Accept: application/json",
		NULL,
	};
	struct http_response r;
	struct pihole_session s;
	json_t *body, *j;
	long long step;
	char *text;
	bool retried = false;
	int rv;

again:
	body = json_pack("{s:s}", "password", p->password);
	if (p->totp_len > 0) {
		/*
		 * Pi-hole takes the code of the step before or after its own
		 * too, but never one code twice: a renewal takes the next.
		 */
		step = clock_wall_ms() / 1000 / 30;
		if (step <= p->totp_step)
			step = p->totp_step + 1;
		p->totp_step = step;
		json_object_set_new(body, "totp", json_integer(pihole_totp(
		    p->totp_key, p->totp_len, step)));
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	rv = http_request(cl, "POST", "/auth", hdrs, text, strlen(text), &r,
	    cause);
	/* The password leaves no copy behind. */
	explicit_bzero(text, strlen(text));
	free(text);
	if (rv != 0) {
		*kind = RT_ERR_UNREACHABLE;
		return (-1);
	}
	/* Another client (a lazy racktop) used this step's code first. */
	if (p->totp_len > 0 && r.status == 401 && !retried &&
	    strstr(r.body, "Reused 2FA token") != NULL) {
		http_response_free(&r);
		retried = true;
		goto again;
	}
	j = r.status == 200 ? ph_body_json(&r) : NULL;
	if (j == NULL || pihole_parse_session(j, &s) != 0 || !s.valid) {
		if (j != NULL) {
			pihole_session_free(&s);
			r.status = r.status == 200 ? 401 : r.status;
		}
		*cause = ph_login_cause(&r, p->totp_len > 0, kind);
		json_decref(j);
		http_response_free(&r);
		return (-1);
	}
	free(p->sid);
	p->sid = s.sid;		/* NULL: this Pi-hole needs no login */
	s.sid = NULL;
	p->app = s.message != NULL && strstr(s.message, "app") != NULL;
	p->logged_in = true;
	p->sid_gen++;
	p->logins++;
	log_info("pihole %s: new API session (%u so far)", p->name, p->logins);
	pihole_session_free(&s);
	json_decref(j);
	http_response_free(&r);
	return (0);
}

/*
 * The session header line for a request (caller frees; NULL when no
 * session is needed). stale_gen names a session generation that was
 * refused, to log in again; *gen receives the generation used.
 */
static int
ph_auth(struct ph *p, struct http_client *cl, unsigned stale_gen,
    char **hdr, unsigned *gen, int *kind, char **cause)
{
	*hdr = NULL;
	*gen = 0;
	if (p->password == NULL)
		return (0);
	pthread_mutex_lock(&p->login);
	if (p->logged_in && p->sid_gen == stale_gen)
		p->logged_in = false;
	if (!p->logged_in && ph_login(p, cl, kind, cause) != 0) {
		pthread_mutex_unlock(&p->login);
		return (-1);
	}
	if (p->sid != NULL)
		xasprintf(hdr, "X-FTL-SID: %s", p->sid);
	*gen = p->sid_gen;
	pthread_mutex_unlock(&p->login);
	return (0);
}

/*
 * The cause of a request answered with an error status (caller frees),
 * from Pi-hole's {"error":{...}} body; *kind is set.
 */
static char *
ph_status_cause(struct ph *p, const char *method, const char *path,
    const struct http_response *resp, int *kind)
{
	const char *q = strchr(path, '?');
	char *etext, *cause;
	json_t *ej;

	ej = ph_body_json(resp);
	etext = pihole_error_text(ej, NULL);
	json_decref(ej);
	if (resp->status == 401) {
		*kind = RT_ERR_AUTH;
		xasprintf(&cause, "%s /api%.*s: HTTP 401: the session was "
		    "refused%s", method, q != NULL ? (int)(q - path) :
		    (int)strlen(path), path, p->password != NULL ? " again "
		    "after a new login" : "; this Pi-hole wants a password: "
		    "set password");
	} else {
		*kind = resp->status == 403 ? RT_ERR_AUTH : RT_ERR_UPSTREAM;
		xasprintf(&cause, "%s /api%.*s: HTTP %ld%s%.300s", method,
		    q != NULL ? (int)(q - path) : (int)strlen(path), path,
		    resp->status, etext != NULL ? ": " : "",
		    etext != NULL ? etext : "");
	}
	free(etext);
	return (cause);
}

/*
 * One API request with the session; renews the session once on 401.
 * Returns 0 with *resp holding a 2xx response (free it), or -1 with *kind
 * and *cause (caller frees), which never hold a credential. *status (if
 * not NULL) receives the HTTP status, 0 when none arrived.
 */
static int
ph_do(struct ph *p, struct http_client *cl, const char *method,
    const char *path, const json_t *body, struct http_response *resp,
    long *status, int *kind, char **cause)
{
	const char *hdrs[4];
	char *auth, *text = NULL;
	unsigned gen, stale = 0;
	int attempt, n, rv = -1;

	if (status != NULL)
		*status = 0;
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	memset(resp, 0, sizeof *resp);
	for (attempt = 0; attempt < 2; attempt++) {
		/* A failed renewal after a 401 must not pass for success. */
		if (ph_auth(p, cl, stale, &auth, &gen, kind, cause) != 0) {
			rv = -1;
			goto out;
		}
		n = 0;
		if (auth != NULL)
			hdrs[n++] = auth;
		hdrs[n++] = "Accept: application/json";
		if (text != NULL)
			hdrs[n++] = "Content-Type: application/json";
		hdrs[n] = NULL;
		rv = http_request(cl, method, path, hdrs, text, text != NULL ?
		    strlen(text) : 0, resp, cause);
		free(auth);
		if (rv != 0) {
			*kind = RT_ERR_UNREACHABLE;
			goto out;
		}
		/* The session may have expired or been deleted: once more. */
		if (resp->status == 401 && p->password != NULL &&
		    attempt == 0) {
			http_response_free(resp);
			memset(resp, 0, sizeof *resp);
			stale = gen;
			continue;
		}
		break;
	}
	if (status != NULL)
		*status = resp->status;
	if (resp->status >= 200 && resp->status < 300) {
		rv = 0;
		goto out;
	}
	rv = -1;
	*cause = ph_status_cause(p, method, path, resp, kind);
	http_response_free(resp);
	memset(resp, 0, sizeof *resp);
out:
	free(text);
	return (rv);
}

/* A request whose 2xx answer is JSON: new reference (null when empty). */
static json_t *
ph_json(struct ph *p, struct http_client *cl, const char *method,
    const char *path, const json_t *body, long *status, int *kind,
    char **cause)
{
	struct http_response r;
	json_error_t err;
	json_t *j;

	if (ph_do(p, cl, method, path, body, &r, status, kind, cause) != 0)
		return (NULL);
	if (r.len == 0) {
		http_response_free(&r);
		return (json_null());
	}
	if ((j = jsonfast_load(r.body, r.len, 0, &err)) == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s /api%s: invalid JSON in response: %s "
		    "(line %d, column %d)", method, path, err.text, err.line,
		    err.column);
	}
	http_response_free(&r);
	return (j);
}

/* A live request with a pooled client; see ph_json. */
static json_t *
ph_call(struct ph *p, const char *method, const char *path,
    const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *j;
	int kind;

	if (status != NULL)
		*status = 0;
	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	j = ph_json(p, cl, method, path, body, status, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (j);
}

/* The summary row, live: GET /stats/summary and /dns/blocking. */
static json_t *
ph_fetch_summary(struct ph *p, struct http_client *cl, int *kind,
    char **cause)
{
	json_t *sum, *blk, *row;

	if ((sum = ph_json(p, cl, "GET", "/stats/summary", NULL, NULL, kind,
	    cause)) == NULL)
		return (NULL);
	if ((blk = ph_json(p, cl, "GET", "/dns/blocking", NULL, NULL, kind,
	    cause)) == NULL) {
		json_decref(sum);
		return (NULL);
	}
	row = pihole_parse_summary(sum, blk, p->name);
	/* The dashboard's % column wants a fraction. */
	json_object_set_new(row, "blocked_ratio", json_real(json_number_value(
	    json_object_get(row, "percent_blocked")) / 100));
	json_decref(sum);
	json_decref(blk);
	return (row);
}

/*
 * The clients' blocked counts (racktop_find shows them): one more
 * request beside the top lists. 0, or -1 with *kind and *cause.
 */
static int
ph_merge_blocked(struct ph *p, struct http_client *cl, json_t *rows,
    int count, int *kind, char **cause)
{
	json_t *j;
	char path[96];

	snprintf(path, sizeof path, "/stats/top_clients?blocked=true&count=%d",
	    count);
	if ((j = ph_json(p, cl, "GET", path, NULL, NULL, kind, cause)) == NULL)
		return (-1);
	pihole_merge_blocked_clients(rows, j);
	json_decref(j);
	return (0);
}

/* Top lists, blocked counts per client and history, live: five requests. */
static json_t *
ph_fetch_tops(struct ph *p, struct http_client *cl, int count, int *kind,
    char **cause)
{
	static const char *const what[] = {
		"top_permitted", "top_blocked", "top_clients", "history",
	};
	json_t *tops, *j, *rows, *spark;
	char path[96];
	size_t i;
	const json_t *h;

	tops = json_object();
	for (i = 0; i < 4; i++) {
		if (i == 0 || i == 1)
			snprintf(path, sizeof path, "/stats/top_domains?"
			    "blocked=%s&count=%d", i == 1 ? "true" : "false",
			    count);
		else if (i == 2)
			snprintf(path, sizeof path, "/stats/top_clients?"
			    "count=%d", count);
		else
			snprintf(path, sizeof path, "/history");
		if ((j = ph_json(p, cl, "GET", path, NULL, NULL, kind,
		    cause)) == NULL) {
			json_decref(tops);
			return (NULL);
		}
		if (i < 2)
			rows = pihole_parse_top_domains(j, p->name, i == 1);
		else if (i == 2) {
			rows = pihole_parse_top_clients(j, p->name);
			if (ph_merge_blocked(p, cl, rows, count, kind,
			    cause) != 0) {
				json_decref(rows);
				json_decref(j);
				json_decref(tops);
				return (NULL);
			}
		} else
			rows = pihole_parse_history(j);
		json_decref(j);
		json_object_set_new(tops, what[i], rows);
	}
	spark = json_array();
	json_array_foreach(json_object_get(tops, "history"), i, h)
		json_array_append(spark, json_object_get(h, "total"));
	json_object_set_new(tops, "sparkline", spark);
	json_object_set_new(tops, "tops_fetched_ms",
	    json_integer(clock_wall_ms()));
	return (tops);
}

/* The poller: one refresh. */
static json_t *
ph_poll(void *arg, int *kind, char **cause)
{
	struct ph *p = arg;
	json_t *row, *tops, *snap;
	int64_t now = clock_mono_ms();

	if (p->poller == NULL &&
	    (p->poller = http_client_create(&p->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	if ((row = ph_fetch_summary(p, p->poller, kind, cause)) == NULL)
		return (NULL);
	if (p->tops == NULL || now - p->tops_mono >= PH_TOPS_S * 1000) {
		if ((tops = ph_fetch_tops(p, p->poller, PH_TOP_N, kind,
		    cause)) == NULL) {
			json_decref(row);
			return (NULL);
		}
		json_decref(p->tops);
		p->tops = tops;
		p->tops_mono = now;
	}
	/* The snapshot gets its own copy: p->tops stays the poller's. */
	snap = json_deep_copy(p->tops);
	/* The dashboard's row draws the queries sparkline. */
	json_object_set(row, "sparkline", json_object_get(snap, "sparkline"));
	json_object_set_new(snap, "summary_rows", json_pack("[O]", row));
	json_object_set_new(snap, "summary", row);
	return (snap);
}

/* The summary read live with a pooled client, for read_view_get. */
static json_t *
ph_view_fetch(void *arg, int *kind, char **cause)
{
	struct ph *p = arg;
	struct http_client *cl;
	json_t *row;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	row = ph_fetch_summary(p, cl, kind, cause);
	http_pool_put(&p->pool, cl);
	if (row == NULL)
		return (NULL);
	return (json_pack("{s:o}", "summary", row));
}

/* Frees an instance's state, ending its API session first. */
static void
ph_destroy(void *arg)
{
	struct ph *p = arg;
	struct http_response r;
	struct http_client *cl;
	const char *hdrs[2];
	char *hdr, *why = NULL;

	if (p == NULL)
		return;
	/* Gravity runs end promptly (their stop callback) and let go of p. */
	atomic_store(&p->stopping, true);
	pthread_mutex_lock(&p->runs_lock);
	while (p->nruns > 0)
		pthread_cond_wait(&p->runs_done, &p->runs_lock);
	pthread_mutex_unlock(&p->runs_lock);
	if (p->sid != NULL && (cl = http_pool_get(&p->pool, &why)) != NULL) {
		/* Gives the seat back: Pi-hole has few. */
		xasprintf(&hdr, "X-FTL-SID: %s", p->sid);
		hdrs[0] = hdr;
		hdrs[1] = NULL;
		if (http_request(cl, "DELETE", "/auth", hdrs, NULL, 0, &r,
		    &why) == 0) {
			if (r.status != 204 && r.status != 200)
				log_warn("pihole %s: ending the session: HTTP "
				    "%ld", p->name, r.status);
			http_response_free(&r);
		}
		free(hdr);
		http_pool_put(&p->pool, cl);
	}
	if (why != NULL)
		log_warn("pihole %s: ending the session: %s", p->name, why);
	free(why);
	http_pool_finish(&p->pool);
	http_client_destroy(p->poller);
	json_decref(p->tops);
	pthread_mutex_destroy(&p->login);
	pthread_mutex_destroy(&p->runs_lock);
	pthread_cond_destroy(&p->runs_done);
	free(p->name);
	free((char *)p->opts.base_url);
	free((char *)p->opts.ca_file);
	free((char *)p->opts.fingerprint);
	if (p->password != NULL)
		explicit_bzero(p->password, strlen(p->password));
	explicit_bzero(p->totp_key, sizeof p->totp_key);
	free(p->password);
	free(p->sid);
	free(p);
}

/* Creates an instance from its [pihole "name"] section. */
static void *
ph_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *password, *totp;
	struct http_client *cl;
	struct ph *p;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)) {
		xasprintf(cause, "url: %s", url == NULL ? "missing (e.g. "
		    "https://pi.hole)" : "must start with https:// or http://");
		return (NULL);
	}
	password = conf_get(ic, "password");
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	p = xcalloc(1, sizeof *p);
	p->in = in;
	p->name = xstrdup(ic->name);
	http_pool_init(&p->pool, &p->opts, PH_POOL_MAX);
	pthread_mutex_init(&p->login, NULL);
	pthread_mutex_init(&p->runs_lock, NULL);
	pthread_cond_init(&p->runs_done, NULL);
	atomic_init(&p->stopping, false);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&p->opts.base_url, "%s/api", base);
	free(base);
	p->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	p->opts.connect_timeout_ms = p->opts.timeout_ms < 5000 ?
	    p->opts.timeout_ms : 5000;
	p->opts.insecure = !verify;
	p->opts.max_response = 16 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		p->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		p->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	if (password != NULL && *password != '\0')
		p->password = xstrdup(password);
	if ((totp = conf_get(ic, "totp_secret")) != NULL &&
	    (p->totp_len = pihole_base32(totp, p->totp_key,
	    sizeof p->totp_key)) < 10) {
		xasprintf(cause, "totp_secret: expected the base32 secret "
		    "Pi-hole shows when two-factor authentication is set up");
		ph_destroy(p);
		return (NULL);
	}
	/* Checks the TLS options now rather than at the first request. */
	if ((cl = http_client_create(&p->opts, &why)) == NULL) {
		*cause = why;
		ph_destroy(p);
		return (NULL);
	}
	http_pool_put(&p->pool, cl);
	return (p);
}

/*
 * The instances a write covers: "all" (where the tool allows it) or the
 * one named, which is required when several are configured. NULL after
 * failing the call; the caller frees the array.
 */
static struct rt_instance **
ph_write_instances(struct rt_call *c, size_t *n)
{
	const char *want = call_arg_str(c, "instance");
	struct rt_instance **all, *in;

	if (want != NULL && strcmp(want, "all") == 0) {
		all = registry_instances_of(call_registry(c), c->rt->service,
		    n);
		if (*n == 0) {
			free(all);
			call_fail(c, "no pihole instance is configured");
			return (NULL);
		}
		return (all);
	}
	if ((in = call_instance(c)) == NULL)
		return (NULL);
	all = xcalloc(1, sizeof *all);
	all[0] = in;
	*n = 1;
	return (all);
}

/* Records an instance's failure in errors; frees why. */
static void
ph_add_error(json_t *errors, struct rt_instance *in, char *why)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "instance",
	    in->name, "error", why != NULL ? why : "no data"));
	free(why);
}

/* The timer left after age_ms, from a summary row (new reference). */
static json_t *
ph_timer_left(const json_t *row, int64_t age_ms)
{
	const json_t *t = json_object_get(row, "timer");
	double left;

	if (!json_is_number(t))
		return (json_null());
	left = json_number_value(t) - (double)age_ms / 1000.0;
	return (json_real(left > 0 ? left : 0));
}

/* pihole_get_summary: queries, blocked share, clients, gravity size. */
static int
ph_get_summary(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *rows, *errors, *row;
	json_int_t total = 0, blocked = 0, active = 0;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	rows = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    PH_MAX_AGE_S), ph_view_fetch, ph_of(ins[i]), &v,
		    &why) != 0) {
			ph_add_error(errors, ins[i], why);
			nerr++;
			continue;
		}
		row = json_deep_copy(json_object_get(v.data, "summary"));
		json_object_del(row, "blocked_ratio");
		json_object_del(row, "sparkline");
		json_object_set_new(row, "timer", ph_timer_left(row,
		    v.age_ms));
		json_object_set_new(row, "age_ms", json_integer(v.age_ms));
		total += json_integer_value(json_object_get(row,
		    "queries_total"));
		blocked += json_integer_value(json_object_get(row,
		    "queries_blocked"));
		active += json_integer_value(json_object_get(row,
		    "clients_active"));
		json_array_append_new(rows, row);
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(rows);
		return (call_fail_all(c, errors));
	}
	return (call_ok(c, json_pack("{s:o, s:{s:I, s:I, s:f, s:I}, s:o}",
	    "instances", rows, "totals", "queries_total", total,
	    "queries_blocked", blocked, "percent_blocked", total > 0 ?
	    100.0 * (double)blocked / (double)total : 0.0, "clients_active",
	    active, "instance_errors", errors)));
}

/* pihole_get_blocking: blocking on or off, and the timer left. */
static int
ph_get_blocking(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	const json_t *row;
	json_t *rows, *errors;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	rows = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    PH_MAX_AGE_S), ph_view_fetch, ph_of(ins[i]), &v,
		    &why) != 0) {
			ph_add_error(errors, ins[i], why);
			nerr++;
			continue;
		}
		row = json_object_get(v.data, "summary");
		/* Copies: a snapshot's json_t refcounts are never touched. */
		json_array_append_new(rows, json_pack("{s:s, s:s, s:o, s:I}",
		    "instance", ins[i]->name, "blocking", json_string_value(
		    json_object_get(row, "blocking")), "timer",
		    ph_timer_left(row, v.age_ms), "age_ms",
		    (json_int_t)v.age_ms));
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(rows);
		return (call_fail_all(c, errors));
	}
	return (call_ok(c, json_pack("{s:o, s:o}", "instances", rows,
	    "instance_errors", errors)));
}

/* One upstream request a write would make, for previews. */
static json_t *
ph_request_json(struct rt_instance *in, const char *method,
    const char *path, const json_t *body)
{
	return (json_pack("{s:s, s:s, s:s+, s:o}", "instance", in->name,
	    "method", method, "path", "/api", path, "body", body != NULL ?
	    audit_redact(body) : json_object()));
}

/* The blocking request body of the blocking tools (new). */
static json_t *
ph_blocking_body(struct rt_call *c, bool on)
{
	json_t *t = json_object_get(c->args, "timer_s");

	return (json_pack("{s:b, s:O}", "blocking", on, "timer",
	    json_is_integer(t) && json_integer_value(t) > 0 ? t :
	    json_null()));
}

/* The preview of a blocking change: the requests, per instance. */
static int
ph_blocking_preview(struct rt_call *c, bool on)
{
	struct rt_instance **ins;
	json_t *reqs, *body;
	size_t n, i;

	if ((ins = ph_write_instances(c, &n)) == NULL)
		return (-1);
	body = ph_blocking_body(c, on);
	reqs = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(reqs, ph_request_json(ins[i], "POST",
		    "/dns/blocking", body));
	free(ins);
	json_decref(body);
	return (call_ok(c, json_pack("{s:s, s:s, s:b, s:o, s:o, s:[]}",
	    "action", on ? "enable_blocking" : "disable_blocking", "status",
	    "dry_run", "dry_run", 1, "requests", reqs, "results",
	    json_array(), "instance_errors")));
}

/*
 * Finishes a write over several instances: ok, partial (some failed) or,
 * when every one failed, an error.
 */
static int
ph_write_result(struct rt_call *c, const char *action, json_t *results,
    json_t *errors)
{
	const char *status = "ok";
	const json_t *r;
	size_t i;
	bool changed = false;

	if (json_array_size(results) == 0) {
		json_decref(results);
		return (call_fail_all(c, errors));
	}
	json_array_foreach(results, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "status")),
		    "unchanged") != 0)
			changed = true;
	}
	if (json_array_size(errors) > 0)
		status = "partial";
	else if (!changed)
		status = "unchanged";
	return (call_ok(c, json_pack("{s:s, s:s, s:o, s:o}", "action",
	    action, "status", status, "results", results, "instance_errors",
	    errors)));
}

/* Sets blocking on or off (with a timer) on the chosen instances. */
static int
ph_set_blocking(struct rt_call *c, bool on)
{
	struct rt_instance **ins;
	json_t *body, *results, *errors, *j, *row;
	char *why;
	size_t n, i;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (ph_blocking_preview(c, on));
	if ((ins = ph_write_instances(c, &n)) == NULL)
		return (-1);
	body = ph_blocking_body(c, on);
	results = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		j = ph_call(ph_of(ins[i]), "POST", "/dns/blocking", body, NULL,
		    &why);
		if (j == NULL) {
			ph_add_error(errors, ins[i], why);
			continue;
		}
		row = pihole_parse_blocking(j, ins[i]->name);
		json_object_set_new(row, "status", json_string("ok"));
		json_array_append_new(results, row);
		json_decref(j);
		instance_refresh_soon(ins[i]);
	}
	free(ins);
	json_decref(body);
	return (ph_write_result(c, on ? "enable_blocking" :
	    "disable_blocking", results, errors));
}

/* pihole_disable_blocking. */
static int
ph_disable_blocking(struct rt_call *c)
{
	return (ph_set_blocking(c, false));
}

/* pihole_enable_blocking. */
static int
ph_enable_blocking(struct rt_call *c)
{
	return (ph_set_blocking(c, true));
}

/* describe for pihole_disable_blocking. */
static int
ph_describe_disable(struct rt_call *c)
{
	return (ph_blocking_preview(c, false));
}

/* Whether a domain row matches the list_domains filters. */
static bool
ph_match_domain(struct rt_call *c, const json_t *row)
{
	const char *want = call_arg_str(c, "domain");
	const char *d = json_string_value(json_object_get(row, "domain"));

	return (want == NULL || (d != NULL && strcasestr(d, want) != NULL));
}

/* The /domains path for a type and kind, either may be NULL (static). */
static const char *
ph_domains_path(char *buf, size_t len, const char *type, const char *kind)
{
	snprintf(buf, len, "/domains%s%s%s%s", type != NULL ? "/" : "",
	    type != NULL ? type : "", kind != NULL ? "/" : "",
	    kind != NULL ? kind : "");
	return (buf);
}

/* pihole_list_domains: the allow and deny lists, exact and regex. */
static int
ph_list_domains(struct rt_call *c)
{
	struct rt_instance **ins;
	const char *type = call_arg_str(c, "type");
	const char *kind = call_arg_str(c, "kind");
	const json_t *row;
	json_t *items, *errors, *j, *rows;
	char path[64], *why;
	size_t n, i, k, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	/* /domains/{kind} alone means a domain name: filter kind here. */
	ph_domains_path(path, sizeof path, type, type != NULL ? kind : NULL);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if ((j = ph_call(ph_of(ins[i]), "GET", path, NULL, NULL,
		    &why)) == NULL) {
			ph_add_error(errors, ins[i], why);
			nerr++;
			continue;
		}
		rows = pihole_parse_domains(j, ins[i]->name);
		json_array_foreach(rows, k, row) {
			if (ph_match_domain(c, row) && (kind == NULL ||
			    strcmp(json_string_value(json_object_get(row,
			    "kind")), kind) == 0))
				json_array_append(items, (json_t *)row);
		}
		json_decref(rows);
		json_decref(j);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

/* Whether a processed answer says the domain was already listed. */
static char *
ph_processed_error(const json_t *j)
{
	const json_t *pr = json_object_get(j, "processed");
	const json_t *e = json_array_get(json_object_get(pr, "errors"), 0);
	const char *msg = json_string_value(json_object_get(e, "error"));

	if (json_array_size(json_object_get(pr, "success")) > 0 ||
	    msg == NULL)
		return (NULL);
	return (xstrdup(msg));
}

/* Adds a domain to the allow or deny list on the chosen instances. */
static int
ph_add_domain(struct rt_call *c, const char *type)
{
	struct rt_instance **ins;
	const char *domain = call_arg_str(c, "domain");
	const char *kind = call_arg_str(c, "kind");
	const char *comment = call_arg_str(c, "comment");
	json_t *body, *results, *errors, *j, *row;
	char path[64], action[32], *why, *dup;
	long status;
	size_t n, i;

	if (kind == NULL)
		kind = "exact";
	if ((ins = ph_write_instances(c, &n)) == NULL)
		return (-1);
	body = json_pack("{s:s, s:b}", "domain", domain, "enabled", 1);
	if (comment != NULL)
		json_object_set_new(body, "comment", json_string(comment));
	ph_domains_path(path, sizeof path, type, kind);
	results = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		row = json_pack("{s:s, s:s, s:s, s:s}", "instance",
		    ins[i]->name, "domain", domain, "type", type, "kind", kind);
		j = ph_call(ph_of(ins[i]), "POST", path, body, &status, &why);
		dup = j != NULL ? ph_processed_error(j) : NULL;
		if (j == NULL && status == 400 && why != NULL &&
		    strstr(why, "UNIQUE") != NULL) {
			dup = why;
			why = NULL;
		}
		if (j == NULL && dup == NULL) {
			json_decref(row);
			ph_add_error(errors, ins[i], why);
			continue;
		}
		json_object_set_new(row, "status", json_string(dup != NULL ?
		    "unchanged" : "ok"));
		if (dup != NULL)
			json_object_set_new(row, "message", json_sprintf(
			    "already on the %s %s list", type, kind));
		json_array_append_new(results, row);
		free(dup);
		json_decref(j);
		instance_refresh_soon(ins[i]);
	}
	free(ins);
	json_decref(body);
	snprintf(action, sizeof action, "%s_domain", type);
	return (ph_write_result(c, action, results, errors));
}

/* pihole_allow_domain. */
static int
ph_allow_domain(struct rt_call *c)
{
	return (ph_add_domain(c, "allow"));
}

/* pihole_deny_domain. */
static int
ph_deny_domain(struct rt_call *c)
{
	return (ph_add_domain(c, "deny"));
}

/* The DELETE path of a domain (caller frees). */
static char *
ph_domain_path(struct rt_call *c)
{
	const char *kind = call_arg_str(c, "kind");
	char *esc, *path;

	esc = http_escape(call_arg_str(c, "domain"));
	xasprintf(&path, "/domains/%s/%s/%s", call_arg_str(c, "type"),
	    kind != NULL ? kind : "exact", esc);
	free(esc);
	return (path);
}

/* Removes a domain from a list, or only says how (dry). */
static int
ph_remove(struct rt_call *c, bool dry)
{
	struct rt_instance **ins;
	const char *kind = call_arg_str(c, "kind");
	json_t *results, *errors, *j, *reqs, *row;
	char *path, *why;
	long status;
	size_t n, i;

	if (kind == NULL)
		kind = "exact";
	if ((ins = ph_write_instances(c, &n)) == NULL)
		return (-1);
	path = ph_domain_path(c);
	if (dry) {
		reqs = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(reqs, ph_request_json(ins[i],
			    "DELETE", path, NULL));
		free(ins);
		free(path);
		return (call_ok(c, json_pack("{s:s, s:s, s:b, s:o, s:[], "
		    "s:[]}", "action", "remove_domain", "status", "dry_run",
		    "dry_run", 1, "requests", reqs, "results",
		    "instance_errors")));
	}
	results = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		j = ph_call(ph_of(ins[i]), "DELETE", path, NULL, &status, &why);
		if (j == NULL && status != 404) {
			ph_add_error(errors, ins[i], why);
			continue;
		}
		row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "instance",
		    ins[i]->name, "domain", call_arg_str(c, "domain"), "type",
		    call_arg_str(c, "type"), "kind", kind, "status",
		    j != NULL ? "ok" : "unchanged");
		if (j == NULL)
			json_object_set_new(row, "message", json_sprintf(
			    "not on the %s %s list", call_arg_str(c, "type"),
			    kind));
		json_array_append_new(results, row);
		free(why);
		json_decref(j);
		instance_refresh_soon(ins[i]);
	}
	free(ins);
	free(path);
	return (ph_write_result(c, "remove_domain", results, errors));
}

/* pihole_remove_domain: off the allow or deny list. */
static int
ph_remove_domain(struct rt_call *c)
{
	return (ph_remove(c, json_is_true(json_object_get(c->args,
	    "dry_run"))));
}

/* describe for pihole_remove_domain. */
static int
ph_describe_remove(struct rt_call *c)
{
	return (ph_remove(c, true));
}

/*
 * One gravity run, shared by the call (its step) and the thread that
 * reads the stream; lock guards everything below it, and the last of the
 * two to let go frees it. The thread uses p until it has counted itself
 * out of p->nruns, which ph_destroy waits for.
 */
struct ph_run {
	struct ph *p;
	atomic_bool stop;	/* the call went away: end the transfer */
	pthread_mutex_t lock;
	int refs;
	json_t *lines;		/* cleaned output lines so far */
	bool done;
	int rc;
	int kind;
	char *cause;
	size_t reported;	/* the call's: lines sent as progress */
	int64_t started_mono;
};

/* Drops a reference to a run; the last frees it. */
static void
ph_run_unref(struct ph_run *r)
{
	int refs;

	pthread_mutex_lock(&r->lock);
	refs = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (refs > 0)
		return;
	json_decref(r->lines);
	free(r->cause);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The step's free: the transfer ends at its next poll, without waiting. */
static void
ph_run_release(void *arg)
{
	struct ph_run *r = arg;

	atomic_store(&r->stop, true);
	ph_run_unref(r);
}

/* A line of gravity output, kept once cleaned (stream thread). */
static int
ph_run_line(void *arg, const char *line, size_t len)
{
	struct ph_run *r = arg;
	json_t *clean = pihole_gravity_lines(line, len);
	size_t n;

	pthread_mutex_lock(&r->lock);
	json_array_extend(r->lines, clean);
	n = json_array_size(r->lines);
	pthread_mutex_unlock(&r->lock);
	json_decref(clean);
	return (n > PH_GRAVITY_LINES_MAX);
}

/* Whether the stream should end: the call went away, or racktop stops. */
static bool
ph_run_stop(void *arg)
{
	struct http_lines *l = arg;
	struct ph_run *r = l->arg;

	return (atomic_load(&r->stop) || atomic_load(&r->p->stopping));
}

/*
 * POST /action/gravity streamed into r, with the session (renewed once
 * on 401, before any output). 0 once the output ended; -1 with *kind and
 * *cause otherwise.
 */
static int
ph_run_stream(struct ph_run *r, struct http_client *cl, int *kind,
    char **cause)
{
	static const char path[] = "/action/gravity";
	struct ph *p = r->p;
	struct http_response resp;
	struct http_lines l;
	struct http_stream st = {
		.chunk = http_lines_feed,
		.stop = ph_run_stop,
		.arg = &l,
		.timeout_ms = PH_GRAVITY_MAX_MS,
		.idle_timeout_ms = PH_GRAVITY_IDLE_MS,
	};
	const char *hdrs[3];
	char *auth;
	unsigned gen, stale = 0;
	int attempt, n, rc = -1;

	http_lines_init(&l, ph_run_line, r, PH_GRAVITY_LINE_MAX);
	for (attempt = 0; attempt < 2; attempt++) {
		if (ph_auth(p, cl, stale, &auth, &gen, kind, cause) != 0)
			goto out;
		n = 0;
		if (auth != NULL)
			hdrs[n++] = auth;
		hdrs[n++] = "Accept: text/plain, application/json";
		hdrs[n] = NULL;
		rc = http_stream(cl, "POST", path, hdrs, NULL, 0, &st, &resp,
		    cause);
		free(auth);
		if (rc == 0 && resp.status == 401 && p->password != NULL &&
		    attempt == 0) {
			http_response_free(&resp);
			stale = gen;
			continue;
		}
		break;
	}
	if (rc == -1)
		*kind = RT_ERR_UNREACHABLE;
	else if (l.too_long) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "POST /api%s: an output line longer than %d "
		    "bytes", path, PH_GRAVITY_LINE_MAX);
		rc = -1;
	} else if (rc == HTTP_STREAM_STOPPED && l.ended) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "POST /api%s: more than %d output lines", path,
		    PH_GRAVITY_LINES_MAX);
		rc = -1;
	} else if (rc == HTTP_STREAM_STOPPED) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "POST /api%s: stopped", path);
		rc = -1;
	} else if (resp.status < 200 || resp.status > 299) {
		*cause = ph_status_cause(p, "POST", path, &resp, kind);
		rc = -1;
	} else
		http_lines_flush(&l);
	http_response_free(&resp);
out:
	http_lines_free(&l);
	return (rc);
}

/* The thread of a gravity run. */
static void *
ph_run_main(void *arg)
{
	struct ph_run *r = arg;
	struct ph *p = r->p;
	struct http_client *cl;
	char *why = NULL;
	int kind = RT_ERR_UNREACHABLE, rc = -1;

	log_set_thread("pihole-gravity");
	if ((cl = http_pool_get(&p->pool, &why)) != NULL) {
		rc = ph_run_stream(r, cl, &kind, &why);
		http_pool_put(&p->pool, cl);
	}
	pthread_mutex_lock(&r->lock);
	r->done = true;
	r->rc = rc;
	r->kind = kind;
	r->cause = why;
	pthread_mutex_unlock(&r->lock);
	ph_run_unref(r);
	/* Last: ph_destroy may free p as soon as nruns is 0. */
	pthread_mutex_lock(&p->runs_lock);
	if (--p->nruns == 0)
		pthread_cond_broadcast(&p->runs_done);
	pthread_mutex_unlock(&p->runs_lock);
	return (NULL);
}

/* Starts a gravity run on its own thread; the call waits in steps. */
static int
ph_gravity_start(struct rt_call *c, struct rt_instance *in)
{
	struct ph *p = ph_of(in);
	struct ph_run *r = xcalloc(1, sizeof *r);
	pthread_attr_t attr;
	pthread_t t;

	r->p = p;
	atomic_init(&r->stop, false);
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 2;		/* the call's step and the thread */
	r->lines = json_array();
	r->started_mono = clock_mono_ms();
	c->step = r;
	c->step_free = ph_run_release;
	pthread_mutex_lock(&p->runs_lock);
	p->nruns++;
	pthread_mutex_unlock(&p->runs_lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, ph_run_main, r) != 0)
		fatal("%s: pthread_create", __func__);
	pthread_attr_destroy(&attr);
	call_progress(c, 0, 0, "gravity: starting");
	return (call_again(c, PH_GRAVITY_POLL_MS));
}

/* A gravity step: new output as progress, or the result once it ended. */
static int
ph_gravity_continue(struct rt_call *c, struct rt_instance *in)
{
	struct ph_run *r = c->step;
	json_t *fresh, *lines, *tail;
	const json_t *l;
	char *cause;
	size_t i, nl;
	bool done;
	int rc;

	/* Copies out under the lock: json_t counts are one thread's. */
	fresh = json_array();
	pthread_mutex_lock(&r->lock);
	done = r->done;
	rc = r->rc;
	for (i = r->reported; i < json_array_size(r->lines); i++)
		json_array_append_new(fresh, json_string(json_string_value(
		    json_array_get(r->lines, i))));
	lines = done ? json_deep_copy(r->lines) : NULL;
	cause = done && r->cause != NULL ? xstrdup(r->cause) : NULL;
	pthread_mutex_unlock(&r->lock);
	json_array_foreach(fresh, i, l)
		call_progress(c, (double)(r->reported + i + 1), 0,
		    json_string_value(l));
	r->reported += json_array_size(fresh);
	json_decref(fresh);
	if (!done) {
		if (call_should_stop(c))
			return (ph_fail(c, in, "gravity: stopped before it "
			    "ended (cancelled or timed out)"));
		return (call_again(c, PH_GRAVITY_POLL_MS));
	}
	if (rc != 0) {
		ph_fail(c, in, "%s", cause != NULL ? cause : "gravity failed");
		free(cause);
		json_decref(lines);
		return (-1);
	}
	free(cause);
	nl = json_array_size(lines);
	tail = json_array();
	for (i = nl > PH_GRAVITY_TAIL ? nl - PH_GRAVITY_TAIL : 0; i < nl; i++)
		json_array_append(tail, json_array_get(lines, i));
	instance_refresh_soon(in);
	return (call_ok(c, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, "
	    "s:o}", "instance", in->name, "action", "update_gravity", "status",
	    "ok", "lines", (json_int_t)nl, "gravity_domains",
	    (json_int_t)pihole_gravity_domains(lines), "ms",
	    (json_int_t)(clock_mono_ms() - r->started_mono), "output_tail",
	    tail, "output", lines)));
}

/*
 * pihole_update_gravity: runs gravity; its output lines reach the caller
 * as progress while the stream runs on a thread of its own, and the call
 * holds no worker between its turns (call_again).
 */
static int
ph_update_gravity(struct rt_call *c)
{
	struct rt_instance *in;

	if (c->step != NULL)
		return (ph_gravity_continue(c, ((struct ph_run *)
		    c->step)->p->in));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	return (ph_gravity_start(c, in));
}

/* Compares two top rows by count, larger first. */
static int
ph_by_count(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a,
	    "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b,
	    "count"));

	return (x < y ? 1 : x > y ? -1 : 0);
}

/* Sorts an array of rows by count, larger first (in place). */
static void
ph_sort_by_count(json_t *rows)
{
	size_t n = json_array_size(rows), i;
	json_t **v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(rows, i));
	qsort(v, n, sizeof *v, ph_by_count);
	json_array_clear(rows);
	for (i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
}

/*
 * Top lists of one instance: from the snapshot when fresh and deep
 * enough, else live. New object, or NULL with *cause.
 */
static json_t *
ph_instance_tops(struct rt_call *c, struct ph *p, int count,
    int64_t *age_ms, char **cause)
{
	json_int_t max_age = call_arg_int(c, "max_age_s", PH_MAX_AGE_S);
	struct http_client *cl;
	struct snapshot *s;
	const json_t *f;
	json_t *tops;
	int64_t age;
	int kind;

	*age_ms = 0;
	if (max_age > 0 && count <= PH_TOP_N &&
	    (s = snapshot_acquire(&p->in->slot)) != NULL) {
		f = s->data != NULL ? json_object_get(s->data,
		    "tops_fetched_ms") : NULL;
		age = f != NULL ? clock_wall_ms() - json_integer_value(f) : -1;
		if (age >= 0 && age <= max_age * 1000 + PH_TOPS_S * 1000) {
			tops = json_deep_copy(s->data);
			*age_ms = age;
			snapshot_release(s);
			return (tops);
		}
		snapshot_release(s);
	}
	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	tops = ph_fetch_tops(p, cl, count, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (tops);
}

/* A top list tool over the sections named, every instance. */
static int
ph_top_list(struct rt_call *c, const char *const *sections)
{
	struct rt_instance **ins;
	int count = (int)call_arg_int(c, "count", 10);
	const json_t *row;
	json_t *items, *errors, *tops;
	int64_t age, max = 0;
	char *why;
	size_t n, i, k, s, taken;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if ((tops = ph_instance_tops(c, ph_of(ins[i]), count, &age,
		    &why)) == NULL) {
			ph_add_error(errors, ins[i], why);
			continue;
		}
		for (s = 0; sections[s] != NULL; s++) {
			taken = 0;
			json_array_foreach(json_object_get(tops, sections[s]),
			    k, row) {
				if ((int)taken++ >= count)
					break;
				json_array_append(items, (json_t *)row);
			}
		}
		if (age > max)
			max = age;
		json_decref(tops);
	}
	if (json_array_size(errors) == n) {
		free(ins);
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	free(ins);
	ph_sort_by_count(items);
	return (call_list_result(c, items, max, errors));
}

/* pihole_get_top_domains: most queried, permitted and blocked. */
static int
ph_get_top_domains(struct rt_call *c)
{
	static const char *const both[] = { "top_permitted", "top_blocked",
		NULL };
	static const char *const permitted[] = { "top_permitted", NULL };
	static const char *const blocked[] = { "top_blocked", NULL };
	const char *which = call_arg_str(c, "which");

	if (which != NULL && strcmp(which, "permitted") == 0)
		return (ph_top_list(c, permitted));
	if (which != NULL && strcmp(which, "blocked") == 0)
		return (ph_top_list(c, blocked));
	return (ph_top_list(c, both));
}

/* pihole_get_top_clients: the busiest clients. */
static int
ph_get_top_clients(struct rt_call *c)
{
	static const char *const clients[] = { "top_clients", NULL };

	return (ph_top_list(c, clients));
}

/* Appends "&name=escaped value" to a query string when value is set. */
static void
ph_query_arg(char **q, const char *name, const char *value)
{
	char *esc, *t;

	if (value == NULL)
		return;
	esc = http_escape(value);
	xasprintf(&t, "%s&%s=%s", *q, name, esc);
	free(esc);
	free(*q);
	*q = t;
}

/* Compares two query rows by time, newest first. */
static int
ph_by_time(const void *a, const void *b)
{
	double x = json_number_value(json_object_get(*(json_t *const *)a,
	    "time"));
	double y = json_number_value(json_object_get(*(json_t *const *)b,
	    "time"));

	return (x < y ? 1 : x > y ? -1 : 0);
}

/* pihole_get_query_log: recent queries, filtered. */
static int
ph_get_query_log(struct rt_call *c)
{
	struct rt_instance **ins;
	const char *status = call_arg_str(c, "status");
	const char *cursor = call_arg_str(c, "cursor");
	json_int_t limit = call_arg_int(c, "limit", 100);
	json_int_t filtered = 0;
	json_t *items, *errors, *j, *rows, **v;
	char *q, *why;
	size_t n, i, k, total;
	long long want;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	/* The newest queries up to this page, and one more to know of more. */
	want = (cursor != NULL ? strtoll(cursor, NULL, 10) : 0) + limit + 1;
	if (want < 1 || want > 5000)
		want = 5000;
	xasprintf(&q, "/queries?length=%lld", want);
	ph_query_arg(&q, "domain", call_arg_str(c, "domain"));
	ph_query_arg(&q, "client_ip", call_arg_str(c, "client"));
	ph_query_arg(&q, "type", call_arg_str(c, "type"));
	if (status != NULL && strcmp(status, "blocked") == 0)
		ph_query_arg(&q, "upstream", "blocklist");
	else if (status != NULL && strcmp(status, "permitted") == 0)
		ph_query_arg(&q, "upstream", "permitted");
	else if (status != NULL && strcmp(status, "cached") == 0)
		ph_query_arg(&q, "upstream", "cache");
	if (json_object_get(c->args, "from") != NULL) {
		xasprintf(&why, "%s&from=%lld", q,
		    (long long)call_arg_int(c, "from", 0));
		free(q);
		q = why;
	}
	if (json_object_get(c->args, "until") != NULL) {
		xasprintf(&why, "%s&until=%lld", q,
		    (long long)call_arg_int(c, "until", 0));
		free(q);
		q = why;
	}
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if ((j = ph_call(ph_of(ins[i]), "GET", q, NULL, NULL,
		    &why)) == NULL) {
			ph_add_error(errors, ins[i], why);
			continue;
		}
		filtered += json_integer_value(json_object_get(j,
		    "recordsFiltered"));
		rows = pihole_parse_queries(j, ins[i]->name);
		json_array_extend(items, rows);
		json_decref(rows);
		json_decref(j);
	}
	free(q);
	if (json_array_size(errors) == n) {
		free(ins);
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	free(ins);
	/* Several instances: one timeline, newest first. */
	total = json_array_size(items);
	if (n > 1 && total > 1) {
		v = xcalloc(total, sizeof *v);
		for (k = 0; k < total; k++)
			v[k] = json_incref(json_array_get(items, k));
		qsort(v, total, sizeof *v, ph_by_time);
		json_array_clear(items);
		for (k = 0; k < total; k++)
			json_array_append_new(items, v[k]);
		free(v);
	}
	if (call_list_result(c, items, 0, errors) != 0)
		return (-1);
	/* The matching queries upstream, not just those fetched. */
	if (filtered > (json_int_t)total)
		json_object_set_new(c->result, "total", json_integer(filtered));
	return (0);
}

/* pihole_get_upstreams: configured servers and their statistics. */
static int
ph_get_upstreams(struct rt_call *c)
{
	struct rt_instance **ins;
	json_t *rows, *errors, *st, *conf;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	rows = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if ((st = ph_call(ph_of(ins[i]), "GET", "/stats/upstreams",
		    NULL, NULL, &why)) == NULL ||
		    (conf = ph_call(ph_of(ins[i]), "GET",
		    "/config/dns/upstreams", NULL, NULL, &why)) == NULL) {
			json_decref(st);
			ph_add_error(errors, ins[i], why);
			nerr++;
			continue;
		}
		json_array_append_new(rows, pihole_parse_upstreams(st, conf,
		    ins[i]->name));
		json_decref(st);
		json_decref(conf);
	}
	free(ins);
	if (nerr == n) {
		json_decref(rows);
		return (call_fail_all(c, errors));
	}
	return (call_ok(c, json_pack("{s:o, s:o}", "instances", rows,
	    "instance_errors", errors)));
}

/* The PATCH body of pihole_set_upstreams (new). */
static json_t *
ph_upstreams_body(struct rt_call *c)
{
	return (json_pack("{s:{s:{s:O}}}", "config", "dns", "upstreams",
	    json_object_get(c->args, "upstreams")));
}

/* describe for pihole_set_upstreams, and its dry run. */
static int
ph_describe_upstreams(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *body, *r;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	body = ph_upstreams_body(c);
	r = json_pack("{s:s, s:s, s:s, s:b, s:[o], s:O}", "instance",
	    in->name, "action", "set_upstreams", "status", "dry_run",
	    "dry_run", 1, "requests", ph_request_json(in, "PATCH", "/config",
	    body), "upstreams", json_object_get(c->args, "upstreams"));
	json_decref(body);
	return (call_ok(c, r));
}

/* pihole_set_upstreams: replaces the DNS servers Pi-hole forwards to. */
static int
ph_set_upstreams(struct rt_call *c)
{
	struct rt_instance *in;
	struct ph *p;
	json_t *body, *j, *now;
	char *why = NULL;
	long status;
	bool app;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (ph_describe_upstreams(c));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	p = ph_of(in);
	body = ph_upstreams_body(c);
	j = ph_call(p, "PATCH", "/config", body, &status, &why);
	json_decref(body);
	if (j == NULL) {
		pthread_mutex_lock(&p->login);
		app = p->app;
		pthread_mutex_unlock(&p->login);
		if (status == 403 && (app || (why != NULL &&
		    strstr(why, "app_sudo") != NULL))) {
			free(why);
			return (ph_fail(c, in, "PATCH /api/config: HTTP 403: "
			    "racktop logs in with an app password, and "
			    "Pi-hole refuses configuration changes to app "
			    "sessions unless webserver.api.app_sudo is true: "
			    "set it (Settings > All settings > Webserver and "
			    "API > webserver.api.app_sudo) or change the "
			    "upstreams in Pi-hole itself"));
		}
		ph_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	now = json_object_get(json_object_get(json_object_get(j, "config"),
	    "dns"), "upstreams");
	instance_refresh_soon(in);
	body = json_pack("{s:s, s:s, s:s, s:O}", "instance", in->name,
	    "action", "set_upstreams", "status", "ok", "upstreams",
	    json_is_array(now) ? now : json_object_get(c->args, "upstreams"));
	json_decref(j);
	return (call_ok(c, body));
}

/* Schema fragments. */
#define S_INSTANCE_PAT \
	"\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]"
#define S_INSTANCE \
	"\"instance\":{" S_INSTANCE_PAT ",\"description\":\"Configured " \
	"Pi-hole instance; required when several are configured.\"}"
#define S_WRITE_INSTANCE \
	"\"instance\":{" S_INSTANCE_PAT ",\"description\":\"Configured " \
	"Pi-hole instance, or all for every one; required when several " \
	"are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{" S_INSTANCE_PAT ",\"description\":\"Only this " \
	"configured instance; every one when left out.\"}"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":10," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the requests it would make and do nothing.\"}"
#define S_DOMAIN \
	"\"domain\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":" \
	"253,\"pattern\":\"^\\\\S+$\",\"examples\":[\"ads.example.com\"]," \
	"\"x-counterexamples\":[\"two words\"],\"description\":\"A domain " \
	"(kind exact) or a regular expression (kind regex).\"}"
#define S_KIND \
	"\"kind\":{\"enum\":[\"exact\",\"regex\"],\"default\":\"exact\"," \
	"\"description\":\"An exact domain or a regular expression.\"}"
#define S_COUNT \
	"\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100," \
	"\"default\":10,\"description\":\"Entries per list and instance.\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_STR_NULL "{\"type\":[\"string\",\"null\"]}"
#define S_TIMER "{\"type\":[\"number\",\"null\"]}"
#define S_BLOCKING "{\"enum\":[\"enabled\",\"disabled\",\"failed\"," \
	"\"unknown\"]}"

#define INSTANCE_ERRORS \
	"\"instance_errors\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"instance\",\"error\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"error\":" S_STR "}}}"
#define SUMMARY_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"blocking\"," \
	"\"timer\",\"queries_total\",\"queries_blocked\"," \
	"\"percent_blocked\",\"age_ms\"],\"properties\":{\"instance\":" S_STR \
	",\"blocking\":" S_BLOCKING ",\"timer\":" S_TIMER \
	",\"queries_total\":" S_INT ",\"queries_blocked\":" S_INT \
	",\"percent_blocked\":" S_NUM \
	",\"unique_domains\":" S_INT ",\"forwarded\":" S_INT ",\"cached\":" \
	S_INT ",\"frequency\":" S_NUM ",\"clients_active\":" S_INT \
	",\"clients_total\":" S_INT ",\"gravity_domains\":" S_INT \
	",\"gravity_last_update\":" S_INT ",\"age_ms\":" S_INT "}}"
#define BLOCKING_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"blocking\"," \
	"\"timer\"],\"properties\":{\"instance\":" S_STR ",\"blocking\":" \
	S_BLOCKING ",\"timer\":" S_TIMER ",\"age_ms\":" S_INT ",\"status\":" \
	S_STR "}}"
#define REQUESTS \
	"\"requests\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"method\",\"path\"],\"properties\":{\"instance\":" \
	S_STR ",\"method\":" S_STR ",\"path\":" S_STR ",\"body\":{\"type\":" \
	"\"object\"}}}}"
#define WRITE_OUTPUT(item) \
	"{\"type\":\"object\",\"required\":[\"action\",\"status\"," \
	"\"results\",\"instance_errors\"],\"properties\":{\"action\":" S_STR \
	",\"status\":{\"enum\":[\"ok\",\"partial\",\"unchanged\"," \
	"\"dry_run\"]},\"dry_run\":{\"type\":\"boolean\"},\"results\":{" \
	"\"type\":\"array\",\"items\":" item "}," REQUESTS "," \
	INSTANCE_ERRORS "}}"
#define DOMAIN_RESULT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"domain\",\"type\"," \
	"\"kind\",\"status\"],\"properties\":{\"instance\":" S_STR \
	",\"domain\":" S_STR ",\"type\":{\"enum\":[\"allow\",\"deny\"]}," \
	"\"kind\":{\"enum\":[\"exact\",\"regex\"]},\"status\":{\"enum\":" \
	"[\"ok\",\"unchanged\"]},\"message\":" S_STR "}}"
#define DOMAIN_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"domain\",\"type\"," \
	"\"kind\",\"enabled\"],\"properties\":{\"instance\":" S_STR \
	",\"domain\":" S_STR ",\"unicode\":" S_STR_NULL ",\"type\":{\"enum\":" \
	"[\"allow\",\"deny\"]},\"kind\":{\"enum\":[\"exact\",\"regex\"]}," \
	"\"comment\":" S_STR_NULL ",\"groups\":{\"type\":\"array\",\"items\":" \
	S_INT "},\"enabled\":{\"type\":\"boolean\"},\"id\":" S_INT \
	",\"date_added\":" S_INT ",\"date_modified\":" S_INT "}}"
#define TOP_DOMAIN_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"domain\"," \
	"\"count\",\"blocked\"],\"properties\":{\"instance\":" S_STR \
	",\"domain\":" S_STR ",\"count\":" S_INT ",\"blocked\":{\"type\":" \
	"\"boolean\"}}}"
#define TOP_CLIENT_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"ip\",\"count\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"ip\":" S_STR ",\"name\":" \
	S_STR_NULL ",\"count\":" S_INT ",\"blocked\":" S_INT "}}"
#define QUERY_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"time\"," \
	"\"domain\"],\"properties\":{\"instance\":" S_STR ",\"id\":" S_INT \
	",\"time\":" S_NUM ",\"domain\":" S_STR ",\"type\":" S_STR_NULL \
	",\"status\":" S_STR_NULL ",\"client\":" S_STR_NULL \
	",\"client_name\":" S_STR_NULL ",\"upstream\":" S_STR_NULL \
	",\"dnssec\":" S_STR_NULL \
	",\"reply\":" S_STR_NULL ",\"reply_ms\":{\"type\":[\"number\"," \
	"\"null\"]},\"cname\":" S_STR_NULL "}}"
#define UPSTREAM_PAT \
	"\"type\":\"string\",\"maxLength\":255,\"pattern\":" \
	"\"^([0-9A-Za-z.:_-]+|\\\\[[0-9A-Fa-f:]+\\\\])(#[0-9]{1,5})?$\"," \
	"\"examples\":[\"9.9.9.9\",\"127.0.0.1#5335\"]," \
	"\"x-counterexamples\":[\"9.9.9.9; rm\"]"

static const struct rt_tool ph_tools[] = {
	{
	    .name = "pihole_get_summary",
	    .title = "Pi-hole summary",
	    .description = "Each Pi-hole's query totals today (total, blocked, "
		"percent blocked, forwarded, cached, unique domains), active "
		"clients, gravity size, and whether blocking is on with the "
		"seconds left on a timer; plus totals over every instance. "
		"Answers from the last refresh when it is fresh enough.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instances\","
		"\"totals\",\"instance_errors\"],\"properties\":{\"instances\":"
		"{\"type\":\"array\",\"items\":" SUMMARY_ITEM "},\"totals\":{"
		"\"type\":\"object\",\"required\":[\"queries_total\","
		"\"queries_blocked\",\"percent_blocked\"],\"properties\":{"
		"\"queries_total\":" S_INT ",\"queries_blocked\":" S_INT
		",\"percent_blocked\":" S_NUM ",\"clients_active\":" S_INT "}},"
		INSTANCE_ERRORS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_summary,
	},
	{
	    .name = "pihole_get_blocking",
	    .title = "Pi-hole blocking state",
	    .description = "Whether each Pi-hole blocks ads (enabled, "
		"disabled, failed) and, when a timer runs, the seconds until "
		"it flips back; timer null means the state is permanent.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instances\","
		"\"instance_errors\"],\"properties\":{\"instances\":{\"type\":"
		"\"array\",\"items\":" BLOCKING_ITEM "}," INSTANCE_ERRORS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_blocking,
	},
	{
	    .name = "pihole_disable_blocking",
	    .title = "Disable Pi-hole blocking",
	    .description = "Stops ad blocking on one Pi-hole, or on every one "
		"with instance all. With timer_s, Pi-hole turns blocking back "
		"on by itself after that many seconds; without, it stays off "
		"until pihole_enable_blocking.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_WRITE_INSTANCE ",\"timer_s\":{"
		"\"type\":\"integer\",\"minimum\":1,\"maximum\":86400,"
		"\"description\":\"Seconds until blocking resumes; "
		"permanent when left out.\"}," S_DRY_RUN "}}",
	    .output_schema = WRITE_OUTPUT(BLOCKING_ITEM),
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = ph_disable_blocking,
	    .describe = ph_describe_disable,
	},
	{
	    .name = "pihole_enable_blocking",
	    .title = "Enable Pi-hole blocking",
	    .description = "Turns ad blocking back on, on one Pi-hole or every "
		"one with instance all, cancelling any timer.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_WRITE_INSTANCE "}}",
	    .output_schema = WRITE_OUTPUT(BLOCKING_ITEM),
	    .flags = RT_IDEMPOTENT,
	    .call = ph_enable_blocking,
	},
	{
	    .name = "pihole_list_domains",
	    .title = "List Pi-hole domain lists",
	    .description = "Entries of the allow list (whitelist) and deny "
		"list (blacklist), exact domains and regular expressions, with "
		"comment, groups and whether each is enabled. Always read live "
		"from each Pi-hole.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"type\":{\"enum\":"
		"[\"allow\",\"deny\"],\"description\":\"Only the allow or the "
		"deny list.\"},\"kind\":{\"enum\":[\"exact\",\"regex\"]},"
		"\"domain\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"253,\"description\":\"Part of the entry, any case.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DOMAIN_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_list_domains,
	},
	{
	    .name = "pihole_allow_domain",
	    .title = "Allow a domain on Pi-hole",
	    .description = "Adds a domain (or a regex) to the allow list, the "
		"whitelist, on one Pi-hole or every one with instance all. An "
		"entry already there is left alone (status unchanged).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"domain\"],\"properties\":{"
		S_WRITE_INSTANCE "," S_DOMAIN "," S_KIND ",\"comment\":{"
		"\"type\":\"string\",\"maxLength\":500}}}",
	    .output_schema = WRITE_OUTPUT(DOMAIN_RESULT),
	    .flags = RT_IDEMPOTENT,
	    .call = ph_allow_domain,
	},
	{
	    .name = "pihole_deny_domain",
	    .title = "Deny a domain on Pi-hole",
	    .description = "Adds a domain (or a regex) to the deny list, the "
		"blacklist, on one Pi-hole or every one with instance all. An "
		"entry already there is left alone (status unchanged).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"domain\"],\"properties\":{"
		S_WRITE_INSTANCE "," S_DOMAIN "," S_KIND ",\"comment\":{"
		"\"type\":\"string\",\"maxLength\":500}}}",
	    .output_schema = WRITE_OUTPUT(DOMAIN_RESULT),
	    .flags = RT_IDEMPOTENT,
	    .call = ph_deny_domain,
	},
	{
	    .name = "pihole_remove_domain",
	    .title = "Remove a Pi-hole domain entry",
	    .description = "Removes a domain (or a regex) from the allow or "
		"deny list, on one Pi-hole or every one with instance all. An "
		"entry that is not there is reported unchanged.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"domain\",\"type\"],\"properties\":{"
		S_WRITE_INSTANCE "," S_DOMAIN ",\"type\":{\"enum\":[\"allow\","
		"\"deny\"],\"description\":\"The list it is on.\"}," S_KIND ","
		S_DRY_RUN "}}",
	    .output_schema = WRITE_OUTPUT(DOMAIN_RESULT),
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = ph_remove_domain,
	    .describe = ph_describe_remove,
	},
	{
	    .name = "pihole_update_gravity",
	    .title = "Update Pi-hole gravity",
	    .description = "Runs gravity (pihole -g): downloads the "
		"blocklists and rebuilds the blocking database. Each output "
		"line is reported as progress as it arrives; the result has "
		"the output and the new number of gravity domains. Takes a "
		"while; cancelling the call stops reading the output.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"action\",\"status\",\"lines\",\"output_tail\"],"
		"\"properties\":{\"instance\":" S_STR ",\"action\":" S_STR
		",\"status\":{\"enum\":[\"ok\"]},\"lines\":" S_INT
		",\"gravity_domains\":" S_INT ",\"ms\":" S_INT
		",\"output_tail\":{\"type\":\"array\",\"items\":" S_STR
		"},\"output\":{\"type\":\"array\","
		"\"items\":" S_STR "}}}",
	    .flags = RT_IDEMPOTENT,
	    .call = ph_update_gravity,
	},
	{
	    .name = "pihole_get_top_domains",
	    .title = "Pi-hole top domains",
	    .description = "The most queried domains, permitted and blocked "
		"(which picks one), of every Pi-hole, each item with its "
		"instance, largest count first.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"which\":{\"enum\":"
		"[\"both\",\"permitted\",\"blocked\"],\"default\":\"both\"},"
		S_COUNT "," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(TOP_DOMAIN_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_top_domains,
	},
	{
	    .name = "pihole_get_top_clients",
	    .title = "Pi-hole top clients",
	    .description = "The clients sending the most queries to every "
		"Pi-hole, with address, name and count, largest first.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_COUNT ","
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(TOP_CLIENT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_top_clients,
	},
	{
	    .name = "pihole_get_query_log",
	    .title = "Pi-hole query log",
	    .description = "Recent DNS queries, newest first: time, domain, "
		"type, client, status (FORWARDED, CACHE, GRAVITY, ...), reply "
		"and upstream. Filter by domain (* wildcards), client address, "
		"query type, outcome (blocked, permitted, cached) and time "
		"range. Always read live.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"domain\":{"
		"\"type\":\"string\",\"minLength\":1,\"maxLength\":253,"
		"\"description\":\"Domain, * matches any characters.\"},"
		"\"client\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"64,\"description\":\"Client IP address.\"},\"type\":{\"enum\":"
		"[\"A\",\"AAAA\",\"ANY\",\"SRV\",\"SOA\",\"PTR\",\"TXT\","
		"\"NAPTR\",\"MX\",\"DS\",\"RRSIG\",\"DNSKEY\",\"NS\",\"SVCB\","
		"\"HTTPS\",\"OTHER\"]},\"status\":{\"enum\":[\"blocked\","
		"\"permitted\",\"cached\"]},\"from\":{\"type\":\"integer\","
		"\"minimum\":0,\"description\":\"Unix time, inclusive.\"},"
		"\"until\":{\"type\":\"integer\",\"minimum\":0},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(QUERY_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_query_log,
	},
	{
	    .name = "pihole_get_upstreams",
	    .title = "Pi-hole upstream servers",
	    .description = "The DNS servers each Pi-hole forwards to: the "
		"configured list, and per server the queries sent and the "
		"mean response time. Always read live.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instances\","
		"\"instance_errors\"],\"properties\":{\"instances\":{\"type\":"
		"\"array\",\"items\":{\"type\":\"object\",\"required\":["
		"\"instance\",\"configured\",\"servers\"],\"properties\":{"
		"\"instance\":" S_STR ",\"configured\":{\"type\":\"array\","
		"\"items\":" S_STR "},\"servers\":{\"type\":\"array\","
		"\"items\":{\"type\":\"object\",\"required\":[\"count\"],"
		"\"properties\":{"
		"\"ip\":" S_STR_NULL ",\"name\":" S_STR_NULL ",\"port\":" S_INT
		",\"count\":" S_INT ",\"response_ms\":" S_NUM ",\"variance\":"
		S_NUM "}}},\"forwarded_queries\":" S_INT ",\"total_queries\":"
		S_INT "}}}," INSTANCE_ERRORS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = ph_get_upstreams,
	},
	{
	    .name = "pihole_set_upstreams",
	    .title = "Set Pi-hole upstream servers",
	    .description = "Replaces the DNS servers one Pi-hole forwards to "
		"(dns.upstreams) with the list given, e.g. 9.9.9.9 or "
		"127.0.0.1#5335 for a local unbound. Pi-hole refuses this to "
		"app-password sessions unless webserver.api.app_sudo is true.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"upstreams\"],\"properties\":{"
		S_INSTANCE ",\"upstreams\":{\"type\":\"array\",\"minItems\":1,"
		"\"maxItems\":16,\"items\":{"
		UPSTREAM_PAT "},\"description\":\"Servers: address, "
		"optionally #port.\"}," S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"action\",\"status\",\"upstreams\"],\"properties\":{"
		"\"instance\":" S_STR ",\"action\":" S_STR ",\"status\":{"
		"\"enum\":[\"ok\",\"dry_run\"]},\"dry_run\":{\"type\":"
		"\"boolean\"},\"upstreams\":{\"type\":\"array\",\"items\":"
		S_STR "}," REQUESTS "}}",
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = ph_set_upstreams,
	    .describe = ph_describe_upstreams,
	},
	{ .name = NULL },
};

#define ROW_INSTANCE "{\"instance\":\"/instance\"}"

static const struct rt_column ph_summary_columns[] = {
	{ "Pi-hole", "/instance", RT_COL_TEXT, 10 },
	{ "Blocking", "/blocking", RT_COL_STATE, 9 },
	{ "Timer", "/timer", RT_COL_AGE, 6 },
	{ "Queries", "/queries_total", RT_COL_NUMBER, 9 },
	{ "Blocked", "/queries_blocked", RT_COL_NUMBER, 8 },
	{ "%", "/blocked_ratio", RT_COL_PERCENT, 6 },
	{ "Queries/10 min", "/sparkline", RT_COL_SPARK, 16 },
	{ "Clients", "/clients_active", RT_COL_NUMBER, 7 },
	{ "Gravity", "/gravity_domains", RT_COL_NUMBER, 9 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey ph_summary_keys[] = {
	/* "*": every Pi-hole shown; "?": the dashboard asks (minutes). */
	{ 'd', "disable", "pihole_disable_blocking",
	    "{\"instance\":\"*\",\"timer_s\":\"?minutes:5:60\"}" },
	{ 'e', "enable", "pihole_enable_blocking", ROW_INSTANCE },
	{ 'u', "gravity", "pihole_update_gravity", ROW_INSTANCE },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column ph_domain_columns[] = {
	{ "Domain", "/domain", RT_COL_TEXT, 0 },
	{ "Queries", "/count", RT_COL_NUMBER, 9 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey ph_blocked_keys[] = {
	{ 'a', "allow", "pihole_allow_domain",
	    "{\"instance\":\"/instance\",\"domain\":\"/domain\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_rowkey ph_permitted_keys[] = {
	{ 'b', "deny", "pihole_deny_domain",
	    "{\"instance\":\"/instance\",\"domain\":\"/domain\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column ph_client_columns[] = {
	{ "Client", "/ip", RT_COL_TEXT, 16 },
	{ "Name", "/name", RT_COL_TEXT, 0 },
	{ "Queries", "/count", RT_COL_NUMBER, 9 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_view ph_views[] = {
	{ "summary", "Pi-hole", "/summary_rows", ph_summary_columns,
	    ph_summary_keys },
	{ "top_blocked", "Top blocked", "/top_blocked", ph_domain_columns,
	    ph_blocked_keys },
	{ "top_permitted", "Top permitted", "/top_permitted",
	    ph_domain_columns, ph_permitted_keys },
	{ "top_clients", "Top clients", "/top_clients", ph_client_columns,
	    NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service pihole_service = {
	.name = "pihole",
	.title = "Pi-hole",
	.tools = ph_tools,
	.views = ph_views,
	.refresh_s = PH_REFRESH_S,
	.create = ph_create,
	.destroy = ph_destroy,
	.poll = ph_poll,
	.problems = pihole_problems,
	.find = pihole_find,
	.addresses = pihole_addresses,
};
