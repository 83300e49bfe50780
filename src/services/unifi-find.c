/*
 * UniFi's racktop_find and racktop_drift hooks (core/find.h): clients by
 * name, address and MAC, with where they connect (the AP, or the switch
 * and port), signal and whether they are blocked; network devices the
 * same way. Pure functions of one snapshot's data.
 */
#include "config.h"

#include "core/find.h"
#include "services/services.h"

/* Clients and devices by name, address and MAC. */
void
unifi_find(const json_t *data, json_t *out)
{
	static const char *const client_keys[] = { "mac", "ip", "type",
	    "network", "essid", "uplink", "uplink_mac", "port", "signal",
	    "online", "blocked", "uptime", NULL };
	static const char *const device_keys[] = { "mac", "ip", "model",
	    "type", "state", "clients", "firmware", NULL };
	const char *sections[] = { "clients", "devices" };
	const json_t *c;
	size_t i, s;

	for (s = 0; s < 2; s++) {
		json_array_foreach(json_object_get(data, sections[s]), i, c)
			find_entry(out, s == 0 ? "client" : "device",
			    json_string_value(json_object_get(c, "name")),
			    json_object_get(c, "ip"), json_object_get(c, "mac"),
			    json_object_get(c, "name"), find_copy(c, s == 0 ?
			    client_keys : device_keys));
	}
}

/* The clients' and devices' addresses. */
void
unifi_addresses(const json_t *data, json_t *out)
{
	const char *sections[] = { "clients", "devices" };
	const json_t *c;
	size_t i, s;

	for (s = 0; s < 2; s++) {
		json_array_foreach(json_object_get(data, sections[s]), i, c)
			find_address(out, json_string_value(json_object_get(c,
			    "ip")), s == 0 ? "client" : "device",
			    json_string_value(json_object_get(c, "name")),
			    json_string_value(json_object_get(c, "mac")), NULL);
	}
}
