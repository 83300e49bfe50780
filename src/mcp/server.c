/*
 * The MCP server thread: the listening socket, every client connection,
 * and the completion queue of the calls it submitted.
 *
 * DESIGN: one thread owns every fd here and polls them all in one loop
 * with no timer (the only timeout is the 1 s pause of accepting after
 * EMFILE/ENFILE): the wakeup eventfd (stop), the completion queue's fd,
 * the listening fd and the clients. Clients are non-blocking. Each pass
 * handles completions, accepts, reads and dispatches whole lines, then
 * writes whatever each client has pending in one send(2), so a burst of
 * replies costs one system call per client. A client whose unsent output
 * passes out_high is not read until it drains to half of that; past
 * out_hard it is dropped: a client that stops reading never blocks the
 * loop or another client. A client that shuts down its writing side
 * keeps its connection until its replies are written. On disconnect its
 * calls are cancelled and their completions freed without reply.
 *
 * Callers: main (start/stop). Wakeups: the eventfd written by stop, the
 * completion queue written by workers.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/policy.h"
#include "core/xmalloc.h"
#include "mcp/http.h"
#include "mcp/attach.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/server.h"

#define READS_PER_PASS 4	/* reads of up to 64 KiB per client per pass */
#define ACCEPTS_PER_PASS 16
#define OUT_KEEP 65536		/* output buffers above this are freed idle */

struct client {
	struct mcp_server *srv;
	int fd;
	int pidx;		/* index in the poll array, -1: none */
	struct proto_session *sess;
	struct jr_lines in;
	struct jr_buf out;
	size_t out_off;		/* bytes of out already written */
	pid_t pid;
	bool racktop;		/* the peer runs racktop's executable */
	bool eof;		/* the peer will send nothing more */
	bool closing;		/* close once the output is written */
	bool dead;		/* drop at the end of the pass */
	bool paused;		/* not read: too much output waiting */
};

struct mcp_server {
	pthread_t thread;
	int listen_fd;
	char *path;
	int wake_fd;
	atomic_bool stop;
	struct registry *reg;
	struct mcp_limits lim;
	struct proto_ctx *ctx;
	struct client **clients;
	int nclients;
	struct pollfd *pfds;
	int64_t accept_resume;	/* mono ms when accepting resumes; 0: now */
	int64_t last_active;	/* mono ms of the last message or reply */
	bool untrimmed;		/* active since the last malloc_trim */
	uid_t uid;
};

/* Fills the defaults. */
void
mcp_limits_default(struct mcp_limits *l)
{
	l->max_message = JR_MAX_MESSAGE_DEFAULT;
	l->max_clients = 64;
	l->max_inflight = 32;
	l->rate_per_s = 50000;
	l->out_high = (size_t)1024 * 1024;
	l->out_hard = (size_t)16 * 1024 * 1024;
	l->page_size = 100;
	l->approval = NULL;
	l->extra = NULL;
	l->http = NULL;
	l->attach = NULL;
}

/* readlink(2) into a string; "" when it cannot be read. */
static void
read_link(const char *path, char *buf, size_t len)
{
	ssize_t n;

	n = readlink(path, buf, len - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
}

/* The executable of pid (self when 0); "" when unreadable. */
static void
exe_of(pid_t pid, char *buf, size_t len)
{
	char path[64];

	if (pid == 0)
		snprintf(path, sizeof path, "/proc/self/exe");
	else
		snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	read_link(path, buf, len);
}

/* The parent of pid from /proc/PID/stat, or 0. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;
	char state;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parens. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return (0);
	return ((pid_t)ppid);
}

/* Whether two paths name the same file. */
static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (*a == '\0' || *b == '\0')
		return (false);
	if (strcmp(a, b) == 0)
		return (true);
	return (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* Who a peer is; true when it runs racktop (then: its parent). */
bool
mcp_identify(pid_t pid, uid_t uid, struct rt_caller *cl)
{
	char exe[PATH_MAX], self[PATH_MAX];
	bool racktop;
	pid_t ppid;

	cl->uid = uid;
	cl->pid = pid;
	exe_of(pid, exe, sizeof exe);
	exe_of(0, self, sizeof self);
	racktop = pid > 0 && same_file(exe, self);
	if (racktop && (ppid = parent_of(pid)) > 0) {
		cl->pid = ppid;
		exe_of(ppid, exe, sizeof exe);
	}
	if (strlen(exe) >= sizeof cl->exe)
		exe[sizeof cl->exe - 1] = '\0';
	memcpy(cl->exe, exe, strlen(exe) + 1);
	return (racktop);
}

/* Queues output for a client (the session's transport). */
static void
client_send(void *arg, const char *data, size_t len)
{
	struct client *c = arg;
	struct mcp_server *srv = c->srv;
	size_t waiting = c->out.len - c->out_off;

	if (c->dead)
		return;
	if (waiting + len > srv->lim.out_hard) {
		log_warn("mcp: client pid %d does not read its replies "
		    "(%zu bytes waiting); dropping it", (int)c->pid,
		    waiting + len);
		c->dead = true;
		return;
	}
	jr_buf_append(&c->out, data, len);
	if (waiting + len > srv->lim.out_high)
		c->paused = true;
}

/* Writes as much pending output as the socket takes. */
static void
client_write(struct client *c)
{
	size_t left;
	ssize_t n;

	while ((left = c->out.len - c->out_off) > 0) {
		n = send(c->fd, c->out.data + c->out_off, left,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			if ((size_t)n < left)
				break;	/* the socket buffer is full */
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		c->dead = true;
		return;
	}
	if (c->out_off == c->out.len) {
		c->out_off = 0;
		jr_buf_reset(&c->out, OUT_KEEP);
	} else if (c->out_off > OUT_KEEP && c->out_off > c->out.len / 2) {
		jr_buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
}

/* Dispatches the complete lines waiting in a client's input. */
static void
client_process(struct client *c)
{
	enum jr_line st;
	const char *line;
	size_t len;

	while (!c->dead && !c->closing && !c->paused) {
		st = jr_lines_next(&c->in, &line, &len);
		if (st == JR_LINE_NONE)
			break;
		if (st == JR_LINE_TOOBIG) {
			log_warn("mcp: client pid %d sent a message over %zu "
			    "bytes; closing", (int)c->pid, c->in.max);
			proto_session_toobig(c->sess, c->in.max);
			c->closing = true;
			break;
		}
		if (c->srv->lim.attach != NULL && attach_input(
		    c->srv->lim.attach, c->sess, &(struct proto_transport){
		    client_send, c }, c->racktop, line, len))
			continue;
		if (proto_session_input(c->sess, line, len) != 0)
			c->closing = true;
	}
}

/* Reads what a client sent and handles its lines. */
static void
client_read(struct client *c)
{
	size_t avail;
	ssize_t n;
	char *p;
	int i;

	for (i = 0; i < READS_PER_PASS && !c->paused; i++) {
		p = jr_lines_space(&c->in, &avail);
		n = read(c->fd, p, avail);
		if (n > 0) {
			jr_lines_commit(&c->in, (size_t)n);
			client_process(c);
			if (c->dead || c->closing)
				return;
			if ((size_t)n < avail)
				break;	/* drained: save a read */
			continue;
		}
		if (n == 0) {
			c->eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			c->dead = true;
		break;
	}
	jr_lines_trim(&c->in);
}

/* Closes a client; its calls are cancelled. */
static void
client_free(struct client *c)
{
	if (c->srv->lim.attach != NULL)
		attach_gone(c->srv->lim.attach, c->sess);
	proto_session_free(c->sess);
	close(c->fd);
	jr_lines_free(&c->in);
	jr_buf_free(&c->out);
	free(c);
}

/* Accepts, checks and sets up one connection. */
static void
accept_one(struct mcp_server *srv, int fd)
{
	static const char busy[] = "{\"jsonrpc\":\"2.0\",\"id\":null,"
	    "\"error\":{\"code\":-32012,\"message\":\"Too many clients; "
	    "try again later\"}}\n";
	struct proto_transport tr;
	struct rt_caller caller;
	struct ucred cred;
	socklen_t len = sizeof cred;
	struct client *c;
	unsigned flags = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("mcp: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	/* Other uids (through a group on the socket) only when named. */
	if (cred.uid != srv->uid &&
	    !policy_admits(call_policy.policy, cred.uid)) {
		log_warn("mcp: refused uid %u (pid %d): only uid %u and the "
		    "uids named in roles may connect", (unsigned)cred.uid,
		    (int)cred.pid, (unsigned)srv->uid);
		close(fd);
		return;
	}
	if (srv->nclients >= srv->lim.max_clients) {
		log_warn("mcp: refused pid %d: %d clients already",
		    (int)cred.pid, srv->nclients);
		if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT) == -1)
			log_debug("mcp: busy reply: %s", strerror(errno));
		close(fd);
		return;
	}
	memset(&caller, 0, sizeof caller);
	if (mcp_identify(cred.pid, cred.uid, &caller))
		flags |= PROTO_PEER_RACKTOP;

	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->fd = fd;
	c->pidx = -1;
	c->pid = cred.pid;
	c->racktop = (flags & PROTO_PEER_RACKTOP) != 0;
	jr_lines_init(&c->in, srv->lim.max_message);
	jr_buf_init(&c->out);
	tr.send = client_send;
	tr.arg = c;
	c->sess = proto_session_new(srv->ctx, &caller, flags, &tr);
	srv->clients[srv->nclients++] = c;
	log_debug("mcp: client pid %d exe %s%s", (int)cred.pid, caller.exe,
	    (flags & PROTO_PEER_RACKTOP) ? " (via racktop)" : "");
}

/* Accepts waiting connections. */
static void
do_accept(struct mcp_server *srv)
{
	int i, fd;

	for (i = 0; i < ACCEPTS_PER_PASS; i++) {
		fd = accept4(srv->listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EINTR:
			case ECONNABORTED:
				continue;
			case EAGAIN:
#if EAGAIN != EWOULDBLOCK
			case EWOULDBLOCK:
#endif
				return;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				log_warn("mcp: accept: %s; pausing 1 s",
				    strerror(errno));
				srv->accept_resume = clock_mono_ms() + 1000;
				return;
			default:
				log_warn("mcp: accept: %s", strerror(errno));
				return;
			}
		}
		accept_one(srv, fd);
	}
}

/* Ends a pass for one client: write, pause or resume, maybe close. */
static bool
client_settle(struct client *c)
{
	size_t waiting;

	if (!c->dead && c->out.len > c->out_off)
		client_write(c);
	if (c->dead)
		return (false);
	waiting = c->out.len - c->out_off;
	if (c->paused && waiting < c->srv->lim.out_high / 2) {
		c->paused = false;
		client_process(c);	/* lines read before the pause */
		if (c->out.len > c->out_off)
			client_write(c);
		if (c->dead)
			return (false);
		waiting = c->out.len - c->out_off;
	}
	if (waiting > 0)
		return (true);
	if (c->closing)
		return (false);
	if (c->eof && proto_session_inflight(c->sess) == 0)
		return (false);
	return (true);
}

/* The server thread's loop. */
/*
 * How long the MCP thread keeps polling without sleeping while calls are
 * in flight: a worker's answer then costs no wakeup and no context switch.
 */
#define MCP_SPIN_NS 30000
#define MCP_TRIM_IDLE_MS 200	/* quiet time before memory goes back */

/*
 * After a burst every connection keeps the buffers it grew (up to 64 KiB
 * each way, so a busy reader does not reallocate); once the socket is
 * quiet, idle connections give them back before the heap is trimmed.
 */
static void
shrink_idle(struct mcp_server *srv)
{
	struct client *c;
	int i;

	for (i = 0; i < srv->nclients; i++) {
		c = srv->clients[i];
		if (c->out_off == c->out.len) {
			c->out_off = 0;
			jr_buf_reset(&c->out, 0);
		}
		if (jr_lines_pending(&c->in) == 0)
			jr_lines_free(&c->in);
	}
}

/* poll(), spinning briefly first when calls are in flight. */
static int
server_poll(struct mcp_server *srv, int n, int timeout)
{
	struct timespec t0, t;
	int r;

	if (proto_ctx_outstanding(srv->ctx) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			if ((r = poll(srv->pfds, (nfds_t)n, 0)) != 0)
				return (r);
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			    (t.tv_nsec - t0.tv_nsec) > MCP_SPIN_NS)
				break;
			sched_yield();
		}
	}
	return (poll(srv->pfds, (nfds_t)n, timeout));
}

static void *
server_main(void *arg)
{
	struct mcp_server *srv = arg;
	struct client *c;
	int i, n, listen_idx, attach_idx, timeout, nold, ms, http_idx = 0,
	    nhttp = 0;
	int64_t now;
	short rev;
	uint64_t v;

	log_set_thread("mcp");
	if (srv->lim.http != NULL)
		mcp_http_begin(srv->lim.http, srv->ctx);
	for (;;) {
		n = 0;
		srv->pfds[n].fd = srv->wake_fd;
		srv->pfds[n++].events = POLLIN;
		srv->pfds[n].fd = proto_ctx_fd(srv->ctx);
		srv->pfds[n++].events = POLLIN;
		/* Held calls: the operator's decisions and their deadlines. */
		srv->pfds[n].fd = proto_ctx_approval_fd(srv->ctx);
		srv->pfds[n++].events = POLLIN;
		timeout = proto_ctx_approval_ms(srv->ctx);
		/* Attached dashboards: held calls to forward, snapshots. */
		attach_idx = -1;
		if (srv->lim.attach != NULL) {
			if ((ms = attach_next_ms(srv->lim.attach)) >= 0 &&
			    (timeout < 0 || ms < timeout))
				timeout = ms;
			if (attach_fd(srv->lim.attach) != -1) {
				attach_idx = n;
				srv->pfds[n].fd = attach_fd(srv->lim.attach);
				srv->pfds[n++].events = POLLIN;
			}
		}
		listen_idx = -1;
		if (srv->accept_resume != 0) {
			now = clock_mono_ms();
			if (now >= srv->accept_resume)
				srv->accept_resume = 0;
			else if (timeout < 0 ||
			    srv->accept_resume - now < timeout)
				timeout = (int)(srv->accept_resume - now);
		}
		if (srv->accept_resume == 0) {
			listen_idx = n;
			srv->pfds[n].fd = srv->listen_fd;
			srv->pfds[n++].events = POLLIN;
		}
		/* MCP over HTTP: its listeners and deadlines (http.h). */
		if (srv->lim.http != NULL) {
			http_idx = n;
			nhttp = mcp_http_fds(srv->lim.http, srv->pfds + n);
			n += nhttp;
			i = mcp_http_wait(srv->lim.http);
			if (i >= 0 && (timeout < 0 || i < timeout))
				timeout = i;
		}
		for (i = 0; i < srv->nclients; i++) {
			c = srv->clients[i];
			c->pidx = n;
			srv->pfds[n].fd = c->fd;
			srv->pfds[n].events = 0;
			if (!c->eof && !c->paused && !c->closing)
				srv->pfds[n].events |= POLLIN;
			if (c->out.len > c->out_off)
				srv->pfds[n].events |= POLLOUT;
			n++;
		}
		/*
		 * A burst of calls leaves freed memory in the arenas; give it
		 * back once the socket has been quiet for a while, so an idle
		 * racktop stays small.
		 */
		if (srv->untrimmed) {
			now = clock_mono_ms();
			if (now - srv->last_active >= MCP_TRIM_IDLE_MS) {
				shrink_idle(srv);
				malloc_trim(0);
				srv->untrimmed = false;
			} else if (timeout < 0 || srv->last_active +
			    MCP_TRIM_IDLE_MS - now < timeout)
				timeout = (int)(srv->last_active +
				    MCP_TRIM_IDLE_MS - now);
		}
		for (i = 0; i < n; i++)
			srv->pfds[i].revents = 0;
		if (server_poll(srv, n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("mcp: poll");
		}
		if (srv->pfds[0].revents != 0) {
			if (read(srv->wake_fd, &v, sizeof v) == -1 &&
			    errno != EAGAIN)
				fatal("mcp: eventfd read");
			if (atomic_load(&srv->stop))
				break;
		}
		if (srv->pfds[1].revents != 0) {
			proto_ctx_complete(srv->ctx);
			srv->last_active = clock_mono_ms();
			srv->untrimmed = true;
		}
		if (srv->pfds[2].revents != 0 ||
		    proto_ctx_approval_ms(srv->ctx) == 0)
			proto_ctx_approvals(srv->ctx);
		if (srv->lim.attach != NULL)
			attach_run(srv->lim.attach, attach_idx >= 0 &&
			    srv->pfds[attach_idx].revents != 0);

		nold = srv->nclients;
		for (i = 0; i < nold; i++) {
			c = srv->clients[i];
			rev = srv->pfds[c->pidx].revents;
			if (rev & POLLERR)
				c->dead = true;
			else if (rev & (POLLIN | POLLHUP)) {
				if (!c->eof && !c->closing)
					client_read(c);
				/* Both directions gone: nobody to answer. */
				if (rev & POLLHUP)
					c->dead = true;
			}
		}
		if (listen_idx >= 0 && srv->pfds[listen_idx].revents != 0)
			do_accept(srv);
		if (srv->lim.http != NULL) {
			for (i = 0; i < nhttp; i++)
				if (srv->pfds[http_idx + i].revents != 0)
					break;
			if (i < nhttp)
				srv->last_active = clock_mono_ms();
			mcp_http_work(srv->lim.http);
		}

		/* Write everything pending; drop who is done or gone. */
		for (i = 0; i < srv->nclients; i++) {
			c = srv->clients[i];
			if (client_settle(c))
				continue;
			client_free(c);
			srv->clients[i--] = srv->clients[--srv->nclients];
		}
	}

	/* Subscriptions end gracefully, as far as the sockets take it. */
	for (i = 0; i < srv->nclients; i++) {
		c = srv->clients[i];
		proto_session_shutdown(c->sess);
		if (!c->dead)
			client_write(c);
	}
	for (i = 0; i < srv->nclients; i++)
		client_free(srv->clients[i]);
	srv->nclients = 0;
	if (srv->lim.http != NULL)
		mcp_http_end(srv->lim.http);
	return (NULL);
}

/* Starts the server thread. */
struct mcp_server *
mcp_server_start(int listen_fd, const char *path, struct registry *reg,
    struct job_pool *pool, const struct mcp_limits *limits, char **cause)
{
	struct mcp_server *srv = xcalloc(1, sizeof *srv);
	struct proto_config pc;
	sigset_t all, old;
	int rv;

	srv->listen_fd = listen_fd;
	srv->path = path != NULL ? xstrdup(path) : NULL;
	srv->reg = reg;
	if (limits != NULL)
		srv->lim = *limits;
	else
		mcp_limits_default(&srv->lim);
	if (srv->lim.max_message == 0)
		srv->lim.max_message = JR_MAX_MESSAGE_DEFAULT;
	if (srv->lim.max_clients < 1)
		srv->lim.max_clients = 1;
	if (srv->lim.out_high == 0)
		srv->lim.out_high = (size_t)1024 * 1024;
	if (srv->lim.out_hard < srv->lim.out_high)
		srv->lim.out_hard = srv->lim.out_high * 16;
	srv->uid = getuid();
	atomic_init(&srv->stop, false);
	if ((srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		free(srv->path);
		free(srv);
		return (NULL);
	}
	memset(&pc, 0, sizeof pc);
	pc.tools_page = srv->lim.page_size;
	pc.max_inflight = srv->lim.max_inflight;
	pc.rate_per_s = srv->lim.rate_per_s;
	pc.approval = srv->lim.approval;
	srv->ctx = proto_ctx_create(reg, pool, &pc);
	proto_ctx_set_extra(srv->ctx, srv->lim.extra);
	srv->clients = xcalloc((size_t)srv->lim.max_clients,
	    sizeof *srv->clients);
	/* wake, completions, approvals, listener, attach, 2 HTTP, clients */
	srv->pfds = xcalloc((size_t)srv->lim.max_clients + 7,
	    sizeof *srv->pfds);

	/* The thread takes no signals: they belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rv = pthread_create(&srv->thread, NULL, server_main, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(rv));
		proto_ctx_destroy(srv->ctx);
		close(srv->wake_fd);
		free(srv->clients);
		free(srv->pfds);
		free(srv->path);
		free(srv);
		return (NULL);
	}
	return (srv);
}

/* Stops the thread, cancels and collects every call, removes the socket. */
void
mcp_server_stop(struct mcp_server *srv)
{
	uint64_t one = 1;

	if (srv == NULL)
		return;
	atomic_store(&srv->stop, true);
	if (write(srv->wake_fd, &one, sizeof one) == -1)
		fatal("mcp: eventfd write");
	pthread_join(srv->thread, NULL);
	/* Every call comes back before the queue goes away. */
	proto_ctx_destroy(srv->ctx);
	close(srv->listen_fd);
	if (srv->path != NULL && unlink(srv->path) == -1 && errno != ENOENT)
		log_warn("mcp: unlink %s: %s", srv->path, strerror(errno));
	close(srv->wake_fd);
	free(srv->clients);
	free(srv->pfds);
	free(srv->path);
	free(srv);
}
