/*
 * The simulated Traefik API (/api, read-only) and a TLS entry point.
 *
 * Follows Traefik v3's pkg/api handlers and runtime types: lists sorted by
 * name, ?page and ?per_page (default 100) with X-Next-Page (1 when there
 * is no next page; a page past the end is a 400), search and status
 * filters, objects named NAME@PROVIDER, and per-object "error" lists with
 * a status: a missing service or middleware disables a router ("the
 * service \"x@file\" does not exist"), an unknown entry point is a warning
 * ("entryPoint \"x\" doesn't exist"), a middleware without exactly one
 * known type is disabled. Errors are {"message": "..."}.
 *
 * Providers: "internal" (api, dashboard), "docker" (a fixed lab, plus bulk
 * routers from the add_routers op) and "file": a private directory
 * (dynamic_dir in the endpoints file) read like Traefik's file provider.
 * Every request first looks at the directory; a change (names, sizes,
 * mtimes of *.yml, *.yaml, *.toml) is loaded once it has been stable for
 * reload_delay_ms (Traefik's providersThrottleDuration). The simulator
 * understands the JSON form of YAML only (what racktop writes; leading
 * "#" comment lines are skipped): a file it cannot parse freezes the whole
 * file provider, as in Traefik, and is reported only on stderr (Traefik's
 * log). A router, service or middleware defined in two files is kept from
 * the first file by name order and the second is skipped, as Traefik does.
 *
 * The "websecure" entry point is a real TLS listener on 127.0.0.1 that
 * serves, by SNI, a certificate for each host of a TLS router, issued by a
 * CA generated at start (ca_file in the endpoints file), valid 90 days
 * (paperless.lab.example: 10, so the lab has one to renew);
 * the cert_days op sets a host's days left (negative: expired). Unknown
 * hosts get Traefik's self-signed "TRAEFIK DEFAULT CERT". Certificates use
 * the wall clock, whatever --clock says: clients check them against it.
 *
 * Control ops (POST /state): add_routers {count}, server {url, up},
 * cert_days {host, days}, reload_delay_ms {ms}.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "sim/sim-ext.h"
#include "sim/sim.h"

#define TK_PROVIDERS 3		/* internal, docker, file */
#define TK_RELOAD_MS 300
#define TK_CERT_DAYS 90
#define TK_MAX_CERTS 256

struct tk_cert {
	char *host;
	int days;
	X509 *x509;
};

struct tk_state {
	struct sim_service *svc;
	char *root;		/* private folder */
	char *dir;		/* root/dynamic: the file provider's */
	char *ca_path;

	json_t *conf[TK_PROVIDERS];	/* dynamic configuration per provider */
	json_t *rt;		/* runtime: {http,tcp,udp: {routers,...}} */
	char *sig;		/* the directory as last loaded */
	char *pending;		/* a newer directory state, waiting */
	int64_t pending_since;
	int reload_ms;
	json_t *down;		/* server URL -> true when DOWN */
	json_t *cert_days;	/* host -> days left */
	unsigned bulk;

	EVP_PKEY *ca_key, *key;
	X509 *ca;
	long serial;
	struct tk_cert certs[TK_MAX_CERTS];
	size_t ncerts;
	X509 *default_cert;
	SSL_CTX *ctx;
	int tls_fd, tls_port, stop_pipe[2];
	pthread_t tls_thread;
	bool tls_running;
};

static const char *const tk_provider_names[TK_PROVIDERS] = { "internal",
    "docker", "file" };

/* The lab's docker provider. */
static const char tk_docker_lab[] =
    "{\"http\":{\"routers\":{"
    "\"grafana\":{\"rule\":\"Host(`grafana.lab.example`)\",\"service\":"
    "\"grafana\",\"entryPoints\":[\"websecure\"],\"tls\":{\"certResolver\":"
    "\"le\"}},"
    "\"jellyfin\":{\"rule\":\"Host(`jellyfin.lab.example`)\",\"service\":"
    "\"jellyfin\",\"entryPoints\":[\"websecure\"],\"tls\":{\"certResolver\":"
    "\"le\"},\"middlewares\":[\"secure-headers@file\"]},"
    "\"whoami\":{\"rule\":\"Host(`whoami.lab.example`) && PathPrefix(`/`)\","
    "\"service\":\"whoami\",\"entryPoints\":[\"web\"]},"
    "\"paperless\":{\"rule\":\"Host(`paperless.lab.example`)\",\"service\":"
    "\"paperless-svc\",\"entryPoints\":[\"websecure\"],\"tls\":{}}},"
    "\"services\":{"
    "\"grafana\":{\"loadBalancer\":{\"servers\":[{\"url\":"
    "\"http://10.0.0.21:3000\"}],\"passHostHeader\":true}},"
    "\"jellyfin\":{\"loadBalancer\":{\"servers\":[{\"url\":"
    "\"http://10.0.0.22:8096\"},{\"url\":\"http://10.0.0.23:8096\"}],"
    "\"passHostHeader\":true}},"
    "\"whoami\":{\"loadBalancer\":{\"servers\":[{\"url\":"
    "\"http://10.0.0.24:80\"}],\"passHostHeader\":true}}}},"
    "\"tcp\":{\"routers\":{\"postgres\":{\"rule\":"
    "\"HostSNI(`db.lab.example`)\",\"service\":\"postgres\","
    "\"entryPoints\":[\"websecure\"],\"tls\":{\"passthrough\":true}}},"
    "\"services\":{\"postgres\":{\"loadBalancer\":{\"servers\":[{"
    "\"address\":\"10.0.0.30:5432\"}]}}}},"
    "\"udp\":{\"routers\":{\"dns\":{\"service\":\"dns\",\"entryPoints\":"
    "[\"dns\"]}},\"services\":{\"dns\":{\"loadBalancer\":{\"servers\":[{"
    "\"address\":\"10.0.0.53:53\"}]}}}}}";

/* Traefik's own routers and services. */
static const char tk_internal[] =
    "{\"http\":{\"routers\":{\"api\":{\"rule\":\"PathPrefix(`/api`)\","
    "\"service\":\"api@internal\",\"entryPoints\":[\"traefik\"],"
    "\"priority\":9223372036854775806},\"dashboard\":{\"rule\":"
    "\"PathPrefix(`/`)\",\"service\":\"dashboard@internal\",\"entryPoints\":"
    "[\"traefik\"],\"priority\":9223372036854775805,\"middlewares\":["
    "\"dashboard_redirect@internal\"]}},\"services\":{\"api\":{},"
    "\"dashboard\":{},\"noop\":{}},\"middlewares\":{\"dashboard_redirect\":"
    "{\"redirectRegex\":{\"regex\":\"^(http:\\\\/\\\\/(\\\\[[\\\\w:.]+\\\\]|"
    "[\\\\w\\\\._-]+)(:\\\\d+)?)\\\\/$\",\"replacement\":\"${1}/dashboard/\","
    "\"permanent\":true}}}}}";

/* The operator's own file, which racktop must never touch. */
static const char tk_lab_file[] =
    "# The operator's file (JSON is YAML).\n"
    "{\"http\":{\"routers\":{"
    "\"nas\":{\"rule\":\"Host(`nas.lab.example`)\",\"service\":\"nas\","
    "\"entryPoints\":[\"websecure\"],\"tls\":{\"certResolver\":\"le\"},"
    "\"middlewares\":[\"lan-only\"]},"
    "\"homeassistant\":{\"rule\":\"Host(`ha.lab.example`)\",\"service\":"
    "\"homeassistant\",\"entryPoints\":[\"websecure\",\"websecure-old\"],"
    "\"tls\":{\"certResolver\":\"le\"}},"
    "\"legacy\":{\"rule\":\"Host(`legacy.lab.example`)\",\"service\":"
    "\"nas\",\"entryPoints\":[\"web\"],\"middlewares\":[\"sso\"]}},"
    "\"services\":{"
    "\"nas\":{\"loadBalancer\":{\"servers\":[{\"url\":"
    "\"http://10.0.0.40:5000\"}]}},"
    "\"homeassistant\":{\"loadBalancer\":{\"servers\":[{\"url\":"
    "\"http://10.0.0.41:8123\"}]}}},"
    "\"middlewares\":{"
    "\"lan-only\":{\"ipAllowList\":{\"sourceRange\":[\"192.168.1.0/24\","
    "\"10.0.0.0/8\"]}},"
    "\"secure-headers\":{\"headers\":{\"frameDeny\":true,"
    "\"stsSeconds\":31536000}},"
    "\"admin-auth\":{\"basicAuth\":{\"users\":["
    "\"admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\"]}}}}}\n";

/* The known middleware types (the lower-case "type" is the API's). */
static const char *const tk_mw_types[] = { "addPrefix", "basicAuth",
    "buffering", "chain", "circuitBreaker", "compress", "contentType",
    "digestAuth", "errors", "forwardAuth", "grpcWeb", "headers",
    "ipAllowList", "inFlightReq", "passTLSClientCert", "rateLimit",
    "redirectRegex", "redirectScheme", "replacePath", "replacePathRegex",
    "retry", "stripPrefix", "stripPrefixRegex", NULL };

/* "name" qualified with provider unless it names one. */
static char *
tk_qualify(const char *name, const char *provider)
{
	char *s;

	if (strchr(name, '@') != NULL)
		return (xstrdup(name));
	xasprintf(&s, "%s@%s", name, provider);
	return (s);
}

/* Appends s to the string array a unless present. */
static void
tk_add_unique(json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (strcmp(json_string_value(v), s) == 0)
			return;
	}
	json_array_append_new(a, json_string(s));
}

/* Adds an error to a runtime object; critical disables it. */
static void
tk_add_error(json_t *o, const char *msg, bool critical)
{
	json_t *errs = json_object_get(o, "error");

	if (errs == NULL) {
		errs = json_array();
		json_object_set_new(o, "error", errs);
	}
	tk_add_unique(errs, msg);
	if (critical)
		json_object_set_new(o, "status", json_string("disabled"));
	else if (strcmp(json_string_value(json_object_get(o, "status")),
	    "disabled") != 0)
		json_object_set_new(o, "status", json_string("warning"));
}

/* The entry points: name -> address. */
static json_t *
tk_entrypoints(struct tk_state *st)
{
	return (json_pack("{s:s, s:o, s:o, s:s}", "web", ":80", "websecure",
	    json_sprintf(":%d", st->tls_port), "traefik", json_sprintf(":%u",
	    sim_service_port(st->svc)), "dns", ":53/udp"));
}

/* Builds the runtime configuration from every provider (lock held). */
static void
tk_build(struct tk_state *st)
{
	static const char *const protos[] = { "http", "tcp", "udp" };
	json_t *rt = json_object(), *p, *eps = tk_entrypoints(st), *o, *using;
	json_t *routers, *services, *mws;
	const json_t *src, *v, *e, *s;
	const char *name, *key, *k2;
	char *q, *msg;
	size_t i, j, k, pi, n, nvalid;

	for (i = 0; i < 3; i++)
		json_object_set_new(rt, protos[i], json_pack("{s:{}, s:{}, s:{}}",
		    "routers", "services", "middlewares"));
	/* Copy every object in, qualified and with status enabled. */
	for (pi = 0; pi < TK_PROVIDERS; pi++) {
		for (i = 0; i < 3; i++) {
			p = json_object_get(rt, protos[i]);
			src = json_object_get(st->conf[pi], protos[i]);
			json_object_foreach((json_t *)src, key, v) {
				if (!json_is_object(v) || json_object_get(p,
				    key) == NULL)
					continue;
				json_object_foreach((json_t *)v, name, s) {
					if (!json_is_object(s))
						continue;
					q = tk_qualify(name, tk_provider_names[pi]);
					o = json_deep_copy(s);
					json_object_set_new(o, "status",
					    json_string("enabled"));
					json_object_set_new(json_object_get(p, key),
					    q, o);
					free(q);
				}
			}
		}
	}
	for (i = 0; i < 3; i++) {
		p = json_object_get(rt, protos[i]);
		routers = json_object_get(p, "routers");
		services = json_object_get(p, "services");
		mws = json_object_get(p, "middlewares");
		json_object_foreach(mws, name, o) {
			char type[32] = "";

			n = 0;
			json_object_foreach(o, key, v) {
				for (j = 0; tk_mw_types[j] != NULL; j++) {
					if (strcmp(key, tk_mw_types[j]) != 0)
						continue;
					n++;
					for (k = 0; key[k] != '\0' &&
					    k < sizeof type - 1; k++)
						type[k] = (char)tolower(
						    (unsigned char)key[k]);
					type[k] = '\0';
				}
			}
			if (n != 1) {
				xasprintf(&msg, "invalid middleware \"%s\" "
				    "configuration: invalid middleware type or "
				    "middleware does not exist", name);
				tk_add_error(o, msg, true);
				free(msg);
				*type = '\0';
			}
			json_object_set_new(o, "type", json_string(type));
		}
		json_object_foreach(routers, name, o) {
			const char *provider = strchr(name, '@') + 1;

			/* Entry points: all of them when none is named. */
			using = json_array();
			nvalid = 0;
			if (json_array_size(json_object_get(o, "entryPoints")) ==
			    0) {
				json_object_foreach(eps, k2, e)
					json_array_append_new(using,
					    json_string(k2));
				nvalid = json_array_size(using);
			}
			json_array_foreach(json_object_get(o, "entryPoints"), j,
			    e) {
				if (json_object_get(eps, json_string_value(e)) ==
				    NULL) {
					xasprintf(&msg, "entryPoint \"%s\" "
					    "doesn't exist", json_string_value(e));
					tk_add_error(o, msg, false);
					free(msg);
					continue;
				}
				nvalid++;
				tk_add_unique(using, json_string_value(e));
			}
			if (nvalid == 0)
				tk_add_error(o, "no valid entryPoint for this "
				    "router", true);
			json_object_set_new(o, "using", using);
			if (json_is_object(json_object_get(o, "tls")) &&
			    i == 0 && json_object_get(json_object_get(o, "tls"),
			    "options") == NULL)
				json_object_set_new(json_object_get(o, "tls"),
				    "options", json_string("default"));
			q = tk_qualify(json_string_value(json_object_get(o,
			    "service")) != NULL ? json_string_value(
			    json_object_get(o, "service")) : "", provider);
			if ((s = json_object_get(services, q)) == NULL) {
				xasprintf(&msg, "the service \"%s\" does not "
				    "exist", q);
				tk_add_error(o, msg, true);
				free(msg);
			} else {
				if (json_object_get(s, "usedBy") == NULL)
					json_object_set_new((json_t *)s,
					    "usedBy", json_array());
				tk_add_unique(json_object_get(s, "usedBy"), name);
			}
			free(q);
			json_array_foreach(json_object_get(o, "middlewares"), j,
			    e) {
				q = tk_qualify(json_string_value(e), provider);
				if ((s = json_object_get(mws, q)) == NULL) {
					xasprintf(&msg, "middleware \"%s\" does "
					    "not exist", q);
					tk_add_error(o, msg, true);
					free(msg);
				} else {
					if (json_object_get(s, "usedBy") == NULL)
						json_object_set_new((json_t *)s,
						    "usedBy", json_array());
					tk_add_unique(json_object_get(s,
					    "usedBy"), name);
				}
				free(q);
			}
		}
		json_object_foreach(services, name, o) {
			const json_t *lb = json_object_get(o, "loadBalancer");
			const json_t *srv;
			json_t *ss;

			json_object_set_new(o, "type", json_string(lb != NULL ?
			    "loadbalancer" : json_object_get(o, "weighted") !=
			    NULL ? "weighted" : json_object_get(o, "mirroring") !=
			    NULL ? "mirroring" : ""));
			if (lb == NULL || i != 0 || json_object_get(o,
			    "usedBy") == NULL)
				continue;
			ss = json_object();
			json_array_foreach(json_object_get(lb, "servers"), j,
			    srv) {
				const char *url = json_string_value(
				    json_object_get(srv, "url"));

				if (url != NULL)
					json_object_set_new(ss, url, json_string(
					    json_object_get(st->down, url) !=
					    NULL ? "DOWN" : "UP"));
			}
			json_object_set_new(o, "serverStatus", ss);
		}
	}
	json_decref(eps);
	json_decref(st->rt);
	st->rt = rt;
}

/* Parses one file the JSON way; NULL and *cause when it does not. */
static json_t *
tk_load_file(const char *path, char **cause)
{
	json_error_t err;
	json_t *j;
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = xstrdup("");
	}
	fclose(f);
	/* YAML comment lines before the JSON document. */
	for (p = text; *p == '#' || *p == '\n' || *p == ' ';) {
		if (*p == '#')
			p += strcspn(p, "\n");
		else
			p++;
	}
	if (*p == '\0')
		j = json_object();	/* an empty file is an empty config */
	else if ((j = json_loads(p, 0, &err)) == NULL || !json_is_object(j)) {
		xasprintf(cause, "cannot read the file %s: line %d: %s", path,
		    err.line, j == NULL ? err.text : "not a mapping");
		json_decref(j);
		j = NULL;
	}
	free(text);
	return (j);
}

/* Whether the file provider reads a name. */
static bool
tk_reads(const char *name)
{
	size_t n = strlen(name);

	return (name[0] != '.' && ((n > 4 && strcmp(name + n - 4, ".yml") ==
	    0) || (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 5 &&
	    strcmp(name + n - 5, ".toml") == 0)));
}

/* Sorted names the provider reads (caller frees each and the array). */
static char **
tk_list_dir(const char *dir, size_t *n)
{
	struct dirent **ents = NULL;
	char **names = NULL;
	int i, k;

	*n = 0;
	if ((k = scandir(dir, &ents, NULL, alphasort)) < 0)
		return (NULL);
	names = xcalloc((size_t)k + 1, sizeof *names);
	for (i = 0; i < k; i++) {
		if (tk_reads(ents[i]->d_name))
			names[(*n)++] = xstrdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return (names);
}

/* The directory's state: names, sizes, mtimes (caller frees). */
static char *
tk_dir_sig(const char *dir)
{
	struct stat sb;
	char **names, *sig = xstrdup(""), *path, *next;
	size_t n, i;

	names = tk_list_dir(dir, &n);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0) {
			xasprintf(&next, "%s%s:%lld:%lld.%ld:%llu;", sig,
			    names[i], (long long)sb.st_size,
			    (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec,
			    (unsigned long long)sb.st_ino);
			free(sig);
			sig = next;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return (sig);
}

/* Loads the directory into the file provider, or freezes it. */
static void
tk_load_dir(struct tk_state *st)
{
	static const char *const protos[] = { "http", "tcp", "udp" };
	static const char *const kinds[] = { "routers", "services",
	    "middlewares" };
	char **names, *path, *why = NULL;
	json_t *conf = json_object(), *j, *dst;
	const json_t *src, *v;
	const char *name;
	size_t n, i, p, k;

	names = tk_list_dir(st->dir, &n);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", st->dir, names[i]);
		j = why == NULL ? tk_load_file(path, &why) : NULL;
		free(path);
		if (j == NULL)
			continue;
		for (p = 0; p < 3; p++) {
			for (k = 0; k < 3; k++) {
				src = json_object_get(json_object_get(j,
				    protos[p]), kinds[k]);
				if (!json_is_object(src))
					continue;
				if (json_object_get(conf, protos[p]) == NULL)
					json_object_set_new(conf, protos[p],
					    json_object());
				dst = json_object_get(json_object_get(conf,
				    protos[p]), kinds[k]);
				if (dst == NULL) {
					dst = json_object();
					json_object_set_new(json_object_get(
					    conf, protos[p]), kinds[k], dst);
				}
				json_object_foreach((json_t *)src, name, v) {
					if (json_object_get(dst, name) != NULL) {
						fprintf(stderr, "racktop-sim "
						    "traefik: %s %s %s already "
						    "configured, skipping (%s)\n",
						    protos[p], kinds[k], name,
						    names[i]);
						continue;
					}
					json_object_set(dst, name, (json_t *)v);
				}
			}
		}
		json_decref(j);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (why != NULL) {
		/* Traefik keeps the last good configuration. */
		fprintf(stderr, "racktop-sim traefik: error while building "
		    "configuration (file provider frozen): %s\n", why);
		free(why);
		json_decref(conf);
		return;
	}
	json_decref(st->conf[2]);
	st->conf[2] = conf;
	tk_build(st);
}

/* Notices directory changes; loads them once stable (lock held). */
static void
tk_watch(struct tk_state *st)
{
	int64_t now = clock_mono_ms();
	char *sig = tk_dir_sig(st->dir);

	if (st->sig != NULL && strcmp(sig, st->sig) == 0) {
		free(st->pending);
		st->pending = NULL;
		free(sig);
		return;
	}
	if (st->pending == NULL || strcmp(st->pending, sig) != 0) {
		free(st->pending);
		st->pending = sig;
		st->pending_since = now;
		if (st->sig != NULL && st->reload_ms > 0)
			return;
	} else
		free(sig);
	if (st->sig != NULL && now - st->pending_since < st->reload_ms)
		return;
	free(st->sig);
	st->sig = st->pending;
	st->pending = NULL;
	tk_load_dir(st);
}

/* A certificate for host, signed by the CA (or self-signed). */
static X509 *
tk_make_cert(struct tk_state *st, const char *cn, int days, bool self)
{
	X509 *x = X509_new();
	X509_NAME *n;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	char *san;
	time_t now = time(NULL);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++st->serial);
	/* Issued (90 - days) days ago, so days left is what was asked. */
	X509_time_adj_ex(X509_getm_notBefore(x), -(TK_CERT_DAYS -
	    (days < TK_CERT_DAYS ? days : 0)) - 1, 0, &now);
	X509_time_adj_ex(X509_getm_notAfter(x), days, 3600, &now);
	X509_set_pubkey(x, st->key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, self ? n : X509_get_subject_name(st->ca));
	if (!self) {
		X509V3_set_ctx(&v3, st->ca, x, NULL, NULL, 0);
		xasprintf(&san, "DNS:%s", cn);
		if ((ext = X509V3_EXT_conf_nid(NULL, &v3,
		    NID_subject_alt_name, san)) != NULL) {
			X509_add_ext(x, ext, -1);
			X509_EXTENSION_free(ext);
		}
		free(san);
	}
	X509_sign(x, self ? st->key : st->ca_key, EVP_sha256());
	return (x);
}

/* Whether a TLS router's rule names host (lock held). */
static bool
tk_host_routed(struct tk_state *st, const char *host)
{
	static const char *const protos[] = { "http", "tcp" };
	const json_t *o;
	const char *name, *rule;
	char *needle;
	bool found = false;
	size_t i;

	xasprintf(&needle, "`%s`", host);
	for (i = 0; i < 2 && !found; i++) {
		json_object_foreach(json_object_get(json_object_get(st->rt,
		    protos[i]), "routers"), name, o) {
			rule = json_string_value(json_object_get(o, "rule"));
			if (json_is_object(json_object_get(o, "tls")) &&
			    rule != NULL && strcasestr(rule, needle) != NULL)
				found = true;
		}
	}
	free(needle);
	return (found);
}

/* The certificate for an SNI name (lock held). */
static X509 *
tk_cert_for(struct tk_state *st, const char *host)
{
	const json_t *d = json_object_get(st->cert_days, host);
	int days = json_is_integer(d) ? (int)json_integer_value(d) :
	    TK_CERT_DAYS;
	size_t i;

	if (host == NULL || !tk_host_routed(st, host))
		return (st->default_cert);
	for (i = 0; i < st->ncerts; i++) {
		if (strcasecmp(st->certs[i].host, host) != 0)
			continue;
		if (st->certs[i].days != days) {
			X509_free(st->certs[i].x509);
			st->certs[i].x509 = tk_make_cert(st, host, days, false);
			st->certs[i].days = days;
		}
		return (st->certs[i].x509);
	}
	if (st->ncerts == TK_MAX_CERTS)
		return (st->default_cert);
	st->certs[st->ncerts].host = xstrdup(host);
	st->certs[st->ncerts].days = days;
	st->certs[st->ncerts].x509 = tk_make_cert(st, host, days, false);
	return (st->certs[st->ncerts++].x509);
}

/* SNI: picks the certificate, as Traefik's TLS store does. */
static int
tk_sni(SSL *ssl, int *alert, void *arg)
{
	struct tk_state *st = arg;
	const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	X509 *cert;

	(void)alert;
	sim_service_lock(st->svc);
	cert = tk_cert_for(st, host);
	SSL_use_certificate(ssl, cert);
	SSL_use_PrivateKey(ssl, st->key);
	sim_service_unlock(st->svc);
	return (SSL_TLSEXT_ERR_OK);
}

/* The TLS entry point: one handshake at a time, then close. */
static void *
tk_tls_main(void *arg)
{
	struct tk_state *st = arg;
	struct pollfd pfd[2];
	struct timeval tv;
	SSL *ssl;
	int64_t ms;
	int fd;

	/*
	 * A stalled client holds the entry point 5 s at most: longer than
	 * racktop's 3 s probe, so racktop's deadline decides, and scaled like
	 * it, for a racktop under valgrind (make memcheck) that reads the
	 * system CAs mid-handshake.
	 */
	ms = clock_scaled_ms(5000);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	for (;;) {
		pfd[0].fd = st->tls_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = st->stop_pipe[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents != 0)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if ((fd = accept4(st->tls_fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if ((ssl = SSL_new(st->ctx)) != NULL) {
			SSL_set_fd(ssl, fd);
			if (SSL_accept(ssl) == 1) {
				const char ok[] = "HTTP/1.1 404 Not Found\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n";

				SSL_write(ssl, ok, (int)sizeof ok - 1);
				SSL_shutdown(ssl);
			}
			SSL_free(ssl);
		}
		ERR_clear_error();
		close(fd);
	}
	return (NULL);
}

/* Starts the TLS listener on 127.0.0.1 (any port). */
static void
tk_tls_start(struct tk_state *st)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((st->tls_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1 || bind(st->tls_fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(st->tls_fd, 16) != 0 || getsockname(st->tls_fd,
	    (struct sockaddr *)&sin, &len) != 0 || pipe2(st->stop_pipe,
	    O_CLOEXEC) != 0)
		fatal("%s: TLS entry point", __func__);
	st->tls_port = ntohs(sin.sin_port);
	if ((st->ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		fatalx("%s: SSL_CTX_new", __func__);
	SSL_CTX_set_tlsext_servername_callback(st->ctx, tk_sni);
	SSL_CTX_set_tlsext_servername_arg(st->ctx, st);
	SSL_CTX_use_certificate(st->ctx, st->default_cert);
	SSL_CTX_use_PrivateKey(st->ctx, st->key);
	if (pthread_create(&st->tls_thread, NULL, tk_tls_main, st) != 0)
		fatalx("%s: pthread_create", __func__);
	st->tls_running = true;
}

/* Writes text to path (mode 0644); fatal on failure. */
static void
tk_write(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		fatal("%s: %s", __func__, path);
}

/* Creates the API state, the folder and the TLS entry point. */
static void *
tk_create(struct sim_service *svc)
{
	struct tk_state *st = xcalloc(1, sizeof *st);
	const char *base = getenv("TMPDIR");
	X509_NAME *n;
	char *path, *pem;
	BIO *bio;
	long len;

	st->svc = svc;
	st->reload_ms = TK_RELOAD_MS;
	st->down = json_pack("{s:b}", "http://10.0.0.23:8096", 1);
	/* One certificate of the lab is due for renewal, as in real life. */
	st->cert_days = json_pack("{s:i}", "paperless.lab.example", 10);
	xasprintf(&st->root, "%s/racktop-sim-traefik.XXXXXX", base != NULL &&
	    *base == '/' ? base : "/tmp");
	if (mkdtemp(st->root) == NULL)
		fatal("%s: mkdtemp %s", __func__, st->root);
	xasprintf(&st->dir, "%s/dynamic", st->root);
	if (mkdir(st->dir, 0755) != 0)
		fatal("%s: mkdir %s", __func__, st->dir);
	xasprintf(&path, "%s/lab.yaml", st->dir);
	tk_write(path, tk_lab_file);
	free(path);

	/* A CA and one key for every leaf: EC P-256 is quick to make. */
	if ((st->ca_key = EVP_EC_gen("P-256")) == NULL ||
	    (st->key = EVP_EC_gen("P-256")) == NULL)
		fatalx("%s: key generation", __func__);
	st->ca = X509_new();
	X509_set_version(st->ca, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(st->ca), ++st->serial);
	X509_gmtime_adj(X509_getm_notBefore(st->ca), -86400);
	X509_gmtime_adj(X509_getm_notAfter(st->ca), 3650L * 86400);
	X509_set_pubkey(st->ca, st->ca_key);
	n = X509_get_subject_name(st->ca);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"racktop-sim ACME CA", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
	    (const unsigned char *)"racktop-sim", -1, -1, 0);
	X509_set_issuer_name(st->ca, n);
	{
		X509V3_CTX v3;
		X509_EXTENSION *ext;

		X509V3_set_ctx(&v3, st->ca, st->ca, NULL, NULL, 0);
		if ((ext = X509V3_EXT_conf_nid(NULL, &v3,
		    NID_basic_constraints, "critical,CA:TRUE")) != NULL) {
			X509_add_ext(st->ca, ext, -1);
			X509_EXTENSION_free(ext);
		}
	}
	X509_sign(st->ca, st->ca_key, EVP_sha256());
	xasprintf(&st->ca_path, "%s/ca.pem", st->root);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, st->ca);
	len = BIO_get_mem_data(bio, &pem);
	path = xstrndup(pem, (size_t)len);
	tk_write(st->ca_path, path);
	free(path);
	BIO_free(bio);
	st->default_cert = tk_make_cert(st, "TRAEFIK DEFAULT CERT", 365, true);

	st->conf[0] = json_loads(tk_internal, 0, NULL);
	st->conf[1] = json_loads(tk_docker_lab, 0, NULL);
	st->conf[2] = json_object();
	if (st->conf[0] == NULL || st->conf[1] == NULL)
		fatalx("%s: built-in configuration", __func__);
	tk_tls_start(st);
	tk_watch(st);
	return (st);
}

/* Removes the private folder and what tests left in it. */
static void
tk_remove_tree(const char *dir)
{
	struct dirent *e;
	DIR *d;
	char *path;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			xasprintf(&path, "%s/%s", dir, e->d_name);
			if (unlink(path) != 0)
				tk_remove_tree(path);
			free(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Frees the API state. */
static void
tk_destroy(void *data)
{
	struct tk_state *st = data;
	size_t i;

	if (st == NULL)
		return;
	if (st->tls_running) {
		(void)!write(st->stop_pipe[1], "x", 1);
		pthread_join(st->tls_thread, NULL);
		close(st->stop_pipe[0]);
		close(st->stop_pipe[1]);
	}
	if (st->tls_fd > 0)
		close(st->tls_fd);
	SSL_CTX_free(st->ctx);
	for (i = 0; i < st->ncerts; i++) {
		free(st->certs[i].host);
		X509_free(st->certs[i].x509);
	}
	X509_free(st->default_cert);
	X509_free(st->ca);
	EVP_PKEY_free(st->ca_key);
	EVP_PKEY_free(st->key);
	for (i = 0; i < TK_PROVIDERS; i++)
		json_decref(st->conf[i]);
	json_decref(st->rt);
	json_decref(st->down);
	json_decref(st->cert_days);
	tk_remove_tree(st->root);
	free(st->root);
	free(st->dir);
	free(st->ca_path);
	free(st->sig);
	free(st->pending);
	free(st);
}

/* Traefik's error body: {"message": "..."}. */
static void
tk_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	if (msg == NULL)
		msg = status >= 500 ? "internal server error" : status == 404 ?
		    "404 page not found" : "bad request";
	sim_reply_json_new(resp, status, json_pack("{s:s}", "message", msg));
	resp->content_type = "text/plain; charset=utf-8";
}

/* What a basicAuth middleware in front of the API answers. */
static void
tk_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	sim_reply_text(resp, 401, "401 Unauthorized\n");
	resp->content_type = "text/plain";
	sim_reply_header(resp, "WWW-Authenticate", "Basic realm=\"traefik\"");
}

/* Go's mux answer for an unknown path. */
static void
tk_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_text(resp, 404, "404 page not found\n");
	resp->content_type = "text/plain; charset=utf-8";
}

/* The runtime section (lock held), after looking at the directory. */
static json_t *
tk_section(struct sim_service *svc, const char *proto, const char *kind)
{
	struct tk_state *st = sim_service_data(svc);

	tk_watch(st);
	return (json_object_get(json_object_get(st->rt, proto), kind));
}

/* The API object: runtime info plus name and provider (new reference). */
static json_t *
tk_repr(const char *name, const json_t *o)
{
	json_t *r = json_deep_copy(o);

	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "provider", json_string(strchr(name, '@') + 1));
	return (r);
}

/* Compares two names, for qsort. */
static int
tk_by_key(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* A paged list, with Traefik's search and status filters. */
static void
tk_list(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, const char *proto, const char *kind)
{
	const json_t *sec = tk_section(svc, proto, kind), *o;
	const char *search = sim_arg(req, "search");
	const char *status = sim_arg(req, "status");
	const char *sp = sim_arg(req, "page"), *spp = sim_arg(req, "per_page");
	const char *name, *rule;
	const char **all;
	json_t *page;
	long pg = sp != NULL ? strtol(sp, NULL, 10) : 1;
	long pp = spp != NULL ? strtol(spp, NULL, 10) : 100;
	size_t n = 0, i, start, end;
	char next[24], *msg;

	if (pg <= 0 || pp <= 0) {
		xasprintf(&msg, "invalid request: %s: %ld", pg <= 0 ? "page" :
		    "per_page", pg <= 0 ? pg : pp);
		tk_error(svc, resp, 400, msg);
		free(msg);
		return;
	}
	all = xcalloc(json_object_size(sec) + 1, sizeof *all);
	json_object_foreach((json_t *)sec, name, o) {
		rule = json_string_value(json_object_get(o, "rule"));
		if (status != NULL && *status != '\0' && strcasecmp(status,
		    json_string_value(json_object_get(o, "status"))) != 0)
			continue;
		if (search != NULL && *search != '\0' && strcasestr(name,
		    search) == NULL && (rule == NULL || strcasestr(rule,
		    search) == NULL))
			continue;
		all[n++] = name;
	}
	/* Sorted names; only the page's objects are built. */
	qsort(all, n, sizeof *all, tk_by_key);
	start = (size_t)((pg - 1) * pp);
	if (start != 0 && start >= n) {
		free(all);
		xasprintf(&msg, "invalid request: page: %ld, per_page: %ld", pg,
		    pp);
		tk_error(svc, resp, 400, msg);
		free(msg);
		return;
	}
	end = start + (size_t)pp < n ? start + (size_t)pp : n;
	page = json_array();
	for (i = start; i < end; i++)
		json_array_append_new(page, tk_repr(all[i], json_object_get(sec,
		    all[i])));
	free(all);
	snprintf(next, sizeof next, "%ld", (size_t)(pg * pp) < n ? pg + 1 : 1);
	sim_reply_json_new(resp, 200, page);
	sim_reply_header(resp, "X-Next-Page", next);
}

/* One object by name. */
static void
tk_one(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, const char *proto, const char *kind)
{
	const json_t *sec = tk_section(svc, proto, kind);
	const char *name = json_string_value(json_object_get(req->params,
	    "name"));
	const json_t *o = json_object_get(sec, name);
	char *msg;

	if (o == NULL) {
		xasprintf(&msg, "%.*s not found: %s", (int)strlen(kind) - 1,
		    kind, name);
		tk_error(svc, resp, 404, msg);
		free(msg);
		return;
	}
	sim_reply_json_new(resp, 200, tk_repr(name, o));
}

#define TK_LIST(fn, proto, kind) \
static void \
fn(struct sim_service *svc, struct sim_request *req, \
    struct sim_response *resp) \
{ \
	tk_list(svc, req, resp, proto, kind); \
}
#define TK_ONE(fn, proto, kind) \
static void \
fn(struct sim_service *svc, struct sim_request *req, \
    struct sim_response *resp) \
{ \
	tk_one(svc, req, resp, proto, kind); \
}
TK_LIST(tk_http_routers, "http", "routers")
TK_LIST(tk_http_services, "http", "services")
TK_LIST(tk_http_mws, "http", "middlewares")
TK_LIST(tk_tcp_routers, "tcp", "routers")
TK_LIST(tk_tcp_services, "tcp", "services")
TK_LIST(tk_tcp_mws, "tcp", "middlewares")
TK_LIST(tk_udp_routers, "udp", "routers")
TK_LIST(tk_udp_services, "udp", "services")
TK_ONE(tk_http_router, "http", "routers")
TK_ONE(tk_http_service, "http", "services")
TK_ONE(tk_http_mw, "http", "middlewares")
TK_ONE(tk_tcp_router, "tcp", "routers")
TK_ONE(tk_tcp_service, "tcp", "services")
TK_ONE(tk_udp_router, "udp", "routers")
TK_ONE(tk_udp_service, "udp", "services")

/* Counts of one section. */
static json_t *
tk_counts(const json_t *sec)
{
	const json_t *o;
	const char *name, *s;
	json_int_t w = 0, e = 0;

	json_object_foreach((json_t *)sec, name, o) {
		s = json_string_value(json_object_get(o, "status"));
		if (strcmp(s, "warning") == 0)
			w++;
		else if (strcmp(s, "disabled") == 0)
			e++;
	}
	return (json_pack("{s:I, s:I, s:I}", "total",
	    (json_int_t)json_object_size(sec), "warnings", w, "errors", e));
}

/* GET /overview. */
static void
tk_overview(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct tk_state *st = sim_service_data(svc);
	static const char *const protos[] = { "http", "tcp", "udp" };
	json_t *r, *p;
	size_t i;

	(void)req;
	tk_watch(st);
	r = json_pack("{s:{s:b, s:s, s:s}, s:[s, s]}", "features", "accessLog",
	    0, "metrics", "", "tracing", "", "providers", "Docker", "File");
	for (i = 0; i < 3; i++) {
		p = json_object_get(st->rt, protos[i]);
		json_object_set_new(r, protos[i], json_pack("{s:o, s:o}",
		    "routers", tk_counts(json_object_get(p, "routers")),
		    "services", tk_counts(json_object_get(p, "services"))));
		if (i < 2)
			json_object_set_new(json_object_get(r, protos[i]),
			    "middlewares", tk_counts(json_object_get(p,
			    "middlewares")));
	}
	sim_reply_json_new(resp, 200, r);
}

/* GET /entrypoints. */
static void
tk_get_entrypoints(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct tk_state *st = sim_service_data(svc);
	json_t *eps = tk_entrypoints(st), *a = json_array();
	const char *name;
	json_t *v;

	(void)req;
	json_object_foreach(eps, name, v)
		json_array_append_new(a, json_pack("{s:s, s:O, s:{}}", "name",
		    name, "address", v, "transport"));
	json_decref(eps);
	sim_reply_json_new(resp, 200, a);
}

/* GET /version. */
static void
tk_version(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:s}", "Version",
	    "3.5.3", "Codename", "chabichou", "startDate",
	    "2026-01-01T00:00:00Z"));
}

/* POST /state ops. */
static int
tk_state_op(struct sim_service *svc, json_t *j, char **cause)
{
	struct tk_state *st = sim_service_data(svc);
	const char *op = json_string_value(json_object_get(j, "op"));
	const char *s;
	json_t *routers, *services;
	json_int_t i, n;
	char name[32], url[64];

	if (op == NULL) {
		*cause = xstrdup("missing op");
		return (-1);
	}
	if (strcmp(op, "add_routers") == 0) {
		n = json_integer_value(json_object_get(j, "count"));
		if (n <= 0 || n > 100000) {
			*cause = xstrdup("count: 1 to 100000");
			return (-1);
		}
		routers = json_object_get(json_object_get(st->conf[1], "http"),
		    "routers");
		services = json_object_get(json_object_get(st->conf[1], "http"),
		    "services");
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof name, "bulk%05u", st->bulk);
			snprintf(url, sizeof url, "http://10.1.%u.%u:8080",
			    (st->bulk / 250) % 256, st->bulk % 250 + 1);
			st->bulk++;
			json_object_set_new(routers, name, json_pack("{s:s+, s:s,"
			    " s:[s]}", "rule", "Host(`", name, "service", name,
			    "entryPoints", "web"));
			json_object_set_new(json_object_get(routers, name),
			    "rule", json_sprintf("Host(`%s.lab.example`)", name));
			json_object_set_new(services, name, json_pack("{s:{s:[{s:s"
			    "}]}}", "loadBalancer", "servers", "url", url));
		}
		tk_build(st);
		return (0);
	}
	if (strcmp(op, "server") == 0 && (s = json_string_value(
	    json_object_get(j, "url"))) != NULL) {
		if (json_is_true(json_object_get(j, "up")))
			json_object_del(st->down, s);
		else
			json_object_set_new(st->down, s, json_true());
		tk_build(st);
		return (0);
	}
	if (strcmp(op, "cert_days") == 0 && (s = json_string_value(
	    json_object_get(j, "host"))) != NULL && json_is_integer(
	    json_object_get(j, "days"))) {
		json_object_set(st->cert_days, s, json_object_get(j, "days"));
		return (0);
	}
	if (strcmp(op, "reload_delay_ms") == 0 && json_is_integer(
	    json_object_get(j, "ms"))) {
		st->reload_ms = (int)json_integer_value(json_object_get(j, "ms"));
		return (0);
	}
	xasprintf(cause, "unknown op \"%s\" (or missing arguments)", op);
	return (-1);
}

/* Adds "traefik" to the endpoints file. */
static void
tk_endpoint(struct sim_service *svc, json_t *o)
{
	struct tk_state *st = sim_service_data(svc);

	json_object_set_new(o, "traefik", json_pack("{s:o, s:s, s:s}", "url",
	    json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "dynamic_dir", st->dir, "ca_file", st->ca_path));
	json_object_set_new(json_object_get(o, "traefik"), "tls_port",
	    json_integer(st->tls_port));
}

static const struct sim_route traefik_routes[] = {
	{ "GET", "/overview", tk_overview, 0 },
	{ "GET", "/version", tk_version, 0 },
	{ "GET", "/entrypoints", tk_get_entrypoints, 0 },
	{ "GET", "/http/routers", tk_http_routers, 0 },
	{ "GET", "/http/routers/{name}", tk_http_router, 0 },
	{ "GET", "/http/services", tk_http_services, 0 },
	{ "GET", "/http/services/{name}", tk_http_service, 0 },
	{ "GET", "/http/middlewares", tk_http_mws, 0 },
	{ "GET", "/http/middlewares/{name}", tk_http_mw, 0 },
	{ "GET", "/tcp/routers", tk_tcp_routers, 0 },
	{ "GET", "/tcp/routers/{name}", tk_tcp_router, 0 },
	{ "GET", "/tcp/services", tk_tcp_services, 0 },
	{ "GET", "/tcp/services/{name}", tk_tcp_service, 0 },
	{ "GET", "/tcp/middlewares", tk_tcp_mws, 0 },
	{ "GET", "/udp/routers", tk_udp_routers, 0 },
	{ "GET", "/udp/routers/{name}", tk_udp_router, 0 },
	{ "GET", "/udp/services", tk_udp_services, 0 },
	{ "GET", "/udp/services/{name}", tk_udp_service, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_traefik_ops = {
	.name = "traefik",
	.prefix = "/api",
	.routes = traefik_routes,
	.create = tk_create,
	.destroy = tk_destroy,
	.unauthorized = tk_unauthorized,
	.error = tk_error,
	.not_found = tk_not_found,
	.state = tk_state_op,
	.endpoint = tk_endpoint,
};
