/*
 * What needs attention in a UniFi snapshot: devices not online (and not
 * merely upgrading), subsystems whose health is not ok.
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
unifi_problems(const json_t *data, json_t *out)
{
	const char *name, *state, *sub, *status;
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "devices"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		state = json_string_value(json_object_get(v, "state"));
		if (name == NULL || state == NULL ||
		    strcmp(state, "online") == 0 ||
		    strcmp(state, "upgrading") == 0 ||
		    strcmp(state, "provisioning") == 0)
			continue;
		problem_add(out, PROBLEM_CRIT, "device_offline", name,
		    "device %s is %s", name, state);
	}
	json_array_foreach(json_object_get(data, "health"), i, v) {
		sub = json_string_value(json_object_get(v, "subsystem"));
		status = json_string_value(json_object_get(v, "status"));
		if (sub == NULL || status == NULL || strcmp(status, "ok") == 0 ||
		    strcmp(status, "unknown") == 0)
			continue;
		problem_add(out, PROBLEM_WARN, "subsystem_health", sub,
		    "%s health is %s", sub, status);
	}
}
