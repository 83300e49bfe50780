/*
 * What needs attention in a Pi-hole snapshot: blocking switched off (with
 * how long until it comes back on by itself).
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

void
pihole_problems(const json_t *data, json_t *out)
{
	const json_t *s = json_object_get(data, "summary");
	const char *blocking = json_string_value(json_object_get(s,
	    "blocking"));
	/* Seconds left on Pi-hole's own timer when the snapshot was read. */
	json_int_t left = (json_int_t)json_number_value(json_object_get(s,
	    "timer"));

	if (blocking == NULL || strcmp(blocking, "enabled") == 0)
		return;
	if (left > 0)
		problem_add(out, PROBLEM_WARN, "blocking_off", "blocking",
		    "ad blocking is %s for another %llds", blocking,
		    (long long)left);
	else
		problem_add(out, PROBLEM_WARN, "blocking_off", "blocking",
		    "ad blocking is %s", blocking);
}
