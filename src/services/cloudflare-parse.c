/*
 * Cloudflare API v4 and GraphQL analytics parsing: envelopes, pages,
 * zones, DNS records, tunnels, rules, analytics totals and the table of
 * tool permissions. Pure functions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "services/cloudflare.h"

/* A string member, or "". */
static const char *
cf_str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return (v != NULL ? v : "");
}

/* A number member as an integer, or 0. */
static json_int_t
cf_int(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_real(v))
		return ((json_int_t)json_real_value(v));
	return (0);
}

/* Appends "; item" to *s. */
static void
cf_append(char **s, const char *item)
{
	char *t;

	xasprintf(&t, "%s%s%s", *s, **s != '\0' ? "; " : "", item);
	free(*s);
	*s = t;
}

/* Opens a v4 envelope. */
int
cf_envelope(const json_t *body, const json_t **result, const json_t **info,
    int *code, char **cause)
{
	const json_t *errs, *e;
	char *s, *item;
	size_t i;

	*result = *info = NULL;
	*code = 0;
	if (!json_is_object(body)) {
		*cause = xstrdup("not a Cloudflare API envelope");
		return (-1);
	}
	errs = json_object_get(body, "errors");
	if (json_is_true(json_object_get(body, "success")) &&
	    json_array_size(errs) == 0) {
		*result = json_object_get(body, "result");
		*info = json_object_get(body, "result_info");
		return (0);
	}
	s = xstrdup("");
	json_array_foreach(errs, i, e) {
		if (i == 0)
			*code = (int)cf_int(e, "code");
		xasprintf(&item, "code %lld: %s", (long long)cf_int(e, "code"),
		    cf_str(e, "message"));
		cf_append(&s, item);
		free(item);
	}
	if (*s == '\0') {
		free(s);
		s = xstrdup(json_is_object(body) && json_object_get(body,
		    "success") == NULL ? "not a Cloudflare API envelope" :
		    "success false without errors");
	}
	*cause = s;
	return (-1);
}

/* Whether there is a page after this one. */
bool
cf_more_pages(const json_t *info, size_t got)
{
	json_int_t page = cf_int(info, "page");
	json_int_t pages = cf_int(info, "total_pages");
	json_int_t per = cf_int(info, "per_page");
	json_int_t total = cf_int(info, "total_count");

	if (info == NULL || page < 1)
		return (false);
	if (pages > 0)
		return (page < pages);
	if (total > 0 && per > 0)
		return (page * per < total);
	return (per > 0 && (json_int_t)got >= per);
}

/* One zone row. */
json_t *
cf_parse_zone(const json_t *z, const char *instance)
{
	const json_t *plan = json_object_get(z, "plan");

	return (json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "instance",
	    instance, "id", cf_str(z, "id"), "name", cf_str(z, "name"),
	    "status", cf_str(z, "status"), "paused", json_is_true(
	    json_object_get(z, "paused")), "plan", cf_str(plan, "name"),
	    "account", cf_str(json_object_get(z, "account"), "name")));
}

/* One DNS record row. */
json_t *
cf_parse_dns_record(const json_t *r, const char *instance, const char *zone)
{
	json_t *row;

	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b}",
	    "instance", instance, "zone", zone, "id", cf_str(r, "id"),
	    "type", cf_str(r, "type"), "name", cf_str(r, "name"), "content",
	    cf_str(r, "content"), "ttl", cf_int(r, "ttl"), "proxied",
	    json_is_true(json_object_get(r, "proxied")));
	if (json_is_string(json_object_get(r, "comment")))
		json_object_set_new(row, "comment", json_string(cf_str(r,
		    "comment")));
	if (json_is_string(json_object_get(r, "modified_on")))
		json_object_set_new(row, "modified_on", json_string(cf_str(r,
		    "modified_on")));
	return (row);
}

/* One tunnel row. */
json_t *
cf_parse_tunnel(const json_t *t, const char *instance)
{
	const json_t *conns = json_object_get(t, "connections"), *c;
	json_t *row, *colos = json_array(), *v;
	const char *version = "";
	size_t i, j;
	bool seen;

	json_array_foreach(conns, i, c) {
		if (*cf_str(c, "client_version") != '\0')
			version = cf_str(c, "client_version");
		seen = false;
		json_array_foreach(colos, j, v) {
			if (strcmp(json_string_value(v), cf_str(c,
			    "colo_name")) == 0)
				seen = true;
		}
		if (!seen && *cf_str(c, "colo_name") != '\0')
			json_array_append_new(colos, json_string(cf_str(c,
			    "colo_name")));
	}
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:s, s:s}",
	    "instance", instance, "id", cf_str(t, "id"), "name",
	    cf_str(t, "name"), "status", cf_str(t, "status"), "type",
	    *cf_str(t, "tun_type") != '\0' ? cf_str(t, "tun_type") :
	    "cfd_tunnel", "connections", (int)json_array_size(conns),
	    "colos", colos, "client_version", version, "created_at",
	    cf_str(t, "created_at"));
	json_object_set_new(row, "conns_active_at", json_is_string(
	    json_object_get(t, "conns_active_at")) ? json_string(cf_str(t,
	    "conns_active_at")) : json_null());
	return (row);
}

/* One custom firewall rule row. */
json_t *
cf_parse_rule(const json_t *r, const char *instance, const char *zone)
{
	const json_t *en = json_object_get(r, "enabled");

	return (json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}",
	    "instance", instance, "zone", zone, "id", cf_str(r, "id"),
	    "action", cf_str(r, "action"), "expression",
	    cf_str(r, "expression"), "description", cf_str(r, "description"),
	    "enabled", en == NULL || json_is_true(en), "last_updated",
	    cf_str(r, "last_updated")));
}

/* The totals of a GraphQL httpRequests1dGroups answer. */
json_t *
cf_parse_analytics(const json_t *body, char **cause)
{
	const json_t *errs = json_object_get(body, "errors"), *e, *zones;
	const json_t *groups, *g, *sum;
	json_int_t req = 0, creq = 0, bytes = 0, cbytes = 0, thr = 0, pv = 0;
	json_t *days;
	char *s;
	size_t i;

	if (json_array_size(errs) > 0) {
		s = xstrdup("");
		json_array_foreach(errs, i, e)
			cf_append(&s, cf_str(e, "message"));
		xasprintf(cause, "GraphQL: %s", s);
		free(s);
		return (NULL);
	}
	zones = json_object_get(json_object_get(json_object_get(body, "data"),
	    "viewer"), "zones");
	if (!json_is_array(zones)) {
		*cause = xstrdup("GraphQL: no data.viewer.zones in the answer");
		return (NULL);
	}
	days = json_array();
	groups = json_object_get(json_array_get(zones, 0),
	    "httpRequests1dGroups");
	json_array_foreach(groups, i, g) {
		sum = json_object_get(g, "sum");
		req += cf_int(sum, "requests");
		creq += cf_int(sum, "cachedRequests");
		bytes += cf_int(sum, "bytes");
		cbytes += cf_int(sum, "cachedBytes");
		thr += cf_int(sum, "threats");
		pv += cf_int(sum, "pageViews");
		json_array_append_new(days, json_pack("{s:s, s:I, s:I, s:I, "
		    "s:I}", "date", cf_str(json_object_get(g, "dimensions"),
		    "date"), "requests", cf_int(sum, "requests"),
		    "cached_requests", cf_int(sum, "cachedRequests"), "bytes",
		    cf_int(sum, "bytes"), "threats", cf_int(sum, "threats")));
	}
	return (json_pack("{s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:o}",
	    "requests", req, "cached_requests", creq, "cached_pct", req > 0 ?
	    100.0 * (double)creq / (double)req : 0.0, "bytes", bytes,
	    "cached_bytes", cbytes, "threats", thr, "page_views", pv, "days",
	    days));
}

/* The API token permission each tool needs (Cloudflare's names). */
static const struct {
	const char *tool;
	const char *permission;
} cf_permissions[] = {
	{ "cloudflare_list_zones", "Zone:Read" },
	{ "cloudflare_list_dns_records", "DNS:Read" },
	{ "cloudflare_create_dns_record", "DNS:Edit" },
	{ "cloudflare_update_dns_record", "DNS:Edit" },
	{ "cloudflare_delete_dns_record", "DNS:Edit" },
	{ "cloudflare_list_tunnels", "Account / Cloudflare Tunnel:Read" },
	{ "cloudflare_purge_cache", "Cache Purge:Purge" },
	{ "cloudflare_get_zone_analytics", "Analytics:Read" },
	{ "cloudflare_list_firewall_rules", "Zone WAF:Read" },
	{ "cloudflare_create_firewall_rule", "Zone WAF:Edit" },
	{ NULL, NULL },
};

/* The permission a tool needs, or NULL. */
const char *
cf_permission(const char *tool)
{
	size_t i;

	for (i = 0; tool != NULL && cf_permissions[i].tool != NULL; i++) {
		if (strcmp(cf_permissions[i].tool, tool) == 0)
			return (cf_permissions[i].permission);
	}
	return (NULL);
}

/* Splits an array into arrays of at most max items. */
json_t *
cf_batches(const json_t *items, size_t max)
{
	json_t *out = json_array(), *cur = NULL;
	const json_t *v;
	size_t i;

	json_array_foreach(items, i, v) {
		if (cur == NULL || json_array_size(cur) >= max) {
			cur = json_array();
			json_array_append_new(out, cur);
		}
		json_array_append(cur, (json_t *)v);
	}
	return (out);
}
