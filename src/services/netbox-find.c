/*
 * NetBox's racktop_find and racktop_drift hooks (core/find.h): addresses
 * by address, DNS name or what they are assigned to, and devices by name
 * or primary address; NetBox is an inventory, so for drift it documents
 * addresses and prefixes rather than seeing them. Pure functions of one
 * snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Addresses and devices that are the query. */
void
netbox_find(const json_t *data, const struct find_query *q, json_t *out)
{
	static const char *const addr_keys[] = { "address", "status",
	    "dns_name", "description", "device", "vm", "interface",
	    "assigned_type", NULL };
	static const char *const dev_keys[] = { "role", "site", "status",
	    "primary_ip", "type", "tags", NULL };
	const json_t *a;
	const char *m;
	size_t i;

	json_array_foreach(json_object_get(data, "addresses"), i, a) {
		m = find_match_json(q, json_object_get(a, "address"), NULL,
		    json_object_get(a, "dns_name"));
		if (m == NULL)
			m = find_match_json(q, NULL, NULL, json_object_get(a,
			    "vm"));
		if (m == NULL)
			m = find_match_json(q, NULL, NULL, json_object_get(a,
			    "device"));
		if (m != NULL)
			find_hit(out, "ip-address", json_string_value(
			    json_object_get(a, "address")), m, find_copy(a,
			    addr_keys));
	}
	json_array_foreach(json_object_get(data, "devices"), i, a) {
		m = find_match_json(q, json_object_get(a, "primary_ip"), NULL,
		    json_object_get(a, "name"));
		if (m != NULL)
			find_hit(out, "device", json_string_value(
			    json_object_get(a, "name")), m, find_copy(a,
			    dev_keys));
	}
}

/* The addresses and prefixes NetBox documents. */
void
netbox_documented(const json_t *data, json_t *out)
{
	static const char *const keys[] = { "address", "status", "dns_name",
	    "description", "device", "vm", NULL };
	const json_t *a;
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(data, "addresses"), i, a) {
		name = json_string_value(json_object_get(a, "dns_name"));
		if (name == NULL || *name == '\0')
			name = json_string_value(json_object_get(a, "vm"));
		if (name == NULL)
			name = json_string_value(json_object_get(a, "device"));
		find_address(out, json_string_value(json_object_get(a,
		    "address")), "ip-address", name, NULL, find_copy(a, keys));
	}
	json_array_foreach(json_object_get(data, "prefixes"), i, a)
		find_network(out, json_string_value(json_object_get(a,
		    "prefix")));
}
