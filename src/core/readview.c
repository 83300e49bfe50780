/*
 * Read views: one reference to either a fresh snapshot or live data, so
 * a read tool answers from whichever it got without caring which.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "core/call.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"

/* Takes the snapshot when it holds data no older than max_age_s. */
bool
read_view_snapshot(struct rt_instance *in, json_int_t max_age_s,
    struct read_view *v)
{
	struct snapshot *s;
	int64_t age;

	memset(v, 0, sizeof *v);
	if (max_age_s <= 0 || (s = snapshot_acquire(&in->slot)) == NULL)
		return (false);
	age = snapshot_age_ms(s);
	if (s->data != NULL && age >= 0 && age <= max_age_s * 1000) {
		v->snap = s;
		v->data = s->data;
		v->age_ms = age;
		return (true);
	}
	snapshot_release(s);
	return (false);
}

/* The fresh snapshot, or a live fetch. */
int
read_view_get(struct rt_instance *in, json_int_t max_age_s,
    json_t *(*fetch)(void *, int *, char **), void *arg, struct read_view *v,
    char **cause)
{
	int kind = 0;

	if (read_view_snapshot(in, max_age_s, v))
		return (0);
	if ((v->live = fetch(arg, &kind, cause)) == NULL)
		return (-1);
	v->data = v->live;
	return (0);
}

/* Drops what a view holds. */
void
read_view_put(struct read_view *v)
{
	snapshot_release(v->snap);
	json_decref(v->live);
	memset(v, 0, sizeof *v);
}

/* A list read over one section of every covered instance's data. */
int
read_view_list(struct rt_call *c, json_int_t default_max_age_s,
    json_t *(*fetch)(void *arg, int *kind, char **cause),
    const char *section, bool (*match)(struct rt_call *, const json_t *))
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *items, *errors;
	const json_t *row;
	int64_t age = 0;
	char *why;
	size_t n, i, j, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    default_max_age_s), fetch, ins[i]->state, &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		json_array_foreach(json_object_get(v.data, section), j, row) {
			if (match(c, row))
				json_array_append_new(items,
				    json_deep_copy(row));
		}
		if (v.age_ms > age)
			age = v.age_ms;
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, age, errors));
}
