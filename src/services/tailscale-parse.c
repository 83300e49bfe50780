/*
 * Tailscale API v2 parsing: devices into snapshot rows, route unions,
 * ACL validation answers, OAuth tokens and DNS settings. Pure functions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/find.h"
#include "core/xmalloc.h"
#include "services/tailscale.h"

/* An RFC 3339 time in ms since the epoch, or -1. */
int64_t
ts_time_ms(const char *s)
{
	struct tm tm;
	char *end;

	if (s == NULL)
		return (-1);
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL || tm.tm_year < 1)
		return (-1);
	return ((int64_t)timegm(&tm) * 1000);
}

/* A copy of an array of strings, or an empty array. */
static json_t *
ts_strings(const json_t *a)
{
	json_t *out = json_array();
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			json_array_append(out, (json_t *)v);
	}
	return (out);
}

/* Whether an array of strings holds s. */
static bool
ts_has(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return (true);
	}
	return (false);
}

/* A string member or "". */
static const char *
ts_str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return (v != NULL ? v : "");
}

/*
 * The addresses of clientConnectivity.endpoints (magicsock "IP:port",
 * with ?fields=all), without ports and duplicates: where the device sits
 * on its LAN, which racktop_find and racktop_drift match.
 */
static json_t *
ts_endpoints(const json_t *dev)
{
	const json_t *e;
	json_t *out = json_array();
	char ip[64];
	size_t i, j;
	bool dup;

	json_array_foreach(json_object_get(json_object_get(dev,
	    "clientConnectivity"), "endpoints"), i, e) {
		if (!find_ip_canon(json_string_value(e), ip, sizeof ip))
			continue;
		dup = false;
		for (j = 0; j < json_array_size(out); j++)
			dup = dup || strcmp(json_string_value(json_array_get(out,
			    j)), ip) == 0;
		if (!dup)
			json_array_append_new(out, json_string(ip));
	}
	return (out);
}

/* One device row from an API Device object. */
json_t *
ts_parse_device(const json_t *dev, const char *instance, int64_t now_ms)
{
	const json_t *addrs = json_object_get(dev, "addresses"), *a;
	const char *node = json_string_value(json_object_get(dev, "nodeId"));
	const char *host = json_string_value(json_object_get(dev, "hostname"));
	const char *fqdn = ts_str(dev, "name"), *seen, *exp;
	json_t *row, *enabled;
	int64_t t, exp_ms;
	size_t i;
	bool online;

	online = json_is_true(json_object_get(dev, "connectedToControl"));
	row = json_pack("{s:s, s:s, s:s}", "instance", instance, "id",
	    node != NULL ? node : ts_str(dev, "id"), "legacy_id",
	    ts_str(dev, "id"));
	if (host == NULL || *host == '\0') {
		/* Only the MagicDNS name: its first label. */
		json_object_set_new(row, "name", json_stringn(fqdn,
		    strcspn(fqdn, ".")));
	} else
		json_object_set_new(row, "name", json_string(host));
	json_object_set_new(row, "fqdn", json_string(fqdn));
	json_object_set_new(row, "user", json_string(ts_str(dev, "user")));
	json_object_set_new(row, "os", json_string(ts_str(dev, "os")));
	json_object_set_new(row, "addresses", ts_strings(addrs));
	json_object_set_new(row, "ipv4", json_string(""));
	json_array_foreach(addrs, i, a) {
		if (json_is_string(a) && strchr(json_string_value(a), ':') ==
		    NULL) {
			json_object_set_new(row, "ipv4", json_copy((json_t *)a));
			break;
		}
	}
	json_object_set_new(row, "online", json_boolean(online));
	seen = json_string_value(json_object_get(dev, "lastSeen"));
	json_object_set_new(row, "last_seen", seen != NULL ?
	    json_string(seen) : json_null());
	t = ts_time_ms(seen);
	json_object_set_new(row, "seen_s", json_integer(online || t < 0 ||
	    now_ms < t ? 0 : (now_ms - t) / 1000));
	json_object_set_new(row, "tags", ts_strings(json_object_get(dev,
	    "tags")));
	json_object_set_new(row, "update_available", json_boolean(
	    json_is_true(json_object_get(dev, "updateAvailable"))));
	exp = json_string_value(json_object_get(dev, "expires"));
	exp_ms = ts_time_ms(exp);
	json_object_set_new(row, "key_expiry", exp_ms > 0 ? json_string(exp) :
	    json_null());
	json_object_set_new(row, "key_expiry_disabled", json_boolean(
	    json_is_true(json_object_get(dev, "keyExpiryDisabled"))));
	json_object_set_new(row, "key_expired", json_boolean(exp_ms > 0 &&
	    exp_ms < now_ms && !json_is_true(json_object_get(dev,
	    "keyExpiryDisabled"))));
	json_object_set_new(row, "authorized", json_boolean(json_is_true(
	    json_object_get(dev, "authorized"))));
	json_object_set_new(row, "client_version", json_string(ts_str(dev,
	    "clientVersion")));
	enabled = ts_strings(json_object_get(dev, "enabledRoutes"));
	json_object_set_new(row, "exit_node", json_boolean(ts_has(enabled,
	    "0.0.0.0/0") || ts_has(enabled, "::/0")));
	json_object_set_new(row, "enabled_routes", enabled);
	json_object_set_new(row, "advertised_routes", ts_strings(
	    json_object_get(dev, "advertisedRoutes")));
	json_object_set_new(row, "endpoints", ts_endpoints(dev));
	json_object_set_new(row, "state", json_string(
	    json_is_true(json_object_get(row, "key_expired")) ? "expired" :
	    online ? "online" : "offline"));
	return (row);
}

/* The rows of GET /tailnet/{tailnet}/devices. */
json_t *
ts_parse_devices(const json_t *body, const char *instance, int64_t now_ms,
    char **cause)
{
	const json_t *devs = json_object_get(body, "devices"), *d;
	json_t *rows;
	size_t i;

	if (!json_is_array(devs)) {
		*cause = xstrdup("no \"devices\" array in the answer");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(devs, i, d) {
		if (json_is_object(d))
			json_array_append_new(rows, ts_parse_device(d, instance,
			    now_ms));
	}
	return (rows);
}

/* The union of enabled routes, new routes and the exit-node pair. */
json_t *
ts_routes_union(const json_t *enabled, const json_t *add, bool exit_node)
{
	json_t *out = ts_strings(enabled);
	const json_t *v;
	size_t i;

	json_array_foreach(add, i, v) {
		if (json_is_string(v) && !ts_has(out, json_string_value(v)))
			json_array_append(out, (json_t *)v);
	}
	if (exit_node && !ts_has(out, "0.0.0.0/0"))
		json_array_append_new(out, json_string("0.0.0.0/0"));
	if (exit_node && !ts_has(out, "::/0"))
		json_array_append_new(out, json_string("::/0"));
	return (out);
}

/* Appends "; item" to *s. */
static void
ts_append(char **s, const char *item)
{
	char *t;

	xasprintf(&t, "%s%s%s", *s, **s != '\0' ? "; " : "", item);
	free(*s);
	*s = t;
}

/* What POST /acl/validate found wrong, or NULL. */
char *
ts_validate_problem(const json_t *body)
{
	const char *msg = json_string_value(json_object_get(body, "message"));
	const json_t *d, *e, *lists[2];
	char *details, *out, *item;
	size_t i, j, k;

	if (msg == NULL || *msg == '\0')
		return (NULL);
	details = xstrdup("");
	json_array_foreach(json_object_get(body, "data"), i, d) {
		lists[0] = json_object_get(d, "errors");
		lists[1] = json_object_get(d, "warnings");
		for (k = 0; k < 2; k++) {
			json_array_foreach(lists[k], j, e) {
				if (!json_is_string(e))
					continue;
				xasprintf(&item, "%s%s%s", ts_str(d, "user"),
				    *ts_str(d, "user") != '\0' ? ": " : "",
				    json_string_value(e));
				ts_append(&details, item);
				free(item);
			}
		}
	}
	if (*details != '\0')
		xasprintf(&out, "%s: %s", msg, details);
	else
		out = xstrdup(msg);
	free(details);
	return (out);
}

/* The access token of an OAuth token answer. */
int
ts_parse_oauth(const json_t *body, char **token, long *expires_in)
{
	const char *t = json_string_value(json_object_get(body,
	    "access_token"));
	const json_t *e = json_object_get(body, "expires_in");

	if (t == NULL || *t == '\0')
		return (-1);
	*token = xstrdup(t);
	*expires_in = json_is_integer(e) ? (long)json_integer_value(e) : 3600;
	return (0);
}

/* The DNS settings from the three answers. */
json_t *
ts_parse_dns(const json_t *ns, const json_t *sp, const json_t *prefs)
{
	const json_t *m = json_object_get(prefs, "magicDNS");

	if (m == NULL)
		m = json_object_get(ns, "magicDNS");
	return (json_pack("{s:o, s:o, s:b}", "nameservers",
	    ts_strings(json_object_get(ns, "dns")), "search_paths",
	    ts_strings(json_object_get(sp, "searchPaths")), "magic_dns",
	    json_is_true(m)));
}

/* Finds a device row by id, legacy id, name or MagicDNS name. */
const json_t *
ts_find_device(const json_t *devices, const char *key)
{
	const json_t *row;
	size_t i;
	const char *fields[] = { "id", "legacy_id", "name", "fqdn" };
	size_t f;

	for (f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		json_array_foreach(devices, i, row) {
			if (strcmp(ts_str(row, fields[f]), key) == 0)
				return (row);
		}
	}
	return (NULL);
}
