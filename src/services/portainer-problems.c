/*
 * What needs attention in a Portainer snapshot: environments Portainer
 * reports down, and environments with unhealthy containers.
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
portainer_problems(const json_t *data, json_t *out)
{
	const char *name, *status;
	const json_t *v;
	json_int_t bad;
	size_t i;

	json_array_foreach(json_object_get(data, "endpoints"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		status = json_string_value(json_object_get(v, "status"));
		if (name == NULL || status == NULL)
			continue;
		if (strcmp(status, "down") == 0) {
			problem_add(out, PROBLEM_CRIT, "environment_down", name,
			    "environment %s is down", name);
			continue;
		}
		bad = json_integer_value(json_object_get(v, "unhealthy"));
		if (bad > 0)
			problem_add(out, PROBLEM_WARN, "containers_unhealthy",
			    name, "environment %s: %lld unhealthy container%s",
			    name, (long long)bad, bad == 1 ? "" : "s");
	}
}
