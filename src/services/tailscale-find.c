/*
 * Tailscale's racktop_find and racktop_drift hooks (core/find.h):
 * devices by host name or MagicDNS name, tailnet address, or an endpoint
 * address (where the device sits on its LAN). Pure functions of one
 * snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Devices by host and MagicDNS name, tailnet and endpoint addresses. */
void
tailscale_find(const json_t *data, json_t *out)
{
	static const char *const keys[] = { "fqdn", "addresses", "endpoints",
	    "os", "user", "online", "last_seen", "tags", "state", NULL };
	const json_t *d;
	json_t *ips, *names;
	size_t i;

	json_array_foreach(json_object_get(data, "devices"), i, d) {
		/* Copies: the snapshot's values are never shared. */
		ips = json_array();
		if ((names = json_deep_copy(json_object_get(d,
		    "addresses"))) != NULL)
			json_array_extend(ips, names);
		json_decref(names);
		if ((names = json_deep_copy(json_object_get(d,
		    "endpoints"))) != NULL)
			json_array_extend(ips, names);
		json_decref(names);
		names = json_pack("[s?, s?]", json_string_value(
		    json_object_get(d, "name")), json_string_value(
		    json_object_get(d, "fqdn")));
		find_entry(out, "device", json_string_value(json_object_get(d,
		    "name")), ips, NULL, names, find_copy(d, keys));
		json_decref(ips);
		json_decref(names);
	}
}

/* The devices' tailnet and endpoint addresses. */
void
tailscale_addresses(const json_t *data, json_t *out)
{
	const char *lists[] = { "addresses", "endpoints" };
	const json_t *d, *a;
	size_t i, j, l;

	json_array_foreach(json_object_get(data, "devices"), i, d) {
		for (l = 0; l < 2; l++) {
			json_array_foreach(json_object_get(d, lists[l]), j, a)
				find_address(out, json_string_value(a), "device",
				    json_string_value(json_object_get(d,
				    "name")), NULL, NULL);
		}
	}
}
