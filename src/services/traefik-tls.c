/*
 * Traefik certificate probe: one TLS handshake with an entry point,
 * sending the router's host as SNI, to read the certificate Traefik
 * serves for it (issuer, expiry, whether it verifies). The chain is
 * checked after the handshake, not during it, so an untrusted or expired
 * certificate is reported rather than refused; nothing but the
 * ClientHello is ever sent.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "services/traefik.h"

/* A non-blocking TCP connection to a numeric address; -1 with *cause. */
static int
tk_connect(const char *host, int port, int64_t deadline, char **cause)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct pollfd pfd;
	socklen_t len;
	int fd, err = 0, left;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		len = sizeof *sin;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		len = sizeof *sin6;
	} else {
		/* Never a name lookup: the address is configured. */
		xasprintf(cause, "%s: not a numeric address", host);
		return (-1);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		if (errno != EINPROGRESS) {
			xasprintf(cause, "connect %s:%d: %s", host, port,
			    strerror(errno));
			close(fd);
			return (-1);
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		left = (int)(deadline - clock_mono_ms());
		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			xasprintf(cause, "connect %s:%d: timed out", host, port);
			close(fd);
			return (-1);
		}
		len = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			xasprintf(cause, "connect %s:%d: %s", host, port,
			    strerror(err));
			close(fd);
			return (-1);
		}
	}
	return (fd);
}

/* A name's CN and O as "CN, O" (caller frees). */
static char *
tk_name(X509_NAME *n)
{
	char cn[256] = "", o[256] = "", *s;

	if (n != NULL) {
		X509_NAME_get_text_by_NID(n, NID_commonName, cn, sizeof cn);
		X509_NAME_get_text_by_NID(n, NID_organizationName, o, sizeof o);
	}
	if (*cn != '\0' && *o != '\0')
		xasprintf(&s, "%s (%s)", cn, o);
	else
		s = xstrdup(*cn != '\0' ? cn : o);
	return (s);
}

/* The certificate's SHA-256 in colon hex. */
static json_t *
tk_fingerprint(X509 *cert)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char hex[EVP_MAX_MD_SIZE * 3 + 1];

	if (X509_digest(cert, EVP_sha256(), md, &n) != 1)
		return (json_null());
	for (i = 0; i < n; i++)
		snprintf(hex + i * 3, 4, "%02X%s", md[i], i + 1 < n ? ":" : "");
	return (json_string(hex));
}

/* A handshake and the certificate it showed. */
json_t *
tk_tls_probe(const char *host, int port, const char *sni,
    const char *ca_file, long timeout_ms, int64_t now_ms, char **cause)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509 *cert = NULL;
	const ASN1_TIME *na;
	struct pollfd pfd;
	struct tm tm;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int fd, rc, err, left, day = 0, sec = 0;
	long vr;
	time_t now = (time_t)(now_ms / 1000);
	ASN1_TIME *nowt = NULL;
	char *subject, *issuer, when[32];
	json_t *r = NULL;

	if ((fd = tk_connect(host, port, deadline, cause)) == -1)
		return (NULL);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto ssl_fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			xasprintf(cause, "ca_file %s: cannot load", ca_file);
			goto out;
		}
	} else
		SSL_CTX_set_default_verify_paths(ctx);
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto ssl_fail;
	SSL_set_tlsext_host_name(ssl, sni);
	SSL_set1_host(ssl, sni);
	for (;;) {
		ERR_clear_error();
		if ((rc = SSL_connect(ssl)) == 1)
			break;
		err = SSL_get_error(ssl, rc);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			xasprintf(cause, "TLS handshake with %s:%d (SNI %s) "
			    "failed: %s", host, port, sni,
			    ERR_peek_last_error() != 0 ? ERR_reason_error_string(
			    ERR_peek_last_error()) : "connection closed");
			goto out;
		}
		pfd.fd = fd;
		pfd.events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		left = (int)(deadline - clock_mono_ms());
		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			xasprintf(cause, "TLS handshake with %s:%d (SNI %s): "
			    "timed out after %ld ms", host, port, sni,
			    timeout_ms);
			goto out;
		}
	}
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		xasprintf(cause, "%s:%d (SNI %s): no certificate", host, port,
		    sni);
		goto out;
	}
	na = X509_get0_notAfter(cert);
	nowt = ASN1_TIME_set(NULL, now);
	if (nowt == NULL || ASN1_TIME_diff(&day, &sec, nowt, na) != 1 ||
	    ASN1_TIME_to_tm(na, &tm) != 1) {
		xasprintf(cause, "%s:%d (SNI %s): unreadable expiry date", host,
		    port, sni);
		goto out;
	}
	/*
	 * Whole days left, rounded down (day and sec share a sign): 10 hours
	 * left is 0, expired 10 hours ago is -1.
	 */
	if (sec < 0)
		day--;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	vr = SSL_get_verify_result(ssl);
	subject = tk_name(X509_get_subject_name(cert));
	issuer = tk_name(X509_get_issuer_name(cert));
	r = json_pack("{s:s, s:s, s:s, s:I, s:b, s:s, s:b}", "subject",
	    subject, "issuer", issuer, "not_after", when, "days_left",
	    (json_int_t)day, "verified", vr == X509_V_OK, "verify_error",
	    vr == X509_V_OK ? "" : X509_verify_cert_error_string(vr),
	    "host_match", X509_check_host(cert, sni, 0, 0, NULL) == 1);
	json_object_set_new(r, "fingerprint_sha256", tk_fingerprint(cert));
	free(subject);
	free(issuer);
	goto out;
ssl_fail:
	xasprintf(cause, "TLS setup failed");
out:
	ASN1_TIME_free(nowt);
	X509_free(cert);
	if (ssl != NULL)
		SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return (r);
}
