/*
 * The layout: the status line on top, the message line at the bottom and
 * the panes between, stacked in one column, or two when the terminal is
 * wide enough (160 columns). Every pane keeps at least its title (but one
 * that wants no rows, which is hidden); the
 * focused pane is served first, then rows go round the others until each
 * has what it wants; what is left goes to the focused pane. Zoom gives the
 * focused pane the whole area.
 */
#include "config.h"

#include <stdlib.h>

#include "core/xmalloc.h"
#include "ui/ui.h"

#define LAYOUT_FOCUS_MIN 6	/* rows a focused pane gets first */
#define LAYOUT_TWO_COLUMNS 160

/* Marks a pane for redrawing. */
void
pane_dirty(struct pane *p)
{
	if (p != NULL)
		p->flags |= PANE_DIRTY;
}

/* Places n panes in a column at x, width w, rows y0 .. y0+h. */
static void
layout_column(struct pane **v, int n, int x, int w, int y0, int h)
{
	int *got = xcalloc((size_t)n + 1, sizeof *got), *want;
	int i, left = h, y = y0, f = -1, more;

	want = xcalloc((size_t)n + 1, sizeof *want);
	for (i = 0; i < n; i++) {
		want[i] = v[i]->class->want != NULL ? v[i]->class->want(v[i]) :
		    h;
		/* 0: nothing to show (the problems pane when all is well). */
		if (want[i] < 0)
			want[i] = 0;
		v[i]->want = want[i];
		if (v[i]->flags & PANE_FOCUS)
			f = i;
		if (left > 0 && want[i] > 0) {
			got[i] = 1;
			left--;
		}
	}
	if (f != -1) {
		more = want[f] < LAYOUT_FOCUS_MIN ? want[f] : LAYOUT_FOCUS_MIN;
		while (got[f] < more && left > 0) {
			got[f]++;
			left--;
		}
	}
	for (more = 1; more && left > 0;) {
		more = 0;
		for (i = 0; i < n && left > 0; i++) {
			if (got[i] > 0 && got[i] < want[i]) {
				got[i]++;
				left--;
				more = 1;
			}
		}
	}
	if (left > 0)
		got[f != -1 ? f : n - 1] += left;
	for (i = 0; i < n; i++) {
		v[i]->x = x;
		v[i]->w = w;
		v[i]->y = y;
		v[i]->h = got[i];
		if (got[i] == 0)
			v[i]->flags |= PANE_HIDDEN;
		else
			v[i]->flags &= ~PANE_HIDDEN;
		y += got[i];
		v[i]->flags |= PANE_DIRTY;
	}
	free(got);
	free(want);
}

/* Whether a pane wants a different number of rows than it was given. */
bool
layout_stale(struct ui *ui)
{
	struct pane *p;

	for (p = ui->panes; p != NULL; p = p->next) {
		if (p->class->want != NULL && p->class->want(p) != p->want)
			return (true);
	}
	return (false);
}

/* Computes every pane's place for the current screen size. */
void
layout_compute(struct ui *ui)
{
	struct pane *p, **v;
	int n = 0, i, h = ui->rows - 2, half, lw;

	for (p = ui->panes; p != NULL; p = p->next)
		n++;
	if (n == 0 || h < 1)
		return;
	v = xcalloc((size_t)n, sizeof *v);
	for (i = 0, p = ui->panes; p != NULL; p = p->next)
		v[i++] = p;
	if (ui->zoom && ui->focus != NULL) {
		for (i = 0; i < n; i++)
			v[i]->flags |= PANE_HIDDEN;
		layout_column(&ui->focus, 1, 0, ui->cols, 1, h);
	} else if (ui->cols >= LAYOUT_TWO_COLUMNS && n > 2) {
		/* Tables split in two; the activity pane ends the right. */
		half = (n + 1) / 2;
		lw = ui->cols / 2;
		layout_column(v, half, 0, lw - 1, 1, h);
		layout_column(v + half, n - half, lw, ui->cols - lw, 1, h);
	} else
		layout_column(v, n, 0, ui->cols, 1, h);
	free(v);
}
