/*
 * Portainer backend, parse half: pure functions from Portainer CE's JSON
 * (GET /api/endpoints, /api/tags, /api/stacks) to racktop's rows. Field
 * names follow api/portainer.go of portainer/portainer (release 2.21).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "services/portainer.h"

/* An integer member, or def when absent or not a number. */
static json_int_t
pt_int(const json_t *o, const char *key, json_int_t def)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (json_integer_value(v));
	/* A real out of range (or NaN) would make the cast undefined. */
	if (json_is_real(v) && json_real_value(v) > -9e18 &&
	    json_real_value(v) < 9e18)
		return ((json_int_t)json_real_value(v));
	return (def);
}

/* A string member, or def. */
static const char *
pt_str(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : def);
}

/* Portainer's EndpointType values (api/portainer.go). */
const char *
portainer_endpoint_type(json_int_t type)
{
	static const char *const names[] = {
		NULL, "docker", "agent", "azure", "edge-agent", "kubernetes",
		"kube-agent", "edge-kube",
	};

	if (type >= 1 && type < (json_int_t)(sizeof names / sizeof *names))
		return (names[type]);
	return ("unknown");
}

/* The name of tag id in GET /tags's answer, or NULL. */
static const char *
pt_tag_name(const json_t *tags, json_int_t id)
{
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		if (pt_int(t, "ID", -1) == id)
			return (pt_str(t, "Name", NULL));
	}
	return (NULL);
}

/* The snapshot numbers of a Docker environment into row. */
static void
pt_docker_snapshot(json_t *row, const json_t *s)
{
	json_object_set_new(row, "engine_version", json_string(pt_str(s,
	    "DockerVersion", "")));
	json_object_set_new(row, "containers", json_integer(pt_int(s,
	    "ContainerCount", pt_int(s, "RunningContainerCount", 0) +
	    pt_int(s, "StoppedContainerCount", 0))));
	json_object_set_new(row, "running", json_integer(pt_int(s,
	    "RunningContainerCount", 0)));
	json_object_set_new(row, "stopped", json_integer(pt_int(s,
	    "StoppedContainerCount", 0)));
	json_object_set_new(row, "healthy", json_integer(pt_int(s,
	    "HealthyContainerCount", 0)));
	json_object_set_new(row, "unhealthy", json_integer(pt_int(s,
	    "UnhealthyContainerCount", 0)));
	json_object_set_new(row, "images", json_integer(pt_int(s,
	    "ImageCount", 0)));
	json_object_set_new(row, "volumes", json_integer(pt_int(s,
	    "VolumeCount", 0)));
	json_object_set_new(row, "services", json_integer(pt_int(s,
	    "ServiceCount", 0)));
	json_object_set_new(row, "stacks", json_integer(pt_int(s,
	    "StackCount", 0)));
	json_object_set_new(row, "nodes", json_integer(pt_int(s,
	    "NodeCount", 1)));
	json_object_set_new(row, "cpus", json_integer(pt_int(s, "TotalCPU",
	    0)));
	json_object_set_new(row, "memory", json_integer(pt_int(s,
	    "TotalMemory", 0)));
	json_object_set_new(row, "snapshot_time", json_integer(pt_int(s,
	    "Time", 0)));
	json_object_set_new(row, "swarm", json_boolean(json_is_true(
	    json_object_get(s, "Swarm"))));
}

/* The snapshot numbers of a Kubernetes environment into row. */
static void
pt_kube_snapshot(json_t *row, const json_t *s)
{
	json_object_set_new(row, "engine_version", json_string(pt_str(s,
	    "KubernetesVersion", "")));
	json_object_set_new(row, "nodes", json_integer(pt_int(s, "NodeCount",
	    0)));
	json_object_set_new(row, "cpus", json_integer(pt_int(s, "TotalCPU",
	    0)));
	json_object_set_new(row, "memory", json_integer(pt_int(s,
	    "TotalMemory", 0)));
	json_object_set_new(row, "snapshot_time", json_integer(pt_int(s,
	    "Time", 0)));
}

/* One environment row. */
static json_t *
pt_endpoint_row(const json_t *e, const json_t *tags, const char *instance)
{
	json_int_t type = pt_int(e, "Type", 0), status = pt_int(e, "Status",
	    0);
	const json_t *snaps, *kube, *t;
	json_t *row, *ids, *names;
	const char *tn;
	size_t i;

	row = json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:I}",
	    "instance", instance, "id", pt_int(e, "Id", 0), "name", pt_str(e,
	    "Name", ""), "type", portainer_endpoint_type(type), "type_id",
	    type, "url", pt_str(e, "URL", ""), "status", status == 1 ? "up" :
	    status == 2 ? "down" : "unknown", "group_id", pt_int(e, "GroupId",
	    0));
	ids = json_array();
	names = json_array();
	json_array_foreach(json_object_get(e, "TagIds"), i, t) {
		if (!json_is_integer(t))
			continue;
		json_array_append_new(ids, json_integer(json_integer_value(t)));
		if ((tn = pt_tag_name(tags, json_integer_value(t))) != NULL)
			json_array_append_new(names, json_string(tn));
	}
	json_object_set_new(row, "tag_ids", ids);
	json_object_set_new(row, "tags", names);
	/* The zeros first: an environment never snapshotted shows none. */
	pt_docker_snapshot(row, NULL);
	json_object_set_new(row, "engine_version", json_string(""));
	json_object_set_new(row, "nodes", json_integer(0));
	snaps = json_object_get(e, "Snapshots");
	kube = json_object_get(json_object_get(e, "Kubernetes"), "Snapshots");
	if (json_array_size(snaps) > 0)
		pt_docker_snapshot(row, json_array_get(snaps, 0));
	else if (json_array_size(kube) > 0)
		pt_kube_snapshot(row, json_array_get(kube, 0));
	return (row);
}

/* Environment rows from GET /api/endpoints. */
json_t *
portainer_parse_endpoints(const json_t *data, const json_t *tags,
    const char *instance, char **cause)
{
	const json_t *e;
	json_t *rows;
	size_t i;

	if (!json_is_array(data)) {
		xasprintf(cause, "/api/endpoints: not an array");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(data, i, e) {
		if (!json_is_object(e) || !json_is_integer(json_object_get(e,
		    "Id")))
			continue;
		json_array_append_new(rows, pt_endpoint_row(e, tags,
		    instance));
	}
	return (rows);
}

/* The name of environment id among rows, or "". */
static const char *
pt_endpoint_name(const json_t *endpoints, json_int_t id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(endpoints, i, r) {
		if (pt_int(r, "id", -1) == id)
			return (pt_str(r, "name", ""));
	}
	return ("");
}

/* One stack row. */
json_t *
portainer_stack_row(const json_t *s, const char *instance)
{
	static const char *const types[] = { "unknown", "swarm", "compose",
	    "kubernetes" };
	json_int_t type = pt_int(s, "Type", 0), status = pt_int(s, "Status",
	    0);

	return (json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:I, "
	    "s:s, s:s}", "instance", instance, "id", pt_int(s, "Id", 0),
	    "name", pt_str(s, "Name", ""), "type", type >= 1 && type <= 3 ?
	    types[type] : types[0], "endpoint_id", pt_int(s, "EndpointId", 0),
	    "endpoint", "", "status", status == 1 ? "active" : status == 2 ?
	    "inactive" : "unknown", "created", pt_int(s, "CreationDate", 0),
	    "updated", pt_int(s, "UpdateDate", 0), "created_by", pt_str(s,
	    "CreatedBy", ""), "updated_by", pt_str(s, "UpdatedBy", "")));
}

/* Stack rows from GET /api/stacks. */
json_t *
portainer_parse_stacks(const json_t *data, const json_t *endpoints,
    const char *instance, char **cause)
{
	const json_t *s;
	json_t *rows, *row;
	size_t i;

	if (!json_is_array(data)) {
		xasprintf(cause, "/api/stacks: not an array");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(data, i, s) {
		if (!json_is_object(s) || !json_is_integer(json_object_get(s,
		    "Id")))
			continue;
		row = portainer_stack_row(s, instance);
		json_object_set_new(row, "endpoint", json_string(
		    pt_endpoint_name(endpoints, pt_int(s, "EndpointId", 0))));
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* The resource usage item of an environment row. */
json_t *
portainer_usage_row(const json_t *r)
{
	static const char *const keys[] = { "instance", "id", "name", "type",
	    "status", "cpus", "memory", "containers", "running", "stopped",
	    "images", "volumes", "nodes", "snapshot_time", NULL };
	json_t *o = json_object();
	const json_t *v;
	size_t i;

	for (i = 0; keys[i] != NULL; i++) {
		if ((v = json_object_get(r, keys[i])) != NULL)
			json_object_set_new(o, keys[i], json_deep_copy(v));
	}
	return (o);
}

/* Compose environment variables as [{name, value}]. */
json_t *
portainer_env_pairs(const json_t *env, char **cause)
{
	const char *k;
	json_t *pairs, *v;

	pairs = json_array();
	json_object_foreach((json_t *)env, k, v) {
		if (!json_is_string(v)) {
			xasprintf(cause, "env.%s: must be a string", k);
			json_decref(pairs);
			return (NULL);
		}
		json_array_append_new(pairs, json_pack("{s:s, s:s}", "name", k,
		    "value", json_string_value(v)));
	}
	return (pairs);
}

/* Splits "portainer://INSTANCE/ENDPOINT_ID". */
int
portainer_url_parse(const char *url, char *name, size_t len, long *id,
    char **cause)
{
	const char *p, *slash;
	char *end;
	size_t n;
	long v;

	if (strncmp(url, "portainer://", 12) != 0) {
		xasprintf(cause, "url: not portainer://INSTANCE/ENDPOINT_ID");
		return (-1);
	}
	p = url + 12;
	if ((slash = strchr(p, '/')) == NULL || slash == p) {
		xasprintf(cause, "url: portainer:// needs INSTANCE/ENDPOINT_ID "
		    "(e.g. portainer://home/2)");
		return (-1);
	}
	n = (size_t)(slash - p);
	if (n >= len || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789") !=
	    n) {
		xasprintf(cause, "url: the Portainer instance name must be "
		    "[a-z0-9]+");
		return (-1);
	}
	errno = 0;
	v = strtol(slash + 1, &end, 10);
	if (slash[1] < '1' || slash[1] > '9' || errno != 0 ||
	    (*end != '\0' && strcmp(end, "/") != 0) || v < 1) {
		xasprintf(cause, "url: the environment id after "
		    "portainer://INSTANCE/ must be a positive integer");
		return (-1);
	}
	memcpy(name, p, n);
	name[n] = '\0';
	*id = v;
	return (0);
}
