/*
 * Docker's racktop_find and racktop_drift hooks (core/find.h): containers
 * by name, id, and the addresses and MACs of their networks. Pure
 * functions of one snapshot's data.
 */
#include "config.h"

#include <string.h>

#include "core/find.h"
#include "services/services.h"

/* Containers that are the query. */
void
docker_find(const json_t *data, const struct find_query *q, json_t *out)
{
	static const char *const keys[] = { "short_id", "image", "state",
	    "status", "health", "ips", "macs", NULL };
	const json_t *c;
	const char *m, *id;
	json_t *names;
	size_t i;

	json_array_foreach(json_object_get(data, "containers"), i, c) {
		names = json_pack("[s?]", json_string_value(json_object_get(c,
		    "name")));
		m = find_match_json(q, json_object_get(c, "ips"),
		    json_object_get(c, "macs"), names);
		json_decref(names);
		id = json_string_value(json_object_get(c, "id"));
		/* An id prefix of 12 or more digits is the container too. */
		if (m == NULL && q->kind == FIND_NAME && id != NULL &&
		    strlen(q->text) >= 12 && strncmp(id, q->text,
		    strlen(q->text)) == 0)
			m = "name";
		if (m == NULL)
			continue;
		find_hit(out, "container", json_string_value(json_object_get(c,
		    "name")), m, find_copy(c, keys));
	}
}

/* The containers' addresses. */
void
docker_addresses(const json_t *data, json_t *out)
{
	const json_t *c, *ip;
	size_t i, j;

	json_array_foreach(json_object_get(data, "containers"), i, c) {
		json_array_foreach(json_object_get(c, "ips"), j, ip)
			find_address(out, json_string_value(ip), "container",
			    json_string_value(json_object_get(c, "name")),
			    json_string_value(json_array_get(json_object_get(c,
			    "macs"), j)), NULL);
	}
}
