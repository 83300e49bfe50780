/*
 * The attached dashboard's link to a running racktop (remote.h).
 *
 * DESIGN: one thread owns the connection and polls three fds: the socket,
 * an eventfd the dashboard writes when it submits a call, and the relay
 * broker's answer fd. It alone builds the mirror trees. A mirror tree is
 * published into the instance's slot and also kept here to apply the next
 * change to; unchanged members and rows are shared between successive
 * trees by reference. That is safe only because jansson counts references
 * atomically (JSON_HAVE_ATOMIC_BUILTINS or _SYNC_BUILTINS): the dashboard
 * may drop the last reference to an old tree while this thread takes one
 * to a row of it. Without atomic counts every shared value is deep-copied
 * instead (SHARE below), and the tree published is a copy of the one
 * kept.
 *
 * A call from the dashboard (remote_submit) is the link's until its reply
 * comes back: it is then finished as a worker would finish it (result or
 * error, outcome JOB_DONE) and pushed on its done queue. Calls still out
 * when the link stops come back cancelled.
 *
 * When the remote racktop goes away the link says why (remote_stop) and
 * sends SIGTERM to its own process, the dashboard's usual way out.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/remote.h"
#include "mcp/sockpath.h"

#if JSON_HAVE_ATOMIC_BUILTINS || JSON_HAVE_SYNC_BUILTINS
#define SHARE(v) json_incref(v)
#else
#define SHARE(v) json_deep_copy(v)
#endif

#define HANDSHAKE_MS 10000
#define FIRST_CALL_ID 100

/* One remote instance and its local mirror. */
struct mirror {
	struct rt_instance *in;	/* the local instance, or NULL */
	json_t *cur;		/* the tree last published, kept to diff */
};

/* A call out on the socket. */
struct out_call {
	json_int_t id;
	struct rt_call *call;
	struct job_queue *done;
	struct out_call *next;
};

struct remote {
	char *path;
	int fd;
	struct registry *reg;
	struct approval *relay;
	bool approver;
	pid_t pid;
	int unmatched;
	struct mirror *m;
	size_t nm;

	remote_activity_fn *activity;

	pthread_t thread;
	bool running;
	int wake_fd;
	atomic_bool stop;
	char *lost;		/* why the link ended by itself */

	/* Submitted by the dashboard, not yet sent. */
	pthread_mutex_t lock;
	struct out_call *queued;

	/* The thread's. */
	struct out_call *out;
	json_int_t next_id;
	struct jr_lines in;
	struct jr_buf wbuf;
	size_t woff;
};

/* Writes everything in b, blocking (the handshake and --stop). */
static int
send_all(int fd, struct jr_buf *b, char **cause)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		n = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { fd, POLLOUT, 0 };

			(void)poll(&p, 1, 1000);
			continue;
		}
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

/* Reads until the reply to id; other lines are left queued in in. */
static json_t *
wait_reply(int fd, struct jr_lines *in, json_int_t id, int64_t deadline,
    char **cause)
{
	struct pollfd pfd;
	struct jr_msg m;
	const char *line;
	size_t len, avail;
	int64_t left;
	ssize_t n;
	char *p;
	json_t *r;

	for (;;) {
		/* Only the handshake's replies come before the link runs. */
		while (jr_lines_next(in, &line, &len) == JR_LINE_OK) {
			jr_parse(line, len, &m);
			if (m.kind == JR_RESPONSE && json_is_integer(m.id) &&
			    json_integer_value(m.id) == id) {
				r = json_incref(m.root);
				jr_msg_clear(&m);
				return (r);
			}
			jr_msg_clear(&m);
		}
		if ((left = deadline - clock_mono_ms()) <= 0) {
			xasprintf(cause, "no reply from racktop");
			return (NULL);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		p = jr_lines_space(in, &avail);
		n = read(fd, p, avail);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			xasprintf(cause, "racktop closed the connection");
			return (NULL);
		}
		jr_lines_commit(in, (size_t)n);
	}
}

/* Appends a request with an integer id; params borrowed (NULL: {}). */
static void
put_request(struct jr_buf *b, json_int_t id, const char *method,
    const json_t *params)
{
	char head[160];
	int n;

	n = snprintf(head, sizeof head, "{\"jsonrpc\":\"2.0\",\"id\":%lld,"
	    "\"method\":\"%s\",\"params\":", (long long)id, method);
	jr_buf_append(b, head, (size_t)n);
	if (params != NULL)
		jr_put_json(b, params);
	else
		jr_buf_append(b, "{}", 2);
	jr_buf_append(b, "}\n", 2);
}

/* The error of a reply as a cause. */
static void
reply_cause(json_t *reply, const char *what, char **cause)
{
	const char *msg = json_string_value(json_object_get(json_object_get(
	    reply, "error"), "message"));

	xasprintf(cause, "%s: %s", what, msg != NULL ? msg : "refused");
}

/* Connects and initializes as the dashboard; the fd, or -1. */
static int
handshake(const char *path, struct jr_lines *in, int64_t deadline,
    char **cause)
{
	struct jr_buf b;
	json_t *req, *reply;
	int fd;

	if ((fd = sockpath_connect(path, cause)) == -1)
		return (-1);
	jr_buf_init(&b);
	req = json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion",
	    PROTO_NEWEST, "capabilities", "clientInfo", "name",
	    PROTO_DASHBOARD_NAME, "version", PACKAGE_VERSION);
	put_request(&b, 1, "initialize", req);
	json_decref(req);
	jr_notification(&b, "notifications/initialized", NULL);
	if (send_all(fd, &b, cause) != 0 ||
	    (reply = wait_reply(fd, in, 1, deadline, cause)) == NULL) {
		jr_buf_free(&b);
		close(fd);
		return (-1);
	}
	jr_buf_free(&b);
	if (json_object_get(reply, "result") == NULL) {
		reply_cause(reply, "initialize", cause);
		json_decref(reply);
		close(fd);
		return (-1);
	}
	json_decref(reply);
	return (fd);
}

/* Connects, initializes, attaches. */
struct remote *
remote_connect(const char *path, struct registry *reg,
    struct approval *relay, char **cause)
{
	struct remote *r = xcalloc(1, sizeof *r);
	struct jr_buf b;
	json_t *reply, *res, *list, *e;
	const char *svc, *name;
	size_t i, j, n;
	int64_t deadline = clock_mono_ms() + HANDSHAKE_MS;

	jr_lines_init(&r->in, (size_t)256 * 1024 * 1024);
	if ((r->fd = handshake(path, &r->in, deadline, cause)) == -1) {
		jr_lines_free(&r->in);
		free(r);
		return (NULL);
	}
	jr_buf_init(&b);
	put_request(&b, 2, "racktop/attach", NULL);
	if (send_all(r->fd, &b, cause) != 0 ||
	    (reply = wait_reply(r->fd, &r->in, 2, deadline, cause)) == NULL) {
		jr_buf_free(&b);
		goto fail;
	}
	jr_buf_free(&b);
	if ((res = json_object_get(reply, "result")) == NULL) {
		reply_cause(reply, "attach", cause);
		json_decref(reply);
		goto fail;
	}
	r->path = xstrdup(path);
	r->reg = reg;
	r->relay = relay;
	r->approver = json_is_true(json_object_get(res, "approver"));
	r->pid = (pid_t)json_integer_value(json_object_get(res, "pid"));
	list = json_object_get(res, "instances");
	r->nm = json_array_size(list);
	r->m = xcalloc(r->nm + 1, sizeof *r->m);
	n = registry_ninstances(reg);
	json_array_foreach(list, i, e) {
		svc = json_string_value(json_object_get(e, "service"));
		name = json_string_value(json_object_get(e, "name"));
		for (j = 0; j < n && svc != NULL && name != NULL; j++) {
			struct rt_instance *in = registry_instance_at(reg, j);

			if (strcmp(in->service->name, svc) == 0 &&
			    strcmp(in->name, name) == 0) {
				r->m[i].in = in;
				break;
			}
		}
		if (r->m[i].in == NULL)
			r->unmatched++;
	}
	json_decref(reply);
	r->next_id = FIRST_CALL_ID;
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->wake_fd == -1)
		fatal("remote: eventfd");
	atomic_init(&r->stop, false);
	pthread_mutex_init(&r->lock, NULL);
	jr_buf_init(&r->wbuf);
	return (r);
fail:
	close(r->fd);
	jr_lines_free(&r->in);
	free(r);
	return (NULL);
}

/* Finishes a call as a worker would and hands it back. */
static void
call_back(struct out_call *o, json_t *result, const char *error,
    enum job_outcome outcome)
{
	struct rt_call *c = o->call;
	const json_t *sc;

	c->job.outcome = outcome;
	c->duration_ms = clock_mono_ms() - c->started_mono;
	if (outcome == JOB_DONE) {
		if (error != NULL)
			c->error = xstrdup(error);
		else if (json_is_true(json_object_get(result, "isError"))) {
			error = json_string_value(json_object_get(
			    json_array_get(json_object_get(result, "content"),
			    0), "text"));
			c->error = xstrdup(error != NULL ? error : "failed");
		} else if ((sc = json_object_get(result,
		    "structuredContent")) != NULL)
			c->result = json_deep_copy(sc);
		else
			c->result = json_object();
		c->done = true;
	}
	job_queue_push(o->done, &c->job);
	free(o);
}

/* A reply: to a call of the dashboard's, or to an answer. */
static void
on_reply(struct remote *r, struct jr_msg *m)
{
	struct out_call *o, **op;
	const char *msg;

	for (op = &r->out; (o = *op) != NULL; op = &o->next) {
		if (json_is_integer(m->id) && o->id == json_integer_value(m->id))
			break;
	}
	if (o == NULL) {
		/* An answer's reply: refused when another came first. */
		if ((msg = json_string_value(json_object_get(json_object_get(
		    m->root, "error"), "message"))) != NULL)
			log_info("remote: %s", msg);
		return;
	}
	*op = o->next;
	msg = json_string_value(json_object_get(json_object_get(m->root,
	    "error"), "message"));
	if (json_object_get(m->root, "error") != NULL)
		call_back(o, NULL, msg != NULL ? msg : "refused by racktop",
		    JOB_DONE);
	else
		call_back(o, json_object_get(m->root, "result"), NULL,
		    JOB_DONE);
}

/* The previous rows run [start, count] appended to arr. */
static void
append_run(json_t *arr, const json_t *old, const json_t *run)
{
	json_int_t s = json_integer_value(json_array_get(run, 0));
	json_int_t n = json_integer_value(json_array_get(run, 1)), k;
	json_t *v;

	for (k = s; k < s + n; k++) {
		if ((v = json_array_get(old, (size_t)k)) != NULL)
			json_array_append_new(arr, SHARE(v));
	}
}

/* racktop/snapshot: the whole tree or a change, into the mirror. */
static void
on_snapshot(struct remote *r, json_t *p)
{
	json_int_t i = json_integer_value(json_object_get(p, "i"));
	struct mirror *mi;
	json_t *set, *rows, *del, *nw, *v, *item, *arr;
	const char *key;
	size_t k;
	bool skip;

	if (i < 0 || (size_t)i >= r->nm || (mi = &r->m[i])->in == NULL)
		return;
	set = json_object_get(p, "set");
	rows = json_object_get(p, "rows");
	del = json_object_get(p, "del");
	if (json_is_true(json_object_get(p, "full"))) {
		v = json_object_get(p, "data");
		nw = json_is_null(v) || v == NULL ? NULL : json_incref(v);
	} else if (set == NULL && rows == NULL) {
		nw = NULL;	/* a new error or age, the same data */
	} else {
		nw = json_object();
		json_object_foreach(mi->cur, key, v) {
			skip = json_object_get(set, key) != NULL ||
			    json_object_get(rows, key) != NULL;
			for (k = 0; k < json_array_size(del) && !skip; k++)
				skip = strcmp(json_string_value(json_array_get(
				    del, k)) != NULL ? json_string_value(
				    json_array_get(del, k)) : "", key) == 0;
			if (!skip)
				json_object_set_new(nw, key, SHARE(v));
		}
		json_object_foreach(set, key, v)
			json_object_set(nw, key, v);
		json_object_foreach(rows, key, v) {
			const json_t *old = json_object_get(mi->cur, key);

			arr = json_array();
			json_array_foreach(v, k, item) {
				if (json_is_array(item))
					append_run(arr, old, item);
				else
					json_array_append(arr, item);
			}
			json_object_set_new(nw, key, arr);
		}
	}
	if (nw != NULL) {
		json_decref(mi->cur);
		mi->cur = nw;
	}
	snapshot_publish_mirror(&mi->in->slot, nw == NULL ? NULL :
#if JSON_HAVE_ATOMIC_BUILTINS || JSON_HAVE_SYNC_BUILTINS
	    json_incref(nw),
#else
	    json_deep_copy(nw),
#endif
	    (int)json_integer_value(json_object_get(p, "kind")),
	    json_string_value(json_object_get(p, "error")),
	    json_integer_value(json_object_get(p, "fetched_ms")),
	    json_integer_value(json_object_get(p, "age_ms")),
	    json_integer_value(json_object_get(p, "attempt_ms")));
}

/* racktop/approval: a held call, or its end, for the local decider. */
static void
on_approval(struct remote *r, json_t *p)
{
	struct approval_req *q;
	json_t *cl = json_object_get(p, "caller");
	const char *s;

	if (r->relay == NULL)
		return;
	q = xcalloc(1, sizeof *q);
	q->id = (uint64_t)json_integer_value(json_object_get(p, "id"));
	if (json_is_true(json_object_get(p, "withdrawn"))) {
		q->withdrawn = true;
		s = json_string_value(json_object_get(p, "why"));
		snprintf(q->why, sizeof q->why, "%s", s != NULL ? s : "");
	} else {
		q->caller.source = (enum rt_source)json_integer_value(
		    json_object_get(cl, "source"));
		q->caller.uid = (uid_t)json_integer_value(json_object_get(cl,
		    "uid"));
		q->caller.pid = (pid_t)json_integer_value(json_object_get(cl,
		    "pid"));
		q->caller.conn = (uint64_t)json_integer_value(json_object_get(
		    cl, "conn"));
		s = json_string_value(json_object_get(cl, "exe"));
		snprintf(q->caller.exe, sizeof q->caller.exe, "%s",
		    s != NULL ? s : "");
		s = json_string_value(json_object_get(cl, "client"));
		snprintf(q->caller.client, sizeof q->caller.client, "%s",
		    s != NULL ? s : "");
		s = json_string_value(json_object_get(p, "tool"));
		snprintf(q->tool, sizeof q->tool, "%s", s != NULL ? s : "");
		/* The decider's own copy: it frees it on its thread. */
		q->args = json_deep_copy(json_object_get(p, "args"));
		if (q->args == NULL)
			q->args = json_object();
		q->deadline_mono = clock_mono_ms() + json_integer_value(
		    json_object_get(p, "left_ms"));
	}
	approval_relay_request(r->relay, q);
}

/* racktop/activity: a call the remote racktop finished. */
static void
on_activity(struct remote *r, json_t *p)
{
	const char *who = json_string_value(json_object_get(p, "who"));
	const char *tool = json_string_value(json_object_get(p, "tool"));
	const char *target = json_string_value(json_object_get(p, "target"));
	const char *result = json_string_value(json_object_get(p, "result"));

	if (r->activity == NULL || who == NULL || tool == NULL)
		return;
	r->activity(who, tool, target != NULL ? target : "",
	    json_is_true(json_object_get(p, "ok")), result != NULL ? result :
	    "", json_integer_value(json_object_get(p, "ms")));
}

/* One line from racktop. */
static void
on_line(struct remote *r, const char *line, size_t len)
{
	struct jr_msg m;

	jr_parse(line, len, &m);
	if (m.kind == JR_RESPONSE)
		on_reply(r, &m);
	else if (m.kind == JR_NOTIFICATION &&
	    strcmp(m.method, "racktop/snapshot") == 0)
		on_snapshot(r, m.params);
	else if (m.kind == JR_NOTIFICATION &&
	    strcmp(m.method, "racktop/approval") == 0)
		on_approval(r, m.params);
	else if (m.kind == JR_NOTIFICATION &&
	    strcmp(m.method, "racktop/activity") == 0)
		on_activity(r, m.params);
	jr_msg_clear(&m);
}

/* Sends the calls the dashboard submitted. */
static void
send_queued(struct remote *r)
{
	struct out_call *o, *next;
	json_t *p;
	uint64_t v;

	if (read(r->wake_fd, &v, sizeof v) == -1 && errno != EAGAIN)
		log_warn("remote: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&r->lock);
	o = r->queued;
	r->queued = NULL;
	pthread_mutex_unlock(&r->lock);
	for (; o != NULL; o = next) {
		next = o->next;
		o->id = r->next_id++;
		p = json_pack("{s:s, s:O}", "name", o->call->rt->tool->name,
		    "arguments", o->call->args);
		put_request(&r->wbuf, o->id, "tools/call", p);
		json_decref(p);
		o->next = r->out;
		r->out = o;
	}
}

/* Sends the local decider's answers. */
static void
send_answers(struct remote *r)
{
	static const char *const names[] = { "", "once", "caller_tool",
	    "deny" };
	struct approval_answer *a, *next;
	json_t *p;

	for (a = approval_relay_answers(r->relay); a != NULL; a = next) {
		next = a->next;
		p = json_pack("{s:I, s:s}", "id", (json_int_t)a->id,
		    "decision", names[a->decision]);
		put_request(&r->wbuf, r->next_id++, "racktop/approve", p);
		json_decref(p);
		free(a);
	}
}

/* The link's thread. */
static void *
remote_main(void *arg)
{
	struct remote *r = arg;
	struct pollfd pfd[3];
	const char *line;
	enum jr_line st;
	size_t len, avail;
	ssize_t n;
	char *p;

	log_set_thread("remote");
	/* Lines that came with the handshake's replies. */
	while ((st = jr_lines_next(&r->in, &line, &len)) == JR_LINE_OK)
		on_line(r, line, len);
	while (!atomic_load(&r->stop)) {
		pfd[0].fd = r->fd;
		pfd[0].events = POLLIN | (r->wbuf.len > r->woff ? POLLOUT : 0);
		pfd[1].fd = r->wake_fd;
		pfd[1].events = POLLIN;
		pfd[2].fd = r->relay != NULL ? approval_owner_fd(r->relay) : -1;
		pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("remote: poll");
		}
		if (pfd[1].revents != 0)
			send_queued(r);
		if (pfd[2].revents != 0)
			send_answers(r);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			p = jr_lines_space(&r->in, &avail);
			n = read(r->fd, p, avail);
			if (n == 0 || (n == -1 && errno != EINTR &&
			    errno != EAGAIN)) {
				xasprintf(&r->lost, "the connection to the "
				    "racktop on %s (pid %d) closed", r->path,
				    (int)r->pid);
				kill(getpid(), SIGTERM);
				break;
			}
			if (n > 0) {
				jr_lines_commit(&r->in, (size_t)n);
				while ((st = jr_lines_next(&r->in, &line,
				    &len)) != JR_LINE_NONE) {
					if (st == JR_LINE_OK)
						on_line(r, line, len);
				}
				jr_lines_trim(&r->in);
			}
		}
		while (r->wbuf.len > r->woff) {
			n = send(r->fd, r->wbuf.data + r->woff, r->wbuf.len -
			    r->woff, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				r->woff += (size_t)n;
				continue;
			}
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		if (r->woff == r->wbuf.len) {
			r->woff = 0;
			jr_buf_reset(&r->wbuf, 65536);
		}
	}
	return (NULL);
}

/* Starts the link's thread. */
int
remote_start(struct remote *r, char **cause)
{
	sigset_t all, old;
	int rv;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rv = pthread_create(&r->thread, NULL, remote_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(rv));
		return (-1);
	}
	r->running = true;
	return (0);
}

/* Queues a call for the link (any thread). */
void
remote_submit(struct remote *r, struct rt_call *c, struct job_queue *done)
{
	struct out_call *o = xcalloc(1, sizeof *o);
	uint64_t one = 1;

	o->call = c;
	o->done = done;
	c->started_mono = clock_mono_ms();
	pthread_mutex_lock(&r->lock);
	o->next = r->queued;
	r->queued = o;
	pthread_mutex_unlock(&r->lock);
	if (write(r->wake_fd, &one, sizeof one) == -1 && errno != EAGAIN)
		fatal("remote: eventfd write");
}

/* Stops the thread; calls still out come back cancelled. */
const char *
remote_stop(struct remote *r)
{
	struct out_call *o;
	uint64_t one = 1;

	if (r->running) {
		atomic_store(&r->stop, true);
		if (write(r->wake_fd, &one, sizeof one) == -1)
			fatal("remote: eventfd write");
		pthread_join(r->thread, NULL);
		r->running = false;
	}
	while ((o = r->out) != NULL || (o = r->queued) != NULL) {
		if (o == r->out)
			r->out = o->next;
		else
			r->queued = o->next;
		call_back(o, NULL, NULL, JOB_CANCELLED);
	}
	return (r->lost);
}

/* Frees the link; remote_stop first. */
void
remote_free(struct remote *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nm; i++)
		json_decref(r->m[i].cur);
	free(r->m);
	close(r->fd);
	close(r->wake_fd);
	pthread_mutex_destroy(&r->lock);
	jr_lines_free(&r->in);
	jr_buf_free(&r->wbuf);
	free(r->lost);
	free(r->path);
	free(r);
}

void
remote_on_activity(struct remote *r, remote_activity_fn *fn)
{
	r->activity = fn;
}

bool
remote_approver(struct remote *r)
{
	return (r->approver);
}

pid_t
remote_pid(struct remote *r)
{
	return (r->pid);
}

int
remote_unmatched(struct remote *r)
{
	return (r->unmatched);
}

/* racktop --stop. */
int
remote_stop_server(const char *path, int timeout_ms, char **cause)
{
	struct jr_lines in;
	struct jr_buf b;
	json_t *reply;
	char *why = NULL;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int fd, rv = -1;

	jr_lines_init(&in, JR_MAX_MESSAGE_DEFAULT);
	jr_buf_init(&b);
	if ((fd = handshake(path, &in, deadline, cause)) == -1)
		goto out;
	put_request(&b, 2, "racktop/stop", NULL);
	if (send_all(fd, &b, cause) != 0 ||
	    (reply = wait_reply(fd, &in, 2, deadline, cause)) == NULL) {
		close(fd);
		goto out;
	}
	if (json_object_get(reply, "result") == NULL) {
		reply_cause(reply, "stop", cause);
		json_decref(reply);
		close(fd);
		goto out;
	}
	json_decref(reply);
	close(fd);
	/* Gone when nothing answers on the socket any more. */
	while (clock_mono_ms() < deadline) {
		if ((fd = sockpath_connect(path, &why)) == -1) {
			free(why);
			rv = 0;
			goto out;
		}
		close(fd);
		{
			struct pollfd none = { -1, 0, 0 };

			(void)poll(&none, 1, 50);
		}
	}
	xasprintf(cause, "racktop on %s was asked to stop but still "
	    "answers", path);
out:
	jr_lines_free(&in);
	jr_buf_free(&b);
	return (rv);
}
