/*
 * What needs attention in a Traefik snapshot: certificates expired,
 * expiring within 14 days or not trusted (the poller probes them hourly),
 * routers, services and middlewares Traefik reports errors for (a bad
 * rule, a missing service), and services with servers down.
 */
#include "config.h"

#include <string.h>

#include "core/problems.h"
#include "services/services.h"

/* Objects of one kind with an error Traefik reports. */
static void
traefik_errors(const json_t *rows, const char *what, json_t *out)
{
	const char *name, *err;
	const json_t *v;
	size_t i;

	json_array_foreach(rows, i, v) {
		name = json_string_value(json_object_get(v, "name"));
		err = json_string_value(json_object_get(v, "error"));
		if (name == NULL || err == NULL || *err == '\0')
			continue;
		problem_add(out, PROBLEM_WARN, "config_error", name,
		    "%s %s: %s", what, name, err);
	}
}

void
traefik_problems(const json_t *data, json_t *out)
{
	const json_t *v;
	const char *name;
	json_int_t up, down;
	size_t i;

	json_array_foreach(json_object_get(data, "certificates"), i, v) {
		const char *flag = json_string_value(json_object_get(v, "flag"));
		const char *host = json_string_value(json_object_get(v, "host"));

		if (flag == NULL || host == NULL || strcmp(flag, "ok") == 0 ||
		    strcmp(flag, "unreachable") == 0)
			continue;
		if (strcmp(flag, "expired") == 0)
			problem_add(out, PROBLEM_CRIT, "cert_expired", host,
			    "the certificate of %s has expired", host);
		else if (strcmp(flag, "expiring") == 0)
			problem_add(out, PROBLEM_WARN, "cert_expiring", host,
			    "the certificate of %s expires in %lld days", host,
			    (long long)json_integer_value(json_object_get(v,
			    "days_left")));
		else
			problem_add(out, PROBLEM_WARN, "cert_untrusted", host,
			    "the certificate of %s does not verify", host);
	}
	traefik_errors(json_object_get(data, "routers"), "router", out);
	traefik_errors(json_object_get(data, "services"), "service", out);
	traefik_errors(json_object_get(data, "middlewares"), "middleware",
	    out);
	json_array_foreach(json_object_get(data, "services"), i, v) {
		name = json_string_value(json_object_get(v, "name"));
		up = json_integer_value(json_object_get(v, "servers_up"));
		down = json_integer_value(json_object_get(v, "servers_down"));
		if (name == NULL || down == 0)
			continue;
		problem_add(out, up == 0 ? PROBLEM_CRIT : PROBLEM_WARN,
		    "servers_down", name, "service %s: %lld of %lld servers "
		    "down", name, (long long)down, (long long)(up + down));
	}
}
