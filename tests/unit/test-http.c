/*
 * Tests for core/http.c against an in-process libmicrohttpd server on
 * 127.0.0.1 (or a Unix socket), over plain HTTP and TLS with the fixture
 * certificates in tests/fixtures/tls. Expected fingerprints and public-key
 * pins are computed from the fixture files with OpenSSL, never hard-coded.
 *
 * The server runs a thread per connection (a held stream blocks only its
 * own); everything it records is guarded by srv.mu. The slow handler and
 * the held streams wait on srv.cv with a deadline and are released by
 * srv_stop (or the client's "go"), so no test sleeps to synchronise.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/http.h"
#include "core/xmalloc.h"
#include "tests/unit/testutil.h"

#define BIG_LEN 2000
#define SMALL_CAP 1000

struct srv {
	struct MHD_Daemon *d;
	int port;
	char *url; /* "http(s)://127.0.0.1:port" */
	char *key_pem;
	char *cert_pem;
	char *dir; /* for the Unix socket, or NULL */
	char *sock_path;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool release; /* set by srv_stop: the slow handler returns */
	int nconn;
	int nreq;
	char *last_method;
	char *last_body;
	char *last_token;	/* the X-Token header of the last request */
	bool go;		/* /stream may send its last line */
	bool held_out;		/* /stream's hold ran to its deadline */
	bool forever_done;	/* /forever's reader was released */
};

/* One request's upload, collected across handler calls. */
struct srv_req {
	char *body;
	size_t len;
};

/* The running server, stopped by the teardown even when a test fails. */
static struct srv *cur;

/* Returns the absolute path of a fixture file; caller frees. */
static char *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	char *p;

	if (dir == NULL || *dir == '\0')
		dir = ".";
	xasprintf(&p, "%s/tests/fixtures/tls/%s", dir, name);
	return (p);
}

/* Reads a whole fixture file; caller frees. */
static char *
fixture_read(const char *name)
{
	char *path = fixture(name), *buf;
	FILE *f;
	long n;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (set srcdir)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = '\0';
	fclose(f);
	free(path);
	return (buf);
}

/* Loads a fixture certificate. */
static X509 *
fixture_cert(const char *name)
{
	char *path = fixture(name);
	FILE *f;
	X509 *x;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	ck_assert(x != NULL);
	fclose(f);
	free(path);
	return (x);
}

/* The colon-hex SHA-256 of a fixture certificate's DER; caller frees. */
static char *
cert_fingerprint(const char *name, bool lower)
{
	X509 *x = fixture_cert(name);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;
	char *out;

	ck_assert(X509_digest(x, EVP_sha256(), md, &n) == 1);
	ck_assert_uint_eq(n, 32);
	out = xmalloc(n * 3);
	for (i = 0; i < n; i++) {
		snprintf(out + i * 3, 4, lower ? "%02x%s" : "%02X%s", md[i],
		    i + 1 < n ? ":" : "");
	}
	X509_free(x);
	return (out);
}

/* The "sha256//BASE64" pin of a fixture certificate's key; caller frees. */
static char *
cert_pubkey_pin(const char *name)
{
	X509 *x = fixture_cert(name);
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE], b64[64];
	unsigned int n;
	int len;
	char *out;

	len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	ck_assert(len > 0);
	ck_assert(
	    EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL) == 1);
	ck_assert(EVP_EncodeBlock(b64, md, (int)n) == 44);
	xasprintf(&out, "sha256//%s", (char *)b64);
	OPENSSL_free(der);
	X509_free(x);
	return (out);
}

/* Counts accepted connections. */
static void
srv_notify(void *cls, struct MHD_Connection *conn, void **sctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct srv *s = cls;

	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	pthread_mutex_lock(&s->mu);
	s->nconn++;
	pthread_mutex_unlock(&s->mu);
}

/* Frees a request's upload state. */
static void
srv_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct srv_req *r = *con_cls;

	if (r != NULL) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* Streams BIG_LEN bytes without a Content-Length. */
static ssize_t
srv_chunks(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t n;

	if (pos >= BIG_LEN)
		return (MHD_CONTENT_READER_END_OF_STREAM);
	n = BIG_LEN - (size_t)pos;
	if (n > 100)
		n = 100;
	if (n > max)
		n = max;
	memset(buf, 'y', n);
	return ((ssize_t)n);
}

/* One streamed reply's state. */
struct srv_stream {
	struct srv *s;
	int step;
};

/*
 * /stream: "one\r\ntw", "o\n", then holds until a client that saw
 * "two" sets go (or a long deadline, recorded in held_out), then "three"
 * without a newline.
 */
static ssize_t
srv_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct srv_stream *st = cls;
	struct srv *s = st->s;
	struct timespec ts;
	const char *out;

	(void)pos;
	switch (st->step++) {
	case 0:
		out = "one\r\ntw";
		break;
	case 1:
		out = "o\n";
		break;
	case 2:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += clock_scaled_ms(10000) / 1000;
		pthread_mutex_lock(&s->mu);
		while (!s->go && !s->release) {
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) ==
			    ETIMEDOUT) {
				s->held_out = true;
				break;
			}
		}
		pthread_mutex_unlock(&s->mu);
		out = "three";
		break;
	default:
		return (MHD_CONTENT_READER_END_OF_STREAM);
	}
	if (strlen(out) > max)
		return (MHD_CONTENT_READER_END_WITH_ERROR);
	memcpy(buf, out, strlen(out));
	return ((ssize_t)strlen(out));
}

/* /forever: "tick\n", then nothing until srv_stop. */
static ssize_t
srv_forever_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct srv_stream *st = cls;
	struct srv *s = st->s;
	struct timespec ts;

	(void)pos;
	(void)max;
	if (st->step++ == 0) {
		memcpy(buf, "tick\n", 5);
		return (5);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += clock_scaled_ms(10000) / 1000;
	pthread_mutex_lock(&s->mu);
	while (!s->release) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	}
	s->forever_done = true;
	pthread_mutex_unlock(&s->mu);
	return (MHD_CONTENT_READER_END_WITH_ERROR);
}

/* Holds the request until srv_stop releases it (or a long deadline). */
static void
srv_wait_release(struct srv *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += clock_scaled_ms(10000) / 1000;
	pthread_mutex_lock(&s->mu);
	while (!s->release) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->mu);
}

/* Queues a response with a copied body. */
static enum MHD_Result
srv_reply(struct MHD_Connection *conn, unsigned int status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (type != NULL)
		MHD_add_response_header(r, "Content-Type", type);
	if (strcmp(body, "{\"ok\":true,\"n\":42}") == 0) {
		MHD_add_response_header(r, "Set-Cookie",
		    "PVEAuthCookie=PVE:root@pam:ABC; path=/; secure");
		MHD_add_response_header(r, "Set-Cookie", "second=2");
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (ret);
}

/* The test server's routes. */
static enum MHD_Result
srv_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	static const char ok[] = "{\"ok\":true,\"n\":42}";
	struct srv *s = cls;
	struct srv_req *r = *con_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *big;

	if (r == NULL) {
		*con_cls = xcalloc(1, sizeof *r);
		pthread_mutex_lock(&s->mu);
		s->nreq++;
		free(s->last_method);
		s->last_method = xstrdup(method);
		free(s->last_token);
		s->last_token = MHD_lookup_connection_value(conn,
		    MHD_HEADER_KIND, "X-Token") != NULL ? xstrdup(
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "X-Token")) : NULL;
		pthread_mutex_unlock(&s->mu);
		return (MHD_YES);
	}
	if (*upload_size != 0) {
		r->body = xrealloc(r->body, r->len + *upload_size + 1);
		memcpy(r->body + r->len, upload, *upload_size);
		r->len += *upload_size;
		r->body[r->len] = '\0';
		*upload_size = 0;
		return (MHD_YES);
	}
	pthread_mutex_lock(&s->mu);
	free(s->last_body);
	s->last_body = xstrdup(r->body != NULL ? r->body : "");
	pthread_mutex_unlock(&s->mu);

	if (strcmp(url, "/json") == 0)
		return (
		    srv_reply(conn, 200, "application/json", ok, strlen(ok)));
	if (strcmp(url, "/echo") == 0) {
		return (srv_reply(conn, 200, "application/json",
		    r->body != NULL ? r->body : "", r->len));
	}
	if (strcmp(url, "/slow") == 0) {
		srv_wait_release(s);
		return (
		    srv_reply(conn, 200, "application/json", ok, strlen(ok)));
	}
	if (strcmp(url, "/big") == 0) {
		big = xmalloc(BIG_LEN + 1);
		memset(big, 'x', BIG_LEN);
		big[BIG_LEN] = '\0';
		ret = srv_reply(conn, 200, "text/plain", big, BIG_LEN);
		free(big);
		return (ret);
	}
	if (strcmp(url, "/bigchunk") == 0) {
		resp = MHD_create_response_from_callback(
		    MHD_SIZE_UNKNOWN, 100, srv_chunks, NULL, NULL);
		ret = MHD_queue_response(conn, 200, resp);
		MHD_destroy_response(resp);
		return (ret);
	}
	if (strcmp(url, "/stream") == 0 || strcmp(url, "/forever") == 0) {
		struct srv_stream *st = xcalloc(1, sizeof *st);

		st->s = s;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256,
		    strcmp(url, "/stream") == 0 ? srv_stream_read :
		    srv_forever_read, st, free);
		MHD_add_response_header(resp, "Content-Type", "text/plain");
		ret = MHD_queue_response(conn, 200, resp);
		MHD_destroy_response(resp);
		return (ret);
	}
	if (strcmp(url, "/garbage") == 0) {
		return (srv_reply(
		    conn, 200, "text/plain", "not json SECRETBODY", 19));
	}
	if (strcmp(url, "/fail") == 0) {
		return (srv_reply(conn, 500, "application/json",
		    "{\"message\":\"boom\"}", 18));
	}
	if (strcmp(url, "/leak") == 0) {
		return (srv_reply(conn, 401, "application/json",
		    "{\"message\":\"token SECRET123 is invalid\"}", 40));
	}
	if (strcmp(url, "/empty") == 0)
		return (srv_reply(conn, 204, NULL, "", 0));
	return (srv_reply(conn, 404, "application/json",
	    "{\"error\":\"no such thing\"}", 25));
}

/*
 * Starts a server: plain HTTP when cert is NULL, else TLS with the named
 * fixture ("self" reads self.pem and self-key.pem); on a Unix socket in a
 * private folder when unix_sock.
 */
static struct srv *
srv_start(const char *cert, bool unix_sock)
{
	struct srv *s = xcalloc(1, sizeof *s);
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO;
	char *name;
	int fd = -1;

	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);

	if (cert != NULL) {
		ck_assert_msg(
		    MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES,
		    "libmicrohttpd has no TLS");
		flags |= MHD_USE_TLS;
		xasprintf(&name, "%s.pem", cert);
		s->cert_pem = fixture_read(name);
		free(name);
		xasprintf(&name, "%s-key.pem", cert);
		s->key_pem = fixture_read(name);
		free(name);
	}
	if (unix_sock) {
		s->dir = test_tmpdir();
		xasprintf(&s->sock_path, "%s/http.sock", s->dir);
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		ck_assert(strlen(s->sock_path) < sizeof sun.sun_path);
		strcpy(sun.sun_path, s->sock_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert(fd != -1);
		ck_assert(bind(fd, (struct sockaddr *)&sun, sizeof sun) == 0);
		ck_assert(listen(fd, 16) == 0);
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	if (unix_sock) {
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, srv_handler, s,
		    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_CONNECTION,
		    srv_notify, s, MHD_OPTION_NOTIFY_COMPLETED, srv_completed,
		    s, MHD_OPTION_END);
	} else if (cert != NULL) {
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, srv_handler, s,
		    MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_HTTPS_MEM_KEY,
		    s->key_pem, MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem,
		    MHD_OPTION_NOTIFY_CONNECTION, srv_notify, s,
		    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s,
		    MHD_OPTION_END);
	} else {
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, srv_handler, s,
		    MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_NOTIFY_CONNECTION,
		    srv_notify, s, MHD_OPTION_NOTIFY_COMPLETED, srv_completed,
		    s, MHD_OPTION_END);
	}
	ck_assert_msg(s->d != NULL, "MHD_start_daemon failed");
	if (unix_sock)
		xasprintf(&s->url, "http://127.0.0.1");
	else {
		info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
		ck_assert(info != NULL && info->port != 0);
		s->port = info->port;
		xasprintf(&s->url, "%s://127.0.0.1:%d",
		    cert != NULL ? "https" : "http", s->port);
	}
	cur = s;
	return (s);
}

/* Releases any held request, stops the server and frees it. */
static void
srv_stop(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	s->release = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->d);
	if (s->dir != NULL) {
		test_rm_rf(s->dir);
		free(s->dir);
	}
	free(s->sock_path);
	free(s->url);
	free(s->key_pem);
	free(s->cert_pem);
	free(s->last_method);
	free(s->last_body);
	free(s->last_token);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Reads the request counter. */
static int
srv_nreq(struct srv *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nreq;
	pthread_mutex_unlock(&s->mu);
	return (n);
}

/* Reads the connection counter. */
static int
srv_nconn(struct srv *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nconn;
	pthread_mutex_unlock(&s->mu);
	return (n);
}

/* Copies the last request's method and body. */
static void
srv_last(struct srv *s, char **method, char **body)
{
	pthread_mutex_lock(&s->mu);
	*method = xstrdup(s->last_method != NULL ? s->last_method : "");
	*body = xstrdup(s->last_body != NULL ? s->last_body : "");
	pthread_mutex_unlock(&s->mu);
}

/* Checked-fixture teardown: stops a server a failed test left running. */
static void
teardown(void)
{
	if (cur != NULL)
		srv_stop(cur);
	cur = NULL;
}

/* Creates a client or fails the test with the cause. */
static struct http_client *
client(const struct http_opts *o)
{
	struct http_client *c;
	struct http_opts so = *o;
	char *cause = NULL;

	/*
	 * Under valgrind (make memcheck) loading the system CAs and a TLS
	 * handshake take seconds: the defaults, scaled.
	 */
	if (so.connect_timeout_ms == 0)
		so.connect_timeout_ms = (long)clock_scaled_ms(5000);
	if (so.timeout_ms == 0)
		so.timeout_ms = (long)clock_scaled_ms(15000);
	c = http_client_create(&so, &cause);
	ck_assert_msg(c != NULL, "http_client_create: %s", cause);
	return (c);
}

/* A GET /json that must succeed; returns the "n" member. */
static long long
get_ok(struct http_client *c)
{
	char *cause = NULL;
	long status = 0;
	json_t *j;
	long long n;

	j = http_json(c, "GET", "/json", NULL, NULL, &status, &cause);
	ck_assert_msg(j != NULL, "GET /json: %s", cause);
	ck_assert_int_eq(status, 200);
	n = json_integer_value(json_object_get(j, "n"));
	json_decref(j);
	return (n);
}

/* A GET /json that must fail; returns the cause (caller frees). */
static char *
get_fails(struct http_client *c)
{
	char *cause = NULL;
	json_t *j;

	j = http_json(c, "GET", "/json", NULL, NULL, NULL, &cause);
	ck_assert(j == NULL);
	ck_assert(cause != NULL);
	return (cause);
}

START_TEST(test_json_get)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	char *cause = NULL;

	ck_assert_int_eq(get_ok(c), 42);

	ck_assert_int_eq(
	    http_request(c, "GET", "/json", NULL, NULL, 0, &r, &cause), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"ok\":true,\"n\":42}");
	ck_assert_uint_eq(r.len, strlen(r.body));
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_uint_eq(r.nset_cookies, 2);
	ck_assert_str_eq(r.set_cookies[0], "PVEAuthCookie=PVE:root@pam:ABC");
	ck_assert_str_eq(r.set_cookies[1], "second=2");
	http_response_free(&r);

	/* Any status is a response for http_request. */
	ck_assert_int_eq(
	    http_request(c, "GET", "/nope", NULL, NULL, 0, &r, &cause), 0);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);

	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_post_then_get)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	const char *const hdrs[] = { "X-Test: 1", NULL };
	char *cause = NULL, *method, *body;
	json_t *in, *out;
	long status;

	in = json_pack(
	    "{s:s, s:i, s:[i,i]}", "name", "vm 1 \xc3\xa9", "n", 3, "a", 1, 2);
	out = http_json(c, "POST", "/echo", hdrs, in, &status, &cause);
	ck_assert_msg(out != NULL, "%s", cause);
	ck_assert(json_equal(in, out));
	srv_last(s, &method, &body);
	ck_assert_str_eq(method, "POST");
	ck_assert_str_eq(
	    body, "{\"name\":\"vm 1 \xc3\xa9\",\"n\":3,\"a\":[1,2]}");
	free(method);
	free(body);
	json_decref(out);

	/* A GET after a POST is a GET, without the old body. */
	ck_assert_int_eq(get_ok(c), 42);
	srv_last(s, &method, &body);
	ck_assert_str_eq(method, "GET");
	ck_assert_str_eq(body, "");
	free(method);
	free(body);

	/* Other methods go through CUSTOMREQUEST. */
	out = http_json(c, "PUT", "/echo", NULL, in, &status, &cause);
	ck_assert_msg(out != NULL, "%s", cause);
	json_decref(out);
	srv_last(s, &method, &body);
	ck_assert_str_eq(method, "PUT");
	free(method);
	free(body);
	out = http_json(c, "DELETE", "/json", NULL, NULL, &status, &cause);
	ck_assert_msg(out != NULL, "%s", cause);
	json_decref(out);
	srv_last(s, &method, &body);
	ck_assert_str_eq(method, "DELETE");
	ck_assert_str_eq(body, "");
	free(method);
	free(body);

	json_decref(in);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_keepalive)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);

	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(srv_nreq(s), 2);
	ck_assert_int_eq(srv_nconn(s), 1);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_timeout)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *cause = NULL, *want;
	int64_t start;
	json_t *j;

	o.timeout_ms = (long)clock_scaled_ms(200);
	c = client(&o);
	start = clock_mono_ms();
	j = http_json(c, "GET", "/slow", NULL, NULL, NULL, &cause);
	ck_assert(j == NULL);
	ck_assert(clock_mono_ms() - start < clock_scaled_ms(3000));
	xasprintf(&want, "GET /slow: timed out after %ld ms", o.timeout_ms);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_size_cap)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url, .max_response = SMALL_CAP };
	struct http_client *c = client(&o);
	struct http_response r;
	char *cause = NULL;

	/* Known Content-Length, refused before the body is read. */
	ck_assert_int_eq(
	    http_request(c, "GET", "/big", NULL, NULL, 0, &r, &cause), -1);
	ck_assert_str_eq(cause, "GET /big: response larger than 1000 bytes");
	ck_assert(r.body == NULL);
	free(cause);

	/* Chunked, stopped in the write callback. */
	ck_assert_int_eq(
	    http_request(c, "GET", "/bigchunk", NULL, NULL, 0, &r, &cause), -1);
	ck_assert_str_eq(
	    cause, "GET /bigchunk: response larger than 1000 bytes");
	free(cause);

	/* The client still works afterwards. */
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_unix_socket)
{
	struct srv *s = srv_start(NULL, true);
	struct http_opts o = { .base_url = s->url,
		.unix_socket = s->sock_path };
	struct http_client *c = client(&o);
	char *cause;

	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(srv_nconn(s), 1);
	http_client_destroy(c);

	/* A missing socket names the error without the path. */
	o.unix_socket = "/nonexistent/racktop-test.sock";
	c = client(&o);
	cause = get_fails(c);
	ck_assert_str_eq(cause, "GET /json: no such file or directory");
	free(cause);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_json_errors)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	char *cause = NULL;
	long status;
	json_t *j;

	j = http_json(c, "GET", "/garbage", NULL, NULL, &status, &cause);
	ck_assert(j == NULL);
	ck_assert_int_eq(status, 200);
	ck_assert_msg(
	    strncmp(cause, "GET /garbage: invalid JSON in response: ", 40) == 0,
	    "%s", cause);
	ck_assert(strstr(cause, "SECRETBODY") == NULL);
	ck_assert(strstr(cause, "not json") == NULL);
	free(cause);

	j = http_json(c, "POST", "/fail", NULL, NULL, &status, &cause);
	ck_assert(j == NULL);
	ck_assert_int_eq(status, 500);
	ck_assert_str_eq(cause, "POST /fail: HTTP 500: boom");
	free(cause);

	j = http_json(c, "GET", "/nope", NULL, NULL, &status, &cause);
	ck_assert(j == NULL);
	ck_assert_int_eq(status, 404);
	ck_assert_str_eq(cause, "GET /nope: HTTP 404: no such thing");
	free(cause);

	/* An empty 2xx body is JSON null. */
	j = http_json(c, "DELETE", "/empty", NULL, NULL, &status, &cause);
	ck_assert(json_is_null(j));
	ck_assert_int_eq(status, 204);
	json_decref(j);

	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_tls_default_refuses)
{
	struct srv *s = srv_start("self", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	char *cause;

	cause = get_fails(c);
	ck_assert_msg(
	    strncmp(cause, "GET /json: TLS verification failed: ", 36) == 0,
	    "%s", cause);
	ck_assert_int_eq(srv_nreq(s), 0);
	free(cause);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_tls_ca_file)
{
	struct srv *s = srv_start("server", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *cause;

	o.ca_file = fixture("ca.pem");
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	teardown();

	/* The same CA does not vouch for an unrelated self-signed cert. */
	s = srv_start("self", false);
	o.base_url = s->url;
	c = client(&o);
	cause = get_fails(c);
	ck_assert(strstr(cause, "TLS") != NULL);
	ck_assert_int_eq(srv_nreq(s), 0);
	free(cause);
	http_client_destroy(c);
	free((char *)(uintptr_t)o.ca_file);
	teardown();
}
END_TEST

START_TEST(test_tls_fingerprint)
{
	struct srv *s = srv_start("self", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *fp, *lfp;

	fp = cert_fingerprint("self.pem", false);
	o.fingerprint = fp;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);

	lfp = cert_fingerprint("self.pem", true);
	o.fingerprint = lfp;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	free(fp);
	free(lfp);
	teardown();
}
END_TEST

START_TEST(test_tls_fingerprint_ca_signed)
{
	struct srv *s = srv_start("server", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *fp;

	/* The pin is the trust: no ca_file needed for a CA-signed leaf. */
	fp = cert_fingerprint("server.pem", false);
	o.fingerprint = fp;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	free(fp);
	teardown();
}
END_TEST

START_TEST(test_tls_pubkey_pin)
{
	struct srv *s = srv_start("self", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *pin;

	pin = cert_pubkey_pin("self.pem");
	o.fingerprint = pin;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	free(pin);
	teardown();
}
END_TEST

START_TEST(test_tls_wrong_fingerprint)
{
	struct srv *s = srv_start("self", false);
	struct http_opts o = { .base_url = s->url };
	const char *const hdrs[] = { "Authorization: Bearer SECRET123", NULL };
	struct http_client *c;
	char *fp, *cause = NULL;
	json_t *j;

	fp = cert_fingerprint("other.pem", false);
	o.fingerprint = fp;
	c = client(&o);
	j = http_json(c, "GET", "/json", hdrs, NULL, NULL, &cause);
	ck_assert(j == NULL);
	ck_assert_str_eq(
	    cause, "GET /json: TLS certificate fingerprint mismatch");
	free(cause);
	/* The server accepted a connection but never saw a request. */
	ck_assert_int_ge(srv_nconn(s), 1);
	ck_assert_int_eq(srv_nreq(s), 0);
	http_client_destroy(c);
	free(fp);

	/* A good client afterwards is the first and only request. */
	fp = cert_fingerprint("self.pem", false);
	o.fingerprint = fp;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(srv_nreq(s), 1);
	http_client_destroy(c);
	free(fp);
	teardown();
}
END_TEST

START_TEST(test_tls_wrong_pubkey_pin)
{
	struct srv *s = srv_start("self", false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c;
	char *pin, *cause;

	pin = cert_pubkey_pin("other.pem");
	o.fingerprint = pin;
	c = client(&o);
	cause = get_fails(c);
	ck_assert_str_eq(cause, "GET /json: TLS public key pin mismatch");
	free(cause);
	ck_assert_int_ge(srv_nconn(s), 1);
	ck_assert_int_eq(srv_nreq(s), 0);
	http_client_destroy(c);
	free(pin);

	pin = cert_pubkey_pin("self.pem");
	o.fingerprint = pin;
	c = client(&o);
	ck_assert_int_eq(get_ok(c), 42);
	ck_assert_int_eq(srv_nreq(s), 1);
	http_client_destroy(c);
	free(pin);
	teardown();
}
END_TEST

START_TEST(test_tls_insecure)
{
	struct srv *s = srv_start("other", false);
	struct http_opts o = { .base_url = s->url, .insecure = true };
	struct http_client *c = client(&o);

	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_bad_options)
{
	static const char *bad[] = {
		"AA:BB",
		"sha256//tooshort=",
		"sha256//",
		"zz:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:"
		"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
		"0000:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:"
		"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:0",
		NULL,
	};
	struct http_opts o = { .base_url = "https://127.0.0.1:1" };
	struct http_client *c;
	char *cause = NULL;
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		o.fingerprint = bad[i];
		c = http_client_create(&o, &cause);
		ck_assert_msg(c == NULL, "accepted %s", bad[i]);
		ck_assert_msg(
		    strncmp(cause, "fingerprint: ", 13) == 0, "%s", cause);
		free(cause);
	}

	/* A pin on plain HTTP would protect nothing. */
	o.base_url = "http://127.0.0.1:1";
	o.fingerprint = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	ck_assert(http_client_create(&o, &cause) == NULL);
	ck_assert_str_eq(cause, "fingerprint needs an https:// base_url");
	free(cause);

	o.fingerprint = NULL;
	o.base_url = "ftp://user:pw@127.0.0.1/";
	ck_assert(http_client_create(&o, &cause) == NULL);
	ck_assert(strstr(cause, "pw") == NULL);
	free(cause);

	o.base_url = "https://127.0.0.1:1";
	o.ca_file = "/nonexistent/ca.pem";
	ck_assert(http_client_create(&o, &cause) == NULL);
	ck_assert(strncmp(cause, "ca_file: cannot read", 20) == 0);
	free(cause);
}
END_TEST

/* Asserts a cause carries neither the token nor the URL password. */
static void
assert_clean(char *cause)
{
	ck_assert(cause != NULL);
	ck_assert_msg(strstr(cause, "SECRET123") == NULL, "%s", cause);
	ck_assert_msg(strstr(cause, "pw") == NULL, "%s", cause);
	ck_assert_msg(strstr(cause, "user") == NULL, "%s", cause);
	free(cause);
}

START_TEST(test_no_secrets)
{
	const char *const hdrs[] = { "Authorization: Bearer SECRET123", NULL };
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct http_opts o = { 0 };
	struct http_client *c;
	struct srv *s;
	char *url, *cause = NULL, *fp;
	json_t *body;
	int fd;

	/* A bound but not listening port refuses connections. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	xasprintf(&url, "http://user:pw@127.0.0.1:%d", ntohs(sin.sin_port));
	o.base_url = url;
	c = client(&o);
	ck_assert(http_json(c, "GET", "/x?token=SECRET123", hdrs, NULL, NULL,
		      &cause) == NULL);
	ck_assert_str_eq(cause, "GET /x: connection refused");
	assert_clean(cause);
	http_client_destroy(c);
	close(fd);
	free(url);

	/* Upstream failures over plain HTTP. */
	s = srv_start(NULL, false);
	xasprintf(&url, "http://user:pw@127.0.0.1:%d", s->port);
	o.base_url = url;
	o.max_response = SMALL_CAP;
	o.timeout_ms = (long)clock_scaled_ms(200);
	c = client(&o);
	ck_assert(
	    http_json(c, "GET", "/leak", hdrs, NULL, NULL, &cause) == NULL);
	ck_assert_str_eq(cause, "GET /leak: HTTP 401");
	assert_clean(cause);
	ck_assert(http_json(c, "GET", "/garbage?SECRET123", hdrs, NULL, NULL,
		      &cause) == NULL);
	assert_clean(cause);
	ck_assert(
	    http_json(c, "GET", "/big", hdrs, NULL, NULL, &cause) == NULL);
	assert_clean(cause);
	body = json_string("SECRET123");
	ck_assert(
	    http_json(c, "POST", "/slow", hdrs, body, NULL, &cause) == NULL);
	json_decref(body);
	assert_clean(cause);
	http_client_destroy(c);
	free(url);
	teardown();

	/* TLS failures. */
	s = srv_start("self", false);
	xasprintf(&url, "https://user:pw@127.0.0.1:%d", s->port);
	o.base_url = url;
	c = client(&o);
	ck_assert(
	    http_json(c, "GET", "/json", hdrs, NULL, NULL, &cause) == NULL);
	assert_clean(cause);
	http_client_destroy(c);
	fp = cert_fingerprint("other.pem", false);
	o.fingerprint = fp;
	c = client(&o);
	ck_assert(
	    http_json(c, "GET", "/json", hdrs, NULL, NULL, &cause) == NULL);
	assert_clean(cause);
	http_client_destroy(c);
	free(fp);
	free(url);
	teardown();
}
END_TEST

START_TEST(test_escape)
{
	char *s;

	s = http_escape("a b/c?d=\xc3\xa9~-._&+%");
	ck_assert_str_eq(s, "a%20b%2Fc%3Fd%3D%C3%A9~-._%26%2B%25");
	free(s);
	s = http_escape("");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_bad_request_args)
{
	const char *const crlf[] = { "X-A: 1\r\nX-B: 2", NULL };
	struct http_opts o = { .base_url = "http://127.0.0.1:1" };
	struct http_client *c = client(&o);
	struct http_response r;
	char *cause = NULL;

	ck_assert_int_eq(
	    http_request(c, "GET", "/x", crlf, NULL, 0, &r, &cause), -1);
	ck_assert_str_eq(cause, "GET /x: invalid header");
	free(cause);
	ck_assert_int_eq(
	    http_request(c, "GET", "/x y", NULL, NULL, 0, &r, &cause), -1);
	ck_assert_str_eq(cause, "GET /x?y: invalid path");
	free(cause);
	ck_assert_int_eq(
	    http_request(c, "get\r\n", "/x", NULL, NULL, 0, &r, &cause), -1);
	ck_assert_str_eq(cause, "/x: invalid HTTP method");
	free(cause);
	http_client_destroy(c);
}
END_TEST

/* The suite. */
/* What a streamed test received, line by line. */
struct got {
	struct srv *s;
	char lines[8][32];
	int n;
	int end_after;		/* line returns 1 after this many; 0: never */
	bool go_at_two;		/* release /stream's hold on "two" */
	bool stop_after_one;	/* stop() answers true once a line came */
	int chunks;
};

/* A line callback: records, may release the server or end. */
static int
got_line(void *arg, const char *p, size_t n)
{
	struct got *g = arg;

	ck_assert_int_lt(g->n, 8);
	snprintf(g->lines[g->n], sizeof g->lines[0], "%.*s", (int)n, p);
	g->n++;
	if (g->go_at_two && strcmp(g->lines[g->n - 1], "two") == 0) {
		pthread_mutex_lock(&g->s->mu);
		g->s->go = true;
		pthread_cond_broadcast(&g->s->cv);
		pthread_mutex_unlock(&g->s->mu);
	}
	return (g->end_after > 0 && g->n >= g->end_after);
}

/* A chunk callback that counts and never ends. */
static int
got_chunk(void *arg, const char *p, size_t n)
{
	struct got *g = arg;

	(void)p;
	(void)n;
	g->chunks++;
	return (0);
}

/* A stop callback: true once a line arrived. */
static bool
got_stop(void *arg)
{
	struct http_lines *l = arg;
	struct got *g = l->arg;

	return (g->stop_after_one && g->n > 0);
}

/* Streams path as lines into g; returns http_stream's answer. */
static int
stream_lines(struct http_client *c, const char *path, struct got *g,
    long timeout_ms, long idle_ms, struct http_response *r, char **cause)
{
	static const char *const hdrs[] = { "X-Token: t0k3n-value", NULL };
	struct http_lines l;
	struct http_stream st = {
		.chunk = http_lines_feed,
		.stop = got_stop,
		.arg = &l,
		.timeout_ms = timeout_ms,
		.idle_timeout_ms = idle_ms,
	};
	int rc;

	http_lines_init(&l, got_line, g, 0);
	rc = http_stream(c, "GET", path, hdrs, NULL, 0, &st, r, cause);
	if (rc == 0)
		http_lines_flush(&l);
	http_lines_free(&l);
	return (rc);
}

START_TEST(test_stream_lines)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s, .go_at_two = true };
	char *cause = NULL;

	ck_assert_int_eq(stream_lines(c, "/stream", &g, 0, 0, &r, &cause), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_type, "text/plain");
	ck_assert_str_eq(r.body, "");
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(g.lines[0], "one");
	ck_assert_str_eq(g.lines[1], "two");
	ck_assert_str_eq(g.lines[2], "three");
	/* "two" arrived while the server still held "three" back. */
	pthread_mutex_lock(&s->mu);
	ck_assert(!s->held_out);
	ck_assert_str_eq(s->last_token, "t0k3n-value");
	pthread_mutex_unlock(&s->mu);
	http_response_free(&r);

	/* The client is a plain client again: buffered, with its timeout. */
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_stream_chunk_ends)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s, .end_after = 1 };
	char *cause = NULL;

	/* The line callback ends the transfer at its first line. */
	ck_assert_int_eq(stream_lines(c, "/forever", &g, 0, 0, &r, &cause),
	    HTTP_STREAM_STOPPED);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(g.lines[0], "tick");
	ck_assert(cause == NULL);
	http_response_free(&r);
	pthread_mutex_lock(&s->mu);
	ck_assert(!s->forever_done);	/* ended by us, not by the server */
	pthread_mutex_unlock(&s->mu);
	ck_assert_int_eq(get_ok(c), 42);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_stream_stop)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s, .stop_after_one = true };
	char *cause = NULL;

	/* A silent stream ends once stop says so: a cancelled caller. */
	ck_assert_int_eq(stream_lines(c, "/forever", &g, 0, 0, &r, &cause),
	    HTTP_STREAM_STOPPED);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(g.n, 1);
	pthread_mutex_lock(&s->mu);
	ck_assert(!s->forever_done);
	pthread_mutex_unlock(&s->mu);
	http_response_free(&r);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_stream_timeouts)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s };
	long ms = (long)clock_scaled_ms(200);
	char *cause = NULL, *want;

	/* Silence longer than the idle timeout. */
	ck_assert_int_eq(stream_lines(c, "/forever", &g, 0, ms, &r, &cause),
	    -1);
	xasprintf(&want, "GET /forever: nothing received for %ld ms", ms);
	ck_assert_str_eq(cause, want);
	ck_assert_int_eq(g.n, 1);	/* what came before stays delivered */
	free(want);
	free(cause);
	http_response_free(&r);

	/* The whole transfer's deadline. */
	cause = NULL;
	g.n = 0;
	ck_assert_int_eq(stream_lines(c, "/forever", &g, ms, 0, &r, &cause),
	    -1);
	xasprintf(&want, "GET /forever: timed out after %ld ms", ms);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	http_response_free(&r);

	/* Nobody listening. */
	cause = NULL;
	teardown();
	ck_assert_int_eq(stream_lines(c, "/forever", &g, ms, 0, &r, &cause),
	    -1);
	ck_assert_str_eq(cause, "GET /forever: connection refused");
	free(cause);
	http_response_free(&r);
	http_client_destroy(c);
}
END_TEST

START_TEST(test_stream_error_status)
{
	struct srv *s = srv_start(NULL, false);
	struct http_opts o = { .base_url = s->url };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s };
	struct http_stream st = { .chunk = got_chunk, .arg = &g };
	char *cause = NULL;

	/* An error answer keeps its body for the message; chunk sees none. */
	ck_assert_int_eq(http_stream(c, "POST", "/fail", NULL, "{}", 2, &st,
	    &r, &cause), 0);
	ck_assert_int_eq(r.status, 500);
	ck_assert_str_eq(r.body, "{\"message\":\"boom\"}");
	ck_assert_int_eq(g.chunks, 0);
	http_response_free(&r);

	/* A bad request is refused before anything is sent. */
	ck_assert_int_eq(http_stream(c, "GET", "/a b", NULL, NULL, 0, &st, &r,
	    &cause), -1);
	ck_assert_str_eq(cause, "GET /a?b: invalid path");
	free(cause);
	http_response_free(&r);
	http_client_destroy(c);
	teardown();
}
END_TEST

START_TEST(test_stream_unix_tls)
{
	struct srv *s = srv_start(NULL, true);
	struct http_opts o = { .base_url = s->url,
		.unix_socket = s->sock_path };
	struct http_client *c = client(&o);
	struct http_response r;
	struct got g = { .s = s, .go_at_two = true };
	char *cause = NULL, *fp;

	/* Over a Unix socket, as the Docker Engine API. */
	ck_assert_int_eq(stream_lines(c, "/stream", &g, 0, 0, &r, &cause), 0);
	ck_assert_int_eq(g.n, 3);
	http_response_free(&r);
	http_client_destroy(c);
	teardown();

	/* Over TLS with the client's fingerprint pin. */
	s = srv_start("self", false);
	fp = cert_fingerprint("self.pem", false);
	o = (struct http_opts){ .base_url = s->url, .fingerprint = fp };
	c = client(&o);
	memset(&g, 0, sizeof g);
	g.s = s;
	g.go_at_two = true;
	ck_assert_int_eq(stream_lines(c, "/stream", &g, 0, 0, &r, &cause), 0);
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(g.lines[2], "three");
	http_response_free(&r);
	http_client_destroy(c);
	free(fp);
	teardown();
}
END_TEST

/* Records lines for the splitter test. */
static int
split_line(void *arg, const char *p, size_t n)
{
	json_t *a = arg;

	json_array_append_new(a, json_stringn(p, n));
	return (strncmp(p, "stop", n) == 0 && n == 4);
}

START_TEST(test_lines_split)
{
	static const char text[] = "a\r\nbb\n\nccc\r\nlast";
	struct http_lines l;
	json_t *a = json_array(), *want;
	size_t i;

	/* Byte by byte: lines across chunks, CRLF, empty lines, no final LF. */
	http_lines_init(&l, split_line, a, 0);
	for (i = 0; i < sizeof text - 1; i++)
		ck_assert_int_eq(http_lines_feed(&l, text + i, 1), 0);
	ck_assert_int_eq(json_array_size(a), 4);
	ck_assert_int_eq(http_lines_flush(&l), 0);
	want = json_pack("[s, s, s, s, s]", "a", "bb", "", "ccc", "last");
	ck_assert(json_equal(a, want));
	json_decref(want);
	http_lines_free(&l);

	/* Whole, and a line that ends the stream. */
	json_array_clear(a);
	http_lines_init(&l, split_line, a, 0);
	ck_assert_int_eq(http_lines_feed(&l, "x\nstop\ny\n", 9), -1);
	ck_assert(l.ended);
	ck_assert_int_eq(json_array_size(a), 2);
	ck_assert_int_eq(http_lines_feed(&l, "z\n", 2), -1);
	http_lines_free(&l);

	/* A line longer than max, whether or not its newline came. */
	json_array_clear(a);
	http_lines_init(&l, split_line, a, 4);
	ck_assert_int_eq(http_lines_feed(&l, "abcd\nab", 7), 0);
	ck_assert_int_eq(http_lines_feed(&l, "cde\n", 4), -1);
	ck_assert(l.too_long);
	http_lines_free(&l);
	http_lines_init(&l, split_line, a, 4);
	ck_assert_int_eq(http_lines_feed(&l, "abcdefgh", 8), -1);
	ck_assert(l.too_long);
	http_lines_free(&l);
	ck_assert_int_eq(json_array_size(a), 1);
	json_decref(a);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_json_get);
	tcase_add_test(tc, test_post_then_get);
	tcase_add_test(tc, test_keepalive);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_size_cap);
	tcase_add_test(tc, test_unix_socket);
	tcase_add_test(tc, test_json_errors);
	tcase_add_test(tc, test_tls_default_refuses);
	tcase_add_test(tc, test_tls_ca_file);
	tcase_add_test(tc, test_tls_fingerprint);
	tcase_add_test(tc, test_tls_fingerprint_ca_signed);
	tcase_add_test(tc, test_tls_pubkey_pin);
	tcase_add_test(tc, test_tls_wrong_fingerprint);
	tcase_add_test(tc, test_tls_wrong_pubkey_pin);
	tcase_add_test(tc, test_tls_insecure);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_no_secrets);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_bad_request_args);
	tcase_add_test(tc, test_stream_lines);
	tcase_add_test(tc, test_stream_chunk_ends);
	tcase_add_test(tc, test_stream_stop);
	tcase_add_test(tc, test_stream_timeouts);
	tcase_add_test(tc, test_stream_error_status);
	tcase_add_test(tc, test_stream_unix_tls);
	tcase_add_test(tc, test_lines_split);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the http suite. */
int
main(void)
{
	return (test_run_suite(http_suite()));
}
