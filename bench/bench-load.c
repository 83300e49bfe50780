/*
 * bench-load: the MCP load client of `make bench`.
 *
 * It opens connections to a Unix socket speaking newline-delimited
 * JSON-RPC, initialises an MCP session on each (initialize with protocol
 * 2025-11-25, then notifications/initialized) and measures tools/call round
 * trips of one tool:
 *
 *   --mode seq    one connection, one call at a time, --calls N after
 *                 --warmup W; prints p50, p99 and mean latency;
 *   --mode tput   --conns N connections, each keeping --pipeline K calls
 *                 outstanding, for --seconds S (the first fifth is a
 *                 warm-up); prints calls per second;
 *   --idle N      opens N initialised connections, prints "ready" and holds
 *                 them until stdin reaches EOF (bench/run.sh reads the
 *                 server's RSS meanwhile).
 *
 * The client must never be the bottleneck: responses are only split into
 * lines and counted, and a sample of them (every response in seq mode, one
 * in 1024 in tput mode) is checked for an error. tput runs one epoll loop
 * per thread (--threads, default 1, so the server keeps the other core).
 * Results are printed on stdout as one line of key=value pairs.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#elif !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOAD_READ_SIZE 65536
#define LOAD_MAX_LINE (16 * 1024 * 1024)
#define LOAD_MAX_EVENTS 128
#define LOAD_SAMPLE 1024	/* tput: check one response in this many */
#define LOAD_TIMEOUT 10		/* seconds a blocking read may wait */

struct load_opts {
	const char *socket;
	const char *tool;
	const char *args;	/* JSON object text */
	int seq;		/* --mode seq, else tput */
	int conns;
	int pipeline;
	int threads;
	double seconds;
	long calls;
	long warmup;
	int idle;		/* --idle N: connections to hold, 0 if off */
	int verbose;
};

struct load_conn {
	int fd;
	char *in;		/* unparsed input */
	size_t inlen;
	size_t insize;
	char *out;		/* requests not yet written */
	size_t outoff;
	size_t outlen;
	size_t outsize;
	int writing;		/* EPOLLOUT armed */
	uint64_t next_id;
	uint64_t done;		/* responses counted */
};

struct load_thread {
	pthread_t thread;
	struct load_conn **conns;
	int nconns;
	uint64_t start_ns;
	uint64_t warm_ns;	/* end of the warm-up */
	uint64_t end_ns;
	uint64_t measured;	/* responses counted after the warm-up */
	uint64_t measured_ns;	/* time they took */
	uint64_t errors;
	uint64_t sampled;
	int failed;
};

static struct load_opts opts = {
	.args = "{}",
	.conns = 1,
	.pipeline = 8,
	.threads = 1,
	.seconds = 3,
	.calls = 20000,
	.warmup = 2000,
};

/* The bytes that go around the id of every tools/call request. */
static const char load_req_head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
static char *load_req_tail;
static size_t load_req_tail_len;

/* Prints a message and exits with status 1. */
static void
load_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Prints a message and exits with status 1. */
static void
load_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Allocates or exits. */
static void *
load_realloc(void *p, size_t size)
{
	void *q;

	if ((q = realloc(p, size)) == NULL)
		load_fatal("out of memory");
	return (q);
}

/* Returns the monotonic clock in nanoseconds. */
static uint64_t
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec);
}

/* Appends len bytes to the connection's output buffer. */
static void
load_out(struct load_conn *c, const char *s, size_t len)
{
	if (c->outlen + len > c->outsize) {
		while (c->outlen + len > c->outsize)
			c->outsize = c->outsize == 0 ? 4096 : c->outsize * 2;
		c->out = load_realloc(c->out, c->outsize);
	}
	memcpy(c->out + c->outlen, s, len);
	c->outlen += len;
}

/* Formats v in decimal into buf (at least 21 bytes); returns the length. */
static size_t
load_u64(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return (n);
}

/* Queues one tools/call request with the connection's next id. */
static void
load_queue_call(struct load_conn *c)
{
	char id[21];
	size_t idlen;

	idlen = load_u64(id, c->next_id++);
	load_out(c, load_req_head, sizeof load_req_head - 1);
	load_out(c, id, idlen);
	load_out(c, load_req_tail, load_req_tail_len);
}

/* Writes what it can; returns -1 on a write error. */
static int
load_flush(struct load_conn *c, int blocking)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && !blocking)
				return (0);
			return (-1);
		}
		c->outoff += n;
	}
	c->outoff = c->outlen = 0;
	return (0);
}

/* Reads once into the input buffer; returns bytes read, 0 at EOF, -1. */
static ssize_t
load_fill(struct load_conn *c)
{
	ssize_t n;

	if (c->insize - c->inlen < LOAD_READ_SIZE / 2) {
		if (c->insize >= LOAD_MAX_LINE) {
			errno = EMSGSIZE;
			return (-1);
		}
		c->insize *= 2;
		c->in = load_realloc(c->in, c->insize);
	}
	do
		n = read(c->fd, c->in + c->inlen, c->insize - c->inlen);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		c->inlen += n;
	return (n);
}

/* Drops the first len bytes of the input buffer. */
static void
load_consume(struct load_conn *c, size_t len)
{
	c->inlen -= len;
	if (c->inlen != 0)
		memmove(c->in, c->in + len, c->inlen);
}

/*
 * Blocks until a whole line is buffered; returns its length with the
 * newline, or -1 on EOF, error or timeout.
 */
static ssize_t
load_read_line(struct load_conn *c)
{
	char *nl;
	size_t scanned = 0;

	for (;;) {
		nl = memchr(c->in + scanned, '\n', c->inlen - scanned);
		if (nl != NULL)
			return (nl - c->in + 1);
		scanned = c->inlen;
		if (load_fill(c) <= 0)
			return (-1);
	}
}

/* Says whether a line from a server is a request or notification to us. */
static int
load_is_message(const char *line, size_t len)
{
	if (len > 64)
		len = 64;
	return (memmem(line, len, "\"method\"", 8) != NULL);
}

/* Says whether a response line reports a failure. */
static int
load_is_error(const char *line, size_t len)
{
	if (memmem(line, len, "\"error\":", 8) != NULL)
		return (1);
	if (memmem(line, len, "\"isError\":true", 14) != NULL)
		return (1);
	return (0);
}

/* Prints a bad line once, so a broken server is easy to see. */
static void
load_report_error(const char *what, const char *line, size_t len)
{
	static int reported;

	if (reported++ != 0)
		return;
	if (len > 400)
		len = 400;
	fprintf(stderr, "bench-load: %s: %.*s\n", what, (int)len, line);
}

/* Connects to the socket and runs the MCP handshake; blocking fd. */
static struct load_conn *
load_connect(void)
{
	static const char init[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
	    "\"clientInfo\":{\"name\":\"racktop-bench\",\"version\":\"1.0\"}}}\n";
	static const char initialized[] =
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
	struct sockaddr_un sun;
	struct timeval tv;
	struct load_conn *c;
	ssize_t len;

	c = load_realloc(NULL, sizeof *c);
	memset(c, 0, sizeof *c);
	c->next_id = 1;
	c->insize = LOAD_READ_SIZE;
	c->in = load_realloc(NULL, c->insize);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(opts.socket) >= sizeof sun.sun_path)
		load_fatal("%s: path too long", opts.socket);
	strcpy(sun.sun_path, opts.socket);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		load_fatal("socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		load_fatal("connect %s: %s", opts.socket, strerror(errno));
	memset(&tv, 0, sizeof tv);
	tv.tv_sec = LOAD_TIMEOUT;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

	load_out(c, init, sizeof init - 1);
	if (load_flush(c, 1) == -1)
		load_fatal("write initialize: %s", strerror(errno));
	for (;;) {
		if ((len = load_read_line(c)) == -1)
			load_fatal("no answer to initialize");
		if (!load_is_message(c->in, len))
			break;
		load_consume(c, len);
	}
	if (load_is_error(c->in, len))
		load_fatal("initialize failed: %.*s", (int)len - 1, c->in);
	if (opts.verbose)
		fprintf(stderr, "initialize: %.*s", (int)len, c->in);
	load_consume(c, len);
	load_out(c, initialized, sizeof initialized - 1);
	if (load_flush(c, 1) == -1)
		load_fatal("write initialized: %s", strerror(errno));
	return (c);
}

/* Closes a connection and frees it. */
static void
load_close(struct load_conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Sorts latencies. */
static int
load_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Returns the q-quantile of sorted values (nearest rank). */
static uint64_t
load_quantile(const uint64_t *v, size_t n, double q)
{
	size_t i;

	i = (size_t)(q * (double)n + 0.999999);
	if (i == 0)
		i = 1;
	if (i > n)
		i = n;
	return (v[i - 1]);
}

/* Sequential mode: one call at a time, every round trip timed. */
static int
load_seq(void)
{
	struct load_conn *c;
	uint64_t *lat, t0, sum = 0, errors = 0, mismatched = 0;
	char want[32];
	size_t wantlen;
	ssize_t len;
	long i, total = opts.warmup + opts.calls;

	c = load_connect();
	lat = load_realloc(NULL, (size_t)opts.calls * sizeof *lat);
	for (i = 0; i < total; i++) {
		load_queue_call(c);
		t0 = load_now();
		if (load_flush(c, 1) == -1)
			load_fatal("write: %s", strerror(errno));
		do {
			if ((len = load_read_line(c)) == -1)
				load_fatal("call %ld: no answer", i);
			if (!load_is_message(c->in, len))
				break;
			load_consume(c, len);
		} while (1);
		if (i >= opts.warmup)
			lat[i - opts.warmup] = load_now() - t0;

		/* Checked after the clock stopped. */
		memcpy(want, "\"id\":", 5);
		wantlen = 5 + load_u64(want + 5, c->next_id - 1);
		if (load_is_error(c->in, len)) {
			errors++;
			load_report_error("error", c->in, len);
		} else if (memmem(c->in, len, want, wantlen) == NULL) {
			mismatched++;
			load_report_error("id mismatch", c->in, len);
		}
		if (i == 0 && opts.verbose)
			fprintf(stderr, "tools/call: %.*s", (int)len, c->in);
		load_consume(c, len);
	}
	load_close(c);

	for (i = 0; i < opts.calls; i++)
		sum += lat[i];
	qsort(lat, (size_t)opts.calls, sizeof *lat, load_cmp);
	printf("mode=seq calls=%ld p50_us=%.1f p99_us=%.1f mean_us=%.1f "
	    "min_us=%.1f max_us=%.1f errors=%" PRIu64 "\n", opts.calls,
	    load_quantile(lat, opts.calls, 0.50) / 1e3,
	    load_quantile(lat, opts.calls, 0.99) / 1e3,
	    (double)sum / opts.calls / 1e3, lat[0] / 1e3,
	    lat[opts.calls - 1] / 1e3, errors + mismatched);
	free(lat);
	return (errors + mismatched == 0 ? 0 : 1);
}

/* Counts the complete lines in a connection's input; returns responses. */
static uint64_t
load_count(struct load_thread *t, struct load_conn *c)
{
	char *line = c->in, *nl, *end = c->in + c->inlen;
	uint64_t n = 0;

	while (line < end && (nl = memchr(line, '\n', end - line)) != NULL) {
		if (!load_is_message(line, nl - line)) {
			if ((c->done + n) % LOAD_SAMPLE == 0) {
				t->sampled++;
				if (load_is_error(line, nl - line + 1)) {
					t->errors++;
					load_report_error("error", line,
					    nl - line + 1);
				}
			}
			n++;
		}
		line = nl + 1;
	}
	load_consume(c, line - c->in);
	c->done += n;
	return (n);
}

/* Arms EPOLLOUT while requests are pending, EPOLLIN always. */
static void
load_arm(int ep, struct load_conn *c)
{
	struct epoll_event ev;
	int want = c->outlen != 0;

	if (want == c->writing)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		load_fatal("epoll_ctl: %s", strerror(errno));
	c->writing = want;
}

/* One tput thread: its connections in one epoll loop until the end. */
static void *
load_tput_thread(void *arg)
{
	struct load_thread *t = arg;
	struct epoll_event ev, evs[LOAD_MAX_EVENTS];
	struct load_conn *c;
	uint64_t now, total = 0, warm_total = 0, warm_at = 0, got, k;
	int ep, i, n, timeout, warm = 0;
	ssize_t r;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		load_fatal("epoll_create1: %s", strerror(errno));
	for (i = 0; i < t->nconns; i++) {
		c = t->conns[i];
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
			load_fatal("epoll_ctl: %s", strerror(errno));
		for (k = 0; k < (uint64_t)opts.pipeline; k++)
			load_queue_call(c);
		if (load_flush(c, 0) == -1)
			load_fatal("write: %s", strerror(errno));
		load_arm(ep, c);
	}

	for (;;) {
		now = load_now();
		if (!warm && now >= t->warm_ns) {
			warm = 1;
			warm_at = now;
			warm_total = total;
		}
		if (now >= t->end_ns)
			break;
		if (!warm)
			timeout = (int)((t->warm_ns - now) / 1000000) + 1;
		else
			timeout = (int)((t->end_ns - now) / 1000000) + 1;
		n = epoll_wait(ep, evs, LOAD_MAX_EVENTS, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			load_fatal("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				r = load_fill(c);
				if (r == 0 || (r == -1 && errno != EAGAIN)) {
					fprintf(stderr, "bench-load: connection "
					    "lost after %" PRIu64 " calls\n",
					    c->done);
					t->failed = 1;
					goto out;
				}
				got = load_count(t, c);
				total += got;
				for (k = 0; k < got; k++)
					load_queue_call(c);
			}
			if (load_flush(c, 0) == -1) {
				fprintf(stderr, "bench-load: write: %s\n",
				    strerror(errno));
				t->failed = 1;
				goto out;
			}
			load_arm(ep, c);
		}
	}
out:
	now = load_now();
	if (!warm) {
		warm_at = t->start_ns;
		warm_total = 0;
	}
	t->measured = total - warm_total;
	t->measured_ns = now - warm_at;
	close(ep);
	return (NULL);
}

/* Throughput mode: pipelined calls on every connection for a while. */
static int
load_tput(void)
{
	struct load_thread *threads;
	struct load_conn **conns;
	uint64_t start, warm, end, errors = 0, sampled = 0;
	double rate = 0, secs = 0;
	int i, fl, nt = opts.threads, failed = 0;

	if (nt > opts.conns)
		nt = opts.conns;
	conns = load_realloc(NULL, (size_t)opts.conns * sizeof *conns);
	for (i = 0; i < opts.conns; i++)
		conns[i] = load_connect();
	threads = load_realloc(NULL, (size_t)nt * sizeof *threads);
	memset(threads, 0, (size_t)nt * sizeof *threads);

	start = load_now();
	warm = start + (uint64_t)(opts.seconds * 1e9 / 5);
	end = start + (uint64_t)(opts.seconds * 1e9);
	for (i = 0; i < nt; i++) {
		threads[i].conns = conns + (size_t)opts.conns * i / nt;
		threads[i].nconns = opts.conns * (i + 1) / nt -
		    opts.conns * i / nt;
		threads[i].start_ns = start;
		threads[i].warm_ns = warm;
		threads[i].end_ns = end;
	}
	for (i = 0; i < opts.conns; i++) {
		/* Non-blocking from here on. */
		fl = fcntl(conns[i]->fd, F_GETFL);
		if (fl == -1 ||
		    fcntl(conns[i]->fd, F_SETFL, fl | O_NONBLOCK) == -1)
			load_fatal("fcntl: %s", strerror(errno));
	}
	for (i = 0; i < nt; i++) {
		if (pthread_create(&threads[i].thread, NULL, load_tput_thread,
		    &threads[i]) != 0)
			load_fatal("pthread_create failed");
	}
	for (i = 0; i < nt; i++) {
		pthread_join(threads[i].thread, NULL);
		rate += threads[i].measured / (threads[i].measured_ns / 1e9);
		if (threads[i].measured_ns / 1e9 > secs)
			secs = threads[i].measured_ns / 1e9;
		errors += threads[i].errors;
		sampled += threads[i].sampled;
		failed |= threads[i].failed;
	}
	for (i = 0; i < opts.conns; i++)
		load_close(conns[i]);
	free(conns);
	free(threads);

	printf("mode=tput conns=%d pipeline=%d threads=%d seconds=%.2f "
	    "calls_per_s=%.0f mean_latency_us=%.1f errors=%" PRIu64
	    " sampled=%" PRIu64 "\n", opts.conns, opts.pipeline, nt, secs, rate,
	    rate > 0 ? opts.conns * opts.pipeline / rate * 1e6 : 0.0, errors,
	    sampled);
	return (failed || errors != 0 ? 1 : 0);
}

/* Idle mode: holds initialised connections until stdin reaches EOF. */
static int
load_idle(void)
{
	struct load_conn **conns;
	char buf[256];
	ssize_t n;
	int i;

	conns = load_realloc(NULL, (size_t)opts.idle * sizeof *conns);
	for (i = 0; i < opts.idle; i++)
		conns[i] = load_connect();
	printf("ready conns=%d\n", opts.idle);
	fflush(stdout);
	do
		n = read(STDIN_FILENO, buf, sizeof buf);
	while (n > 0 || (n == -1 && errno == EINTR));
	for (i = 0; i < opts.idle; i++)
		load_close(conns[i]);
	free(conns);
	return (0);
}

/* Builds the constant part of every request after its id. */
static void
load_build_tail(void)
{
	static const char fmt[] = ",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"%s\",\"arguments\":%s}}\n";
	int len;

	len = snprintf(NULL, 0, fmt, opts.tool, opts.args);
	load_req_tail = load_realloc(NULL, (size_t)len + 1);
	snprintf(load_req_tail, (size_t)len + 1, fmt, opts.tool, opts.args);
	load_req_tail_len = (size_t)len;
	if (strchr(opts.args, '\n') != NULL)
		load_fatal("--args must be one line");
}

/* Prints the usage and exits. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench-load --socket PATH --tool NAME [--args JSON]\n"
	    "           --mode seq [--calls N] [--warmup N]\n"
	    "       bench-load --socket PATH --tool NAME [--args JSON]\n"
	    "           --mode tput [--conns N] [--pipeline K] [--seconds S]"
	    " [--threads T]\n"
	    "       bench-load --socket PATH --idle N\n"
	    "options: --verbose prints the first answers on stderr\n");
	exit(2);
}

/* Parses a positive integer option value or exits. */
static long
load_number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		usage();
	return (v);
}

/* Parses the options and runs the chosen mode. */
int
main(int argc, char **argv)
{
	const char *a, *mode = NULL;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--verbose") == 0) {
			opts.verbose = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--socket") == 0)
			opts.socket = argv[++i];
		else if (strcmp(a, "--tool") == 0)
			opts.tool = argv[++i];
		else if (strcmp(a, "--args") == 0)
			opts.args = argv[++i];
		else if (strcmp(a, "--mode") == 0)
			mode = argv[++i];
		else if (strcmp(a, "--conns") == 0)
			opts.conns = (int)load_number(argv[++i], 1, 100000);
		else if (strcmp(a, "--pipeline") == 0)
			opts.pipeline = (int)load_number(argv[++i], 1, 4096);
		else if (strcmp(a, "--threads") == 0)
			opts.threads = (int)load_number(argv[++i], 1, 256);
		else if (strcmp(a, "--calls") == 0)
			opts.calls = load_number(argv[++i], 1, 100000000);
		else if (strcmp(a, "--warmup") == 0)
			opts.warmup = load_number(argv[++i], 0, 100000000);
		else if (strcmp(a, "--idle") == 0)
			opts.idle = (int)load_number(argv[++i], 1, 100000);
		else if (strcmp(a, "--seconds") == 0) {
			opts.seconds = strtod(argv[++i], &end);
			if (*end != '\0' || opts.seconds <= 0)
				usage();
		} else
			usage();
	}
	if (opts.socket == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (opts.idle != 0)
		return (load_idle());
	if (opts.tool == NULL || mode == NULL)
		usage();
	load_build_tail();
	if (strcmp(mode, "seq") == 0)
		return (load_seq());
	if (strcmp(mode, "tput") == 0)
		return (load_tput());
	usage();
	return (2);
}
