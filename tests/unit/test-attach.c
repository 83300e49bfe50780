/*
 * Attached dashboards over a real socket, in process: a server registry
 * whose instance's snapshots change in every way a poll can change them
 * (rows changed, inserted, removed, reordered, duplicated; members added,
 * removed, retyped; a failed poll keeping the data), and a second
 * registry mirrored by the link (mcp/remote.c), which must end equal to
 * the source after each change; a call through the link; held calls
 * relayed both ways with the first answer winning. Runs under TSan (the
 * link thread, the MCP thread and this one share the mirror's trees).
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/conf.h"
#include "core/jobs.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "mcp/attach.h"
#include "mcp/remote.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"
#include "tests/testd/testsvc.h"
#include "tests/unit/testutil.h"

static char *dir, *path;
static struct registry *src, *dst;
static struct rt_config *csrc, *cdst;
static struct job_pool *pool;
static struct mcp_server *srv;
static struct attach *att;
static struct approval *ap, *relay;
static struct remote *link_;
static atomic_int noted;
static char noted_tool[128];

/* The link's thread: a call the server finished. */
static void
note(const char *who, const char *tool, const char *target, bool ok,
    const char *result, int64_t ms)
{
	(void)target;
	(void)result;
	(void)ms;
	if (ok && strncmp(who, "agent", 5) == 0) {
		snprintf(noted_tool, sizeof noted_tool, "%s", tool);
		atomic_fetch_add(&noted, 1);
	}
}

static struct registry *
make_registry(struct rt_config **conf)
{
	static const char text[] = "[testsvc \"one\"]\n";
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(testd_services, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	*conf = conf_parse("t.conf", text, sizeof text - 1,
	    registry_service_names(reg), &cause);
	ck_assert_msg(*conf != NULL, "%s", cause);
	ck_assert_int_eq(registry_add_instances(reg, *conf, &cause), 0);
	return (reg);
}

static struct rt_instance *
one(struct registry *reg)
{
	size_t i;

	for (i = 0; i < registry_ninstances(reg); i++) {
		if (strcmp(registry_instance_at(reg, i)->name, "one") == 0)
			return (registry_instance_at(reg, i));
	}
	ck_abort_msg("no instance one");
	return (NULL);
}

static void
setup(void)
{
	struct mcp_limits limits;
	char *cause = NULL;
	int fd;

	dir = test_tmpdir();
	xasprintf(&path, "%s/s/mcp.sock", dir);
	src = make_registry(&csrc);
	dst = make_registry(&cdst);
	call_policy.check_output = true;
	pool = job_pool_create(2);
	ap = approval_create(30000);
	att = attach_create(src, ap, getuid());
	fd = sockpath_listen(path, &cause);
	ck_assert_msg(fd != -1, "%s", cause);
	mcp_limits_default(&limits);
	limits.approval = ap;
	limits.attach = att;
	srv = mcp_server_start(fd, path, src, pool, &limits, &cause);
	ck_assert_msg(srv != NULL, "%s", cause);
	relay = approval_create(3600 * 1000);
	link_ = remote_connect(path, dst, relay, &cause);
	ck_assert_msg(link_ != NULL, "%s", cause);
	ck_assert(remote_approver(link_));
	ck_assert_int_eq(remote_unmatched(link_), 0);
	atomic_store(&noted, 0);
	remote_on_activity(link_, note);
	ck_assert_int_eq(remote_start(link_, &cause), 0);
}

static void
teardown(void)
{
	ck_assert_ptr_null(remote_stop(link_));
	remote_free(link_);
	mcp_server_stop(srv);
	attach_destroy(att);
	approval_destroy(ap);
	approval_destroy(relay);
	job_pool_destroy(pool);
	registry_destroy(src);
	registry_destroy(dst);
	conf_free(csrc);
	conf_free(cdst);
	test_rm_rf(dir);
	free(dir);
	free(path);
}

/* Whether the mirror holds what the source holds now. */
static bool
same(void)
{
	struct snapshot *a = snapshot_acquire(&one(src)->slot);
	struct snapshot *b = snapshot_acquire(&one(dst)->slot);
	bool eq;

	eq = a != NULL && b != NULL &&
	    json_equal((json_t *)(uintptr_t)a->data,
	    (json_t *)(uintptr_t)b->data) &&
	    (a->error == NULL) == (b->error == NULL) &&
	    (a->error == NULL || strcmp(a->error, b->error) == 0);
	snapshot_release(a);
	snapshot_release(b);
	return (eq);
}

static void
publish(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	ck_assert_msg(v != NULL, "%s", e.text);
	snapshot_publish(&one(src)->slot, v);
}

START_TEST(test_mirror_follows_every_change)
{
	static const char *const steps[] = {
		/* The first: whole. */
		"{\"rows\":[{\"id\":1,\"s\":\"a\"},{\"id\":2,\"s\":\"b\"},"
		"{\"id\":3,\"s\":\"c\"},{\"id\":4,\"s\":\"d\"}],\"n\":1,"
		"\"node\":{\"x\":[1,2]}}",
		/* One row changed, a scalar changed. */
		"{\"rows\":[{\"id\":1,\"s\":\"a\"},{\"id\":2,\"s\":\"B\"},"
		"{\"id\":3,\"s\":\"c\"},{\"id\":4,\"s\":\"d\"}],\"n\":2,"
		"\"node\":{\"x\":[1,2]}}",
		/* Inserted in the middle and at both ends. */
		"{\"rows\":[{\"id\":0},{\"id\":1,\"s\":\"a\"},{\"id\":2,"
		"\"s\":\"B\"},{\"id\":9},{\"id\":3,\"s\":\"c\"},{\"id\":4,"
		"\"s\":\"d\"},{\"id\":5}],\"n\":2,\"node\":{\"x\":[1,2]}}",
		/* Removed, reordered and duplicated; a member added. */
		"{\"rows\":[{\"id\":4,\"s\":\"d\"},{\"id\":1,\"s\":\"a\"},"
		"{\"id\":1,\"s\":\"a\"},{\"id\":9}],\"n\":2,\"node\":{\"x\":"
		"[1,2]},\"extra\":[]}",
		/* A member removed, one retyped (rows to scalar and back). */
		"{\"rows\":7,\"extra\":[{\"k\":1}]}",
		("{\"rows\":[{\"id\":1,\"s\":\"a\"}],\"extra\":[{\"k\":1}],"
		"\"e\":{}}"),
		/* Empty. */
		"{}",
	};
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		publish(steps[i]);
		ck_assert_msg(WAIT_FOR(same(), 10000), "step %zu", i);
	}
	/* A failed poll: the same data, the error mirrored too. */
	publish(steps[0]);
	ck_assert(WAIT_FOR(same(), 10000));
	snapshot_publish_error(&one(src)->slot, 1, "upstream down");
	ck_assert(WAIT_FOR(same(), 10000));
	/* And a success after it. */
	publish(steps[1]);
	ck_assert(WAIT_FOR(same(), 10000));
}
END_TEST

START_TEST(test_call_through_the_link)
{
	const struct registry_tool *t = registry_find(dst, "testsvc_echo");
	struct job_queue *done = job_queue_create();
	struct rt_caller op;
	struct rt_call *c;
	struct job *j = NULL;

	memset(&op, 0, sizeof op);
	op.source = RT_SRC_KEY;
	c = call_new(t, json_pack("{s:s}", "text", "over the socket"), &op);
	remote_submit(link_, c, done);
	ck_assert(WAIT_FOR((j = job_queue_take(done)) != NULL, 10000));
	ck_assert_ptr_eq(j->arg, c);
	ck_assert(!call_failed(c));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    c->result, "echo"), "text")), "over the socket");
	call_free(c);
	/* A refusal comes back as the call's error. */
	c = call_new(t, json_pack("{s:i}", "n", 3), &op);
	remote_submit(link_, c, done);
	ck_assert(WAIT_FOR((j = job_queue_take(done)) != NULL, 10000));
	ck_assert(call_failed(c));
	ck_assert_ptr_nonnull(c->error);
	call_free(c);
	job_queue_destroy(done);
}
END_TEST

/* An agent on the socket: writes lines, reads until the reply to id. */
static int
agent_connect(void)
{
	char *cause = NULL;
	int fd = sockpath_connect(path, &cause);

	ck_assert_msg(fd != -1, "%s", cause);
	return (fd);
}

static void
agent_say(int fd, const char *line)
{
	size_t n = strlen(line);

	ck_assert_int_eq(write(fd, line, n), (ssize_t)n);
	ck_assert_int_eq(write(fd, "\n", 1), 1);
}

/* The reply to id (new reference), waiting up to 10 s. */
static json_t *
agent_reply(int fd, int id, char *buf, size_t cap, size_t *len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int64_t end = clock_mono_ms() + clock_scaled_ms(10000);
	char *nl, *line;
	json_t *v;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', *len)) != NULL) {
			line = xstrndup(buf, (size_t)(nl - buf));
			*len -= (size_t)(nl - buf) + 1;
			memmove(buf, nl + 1, *len);
			v = json_loads(line, 0, NULL);
			free(line);
			if (json_integer_value(json_object_get(v, "id")) == id &&
			    json_object_get(v, "method") == NULL)
				return (v);
			json_decref(v);
		}
		ck_assert_msg(clock_mono_ms() < end, "no reply to %d", id);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, buf + *len, cap - *len);
		ck_assert_int_gt(n, 0);
		*len += (size_t)n;
	}
}

START_TEST(test_held_call_relayed_and_answered)
{
	char buf[65536];
	size_t len = 0;
	struct approval_req *r = NULL;
	json_t *reply;
	int fd;

	/* The link's approver makes the server's broker attached. */
	ck_assert(WAIT_FOR(approval_attached(ap), 10000));
	fd = agent_connect();
	agent_say(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
	    "{},\"clientInfo\":{\"name\":\"agent\",\"version\":\"1\"}}}");
	json_decref(agent_reply(fd, 1, buf, sizeof buf, &len));
	agent_say(fd, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}");
	agent_say(fd, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"testsvc_wipe\",\"arguments\":{\"target\":"
	    "\"t1\"}}}");
	/* The held call reaches the dashboard's relay, as the decider sees it. */
	ck_assert(WAIT_FOR((r = approval_take(relay)) != NULL, 10000));
	ck_assert(!r->withdrawn);
	ck_assert_str_eq(r->tool, "testsvc_wipe");
	ck_assert_str_eq(json_string_value(json_object_get(r->args, "target")),
	    "t1");
	ck_assert_str_eq(r->caller.client, "agent/1");
	ck_assert_int_gt(r->deadline_mono, clock_mono_ms());
	/* Answered here, applied there: the agent's call runs. */
	approval_decide(relay, r->id, APPROVAL_ONCE);
	reply = agent_reply(fd, 2, buf, sizeof buf, &len);
	ck_assert(json_is_false(json_object_get(json_object_get(reply,
	    "result"), "isError")));
	json_decref(reply);
	approval_req_free(r);
	/* The dashboard's activity pane hears of it. */
	ck_assert(WAIT_FOR(atomic_load(&noted) > 0, 10000));
	ck_assert_str_eq(noted_tool, "testsvc_wipe");

	/* Denied from here: the agent hears "denied by operator". */
	agent_say(fd, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"testsvc_wipe\",\"arguments\":{\"target\":"
	    "\"t2\"}}}");
	ck_assert(WAIT_FOR((r = approval_take(relay)) != NULL, 10000));
	approval_decide(relay, r->id, APPROVAL_DENY);
	reply = agent_reply(fd, 3, buf, sizeof buf, &len);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(reply, "result"), "content"), 0),
	    "text")), "denied by operator");
	json_decref(reply);
	approval_req_free(r);

	/* The agent cannot attach: it is not racktop's dashboard. */
	agent_say(fd, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":"
	    "\"racktop/attach\",\"params\":{}}");
	reply = agent_reply(fd, 4, buf, sizeof buf, &len);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    reply, "error"), "code")), -32600);
	json_decref(reply);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("attach");
	TCase *tc = tcase_create("link");

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mirror_follows_every_change);
	tcase_add_test(tc, test_call_through_the_link);
	tcase_add_test(tc, test_held_call_relayed_and_answered);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
