/*
 * UniFi Network backend, parse half: pure functions from the classic
 * controller's and the Integration API's JSON to snapshot rows (see
 * unifi.h for the layout). No I/O here; unit-tested on recorded and spec
 * example responses in tests/fixtures/unifi.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "services/unifi.h"

/* Normalises a MAC into out: 0, or -1. */
int
unifi_mac_norm(const char *s, char out[UNIFI_MAC_LEN])
{
	char hex[12];
	size_t n = 0, i;

	if (s == NULL)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == '-' || *s == '.')
			continue;
		if (!isxdigit((unsigned char)*s) || n == sizeof hex)
			return (-1);
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	if (n != sizeof hex)
		return (-1);
	for (i = 0; i < 6; i++) {
		out[i * 3] = hex[i * 2];
		out[i * 3 + 1] = hex[i * 2 + 1];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
	return (0);
}

/* The data of a classic envelope (borrowed), or NULL and *cause. */
const json_t *
unifi_envelope_data(const json_t *j, char **cause)
{
	const json_t *meta, *data;
	const char *rc, *msg;

	meta = json_object_get(j, "meta");
	rc = json_string_value(json_object_get(meta, "rc"));
	data = json_object_get(j, "data");
	if (rc == NULL) {
		xasprintf(cause, "unexpected answer: no meta.rc");
		return (NULL);
	}
	if (strcmp(rc, "ok") != 0) {
		msg = json_string_value(json_object_get(meta, "msg"));
		xasprintf(cause, "%s", msg != NULL ? msg : "error");
		return (NULL);
	}
	if (!json_is_array(data)) {
		xasprintf(cause, "unexpected answer: data is not an array");
		return (NULL);
	}
	return (data);
}

/* The value of one base64url character, or -1. */
static int
unifi_b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-' || c == '+')
		return (62);
	if (c == '_' || c == '/')
		return (63);
	return (-1);
}

/* The csrfToken in a JWT's payload (caller frees), or NULL. */
char *
unifi_jwt_csrf(const char *jwt)
{
	const char *p, *end;
	unsigned char *buf;
	unsigned int acc = 0;
	size_t n = 0;
	int bits = 0, v;
	json_t *j;
	char *csrf = NULL;

	if (jwt == NULL || (p = strchr(jwt, '.')) == NULL)
		return (NULL);
	p++;
	if ((end = strchr(p, '.')) == NULL)
		return (NULL);
	buf = xmalloc((size_t)(end - p) + 1);
	for (; p < end && *p != '='; p++) {
		if ((v = unifi_b64((unsigned char)*p)) == -1) {
			free(buf);
			return (NULL);
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	j = json_loadb((const char *)buf, n, 0, NULL);
	free(buf);
	if (json_is_string(json_object_get(j, "csrfToken")))
		csrf = xstrdup(json_string_value(json_object_get(j,
		    "csrfToken")));
	json_decref(j);
	return (csrf);
}

/* Copies member from of src into dst as to, when it is a string. */
static void
unifi_copy_str(json_t *dst, const char *to, const json_t *src,
    const char *from)
{
	const json_t *v = json_object_get(src, from);

	if (json_is_string(v) && *json_string_value(v) != '\0')
		json_object_set_new(dst, to, json_string(json_string_value(v)));
}

/*
 * Copies member from of src into dst as to, when it is a number. Controllers
 * also send some numbers as strings ("uptime": "3971849" in system-stats,
 * "channel": "44" in events): a string that is a whole decimal number
 * counts, anything else is left out.
 */
static void
unifi_copy_num(json_t *dst, const char *to, const json_t *src,
    const char *from)
{
	const json_t *v = json_object_get(src, from);
	const char *s;
	char *end;
	long long n;

	if (json_is_integer(v))
		json_object_set_new(dst, to, json_integer(
		    json_integer_value(v)));
	else if (json_is_real(v))
		json_object_set_new(dst, to, json_integer(
		    (json_int_t)json_real_value(v)));
	else if (json_is_string(v)) {
		s = json_string_value(v);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (end != s && *end == '\0' && errno == 0)
			json_object_set_new(dst, to, json_integer(n));
	}
}

/* Copies a boolean member (also 0/1) as to. */
static void
unifi_copy_bool(json_t *dst, const char *to, const json_t *src,
    const char *from)
{
	const json_t *v = json_object_get(src, from);

	if (json_is_boolean(v))
		json_object_set_new(dst, to, json_boolean(json_is_true(v)));
	else if (json_is_integer(v))
		json_object_set_new(dst, to, json_boolean(
		    json_integer_value(v) != 0));
}

/* Sets "mac" from member from; false when it is not a MAC. */
static bool
unifi_set_mac(json_t *row, const char *to, const json_t *src,
    const char *from)
{
	char mac[UNIFI_MAC_LEN];

	if (unifi_mac_norm(json_string_value(json_object_get(src, from)),
	    mac) != 0)
		return (false);
	json_object_set_new(row, to, json_string(mac));
	return (true);
}

/* One client row from a classic stat/sta or list/user item, or NULL. */
static json_t *
unifi_sta_row(const json_t *it, const char *instance)
{
	json_t *row = json_object();
	const json_t *wired;

	json_object_set_new(row, "instance", json_string(instance));
	if (!unifi_set_mac(row, "mac", it, "mac")) {
		json_decref(row);
		return (NULL);
	}
	/* The alias the admin gave wins over the DHCP host name. */
	unifi_copy_str(row, "name", it, "hostname");
	unifi_copy_str(row, "name", it, "name");
	unifi_copy_str(row, "ip", it, "ip");
	wired = json_object_get(it, "is_wired");
	if (json_is_boolean(wired))
		json_object_set_new(row, "type", json_string(json_is_true(
		    wired) ? "wired" : "wireless"));
	unifi_copy_str(row, "network", it, "network");
	unifi_copy_str(row, "essid", it, "essid");
	/*
	 * A wireless client also carries sw_mac and sw_port: the switch port
	 * its AP hangs off. The client's own uplink is the AP; only a wired
	 * client sits on a switch port.
	 */
	if (json_is_true(wired) || !unifi_set_mac(row, "uplink_mac", it,
	    "ap_mac")) {
		if (unifi_set_mac(row, "uplink_mac", it, "sw_mac"))
			unifi_copy_num(row, "port", it, "sw_port");
	}
	unifi_copy_num(row, "signal", it, "signal");
	/* Wired clients count their traffic as wired-rx_bytes. */
	unifi_copy_num(row, "rx_bytes", it, "wired-rx_bytes");
	unifi_copy_num(row, "tx_bytes", it, "wired-tx_bytes");
	unifi_copy_num(row, "rx_bytes", it, "rx_bytes");
	unifi_copy_num(row, "tx_bytes", it, "tx_bytes");
	unifi_copy_num(row, "uptime", it, "uptime");
	json_object_set_new(row, "online", json_true());
	json_object_set_new(row, "blocked", json_boolean(json_is_true(
	    json_object_get(it, "blocked"))));
	return (row);
}

/* Client rows from stat/sta data. */
json_t *
unifi_parse_sta(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it;
	size_t i;

	json_array_foreach(data, i, it) {
		if ((row = unifi_sta_row(it, instance)) != NULL)
			json_array_append_new(rows, row);
	}
	return (rows);
}

/* Merges the blocked clients of list/user into clients. */
void
unifi_merge_blocked(json_t *clients, const json_t *users,
    const char *instance)
{
	const json_t *it, *have;
	json_t *row;
	char mac[UNIFI_MAC_LEN];
	size_t i;

	json_array_foreach(users, i, it) {
		if (!json_is_true(json_object_get(it, "blocked")) ||
		    unifi_mac_norm(json_string_value(json_object_get(it, "mac")),
		    mac) != 0)
			continue;
		if ((have = unifi_find_mac(clients, mac)) != NULL) {
			json_object_set_new((json_t *)have, "blocked",
			    json_true());
			continue;
		}
		if ((row = unifi_sta_row(it, instance)) == NULL)
			continue;
		/* Known-client entries carry stale counters: drop them. */
		json_object_del(row, "uplink_mac");
		json_object_del(row, "port");
		json_object_del(row, "signal");
		json_object_del(row, "rx_bytes");
		json_object_del(row, "tx_bytes");
		json_object_del(row, "uptime");
		json_object_del(row, "ip");
		json_object_set_new(row, "online", json_false());
		json_object_set_new(row, "blocked", json_true());
		json_array_append_new(clients, row);
	}
}

/* The device type word for a classic "type". */
static const char *
unifi_dev_type(const char *t)
{
	if (t == NULL)
		return ("unknown");
	if (strcmp(t, "uap") == 0)
		return ("ap");
	if (strcmp(t, "usw") == 0)
		return ("switch");
	if (strcmp(t, "ugw") == 0 || strcmp(t, "uxg") == 0 ||
	    strcmp(t, "udm") == 0)
		return ("gateway");
	return (t);
}

/* The state word for a classic numeric device state. */
static const char *
unifi_dev_state(json_int_t s)
{
	switch (s) {
	case 0:
		return ("offline");
	case 1:
		return ("online");
	case 2:
		return ("pending");
	case 4:
		return ("upgrading");
	case 5:
		return ("provisioning");
	case 6:
		return ("heartbeat_missed");
	case 7:
		return ("adopting");
	default:
		return ("unknown");
	}
}

/* Device rows from stat/device data. */
json_t *
unifi_parse_devices(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it, *st;
	size_t i;

	json_array_foreach(data, i, it) {
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		if (!unifi_set_mac(row, "mac", it, "mac")) {
			json_decref(row);
			continue;
		}
		unifi_copy_str(row, "name", it, "model");
		unifi_copy_str(row, "name", it, "name");
		unifi_copy_str(row, "model", it, "model");
		json_object_set_new(row, "type", json_string(unifi_dev_type(
		    json_string_value(json_object_get(it, "type")))));
		st = json_object_get(it, "state");
		json_object_set_new(row, "state", json_string(json_is_integer(
		    st) ? unifi_dev_state(json_integer_value(st)) : "unknown"));
		unifi_copy_str(row, "ip", it, "ip");
		unifi_copy_num(row, "uptime", it, "uptime");
		unifi_copy_num(row, "clients", it, "num_sta");
		unifi_copy_str(row, "firmware", it, "version");
		unifi_copy_bool(row, "upgradable", it, "upgradable");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Health rows from stat/health data. */
json_t *
unifi_parse_health(const json_t *data)
{
	static const char *nums[][2] = {
		{ "num_user", "users" }, { "num_guest", "guests" },
		{ "num_ap", "aps" }, { "num_sw", "switches" },
		{ "num_gw", "gateways" }, { "num_adopted", "adopted" },
		{ "num_disconnected", "disconnected" },
		{ "latency", "latency_ms" }, { "rx_bytes-r", "rx_rate" },
		{ "tx_bytes-r", "tx_rate" },
		{ "remote_user_num_active", "vpn_users" },
		{ "site_to_site_num_active", "vpn_site_to_site_up" },
		{ "num_sta", "clients" }, { "uptime", "uptime" },
		{ "drops", "drops" },
	};
	json_t *rows = json_array(), *row;
	const json_t *it;
	size_t i, k;

	json_array_foreach(data, i, it) {
		if (!json_is_string(json_object_get(it, "subsystem")))
			continue;
		row = json_object();
		unifi_copy_str(row, "subsystem", it, "subsystem");
		unifi_copy_str(row, "status", it, "status");
		if (json_object_get(row, "status") == NULL)
			json_object_set_new(row, "status",
			    json_string("unknown"));
		for (k = 0; k < sizeof nums / sizeof nums[0]; k++)
			unifi_copy_num(row, nums[k][1], it, nums[k][0]);
		unifi_copy_str(row, "wan_ip", it, "wan_ip");
		unifi_copy_str(row, "isp_name", it, "isp_name");
		unifi_copy_str(row, "gateway_version", it, "gw_version");
		unifi_copy_bool(row, "vpn_remote_user", it,
		    "remote_user_enabled");
		unifi_copy_bool(row, "vpn_site_to_site", it,
		    "site_to_site_enabled");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* The Integration API site id for an internal reference. */
const char *
unifi_int_site_id(const json_t *data, const char *site)
{
	const json_t *it;
	const char *ref;
	size_t i;

	json_array_foreach(data, i, it) {
		ref = json_string_value(json_object_get(it,
		    "internalReference"));
		if (ref != NULL && strcmp(ref, site) == 0)
			return (json_string_value(json_object_get(it, "id")));
	}
	return (NULL);
}

/* A device row by its Integration API id: borrowed, or NULL. */
static const json_t *
unifi_find_id(const json_t *rows, const char *id)
{
	const json_t *r;
	const char *v;
	size_t i;

	json_array_foreach(rows, i, r) {
		v = json_string_value(json_object_get(r, "id"));
		if (v != NULL && strcmp(v, id) == 0)
			return (r);
	}
	return (NULL);
}

/* Client rows from Integration API clients data. */
json_t *
unifi_parse_int_clients(const json_t *data, const json_t *devices,
    const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it, *dev;
	const char *type, *access, *up;
	char low[32];
	size_t i, k;

	json_array_foreach(data, i, it) {
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		if (!unifi_set_mac(row, "mac", it, "macAddress")) {
			json_decref(row);
			continue;
		}
		unifi_copy_str(row, "name", it, "name");
		unifi_copy_str(row, "ip", it, "ipAddress");
		type = json_string_value(json_object_get(it, "type"));
		/* WIRED, WIRELESS; VPN and TELEPORT clients are neither. */
		if (type != NULL) {
			for (k = 0; type[k] != '\0' && k < sizeof low - 1; k++)
				low[k] = (char)tolower((unsigned char)type[k]);
			low[k] = '\0';
			json_object_set_new(row, "type", json_string(low));
		}
		up = json_string_value(json_object_get(it, "uplinkDeviceId"));
		if (up != NULL && devices != NULL &&
		    (dev = unifi_find_id(devices, up)) != NULL)
			json_object_set(row, "uplink_mac", json_object_get(dev,
			    "mac"));
		access = json_string_value(json_object_get(json_object_get(it,
		    "access"), "type"));
		json_object_set_new(row, "online", json_true());
		json_object_set_new(row, "blocked", json_boolean(access != NULL &&
		    strcmp(access, "BLOCKED") == 0));
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Whether features (an array of names or an object) holds name. */
static bool
unifi_has_feature(const json_t *features, const char *name)
{
	const json_t *v;
	size_t i;

	if (json_is_object(features))
		return (json_object_get(features, name) != NULL);
	json_array_foreach(features, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return (true);
	}
	return (false);
}

/* Device rows from Integration API devices data. */
json_t *
unifi_parse_int_devices(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it, *f;
	const char *state;
	char low[32];
	size_t i, k;

	json_array_foreach(data, i, it) {
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		if (!unifi_set_mac(row, "mac", it, "macAddress")) {
			json_decref(row);
			continue;
		}
		unifi_copy_str(row, "id", it, "id");
		unifi_copy_str(row, "name", it, "model");
		unifi_copy_str(row, "name", it, "name");
		unifi_copy_str(row, "model", it, "model");
		f = json_object_get(it, "features");
		json_object_set_new(row, "type", json_string(
		    unifi_has_feature(f, "gateway") ||
		    unifi_has_feature(f, "routing") ? "gateway" :
		    unifi_has_feature(f, "accessPoint") ? "ap" :
		    unifi_has_feature(f, "switching") ? "switch" : "unknown"));
		state = json_string_value(json_object_get(it, "state"));
		if (state == NULL)
			state = "unknown";
		for (k = 0; state[k] != '\0' && k < sizeof low - 1; k++)
			low[k] = (char)tolower((unsigned char)state[k]);
		low[k] = '\0';
		json_object_set_new(row, "state", json_string(low));
		unifi_copy_str(row, "ip", it, "ipAddress");
		unifi_copy_str(row, "firmware", it, "firmwareVersion");
		unifi_copy_bool(row, "upgradable", it, "firmwareUpdatable");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Names uplinks of clients and counts clients per device. */
void
unifi_link(json_t *clients, json_t *devices)
{
	const json_t *dev;
	json_t *c, *d;
	const char *up, *name;
	char *s;
	size_t i, n;
	json_int_t *counts;

	n = json_array_size(devices);
	counts = xcalloc(n + 1, sizeof *counts);
	json_array_foreach(clients, i, c) {
		up = json_string_value(json_object_get(c, "uplink_mac"));
		if (up == NULL || (dev = unifi_find_mac(devices, up)) == NULL)
			continue;
		name = json_string_value(json_object_get(dev, "name"));
		if (name == NULL)
			name = up;
		if (json_is_integer(json_object_get(c, "port"))) {
			xasprintf(&s, "%s, port %lld", name, (long long)
			    json_integer_value(json_object_get(c, "port")));
			json_object_set_new(c, "uplink", json_string(s));
			free(s);
		} else
			json_object_set_new(c, "uplink", json_string(name));
		for (n = 0; n < json_array_size(devices); n++) {
			if (json_array_get(devices, n) == dev) {
				counts[n]++;
				break;
			}
		}
	}
	json_array_foreach(devices, i, d) {
		if (json_object_get(d, "clients") == NULL)
			json_object_set_new(d, "clients", json_integer(
			    counts[i]));
	}
	free(counts);
}

/* WLAN rows from rest/wlanconf data. */
json_t *
unifi_parse_wlans(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it;
	size_t i;

	json_array_foreach(data, i, it) {
		if (!json_is_string(json_object_get(it, "_id")))
			continue;
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		unifi_copy_str(row, "id", it, "_id");
		unifi_copy_str(row, "name", it, "name");
		json_object_set_new(row, "enabled", json_boolean(json_is_true(
		    json_object_get(it, "enabled"))));
		unifi_copy_str(row, "security", it, "security");
		unifi_copy_str(row, "wpa_mode", it, "wpa_mode");
		unifi_copy_bool(row, "guest", it, "is_guest");
		unifi_copy_bool(row, "hidden", it, "hide_ssid");
		unifi_copy_str(row, "network_id", it, "networkconf_id");
		unifi_copy_str(row, "band", it, "wlan_band");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Rule rows from rest/firewallrule data. */
json_t *
unifi_parse_fw_rules(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it;
	size_t i;

	json_array_foreach(data, i, it) {
		if (!json_is_string(json_object_get(it, "_id")))
			continue;
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		json_object_set_new(row, "kind", json_string("rule"));
		unifi_copy_str(row, "id", it, "_id");
		unifi_copy_str(row, "name", it, "name");
		json_object_set_new(row, "enabled", json_boolean(json_is_true(
		    json_object_get(it, "enabled"))));
		unifi_copy_str(row, "action", it, "action");
		unifi_copy_str(row, "ruleset", it, "ruleset");
		unifi_copy_num(row, "index", it, "rule_index");
		unifi_copy_str(row, "protocol", it, "protocol");
		unifi_copy_str(row, "src_address", it, "src_address");
		unifi_copy_str(row, "dst_address", it, "dst_address");
		unifi_copy_str(row, "dst_port", it, "dst_port");
		unifi_copy_bool(row, "logging", it, "logging");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Rule rows from the v2 firewall-policies array. */
json_t *
unifi_parse_fw_policies(const json_t *data, const char *instance)
{
	json_t *rows = json_array(), *row;
	const json_t *it;
	const char *action;
	size_t i;

	json_array_foreach(data, i, it) {
		if (!json_is_string(json_object_get(it, "_id")))
			continue;
		row = json_object();
		json_object_set_new(row, "instance", json_string(instance));
		json_object_set_new(row, "kind", json_string("policy"));
		unifi_copy_str(row, "id", it, "_id");
		unifi_copy_str(row, "name", it, "name");
		json_object_set_new(row, "enabled", json_boolean(json_is_true(
		    json_object_get(it, "enabled"))));
		/*
		 * One word for the verdict in both kinds: accept|drop|reject.
		 * Consoles say BLOCK; the community description says DROP.
		 */
		action = json_string_value(json_object_get(it, "action"));
		if (action != NULL)
			json_object_set_new(row, "action", json_string(
			    strcasecmp(action, "ALLOW") == 0 ? "accept" :
			    strcasecmp(action, "BLOCK") == 0 ||
			    strcasecmp(action, "DROP") == 0 ? "drop" :
			    strcasecmp(action, "REJECT") == 0 ? "reject" :
			    action));
		unifi_copy_num(row, "index", it, "index");
		unifi_copy_str(row, "protocol", it, "protocol");
		unifi_copy_bool(row, "predefined", it, "predefined");
		unifi_copy_bool(row, "logging", it, "logging");
		unifi_copy_str(row, "ip_version", it, "ip_version");
		unifi_copy_str(row, "src_zone", json_object_get(it, "source"),
		    "zone_id");
		unifi_copy_str(row, "dst_zone", json_object_get(it,
		    "destination"), "zone_id");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Voucher rows from stat/voucher data made at create_time. */
json_t *
unifi_parse_vouchers(const json_t *data, long long create_time)
{
	json_t *rows = json_array(), *row;
	const json_t *it;
	const char *code;
	char buf[32];
	size_t i;

	json_array_foreach(data, i, it) {
		if (create_time != 0 && json_integer_value(json_object_get(it,
		    "create_time")) != create_time)
			continue;
		code = json_string_value(json_object_get(it, "code"));
		if (code == NULL)
			continue;
		row = json_object();
		/* The controller shows 10-digit codes as 12345-67890. */
		if (strlen(code) == 10 && strspn(code, "0123456789") == 10) {
			snprintf(buf, sizeof buf, "%.5s-%s", code, code + 5);
			json_object_set_new(row, "code", json_string(buf));
		} else
			json_object_set_new(row, "code", json_string(code));
		unifi_copy_str(row, "id", it, "_id");
		unifi_copy_num(row, "create_time", it, "create_time");
		unifi_copy_num(row, "duration_min", it, "duration");
		unifi_copy_num(row, "uses", it, "quota");
		unifi_copy_num(row, "used", it, "used");
		unifi_copy_num(row, "quota_mb", it, "qos_usage_quota");
		unifi_copy_str(row, "note", it, "note");
		unifi_copy_str(row, "status", it, "status");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* A row by mac. */
const json_t *
unifi_find_mac(const json_t *rows, const char *mac)
{
	const json_t *r;
	const char *v;
	size_t i;

	json_array_foreach(rows, i, r) {
		v = json_string_value(json_object_get(r, "mac"));
		if (v != NULL && strcmp(v, mac) == 0)
			return (r);
	}
	return (NULL);
}
