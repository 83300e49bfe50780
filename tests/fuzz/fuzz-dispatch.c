/*
 * libFuzzer target: the MCP dispatcher in both eras. Each input is lines
 * for one session on a registry holding the built-in racktop service and
 * a small service "fz" with two instances (so resources, subscriptions
 * and their update notifications are reachable); tools run inline.
 * Whatever the input, nothing crashes or leaks, every line sent is a
 * JSON-RPC 2.0 message ending in "\n", and once the session is in the
 * 2026-07-28 era every result carries resultType "complete".
 *
 * The first input byte picks a setup: bit 0 initializes the session
 * (legacy) first, bits 1-2 its version; bit 3 opens the modern era with
 * server/discover instead; bit 4 publishes a snapshot of instance one
 * after every line, bit 5 one of instance two; bit 6 makes the peer
 * racktop's own executable. Corpus: tests/fuzz/corpus/dispatch (the
 * 2026-07-28 schema's examples, see SOURCES there).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/conf.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "services/services.h"

#define FUZZ_MAX_LINE 65536

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct registry *fuzz_reg;
static struct proto_ctx *fuzz_ctx;
static struct rt_config *fuzz_conf;
static struct proto_session *fuzz_sess;

/* fz_echo: returns its text. */
static int
fz_echo(struct rt_call *c)
{
	const char *t = call_arg_str(c, "text");

	return (call_ok(c, json_pack("{s:s}", "text", t != NULL ? t : "")));
}

static const struct rt_tool fz_tools[] = {
	{
	    .name = "fz_echo",
	    .title = "Echo",
	    .description = "Echoes text.",
	    .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
		"{\"type\":\"string\",\"maxLength\":100}},"
		"\"additionalProperties\":false}",
	    .output_schema = "{\"type\":\"object\",\"properties\":{\"text\":"
		"{\"type\":\"string\"}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = fz_echo,
	},
	{ .name = NULL },
};

static const struct rt_service fz_service = {
	.name = "fz",
	.title = "Fuzz",
	.tools = fz_tools,
};

/* Checks one output message. */
static void
check_message(const json_t *m)
{
	const json_t *v, *res;
	const char *ver;
	size_t i;

	if (json_is_array(m)) {
		if (json_array_size(m) == 0)
			abort();
		json_array_foreach(m, i, v) {
			if (!json_is_object(v))
				abort();
			check_message(v);
		}
		return;
	}
	if (!json_is_object(m) || !json_is_string(json_object_get(m,
	    "jsonrpc")) || strcmp(json_string_value(json_object_get(m,
	    "jsonrpc")), "2.0") != 0)
		abort();
	if (json_object_get(m, "method") != NULL)
		return;
	v = json_object_get(m, "id");
	if (v == NULL || !(json_is_null(v) || json_is_string(v) ||
	    json_is_integer(v)))
		abort();
	res = json_object_get(m, "result");
	if ((res == NULL) == (json_object_get(m, "error") == NULL))
		abort();
	ver = fuzz_sess != NULL ? proto_session_version(fuzz_sess) : NULL;
	if (res != NULL && ver != NULL && strcmp(ver, PROTO_MODERN) == 0 &&
	    (json_string_value(json_object_get(res, "resultType")) == NULL ||
	    strcmp(json_string_value(json_object_get(res, "resultType")),
	    "complete") != 0))
		abort();
}

/* The transport: every line must be a well-formed message. */
static void
fuzz_send(void *arg, const char *data, size_t len)
{
	size_t start = 0, i;
	json_t *m;

	(void)arg;
	if (len == 0 || data[len - 1] != '\n')
		abort();
	for (i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		m = json_loadb(data + start, i - start, 0, NULL);
		if (m == NULL)
			abort();
		check_message(m);
		json_decref(m);
		start = i + 1;
	}
}

/* Builds the registry, its instances and the context once. */
static void
fuzz_init(void)
{
	static const struct rt_service *const table[] = {
		&racktop_service, &fz_service, NULL,
	};
	static const char text[] = "[fz \"one\"]\n[fz \"two\"]\n";
	struct proto_config pc = { 1, 4, 0, NULL };
	char *cause = NULL;

	if ((fuzz_reg = registry_create(table, &cause)) == NULL)
		abort();
	if ((fuzz_conf = conf_parse("fuzz", text, sizeof text - 1,
	    registry_service_names(fuzz_reg), &cause)) == NULL ||
	    registry_add_instances(fuzz_reg, fuzz_conf, &cause) != 0)
		abort();
	fuzz_ctx = proto_ctx_create(fuzz_reg, NULL, &pc);
	call_policy.check_output = true;
}

/* Publishes a small snapshot into instance i. */
static void
fuzz_publish(size_t i, size_t n)
{
	snapshot_publish(&registry_instance_at(fuzz_reg, i)->slot,
	    json_pack("{s:I}", "n", (json_int_t)n));
}

/* Runs one input's lines through a session. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const init = "{\"jsonrpc\":\"2.0\",\"id\":0,"
	    "\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
	    "\"%s\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\","
	    "\"version\":\"1\"}}}";
	static const char discover[] = "{\"jsonrpc\":\"2.0\",\"id\":0,"
	    "\"method\":\"server/discover\",\"params\":{\"_meta\":{"
	    "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
	    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
	struct proto_transport tr = { fuzz_send, NULL };
	struct jr_lines lb;
	enum jr_line st;
	const char *line;
	char first[256];
	size_t n, len, k = 0;
	uint8_t setup;

	if (fuzz_reg == NULL)
		fuzz_init();
	if (size == 0)
		return (0);
	setup = data[0];
	data++;
	size--;

	fuzz_sess = proto_session_new(fuzz_ctx, NULL, (setup & 0x40) ?
	    PROTO_PEER_RACKTOP : 0, &tr);
	if (setup & 8)
		proto_session_input(fuzz_sess, discover, sizeof discover - 1);
	else if (setup & 1) {
		n = (size_t)snprintf(first, sizeof first, init,
		    proto_versions[(setup >> 1) & 3]);
		proto_session_input(fuzz_sess, first, n);
	}
	jr_lines_init(&lb, FUZZ_MAX_LINE);
	jr_lines_feed(&lb, data, size);
	jr_lines_feed(&lb, "\n", 1);
	while ((st = jr_lines_next(&lb, &line, &len)) != JR_LINE_NONE) {
		if (st == JR_LINE_TOOBIG) {
			proto_session_toobig(fuzz_sess, FUZZ_MAX_LINE);
			continue;
		}
		proto_session_input(fuzz_sess, line, len);
		if (setup & 0x10)
			fuzz_publish(0, ++k);
		if (setup & 0x20)
			fuzz_publish(1, ++k);
		proto_ctx_complete(fuzz_ctx);
	}
	jr_lines_free(&lb);
	proto_ctx_complete(fuzz_ctx);
	proto_session_free(fuzz_sess);
	fuzz_sess = NULL;
	if (proto_ctx_outstanding(fuzz_ctx) != 0)
		abort();
	return (0);
}
