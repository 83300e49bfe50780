/*
 * NetBox parse functions on spec-example responses (tests/fixtures/netbox,
 * see SOURCES.md there): devices, addresses, prefixes with utilisation,
 * VLANs, cables, search hits, next links, error bodies, the token header
 * and address arithmetic; then the service's tool invariants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/netbox.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* A fixture file (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/netbox/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

/* A string member of a row. */
static const char *
str(const json_t *row, const char *key)
{
	return (json_string_value(json_object_get(row, key)));
}

START_TEST(test_devices)
{
	json_t *j = fixture("devices.json"), *rows;
	const json_t *r;

	rows = netbox_parse_devices(json_object_get(j, "results"), "home");
	ck_assert_uint_eq(json_array_size(rows), 3);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "instance"), "home");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 11);
	ck_assert_str_eq(str(r, "name"), "pve1");
	ck_assert_str_eq(str(r, "role"), "server");
	ck_assert_str_eq(str(r, "site"), "home");
	ck_assert_str_eq(str(r, "status"), "active");
	ck_assert_str_eq(str(r, "primary_ip"), "10.0.0.11/24");
	ck_assert_str_eq(str(r, "type"), "R640");
	ck_assert_str_eq(str(r, "serial"), "ABC123");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "tags"), 0)), "proxmox");
	r = json_array_get(rows, 1);
	ck_assert_ptr_null(json_object_get(r, "primary_ip"));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tags")), 0);
	/* A device without a name is shown by its display. */
	r = json_array_get(rows, 2);
	ck_assert_str_eq(str(r, "name"), "Unnamed device (13)");
	ck_assert_str_eq(str(r, "status"), "offline");
	ck_assert_str_eq(str(r, "site"), "cabin");
	json_decref(rows);
	/* Not a list: no rows, no crash. */
	rows = netbox_parse_devices(j, "home");
	ck_assert_uint_eq(json_array_size(rows), 0);
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_addresses)
{
	json_t *j = fixture("ip-addresses.json"), *rows;
	const json_t *r;

	rows = netbox_parse_addresses(json_object_get(j, "results"), "home");
	ck_assert_uint_eq(json_array_size(rows), 4);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "address"), "10.0.0.11/24");
	ck_assert_str_eq(str(r, "ip"), "10.0.0.11");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "family")), 4);
	ck_assert_str_eq(str(r, "dns_name"), "pve1.lab");
	ck_assert_str_eq(str(r, "assigned_type"), "dcim.interface");
	ck_assert_str_eq(str(r, "device"), "pve1");
	ck_assert_str_eq(str(r, "interface"), "eno1");
	ck_assert_ptr_null(json_object_get(r, "vm"));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "vm"), "homeassistant");
	ck_assert_str_eq(str(r, "interface"), "eth0");
	ck_assert_ptr_null(json_object_get(r, "device"));
	r = json_array_get(rows, 2);
	ck_assert_str_eq(str(r, "status"), "reserved");
	ck_assert_ptr_null(json_object_get(r, "assigned_type"));
	ck_assert_str_eq(str(r, "description"), "printer (retired)");
	r = json_array_get(rows, 3);
	ck_assert_str_eq(str(r, "ip"), "fd00::40");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "family")), 6);
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_prefixes)
{
	json_t *a = fixture("ip-addresses.json"), *p = fixture("prefixes.json");
	json_t *addrs, *rows;
	const json_t *r;

	addrs = netbox_parse_addresses(json_object_get(a, "results"), "home");
	rows = netbox_parse_prefixes(json_object_get(p, "results"), addrs,
	    "home");
	ck_assert_uint_eq(json_array_size(rows), 3);
	/* /24: 254 hosts, three of the four addresses lie inside. */
	r = json_array_get(rows, 0);
	ck_assert_str_eq(str(r, "prefix"), "10.0.0.0/24");
	ck_assert_str_eq(str(r, "site"), "home");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "vlan")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "used")), 3);
	ck_assert_double_eq(json_real_value(json_object_get(r, "size")), 254);
	ck_assert_double_eq_tol(json_real_value(json_object_get(r,
	    "utilisation")), 3.0 / 254, 1e-9);
	/* /30: two hosts; 10.0.0.99 (its broadcast) still counts as inside. */
	r = json_array_get(rows, 1);
	ck_assert_str_eq(str(r, "prefix"), "10.0.0.96/30");
	ck_assert_str_eq(str(r, "status"), "reserved");
	ck_assert_double_eq(json_real_value(json_object_get(r, "size")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "used")), 1);
	ck_assert_str_eq(str(r, "site"), "");
	/* IPv6 keeps its whole size. */
	r = json_array_get(rows, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "family")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "used")), 1);
	ck_assert(json_real_value(json_object_get(r, "size")) > 1e19);
	ck_assert(json_real_value(json_object_get(r, "utilisation")) < 1e-9);
	json_decref(rows);
	json_decref(addrs);
	json_decref(a);
	json_decref(p);
}
END_TEST

START_TEST(test_vlan_cable)
{
	json_t *v = fixture("vlan.json"), *c = fixture("cable.json"), *row;
	const json_t *t;

	row = netbox_parse_vlan(v, "home");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "vid")), 40);
	ck_assert_str_eq(str(row, "name"), "cameras");
	ck_assert_str_eq(str(row, "site"), "home");
	ck_assert_str_eq(str(row, "group"), "home-vlans");
	ck_assert_str_eq(str(row, "status"), "active");
	json_decref(row);
	row = netbox_parse_cable(c, "home");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "id")), 7);
	ck_assert_str_eq(str(row, "label"), "pve1-uplink");
	ck_assert_str_eq(str(row, "status"), "connected");
	t = json_array_get(json_object_get(row, "a"), 0);
	ck_assert_str_eq(str(t, "device"), "pve1");
	ck_assert_str_eq(str(t, "interface"), "eno1");
	ck_assert_str_eq(str(t, "type"), "dcim.interface");
	t = json_array_get(json_object_get(row, "b"), 0);
	ck_assert_str_eq(str(t, "device"), "usw-24");
	ck_assert_int_eq(json_integer_value(json_object_get(t, "id")), 52);
	json_decref(row);
	json_decref(v);
	json_decref(c);
}
END_TEST

START_TEST(test_hits)
{
	json_t *a = fixture("ip-addresses.json"), *d = fixture("devices.json");
	json_t *hit;

	hit = netbox_parse_hit("ip-address", json_array_get(json_object_get(a,
	    "results"), 1), "home");
	ck_assert_str_eq(str(hit, "type"), "ip-address");
	ck_assert_str_eq(str(hit, "name"), "10.0.0.40/24");
	ck_assert_str_eq(str(json_object_get(hit, "detail"), "dns_name"),
	    "homeassistant.lab");
	ck_assert_str_eq(str(json_object_get(hit, "detail"), "status"),
	    "active");
	json_decref(hit);
	hit = netbox_parse_hit("device", json_array_get(json_object_get(d,
	    "results"), 0), "home");
	ck_assert_str_eq(str(hit, "name"), "pve1");
	ck_assert_str_eq(str(json_object_get(hit, "detail"), "site"), "home");
	json_decref(hit);
	ck_assert_ptr_null(netbox_parse_hit("device", d, "home"));
	json_decref(a);
	json_decref(d);
}
END_TEST

START_TEST(test_next_auth_errors)
{
	json_t *d = fixture("devices.json"), *e;
	char buf[256], *h, *text;

	ck_assert(netbox_next_path(json_string_value(json_object_get(d,
	    "next")), buf, sizeof buf));
	ck_assert_str_eq(buf, "/dcim/devices/?limit=3&offset=3");
	ck_assert(!netbox_next_path("https://netbox.example/other/", buf,
	    sizeof buf));
	ck_assert(!netbox_next_path(json_string_value(json_object_get(d,
	    "next")), buf, 10));
	json_decref(d);
	h = netbox_auth_header("0123456789abcdef0123456789abcdef01234567");
	ck_assert_str_eq(h, "Authorization: Token "
	    "0123456789abcdef0123456789abcdef01234567");
	free(h);
	h = netbox_auth_header("nbt_abc123.def456");
	ck_assert_str_eq(h, "Authorization: Bearer nbt_abc123.def456");
	free(h);
	e = fixture("error-400.json");
	text = json_dumps(e, 0);
	h = netbox_error_message(text, strlen(text));
	ck_assert_ptr_nonnull(strstr(h, "dns_name: Only alphanumeric"));
	ck_assert_ptr_nonnull(strstr(h, "; status: \"bogus\""));
	free(h);
	free(text);
	json_decref(e);
	e = fixture("error-403.json");
	text = json_dumps(e, 0);
	h = netbox_error_message(text, strlen(text));
	ck_assert_str_eq(h, "Invalid token");
	free(h);
	free(text);
	json_decref(e);
	ck_assert_ptr_null(netbox_error_message("<html>", 6));
	ck_assert_ptr_null(netbox_error_message("[]", 2));
}
END_TEST

START_TEST(test_nets)
{
	struct netbox_net n, a;

	ck_assert(netbox_net_parse("10.0.0.0/24", &n));
	ck_assert_int_eq(n.family, 4);
	ck_assert_int_eq(n.len, 24);
	ck_assert(netbox_net_parse("10.0.0.255", &a));
	ck_assert(netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("10.0.1.0/24", &a));
	ck_assert(!netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("10.0.0.96/27", &n));
	ck_assert(netbox_net_parse("10.0.0.127/24", &a));
	ck_assert(netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("10.0.0.128", &a));
	ck_assert(!netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("fd00::/64", &n));
	ck_assert(netbox_net_parse("fd00::1:2:3:4", &a));
	ck_assert(netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("0.0.0.0/0", &n));
	ck_assert(!netbox_net_contains(&n, &a));
	ck_assert(netbox_net_parse("1.2.3.4", &a));
	ck_assert(netbox_net_contains(&n, &a));
	ck_assert(!netbox_net_parse("10.0.0.0/33", &n));
	ck_assert(!netbox_net_parse("10.0.0.0/", &n));
	ck_assert(!netbox_net_parse("10.0.0/24", &n));
	ck_assert(!netbox_net_parse("lan", &n));
	ck_assert(!netbox_net_parse(NULL, &n));
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &netbox_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 7);
	ck_assert(registry_find(reg, "netbox_update_cable_map")->tool->flags &
	    RT_DESTRUCTIVE);
	ck_assert(registry_find(reg, "netbox_search")->tool->flags &
	    RT_READ_ONLY);
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
netbox_suite(void)
{
	Suite *s = suite_create("netbox");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_vlan_cable);
	tcase_add_test(tc, test_hits);
	tcase_add_test(tc, test_next_auth_errors);
	tcase_add_test(tc, test_nets);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(netbox_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
