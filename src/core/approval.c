/*
 * Operator approval: held calls, decisions, withdrawal and grants.
 *
 * DESIGN: owner is the thread that holds calls (the MCP thread); the
 * decider is the dashboard's main thread. The held list, the grants and
 * the id counter are the owner's alone and take no lock. Between the two
 * threads there are only two queues, each a mutex-guarded list plus an
 * eventfd: requests and withdrawals to the decider (copies it owns), and
 * decisions (an id and a verdict, nothing else) to the owner. The owner
 * applies a decision only to a call still in its held list; withdrawal
 * removes the call from that list on the owner's thread, so a decision
 * that arrives afterwards finds nothing. The decider's presence is one
 * atomic flag; when it goes, the owner is woken and resolves every held
 * call as "no operator".
 */
#include "config.h"

#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* A call waiting for the operator; the owner's. */
struct approval_hold {
	uint64_t id;
	struct rt_call *call;		/* the owner's, borrowed here */
	const struct approval_ops *ops;
	void *arg;
	int64_t deadline;		/* clock_mono_ms() */
	int64_t next_tick;
	struct approval_hold *prev, *next;
};

/* "This caller, this tool, on this connection": the owner's. */
struct approval_grant {
	uid_t uid;
	pid_t pid;
	char exe[256];
	uint64_t conn;
	char tool[128];
	struct approval_grant *next;
};

/* A decision on its way to the owner. */
struct approval_msg {
	uint64_t id;
	enum approval_decision decision;
	struct approval_msg *next;
};

struct approval {
	int64_t timeout_ms;
	int64_t tick_ms;		/* between waiting ticks */
	atomic_bool attached;
	/* Held calls wait for a decider that is not there yet (attach). */
	atomic_bool keep;

	/* The owner's alone. */
	uint64_t next_id;
	struct approval_hold *head, *tail;	/* oldest first */
	int nheld;
	struct approval_grant *grants;

	/* To the decider. */
	pthread_mutex_t dlock;
	struct approval_req *dhead, **dtail;
	int dfd;

	/* To the owner. */
	pthread_mutex_t olock;
	struct approval_msg *ohead, **otail;
	int ofd;
};

static atomic_uint_fast64_t approval_next_conn;

/* Writes one wakeup to an eventfd. */
static void
approval_wake(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof one) == -1 && errno != EAGAIN)
		fatal("approval: eventfd write");
}

/* Clears an eventfd. */
static void
approval_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof v) == -1 && errno != EAGAIN)
		fatal("approval: eventfd read");
}

/* A new connection id: unique for the life of the process. */
uint64_t
approval_conn_id(void)
{
	return (atomic_fetch_add(&approval_next_conn, 1) + 1);
}

/* Creates a broker. */
struct approval *
approval_create(int64_t timeout_ms)
{
	struct approval *ap = xcalloc(1, sizeof *ap);

	ap->timeout_ms = timeout_ms > 0 ? timeout_ms : 50000;
	/* A few ticks before the deadline, however short it is. */
	ap->tick_ms = ap->timeout_ms / 5;
	if (ap->tick_ms > APPROVAL_TICK_MS)
		ap->tick_ms = APPROVAL_TICK_MS;
	if (ap->tick_ms < 100)
		ap->tick_ms = 100;
	atomic_init(&ap->attached, false);
	atomic_init(&ap->keep, false);
	pthread_mutex_init(&ap->dlock, NULL);
	pthread_mutex_init(&ap->olock, NULL);
	ap->dtail = &ap->dhead;
	ap->otail = &ap->ohead;
	ap->dfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ap->ofd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ap->dfd == -1 || ap->ofd == -1)
		fatal("approval: eventfd");
	return (ap);
}

/* Frees a request event. */
void
approval_req_free(struct approval_req *r)
{
	if (r == NULL)
		return;
	json_decref(r->args);
	free(r);
}

/* Frees the broker; every held call must be gone. */
void
approval_destroy(struct approval *ap)
{
	struct approval_req *r;
	struct approval_msg *m;
	struct approval_grant *g;

	if (ap == NULL)
		return;
	if (ap->nheld != 0)
		fatalx("approval: destroyed with %d calls held", ap->nheld);
	while ((r = ap->dhead) != NULL) {
		ap->dhead = r->next;
		approval_req_free(r);
	}
	while ((m = ap->ohead) != NULL) {
		ap->ohead = m->next;
		free(m);
	}
	while ((g = ap->grants) != NULL) {
		ap->grants = g->next;
		free(g);
	}
	close(ap->dfd);
	close(ap->ofd);
	pthread_mutex_destroy(&ap->dlock);
	pthread_mutex_destroy(&ap->olock);
	free(ap);
}

/* Says whether a decider is there; waking the owner when it leaves. */
void
approval_attach(struct approval *ap, bool on)
{
	atomic_store(&ap->attached, on);
	if (!on)
		approval_wake(ap->ofd);
}

/* Whether a decider is there to ask. */
bool
approval_attached(struct approval *ap)
{
	return (atomic_load(&ap->attached));
}

/* The decider's wakeup fd. */
int
approval_decider_fd(struct approval *ap)
{
	return (ap->dfd);
}

/* The owner's wakeup fd. */
int
approval_owner_fd(struct approval *ap)
{
	return (ap->ofd);
}

/* Queues an event for the decider (owner thread; r is handed over). */
static void
approval_to_decider(struct approval *ap, struct approval_req *r)
{
	r->next = NULL;
	pthread_mutex_lock(&ap->dlock);
	*ap->dtail = r;
	ap->dtail = &r->next;
	pthread_mutex_unlock(&ap->dlock);
	approval_wake(ap->dfd);
}

/* Tells the decider that request id is gone. */
static void
approval_tell_withdrawn(struct approval *ap, uint64_t id, const char *why)
{
	struct approval_req *r = xcalloc(1, sizeof *r);

	r->id = id;
	r->withdrawn = true;
	snprintf(r->why, sizeof r->why, "%s", why);
	approval_to_decider(ap, r);
}

/* Takes every event waiting for the decider, oldest first. */
struct approval_req *
approval_take(struct approval *ap)
{
	struct approval_req *r;

	pthread_mutex_lock(&ap->dlock);
	approval_clear(ap->dfd);
	r = ap->dhead;
	ap->dhead = NULL;
	ap->dtail = &ap->dhead;
	pthread_mutex_unlock(&ap->dlock);
	return (r);
}

/* Queues the decider's answer for the owner. */
void
approval_decide(struct approval *ap, uint64_t id, enum approval_decision d)
{
	struct approval_msg *m = xcalloc(1, sizeof *m);

	m->id = id;
	m->decision = d;
	pthread_mutex_lock(&ap->olock);
	*ap->otail = m;
	ap->otail = &m->next;
	pthread_mutex_unlock(&ap->olock);
	approval_wake(ap->ofd);
}

/* Whether a grant covers this caller and tool. */
static bool
approval_grant_matches(const struct approval_grant *g,
    const struct rt_caller *c, const char *tool)
{
	return (c->conn != 0 && g->conn == c->conn && g->uid == c->uid &&
	    g->pid == c->pid && strcmp(g->exe, c->exe) == 0 &&
	    strcmp(g->tool, tool) == 0);
}

/* Whether an earlier "a" approved this caller on its connection. */
bool
approval_granted(struct approval *ap, const struct rt_caller *c,
    const char *tool)
{
	struct approval_grant *g;

	for (g = ap->grants; g != NULL; g = g->next) {
		if (approval_grant_matches(g, c, tool))
			return (true);
	}
	return (false);
}

/* Records a grant from a held call's identity (never from the decider). */
static void
approval_grant_add(struct approval *ap, const struct rt_call *c)
{
	struct approval_grant *g;

	if (c->caller.conn == 0 ||
	    approval_granted(ap, &c->caller, c->rt->tool->name))
		return;
	g = xcalloc(1, sizeof *g);
	g->uid = c->caller.uid;
	g->pid = c->caller.pid;
	memcpy(g->exe, c->caller.exe, sizeof g->exe);
	g->conn = c->caller.conn;
	snprintf(g->tool, sizeof g->tool, "%s", c->rt->tool->name);
	g->next = ap->grants;
	ap->grants = g;
}

/* Forgets the grants of a closed connection. */
void
approval_conn_closed(struct approval *ap, uint64_t conn)
{
	struct approval_grant *g, **gp = &ap->grants;

	while ((g = *gp) != NULL) {
		if (g->conn == conn) {
			*gp = g->next;
			free(g);
		} else
			gp = &g->next;
	}
}

/* Unlinks a hold from the held list. */
static void
approval_unlink(struct approval *ap, struct approval_hold *h)
{
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		ap->head = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	else
		ap->tail = h->prev;
	h->prev = h->next = NULL;
	ap->nheld--;
}

/*
 * Fails a call that will not run, audits the decision, and hands it back
 * through resolve.
 */
static void
approval_fail(struct rt_call *c, enum approval_end end,
    const struct approval_ops *ops, void *arg, const char *decision,
    const char *message)
{
	call_fail(c, "%s", message);
	c->done = true;
	/* A denial is an outcome a keyed retry gets again; the rest are not. */
	if (end == APPROVAL_DENIED)
		call_remember(c);
	call_decided(c, decision, NULL);
	ops->resolve(c, end, arg);
}

/* Holds a call until the operator decides. */
struct approval_hold *
approval_hold(struct approval *ap, struct rt_call *c,
    const struct approval_ops *ops, void *arg)
{
	struct approval_hold *h;
	struct approval_req *r;
	int64_t now = clock_mono_ms();

	if (!approval_attached(ap) && !atomic_load(&ap->keep)) {
		approval_fail(c, APPROVAL_NO_OPERATOR, ops, arg,
		    "denied: no operator", "not approved: no operator is at "
		    "racktop's dashboard to approve this call");
		return (NULL);
	}
	h = xcalloc(1, sizeof *h);
	h->id = ++ap->next_id;
	h->call = c;
	h->ops = ops;
	h->arg = arg;
	h->deadline = now + ap->timeout_ms;
	h->next_tick = now + ap->tick_ms;
	c->approval_id = h->id;
	if ((h->prev = ap->tail) != NULL)
		ap->tail->next = h;
	else
		ap->head = h;
	ap->tail = h;
	ap->nheld++;
	call_decided(c, "held", NULL);

	/* The decider's own copies: nothing mutable is shared. */
	r = xcalloc(1, sizeof *r);
	r->id = h->id;
	r->caller = c->caller;
	snprintf(r->tool, sizeof r->tool, "%s", c->rt->tool->name);
	r->args = json_deep_copy(c->args);
	r->deadline_mono = h->deadline;
	approval_to_decider(ap, r);
	return (h);
}

/* The request id of a held call. */
uint64_t
approval_hold_id(const struct approval_hold *h)
{
	return (h->id);
}

/* Withdraws a held call; it is returned failed, never to run. */
struct rt_call *
approval_withdraw(struct approval *ap, struct approval_hold *h,
    const char *why)
{
	struct rt_call *c = h->call;
	char decision[96];

	approval_unlink(ap, h);
	approval_tell_withdrawn(ap, h->id, why);
	free(h);
	call_fail(c, "withdrawn before approval: %s", why);
	c->done = true;
	snprintf(decision, sizeof decision, "withdrawn: %s", why);
	call_decided(c, decision, NULL);
	return (c);
}

/* The held call with request id, or NULL. */
static struct approval_hold *
approval_find(struct approval *ap, uint64_t id)
{
	struct approval_hold *h;

	for (h = ap->head; h != NULL; h = h->next) {
		if (h->id == id)
			return (h);
	}
	return (NULL);
}

/* Approves one held call: it leaves the list and goes back to run. */
static void
approval_release(struct approval *ap, struct approval_hold *h,
    const char *decision)
{
	struct rt_call *c = h->call;
	const struct approval_ops *ops = h->ops;
	void *arg = h->arg;

	approval_unlink(ap, h);
	free(h);
	call_decided(c, decision, NULL);
	ops->resolve(c, APPROVAL_APPROVED, arg);
}

/* Ends a held call that will not run (denied, timed out, no operator). */
static void
approval_end(struct approval *ap, struct approval_hold *h,
    enum approval_end end, const char *decision, const char *message,
    bool tell)
{
	struct rt_call *c = h->call;
	const struct approval_ops *ops = h->ops;
	void *arg = h->arg;
	uint64_t id = h->id;

	approval_unlink(ap, h);
	free(h);
	if (tell)
		approval_tell_withdrawn(ap, id, decision);
	approval_fail(c, end, ops, arg, decision, message);
}

/* Applies one decision, if its call is still held. */
static void
approval_apply(struct approval *ap, const struct approval_msg *m)
{
	struct approval_hold *h = approval_find(ap, m->id), *o;
	char msg[160];

	if (h == NULL) {
		/* Withdrawn first (cancelled, gone, timed out): nothing runs. */
		log_info("approval: decision on request %llu dropped: it was "
		    "withdrawn", (unsigned long long)m->id);
		return;
	}
	switch (m->decision) {
	case APPROVAL_ONCE:
		approval_release(ap, h, "approved");
		break;
	case APPROVAL_CALLER_TOOL:
		approval_grant_add(ap, h->call);
		/* Later requests the grant now covers go too, in order. */
		for (;;) {
			for (o = ap->head; o != NULL; o = o->next) {
				if (o != h && approval_granted(ap,
				    &o->call->caller, o->call->rt->tool->name))
					break;
			}
			if (o == NULL)
				break;
			approval_tell_withdrawn(ap, o->id, "approved");
			approval_release(ap, o, "approved: caller grant");
		}
		approval_release(ap, h, "approved for this caller and tool");
		break;
	case APPROVAL_DENY:
		snprintf(msg, sizeof msg, "denied by operator");
		approval_end(ap, h, APPROVAL_DENIED, "denied", msg, false);
		break;
	default:
		fatalx("approval: bad decision %d", (int)m->decision);
	}
}

/* Applies decisions, deadlines and ticks; resolve runs from here. */
void
approval_dispatch(struct approval *ap)
{
	struct approval_msg *m, *next;
	struct approval_hold *h;
	char msg[96];
	int64_t now;
	bool gone;

	pthread_mutex_lock(&ap->olock);
	approval_clear(ap->ofd);
	m = ap->ohead;
	ap->ohead = NULL;
	ap->otail = &ap->ohead;
	pthread_mutex_unlock(&ap->olock);
	for (; m != NULL; m = next) {
		next = m->next;
		approval_apply(ap, m);
		free(m);
	}

	/* Each resolve may change the list: look again from the head. */
	for (;;) {
		now = clock_mono_ms();
		gone = !approval_attached(ap) && !atomic_load(&ap->keep);
		for (h = ap->head; h != NULL; h = h->next) {
			if (h->deadline <= now || gone)
				break;
		}
		if (h == NULL)
			break;
		if (gone)
			approval_end(ap, h, APPROVAL_NO_OPERATOR,
			    "denied: no operator", "not approved: the "
			    "operator's dashboard closed", false);
		else {
			snprintf(msg, sizeof msg, "not approved: timed out "
			    "after %lld s", (long long)(ap->timeout_ms / 1000));
			approval_end(ap, h, APPROVAL_TIMED_OUT, "timed out",
			    msg, true);
		}
	}
	for (h = ap->head; h != NULL; h = h->next) {
		if (h->next_tick > now)
			continue;
		h->next_tick = now + ap->tick_ms;
		if (h->ops->waiting != NULL)
			h->ops->waiting(h->call, h->deadline - now, h->arg);
	}
}

/* ms until the next deadline or tick; -1 when nothing is held. */
int
approval_next_ms(struct approval *ap)
{
	struct approval_hold *h;
	int64_t now = clock_mono_ms(), when = INT64_MAX;

	for (h = ap->head; h != NULL; h = h->next) {
		if (h->deadline < when)
			when = h->deadline;
		if (h->ops->waiting != NULL && h->next_tick < when)
			when = h->next_tick;
	}
	if (when == INT64_MAX)
		return (-1);
	if (when <= now)
		return (0);
	return (when - now > 3600000 ? 3600000 : (int)(when - now));
}

/* How long a call may wait. */
int64_t
approval_timeout_ms(const struct approval *ap)
{
	return (ap->timeout_ms);
}

/* Held calls. */
int
approval_held(struct approval *ap)
{
	return (ap->nheld);
}

/* Whether held calls wait for a decider to come (see approval.h). */
void
approval_keep_held(struct approval *ap, bool on)
{
	atomic_store(&ap->keep, on);
}

/* Relay: queues a request or withdrawal for the decider; r is taken. */
void
approval_relay_request(struct approval *ap, struct approval_req *r)
{
	approval_to_decider(ap, r);
}

/* Relay: takes the decider's answers, oldest first. */
struct approval_answer *
approval_relay_answers(struct approval *ap)
{
	struct approval_msg *m, *next;
	struct approval_answer *head = NULL, **tail = &head, *a;

	pthread_mutex_lock(&ap->olock);
	approval_clear(ap->ofd);
	m = ap->ohead;
	ap->ohead = NULL;
	ap->otail = &ap->ohead;
	pthread_mutex_unlock(&ap->olock);
	for (; m != NULL; m = next) {
		next = m->next;
		a = xcalloc(1, sizeof *a);
		a->id = m->id;
		a->decision = m->decision;
		*tail = a;
		tail = &a->next;
		free(m);
	}
	return (head);
}
