/*
 * Portainer parse functions on responses built from Portainer's own types
 * (tests/fixtures/portainer, see SOURCES.md there), the portainer:// url
 * of a Docker instance, and the service's tool invariants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/portainer.h"
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

	xasprintf(&path, "%s/tests/fixtures/portainer/%s", dir != NULL ? dir :
	    ".", name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

/* The row whose "id" is id. */
static const json_t *
row_by_id(const json_t *rows, json_int_t id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		if (json_integer_value(json_object_get(r, "id")) == id)
			return (r);
	}
	ck_abort_msg("no row %lld", (long long)id);
	return (NULL);
}

static json_int_t
geti(const json_t *o, const char *k)
{
	ck_assert_msg(json_is_integer(json_object_get(o, k)), "%s", k);
	return (json_integer_value(json_object_get(o, k)));
}

static const char *
gets(const json_t *o, const char *k)
{
	ck_assert_msg(json_is_string(json_object_get(o, k)), "%s", k);
	return (json_string_value(json_object_get(o, k)));
}

START_TEST(test_endpoints)
{
	json_t *data = fixture("endpoints.json"), *tags = fixture("tags.json");
	json_t *rows, *want;
	const json_t *r;
	char *cause = NULL;

	rows = portainer_parse_endpoints(data, tags, "home", &cause);
	ck_assert_msg(rows != NULL, "%s", cause);
	/* The entry without an Id is skipped. */
	ck_assert_uint_eq(json_array_size(rows), 5);

	r = row_by_id(rows, 1);
	ck_assert_str_eq(gets(r, "instance"), "home");
	ck_assert_str_eq(gets(r, "name"), "local");
	ck_assert_str_eq(gets(r, "type"), "docker");
	ck_assert_str_eq(gets(r, "status"), "up");
	ck_assert_str_eq(gets(r, "engine_version"), "27.3.1");
	ck_assert_int_eq(geti(r, "containers"), 14);
	ck_assert_int_eq(geti(r, "running"), 11);
	ck_assert_int_eq(geti(r, "stopped"), 3);
	ck_assert_int_eq(geti(r, "healthy"), 4);
	ck_assert_int_eq(geti(r, "unhealthy"), 1);
	ck_assert_int_eq(geti(r, "images"), 21);
	ck_assert_int_eq(geti(r, "volumes"), 7);
	ck_assert_int_eq(geti(r, "stacks"), 3);
	ck_assert_int_eq(geti(r, "cpus"), 8);
	ck_assert_int_eq(geti(r, "memory"), 33554432000LL);
	ck_assert_int_eq(geti(r, "snapshot_time"), 1730000000);
	want = json_pack("[s, s]", "prod", "gpu");
	ck_assert(json_equal(json_object_get(r, "tags"), want));
	json_decref(want);

	/* No ContainerCount: running + stopped; Swarm kept. */
	r = row_by_id(rows, 2);
	ck_assert_str_eq(gets(r, "type"), "agent");
	ck_assert_int_eq(geti(r, "containers"), 7);
	ck_assert_int_eq(geti(r, "services"), 3);
	ck_assert_int_eq(geti(r, "nodes"), 3);
	ck_assert(json_is_true(json_object_get(r, "swarm")));

	/* Azure: no snapshot, zeros. */
	r = row_by_id(rows, 3);
	ck_assert_str_eq(gets(r, "type"), "azure");
	ck_assert_int_eq(geti(r, "containers"), 0);
	ck_assert_int_eq(geti(r, "cpus"), 0);
	ck_assert_str_eq(gets(r, "engine_version"), "");

	/* Edge agent, down; an unknown tag id keeps its id, has no name. */
	r = row_by_id(rows, 4);
	ck_assert_str_eq(gets(r, "type"), "edge-agent");
	ck_assert_str_eq(gets(r, "status"), "down");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tag_ids")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tags")), 0);

	/* Kubernetes: its own snapshot. */
	r = row_by_id(rows, 5);
	ck_assert_str_eq(gets(r, "type"), "kubernetes");
	ck_assert_str_eq(gets(r, "engine_version"), "v1.30.4+k3s1");
	ck_assert_int_eq(geti(r, "nodes"), 3);
	ck_assert_int_eq(geti(r, "cpus"), 12);
	ck_assert_int_eq(geti(r, "running"), 0);

	json_decref(rows);
	/* Without tags, names are empty but ids stay. */
	rows = portainer_parse_endpoints(data, NULL, "home", &cause);
	r = row_by_id(rows, 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tag_ids")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tags")), 0);
	json_decref(rows);

	ck_assert_ptr_null(portainer_parse_endpoints(tags == NULL ? NULL :
	    json_object_get(json_array_get(tags, 0), "Endpoints"), NULL,
	    "home", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not an array"));
	free(cause);
	json_decref(data);
	json_decref(tags);
}
END_TEST

START_TEST(test_stacks)
{
	json_t *eps = fixture("endpoints.json"), *data = fixture("stacks.json");
	json_t *erows, *rows;
	const json_t *r;
	char *cause = NULL;

	erows = portainer_parse_endpoints(eps, NULL, "home", &cause);
	rows = portainer_parse_stacks(data, erows, "home", &cause);
	ck_assert_msg(rows != NULL, "%s", cause);
	ck_assert_uint_eq(json_array_size(rows), 5);
	r = row_by_id(rows, 1);
	ck_assert_str_eq(gets(r, "name"), "monitoring");
	ck_assert_str_eq(gets(r, "type"), "compose");
	ck_assert_str_eq(gets(r, "status"), "active");
	ck_assert_str_eq(gets(r, "endpoint"), "local");
	ck_assert_int_eq(geti(r, "endpoint_id"), 1);
	ck_assert_int_eq(geti(r, "created"), 1729000000);
	ck_assert_int_eq(geti(r, "updated"), 1729500000);
	ck_assert_str_eq(gets(r, "updated_by"), "ops");
	r = row_by_id(rows, 2);
	ck_assert_str_eq(gets(r, "status"), "inactive");
	ck_assert_str_eq(gets(r, "endpoint"), "nas");
	ck_assert_int_eq(geti(r, "updated"), 0);
	ck_assert_str_eq(gets(row_by_id(rows, 3), "type"), "swarm");
	ck_assert_str_eq(gets(row_by_id(rows, 4), "type"), "kubernetes");
	ck_assert_str_eq(gets(row_by_id(rows, 4), "endpoint"), "k3s");
	/* An environment the list lacks: no name. */
	ck_assert_str_eq(gets(row_by_id(rows, 5), "endpoint"), "");
	json_decref(rows);
	ck_assert_ptr_null(portainer_parse_stacks(eps == NULL ? NULL :
	    json_array_get(eps, 0), NULL, "home", &cause));
	free(cause);
	json_decref(erows);
	json_decref(eps);
	json_decref(data);
}
END_TEST

START_TEST(test_stack_row_and_usage)
{
	json_t *s = fixture("stack.json"), *eps = fixture("endpoints.json");
	json_t *row, *rows, *u;
	char *cause = NULL;

	row = portainer_stack_row(s, "home");
	ck_assert_int_eq(geti(row, "id"), 6);
	ck_assert_str_eq(gets(row, "name"), "whoami");
	ck_assert_str_eq(gets(row, "status"), "active");
	ck_assert_str_eq(gets(row, "created_by"), "racktop");
	json_decref(row);

	rows = portainer_parse_endpoints(eps, NULL, "home", &cause);
	u = portainer_usage_row(row_by_id(rows, 1));
	ck_assert_int_eq(geti(u, "cpus"), 8);
	ck_assert_int_eq(geti(u, "memory"), 33554432000LL);
	ck_assert_int_eq(geti(u, "running"), 11);
	ck_assert_int_eq(geti(u, "stopped"), 3);
	ck_assert_int_eq(geti(u, "images"), 21);
	ck_assert_int_eq(geti(u, "volumes"), 7);
	/* Only usage: no tags or versions. */
	ck_assert_ptr_null(json_object_get(u, "tags"));
	ck_assert_ptr_null(json_object_get(u, "engine_version"));
	json_decref(u);
	json_decref(rows);
	json_decref(eps);
	json_decref(s);
}
END_TEST

START_TEST(test_env_pairs)
{
	json_t *env = json_pack("{s:s, s:s}", "PORT", "8080", "TZ",
	    "Europe/Paris"), *p;
	char *cause = NULL;

	p = portainer_env_pairs(env, &cause);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(json_array_size(p), 2);
	ck_assert_str_eq(gets(json_array_get(p, 0), "name"), "PORT");
	ck_assert_str_eq(gets(json_array_get(p, 0), "value"), "8080");
	json_decref(p);
	json_decref(env);
	p = portainer_env_pairs(NULL, &cause);
	ck_assert_uint_eq(json_array_size(p), 0);
	json_decref(p);
	env = json_pack("{s:i}", "N", 1);
	ck_assert_ptr_null(portainer_env_pairs(env, &cause));
	ck_assert_str_eq(cause, "env.N: must be a string");
	free(cause);
	json_decref(env);
}
END_TEST

START_TEST(test_url)
{
	static const char *const bad[] = {
		"portainer://home", "portainer:///2", "portainer://Home/2",
		"portainer://home/0", "portainer://home/-1",
		"portainer://home/2x", "portainer://home/02",
		"portainer://home/99999999999999999999", "unix:///x",
		"portainer://ho/me/2", NULL,
	};
	char name[64], *cause = NULL;
	long id = 0;
	size_t i;

	ck_assert_int_eq(portainer_url_parse("portainer://home/2", name,
	    sizeof name, &id, &cause), 0);
	ck_assert_str_eq(name, "home");
	ck_assert_int_eq(id, 2);
	ck_assert_int_eq(portainer_url_parse("portainer://lab1/17/", name,
	    sizeof name, &id, &cause), 0);
	ck_assert_int_eq(id, 17);
	for (i = 0; bad[i] != NULL; i++) {
		cause = NULL;
		ck_assert_msg(portainer_url_parse(bad[i], name, sizeof name,
		    &id, &cause) == -1, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	/* A name longer than the buffer is refused, not cut. */
	ck_assert_int_eq(portainer_url_parse("portainer://abcdefgh/1", name,
	    4, &id, &cause), -1);
	free(cause);
}
END_TEST

START_TEST(test_types)
{
	ck_assert_str_eq(portainer_endpoint_type(1), "docker");
	ck_assert_str_eq(portainer_endpoint_type(7), "edge-kube");
	ck_assert_str_eq(portainer_endpoint_type(0), "unknown");
	ck_assert_str_eq(portainer_endpoint_type(8), "unknown");
}
END_TEST

START_TEST(test_problems)
{
	json_t *eps = fixture("endpoints.json"), *rows, *data, *out;
	char *cause = NULL;

	rows = portainer_parse_endpoints(eps, NULL, "home", &cause);
	data = json_pack("{s:o, s:[]}", "endpoints", rows, "stacks");
	out = json_array();
	portainer_problems(data, out);
	/* edge-pi down (crit), local with one unhealthy container (warn). */
	ck_assert_uint_eq(json_array_size(out), 2);
	ck_assert_str_eq(gets(json_array_get(out, 0), "kind"),
	    "containers_unhealthy");
	ck_assert_str_eq(gets(json_array_get(out, 1), "kind"),
	    "environment_down");
	ck_assert_str_eq(gets(json_array_get(out, 1), "target"), "edge-pi");
	json_decref(out);
	json_decref(data);
	json_decref(eps);
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &portainer_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 8);
	ck_assert(registry_find(reg, "portainer_remove_stack")->tool->flags &
	    RT_DESTRUCTIVE);
	ck_assert(registry_find(reg, "portainer_manage_endpoints")->tool->flags
	    & RT_DESTRUCTIVE);
	ck_assert(registry_find(reg, "portainer_list_endpoints")->tool->flags &
	    RT_READ_ONLY);
	ck_assert(registry_find(reg, "portainer_get_resource_usage")->tool->
	    flags & RT_READ_ONLY);
	ck_assert(!(registry_find(reg, "portainer_deploy_stack")->tool->flags &
	    RT_READ_ONLY));
	registry_destroy(reg);
}
END_TEST

static Suite *
portainer_suite(void)
{
	Suite *s = suite_create("portainer");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_endpoints);
	tcase_add_test(tc, test_stacks);
	tcase_add_test(tc, test_stack_row_and_usage);
	tcase_add_test(tc, test_env_pairs);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_problems);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(portainer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
