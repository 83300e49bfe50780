/*
 * Docker's racktop_find and racktop_drift hooks (core/find.h): containers
 * by name, id, and the addresses and MACs of their networks. Pure
 * functions of one snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Containers by name, short and full id, addresses and MACs. */
void
docker_find(const json_t *data, json_t *out)
{
	static const char *const keys[] = { "short_id", "image", "state",
	    "status", "health", "ips", "macs", NULL };
	const json_t *c;
	json_t *names;
	size_t i;

	json_array_foreach(json_object_get(data, "containers"), i, c) {
		names = json_pack("[s?, s?, s?]", json_string_value(
		    json_object_get(c, "name")), json_string_value(
		    json_object_get(c, "short_id")), json_string_value(
		    json_object_get(c, "id")));
		find_entry(out, "container", json_string_value(json_object_get(
		    c, "name")), json_object_get(c, "ips"), json_object_get(c,
		    "macs"), names, find_copy(c, keys));
		json_decref(names);
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
