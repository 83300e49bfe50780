/*
 * Docker Engine backend, stream half: one libcurl transfer whose body is
 * handed to the caller line by line as it arrives (GET /events, the pull
 * and push progress). core/http buffers whole bodies with a total
 * timeout, which suits neither an endless event stream nor progress.
 *
 * DESIGN
 * Owner: whichever thread calls docker_stream; the CURL handle lives for
 * one call on that thread. A stop callback, polled through libcurl's
 * progress callback (at least once a second even when idle), lets the events
 * thread end a transfer at shutdown. Like core/http: proxies from the
 * environment are ignored, redirects never followed, and causes never
 * hold a header or a body beyond the engine's own error message.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "services/docker.h"

#define DOCKER_LINE_MAX (1024 * 1024)	/* one JSON line */
#define DOCKER_ERRBODY_MAX 4096

struct docker_xfer {
	int (*line)(void *, const char *, size_t);
	bool (*stop)(void *);
	void *arg;
	CURL *curl;
	long status;
	char *buf;		/* the partial line */
	size_t len;
	size_t size;
	bool ended;		/* the line callback asked to end */
	bool stopped;
	bool too_long;
	int64_t last_byte_mono;
	long idle_ms;
};

/* Delivers each complete line in x->buf; keeps the rest. */
static void
docker_xfer_lines(struct docker_xfer *x)
{
	char *nl, *p = x->buf;
	size_t n, rest = x->len;

	while (!x->ended && (nl = memchr(p, '\n', rest)) != NULL) {
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && x->line(x->arg, p, n) != 0)
			x->ended = true;
		rest -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	memmove(x->buf, p, rest);
	x->len = rest;
}

/* libcurl write callback: lines of a 2xx body, or the error body. */
static size_t
docker_xfer_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct docker_xfer *x = arg;
	size_t n = size * nmemb, cap;

	if (x->status == 0)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	x->last_byte_mono = clock_mono_ms();
	cap = x->status >= 200 && x->status < 300 ? DOCKER_LINE_MAX :
	    DOCKER_ERRBODY_MAX;
	if (x->len + n > cap) {
		if (x->status >= 200 && x->status < 300) {
			x->too_long = true;
			return (0);
		}
		n = cap - x->len;	/* an error body: keep its start */
	}
	if (x->len + n + 1 > x->size) {
		x->size = x->len + n + 4096;
		x->buf = xrealloc(x->buf, x->size);
	}
	memcpy(x->buf + x->len, ptr, n);
	x->len += n;
	if (x->status >= 200 && x->status < 300) {
		docker_xfer_lines(x);
		if (x->ended)
			return (0);
	}
	return (size * nmemb);
}

/* libcurl progress callback: stop requests and the idle timeout. */
static int
docker_xfer_progress(void *arg, curl_off_t dlt, curl_off_t dln,
    curl_off_t ult, curl_off_t uln)
{
	struct docker_xfer *x = arg;

	(void)dlt;
	(void)dln;
	(void)ult;
	(void)uln;
	if (x->stop != NULL && x->stop(x->arg)) {
		x->stopped = true;
		return (1);
	}
	if (x->idle_ms > 0 && clock_mono_ms() - x->last_byte_mono >
	    x->idle_ms)
		return (1);
	return (0);
}

/* The engine's error message in an error body, clipped; caller frees. */
static char *
docker_xfer_message(struct docker_xfer *x)
{
	const char *m;
	json_t *j;
	char *s;

	j = json_loadb(x->buf != NULL ? x->buf : "", x->len, 0, NULL);
	m = json_string_value(json_object_get(j, "message"));
	s = m != NULL ? xstrndup(m, 200) : NULL;
	json_decref(j);
	return (s);
}

/* Runs one streamed request. */
int
docker_stream(const struct docker_stream_opts *o, const char *method,
    const char *path, const char *const *headers,
    int (*line)(void *, const char *, size_t), bool (*stop)(void *),
    void *arg, long *status, char **cause)
{
	struct docker_xfer x;
	struct curl_slist *hl = NULL;
	CURLcode rc;
	char *url, *msg, shown[128];
	size_t i;
	int ret = -1;

	memset(&x, 0, sizeof x);
	x.line = line;
	x.stop = stop;
	x.arg = arg;
	x.idle_ms = o->idle_timeout_ms;
	x.last_byte_mono = clock_mono_ms();
	*status = 0;
	snprintf(shown, sizeof shown, "%s %.*s", method,
	    (int)strcspn(path, "?"), path);
	if ((x.curl = curl_easy_init()) == NULL) {
		xasprintf(cause, "%s: cannot create a curl handle", shown);
		return (-1);
	}
	xasprintf(&url, "%s%s", o->base_url, path);
	curl_easy_setopt(x.curl, CURLOPT_URL, url);
	curl_easy_setopt(x.curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(x.curl, CURLOPT_POST, 1L);
		curl_easy_setopt(x.curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(x.curl, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(x.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.curl, CURLOPT_PROXY, "");
	curl_easy_setopt(x.curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x.curl, CURLOPT_CONNECTTIMEOUT_MS,
	    o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000L);
	if (o->total_timeout_ms > 0)
		curl_easy_setopt(x.curl, CURLOPT_TIMEOUT_MS,
		    o->total_timeout_ms);
	if (o->unix_path != NULL)
		curl_easy_setopt(x.curl, CURLOPT_UNIX_SOCKET_PATH,
		    o->unix_path);
	if (o->ca_file != NULL)
		curl_easy_setopt(x.curl, CURLOPT_CAINFO, o->ca_file);
	if (o->cert_file != NULL)
		curl_easy_setopt(x.curl, CURLOPT_SSLCERT, o->cert_file);
	if (o->key_file != NULL)
		curl_easy_setopt(x.curl, CURLOPT_SSLKEY, o->key_file);
	if (o->insecure) {
		curl_easy_setopt(x.curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x.curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	if (o->auth_header != NULL)
		hl = curl_slist_append(hl, o->auth_header);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(x.curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(x.curl, CURLOPT_WRITEFUNCTION, docker_xfer_write);
	curl_easy_setopt(x.curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(x.curl, CURLOPT_XFERINFOFUNCTION,
	    docker_xfer_progress);
	curl_easy_setopt(x.curl, CURLOPT_XFERINFODATA, &x);
	rc = curl_easy_perform(x.curl);
	if (x.status == 0)
		curl_easy_getinfo(x.curl, CURLINFO_RESPONSE_CODE, &x.status);
	*status = x.status;
	if (x.ended || x.stopped)
		ret = 0;
	else if (rc == CURLE_OK && x.status >= 200 && x.status < 300) {
		/* A last line without its newline. */
		if (x.len > 0)
			x.line(x.arg, x.buf, x.len);
		ret = 0;
	} else if (rc == CURLE_OK) {
		msg = docker_xfer_message(&x);
		xasprintf(cause, "%s: HTTP %ld%s%s", shown, x.status,
		    msg != NULL ? ": " : "", msg != NULL ? msg : "");
		free(msg);
	} else if (x.too_long)
		xasprintf(cause, "%s: a line longer than %d bytes", shown,
		    DOCKER_LINE_MAX);
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		xasprintf(cause, "%s: nothing received for %ld ms", shown,
		    x.idle_ms);
	else if (rc == CURLE_COULDNT_CONNECT) {
		long oserr = 0;

		curl_easy_getinfo(x.curl, CURLINFO_OS_ERRNO, &oserr);
		xasprintf(cause, "%s: %s", shown, oserr != 0 ?
		    strerror((int)oserr) : "could not connect");
		if (oserr != 0 && (*cause)[strlen(shown) + 2] >= 'A' &&
		    (*cause)[strlen(shown) + 2] <= 'Z')
			(*cause)[strlen(shown) + 2] += 'a' - 'A';
	} else if (rc == CURLE_OPERATION_TIMEDOUT)
		xasprintf(cause, "%s: timed out after %ld ms", shown,
		    o->total_timeout_ms);
	else
		xasprintf(cause, "%s: %s", shown, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(x.curl);
	free(x.buf);
	free(url);
	return (ret);
}
