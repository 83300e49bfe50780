/*
 * The libcurl wrapper shared by every backend: one easy handle per client
 * (so keep-alive connections are reused), fixed timeouts, a response-size
 * cap, and the TLS trust options of DESIGN.md "Configuration": verification
 * on by default, ca_file, a colon-hex leaf fingerprint checked by an OpenSSL
 * verify callback inside the handshake, a "sha256//" public-key pin, and an
 * explicit insecure switch.
 *
 * Options that never change are set once in http_client_create; the
 * per-request options (URL, method, body, headers) are all set again by
 * every http_request, so a GET after a POST is a GET. Error strings are
 * built here from the method, the path without its query and a fixed
 * phrase; they never carry headers, bodies, the query or the base_url's
 * userinfo.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/clock.h"
#include "core/http.h"
#include "core/jsonfast.h"
#include "core/xmalloc.h"

#define HTTP_CONNECT_TIMEOUT_MS 5000L
#define HTTP_TIMEOUT_MS 15000L
#define HTTP_MAX_RESPONSE ((size_t)64 * 1024 * 1024)
#define HTTP_MAX_HEADER_BYTES ((size_t)256 * 1024)
#define HTTP_MAX_COOKIES 64
#define HTTP_SUMMARY_MAX 200
#define HTTP_PATH_MAX_SHOWN 200

struct http_client {
	CURL *curl;
	char *base_url;
	char *password; /* the base_url's userinfo secret, or NULL */
	char *auth_header; /* opts' auth_header, or NULL */
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response;

	int pin_type;
#define HTTP_PIN_NONE 0
#define HTTP_PIN_CERT 1
#define HTTP_PIN_PUBKEY 2
	unsigned char pin[32]; /* SHA-256 of the leaf DER for HTTP_PIN_CERT */

	char errbuf[CURL_ERROR_SIZE];

	/* The request in flight; reset by every http_request. */
	struct http_response *resp;
	size_t cap;
	size_t header_bytes;
	bool too_big;
	bool headers_too_big;
	bool pin_mismatch;
	char reason[128]; /* the status line's reason phrase */
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_global_result = CURLE_FAILED_INIT;
static int http_ex_index = -1;

/* Initialises libcurl and our OpenSSL ex_data slot, once per process. */
static void
http_init_once(void)
{
	http_global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
	http_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Returns the value of one hex digit, or -1. */
static int
http_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

/* Parses "AA:BB:..." (32 bytes, any case) into out; 0 or -1. */
static int
http_parse_colon_hex(const char *s, unsigned char *out)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 32 * 3 - 1)
		return (-1);
	for (i = 0; i < 32; i++) {
		hi = http_hexval((unsigned char)s[i * 3]);
		lo = http_hexval((unsigned char)s[i * 3 + 1]);
		if (hi == -1 || lo == -1)
			return (-1);
		if (i != 31 && s[i * 3 + 2] != ':')
			return (-1);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (0);
}

/* Checks "sha256//B64[;sha256//B64...]" with 32-byte digests; 0 or -1. */
static int
http_check_pubkey_pin(const char *s)
{
	const char *p = s, *end;
	size_t n, i;

	for (;;) {
		if (strncmp(p, "sha256//", 8) != 0)
			return (-1);
		p += 8;
		end = strchr(p, ';');
		n = (end != NULL) ? (size_t)(end - p) : strlen(p);
		if (n != 44 || p[43] != '=')
			return (-1);
		for (i = 0; i < 43; i++) {
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "abcdefghijklmnopqrstuvwxyz0123456789+/",
				p[i]) == NULL ||
			    p[i] == '\0')
				return (-1);
		}
		if (end == NULL)
			return (0);
		p = end + 1;
	}
}

/* Copies the password of an "scheme://user:pass@host" URL, or NULL. */
static char *
http_userinfo_secret(const char *url)
{
	const char *auth, *end, *at, *colon, *p;

	if ((auth = strstr(url, "://")) == NULL)
		return (NULL);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL)
		return (NULL);
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon == NULL || colon + 1 == at)
		return (NULL);
	return (xstrndup(colon + 1, (size_t)(at - colon - 1)));
}

/* Checks that an option naming a file points at a readable file. */
static int
http_check_file(const char *what, const char *path, char **cause)
{
	if (path == NULL)
		return (0);
	if (access(path, R_OK) != 0) {
		xasprintf(cause, "%s: cannot read %s: %s", what, path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* OpenSSL verify callback for a colon-hex pin: the leaf digest decides. */
static int
http_pin_verify(int preverify, X509_STORE_CTX *store)
{
	struct http_client *c;
	SSL *ssl;
	X509 *cert;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	ssl = X509_STORE_CTX_get_ex_data(
	    store, SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL)
		return (0);
	c = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), http_ex_index);
	if (c == NULL)
		return (0);

	/* Above the leaf, chain errors do not matter: the pin is the trust. */
	if (X509_STORE_CTX_get_error_depth(store) > 0) {
		X509_STORE_CTX_set_error(store, X509_V_OK);
		return (1);
	}

	cert = X509_STORE_CTX_get_current_cert(store);
	if (cert == NULL || X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 ||
	    mdlen != sizeof c->pin ||
	    CRYPTO_memcmp(md, c->pin, sizeof c->pin) != 0) {
		c->pin_mismatch = true;
		X509_STORE_CTX_set_error(
		    store, X509_V_ERR_APPLICATION_VERIFICATION);
		return (0);
	}
	X509_STORE_CTX_set_error(store, X509_V_OK);
	return (1);
}

/* libcurl SSL_CTX hook: installs the pin check on each new TLS context. */
static CURLcode
http_ssl_ctx(CURL *curl, void *sslctx, void *arg)
{
	SSL_CTX *ctx = sslctx;

	if (SSL_CTX_set_ex_data(ctx, http_ex_index, arg) != 1)
		return (CURLE_SSL_CERTPROBLEM);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, http_pin_verify);
	return (CURLE_OK);
}

/* Response body bytes received by every client, for the benchmark. */
static atomic_ullong http_bytes;

/* Body bytes received so far by every client of the process. */
uint64_t
http_bytes_received(void)
{
	return (atomic_load_explicit(&http_bytes, memory_order_relaxed));
}

/* libcurl write callback: appends to the body, up to max_response. */
static size_t
http_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_client *c = arg;
	struct http_response *resp = c->resp;
	size_t n = size * nmemb;

	if (n > c->max_response - resp->len) {
		c->too_big = true;
		return (0);
	}
	if (resp->len + n + 1 > c->cap) {
		while (resp->len + n + 1 > c->cap)
			c->cap = (c->cap == 0) ? 4096 : c->cap * 2;
		resp->body = xrealloc(resp->body, c->cap);
	}
	memcpy(resp->body + resp->len, ptr, n);
	resp->len += n;
	atomic_fetch_add_explicit(&http_bytes, n, memory_order_relaxed);
	resp->body[resp->len] = '\0';
	return (n);
}

/* Drops what the header callback collected for an earlier response. */
static void
http_reset_headers(struct http_response *resp)
{
	size_t i;

	free(resp->content_type);
	resp->content_type = NULL;
	free(resp->etag);
	resp->etag = NULL;
	free(resp->retry_after);
	resp->retry_after = NULL;
	free(resp->next_page);
	resp->next_page = NULL;
	for (i = 0; i < resp->nset_cookies; i++)
		free(resp->set_cookies[i]);
	free(resp->set_cookies);
	resp->set_cookies = NULL;
	resp->nset_cookies = 0;
}

/* Copies a status line's reason phrase, printable ASCII only. */
static void
http_set_reason(struct http_client *c, const char *line, size_t n)
{
	size_t i, o = 0;

	/* "HTTP/1.1 200 OK": skip the version and the code. */
	for (i = 0; i < n && line[i] != ' '; i++)
		;
	for (; i < n && line[i] == ' '; i++)
		;
	for (; i < n && line[i] != ' '; i++)
		;
	for (; i < n && line[i] == ' '; i++)
		;
	for (; i < n && o < sizeof c->reason - 1; i++) {
		if (line[i] == '\r' || line[i] == '\n')
			break;
		c->reason[o++] =
		    (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
	}
	c->reason[o] = '\0';
}

/*
 * libcurl header callback: Content-Type, ETag, Retry-After, X-Next-Page,
 * Set-Cookie.
 */
static size_t
http_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct http_client *c = arg;
	struct http_response *resp = c->resp;
	size_t n = size * nitems, vlen;
	const char *v, *end;

	c->header_bytes += n;
	if (c->header_bytes > HTTP_MAX_HEADER_BYTES) {
		c->headers_too_big = true;
		return (0);
	}

	/* A new status line (after a 1xx) starts a new header block. */
	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		http_reset_headers(resp);
		http_set_reason(c, line, n);
		return (n);
	}

	end = line + n;
	while (end > line &&
	    (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
		end[-1] == '\t'))
		end--;
	if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
		for (v = line + 13; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		free(resp->content_type);
		resp->content_type = xstrndup(v, (size_t)(end - v));
	} else if (n > 5 && strncasecmp(line, "ETag:", 5) == 0) {
		for (v = line + 5; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		free(resp->etag);
		resp->etag = xstrndup(v, (size_t)(end - v));
	} else if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		for (v = line + 12; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		free(resp->retry_after);
		resp->retry_after = xstrndup(v, (size_t)(end - v));
	} else if (n > 12 && strncasecmp(line, "X-Next-Page:", 12) == 0) {
		for (v = line + 12; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		free(resp->next_page);
		resp->next_page = xstrndup(v, (size_t)(end - v));
	} else if (n > 11 && strncasecmp(line, "Set-Cookie:", 11) == 0) {
		for (v = line + 11; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		vlen = 0;
		while (v + vlen < end && v[vlen] != ';')
			vlen++;
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen == 0 || v[0] == '=' || memchr(v, '=', vlen) == NULL)
			return (n);
		if (resp->nset_cookies >= HTTP_MAX_COOKIES)
			return (n);
		resp->set_cookies = xreallocarray(resp->set_cookies,
		    resp->nset_cookies + 1, sizeof *resp->set_cookies);
		resp->set_cookies[resp->nset_cookies++] = xstrndup(v, vlen);
	}
	return (n);
}

/* Creates a client; options are copied. NULL and *cause on a bad option. */
struct http_client *
http_client_create(const struct http_opts *o, char **cause)
{
	struct http_client *c;
	const curl_version_info_data *vi;
	const char *fp = o->fingerprint;
	CURL *h;

	pthread_once(&http_once, http_init_once);
	if (http_global_result != CURLE_OK || http_ex_index < 0) {
		xasprintf(cause, "cannot initialise libcurl");
		return (NULL);
	}

	if (o->base_url == NULL ||
	    (strncasecmp(o->base_url, "http://", 7) != 0 &&
		strncasecmp(o->base_url, "https://", 8) != 0)) {
		xasprintf(
		    cause, "base_url must start with http:// or https://");
		return (NULL);
	}
	if (o->connect_timeout_ms < 0 || o->timeout_ms < 0) {
		xasprintf(cause, "timeouts must not be negative");
		return (NULL);
	}
	if (http_check_file("ca_file", o->ca_file, cause) != 0 ||
	    http_check_file("cert_file", o->cert_file, cause) != 0 ||
	    http_check_file("key_file", o->key_file, cause) != 0)
		return (NULL);
	if (o->key_file != NULL && o->cert_file == NULL) {
		xasprintf(cause, "key_file needs cert_file");
		return (NULL);
	}

	c = xcalloc(1, sizeof *c);
	if (fp != NULL && *fp != '\0') {
		if (strncasecmp(o->base_url, "https://", 8) != 0) {
			xasprintf(
			    cause, "fingerprint needs an https:// base_url");
			goto fail;
		}
		if (strncmp(fp, "sha256//", 8) == 0) {
			if (http_check_pubkey_pin(fp) != 0) {
				xasprintf(cause,
				    "fingerprint: a public-key pin "
				    "is sha256// and 44 base64 characters");
				goto fail;
			}
			c->pin_type = HTTP_PIN_PUBKEY;
		} else {
			if (http_parse_colon_hex(fp, c->pin) != 0) {
				xasprintf(cause,
				    "fingerprint: expected the "
				    "SHA-256 as 32 colon-separated hex bytes "
				    "(AA:BB:...) or sha256//BASE64");
				goto fail;
			}
			vi = curl_version_info(CURLVERSION_NOW);
			if (vi->ssl_version == NULL ||
			    strncmp(vi->ssl_version, "OpenSSL", 7) != 0) {
				xasprintf(cause,
				    "fingerprint: libcurl is not "
				    "built with OpenSSL");
				goto fail;
			}
			c->pin_type = HTTP_PIN_CERT;
		}
	}

	if ((c->curl = h = curl_easy_init()) == NULL) {
		xasprintf(cause, "cannot create a libcurl handle");
		goto fail;
	}
	c->base_url = xstrdup(o->base_url);
	c->password = http_userinfo_secret(o->base_url);
	if (o->auth_header != NULL)
		c->auth_header = xstrdup(o->auth_header);
	c->connect_timeout_ms = o->connect_timeout_ms != 0 ?
	    o->connect_timeout_ms :
	    HTTP_CONNECT_TIMEOUT_MS;
	c->timeout_ms = o->timeout_ms != 0 ? o->timeout_ms : HTTP_TIMEOUT_MS;
	c->max_response =
	    o->max_response != 0 ? o->max_response : HTTP_MAX_RESPONSE;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(
	    h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)(c->max_response > (size_t)INT64_MAX ?
		    INT64_MAX :
		    (int64_t)c->max_response));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
		CURLE_OK) {
		xasprintf(cause, "libcurl cannot restrict protocols");
		goto fail;
	}
	if (o->unix_socket != NULL &&
	    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, o->unix_socket) !=
		CURLE_OK) {
		xasprintf(cause, "unix_socket: not supported by libcurl");
		goto fail;
	}

	/* TLS: verification on unless insecure; a pin is always enforced. */
	if (o->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	if (o->cert_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLCERT, o->cert_file);
	if (o->key_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLKEY, o->key_file);
	if (o->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	switch (c->pin_type) {
	case HTTP_PIN_CERT:
		/*
		 * Our verify callback is the whole trust decision and runs
		 * inside the handshake; curl's own chain and host checks would
		 * refuse the self-signed certificates the pin exists for.
		 */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c);
		if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION,
			http_ssl_ctx) != CURLE_OK) {
			xasprintf(cause,
			    "fingerprint: libcurl has no "
			    "SSL_CTX hook");
			goto fail;
		}
		break;
	case HTTP_PIN_PUBKEY:
		/* curl checks the pin before any request byte is sent. */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		if (curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, fp) !=
		    CURLE_OK) {
			xasprintf(cause,
			    "fingerprint: libcurl cannot pin "
			    "public keys");
			goto fail;
		}
		break;
	}
	return (c);

fail:
	http_client_destroy(c);
	return (NULL);
}

/* Frees a client and closes its connections; NULL is a no-op. */
void
http_client_destroy(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->base_url);
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	if (c->auth_header != NULL)
		explicit_bzero(c->auth_header, strlen(c->auth_header));
	free(c->auth_header);
	explicit_bzero(c->pin, sizeof c->pin);
	free(c);
}

/* Frees what a response owns and zeroes it; the struct is the caller's. */
void
http_response_free(struct http_response *resp)
{
	if (resp == NULL)
		return;
	http_reset_headers(resp);
	free(resp->body);
	memset(resp, 0, sizeof *resp);
}

/* The path as shown in causes: no query or fragment, printable, short. */
static char *
http_shown_path(const char *path)
{
	size_t n, i;
	char *s;

	n = strcspn(path, "?#");
	if (n > HTTP_PATH_MAX_SHOWN)
		n = HTTP_PATH_MAX_SHOWN;
	if (n == 0)
		return (xstrdup("/"));
	s = xstrndup(path, n);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
	}
	return (s);
}

/* True for headers that never carry secrets and need no leak check. */
static bool
http_public_header(const char *h)
{
	static const char *names[] = { "Accept", "Accept-Encoding",
		"Content-Type", "Content-Length", "User-Agent", "Expect" };
	size_t i, n;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		n = strlen(names[i]);
		if (strncasecmp(h, names[i], n) == 0 && h[n] == ':')
			return (true);
	}
	return (false);
}

/*
 * True when text contains the URL password or a word (6 characters or
 * more, auth scheme names aside) of a header value that may be secret.
 */
static bool
http_leaks(
    const struct http_client *c, const char *const *headers, const char *text)
{
	const char *v, *w;
	size_t i, n;
	char *word;
	bool found;

	if (c->password != NULL && strstr(text, c->password) != NULL)
		return (true);
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (http_public_header(headers[i]))
			continue;
		if ((v = strchr(headers[i], ':')) == NULL)
			continue;
		for (w = v + 1; *w != '\0'; w += n) {
			n = strcspn(w, " \t,;=");
			if (n == 0) {
				n = 1;
				continue;
			}
			if (n < 6 ||
			    (n == 6 && strncasecmp(w, "Bearer", 6) == 0))
				continue;
			word = xstrndup(w, n);
			found = strstr(text, word) != NULL;
			free(word);
			if (found)
				return (true);
		}
	}
	return (false);
}

/* Copies at most max bytes of s, whole UTF-8 characters, controls as spaces. */
static char *
http_clip(const char *s, size_t max)
{
	size_t n = strlen(s), i;
	char *out;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	out = xstrndup(s, n);
	for (i = 0; i < n; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
	return (out);
}

/* A short description of a transfer failure, without secrets. */
static char *
http_describe(struct http_client *c, CURLcode rc, const char *const *headers,
    long timeout_ms)
{
	long oserr = 0;
	curl_off_t pretransfer = 0;
	const char *detail;
	char *clipped, *s;

	if (c->pin_mismatch)
		return (xstrdup("TLS certificate fingerprint mismatch"));
	if (c->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		xasprintf(
		    &s, "response larger than %zu bytes", c->max_response);
		return (s);
	}
	if (c->headers_too_big) {
		xasprintf(&s, "response headers larger than %zu bytes",
		    HTTP_MAX_HEADER_BYTES);
		return (s);
	}

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		/* Pre-transfer time is set once connected (or reused). */
		curl_easy_getinfo(
		    c->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
		if (pretransfer == 0) {
			xasprintf(&s, "connect timed out after %ld ms",
			    timeout_ms == 0 ||
				c->connect_timeout_ms < timeout_ms ?
				c->connect_timeout_ms :
				timeout_ms);
		} else
			xasprintf(&s, "timed out after %ld ms", timeout_ms);
		return (s);
	case CURLE_COULDNT_CONNECT:
		if (oserr != 0) {
			s = xstrdup(strerror((int)oserr));
			if (s[0] >= 'A' && s[0] <= 'Z' &&
			    (s[1] < 'A' || s[1] > 'Z'))
				s[0] = (char)(s[0] - 'A' + 'a');
			return (s);
		}
		return (xstrdup("could not connect"));
	case CURLE_COULDNT_RESOLVE_HOST:
		return (xstrdup("could not resolve host"));
	case CURLE_GOT_NOTHING:
		return (xstrdup("empty reply from server"));
	case CURLE_SEND_ERROR:
		return (xstrdup("failed sending the request"));
	case CURLE_RECV_ERROR:
		return (xstrdup("failed receiving the response"));
	case CURLE_PARTIAL_FILE:
		return (xstrdup("connection closed before the whole response"));
	case CURLE_WEIRD_SERVER_REPLY:
		return (xstrdup("invalid HTTP response"));
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return (xstrdup("TLS public key pin mismatch"));
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
		detail = c->errbuf;
		if (*detail == '\0' || http_leaks(c, headers, detail))
			detail = curl_easy_strerror(rc);
		clipped = http_clip(detail, HTTP_SUMMARY_MAX);
		if (rc == CURLE_PEER_FAILED_VERIFICATION)
			xasprintf(&s, "TLS verification failed: %s", clipped);
		else
			xasprintf(&s, "TLS error: %s", clipped);
		free(clipped);
		return (s);
	default:
		return (xstrdup(curl_easy_strerror(rc)));
	}
}

/* True when method is an HTTP token of upper-case letters. */
static bool
http_valid_method(const char *method)
{
	const char *p;

	if (method == NULL || *method == '\0' || strlen(method) > 16)
		return (false);
	for (p = method; *p != '\0'; p++) {
		if (*p < 'A' || *p > 'Z')
			return (false);
	}
	return (true);
}

/* True when s has no control characters (and, for paths, no spaces). */
static bool
http_valid_text(const char *s, bool space_ok)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (false);
		if (*s == ' ' && !space_ok)
			return (false);
	}
	return (true);
}

/*
 * Checks a request and sets every per-request option on c's handle, so
 * nothing leaks from the last request. *list and *url are the caller's to
 * free after the transfer; 0, or -1 with *cause.
 */
static int
http_setup(struct http_client *c, const char *method, const char *path,
    const char *shown, const char *const *headers, const char *body,
    size_t body_len, struct curl_slist **list, char **url, char **cause)
{
	struct curl_slist *l;
	CURL *h = c->curl;
	size_t i;

	*list = NULL;
	*url = NULL;
	if (!http_valid_method(method)) {
		xasprintf(cause, "%s: invalid HTTP method", shown);
		return (-1);
	}
	if (!http_valid_text(path, false)) {
		xasprintf(cause, "%s %s: invalid path", method, shown);
		return (-1);
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (!http_valid_text(headers[i], true) ||
		    strchr(headers[i], ':') == NULL) {
			xasprintf(
			    cause, "%s %s: invalid header", method, shown);
			return (-1);
		}
		if ((l = curl_slist_append(*list, headers[i])) == NULL)
			fatalx("curl_slist_append");
		*list = l;
	}
	if (c->auth_header != NULL) {
		if ((l = curl_slist_append(*list, c->auth_header)) == NULL)
			fatalx("curl_slist_append");
		*list = l;
	}
	/* Never wait for a 100 Continue before sending a large body. */
	if ((l = curl_slist_append(*list, "Expect:")) == NULL)
		fatalx("curl_slist_append");
	*list = l;
	xasprintf(url, "%s%s", c->base_url, path);

	curl_easy_setopt(h, CURLOPT_URL, *url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *list);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body != NULL ? body_len : 0));
		curl_easy_setopt(
		    h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);

	c->cap = 0;
	c->header_bytes = 0;
	c->too_big = false;
	c->headers_too_big = false;
	c->pin_mismatch = false;
	c->reason[0] = '\0';
	c->errbuf[0] = '\0';
	return (0);
}

/* Drops the borrowed pointers a request set, before they go away. */
static void
http_unset(struct http_client *c)
{
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
}

/* Performs one request; see http.h for the contract. */
int
http_request(struct http_client *c, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    struct http_response *resp, char **cause)
{
	struct curl_slist *list = NULL;
	CURL *h = c->curl;
	CURLcode rc;
	char *url = NULL, *shown, *why;
	int ret = -1;

	memset(resp, 0, sizeof *resp);
	if (path == NULL)
		path = "";
	shown = http_shown_path(path);
	if (http_setup(c, method, path, shown, headers, body, body_len, &list,
	    &url, cause) != 0)
		goto out;
	c->resp = resp;
	rc = curl_easy_perform(h);
	c->resp = NULL;
	http_unset(c);

	if (rc != CURLE_OK || c->pin_mismatch) {
		why = http_describe(c, rc, headers, c->timeout_ms);
		xasprintf(cause, "%s %s: %s", method, shown, why);
		free(why);
		http_response_free(resp);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->body == NULL) {
		resp->body = xmalloc(1);
		resp->body[0] = '\0';
	}
	ret = 0;

out:
	explicit_bzero(c->errbuf, sizeof c->errbuf);
	curl_slist_free_all(list);
	free(url);
	free(shown);
	return (ret);
}

/* True when the header list already names this header. */
static bool
http_has_header(const char *const *headers, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strncasecmp(headers[i], name, n) == 0 &&
		    headers[i][n] == ':')
			return (true);
	}
	return (false);
}

/* Returns a borrowed message string from an upstream JSON error body. */
static const char *
http_json_message(json_t *j)
{
	const char *keys[] = { "message", "error", "errors" }, *k;
	json_t *v, *m;
	size_t i;

	if (!json_is_object(j))
		return (NULL);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = json_object_get(j, keys[i]);
		if (json_is_array(v))
			v = json_array_get(v, 0);
		if (json_is_string(v))
			return (json_string_value(v));
		if (!json_is_object(v))
			continue;
		if (json_is_string(m = json_object_get(v, "message")))
			return (json_string_value(m));
		/* Proxmox: {"errors": {"param": "what is wrong"}}. */
		json_object_foreach(v, k, m) {
			if (json_is_string(m))
				return (json_string_value(m));
		}
	}
	return (NULL);
}

/* The standard reason phrase for common codes, or NULL. */
static const char *
http_std_reason(long status)
{
	switch (status) {
	case 400:
		return ("Bad Request");
	case 401:
		return ("Unauthorized");
	case 403:
		return ("Forbidden");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 409:
		return ("Conflict");
	case 429:
		return ("Too Many Requests");
	case 500:
		return ("Internal Server Error");
	case 501:
		return ("Not Implemented");
	case 502:
		return ("Bad Gateway");
	case 503:
		return ("Service Unavailable");
	case 504:
		return ("Gateway Timeout");
	}
	return (NULL);
}

/* A short, secret-free summary of an error response, or NULL. */
static char *
http_error_summary(struct http_client *c, const struct http_response *resp,
    const char *const *headers)
{
	json_t *j;
	const char *msg = NULL, *std;
	char *s = NULL;

	if ((j = json_loadb(resp->body, resp->len, JSON_DECODE_ANY, NULL)) !=
	    NULL)
		msg = http_json_message(j);
	if (msg == NULL && c->reason[0] != '\0') {
		/* Proxmox puts its error text in the reason phrase. */
		std = http_std_reason(resp->status);
		if (std == NULL || strcasecmp(std, c->reason) != 0)
			msg = c->reason;
	}
	if (msg != NULL && *msg != '\0' && !http_leaks(c, headers, msg))
		s = http_clip(msg, HTTP_SUMMARY_MAX);
	json_decref(j);
	return (s);
}

/* True when s is empty or only white space. */
static bool
http_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return (false);
	}
	return (true);
}

/* A request with a JSON body and a JSON 2xx answer; see http.h. */
json_t *
http_json(struct http_client *c, const char *method, const char *path,
    const char *const *headers, const json_t *body, long *status, char **cause)
{
	struct http_response resp;
	json_error_t err;
	const char **all;
	char *text = NULL, *shown, *summary, *cut;
	json_t *j = NULL;
	size_t n = 0, i = 0;

	if (status != NULL)
		*status = 0;
	while (headers != NULL && headers[n] != NULL)
		n++;
	all = xcalloc(n + 3, sizeof *all);
	for (i = 0; i < n; i++)
		all[i] = headers[i];
	if (!http_has_header(headers, "Accept"))
		all[i++] = "Accept: application/json";
	if (body != NULL && !http_has_header(headers, "Content-Type"))
		all[i++] = "Content-Type: application/json";
	all[i] = NULL;

	shown = http_shown_path(path != NULL ? path : "");
	if (body != NULL &&
	    (text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		xasprintf(cause, "%s %s: cannot encode the request body",
		    method, shown);
		goto out;
	}
	if (http_request(c, method, path, all, text,
		text != NULL ? strlen(text) : 0, &resp, cause) != 0)
		goto out;
	if (status != NULL)
		*status = resp.status;

	if (resp.status < 200 || resp.status > 299) {
		summary = http_error_summary(c, &resp, all);
		if (summary != NULL) {
			xasprintf(cause, "%s %s: HTTP %ld: %s", method, shown,
			    resp.status, summary);
		} else
			xasprintf(cause, "%s %s: HTTP %ld", method, shown,
			    resp.status);
		free(summary);
	} else if (http_blank(resp.body, resp.len))
		j = json_null();
	else if ((j = jsonfast_load(resp.body, resp.len, JSON_DECODE_ANY,
	    &err)) == NULL) {
		/* jansson quotes the offending token ("near '...'"): drop it. */
		if ((cut = strstr(err.text, " near ")) != NULL)
			*cut = '\0';
		xasprintf(cause,
		    "%s %s: invalid JSON in response: %s "
		    "(line %d, column %d)",
		    method, shown, err.text, err.line, err.column);
	}
	http_response_free(&resp);

out:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	free(shown);
	free(all);
	return (j);
}

/* A streamed transfer in flight (http_stream). */
struct http_xfer {
	struct http_client *c;
	const struct http_stream *st;
	struct http_response *resp;
	int64_t last_mono;	/* when the last byte arrived */
	bool ended;		/* chunk asked to end */
};

/* libcurl write callback of a stream: a 2xx body goes to chunk. */
static size_t
http_stream_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	struct http_response *resp = x->resp;
	size_t n = size * nmemb, keep;

	x->last_mono = clock_mono_ms();
	if (resp->status == 0)
		curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE,
		    &resp->status);
	if (resp->status >= 200 && resp->status < 300) {
		if (n > 0 && x->st->chunk(x->st->arg, ptr, n) != 0) {
			x->ended = true;
			return (0);
		}
		return (n);
	}
	/* An error body: its start is enough for a message. */
	keep = HTTP_STREAM_ERRBODY_MAX - resp->len;
	if (keep > n)
		keep = n;
	if (keep > 0) {
		resp->body = xrealloc(resp->body, resp->len + keep + 1);
		memcpy(resp->body + resp->len, ptr, keep);
		resp->len += keep;
		resp->body[resp->len] = '\0';
	}
	return (n);
}

/* Runs a streamed request; see http.h for the contract. */
int
http_stream(struct http_client *c, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    const struct http_stream *st, struct http_response *resp, char **cause)
{
	struct curl_slist *list = NULL;
	struct http_xfer x;
	const CURLMsg *m;
	CURLM *multi = NULL;
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	char *url = NULL, *shown, *why;
	size_t hb;
	int64_t now, wait;
	int running = 1, left, ret = -1;
	bool stopped = false, idle = false;

	memset(resp, 0, sizeof *resp);
	if (path == NULL)
		path = "";
	shown = http_shown_path(path);
	if (http_setup(c, method, path, shown, headers, body, body_len, &list,
	    &url, cause) != 0)
		goto out;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.st = st;
	x.resp = resp;
	x.last_mono = clock_mono_ms();
	c->resp = resp;		/* the header callback's */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_stream_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, st->timeout_ms > 0 ?
	    st->timeout_ms : 0L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);

	/*
	 * The multi interface, so that stop and the idle timeout are checked
	 * every HTTP_STREAM_POLL_MS: libcurl's own progress callback may
	 * wait a second on a silent connection.
	 */
	if ((multi = curl_multi_init()) == NULL ||
	    curl_multi_add_handle(multi, h) != CURLM_OK) {
		xasprintf(cause, "%s %s: cannot start a libcurl transfer",
		    method, shown);
		goto restore;
	}
	hb = c->header_bytes;
	for (;;) {
		if ((mc = curl_multi_perform(multi, &running)) != CURLM_OK) {
			xasprintf(cause, "%s %s: %s", method, shown,
			    curl_multi_strerror(mc));
			goto restore;
		}
		if (running == 0)
			break;
		now = clock_mono_ms();
		if (c->header_bytes != hb) {
			hb = c->header_bytes;
			x.last_mono = now;
		}
		if (st->stop != NULL && st->stop(st->arg)) {
			stopped = true;
			break;
		}
		wait = HTTP_STREAM_POLL_MS;
		if (st->idle_timeout_ms > 0) {
			if (now - x.last_mono >= st->idle_timeout_ms) {
				idle = true;
				break;
			}
			if (x.last_mono + st->idle_timeout_ms - now < wait)
				wait = x.last_mono + st->idle_timeout_ms - now;
		}
		curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
	}
	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE)
			rc = m->data.result;
	}
	if (resp->status == 0)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (stopped || x.ended)
		ret = HTTP_STREAM_STOPPED;
	else if (idle)
		xasprintf(cause, "%s %s: nothing received for %ld ms", method,
		    shown, st->idle_timeout_ms);
	else if (rc != CURLE_OK || c->pin_mismatch) {
		why = http_describe(c, rc, headers, st->timeout_ms);
		xasprintf(cause, "%s %s: %s", method, shown, why);
		free(why);
	} else
		ret = 0;

restore:
	if (multi != NULL) {
		curl_multi_remove_handle(multi, h);
		curl_multi_cleanup(multi);
	}
	c->resp = NULL;
	http_unset(c);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)(c->max_response > (size_t)INT64_MAX ? INT64_MAX :
	    (int64_t)c->max_response));
out:
	if (resp->body == NULL) {
		resp->body = xmalloc(1);
		resp->body[0] = '\0';
	}
	explicit_bzero(c->errbuf, sizeof c->errbuf);
	curl_slist_free_all(list);
	free(url);
	free(shown);
	return (ret);
}

/* Sets up a line splitter. */
void
http_lines_init(struct http_lines *l, int (*line)(void *, const char *,
    size_t), void *arg, size_t max)
{
	memset(l, 0, sizeof *l);
	l->line = line;
	l->arg = arg;
	l->max = max != 0 ? max : 1024 * 1024;
}

/* Delivers one line without its "\r\n" or "\n"; non-zero ends. */
static int
http_lines_one(struct http_lines *l, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (l->line(l->arg, p, n) != 0) {
		l->ended = true;
		return (-1);
	}
	return (0);
}

/* A stream's chunk callback: complete lines out, the rest kept. */
int
http_lines_feed(void *arg, const char *data, size_t len)
{
	struct http_lines *l = arg;
	const char *nl;
	size_t n, whole;

	if (l->ended || l->too_long)
		return (-1);
	while ((nl = memchr(data, '\n', len)) != NULL) {
		n = (size_t)(nl - data);
		whole = l->len + n;
		if (whole > l->max) {
			l->too_long = true;
			return (-1);
		}
		if (l->len > 0) {
			/* The line began in an earlier chunk. */
			if (whole + 1 > l->size) {
				l->size = whole + 1;
				l->buf = xrealloc(l->buf, l->size);
			}
			memcpy(l->buf + l->len, data, n);
			l->len = 0;
			if (http_lines_one(l, l->buf, whole) != 0)
				return (-1);
		} else if (http_lines_one(l, data, n) != 0)
			return (-1);
		len -= n + 1;
		data = nl + 1;
	}
	if (l->len + len > l->max) {
		l->too_long = true;
		return (-1);
	}
	if (len > 0) {
		if (l->len + len > l->size) {
			l->size = l->len + len + 256;
			l->buf = xrealloc(l->buf, l->size);
		}
		memcpy(l->buf + l->len, data, len);
		l->len += len;
	}
	return (0);
}

/* Delivers a last line that had no newline; non-zero when line ended. */
int
http_lines_flush(struct http_lines *l)
{
	size_t n = l->len;

	if (n == 0 || l->ended || l->too_long)
		return (0);
	l->len = 0;
	return (http_lines_one(l, l->buf, n));
}

/* Frees a line splitter's buffer. */
void
http_lines_free(struct http_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->size = 0;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
char *
http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0;
	unsigned char ch;
	char *out;

	if (n > (SIZE_MAX - 1) / 3)
		fatalx("%s: string too long", __func__);
	out = xmalloc(n * 3 + 1);
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			out[o++] = (char)ch;
		else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 0xf];
		}
	}
	out[o] = '\0';
	return (out);
}

/* Sets up an empty pool of clients made from opts. */
void
http_pool_init(struct http_pool *p, const struct http_opts *opts, size_t max)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	p->opts = opts;
	p->max = max < HTTP_POOL_MAX ? max : HTTP_POOL_MAX;
}

/* A client for one caller: an idle one, or a new one. */
struct http_client *
http_pool_get(struct http_pool *p, char **cause)
{
	struct http_client *cl = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->nidle > 0)
		cl = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->lock);
	if (cl == NULL)
		cl = http_client_create(p->opts, cause);
	return (cl);
}

/* Keeps a client for the next caller, or destroys it when the pool is full. */
void
http_pool_put(struct http_pool *p, struct http_client *cl)
{
	if (cl == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->nidle < p->max) {
		p->idle[p->nidle++] = cl;
		cl = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	http_client_destroy(cl);
}

/* Destroys the idle clients and the lock. */
void
http_pool_finish(struct http_pool *p)
{
	size_t i;

	for (i = 0; i < p->nidle; i++)
		http_client_destroy(p->idle[i]);
	p->nidle = 0;
	pthread_mutex_destroy(&p->lock);
}
