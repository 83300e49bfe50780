/*
 * UniFi Network backend: transport (HTTP through core/http; an API key,
 * or a UniFi OS or classic controller login), the poller (clients,
 * devices and health per refresh) and the unifi_* tools. Parsing lives in
 * unifi-parse.c.
 *
 * Auth, decided once per instance:
 *   api_key        X-API-KEY on UniFi OS (Network 9+). Clients and devices
 *                  come from the Integration API (/proxy/network/
 *                  integration/v1, sites by UUID). The first classic
 *                  request (the poller's stat/health) probes whether the
 *                  key also opens the classic endpoints that health,
 *                  block, kick, vouchers, WLANs and firewall rules need;
 *                  when it does not, those say a local account is needed
 *                  and reboot restarts through the Integration API.
 *   user+password  POST /api/auth/login (UniFi OS: TOKEN cookie, whose JWT
 *                  payload carries the CSRF token, paths under
 *                  /proxy/network) or, when that is 404, POST /api/login
 *                  (classic: unifises + csrf_token cookies, no prefix).
 *                  Writes send X-CSRF-Token. A 401, or a 403 for the
 *                  CSRF token (the console renewed it), logs in again
 *                  once.
 *
 * DESIGN
 * Owner: one struct unifi per configured instance, created and destroyed
 * on the main thread. The poller thread uses u->poller alone; tool calls
 * run on any worker and borrow a client from u->pool (an http_pool).
 * The session (mode, cookie, CSRF token, the key's classic
 * verdict, the Integration API site id) sits behind u->login, which also
 * makes logins run one at a time.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/http.h"
#include "core/jsonfast.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "services/unifi.h"

#define UNIFI_REFRESH_S 10
#define UNIFI_MAX_AGE_S 15	/* default max_age_s of reads */
#define UNIFI_LOCATE_AGE_S 30	/* how old a target's state may be */
#define UNIFI_POOL_MAX 4
#define UNIFI_PAGE 200		/* the Integration API's largest page */
#define UNIFI_PREFIX "/proxy/network"

/* How the instance talks to the controller. */
enum unifi_mode {
	UNIFI_UNKNOWN,		/* session: not logged in yet */
	UNIFI_KEY,		/* X-API-KEY on UniFi OS */
	UNIFI_OS,		/* session on UniFi OS */
	UNIFI_CLASSIC,		/* session on a classic controller */
};

/* Which API a path belongs to. */
enum unifi_api {
	UNIFI_API_CLASSIC,	/* /api/s/{site}/...: the meta envelope */
	UNIFI_API_V2,		/* /v2/api/site/{site}/...: plain JSON */
	UNIFI_API_INT,		/* /integration/v1/...: plain JSON */
	UNIFI_API_LOGIN,	/* /api/auth/login, /api/login: no prefix */
};

struct unifi {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	char *site;
	char *key_hdr;		/* "X-API-KEY: ..." */
	char *user;
	char *password;

	pthread_mutex_t login;	/* one login at a time; guards below */
	enum unifi_mode mode;
	char *cookie_hdr;	/* "Cookie: ..." */
	char *csrf_hdr;		/* "X-CSRF-Token: ..." or NULL */
	unsigned gen;
	int classic;		/* key mode: -1 unknown, 0 closed, 1 open */
	char *site_id;		/* Integration API site UUID */

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;	/* the poller thread's own */
};

/* The state of an instance. */
static struct unifi *
unifi_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "unifi NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
unifi_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "unifi %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* The error text of an answer's body: meta.msg, message or error. */
static const char *
unifi_body_msg(const json_t *j)
{
	const char *m;

	if ((m = json_string_value(json_object_get(json_object_get(j, "meta"),
	    "msg"))) != NULL)
		return (m);
	if ((m = json_string_value(json_object_get(j, "message"))) != NULL)
		return (m);
	return (json_string_value(json_object_get(j, "error")));
}

/*
 * One HTTP exchange with JSON in and out. Returns the parsed body (new
 * reference; json_null() when empty) for any status, with *status set,
 * or NULL with *cause (caller frees) when no JSON answer arrived.
 * cookies (may be NULL) receives the Set-Cookie pairs joined by "; ".
 */
static json_t *
unifi_http(struct http_client *cl, const char *method, const char *path,
    const char *const *extra, const json_t *body, long *status,
    char **cookies, char **cause)
{
	struct http_response resp;
	const char *hdrs[6];
	json_error_t err;
	json_t *j;
	char *text = NULL, *tmp;
	size_t n = 0, i;
	int rc;

	*status = 0;
	hdrs[n++] = "Accept: application/json";
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	for (i = 0; extra != NULL && extra[i] != NULL && n < 5; i++)
		hdrs[n++] = extra[i];
	hdrs[n] = NULL;
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	rc = http_request(cl, method, path, hdrs, text, text != NULL ?
	    strlen(text) : 0, &resp, cause);
	free(text);
	if (rc != 0)
		return (NULL);
	*status = resp.status;
	if (cookies != NULL) {
		*cookies = NULL;
		for (i = 0; i < resp.nset_cookies; i++) {
			xasprintf(&tmp, "%s%s%s", *cookies != NULL ? *cookies :
			    "", *cookies != NULL ? "; " : "",
			    resp.set_cookies[i]);
			free(*cookies);
			*cookies = tmp;
		}
	}
	if (resp.len == 0) {
		http_response_free(&resp);
		return (json_null());
	}
	j = jsonfast_load(resp.body, resp.len, 0, &err);
	http_response_free(&resp);
	if (j == NULL) {
		if (*status >= 200 && *status < 300)
			xasprintf(cause, "%s %s: invalid JSON in response: %s "
			    "(line %d, column %d)", method, path, err.text,
			    err.line, err.column);
		else
			xasprintf(cause, "%s %s: HTTP %ld", method, path,
			    *status);
		if (cookies != NULL) {
			free(*cookies);
			*cookies = NULL;
		}
		return (NULL);
	}
	return (j);
}

/* The value of cookie name in a "a=b; c=d" list (caller frees), or NULL. */
static char *
unifi_cookie_value(const char *cookies, const char *name)
{
	const char *p = cookies;
	size_t len = strlen(name), n;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		n = strcspn(p, ";");
		if (n > len && strncmp(p, name, len) == 0 && p[len] == '=')
			return (xstrndup(p + len + 1, n - len - 1));
		p += n;
	}
	return (NULL);
}

/* Logs in (UniFi OS, else classic); called with u->login held. */
static int
unifi_login(struct unifi *u, struct http_client *cl, int *kind, char **cause)
{
	json_t *body, *j;
	char *cookies = NULL, *why = NULL, *v;
	const char *path;
	long status;
	int os;

	body = json_pack("{s:s, s:s, s:b}", "username", u->user, "password",
	    u->password, "remember", 0);
	for (os = u->mode == UNIFI_CLASSIC ? 0 : 1; os >= 0; os--) {
		path = os ? "/api/auth/login" : "/api/login";
		j = unifi_http(cl, "POST", path, NULL, body, &status, &cookies,
		    &why);
		if (j == NULL && status == 0) {
			json_decref(body);
			*kind = RT_ERR_UNREACHABLE;
			*cause = why;
			return (-1);
		}
		/* Not UniFi OS: a classic controller has no /api/auth. */
		if (os && status == 404) {
			json_decref(j);
			free(why);
			free(cookies);
			why = cookies = NULL;
			continue;
		}
		break;
	}
	json_decref(body);
	if (status == 400 || status == 401 || status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "POST %s: HTTP %ld: authentication failure — "
		    "check user and password", path, status);
		json_decref(j);
		free(why);
		free(cookies);
		return (-1);
	}
	if (j == NULL || status < 200 || status > 299 || cookies == NULL) {
		*kind = RT_ERR_UPSTREAM;
		if (why == NULL)
			xasprintf(&why, "POST %s: HTTP %ld%s", path, status,
			    cookies == NULL && status / 100 == 2 ?
			    ": no session cookie in the answer" : "");
		*cause = why;
		json_decref(j);
		free(cookies);
		return (-1);
	}
	json_decref(j);
	free(u->cookie_hdr);
	free(u->csrf_hdr);
	u->csrf_hdr = NULL;
	xasprintf(&u->cookie_hdr, "Cookie: %s", cookies);
	if (os) {
		u->mode = UNIFI_OS;
		v = unifi_jwt_csrf((why = unifi_cookie_value(cookies,
		    "TOKEN")));
		free(why);
	} else {
		u->mode = UNIFI_CLASSIC;
		v = unifi_cookie_value(cookies, "csrf_token");
	}
	if (v != NULL)
		xasprintf(&u->csrf_hdr, "X-CSRF-Token: %s", v);
	free(v);
	free(cookies);
	u->gen++;
	return (0);
}

/*
 * The auth header lines for a request (caller frees both; *csrf may be
 * NULL) and the path prefix. stale_gen names a session that was refused,
 * to log in again; *gen receives the session used.
 */
static int
unifi_auth(struct unifi *u, struct http_client *cl, unsigned stale_gen,
    char **auth, char **csrf, const char **prefix, unsigned *gen, int *kind,
    char **cause)
{
	*auth = *csrf = NULL;
	*gen = 0;
	*prefix = UNIFI_PREFIX;
	if (u->key_hdr != NULL) {
		*auth = xstrdup(u->key_hdr);
		return (0);
	}
	pthread_mutex_lock(&u->login);
	if (u->cookie_hdr != NULL && u->gen == stale_gen) {
		free(u->cookie_hdr);
		u->cookie_hdr = NULL;
	}
	if (u->cookie_hdr == NULL && unifi_login(u, cl, kind, cause) != 0) {
		pthread_mutex_unlock(&u->login);
		return (-1);
	}
	*auth = xstrdup(u->cookie_hdr);
	if (u->csrf_hdr != NULL)
		*csrf = xstrdup(u->csrf_hdr);
	if (u->mode == UNIFI_CLASSIC)
		*prefix = "";
	*gen = u->gen;
	pthread_mutex_unlock(&u->login);
	return (0);
}

/* The key's verdict on the classic endpoints (-1, 0, 1). */
static int
unifi_classic_get(struct unifi *u)
{
	int v;

	if (u->key_hdr == NULL)
		return (1);
	pthread_mutex_lock(&u->login);
	v = u->classic;
	pthread_mutex_unlock(&u->login);
	return (v);
}

/* Records the key's verdict on the classic endpoints. */
static void
unifi_classic_set(struct unifi *u, int v)
{
	pthread_mutex_lock(&u->login);
	if (u->classic != v && v == 0)
		log_info("unifi %s: the API key does not open the classic "
		    "endpoints", u->name);
	u->classic = v;
	pthread_mutex_unlock(&u->login);
}

/*
 * Whether an answer is a write refused for its CSRF token: 403 with
 * api.err.InvalidCSRFToken (classic controllers and the Network
 * application behind UniFi OS say so in meta.msg).
 */
static bool
unifi_csrf_refused(const char *method, long status, const json_t *j)
{
	const char *m = unifi_body_msg(j);

	return (status == 403 && strcmp(method, "GET") != 0 && m != NULL &&
	    strstr(m, "CSRF") != NULL);
}

#define UNIFI_NEEDS_ACCOUNT "the API key does not open the classic " \
	"endpoints this needs; configure a local account (user and password)"

/*
 * One API request. path is below the API's root: "/api/s/default/..."
 * for classic and v2, "/integration/v1/..." for the Integration API.
 * Returns the classic envelope's data array or the whole v2/Integration
 * body (new reference), or NULL with *kind and *cause (caller frees),
 * which never hold a credential. *status (may be NULL) gets the status.
 */
static json_t *
unifi_req(struct unifi *u, struct http_client *cl, const char *method,
    enum unifi_api api, const char *path, const json_t *body, long *status,
    int *kind, char **cause)
{
	const char *hdrs[3], *prefix;
	const json_t *data;
	char *auth, *csrf, *full, *why = NULL;
	unsigned gen, stale = 0;
	json_t *j = NULL;
	long st = 0;
	int attempt, n;
	bool csrf_sent = false;

	if (status != NULL)
		*status = 0;
	if (api != UNIFI_API_INT && unifi_classic_get(u) == 0) {
		*kind = RT_ERR_AUTH;
		*cause = xstrdup(UNIFI_NEEDS_ACCOUNT);
		return (NULL);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (unifi_auth(u, cl, stale, &auth, &csrf, &prefix, &gen, kind,
		    cause) != 0)
			return (NULL);
		n = 0;
		hdrs[n++] = auth;
		csrf_sent = csrf != NULL;
		if (csrf != NULL && strcmp(method, "GET") != 0)
			hdrs[n++] = csrf;
		hdrs[n] = NULL;
		xasprintf(&full, "%s%s", prefix, path);
		j = unifi_http(cl, method, full, hdrs, body, &st, NULL, &why);
		free(full);
		free(auth);
		free(csrf);
		/*
		 * A session may have expired, or its CSRF token been renewed
		 * by the console: log in once more.
		 */
		if (u->key_hdr == NULL && attempt == 0 && (st == 401 ||
		    unifi_csrf_refused(method, st, j))) {
			json_decref(j);
			j = NULL;
			free(why);
			why = NULL;
			stale = gen;
			continue;
		}
		break;
	}
	if (status != NULL)
		*status = st;
	if (st == 0) {
		*kind = RT_ERR_UNREACHABLE;
		*cause = why;
		return (NULL);
	}
	if (u->key_hdr != NULL && api != UNIFI_API_INT) {
		/* The probe: what the key does on a classic endpoint. */
		if (st == 401 || st == 403) {
			unifi_classic_set(u, 0);
			free(why);
			json_decref(j);
			*kind = RT_ERR_AUTH;
			*cause = xstrdup(UNIFI_NEEDS_ACCOUNT);
			return (NULL);
		}
		if (st / 100 == 2)
			unifi_classic_set(u, 1);
	}
	if (j == NULL) {
		*kind = RT_ERR_UPSTREAM;
		*cause = why;
		return (NULL);
	}
	if (unifi_csrf_refused(method, st, j)) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "%s %s: HTTP %ld: %s — the controller refused "
		    "the session's CSRF token%s", method, path, st,
		    unifi_body_msg(j), csrf_sent ? "" : " (its login answer "
		    "carried none)");
		json_decref(j);
		return (NULL);
	}
	if (st == 401 || st == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "%s %s: HTTP %ld: authentication failure — "
		    "check %s", method, path, st, u->key_hdr != NULL ?
		    "api_key" : "user and password");
		json_decref(j);
		return (NULL);
	}
	if (st / 100 != 2) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %s: HTTP %ld%s%.200s", method, path, st,
		    unifi_body_msg(j) != NULL ? ": " : "", unifi_body_msg(j) !=
		    NULL ? unifi_body_msg(j) : "");
		json_decref(j);
		return (NULL);
	}
	if (api != UNIFI_API_CLASSIC)
		return (j);
	if ((data = unifi_envelope_data(j, &why)) == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %s: %s", method, path, why);
		free(why);
		json_decref(j);
		return (NULL);
	}
	json_incref((json_t *)data);
	json_decref(j);
	return ((json_t *)data);
}

/* "/api/s/SITE" + rest, the site escaped (caller frees). */
static char *unifi_site_path(struct unifi *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static char *
unifi_site_path(struct unifi *u, const char *fmt, ...)
{
	va_list ap;
	char *esc, *rest, *path;

	esc = http_escape(u->site);
	va_start(ap, fmt);
	xvasprintf(&rest, fmt, ap);
	va_end(ap);
	xasprintf(&path, "/api/s/%s%s", esc, rest);
	free(esc);
	free(rest);
	return (path);
}

/* A classic request on the site; new reference, or NULL and *cause. */
static json_t *
unifi_site_req(struct unifi *u, struct http_client *cl, const char *method,
    const char *rest, const json_t *body, int *kind, char **cause)
{
	char *path;
	json_t *d;

	path = unifi_site_path(u, "%s", rest);
	d = unifi_req(u, cl, method, UNIFI_API_CLASSIC, path, body, NULL,
	    kind, cause);
	free(path);
	return (d);
}

/*
 * Every page of an Integration API list below the site (new array), or
 * NULL and *cause.
 */
static json_t *
unifi_int_list(struct unifi *u, struct http_client *cl, const char *what,
    int *kind, char **cause)
{
	json_t *all = json_array(), *j;
	json_int_t total = 0, off = 0;
	char *path, *esc;

	esc = http_escape(u->site_id);
	do {
		xasprintf(&path, "/integration/v1/sites/%s/%s?offset=%lld&"
		    "limit=%d", esc, what, (long long)off, UNIFI_PAGE);
		j = unifi_req(u, cl, "GET", UNIFI_API_INT, path, NULL, NULL,
		    kind, cause);
		free(path);
		if (j == NULL || !json_is_array(json_object_get(j, "data"))) {
			if (j != NULL) {
				*kind = RT_ERR_UPSTREAM;
				xasprintf(cause, "GET /integration/v1/sites/%s/%s:"
				    " unexpected answer: no data array", esc,
				    what);
			}
			json_decref(j);
			json_decref(all);
			free(esc);
			return (NULL);
		}
		json_array_extend(all, json_object_get(j, "data"));
		total = json_integer_value(json_object_get(j, "totalCount"));
		off += (json_int_t)json_array_size(json_object_get(j, "data"));
		if (json_array_size(json_object_get(j, "data")) == 0)
			off = total;
		json_decref(j);
	} while (off < total);
	free(esc);
	return (all);
}

/* The Integration API site id, fetched once; 0, or -1 and *cause. */
static int
unifi_site_id(struct unifi *u, struct http_client *cl, int *kind,
    char **cause)
{
	const char *id;
	json_t *j;

	pthread_mutex_lock(&u->login);
	id = u->site_id;
	pthread_mutex_unlock(&u->login);
	if (id != NULL)
		return (0);
	if ((j = unifi_req(u, cl, "GET", UNIFI_API_INT,
	    "/integration/v1/sites?offset=0&limit=200", NULL, NULL, kind,
	    cause)) == NULL)
		return (-1);
	if ((id = unifi_int_site_id(json_object_get(j, "data"), u->site)) ==
	    NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET /integration/v1/sites: no site with the "
		    "internal reference \"%s\" (the site key)", u->site);
		json_decref(j);
		return (-1);
	}
	pthread_mutex_lock(&u->login);
	if (u->site_id == NULL)
		u->site_id = xstrdup(id);
	pthread_mutex_unlock(&u->login);
	json_decref(j);
	return (0);
}

/* The "site" object of a snapshot. */
static json_t *
unifi_site_json(struct unifi *u)
{
	const char *auth;
	json_t *s;

	pthread_mutex_lock(&u->login);
	auth = u->mode == UNIFI_KEY ? "api_key" : u->mode == UNIFI_OS ?
	    "unifi_os" : "classic";
	s = json_pack("{s:s, s:s, s:b}", "name", u->site, "auth", auth,
	    "classic", u->key_hdr == NULL || u->classic == 1);
	if (u->site_id != NULL)
		json_object_set_new(s, "id", json_string(u->site_id));
	pthread_mutex_unlock(&u->login);
	return (s);
}

/* Fetches clients, devices and health. New reference. */
static json_t *
unifi_fetch(struct unifi *u, struct http_client *cl, int *kind,
    char **cause)
{
	json_t *devices = NULL, *clients = NULL, *health = NULL, *d;
	char *why = NULL;
	int k;

	if (u->key_hdr != NULL) {
		if (unifi_site_id(u, cl, kind, cause) != 0)
			return (NULL);
		if ((d = unifi_int_list(u, cl, "devices", kind, cause)) ==
		    NULL)
			return (NULL);
		devices = unifi_parse_int_devices(d, u->name);
		json_decref(d);
		if ((d = unifi_int_list(u, cl, "clients", kind, cause)) ==
		    NULL)
			goto fail;
		clients = unifi_parse_int_clients(d, devices, u->name);
		json_decref(d);
	} else {
		if ((d = unifi_site_req(u, cl, "GET", "/stat/device", NULL,
		    kind, cause)) == NULL)
			return (NULL);
		devices = unifi_parse_devices(d, u->name);
		json_decref(d);
		if ((d = unifi_site_req(u, cl, "GET", "/stat/sta", NULL, kind,
		    cause)) == NULL)
			goto fail;
		clients = unifi_parse_sta(d, u->name);
		json_decref(d);
	}
	/* Health and blocked clients: classic endpoints (the key's probe). */
	if (unifi_classic_get(u) != 0) {
		d = unifi_site_req(u, cl, "GET", "/stat/health", NULL, &k, &why);
		if (d == NULL && unifi_classic_get(u) != 0) {
			*kind = k;
			*cause = why;
			goto fail;
		}
		free(why);
		why = NULL;
		if (d != NULL) {
			health = unifi_parse_health(d);
			json_decref(d);
			if ((d = unifi_site_req(u, cl, "GET", "/list/user",
			    NULL, kind, cause)) == NULL)
				goto fail;
			unifi_merge_blocked(clients, d, u->name);
			json_decref(d);
		}
	}
	unifi_link(clients, devices);
	return (json_pack("{s:o, s:o, s:o, s:o}", "site", unifi_site_json(u),
	    "clients", clients, "devices", devices, "health", health != NULL ?
	    health : json_array()));

fail:
	json_decref(devices);
	json_decref(clients);
	json_decref(health);
	return (NULL);
}

/* The poller: one refresh. */
static json_t *
unifi_poll(void *arg, int *kind, char **cause)
{
	struct unifi *u = arg;

	if (u->poller == NULL &&
	    (u->poller = http_client_create(&u->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (unifi_fetch(u, u->poller, kind, cause));
}

/* A live fetch with a pooled client, for read_view_get. */
static json_t *
unifi_view_fetch(void *arg, int *kind, char **cause)
{
	struct unifi *u = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&u->pool, cause)) == NULL)
		return (NULL);
	j = unifi_fetch(u, cl, kind, cause);
	http_pool_put(&u->pool, cl);
	return (j);
}

/* Frees an instance's state. */
static void
unifi_destroy(void *arg)
{
	struct unifi *u = arg;

	if (u == NULL)
		return;
	http_pool_finish(&u->pool);
	http_client_destroy(u->poller);
	pthread_mutex_destroy(&u->login);
	free(u->name);
	free((char *)u->opts.base_url);
	free((char *)u->opts.ca_file);
	free((char *)u->opts.fingerprint);
	free(u->site);
	free(u->key_hdr);
	free(u->user);
	free(u->password);
	free(u->cookie_hdr);
	free(u->csrf_hdr);
	free(u->site_id);
	free(u);
}

/* Whether s is safe in a header line (no control characters). */
static bool
unifi_header_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (false);
	}
	return (true);
}

/* Creates an instance from its [unifi "name"] section. */
static void *
unifi_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *key, *user, *password, *site;
	struct http_client *cl;
	struct unifi *u;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)) {
		xasprintf(cause, "url: %s", url == NULL ? "missing (e.g. "
		    "https://192.168.1.1 or https://unifi.lan:8443)" :
		    "must start with https://");
		return (NULL);
	}
	key = conf_get(ic, "api_key");
	user = conf_get(ic, "user");
	password = conf_get(ic, "password");
	if (key == NULL && (user == NULL || password == NULL)) {
		xasprintf(cause, "set api_key, or user and password (a local "
		    "account)");
		return (NULL);
	}
	if (key != NULL && (*key == '\0' || !unifi_header_safe(key))) {
		xasprintf(cause, "api_key: not a valid key");
		return (NULL);
	}
	site = conf_get(ic, "site");
	if (site == NULL)
		site = "default";
	if (*site == '\0' || strcspn(site, "/?#% ") != strlen(site)) {
		xasprintf(cause, "site: the site's short name (e.g. default)");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	u = xcalloc(1, sizeof *u);
	u->in = in;
	u->name = xstrdup(ic->name);
	u->site = xstrdup(site);
	u->classic = -1;
	http_pool_init(&u->pool, &u->opts, UNIFI_POOL_MAX);
	pthread_mutex_init(&u->login, NULL);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	u->opts.base_url = base;
	u->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	u->opts.connect_timeout_ms = u->opts.timeout_ms < 5000 ?
	    u->opts.timeout_ms : 5000;
	u->opts.insecure = !verify;
	u->opts.max_response = 64 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		u->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		u->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	if (key != NULL) {
		xasprintf(&u->key_hdr, "X-API-KEY: %s", key);
		u->mode = UNIFI_KEY;
	} else {
		u->user = xstrdup(user);
		u->password = xstrdup(password);
	}
	/* Checks the TLS options now rather than at the first request. */
	if ((cl = http_client_create(&u->opts, &why)) == NULL) {
		*cause = why;
		unifi_destroy(u);
		return (NULL);
	}
	http_pool_put(&u->pool, cl);
	return (u);
}

/* Whether a row's string member equals want (or want is NULL). */
static bool
unifi_eq(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcmp(v, want) == 0));
}

/* Filter of unifi_list_clients. */
static bool
unifi_match_client(struct rt_call *c, const json_t *row)
{
	const char *name = call_arg_str(c, "name");
	const char *mac = call_arg_str(c, "mac");
	const json_t *blocked = json_object_get(c->args, "blocked");
	const char *v;
	char norm[UNIFI_MAC_LEN];

	if (!unifi_eq(row, "type", call_arg_str(c, "type")) ||
	    !unifi_eq(row, "network", call_arg_str(c, "network")) ||
	    !unifi_eq(row, "ip", call_arg_str(c, "ip")))
		return (false);
	if (json_is_boolean(blocked) && json_is_true(blocked) !=
	    json_is_true(json_object_get(row, "blocked")))
		return (false);
	if (mac != NULL && (unifi_mac_norm(mac, norm) != 0 ||
	    !unifi_eq(row, "mac", norm)))
		return (false);
	v = json_string_value(json_object_get(row, "name"));
	if (name != NULL && (v == NULL || strcasestr(v, name) == NULL))
		return (false);
	return (true);
}

/* Filter of unifi_list_devices. */
static bool
unifi_match_device(struct rt_call *c, const json_t *row)
{
	return (unifi_eq(row, "type", call_arg_str(c, "type")) &&
	    unifi_eq(row, "state", call_arg_str(c, "state")));
}

/* A list read over one section of the snapshot, every instance. */
static int
unifi_list(struct rt_call *c, const char *section,
    bool (*match)(struct rt_call *, const json_t *))
{
	return (read_view_list(c, UNIFI_MAX_AGE_S, unifi_view_fetch,
	    section, match));
}

/* unifi_list_clients. */
static int
unifi_list_clients(struct rt_call *c)
{
	return (unifi_list(c, "clients", unifi_match_client));
}

/* unifi_list_devices. */
static int
unifi_list_devices(struct rt_call *c)
{
	return (unifi_list(c, "devices", unifi_match_device));
}

/* A live request with a pooled client; new reference, or NULL and *cause. */
static json_t *
unifi_live(struct unifi *u, const char *method, enum unifi_api api,
    const char *path, const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *d;
	int kind;

	if ((cl = http_pool_get(&u->pool, cause)) == NULL)
		return (NULL);
	d = unifi_req(u, cl, method, api, path, body, status, &kind, cause);
	http_pool_put(&u->pool, cl);
	return (d);
}

/* A live classic request on the site; see unifi_live. */
static json_t *
unifi_live_site(struct unifi *u, const char *method, const char *rest,
    const json_t *body, char **cause)
{
	char *path;
	json_t *d;

	path = unifi_site_path(u, "%s", rest);
	d = unifi_live(u, method, UNIFI_API_CLASSIC, path, body, NULL, cause);
	free(path);
	return (d);
}

/* unifi_get_network_stats: health per subsystem, every instance. */
static int
unifi_get_network_stats(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *sites, *errors, *s, *site;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	sites = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    UNIFI_MAX_AGE_S), unifi_view_fetch, unifi_of(ins[i]), &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		site = json_object_get(v.data, "site");
		/* Copies: the snapshot's nodes are never counted. */
		s = json_pack("{s:s, s:o?, s:o?, s:I, s:I, s:I}", "instance",
		    ins[i]->name, "site", json_deep_copy(json_object_get(site,
		    "name")), "subsystems", json_deep_copy(json_object_get(
		    v.data, "health")), "clients",
		    (json_int_t)json_array_size(json_object_get(v.data,
		    "clients")), "devices", (json_int_t)json_array_size(
		    json_object_get(v.data, "devices")), "age_ms", v.age_ms);
		if (!json_is_true(json_object_get(site, "classic")))
			json_object_set_new(s, "note", json_string("health "
			    "needs the classic endpoints: " UNIFI_NEEDS_ACCOUNT));
		json_array_append_new(sites, s);
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(sites);
		return (call_fail_all(c, errors));
	}
	return (call_ok(c, json_pack("{s:o, s:o}", "sites", sites,
	    "instance_errors", errors)));
}

/* The request a write tool makes, and what it acts on. */
struct unifi_plan {
	struct rt_instance *in;
	const char *action;
	const char *method;
	enum unifi_api api;
	char *path;
	json_t *body;
	json_t *target;		/* a row, or {} */
	char *unchanged;	/* nothing to do: why */
};

/* Frees what a plan owns. */
static void
unifi_plan_free(struct unifi_plan *pl)
{
	free(pl->path);
	json_decref(pl->body);
	json_decref(pl->target);
	free(pl->unchanged);
	memset(pl, 0, sizeof *pl);
}

/* The result object of a plan with status. New reference. */
static json_t *
unifi_plan_result(struct unifi_plan *pl, const char *status)
{
	json_t *r;

	r = json_pack("{s:s, s:s, s:s, s:O}", "instance", pl->in->name,
	    "action", pl->action, "status", status, "target", pl->target !=
	    NULL ? pl->target : json_object());
	if (json_object_get(pl->target, "mac") != NULL)
		json_object_set(r, "mac", json_object_get(pl->target, "mac"));
	return (r);
}

/* The dry-run preview of a plan. */
static int
unifi_plan_preview(struct rt_call *c, struct unifi_plan *pl)
{
	json_t *r;

	r = unifi_plan_result(pl, "dry_run");
	json_object_set_new(r, "dry_run", json_true());
	json_object_set_new(r, "requests", json_pack("[{s:s, s:s, s:o}]",
	    "method", pl->method, "path", pl->path, "body", pl->body != NULL ?
	    audit_redact(pl->body) : json_object()));
	if (pl->unchanged != NULL)
		json_object_set_new(r, "message", json_string(pl->unchanged));
	unifi_plan_free(pl);
	return (call_ok(c, r));
}

/* Runs a plan: one request, then an early refresh. */
static int
unifi_plan_run(struct rt_call *c, struct unifi_plan *pl)
{
	json_t *r, *d;
	char *why = NULL;

	if (pl->unchanged != NULL) {
		r = unifi_plan_result(pl, "unchanged");
		json_object_set_new(r, "message", json_string(pl->unchanged));
		unifi_plan_free(pl);
		return (call_ok(c, r));
	}
	d = unifi_live(unifi_of(pl->in), pl->method, pl->api, pl->path,
	    pl->body, NULL, &why);
	if (d == NULL) {
		unifi_fail(c, pl->in, "%s", why);
		free(why);
		unifi_plan_free(pl);
		return (-1);
	}
	json_decref(d);
	instance_refresh_soon(pl->in);
	r = unifi_plan_result(pl, "ok");
	unifi_plan_free(pl);
	return (call_ok(c, r));
}

/* Runs or previews a plan. */
static int
unifi_plan_go(struct rt_call *c, struct unifi_plan *pl)
{
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (unifi_plan_preview(c, pl));
	return (unifi_plan_run(c, pl));
}

/*
 * Finds a row by MAC in a section of data no older than max_age_s: a new
 * copy, NULL when absent (*missing set), or NULL after failing the call.
 */
static json_t *
unifi_locate(struct rt_call *c, struct rt_instance *in, const char *section,
    const char *mac, json_int_t max_age_s, bool *missing)
{
	struct read_view v;
	const json_t *row;
	json_t *copy;
	char *why = NULL;

	*missing = false;
	if (read_view_get(in, max_age_s, unifi_view_fetch, unifi_of(in), &v,
	    &why) != 0) {
		unifi_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	row = unifi_find_mac(json_object_get(v.data, section), mac);
	if (row == NULL && v.snap != NULL) {
		/* Perhaps seen since the last refresh: look live. */
		read_view_put(&v);
		if (read_view_get(in, 0, unifi_view_fetch, unifi_of(in), &v,
		    &why) != 0) {
			unifi_fail(c, in, "%s", why);
			free(why);
			return (NULL);
		}
		row = unifi_find_mac(json_object_get(v.data, section), mac);
	}
	copy = row != NULL ? json_deep_copy(row) : NULL;
	*missing = row == NULL;
	read_view_put(&v);
	return (copy);
}

/*
 * Plans a stamgr command (block-sta, unblock-sta, kick-sta) on a client.
 * 0, or -1 after failing the call.
 */
static int
unifi_plan_client(struct rt_call *c, const char *cmd, struct unifi_plan *pl)
{
	struct rt_instance *in;
	struct unifi *u;
	char mac[UNIFI_MAC_LEN];
	bool missing, blocked;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	u = unifi_of(in);
	if (unifi_mac_norm(call_arg_str(c, "mac"), mac) != 0)
		return (call_fail(c, "arguments.mac: not a MAC address"));
	if (unifi_classic_get(u) == 0)
		return (unifi_fail(c, in, "%s", UNIFI_NEEDS_ACCOUNT));
	pl->in = in;
	pl->action = strcmp(cmd, "block-sta") == 0 ? "block" :
	    strcmp(cmd, "unblock-sta") == 0 ? "unblock" : "kick";
	pl->target = unifi_locate(c, in, "clients", mac,
	    UNIFI_LOCATE_AGE_S, &missing);
	if (pl->target == NULL && !missing)
		return (-1);
	if (pl->target == NULL) {
		/* The controller blocks any MAC, seen or not. */
		if (strcmp(cmd, "kick-sta") == 0) {
			unifi_fail(c, in, "no client with MAC %s is connected",
			    mac);
			return (-1);
		}
		pl->target = json_pack("{s:s}", "mac", mac);
	}
	blocked = json_is_true(json_object_get(pl->target, "blocked"));
	if (strcmp(cmd, "block-sta") == 0 && blocked)
		xasprintf(&pl->unchanged, "client %s is already blocked", mac);
	else if (strcmp(cmd, "unblock-sta") == 0 && !missing && !blocked)
		xasprintf(&pl->unchanged, "client %s is not blocked", mac);
	else if (strcmp(cmd, "kick-sta") == 0) {
		if (!json_is_true(json_object_get(pl->target, "online"))) {
			unifi_plan_free(pl);
			return (unifi_fail(c, in, "client %s is not connected%s",
			    mac, blocked ? " (it is blocked)" : ""));
		}
		if (unifi_eq(pl->target, "type", "wired") &&
		    json_object_get(pl->target, "type") != NULL) {
			unifi_plan_free(pl);
			return (unifi_fail(c, in, "client %s is wired; kicking "
			    "only makes wireless clients reconnect", mac));
		}
	}
	pl->method = "POST";
	pl->api = UNIFI_API_CLASSIC;
	pl->path = unifi_site_path(u, "/cmd/stamgr");
	pl->body = json_pack("{s:s, s:s}", "cmd", cmd, "mac", mac);
	return (0);
}

/* A stamgr tool: plan, then preview or run. */
static int
unifi_client_action(struct rt_call *c, const char *cmd)
{
	struct unifi_plan pl;

	if (unifi_plan_client(c, cmd, &pl) != 0)
		return (-1);
	return (unifi_plan_go(c, &pl));
}

/* unifi_block_client. */
static int
unifi_block_client(struct rt_call *c)
{
	return (unifi_client_action(c, "block-sta"));
}

/* unifi_unblock_client. */
static int
unifi_unblock_client(struct rt_call *c)
{
	return (unifi_client_action(c, "unblock-sta"));
}

/* unifi_kick_client. */
static int
unifi_kick_client(struct rt_call *c)
{
	return (unifi_client_action(c, "kick-sta"));
}

/* describe for the client tools. */
static int
unifi_describe_client(struct rt_call *c)
{
	struct unifi_plan pl;
	const char *name = c->rt->tool->name;

	if (unifi_plan_client(c, strstr(name, "_unblock_") != NULL ?
	    "unblock-sta" : strstr(name, "_block_") != NULL ? "block-sta" :
	    "kick-sta", &pl) != 0)
		return (-1);
	return (unifi_plan_preview(c, &pl));
}

/* Plans a device restart. 0, or -1 after failing the call. */
static int
unifi_plan_reboot(struct rt_call *c, struct unifi_plan *pl)
{
	struct rt_instance *in;
	struct unifi *u;
	char mac[UNIFI_MAC_LEN], *site;
	const char *id;
	bool missing;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	u = unifi_of(in);
	if (unifi_mac_norm(call_arg_str(c, "mac"), mac) != 0)
		return (call_fail(c, "arguments.mac: not a MAC address"));
	/*
	 * A key that does not open cmd/devmgr still restarts through the
	 * Integration API (RESTART, no hard reboot there).
	 */
	if (unifi_classic_get(u) == 0 && json_is_true(json_object_get(c->args,
	    "hard")))
		return (unifi_fail(c, in, "hard=true needs cmd/devmgr: %s",
		    UNIFI_NEEDS_ACCOUNT));
	pl->in = in;
	pl->action = "reboot";
	/* Decide on the state as it is now, not as last polled. */
	if ((pl->target = unifi_locate(c, in, "devices", mac, 0,
	    &missing)) == NULL) {
		if (missing)
			unifi_fail(c, in, "no adopted device with MAC %s", mac);
		return (-1);
	}
	if (!unifi_eq(pl->target, "state", "online")) {
		unifi_fail(c, in, "device %s (%s) is %s and cannot restart",
		    mac, json_string_value(json_object_get(pl->target,
		    "name")), json_string_value(json_object_get(pl->target,
		    "state")));
		unifi_plan_free(pl);
		return (-1);
	}
	pl->method = "POST";
	if (unifi_classic_get(u) == 0) {
		pthread_mutex_lock(&u->login);
		site = u->site_id != NULL ? xstrdup(u->site_id) : NULL;
		pthread_mutex_unlock(&u->login);
		id = json_string_value(json_object_get(pl->target, "id"));
		if (site == NULL || id == NULL) {
			unifi_fail(c, in, "device %s: no Integration API id "
			    "yet; try again after a refresh", mac);
			free(site);
			unifi_plan_free(pl);
			return (-1);
		}
		pl->api = UNIFI_API_INT;
		xasprintf(&pl->path, "/integration/v1/sites/%s/devices/%s/"
		    "actions", site, id);
		free(site);
		pl->body = json_pack("{s:s}", "action", "RESTART");
		return (0);
	}
	pl->api = UNIFI_API_CLASSIC;
	pl->path = unifi_site_path(u, "/cmd/devmgr");
	pl->body = json_pack("{s:s, s:s, s:s}", "cmd", "restart", "mac", mac,
	    "reboot_type", json_is_true(json_object_get(c->args, "hard")) ?
	    "hard" : "soft");
	return (0);
}

/* unifi_reboot_device. */
static int
unifi_reboot_device(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_reboot(c, &pl) != 0)
		return (-1);
	return (unifi_plan_go(c, &pl));
}

/* describe for unifi_reboot_device. */
static int
unifi_describe_reboot(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_reboot(c, &pl) != 0)
		return (-1);
	return (unifi_plan_preview(c, &pl));
}

/*
 * Which firewall a site uses: 1 zone-based (the v2 policies answer with
 * a non-empty list, whose rows go to *rows), 0 legacy, -1 and *cause.
 */
static int
unifi_firewall_kind(struct unifi *u, const char *instance, json_t **rows,
    char **cause)
{
	json_t *d;
	char *path, *esc, *why = NULL;
	long status;

	esc = http_escape(u->site);
	xasprintf(&path, "/v2/api/site/%s/firewall-policies", esc);
	free(esc);
	d = unifi_live(u, "GET", UNIFI_API_V2, path, NULL, &status, &why);
	free(path);
	if (d == NULL && status != 404) {
		*cause = why;
		return (-1);
	}
	free(why);
	if (json_is_array(d) && json_array_size(d) > 0) {
		if (rows != NULL)
			*rows = unifi_parse_fw_policies(d, instance);
		json_decref(d);
		return (1);
	}
	json_decref(d);
	return (0);
}

/* unifi_list_firewall_rules: legacy rules or zone-based policies. */
static int
unifi_list_firewall_rules(struct rt_call *c)
{
	struct rt_instance **ins;
	struct unifi *u;
	json_t *items, *errors, *rows, *d, *r;
	char *why;
	size_t n, i, j, nerr = 0;
	int zone;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		u = unifi_of(ins[i]);
		why = NULL;
		rows = NULL;
		if ((zone = unifi_firewall_kind(u, ins[i]->name, &rows,
		    &why)) == 0) {
			if ((d = unifi_live_site(u, "GET", "/rest/firewallrule",
			    NULL, &why)) != NULL) {
				rows = unifi_parse_fw_rules(d, ins[i]->name);
				json_decref(d);
			}
		}
		if (rows == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		json_array_foreach(rows, j, r) {
			json_object_set_new(r, "firewall", json_string(zone ?
			    "zone" : "legacy"));
		}
		json_array_extend(items, rows);
		json_decref(rows);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

/* An address list for a v2 policy endpoint: {zone_id, ...}. */
static json_t *
unifi_policy_end(const char *zone, const char *addr, const char *port)
{
	json_t *e;

	e = json_pack("{s:s, s:s}", "zone_id", zone, "matching_target",
	    addr != NULL ? "IP" : "ANY");
	if (addr != NULL)
		json_object_set_new(e, "ips", json_pack("[s]", addr));
	if (port != NULL) {
		json_object_set_new(e, "port_matching_type",
		    json_string("SPECIFIC"));
		json_object_set_new(e, "port", json_string(port));
	}
	return (e);
}

/* Plans a firewall rule or policy. 0, or -1 after failing the call. */
static int
unifi_plan_rule(struct rt_call *c, struct unifi_plan *pl)
{
	struct rt_instance *in;
	struct unifi *u;
	const char *action = call_arg_str(c, "action");
	const char *proto = call_arg_str(c, "protocol");
	const char *src = call_arg_str(c, "src_address");
	const char *dst = call_arg_str(c, "dst_address");
	const char *port = call_arg_str(c, "dst_port");
	const char *sz = call_arg_str(c, "src_zone");
	const char *dz = call_arg_str(c, "dst_zone");
	char *why = NULL, *esc;
	bool enabled, logging;
	int zone;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	u = unifi_of(in);
	if (unifi_classic_get(u) == 0)
		return (unifi_fail(c, in, "%s", UNIFI_NEEDS_ACCOUNT));
	if ((zone = unifi_firewall_kind(u, in->name, NULL, &why)) == -1) {
		unifi_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	enabled = !json_is_false(json_object_get(c->args, "enabled"));
	logging = json_is_true(json_object_get(c->args, "logging"));
	if (proto == NULL)
		proto = "all";
	pl->in = in;
	pl->action = "create_firewall_rule";
	pl->method = "POST";
	if (zone) {
		if (sz == NULL || dz == NULL)
			return (unifi_fail(c, in, "this site uses the "
			    "zone-based firewall: give src_zone and dst_zone "
			    "(zone ids, see unifi_list_firewall_rules)"));
		esc = http_escape(u->site);
		xasprintf(&pl->path, "/v2/api/site/%s/firewall-policies", esc);
		free(esc);
		pl->api = UNIFI_API_V2;
		pl->body = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:o, s:o, "
		    "s:{s:s}}", "name", call_arg_str(c, "name"), "action",
		    strcmp(action, "accept") == 0 ? "ALLOW" :
		    strcmp(action, "drop") == 0 ? "BLOCK" : "REJECT", "enabled",
		    enabled, "logging", logging, "protocol", proto,
		    "ip_version", "IPV4", "source", unifi_policy_end(sz, src,
		    NULL), "destination", unifi_policy_end(dz, dst, port),
		    "schedule", "mode", "ALWAYS");
		pl->target = json_pack("{s:s}", "firewall", "zone");
	} else {
		if (sz != NULL || dz != NULL)
			return (unifi_fail(c, in, "this site uses legacy "
			    "firewall rules: use ruleset, not zones"));
		pl->path = unifi_site_path(u, "/rest/firewallrule");
		pl->api = UNIFI_API_CLASSIC;
		pl->body = json_pack("{s:s, s:s, s:b, s:b, s:s, s:I, s:s, "
		    "s:s, s:s, s:s, s:[], s:[]}", "name", call_arg_str(c,
		    "name"), "action", action, "enabled", enabled, "logging",
		    logging, "ruleset", call_arg_str(c, "ruleset") != NULL ?
		    call_arg_str(c, "ruleset") : "LAN_IN", "rule_index",
		    call_arg_int(c, "index", 2000), "protocol", proto,
		    "src_address", src != NULL ? src : "", "dst_address",
		    dst != NULL ? dst : "", "dst_port", port != NULL ? port :
		    "", "src_firewallgroup_ids", "dst_firewallgroup_ids");
		pl->target = json_pack("{s:s}", "firewall", "legacy");
	}
	json_object_set_new(pl->target, "name", json_string(call_arg_str(c,
	    "name")));
	return (0);
}

/* unifi_create_firewall_rule. */
static int
unifi_create_firewall_rule(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_rule(c, &pl) != 0)
		return (-1);
	return (unifi_plan_go(c, &pl));
}

/* describe for unifi_create_firewall_rule. */
static int
unifi_describe_rule(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_rule(c, &pl) != 0)
		return (-1);
	return (unifi_plan_preview(c, &pl));
}

/* unifi_create_guest_voucher: create, then read the codes back. */
static int
unifi_create_guest_voucher(struct rt_call *c)
{
	struct rt_instance *in;
	struct unifi *u;
	json_t *body, *d, *v;
	const char *note = call_arg_str(c, "note");
	json_int_t t;
	char *why = NULL;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	u = unifi_of(in);
	body = json_pack("{s:s, s:I, s:I, s:I}", "cmd", "create-voucher",
	    "expire", call_arg_int(c, "duration_min", 480), "n",
	    call_arg_int(c, "count", 1), "quota", call_arg_int(c, "uses", 1));
	if (note != NULL)
		json_object_set_new(body, "note", json_string(note));
	if (json_object_get(c->args, "quota_mb") != NULL)
		json_object_set_new(body, "bytes", json_integer(
		    call_arg_int(c, "quota_mb", 0)));
	d = unifi_live_site(u, "POST", "/cmd/hotspot", body, &why);
	json_decref(body);
	if (d == NULL) {
		unifi_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	/* The answer is [{"create_time": T}]: the codes are in the list. */
	t = json_integer_value(json_object_get(json_array_get(d, 0),
	    "create_time"));
	json_decref(d);
	if (t <= 0)
		return (unifi_fail(c, in, "POST cmd/hotspot: no create_time in "
		    "the answer"));
	body = json_pack("{s:I}", "create_time", t);
	d = unifi_live_site(u, "POST", "/stat/voucher", body, &why);
	json_decref(body);
	if (d == NULL) {
		unifi_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	v = unifi_parse_vouchers(d, (long long)t);
	json_decref(d);
	if (json_array_size(v) == 0) {
		json_decref(v);
		return (unifi_fail(c, in, "the vouchers made at %lld are not "
		    "in the voucher list", (long long)t));
	}
	return (call_ok(c, json_pack("{s:s, s:I, s:o}", "instance", in->name,
	    "create_time", t, "vouchers", v)));
}

/* unifi_list_wlans: WLANs of every instance (live). */
static int
unifi_list_wlans(struct rt_call *c)
{
	struct rt_instance **ins;
	json_t *items, *errors, *d, *rows;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if ((d = unifi_live_site(unifi_of(ins[i]), "GET",
		    "/rest/wlanconf", NULL, &why)) == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		rows = unifi_parse_wlans(d, ins[i]->name);
		json_decref(d);
		json_array_extend(items, rows);
		json_decref(rows);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

/* Plans enabling or disabling a WLAN. 0, or -1 after failing the call. */
static int
unifi_plan_wlan(struct rt_call *c, struct unifi_plan *pl)
{
	struct rt_instance *in;
	struct unifi *u;
	const char *want = call_arg_str(c, "wlan"), *id;
	bool enabled = json_is_true(json_object_get(c->args, "enabled"));
	const json_t *r = NULL;
	json_t *d, *rows;
	char *why = NULL;
	size_t i;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	u = unifi_of(in);
	if ((d = unifi_live_site(u, "GET", "/rest/wlanconf", NULL, &why)) ==
	    NULL) {
		unifi_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	rows = unifi_parse_wlans(d, in->name);
	json_decref(d);
	json_array_foreach(rows, i, r) {
		if (unifi_eq(r, "id", want) || unifi_eq(r, "name", want))
			break;
	}
	if (i == json_array_size(rows)) {
		json_decref(rows);
		return (unifi_fail(c, in, "no WLAN with the id or name \"%s\"",
		    want));
	}
	pl->in = in;
	pl->action = enabled ? "enable_wlan" : "disable_wlan";
	pl->target = json_deep_copy(r);
	json_decref(rows);
	id = json_string_value(json_object_get(pl->target, "id"));
	if (json_is_true(json_object_get(pl->target, "enabled")) == enabled)
		xasprintf(&pl->unchanged, "WLAN %s is already %s",
		    json_string_value(json_object_get(pl->target, "name")),
		    enabled ? "enabled" : "disabled");
	pl->method = "PUT";
	pl->api = UNIFI_API_CLASSIC;
	pl->path = unifi_site_path(u, "/rest/wlanconf/%s", id);
	pl->body = json_pack("{s:b}", "enabled", enabled);
	return (0);
}

/* unifi_set_wlan_enabled. */
static int
unifi_set_wlan_enabled(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_wlan(c, &pl) != 0)
		return (-1);
	return (unifi_plan_go(c, &pl));
}

/* describe for unifi_set_wlan_enabled. */
static int
unifi_describe_wlan(struct rt_call *c)
{
	struct unifi_plan pl;

	if (unifi_plan_wlan(c, &pl) != 0)
		return (-1);
	return (unifi_plan_preview(c, &pl));
}

/* Schema fragments. */
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured UniFi instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one " \
	"when left out.\"}"
#define S_MAC_PAT \
	"\"type\":\"string\",\"pattern\":\"^[0-9A-Fa-f]{2}([:-]?" \
	"[0-9A-Fa-f]{2}){5}$\",\"examples\":[\"aa:bb:cc:dd:ee:ff\"," \
	"\"AA-BB-CC-DD-EE-FF\"],\"x-counterexamples\":[\"aa:bb:cc:dd:ee\"," \
	"\"gg:bb:cc:dd:ee:ff\"]"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":15," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the request it would make and do nothing.\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_BOOL "{\"type\":\"boolean\"}"

#define CLIENT_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"mac\",\"online\"," \
	"\"blocked\"],\"properties\":{\"instance\":" S_STR ",\"mac\":" S_STR \
	",\"name\":" S_STR ",\"ip\":" S_STR ",\"type\":{\"enum\":[\"wired\"," \
	"\"wireless\"]},\"network\":" S_STR ",\"essid\":" S_STR ",\"uplink\":" \
	S_STR ",\"uplink_mac\":" S_STR ",\"port\":" S_INT ",\"signal\":" S_INT \
	",\"rx_bytes\":" S_INT ",\"tx_bytes\":" S_INT ",\"uptime\":" S_INT \
	",\"online\":" S_BOOL ",\"blocked\":" S_BOOL "}}"
#define DEVICE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"mac\",\"type\"," \
	"\"state\"],\"properties\":{\"instance\":" S_STR ",\"mac\":" S_STR \
	",\"id\":" S_STR ",\"name\":" S_STR ",\"model\":" S_STR ",\"type\":" \
	S_STR ",\"state\":" S_STR ",\"ip\":" S_STR ",\"uptime\":" S_INT \
	",\"clients\":" S_INT ",\"firmware\":" S_STR ",\"upgradable\":" \
	S_BOOL "}}"
#define RULE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"kind\",\"firewall\"," \
	"\"id\",\"enabled\"],\"properties\":{\"instance\":" S_STR ",\"kind\":" \
	"{\"enum\":[\"rule\",\"policy\"]},\"firewall\":{\"enum\":[\"legacy\"," \
	"\"zone\"]},\"id\":" S_STR ",\"name\":" S_STR ",\"enabled\":" S_BOOL \
	",\"action\":" S_STR ",\"ruleset\":" S_STR ",\"index\":" S_INT \
	",\"protocol\":" S_STR ",\"src_address\":" S_STR ",\"dst_address\":" \
	S_STR ",\"dst_port\":" S_STR ",\"logging\":" S_BOOL ",\"predefined\":" \
	S_BOOL ",\"ip_version\":" S_STR ",\"src_zone\":" S_STR ",\"dst_zone\":" \
	S_STR "}}"
#define WLAN_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"enabled\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR ",\"name\":" \
	S_STR ",\"enabled\":" S_BOOL ",\"security\":" S_STR ",\"wpa_mode\":" \
	S_STR ",\"guest\":" S_BOOL ",\"hidden\":" S_BOOL ",\"network_id\":" \
	S_STR ",\"band\":" S_STR "}}"
#define INSTANCE_ERRORS \
	"\"instance_errors\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"instance\",\"error\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"error\":" S_STR "}}}"
#define ACTION_OUTPUT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"action\"," \
	"\"status\",\"target\"],\"properties\":{\"instance\":" S_STR \
	",\"action\":" S_STR ",\"status\":{\"enum\":[\"ok\",\"unchanged\"," \
	"\"dry_run\"]},\"mac\":" S_STR ",\"message\":" S_STR ",\"dry_run\":" \
	S_BOOL ",\"requests\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"method\",\"path\"],\"properties\":{" \
	"\"method\":" S_STR ",\"path\":" S_STR ",\"body\":{\"type\":" \
	"\"object\"}}}},\"target\":{\"type\":\"object\"}}}"
#define MAC_INPUT(what, extra) \
	"{\"type\":\"object\",\"additionalProperties\":false,\"required\":" \
	"[\"mac\"],\"properties\":{" S_INSTANCE ",\"mac\":{" S_MAC_PAT \
	",\"description\":\"" what "'s MAC address.\"}," S_DRY_RUN extra "}}"

static const struct rt_tool unifi_tools[] = {
	{
	    .name = "unifi_list_clients",
	    .title = "List UniFi clients",
	    .description = "Clients of every configured UniFi site: connected "
		"ones with name, IP, MAC, wired or wireless, network, the AP "
		"or switch port they hang on, signal (dBm) and rx/tx bytes, "
		"plus blocked clients (disconnected, from the known-clients "
		"list). Filter by blocked, type, network, part of the name, "
		"MAC or IP.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"blocked\":{\"type\":"
		"\"boolean\",\"description\":\"Only blocked (true) or only "
		"unblocked (false) clients.\"},\"type\":{\"enum\":[\"wired\","
		"\"wireless\"]},\"network\":{\"type\":\"string\",\"minLength\":"
		"1,\"maxLength\":64,\"description\":\"Network (LAN/VLAN) "
		"name.\"},\"name\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":128,\"description\":\"Part of the name, any "
		"case.\"},\"mac\":{" S_MAC_PAT "},\"ip\":{\"type\":\"string\","
		"\"pattern\":\"^[0-9a-fA-F.:]+$\",\"examples\":[\"192.168.1.20\"],"
		"\"x-counterexamples\":[\"host.lan\"]}," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(CLIENT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = unifi_list_clients,
	},
	{
	    .name = "unifi_block_client",
	    .title = "Block a UniFi client",
	    .description = "Blocks a client by MAC: the controller "
		"disconnects it and refuses it on every AP and port until "
		"unblocked. Works for clients not seen yet. Needs the classic "
		"endpoints (a local account, or a key that opens them).",
	    .input_schema = MAC_INPUT("The client", ""),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = unifi_block_client,
	    .describe = unifi_describe_client,
	},
	{
	    .name = "unifi_unblock_client",
	    .title = "Unblock a UniFi client",
	    .description = "Lets a blocked client connect again. A client "
		"that is not blocked is left alone (status unchanged).",
	    .input_schema = MAC_INPUT("The client", ""),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_IDEMPOTENT,
	    .call = unifi_unblock_client,
	},
	{
	    .name = "unifi_kick_client",
	    .title = "Disconnect a UniFi client",
	    .description = "Disconnects a wireless client, which normally "
		"reconnects at once (useful to move it to a better AP). It is "
		"not a block.",
	    .input_schema = MAC_INPUT("The client", ""),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = unifi_kick_client,
	    .describe = unifi_describe_client,
	},
	{
	    .name = "unifi_list_devices",
	    .title = "List UniFi devices",
	    .description = "Adopted access points, switches and gateways with "
		"state (online, offline, upgrading...), IP, uptime, client "
		"count, firmware and whether an upgrade is available.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"type\":{\"enum\":"
		"[\"ap\",\"switch\",\"gateway\"]},\"state\":{\"enum\":["
		"\"online\",\"offline\",\"upgrading\",\"provisioning\","
		"\"pending\",\"adopting\",\"heartbeat_missed\",\"unknown\"]},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DEVICE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = unifi_list_devices,
	},
	{
	    .name = "unifi_reboot_device",
	    .title = "Restart a UniFi device",
	    .description = "Restarts an online AP, switch or gateway by MAC; "
		"its clients lose the network for a minute or two (a gateway "
		"cuts the whole site). hard also power-cycles PoE ports.",
	    .input_schema = MAC_INPUT("The device", ",\"hard\":{\"type\":"
		"\"boolean\",\"default\":false,\"description\":\"Hard restart "
		"(also cycles PoE on switches).\"}"),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = unifi_reboot_device,
	    .describe = unifi_describe_reboot,
	},
	{
	    .name = "unifi_get_network_stats",
	    .title = "UniFi network health",
	    .description = "Health per subsystem of each site (wan, www, lan, "
		"wlan, vpn): status, users and guests, device counts, WAN IP, "
		"ISP, latency and throughput, plus the client and device "
		"totals.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"sites\","
		"\"instance_errors\"],\"properties\":{\"sites\":{\"type\":"
		"\"array\",\"items\":{\"type\":\"object\",\"required\":["
		"\"instance\",\"site\",\"subsystems\"],\"properties\":{"
		"\"instance\":" S_STR ",\"site\":" S_STR ",\"clients\":" S_INT
		",\"devices\":" S_INT ",\"age_ms\":" S_INT ",\"note\":" S_STR
		",\"subsystems\":{\"type\":\"array\",\"items\":{\"type\":"
		"\"object\",\"required\":[\"subsystem\",\"status\"],"
		"\"properties\":{\"subsystem\":" S_STR ",\"status\":" S_STR
		"}}}}}}," INSTANCE_ERRORS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = unifi_get_network_stats,
	},
	{
	    .name = "unifi_list_firewall_rules",
	    .title = "List UniFi firewall rules",
	    .description = "The site's firewall: legacy rules (ruleset, index, "
		"action, addresses, ports) or, on Network 9 sites with the "
		"zone-based firewall, its policies (zones, action, "
		"predefined). Each item says which in \"firewall\". Always a "
		"live read.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(RULE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = unifi_list_firewall_rules,
	},
	{
	    .name = "unifi_create_firewall_rule",
	    .title = "Create a UniFi firewall rule",
	    .description = "Adds a legacy firewall rule (ruleset, index) or, "
		"on a zone-based site, a firewall policy between two zones "
		"(src_zone, dst_zone): action, protocol, source and "
		"destination address, destination port.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"name\",\"action\"],\"properties\":{"
		S_INSTANCE ",\"name\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":128},\"action\":{\"enum\":[\"accept\",\"drop\","
		"\"reject\"]},\"protocol\":{\"enum\":[\"all\",\"tcp\",\"udp\","
		"\"tcp_udp\",\"icmp\"],\"default\":\"all\"},\"src_address\":{"
		"\"type\":\"string\",\"pattern\":\"^[0-9a-fA-F.:]+(/[0-9]{1,3})?$\","
		"\"examples\":[\"192.168.10.0/24\"],\"x-counterexamples\":"
		"[\"any\"]},\"dst_address\":{\"type\":\"string\",\"pattern\":"
		"\"^[0-9a-fA-F.:]+(/[0-9]{1,3})?$\",\"examples\":[\"10.0.0.5\"],"
		"\"x-counterexamples\":[\"10.0.0.5 \"]},\"dst_port\":{\"type\":"
		"\"string\",\"pattern\":\"^[0-9]{1,5}(-[0-9]{1,5})?$\","
		"\"examples\":[\"443\",\"8000-8080\"],\"x-counterexamples\":"
		"[\"https\"]},\"ruleset\":{\"enum\":[\"WAN_IN\",\"WAN_OUT\","
		"\"WAN_LOCAL\",\"LAN_IN\",\"LAN_OUT\",\"LAN_LOCAL\",\"GUEST_IN\","
		"\"GUEST_OUT\",\"GUEST_LOCAL\"],\"description\":\"Legacy "
		"rules: the ruleset (default LAN_IN).\"},\"index\":{\"type\":"
		"\"integer\",\"minimum\":2000,\"maximum\":29999,\"description\":"
		"\"Legacy rules: position in the ruleset (default 2000).\"},"
		"\"src_zone\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":64,\"description\":\"Zone-based sites: source "
		"zone id.\"},\"dst_zone\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":64,\"description\":\"Zone-based sites: "
		"destination zone id.\"},\"enabled\":{\"type\":\"boolean\","
		"\"default\":true},\"logging\":{\"type\":\"boolean\","
		"\"default\":false}," S_DRY_RUN "}}",
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = unifi_create_firewall_rule,
	    .describe = unifi_describe_rule,
	},
	{
	    .name = "unifi_create_guest_voucher",
	    .title = "Create UniFi guest vouchers",
	    .description = "Creates hotspot vouchers: how long each is valid "
		"once used (minutes), how many devices may use it (0: any "
		"number), an optional data quota (MB) and a note. Returns the "
		"codes.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE ",\"duration_min\":{\"type\":"
		"\"integer\",\"minimum\":1,\"maximum\":1000000,\"default\":480},"
		"\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,"
		"\"default\":1,\"description\":\"How many vouchers.\"},"
		"\"uses\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000,"
		"\"default\":1,\"description\":\"Devices per voucher; 0: "
		"unlimited.\"},\"quota_mb\":{\"type\":\"integer\",\"minimum\":1,"
		"\"description\":\"Data quota in MB.\"},\"note\":{\"type\":"
		"\"string\",\"maxLength\":128}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"create_time\",\"vouchers\"],\"properties\":{\"instance\":"
		S_STR ",\"create_time\":" S_INT ",\"vouchers\":{\"type\":"
		"\"array\",\"items\":{\"type\":\"object\",\"required\":["
		"\"code\"],\"properties\":{\"code\":" S_STR ",\"id\":" S_STR
		",\"create_time\":" S_INT ",\"duration_min\":" S_INT ",\"uses\":"
		S_INT ",\"used\":" S_INT ",\"quota_mb\":" S_INT ",\"note\":"
		S_STR ",\"status\":" S_STR "}}}}}",
	    .flags = 0,
	    .call = unifi_create_guest_voucher,
	},
	{
	    .name = "unifi_list_wlans",
	    .title = "List UniFi WLANs",
	    .description = "Wireless networks (SSIDs) of every site with "
		"enabled, security, guest and hidden flags and band. Always a "
		"live read.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(WLAN_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = unifi_list_wlans,
	},
	{
	    .name = "unifi_set_wlan_enabled",
	    .title = "Enable or disable a UniFi WLAN",
	    .description = "Turns a WLAN (by id or SSID name) on or off on "
		"every AP; disabling drops its clients. A WLAN already in the "
		"asked state is left alone.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"wlan\",\"enabled\"],\"properties\":{"
		S_INSTANCE ",\"wlan\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":64,\"description\":\"WLAN id or SSID.\"},"
		"\"enabled\":{\"type\":\"boolean\"}," S_DRY_RUN "}}",
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = unifi_set_wlan_enabled,
	    .describe = unifi_describe_wlan,
	},
	{ .name = NULL },
};

#define ROW_ARGS "{\"instance\":\"/instance\",\"mac\":\"/mac\"}"

static const struct rt_column unifi_client_columns[] = {
	{ "Name", "/name", RT_COL_TEXT, 0 },
	{ "IP", "/ip", RT_COL_TEXT, 15 },
	{ "MAC", "/mac", RT_COL_TEXT, 17 },
	{ "AP / port", "/uplink", RT_COL_TEXT, 16 },
	{ "Signal", "/signal", RT_COL_NUMBER, 6 },
	{ "RX", "/rx_bytes", RT_COL_BYTES, 8 },
	{ "TX", "/tx_bytes", RT_COL_BYTES, 8 },
	{ "Blocked", "/blocked", RT_COL_STATE, 7 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey unifi_client_keys[] = {
	{ 'b', "block", "unifi_block_client", ROW_ARGS },
	{ 'k', "kick", "unifi_kick_client", ROW_ARGS },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column unifi_device_columns[] = {
	{ "Name", "/name", RT_COL_TEXT, 0 },
	{ "Model", "/model", RT_COL_TEXT, 8 },
	{ "Type", "/type", RT_COL_TEXT, 7 },
	{ "State", "/state", RT_COL_STATE, 9 },
	{ "IP", "/ip", RT_COL_TEXT, 15 },
	{ "Clients", "/clients", RT_COL_NUMBER, 7 },
	{ "Firmware", "/firmware", RT_COL_TEXT, 12 },
	{ "Uptime", "/uptime", RT_COL_AGE, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey unifi_device_keys[] = {
	{ 'r', "restart", "unifi_reboot_device", ROW_ARGS },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column unifi_health_columns[] = {
	{ "Subsystem", "/subsystem", RT_COL_TEXT, 9 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "Users", "/users", RT_COL_NUMBER, 6 },
	{ "WAN IP", "/wan_ip", RT_COL_TEXT, 15 },
	{ "Latency", "/latency_ms", RT_COL_NUMBER, 7 },
	{ "RX/s", "/rx_rate", RT_COL_BYTES, 8 },
	{ "TX/s", "/tx_rate", RT_COL_BYTES, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_view unifi_views[] = {
	{ "clients", "Clients", "/clients", unifi_client_columns,
	    unifi_client_keys },
	{ "devices", "Devices", "/devices", unifi_device_columns,
	    unifi_device_keys },
	{ "health", "Health", "/health", unifi_health_columns, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* b blocks a client, or unblocks one that is blocked. */
static const struct rt_toggle unifi_toggles[] = {
	{ "unifi_block_client", "/blocked", "true", "unifi_unblock_client",
	    "unblock" },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * A client's inventory id for the memories linked to it: "unifi:" and
 * its MAC in lower case ("unifi:aa:bb:cc:dd:ee:ff"), whatever case the
 * controller used.
 */
static bool
unifi_entity(const struct rt_view *v, const json_t *row, char *buf,
    size_t len)
{
	const char *mac = json_string_value(json_object_get(row, "mac"));
	size_t i, o;

	if (strcmp(v->name, "clients") != 0 || mac == NULL || *mac == '\0' ||
	    (o = (size_t)snprintf(buf, len, "unifi:")) + strlen(mac) >= len)
		return (false);
	for (i = 0; mac[i] != '\0'; i++)
		buf[o + i] = (char)tolower((unsigned char)mac[i]);
	buf[o + i] = '\0';
	return (true);
}

const struct rt_service unifi_service = {
	.name = "unifi",
	.title = "UniFi Network",
	.tools = unifi_tools,
	.views = unifi_views,
	.refresh_s = UNIFI_REFRESH_S,
	.create = unifi_create,
	.destroy = unifi_destroy,
	.poll = unifi_poll,
	.problems = unifi_problems,
	.toggles = unifi_toggles,
	.entity = unifi_entity,
	.find = unifi_find,
	.addresses = unifi_addresses,
};
