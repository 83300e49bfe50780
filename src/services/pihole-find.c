/*
 * Pi-hole's racktop_find and racktop_drift hooks (core/find.h): the
 * clients of the top list by address or name, with their recent query
 * count and how many of those were blocked. Pure functions of one
 * snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Top clients by address and name, with queries and blocked counts. */
void
pihole_find(const json_t *data, json_t *out)
{
	static const char *const keys[] = { "ip", "blocked", NULL };
	const json_t *c;
	const char *name;
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(data, "top_clients"), i, c) {
		d = find_copy(c, keys);
		/* "queries": the count reads as one in a lookup. */
		json_object_set_new(d, "queries", json_deep_copy(
		    json_object_get(c, "count")));
		name = json_string_value(json_object_get(c, "name"));
		find_entry(out, "client", name != NULL ? name :
		    json_string_value(json_object_get(c, "ip")),
		    json_object_get(c, "ip"), NULL, json_object_get(c, "name"),
		    d);
	}
}

/* The clients' addresses. */
void
pihole_addresses(const json_t *data, json_t *out)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(data, "top_clients"), i, c)
		find_address(out, json_string_value(json_object_get(c, "ip")),
		    "client", json_string_value(json_object_get(c, "name")),
		    NULL, NULL);
}
