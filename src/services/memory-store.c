/*
 * The memory store on PostgreSQL through libpq: connections, reconnection,
 * migrations, and the queries behind the memory_* tools.
 *
 * DESIGN
 * Owner: one struct mem_store per memory instance, created and destroyed
 * on the main thread; workers use it concurrently. Each operation takes a
 * connection from st->idle (or opens one) under st->lock and gives it
 * back after, so a PGconn is only ever used by one thread at a time.
 * Every write runs in one transaction with its history row and its
 * idempotency record (racktop.memory_requests): when the connection is
 * lost mid-write (a server restart), the write is retried on a new
 * connection with the same key until retry_ms passes, so it lands exactly
 * once or is reported as not stored.
 */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "services/memory.h"

#define MEM_MAX_PARAMS 24
#define MEM_HNSW_MAX_DIMS 2000	/* vector's HNSW limit; halfvec above */
#define MEM_HALFVEC_MAX_DIMS 4000
#define MEM_LOCK_MIGRATE 0x7261746f70LL	/* "racktop": an advisory lock */

struct mem_store {
	char *conninfo;
	enum mem_vector_mode want;
	char *embedder;
	size_t dims;
	double dedup;
	long retry_ms;
	size_t max_conns;

	pthread_mutex_t lock;	/* guards everything below */
	PGconn **idle;
	size_t nidle;
	bool opened;
	bool pgvector;		/* the column is vector/halfvec */
	char vtype[16];		/* "vector", "halfvec" or "real[]" */
};

/* A query under construction: SQL text and its parameters. */
struct mem_q {
	char *sql;
	size_t len, cap;
	const char *params[MEM_MAX_PARAMS];
	char *owned[MEM_MAX_PARAMS];
	int n;
};

/* Appends printf-style text to the query. */
static void __attribute__((format(printf, 2, 3)))
q_add(struct mem_q *q, const char *fmt, ...)
{
	va_list ap;
	char *s;
	size_t n;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	n = strlen(s);
	if (q->len + n + 1 > q->cap) {
		q->cap = (q->len + n + 1) * 2;
		q->sql = xrealloc(q->sql, q->cap);
	}
	memcpy(q->sql + q->len, s, n + 1);
	q->len += n;
	free(s);
}

/* Adds a parameter (copied) and returns its number ($N). */
static int
q_param(struct mem_q *q, const char *v)
{
	if (q->n == MEM_MAX_PARAMS)
		fatalx("%s: too many parameters", __func__);
	q->owned[q->n] = v != NULL ? xstrdup(v) : NULL;
	q->params[q->n] = q->owned[q->n];
	return (++q->n);
}

/* Adds a parameter taking ownership of v. */
static int
q_param_new(struct mem_q *q, char *v)
{
	int i = q_param(q, NULL);

	q->owned[i - 1] = v;
	q->params[i - 1] = v;
	return (i);
}

static void
q_free(struct mem_q *q)
{
	int i;

	for (i = 0; i < q->n; i++)
		free(q->owned[i]);
	free(q->sql);
	memset(q, 0, sizeof *q);
}

/* A vector as pgvector ("[a,b]") or array ("{a,b}") text. New string. */
static char *
mem_vec_text(const float *v, size_t dims, bool pgvector)
{
	char *s = xmalloc(dims * 16 + 3), *p = s;
	size_t i;

	*p++ = pgvector ? '[' : '{';
	for (i = 0; i < dims; i++)
		p += sprintf(p, "%s%.7g", i ? "," : "", (double)v[i]);
	*p++ = pgvector ? ']' : '}';
	*p = '\0';
	return (s);
}

/* A text[] literal of strings. New string. */
static char *
mem_text_array(const char *const *v, size_t n)
{
	size_t len = 3, i;
	const char *c;
	char *s, *p;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) * 2 + 3;
	p = s = xmalloc(len);
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (c = v[i]; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return (s);
}

/* Whether an error means the connection, not the statement, failed. */
static bool
mem_conn_lost(PGconn *conn, const PGresult *r)
{
	const char *state;

	if (PQstatus(conn) != CONNECTION_OK)
		return (true);
	if (r == NULL)
		return (true);
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return (PQresultStatus(r) == PGRES_FATAL_ERROR);
	/* 08: connection exceptions; 57P0x: shutdown, crash, starting. */
	return (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) ==
	    0);
}

/* Whether the statement may simply run again (serialisation, deadlock). */
static bool
mem_retryable(const PGresult *r)
{
	const char *state = r != NULL ? PQresultErrorField(r,
	    PG_DIAG_SQLSTATE) : NULL;

	return (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0));
}

/* The error text of a result or connection, one line. New string. */
static char *
mem_errtext(PGconn *conn, const PGresult *r)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : NULL;
	char *s, *nl;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(conn);
	if (m == NULL || *m == '\0')
		m = "unknown error";
	s = xstrdup(m);
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	return (s);
}

/* Runs a command expecting no rows; 0, or -1 with *r kept for the caller. */
static int
mem_exec(PGconn *conn, const char *sql, PGresult **err)
{
	PGresult *r = PQexec(conn, sql);

	if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) ==
	    PGRES_TUPLES_OK) {
		PQclear(r);
		return (0);
	}
	*err = r;
	return (-1);
}

/* A query's result; NULL on error, with *err holding the failed result. */
static PGresult *
mem_run(PGconn *conn, struct mem_q *q, PGresult **err)
{
	PGresult *r;

	r = PQexecParams(conn, q->sql, q->n, NULL, q->params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) ==
	    PGRES_COMMAND_OK)
		return (r);
	*err = r;
	return (NULL);
}

/* Drops notices: they would go to stderr under the dashboard. */
static void
mem_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("memory: postgres: %s", msg);
}

/* A connection from the pool, or a new one; NULL and *cause. */
static PGconn *
mem_conn_get(struct mem_store *st, char **cause)
{
	PGconn *conn = NULL;

	pthread_mutex_lock(&st->lock);
	if (st->nidle > 0)
		conn = st->idle[--st->nidle];
	pthread_mutex_unlock(&st->lock);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return (conn);
	PQfinish(conn);
	conn = PQconnectdb(st->conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		*cause = mem_errtext(conn, NULL);
		PQfinish(conn);
		return (NULL);
	}
	PQsetNoticeProcessor(conn, mem_notice, NULL);
	/*
	 * Iterative index scans, so a filtered search still returns the
	 * count asked for (pgvector 0.8+; older ones ignore the setting).
	 */
	PQclear(PQexec(conn, "SET hnsw.iterative_scan = relaxed_order"));
	PQclear(PQexec(conn, "SET hnsw.ef_search = 100"));
	return (conn);
}

/* Returns a connection to the pool (or closes it when bad or full). */
static void
mem_conn_put(struct mem_store *st, PGconn *conn)
{
	if (conn == NULL)
		return;
	if (PQstatus(conn) != CONNECTION_OK ||
	    PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PQfinish(conn);
		return;
	}
	pthread_mutex_lock(&st->lock);
	if (st->nidle < st->max_conns) {
		st->idle[st->nidle++] = conn;
		conn = NULL;
	}
	pthread_mutex_unlock(&st->lock);
	PQfinish(conn);
}

/*
 * One unit of work on a connection inside BEGIN/COMMIT (or alone when
 * tx is false). 0, 1 for "lost the connection: retry", -1 with *cause.
 */
typedef int (*mem_work)(struct mem_store *, PGconn *, void *, PGresult **,
    char **);

/*
 * Runs work, in a transaction when tx, retrying on a new connection when
 * the old one is lost, until st->retry_ms passes. 0, or -1 and *cause.
 */
static int
mem_do(struct mem_store *st, bool tx, mem_work work, void *arg, char **cause)
{
	int64_t deadline = clock_mono_ms() + st->retry_ms;
	PGresult *err = NULL;
	PGconn *conn;
	char *why = NULL;
	int rv, wait_ms = 20, tries = 0;

	for (;;) {
		tries++;
		err = NULL;
		free(why);
		why = NULL;
		if ((conn = mem_conn_get(st, &why)) == NULL) {
			rv = 1;
			goto again;
		}
		if (tx && mem_exec(conn, "BEGIN", &err) != 0) {
			rv = mem_conn_lost(conn, err) ? 1 : -1;
			goto failed;
		}
		rv = work(st, conn, arg, &err, &why);
		if (rv == 0 && tx && mem_exec(conn, "COMMIT", &err) != 0)
			rv = -1;
		if (rv == 0) {
			mem_conn_put(st, conn);
			return (0);
		}
failed:
		if (err != NULL) {
			if (why == NULL)
				why = mem_errtext(conn, err);
			if (rv == -1 && (mem_conn_lost(conn, err) ||
			    mem_retryable(err)))
				rv = 1;
			PQclear(err);
			err = NULL;
		}
		if (rv == -1) {
			if (tx && PQstatus(conn) == CONNECTION_OK)
				PQclear(PQexec(conn, "ROLLBACK"));
			mem_conn_put(st, conn);
			*cause = why;
			return (-1);
		}
		/* Lost: drop this connection, and the pool's (same server). */
		PQfinish(conn);
		pthread_mutex_lock(&st->lock);
		while (st->nidle > 0)
			PQfinish(st->idle[--st->nidle]);
		pthread_mutex_unlock(&st->lock);
again:
		if (clock_mono_ms() + wait_ms > deadline) {
			xasprintf(cause, "PostgreSQL unavailable after %d "
			    "attempts: %s", tries, why != NULL ? why : "?");
			free(why);
			return (-1);
		}
		log_debug("memory: retrying after: %s", why != NULL ? why : "?");
		/* Back-off before reconnecting to a restarting server. */
		poll(NULL, 0, wait_ms);
		if (wait_ms < 500)
			wait_ms *= 2;
	}
}

struct mem_store *
mem_store_create(const struct mem_store_opts *o, char **cause)
{
	struct mem_store *st;

	if (o->dims == 0 && o->embedder != NULL && strcmp(o->embedder,
	    MEM_BUILTIN_NAME) == 0) {
		xasprintf(cause, "dims: 0");
		return (NULL);
	}
	if (o->dedup_threshold <= 0 || o->dedup_threshold > 1) {
		xasprintf(cause, "dedup_threshold: must be in (0, 1]");
		return (NULL);
	}
	st = xcalloc(1, sizeof *st);
	st->conninfo = xstrdup(o->conninfo != NULL ? o->conninfo : "");
	st->want = o->vector;
	st->embedder = xstrdup(o->embedder != NULL ? o->embedder :
	    MEM_BUILTIN_NAME);
	st->dims = o->dims;
	st->dedup = o->dedup_threshold;
	st->retry_ms = o->retry_ms > 0 ? o->retry_ms : 15000;
	st->max_conns = o->max_conns > 0 ? o->max_conns : 8;
	st->idle = xcalloc(st->max_conns, sizeof *st->idle);
	pthread_mutex_init(&st->lock, NULL);
	return (st);
}

void
mem_store_destroy(struct mem_store *st)
{
	if (st == NULL)
		return;
	while (st->nidle > 0)
		PQfinish(st->idle[--st->nidle]);
	free(st->idle);
	pthread_mutex_destroy(&st->lock);
	if (st->conninfo != NULL)
		explicit_bzero(st->conninfo, strlen(st->conninfo));
	free(st->conninfo);
	free(st->embedder);
	free(st);
}

/*
 * The migrations, in order; each runs in one transaction with its
 * version recorded. Never edit one that has shipped: add the next.
 */
static const char *const mem_migrations[] = {
	/* 1: memories, their history, idempotency records, settings. */
	"CREATE TABLE racktop.memories ("
	" id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
	" content text NOT NULL,"
	" hash text NOT NULL,"
	" user_id text,"
	" agent_id text NOT NULL,"
	" entity text,"
	" metadata jsonb NOT NULL DEFAULT '{}',"
	" created timestamptz NOT NULL DEFAULT now(),"
	" updated timestamptz NOT NULL DEFAULT now(),"
	" deleted timestamptz,"
	" tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', content))"
	" STORED);"
	"CREATE INDEX memories_scope ON racktop.memories (agent_id, user_id)"
	" WHERE deleted IS NULL;"
	"CREATE INDEX memories_entity ON racktop.memories (entity)"
	" WHERE deleted IS NULL AND entity IS NOT NULL;"
	"CREATE INDEX memories_created ON racktop.memories (created DESC);"
	"CREATE INDEX memories_metadata ON racktop.memories USING gin"
	" (metadata jsonb_path_ops);"
	"CREATE INDEX memories_tsv ON racktop.memories USING gin (tsv);"
	"CREATE TABLE racktop.memory_history ("
	" id bigserial PRIMARY KEY,"
	" memory_id uuid NOT NULL REFERENCES racktop.memories(id),"
	" event text NOT NULL CHECK (event IN ('ADD','UPDATE','DELETE')),"
	" old_content text,"
	" new_content text,"
	" actor text,"
	" at timestamptz NOT NULL DEFAULT clock_timestamp());"
	"CREATE INDEX memory_history_memory ON racktop.memory_history"
	" (memory_id, id);"
	"CREATE TABLE racktop.memory_requests ("
	" key text PRIMARY KEY,"
	" result jsonb,"
	" at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE racktop.memory_settings ("
	" key text PRIMARY KEY,"
	" value text NOT NULL);"
	"CREATE FUNCTION racktop.cosine(a real[], b real[])"
	" RETURNS double precision LANGUAGE sql IMMUTABLE STRICT"
	" PARALLEL SAFE AS $$"
	" SELECT CASE WHEN sum(x::float8 * x) = 0 OR sum(y::float8 * y) = 0"
	" THEN 0 ELSE sum(x::float8 * y) / sqrt(sum(x::float8 * x) *"
	" sum(y::float8 * y)) END FROM unnest(a, b) AS t(x, y) $$;",
	NULL
};

/* Applies the migrations not yet applied, each in its own transaction. */
static int
mem_migrate(PGconn *conn, char **cause)
{
	PGresult *r, *err = NULL;
	char sql[160];
	size_t i;
	bool done;

	if (mem_exec(conn, "CREATE SCHEMA IF NOT EXISTS racktop;"
	    "CREATE TABLE IF NOT EXISTS racktop.schema_migrations ("
	    " version integer PRIMARY KEY,"
	    " applied timestamptz NOT NULL DEFAULT now())", &err) != 0)
		goto fail;
	for (i = 0; mem_migrations[i] != NULL; i++) {
		/* Another racktop may migrate the same database: one at once. */
		snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock("
		    "%lld)", MEM_LOCK_MIGRATE);
		if (mem_exec(conn, sql, &err) != 0)
			goto fail;
		snprintf(sql, sizeof sql, "SELECT 1 FROM "
		    "racktop.schema_migrations WHERE version = %zu", i + 1);
		r = PQexec(conn, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			err = r;
			goto fail;
		}
		done = PQntuples(r) > 0;
		PQclear(r);
		if (!done) {
			if (mem_exec(conn, mem_migrations[i], &err) != 0)
				goto fail;
			snprintf(sql, sizeof sql, "INSERT INTO "
			    "racktop.schema_migrations (version) VALUES (%zu)",
			    i + 1);
			if (mem_exec(conn, sql, &err) != 0)
				goto fail;
			log_info("memory: applied migration %zu", i + 1);
		}
		if (mem_exec(conn, "COMMIT", &err) != 0)
			goto fail;
	}
	return (0);
fail:
	xasprintf(cause, "migration: %s", mem_errtext(conn, err));
	PQclear(err);
	PQclear(PQexec(conn, "ROLLBACK"));
	return (-1);
}

/* A setting's value (new string) or NULL. */
static char *
mem_setting(PGconn *conn, const char *key)
{
	const char *p[1] = { key };
	PGresult *r;
	char *v = NULL;

	r = PQexecParams(conn, "SELECT value FROM racktop.memory_settings "
	    "WHERE key = $1", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return (v);
}

/* The column type for dims with or without pgvector. */
static void
mem_vtype(struct mem_store *st, bool pgvector, size_t dims)
{
	st->pgvector = pgvector;
	snprintf(st->vtype, sizeof st->vtype, "%s", !pgvector ? "real[]" :
	    dims > MEM_HNSW_MAX_DIMS ? "halfvec" : "vector");
}

/*
 * Adds the embedding column (and its HNSW index) for the configured
 * embedder and vector mode, in one transaction; a store already set up
 * for another embedder or width is refused, never mixed.
 */
static int
mem_setup_vectors(struct mem_store *st, PGconn *conn, char **cause)
{
	PGresult *err = NULL, *r;
	char *emb = NULL, *dims = NULL, *kind = NULL, *sql = NULL, lk[80];
	bool have_ext, pgv;
	int rv = -1;

	snprintf(lk, sizeof lk, "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
	    MEM_LOCK_MIGRATE);
	if (mem_exec(conn, lk, &err) != 0)
		goto sqlfail;
	emb = mem_setting(conn, "embedder");
	dims = mem_setting(conn, "dims");
	kind = mem_setting(conn, "vector");
	if (emb != NULL && dims != NULL && kind != NULL) {
		if (strcmp(emb, st->embedder) != 0 || strtoul(dims, NULL, 10) !=
		    st->dims) {
			xasprintf(cause, "the memories were embedded with %s "
			    "(%s dimensions), this configuration uses %s (%zu): "
			    "run `racktop call memory_reembed` to re-embed them",
			    emb, dims, st->embedder, st->dims);
			goto out;
		}
		pgv = strcmp(kind, "pgvector") == 0;
		if ((st->want == MEM_VEC_ARRAY && pgv) || (st->want ==
		    MEM_VEC_PGVECTOR && !pgv)) {
			xasprintf(cause, "vector = %s, but the store was set "
			    "up with %s", st->want == MEM_VEC_ARRAY ? "array" :
			    "pgvector", kind);
			goto out;
		}
		mem_vtype(st, pgv, st->dims);
		rv = 0;
		goto out;
	}
	/* First start: decide, then create the column. */
	have_ext = false;
	if (st->want != MEM_VEC_ARRAY) {
		r = PQexec(conn, "SAVEPOINT ext; CREATE EXTENSION IF NOT EXISTS "
		    "vector");
		have_ext = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!have_ext) {
			char *why = mem_errtext(conn, r);

			PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT ext"));
			if (st->want == MEM_VEC_PGVECTOR) {
				xasprintf(cause, "vector = pgvector: %s", why);
				free(why);
				PQclear(r);
				goto out;
			}
			log_info("memory: no pgvector (%s): exact search on "
			    "real[]", why);
			free(why);
		}
		PQclear(r);
	}
	mem_vtype(st, have_ext, st->dims);
	if (have_ext)
		xasprintf(&sql, "ALTER TABLE racktop.memories ADD COLUMN "
		    "embedding %s(%zu);", st->vtype, st->dims);
	else
		xasprintf(&sql, "ALTER TABLE racktop.memories ADD COLUMN "
		    "embedding real[];");
	if (mem_exec(conn, sql, &err) != 0)
		goto sqlfail;
	free(sql);
	sql = NULL;
	if (have_ext && st->dims <= MEM_HALFVEC_MAX_DIMS) {
		xasprintf(&sql, "CREATE INDEX memories_embedding ON "
		    "racktop.memories USING hnsw (embedding %s_cosine_ops)",
		    st->vtype);
		if (mem_exec(conn, sql, &err) != 0)
			goto sqlfail;
		free(sql);
	}
	xasprintf(&sql, "INSERT INTO racktop.memory_settings VALUES "
	    "('embedder', '%s'), ('dims', '%zu'), ('vector', '%s')",
	    st->embedder, st->dims, have_ext ? "pgvector" : "array");
	/* The embedder name is ours ("builtin..." or "openai:MODEL"). */
	if (strchr(st->embedder, '\'') != NULL) {
		xasprintf(cause, "embedder name with a quote");
		goto out;
	}
	if (mem_exec(conn, sql, &err) != 0)
		goto sqlfail;
	rv = 0;
	goto out;
sqlfail:
	xasprintf(cause, "vector setup: %s", mem_errtext(conn, err));
	PQclear(err);
out:
	PQclear(PQexec(conn, rv == 0 ? "COMMIT" : "ROLLBACK"));
	free(sql);
	free(emb);
	free(dims);
	free(kind);
	return (rv);
}

int
mem_store_open(struct mem_store *st, char **cause)
{
	PGconn *conn;
	char *why = NULL;
	bool opened;

	pthread_mutex_lock(&st->lock);
	opened = st->opened;
	pthread_mutex_unlock(&st->lock);
	if (opened)
		return (0);
	if ((conn = mem_conn_get(st, &why)) == NULL) {
		xasprintf(cause, "PostgreSQL: %s", why);
		free(why);
		return (-1);
	}
	if (mem_migrate(conn, cause) != 0 ||
	    mem_setup_vectors(st, conn, cause) != 0) {
		PQfinish(conn);
		return (-1);
	}
	/* Idempotency keys are kept 30 days: far past any retry. */
	PQclear(PQexec(conn, "DELETE FROM racktop.memory_requests WHERE at < "
	    "now() - interval '30 days'"));
	pthread_mutex_lock(&st->lock);
	st->opened = true;
	pthread_mutex_unlock(&st->lock);
	mem_conn_put(st, conn);
	return (0);
}

const char *
mem_store_vector_kind(struct mem_store *st)
{
	const char *k;

	pthread_mutex_lock(&st->lock);
	k = !st->opened ? NULL : st->pgvector ? "pgvector" : "array";
	pthread_mutex_unlock(&st->lock);
	return (k);
}

/* The columns every row query returns, as JSON text in column 0. */
#define MEM_ROW_JSON \
	"json_build_object('id', m.id, 'memory', m.content, 'hash', m.hash," \
	" 'user_id', m.user_id, 'agent_id', m.agent_id, 'entity', m.entity," \
	" 'metadata', m.metadata, 'created_at', to_char(m.created AT TIME" \
	" ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'updated_at'," \
	" to_char(m.updated AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))"

/* Appends the WHERE conditions of a filter (after "WHERE ..."). */
static void
mem_where(struct mem_q *q, const struct mem_filter *f)
{
	if (f == NULL)
		return;
	if (f->agent_ids != NULL)
		q_add(q, " AND m.agent_id = ANY($%d::text[])", q_param_new(q,
		    mem_text_array(f->agent_ids, f->nagent_ids)));
	if (f->user_id != NULL)
		q_add(q, " AND m.user_id = $%d", q_param(q, f->user_id));
	if (f->entity != NULL)
		q_add(q, " AND m.entity = $%d", q_param(q, f->entity));
	if (f->metadata != NULL && json_object_size(f->metadata) > 0)
		q_add(q, " AND m.metadata @> $%d::jsonb", q_param_new(q,
		    json_dumps(f->metadata, JSON_COMPACT)));
	if (f->created_after != NULL)
		q_add(q, " AND m.created >= $%d::timestamptz", q_param(q,
		    f->created_after));
	if (f->created_before != NULL)
		q_add(q, " AND m.created < $%d::timestamptz", q_param(q,
		    f->created_before));
}

/* Column 0 of row 0 parsed as JSON (new reference), or NULL. */
static json_t *
mem_json_at(const PGresult *r, int row, int col)
{
	if (row >= PQntuples(r) || PQgetisnull(r, row, col))
		return (NULL);
	return (json_loads(PQgetvalue(r, row, col), 0, NULL));
}

/* Whether s looks like a uuid (so a bad id is "not found", not SQL). */
static bool
mem_is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return (false);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (false);
		} else if (strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return (false);
	}
	return (true);
}

/* State of one write through mem_do. */
struct mem_wr {
	const struct mem_write *w;
	const struct mem_filter *scope;
	int kind;		/* 0 add, 1 update, 2 delete */
	json_t *result;		/* set on success */
	bool notfound;
};

/*
 * Claims the idempotency key: 1 when it was already used (w->result
 * holds the first outcome, marked replayed), 0 when claimed, -1 error.
 */
static int
mem_claim(PGconn *conn, struct mem_wr *wr, PGresult **err)
{
	const char *p[1] = { wr->w->key };
	PGresult *r;

	r = PQexecParams(conn, "INSERT INTO racktop.memory_requests (key) "
	    "VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING 1", 1, NULL, p,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*err = r;
		return (-1);
	}
	if (PQntuples(r) == 1) {
		PQclear(r);
		return (0);
	}
	PQclear(r);
	r = PQexecParams(conn, "SELECT result FROM racktop.memory_requests "
	    "WHERE key = $1", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*err = r;
		return (-1);
	}
	json_decref(wr->result);
	wr->result = mem_json_at(r, 0, 0);
	PQclear(r);
	if (wr->result == NULL)
		wr->result = json_object();
	json_object_set_new(wr->result, "replayed", json_true());
	return (1);
}

/* Records the outcome under the key, in the write's transaction. */
static int
mem_record(PGconn *conn, struct mem_wr *wr, PGresult **err)
{
	const char *p[2];
	char *js = json_dumps(wr->result, JSON_COMPACT);
	PGresult *r;

	p[0] = wr->w->key;
	p[1] = js;
	r = PQexecParams(conn, "UPDATE racktop.memory_requests SET result = "
	    "$2::jsonb WHERE key = $1", 2, NULL, p, NULL, NULL, 0);
	free(js);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		*err = r;
		return (-1);
	}
	PQclear(r);
	return (0);
}

/* Inserts a history row. */
static int
mem_hist(PGconn *conn, const char *id, const char *event, const char *old,
    const char *new, const char *actor, PGresult **err)
{
	const char *p[5] = { id, event, old, new, actor };
	PGresult *r;

	r = PQexecParams(conn, "INSERT INTO racktop.memory_history (memory_id,"
	    " event, old_content, new_content, actor) VALUES ($1, $2, $3, $4, "
	    "$5)", 5, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		*err = r;
		return (-1);
	}
	PQclear(r);
	return (0);
}

/* memory_add's transaction. */
static int
mem_add_work(struct mem_store *st, PGconn *conn, void *arg, PGresult **err,
    char **cause)
{
	struct mem_wr *wr = arg;
	const struct mem_write *w = wr->w;
	struct mem_q q = { 0 };
	PGresult *r = NULL;
	json_t *row;
	char *vec, *id = NULL, *old = NULL, *lk, *meta = NULL;
	double sim = -1;
	int c, vp, p1, p2, p3, p4, p5, rv = -1;

	(void)cause;
	/* A retry after a lost COMMIT starts over. */
	json_decref(wr->result);
	wr->result = NULL;
	if ((c = mem_claim(conn, wr, err)) != 0)
		return (c < 0 ? -1 : 0);
	vec = mem_vec_text(w->embedding, st->dims, st->pgvector);
	if (w->dedup) {
		/* One add per scope at a time, so two near-twins never race. */
		xasprintf(&lk, "%s\x1f%s", w->agent_id, w->user_id != NULL ?
		    w->user_id : "");
		p1 = q_param_new(&q, lk);
		q_add(&q, "SELECT pg_advisory_xact_lock(hashtext($%d))", p1);
		if ((r = mem_run(conn, &q, err)) == NULL)
			goto out;
		PQclear(r);
		q_free(&q);
		vp = q_param(&q, vec);
		p1 = q_param(&q, w->agent_id);
		p2 = q_param(&q, w->user_id);
		if (st->pgvector)
			q_add(&q, "SELECT m.id, m.content, 1 - (m.embedding <=> "
			    "$%d::%s) AS sim FROM racktop.memories m WHERE "
			    "m.deleted IS NULL AND m.agent_id = $%d AND "
			    "m.user_id IS NOT DISTINCT FROM $%d ORDER BY "
			    "m.embedding <=> $%d::%s LIMIT 1", vp, st->vtype, p1,
			    p2, vp, st->vtype);
		else
			q_add(&q, "SELECT m.id, m.content, racktop.cosine("
			    "m.embedding, $%d::real[]) AS sim FROM "
			    "racktop.memories m WHERE m.deleted IS NULL AND "
			    "m.agent_id = $%d AND m.user_id IS NOT DISTINCT "
			    "FROM $%d ORDER BY sim DESC LIMIT 1", vp, p1, p2);
		if ((r = mem_run(conn, &q, err)) == NULL)
			goto out;
		q_free(&q);
		if (PQntuples(r) == 1) {
			sim = round(strtod(PQgetvalue(r, 0, 2), NULL) * 1e4) /
			    1e4;
			if (sim >= st->dedup) {
				id = xstrdup(PQgetvalue(r, 0, 0));
				old = xstrdup(PQgetvalue(r, 0, 1));
			}
		}
		PQclear(r);
	}
	meta = w->metadata != NULL ? json_dumps(w->metadata, JSON_COMPACT) :
	    NULL;
	if (id != NULL && strcmp(old, w->content) == 0) {
		/* The same words again: nothing to change. */
		p1 = q_param(&q, id);
		q_add(&q, "SELECT " MEM_ROW_JSON " FROM racktop.memories m "
		    "WHERE m.id = $%d", p1);
		if ((r = mem_run(conn, &q, err)) == NULL)
			goto out;
		row = mem_json_at(r, 0, 0);
		PQclear(r);
		wr->result = json_pack("{s:s, s:s, s:s, s:f, s:o, s:b}", "id", id,
		    "memory", w->content, "event", "NONE", "similarity", sim,
		    "row", row != NULL ? row : json_object(), "replayed", 0);
	} else if (id != NULL) {
		/* A near-duplicate: replace its content, keep its id. */
		p1 = q_param(&q, w->content);
		vp = q_param(&q, vec);
		p2 = q_param(&q, w->entity);
		p3 = q_param(&q, meta);
		p4 = q_param(&q, id);
		q_add(&q, "UPDATE racktop.memories m SET content = $%d, hash = "
		    "md5($%d), embedding = $%d::%s, updated = now(), entity = "
		    "coalesce($%d, m.entity), metadata = m.metadata || "
		    "coalesce($%d::jsonb, '{}') WHERE m.id = $%d RETURNING "
		    MEM_ROW_JSON, p1, p1, vp, st->vtype, p2, p3, p4);
		if ((r = mem_run(conn, &q, err)) == NULL)
			goto out;
		row = mem_json_at(r, 0, 0);
		PQclear(r);
		if (mem_hist(conn, id, "UPDATE", old, w->content, w->actor,
		    err) != 0) {
			json_decref(row);
			goto out;
		}
		wr->result = json_pack("{s:s, s:s, s:s, s:s, s:f, s:o, s:b}",
		    "id", id, "memory", w->content, "event", "UPDATE",
		    "previous_memory", old, "similarity", sim, "row", row !=
		    NULL ? row : json_object(), "replayed", 0);
	} else {
		p1 = q_param(&q, w->content);
		p2 = q_param(&q, w->user_id);
		p3 = q_param(&q, w->agent_id);
		p4 = q_param(&q, w->entity);
		p5 = q_param(&q, meta);
		vp = q_param(&q, vec);
		q_add(&q, "INSERT INTO racktop.memories AS m (content, hash, "
		    "user_id, agent_id, entity, metadata, embedding) VALUES "
		    "($%d, md5($%d), $%d, $%d, $%d, coalesce($%d::jsonb, '{}'), "
		    "$%d::%s) RETURNING m.id, " MEM_ROW_JSON, p1, p1, p2, p3, p4,
		    p5, vp, st->vtype);
		if ((r = mem_run(conn, &q, err)) == NULL)
			goto out;
		id = xstrdup(PQgetvalue(r, 0, 0));
		row = mem_json_at(r, 0, 1);
		PQclear(r);
		if (mem_hist(conn, id, "ADD", NULL, w->content, w->actor,
		    err) != 0) {
			json_decref(row);
			goto out;
		}
		wr->result = json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", id,
		    "memory", w->content, "event", "ADD", "row", row != NULL ?
		    row : json_object(), "replayed", 0);
		if (sim >= 0)
			json_object_set_new(wr->result, "similarity",
			    json_real(sim));
	}
	if (mem_record(conn, wr, err) != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0) {
		json_decref(wr->result);
		wr->result = NULL;
	}
	q_free(&q);
	free(meta);
	free(vec);
	free(id);
	free(old);
	return (rv);
}

/* memory_update's and memory_delete's transaction. */
static int
mem_change_work(struct mem_store *st, PGconn *conn, void *arg,
    PGresult **err, char **cause)
{
	struct mem_wr *wr = arg;
	const struct mem_write *w = wr->w;
	struct mem_q q = { 0 };
	PGresult *r;
	json_t *row = NULL;
	char *vec = NULL, *old = NULL, *meta = NULL;
	int c, p1, p2, p3, p4, p5, rv = -1;

	(void)cause;
	wr->notfound = false;
	json_decref(wr->result);
	wr->result = NULL;
	if ((c = mem_claim(conn, wr, err)) != 0)
		return (c < 0 ? -1 : 0);
	if (!mem_is_uuid(w->memory_id)) {
		PQclear(PQexec(conn, "ROLLBACK"));
		PQclear(PQexec(conn, "BEGIN"));
		wr->notfound = true;
		return (0);
	}
	p1 = q_param(&q, w->memory_id);
	q_add(&q, "SELECT m.content FROM racktop.memories m WHERE m.id = "
	    "$%d::uuid AND m.deleted IS NULL", p1);
	mem_where(&q, wr->scope);
	q_add(&q, " FOR UPDATE");
	if ((r = mem_run(conn, &q, err)) == NULL)
		goto out;
	q_free(&q);
	if (PQntuples(r) == 0) {
		PQclear(r);
		/* Nothing to record: the key stays unused for a later try. */
		PQclear(PQexec(conn, "ROLLBACK"));
		PQclear(PQexec(conn, "BEGIN"));
		wr->notfound = true;
		return (0);
	}
	old = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (wr->kind == 2) {
		p1 = q_param(&q, w->memory_id);
		q_add(&q, "UPDATE racktop.memories m SET deleted = now(), "
		    "updated = now() WHERE m.id = $%d::uuid RETURNING "
		    MEM_ROW_JSON, p1);
	} else {
		if (w->embedding != NULL)
			vec = mem_vec_text(w->embedding, st->dims, st->pgvector);
		meta = w->metadata != NULL ? json_dumps(w->metadata,
		    JSON_COMPACT) : NULL;
		p1 = q_param(&q, w->content);
		p2 = q_param(&q, vec);
		p3 = q_param(&q, meta);
		p4 = q_param(&q, w->entity);
		p5 = q_param(&q, w->memory_id);
		q_add(&q, "UPDATE racktop.memories m SET content = coalesce($%d,"
		    " m.content), hash = md5(coalesce($%d, m.content)), "
		    "embedding = coalesce($%d::%s, m.embedding), metadata = "
		    "coalesce($%d::jsonb, m.metadata), entity = coalesce($%d, "
		    "m.entity), updated = now() WHERE m.id = $%d::uuid "
		    "RETURNING " MEM_ROW_JSON, p1, p1, p2, st->vtype, p3, p4,
		    p5);
	}
	if ((r = mem_run(conn, &q, err)) == NULL)
		goto out;
	row = mem_json_at(r, 0, 0);
	PQclear(r);
	if (mem_hist(conn, w->memory_id, wr->kind == 2 ? "DELETE" : "UPDATE",
	    old, wr->kind == 2 ? NULL : w->content != NULL ? w->content : old,
	    w->actor, err) != 0)
		goto out;
	wr->result = json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "id",
	    w->memory_id, "memory", wr->kind == 2 ? old : w->content != NULL ?
	    w->content : old, "event", wr->kind == 2 ? "DELETE" : "UPDATE",
	    "previous_memory", old, "row", row != NULL ? row : json_object(),
	    "replayed", 0);
	row = NULL;
	if (mem_record(conn, wr, err) != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0) {
		json_decref(wr->result);
		wr->result = NULL;
	}
	json_decref(row);
	q_free(&q);
	free(meta);
	free(vec);
	free(old);
	return (rv);
}

/* Runs a write; the result or NULL with *cause. */
static json_t *
mem_write_run(struct mem_store *st, struct mem_wr *wr, char **cause)
{
	char *why;

	if (mem_store_open(st, cause) != 0)
		return (NULL);
	if (mem_do(st, true, wr->kind == 0 ? mem_add_work : mem_change_work,
	    wr, cause) != 0) {
		why = *cause;
		xasprintf(cause, "%s; not stored (retry with idempotency_key "
		    "%s)", why, wr->w->key);
		free(why);
		return (NULL);
	}
	if (wr->notfound) {
		xasprintf(cause, "memory_id %s: no such memory in the scopes "
		    "this caller may use", wr->w->memory_id);
		return (NULL);
	}
	return (wr->result);
}

json_t *
mem_store_add(struct mem_store *st, const struct mem_write *w, char **cause)
{
	struct mem_wr wr = { .w = w, .kind = 0 };

	return (mem_write_run(st, &wr, cause));
}

json_t *
mem_store_update(struct mem_store *st, const struct mem_write *w,
    const struct mem_filter *scope, char **cause)
{
	struct mem_wr wr = { .w = w, .scope = scope, .kind = 1 };

	return (mem_write_run(st, &wr, cause));
}

json_t *
mem_store_delete(struct mem_store *st, const struct mem_write *w,
    const struct mem_filter *scope, char **cause)
{
	struct mem_wr wr = { .w = w, .scope = scope, .kind = 2 };

	return (mem_write_run(st, &wr, cause));
}

/* State of one read through mem_do. */
struct mem_rd {
	struct mem_q *q;
	PGresult *r;
};

/* Runs a read query (no transaction). */
static int
mem_read_work(struct mem_store *st, PGconn *conn, void *arg, PGresult **err,
    char **cause)
{
	struct mem_rd *rd = arg;

	(void)st;
	(void)cause;
	PQclear(rd->r);
	rd->r = mem_run(conn, rd->q, err);
	return (rd->r != NULL ? 0 : -1);
}

/* Runs q and returns its rows (caller PQclears), or NULL and *cause. */
static PGresult *
mem_read(struct mem_store *st, struct mem_q *q, char **cause)
{
	struct mem_rd rd = { q, NULL };

	if (mem_store_open(st, cause) != 0)
		return (NULL);
	if (mem_do(st, false, mem_read_work, &rd, cause) != 0)
		return (NULL);
	return (rd.r);
}

json_t *
mem_store_get(struct mem_store *st, const char *id,
    const struct mem_filter *scope, char **cause)
{
	struct mem_q q = { 0 };
	PGresult *r;
	json_t *row;

	*cause = NULL;
	if (!mem_is_uuid(id))
		return (NULL);
	q_add(&q, "SELECT " MEM_ROW_JSON " FROM racktop.memories m WHERE "
	    "m.id = $%d::uuid AND m.deleted IS NULL", q_param(&q, id));
	mem_where(&q, scope);
	r = mem_read(st, &q, cause);
	q_free(&q);
	if (r == NULL)
		return (NULL);
	row = mem_json_at(r, 0, 0);
	PQclear(r);
	return (row);
}

json_t *
mem_store_history(struct mem_store *st, const char *id,
    const struct mem_filter *scope, char **cause)
{
	struct mem_q q = { 0 };
	PGresult *r;
	json_t *a;
	int i;

	*cause = NULL;
	if (!mem_is_uuid(id))
		return (NULL);
	/* Deleted memories keep their history: scope only, no deleted test. */
	q_add(&q, "SELECT json_build_object('id', h.id, 'memory_id', "
	    "h.memory_id, 'event', h.event, 'old_memory', h.old_content, "
	    "'new_memory', h.new_content, 'actor', h.actor, 'created_at', "
	    "to_char(h.at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) FROM racktop.memory_history "
	    "h JOIN racktop.memories m ON m.id = h.memory_id WHERE m.id = "
	    "$%d::uuid", q_param(&q, id));
	mem_where(&q, scope);
	q_add(&q, " ORDER BY h.id");
	r = mem_read(st, &q, cause);
	q_free(&q);
	if (r == NULL)
		return (NULL);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return (NULL);
	}
	a = json_array();
	for (i = 0; i < PQntuples(r); i++)
		json_array_append_new(a, mem_json_at(r, i, 0));
	PQclear(r);
	return (a);
}

json_t *
mem_store_list(struct mem_store *st, const struct mem_filter *f,
    size_t limit, size_t offset, size_t *total, char **cause)
{
	struct mem_q q = { 0 };
	PGresult *r;
	json_t *a;
	int i;

	q_add(&q, "SELECT " MEM_ROW_JSON ", count(*) OVER () FROM "
	    "racktop.memories m WHERE m.deleted IS NULL");
	mem_where(&q, f);
	q_add(&q, " ORDER BY m.created DESC, m.id LIMIT %zu OFFSET %zu", limit,
	    offset);
	r = mem_read(st, &q, cause);
	q_free(&q);
	if (r == NULL)
		return (NULL);
	*total = PQntuples(r) > 0 ? strtoull(PQgetvalue(r, 0, 1), NULL, 10) : 0;
	if (PQntuples(r) == 0 && offset > 0) {
		/* Past the end: count without the page. */
		PQclear(r);
		q_add(&q, "SELECT count(*) FROM racktop.memories m WHERE "
		    "m.deleted IS NULL");
		mem_where(&q, f);
		r = mem_read(st, &q, cause);
		q_free(&q);
		if (r == NULL)
			return (NULL);
		*total = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		return (json_array());
	}
	a = json_array();
	for (i = 0; i < PQntuples(r); i++)
		json_array_append_new(a, mem_json_at(r, i, 0));
	PQclear(r);
	return (a);
}

json_t *
mem_store_search(struct mem_store *st, const struct mem_filter *f,
    const char *query, const float *embedding, size_t limit, char **cause)
{
	struct mem_q q = { 0 };
	PGresult *r;
	json_t *a, *row;
	char *vec;
	int i, vp, tq;
	size_t k = limit * 4 < 40 ? 40 : limit * 4;

	if (mem_store_open(st, cause) != 0)
		return (NULL);
	vec = mem_vec_text(embedding, st->dims, st->pgvector);
	vp = q_param_new(&q, vec);
	/* Any query word, not all of them: keyword recall, ranked. */
	tq = q_param(&q, query);
	if (st->pgvector) {
		/*
		 * Candidates from the HNSW index (iterative scan keeps
		 * filtered searches full) and from the keyword index,
		 * then scored exactly.
		 */
		q_add(&q, "WITH qq AS (SELECT coalesce(nullif(replace("
		    "plainto_tsquery('simple', $%d)::text, '&', '|'), ''), "
		    "'')::tsquery AS tq), v AS MATERIALIZED (SELECT m.id FROM "
		    "racktop.memories m WHERE m.deleted IS NULL", tq);
		mem_where(&q, f);
		q_add(&q, " ORDER BY m.embedding <=> $%d::%s LIMIT %zu), "
		    "kw AS (SELECT m.id FROM racktop.memories m, qq WHERE "
		    "m.deleted IS NULL AND m.tsv @@ qq.tq", vp, st->vtype, k);
		mem_where(&q, f);
		q_add(&q, " LIMIT %zu), s AS (SELECT m.*, 1 - (m.embedding <=> "
		    "$%d::%s) AS semantic, ts_rank(m.tsv, qq.tq, 32) AS keyword "
		    "FROM racktop.memories m, qq WHERE m.id IN (SELECT id FROM "
		    "v UNION SELECT id FROM kw))", k, vp, st->vtype);
	} else {
		q_add(&q, "WITH qq AS (SELECT coalesce(nullif(replace("
		    "plainto_tsquery('simple', $%d)::text, '&', '|'), ''), "
		    "'')::tsquery AS tq), s AS (SELECT m.*, racktop.cosine("
		    "m.embedding, $%d::real[]) AS semantic, ts_rank(m.tsv, "
		    "qq.tq, 32) AS keyword FROM racktop.memories m, qq WHERE "
		    "m.deleted IS NULL", tq, vp);
		mem_where(&q, f);
		q_add(&q, ")");
	}
	q_add(&q, " SELECT " MEM_ROW_JSON ", 0.85 * m.semantic + 0.15 * "
	    "(m.keyword * 2) AS score, m.semantic, m.keyword FROM s m ORDER BY "
	    "score DESC, m.id LIMIT %zu", limit);
	r = mem_read(st, &q, cause);
	q_free(&q);
	if (r == NULL)
		return (NULL);
	a = json_array();
	for (i = 0; i < PQntuples(r); i++) {
		if ((row = mem_json_at(r, i, 0)) == NULL)
			continue;
		json_object_set_new(row, "score", json_real(round(strtod(
		    PQgetvalue(r, i, 1), NULL) * 1e4) / 1e4));
		json_object_set_new(row, "semantic", json_real(round(strtod(
		    PQgetvalue(r, i, 2), NULL) * 1e4) / 1e4));
		json_object_set_new(row, "keyword", json_real(round(strtod(
		    PQgetvalue(r, i, 3), NULL) * 2e4) / 1e4));
		json_array_append_new(a, row);
	}
	PQclear(r);
	return (a);
}

/* State of a re-embedding. */
struct mem_re {
	const char *embedder;
	size_t dims;
	float *(*fn)(void *, const char *, char **);
	void *arg;
	long count;
};

/* Re-embeds every row in one transaction. */
static int
mem_reembed_work(struct mem_store *st, PGconn *conn, void *arg,
    PGresult **err, char **cause)
{
	struct mem_re *re = arg;
	PGresult *r, *u;
	const char *p[2];
	char *sql = NULL, *vec, *why = NULL;
	float *v;
	int i;

	re->count = 0;
	mem_vtype(st, st->pgvector, re->dims);
	if (st->pgvector)
		xasprintf(&sql, "DROP INDEX IF EXISTS "
		    "racktop.memories_embedding; ALTER TABLE racktop.memories "
		    "DROP COLUMN embedding; ALTER TABLE racktop.memories ADD "
		    "COLUMN embedding %s(%zu)", st->vtype, re->dims);
	else
		xasprintf(&sql, "UPDATE racktop.memories SET embedding = NULL");
	if (mem_exec(conn, sql, err) != 0) {
		free(sql);
		return (-1);
	}
	free(sql);
	r = PQexec(conn, "SELECT id, content FROM racktop.memories");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*err = r;
		return (-1);
	}
	for (i = 0; i < PQntuples(r); i++) {
		if ((v = re->fn(re->arg, PQgetvalue(r, i, 1), &why)) == NULL) {
			xasprintf(cause, "re-embedding %s: %s", PQgetvalue(r, i,
			    0), why);
			free(why);
			PQclear(r);
			return (-1);
		}
		vec = mem_vec_text(v, re->dims, st->pgvector);
		free(v);
		p[0] = PQgetvalue(r, i, 0);
		p[1] = vec;
		xasprintf(&sql, "UPDATE racktop.memories SET embedding = "
		    "$2::%s WHERE id = $1::uuid", st->vtype);
		u = PQexecParams(conn, sql, 2, NULL, p, NULL, NULL, 0);
		free(sql);
		free(vec);
		if (PQresultStatus(u) != PGRES_COMMAND_OK) {
			*err = u;
			PQclear(r);
			return (-1);
		}
		PQclear(u);
		re->count++;
	}
	PQclear(r);
	if (st->pgvector && re->dims <= MEM_HALFVEC_MAX_DIMS) {
		xasprintf(&sql, "CREATE INDEX memories_embedding ON "
		    "racktop.memories USING hnsw (embedding %s_cosine_ops)",
		    st->vtype);
		if (mem_exec(conn, sql, err) != 0) {
			free(sql);
			return (-1);
		}
		free(sql);
	}
	xasprintf(&sql, "UPDATE racktop.memory_settings SET value = CASE key "
	    "WHEN 'embedder' THEN $1 ELSE $2 END WHERE key IN ('embedder', "
	    "'dims')");
	xasprintf(&vec, "%zu", re->dims);
	p[0] = re->embedder;
	p[1] = vec;
	u = PQexecParams(conn, sql, 2, NULL, p, NULL, NULL, 0);
	free(sql);
	free(vec);
	if (PQresultStatus(u) != PGRES_COMMAND_OK) {
		*err = u;
		return (-1);
	}
	PQclear(u);
	return (0);
}

long
mem_store_reembed(struct mem_store *st, const char *embedder, size_t dims,
    float *(*fn)(void *, const char *, char **), void *arg, char **cause)
{
	struct mem_re re = { embedder, dims, fn, arg, 0 };
	PGconn *conn;
	char *why = NULL, *kind;

	pthread_mutex_lock(&st->lock);
	st->opened = false;
	pthread_mutex_unlock(&st->lock);
	if ((conn = mem_conn_get(st, &why)) == NULL) {
		xasprintf(cause, "PostgreSQL: %s", why);
		free(why);
		return (-1);
	}
	if (mem_migrate(conn, cause) != 0) {
		PQfinish(conn);
		return (-1);
	}
	kind = mem_setting(conn, "vector");
	mem_conn_put(st, conn);
	if (kind == NULL)
		return (mem_store_open(st, cause) == 0 ? 0 : -1);
	st->pgvector = strcmp(kind, "pgvector") == 0;
	free(kind);
	if (mem_do(st, true, mem_reembed_work, &re, cause) != 0)
		return (-1);
	pthread_mutex_lock(&st->lock);
	free(st->embedder);
	st->embedder = xstrdup(embedder);
	st->dims = dims;
	pthread_mutex_unlock(&st->lock);
	if (mem_store_open(st, cause) != 0)
		return (-1);
	return (re.count);
}
