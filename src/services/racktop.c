/*
 * The built-in "racktop" service: racktop's own state as tools. It has no
 * configuration section and no poller; it reads the other instances'
 * snapshots through the registry, and the audit log's recent lines.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <jansson.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/find.h"
#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
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

/*
 * An audit line as racktop_activity returns it. Arguments were redacted
 * when the line was written (audit_redact); nothing else carries input.
 */
#define ACTIVITY_ITEM \
	"{\"type\":\"object\",\"required\":[\"time\",\"type\"]," \
	"\"properties\":{" \
	"\"time\":{\"type\":\"string\"}," \
	"\"type\":{\"enum\":[\"write\",\"decision\",\"reads\"]}," \
	"\"source\":{\"type\":\"string\"}," \
	"\"identity\":{\"type\":\"string\"}," \
	"\"tool\":{\"type\":\"string\"}," \
	"\"arguments\":{\"type\":\"object\"}," \
	"\"decision\":{\"type\":\"string\"}," \
	"\"detail\":{\"type\":\"string\"}," \
	"\"outcome\":{\"enum\":[\"ok\",\"error\",\"pending\"]}," \
	"\"error\":{\"type\":\"string\"}," \
	"\"duration_ms\":{\"type\":\"integer\"}," \
	"\"connection\":{\"type\":\"integer\"}," \
	"\"approval\":{\"type\":\"integer\"}," \
	"\"idempotency_key\":{\"type\":\"string\"}," \
	"\"calls\":{\"type\":\"integer\"}," \
	"\"errors\":{\"type\":\"integer\"}}}"

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

/* Whether an audit line passes racktop_activity's filters. */
static bool
activity_match(const json_t *e, const char *caller, const char *tool,
    const char *outcome)
{
	const char *v;

	if (caller != NULL && ((v = json_string_value(json_object_get(e,
	    "identity"))) == NULL || strstr(v, caller) == NULL))
		return (false);
	if (tool != NULL && ((v = json_string_value(json_object_get(e,
	    "tool"))) == NULL || strcmp(v, tool) != 0))
		return (false);
	if (outcome == NULL)
		return (true);
	v = json_string_value(json_object_get(e, "outcome"));
	if (v == NULL)	/* a reads line: ok unless some failed */
		v = json_integer_value(json_object_get(e, "errors")) > 0 ?
		    "error" : "ok";
	return (strcmp(v, outcome) == 0);
}

/* racktop_activity: recent audit lines, newest first, filtered. */
static int
racktop_activity(struct rt_call *c)
{
	const char *caller = call_arg_str(c, "caller");
	const char *tool = call_arg_str(c, "tool");
	const char *outcome = call_arg_str(c, "outcome");
	json_t *all = audit_recent(), *items = json_array(), *e;
	size_t i;

	json_array_foreach(all, i, e) {
		if (activity_match(e, caller, tool, outcome))
			json_array_append(items, e);
	}
	json_decref(all);
	return (call_list_result(c, items, 0, NULL));
}


#define FIND_ITEM \
	"{\"type\":\"object\",\"required\":[\"service\",\"instance\"," \
	"\"kind\",\"name\",\"match\",\"detail\",\"age_ms\"],\"properties\":{" \
	"\"service\":{\"type\":\"string\"}," \
	"\"instance\":{\"type\":\"string\"}," \
	"\"kind\":{\"type\":\"string\"}," \
	"\"name\":{\"type\":\"string\"}," \
	"\"match\":{\"enum\":[\"ip\",\"mac\",\"name\"]}," \
	"\"detail\":{\"type\":\"object\"}," \
	"\"entity\":{\"type\":\"string\",\"description\":" \
	"\"The id memories link to: memory_list entity=... lists them.\"}," \
	"\"age_ms\":{\"type\":\"integer\"}}}"

/*
 * Calls fn for every instance with the hook (0 find, 1 addresses, 2
 * documented) of service svc (NULL: any) that has snapshot data; an instance without data yet goes into
 * errors. *age receives the oldest data's age.
 */
static void
each_snapshot(struct rt_call *c, size_t hook, const char *svc, json_t *errors,
    int64_t *age, void (*fn)(struct rt_instance *, const struct snapshot *,
    int64_t, void *), void *arg)
{
	struct registry *reg = call_registry(c);
	struct rt_instance *in;
	struct snapshot *s;
	const void *hooks[3];
	int64_t a;
	size_t i, n = registry_ninstances(reg);

	*age = 0;
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		hooks[0] = (const void *)in->service->find;
		hooks[1] = (const void *)in->service->addresses;
		hooks[2] = (const void *)in->service->documented;
		if (hooks[hook] == NULL || (svc != NULL && strcmp(svc,
		    in->service->name) != 0))
			continue;
		s = snapshot_acquire(&in->slot);
		if (s == NULL || s->data == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", in->name, "error", s != NULL &&
			    s->error != NULL ? s->error : "no data yet"));
			snapshot_release(s);
			continue;
		}
		a = snapshot_age_ms(s);
		if (a > *age)
			*age = a;
		fn(in, s, a, arg);
		snapshot_release(s);
	}
}

/*
 * The lookup index of each instance's latest snapshot, built by the first
 * racktop_find that sees the snapshot and kept until the next one: every
 * lookup after that is a few hash lookups. find_lock guards the list;
 * lookups copy hits out under it, so no two threads ever count a
 * reference of an index.
 */
struct find_cache {
	const struct rt_instance *in;
	uint64_t generation;
	int64_t fetched_mono;
	json_t *index;
	struct find_cache *next;
};
static pthread_mutex_t find_lock = PTHREAD_MUTEX_INITIALIZER;
static struct find_cache *find_caches;

/*
 * The memory entity of a hit ("pve:qemu/101"), from the service's entity
 * rule applied to the view its kind names: a find entry's kind is the
 * singular of the view its row comes from (guest, guests).
 */
static void
find_entity(const struct rt_service *svc, json_t *hit)
{
	const char *kind = json_string_value(json_object_get(hit, "kind"));
	const struct rt_view *v;
	json_t *row;
	char buf[256];
	size_t n;

	if (svc->entity == NULL || svc->views == NULL || kind == NULL)
		return;
	n = strlen(kind);
	for (v = svc->views; v->name != NULL; v++) {
		if (strncmp(v->name, kind, n) != 0 || strcmp(v->name + n,
		    "s") != 0)
			continue;
		row = json_deep_copy(json_object_get(hit, "detail"));
		if (!json_is_object(row))
			row = json_object();
		json_object_set_new(row, "name", json_string(
		    json_string_value(json_object_get(hit, "name"))));
		if (svc->entity(v, row, buf, sizeof buf))
			json_object_set_new(hit, "entity", json_string(buf));
		json_decref(row);
		return;
	}
}

/* One instance's hits for racktop_find. */
static void
find_one(struct rt_instance *in, const struct snapshot *s, int64_t age,
    void *arg)
{
	struct { const struct find_query *q; json_t *items; } *f = arg;
	struct find_cache *fc;
	json_t *hits = json_array(), *h, *entries;
	size_t i;

	pthread_mutex_lock(&find_lock);
	for (fc = find_caches; fc != NULL && fc->in != in; fc = fc->next)
		;
	if (fc == NULL) {
		fc = xcalloc(1, sizeof *fc);
		fc->in = in;
		fc->next = find_caches;
		find_caches = fc;
	}
	/* A new snapshot (or a failed poll's, with the same data) rebuilds. */
	if (fc->index == NULL || fc->generation != s->generation ||
	    fc->fetched_mono != s->fetched_mono) {
		json_decref(fc->index);
		entries = json_array();
		in->service->find(s->data, entries);
		fc->index = find_index_build(entries);
		fc->generation = s->generation;
		fc->fetched_mono = s->fetched_mono;
	}
	find_index_lookup(fc->index, f->q, hits);
	pthread_mutex_unlock(&find_lock);
	json_array_foreach(hits, i, h) {
		json_object_set_new(h, "service", json_string(
		    in->service->name));
		json_object_set_new(h, "instance", json_string(in->name));
		json_object_set_new(h, "age_ms", json_integer(age));
		find_entity(in->service, h);
		json_array_append(f->items, h);
	}
	json_decref(hits);
}

/* racktop_find: what an IP, MAC or name is in every service, from snapshots. */
static int
racktop_find(struct rt_call *c)
{
	struct find_query q;
	struct { const struct find_query *q; json_t *items; } f;
	json_t *errors;
	int64_t age;
	char *why = NULL;
	static const char *const kinds[] = { "", "ip", "mac", "name" };
	int rv;

	if (find_query_parse(call_arg_str(c, "query"), &q, &why) != 0) {
		call_fail(c, "%s", why);
		free(why);
		return (-1);
	}
	f.q = &q;
	f.items = json_array();
	errors = json_array();
	each_snapshot(c, 0, call_arg_str(c, "service"), errors, &age, find_one,
	    &f);
	rv = call_list_result(c, f.items, age, errors);
	if (rv == 0 && c->result != NULL) {
		json_object_set_new(c->result, "query", json_string(q.kind ==
		    FIND_IP ? q.ip : q.kind == FIND_MAC ? q.mac : q.text));
		json_object_set_new(c->result, "query_kind",
		    json_string(kinds[q.kind]));
	}
	return (rv);
}

/* The addresses of one instance, keyed by IP, into a JSON object. */
static void
drift_collect(struct rt_instance *in, const struct snapshot *snap,
    int64_t age, void *arg)
{
	const json_t *data = snap->data;
	struct { json_t *by_ip; json_t *nets; size_t hook; } *d = arg;
	json_t *rows = json_array(), *r, *list;
	const char *ip;
	size_t i;

	(void)age;
	if (d->hook == 1)
		in->service->addresses(data, rows);
	else
		in->service->documented(data, rows);
	json_array_foreach(rows, i, r) {
		if (json_is_string(json_object_get(r, "prefix"))) {
			if (d->nets != NULL)
				json_array_append(d->nets, r);
			continue;
		}
		ip = json_string_value(json_object_get(r, "ip"));
		if (ip == NULL)
			continue;
		json_object_set_new(r, "service", json_string(
		    in->service->name));
		json_object_set_new(r, "instance", json_string(in->name));
		if ((list = json_object_get(d->by_ip, ip)) == NULL) {
			list = json_array();
			json_object_set_new(d->by_ip, ip, list);
		}
		json_array_append(list, r);
	}
	json_decref(rows);
}

/* Whether ip lies in one of the documented networks. */
static bool
drift_in_nets(const json_t *nets, const char *ip)
{
	const json_t *n;
	const char *p;
	char net[64], canon[64];
	size_t i, len;
	long bits;
	unsigned char a[16], b[16];
	int fam, full, rest;

	json_array_foreach(nets, i, n) {
		p = json_string_value(json_object_get(n, "prefix"));
		if (p == NULL || strchr(p, '/') == NULL)
			continue;
		len = strcspn(p, "/");
		if (len >= sizeof net)
			continue;
		memcpy(net, p, len);
		net[len] = '\0';
		bits = strtol(p + len + 1, NULL, 10);
		fam = strchr(net, ':') != NULL ? AF_INET6 : AF_INET;
		if (!find_ip_canon(ip, canon, sizeof canon) ||
		    inet_pton(fam, net, a) != 1 || inet_pton(fam, canon, b) != 1)
			continue;
		if (bits < 0 || bits > (fam == AF_INET ? 32 : 128))
			continue;
		full = (int)bits / 8;
		rest = (int)bits % 8;
		if (memcmp(a, b, (size_t)full) != 0)
			continue;
		if (rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest))) ==
		    0)
			return (true);
	}
	return (false);
}

#define DRIFT_ITEM \
	"{\"type\":\"object\",\"required\":[\"side\",\"ip\"],\"properties\":{" \
	"\"side\":{\"enum\":[\"undocumented\",\"unseen\"]}," \
	"\"ip\":{\"type\":\"string\"}," \
	"\"seen_by\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}," \
	"\"documented\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}"

/*
 * racktop_drift: addresses the live snapshots saw that no inventory
 * documents, and documented addresses no snapshot saw.
 */
static int
racktop_drift(struct rt_call *c)
{
	struct { json_t *by_ip; json_t *nets; size_t hook; } live, doc;
	const char *side = call_arg_str(c, "side");
	const char *scope = call_arg_str(c, "scope");
	const char *ip;
	json_t *items, *errors, *list;
	int64_t age1, age2;
	bool everywhere = scope != NULL && strcmp(scope, "all") == 0;
	int rv;

	errors = json_array();
	doc.by_ip = json_object();
	doc.nets = json_array();
	doc.hook = 2;
	each_snapshot(c, 2, call_arg_str(c, "service"), errors, &age2,
	    drift_collect, &doc);
	if (json_object_size(doc.by_ip) == 0 && json_array_size(errors) ==
	    0) {
		json_decref(doc.by_ip);
		json_decref(doc.nets);
		json_decref(errors);
		return (call_fail(c, "no configured service documents "
		    "addresses: racktop_drift compares an inventory (NetBox) "
		    "with the live network"));
	}
	live.by_ip = json_object();
	live.nets = NULL;
	live.hook = 1;
	/* The service filter names inventories, not live sources. */
	each_snapshot(c, 1, NULL, errors, &age1, drift_collect, &live);
	items = json_array();
	if (side == NULL || strcmp(side, "undocumented") == 0) {
		json_object_foreach(live.by_ip, ip, list) {
			if (json_object_get(doc.by_ip, ip) != NULL)
				continue;
			if (!everywhere && !drift_in_nets(doc.nets, ip))
				continue;
			json_array_append_new(items, json_pack("{s:s, s:s, "
			    "s:O}", "side", "undocumented", "ip", ip,
			    "seen_by", list));
		}
	}
	if (side == NULL || strcmp(side, "unseen") == 0) {
		json_object_foreach(doc.by_ip, ip, list) {
			if (json_object_get(live.by_ip, ip) != NULL)
				continue;
			json_array_append_new(items, json_pack("{s:s, s:s, "
			    "s:O}", "side", "unseen", "ip", ip, "documented",
			    list));
		}
	}
	json_decref(live.by_ip);
	json_decref(doc.by_ip);
	json_decref(doc.nets);
	rv = call_list_result(c, items, age1 > age2 ? age1 : age2, errors);
	return (rv);
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
	{
	    .name = "racktop_activity",
	    .title = "racktop activity",
	    .description = "What callers did recently, from the audit log, "
		"newest first: every write, refusal and approval decision "
		"(held, approved, denied, timed out, withdrawn) with the "
		"caller's verified identity and the arguments with secrets "
		"redacted, and reads counted per caller and tool. Keeps the "
		"last 256 lines.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{"
		"\"caller\":{\"type\":\"string\",\"maxLength\":256,"
		"\"description\":\"Only lines whose identity contains this "
		"text (uid=1000, exe=/usr/bin/node, client=NAME).\"},"
		"\"tool\":{\"type\":\"string\",\"pattern\":"
		"\"^[a-z0-9_]+$\",\"examples\":[\"proxmox_reboot_vm\"],"
		"\"x-counterexamples\":[\"Proxmox reboot\"],\"description\":"
		"\"Only lines about this tool.\"},"
		"\"outcome\":{\"enum\":[\"ok\",\"error\",\"pending\"],"
		"\"description\":\"Only lines with this outcome.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ACTIVITY_ITEM),
	    .flags = RT_READ_ONLY,
	    .call = racktop_activity,
	},
	{
	    .name = "racktop_find",
	    .title = "Find anything",
	    .description = "What an IP address, a MAC address, a host name or "
		"a name is in every configured service at once: the Proxmox "
		"guest (with the addresses its agent reports), the Docker "
		"container, the UniFi client (AP or switch port, signal, "
		"blocked), the Pi-hole client (recent and blocked queries), "
		"the Tailscale device, the NetBox address and device; a "
		"guest's, container's or client's entity names the memories "
		"linked to it (memory_list entity=...). Answered "
		"from the services' latest snapshots, without asking any "
		"upstream; age_ms says how old each answer is. Names match "
		"without case and by first DNS label.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"query\"],\"properties\":{\"query\":{"
		"\"type\":\"string\",\"minLength\":1,\"maxLength\":255,"
		"\"description\":\"An IP (10.0.0.40), a MAC (any spelling), a "
		"host name or a name.\"},\"service\":{\"type\":\"string\","
		"\"pattern\":\"^[a-z0-9]+$\",\"examples\":[\"unifi\"],"
		"\"x-counterexamples\":[\"Uni Fi\"],\"description\":"
		"\"Only this service.\"}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(FIND_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = racktop_find,
	},
	{
	    .name = "racktop_drift",
	    .title = "Inventory drift",
	    .description = "Where the inventory (NetBox) and the live network "
		"disagree: undocumented addresses (seen by a Proxmox guest "
		"agent, a Docker container, a UniFi client or device, Pi-hole "
		"or Tailscale, but not in the inventory; by default only those "
		"inside a documented prefix) and unseen ones (documented, but "
		"in no snapshot). From snapshots only: racktop never probes "
		"the network, so unseen means no service reported it, not "
		"that it is down.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{\"side\":{\"enum\":[\"undocumented\","
		"\"unseen\"],\"description\":\"Only this side.\"},\"scope\":{"
		"\"enum\":[\"prefixes\",\"all\"],\"default\":\"prefixes\","
		"\"description\":\"prefixes: undocumented addresses only "
		"inside the inventory's prefixes; all: every one.\"},"
		"\"service\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\","
		"\"examples\":[\"netbox\"],\"x-counterexamples\":[\"Net Box\"],"
		"\"description\":\"Only this inventory service.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DRIFT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = racktop_drift,
	},
	{ .name = NULL },
};

const struct rt_service racktop_service = {
	.name = "racktop",
	.title = "racktop",
	.tools = racktop_tools,
};
