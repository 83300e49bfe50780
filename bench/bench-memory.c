/*
 * Memory benchmark: add throughput through the store (each add one
 * transaction with its history row and idempotency record), and search
 * latency p50/p99 over N memories (default 100,000): HNSW (pgvector),
 * exact cosine on the same pgvector column (index scans off), and the
 * real[] path's exact cosine in SQL. Starts its own throwaway PostgreSQL
 * on a Unix socket (as `postgres` when root) and removes it at the end.
 *
 * usage: bench-memory [N]   (run by `make bench`; prints numbers only)
 */
#include "config.h"

#include <glob.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "services/memory.h"

#define ADDS 500
#define QUERIES 200
#define EXACT_ARRAY_QUERIES 20

static char *pgdir, *pgbin;
static bool as_postgres;

/* Runs a server command as the cluster's owner. */
static int
run(const char *cmd)
{
	char *full;
	int rv;

	xasprintf(&full, "%s%s >>'%s/cmd.log' 2>&1", as_postgres ?
	    "runuser -u postgres -- " : "", cmd, pgdir);
	rv = system(full);
	free(full);
	return (rv);
}

/* Starts the throwaway cluster; -1 when it cannot. */
static int
pg_up(void)
{
	char tmpl[] = "/tmp/rt-bench-pg.XXXXXX", *cmd;
	struct passwd *pw;
	glob_t g;

	if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &g) != 0)
		return (-1);
	pgbin = xstrdup(g.gl_pathv[g.gl_pathc - 1]);
	*strrchr(pgbin, '/') = '\0';
	globfree(&g);
	pgdir = xstrdup(mkdtemp(tmpl));
	as_postgres = geteuid() == 0;
	if (as_postgres) {
		if ((pw = getpwnam("postgres")) == NULL)
			return (-1);
		chmod(pgdir, 0755);
		if (chown(pgdir, pw->pw_uid, pw->pw_gid) != 0)
			return (-1);
	}
	xasprintf(&cmd, "%s/initdb -D '%s/data' -U postgres -A trust -E UTF8 "
	    "--locale=C.UTF-8 --no-sync", pgbin, pgdir);
	if (run(cmd) != 0)
		return (-1);
	free(cmd);
	xasprintf(&cmd, "%s/pg_ctl -D '%s/data' -l '%s/server.log' -w -o \"-k "
	    "%s -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
	    "-c maintenance_work_mem=512MB -c shared_buffers=256MB\" start",
	    pgbin, pgdir, pgdir, pgdir);
	if (run(cmd) != 0)
		return (-1);
	free(cmd);
	return (0);
}

static void
pg_down(void)
{
	char *cmd;

	if (pgdir == NULL)
		return;
	xasprintf(&cmd, "%s/pg_ctl -D '%s/data' -m immediate -w stop", pgbin,
	    pgdir);
	run(cmd);
	free(cmd);
	xasprintf(&cmd, "rm -rf '%s'", pgdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", pgdir);
	free(cmd);
}

/* A connection to db, or exit. */
static PGconn *
conn_to(const char *db)
{
	char *ci;
	PGconn *c;

	xasprintf(&ci, "host=%s user=postgres dbname=%s", pgdir, db);
	c = PQconnectdb(ci);
	free(ci);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s\n", PQerrorMessage(c));
		pg_down();
		exit(1);
	}
	return (c);
}

/* Runs SQL or exits. */
static void
sql(PGconn *c, const char *q)
{
	PGresult *r = PQexec(c, q);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) !=
	    PGRES_TUPLES_OK) {
		fprintf(stderr, "%s: %s", q, PQresultErrorMessage(r));
		pg_down();
		exit(1);
	}
	PQclear(r);
}

static const char *const words[] = { "backup", "nas", "proxmox", "vm",
	"container", "docker", "vlan", "wifi", "guest", "router", "switch",
	"firewall", "dns", "pihole", "tailscale", "cloudflare", "tunnel",
	"certificate", "disk", "zfs", "pool", "snapshot", "restore", "update",
	"kernel", "reboot", "grafana", "prometheus", "alert", "ups", "battery",
	"printer", "camera", "recording", "nextcloud", "jellyfin", "media",
	"port", "forward", "traefik", "proxy", "wireguard", "vpn", "user",
	"password", "rotate", "schedule", "nightly", "weekly", "monday",
	"friday", "retention", "datastore", "node", "cluster", "ram", "cpu",
	"fan", "noise", "power", NULL };

/* A pseudo-random homelab note (xorshift state s). */
static void
note(uint64_t *s, char *buf, size_t len)
{
	size_t nw = 0, i, n, off = 0;

	while (words[nw] != NULL)
		nw++;
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	n = 6 + *s % 7;
	for (i = 0; i < n; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " :
		    "", words[*s % nw]);
	}
	snprintf(buf + off, len - off, " %llu", (unsigned long long)(*s %
	    100000));
}

/* Monotonic microseconds. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Sorts doubles. */
static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* A store on db with the vector mode. */
static struct mem_store *
store(const char *db, enum mem_vector_mode mode)
{
	struct mem_store_opts o = { 0 };
	struct mem_store *st;
	char *ci, *cause = NULL;

	xasprintf(&ci, "host=%s user=postgres dbname=%s", pgdir, db);
	o.conninfo = ci;
	o.vector = mode;
	o.embedder = MEM_BUILTIN_NAME;
	o.dims = MEM_BUILTIN_DIMS;
	o.dedup_threshold = 0.9;
	o.retry_ms = 10000;
	st = mem_store_create(&o, &cause);
	free(ci);
	if (st == NULL || mem_store_open(st, &cause) != 0) {
		fprintf(stderr, "store: %s\n", cause);
		pg_down();
		exit(1);
	}
	return (st);
}

/* Adds ADDS memories one by one; prints adds per second. */
static void
bench_adds(struct mem_store *st, const char *label, bool dedup)
{
	struct mem_write w = { 0 };
	float vec[MEM_BUILTIN_DIMS];
	char text[256], key[64], *cause = NULL;
	uint64_t s = 42 + dedup;
	int64_t t0;
	json_t *r;
	int i;

	w.agent_id = "bench";
	w.actor = "bench";
	w.embedding = vec;
	w.content = text;
	w.key = key;
	w.dedup = dedup;
	t0 = clock_mono_ms();
	for (i = 0; i < ADDS; i++) {
		note(&s, text, sizeof text);
		snprintf(key, sizeof key, "add-%d-%d", dedup, i);
		mem_embed_builtin(text, vec, MEM_BUILTIN_DIMS);
		if ((r = mem_store_add(st, &w, &cause)) == NULL) {
			fprintf(stderr, "add: %s\n", cause);
			pg_down();
			exit(1);
		}
		json_decref(r);
	}
	printf("add throughput (%s, dedup %s): %.0f adds/s (%d adds, one "
	    "transaction each)\n", label, dedup ? "on" : "off", ADDS * 1000.0 /
	    (double)(clock_mono_ms() - t0 + 1), ADDS);
	fflush(stdout);
}

/* Loads n memories with COPY (the bench's own bulk path). */
static void
load(PGconn *c, size_t n, bool pgvector)
{
	float vec[MEM_BUILTIN_DIMS];
	char text[256], *line, *p;
	uint64_t s = 7;
	PGresult *r;
	size_t i, j;

	r = PQexec(c, "COPY racktop.memories (content, hash, agent_id, "
	    "embedding) FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		fprintf(stderr, "COPY: %s", PQresultErrorMessage(r));
		pg_down();
		exit(1);
	}
	PQclear(r);
	line = xmalloc(MEM_BUILTIN_DIMS * 16 + 512);
	for (i = 0; i < n; i++) {
		note(&s, text, sizeof text);
		mem_embed_builtin(text, vec, MEM_BUILTIN_DIMS);
		/* One memory in a hundred in a scope of its own. */
		p = line + sprintf(line, "%s\t%zx\t%s\t%c", text, i, i % 100 ==
		    0 ? "rare" : "bench", pgvector ? '[' : '{');
		for (j = 0; j < MEM_BUILTIN_DIMS; j++)
			p += sprintf(p, "%s%.6g", j ? "," : "", (double)vec[j]);
		p += sprintf(p, "%c\n", pgvector ? ']' : '}');
		if (PQputCopyData(c, line, (int)(p - line)) != 1)
			break;
	}
	free(line);
	PQputCopyEnd(c, NULL);
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "COPY: %s", PQresultErrorMessage(r));
		pg_down();
		exit(1);
	}
	PQclear(r);
	while ((r = PQgetResult(c)) != NULL)
		PQclear(r);
}

/* Runs nq searches (in the 1% scope when rare); prints p50/p99 in ms. */
static void
bench_search(struct mem_store *st, const char *label, int nq, bool rare)
{
	static const char *const scope[] = { "rare" };
	struct mem_filter f = { scope, 1, NULL, NULL, NULL, NULL, NULL };
	float vec[MEM_BUILTIN_DIMS];
	double *ms = xcalloc((size_t)nq, sizeof *ms);
	char text[256], *cause = NULL;
	uint64_t s = 99;
	int64_t t0;
	json_t *r;
	int i;

	for (i = 0; i < nq; i++) {
		note(&s, text, sizeof text);
		mem_embed_builtin(text, vec, MEM_BUILTIN_DIMS);
		t0 = mono_us();
		r = mem_store_search(st, rare ? &f : NULL, text, vec, 10,
		    &cause);
		ms[i] = (double)(mono_us() - t0) / 1000.0;
		if (r == NULL || json_array_size(r) != 10) {
			fprintf(stderr, "search: %s\n", cause ? cause :
			    "fewer than 10 results");
			pg_down();
			exit(1);
		}
		json_decref(r);
	}
	qsort(ms, (size_t)nq, sizeof *ms, cmp_d);
	printf("search latency (%s%s): p50 %.2f ms, p99 %.2f ms (%d queries, "
	    "top 10)\n", label, rare ? ", filtered to a 1% scope" : "",
	    ms[nq / 2], ms[(nq * 99) / 100], nq);
	fflush(stdout);
	free(ms);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	struct mem_store *vst, *ast;
	PGconn *c;
	int64_t t0;

	if (pg_up() != 0) {
		fprintf(stderr, "bench-memory: no PostgreSQL server binaries or "
		    "initdb failed; skipped\n");
		pg_down();
		return (0);
	}
	c = conn_to("postgres");
	sql(c, "CREATE DATABASE bvec");
	sql(c, "CREATE DATABASE barr");
	PQfinish(c);

	printf("memory benchmark: %zu memories, built-in embedder (%d dims)\n",
	    n, MEM_BUILTIN_DIMS);
	vst = store("bvec", MEM_VEC_PGVECTOR);
	ast = store("barr", MEM_VEC_ARRAY);
	bench_adds(vst, "pgvector + HNSW", false);
	bench_adds(vst, "pgvector + HNSW", true);
	bench_adds(ast, "real[]", false);
	bench_adds(ast, "real[]", true);

	/* Bulk load, then build the index once, as a restore would. */
	c = conn_to("bvec");
	sql(c, "DROP INDEX racktop.memories_embedding");
	sql(c, "TRUNCATE racktop.memories CASCADE");
	load(c, n, true);
	t0 = clock_mono_ms();
	sql(c, "SET maintenance_work_mem = '512MB'");
	sql(c, "CREATE INDEX memories_embedding ON racktop.memories USING "
	    "hnsw (embedding vector_cosine_ops)");
	printf("HNSW index build over %zu memories: %.1f s\n", n,
	    (double)(clock_mono_ms() - t0) / 1000.0);
	sql(c, "VACUUM ANALYZE racktop.memories");
	PQfinish(c);
	c = conn_to("barr");
	sql(c, "TRUNCATE racktop.memories CASCADE");
	load(c, n, false);
	sql(c, "VACUUM ANALYZE racktop.memories");
	PQfinish(c);

	bench_search(vst, "pgvector HNSW", QUERIES, false);
	/* Iterative scans: a selective filter still fills the 10 asked. */
	bench_search(vst, "pgvector HNSW", QUERIES / 4, true);
	/* The same column, exact: no index scans in this database. */
	c = conn_to("bvec");
	sql(c, "ALTER DATABASE bvec SET enable_indexscan = off");
	PQfinish(c);
	mem_store_destroy(vst);
	vst = store("bvec", MEM_VEC_PGVECTOR);
	bench_search(vst, "pgvector exact, index scans off", QUERIES / 4,
	    false);
	bench_search(ast, "real[] exact cosine in SQL", EXACT_ARRAY_QUERIES,
	    false);
	mem_store_destroy(vst);
	mem_store_destroy(ast);
	pg_down();
	return (0);
}
