/*
 * racktop-testd's stand-in for the operator (test-only, never shipped):
 * with --approvals PATH it decides the calls held for approval, as the
 * dashboard would, for whoever connects to the control socket PATH.
 *
 * Each held call is sent to the control client as one JSON line,
 *   {"event":"request","id":N,"tool":"...","client":"...","pid":N,
 *    "uid":N,"exe":"...","conn":N,"arguments":{...}}
 * and each withdrawal as {"event":"withdrawn","id":N,"why":"..."}; the
 * client answers with lines "y N", "n N" or "a N". Events before a client
 * connects wait for it. One control client at a time.
 *
 * DESIGN: one thread (the decider side of core/approval.h) owns the
 * control socket and its client; it polls them, the broker's decider fd
 * and a stop eventfd. The real operator's code is ui/approval.c; this is
 * only reachable in racktop-testd, which is never installed.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mcp/sockpath.h"
#include "tests/testd/testsvc.h"

struct testd_approve {
	struct approval *ap;
	int listen_fd;
	int client_fd;
	int stop_fd;
	char *path;
	char *pending;		/* lines waiting for a client */
	size_t npending;
	char in[1024];
	size_t nin;
	pthread_t thread;
};

/* Queues or sends one line to the control client. */
static void
ta_send(struct testd_approve *ta, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;

	ta->pending = xrealloc(ta->pending, ta->npending + len + 2);
	memcpy(ta->pending + ta->npending, line, len);
	ta->npending += len;
	ta->pending[ta->npending++] = '\n';
	if (ta->client_fd != -1 && ta->npending > 0) {
		n = send(ta->client_fd, ta->pending, ta->npending,
		    MSG_NOSIGNAL);
		if (n > 0) {
			ta->npending -= (size_t)n;
			memmove(ta->pending, ta->pending + n, ta->npending);
		}
	}
}

/* Takes the broker's events and passes them on. */
static void
ta_events(struct testd_approve *ta)
{
	struct approval_req *r, *next;
	json_t *j;
	char *text;

	for (r = approval_take(ta->ap); r != NULL; r = next) {
		next = r->next;
		if (r->withdrawn)
			j = json_pack("{s:s, s:I, s:s}", "event", "withdrawn",
			    "id", (json_int_t)r->id, "why", r->why);
		else
			j = json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:s, "
			    "s:I, s:O}", "event", "request",
			    "id", (json_int_t)r->id, "tool", r->tool,
			    "client", r->caller.client,
			    "pid", (json_int_t)r->caller.pid,
			    "uid", (json_int_t)r->caller.uid,
			    "exe", r->caller.exe,
			    "conn", (json_int_t)r->caller.conn,
			    "arguments", r->args);
		text = json_dumps(j, JSON_COMPACT);
		ta_send(ta, text);
		free(text);
		json_decref(j);
		approval_req_free(r);
	}
}

/* Applies the control client's complete lines. */
static void
ta_lines(struct testd_approve *ta)
{
	unsigned long long id;
	char *nl, verb;

	while ((nl = memchr(ta->in, '\n', ta->nin)) != NULL) {
		*nl = '\0';
		if (sscanf(ta->in, "%c %llu", &verb, &id) == 2 &&
		    (verb == 'y' || verb == 'n' || verb == 'a'))
			approval_decide(ta->ap, id, verb == 'y' ?
			    APPROVAL_ONCE : verb == 'a' ?
			    APPROVAL_CALLER_TOOL : APPROVAL_DENY);
		else
			log_warn("testd: bad control line \"%s\"", ta->in);
		ta->nin -= (size_t)(nl + 1 - ta->in);
		memmove(ta->in, nl + 1, ta->nin);
	}
}

/* The decider thread. */
static void *
ta_main(void *arg)
{
	struct testd_approve *ta = arg;
	struct pollfd pfd[4];
	ssize_t n;
	int fd;

	log_set_thread("operator");
	for (;;) {
		pfd[0].fd = ta->stop_fd;
		pfd[1].fd = approval_decider_fd(ta->ap);
		pfd[2].fd = ta->listen_fd;
		pfd[3].fd = ta->client_fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[3].events = POLLIN;
		if (poll(pfd, 4, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("testd: poll");
		}
		if (pfd[0].revents != 0)
			break;
		if (pfd[1].revents != 0)
			ta_events(ta);
		if ((pfd[2].revents & POLLIN) && ta->client_fd == -1 &&
		    (fd = accept4(ta->listen_fd, NULL, NULL,
		    SOCK_CLOEXEC)) != -1) {
			ta->client_fd = fd;
			ta_send(ta, "{\"event\":\"hello\"}");
		}
		if (ta->client_fd != -1 && pfd[3].revents != 0) {
			n = read(ta->client_fd, ta->in + ta->nin,
			    sizeof ta->in - ta->nin - 1);
			if (n <= 0) {
				close(ta->client_fd);
				ta->client_fd = -1;
				ta->nin = 0;
			} else {
				ta->nin += (size_t)n;
				ta_lines(ta);
				if (ta->nin == sizeof ta->in - 1)
					ta->nin = 0;
			}
		}
	}
	return (NULL);
}

/* Starts the stand-in operator on a control socket; NULL and *cause. */
struct testd_approve *
testd_approve_start(const char *path, struct approval *ap, char **cause)
{
	struct testd_approve *ta = xcalloc(1, sizeof *ta);

	ta->ap = ap;
	ta->client_fd = -1;
	if ((ta->listen_fd = sockpath_listen(path, cause)) == -1) {
		free(ta);
		return (NULL);
	}
	ta->path = xstrdup(path);
	if ((ta->stop_fd = eventfd(0, EFD_CLOEXEC)) == -1)
		fatal("testd: eventfd");
	approval_attach(ap, true);
	if (pthread_create(&ta->thread, NULL, ta_main, ta) != 0)
		fatalx("testd: pthread_create");
	return (ta);
}

/* Stops the stand-in operator: held calls are then refused. */
void
testd_approve_stop(struct testd_approve *ta)
{
	uint64_t one = 1;

	if (ta == NULL)
		return;
	approval_attach(ta->ap, false);
	if (write(ta->stop_fd, &one, sizeof one) == -1)
		fatal("testd: eventfd write");
	pthread_join(ta->thread, NULL);
	if (ta->client_fd != -1)
		close(ta->client_fd);
	close(ta->listen_fd);
	close(ta->stop_fd);
	unlink(ta->path);
	free(ta->path);
	free(ta->pending);
	free(ta);
}
