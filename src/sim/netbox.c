/*
 * The simulated NetBox REST API (/api), after the NetBox 4.2 OpenAPI
 * schema: status, sites, devices, interfaces, cables (a_terminations and
 * b_terminations), prefixes with available-ips (GET lists, POST
 * allocates the next free address), ip-addresses, VLANs and VLAN groups,
 * virtual machines and their interfaces.
 *
 * Conventions of the real API: a trailing slash on every path; lists
 * paginated as {count, next, previous, results} with limit (default 50,
 * at most 1000) and offset, next and previous as absolute URLs; filters
 * named after fields, q a case-insensitive search; related objects
 * nested in brief form, choices as {value, label}. Auth: "Authorization:
 * Token <40 hex>" or, as NetBox 4.5 and later accept, "Bearer
 * nbt_<key>.<secret>"; anything else is 403 {"detail": "Invalid token"}.
 * Errors: 400 {"field": ["message"]}, 404 {"detail": "Not found."}, 409
 * when a prefix has no free address.
 *
 * The lab: site "home" with devices pve1..pve3 (the Proxmox nodes, at
 * their addresses), a switch, an access point, a NAS and a retired
 * router; the lab's guests as virtual machines; prefixes 10.0.0.0/24,
 * 192.168.1.0/24 and a full 10.0.1.0/29. NetBox knows the nodes, the
 * shared hosts (scenario.h) and some guests' addresses, and one address
 * nothing in the lab uses (10.0.0.99), so racktop_drift has both sides.
 *
 * POST /state ops: none yet ("op" is refused).
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define NB_PAGE 50
#define NB_PAGE_MAX 1000
#define NB_VERSION "4.2.2"

struct nb {
	char	 token[41];	/* v1: 40 hex */
	char	 v2[64];	/* v2: nbt_KEY.SECRET */
	uint64_t rng;
	unsigned port;
	json_t	*sites, *roles, *devices, *interfaces, *cables, *prefixes,
		*ips, *vlans, *vlan_groups, *vms, *vmifs;
	int	 next_id;
};

/* The API URL of an object. */
static json_t *
nb_url(struct nb *nb, const char *kind, json_int_t id)
{
	return (json_sprintf("http://127.0.0.1:%u/api/%s/%lld/", nb->port,
	    kind, (long long)id));
}

/* A {value, label} choice. */
static json_t *
nb_choice(const char *value)
{
	char	 label[64];

	snprintf(label, sizeof label, "%s", value);
	label[0] = (char)(label[0] >= 'a' && label[0] <= 'z' ?
	    label[0] - 32 : label[0]);
	return (json_pack("{s:s, s:s}", "value", value, "label", label));
}

/* A brief form: id, url, display, and name and slug when present. */
static json_t *
nb_brief(const json_t *o)
{
	json_t		*b;
	const char	*k[] = { "id", "url", "display", "name", "slug",
	    "vid", "address", "prefix", "label" };
	size_t		 i;

	if (o == NULL)
		return (json_null());
	b = json_object();
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (json_object_get(o, k[i]) != NULL)
			json_object_set(b, k[i], json_object_get(o, k[i]));
	}
	return (b);
}

/* An object by id in a list, or NULL. */
static json_t *
nb_by_id(json_t *list, json_int_t id)
{
	json_t	*o;
	size_t	 i;

	json_array_foreach(list, i, o) {
		if (json_integer_value(json_object_get(o, "id")) == id)
			return (o);
	}
	return (NULL);
}

/* An object by a string member in a list, or NULL. */
static json_t *
nb_by(json_t *list, const char *key, const char *value)
{
	json_t		*o;
	const char	*v;
	size_t		 i;

	json_array_foreach(list, i, o) {
		v = json_string_value(json_object_get(o, key));
		if (v != NULL && strcmp(v, value) == 0)
			return (o);
	}
	return (NULL);
}

/* A new object with id, url and display. */
static json_t *
nb_new(struct nb *nb, const char *kind, const char *display)
{
	json_int_t	 id = nb->next_id++;

	return (json_pack("{s:I, s:o, s:s}", "id", id, "url", nb_url(nb,
	    kind, id), "display", display));
}

/* Adds a device with one interface (or ports for a switch). */
static json_t *
nb_add_device(struct nb *nb, const char *name, const char *role,
    const char *status, const char *tag, const char *mac, int ports)
{
	json_t	*d, *ifc, *tags;
	char	 ifname[16];
	int	 i;

	d = nb_new(nb, "dcim/devices", name);
	tags = json_array();
	if (tag != NULL)
		json_array_append_new(tags, json_pack("{s:s, s:s, s:s}",
		    "name", tag, "slug", tag, "display", tag));
	json_object_set_new(d, "name", json_string(name));
	json_object_set_new(d, "device_type", json_pack("{s:i, s:s, s:{s:s}}",
	    "id", 1, "model", "Generic", "manufacturer", "name", "Generic"));
	json_object_set_new(d, "role", nb_brief(nb_by(nb->roles, "slug",
	    role)));
	json_object_set_new(d, "site", nb_brief(json_array_get(nb->sites,
	    0)));
	json_object_set_new(d, "status", nb_choice(status));
	json_object_set_new(d, "primary_ip4", json_null());
	json_object_set_new(d, "serial", json_string(""));
	json_object_set_new(d, "tags", tags);
	json_object_set_new(d, "description", json_string(""));
	json_array_append(nb->devices, d);
	for (i = 0; i < (ports > 0 ? ports : 1); i++) {
		if (ports > 0)
			snprintf(ifname, sizeof ifname, "port%d", i + 1);
		else
			snprintf(ifname, sizeof ifname, "eth0");
		ifc = nb_new(nb, "dcim/interfaces", ifname);
		json_object_set_new(ifc, "name", json_string(ifname));
		json_object_set_new(ifc, "device", nb_brief(d));
		json_object_set_new(ifc, "type", nb_choice("1000base-t"));
		json_object_set_new(ifc, "enabled", json_true());
		json_object_set_new(ifc, "mac_address", ports > 0 || mac ==
		    NULL ? json_null() : json_string(mac));
		json_object_set_new(ifc, "cable", json_null());
		json_object_set_new(ifc, "connected_endpoints", json_null());
		json_object_set_new(ifc, "description", json_string(""));
		json_array_append_new(nb->interfaces, ifc);
	}
	json_decref(d);
	return (d);
}

/* An interface by device name and interface name, or NULL. */
static json_t *
nb_iface(struct nb *nb, const char *device, const char *name)
{
	json_t		*o;
	size_t		 i;

	json_array_foreach(nb->interfaces, i, o) {
		if (strcmp(json_string_value(json_object_get(json_object_get(o,
		    "device"), "name")), device) == 0 && strcmp(
		    json_string_value(json_object_get(o, "name")), name) == 0)
			return (o);
	}
	return (NULL);
}

/* A termination list entry for an interface. */
static json_t *
nb_term(json_t *ifc)
{
	json_t	*o = nb_brief(ifc);

	json_object_set(o, "device", json_object_get(ifc, "device"));
	return (json_pack("{s:s, s:I, s:o}", "object_type", "dcim.interface",
	    "object_id", json_integer_value(json_object_get(ifc, "id")),
	    "object", o));
}

/* Connects two interfaces; returns the cable (borrowed). */
static json_t *
nb_connect(struct nb *nb, json_t *a, json_t *b, const char *label)
{
	json_t	*c;
	char	 display[16];

	snprintf(display, sizeof display, "#%d", nb->next_id);
	c = nb_new(nb, "dcim/cables", label != NULL && *label != '\0' ?
	    label : display);
	json_object_set_new(c, "type", json_string("cat6"));
	json_object_set_new(c, "status", nb_choice("connected"));
	json_object_set_new(c, "label", json_string(label != NULL ? label :
	    ""));
	json_object_set_new(c, "a_terminations", json_pack("[o]",
	    nb_term(a)));
	json_object_set_new(c, "b_terminations", json_pack("[o]",
	    nb_term(b)));
	json_object_set_new(c, "description", json_string(""));
	json_object_set_new(a, "cable", nb_brief(c));
	json_object_set_new(b, "cable", nb_brief(c));
	json_object_set_new(a, "connected_endpoints", json_pack("[o]",
	    nb_brief(b)));
	json_object_set_new(b, "connected_endpoints", json_pack("[o]",
	    nb_brief(a)));
	json_array_append_new(nb->cables, c);
	return (c);
}

/* Adds an address, assigned to an interface (kind, id) or not. */
static json_t *
nb_add_ip(struct nb *nb, const char *address, const char *dns,
    const char *desc, const char *status, const char *otype, json_t *obj)
{
	json_t	*ip;

	ip = nb_new(nb, "ipam/ip-addresses", address);
	json_object_set_new(ip, "family", json_pack("{s:i, s:s}", "value",
	    strchr(address, ':') != NULL ? 6 : 4, "label", strchr(address,
	    ':') != NULL ? "IPv6" : "IPv4"));
	json_object_set_new(ip, "address", json_string(address));
	json_object_set_new(ip, "vrf", json_null());
	json_object_set_new(ip, "tenant", json_null());
	json_object_set_new(ip, "status", nb_choice(status));
	json_object_set_new(ip, "role", json_null());
	json_object_set_new(ip, "dns_name", json_string(dns != NULL ? dns :
	    ""));
	json_object_set_new(ip, "description", json_string(desc != NULL ?
	    desc : ""));
	json_object_set_new(ip, "tags", json_array());
	if (obj != NULL) {
		json_object_set_new(ip, "assigned_object_type",
		    json_string(otype));
		json_object_set(ip, "assigned_object_id",
		    json_object_get(obj, "id"));
		json_object_set_new(ip, "assigned_object", nb_brief(obj));
		json_object_set(json_object_get(ip, "assigned_object"),
		    strcmp(otype, "dcim.interface") == 0 ? "device" :
		    "virtual_machine", json_object_get(obj, strcmp(otype,
		    "dcim.interface") == 0 ? "device" : "virtual_machine"));
	} else {
		json_object_set_new(ip, "assigned_object_type", json_null());
		json_object_set_new(ip, "assigned_object_id", json_null());
		json_object_set_new(ip, "assigned_object", json_null());
	}
	json_array_append_new(nb->ips, ip);
	return (ip);
}

/* Adds a prefix. */
static void
nb_add_prefix(struct nb *nb, const char *prefix, const char *status,
    int vid, const char *desc)
{
	json_t	*p;

	p = nb_new(nb, "ipam/prefixes", prefix);
	json_object_set_new(p, "family", json_pack("{s:i, s:s}", "value", 4,
	    "label", "IPv4"));
	json_object_set_new(p, "prefix", json_string(prefix));
	json_object_set_new(p, "vrf", json_null());
	json_object_set_new(p, "scope_type", json_string("dcim.site"));
	json_object_set(p, "scope_id", json_object_get(json_array_get(
	    nb->sites, 0), "id"));
	json_object_set_new(p, "tenant", json_null());
	json_object_set_new(p, "vlan", json_null());
	if (vid > 0) {
		json_t	*v;
		size_t	 i;

		json_array_foreach(nb->vlans, i, v) {
			if (json_integer_value(json_object_get(v, "vid")) ==
			    vid)
				json_object_set_new(p, "vlan", nb_brief(v));
		}
	}
	json_object_set_new(p, "status", nb_choice(status));
	json_object_set_new(p, "role", json_null());
	json_object_set_new(p, "is_pool", json_false());
	json_object_set_new(p, "mark_utilized", json_false());
	json_object_set_new(p, "description", json_string(desc));
	json_object_set_new(p, "tags", json_array());
	json_object_set_new(p, "children", json_integer(0));
	json_object_set_new(p, "_depth", json_integer(0));
	json_array_append_new(nb->prefixes, p);
}

/* Adds a VLAN. */
static void
nb_add_vlan(struct nb *nb, int vid, const char *name, json_t *site,
    json_t *group, const char *status)
{
	json_t	*v;
	char	 display[80];

	snprintf(display, sizeof display, "%s (%d)", name, vid);
	v = nb_new(nb, "ipam/vlans", display);
	json_object_set_new(v, "vid", json_integer(vid));
	json_object_set_new(v, "name", json_string(name));
	json_object_set_new(v, "site", nb_brief(site));
	json_object_set_new(v, "group", nb_brief(group));
	json_object_set_new(v, "status", nb_choice(status));
	json_object_set_new(v, "tenant", json_null());
	json_object_set_new(v, "role", json_null());
	json_object_set_new(v, "description", json_string(""));
	json_object_set_new(v, "tags", json_array());
	json_array_append_new(nb->vlans, v);
}

/* Builds the lab. */
static void *
nb_create(struct sim_service *svc)
{
	struct scenario			*sc = sim_scenario(svc);
	const struct scenario_guest	*g;
	const struct scenario_host	*h;
	struct nb			*nb = xcalloc(1, sizeof *nb);
	json_t				*o, *vm, *ifc, *sw;
	uint64_t			 r;
	char				 ip[32], mac[24], addr[40];
	const char			*roles[] = { "server", "switch",
	    "access-point", "router" };
	int				 i;

	nb->rng = sc->seed ^ 0x6e6574626f78ULL;
	nb->next_id = 1;
	for (i = 0; i < 40; i += 16) {
		r = scenario_rand(&nb->rng);
		snprintf(nb->token + i, sizeof nb->token - (size_t)i, "%016llx",
		    (unsigned long long)r);
	}
	r = scenario_rand(&nb->rng);
	snprintf(nb->v2, sizeof nb->v2, "nbt_%08x.%016llx",
	    (unsigned)(r >> 32), (unsigned long long)scenario_rand(&nb->rng));
	nb->sites = json_array();
	nb->roles = json_array();
	nb->devices = json_array();
	nb->interfaces = json_array();
	nb->cables = json_array();
	nb->prefixes = json_array();
	nb->ips = json_array();
	nb->vlans = json_array();
	nb->vlan_groups = json_array();
	nb->vms = json_array();
	nb->vmifs = json_array();
	o = nb_new(nb, "dcim/sites", "Home");
	json_object_set_new(o, "name", json_string("Home"));
	json_object_set_new(o, "slug", json_string("home"));
	json_object_set_new(o, "status", nb_choice("active"));
	json_array_append_new(nb->sites, o);
	o = nb_new(nb, "dcim/sites", "Cabin");
	json_object_set_new(o, "name", json_string("Cabin"));
	json_object_set_new(o, "slug", json_string("cabin"));
	json_object_set_new(o, "status", nb_choice("planned"));
	json_array_append_new(nb->sites, o);
	for (i = 0; i < 4; i++) {
		o = nb_new(nb, "dcim/device-roles", roles[i]);
		json_object_set_new(o, "name", json_string(roles[i]));
		json_object_set_new(o, "slug", json_string(roles[i]));
		json_array_append_new(nb->roles, o);
	}
	o = nb_new(nb, "ipam/vlan-groups", "home-vlans");
	json_object_set_new(o, "name", json_string("home-vlans"));
	json_object_set_new(o, "slug", json_string("home-vlans"));
	json_array_append_new(nb->vlan_groups, o);
	nb_add_vlan(nb, 1, "mgmt", json_array_get(nb->sites, 0), NULL,
	    "active");
	nb_add_vlan(nb, 10, "lan", json_array_get(nb->sites, 0), o, "active");
	nb_add_vlan(nb, 30, "iot", json_array_get(nb->sites, 0), o, "active");
	nb_add_prefix(nb, "10.0.0.0/24", "active", 10, "Lab LAN");
	nb_add_prefix(nb, "192.168.1.0/24", "active", 1, "Management");
	nb_add_prefix(nb, "10.0.1.0/29", "active", 0, "Out-of-band (full)");
	for (i = 0; i < SCENARIO_NODES; i++) {
		o = nb_add_device(nb, sc->nodes[i].name, "server", "active",
		    "proxmox", NULL, 0);
		snprintf(addr, sizeof addr, "%s/24", sc->nodes[i].ip);
		ifc = nb_iface(nb, sc->nodes[i].name, "eth0");
		json_object_set_new(o, "primary_ip4", nb_brief(nb_add_ip(nb,
		    addr, NULL, "Proxmox node", "active", "dcim.interface",
		    ifc)));
	}
	sw = nb_add_device(nb, "usw-24", "switch", "active", NULL, NULL, 8);
	nb_add_device(nb, "uap-living", "access-point", "active", NULL, NULL,
	    0);
	nb_add_device(nb, "nas", "server", "active", "storage", NULL, 0);
	nb_add_device(nb, "old-router", "router", "offline", "legacy", NULL, 0);
	(void)sw;
	nb_connect(nb, nb_iface(nb, "pve1", "eth0"), nb_iface(nb, "usw-24",
	    "port1"), "pve1-uplink");
	nb_connect(nb, nb_iface(nb, "pve2", "eth0"), nb_iface(nb, "usw-24",
	    "port2"), "pve2-uplink");
	nb_add_ip(nb, "192.168.1.1/24", "gateway.lan", "UniFi gateway",
	    "active", NULL, NULL);
	nb_add_ip(nb, "10.0.0.99/24", "printer-old.lan", "Retired printer",
	    "active", NULL, NULL);
	for (i = 1; i <= 6; i++) {
		snprintf(addr, sizeof addr, "10.0.1.%d/29", i);
		nb_add_ip(nb, addr, NULL, "OOB", "reserved", NULL, NULL);
	}
	for (i = 0; i < sc->nguests; i++) {
		g = &sc->guests[i];
		if (g->template || g->gone)
			continue;
		vm = nb_new(nb, "virtualization/virtual-machines", g->name);
		json_object_set_new(vm, "name", json_string(g->name));
		json_object_set_new(vm, "status", nb_choice(g->running ?
		    "active" : "offline"));
		json_object_set_new(vm, "site", nb_brief(json_array_get(
		    nb->sites, 0)));
		json_object_set_new(vm, "vcpus", json_real(g->maxcpu));
		json_object_set_new(vm, "memory", json_integer(g->maxmem /
		    (1024 * 1024)));
		json_object_set_new(vm, "primary_ip4", json_null());
		json_object_set_new(vm, "tags", json_array());
		json_array_append(nb->vms, vm);
		ifc = nb_new(nb, "virtualization/interfaces", "eth0");
		json_object_set_new(ifc, "name", json_string("eth0"));
		json_object_set_new(ifc, "virtual_machine", nb_brief(vm));
		json_object_set_new(ifc, "enabled", json_true());
		scenario_guest_addr(sc, g, ip, sizeof ip, mac, sizeof mac);
		json_object_set_new(ifc, "mac_address", json_string(mac));
		json_array_append_new(nb->vmifs, ifc);
		/* NetBox knows the shared hosts and every other guest. */
		h = scenario_host_find(ip);
		if (h != NULL || g->vmid % 2 == 0) {
			snprintf(addr, sizeof addr, "%s/%d", ip,
			    strncmp(ip, "10.0.0.", 7) == 0 ? 24 : 16);
			json_object_set_new(vm, "primary_ip4", nb_brief(
			    nb_add_ip(nb, addr, h != NULL ? "homeassistant.lan"
			    : NULL, g->name, "active",
			    "virtualization.vminterface", ifc)));
		}
		json_decref(vm);
	}
	return (nb);
}

/* Frees the lab. */
static void
nb_destroy(void *data)
{
	struct nb	*nb = data;

	if (nb == NULL)
		return;
	json_decref(nb->sites);
	json_decref(nb->roles);
	json_decref(nb->devices);
	json_decref(nb->interfaces);
	json_decref(nb->cables);
	json_decref(nb->prefixes);
	json_decref(nb->ips);
	json_decref(nb->vlans);
	json_decref(nb->vlan_groups);
	json_decref(nb->vms);
	json_decref(nb->vmifs);
	free(nb);
}

/* 403 with NetBox's body. */
static void
nb_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	sim_reply_json_new(resp, 403, json_pack("{s:s}", "detail",
	    "Invalid token"));
}

/* Token or Bearer v2 token. */
static int
nb_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	const char	*auth = sim_header(req, "Authorization");

	if (auth == NULL) {
		sim_reply_json_new(resp, 403, json_pack("{s:s}", "detail",
		    "Authentication credentials were not provided."));
		return (-1);
	}
	if ((strncmp(auth, "Token ", 6) == 0 && strcmp(auth + 6,
	    nb->token) == 0) || (strncmp(auth, "Bearer ", 7) == 0 &&
	    strcmp(auth + 7, nb->v2) == 0))
		return (0);
	nb_unauthorized(svc, resp);
	return (-1);
}

/* An error with NetBox's body. */
static void
nb_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *message)
{
	(void)svc;
	sim_reply_json_new(resp, status, json_pack("{s:s}", "detail",
	    message != NULL ? message : status == 404 ? "Not found." :
	    "Server Error"));
}

/* 404 for unknown paths. */
static void
nb_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	nb_error(svc, resp, 404, "Not found.");
}

/* Whether a string member of o contains q, any case. */
static bool
nb_has(const json_t *o, const char *key, const char *q)
{
	const char	*v = json_string_value(json_object_get(o, key));

	return (v != NULL && strcasestr(v, q) != NULL);
}

/* The q search: name, display, address, dns_name, description... */
static bool
nb_q(const json_t *o, const char *q)
{
	const char	*k[] = { "name", "display", "address", "dns_name",
	    "description", "prefix", "label", "mac_address", "serial" };
	size_t		 i;

	if (q == NULL || *q == '\0')
		return (true);
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (nb_has(o, k[i], q))
			return (true);
	}
	return (false);
}

/* A nested member's string: o[a][b]. */
static const char *
nb_str2(const json_t *o, const char *a, const char *b)
{
	return (json_string_value(json_object_get(json_object_get(o, a), b)));
}

/* Whether an IPv4 address (no length) lies in prefix "a.b.c.d/n". */
static bool
nb_in_prefix(const char *addr, const char *prefix)
{
	char		 buf[64], *slash;
	struct in_addr	 a, p;
	uint32_t	 mask;
	int		 len;

	snprintf(buf, sizeof buf, "%s", prefix);
	if ((slash = strchr(buf, '/')) == NULL)
		return (false);
	*slash = '\0';
	len = atoi(slash + 1);
	if (inet_pton(AF_INET, buf, &p) != 1)
		return (false);
	snprintf(buf, sizeof buf, "%s", addr);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 0 || len > 32)
		return (false);
	mask = len == 0 ? 0 : htonl(0xffffffffU << (32 - len));
	return ((a.s_addr & mask) == (p.s_addr & mask));
}

/* Whether an address "a.b.c.d/n" is a.b.c.d. */
static bool
nb_same_ip(const char *address, const char *ip)
{
	size_t	len = strcspn(address, "/");

	return (strncmp(address, ip, len) == 0 && (ip[len] == '\0' ||
	    ip[len] == '/'));
}

/* Whether o passes the list filters of its kind. */
static bool
nb_filter(struct sim_request *req, const char *kind, const json_t *o)
{
	const char	*v;
	const json_t	*t;
	size_t		 i;
	bool		 found;

	if (!nb_q(o, sim_arg(req, "q")))
		return (false);
	if ((v = sim_arg(req, "site")) != NULL && (nb_str2(o, "site",
	    "slug") == NULL || strcmp(nb_str2(o, "site", "slug"), v) != 0))
		return (false);
	if ((v = sim_arg(req, "status")) != NULL && strcmp(nb_str2(o,
	    "status", "value"), v) != 0)
		return (false);
	if ((v = sim_arg(req, "role")) != NULL && (nb_str2(o, "role",
	    "slug") == NULL || strcmp(nb_str2(o, "role", "slug"), v) != 0))
		return (false);
	if ((v = sim_arg(req, "tag")) != NULL) {
		found = false;
		json_array_foreach(json_object_get(o, "tags"), i, t) {
			if (strcmp(json_string_value(json_object_get(t,
			    "slug")), v) == 0)
				found = true;
		}
		if (!found)
			return (false);
	}
	if ((v = sim_arg(req, "name")) != NULL && !(json_string_value(
	    json_object_get(o, "name")) != NULL && strcmp(json_string_value(
	    json_object_get(o, "name")), v) == 0))
		return (false);
	if (strcmp(kind, "interfaces") == 0) {
		if ((v = sim_arg(req, "device")) != NULL && strcmp(nb_str2(o,
		    "device", "name"), v) != 0)
			return (false);
		if ((v = sim_arg(req, "device_id")) != NULL && json_integer_value(
		    json_object_get(json_object_get(o, "device"), "id")) !=
		    atoll(v))
			return (false);
	}
	if (strcmp(kind, "vminterfaces") == 0 && (v = sim_arg(req,
	    "virtual_machine")) != NULL && strcmp(nb_str2(o,
	    "virtual_machine", "name"), v) != 0)
		return (false);
	if (strcmp(kind, "ips") == 0) {
		if ((v = sim_arg(req, "address")) != NULL &&
		    !nb_same_ip(json_string_value(json_object_get(o,
		    "address")), v))
			return (false);
		if ((v = sim_arg(req, "parent")) != NULL && !nb_in_prefix(
		    json_string_value(json_object_get(o, "address")), v))
			return (false);
	}
	if (strcmp(kind, "prefixes") == 0 && (v = sim_arg(req, "prefix")) !=
	    NULL && strcmp(json_string_value(json_object_get(o, "prefix")),
	    v) != 0)
		return (false);
	if (strcmp(kind, "vlans") == 0 && (v = sim_arg(req, "vid")) != NULL &&
	    json_integer_value(json_object_get(o, "vid")) != atoll(v))
		return (false);
	return (true);
}

/* A non-negative integer query argument, or def; -1 when malformed. */
static long
nb_int_arg(struct sim_request *req, const char *name, long def)
{
	const char	*v = sim_arg(req, name);
	char		*end;
	long		 n;

	if (v == NULL)
		return (def);
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 0)
		return (-1);
	return (n);
}

/* A paginated list of the objects of list that pass the filters. */
static void
nb_list(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, json_t *list, const char *kind,
    const char *path)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*all = json_array(), *page = json_array(), *o;
	long		 limit, offset;
	size_t		 i, count;

	limit = nb_int_arg(req, "limit", NB_PAGE);
	offset = nb_int_arg(req, "offset", 0);
	if (limit < 0 || offset < 0) {
		json_decref(all);
		json_decref(page);
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "limit",
		    "A valid integer is required."));
		return;
	}
	if (limit == 0 || limit > NB_PAGE_MAX)
		limit = limit == 0 ? NB_PAGE : NB_PAGE_MAX;
	json_array_foreach(list, i, o) {
		if (nb_filter(req, kind, o))
			json_array_append(all, o);
	}
	count = json_array_size(all);
	for (i = (size_t)offset; i < count && i < (size_t)(offset + limit);
	    i++)
		json_array_append(page, json_array_get(all, i));
	json_decref(all);
	sim_reply_json_new(resp, 200, json_pack("{s:I, s:o, s:o, s:o}",
	    "count", (json_int_t)count, "next", (size_t)(offset + limit) <
	    count ? json_sprintf("http://127.0.0.1:%u/api/%s/?limit=%ld&"
	    "offset=%ld", nb->port, path, limit, offset + limit) : json_null(),
	    "previous", offset > 0 ? json_sprintf("http://127.0.0.1:%u/api/"
	    "%s/?limit=%ld&offset=%ld", nb->port, path, limit, offset > limit ?
	    offset - limit : 0) : json_null(), "results", page));
}

#define NB_LIST(fn, member, kind, path) \
static void \
fn(struct sim_service *svc, struct sim_request *req, \
    struct sim_response *resp) \
{ \
	struct nb *nb = sim_service_data(svc); \
	nb_list(svc, req, resp, nb->member, kind, path); \
}
NB_LIST(nb_sites, sites, "sites", "dcim/sites")
NB_LIST(nb_devices, devices, "devices", "dcim/devices")
NB_LIST(nb_interfaces, interfaces, "interfaces", "dcim/interfaces")
NB_LIST(nb_cables, cables, "cables", "dcim/cables")
NB_LIST(nb_prefixes, prefixes, "prefixes", "ipam/prefixes")
NB_LIST(nb_ips, ips, "ips", "ipam/ip-addresses")
NB_LIST(nb_vlans, vlans, "vlans", "ipam/vlans")
NB_LIST(nb_vlan_groups, vlan_groups, "vlan_groups", "ipam/vlan-groups")
NB_LIST(nb_vms, vms, "vms", "virtualization/virtual-machines")
NB_LIST(nb_vmifs, vmifs, "vminterfaces", "virtualization/interfaces")

/* The {id} parameter as an integer, or -1. */
static json_int_t
nb_id_param(struct sim_request *req)
{
	const char	*v = json_string_value(json_object_get(req->params,
	    "id"));
	char		*end;
	long long	 n;

	if (v == NULL)
		return (-1);
	n = strtoll(v, &end, 10);
	return (*end != '\0' || n < 0 ? -1 : (json_int_t)n);
}

/* GET /status/. */
static void
nb_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:{}, s:s, s:{}, "
	    "s:s, s:i}", "django-version", "5.1.5", "installed-apps",
	    "netbox-version", NB_VERSION, "plugins", "python-version",
	    "3.12.3", "rq-workers-running", 1));
}

/* GET /dcim/devices/{id}/. */
static void
nb_device(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*d = nb_by_id(nb->devices, nb_id_param(req));

	if (d == NULL) {
		nb_error(svc, resp, 404, NULL);
		return;
	}
	sim_reply_json_new(resp, 200, json_incref(d));
}

/* The request body as JSON, or NULL after a 400. */
static json_t *
nb_body(struct sim_request *req, struct sim_response *resp)
{
	json_t		*j;
	json_error_t	 err;

	j = req->body != NULL ? json_loadb(req->body, req->bodylen, 0, &err) :
	    NULL;
	if (j == NULL)
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "detail",
		    "JSON parse error"));
	return (j);
}

/* The address ("a.b.c.d/len") of host i of a prefix, or false. */
static bool
nb_host(const char *prefix, uint32_t i, char *out, size_t len)
{
	char		 buf[64], ipbuf[INET_ADDRSTRLEN], *slash;
	struct in_addr	 p;
	uint32_t	 base, size;
	int		 plen;

	snprintf(buf, sizeof buf, "%s", prefix);
	if ((slash = strchr(buf, '/')) == NULL)
		return (false);
	*slash = '\0';
	plen = atoi(slash + 1);
	if (inet_pton(AF_INET, buf, &p) != 1 || plen < 8 || plen > 32)
		return (false);
	size = plen == 32 ? 1 : 1U << (32 - plen);
	/* The network and broadcast addresses are not hosts below /31. */
	if (plen < 31 && (i == 0 || i >= size - 1))
		return (false);
	if (i >= size)
		return (false);
	base = ntohl(p.s_addr) & (plen == 32 ? 0xffffffffU :
	    0xffffffffU << (32 - plen));
	p.s_addr = htonl(base + i);
	inet_ntop(AF_INET, &p, ipbuf, sizeof ipbuf);
	snprintf(out, len, "%s/%d", ipbuf, plen);
	return (true);
}

/* How many addresses a prefix spans, at most 65536. */
static uint32_t
nb_prefix_size(const char *prefix)
{
	const char	*slash = strchr(prefix, '/');
	int		 len = slash != NULL ? atoi(slash + 1) : 32;

	return (len < 16 ? 65536 : len > 32 ? 0 : 1U << (32 - len));
}

/* Whether an address is taken. */
static bool
nb_taken(struct nb *nb, const char *addr)
{
	json_t		*o;
	size_t		 i;
	char		 ip[64];

	snprintf(ip, sizeof ip, "%.*s", (int)strcspn(addr, "/"), addr);
	json_array_foreach(nb->ips, i, o) {
		if (nb_same_ip(json_string_value(json_object_get(o, "address")),
		    ip))
			return (true);
	}
	return (false);
}

/* Resolves the assignment fields of an allocation; NULL and *why. */
static int
nb_assign(struct nb *nb, const json_t *req, const char **otype,
    json_t **obj, const char **why)
{
	const char	*t = json_string_value(json_object_get(req,
	    "assigned_object_type"));
	json_int_t	 id = json_integer_value(json_object_get(req,
	    "assigned_object_id"));

	*otype = NULL;
	*obj = NULL;
	if (t == NULL)
		return (0);
	*otype = t;
	if (strcmp(t, "dcim.interface") == 0)
		*obj = nb_by_id(nb->interfaces, id);
	else if (strcmp(t, "virtualization.vminterface") == 0)
		*obj = nb_by_id(nb->vmifs, id);
	else {
		*why = "assigned_object_type";
		return (-1);
	}
	if (*obj == NULL) {
		*why = "assigned_object_id";
		return (-1);
	}
	return (0);
}

/* GET and POST /ipam/prefixes/{id}/available-ips/. */
static void
nb_available(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*p = nb_by_id(nb->prefixes, nb_id_param(req));
	json_t		*body = NULL, *reqs, *out, *r, *ip;
	const char	*prefix, *otype, *why, *dns, *status;
	json_t		*obj;
	char		 addr[64];
	uint32_t	 h, size;
	long		 limit;
	size_t		 i, want;
	bool		 list;

	if (p == NULL) {
		nb_error(svc, resp, 404, NULL);
		return;
	}
	prefix = json_string_value(json_object_get(p, "prefix"));
	out = json_array();
	if (strcmp(req->method, "GET") == 0) {
		limit = nb_int_arg(req, "limit", NB_PAGE);
		size = nb_prefix_size(prefix);
		for (h = 0; h < size && (limit <= 0 || json_array_size(out) <
		    (size_t)limit); h++) {
			if (nb_host(prefix, h, addr, sizeof addr) &&
			    !nb_taken(nb, addr))
				json_array_append_new(out, json_pack("{s:i, "
				    "s:s, s:n}", "family", 4, "address", addr,
				    "vrf"));
		}
		sim_reply_json_new(resp, 200, out);
		return;
	}
	if ((body = nb_body(req, resp)) == NULL) {
		json_decref(out);
		return;
	}
	list = json_is_array(body);
	reqs = list ? json_incref(body) : json_pack("[O]", body);
	want = json_array_size(reqs);
	size = nb_prefix_size(prefix);
	for (h = 0, i = 0; i < want && h < size; h++) {
		if (!nb_host(prefix, h, addr, sizeof addr) || nb_taken(nb,
		    addr))
			continue;
		r = json_array_get(reqs, i);
		dns = json_string_value(json_object_get(r, "dns_name"));
		status = json_string_value(json_object_get(r, "status"));
		if (dns != NULL && strspn(dns, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*") != strlen(dns)) {
			sim_reply_json_new(resp, 400, json_pack("{s:[s]}",
			    "dns_name", "Only alphanumeric characters, "
			    "asterisks, hyphens, periods, and underscores are "
			    "allowed in DNS names"));
			goto out;
		}
		if (status != NULL && strcmp(status, "active") != 0 &&
		    strcmp(status, "reserved") != 0 && strcmp(status, "dhcp") !=
		    0 && strcmp(status, "deprecated") != 0 && strcmp(status,
		    "slaac") != 0) {
			sim_reply_json_new(resp, 400, json_pack("{s:[s]}",
			    "status", "Not a valid choice."));
			goto out;
		}
		if (nb_assign(nb, r, &otype, &obj, &why) != 0) {
			sim_reply_json_new(resp, 400, json_pack("{s:[s]}", why,
			    "Related object not found."));
			goto out;
		}
		ip = nb_add_ip(nb, addr, dns, json_string_value(
		    json_object_get(r, "description")), status != NULL ?
		    status : "active", otype, obj);
		json_array_append(out, ip);
		i++;
	}
	if (i < want) {
		/* Roll back what this request took. */
		while (i-- > 0)
			json_array_remove(nb->ips, json_array_size(nb->ips) - 1);
		sim_reply_json_new(resp, 409, json_pack("{s:s}", "detail",
		    "Insufficient space is available to accommodate the "
		    "requested number of IPs"));
		goto out;
	}
	sim_reply_json_new(resp, 201, list ? json_incref(out) :
	    json_incref(json_array_get(out, 0)));
out:
	json_decref(out);
	json_decref(reqs);
	json_decref(body);
}

/* A related object named by id or by {slug} in a body, or NULL. */
static json_t *
nb_related(json_t *list, const json_t *v)
{
	if (json_is_integer(v))
		return (nb_by_id(list, json_integer_value(v)));
	if (json_is_object(v) && json_is_string(json_object_get(v, "slug")))
		return (nb_by(list, "slug", json_string_value(json_object_get(v,
		    "slug"))));
	if (json_is_object(v) && json_is_integer(json_object_get(v, "id")))
		return (nb_by_id(list, json_integer_value(json_object_get(v,
		    "id"))));
	return (NULL);
}

/* POST /ipam/vlans/. */
static void
nb_vlan_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*body, *site = NULL, *group = NULL, *v;
	const char	*name, *status;
	json_int_t	 vid;
	size_t		 i;

	if ((body = nb_body(req, resp)) == NULL)
		return;
	name = json_string_value(json_object_get(body, "name"));
	status = json_string_value(json_object_get(body, "status"));
	vid = json_integer_value(json_object_get(body, "vid"));
	if (name == NULL || *name == '\0') {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "name",
		    "This field is required."));
		goto out;
	}
	if (vid < 1 || vid > 4094) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "vid",
		    "Ensure this value is less than or equal to 4094."));
		goto out;
	}
	if (json_object_get(body, "site") != NULL && (site = nb_related(
	    nb->sites, json_object_get(body, "site"))) == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "site",
		    "Related object not found using the provided attributes."));
		goto out;
	}
	if (json_object_get(body, "group") != NULL && (group = nb_related(
	    nb->vlan_groups, json_object_get(body, "group"))) == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "group",
		    "Related object not found using the provided attributes."));
		goto out;
	}
	json_array_foreach(nb->vlans, i, v) {
		if (json_integer_value(json_object_get(v, "vid")) == vid &&
		    ((site != NULL && nb_str2(v, "site", "slug") != NULL &&
		    strcmp(nb_str2(v, "site", "slug"), json_string_value(
		    json_object_get(site, "slug"))) == 0) || (group != NULL &&
		    nb_str2(v, "group", "slug") != NULL && strcmp(nb_str2(v,
		    "group", "slug"), json_string_value(json_object_get(group,
		    "slug"))) == 0))) {
			sim_reply_json_new(resp, 400, json_pack("{s:[s]}",
			    "__all__", "VLAN with this VID already exists in "
			    "this site or group."));
			goto out;
		}
	}
	nb_add_vlan(nb, (int)vid, name, site, group, status != NULL ? status :
	    "active");
	sim_reply_json_new(resp, 201, json_incref(json_array_get(nb->vlans,
	    json_array_size(nb->vlans) - 1)));
out:
	json_decref(body);
}

/* The interface of a termination list's first dcim.interface, or NULL. */
static json_t *
nb_term_iface(struct nb *nb, const json_t *terms, const char **why)
{
	const json_t	*t = json_array_get(terms, 0);

	if (json_array_size(terms) != 1 || strcmp(json_string_value(
	    json_object_get(t, "object_type")) != NULL ? json_string_value(
	    json_object_get(t, "object_type")) : "", "dcim.interface") != 0) {
		*why = "Exactly one dcim.interface termination is supported.";
		return (NULL);
	}
	*why = "Related object not found.";
	return (nb_by_id(nb->interfaces, json_integer_value(json_object_get(t,
	    "object_id"))));
}

/* POST /dcim/cables/. */
static void
nb_cable_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*body, *a, *b;
	const char	*why;

	if ((body = nb_body(req, resp)) == NULL)
		return;
	if ((a = nb_term_iface(nb, json_object_get(body, "a_terminations"),
	    &why)) == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}",
		    "a_terminations", why));
		goto out;
	}
	if ((b = nb_term_iface(nb, json_object_get(body, "b_terminations"),
	    &why)) == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}",
		    "b_terminations", why));
		goto out;
	}
	if (a == b || !json_is_null(json_object_get(a, "cable")) ||
	    !json_is_null(json_object_get(b, "cable"))) {
		sim_reply_json_new(resp, 400, json_pack("{s:[s]}", "__all__",
		    a == b ? "A and B terminations cannot be the same." :
		    "Duplicate termination found: the interface already has "
		    "a cable."));
		goto out;
	}
	sim_reply_json_new(resp, 201, json_incref(nb_connect(nb, a, b,
	    json_string_value(json_object_get(body, "label")))));
out:
	json_decref(body);
}

/* GET and DELETE /dcim/cables/{id}/. */
static void
nb_cable(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct nb	*nb = sim_service_data(svc);
	json_int_t	 id = nb_id_param(req);
	json_t		*c = nb_by_id(nb->cables, id), *ifc;
	size_t		 i;

	if (c == NULL) {
		nb_error(svc, resp, 404, NULL);
		return;
	}
	if (strcmp(req->method, "GET") == 0) {
		sim_reply_json_new(resp, 200, json_incref(c));
		return;
	}
	json_array_foreach(nb->interfaces, i, ifc) {
		if (json_integer_value(json_object_get(json_object_get(ifc,
		    "cable"), "id")) == id) {
			json_object_set_new(ifc, "cable", json_null());
			json_object_set_new(ifc, "connected_endpoints",
			    json_null());
		}
	}
	json_array_foreach(nb->cables, i, c) {
		if (json_integer_value(json_object_get(c, "id")) == id) {
			json_array_remove(nb->cables, i);
			break;
		}
	}
	resp->status = 204;
}

/* POST /state: no ops yet. */
static int
nb_state(struct sim_service *svc, json_t *j, char **cause)
{
	(void)svc;
	xasprintf(cause, "unknown op \"%s\"", json_string_value(
	    json_object_get(j, "op")) != NULL ? json_string_value(
	    json_object_get(j, "op")) : "");
	return (-1);
}

/* Puts the port into the URLs made before the daemon listened. */
static void
nb_fix_urls(json_t *j, unsigned port)
{
	const char	*k, *v;
	json_t		*m;
	size_t		 i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, m)
			nb_fix_urls(m, port);
		return;
	}
	json_object_foreach(j, k, m) {
		v = json_string_value(m);
		if (v != NULL && strcmp(k, "url") == 0 &&
		    strncmp(v, "http://127.0.0.1:0/", 19) == 0)
			json_object_set_new(j, k, json_sprintf(
			    "http://127.0.0.1:%u/%s", port, v + 19));
		else if (json_is_object(m) || json_is_array(m))
			nb_fix_urls(m, port);
	}
}

/* Adds "netbox" to the endpoints file: url, token, v2.token. */
static void
nb_endpoint(struct sim_service *svc, json_t *o)
{
	struct nb	*nb = sim_service_data(svc);
	json_t		*all[] = { nb->sites, nb->roles, nb->devices,
	    nb->interfaces, nb->cables, nb->prefixes, nb->ips, nb->vlans,
	    nb->vlan_groups, nb->vms, nb->vmifs };
	size_t		 i;

	if (nb->port == 0) {
		nb->port = sim_service_port(svc);
		for (i = 0; i < sizeof all / sizeof all[0]; i++)
			nb_fix_urls(all[i], nb->port);
	}
	/* The v2 token sits in an object, which racktop --demo skips. */
	json_object_set_new(o, "netbox", json_pack("{s:o, s:s, s:{s:s}}",
	    "url", json_sprintf("http://127.0.0.1:%u", nb->port), "token",
	    nb->token, "v2", "token", nb->v2));
}

static const struct sim_route netbox_routes[] = {
	{ "GET", "/status", nb_status, 0 },
	{ "GET", "/dcim/sites", nb_sites, 0 },
	{ "GET", "/dcim/devices", nb_devices, 0 },
	{ "GET", "/dcim/devices/{id}", nb_device, 0 },
	{ "GET", "/dcim/interfaces", nb_interfaces, 0 },
	{ "GET", "/dcim/cables", nb_cables, 0 },
	{ "POST", "/dcim/cables", nb_cable_create, 0 },
	{ "GET", "/dcim/cables/{id}", nb_cable, 0 },
	{ "DELETE", "/dcim/cables/{id}", nb_cable, 0 },
	{ "GET", "/ipam/prefixes", nb_prefixes, 0 },
	{ "GET", "/ipam/prefixes/{id}/available-ips", nb_available, 0 },
	{ "POST", "/ipam/prefixes/{id}/available-ips", nb_available, 0 },
	{ "GET", "/ipam/ip-addresses", nb_ips, 0 },
	{ "GET", "/ipam/vlans", nb_vlans, 0 },
	{ "POST", "/ipam/vlans", nb_vlan_create, 0 },
	{ "GET", "/ipam/vlan-groups", nb_vlan_groups, 0 },
	{ "GET", "/virtualization/virtual-machines", nb_vms, 0 },
	{ "GET", "/virtualization/interfaces", nb_vmifs, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_netbox_ops = {
	.name = "netbox",
	.prefix = "/api",
	.routes = netbox_routes,
	.create = nb_create,
	.destroy = nb_destroy,
	.authorize = nb_authorize,
	.unauthorized = nb_unauthorized,
	.error = nb_error,
	.not_found = nb_not_found,
	.state = nb_state,
	.endpoint = nb_endpoint,
};
