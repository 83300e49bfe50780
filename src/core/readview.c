/*
 * Read views: one reference to either a fresh snapshot or live data, so
 * a read tool answers from whichever it got without caring which.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

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
