/*
 * load-client: the MCP client of tests/integration/load.sh. Unlike
 * bench/bench-load (which only counts lines, to stay out of the way of the
 * figures), it checks every response: each request has its own id (numbers
 * and strings, alternately), and each response must answer a request still
 * outstanding on that connection (else "mismatched" or "duplicated"), carry
 * the result of that request's own tool and limit, and arrive before the
 * deadline (else "lost").
 *
 *   load-client run SOCK --clients N --calls M [--pipeline P]
 *       [--read TOOL:KEY]... [--write TOOL:ARGS --write-every W]
 *       [--stall S] [--timeout SEC]
 *     N connections each make M tools/call requests, P outstanding at a
 *     time. Reads are list tools called with limit 1 + id % 5: the items
 *     must number min(limit, total) and each carry KEY. Every W-th call is
 *     the write instead (ARGS a JSON object). S more connections are
 *     flooded with requests and never read; they must delay nobody.
 *   load-client busy SOCK --clients N [--timeout SEC]
 *     Opens N initialised connections, then one more, which must get a
 *     -32012 error line and be closed.
 *   load-client burst SOCK --calls M [--timeout SEC]
 *     One connection writes M racktop_status calls at once; every one must
 *     be answered. Prints how many succeeded and how many were refused
 *     with -32010 (in flight) and -32011 (rate).
 *
 * Prints one line of key=value pairs; exit 0 when every check held, 1 when
 * one failed, 2 on a usage or connection error.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LC_MAX_TOOLS 8
#define LC_READ_SIZE 65536
#define LC_STALL_TOOL "proxmox_list_vms"

struct lc_read {
	const char *tool;
	const char *key;
};

struct lc_opts {
	const char *mode;
	const char *socket;
	int clients;
	long calls;
	int pipeline;
	int stall;
	int write_every;
	double timeout;
	struct lc_read reads[LC_MAX_TOOLS];
	int nreads;
	const char *write_tool;
	const char *write_args;
};

/* One request awaiting its response. */
struct lc_pending {
	bool used;
	int tool;		/* index in reads, or -1 for the write */
	long limit;
};

struct lc_conn {
	int fd;
	bool stall;		/* writes, never reads */
	bool stall_blocked_once;	/* its writes met a full socket */
	bool initialised;
	bool closed;
	char *in;
	size_t inlen, insize;
	char *out;
	size_t outoff, outlen, outsize;
	long sent, done;	/* calls */
	struct lc_pending *pending;	/* by sequence number */
};

struct lc_stats {
	long ok, lost, dup, mismatch, errors, writes;
	long refused_inflight, refused_rate, refused_other;
	long long stall_bytes;
	int stall_blocked;	/* stalled connections whose writes blocked */
	char first_problem[512];
};

static struct lc_opts opts;
static struct lc_stats st;

static void
usage(void)
{
	fprintf(stderr, "usage: load-client run|busy|burst SOCKET "
	    "[--clients N] [--calls M] [--pipeline P] [--read TOOL:KEY] "
	    "[--write TOOL:ARGS] [--write-every W] [--stall S] "
	    "[--timeout SEC]\n");
	exit(2);
}

static void *
lc_realloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		fprintf(stderr, "load-client: out of memory\n");
		exit(2);
	}
	return (p);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Records a failed check, keeping the first one's description. */
__attribute__((format(printf, 2, 3)))
static void
problem(long *counter, const char *fmt, ...)
{
	va_list ap;

	(*counter)++;
	if (st.first_problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(st.first_problem, sizeof st.first_problem, fmt, ap);
	va_end(ap);
}

static void
queue_out(struct lc_conn *c, const char *s, size_t n)
{
	if (c->outlen + n > c->outsize) {
		c->outsize = (c->outlen + n) * 2;
		c->out = lc_realloc(c->out, c->outsize);
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

static int
lc_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(opts.socket) >= sizeof sun.sun_path) {
		fprintf(stderr, "load-client: socket path too long\n");
		exit(2);
	}
	strcpy(sun.sun_path, opts.socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof sun) == -1) {
		fprintf(stderr, "load-client: %s: %s\n", opts.socket,
		    strerror(errno));
		exit(2);
	}
	return (fd);
}

static void
queue_init(struct lc_conn *c)
{
	static const char init[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
	    "\"clientInfo\":{\"name\":\"racktop-load\",\"version\":\"1.0\"}}}\n";

	queue_out(c, init, sizeof init - 1);
}

/* The id of call seq: odd calls a number, even ones a string. */
static int
format_id(char *buf, size_t len, long seq)
{
	if (seq % 2)
		return (snprintf(buf, len, "%ld", seq));
	return (snprintf(buf, len, "\"c%ld\"", seq));
}

/* Queues call number c->sent. */
static void
queue_call(struct lc_conn *c)
{
	struct lc_pending *p = &c->pending[c->sent];
	char id[32], line[1024];
	int n;

	format_id(id, sizeof id, c->sent);
	p->used = true;
	if (opts.write_tool != NULL && opts.write_every > 0 &&
	    c->sent % opts.write_every == opts.write_every - 1) {
		p->tool = -1;
		n = snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%s,"
		    "\"method\":\"tools/call\",\"params\":{\"name\":\"%s\","
		    "\"arguments\":%s}}\n", id, opts.write_tool,
		    opts.write_args);
	} else {
		p->tool = (int)(c->sent % opts.nreads);
		p->limit = 1 + c->sent % 5;
		n = snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%s,"
		    "\"method\":\"tools/call\",\"params\":{\"name\":\"%s\","
		    "\"arguments\":{\"limit\":%ld}}}\n", id,
		    opts.reads[p->tool].tool, p->limit);
	}
	if (n < 0 || (size_t)n >= sizeof line) {
		fprintf(stderr, "load-client: request too long\n");
		exit(2);
	}
	queue_out(c, line, (size_t)n);
	c->sent++;
}

/* The sequence number a response's id names, or -1. */
static long
id_seq(const json_t *id)
{
	const char *s;
	char *end;
	long v;

	if (json_is_integer(id)) {
		v = (long)json_integer_value(id);
		return (v % 2 == 1 ? v : -1);
	}
	if (!json_is_string(id))
		return (-1);
	s = json_string_value(id);
	if (s[0] != 'c')
		return (-1);
	v = strtol(s + 1, &end, 10);
	return (*end == '\0' && end != s + 1 && v % 2 == 0 ? v : -1);
}

/* Checks a read result against its request's tool and limit. */
static bool
read_matches(const json_t *sc, const struct lc_pending *p)
{
	const json_t *items = json_object_get(sc, "items"), *it;
	json_int_t total;
	size_t i, want;

	if (!json_is_array(items) ||
	    !json_is_integer(json_object_get(sc, "total")))
		return (false);
	total = json_integer_value(json_object_get(sc, "total"));
	want = total < p->limit ? (size_t)total : (size_t)p->limit;
	if (json_array_size(items) != want)
		return (false);
	json_array_foreach(items, i, it) {
		if (json_object_get(it, opts.reads[p->tool].key) == NULL)
			return (false);
	}
	return (true);
}

/* One response line of a call. */
static void
on_response(struct lc_conn *c, const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id"), *res, *err;
	struct lc_pending *p;
	long seq = id_seq(id);
	json_int_t code;
	char *txt;

	if (seq < 0 || seq >= opts.calls) {
		txt = json_dumps(id, JSON_ENCODE_ANY);
		problem(&st.mismatch, "unknown id %s", txt ? txt : "?");
		free(txt);
		return;
	}
	p = &c->pending[seq];
	if (seq >= c->sent) {
		problem(&st.mismatch, "id %ld never sent", seq);
		return;
	}
	if (!p->used) {
		problem(&st.dup, "id %ld answered twice", seq);
		return;
	}
	p->used = false;
	c->done++;
	if ((err = json_object_get(msg, "error")) != NULL) {
		code = json_integer_value(json_object_get(err, "code"));
		if (code == -32010)
			st.refused_inflight++;
		else if (code == -32011)
			st.refused_rate++;
		else
			st.refused_other++;
		if (strcmp(opts.mode, "burst") != 0) {
			txt = json_dumps(err, JSON_COMPACT);
			problem(&st.errors, "id %ld: error %s", seq,
			    txt ? txt : "?");
			free(txt);
		}
		return;
	}
	res = json_object_get(msg, "result");
	if (json_is_true(json_object_get(res, "isError"))) {
		txt = json_dumps(json_object_get(res, "content"), JSON_COMPACT);
		problem(&st.errors, "id %ld (%s): isError %.300s", seq,
		    p->tool < 0 ? opts.write_tool : opts.reads[p->tool].tool,
		    txt ? txt : "?");
		free(txt);
		return;
	}
	if (p->tool < 0) {
		st.writes++;
		st.ok++;
		return;
	}
	if (strcmp(opts.mode, "burst") == 0 ||
	    read_matches(json_object_get(res, "structuredContent"), p))
		st.ok++;
	else
		problem(&st.mismatch, "id %ld: result does not match %s "
		    "limit %ld", seq, opts.reads[p->tool].tool, p->limit);
}

/* Handles every complete line in c->in. */
static void
on_lines(struct lc_conn *c)
{
	json_error_t jerr;
	json_t *msg;
	char *nl, *start = c->in;
	size_t left = c->inlen;

	while ((nl = memchr(start, '\n', left)) != NULL) {
		msg = json_loadb(start, (size_t)(nl - start), 0, &jerr);
		left -= (size_t)(nl - start) + 1;
		start = nl + 1;
		if (msg == NULL) {
			problem(&st.mismatch, "unparsable line: %s", jerr.text);
			continue;
		}
		if (!c->initialised) {
			if (json_object_get(msg, "result") == NULL) {
				problem(&st.errors, "initialize refused");
				c->closed = true;
			} else {
				static const char note[] = "{\"jsonrpc\":\"2.0\","
				    "\"method\":\"notifications/initialized\"}\n";

				queue_out(c, note, sizeof note - 1);
				c->initialised = true;
			}
		} else if (json_object_get(msg, "id") != NULL)
			on_response(c, msg);
		json_decref(msg);
	}
	memmove(c->in, start, left);
	c->inlen = left;
}

/* Reads what is there; false at EOF or on an error. */
static bool
conn_read(struct lc_conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->insize - c->inlen < LC_READ_SIZE) {
			c->insize = c->inlen + 2 * LC_READ_SIZE;
			c->in = lc_realloc(c->in, c->insize);
		}
		n = read(c->fd, c->in + c->inlen, c->insize - c->inlen);
		if (n > 0) {
			c->inlen += (size_t)n;
			on_lines(c);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return (true);
		return (false);
	}
}

/* Writes what is queued; false when the peer is gone. */
static bool
conn_write(struct lc_conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (true);
		if (n <= 0)
			return (false);
		c->outoff += (size_t)n;
		if (c->stall)
			st.stall_bytes += n;
	}
	c->outoff = c->outlen = 0;
	return (true);
}

static void
set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Floods a stalled connection: a megabyte of large reads each time. */
static void
stall_fill(struct lc_conn *c)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"" LC_STALL_TOOL
	    "\",\"arguments\":{\"limit\":1000}}}\n";
	size_t i;

	if (c->outlen - c->outoff > (1u << 20))
		return;
	for (i = 0; i < 4096; i++)
		queue_out(c, req, sizeof req - 1);
}

static int
mode_run(void)
{
	struct lc_conn *conns;
	struct epoll_event ev, evs[256];
	int ep, i, n, total = opts.clients + opts.stall, active;
	double deadline = now_s() + opts.timeout, t0 = now_s();
	long j;

	conns = lc_realloc(NULL, (size_t)total * sizeof *conns);
	memset(conns, 0, (size_t)total * sizeof *conns);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return (2);
	for (i = 0; i < total; i++) {
		struct lc_conn *c = &conns[i];

		c->fd = lc_connect();
		set_nonblock(c->fd);
		c->stall = i < opts.stall;
		c->pending = lc_realloc(NULL, (size_t)opts.calls *
		    sizeof *c->pending);
		memset(c->pending, 0, (size_t)opts.calls * sizeof *c->pending);
		queue_init(c);
		if (c->stall) {
			static const char note[] = "{\"jsonrpc\":\"2.0\","
			    "\"method\":\"notifications/initialized\"}\n";

			queue_out(c, note, sizeof note - 1);
			stall_fill(c);
		}
		ev.events = (c->stall ? 0 : EPOLLIN) | EPOLLOUT | EPOLLET;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	}
	active = opts.clients;
	while (active > 0) {
		double left = deadline - now_s();

		if (left <= 0)
			break;
		n = epoll_wait(ep, evs, 256, (int)(left * 1000) + 1);
		for (i = 0; i < n; i++) {
			struct lc_conn *c = evs[i].data.ptr;

			if (c->closed)
				continue;
			if (c->stall) {
				stall_fill(c);
				if (!conn_write(c))
					c->closed = true;
				if (c->outoff < c->outlen)
					c->stall_blocked_once = true;
				continue;
			}
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    !conn_read(c)) {
				if (c->done < opts.calls)
					problem(&st.lost, "connection %d "
					    "closed after %ld of %ld calls",
					    i, c->done, opts.calls);
				c->closed = true;
				active--;
				continue;
			}
			while (c->initialised && c->sent < opts.calls &&
			    c->sent - c->done < opts.pipeline)
				queue_call(c);
			if (!conn_write(c)) {
				c->closed = true;
				active--;
				continue;
			}
			if (c->initialised && c->done == opts.calls) {
				c->closed = true;
				active--;
			}
		}
	}
	for (i = 0; i < total; i++) {
		struct lc_conn *c = &conns[i];

		if (c->stall) {
			if (c->stall_blocked_once)
				st.stall_blocked++;
		} else {
			for (j = 0; j < c->sent; j++)
				if (c->pending[j].used)
					problem(&st.lost, "connection %d: id %ld "
					    "unanswered at the deadline", i, j);
			if (c->sent < opts.calls)
				problem(&st.lost, "connection %d: only %ld of "
				    "%ld calls sent by the deadline", i,
				    c->sent, opts.calls);
		}
		close(c->fd);
		free(c->in);
		free(c->out);
		free(c->pending);
	}
	close(ep);
	free(conns);
	printf("calls=%ld ok=%ld writes=%ld lost=%ld duplicated=%ld "
	    "mismatched=%ld errors=%ld stalled=%d stall_blocked=%d "
	    "stall_bytes=%lld seconds=%.2f\n",
	    (long)opts.clients * opts.calls, st.ok, st.writes, st.lost, st.dup,
	    st.mismatch, st.errors, opts.stall, st.stall_blocked,
	    st.stall_bytes, now_s() - t0);
	if (st.first_problem[0] != '\0')
		fprintf(stderr, "load-client: first problem: %s\n",
		    st.first_problem);
	return (st.ok == (long)opts.clients * opts.calls &&
	    st.lost + st.dup + st.mismatch + st.errors == 0 &&
	    st.stall_blocked == opts.stall ? 0 : 1);
}

/* Reads one line from a blocking fd before the deadline; NULL if none. */
static json_t *
read_line(int fd, double deadline)
{
	struct timeval tv;
	json_error_t jerr;
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	double left;

	while (len < sizeof buf - 1) {
		if ((left = deadline - now_s()) <= 0)
			return (NULL);
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		n = read(fd, buf + len, 1);
		if (n <= 0)
			return (NULL);
		if (buf[len] == '\n')
			return (json_loadb(buf, len, 0, &jerr));
		len++;
	}
	return (NULL);
}

/* Whether fd reaches EOF (the server closed it) before the deadline. */
static bool
reaches_eof(int fd, double deadline)
{
	char c;

	for (;;) {
		json_t *j;

		if (deadline - now_s() <= 0)
			return (false);
		j = read_line(fd, deadline);
		if (j == NULL)
			return (read(fd, &c, 1) == 0 || errno != EAGAIN);
		json_decref(j);
	}
}

static int
mode_busy(void)
{
	double deadline = now_s() + opts.timeout;
	int *fds, i, fd, rc = 1;
	json_int_t code = 0;
	json_t *j;
	bool eof = false;

	fds = lc_realloc(NULL, (size_t)opts.clients * sizeof *fds);
	for (i = 0; i < opts.clients; i++) {
		struct lc_conn c;

		memset(&c, 0, sizeof c);
		fds[i] = c.fd = lc_connect();
		queue_init(&c);
		conn_write(&c);
		free(c.out);
		if ((j = read_line(fds[i], deadline)) == NULL ||
		    json_object_get(j, "result") == NULL) {
			printf("busy=fail opened=%d (client %d not served)\n",
			    opts.clients, i);
			json_decref(j);
			goto out;
		}
		json_decref(j);
	}
	fd = lc_connect();
	if ((j = read_line(fd, deadline)) != NULL)
		code = json_integer_value(json_object_get(
		    json_object_get(j, "error"), "code"));
	json_decref(j);
	eof = reaches_eof(fd, deadline);
	close(fd);
	printf("busy=%s opened=%d refused_code=%lld closed=%s\n",
	    code == -32012 && eof ? "ok" : "fail", opts.clients,
	    (long long)code, eof ? "yes" : "no");
	rc = code == -32012 && eof ? 0 : 1;
out:
	for (i = 0; i < opts.clients; i++)
		if (fds[i] > 0)
			close(fds[i]);
	free(fds);
	return (rc);
}

static int
mode_burst(void)
{
	struct lc_conn c;
	double deadline = now_s() + opts.timeout;
	json_t *j;
	long k;

	memset(&c, 0, sizeof c);
	c.fd = lc_connect();
	c.pending = lc_realloc(NULL, (size_t)opts.calls * sizeof *c.pending);
	memset(c.pending, 0, (size_t)opts.calls * sizeof *c.pending);
	queue_init(&c);
	conn_write(&c);
	if ((j = read_line(c.fd, deadline)) == NULL) {
		printf("burst=fail (initialize unanswered)\n");
		return (1);
	}
	json_decref(j);
	c.initialised = true;
	{
		static const char note[] = "{\"jsonrpc\":\"2.0\","
		    "\"method\":\"notifications/initialized\"}\n";

		queue_out(&c, note, sizeof note - 1);
	}
	/* Every call in one write, so they arrive together. */
	for (k = 0; k < opts.calls; k++)
		queue_call(&c);
	set_nonblock(c.fd);
	while (c.done < opts.calls && now_s() < deadline) {
		struct epoll_event ev;
		int ep = epoll_create1(EPOLL_CLOEXEC), n;

		ev.events = EPOLLIN | (c.outoff < c.outlen ? EPOLLOUT : 0);
		ev.data.ptr = &c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
		n = epoll_wait(ep, &ev, 1,
		    (int)((deadline - now_s()) * 1000) + 1);
		close(ep);
		if (n <= 0)
			continue;
		if (!conn_write(&c) || !conn_read(&c))
			break;
	}
	for (k = 0; k < c.sent; k++)
		if (c.pending[k].used)
			st.lost++;
	printf("calls=%ld answered=%ld ok=%ld refused_inflight=%ld "
	    "refused_rate=%ld refused_other=%ld lost=%ld duplicated=%ld "
	    "mismatched=%ld\n", opts.calls, c.done, st.ok,
	    st.refused_inflight, st.refused_rate, st.refused_other, st.lost,
	    st.dup, st.mismatch);
	close(c.fd);
	free(c.in);
	free(c.out);
	free(c.pending);
	return (c.done == opts.calls && st.lost + st.dup + st.mismatch == 0 ?
	    0 : 1);
}

int
main(int argc, char **argv)
{
	char *colon;
	int i;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		usage();
	opts.mode = argv[1];
	opts.socket = argv[2];
	opts.clients = 1;
	opts.calls = 1;
	opts.pipeline = 4;
	opts.timeout = 60;
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--clients") == 0)
			opts.clients = atoi(v);
		else if (strcmp(a, "--calls") == 0)
			opts.calls = atol(v);
		else if (strcmp(a, "--pipeline") == 0)
			opts.pipeline = atoi(v);
		else if (strcmp(a, "--stall") == 0)
			opts.stall = atoi(v);
		else if (strcmp(a, "--write-every") == 0)
			opts.write_every = atoi(v);
		else if (strcmp(a, "--timeout") == 0)
			opts.timeout = atof(v);
		else if (strcmp(a, "--read") == 0 && opts.nreads < LC_MAX_TOOLS &&
		    (colon = strchr(v, ':')) != NULL) {
			*colon = '\0';
			opts.reads[opts.nreads].tool = v;
			opts.reads[opts.nreads++].key = colon + 1;
		} else if (strcmp(a, "--write") == 0 &&
		    (colon = strchr(v, ':')) != NULL) {
			*colon = '\0';
			opts.write_tool = v;
			opts.write_args = colon + 1;
		} else
			usage();
	}
	if (opts.clients < 1 || opts.calls < 1 || opts.pipeline < 1)
		usage();
	if (strcmp(opts.mode, "run") == 0) {
		if (opts.nreads == 0)
			usage();
		return (mode_run());
	}
	if (strcmp(opts.mode, "busy") == 0)
		return (mode_busy());
	if (strcmp(opts.mode, "burst") == 0) {
		opts.reads[0].tool = "racktop_status";
		opts.reads[0].key = "instance";
		opts.nreads = 1;
		return (mode_burst());
	}
	usage();
	return (2);
}
