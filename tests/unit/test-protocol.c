/*
 * MCP dispatch without a socket: lines go into a session whose transport
 * captures what it sends; calls run on a real job pool and come back on
 * the context's completion queue, which the test pumps. A small tool
 * table defined here (echo, hold, progress, fail, a destructive one)
 * keeps the test independent of the test service of racktop-testd.
 * Two instances of it ([t "one"], [t "two"]) carry the resources; the
 * test publishes their snapshots itself, as a poller would.
 */
#include "config.h"

#include <jansson.h>
#include <stdatomic.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/conf.h"
#include "core/jobs.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "core/snapshot.h"
#include "tests/unit/testutil.h"

static atomic_bool hold_release;
static atomic_int hold_entered;
static atomic_int hold_saw_stop;
static atomic_int wipe_runs;

/* Echoes its text. */
static int
t_echo(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:s}", "text",
	    call_arg_str(c, "text"))));
}

/* Holds until released or cancelled. */
static int
t_hold(struct rt_call *c)
{
	atomic_fetch_add(&hold_entered, 1);
	while (!atomic_load(&hold_release)) {
		if (call_should_stop(c)) {
			atomic_fetch_add(&hold_saw_stop, 1);
			return (call_fail(c, "stopped"));
		}
		poll(NULL, 0, 1);
	}
	return (call_ok(c, json_pack("{s:b}", "held", 1)));
}

/* Reports steps of progress, then finishes. */
static int
t_progress(struct rt_call *c)
{
	json_int_t n = call_arg_int(c, "steps", 3), i;
	char msg[32];

	for (i = 1; i <= n; i++) {
		snprintf(msg, sizeof msg, "step %d", (int)i);
		call_progress(c, (double)i, (double)n, msg);
	}
	/* Not increasing: must be dropped. */
	call_progress(c, 1, (double)n, "again");
	return (call_ok(c, json_pack("{s:I}", "steps", n)));
}

/* Always fails. */
static int
t_fail(struct rt_call *c)
{
	return (call_fail(c, "upstream said no"));
}

/* A destructive tool: counts its runs. */
static int
t_wipe(struct rt_call *c)
{
	atomic_fetch_add(&wipe_runs, 1);
	return (call_ok(c, json_object()));
}

/* What t_wipe would do. */
static int
t_wipe_describe(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:s}", "method", "DELETE")));
}

/* Its own content blocks: an image, then text. */
static int
t_content(struct rt_call *c)
{
	call_content(c, json_pack("[{s:s, s:s, s:s}, {s:s, s:s}]", "type",
	    "image", "data", "AAAA", "mimeType", "image/png", "type", "text",
	    "text", "a picture"));
	return (call_ok(c, json_pack("{s:i}", "n", 1)));
}

/* Logs at debug, info and error while it runs. */
static int
t_log(struct rt_call *c)
{
	call_log(c, CALL_LOG_DEBUG, "quiet %d", 1);
	call_log(c, CALL_LOG_INFO, "started %s", "here");
	call_log(c, CALL_LOG_ERROR, "loud");
	return (call_ok(c, json_object()));
}

/* Asks the client's model (method argument), answers what it said. */
static int
t_ask(struct rt_call *c)
{
	const json_t *a = call_answer(c);
	const char *m = call_arg_str(c, "method");

	if (a == NULL)
		return (call_ask(c, m != NULL ? m : "sampling/createMessage",
		    json_pack("{s:i}", "maxTokens", 5)));
	return (call_ok(c, json_pack("{s:O, s:i}", "answer", a, "steps",
	    c->nsteps)));
}

#define OUT_ANY "{\"type\":\"object\"}"

static const struct rt_tool test_tools[] = {
	{
	    .name = "t_echo",
	    .title = "Echo",
	    .description = "Echoes text.",
	    .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
		"{\"type\":\"string\"}},\"required\":[\"text\"],"
		"\"additionalProperties\":false}",
	    .output_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
		"{\"type\":\"string\"}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = t_echo,
	},
	{
	    .name = "t_hold",
	    .title = "Hold",
	    .description = "Holds until released.",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_hold,
	},
	{
	    .name = "t_progress",
	    .title = "Progress",
	    .description = "Reports progress.",
	    .input_schema = "{\"type\":\"object\",\"properties\":{\"steps\":"
		"{\"type\":\"integer\",\"minimum\":1}}}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_progress,
	},
	{
	    .name = "t_fail",
	    .title = "Fail",
	    .description = "Fails.",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_fail,
	},
	{
	    .name = "t_wipe",
	    .title = "Wipe",
	    .description = "Destroys something.",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = OUT_ANY,
	    .flags = RT_DESTRUCTIVE,
	    .call = t_wipe,
	    .describe = t_wipe_describe,
	},
	{
	    .name = "t_content",
	    .title = "Content",
	    .description = "Returns its own content blocks.",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_content,
	},
	{
	    .name = "t_log",
	    .title = "Log",
	    .description = "Logs while it runs.",
	    .input_schema = "{\"type\":\"object\"}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_log,
	},
	{
	    .name = "t_ask",
	    .title = "Ask",
	    .description = "Asks its client.",
	    .input_schema = "{\"type\":\"object\",\"properties\":{"
		"\"method\":{\"type\":\"string\"}}}",
	    .output_schema = OUT_ANY,
	    .flags = RT_READ_ONLY,
	    .call = t_ask,
	},
	{ .name = NULL },
};

static const struct rt_service test_service = {
	.name = "t",
	.title = "Test",
	.tools = test_tools,
};

static const struct rt_service *const test_table[] = { &test_service, NULL };

static struct registry *reg;
static struct rt_config *conf;
static struct job_pool *pool;
static struct proto_ctx *ctx;
static struct jr_buf captured;
static json_t *msgs;		/* every message sent, parsed, in order */

/* The capturing transport. */
static void
capture(void *arg, const char *data, size_t len)
{
	(void)arg;
	ck_assert(len > 0 && data[len - 1] == '\n');
	jr_buf_append(&captured, data, len);
}

/* Moves captured lines into msgs. */
static void
collect(void)
{
	size_t start = 0, i;
	json_t *v;

	for (i = 0; i < captured.len; i++) {
		if (captured.data[i] != '\n')
			continue;
		v = json_loadb(captured.data + start, i - start, 0, NULL);
		ck_assert_msg(v != NULL, "not JSON: %.*s", (int)(i - start),
		    captured.data + start);
		json_array_append_new(msgs, v);
		start = i + 1;
	}
	captured.len = 0;
}

/* Handles completions, then collects. */
static void
pump(void)
{
	proto_ctx_complete(ctx);
	collect();
}

/* The reply with this id (borrowed), or NULL. */
static json_t *
reply_for(const json_t *id)
{
	size_t i;
	json_t *m;

	json_array_foreach(msgs, i, m) {
		if (json_object_get(m, "method") == NULL &&
		    json_equal(json_object_get(m, "id"), id))
			return (m);
	}
	return (NULL);
}

/* The reply with an integer id. */
static json_t *
reply_int(json_int_t id)
{
	json_t *j = json_integer(id), *m;

	m = reply_for(j);
	json_decref(j);
	return (m);
}

/* Pumps until the reply to id arrives; returns it or fails. */
static json_t *
wait_reply(json_int_t id)
{
	ck_assert_msg(WAIT_FOR((pump(), reply_int(id) != NULL), 5000),
	    "no reply for id %d", (int)id);
	return (reply_int(id));
}

/* Sends one line. */
static void __attribute__((format(printf, 2, 3)))
say(struct proto_session *s, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(proto_session_input(s, line, strlen(line)), 0);
	free(line);
	collect();
}

/* A new session over the capturing transport. */
static struct proto_session *
session(unsigned flags)
{
	struct proto_transport tr = { capture, NULL };
	struct rt_caller caller;

	memset(&caller, 0, sizeof caller);
	caller.uid = getuid();
	caller.pid = getpid();
	return (proto_session_new(ctx, &caller, flags, &tr));
}

/* An initialized session. */
static struct proto_session *
ready_session(const char *version, const char *client, unsigned flags)
{
	struct proto_session *s = session(flags);
	json_t *r;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1000,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":{},"
	    "\"clientInfo\":{\"name\":\"%s\",\"version\":\"1.0\"}}}",
	    version, client);
	r = reply_int(1000);
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	json_array_clear(msgs);
	return (s);
}

/* The error code of a reply, or 0. */
static int
error_code(json_t *m)
{
	return ((int)json_integer_value(json_object_get(json_object_get(m,
	    "error"), "code")));
}

/* Creates the context around a config. */
static void
setup_with(const struct proto_config *pc)
{
	char *cause = NULL;

	static const char text[] = "[t \"one\"]\n[t \"two\"]\n";

	reg = registry_create(test_table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	conf = conf_parse("test", text, sizeof text - 1,
	    registry_service_names(reg), &cause);
	ck_assert_msg(conf != NULL, "%s", cause);
	ck_assert_int_eq(registry_add_instances(reg, conf, &cause), 0);
	pool = job_pool_create(4);
	ctx = proto_ctx_create(reg, pool, pc);
	jr_buf_init(&captured);
	msgs = json_array();
	call_policy.check_output = true;
	atomic_store(&hold_release, false);
	atomic_store(&hold_entered, 0);
	atomic_store(&hold_saw_stop, 0);
	atomic_store(&wipe_runs, 0);
}

/* Default fixture. */
static void
setup(void)
{
	struct proto_config pc = { 1, 0, 0, NULL };

	setup_with(&pc);
}

/* Tears the fixture down. */
static void
teardown(void)
{
	atomic_store(&hold_release, true);
	proto_ctx_destroy(ctx);
	job_pool_destroy(pool);
	registry_destroy(reg);
	conf_free(conf);
	jr_buf_free(&captured);
	json_decref(msgs);
}

START_TEST(refused_before_initialize)
{
	struct proto_session *s = session(0);
	json_t *r;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"x\"}}}");
	r = reply_int(1);
	ck_assert_int_eq(error_code(r), JR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_object_get(r, "error"), "message")), "not initialized"));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
	ck_assert_int_eq(error_code(reply_int(2)), JR_INVALID_REQUEST);
	/* ping is allowed before initialize. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
	ck_assert(json_is_object(json_object_get(reply_int(3), "result")));
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 0);
	proto_session_free(s);
}
END_TEST

START_TEST(initialize_negotiation)
{
	static const char *const asked[] = { "2024-11-05", "2025-03-26",
	    "2025-06-18", "2025-11-25", "1999-01-01", "2026-07-28" };
	static const char *const got[] = { "2024-11-05", "2025-03-26",
	    "2025-06-18", "2025-11-25", "2025-11-25", "2025-11-25" };
	struct proto_session *s;
	json_t *r, *res;
	size_t i;

	for (i = 0; i < sizeof asked / sizeof asked[0]; i++) {
		json_array_clear(msgs);
		s = session(0);
		say(s, "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":"
		    "\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
		    "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\","
		    "\"version\":\"1\"}}}", i, asked[i]);
		r = reply_int((json_int_t)i);
		res = json_object_get(r, "result");
		ck_assert_ptr_nonnull(res);
		ck_assert_str_eq(json_string_value(json_object_get(res,
		    "protocolVersion")), got[i]);
		ck_assert_str_eq(proto_session_version(s), got[i]);
		ck_assert(json_is_false(json_object_get(json_object_get(
		    json_object_get(res, "capabilities"), "tools"),
		    "listChanged")));
		ck_assert(json_is_object(json_object_get(json_object_get(res,
		    "capabilities"), "logging")));
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(res, "serverInfo"), "name")), "racktop");
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(res, "serverInfo"), "version")),
		    PACKAGE_VERSION);
		ck_assert((json_object_get(res, "instructions") != NULL) ==
		    (i > 0));
		ck_assert_str_eq(proto_session_caller(s)->client, "c/1");
		ck_assert_int_eq(proto_session_caller(s)->source,
		    RT_SRC_AGENT);
		/* A second initialize is refused. */
		say(s, "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":"
		    "\"initialize\",\"params\":{\"protocolVersion\":\"%s\"}}",
		    asked[i]);
		ck_assert_int_eq(error_code(reply_int(99)),
		    JR_INVALID_REQUEST);
		proto_session_free(s);
	}
	s = session(0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\","
	    "\"params\":{}}");
	ck_assert_int_eq(error_code(reply_int(7)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\","
	    "\"params\":[1]}");
	ck_assert_int_eq(error_code(reply_int(8)), JR_INVALID_PARAMS);
	ck_assert_ptr_null(proto_session_version(s));
	proto_session_free(s);
}
END_TEST

START_TEST(errors_and_ids)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *id, *res, *text;
	size_t n;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no/such\"}");
	ck_assert_int_eq(error_code(reply_int(1)), JR_METHOD_NOT_FOUND);
	/* Unknown notifications and client responses get nothing. */
	n = json_array_size(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":55,\"result\":{}}");
	ck_assert_uint_eq(json_array_size(msgs), n);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"nope\"}}");
	ck_assert_int_eq(error_code(reply_int(2)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":[1]}}");
	ck_assert_int_eq(error_code(reply_int(4)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\","
	    "\"params\":[]}");
	ck_assert_int_eq(error_code(reply_int(5)), JR_INVALID_PARAMS);
	say(s, "not json");
	id = json_null();
	ck_assert_int_eq(error_code(reply_for(id)), JR_PARSE_ERROR);
	json_decref(id);

	/* Ids of calls are echoed with their type: "1" is not 1. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"a\"}}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"b\"}}}");
	wait_reply(0);
	id = json_string("1");
	ck_assert(WAIT_FOR((pump(), reply_for(id) != NULL), 5000));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(reply_for(id), "result"), "structuredContent"),
	    "text")), "a");
	json_decref(id);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(reply_int(0), "result"), "structuredContent"),
	    "text")), "b");
	ck_assert_ptr_null(reply_int(1));

	/* The text content is the structured result, whatever it holds. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":"
	    "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\\u00e9\\u2028/\"}}}");
	res = json_object_get(wait_reply(9), "result");
	text = json_loads(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "content"), 0), "text")), 0, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert(json_equal(text, json_object_get(res, "structuredContent")));
	ck_assert_str_eq(json_string_value(json_object_get(text, "text")),
	    "q\"b\\n\n\t\001\037\xc3\xa9\xe2\x80\xa8/");
	json_decref(text);
	proto_session_free(s);
}
END_TEST

START_TEST(invalid_argument_is_error)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *res;
	const char *text;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{}}}");
	res = json_object_get(reply_int(1), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	text = json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "content"), 0), "text"));
	ck_assert_ptr_nonnull(strstr(text, "\"text\""));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":5}}}");
	res = json_object_get(reply_int(2), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	text = json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "content"), 0), "text"));
	ck_assert_ptr_nonnull(strstr(text, "arguments.text"));
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 0);
	proto_session_free(s);
}
END_TEST

START_TEST(tools_list_pages)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	char cursor[64] = "";
	json_t *res, *tools;
	const char *next;
	int id = 1;
	size_t i = 0;

	for (;;) {
		if (cursor[0] == '\0')
			say(s, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":"
			    "\"tools/list\"}", id);
		else
			say(s, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":"
			    "\"tools/list\",\"params\":{\"cursor\":\"%s\"}}",
			    id, cursor);
		res = json_object_get(reply_int(id), "result");
		ck_assert_ptr_nonnull(res);
		tools = json_object_get(res, "tools");
		ck_assert_uint_eq(json_array_size(tools), 1);
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_array_get(tools, 0), "name")), test_tools[i].name);
		ck_assert_ptr_nonnull(json_object_get(json_array_get(tools, 0),
		    "outputSchema"));
		i++;
		id++;
		if ((next = json_string_value(json_object_get(res,
		    "nextCursor"))) == NULL)
			break;
		snprintf(cursor, sizeof cursor, "%s", next);
	}
	ck_assert_uint_eq(i, registry_ntools(reg));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":100,\"method\":\"tools/list\","
	    "\"params\":{\"cursor\":\"zzz\"}}");
	ck_assert_int_eq(error_code(reply_int(100)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":101,\"method\":\"tools/list\","
	    "\"params\":{\"cursor\":\"99\"}}");
	ck_assert_int_eq(error_code(reply_int(101)), JR_INVALID_PARAMS);
	proto_session_free(s);

	/* 2024-11-05 has no outputSchema, title or annotations. */
	json_array_clear(msgs);
	s = ready_session("2024-11-05", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	tools = json_object_get(json_object_get(reply_int(1), "result"),
	    "tools");
	ck_assert_ptr_null(json_object_get(json_array_get(tools, 0),
	    "outputSchema"));
	ck_assert_ptr_null(json_object_get(json_array_get(tools, 0),
	    "annotations"));
	ck_assert_ptr_nonnull(json_object_get(json_array_get(tools, 0),
	    "inputSchema"));
	proto_session_free(s);
}
END_TEST

START_TEST(cancel_sends_nothing)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	size_t i;
	json_t *m;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\",\"arguments\":{}}}");
	ck_assert(WAIT_FOR(atomic_load(&hold_entered) == 1, 5000));
	ck_assert_int_eq(proto_session_inflight(s), 1);
	/* Unknown and malformed cancellations are ignored. */
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":\"5\"}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{}}");
	ck_assert_int_eq(proto_session_inflight(s), 1);
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":5,\"reason\":\"user\"}}");
	ck_assert_int_eq(proto_session_inflight(s), 0);
	ck_assert(WAIT_FOR((pump(), proto_ctx_outstanding(ctx) == 0), 5000));
	ck_assert_int_eq(atomic_load(&hold_saw_stop), 1);
	json_array_foreach(msgs, i, m)
		ck_assert_msg(0, "unexpected message after cancel: %s",
		    json_string_value(json_object_get(m, "method")));
	/* The session still works. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
	ck_assert_ptr_nonnull(reply_int(6));
	proto_session_free(s);
}
END_TEST

START_TEST(progress_before_result)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *m, *p;
	size_t i, nprog = 0, result_at = 0;
	double last = 0;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_progress\",\"arguments\":{\"steps\":4},"
	    "\"_meta\":{\"progressToken\":\"tok\"}}}");
	wait_reply(9);
	json_array_foreach(msgs, i, m) {
		if (json_object_get(m, "id") != NULL) {
			result_at = i;
			continue;
		}
		ck_assert_str_eq(json_string_value(json_object_get(m,
		    "method")), "notifications/progress");
		p = json_object_get(m, "params");
		ck_assert_str_eq(json_string_value(json_object_get(p,
		    "progressToken")), "tok");
		ck_assert(json_number_value(json_object_get(p, "progress")) >
		    last);
		last = json_number_value(json_object_get(p, "progress"));
		ck_assert_int_eq(json_integer_value(json_object_get(p,
		    "total")), 4);
		ck_assert_ptr_nonnull(json_object_get(p, "message"));
		ck_assert_uint_lt(i, result_at == 0 ? SIZE_MAX : result_at);
		nprog++;
	}
	ck_assert_uint_eq(nprog, 4);
	ck_assert_uint_eq(result_at, json_array_size(msgs) - 1);

	/* Without a token: no progress at all. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_progress\",\"arguments\":{}}}");
	wait_reply(10);
	ck_assert_uint_eq(json_array_size(msgs), 1);
	proto_session_free(s);
}
END_TEST

START_TEST(replies_out_of_order)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *slow = json_string("slow"), *fast = json_string("fast");

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	ck_assert(WAIT_FOR(atomic_load(&hold_entered) == 1, 5000));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"fast\",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"x\"}}}");
	ck_assert(WAIT_FOR((pump(), reply_for(fast) != NULL), 5000));
	ck_assert_ptr_null(reply_for(slow));
	/* The same id again while in flight is refused. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	ck_assert_int_eq(error_code(reply_for(slow)), JR_INVALID_REQUEST);
	json_array_clear(msgs);
	atomic_store(&hold_release, true);
	ck_assert(WAIT_FOR((pump(), reply_for(slow) != NULL), 5000));
	ck_assert(json_is_true(json_object_get(json_object_get(json_object_get(
	    reply_for(slow), "result"), "structuredContent"), "held")));
	json_decref(slow);
	json_decref(fast);
	proto_session_free(s);
}
END_TEST

START_TEST(batches)
{
	struct proto_session *s = ready_session("2025-03-26", "c", 0);
	json_t *batch, *m, *id;
	size_t i;
	int seen = 0;

	say(s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"b\"}}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
	    "{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-03-26\"}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"nope\"}]");
	ck_assert(WAIT_FOR((pump(), json_array_size(msgs) > 0), 5000));
	ck_assert_uint_eq(json_array_size(msgs), 1);
	batch = json_array_get(msgs, 0);
	ck_assert(json_is_array(batch));
	ck_assert_uint_eq(json_array_size(batch), 5);
	json_array_foreach(batch, i, m) {
		switch (json_integer_value(json_object_get(m, "id"))) {
		case 1:
			ck_assert_ptr_nonnull(json_object_get(m, "result"));
			break;
		case 2:
			/* 2025-03-26 has no structuredContent. */
			ck_assert_ptr_null(json_object_get(json_object_get(m,
			    "result"), "structuredContent"));
			ck_assert_ptr_nonnull(json_object_get(m, "result"));
			break;
		case 3:
		case 4:
			ck_assert_int_eq(error_code(m), JR_INVALID_REQUEST);
			break;
		case 5:
			ck_assert_int_eq(error_code(m), JR_METHOD_NOT_FOUND);
			break;
		default:
			ck_abort_msg("unexpected reply");
		}
		seen++;
	}
	ck_assert_int_eq(seen, 5);
	json_array_clear(msgs);
	say(s, "[]");
	id = json_null();
	ck_assert_int_eq(error_code(reply_for(id)), JR_INVALID_REQUEST);
	/* Only notifications: no reply at all. */
	json_array_clear(msgs);
	say(s, "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}]");
	ck_assert_uint_eq(json_array_size(msgs), 0);
	proto_session_free(s);

	/* Elsewhere an array is one -32600 with id null. */
	s = ready_session("2025-11-25", "c", 0);
	say(s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
	ck_assert_uint_eq(json_array_size(msgs), 1);
	ck_assert_int_eq(error_code(reply_for(id)), JR_INVALID_REQUEST);
	ck_assert_ptr_null(reply_int(1));
	json_decref(id);
	proto_session_free(s);
}
END_TEST

START_TEST(logging_failures)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *m;
	size_t i;
	int logged = 0;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\","
	    "\"params\":{\"level\":\"loud\"}}");
	ck_assert_int_eq(error_code(reply_int(1)), JR_INVALID_PARAMS);
	/* No level set: a failure is not logged. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_fail\"}}");
	wait_reply(2);
	ck_assert(json_is_true(json_object_get(json_object_get(reply_int(2),
	    "result"), "isError")));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\","
	    "\"params\":{\"level\":\"warning\"}}");
	ck_assert_ptr_nonnull(json_object_get(reply_int(3), "result"));
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_fail\"}}");
	wait_reply(4);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{}}}");
	json_array_foreach(msgs, i, m) {
		if (json_object_get(m, "method") == NULL)
			continue;
		ck_assert_str_eq(json_string_value(json_object_get(m,
		    "method")), "notifications/message");
		logged++;
	}
	ck_assert_int_eq(logged, 2);
	proto_session_free(s);
}
END_TEST

/* The messages whose method is method (new array). */
static json_t *
with_method(const char *method)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(msgs, i, m) {
		if (json_is_string(json_object_get(m, "method")) &&
		    strcmp(json_string_value(json_object_get(m, "method")),
		    method) == 0)
			json_array_append(out, m);
	}
	return (out);
}

START_TEST(tool_content_and_log)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *res, *content, *log, *m;
	size_t i, reply_at = 0;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_content\"}}");
	res = json_object_get(wait_reply(1), "result");
	content = json_object_get(res, "content");
	ck_assert_uint_eq(json_array_size(content), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    content, 0), "type")), "image");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    content, 1), "text")), "a picture");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    res, "structuredContent"), "n")), 1);
	ck_assert(json_is_false(json_object_get(res, "isError")));
	/* racktop's own shape is untouched: one text block of the JSON. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":"
	    "\"x\"}}}");
	content = json_object_get(json_object_get(wait_reply(2), "result"),
	    "content");
	ck_assert_uint_eq(json_array_size(content), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    content, 0), "text")), "{\"text\":\"x\"}");

	/* No level set: a tool's messages are not sent. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_log\"}}");
	wait_reply(3);
	log = with_method("notifications/message");
	ck_assert_uint_eq(json_array_size(log), 0);
	json_decref(log);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"logging/setLevel\","
	    "\"params\":{\"level\":\"info\"}}");
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_log\"}}");
	wait_reply(5);
	log = with_method("notifications/message");
	ck_assert_uint_eq(json_array_size(log), 2);
	m = json_object_get(json_array_get(log, 0), "params");
	ck_assert_str_eq(json_string_value(json_object_get(m, "level")),
	    "info");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m,
	    "data"), "message")), "started here");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m,
	    "data"), "tool")), "t_log");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(log, 1), "params"), "level")), "error");
	json_decref(log);
	/* Sent before the reply, like progress. */
	json_array_foreach(msgs, i, m) {
		if (json_object_get(m, "method") == NULL)
			reply_at = i;
	}
	ck_assert_uint_eq(reply_at, json_array_size(msgs) - 1);
	proto_session_free(s);
}
END_TEST

/* Our request to the client with this method: its id, or NULL. */
static const char *
asked(const char *method)
{
	json_t *a = with_method(method);
	const char *id = NULL;

	if (json_array_size(a) == 1)
		id = json_string_value(json_object_get(json_array_get(a, 0),
		    "id"));
	json_decref(a);
	return (id);
}

START_TEST(tool_asks_client)
{
	struct proto_session *s = session(0), *bare;
	json_t *res;
	char id[64];

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1000,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
	    "{\"sampling\":{},\"elicitation\":{}},\"clientInfo\":{\"name\":"
	    "\"c\",\"version\":\"1\"}}}");
	json_array_clear(msgs);

	/* Asked, answered: the tool's next step gets the answer. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_ask\"}}");
	ck_assert(WAIT_FOR((pump(), asked("sampling/createMessage") != NULL),
	    5000));
	snprintf(id, sizeof id, "%s", asked("sampling/createMessage"));
	ck_assert_ptr_null(reply_int(1));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{\"role\":"
	    "\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hi\"}}}",
	    id);
	res = json_object_get(json_object_get(wait_reply(1), "result"),
	    "structuredContent");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(res, "answer"), "content"), "text")), "hi");
	ck_assert_int_eq(json_integer_value(json_object_get(res, "steps")), 2);

	/* An error answer fails the call, naming the method. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_ask\",\"arguments\":{\"method\":"
	    "\"elicitation/create\"}}}");
	ck_assert(WAIT_FOR((pump(), asked("elicitation/create") != NULL),
	    5000));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"error\":{\"code\":"
	    "-1,\"message\":\"user went away\"}}", asked("elicitation/create"));
	res = json_object_get(wait_reply(2), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_array_get(json_object_get(res, "content"), 0), "text")),
	    "elicitation/create with an error: user went away"));

	/* Cancelled while asked: no reply, and a late answer is dropped. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_ask\"}}");
	ck_assert(WAIT_FOR((pump(), asked("sampling/createMessage") != NULL),
	    5000));
	snprintf(id, sizeof id, "%s", asked("sampling/createMessage"));
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":3}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{}}", id);
	pump();
	ck_assert_ptr_null(reply_int(3));
	ck_assert_int_eq(proto_session_inflight(s), 0);

	/* Asked, then the session goes: nothing leaks (ASan). */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_ask\"}}");
	ck_assert(WAIT_FOR((pump(), proto_ctx_outstanding(ctx) == 0), 5000));
	proto_session_free(s);

	/* A client without the capability is never asked. */
	bare = ready_session("2025-11-25", "c", 0);
	say(bare, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_ask\"}}");
	res = json_object_get(wait_reply(1), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_array_get(json_object_get(res, "content"), 0), "text")),
	    "did not declare that capability"));
	ck_assert_ptr_null(asked("sampling/createMessage"));
	proto_session_free(bare);
}
END_TEST

START_TEST(cli_identity)
{
	struct proto_session *s;
	json_t *res;

	/* An agent is refused a destructive tool. */
	s = ready_session("2025-11-25", "racktop-cli", 0);
	ck_assert_int_eq(proto_session_caller(s)->source, RT_SRC_AGENT);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	res = json_object_get(reply_int(1), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	proto_session_free(s);
	/* racktop's own executable saying racktop-cli is the CLI. */
	json_array_clear(msgs);
	s = ready_session("2025-11-25", "racktop-cli", PROTO_PEER_RACKTOP);
	ck_assert_int_eq(proto_session_caller(s)->source, RT_SRC_CLI);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	res = json_object_get(wait_reply(2), "result");
	ck_assert(json_is_false(json_object_get(res, "isError")));
	ck_assert_int_eq(atomic_load(&wipe_runs), 1);
	proto_session_free(s);
	/* racktop under another name (the bridge) is an agent. */
	json_array_clear(msgs);
	s = ready_session("2025-11-25", "claude", PROTO_PEER_RACKTOP);
	ck_assert_int_eq(proto_session_caller(s)->source, RT_SRC_AGENT);
	proto_session_free(s);
}
END_TEST

START_TEST(disconnect_cancels)
{
	struct proto_session *s = ready_session("2025-11-25", "c", 0);

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\",\"_meta\":{\"progressToken\":1}}}");
	ck_assert(WAIT_FOR(atomic_load(&hold_entered) == 1, 5000));
	proto_session_free(s);
	ck_assert(WAIT_FOR((pump(), proto_ctx_outstanding(ctx) == 0), 5000));
	ck_assert_int_eq(atomic_load(&hold_saw_stop), 1);
	ck_assert_uint_eq(json_array_size(msgs), 0);
}
END_TEST

/* A fixture with two calls in flight at most. */
static void
setup_limits(void)
{
	struct proto_config pc = { 100, 2, 0, NULL };

	setup_with(&pc);
}

START_TEST(limits)
{
	struct proto_config rate = { 100, 0, 2, NULL };
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	struct proto_ctx *saved = ctx;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_TOO_MANY_INFLIGHT);
	atomic_store(&hold_release, true);
	wait_reply(1);
	wait_reply(2);
	/* Room again once replies came back. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_hold\"}}");
	wait_reply(4);
	proto_session_free(s);

	/* Two calls a second: the third in a row is refused. */
	json_array_clear(msgs);
	ctx = proto_ctx_create(reg, pool, &rate);
	s = ready_session("2025-11-25", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"x\"}}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"x\"}}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_echo\",\"arguments\":{\"text\":\"x\"}}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_RATE_LIMITED);
	wait_reply(1);
	wait_reply(2);
	proto_session_free(s);
	proto_ctx_destroy(ctx);
	ctx = saved;
}
END_TEST

/* A context without a pool: calls run inline (the fuzzer's mode). */
START_TEST(inline_calls)
{
	struct proto_ctx *saved = ctx;
	struct proto_session *s;

	ctx = proto_ctx_create(reg, NULL, NULL);
	s = ready_session("2025-06-18", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_progress\",\"arguments\":{\"steps\":2},"
	    "\"_meta\":{\"progressToken\":7}}}");
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 1);
	pump();
	ck_assert_uint_eq(json_array_size(msgs), 3);
	ck_assert_ptr_nonnull(reply_int(1));
	proto_session_free(s);
	proto_ctx_destroy(ctx);
	ctx = saved;
}
END_TEST


/* The _meta every modern request carries, as a JSON member. */
#define MODERN_META(name) "\"_meta\":{" \
	"\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
	"\"io.modelcontextprotocol/clientCapabilities\":{}," \
	"\"io.modelcontextprotocol/clientInfo\":{\"name\":\"" name "\"," \
	"\"version\":\"2\"}}"
#define MM MODERN_META("mt")

/* The result of a reply (borrowed), asserting it is one. */
static json_t *
result_of(json_t *m)
{
	json_t *r = json_object_get(m, "result");

	ck_assert_msg(json_is_object(r), "not a result: %s",
	    m != NULL ? json_dumps(m, JSON_COMPACT) : "(none)");
	return (r);
}

/* Asserts a modern complete result, cacheable or not. */
static json_t *
complete_result(json_t *m, bool cacheable, const char *scope)
{
	json_t *r = result_of(m);

	ck_assert_str_eq(json_string_value(json_object_get(r, "resultType")),
	    "complete");
	if (!cacheable) {
		ck_assert_ptr_null(json_object_get(r, "ttlMs"));
		return (r);
	}
	ck_assert(json_integer_value(json_object_get(r, "ttlMs")) >= 0);
	ck_assert(json_is_integer(json_object_get(r, "ttlMs")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "cacheScope")),
	    scope);
	return (r);
}

/* The notifications with this method sent so far (new array). */
static json_t *
notes(const char *method)
{
	json_t *a = json_array(), *m;
	size_t i;

	json_array_foreach(msgs, i, m) {
		if (json_string_value(json_object_get(m, "method")) != NULL &&
		    strcmp(json_string_value(json_object_get(m, "method")),
		    method) == 0)
			json_array_append(a, m);
	}
	return (a);
}

/* Publishes {"n": n} into instance i, as its poller would. */
static void
publish(size_t i, int n)
{
	snapshot_publish(&registry_instance_at(reg, i)->slot,
	    json_pack("{s:i}", "n", n));
}

START_TEST(modern_discover_and_rules)
{
	struct proto_session *s = session(0);
	json_t *r, *d, *v;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\","
	    "\"params\":{" MM "}}");
	r = complete_result(reply_int(1), true, "public");
	ck_assert_str_eq(proto_session_version(s), "2026-07-28");
	v = json_object_get(r, "supportedVersions");
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "2026-07-28");
	ck_assert_uint_eq(json_array_size(v), 5);
	ck_assert(json_is_object(json_object_get(json_object_get(r,
	    "capabilities"), "resources")));
	ck_assert(json_is_object(json_object_get(json_object_get(r,
	    "capabilities"), "prompts")));
	ck_assert(json_is_object(json_object_get(json_object_get(r,
	    "capabilities"), "completions")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(r, "_meta"), "io.modelcontextprotocol/serverInfo"),
	    "name")), "racktop");

	/* ping and logging/setLevel are gone. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\","
	    "\"params\":{" MM "}}");
	ck_assert_int_eq(error_code(reply_int(2)), JR_METHOD_NOT_FOUND);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\","
	    "\"params\":{" MM ",\"level\":\"debug\"}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_METHOD_NOT_FOUND);

	/* _meta: missing, without capabilities, bad version. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
	ck_assert_int_eq(error_code(reply_int(4)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\","
	    "\"params\":{\"_meta\":{\"io.modelcontextprotocol/"
	    "protocolVersion\":\"2026-07-28\"}}}");
	ck_assert_int_eq(error_code(reply_int(5)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\","
	    "\"params\":{\"_meta\":{\"io.modelcontextprotocol/clientCapabilities"
	    "\":{},\"io.modelcontextprotocol/protocolVersion\":\"1900-01-01\"}}}");
	ck_assert_int_eq(error_code(reply_int(6)), JR_UNSUPPORTED_VERSION);
	d = json_object_get(json_object_get(reply_int(6), "error"), "data");
	ck_assert_str_eq(json_string_value(json_object_get(d, "requested")),
	    "1900-01-01");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(d,
	    "supported"), 0)), "2026-07-28");
	/* A legacy version in _meta is not served statelessly either. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\","
	    "\"params\":{\"_meta\":{\"io.modelcontextprotocol/clientCapabilities"
	    "\":{},\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\"}}}");
	ck_assert_int_eq(error_code(reply_int(7)), JR_UNSUPPORTED_VERSION);

	/* initialize on a modern connection: -32022 with our versions. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
	    "\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}");
	ck_assert_int_eq(error_code(reply_int(8)), JR_UNSUPPORTED_VERSION);
	d = json_object_get(json_object_get(reply_int(8), "error"), "data");
	ck_assert_uint_eq(json_array_size(json_object_get(d, "supported")), 5);
	ck_assert_str_eq(proto_session_version(s), "2026-07-28");

	/* Lists and calls carry resultType; lists the caching hints. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\","
	    "\"params\":{" MM "}}");
	r = complete_result(reply_int(9), true, "public");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tools")), 1);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/list\","
	    "\"params\":{" MM ",\"cursor\":\"%s\"}}", json_string_value(
	    json_object_get(r, "nextCursor")));
	complete_result(reply_int(10), true, "public");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\","
	    "\"params\":{" MM ",\"name\":\"t_echo\",\"arguments\":"
	    "{\"text\":\"hi\"}}}");
	r = complete_result(wait_reply(11), false, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "structuredContent"), "text")), "hi");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\","
	    "\"params\":{" MM ",\"name\":\"t_fail\"}}");
	r = complete_result(wait_reply(12), false, NULL);
	ck_assert(json_is_true(json_object_get(r, "isError")));
	/* Refused before running: still a complete result. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\","
	    "\"params\":{" MM ",\"name\":\"t_echo\",\"arguments\":{}}}");
	complete_result(reply_int(13), false, NULL);

	/* No batches. */
	say(s, "[{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"tools/list\","
	    "\"params\":{" MM "}}]");
	ck_assert_int_eq(error_code(reply_for(json_null())),
	    JR_INVALID_REQUEST);
	proto_session_free(s);
}
END_TEST

START_TEST(era_by_first_request)
{
	struct proto_session *s;

	/* Legacy first: server/discover is unknown there. */
	s = ready_session("2025-11-25", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\","
	    "\"params\":{" MM "}}");
	ck_assert_int_eq(error_code(reply_int(1)), JR_METHOD_NOT_FOUND);
	ck_assert_str_eq(proto_session_version(s), "2025-11-25");
	proto_session_free(s);

	/* A modern request without discover makes the connection modern. */
	json_array_clear(msgs);
	s = session(0);
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":9}}");
	ck_assert_ptr_null(proto_session_version(s));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\","
	    "\"params\":{" MM "}}");
	complete_result(reply_int(2), true, "public");
	ck_assert_str_eq(proto_session_version(s), "2026-07-28");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_UNSUPPORTED_VERSION);
	proto_session_free(s);

	/* A legacy request without _meta before initialize stays legacy. */
	json_array_clear(msgs);
	s = session(0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
	ck_assert_int_eq(error_code(reply_int(4)), JR_INVALID_REQUEST);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
	result_of(reply_int(5));
	ck_assert_str_eq(proto_session_version(s), "2025-06-18");
	proto_session_free(s);
}
END_TEST

START_TEST(modern_identity_and_logging)
{
	struct proto_session *s;
	json_t *r, *log;

	/* The first request names the client; later ones change nothing. */
	s = session(PROTO_PEER_RACKTOP);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\","
	    "\"params\":{" MODERN_META("racktop-cli") "}}");
	ck_assert_int_eq(proto_session_caller(s)->source, RT_SRC_CLI);
	ck_assert_str_eq(proto_session_caller(s)->client, "racktop-cli/2");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{" MODERN_META("other") ",\"name\":\"t_wipe\"}}");
	r = complete_result(wait_reply(2), false, NULL);
	ck_assert(json_is_false(json_object_get(r, "isError")));
	ck_assert_str_eq(proto_session_caller(s)->client, "racktop-cli/2");
	proto_session_free(s);

	/* An agent first stays an agent. */
	json_array_clear(msgs);
	s = session(PROTO_PEER_RACKTOP);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server/discover\","
	    "\"params\":{" MODERN_META("claude") "}}");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{" MODERN_META("racktop-cli") ",\"name\":\"t_wipe\"}}");
	r = complete_result(reply_int(4), false, NULL);
	ck_assert(json_is_true(json_object_get(r, "isError")));
	ck_assert_int_eq(proto_session_caller(s)->source, RT_SRC_AGENT);

	/* notifications/message only for requests that ask, per request. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{" MM ",\"name\":\"t_fail\"}}");
	wait_reply(5);
	log = notes("notifications/message");
	ck_assert_uint_eq(json_array_size(log), 0);
	json_decref(log);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\","
	    "\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
	    "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
	    "\"io.modelcontextprotocol/logLevel\":\"warning\"},"
	    "\"name\":\"t_fail\"}}");
	wait_reply(6);
	log = notes("notifications/message");
	ck_assert_uint_eq(json_array_size(log), 1);
	json_decref(log);
	proto_session_free(s);
}
END_TEST

/* Checks one resources/read reply's contents against the instance. */
static json_t *
read_envelope(json_t *m, const char *uri)
{
	json_t *c, *env;

	c = json_object_get(result_of(m), "contents");
	ck_assert_uint_eq(json_array_size(c), 1);
	c = json_array_get(c, 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "uri")), uri);
	ck_assert_str_eq(json_string_value(json_object_get(c, "mimeType")),
	    "application/json");
	env = json_loads(json_string_value(json_object_get(c, "text")), 0,
	    NULL);
	ck_assert_ptr_nonnull(env);
	return (env);
}

START_TEST(resources_both_eras)
{
	static const char u1[] = "racktop://t/one/snapshot";
	struct proto_session *s;
	json_t *r, *env, *d;

	/* Legacy (2024-11-05): no titles; not found is -32002. */
	s = ready_session("2024-11-05", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
	r = result_of(reply_int(1));
	/* Two instances, then the problems of all. */
	ck_assert_uint_eq(json_array_size(json_object_get(r, "resources")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "resources"), 0), "uri")), u1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "resources"), 2), "uri")), "racktop://problems");
	ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(r,
	    "resources"), 0), "title"));
	ck_assert_ptr_null(json_object_get(r, "resultType"));
	/* Before any poll: one content all the same, data null. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\","
	    "\"params\":{\"uri\":\"%s\"}}", u1);
	env = read_envelope(reply_int(2), u1);
	ck_assert(json_is_null(json_object_get(env, "data")));
	ck_assert_str_eq(json_string_value(json_object_get(env, "error")),
	    "not polled yet");
	json_decref(env);
	publish(0, 7);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\","
	    "\"params\":{\"uri\":\"%s\"}}", u1);
	env = read_envelope(reply_int(3), u1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    env, "data"), "n")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(env,
	    "generation")), 1);
	json_decref(env);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\","
	    "\"params\":{\"uri\":\"racktop://t/three/snapshot\"}}");
	ck_assert_int_eq(error_code(reply_int(4)), JR_RESOURCE_NOT_FOUND);
	d = json_object_get(json_object_get(reply_int(4), "error"), "data");
	ck_assert_str_eq(json_string_value(json_object_get(d, "uri")),
	    "racktop://t/three/snapshot");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"resources/read\","
	    "\"params\":{}}");
	ck_assert_int_eq(error_code(reply_int(5)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":"
	    "\"resources/templates/list\"}");
	r = result_of(reply_int(6));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "resourceTemplates"), 0), "uriTemplate")),
	    "racktop://{service}/{instance}/snapshot");
	proto_session_free(s);

	/* Modern: caching hints, private data; not found is -32602. */
	json_array_clear(msgs);
	s = session(0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/list\","
	    "\"params\":{" MM "}}");
	r = complete_result(reply_int(7), true, "private");
	ck_assert_ptr_nonnull(json_object_get(json_array_get(json_object_get(r,
	    "resources"), 1), "title"));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\","
	    "\"params\":{" MM ",\"uri\":\"%s\"}}", u1);
	complete_result(reply_int(8), true, "private");
	env = read_envelope(reply_int(8), u1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    env, "data"), "n")), 7);
	json_decref(env);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\","
	    "\"params\":{" MM ",\"uri\":\"file:///etc/passwd\"}}");
	ck_assert_int_eq(error_code(reply_int(9)), JR_INVALID_PARAMS);
	ck_assert_ptr_null(json_object_get(reply_int(9), "result"));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":"
	    "\"resources/templates/list\",\"params\":{" MM "}}");
	complete_result(reply_int(10), true, "public");
	proto_session_free(s);
}
END_TEST

START_TEST(subscriptions_legacy)
{
	static const char u1[] = "racktop://t/one/snapshot";
	struct proto_session *s = ready_session("2025-11-25", "c", 0);
	json_t *n;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"resources/subscribe\",\"params\":{\"uri\":\"%s\"}}", u1);
	result_of(reply_int(1));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
	    "\"resources/subscribe\",\"params\":{\"uri\":\"racktop://x\"}}");
	ck_assert_int_eq(error_code(reply_int(2)), JR_RESOURCE_NOT_FOUND);
	publish(1, 1);		/* not subscribed */
	publish(0, 1);
	pump();
	n = notes("notifications/resources/updated");
	ck_assert_uint_eq(json_array_size(n), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(n, 0), "params"), "uri")), u1);
	json_decref(n);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
	    "\"resources/unsubscribe\",\"params\":{\"uri\":\"%s\"}}", u1);
	result_of(reply_int(3));
	publish(0, 2);
	pump();
	n = notes("notifications/resources/updated");
	ck_assert_uint_eq(json_array_size(n), 1);
	json_decref(n);
	proto_session_free(s);
}
END_TEST

START_TEST(subscriptions_modern)
{
	static const char u2[] = "racktop://t/two/snapshot";
	struct proto_session *s = session(0);
	json_t *n, *p;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"sub-1\",\"method\":"
	    "\"subscriptions/listen\",\"params\":{" MM ",\"notifications\":{"
	    "\"toolsListChanged\":true,\"resourceSubscriptions\":[\"%s\","
	    "\"racktop://t/zzz/snapshot\"]}}}", u2);
	n = notes("notifications/subscriptions/acknowledged");
	ck_assert_uint_eq(json_array_size(n), 1);
	p = json_object_get(json_array_get(n, 0), "params");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(p,
	    "_meta"), "io.modelcontextprotocol/subscriptionId")), "sub-1");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(p,
	    "notifications"), "resourceSubscriptions")), 1);
	ck_assert_ptr_null(json_object_get(json_object_get(p,
	    "notifications"), "toolsListChanged"));
	json_decref(n);
	/* The acknowledgement comes first; the listen is never answered. */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs,
	    0), "method")), "notifications/subscriptions/acknowledged");
	ck_assert_uint_eq(json_array_size(msgs), 1);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"sub-1\",\"method\":"
	    "\"subscriptions/listen\",\"params\":{" MM ",\"notifications\":{}}}");
	ck_assert_int_eq(error_code(reply_for(json_object_get(json_array_get(
	    msgs, 1), "id"))), JR_INVALID_REQUEST);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"resources/subscribe\",\"params\":{" MM ",\"uri\":\"%s\"}}", u2);
	ck_assert_int_eq(error_code(reply_int(1)), JR_METHOD_NOT_FOUND);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
	    "\"subscriptions/listen\",\"params\":{" MM "}}");
	ck_assert_int_eq(error_code(reply_int(2)), JR_INVALID_PARAMS);

	publish(0, 1);
	publish(1, 1);
	pump();
	n = notes("notifications/resources/updated");
	ck_assert_uint_eq(json_array_size(n), 1);
	p = json_object_get(json_array_get(n, 0), "params");
	ck_assert_str_eq(json_string_value(json_object_get(p, "uri")), u2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(p,
	    "_meta"), "io.modelcontextprotocol/subscriptionId")), "sub-1");
	json_decref(n);

	/* Cancelled: nothing more, not even a reply. */
	json_array_clear(msgs);
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":\"sub-1\"}}");
	publish(1, 2);
	pump();
	ck_assert_uint_eq(json_array_size(msgs), 0);

	/* The server stopping ends a subscription with its result. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":\"sub-2\",\"method\":"
	    "\"subscriptions/listen\",\"params\":{" MM ",\"notifications\":{"
	    "\"resourceSubscriptions\":[\"%s\"]}}}", u2);
	proto_session_shutdown(s);
	collect();
	p = json_object_get(result_of(json_array_get(msgs, 1)), "_meta");
	ck_assert_str_eq(json_string_value(json_object_get(p,
	    "io.modelcontextprotocol/subscriptionId")), "sub-2");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs,
	    1), "id")), "sub-2");
	publish(1, 3);
	pump();
	ck_assert_uint_eq(json_array_size(msgs), 2);
	proto_session_free(s);
}
END_TEST

START_TEST(prompts_and_completion)
{
	struct proto_session *s;
	json_t *r, *v;
	const char *text;

	s = ready_session("2025-06-18", "c", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}");
	r = result_of(reply_int(1));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "prompts")), 2);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\","
	    "\"params\":{\"name\":\"homelab_health_check\"}}");
	r = result_of(reply_int(2));
	text = json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(r, "messages"), 0), "content"),
	    "text"));
	ck_assert_ptr_nonnull(strstr(text, "t_echo"));
	ck_assert_ptr_nonnull(strstr(text, "racktop://t/two/snapshot"));
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/get\","
	    "\"params\":{\"name\":\"investigate\",\"arguments\":{\"kind\":"
	    "\"guest\"}}}");
	ck_assert_int_eq(error_code(reply_int(3)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\","
	    "\"params\":{\"name\":\"nope\"}}");
	ck_assert_int_eq(error_code(reply_int(4)), JR_INVALID_PARAMS);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"prompts/get\","
	    "\"params\":{\"name\":\"investigate\",\"arguments\":{\"kind\":"
	    "\"client\",\"target\":\"laptop\"}}}");
	r = result_of(reply_int(5));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "messages"), 0), "role")), "user");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"completion/complete\","
	    "\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":"
	    "\"investigate\"},\"argument\":{\"name\":\"kind\",\"value\":\"c\"}}}");
	v = json_object_get(json_object_get(result_of(reply_int(6)),
	    "completion"), "values");
	ck_assert_uint_eq(json_array_size(v), 1);
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "client");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"completion/complete\","
	    "\"params\":{\"ref\":{\"type\":\"ref/resource\",\"uri\":"
	    "\"racktop://{service}/{instance}/snapshot\"},\"argument\":{"
	    "\"name\":\"instance\",\"value\":\"t\"},\"context\":{\"arguments\":"
	    "{\"service\":\"t\"}}}}");
	v = json_object_get(json_object_get(result_of(reply_int(7)),
	    "completion"), "values");
	ck_assert_uint_eq(json_array_size(v), 1);
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "two");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"completion/complete\","
	    "\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},"
	    "\"argument\":{\"name\":\"x\",\"value\":\"\"}}}");
	ck_assert_int_eq(error_code(reply_int(8)), JR_INVALID_PARAMS);
	proto_session_free(s);

	/* Modern: the same, with resultType and caching on the list. */
	json_array_clear(msgs);
	s = session(0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"prompts/list\","
	    "\"params\":{" MM "}}");
	complete_result(reply_int(9), true, "public");
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"prompts/get\","
	    "\"params\":{" MM ",\"name\":\"investigate\",\"arguments\":{"
	    "\"kind\":\"guest\",\"target\":\"101\",\"instance\":\"one\"}}}");
	complete_result(reply_int(10), false, NULL);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":"
	    "\"completion/complete\",\"params\":{" MM ",\"ref\":{\"type\":"
	    "\"ref/prompt\",\"name\":\"homelab_health_check\"},\"argument\":{"
	    "\"name\":\"service\",\"value\":\"\"}}}");
	r = complete_result(reply_int(11), false, NULL);
	v = json_object_get(json_object_get(r, "completion"), "values");
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "t");
	proto_session_free(s);
}
END_TEST

/* The suite. */
/* The approval fixture: a broker whose decider is this thread. */
static struct approval *broker;

/* The default fixture, with a broker attached as if a dashboard ran. */
static void
setup_approval(void)
{
	struct proto_config pc = { 100, 0, 0, NULL };

	broker = approval_create(clock_scaled_ms(1500));
	approval_attach(broker, true);
	pc.approval = broker;
	setup_with(&pc);
}

/* Tears down the fixture, then the broker (nothing is held by then). */
static void
teardown_approval(void)
{
	teardown();
	approval_destroy(broker);
}

/* The decider's next request (not a withdrawal); its id. */
static uint64_t
next_request(const char *tool)
{
	struct approval_req *r, *next;
	uint64_t id = 0;

	ck_assert(WAIT_FOR((r = approval_take(broker)) != NULL, 2000));
	for (; r != NULL; r = next) {
		next = r->next;
		if (!r->withdrawn && id == 0) {
			ck_assert_str_eq(r->tool, tool);
			id = r->id;
		}
		approval_req_free(r);
	}
	ck_assert_uint_ne(id, 0);
	return (id);
}

/* Applies decisions and deadlines, as the MCP thread's loop does. */
static void
decide(uint64_t id, enum approval_decision d)
{
	approval_decide(broker, id, d);
	proto_ctx_approvals(ctx);
	collect();
}

START_TEST(approval_held_then_approved)
{
	struct proto_session *s = ready_session("2025-11-25", "agent", 0);
	json_t *m, *res;
	uint64_t id;
	size_t i;
	bool waited = false;

	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\",\"_meta\":{\"progressToken\":"
	    "\"p\"}}}");
	json_array_foreach(msgs, i, m) {
		if (strcmp(json_string_value(json_object_get(m, "method")) ?
		    json_string_value(json_object_get(m, "method")) : "",
		    "notifications/progress") == 0 &&
		    strstr(json_string_value(json_object_get(json_object_get(m,
		    "params"), "message")), "waiting for operator approval"))
			waited = true;
	}
	ck_assert(waited);
	ck_assert_ptr_null(reply_int(1));
	ck_assert_int_eq(approval_held(broker), 1);
	/* Held in the session, not on a worker. */
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 0);
	ck_assert_int_eq(proto_session_inflight(s), 1);
	id = next_request("t_wipe");
	decide(id, APPROVAL_ONCE);
	res = json_object_get(wait_reply(1), "result");
	ck_assert(json_is_false(json_object_get(res, "isError")));
	ck_assert_int_eq(atomic_load(&wipe_runs), 1);

	/* n: denied by operator, never run. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	decide(next_request("t_wipe"), APPROVAL_DENY);
	res = json_object_get(wait_reply(2), "result");
	ck_assert(json_is_true(json_object_get(res, "isError")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "content"), 0), "text")),
	    "denied by operator");
	ck_assert_int_eq(atomic_load(&wipe_runs), 1);
	ck_assert_int_eq(proto_session_inflight(s), 0);
	proto_session_free(s);
}
END_TEST

START_TEST(approval_withdrawn)
{
	struct proto_session *s = ready_session("2025-11-25", "agent", 0);
	uint64_t id;

	/* Cancelled by the client: no reply, and y afterwards runs nothing. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	id = next_request("t_wipe");
	say(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":1}}");
	ck_assert_int_eq(approval_held(broker), 0);
	ck_assert_int_eq(proto_session_inflight(s), 0);
	decide(id, APPROVAL_ONCE);
	pump();
	ck_assert_ptr_null(reply_int(1));
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 0);

	/* The client goes: the same. */
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	id = next_request("t_wipe");
	proto_session_free(s);
	ck_assert_int_eq(approval_held(broker), 0);
	decide(id, APPROVAL_CALLER_TOOL);
	pump();
	ck_assert_int_eq(proto_ctx_outstanding(ctx), 0);
	ck_assert_int_eq(atomic_load(&wipe_runs), 0);
}
END_TEST

START_TEST(approval_grant_and_timeout)
{
	struct proto_session *a = ready_session("2025-11-25", "same", 0);
	struct proto_session *b = ready_session("2025-11-25", "same", 0);
	json_t *res;

	say(a, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	decide(next_request("t_wipe"), APPROVAL_CALLER_TOOL);
	wait_reply(1);
	/* Granted: a's next call runs unasked. */
	say(a, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	ck_assert_int_eq(approval_held(broker), 0);
	res = json_object_get(wait_reply(2), "result");
	ck_assert(json_is_false(json_object_get(res, "isError")));
	ck_assert_int_eq(atomic_load(&wipe_runs), 2);

	/* b claims the same clientInfo on another connection: held. */
	say(b, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"t_wipe\"}}");
	ck_assert_int_eq(approval_held(broker), 1);
	(void)next_request("t_wipe");
	/* Nobody answers: not approved: timed out (after waiting ticks). */
	ck_assert(WAIT_FOR(proto_ctx_approval_ms(ctx) == 0 &&
	    (proto_ctx_approvals(ctx), collect(), reply_int(3) != NULL), 5000));
	res = json_object_get(reply_int(3), "result");
	ck_assert_ptr_nonnull(res);
	ck_assert(json_is_true(json_object_get(res, "isError")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_array_get(json_object_get(res, "content"), 0), "text")),
	    "not approved: timed out"));
	ck_assert_int_eq(atomic_load(&wipe_runs), 2);
	ck_assert_int_eq(proto_ctx_approval_ms(ctx), -1);
	proto_session_free(a);
	proto_session_free(b);
}
END_TEST
START_TEST(read_only_lists_no_write_tool)
{
	struct proto_config pc = { 100, 0, 0, NULL };
	struct proto_ctx *saved = ctx;
	struct proto_session *s;
	json_t *tools, *t;
	size_t i;
	bool wipe = false, echo = false;

	call_policy.read_only = true;
	ctx = proto_ctx_create(reg, pool, &pc);
	call_policy.read_only = false;
	s = ready_session("2025-11-25", "agent", 0);
	say(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	tools = json_object_get(json_object_get(reply_int(1), "result"),
	    "tools");
	json_array_foreach(tools, i, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")),
		    "t_wipe") == 0)
			wipe = true;
		if (strcmp(json_string_value(json_object_get(t, "name")),
		    "t_echo") == 0)
			echo = true;
	}
	ck_assert(!wipe);
	ck_assert(echo);
	proto_session_free(s);
	proto_ctx_destroy(ctx);
	ctx = saved;
}
END_TEST


static Suite *
protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("dispatch");
	TCase *tl = tcase_create("limits");
	TCase *ta = tcase_create("approval");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refused_before_initialize);
	tcase_add_test(tc, initialize_negotiation);
	tcase_add_test(tc, errors_and_ids);
	tcase_add_test(tc, invalid_argument_is_error);
	tcase_add_test(tc, tools_list_pages);
	tcase_add_test(tc, cancel_sends_nothing);
	tcase_add_test(tc, progress_before_result);
	tcase_add_test(tc, replies_out_of_order);
	tcase_add_test(tc, batches);
	tcase_add_test(tc, logging_failures);
	tcase_add_test(tc, tool_content_and_log);
	tcase_add_test(tc, tool_asks_client);
	tcase_add_test(tc, cli_identity);
	tcase_add_test(tc, disconnect_cancels);
	tcase_add_test(tc, inline_calls);
	tcase_add_test(tc, modern_discover_and_rules);
	tcase_add_test(tc, era_by_first_request);
	tcase_add_test(tc, modern_identity_and_logging);
	tcase_add_test(tc, resources_both_eras);
	tcase_add_test(tc, subscriptions_legacy);
	tcase_add_test(tc, subscriptions_modern);
	tcase_add_test(tc, prompts_and_completion);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tl, setup_limits, teardown);
	tcase_set_timeout(tl, 60);
	tcase_add_test(tl, limits);
	suite_add_tcase(s, tl);
	tcase_add_checked_fixture(ta, setup_approval, teardown_approval);
	tcase_set_timeout(ta, 60);
	tcase_add_test(ta, approval_held_then_approved);
	tcase_add_test(ta, approval_withdrawn);
	tcase_add_test(ta, approval_grant_and_timeout);
	tcase_add_test(ta, read_only_lists_no_write_tool);
	suite_add_tcase(s, ta);
	return (s);
}

int main(void);

/* Runs the suite. */
int
main(void)
{
	return (test_run_suite(protocol_suite()));
}
