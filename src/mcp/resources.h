/*
 * MCP resources: each configured instance's live snapshot, read-only, as
 * racktop://SERVICE/INSTANCE/snapshot, and the hub that turns snapshot
 * publications into events on the MCP thread's completion queue.
 *
 * Threads: res_watch and res_unwatch run on the context's owner; the
 * published hook runs on whichever thread publishes (a poller, a worker)
 * and only allocates and queues an event. Everything else runs on the
 * owner, which reads the snapshot it serialises and never touches the
 * shared tree's json_t reference counts.
 */
#ifndef RT_MCP_RESOURCES_H
#define RT_MCP_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jobs.h"

struct registry;
struct rt_instance;
struct jr_buf;

#define RES_SCHEME "racktop://"
#define RES_TEMPLATE "racktop://{service}/{instance}/snapshot"
/* Every problem across instances (core/problems.h), at index ninstances. */
#define RES_PROBLEMS "racktop://problems"

/* An instance's snapshot was published: queued for the owner. */
struct res_event {
	struct job job;		/* first; job.run == res_marker */
	size_t instance;	/* index in the registry */
};

/* Never runs: marks a res_event on a completion queue. */
void res_marker(struct job *);

/*
 * Queues a res_event on q whenever an instance of reg publishes, from
 * now until res_unwatch(q). Installs the slots' published hook the first
 * time (before the pollers start); a hook someone else installed is left
 * alone, with a warning.
 */
void res_watch(struct registry *, struct job_queue *q);
void res_unwatch(struct job_queue *q);

/* The index standing for RES_PROBLEMS: one past the last instance. */
size_t res_problems_index(struct registry *);
/* A digest of the problems list, to tell whether it changed. */
uint64_t res_problems_digest(struct registry *);
/* The URI of instance i (or of the problems) into buf. */
void res_uri(struct registry *, size_t i, char *buf, size_t len);
/* The instance a URI names, or -1. */
long res_find(struct registry *, const char *uri);
/* The Resource objects, one per instance; titles from 2025-06-18. */
json_t *res_list(struct registry *, bool titles);
/* The ResourceTemplate objects. */
json_t *res_templates(bool titles);
/*
 * The JSON text of instance i's snapshot envelope into b, and the ms it
 * stays fresh (until the next poll is due).
 */
int64_t res_read(struct registry *, size_t i, struct jr_buf *b);
/*
 * Completion values for an argument of the URI template; NULL when uri
 * is not our template.
 */
json_t *res_complete(struct registry *, const char *uri, const char *arg,
    const char *value, const json_t *context);
/* Instance names (of service, or any when NULL) starting with prefix. */
json_t *res_instance_names(struct registry *, const char *service,
    const char *prefix);

#endif
