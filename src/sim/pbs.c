/*
 * The simulated Proxmox Backup Server API (/api2/json): two datastores
 * with backup groups of the lab's guests, verification, prune, garbage
 * collection, sync jobs and tasks.
 *
 * Follows the PBS 4 API schema's paths, field names and types. Auth is an
 * API token (Authorization: PBSAPIToken=USER@REALM!ID:SECRET, a colon
 * before the secret where PVE has "=") or a ticket cookie (PBSAuthCookie)
 * plus the CSRFPreventionToken header on writes. Errors: 401 with
 * {"data":null}; others {"data":null,"message":"...\n"}.
 *
 * Verify, datastore prune, GC and sync run as tasks that take 1-3 s of
 * simulated time (or, with the fixed clock, three status polls). The
 * snapshot vm/101 of three days ago has a bad chunk: verifying it (or its
 * group or store1) fails. Sync job "s-broken" fails: its remote does not
 * answer. POST /state {"op":"corrupt","store","type","id"} breaks the
 * newest snapshot of a group.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define PBS_TICKET_MS (2 * 3600 * 1000LL)
#define PBS_TASK_POLLS 3
#define PBS_NODE "pbs"
#define GIB (1024LL * 1024 * 1024)
#define TIB (1024LL * GIB)
#define DAY 86400LL

enum pbs_effect {
	PBS_VERIFY,
	PBS_PRUNE,
	PBS_GC,
	PBS_SYNC,
};

struct pbs_snap {
	char		 store[16];
	char		 type[8];
	char		 id[16];
	int64_t		 time;
	int64_t		 size;
	int		 verify;	/* 0 none, 1 ok, 2 failed */
	char		 verify_upid[200];
	bool		 protected;
	bool		 corrupt;
	bool		 gone;
};

struct pbs_store {
	const char	*name;
	int64_t		 total;
	int64_t		 used0;		/* at the epoch */
	int64_t		 growth;	/* bytes a day; < 0 shrinks */
	int64_t		 pending;	/* what GC would free */
	char		 gc_state[8];	/* "" never */
	int64_t		 gc_end;
	int64_t		 gc_removed;
	char		 gc_upid[200];
};

struct pbs_job {
	const char	*id;
	const char	*store;
	const char	*remote;
	const char	*remote_store;
	const char	*direction;
	const char	*error;		/* NULL: succeeds */
	char		 last_state[160];
	int64_t		 last_end;
};

struct pbs_task {
	char		 upid[200];
	char		 type[32];
	char		 id[96];
	int		 pid;
	int64_t		 start_ms;
	int64_t		 end_ms;
	int		 polls;
	bool		 done;
	char		 error[160];	/* "" when it succeeds */
	json_t		*log;
	enum pbs_effect	 effect;
	json_t		*params;	/* the request's arguments */
	char		 store[16];
	struct pbs_task	*next;
};

struct pbs_ticket {
	char			 ticket[128];
	char			 csrf[96];
	int64_t			 expires_ms;
	struct pbs_ticket	*next;
};

struct pbs {
	char			 user[32];
	char			 token_id[64];
	char			 secret[40];
	char			 password[32];
	uint64_t		 rng;
	int			 pid;
	unsigned int		 task_id;
	struct pbs_snap		*snaps;
	int			 nsnaps;
	struct pbs_store	 stores[2];
	struct pbs_job		 jobs[3];
	struct pbs_task		*tasks;
	struct pbs_ticket	*tickets;
};

/* A backup group of the small lab: store, type, id, snapshots, age. */
static const struct {
	const char	*store;
	const char	*type;
	const char	*id;
	int		 count;		/* daily snapshots */
	int		 skip;		/* days since the newest */
	int64_t		 size;		/* bytes of one */
} pbs_lab[] = {
	{ "store1", "vm", "100", 14, 0, 32 * GIB },
	{ "store1", "vm", "101", 10, 0, 64 * GIB },
	{ "store1", "vm", "102", 7, 0, 20 * GIB },
	{ "store1", "ct", "200", 5, 0, 2 * GIB },
	{ "store1", "ct", "204", 3, 3, 4 * GIB },
	{ "store1", "host", "nas", 4, 0, 120 * GIB },
	{ "offsite", "vm", "100", 3, 0, 32 * GIB },
	{ "offsite", "ct", "200", 2, 1, 2 * GIB },
};

/* Formats a UUID-shaped secret from the PRNG. */
static void
pbs_uuid(uint64_t *rng, char *buf, size_t len)
{
	uint64_t	a = scenario_rand(rng), b = scenario_rand(rng);

	snprintf(buf, len, "%08x-%04x-4%03x-8%03x-%012llx",
	    (unsigned int)(a >> 32), (unsigned int)(a >> 16) & 0xffff,
	    (unsigned int)a & 0xfff, (unsigned int)(b >> 48) & 0xfff,
	    (unsigned long long)(b & 0xffffffffffffULL));
}

/* Adds a snapshot. */
static struct pbs_snap *
pbs_add_snap(struct pbs *pbs, const char *store, const char *type,
    const char *id, int64_t t, int64_t size)
{
	struct pbs_snap	*s;

	pbs->snaps = xreallocarray(pbs->snaps, (size_t)pbs->nsnaps + 1,
	    sizeof *pbs->snaps);
	s = &pbs->snaps[pbs->nsnaps++];
	memset(s, 0, sizeof *s);
	snprintf(s->store, sizeof s->store, "%s", store);
	snprintf(s->type, sizeof s->type, "%s", type);
	snprintf(s->id, sizeof s->id, "%s", id);
	s->time = t;
	s->size = size;
	return (s);
}

/* Creates the API state: credentials derive from the seed. */
static void *
pbs_create(struct sim_service *svc)
{
	struct scenario	*sc = sim_scenario(svc);
	struct pbs	*pbs;
	struct pbs_snap	*s;
	int64_t		 now = sc->epoch_ms / 1000, base;
	size_t		 i;
	int		 k;

	pbs = xcalloc(1, sizeof *pbs);
	pbs->rng = sc->seed ^ 0xb0b5eedULL;
	snprintf(pbs->user, sizeof pbs->user, "root@pam");
	snprintf(pbs->token_id, sizeof pbs->token_id, "root@pam!racktop");
	pbs_uuid(&pbs->rng, pbs->secret, sizeof pbs->secret);
	snprintf(pbs->password, sizeof pbs->password, "sim-%08x",
	    (unsigned int)scenario_rand(&pbs->rng));
	pbs->pid = 700 + (int)(scenario_rand(&pbs->rng) % 100);
	/* Backups run at 02:00 UTC: the last one before now. */
	base = now - now % DAY + 2 * 3600;
	if (base > now)
		base -= DAY;
	for (i = 0; i < sizeof pbs_lab / sizeof *pbs_lab; i++) {
		for (k = 0; k < pbs_lab[i].count; k++) {
			s = pbs_add_snap(pbs, pbs_lab[i].store,
			    pbs_lab[i].type, pbs_lab[i].id, base -
			    (int64_t)(pbs_lab[i].skip + k) * DAY,
			    pbs_lab[i].size + (int64_t)(scenario_rand(
			    &pbs->rng) % GIB));
			/* Older snapshots were verified by the nightly job. */
			s->verify = k >= 2 ? 1 : 0;
			if (k == pbs_lab[i].count - 1 &&
			    strcmp(pbs_lab[i].id, "100") == 0)
				s->protected = true;
			if (strcmp(pbs_lab[i].id, "101") == 0 && k == 3) {
				s->corrupt = true;
				s->verify = 0;
			}
		}
	}
	pbs->stores[0] = (struct pbs_store){ .name = "store1",
	    .total = 4 * TIB, .used0 = 2 * TIB + 300 * GIB,
	    .growth = 12 * GIB, .pending = 18 * GIB };
	snprintf(pbs->stores[0].gc_state, sizeof pbs->stores[0].gc_state,
	    "ok");
	pbs->stores[0].gc_end = now - DAY + 3 * 3600;
	pbs->stores[1] = (struct pbs_store){ .name = "offsite",
	    .total = 2 * TIB, .used0 = 700 * GIB, .growth = -2 * GIB,
	    .pending = 0 };
	pbs->jobs[0] = (struct pbs_job){ "s-offsite", "store1", "offsite-pbs",
	    "offsite", "push", NULL, "", 0 };
	pbs->jobs[1] = (struct pbs_job){ "s-pull-lab", "offsite", "lab-pbs",
	    "store1", "pull", NULL, "", 0 };
	pbs->jobs[2] = (struct pbs_job){ "s-broken", "offsite", "gone-pbs",
	    "store1", "pull", "error trying to connect: tcp connect error: "
	    "No route to host (os error 113)", "", 0 };
	return (pbs);
}

/* Frees the API state. */
static void
pbs_destroy(void *data)
{
	struct pbs		*pbs = data;
	struct pbs_task		*t, *tn;
	struct pbs_ticket	*k, *kn;

	if (pbs == NULL)
		return;
	for (t = pbs->tasks; t != NULL; t = tn) {
		tn = t->next;
		json_decref(t->log);
		json_decref(t->params);
		free(t);
	}
	for (k = pbs->tickets; k != NULL; k = kn) {
		kn = k->next;
		free(k);
	}
	free(pbs->snaps);
	free(pbs);
}

/* {"data": d} with status 200, stealing d. */
static void
pbs_data(struct sim_response *resp, json_t *d)
{
	sim_reply_json_new(resp, 200, json_pack("{s:o}", "data", d));
}

/* An error with PBS's body. */
static void
pbs_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	char	*m;

	(void)svc;
	if (msg == NULL)
		msg = status >= 500 ? "internal error" : "error";
	xasprintf(&m, "%s\n", msg);
	sim_reply_json_new(resp, status, json_pack("{s:n,s:s}", "data",
	    "message", m));
	free(m);
}

/* A formatted error. */
static void
pbs_errorf(struct sim_response *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pbs_errorf(struct sim_response *resp, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	va_start(ap, fmt);
	xvasprintf(&m, fmt, ap);
	va_end(ap);
	pbs_error(NULL, resp, status, m);
	free(m);
}

/* The real 401: {"data":null}. */
static void
pbs_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	sim_reply_json_new(resp, 401, json_pack("{s:n}", "data"));
}

/* An argument as an integer (JSON number or decimal string), or def. */
static int64_t
pbs_arg_int(struct sim_request *req, const char *name, int64_t def)
{
	json_t	*v = json_object_get(req->args, name);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_string(v))
		return (strtoll(json_string_value(v), NULL, 10));
	return (def);
}

/* An argument as a boolean (true, 1, "1", "true"). */
static bool
pbs_arg_bool(struct sim_request *req, const char *name)
{
	json_t		*v = json_object_get(req->args, name);
	const char	*s;

	if (json_is_boolean(v))
		return (json_is_true(v));
	if (json_is_integer(v))
		return (json_integer_value(v) != 0);
	s = json_string_value(v);
	return (s != NULL && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0));
}

/* RFC 3339 UTC. */
static void
pbs_stamp(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		secs = (time_t)t;

	gmtime_r(&secs, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The store by name, or NULL. */
static struct pbs_store *
pbs_store(struct pbs *pbs, const char *name)
{
	size_t	i;

	for (i = 0; i < 2; i++) {
		if (name != NULL && strcmp(pbs->stores[i].name, name) == 0)
			return (&pbs->stores[i]);
	}
	return (NULL);
}

/* The {store} parameter's store, or a 404 like PBS's. */
static struct pbs_store *
pbs_store_param(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char		*name = json_string_value(json_object_get(
	    req->params, "store"));
	struct pbs_store	*st;

	if ((st = pbs_store(sim_service_data(svc), name)) == NULL)
		pbs_errorf(resp, 404, "unable to get datastore '%s' - "
		    "datastore '%s' does not exist", name, name);
	return (st);
}

/* Whether a snapshot matches the request's ns/type/id/time filters. */
static bool
pbs_snap_match(const struct pbs_snap *s, const char *store,
    struct sim_request *req)
{
	const char	*type = sim_arg(req, "backup-type");
	const char	*id = sim_arg(req, "backup-id");
	const char	*ns = sim_arg(req, "ns");
	int64_t		 t = pbs_arg_int(req, "backup-time", -1);

	if (s->gone || strcmp(s->store, store) != 0)
		return (false);
	/* The lab has only the root namespace. */
	if (ns != NULL && *ns != '\0')
		return (false);
	if (type != NULL && strcmp(s->type, type) != 0)
		return (false);
	if (id != NULL && strcmp(s->id, id) != 0)
		return (false);
	return (t < 0 || s->time == t);
}

/* Orders snapshots by group, newest first. */
static int
pbs_snap_cmp(const void *a, const void *b)
{
	const struct pbs_snap	*x = *(struct pbs_snap *const *)a;
	const struct pbs_snap	*y = *(struct pbs_snap *const *)b;
	int			 c;

	if ((c = strcmp(x->type, y->type)) != 0 ||
	    (c = strcmp(x->id, y->id)) != 0)
		return (c);
	return (x->time < y->time ? 1 : x->time > y->time ? -1 : 0);
}

/* The matching snapshots, sorted (caller frees the array). */
static struct pbs_snap **
pbs_select(struct pbs *pbs, const char *store, struct sim_request *req,
    int *n)
{
	struct pbs_snap	**v;
	int		  i;

	v = xcalloc((size_t)pbs->nsnaps + 1, sizeof *v);
	*n = 0;
	for (i = 0; i < pbs->nsnaps; i++) {
		if (pbs_snap_match(&pbs->snaps[i], store, req))
			v[(*n)++] = &pbs->snaps[i];
	}
	qsort(v, (size_t)*n, sizeof *v, pbs_snap_cmp);
	return (v);
}

/* Completes the tasks that are due (lock held). */
static void pbs_tick(struct sim_service *);

/* Checks the token or the ticket (+ CSRF on writes). */
static int
pbs_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_ticket	*k;
	const char		*auth, *cookie, *csrf, *p;
	char			*want;
	int			 ok = 0;

	pbs_tick(svc);
	auth = sim_header(req, "Authorization");
	if (auth != NULL && strncmp(auth, "PBSAPIToken", 11) == 0) {
		p = auth + 11;
		if (*p == '=' || *p == ' ')
			p++;
		xasprintf(&want, "%s:%s", pbs->token_id, pbs->secret);
		ok = strcmp(p, want) == 0;
		free(want);
		if (!ok)
			pbs_unauthorized(svc, resp);
		return (ok ? 0 : -1);
	}
	cookie = sim_cookie(req, "PBSAuthCookie");
	if (cookie == NULL) {
		pbs_unauthorized(svc, resp);
		return (-1);
	}
	for (k = pbs->tickets; k != NULL; k = k->next) {
		if (strcmp(k->ticket, cookie) == 0 &&
		    sim_now_ms(svc) < k->expires_ms)
			break;
	}
	if (k == NULL) {
		pbs_unauthorized(svc, resp);
		return (-1);
	}
	if (strcmp(req->method, "GET") != 0) {
		csrf = sim_header(req, "CSRFPreventionToken");
		if (csrf == NULL || strcmp(csrf, k->csrf) != 0) {
			pbs_unauthorized(svc, resp);
			return (-1);
		}
	}
	return (0);
}

/* Unknown path: PBS answers 404 "Path '...' not found.". */
static void
pbs_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	if (req->path == NULL) {
		sim_reply_text(resp, 404, "Not Found");
		return;
	}
	pbs_errorf(resp, 404, "Path '/api2/json%s' not found.", req->path);
}

/* POST /access/ticket: username + password -> ticket and CSRF token. */
static void
pbs_post_ticket(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_ticket	*k;
	const char		*user, *pass;
	int64_t			 now = sim_now_ms(svc);

	user = sim_arg(req, "username");
	pass = sim_arg(req, "password");
	if (user == NULL || pass == NULL || strcmp(user, pbs->user) != 0 ||
	    strcmp(pass, pbs->password) != 0) {
		pbs_unauthorized(svc, resp);
		return;
	}
	k = xcalloc(1, sizeof *k);
	snprintf(k->ticket, sizeof k->ticket, "PBS:%s:%08X::%016llx",
	    pbs->user, (unsigned int)(now / 1000),
	    (unsigned long long)scenario_rand(&pbs->rng));
	snprintf(k->csrf, sizeof k->csrf, "%08X:%016llx",
	    (unsigned int)(now / 1000),
	    (unsigned long long)scenario_rand(&pbs->rng));
	k->expires_ms = now + PBS_TICKET_MS;
	k->next = pbs->tickets;
	pbs->tickets = k;
	pbs_data(resp, json_pack("{s:s,s:s,s:s}", "username", pbs->user,
	    "ticket", k->ticket, "CSRFPreventionToken", k->csrf));
}

/* GET /version. */
static void
pbs_version(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	pbs_data(resp, json_pack("{s:s,s:s,s:s}", "version", "4.0",
	    "release", "14", "repoid", "sim"));
}

/* A store's used bytes now. */
static int64_t
pbs_used(struct sim_service *svc, const struct pbs_store *st)
{
	int64_t	days = (sim_now_ms(svc) - sim_scenario(svc)->epoch_ms) /
	    1000 / DAY;

	return (st->used0 + st->growth * days);
}

/* The gc-status object of a store. */
static json_t *
pbs_gc_status(const struct pbs_store *st)
{
	/* Chunks average 4 MiB; an index file per archive. */
	json_t	*o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i}",
	    "removed-bytes", (json_int_t)st->gc_removed, "pending-bytes",
	    (json_int_t)st->pending, "disk-bytes", (json_int_t)st->used0,
	    "index-data-bytes", (json_int_t)(st->used0 * 3), "removed-chunks",
	    (json_int_t)(st->gc_removed >> 22), "pending-chunks",
	    (json_int_t)(st->pending >> 22), "disk-chunks",
	    (json_int_t)(st->used0 >> 22), "index-file-count", 120,
	    "removed-bad", 0, "still-bad", 0);

	if (st->gc_upid[0] != '\0')
		json_object_set_new(o, "upid", json_string(st->gc_upid));
	return (o);
}

/* GET /status/datastore-usage. */
static void
pbs_usage(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	int64_t			 now = sim_now_ms(svc) / 1000, used, full;
	json_t			*a = json_array(), *o;
	size_t			 i;

	(void)req;
	for (i = 0; i < 2; i++) {
		st = &pbs->stores[i];
		used = pbs_used(svc, st);
		/* The linear fit: a shrinking store's date lies behind. */
		full = st->growth > 0 ? now + (st->total - used) /
		    st->growth * DAY : now - 30 * DAY;
		o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:s,s:s}",
		    "store", st->name, "total", (json_int_t)st->total, "used",
		    (json_int_t)used, "avail", (json_int_t)(st->total - used),
		    "estimated-full-date", (json_int_t)full, "history-start",
		    (json_int_t)(now - 30 * DAY), "history-delta",
		    (json_int_t)DAY, "gc-status", pbs_gc_status(st),
		    "mount-status", "nonremovable", "backend-type",
		    "filesystem");
		json_array_append_new(a, o);
	}
	pbs_data(resp, a);
}

/* GET /admin/datastore. */
static void
pbs_datastores(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs	*pbs = sim_service_data(svc);
	json_t		*a = json_array();
	size_t		 i;

	(void)req;
	for (i = 0; i < 2; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "store",
		    pbs->stores[i].name, "mount-status", "nonremovable",
		    "backend-type", "filesystem"));
	pbs_data(resp, a);
}

/* The GC job status of a store (GET /admin/gc items). */
static json_t *
pbs_gc_job(const struct pbs_store *st, int64_t now)
{
	json_t	*o = pbs_gc_status(st);

	json_object_set_new(o, "store", json_string(st->name));
	json_object_set_new(o, "schedule", json_string("daily"));
	json_object_set_new(o, "next-run", json_integer(now - now % DAY +
	    DAY));
	if (st->gc_state[0] != '\0') {
		json_object_set_new(o, "last-run-state",
		    json_string(st->gc_state));
		json_object_set_new(o, "last-run-endtime",
		    json_integer(st->gc_end));
		json_object_set_new(o, "duration", json_integer(42));
	}
	return (o);
}

/* GET /admin/gc. */
static void
pbs_gc_list(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs	*pbs = sim_service_data(svc);
	json_t		*a = json_array();
	size_t		 i;

	(void)req;
	for (i = 0; i < 2; i++)
		json_array_append_new(a, pbs_gc_job(&pbs->stores[i],
		    sim_now_ms(svc) / 1000));
	pbs_data(resp, a);
}

/* GET /admin/datastore/{store}/gc. */
static void
pbs_gc_get(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs_store	*st;

	if ((st = pbs_store_param(svc, req, resp)) == NULL)
		return;
	pbs_data(resp, pbs_gc_job(st, sim_now_ms(svc) / 1000));
}

/* GET /admin/datastore/{store}/groups. */
static void
pbs_groups(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	struct pbs_snap		**v;
	json_t			*a = json_array(), *g = NULL;
	int			 n, i;

	if ((st = pbs_store_param(svc, req, resp)) == NULL) {
		json_decref(a);
		return;
	}
	v = pbs_select(pbs, st->name, req, &n);
	for (i = 0; i < n; i++) {
		/* Sorted newest first: the first of a group is the latest. */
		if (i == 0 || strcmp(v[i]->type, v[i - 1]->type) != 0 ||
		    strcmp(v[i]->id, v[i - 1]->id) != 0) {
			g = json_pack("{s:s,s:s,s:I,s:i,s:s,s:[s,s]}",
			    "backup-type", v[i]->type, "backup-id", v[i]->id,
			    "last-backup", (json_int_t)v[i]->time,
			    "backup-count", 0, "owner", pbs->user, "files",
			    "index.json.blob", strcmp(v[i]->type, "vm") == 0 ?
			    "drive-scsi0.img.fidx" : "root.pxar.didx");
			json_array_append_new(a, g);
		}
		json_object_set_new(g, "backup-count", json_integer(
		    json_integer_value(json_object_get(g, "backup-count")) +
		    1));
	}
	free(v);
	pbs_data(resp, a);
}

/* GET /admin/datastore/{store}/snapshots. */
static void
pbs_snapshots(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	struct pbs_snap		**v;
	json_t			*a = json_array(), *o;
	int			 n, i;

	if ((st = pbs_store_param(svc, req, resp)) == NULL) {
		json_decref(a);
		return;
	}
	v = pbs_select(pbs, st->name, req, &n);
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s,s:s,s:I,s:I,s:b,s:s,s:[s,s,s]}",
		    "backup-type", v[i]->type, "backup-id", v[i]->id,
		    "backup-time", (json_int_t)v[i]->time, "size",
		    (json_int_t)v[i]->size, "protected", v[i]->protected,
		    "owner", pbs->user, "files", "index.json.blob",
		    strcmp(v[i]->type, "vm") == 0 ? "qemu-server.conf.blob" :
		    "pct.conf.blob", strcmp(v[i]->type, "vm") == 0 ?
		    "drive-scsi0.img.fidx" : "root.pxar.didx");
		if (v[i]->verify != 0)
			json_object_set_new(o, "verification", json_pack(
			    "{s:s,s:s}", "state", v[i]->verify == 1 ? "ok" :
			    "failed", "upid", v[i]->verify_upid[0] != '\0' ?
			    v[i]->verify_upid : "UPID:pbs:00000001:00000001:"
			    "00000001:00000001:verificationjob:v-nightly:"
			    "root@pam:"));
		json_array_append_new(a, o);
	}
	free(v);
	pbs_data(resp, a);
}

/* Escapes a worker id as PBS does (systemd unit escaping). */
static void
pbs_escape_wid(const char *s, char *out, size_t len)
{
	size_t	o = 0;

	for (; *s != '\0' && o + 5 < len; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.')
			out[o++] = *s;
		else if (*s == '/')
			out[o++] = '-';
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x",
			    (unsigned char)*s);
	}
	out[o] = '\0';
}

/* Creates a task and fills the UPID reply (lock held). */
static struct pbs_task *
pbs_task(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, const char *type, const char *wid,
    enum pbs_effect effect, const char *store)
{
	struct pbs	*pbs = sim_service_data(svc);
	struct pbs_task	*t;
	int64_t		 now = sim_now_ms(svc);

	t = xcalloc(1, sizeof *t);
	snprintf(t->type, sizeof t->type, "%s", type);
	pbs_escape_wid(wid, t->id, sizeof t->id);
	snprintf(t->store, sizeof t->store, "%s", store);
	t->pid = pbs->pid;
	t->start_ms = now;
	t->end_ms = now + 1000 + (int64_t)(scenario_rand(&pbs->rng) % 2000);
	t->effect = effect;
	t->params = json_deep_copy(req->args);
	t->log = json_array();
	snprintf(t->upid, sizeof t->upid,
	    "UPID:%s:%08X:%08X:%08X:%08X:%s:%s:%s:", PBS_NODE,
	    (unsigned int)t->pid, 0x1000u, ++pbs->task_id,
	    (unsigned int)(now / 1000), type, t->id, pbs->user);
	t->next = pbs->tasks;
	pbs->tasks = t;
	pbs_data(resp, json_string(t->upid));
	return (t);
}

/* Adds a formatted line to a task's log. */
static void
pbs_log(struct pbs_task *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
pbs_log(struct pbs_task *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	va_start(ap, fmt);
	xvasprintf(&m, fmt, ap);
	va_end(ap);
	json_array_append_new(t->log, json_string(m));
	free(m);
}

/* A request as the task saw it (its arguments), for pbs_select. */
static void
pbs_task_req(struct pbs_task *t, struct sim_request *req)
{
	memset(req, 0, sizeof *req);
	req->args = t->params;
}

/* The verify task: every matching snapshot, the corrupt ones fail. */
static void
pbs_run_verify(struct pbs *pbs, struct pbs_task *t)
{
	struct sim_request	 req;
	struct pbs_snap		**v;
	char			 stamp[32];
	json_t			*failed = json_array(), *f;
	size_t			 j;
	int			 n, i;

	pbs_task_req(t, &req);
	v = pbs_select(pbs, t->store, &req, &n);
	pbs_log(t, "verify datastore %s", t->store);
	for (i = 0; i < n; i++) {
		pbs_stamp(v[i]->time, stamp, sizeof stamp);
		pbs_log(t, "verify %s:%s/%s/%s", t->store, v[i]->type,
		    v[i]->id, stamp);
		snprintf(v[i]->verify_upid, sizeof v[i]->verify_upid, "%s",
		    t->upid);
		if (v[i]->corrupt) {
			pbs_log(t, "  can't verify chunk, load failed - store "
			    "'%s', unable to load chunk '%016llx' - blob has "
			    "wrong CRC checksum", t->store,
			    (unsigned long long)v[i]->time * 2654435761ULL);
			pbs_log(t, "  verified 0.00/%lld MiB in 0.01 seconds "
			    "(1 errors)", (long long)(v[i]->size >> 20));
			v[i]->verify = 2;
			json_array_append_new(failed, json_sprintf("%s:%s/%s/%s",
			    t->store, v[i]->type, v[i]->id, stamp));
		} else {
			pbs_log(t, "  verified %lld/%lld MiB in 1.20 seconds",
			    (long long)(v[i]->size >> 20),
			    (long long)(v[i]->size >> 20));
			v[i]->verify = 1;
		}
	}
	free(v);
	if (json_array_size(failed) > 0) {
		pbs_log(t, "Failed to verify the following snapshots/groups:");
		json_array_foreach(failed, j, f)
			pbs_log(t, "\t%s", json_string_value(f));
		snprintf(t->error, sizeof t->error, "verification failed - "
		    "please check the log for details");
	}
	json_decref(failed);
}

/* "%Y/%m/%d"-style selection keys of PBS's prune, in UTC. */
static void
pbs_prune_key(int64_t t, int which, char *buf, size_t len)
{
	struct tm	tm;
	time_t		secs = (time_t)t;

	gmtime_r(&secs, &tm);
	switch (which) {
	case 1:
		strftime(buf, len, "%Y/%m/%d/%H", &tm);
		break;
	case 2:
		strftime(buf, len, "%Y/%m/%d", &tm);
		break;
	case 3:
		strftime(buf, len, "%G/%V", &tm);
		break;
	case 4:
		strftime(buf, len, "%Y/%m", &tm);
		break;
	case 5:
		strftime(buf, len, "%Y", &tm);
		break;
	default:
		snprintf(buf, len, "%lld", (long long)t);
	}
}

/* Whether key is among the n keys of set. */
static bool
pbs_in_set(char (*set)[32], int n, const char *key)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strcmp(set[i], key) == 0)
			return (true);
	}
	return (false);
}

/*
 * PBS's prune marks for a group's snapshots (newest first): 1 keep, 2
 * protected, 0 remove (pbs-datastore prune.rs, mark_selections): per
 * option, periods already covered by a kept snapshot are skipped, the
 * newest snapshot of each new period is kept until the count is reached,
 * and older ones of a kept period go.
 */
static void
pbs_prune_marks(struct pbs_snap **v, int n, const int64_t keep[6],
    int *mark)
{
	char	 key[32], (*done)[32], (*incl)[32];
	int	 which, i, ndone, nincl;
	bool	 any = false;

	done = xcalloc((size_t)n + 1, sizeof *done);
	incl = xcalloc((size_t)n + 1, sizeof *incl);
	for (i = 0; i < n; i++)
		mark[i] = v[i]->protected ? 2 : -1;
	for (which = 0; which < 6; which++) {
		if (keep[which] <= 0)
			continue;
		any = true;
		ndone = nincl = 0;
		for (i = 0; i < n; i++) {
			if (mark[i] != 1)
				continue;
			pbs_prune_key(v[i]->time, which, key, sizeof key);
			snprintf(done[ndone++], sizeof *done, "%s", key);
		}
		for (i = 0; i < n; i++) {
			if (mark[i] != -1)
				continue;
			pbs_prune_key(v[i]->time, which, key, sizeof key);
			if (pbs_in_set(done, ndone, key))
				continue;
			if (!pbs_in_set(incl, nincl, key)) {
				if (nincl >= keep[which])
					break;
				snprintf(incl[nincl++], sizeof *incl, "%s",
				    key);
				mark[i] = 1;
			} else
				mark[i] = 0;
		}
	}
	/* No option at all keeps everything, as PBS does. */
	for (i = 0; i < n; i++) {
		if (mark[i] == -1)
			mark[i] = any ? 0 : 1;
	}
	free(done);
	free(incl);
}

/* The keep-* options of a request. */
static void
pbs_keep_args(struct sim_request *req, int64_t keep[6])
{
	static const char *const names[] = { "keep-last", "keep-hourly",
	    "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly" };
	int	i;

	for (i = 0; i < 6; i++)
		keep[i] = pbs_arg_int(req, names[i], 0);
}

/* Prunes one group's snapshots v (sorted); *removed adds its freed bytes. */
static void
pbs_prune_group(struct pbs_snap **v, int n, const int64_t keep[6], bool dry,
    int *mark, int64_t *removed)
{
	int	i;

	pbs_prune_marks(v, n, keep, mark);
	for (i = 0; i < n; i++) {
		if (mark[i] == 0 && !dry) {
			v[i]->gone = true;
			*removed += v[i]->size / 4;
		}
	}
}

/* The prune-datastore task: every group, the log lists the marks. */
static void
pbs_run_prune(struct pbs *pbs, struct pbs_task *t)
{
	struct sim_request	 req;
	struct pbs_store	*st = pbs_store(pbs, t->store);
	struct pbs_snap		**v;
	int64_t			 keep[6], removed = 0;
	bool			 dry;
	char			 stamp[32];
	int			*mark, n, i, g0;

	pbs_task_req(t, &req);
	dry = pbs_arg_bool(&req, "dry-run");
	pbs_keep_args(&req, keep);
	pbs_log(t, "Starting datastore prune on datastore '%s', root "
	    "namespace%s", t->store, dry ? " (dry test run)" : "");
	v = pbs_select(pbs, t->store, &req, &n);
	mark = xcalloc((size_t)n + 1, sizeof *mark);
	for (g0 = 0; g0 < n; g0 = i) {
		for (i = g0; i < n && strcmp(v[i]->type, v[g0]->type) == 0 &&
		    strcmp(v[i]->id, v[g0]->id) == 0; i++)
			;
		pbs_log(t, "Pruning group :\"%s/%s\"", v[g0]->type,
		    v[g0]->id);
		pbs_prune_group(v + g0, i - g0, keep, dry, mark + g0,
		    &removed);
	}
	for (i = 0; i < n; i++) {
		pbs_stamp(v[i]->time, stamp, sizeof stamp);
		pbs_log(t, "%s/%s/%s %s", v[i]->type, v[i]->id, stamp,
		    mark[i] == 1 ? "keep" : mark[i] == 2 ? "protected" :
		    "remove");
	}
	if (st != NULL)
		st->pending += removed;
	free(mark);
	free(v);
}

/* Completes the tasks that are due (lock held). */
static void
pbs_tick(struct sim_service *svc)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	struct pbs_task		*t;
	int64_t			 now = sim_now_ms(svc);
	size_t			 i;

	for (t = pbs->tasks; t != NULL; t = t->next) {
		if (t->done || (now < t->end_ms && !(sim_clock_fixed(svc) &&
		    t->polls >= PBS_TASK_POLLS)))
			continue;
		t->done = true;
		switch (t->effect) {
		case PBS_VERIFY:
			pbs_run_verify(pbs, t);
			break;
		case PBS_PRUNE:
			pbs_run_prune(pbs, t);
			break;
		case PBS_GC:
			st = pbs_store(pbs, t->store);
			pbs_log(t, "starting garbage collection on store %s",
			    t->store);
			pbs_log(t, "Removed garbage: %lld MiB",
			    (long long)(st->pending >> 20));
			st->gc_removed = st->pending;
			st->used0 -= st->pending;
			st->pending = 0;
			st->gc_end = now / 1000;
			snprintf(st->gc_state, sizeof st->gc_state, "ok");
			snprintf(st->gc_upid, sizeof st->gc_upid, "%s",
			    t->upid);
			break;
		case PBS_SYNC:
			for (i = 0; i < 3; i++) {
				if (strcmp(pbs->jobs[i].id, t->store) == 0)
					break;
			}
			if (i == 3)
				break;
			pbs_log(t, "Starting datastore sync job '%s:%s:%s:"
			    "%s'", pbs->jobs[i].remote,
			    pbs->jobs[i].remote_store, pbs->jobs[i].store,
			    pbs->jobs[i].id);
			if (pbs->jobs[i].error != NULL)
				snprintf(t->error, sizeof t->error, "%s",
				    pbs->jobs[i].error);
			else
				pbs_log(t, "sync datastore '%s' from '%s/%s' "
				    "(%s)", pbs->jobs[i].store,
				    pbs->jobs[i].remote,
				    pbs->jobs[i].remote_store,
				    pbs->jobs[i].direction);
			snprintf(pbs->jobs[i].last_state,
			    sizeof pbs->jobs[i].last_state, "%s",
			    t->error[0] != '\0' ? t->error : "OK");
			pbs->jobs[i].last_end = now / 1000;
			break;
		}
		if (t->error[0] != '\0')
			pbs_log(t, "TASK ERROR: %s", t->error);
		else
			pbs_log(t, "TASK OK");
	}
}

/* Checks the group/time arguments; -1 after a 400 answer. */
static int
pbs_check_target(struct sim_request *req, struct sim_response *resp)
{
	if ((sim_arg(req, "backup-type") == NULL) != (sim_arg(req,
	    "backup-id") == NULL) || (pbs_arg_int(req, "backup-time", -1) >=
	    0 && sim_arg(req, "backup-id") == NULL)) {
		pbs_errorf(resp, 400, "parameter verification failed - "
		    "backup-type, backup-id and backup-time go together");
		return (-1);
	}
	return (0);
}

/* POST /admin/datastore/{store}/verify. */
static void
pbs_verify(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	struct pbs_snap		**v;
	const char		*type = sim_arg(req, "backup-type");
	char			 wid[96], stamp[32];
	int			 n;

	if ((st = pbs_store_param(svc, req, resp)) == NULL ||
	    pbs_check_target(req, resp) != 0)
		return;
	v = pbs_select(pbs, st->name, req, &n);
	free(v);
	if (n == 0 && type != NULL) {
		pbs_errorf(resp, 400, "no such backup group or snapshot");
		return;
	}
	if (pbs_arg_int(req, "backup-time", -1) >= 0) {
		pbs_stamp(pbs_arg_int(req, "backup-time", 0), stamp,
		    sizeof stamp);
		snprintf(wid, sizeof wid, "%s:%s/%s/%s", st->name, type,
		    sim_arg(req, "backup-id"), stamp);
	} else if (type != NULL)
		snprintf(wid, sizeof wid, "%s:%s/%s", st->name, type,
		    sim_arg(req, "backup-id"));
	else
		snprintf(wid, sizeof wid, "%s", st->name);
	pbs_task(svc, req, resp, "verify", wid, PBS_VERIFY, st->name);
}

/* POST /admin/datastore/{store}/prune: one group, answered at once. */
static void
pbs_prune(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs		*pbs = sim_service_data(svc);
	struct pbs_store	*st;
	struct pbs_snap		**v;
	int64_t			 keep[6], removed = 0;
	json_t			*a;
	int			*mark, n, i;

	if ((st = pbs_store_param(svc, req, resp)) == NULL)
		return;
	if (sim_arg(req, "backup-type") == NULL ||
	    sim_arg(req, "backup-id") == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:n,s:{s:s}}",
		    "data", "errors", sim_arg(req, "backup-type") == NULL ?
		    "backup-type" : "backup-id", "parameter is missing and "
		    "it is not optional."));
		return;
	}
	pbs_keep_args(req, keep);
	v = pbs_select(pbs, st->name, req, &n);
	mark = xcalloc((size_t)n + 1, sizeof *mark);
	pbs_prune_group(v, n, keep, pbs_arg_bool(req, "dry-run"), mark,
	    &removed);
	st->pending += removed;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:b,s:b}",
		    "backup-type", v[i]->type, "backup-id", v[i]->id,
		    "backup-time", (json_int_t)v[i]->time, "keep", mark[i] != 0,
		    "protected", v[i]->protected));
	free(mark);
	free(v);
	pbs_data(resp, a);
}

/* POST /admin/datastore/{store}/prune-datastore: a task. */
static void
pbs_prune_store(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs_store	*st;

	if ((st = pbs_store_param(svc, req, resp)) == NULL)
		return;
	pbs_task(svc, req, resp, "prune", st->name, PBS_PRUNE, st->name);
}

/* POST /admin/datastore/{store}/gc. */
static void
pbs_gc_start(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs_store	*st;

	if ((st = pbs_store_param(svc, req, resp)) == NULL)
		return;
	pbs_task(svc, req, resp, "garbage_collection", st->name, PBS_GC,
	    st->name);
}

/* GET /admin/sync. */
static void
pbs_sync_list(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs	*pbs = sim_service_data(svc);
	json_t		*a = json_array(), *o;
	size_t		 i;

	(void)req;
	for (i = 0; i < 3; i++) {
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id",
		    pbs->jobs[i].id, "store", pbs->jobs[i].store, "remote",
		    pbs->jobs[i].remote, "remote-store",
		    pbs->jobs[i].remote_store, "sync-direction",
		    pbs->jobs[i].direction, "schedule", "hourly");
		if (pbs->jobs[i].last_state[0] != '\0') {
			json_object_set_new(o, "last-run-state",
			    json_string(pbs->jobs[i].last_state));
			json_object_set_new(o, "last-run-endtime",
			    json_integer(pbs->jobs[i].last_end));
		}
		json_array_append_new(a, o);
	}
	pbs_data(resp, a);
}

/* POST /admin/sync/{id}/run. */
static void
pbs_sync_run(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs	*pbs = sim_service_data(svc);
	const char	*id = json_string_value(json_object_get(req->params,
	    "id"));
	char		 wid[96];
	size_t		 i;

	for (i = 0; i < 3; i++) {
		if (strcmp(pbs->jobs[i].id, id) == 0)
			break;
	}
	if (i == 3) {
		pbs_errorf(resp, 404, "job '%s' does not exist.", id);
		return;
	}
	snprintf(wid, sizeof wid, "%s:%s:%s::%s", pbs->jobs[i].remote,
	    pbs->jobs[i].remote_store, pbs->jobs[i].store, id);
	/* The task's store field names the job for pbs_tick. */
	pbs_task(svc, req, resp, "syncjob", wid, PBS_SYNC, id);
}

/* Finds a task by UPID, or answers like PBS. */
static struct pbs_task *
pbs_find_task(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs	*pbs = sim_service_data(svc);
	struct pbs_task	*t;
	const char	*upid = json_string_value(json_object_get(req->params,
	    "upid"));

	for (t = pbs->tasks; t != NULL; t = t->next) {
		if (strcmp(t->upid, upid) == 0)
			return (t);
	}
	if (strncmp(upid, "UPID:", 5) != 0)
		sim_reply_json_new(resp, 400, json_pack("{s:n,s:{s:s}}",
		    "data", "errors", "upid", "value does not match the regex "
		    "pattern"));
	else
		pbs_errorf(resp, 500, "task '%s' not found", upid);
	return (NULL);
}

/* GET /nodes/{node}/tasks/{upid}/status. */
static void
pbs_task_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs_task	*t;
	json_t		*o;

	if ((t = pbs_find_task(svc, req, resp)) == NULL)
		return;
	t->polls++;
	pbs_tick(svc);
	o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:I,s:s,s:s}", "upid",
	    t->upid, "node", PBS_NODE, "type", t->type, "id", t->id, "pid",
	    t->pid, "pstart", 0x1000, "starttime",
	    (json_int_t)(t->start_ms / 1000), "user", "root@pam", "status",
	    t->done ? "stopped" : "running");
	if (t->done) {
		json_object_set_new(o, "exitstatus", json_string(
		    t->error[0] != '\0' ? t->error : "OK"));
		json_object_set_new(o, "endtime", json_integer(t->end_ms /
		    1000));
	}
	pbs_data(resp, o);
}

/* GET /nodes/{node}/tasks/{upid}/log (?start=, ?limit=). */
static void
pbs_task_log(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pbs_task	*t;
	json_t		*a;
	size_t		 i, start, limit;

	if ((t = pbs_find_task(svc, req, resp)) == NULL)
		return;
	start = (size_t)pbs_arg_int(req, "start", 0);
	limit = (size_t)pbs_arg_int(req, "limit", 50);
	a = json_array();
	for (i = start; i < json_array_size(t->log) && i < start + limit; i++)
		json_array_append_new(a, json_pack("{s:i,s:O}", "n",
		    (int)i + 1, "t", json_array_get(t->log, i)));
	sim_reply_json_new(resp, 200, json_pack("{s:o,s:i,s:b}", "data", a,
	    "total", (int)json_array_size(t->log), "active", !t->done));
}

/* POST /state ops: corrupt (the newest snapshot of a group). */
static int
pbs_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct pbs	*pbs = sim_service_data(svc);
	struct pbs_snap	*best = NULL;
	const char	*op = json_string_value(json_object_get(j, "op"));
	const char	*store = json_string_value(json_object_get(j, "store"));
	const char	*type = json_string_value(json_object_get(j, "type"));
	const char	*id = json_string_value(json_object_get(j, "id"));
	int		 i;

	pbs_tick(svc);
	if (op == NULL || strcmp(op, "corrupt") != 0) {
		xasprintf(cause, "unknown op \"%s\"", op != NULL ? op : "");
		return (-1);
	}
	for (i = 0; i < pbs->nsnaps; i++) {
		if (pbs->snaps[i].gone || store == NULL || type == NULL ||
		    id == NULL || strcmp(pbs->snaps[i].store, store) != 0 ||
		    strcmp(pbs->snaps[i].type, type) != 0 ||
		    strcmp(pbs->snaps[i].id, id) != 0)
			continue;
		if (best == NULL || pbs->snaps[i].time > best->time)
			best = &pbs->snaps[i];
	}
	if (best == NULL) {
		*cause = xstrdup("need store, type and id of a group");
		return (-1);
	}
	best->corrupt = true;
	return (0);
}

/* Adds "pbs" to the endpoints file. */
static void
pbs_endpoint(struct sim_service *svc, json_t *o)
{
	struct pbs	*pbs = sim_service_data(svc);

	json_object_set_new(o, "pbs", json_pack("{s:o,s:s,s:s,s:s,s:s,s:s}",
	    "url", json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "token_id", pbs->token_id, "token", pbs->secret, "user",
	    pbs->user, "password", pbs->password, "node", PBS_NODE));
}

static const struct sim_route pbs_routes[] = {
	{ "GET", "/version", pbs_version, 0 },
	{ "POST", "/access/ticket", pbs_post_ticket, SIM_ROUTE_NOAUTH },
	{ "GET", "/status/datastore-usage", pbs_usage, 0 },
	{ "GET", "/admin/datastore", pbs_datastores, 0 },
	{ "GET", "/admin/gc", pbs_gc_list, 0 },
	{ "GET", "/admin/datastore/{store}/gc", pbs_gc_get, 0 },
	{ "POST", "/admin/datastore/{store}/gc", pbs_gc_start, 0 },
	{ "GET", "/admin/datastore/{store}/groups", pbs_groups, 0 },
	{ "GET", "/admin/datastore/{store}/snapshots", pbs_snapshots, 0 },
	{ "POST", "/admin/datastore/{store}/verify", pbs_verify, 0 },
	{ "POST", "/admin/datastore/{store}/prune", pbs_prune, 0 },
	{ "POST", "/admin/datastore/{store}/prune-datastore",
	    pbs_prune_store, 0 },
	{ "GET", "/admin/sync", pbs_sync_list, 0 },
	{ "POST", "/admin/sync/{id}/run", pbs_sync_run, 0 },
	{ "GET", "/nodes/{node}/tasks/{upid}/status", pbs_task_status, 0 },
	{ "GET", "/nodes/{node}/tasks/{upid}/log", pbs_task_log, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_pbs_ops = {
	.name = "pbs",
	.prefix = "/api2/json",
	.routes = pbs_routes,
	.create = pbs_create,
	.destroy = pbs_destroy,
	.authorize = pbs_authorize,
	.unauthorized = pbs_unauthorized,
	.error = pbs_error,
	.not_found = pbs_not_found,
	.state = pbs_state,
	.endpoint = pbs_endpoint,
};
