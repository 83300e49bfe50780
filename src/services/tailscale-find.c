/*
 * Tailscale's racktop_find and racktop_drift hooks (core/find.h):
 * devices by host name or MagicDNS name, tailnet address, or an endpoint
 * address (where the device sits on its LAN). Pure functions of one
 * snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Devices that are the query. */
void
tailscale_find(const json_t *data, const struct find_query *q, json_t *out)
{
	static const char *const keys[] = { "fqdn", "addresses", "endpoints",
	    "os", "user", "online", "last_seen", "tags", "state", NULL };
	const json_t *d;
	const char *m;
	size_t i;

	json_array_foreach(json_object_get(data, "devices"), i, d) {
		/* Two passes: no array shares the snapshot's values. */
		m = find_match_json(q, json_object_get(d, "addresses"), NULL,
		    json_object_get(d, "name"));
		if (m == NULL)
			m = find_match_json(q, json_object_get(d, "endpoints"),
			    NULL, json_object_get(d, "fqdn"));
		if (m != NULL)
			find_hit(out, "device", json_string_value(
			    json_object_get(d, "name")), m, find_copy(d, keys));
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
