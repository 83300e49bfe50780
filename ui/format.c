/*
 * Cells and values: how a column kind becomes text, and how text, rules
 * and gauges are put on the screen in a given width. UTF-8 boxes and block
 * gauges fall back to ASCII when the locale is not UTF-8.
 */
#include "config.h"

#include <curses.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/clock.h"
#include "core/service.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

/* Decodes s into at most w cells of wide characters; returns cells used. */
static int
decode(const char *s, int w, wchar_t *out, size_t outlen, size_t *nout)
{
	mbstate_t st;
	size_t n, len = strlen(s), o = 0;
	wchar_t wc;
	int cells = 0, cw;

	memset(&st, 0, sizeof st);
	while (len > 0 && o + 1 < outlen) {
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			n = 1;
		} else if (n == 0)
			break;
		if ((cw = wcwidth(wc)) < 0) {
			wc = L'?';
			cw = 1;
		}
		if (cells + cw > w)
			break;
		out[o++] = wc;
		cells += cw;
		s += n;
		len -= n;
	}
	out[o] = L'\0';
	*nout = o;
	return (cells);
}

/* Puts s at y,x in exactly w cells (padded); returns the cells of text. */
int
ui_put(int y, int x, int w, const char *s, enum role r)
{
	wchar_t buf[512];
	size_t n;
	int cells;

	if (w <= 0)
		return (0);
	if (w > 500)
		w = 500;
	cells = decode(s != NULL ? s : "", w, buf, sizeof buf / sizeof buf[0],
	    &n);
	attrset(theme_attr(r));
	mvaddnwstr(y, x, buf, (int)n);
	if (cells < w)
		hline(' ', w - cells);
	attrset(A_NORMAL);
	return (cells);
}

/* Puts formatted text in w cells. */
int
ui_putf(int y, int x, int w, enum role r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (ui_put(y, x, w, buf, r));
}

/* Fills w cells with blanks in a role. */
void
ui_fill(int y, int x, int w, enum role r)
{
	if (w <= 0)
		return;
	attrset(theme_attr(r));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/* The cells a string takes. */
size_t
ui_width(const char *s)
{
	wchar_t buf[512];
	size_t n;

	return ((size_t)decode(s, 500, buf, sizeof buf / sizeof buf[0], &n));
}

/* A horizontal rule with a title in it: "── Title ─────". */
void
ui_rule(int y, int x, int w, const char *title, enum role r)
{
	const char *line = theme_utf8() ? "\xe2\x94\x80" : "-";
	char buf[2048];
	size_t o = 0, tl;
	int i, used;

	if (w <= 0)
		return;
	for (i = 0; i < 2 && i < w; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", line);
	tl = (size_t)snprintf(buf + o, sizeof buf - o, " %s ", title);
	o += tl < sizeof buf - o ? tl : 0;
	used = (int)ui_width(buf);
	for (i = used; i < w && o + 4 < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", line);
	ui_put(y, x, w, buf, r);
}

/* A gauge bar of w cells with its percentage at the end. */
void
ui_gauge(int y, int x, int w, double frac, enum role r)
{
	static const char *eighths[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e",
	    "\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a",
	    "\xe2\x96\x89" };
	bool u = theme_utf8();
	char pct[8];
	int bw, full, part, i;
	enum role fill = frac >= 0.9 ? ROLE_CRIT : frac >= 0.75 ? ROLE_WARN :
	    r;

	if (isnan(frac) || frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	snprintf(pct, sizeof pct, "%4.0f%%", frac * 100);
	bw = w - 5;
	if (bw < 2) {
		ui_put(y, x, w, pct, fill);
		return;
	}
	full = (int)(frac * bw);
	part = u ? (int)((frac * bw - full) * 8) : 0;
	move(y, x);
	attrset(theme_attr(fill));
	for (i = 0; i < full; i++)
		addstr(u ? "\xe2\x96\x88" : "#");
	if (part > 0 && i < bw) {
		addstr(eighths[part]);
		i++;
	}
	attrset(theme_attr(ROLE_GAUGE_EMPTY));
	for (; i < bw; i++)
		addstr(u ? "\xe2\x96\x91" : ".");
	attrset(A_NORMAL);
	ui_put(y, x + bw, 5, pct, fill);
}

/*
 * The last w numbers of an array as a sparkline scaled to their maximum
 * (eighth blocks; " .:-=+*#" outside UTF-8); new string.
 */
char *
format_spark(const json_t *arr, int w)
{
	static const char *blocks[] = { "\xe2\x96\x81", "\xe2\x96\x82",
	    "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85",
	    "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char ascii[] = " .:-=+*#";
	size_t n = json_array_size(arr), i, from, o = 0;
	double max = 0, d;
	bool u = theme_utf8();
	char *out;
	int lv;

	if (w < 1)
		w = 1;
	from = n > (size_t)w ? n - (size_t)w : 0;
	for (i = from; i < n; i++) {
		d = json_number_value(json_array_get(arr, i));
		if (d > max)
			max = d;
	}
	out = xmalloc((n - from) * 3 + 2);
	for (i = from; i < n; i++) {
		d = json_number_value(json_array_get(arr, i));
		lv = max > 0 ? (int)(d / max * 7 + 0.5) : 0;
		if (lv < 0)
			lv = 0;
		if (u) {
			memcpy(out + o, blocks[lv], 3);
			o += 3;
		} else
			out[o++] = ascii[lv];
	}
	if (o == 0)
		out[o++] = '-';
	out[o] = '\0';
	return (out);
}

/* Bytes in binary units: 512B, 1.5K, 20M, 1.2G. */
void
format_bytes(char *buf, size_t len, double v)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	while (fabs(v) >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

/* A duration in seconds, two units at most: 3d4h, 5h12m, 4m2s, 12s. */
void
format_duration(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, len, "%lldd%lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

/*
 * A value as text for a column kind; new string. PERCENT and GAUGE values
 * are fractions (0..1); AGE is a duration in seconds, or a time since the
 * epoch (seconds or ms) shown as the time elapsed since.
 */
char *
format_value(const json_t *v, int kind)
{
	char buf[64];
	double d;

	if (v == NULL || json_is_null(v))
		return (xstrdup("-"));
	if (kind == RT_COL_SPARK && json_is_array(v))
		return (format_spark(v, 24));
	if (json_is_string(v))
		return (xstrdup(json_string_value(v)));
	if (json_is_boolean(v))
		return (xstrdup(json_is_true(v) ? "yes" : "no"));
	if (!json_is_number(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		return (s != NULL ? s : xstrdup("?"));
	}
	d = json_number_value(v);
	switch (kind) {
	case RT_COL_BYTES:
		format_bytes(buf, sizeof buf, d);
		break;
	case RT_COL_PERCENT:
	case RT_COL_GAUGE:
		snprintf(buf, sizeof buf, "%.1f%%", d * 100);
		break;
	case RT_COL_AGE:
		if (d > 1e12)
			d = (double)clock_wall_ms() / 1000 - d / 1000;
		else if (d > 1e9)
			d = (double)clock_wall_ms() / 1000 - d;
		format_duration(buf, sizeof buf, (int64_t)d);
		break;
	default:
		if (json_is_integer(v))
			snprintf(buf, sizeof buf, "%lld",
			    (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof buf, "%.2f", d);
		break;
	}
	return (xstrdup(buf));
}

/* The role a state word is drawn in. */
enum role
format_state_role(const char *s)
{
	static const char *ok[] = { "running", "online", "ok", "active",
	    "enabled", "healthy", "available", "up", "connected", "allowed",
	    "yes", NULL };
	static const char *crit[] = { "offline", "error", "failed", "dead",
	    "unhealthy", "down", "unknown", "unavailable", "exited", NULL };
	int i;

	if (s == NULL)
		return (ROLE_DIM);
	for (i = 0; ok[i] != NULL; i++) {
		if (strcasecmp(s, ok[i]) == 0)
			return (ROLE_OK);
	}
	for (i = 0; crit[i] != NULL; i++) {
		if (strcasecmp(s, crit[i]) == 0)
			return (ROLE_CRIT);
	}
	return (ROLE_WARN);
}

/* Resolves a JSON pointer ("/a/0/b") in root; borrowed or NULL. */
const json_t *
json_at(const json_t *root, const char *p)
{
	char tok[256];
	size_t n, i, o;
	char *end;
	long idx;

	if (p == NULL || *p == '\0')
		return (root);
	while (root != NULL && *p == '/') {
		p++;
		n = strcspn(p, "/");
		for (i = 0, o = 0; i < n && o + 1 < sizeof tok; i++) {
			if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' ||
			    p[i + 1] == '1')) {
				tok[o++] = p[i + 1] == '0' ? '~' : '/';
				i++;
			} else
				tok[o++] = p[i];
		}
		tok[o] = '\0';
		p += n;
		if (json_is_array(root)) {
			idx = strtol(tok, &end, 10);
			root = *end == '\0' && idx >= 0 ?
			    json_array_get(root, (size_t)idx) : NULL;
		} else
			root = json_object_get(root, tok);
	}
	return (root);
}
