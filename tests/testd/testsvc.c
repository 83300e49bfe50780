/*
 * The test-only service "testsvc" (see testsvc.h): its tools run on the
 * workers through the call.h API like any backend's, and count what they
 * do in process-wide atomic counters that testsvc_count reports, so a
 * client can see from outside that a cancelled call really stopped.
 *
 * No poller and no upstream: every tool answers from its arguments
 * alone, except testsvc_publish, which publishes a new snapshot into
 * each testsvc instance's slot (racktop-testd configures [testsvc "a"])
 * so the resource subscription tests can make a snapshot change on
 * demand.
 */
#include "config.h"

#include <poll.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "services/services.h"
#include "tests/testd/testsvc.h"

/* How often a waiting tool looks at call_should_stop, in ms. */
#define TESTSVC_TICK_MS 2

static atomic_uint_fast64_t testsvc_started;
static atomic_uint_fast64_t testsvc_completed;
static atomic_uint_fast64_t testsvc_stopped;
static atomic_uint_fast64_t testsvc_echoes;
static atomic_uint_fast64_t testsvc_wipes;
static atomic_uint_fast64_t testsvc_generation;

/*
 * Waits ms milliseconds in short ticks; returns the time waited, or -1
 * when the call was asked to stop first (*waited is then the time so far).
 */
static int
testsvc_wait(struct rt_call *c, int64_t ms, int64_t *waited)
{
	int64_t start = clock_mono_ms(), now, left;

	for (;;) {
		now = clock_mono_ms();
		*waited = now - start;
		if (*waited >= ms)
			return (0);
		if (call_should_stop(c))
			return (-1);
		left = ms - *waited;
		poll(NULL, 0, left < TESTSVC_TICK_MS ? (int)left :
		    TESTSVC_TICK_MS);
	}
}

/* testsvc_echo: returns its arguments. */
static int
testsvc_echo(struct rt_call *c)
{
	atomic_fetch_add(&testsvc_echoes, 1);
	return (call_ok(c, json_pack("{s:O}", "echo", c->args)));
}

/* testsvc_sleep: holds the worker for "ms", stopping when asked. */
static int
testsvc_sleep(struct rt_call *c)
{
	json_int_t ms = call_arg_int(c, "ms", 100);
	int64_t waited;

	atomic_fetch_add(&testsvc_started, 1);
	if (testsvc_wait(c, ms, &waited) != 0) {
		atomic_fetch_add(&testsvc_stopped, 1);
		return (call_fail(c, "testsvc_sleep: stopped after %lld of "
		    "%lld ms", (long long)waited, (long long)ms));
	}
	atomic_fetch_add(&testsvc_completed, 1);
	return (call_ok(c, json_pack("{s:I, s:b}", "slept_ms",
	    (json_int_t)waited, "completed", 1)));
}

/* testsvc_fail: always fails, with the given message or a default. */
static int
testsvc_fail(struct rt_call *c)
{
	const char *msg = call_arg_str(c, "message");

	return (call_fail(c, "testsvc_fail: %s", msg != NULL ? msg :
	    "failed as asked"));
}

/* testsvc_progress: reports progress "steps" times, pausing in between. */
static int
testsvc_progress(struct rt_call *c)
{
	json_int_t steps = call_arg_int(c, "steps", 3);
	json_int_t pause = call_arg_int(c, "pause_ms", 20);
	int64_t waited;
	json_int_t i;
	char msg[64];

	for (i = 1; i <= steps; i++) {
		if (testsvc_wait(c, pause, &waited) != 0)
			return (call_fail(c, "testsvc_progress: stopped "
			    "before step %lld", (long long)i));
		snprintf(msg, sizeof msg, "step %lld of %lld", (long long)i,
		    (long long)steps);
		call_progress(c, (double)i, (double)steps, msg);
	}
	return (call_ok(c, json_pack("{s:I, s:b}", "steps", steps,
	    "completed", 1)));
}

/* Reads the counters. */
void
testsvc_counts(struct testsvc_counts *tc)
{
	tc->started = atomic_load(&testsvc_started);
	tc->completed = atomic_load(&testsvc_completed);
	tc->stopped = atomic_load(&testsvc_stopped);
	tc->echoes = atomic_load(&testsvc_echoes);
	tc->wipes = atomic_load(&testsvc_wipes);
}

/* testsvc_count: the run counters. */
static int
testsvc_count(struct rt_call *c)
{
	struct testsvc_counts tc;

	testsvc_counts(&tc);
	return (call_ok(c, json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "started", (json_int_t)tc.started,
	    "completed", (json_int_t)tc.completed,
	    "stopped", (json_int_t)tc.stopped,
	    "echoes", (json_int_t)tc.echoes,
	    "wipes", (json_int_t)tc.wipes)));
}

/* Publishes {"counter", "note"} into every testsvc instance; returns it. */
int
testsvc_publish_all(struct registry *reg, const char *note)
{
	struct rt_instance **ins;
	uint64_t counter;
	size_t i, n;

	counter = atomic_fetch_add(&testsvc_generation, 1) + 1;
	ins = registry_instances_of(reg, &testsvc_service, &n);
	for (i = 0; i < n; i++)
		snapshot_publish(&ins[i]->slot, json_pack("{s:I, s:s}",
		    "counter", (json_int_t)counter, "note",
		    note != NULL ? note : ""));
	free(ins);
	return ((int)n);
}

/* testsvc_publish: a new snapshot for every testsvc instance. */
static int
testsvc_publish(struct rt_call *c)
{
	int n;

	n = testsvc_publish_all(c->rt->reg, call_arg_str(c, "note"));
	return (call_ok(c, json_pack("{s:i, s:I}", "published", n, "counter",
	    (json_int_t)atomic_load(&testsvc_generation))));
}

/* testsvc_wipe's preview: the request it would make. */
static int
testsvc_wipe_describe(struct rt_call *c)
{
	const char *target = call_arg_str(c, "target");

	return (call_ok(c, json_pack("{s:s, s:b, s:{s:s, s:s+}}",
	    "target", target, "wiped", 0,
	    "request", "method", "DELETE", "path", "/testsvc/wipe/",
	    target)));
}

/* testsvc_wipe: a destructive tool that only counts its runs. */
static int
testsvc_wipe(struct rt_call *c)
{
	json_t *dry = json_object_get(c->args, "dry_run");

	if (json_is_true(dry))
		return (testsvc_wipe_describe(c));
	atomic_fetch_add(&testsvc_wipes, 1);
	return (call_ok(c, json_pack("{s:s, s:b}", "target",
	    call_arg_str(c, "target"), "wiped", 1)));
}

static const struct rt_tool testsvc_tools[] = {
	{
	    .name = "testsvc_echo",
	    .title = "Echo",
	    .description = "Returns its arguments unchanged under \"echo\". "
		"Test service: checks argument validation and round trips.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"text\"],\"properties\":{"
		"\"text\":{\"type\":\"string\",\"maxLength\":4096,"
		"\"description\":\"Text to echo back.\"},"
		"\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10,"
		"\"description\":\"A number from 0 to 10, echoed back.\"},"
		"\"tag\":{\"type\":\"string\",\"pattern\":\"^[a-z]+\\\\d{0,3}$\","
		"\"examples\":[\"abc12\"],\"x-counterexamples\":[\"Abc\","
		"\"abc1234\"],\"description\":\"Lower-case letters, then up "
		"to three digits.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"echo\"],\"properties\":{\"echo\":{"
		"\"type\":\"object\",\"additionalProperties\":false,"
		"\"required\":[\"text\"],\"properties\":{"
		"\"text\":{\"type\":\"string\"},"
		"\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10},"
		"\"tag\":{\"type\":\"string\"}}}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = testsvc_echo,
	},
	{
	    .name = "testsvc_sleep",
	    .title = "Sleep",
	    .description = "Holds a worker for \"ms\" milliseconds, stopping "
		"early when the call is cancelled. Test service: counts its "
		"runs (see testsvc_count).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"ms\":{\"type\":\"integer\","
		"\"minimum\":0,\"maximum\":120000,\"default\":100,"
		"\"description\":\"How long to hold, in milliseconds.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"slept_ms\",\"completed\"],"
		"\"properties\":{\"slept_ms\":{\"type\":\"integer\","
		"\"minimum\":0},\"completed\":{\"type\":\"boolean\"}}}",
	    .flags = RT_READ_ONLY,
	    .call = testsvc_sleep,
	},
	{
	    .name = "testsvc_fail",
	    .title = "Fail",
	    .description = "Always fails with the given message. Test "
		"service: checks how a tool error reaches the caller.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"message\":{\"type\":\"string\","
		"\"maxLength\":1024,\"description\":\"The error text.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"properties\":{}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = testsvc_fail,
	},
	{
	    .name = "testsvc_progress",
	    .title = "Progress",
	    .description = "Reports progress \"steps\" times, pausing "
		"\"pause_ms\" between steps, then returns. Test service: "
		"checks progress notifications.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{"
		"\"steps\":{\"type\":\"integer\",\"minimum\":1,"
		"\"maximum\":100,\"default\":3,\"description\":"
		"\"How many progress reports.\"},"
		"\"pause_ms\":{\"type\":\"integer\",\"minimum\":0,"
		"\"maximum\":1000,\"default\":20,\"description\":"
		"\"Milliseconds before each report.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"steps\",\"completed\"],\"properties\":{"
		"\"steps\":{\"type\":\"integer\",\"minimum\":1},"
		"\"completed\":{\"type\":\"boolean\"}}}",
	    .flags = RT_READ_ONLY,
	    .call = testsvc_progress,
	},
	{
	    .name = "testsvc_count",
	    .title = "Run counters",
	    .description = "How many testsvc_sleep runs started, completed "
		"and stopped early, plus echo and wipe runs. Test service.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"started\",\"completed\",\"stopped\","
		"\"echoes\",\"wipes\"],\"properties\":{"
		"\"started\":{\"type\":\"integer\",\"minimum\":0},"
		"\"completed\":{\"type\":\"integer\",\"minimum\":0},"
		"\"stopped\":{\"type\":\"integer\",\"minimum\":0},"
		"\"echoes\":{\"type\":\"integer\",\"minimum\":0},"
		"\"wipes\":{\"type\":\"integer\",\"minimum\":0}}}",
	    .flags = RT_READ_ONLY,
	    .call = testsvc_count,
	},
	{
	    .name = "testsvc_wipe",
	    .title = "Wipe",
	    .description = "Pretends to delete \"target\" and counts it. Test "
		"service: a destructive tool, refused to agents until "
		"approval exists.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"target\"],\"properties\":{"
		"\"target\":{\"type\":\"string\",\"pattern\":"
		"\"^[a-z0-9][a-z0-9-]{0,31}$\",\"examples\":[\"scratch-1\"],"
		"\"x-counterexamples\":[\"-lead\",\"Has Space\"],"
		"\"description\":\"What to wipe.\"},"
		"\"dry_run\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Only describe the request.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"target\",\"wiped\"],\"properties\":{"
		"\"target\":{\"type\":\"string\"},"
		"\"wiped\":{\"type\":\"boolean\"},"
		"\"request\":{\"type\":\"object\",\"required\":[\"method\","
		"\"path\"],\"properties\":{\"method\":{\"type\":\"string\"},"
		"\"path\":{\"type\":\"string\"}}}}}",
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = testsvc_wipe,
	    .describe = testsvc_wipe_describe,
	},
	{
	    .name = "testsvc_publish",
	    .title = "Publish a snapshot",
	    .description = "Publishes a new snapshot {counter, note} into "
		"every testsvc instance, as a poll would. Test service: "
		"drives resource update notifications.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"note\":{\"type\":\"string\","
		"\"maxLength\":256,\"description\":\"Stored in the "
		"snapshot.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"published\",\"counter\"],"
		"\"properties\":{\"published\":{\"type\":\"integer\","
		"\"minimum\":0},\"counter\":{\"type\":\"integer\","
		"\"minimum\":0}}}",
	    .flags = RT_IDEMPOTENT,
	    .call = testsvc_publish,
	},
	{ .name = NULL },
};

const struct rt_service testsvc_service = {
	.name = "testsvc",
	.title = "Test service",
	.tools = testsvc_tools,
};

const struct rt_service *const testd_services[] = {
	&racktop_service,
	&testsvc_service,
	NULL,
};
