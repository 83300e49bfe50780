/*
 * The activity pane: every tool call made from the keys and the palette
 * (who, what, result, when), newest first, with running calls and their
 * progress. Calls made elsewhere (agents, the CLI) arrive through
 * activity_note, which any thread may call: it queues the record under a
 * mutex and wakes the UI, which moves it into the pane on its next pass.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define ACTIVITY_KEEP 200

struct activity {
	char who[24];
	char tool[64];
	char target[128];
	char result[160];
	char progress[64];
	bool done, ok;
	int64_t wall_ms, start_mono, duration_ms;
	struct activity *next;	/* older */
};

/* Records from other threads, waiting for the UI. */
static pthread_mutex_t noted_lock = PTHREAD_MUTEX_INITIALIZER;
static struct activity *noted;
static int activity_wake_fd = -1;	/* under noted_lock */

/* Arguments as "k=v k=v", without dry_run; into buf. */
static void
format_target(char *buf, size_t len, const json_t *args)
{
	const char *k;
	json_t *v;
	size_t o = 0;
	char *s;

	buf[0] = '\0';
	json_object_foreach((json_t *)(uintptr_t)args, k, v) {
		if (strcmp(k, "dry_run") == 0 || o + 2 >= len)
			continue;
		s = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s",
		    o > 0 ? " " : "", k, s != NULL ? s : "?");
		free(s);
		if (o >= len)
			o = len - 1;
	}
}

/* Adds a record at the head and trims old finished ones. */
static void
push(struct ui *ui, struct activity *a)
{
	struct activity *p, *prev = NULL;
	size_t n = 0;

	a->next = ui->acts;
	ui->acts = a;
	ui->nacts++;
	for (p = ui->acts; p != NULL; prev = p, p = p->next) {
		if (++n > ACTIVITY_KEEP && p->done && prev != NULL) {
			prev->next = p->next;
			free(p);
			ui->nacts--;
			p = prev;
		}
	}
	pane_dirty(ui->activity);
}

/* Starts a record for a call from this UI. */
struct activity *
activity_begin(struct ui *ui, const char *who, const char *tool,
    const json_t *args)
{
	struct activity *a = xcalloc(1, sizeof *a);

	snprintf(a->who, sizeof a->who, "%s", who);
	snprintf(a->tool, sizeof a->tool, "%s", tool);
	format_target(a->target, sizeof a->target, args);
	a->wall_ms = clock_wall_ms();
	a->start_mono = clock_mono_ms();
	push(ui, a);
	ui->pending++;
	return (a);
}

/* Finishes a record with its outcome. */
void
activity_end(struct ui *ui, struct activity *a, bool ok, const char *result)
{
	a->done = true;
	a->ok = ok;
	a->duration_ms = clock_mono_ms() - a->start_mono;
	snprintf(a->result, sizeof a->result, "%s", result != NULL ? result :
	    "");
	ui->pending--;
	pane_dirty(ui->activity);
}

/* Sets a running call's progress text. */
void
activity_progress(struct ui *ui, struct activity *a, const char *text)
{
	snprintf(a->progress, sizeof a->progress, "%s", text);
	pane_dirty(ui->activity);
}

/* Records a call made by another thread (agents, CLI). */
void
activity_note(const char *who, const char *tool, const char *target,
    bool ok, const char *result, int64_t duration_ms)
{
	struct activity *a = xcalloc(1, sizeof *a);
	uint64_t one = 1;

	snprintf(a->who, sizeof a->who, "%s", who);
	snprintf(a->tool, sizeof a->tool, "%s", tool);
	snprintf(a->target, sizeof a->target, "%s", target);
	snprintf(a->result, sizeof a->result, "%s", result);
	a->ok = ok;
	a->done = true;
	a->duration_ms = duration_ms;
	a->wall_ms = clock_wall_ms();
	/* The fd is read and closed under the same lock (activity_stop). */
	pthread_mutex_lock(&noted_lock);
	a->next = noted;
	noted = a;
	if (activity_wake_fd != -1 &&
	    write(activity_wake_fd, &one, sizeof one) == -1)
		log_debug("activity: wakeup: %s", strerror(errno));
	pthread_mutex_unlock(&noted_lock);
}

/* Sets (or, with -1, clears) the fd activity_note wakes the UI through. */
void
activity_wake(int fd)
{
	pthread_mutex_lock(&noted_lock);
	activity_wake_fd = fd;
	pthread_mutex_unlock(&noted_lock);
}

/* Moves records noted by other threads into the pane. */
void
activity_drain(struct ui *ui)
{
	struct activity *list, *a, *rev = NULL;

	pthread_mutex_lock(&noted_lock);
	list = noted;
	noted = NULL;
	pthread_mutex_unlock(&noted_lock);
	while (list != NULL) {	/* oldest first */
		a = list;
		list = a->next;
		a->next = rev;
		rev = a;
	}
	while (rev != NULL) {
		a = rev;
		rev = a->next;
		push(ui, a);
	}
}

/* Calls still running. */
int
activity_running(struct ui *ui)
{
	return (ui->pending);
}

/* Draws the newest calls. */
static void
activity_draw(struct pane *p)
{
	struct ui *ui = p->ui;
	struct activity *a;
	char title[96], when[16], dur[32], line[512];
	struct tm tm;
	time_t t;
	int y = p->y, end = p->y + p->h, x;
	enum role r;

	snprintf(title, sizeof title, "Activity (%zu call%s%s)", ui->nacts,
	    ui->nacts == 1 ? "" : "s", ui->pending > 0 ? ", running" : "");
	ui_rule(y++, p->x, p->w, title, (p->flags & PANE_FOCUS) ?
	    ROLE_TITLE_FOCUS : ROLE_TITLE);
	if (ui->acts == NULL && y < end)
		ui_put(y++, p->x, p->w, " No calls yet: keys on a selected "
		    "row, and : for any tool, show here.", ROLE_DIM);
	for (a = ui->acts; a != NULL && y < end; a = a->next, y++) {
		t = (time_t)(a->wall_ms / 1000);
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		if (!a->done)
			snprintf(dur, sizeof dur, "%.1fs",
			    (double)(clock_mono_ms() - a->start_mono) / 1000);
		else
			snprintf(dur, sizeof dur, "%.1fs",
			    (double)a->duration_ms / 1000);
		x = p->x;
		snprintf(line, sizeof line, "%s %-6s %s %s", when, a->who,
		    a->tool, a->target);
		x += ui_put(y, x, p->w * 3 / 5, line, ROLE_NORMAL);
		if (x < p->x + p->w * 3 / 5)
			x = p->x + p->w * 3 / 5;
		r = !a->done ? ROLE_WARN : a->ok ? ROLE_OK : ROLE_CRIT;
		snprintf(line, sizeof line, " %s %s %s", !a->done ? "running" :
		    a->ok ? "ok" : "error", dur, !a->done ? a->progress :
		    a->result);
		ui_put(y, x, p->x + p->w - x, line, r);
	}
	while (y < end)
		ui_fill(y++, p->x, p->w, ROLE_NORMAL);
}

/* Rows the pane would like. */
static int
activity_want(struct pane *p)
{
	int n = (int)p->ui->nacts;

	return (1 + (n < 1 ? 1 : n > 6 ? 6 : n));
}

static const struct pane_class pane_activity_class = {
	.name = "activity",
	.draw = activity_draw,
	.want = activity_want,
};

/* Creates the activity pane. */
struct pane *
pane_activity_create(struct ui *ui)
{
	struct pane *p = xcalloc(1, sizeof *p);

	p->class = &pane_activity_class;
	p->ui = ui;
	p->title = xstrdup("Activity");
	p->flags = PANE_DIRTY;
	return (p);
}

/* Frees every record, at exit. */
void
activity_free_all(struct ui *ui)
{
	struct activity *a;

	activity_drain(ui);
	while ((a = ui->acts) != NULL) {
		ui->acts = a->next;
		free(a);
	}
	ui->nacts = 0;
}
