/*
 * The operator's side of approval: agent calls held by the MCP thread
 * arrive here as copies, queue, and show one at a time in a modal with
 * the caller (label, pid, uid, executable, connection), the tool, its
 * arguments, the target's current state from the snapshot and the
 * request describe says it would make; y approves once, a approves this
 * caller for this tool on this connection, n or Esc denies.
 *
 * DESIGN: main thread only. The requests are the decider's own copies
 * (core/approval.h); answers only queue an id and a verdict for the MCP
 * thread, which applies them to calls it still holds. describe runs as a
 * dry_run call on the pool, as the operator, and comes back on a queue
 * of its own, matched by request id, so a request withdrawn meanwhile
 * leaves nothing dangling. Keys are ignored for a moment after a request
 * appears, so a key meant for something else never answers it.
 */
#include "config.h"

#include <curses.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/jobs.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define KEY_ESC 27
#define ARM_MS 600		/* keys ignored after a request shows */
#define TARGET_COLUMNS 8	/* columns of the target's row shown */

/* One request waiting for the operator. */
struct ui_approval {
	struct approval_req *req;	/* owned */
	char *target;			/* the target's state, or NULL */
	char *describe;			/* describe's request, or NULL */
	bool describing;		/* the preview is still running */
	struct ui_approval *next;
};

static struct approval *broker;
static struct job_queue *previews;
static struct ui_approval *queue;	/* oldest first */
static uint64_t shown_id;		/* the request in the modal, 0: none */
static int64_t shown_mono;

/* Frees one entry. */
static void
entry_free(struct ui_approval *e)
{
	approval_req_free(e->req);
	free(e->target);
	free(e->describe);
	free(e);
}

/* The entry for request id, or NULL. */
static struct ui_approval *
entry_find(uint64_t id)
{
	struct ui_approval *e;

	for (e = queue; e != NULL; e = e->next) {
		if (e->req->id == id)
			return (e);
	}
	return (NULL);
}

/* Unlinks and frees the entry for request id, if any. */
static void
entry_drop(uint64_t id)
{
	struct ui_approval *e, **ep;

	for (ep = &queue; (e = *ep) != NULL; ep = &e->next) {
		if (e->req->id == id) {
			*ep = e->next;
			entry_free(e);
			return;
		}
	}
}

/* Whether two JSON values are the same, 105 and "105" included. */
static bool
loose_equal(const json_t *a, const json_t *b)
{
	char buf[32];

	if (json_equal((json_t *)(uintptr_t)a, (json_t *)(uintptr_t)b))
		return (true);
	if (json_is_integer(a) && json_is_string(b)) {
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(a));
		return (strcmp(buf, json_string_value(b)) == 0);
	}
	if (json_is_string(a) && json_is_integer(b))
		return (loose_equal(b, a));
	return (false);
}

/*
 * Whether a row is the call's target: every argument that names a field
 * of the row (by the same name) holds the row's value, and at least one
 * does.
 */
static bool
row_matches(const json_t *row, const json_t *args)
{
	const char *name;
	json_t *v;
	const json_t *field;
	int n = 0;

	json_object_foreach((json_t *)(uintptr_t)args, name, v) {
		if (strcmp(name, "instance") == 0 ||
		    strcmp(name, "dry_run") == 0 ||
		    strcmp(name, "idempotency_key") == 0 ||
		    (field = json_object_get(row, name)) == NULL)
			continue;
		if (!loose_equal(field, v))
			return (false);
		n++;
	}
	return (n > 0);
}

/* One line from a view's row: "Guests: VMID 105, Name nextcloud, ...". */
static char *
row_text(const struct rt_view *v, const json_t *row, const char *inst)
{
	const struct rt_column *col;
	char *out, *val, *tmp;
	int i;

	xasprintf(&out, "%s (%s):", v->title, inst);
	for (col = v->columns, i = 0; col->title != NULL &&
	    i < TARGET_COLUMNS; col++, i++) {
		if ((val = format_value(json_at(row, col->pointer),
		    col->kind)) == NULL)
			continue;
		xasprintf(&tmp, "%s%s %s %s", out, i == 0 ? "" : ",",
		    col->title, val);
		free(out);
		free(val);
		out = tmp;
	}
	return (out);
}

/* The target's current state from the snapshots, or NULL. */
static char *
target_state(struct ui *ui, const struct approval_req *r)
{
	const struct registry_tool *t = registry_find(ui->reg, r->tool);
	const char *want = json_string_value(json_object_get(r->args,
	    "instance"));
	const struct rt_view *v;
	struct rt_instance **insts;
	struct snapshot *s;
	const json_t *rows;
	char *out = NULL;
	size_t n, i, k;

	if (t == NULL || t->service->views == NULL)
		return (NULL);
	insts = registry_instances_of(ui->reg, t->service, &n);
	for (i = 0; i < n && out == NULL; i++) {
		if (want != NULL && strcmp(want, insts[i]->name) != 0)
			continue;
		if ((s = snapshot_acquire(&insts[i]->slot)) == NULL)
			continue;
		for (v = t->service->views; v->name != NULL && out == NULL &&
		    s->data != NULL; v++) {
			rows = json_at(s->data, v->rows);
			for (k = 0; k < json_array_size(rows); k++) {
				if (row_matches(json_array_get(rows, k),
				    r->args)) {
					out = row_text(v, json_array_get(rows,
					    k), insts[i]->name);
					break;
				}
			}
		}
		snapshot_release(s);
	}
	free(insts);
	return (out);
}

/* Starts describe for a request: a dry_run call as the operator. */
static void
describe_start(struct ui *ui, struct ui_approval *e)
{
	const struct registry_tool *t = registry_find(ui->reg, e->req->tool);
	struct rt_caller op;
	struct rt_call *c;
	json_t *args;

	if (t == NULL || t->tool->describe == NULL ||
	    json_object_get(json_object_get(t->input_json, "properties"),
	    "dry_run") == NULL) {
		e->describe = xstrdup("(this tool has no preview)");
		return;
	}
	memset(&op, 0, sizeof op);
	op.source = RT_SRC_KEY;
	op.uid = getuid();
	op.pid = getpid();
	snprintf(op.client, sizeof op.client, "dashboard");
	args = json_deep_copy(e->req->args);
	json_object_set_new(args, "dry_run", json_true());
	c = call_new(t, args, &op);
	c->owner = (void *)(uintptr_t)e->req->id;
	if (ui_is_remote()) {
		/* The attached racktop runs describe, as the operator. */
		if (ui_call_start(ui, c, previews) != 0) {
			e->describe = xstrdup(c->error != NULL ? c->error :
			    "(no preview)");
			call_free(c);
			return;
		}
		e->describing = true;
		return;
	}
	if (call_check(c) != 0 || !c->preview) {
		e->describe = xstrdup(c->error != NULL ? c->error :
		    "(no preview)");
		call_free(c);
		return;
	}
	e->describing = true;
	call_submit(c, ui->pool, previews);
}

/* A describe came back: keep its request text for the modal. */
static void
describe_done(struct rt_call *c)
{
	struct ui_approval *e = entry_find((uint64_t)(uintptr_t)c->owner);

	if (e != NULL) {
		e->describing = false;
		free(e->describe);
		if (call_failed(c))
			xasprintf(&e->describe, "(describe failed: %s)",
			    c->error != NULL ? c->error : "cancelled");
		else
			e->describe = json_dumps(c->result, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
	}
	call_free(c);
}

/* The modal's text for the request at the head of the queue. */
static char *
modal_body(struct ui_approval *e, int waiting)
{
	const struct approval_req *r = e->req;
	const struct rt_caller *c = &r->caller;
	char *args, *text;

	args = json_dumps(r->args, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	xasprintf(&text,
	    "An agent asks to run a tool that changes your lab.\n"
	    "\n"
	    "Caller     %s%s\n"
	    "           pid %d, uid %u, %s, connection %llu\n"
	    "Tool       %s\n"
	    "Target     %s\n"
	    "Arguments  %s\n"
	    "\n"
	    "The request it would make (describe):\n%s%s",
	    c->client[0] != '\0' ? c->client : "(no name given)",
	    c->client[0] != '\0' ? " (the name is self-reported)" : "",
	    (int)c->pid, (unsigned)c->uid, c->exe[0] != '\0' ? c->exe :
	    "(executable unknown)", (unsigned long long)c->conn,
	    r->tool,
	    e->target != NULL ? e->target : "(not found in the dashboard's "
	    "data)",
	    args != NULL ? args : "{}",
	    e->describe != NULL ? e->describe : "(asking describe...)",
	    waiting > 0 ? "\n\nMore requests wait behind this one." : "");
	free(args);
	return (text);
}

/* Shows, refreshes or closes the approval modal to match the queue. */
static void
show(struct ui *ui)
{
	struct ui_approval *e;
	char title[256], *body;
	int waiting = 0;
	int64_t left;

	if (queue == NULL) {
		if (ui->modal == MODAL_APPROVAL)
			modal_dismiss(ui);
		shown_id = 0;
		return;
	}
	/* A y/n for the keyboard's own call is answered first. */
	if (ui->modal == MODAL_CONFIRM)
		return;
	for (e = queue->next; e != NULL; e = e->next)
		waiting++;
	if (shown_id != queue->req->id || ui->modal != MODAL_APPROVAL) {
		shown_id = queue->req->id;
		shown_mono = clock_mono_ms();
	}
	left = (queue->req->deadline_mono - clock_mono_ms() + 999) / 1000;
	snprintf(title, sizeof title, "Approve %.120s? (%d waiting, %lld s left)",
	    queue->req->tool, waiting + 1, (long long)(left > 0 ? left : 0));
	body = modal_body(queue, waiting);
	modal_approval(ui, title, body);
	free(body);
}

/* Starts deciding for broker ap: the MCP thread may now hold calls. */
void
ui_approval_start(struct ui *ui, struct approval *ap)
{
	(void)ui;
	broker = ap;
	previews = job_queue_create();
	if (broker != NULL)
		approval_attach(broker, true);
}

/* Stops deciding: held calls are denied ("no operator"). */
void
ui_approval_stop(struct ui *ui)
{
	struct ui_approval *e;
	struct job *j, *next;
	struct pollfd pfd;
	int64_t until = clock_mono_ms() + 3000;
	bool busy;

	(void)ui;
	if (broker != NULL)
		approval_attach(broker, false);
	/* Wait for running previews, which only describe. */
	for (;;) {
		busy = false;
		for (e = queue; e != NULL; e = e->next)
			busy = busy || e->describing;
		if (!busy || clock_mono_ms() > until)
			break;
		pfd.fd = job_queue_fd(previews);
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		for (j = job_queue_take(previews); j != NULL; j = next) {
			next = j->next;
			describe_done(j->arg);
		}
	}
	while ((e = queue) != NULL) {
		queue = e->next;
		entry_free(e);
	}
	if (!busy)
		job_queue_destroy(previews);
	previews = NULL;
	broker = NULL;
}

/* The fds to poll: the broker's and the previews'; -1 when absent. */
int
ui_approval_fd(int which)
{
	if (which == 0)
		return (broker != NULL ? approval_decider_fd(broker) : -1);
	return (previews != NULL ? job_queue_fd(previews) : -1);
}

/* Takes new requests, withdrawals and finished previews. */
void
ui_approval_events(struct ui *ui)
{
	struct approval_req *r, *next;
	struct ui_approval *e, **tail;
	struct job *j, *jnext;

	if (broker == NULL)
		return;
	for (r = approval_take(broker); r != NULL; r = next) {
		next = r->next;
		r->next = NULL;
		if (r->withdrawn) {
			/* Another attached dashboard answered first. */
			if (entry_find(r->id) != NULL &&
			    (strncmp(r->why, "approved by ", 12) == 0 ||
			    strncmp(r->why, "denied by ", 10) == 0))
				app_message(ui, r->why[0] == 'a' ? ROLE_OK :
				    ROLE_WARN, "%s: %s", entry_find(r->id)->req->tool,
				    r->why);
			else if (r->id == shown_id &&
			    strcmp(r->why, "approved") != 0)
				app_message(ui, ROLE_WARN, "%s: withdrawn (%s)",
				    entry_find(r->id) != NULL ?
				    entry_find(r->id)->req->tool : "request",
				    r->why);
			entry_drop(r->id);
			approval_req_free(r);
			continue;
		}
		e = xcalloc(1, sizeof *e);
		e->req = r;
		e->target = target_state(ui, r);
		for (tail = &queue; *tail != NULL; tail = &(*tail)->next)
			;
		*tail = e;
		describe_start(ui, e);
		beep();
	}
	for (j = job_queue_take(previews); j != NULL; j = jnext) {
		jnext = j->next;
		describe_done(j->arg);
	}
	show(ui);
}

/* Every second: the time left moves, and a closed modal may reopen. */
void
ui_approval_tick(struct ui *ui)
{
	if (queue != NULL || ui->modal == MODAL_APPROVAL)
		show(ui);
}

/* Requests waiting for the operator. */
int
ui_approval_waiting(void)
{
	struct ui_approval *e;
	int n = 0;

	for (e = queue; e != NULL; e = e->next)
		n++;
	return (n);
}

/* A key while the approval modal is open; always 1. */
int
ui_approval_key(struct ui *ui, int key)
{
	enum approval_decision d;
	struct ui_approval *e = queue;
	const char *what;

	if (e == NULL || e->req->id != shown_id) {
		show(ui);
		return (1);
	}
	switch (key) {
	case 'y':
		d = APPROVAL_ONCE;
		what = "approved once";
		break;
	case 'a':
		d = APPROVAL_CALLER_TOOL;
		what = "approved for this caller and tool on its connection";
		break;
	case 'n':
	case KEY_ESC:
		d = APPROVAL_DENY;
		what = "denied";
		break;
	default:
		return (modal_scroll_key(ui, key));
	}
	if (clock_mono_ms() - shown_mono < ARM_MS)
		return (1);
	approval_decide(broker, e->req->id, d);
	app_message(ui, d == APPROVAL_DENY ? ROLE_WARN : ROLE_OK, "%s: %s",
	    e->req->tool, what);
	queue = e->next;
	entry_free(e);
	shown_id = 0;
	show(ui);
	return (1);
}
