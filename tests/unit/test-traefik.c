/*
 * Traefik parse functions on Traefik's own API golden files and on
 * responses built from its runtime types (tests/fixtures/traefik, see
 * SOURCES.md there), the dynamic configuration racktop writes, and the
 * service's tool invariants.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "services/traefik.h"
#include "tests/unit/testutil.h"

/* A fixture file parsed (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/traefik/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

/* A fixture file's path: tests/fixtures/DIR/NAMESUFFIX (caller frees). */
static char *
fixture_path(const char *dir, const char *name, const char *suffix)
{
	const char *top = getenv("srcdir");
	char *path;

	xasprintf(&path, "%s/tests/fixtures/%s/%s%s", top != NULL ? top : ".",
	    dir, name, suffix);
	return (path);
}

/* The rows of one fixture page. */
static json_t *
rows_of(const char *file, const char *kind, const char *protocol)
{
	json_t *body = fixture(file), *rows = json_array();
	char *cause = NULL;

	ck_assert_msg(tk_parse_page(body, kind, protocol, "edge", rows,
	    &cause) == 0, "%s", cause);
	json_decref(body);
	return (rows);
}

/* A string member. */
static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "no string %s", key);
	return (s);
}

START_TEST(test_routers)
{
	json_t *rows = rows_of("routers.json", "routers", "http");
	const json_t *r;

	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "name"), "bar@myprovider");
	ck_assert_str_eq(str(r, "router"), "bar");
	ck_assert_str_eq(str(r, "provider"), "myprovider");
	ck_assert_str_eq(str(r, "instance"), "edge");
	ck_assert_str_eq(str(r, "status"), "enabled");
	ck_assert_str_eq(str(r, "service"), "foo-service@myprovider");
	ck_assert_str_eq(str(r, "error"), "");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "errors")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "middlewares")),
	    2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "middlewares"), 1)), "addPrefixTest@anotherprovider");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "hosts"), 0)), "foo.bar");
	ck_assert(json_is_false(json_object_get(r, "tls")));
	ck_assert(json_is_null(json_object_get(r, "cert_resolver")));
	ck_assert(json_is_false(json_object_get(r, "owned")));
	json_decref(rows);
}
END_TEST

START_TEST(test_router_errors)
{
	json_t *rows = rows_of("routers-errors.json", "routers", "http");
	const json_t *r;

	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "status"), "warning");
	ck_assert_str_eq(str(r, "error"),
	    "entryPoint \"websecure-old\" doesn't exist");
	ck_assert(json_is_true(json_object_get(r, "tls")));
	ck_assert_str_eq(str(r, "cert_resolver"), "le");
	/* Two Host() matchers: both hosts, in order. */
	ck_assert_uint_eq(json_array_size(json_object_get(r, "hosts")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "hosts"), 1)), "homeassistant.example.com");
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "status"), "disabled");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "errors")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "errors"), 1)), "middleware \"sso@file\" does not exist");
	r = json_array_get(rows, 2);
	/* HostRegexp is not a literal host; no "using" at all. */
	ck_assert_uint_eq(json_array_size(json_object_get(r, "hosts")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "using")), 0);
	ck_assert_str_eq(str(r, "error"), "entryPoint \"nope\" doesn't exist");
	json_decref(rows);
}
END_TEST

START_TEST(test_tls_router_and_pages)
{
	json_t *body = fixture("router-baz-custom-tls-options.json");
	json_t *r = tk_parse_router(body, "http", "edge"), *rows;
	char *cause = NULL;

	ck_assert(json_is_true(json_object_get(r, "tls")));
	ck_assert(json_is_null(json_object_get(r, "cert_resolver")));
	json_decref(r);
	/* A page is appended to what earlier pages gave. */
	rows = rows_of("routers.json", "routers", "http");
	json_decref(body);
	body = fixture("routers-page2.json");
	ck_assert_int_eq(tk_parse_page(body, "routers", "http", "edge", rows,
	    &cause), 0);
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert_str_eq(str(json_array_get(rows, 2), "name"), "baz@myprovider");
	/* Not a list: an error naming the kind. */
	ck_assert_int_eq(tk_parse_page(json_array_get(rows, 0), "routers",
	    "http", "edge", rows, &cause), -1);
	ck_assert_msg(strstr(cause, "routers") != NULL, "%s", cause);
	free(cause);
	json_decref(rows);
	json_decref(body);
}
END_TEST

START_TEST(test_tcp_udp_routers)
{
	json_t *rows = rows_of("tcprouters.json", "routers", "tcp");
	const json_t *r = json_array_get(rows, 2);

	ck_assert_str_eq(str(json_array_get(rows, 0), "status"), "warning");
	ck_assert_str_eq(str(json_array_get(rows, 1), "status"), "disabled");
	ck_assert_str_eq(str(r, "protocol"), "tcp");
	ck_assert(json_is_true(json_object_get(r, "tls")));
	ck_assert(json_is_false(json_object_get(r, "passthrough")));
	json_decref(rows);
	rows = rows_of("udprouters.json", "routers", "udp");
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "rule"), "");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "hosts")), 0);
	json_decref(rows);
}
END_TEST

START_TEST(test_services)
{
	json_t *rows = rows_of("services.json", "services", "http");
	const json_t *s;

	ck_assert_uint_eq(json_array_size(rows), 4);
	s = json_array_get(rows, 0);
	ck_assert_str_eq(str(s, "service"), "bar");
	ck_assert_str_eq(str(s, "type"), "loadbalancer");
	ck_assert_str_eq(str(s, "health"), "up");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "servers_up")),
	    1);
	ck_assert_str_eq(str(json_array_get(json_object_get(s, "servers"), 0),
	    "url"), "http://127.0.0.1");
	ck_assert_uint_eq(json_array_size(json_object_get(s, "used_by")), 2);
	s = json_array_get(rows, 2);
	ck_assert_str_eq(str(s, "type"), "weighted");
	ck_assert_str_eq(str(s, "health"), "unknown");
	ck_assert_int_eq(json_integer_value(json_object_get(s,
	    "servers_total")), 0);
	json_decref(rows);

	rows = rows_of("services-health.json", "services", "http");
	s = json_array_get(rows, 0);
	ck_assert_str_eq(str(s, "health"), "degraded");
	ck_assert_int_eq(json_integer_value(json_object_get(s,
	    "servers_down")), 1);
	ck_assert_str_eq(str(json_array_get(json_object_get(s, "servers"), 1),
	    "status"), "down");
	/* TCP servers have an address and no health check. */
	s = json_array_get(rows, 1);
	ck_assert_str_eq(str(json_array_get(json_object_get(s, "servers"), 0),
	    "url"), "10.0.0.30:5432");
	ck_assert_str_eq(str(json_array_get(json_object_get(s, "servers"), 0),
	    "status"), "unknown");
	json_decref(rows);
}
END_TEST

START_TEST(test_middlewares)
{
	json_t *rows = rows_of("middlewares.json", "middlewares", "http");
	const json_t *m;
	char *text;

	ck_assert_uint_eq(json_array_size(rows), 3);
	m = json_array_get(rows, 0);
	ck_assert_str_eq(str(m, "type"), "addprefix");
	ck_assert_str_eq(str(json_object_get(m, "config"), "prefix"), "/toto");
	m = json_array_get(rows, 2);
	ck_assert_str_eq(str(m, "middleware"), "auth");
	/* "admin:admin": the name stays, the password never. */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_object_get(m, "config"), "users"), 0)), "admin");
	text = json_dumps(m, 0);
	ck_assert_ptr_null(strstr(text, "admin:admin"));
	free(text);
	json_decref(rows);
}
END_TEST

START_TEST(test_overview_entrypoints)
{
	json_t *body = fixture("overview-dynamic.json"), *o, *eps;
	char *cause = NULL;

	o = tk_parse_overview(body, &cause);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(o, "http"), "routers"), "warnings")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(o, "udp"), "routers"), "total")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "providers")), 0);
	json_decref(o);
	json_decref(body);
	body = fixture("entrypoints.json");
	eps = tk_parse_entrypoints(body, &cause);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(eps,
	    1), "port")), 443);
	ck_assert_str_eq(str(json_array_get(eps, 1), "name"), "websecure");
	json_decref(eps);
	/* An array is not an overview. */
	ck_assert_ptr_null(tk_parse_overview(body, &cause));
	free(cause);
	json_decref(body);
	ck_assert_int_eq(tk_address_port(":443"), 443);
	ck_assert_int_eq(tk_address_port("0.0.0.0:8443/tcp"), 8443);
	ck_assert_int_eq(tk_address_port("[::]:53/udp"), 53);
	ck_assert_int_eq(tk_address_port("localhost"), -1);
	ck_assert_int_eq(tk_address_port(":99999"), -1);
}
END_TEST

START_TEST(test_rule_hosts_and_pages)
{
	json_t *h;

	h = tk_rule_hosts("Host(`a.example`) && (HostSNI(`b.example`) || "
	    "Host(\"c.example\", `A.example`)) && HostRegexp(`x`) && "
	    "HostHeader(`y`) && MyHost(`z`)");
	ck_assert_uint_eq(json_array_size(h), 3);
	ck_assert_str_eq(json_string_value(json_array_get(h, 2)), "c.example");
	json_decref(h);
	h = tk_rule_hosts("HostSNI(`*`)");
	ck_assert_uint_eq(json_array_size(h), 0);
	json_decref(h);
	/* X-Next-Page is 1 on the last page. */
	ck_assert_int_eq(tk_next_page("2", 1), 2);
	ck_assert_int_eq(tk_next_page("1", 3), 0);
	ck_assert_int_eq(tk_next_page(NULL, 1), 0);
	ck_assert_int_eq(tk_next_page("3x", 2), 0);
	ck_assert_int_eq(tk_next_page("2", 2), 0);
}
END_TEST

START_TEST(test_router_config)
{
	json_t *args, *c, *r;
	char *cause = NULL;

	args = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:[s], s:i}", "name",
	    "grafana", "rule", "Host(`g.example`) && Path(`/\"}{`)",
	    "backend_url", "http://10.0.0.21:3000", "entrypoints", "websecure",
	    "cert_resolver", "le", "middlewares", "auth@file", "priority", 5);
	c = tk_router_config(args, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	r = json_object_get(json_object_get(json_object_get(c, "http"),
	    "routers"), "grafana");
	/* The rule is a value, quotes and braces kept as data. */
	ck_assert_str_eq(str(r, "rule"), "Host(`g.example`) && Path(`/\"}{`)");
	ck_assert_str_eq(str(r, "service"), "grafana");
	ck_assert_str_eq(str(json_object_get(r, "tls"), "certResolver"), "le");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "priority")), 5);
	ck_assert_str_eq(str(json_array_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(c, "http"),
	    "services"), "grafana"), "loadBalancer"), "servers"), 0), "url"),
	    "http://10.0.0.21:3000");
	json_decref(c);
	/* Both service and backend_url: refused. */
	json_object_set_new(args, "service", json_string("x@docker"));
	ck_assert_ptr_null(tk_router_config(args, &cause));
	ck_assert_msg(strstr(cause, "both") != NULL, "%s", cause);
	free(cause);
	json_decref(args);
}
END_TEST

START_TEST(test_middleware_config)
{
	json_t *s, *c;
	const char *type;
	char *cause = NULL;

	s = json_pack("{s:[s]}", "htpasswd", "ops:$apr1$abc$def");
	c = tk_middleware_config("auth", "basic_auth", s, &type, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(type, "basicauth");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(json_object_get(c,
	    "http"), "middlewares"), "auth"), "basicAuth"), "users"), 0)),
	    "ops:$apr1$abc$def");
	json_decref(c);
	json_decref(s);
	s = json_pack("{s:s, s:s}", "regex", "^http://(.*)", "scheme", "https");
	ck_assert_ptr_null(tk_middleware_config("r", "redirect", s, &type,
	    &cause));
	free(cause);
	json_decref(s);
	s = json_pack("{s:{s:s}}", "request_headers", "Bad Header:", "x");
	ck_assert_ptr_null(tk_middleware_config("h", "headers", s, &type,
	    &cause));
	ck_assert_msg(strstr(cause, "header name") != NULL, "%s", cause);
	free(cause);
	json_decref(s);
	s = json_pack("{s:[s], s:i}", "source_range", "10.0.0.0/8", "depth",
	    1);
	c = tk_middleware_config("lan", "ip_allow_list", s, &type, &cause);
	ck_assert_str_eq(type, "ipallowlist");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(json_object_get(c,
	    "http"), "middlewares"), "lan"), "ipAllowList"), "ipStrategy"),
	    "depth")), 1);
	json_decref(c);
	json_decref(s);
	s = json_object();
	ck_assert_ptr_null(tk_middleware_config("x", "rate_limit", s, &type,
	    &cause));
	free(cause);
	json_decref(s);
}
END_TEST

START_TEST(test_subset_files_flags)
{
	json_t *want = json_pack("{s:s, s:{s:i}}", "type", "ratelimit",
	    "rateLimit", "average", 10);
	json_t *got = json_pack("{s:s, s:{s:f, s:i, s:s}, s:s}", "type",
	    "ratelimit", "rateLimit", "average", 10.0, "burst", 1, "period",
	    "1s", "status", "enabled");

	ck_assert(tk_subset(want, got));
	json_object_set_new(json_object_get(want, "rateLimit"), "average",
	    json_integer(11));
	ck_assert(!tk_subset(want, got));
	json_decref(want);
	json_decref(got);
	ck_assert(tk_owned_name("racktop-router-x.yaml"));
	ck_assert(!tk_owned_name("lab.yaml"));
	ck_assert(!tk_owned_name("racktop-x.yml"));
	ck_assert(!tk_owned_name(".racktop-router-x.yaml.tmp-Ab12Cd"));
	ck_assert(tk_provider_reads("a.toml"));
	ck_assert(!tk_provider_reads(".racktop-router-x.yaml.tmp-Ab12Cd"));
	ck_assert_str_eq(tk_cert_flag(-1, true, 14), "expired");
	ck_assert_str_eq(tk_cert_flag(14, true, 14), "expiring");
	ck_assert_str_eq(tk_cert_flag(15, false, 14), "untrusted");
	ck_assert_str_eq(tk_cert_flag(15, true, 14), "ok");
}
END_TEST


/* A one-connection TLS server on 127.0.0.1 with a fixture certificate. */
struct tls_server {
	int fd;
	int port;
	SSL_CTX *ctx;
	pthread_t thread;
};

/* Accepts one connection and completes the handshake. */
static void *
tls_serve(void *arg)
{
	struct tls_server *s = arg;
	SSL *ssl;
	int fd;

	if ((fd = accept(s->fd, NULL, NULL)) == -1)
		return (NULL);
	ssl = SSL_new(s->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	return (NULL);
}

/* Starts a server for the fixture pair NAME.pem, NAME-key.pem. */
static void
tls_start(struct tls_server *s, const char *name)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char *cert, *key;

	cert = fixture_path("tls", name, ".pem");
	key = fixture_path("tls", name, "-key.pem");
	s->ctx = SSL_CTX_new(TLS_server_method());
	ck_assert(SSL_CTX_use_certificate_file(s->ctx, cert,
	    SSL_FILETYPE_PEM) == 1);
	ck_assert(SSL_CTX_use_PrivateKey_file(s->ctx, key,
	    SSL_FILETYPE_PEM) == 1);
	free(cert);
	free(key);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert(s->fd != -1);
	ck_assert(bind(s->fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	ck_assert(listen(s->fd, 1) == 0);
	ck_assert(getsockname(s->fd, (struct sockaddr *)&sin, &len) == 0);
	s->port = ntohs(sin.sin_port);
	ck_assert(pthread_create(&s->thread, NULL, tls_serve, s) == 0);
}

/* Waits for the server's one connection and frees it. */
static void
tls_stop(struct tls_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
	SSL_CTX_free(s->ctx);
}

/* One probe against a fresh server; the certificate, or NULL. */
static json_t *
probe(const char *name, const char *sni, int64_t now_ms, char **cause)
{
	struct tls_server s;
	char *ca = fixture_path("tls", "ca", ".pem");
	json_t *r;

	tls_start(&s, name);
	r = tk_tls_probe("127.0.0.1", s.port, sni, ca,
	    (long)clock_scaled_ms(5000), now_ms, cause);
	tls_stop(&s);
	free(ca);
	return (r);
}

START_TEST(test_tls_probe)
{
	json_t *c;
	struct tm tm;
	time_t end;
	char *cause = NULL;

	c = probe("server", "localhost", clock_wall_ms(), &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert(json_is_true(json_object_get(c, "verified")));
	ck_assert(json_is_true(json_object_get(c, "host_match")));
	ck_assert_str_eq(str(c, "issuer"), "racktop test CA");
	ck_assert_str_eq(str(c, "subject"), "localhost");
	ck_assert_str_eq(str(c, "not_after"), "2126-11-01T11:03:07Z");
	memset(&tm, 0, sizeof tm);
	ck_assert_ptr_nonnull(strptime(str(c, "not_after"),
	    "%Y-%m-%dT%H:%M:%SZ", &tm));
	end = timegm(&tm);
	json_decref(c);
	/* Five days and an hour before the end: 5 days left, flagged. */
	c = probe("server", "localhost", ((int64_t)end - 5 * 86400 - 3600) *
	    1000, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "days_left")),
	    5);
	ck_assert_str_eq(tk_cert_flag(5, true, TK_CERT_WARN_DAYS),
	    "expiring");
	json_decref(c);
	/* Two days and an hour after it: expired 3 days ago, rounded down. */
	c = probe("server", "localhost", ((int64_t)end + 2 * 86400 + 3600) *
	    1000, &cause);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "days_left")),
	    -3);
	json_decref(c);
	/* Another name than the certificate's: reported, not refused. */
	c = probe("server", "grafana.lab.example", clock_wall_ms(), &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert(json_is_false(json_object_get(c, "host_match")));
	json_decref(c);
	/* Self-signed: read, but not verified against the CA. */
	c = probe("self", "localhost", clock_wall_ms(), &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert(json_is_false(json_object_get(c, "verified")));
	ck_assert_msg(strlen(str(c, "verify_error")) > 0, "no verify error");
	json_decref(c);
	/* Nothing listening: an error naming the address. */
	ck_assert_ptr_null(tk_tls_probe("127.0.0.1", 1, "localhost", NULL,
	    2000, clock_wall_ms(), &cause));
	ck_assert_msg(strstr(cause, "127.0.0.1:1") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(tk_tls_probe("traefik.lan", 443, "x", NULL, 2000,
	    clock_wall_ms(), &cause));
	ck_assert_msg(strstr(cause, "not a numeric address") != NULL, "%s",
	    cause);
	free(cause);
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &traefik_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 7);
	ck_assert(registry_find(reg, "traefik_delete_router")->tool->flags &
	    RT_DESTRUCTIVE);
	ck_assert(registry_find(reg, "traefik_list_routers")->tool->flags &
	    RT_READ_ONLY);
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
traefik_suite(void)
{
	Suite *s = suite_create("traefik");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_routers);
	tcase_add_test(tc, test_router_errors);
	tcase_add_test(tc, test_tls_router_and_pages);
	tcase_add_test(tc, test_tcp_udp_routers);
	tcase_add_test(tc, test_services);
	tcase_add_test(tc, test_middlewares);
	tcase_add_test(tc, test_overview_entrypoints);
	tcase_add_test(tc, test_rule_hosts_and_pages);
	tcase_add_test(tc, test_router_config);
	tcase_add_test(tc, test_middleware_config);
	tcase_add_test(tc, test_subset_files_flags);
	tcase_add_test(tc, test_tls_probe);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(traefik_suite());
	int failed;

	/* A TLS peer that closes first must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
