/*
 * UniFi parse functions on recorded controller responses
 * (tests/fixtures/unifi/recorded, see SOURCE there), spec examples and a
 * few hand-written classic answers for edge cases (tests/fixtures/unifi,
 * SOURCES.md), MAC and JWT helpers, and the service's tool invariants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "services/unifi.h"
#include "tests/unit/testutil.h"

/* A fixture file (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/unifi/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

/* The data array of a classic fixture (new reference). */
static json_t *
classic(const char *name)
{
	json_t *j = fixture(name), *d;
	const json_t *data;
	char *cause = NULL;

	data = unifi_envelope_data(j, &cause);
	ck_assert_msg(data != NULL, "%s", cause);
	d = json_incref((json_t *)data);
	json_decref(j);
	return (d);
}

/* A string member of a row. */
static const char *
str(const json_t *row, const char *key)
{
	return (json_string_value(json_object_get(row, key)));
}

START_TEST(test_mac_norm)
{
	char m[UNIFI_MAC_LEN];

	ck_assert_int_eq(unifi_mac_norm("AA-BB-CC-DD-EE-0F", m), 0);
	ck_assert_str_eq(m, "aa:bb:cc:dd:ee:0f");
	ck_assert_int_eq(unifi_mac_norm("aabbccddeeff", m), 0);
	ck_assert_str_eq(m, "aa:bb:cc:dd:ee:ff");
	ck_assert_int_eq(unifi_mac_norm("aa:bb:cc:dd:ee", m), -1);
	ck_assert_int_eq(unifi_mac_norm("aa:bb:cc:dd:ee:ff:00", m), -1);
	ck_assert_int_eq(unifi_mac_norm("gg:bb:cc:dd:ee:ff", m), -1);
	ck_assert_int_eq(unifi_mac_norm(NULL, m), -1);
}
END_TEST

START_TEST(test_envelope)
{
	json_t *j = fixture("classic-error.json");
	char *cause = NULL;

	ck_assert_ptr_null(unifi_envelope_data(j, &cause));
	ck_assert_str_eq(cause, "api.err.LoginRequired");
	free(cause);
	json_decref(j);
	j = fixture("int-error-401.json");
	cause = NULL;
	ck_assert_ptr_null(unifi_envelope_data(j, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "meta.rc"));
	free(cause);
	json_decref(j);
}
END_TEST

START_TEST(test_jwt_csrf)
{
	char *c;

	/* {"alg":"HS256"} . {"csrfToken":"a1b2-c3","userId":"x"} . sig */
	c = unifi_jwt_csrf("eyJhbGciOiJIUzI1NiJ9."
	    "eyJjc3JmVG9rZW4iOiJhMWIyLWMzIiwidXNlcklkIjoieCJ9.c2ln");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c, "a1b2-c3");
	free(c);
	ck_assert_ptr_null(unifi_jwt_csrf("nodots"));
	ck_assert_ptr_null(unifi_jwt_csrf("a.!!!.b"));
	/* {"userId":"x"}: no csrfToken. */
	ck_assert_ptr_null(unifi_jwt_csrf("e30.eyJ1c2VySWQiOiJ4In0.c2ln"));
	ck_assert_ptr_null(unifi_jwt_csrf(NULL));
}
END_TEST

START_TEST(test_classic_clients)
{
	json_t *sta = classic("classic-sta.json"), *users, *rows, *devs, *d;
	const json_t *r;

	rows = unifi_parse_sta(sta, "home");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "mac"), "80:af:ca:ad:05:8d");
	ck_assert_str_eq(str(r, "name"), "NAS");
	ck_assert_str_eq(str(r, "type"), "wired");
	ck_assert_str_eq(str(r, "instance"), "home");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "port")), 4);
	ck_assert(json_is_false(json_object_get(r, "blocked")));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "name"), "iphone");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "signal")), -61);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "rx_bytes")),
	    5000);
	/* Only the fields we use survive. */
	ck_assert_ptr_null(json_object_get(r, "rssi"));
	ck_assert_ptr_null(json_object_get(r, "_id"));

	users = classic("classic-user.json");
	unifi_merge_blocked(rows, users, "home");
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert(json_is_true(json_object_get(json_array_get(rows, 1),
	    "blocked")));
	r = unifi_find_mac(rows, "aa:bb:cc:dd:ee:ff");
	ck_assert_ptr_nonnull(r);
	ck_assert(json_is_false(json_object_get(r, "online")));
	ck_assert(json_is_true(json_object_get(r, "blocked")));
	ck_assert_str_eq(str(r, "name"), "kid-tablet");

	d = classic("classic-device.json");
	devs = unifi_parse_devices(d, "home");
	unifi_link(rows, devs);
	ck_assert_str_eq(str(json_array_get(rows, 0), "uplink"),
	    "LexFrei's home, port 4");
	ck_assert_str_eq(str(json_array_get(rows, 1), "uplink"),
	    "LexFrei's home");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    devs, 0), "clients")), 2);
	json_decref(d);
	json_decref(devs);
	json_decref(users);
	json_decref(rows);
	json_decref(sta);
}
END_TEST

START_TEST(test_classic_devices)
{
	json_t *d = classic("classic-device.json"), *rows;
	const json_t *r;

	rows = unifi_parse_devices(d, "home");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "type"), "gateway");
	ck_assert_str_eq(str(r, "state"), "online");
	ck_assert_str_eq(str(r, "firmware"), "4.3.9");
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "name"), "U6LR");
	ck_assert_str_eq(str(r, "type"), "ap");
	ck_assert_str_eq(str(r, "state"), "offline");
	ck_assert(json_is_true(json_object_get(r, "upgradable")));
	ck_assert_ptr_null(json_object_get(r, "uptime"));
	json_decref(rows);
	json_decref(d);
}
END_TEST

START_TEST(test_health)
{
	json_t *d = classic("classic-health.json"), *rows;
	const json_t *r;

	rows = unifi_parse_health(d);
	ck_assert_uint_eq(json_array_size(rows), 5);
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "subsystem"), "wan");
	ck_assert_str_eq(str(r, "wan_ip"), "203.0.113.7");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "rx_rate")),
	    1250000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    rows, 2), "latency_ms")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    rows, 4), "vpn_users")), 0);
	json_decref(rows);
	json_decref(d);
}
END_TEST

START_TEST(test_integration)
{
	json_t *sites = fixture("int-sites.json");
	json_t *dj = fixture("int-devices.json"), *cj = fixture("int-clients.json");
	json_t *one = fixture("int-device.json"), *devs, *rows, *a;
	const json_t *r;

	ck_assert_str_eq(unifi_int_site_id(json_object_get(sites, "data"),
	    "default"), "88f7af54-98f8-306a-a1c7-c9349722b1f6");
	ck_assert_ptr_null(unifi_int_site_id(json_object_get(sites, "data"),
	    "other"));
	devs = unifi_parse_int_devices(json_object_get(dj, "data"), "home");
	ck_assert_uint_eq(json_array_size(devs), 1);
	r = json_array_get(devs, 0);
	ck_assert_str_eq(str(r, "mac"), "94:2a:6f:ce:26:52");
	ck_assert_str_eq(str(r, "state"), "online");
	ck_assert_str_eq(str(r, "type"), "ap");
	rows = unifi_parse_int_clients(json_object_get(cj, "data"), devs,
	    "home");
	ck_assert_uint_eq(json_array_size(rows), 1);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "type"), "wired");
	ck_assert_str_eq(str(r, "ip"), "172.16.10.19");
	ck_assert_str_eq(str(r, "uplink_mac"), "94:2a:6f:ce:26:52");
	ck_assert(json_is_false(json_object_get(r, "blocked")));
	unifi_link(rows, devs);
	ck_assert_str_eq(str(r, "uplink"), "LexFrei's home");
	/* The details form: features as an object, firmware present. */
	a = json_pack("[O]", one);
	json_decref(devs);
	devs = unifi_parse_int_devices(a, "home");
	ck_assert_str_eq(str(json_array_get(devs, 0), "firmware"), "4.3.9");
	ck_assert_str_eq(str(json_array_get(devs, 0), "type"), "ap");
	json_decref(a);
	json_decref(devs);
	json_decref(rows);
	json_decref(one);
	json_decref(cj);
	json_decref(dj);
	json_decref(sites);
}
END_TEST

START_TEST(test_wlans_rules_vouchers)
{
	json_t *d, *rows;
	const json_t *r;

	d = classic("classic-wlanconf.json");
	rows = unifi_parse_wlans(d, "home");
	ck_assert_uint_eq(json_array_size(rows), 2);
	ck_assert_ptr_null(json_object_get(json_array_get(rows, 0),
	    "x_passphrase"));
	ck_assert(json_is_false(json_object_get(json_array_get(rows, 1),
	    "enabled")));
	json_decref(rows);
	json_decref(d);

	d = classic("classic-firewallrule.json");
	rows = unifi_parse_fw_rules(d, "home");
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "kind"), "rule");
	ck_assert_str_eq(str(r, "ruleset"), "LAN_IN");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "index")), 2000);
	json_decref(rows);
	json_decref(d);

	d = fixture("fw-policies.json");
	rows = unifi_parse_fw_policies(d, "home");
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "kind"), "policy");
	ck_assert_str_eq(str(r, "action"), "accept");
	ck_assert(json_is_true(json_object_get(r, "predefined")));
	json_decref(rows);
	json_decref(d);

	d = classic("vouchers.json");
	rows = unifi_parse_vouchers(d, 1709654400);
	ck_assert_uint_eq(json_array_size(rows), 1);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "code"), "12345-67890");
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "duration_min")), 480);
	json_decref(rows);
	rows = unifi_parse_vouchers(d, 0);
	ck_assert_uint_eq(json_array_size(rows), 2);
	ck_assert_str_eq(str(json_array_get(rows, 1), "code"), "12345-67890");
	json_decref(rows);
	json_decref(d);
}
END_TEST

/* An integer member of a row, or a sentinel when it is absent. */
static long long
num(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	return (json_is_integer(v) ? (long long)json_integer_value(v) :
	    -424242);
}

/*
 * Recorded stat/sta (aiounifi): a wireless client that also carries the
 * sw_mac/sw_port of its AP's switch port, and a wired client with an
 * empty alias and wired-rx_bytes counters.
 */
START_TEST(test_recorded_sta)
{
	json_t *sta = classic("recorded/stat-sta.json"), *rows, *d, *devs;
	const json_t *r;

	rows = unifi_parse_sta(sta, "lab");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "mac"), "00:00:00:00:00:01");
	ck_assert_str_eq(str(r, "name"), "Client 1");
	ck_assert_str_eq(str(r, "ip"), "192.168.0.1");
	ck_assert_str_eq(str(r, "type"), "wireless");
	ck_assert_str_eq(str(r, "network"), "LAN");
	ck_assert_str_eq(str(r, "essid"), "SSID");
	ck_assert_str_eq(str(r, "uplink_mac"), "80:2a:a8:00:01:02");
	/* sw_port 1 is the AP's port, not the client's. */
	ck_assert_ptr_null(json_object_get(r, "port"));
	ck_assert_int_eq(num(r, "signal"), -61);
	ck_assert_int_eq(num(r, "rx_bytes"), 12867114);
	ck_assert_int_eq(num(r, "tx_bytes"), 52852089);
	ck_assert_int_eq(num(r, "uptime"), 11904);
	ck_assert(json_is_false(json_object_get(r, "blocked")));
	ck_assert(json_is_true(json_object_get(r, "online")));

	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "mac"), "ac:cc:de:12:34:56");
	/* "name": "" leaves the DHCP host name. */
	ck_assert_str_eq(str(r, "name"), "camera-acccde123456");
	ck_assert_str_eq(str(r, "ip"), "192.168.0.2");
	ck_assert_str_eq(str(r, "type"), "wired");
	ck_assert_str_eq(str(r, "uplink_mac"), "fc:ec:da:11:22:33");
	ck_assert_int_eq(num(r, "port"), 3);
	ck_assert_int_eq(num(r, "rx_bytes"), 0);
	ck_assert_int_eq(num(r, "tx_bytes"), 0);
	ck_assert_int_eq(num(r, "uptime"), 87334);
	ck_assert_ptr_null(json_object_get(r, "signal"));
	ck_assert(json_is_false(json_object_get(r, "blocked")));

	/* The AP of the recorded stat/device names the wireless uplink. */
	d = classic("recorded/stat-device.json");
	devs = unifi_parse_devices(d, "lab");
	unifi_link(rows, devs);
	ck_assert_str_eq(str(json_array_get(rows, 0), "uplink"),
	    "ACCESS POINT AC PRO");
	/* Its switch (Switch 16) is not in that answer: no name. */
	ck_assert_ptr_null(json_object_get(json_array_get(rows, 1),
	    "uplink"));
	/* num_sta from the controller wins over the local count. */
	ck_assert_int_eq(num(json_array_get(devs, 0), "clients"), 12);
	json_decref(devs);
	json_decref(d);
	json_decref(rows);
	json_decref(sta);
}
END_TEST

/* Recorded list/user (Home Assistant tests): the blocked known client. */
START_TEST(test_recorded_user)
{
	json_t *sta = classic("recorded/stat-sta.json");
	json_t *users = classic("recorded/list-user.json"), *rows;
	const json_t *r;

	rows = unifi_parse_sta(sta, "lab");
	unifi_merge_blocked(rows, users, "lab");
	/* Only the blocked one joins; the unblocked one is not online. */
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert_ptr_null(unifi_find_mac(rows, "00:00:00:00:01:02"));
	r = unifi_find_mac(rows, "00:00:00:00:01:01");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(str(r, "name"), "Block Client 1");
	ck_assert_str_eq(str(r, "type"), "wireless");
	ck_assert(json_is_true(json_object_get(r, "blocked")));
	ck_assert(json_is_false(json_object_get(r, "online")));
	/* A known client's last address is stale: left out. */
	ck_assert_ptr_null(json_object_get(r, "ip"));
	json_decref(rows);
	json_decref(users);
	json_decref(sta);
}
END_TEST

/* Recorded stat/device (aiounifi): an AP, a USG and a PDU on usw. */
START_TEST(test_recorded_devices)
{
	json_t *d = classic("recorded/stat-device.json"), *rows;
	const json_t *r;

	rows = unifi_parse_devices(d, "lab");
	ck_assert_uint_eq(json_array_size(rows), 3);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "mac"), "80:2a:a8:00:01:02");
	ck_assert_str_eq(str(r, "name"), "ACCESS POINT AC PRO");
	ck_assert_str_eq(str(r, "model"), "U7PG2");
	ck_assert_str_eq(str(r, "type"), "ap");
	ck_assert_str_eq(str(r, "state"), "online");
	ck_assert_str_eq(str(r, "ip"), "192.168.0.4");
	ck_assert_int_eq(num(r, "uptime"), 3971849);
	ck_assert_int_eq(num(r, "clients"), 12);
	ck_assert_str_eq(str(r, "firmware"), "4.0.69.10871");
	ck_assert(json_is_true(json_object_get(r, "upgradable")));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "name"), "USG");
	ck_assert_str_eq(str(r, "type"), "gateway");
	ck_assert_str_eq(str(r, "ip"), "1.2.3.4");
	ck_assert_int_eq(num(r, "uptime"), 3971869);
	ck_assert_int_eq(num(r, "clients"), 20);
	ck_assert_str_eq(str(r, "firmware"), "4.4.44.5213844");
	r = json_array_get(rows, 2);
	ck_assert_str_eq(str(r, "mac"), "00:00:00:00:00:84");
	ck_assert_str_eq(str(r, "name"), "Main Server Cabinet PDU");
	ck_assert_str_eq(str(r, "type"), "switch");
	ck_assert_str_eq(str(r, "state"), "online");
	ck_assert_int_eq(num(r, "uptime"), 1347471);
	ck_assert_int_eq(num(r, "clients"), 0);
	ck_assert(json_is_false(json_object_get(r, "upgradable")));
	/* Rows keep only the used fields of a 16 kB record. */
	ck_assert_ptr_null(json_object_get(r, "port_table"));
	ck_assert_ptr_null(json_object_get(r, "x_authkey"));
	json_decref(rows);
	json_decref(d);
}
END_TEST

/* Recorded stat/health (unpoller): five subsystems, VPN in error. */
START_TEST(test_recorded_health)
{
	json_t *d = classic("recorded/stat-health.json"), *rows;
	const json_t *r;

	rows = unifi_parse_health(d);
	ck_assert_uint_eq(json_array_size(rows), 5);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "subsystem"), "wlan");
	ck_assert_str_eq(str(r, "status"), "ok");
	ck_assert_int_eq(num(r, "users"), 7);
	ck_assert_int_eq(num(r, "aps"), 1);
	ck_assert_int_eq(num(r, "disconnected"), 0);
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "subsystem"), "wan");
	ck_assert_str_eq(str(r, "wan_ip"), "209.23.82.154");
	ck_assert_str_eq(str(r, "isp_name"), "Westelcom Internet");
	ck_assert_str_eq(str(r, "gateway_version"), "5.0.12.30269");
	ck_assert_int_eq(num(r, "rx_rate"), 19465);
	ck_assert_int_eq(num(r, "tx_rate"), 34263);
	ck_assert_int_eq(num(r, "gateways"), 1);
	ck_assert_int_eq(num(r, "clients"), 8);
	r = json_array_get(rows, 2);
	ck_assert_str_eq(str(r, "subsystem"), "www");
	ck_assert_int_eq(num(r, "latency_ms"), 9);
	ck_assert_int_eq(num(r, "uptime"), 492506);
	ck_assert_int_eq(num(r, "drops"), 1);
	r = json_array_get(rows, 3);
	ck_assert_str_eq(str(r, "subsystem"), "lan");
	ck_assert_int_eq(num(r, "switches"), 2);
	ck_assert_int_eq(num(r, "users"), 1);
	r = json_array_get(rows, 4);
	ck_assert_str_eq(str(r, "subsystem"), "vpn");
	ck_assert_str_eq(str(r, "status"), "error");
	ck_assert(json_is_false(json_object_get(r, "vpn_remote_user")));
	ck_assert(json_is_true(json_object_get(r, "vpn_site_to_site")));
	ck_assert_int_eq(num(r, "vpn_site_to_site_up"), 0);
	json_decref(rows);
	json_decref(d);
}
END_TEST

/* Recorded rest/wlanconf (aiounifi): no passphrase gets through. */
START_TEST(test_recorded_wlans)
{
	json_t *d = classic("recorded/rest-wlanconf.json"), *rows;
	const json_t *r;
	char *dump;

	rows = unifi_parse_wlans(d, "lab");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "id"), "012345678910111213141516");
	ck_assert_str_eq(str(r, "name"), "SSID 1");
	ck_assert(json_is_true(json_object_get(r, "enabled")));
	ck_assert_str_eq(str(r, "security"), "wpapsk");
	ck_assert_str_eq(str(r, "wpa_mode"), "wpa2");
	ck_assert_ptr_null(json_object_get(r, "guest"));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "name"), "SSID 2");
	ck_assert(json_is_false(json_object_get(r, "enabled")));
	ck_assert(json_is_true(json_object_get(r, "guest")));
	dump = json_dumps(rows, 0);
	ck_assert_ptr_null(strstr(dump, "password in clear text"));
	ck_assert_ptr_null(strstr(dump, "x_iapp_key"));
	free(dump);
	json_decref(rows);
	json_decref(d);
}
END_TEST

/*
 * Recorded Integration API devices (aiounifi, a UCG Industrial on Network
 * 10.6.106): the list form, a modem with no features or address, and the
 * detail form with features as an object; recorded clients and the
 * structured 401.
 */
START_TEST(test_recorded_integration)
{
	json_t *dj = fixture("recorded/int-devices.json");
	json_t *one = fixture("recorded/int-device-detail.json");
	json_t *cj = fixture("recorded/int-clients.json");
	json_t *ej = fixture("recorded/int-error-401.json");
	json_t *devs, *rows, *a;
	const json_t *r;
	char *cause = NULL;

	devs = unifi_parse_int_devices(json_object_get(dj, "data"), "lab");
	ck_assert_uint_eq(json_array_size(devs), 3);
	r = json_array_get(devs, 0);
	ck_assert_str_eq(str(r, "id"), "90edff53-2df1-3c0a-be00-516fb6e88bdc");
	ck_assert_str_eq(str(r, "mac"), "70:a7:41:65:c0:ce");
	ck_assert_str_eq(str(r, "name"), "USW Enterprise 8 PoE");
	ck_assert_str_eq(str(r, "type"), "switch");
	ck_assert_str_eq(str(r, "state"), "online");
	ck_assert_str_eq(str(r, "ip"), "10.8.0.188");
	ck_assert_str_eq(str(r, "firmware"), "7.5.15");
	ck_assert(json_is_false(json_object_get(r, "upgradable")));
	r = json_array_get(devs, 1);
	ck_assert_str_eq(str(r, "name"), "AP - Main house");
	ck_assert_str_eq(str(r, "model"), "U6 Pro");
	ck_assert_str_eq(str(r, "type"), "ap");
	r = json_array_get(devs, 2);
	ck_assert_str_eq(str(r, "name"), "Modem - Backup");
	ck_assert_str_eq(str(r, "type"), "unknown");
	ck_assert_ptr_null(json_object_get(r, "ip"));
	ck_assert_ptr_null(json_object_get(r, "firmware"));

	a = json_pack("[O]", one);
	rows = unifi_parse_int_devices(a, "lab");
	ck_assert_str_eq(str(json_array_get(rows, 0), "type"), "ap");
	ck_assert_str_eq(str(json_array_get(rows, 0), "mac"),
	    "78:45:58:e5:1a:d9");
	json_decref(rows);
	json_decref(a);

	rows = unifi_parse_int_clients(json_object_get(cj, "data"), devs,
	    "lab");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "name"), "Desktop");
	ck_assert_str_eq(str(r, "type"), "wired");
	ck_assert_str_eq(str(r, "ip"), "192.168.1.100");
	/* device-uuid-1 is not among these devices: no uplink. */
	ck_assert_ptr_null(json_object_get(r, "uplink_mac"));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "mac"), "aa:bb:cc:dd:ee:02");
	ck_assert_str_eq(str(r, "type"), "wireless");
	/* GUEST access is not BLOCKED. */
	ck_assert(json_is_false(json_object_get(r, "blocked")));
	json_decref(rows);

	ck_assert_ptr_null(unifi_envelope_data(ej, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);

	json_decref(devs);
	json_decref(ej);
	json_decref(cj);
	json_decref(one);
	json_decref(dj);
}
END_TEST

/* Shapes seen on consoles: BLOCK policies, numbers sent as strings. */
START_TEST(test_console_shapes)
{
	json_t *d, *rows;

	d = json_pack("[{s:s, s:s, s:s, s:b, s:i}]", "_id", "p1", "name",
	    "Block IoT", "action", "BLOCK", "enabled", 1, "index", 10001);
	rows = unifi_parse_fw_policies(d, "lab");
	ck_assert_str_eq(str(json_array_get(rows, 0), "action"), "drop");
	json_decref(rows);
	json_decref(d);
	d = json_pack("[{s:s, s:s, s:b, s:s, s:s}]", "mac",
	    "AA-BB-CC-00-00-01", "hostname", "h", "is_wired", 1, "sw_mac",
	    "aabbcc000002", "sw_port", "7");
	rows = unifi_parse_sta(d, "lab");
	ck_assert_int_eq(num(json_array_get(rows, 0), "port"), 7);
	ck_assert_str_eq(str(json_array_get(rows, 0), "uplink_mac"),
	    "aa:bb:cc:00:00:02");
	json_decref(rows);
	json_decref(d);
	d = json_pack("[{s:s, s:s}]", "mac", "aa:bb:cc:00:00:01", "uptime",
	    "12x");
	rows = unifi_parse_sta(d, "lab");
	ck_assert_ptr_null(json_object_get(json_array_get(rows, 0),
	    "uptime"));
	json_decref(rows);
	json_decref(d);
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &unifi_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 12);
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
unifi_suite(void)
{
	Suite *s = suite_create("unifi");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_mac_norm);
	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_jwt_csrf);
	tcase_add_test(tc, test_classic_clients);
	tcase_add_test(tc, test_classic_devices);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_integration);
	tcase_add_test(tc, test_wlans_rules_vouchers);
	tcase_add_test(tc, test_recorded_sta);
	tcase_add_test(tc, test_recorded_user);
	tcase_add_test(tc, test_recorded_devices);
	tcase_add_test(tc, test_recorded_health);
	tcase_add_test(tc, test_recorded_wlans);
	tcase_add_test(tc, test_recorded_integration);
	tcase_add_test(tc, test_console_shapes);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite. */
int
main(void)
{
	SRunner *sr = srunner_create(unifi_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
