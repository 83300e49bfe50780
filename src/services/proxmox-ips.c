/*
 * Proxmox VE guest addresses: a slow secondary poll (every ip_refresh
 * seconds, 600 by default) that asks each running guest for its
 * interfaces, through the QEMU guest agent (network-get-interfaces) or
 * the container's interfaces, and keeps what they say in a cache merged
 * into every snapshot. It runs on the poller thread after a regular
 * refresh and spreads a round over several refreshes (PVE_IP_BATCH
 * guests each), so a lab of a thousand guests never stalls the regular
 * poll and the regular refresh keeps its own request count.
 *
 * DESIGN: the cache belongs to the poller thread alone (no lock); tools
 * see it only through published snapshots.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/find.h"
#include "core/xmalloc.h"
#include "services/proxmox.h"

struct pve_ips {
	int64_t interval_ms;
	int64_t next_mono;	/* when the next round starts */
	json_t *cache;		/* "qemu/100" -> {ips, macs} */
	json_t *todo;		/* the round's remaining keys, or NULL */
	json_t *round;		/* what the round found so far */
};

/* A cache refreshed every interval_s seconds (0: never). */
struct pve_ips *
pve_ips_create(int interval_s)
{
	struct pve_ips *ips = xcalloc(1, sizeof *ips);

	ips->interval_ms = (int64_t)interval_s * 1000;
	ips->cache = json_object();
	return (ips);
}

/* Frees the cache (NULL: no-op). */
void
pve_ips_destroy(struct pve_ips *ips)
{
	if (ips == NULL)
		return;
	json_decref(ips->cache);
	json_decref(ips->todo);
	json_decref(ips->round);
	free(ips);
}

/* Whether a canonical address is worth keeping (not loopback, link-local). */
static bool
pve_ip_useful(const char *ip)
{
	return (strncmp(ip, "127.", 4) != 0 && strcmp(ip, "::1") != 0 &&
	    strncmp(ip, "fe80:", 5) != 0 && strncmp(ip, "169.254.", 8) != 0);
}

/* Appends s to a if it is not there yet. */
static void
pve_add_unique(json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (strcmp(json_string_value(v), s) == 0)
			return;
	}
	json_array_append_new(a, json_string(s));
}

/* Adds one address as written by either endpoint ("10.0.0.5/24"). */
static void
pve_add_ip(json_t *ips, const json_t *v)
{
	char ip[64];

	if (find_ip_canon(json_string_value(v), ip, sizeof ip) &&
	    pve_ip_useful(ip))
		pve_add_unique(ips, ip);
}

/* The addresses of an agent's or a container's interface list. */
json_t *
pve_parse_guest_ifaces(const json_t *data)
{
	const json_t *list, *ifc, *a, *mac;
	json_t *ips = json_array(), *macs = json_array();
	char m[18];
	size_t i, j;

	list = json_is_array(data) ? data : json_object_get(data, "result");
	json_array_foreach(list, i, ifc) {
		mac = json_object_get(ifc, "hardware-address");
		if (mac == NULL)
			mac = json_object_get(ifc, "hwaddr");
		if (find_mac_canon(json_string_value(mac), m, sizeof m) &&
		    strcmp(m, "00:00:00:00:00:00") != 0)
			pve_add_unique(macs, m);
		pve_add_ip(ips, json_object_get(ifc, "inet"));
		pve_add_ip(ips, json_object_get(ifc, "inet6"));
		json_array_foreach(json_object_get(ifc, "ip-addresses"), j, a)
			pve_add_ip(ips, json_object_get(a, "ip-address"));
	}
	return (json_pack("{s:o, s:o}", "ips", ips, "macs", macs));
}

/* The request path of a guest row's interfaces (caller frees). */
static char *
pve_ifaces_path(const json_t *g)
{
	const char *type = json_string_value(json_object_get(g, "type"));
	const char *node = json_string_value(json_object_get(g, "node"));
	char *path;

	if (type == NULL || node == NULL)
		return (NULL);
	xasprintf(&path, strcmp(type, "lxc") == 0 ?
	    "/nodes/%s/lxc/%lld/interfaces" :
	    "/nodes/%s/qemu/%lld/agent/network-get-interfaces", node,
	    (long long)json_integer_value(json_object_get(g, "vmid")));
	return (path);
}

/* The cache key of a guest row: "qemu/100". */
static void
pve_ips_key(const json_t *g, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%lld", json_string_value(json_object_get(g,
	    "type")) != NULL ? json_string_value(json_object_get(g, "type")) :
	    "?", (long long)json_integer_value(json_object_get(g, "vmid")));
}

/* Starts a round over the running guests of snap. */
static void
pve_ips_start(struct pve_ips *ips, const json_t *snap)
{
	const json_t *g;
	const char *st;
	char key[64];
	size_t i;

	json_decref(ips->todo);
	json_decref(ips->round);
	ips->todo = json_array();
	ips->round = json_object();
	json_array_foreach(json_object_get(snap, "guests"), i, g) {
		st = json_string_value(json_object_get(g, "status"));
		if (st == NULL || strcmp(st, "running") != 0 ||
		    json_is_true(json_object_get(g, "template")))
			continue;
		pve_ips_key(g, key, sizeof key);
		json_array_append_new(ips->todo, json_pack("{s:s, s:O}", "key",
		    key, "row", g));
	}
}

/* Asks up to PVE_IP_BATCH guests of the round; ends it when done. */
static void
pve_ips_step(struct pve_ips *ips, json_t *(*get)(void *, const char *,
    char **), void *arg)
{
	const json_t *t;
	json_t *data;
	char *path, *why;
	size_t n = 0;

	while (json_array_size(ips->todo) > 0 && n++ < PVE_IP_BATCH) {
		t = json_array_get(ips->todo, 0);
		why = NULL;
		if ((path = pve_ifaces_path(json_object_get(t, "row"))) !=
		    NULL && (data = get(arg, path, &why)) != NULL) {
			json_object_set_new(ips->round, json_string_value(
			    json_object_get(t, "key")),
			    pve_parse_guest_ifaces(data));
			json_decref(data);
		}
		/* No agent, or it failed: the guest keeps no addresses. */
		free(why);
		free(path);
		json_array_remove(ips->todo, 0);
	}
	if (json_array_size(ips->todo) == 0) {
		json_decref(ips->cache);
		ips->cache = ips->round;
		ips->round = NULL;
		json_decref(ips->todo);
		ips->todo = NULL;
	}
}

/* The secondary poll and the merge into snap. */
void
pve_ips_refresh(struct pve_ips *ips, json_t *snap, int64_t now_mono,
    json_t *(*get)(void *arg, const char *path, char **cause), void *arg)
{
	const json_t *have;
	json_t *g;
	char key[64];
	size_t i;

	if (ips == NULL)
		return;
	if (ips->todo == NULL && ips->interval_ms > 0 && now_mono >=
	    ips->next_mono) {
		pve_ips_start(ips, snap);
		ips->next_mono = now_mono + ips->interval_ms;
	}
	if (ips->todo != NULL)
		pve_ips_step(ips, get, arg);
	json_array_foreach(json_object_get(snap, "guests"), i, g) {
		pve_ips_key(g, key, sizeof key);
		if ((have = json_object_get(ips->cache, key)) == NULL)
			continue;
		/* Copies: a published tree shares no json_t with the cache. */
		json_object_set_new(g, "ips", json_deep_copy(json_object_get(
		    have, "ips")));
		json_object_set_new(g, "macs", json_deep_copy(json_object_get(
		    have, "macs")));
	}
}
