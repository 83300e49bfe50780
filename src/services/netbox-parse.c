/*
 * NetBox parse half: pure functions from the REST API's JSON (NetBox 4.2
 * OpenAPI schema: DeviceWithConfigContext, IPAddress, Prefix, VLAN,
 * Cable, brief nested objects, {value, label} choices) to racktop's rows,
 * plus address arithmetic for prefix utilisation and the token header.
 */
#include "config.h"

#include <arpa/inet.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "services/netbox.h"

/* A string member, or def. */
static const char *
nb_str(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : def);
}

/* A choice's value ({value, label}) or a plain string, or "". */
static const char *
nb_choice(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return (json_string_value(v));
	return (nb_str(v, "value", ""));
}

/* A nested brief object's slug, else its name, else "". */
static const char *
nb_slug(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return (nb_str(v, "slug", nb_str(v, "name", "")));
}

/* Sets row[key] to a copy of o[key] when it is an integer. */
static void
nb_copy_int(json_t *row, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		json_object_set_new(row, key, json_integer(
		    json_integer_value(v)));
}

/* Parses an address or network (see netbox.h). */
bool
netbox_net_parse(const char *s, struct netbox_net *out)
{
	char buf[64], *slash, *end;
	long len;

	if (s == NULL || strlen(s) >= sizeof buf)
		return (false);
	memset(out, 0, sizeof *out);
	snprintf(buf, sizeof buf, "%s", s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		out->len = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		out->len = 128;
	} else
		return (false);
	if (slash != NULL) {
		len = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || len < 0 ||
		    len > out->len)
			return (false);
		out->len = (int)len;
	}
	return (true);
}

/* Whether ip lies inside net. */
bool
netbox_net_contains(const struct netbox_net *net, const struct netbox_net *ip)
{
	int full = net->len / 8, rest = net->len % 8;
	unsigned char mask;

	if (net->family != ip->family)
		return (false);
	if (memcmp(net->addr, ip->addr, (size_t)full) != 0)
		return (false);
	if (rest == 0)
		return (true);
	mask = (unsigned char)(0xff << (8 - rest));
	return ((net->addr[full] & mask) == (ip->addr[full] & mask));
}

/* Device rows. */
json_t *
netbox_parse_devices(const json_t *results, const char *instance)
{
	const json_t *o, *t, *ip;
	json_t *rows = json_array(), *row, *tags;
	size_t i, j;

	json_array_foreach(results, i, o) {
		if (!json_is_integer(json_object_get(o, "id")))
			continue;
		tags = json_array();
		json_array_foreach(json_object_get(o, "tags"), j, t) {
			if (nb_str(t, "slug", NULL) != NULL)
				json_array_append_new(tags, json_string(
				    nb_str(t, "slug", "")));
		}
		row = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s}",
		    "instance", instance, "id", json_integer_value(
		    json_object_get(o, "id")), "name", nb_str(o, "name",
		    nb_str(o, "display", "")), "role", nb_slug(o, "role"),
		    "site", nb_slug(o, "site"), "status", nb_choice(o,
		    "status"), "tags", tags, "serial", nb_str(o, "serial", ""),
		    "description", nb_str(o, "description", ""));
		ip = json_object_get(o, "primary_ip");
		if (!json_is_object(ip))
			ip = json_object_get(o, "primary_ip4");
		if (nb_str(ip, "address", NULL) != NULL)
			json_object_set_new(row, "primary_ip", json_string(
			    nb_str(ip, "address", "")));
		if (nb_str(json_object_get(o, "device_type"), "model", NULL) !=
		    NULL)
			json_object_set_new(row, "type", json_string(nb_str(
			    json_object_get(o, "device_type"), "model", "")));
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Address rows. */
json_t *
netbox_parse_addresses(const json_t *results, const char *instance)
{
	const json_t *o, *ao, *fam;
	const char *address, *atype;
	json_t *rows = json_array(), *row;
	size_t i;
	int family;

	json_array_foreach(results, i, o) {
		address = nb_str(o, "address", NULL);
		if (address == NULL || !json_is_integer(json_object_get(o,
		    "id")))
			continue;
		fam = json_object_get(o, "family");
		family = json_is_object(fam) ? (int)json_integer_value(
		    json_object_get(fam, "value")) : strchr(address, ':') !=
		    NULL ? 6 : 4;
		row = json_pack("{s:s, s:I, s:s, s:s%, s:i, s:s, s:s, s:s}",
		    "instance", instance, "id", json_integer_value(
		    json_object_get(o, "id")), "address", address, "ip",
		    address, strcspn(address, "/"), "family", family,
		    "status", nb_choice(o, "status"), "dns_name", nb_str(o,
		    "dns_name", ""), "description", nb_str(o, "description",
		    ""));
		atype = nb_str(o, "assigned_object_type", NULL);
		ao = json_object_get(o, "assigned_object");
		if (atype != NULL && json_is_object(ao)) {
			json_object_set_new(row, "assigned_type",
			    json_string(atype));
			if (nb_str(ao, "name", NULL) != NULL)
				json_object_set_new(row, "interface",
				    json_string(nb_str(ao, "name", "")));
			if (nb_str(json_object_get(ao, "device"), "name",
			    NULL) != NULL)
				json_object_set_new(row, "device", json_string(
				    nb_str(json_object_get(ao, "device"),
				    "name", "")));
			if (nb_str(json_object_get(ao, "virtual_machine"),
			    "name", NULL) != NULL)
				json_object_set_new(row, "vm", json_string(
				    nb_str(json_object_get(ao,
				    "virtual_machine"), "name", "")));
		}
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* How many addresses a prefix holds for utilisation (see netbox.h). */
static double
nb_prefix_size(const struct netbox_net *n)
{
	int host = (n->family == 4 ? 32 : 128) - n->len;
	double size = ldexp(1.0, host);

	if (n->family == 4 && n->len < 31)
		size -= 2;
	return (size);
}

/* Prefix rows with utilisation. */
json_t *
netbox_parse_prefixes(const json_t *results, const json_t *addresses,
    const char *instance)
{
	const json_t *o, *a;
	struct netbox_net net, ip;
	json_t *rows = json_array(), *row;
	const char *prefix;
	double size;
	size_t i, j, used;

	json_array_foreach(results, i, o) {
		prefix = nb_str(o, "prefix", NULL);
		if (prefix == NULL || !json_is_integer(json_object_get(o,
		    "id")) || !netbox_net_parse(prefix, &net))
			continue;
		used = 0;
		json_array_foreach(addresses, j, a) {
			if (netbox_net_parse(nb_str(a, "address", NULL), &ip) &&
			    netbox_net_contains(&net, &ip))
				used++;
		}
		size = nb_prefix_size(&net);
		row = json_pack("{s:s, s:I, s:s, s:i, s:s, s:s, s:s, s:f, "
		    "s:I, s:f}", "instance", instance, "id",
		    json_integer_value(json_object_get(o, "id")), "prefix",
		    prefix, "family", net.family, "status", nb_choice(o,
		    "status"), "site", nb_str(o, "scope_type", NULL) != NULL &&
		    strcmp(nb_str(o, "scope_type", ""), "dcim.site") == 0 ?
		    nb_slug(o, "scope") : nb_slug(o, "site"), "description",
		    nb_str(o, "description", ""), "size", size, "used",
		    (json_int_t)used, "utilisation", size > 0 ?
		    fmin(1.0, (double)used / size) : 0.0);
		if (json_is_object(json_object_get(o, "vlan")))
			nb_copy_int(row, json_object_get(o, "vlan"), "vid");
		if (json_object_get(row, "vid") != NULL) {
			json_object_set(row, "vlan", json_object_get(row,
			    "vid"));
			json_object_del(row, "vid");
		}
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* One VLAN row. */
json_t *
netbox_parse_vlan(const json_t *v, const char *instance)
{
	json_t *row;

	row = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "instance",
	    instance, "id", json_integer_value(json_object_get(v, "id")),
	    "vid", json_integer_value(json_object_get(v, "vid")), "name",
	    nb_str(v, "name", ""), "site", nb_slug(v, "site"), "group",
	    nb_slug(v, "group"), "status", nb_choice(v, "status"));
	return (row);
}

/* The rows of one side of a cable. */
static json_t *
nb_terms(const json_t *terms)
{
	const json_t *t, *obj;
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(terms, i, t) {
		obj = json_object_get(t, "object");
		e = json_pack("{s:s, s:I}", "type", nb_str(t, "object_type", ""),
		    "id", json_integer_value(json_object_get(t, "object_id")));
		if (nb_str(obj, "name", NULL) != NULL)
			json_object_set_new(e, "interface", json_string(
			    nb_str(obj, "name", "")));
		if (nb_str(json_object_get(obj, "device"), "name", NULL) !=
		    NULL)
			json_object_set_new(e, "device", json_string(nb_str(
			    json_object_get(obj, "device"), "name", "")));
		json_array_append_new(out, e);
	}
	return (out);
}

/* One cable row. */
json_t *
netbox_parse_cable(const json_t *c, const char *instance)
{
	return (json_pack("{s:s, s:I, s:s, s:s, s:o, s:o}", "instance",
	    instance, "id", json_integer_value(json_object_get(c, "id")),
	    "label", nb_str(c, "label", ""), "status", nb_choice(c, "status"),
	    "a", nb_terms(json_object_get(c, "a_terminations")), "b",
	    nb_terms(json_object_get(c, "b_terminations"))));
}

/* One search hit. */
json_t *
netbox_parse_hit(const char *type, const json_t *o, const char *instance)
{
	json_t *hit, *detail = json_object();
	const char *keys[] = { "status", "dns_name", "description", "vid",
	    "mac_address", "label" };
	const json_t *v;
	size_t i;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "id"))) {
		json_decref(detail);
		return (NULL);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = json_object_get(o, keys[i]);
		if (json_is_object(v))
			v = json_object_get(v, "value");
		if ((json_is_string(v) && *json_string_value(v) != '\0') ||
		    json_is_integer(v))
			json_object_set(detail, keys[i], (json_t *)v);
	}
	if (nb_str(json_object_get(o, "device"), "name", NULL) != NULL)
		json_object_set_new(detail, "device", json_string(nb_str(
		    json_object_get(o, "device"), "name", "")));
	if (nb_slug(o, "site")[0] != '\0')
		json_object_set_new(detail, "site", json_string(nb_slug(o,
		    "site")));
	hit = json_pack("{s:s, s:s, s:I, s:s, s:o}", "instance", instance,
	    "type", type, "id", json_integer_value(json_object_get(o, "id")),
	    "name", nb_str(o, "address", nb_str(o, "prefix", nb_str(o, "name",
	    nb_str(o, "display", "")))), "detail", detail);
	return (hit);
}

/* The path of a next link below the API root. */
bool
netbox_next_path(const char *next, char *buf, size_t len)
{
	const char *p;

	if (next == NULL || (p = strstr(next, "/api/")) == NULL)
		return (false);
	p += 4;
	if (strlen(p) >= len)
		return (false);
	snprintf(buf, len, "%s", p);
	return (true);
}

/* The Authorization header line for a token. */
char *
netbox_auth_header(const char *token)
{
	char *h;

	if (strncmp(token, "nbt_", 4) == 0)
		xasprintf(&h, "Authorization: Bearer %s", token);
	else
		xasprintf(&h, "Authorization: Token %s", token);
	return (h);
}

/* The message of an error body. */
char *
netbox_error_message(const char *body, size_t len)
{
	json_t *j, *v, *m;
	const char *k;
	char out[301];
	size_t n = 0;

	if (body == NULL || (j = json_loadb(body, len, 0, NULL)) == NULL)
		return (NULL);
	out[0] = '\0';
	if (json_is_string(json_object_get(j, "detail")))
		snprintf(out, sizeof out, "%s", json_string_value(
		    json_object_get(j, "detail")));
	else if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			m = json_is_array(v) ? json_array_get(v, 0) : v;
			if (!json_is_string(m) || n >= sizeof out - 1)
				continue;
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s: %s",
			    n > 0 ? "; " : "", strcmp(k, "__all__") == 0 ?
			    "error" : k, json_string_value(m));
			if (n >= sizeof out)
				n = sizeof out - 1;
		}
	}
	json_decref(j);
	return (out[0] != '\0' ? xstrdup(out) : NULL);
}
