/*
 * Snapshot store: publication under a short mutex, reading by reference.
 *
 * The mutex covers only the pointer swap and the count increment that
 * must happen before the pointer can be replaced; readers then hold their
 * own reference for as long as they draw or copy. Counts are C11 atomics;
 * the drop is acq_rel (not a separate fence, which TSan cannot see), so
 * the freeing thread sees every write the publisher made.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonarena.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"

struct snapshot_data {
	atomic_int refs;
	json_t *root;
	struct json_arena *arena;	/* owns root when not NULL */
};

/* Initialises an empty slot. */
void
snapshot_slot_init(struct snapshot_slot *slot)
{
	memset(slot, 0, sizeof *slot);
	pthread_mutex_init(&slot->lock, NULL);
}

/* Releases the slot's snapshot; readers may still hold their own. */
void
snapshot_slot_finish(struct snapshot_slot *slot)
{
	snapshot_release(slot->cur);
	slot->cur = NULL;
	pthread_mutex_destroy(&slot->lock);
}

static void
data_release(struct snapshot_data *d)
{
	if (d == NULL)
		return;
	if (atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (d->arena != NULL)
		json_arena_free(d->arena);
	else
		json_decref(d->root);
	free(d);
}

static void
publish(struct snapshot_slot *slot, struct snapshot *s)
{
	struct snapshot *old;

	pthread_mutex_lock(&slot->lock);
	old = slot->cur;
	s->generation = ++slot->generation;
	slot->cur = s;
	pthread_mutex_unlock(&slot->lock);
	snapshot_release(old);
	if (slot->published != NULL)
		slot->published(slot, slot->published_arg);
}

/* Publishes freshly polled data, stealing the reference. */
void
snapshot_publish(struct snapshot_slot *slot, json_t *data)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	struct snapshot_data *d = xcalloc(1, sizeof *d);
	json_t *packed;

	/*
	 * Packed into an arena: whoever drops the last reference frees a few
	 * chunks, not the tree's every node, and the poll's short-lived
	 * blocks leave the heap free to be trimmed (jsonarena.h).
	 */
	if ((packed = json_arena_copy(data, &d->arena)) != NULL) {
		json_decref(data);
		data = packed;
	}
	atomic_init(&d->refs, 1);
	d->root = data;
	atomic_init(&s->refs, 1);
	s->shared = d;
	s->data = data;
	s->fetched_ms = clock_wall_ms();
	s->fetched_mono = s->attempted_mono = clock_mono_ms();
	publish(slot, s);
}

/* Publishes a failed poll that keeps the previous data. */
void
snapshot_publish_error(struct snapshot_slot *slot, int kind,
    const char *error)
{
	struct snapshot *s = xcalloc(1, sizeof *s), *prev;

	atomic_init(&s->refs, 1);
	s->error = xstrdup(error);
	s->error_kind = kind;
	s->attempted_mono = clock_mono_ms();
	prev = snapshot_acquire(slot);
	if (prev != NULL && prev->shared != NULL) {
		atomic_fetch_add_explicit(&prev->shared->refs, 1,
		    memory_order_relaxed);
		s->shared = prev->shared;
		s->data = prev->data;
		s->fetched_ms = prev->fetched_ms;
		s->fetched_mono = prev->fetched_mono;
	}
	snapshot_release(prev);
	publish(slot, s);
}

/* Publishes a copy of another process's snapshot (an attached mirror). */
void
snapshot_publish_mirror(struct snapshot_slot *slot, json_t *data,
    int kind, const char *error, int64_t fetched_ms, int64_t age_ms,
    int64_t attempt_age_ms)
{
	struct snapshot *s = xcalloc(1, sizeof *s), *prev;
	struct snapshot_data *d;
	int64_t now = clock_mono_ms();

	atomic_init(&s->refs, 1);
	if (data != NULL) {
		d = xcalloc(1, sizeof *d);
		atomic_init(&d->refs, 1);
		d->root = data;
		s->shared = d;
		s->data = data;
	} else if ((prev = snapshot_acquire(slot)) != NULL) {
		if (prev->shared != NULL) {
			atomic_fetch_add_explicit(&prev->shared->refs, 1,
			    memory_order_relaxed);
			s->shared = prev->shared;
			s->data = prev->data;
		}
		snapshot_release(prev);
	}
	if (error != NULL)
		s->error = xstrdup(error);
	s->error_kind = kind;
	if (age_ms >= 0) {
		s->fetched_ms = fetched_ms;
		/* Never 0: 0 means "never fetched". */
		s->fetched_mono = now - age_ms > 0 ? now - age_ms : 1;
	}
	s->attempted_mono = attempt_age_ms >= 0 ? now - attempt_age_ms : now;
	publish(slot, s);
}

/* Takes a reference to the current snapshot. */
struct snapshot *
snapshot_acquire(struct snapshot_slot *slot)
{
	struct snapshot *s;

	pthread_mutex_lock(&slot->lock);
	s = slot->cur;
	if (s != NULL)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&slot->lock);
	return (s);
}

/* The generation of the current snapshot. */
uint64_t
snapshot_generation(struct snapshot_slot *slot)
{
	uint64_t g;

	pthread_mutex_lock(&slot->lock);
	g = slot->generation;
	pthread_mutex_unlock(&slot->lock);
	return (g);
}

/* Drops a reference, freeing the snapshot with the last one. */
void
snapshot_release(struct snapshot *s)
{
	if (s == NULL)
		return;
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	data_release(s->shared);
	free(s->error);
	free(s);
}

/* How old the snapshot's data is. */
int64_t
snapshot_age_ms(const struct snapshot *s)
{
	if (s == NULL || s->fetched_mono == 0)
		return (-1);
	return (clock_mono_ms() - s->fetched_mono);
}
