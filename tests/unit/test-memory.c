/*
 * The memory store and tools against a real PostgreSQL that the test
 * starts in a temporary folder (test-memory-pg.h), each test on both
 * storage paths: pgvector (HNSW) and real[] with exact cosine (vector =
 * array, forced even though the extension is installed). Covers every
 * tool through the shared call path, isolation between callers, a server
 * restart in the middle of 1,000 writes, 8 concurrent writers, and the
 * recall@3 of the built-in embedder on tests/fixtures/memory/paraphrases.tsv.
 */
#include "config.h"

#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/conf.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/memory.h"
#include "services/services.h"
#include "tests/unit/test-memory-pg.h"

static struct pgt pg;
static bool have_vector;
static const char *const mode_name[] = { "pgvector", "array" };

/*
 * A fresh database for one test on one path; NULL when the pgvector path
 * cannot run here (no extension outside CI: reported, not hidden).
 */
static char *
fresh_db(const char *test, int mode)
{
	char *sql, *db;

	if (mode == 0 && !have_vector) {
		ck_assert_msg(getenv("CI") == NULL, "pgvector is not installed "
		    "(scripts/ci-deps/postgres.sh installs it)");
		fprintf(stderr, "SKIP %s on pgvector: extension not installed\n",
		    test);
		return (NULL);
	}
	xasprintf(&db, "%s_%s", test, mode_name[mode]);
	xasprintf(&sql, "CREATE DATABASE %s", db);
	free(pgt_sql(&pg, "postgres", sql));
	free(sql);
	return (db);
}

/* A store on db for the path. */
static struct mem_store *
store_on(const char *db, int mode, const char *embedder, size_t dims)
{
	struct mem_store_opts o = { 0 };
	struct mem_store *st;
	char *ci = pgt_conninfo(&pg, db), *cause = NULL;

	o.conninfo = ci;
	o.vector = mode == 0 ? MEM_VEC_PGVECTOR : MEM_VEC_ARRAY;
	o.embedder = embedder;
	o.dims = dims;
	o.dedup_threshold = 0.9;
	o.retry_ms = clock_scaled_ms(60000);
	o.max_conns = 8;
	st = mem_store_create(&o, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	free(ci);
	ck_assert_msg(mem_store_open(st, &cause) == 0, "%s", cause);
	return (st);
}

/* A registry with one memory instance on db. */
static struct registry *
registry_on(const char *db, int mode, const char *extra, struct rt_config **conf)
{
	static const struct rt_service *const table[] = { &memory_service,
	    NULL };
	const char *names[] = { "memory", NULL };
	struct registry *reg;
	char *text, *cause = NULL, *ci = pgt_conninfo(&pg, db);

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	xasprintf(&text, "[memory \"main\"]\nconninfo = %s\nvector = %s\n%s",
	    ci, mode == 0 ? "pgvector" : "array", extra != NULL ? extra : "");
	free(ci);
	*conf = conf_parse("t.conf", text, strlen(text), names, &cause);
	free(text);
	ck_assert_msg(*conf != NULL, "%s", cause);
	ck_assert_msg(registry_add_instances(reg, *conf, &cause) == 0, "%s",
	    cause);
	return (reg);
}

/* A caller running exe as racktop's own user. */
static struct rt_caller
agent(const char *exe)
{
	struct rt_caller c;

	memset(&c, 0, sizeof c);
	c.source = RT_SRC_AGENT;
	c.uid = geteuid();
	c.pid = 1;
	snprintf(c.exe, sizeof c.exe, "%s", exe);
	return (c);
}

/*
 * Calls a tool as caller with args (stolen): the result (new reference),
 * or NULL with *err (caller frees) when the call failed.
 */
static json_t *
call(struct registry *reg, const struct rt_caller *cl, const char *tool,
    json_t *args, char **err)
{
	const struct registry_tool *t = registry_find(reg, tool);
	struct rt_call *c;
	json_t *r = NULL;

	ck_assert_msg(t != NULL, "%s", tool);
	c = call_new(t, args, cl);
	if (call_check(c) == 0)
		call_run_here(c);
	*err = NULL;
	if (call_failed(c))
		*err = xstrdup(c->error != NULL ? c->error : "?");
	else
		r = json_incref(c->result);
	call_free(c);
	return (r);
}

/* Like call, but the call must succeed. */
static json_t *
ok(struct registry *reg, const struct rt_caller *cl, const char *tool,
    json_t *args)
{
	char *err = NULL;
	json_t *r = call(reg, cl, tool, args, &err);

	ck_assert_msg(r != NULL, "%s: %s", tool, err);
	return (r);
}

/* Like call, but the call must fail with text containing want. */
static void
refused(struct registry *reg, const struct rt_caller *cl, const char *tool,
    json_t *args, const char *want)
{
	char *err = NULL;
	json_t *r = call(reg, cl, tool, args, &err);

	ck_assert_msg(r == NULL, "%s succeeded: %s", tool, r ? json_dumps(r,
	    0) : "");
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"",
	    tool, err, want);
	free(err);
}

/* String member. */
static const char *
str(const json_t *o, const char *k)
{
	return (json_string_value(json_object_get(o, k)));
}

START_TEST(test_tools)
{
	struct rt_caller a = agent("/usr/bin/claude");
	struct rt_config *conf;
	struct registry *reg;
	json_t *r, *items;
	char *db, *id, *id2, *v, *err;
	const char *text = "The nightly backup of the NAS runs at 02:00 to the "
	    "PBS datastore";

	if ((db = fresh_db("tools", _i)) == NULL)
		return;
	call_policy.check_output = true;
	reg = registry_on(db, _i, "dedup_threshold = 0.9\n", &conf);

	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s, s:s, s:{s:s}}",
	    "content", text, "user_id", "alice", "entity", "pve:qemu/101",
	    "metadata", "kind", "schedule"));
	ck_assert_str_eq(str(r, "event"), "ADD");
	ck_assert_str_eq(str(json_object_get(r, "item"), "agent_id"),
	    "claude");
	id = xstrdup(str(r, "id"));
	json_decref(r);

	/* The storage path is the one configured, whatever is installed. */
	v = pgt_sql(&pg, db, "SELECT value FROM racktop.memory_settings "
	    "WHERE key = 'vector'");
	ck_assert_str_eq(v, mode_name[_i]);
	free(v);
	v = pgt_sql(&pg, db, "SELECT format_type(atttypid, atttypmod) FROM "
	    "pg_attribute WHERE attrelid = 'racktop.memories'::regclass AND "
	    "attname = 'embedding'");
	ck_assert_str_eq(v, _i == 0 ? "vector(384)" : "real[]");
	free(v);
	v = pgt_sql(&pg, db, "SELECT count(*) FROM pg_indexes WHERE indexdef "
	    "LIKE '%USING hnsw%'");
	ck_assert_str_eq(v, _i == 0 ? "1" : "0");
	free(v);

	/* A near-duplicate replaces the content, keeps the id, says so. */
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s}", "content",
	    "The nightly backup of the NAS runs at 02:00 to the PBS datastore "
	    "now", "user_id", "alice"));
	ck_assert_str_eq(str(r, "event"), "UPDATE");
	ck_assert_str_eq(str(r, "id"), id);
	ck_assert_str_eq(str(r, "previous_memory"), text);
	ck_assert_ptr_nonnull(strstr(str(r, "message"), "similar"));
	ck_assert(json_real_value(json_object_get(r, "similarity")) >= 0.9);
	json_decref(r);
	/* The same words again change nothing. */
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s}", "content",
	    "The nightly backup of the NAS runs at 02:00 to the PBS datastore "
	    "now", "user_id", "alice"));
	ck_assert_str_eq(str(r, "event"), "NONE");
	ck_assert_str_eq(str(r, "id"), id);
	json_decref(r);
	/* Another user's scope is not deduplicated against. */
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s}", "content",
	    "The nightly backup of the NAS runs at 02:00 to the PBS datastore "
	    "now", "user_id", "bob"));
	ck_assert_str_eq(str(r, "event"), "ADD");
	id2 = xstrdup(str(r, "id"));
	json_decref(r);
	/* dedup false always adds. */
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:b, s:s}", "content",
	    "Pi-hole blocks ads for the whole LAN", "dedup", 0, "entity",
	    "pve:lxc/105"));
	ck_assert_str_eq(str(r, "event"), "ADD");
	json_decref(r);

	/* Idempotency: a retry with the key returns the first outcome. */
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s}", "content",
	    "The UPS shuts the nodes down at 20 percent battery",
	    "idempotency_key", "retry-1"));
	ck_assert(json_is_false(json_object_get(r, "replayed")));
	v = xstrdup(str(r, "id"));
	json_decref(r);
	r = ok(reg, &a, "memory_add", json_pack("{s:s, s:s}", "content",
	    "The UPS shuts the nodes down at 20 percent battery",
	    "idempotency_key", "retry-1"));
	ck_assert(json_is_true(json_object_get(r, "replayed")));
	ck_assert_str_eq(str(r, "id"), v);
	json_decref(r);
	free(v);

	/* list: 4 memories, paged by 3. */
	r = ok(reg, &a, "memory_list", json_pack("{s:i}", "limit", 3));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 4);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "items")), 3);
	ck_assert_str_eq(str(r, "next_cursor"), "3");
	json_decref(r);
	r = ok(reg, &a, "memory_list", json_pack("{s:i, s:s}", "limit", 3,
	    "cursor", "3"));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "items")), 1);
	ck_assert_ptr_null(json_object_get(r, "next_cursor"));
	json_decref(r);
	r = ok(reg, &a, "memory_list", json_pack("{s:{s:s}}", "filters",
	    "user_id", "alice"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	json_decref(r);
	r = ok(reg, &a, "memory_list", json_pack("{s:{s:s}}", "metadata",
	    "kind", "schedule"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	json_decref(r);

	/* search: the backup first, scores returned; filters apply. */
	r = ok(reg, &a, "memory_search", json_pack("{s:s}", "query",
	    "when is the NAS backup"));
	items = json_object_get(r, "items");
	ck_assert_uint_ge(json_array_size(items), 2);
	ck_assert_ptr_nonnull(strstr(str(json_array_get(items, 0), "memory"),
	    "backup"));
	ck_assert(json_real_value(json_object_get(json_array_get(items, 0),
	    "score")) > json_real_value(json_object_get(json_array_get(items,
	    json_array_size(items) - 1), "score")));
	json_decref(r);
	r = ok(reg, &a, "memory_search", json_pack("{s:s, s:s}", "query",
	    "backup", "entity", "pve:lxc/105"));
	items = json_object_get(r, "items");
	ck_assert_uint_eq(json_array_size(items), 1);
	ck_assert_str_eq(str(json_array_get(items, 0), "entity"),
	    "pve:lxc/105");
	json_decref(r);
	refused(reg, &a, "memory_search", json_pack("{s:s, s:s, s:{s:s}}",
	    "query", "x", "user_id", "alice", "filters", "user_id", "bob"),
	    "differs");

	/* update, get, history. */
	r = ok(reg, &a, "memory_update", json_pack("{s:s, s:s}", "memory_id",
	    id, "content", "The nightly NAS backup moved to 03:00"));
	ck_assert_str_eq(str(r, "event"), "UPDATE");
	json_decref(r);
	r = ok(reg, &a, "memory_get", json_pack("{s:s}", "memory_id", id));
	ck_assert_str_eq(str(r, "memory"), "The nightly NAS backup moved to "
	    "03:00");
	ck_assert_str_eq(str(r, "entity"), "pve:qemu/101");
	json_decref(r);
	r = ok(reg, &a, "memory_history", json_pack("{s:s}", "memory_id", id));
	items = json_object_get(r, "items");
	ck_assert_uint_eq(json_array_size(items), 3);
	ck_assert_str_eq(str(json_array_get(items, 0), "event"), "ADD");
	ck_assert_str_eq(str(json_array_get(items, 1), "event"), "UPDATE");
	ck_assert_str_eq(str(json_array_get(items, 1), "old_memory"), text);
	ck_assert_str_eq(str(json_array_get(items, 2), "new_memory"),
	    "The nightly NAS backup moved to 03:00");
	ck_assert_ptr_nonnull(strstr(str(json_array_get(items, 2), "actor"),
	    "claude"));
	json_decref(r);
	refused(reg, &a, "memory_update", json_pack("{s:s}", "memory_id", id),
	    "give content");

	/* delete is soft: gone from reads, kept in history. */
	r = ok(reg, &a, "memory_delete", json_pack("{s:s}", "memory_id",
	    id2));
	ck_assert_str_eq(str(r, "event"), "DELETE");
	json_decref(r);
	refused(reg, &a, "memory_get", json_pack("{s:s}", "memory_id", id2),
	    "no such memory");
	refused(reg, &a, "memory_delete", json_pack("{s:s}", "memory_id", id2),
	    "no such memory");
	r = ok(reg, &a, "memory_history", json_pack("{s:s}", "memory_id",
	    id2));
	items = json_object_get(r, "items");
	ck_assert_uint_eq(json_array_size(items), 2);
	ck_assert_str_eq(str(json_array_get(items, 1), "event"), "DELETE");
	json_decref(r);
	r = ok(reg, &a, "memory_list", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 3);
	json_decref(r);
	v = pgt_sql(&pg, db, "SELECT count(*) FROM racktop.memories");
	ck_assert_str_eq(v, "4");
	free(v);

	/* summarize: extractive without an LLM. */
	r = ok(reg, &a, "memory_summarize", NULL);
	ck_assert_str_eq(str(r, "method"), "extractive");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 3);
	ck_assert_ptr_nonnull(strstr(str(r, "summary"), "Pi-hole blocks ads"));
	ck_assert_ptr_null(json_object_get(r, "memory_id"));
	json_decref(r);
	r = ok(reg, &a, "memory_summarize", json_pack("{s:b}", "save", 1));
	v = xstrdup(str(r, "memory_id"));
	json_decref(r);
	r = ok(reg, &a, "memory_get", json_pack("{s:s}", "memory_id", v));
	ck_assert_str_eq(str(json_object_get(r, "metadata"), "kind"),
	    "summary");
	ck_assert_str_eq(str(r, "agent_id"), "claude");
	json_decref(r);
	free(v);

	/* Bad arguments never reach the store. */
	err = NULL;
	ck_assert_ptr_null(call(reg, &a, "memory_get", json_pack("{s:s}",
	    "memory_id", "42"), &err));
	ck_assert_ptr_nonnull(strstr(err, "memory_id"));
	free(err);

	free(id);
	free(id2);
	registry_destroy(reg);
	conf_free(conf);
	free(db);
}
END_TEST

START_TEST(test_isolation)
{
	struct rt_caller a = agent("/usr/bin/agent-a");
	struct rt_caller b = agent("/usr/bin/agent-b");
	struct rt_caller c = agent("/opt/agent-c");
	struct rt_caller key = { .source = RT_SRC_KEY };
	struct rt_config *conf;
	struct registry *reg;
	json_t *r, *items;
	char *db, *id;

	if ((db = fresh_db("isolation", _i)) == NULL)
		return;
	call_policy.check_output = true;
	reg = registry_on(db, _i, "scopes = exe=/opt/agent-c agent-c "
	    "agent-a\n", &conf);
	r = ok(reg, &a, "memory_add", json_pack("{s:s}", "content",
	    "The router admin page is on port 8443"));
	ck_assert_str_eq(str(json_object_get(r, "item"), "agent_id"),
	    "agent-a");
	id = xstrdup(str(r, "id"));
	json_decref(r);

	/* B sees nothing of A's scope, and asking for it is an error. */
	r = ok(reg, &b, "memory_list", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 0);
	json_decref(r);
	r = ok(reg, &b, "memory_search", json_pack("{s:s}", "query",
	    "router admin page port"));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "items")), 0);
	json_decref(r);
	refused(reg, &b, "memory_list", json_pack("{s:s}", "agent_id",
	    "agent-a"), "not a scope this caller may use");
	refused(reg, &b, "memory_search", json_pack("{s:s, s:{s:s}}", "query",
	    "router", "filters", "agent_id", "agent-a"), "not a scope");
	refused(reg, &b, "memory_add", json_pack("{s:s, s:s}", "content", "x",
	    "agent_id", "agent-a"), "not a scope");
	refused(reg, &b, "memory_get", json_pack("{s:s}", "memory_id", id),
	    "no such memory");
	refused(reg, &b, "memory_history", json_pack("{s:s}", "memory_id", id),
	    "no such memory");
	refused(reg, &b, "memory_update", json_pack("{s:s, s:s}", "memory_id",
	    id, "content", "hijacked"), "no such memory");
	refused(reg, &b, "memory_delete", json_pack("{s:s}", "memory_id", id),
	    "no such memory");
	r = ok(reg, &a, "memory_get", json_pack("{s:s}", "memory_id", id));
	ck_assert_str_eq(str(r, "memory"), "The router admin page is on port "
	    "8443");
	json_decref(r);

	/* The shared scope is both's. */
	r = ok(reg, &b, "memory_add", json_pack("{s:s, s:s}", "content",
	    "Maintenance window is Sunday 06:00", "agent_id", "shared"));
	json_decref(r);
	r = ok(reg, &a, "memory_list", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 2);
	json_decref(r);

	/* A scopes entry grants C agent-a's scope, and not shared. */
	r = ok(reg, &c, "memory_list", json_pack("{s:s}", "agent_id",
	    "agent-a"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	json_decref(r);
	r = ok(reg, &c, "memory_list", NULL);
	items = json_object_get(r, "items");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	ck_assert_str_eq(str(json_array_get(items, 0), "agent_id"), "agent-a");
	json_decref(r);
	refused(reg, &c, "memory_list", json_pack("{s:s}", "agent_id",
	    "shared"), "not a scope");

	/* The operator at the dashboard sees every scope. */
	r = ok(reg, &key, "memory_list", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 2);
	json_decref(r);

	free(id);
	registry_destroy(reg);
	conf_free(conf);
	free(db);
}
END_TEST

/* The restart test's shared state. */
static atomic_int acked;
static atomic_bool restarted;

/* Restarts PostgreSQL once 300 writes are acknowledged. */
static void *
restarter(void *arg)
{
	(void)arg;
	if (WAIT_FOR(atomic_load(&acked) >= 300, 60000))
		ck_assert_int_eq(pgt_restart(&pg), 0);
	atomic_store(&restarted, true);
	return (NULL);
}

START_TEST(test_restart)
{
	struct mem_store *st;
	struct mem_write w = { 0 };
	float vec[MEM_BUILTIN_DIMS];
	char *db, *v, *before, *after, *cause = NULL, content[64], key[32];
	pthread_t t;
	json_t *r;
	int i;

	if ((db = fresh_db("restart", _i)) == NULL)
		return;
	st = store_on(db, _i, MEM_BUILTIN_NAME, MEM_BUILTIN_DIMS);
	before = pgt_sql(&pg, db, "SELECT pg_postmaster_start_time()");
	atomic_store(&acked, 0);
	atomic_store(&restarted, false);
	ck_assert_int_eq(pthread_create(&t, NULL, restarter, NULL), 0);
	w.agent_id = "writer";
	w.actor = "test";
	w.embedding = vec;
	w.content = content;
	w.key = key;
	for (i = 0; i < 1000; i++) {
		snprintf(content, sizeof content, "acknowledged write %d", i);
		snprintf(key, sizeof key, "restart-%d", i);
		mem_embed_builtin(content, vec, MEM_BUILTIN_DIMS);
		r = mem_store_add(st, &w, &cause);
		ck_assert_msg(r != NULL, "write %d: %s", i, cause);
		ck_assert_str_eq(str(r, "event"), "ADD");
		json_decref(r);
		atomic_fetch_add(&acked, 1);
	}
	pthread_join(t, NULL);
	ck_assert(atomic_load(&restarted));
	after = pgt_sql(&pg, db, "SELECT pg_postmaster_start_time()");
	ck_assert_str_ne(before, after);
	/* Every acknowledged write is there exactly once. */
	v = pgt_sql(&pg, db, "SELECT count(*) || ' ' || count(DISTINCT "
	    "content) FROM racktop.memories");
	ck_assert_str_eq(v, "1000 1000");
	free(v);
	v = pgt_sql(&pg, db, "SELECT count(*) FROM racktop.memory_history");
	ck_assert_str_eq(v, "1000");
	free(v);
	v = pgt_sql(&pg, db, "SELECT count(*) FROM generate_series(0, 999) i "
	    "WHERE NOT EXISTS (SELECT 1 FROM racktop.memories WHERE content = "
	    "'acknowledged write ' || i)");
	ck_assert_str_eq(v, "0");
	free(v);
	free(before);
	free(after);
	mem_store_destroy(st);
	free(db);
}
END_TEST

/* One concurrent writer's work. */
struct writer {
	struct mem_store *st;
	int n;
	bool same;	/* everyone adds the same text, dedup on */
	int errors;
	int adds;
};

static void *
writer_main(void *arg)
{
	struct writer *wr = arg;
	struct mem_write w = { 0 };
	float vec[MEM_BUILTIN_DIMS];
	char content[96], key[48], *cause = NULL;
	json_t *r;
	int i;

	w.agent_id = "team";
	w.actor = "test";
	w.embedding = vec;
	w.content = content;
	w.key = key;
	w.dedup = wr->same;
	for (i = 0; i < (wr->same ? 1 : 100); i++) {
		if (wr->same)
			snprintf(content, sizeof content, "The shared fact "
			    "everyone writes at once");
		else
			snprintf(content, sizeof content, "writer %d item %d",
			    wr->n, i);
		snprintf(key, sizeof key, "w%d-%d-%d", wr->n, i, wr->same);
		mem_embed_builtin(content, vec, MEM_BUILTIN_DIMS);
		if ((r = mem_store_add(wr->st, &w, &cause)) == NULL) {
			fprintf(stderr, "writer %d: %s\n", wr->n, cause);
			free(cause);
			wr->errors++;
			continue;
		}
		if (strcmp(str(r, "event"), "ADD") == 0)
			wr->adds++;
		json_decref(r);
	}
	return (NULL);
}

START_TEST(test_concurrent)
{
	struct writer wr[8];
	pthread_t t[8];
	struct mem_store *st;
	char *db, *v;
	int i, adds, pass;

	if ((db = fresh_db("concurrent", _i)) == NULL)
		return;
	st = store_on(db, _i, MEM_BUILTIN_NAME, MEM_BUILTIN_DIMS);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 8; i++) {
			memset(&wr[i], 0, sizeof wr[i]);
			wr[i].st = st;
			wr[i].n = i;
			wr[i].same = pass == 1;
			ck_assert_int_eq(pthread_create(&t[i], NULL,
			    writer_main, &wr[i]), 0);
		}
		adds = 0;
		for (i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			ck_assert_int_eq(wr[i].errors, 0);
			adds += wr[i].adds;
		}
		/* Near-twins written at once still make one memory. */
		ck_assert_int_eq(adds, pass == 0 ? 800 : 1);
	}
	v = pgt_sql(&pg, db, "SELECT count(*) || ' ' || count(DISTINCT "
	    "content) FROM racktop.memories");
	ck_assert_str_eq(v, "801 801");
	free(v);
	v = pgt_sql(&pg, db, "SELECT count(*) FROM racktop.memory_history");
	ck_assert_str_eq(v, "801");
	free(v);
	mem_store_destroy(st);
	free(db);
}
END_TEST

/* recall@3 of an embedder over the paraphrase pairs. */
static double
recall_at_3(struct mem_store *st, struct mem_embedder *emb, const char *label)
{
	const char *dir = getenv("srcdir");
	char *path, line[1024], *tab, *cause = NULL, *ids[128], *key;
	struct mem_write w = { 0 };
	json_t *r, *it;
	size_t n = 0, i, j, hits = 0;
	char *queries[128];
	float *vec;
	FILE *f;

	xasprintf(&path, "%s/tests/fixtures/memory/paraphrases.tsv", dir !=
	    NULL ? dir : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s (set srcdir)", path);
	free(path);
	w.agent_id = "recall";
	w.actor = "test";
	while (fgets(line, sizeof line, f) != NULL && n < 128) {
		line[strcspn(line, "\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		w.content = line;
		xasprintf(&key, "recall-%zu", n);
		w.key = key;
		vec = mem_embed(emb, line, &cause);
		ck_assert_msg(vec != NULL, "%s", cause);
		w.embedding = vec;
		r = mem_store_add(st, &w, &cause);
		ck_assert_msg(r != NULL, "%s", cause);
		free(vec);
		free(key);
		ids[n] = xstrdup(str(r, "id"));
		queries[n++] = xstrdup(tab + 1);
		json_decref(r);
	}
	fclose(f);
	ck_assert_uint_ge(n, 30);
	for (i = 0; i < n; i++) {
		vec = mem_embed(emb, queries[i], &cause);
		ck_assert_msg(vec != NULL, "%s", cause);
		r = mem_store_search(st, NULL, queries[i], vec, 3, &cause);
		ck_assert_msg(r != NULL, "%s", cause);
		json_array_foreach(r, j, it) {
			if (strcmp(str(it, "id"), ids[i]) == 0)
				hits++;
		}
		json_decref(r);
		free(vec);
		free(queries[i]);
		free(ids[i]);
	}
	fprintf(stderr, "recall@3 %s: %.2f (%zu of %zu paraphrase pairs)\n",
	    label, (double)hits / n, hits, n);
	return ((double)hits / n);
}

START_TEST(test_recall)
{
	struct mem_embedder *emb;
	struct mem_store *st;
	char *db, name[96], *cause = NULL;

	if ((db = fresh_db("recall", _i)) == NULL)
		return;
	emb = mem_embedder_create(NULL, NULL, NULL, 0, 0, &cause);
	st = store_on(db, _i, MEM_BUILTIN_NAME, MEM_BUILTIN_DIMS);
	snprintf(name, sizeof name, "%s on %s", MEM_BUILTIN_NAME,
	    mode_name[_i]);
	/* A floor, not a target: it sees words, not meaning. */
	ck_assert_double_ge(recall_at_3(st, emb, name), 0.75);
	mem_store_destroy(st);
	mem_embedder_destroy(emb);
	free(db);
}
END_TEST

/* racktop-sim's model endpoints: url, or NULL when no simulator. */
static pid_t sim_pid;
static char *sim_url, *sim_dir;

static void
sim_start(void)
{
	const char *bin = getenv("RACKTOP_SIM");
	char *eps;
	json_t *j = NULL;

	if (bin == NULL)
		return;
	sim_dir = test_tmpdir();
	xasprintf(&eps, "%s/endpoints.json", sim_dir);
	if ((sim_pid = fork()) == 0) {
		execl(bin, bin, "--services", "llm", "--endpoints", eps,
		    (char *)NULL);
		_exit(127);
	}
	if (!WAIT_FOR((j = json_load_file(eps, 0, NULL)) != NULL, 10000)) {
		fprintf(stderr, "racktop-sim wrote no endpoints\n");
		free(eps);
		return;
	}
	sim_url = xstrdup(json_string_value(json_object_get(json_object_get(j,
	    "llm"), "url")));
	json_decref(j);
	free(eps);
}

static void
sim_stop(void)
{
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	if (sim_dir != NULL)
		test_rm_rf(sim_dir);
	free(sim_dir);
	free(sim_url);
}

START_TEST(test_recall_endpoint)
{
	struct mem_embedder *emb;
	struct mem_store *st;
	char *db, name[96], *cause = NULL;

	if (sim_url == NULL) {
		fprintf(stderr, "SKIP recall of the endpoint embedder: "
		    "RACKTOP_SIM not set\n");
		return;
	}
	if ((db = fresh_db("recallep", _i)) == NULL)
		return;
	emb = mem_embedder_create(sim_url, "sim-embed", "sim-llm-key", 0, 5000,
	    &cause);
	ck_assert_msg(emb != NULL, "%s", cause);
	ck_assert_msg(mem_embedder_probe(emb, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(mem_embedder_dims(emb), 256);
	ck_assert_str_eq(mem_embedder_name(emb), "openai:sim-embed");
	st = store_on(db, _i, mem_embedder_name(emb), 256);
	snprintf(name, sizeof name, "openai:sim-embed (racktop-sim) on %s",
	    mode_name[_i]);
	/* Reported, not a quality bar: the simulator's model is a toy. */
	ck_assert_double_gt(recall_at_3(st, emb, name), 0.3);
	mem_store_destroy(st);
	mem_embedder_destroy(emb);
	free(db);
}
END_TEST

/* A tiny second embedder for the re-embedding test. */
static float *
embed8(void *arg, const char *text, char **cause)
{
	float *v = xcalloc(8, sizeof *v);

	(void)arg;
	(void)cause;
	mem_embed_builtin(text, v, 8);
	return (v);
}

START_TEST(test_embedder_change)
{
	struct mem_store_opts o = { 0 };
	struct mem_store *st, *st2;
	struct mem_write w = { 0 };
	float vec[MEM_BUILTIN_DIMS], *v8;
	char *db, *ci, *cause = NULL;
	json_t *r;

	if ((db = fresh_db("reembed", _i)) == NULL)
		return;
	st = store_on(db, _i, MEM_BUILTIN_NAME, MEM_BUILTIN_DIMS);
	w.agent_id = "x";
	w.actor = "test";
	w.content = "Grafana reads Prometheus on VM 120";
	w.key = "re-1";
	w.embedding = vec;
	mem_embed_builtin(w.content, vec, MEM_BUILTIN_DIMS);
	r = mem_store_add(st, &w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	json_decref(r);
	mem_store_destroy(st);

	/* Another embedder is refused, never mixed in. */
	ci = pgt_conninfo(&pg, db);
	o.conninfo = ci;
	o.vector = _i == 0 ? MEM_VEC_PGVECTOR : MEM_VEC_ARRAY;
	o.embedder = "openai:tiny";
	o.dims = 8;
	o.dedup_threshold = 0.9;
	o.retry_ms = 5000;
	st2 = mem_store_create(&o, &cause);
	ck_assert_int_eq(mem_store_open(st2, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "memory_reembed"));
	free(cause);
	cause = NULL;
	/* Re-embedding moves the store to the new width. */
	ck_assert_int_eq(mem_store_reembed(st2, "openai:tiny", 8, embed8, NULL,
	    &cause), 1);
	ck_assert_str_eq(mem_store_vector_kind(st2), mode_name[_i]);
	v8 = embed8(NULL, "grafana prometheus", &cause);
	r = mem_store_search(st2, NULL, "grafana prometheus", v8, 3, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_uint_eq(json_array_size(r), 1);
	json_decref(r);
	free(v8);
	mem_store_destroy(st2);
	free(ci);
	free(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("postgres");
	SRunner *sr;
	int failed, rv;

	if ((rv = pgt_start(&pg)) != 0) {
		if (rv == 77)
			printf("SKIP: no PostgreSQL server binaries\n");
		else
			fprintf(stderr, "could not start PostgreSQL: see %s\n",
			    pg.dir);
		return (rv == 77 ? 77 : 1);
	}
	have_vector = pgt_has_vector(&pg);
	sim_start();
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_tools, 0, 2);
	tcase_add_loop_test(tc, test_isolation, 0, 2);
	tcase_add_loop_test(tc, test_restart, 0, 2);
	tcase_add_loop_test(tc, test_concurrent, 0, 2);
	tcase_add_loop_test(tc, test_recall, 0, 2);
	tcase_add_loop_test(tc, test_recall_endpoint, 0, 2);
	tcase_add_loop_test(tc, test_embedder_change, 0, 2);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	sim_stop();
	pgt_stop(&pg);
	return (failed == 0 ? 0 : 1);
}
