/*
 * Memory backend: the memory_* tools (Mem0's argument names) over the
 * store in memory-store.c and the embedders in memory-embed.c, and the
 * scopes each caller may use.
 *
 * DESIGN
 * Owner: one struct mem per [memory "name"] instance, created and
 * destroyed on the main thread; tool calls run on any worker and share
 * it (the embedder and the store pool their own handles). No poller.
 *
 * Scopes: a memory belongs to an agent_id. A caller may use its own
 * agent_id, derived from its verified identity (the executable's name,
 * plus "-uidN" for a uid other than racktop's), and the shared scope
 * (shared_scope, default "shared"); a `scopes` entry matching the caller
 * replaces that grant. Naming another scope is an error, never a silent
 * narrowing. This separates agents of one user from each other by
 * convenience: it is not a security boundary against an agent that can
 * run commands as that user (README.md, "Memory for agents").
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/call.h"
#include "core/http.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/memory.h"
#include "services/services.h"

#define MEM_DEDUP_DEFAULT 0.90
#define MEM_SHARED_DEFAULT "shared"
#define MEM_ID_MAX 128
#define MEM_SUMMARY_ROWS 500

/* One `scopes` entry: selectors, then the agent ids it grants. */
struct mem_rule {
	bool has_uid;
	uid_t uid;
	char *exe;
	char **ids;		/* first: the caller's own */
	size_t nids;
	bool all;		/* "*": every scope */
};

struct mem {
	char *name;
	struct mem_embedder *emb;
	pthread_mutex_t lock;	/* guards store while it is made */
	struct mem_store *store;	/* NULL until the width is known */
	struct mem_store_opts opts;	/* conninfo owned */
	char *shared;
	struct mem_rule *rules;
	size_t nrules;
	/* The summarising LLM, or NULL: the extractive summary. */
	struct http_opts llm_opts;	/* base_url owned */
	struct http_pool llm_pool;
	char *llm_model;
	bool llm_anthropic;
	char *llm_key;
	uid_t owner;
};

/* What one caller may touch. */
struct mem_grant {
	char own[MEM_ID_MAX + 1];
	const char *ids[2];	/* default: own, shared */
	const char *const *list;
	size_t n;
	bool all;
};

/* The state of an instance. */
static struct mem *
mem_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "memory NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
mem_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "memory %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* Whether s is a usable agent or user id. */
static bool
mem_id_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > MEM_ID_MAX)
		return (false);
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("_.:@-", s[i]) ==
		    NULL)
			return (false);
	}
	return (true);
}

/* Frees the scopes rules. */
static void
mem_rules_free(struct mem *m)
{
	size_t i, j;

	for (i = 0; i < m->nrules; i++) {
		free(m->rules[i].exe);
		for (j = 0; j < m->rules[i].nids; j++)
			free(m->rules[i].ids[j]);
		free(m->rules[i].ids);
	}
	free(m->rules);
	m->rules = NULL;
	m->nrules = 0;
}

/*
 * Parses "uid=1001 bot shared; exe=/usr/bin/node cursor; exe=/x *":
 * selectors, then the agent ids granted (the first is the caller's own),
 * "*" for every scope. 0, or -1 and *cause.
 */
static int
mem_rules_parse(struct mem *m, const char *text, char **cause)
{
	char *copy = xstrdup(text), *entry, *save1, *tok, *save2, *end;
	struct mem_rule *r;
	unsigned long u;

	for (entry = strtok_r(copy, ";", &save1); entry != NULL;
	    entry = strtok_r(NULL, ";", &save1)) {
		if (strspn(entry, " \t") == strlen(entry))
			continue;
		m->rules = xreallocarray(m->rules, m->nrules + 1,
		    sizeof *m->rules);
		r = &m->rules[m->nrules++];
		memset(r, 0, sizeof *r);
		for (tok = strtok_r(entry, " \t", &save2); tok != NULL;
		    tok = strtok_r(NULL, " \t", &save2)) {
			if (strncmp(tok, "uid=", 4) == 0) {
				errno = 0;
				u = strtoul(tok + 4, &end, 10);
				if (tok[4] == '\0' || *end != '\0' || errno) {
					xasprintf(cause, "scopes: bad %s", tok);
					goto fail;
				}
				r->has_uid = true;
				r->uid = (uid_t)u;
			} else if (strncmp(tok, "exe=", 4) == 0 && tok[4] == '/')
				r->exe = xstrdup(tok + 4);
			else if (strcmp(tok, "*") == 0)
				r->all = true;
			else if (mem_id_ok(tok)) {
				r->ids = xreallocarray(r->ids, r->nids + 1,
				    sizeof *r->ids);
				r->ids[r->nids++] = xstrdup(tok);
			} else {
				xasprintf(cause, "scopes: \"%s\" is neither "
				    "uid=N, exe=/PATH, * nor an agent id", tok);
				goto fail;
			}
		}
		if (!r->has_uid && r->exe == NULL) {
			xasprintf(cause, "scopes: an entry names no uid= or "
			    "exe=");
			goto fail;
		}
		if (r->nids == 0 && !r->all) {
			xasprintf(cause, "scopes: an entry grants no scope");
			goto fail;
		}
	}
	free(copy);
	return (0);
fail:
	free(copy);
	mem_rules_free(m);
	return (-1);
}

/* The executable a lazy-mode CLI caller stands for: its parent's. */
static void
mem_parent_exe(char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)getppid());
	if ((n = readlink(path, buf, len - 1)) < 0)
		n = 0;
	buf[n] = '\0';
}

/* The agent id derived from an identity: "claude", "node-uid1001". */
static void
mem_derive(const struct mem *m, const struct rt_caller *cl, char *out,
    size_t len)
{
	char exe[256], *base, *p;
	size_t n;

	snprintf(exe, sizeof exe, "%s", cl->exe);
	if (exe[0] == '\0' && cl->pid == getpid())
		mem_parent_exe(exe, sizeof exe);
	base = strrchr(exe, '/');
	base = base != NULL ? base + 1 : exe;
	if (*base == '\0') {
		snprintf(exe, sizeof exe, "unknown");
		base = exe;
	}
	for (p = base; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == NULL)
			*p = '-';
	}
	n = strlen(base);
	if (n > 64)
		base[64] = '\0';
	if (cl->uid != m->owner)
		snprintf(out, len, "%s-uid%u", base, (unsigned)cl->uid);
	else
		snprintf(out, len, "%s", base);
}

/* The scopes a caller may use. */
static void
mem_grant_of(const struct mem *m, const struct rt_caller *cl,
    struct mem_grant *g)
{
	const struct mem_rule *best = NULL;
	size_t i;
	int score, best_score = -1;

	memset(g, 0, sizeof *g);
	if (cl->source == RT_SRC_KEY) {
		/* The operator at the dashboard sees every scope. */
		snprintf(g->own, sizeof g->own, "operator");
		g->all = true;
		return;
	}
	for (i = 0; i < m->nrules; i++) {
		const struct mem_rule *r = &m->rules[i];

		if (r->has_uid && r->uid != cl->uid)
			continue;
		if (r->exe != NULL && strcmp(r->exe, cl->exe) != 0)
			continue;
		score = (r->has_uid ? 1 : 0) + (r->exe != NULL ? 1 : 0);
		if (score > best_score) {
			best = r;
			best_score = score;
		}
	}
	if (best != NULL) {
		g->all = best->all;
		if (best->nids > 0)
			snprintf(g->own, sizeof g->own, "%s", best->ids[0]);
		else
			mem_derive(m, cl, g->own, sizeof g->own);
		g->list = (const char *const *)best->ids;
		g->n = best->nids;
		return;
	}
	mem_derive(m, cl, g->own, sizeof g->own);
	g->ids[0] = g->own;
	g->ids[1] = m->shared;
	g->list = g->ids;
	g->n = 2;
}

/* Whether the grant covers agent_id. */
static bool
mem_granted(const struct mem_grant *g, const char *agent_id)
{
	size_t i;

	if (g->all || strcmp(agent_id, g->own) == 0)
		return (true);
	for (i = 0; i < g->n; i++) {
		if (strcmp(g->list[i], agent_id) == 0)
			return (true);
	}
	return (false);
}

/* "a, b" of a grant, for error messages. New string. */
static char *
mem_grant_text(const struct mem_grant *g)
{
	char *s = xstrdup(g->own), *t;
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (strcmp(g->list[i], g->own) == 0)
			continue;
		xasprintf(&t, "%s, %s", s, g->list[i]);
		free(s);
		s = t;
	}
	return (s);
}

/* Refuses agent_id outside the caller's grant; -1 after failing c. */
static int
mem_check_scope(struct rt_call *c, struct rt_instance *in,
    const struct mem_grant *g, const char *agent_id)
{
	char *list;

	if (mem_granted(g, agent_id))
		return (0);
	list = mem_grant_text(g);
	mem_fail(c, in, "agent_id \"%s\" is not a scope this caller may use "
	    "(granted: %s)", agent_id, list);
	free(list);
	return (-1);
}

/*
 * An argument from the call or its filters object: the top-level one
 * wins when both say the same; different values are an error. Borrowed.
 */
static int
mem_arg(struct rt_call *c, const char *key, const json_t **out)
{
	const json_t *top = json_object_get(c->args, key);
	const json_t *f = json_object_get(json_object_get(c->args, "filters"),
	    key);

	*out = top != NULL ? top : f;
	if (top != NULL && f != NULL && !json_equal((json_t *)top,
	    (json_t *)f)) {
		call_fail(c, "arguments.filters.%s: differs from arguments.%s",
		    key, key);
		return (-1);
	}
	return (0);
}

/*
 * The filter of a read: scope from the grant (agent_id checked against
 * it), user_id, entity, metadata, created_after/before. 0, or -1 after
 * failing the call. ids receives the one agent id asked for.
 */
static int
mem_filter_of(struct rt_call *c, struct rt_instance *in,
    const struct mem_grant *g, struct mem_filter *f, const char **one)
{
	const json_t *v;

	memset(f, 0, sizeof *f);
	if (mem_arg(c, "agent_id", &v) != 0)
		return (-1);
	if (json_is_string(v)) {
		*one = json_string_value(v);
		if (mem_check_scope(c, in, g, *one) != 0)
			return (-1);
		f->agent_ids = one;
		f->nagent_ids = 1;
	} else if (!g->all) {
		f->agent_ids = g->list;
		f->nagent_ids = g->n;
	}
	if (mem_arg(c, "user_id", &v) != 0)
		return (-1);
	f->user_id = json_string_value(v);
	if (mem_arg(c, "entity", &v) != 0)
		return (-1);
	f->entity = json_string_value(v);
	if (mem_arg(c, "metadata", &v) != 0)
		return (-1);
	f->metadata = v;
	if (mem_arg(c, "created_after", &v) != 0)
		return (-1);
	f->created_after = json_string_value(v);
	if (mem_arg(c, "created_before", &v) != 0)
		return (-1);
	f->created_before = json_string_value(v);
	return (0);
}

/* The scope filter of a write or a get (every granted scope). */
static void
mem_scope_of(const struct mem_grant *g, struct mem_filter *f)
{
	memset(f, 0, sizeof *f);
	if (!g->all) {
		f->agent_ids = g->list;
		f->nagent_ids = g->n;
	}
}

/* A random idempotency key when the caller gave none. New string. */
static char *
mem_key(struct rt_call *c)
{
	const char *k = call_arg_str(c, "idempotency_key");
	unsigned char b[16];
	char *s;

	if (k != NULL)
		return (xstrdup(k));
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		fatal("getrandom");
	xasprintf(&s, "rt-%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x"
	    "%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return (s);
}

/*
 * Makes the store once the embedder's width is known: at start-up, or
 * at the first call when an endpoint must be asked (so an embedding
 * server that is down does not keep racktop from starting).
 */
static int
mem_ready(struct mem *m, char **cause)
{
	int rv = 0;

	pthread_mutex_lock(&m->lock);
	if (m->store == NULL) {
		if (mem_embedder_probe(m->emb, cause) != 0)
			rv = -1;
		else {
			m->opts.dims = mem_embedder_dims(m->emb);
			if ((m->store = mem_store_create(&m->opts, cause)) ==
			    NULL)
				rv = -1;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return (rv);
}

/* The instance for a call and the caller's grant; NULL after failing. */
static struct rt_instance *
mem_begin(struct rt_call *c, struct mem_grant *g)
{
	struct rt_instance *in;
	char *why = NULL;

	if ((in = call_instance(c)) == NULL)
		return (NULL);
	if (mem_ready(mem_of(in), &why) != 0) {
		mem_fail(c, in, "embedding endpoint: %s", why);
		free(why);
		return (NULL);
	}
	mem_grant_of(mem_of(in), &c->caller, g);
	return (in);
}

/* The history actor: the caller's own scope and verified identity. */
static char *
mem_actor(struct rt_call *c, const struct mem_grant *g)
{
	char *s;

	if (c->caller.label[0] == '\0')
		caller_label(&c->caller);
	xasprintf(&s, "%s (%s)", g->own, c->caller.label);
	return (s);
}

/* Shapes a write's outcome for the caller; steals r. */
static int
mem_write_done(struct rt_call *c, struct rt_instance *in, json_t *r,
    const char *key)
{
	const char *ev = json_string_value(json_object_get(r, "event"));
	json_t *item = json_object_get(r, "row");
	char *msg = NULL;

	if (item != NULL) {
		json_object_set(r, "item", item);
		json_object_del(r, "row");
	}
	json_object_set_new(r, "instance", json_string(in->name));
	json_object_set_new(r, "idempotency_key", json_string(key));
	if (strcmp(ev, "UPDATE") == 0 && json_object_get(r, "similarity") !=
	    NULL)
		xasprintf(&msg, "A memory of this scope was %.0f%% similar "
		    "(threshold %.0f%%): its content was replaced and its id "
		    "kept; the old content is in memory_history.",
		    json_real_value(json_object_get(r, "similarity")) * 100,
		    mem_of(in)->opts.dedup_threshold * 100);
	else if (strcmp(ev, "NONE") == 0)
		xasprintf(&msg, "The same memory already exists: nothing "
		    "changed.");
	else if (strcmp(ev, "ADD") == 0)
		xasprintf(&msg, "Memory added.");
	else if (strcmp(ev, "UPDATE") == 0)
		xasprintf(&msg, "Memory updated; the old content is in "
		    "memory_history.");
	else
		xasprintf(&msg, "Memory deleted; it stays in memory_history.");
	json_object_set_new(r, "message", json_string(msg));
	free(msg);
	if (json_is_true(json_object_get(r, "replayed")))
		json_object_set_new(r, "message", json_string("This "
		    "idempotency_key was used before: its first outcome is "
		    "returned and nothing was written again."));
	return (call_ok(c, r));
}

/* memory_add. */
static int
mem_add(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_write w = { 0 };
	struct mem *m;
	json_t *r;
	char *why = NULL, *key, *actor;
	float *vec;
	int rv;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	m = mem_of(in);
	w.agent_id = call_arg_str(c, "agent_id");
	if (w.agent_id == NULL)
		w.agent_id = g.own;
	else if (mem_check_scope(c, in, &g, w.agent_id) != 0)
		return (-1);
	w.content = call_arg_str(c, "content");
	w.user_id = call_arg_str(c, "user_id");
	w.entity = call_arg_str(c, "entity");
	w.metadata = json_object_get(c->args, "metadata");
	w.dedup = !json_is_false(json_object_get(c->args, "dedup"));
	if ((vec = mem_embed(m->emb, w.content, &why)) == NULL) {
		mem_fail(c, in, "embedding: %s", why);
		free(why);
		return (-1);
	}
	key = mem_key(c);
	actor = mem_actor(c, &g);
	w.key = key;
	w.embedding = vec;
	w.actor = actor;
	r = mem_store_add(m->store, &w, &why);
	free(vec);
	free(actor);
	if (r == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		free(key);
		return (-1);
	}
	rv = mem_write_done(c, in, r, key);
	free(key);
	return (rv);
}

/* memory_update and memory_delete. */
static int
mem_change(struct rt_call *c, bool del)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_write w = { 0 };
	struct mem_filter scope;
	struct mem *m;
	json_t *r;
	char *why = NULL, *key, *actor;
	float *vec = NULL;
	int rv;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	m = mem_of(in);
	mem_scope_of(&g, &scope);
	w.memory_id = call_arg_str(c, "memory_id");
	if (!del) {
		w.content = call_arg_str(c, "content");
		w.metadata = json_object_get(c->args, "metadata");
		w.entity = call_arg_str(c, "entity");
		if (w.content == NULL && w.metadata == NULL && w.entity ==
		    NULL)
			return (call_fail(c, "arguments: give content, "
			    "metadata or entity to change"));
		if (w.content != NULL && (vec = mem_embed(m->emb, w.content,
		    &why)) == NULL) {
			mem_fail(c, in, "embedding: %s", why);
			free(why);
			return (-1);
		}
	}
	key = mem_key(c);
	actor = mem_actor(c, &g);
	w.key = key;
	w.embedding = vec;
	w.actor = actor;
	r = del ? mem_store_delete(m->store, &w, &scope, &why) :
	    mem_store_update(m->store, &w, &scope, &why);
	free(vec);
	free(actor);
	if (r == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		free(key);
		return (-1);
	}
	rv = mem_write_done(c, in, r, key);
	free(key);
	return (rv);
}

/* memory_update. */
static int
mem_update(struct rt_call *c)
{
	return (mem_change(c, false));
}

/* memory_delete. */
static int
mem_delete(struct rt_call *c)
{
	return (mem_change(c, true));
}

/* memory_get. */
static int
mem_get(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_filter scope;
	const char *id = call_arg_str(c, "memory_id");
	json_t *row;
	char *why = NULL;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	mem_scope_of(&g, &scope);
	if ((row = mem_store_get(mem_of(in)->store, id, &scope, &why)) ==
	    NULL) {
		if (why != NULL) {
			mem_fail(c, in, "%s", why);
			free(why);
			return (-1);
		}
		return (mem_fail(c, in, "memory_id %s: no such memory in the "
		    "scopes this caller may use", id));
	}
	json_object_set_new(row, "instance", json_string(in->name));
	return (call_ok(c, row));
}

/* The list envelope around items (stolen). */
static json_t *
mem_envelope(json_t *items, size_t total, size_t next)
{
	json_t *r;
	char buf[32];

	r = json_pack("{s:o, s:I, s:I, s:[]}", "items", items, "total",
	    (json_int_t)total, "age_ms", (json_int_t)0, "instance_errors");
	if (next > 0) {
		snprintf(buf, sizeof buf, "%zu", next);
		json_object_set_new(r, "next_cursor", json_string(buf));
	}
	return (r);
}

/* Tags each item with the instance name. */
static void
mem_tag(json_t *items, const char *instance)
{
	json_t *v;
	size_t i;

	json_array_foreach(items, i, v)
		json_object_set_new(v, "instance", json_string(instance));
}

/* memory_history. */
static int
mem_history(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_filter scope;
	const char *id = call_arg_str(c, "memory_id");
	json_t *rows;
	char *why = NULL;
	size_t n;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	mem_scope_of(&g, &scope);
	if ((rows = mem_store_history(mem_of(in)->store, id, &scope, &why)) ==
	    NULL) {
		if (why != NULL) {
			mem_fail(c, in, "%s", why);
			free(why);
			return (-1);
		}
		return (mem_fail(c, in, "memory_id %s: no such memory in the "
		    "scopes this caller may use", id));
	}
	mem_tag(rows, in->name);
	n = json_array_size(rows);
	return (call_ok(c, mem_envelope(rows, n, 0)));
}

/* memory_list. */
static int
mem_list(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_filter f;
	const char *one = NULL, *cursor = call_arg_str(c, "cursor");
	size_t limit = (size_t)call_arg_int(c, "limit", 100), off = 0, total;
	json_t *rows;
	char *why = NULL, *end;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	if (mem_filter_of(c, in, &g, &f, &one) != 0)
		return (-1);
	if (cursor != NULL) {
		errno = 0;
		off = strtoull(cursor, &end, 10);
		if (*cursor == '\0' || *end != '\0' || errno != 0)
			return (call_fail(c, "arguments.cursor: not a cursor "
			    "from this tool"));
	}
	if ((rows = mem_store_list(mem_of(in)->store, &f, limit, off, &total,
	    &why)) == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	mem_tag(rows, in->name);
	return (call_ok(c, mem_envelope(rows, total, off +
	    json_array_size(rows) < total ? off + json_array_size(rows) : 0)));
}

/* memory_search. */
static int
mem_search(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_filter f;
	const char *one = NULL, *query = call_arg_str(c, "query");
	size_t limit = (size_t)call_arg_int(c, "limit", 10);
	json_t *rows;
	char *why = NULL;
	float *vec;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	if (mem_filter_of(c, in, &g, &f, &one) != 0)
		return (-1);
	if ((vec = mem_embed(mem_of(in)->emb, query, &why)) == NULL) {
		mem_fail(c, in, "embedding: %s", why);
		free(why);
		return (-1);
	}
	rows = mem_store_search(mem_of(in)->store, &f, query, vec, limit,
	    &why);
	free(vec);
	if (rows == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	mem_tag(rows, in->name);
	return (call_ok(c, mem_envelope(rows, json_array_size(rows), 0)));
}

/*
 * A summary from the configured LLM (OpenAI-compatible chat or Anthropic
 * Messages): new string, or NULL and *cause.
 */
static char *
mem_llm_summary(struct mem *m, const char *text, char **cause)
{
	const char *hdrs[5] = { "Content-Type: application/json", NULL, NULL,
	    NULL, NULL };
	const char *prompt = "Summarise these notes an agent kept about a "
	    "homelab into a few short factual sentences. Keep names, "
	    "addresses and numbers exact. Notes:\n";
	struct http_client *cl;
	json_t *body, *r, *t;
	char *auth = NULL, *msg, *out = NULL;
	long status;
	int h = 1;

	if ((cl = http_pool_get(&m->llm_pool, cause)) == NULL)
		return (NULL);
	xasprintf(&msg, "%s%s", prompt, text);
	if (m->llm_anthropic) {
		if (m->llm_key != NULL)
			xasprintf(&auth, "x-api-key: %s", m->llm_key);
		hdrs[h++] = "anthropic-version: 2023-06-01";
		body = json_pack("{s:s, s:i, s:[{s:s, s:s}]}", "model",
		    m->llm_model, "max_tokens", 512, "messages", "role", "user",
		    "content", msg);
	} else {
		if (m->llm_key != NULL)
			xasprintf(&auth, "Authorization: Bearer %s", m->llm_key);
		body = json_pack("{s:s, s:[{s:s, s:s}]}", "model", m->llm_model,
		    "messages", "role", "user", "content", msg);
	}
	if (auth != NULL)
		hdrs[h++] = auth;
	r = http_json(cl, "POST", m->llm_anthropic ? "/v1/messages" :
	    "/v1/chat/completions", hdrs, body, &status, cause);
	http_pool_put(&m->llm_pool, cl);
	json_decref(body);
	free(msg);
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	if (r == NULL)
		return (NULL);
	if (m->llm_anthropic)
		t = json_object_get(json_array_get(json_object_get(r,
		    "content"), 0), "text");
	else
		t = json_object_get(json_object_get(json_array_get(
		    json_object_get(r, "choices"), 0), "message"), "content");
	if (status != 200 || !json_is_string(t))
		xasprintf(cause, "%s: HTTP %ld%s", m->llm_anthropic ?
		    "POST /v1/messages" : "POST /v1/chat/completions", status,
		    status == 200 ? ": no text in the answer" : "");
	else
		out = xstrdup(json_string_value(t));
	json_decref(r);
	return (out);
}

/*
 * Keeps a summary as a memory of its own (metadata kind "summary") in
 * the scope summarised, or the caller's own; its id goes into r.
 */
static int
mem_save_summary(struct rt_call *c, struct rt_instance *in,
    const struct mem_grant *g, const char *agent_id, const char *summary,
    size_t n, json_t *r)
{
	struct mem *m = mem_of(in);
	struct mem_write w = { 0 };
	json_t *meta, *res;
	char *why = NULL, *key, *actor;
	float *vec;

	if ((vec = mem_embed(m->emb, summary, &why)) == NULL) {
		mem_fail(c, in, "embedding: %s", why);
		free(why);
		return (-1);
	}
	meta = json_pack("{s:s, s:I}", "kind", "summary", "of", (json_int_t)n);
	key = mem_key(c);
	actor = mem_actor(c, g);
	w.key = key;
	w.content = summary;
	w.embedding = vec;
	w.agent_id = agent_id != NULL ? agent_id : g->own;
	w.user_id = call_arg_str(c, "user_id");
	w.entity = call_arg_str(c, "entity");
	w.metadata = meta;
	w.actor = actor;
	res = mem_store_add(m->store, &w, &why);
	free(vec);
	free(actor);
	free(key);
	json_decref(meta);
	if (res == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_object_set(r, "memory_id", json_object_get(res, "id"));
	json_decref(res);
	return (0);
}

/* memory_summarize. */
static int
mem_summarize(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem_filter f;
	struct mem *m;
	const char *one = NULL, **texts = NULL;
	size_t total, n, i, len = 0;
	json_t *rows, *r, *v;
	char *why = NULL, *summary = NULL, *all;
	const char *method = "extractive";

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	m = mem_of(in);
	if (mem_filter_of(c, in, &g, &f, &one) != 0)
		return (-1);
	if ((rows = mem_store_list(m->store, &f, MEM_SUMMARY_ROWS, 0, &total,
	    &why)) == NULL) {
		mem_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	n = json_array_size(rows);
	texts = xcalloc(n + 1, sizeof *texts);
	json_array_foreach(rows, i, v) {
		texts[i] = json_string_value(json_object_get(v, "memory"));
		len += strlen(texts[i]) + 3;
	}
	if (m->llm_model != NULL && n > 0) {
		all = xmalloc(len + 1);
		all[0] = '\0';
		for (i = 0; i < n; i++) {
			strcat(all, "- ");
			strcat(all, texts[i]);
			strcat(all, "\n");
		}
		summary = mem_llm_summary(m, all, &why);
		free(all);
		if (summary == NULL) {
			free(texts);
			json_decref(rows);
			mem_fail(c, in, "summary: %s", why);
			free(why);
			return (-1);
		}
		method = "llm";
	} else
		summary = mem_summary_extract(texts, NULL, n, MEM_BUILTIN_DIMS,
		    (size_t)call_arg_int(c, "max_sentences", 8));
	free(texts);
	json_decref(rows);
	r = json_pack("{s:s, s:s, s:s, s:I, s:I}", "instance", in->name,
	    "summary", summary, "method", method, "count", (json_int_t)n,
	    "total", (json_int_t)total);
	if (json_is_true(json_object_get(c->args, "save")) && n > 0 &&
	    *summary != '\0' && mem_save_summary(c, in, &g, one, summary,
	    n, r) != 0) {
		json_decref(r);
		free(summary);
		return (-1);
	}
	free(summary);
	return (call_ok(c, r));
}

/* Embeds text for mem_store_reembed with the instance's embedder. */
static float *
mem_reembed_one(void *arg, const char *text, char **cause)
{
	return (mem_embed(arg, text, cause));
}

/* memory_reembed's preview (dry_run, and the approval's describe). */
static int
mem_reembed_preview(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem *m;

	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	m = mem_of(in);
	return (call_ok(c, json_pack("{s:s, s:s, s:b, s:[{s:s, s:s}], s:{s:s, "
	    "s:I}}", "instance", in->name, "status", "dry_run", "dry_run", 1,
	    "requests", "method", "SQL", "path", "UPDATE racktop.memories SET "
	    "embedding (every memory, every scope, one transaction)",
	    "target", "embedder", mem_embedder_name(m->emb), "dims",
	    (json_int_t)mem_embedder_dims(m->emb))));
}

/* memory_reembed. */
static int
mem_reembed(struct rt_call *c)
{
	struct rt_instance *in;
	struct mem_grant g;
	struct mem *m;
	char *why = NULL;
	long n;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (mem_reembed_preview(c));
	if ((in = mem_begin(c, &g)) == NULL)
		return (-1);
	m = mem_of(in);
	if ((n = mem_store_reembed(m->store, mem_embedder_name(m->emb),
	    mem_embedder_dims(m->emb), mem_reembed_one, m->emb, &why)) < 0) {
		mem_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	return (call_ok(c, json_pack("{s:s, s:s, s:I, s:s, s:I}", "instance",
	    in->name, "status", "ok", "count", (json_int_t)n, "embedder",
	    mem_embedder_name(m->emb), "dims",
	    (json_int_t)mem_embedder_dims(m->emb))));
}

/* Frees an instance's state. */
static void
mem_destroy(void *arg)
{
	struct mem *m = arg;

	if (m == NULL)
		return;
	mem_store_destroy(m->store);
	mem_embedder_destroy(m->emb);
	pthread_mutex_destroy(&m->lock);
	if (m->opts.conninfo != NULL)
		explicit_bzero((char *)m->opts.conninfo,
		    strlen(m->opts.conninfo));
	free((char *)m->opts.conninfo);
	if (m->llm_opts.base_url != NULL)
		http_pool_finish(&m->llm_pool);
	free((char *)m->llm_opts.base_url);
	free(m->llm_model);
	if (m->llm_key != NULL)
		explicit_bzero(m->llm_key, strlen(m->llm_key));
	free(m->llm_key);
	mem_rules_free(m);
	free(m->shared);
	free(m->name);
	free(m);
}

/* Creates an instance from its [memory "name"] section. */
static void *
mem_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *conninfo, *v, *url, *key;
	struct mem *m;
	char *why = NULL, *end, *base;
	long timeout, dims;
	double d;

	(void)in;
	m = xcalloc(1, sizeof *m);
	pthread_mutex_init(&m->lock, NULL);
	m->name = xstrdup(ic->name);
	m->owner = geteuid();
	m->opts.dedup_threshold = MEM_DEDUP_DEFAULT;
	if ((v = conf_get(ic, "dedup_threshold")) != NULL) {
		errno = 0;
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno != 0 || d <= 0 || d >
		    1) {
			xasprintf(cause, "dedup_threshold: a number in (0, 1]");
			goto fail;
		}
		m->opts.dedup_threshold = d;
	}
	v = conf_get(ic, "vector");
	if (v == NULL || strcmp(v, "auto") == 0)
		m->opts.vector = MEM_VEC_AUTO;
	else if (strcmp(v, "pgvector") == 0)
		m->opts.vector = MEM_VEC_PGVECTOR;
	else if (strcmp(v, "array") == 0)
		m->opts.vector = MEM_VEC_ARRAY;
	else {
		xasprintf(cause, "vector: auto, pgvector or array");
		goto fail;
	}
	if (conf_get_int(ic, "timeout", 15, &timeout, &why) != 0 ||
	    conf_get_int(ic, "embed_dims", 0, &dims, &why) != 0) {
		*cause = why;
		goto fail;
	}
	if (dims < 0 || dims > 16000) {
		xasprintf(cause, "embed_dims: 1 to 16000");
		goto fail;
	}
	m->shared = xstrdup((v = conf_get(ic, "shared_scope")) != NULL ? v :
	    MEM_SHARED_DEFAULT);
	if (!mem_id_ok(m->shared)) {
		xasprintf(cause, "shared_scope: letters, digits and _.:@- only");
		goto fail;
	}
	if ((v = conf_get(ic, "scopes")) != NULL && mem_rules_parse(m, v,
	    cause) != 0)
		goto fail;
	key = conf_get(ic, "api_key");
	if ((m->emb = mem_embedder_create(conf_get(ic, "embed_url"),
	    conf_get(ic, "embed_model"), key, (size_t)dims, timeout * 1000,
	    cause)) == NULL)
		goto fail;
	if ((url = conf_get(ic, "llm_url")) != NULL) {
		if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://",
		    8) != 0) {
			xasprintf(cause, "llm_url: must start with http:// or "
			    "https://");
			goto fail;
		}
		if ((v = conf_get(ic, "llm_model")) == NULL) {
			xasprintf(cause, "llm_model: required with llm_url");
			goto fail;
		}
		m->llm_model = xstrdup(v);
		v = conf_get(ic, "llm_api");
		if (v != NULL && strcmp(v, "anthropic") != 0 && strcmp(v,
		    "openai") != 0) {
			xasprintf(cause, "llm_api: openai or anthropic");
			goto fail;
		}
		m->llm_anthropic = v != NULL && strcmp(v, "anthropic") == 0;
		base = xstrdup(url);
		while (strlen(base) > 0 && base[strlen(base) - 1] == '/')
			base[strlen(base) - 1] = '\0';
		if (strlen(base) >= 3 && strcmp(base + strlen(base) - 3,
		    "/v1") == 0)
			base[strlen(base) - 3] = '\0';
		m->llm_opts.base_url = base;
		m->llm_opts.timeout_ms = timeout * 4000;
		http_pool_init(&m->llm_pool, &m->llm_opts, 2);
		if (key != NULL)
			m->llm_key = xstrdup(key);
	}
	conninfo = conf_get(ic, "conninfo");
	if (conninfo == NULL)
		conninfo = getenv("DATABASE_URL");
	m->opts.conninfo = xstrdup(conninfo != NULL ? conninfo : "");
	m->opts.embedder = mem_embedder_name(m->emb);
	m->opts.dims = mem_embedder_dims(m->emb);
	m->opts.retry_ms = timeout * 1000;
	/* Known width: make the store now, so bad options show at start. */
	if (m->opts.dims != 0 && (m->store = mem_store_create(&m->opts,
	    cause)) == NULL)
		goto fail;
	return (m);
fail:
	mem_destroy(m);
	return (NULL);
}

/* Schema fragments. */
#define S_STR "{\"type\":\"string\"}"
#define S_NSTR "{\"type\":[\"string\",\"null\"]}"
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"main\"],\"x-counterexamples\":[\"Main DB\"]," \
	"\"description\":\"Configured memory instance; required when " \
	"several are configured.\"}"
#define S_ID_PAT \
	"\"pattern\":\"^[A-Za-z0-9_.:@-]{1,128}$\",\"examples\":[\"claude\"," \
	"\"alice@home\"],\"x-counterexamples\":[\"two words\",\"\"]"
#define S_AGENT \
	"\"agent_id\":{\"type\":\"string\"," S_ID_PAT ",\"description\":" \
	"\"The agent scope. Default: the caller's own (derived from its " \
	"verified identity); a scope the caller is not granted is an " \
	"error.\"}"
#define S_USER \
	"\"user_id\":{\"type\":\"string\"," S_ID_PAT ",\"description\":" \
	"\"The user the memory is about.\"}"
#define S_ENTITY \
	"\"entity\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":256," \
	"\"description\":\"An inventory id the memory is about, matched " \
	"exactly: pve:qemu/VMID or pve:lxc/VMID (Proxmox guests), " \
	"docker:NAME (containers), unifi:MAC with the MAC in lower case " \
	"(UniFi clients), e.g. pve:qemu/101 or unifi:aa:bb:cc:dd:ee:ff. " \
	"The dashboard lists a row's memories by it.\"}"
#define S_META \
	"\"metadata\":{\"type\":\"object\",\"description\":\"Free JSON " \
	"object; as a filter, rows whose metadata contains it.\"}"
#define S_TIME \
	"{\"type\":\"string\",\"pattern\":\"^[0-9]{4}-[0-9]{2}-[0-9]{2}" \
	"([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$\",\"examples\":[\"2026-11-25\"," \
	"\"2026-11-25T10:00:00Z\"],\"x-counterexamples\":[\"yesterday\"]}"
#define S_FILTER_PROPS \
	S_AGENT "," S_USER "," S_ENTITY "," S_META ",\"created_after\":" \
	S_TIME ",\"created_before\":" S_TIME
#define S_FILTERS \
	"\"filters\":{\"type\":\"object\",\"additionalProperties\":false," \
	"\"description\":\"The same filters as the top-level arguments " \
	"(Mem0 style); all must hold.\",\"properties\":{" S_FILTER_PROPS "}}"
#define S_MEMORY_ID \
	"\"memory_id\":{\"type\":\"string\",\"pattern\":\"^[0-9a-fA-F-]{36}$\"," \
	"\"examples\":[\"4b5c2a9e-1f0d-4c1e-9a53-2f1b0c6d7e8f\"]," \
	"\"x-counterexamples\":[\"42\"],\"description\":\"The memory's id.\"}"
#define S_KEY \
	"\"idempotency_key\":{\"type\":\"string\",\"minLength\":1," \
	"\"maxLength\":200,\"description\":\"A retry with the same key " \
	"returns the first outcome and writes nothing again.\"}"
#define ITEM_PROPS \
	"\"instance\":" S_STR ",\"id\":" S_STR ",\"memory\":" S_STR ",\"hash\":" \
	S_STR ",\"user_id\":" S_NSTR ",\"agent_id\":" S_STR ",\"entity\":" \
	S_NSTR ",\"metadata\":{\"type\":\"object\"},\"created_at\":" S_STR \
	",\"updated_at\":" S_STR
#define ITEM_REQUIRED \
	"\"required\":[\"id\",\"memory\",\"agent_id\",\"metadata\"," \
	"\"created_at\",\"updated_at\"]"
#define ITEM "{\"type\":\"object\"," ITEM_REQUIRED ",\"properties\":{" \
	ITEM_PROPS "}}"
#define SEARCH_ITEM "{\"type\":\"object\",\"required\":" \
	"[\"id\",\"memory\",\"agent_id\",\"score\"],\"properties\":{" \
	ITEM_PROPS ",\"score\":{\"type\":\"number\"},\"semantic\":" \
	"{\"type\":\"number\"},\"keyword\":{\"type\":\"number\"}}}"
#define HIST_ITEM "{\"type\":\"object\",\"required\":[\"memory_id\"," \
	"\"event\",\"created_at\"],\"properties\":{\"instance\":" S_STR \
	",\"id\":{\"type\":\"integer\"},\"memory_id\":" S_STR ",\"event\":" \
	"{\"enum\":[\"ADD\",\"UPDATE\",\"DELETE\"]},\"old_memory\":" S_NSTR \
	",\"new_memory\":" S_NSTR ",\"actor\":" S_NSTR ",\"created_at\":" \
	S_STR "}}"
#define WRITE_OUTPUT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"memory\"," \
	"\"event\",\"replayed\",\"message\",\"idempotency_key\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR ",\"memory\":" \
	S_STR ",\"event\":{\"enum\":[\"ADD\",\"UPDATE\",\"DELETE\",\"NONE\"]}," \
	"\"previous_memory\":" S_STR ",\"similarity\":{\"type\":\"number\"}," \
	"\"replayed\":{\"type\":\"boolean\"},\"message\":" S_STR \
	",\"idempotency_key\":" S_STR ",\"item\":{\"type\":\"object\"}}}"
#define S_LIMIT(def, max) \
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" #max "," \
	"\"default\":" #def ",\"description\":\"Most items returned.\"}"

static const struct rt_tool mem_tools[] = {
	{
	    .name = "memory_add",
	    .title = "Remember",
	    .description = "Stores a memory (a fact, a decision, a note about "
		"a machine) in the caller's scope, or in agent_id when the "
		"caller may use it. When a memory of the same agent_id and "
		"user_id is at least dedup_threshold similar (cosine of the "
		"embeddings, default 0.90), its content is replaced, its id "
		"kept, the old content recorded in memory_history, and the "
		"result says so (event UPDATE); the same text again changes "
		"nothing (event NONE).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"content\"],\"properties\":{" S_INSTANCE
		",\"content\":{\"type\":\"string\",\"minLength\":1,"
		"\"maxLength\":65536,\"description\":\"What to remember.\"},"
		S_USER "," S_AGENT "," S_ENTITY "," S_META ",\"dedup\":{\"type\":"
		"\"boolean\",\"default\":true,\"description\":\"false always "
		"adds a new memory.\"}," S_KEY "}}",
	    .output_schema = WRITE_OUTPUT,
	    .flags = RT_IDEMPOTENT | RT_OWN_KEY,
	    .call = mem_add,
	},
	{
	    .name = "memory_search",
	    .title = "Search memories",
	    .description = "Memories most relevant to a query, semantic and "
		"keyword together: score = 0.85 cosine similarity + 0.15 "
		"keyword rank, best first, within the caller's scopes and "
		"the filters. The built-in embedder matches shared words and "
		"word pieces, not meaning.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"query\"],\"properties\":{" S_INSTANCE
		",\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"8192}," S_FILTER_PROPS "," S_FILTERS "," S_LIMIT(10, 100) "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(SEARCH_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = mem_search,
	},
	{
	    .name = "memory_list",
	    .title = "List memories",
	    .description = "Memories in the caller's scopes, newest first, "
		"filtered by agent_id, user_id, entity, metadata and creation "
		"time; next_cursor pages on.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE "," S_FILTER_PROPS ","
		S_FILTERS "," S_LIMIT(100, 1000) ",\"cursor\":{\"type\":"
		"\"string\",\"description\":\"next_cursor from the previous "
		"page.\"}}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = mem_list,
	},
	{
	    .name = "memory_get",
	    .title = "Memory",
	    .description = "One memory by id, when it is in the caller's "
		"scopes and not deleted.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"memory_id\"],\"properties\":{" S_INSTANCE
		"," S_MEMORY_ID "}}",
	    .output_schema = ITEM,
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = mem_get,
	},
	{
	    .name = "memory_update",
	    .title = "Change a memory",
	    .description = "Replaces a memory's content (re-embedded), "
		"metadata or entity; the old content goes to memory_history.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"memory_id\"],\"properties\":{" S_INSTANCE
		"," S_MEMORY_ID ",\"content\":{\"type\":\"string\",\"minLength\":"
		"1,\"maxLength\":65536}," S_ENTITY "," S_META "," S_KEY "}}",
	    .output_schema = WRITE_OUTPUT,
	    .flags = RT_IDEMPOTENT | RT_OWN_KEY,
	    .call = mem_update,
	},
	{
	    .name = "memory_delete",
	    .title = "Forget a memory",
	    .description = "Deletes a memory softly: it no longer appears in "
		"searches, lists or memory_get, and its content stays in "
		"memory_history.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"memory_id\"],\"properties\":{" S_INSTANCE
		"," S_MEMORY_ID "," S_KEY "}}",
	    .output_schema = WRITE_OUTPUT,
	    .flags = RT_IDEMPOTENT | RT_OWN_KEY,
	    .call = mem_delete,
	},
	{
	    .name = "memory_history",
	    .title = "Memory history",
	    .description = "Every change to a memory, oldest first: ADD, "
		"UPDATE (with old and new content) and DELETE, with the "
		"caller that made it. Deleted memories keep their history.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"memory_id\"],\"properties\":{" S_INSTANCE
		"," S_MEMORY_ID "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(HIST_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = mem_history,
	},
	{
	    .name = "memory_summarize",
	    .title = "Summarise memories",
	    .description = "Compresses the memories of a scope (filters as "
		"memory_list, newest 500) into a short text: with the "
		"configured LLM (llm_url), else an extractive summary made of "
		"the most central sentences, near-duplicates left out. save "
		"keeps it as a memory.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE "," S_FILTER_PROPS ","
		S_FILTERS ",\"max_sentences\":{\"type\":\"integer\","
		"\"minimum\":1,\"maximum\":50,\"default\":8,\"description\":"
		"\"Extractive summary: most sentences kept.\"},\"save\":{"
		"\"type\":\"boolean\",\"default\":false,\"description\":"
		"\"Also keep the summary as a memory (metadata kind summary) "
		"in the scope summarised.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"summary\",\"method\",\"count\"],\"properties\":{\"instance\":"
		S_STR ",\"summary\":" S_STR ",\"method\":{\"enum\":[\"llm\","
		"\"extractive\"]},\"count\":{\"type\":\"integer\"},\"total\":"
		"{\"type\":\"integer\"},\"memory_id\":" S_STR "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = mem_summarize,
	},
	{
	    .name = "memory_reembed",
	    .title = "Re-embed memories",
	    .description = "After the embedder changed (embed_url, "
		"embed_model or its width), re-embeds every memory of every "
		"scope with the configured one, in one transaction, and "
		"rebuilds the vector index; until then the store refuses to "
		"mix the two. Contents and history are untouched.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_INSTANCE ",\"dry_run\":{\"type\":"
		"\"boolean\",\"default\":false,\"description\":\"Say what "
		"would be done and do nothing.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"status\"],\"properties\":{\"instance\":" S_STR ",\"status\":"
		"{\"enum\":[\"ok\",\"dry_run\"]},\"count\":{\"type\":"
		"\"integer\"},\"embedder\":" S_STR ",\"dims\":{\"type\":"
		"\"integer\"},\"dry_run\":{\"type\":\"boolean\"},\"requests\":"
		"{\"type\":\"array\"},\"target\":{\"type\":\"object\"}}}",
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = mem_reembed,
	    .describe = mem_reembed_preview,
	},
	{ .name = NULL },
};

const struct rt_service memory_service = {
	.name = "memory",
	.title = "Memory",
	.tools = mem_tools,
	.views = NULL,
	.create = mem_create,
	.destroy = mem_destroy,
	.poll = NULL,
};
