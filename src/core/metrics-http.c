/*
 * The optional /metrics listener: libmicrohttpd with its own thread, on a
 * loopback address only (metrics carry tool and client names, nothing a
 * remote scraper of a homelab box needs without a proxy in front).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/xmalloc.h"

struct metrics_http {
	struct MHD_Daemon *d;
	struct registry *reg;
};

static enum MHD_Result
metrics_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct metrics_http *m = cls;
	struct MHD_Response *r;
	enum MHD_Result rv;
	unsigned int status;
	char *body;
	size_t len;

	(void)version;
	(void)upload;
	(void)state;
	if (*upload_len != 0) {
		*upload_len = 0;	/* a body we ignore */
		return (MHD_YES);
	}
	if (strcmp(url, "/metrics") != 0) {
		body = xstrdup("not found: racktop serves /metrics\n");
		status = MHD_HTTP_NOT_FOUND;
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		body = xstrdup("method not allowed\n");
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else {
		body = metrics_render(m->reg, &len);
		status = MHD_HTTP_OK;
	}
	len = strlen(body);
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return (MHD_NO);
	}
	MHD_add_response_header(r, "Content-Type", status == MHD_HTTP_OK ?
	    "text/plain; version=0.0.4; charset=utf-8" :
	    "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	rv = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (rv);
}

/* Parses "A.B.C.D:PORT" or "[V6]:PORT" into a loopback address. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, char **cause)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char host[64], *end;
	const char *colon;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			goto bad;
		hl = (size_t)(colon - s - 1);
		colon++;
		if (hl >= sizeof host)
			goto bad;
		memcpy(host, s + 1, hl);
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - s);
		if (hl >= sizeof host)
			goto bad;
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127)
			goto remote;
		return (0);
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
			goto remote;
		return (0);
	}
bad:
	xasprintf(cause, "metrics_listen: \"%s\" is not HOST:PORT with HOST "
	    "an IP address (127.0.0.1:9464, [::1]:9464)", s);
	return (-1);
remote:
	xasprintf(cause, "metrics_listen: %s is not a loopback address; "
	    "racktop serves metrics on loopback only (put a proxy in front)",
	    host);
	return (-1);
}

struct metrics_http *
metrics_http_start(const char *listen, struct registry *reg, int *port,
    char **cause)
{
	struct sockaddr_storage ss;
	struct metrics_http *m;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG;

	if (parse_listen(listen, &ss, cause) != 0)
		return (NULL);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m = xcalloc(1, sizeof *m);
	m->reg = reg;
	m->d = MHD_start_daemon(flags, 0, NULL, NULL, metrics_answer, m,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, 16U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_END);
	if (m->d == NULL) {
		xasprintf(cause, "metrics_listen: cannot listen on %s", listen);
		free(m);
		return (NULL);
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info != NULL ? (int)info->port : 0;
	return (m);
}

void
metrics_http_stop(struct metrics_http *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
