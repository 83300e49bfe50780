/*
 * Portainer backend: the pure parse half (portainer-parse.c), shared by
 * the transport and tools in portainer.c, by docker.c (a Docker instance
 * reached through a Portainer environment) and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use, never the upstream tree.
 *
 * Snapshot layout:
 *   { "endpoints": [ {instance, id, name, type, type_id, url, status,
 *                     group_id, tag_ids, tags, engine_version, containers,
 *                     running, stopped, healthy, unhealthy, images,
 *                     volumes, services, stacks, nodes, cpus, memory,
 *                     snapshot_time, swarm} ],
 *     "stacks":    [ {instance, id, name, type, endpoint_id, endpoint,
 *                     status, created, updated, created_by, updated_by} ] }
 */
#ifndef RT_PORTAINER_H
#define RT_PORTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct http_opts;
struct registry;

/*
 * Environment ("endpoint") rows from GET /api/endpoints. tags is the
 * answer of GET /api/tags ([{ID, Name}]) or NULL, to name tag ids. New
 * array, or NULL with *cause (caller frees) when data is not an array.
 */
json_t *portainer_parse_endpoints(const json_t *data, const json_t *tags,
    const char *instance, char **cause);

/*
 * Stack rows from GET /api/stacks; endpoints (rows as above, may be NULL)
 * name each stack's environment. New array, or NULL with *cause when data
 * is not an array.
 */
json_t *portainer_parse_stacks(const json_t *data, const json_t *endpoints,
    const char *instance, char **cause);

/* One stack row from a Stack object (POST, PUT, start, stop answers). */
json_t *portainer_stack_row(const json_t *stack, const char *instance);

/*
 * The resource usage item of an endpoint row: CPU and memory totals,
 * running and stopped containers, images, volumes. New object.
 */
json_t *portainer_usage_row(const json_t *endpoint);

/* "docker", "agent", "azure", "edge-agent", "kubernetes", ... by Type. */
const char *portainer_endpoint_type(json_int_t type);

/*
 * Compose environment variables as Portainer takes them, [{"name",
 * "value"}], from an object of strings (NULL: empty). New array, or NULL
 * with *cause naming the first value that is not a string.
 */
json_t *portainer_env_pairs(const json_t *env, char **cause);

/*
 * Splits "portainer://INSTANCE/ENDPOINT_ID" (what a Docker instance's url
 * may say): 0 with the instance name in name (at most len bytes) and the
 * id in *id, or -1 with *cause (caller frees).
 */
int portainer_url_parse(const char *url, char *name, size_t len, long *id,
    char **cause);

/*
 * Where a Docker instance reaches a Portainer environment's Docker proxy:
 * the Portainer instance named name in reg must exist (created before
 * the Docker one). Fills opts (base_url "https://HOST/api/endpoints/ID/
 * docker" and auth_header "X-API-Key: ..." allocated for the caller to
 * free, TLS options borrowed from the Portainer instance, which outlives
 * it). 0, or -1 with *cause. Implemented in portainer.c.
 */
int portainer_docker_route(struct registry *reg, const char *name, long id,
    struct http_opts *opts, char **cause);

#endif
