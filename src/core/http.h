/*
 * The one libcurl wrapper every backend uses.
 *
 * A client owns one CURL easy handle and must be used by one thread at a
 * time (libcurl forbids sharing a handle); keep-alive connections are
 * reused across requests on the same client. TLS verification is on by
 * default; a ca_file or a fingerprint (colon-hex SHA-256 of the leaf
 * certificate, "AA:BB:...", or a public-key pin "sha256//BASE64") may
 * replace the system roots, and the fingerprint is checked inside the TLS
 * handshake, before any request byte or credential is sent. Error strings
 * never contain headers, bodies or credentials.
 *
 * Causes read "METHOD /path: what happened", with the path cut at its query
 * ("GET /cluster/resources: connection refused", "...: timed out after
 * 5000 ms", "...: TLS certificate fingerprint mismatch", "...: response
 * larger than 1048576 bytes", "POST /x: HTTP 500"). Proxies from the
 * environment are ignored, and redirects are never followed.
 */
#ifndef RT_HTTP_H
#define RT_HTTP_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_POOL_MAX 8		/* the most idle clients a pool keeps */

struct http_opts {
	const char *base_url;	/* "https://h:8006/api2/json" or "http://d/v1.43" */
	const char *unix_socket; /* connect here instead of TCP, or NULL */
	long connect_timeout_ms; /* 0: 5000 */
	long timeout_ms;	/* total per request; 0: 15000 */
	bool insecure;		/* explicit verify_tls=false */
	const char *ca_file;	/* replaces the system roots */
	/*
	 * "AA:BB:..." (SHA-256 of the leaf DER, any case) replaces chain and
	 * host name checks; "sha256//BASE64" replaces the chain check only.
	 * Either is enforced even with insecure, and needs https.
	 */
	const char *fingerprint;
	const char *cert_file;
	const char *key_file;
	size_t max_response;	/* bytes of body; 0: 64 MiB */
	/*
	 * A header line sent with every request ("X-API-Key: ..."), for an
	 * upstream reached through another's proxy; a secret: it never
	 * appears in a cause. NULL: none.
	 */
	const char *auth_header;
};

struct http_response {
	long status;
	char *body;		/* NUL-terminated, owned, never NULL after 0 */
	size_t len;
	char *content_type;	/* owned, may be NULL */
	char **set_cookies;	/* owned array of "name=value" from Set-Cookie */
	size_t nset_cookies;
	char *etag;		/* ETag exactly as sent (quotes kept), or NULL */
	char *retry_after;	/* Retry-After as sent, or NULL */
	char *next_page;	/* X-Next-Page as sent (paged lists), or NULL */
};

struct http_client;

/* Options are copied. NULL and *cause on a bad option. */
struct http_client *http_client_create(const struct http_opts *, char **cause);
void http_client_destroy(struct http_client *);

/*
 * One request. path is appended to base_url. headers is NULL-terminated
 * ("Name: value"), borrowed. body may be NULL. Returns 0 when a response
 * arrived (any status), -1 with *cause on transport failure, timeout,
 * TLS/fingerprint failure or a body over max_response. On -1 resp is left
 * zeroed; the caller frees *cause, and resp after 0 with http_response_free.
 */
int http_request(struct http_client *, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    struct http_response *resp, char **cause);
void http_response_free(struct http_response *);

/*
 * A request whose 2xx body is JSON. Sends "Accept: application/json" and,
 * with a body, "Content-Type: application/json" unless headers name them.
 * Returns a new reference; an empty 2xx body (a 204) is json_null(). NULL
 * with *cause otherwise: "HTTP 404", plus ": <message>" (200 bytes at most)
 * when the error body is JSON with a "message", "error" or "errors" string
 * or the reason phrase is not the standard one, or "invalid JSON in
 * response: <error> (line L, column C)". *status (if not NULL) receives
 * the HTTP status, 0 when no response arrived.
 */
json_t *http_json(struct http_client *, const char *method, const char *path,
    const char *const *headers, const json_t *body, long *status,
    char **cause);

/*
 * A streamed request: the 2xx body is handed to chunk as it arrives, bytes
 * in order, on the calling thread, with the client's TLS options and
 * connect timeout (the event streams, pull and push progress, Pi-hole's
 * gravity output). timeout_ms bounds the whole transfer (0: none, for an
 * endless stream) in place of the client's per-request timeout;
 * idle_timeout_ms bounds the silence between two received bytes (0:
 * none). chunk returning non-zero, or stop (may be NULL; polled at least
 * every HTTP_STREAM_POLL_MS, so a cancelled caller ends the transfer
 * promptly) returning true, closes the connection at once.
 */
#define HTTP_STREAM_POLL_MS 50
#define HTTP_STREAM_ERRBODY_MAX 65536
struct http_stream {
	int (*chunk)(void *arg, const char *data, size_t len);
	bool (*stop)(void *arg);
	void *arg;
	long timeout_ms;
	long idle_timeout_ms;
};

/*
 * Runs a streamed request; path, headers and body as for http_request.
 * Returns 0 when a response arrived and its body ended, whatever the
 * status: a 2xx body went to chunk (resp->body stays ""), any other
 * status keeps the start of its body (HTTP_STREAM_ERRBODY_MAX bytes) in
 * resp->body for the caller's error message, and chunk is never called.
 * Returns HTTP_STREAM_STOPPED when chunk or stop ended the transfer
 * (resp->status is set), and -1 with *cause on transport failure, TLS
 * failure, the deadline ("timed out after N ms"), silence ("nothing
 * received for N ms") or a connection closed mid-body; bytes delivered
 * before a failure stay delivered. resp is always filled far enough to
 * free with http_response_free. The client is usable again afterwards.
 */
#define HTTP_STREAM_STOPPED 1
int http_stream(struct http_client *, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    const struct http_stream *, struct http_response *resp, char **cause);

/*
 * Splits a stream into lines for a callback: set a stream's chunk to
 * http_lines_feed and its arg to the struct. Each line goes to line
 * without its "\n" or "\r\n" (empty lines too); line returning non-zero
 * ends the stream. A line longer than max (0: 1 MiB) ends it too, with
 * too_long set. After the transfer, http_lines_flush delivers a last line
 * that had no newline; http_lines_free frees the buffer.
 */
struct http_lines {
	int (*line)(void *arg, const char *line, size_t len);
	void *arg;
	size_t max;
	bool too_long;
	bool ended;		/* line asked to end */
	char *buf;		/* the partial line */
	size_t len;
	size_t size;
};

void http_lines_init(struct http_lines *, int (*line)(void *, const char *,
    size_t), void *arg, size_t max);
int http_lines_feed(void *lines, const char *data, size_t len);
int http_lines_flush(struct http_lines *);
void http_lines_free(struct http_lines *);

/*
 * Clients shared by threads: http_pool_get hands out an idle client or a
 * new one, the caller uses it alone, and http_pool_put keeps it for the
 * next call (at most max idle, which is capped at HTTP_POOL_MAX) or
 * destroys it. The opts are borrowed and must outlive the pool.
 */
struct http_pool {
	pthread_mutex_t lock;	/* guards idle, nidle */
	const struct http_opts *opts;
	size_t max;
	struct http_client *idle[HTTP_POOL_MAX];
	size_t nidle;
};

/* An empty pool keeping at most max idle clients made from opts. */
void http_pool_init(struct http_pool *, const struct http_opts *, size_t max);
/* An idle client, or a new one; NULL and *cause when creation fails. */
struct http_client *http_pool_get(struct http_pool *, char **cause);
/* Takes cl back (NULL is ignored). */
void http_pool_put(struct http_pool *, struct http_client *cl);
/* Destroys the idle clients; no client may be out. */
void http_pool_finish(struct http_pool *);
/* Body bytes received so far by every client (bench/bench-ui.sh). */
uint64_t http_bytes_received(void);

/* Percent-encodes s for a path segment or query value; caller frees. */
char *http_escape(const char *s);

#endif
