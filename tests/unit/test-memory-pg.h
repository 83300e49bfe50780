/*
 * A throwaway PostgreSQL for the memory tests: a cluster in a private
 * temporary folder, on a Unix socket only (listen_addresses = ''), run as
 * `postgres` when the test runs as root, removed at the end. Adapted from
 * the team recipe pg-throwaway.sh. pgt_start returns 77 (skip) only when
 * the server binaries are absent.
 */
#ifndef RT_TEST_MEMORY_PG_H
#define RT_TEST_MEMORY_PG_H

#include <glob.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

struct pgt {
	char *dir;	/* the cluster's folder, socket in it */
	char *bin;	/* the server binaries */
	bool root;
};

/* Runs a server command line as the cluster's owner; its exit status. */
static inline int
pgt_run(struct pgt *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int
pgt_run(struct pgt *p, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *full;
	int rv;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) == -1)
		abort();
	va_end(ap);
	if (asprintf(&full, "%s%s >>'%s/cmd.log' 2>&1", p->root ?
	    "runuser -u postgres -- " : "", cmd, p->dir) == -1)
		abort();
	rv = system(full);
	free(cmd);
	free(full);
	return (rv);
}

/* The newest installed server binaries folder, or NULL. */
static inline char *
pgt_find_bin(void)
{
	const char *env = getenv("PG_BIN");
	char *best = NULL, *p;
	glob_t g;
	size_t i;

	if (env != NULL)
		return (strdup(env));
	if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) != 0)
		return (NULL);
	for (i = 0; i < g.gl_pathc; i++) {
		if (asprintf(&p, "%s/postgres", g.gl_pathv[i]) == -1)
			abort();
		if (access(p, X_OK) == 0) {
			free(best);
			best = strdup(g.gl_pathv[i]);
		}
		free(p);
	}
	globfree(&g);
	return (best);
}

/* Starts the cluster: 0, 77 without server binaries, -1 on failure. */
static inline int
pgt_start(struct pgt *p)
{
	struct passwd *pw;

	memset(p, 0, sizeof *p);
	if ((p->bin = pgt_find_bin()) == NULL)
		return (77);
	p->root = geteuid() == 0;
	p->dir = test_tmpdir();
	if (p->root) {
		if ((pw = getpwnam("postgres")) == NULL)
			return (-1);
		chmod(p->dir, 0755);
		if (chown(p->dir, pw->pw_uid, pw->pw_gid) != 0)
			return (-1);
	}
	if (pgt_run(p, "%s/initdb -D '%s/data' -U postgres -A trust -E UTF8 "
	    "--locale=C.UTF-8 --no-sync", p->bin, p->dir) != 0)
		return (-1);
	if (pgt_run(p, "%s/pg_ctl -D '%s/data' -l '%s/server.log' -w -t %d "
	    "-o \"-k %s -c listen_addresses='' -c fsync=off "
	    "-c synchronous_commit=off -c full_page_writes=off "
	    "-c max_connections=60\" start", p->bin, p->dir, p->dir,
	    (int)(clock_scaled_ms(30000) / 1000), p->dir) != 0)
		return (-1);
	return (0);
}

/* Restarts the server (fast shutdown: connections are cut). */
static inline int
pgt_restart(struct pgt *p)
{
	return (pgt_run(p, "%s/pg_ctl -D '%s/data' -m fast -w -t %d restart",
	    p->bin, p->dir, (int)(clock_scaled_ms(30000) / 1000)));
}

/* Stops the server and removes the folder. */
static inline void
pgt_stop(struct pgt *p)
{
	if (p->dir == NULL)
		return;
	pgt_run(p, "%s/pg_ctl -D '%s/data' -m immediate -w stop", p->bin,
	    p->dir);
	test_rm_rf(p->dir);
	free(p->dir);
	free(p->bin);
	memset(p, 0, sizeof *p);
}

/* A libpq connection string for db (caller frees). */
static inline char *
pgt_conninfo(struct pgt *p, const char *db)
{
	char *s;

	if (asprintf(&s, "host=%s user=postgres dbname=%s", p->dir, db) == -1)
		abort();
	return (s);
}

/* Runs SQL in db; its first value as a new string ("" when none). */
static inline char *
pgt_sql(struct pgt *p, const char *db, const char *sql)
{
	char *ci = pgt_conninfo(p, db), *v;
	PGconn *conn = PQconnectdb(ci);
	PGresult *r;

	free(ci);
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s",
	    PQerrorMessage(conn));
	r = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK ||
	    PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql,
	    PQresultErrorMessage(r));
	v = strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ?
	    PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(conn);
	return (v);
}

/* Whether pgvector's files are installed for these binaries. */
static inline bool
pgt_has_vector(struct pgt *p)
{
	char *cmd;
	int rv;

	if (asprintf(&cmd, "test -f \"$(%s/pg_config --sharedir)/extension/"
	    "vector.control\"", p->bin) == -1)
		abort();
	rv = system(cmd);
	free(cmd);
	return (rv == 0);
}

#endif
