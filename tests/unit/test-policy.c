/*
 * Caller policy: parsing roles and tool overrides, roles by verified
 * identity (clientInfo only narrows), and the verdict per tool.
 */
#include "config.h"

#include "core/call.h"
#include "core/policy.h"
#include "core/service.h"
#include "tests/unit/testutil.h"

#define OWNER 1000

static const struct rt_tool t_read = {
	.name = "t_list", .flags = RT_READ_ONLY,
};
static const struct rt_tool t_write = {
	.name = "t_set",
};
static const struct rt_tool t_wipe = {
	.name = "t_wipe", .flags = RT_DESTRUCTIVE,
};

/* A caller from the socket. */
static struct rt_caller
agent(uid_t uid, const char *exe, const char *client)
{
	struct rt_caller c;

	memset(&c, 0, sizeof c);
	c.source = RT_SRC_AGENT;
	c.uid = uid;
	c.pid = 4242;
	snprintf(c.exe, sizeof c.exe, "%s", exe);
	snprintf(c.client, sizeof c.client, "%s", client);
	return (c);
}

/* Expects policy_create to fail with text in the cause. */
static void
expect_bad(const char *roles, const char *tools, const char *text)
{
	char *cause = NULL;

	ck_assert_ptr_null(policy_create(roles, tools, OWNER, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, text) != NULL, "\"%s\" lacks \"%s\"",
	    cause, text);
	free(cause);
}

START_TEST(test_parse_errors)
{
	expect_bad("uid=1 root", NULL, "unknown role \"root\"");
	expect_bad("operate", NULL, "expected selectors");
	expect_bad("uid=x operate", NULL, "bad selector \"uid=x\"");
	expect_bad("uid=1 uid=2 read", NULL, "bad selector \"uid=2\"");
	expect_bad("exe=relative read", NULL, "bad selector");
	expect_bad("name=claude admin", NULL, "bad selector");
	expect_bad(NULL, "t_wipe", "expected a tool name");
	expect_bad(NULL, "t_wipe allow", "unknown verdict \"allow\"");
	expect_bad("uid=1 read; ;exe=/a/b admin", "t_wipe deny; t_set maybe",
	    "unknown verdict");
}
END_TEST

START_TEST(test_default_roles)
{
	struct policy *p = policy_create(NULL, NULL, OWNER, NULL);
	struct rt_caller c = agent(OWNER, "/usr/bin/node", "claude");
	char why[256];

	ck_assert_int_eq(policy_role(p, &c), POLICY_OPERATE);
	ck_assert_int_eq(policy_decide(p, &c, &t_read, false, why,
	    sizeof why), POLICY_ALLOW);
	ck_assert_int_eq(policy_decide(p, &c, &t_write, false, why,
	    sizeof why), POLICY_ALLOW);
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, false, why,
	    sizeof why), POLICY_ASK);
	/* A dry run only describes. */
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, true, why,
	    sizeof why), POLICY_ALLOW);

	/* Another uid (through a group on the socket) only reads. */
	c = agent(2000, "/usr/bin/node", "claude");
	ck_assert_int_eq(policy_role(p, &c), POLICY_READ);
	ck_assert_int_eq(policy_decide(p, &c, &t_read, false, why,
	    sizeof why), POLICY_ALLOW);
	ck_assert_int_eq(policy_decide(p, &c, &t_write, false, why,
	    sizeof why), POLICY_DENY);
	ck_assert_msg(strstr(why, "role is read") != NULL, "%s", why);
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, true, why,
	    sizeof why), POLICY_DENY);

	/* The keyboard is the operator; the owner's CLI is its script. */
	c.source = RT_SRC_KEY;
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, false, why,
	    sizeof why), POLICY_ALLOW);
	c = agent(OWNER, "/usr/bin/racktop", "racktop-cli");
	c.source = RT_SRC_CLI;
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, false, why,
	    sizeof why), POLICY_ALLOW);
	/* Another uid's CLI is that uid's role: no way around approval. */
	c.uid = 2000;
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, false, why,
	    sizeof why), POLICY_DENY);
	policy_free(p);

	/* NULL is the defaults for racktop's own uid. */
	c = agent(geteuid(), "/x", "");
	ck_assert_int_eq(policy_decide(NULL, &c, &t_wipe, false, why,
	    sizeof why), POLICY_ASK);
}
END_TEST

START_TEST(test_rules)
{
	struct policy *p;
	struct rt_caller c;
	char *cause = NULL, why[256];

	p = policy_create("uid=2000 operate; exe=/opt/ci/bot admin; "
	    "uid=1000 exe=/usr/bin/node read; uid=3000 admin; "
	    "uid=3000 read; client=cursor read",
	    "t_set ask; t_list deny", OWNER, &cause);
	ck_assert_msg(p != NULL, "%s", cause);

	c = agent(2000, "/usr/bin/node", "");
	ck_assert_int_eq(policy_role(p, &c), POLICY_OPERATE);
	/* uid+exe is more specific than exe alone. */
	c = agent(1000, "/usr/bin/node", "");
	ck_assert_int_eq(policy_role(p, &c), POLICY_READ);
	c = agent(1000, "/opt/ci/bot", "");
	ck_assert_int_eq(policy_role(p, &c), POLICY_ADMIN);
	/* Equal specificity: the lower role. */
	c = agent(3000, "/x", "");
	ck_assert_int_eq(policy_role(p, &c), POLICY_READ);

	/* clientInfo narrows, never widens. */
	c = agent(1000, "/opt/ci/bot", "cursor/1.2");
	ck_assert_int_eq(policy_role(p, &c), POLICY_READ);
	c = agent(1000, "/opt/ci/bot", "cursorx");
	ck_assert_int_eq(policy_role(p, &c), POLICY_ADMIN);

	/* Tool overrides: deny beats admin, ask asks even admin. */
	c = agent(1000, "/opt/ci/bot", "");
	ck_assert_int_eq(policy_decide(p, &c, &t_read, false, why,
	    sizeof why), POLICY_DENY);
	ck_assert_msg(strstr(why, "tool policy") != NULL, "%s", why);
	ck_assert_int_eq(policy_decide(p, &c, &t_write, false, why,
	    sizeof why), POLICY_ASK);
	ck_assert_int_eq(policy_decide(p, &c, &t_wipe, false, why,
	    sizeof why), POLICY_ALLOW);

	/* Only the owner and uids the roles name may connect at all. */
	ck_assert(policy_admits(p, OWNER));
	ck_assert(policy_admits(p, 2000));
	ck_assert(policy_admits(p, 3000));
	ck_assert(!policy_admits(p, 4000));
	ck_assert(policy_admits(NULL, geteuid()));
	ck_assert(!policy_admits(NULL, geteuid() + 1));
	policy_free(p);
}
END_TEST

/* Runs the suite. */
int
main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_default_roles);
	tcase_add_test(tc, test_rules);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
