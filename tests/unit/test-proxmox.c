/*
 * Proxmox VE parse functions on spec-example responses
 * (tests/fixtures/proxmox, see SOURCES.md there), auth header building,
 * UPID parsing, and the service's tool invariants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/proxmox.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* The data member of a fixture file (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j, *data;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/proxmox/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	data = json_incref(json_object_get(j, "data"));
	json_decref(j);
	return (data);
}

/* The resources fixture parsed. */
static json_t *
resources(void)
{
	json_t *data = fixture("cluster-resources.json"), *snap;
	char *cause = NULL;

	snap = pve_parse_resources(data, "home", &cause);
	ck_assert_msg(snap != NULL, "%s", cause);
	json_decref(data);
	return (snap);
}

START_TEST(test_resources_sections)
{
	json_t *snap = resources();

	ck_assert_uint_eq(json_array_size(json_object_get(snap, "nodes")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(snap, "guests")), 5);
	ck_assert_uint_eq(json_array_size(json_object_get(snap, "storage")), 3);
	json_decref(snap);
}
END_TEST

START_TEST(test_vmid_number_and_string)
{
	json_t *snap = resources();
	const json_t *guests = json_object_get(snap, "guests"), *g;

	g = pve_find_guest(guests, 100);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(json_string_value(json_object_get(g, "type")), "qemu");
	ck_assert(json_is_integer(json_object_get(g, "vmid")));
	g = pve_find_guest(guests, 101);
	ck_assert_ptr_nonnull(g);
	ck_assert(json_is_integer(json_object_get(g, "vmid")));
	ck_assert_str_eq(json_string_value(json_object_get(g, "type")), "lxc");
	/* No vmid member: the id "lxc/103" names it. */
	g = pve_find_guest(guests, 103);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(json_string_value(json_object_get(g, "instance")),
	    "home");
	json_decref(snap);
}
END_TEST

START_TEST(test_missing_optional_fields)
{
	json_t *snap = resources();
	const json_t *g, *tags;

	g = pve_find_guest(json_object_get(snap, "guests"), 103);
	ck_assert_ptr_null(json_object_get(g, "name"));
	ck_assert_ptr_null(json_object_get(g, "cpu"));
	ck_assert_ptr_null(json_object_get(g, "maxmem"));
	ck_assert(json_is_false(json_object_get(g, "template")));
	ck_assert_uint_eq(json_array_size(json_object_get(g, "tags")), 0);
	g = pve_find_guest(json_object_get(snap, "guests"), 100);
	tags = json_object_get(g, "tags");
	ck_assert_uint_eq(json_array_size(tags), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tags, 1)), "web");
	ck_assert(json_is_real(json_object_get(g, "cpu")));
	ck_assert_int_eq(json_integer_value(json_object_get(g, "netin")),
	    123456789);
	/* Fields panes do not use stay out of the snapshot. */
	ck_assert_ptr_null(json_object_get(g, "diskread"));
	json_decref(snap);
}
END_TEST

START_TEST(test_offline_node)
{
	json_t *snap = resources();
	const json_t *n, *g;

	n = pve_find_node(json_object_get(snap, "nodes"), "pve2");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(json_string_value(json_object_get(n, "status")),
	    "offline");
	ck_assert_ptr_null(json_object_get(n, "cpu"));
	ck_assert_ptr_null(json_object_get(n, "uptime"));
	n = pve_find_node(json_object_get(snap, "nodes"), "pve1");
	ck_assert_int_eq(json_integer_value(json_object_get(n, "maxcpu")), 16);
	g = pve_find_guest(json_object_get(snap, "guests"), 102);
	ck_assert_str_eq(json_string_value(json_object_get(g, "status")),
	    "unknown");
	ck_assert_ptr_null(pve_find_node(json_object_get(snap, "nodes"),
	    "pve9"));
	json_decref(snap);
}
END_TEST

START_TEST(test_template_flag)
{
	json_t *snap = resources();
	const json_t *g;

	g = pve_find_guest(json_object_get(snap, "guests"), 9000);
	ck_assert(json_is_true(json_object_get(g, "template")));
	g = pve_find_guest(json_object_get(snap, "guests"), 100);
	ck_assert(json_is_false(json_object_get(g, "template")));
	json_decref(snap);
}
END_TEST

START_TEST(test_storage_rows)
{
	json_t *snap = resources();
	const json_t *s;

	s = json_array_get(json_object_get(snap, "storage"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s, "storage")),
	    "local");
	ck_assert_uint_eq(json_array_size(json_object_get(s, "content")), 3);
	ck_assert(json_is_false(json_object_get(s, "shared")));
	s = json_array_get(json_object_get(snap, "storage"), 1);
	ck_assert(json_is_true(json_object_get(s, "shared")));
	json_decref(snap);
}
END_TEST

START_TEST(test_not_an_array)
{
	json_t *bad = json_object();
	char *cause = NULL;

	ck_assert_ptr_null(pve_parse_resources(bad, "home", &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(pve_parse_cluster_status(bad, &cause));
	free(cause);
	json_decref(bad);
}
END_TEST

START_TEST(test_cluster_status)
{
	json_t *data = fixture("cluster-status.json"), *c;
	char *cause = NULL;

	c = pve_parse_cluster_status(data, &cause);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
	    "homelab");
	ck_assert(json_is_true(json_object_get(c, "quorate")));
	ck_assert(json_is_false(json_object_get(c, "standalone")));
	ck_assert_int_eq(json_integer_value(json_object_get(c,
	    "nodes_total")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(c,
	    "nodes_online")), 1);
	json_decref(c);
	json_decref(data);

	data = fixture("cluster-status-standalone.json");
	c = pve_parse_cluster_status(data, &cause);
	ck_assert(json_is_null(json_object_get(c, "name")));
	ck_assert(json_is_true(json_object_get(c, "standalone")));
	ck_assert(json_is_true(json_object_get(c, "quorate")));
	ck_assert_int_eq(json_integer_value(json_object_get(c,
	    "nodes_total")), 1);
	json_decref(c);
	json_decref(data);
}
END_TEST

START_TEST(test_node_status)
{
	json_t *data = fixture("node-status.json"), *r;

	r = pve_parse_node_status(data, "home", "pve1");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "maxcpu")), 16);
	ck_assert_str_eq(json_string_value(json_object_get(r, "kernel")),
	    "6.14.8-2-pve");
	ck_assert(json_is_real(json_array_get(json_object_get(r, "loadavg"),
	    0)));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    r, "memory"), "total")), 67430866944LL);
	ck_assert_ptr_null(json_object_get(json_object_get(r, "memory"),
	    "swap"));
	json_decref(r);
	json_decref(data);
}
END_TEST

START_TEST(test_guest_status_merge)
{
	json_t *snap = resources(), *row, *data = fixture(
	    "qemu-status-current.json");

	row = json_deep_copy(pve_find_guest(json_object_get(snap, "guests"),
	    100));
	pve_merge_guest_status(row, data);
	ck_assert_str_eq(json_string_value(json_object_get(row, "qmpstatus")),
	    "running");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "uptime")),
	    86460);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "maxcpu")), 2);
	ck_assert_ptr_null(json_object_get(row, "cpus"));
	json_decref(row);
	json_decref(data);
	json_decref(snap);
}
END_TEST

START_TEST(test_backups)
{
	json_t *data = fixture("storage-content-backup.json"), *items;
	const json_t *b;

	items = pve_parse_backups(data, "home", "pve1", "local");
	ck_assert_uint_eq(json_array_size(items), 3);
	b = json_array_get(items, 0);
	ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "qemu");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "vmid")), 100);
	b = json_array_get(items, 1);
	ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "lxc");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "vmid")), 101);
	ck_assert(json_is_true(json_object_get(b, "protected")));
	ck_assert_ptr_null(json_object_get(json_array_get(items, 2), "vmid"));
	json_decref(items);
	json_decref(data);
}
END_TEST

START_TEST(test_task_log_tail)
{
	json_t *data = fixture("task-log-failed.json"), *tail;

	tail = pve_task_log_tail(data, 2);
	ck_assert_uint_eq(json_array_size(tail), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tail, 0)), "");
	ck_assert_str_eq(json_string_value(json_array_get(tail, 1)),
	    "TASK ERROR: command 'lxc-usernsexec' failed: exit code 1");
	json_decref(tail);
	tail = pve_task_log_tail(data, 50);
	ck_assert_uint_eq(json_array_size(tail), 5);
	ck_assert(strncmp(json_string_value(json_array_get(tail, 0)),
	    "extracting", 10) == 0);
	json_decref(tail);
	json_decref(data);
}
END_TEST

START_TEST(test_exitstatus)
{
	ck_assert(pve_exitstatus_ok("OK"));
	ck_assert(pve_exitstatus_ok("WARNINGS: 2"));
	ck_assert(!pve_exitstatus_ok("command 'qm start 100' failed"));
	ck_assert(!pve_exitstatus_ok(NULL));
}
END_TEST

START_TEST(test_upid)
{
	json_t *data = fixture("task-status-ok.json");
	struct pve_upid u;

	ck_assert_int_eq(pve_upid_parse(json_string_value(json_object_get(
	    data, "upid")), &u), 0);
	ck_assert_str_eq(u.node, "pve1");
	ck_assert_str_eq(u.type, "qmstart");
	ck_assert_str_eq(u.id, "100");
	ck_assert_str_eq(u.user, "root@pam");
	ck_assert_uint_eq(u.pid, 0x3A1B2);
	ck_assert_int_eq(u.starttime, 0x66312A00);
	json_decref(data);

	data = fixture("task-status-running.json");
	ck_assert_int_eq(pve_upid_parse(json_string_value(json_object_get(
	    data, "upid")), &u), 0);
	ck_assert_str_eq(u.type, "vzdump");
	ck_assert_str_eq(u.id, "");
	ck_assert_str_eq(u.user, "racktop@pve!dash");
	json_decref(data);

	/* A 9-digit pstart after a long uptime. */
	ck_assert_int_eq(pve_upid_parse("UPID:n-2:00001234:1A2B3C4D5:"
	    "66312A00:vzcreate:105:root@pam:", &u), 0);
	ck_assert_str_eq(u.node, "n-2");
	ck_assert_int_eq(pve_upid_parse("qmstart:100", &u), -1);
	ck_assert_int_eq(pve_upid_parse("UPID::00001234:00000001:"
	    "66312A00:qmstart:100:root@pam:", &u), -1);
	ck_assert_int_eq(pve_upid_parse("UPID:pve1:xyz:00000001:"
	    "66312A00:qmstart:100:root@pam:", &u), -1);
	ck_assert_int_eq(pve_upid_parse("UPID:pve1:00001234:00000001:"
	    "66312A00:qmstart:100:root@pam", &u), -1);
	ck_assert_int_eq(pve_upid_parse(NULL, &u), -1);
}
END_TEST

START_TEST(test_auth_headers)
{
	char *h;

	h = pve_token_header("racktop@pve!dash", "0b1f-7c");
	ck_assert_str_eq(h, "Authorization: PVEAPIToken=racktop@pve!dash=0b1f-7c");
	free(h);
	ck_assert_ptr_null(pve_token_header("racktop!dash", "x"));
	ck_assert_ptr_null(pve_token_header("racktop@pve", "x"));
	ck_assert_ptr_null(pve_token_header("racktop@pve!", "x"));
	ck_assert_ptr_null(pve_token_header("racktop@pve!dash", ""));
	ck_assert_ptr_null(pve_token_header("racktop@pve!dash", "a\r\nX: y"));
	ck_assert_ptr_null(pve_token_header(NULL, "x"));
	h = pve_cookie_header("PVE:root@pam:66312A00::c2ln");
	ck_assert_str_eq(h, "Cookie: PVEAuthCookie=PVE:root@pam:66312A00::c2ln");
	free(h);
	h = pve_csrf_header("66312A00:Y3NyZg");
	ck_assert_str_eq(h, "CSRFPreventionToken: 66312A00:Y3NyZg");
	free(h);
}
END_TEST

START_TEST(test_vmid_value)
{
	json_t *v;
	long long n;

	v = json_string("105");
	ck_assert_int_eq(pve_vmid_value(v, &n), 0);
	ck_assert_int_eq(n, 105);
	json_decref(v);
	v = json_integer(106);
	ck_assert_int_eq(pve_vmid_value(v, &n), 0);
	ck_assert_int_eq(n, 106);
	json_decref(v);
	v = json_string("10x");
	ck_assert_int_eq(pve_vmid_value(v, &n), -1);
	json_decref(v);
	ck_assert_int_eq(pve_vmid_value(NULL, &n), -1);
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &proxmox_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 16);
	registry_destroy(reg);
}
END_TEST

/* Whether v serialises (compact) to text. */
static void
assert_json(const json_t *v, const char *text)
{
	char *s = json_dumps(v, JSON_COMPACT);

	ck_assert_str_eq(s, text);
	free(s);
}

START_TEST(test_guest_ifaces)
{
	json_t *j = fixture("agent-network-get-interfaces.json"), *r;

	/* Loopback and link-local left out, MACs in lower case. */
	r = pve_parse_guest_ifaces(j);
	assert_json(json_object_get(r, "ips"),
	    "[\"10.0.0.40\",\"fd00::40\",\"172.17.0.1\"]");
	assert_json(json_object_get(r, "macs"),
	    "[\"bc:24:11:4a:01:04\",\"02:42:9b:3c:11:aa\","
	    "\"bc:24:11:4a:01:05\"]");
	json_decref(r);
	json_decref(j);
	j = fixture("lxc-interfaces.json");
	r = pve_parse_guest_ifaces(j);
	assert_json(json_object_get(r, "ips"),
	    "[\"10.0.0.70\",\"192.168.30.5\"]");
	assert_json(json_object_get(r, "macs"),
	    "[\"bc:24:11:00:00:c8\",\"bc:24:11:00:01:c8\"]");
	json_decref(r);
	json_decref(j);
	/* Anything else: empty lists. */
	r = pve_parse_guest_ifaces(NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "ips")), 0);
	json_decref(r);
}
END_TEST

/* The suite. */
static Suite *
proxmox_suite(void)
{
	Suite *s = suite_create("proxmox");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_resources_sections);
	tcase_add_test(tc, test_guest_ifaces);
	tcase_add_test(tc, test_vmid_number_and_string);
	tcase_add_test(tc, test_missing_optional_fields);
	tcase_add_test(tc, test_offline_node);
	tcase_add_test(tc, test_template_flag);
	tcase_add_test(tc, test_storage_rows);
	tcase_add_test(tc, test_not_an_array);
	tcase_add_test(tc, test_cluster_status);
	tcase_add_test(tc, test_node_status);
	tcase_add_test(tc, test_guest_status_merge);
	tcase_add_test(tc, test_backups);
	tcase_add_test(tc, test_task_log_tail);
	tcase_add_test(tc, test_exitstatus);
	tcase_add_test(tc, test_upid);
	tcase_add_test(tc, test_auth_headers);
	tcase_add_test(tc, test_vmid_value);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(proxmox_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
