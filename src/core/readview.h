/*
 * The data a read answers from: the instance's snapshot when it is fresh
 * enough, else a live fetch. max_age_s 0 forces the live fetch, and so
 * does a missing snapshot (lazy mode) or one without data.
 */
#ifndef RT_READVIEW_H
#define RT_READVIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct rt_instance;
struct snapshot;

struct read_view {
	struct snapshot *snap;	/* a reference, or NULL */
	json_t *live;		/* owned, or NULL */
	const json_t *data;	/* borrowed from one of the above */
	int64_t age_ms;		/* 0 for live data */
};

/*
 * Fills the view from the snapshot when it holds data no older than
 * max_age_s (never when max_age_s is 0) and returns true; else the view is
 * left empty.
 */
bool read_view_snapshot(struct rt_instance *, json_int_t max_age_s,
    struct read_view *);
/*
 * The snapshot as above, or fetch(arg, &kind, cause) otherwise. 0, or -1
 * with *cause (caller frees). Release the view with read_view_put either
 * way.
 */
int read_view_get(struct rt_instance *, json_int_t max_age_s,
    json_t *(*fetch)(void *arg, int *kind, char **cause), void *arg,
    struct read_view *, char **cause);
/*
 * A list tool over one section of the data ("guests", "clients") of every
 * instance the call covers: rows that match are copied out, each
 * instance's failure goes into instance_errors, and the call fails only
 * when every instance failed. fetch gets the instance's state. Returns
 * the tool's result (0 or -1).
 */
struct rt_call;
int read_view_list(struct rt_call *, json_int_t default_max_age_s,
    json_t *(*fetch)(void *arg, int *kind, char **cause),
    const char *section, bool (*match)(struct rt_call *, const json_t *));
/* Drops the snapshot reference and the live data; the view is then empty. */
void read_view_put(struct read_view *);

#endif
