/*
 * Traefik parse half: pure functions from the API's JSON (GET /api/...)
 * to racktop's rows, and from tool arguments to the dynamic configuration
 * racktop writes into Traefik's file provider directory. Field names
 * follow Traefik's runtime types (RouterInfo, ServiceInfo,
 * MiddlewareInfo: "error", "status", "using", "usedBy", "serverStatus").
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "services/traefik.h"

/* A string member or def. */
static const char *
tk_str(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : def);
}

/* A copy of a string array member (non-strings dropped). */
static json_t *
tk_strs(const json_t *o, const char *key)
{
	const json_t *v;
	json_t *a = json_array();
	size_t i;

	json_array_foreach(json_object_get(o, key), i, v) {
		if (json_is_string(v))
			json_array_append(a, (json_t *)v);
	}
	return (a);
}

/* The part of "name@provider" before the '@' (new string). */
static json_t *
tk_short(const char *name)
{
	const char *at = strrchr(name, '@');

	return (json_stringn(name, at != NULL ? (size_t)(at - name) :
	    strlen(name)));
}

/* Sets errors, error and status on a row from an API object. */
static void
tk_set_state(json_t *row, const json_t *o)
{
	json_t *errs = tk_strs(o, "error");

	json_object_set_new(row, "status", json_string(tk_str(o, "status",
	    json_array_size(errs) > 0 ? "disabled" : "enabled")));
	json_object_set_new(row, "error", json_string(json_array_size(errs) >
	    0 ? json_string_value(json_array_get(errs, 0)) : ""));
	json_object_set_new(row, "errors", errs);
}

/* One router row. */
json_t *
tk_parse_router(const json_t *o, const char *protocol, const char *instance)
{
	const json_t *tls = json_object_get(o, "tls");
	const char *name = tk_str(o, "name", "");
	json_t *row;

	row = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:o, "
	    "s:o, s:b, s:I}", "instance", instance, "name", name, "router",
	    tk_short(name), "provider", tk_str(o, "provider", ""), "protocol",
	    protocol, "rule", tk_str(o, "rule", ""), "hosts",
	    tk_rule_hosts(tk_str(o, "rule", "")), "service", tk_str(o,
	    "service", ""), "entry_points", tk_strs(o, "entryPoints"), "using",
	    tk_strs(o, "using"), "middlewares", tk_strs(o, "middlewares"),
	    "tls", json_is_object(tls), "priority", json_integer_value(
	    json_object_get(o, "priority")));
	json_object_set_new(row, "cert_resolver", json_is_string(
	    json_object_get(tls, "certResolver")) ? json_string(tk_str(tls,
	    "certResolver", "")) : json_null());
	json_object_set_new(row, "passthrough", json_boolean(json_is_true(
	    json_object_get(tls, "passthrough"))));
	json_object_set_new(row, "owned", json_false());
	tk_set_state(row, o);
	return (row);
}

/* One service row; servers come from loadBalancer and serverStatus. */
json_t *
tk_parse_service(const json_t *o, const char *protocol, const char *instance)
{
	const json_t *lb = json_object_get(o, "loadBalancer");
	const json_t *status = json_object_get(o, "serverStatus"), *s, *v;
	const char *name = tk_str(o, "name", ""), *url, *key, *st, *type;
	json_t *row, *servers = json_array();
	size_t i, up = 0, down = 0, total;

	json_array_foreach(json_object_get(lb, "servers"), i, s) {
		url = tk_str(s, "url", tk_str(s, "address", ""));
		st = json_string_value(json_object_get(status, url));
		json_array_append_new(servers, json_pack("{s:s, s:s}", "url",
		    url, "status", st == NULL ? "unknown" : strcasecmp(st,
		    "UP") == 0 ? "up" : "down"));
	}
	/* Servers only serverStatus knows of (a health-checked child). */
	json_object_foreach((json_t *)status, key, v) {
		bool known = false;

		json_array_foreach(servers, i, s) {
			if (strcmp(tk_str(s, "url", ""), key) == 0)
				known = true;
		}
		if (!known && json_is_string(v))
			json_array_append_new(servers, json_pack("{s:s, s:s}",
			    "url", key, "status", strcasecmp(
			    json_string_value(v), "UP") == 0 ? "up" : "down"));
	}
	json_array_foreach(servers, i, s) {
		if (strcmp(tk_str(s, "status", ""), "up") == 0)
			up++;
		else if (strcmp(tk_str(s, "status", ""), "down") == 0)
			down++;
	}
	total = json_array_size(servers);
	type = tk_str(o, "type", lb != NULL ? "loadbalancer" : "");
	row = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:I, s:I, s:I, "
	    "s:s, s:o}", "instance", instance, "name", name, "service",
	    tk_short(name), "provider", tk_str(o, "provider", ""), "protocol",
	    protocol, "type", type, "servers", servers, "servers_up",
	    (json_int_t)up, "servers_down", (json_int_t)down, "servers_total",
	    (json_int_t)total, "health", total == 0 || up + down == 0 ?
	    "unknown" : down == 0 ? "up" : up == 0 ? "down" : "degraded",
	    "used_by", tk_strs(o, "usedBy"));
	tk_set_state(row, o);
	return (row);
}

/* The type-specific member of a middleware, auth hashes removed. */
static json_t *
tk_middleware_conf(const json_t *o, const char *type)
{
	const char *key, *u;
	const json_t *v, *user;
	json_t *conf = NULL, *names;
	size_t i;

	json_object_foreach((json_t *)o, key, v) {
		if (json_is_object(v) && strcasecmp(key, type) == 0) {
			conf = json_deep_copy(v);
			break;
		}
	}
	if (conf == NULL)
		return (json_object());
	/* basicAuth and digestAuth users are "name:hash": keep the name. */
	if (json_is_array(json_object_get(conf, "users"))) {
		names = json_array();
		json_array_foreach(json_object_get(conf, "users"), i, user) {
			if ((u = json_string_value(user)) != NULL)
				json_array_append_new(names, json_stringn(u,
				    strcspn(u, ":")));
		}
		json_object_set_new(conf, "users", names);
	}
	return (conf);
}

/* One middleware row. */
json_t *
tk_parse_middleware(const json_t *o, const char *protocol,
    const char *instance)
{
	const char *name = tk_str(o, "name", ""), *type = tk_str(o, "type", "");
	json_t *row;

	row = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o}", "instance",
	    instance, "name", name, "middleware", tk_short(name), "provider",
	    tk_str(o, "provider", ""), "protocol", protocol, "type", type,
	    "used_by", tk_strs(o, "usedBy"), "config",
	    tk_middleware_conf(o, type));
	json_object_set_new(row, "owned", json_false());
	tk_set_state(row, o);
	return (row);
}

/* Rows of one list page. */
int
tk_parse_page(const json_t *body, const char *kind, const char *protocol,
    const char *instance, json_t *rows, char **cause)
{
	json_t *(*fn)(const json_t *, const char *, const char *);
	const json_t *o;
	size_t i;

	if (strcmp(kind, "routers") == 0)
		fn = tk_parse_router;
	else if (strcmp(kind, "services") == 0)
		fn = tk_parse_service;
	else
		fn = tk_parse_middleware;
	if (!json_is_array(body)) {
		xasprintf(cause, "expected a JSON array of %s", kind);
		return (-1);
	}
	json_array_foreach(body, i, o) {
		if (!json_is_object(o) || !json_is_string(json_object_get(o,
		    "name"))) {
			xasprintf(cause, "%s #%zu: not an object with a name",
			    kind, i);
			return (-1);
		}
		json_array_append_new(rows, fn(o, protocol, instance));
	}
	return (0);
}

/* {total, warnings, errors} of one overview section. */
static json_t *
tk_counts(const json_t *o)
{
	return (json_pack("{s:I, s:I, s:I}", "total", json_integer_value(
	    json_object_get(o, "total")), "warnings", json_integer_value(
	    json_object_get(o, "warnings")), "errors", json_integer_value(
	    json_object_get(o, "errors"))));
}

/* GET /api/overview. */
json_t *
tk_parse_overview(const json_t *body, char **cause)
{
	static const char *const protos[] = { "http", "tcp", "udp" };
	static const char *const kinds[] = { "routers", "services",
	    "middlewares" };
	json_t *r, *p;
	size_t i, j;

	if (!json_is_object(body)) {
		xasprintf(cause, "expected a JSON object");
		return (NULL);
	}
	r = json_object();
	for (i = 0; i < 3; i++) {
		p = json_object();
		for (j = 0; j < 3; j++)
			json_object_set_new(p, kinds[j], tk_counts(
			    json_object_get(json_object_get(body, protos[i]),
			    kinds[j])));
		json_object_set_new(r, protos[i], p);
	}
	json_object_set_new(r, "providers", tk_strs(body, "providers"));
	return (r);
}

/* The port of an entry point address. */
int
tk_address_port(const char *address)
{
	const char *colon;
	char *end;
	long port;

	if (address == NULL || (colon = strrchr(address, ':')) == NULL)
		return (-1);
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || (*end != '\0' && *end != '/') || port < 1 ||
	    port > 65535)
		return (-1);
	return ((int)port);
}

/* GET /api/entrypoints. */
json_t *
tk_parse_entrypoints(const json_t *body, char **cause)
{
	const json_t *o;
	json_t *rows;
	size_t i;

	if (!json_is_array(body)) {
		xasprintf(cause, "expected a JSON array of entry points");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(body, i, o) {
		json_array_append_new(rows, json_pack("{s:s, s:s, s:i}", "name",
		    tk_str(o, "name", ""), "address", tk_str(o, "address", ""),
		    "port", tk_address_port(tk_str(o, "address", NULL))));
	}
	return (rows);
}

/* Adds s (n bytes) to hosts unless present or a wildcard. */
static void
tk_add_host(json_t *hosts, const char *s, size_t n)
{
	const json_t *v;
	size_t i;

	if (n == 0 || (n == 1 && *s == '*'))
		return;
	json_array_foreach(hosts, i, v) {
		if (strlen(json_string_value(v)) == n &&
		    strncasecmp(json_string_value(v), s, n) == 0)
			return;
	}
	json_array_append_new(hosts, json_stringn(s, n));
}

/* Literal hosts of Host(...) and HostSNI(...) in a rule. */
json_t *
tk_rule_hosts(const char *rule)
{
	json_t *hosts = json_array();
	const char *p = rule, *q, *end;
	char quote;

	while (p != NULL && (p = strstr(p, "Host")) != NULL) {
		/* Host( or HostSNI(; HostRegexp and HostHeader are not literal. */
		if (strncmp(p, "Host(", 5) == 0)
			q = p + 5;
		else if (strncmp(p, "HostSNI(", 8) == 0)
			q = p + 8;
		else {
			p += 4;
			continue;
		}
		if (p > rule && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) {
			p = q;
			continue;
		}
		for (;;) {
			while (*q == ' ' || *q == ',')
				q++;
			if (*q != '`' && *q != '"' && *q != '\'')
				break;
			quote = *q++;
			if ((end = strchr(q, quote)) == NULL)
				break;
			tk_add_host(hosts, q, (size_t)(end - q));
			q = end + 1;
		}
		p = q;
	}
	return (hosts);
}

/* The next page from X-Next-Page. */
int
tk_next_page(const char *header, int page)
{
	char *end;
	long n;

	if (header == NULL)
		return (0);
	n = strtol(header, &end, 10);
	if (end == header || *end != '\0' || n <= page || n > 100000)
		return (0);
	return ((int)n);
}

/* Whether want is contained in got. */
bool
tk_subset(const json_t *want, const json_t *got)
{
	const char *key;
	const json_t *v;

	if (json_is_object(want)) {
		if (!json_is_object(got))
			return (false);
		json_object_foreach((json_t *)want, key, v) {
			if (!tk_subset(v, json_object_get(got, key)))
				return (false);
		}
		return (true);
	}
	if (json_is_number(want) && json_is_number(got))
		return (json_number_value(want) == json_number_value(got));
	return (json_equal((json_t *)want, (json_t *)got));
}

/* traefik_create_router's configuration. */
json_t *
tk_router_config(const json_t *args, char **cause)
{
	const char *name = tk_str(args, "name", NULL);
	const char *rule = tk_str(args, "rule", NULL);
	const char *service = tk_str(args, "service", NULL);
	const char *backend = tk_str(args, "backend_url", NULL);
	const char *resolver = tk_str(args, "cert_resolver", NULL);
	const json_t *eps = json_object_get(args, "entrypoints");
	const json_t *mws = json_object_get(args, "middlewares");
	const json_t *prio = json_object_get(args, "priority");
	bool tls = json_is_true(json_object_get(args, "tls")) ||
	    resolver != NULL;
	json_t *router, *http, *t;

	if (name == NULL || rule == NULL) {
		xasprintf(cause, "name and rule are required");
		return (NULL);
	}
	if ((service == NULL) == (backend == NULL)) {
		xasprintf(cause, "give either service (an existing Traefik "
		    "service) or backend_url (racktop adds a service), not %s",
		    service == NULL ? "neither" : "both");
		return (NULL);
	}
	router = json_pack("{s:s, s:s}", "rule", rule, "service",
	    service != NULL ? service : name);
	if (json_array_size(eps) > 0)
		json_object_set(router, "entryPoints", (json_t *)eps);
	if (json_array_size(mws) > 0)
		json_object_set(router, "middlewares", (json_t *)mws);
	if (json_is_integer(prio) && json_integer_value(prio) > 0)
		json_object_set(router, "priority", (json_t *)prio);
	if (tls) {
		t = json_object();
		if (resolver != NULL)
			json_object_set_new(t, "certResolver",
			    json_string(resolver));
		json_object_set_new(router, "tls", t);
	}
	http = json_pack("{s:{s:o}}", "routers", name, router);
	if (backend != NULL)
		json_object_set_new(http, "services", json_pack("{s:{s:{s:[{s:s}]"
		    "}}}", name, "loadBalancer", "servers", "url", backend));
	return (json_pack("{s:o}", "http", http));
}

/* Copies a member under a new name when present. */
static void
tk_copy(json_t *dst, const char *to, const json_t *src, const char *from)
{
	const json_t *v = json_object_get(src, from);

	if (v != NULL)
		json_object_set(dst, to, (json_t *)v);
}

/* Whether every header name is a token (and there are not too many). */
static bool
tk_header_names(const json_t *h, char **cause)
{
	const char *key;
	const json_t *v;
	size_t n;

	if (json_object_size(h) > 64) {
		xasprintf(cause, "at most 64 headers");
		return (false);
	}
	json_object_foreach((json_t *)h, key, v) {
		n = strlen(key);
		if (n == 0 || n > 128 || strspn(key, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != n) {
			xasprintf(cause, "header name \"%.128s\": letters, "
			    "digits and '-' only", key);
			return (false);
		}
	}
	return (true);
}

/* One middleware's configuration. */
json_t *
tk_middleware_config(const char *name, const char *type,
    const json_t *settings, const char **api_type, char **cause)
{
	const json_t *s = settings;
	json_t *m = json_object(), *c;
	const char *key;

	*api_type = NULL;
	if (strcmp(type, "basic_auth") == 0) {
		if (json_array_size(json_object_get(s, "htpasswd")) == 0) {
			xasprintf(cause, "basic_auth needs settings.htpasswd "
			    "(htpasswd lines \"name:hash\")");
			goto fail;
		}
		c = json_object();
		tk_copy(c, "users", s, "htpasswd");
		tk_copy(c, "realm", s, "realm");
		tk_copy(c, "removeHeader", s, "remove_header");
		key = "basicAuth";
		*api_type = "basicauth";
	} else if (strcmp(type, "rate_limit") == 0) {
		if (json_object_get(s, "average") == NULL) {
			xasprintf(cause, "rate_limit needs settings.average "
			    "(requests per period)");
			goto fail;
		}
		c = json_object();
		tk_copy(c, "average", s, "average");
		tk_copy(c, "burst", s, "burst");
		tk_copy(c, "period", s, "period");
		key = "rateLimit";
		*api_type = "ratelimit";
	} else if (strcmp(type, "headers") == 0) {
		if (!tk_header_names(json_object_get(s, "request_headers"),
		    cause) || !tk_header_names(json_object_get(s,
		    "response_headers"), cause))
			goto fail;
		c = json_object();
		tk_copy(c, "customRequestHeaders", s, "request_headers");
		tk_copy(c, "customResponseHeaders", s, "response_headers");
		tk_copy(c, "stsSeconds", s, "sts_seconds");
		tk_copy(c, "stsIncludeSubdomains", s, "sts_include_subdomains");
		tk_copy(c, "frameDeny", s, "frame_deny");
		tk_copy(c, "contentTypeNosniff", s, "content_type_nosniff");
		tk_copy(c, "referrerPolicy", s, "referrer_policy");
		if (json_object_size(c) == 0) {
			json_decref(c);
			xasprintf(cause, "headers needs at least one setting "
			    "(request_headers, response_headers, sts_seconds, "
			    "frame_deny, content_type_nosniff, referrer_policy)");
			goto fail;
		}
		key = "headers";
		*api_type = "headers";
	} else if (strcmp(type, "redirect") == 0) {
		if (json_object_get(s, "regex") != NULL) {
			if (json_object_get(s, "replacement") == NULL ||
			    json_object_get(s, "scheme") != NULL) {
				xasprintf(cause, "redirect: give regex with "
				    "replacement, or scheme (and port), not both");
				goto fail;
			}
			c = json_object();
			tk_copy(c, "regex", s, "regex");
			tk_copy(c, "replacement", s, "replacement");
			tk_copy(c, "permanent", s, "permanent");
			key = "redirectRegex";
			*api_type = "redirectregex";
		} else {
			if (json_object_get(s, "scheme") == NULL) {
				xasprintf(cause, "redirect needs settings.scheme "
				    "(or regex and replacement)");
				goto fail;
			}
			c = json_object();
			tk_copy(c, "scheme", s, "scheme");
			tk_copy(c, "port", s, "port");
			tk_copy(c, "permanent", s, "permanent");
			key = "redirectScheme";
			*api_type = "redirectscheme";
		}
	} else if (strcmp(type, "ip_allow_list") == 0) {
		if (json_array_size(json_object_get(s, "source_range")) == 0) {
			xasprintf(cause, "ip_allow_list needs settings."
			    "source_range (CIDR list)");
			goto fail;
		}
		c = json_object();
		tk_copy(c, "sourceRange", s, "source_range");
		if (json_object_get(s, "depth") != NULL)
			json_object_set_new(c, "ipStrategy", json_pack("{s:O}",
			    "depth", json_object_get(s, "depth")));
		key = "ipAllowList";
		*api_type = "ipallowlist";
	} else {
		xasprintf(cause, "unknown middleware type \"%s\"", type);
		goto fail;
	}
	json_object_set_new(m, key, c);
	return (json_pack("{s:{s:{s:o}}}", "http", "middlewares", name, m));
fail:
	json_decref(m);
	return (NULL);
}

/* racktop's file for an object. */
char *
tk_file_name(const char *kind, const char *name)
{
	char *s;

	xasprintf(&s, "racktop-%s-%s.yaml", kind, name);
	return (s);
}

/* Whether a name ends with suffix. */
static bool
tk_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0);
}

/* racktop-*.yaml. */
bool
tk_owned_name(const char *file)
{
	return (strncmp(file, "racktop-", 8) == 0 && strlen(file) > 13 &&
	    tk_ends(file, ".yaml") && strchr(file, '/') == NULL);
}

/* The names Traefik's file provider loads from a directory. */
bool
tk_provider_reads(const char *file)
{
	return (tk_ends(file, ".yml") || tk_ends(file, ".yaml") ||
	    tk_ends(file, ".toml"));
}

/* A certificate's verdict. */
const char *
tk_cert_flag(int64_t days_left, bool verified, int warn_days)
{
	if (days_left < 0)
		return ("expired");
	if (days_left <= warn_days)
		return ("expiring");
	if (!verified)
		return ("untrusted");
	return ("ok");
}
