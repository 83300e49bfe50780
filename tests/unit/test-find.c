/*
 * racktop_find's matching (core/find.c): query parsing (addresses with
 * lengths and ports, MACs in every spelling, names), canonical forms,
 * name matching by first DNS label, and the row helpers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/find.h"
#include "core/xmalloc.h"
#include "tests/unit/testutil.h"

START_TEST(test_query_kinds)
{
	struct find_query q;
	char *cause = NULL;

	ck_assert_int_eq(find_query_parse("10.0.0.40", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_IP);
	ck_assert_str_eq(q.ip, "10.0.0.40");
	ck_assert_int_eq(find_query_parse(" 10.0.0.40/24 ", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_IP);
	ck_assert_str_eq(q.ip, "10.0.0.40");
	ck_assert_int_eq(find_query_parse("FD7A:115C:A1E0::0001", &q, &cause),
	    0);
	ck_assert_int_eq(q.kind, FIND_IP);
	ck_assert_str_eq(q.ip, "fd7a:115c:a1e0::1");
	ck_assert_int_eq(find_query_parse("BC-24-11-4A-01-04", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_MAC);
	ck_assert_str_eq(q.mac, "bc:24:11:4a:01:04");
	ck_assert_int_eq(find_query_parse("bc24.114a.0104", &q, &cause), 0);
	ck_assert_str_eq(q.mac, "bc:24:11:4a:01:04");
	ck_assert_int_eq(find_query_parse("bc24114a0104", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_MAC);
	/* Twelve decimal digits, or a malformed MAC, are names. */
	ck_assert_int_eq(find_query_parse("123456789012", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_NAME);
	ck_assert_int_eq(find_query_parse("bc:24:11:4a:01", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_NAME);
	ck_assert_int_eq(find_query_parse("HomeAssistant", &q, &cause), 0);
	ck_assert_int_eq(q.kind, FIND_NAME);
	ck_assert_str_eq(q.text, "homeassistant");
	ck_assert_int_eq(find_query_parse("  ", &q, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "query: empty"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(find_query_parse(NULL, &q, &cause), -1);
	free(cause);
}
END_TEST

START_TEST(test_canon)
{
	char buf[64];

	ck_assert(find_ip_canon("10.0.0.5:41641", buf, sizeof buf));
	ck_assert_str_eq(buf, "10.0.0.5");
	ck_assert(find_ip_canon("[fd7a::1]:41641", buf, sizeof buf));
	ck_assert_str_eq(buf, "fd7a::1");
	ck_assert(find_ip_canon("fd7a:0::1/64", buf, sizeof buf));
	ck_assert_str_eq(buf, "fd7a::1");
	ck_assert(!find_ip_canon("10.0.0", buf, sizeof buf));
	ck_assert(!find_ip_canon("host.lan", buf, sizeof buf));
	ck_assert(!find_ip_canon("", buf, sizeof buf));
	ck_assert(!find_ip_canon(NULL, buf, sizeof buf));
	ck_assert(!find_ip_canon("10.0.0.5", buf, 8));
	ck_assert(find_mac_canon("AA:BB:CC:DD:EE:FF", buf, sizeof buf));
	ck_assert_str_eq(buf, "aa:bb:cc:dd:ee:ff");
	ck_assert(!find_mac_canon("aa:bb:cc:dd:ee:ff:00", buf, sizeof buf));
	ck_assert(!find_mac_canon("aa:bb:cc:dd:ee:fg", buf, sizeof buf));
	ck_assert(!find_mac_canon("aab:bcc:dde:eff", buf, sizeof buf));
}
END_TEST

START_TEST(test_match)
{
	struct find_query q;
	char *cause = NULL;
	json_t *ips, *hits, *row, *d;

	ck_assert_int_eq(find_query_parse("homeassistant", &q, &cause), 0);
	ck_assert(find_match_name(&q, "HomeAssistant"));
	ck_assert(find_match_name(&q, "homeassistant.lan"));
	ck_assert(find_match_name(&q, "homeassistant.tail0000.ts.net"));
	ck_assert(!find_match_name(&q, "homeassistant2"));
	ck_assert(!find_match_name(&q, "my-homeassistant.lan"));
	ck_assert(!find_match_name(&q, ""));
	ck_assert(!find_match_ip(&q, "10.0.0.40"));
	ck_assert_int_eq(find_query_parse("homeassistant.lan", &q, &cause), 0);
	ck_assert(find_match_name(&q, "homeassistant"));
	ck_assert(!find_match_name(&q, "homeassistant.tail0000.ts.net"));
	ck_assert_int_eq(find_query_parse("10.0.0.40", &q, &cause), 0);
	ips = json_pack("[s, s]", "172.17.0.2", "10.0.0.40/24");
	ck_assert_str_eq(find_match_json(&q, ips, NULL, NULL), "ip");
	ck_assert_ptr_null(find_match_json(&q, NULL, ips, ips));
	json_decref(ips);
	ck_assert(!find_match_ip(&q, "10.0.0.4"));
	ck_assert_int_eq(find_query_parse("bc:24:11:4a:01:04", &q, &cause), 0);
	ck_assert(find_match_mac(&q, "BC-24-11-4A-01-04"));
	ck_assert(!find_match_mac(&q, "bc:24:11:4a:01:05"));
	/* Rows: copies of some members, hits and addresses. */
	row = json_pack("{s:s, s:i, s:[s]}", "name", "x", "vmid", 104, "ips",
	    "10.0.0.40");
	d = find_copy(row, (const char *const[]){ "vmid", "ips", "gone",
	    NULL });
	ck_assert_int_eq(json_object_size(d), 2);
	ck_assert(json_object_get(d, "ips") != json_object_get(row, "ips"));
	hits = json_array();
	find_hit(hits, "guest", "x", "ip", d);
	find_hit(hits, "guest", NULL, "ip", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hits,
	    0), "kind")), "guest");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hits,
	    1), "name")), "");
	json_decref(hits);
	hits = json_array();
	find_address(hits, "10.0.0.40/24", "guest", "x", "BC24.114A.0104",
	    NULL);
	find_address(hits, "not an address", "guest", "x", NULL,
	    json_object());
	find_network(hits, "10.0.0.0/24");
	ck_assert_uint_eq(json_array_size(hits), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hits,
	    0), "ip")), "10.0.0.40");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hits,
	    0), "mac")), "bc:24:11:4a:01:04");
	json_decref(hits);
	json_decref(row);
}
END_TEST

/* The hits of a query in an index: "kind name match" lines. */
static char *
lookup(const json_t *index, const char *query)
{
	struct find_query q;
	json_t *hits = json_array(), *h;
	char *cause = NULL, *out = xstrdup(""), *t;
	size_t i;

	ck_assert_int_eq(find_query_parse(query, &q, &cause), 0);
	find_index_lookup(index, &q, hits);
	json_array_foreach(hits, i, h) {
		t = out;
		xasprintf(&out, "%s%s %s %s;", t, json_string_value(
		    json_object_get(h, "kind")), json_string_value(
		    json_object_get(h, "name")), json_string_value(
		    json_object_get(h, "match")));
		free(t);
	}
	json_decref(hits);
	return (out);
}

START_TEST(test_index)
{
	json_t *entries = json_array(), *index, *ips, *macs, *names;
	char *r;

	ips = json_pack("[s, s]", "10.0.0.40/24", "fd00::40");
	macs = json_string("BC:24:11:4A:01:04");
	names = json_pack("[s, s]", "HomeAssistant", "104");
	find_entry(entries, "guest", "homeassistant", ips, macs, names,
	    json_pack("{s:i}", "vmid", 104));
	json_decref(ips);
	json_decref(macs);
	json_decref(names);
	ips = json_string("10.0.0.40");
	names = json_string("homeassistant.lan");
	find_entry(entries, "client", "homeassistant.lan", ips, NULL, names,
	    NULL);
	json_decref(ips);
	json_decref(names);
	find_entry(entries, "device", "nas", NULL, NULL, NULL, NULL);
	index = find_index_build(entries);
	r = lookup(index, "10.0.0.40");
	ck_assert_str_eq(r, "guest homeassistant ip;client homeassistant.lan "
	    "ip;");
	free(r);
	r = lookup(index, "FD00:0::40");
	ck_assert_str_eq(r, "guest homeassistant ip;");
	free(r);
	r = lookup(index, "bc24.114a.0104");
	ck_assert_str_eq(r, "guest homeassistant mac;");
	free(r);
	/* A bare name finds host names by first label, and back. */
	r = lookup(index, "HOMEASSISTANT");
	ck_assert_str_eq(r, "guest homeassistant name;client "
	    "homeassistant.lan name;");
	free(r);
	r = lookup(index, "homeassistant.lan");
	ck_assert_str_eq(r, "client homeassistant.lan name;guest "
	    "homeassistant name;");
	free(r);
	r = lookup(index, "homeassistant.example");
	ck_assert_str_eq(r, "guest homeassistant name;");
	free(r);
	r = lookup(index, "104");
	ck_assert_str_eq(r, "guest homeassistant name;");
	free(r);
	r = lookup(index, "10.0.0.41");
	ck_assert_str_eq(r, "");
	free(r);
	r = lookup(index, "nas");
	ck_assert_str_eq(r, "");	/* no keys given, nothing finds it */
	free(r);
	json_decref(index);
}
END_TEST

/* The suite. */
static Suite *
find_suite(void)
{
	Suite *s = suite_create("find");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, test_query_kinds);
	tcase_add_test(tc, test_canon);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_index);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(find_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
