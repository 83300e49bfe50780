/*
 * bench-floor: the benchmark's floor, a trivial responder on a Unix socket.
 *
 * It answers every newline-terminated line that carries an "id" with one
 * canned JSON-RPC result of about the size of racktop_status's, copying the
 * id token textually from the request so that clients can match it; lines
 * without an id (notifications) get no answer. One thread, one epoll loop,
 * non-blocking fds: what this machine's kernel and socket cost, with no MCP
 * work at all. Used by bench/run.sh only; never installed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#elif !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOR_READ_SIZE 65536
#define FLOOR_MAX_LINE (4 * 1024 * 1024)
#define FLOOR_MAX_EVENTS 128

/* The canned answer: racktop_status with no instances, as racktop sends it. */
static const char floor_head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
static const char floor_tail[] =
    ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
    "\"{\\\"items\\\":[],\\\"total\\\":0,\\\"age_ms\\\":0,"
    "\\\"instance_errors\\\":[]}\"}],\"structuredContent\":"
    "{\"items\":[],\"total\":0,\"age_ms\":0,\"instance_errors\":[]},"
    "\"isError\":false}}\n";

struct floor_conn {
	int fd;
	char *in;	/* unparsed input */
	size_t inlen;
	size_t insize;
	char *out;	/* answers not yet written */
	size_t outoff;
	size_t outlen;
	size_t outsize;
	int writing;	/* EPOLLOUT armed, reading paused */
};

static volatile sig_atomic_t floor_stop;

/* Notes a termination signal for the loop. */
static void
floor_signal(int sig)
{
	(void)sig;
	floor_stop = 1;
}

/* Allocates or exits: the floor has no way to degrade. */
static void *
floor_realloc(void *p, size_t size)
{
	void *q;

	if ((q = realloc(p, size)) == NULL) {
		perror("bench-floor: realloc");
		exit(1);
	}
	return (q);
}

/* Appends len bytes to the connection's output buffer. */
static void
floor_out(struct floor_conn *c, const char *s, size_t len)
{
	if (c->outlen + len > c->outsize) {
		while (c->outlen + len > c->outsize)
			c->outsize = c->outsize == 0 ? 4096 : c->outsize * 2;
		c->out = floor_realloc(c->out, c->outsize);
	}
	memcpy(c->out + c->outlen, s, len);
	c->outlen += len;
}

/*
 * Finds the id token of a request line: a number, a string (escapes
 * skipped) or null. Returns its length and start in *tok, 0 when absent.
 */
static size_t
floor_find_id(const char *line, size_t len, const char **tok)
{
	const char *p, *end = line + len;
	const char *q;

	p = memmem(line, len, "\"id\":", 5);
	if (p == NULL)
		return (0);
	p += 5;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end)
		return (0);
	q = p;
	if (*q == '"') {
		for (q++; q < end && *q != '"'; q++) {
			if (*q == '\\')
				q++;
		}
		if (q >= end)
			return (0);
		q++;
	} else {
		while (q < end && *q != ',' && *q != '}' && *q != ' ')
			q++;
	}
	*tok = p;
	return ((size_t)(q - p));
}

/* Answers every complete line in the input buffer; keeps the partial tail. */
static void
floor_lines(struct floor_conn *c)
{
	char *line = c->in, *nl, *end = c->in + c->inlen;
	const char *tok;
	size_t toklen;

	while (line < end && (nl = memchr(line, '\n', end - line)) != NULL) {
		toklen = floor_find_id(line, nl - line, &tok);
		if (toklen != 0) {
			floor_out(c, floor_head, sizeof floor_head - 1);
			floor_out(c, tok, toklen);
			floor_out(c, floor_tail, sizeof floor_tail - 1);
		}
		line = nl + 1;
	}
	c->inlen = end - line;
	if (c->inlen != 0 && line != c->in)
		memmove(c->in, line, c->inlen);
}

/* Writes what it can; returns -1 when the peer is gone. */
static int
floor_flush(struct floor_conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (0);
			return (-1);
		}
		c->outoff += n;
	}
	c->outoff = c->outlen = 0;
	return (0);
}

/* Switches a connection between reading and waiting to write. */
static void
floor_arm(int ep, struct floor_conn *c)
{
	struct epoll_event ev;
	int want = c->outlen != 0;

	if (want == c->writing)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want ? EPOLLOUT : EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		perror("bench-floor: epoll_ctl");
		exit(1);
	}
	c->writing = want;
}

/* Closes a connection and frees it. */
static void
floor_close(struct floor_conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Reads what is there and answers it; returns -1 to close. */
static int
floor_read(struct floor_conn *c)
{
	size_t avail;
	ssize_t n;

	for (;;) {
		if (c->insize - c->inlen < FLOOR_READ_SIZE / 2) {
			if (c->insize >= FLOOR_MAX_LINE)
				return (-1);
			c->insize *= 2;
			c->in = floor_realloc(c->in, c->insize);
		}
		avail = c->insize - c->inlen;
		n = read(c->fd, c->in + c->inlen, avail);
		if (n == 0)
			return (-1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return (-1);
		}
		c->inlen += n;
		floor_lines(c);
		if ((size_t)n < avail)
			break;	/* short read: the socket is drained */
	}
	return (floor_flush(c));
}

/* Accepts every pending connection. */
static void
floor_accept(int ep, int lfd)
{
	struct epoll_event ev;
	struct floor_conn *c;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				perror("bench-floor: accept");
			return;
		}
		c = floor_realloc(NULL, sizeof *c);
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->insize = FLOOR_READ_SIZE;
		c->in = floor_realloc(NULL, c->insize);
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			perror("bench-floor: epoll_ctl");
			floor_close(c);
		}
	}
}

/* Creates the listening socket at path, replacing a stale one. */
static int
floor_listen(const char *path)
{
	struct sockaddr_un sun;
	mode_t mask;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "bench-floor: %s: path too long\n", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("bench-floor: socket");
		return (-1);
	}
	mask = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(mask);
		perror("bench-floor: bind");
		close(fd);
		return (-1);
	}
	umask(mask);
	if (listen(fd, 512) == -1) {
		perror("bench-floor: listen");
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Prints the usage line and exits. */
static void
usage(void)
{
	fprintf(stderr, "usage: bench-floor --socket PATH\n");
	exit(2);
}

/* Parses the options and answers until SIGTERM or SIGINT. */
int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[FLOOR_MAX_EVENTS];
	struct sigaction sa;
	struct floor_conn *c;
	const char *path = NULL;
	int ep, lfd, i, n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	if (path == NULL)
		usage();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = floor_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = floor_listen(path)) == -1)
		return (1);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("bench-floor: epoll_create1");
		return (1);
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1) {
		perror("bench-floor: epoll_ctl");
		return (1);
	}

	while (!floor_stop) {
		n = epoll_wait(ep, evs, FLOOR_MAX_EVENTS, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("bench-floor: epoll_wait");
			return (1);
		}
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c == NULL) {
				floor_accept(ep, lfd);
				continue;
			}
			if (evs[i].events & EPOLLOUT) {
				if (floor_flush(c) == -1) {
					floor_close(c);
					continue;
				}
			} else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				if (floor_read(c) == -1) {
					floor_close(c);
					continue;
				}
			}
			floor_arm(ep, c);
		}
	}
	close(lfd);
	unlink(path);
	return (0);
}
