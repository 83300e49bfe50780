/*
 * The F key: asks for an IP, a MAC, a host name or a name, calls
 * racktop_find through the pool like any key, and shows its answer as
 * text in a modal, one block per service that knows the thing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "ui/ui.h"

/* The operator answered (NULL: Esc). */
static void
find_answered(struct ui *ui, const char *line, void *arg)
{
	char label[300];

	(void)arg;
	ui->prompt_done = NULL;
	ui->prompt_arg = NULL;
	if (line == NULL)
		return;
	while (*line == ' ')
		line++;
	if (*line == '\0') {
		app_message(ui, ROLE_DIM, "find: nothing asked");
		return;
	}
	snprintf(label, sizeof label, "find %s", line);
	app_call(ui, "racktop_find", json_pack("{s:s, s:i}", "query", line,
	    "limit", 1000), label, true);
}

/* Starts the question. */
void
find_start(struct ui *ui)
{
	ui->prompt_done = find_answered;
	ui->prompt_arg = NULL;
	edit_start(ui, EDIT_PROMPT, "find (IP, MAC, host name or name): ",
	    NULL);
}

/* Appends a detail value as text: strings bare, arrays joined by ", ". */
static void
find_value(char **out, const json_t *v)
{
	const json_t *e;
	char *s, *t;
	size_t i;

	if (json_is_string(v)) {
		xasprintf(&t, "%s%s", *out, json_string_value(v));
	} else if (json_is_array(v)) {
		t = xstrdup(*out);
		json_array_foreach(v, i, e) {
			s = json_is_string(e) ? xstrdup(json_string_value(e)) :
			    json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
			free(*out);
			xasprintf(out, "%s%s%s", t, i > 0 ? ", " : "",
			    s != NULL ? s : "");
			free(s);
			free(t);
			t = xstrdup(*out);
		}
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		xasprintf(&t, "%s%s", *out, s != NULL ? s : "");
		free(s);
	}
	free(*out);
	*out = t;
}

/* The text of a racktop_find result. */
char *
find_text(const json_t *r)
{
	const json_t *items = json_object_get(r, "items"), *h, *v, *e;
	const char *k;
	char *out, *line, *t;
	size_t i;

	xasprintf(&out, "%s (%s): %zu %s\n", json_string_value(
	    json_object_get(r, "query")) != NULL ? json_string_value(
	    json_object_get(r, "query")) : "?", json_string_value(
	    json_object_get(r, "query_kind")) != NULL ? json_string_value(
	    json_object_get(r, "query_kind")) : "?", json_array_size(items),
	    json_array_size(items) == 1 ? "match" : "matches");
	if (json_array_size(items) == 0) {
		t = out;
		xasprintf(&out, "%s\nNo service's snapshot knows it.\n", t);
		free(t);
	}
	json_array_foreach(items, i, h) {
		t = out;
		xasprintf(&out, "%s\n%s/%s  %s %s  (by %s, %lld s old)\n", t,
		    json_string_value(json_object_get(h, "service")),
		    json_string_value(json_object_get(h, "instance")),
		    json_string_value(json_object_get(h, "kind")),
		    json_string_value(json_object_get(h, "name")),
		    json_string_value(json_object_get(h, "match")),
		    (long long)json_integer_value(json_object_get(h,
		    "age_ms")) / 1000);
		free(t);
		json_object_foreach((json_t *)json_object_get(h, "detail"), k,
		    v) {
			if (json_is_null(v) || (json_is_array(v) &&
			    json_array_size(v) == 0))
				continue;
			xasprintf(&line, "  %-12s ", k);
			find_value(&line, v);
			t = out;
			xasprintf(&out, "%s%s\n", t, line);
			free(t);
			free(line);
		}
	}
	json_array_foreach(json_object_get(r, "instance_errors"), i, e) {
		t = out;
		xasprintf(&out, "%s\n%s: no data (%s)\n", t, json_string_value(
		    json_object_get(e, "instance")), json_string_value(
		    json_object_get(e, "error")));
		free(t);
	}
	return (out);
}
