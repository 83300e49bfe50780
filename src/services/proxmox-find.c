/*
 * Proxmox VE's racktop_find and racktop_drift hooks (core/find.h): guests
 * by name, vmid, the addresses and MACs of the secondary poll
 * (proxmox-ips.c), and cluster nodes by name and address. Pure functions
 * of one snapshot's data.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/find.h"
#include "services/services.h"

/* Guests and nodes that are the query. */
void
proxmox_find(const json_t *data, const struct find_query *q, json_t *out)
{
	static const char *const guest_keys[] = { "vmid", "type", "node",
	    "status", "ips", "macs", "tags", NULL };
	static const char *const node_keys[] = { "ip", "online", NULL };
	const json_t *g, *n;
	const char *m, *name;
	char *end;
	long long vmid;
	size_t i;

	vmid = strtoll(q->text, &end, 10);
	json_array_foreach(json_object_get(data, "guests"), i, g) {
		name = json_string_value(json_object_get(g, "name"));
		m = find_match_json(q, json_object_get(g, "ips"),
		    json_object_get(g, "macs"), json_object_get(g, "name"));
		if (m == NULL && q->kind == FIND_NAME && *end == '\0' &&
		    json_integer_value(json_object_get(g, "vmid")) == vmid)
			m = "name";
		if (m == NULL)
			continue;
		find_hit(out, "guest", name, m, find_copy(g, guest_keys));
	}
	json_array_foreach(json_object_get(json_object_get(data, "cluster"),
	    "nodes"), i, n) {
		m = find_match_json(q, json_object_get(n, "ip"), NULL,
		    json_object_get(n, "name"));
		if (m != NULL)
			find_hit(out, "node", json_string_value(json_object_get(
			    n, "name")), m, find_copy(n, node_keys));
	}
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
