/*
 * NetBox backend: the pure parse half (netbox-parse.c), shared by the
 * transport and tools in netbox.c, the lookup hooks in netbox-find.c and
 * the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use, never the upstream tree.
 *
 * Snapshot layout (netbox.c builds it from every page of each list):
 *   { "devices":   [ {instance, id, name, role, site, status, tags,
 *                     primary_ip, type, serial, description} ],
 *     "addresses": [ {instance, id, address, ip, family, status,
 *                     dns_name, description, assigned_type, device, vm,
 *                     interface} ],
 *     "prefixes":  [ {instance, id, prefix, family, status, vlan, site,
 *                     description, size, used, utilisation} ] }
 * A member NetBox leaves null is left out of a row, except the strings
 * role, site, status, dns_name and description ("" when unset) and tags
 * ([]).
 */
#ifndef RT_NETBOX_H
#define RT_NETBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 network or address, parsed. */
struct netbox_net {
	int family;		/* 4 or 6 */
	unsigned char addr[16];	/* network byte order; 4 bytes for IPv4 */
	int len;		/* prefix length; 32 or 128 for an address */
};

/*
 * Parses "10.0.0.0/24", "10.0.0.5/24", "10.0.0.5" or an IPv6 form into
 * *out (no length: a host). Returns false when it is none of these.
 */
bool netbox_net_parse(const char *s, struct netbox_net *out);
/* Whether address ip (an address, any length) lies inside net. */
bool netbox_net_contains(const struct netbox_net *net,
    const struct netbox_net *ip);

/*
 * Device rows from the results of GET /api/dcim/devices/. New array
 * (empty when results is not an array).
 */
json_t *netbox_parse_devices(const json_t *results, const char *instance);
/* Address rows from GET /api/ipam/ip-addresses/ results. New array. */
json_t *netbox_parse_addresses(const json_t *results, const char *instance);
/*
 * Prefix rows from GET /api/ipam/prefixes/ results, with size (the
 * addresses a prefix holds, less the network and broadcast addresses
 * of an IPv4 prefix shorter than /31), used (how many address rows lie
 * inside it) and utilisation (used / size, 0 to 1). New array.
 */
json_t *netbox_parse_prefixes(const json_t *results, const json_t *addresses,
    const char *instance);
/* One VLAN as a row {instance, id, vid, name, site, group, status}. */
json_t *netbox_parse_vlan(const json_t *vlan, const char *instance);
/*
 * One cable as a row {instance, id, label, status, a: [{device,
 * interface, id}], b: [...]} from its a_terminations and b_terminations.
 */
json_t *netbox_parse_cable(const json_t *cable, const char *instance);
/*
 * One search hit of object type type ("device", "ip-address", "prefix",
 * "vlan", "interface", "virtual-machine", "site") as {instance, type, id,
 * name, detail}. New object; NULL when o is not an object with an id.
 */
json_t *netbox_parse_hit(const char *type, const json_t *o,
    const char *instance);
/*
 * The path below the API root of a "next" link
 * ("https://nb/api/dcim/devices/?limit=50&offset=50" gives
 * "/dcim/devices/?limit=50&offset=50"), into buf. false when the link
 * has no "/api/" part or does not fit.
 */
bool netbox_next_path(const char *next, char *buf, size_t len);
/*
 * The header line for a token: "Authorization: Bearer nbt_..." for a
 * v2 token (NetBox 4.5 and later), "Authorization: Token ..." otherwise.
 * Caller frees (and should wipe it).
 */
char *netbox_auth_header(const char *token);
/*
 * The message of an error body: "detail", or "field: message" for each
 * field of a 400 ({"dns_name": ["..."]}), joined by "; ", at most 300
 * bytes. New string, or NULL when the body says nothing useful.
 */
char *netbox_error_message(const char *body, size_t len);

#endif
