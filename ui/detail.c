/*
 * The detail view of a row (Enter): every field of the selected row and,
 * under them, the memories linked to the row's inventory id, the entity
 * its service gives it (rt_service.entity: "pve:qemu/101", "docker:NAME",
 * "unifi:MAC").
 *
 * DESIGN: the memories come from memory_list, called like a key's call on
 * the worker pool (app_lookup), one call per memory instance, so the
 * screen never waits for PostgreSQL. The modal opens at once saying it is
 * looking, and each answer refills it, provided the modal open is still
 * the one it was for (its sequence number): an answer that comes back
 * after the operator moved on is dropped. Everything here runs on the
 * main thread.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/registry.h"
#include "core/service.h"
#include "core/xmalloc.h"
#include "ui/ui.h"

/* The tool that lists memories by entity, and how many a view shows. */
#define DETAIL_TOOL "memory_list"
#define DETAIL_LIMIT 20

/* One memory instance's part of the view. */
struct detail_part {
	char *instance;
	char *text;		/* NULL while the lookup runs */
};

struct detail {
	uint64_t seq;		/* the modal it fills */
	char *title;
	char *fields;
	char entity[256];
	struct detail_part *parts;
	size_t nparts;
	int wrap;		/* columns for a memory's text */
};

/* What a lookup's answer is for. */
struct detail_ref {
	uint64_t seq;
	size_t part;
};

/* Frees a detail. */
static void
detail_free(struct detail *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nparts; i++) {
		free(d->parts[i].instance);
		free(d->parts[i].text);
	}
	free(d->parts);
	free(d->title);
	free(d->fields);
	free(d);
}

/* Appends to a growing string. */
static void __attribute__((format(printf, 2, 3)))
add(char **s, const char *fmt, ...)
{
	va_list ap;
	char *more, *n;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) == -1)
		more = NULL;
	va_end(ap);
	if (more == NULL)
		return;
	xasprintf(&n, "%s%s", *s != NULL ? *s : "", more);
	free(more);
	free(*s);
	*s = n;
}

/*
 * Appends text indented, wrapped at spaces to width columns (a word
 * longer than that stays whole; the modal cuts it). Counting bytes keeps
 * lines of wide characters short, never splits one.
 */
static void
add_wrapped(char **s, const char *text, const char *indent, int width)
{
	const char *p = text, *end, *brk, *q;
	size_t w = width > 20 ? (size_t)width : 20;

	while (*p != '\0') {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		while ((size_t)(end - p) > w) {
			brk = NULL;
			for (q = p; q < p + w; q++) {
				if (*q == ' ')
					brk = q;
			}
			if (brk == NULL || brk == p)
				break;
			add(s, "%s%.*s\n", indent, (int)(brk - p), p);
			p = brk + 1;
		}
		add(s, "%s%.*s\n", indent, (int)(end - p), p);
		p = *end == '\n' ? end + 1 : end;
	}
}

/* "2026-11-25T10:00:00.123456Z" as "2026-11-25 10:00 UTC". */
static void
when(const char *iso, char *buf, size_t len)
{
	if (iso == NULL || strlen(iso) < 16 || iso[10] != 'T')
		snprintf(buf, len, "%s", iso != NULL ? iso : "?");
	else
		snprintf(buf, len, "%.10s %.5s UTC", iso, iso + 11);
}

/* One instance's answer as text: its memories, none, or the error. */
static char *
part_text(const struct detail *d, const struct rt_call *c)
{
	const json_t *items, *it, *total;
	const char *user, *agent, *memory;
	char *out = NULL, at[40];
	size_t i;

	if (c == NULL || call_failed(c)) {
		add(&out, "  error: %s\n", c != NULL && c->error != NULL ?
		    c->error : "the lookup did not run");
		return (out);
	}
	items = json_object_get(c->result, "items");
	total = json_object_get(c->result, "total");
	if (json_array_size(items) == 0) {
		add(&out, "  no memories\n");
		return (out);
	}
	json_array_foreach((json_t *)(uintptr_t)items, i, it) {
		when(json_string_value(json_object_get(it, "updated_at")), at,
		    sizeof at);
		user = json_string_value(json_object_get(it, "user_id"));
		agent = json_string_value(json_object_get(it, "agent_id"));
		memory = json_string_value(json_object_get(it, "memory"));
		add(&out, "  %s  %s%s%s\n", at, agent != NULL ? agent : "?",
		    user != NULL ? ", user " : "", user != NULL ? user : "");
		add_wrapped(&out, memory != NULL ? memory : "", "    ",
		    d->wrap);
	}
	if (json_is_integer(total) &&
	    (size_t)json_integer_value(total) > json_array_size(items))
		add(&out, "  ... and %lld more (%s entity=%s)\n",
		    (long long)json_integer_value(total) -
		    (long long)json_array_size(items), DETAIL_TOOL, d->entity);
	return (out);
}

/* The whole text of the view; new string. */
static char *
detail_text(const struct detail *d)
{
	char *out = xstrdup(d->fields);
	size_t i, shown = 0;

	for (i = 0; i < d->nparts; i++) {
		if (d->parts[i].text == NULL)
			continue;
		shown++;
	}
	add(&out, "\nMemories of %s", d->entity);
	if (d->nparts == 0) {
		add(&out, ":\n  memory not configured (a [memory \"NAME\"] "
		    "section with conninfo)\n");
		return (out);
	}
	add(&out, "%s\n", shown < d->nparts ? " (looking up...):" : ":");
	for (i = 0; i < d->nparts; i++) {
		if (d->nparts > 1)
			add(&out, " in %s:\n", d->parts[i].instance);
		if (d->parts[i].text != NULL)
			add(&out, "%s", d->parts[i].text);
		else
			add(&out, "  ...\n");
	}
	return (out);
}

/* A lookup came back: fills its part and the modal, if still open. */
static void
detail_answer(struct ui *ui, const struct rt_call *c, void *arg)
{
	struct detail_ref *ref = arg;
	struct detail *d = ui->detail;
	char *text;

	if (d != NULL && d->seq == ref->seq && ref->part < d->nparts) {
		free(d->parts[ref->part].text);
		d->parts[ref->part].text = part_text(d, c);
		text = detail_text(d);
		modal_text_replace(ui, d->seq, text);
		free(text);
	}
	free(ref);
}

/*
 * Opens the detail of the focused pane's selected row, and looks up its
 * memories when the row has an entity.
 */
void
detail_open(struct ui *ui)
{
	const struct rt_service *svc = pane_table_service(ui->focus);
	const struct rt_view *v = pane_table_view(ui->focus);
	const json_t *row = pane_table_selected(ui->focus);
	const struct registry_tool *t;
	struct rt_instance **insts = NULL;
	struct detail_ref *ref;
	struct detail *d;
	char *fields, *text;
	size_t n = 0, i;
	int w;

	if ((fields = pane_table_detail(ui->focus)) == NULL)
		return;
	detail_free(ui->detail);
	ui->detail = NULL;
	d = xcalloc(1, sizeof *d);
	if (svc == NULL || v == NULL || row == NULL || svc->entity == NULL ||
	    !svc->entity(v, row, d->entity, sizeof d->entity)) {
		modal_text(ui, ui->focus->title, fields);
		free(fields);
		free(d);
		return;
	}
	d->fields = fields;
	d->title = xstrdup(ui->focus->title);
	/* The modal's width (modal.c), less the text's indent. */
	w = ui->cols - 8 > 100 ? 100 : ui->cols - 8;
	d->wrap = w - 6;
	if ((t = registry_find(ui->reg, DETAIL_TOOL)) != NULL)
		insts = registry_instances_of(ui->reg, t->service, &n);
	d->parts = xcalloc(n + 1, sizeof *d->parts);
	d->nparts = n;
	for (i = 0; i < n; i++)
		d->parts[i].instance = xstrdup(insts[i]->name);
	free(insts);
	text = detail_text(d);
	modal_text(ui, d->title, text);
	free(text);
	d->seq = ui->modal_seq;
	ui->detail = d;
	for (i = 0; i < d->nparts; i++) {
		ref = xcalloc(1, sizeof *ref);
		ref->seq = d->seq;
		ref->part = i;
		if (!app_lookup(ui, DETAIL_TOOL, json_pack("{s:s, s:s, s:i}",
		    "instance", d->parts[i].instance, "entity", d->entity,
		    "limit", DETAIL_LIMIT), detail_answer, ref))
			free(ref);
	}
}

/* Frees the last detail's state, at quit. */
void
detail_free_all(struct ui *ui)
{
	detail_free(ui->detail);
	ui->detail = NULL;
}
