/*
 * The requestState of 2026-07-28 approvals (mcp/reqstate.c) and the
 * idempotency_key table (core/idempotency.c): a state is accepted once,
 * for the caller, tool and arguments it was minted for, before it
 * expires, and never after a single changed byte; the table of
 * outstanding states stays bounded. A keyed write runs once and a retry
 * gets its outcome; the same key with other arguments is refused; a
 * claim without an outcome is released; the table stays bounded.
 */
#include "config.h"

#include <stdatomic.h>

#include "core/call.h"
#include "core/idempotency.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/reqstate.h"
#include "tests/unit/testutil.h"

/* A caller as the MCP thread fills it. */
static struct rt_caller
caller(uid_t uid, pid_t pid, const char *exe, uint64_t conn)
{
	struct rt_caller c;

	memset(&c, 0, sizeof c);
	c.source = RT_SRC_AGENT;
	c.uid = uid;
	c.pid = pid;
	snprintf(c.exe, sizeof c.exe, "%s", exe);
	c.conn = conn;
	return (c);
}

START_TEST(test_state_single_use_and_bound)
{
	struct reqstate *rs = reqstate_create(clock_scaled_ms(60000));
	struct rt_caller me = caller(1000, 42, "/usr/bin/node", 7);
	struct rt_caller other;
	json_t *args = json_pack("{s:s}", "target", "vm-105");
	json_t *args2 = json_pack("{s:s}", "target", "vm-106");
	const char *why;
	char *st, *bad;
	size_t i, len;

	st = reqstate_mint(rs, &me, "t_wipe", args);
	ck_assert_int_eq(reqstate_outstanding(rs), 1);
	ck_assert_msg(strstr(st, "vm-105") == NULL, "the state shows args");

	/* Every single changed character is caught by the MAC. */
	len = strlen(st);
	bad = xstrdup(st);
	for (i = 0; i < len; i++) {
		bad[i] = st[i] == 'a' ? 'b' : 'a';
		ck_assert_int_eq(reqstate_redeem(rs, bad, &me, "t_wipe", args,
		    &why), -1);
		ck_assert_str_eq(why, "tampered or not issued by this racktop");
		bad[i] = st[i];
	}
	free(bad);
	ck_assert_int_eq(reqstate_redeem(rs, "", &me, "t_wipe", args, &why),
	    -1);
	ck_assert_int_eq(reqstate_redeem(rs, "v1..", &me, "t_wipe", args,
	    &why), -1);

	/* Another caller: other pid, exe, uid or connection. */
	other = me;
	other.conn = 8;
	ck_assert_int_eq(reqstate_redeem(rs, st, &other, "t_wipe", args,
	    &why), -1);
	ck_assert_str_eq(why, "issued to another caller");
	other = me;
	other.pid = 43;
	ck_assert_int_eq(reqstate_redeem(rs, st, &other, "t_wipe", args,
	    &why), -1);
	other = me;
	snprintf(other.exe, sizeof other.exe, "/usr/bin/python3");
	ck_assert_int_eq(reqstate_redeem(rs, st, &other, "t_wipe", args,
	    &why), -1);
	ck_assert_str_eq(why, "issued to another caller");
	/* clientInfo is no part of it. */
	other = me;
	snprintf(other.client, sizeof other.client, "someone-else");

	/* Another call: other tool or arguments. */
	ck_assert_int_eq(reqstate_redeem(rs, st, &me, "t_wipe2", args, &why),
	    -1);
	ck_assert_str_eq(why, "issued for another call");
	ck_assert_int_eq(reqstate_redeem(rs, st, &me, "t_wipe", args2, &why),
	    -1);
	ck_assert_str_eq(why, "issued for another call");

	/* The right one, once. */
	ck_assert_int_eq(reqstate_redeem(rs, st, &other, "t_wipe", args,
	    &why), 0);
	ck_assert_int_eq(reqstate_outstanding(rs), 0);
	ck_assert_int_eq(reqstate_redeem(rs, st, &me, "t_wipe", args, &why),
	    -1);
	ck_assert_str_eq(why, "already used or unknown");
	free(st);

	/* Another store (another racktop, or a restart) knows nothing. */
	st = reqstate_mint(rs, &me, "t_wipe", args);
	{
		struct reqstate *rs2 = reqstate_create(60000);

		ck_assert_int_eq(reqstate_redeem(rs2, st, &me, "t_wipe", args,
		    &why), -1);
		ck_assert_str_eq(why, "tampered or not issued by this "
		    "racktop");
		reqstate_free(rs2);
	}
	free(st);
	json_decref(args);
	json_decref(args2);
	reqstate_free(rs);
}
END_TEST

START_TEST(test_state_expires_and_stays_bounded)
{
	struct reqstate *rs = reqstate_create(1);
	struct rt_caller me = caller(1000, 42, "/usr/bin/node", 7);
	json_t *args = json_object();
	int64_t minted;
	const char *why;
	char *st, *first;
	int i;

	st = reqstate_mint(rs, &me, "t_wipe", args);
	minted = clock_mono_ms();
	ck_assert(WAIT_FOR(clock_mono_ms() > minted + 1, 1000));
	ck_assert_int_eq(reqstate_redeem(rs, st, &me, "t_wipe", args, &why),
	    -1);
	ck_assert_str_eq(why, "expired");
	free(st);
	reqstate_free(rs);

	rs = reqstate_create(60000);
	first = reqstate_mint(rs, &me, "t_wipe", args);
	for (i = 0; i < RS_MAX + 10; i++)
		free(reqstate_mint(rs, &me, "t_wipe", args));
	ck_assert_int_eq(reqstate_outstanding(rs), RS_MAX);
	/* The oldest was forgotten: refused, never honoured. */
	ck_assert_int_eq(reqstate_redeem(rs, first, &me, "t_wipe", args,
	    &why), -1);
	ck_assert_str_eq(why, "already used or unknown");
	free(first);
	json_decref(args);
	reqstate_free(rs);
}
END_TEST

static atomic_int writes;

/* t_set: a write that counts its runs. */
static int
t_set(struct rt_call *c)
{
	atomic_fetch_add(&writes, 1);
	if (json_is_true(json_object_get(c->args, "fail")))
		return (call_fail(c, "t_set: failed as asked"));
	return (call_ok(c, json_pack("{s:i}", "run", atomic_load(&writes))));
}

static const struct rt_tool t_tools[] = {
	{
	    .name = "t_set",
	    .title = "Set",
	    .description = "Sets something (test).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"v\":{\"type\":\"integer\"},"
		"\"fail\":{\"type\":\"boolean\"}}}",
	    .output_schema = "{\"type\":\"object\"}",
	    .flags = 0,
	    .call = t_set,
	},
	{ .name = NULL },
};
static const struct rt_service t_service = {
	.name = "t",
	.title = "test",
	.tools = t_tools,
};
static const struct rt_service *const t_table[] = { &t_service, NULL };

/* Checks and runs one t_set call here; returns it finished. */
static struct rt_call *
run(struct registry *reg, const struct rt_caller *who, const char *json)
{
	struct rt_call *c;

	c = call_new(registry_find(reg, "t_set"), json_loads(json, 0, NULL),
	    who);
	if (call_check(c) == 0)
		call_run_here(c);
	return (c);
}

START_TEST(test_idempotency_key)
{
	struct rt_caller me = caller(geteuid(), 42, "/usr/bin/node", 7);
	struct rt_caller later = me, stranger = me;
	struct registry *reg;
	struct rt_call *c, *held;
	char *cause = NULL;
	int i;

	idem_reset();
	reg = registry_create(t_table, &cause);
	ck_assert_ptr_nonnull(reg);
	ck_assert_int_eq(registry_check(reg, &cause), 0);

	c = run(reg, &me, "{\"v\":1,\"idempotency_key\":\"k1\"}");
	ck_assert_ptr_null(c->error);
	ck_assert_int_eq(atomic_load(&writes), 1);
	ck_assert_ptr_null(json_object_get(c->args, "idempotency_key"));
	call_free(c);

	/* A retry (after a reconnect: another pid and connection) replays. */
	later.pid = 99;
	later.conn = 8;
	c = run(reg, &later, "{\"v\":1,\"idempotency_key\":\"k1\"}");
	ck_assert(c->done);
	ck_assert_ptr_null(c->error);
	ck_assert_int_eq(json_integer_value(json_object_get(c->result,
	    "run")), 1);
	ck_assert_int_eq(atomic_load(&writes), 1);
	call_free(c);

	/* Other arguments with the same key: refused, not run. */
	c = run(reg, &me, "{\"v\":2,\"idempotency_key\":\"k1\"}");
	ck_assert_ptr_nonnull(c->error);
	ck_assert_msg(strstr(c->error, "already used with other arguments"),
	    "%s", c->error);
	ck_assert_int_eq(atomic_load(&writes), 1);
	call_free(c);

	/* Another executable is another caller: its own key space. */
	snprintf(stranger.exe, sizeof stranger.exe, "/usr/bin/python3");
	c = run(reg, &stranger, "{\"v\":1,\"idempotency_key\":\"k1\"}");
	ck_assert_ptr_null(c->error);
	ck_assert_int_eq(atomic_load(&writes), 2);
	call_free(c);

	/* A failure is an outcome too. */
	c = run(reg, &me, "{\"fail\":true,\"idempotency_key\":\"k2\"}");
	call_free(c);
	c = run(reg, &me, "{\"fail\":true,\"idempotency_key\":\"k2\"}");
	ck_assert_str_eq(c->error, "t_set: failed as asked");
	ck_assert_int_eq(atomic_load(&writes), 3);
	call_free(c);

	/* In progress: a retry is refused; ended without outcome: released. */
	held = call_new(registry_find(reg, "t_set"),
	    json_loads("{\"idempotency_key\":\"k3\"}", 0, NULL), &me);
	ck_assert_int_eq(call_check(held), 0);
	c = run(reg, &me, "{\"idempotency_key\":\"k3\"}");
	ck_assert_msg(c->error != NULL && strstr(c->error, "not ended yet"),
	    "%s", c->error != NULL ? c->error : "(ran)");
	call_free(c);
	call_free(held);	/* withdrawn, cancelled: never ran */
	c = run(reg, &me, "{\"idempotency_key\":\"k3\"}");
	ck_assert_ptr_null(c->error);
	call_free(c);

	/* Bad keys are refused before anything else. */
	c = run(reg, &me, "{\"idempotency_key\":\"\"}");
	ck_assert_msg(strstr(c->error, "idempotency_key") != NULL, "%s",
	    c->error);
	call_free(c);
	c = run(reg, &me, "{\"idempotency_key\":7}");
	ck_assert_ptr_nonnull(c->error);
	call_free(c);

	/* Bounded. */
	for (i = 0; i < IDEM_MAX + 20; i++) {
		char json[64];

		snprintf(json, sizeof json, "{\"idempotency_key\":\"b%d\"}", i);
		call_free(run(reg, &me, json));
	}
	ck_assert_int_le(idem_count(), IDEM_MAX);
	idem_reset();
	registry_destroy(reg);
}
END_TEST

/* Runs the suite. */
int
main(void)
{
	Suite *s = suite_create("reqstate");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_state_single_use_and_bound);
	tcase_add_test(tc, test_state_expires_and_stays_bounded);
	tcase_add_test(tc, test_idempotency_key);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
