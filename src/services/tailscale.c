/*
 * Tailscale backend (API v2): transport (HTTP through core/http, an API
 * access token or OAuth client credentials exchanged for a short-lived
 * token and renewed), the poller (one GET /tailnet/{tailnet}/devices per
 * refresh) and the tailscale_* tools. Parsing lives in tailscale-parse.c.
 *
 * DESIGN
 * Owner: one struct ts per configured instance, created and destroyed on
 * the main thread. The poller thread uses ts->poller alone; tool calls
 * run on any worker and borrow a client from ts->pool (an http_pool).
 * The OAuth access token lives behind ts->login, which also
 * makes token exchanges run one at a time. A 429 is retried after its
 * Retry-After, at most TS_RETRY_MAX_S seconds and TS_RETRIES times, so a
 * worker never waits long.
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "services/tailscale.h"

#define TS_URL "https://api.tailscale.com"
#define TS_REFRESH_S 30
#define TS_MAX_AGE_S 30
#define TS_POOL_MAX 4
#define TS_RENEW_EARLY_MS (60 * 1000)	/* renew this long before expiry */
#define TS_RETRIES 3
#define TS_RETRY_MAX_S 5

struct ts {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	char *tailnet;		/* escaped for paths */
	char *token;		/* API access token, or NULL */
	char *client_id;	/* OAuth client, or NULL */
	char *client_secret;

	pthread_mutex_t login;	/* one exchange at a time; guards below */
	char *access;
	int64_t access_until;	/* monotonic ms */
	unsigned access_gen;

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;
};

/* The state of an instance. */
static struct ts *
ts_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "tailscale NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
ts_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "tailscale %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* Waits out a Retry-After (bounded); false when it is not worth it. */
static bool
ts_backoff(const struct http_response *resp, int attempt)
{
	long s = resp->retry_after != NULL ? atol(resp->retry_after) : 1;

	if (attempt + 1 >= TS_RETRIES)
		return (false);
	if (s < 0)
		s = 0;
	if (s > TS_RETRY_MAX_S)
		return (false);
	/* A bounded wait for the upstream's window, not synchronisation. */
	poll(NULL, 0, (int)(s * 1000));
	return (true);
}

/* Exchanges the OAuth client credentials; t->login held. */
static int
ts_oauth(struct ts *t, struct http_client *cl, int *kind, char **cause)
{
	struct http_response resp;
	const char *hdrs[] = { "Content-Type: application/x-www-form-urlencoded",
	    "Accept: application/json", NULL };
	char *id, *secret, *body, *token = NULL;
	json_t *j;
	long expires = 0;
	int rv = -1;

	id = http_escape(t->client_id);
	secret = http_escape(t->client_secret);
	xasprintf(&body, "client_id=%s&client_secret=%s&grant_type="
	    "client_credentials", id, secret);
	free(id);
	free(secret);
	if (http_request(cl, "POST", "/oauth/token", hdrs, body, strlen(body),
	    &resp, cause) != 0) {
		*kind = RT_ERR_UNREACHABLE;
		free(body);
		return (-1);
	}
	explicit_bzero(body, strlen(body));
	free(body);
	if (resp.status == 401 || resp.status == 400 || resp.status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "POST /oauth/token: HTTP %ld: OAuth client "
		    "refused — check client_id and client_secret", resp.status);
	} else if (resp.status != 200) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "POST /oauth/token: HTTP %ld", resp.status);
	} else if ((j = json_loads(resp.body, 0, NULL)) == NULL ||
	    ts_parse_oauth(j, &token, &expires) != 0) {
		json_decref(j);
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "POST /oauth/token: no access_token in the "
		    "answer");
	} else {
		json_decref(j);
		free(t->access);
		t->access = token;
		t->access_until = clock_mono_ms() + expires * 1000 -
		    TS_RENEW_EARLY_MS;
		t->access_gen++;
		rv = 0;
	}
	http_response_free(&resp);
	return (rv);
}

/* The Authorization header line (caller frees); *gen the token used. */
static int
ts_auth(struct ts *t, struct http_client *cl, unsigned stale, char **hdr,
    unsigned *gen, int *kind, char **cause)
{
	*gen = 0;
	if (t->client_id == NULL) {
		xasprintf(hdr, "Authorization: Bearer %s", t->token);
		return (0);
	}
	pthread_mutex_lock(&t->login);
	if (t->access != NULL && (t->access_gen == stale ||
	    clock_mono_ms() >= t->access_until)) {
		free(t->access);
		t->access = NULL;
	}
	if (t->access == NULL && ts_oauth(t, cl, kind, cause) != 0) {
		pthread_mutex_unlock(&t->login);
		return (-1);
	}
	xasprintf(hdr, "Authorization: Bearer %s", t->access);
	*gen = t->access_gen;
	pthread_mutex_unlock(&t->login);
	return (0);
}

/*
 * One request with auth, an OAuth renewal on a 401 and 429 back-off.
 * Returns 0 with *resp (any status; caller frees), or -1 with *kind and
 * *cause.
 */
static int
ts_do(struct ts *t, struct http_client *cl, const char *method,
    const char *path, const char *accept, const char *ctype,
    const char *if_match, const char *body, struct http_response *resp,
    int *kind, char **cause)
{
	const char *hdrs[5];
	char *auth, *a_hdr, *c_hdr = NULL, *m_hdr = NULL;
	unsigned gen, stale = 0;
	int attempt, n, rv;

	for (attempt = 0;; attempt++) {
		if (ts_auth(t, cl, stale, &auth, &gen, kind, cause) != 0)
			return (-1);
		xasprintf(&a_hdr, "Accept: %s", accept);
		n = 0;
		hdrs[n++] = auth;
		hdrs[n++] = a_hdr;
		if (body != NULL) {
			xasprintf(&c_hdr, "Content-Type: %s", ctype);
			hdrs[n++] = c_hdr;
		}
		if (if_match != NULL) {
			xasprintf(&m_hdr, "If-Match: %s", if_match);
			hdrs[n++] = m_hdr;
		}
		hdrs[n] = NULL;
		rv = http_request(cl, method, path, hdrs, body, body != NULL ?
		    strlen(body) : 0, resp, cause);
		explicit_bzero(auth, strlen(auth));
		free(auth);
		free(a_hdr);
		free(c_hdr);
		free(m_hdr);
		c_hdr = m_hdr = NULL;
		if (rv != 0) {
			*kind = RT_ERR_UNREACHABLE;
			return (-1);
		}
		if (resp->status == 401 && t->client_id != NULL &&
		    attempt == 0) {
			stale = gen;
			http_response_free(resp);
			continue;
		}
		if (resp->status == 429 && ts_backoff(resp, attempt)) {
			http_response_free(resp);
			continue;
		}
		return (0);
	}
}

/* The error cause of a non-2xx response (caller frees). */
static char *
ts_cause(struct ts *t, const char *method, const char *path,
    const struct http_response *resp, int *kind)
{
	const char *msg = NULL;
	char *s, *shown;
	json_t *j;

	shown = xstrndup(path, strcspn(path, "?"));
	j = json_loads(resp->body, 0, NULL);
	msg = json_string_value(json_object_get(j, "message"));
	*kind = RT_ERR_UPSTREAM;
	if (resp->status == 401) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "%s %s: HTTP 401: authentication failure — check "
		    "%s", method, shown, t->client_id != NULL ?
		    "client_id and client_secret" : "token");
	} else if (resp->status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "%s %s: HTTP 403%s%.200s — the %s lacks the scope "
		    "this needs", method, shown, msg != NULL ? ": " : "",
		    msg != NULL ? msg : "", t->client_id != NULL ?
		    "OAuth client" : "API token");
	} else if (resp->status == 429) {
		xasprintf(&s, "%s %s: HTTP 429: rate limited (Retry-After %s)",
		    method, shown, resp->retry_after != NULL ?
		    resp->retry_after : "not given");
	} else
		xasprintf(&s, "%s %s: HTTP %ld%s%.200s", method, shown,
		    resp->status, msg != NULL ? ": " : "", msg != NULL ?
		    msg : "");
	json_decref(j);
	free(shown);
	return (s);
}

/*
 * A JSON request: the 2xx answer (new reference; json_null() when empty),
 * or NULL with *kind, *status and *cause.
 */
static json_t *
ts_json(struct ts *t, struct http_client *cl, const char *method,
    const char *path, const json_t *body, long *status, int *kind,
    char **cause)
{
	struct http_response resp;
	char *text = NULL;
	json_t *j;

	*status = 0;
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	if (ts_do(t, cl, method, path, "application/json", "application/json",
	    NULL, text, &resp, kind, cause) != 0) {
		free(text);
		return (NULL);
	}
	free(text);
	*status = resp.status;
	if (resp.status < 200 || resp.status > 299) {
		*cause = ts_cause(t, method, path, &resp, kind);
		http_response_free(&resp);
		return (NULL);
	}
	if (resp.len == 0)
		j = json_null();
	else if ((j = json_loads(resp.body, JSON_DECODE_ANY, NULL)) == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %.*s: invalid JSON in response", method,
		    (int)strcspn(path, "?"), path);
	}
	http_response_free(&resp);
	return (j);
}

/* A JSON request with a pooled client. */
static json_t *
ts_call(struct ts *t, const char *method, const char *path,
    const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *j;
	int kind;

	*status = 0;
	if ((cl = http_pool_get(&t->pool, cause)) == NULL)
		return (NULL);
	j = ts_json(t, cl, method, path, body, status, &kind, cause);
	http_pool_put(&t->pool, cl);
	return (j);
}

/* Fetches and parses the devices. New reference. */
static json_t *
ts_fetch(struct ts *t, struct http_client *cl, int *kind, char **cause)
{
	json_t *j, *rows;
	char *path, *why = NULL;
	long status;

	xasprintf(&path, "/tailnet/%s/devices?fields=all", t->tailnet);
	j = ts_json(t, cl, "GET", path, NULL, &status, kind, cause);
	free(path);
	if (j == NULL)
		return (NULL);
	rows = ts_parse_devices(j, t->name, clock_wall_ms(), &why);
	json_decref(j);
	if (rows == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET /tailnet/%s/devices: %s", t->tailnet, why);
		free(why);
		return (NULL);
	}
	return (json_pack("{s:o}", "devices", rows));
}

/* The poller: one refresh. */
static json_t *
ts_poll(void *arg, int *kind, char **cause)
{
	struct ts *t = arg;

	if (t->poller == NULL &&
	    (t->poller = http_client_create(&t->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (ts_fetch(t, t->poller, kind, cause));
}

/* A live fetch with a pooled client, for read_view_get. */
static json_t *
ts_view_fetch(void *arg, int *kind, char **cause)
{
	struct ts *t = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&t->pool, cause)) == NULL)
		return (NULL);
	j = ts_fetch(t, cl, kind, cause);
	http_pool_put(&t->pool, cl);
	return (j);
}

/* Frees an instance's state. */
static void
ts_destroy(void *arg)
{
	struct ts *t = arg;

	if (t == NULL)
		return;
	http_pool_finish(&t->pool);
	http_client_destroy(t->poller);
	pthread_mutex_destroy(&t->login);
	free(t->name);
	free((char *)t->opts.base_url);
	free((char *)t->opts.ca_file);
	free((char *)t->opts.fingerprint);
	free(t->tailnet);
	free(t->token);
	free(t->client_id);
	free(t->client_secret);
	free(t->access);
	free(t);
}

/* Creates an instance from its [tailscale "name"] section. */
static void *
ts_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token, *cid, *csecret, *tailnet;
	struct http_client *cl;
	struct ts *t;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL)
		url = TS_URL;
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) !=
	    0) {
		xasprintf(cause, "url: must start with https://");
		return (NULL);
	}
	token = conf_get(ic, "token");
	cid = conf_get(ic, "client_id");
	csecret = conf_get(ic, "client_secret");
	if (token == NULL && (cid == NULL || csecret == NULL)) {
		xasprintf(cause, "set token (an API access token), or "
		    "client_id and client_secret (an OAuth client)");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	tailnet = conf_get(ic, "tailnet");
	t = xcalloc(1, sizeof *t);
	t->in = in;
	t->name = xstrdup(ic->name);
	http_pool_init(&t->pool, &t->opts, TS_POOL_MAX);
	pthread_mutex_init(&t->login, NULL);
	t->tailnet = http_escape(tailnet != NULL ? tailnet : "-");
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&t->opts.base_url, "%s/api/v2", base);
	free(base);
	t->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	t->opts.connect_timeout_ms = t->opts.timeout_ms < 5000 ?
	    t->opts.timeout_ms : 5000;
	t->opts.insecure = !verify;
	t->opts.max_response = 64 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		t->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		t->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	if (cid != NULL && csecret != NULL) {
		t->client_id = xstrdup(cid);
		t->client_secret = xstrdup(csecret);
	} else
		t->token = xstrdup(token);
	if ((cl = http_client_create(&t->opts, &why)) == NULL) {
		*cause = why;
		ts_destroy(t);
		return (NULL);
	}
	http_pool_put(&t->pool, cl);
	return (t);
}

/* Whether a device row passes list_devices' filters. */
static bool
ts_match(struct rt_call *c, const json_t *row)
{
	const json_t *online = json_object_get(c->args, "online"), *v;
	const char *tag = call_arg_str(c, "tag"), *os = call_arg_str(c, "os");
	const char *name = call_arg_str(c, "name");
	size_t i;
	bool found;

	if (json_is_boolean(online) && json_is_true(online) !=
	    json_is_true(json_object_get(row, "online")))
		return (false);
	if (os != NULL && strcasecmp(os, json_string_value(json_object_get(
	    row, "os"))) != 0)
		return (false);
	if (name != NULL && strcasestr(json_string_value(json_object_get(row,
	    "name")), name) == NULL)
		return (false);
	if (tag != NULL) {
		found = false;
		json_array_foreach(json_object_get(row, "tags"), i, v) {
			if (strcmp(json_string_value(v), tag) == 0)
				found = true;
		}
		if (!found)
			return (false);
	}
	return (true);
}

/* tailscale_list_devices. */
static int
ts_list_devices(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *items, *errors;
	const json_t *row;
	int64_t age = 0;
	char *why;
	size_t n, i, j, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    TS_MAX_AGE_S), ts_view_fetch, ts_of(ins[i]), &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		json_array_foreach(json_object_get(v.data, "devices"), j, row) {
			if (ts_match(c, row))
				json_array_append_new(items,
				    json_deep_copy(row));
		}
		if (v.age_ms > age)
			age = v.age_ms;
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		call_fail(c, "tailscale: %s", json_string_value(json_object_get(
		    json_array_get(errors, 0), "error")));
		json_decref(errors);
		return (-1);
	}
	return (call_list_result(c, items, age, errors));
}

/*
 * Finds the device named by the "device" argument: a new copy of its row,
 * or NULL after failing the call.
 */
static json_t *
ts_locate(struct rt_call *c, struct rt_instance *in, json_int_t max_age,
    int64_t *age_ms)
{
	const char *key = call_arg_str(c, "device");
	struct read_view v;
	const json_t *row;
	json_t *copy;
	char *why = NULL;

	if (read_view_get(in, max_age, ts_view_fetch, ts_of(in), &v,
	    &why) != 0) {
		ts_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	row = ts_find_device(json_object_get(v.data, "devices"), key);
	if (row == NULL && v.snap != NULL) {
		read_view_put(&v);
		if (read_view_get(in, 0, ts_view_fetch, ts_of(in), &v,
		    &why) != 0) {
			ts_fail(c, in, "%s", why);
			free(why);
			return (NULL);
		}
		row = ts_find_device(json_object_get(v.data, "devices"), key);
	}
	if (row == NULL) {
		read_view_put(&v);
		ts_fail(c, in, "no device \"%s\" (give its nodeId or host "
		    "name)", key);
		return (NULL);
	}
	copy = json_deep_copy(row);
	if (age_ms != NULL)
		*age_ms = v.age_ms;
	read_view_put(&v);
	return (copy);
}

/* The /device/{id} path of a row plus rest (caller frees). */
static char *
ts_device_path(const json_t *row, const char *rest)
{
	char *esc, *path;

	esc = http_escape(json_string_value(json_object_get(row, "id")));
	xasprintf(&path, "/device/%s%s", esc, rest);
	free(esc);
	return (path);
}

/* tailscale_get_device. */
static int
ts_get_device(struct rt_call *c)
{
	struct rt_instance *in;
	json_int_t max_age = call_arg_int(c, "max_age_s", TS_MAX_AGE_S);
	json_t *row, *d, *fresh;
	int64_t age = 0;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = ts_locate(c, in, max_age, &age)) == NULL)
		return (-1);
	if (max_age == 0) {
		path = ts_device_path(row, "?fields=all");
		d = ts_call(ts_of(in), "GET", path, NULL, &status, &why);
		free(path);
		if (d == NULL) {
			json_decref(row);
			ts_fail(c, in, "%s", why);
			free(why);
			return (-1);
		}
		fresh = ts_parse_device(d, in->name, clock_wall_ms());
		json_decref(d);
		json_decref(row);
		row = fresh;
		age = 0;
	}
	json_object_set_new(row, "age_ms", json_integer(age));
	return (call_ok(c, row));
}

/* tailscale_authorize_device. */
static int
ts_authorize_device(struct rt_call *c)
{
	struct rt_instance *in;
	const json_t *a = json_object_get(c->args, "authorized");
	bool want = a == NULL || json_is_true(a);
	json_t *row, *body, *d, *r;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = ts_locate(c, in, 0, NULL)) == NULL)
		return (-1);
	r = json_pack("{s:s, s:O, s:O, s:b}", "instance", in->name, "device",
	    json_object_get(row, "id"), "name", json_object_get(row, "name"),
	    "authorized", want);
	if (json_is_true(json_object_get(row, "authorized")) == want) {
		json_object_set_new(r, "status", json_string("unchanged"));
		json_decref(row);
		return (call_ok(c, r));
	}
	path = ts_device_path(row, "/authorized");
	body = json_pack("{s:b}", "authorized", want);
	d = ts_call(ts_of(in), "POST", path, body, &status, &why);
	free(path);
	json_decref(body);
	json_decref(row);
	if (d == NULL) {
		json_decref(r);
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_decref(d);
	json_object_set_new(r, "status", json_string("ok"));
	instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* The preview of tailscale_delete_device; row stolen. */
static int
ts_delete_preview(struct rt_call *c, struct rt_instance *in, json_t *row)
{
	char *path = ts_device_path(row, "");
	json_t *r;

	r = json_pack("{s:s, s:s, s:O, s:b, s:[{s:s, s:s}], s:o}", "instance",
	    in->name, "status", "dry_run", "device", json_object_get(row, "id"),
	    "dry_run", 1, "requests", "method", "DELETE", "path", path,
	    "target", row);
	free(path);
	return (call_ok(c, r));
}

/* describe for tailscale_delete_device. */
static int
ts_describe_delete(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *row;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = ts_locate(c, in, TS_MAX_AGE_S, NULL)) == NULL)
		return (-1);
	return (ts_delete_preview(c, in, row));
}

/* tailscale_delete_device. */
static int
ts_delete_device(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *row, *d, *r;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = ts_locate(c, in, TS_MAX_AGE_S, NULL)) == NULL)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (ts_delete_preview(c, in, row));
	path = ts_device_path(row, "");
	d = ts_call(ts_of(in), "DELETE", path, NULL, &status, &why);
	free(path);
	if (d == NULL) {
		json_decref(row);
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_decref(d);
	r = json_pack("{s:s, s:s, s:O, s:O}", "instance", in->name, "status",
	    "ok", "device", json_object_get(row, "id"), "name",
	    json_object_get(row, "name"));
	json_decref(row);
	instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* tailscale_get_acl: the policy file as HuJSON text, with its ETag. */
static int
ts_get_acl(struct rt_call *c)
{
	struct rt_instance *in;
	struct http_client *cl;
	struct http_response resp;
	struct ts *t;
	char *path, *why = NULL;
	json_t *r;
	int kind;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	t = ts_of(in);
	if ((cl = http_pool_get(&t->pool, &why)) == NULL)
		goto fail;
	xasprintf(&path, "/tailnet/%s/acl", t->tailnet);
	if (ts_do(t, cl, "GET", path, "application/hujson", NULL, NULL, NULL,
	    &resp, &kind, &why) != 0) {
		http_pool_put(&t->pool, cl);
		free(path);
		goto fail;
	}
	http_pool_put(&t->pool, cl);
	if (resp.status != 200) {
		why = ts_cause(t, "GET", path, &resp, &kind);
		free(path);
		http_response_free(&resp);
		goto fail;
	}
	free(path);
	r = json_pack("{s:s, s:s%, s:s}", "instance", in->name,
	    "policy", resp.body, resp.len, "format", "hujson");
	if (r == NULL) {
		http_response_free(&resp);
		return (ts_fail(c, in, "GET /acl: the policy is not UTF-8"));
	}
	json_object_set_new(r, "etag", resp.etag != NULL ?
	    json_string(resp.etag) : json_null());
	http_response_free(&resp);
	return (call_ok(c, r));
fail:
	ts_fail(c, in, "%s", why);
	free(why);
	return (-1);
}

/* tailscale_update_acl: validate, then write with If-Match. */
static int
ts_update_acl(struct rt_call *c)
{
	struct rt_instance *in;
	struct http_client *cl;
	struct http_response resp;
	struct ts *t;
	const char *policy = call_arg_str(c, "policy");
	const char *etag = call_arg_str(c, "etag");
	char *path, *why = NULL, *problem;
	json_t *j, *r;
	int kind, rv = -1;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	t = ts_of(in);
	if ((cl = http_pool_get(&t->pool, &why)) == NULL) {
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	/* /acl/validate answers 200 even for an invalid policy. */
	xasprintf(&path, "/tailnet/%s/acl/validate", t->tailnet);
	if (ts_do(t, cl, "POST", path, "application/json",
	    "application/hujson", NULL, policy, &resp, &kind, &why) != 0) {
		ts_fail(c, in, "%s", why);
		goto out;
	}
	if (resp.status != 200) {
		why = ts_cause(t, "POST", path, &resp, &kind);
		http_response_free(&resp);
		ts_fail(c, in, "%s", why);
		goto out;
	}
	j = json_loads(resp.body, JSON_DECODE_ANY, NULL);
	problem = ts_validate_problem(j);
	json_decref(j);
	http_response_free(&resp);
	if (problem != NULL) {
		ts_fail(c, in, "the policy is invalid, nothing was written: %s",
		    problem);
		free(problem);
		goto out;
	}
	if (json_is_true(json_object_get(c->args, "validate_only"))) {
		rv = call_ok(c, json_pack("{s:s, s:s, s:b, s:s}", "instance",
		    in->name, "status", "valid", "validated", 1, "etag", etag));
		goto out;
	}
	free(path);
	xasprintf(&path, "/tailnet/%s/acl", t->tailnet);
	/* The ETag goes back exactly as it came, quotes included. */
	if (ts_do(t, cl, "POST", path, "application/hujson",
	    "application/hujson", etag, policy, &resp, &kind, &why) != 0) {
		ts_fail(c, in, "%s", why);
		goto out;
	}
	if (resp.status == 412) {
		http_response_free(&resp);
		ts_fail(c, in, "the policy file changed since ETag %s was read "
		    "(HTTP 412 Precondition Failed): someone else updated it. "
		    "Nothing was overwritten; read it again with "
		    "tailscale_get_acl, merge, and retry", etag);
		goto out;
	}
	if (resp.status != 200) {
		why = ts_cause(t, "POST", path, &resp, &kind);
		http_response_free(&resp);
		ts_fail(c, in, "%s", why);
		goto out;
	}
	r = json_pack("{s:s, s:s, s:b}", "instance", in->name, "status",
	    "updated", "validated", 1);
	json_object_set_new(r, "etag", resp.etag != NULL ?
	    json_string(resp.etag) : json_null());
	http_response_free(&resp);
	rv = call_ok(c, r);
out:
	free(why);
	free(path);
	http_pool_put(&t->pool, cl);
	return (rv);
}

/* tailscale_enable_subnet_routes: sends the union of enabled routes. */
static int
ts_enable_routes(struct rt_call *c)
{
	struct rt_instance *in;
	const json_t *add = json_object_get(c->args, "routes"), *v;
	bool exit_node = json_is_true(json_object_get(c->args, "exit_node"));
	json_t *row, *cur, *want, *body, *d, *r, *added, *unadv;
	const json_t *enabled, *adv;
	char *path, *why = NULL;
	long status;
	size_t i, j;
	bool found;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (json_array_size(add) == 0 && !exit_node)
		return (call_fail(c, "arguments.routes: give at least one "
		    "route, or exit_node true"));
	if ((row = ts_locate(c, in, TS_MAX_AGE_S, NULL)) == NULL)
		return (-1);
	path = ts_device_path(row, "/routes");
	/* Read the enabled list live: the POST replaces all of it. */
	if ((cur = ts_call(ts_of(in), "GET", path, NULL, &status,
	    &why)) == NULL) {
		free(path);
		json_decref(row);
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	enabled = json_object_get(cur, "enabledRoutes");
	adv = json_object_get(cur, "advertisedRoutes");
	want = ts_routes_union(enabled, add, exit_node);
	added = json_array();
	unadv = json_array();
	json_array_foreach(want, i, v) {
		found = false;
		json_array_foreach(enabled, j, d) {
			if (json_equal((json_t *)v, d))
				found = true;
		}
		if (!found)
			json_array_append(added, (json_t *)v);
		found = false;
		json_array_foreach(adv, j, d) {
			if (json_equal((json_t *)v, d))
				found = true;
		}
		if (!found)
			json_array_append(unadv, (json_t *)v);
	}
	r = json_pack("{s:s, s:O, s:O, s:o, s:o}", "instance", in->name,
	    "device", json_object_get(row, "id"), "name",
	    json_object_get(row, "name"), "added", added, "not_advertised",
	    unadv);
	json_decref(row);
	if (json_array_size(added) == 0) {
		json_object_set_new(r, "status", json_string("unchanged"));
		json_object_set_new(r, "enabled_routes", want);
		json_object_set(r, "advertised_routes", adv != NULL ?
		    (json_t *)adv : json_array());
		json_decref(cur);
		free(path);
		return (call_ok(c, r));
	}
	body = json_pack("{s:O}", "routes", want);
	d = ts_call(ts_of(in), "POST", path, body, &status, &why);
	json_decref(body);
	json_decref(cur);
	free(path);
	if (d == NULL) {
		json_decref(r);
		json_decref(want);
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_object_set_new(r, "status", json_string("ok"));
	json_object_set(r, "enabled_routes", json_is_array(json_object_get(d,
	    "enabledRoutes")) ? json_object_get(d, "enabledRoutes") : want);
	json_decref(want);
	json_object_set(r, "advertised_routes", json_is_array(
	    json_object_get(d, "advertisedRoutes")) ? json_object_get(d,
	    "advertisedRoutes") : json_array());
	json_decref(d);
	instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* tailscale_get_dns. */
static int
ts_get_dns(struct rt_call *c)
{
	struct rt_instance *in;
	struct ts *t;
	const char *what[] = { "nameservers", "searchpaths", "preferences" };
	json_t *got[3] = { NULL, NULL, NULL }, *r;
	char *path, *why = NULL;
	long status;
	int i;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	t = ts_of(in);
	for (i = 0; i < 3; i++) {
		xasprintf(&path, "/tailnet/%s/dns/%s", t->tailnet, what[i]);
		got[i] = ts_call(t, "GET", path, NULL, &status, &why);
		free(path);
		if (got[i] == NULL) {
			while (--i >= 0)
				json_decref(got[i]);
			ts_fail(c, in, "%s", why);
			free(why);
			return (-1);
		}
	}
	r = ts_parse_dns(got[0], got[1], got[2]);
	json_object_set_new(r, "instance", json_string(in->name));
	for (i = 0; i < 3; i++)
		json_decref(got[i]);
	return (call_ok(c, r));
}

/* tailscale_set_dns_nameservers. */
static int
ts_set_dns(struct rt_call *c)
{
	struct rt_instance *in;
	struct ts *t;
	json_t *body, *d, *r;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	t = ts_of(in);
	xasprintf(&path, "/tailnet/%s/dns/nameservers", t->tailnet);
	body = json_pack("{s:O}", "dns", json_object_get(c->args,
	    "nameservers"));
	d = ts_call(t, "POST", path, body, &status, &why);
	free(path);
	json_decref(body);
	if (d == NULL) {
		ts_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	r = ts_parse_dns(d, NULL, NULL);
	json_object_del(r, "search_paths");
	json_object_set_new(r, "instance", json_string(in->name));
	json_object_set_new(r, "status", json_string("ok"));
	json_decref(d);
	return (call_ok(c, r));
}

/* Schema fragments. */
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured Tailscale instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one when " \
	"left out.\"}"
#define S_DEVICE \
	"\"device\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":253," \
	"\"description\":\"The device's nodeId (preferred), legacy id, host " \
	"name or MagicDNS name.\"}"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":30," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_CIDR_PAT \
	"\"type\":\"string\",\"pattern\":\"^([0-9]{1,3}(\\\\.[0-9]{1,3}){3}|" \
	"[0-9a-fA-F:]*:[0-9a-fA-F:.]*)/[0-9]{1,3}$\",\"examples\":" \
	"[\"192.168.1.0/24\",\"::/0\"],\"x-counterexamples\":" \
	"[\"192.168.1.0\",\"lan\"]"
#define S_IP_PAT \
	"\"type\":\"string\",\"pattern\":\"^([0-9]{1,3}(\\\\.[0-9]{1,3}){3}|" \
	"[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$\",\"examples\":[\"1.1.1.1\"," \
	"\"2606:4700:4700::1111\"],\"x-counterexamples\":[\"dns.google\"]"
#define S_STR "{\"type\":\"string\"}"
#define S_STRS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_INT "{\"type\":\"integer\"}"
#define DEVICE_PROPS \
	"\"instance\":" S_STR ",\"id\":" S_STR ",\"legacy_id\":" S_STR "," \
	"\"name\":" S_STR ",\"fqdn\":" S_STR ",\"user\":" S_STR ",\"os\":" \
	S_STR ",\"addresses\":" S_STRS ",\"endpoints\":" S_STRS ",\"ipv4\":" \
	S_STR ",\"online\":" \
	S_BOOL ",\"state\":{\"enum\":[\"online\",\"offline\",\"expired\"]}," \
	"\"last_seen\":{\"type\":[\"string\",\"null\"]},\"seen_s\":" S_INT \
	",\"tags\":" S_STRS ",\"update_available\":" S_BOOL ",\"key_expiry\":" \
	"{\"type\":[\"string\",\"null\"]},\"key_expiry_disabled\":" S_BOOL \
	",\"key_expired\":" S_BOOL ",\"authorized\":" S_BOOL \
	",\"client_version\":" S_STR ",\"enabled_routes\":" S_STRS \
	",\"advertised_routes\":" S_STRS ",\"exit_node\":" S_BOOL
#define DEVICE_REQUIRED \
	"\"required\":[\"instance\",\"id\",\"name\",\"addresses\",\"online\"," \
	"\"state\",\"tags\",\"update_available\",\"key_expiry\"]"
#define DEVICE_ITEM "{\"type\":\"object\"," DEVICE_REQUIRED ",\"properties\":{" \
	DEVICE_PROPS "}}"
#define DNS_PROPS \
	"\"instance\":" S_STR ",\"nameservers\":" S_STRS ",\"search_paths\":" \
	S_STRS ",\"magic_dns\":" S_BOOL

static const struct rt_tool ts_tools[] = {
	{
	    .name = "tailscale_list_devices",
	    .title = "List Tailscale devices",
	    .description = "Devices of the tailnet: online or offline, last "
		"seen, Tailscale addresses, OS, tags, whether a client update "
		"is available, key expiry, authorization and subnet routes. "
		"Filter by online, tag, OS or part of the name.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"online\":{\"type\":"
		"\"boolean\",\"description\":\"Only online (true) or offline "
		"(false) devices.\"},\"tag\":{\"type\":\"string\",\"pattern\":"
		"\"^tag:[a-zA-Z0-9-]+$\",\"examples\":[\"tag:server\"],"
		"\"x-counterexamples\":[\"server\"],\"description\":\"Only "
		"devices with this tag.\"},\"os\":{\"type\":\"string\","
		"\"minLength\":1,\"maxLength\":32,\"description\":\"linux, "
		"windows, macOS, iOS, android...\"},\"name\":{\"type\":"
		"\"string\",\"minLength\":1,\"maxLength\":253,\"description\":"
		"\"Part of the host name, any case.\"}," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DEVICE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_list_devices,
	},
	{
	    .name = "tailscale_get_device",
	    .title = "Tailscale device",
	    .description = "One device by nodeId or host name: addresses, OS, "
		"online state, last seen, tags, key expiry, authorization, "
		"enabled and advertised routes.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"device\"],\"properties\":{" S_INSTANCE
		"," S_DEVICE "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\"," DEVICE_REQUIRED
		",\"properties\":{" DEVICE_PROPS ",\"age_ms\":" S_INT "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_get_device,
	},
	{
	    .name = "tailscale_authorize_device",
	    .title = "Authorize a Tailscale device",
	    .description = "Authorizes a device waiting for approval on a "
		"tailnet that requires device authorization, or revokes it "
		"with authorized false.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"device\"],\"properties\":{" S_INSTANCE
		"," S_DEVICE ",\"authorized\":{\"type\":\"boolean\",\"default\":"
		"true,\"description\":\"false revokes the authorization.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"device\",\"authorized\",\"status\"],\"properties\":{"
		"\"instance\":" S_STR ",\"device\":" S_STR ",\"name\":" S_STR
		",\"authorized\":" S_BOOL ",\"status\":{\"enum\":[\"ok\","
		"\"unchanged\"]}}}",
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_authorize_device,
	},
	{
	    .name = "tailscale_delete_device",
	    .title = "Delete a Tailscale device",
	    .description = "Removes a device from the tailnet; it must log in "
		"again to rejoin. Devices shared in from other tailnets "
		"cannot be deleted.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"device\"],\"properties\":{" S_INSTANCE
		"," S_DEVICE ",\"dry_run\":{\"type\":\"boolean\",\"default\":"
		"false,\"description\":\"Return the request it would make and "
		"do nothing.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"status\",\"device\"],\"properties\":{\"instance\":" S_STR
		",\"status\":{\"enum\":[\"ok\",\"dry_run\"]},\"device\":" S_STR
		",\"name\":" S_STR ",\"dry_run\":" S_BOOL ",\"requests\":"
		"{\"type\":\"array\"},\"target\":{\"type\":\"object\"}}}",
	    .flags = RT_DESTRUCTIVE | RT_OPEN_WORLD,
	    .call = ts_delete_device,
	    .describe = ts_describe_delete,
	},
	{
	    .name = "tailscale_get_acl",
	    .title = "Tailscale policy file",
	    .description = "The tailnet policy file (ACLs, groups, hosts, "
		"tests) as HuJSON text, comments kept, with its ETag: pass "
		"the ETag unchanged to tailscale_update_acl.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"policy\",\"etag\"],\"properties\":{\"instance\":" S_STR
		",\"policy\":" S_STR ",\"etag\":{\"type\":[\"string\","
		"\"null\"]},\"format\":{\"const\":\"hujson\"}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_get_acl,
	},
	{
	    .name = "tailscale_update_acl",
	    .title = "Update the Tailscale policy file",
	    .description = "Replaces the tailnet policy file with HuJSON text. "
		"The policy is validated first (and its tests run); it is "
		"written only if the file still has the ETag read with "
		"tailscale_get_acl, so a concurrent change is reported "
		"(HTTP 412), never overwritten.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"policy\",\"etag\"],\"properties\":{"
		S_INSTANCE ",\"policy\":{\"type\":\"string\",\"minLength\":2,"
		"\"maxLength\":1048576,\"description\":\"The whole policy "
		"file, HuJSON or JSON.\"},\"etag\":{\"type\":\"string\","
		"\"pattern\":\"^(W/)?\\\"[^\\\"]+\\\"$\",\"examples\":"
		"[\"\\\"e0b2816b418b3f266309d94426ac7668\\\"\"],"
		"\"x-counterexamples\":[\"e0b2816b418\"],\"description\":\"The "
		"ETag from tailscale_get_acl, quotes included.\"},"
		"\"validate_only\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Validate and run the tests only.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"status\",\"validated\"],\"properties\":{\"instance\":" S_STR
		",\"status\":{\"enum\":[\"updated\",\"valid\"]},\"validated\":"
		S_BOOL ",\"etag\":{\"type\":[\"string\",\"null\"]}}}",
	    .flags = RT_OPEN_WORLD,
	    .call = ts_update_acl,
	},
	{
	    .name = "tailscale_enable_subnet_routes",
	    .title = "Enable Tailscale subnet routes",
	    .description = "Approves subnet routes a device advertises, and "
		"with exit_node its exit-node routes (0.0.0.0/0 and ::/0). "
		"The routes already enabled stay enabled: the API replaces the "
		"whole list, so the union is sent.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"device\"],\"properties\":{" S_INSTANCE
		"," S_DEVICE ",\"routes\":{\"type\":\"array\",\"maxItems\":256,"
		"\"items\":{" S_CIDR_PAT "},\"description\":\"Routes to "
		"enable (CIDR).\"},\"exit_node\":{\"type\":\"boolean\","
		"\"default\":false,\"description\":\"Also enable the device "
		"as an exit node.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"device\",\"status\",\"enabled_routes\",\"added\"],"
		"\"properties\":{\"instance\":" S_STR ",\"device\":" S_STR
		",\"name\":" S_STR ",\"status\":{\"enum\":[\"ok\","
		"\"unchanged\"]},\"enabled_routes\":" S_STRS
		",\"advertised_routes\":" S_STRS ",\"added\":" S_STRS
		",\"not_advertised\":" S_STRS "}}",
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_enable_routes,
	},
	{
	    .name = "tailscale_get_dns",
	    .title = "Tailscale DNS settings",
	    .description = "The tailnet's global nameservers, search paths and "
		"whether MagicDNS is on.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"nameservers\",\"search_paths\",\"magic_dns\"],"
		"\"properties\":{" DNS_PROPS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_get_dns,
	},
	{
	    .name = "tailscale_set_dns_nameservers",
	    .title = "Set Tailscale nameservers",
	    .description = "Replaces the tailnet's global nameservers. An "
		"empty list with MagicDNS on turns MagicDNS off, as the API "
		"does.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"nameservers\"],\"properties\":{"
		S_INSTANCE ",\"nameservers\":{\"type\":\"array\",\"maxItems\":"
		"64,\"items\":{" S_IP_PAT "},\"description\":\"The new list "
		"of nameserver addresses.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"nameservers\",\"magic_dns\",\"status\"],\"properties\":{"
		DNS_PROPS ",\"status\":{\"const\":\"ok\"}}}",
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = ts_set_dns,
	},
	{ .name = NULL },
};

static const struct rt_column ts_device_columns[] = {
	{ "Device", "/name", RT_COL_TEXT, 0 },
	{ "Address", "/ipv4", RT_COL_TEXT, 15 },
	{ "OS", "/os", RT_COL_TEXT, 8 },
	{ "State", "/state", RT_COL_STATE, 8 },
	{ "Seen", "/seen_s", RT_COL_AGE, 8 },
	{ "Update", "/update_available", RT_COL_TEXT, 6 },
	{ "Exit", "/exit_node", RT_COL_TEXT, 4 },
	{ "Key expiry", "/key_expiry", RT_COL_TEXT, 20 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey ts_device_keys[] = {
	{ 'a', "authorize", "tailscale_authorize_device",
	    "{\"instance\":\"/instance\",\"device\":\"/id\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_view ts_views[] = {
	{ "devices", "Devices", "/devices", ts_device_columns,
	    ts_device_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service tailscale_service = {
	.name = "tailscale",
	.title = "Tailscale",
	.tools = ts_tools,
	.views = ts_views,
	.refresh_s = TS_REFRESH_S,
	.create = ts_create,
	.destroy = ts_destroy,
	.poll = ts_poll,
	.problems = tailscale_problems,
	.find = tailscale_find,
	.addresses = tailscale_addresses,
};
