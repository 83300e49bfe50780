/*
 * MCP resources: instances' snapshots as racktop://SERVICE/INSTANCE/snapshot
 * (see resources.h).
 *
 * DESIGN: the hub is static storage, never freed, so a poller that
 * publishes while a context goes away (racktop stops the MCP server
 * before the pollers) only ever takes its mutex and finds no queue. Each
 * watching context registers its registry and completion queue; the
 * hook finds the instance by its slot's address and pushes one small
 * event per watcher. A snapshot is serialised on the owner's thread with
 * json_dumpb, which reads the shared tree without touching its counts.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/resources.h"

#define HUB_MAX 16

static void put_member(struct jr_buf *, const char *, json_t *, bool);
static int64_t res_read_problems(struct registry *, struct jr_buf *);

struct hub_entry {
	struct registry *reg;
	struct job_queue *q;
};

static struct {
	pthread_mutex_t lock;
	struct hub_entry e[HUB_MAX];
	int n;
} hub = { PTHREAD_MUTEX_INITIALIZER, { { NULL, NULL } }, 0 };

/* Never runs: marks a res_event. */
void
res_marker(struct job *j)
{
	(void)j;
}

/* Any thread: an instance published; queue an event for each watcher. */
static void
res_published(struct snapshot_slot *slot, void *arg)
{
	struct res_event *ev;
	size_t i, n;
	int k;

	(void)arg;
	pthread_mutex_lock(&hub.lock);
	for (k = 0; k < hub.n; k++) {
		n = registry_ninstances(hub.e[k].reg);
		for (i = 0; i < n; i++) {
			if (&registry_instance_at(hub.e[k].reg, i)->slot !=
			    slot)
				continue;
			ev = xcalloc(1, sizeof *ev);
			job_init(&ev->job, res_marker, ev, NULL);
			ev->instance = i;
			job_queue_push(hub.e[k].q, &ev->job);
			break;
		}
	}
	pthread_mutex_unlock(&hub.lock);
}

/* Registers a context's queue for reg's publications. */
void
res_watch(struct registry *reg, struct job_queue *q)
{
	struct rt_instance *in;
	size_t i, n = registry_ninstances(reg);

	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		if (in->slot.published == NULL)
			in->slot.published = res_published;
		else if (in->slot.published != res_published)
			log_warn("mcp: %s %s: the snapshot hook is taken; no "
			    "resource updates", in->service->name, in->name);
	}
	pthread_mutex_lock(&hub.lock);
	if (hub.n == HUB_MAX)
		fatalx("mcp: more than %d protocol contexts", HUB_MAX);
	hub.e[hub.n].reg = reg;
	hub.e[hub.n].q = q;
	hub.n++;
	pthread_mutex_unlock(&hub.lock);
}

/* Stops queueing events on q. */
void
res_unwatch(struct job_queue *q)
{
	int k;

	pthread_mutex_lock(&hub.lock);
	for (k = 0; k < hub.n; k++) {
		if (hub.e[k].q == q) {
			hub.e[k] = hub.e[--hub.n];
			break;
		}
	}
	pthread_mutex_unlock(&hub.lock);
}

/* The URI of instance i (or, one past the last, of the problems). */
void
res_uri(struct registry *reg, size_t i, char *buf, size_t len)
{
	struct rt_instance *in;

	if (i == res_problems_index(reg)) {
		snprintf(buf, len, "%s", RES_PROBLEMS);
		return;
	}
	in = registry_instance_at(reg, i);
	snprintf(buf, len, RES_SCHEME "%s/%s/snapshot", in->service->name,
	    in->name);
}

/* The problems resource's index: one past the last instance. */
size_t
res_problems_index(struct registry *reg)
{
	return (registry_ninstances(reg));
}

/* The instance index a URI names, or -1. */
long
res_find(struct registry *reg, const char *uri)
{
	size_t i, n = registry_ninstances(reg);
	char buf[512];

	if (strncmp(uri, RES_SCHEME, sizeof RES_SCHEME - 1) != 0)
		return (-1);
	if (strcmp(uri, RES_PROBLEMS) == 0)
		return ((long)n);
	for (i = 0; i < n; i++) {
		res_uri(reg, i, buf, sizeof buf);
		if (strcmp(buf, uri) == 0)
			return ((long)i);
	}
	return (-1);
}

/* One Resource object per instance. */
json_t *
res_list(struct registry *reg, bool titles)
{
	json_t *a = json_array(), *r;
	struct rt_instance *in;
	size_t i, n = registry_ninstances(reg);
	char uri[512], name[256], desc[512];

	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		res_uri(reg, i, uri, sizeof uri);
		snprintf(name, sizeof name, "%s/%s", in->service->name,
		    in->name);
		snprintf(desc, sizeof desc, "Live snapshot of %s \"%s\" as "
		    "the dashboard polls it (every %d s): the data, its age "
		    "and the last poll error.", in->service->title != NULL ?
		    in->service->title : in->service->name, in->name,
		    in->refresh_s);
		r = json_pack("{s:s, s:s, s:s, s:s}", "uri", uri, "name", name,
		    "description", desc, "mimeType", "application/json");
		if (titles) {
			snprintf(desc, sizeof desc, "%s %s",
			    in->service->title != NULL ? in->service->title :
			    in->service->name, in->name);
			json_object_set_new(r, "title", json_string(desc));
		}
		json_array_append_new(a, r);
	}
	r = json_pack("{s:s, s:s, s:s, s:s}", "uri", RES_PROBLEMS, "name",
	    "problems", "description", "What needs attention across every "
	    "instance, most urgent first (as the racktop_problems tool "
	    "returns it); updated whenever the list changes.", "mimeType",
	    "application/json");
	if (titles)
		json_object_set_new(r, "title", json_string("Problems"));
	json_array_append_new(a, r);
	return (a);
}

/* The problems envelope: {uri, crit, warn, problems}; ms it stays fresh. */
static int64_t
res_read_problems(struct registry *reg, struct jr_buf *b)
{
	json_t *list = problems_collect(reg);
	size_t i, n = registry_ninstances(reg);
	int crit, warn, refresh = 0;

	problems_count(list, &crit, &warn);
	jr_buf_append(b, "{", 1);
	put_member(b, "uri", json_string(RES_PROBLEMS), true);
	put_member(b, "crit", json_integer(crit), false);
	put_member(b, "warn", json_integer(warn), false);
	put_member(b, "problems", list, false);
	jr_buf_append(b, "}", 1);
	for (i = 0; i < n; i++) {
		int r = registry_instance_at(reg, i)->refresh_s;

		if (refresh == 0 || r < refresh)
			refresh = r;
	}
	return ((int64_t)refresh * 1000);
}

/* A digest of the current problems, to notify only on a change. */
uint64_t
res_problems_digest(struct registry *reg)
{
	json_t *list = problems_collect(reg);
	uint64_t h = problems_digest(list);

	json_decref(list);
	return (h);
}

/* The one ResourceTemplate. */
json_t *
res_templates(bool titles)
{
	json_t *t;

	t = json_pack("{s:s, s:s, s:s, s:s}", "uriTemplate", RES_TEMPLATE,
	    "name", "snapshot", "description", "The live snapshot of one "
	    "configured instance of a service (see resources/list).",
	    "mimeType", "application/json");
	if (titles)
		json_object_set_new(t, "title", json_string("Instance "
		    "snapshot"));
	return (json_pack("[o]", t));
}

/* Appends "key": and a new JSON value (stolen). */
static void
put_member(struct jr_buf *b, const char *key, json_t *v, bool first)
{
	if (!first)
		jr_buf_append(b, ",", 1);
	jr_buf_append(b, "\"", 1);
	jr_buf_append(b, key, strlen(key));
	jr_buf_append(b, "\":", 2);
	jr_put_json(b, v);
	json_decref(v);
}

/* The envelope of instance i's current snapshot, as JSON text. */
int64_t
res_read(struct registry *reg, size_t i, struct jr_buf *b)
{
	struct rt_instance *in;
	struct snapshot *s;
	char uri[512];
	int64_t age, ttl;

	if (i == res_problems_index(reg))
		return (res_read_problems(reg, b));
	in = registry_instance_at(reg, i);
	res_uri(reg, i, uri, sizeof uri);
	s = snapshot_acquire(&in->slot);
	jr_buf_append(b, "{", 1);
	put_member(b, "uri", json_string(uri), true);
	put_member(b, "service", json_string(in->service->name), false);
	put_member(b, "instance", json_string(in->name), false);
	put_member(b, "generation", json_integer(s != NULL ?
	    (json_int_t)s->generation : 0), false);
	age = s != NULL ? snapshot_age_ms(s) : -1;
	put_member(b, "age_ms", age >= 0 ? json_integer(age) : json_null(),
	    false);
	put_member(b, "fetched_ms", s != NULL && s->fetched_ms > 0 ?
	    json_integer(s->fetched_ms) : json_null(), false);
	put_member(b, "error", s == NULL ? json_string("not polled yet") :
	    s->error != NULL ? json_string(s->error) : json_null(), false);
	jr_buf_append(b, ",\"data\":", 8);
	if (s != NULL && s->data != NULL)
		jr_put_json(b, s->data);	/* reads; no refcount */
	else
		jr_buf_append(b, "null", 4);
	jr_buf_append(b, "}", 1);
	snapshot_release(s);
	ttl = (int64_t)in->refresh_s * 1000 - (age > 0 ? age : 0);
	return (ttl > 0 ? ttl : 0);
}

/* Instance names, of one service or all, starting with prefix. */
json_t *
res_instance_names(struct registry *reg, const char *service,
    const char *prefix)
{
	json_t *a = json_array();
	struct rt_instance *in;
	size_t i, n = registry_ninstances(reg);

	for (i = 0; i < n && json_array_size(a) < 100; i++) {
		in = registry_instance_at(reg, i);
		if (service != NULL && strcmp(service, in->service->name) != 0)
			continue;
		if (strncmp(in->name, prefix, strlen(prefix)) == 0)
			json_array_append_new(a, json_string(in->name));
	}
	return (a);
}

/* Completion of the template's arguments: service, then instance. */
json_t *
res_complete(struct registry *reg, const char *uri, const char *arg,
    const char *value, const json_t *context)
{
	const char *const *names;
	const char *service;
	json_t *a;
	size_t i;

	if (strcmp(uri, RES_TEMPLATE) != 0 && (res_find(reg, uri) < 0 ||
	    strcmp(uri, RES_PROBLEMS) == 0))
		return (NULL);
	if (strcmp(arg, "service") == 0) {
		a = json_array();
		names = registry_service_names(reg);
		for (i = 0; names[i] != NULL; i++) {
			if (strncmp(names[i], value, strlen(value)) == 0)
				json_array_append_new(a, json_string(names[i]));
		}
		return (a);
	}
	if (strcmp(arg, "instance") == 0) {
		service = json_string_value(json_object_get(context,
		    "service"));
		return (res_instance_names(reg, service, value));
	}
	return (json_array());
}
