/*
 * What needs attention in a Proxmox VE snapshot: nodes not online, a
 * cluster without quorum, guests in a state that is neither running,
 * stopped nor paused (Proxmox reports no guest health of its own).
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
proxmox_problems(const json_t *data, json_t *out)
{
	const json_t *cluster = json_object_get(data, "cluster"), *v;
	const char *status, *name;
	size_t i;

	if (json_is_false(json_object_get(cluster, "quorate")))
		problem_add(out, PROBLEM_CRIT, "no_quorum",
		    json_string_value(json_object_get(cluster, "name")),
		    "cluster %s has lost quorum",
		    json_string_value(json_object_get(cluster, "name")) != NULL ?
		    json_string_value(json_object_get(cluster, "name")) : "");
	json_array_foreach(json_object_get(data, "nodes"), i, v) {
		status = json_string_value(json_object_get(v, "status"));
		name = json_string_value(json_object_get(v, "node"));
		if (status != NULL && name != NULL &&
		    strcmp(status, "online") != 0)
			problem_add(out, PROBLEM_CRIT, "node_offline", name,
			    "node %s is %s", name, status);
	}
	json_array_foreach(json_object_get(data, "guests"), i, v) {
		status = json_string_value(json_object_get(v, "status"));
		name = json_string_value(json_object_get(v, "name"));
		if (status == NULL || strcmp(status, "running") == 0 ||
		    strcmp(status, "stopped") == 0 ||
		    strcmp(status, "paused") == 0)
			continue;
		problem_add(out, PROBLEM_WARN, "guest_state",
		    name != NULL ? name : "", "guest %lld %s is %s",
		    (long long)json_integer_value(json_object_get(v, "vmid")),
		    name != NULL ? name : "", status);
	}
}
