/*
 * racktop-conformance: racktop's MCP server over Streamable HTTP on a
 * loopback port, with the fixture tools the official conformance suite's
 * server scenarios call (@modelcontextprotocol/conformance 0.1.16), for
 * tests/conformance/run.sh. Test-only, never installed.
 *
 *   racktop-conformance [--port N] [--close-stream-ms MS]
 *
 * Prints "ready http://127.0.0.1:PORT/mcp" once listening, then serves
 * until SIGTERM or SIGINT (exit 0). The listener runs without a token
 * (the suite sends none) and, with --close-stream-ms, ends a POST's
 * event stream that long after it opened without its reply, so the
 * client polls back with Last-Event-ID (SEP-1699, server-sse-polling).
 *
 * The fixtures are ordinary racktop tools: the same registry, schemas,
 * call path and protocol code as racktop's own. Their names and results
 * are the suite's (its scenario descriptions say what each returns).
 */
#include "config.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/conf.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/service.h"
#include "core/xmalloc.h"
#include "mcp/http.h"
#include "mcp/protocol.h"
#include "mcp/server.h"

/* A 1x1 red PNG, base64. */
#define RED_PIXEL "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4" \
	"2mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
/* A WAV of 8 silent 8-bit samples at 8 kHz, base64. */
#define SILENT_WAV "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgA" \
	"AACAgICAgICAgA=="

/* Waits ms in short ticks; -1 when the call was cancelled first. */
static int
fx_wait(struct rt_call *c, int64_t ms)
{
	int64_t end = clock_mono_ms() + ms, left;

	while ((left = end - clock_mono_ms()) > 0) {
		if (call_should_stop(c))
			return (-1);
		poll(NULL, 0, left < 10 ? (int)left : 10);
	}
	return (0);
}

static int
fx_simple_text(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:s}", "text",
	    "This is a simple text response for testing.")));
}

static int
fx_error(struct rt_call *c)
{
	return (call_fail(c, "This tool intentionally returns an error for "
	    "testing"));
}

/* 0, 50 and 100 of 100, about 50 ms apart. */
static int
fx_progress(struct rt_call *c)
{
	int i;

	for (i = 0; i <= 2; i++) {
		if (i > 0 && fx_wait(c, 50) != 0)
			return (call_fail(c, "cancelled"));
		call_progress(c, i * 50.0, 100.0, NULL);
	}
	return (call_ok(c, json_pack("{s:s}", "text",
	    "Progress tool completed")));
}

/* Outlasts --close-stream-ms, so its stream is closed before it ends. */
static int
fx_reconnection(struct rt_call *c)
{
	if (fx_wait(c, 600) != 0)
		return (call_fail(c, "cancelled"));
	return (call_ok(c, json_pack("{s:s}", "text",
	    "Reconnection test completed")));
}

/* Answers one text block, text also the structured result's. */
static int
fx_text(struct rt_call *c, const char *text)
{
	call_content(c, json_pack("[{s:s, s:s}]", "type", "text", "text",
	    text));
	return (call_ok(c, json_pack("{s:s}", "text", text)));
}

static int
fx_image(struct rt_call *c)
{
	return (call_content(c, json_pack("[{s:s, s:s, s:s}]", "type",
	    "image", "data", RED_PIXEL, "mimeType", "image/png")));
}

static int
fx_audio(struct rt_call *c)
{
	return (call_content(c, json_pack("[{s:s, s:s, s:s}]", "type",
	    "audio", "data", SILENT_WAV, "mimeType", "audio/wav")));
}

static int
fx_embedded(struct rt_call *c)
{
	return (call_content(c, json_pack("[{s:s, s:{s:s, s:s, s:s}}]",
	    "type", "resource", "resource", "uri", "test://embedded-resource",
	    "mimeType", "text/plain", "text",
	    "This is an embedded resource content.")));
}

static int
fx_mixed(struct rt_call *c)
{
	return (call_content(c, json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:{s:s, s:s, s:s}}]",
	    "type", "text", "text", "Multiple content types test:",
	    "type", "image", "data", RED_PIXEL, "mimeType", "image/png",
	    "type", "resource", "resource", "uri",
	    "test://mixed-content-resource", "mimeType", "application/json",
	    "text", "{\"test\":\"data\",\"value\":123}")));
}

/* Three info messages about 50 ms apart, while it runs. */
static int
fx_logging(struct rt_call *c)
{
	call_log(c, CALL_LOG_INFO, "Tool execution started");
	if (fx_wait(c, 50) != 0)
		return (call_fail(c, "cancelled"));
	call_log(c, CALL_LOG_INFO, "Tool processing data");
	if (fx_wait(c, 50) != 0)
		return (call_fail(c, "cancelled"));
	call_log(c, CALL_LOG_INFO, "Tool execution completed");
	return (fx_text(c, "Logging tool completed"));
}

/* Asks the client's model; answers with what it said. */
static int
fx_sampling(struct rt_call *c)
{
	const json_t *answer = call_answer(c);
	const char *said;
	char *text;
	int rv;

	if (answer == NULL)
		return (call_ask(c, "sampling/createMessage", json_pack(
		    "{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role",
		    "user", "content", "type", "text", "text",
		    call_arg_str(c, "prompt"), "maxTokens", 100)));
	said = json_string_value(json_object_get(json_object_get(answer,
	    "content"), "text"));
	if (said == NULL)
		return (call_fail(c, "the sampling answer carried no text"));
	xasprintf(&text, "LLM response: %s", said);
	rv = fx_text(c, text);
	free(text);
	return (rv);
}

/* Elicits with schema (stolen); answers with the user's response. */
static int
fx_elicit(struct rt_call *c, const char *message, json_t *schema,
    const char *prefix)
{
	const json_t *answer = call_answer(c);
	char *content, *text;
	int rv;

	if (answer == NULL)
		return (call_ask(c, "elicitation/create", json_pack(
		    "{s:s, s:o}", "message", message, "requestedSchema",
		    schema)));
	json_decref(schema);
	content = json_dumps(json_object_get(answer, "content"),
	    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	xasprintf(&text, "%saction=%s, content=%s", prefix,
	    json_string_value(json_object_get(answer, "action")) != NULL ?
	    json_string_value(json_object_get(answer, "action")) : "?",
	    content != NULL ? content : "{}");
	rv = fx_text(c, text);
	free(content);
	free(text);
	return (rv);
}

static int
fx_elicitation(struct rt_call *c)
{
	return (fx_elicit(c, call_arg_str(c, "message"), json_pack(
	    "{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}}, s:[s, s]}", "type",
	    "object", "properties", "username", "type", "string",
	    "description", "User's response", "email", "type", "string",
	    "description", "User's email address", "required", "username",
	    "email"), "User response: "));
}

/* SEP-1034: a default for every primitive type. */
static int
fx_sep1034(struct rt_call *c)
{
	return (fx_elicit(c, "Please review your information (defaults "
	    "provided)", json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:i}, "
	    "s:{s:s, s:f}, s:{s:s, s:[s, s, s], s:s}, s:{s:s, s:b}}, s:[]}",
	    "type", "object", "properties",
	    "name", "type", "string", "default", "John Doe",
	    "age", "type", "integer", "default", 30,
	    "score", "type", "number", "default", 95.5,
	    "status", "type", "string", "enum", "active", "inactive",
	    "pending", "default", "active",
	    "verified", "type", "boolean", "default", 1,
	    "required"), "Elicitation completed: "));
}

/* SEP-1330: the five enum shapes. */
static int
fx_sep1330(struct rt_call *c)
{
	return (fx_elicit(c, "Please choose options", json_pack(
	    "{s:s, s:{"
	    "s:{s:s, s:[s, s, s]}, "
	    "s:{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}, "
	    "s:{s:s, s:[s, s, s], s:[s, s, s]}, "
	    "s:{s:s, s:{s:s, s:[s, s, s]}}, "
	    "s:{s:s, s:{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}}}, s:[]}",
	    "type", "object", "properties",
	    "untitledSingle", "type", "string", "enum", "option1", "option2",
	    "option3",
	    "titledSingle", "type", "string", "oneOf",
	    "const", "value1", "title", "First Option",
	    "const", "value2", "title", "Second Option",
	    "const", "value3", "title", "Third Option",
	    "legacyEnum", "type", "string", "enum", "opt1", "opt2", "opt3",
	    "enumNames", "Option One", "Option Two", "Option Three",
	    "untitledMulti", "type", "array", "items", "type", "string",
	    "enum", "option1", "option2", "option3",
	    "titledMulti", "type", "array", "items", "anyOf",
	    "const", "value1", "title", "First Choice",
	    "const", "value2", "title", "Second Choice",
	    "const", "value3", "title", "Third Choice",
	    "required"), "Elicitation completed: "));
}

static int
fx_schema(struct rt_call *c)
{
	return (call_ok(c, json_pack("{s:O}", "received", c->args)));
}

#define TEXT_OUT "{\"type\":\"object\",\"required\":[\"text\"]," \
	"\"properties\":{\"text\":{\"type\":\"string\"}}}"
#define NO_ARGS "{\"type\":\"object\",\"properties\":{}}"
#define ANY_OUT "{\"type\":\"object\"}"
#define STRING_ARG(name) "{\"type\":\"object\",\"required\":[\"" name \
	"\"],\"properties\":{\"" name "\":{\"type\":\"string\"}}}"

static const struct rt_tool test_tools[] = {
	{
	    .name = "test_simple_text",
	    .title = "Simple text",
	    .description = "Returns a fixed simple text (conformance "
		"fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_simple_text,
	},
	{
	    .name = "test_error_handling",
	    .title = "Error handling",
	    .description = "Always fails with a fixed message (conformance "
		"fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_error,
	},
	{
	    .name = "test_tool_with_progress",
	    .title = "Progress",
	    .description = "Reports progress 0, 50 and 100 of 100 about 50 ms "
		"apart (conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_progress,
	},
	{
	    .name = "test_reconnection",
	    .title = "Reconnection",
	    .description = "Answers after 600 ms, after the server closed its "
		"stream, so the client resumes with Last-Event-ID "
		"(conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_reconnection,
	},
	{
	    .name = "test_image_content",
	    .title = "Image content",
	    .description = "Returns a 1x1 red PNG as image content "
		"(conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = ANY_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_image,
	},
	{
	    .name = "test_audio_content",
	    .title = "Audio content",
	    .description = "Returns a short silent WAV as audio content "
		"(conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = ANY_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_audio,
	},
	{
	    .name = "test_embedded_resource",
	    .title = "Embedded resource",
	    .description = "Returns a text resource as embedded resource "
		"content (conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = ANY_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_embedded,
	},
	{
	    .name = "test_multiple_content_types",
	    .title = "Mixed content",
	    .description = "Returns text, image and resource content "
		"(conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = ANY_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_mixed,
	},
	{
	    .name = "test_tool_with_logging",
	    .title = "Logging",
	    .description = "Logs three info messages about 50 ms apart while "
		"it runs (conformance fixture).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_logging,
	},
	{
	    .name = "test_sampling",
	    .title = "Sampling",
	    .description = "Asks the client's model to answer prompt "
		"(sampling/createMessage) and returns its answer "
		"(conformance fixture).",
	    .input_schema = STRING_ARG("prompt"),
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY,
	    .call = fx_sampling,
	},
	{
	    .name = "test_elicitation",
	    .title = "Elicitation",
	    .description = "Asks the client's user for a username and an "
		"email (elicitation/create) and returns the answer "
		"(conformance fixture).",
	    .input_schema = STRING_ARG("message"),
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY,
	    .call = fx_elicitation,
	},
	{
	    .name = "test_elicitation_sep1034_defaults",
	    .title = "Elicitation defaults",
	    .description = "Elicits with a default for every primitive type "
		"(conformance fixture, SEP-1034).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY,
	    .call = fx_sep1034,
	},
	{
	    .name = "test_elicitation_sep1330_enums",
	    .title = "Elicitation enums",
	    .description = "Elicits with the five enum schema shapes "
		"(conformance fixture, SEP-1330).",
	    .input_schema = NO_ARGS,
	    .output_schema = TEXT_OUT,
	    .flags = RT_READ_ONLY,
	    .call = fx_sep1330,
	},
	{ .name = NULL },
};

static const struct rt_tool json_tools[] = {
	{
	    .name = "json_schema_2020_12_tool",
	    .title = "JSON Schema 2020-12",
	    .description = "Takes arguments described by a JSON Schema "
		"2020-12 input schema with $schema, $defs and "
		"additionalProperties (conformance fixture, SEP-1613).",
	    .input_schema = "{\"$schema\":"
		"\"https://json-schema.org/draft/2020-12/schema\","
		"\"type\":\"object\",\"$defs\":{\"address\":{\"type\":"
		"\"object\",\"properties\":{\"street\":{\"type\":\"string\"},"
		"\"city\":{\"type\":\"string\"}}}},\"properties\":{\"name\":"
		"{\"type\":\"string\"},\"address\":{\"type\":\"object\","
		"\"properties\":{\"street\":{\"type\":\"string\"},\"city\":"
		"{\"type\":\"string\"}}}},\"additionalProperties\":false}",
	    .output_schema = "{\"type\":\"object\"}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fx_schema,
	},
	{ .name = NULL },
};

static const struct rt_service test_service = {
	.name = "test",
	.title = "Conformance fixtures",
	.tools = test_tools,
};

static const struct rt_service json_service = {
	.name = "json",
	.title = "Conformance fixtures (JSON Schema)",
	.tools = json_tools,
};

static const struct rt_service *const fixture_services[] = {
	&test_service,
	&json_service,
	NULL,
};

/*
 * The suite's resources and prompts, through the protocol's hook for an
 * embedder's extras (proto_extra): racktop's own handlers list, read,
 * subscribe, get and complete them.
 */

static json_t *
fx_resources(void *arg)
{
	(void)arg;
	return (json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s, s:s}]",
	    "uri", "test://static-text", "name", "static-text", "description",
	    "A fixed text resource", "mimeType", "text/plain",
	    "uri", "test://static-binary", "name", "static-binary",
	    "description", "A fixed PNG image", "mimeType", "image/png",
	    "uri", "test://watched-resource", "name", "watched-resource",
	    "description", "A resource to subscribe to", "mimeType",
	    "text/plain"));
}

static json_t *
fx_templates(void *arg)
{
	(void)arg;
	return (json_pack("[{s:s, s:s, s:s, s:s}]", "uriTemplate",
	    "test://template/{id}/data", "name", "template", "description",
	    "Data for an id", "mimeType", "application/json"));
}

static json_t *
fx_read(void *arg, const char *uri)
{
	static const char tpl[] = "test://template/";
	const char *id, *end;
	char *text;
	json_t *v;

	(void)arg;
	if (strcmp(uri, "test://static-text") == 0)
		return (json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
		    "text/plain", "text", "This is the content of the static "
		    "text resource."));
	if (strcmp(uri, "test://static-binary") == 0)
		return (json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
		    "image/png", "blob", RED_PIXEL));
	if (strcmp(uri, "test://watched-resource") == 0)
		return (json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
		    "text/plain", "text", "Watched resource content"));
	if (strncmp(uri, tpl, sizeof tpl - 1) == 0) {
		id = uri + sizeof tpl - 1;
		end = strchr(id, '/');
		if (end == NULL || end == id || strcmp(end, "/data") != 0)
			return (NULL);
		xasprintf(&text, "{\"id\":\"%.*s\",\"templateTest\":true}",
		    (int)(end - id), id);
		v = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
		    "application/json", "text", text);
		free(text);
		return (v);
	}
	return (NULL);
}

static json_t *
fx_prompts(void *arg)
{
	(void)arg;
	return (json_pack("[{s:s, s:s}, {s:s, s:s, s:[{s:s, s:b}, {s:s, "
	    "s:b}]}, {s:s, s:s, s:[{s:s, s:b}]}, {s:s, s:s}]",
	    "name", "test_simple_prompt", "description", "A simple prompt",
	    "name", "test_prompt_with_arguments", "description",
	    "A prompt with arguments", "arguments", "name", "arg1", "required",
	    1, "name", "arg2", "required", 1,
	    "name", "test_prompt_with_embedded_resource", "description",
	    "A prompt embedding a resource", "arguments", "name",
	    "resourceUri", "required", 1,
	    "name", "test_prompt_with_image", "description",
	    "A prompt with an image"));
}

/* A string argument, or def. */
static const char *
fx_arg(const json_t *args, const char *name, const char *def)
{
	const char *v = json_string_value(json_object_get(args, name));

	return (v != NULL ? v : def);
}

static json_t *
fx_get_prompt(void *arg, const char *name, const json_t *args)
{
	char *text;
	json_t *v;

	(void)arg;
	if (strcmp(name, "test_simple_prompt") == 0)
		return (json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages",
		    "role", "user", "content", "type", "text", "text",
		    "This is a simple prompt for testing."));
	if (strcmp(name, "test_prompt_with_arguments") == 0) {
		xasprintf(&text, "Prompt with arguments: arg1='%s', arg2='%s'",
		    fx_arg(args, "arg1", ""), fx_arg(args, "arg2", ""));
		v = json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages", "role",
		    "user", "content", "type", "text", "text", text);
		free(text);
		return (v);
	}
	if (strcmp(name, "test_prompt_with_embedded_resource") == 0)
		return (json_pack("{s:[{s:s, s:{s:s, s:{s:s, s:s, s:s}}}, "
		    "{s:s, s:{s:s, s:s}}]}", "messages", "role", "user",
		    "content", "type", "resource", "resource", "uri",
		    fx_arg(args, "resourceUri", "test://example-resource"),
		    "mimeType", "text/plain", "text",
		    "Embedded resource content for testing.",
		    "role", "user", "content", "type", "text", "text",
		    "Please process the embedded resource above."));
	if (strcmp(name, "test_prompt_with_image") == 0)
		return (json_pack("{s:[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:{s:s, "
		    "s:s}}]}", "messages", "role", "user", "content", "type",
		    "image", "data", RED_PIXEL, "mimeType", "image/png",
		    "role", "user", "content", "type", "text", "text",
		    "Please analyze the image above."));
	return (NULL);
}

static json_t *
fx_complete(void *arg, const json_t *ref, const char *name,
    const char *value)
{
	static const char *const words[] = { "paris", "park", "party",
	    "test", "testing", NULL };
	const char *prompt = json_string_value(json_object_get(ref, "name"));
	json_t *values;
	int i;

	(void)arg;
	if (prompt == NULL || strcmp(prompt, "test_prompt_with_arguments") != 0)
		return (NULL);
	values = json_array();
	if (strcmp(name, "arg1") != 0 && strcmp(name, "arg2") != 0)
		return (values);
	for (i = 0; words[i] != NULL; i++)
		if (strncmp(words[i], value, strlen(value)) == 0)
			json_array_append_new(values, json_string(words[i]));
	return (values);
}

static const struct proto_extra fixture_extra = {
	.resources = fx_resources,
	.templates = fx_templates,
	.read = fx_read,
	.prompts = fx_prompts,
	.get_prompt = fx_get_prompt,
	.complete = fx_complete,
	.arg = NULL,
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: racktop-conformance [--port N] "
	    "[--close-stream-ms MS]\n");
	exit(2);
}

static int
number(const char *s, int max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > max)
		usage();
	return ((int)v);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "close-stream-ms", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct mcp_http_conf hc;
	struct mcp_limits limits;
	struct mcp_http *http;
	struct registry *reg;
	struct job_pool *pool;
	struct approval *ap;
	char listen[32], *cause = NULL;
	sigset_t set;
	int ch, sig, port = 0, close_ms = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			port = number(optarg, 65535);
			break;
		case 'c':
			close_ms = number(optarg, INT_MAX);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	setlocale(LC_ALL, "");
	json_object_seed(0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	log_set_thread("main");
	if (getenv("RACKTOP_TESTD_DEBUG") != NULL)
		log_set_level(RT_LOG_DEBUG);

	if ((reg = registry_create(fixture_services, &cause)) == NULL)
		goto fail;
	if (registry_check(reg, &cause) != 0) {
		registry_destroy(reg);
		goto fail;
	}
	call_policy.check_output = true;
	pool = job_pool_create(4);
	ap = approval_create(50000);
	mcp_limits_default(&limits);
	limits.approval = ap;
	limits.extra = &fixture_extra;
	memset(&hc, 0, sizeof hc);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	hc.listen = listen;
	hc.no_token = true;
	hc.close_stream_ms = close_ms;
	if ((http = mcp_http_start(&hc, reg, pool, &limits, &cause)) == NULL) {
		approval_destroy(ap);
		job_pool_destroy(pool);
		registry_destroy(reg);
		goto fail;
	}
	printf("ready http://127.0.0.1:%d/mcp\n", mcp_http_port(http));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	mcp_http_stop(http);
	approval_destroy(ap);
	job_pool_destroy(pool);
	registry_destroy(reg);
	return (0);
fail:
	fprintf(stderr, "racktop-conformance: %s\n", cause != NULL ? cause :
	    "cannot start");
	free(cause);
	return (2);
}
