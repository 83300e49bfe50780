/*
 * The problems pane: what needs attention across every instance, most
 * urgent first (core/problems.h), the same list the racktop_problems tool
 * and the racktop://problems resource give agents. It re-collects when an
 * instance published, or every few seconds for data going stale, and
 * redraws only when the list changed. With nothing wrong it asks for no
 * rows, so the tables keep the room.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define PROBLEMS_ROWS_MAX 3	/* more when focused and zoomed */

/*
 * Data only goes stale over refresh intervals: look this often at least,
 * and, however busy the pollers, at most every PROBLEMS_MIN_MS (a large
 * lab publishes every second and the rules walk thousands of rows).
 */
#define PROBLEMS_RECHECK_MS 5000
#define PROBLEMS_MIN_MS 3000

struct pane_problems {
	struct pane base;	/* first */
	json_t *list;		/* the last list collected; owned */
	uint64_t digest;	/* of its text */
	uint64_t gens;		/* the instances' generations it saw */
	int64_t collected;	/* when (monotonic ms) */
};

/* A sum that moves whenever any instance publishes. */
static uint64_t
generations(struct registry *reg)
{
	size_t i, n = registry_ninstances(reg);
	uint64_t g = 0;

	for (i = 0; i < n; i++)
		g += snapshot_generation(&registry_instance_at(reg, i)->slot);
	return (g);
}

static void
problems_update(struct pane *p)
{
	struct pane_problems *pp = (struct pane_problems *)p;
	uint64_t g = generations(p->ui->reg), d;
	int64_t now = clock_mono_ms();
	json_t *list;

	/* Nothing published and not due: the rules would say the same. */
	if (pp->list != NULL && (now - pp->collected < PROBLEMS_MIN_MS ||
	    (g == pp->gens && now - pp->collected < PROBLEMS_RECHECK_MS)))
		return;
	pp->gens = g;
	pp->collected = now;
	list = problems_collect(p->ui->reg);
	d = problems_digest(list);

	if (pp->list != NULL && d == pp->digest) {
		json_decref(list);
		return;
	}
	json_decref(pp->list);
	pp->list = list;
	pp->digest = d;
	pane_dirty(p);
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return (s != NULL ? s : "");
}

static void
problems_draw(struct pane *p)
{
	struct pane_problems *pp = (struct pane_problems *)p;
	int y = p->y, end = p->y + p->h, crit, warn, x;
	char title[96], where[96];
	const json_t *e;
	size_t i;
	bool c;

	problems_count(pp->list, &crit, &warn);
	if (crit + warn == 0)
		snprintf(title, sizeof title, "Problems (none)");
	else
		snprintf(title, sizeof title, "Problems (%d critical, %d "
		    "warning%s)", crit, warn, warn == 1 ? "" : "s");
	ui_rule(y++, p->x, p->w, title, (p->flags & PANE_FOCUS) ?
	    ROLE_TITLE_FOCUS : ROLE_TITLE);
	if (crit + warn == 0 && y < end)
		ui_put(y++, p->x, p->w, " Nothing needs attention: every "
		    "instance answers and its data is fresh.", ROLE_OK);
	json_array_foreach(pp->list, i, e) {
		if (y >= end)
			break;
		c = strcmp(str(e, "severity"), PROBLEM_CRIT) == 0;
		snprintf(where, sizeof where, " %-4s %s/%s ", c ? "CRIT" :
		    "warn", str(e, "service"), str(e, "instance"));
		x = p->x + ui_put(y, p->x, p->w, where, c ? ROLE_CRIT :
		    ROLE_WARN);
		ui_put(y, x, p->x + p->w - x, str(e, "message"), ROLE_NORMAL);
		y++;
	}
	while (y < end)
		ui_fill(y++, p->x, p->w, ROLE_NORMAL);
}

static int
problems_want(struct pane *p)
{
	struct pane_problems *pp = (struct pane_problems *)p;
	size_t n = json_array_size(pp->list);

	/* Nothing wrong: the status line says as much; leave the room. */
	if (n == 0)
		return (0);
	return (1 + (n > PROBLEMS_ROWS_MAX ? PROBLEMS_ROWS_MAX : (int)n));
}

static void
problems_free(struct pane *p)
{
	struct pane_problems *pp = (struct pane_problems *)p;

	json_decref(pp->list);
}

static const struct pane_class pane_problems_class = {
	.name = "problems",
	.draw = problems_draw,
	.update = problems_update,
	.want = problems_want,
	.free = problems_free,
};

struct pane *
pane_problems_create(struct ui *ui)
{
	struct pane_problems *pp = xcalloc(1, sizeof *pp);

	pp->base.class = &pane_problems_class;
	pp->base.ui = ui;
	pp->base.title = xstrdup("Problems");
	pp->base.flags = PANE_DIRTY;
	return (&pp->base);
}
