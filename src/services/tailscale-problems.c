/*
 * What needs attention in a Tailscale snapshot: node keys that expired
 * or expire within 14 days (the node then drops off the tailnet).
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "core/problems.h"
#include "services/services.h"

#define KEY_WARN_DAYS 14

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or -1. */
static long long
parse_utc(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (-1);
	return ((long long)timegm(&tm));
}

void
tailscale_problems(const json_t *data, json_t *out)
{
	const char *name;
	const json_t *v;
	long long exp, now = (long long)time(NULL);
	size_t i;

	json_array_foreach(json_object_get(data, "devices"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		if (name == NULL ||
		    json_is_true(json_object_get(v, "key_expiry_disabled")))
			continue;
		if (json_is_true(json_object_get(v, "key_expired"))) {
			problem_add(out, PROBLEM_CRIT, "key_expired", name,
			    "device %s's node key has expired", name);
			continue;
		}
		exp = parse_utc(json_string_value(json_object_get(v,
		    "key_expiry")));
		if (exp > 0 && exp - now < KEY_WARN_DAYS * 86400LL)
			problem_add(out, PROBLEM_WARN, "key_expiring", name,
			    "device %s's node key expires in %lld days", name,
			    (exp - now) / 86400 > 0 ? (exp - now) / 86400 : 0);
	}
}
