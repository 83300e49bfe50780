/*
 * libFuzzer target: bytes through the line buffer, the JSON-RPC parser
 * and classifier, and an MCP session of the initialize era (tools run
 * inline, without a pool, on the built-in racktop service). Whatever the
 * input, nothing crashes or leaks, and every line the session sends is a
 * JSON-RPC 2.0 object (or a batch array of them) ending in "\n".
 *
 * The first input byte picks a setup: bit 0 initializes the session
 * first, bits 1-2 the protocol version, bits 3-5 the chunk size the rest
 * is fed in (to exercise framing across reads).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/registry.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "services/services.h"

#define FUZZ_MAX_LINE 4096

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct registry *fuzz_reg;
static struct proto_ctx *fuzz_ctx;

/* Checks one output message. */
static void
check_message(const json_t *m)
{
	const json_t *v;
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
	if ((json_object_get(m, "result") == NULL) ==
	    (json_object_get(m, "error") == NULL))
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

/* Builds the registry and context once. */
static void
fuzz_init(void)
{
	static const struct rt_service *const table[] = {
		&racktop_service, NULL,
	};
	struct proto_config pc = { 1, 4, 0, NULL };
	char *cause = NULL;

	if ((fuzz_reg = registry_create(table, &cause)) == NULL)
		abort();
	fuzz_ctx = proto_ctx_create(fuzz_reg, NULL, &pc);
	call_policy.check_output = true;
}

/* Runs one input through framing and a session. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const init = "{\"jsonrpc\":\"2.0\",\"id\":0,"
	    "\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
	    "\"%s\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\","
	    "\"version\":\"1\"}}}";
	struct proto_transport tr = { fuzz_send, NULL };
	struct proto_session *s;
	struct jr_lines lb;
	struct jr_msg m;
	enum jr_line st;
	const char *line;
	char first[256];
	size_t chunk, off, n, len;
	uint8_t setup;

	if (fuzz_reg == NULL)
		fuzz_init();
	if (size == 0)
		return (0);
	setup = data[0];
	data++;
	size--;
	chunk = (size_t)1 << ((setup >> 3) & 7) * 2;	/* 1 ... 16384 */

	s = proto_session_new(fuzz_ctx, NULL, (setup & 0x40) ?
	    PROTO_PEER_RACKTOP : 0, &tr);
	if (setup & 1) {
		n = (size_t)snprintf(first, sizeof first, init,
		    proto_versions[(setup >> 1) & 3]);
		proto_session_input(s, first, n);
	}
	jr_lines_init(&lb, FUZZ_MAX_LINE);
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		jr_lines_feed(&lb, data + off, n);
		while ((st = jr_lines_next(&lb, &line, &len)) != JR_LINE_NONE) {
			if (st == JR_LINE_TOOBIG) {
				proto_session_toobig(s, FUZZ_MAX_LINE);
				continue;
			}
			/* The bare parser on its own copy, then the session. */
			jr_parse(line, len, &m);
			jr_msg_clear(&m);
			proto_session_input(s, line, len);
			proto_ctx_complete(fuzz_ctx);
		}
	}
	jr_lines_free(&lb);
	proto_ctx_complete(fuzz_ctx);
	proto_session_free(s);
	if (proto_ctx_outstanding(fuzz_ctx) != 0)
		abort();
	return (0);
}
