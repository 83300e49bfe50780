/*
 * Proxmox Backup Server backend: the pure parse half (pbs-parse.c), shared
 * by the transport and tools in pbs.c and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use, never the upstream tree.
 *
 * Snapshot layout (pbs_parse_datastores + pbs_parse_groups per store):
 *   { "datastores": [ {instance, store, total, used, avail, usage,
 *                      estimated_full_date, gc_state, gc_last_end, ...} ],
 *     "groups":     [ {instance, store, ns, type, id, group, last_backup,
 *                      backup_count, owner, stale} ] }
 */
#ifndef RT_PBS_H
#define RT_PBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A group with no snapshot this recent (seconds) is stale. */
#define PBS_STALE_S (24 * 3600)

/*
 * The parts of a PBS task id,
 * "UPID:node:pid:pstart:task_id:starttime:type:id:authid:" (PBS has a
 * task_id field that Proxmox VE's UPID lacks).
 */
struct pbs_upid {
	char node[64];
	char type[64];
	char id[192];
	char authid[128];
	unsigned long pid;
	unsigned long pstart;
	unsigned long task_id;
	long starttime;
};

/*
 * Datastore rows from the data of GET /status/datastore-usage and GET
 * /admin/gc (may be NULL: no GC state). now_s decides whether an
 * estimated full date lies ahead. New array, or NULL with *cause (caller
 * frees) when usage is not an array.
 */
json_t *pbs_parse_datastores(const json_t *usage, const json_t *gc,
    const char *instance, int64_t now_s, char **cause);

/*
 * Group rows from GET /admin/datastore/{store}/groups data, each with
 * instance, store, ns ("" for the root) and stale (last backup older
 * than PBS_STALE_S at now_s). New array (empty when data is not one).
 */
json_t *pbs_parse_groups(const json_t *data, const char *instance,
    const char *store, const char *ns, int64_t now_s);

/*
 * Snapshot rows from GET /admin/datastore/{store}/snapshots data, newest
 * first: type, id, time, size, verification ("ok", "failed" or "none"),
 * protected, owner. New array (empty when data is not one).
 */
json_t *pbs_parse_snapshots(const json_t *data, const char *instance,
    const char *store, const char *ns);

/*
 * The answer of POST /admin/datastore/{store}/prune as rows {type, id,
 * time, snapshot, keep}; *nremove receives how many are not kept. New
 * array, or NULL when data is not an array.
 */
json_t *pbs_parse_prune(const json_t *data, size_t *nremove);

/*
 * The snapshots a prune-datastore task log marks for removal ("vm/100/
 * 2026-01-01T02:00:00Z remove" lines), as a new array of strings.
 */
json_t *pbs_prune_log_removed(const json_t *log);

/*
 * The last n lines of GET /nodes/{node}/tasks/{upid}/log data, in order,
 * as a new array of strings.
 */
json_t *pbs_task_log_tail(const json_t *data, size_t n);

/* Whether a task exit status means success ("OK", "WARNINGS: n"). */
bool pbs_exitstatus_ok(const char *exitstatus);

/* Splits a UPID into its parts: 0, or -1 when it is not one. */
int pbs_upid_parse(const char *upid, struct pbs_upid *out);

/* A snapshot's time as PBS writes it, "2026-01-01T02:00:00Z". */
void pbs_time_string(int64_t t, char *buf, size_t len);

/*
 * The API token header line,
 * "Authorization: PBSAPIToken=USER@REALM!TOKENID:SECRET" (caller frees),
 * or NULL when token_id is not USER@REALM!TOKENID.
 */
char *pbs_token_header(const char *token_id, const char *token);
/* The ticket cookie header line "Cookie: PBSAuthCookie=..." (caller frees). */
char *pbs_cookie_header(const char *ticket);
/* The CSRF header line for writes with a ticket (caller frees). */
char *pbs_csrf_header(const char *csrf);

#endif
