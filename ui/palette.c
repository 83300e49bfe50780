/*
 * The bottom-line editor and what uses it: `/` filters the focused pane as
 * you type; `:` is the command palette, "TOOL key=value ...", which
 * completes tool names and then argument names from the tool's input
 * schema (Tab) and calls the tool through the same path as a key; and
 * prompts for a value a modal asks for.
 */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

#define KEY_ESC 27

/* Starts editing on the bottom line. */
void
edit_start(struct ui *ui, enum edit_mode mode, const char *prompt,
    const char *initial)
{
	ui->edit = mode;
	snprintf(ui->edit_prompt, sizeof ui->edit_prompt, "%s", prompt);
	snprintf(ui->edit_buf, sizeof ui->edit_buf, "%s",
	    initial != NULL ? initial : "");
	ui->edit_len = ui->edit_cursor = strlen(ui->edit_buf);
	curs_set(1);
}

/* Ends editing. */
static void
edit_stop(struct ui *ui)
{
	ui->edit = EDIT_NONE;
	curs_set(0);
}

/* Draws the editor on row y with the cursor in place. */
void
edit_draw(struct ui *ui, int y)
{
	int pw = (int)strlen(ui->edit_prompt);

	ui_put(y, 0, pw, ui->edit_prompt, ROLE_KEY);
	ui_put(y, pw, ui->cols - pw, ui->edit_buf, ROLE_NORMAL);
	move(y, pw + (int)ui->edit_cursor);
}

/* The longest common prefix length of two strings. */
static size_t
common(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return (n);
}

/* Replaces the word [start, cursor) with text. */
static void
replace_word(struct ui *ui, size_t start, const char *text)
{
	char rest[512];
	size_t tl = strlen(text);

	snprintf(rest, sizeof rest, "%s", ui->edit_buf + ui->edit_cursor);
	if (start + tl + strlen(rest) + 1 >= sizeof ui->edit_buf)
		return;
	memcpy(ui->edit_buf + start, text, tl);
	strcpy(ui->edit_buf + start + tl, rest);
	ui->edit_cursor = start + tl;
	ui->edit_len = strlen(ui->edit_buf);
}

/* The tool named by the first word of the line, or NULL. */
static const struct registry_tool *
line_tool(struct ui *ui, const char *line)
{
	char name[128];
	size_t n = strcspn(line, " ");

	if (n >= sizeof name)
		return (NULL);
	memcpy(name, line, n);
	name[n] = '\0';
	return (registry_find(ui->reg, name));
}

/* Completes the word before the cursor: a tool name, then arguments. */
void
palette_complete(struct ui *ui)
{
	const struct registry_tool *t;
	const json_t *props;
	char best[128] = "", list[256] = "", *word;
	size_t start = ui->edit_cursor, i, n, matches = 0, ntools, bl = 0;
	const char *name, *k;
	json_t *v;

	while (start > 0 && ui->edit_buf[start - 1] != ' ')
		start--;
	word = xstrndup(ui->edit_buf + start, ui->edit_cursor - start);
	if (start == 0) {
		ntools = registry_ntools(ui->reg);
		for (i = 0; i < ntools; i++) {
			name = registry_tool_at(ui->reg, i)->tool->name;
			if (strncmp(name, word, strlen(word)) != 0)
				continue;
			if (matches++ == 0) {
				snprintf(best, sizeof best, "%s", name);
				bl = strlen(best);
			} else
				bl = common(best, name) < bl ?
				    common(best, name) : bl;
			if (strlen(list) + strlen(name) + 2 < sizeof list)
				snprintf(list + strlen(list), sizeof list -
				    strlen(list), "%s ", name);
		}
		best[bl] = '\0';
		if (matches == 1)
			strcat(best, " ");
	} else if (strchr(word, '=') == NULL &&
	    (t = line_tool(ui, ui->edit_buf)) != NULL) {
		props = json_object_get(t->input_json, "properties");
		json_object_foreach((json_t *)(uintptr_t)props, k, v) {
			if (strncmp(k, word, strlen(word)) != 0)
				continue;
			n = strlen(k);
			if (matches++ == 0) {
				snprintf(best, sizeof best, "%s", k);
				bl = n;
			} else
				bl = common(best, k) < bl ? common(best, k) :
				    bl;
			if (strlen(list) + n + 2 < sizeof list)
				snprintf(list + strlen(list), sizeof list -
				    strlen(list), "%s ", k);
		}
		best[bl] = '\0';
		if (matches == 1)
			strcat(best, "=");
	}
	if (matches > 0 && strlen(best) >= strlen(word))
		replace_word(ui, start, best);
	if (matches > 1)
		app_message(ui, ROLE_DIM, "%s", list);
	else if (matches == 0)
		app_message(ui, ROLE_WARN, "no completion for \"%s\"", word);
	free(word);
}

/* Converts a k=v value by the type the schema gives the key. */
static json_t *
coerce(const json_t *prop, const char *v)
{
	const char *t = json_string_value(json_object_get(prop, "type"));
	json_t *j;

	if (t != NULL && strcmp(t, "string") == 0)
		return (json_string(v));
	if ((j = json_loads(v, JSON_DECODE_ANY, NULL)) != NULL)
		return (j);
	return (json_string(v));
}

/* Runs a palette line: TOOL [key=value ...] (values may be "quoted"). */
void
palette_run(struct ui *ui, const char *line)
{
	const struct registry_tool *t;
	const json_t *props;
	json_t *args;
	char *copy, *p, *key, *val, *end;

	while (*line == ' ')
		line++;
	if (*line == '\0')
		return;
	if ((t = line_tool(ui, line)) == NULL) {
		app_message(ui, ROLE_CRIT, "no tool %.*s (Tab completes)",
		    (int)strcspn(line, " "), line);
		return;
	}
	props = json_object_get(t->input_json, "properties");
	args = json_object();
	copy = xstrdup(line + strcspn(line, " "));
	for (p = copy; *p != '\0';) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		key = p;
		end = strchr(p, ' ');
		if ((val = strchr(p, '=')) == NULL ||
		    (end != NULL && end < val)) {
			app_message(ui, ROLE_CRIT, "expected key=value at "
			    "\"%.20s\"", p);
			json_decref(args);
			free(copy);
			return;
		}
		*val++ = '\0';
		if (*val == '"') {
			val++;
			end = strchr(val, '"');
		} else
			end = strchr(val, ' ');
		if (end != NULL)
			*end++ = '\0';
		p = end != NULL ? end : val + strlen(val);
		json_object_set_new(args, key, coerce(json_object_get(props,
		    key), val));
	}
	free(copy);
	app_call(ui, t->tool->name, args, NULL, true);
}

/* Handles a key while editing; 1 when used. */
int
edit_key(struct ui *ui, int key)
{
	enum edit_mode mode = ui->edit;
	char line[512];

	switch (key) {
	case KEY_ESC:
	case 'G' - '@':
		edit_stop(ui);
		if (mode == EDIT_FILTER)
			pane_table_set_filter(ui->focus, "");
		if (mode == EDIT_PROMPT && ui->prompt_done != NULL)
			ui->prompt_done(ui, NULL, ui->prompt_arg);
		return (1);
	case '\n':
	case '\r':
	case KEY_ENTER:
		snprintf(line, sizeof line, "%s", ui->edit_buf);
		edit_stop(ui);
		if (mode == EDIT_PALETTE)
			palette_run(ui, line);
		else if (mode == EDIT_PROMPT && ui->prompt_done != NULL)
			ui->prompt_done(ui, line, ui->prompt_arg);
		return (1);
	case '\t':
		if (mode == EDIT_PALETTE)
			palette_complete(ui);
		return (1);
	case KEY_BACKSPACE:
	case 127:
	case 'H' - '@':
		if (ui->edit_cursor == 0)
			break;
		memmove(ui->edit_buf + ui->edit_cursor - 1,
		    ui->edit_buf + ui->edit_cursor,
		    ui->edit_len - ui->edit_cursor + 1);
		ui->edit_cursor--;
		ui->edit_len--;
		break;
	case KEY_DC:
		if (ui->edit_cursor == ui->edit_len)
			break;
		memmove(ui->edit_buf + ui->edit_cursor,
		    ui->edit_buf + ui->edit_cursor + 1,
		    ui->edit_len - ui->edit_cursor);
		ui->edit_len--;
		break;
	case KEY_LEFT:
		if (ui->edit_cursor > 0)
			ui->edit_cursor--;
		return (1);
	case KEY_RIGHT:
		if (ui->edit_cursor < ui->edit_len)
			ui->edit_cursor++;
		return (1);
	case KEY_HOME:
	case 'A' - '@':
		ui->edit_cursor = 0;
		return (1);
	case KEY_END:
	case 'E' - '@':
		ui->edit_cursor = ui->edit_len;
		return (1);
	case 'U' - '@':
		ui->edit_buf[0] = '\0';
		ui->edit_len = ui->edit_cursor = 0;
		break;
	default:
		if (key < 32 || key > 255 ||
		    ui->edit_len + 1 >= sizeof ui->edit_buf)
			return (1);
		memmove(ui->edit_buf + ui->edit_cursor + 1,
		    ui->edit_buf + ui->edit_cursor,
		    ui->edit_len - ui->edit_cursor + 1);
		ui->edit_buf[ui->edit_cursor++] = (char)key;
		ui->edit_len++;
		break;
	}
	if (mode == EDIT_FILTER)
		pane_table_set_filter(ui->focus, ui->edit_buf);
	return (1);
}
