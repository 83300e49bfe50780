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

/* Addresses (by address, DNS name, VM or device) and devices. */
void
netbox_find(const json_t *data, json_t *out)
{
	static const char *const addr_keys[] = { "address", "status",
	    "dns_name", "description", "device", "vm", "interface",
	    "assigned_type", NULL };
	static const char *const dev_keys[] = { "role", "site", "status",
	    "primary_ip", "type", "tags", NULL };
	const json_t *a;
	json_t *names;
	size_t i;

	json_array_foreach(json_object_get(data, "addresses"), i, a) {
		names = json_pack("[s?, s?, s?]", json_string_value(
		    json_object_get(a, "dns_name")), json_string_value(
		    json_object_get(a, "vm")), json_string_value(
		    json_object_get(a, "device")));
		find_entry(out, "ip-address", json_string_value(
		    json_object_get(a, "address")), json_object_get(a,
		    "address"), NULL, names, find_copy(a, addr_keys));
		json_decref(names);
	}
	json_array_foreach(json_object_get(data, "devices"), i, a)
		find_entry(out, "device", json_string_value(json_object_get(a,
		    "name")), json_object_get(a, "primary_ip"), NULL,
		    json_object_get(a, "name"), find_copy(a, dev_keys));
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
