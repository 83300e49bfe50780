/*
 * Cloudflare parse functions on spec-example responses
 * (tests/fixtures/cloudflare, see SOURCES.md there): envelopes, pages,
 * zones, records, tunnels, rules, GraphQL totals and errors, purge
 * batches, the permission table, and the service's tool invariants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/cloudflare.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* A fixture file parsed (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/cloudflare/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

START_TEST(test_envelope_ok_and_pages)
{
	json_t *j = fixture("zones.json"), *row;
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	ck_assert_uint_eq(json_array_size(result), 1);
	/* Page 1 of 100. */
	ck_assert(cf_more_pages(info, 1));
	row = cf_parse_zone(json_array_get(result, 0), "home");
	ck_assert_str_eq(json_string_value(json_object_get(row, "name")),
	    "example.com");
	ck_assert_str_eq(json_string_value(json_object_get(row, "status")),
	    "active");
	ck_assert(json_is_true(json_object_get(row, "paused")));
	json_decref(row);
	json_decref(j);
}
END_TEST

START_TEST(test_more_pages)
{
	json_t *i;

	i = json_pack("{s:i, s:i, s:i, s:i}", "page", 3, "per_page", 2,
	    "count", 1, "total_pages", 3);
	ck_assert(!cf_more_pages(i, 1));
	json_decref(i);
	/* Without total_pages: total_count decides. */
	i = json_pack("{s:i, s:i, s:i}", "page", 1, "per_page", 20,
	    "total_count", 2000);
	ck_assert(cf_more_pages(i, 20));
	json_decref(i);
	i = json_pack("{s:i, s:i, s:i}", "page", 2, "per_page", 20,
	    "total_count", 40);
	ck_assert(!cf_more_pages(i, 20));
	json_decref(i);
	ck_assert(!cf_more_pages(NULL, 20));
}
END_TEST

START_TEST(test_envelope_errors)
{
	json_t *j = fixture("error-403.json");
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), -1);
	ck_assert_int_eq(code, 10000);
	ck_assert_str_eq(cause, "code 10000: Authentication error");
	free(cause);
	json_decref(j);
	j = fixture("error-429.json");
	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), -1);
	ck_assert_int_eq(code, 971);
	free(cause);
	json_decref(j);
	j = fixture("ruleset-not-found.json");
	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), -1);
	ck_assert_int_eq(code, 10003);
	free(cause);
	json_decref(j);
	ck_assert_int_eq(cf_envelope(NULL, &result, &info, &code, &cause), -1);
	free(cause);
}
END_TEST

START_TEST(test_verify_and_purge)
{
	json_t *j = fixture("verify-token.json");
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	ck_assert_str_eq(json_string_value(json_object_get(result, "status")),
	    "active");
	json_decref(j);
	j = fixture("purge.json");
	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	ck_assert_str_eq(json_string_value(json_object_get(result, "id")),
	    "023e105f4ecef8ad9ca31a8372d0c353");
	json_decref(j);
}
END_TEST

START_TEST(test_records)
{
	json_t *j = fixture("dns-records.json"), *row;
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	ck_assert(!cf_more_pages(info, 2));
	row = cf_parse_dns_record(json_array_get(result, 0), "home",
	    "example.com");
	ck_assert_str_eq(json_string_value(json_object_get(row, "content")),
	    "198.51.100.4");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "ttl")), 3600);
	ck_assert(json_is_true(json_object_get(row, "proxied")));
	ck_assert_str_eq(json_string_value(json_object_get(row, "comment")),
	    "Domain verification record");
	json_decref(row);
	row = cf_parse_dns_record(json_array_get(result, 1), "home",
	    "example.com");
	ck_assert_str_eq(json_string_value(json_object_get(row, "type")),
	    "AAAA");
	ck_assert_ptr_null(json_object_get(row, "comment"));
	json_decref(row);
	json_decref(j);
}
END_TEST

START_TEST(test_tunnels)
{
	json_t *j = fixture("tunnels.json"), *row;
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	/* No total_pages; total_count 2000 at 20 per page: more. */
	ck_assert(cf_more_pages(info, 2));
	row = cf_parse_tunnel(json_array_get(result, 0), "home");
	ck_assert_str_eq(json_string_value(json_object_get(row, "status")),
	    "healthy");
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "connections")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(row,
	    "colos"), 0)), "DFW");
	ck_assert_str_eq(json_string_value(json_object_get(row,
	    "client_version")), "2022.7.1");
	json_decref(row);
	row = cf_parse_tunnel(json_array_get(result, 1), "home");
	ck_assert_str_eq(json_string_value(json_object_get(row, "status")),
	    "down");
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "connections")), 0);
	ck_assert(json_is_null(json_object_get(row, "conns_active_at")));
	json_decref(row);
	json_decref(j);
}
END_TEST

START_TEST(test_rules)
{
	json_t *j = fixture("ruleset-entrypoint.json"), *row;
	const json_t *result, *info;
	char *cause = NULL;
	int code;

	ck_assert_int_eq(cf_envelope(j, &result, &info, &code, &cause), 0);
	row = cf_parse_rule(json_array_get(json_object_get(result, "rules"), 0),
	    "home", "example.com");
	ck_assert_str_eq(json_string_value(json_object_get(row, "action")),
	    "block");
	ck_assert_str_eq(json_string_value(json_object_get(row, "expression")),
	    "ip.src ne 1.1.1.1");
	json_decref(row);
	/* No "enabled": on by default. */
	row = cf_parse_rule(json_array_get(json_object_get(result, "rules"), 1),
	    "home", "example.com");
	ck_assert(json_is_true(json_object_get(row, "enabled")));
	json_decref(row);
	json_decref(j);
}
END_TEST

START_TEST(test_graphql)
{
	json_t *j = fixture("graphql-ok.json"), *a;
	char *cause = NULL;

	a = cf_parse_analytics(j, &cause);
	ck_assert_msg(a != NULL, "%s", cause);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "requests")),
	    2000);
	ck_assert_int_eq(json_integer_value(json_object_get(a,
	    "cached_requests")), 800);
	ck_assert(json_real_value(json_object_get(a, "cached_pct")) > 39.99 &&
	    json_real_value(json_object_get(a, "cached_pct")) < 40.01);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "bytes")),
	    8000000);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "threats")), 4);
	ck_assert_uint_eq(json_array_size(json_object_get(a, "days")), 2);
	json_decref(a);
	json_decref(j);
	/* Errors come with HTTP 200. */
	j = fixture("graphql-error.json");
	ck_assert_ptr_null(cf_parse_analytics(j, &cause));
	ck_assert_str_eq(cause, "GraphQL: cannot request data older than "
	    "2678400s");
	free(cause);
	json_decref(j);
}
END_TEST

START_TEST(test_batches_and_permissions)
{
	json_t *items = json_array(), *b;
	int i;

	for (i = 0; i < 250; i++)
		json_array_append_new(items, json_integer(i));
	b = cf_batches(items, 100);
	ck_assert_uint_eq(json_array_size(b), 3);
	ck_assert_uint_eq(json_array_size(json_array_get(b, 0)), 100);
	ck_assert_uint_eq(json_array_size(json_array_get(b, 2)), 50);
	json_decref(b);
	b = cf_batches(NULL, 100);
	ck_assert_uint_eq(json_array_size(b), 0);
	json_decref(b);
	json_decref(items);
	ck_assert_str_eq(cf_permission("cloudflare_purge_cache"),
	    "Cache Purge:Purge");
	ck_assert_str_eq(cf_permission("cloudflare_create_dns_record"),
	    "DNS:Edit");
	ck_assert_ptr_null(cf_permission("cloudflare_nothing"));
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &cloudflare_service, NULL };
	struct registry *reg;
	size_t i;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 10);
	/* Every tool has a permission to name on a 403. */
	for (i = 0; i < registry_ntools(reg); i++)
		ck_assert_ptr_nonnull(cf_permission(registry_tool_at(reg,
		    i)->tool->name));
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
cloudflare_suite(void)
{
	Suite *s = suite_create("cloudflare");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_envelope_ok_and_pages);
	tcase_add_test(tc, test_more_pages);
	tcase_add_test(tc, test_envelope_errors);
	tcase_add_test(tc, test_verify_and_purge);
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_tunnels);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_graphql);
	tcase_add_test(tc, test_batches_and_permissions);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(cloudflare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
