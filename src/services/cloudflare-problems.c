/*
 * What needs attention in a Cloudflare snapshot: tunnels down or degraded.
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
cloudflare_problems(const json_t *data, json_t *out)
{
	const char *name, *status;
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "tunnels"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		status = json_string_value(json_object_get(v, "status"));
		if (name == NULL || status == NULL)
			continue;
		if (strcmp(status, "down") == 0)
			problem_add(out, PROBLEM_CRIT, "tunnel_down", name,
			    "tunnel %s is down", name);
		else if (strcmp(status, "degraded") == 0)
			problem_add(out, PROBLEM_WARN, "tunnel_degraded", name,
			    "tunnel %s is degraded (%lld connections)", name,
			    (long long)json_integer_value(json_object_get(v,
			    "connections")));
	}
}
