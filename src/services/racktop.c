/*
 * The built-in "racktop" service: racktop's own state as tools. It has no
 * configuration section and no poller; it reads the other instances'
 * snapshots through the registry.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "services/services.h"

#define STATUS_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"service\"," \
	"\"state\",\"reachable\",\"refresh_s\"],\"properties\":{" \
	"\"instance\":{\"type\":\"string\"}," \
	"\"service\":{\"type\":\"string\"}," \
	"\"state\":{\"enum\":[\"pending\",\"ok\",\"unreachable\"," \
	"\"auth_failed\",\"error\"]}," \
	"\"reachable\":{\"type\":[\"boolean\",\"null\"]}," \
	"\"authenticated\":{\"type\":[\"boolean\",\"null\"]}," \
	"\"age_ms\":{\"type\":[\"integer\",\"null\"]}," \
	"\"refresh_s\":{\"type\":\"integer\"}," \
	"\"refreshes\":{\"type\":\"integer\",\"minimum\":0}," \
	"\"last_error\":{\"type\":[\"string\",\"null\"]}}}"

static const char *state_names[] = {
	"ok", "error", "unreachable", "auth_failed",
};

/* One status row for an instance. */
static json_t *
status_row(struct rt_instance *in)
{
	struct snapshot *s = snapshot_acquire(&in->slot);
	json_t *row, *reach, *auth;
	int64_t age;
	int kind;

	row = json_pack("{s:s, s:s, s:i, s:I}", "instance", in->name,
	    "service", in->service->name, "refresh_s", in->refresh_s,
	    "refreshes", (json_int_t)snapshot_generation(&in->slot));
	if (s == NULL) {
		json_object_set_new(row, "state", json_string("pending"));
		json_object_set_new(row, "reachable", json_null());
		json_object_set_new(row, "authenticated", json_null());
		json_object_set_new(row, "age_ms", json_null());
		json_object_set_new(row, "last_error", json_null());
		return (row);
	}
	kind = s->error != NULL ? s->error_kind : 0;
	if (kind < 0 || kind > RT_ERR_AUTH)
		kind = RT_ERR_UPSTREAM;
	reach = json_boolean(kind != RT_ERR_UNREACHABLE);
	auth = kind == RT_ERR_UNREACHABLE ? json_null() :
	    json_boolean(kind != RT_ERR_AUTH);
	age = snapshot_age_ms(s);
	json_object_set_new(row, "state", json_string(state_names[kind]));
	json_object_set_new(row, "reachable", reach);
	json_object_set_new(row, "authenticated", auth);
	json_object_set_new(row, "age_ms", age < 0 ? json_null() :
	    json_integer(age));
	json_object_set_new(row, "last_error", s->error != NULL ?
	    json_string(s->error) : json_null());
	snapshot_release(s);
	return (row);
}

/* racktop_status: every configured instance and the health of its data. */
static int
racktop_status(struct rt_call *c)
{
	struct registry *reg = call_registry(c);
	const char *svc = call_arg_str(c, "service");
	struct rt_instance *in;
	json_t *items = json_array();
	size_t i, n = registry_ninstances(reg);

	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		if (svc != NULL && strcmp(svc, in->service->name) != 0)
			continue;
		json_array_append_new(items, status_row(in));
	}
	return (call_list_result(c, items, 0, NULL));
}

#define PROBLEM_ITEM \
	"{\"type\":\"object\",\"required\":[\"severity\",\"kind\"," \
	"\"service\",\"instance\",\"target\",\"message\"],\"properties\":{" \
	"\"severity\":{\"enum\":[\"crit\",\"warn\"]}," \
	"\"kind\":{\"type\":\"string\"}," \
	"\"service\":{\"type\":\"string\"}," \
	"\"instance\":{\"type\":\"string\"}," \
	"\"target\":{\"type\":\"string\"}," \
	"\"message\":{\"type\":\"string\"}}}"

/* racktop_problems: what needs attention, across every instance. */
static int
racktop_problems(struct rt_call *c)
{
	const char *svc = call_arg_str(c, "service");
	const char *sev = call_arg_str(c, "severity");
	json_t *all = problems_collect(call_registry(c)), *items, *p;
	size_t i;

	items = json_array();
	json_array_foreach(all, i, p) {
		if (svc != NULL && strcmp(svc, json_string_value(
		    json_object_get(p, "service"))) != 0)
			continue;
		if (sev != NULL && strcmp(sev, PROBLEM_CRIT) == 0 &&
		    strcmp(json_string_value(json_object_get(p, "severity")),
		    PROBLEM_CRIT) != 0)
			continue;
		json_array_append(items, p);
	}
	json_decref(all);
	return (call_list_result(c, items, 0, NULL));
}

static const struct rt_tool racktop_tools[] = {
	{
	    .name = "racktop_status",
	    .title = "racktop status",
	    .description = "Every configured service instance: whether racktop "
		"reaches it and is authenticated, how old its data is, and its "
		"last error. Start here when another tool reports a problem.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"service\":{\"type\":\"string\","
		"\"pattern\":\"^[a-z0-9]+$\",\"examples\":[\"proxmox\"],"
		"\"x-counterexamples\":[\"Prox mox\"],\"description\":"
		"\"Only instances of this service.\"}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(STATUS_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = racktop_status,
	},
	{
	    .name = "racktop_problems",
	    .title = "What needs attention",
	    .description = "One list of what needs attention across every "
		"service, most urgent first: instances unreachable, refused or "
		"stale, nodes offline, unhealthy or failed containers, devices "
		"offline, Pi-hole blocking off, expiring keys and certificates, "
		"old backups. Each problem names its service, instance and "
		"target. Check this first when asked whether the lab is fine.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"service\":{\"type\":\"string\","
		"\"pattern\":\"^[a-z0-9]+$\",\"examples\":[\"docker\"],"
		"\"x-counterexamples\":[\"Docker Engine\"],\"description\":"
		"\"Only problems of this service.\"},\"severity\":{\"enum\":"
		"[\"crit\",\"warn\"],\"description\":\"crit: only critical "
		"problems; warn (the default): every problem.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(PROBLEM_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = racktop_problems,
	},
	{ .name = NULL },
};

const struct rt_service racktop_service = {
	.name = "racktop",
	.title = "racktop",
	.tools = racktop_tools,
};
