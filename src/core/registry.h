/*
 * The registry: services, their tools with compiled schemas, and the
 * configured instances with their pollers and snapshot slots.
 *
 * Built on the main thread before any other thread starts, then read-only
 * except for what each instance's slot and poller own.
 */
#ifndef RT_REGISTRY_H
#define RT_REGISTRY_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"
#include "core/service.h"
#include "core/snapshot.h"

struct schema;
struct registry;

struct rt_instance {
	const struct rt_service *service;
	struct registry *reg;	/* the registry that holds it */
	char *name;
	const struct rt_instance_conf *conf;	/* borrowed from the config */
	void *state;				/* the backend's */
	struct snapshot_slot slot;
	int refresh_s;
	/* Written by the poller, read by anyone (metrics). */
	atomic_uint_fast64_t polls;		/* attempted */
	atomic_uint_fast64_t poll_errors;	/* failed */
	atomic_int_fast64_t last_poll_us;	/* duration of the last one */

	pthread_t poller;
	bool poller_running;
	pthread_mutex_t lock;	/* guards the fields below */
	pthread_cond_t cond;
	bool stop;
	bool refresh_now;
};

struct registry_tool {
	const struct rt_tool *tool;
	const struct rt_service *service;
	struct registry *reg;
	json_t *input_json;		/* parsed schemas, the registry's */
	json_t *output_json;
	struct schema *input;		/* compiled */
	struct schema *output;
};

/*
 * Compiles every tool of every service in table (NULL-terminated). NULL
 * and *cause on a schema that does not parse or compile.
 */
struct registry *registry_create(const struct rt_service *const *table,
    char **cause);
void registry_destroy(struct registry *);

/* Names of the services, NULL-terminated, for conf_load. Borrowed. */
const char *const *registry_service_names(struct registry *);

/* Creates instances for each config section. -1 and *cause on error. */
int registry_add_instances(struct registry *, const struct rt_config *,
    char **cause);
/* Starts one poller thread per instance that polls. */
void registry_start_pollers(struct registry *);
/* Stops and joins the pollers. */
void registry_stop_pollers(struct registry *);

size_t registry_ntools(struct registry *);
const struct registry_tool *registry_tool_at(struct registry *, size_t);
const struct registry_tool *registry_find(struct registry *, const char *);

size_t registry_ninstances(struct registry *);
struct rt_instance *registry_instance_at(struct registry *, size_t);
/* Instances of one service, in config order; *n receives the count. */
struct rt_instance **registry_instances_of(struct registry *,
    const struct rt_service *, size_t *n);

/* The MCP Tool object (name, title, description, schemas, annotations). */
json_t *registry_tool_json(const struct registry_tool *);
/* The whole catalog as a JSON array, in registry order. New reference. */
json_t *registry_catalog(struct registry *);

/*
 * Checks the invariants every service must hold: names unique and
 * prefixed with their service, descriptions and titles present, flags
 * consistent, an output schema of type object for every tool, describe
 * for destructive tools, and every "pattern" accompanied by "examples"
 * it accepts and "x-counterexamples" it rejects. 0, or -1 with *cause.
 */
int registry_check(struct registry *, char **cause);

/* Asks an instance's poller for an early refresh (after a write). */
void instance_refresh_soon(struct rt_instance *);

#endif
