/*
 * Operator approval: more calls held than there are workers while other
 * calls complete; withdrawal on timeout, cancellation and disconnection,
 * after which a decision runs nothing; "this caller, this tool" bound to
 * the verified identity and the connection, never to clientInfo; audit
 * lines for each decision; no operator; a decider on its own thread.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>

#include "core/approval.h"
#include "core/audit.h"
#include "core/call.h"
#include "core/jobs.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "tests/unit/testutil.h"

#define WORKERS 2

static atomic_int wipe_runs;
static atomic_int read_runs;

/* t_wipe: a destructive tool that only counts its runs. */
static int
t_wipe(struct rt_call *c)
{
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (call_ok(c, json_pack("{s:s}", "would", "DELETE")));
	atomic_fetch_add(&wipe_runs, 1);
	return (call_ok(c, json_pack("{s:b}", "wiped", 1)));
}

/* t_wipe's describe. */
static int
t_wipe_describe(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:s}", "would", "DELETE")));
}

/* t_read: a read that counts its runs. */
static int
t_read(struct rt_call *c)
{
	atomic_fetch_add(&read_runs, 1);
	return (call_ok(c, json_pack("{s:b}", "ok", 1)));
}

static const struct rt_tool t_tools[] = {
	{
	    .name = "t_wipe",
	    .title = "Wipe",
	    .description = "Wipes a target (test).",
	    .input_schema = "{\"type\":\"object\",\"properties\":{"
		"\"target\":{\"type\":\"string\"},"
		"\"password\":{\"type\":\"string\"},"
		"\"dry_run\":{\"type\":\"boolean\"}}}",
	    .output_schema = "{\"type\":\"object\"}",
	    .flags = RT_DESTRUCTIVE,
	    .call = t_wipe,
	    .describe = t_wipe_describe,
	},
	{
	    .name = "t_wipe2",
	    .title = "Wipe too",
	    .description = "Another destructive tool (test).",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = "{\"type\":\"object\"}",
	    .flags = RT_DESTRUCTIVE,
	    .call = t_wipe,
	    .describe = t_wipe_describe,
	},
	{
	    .name = "t_read",
	    .title = "Read",
	    .description = "Reads (test).",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = "{\"type\":\"object\"}",
	    .flags = RT_READ_ONLY,
	    .call = t_read,
	},
	{ .name = NULL },
};
static const struct rt_service t_service = {
	.name = "t",
	.title = "test",
	.tools = t_tools,
};
static const struct rt_service *const t_table[] = { &t_service, NULL };

static struct registry *reg;
static struct job_pool *pool;
static struct job_queue *done;
static struct approval *ap;

/* One held call as its owner (this thread, playing the MCP thread) sees it. */
struct held {
	struct approval_hold *h;
	bool resolved;
	enum approval_end end;
	char *error;		/* the isError text, when it failed */
};

/* resolve: approved calls go to the pool; others are answered and freed. */
static void
on_resolve(struct rt_call *c, enum approval_end end, void *arg)
{
	struct held *x = arg;

	x->resolved = true;
	x->end = end;
	x->h = NULL;
	if (end == APPROVAL_APPROVED) {
		ck_assert_ptr_null(c->error);
		call_submit(c, pool, done);
		return;
	}
	ck_assert(call_failed(c));
	x->error = xstrdup(c->error);
	call_free(c);
}

static const struct approval_ops ops = { on_resolve, NULL };

/* An agent caller on connection conn. */
static struct rt_caller
agent(pid_t pid, uint64_t conn, const char *client)
{
	struct rt_caller c;

	memset(&c, 0, sizeof c);
	c.source = RT_SRC_AGENT;
	c.uid = geteuid();
	c.pid = pid;
	snprintf(c.exe, sizeof c.exe, "/usr/bin/agent");
	snprintf(c.client, sizeof c.client, "%s", client);
	c.conn = conn;
	return (c);
}

/* Makes a call of tool with args (JSON text) and checks it. */
static struct rt_call *
make_call(const char *tool, const char *args, const struct rt_caller *who,
    int want)
{
	struct rt_call *c = call_new(registry_find(reg, tool),
	    json_loads(args, 0, NULL), who);

	ck_assert_int_eq(call_check(c), want);
	return (c);
}

/* Holds a t_wipe call from who; x receives its fate. */
static void
hold(struct held *x, const struct rt_caller *who, const char *tool)
{
	struct rt_call *c = make_call(tool, "{\"target\":\"vm-105\"}", who,
	    RT_CALL_HOLD);

	memset(x, 0, sizeof *x);
	x->h = approval_hold(ap, c, &ops, x);
}

/* Waits until n calls came back from the pool; frees them. */
static void
collect(int n)
{
	struct job *j, *next;
	int got = 0;
	int64_t end = clock_mono_ms() + clock_scaled_ms(10000);
	struct pollfd pfd;

	while (got < n && clock_mono_ms() < end) {
		pfd.fd = job_queue_fd(done);
		pfd.events = POLLIN;
		poll(&pfd, 1, 50);
		for (j = job_queue_take(done); j != NULL; j = next) {
			next = j->next;
			ck_assert(!call_failed(j->arg));
			call_free(j->arg);
			got++;
		}
	}
	ck_assert_int_eq(got, n);
}

/* Takes the decider's events into an array; returns how many. */
static int
take(struct approval_req **out, int max)
{
	struct approval_req *r, *next;
	int n = 0;

	for (r = approval_take(ap); r != NULL; r = next) {
		next = r->next;
		if (n < max)
			out[n++] = r;
		else
			approval_req_free(r);
	}
	return (n);
}

/* Frees what take returned. */
static void
take_free(struct approval_req **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		approval_req_free(v[i]);
}

/* A registry of the test tools, a pool, and an attached broker. */
static void
setup(void)
{
	char *cause = NULL;

	atomic_store(&wipe_runs, 0);
	atomic_store(&read_runs, 0);
	reg = registry_create(t_table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	pool = job_pool_create(WORKERS);
	done = job_queue_create();
	ap = approval_create(clock_scaled_ms(50000));
	approval_attach(ap, true);
	call_policy.policy = NULL;
}

/* Every test leaves nothing held. */
static void
teardown(void)
{
	ck_assert_int_eq(approval_held(ap), 0);
	approval_destroy(ap);
	job_pool_destroy(pool);
	job_queue_destroy(done);
	registry_destroy(reg);
}

START_TEST(test_more_held_than_workers)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct held x[WORKERS * 3];
	struct approval_req *reqs[16];
	struct rt_call *c;
	int i, n;

	for (i = 0; i < WORKERS * 3; i++)
		hold(&x[i], &who, "t_wipe");
	ck_assert_int_eq(approval_held(ap), WORKERS * 3);

	/* Reads from other agents still complete: no worker is held. */
	for (i = 0; i < WORKERS * 4; i++) {
		c = make_call("t_read", "{}", &who, 0);
		call_submit(c, pool, done);
	}
	collect(WORKERS * 4);
	ck_assert_int_eq(atomic_load(&read_runs), WORKERS * 4);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);

	/* The decider sees copies: caller, tool, arguments. */
	n = take(reqs, 16);
	ck_assert_int_eq(n, WORKERS * 3);
	for (i = 0; i < n; i++) {
		ck_assert(!reqs[i]->withdrawn);
		ck_assert_str_eq(reqs[i]->tool, "t_wipe");
		ck_assert_int_eq(reqs[i]->caller.pid, 100);
		ck_assert_str_eq(json_string_value(json_object_get(
		    reqs[i]->args, "target")), "vm-105");
		ck_assert_uint_eq(reqs[i]->id, approval_hold_id(x[i].h));
		approval_decide(ap, reqs[i]->id, APPROVAL_ONCE);
	}
	take_free(reqs, n);
	ck_assert(WAIT_FOR(approval_next_ms(ap) >= 0, 10));
	approval_dispatch(ap);
	for (i = 0; i < WORKERS * 3; i++) {
		ck_assert(x[i].resolved);
		ck_assert_int_eq(x[i].end, APPROVAL_APPROVED);
	}
	collect(WORKERS * 3);
	ck_assert_int_eq(atomic_load(&wipe_runs), WORKERS * 3);
}
END_TEST

START_TEST(test_timeout_withdraws)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct approval_req *reqs[4];
	struct held x;
	uint64_t id;
	int n;

	approval_destroy(ap);
	ap = approval_create(100);
	approval_attach(ap, true);
	hold(&x, &who, "t_wipe");
	id = approval_hold_id(x.h);
	ck_assert_int_le(approval_next_ms(ap), 100);
	ck_assert(WAIT_FOR(approval_next_ms(ap) == 0, 2000));
	approval_dispatch(ap);
	ck_assert(x.resolved);
	ck_assert_int_eq(x.end, APPROVAL_TIMED_OUT);
	ck_assert_msg(strstr(x.error, "not approved: timed out") != NULL,
	    "%s", x.error);
	ck_assert_int_eq(approval_held(ap), 0);
	ck_assert_int_eq(approval_next_ms(ap), -1);

	/* The decider is told; approving now runs nothing. */
	n = take(reqs, 4);
	ck_assert_int_eq(n, 2);
	ck_assert(!reqs[0]->withdrawn);
	ck_assert(reqs[1]->withdrawn);
	ck_assert_uint_eq(reqs[1]->id, id);
	ck_assert_str_eq(reqs[1]->why, "timed out");
	take_free(reqs, n);
	approval_decide(ap, id, APPROVAL_ONCE);
	approval_dispatch(ap);
	ck_assert_int_eq(job_pool_queued(pool), 0);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);
	free(x.error);
}
END_TEST

START_TEST(test_cancel_withdraws)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct approval_req *reqs[4];
	struct rt_call *c;
	struct held x;
	uint64_t id;
	int n;

	hold(&x, &who, "t_wipe");
	id = approval_hold_id(x.h);
	/* The client cancels; then the operator presses y, too late. */
	c = approval_withdraw(ap, x.h, "cancelled");
	ck_assert(c->done);
	ck_assert(call_failed(c));
	call_free(c);
	approval_decide(ap, id, APPROVAL_ONCE);
	approval_decide(ap, id, APPROVAL_CALLER_TOOL);
	approval_dispatch(ap);
	ck_assert(!x.resolved);
	ck_assert_int_eq(approval_held(ap), 0);
	ck_assert(!approval_granted(ap, &who, "t_wipe"));
	n = take(reqs, 4);
	ck_assert_int_eq(n, 2);
	ck_assert(reqs[1]->withdrawn);
	ck_assert_str_eq(reqs[1]->why, "cancelled");
	take_free(reqs, n);
	poll(NULL, 0, 20);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);
}
END_TEST

START_TEST(test_disconnect_withdraws)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct rt_caller other = agent(200, approval_conn_id(), "other");
	struct approval_req *reqs[8];
	struct held x[2], y;
	int i, n;

	hold(&x[0], &who, "t_wipe");
	hold(&x[1], &who, "t_wipe2");
	hold(&y, &other, "t_wipe");
	/* The first connection goes: its calls are withdrawn. */
	for (i = 0; i < 2; i++)
		call_free(approval_withdraw(ap, x[i].h, "disconnected"));
	approval_conn_closed(ap, who.conn);
	n = take(reqs, 8);
	ck_assert_int_eq(n, 5);
	for (i = 0; i < 3; i++)
		approval_decide(ap, reqs[i]->id, APPROVAL_ONCE);
	take_free(reqs, n);
	approval_dispatch(ap);
	ck_assert(!x[0].resolved && !x[1].resolved);
	ck_assert(y.resolved);
	ck_assert_int_eq(y.end, APPROVAL_APPROVED);
	collect(1);
	ck_assert_int_eq(atomic_load(&wipe_runs), 1);
}
END_TEST

START_TEST(test_grant_bound_to_identity_and_connection)
{
	uint64_t conn = approval_conn_id();
	struct rt_caller who = agent(100, conn, "claude");
	struct rt_caller same_name = agent(300, approval_conn_id(), "claude");
	struct rt_caller same_pid = agent(100, approval_conn_id(), "claude");
	struct rt_caller other_exe = who;
	struct approval_req *reqs[8];
	struct held x[2], y, z;
	uint64_t id1;
	int n;

	snprintf(other_exe.exe, sizeof other_exe.exe, "/usr/bin/other");
	hold(&x[0], &who, "t_wipe");
	hold(&x[1], &who, "t_wipe");
	id1 = approval_hold_id(x[1].h);
	hold(&y, &same_name, "t_wipe");
	n = take(reqs, 8);
	ck_assert_int_eq(n, 3);
	/* "a" on the first: the second of the same caller goes too. */
	approval_decide(ap, reqs[0]->id, APPROVAL_CALLER_TOOL);
	take_free(reqs, n);
	approval_dispatch(ap);
	ck_assert(x[0].resolved && x[1].resolved);
	ck_assert_int_eq(x[1].end, APPROVAL_APPROVED);
	collect(2);

	/* A second client claiming the same clientInfo is still held. */
	ck_assert(!y.resolved);
	ck_assert_int_eq(approval_held(ap), 1);
	ck_assert(approval_granted(ap, &who, "t_wipe"));
	ck_assert(!approval_granted(ap, &same_name, "t_wipe"));
	ck_assert(!approval_granted(ap, &same_pid, "t_wipe"));
	ck_assert(!approval_granted(ap, &other_exe, "t_wipe"));
	ck_assert(!approval_granted(ap, &who, "t_wipe2"));
	/* The decider learned that the second request needs no answer. */
	n = take(reqs, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(reqs[0]->withdrawn);
	ck_assert_uint_eq(reqs[0]->id, id1);
	take_free(reqs, n);

	/* A later hold on the granted connection is for the owner to skip. */
	hold(&z, &who, "t_wipe2");
	ck_assert(z.h != NULL);
	call_free(approval_withdraw(ap, z.h, "cancelled"));
	call_free(approval_withdraw(ap, y.h, "disconnected"));

	/* The connection closes: its grants go. */
	approval_conn_closed(ap, conn);
	ck_assert(!approval_granted(ap, &who, "t_wipe"));
	ck_assert_int_eq(atomic_load(&wipe_runs), 2);
}
END_TEST

/* Reads a file whole; new string. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xcalloc(1, 65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(buf, 1, 65535, f), 0);
	fclose(f);
	return (buf);
}

/* The audit line whose decision is d, parsed; NULL when none. */
static json_t *
audit_line(const char *text, const char *d)
{
	const char *p, *nl;
	json_t *j;

	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		j = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ck_assert_ptr_nonnull(j);
		if (json_is_string(json_object_get(j, "decision")) &&
		    strcmp(json_string_value(json_object_get(j, "decision")),
		    d) == 0)
			return (j);
		json_decref(j);
	}
	return (NULL);
}

START_TEST(test_deny_audits)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct approval_req *reqs[4];
	struct held x, y;
	struct rt_call *c;
	char *dir = test_tmpdir(), *path, *text, *cause = NULL;
	json_t *j;
	int n;

	xasprintf(&path, "%s/audit.jsonl", dir);
	ck_assert_msg(audit_open(path, &cause) == 0, "%s", cause);
	c = make_call("t_wipe", "{\"target\":\"vm-105\",\"password\":"
	    "\"s3cret\"}", &who, RT_CALL_HOLD);
	memset(&x, 0, sizeof x);
	x.h = approval_hold(ap, c, &ops, &x);
	hold(&y, &who, "t_wipe2");
	n = take(reqs, 4);
	ck_assert_int_eq(n, 2);
	approval_decide(ap, reqs[0]->id, APPROVAL_DENY);
	approval_decide(ap, reqs[1]->id, APPROVAL_ONCE);
	take_free(reqs, n);
	approval_dispatch(ap);
	ck_assert(x.resolved);
	ck_assert_int_eq(x.end, APPROVAL_DENIED);
	ck_assert_str_eq(x.error, "denied by operator");
	collect(1);
	audit_close();

	text = slurp(path);
	ck_assert_msg(strstr(text, "s3cret") == NULL, "%s", text);
	j = audit_line(text, "held");
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "outcome")),
	    "pending");
	json_decref(j);
	j = audit_line(text, "denied");
	ck_assert_msg(j != NULL, "%s", text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
	    "decision");
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")),
	    "agent");
	ck_assert_str_eq(json_string_value(json_object_get(j, "tool")),
	    "t_wipe");
	ck_assert_str_eq(json_string_value(json_object_get(j, "outcome")),
	    "error");
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
	    "denied by operator");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "arguments"), "password")), "***");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "connection")),
	    (json_int_t)who.conn);
	ck_assert_int_gt(json_integer_value(json_object_get(j, "approval")),
	    0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j,
	    "identity")), "exe=/usr/bin/agent"));
	ck_assert_ptr_nonnull(json_object_get(j, "time"));
	ck_assert_ptr_nonnull(json_object_get(j, "duration_ms"));
	json_decref(j);
	j = audit_line(text, "approved");
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	/* The approved call ran: its own write line follows. */
	ck_assert_ptr_nonnull(strstr(text, "\"type\":\"write\""));
	free(text);
	free(x.error);
	free(path);
	test_rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_no_operator)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct held x, y;

	approval_attach(ap, false);
	hold(&x, &who, "t_wipe");
	ck_assert_ptr_null(x.h);
	ck_assert(x.resolved);
	ck_assert_int_eq(x.end, APPROVAL_NO_OPERATOR);
	ck_assert_ptr_nonnull(strstr(x.error, "not approved"));
	free(x.error);

	/* The dashboard leaves while a call waits. */
	approval_attach(ap, true);
	hold(&y, &who, "t_wipe");
	ck_assert_ptr_nonnull(y.h);
	approval_attach(ap, false);
	approval_dispatch(ap);
	ck_assert(y.resolved);
	ck_assert_int_eq(y.end, APPROVAL_NO_OPERATOR);
	free(y.error);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);
}
END_TEST

START_TEST(test_dry_run_needs_no_approval)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct rt_call *c;

	c = make_call("t_wipe", "{\"target\":\"x\",\"dry_run\":true}", &who,
	    0);
	ck_assert(c->preview);
	call_submit(c, pool, done);
	collect(1);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);
	/* The keyboard is never held; its own dialog asks. */
	who.source = RT_SRC_KEY;
	c = make_call("t_wipe", "{\"target\":\"x\"}", &who, 0);
	call_free(c);
}
END_TEST

static atomic_bool decider_stop;

/* A decider on its own thread: approves whatever it sees. */
static void *
decider_main(void *arg)
{
	struct approval_req *r, *next;
	struct pollfd pfd;

	(void)arg;
	pfd.fd = approval_decider_fd(ap);
	pfd.events = POLLIN;
	while (!atomic_load(&decider_stop)) {
		poll(&pfd, 1, 10);
		for (r = approval_take(ap); r != NULL; r = next) {
			next = r->next;
			if (!r->withdrawn && json_object_get(r->args,
			    "target") != NULL)
				approval_decide(ap, r->id, r->id % 3 == 0 ?
				    APPROVAL_DENY : APPROVAL_ONCE);
			approval_req_free(r);
		}
	}
	return (NULL);
}

START_TEST(test_decider_thread)
{
	struct rt_caller who = agent(100, approval_conn_id(), "claude");
	struct held x[30];
	struct pollfd pfd;
	pthread_t t;
	int i, resolved, approved = 0;

	atomic_store(&decider_stop, false);
	pthread_create(&t, NULL, decider_main, NULL);
	for (i = 0; i < 30; i++)
		hold(&x[i], &who, "t_wipe");
	/* Withdraw a few while the decider works. */
	for (i = 0; i < 30; i += 7)
		call_free(approval_withdraw(ap, x[i].h, "cancelled"));
	pfd.fd = approval_owner_fd(ap);
	pfd.events = POLLIN;
	for (;;) {
		poll(&pfd, 1, 50);
		approval_dispatch(ap);
		if (approval_held(ap) == 0)
			break;
	}
	atomic_store(&decider_stop, true);
	pthread_join(t, NULL);
	for (i = resolved = 0; i < 30; i++) {
		if (i % 7 == 0) {
			ck_assert(!x[i].resolved);
			continue;
		}
		ck_assert(x[i].resolved);
		resolved++;
		if (x[i].end == APPROVAL_APPROVED)
			approved++;
		else {
			ck_assert_int_eq(x[i].end, APPROVAL_DENIED);
			free(x[i].error);
		}
	}
	ck_assert_int_eq(resolved, 25);
	collect(approved);
	ck_assert_int_eq(atomic_load(&wipe_runs), approved);
}
END_TEST

/* Runs the suite. */
int
main(void)
{
	Suite *s = suite_create("approval");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_more_held_than_workers);
	tcase_add_test(tc, test_timeout_withdraws);
	tcase_add_test(tc, test_cancel_withdraws);
	tcase_add_test(tc, test_disconnect_withdraws);
	tcase_add_test(tc, test_grant_bound_to_identity_and_connection);
	tcase_add_test(tc, test_deny_audits);
	tcase_add_test(tc, test_no_operator);
	tcase_add_test(tc, test_dry_run_needs_no_approval);
	tcase_add_test(tc, test_decider_thread);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
