/*
 * The registry of services, tools and instances, and the poller threads.
 *
 * DESIGN: each instance has one poller thread that owns the backend's
 * polling handles; it polls, publishes a snapshot, then waits on its
 * condition variable until the refresh interval passes, a write asks for
 * an early refresh, or shutdown. Nothing else touches the poller's
 * handles.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/jsonarena.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/xmalloc.h"

struct registry {
	const struct rt_service *const *table;
	const char **names;		/* service names, NULL-terminated */
	struct registry_tool *tools;
	size_t ntools;
	struct rt_instance **instances;
	size_t ninstances;
	/* Sections made from the environment (env_url); owned. */
	struct rt_instance_conf **implicit;
	size_t nimplicit;
	/* Every tool's schemas, packed; the tools borrow from it. */
	json_t *schemas;
	struct json_arena *schema_arena;	/* owns schemas when not NULL */
};

/* Parses a tool's two schemas; the trees are owned until packed. */
static int
parse_tool(struct registry_tool *t, char **cause)
{
	json_error_t jerr;

	t->input_json = json_loads(t->tool->input_schema != NULL ?
	    t->tool->input_schema : "", 0, &jerr);
	if (t->input_json == NULL) {
		xasprintf(cause, "%s: input schema: %s (column %d)",
		    t->tool->name, jerr.text, jerr.column);
		return (-1);
	}
	if (t->tool->output_schema == NULL) {
		xasprintf(cause, "%s: no output schema", t->tool->name);
		return (-1);
	}
	t->output_json = json_loads(t->tool->output_schema, 0, &jerr);
	if (t->output_json == NULL) {
		xasprintf(cause, "%s: output schema: %s (column %d)",
		    t->tool->name, jerr.text, jerr.column);
		return (-1);
	}
	return (0);
}

static int
compile_tool(struct registry_tool *t, char **cause)
{
	char *why = NULL;

	if ((t->input = schema_compile(t->input_json, &why)) == NULL) {
		xasprintf(cause, "%s: input schema: %s", t->tool->name, why);
		free(why);
		return (-1);
	}
	if ((t->output = schema_compile(t->output_json, &why)) == NULL) {
		xasprintf(cause, "%s: output schema: %s", t->tool->name, why);
		free(why);
		return (-1);
	}
	return (0);
}

/*
 * Every schema tree packed into one arena (jsonarena.h): a hundred tools'
 * schemas are 150 KB of text but 1.8 MB as jansson's separate blocks.
 * The tools' trees then borrow from reg->schemas.
 */
static void
pack_schemas(struct registry *reg)
{
	json_t *all = json_array(), *packed;
	size_t i;

	for (i = 0; i < reg->ntools; i++) {
		json_array_append(all, reg->tools[i].input_json);
		json_array_append(all, reg->tools[i].output_json);
	}
	if ((packed = json_arena_copy(all, &reg->schema_arena)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(all);
	for (i = 0; i < reg->ntools; i++) {
		json_decref(reg->tools[i].input_json);
		json_decref(reg->tools[i].output_json);
		reg->tools[i].input_json = json_array_get(packed, 2 * i);
		reg->tools[i].output_json = json_array_get(packed, 2 * i + 1);
	}
	reg->schemas = packed;
}

/* Builds the registry from the service table. */
struct registry *
registry_create(const struct rt_service *const *table, char **cause)
{
	struct registry *reg = xcalloc(1, sizeof *reg);
	const struct rt_tool *tool;
	size_t i, n = 0, nsvc = 0;

	reg->table = table;
	for (i = 0; table[i] != NULL; i++) {
		nsvc++;
		for (tool = table[i]->tools; tool->name != NULL; tool++)
			n++;
	}
	reg->names = xcalloc(nsvc + 1, sizeof *reg->names);
	reg->tools = xcalloc(n, sizeof *reg->tools);
	for (i = 0; table[i] != NULL; i++) {
		reg->names[i] = table[i]->name;
		for (tool = table[i]->tools; tool->name != NULL; tool++) {
			struct registry_tool *t = &reg->tools[reg->ntools++];

			t->tool = tool;
			t->service = table[i];
			t->reg = reg;
			if (parse_tool(t, cause) != 0) {
				registry_destroy(reg);
				return (NULL);
			}
		}
	}
	pack_schemas(reg);
	for (i = 0; i < reg->ntools; i++) {
		if (compile_tool(&reg->tools[i], cause) != 0) {
			registry_destroy(reg);
			return (NULL);
		}
	}
	/* The unpacked trees left a hole as large as the schemas. */
	malloc_trim(0);
	return (reg);
}

static void
instance_free(struct rt_instance *in)
{
	if (in == NULL)
		return;
	if (in->service->destroy != NULL)
		in->service->destroy(in->state);
	snapshot_slot_finish(&in->slot);
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
	free(in->name);
	free(in);
}

/* Frees the registry; pollers must have been stopped. */
void
registry_destroy(struct registry *reg)
{
	size_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->ninstances; i++)
		instance_free(reg->instances[i]);
	free(reg->instances);
	for (i = 0; i < reg->ntools; i++) {
		if (reg->schemas == NULL) {
			/* Failed before packing: the trees are the tools' own. */
			json_decref(reg->tools[i].input_json);
			json_decref(reg->tools[i].output_json);
		}
		schema_free(reg->tools[i].input);
		schema_free(reg->tools[i].output);
	}
	if (reg->schema_arena != NULL)
		json_arena_free(reg->schema_arena);
	else
		json_decref(reg->schemas);
	free(reg->tools);
	free(reg->names);
	for (i = 0; i < reg->nimplicit; i++) {
		free(reg->implicit[i]->service);
		free(reg->implicit[i]->name);
		free(reg->implicit[i]->kv[0].key);
		free(reg->implicit[i]->kv[0].value);
		free(reg->implicit[i]->kv);
		free(reg->implicit[i]);
	}
	free(reg->implicit);
	free(reg);
}

/* The service names, for the config loader. */
const char *const *
registry_service_names(struct registry *reg)
{
	return (reg->names);
}

static const struct rt_service *
find_service(struct registry *reg, const char *name)
{
	size_t i;

	for (i = 0; reg->table[i] != NULL; i++) {
		if (strcmp(reg->table[i]->name, name) == 0)
			return (reg->table[i]);
	}
	return (NULL);
}

/* Creates one instance from its section; -1 and *cause on error. */
static int
instance_add(struct registry *reg, const struct rt_instance_conf *ic,
    char **cause)
{
	const struct rt_service *svc;
	struct rt_instance *in;
	char *why = NULL;
	long refresh;

	if ((svc = find_service(reg, ic->service)) == NULL) {
		xasprintf(cause, "unknown service \"%s\"", ic->service);
		return (-1);
	}
	if (conf_get_int(ic, "refresh", svc->refresh_s > 0 ?
	    svc->refresh_s : 10, &refresh, &why) != 0 || refresh < 1) {
		xasprintf(cause, "%s \"%s\": refresh: %s", ic->service,
		    ic->name, why != NULL ? why : "must be at least 1");
		free(why);
		return (-1);
	}
	in = xcalloc(1, sizeof *in);
	in->service = svc;
	in->reg = reg;
	in->name = xstrdup(ic->name);
	in->conf = ic;
	in->refresh_s = (int)refresh;
	snapshot_slot_init(&in->slot);
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->cond, NULL);
	if (svc->create != NULL &&
	    (in->state = svc->create(in, ic, &why)) == NULL) {
		xasprintf(cause, "%s \"%s\": %s", ic->service, ic->name,
		    why != NULL ? why : "cannot create");
		free(why);
		instance_free(in);
		return (-1);
	}
	reg->instances = xreallocarray(reg->instances,
	    reg->ninstances + 1, sizeof *reg->instances);
	reg->instances[reg->ninstances++] = in;
	return (0);
}

/*
 * A service with env_url and no configured instance gets one named "env"
 * when that variable is set (DOCKER_HOST, as the docker CLI reads it).
 */
static int
implicit_instances(struct registry *reg, const struct rt_config *conf,
    char **cause)
{
	const struct rt_service *svc;
	struct rt_instance_conf *ic;
	const char *v;
	size_t i, j;

	for (i = 0; (svc = reg->table[i]) != NULL; i++) {
		if (svc->env_url == NULL || (v = getenv(svc->env_url)) == NULL ||
		    *v == '\0')
			continue;
		for (j = 0; j < conf->ninstances; j++) {
			if (strcmp(conf->instances[j].service, svc->name) == 0)
				break;
		}
		if (j < conf->ninstances)
			continue;	/* configured: its url wins */
		ic = xcalloc(1, sizeof *ic);
		ic->service = xstrdup(svc->name);
		ic->name = xstrdup("env");
		ic->kv = xcalloc(1, sizeof *ic->kv);
		ic->kv[0].key = xstrdup("url");
		ic->kv[0].value = xstrdup(v);
		ic->nkv = 1;
		reg->implicit = xreallocarray(reg->implicit,
		    reg->nimplicit + 1, sizeof *reg->implicit);
		reg->implicit[reg->nimplicit++] = ic;
		if (instance_add(reg, ic, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Whether an instance's url names an instance of a service
 * ("SERVICE://INSTANCE/...", a Docker engine reached through another
 * service's proxy): it is created after the others, so it finds the
 * instance it goes through whatever the order of the sections.
 */
static bool
instance_goes_through(struct registry *reg, const struct rt_instance_conf *ic)
{
	const char *url = conf_get(ic, "url"), *sep;
	char scheme[32];
	size_t n;

	if (url == NULL || (sep = strstr(url, "://")) == NULL)
		return (false);
	n = (size_t)(sep - url);
	if (n == 0 || n >= sizeof scheme)
		return (false);
	memcpy(scheme, url, n);
	scheme[n] = '\0';
	return (find_service(reg, scheme) != NULL);
}

/* Creates one instance per configured section, then the implicit ones. */
int
registry_add_instances(struct registry *reg, const struct rt_config *conf,
    char **cause)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < conf->ninstances; i++) {
			if (instance_goes_through(reg,
			    &conf->instances[i]) != (pass == 1))
				continue;
			if (instance_add(reg, &conf->instances[i], cause) != 0)
				return (-1);
		}
	}
	return (implicit_instances(reg, conf, cause));
}

/*
 * A large lab's refresh frees megabytes of response text and the last
 * refresh's tree in the middle of the heap, where glibc keeps it; give it
 * back (RSS of a --scale large lab: 59 MB without, 39-49 MB with). Trimming
 * walks every arena under its lock, so the pollers do it at most once a
 * second between them, not after each of their publications.
 */
static void
trim_heap(void)
{
	static _Atomic int64_t last;
	int64_t now = clock_mono_ms(), prev = atomic_load(&last);

	if (now - prev < 1000 ||
	    !atomic_compare_exchange_strong(&last, &prev, now))
		return;
	malloc_trim(0);
}

static void *
poller_main(void *arg)
{
	struct rt_instance *in = arg;
	struct timespec until;
	char name[16], *cause;
	json_t *data;
	int64_t next, started;
	int kind;

	snprintf(name, sizeof name, "poll-%s", in->name);
	log_set_thread(name);
	for (;;) {
		cause = NULL;
		kind = RT_ERR_UPSTREAM;
		started = clock_mono_us();
		data = in->service->poll(in->state, &kind, &cause);
		atomic_store(&in->last_poll_us, clock_mono_us() - started);
		atomic_fetch_add(&in->polls, 1);
		if (data != NULL) {
			snapshot_publish(&in->slot, data);
			trim_heap();
		}
		else {
			atomic_fetch_add(&in->poll_errors, 1);
			log_warn("%s %s: poll failed: %s", in->service->name,
			    in->name, cause != NULL ? cause : "unknown error");
			snapshot_publish_error(&in->slot, kind,
			    cause != NULL ? cause : "unknown error");
			free(cause);
		}

		/* Wait on the wall clock: condvars time out on CLOCK_REALTIME. */
		next = clock_wall_ms() + (int64_t)in->refresh_s * 1000;
		until.tv_sec = next / 1000;
		until.tv_nsec = (next % 1000) * 1000000;
		pthread_mutex_lock(&in->lock);
		while (!in->stop && !in->refresh_now) {
			if (pthread_cond_timedwait(&in->cond, &in->lock,
			    &until) == ETIMEDOUT)
				break;
		}
		in->refresh_now = false;
		if (in->stop) {
			pthread_mutex_unlock(&in->lock);
			break;
		}
		pthread_mutex_unlock(&in->lock);
	}
	return (NULL);
}

/* Starts a poller for every instance whose service polls. */
void
registry_start_pollers(struct registry *reg)
{
	struct rt_instance *in;
	sigset_t all, old;
	size_t i;

	/* Pollers never take signals: those belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < reg->ninstances; i++) {
		in = reg->instances[i];
		if (in->service->poll == NULL || in->poller_running)
			continue;
		if (pthread_create(&in->poller, NULL, poller_main, in) != 0)
			fatalx("pthread_create failed");
		in->poller_running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Stops every poller and waits for it. */
void
registry_stop_pollers(struct registry *reg)
{
	struct rt_instance *in;
	size_t i;

	for (i = 0; i < reg->ninstances; i++) {
		in = reg->instances[i];
		pthread_mutex_lock(&in->lock);
		in->stop = true;
		pthread_cond_signal(&in->cond);
		pthread_mutex_unlock(&in->lock);
	}
	for (i = 0; i < reg->ninstances; i++) {
		in = reg->instances[i];
		if (in->poller_running) {
			pthread_join(in->poller, NULL);
			in->poller_running = false;
		}
	}
}

/* Wakes an instance's poller for an early refresh. */
void
instance_refresh_soon(struct rt_instance *in)
{
	pthread_mutex_lock(&in->lock);
	in->refresh_now = true;
	pthread_cond_signal(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

/* Number of tools. */
size_t
registry_ntools(struct registry *reg)
{
	return (reg->ntools);
}

/* Tool i, in registry order. */
const struct registry_tool *
registry_tool_at(struct registry *reg, size_t i)
{
	return (i < reg->ntools ? &reg->tools[i] : NULL);
}

/* Looks a tool up by name. */
const struct registry_tool *
registry_find(struct registry *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->ntools; i++) {
		if (strcmp(reg->tools[i].tool->name, name) == 0)
			return (&reg->tools[i]);
	}
	return (NULL);
}

/* Number of instances. */
size_t
registry_ninstances(struct registry *reg)
{
	return (reg->ninstances);
}

/* Instance i, in config order. */
struct rt_instance *
registry_instance_at(struct registry *reg, size_t i)
{
	return (i < reg->ninstances ? reg->instances[i] : NULL);
}

/* The instances of one service; the array is the caller's to free. */
struct rt_instance **
registry_instances_of(struct registry *reg, const struct rt_service *svc,
    size_t *n)
{
	struct rt_instance **out;
	size_t i;

	out = xcalloc(reg->ninstances + 1, sizeof *out);
	*n = 0;
	for (i = 0; i < reg->ninstances; i++) {
		if (reg->instances[i]->service == svc)
			out[(*n)++] = reg->instances[i];
	}
	return (out);
}

/* The MCP Tool object for one tool. */
json_t *
registry_tool_json(const struct registry_tool *t)
{
	unsigned f = t->tool->flags;
	json_t *o, *ann;

	ann = json_pack("{s:s, s:b, s:b, s:b, s:b}",
	    "title", t->tool->title,
	    "readOnlyHint", (f & RT_READ_ONLY) != 0,
	    "destructiveHint", (f & RT_DESTRUCTIVE) != 0,
	    "idempotentHint", (f & RT_IDEMPOTENT) != 0,
	    "openWorldHint", (f & RT_OPEN_WORLD) != 0);
	/* Deep copies: the schema trees may be read by several threads. */
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
	    "name", t->tool->name,
	    "title", t->tool->title,
	    "description", t->tool->description,
	    "inputSchema", json_deep_copy(t->input_json),
	    "outputSchema", json_deep_copy(t->output_json),
	    "annotations", ann);
	if (o == NULL)
		fatalx("%s: cannot build tool object", t->tool->name);
	return (o);
}

/* The catalog of every tool. */
json_t *
registry_catalog(struct registry *reg)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < reg->ntools; i++)
		json_array_append_new(a, registry_tool_json(&reg->tools[i]));
	return (a);
}

/* Checks every pattern under v has an accepted and a rejected example. */
static int
check_patterns(const char *tool, const json_t *v, char **cause)
{
	const json_t *pat, *ex, *cex, *e, *child;
	const char *key;
	size_t i;
	int ok = 0, bad = 0;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			if (check_patterns(tool, child, cause) != 0)
				return (-1);
		}
		return (0);
	}
	if (!json_is_object(v))
		return (0);
	if ((pat = json_object_get(v, "pattern")) != NULL &&
	    json_is_string(pat)) {
		ex = json_object_get(v, "examples");
		cex = json_object_get(v, "x-counterexamples");
		json_array_foreach(ex, i, e) {
			if (json_is_string(e) && schema_pattern_match(
			    json_string_value(pat), json_string_value(e)) == 1)
				ok++;
			else {
				xasprintf(cause, "%s: pattern %s rejects its "
				    "example #%zu", tool, json_string_value(pat), i);
				return (-1);
			}
		}
		json_array_foreach(cex, i, e) {
			if (json_is_string(e) && schema_pattern_match(
			    json_string_value(pat), json_string_value(e)) == 0)
				bad++;
			else {
				xasprintf(cause, "%s: pattern %s accepts its "
				    "counterexample #%zu", tool,
				    json_string_value(pat), i);
				return (-1);
			}
		}
		if (ok == 0 || bad == 0) {
			xasprintf(cause, "%s: pattern %s needs \"examples\" and "
			    "\"x-counterexamples\"", tool, json_string_value(pat));
			return (-1);
		}
	}
	json_object_foreach((json_t *)v, key, child) {
		if (check_patterns(tool, child, cause) != 0)
			return (-1);
	}
	return (0);
}

/* Checks one tool's invariants. */
static int
check_tool(const struct registry_tool *t, char **cause)
{
	const struct rt_tool *tool = t->tool;
	size_t plen = strlen(t->service->name);
	const json_t *type;

	if (strncmp(tool->name, t->service->name, plen) != 0 ||
	    tool->name[plen] != '_' || tool->name[plen + 1] == '\0') {
		xasprintf(cause, "%s: name must start with \"%s_\"", tool->name,
		    t->service->name);
		return (-1);
	}
	if (strspn(tool->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(tool->name) || strlen(tool->name) > 64) {
		xasprintf(cause, "%s: name must be [a-z0-9_]{1,64}", tool->name);
		return (-1);
	}
	if (tool->title == NULL || *tool->title == '\0' ||
	    tool->description == NULL || strlen(tool->description) < 20) {
		xasprintf(cause, "%s: needs a title and a description",
		    tool->name);
		return (-1);
	}
	if (tool->call == NULL) {
		xasprintf(cause, "%s: no call function", tool->name);
		return (-1);
	}
	if ((tool->flags & RT_READ_ONLY) && (tool->flags & RT_DESTRUCTIVE)) {
		xasprintf(cause, "%s: read-only and destructive", tool->name);
		return (-1);
	}
	if ((tool->flags & RT_DESTRUCTIVE) && tool->describe == NULL) {
		xasprintf(cause, "%s: destructive without describe", tool->name);
		return (-1);
	}
	type = json_object_get(t->input_json, "type");
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "object") != 0) {
		xasprintf(cause, "%s: input schema must be an object", tool->name);
		return (-1);
	}
	type = json_object_get(t->output_json, "type");
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "object") != 0) {
		xasprintf(cause, "%s: output schema must be an object",
		    tool->name);
		return (-1);
	}
	if (check_patterns(tool->name, t->input_json, cause) != 0 ||
	    check_patterns(tool->name, t->output_json, cause) != 0)
		return (-1);
	return (0);
}

/*
 * Checks a service's toggles: each switches a row key of its own views,
 * to another tool of the same service, on a row pointer and its values.
 */
static int
check_toggles(struct registry *reg, const struct rt_service *svc,
    char **cause)
{
	const struct rt_toggle *tg;
	const struct rt_view *v;
	const struct rt_rowkey *k;
	const struct registry_tool *alt;
	bool found;

	for (tg = svc->toggles; tg != NULL && tg->tool != NULL; tg++) {
		found = false;
		for (v = svc->views; v != NULL && v->name != NULL; v++) {
			for (k = v->keys; k != NULL && k->key != 0; k++)
				found = found || strcmp(k->tool, tg->tool) == 0;
		}
		if (!found) {
			xasprintf(cause, "service %s: toggle of %s: no row key "
			    "calls it", svc->name, tg->tool);
			return (-1);
		}
		alt = tg->alt_tool != NULL ? registry_find(reg, tg->alt_tool) :
		    NULL;
		if (alt == NULL || alt->service != svc) {
			xasprintf(cause, "service %s: toggle of %s: %s is not "
			    "a tool of the service", svc->name, tg->tool,
			    tg->alt_tool != NULL ? tg->alt_tool : "(none)");
			return (-1);
		}
		if (tg->pointer == NULL || tg->pointer[0] != '/' ||
		    tg->equals == NULL || *tg->equals == '\0' ||
		    tg->alt_label == NULL || *tg->alt_label == '\0') {
			xasprintf(cause, "service %s: toggle of %s: needs a "
			    "pointer, values and a label", svc->name, tg->tool);
			return (-1);
		}
	}
	return (0);
}

/* Checks the invariants of every tool. */
int
registry_check(struct registry *reg, char **cause)
{
	size_t i, j;

	for (i = 0; reg->table[i] != NULL; i++) {
		if (strspn(reg->table[i]->name, "abcdefghijklmnopqrstuvwxyz0123456789")
		    != strlen(reg->table[i]->name)) {
			xasprintf(cause, "service %s: name must be [a-z0-9]+",
			    reg->table[i]->name);
			return (-1);
		}
		for (j = 0; j < i; j++) {
			if (strcmp(reg->table[i]->name,
			    reg->table[j]->name) == 0) {
				xasprintf(cause, "service %s: listed twice",
				    reg->table[i]->name);
				return (-1);
			}
		}
		if (check_toggles(reg, reg->table[i], cause) != 0)
			return (-1);
	}
	for (i = 0; i < reg->ntools; i++) {
		if (check_tool(&reg->tools[i], cause) != 0)
			return (-1);
		for (j = 0; j < i; j++) {
			if (strcmp(reg->tools[i].tool->name,
			    reg->tools[j].tool->name) == 0) {
				xasprintf(cause, "%s: name used twice",
				    reg->tools[i].tool->name);
				return (-1);
			}
		}
	}
	return (0);
}
