/*
 * Pi-hole's racktop_find and racktop_drift hooks (core/find.h): the
 * clients of the top list by address or name, with their recent query
 * count and how many of those were blocked. Pure functions of one
 * snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Clients that are the query. */
void
pihole_find(const json_t *data, const struct find_query *q, json_t *out)
{
	static const char *const keys[] = { "ip", "count", "blocked", NULL };
	const json_t *c;
	const char *m;
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(data, "top_clients"), i, c) {
		m = find_match_json(q, json_object_get(c, "ip"), NULL,
		    json_object_get(c, "name"));
		if (m == NULL)
			continue;
		d = find_copy(c, keys);
		/* "queries": the count reads as one in a lookup. */
		json_object_set_new(d, "queries", json_deep_copy(
		    json_object_get(c, "count")));
		json_object_del(d, "count");
		find_hit(out, "client", json_string_value(json_object_get(c,
		    "name")) != NULL ? json_string_value(json_object_get(c,
		    "name")) : json_string_value(json_object_get(c, "ip")), m,
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
