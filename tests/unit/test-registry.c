/*
 * The registry: the invariants every shipped and test tool must hold, the
 * checks that catch a broken tool, instances, pollers and the call path.
 */
#include "config.h"

#include <stdatomic.h>

#include "core/call.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/services.h"
#include "tests/testd/testsvc.h"
#include "tests/unit/testutil.h"

static int
noop_call(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:b}", "ok", 1)));
}

#define OBJ "{\"type\":\"object\"}"

/* A one-tool service whose tool fields the test fills. */
static struct rt_tool bad_tools[3];
static struct rt_service bad_service = {
	.name = "bad",
	.title = "bad",
	.tools = bad_tools,
};
static const struct rt_service *const bad_table[] = { &bad_service, NULL };

static void
bad_reset(void)
{
	memset(bad_tools, 0, sizeof bad_tools);
	bad_tools[0].name = "bad_do_thing";
	bad_tools[0].title = "Do a thing";
	bad_tools[0].description = "Does a thing, for the registry tests.";
	bad_tools[0].input_schema = OBJ;
	bad_tools[0].output_schema = OBJ;
	bad_tools[0].flags = RT_READ_ONLY;
	bad_tools[0].call = noop_call;
}

/* Expects registry_create or registry_check to fail with text in cause. */
static void
expect_broken(const char *text)
{
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(bad_table, &cause);
	if (reg != NULL) {
		ck_assert_int_eq(registry_check(reg, &cause), -1);
		registry_destroy(reg);
	}
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, text) != NULL, "cause \"%s\" lacks \"%s\"",
	    cause, text);
	free(cause);
}

START_TEST(test_shipped_tools_hold_invariants)
{
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(rt_services, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_gt(registry_ntools(reg), 0);
	ck_assert_ptr_nonnull(registry_find(reg, "racktop_status"));
	ck_assert_ptr_null(registry_find(reg, "racktop_nothing"));
	registry_destroy(reg);
}
END_TEST

START_TEST(test_test_tools_hold_invariants)
{
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(testd_services, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	registry_destroy(reg);
}
END_TEST

START_TEST(test_good_tool_passes)
{
	struct registry *reg;
	char *cause = NULL;

	bad_reset();
	reg = registry_create(bad_table, &cause);
	ck_assert_ptr_nonnull(reg);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	registry_destroy(reg);
}
END_TEST

START_TEST(test_broken_tools_caught)
{
	bad_reset();
	bad_tools[0].name = "other_do_thing";
	expect_broken("must start with \"bad_\"");

	bad_reset();
	bad_tools[0].description = "";
	expect_broken("needs a title and a description");

	bad_reset();
	bad_tools[0].input_schema = "{\"type\":";
	expect_broken("bad_do_thing: input schema");

	bad_reset();
	bad_tools[0].output_schema = NULL;
	expect_broken("no output schema");

	bad_reset();
	bad_tools[0].output_schema = "{\"type\":\"array\"}";
	expect_broken("output schema must be an object");

	bad_reset();
	bad_tools[0].flags = RT_DESTRUCTIVE;
	expect_broken("destructive without describe");

	bad_reset();
	bad_tools[0].flags = RT_DESTRUCTIVE | RT_READ_ONLY;
	expect_broken("read-only and destructive");

	bad_reset();
	bad_tools[0].input_schema = "{\"type\":\"object\",\"properties\":"
	    "{\"id\":{\"type\":\"string\",\"pattern\":\"^\\\\d+$\"}}}";
	expect_broken("needs \"examples\"");

	bad_reset();
	bad_tools[0].input_schema = "{\"type\":\"object\",\"properties\":"
	    "{\"id\":{\"type\":\"string\",\"pattern\":\"^\\\\d+$\","
	    "\"examples\":[\"12\"],\"x-counterexamples\":[\"34\"]}}}";
	expect_broken("accepts its counterexample");

	bad_reset();
	bad_tools[0].input_schema = "{\"type\":\"object\",\"properties\":"
	    "{\"id\":{\"type\":\"string\",\"pattern\":\"^\\\\d+$\","
	    "\"examples\":[\"d\"],\"x-counterexamples\":[\"x\"]}}}";
	expect_broken("rejects its example");

	bad_reset();
	bad_tools[1] = bad_tools[0];
	expect_broken("name used twice");
}
END_TEST


/* A view with a row key, for the toggle checks. */
static const struct rt_rowkey bad_keys[] = {
	{ 's', "do", "bad_do_thing", "{}" },
	{ 0, NULL, NULL, NULL },
};
static const struct rt_column bad_columns[] = {
	{ "Id", "/id", RT_COL_TEXT, 0 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};
static const struct rt_view bad_views[] = {
	{ "things", "Things", "/things", bad_columns, bad_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};
static struct rt_toggle bad_toggles[2];

/* bad_service with a view, two tools and a good toggle between them. */
static void
toggle_reset(void)
{
	bad_reset();
	bad_tools[1] = bad_tools[0];
	bad_tools[1].name = "bad_undo_thing";
	memset(bad_toggles, 0, sizeof bad_toggles);
	bad_toggles[0].tool = "bad_do_thing";
	bad_toggles[0].pointer = "/state";
	bad_toggles[0].equals = "done|doing";
	bad_toggles[0].alt_tool = "bad_undo_thing";
	bad_toggles[0].alt_label = "undo";
	bad_service.views = bad_views;
	bad_service.toggles = bad_toggles;
}

START_TEST(test_toggles_checked)
{
	struct registry *reg;
	char *cause = NULL;

	toggle_reset();
	reg = registry_create(bad_table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	registry_destroy(reg);

	toggle_reset();
	bad_toggles[0].alt_tool = "bad_nothing";
	expect_broken("bad_nothing is not a tool of the service");

	toggle_reset();
	bad_toggles[0].tool = "bad_undo_thing";
	expect_broken("toggle of bad_undo_thing: no row key calls it");

	toggle_reset();
	bad_toggles[0].pointer = "state";
	expect_broken("needs a pointer, values and a label");

	toggle_reset();
	bad_toggles[0].alt_label = "";
	expect_broken("needs a pointer, values and a label");

	bad_service.views = NULL;
	bad_service.toggles = NULL;
}
END_TEST

/* The entity of a row of a shipped view, or "" when it has none. */
static const char *
entity_of(const struct rt_service *svc, const char *view, const char *row)
{
	static char buf[256];
	const struct rt_view *v;
	json_t *r = json_loads(row, 0, NULL);
	bool ok = false;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(svc->entity);
	for (v = svc->views; v->name != NULL; v++) {
		if (strcmp(v->name, view) == 0)
			break;
	}
	ck_assert_ptr_nonnull(v->name);
	buf[0] = '\0';
	ok = svc->entity(v, r, buf, sizeof buf);
	json_decref(r);
	return (ok ? buf : "");
}

START_TEST(test_entities)
{
	char small[8];
	json_t *r;

	ck_assert_str_eq(entity_of(&proxmox_service, "guests",
	    "{\"vmid\":101,\"type\":\"qemu\",\"name\":\"db01\"}"),
	    "pve:qemu/101");
	ck_assert_str_eq(entity_of(&proxmox_service, "guests",
	    "{\"vmid\":105,\"type\":\"lxc\"}"), "pve:lxc/105");
	ck_assert_str_eq(entity_of(&proxmox_service, "guests",
	    "{\"vmid\":\"105\",\"type\":\"lxc\"}"), "");
	ck_assert_str_eq(entity_of(&proxmox_service, "guests",
	    "{\"vmid\":105,\"type\":\"openvz\"}"), "");
	ck_assert_str_eq(entity_of(&proxmox_service, "nodes",
	    "{\"vmid\":105,\"type\":\"lxc\",\"node\":\"pve1\"}"), "");
	ck_assert_str_eq(entity_of(&docker_service, "containers",
	    "{\"name\":\"traefik\",\"id\":\"64d7b1a17485\"}"),
	    "docker:traefik");
	ck_assert_str_eq(entity_of(&docker_service, "containers",
	    "{\"name\":\"\"}"), "");
	ck_assert_str_eq(entity_of(&unifi_service, "clients",
	    "{\"mac\":\"EC:B5:FA:00:00:01\",\"name\":\"macbook-ben\"}"),
	    "unifi:ec:b5:fa:00:00:01");
	ck_assert_str_eq(entity_of(&unifi_service, "devices",
	    "{\"mac\":\"ec:b5:fa:00:00:01\"}"), "");
	/* A buffer too small is no entity, never a truncated one. */
	r = json_pack("{s:s}", "mac", "aa:bb:cc:dd:ee:ff");
	ck_assert(!unifi_service.entity(&unifi_service.views[0], r, small,
	    sizeof small));
	json_decref(r);
}
END_TEST

START_TEST(test_catalog_shape)
{
	struct registry *reg = registry_create(rt_services, NULL);
	json_t *cat = registry_catalog(reg), *t, *ann;
	size_t i;

	ck_assert_uint_eq(json_array_size(cat), registry_ntools(reg));
	json_array_foreach(cat, i, t) {
		ck_assert(json_is_string(json_object_get(t, "name")));
		ck_assert(json_is_string(json_object_get(t, "title")));
		ck_assert(json_is_string(json_object_get(t, "description")));
		ck_assert(json_is_object(json_object_get(t, "inputSchema")));
		ck_assert(json_is_object(json_object_get(t, "outputSchema")));
		ann = json_object_get(t, "annotations");
		ck_assert(json_is_boolean(json_object_get(ann, "readOnlyHint")));
		ck_assert(json_is_boolean(json_object_get(ann,
		    "destructiveHint")));
	}
	json_decref(cat);
	registry_destroy(reg);
}
END_TEST

/* A polling service: each poll publishes a counter; poll 2 fails. */
static atomic_int polls;

static void *
counter_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	return (xstrdup(ic->name));
}

static json_t *
counter_poll(void *state, int *kind, char **cause)
{
	int n = atomic_fetch_add(&polls, 1) + 1;

	if (n == 2) {
		*kind = RT_ERR_AUTH;
		*cause = xstrdup("401 Unauthorized");
		return (NULL);
	}
	return (json_pack("{s:i, s:s}", "n", n, "name", (char *)state));
}

static const struct rt_tool counter_tools[] = {
	{ .name = NULL },
};
static const struct rt_service counter_service = {
	.name = "counter",
	.title = "Counter",
	.tools = counter_tools,
	.refresh_s = 3600,
	.create = counter_create,
	.destroy = free,
	.poll = counter_poll,
};
static const struct rt_service *const counter_table[] = {
	&racktop_service, &counter_service, NULL,
};

START_TEST(test_pollers_and_status)
{
	struct registry *reg = registry_create(counter_table, NULL);
	const char *names[] = { "racktop", "counter", NULL };
	struct rt_config *conf;
	struct rt_instance *in;
	struct rt_caller caller = { .source = RT_SRC_CLI };
	struct rt_call *c;
	struct snapshot *s;
	json_t *res, *items;
	char *cause = NULL;
	const char *text = "[counter \"lab\"]\nurl = http://127.0.0.1:1\n";

	atomic_store(&polls, 0);
	conf = conf_parse("t.conf", text, strlen(text), names, &cause);
	ck_assert_msg(conf != NULL, "%s", cause);
	ck_assert_int_eq(registry_add_instances(reg, conf, &cause), 0);
	ck_assert_uint_eq(registry_ninstances(reg), 1);
	in = registry_instance_at(reg, 0);
	ck_assert_str_eq(in->name, "lab");
	ck_assert_int_eq(in->refresh_s, 3600);

	registry_start_pollers(reg);
	ck_assert(WAIT_FOR(snapshot_generation(&in->slot) >= 1, 5000));
	/* An early refresh wakes the poller long before its hour. */
	instance_refresh_soon(in);
	ck_assert(WAIT_FOR(snapshot_generation(&in->slot) >= 2, 5000));
	s = snapshot_acquire(&in->slot);
	ck_assert_str_eq(s->error, "401 Unauthorized");
	ck_assert_int_eq(json_integer_value(json_object_get(s->data, "n")), 1);
	snapshot_release(s);

	/* racktop_status reports the failed login from the snapshot. */
	c = call_new(registry_find(reg, "racktop_status"), NULL, &caller);
	ck_assert_int_eq(call_check(c), 0);
	call_run_here(c);
	res = call_result(c);
	ck_assert(json_is_false(json_object_get(res, "isError")));
	items = json_object_get(json_object_get(res, "structuredContent"),
	    "items");
	ck_assert_uint_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(items, 0), "state")), "auth_failed");
	ck_assert(json_is_false(json_object_get(json_array_get(items, 0),
	    "authenticated")));
	json_decref(res);
	call_free(c);

	instance_refresh_soon(in);
	ck_assert(WAIT_FOR(snapshot_generation(&in->slot) >= 3, 5000));
	s = snapshot_acquire(&in->slot);
	ck_assert_ptr_null(s->error);
	ck_assert_int_eq(json_integer_value(json_object_get(s->data, "n")), 3);
	snapshot_release(s);

	registry_stop_pollers(reg);
	registry_destroy(reg);
	conf_free(conf);
}
END_TEST

START_TEST(test_call_validation_and_paging)
{
	struct registry *reg = registry_create(counter_table, NULL);
	const char *names[] = { "racktop", "counter", NULL };
	struct rt_caller caller = { .source = RT_SRC_AGENT };
	const char *text = "[counter \"a\"]\n[counter \"b\"]\n[counter \"c\"]\n";
	struct rt_config *conf;
	struct rt_call *c;
	json_t *res, *sc;
	char *cause = NULL;

	conf = conf_parse("t.conf", text, strlen(text), names, &cause);
	ck_assert_msg(conf != NULL, "%s", cause);
	ck_assert_int_eq(registry_add_instances(reg, conf, &cause), 0);

	/* A bad argument is refused before the tool runs, naming it. */
	c = call_new(registry_find(reg, "racktop_status"),
	    json_pack("{s:i}", "limit", 0), &caller);
	ck_assert_int_eq(call_check(c), -1);
	res = call_result(c);
	ck_assert(json_is_true(json_object_get(res, "isError")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_array_get(json_object_get(res, "content"), 0), "text")),
	    "arguments.limit"));
	json_decref(res);
	call_free(c);

	/* Paging: two per page over three instances. */
	c = call_new(registry_find(reg, "racktop_status"),
	    json_pack("{s:i}", "limit", 2), &caller);
	ck_assert_int_eq(call_check(c), 0);
	call_run_here(c);
	sc = json_object_get(c->result ? c->result : json_null(), "items");
	ck_assert_uint_eq(json_array_size(sc), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(c->result,
	    "total")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(c->result,
	    "next_cursor")), "2");
	call_free(c);

	c = call_new(registry_find(reg, "racktop_status"),
	    json_pack("{s:i, s:s}", "limit", 2, "cursor", "2"), &caller);
	ck_assert_int_eq(call_check(c), 0);
	call_run_here(c);
	ck_assert_uint_eq(json_array_size(json_object_get(c->result,
	    "items")), 1);
	ck_assert_ptr_null(json_object_get(c->result, "next_cursor"));
	call_free(c);

	c = call_new(registry_find(reg, "racktop_status"),
	    json_pack("{s:s}", "cursor", "x9"), &caller);
	ck_assert_int_eq(call_check(c), 0);
	call_run_here(c);
	ck_assert(call_failed(c));
	ck_assert_ptr_nonnull(strstr(c->error, "arguments.cursor"));
	call_free(c);

	registry_destroy(reg);
	conf_free(conf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shipped_tools_hold_invariants);
	tcase_add_test(tc, test_test_tools_hold_invariants);
	tcase_add_test(tc, test_good_tool_passes);
	tcase_add_test(tc, test_broken_tools_caught);
	tcase_add_test(tc, test_toggles_checked);
	tcase_add_test(tc, test_entities);
	tcase_add_test(tc, test_catalog_shape);
	tcase_add_test(tc, test_pollers_and_status);
	tcase_add_test(tc, test_call_validation_and_paging);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
