/*
 * Traefik backend (API v2/v3, read-only): transport (HTTP through
 * core/http, optional basic auth in front of the API), the poller (the
 * overview, entry points, and every HTTP, TCP and UDP router, service and
 * middleware, 100 per page following X-Next-Page), the traefik_* tools and
 * the dashboard views. Parsing lives in traefik-parse.c, the certificate
 * probe in traefik-tls.c.
 *
 * Writes: Traefik's API cannot change anything, so racktop writes its own
 * files (racktop-router-NAME.yaml, racktop-middleware-NAME.yaml) into the
 * file provider's directory (the instance's dynamic_dir), as JSON built by
 * jansson (JSON is YAML), through a temporary name Traefik ignores, then a
 * rename. A broken file freezes Traefik's whole file provider and a
 * duplicate name is skipped silently, both only in Traefik's log, so after
 * a write the tool reads the API until its object appears as written (or
 * is gone); past apply_timeout it puts the previous file back and says
 * Traefik did not load the change. Files racktop did not write, and
 * anything that is not a regular file, are never touched.
 *
 * DESIGN
 * Owner: one struct tk per instance, created and destroyed on the main
 * thread. The poller uses tk->poller alone; tool calls borrow clients from
 * tk->pool. A write in progress is a struct tk_step on its call, re-armed
 * with call_again between API reads so no worker waits; tk->lock guards
 * tk->busy, the files being applied, so two calls never race on one file.
 * A step that never finishes (its call cancelled while parked) restores
 * the previous file when it is freed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "services/traefik.h"

#define TK_URL "http://127.0.0.1:8080"
#define TK_REFRESH_S 15
#define TK_MAX_AGE_S 15
#define TK_POOL_MAX 4
#define TK_PER_PAGE 100
#define TK_MAX_PAGES 1000
#define TK_APPLY_S 15		/* default apply_timeout */
#define TK_STEP_MS 250		/* between API reads while applying */
#define TK_PROBE_MS 3000	/* one TLS handshake */
#define TK_CERT_EVERY_MS (3600 * 1000)	/* the poller's certificate probe */
#define TK_MAX_FILE (1024 * 1024)

struct tk {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	char *auth;		/* "Authorization: Basic ...", or NULL */
	char *dir;		/* dynamic_dir, or NULL */
	char *tls_host;		/* where handshakes go */
	int tls_port;		/* 0: the entry point's port */
	int64_t apply_ms;

	pthread_mutex_t lock;	/* guards busy, nbusy */
	char **busy;		/* files being applied */
	size_t nbusy;

	struct http_pool pool;
	struct http_client *poller;
	json_t *certs;		/* the poller's last probe; poller only */
	int64_t certs_mono;	/* when it ran */
};

/* A write being applied: what to wait for and what to put back. */
struct tk_step {
	struct rt_instance *in;
	char *file;		/* base name in dir */
	char *path;
	char *prev;		/* previous content, NULL: there was none */
	size_t prevlen;
	mode_t mode;
	char *api_path;		/* "/http/routers/NAME@file" */
	char *what;		/* "router NAME@file" */
	json_t *want;		/* object subset to see, NULL: wait for 404 */
	json_t *result;		/* the result so far */
	char *last_error;	/* the last API failure while waiting */
	int64_t started, deadline;
	bool finished;		/* applied, or rolled back */
};

/* The state of an instance. */
static struct tk *
tk_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "traefik NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
tk_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "traefik %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* The error of a non-2xx answer (caller frees). */
static char *
tk_cause(const char *path, const struct http_response *resp, int *kind)
{
	const char *msg;
	char *s, *shown;
	json_t *j;

	shown = xstrndup(path, strcspn(path, "?"));
	j = json_loads(resp->body, 0, NULL);
	msg = json_string_value(json_object_get(j, "message"));
	*kind = RT_ERR_UPSTREAM;
	if (resp->status == 401 || resp->status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "GET /api%s: HTTP %ld: the API refused the "
		    "credentials — Traefik's API has none of its own; check user "
		    "and password of the basicAuth middleware in front of it",
		    shown, resp->status);
	} else if (resp->status == 404 && strcmp(shown, "/overview") == 0)
		xasprintf(&s, "GET /api/overview: HTTP 404: no Traefik API "
		    "here — enable it (api=true) and point url at its entry "
		    "point (port 8080 with api.insecure)");
	else
		xasprintf(&s, "GET /api%s: HTTP %ld%s%.200s", shown,
		    resp->status, msg != NULL ? ": " : "", msg != NULL ? msg :
		    "");
	json_decref(j);
	free(shown);
	return (s);
}

/*
 * GET one API path: the JSON answer (new reference) and *next (the
 * X-Next-Page header's page, 0: none), or NULL with *status (0: no
 * answer), *kind and *cause.
 */
static json_t *
tk_get(struct tk *t, struct http_client *cl, const char *path, int page,
    int *next, long *status, int *kind, char **cause)
{
	struct http_response resp;
	const char *hdrs[3];
	json_t *j;
	int n = 0;

	*status = 0;
	hdrs[n++] = "Accept: application/json";
	if (t->auth != NULL)
		hdrs[n++] = t->auth;
	hdrs[n] = NULL;
	if (http_request(cl, "GET", path, hdrs, NULL, 0, &resp, cause) != 0) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	*status = resp.status;
	if (resp.status < 200 || resp.status > 299) {
		*cause = tk_cause(path, &resp, kind);
		http_response_free(&resp);
		return (NULL);
	}
	if ((j = json_loads(resp.body, JSON_DECODE_ANY, NULL)) == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET /api%.*s: invalid JSON in response",
		    (int)strcspn(path, "?"), path);
	}
	if (next != NULL)
		*next = tk_next_page(resp.next_page, page);
	http_response_free(&resp);
	return (j);
}

/* Every page of one list into rows. 0, or -1 with *kind and *cause. */
static int
tk_get_list(struct tk *t, struct http_client *cl, const char *protocol,
    const char *kind_name, json_t *rows, int *kind, char **cause)
{
	char *path, *why = NULL;
	json_t *j;
	long status;
	int page = 1, next, rv;

	for (; page <= TK_MAX_PAGES; page = next) {
		xasprintf(&path, "/%s/%s?page=%d&per_page=%d", protocol,
		    kind_name, page, TK_PER_PAGE);
		j = tk_get(t, cl, path, page, &next, &status, kind, cause);
		free(path);
		if (j == NULL)
			return (-1);
		rv = tk_parse_page(j, kind_name, protocol, t->name, rows, &why);
		json_decref(j);
		if (rv != 0) {
			*kind = RT_ERR_UPSTREAM;
			xasprintf(cause, "GET /api/%s/%s page %d: %s", protocol,
			    kind_name, page, why);
			free(why);
			return (-1);
		}
		if (next == 0)
			return (0);
	}
	*kind = RT_ERR_UPSTREAM;
	xasprintf(cause, "GET /api/%s/%s: more than %d pages", protocol,
	    kind_name, TK_MAX_PAGES);
	return (-1);
}

/* Whether racktop's file for an object exists as a regular file. */
static bool
tk_owns(struct tk *t, const char *kind, const char *name)
{
	struct stat sb;
	char *file, *path;
	bool yes;

	if (t->dir == NULL)
		return (false);
	file = tk_file_name(kind, name);
	xasprintf(&path, "%s/%s", t->dir, file);
	yes = lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	free(file);
	return (yes);
}

/* Marks the rows of racktop's own file-provider objects as owned. */
static void
tk_mark_owned(struct tk *t, json_t *rows, const char *kind, const char *key)
{
	const json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "provider")),
		    "file") == 0 && strcmp(json_string_value(json_object_get(row,
		    "protocol")), "http") == 0 && tk_owns(t, kind,
		    json_string_value(json_object_get(row, key))))
			json_object_set_new((json_t *)row, "owned", json_true());
	}
}

/* Fetches everything the snapshot holds. New reference. */
static json_t *
tk_fetch(struct tk *t, struct http_client *cl, int *kind, char **cause)
{
	static const char *const protos[] = { "http", "tcp", "udp" };
	json_t *ov, *eps, *j, *routers, *services, *mws;
	char *why = NULL;
	long status;
	size_t i;

	if ((j = tk_get(t, cl, "/overview", 1, NULL, &status, kind,
	    cause)) == NULL)
		return (NULL);
	ov = tk_parse_overview(j, &why);
	json_decref(j);
	if (ov == NULL)
		goto bad;
	if ((j = tk_get(t, cl, "/entrypoints", 1, NULL, &status, kind,
	    cause)) == NULL) {
		json_decref(ov);
		return (NULL);
	}
	eps = tk_parse_entrypoints(j, &why);
	json_decref(j);
	if (eps == NULL) {
		json_decref(ov);
		goto bad;
	}
	routers = json_array();
	services = json_array();
	mws = json_array();
	for (i = 0; i < 3; i++) {
		if (tk_get_list(t, cl, protos[i], "routers", routers, kind,
		    cause) != 0 || tk_get_list(t, cl, protos[i], "services",
		    services, kind, cause) != 0 || (i < 2 && tk_get_list(t, cl,
		    protos[i], "middlewares", mws, kind, cause) != 0)) {
			json_decref(ov);
			json_decref(eps);
			json_decref(routers);
			json_decref(services);
			json_decref(mws);
			return (NULL);
		}
	}
	tk_mark_owned(t, routers, "router", "router");
	tk_mark_owned(t, mws, "middleware", "middleware");
	return (json_pack("{s:o, s:o, s:o, s:o, s:o}", "overview", ov,
	    "entrypoints", eps, "routers", routers, "services", services,
	    "middlewares", mws));
bad:
	*kind = RT_ERR_UPSTREAM;
	xasprintf(cause, "Traefik API: %s", why);
	free(why);
	return (NULL);
}

static size_t tk_probe_routers(struct tk *, const json_t *, const char *,
    int, bool (*)(void *), void *, json_t *);

/*
 * The poller: one refresh. Certificates are probed on the first refresh
 * and hourly after (a handshake per TLS host is too much every few
 * seconds), and every snapshot carries the last result, so the problems
 * list can flag one that expires.
 */
static json_t *
tk_poll(void *arg, int *kind, char **cause)
{
	struct tk *t = arg;
	int64_t now = clock_mono_ms();
	json_t *data;

	if (t->poller == NULL &&
	    (t->poller = http_client_create(&t->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	if ((data = tk_fetch(t, t->poller, kind, cause)) == NULL)
		return (NULL);
	if (t->certs == NULL || now - t->certs_mono >= TK_CERT_EVERY_MS) {
		json_decref(t->certs);
		t->certs = json_array();
		tk_probe_routers(t, data, NULL, TK_CERT_WARN_DAYS, NULL, NULL,
		    t->certs);
		t->certs_mono = now;
	}
	json_object_set_new(data, "certificates", json_deep_copy(t->certs));
	return (data);
}

/* A live fetch with a pooled client, for read views. */
static json_t *
tk_view_fetch(void *arg, int *kind, char **cause)
{
	struct tk *t = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&t->pool, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	j = tk_fetch(t, cl, kind, cause);
	http_pool_put(&t->pool, cl);
	return (j);
}

/* One object from the API: 1 found (*obj), 0 absent (404), -1 error. */
static int
tk_get_object(struct tk *t, const char *path, json_t **obj, char **cause)
{
	struct http_client *cl;
	long status;
	int kind;

	*obj = NULL;
	if ((cl = http_pool_get(&t->pool, cause)) == NULL)
		return (-1);
	*obj = tk_get(t, cl, path, 1, NULL, &status, &kind, cause);
	http_pool_put(&t->pool, cl);
	if (*obj != NULL)
		return (1);
	if (status == 404) {
		free(*cause);
		*cause = NULL;
		return (0);
	}
	return (-1);
}

/* Frees an instance's state. */
static void
tk_destroy(void *arg)
{
	struct tk *t = arg;
	size_t i;

	if (t == NULL)
		return;
	http_pool_finish(&t->pool);
	http_client_destroy(t->poller);
	json_decref(t->certs);
	pthread_mutex_destroy(&t->lock);
	for (i = 0; i < t->nbusy; i++)
		free(t->busy[i]);
	free(t->busy);
	free(t->name);
	free((char *)t->opts.base_url);
	free((char *)t->opts.ca_file);
	free((char *)t->opts.fingerprint);
	if (t->auth != NULL)
		explicit_bzero(t->auth, strlen(t->auth));
	free(t->auth);
	free(t->dir);
	free(t->tls_host);
	free(t);
}

/* "Authorization: Basic base64(user:password)" (caller frees). */
static char *
tk_basic(const char *user, const char *password)
{
	unsigned char *enc;
	char *plain, *hdr;
	size_t n;

	xasprintf(&plain, "%s:%s", user, password);
	n = strlen(plain);
	enc = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock(enc, (const unsigned char *)plain, (int)n);
	xasprintf(&hdr, "Authorization: Basic %s", enc);
	explicit_bzero(plain, n);
	explicit_bzero(enc, strlen((char *)enc));
	free(plain);
	free(enc);
	return (hdr);
}

/* Parses tls_address "HOST:PORT" or "[V6]:PORT"; -1 on a bad one. */
static int
tk_parse_address(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	if (colon == NULL || (*port = tk_address_port(s)) <= 0)
		return (-1);
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		*host = xstrndup(s + 1, n - 2);
	else
		*host = xstrndup(s, n);
	return (**host == '\0' ? -1 : 0);
}

/* Creates an instance from its [traefik "name"] section. */
static void *
tk_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *user, *pass, *dir, *addr;
	struct http_client *cl;
	struct tk *t;
	char *why = NULL, *base;
	size_t len;
	long timeout, apply;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL)
		url = TK_URL;
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) !=
	    0) {
		xasprintf(cause, "url: must start with http:// or https://");
		return (NULL);
	}
	user = conf_get(ic, "user");
	pass = conf_get(ic, "password");
	if ((user == NULL) != (pass == NULL)) {
		xasprintf(cause, "set both user and password (basic auth in "
		    "front of the API), or neither");
		return (NULL);
	}
	dir = conf_get(ic, "dynamic_dir");
	if (dir != NULL && *dir != '/') {
		xasprintf(cause, "dynamic_dir: must be an absolute path "
		    "(Traefik's providers.file.directory)");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_int(ic, "apply_timeout", TK_APPLY_S, &apply, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	if (apply < 1 || apply > 300) {
		xasprintf(cause, "apply_timeout: between 1 and 300 seconds");
		return (NULL);
	}
	t = xcalloc(1, sizeof *t);
	t->in = in;
	t->name = xstrdup(ic->name);
	http_pool_init(&t->pool, &t->opts, TK_POOL_MAX);
	pthread_mutex_init(&t->lock, NULL);
	t->apply_ms = clock_scaled_ms(apply * 1000);
	if ((addr = conf_get(ic, "tls_address")) != NULL) {
		if (tk_parse_address(addr, &t->tls_host, &t->tls_port) != 0) {
			xasprintf(cause, "tls_address: give HOST:PORT with a "
			    "numeric address, e.g. 192.168.1.10:443");
			tk_destroy(t);
			return (NULL);
		}
	} else
		t->tls_host = xstrdup("127.0.0.1");
	if (dir != NULL) {
		t->dir = xstrdup(dir);
		len = strlen(t->dir);
		while (len > 1 && t->dir[len - 1] == '/')
			t->dir[--len] = '\0';
	}
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&t->opts.base_url, "%s/api", base);
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
	if (user != NULL)
		t->auth = tk_basic(user, pass);
	if ((cl = http_client_create(&t->opts, &why)) == NULL) {
		*cause = why;
		tk_destroy(t);
		return (NULL);
	}
	http_pool_put(&t->pool, cl);
	return (t);
}

/* Filters shared by the list tools. */
static bool
tk_match_common(struct rt_call *c, const json_t *row, const char *key)
{
	const char *proto = call_arg_str(c, "protocol");
	const char *status = call_arg_str(c, "status");
	const char *provider = call_arg_str(c, "provider");
	const char *search = call_arg_str(c, "search");
	const char *v;

	if (proto != NULL && strcmp(proto, json_string_value(json_object_get(
	    row, "protocol"))) != 0)
		return (false);
	if (status != NULL && strcmp(status, json_string_value(
	    json_object_get(row, "status"))) != 0)
		return (false);
	if (provider != NULL && strcmp(provider, json_string_value(
	    json_object_get(row, "provider"))) != 0)
		return (false);
	if (search != NULL) {
		v = json_string_value(json_object_get(row, key));
		if (strcasestr(json_string_value(json_object_get(row, "name")),
		    search) == NULL && (v == NULL || strcasestr(v,
		    search) == NULL))
			return (false);
	}
	return (true);
}

/* Router filter. */
static bool
tk_match_router(struct rt_call *c, const json_t *row)
{
	return (tk_match_common(c, row, "rule"));
}

/* Service filter: down_only keeps services with a server down. */
static bool
tk_match_service(struct rt_call *c, const json_t *row)
{
	if (json_is_true(json_object_get(c->args, "down_only")) &&
	    json_integer_value(json_object_get(row, "servers_down")) == 0)
		return (false);
	return (tk_match_common(c, row, "type"));
}

/* Middleware filter. */
static bool
tk_match_middleware(struct rt_call *c, const json_t *row)
{
	return (tk_match_common(c, row, "type"));
}

/* traefik_list_routers. */
static int
tk_list_routers(struct rt_call *c)
{
	return (read_view_list(c, TK_MAX_AGE_S, tk_view_fetch, "routers",
	    tk_match_router));
}

/* traefik_list_services. */
static int
tk_list_services(struct rt_call *c)
{
	return (read_view_list(c, TK_MAX_AGE_S, tk_view_fetch, "services",
	    tk_match_service));
}

/* traefik_list_middlewares. */
static int
tk_list_middlewares(struct rt_call *c)
{
	return (read_view_list(c, TK_MAX_AGE_S, tk_view_fetch, "middlewares",
	    tk_match_middleware));
}

/*
 * Why writes cannot happen on this instance, or NULL when they can
 * (caller frees).
 */
static char *
tk_unavailable(struct tk *t)
{
	struct stat sb;
	char *s;

	if (t->dir == NULL) {
		xasprintf(&s, "writes are unavailable: Traefik's API is "
		    "read-only and racktop writes through its file provider; set "
		    "dynamic_dir to Traefik's providers.file.directory (racktop "
		    "must run on Traefik's host)");
		return (s);
	}
	if (stat(t->dir, &sb) != 0) {
		xasprintf(&s, "writes are unavailable: dynamic_dir %s: %s",
		    t->dir, strerror(errno));
		return (s);
	}
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(&s, "writes are unavailable: dynamic_dir %s is not a "
		    "directory", t->dir);
		return (s);
	}
	if (access(t->dir, W_OK | X_OK) != 0) {
		xasprintf(&s, "writes are unavailable: dynamic_dir %s is not "
		    "writable by racktop: %s", t->dir, strerror(errno));
		return (s);
	}
	return (NULL);
}

/* Marks a file busy; false when another call is applying it. */
static bool
tk_busy_take(struct tk *t, const char *file)
{
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nbusy; i++) {
		if (strcmp(t->busy[i], file) == 0) {
			pthread_mutex_unlock(&t->lock);
			return (false);
		}
	}
	t->busy = xreallocarray(t->busy, t->nbusy + 1, sizeof *t->busy);
	t->busy[t->nbusy++] = xstrdup(file);
	pthread_mutex_unlock(&t->lock);
	return (true);
}

/* Clears a busy mark. */
static void
tk_busy_give(struct tk *t, const char *file)
{
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nbusy; i++) {
		if (strcmp(t->busy[i], file) == 0) {
			free(t->busy[i]);
			t->busy[i] = t->busy[--t->nbusy];
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
}

/*
 * Reads racktop's file: 1 with *text (caller frees) and *mode, 0 when
 * absent, -1 with *cause when it is not a regular file or unreadable.
 */
static int
tk_read_own(const char *path, char **text, size_t *len, mode_t *mode,
    char **cause)
{
	struct stat sb;
	ssize_t n;
	size_t got = 0;
	int fd;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s; racktop writes only regular files "
		    "it created", path, errno == ELOOP ? "a symbolic link" :
		    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > TK_MAX_FILE) {
		xasprintf(cause, "%s: not a regular file racktop wrote", path);
		close(fd);
		return (-1);
	}
	*mode = sb.st_mode & 0777;
	*text = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size && (n = read(fd, *text + got,
	    (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	(*text)[got] = '\0';
	*len = got;
	return (1);
}

/*
 * Writes text to dir/file atomically: a temporary name that Traefik does
 * not read (no .yml, .yaml or .toml ending), fsync, then rename. 0, or -1
 * with *cause.
 */
static int
tk_write_atomic(const char *dir, const char *file, const char *text,
    size_t len, mode_t mode, char **cause)
{
	char *tmp, *path;
	size_t off = 0;
	ssize_t n;
	int fd;

	xasprintf(&tmp, "%s/.%s.tmp-XXXXXX", dir, file);
	xasprintf(&path, "%s/%s", dir, file);
	if ((fd = mkstemp(tmp)) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	fchmod(fd, mode);
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) <= 0) {
			xasprintf(cause, "%s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		xasprintf(cause, "rename to %s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	free(tmp);
	free(path);
	return (0);
fail:
	free(tmp);
	free(path);
	return (-1);
}

/* The text racktop writes for a configuration (caller frees). */
static char *
tk_file_text(const json_t *conf)
{
	char *json, *text;

	json = json_dumps(conf, JSON_INDENT(2) | JSON_SORT_KEYS);
	xasprintf(&text, "# Written by racktop; it replaces this file on its "
	    "next change.\n# JSON is YAML: Traefik's file provider reads it "
	    "as is.\n%s\n", json);
	free(json);
	return (text);
}

/* Puts the previous file back (or removes the new one). 0, or -1. */
static int
tk_restore(struct tk_step *st, char **cause)
{
	struct tk *t = tk_of(st->in);

	if (st->prev != NULL)
		return (tk_write_atomic(t->dir, st->file, st->prev,
		    st->prevlen, st->mode, cause));
	if (unlink(st->path) != 0 && errno != ENOENT) {
		xasprintf(cause, "%s: %s", st->path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* Frees a write step; one never finished is rolled back first. */
static void
tk_step_free(void *arg)
{
	struct tk_step *st = arg;
	char *why = NULL;

	if (st == NULL)
		return;
	if (!st->finished) {
		if (tk_restore(st, &why) != 0)
			free(why);
		tk_busy_give(tk_of(st->in), st->file);
	}
	free(st->file);
	free(st->path);
	if (st->prev != NULL)
		explicit_bzero(st->prev, st->prevlen);
	free(st->prev);
	free(st->api_path);
	free(st->what);
	free(st->last_error);
	json_decref(st->want);
	json_decref(st->result);
	free(st);
}

/*
 * Applies a change to racktop's file (conf NULL removes it) and arms the
 * wait for the API to show want (NULL: the object gone). result is
 * stolen. Returns the tool's return value.
 */
static int
tk_apply(struct rt_call *c, struct rt_instance *in, const char *file,
    const json_t *conf, const char *api_path, const char *what,
    const json_t *want, json_t *result)
{
	struct tk *t = tk_of(in);
	struct tk_step *st;
	char *why = NULL, *text;
	int rv;

	if (!tk_busy_take(t, file)) {
		json_decref(result);
		return (tk_fail(c, in, "another call is applying %s; try again "
		    "when it is done", file));
	}
	st = xcalloc(1, sizeof *st);
	st->in = in;
	st->file = xstrdup(file);
	xasprintf(&st->path, "%s/%s", t->dir, file);
	st->mode = 0644;
	st->api_path = xstrdup(api_path);
	st->what = xstrdup(what);
	st->want = want != NULL ? json_deep_copy(want) : NULL;
	st->result = result;
	st->finished = true;	/* nothing to undo yet */
	c->step = st;
	c->step_free = tk_step_free;
	if ((rv = tk_read_own(st->path, &st->prev, &st->prevlen, &st->mode,
	    &why)) < 0) {
		tk_busy_give(t, file);
		tk_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if (conf != NULL) {
		text = tk_file_text(conf);
		rv = tk_write_atomic(t->dir, file, text, strlen(text), st->mode,
		    &why);
		free(text);
	} else if ((rv = unlink(st->path)) != 0)
		xasprintf(&why, "%s: %s", st->path, strerror(errno));
	if (rv != 0) {
		tk_busy_give(t, file);
		tk_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	st->finished = false;
	st->started = clock_mono_ms();
	st->deadline = st->started + t->apply_ms;
	return (call_again(c, TK_STEP_MS / 2));
}

/* One look at the API while a change is applied. */
static int
tk_apply_continue(struct rt_call *c, struct tk_step *st)
{
	struct tk *t = tk_of(st->in);
	json_t *obj = NULL, *r;
	char *why = NULL, *rb = NULL;
	int found;
	bool done = false, stop;

	found = tk_get_object(t, st->api_path, &obj, &why);
	if (found < 0) {
		free(st->last_error);
		st->last_error = why;
	} else if (st->want == NULL)
		done = found == 0;
	else
		done = found == 1 && tk_subset(st->want, obj);
	if (done) {
		st->finished = true;
		tk_busy_give(t, st->file);
		r = st->result;
		st->result = NULL;
		json_object_set_new(r, "loaded", json_true());
		json_object_set_new(r, "waited_ms", json_integer(
		    clock_mono_ms() - st->started));
		if (obj != NULL) {
			json_object_set_new(r, "traefik_status", json_string(
			    json_string_value(json_object_get(obj, "status")) !=
			    NULL ? json_string_value(json_object_get(obj,
			    "status")) : "enabled"));
			json_object_set_new(r, "errors", json_is_array(
			    json_object_get(obj, "error")) ? json_deep_copy(
			    json_object_get(obj, "error")) : json_array());
		}
		json_decref(obj);
		instance_refresh_soon(st->in);
		return (call_ok(c, r));
	}
	json_decref(obj);
	stop = call_should_stop(c);
	if (!stop && clock_mono_ms() < st->deadline) {
		call_progress(c, (double)(clock_mono_ms() - st->started),
		    (double)t->apply_ms, "waiting for Traefik to load the "
		    "change");
		return (call_again(c, TK_STEP_MS));
	}
	/* Not loaded: put the previous file back. */
	st->finished = true;
	tk_busy_give(t, st->file);
	if (tk_restore(st, &rb) != 0) {
		tk_fail(c, st->in, "Traefik did not load the change to %s and "
		    "restoring the previous %s failed: %s", st->what, st->file,
		    rb);
		free(rb);
		return (-1);
	}
	instance_refresh_soon(st->in);
	if (stop)
		return (tk_fail(c, st->in, "stopped waiting for Traefik to "
		    "load the change to %s; racktop restored the previous %s",
		    st->what, st->file));
	return (tk_fail(c, st->in, "Traefik did not load the change to %s "
	    "within %lld s, so racktop restored the previous %s%s. Traefik "
	    "reports why only in its log: a file in %s that does not parse "
	    "freezes the whole file provider, and a name defined twice is "
	    "skipped%s%s", st->what, (long long)(t->apply_ms / 1000),
	    st->file, st->prev == NULL ? " (none: the new file was removed)" :
	    "", t->dir, st->last_error != NULL ? ". Last API error: " : "",
	    st->last_error != NULL ? st->last_error : ""));
}

/* "name" from "name" or "name@file"; NULL after failing the call. */
static char *
tk_file_object_name(struct rt_call *c, struct rt_instance *in,
    const char *arg, const char *what)
{
	const char *at = strchr(arg, '@');

	if (at != NULL && strcmp(at, "@file") != 0) {
		tk_fail(c, in, "%s %s comes from the %s provider; racktop "
		    "changes only objects it created in its own racktop-*.yaml "
		    "files", what, arg, at + 1);
		return (NULL);
	}
	return (xstrndup(arg, at != NULL ? (size_t)(at - arg) : strlen(arg)));
}

/* Fails the call when writes are unavailable; true when they are. */
static bool
tk_writable(struct rt_call *c, struct rt_instance *in)
{
	char *why = tk_unavailable(tk_of(in));

	if (why == NULL)
		return (true);
	tk_fail(c, in, "%s", why);
	free(why);
	return (false);
}

/* Whether an object exists in the API: 1, 0, or -1 after failing c. */
static int
tk_exists(struct rt_call *c, struct rt_instance *in, const char *path)
{
	json_t *obj;
	char *why = NULL;
	int rv;

	if ((rv = tk_get_object(tk_of(in), path, &obj, &why)) < 0) {
		tk_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_decref(obj);
	return (rv);
}

/* traefik_create_router. */
static int
tk_create_router(struct rt_call *c)
{
	struct rt_instance *in;
	const char *name = call_arg_str(c, "name");
	bool replace = json_is_true(json_object_get(c->args, "replace"));
	json_t *conf, *r;
	char *why = NULL, *file, *path, *what;
	int rv, exists;
	bool owned;

	if (c->step != NULL)
		return (tk_apply_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (!tk_writable(c, in))
		return (-1);
	if ((conf = tk_router_config(c->args, &why)) == NULL) {
		tk_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	owned = tk_owns(tk_of(in), "router", name);
	xasprintf(&path, "/http/routers/%s@file", name);
	if ((exists = tk_exists(c, in, path)) < 0)
		goto fail;
	if (exists && !owned) {
		tk_fail(c, in, "router %s@file already exists in a file racktop "
		    "does not own; Traefik would skip a second definition "
		    "silently. Pick another name", name);
		goto fail;
	}
	if (owned && !replace) {
		tk_fail(c, in, "racktop already created router %s@file; pass "
		    "replace true to change it", name);
		goto fail;
	}
	if (call_arg_str(c, "backend_url") != NULL && !owned) {
		free(path);
		xasprintf(&path, "/http/services/%s@file", name);
		if ((exists = tk_exists(c, in, path)) < 0)
			goto fail;
		if (exists) {
			tk_fail(c, in, "service %s@file already exists in a "
			    "file racktop does not own; give service %s@file "
			    "instead of backend_url, or pick another name", name,
			    name);
			goto fail;
		}
		free(path);
		xasprintf(&path, "/http/routers/%s@file", name);
	}
	file = tk_file_name("router", name);
	xasprintf(&what, "router %s@file", name);
	r = json_pack("{s:s, s:s+, s:s, s:s, s:O}", "instance", in->name,
	    "router", name, "@file", "file", file, "status", owned ? "replaced" :
	    "created", "config", json_object_get(conf, "http"));
	rv = tk_apply(c, in, file, conf, path, what, json_object_get(
	    json_object_get(json_object_get(conf, "http"), "routers"), name), r);
	free(file);
	free(what);
	free(path);
	json_decref(conf);
	return (rv);
fail:
	free(path);
	json_decref(conf);
	return (-1);
}

/* Checks a delete: racktop's file must hold the router. name returned. */
static char *
tk_delete_check(struct rt_call *c, struct rt_instance *in)
{
	char *name, *path;
	int exists;

	if ((name = tk_file_object_name(c, in, call_arg_str(c, "name"),
	    "router")) == NULL)
		return (NULL);
	if (tk_owns(tk_of(in), "router", name))
		return (name);
	xasprintf(&path, "/http/routers/%s@file", name);
	exists = tk_exists(c, in, path);
	free(path);
	if (exists == 1)
		tk_fail(c, in, "router %s@file is not in a file racktop owns "
		    "(racktop-router-%s.yaml): racktop deletes only routers it "
		    "created, and never edits other files", name, name);
	else if (exists == 0)
		tk_fail(c, in, "no router %s@file", name);
	free(name);
	return (NULL);
}

/* The preview of a delete. */
static int
tk_delete_preview(struct rt_call *c, struct rt_instance *in, const char *name)
{
	struct tk *t = tk_of(in);
	char *file = tk_file_name("router", name);
	json_t *r;

	r = json_pack("{s:s, s:s, s:s+, s:b, s:s, s:[{s:s, s:s++}]}", "instance",
	    in->name, "status", "dry_run", "router", name, "@file", "dry_run", 1,
	    "file", file, "requests", "method", "UNLINK", "path", t->dir, "/",
	    file);
	free(file);
	return (call_ok(c, r));
}

/* describe for traefik_delete_router. */
static int
tk_describe_delete(struct rt_call *c)
{
	struct rt_instance *in;
	char *name;
	int rv;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (!tk_writable(c, in))
		return (-1);
	if ((name = tk_delete_check(c, in)) == NULL)
		return (-1);
	rv = tk_delete_preview(c, in, name);
	free(name);
	return (rv);
}

/* traefik_delete_router. */
static int
tk_delete_router(struct rt_call *c)
{
	struct rt_instance *in;
	char *name, *file, *path, *what;
	json_t *r;
	int rv;

	if (c->step != NULL)
		return (tk_apply_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (!tk_writable(c, in))
		return (-1);
	if ((name = tk_delete_check(c, in)) == NULL)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run"))) {
		rv = tk_delete_preview(c, in, name);
		free(name);
		return (rv);
	}
	file = tk_file_name("router", name);
	xasprintf(&path, "/http/routers/%s@file", name);
	xasprintf(&what, "router %s@file", name);
	r = json_pack("{s:s, s:s+, s:s, s:s}", "instance", in->name, "router",
	    name, "@file", "file", file, "status", "deleted");
	rv = tk_apply(c, in, file, NULL, path, what, NULL, r);
	free(name);
	free(file);
	free(path);
	free(what);
	return (rv);
}

/* Middleware names this action may touch; NULL after failing c. */
static int
tk_middleware_check(struct rt_call *c, struct rt_instance *in,
    const char *name, const char *action, json_t **current)
{
	char *path, *why = NULL;
	bool owned = tk_owns(tk_of(in), "middleware", name);
	int found;

	*current = NULL;
	xasprintf(&path, "/http/middlewares/%s@file", name);
	found = tk_get_object(tk_of(in), path, current, &why);
	free(path);
	if (found < 0) {
		tk_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if (strcmp(action, "create") == 0) {
		if (owned)
			return (tk_fail(c, in, "racktop already created "
			    "middleware %s@file; use action update", name));
		if (found)
			return (tk_fail(c, in, "middleware %s@file already "
			    "exists in a file racktop does not own; Traefik "
			    "would skip a second definition silently. Pick "
			    "another name", name));
		return (0);
	}
	if (!owned) {
		if (found)
			return (tk_fail(c, in, "middleware %s@file is not in a "
			    "file racktop owns (racktop-middleware-%s.yaml): "
			    "racktop changes only middlewares it created, and "
			    "never edits other files", name, name));
		return (tk_fail(c, in, "no middleware %s@file created by "
		    "racktop%s", name, strcmp(action, "update") == 0 ?
		    "; use action create" : ""));
	}
	if (strcmp(action, "delete") == 0 && found &&
	    json_array_size(json_object_get(*current, "usedBy")) > 0) {
		why = json_dumps(json_object_get(*current, "usedBy"),
		    JSON_COMPACT);
		tk_fail(c, in, "middleware %s@file is used by %s: Traefik would "
		    "disable those routers; remove it from them first", name,
		    why);
		free(why);
		return (-1);
	}
	return (0);
}

/* The middleware change a call asks for (conf NULL for delete). */
static int
tk_middleware_plan(struct rt_call *c, struct rt_instance *in, json_t **conf,
    json_t **want)
{
	const char *name = call_arg_str(c, "name");
	const char *action = call_arg_str(c, "action");
	const char *type = call_arg_str(c, "type"), *api_type;
	const json_t *settings = json_object_get(c->args, "settings");
	json_t *current = NULL, *m, *v;
	const char *key;
	char *why = NULL;

	*conf = *want = NULL;
	if (tk_middleware_check(c, in, name, action, &current) != 0) {
		json_decref(current);
		return (-1);
	}
	json_decref(current);
	if (strcmp(action, "delete") == 0)
		return (0);
	if (type == NULL)
		return (tk_fail(c, in, "arguments.type: required to %s a "
		    "middleware", action));
	if ((*conf = tk_middleware_config(name, type, settings != NULL ?
	    settings : json_object(), &api_type, &why)) == NULL) {
		tk_fail(c, in, "arguments.settings: %s", why);
		free(why);
		return (-1);
	}
	m = json_object_get(json_object_get(json_object_get(*conf, "http"),
	    "middlewares"), name);
	*want = json_deep_copy(m);
	json_object_set_new(*want, "type", json_string(api_type));
	/* Compare basic-auth users by the API's type only, not hashes. */
	json_object_foreach(*want, key, v)
		json_object_del(v, "users");
	return (0);
}

/* A middleware configuration for a result, hashes redacted. */
static json_t *
tk_redacted(const json_t *conf)
{
	json_t *r = json_deep_copy(conf), *m, *users, *u;
	const char *name, *key;
	size_t i;

	json_object_foreach(json_object_get(json_object_get(r, "http"),
	    "middlewares"), name, m) {
		json_object_foreach(m, key, u) {
			if ((users = json_object_get(u, "users")) == NULL)
				continue;
			json_array_foreach(users, i, u) {
				if (json_is_string(u))
					json_array_set_new(users, i, json_sprintf(
					    "%.*s:***", (int)strcspn(
					    json_string_value(u), ":"),
					    json_string_value(u)));
			}
		}
	}
	return (r);
}

/* describe for traefik_manage_middleware. */
static int
tk_describe_middleware(struct rt_call *c)
{
	struct rt_instance *in;
	const char *name = call_arg_str(c, "name");
	const char *action = call_arg_str(c, "action");
	json_t *conf, *want, *r;
	char *file;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (!tk_writable(c, in))
		return (-1);
	if (tk_middleware_plan(c, in, &conf, &want) != 0)
		return (-1);
	file = tk_file_name("middleware", name);
	r = json_pack("{s:s, s:s, s:s+, s:s, s:b, s:s, s:[{s:s, s:s++}]}",
	    "instance", in->name, "status", "dry_run", "middleware", name,
	    "@file", "action", action, "dry_run", 1, "file", file, "requests",
	    "method", conf != NULL ? "WRITE" : "UNLINK", "path",
	    tk_of(in)->dir, "/", file);
	if (conf != NULL)
		json_object_set_new(r, "config", tk_redacted(conf));
	free(file);
	json_decref(conf);
	json_decref(want);
	return (call_ok(c, r));
}

/* traefik_manage_middleware. */
static int
tk_manage_middleware(struct rt_call *c)
{
	struct rt_instance *in;
	const char *name = call_arg_str(c, "name");
	const char *action = call_arg_str(c, "action");
	json_t *conf, *want, *r;
	char *file, *path, *what;
	int rv;

	if (c->step != NULL)
		return (tk_apply_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (!tk_writable(c, in))
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (tk_describe_middleware(c));
	if (tk_middleware_plan(c, in, &conf, &want) != 0)
		return (-1);
	file = tk_file_name("middleware", name);
	xasprintf(&path, "/http/middlewares/%s@file", name);
	xasprintf(&what, "middleware %s@file", name);
	r = json_pack("{s:s, s:s+, s:s, s:s, s:s}", "instance", in->name,
	    "middleware", name, "@file", "action", action, "file", file,
	    "status", strcmp(action, "create") == 0 ? "created" :
	    strcmp(action, "update") == 0 ? "updated" : "deleted");
	if (conf != NULL)
		json_object_set_new(r, "config", tk_redacted(conf));
	rv = tk_apply(c, in, file, conf, path, what, want, r);
	free(file);
	free(path);
	free(what);
	json_decref(conf);
	json_decref(want);
	return (rv);
}

/* The port of an entry point in the snapshot's entrypoints, or -1. */
static int
tk_entrypoint_port(const json_t *eps, const char *name)
{
	const json_t *e;
	size_t i;

	json_array_foreach(eps, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "name")),
		    name) == 0)
			return ((int)json_integer_value(json_object_get(e,
			    "port")));
	}
	return (-1);
}

/* Probes one host through one entry point into an item. */
static json_t *
tk_probe_item(struct tk *t, const json_t *row, const char *host,
    const char *ep, int port, int warn)
{
	json_t *item, *cert;
	char *why = NULL;
	const char *flag;

	item = json_pack("{s:s, s:O, s:s, s:s, s:o}", "instance", t->name,
	    "router", json_object_get(row, "name"), "host", host, "entrypoint",
	    ep, "address", json_sprintf("%s:%d", t->tls_host, port));
	if (port <= 0) {
		json_object_set_new(item, "flag", json_string("unreachable"));
		json_object_set_new(item, "error", json_sprintf("entry point "
		    "%s has no port racktop can reach; set tls_address", ep));
		return (item);
	}
	cert = tk_tls_probe(t->tls_host, port, host, t->opts.ca_file,
	    clock_scaled_ms(TK_PROBE_MS), clock_wall_ms(), &why);
	if (cert == NULL) {
		json_object_set_new(item, "flag", json_string("unreachable"));
		json_object_set_new(item, "error", json_string(why));
		free(why);
		return (item);
	}
	flag = tk_cert_flag(json_integer_value(json_object_get(cert,
	    "days_left")), json_is_true(json_object_get(cert, "verified")) &&
	    json_is_true(json_object_get(cert, "host_match")), warn);
	json_object_update(item, cert);
	json_decref(cert);
	json_object_set_new(item, "flag", json_string(flag));
	json_object_set_new(item, "error", json_string(""));
	return (item);
}

/*
 * Probes every TLS host of data's routers once per port (only: one
 * router, or NULL for all) into items; stop (may be NULL) ends it early.
 * Returns how many were flagged.
 */
static size_t
tk_probe_routers(struct tk *t, const json_t *data, const char *only,
    int warn, bool (*stop)(void *), void *arg, json_t *items)
{
	const json_t *row, *h, *e, *eps = json_object_get(data, "entrypoints");
	json_t *seen = json_object(), *item;
	size_t j, k, l, flagged = 0;
	const char *ep;
	char *key;
	int port;

	json_array_foreach(json_object_get(data, "routers"), j, row) {
		if (!json_is_true(json_object_get(row, "tls")) ||
		    strcmp(json_string_value(json_object_get(row,
		    "protocol")), "udp") == 0)
			continue;
		if (only != NULL && strcmp(only, json_string_value(
		    json_object_get(row, "name"))) != 0 && strcmp(only,
		    json_string_value(json_object_get(row, "router"))) != 0)
			continue;
		json_array_foreach(json_object_get(row, "hosts"), k, h) {
			json_array_foreach(json_object_get(row,
			    json_array_size(json_object_get(row, "using")) > 0 ?
			    "using" : "entry_points"), l, e) {
				if (stop != NULL && stop(arg))
					goto out;
				ep = json_string_value(e);
				port = t->tls_port > 0 ? t->tls_port :
				    tk_entrypoint_port(eps, ep);
				xasprintf(&key, "%s|%d", json_string_value(h),
				    port);
				if (json_object_get(seen, key) != NULL) {
					free(key);
					continue;
				}
				json_object_set_new(seen, key, json_true());
				free(key);
				item = tk_probe_item(t, row,
				    json_string_value(h), ep, port, warn);
				if (strcmp(json_string_value(json_object_get(
				    item, "flag")), "ok") != 0)
					flagged++;
				json_array_append_new(items, item);
			}
		}
	}
out:
	json_decref(seen);
	return (flagged);
}

static bool
tk_call_stop(void *arg)
{
	return (call_should_stop(arg));
}

/* traefik_get_certificate_status. */
static int
tk_cert_status(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	const char *only = call_arg_str(c, "router");
	int warn = (int)call_arg_int(c, "warn_days", TK_CERT_WARN_DAYS);
	json_t *items, *errors;
	int64_t age = 0;
	size_t n, i, flagged = 0, nerr = 0;
	char *why;
	struct tk *t;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		t = tk_of(ins[i]);
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    TK_MAX_AGE_S), tk_view_fetch, t, &v, &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		if (v.age_ms > age)
			age = v.age_ms;
		flagged += tk_probe_routers(t, v.data, only, warn, tk_call_stop,
		    c, items);
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	if (call_should_stop(c)) {
		json_decref(items);
		json_decref(errors);
		return (call_fail(c, "traefik: stopped: the call was cancelled "
		    "or timed out"));
	}
	if (call_list_result(c, items, age, errors) != 0)
		return (-1);
	json_object_set_new(c->result, "flagged", json_integer(
	    (json_int_t)flagged));
	json_object_set_new(c->result, "warn_days", json_integer(warn));
	return (0);
}

/* Schema fragments. */
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"edge\"],\"x-counterexamples\":[\"Edge Proxy\"]," \
	"\"description\":\"Configured Traefik instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"edge\"],\"x-counterexamples\":[\"Edge Proxy\"]," \
	"\"description\":\"Only this configured instance; every one when " \
	"left out.\"}"
#define S_NAME_PAT \
	"\"type\":\"string\",\"pattern\":\"^[a-z0-9][a-z0-9-]{0,62}$\"," \
	"\"examples\":[\"grafana\",\"home-assistant\"],\"x-counterexamples\":" \
	"[\"Grafana\",\"../etc\",\"a b\"]"
#define S_FILTERS \
	"\"protocol\":{\"enum\":[\"http\",\"tcp\",\"udp\"],\"description\":" \
	"\"Only this protocol.\"},\"status\":{\"enum\":[\"enabled\"," \
	"\"warning\",\"disabled\"],\"description\":\"Only this status " \
	"(disabled and warning ones carry Traefik's errors).\"}," \
	"\"provider\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64," \
	"\"description\":\"Only this provider: file, docker, internal...\"}," \
	"\"search\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":256," \
	"\"description\":\"Part of the name (or rule, or type), any case.\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_STRS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_STATUS "{\"enum\":[\"enabled\",\"warning\",\"disabled\"]}"
#define S_PROTO "{\"enum\":[\"http\",\"tcp\",\"udp\"]}"
#define ROUTER_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"name\",\"router\"," \
	"\"provider\",\"protocol\",\"status\",\"rule\",\"service\"," \
	"\"entry_points\",\"middlewares\",\"tls\",\"errors\",\"owned\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"name\":" S_STR ",\"router\":" \
	S_STR ",\"provider\":" S_STR ",\"protocol\":" S_PROTO ",\"status\":" \
	S_STATUS ",\"rule\":" S_STR ",\"hosts\":" S_STRS ",\"service\":" S_STR \
	",\"entry_points\":" S_STRS ",\"using\":" S_STRS ",\"middlewares\":" \
	S_STRS ",\"tls\":" S_BOOL ",\"cert_resolver\":{\"type\":[\"string\"," \
	"\"null\"]},\"passthrough\":" S_BOOL ",\"priority\":" S_INT \
	",\"errors\":" S_STRS ",\"error\":" S_STR ",\"owned\":" S_BOOL "}}"
#define SERVICE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"name\",\"service\"," \
	"\"provider\",\"protocol\",\"type\",\"status\",\"servers\"," \
	"\"servers_up\",\"servers_down\",\"health\",\"errors\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"name\":" S_STR ",\"service\":" \
	S_STR ",\"provider\":" S_STR ",\"protocol\":" S_PROTO ",\"type\":" S_STR \
	",\"status\":" S_STATUS ",\"servers\":{\"type\":\"array\",\"items\":{" \
	"\"type\":\"object\",\"required\":[\"url\",\"status\"],\"properties\":{" \
	"\"url\":" S_STR ",\"status\":{\"enum\":[\"up\",\"down\",\"unknown\"]}" \
	"}}},\"servers_up\":" S_INT ",\"servers_down\":" S_INT \
	",\"servers_total\":" S_INT ",\"health\":{\"enum\":[\"up\"," \
	"\"degraded\",\"down\",\"unknown\"]},\"used_by\":" S_STRS ",\"errors\":" \
	S_STRS ",\"error\":" S_STR "}}"
#define MIDDLEWARE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"name\"," \
	"\"middleware\",\"provider\",\"protocol\",\"type\",\"status\"," \
	"\"used_by\",\"errors\",\"config\"],\"properties\":{\"instance\":" S_STR \
	",\"name\":" S_STR ",\"middleware\":" S_STR ",\"provider\":" S_STR \
	",\"protocol\":" S_PROTO ",\"type\":" S_STR ",\"status\":" S_STATUS \
	",\"used_by\":" S_STRS ",\"errors\":" S_STRS ",\"error\":" S_STR \
	",\"config\":{\"type\":\"object\"},\"owned\":" S_BOOL "}}"
#define CERT_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"router\",\"host\"," \
	"\"entrypoint\",\"address\",\"flag\"],\"properties\":{\"instance\":" \
	S_STR ",\"router\":" S_STR ",\"host\":" S_STR ",\"entrypoint\":" S_STR \
	",\"address\":" S_STR ",\"flag\":{\"enum\":[\"ok\",\"expiring\"," \
	"\"expired\",\"untrusted\",\"unreachable\"]},\"subject\":" S_STR \
	",\"issuer\":" S_STR ",\"not_after\":" S_STR ",\"days_left\":" S_INT \
	",\"verified\":" S_BOOL ",\"verify_error\":" S_STR ",\"host_match\":" \
	S_BOOL ",\"fingerprint_sha256\":{\"type\":[\"string\",\"null\"]}," \
	"\"error\":" S_STR "}}"
#define APPLY_PROPS \
	"\"instance\":" S_STR ",\"file\":" S_STR ",\"loaded\":" S_BOOL \
	",\"waited_ms\":" S_INT ",\"traefik_status\":" S_STATUS ",\"errors\":" \
	S_STRS ",\"config\":{\"type\":\"object\"},\"dry_run\":" S_BOOL \
	",\"requests\":{\"type\":\"array\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the change it would make and do nothing.\"}"
#define S_HEADERS \
	"{\"type\":\"object\",\"additionalProperties\":{\"type\":" \
	"\"string\",\"maxLength\":4096},\"description\":\"Header name " \
	"-> value; an empty value removes the header.\"}"

static const struct rt_tool tk_tools[] = {
	{
	    .name = "traefik_list_routers",
	    .title = "List Traefik routers",
	    .description = "HTTP, TCP and UDP routers: status (enabled, "
		"warning, disabled), rule and its hosts, service, entry points, "
		"middlewares, TLS and cert resolver, and the errors Traefik "
		"reports for each; owned marks the routers racktop created.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_FILTERS ","
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ROUTER_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = tk_list_routers,
	},
	{
	    .name = "traefik_list_services",
	    .title = "List Traefik services",
	    .description = "HTTP, TCP and UDP services: type, status, each "
		"server with its health-check state (up or down), the routers "
		"using it and Traefik's errors. down_only keeps services with "
		"a server down.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_FILTERS
		",\"down_only\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Only services with a server down.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(SERVICE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = tk_list_services,
	},
	{
	    .name = "traefik_list_middlewares",
	    .title = "List Traefik middlewares",
	    .description = "HTTP and TCP middlewares: type, status, the "
		"routers using each, its configuration (basic-auth users by "
		"name only, never their hashes) and Traefik's errors.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_FILTERS ","
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(MIDDLEWARE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = tk_list_middlewares,
	},
	{
	    .name = "traefik_create_router",
	    .title = "Create a Traefik router",
	    .description = "Adds an HTTP router NAME@file through Traefik's "
		"file provider (racktop-router-NAME.yaml in dynamic_dir): a "
		"rule, an existing service or a backend URL (racktop adds the "
		"service), entry points, TLS with a cert resolver, "
		"middlewares. Waits until Traefik's API shows it; if Traefik "
		"does not load it in time the file is removed again and the "
		"call fails. Unavailable without dynamic_dir.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"name\",\"rule\"],\"properties\":{"
		S_INSTANCE ",\"name\":{" S_NAME_PAT ",\"description\":\"Router "
		"name (racktop adds @file).\"},\"rule\":{\"type\":\"string\","
		"\"minLength\":3,\"maxLength\":2048,\"description\":\"Traefik "
		"rule, e.g. Host(`grafana.lab.example`).\"},\"service\":{"
		"\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9._-]*"
		"(@[a-z0-9-]+)?$\",\"examples\":[\"grafana@docker\",\"api@"
		"internal\"],\"x-counterexamples\":[\"a b\",\"@file\"],"
		"\"description\":\"An existing service (name@provider).\"},"
		"\"backend_url\":{\"type\":\"string\",\"pattern\":\"^https?://"
		"[^\\\\s/]+(/\\\\S*)?$\",\"examples\":[\"http://10.0.0.5:3000\"],"
		"\"x-counterexamples\":[\"10.0.0.5:3000\",\"http://a b\"],"
		"\"description\":\"Instead of service: the backend racktop "
		"puts in a new service NAME@file.\"},\"entrypoints\":{\"type\":"
		"\"array\",\"maxItems\":16,\"items\":{\"type\":\"string\","
		"\"pattern\":\"^[A-Za-z0-9_-]{1,64}$\",\"examples\":["
		"\"websecure\"],\"x-counterexamples\":[\"web secure\"]},"
		"\"description\":\"Entry points; all of them when left out.\"},"
		"\"tls\":{\"type\":\"boolean\",\"default\":false,\"description\":"
		"\"Serve over TLS (implied by cert_resolver).\"},"
		"\"cert_resolver\":{\"type\":\"string\",\"pattern\":"
		"\"^[A-Za-z0-9_-]{1,64}$\",\"examples\":[\"letsencrypt\"],"
		"\"x-counterexamples\":[\"lets encrypt\"],\"description\":"
		"\"Certificate resolver from Traefik's static configuration.\"},"
		"\"middlewares\":{\"type\":\"array\",\"maxItems\":32,\"items\":{"
		"\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9._-]*"
		"(@[a-z0-9-]+)?$\",\"examples\":[\"auth@file\"],"
		"\"x-counterexamples\":[\"auth file\"]},\"description\":"
		"\"Middlewares in order (name@provider).\"},\"priority\":{"
		"\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000,"
		"\"description\":\"Router priority; Traefik derives one from "
		"the rule length when left out.\"},\"replace\":{\"type\":"
		"\"boolean\",\"default\":false,\"description\":\"Replace a "
		"router racktop created before.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"router\",\"status\",\"file\"],\"properties\":{" APPLY_PROPS
		",\"router\":" S_STR ",\"status\":{\"enum\":[\"created\","
		"\"replaced\"]}}}",
	    .flags = RT_OPEN_WORLD,
	    .call = tk_create_router,
	},
	{
	    .name = "traefik_delete_router",
	    .title = "Delete a Traefik router",
	    .description = "Deletes a router racktop created (and the service "
		"it added for a backend_url) by removing its racktop-router-"
		"NAME.yaml, then waits until Traefik's API no longer shows it; "
		"if Traefik does not drop it in time the file is put back. "
		"Routers from other files or providers are refused.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"name\"],\"properties\":{" S_INSTANCE
		",\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]"
		"[a-z0-9-]{0,62}(@[a-z0-9-]+)?$\",\"examples\":[\"grafana\","
		"\"grafana@file\"],\"x-counterexamples\":[\"../x\",\"Grafana\"],"
		"\"description\":\"Router name, with or without @file.\"},"
		S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"router\",\"status\",\"file\"],\"properties\":{" APPLY_PROPS
		",\"router\":" S_STR ",\"status\":{\"enum\":[\"deleted\","
		"\"dry_run\"]}}}",
	    .flags = RT_DESTRUCTIVE | RT_OPEN_WORLD,
	    .call = tk_delete_router,
	    .describe = tk_describe_delete,
	},
	{
	    .name = "traefik_manage_middleware",
	    .title = "Manage a Traefik middleware",
	    .description = "Creates, updates or deletes an HTTP middleware "
		"NAME@file racktop owns (racktop-middleware-NAME.yaml): "
		"basic_auth (users as htpasswd lines), rate_limit, headers, "
		"redirect (scheme, or regex and replacement) or ip_allow_list. "
		"Waits until Traefik's API shows the change and puts the "
		"previous file back if it does not. A middleware still used by "
		"routers is not deleted.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"action\",\"name\"],\"properties\":{"
		S_INSTANCE ",\"action\":{\"enum\":[\"create\",\"update\","
		"\"delete\"]},\"name\":{" S_NAME_PAT ",\"description\":"
		"\"Middleware name (racktop adds @file).\"},\"type\":{\"enum\":["
		"\"basic_auth\",\"rate_limit\",\"headers\",\"redirect\","
		"\"ip_allow_list\"],\"description\":\"Required to create or "
		"update.\"},\"settings\":{\"type\":\"object\","
		"\"additionalProperties\":false,\"properties\":{"
		"\"htpasswd\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":64,"
		"\"items\":{\"type\":\"string\",\"pattern\":\"^[^:\\\\s]+:(\\\\$"
		"(apr1|2[aby]|5|6)\\\\$\\\\S+|\\\\{SHA\\\\}\\\\S+)$\",\"examples\":"
		"[\"admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\"],"
		"\"x-counterexamples\":[\"admin:secret\"]},\"description\":"
		"\"basic_auth: htpasswd lines (hashed, never plain).\"},"
		"\"realm\":{\"type\":\"string\",\"maxLength\":128},"
		"\"remove_header\":" S_BOOL ",\"average\":{\"type\":\"integer\","
		"\"minimum\":0,\"description\":\"rate_limit: requests per "
		"period.\"},\"burst\":{\"type\":\"integer\",\"minimum\":1},"
		"\"period\":{\"type\":\"string\",\"pattern\":\"^[0-9]+(ms|s|m|h)"
		"$\",\"examples\":[\"1s\",\"1m\"],\"x-counterexamples\":"
		"[\"second\"]},\"request_headers\":" S_HEADERS
		",\"response_headers\":" S_HEADERS ",\"sts_seconds\":{\"type\":"
		"\"integer\",\"minimum\":0},\"sts_include_subdomains\":" S_BOOL
		",\"frame_deny\":" S_BOOL ",\"content_type_nosniff\":" S_BOOL
		",\"referrer_policy\":{\"type\":\"string\",\"maxLength\":64},"
		"\"scheme\":{\"enum\":[\"http\",\"https\"]},\"port\":{\"type\":"
		"\"string\",\"pattern\":\"^[0-9]{1,5}$\",\"examples\":[\"443\"],"
		"\"x-counterexamples\":[\"https\"]},\"permanent\":" S_BOOL
		",\"regex\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"1024},\"replacement\":{\"type\":\"string\",\"maxLength\":1024},"
		"\"source_range\":{\"type\":\"array\",\"minItems\":1,"
		"\"maxItems\":256,\"items\":{\"type\":\"string\",\"pattern\":"
		"\"^([0-9]{1,3}(\\\\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)"
		"(/[0-9]{1,3})?$\",\"examples\":[\"192.168.1.0/24\","
		"\"10.0.0.5\"],\"x-counterexamples\":[\"lan\"]}},\"depth\":{"
		"\"type\":\"integer\",\"minimum\":0,\"maximum\":64}}},"
		S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"middleware\",\"status\",\"file\"],\"properties\":{"
		APPLY_PROPS ",\"middleware\":" S_STR ",\"action\":{\"enum\":["
		"\"create\",\"update\",\"delete\"]},\"status\":{\"enum\":["
		"\"created\",\"updated\",\"deleted\",\"dry_run\"]}}}",
	    .flags = RT_DESTRUCTIVE | RT_OPEN_WORLD,
	    .call = tk_manage_middleware,
	    .describe = tk_describe_middleware,
	},
	{
	    .name = "traefik_get_certificate_status",
	    .title = "Traefik certificate status",
	    .description = "For each host of each TLS router: a TLS handshake "
		"through its entry point (on 127.0.0.1, or tls_address) with "
		"the host as SNI, and the certificate Traefik serves: issuer, "
		"expiry, days left, whether it verifies. Flags certificates "
		"expired or expiring within warn_days (default 14), untrusted "
		"ones, and hosts that cannot be reached.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"router\":{\"type\":"
		"\"string\",\"minLength\":1,\"maxLength\":256,\"description\":"
		"\"Only this router (name or name@provider).\"},\"warn_days\":{"
		"\"type\":\"integer\",\"minimum\":0,\"maximum\":365,"
		"\"default\":14,\"description\":\"Flag certificates expiring "
		"within this many days.\"}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(CERT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = tk_cert_status,
	},
	{ .name = NULL },
};

static const struct rt_column tk_router_columns[] = {
	{ "Router", "/name", RT_COL_TEXT, 0 },
	{ "Proto", "/protocol", RT_COL_TEXT, 5 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "Rule", "/rule", RT_COL_TEXT, 32 },
	{ "Service", "/service", RT_COL_TEXT, 18 },
	{ "TLS", "/tls", RT_COL_TEXT, 5 },
	{ "Error", "/error", RT_COL_TEXT, 30 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey tk_router_keys[] = {
	{ 'd', "delete", "traefik_delete_router",
	    "{\"instance\":\"/instance\",\"name\":\"/name\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column tk_service_columns[] = {
	{ "Service", "/name", RT_COL_TEXT, 0 },
	{ "Proto", "/protocol", RT_COL_TEXT, 5 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "Health", "/health", RT_COL_STATE, 8 },
	{ "Up", "/servers_up", RT_COL_NUMBER, 4 },
	{ "Down", "/servers_down", RT_COL_NUMBER, 4 },
	{ "Type", "/type", RT_COL_TEXT, 12 },
	{ "Error", "/error", RT_COL_TEXT, 30 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_view tk_views[] = {
	{ "routers", "Routers", "/routers", tk_router_columns,
	    tk_router_keys },
	{ "services", "Services", "/services", tk_service_columns, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service traefik_service = {
	.name = "traefik",
	.title = "Traefik",
	.tools = tk_tools,
	.views = tk_views,
	.refresh_s = TK_REFRESH_S,
	.create = tk_create,
	.destroy = tk_destroy,
	.poll = tk_poll,
	.problems = traefik_problems,
};
