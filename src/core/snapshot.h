/*
 * Immutable snapshots of an instance's live data.
 *
 * A poller builds the JSON tree, wraps it in a snapshot and publishes it
 * into the instance's slot; readers (UI, workers, MCP resources) acquire a
 * reference and read without locking. The tree is never modified after
 * publication and its json_t refcounts are never touched by readers: copy
 * out with json_deep_copy. Our own atomic count decides when it is freed.
 *
 * A failed poll publishes a snapshot that keeps the previous data (shared,
 * counted separately) with the new error, so "age of data" and "last
 * error" always come from one consistent object.
 */
#ifndef RT_SNAPSHOT_H
#define RT_SNAPSHOT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct snapshot_data;

struct snapshot {
	atomic_int refs;
	struct snapshot_data *shared;
	const json_t *data;	/* borrowed from shared; NULL before any success */
	char *error;		/* last poll's error, or NULL */
	int error_kind;		/* enum rt_err_kind, 0 when no error */
	int64_t fetched_ms;	/* wall time the data was fetched (0: never) */
	int64_t fetched_mono;	/* monotonic time of the same */
	int64_t attempted_mono;	/* monotonic time of the last poll */
	uint64_t generation;	/* set on publish: 1, 2, ... */
};

struct snapshot_slot {
	pthread_mutex_t lock;
	struct snapshot *cur;
	uint64_t generation;
	/* Called after each publish, outside the lock (may be NULL). */
	void (*published)(struct snapshot_slot *, void *);
	void *published_arg;
};

void snapshot_slot_init(struct snapshot_slot *);
void snapshot_slot_finish(struct snapshot_slot *);

/* A successful poll: steals data. */
void snapshot_publish(struct snapshot_slot *, json_t *data);
/* A failed poll: keeps the previous data, records error (copied). */
void snapshot_publish_error(struct snapshot_slot *, int kind,
    const char *error);

/*
 * An attached dashboard's mirror of a remote racktop's snapshot (mcp/
 * remote.c): data stolen (NULL: keep the previous data), the error (NULL:
 * none), and ages as the remote measured them (-1: never), so ages and
 * errors read as they do at the remote.
 */
void snapshot_publish_mirror(struct snapshot_slot *, json_t *data,
    int kind, const char *error, int64_t fetched_ms, int64_t age_ms,
    int64_t attempt_age_ms);
/* A new reference to the current snapshot, or NULL before the first. */
struct snapshot *snapshot_acquire(struct snapshot_slot *);
/* The generation last published (0: none); cheap, for dirty checks. */
uint64_t snapshot_generation(struct snapshot_slot *);
/* Drops a reference; NULL is a no-op. */
void snapshot_release(struct snapshot *);
/* Age of the data in ms, or -1 when there is none. */
int64_t snapshot_age_ms(const struct snapshot *);

#endif
