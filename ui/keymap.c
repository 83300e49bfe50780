/*
 * The keymap: global keys and the actions they run, and the keys of the
 * view descriptors' row actions. Help is generated from these tables, so
 * it lists every binding in effect. A row key of the focused pane may
 * shadow a letter that only aliases a movement (k is up, or "kick" on
 * UniFi clients); arrows and the keys marked not nav are never shadowed.
 * A row key may toggle: its service declares a row state in which the
 * key calls another tool (rt_toggle: Docker s starts, or stops a running
 * container), resolved on the selected row when the key is pressed.
 *
 * The configuration's "keys" setting rebinds them: "ACTION=KEY, ..."
 * where ACTION is a global action name (quit, help, up...) or the tool a
 * row key calls (proxmox_start_vm; a key that toggles, such as Docker s,
 * answers to either of its tools), and KEY one character, C-x, F1..F12
 * or a name (Tab, Space, comma...). Several keys for one action are
 * separated by spaces. Binding an action replaces its keys except the
 * arrows, PgUp/PgDn and Home/End, which always move; a key bound to one
 * action leaves whatever it did before.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/service.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define KEY_TAB '\t'
#define KEY_ESC 27
#define KEYMAP_MAX 64
#define ROWKEY_MAX 32

static const struct binding defaults[] = {
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
	{ 'F', ACT_FIND, "find an IP, MAC or name in every service", false },
	{ '?', ACT_HELP, "this help", false },
	{ '\n', ACT_DETAIL, "detail of the selected row", false },
	{ KEY_ENTER, ACT_DETAIL, "detail of the selected row", false },
	{ '>', ACT_SORT_NEXT, "sort by the next column", false },
	{ '<', ACT_SORT_REVERSE, "reverse the sort order", false },
	{ 'L' - '@', ACT_REDRAW, "redraw the screen", false },
	{ KEY_F(5), ACT_REFRESH, "redraw and re-read every snapshot", false },
};

/* The bindings in effect: the defaults, then the configuration's. */
static struct binding bindings[KEYMAP_MAX];
static size_t nbindings;

/* Row keys rebound by tool name. */
static struct {
	char tool[64];
	int key;
} rowkeys[ROWKEY_MAX];
static size_t nrowkeys;

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
	{ "find", ACT_FIND },
};

static const struct {
	const char *name;
	int key;
} named[] = {
	{ "Tab", KEY_TAB }, { "S-Tab", KEY_BTAB }, { "Up", KEY_UP },
	{ "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE }, { "Home", KEY_HOME },
	{ "End", KEY_END }, { "Enter", '\n' }, { "KpEnter", KEY_ENTER },
	{ "Esc", KEY_ESC }, { "Space", ' ' }, { "comma", ',' },
	{ "Del", KEY_DC }, { "BSpace", KEY_BACKSPACE },
};

/* Loads the defaults once. */
static void
keymap_init(void)
{
	if (nbindings != 0)
		return;
	memcpy(bindings, defaults, sizeof defaults);
	nbindings = sizeof defaults / sizeof defaults[0];
}

/* The binding of a key, or NULL. */
const struct binding *
keymap_lookup(int key)
{
	size_t i;

	keymap_init();
	for (i = 0; i < nbindings; i++) {
		if (bindings[i].key == key)
			return (&bindings[i]);
	}
	return (NULL);
}

/* The whole table, for help. */
const struct binding *
keymap_table(size_t *n)
{
	keymap_init();
	*n = nbindings;
	return (bindings);
}

/* The first key bound to an action, or -1. */
int
keymap_key_of(enum action a)
{
	size_t i;

	keymap_init();
	for (i = 0; i < nbindings; i++) {
		if (bindings[i].action == a)
			return (bindings[i].key);
	}
	return (-1);
}

/* The key a row key has now: its descriptor's, or the rebound one. */
int
keymap_rowkey(const char *tool, int key)
{
	size_t i;

	for (i = 0; i < nrowkeys; i++) {
		if (strcmp(rowkeys[i].tool, tool) == 0)
			return (rowkeys[i].key);
	}
	return (key);
}

/* The toggle of a service's row key calling tool, or NULL. */
const struct rt_toggle *
keymap_toggle(const struct rt_service *svc, const char *tool)
{
	const struct rt_toggle *tg;

	for (tg = svc != NULL ? svc->toggles : NULL; tg != NULL &&
	    tg->tool != NULL; tg++) {
		if (strcmp(tg->tool, tool) == 0)
			return (tg);
	}
	return (NULL);
}

/* Whether a row is in the state where a toggle calls its other tool. */
bool
keymap_toggle_holds(const struct rt_toggle *tg, const json_t *row)
{
	const json_t *v = tg != NULL ? json_at(row, tg->pointer) : NULL;
	const char *p, *bar;
	char text[128];
	size_t n;

	if (v == NULL)
		return (false);
	if (json_is_string(v))
		snprintf(text, sizeof text, "%s", json_string_value(v));
	else if (json_is_boolean(v))
		snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" :
		    "false");
	else if (json_is_integer(v))
		snprintf(text, sizeof text, "%lld",
		    (long long)json_integer_value(v));
	else
		return (false);
	for (p = tg->equals; p != NULL; p = bar != NULL ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (strlen(text) == n && strncmp(text, p, n) == 0)
			return (true);
	}
	return (false);
}

/*
 * What a row key does on a row: its own tool and label, or its toggle's
 * other ones when the row is in the other state (row NULL: its own).
 */
const char *
keymap_row_action(const struct rt_service *svc, const struct rt_rowkey *k,
    const json_t *row, const char **label)
{
	const struct rt_toggle *tg = keymap_toggle(svc, k->tool);

	if (row != NULL && keymap_toggle_holds(tg, row)) {
		*label = tg->alt_label;
		return (tg->alt_tool);
	}
	*label = k->label;
	return (k->tool);
}

/* A key's name as help shows it. */
const char *
keymap_key_name(int key, char *buf, size_t len)
{
	size_t i;

	if (key == '\n')
		return ("Enter");
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (named[i].key == key && key != ',' && key != ' ')
			return (named[i].name);
	}
	if (key == ' ')
		return ("Space");
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

/* Parses a key spec: one character, C-x, F1..F12, Tab, Home...; or -1. */
static int
parse_key(const char *s)
{
	size_t i;
	int n;
	char end;

	if (s[0] > ' ' && s[0] < 127 && s[1] == '\0')
		return ((unsigned char)s[0]);
	if (s[0] == 'C' && s[1] == '-' && s[2] >= '@' && s[2] < 127 &&
	    s[3] == '\0')
		return ((s[2] & 0x1f));
	if (s[0] == 'F' && sscanf(s + 1, "%d%c", &n, &end) == 1 && n >= 1 &&
	    n <= 12)
		return (KEY_F(n));
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcasecmp(named[i].name, s) == 0)
			return (named[i].key);
	}
	return (-1);
}

/* Whether a key always keeps its movement (arrows, paging, Home, End). */
static bool
fixed_key(int key)
{
	return (key == KEY_UP || key == KEY_DOWN || key == KEY_PPAGE ||
	    key == KEY_NPAGE || key == KEY_HOME || key == KEY_END ||
	    key == KEY_ENTER);
}

/* Removes every binding of key. */
static void
unbind_key(int key)
{
	size_t i, o = 0;

	for (i = 0; i < nbindings; i++) {
		if (bindings[i].key != key)
			bindings[o++] = bindings[i];
	}
	nbindings = o;
}

/*
 * The tool of the row key that tool names: tool itself when a view's row
 * key calls it, the key's own tool when tool is its toggle's other one
 * (docker_stop_container is Docker's s); NULL when none.
 */
static const char *
row_tool(struct registry *reg, const char *tool)
{
	const struct registry_tool *t = registry_find(reg, tool);
	const struct rt_view *v;
	const struct rt_rowkey *k;
	const struct rt_toggle *tg;

	if (t == NULL || t->service->views == NULL)
		return (NULL);
	for (v = t->service->views; v->name != NULL; v++) {
		for (k = v->keys; k != NULL && k->key != 0; k++) {
			if (strcmp(k->tool, tool) == 0)
				return (k->tool);
		}
	}
	for (tg = t->service->toggles; tg != NULL && tg->tool != NULL; tg++) {
		if (strcmp(tg->alt_tool, tool) == 0)
			return (row_tool(reg, tg->tool));
	}
	return (NULL);
}

/* Binds one "ACTION=KEY [KEY...]"; -1 and *cause. */
static int
bind_one(struct registry *reg, char *item, char **cause)
{
	char *eq = strchr(item, '='), *name = item, *keys, *k, *save = NULL;
	int list[8], n = 0, i;
	size_t a, j;
	const char *help = NULL;
	const char *tool;

	if (eq == NULL || eq == item) {
		xasprintf(cause, "keys: expected ACTION=KEY at \"%s\"", item);
		return (-1);
	}
	*eq = '\0';
	keys = eq + 1;
	/* "x==" binds "=": the key is the rest when it is one character. */
	if (keys[0] != '\0' && keys[1] == '\0')
		list[n++] = (unsigned char)keys[0];
	else {
		for (k = strtok_r(keys, " \t", &save); k != NULL;
		    k = strtok_r(NULL, " \t", &save)) {
			if (n == 8 || (list[n] = parse_key(k)) == -1) {
				xasprintf(cause, "keys: %s: unknown key \"%s\" "
				    "(one character, C-x, F1-F12, Tab, Space, "
				    "comma...)", name, k);
				return (-1);
			}
			n++;
		}
	}
	if (n == 0) {
		xasprintf(cause, "keys: %s: no key", name);
		return (-1);
	}
	for (a = 0; a < sizeof action_names / sizeof action_names[0]; a++) {
		if (strcmp(action_names[a].name, name) == 0)
			break;
	}
	if (a == sizeof action_names / sizeof action_names[0]) {
		if ((tool = row_tool(reg, name)) == NULL || strlen(tool) >= 64) {
			xasprintf(cause, "keys: unknown action \"%s\" (an "
			    "action such as quit, help, up, or the tool of "
			    "a row key such as proxmox_start_vm)", name);
			return (-1);
		}
		for (j = 0; j < nrowkeys; j++) {
			if (strcmp(rowkeys[j].tool, tool) == 0)
				break;
		}
		if (j == nrowkeys && nrowkeys == ROWKEY_MAX) {
			xasprintf(cause, "keys: too many row keys");
			return (-1);
		}
		if (j == nrowkeys)
			nrowkeys++;
		snprintf(rowkeys[j].tool, sizeof rowkeys[j].tool, "%s", tool);
		rowkeys[j].key = list[0];
		return (0);
	}
	/* Drop the action's keys, except those that always move. */
	for (j = 0; j < nbindings;) {
		if (bindings[j].action == action_names[a].action) {
			help = bindings[j].help;
			if (!fixed_key(bindings[j].key)) {
				memmove(&bindings[j], &bindings[j + 1],
				    (nbindings - j - 1) * sizeof bindings[0]);
				nbindings--;
				continue;
			}
		}
		j++;
	}
	for (i = 0; i < n; i++) {
		unbind_key(list[i]);
		if (nbindings == KEYMAP_MAX) {
			xasprintf(cause, "keys: too many bindings");
			return (-1);
		}
		bindings[nbindings].key = list[i];
		bindings[nbindings].action = action_names[a].action;
		bindings[nbindings].help = help != NULL ? help :
		    action_names[a].name;
		bindings[nbindings].nav = false;
		nbindings++;
	}
	return (0);
}

/* Applies the configuration's "keys" setting; -1 and *cause. */
int
keymap_configure(struct registry *reg, const char *spec, char **cause)
{
	char *copy, *item, *save = NULL, *end;
	int rv = 0;

	keymap_init();
	if (spec == NULL)
		return (0);
	copy = xstrdup(spec);
	for (item = strtok_r(copy, ",", &save); item != NULL && rv == 0;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*item != '\0')
			rv = bind_one(reg, item, cause);
	}
	free(copy);
	return (rv);
}
