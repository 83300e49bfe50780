/*
 * The keymap: global keys and the actions they run. Help is generated from
 * this table and from the row keys of the view descriptors, so it lists
 * every binding there is. A row key of the focused pane may shadow a
 * letter that only aliases a movement (k is up, or "kick" on UniFi
 * clients); arrows and the keys marked not nav are never shadowed.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/xmalloc.h"
#include "ui/ui.h"

#define KEY_TAB '\t'
#define KEY_ESC 27

static struct binding bindings[] = {
	{ 'q', ACT_QUIT, "quit", false },
	{ KEY_TAB, ACT_FOCUS_NEXT, "focus the next pane", false },
	{ KEY_BTAB, ACT_FOCUS_PREV, "focus the previous pane", false },
	{ 'z', ACT_ZOOM, "zoom the focused pane (again: unzoom)", true },
	{ KEY_UP, ACT_UP, "select the previous row", false },
	{ 'k', ACT_UP, "select the previous row", true },
	{ KEY_DOWN, ACT_DOWN, "select the next row", false },
	{ 'j', ACT_DOWN, "select the next row", true },
	{ KEY_PPAGE, ACT_PAGE_UP, "page up", false },
	{ KEY_NPAGE, ACT_PAGE_DOWN, "page down", false },
	{ KEY_HOME, ACT_HOME, "first row", false },
	{ 'g', ACT_HOME, "first row", true },
	{ KEY_END, ACT_END, "last row", false },
	{ 'G', ACT_END, "last row", true },
	{ '/', ACT_FILTER, "filter the focused pane (Esc clears)", false },
	{ ':', ACT_PALETTE, "command palette: call any tool by name", false },
	{ '?', ACT_HELP, "this help", false },
	{ '\n', ACT_DETAIL, "detail of the selected row", false },
	{ KEY_ENTER, ACT_DETAIL, "detail of the selected row", false },
	{ '>', ACT_SORT_NEXT, "sort by the next column", false },
	{ '<', ACT_SORT_REVERSE, "reverse the sort order", false },
	{ 'L' - '@', ACT_REDRAW, "redraw the screen", false },
	{ KEY_F(5), ACT_REFRESH, "redraw and re-read every snapshot", false },
};

static const struct {
	const char *name;
	enum action action;
} action_names[] = {
	{ "quit", ACT_QUIT }, { "focus-next", ACT_FOCUS_NEXT },
	{ "focus-prev", ACT_FOCUS_PREV }, { "zoom", ACT_ZOOM },
	{ "up", ACT_UP }, { "down", ACT_DOWN }, { "page-up", ACT_PAGE_UP },
	{ "page-down", ACT_PAGE_DOWN }, { "home", ACT_HOME }, { "end", ACT_END },
	{ "filter", ACT_FILTER }, { "palette", ACT_PALETTE },
	{ "help", ACT_HELP }, { "detail", ACT_DETAIL },
	{ "sort-next", ACT_SORT_NEXT }, { "sort-reverse", ACT_SORT_REVERSE },
	{ "redraw", ACT_REDRAW }, { "refresh", ACT_REFRESH },
};

/* The binding of a key, or NULL. */
const struct binding *
keymap_lookup(int key)
{
	size_t i;

	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		if (bindings[i].key == key)
			return (&bindings[i]);
	}
	return (NULL);
}

/* The whole table, for help. */
const struct binding *
keymap_table(size_t *n)
{
	*n = sizeof bindings / sizeof bindings[0];
	return (bindings);
}

/* A key's name as help shows it. */
const char *
keymap_key_name(int key, char *buf, size_t len)
{
	switch (key) {
	case KEY_TAB:
		return ("Tab");
	case KEY_BTAB:
		return ("S-Tab");
	case KEY_UP:
		return ("Up");
	case KEY_DOWN:
		return ("Down");
	case KEY_PPAGE:
		return ("PgUp");
	case KEY_NPAGE:
		return ("PgDn");
	case KEY_HOME:
		return ("Home");
	case KEY_END:
		return ("End");
	case '\n':
		return ("Enter");
	case KEY_ENTER:
		return ("KpEnter");
	case KEY_ESC:
		return ("Esc");
	}
	if (key >= KEY_F(1) && key <= KEY_F(12)) {
		snprintf(buf, len, "F%d", key - KEY_F(0));
		return (buf);
	}
	if (key > 0 && key < 32) {
		snprintf(buf, len, "C-%c", key + '@');
		return (buf);
	}
	snprintf(buf, len, "%c", key);
	return (buf);
}

/* Parses a key spec: one character, C-x, F1..F12, Tab, Home, End... */
static int
parse_key(const char *s)
{
	static const struct {
		const char *name;
		int key;
	} named[] = {
		{ "Tab", KEY_TAB }, { "S-Tab", KEY_BTAB }, { "Up", KEY_UP },
		{ "Down", KEY_DOWN }, { "PgUp", KEY_PPAGE },
		{ "PgDn", KEY_NPAGE }, { "Home", KEY_HOME },
		{ "End", KEY_END }, { "Enter", '\n' },
	};
	size_t i;
	int n;

	if (s[0] != '\0' && s[1] == '\0')
		return ((unsigned char)s[0]);
	if (s[0] == 'C' && s[1] == '-' && s[2] != '\0' && s[3] == '\0')
		return ((s[2] & 0x1f));
	if (s[0] == 'F' && sscanf(s + 1, "%d", &n) == 1 && n >= 1 && n <= 12)
		return (KEY_F(n));
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcmp(named[i].name, s) == 0)
			return (named[i].key);
	}
	return (-1);
}

/* Binds a key to an action by names (from the configuration). */
int
keymap_bind(const char *key, const char *action, char **cause)
{
	size_t i, j;
	int k = parse_key(key);

	if (k == -1) {
		xasprintf(cause, "unknown key %s", key);
		return (-1);
	}
	for (i = 0; i < sizeof action_names / sizeof action_names[0]; i++) {
		if (strcmp(action_names[i].name, action) != 0)
			continue;
		/* Rebind the first binding of this action. */
		for (j = 0; j < sizeof bindings / sizeof bindings[0]; j++) {
			if (bindings[j].action == action_names[i].action) {
				bindings[j].key = k;
				return (0);
			}
		}
	}
	xasprintf(cause, "unknown action %s", action);
	return (-1);
}
