/*
 * Dashboards attached to this racktop: snapshots out as changes, held
 * calls out to every attached dashboard, the first answer back in.
 *
 * DESIGN: the MCP thread alone, called from server.c's loop. Nothing
 * here hooks the snapshot slots (their one published hook is the
 * resources'): while a dashboard is attached, the loop looks at every
 * instance's generation at most every ATTACH_CHECK_MS, which costs a
 * mutex per instance and suits a dashboard that redraws ages once a
 * second. A new generation is diffed once against the previous one kept
 * here (a reference and the hashes of its rows) and the same text goes
 * to every dashboard that has the previous one; a dashboard that has
 * something else (it just attached) gets the whole snapshot. Snapshot
 * trees are only read (jsonfast's writer), never counted.
 *
 * Approvals (a headless racktop only: its own terminal decides
 * otherwise): this file is the broker's decider. It keeps a copy of
 * every held request, sends it to each approver now attached and to each
 * that attaches before the request ends; an answer is passed to the
 * broker once and the other approvers are told who answered, so their
 * modal closes. The broker keeps calls held while nobody is attached
 * (approval_keep_held), until their deadline.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "mcp/attach.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/snapdiff.h"

#define ATTACH_CHECK_MS 250
#define DASHBOARD_NAME PROTO_DASHBOARD_NAME

/* What the dashboards were last sent of one instance. */
struct att_inst {
	struct rt_instance *in;
	struct snapshot *snap;	/* the one last sent, or NULL */
	struct snapdiff_member *m;
	size_t nm;
};

struct att_client {
	struct proto_session *sess;
	struct proto_transport tr;
	bool approver;
	char who[160];		/* "USER (pid N)" */
	uint64_t *sent;		/* per instance: generation it has */
	struct att_client *next;
};

struct att_pending {
	struct approval_req *req;	/* the decider's copy, owned */
	struct att_pending *next;
};

/* A finished call, for the dashboards' activity panes. */
struct att_act {
	char who[128];
	char tool[128];
	char target[256];
	char result[256];
	bool ok;
	int64_t ms;
	struct att_act *next;
};

struct attach {
	struct registry *reg;
	struct approval *ap;
	uid_t owner;
	size_t ninst;
	struct att_inst *inst;
	struct att_client *clients;
	struct att_pending *pending;
	int64_t next_check;
	struct jr_buf buf;	/* a message being built */
	struct jr_buf scratch;	/* a row's text, for its hash */

	/*
	 * Finished calls (headless: no local dashboard observes them),
	 * noted by the finishing thread while a dashboard is attached.
	 */
	struct call_observer obs;
	atomic_bool watching;
	atomic_bool acts_waiting;
	pthread_mutex_t act_lock;
	struct att_act *acts;		/* newest first */
};

/* Sends the buffer to one dashboard. */
static void
send_buf(struct att_client *c, struct jr_buf *b)
{
	c->tr.send(c->tr.arg, b->data, b->len);
}

/* Forgets what was sent: nobody is attached. */
static void
inst_reset(struct attach *a)
{
	size_t i;

	for (i = 0; i < a->ninst; i++) {
		snapshot_release(a->inst[i].snap);
		a->inst[i].snap = NULL;
		snapdiff_members_free(a->inst[i].m, a->inst[i].nm);
		a->inst[i].m = NULL;
		a->inst[i].nm = 0;
	}
	jr_buf_reset(&a->buf, 0);
	jr_buf_reset(&a->scratch, 0);
}

/* Sends every instance's news to the dashboards that lack it. */
static void
publish_changes(struct attach *a)
{
	struct att_inst *ai;
	struct att_client *c;
	struct snapdiff_member *nm;
	struct snapshot *s;
	uint64_t g;
	size_t i, nn = 0;
	bool diffed, fulled;

	for (i = 0; i < a->ninst; i++) {
		ai = &a->inst[i];
		g = snapshot_generation(&ai->in->slot);
		if (g == 0)
			continue;
		if (ai->snap != NULL && ai->snap->generation == g) {
			/* No news; a dashboard that just came gets it all. */
			a->buf.len = 0;
			for (c = a->clients; c != NULL; c = c->next) {
				if (c->sent[i] == g)
					continue;
				if (a->buf.len == 0)
					snapdiff_put_full(&a->buf, i, ai->snap);
				send_buf(c, &a->buf);
				c->sent[i] = g;
			}
			continue;
		}
		if ((s = snapshot_acquire(&ai->in->slot)) == NULL)
			continue;
		nn = 0;
		if (ai->snap != NULL && s->data == ai->snap->data) {
			/* The same data (a failed poll): keep its members. */
			nm = ai->m;
			nn = ai->nm;
			ai->m = NULL;
			ai->nm = 0;
		} else
			nm = snapdiff_members(&a->scratch, s->data, &nn);
		diffed = fulled = false;
		for (c = a->clients; c != NULL; c = c->next) {
			if (ai->snap != NULL && c->sent[i] ==
			    ai->snap->generation) {
				if (!diffed) {
					a->buf.len = 0;
					snapdiff_put_diff(&a->buf, i, ai->snap, ai->m,
					    ai->nm, s, nm, nn);
					diffed = true;
					fulled = false;
				}
			} else if (!fulled) {
				a->buf.len = 0;
				snapdiff_put_full(&a->buf, i, s);
				fulled = true;
				diffed = false;
			}
			send_buf(c, &a->buf);
			c->sent[i] = s->generation;
		}
		snapshot_release(ai->snap);
		snapdiff_members_free(ai->m, ai->nm);
		ai->snap = s;
		ai->m = nm;
		ai->nm = nn;
	}
	/* A big first snapshot should not stay resident in the buffers. */
	jr_buf_reset(&a->buf, 256 * 1024);
	jr_buf_reset(&a->scratch, 64 * 1024);
}

/*
 * Any thread that finished a call: copies what the activity pane shows.
 * The keyboard's calls are the dashboard's own to record.
 */
static void
observe(const struct rt_call *c, void *arg)
{
	static const char *const sources[] = { "key", "cli", "agent" };
	struct attach *a = arg;
	struct att_act *x;
	const json_t *total;
	char *target;

	if (!atomic_load(&a->watching) || c->caller.source == RT_SRC_KEY)
		return;
	x = xcalloc(1, sizeof *x);
	snprintf(x->who, sizeof x->who, "%s%s%.80s", sources[c->caller.source],
	    c->caller.client[0] != '\0' ? " " : "", c->caller.client);
	snprintf(x->tool, sizeof x->tool, "%s", c->rt->tool->name);
	target = json_dumps(c->args, JSON_COMPACT);
	snprintf(x->target, sizeof x->target, "%s", target != NULL ? target :
	    "");
	free(target);
	x->ok = c->error == NULL;
	if (!x->ok)
		snprintf(x->result, sizeof x->result, "%s", c->error);
	else if ((total = json_object_get(c->result, "total")) != NULL &&
	    json_is_integer(total))
		snprintf(x->result, sizeof x->result, "%lld items",
		    (long long)json_integer_value(total));
	else
		snprintf(x->result, sizeof x->result, "ok");
	x->ms = c->duration_ms;
	pthread_mutex_lock(&a->act_lock);
	x->next = a->acts;
	a->acts = x;
	pthread_mutex_unlock(&a->act_lock);
	atomic_store(&a->acts_waiting, true);
}

/* Sends the calls noted since the last pass, oldest first. */
static void
send_activity(struct attach *a)
{
	struct att_act *list, *x, *rev = NULL;
	struct att_client *c;
	json_t *p;

	atomic_store(&a->acts_waiting, false);
	pthread_mutex_lock(&a->act_lock);
	list = a->acts;
	a->acts = NULL;
	pthread_mutex_unlock(&a->act_lock);
	while ((x = list) != NULL) {
		list = x->next;
		x->next = rev;
		rev = x;
	}
	while ((x = rev) != NULL) {
		rev = x->next;
		p = json_pack("{s:s, s:s, s:s, s:b, s:s, s:I}", "who", x->who,
		    "tool", x->tool, "target", x->target, "ok", x->ok,
		    "result", x->result, "ms", (json_int_t)x->ms);
		a->buf.len = 0;
		jr_notification(&a->buf, "racktop/activity", p);
		json_decref(p);
		for (c = a->clients; c != NULL; c = c->next)
			send_buf(c, &a->buf);
		free(x);
	}
}

/* Creates the attach state. */
struct attach *
attach_create(struct registry *reg, struct approval *ap, uid_t owner)
{
	struct attach *a = xcalloc(1, sizeof *a);
	size_t i;

	a->reg = reg;
	a->ap = ap;
	a->owner = owner;
	a->ninst = registry_ninstances(reg);
	a->inst = xcalloc(a->ninst + 1, sizeof *a->inst);
	for (i = 0; i < a->ninst; i++)
		a->inst[i].in = registry_instance_at(reg, i);
	jr_buf_init(&a->buf);
	jr_buf_init(&a->scratch);
	atomic_init(&a->watching, false);
	atomic_init(&a->acts_waiting, false);
	pthread_mutex_init(&a->act_lock, NULL);
	if (ap != NULL) {
		approval_keep_held(ap, true);
		/* Headless: no dashboard of its own observes the calls. */
		a->obs.fn = observe;
		a->obs.arg = a;
		call_set_observer(&a->obs);
	}
	return (a);
}

static void
client_free(struct att_client *c)
{
	free(c->sent);
	free(c);
}

/* Frees the state; the server has stopped. */
void
attach_destroy(struct attach *a)
{
	struct att_client *c;
	struct att_pending *p;
	struct att_act *x;

	if (a == NULL)
		return;
	if (a->ap != NULL) {
		approval_keep_held(a->ap, false);
		approval_attach(a->ap, false);
		call_set_observer(NULL);
	}
	atomic_store(&a->watching, false);
	while ((x = a->acts) != NULL) {
		a->acts = x->next;
		free(x);
	}
	pthread_mutex_destroy(&a->act_lock);
	while ((c = a->clients) != NULL) {
		a->clients = c->next;
		client_free(c);
	}
	while ((p = a->pending) != NULL) {
		a->pending = p->next;
		approval_req_free(p->req);
		free(p);
	}
	inst_reset(a);
	free(a->inst);
	jr_buf_free(&a->buf);
	jr_buf_free(&a->scratch);
	free(a);
}

/* Sends one held request (or its end) to a dashboard. */
static void
send_request(struct attach *a, struct att_client *c,
    const struct approval_req *r)
{
	json_t *p;
	int64_t left = r->deadline_mono - clock_mono_ms();

	if (r->withdrawn)
		p = json_pack("{s:I, s:b, s:s}", "id", (json_int_t)r->id,
		    "withdrawn", 1, "why", r->why);
	else
		p = json_pack("{s:I, s:s, s:O, s:I, s:{s:i, s:I, s:I, s:s, "
		    "s:s, s:I}}", "id", (json_int_t)r->id, "tool", r->tool,
		    "args", r->args, "left_ms", (json_int_t)(left > 0 ? left :
		    0), "caller", "source", (int)r->caller.source, "uid",
		    (json_int_t)r->caller.uid, "pid", (json_int_t)r->caller.pid,
		    "exe", r->caller.exe, "client", r->caller.client, "conn",
		    (json_int_t)r->caller.conn);
	a->buf.len = 0;
	jr_notification(&a->buf, "racktop/approval", p);
	json_decref(p);
	send_buf(c, &a->buf);
}

/* The broker's news: new held calls and ended ones, to the approvers. */
static void
take_requests(struct attach *a)
{
	struct approval_req *r, *next;
	struct att_pending *p, **pp;
	struct att_client *c;

	for (r = approval_take(a->ap); r != NULL; r = next) {
		next = r->next;
		r->next = NULL;
		for (c = a->clients; c != NULL; c = c->next) {
			if (c->approver)
				send_request(a, c, r);
		}
		if (!r->withdrawn) {
			p = xcalloc(1, sizeof *p);
			p->req = r;
			for (pp = &a->pending; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = p;
			continue;
		}
		for (pp = &a->pending; (p = *pp) != NULL; pp = &p->next) {
			if (p->req->id == r->id) {
				*pp = p->next;
				approval_req_free(p->req);
				free(p);
				break;
			}
		}
		approval_req_free(r);
	}
}

static struct att_client *
client_find(struct attach *a, struct proto_session *s)
{
	struct att_client *c;

	for (c = a->clients; c != NULL; c = c->next) {
		if (c->sess == s)
			return (c);
	}
	return (NULL);
}

/* Whether the broker now has an approver to ask. */
static void
update_decider(struct attach *a)
{
	struct att_client *c;
	bool any = false;

	if (a->ap == NULL)
		return;
	for (c = a->clients; c != NULL; c = c->next)
		any = any || c->approver;
	if (any != approval_attached(a->ap))
		approval_attach(a->ap, any);
}

/* "USER (pid N)" for a caller. */
static void
who_of(const struct rt_caller *cl, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(cl->uid, &pw, tmp, sizeof tmp, &res) == 0 &&
	    res != NULL)
		snprintf(buf, len, "%s (pid %d)", pw.pw_name, (int)cl->pid);
	else
		snprintf(buf, len, "uid %u (pid %d)", (unsigned)cl->uid,
		    (int)cl->pid);
}

/*
 * Whether the session is the owner's dashboard, else why not: the
 * owner's uid, racktop's own executable, and the clientInfo name that
 * the stdio bridge refuses to forward (bridge.c), so an agent behind
 * `racktop mcp` cannot pass for a dashboard and approve its own calls.
 */
static const char *
refuse(struct attach *a, struct proto_session *s, bool racktop_peer)
{
	const struct rt_caller *cl = proto_session_caller(s);

	if (client_find(a, s) != NULL)
		return (NULL);
	if (proto_session_version(s) == NULL)
		return ("Invalid Request: initialize first");
	if (cl->uid != a->owner || !racktop_peer)
		return ("Invalid Request: only racktop's own dashboard, run "
		    "by the user racktop runs as, may attach");
	if (strncmp(cl->client, DASHBOARD_NAME "/",
	    strlen(DASHBOARD_NAME) + 1) != 0 &&
	    strcmp(cl->client, DASHBOARD_NAME) != 0)
		return ("Invalid Request: only racktop's own dashboard "
		    "(clientInfo " DASHBOARD_NAME ") may attach");
	return (NULL);
}

/* racktop/attach: the instances, then everything as it changes. */
static void
do_attach(struct attach *a, struct proto_session *s,
    const struct proto_transport *tr, const json_t *id)
{
	struct att_client *c = client_find(a, s);
	struct att_pending *p;
	json_t *res, *list;
	size_t i;

	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->sess = s;
		c->tr = *tr;
		c->sent = xcalloc(a->ninst + 1, sizeof *c->sent);
		c->approver = a->ap != NULL;
		who_of(proto_session_caller(s), c->who, sizeof c->who);
		c->next = a->clients;
		a->clients = c;
		proto_session_set_operator(s, "dashboard");
		log_info("attach: a dashboard attached: %s", c->who);
	}
	list = json_array();
	for (i = 0; i < a->ninst; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "service",
		    a->inst[i].in->service->name, "name", a->inst[i].in->name));
	res = json_pack("{s:o, s:b, s:i, s:s}", "instances", list,
	    "approver", c->approver, "pid", (int)getpid(), "version",
	    PACKAGE_VERSION);
	a->buf.len = 0;
	jr_result(&a->buf, id, res);
	json_decref(res);
	send_buf(c, &a->buf);
	/* Calls held before it came, oldest first. */
	for (p = a->pending; p != NULL && c->approver; p = p->next)
		send_request(a, c, p->req);
	update_decider(a);
	atomic_store(&a->watching, true);
	a->next_check = 0;
}

/* racktop/approve: the first answer wins. */
static void
do_approve(struct attach *a, struct proto_session *s,
    const struct proto_transport *tr, const json_t *params, const json_t *id)
{
	struct att_client *c = client_find(a, s), *o;
	struct att_pending *p, **pp;
	struct approval_req w;
	enum approval_decision d;
	const char *dec = json_string_value(json_object_get(params,
	    "decision"));
	json_t *jid = json_object_get(params, "id");
	json_t *empty;

	a->buf.len = 0;
	if (c == NULL || !c->approver) {
		jr_error(&a->buf, id, JR_INVALID_REQUEST, "Invalid Request: "
		    "attach first, as an approver", NULL);
		tr->send(tr->arg, a->buf.data, a->buf.len);
		return;
	}
	if (dec != NULL && strcmp(dec, "once") == 0)
		d = APPROVAL_ONCE;
	else if (dec != NULL && strcmp(dec, "caller_tool") == 0)
		d = APPROVAL_CALLER_TOOL;
	else if (dec != NULL && strcmp(dec, "deny") == 0)
		d = APPROVAL_DENY;
	else
		d = 0;
	if (!json_is_integer(jid) || d == 0) {
		jr_error(&a->buf, id, JR_INVALID_PARAMS, "Invalid params: id "
		    "(an integer) and decision (once, caller_tool or deny) "
		    "are required", NULL);
		send_buf(c, &a->buf);
		return;
	}
	for (pp = &a->pending; (p = *pp) != NULL; pp = &p->next) {
		if (p->req->id == (uint64_t)json_integer_value(jid))
			break;
	}
	if (p == NULL) {
		jr_error(&a->buf, id, JR_INVALID_PARAMS, "Invalid params: "
		    "that request is no longer waiting (answered, withdrawn "
		    "or timed out)", NULL);
		send_buf(c, &a->buf);
		return;
	}
	*pp = p->next;
	approval_decide(a->ap, p->req->id, d);
	log_info("attach: request %llu (%s) %s by %s",
	    (unsigned long long)p->req->id, p->req->tool, d == APPROVAL_DENY ?
	    "denied" : "approved", c->who);
	memset(&w, 0, sizeof w);
	w.id = p->req->id;
	w.withdrawn = true;
	snprintf(w.why, sizeof w.why, "%s by %.50s", d == APPROVAL_DENY ?
	    "denied" : "approved", c->who);
	approval_req_free(p->req);
	free(p);
	for (o = a->clients; o != NULL; o = o->next) {
		if (o != c && o->approver)
			send_request(a, o, &w);
	}
	empty = json_object();
	a->buf.len = 0;
	jr_result(&a->buf, id, empty);
	json_decref(empty);
	send_buf(c, &a->buf);
}

/* Handles a racktop/ request line. */
bool
attach_input(struct attach *a, struct proto_session *s,
    const struct proto_transport *tr, bool racktop_peer, const char *line,
    size_t len)
{
	static const char prefix[] = "racktop/";
	struct jr_msg m;
	const char *why;
	json_t *empty;

	/* Cheap for every other line: no parse without the prefix. */
	if (memmem(line, len, "\"racktop/", 9) == NULL)
		return (false);
	jr_parse(line, len, &m);
	if ((m.kind != JR_REQUEST && m.kind != JR_NOTIFICATION) ||
	    strncmp(m.method, prefix, sizeof prefix - 1) != 0) {
		jr_msg_clear(&m);
		return (false);
	}
	if (m.kind == JR_NOTIFICATION) {
		jr_msg_clear(&m);
		return (true);
	}
	a->buf.len = 0;
	if ((why = refuse(a, s, racktop_peer)) != NULL) {
		jr_error(&a->buf, m.id, JR_INVALID_REQUEST, why, NULL);
		tr->send(tr->arg, a->buf.data, a->buf.len);
	} else if (strcmp(m.method, "racktop/attach") == 0)
		do_attach(a, s, tr, m.id);
	else if (strcmp(m.method, "racktop/approve") == 0)
		do_approve(a, s, tr, m.params, m.id);
	else if (strcmp(m.method, "racktop/stop") == 0) {
		empty = json_object();
		jr_result(&a->buf, m.id, empty);
		json_decref(empty);
		tr->send(tr->arg, a->buf.data, a->buf.len);
		log_info("attach: asked to stop by uid %u",
		    (unsigned)proto_session_caller(s)->uid);
		/* The main thread's usual way out, headless or not. */
		kill(getpid(), SIGTERM);
	} else {
		jr_error(&a->buf, m.id, JR_METHOD_NOT_FOUND,
		    "Method not found", NULL);
		tr->send(tr->arg, a->buf.data, a->buf.len);
	}
	jr_msg_clear(&m);
	return (true);
}

/* A connection goes: if it was a dashboard, it is detached. */
void
attach_gone(struct attach *a, struct proto_session *s)
{
	struct att_client *c, **cp;

	for (cp = &a->clients; (c = *cp) != NULL; cp = &c->next) {
		if (c->sess == s) {
			*cp = c->next;
			log_info("attach: a dashboard detached: %s", c->who);
			client_free(c);
			break;
		}
	}
	update_decider(a);
	if (a->clients == NULL) {
		atomic_store(&a->watching, false);
		inst_reset(a);
	}
}

/* The broker's decider fd, when dashboards decide. */
int
attach_fd(struct attach *a)
{
	return (a->ap != NULL ? approval_decider_fd(a->ap) : -1);
}

/* ms until the next look at the snapshots. */
int
attach_next_ms(struct attach *a)
{
	int64_t left;

	if (a->clients == NULL)
		return (-1);
	left = a->next_check - clock_mono_ms();
	return (left < 0 ? 0 : (int)left);
}

/* Forwards held calls (when their fd fired) and, when due, publications. */
void
attach_run(struct attach *a, bool requests)
{
	if (requests && a->ap != NULL)
		take_requests(a);
	if (atomic_load(&a->acts_waiting))
		send_activity(a);
	if (a->clients == NULL || clock_mono_ms() < a->next_check)
		return;
	publish_changes(a);
	a->next_check = clock_mono_ms() + ATTACH_CHECK_MS;
}

/* Dashboards attached now. */
int
attach_count(struct attach *a)
{
	struct att_client *c;
	int n = 0;

	for (c = a->clients; c != NULL; c = c->next)
		n++;
	return (n);
}
