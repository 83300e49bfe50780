/*
 * What needs attention in a Docker snapshot: unhealthy, dead or
 * restarting containers, and containers that exited with an error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
docker_problems(const json_t *data, json_t *out)
{
	const char *name, *state, *health, *status;
	const json_t *v;
	long code;
	size_t i;

	json_array_foreach(json_object_get(data, "containers"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		state = json_string_value(json_object_get(v, "state"));
		health = json_string_value(json_object_get(v, "health"));
		status = json_string_value(json_object_get(v, "status"));
		if (name == NULL || state == NULL)
			continue;
		if (health != NULL && strcmp(health, "unhealthy") == 0)
			problem_add(out, PROBLEM_CRIT, "container_unhealthy",
			    name, "container %s is unhealthy", name);
		else if (strcmp(state, "dead") == 0)
			problem_add(out, PROBLEM_CRIT, "container_dead", name,
			    "container %s is dead", name);
		else if (strcmp(state, "restarting") == 0)
			problem_add(out, PROBLEM_WARN, "container_restarting",
			    name, "container %s keeps restarting", name);
		else if (strcmp(state, "exited") == 0 && status != NULL &&
		    strncmp(status, "Exited (", 8) == 0 &&
		    (code = strtol(status + 8, NULL, 10)) != 0)
			problem_add(out, PROBLEM_WARN, "container_failed",
			    name, "container %s exited with code %ld", name,
			    code);
	}
}
