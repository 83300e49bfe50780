/*
 * The generic table pane: one view descriptor of one service, its rows
 * merged over every instance of the service. It holds a reference to each
 * instance's snapshot and borrows rows from it until the next refresh, so
 * drawing never copies or locks. It re-reads only when an instance's
 * generation moves; filtering and sorting work on an array of row
 * pointers. A service with no instance gets a pane saying how to add one.
 */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/registry.h"
#include "core/service.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define TABLE_MAX_COLS 24

struct row {
	const json_t *data;	/* borrowed from a held snapshot */
	size_t inst;		/* index into insts */
};

struct pane_table {
	struct pane base;	/* first */
	const struct rt_service *svc;
	const struct rt_view *view;	/* NULL: not configured */
	/* The not-configured pane: every service with views but no instance. */
	const struct rt_service **unconf;
	size_t nunconf;
	struct rt_instance **insts;	/* owned array, borrowed items */
	size_t ninsts;
	uint64_t *gens;		/* generation last read, per instance */
	struct snapshot **snaps;	/* held, per instance */
	struct row *rows;	/* every row */
	size_t nrows;
	struct row *shown;	/* filtered and sorted */
	size_t nshown;
	size_t sel, top;
	int sort_col;		/* -1: upstream order */
	bool sort_rev;
	char filter[128];
	int visible;		/* data rows that fit, from the last draw */
	int first_y;		/* screen line of row top at the last draw */
};

static const struct pane_class pane_table_class;

/* name in upper case, for environment variable names. */
static const char *
upper(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)toupper((unsigned char)name[i]);
	buf[i] = '\0';
	return (buf);
}

/* A checked downcast. */
static struct pane_table *
to_table(struct pane *p)
{
	return (p != NULL && p->class == &pane_table_class ?
	    (struct pane_table *)p : NULL);
}

/* Whether a pane is a table pane. */
bool
pane_is_table(struct pane *p)
{
	return (to_table(p) != NULL);
}

/* The number of descriptor columns. */
static int
ncolumns(const struct rt_view *v)
{
	int n = 0;

	while (v != NULL && v->columns[n].title != NULL)
		n++;
	return (n);
}

/* The text of one cell of a row; new string. */
static char *
cell_text(struct pane_table *t, const struct row *r, int col)
{
	const struct rt_column *c = &t->view->columns[col];

	return (format_value(json_at(r->data, c->pointer), c->kind));
}

/* Whether a row matches the filter (any cell, case-insensitive). */
static bool
row_matches(struct pane_table *t, const struct row *r)
{
	int i, n = ncolumns(t->view);
	bool hit;
	char *s;

	if (t->filter[0] == '\0')
		return (true);
	if (strcasestr(t->insts[r->inst]->name, t->filter) != NULL)
		return (true);
	for (i = 0; i < n; i++) {
		s = cell_text(t, r, i);
		hit = strcasestr(s, t->filter) != NULL;
		free(s);
		if (hit)
			return (true);
	}
	return (false);
}

static const struct rt_column *sort_column;
static bool sort_reverse;

/* Orders two rows by the sort column: numbers by value, else text. */
static int
row_compare(const void *a, const void *b)
{
	const struct row *ra = a, *rb = b;
	const json_t *va = json_at(ra->data, sort_column->pointer);
	const json_t *vb = json_at(rb->data, sort_column->pointer);
	double da, db;
	int c;

	if (json_is_number(va) && json_is_number(vb)) {
		da = json_number_value(va);
		db = json_number_value(vb);
		c = da < db ? -1 : da > db ? 1 : 0;
	} else if (json_is_string(va) && json_is_string(vb))
		c = strcasecmp(json_string_value(va), json_string_value(vb));
	else
		c = (va != NULL) - (vb != NULL);
	if (c == 0)
		c = ra < rb ? -1 : ra > rb;
	return (sort_reverse ? -c : c);
}

/* A row's identity for keeping the selection across refreshes. */
static char *
row_identity(struct pane_table *t, const struct row *r)
{
	char *first = cell_text(t, r, 0), *id;

	xasprintf(&id, "%s\t%s", t->insts[r->inst]->name, first);
	free(first);
	return (id);
}

/* The selected row's identity (new string), or NULL. */
static char *
selected_identity(struct pane_table *t)
{
	if (t->nshown > 0 && t->sel < t->nshown)
		return (row_identity(t, &t->shown[t->sel]));
	return (NULL);
}

/*
 * Rebuilds the shown rows from the filter and the sort, selecting the
 * row whose identity is keep (stolen; NULL: the first).
 */
static void
rebuild_keep(struct pane_table *t, char *keep)
{
	char *id;
	size_t i;

	free(t->shown);
	t->shown = xcalloc(t->nrows + 1, sizeof *t->shown);
	t->nshown = 0;
	for (i = 0; i < t->nrows; i++) {
		if (row_matches(t, &t->rows[i]))
			t->shown[t->nshown++] = t->rows[i];
	}
	if (t->sort_col >= 0 && t->nshown > 1) {
		sort_column = &t->view->columns[t->sort_col];
		sort_reverse = t->sort_rev;
		qsort(t->shown, t->nshown, sizeof *t->shown, row_compare);
	}
	t->sel = 0;
	for (i = 0; keep != NULL && i < t->nshown; i++) {
		id = row_identity(t, &t->shown[i]);
		if (strcmp(id, keep) == 0) {
			t->sel = i;
			free(id);
			break;
		}
		free(id);
	}
	free(keep);
	pane_dirty(&t->base);
}

/* Rebuilds the shown rows, keeping the selection. */
static void
rebuild(struct pane_table *t)
{
	rebuild_keep(t, selected_identity(t));
}

/* Re-reads every instance's snapshot. */
static void
reload(struct pane_table *t)
{
	const json_t *arr, *row;
	struct snapshot *s;
	size_t i, j, n = 0;
	/* Before the old snapshots go: the rows point into them. */
	char *keep = selected_identity(t);

	for (i = 0; i < t->ninsts; i++) {
		s = snapshot_acquire(&t->insts[i]->slot);
		snapshot_release(t->snaps[i]);
		t->snaps[i] = s;
		t->gens[i] = s != NULL ? s->generation : 0;
		if (s != NULL && s->data != NULL &&
		    (arr = json_at(s->data, t->view->rows)) != NULL)
			n += json_array_size(arr);
	}
	free(t->rows);
	t->rows = xcalloc(n + 1, sizeof *t->rows);
	t->nrows = 0;
	for (i = 0; i < t->ninsts; i++) {
		s = t->snaps[i];
		if (s == NULL || s->data == NULL)
			continue;
		arr = json_at(s->data, t->view->rows);
		json_array_foreach(arr, j, row) {
			t->rows[t->nrows].data = row;
			t->rows[t->nrows++].inst = i;
		}
	}
	rebuild_keep(t, keep);
}

/* Re-reads when any instance published since the last read. */
static void
table_refresh(struct pane *p)
{
	struct pane_table *t = to_table(p);
	size_t i;

	if (t->view == NULL)
		return;
	for (i = 0; i < t->ninsts; i++) {
		if (snapshot_generation(&t->insts[i]->slot) != t->gens[i]) {
			reload(t);
			return;
		}
	}
}

/* The worst snapshot problem among the instances, for a line. */
static bool
problem(struct pane_table *t, char *buf, size_t len, enum role *r)
{
	struct snapshot *s;
	char age[32];
	size_t i;

	for (i = 0; i < t->ninsts; i++) {
		s = t->snaps[i];
		if (s == NULL) {
			snprintf(buf, len, "%s: waiting for the first poll",
			    t->insts[i]->name);
			*r = ROLE_DIM;
			return (true);
		}
		if (s->error != NULL) {
			if (s->data != NULL) {
				format_duration(age, sizeof age,
				    snapshot_age_ms(s) / 1000);
				snprintf(buf, len, "%s: stale, %s old: %s",
				    t->insts[i]->name, age, s->error);
				*r = ROLE_STALE;
			} else {
				snprintf(buf, len, "%s: no data: %s",
				    t->insts[i]->name, s->error);
				*r = ROLE_CRIT;
			}
			return (true);
		}
	}
	return (false);
}

/* Whether a column kind is aligned right. */
static bool
right_aligned(enum rt_col_kind k)
{
	return (k == RT_COL_NUMBER || k == RT_COL_BYTES ||
	    k == RT_COL_PERCENT || k == RT_COL_AGE);
}

/* Column widths for the pane width; returns the number that fit. */
static int
fit_columns(struct pane_table *t, int *w, bool *inst)
{
	int i, n = ncolumns(t->view), used, cw;
	/* Only the rows on screen: a large table costs no more to draw. */
	size_t r, lim = t->nshown < (size_t)t->base.h ? t->nshown :
	    (size_t)t->base.h;
	char *s;

	*inst = t->ninsts > 1;
	used = *inst ? 0 : -1;
	if (*inst) {
		w[TABLE_MAX_COLS] = 8;
		for (r = 0; r < t->ninsts; r++) {
			cw = (int)ui_width(t->insts[r]->name);
			if (cw > w[TABLE_MAX_COLS])
				w[TABLE_MAX_COLS] = cw > 16 ? 16 : cw;
		}
		used = w[TABLE_MAX_COLS];
	}
	for (i = 0; i < n && i < TABLE_MAX_COLS; i++) {
		const struct rt_column *c = &t->view->columns[i];

		w[i] = (int)ui_width(c->title);
		if (c->kind == RT_COL_GAUGE)
			cw = c->width > 0 ? c->width : 12;
		else if (c->width > 0)
			cw = c->width;
		else {
			cw = 4;
			for (r = 0; r < lim; r++) {
				s = cell_text(t, &t->shown[(t->top + r) %
				    t->nshown], i);
				if ((int)ui_width(s) > cw)
					cw = (int)ui_width(s);
				free(s);
			}
			if (cw > 32)
				cw = 32;
		}
		if (cw > w[i])
			w[i] = cw;
		if (used + 1 + w[i] > t->base.w && i > 0)
			return (i);
		if (used + 1 + w[i] > t->base.w)
			w[i] = t->base.w - used - 1;
		used += 1 + w[i];
	}
	return (i);
}

/* Draws one cell. */
static void
draw_cell(struct pane_table *t, int y, int x, int w, const struct row *r,
    int col, bool sel)
{
	const struct rt_column *c = &t->view->columns[col];
	const json_t *v = json_at(r->data, c->pointer);
	enum role role = sel ? ROLE_SELECTED : ROLE_NORMAL;
	char *s;
	int tw;

	if (c->kind == RT_COL_GAUGE && json_is_number(v) && !sel) {
		ui_gauge(y, x, w, json_number_value(v), ROLE_GAUGE);
		return;
	}
	if (c->kind == RT_COL_SPARK && json_is_array(v)) {
		s = format_spark(v, w);
		ui_put(y, x, w, s, sel ? ROLE_SELECTED : ROLE_GAUGE);
		free(s);
		return;
	}
	s = format_value(v, c->kind);
	if (c->kind == RT_COL_STATE && !sel)
		role = format_state_role(json_string_value(v));
	if (right_aligned(c->kind) && (tw = (int)ui_width(s)) < w) {
		ui_fill(y, x, w - tw, role);
		ui_put(y, x + w - tw, tw, s, role);
	} else
		ui_put(y, x, w, s, role);
	free(s);
}

/* Draws the table. */
static void
table_draw(struct pane *p)
{
	struct pane_table *t = to_table(p);
	char title[256], line[512], extra[160], up[64];
	int w[TABLE_MAX_COLS + 1], ncols, i, x, y = p->y, end = p->y + p->h;
	const struct rt_column *c;
	enum role r;
	bool inst, sel;
	size_t row;

	extra[0] = '\0';
	if (t->view != NULL) {
		snprintf(extra, sizeof extra, " (%zu", t->nshown);
		if (t->nshown != t->nrows)
			snprintf(extra + strlen(extra), sizeof extra -
			    strlen(extra), " of %zu", t->nrows);
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		    ")%s%s%s", t->filter[0] != '\0' ? " filter: " : "",
		    t->filter, p->ui->zoom && (p->flags & PANE_FOCUS) ?
		    " [zoom]" : "");
	}
	snprintf(title, sizeof title, "%s%s", p->title, extra);
	ui_rule(y++, p->x, p->w, title, (p->flags & PANE_FOCUS) ?
	    ROLE_TITLE_FOCUS : ROLE_TITLE);
	if (t->view == NULL) {
		for (row = 0; row < t->nunconf && y < end; row++)
			ui_putf(y++, p->x, p->w, ROLE_DIM, " %s: add a [%s "
			    "\"NAME\"] section with url and credentials to "
			    "racktop.conf, or set RACKTOP_%s_NAME_URL",
			    t->unconf[row]->title, t->unconf[row]->name,
			    upper(t->unconf[row]->name, up, sizeof up));
		while (y < end)
			ui_fill(y++, p->x, p->w, ROLE_NORMAL);
		return;
	}
	if (y < end && problem(t, line, sizeof line, &r))
		ui_put(y++, p->x, p->w, line, r);
	if (y >= end)
		return;
	ncols = fit_columns(t, w, &inst);
	x = p->x;
	ui_fill(y, p->x, p->w, ROLE_HEADER);
	if (inst) {
		ui_put(y, x, w[TABLE_MAX_COLS], "Instance", ROLE_HEADER);
		x += w[TABLE_MAX_COLS] + 1;
	}
	for (i = 0; i < ncols; i++) {
		c = &t->view->columns[i];
		snprintf(line, sizeof line, "%s%s", c->title, t->sort_col != i ?
		    "" : t->sort_rev ? (theme_utf8() ? "\xe2\x96\xbc" : "v") :
		    (theme_utf8() ? "\xe2\x96\xb2" : "^"));
		if (right_aligned(c->kind) && (int)ui_width(line) < w[i])
			ui_put(y, x + w[i] - (int)ui_width(line),
			    (int)ui_width(line), line, ROLE_HEADER);
		else
			ui_put(y, x, w[i], line, ROLE_HEADER);
		x += w[i] + 1;
	}
	y++;
	t->first_y = y;
	t->visible = end - y;
	if (t->visible < 1)
		t->visible = 1;
	if (t->sel >= t->nshown)
		t->sel = t->nshown > 0 ? t->nshown - 1 : 0;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)t->visible)
		t->top = t->sel - (size_t)t->visible + 1;
	for (row = t->top; y < end; row++, y++) {
		if (row >= t->nshown) {
			ui_fill(y, p->x, p->w, ROLE_NORMAL);
			if (row == 0 && t->nrows > 0)
				ui_put(y, p->x, p->w, " no rows match the "
				    "filter", ROLE_DIM);
			continue;
		}
		sel = row == t->sel && (p->flags & PANE_FOCUS);
		ui_fill(y, p->x, p->w, sel ? ROLE_SELECTED : ROLE_NORMAL);
		x = p->x;
		if (inst) {
			ui_put(y, x, w[TABLE_MAX_COLS],
			    t->insts[t->shown[row].inst]->name, sel ?
			    ROLE_SELECTED : ROLE_DIM);
			x += w[TABLE_MAX_COLS] + 1;
		}
		for (i = 0; i < ncols; i++) {
			draw_cell(t, y, x, w[i], &t->shown[row], i, sel);
			x += w[i] + 1;
		}
	}
}

/* Rows the pane would like to show. */
static int
table_want(struct pane *p)
{
	struct pane_table *t = to_table(p);
	char line[64];
	enum role r;

	if (t->view == NULL)
		return (1 + (int)t->nunconf);
	return (2 + (int)t->nshown + (problem(t, line, sizeof line, &r) ?
	    1 : 0));
}

/* Frees the pane. */
static void
table_free(struct pane *p)
{
	struct pane_table *t = to_table(p);
	size_t i;

	for (i = 0; i < t->ninsts; i++)
		snapshot_release(t->snaps[i]);
	free(t->snaps);
	free(t->gens);
	free(t->insts);
	free(t->rows);
	free(t->shown);
	free(t->unconf);
}

static const struct pane_class pane_table_class = {
	.name = "table",
	.draw = table_draw,
	.update = table_refresh,
	.free = table_free,
	.want = table_want,
};

/* Creates the pane of one view over every instance of a service. */
struct pane *
pane_table_create(struct ui *ui, const struct rt_service *svc,
    const struct rt_view *view)
{
	struct pane_table *t = xcalloc(1, sizeof *t);
	struct rt_instance **in;

	t->base.class = &pane_table_class;
	t->base.ui = ui;
	t->svc = svc;
	t->view = view;
	t->sort_col = -1;
	in = registry_instances_of(ui->reg, svc, &t->ninsts);
	t->insts = xcalloc(t->ninsts + 1, sizeof *t->insts);
	if (t->ninsts > 0)
		memcpy(t->insts, in, t->ninsts * sizeof *in);
	free(in);
	t->gens = xcalloc(t->ninsts + 1, sizeof *t->gens);
	t->snaps = xcalloc(t->ninsts + 1, sizeof *t->snaps);
	if (view != NULL)
		xasprintf(&t->base.title, "%s %s", svc->title, view->title);
	else
		t->base.title = xstrdup("Not configured");
	if (view != NULL)
		reload(t);
	pane_dirty(&t->base);
	return (&t->base);
}

/*
 * Creates the one pane that lists every service with views but no
 * instance, a line each, saying how to configure it. svcs is copied.
 */
struct pane *
pane_table_create_unconfigured(struct ui *ui, const struct rt_service **svcs,
    size_t n)
{
	struct pane_table *t;

	t = to_table(pane_table_create(ui, svcs[0], NULL));
	t->unconf = xcalloc(n, sizeof *t->unconf);
	memcpy(t->unconf, svcs, n * sizeof *svcs);
	t->nunconf = n;
	return (&t->base);
}

/* Sets the filter and rebuilds. */
void
pane_table_set_filter(struct pane *p, const char *f)
{
	struct pane_table *t = to_table(p);

	if (t == NULL || t->view == NULL)
		return;
	snprintf(t->filter, sizeof t->filter, "%s", f != NULL ? f : "");
	rebuild(t);
	t->sel = 0;
	t->top = 0;
}

/* The current filter. */
const char *
pane_table_filter(struct pane *p)
{
	struct pane_table *t = to_table(p);

	return (t != NULL ? t->filter : "");
}

/* The selected row, borrowed until the next refresh. */
const json_t *
pane_table_selected(struct pane *p)
{
	struct pane_table *t = to_table(p);

	if (t == NULL || t->view == NULL || t->sel >= t->nshown)
		return (NULL);
	return (t->shown[t->sel].data);
}

/* The view behind the pane (NULL when not configured). */
const struct rt_view *
pane_table_view(struct pane *p)
{
	struct pane_table *t = to_table(p);

	return (t != NULL ? t->view : NULL);
}

/* The service behind the pane. */
const struct rt_service *
pane_table_service(struct pane *p)
{
	struct pane_table *t = to_table(p);

	return (t != NULL ? t->svc : NULL);
}

/* The instances behind the pane. */
struct rt_instance **
pane_table_instances(struct pane *p, size_t *n)
{
	struct pane_table *t = to_table(p);

	*n = t != NULL ? t->ninsts : 0;
	return (t != NULL ? t->insts : NULL);
}

/* Moves the selection or changes the sort. */
void
pane_table_action(struct pane *p, int act)
{
	struct pane_table *t = to_table(p);
	size_t page;

	if (t == NULL || t->view == NULL)
		return;
	page = t->visible > 1 ? (size_t)t->visible - 1 : 1;
	switch (act) {
	case ACT_UP:
		if (t->sel > 0)
			t->sel--;
		break;
	case ACT_DOWN:
		if (t->sel + 1 < t->nshown)
			t->sel++;
		break;
	case ACT_PAGE_UP:
		t->sel = t->sel > page ? t->sel - page : 0;
		break;
	case ACT_PAGE_DOWN:
		t->sel = t->sel + page < t->nshown ? t->sel + page :
		    (t->nshown > 0 ? t->nshown - 1 : 0);
		break;
	case ACT_HOME:
		t->sel = 0;
		break;
	case ACT_END:
		t->sel = t->nshown > 0 ? t->nshown - 1 : 0;
		break;
	case ACT_SORT_NEXT:
		t->sort_col++;
		if (t->sort_col >= ncolumns(t->view))
			t->sort_col = -1;
		t->sort_rev = false;
		rebuild(t);
		break;
	case ACT_SORT_REVERSE:
		if (t->sort_col == -1)
			t->sort_col = 0;
		t->sort_rev = !t->sort_rev;
		rebuild(t);
		break;
	}
	pane_dirty(p);
}

/* Selects the row drawn on screen line y (a mouse click). */
bool
pane_table_click(struct pane *p, int y)
{
	struct pane_table *t = to_table(p);
	size_t row;

	if (t == NULL || t->view == NULL || t->first_y == 0 ||
	    y < t->first_y || y >= t->first_y + t->visible)
		return (false);
	row = t->top + (size_t)(y - t->first_y);
	if (row >= t->nshown)
		return (false);
	t->sel = row;
	pane_dirty(p);
	return (true);
}

/* Every field of the selected row as text; new string or NULL. */
char *
pane_table_detail(struct pane *p)
{
	struct pane_table *t = to_table(p);
	const json_t *row = pane_table_selected(p), *v;
	const char *k;
	char *out = xstrdup(""), *s, *n;

	if (row == NULL)
		return (NULL);
	if (json_object_get(row, "instance") == NULL) {
		xasprintf(&n, "instance: %s\n",
		    t->insts[t->shown[t->sel].inst]->name);
		free(out);
		out = n;
	}
	json_object_foreach((json_t *)(uintptr_t)row, k, v) {
		if (json_is_string(v))
			s = xstrdup(json_string_value(v));
		else
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
			    JSON_REAL_PRECISION(6));
		xasprintf(&n, "%s%s: %s\n", out, k, s != NULL ? s : "?");
		free(s);
		free(out);
		out = n;
	}
	return (out);
}

/* The instance name of the selected row, or NULL. */
const char *
pane_table_selected_instance(struct pane *p)
{
	struct pane_table *t = to_table(p);

	if (t == NULL || t->view == NULL || t->sel >= t->nshown)
		return (NULL);
	return (t->insts[t->shown[t->sel].inst]->name);
}
