/*
 * `racktop mcp`: what an MCP client spawns. It relays stdin lines to the
 * running racktop's socket and the socket's bytes to stdout; with nothing
 * listening it serves the tools itself over stdio (lazy mode), through
 * the same protocol code as the socket server.
 *
 * DESIGN: one thread, one poll loop over stdin, stdout and the socket (or
 * the completion queue in lazy mode), with buffered non-blocking writes.
 * Stdin and stdout are made non-blocking only when they are pipes or
 * sockets (a terminal's flags are shared with the shell), and restored
 * on exit.
 *
 * The server grants the CLI's source to a peer running racktop whose
 * clientInfo name is "racktop-cli"; the bridge is racktop too, so it
 * refuses to forward a request carrying that name from its stdin,
 * whoever wrote it: in initialize's clientInfo, or in the 2026-07-28
 * era's params._meta "io.modelcontextprotocol/clientInfo".
 *
 * Exit: stdin at EOF -> the socket's writing side is shut down once the
 * requests are sent, racktop answers what is in flight and closes, the
 * replies are written, exit 0. The socket closing first -> exit 1.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/call.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mcp/bridge.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"

#define BRIDGE_HIGH ((size_t)4 * 1024 * 1024)	/* stop reading above */
#define LAZY_WORKERS 2

struct stdio_state {
	int in_flags;
	int out_flags;
	bool in_set, out_set;
};

/* Makes fd non-blocking when it is a pipe or a socket. */
static void
nonblock_if_private(int fd, int *saved, bool *set)
{
	struct stat sb;
	int fl;

	*set = false;
	if (fstat(fd, &sb) == -1 || !(S_ISFIFO(sb.st_mode) ||
	    S_ISSOCK(sb.st_mode)))
		return;
	if ((fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_NONBLOCK))
		return;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) {
		*saved = fl;
		*set = true;
	}
}

/* Prepares stdin and stdout. */
static void
stdio_setup(struct stdio_state *st)
{
	nonblock_if_private(STDIN_FILENO, &st->in_flags, &st->in_set);
	nonblock_if_private(STDOUT_FILENO, &st->out_flags, &st->out_set);
}

/* Restores stdin and stdout flags. */
static void
stdio_restore(struct stdio_state *st)
{
	if (st->in_set)
		(void)fcntl(STDIN_FILENO, F_SETFL, st->in_flags);
	if (st->out_set)
		(void)fcntl(STDOUT_FILENO, F_SETFL, st->out_flags);
}

/* Writes pending output to fd; -1 when fd is gone. */
static int
flush_to(int fd, struct jr_buf *b, size_t *off)
{
	ssize_t n;

	while (*off < b->len) {
		n = write(fd, b->data + *off, b->len - *off);
		if (n > 0) {
			*off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return (-1);
	}
	if (*off == b->len) {
		*off = 0;
		jr_buf_reset(b, 1024 * 1024);
	}
	return (0);
}

/* The names the server trusts from racktop's own executable. */
static bool
reserved_name(const char *name)
{
	return (name != NULL && (strcmp(name, PROTO_CLI_NAME) == 0 ||
	    strcmp(name, PROTO_DASHBOARD_NAME) == 0));
}

/*
 * Whether a line is a request that claims the CLI's (or the attached
 * dashboard's) clientInfo name
 * (initialize's, or the modern _meta's);
 * if so, its error reply goes to local. Lines without the name or any
 * escape are not parsed.
 */
static bool
claims_cli(const char *line, size_t len, struct jr_buf *local)
{
	struct jr_msg m;
	const char *name;
	bool claims = false;

	if (memmem(line, len, PROTO_CLI_NAME, strlen(PROTO_CLI_NAME)) ==
	    NULL && memmem(line, len, PROTO_DASHBOARD_NAME,
	    strlen(PROTO_DASHBOARD_NAME)) == NULL &&
	    memchr(line, '\\', len) == NULL)
		return (false);
	jr_parse(line, len, &m);
	if (m.kind == JR_REQUEST && strcmp(m.method, "initialize") == 0) {
		name = json_string_value(json_object_get(json_object_get(
		    m.params, "clientInfo"), "name"));
		claims = reserved_name(name);
	}
	if (m.kind == JR_REQUEST && !claims) {
		name = json_string_value(json_object_get(json_object_get(
		    json_object_get(m.params, "_meta"),
		    "io.modelcontextprotocol/clientInfo"), "name"));
		claims = reserved_name(name);
	}
	if (claims)
		jr_error(local, m.id, JR_INVALID_REQUEST, "Invalid Request: "
		    "the clientInfo names \"" PROTO_CLI_NAME "\" and \""
		    PROTO_DASHBOARD_NAME "\" are reserved for racktop call and "
		    "racktop's dashboard", NULL);
	jr_msg_clear(&m);
	return (claims);
}

/* Relays between stdio and a connected socket. */
static int
relay(int fd)
{
	struct jr_lines in;
	struct jr_buf to_sock, to_out, local;
	size_t sock_off = 0, out_off = 0, avail, len;
	struct stdio_state st;
	struct pollfd pfd[3];
	bool in_eof = false, sock_eof = false, shut = false;
	const char *line;
	enum jr_line ls;
	int status = 0, fl;
	ssize_t n;
	char *p;

	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	stdio_setup(&st);
	jr_lines_init(&in, JR_MAX_MESSAGE_DEFAULT);
	jr_buf_init(&to_sock);
	jr_buf_init(&to_out);
	jr_buf_init(&local);

	for (;;) {
		if (in_eof && !shut && sock_off == to_sock.len) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		if (sock_eof && out_off == to_out.len)
			break;
		pfd[0].fd = in_eof || to_sock.len > BRIDGE_HIGH ? -1 :
		    STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = fd;
		pfd[1].events = 0;
		if (!sock_eof && to_out.len <= BRIDGE_HIGH)
			pfd[1].events |= POLLIN;
		if (sock_off < to_sock.len)
			pfd[1].events |= POLLOUT;
		pfd[2].fd = out_off < to_out.len ? STDOUT_FILENO : -1;
		pfd[2].events = POLLOUT;
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents != 0) {
			p = jr_lines_space(&in, &avail);
			n = read(STDIN_FILENO, p, avail);
			if (n > 0)
				jr_lines_commit(&in, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				in_eof = true;
			while ((ls = jr_lines_next(&in, &line, &len)) !=
			    JR_LINE_NONE) {
				if (ls == JR_LINE_TOOBIG) {
					jr_error(&local, NULL,
					    JR_INVALID_REQUEST, "Invalid "
					    "Request: message too large", NULL);
					continue;
				}
				if (claims_cli(line, len, &local))
					continue;
				jr_buf_append(&to_sock, line, len);
				jr_buf_append(&to_sock, "\n", 1);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			p = jr_buf_reserve(&to_out, 65536);
			n = read(fd, p, 65536);
			if (n > 0)
				to_out.len += (size_t)n;
			else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				sock_eof = true;
				if (!in_eof) {
					fprintf(stderr, "racktop mcp: racktop "
					    "closed the connection\n");
					status = 1;
				}
			}
		}
		/* Our own replies join the stream between whole lines. */
		if (local.len > 0 && (to_out.len == 0 || sock_eof ||
		    to_out.data[to_out.len - 1] == '\n')) {
			jr_buf_append(&to_out, local.data, local.len);
			local.len = 0;
		}
		if (sock_off < to_sock.len && flush_to(fd, &to_sock,
		    &sock_off) != 0) {
			fprintf(stderr, "racktop mcp: write to racktop: %s\n",
			    strerror(errno));
			status = 1;
			break;
		}
		if (out_off < to_out.len && flush_to(STDOUT_FILENO, &to_out,
		    &out_off) != 0) {
			status = 1;	/* the client went away */
			break;
		}
	}
	stdio_restore(&st);
	jr_lines_free(&in);
	jr_buf_free(&to_sock);
	jr_buf_free(&to_out);
	jr_buf_free(&local);
	close(fd);
	return (status);
}

/* Lazy mode's transport: replies queue for stdout. */
static void
lazy_send(void *arg, const char *data, size_t len)
{
	jr_buf_append(arg, data, len);
}

/* Serves the tools in this process over stdio. */
static int
lazy_run(struct registry *reg)
{
	struct proto_config pc = { 100, 32, 0, NULL };
	struct proto_transport tr;
	struct proto_session *s;
	struct proto_ctx *ctx;
	struct job_pool *pool;
	struct rt_caller caller;
	struct jr_lines in;
	struct jr_buf out;
	struct stdio_state st;
	struct pollfd pfd[3];
	size_t out_off = 0, avail, len;
	bool in_eof = false;
	const char *line;
	enum jr_line ls;
	int status = 0;
	ssize_t n;
	char *p;

	stdio_setup(&st);
	pool = job_pool_create(LAZY_WORKERS);
	ctx = proto_ctx_create(reg, pool, &pc);
	jr_lines_init(&in, JR_MAX_MESSAGE_DEFAULT);
	jr_buf_init(&out);
	/* The caller is whoever spawned us; never the CLI's source. */
	memset(&caller, 0, sizeof caller);
	(void)mcp_identify(getppid(), getuid(), &caller);
	tr.send = lazy_send;
	tr.arg = &out;
	s = proto_session_new(ctx, &caller, 0, &tr);
	log_debug("mcp: lazy mode for pid %d (%s)", (int)caller.pid,
	    caller.exe);

	for (;;) {
		if (in_eof && proto_session_inflight(s) == 0 &&
		    out_off == out.len)
			break;
		pfd[0].fd = in_eof || out.len > BRIDGE_HIGH ? -1 :
		    STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = proto_ctx_fd(ctx);
		pfd[1].events = POLLIN;
		pfd[2].fd = out_off < out.len ? STDOUT_FILENO : -1;
		pfd[2].events = POLLOUT;
		/* Calls asked through elicitation have deadlines. */
		if (poll(pfd, 3, proto_ctx_approval_ms(ctx)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents != 0)
			proto_ctx_complete(ctx);
		if (proto_ctx_approval_ms(ctx) == 0)
			proto_ctx_approvals(ctx);
		if (pfd[0].revents != 0) {
			p = jr_lines_space(&in, &avail);
			n = read(STDIN_FILENO, p, avail);
			if (n > 0)
				jr_lines_commit(&in, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				in_eof = true;
			while ((ls = jr_lines_next(&in, &line, &len)) !=
			    JR_LINE_NONE) {
				if (ls == JR_LINE_TOOBIG)
					proto_session_toobig(s, in.max);
				else
					(void)proto_session_input(s, line, len);
			}
		}
		if (out_off < out.len && flush_to(STDOUT_FILENO, &out,
		    &out_off) != 0) {
			status = 1;
			break;
		}
	}
	proto_session_free(s);
	proto_ctx_destroy(ctx);
	job_pool_destroy(pool);
	stdio_restore(&st);
	jr_lines_free(&in);
	jr_buf_free(&out);
	return (status);
}

/* Runs the bridge, or lazy mode when nothing listens. */
int
bridge_run(const char *sock_path, struct registry *reg)
{
	char *cause = NULL;
	int fd;

	if ((fd = sockpath_connect(sock_path, &cause)) != -1)
		return (relay(fd));
	if ((errno == ENOENT || errno == ECONNREFUSED) && reg != NULL) {
		free(cause);
		return (lazy_run(reg));
	}
	fprintf(stderr, "racktop mcp: %s\n", cause);
	free(cause);
	return (1);
}
