/*
 * Cloudflare backend (API v4 and GraphQL analytics): transport (HTTP
 * through core/http with an API token, verified once before first use),
 * the poller (every zone, page after page, with a day of traffic from
 * GraphQL, and the account's tunnels) and the cloudflare_* tools. Parsing
 * lives in cloudflare-parse.c.
 *
 * DESIGN
 * Owner: one struct cf per configured instance, created and destroyed on
 * the main thread. The poller thread uses cf->poller alone; tool calls run
 * on any worker and borrow a client from cf->pool (an http_pool). Token
 * verification runs once, under cf->verify. A 429 is
 * retried after its Retry-After, at most CF_RETRY_MAX_S seconds and
 * CF_RETRIES times. Verification cannot list permissions, so a 403 after
 * a good verification names the permission the tool needs.
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/cloudflare.h"
#include "services/services.h"

#define CF_URL "https://api.cloudflare.com"
#define CF_REFRESH_S 60
#define CF_MAX_AGE_S 60
#define CF_POOL_MAX 4
#define CF_RETRIES 3
#define CF_RETRY_MAX_S 5
#define CF_MAX_PAGES 200
#define CF_PURGE_BATCH 100

struct cf {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;
	char *token;
	char *account;		/* account_id, or NULL */

	pthread_mutex_t verify;	/* guards verified */
	bool verified;

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;
};

/* The state of an instance. */
static struct cf *
cf_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "cloudflare NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
cf_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "cloudflare %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* Fails a call with a cause it frees. */
static int
cf_fail_free(struct rt_call *c, struct rt_instance *in, char *why)
{
	cf_fail(c, in, "%s", why != NULL ? why : "failed");
	free(why);
	return (-1);
}

/*
 * One request with the token and 429 back-off: 0 with *resp (any status;
 * caller frees), or -1 with *cause on transport failure.
 */
static int
cf_do(struct cf *f, struct http_client *cl, const char *method,
    const char *path, const json_t *body, struct http_response *resp,
    char **cause)
{
	const char *hdrs[4];
	char *auth, *text = NULL;
	long wait;
	int attempt, rv;

	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	xasprintf(&auth, "Authorization: Bearer %s", f->token);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = text != NULL ? "Content-Type: application/json" : NULL;
	hdrs[3] = NULL;
	for (attempt = 0;; attempt++) {
		rv = http_request(cl, method, path, hdrs, text, text != NULL ?
		    strlen(text) : 0, resp, cause);
		if (rv != 0 || resp->status != 429 || attempt + 1 >= CF_RETRIES)
			break;
		wait = resp->retry_after != NULL ? atol(resp->retry_after) : 1;
		if (wait < 0 || wait > CF_RETRY_MAX_S)
			break;
		http_response_free(resp);
		/* Honours Retry-After: a bounded wait, not synchronisation. */
		poll(NULL, 0, (int)(wait * 1000));
	}
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(text);
	return (rv);
}

/* The path as shown in causes (caller frees). */
static char *
cf_shown(const char *path)
{
	return (xstrndup(path, strcspn(path, "?")));
}

/*
 * A v4 request: the envelope's result (new reference; json_null() when
 * absent) and, when info is not NULL, its result_info (new reference or
 * NULL). NULL with *kind and *cause on failure; tool names the permission
 * a 403 lacks.
 */
static json_t *
cf_raw(struct cf *f, struct http_client *cl, const char *tool,
    const char *method, const char *path, const json_t *body, json_t **info,
    long *status, int *kind, char **cause)
{
	struct http_response resp;
	const json_t *result, *ri;
	const char *perm;
	json_t *j, *out = NULL;
	char *why = NULL, *shown;
	int code;

	if (info != NULL)
		*info = NULL;
	*status = 0;
	if (cf_do(f, cl, method, path, body, &resp, cause) != 0) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	*status = resp.status;
	shown = cf_shown(path);
	j = json_loadb(resp.body, resp.len, 0, NULL);
	if (cf_envelope(j, &result, &ri, &code, &why) == 0 &&
	    resp.status >= 200 && resp.status <= 299) {
		out = result != NULL ? json_incref((json_t *)result) :
		    json_null();
		if (info != NULL && ri != NULL)
			*info = json_incref((json_t *)ri);
	} else if (resp.status == 403 || resp.status == 401) {
		*kind = RT_ERR_AUTH;
		perm = cf_permission(tool);
		if (perm != NULL)
			xasprintf(cause, "%s %s: HTTP %ld: %s — the API token "
			    "lacks the \"%s\" permission that %s needs", method,
			    shown, resp.status, why != NULL ? why : "forbidden",
			    perm, tool);
		else
			xasprintf(cause, "%s %s: HTTP %ld: %s — check the API "
			    "token", method, shown, resp.status, why != NULL ?
			    why : "forbidden");
	} else if (resp.status == 429) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %s: HTTP 429: rate limited%s%s; retried "
		    "%d times", method, shown, why != NULL ? ": " : "",
		    why != NULL ? why : "", CF_RETRIES - 1);
	} else {
		*kind = RT_ERR_UPSTREAM;
		if (j == NULL && resp.status >= 200 && resp.status <= 299)
			xasprintf(cause, "%s %s: invalid JSON in response",
			    method, shown);
		else
			xasprintf(cause, "%s %s: HTTP %ld: %s", method, shown,
			    resp.status, why != NULL ? why : "failed");
	}
	free(why);
	free(shown);
	json_decref(j);
	http_response_free(&resp);
	return (out);
}

/* Verifies the token once: user tokens, then account-owned ones. */
static int
cf_verify(struct cf *f, struct http_client *cl, int *kind, char **cause)
{
	json_t *r;
	char *path, *why = NULL, *why2 = NULL;
	const char *st;
	long status;
	int rv = -1;

	pthread_mutex_lock(&f->verify);
	if (f->verified) {
		pthread_mutex_unlock(&f->verify);
		return (0);
	}
	r = cf_raw(f, cl, NULL, "GET", "/user/tokens/verify", NULL, NULL,
	    &status, kind, &why);
	if (r == NULL && status != 0 && f->account != NULL) {
		xasprintf(&path, "/accounts/%s/tokens/verify", f->account);
		r = cf_raw(f, cl, NULL, "GET", path, NULL, NULL, &status, kind,
		    &why2);
		free(path);
	}
	st = json_string_value(json_object_get(r, "status"));
	if (r != NULL && st != NULL && strcmp(st, "active") == 0) {
		f->verified = true;
		rv = 0;
	} else if (r != NULL) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "API token is %s", st != NULL ? st :
		    "not active");
	} else {
		if (status != 0)
			*kind = RT_ERR_AUTH;
		xasprintf(cause, "token verification failed: %s", why2 != NULL ?
		    why2 : why);
	}
	json_decref(r);
	free(why);
	free(why2);
	pthread_mutex_unlock(&f->verify);
	return (rv);
}

/* A v4 request after verification; see cf_raw. */
static json_t *
cf_api(struct cf *f, struct http_client *cl, const char *tool,
    const char *method, const char *path, const json_t *body, json_t **info,
    long *status, int *kind, char **cause)
{
	*status = 0;
	if (info != NULL)
		*info = NULL;
	if (cf_verify(f, cl, kind, cause) != 0)
		return (NULL);
	return (cf_raw(f, cl, tool, method, path, body, info, status, kind,
	    cause));
}

/* Every page of a list (path without page): a new array, or NULL. */
static json_t *
cf_all(struct cf *f, struct http_client *cl, const char *tool,
    const char *path, int per_page, int *kind, char **cause)
{
	json_t *all = json_array(), *r, *info;
	char *p;
	long status;
	int page;
	bool more;

	for (page = 1; page <= CF_MAX_PAGES; page++) {
		xasprintf(&p, "%s%cpage=%d&per_page=%d", path,
		    strchr(path, '?') != NULL ? '&' : '?', page, per_page);
		r = cf_api(f, cl, tool, "GET", p, NULL, &info, &status, kind,
		    cause);
		free(p);
		if (r == NULL) {
			json_decref(all);
			return (NULL);
		}
		json_array_extend(all, r);
		more = json_array_size(r) > 0 && cf_more_pages(info,
		    json_array_size(r));
		json_decref(r);
		json_decref(info);
		if (!more)
			break;
	}
	return (all);
}

/* Today minus days, as "YYYY-MM-DD". */
static void
cf_since(int days, char *buf, size_t len)
{
	time_t t = (time_t)(clock_wall_ms() / 1000) - (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* A zone's traffic over days (new reference), or NULL and *cause. */
static json_t *
cf_analytics(struct cf *f, struct http_client *cl, const char *zone_id,
    int days, int *kind, char **cause)
{
	struct http_response resp;
	json_t *body, *j, *r;
	char since[16];

	if (cf_verify(f, cl, kind, cause) != 0)
		return (NULL);
	cf_since(days, since, sizeof since);
	body = json_pack("{s:s, s:{s:s, s:s, s:i}}", "query",
	    "query ($zoneTag: string, $since: Date, $limit: Int) { viewer { "
	    "zones(filter: {zoneTag: $zoneTag}) { httpRequests1dGroups("
	    "limit: $limit, filter: {date_gt: $since}, orderBy: [date_ASC]) "
	    "{ dimensions { date } sum { requests cachedRequests bytes "
	    "cachedBytes threats pageViews } uniq { uniques } } } } }",
	    "variables", "zoneTag", zone_id, "since", since, "limit",
	    days + 1);
	if (cf_do(f, cl, "POST", "/graphql", body, &resp, cause) != 0) {
		json_decref(body);
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	json_decref(body);
	*kind = RT_ERR_UPSTREAM;
	j = json_loadb(resp.body, resp.len, 0, NULL);
	if (resp.status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "POST /graphql: HTTP 403 — the API token lacks "
		    "the \"%s\" permission", cf_permission(
		    "cloudflare_get_zone_analytics"));
		r = NULL;
	} else if (resp.status != 200 || j == NULL) {
		xasprintf(cause, "POST /graphql: HTTP %ld%s", resp.status,
		    j == NULL ? ": invalid JSON in response" : "");
		r = NULL;
	} else
		r = cf_parse_analytics(j, cause);	/* errors in a 200 */
	json_decref(j);
	http_response_free(&resp);
	return (r);
}

/* Every zone as rows (new array), or NULL. */
static json_t *
cf_zones(struct cf *f, struct http_client *cl, const char *tool, int *kind,
    char **cause)
{
	json_t *all, *rows;
	const json_t *z;
	size_t i;

	if ((all = cf_all(f, cl, tool, "/zones", 50, kind, cause)) == NULL)
		return (NULL);
	rows = json_array();
	json_array_foreach(all, i, z)
		json_array_append_new(rows, cf_parse_zone(z, f->name));
	json_decref(all);
	return (rows);
}

/* The account's tunnels as rows (new array), or NULL. */
static json_t *
cf_tunnels(struct cf *f, struct http_client *cl, int *kind, char **cause)
{
	json_t *all, *rows;
	const json_t *t;
	char *path;
	size_t i;

	xasprintf(&path, "/accounts/%s/cfd_tunnel?is_deleted=false",
	    f->account);
	all = cf_all(f, cl, "cloudflare_list_tunnels", path, 50, kind, cause);
	free(path);
	if (all == NULL)
		return (NULL);
	rows = json_array();
	json_array_foreach(all, i, t)
		json_array_append_new(rows, cf_parse_tunnel(t, f->name));
	json_decref(all);
	return (rows);
}

/* Adds a day of traffic to each zone row; failures stay in the row. */
static void
cf_add_traffic(struct cf *f, struct http_client *cl, json_t *zones)
{
	json_t *row, *a;
	char *why;
	size_t i;
	int kind;

	json_array_foreach(zones, i, row) {
		why = NULL;
		a = cf_analytics(f, cl, json_string_value(json_object_get(row,
		    "id")), 1, &kind, &why);
		if (a == NULL) {
			json_object_set_new(row, "analytics_error",
			    json_string(why != NULL ? why : "failed"));
			free(why);
			continue;
		}
		json_object_set(row, "requests", json_object_get(a,
		    "requests"));
		json_object_set(row, "cached_pct", json_object_get(a,
		    "cached_pct"));
		json_object_set_new(row, "cached_ratio", json_real(
		    json_real_value(json_object_get(a, "cached_pct")) / 100));
		json_object_set(row, "bytes", json_object_get(a, "bytes"));
		json_object_set(row, "threats", json_object_get(a, "threats"));
		json_decref(a);
	}
}

/* The poller: zones with traffic, and tunnels. */
static json_t *
cf_fetch(struct cf *f, struct http_client *cl, int *kind, char **cause)
{
	json_t *zones, *tunnels = NULL, *snap;
	char *why = NULL;
	int k2;

	if ((zones = cf_zones(f, cl, "cloudflare_list_zones", kind,
	    cause)) == NULL)
		return (NULL);
	cf_add_traffic(f, cl, zones);
	snap = json_pack("{s:o}", "zones", zones);
	if (f->account != NULL) {
		tunnels = cf_tunnels(f, cl, &k2, &why);
		if (tunnels == NULL) {
			json_object_set_new(snap, "tunnels_error",
			    json_string(why));
			free(why);
		}
	}
	json_object_set_new(snap, "tunnels", tunnels != NULL ? tunnels :
	    json_array());
	return (snap);
}

/* One refresh. */
static json_t *
cf_poll(void *arg, int *kind, char **cause)
{
	struct cf *f = arg;

	if (f->poller == NULL &&
	    (f->poller = http_client_create(&f->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (cf_fetch(f, f->poller, kind, cause));
}

/* Frees an instance's state. */
static void
cf_destroy(void *arg)
{
	struct cf *f = arg;

	if (f == NULL)
		return;
	http_pool_finish(&f->pool);
	http_client_destroy(f->poller);
	pthread_mutex_destroy(&f->verify);
	free(f->name);
	free((char *)f->opts.base_url);
	free((char *)f->opts.ca_file);
	free((char *)f->opts.fingerprint);
	free(f->token);
	free(f->account);
	free(f);
}

/* Creates an instance from its [cloudflare "name"] section. */
static void *
cf_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token, *account;
	struct http_client *cl;
	struct cf *f;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL)
		url = CF_URL;
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) !=
	    0) {
		xasprintf(cause, "url: must start with https://");
		return (NULL);
	}
	if ((token = conf_get(ic, "token")) == NULL) {
		xasprintf(cause, "token: missing (an API token)");
		return (NULL);
	}
	account = conf_get(ic, "account_id");
	if (account != NULL && (strlen(account) != 32 || strspn(account,
	    "0123456789abcdef") != 32)) {
		xasprintf(cause, "account_id: must be 32 hexadecimal digits");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	f = xcalloc(1, sizeof *f);
	f->in = in;
	f->name = xstrdup(ic->name);
	http_pool_init(&f->pool, &f->opts, CF_POOL_MAX);
	pthread_mutex_init(&f->verify, NULL);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&f->opts.base_url, "%s/client/v4", base);
	free(base);
	f->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	f->opts.connect_timeout_ms = f->opts.timeout_ms < 5000 ?
	    f->opts.timeout_ms : 5000;
	f->opts.insecure = !verify;
	f->opts.max_response = 64 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		f->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		f->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	f->token = xstrdup(token);
	f->account = account != NULL ? xstrdup(account) : NULL;
	if ((cl = http_client_create(&f->opts, &why)) == NULL) {
		*cause = why;
		cf_destroy(f);
		return (NULL);
	}
	http_pool_put(&f->pool, cl);
	return (f);
}

/* A live v4 request with a pooled client, for tools. */
static json_t *
cf_call_api(struct rt_call *c, struct cf *f, const char *method,
    const char *path, const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *r;
	int kind;

	*status = 0;
	if ((cl = http_pool_get(&f->pool, cause)) == NULL)
		return (NULL);
	r = cf_api(f, cl, c->rt->tool->name, method, path, body, NULL, status,
	    &kind, cause);
	http_pool_put(&f->pool, cl);
	return (r);
}

/* Whether s is a 32-hex Cloudflare id. */
static bool
cf_is_id(const char *s)
{
	return (strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32);
}

/*
 * The zone named by the "zone" argument (a name or an id): *id and *name
 * (caller frees). 0, or -1 after failing the call.
 */
static int
cf_zone(struct rt_call *c, struct rt_instance *in, char **id, char **name)
{
	const char *zone = call_arg_str(c, "zone");
	struct cf *f = cf_of(in);
	struct read_view v;
	const json_t *row, *z;
	json_t *r;
	char *path, *esc, *why = NULL;
	long status;
	size_t i;

	*id = *name = NULL;
	read_view_snapshot(f->in, CF_MAX_AGE_S, &v);
	json_array_foreach(json_object_get(v.data, "zones"), i, row) {
		if (strcmp(json_string_value(json_object_get(row, "name")),
		    zone) == 0 || strcmp(json_string_value(json_object_get(row,
		    "id")), zone) == 0) {
			*id = xstrdup(json_string_value(json_object_get(row,
			    "id")));
			*name = xstrdup(json_string_value(json_object_get(row,
			    "name")));
			read_view_put(&v);
			return (0);
		}
	}
	read_view_put(&v);
	esc = http_escape(zone);
	if (cf_is_id(zone))
		xasprintf(&path, "/zones/%s", esc);
	else
		xasprintf(&path, "/zones?name=%s", esc);
	free(esc);
	r = cf_call_api(c, f, "GET", path, NULL, &status, &why);
	free(path);
	if (r == NULL)
		return (cf_fail_free(c, in, why));
	z = json_is_array(r) ? json_array_get(r, 0) : r;
	if (!json_is_object(z)) {
		json_decref(r);
		return (cf_fail(c, in, "no zone \"%s\"", zone));
	}
	*id = xstrdup(json_string_value(json_object_get(z, "id")));
	*name = xstrdup(json_string_value(json_object_get(z, "name")));
	json_decref(r);
	return (0);
}

/* A snapshot section list over every instance, live when too old. */
static int
cf_list_section(struct rt_call *c, const char *section)
{
	struct rt_instance **ins;
	struct http_client *cl;
	struct read_view v;
	struct cf *f;
	json_t *items, *errors, *live;
	const json_t *rows;
	const char *status = call_arg_str(c, "status");
	int64_t age = 0;
	char *why;
	size_t n, i, nerr = 0;
	int kind;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		f = cf_of(ins[i]);
		why = NULL;
		live = NULL;
		read_view_snapshot(f->in, call_arg_int(c, "max_age_s",
		    CF_MAX_AGE_S), &v);
		rows = json_object_get(v.data, section);
		if (strcmp(section, "tunnels") == 0 && f->account == NULL)
			why = xstrdup("account_id is not set: tunnels belong "
			    "to an account");
		else if (rows == NULL || (strcmp(section, "tunnels") == 0 &&
		    json_object_get(v.data, "tunnels_error") != NULL)) {
			if ((cl = http_pool_get(&f->pool, &why)) != NULL) {
				live = strcmp(section, "zones") == 0 ?
				    cf_zones(f, cl, c->rt->tool->name, &kind,
				    &why) : cf_tunnels(f, cl, &kind, &why);
				http_pool_put(&f->pool, cl);
			}
			rows = live;
			v.age_ms = 0;
		}
		if (why != NULL || rows == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			json_decref(live);
			read_view_put(&v);
			nerr++;
			continue;
		}
		{
			const json_t *row;
			size_t j;

			json_array_foreach(rows, j, row) {
				if (status == NULL || strcmp(status,
				    json_string_value(json_object_get(row,
				    "status"))) == 0)
					json_array_append_new(items,
					    json_deep_copy(row));
			}
		}
		if (v.age_ms > age)
			age = v.age_ms;
		json_decref(live);
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		call_fail(c, "cloudflare %s: %s", json_string_value(
		    json_object_get(json_array_get(errors, 0), "instance")),
		    json_string_value(json_object_get(json_array_get(errors, 0),
		    "error")));
		json_decref(errors);
		return (-1);
	}
	return (call_list_result(c, items, age, errors));
}

/* cloudflare_list_zones. */
static int
cf_list_zones(struct rt_call *c)
{
	return (cf_list_section(c, "zones"));
}

/* cloudflare_list_tunnels. */
static int
cf_list_tunnels(struct rt_call *c)
{
	return (cf_list_section(c, "tunnels"));
}

/* The DNS records of a zone matching query (new array), or NULL. */
static json_t *
cf_records(struct rt_call *c, struct cf *f, const char *zone_id,
    const char *zone_name, const char *query, char **cause)
{
	struct http_client *cl;
	json_t *all, *rows;
	const json_t *r;
	char *path;
	size_t i;
	int kind;

	if ((cl = http_pool_get(&f->pool, cause)) == NULL)
		return (NULL);
	xasprintf(&path, "/zones/%s/dns_records%s%s", zone_id,
	    query != NULL ? "?" : "", query != NULL ? query : "");
	all = cf_all(f, cl, c->rt->tool->name, path, 100, &kind, cause);
	free(path);
	http_pool_put(&f->pool, cl);
	if (all == NULL)
		return (NULL);
	rows = json_array();
	json_array_foreach(all, i, r)
		json_array_append_new(rows, cf_parse_dns_record(r, f->name,
		    zone_name));
	json_decref(all);
	return (rows);
}

/* A "name=X&type=Y" query from the arguments (caller frees) or NULL. */
static char *
cf_record_query(struct rt_call *c)
{
	const char *name = call_arg_str(c, "name"), *type;
	char *q = NULL, *esc;

	type = call_arg_str(c, "type");
	if (name != NULL) {
		esc = http_escape(name);
		xasprintf(&q, "name=%s", esc);
		free(esc);
	}
	if (type != NULL) {
		esc = q;
		xasprintf(&q, "%s%stype=%s", esc != NULL ? esc : "",
		    esc != NULL ? "&" : "", type);
		free(esc);
	}
	return (q);
}

/* cloudflare_list_dns_records: every page. */
static int
cf_list_dns(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *rows;
	char *id, *name, *q, *why = NULL;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	q = cf_record_query(c);
	rows = cf_records(c, cf_of(in), id, name, q, &why);
	free(q);
	free(id);
	free(name);
	if (rows == NULL)
		return (cf_fail_free(c, in, why));
	return (call_list_result(c, rows, 0, NULL));
}

/* cloudflare_create_dns_record. */
static int
cf_create_dns(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *body, *r, *row;
	const json_t *v;
	char *id, *name, *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	body = json_pack("{s:s, s:s, s:s, s:I}", "type", call_arg_str(c,
	    "type"), "name", call_arg_str(c, "name"), "content",
	    call_arg_str(c, "content"), "ttl", call_arg_int(c, "ttl", 1));
	if ((v = json_object_get(c->args, "proxied")) != NULL)
		json_object_set(body, "proxied", (json_t *)v);
	if ((v = json_object_get(c->args, "comment")) != NULL)
		json_object_set(body, "comment", (json_t *)v);
	if ((v = json_object_get(c->args, "priority")) != NULL)
		json_object_set(body, "priority", (json_t *)v);
	xasprintf(&path, "/zones/%s/dns_records", id);
	r = cf_call_api(c, cf_of(in), "POST", path, body, &status, &why);
	free(path);
	json_decref(body);
	free(id);
	if (r == NULL) {
		free(name);
		return (cf_fail_free(c, in, why));
	}
	row = cf_parse_dns_record(r, in->name, name);
	free(name);
	json_decref(r);
	return (call_ok(c, json_pack("{s:s, s:s, s:o}", "instance", in->name,
	    "status", "created", "record", row)));
}

/* cloudflare_update_dns_record: sets the content of a name (DDNS). */
static int
cf_update_dns(struct rt_call *c)
{
	struct rt_instance *in;
	const char *content = call_arg_str(c, "content");
	const char *rid = call_arg_str(c, "record_id");
	const json_t *row = NULL, *v;
	json_t *rows, *body, *r, *out;
	char *id, *name, *q, *path, *why = NULL;
	long status;
	size_t i;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (json_object_get(c->args, "type") == NULL)
		json_object_set_new(c->args, "type", json_string("A"));
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	q = cf_record_query(c);
	rows = cf_records(c, cf_of(in), id, name, q, &why);
	free(q);
	if (rows == NULL) {
		free(id);
		free(name);
		return (cf_fail_free(c, in, why));
	}
	json_array_foreach(rows, i, v) {
		if (rid == NULL || strcmp(rid, json_string_value(
		    json_object_get(v, "id"))) == 0) {
			if (row != NULL) {
				json_decref(rows);
				free(id);
				free(name);
				return (cf_fail(c, in, "several %s records "
				    "named %s: give record_id",
				    call_arg_str(c, "type"),
				    call_arg_str(c, "name")));
			}
			row = v;
		}
	}
	if (row == NULL) {
		json_decref(rows);
		free(id);
		free(name);
		return (cf_fail(c, in, "no %s record named %s (create it with "
		    "cloudflare_create_dns_record)", call_arg_str(c, "type"),
		    call_arg_str(c, "name")));
	}
	if (strcmp(json_string_value(json_object_get(row, "content")),
	    content) == 0 && json_object_get(c->args, "proxied") == NULL) {
		out = json_pack("{s:s, s:s, s:O}", "instance", in->name,
		    "status", "unchanged", "record", row);
		json_decref(rows);
		free(id);
		free(name);
		return (call_ok(c, out));
	}
	body = json_pack("{s:s}", "content", content);
	if ((v = json_object_get(c->args, "proxied")) != NULL)
		json_object_set(body, "proxied", (json_t *)v);
	xasprintf(&path, "/zones/%s/dns_records/%s", id, json_string_value(
	    json_object_get(row, "id")));
	json_decref(rows);
	r = cf_call_api(c, cf_of(in), "PATCH", path, body, &status, &why);
	free(path);
	json_decref(body);
	free(id);
	if (r == NULL) {
		free(name);
		return (cf_fail_free(c, in, why));
	}
	out = json_pack("{s:s, s:s, s:o}", "instance", in->name, "status",
	    "updated", "record", cf_parse_dns_record(r, in->name, name));
	free(name);
	json_decref(r);
	return (call_ok(c, out));
}

/*
 * Finds the record delete_dns_record targets: a new row, *zone_id (caller
 * frees), or NULL after failing the call.
 */
static json_t *
cf_delete_target(struct rt_call *c, struct rt_instance *in, char **zone_id)
{
	const char *rid = call_arg_str(c, "record_id");
	const json_t *v, *row = NULL;
	json_t *rows, *copy;
	char *name, *q, *why = NULL;
	size_t i, hits = 0;

	if (rid == NULL && call_arg_str(c, "name") == NULL) {
		call_fail(c, "arguments: give record_id, or name (and type)");
		return (NULL);
	}
	if (cf_zone(c, in, zone_id, &name) != 0)
		return (NULL);
	q = rid == NULL ? cf_record_query(c) : NULL;
	rows = cf_records(c, cf_of(in), *zone_id, name, q, &why);
	free(q);
	free(name);
	if (rows == NULL) {
		free(*zone_id);
		cf_fail_free(c, in, why);
		return (NULL);
	}
	json_array_foreach(rows, i, v) {
		if (rid == NULL || strcmp(rid, json_string_value(
		    json_object_get(v, "id"))) == 0) {
			row = v;
			hits++;
		}
	}
	if (hits != 1) {
		json_decref(rows);
		free(*zone_id);
		cf_fail(c, in, hits == 0 ? "no such DNS record" :
		    "several records match: give record_id");
		return (NULL);
	}
	copy = json_deep_copy(row);
	json_decref(rows);
	return (copy);
}

/* The dry-run preview of a delete; row stolen. */
static int
cf_delete_preview(struct rt_call *c, struct rt_instance *in,
    const char *zone_id, json_t *row)
{
	json_t *r;

	r = json_pack("{s:s, s:s, s:b, s:[{s:s, s:s+}], s:o}", "instance",
	    in->name, "status", "dry_run", "dry_run", 1, "requests", "method",
	    "DELETE", "path", "/zones/", zone_id, "target", row);
	json_object_set_new(json_array_get(json_object_get(r, "requests"), 0),
	    "path", json_sprintf("/zones/%s/dns_records/%s", zone_id,
	    json_string_value(json_object_get(row, "id"))));
	return (call_ok(c, r));
}

/* describe for cloudflare_delete_dns_record. */
static int
cf_describe_delete(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *row;
	char *zid;
	int rv;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = cf_delete_target(c, in, &zid)) == NULL)
		return (-1);
	rv = cf_delete_preview(c, in, zid, row);
	free(zid);
	return (rv);
}

/* cloudflare_delete_dns_record. */
static int
cf_delete_dns(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *row, *r;
	char *zid, *path, *why = NULL;
	long status;
	int rv;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = cf_delete_target(c, in, &zid)) == NULL)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run"))) {
		rv = cf_delete_preview(c, in, zid, row);
		free(zid);
		return (rv);
	}
	xasprintf(&path, "/zones/%s/dns_records/%s", zid, json_string_value(
	    json_object_get(row, "id")));
	free(zid);
	r = cf_call_api(c, cf_of(in), "DELETE", path, NULL, &status, &why);
	free(path);
	if (r == NULL) {
		json_decref(row);
		return (cf_fail_free(c, in, why));
	}
	json_decref(r);
	return (call_ok(c, json_pack("{s:s, s:s, s:o}", "instance", in->name,
	    "status", "deleted", "record", row)));
}

/* The purge request bodies of the arguments (new array of objects). */
static json_t *
cf_purge_bodies(struct rt_call *c)
{
	const char *kinds[] = { "files", "tags", "hosts", "prefixes" };
	json_t *bodies = json_array(), *batches, *b;
	size_t i, j;

	for (i = 0; i < 4; i++) {
		batches = cf_batches(json_object_get(c->args, kinds[i]),
		    CF_PURGE_BATCH);
		json_array_foreach(batches, j, b)
			json_array_append_new(bodies, json_pack("{s:O}",
			    kinds[i], b));
		json_decref(batches);
	}
	if (json_array_size(bodies) == 0 || json_is_true(json_object_get(
	    c->args, "everything"))) {
		json_array_clear(bodies);
		json_array_append_new(bodies, json_pack("{s:b}",
		    "purge_everything", 1));
	}
	return (bodies);
}

/* cloudflare_purge_cache (and its dry run and describe). */
static int
cf_purge_run(struct rt_call *c, bool preview)
{
	struct rt_instance *in;
	json_t *bodies, *reqs, *b, *r;
	char *id, *name, *path, *why = NULL;
	long status;
	size_t i;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	bodies = cf_purge_bodies(c);
	xasprintf(&path, "/zones/%s/purge_cache", id);
	if (preview) {
		reqs = json_array();
		json_array_foreach(bodies, i, b)
			json_array_append_new(reqs, json_pack("{s:s, s:s, s:O}",
			    "method", "POST", "path", path, "body", b));
		r = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:i}", "instance",
		    in->name, "zone", name, "zone_id", id, "status", "dry_run",
		    "dry_run", 1, "requests", reqs, "batches",
		    (int)json_array_size(bodies));
		goto done;
	}
	json_array_foreach(bodies, i, b) {
		if ((r = cf_call_api(c, cf_of(in), "POST", path, b, &status,
		    &why)) == NULL) {
			cf_fail(c, in, "purge batch %zu of %zu: %s", i + 1,
			    json_array_size(bodies), why);
			free(why);
			json_decref(bodies);
			free(path);
			free(id);
			free(name);
			return (-1);
		}
		json_decref(r);
	}
	r = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "instance", in->name,
	    "zone", name, "zone_id", id, "status", "purged", "batches",
	    (int)json_array_size(bodies), "everything", json_object_get(
	    json_array_get(bodies, 0), "purge_everything") != NULL);
done:
	json_decref(bodies);
	free(path);
	free(id);
	free(name);
	return (call_ok(c, r));
}

/* cloudflare_purge_cache. */
static int
cf_purge(struct rt_call *c)
{
	return (cf_purge_run(c, json_is_true(json_object_get(c->args,
	    "dry_run"))));
}

/* describe for cloudflare_purge_cache. */
static int
cf_describe_purge(struct rt_call *c)
{
	return (cf_purge_run(c, true));
}

/* cloudflare_get_zone_analytics: GraphQL over a window of days. */
static int
cf_get_analytics(struct rt_call *c)
{
	struct rt_instance *in;
	struct http_client *cl;
	json_t *a;
	char *id, *name, *why = NULL;
	int kind, days = (int)call_arg_int(c, "days", 1);

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	if ((cl = http_pool_get(&cf_of(in)->pool, &why)) == NULL) {
		free(id);
		free(name);
		return (cf_fail_free(c, in, why));
	}
	a = cf_analytics(cf_of(in), cl, id, days, &kind, &why);
	http_pool_put(&cf_of(in)->pool, cl);
	if (a == NULL) {
		free(id);
		free(name);
		return (cf_fail_free(c, in, why));
	}
	json_object_set_new(a, "instance", json_string(in->name));
	json_object_set_new(a, "zone", json_string(name));
	json_object_set_new(a, "zone_id", json_string(id));
	json_object_set_new(a, "days_requested", json_integer(days));
	free(id);
	free(name);
	return (call_ok(c, a));
}

/*
 * The custom-rules entrypoint ruleset of a zone (new reference), json_null()
 * when it does not exist yet, or NULL with *cause.
 */
static json_t *
cf_entrypoint(struct rt_call *c, struct cf *f, const char *zone_id,
    char **cause)
{
	json_t *r;
	char *path;
	long status;

	xasprintf(&path, "/zones/%s/rulesets/phases/"
	    "http_request_firewall_custom/entrypoint", zone_id);
	r = cf_call_api(c, f, "GET", path, NULL, &status, cause);
	free(path);
	if (r == NULL && status == 404) {
		free(*cause);
		*cause = NULL;
		return (json_null());
	}
	return (r);
}

/* cloudflare_list_firewall_rules. */
static int
cf_list_rules(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *rs, *items;
	const json_t *r;
	char *id, *name, *why = NULL;
	size_t i;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	rs = cf_entrypoint(c, cf_of(in), id, &why);
	free(id);
	if (rs == NULL) {
		free(name);
		return (cf_fail_free(c, in, why));
	}
	items = json_array();
	json_array_foreach(json_object_get(rs, "rules"), i, r)
		json_array_append_new(items, cf_parse_rule(r, in->name, name));
	free(name);
	json_decref(rs);
	return (call_list_result(c, items, 0, NULL));
}

/* cloudflare_create_firewall_rule: adds one rule, keeping the others. */
static int
cf_create_rule(struct rt_call *c)
{
	struct rt_instance *in;
	const char *desc = call_arg_str(c, "description");
	const json_t *en = json_object_get(c->args, "enabled"), *last;
	json_t *rs, *rule, *body, *r, *out;
	char *id, *name, *path, *why = NULL;
	long status;
	bool created;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (cf_zone(c, in, &id, &name) != 0)
		return (-1);
	if ((rs = cf_entrypoint(c, cf_of(in), id, &why)) == NULL) {
		free(id);
		free(name);
		return (cf_fail_free(c, in, why));
	}
	rule = json_pack("{s:s, s:s, s:b}", "action", call_arg_str(c,
	    "action"), "expression", call_arg_str(c, "expression"),
	    "enabled", en == NULL || json_is_true(en));
	if (desc != NULL)
		json_object_set_new(rule, "description", json_string(desc));
	created = json_is_null(rs);
	if (created) {
		/* No entrypoint yet: creating it with this one rule. */
		xasprintf(&path, "/zones/%s/rulesets/phases/"
		    "http_request_firewall_custom/entrypoint", id);
		body = json_pack("{s:s, s:[O]}", "description",
		    "Custom rules (created by racktop)", "rules", rule);
		r = cf_call_api(c, cf_of(in), "PUT", path, body, &status, &why);
	} else {
		xasprintf(&path, "/zones/%s/rulesets/%s/rules", id,
		    json_string_value(json_object_get(rs, "id")));
		body = json_incref(rule);
		r = cf_call_api(c, cf_of(in), "POST", path, body, &status,
		    &why);
	}
	free(path);
	json_decref(body);
	json_decref(rule);
	json_decref(rs);
	free(id);
	if (r == NULL) {
		free(name);
		return (cf_fail_free(c, in, why));
	}
	last = json_array_get(json_object_get(r, "rules"),
	    json_array_size(json_object_get(r, "rules")) - 1);
	out = json_pack("{s:s, s:s, s:s, s:O, s:b, s:i}", "instance",
	    in->name, "zone", name, "status", "created", "ruleset_id",
	    json_object_get(r, "id"), "created_ruleset", created, "rules",
	    (int)json_array_size(json_object_get(r, "rules")));
	if (last != NULL)
		json_object_set_new(out, "rule", cf_parse_rule(last, in->name,
		    name));
	free(name);
	json_decref(r);
	return (call_ok(c, out));
}

/* Schema fragments. */
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured Cloudflare instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one when " \
	"left out.\"}"
#define S_ZONE \
	"\"zone\":{\"type\":\"string\",\"pattern\":" \
	"\"^([a-f0-9]{32}|([a-zA-Z0-9][-a-zA-Z0-9]*\\\\.)+[-a-zA-Z0-9]{2,20})$\"," \
	"\"examples\":[\"example.com\",\"023e105f4ecef8ad9ca31a8372d0c353\"]," \
	"\"x-counterexamples\":[\"example\"],\"description\":\"Zone name or " \
	"zone id.\"}"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":60," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_RTYPE \
	"\"type\":{\"enum\":[\"A\",\"AAAA\",\"CNAME\",\"TXT\",\"MX\",\"NS\"," \
	"\"SRV\",\"CAA\",\"PTR\"],\"description\":\"Record type.\"}"
#define S_RNAME \
	"\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255," \
	"\"description\":\"Full record name, e.g. home.example.com.\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the requests it would make and do nothing.\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define RECORD_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"zone\",\"id\"," \
	"\"type\",\"name\",\"content\"],\"properties\":{\"instance\":" S_STR \
	",\"zone\":" S_STR ",\"id\":" S_STR ",\"type\":" S_STR ",\"name\":" \
	S_STR ",\"content\":" S_STR ",\"ttl\":" S_INT ",\"proxied\":" S_BOOL \
	",\"comment\":" S_STR ",\"modified_on\":" S_STR "}}"
#define ZONE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"status\"],\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR \
	",\"name\":" S_STR ",\"status\":" S_STR ",\"paused\":" S_BOOL \
	",\"plan\":" S_STR ",\"account\":" S_STR ",\"requests\":" S_INT \
	",\"cached_pct\":" S_NUM ",\"cached_ratio\":" S_NUM ",\"bytes\":" \
	S_INT ",\"threats\":" S_INT ",\"analytics_error\":" S_STR "}}"
#define TUNNEL_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"status\",\"connections\"],\"properties\":{\"instance\":" S_STR \
	",\"id\":" S_STR ",\"name\":" S_STR ",\"status\":{\"enum\":" \
	"[\"inactive\",\"degraded\",\"healthy\",\"down\"]},\"type\":" S_STR \
	",\"connections\":" S_INT ",\"colos\":{\"type\":\"array\",\"items\":" \
	S_STR "},\"client_version\":" S_STR ",\"created_at\":" S_STR \
	",\"conns_active_at\":{\"type\":[\"string\",\"null\"]}}}"
#define RULE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"zone\",\"id\"," \
	"\"action\",\"expression\",\"enabled\"],\"properties\":{\"instance\":" \
	S_STR ",\"zone\":" S_STR ",\"id\":" S_STR ",\"action\":" S_STR \
	",\"expression\":" S_STR ",\"description\":" S_STR ",\"enabled\":" \
	S_BOOL ",\"last_updated\":" S_STR "}}"
#define RECORD_RESULT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"status\"," \
	"\"record\"],\"properties\":{\"instance\":" S_STR ",\"status\":" \
	"{\"enum\":[\"created\",\"updated\",\"unchanged\",\"deleted\"]}," \
	"\"record\":" RECORD_ITEM "}}"
#define PURGE_LIST(k, d) \
	"\"" k "\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":10000," \
	"\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":2048}," \
	"\"description\":\"" d "\"}"

static const struct rt_tool cf_tools[] = {
	{
	    .name = "cloudflare_list_zones",
	    .title = "List Cloudflare zones",
	    .description = "Every zone the API token can read (all pages "
		"followed), with status, plan and a day of traffic: "
		"requests, cached share, bandwidth and threats.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"status\":{\"enum\":"
		"[\"initializing\",\"pending\",\"active\",\"moved\"]},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ZONE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_list_zones,
	},
	{
	    .name = "cloudflare_list_dns_records",
	    .title = "List Cloudflare DNS records",
	    .description = "DNS records of a zone (all pages followed): type, "
		"name, content, TTL, proxied. Filter by exact name or type.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\"],\"properties\":{" S_INSTANCE
		"," S_ZONE "," S_RTYPE "," S_RNAME "," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(RECORD_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_list_dns,
	},
	{
	    .name = "cloudflare_create_dns_record",
	    .title = "Create a Cloudflare DNS record",
	    .description = "Adds a DNS record to a zone: type, full name, "
		"content, TTL (1 is automatic), proxied through Cloudflare or "
		"not, and an optional comment.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\",\"type\",\"name\",\"content\"],"
		"\"properties\":{" S_INSTANCE "," S_ZONE "," S_RTYPE ","
		S_RNAME ",\"content\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":4096,\"description\":\"Address, target or "
		"text.\"},\"ttl\":{\"type\":\"integer\",\"minimum\":1,"
		"\"maximum\":86400,\"default\":1,\"description\":\"Seconds; 1 "
		"is automatic.\"},\"proxied\":{\"type\":\"boolean\"},"
		"\"priority\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":"
		"65535,\"description\":\"MX priority.\"},\"comment\":{\"type\":"
		"\"string\",\"maxLength\":100}}}",
	    .output_schema = RECORD_RESULT,
	    .flags = RT_OPEN_WORLD,
	    .call = cf_create_dns,
	},
	{
	    .name = "cloudflare_update_dns_record",
	    .title = "Set a Cloudflare DNS record",
	    .description = "Dynamic DNS: sets the content of the record of "
		"that name and type (A by default), e.g. the home address. "
		"Unchanged when it already holds it.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\",\"name\",\"content\"],"
		"\"properties\":{" S_INSTANCE "," S_ZONE "," S_RNAME ","
		S_RTYPE ",\"content\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":4096},\"proxied\":{\"type\":\"boolean\"},"
		"\"record_id\":{\"type\":\"string\",\"pattern\":"
		"\"^[a-f0-9]{32}$\",\"examples\":"
		"[\"372e67954025e0ba6aaa6d586b9e0b59\"],\"x-counterexamples\":"
		"[\"www\"],\"description\":\"Which record, when several share "
		"the name.\"}}}",
	    .output_schema = RECORD_RESULT,
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_update_dns,
	},
	{
	    .name = "cloudflare_delete_dns_record",
	    .title = "Delete a Cloudflare DNS record",
	    .description = "Removes a DNS record, named by record_id or by "
		"name and type.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\"],\"properties\":{" S_INSTANCE
		"," S_ZONE "," S_RNAME "," S_RTYPE ",\"record_id\":{\"type\":"
		"\"string\",\"pattern\":\"^[a-f0-9]{32}$\",\"examples\":"
		"[\"372e67954025e0ba6aaa6d586b9e0b59\"],\"x-counterexamples\":"
		"[\"www\"]}," S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"status\"],\"properties\":{\"instance\":" S_STR ",\"status\":"
		"{\"enum\":[\"deleted\",\"dry_run\"]},\"record\":" RECORD_ITEM
		",\"dry_run\":" S_BOOL ",\"requests\":{\"type\":\"array\"},"
		"\"target\":" RECORD_ITEM "}}",
	    .flags = RT_DESTRUCTIVE | RT_OPEN_WORLD,
	    .call = cf_delete_dns,
	    .describe = cf_describe_delete,
	},
	{
	    .name = "cloudflare_list_tunnels",
	    .title = "List Cloudflare tunnels",
	    .description = "The account's Cloudflare Tunnels (cfd_tunnel): "
		"health (healthy, degraded, down, inactive), how many "
		"connections and to which data centres. Needs account_id.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"status\":{\"enum\":"
		"[\"inactive\",\"degraded\",\"healthy\",\"down\"]},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(TUNNEL_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_list_tunnels,
	},
	{
	    .name = "cloudflare_purge_cache",
	    .title = "Purge the Cloudflare cache",
	    .description = "Purges a zone's cache: everything (the default "
		"when no list is given), or the given files (URLs), cache "
		"tags, hosts or prefixes, sent in batches of at most 100.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\"],\"properties\":{" S_INSTANCE
		"," S_ZONE ",\"everything\":{\"type\":\"boolean\","
		"\"description\":\"Purge everything.\"},"
		PURGE_LIST("files", "URLs to purge.") ","
		PURGE_LIST("tags", "Cache-Tag values.") ","
		PURGE_LIST("hosts", "Host names.") ","
		PURGE_LIST("prefixes", "URL prefixes without scheme.") ","
		S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"zone\",\"status\",\"batches\"],\"properties\":{\"instance\":"
		S_STR ",\"zone\":" S_STR ",\"zone_id\":" S_STR ",\"status\":"
		"{\"enum\":[\"purged\",\"dry_run\"]},\"batches\":" S_INT
		",\"everything\":" S_BOOL ",\"dry_run\":" S_BOOL
		",\"requests\":{\"type\":\"array\"}}}",
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_purge,
	    .describe = cf_describe_purge,
	},
	{
	    .name = "cloudflare_get_zone_analytics",
	    .title = "Cloudflare zone traffic",
	    .description = "A zone's traffic over the last days from the "
		"GraphQL Analytics API: requests, cached requests and share, "
		"bandwidth, threats and page views, in total and per day.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\"],\"properties\":{" S_INSTANCE
		"," S_ZONE ",\"days\":{\"type\":\"integer\",\"minimum\":1,"
		"\"maximum\":365,\"default\":1,\"description\":\"The window, "
		"in days back from today.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"zone\",\"requests\",\"cached_pct\",\"bytes\",\"threats\"],"
		"\"properties\":{\"instance\":" S_STR ",\"zone\":" S_STR
		",\"zone_id\":" S_STR ",\"requests\":" S_INT
		",\"cached_requests\":" S_INT ",\"cached_pct\":" S_NUM
		",\"bytes\":" S_INT ",\"cached_bytes\":" S_INT ",\"threats\":"
		S_INT ",\"page_views\":" S_INT ",\"days_requested\":" S_INT
		",\"days\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
		"\"properties\":{\"date\":" S_STR ",\"requests\":" S_INT
		",\"cached_requests\":" S_INT ",\"bytes\":" S_INT ",\"threats\":"
		S_INT "}}}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_get_analytics,
	},
	{
	    .name = "cloudflare_list_firewall_rules",
	    .title = "List Cloudflare custom rules",
	    .description = "The zone's WAF custom rules: the rules of the "
		"http_request_firewall_custom phase entrypoint ruleset "
		"(empty when it does not exist yet).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\"],\"properties\":{" S_INSTANCE
		"," S_ZONE "," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(RULE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = cf_list_rules,
	},
	{
	    .name = "cloudflare_create_firewall_rule",
	    .title = "Add a Cloudflare custom rule",
	    .description = "Adds a WAF custom rule (expression and action) to "
		"the zone, keeping the existing rules; creates the phase "
		"entrypoint ruleset when the zone has none yet.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"zone\",\"expression\",\"action\"],"
		"\"properties\":{" S_INSTANCE "," S_ZONE ",\"expression\":{"
		"\"type\":\"string\",\"minLength\":1,\"maxLength\":4096,"
		"\"description\":\"Rules language, e.g. (ip.src.country eq "
		"\\\"XX\\\").\"},\"action\":{\"enum\":[\"block\","
		"\"managed_challenge\",\"js_challenge\",\"challenge\",\"log\","
		"\"skip\"]},\"description\":{\"type\":\"string\",\"maxLength\":"
		"500},\"enabled\":{\"type\":\"boolean\",\"default\":true}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"zone\",\"status\",\"ruleset_id\",\"created_ruleset\"],"
		"\"properties\":{\"instance\":" S_STR ",\"zone\":" S_STR
		",\"status\":{\"const\":\"created\"},\"ruleset_id\":" S_STR
		",\"created_ruleset\":" S_BOOL ",\"rules\":" S_INT ",\"rule\":"
		RULE_ITEM "}}",
	    .flags = RT_OPEN_WORLD,
	    .call = cf_create_rule,
	},
	{ .name = NULL },
};

static const struct rt_column cf_tunnel_columns[] = {
	{ "Tunnel", "/name", RT_COL_TEXT, 0 },
	{ "Health", "/status", RT_COL_STATE, 9 },
	{ "Conns", "/connections", RT_COL_NUMBER, 5 },
	{ "Version", "/client_version", RT_COL_TEXT, 10 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_column cf_zone_columns[] = {
	{ "Zone", "/name", RT_COL_TEXT, 0 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "Requests", "/requests", RT_COL_NUMBER, 9 },
	{ "Cached", "/cached_ratio", RT_COL_PERCENT, 7 },
	{ "Bandwidth", "/bytes", RT_COL_BYTES, 9 },
	{ "Threats", "/threats", RT_COL_NUMBER, 7 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey cf_zone_keys[] = {
	{ 'P', "purge", "cloudflare_purge_cache",
	    "{\"instance\":\"/instance\",\"zone\":\"/name\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_view cf_views[] = {
	{ "tunnels", "Tunnels", "/tunnels", cf_tunnel_columns,
	    NULL },
	{ "zones", "Zone traffic (24 h)", "/zones", cf_zone_columns,
	    cf_zone_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service cloudflare_service = {
	.name = "cloudflare",
	.title = "Cloudflare",
	.tools = cf_tools,
	.views = cf_views,
	.refresh_s = CF_REFRESH_S,
	.create = cf_create,
	.destroy = cf_destroy,
	.poll = cf_poll,
	.problems = cloudflare_problems,
};
