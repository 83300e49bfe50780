/*
 * The status line: every instance with the freshness of its data (ok,
 * stale with its age, error, waiting), calls running, and the clock. Ages
 * move, so it asks to be redrawn on the next second; nothing else does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "ui/ui.h"

/* One instance's word and role for the status line. */
static enum role
instance_state(struct rt_instance *in, char *buf, size_t len)
{
	struct snapshot *s = snapshot_acquire(&in->slot);
	int64_t age;
	char a[32];
	enum role r;

	if (s == NULL) {
		snprintf(buf, len, "%s/%s waiting", in->service->name,
		    in->name);
		return (ROLE_DIM);
	}
	age = snapshot_age_ms(s);
	format_duration(a, sizeof a, age >= 0 ? age / 1000 : 0);
	if (s->data == NULL) {
		snprintf(buf, len, "%s/%s error", in->service->name, in->name);
		r = ROLE_CRIT;
	} else if (s->error != NULL ||
	    age > ((int64_t)in->refresh_s * 2 + 5) * 1000) {
		snprintf(buf, len, "%s/%s stale %s", in->service->name,
		    in->name, a);
		r = ROLE_STALE;
	} else {
		snprintf(buf, len, "%s/%s ok %s", in->service->name, in->name,
		    a);
		r = ROLE_OK;
	}
	snapshot_release(s);
	return (r);
}

/* Draws the status line on row y. */
void
status_draw(struct ui *ui, int y)
{
	size_t i, n = registry_ninstances(ui->reg);
	char buf[160], clk[16];
	int x = 0, w = ui->cols, cw;
	enum role r;
	struct tm tm;
	time_t t = (time_t)(clock_wall_ms() / 1000);

	ui_fill(y, 0, w, ROLE_STATUS);
	localtime_r(&t, &tm);
	strftime(clk, sizeof clk, " %H:%M:%S", &tm);
	w -= (int)strlen(clk);
	x += ui_put(y, x, w - x, "racktop", ROLE_STATUS);
	if (n == 0 && x < w)
		x += ui_put(y, x, w - x, " | no instances configured",
		    ROLE_STATUS);
	for (i = 0; i < n && x < w; i++) {
		r = instance_state(registry_instance_at(ui->reg, i), buf,
		    sizeof buf);
		x += ui_put(y, x, 3, " | ", ROLE_STATUS);
		if ((cw = (int)ui_width(buf)) > w - x)
			cw = w - x;
		x += ui_put(y, x, cw, buf, r == ROLE_OK ? ROLE_STATUS : r);
	}
	if (ui->pending > 0 && x < w) {
		snprintf(buf, sizeof buf, " | %d running", ui->pending);
		x += ui_put(y, x, w - x, buf, ROLE_STATUS);
	}
	if (x < w)
		ui_fill(y, x, w - x, ROLE_STATUS);
	ui_put(y, w, (int)strlen(clk), clk, ROLE_STATUS);
}

/* Milliseconds until the next second, when ages and the clock move. */
int
status_next_ms(struct ui *ui)
{
	(void)ui;
	return ((int)(1000 - clock_wall_ms() % 1000) + 5);
}
