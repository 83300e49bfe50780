/*
 * UniFi parse functions on spec-example and hand-written classic
 * responses (tests/fixtures/unifi, see SOURCES.md there), MAC and JWT
 * helpers, and the service's tool invariants.
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
