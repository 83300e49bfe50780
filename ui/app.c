/*
 * The dashboard loop, on the main thread, which alone touches curses.
 *
 * DESIGN: no fixed tick. The loop sleeps in poll() on the terminal, the
 * UI's eventfd (activity noted by other threads) and its job queue (calls
 * coming back), with a timeout only until the next second, when ages and
 * the clock on the status line move; that same pass compares each
 * instance's snapshot generation and re-reads the panes whose data moved.
 * Each pass draws only dirty panes and ends with one doupdate().
 *
 * Calls from keys and the palette go through call_new/call_check/
 * call_submit like an agent's, with caller.source RT_SRC_KEY. A
 * destructive tool is first called with dry_run, and its describe preview
 * is shown in a y/n modal naming the target; only "y" submits the call.
 *
 * Long calls report progress from the worker (call_progress): the
 * callback only queues an event on the call's own done queue, ahead of
 * the call itself, so the loop shows it (message line, activity row)
 * without ever waiting on a worker.
 *
 * With RACKTOP_FRAME_LOG=FILE every drawing pass appends "frame US FULL
 * PANES UPDATE_US BYTES" (its time in microseconds, whether it laid out
 * and drew every pane, how many panes it drew, the part spent in
 * doupdate, the response bytes every poller and call received so far)
 * to FILE, for bench/bench-ui.sh.
 *
 * The dashboard is also the decider of agent calls held for approval
 * (approval.c): their requests arrive on a fd of their own, and the loop
 * keeps refreshing the panes behind the approval modal.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "ui/app.h"
#include "ui/ui.h"

#define MESSAGE_MS 6000
#define QUIT_WAIT_MS 3000

/* A call in flight, from a key or the palette. */
struct ui_call {
	struct ui *ui;
	struct rt_call *call;
	bool dry_run;		/* the preview before a confirmation */
	bool view_result;	/* show the whole result in a modal */
	char *tool;
	char *label;
	json_t *args;		/* the real call's, for after the preview */
	struct activity *act;
	char progress[160];	/* the last progress, "" before any */
	/* A lookup for the dashboard itself (app_lookup): no message. */
	void (*done)(struct ui *, const struct rt_call *, void *);
	void *done_arg;
	struct ui_call *next;
};

/* A progress report queued by a worker, ahead of its call. */
struct ui_progress {
	struct job job;		/* first */
	struct rt_call *call;
	double progress, total;
	char message[];
};

/* A row key waiting for the operator's answer to its prompt. */
struct ui_prompt {
	char *tool;
	char *label;
	char *arg;		/* the argument the answer fills */
	json_t *args;
	long def, scale;
};

static volatile sig_atomic_t app_quit;
static struct ui_call *inflight;
static const char *input_keys;
static bool input_mouse;
static FILE *frame_log;

/* The operator's input settings, before app_run. */
void
app_set_input(const char *keys, bool mouse)
{
	input_keys = keys;
	input_mouse = mouse;
}

/* Never runs: marks a queued progress report in the done queue. */
static void
progress_marker(struct job *j)
{
	(void)j;
}

/* Worker thread: queues a progress report behind which the call returns. */
static void
progress_cb(struct job *j, double progress, double total, const char *msg)
{
	size_t n = msg != NULL ? strlen(msg) : 0;
	struct ui_progress *ev;

	if (n > 200)
		n = 200;
	ev = xmalloc(sizeof *ev + n + 1);
	job_init(&ev->job, progress_marker, ev, NULL);
	ev->call = j->arg;
	ev->progress = progress;
	ev->total = total;
	memcpy(ev->message, msg != NULL ? msg : "", n);
	ev->message[n] = '\0';
	job_queue_push(j->done, &ev->job);
}

/* Signal handler: asks the loop to stop. */
static void
app_signal(int sig)
{
	app_quit = sig;
}

/* Restores the terminal before a fatal exit. */
static void
app_endwin(void)
{
	endwin();
}

/* Shows a short message on the bottom line. */
void
app_message(struct ui *ui, enum role r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_role = r;
	ui->message_mono = clock_mono_ms();
}

/* A short summary of a call's outcome; into buf. */
static void
summarise(struct rt_call *c, char *buf, size_t len)
{
	json_t *res = call_result(c), *sc, *v;
	const char *text;
	char *dump;

	if (call_failed(c)) {
		text = json_string_value(json_object_get(json_array_get(
		    json_object_get(res, "content"), 0), "text"));
		snprintf(buf, len, "%s", text != NULL ? text : "failed");
	} else {
		sc = json_object_get(res, "structuredContent");
		if ((v = json_object_get(sc, "total")) != NULL &&
		    json_is_integer(v))
			snprintf(buf, len, "%lld item%s",
			    (long long)json_integer_value(v),
			    json_integer_value(v) == 1 ? "" : "s");
		else if ((v = json_object_get(sc, "status")) != NULL &&
		    json_is_string(v))
			snprintf(buf, len, "%s", json_string_value(v));
		else {
			dump = json_dumps(sc, JSON_COMPACT);
			snprintf(buf, len, "%s", dump != NULL ? dump : "ok");
			free(dump);
		}
	}
	json_decref(res);
}

/* Unlinks and frees a finished call context. */
static void
ui_call_free(struct ui_call *uc)
{
	struct ui_call **pp;

	for (pp = &inflight; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == uc) {
			*pp = uc->next;
			break;
		}
	}
	call_free(uc->call);
	json_decref(uc->args);
	free(uc->tool);
	free(uc->label);
	free(uc);
}

static void call_finished(struct ui *, struct ui_call *);

/* Creates, checks and submits a call; the context owns it. */
static void
submit(struct ui *ui, struct ui_call *uc, json_t *args)
{
	const struct registry_tool *t = registry_find(ui->reg, uc->tool);
	struct rt_caller caller;

	memset(&caller, 0, sizeof caller);
	caller.source = RT_SRC_KEY;
	caller.uid = getuid();
	caller.pid = getpid();
	snprintf(caller.client, sizeof caller.client, "dashboard");
	uc->call = call_new(t, args, &caller);
	uc->call->owner = uc;
	uc->call->job.progress = progress_cb;
	uc->next = inflight;
	inflight = uc;
	if (!uc->dry_run)
		uc->act = activity_begin(ui, "key", uc->tool, uc->call->args);
	if (ui_call_start(ui, uc->call, ui->done) != 0) {
		call_finished(ui, uc);
		return;
	}
	if (!uc->dry_run && uc->done == NULL)
		app_message(ui, ROLE_MESSAGE, "%s: running...", uc->label);
}

/* "y" on a confirmation: runs the real call. */
static void
confirm_yes(struct ui *ui, void *arg)
{
	struct ui_call *uc = arg, *real = xcalloc(1, sizeof *real);

	real->ui = ui;
	real->tool = xstrdup(uc->tool);
	real->label = xstrdup(uc->label);
	real->view_result = uc->view_result;
	submit(ui, real, json_incref(uc->args));
	ui_call_free(uc);
}

/* "n" on a confirmation. */
static void
confirm_no(struct ui *ui, void *arg)
{
	struct ui_call *uc = arg;

	app_message(ui, ROLE_DIM, "%s: not run", uc->label);
	ui_call_free(uc);
}

/* A call came back: message, activity, modal. */
static void
call_finished(struct ui *ui, struct ui_call *uc)
{
	char sum[512], *text, *target;
	json_t *res, *sc;
	bool failed = call_failed(uc->call);

	summarise(uc->call, sum, sizeof sum);
	if (uc->dry_run) {
		if (failed) {
			app_message(ui, ROLE_CRIT, "%s: %s", uc->label, sum);
			ui_call_free(uc);
			return;
		}
		res = call_result(uc->call);
		sc = json_object_get(res, "structuredContent");
		text = json_dumps(sc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		target = json_dumps(uc->args, JSON_COMPACT);
		{
			char *body;

			xasprintf(&body, "%s on %s\n\nThe request it would "
			    "make (describe):\n%s\n", uc->tool, target != NULL ?
			    target : "{}", text != NULL ? text : "{}");
			modal_confirm(ui, uc->label, body, confirm_yes,
			    confirm_no, uc);
			free(body);
		}
		free(text);
		free(target);
		json_decref(res);
		return;
	}
	if (uc->act != NULL)
		activity_end(ui, uc->act, !failed, sum);
	if (uc->done != NULL) {
		uc->done(ui, uc->call, uc->done_arg);
		ui_call_free(uc);
		return;
	}
	app_message(ui, failed ? ROLE_CRIT : ROLE_OK, "%s: %s", uc->label,
	    sum);
	if (uc->view_result) {
		res = call_result(uc->call);
		/* racktop_find reads better as text than as JSON. */
		if (!failed && strcmp(uc->tool, "racktop_find") == 0)
			text = find_text(json_object_get(res,
			    "structuredContent"));
		else
			text = json_dumps(failed ? json_object_get(res,
			    "content") : json_object_get(res,
			    "structuredContent"), JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
		modal_text(ui, uc->tool, text != NULL ? text : "");
		free(text);
		json_decref(res);
	}
	ui_call_free(uc);
}

/* Calls a tool for the operator, asking first when it is destructive. */
void
app_call(struct ui *ui, const char *tool, json_t *args, const char *label,
    bool view_result)
{
	const struct registry_tool *t = registry_find(ui->reg, tool);
	struct ui_call *uc;
	json_t *dry;

	if (t == NULL) {
		app_message(ui, ROLE_CRIT, "no tool %s", tool);
		json_decref(args);
		return;
	}
	uc = xcalloc(1, sizeof *uc);
	uc->ui = ui;
	uc->tool = xstrdup(tool);
	uc->label = xstrdup(label != NULL ? label : tool);
	uc->view_result = view_result;
	if ((t->tool->flags & RT_DESTRUCTIVE) && t->tool->describe != NULL &&
	    json_object_get(json_object_get(t->input_json, "properties"),
	    "dry_run") != NULL) {
		uc->dry_run = true;
		uc->args = args;
		dry = json_deep_copy(args);
		json_object_set_new(dry, "dry_run", json_true());
		submit(ui, uc, dry);
		return;
	}
	if (t->tool->flags & RT_DESTRUCTIVE) {
		/* No preview to show: still ask. */
		char *target = json_dumps(args, JSON_COMPACT), *body;

		uc->args = args;
		xasprintf(&body, "%s on %s\n", tool, target != NULL ? target :
		    "{}");
		modal_confirm(ui, uc->label, body, confirm_yes, confirm_no,
		    uc);
		uc->next = inflight;
		inflight = uc;
		free(target);
		free(body);
		return;
	}
	submit(ui, uc, args);
}


/*
 * Calls a read-only tool for the dashboard itself (a detail view's
 * memories): on a worker like a key's call, in the activity pane, but
 * with no message; done runs on this thread with the finished call,
 * exactly once (refused, failed, cancelled at quit or answered), and
 * owns arg. Takes args. False, with done not run, when there is no such
 * tool.
 */
bool
app_lookup(struct ui *ui, const char *tool, json_t *args,
    void (*done)(struct ui *, const struct rt_call *, void *), void *arg)
{
	struct ui_call *uc;

	if (registry_find(ui->reg, tool) == NULL) {
		json_decref(args);
		return (false);
	}
	uc = xcalloc(1, sizeof *uc);
	uc->ui = ui;
	uc->tool = xstrdup(tool);
	uc->label = xstrdup(tool);
	uc->done = done;
	uc->done_arg = arg;
	submit(ui, uc, args);
	return (true);
}

/* A progress report: on the message line and the call's activity row. */
static void
show_progress(struct ui *ui, struct ui_progress *ev)
{
	struct ui_call *uc = ev->call->owner;
	char pct[16] = "";

	if (uc == NULL || uc->dry_run)
		return;
	if (ev->total > 0 && ev->progress >= 0)
		snprintf(pct, sizeof pct, "%d%% ", (int)(ev->progress * 100 /
		    ev->total + 0.5));
	snprintf(uc->progress, sizeof uc->progress, "%s%s", pct,
	    ev->message);
	if (uc->act != NULL)
		activity_progress(ui, uc->act, uc->progress);
	app_message(ui, ROLE_MESSAGE, "%s: %s", uc->label, uc->progress);
}

/* Takes every call that came back. */
static void
drain_calls(struct ui *ui)
{
	struct job *j, *next;

	for (j = job_queue_take(ui->done); j != NULL; j = next) {
		next = j->next;
		if (j->run == progress_marker) {
			show_progress(ui, j->arg);
			free(j->arg);
			continue;
		}
		call_finished(ui, ((struct rt_call *)j->arg)->owner);
	}
}

/* Frees a row key's pending prompt. */
static void
prompt_free(struct ui_prompt *pr)
{
	free(pr->tool);
	free(pr->label);
	free(pr->arg);
	json_decref(pr->args);
	free(pr);
}

/* The operator answered a row key's prompt (NULL: Esc). */
static void
prompt_answered(struct ui *ui, const char *line, void *arg)
{
	struct ui_prompt *pr = arg;
	char *end;
	long v;

	ui->prompt_done = NULL;
	ui->prompt_arg = NULL;
	if (line == NULL) {
		app_message(ui, ROLE_DIM, "%s: not run", pr->label);
		prompt_free(pr);
		return;
	}
	while (*line == ' ')
		line++;
	if (*line == '\0')
		v = pr->def;
	else {
		errno = 0;
		v = strtol(line, &end, 10);
		while (*end == ' ')
			end++;
		if (errno != 0 || *end != '\0' || v < 1 || v > 1000000) {
			app_message(ui, ROLE_CRIT, "%s: \"%.20s\" is not a "
			    "whole number above 0; not run", pr->label, line);
			prompt_free(pr);
			return;
		}
	}
	json_object_set_new(pr->args, pr->arg, json_integer((json_int_t)v *
	    pr->scale));
	app_call(ui, pr->tool, json_incref(pr->args), pr->label, false);
	prompt_free(pr);
}

/*
 * A row key's argument that asks: "?WHAT:DEFAULT:SCALE" (the answer,
 * DEFAULT when empty, times SCALE). Starts the prompt; takes args.
 */
static void
row_prompt(struct ui *ui, const char *tool, const char *label,
    const char *name, const char *spec, json_t *args, const char *head)
{
	struct ui_prompt *pr = xcalloc(1, sizeof *pr);
	char what[64], prompt[400];
	long def = 0, scale = 1;

	if (sscanf(spec, "?%63[^:]:%ld:%ld", what, &def, &scale) < 1)
		snprintf(what, sizeof what, "%s", name);
	if (scale < 1)
		scale = 1;
	pr->tool = xstrdup(tool);
	pr->label = xstrdup(label);
	pr->arg = xstrdup(name);
	pr->args = args;
	pr->def = def;
	pr->scale = scale;
	if (def > 0)
		snprintf(prompt, sizeof prompt, "%s - %s [%ld]: ", head, what,
		    def);
	else
		snprintf(prompt, sizeof prompt, "%s - %s: ", head, what);
	ui->prompt_done = prompt_answered;
	ui->prompt_arg = pr;
	edit_start(ui, EDIT_PROMPT, prompt, NULL);
}

/*
 * Runs a row key of the focused pane on the selected row. The key's
 * argument spec maps argument names to JSON pointers into the row; "*"
 * for the instance means every instance the pane shows ("all" when there
 * are several), "?..." asks the operator (row_prompt) and "[/pointer]"
 * makes an array of one value.
 */
static bool
row_key(struct ui *ui, int key)
{
	const struct rt_view *v = pane_table_view(ui->focus);
	const struct rt_service *svc = pane_table_service(ui->focus);
	const struct registry_tool *t;
	const struct rt_rowkey *k;
	const json_t *row = pane_table_selected(ui->focus), *spec, *val, *id;
	const char *name, *inst, *ask = NULL, *ask_name = NULL, *sv;
	const char *tool, *klabel;
	struct rt_instance **insts;
	json_t *args;
	char label[160], on[128] = "", head[300];
	size_t n = 0, i, o;

	if (v == NULL || v->keys == NULL)
		return (false);
	for (k = v->keys; k->key != 0; k++) {
		if (keymap_rowkey(k->tool, k->key) == key)
			break;
	}
	if (k->key == 0)
		return (false);
	if (row == NULL) {
		app_message(ui, ROLE_WARN, "%s: no row selected", k->label);
		return (true);
	}
	/* A toggle: the tool for the row's state (start, or stop). */
	tool = keymap_row_action(svc, k, row, &klabel);
	t = registry_find(ui->reg, tool);
	insts = pane_table_instances(ui->focus, &n);
	args = json_object();
	spec = json_loads(k->args != NULL ? k->args : "{}", 0, NULL);
	json_object_foreach((json_t *)(uintptr_t)spec, name, val) {
		const json_t *x;

		sv = json_string_value(val);
		if (sv != NULL && sv[0] == '?') {
			ask = sv;
			ask_name = name;
			continue;
		}
		if (sv != NULL && strcmp(sv, "*") == 0) {
			if (n > 1) {
				json_object_set_new(args, name,
				    json_string("all"));
				o = (size_t)snprintf(on, sizeof on, " on %s%.0zu "
				    "%s instances (", n == 2 ? "both" : "all ",
				    n == 2 ? 0 : n, svc != NULL ? svc->title :
				    "");
				for (i = 0; i < n && o < sizeof on; i++)
					o += (size_t)snprintf(on + o, sizeof on -
					    o, "%s%s", i > 0 ? ", " : "",
					    insts[i]->name);
				if (o < sizeof on)
					snprintf(on + o, sizeof on - o, ")");
			} else if ((inst = pane_table_selected_instance(
			    ui->focus)) != NULL)
				json_object_set_new(args, name,
				    json_string(inst));
			continue;
		}
		if (sv != NULL && sv[0] == '[' && sv[strlen(sv) - 1] == ']') {
			char ptr[128];

			snprintf(ptr, sizeof ptr, "%.*s", (int)strlen(sv) - 2,
			    sv + 1);
			/*
			 * A copy: the row lives in its snapshot's arena,
			 * gone at the next poll, and nobody may count it.
			 */
			if ((x = json_at(row, ptr)) != NULL)
				json_object_set_new(args, name, json_pack("[o]",
				    json_deep_copy(x)));
			continue;
		}
		if ((x = json_at(row, sv)) != NULL)
			json_object_set_new(args, name, json_deep_copy(x));
	}
	inst = pane_table_selected_instance(ui->focus);
	if (json_object_get(args, "instance") == NULL && inst != NULL &&
	    t != NULL && json_object_get(json_object_get(t->input_json,
	    "properties"), "instance") != NULL)
		json_object_set_new(args, "instance", json_string(inst));
	id = json_at(row, v->columns[0].pointer);
	if (on[0] != '\0')
		snprintf(label, sizeof label, "%s all", klabel);
	else if (json_is_integer(id))
		snprintf(label, sizeof label, "%s %lld", klabel,
		    (long long)json_integer_value(id));
	else
		snprintf(label, sizeof label, "%s %s", klabel,
		    json_string_value(id) != NULL ? json_string_value(id) : "");
	if (on[0] != '\0')
		snprintf(head, sizeof head, "%s%s", klabel, on);
	else
		snprintf(head, sizeof head, "%s", label);
	if (ask != NULL)
		row_prompt(ui, tool, label, ask_name, ask, args, head);
	else
		app_call(ui, tool, args, label, false);
	json_decref((json_t *)(uintptr_t)spec);
	return (true);
}

/* Whether a tool asks y/n before it runs from a key. */
static bool
asks(const struct registry_tool *t)
{
	return (t != NULL && (t->tool->flags & RT_DESTRUCTIVE));
}

/*
 * A toggling row key's help: what it does, what it does instead and in
 * which row state, both tools, and which of them asks. Two lines, so it
 * fits a modal 80 columns wide. Returns the length written (capped).
 */
static size_t
help_toggle(char *buf, size_t len, const char *key, const struct rt_rowkey *k,
    const struct rt_toggle *tg, const struct registry_tool *t,
    const struct registry_tool *alt)
{
	char when[160], ask[96] = "";
	const char *p;
	size_t o, n;
	int w;

	/* "/state" + "running|restarting": "state is running or restarting" */
	p = tg->pointer[0] == '/' ? tg->pointer + 1 : tg->pointer;
	o = (size_t)snprintf(when, sizeof when, "%s", p);
	if (strcmp(tg->equals, "true") != 0 && o < sizeof when) {
		o += (size_t)snprintf(when + o, sizeof when - o, " is ");
		for (p = tg->equals; *p != '\0' && o + 4 < sizeof when; p++) {
			if (*p == '|')
				o += (size_t)snprintf(when + o, sizeof when - o,
				    " or ");
			else
				when[o++] = *p;
		}
		when[o < sizeof when ? o : sizeof when - 1] = '\0';
	}
	if (asks(t) && asks(alt))
		snprintf(ask, sizeof ask, ", asks y/n");
	else if (asks(t) || asks(alt))
		snprintf(ask, sizeof ask, "; %s asks y/n", asks(t) ? k->label :
		    tg->alt_label);
	w = snprintf(buf, len, "  %-8s %s, or %s when %s%s\n"
	    "  %-8s (%s / %s)\n", key, k->label, tg->alt_label, when, ask, "",
	    k->tool, tg->alt_tool);
	n = w < 0 ? 0 : (size_t)w;
	return (n < len ? n : len);
}

/* Shows help generated from the keymap and the view descriptors. */
void
app_help(struct ui *ui)
{
	const struct binding *b;
	const struct rt_view *v;
	const struct rt_rowkey *k;
	const struct rt_toggle *tg;
	const struct registry_tool *t;
	struct pane *p;
	size_t n, i, o = 0, cap = 16384;
	char *text = xmalloc(cap), name[16];

	o += (size_t)snprintf(text + o, cap - o, "Keys everywhere:\n");
	b = keymap_table(&n);
	for (i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(text + o, cap - o, "  %-8s %s\n",
		    keymap_key_name(b[i].key, name, sizeof name), b[i].help);
	o += (size_t)snprintf(text + o, cap - o, "  %-8s %s\n", "1-9",
	    "focus pane N (again: zoom it)");
	for (p = ui->panes; p != NULL && o < cap; p = p->next) {
		if ((v = pane_table_view(p)) == NULL || v->keys == NULL)
			continue;
		o += (size_t)snprintf(text + o, cap - o, "\nOn a selected "
		    "row of %s:\n", p->title);
		for (k = v->keys; k->key != 0 && o < cap; k++) {
			t = registry_find(ui->reg, k->tool);
			keymap_key_name(keymap_rowkey(k->tool, k->key), name,
			    sizeof name);
			if ((tg = keymap_toggle(pane_table_service(p),
			    k->tool)) != NULL) {
				o += help_toggle(text + o, cap - o, name, k,
				    tg, t, registry_find(ui->reg,
				    tg->alt_tool));
				continue;
			}
			o += (size_t)snprintf(text + o, cap - o,
			    "  %-8s %s (%s)%s\n", name, k->label, k->tool,
			    asks(t) ? ", asks y/n" : "");
		}
	}
	if (o < cap)
		snprintf(text + o, cap - o, "\nWhile editing (/ and :):\n"
		    "  Tab      complete a tool or argument name (:)\n"
		    "  Enter    run (:) or keep the filter (/)\n"
		    "  Esc      cancel; clears the filter (/)\n"
		    "  C-u      clear the line\n"
		    "\nA row key shadows j, k, g, G and z in its pane; the "
		    "arrows, Home and End always move.\n"
		    "\nMouse (%s): a click focuses a pane and selects the "
		    "row under it; the wheel moves the selection.\n"
		    "\nRebind keys in racktop.conf, [racktop] section:\n"
		    "  keys = help=F1, quit=Q, proxmox_start_vm=a\n"
		    "ACTION is a name below or the tool of a row key;\n"
		    "a key that toggles answers to either of its tools.\n"
		    "Actions: quit focus-next focus-prev zoom up down "
		    "page-up page-down home end filter palette help detail "
		    "sort-next sort-reverse redraw refresh\n",
		    ui->mouse ? "on" : "off: mouse = true or --mouse");
	modal_text(ui, "Help", text);
	free(text);
}

/* Focuses a pane. */
static void
focus(struct ui *ui, struct pane *p)
{
	if (p == NULL || p == ui->focus)
		return;
	if (ui->focus != NULL) {
		ui->focus->flags &= ~PANE_FOCUS;
		pane_dirty(ui->focus);
	}
	p->flags |= PANE_FOCUS;
	pane_dirty(p);
	ui->focus = p;
	ui->full_redraw = true;	/* the focused pane gets more rows */
}

/* Runs a keymap action. */
static void
action(struct ui *ui, enum action a)
{
	struct pane *p, *prev = NULL;

	switch (a) {
	case ACT_QUIT:
		app_quit = 1;
		break;
	case ACT_FOCUS_NEXT:
		focus(ui, ui->focus != NULL && ui->focus->next != NULL ?
		    ui->focus->next : ui->panes);
		break;
	case ACT_FOCUS_PREV:
		for (p = ui->panes; p != NULL && p != ui->focus; p = p->next)
			prev = p;
		if (prev == NULL)
			for (prev = ui->panes; prev != NULL &&
			    prev->next != NULL; prev = prev->next)
				;
		focus(ui, prev);
		break;
	case ACT_ZOOM:
		ui->zoom = !ui->zoom;
		ui->full_redraw = true;
		break;
	case ACT_FILTER:
		if (!pane_is_table(ui->focus) ||
		    pane_table_view(ui->focus) == NULL) {
			app_message(ui, ROLE_WARN, "this pane has no rows to "
			    "filter");
			break;
		}
		edit_start(ui, EDIT_FILTER, "/", pane_table_filter(ui->focus));
		break;
	case ACT_PALETTE:
		edit_start(ui, EDIT_PALETTE, ":", NULL);
		break;
	case ACT_FIND:
		find_start(ui);
		break;
	case ACT_HELP:
		app_help(ui);
		break;
	case ACT_DETAIL:
		detail_open(ui);
		break;
	case ACT_REDRAW:
	case ACT_REFRESH:
		clearok(curscr, TRUE);
		ui->full_redraw = true;
		break;
	case ACT_NONE:
		break;
	default:
		pane_table_action(ui->focus, a);
		break;
	}
}

/* The visible pane at a screen position, or NULL. */
static struct pane *
pane_at(struct ui *ui, int y, int x)
{
	struct pane *p;

	for (p = ui->panes; p != NULL; p = p->next) {
		if (!(p->flags & PANE_HIDDEN) && p->h > 0 && y >= p->y &&
		    y < p->y + p->h && x >= p->x && x < p->x + p->w)
			return (p);
	}
	return (NULL);
}

/*
 * A mouse report: a click focuses the pane under it and selects the row
 * (picked before focusing, which may lay the panes out again); the wheel
 * moves the selection of the pane under it.
 */
static void
mouse(struct ui *ui)
{
	MEVENT ev;
	struct pane *p;

	if (getmouse(&ev) != OK || ui->modal != MODAL_NONE ||
	    ui->edit != EDIT_NONE || (p = pane_at(ui, ev.y, ev.x)) == NULL)
		return;
	if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		if (pane_is_table(p))
			pane_table_click(p, ev.y);
		focus(ui, p);
	} else if (ev.bstate & BUTTON4_PRESSED) {
		focus(ui, p);
		pane_table_action(p, ACT_UP);
	}
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED) {
		focus(ui, p);
		pane_table_action(p, ACT_DOWN);
	}
#endif
}

/* Handles one key. */
static void
key(struct ui *ui, int ch)
{
	const struct binding *b;
	struct pane *p;
	int n;

	if (ch == '\r')
		ch = '\n';
	if (ch == KEY_RESIZE) {
		ui->full_redraw = true;
		return;
	}
	if (ch == KEY_MOUSE) {
		mouse(ui);
		return;
	}
	if (ui->modal != MODAL_NONE) {
		modal_key(ui, ch);
		return;
	}
	if (ui->edit != EDIT_NONE) {
		edit_key(ui, ch);
		return;
	}
	if (ch >= '1' && ch <= '9') {
		for (p = ui->panes, n = ch - '1'; p != NULL && n > 0;
		    p = p->next)
			n--;
		if (p == NULL)
			return;
		if (p == ui->focus) {
			ui->zoom = !ui->zoom;
			ui->full_redraw = true;
		} else
			focus(ui, p);
		return;
	}
	b = keymap_lookup(ch);
	if ((b == NULL || b->nav) && row_key(ui, ch))
		return;
	if (b != NULL)
		action(ui, b->action);
}

/*
 * The newest running call of the operator's with its elapsed time and
 * last progress, for the bottom line once the message has gone.
 */
static bool
running_hint(struct ui *ui, char *buf, size_t len)
{
	struct ui_call *uc;
	int64_t s;

	(void)ui;
	for (uc = inflight; uc != NULL; uc = uc->next) {
		/* Submitted and not back yet (back ones are freed). */
		if (uc->dry_run || uc->call == NULL || uc->done != NULL)
			continue;
		s = (clock_mono_ms() - uc->call->started_mono) / 1000;
		snprintf(buf, len, "%s: running %llds%s%s", uc->label,
		    (long long)s, uc->progress[0] != '\0' ? ", " : "",
		    uc->progress);
		return (true);
	}
	return (false);
}

/* Draws the bottom line: the editor, a message, or the key hints. */
static void
draw_bottom(struct ui *ui)
{
	const struct rt_view *v = pane_table_view(ui->focus);
	const struct rt_rowkey *k;
	static const struct {
		enum action a;
		const char *what;
	} hints[] = {
		{ ACT_HELP, "help" }, { ACT_PALETTE, "palette" },
		{ ACT_FIND, "find" }, { ACT_FILTER, "filter" }, { ACT_FOCUS_NEXT, "focus" },
		{ ACT_DETAIL, "detail" }, { ACT_QUIT, "quit" },
	};
	char hint[512], name[16];
	const char *lab;
	size_t o = 0, i;
	int y = ui->rows - 1, key;

	if (ui->edit != EDIT_NONE) {
		edit_draw(ui, y);
		return;
	}
	if (ui->message[0] != '\0' &&
	    clock_mono_ms() - ui->message_mono < MESSAGE_MS) {
		ui_put(y, 0, ui->cols, ui->message, ui->message_role);
		return;
	}
	ui->message[0] = '\0';
	if (running_hint(ui, hint, sizeof hint)) {
		ui_put(y, 0, ui->cols, hint, ROLE_MESSAGE);
		return;
	}
	for (i = 0; i < sizeof hints / sizeof hints[0] && o < sizeof hint;
	    i++) {
		if ((key = keymap_key_of(hints[i].a)) != -1)
			o += (size_t)snprintf(hint + o, sizeof hint - o,
			    "%s%s %s", o > 0 ? "  " : "", keymap_key_name(key,
			    name, sizeof name), hints[i].what);
	}
	/* A toggle shows what it would do on the selected row. */
	for (k = v != NULL ? v->keys : NULL; k != NULL && k->key != 0 &&
	    o < sizeof hint; k++) {
		keymap_row_action(pane_table_service(ui->focus), k,
		    pane_table_selected(ui->focus), &lab);
		o += (size_t)snprintf(hint + o, sizeof hint - o, "  %s %s",
		    keymap_key_name(keymap_rowkey(k->tool, k->key), name,
		    sizeof name), lab);
	}
	ui_put(y, 0, ui->cols, hint, ROLE_DIM);
}

/* One drawing pass: dirty panes, status, bottom line, modal. */
static void
draw(struct ui *ui)
{
	struct pane *p;
	struct timespec t0, t1, tu;
	bool any = false, full = false;
	int drawn = 0;

	if (frame_log != NULL)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ui->full_redraw || layout_stale(ui)) {
		full = true;
		getmaxyx(stdscr, ui->rows, ui->cols);
		erase();
		layout_compute(ui);
		ui->full_redraw = false;
	}
	for (p = ui->panes; p != NULL; p = p->next) {
		if (!(p->flags & PANE_DIRTY) || (p->flags & PANE_HIDDEN))
			continue;
		p->flags &= ~PANE_DIRTY;
		if (p->h > 0)
			p->class->draw(p);
		any = true;
		drawn++;
	}
	status_draw(ui, 0);
	if (ui->modal != MODAL_NONE && (any || ui->rows > 0))
		modal_draw(ui);
	draw_bottom(ui);
	if (ui->edit != EDIT_NONE)
		edit_draw(ui, ui->rows - 1);
	wnoutrefresh(stdscr);
	if (frame_log != NULL)
		clock_gettime(CLOCK_MONOTONIC, &tu);
	doupdate();
	if (frame_log != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(frame_log, "frame %lld %d %d %lld %llu\n", (long long)(
		    (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec -
		    t0.tv_nsec) / 1000), full ? 1 : 0, drawn, (long long)(
		    (t1.tv_sec - tu.tv_sec) * 1000000LL + (t1.tv_nsec -
		    tu.tv_nsec) / 1000), (unsigned long long)http_bytes_received());
		fflush(frame_log);
	}
}

/* Builds the panes: every view of every service, problems, activity. */
static void
build_panes(struct ui *ui)
{
	struct pane **tail = &ui->panes;
	const struct rt_service *svc, *last = NULL, **unconf = NULL;
	const struct rt_view *v;
	size_t i, j, ntools, cnt;
	size_t nunconf = 0;
	struct rt_instance **list;

	/*
	 * Configured services first, in the service table's order (the
	 * default layout: Proxmox, Docker, UniFi, Pi-hole, ...).
	 */
	ntools = registry_ntools(ui->reg);
	for (i = 0; i < ntools; i++) {
		svc = registry_tool_at(ui->reg, i)->service;
		if (svc == last || svc->views == NULL)
			continue;
		last = svc;
		list = registry_instances_of(ui->reg, svc, &cnt);
		free(list);
		if (cnt == 0)
			continue;
		for (v = svc->views; v->name != NULL; v++) {
			*tail = pane_table_create(ui, svc, v);
			tail = &(*tail)->next;
		}
	}
	/* Then one pane listing the services with views but no instance. */
	last = NULL;
	for (i = 0; i < ntools; i++) {
		svc = registry_tool_at(ui->reg, i)->service;
		if (svc == last || svc->views == NULL ||
		    svc->views[0].name == NULL)
			continue;
		last = svc;
		list = registry_instances_of(ui->reg, svc, &cnt);
		free(list);
		for (j = 0; j < i; j++) {
			if (registry_tool_at(ui->reg, j)->service == svc)
				break;
		}
		if (cnt > 0 || j < i)
			continue;
		unconf = xreallocarray(unconf, nunconf + 1, sizeof *unconf);
		unconf[nunconf++] = svc;
	}
	if (nunconf > 0) {
		*tail = pane_table_create_unconfigured(ui, unconf, nunconf);
		tail = &(*tail)->next;
	}
	free(unconf);
	*tail = pane_problems_create(ui);
	tail = &(*tail)->next;
	ui->activity = *tail = pane_activity_create(ui);
	focus(ui, ui->panes);
}

/* Asks every running call to stop and waits a little for them. */
static bool
drain_on_quit(struct ui *ui)
{
	struct ui_call *uc;
	struct pollfd pfd;
	int64_t until = clock_mono_ms() + QUIT_WAIT_MS;
	bool submitted;

	for (;;) {
		submitted = false;
		for (uc = inflight; uc != NULL; uc = uc->next) {
			if (uc->call != NULL && !uc->call->done) {
				job_cancel(&uc->call->job);
				submitted = true;
			}
		}
		if (!submitted || clock_mono_ms() > until)
			break;
		pfd.fd = job_queue_fd(ui->done);
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		drain_calls(ui);
	}
	while (inflight != NULL && (inflight->call == NULL ||
	    inflight->call->done))
		ui_call_free(inflight);
	return (inflight == NULL);
}


/*
 * Calls from agents and the CLI, for the activity pane: runs on the
 * thread that finished the call, so it only copies and queues. The
 * keyboard's own calls are recorded by the UI itself.
 */
static void
app_observe(const struct rt_call *c, void *arg)
{
	static const char *const sources[] = { "key", "cli", "agent" };
	const json_t *content;
	char who[128], *target, *err = NULL;
	bool ok;

	if (c->caller.source == RT_SRC_KEY)
		return;
	snprintf(who, sizeof who, "%s%s%.80s", sources[c->caller.source],
	    c->caller.client[0] != '\0' ? " " : "", c->caller.client);
	target = json_dumps(c->args, JSON_COMPACT);
	ok = c->error == NULL;
	if (!ok)
		err = c->error;
	else if ((content = json_object_get(c->result, "total")) != NULL &&
	    json_is_integer(content))
		xasprintf(&err, "%lld items",
		    (long long)json_integer_value(content));
	activity_note(who, c->rt->tool->name, target != NULL ? target : "",
	    ok, err != NULL ? err : "ok", c->duration_ms);
	if (ok)
		free(err);
	free(target);
}

static const struct call_observer app_observer = { app_observe, NULL };

/* Runs the dashboard loop. */
int
app_run(struct registry *reg, struct job_pool *pool, struct approval *ap,
    const char *sock_path, const char *theme, const sigset_t *mask)
{
	struct ui ui;
	struct sigaction sa;
	struct pollfd pfd[5];
	struct pane *p, *next;
	char *cause = NULL;
	const char *env;
	uint64_t count;
	int ch, wake_fd, timeout;
	int64_t next_tick = 0;

	if (theme_load(theme, &cause) != 0) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		return (2);
	}
	if (keymap_configure(reg, input_keys, &cause) != 0) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		return (2);
	}
	memset(&ui, 0, sizeof ui);
	ui.reg = reg;
	ui.mouse = input_mouse;
	ui.pool = pool;
	ui.sock_path = sock_path;
	ui.done = job_queue_create();
	if ((wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		fprintf(stderr, "racktop: eventfd: %s\n", strerror(errno));
		job_queue_destroy(ui.done);
		return (2);
	}
	activity_wake(wake_fd);
	call_set_observer(&app_observer);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_SETMASK, mask, NULL);

	log_detach_stderr();
	if (initscr() == NULL) {
		log_error("cannot initialise the terminal");
		return (1);
	}
	fatal_hook = app_endwin;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (ui.mouse) {
		/* Presses, not clicks: no wait for the release. */
		mouseinterval(0);
#ifdef BUTTON5_PRESSED
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED,
		    NULL);
#else
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED, NULL);
#endif
	}
	if ((env = getenv("RACKTOP_FRAME_LOG")) != NULL && *env != '\0' &&
	    (frame_log = fopen(env, "ae")) == NULL)
		log_warn("RACKTOP_FRAME_LOG %s: %s", env, strerror(errno));
	theme_start();
	build_panes(&ui);
	ui_approval_start(&ui, ap);
	ui.full_redraw = true;
	if (ui_is_remote())
		app_message(&ui, ROLE_DIM, "racktop %s; attached to the racktop "
		    "on %s", PACKAGE_VERSION, sock_path);
	else
		app_message(&ui, ROLE_DIM, "racktop %s; agents connect to %s",
		    PACKAGE_VERSION, sock_path);

	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = wake_fd;
	pfd[2].fd = job_queue_fd(ui.done);
	pfd[3].fd = ui_approval_fd(0);
	pfd[4].fd = ui_approval_fd(1);
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
	pfd[3].events = pfd[4].events = POLLIN;
	while (!app_quit) {
		if (clock_mono_ms() >= next_tick) {
			/* A second passed: data, ages and the clock. */
			for (p = ui.panes; p != NULL; p = p->next) {
				if (p->class->update != NULL)
					p->class->update(p);
			}
			if (ui.pending > 0)
				pane_dirty(ui.activity);
			ui_approval_tick(&ui);

			next_tick = clock_mono_ms() + status_next_ms(&ui);
		}
		draw(&ui);
		timeout = (int)(next_tick - clock_mono_ms());
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, 5, timeout) == -1 && errno != EINTR)
			break;
		if ((pfd[3].revents | pfd[4].revents) & POLLIN)
			ui_approval_events(&ui);
		if (pfd[1].revents & POLLIN) {
			if (read(wake_fd, &count, sizeof count) == -1 &&
			    errno != EAGAIN)
				log_warn("ui wakeup: %s", strerror(errno));
			activity_drain(&ui);
			next_tick = 0;
		}
		if (pfd[2].revents & POLLIN)
			drain_calls(&ui);
		while ((ch = getch()) != ERR && !app_quit)
			key(&ui, ch);
	}
	endwin();
	fatal_hook = NULL;
	/* A prompt still open at quit: its row key's state goes with it. */
	if (ui.edit == EDIT_PROMPT && ui.prompt_done != NULL)
		ui.prompt_done(&ui, NULL, ui.prompt_arg);
	if (frame_log != NULL) {
		fclose(frame_log);
		frame_log = NULL;
	}

	ui_approval_stop(&ui);
	call_set_observer(NULL);
	activity_wake(-1);
	if (drain_on_quit(&ui))
		job_queue_destroy(ui.done);
	else
		log_warn("quit with calls still running; their queue is kept");
	detail_free_all(&ui);
	close(wake_fd);
	for (p = ui.panes; p != NULL; p = next) {
		next = p->next;
		if (p->class->free != NULL)
			p->class->free(p);
		free(p->title);
		free(p);
	}
	activity_free_all(&ui);
	free(ui.modal_title);
	free(ui.modal_text);
	return (0);
}
