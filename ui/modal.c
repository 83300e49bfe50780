/*
 * The modal: a centred box over the panes, either scrollable text (a
 * row's detail, a tool's result, help), a y/n question (a destructive
 * key, showing the target and describe's request), or an agent's call
 * held for approval (approval.c answers its keys). While it is open it
 * takes every key.
 */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "ui/ui.h"

#define KEY_ESC 27

/* Opens a modal, replacing one already open. */
static void
modal_open_kind(struct ui *ui, enum modal_kind kind, const char *title,
    const char *text)
{
	free(ui->modal_title);
	free(ui->modal_text);
	ui->modal = kind;
	ui->modal_title = xstrdup(title);
	ui->modal_text = xstrdup(text != NULL ? text : "");
	ui->modal_scroll = 0;
	ui->modal_seq++;
	ui->full_redraw = true;
}

/* Shows scrollable text. */
void
modal_text(struct ui *ui, const char *title, const char *text)
{
	modal_open_kind(ui, MODAL_TEXT, title, text);
}

/*
 * Replaces the text of the text modal opened as seq (ui->modal_seq right
 * after it opened), keeping its scroll; false when another modal, or none,
 * is open now.
 */
bool
modal_text_replace(struct ui *ui, uint64_t seq, const char *text)
{
	if (ui->modal != MODAL_TEXT || ui->modal_seq != seq)
		return (false);
	free(ui->modal_text);
	ui->modal_text = xstrdup(text != NULL ? text : "");
	ui->full_redraw = true;
	return (true);
}

/* Asks a y/n question; yes or no runs with arg when answered. */
void
modal_confirm(struct ui *ui, const char *title, const char *text,
    void (*yes)(struct ui *, void *), void (*no)(struct ui *, void *),
    void *arg)
{
	modal_open_kind(ui, MODAL_CONFIRM, title, text);
	ui->modal_yes = yes;
	ui->modal_no = no;
	ui->modal_arg = arg;
}

/* Opens or refreshes the approval modal, keeping its scroll. */
void
modal_approval(struct ui *ui, const char *title, const char *text)
{
	int scroll = ui->modal_scroll;
	bool same = ui->modal == MODAL_APPROVAL;

	modal_open_kind(ui, MODAL_APPROVAL, title, text);
	if (same)
		ui->modal_scroll = scroll;
	ui->modal_yes = ui->modal_no = NULL;
	ui->modal_arg = NULL;
}

/* Whether a modal is open. */
bool
modal_open(struct ui *ui)
{
	return (ui->modal != MODAL_NONE);
}

/* Closes the modal. */
static void
modal_close(struct ui *ui)
{
	ui->modal = MODAL_NONE;
	free(ui->modal_title);
	free(ui->modal_text);
	ui->modal_title = ui->modal_text = NULL;
	ui->modal_yes = ui->modal_no = NULL;
	ui->modal_arg = NULL;
	ui->full_redraw = true;
}

/* Closes the modal without running a callback. */
void
modal_dismiss(struct ui *ui)
{
	modal_close(ui);
}

/* Scrolls the text by a key; whether the key was a scroll key. */
static bool
modal_scroll(struct ui *ui, int key)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		if (ui->modal_scroll > 0)
			ui->modal_scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		ui->modal_scroll++;
		break;
	case KEY_NPAGE:
	case ' ':
		ui->modal_scroll += 10;
		break;
	case KEY_PPAGE:
		ui->modal_scroll = ui->modal_scroll > 10 ?
		    ui->modal_scroll - 10 : 0;
		break;
	case KEY_HOME:
		ui->modal_scroll = 0;
		break;
	case KEY_END:
		ui->modal_scroll = 1 << 20;	/* clamped when drawn */
		break;
	default:
		return (false);
	}
	return (true);
}

/* Scrolls the modal's text by a key; always 1. */
int
modal_scroll_key(struct ui *ui, int key)
{
	modal_scroll(ui, key);
	return (1);
}

/* Handles a key while the modal is open; always 1. */
int
modal_key(struct ui *ui, int key)
{
	void (*cb)(struct ui *, void *);
	void *arg = ui->modal_arg;

	if (ui->modal == MODAL_APPROVAL)
		return (ui_approval_key(ui, key));

	if (ui->modal == MODAL_CONFIRM) {
		if (key == 'y' || key == 'Y')
			cb = ui->modal_yes;
		else if (key == 'n' || key == 'N' || key == KEY_ESC ||
		    key == 'q')
			cb = ui->modal_no;
		else
			return (1);
		modal_close(ui);
		if (cb != NULL)
			cb(ui, arg);
		return (1);
	}
	if (modal_scroll(ui, key))
		return (1);
	switch (key) {
	case 'q':
	case KEY_ESC:
	case '\n':
	case '\r':
	case KEY_ENTER:
		modal_close(ui);
		break;
	}
	return (1);
}

/* Draws the modal box over whatever is below. */
void
modal_draw(struct ui *ui)
{
	int w = ui->cols - 8, h = ui->rows - 6, x, y, i, nlines = 0, skip;
	const char *p, *nl;
	char line[1024];

	if (w > 100)
		w = 100;
	if (w < 20)
		w = ui->cols;
	if (h < 3)
		h = ui->rows;
	for (p = ui->modal_text; *p != '\0'; p = nl + 1) {
		nlines++;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
	}
	if (nlines + 3 < h)
		h = nlines + 3;
	x = (ui->cols - w) / 2;
	y = (ui->rows - h) / 2;
	if (ui->modal_scroll > nlines - (h - 3))
		ui->modal_scroll = nlines - (h - 3) > 0 ? nlines - (h - 3) : 0;
	ui_rule(y, x, w, ui->modal_title, ROLE_TITLE_FOCUS);
	skip = ui->modal_scroll;
	p = ui->modal_text;
	for (i = 1; i < h - 1; i++) {
		line[0] = '\0';
		while (p != NULL && *p != '\0') {
			nl = strchr(p, '\n');
			snprintf(line, sizeof line, " %.*s", nl != NULL ?
			    (int)(nl - p) : (int)strlen(p), p);
			p = nl != NULL ? nl + 1 : NULL;
			if (skip-- <= 0)
				break;
			line[0] = '\0';
		}
		ui_put(y + i, x, w, line, ROLE_MODAL);
	}
	if (ui->modal == MODAL_CONFIRM)
		ui_put(y + h - 1, x, w, " y: yes, do it   n/Esc: no",
		    ROLE_KEY);
	else if (ui->modal == MODAL_APPROVAL)
		ui_putf(y + h - 1, x, w, ROLE_KEY, " y: approve once   a: "
		    "approve this caller for this tool   n/Esc: deny%s",
		    nlines > h - 3 ? "   Up/Down: more" : "");
	else
		ui_putf(y + h - 1, x, w, ROLE_KEY, " Up/Down/Space scroll   "
		    "q/Esc/Enter close%s", nlines > h - 3 ? "   (more)" : "");
}
