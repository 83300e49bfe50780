/*
 * Proxmox VE's racktop_find and racktop_drift hooks (core/find.h): guests
 * by name, vmid, the addresses and MACs of the secondary poll
 * (proxmox-ips.c), and cluster nodes by name and address. Pure functions
 * of one snapshot's data.
 */
#include "config.h"

#include <stdio.h>

#include "core/find.h"
#include "services/services.h"

/* Guests (by name, vmid, addresses, MACs) and nodes (name, address). */
void
proxmox_find(const json_t *data, json_t *out)
{
	static const char *const guest_keys[] = { "vmid", "type", "node",
	    "status", "ips", "macs", "tags", NULL };
	static const char *const node_keys[] = { "ip", "online", NULL };
	const json_t *g, *n;
	json_t *names;
	char vmid[24];
	size_t i;

	json_array_foreach(json_object_get(data, "guests"), i, g) {
		snprintf(vmid, sizeof vmid, "%lld", (long long)
		    json_integer_value(json_object_get(g, "vmid")));
		names = json_pack("[s?, s]", json_string_value(
		    json_object_get(g, "name")), vmid);
		find_entry(out, "guest", json_string_value(json_object_get(g,
		    "name")), json_object_get(g, "ips"), json_object_get(g,
		    "macs"), names, find_copy(g, guest_keys));
		json_decref(names);
	}
	json_array_foreach(json_object_get(json_object_get(data, "cluster"),
	    "nodes"), i, n)
		find_entry(out, "node", json_string_value(json_object_get(n,
		    "name")), json_object_get(n, "ip"), NULL,
		    json_object_get(n, "name"), find_copy(n, node_keys));
}

/* The guests' and nodes' addresses. */
void
proxmox_addresses(const json_t *data, json_t *out)
{
	const json_t *g, *n, *ip;
	size_t i, j;

	json_array_foreach(json_object_get(data, "guests"), i, g) {
		json_array_foreach(json_object_get(g, "ips"), j, ip)
			find_address(out, json_string_value(ip), "guest",
			    json_string_value(json_object_get(g, "name")),
			    json_string_value(json_array_get(json_object_get(g,
			    "macs"), 0)), NULL);
	}
	json_array_foreach(json_object_get(json_object_get(data, "cluster"),
	    "nodes"), i, n)
		find_address(out, json_string_value(json_object_get(n, "ip")),
		    "node", json_string_value(json_object_get(n, "name")),
		    NULL, NULL);
}
