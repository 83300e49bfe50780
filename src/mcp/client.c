/*
 * A small synchronous MCP client over the socket, for `racktop call`:
 * initialize as "racktop-cli", then one tools/call, with a deadline
 * (RACKTOP_CALL_TIMEOUT seconds, default 60). On timeout the call is
 * cancelled with notifications/cancelled before giving up.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "mcp/client.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/sockpath.h"

#define CLIENT_TIMEOUT_S 60

/* The deadline for the whole call, in ms from now. */
static int64_t
call_timeout_ms(void)
{
	const char *s = getenv("RACKTOP_CALL_TIMEOUT");
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return ((int64_t)CLIENT_TIMEOUT_S * 1000);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || v <= 0 || v > 86400 * 7)
		return ((int64_t)CLIENT_TIMEOUT_S * 1000);
	return ((int64_t)(v * 1000));
}

/* Writes a whole buffer; -1 with *cause. */
static int
send_all(int fd, struct jr_buf *b, char **cause)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		n = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "cannot send to racktop: %s",
			    strerror(errno));
			return (-1);
		}
		off += (size_t)n;
	}
	b->len = 0;
	return (0);
}

/*
 * Reads lines until the response to id arrives; returns it (new
 * reference) or NULL with *cause. Notifications are skipped.
 */
static json_t *
wait_reply(int fd, struct jr_lines *in, json_int_t id, int64_t deadline,
    char **cause)
{
	struct pollfd pfd;
	struct jr_msg m;
	const char *line;
	enum jr_line st;
	json_t *root;
	int64_t left;
	size_t len, avail;
	ssize_t n;
	char *p;

	for (;;) {
		while ((st = jr_lines_next(in, &line, &len)) != JR_LINE_NONE) {
			if (st == JR_LINE_TOOBIG) {
				xasprintf(cause, "racktop sent a reply over "
				    "%zu bytes", in->max);
				return (NULL);
			}
			jr_parse(line, len, &m);
			if (m.kind == JR_RESPONSE && json_is_integer(m.id) &&
			    json_integer_value(m.id) == id) {
				root = json_incref(m.root);
				jr_msg_clear(&m);
				return (root);
			}
			/* An error about a message it could not read. */
			if (m.kind == JR_RESPONSE && m.id == NULL &&
			    json_object_get(m.root, "error") != NULL) {
				root = json_incref(m.root);
				jr_msg_clear(&m);
				return (root);
			}
			jr_msg_clear(&m);
		}
		left = deadline - clock_mono_ms();
		if (left <= 0) {
			xasprintf(cause, "no reply from racktop within %.1f s "
			    "(RACKTOP_CALL_TIMEOUT)",
			    (double)call_timeout_ms() / 1000);
			return (NULL);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "poll: %s", strerror(errno));
			return (NULL);
		}
		if (pfd.revents == 0)
			continue;
		p = jr_lines_space(in, &avail);
		n = read(fd, p, avail);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			xasprintf(cause, "racktop closed the connection%s%s",
			    n == -1 ? ": " : "", n == -1 ? strerror(errno) :
			    "");
			return (NULL);
		}
		jr_lines_commit(in, (size_t)n);
	}
}

/* The message of a JSON-RPC error reply, as a cause. */
static void
error_cause(json_t *reply, const char *what, char **cause)
{
	json_t *e = json_object_get(reply, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	xasprintf(cause, "%s: %s (%" JSON_INTEGER_FORMAT ")", what,
	    msg != NULL ? msg : "error", json_integer_value(
	    json_object_get(e, "code")));
}

/* Appends a request line with an integer id; params borrowed. */
static void
put_request(struct jr_buf *b, int id, const char *method, json_t *params)
{
	char head[128];
	int n;

	n = snprintf(head, sizeof head, "{\"jsonrpc\":\"2.0\",\"id\":%d,"
	    "\"method\":\"%s\",\"params\":", id, method);
	jr_buf_append(b, head, (size_t)n);
	jr_put_json(b, params);
	jr_buf_append(b, "}\n", 2);
}

/* Connects, initializes and makes one call. */
json_t *
client_call(const char *sock_path, const char *tool, const json_t *args,
    char **cause)
{
	struct jr_lines in;
	struct jr_buf out;
	json_t *req, *reply = NULL, *result = NULL;
	char *ignored = NULL;
	int64_t deadline;
	int fd;

	if ((fd = sockpath_connect(sock_path, cause)) == -1)
		return (NULL);
	deadline = clock_mono_ms() + call_timeout_ms();
	jr_lines_init(&in, JR_MAX_MESSAGE_DEFAULT * 16);
	jr_buf_init(&out);

	req = json_pack("{s:s, s:{}, s:{s:s, s:s}}",
	    "protocolVersion", PROTO_NEWEST,
	    "capabilities",
	    "clientInfo", "name", PROTO_CLI_NAME, "version", PACKAGE_VERSION);
	put_request(&out, 1, "initialize", req);
	json_decref(req);
	if (send_all(fd, &out, cause) != 0)
		goto out;
	if ((reply = wait_reply(fd, &in, 1, deadline, cause)) == NULL)
		goto out;
	if (json_object_get(reply, "result") == NULL) {
		error_cause(reply, "initialize", cause);
		goto out;
	}
	json_decref(reply);
	reply = NULL;

	jr_notification(&out, "notifications/initialized", NULL);
	req = json_pack("{s:s, s:o}", "name", tool, "arguments",
	    args != NULL ? json_deep_copy(args) : json_object());
	put_request(&out, 2, "tools/call", req);
	json_decref(req);
	if (send_all(fd, &out, cause) != 0)
		goto out;
	if ((reply = wait_reply(fd, &in, 2, deadline, cause)) == NULL) {
		/* Withdraw the call: racktop stops it and never answers. */
		req = json_pack("{s:I, s:s}", "requestId", (json_int_t)2,
		    "reason", "racktop call gave up waiting");
		jr_notification(&out, "notifications/cancelled", req);
		json_decref(req);
		if (send_all(fd, &out, &ignored) != 0)
			free(ignored);
		goto out;
	}
	if ((result = json_object_get(reply, "result")) != NULL &&
	    json_is_object(result))
		json_incref(result);
	else {
		result = NULL;
		error_cause(reply, tool, cause);
	}

out:
	json_decref(reply);
	jr_lines_free(&in);
	jr_buf_free(&out);
	close(fd);
	return (result);
}
