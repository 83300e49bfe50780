/*
 * Proxmox Backup Server backend: transport (HTTP through core/http, API
 * token or ticket login, TLS pinned by ca_file or fingerprint), the poller
 * (datastore usage, GC state and the latest snapshot of every backup
 * group) and the pbs_* tools. Parsing lives in pbs-parse.c.
 *
 * DESIGN
 * Owner: one struct pbs per configured instance, created and destroyed
 * on the main thread. The poller thread uses pbs->poller alone; tool
 * calls run on any worker and borrow a client from pbs->pool. The token
 * or login ticket is pbs->sess, the session Proxmox VE's backend uses
 * too (pxsession.c), which makes logins run one at a time. Tools that start a task (verify, prune of a whole
 * datastore, GC, sync) keep their state in c->step and re-arm with
 * call_again() between task-status polls, so no worker waits on a task.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/pbs.h"
#include "services/pxsession.h"
#include "services/services.h"

#define PBS_REFRESH_S 30
#define PBS_MAX_AGE_S 30	/* default max_age_s of reads */
#define PBS_POOL_MAX 4
#define PBS_LOG_TAIL 10
#define PBS_POLL_MS 500		/* between task-status polls */

struct pbs {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	struct px_session sess;	/* token or ticket (pxsession.h) */

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;	/* the poller thread's own */
};

/* What a waiting tool does when its task ends. */
enum pbs_after {
	PBS_AFTER_NONE,
	PBS_AFTER_PRUNE_LOG,	/* the removed list is in the log */
	PBS_AFTER_GC_STATUS,	/* read the store's GC counters */
};

/* The state of a tool that waits on a task, between steps. */
struct pbs_step {
	struct rt_instance *in;
	char *upid;
	char *node;
	char *exitstatus;
	bool stopped;
	bool wait;
	bool timed_out;
	bool dry;		/* a dry run: "dry_run" when it ends well */
	enum pbs_after after;
	char *store;
	const char *what;	/* "verification", "prune", ... */
	int64_t started_mono;
	int64_t deadline_mono;
	int timeout_s;
	json_t *result;		/* being built; owned */
};

/* The state of an instance. */
static struct pbs *
pbs_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "pbs NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
pbs_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "pbs %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* One API request through the instance's session (pxsession.h). */
static json_t *
pbs_req(struct pbs *p, struct http_client *cl, const char *method,
    const char *path, const json_t *body, int *kind, char **cause)
{
	return (px_request(&p->sess, cl, method, path, body, kind, cause));
}

/* "/admin/datastore/STORE" + rest (caller frees). */
static char *pbs_store_path(const char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static char *
pbs_store_path(const char *store, const char *fmt, ...)
{
	va_list ap;
	char *esc, *rest, *path;

	esc = http_escape(store);
	va_start(ap, fmt);
	xvasprintf(&rest, fmt, ap);
	va_end(ap);
	xasprintf(&path, "/admin/datastore/%s%s", esc, rest);
	free(esc);
	free(rest);
	return (path);
}

/*
 * Fetches datastore usage, GC state and each store's groups (root
 * namespace). New reference, or NULL with *kind and *cause.
 */
static json_t *
pbs_fetch(struct pbs *p, struct http_client *cl, int *kind, char **cause)
{
	json_t *usage, *gc, *stores, *groups, *d, *rows, *row;
	const char *store;
	char *why = NULL, *path;
	int64_t now_s = clock_wall_ms() / 1000;
	int k;
	size_t i;

	if ((usage = pbs_req(p, cl, "GET", "/status/datastore-usage", NULL,
	    kind, cause)) == NULL)
		return (NULL);
	/* GC state needs Datastore.Audit; without it, usage still shows. */
	gc = pbs_req(p, cl, "GET", "/admin/gc", NULL, &k, &why);
	free(why);
	why = NULL;
	stores = pbs_parse_datastores(usage, gc, p->name, now_s, &why);
	json_decref(usage);
	json_decref(gc);
	if (stores == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET %s", why);
		free(why);
		return (NULL);
	}
	groups = json_array();
	json_array_foreach(stores, i, row) {
		store = json_string_value(json_object_get(row, "store"));
		if (json_object_get(row, "error") != NULL)
			continue;
		path = pbs_store_path(store, "/groups");
		d = pbs_req(p, cl, "GET", path, NULL, &k, &why);
		free(path);
		if (d == NULL) {
			/* One store failing leaves the others visible. */
			json_object_set_new(row, "error", json_string(why));
			free(why);
			why = NULL;
			if (k == RT_ERR_UNREACHABLE) {
				*kind = k;
				xasprintf(cause, "%s", json_string_value(
				    json_object_get(row, "error")));
				json_decref(stores);
				json_decref(groups);
				return (NULL);
			}
			continue;
		}
		rows = pbs_parse_groups(d, p->name, store, "", now_s);
		json_object_set_new(row, "groups", json_integer(
		    (json_int_t)json_array_size(rows)));
		json_array_extend(groups, rows);
		json_decref(rows);
		json_decref(d);
	}
	return (json_pack("{s:o, s:o}", "datastores", stores, "groups",
	    groups));
}

/* The poller: one refresh. */
static json_t *
pbs_poll(void *arg, int *kind, char **cause)
{
	struct pbs *p = arg;

	if (p->poller == NULL &&
	    (p->poller = http_client_create(&p->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (pbs_fetch(p, p->poller, kind, cause));
}

/* A live fetch with a pooled client, for read_view_get. */
static json_t *
pbs_view_fetch(void *arg, int *kind, char **cause)
{
	struct pbs *p = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	j = pbs_fetch(p, cl, kind, cause);
	http_pool_put(&p->pool, cl);
	return (j);
}

/* Frees an instance's state. */
static void
pbs_destroy(void *arg)
{
	struct pbs *p = arg;

	if (p == NULL)
		return;
	http_pool_finish(&p->pool);
	http_client_destroy(p->poller);
	px_session_finish(&p->sess);
	free(p->name);
	free((char *)p->opts.base_url);
	free((char *)p->opts.ca_file);
	free((char *)p->opts.fingerprint);
	free(p);
}

/* Creates an instance from its [pbs "name"] section. */
static void *
pbs_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token_id, *token, *user, *password;
	struct http_client *cl;
	struct pbs *p;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)) {
		xasprintf(cause, "url: %s", url == NULL ? "missing (e.g. "
		    "https://pbs.lan:8007)" : "must start with https://");
		return (NULL);
	}
	token_id = conf_get(ic, "token_id");
	token = conf_get(ic, "token");
	user = conf_get(ic, "user");
	password = conf_get(ic, "password");
	if ((token_id == NULL || token == NULL) &&
	    (user == NULL || password == NULL)) {
		xasprintf(cause, "set token_id and token, or user and password");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	p = xcalloc(1, sizeof *p);
	p->in = in;
	p->name = xstrdup(ic->name);
	http_pool_init(&p->pool, &p->opts, PBS_POOL_MAX);
	px_session_init(&p->sess, pbs_cookie_header, pbs_csrf_header);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&p->opts.base_url, "%s/api2/json", base);
	free(base);
	p->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	p->opts.connect_timeout_ms = p->opts.timeout_ms < 5000 ?
	    p->opts.timeout_ms : 5000;
	p->opts.insecure = !verify;
	p->opts.max_response = 64 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		p->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		p->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	if (token_id != NULL && token != NULL) {
		if ((p->sess.token_hdr = pbs_token_header(token_id, token)) ==
		    NULL) {
			xasprintf(cause, "token_id must read USER@REALM!TOKENID "
			    "(e.g. racktop@pbs!dashboard) and token be the "
			    "secret");
			pbs_destroy(p);
			return (NULL);
		}
	} else {
		if (strchr(user, '@') == NULL)
			xasprintf(&p->sess.user, "%s@pam", user);
		else
			p->sess.user = xstrdup(user);
		p->sess.password = xstrdup(password);
	}
	/* Checks the TLS options now rather than at the first request. */
	if ((cl = http_client_create(&p->opts, &why)) == NULL) {
		*cause = why;
		pbs_destroy(p);
		return (NULL);
	}
	http_pool_put(&p->pool, cl);
	return (p);
}

/* Whether a row's string member equals want (or want is NULL). */
static bool
pbs_eq(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcmp(v, want) == 0));
}

/* A live request with a pooled client; new reference, or NULL, *cause. */
static json_t *
pbs_call_req(struct pbs *p, const char *method, const char *path,
    const json_t *body, char **cause)
{
	struct http_client *cl;
	json_t *d;
	int kind;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	d = pbs_req(p, cl, method, path, body, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (d);
}

/* Filter of pbs_list_datastores. */
static bool
pbs_match_store(struct rt_call *c, const json_t *row)
{
	return (pbs_eq(row, "store", call_arg_str(c, "store")));
}

/* pbs_list_datastores: usage, GC state and estimated full date. */
static int
pbs_list_datastores(struct rt_call *c)
{
	return (read_view_list(c, PBS_MAX_AGE_S, pbs_view_fetch,
	    "datastores", pbs_match_store));
}

/* Whether a snapshot row passes the pbs_list_backups filters. */
static bool
pbs_match_snapshot(struct rt_call *c, const json_t *row)
{
	json_int_t t = json_integer_value(json_object_get(row, "time"));
	const json_t *since = json_object_get(c->args, "since");
	const json_t *until = json_object_get(c->args, "until");

	if (!pbs_eq(row, "verification", call_arg_str(c, "verification")))
		return (false);
	if (since != NULL && t < json_integer_value(since))
		return (false);
	if (until != NULL && t > json_integer_value(until))
		return (false);
	return (true);
}

/* The ?ns=&backup-type=&backup-id= query of a listing (caller frees). */
static char *
pbs_group_query(const char *ns, const char *type, const char *id)
{
	char *q = xstrdup(""), *t, *esc;

	if (ns != NULL && *ns != '\0') {
		esc = http_escape(ns);
		xasprintf(&t, "%s&ns=%s", q, esc);
		free(esc);
		free(q);
		q = t;
	}
	if (type != NULL) {
		xasprintf(&t, "%s&backup-type=%s", q, type);
		free(q);
		q = t;
	}
	if (id != NULL) {
		esc = http_escape(id);
		xasprintf(&t, "%s&backup-id=%s", q, esc);
		free(esc);
		free(q);
		q = t;
	}
	if (*q == '&')
		*q = '?';
	return (q);
}

/* Snapshots of one instance, appended to items; 0, or -1 and *cause. */
static int
pbs_instance_backups(struct rt_call *c, struct rt_instance *in,
    json_t *items, char **cause)
{
	struct read_view v;
	const char *want = call_arg_str(c, "store");
	const char *ns = call_arg_str(c, "ns");
	const json_t *row;
	const char *store;
	json_t *d, *rows, *e;
	char *path, *q;
	size_t i, j;
	bool found = false;
	int rv = 0;

	if (read_view_get(in, call_arg_int(c, "max_age_s", PBS_MAX_AGE_S),
	    pbs_view_fetch, pbs_of(in), &v, cause) != 0)
		return (-1);
	q = pbs_group_query(ns, call_arg_str(c, "type"), call_arg_str(c,
	    "id"));
	json_array_foreach(json_object_get(v.data, "datastores"), i, row) {
		store = json_string_value(json_object_get(row, "store"));
		if (want != NULL && strcmp(store, want) != 0)
			continue;
		found = true;
		if (want == NULL && json_object_get(row, "error") != NULL)
			continue;
		path = pbs_store_path(store, "/snapshots%s", q);
		d = pbs_call_req(pbs_of(in), "GET", path, NULL, cause);
		free(path);
		if (d == NULL) {
			rv = -1;
			break;
		}
		rows = pbs_parse_snapshots(d, in->name, store, ns != NULL ?
		    ns : "");
		json_array_foreach(rows, j, e) {
			if (pbs_match_snapshot(c, e))
				json_array_append(items, e);
		}
		json_decref(rows);
		json_decref(d);
	}
	if (rv == 0 && want != NULL && !found) {
		xasprintf(cause, "no datastore named \"%s\"", want);
		rv = -1;
	}
	free(q);
	read_view_put(&v);
	return (rv);
}

/* pbs_list_backups: snapshots by datastore, namespace, group and time. */
static int
pbs_list_backups(struct rt_call *c)
{
	struct rt_instance **ins;
	json_t *items, *errors;
	char *why;
	size_t n, i, nerr = 0;

	if (call_arg_str(c, "id") != NULL && call_arg_str(c, "type") == NULL)
		return (call_fail(c, "arguments.type: required with id (a "
		    "backup group is type and id)"));
	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (pbs_instance_backups(c, ins[i], items, &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
		}
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

/* Frees a task-waiting state. */
static void
pbs_step_free(void *arg)
{
	struct pbs_step *st = arg;

	if (st == NULL)
		return;
	free(st->upid);
	free(st->node);
	free(st->exitstatus);
	free(st->store);
	json_decref(st->result);
	free(st);
}

/*
 * Attaches a task-waiting state for upid to a call; result is stolen.
 * wait_def is the default of the "wait" argument.
 */
static struct pbs_step *
pbs_step_new(struct rt_call *c, struct rt_instance *in, const char *upid,
    json_t *result, const char *what, bool wait_def)
{
	struct pbs_step *st = xcalloc(1, sizeof *st);
	struct pbs_upid u;
	const json_t *w = json_object_get(c->args, "wait");

	st->in = in;
	st->upid = xstrdup(upid);
	st->node = xstrdup(pbs_upid_parse(upid, &u) == 0 ? u.node :
	    "localhost");
	st->result = result;
	st->what = what;
	st->wait = w != NULL ? json_is_true(w) : wait_def;
	st->timeout_s = (int)call_arg_int(c, "timeout_s", 300);
	st->started_mono = clock_mono_ms();
	st->deadline_mono = st->started_mono + (int64_t)st->timeout_s * 1000;
	json_object_set_new(result, "upid", json_string(upid));
	c->step = st;
	c->step_free = pbs_step_free;
	return (st);
}

/* The task's status path (caller frees). */
static char *
pbs_task_path(const char *node, const char *upid, const char *rest)
{
	char *en = http_escape(node), *eu = http_escape(upid), *path;

	xasprintf(&path, "/nodes/%s/tasks/%s/%s", en, eu, rest);
	free(en);
	free(eu);
	return (path);
}

/* The whole log of a task (the data array; NULL and *cause on error). */
static json_t *
pbs_task_log(struct pbs *p, const char *node, const char *upid,
    char **cause)
{
	char *path = pbs_task_path(node, upid, "log?start=0&limit=50000");
	json_t *d;

	d = pbs_call_req(p, "GET", path, NULL, cause);
	free(path);
	return (d);
}

/* The tail of a task's log (new array; empty when it cannot be read). */
static json_t *
pbs_log_tail(struct pbs *p, const char *node, const char *upid, size_t n)
{
	char *why = NULL;
	json_t *d, *tail;

	d = pbs_task_log(p, node, upid, &why);
	free(why);
	tail = pbs_task_log_tail(d, n);
	json_decref(d);
	return (tail);
}

/* Joins log lines for an error message (caller frees). */
static char *
pbs_join_lines(const json_t *lines)
{
	const json_t *l;
	char *s = xstrdup(""), *t;
	size_t i;

	json_array_foreach(lines, i, l) {
		xasprintf(&t, "%s\n  %s", s, json_string_value(l));
		free(s);
		s = t;
	}
	return (s);
}

/* Work done once the task ended well; 0, or -1 after failing the call. */
static int
pbs_step_after(struct rt_call *c, struct pbs_step *st)
{
	struct pbs *p = pbs_of(st->in);
	json_t *d, *removed, *lines;
	char *why = NULL, *path;

	switch (st->after) {
	case PBS_AFTER_PRUNE_LOG:
		if ((d = pbs_task_log(p, st->node, st->upid, &why)) == NULL) {
			pbs_fail(c, st->in, "task %s: reading its log: %s",
			    st->upid, why);
			free(why);
			return (-1);
		}
		lines = pbs_task_log_tail(d, 50000);
		removed = pbs_prune_log_removed(lines);
		json_decref(lines);
		json_object_set_new(st->result, "remove_count", json_integer(
		    (json_int_t)json_array_size(removed)));
		json_object_set_new(st->result, "remove", removed);
		json_decref(d);
		break;
	case PBS_AFTER_GC_STATUS:
		path = pbs_store_path(st->store, "/gc");
		d = pbs_call_req(p, "GET", path, NULL, &why);
		free(path);
		if (d == NULL) {
			free(why);
			break;
		}
		json_object_set_new(st->result, "gc", json_pack(
		    "{s:O?, s:O?, s:O?, s:O?, s:O?}",
		    "removed_bytes", json_object_get(d, "removed-bytes"),
		    "pending_bytes", json_object_get(d, "pending-bytes"),
		    "disk_bytes", json_object_get(d, "disk-bytes"),
		    "removed_chunks", json_object_get(d, "removed-chunks"),
		    "state", json_object_get(d, "last-run-state")));
		json_decref(d);
		break;
	case PBS_AFTER_NONE:
		break;
	}
	return (0);
}

/* Sets the final result of a task-waiting tool. */
static int
pbs_step_finish(struct rt_call *c, struct pbs_step *st)
{
	json_t *r = st->result;

	st->result = NULL;
	json_object_set_new(r, "status", json_string(!st->stopped ?
	    "running" : st->dry ? "dry_run" : "ok"));
	json_object_set_new(r, "exitstatus", st->exitstatus != NULL ?
	    json_string(st->exitstatus) : json_null());
	json_object_set_new(r, "waited_ms", json_integer(clock_mono_ms() -
	    st->started_mono));
	if (st->timed_out) {
		json_object_set_new(r, "timed_out", json_true());
		json_object_set_new(r, "message", json_sprintf("still running "
		    "after %d s; follow it with pbs_get_task_status",
		    st->timeout_s));
	}
	instance_refresh_soon(st->in);
	return (call_ok(c, r));
}

/*
 * Polls the task and finishes the call when it ended: RT_CALL_AGAIN while
 * waiting (call_again armed), 0 with the result, -1 after failing it.
 */
static int
pbs_step_continue(struct rt_call *c, struct pbs_step *st)
{
	const char *status, *exitstatus;
	char *path, *why = NULL, *log, msg[200];
	json_t *d, *tail;
	int64_t now;

	if (!st->wait)
		return (pbs_step_finish(c, st));
	path = pbs_task_path(st->node, st->upid, "status");
	d = pbs_call_req(pbs_of(st->in), "GET", path, NULL, &why);
	free(path);
	if (d == NULL) {
		pbs_fail(c, st->in, "task %s: %s", st->upid, why);
		free(why);
		return (-1);
	}
	status = json_string_value(json_object_get(d, "status"));
	exitstatus = json_string_value(json_object_get(d, "exitstatus"));
	if (status != NULL && strcmp(status, "stopped") == 0) {
		st->stopped = true;
		st->exitstatus = xstrdup(exitstatus != NULL ? exitstatus :
		    "unknown");
		json_decref(d);
		if (!pbs_exitstatus_ok(st->exitstatus)) {
			tail = pbs_log_tail(pbs_of(st->in), st->node,
			    st->upid, PBS_LOG_TAIL);
			log = pbs_join_lines(tail);
			json_decref(tail);
			pbs_fail(c, st->in, "%s task %s failed: %s%s%s",
			    st->what, st->upid, st->exitstatus, *log != '\0' ?
			    "\nlast log lines:" : "", log);
			free(log);
			instance_refresh_soon(st->in);
			return (-1);
		}
		if (pbs_step_after(c, st) != 0)
			return (-1);
		return (pbs_step_finish(c, st));
	}
	json_decref(d);
	now = clock_mono_ms();
	if (now >= st->deadline_mono) {
		st->timed_out = true;
		return (pbs_step_finish(c, st));
	}
	if (call_should_stop(c))
		return (pbs_fail(c, st->in, "stopped waiting for task %s; it "
		    "may still be running: ask pbs_get_task_status",
		    st->upid));
	snprintf(msg, sizeof msg, "waiting for the %s task (%s)", st->what,
	    st->upid);
	call_progress(c, (double)(now - st->started_mono) / 1000.0,
	    (double)st->timeout_s, msg);
	return (call_again(c, PBS_POLL_MS));
}

/*
 * Makes a request that answers a task id and starts waiting on it;
 * result is stolen. What call_again or the result asks, or -1.
 */
static int
pbs_start_task(struct rt_call *c, struct rt_instance *in, const char *method,
    const char *path, const json_t *body, json_t *result, const char *what,
    bool wait_def, bool must_wait, enum pbs_after after, const char *store)
{
	struct pbs_step *st;
	char *why = NULL;
	json_t *d;

	d = pbs_call_req(pbs_of(in), method, path, body, &why);
	if (d == NULL) {
		json_decref(result);
		pbs_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if (!json_is_string(d)) {
		json_decref(d);
		json_decref(result);
		return (pbs_fail(c, in, "%s %s: unexpected answer: no task id",
		    method, path));
	}
	st = pbs_step_new(c, in, json_string_value(d), result, what,
	    wait_def);
	json_decref(d);
	st->after = after;
	st->store = store != NULL ? xstrdup(store) : NULL;
	if (must_wait)
		st->wait = true;
	if (!st->wait)
		return (pbs_step_finish(c, st));
	return (call_again(c, PBS_POLL_MS));
}

/*
 * Checks the group and snapshot arguments: id needs type, time needs
 * both. 0, or -1 after failing the call.
 */
static int
pbs_check_target(struct rt_call *c)
{
	if ((call_arg_str(c, "type") == NULL) != (call_arg_str(c,
	    "id") == NULL))
		return (call_fail(c, "arguments.%s: required with %s (a backup "
		    "group is type and id)", call_arg_str(c, "type") == NULL ?
		    "type" : "id", call_arg_str(c, "type") == NULL ? "id" :
		    "type"));
	if (json_object_get(c->args, "time") != NULL &&
	    call_arg_str(c, "id") == NULL)
		return (call_fail(c, "arguments.time: needs type and id (a "
		    "snapshot is a group and a time)"));
	return (0);
}

/* Adds the target arguments to a request body in PBS's names. */
static void
pbs_target_body(struct rt_call *c, json_t *body, bool with_time)
{
	const char *ns = call_arg_str(c, "ns");

	if (ns != NULL && *ns != '\0')
		json_object_set_new(body, "ns", json_string(ns));
	if (call_arg_str(c, "type") != NULL) {
		json_object_set_new(body, "backup-type",
		    json_string(call_arg_str(c, "type")));
		json_object_set_new(body, "backup-id",
		    json_string(call_arg_str(c, "id")));
	}
	if (with_time && json_object_get(c->args, "time") != NULL)
		json_object_set_new(body, "backup-time",
		    json_integer(call_arg_int(c, "time", 0)));
}

/* The result's head: instance, action, store, and the target. */
static json_t *
pbs_result_head(struct rt_call *c, struct rt_instance *in,
    const char *action)
{
	json_t *r = json_pack("{s:s, s:s, s:s}", "instance", in->name,
	    "action", action, "store", call_arg_str(c, "store"));
	const char *type = call_arg_str(c, "type");
	char stamp[32];

	if (call_arg_str(c, "ns") != NULL)
		json_object_set_new(r, "ns", json_string(call_arg_str(c,
		    "ns")));
	if (type == NULL) {
		json_object_set_new(r, "target", json_string("datastore"));
		return (r);
	}
	json_object_set_new(r, "group", json_sprintf("%s/%s", type,
	    call_arg_str(c, "id")));
	if (json_object_get(c->args, "time") != NULL) {
		pbs_time_string(call_arg_int(c, "time", 0), stamp,
		    sizeof stamp);
		json_object_set_new(r, "snapshot", json_sprintf("%s/%s/%s",
		    type, call_arg_str(c, "id"), stamp));
		json_object_set_new(r, "target", json_string("snapshot"));
	} else
		json_object_set_new(r, "target", json_string("group"));
	return (r);
}

/* pbs_verify_backup: a snapshot, a group or a datastore. */
static int
pbs_verify_backup(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *body, *r;
	char *path;
	int rv;

	if (c->step != NULL)
		return (pbs_step_continue(c, c->step));
	if (pbs_check_target(c) != 0)
		return (-1);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	body = json_object();
	pbs_target_body(c, body, true);
	if (json_object_get(c->args, "ignore_verified") != NULL)
		json_object_set_new(body, "ignore-verified", json_boolean(
		    json_is_true(json_object_get(c->args,
		    "ignore_verified"))));
	if (json_object_get(c->args, "outdated_after") != NULL)
		json_object_set_new(body, "outdated-after", json_integer(
		    call_arg_int(c, "outdated_after", 0)));
	r = pbs_result_head(c, in, "verify");
	path = pbs_store_path(call_arg_str(c, "store"), "/verify");
	rv = pbs_start_task(c, in, "POST", path, body, r, "verification",
	    true, false, PBS_AFTER_NONE, NULL);
	free(path);
	json_decref(body);
	return (rv);
}

static const char *const pbs_keeps[] = {
	"keep_last", "keep_hourly", "keep_daily", "keep_weekly",
	"keep_monthly", "keep_yearly", NULL,
};

/* The keep-* options of a prune request, from the arguments. */
static void
pbs_keep_body(struct rt_call *c, json_t *body)
{
	char name[32], *p;
	size_t i;

	for (i = 0; pbs_keeps[i] != NULL; i++) {
		if (json_object_get(c->args, pbs_keeps[i]) == NULL)
			continue;
		snprintf(name, sizeof name, "%s", pbs_keeps[i]);
		for (p = name; *p != '\0'; p++) {
			if (*p == '_')
				*p = '-';
		}
		json_object_set_new(body, name, json_integer(call_arg_int(c,
		    pbs_keeps[i], 0)));
	}
}

/*
 * A prune of one group (the answer lists every snapshot and whether it
 * stays) or of a datastore (a task whose log is the only list); dry runs
 * change nothing.
 */
static int
pbs_prune(struct rt_call *c, bool dry)
{
	struct rt_instance *in;
	const json_t *e;
	json_t *body, *r, *d, *rows, *remove, *reqs, *shown;
	char *path, *why = NULL;
	size_t nremove, i;
	int rv;

	if (c->step != NULL)
		return (pbs_step_continue(c, c->step));
	if (pbs_check_target(c) != 0)
		return (-1);
	if (json_object_get(c->args, "time") != NULL)
		return (call_fail(c, "arguments.time: prune works on a group "
		    "or a datastore, not one snapshot"));
	for (i = 0; pbs_keeps[i] != NULL; i++) {
		if (json_object_get(c->args, pbs_keeps[i]) != NULL)
			break;
	}
	/* PBS keeps everything without one: say so rather than no-op. */
	if (pbs_keeps[i] == NULL)
		return (call_fail(c, "arguments: set at least one of "
		    "keep_last, keep_hourly, keep_daily, keep_weekly, "
		    "keep_monthly or keep_yearly"));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	body = json_object();
	pbs_target_body(c, body, false);
	pbs_keep_body(c, body);
	r = pbs_result_head(c, in, "prune");
	json_object_set_new(r, "dry_run", json_boolean(dry));
	/* What the real run sends, for the operator who approves it. */
	shown = json_deep_copy(body);
	json_object_set_new(shown, "dry-run", json_false());
	path = pbs_store_path(call_arg_str(c, "store"), "%s",
	    call_arg_str(c, "type") != NULL ? "/prune" : "/prune-datastore");
	reqs = json_pack("[{s:s, s:s, s:o}]", "method", "POST", "path", path,
	    "body", shown);
	json_object_set_new(r, "requests", reqs);
	json_object_set_new(body, "dry-run", json_boolean(dry));
	if (call_arg_str(c, "type") == NULL) {
		/* The log is the only list: always wait for it. */
		rv = pbs_start_task(c, in, "POST", path, body, r, dry ?
		    "prune (dry run)" : "prune", true, true,
		    PBS_AFTER_PRUNE_LOG, NULL);
		if (c->step != NULL)
			((struct pbs_step *)c->step)->dry = dry;
		free(path);
		json_decref(body);
		return (rv);
	}
	d = pbs_call_req(pbs_of(in), "POST", path, body, &why);
	free(path);
	json_decref(body);
	if (d == NULL) {
		json_decref(r);
		pbs_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	rows = pbs_parse_prune(d, &nremove);
	json_decref(d);
	if (rows == NULL) {
		json_decref(r);
		return (pbs_fail(c, in, "prune: unexpected answer: not a "
		    "list"));
	}
	remove = json_array();
	json_array_foreach(rows, i, e) {
		if (!json_is_true(json_object_get(e, "keep")))
			json_array_append(remove, json_object_get(e,
			    "snapshot"));
	}
	json_object_set_new(r, "status", json_string(dry ? "dry_run" : "ok"));
	json_object_set_new(r, "remove", remove);
	json_object_set_new(r, "remove_count", json_integer(
	    (json_int_t)nremove));
	json_object_set_new(r, "keep_count", json_integer(
	    (json_int_t)(json_array_size(rows) - nremove)));
	json_object_set_new(r, "snapshots", rows);
	if (!dry)
		instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* pbs_prune_backups: the real run (dry_run false, approved). */
static int
pbs_prune_backups(struct rt_call *c)
{
	return (pbs_prune(c, false));
}

/* describe for pbs_prune_backups: PBS's own dry run. */
static int
pbs_describe_prune(struct rt_call *c)
{
	return (pbs_prune(c, true));
}

/* pbs_run_gc: garbage collection on a datastore. */
static int
pbs_run_gc(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *r;
	char *path;
	int rv;

	if (c->step != NULL)
		return (pbs_step_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	r = json_pack("{s:s, s:s, s:s}", "instance", in->name, "action", "gc",
	    "store", call_arg_str(c, "store"));
	path = pbs_store_path(call_arg_str(c, "store"), "/gc");
	rv = pbs_start_task(c, in, "POST", path, NULL, r, "garbage "
	    "collection", true, false, PBS_AFTER_GC_STATUS,
	    call_arg_str(c, "store"));
	free(path);
	return (rv);
}

/* pbs_sync_to_remote: runs a configured sync job, pull or push. */
static int
pbs_sync_to_remote(struct rt_call *c)
{
	struct rt_instance *in;
	const char *job = call_arg_str(c, "job");
	const char *want = call_arg_str(c, "direction");
	const json_t *e, *found = NULL;
	const char *dir;
	json_t *d, *r;
	char *why = NULL, *path, *esc;
	size_t i;
	int rv;

	if (c->step != NULL)
		return (pbs_step_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((d = pbs_call_req(pbs_of(in), "GET", "/admin/sync", NULL,
	    &why)) == NULL) {
		pbs_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_array_foreach(d, i, e) {
		if (pbs_eq(e, "id", job)) {
			found = e;
			break;
		}
	}
	if (found == NULL) {
		json_decref(d);
		return (pbs_fail(c, in, "no sync job \"%s\" (GET /admin/sync "
		    "lists the configured ones)", job));
	}
	/* A job without sync-direction is a pull, PBS's default. */
	dir = json_string_value(json_object_get(found, "sync-direction"));
	if (dir == NULL)
		dir = "pull";
	if (want != NULL && strcmp(want, dir) != 0) {
		rv = pbs_fail(c, in, "sync job \"%s\" is a %s, not a %s", job,
		    dir, want);
		json_decref(d);
		return (rv);
	}
	r = json_pack("{s:s, s:s, s:s, s:s, s:O?, s:O?, s:O?}", "instance",
	    in->name, "action", "sync", "job", job, "direction", dir, "store",
	    json_object_get(found, "store"), "remote", json_object_get(found,
	    "remote"), "remote_store", json_object_get(found, "remote-store"));
	json_decref(d);
	esc = http_escape(job);
	xasprintf(&path, "/admin/sync/%s/run", esc);
	free(esc);
	rv = pbs_start_task(c, in, "POST", path, NULL, r, "sync", false,
	    false, PBS_AFTER_NONE, NULL);
	free(path);
	return (rv);
}

/* pbs_get_task_status: a task's state, exit status and log tail. */
static int
pbs_get_task_status(struct rt_call *c)
{
	struct rt_instance *in;
	struct pbs_upid u;
	const char *upid = call_arg_str(c, "upid");
	json_int_t lines = call_arg_int(c, "log_lines", PBS_LOG_TAIL);
	const char *status, *exitstatus;
	char *path, *why = NULL;
	json_t *d, *r;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (pbs_upid_parse(upid, &u) != 0)
		return (call_fail(c, "arguments.upid: not a PBS task id (UPID:"
		    "node:pid:pstart:task_id:starttime:type:id:authid:)"));
	path = pbs_task_path(u.node, upid, "status");
	d = pbs_call_req(pbs_of(in), "GET", path, NULL, &why);
	free(path);
	if (d == NULL) {
		pbs_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	status = json_string_value(json_object_get(d, "status"));
	exitstatus = json_string_value(json_object_get(d, "exitstatus"));
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "instance", in->name, "upid", upid, "node", u.node,
	    "type", u.type, "id", u.id, "user", u.authid,
	    "status", status != NULL ? status : "unknown",
	    "starttime", (json_int_t)u.starttime);
	if (json_is_integer(json_object_get(d, "endtime")))
		json_object_set(r, "endtime", json_object_get(d, "endtime"));
	if (status != NULL && strcmp(status, "stopped") == 0) {
		json_object_set_new(r, "exitstatus", exitstatus != NULL ?
		    json_string(exitstatus) : json_null());
		json_object_set_new(r, "ok",
		    json_boolean(pbs_exitstatus_ok(exitstatus)));
	} else {
		json_object_set_new(r, "exitstatus", json_null());
		json_object_set_new(r, "ok", json_null());
	}
	json_decref(d);
	if (lines > 0)
		json_object_set_new(r, "log_tail", pbs_log_tail(pbs_of(in),
		    u.node, upid, (size_t)lines));
	return (call_ok(c, r));
}

/* Schema fragments. */
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"backup\"],\"x-counterexamples\":[\"Backup Server\"]," \
	"\"description\":\"Configured PBS instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"backup\"],\"x-counterexamples\":[\"Backup Server\"]," \
	"\"description\":\"Only this configured instance; every one " \
	"when left out.\"}"
/* PBS's SAFE_ID: datastore, backup id and job names. */
#define S_SAFE_ID(ex, bad, desc) \
	"{\"type\":\"string\",\"maxLength\":128,\"pattern\":" \
	"\"^[A-Za-z0-9_][A-Za-z0-9._-]*$\",\"examples\":[\"" ex "\"]," \
	"\"x-counterexamples\":[\"" bad "\"],\"description\":\"" desc "\"}"
#define S_STORE(desc) "\"store\":" S_SAFE_ID("store1", "../etc", desc)
#define S_NS \
	"\"ns\":{\"type\":\"string\",\"maxLength\":256,\"pattern\":" \
	"\"^(([A-Za-z0-9_][A-Za-z0-9._-]*/){0,7}[A-Za-z0-9_][A-Za-z0-9._-]*)?$\"," \
	"\"examples\":[\"lab/pve1\"],\"x-counterexamples\":[\"/lab\"]," \
	"\"description\":\"Namespace; the root when left out.\"}"
#define S_GROUP \
	"\"type\":{\"enum\":[\"vm\",\"ct\",\"host\"],\"description\":" \
	"\"Backup type of the group (with id).\"},\"id\":" \
	S_SAFE_ID("100", "vm/100", "Backup id of the group: a guest's " \
	"VMID or a host name.")
#define S_WAIT(def) \
	"\"wait\":{\"type\":\"boolean\",\"default\":" def ",\"description\":" \
	"\"Wait for the task to end (without holding a worker) and report " \
	"its exit status; false returns the UPID at once.\"}," \
	"\"timeout_s\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400," \
	"\"default\":300,\"description\":\"How long to wait for the task; " \
	"past it the result says running and gives the UPID.\"}"
#define S_KEEP(n, what) \
	"\"keep_" n "\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" \
	"100000,\"description\":\"Keep this many " what ".\"}"
#define INSTANCE_ERRORS_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"error\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"error\":" S_STR "}}"

#define DATASTORE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"store\"," \
	"\"estimated_full_date\",\"gc_state\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"store\":" S_STR ",\"total\":" S_INT \
	",\"used\":" S_INT ",\"avail\":" S_INT ",\"usage\":" S_NUM \
	",\"estimated_full_date\":{\"type\":[\"integer\",\"null\"]}," \
	"\"days_to_full\":" S_INT ",\"mount_status\":" S_STR \
	",\"backend_type\":" S_STR ",\"error\":" S_STR ",\"groups\":" S_INT \
	",\"gc_state\":" S_STR ",\"gc_last_end\":" S_INT ",\"gc_next_run\":" \
	S_INT ",\"gc_schedule\":" S_STR ",\"gc_removed_bytes\":" S_INT \
	",\"gc_pending_bytes\":" S_INT ",\"gc_disk_bytes\":" S_INT \
	",\"gc_index_data_bytes\":" S_INT ",\"gc_upid\":" S_STR "}}"
#define SNAPSHOT_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"store\",\"ns\"," \
	"\"type\",\"id\",\"time\",\"snapshot\",\"verification\"," \
	"\"protected\"],\"properties\":{\"instance\":" S_STR ",\"store\":" \
	S_STR ",\"ns\":" S_STR ",\"type\":" S_STR ",\"id\":" S_STR \
	",\"time\":" S_INT ",\"snapshot\":" S_STR ",\"size\":" S_INT \
	",\"verification\":{\"enum\":[\"ok\",\"failed\",\"none\"]}," \
	"\"verify_upid\":" S_STR ",\"protected\":" S_BOOL ",\"owner\":" \
	S_STR ",\"comment\":" S_STR ",\"files\":" S_INT "}}"
#define TASK_PROPS \
	"\"instance\":" S_STR ",\"action\":" S_STR ",\"store\":" S_STR \
	",\"ns\":" S_STR ",\"target\":{\"enum\":[\"datastore\",\"group\"," \
	"\"snapshot\"]},\"group\":" S_STR ",\"snapshot\":" S_STR \
	",\"upid\":" S_STR ",\"status\":{\"enum\":[\"ok\",\"running\"," \
	"\"dry_run\"]},\"exitstatus\":{\"type\":[\"string\",\"null\"]}," \
	"\"waited_ms\":" S_INT ",\"timed_out\":" S_BOOL ",\"message\":" S_STR
#define TASK_OUTPUT(extra) \
	"{\"type\":\"object\",\"required\":[\"instance\",\"action\"," \
	"\"status\"],\"properties\":{" TASK_PROPS extra "}}"

static const struct rt_tool pbs_tools[] = {
	{
	    .name = "pbs_list_datastores",
	    .title = "List PBS datastores",
	    .description = "Datastores of every configured Proxmox Backup "
		"Server: total, used and available bytes, usage, the date PBS "
		"estimates the store will be full (null when usage is not "
		"growing), garbage collection state and counters, and how "
		"many backup groups each holds. Answers from the last refresh "
		"when it is fresh enough.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_STORE("Only "
		"this datastore.") "," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DATASTORE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pbs_list_datastores,
	},
	{
	    .name = "pbs_list_backups",
	    .title = "List PBS backups",
	    .description = "Backup snapshots, newest first within each group: "
		"type (vm, ct, host), id, time, size, verification state (ok, "
		"failed, none), protected and owner. Filter by datastore, "
		"namespace, group (type and id), time range (epoch seconds) "
		"or verification state. Always a live read.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_STORE("Only "
		"this datastore; every one when left out.") "," S_NS ","
		S_GROUP ",\"since\":{\"type\":\"integer\",\"minimum\":0,"
		"\"description\":\"Only snapshots at or after this time "
		"(epoch seconds).\"},\"until\":{\"type\":\"integer\","
		"\"minimum\":0,\"description\":\"Only snapshots at or before "
		"this time (epoch seconds).\"},\"verification\":{\"enum\":"
		"[\"ok\",\"failed\",\"none\"]}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(SNAPSHOT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pbs_list_backups,
	},
	{
	    .name = "pbs_verify_backup",
	    .title = "Verify PBS backups",
	    .description = "Verifies the chunks of one snapshot (type, id and "
		"time), a group (type and id) or a whole datastore, and by "
		"default waits for the verification task. A verification "
		"that finds a bad chunk fails, with the task's last log "
		"lines naming the snapshot.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"store\"],\"properties\":{" S_INSTANCE
		"," S_STORE("Datastore to verify in.") "," S_NS "," S_GROUP
		",\"time\":{\"type\":\"integer\",\"minimum\":0,\"description\":"
		"\"Snapshot time (epoch seconds), with type and id.\"},"
		"\"ignore_verified\":{\"type\":\"boolean\",\"description\":"
		"\"Skip snapshots verified recently (see outdated_after).\"},"
		"\"outdated_after\":{\"type\":\"integer\",\"minimum\":1,"
		"\"description\":\"Days after which a verification is "
		"outdated.\"}," S_WAIT("true") "}}",
	    .output_schema = TASK_OUTPUT(""),
	    .flags = RT_IDEMPOTENT,
	    .call = pbs_verify_backup,
	},
	{
	    .name = "pbs_prune_backups",
	    .title = "Prune PBS backups",
	    .description = "Applies keep-last/hourly/daily/weekly/monthly/"
		"yearly retention to one backup group (type and id) or to "
		"every group of a datastore. A dry run by default: it lists "
		"what would go and deletes nothing; dry_run false deletes "
		"(protected snapshots always stay). For a whole datastore PBS "
		"runs a task, and its log is the list.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"store\"],\"properties\":{" S_INSTANCE ","
		S_STORE("Datastore to prune.") "," S_NS "," S_GROUP ","
		S_KEEP("last", "newest snapshots") "," S_KEEP("hourly",
		"hourly snapshots") "," S_KEEP("daily", "daily snapshots") ","
		S_KEEP("weekly", "weekly snapshots") "," S_KEEP("monthly",
		"monthly snapshots") "," S_KEEP("yearly", "yearly snapshots")
		",\"dry_run\":{\"type\":\"boolean\",\"default\":true,"
		"\"description\":\"List what would go and delete nothing; "
		"false deletes.\"}," S_WAIT("true") "}}",
	    .output_schema = TASK_OUTPUT(",\"dry_run\":" S_BOOL ",\"remove\":"
		"{\"type\":\"array\",\"items\":" S_STR "},\"remove_count\":"
		S_INT ",\"keep_count\":" S_INT ",\"snapshots\":{\"type\":"
		"\"array\",\"items\":{\"type\":\"object\",\"required\":"
		"[\"type\",\"id\",\"time\",\"snapshot\",\"keep\"],"
		"\"properties\":{\"type\":" S_STR ",\"id\":" S_STR ",\"time\":"
		S_INT ",\"snapshot\":" S_STR ",\"keep\":" S_BOOL ",\"protected\":"
		S_BOOL "}}},\"requests\":{\"type\":\"array\",\"items\":{"
		"\"type\":\"object\",\"required\":[\"method\",\"path\"],"
		"\"properties\":{\"method\":" S_STR ",\"path\":" S_STR
		",\"body\":{\"type\":\"object\"}}}}"),
	    .flags = RT_DESTRUCTIVE,
	    .call = pbs_prune_backups,
	    .describe = pbs_describe_prune,
	},
	{
	    .name = "pbs_sync_to_remote",
	    .title = "Run a PBS sync job",
	    .description = "Runs a configured sync job now, pulling from or "
		"pushing to its remote, and returns the task id at once "
		"(wait true waits for it). direction, when given, must match "
		"the job's.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"job\"],\"properties\":{" S_INSTANCE
		",\"job\":" S_SAFE_ID("s-offsite", "s offsite", "Sync job id.")
		",\"direction\":{\"enum\":[\"pull\",\"push\"]}," S_WAIT("false")
		"}}",
	    .output_schema = TASK_OUTPUT(",\"job\":" S_STR ",\"direction\":"
		S_STR ",\"remote\":" S_STR ",\"remote_store\":" S_STR),
	    .flags = 0,
	    .call = pbs_sync_to_remote,
	},
	{
	    .name = "pbs_run_gc",
	    .title = "Run PBS garbage collection",
	    .description = "Starts garbage collection on a datastore (frees "
		"chunks no snapshot references any more) and by default "
		"waits for it, then reports removed and pending bytes.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"store\"],\"properties\":{" S_INSTANCE
		"," S_STORE("Datastore.") "," S_WAIT("true") "}}",
	    .output_schema = TASK_OUTPUT(",\"gc\":{\"type\":\"object\","
		"\"properties\":{\"removed_bytes\":" S_INT ",\"pending_bytes\":"
		S_INT ",\"disk_bytes\":" S_INT ",\"removed_chunks\":" S_INT
		",\"state\":" S_STR "}}"),
	    .flags = 0,
	    .call = pbs_run_gc,
	},
	{
	    .name = "pbs_get_task_status",
	    .title = "PBS task status",
	    .description = "A task by UPID (as the other pbs tools return "
		"it): running or stopped, its exit status, and the tail of "
		"its log.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"upid\"],\"properties\":{" S_INSTANCE
		",\"upid\":{\"type\":\"string\",\"maxLength\":512,\"pattern\":"
		"\"^UPID:[a-zA-Z0-9-]+:[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8,9}:"
		"[0-9A-Fa-f]{8,16}:[0-9A-Fa-f]{8}:[^:\\\\s]+:[^:\\\\s]*:"
		"[^:\\\\s]+:$\",\"examples\":[\"UPID:pbs:000003E8:0000A1B2:"
		"00000001:695B8C00:garbage_collection:store1:root@pam:\"],"
		"\"x-counterexamples\":[\"UPID:pve1:0003A1B2:0B1C2D3E:66312A00:"
		"qmstart:100:root@pam:\"]},\"log_lines\":{\"type\":\"integer\","
		"\"minimum\":0,\"maximum\":500,\"default\":10,\"description\":"
		"\"Lines of the log's tail.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"upid\",\"node\",\"status\"],\"properties\":{\"instance\":"
		S_STR ",\"upid\":" S_STR ",\"node\":" S_STR ",\"type\":" S_STR
		",\"id\":" S_STR ",\"user\":" S_STR ",\"status\":" S_STR
		",\"exitstatus\":{\"type\":[\"string\",\"null\"]},\"ok\":"
		"{\"type\":[\"boolean\",\"null\"]},\"starttime\":" S_INT
		",\"endtime\":" S_INT ",\"log_tail\":{\"type\":\"array\","
		"\"items\":" S_STR "}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pbs_get_task_status,
	},
	{ .name = NULL },
};

static const struct rt_column pbs_store_columns[] = {
	{ "Datastore", "/store", RT_COL_TEXT, 12 },
	{ "Usage", "/usage", RT_COL_GAUGE, 10 },
	{ "Used", "/used", RT_COL_BYTES, 8 },
	{ "Avail", "/avail", RT_COL_BYTES, 8 },
	{ "Size", "/total", RT_COL_BYTES, 8 },
	{ "Full in d", "/days_to_full", RT_COL_NUMBER, 9 },
	{ "Groups", "/groups", RT_COL_NUMBER, 6 },
	{ "GC", "/gc_state", RT_COL_STATE, 8 },
	{ "Last GC", "/gc_last_end", RT_COL_AGE, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey pbs_store_keys[] = {
	{ 'g', "gc", "pbs_run_gc",
	    "{\"instance\":\"/instance\",\"store\":\"/store\"}" },
	{ 'v', "verify", "pbs_verify_backup",
	    "{\"instance\":\"/instance\",\"store\":\"/store\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column pbs_group_columns[] = {
	{ "Group", "/group", RT_COL_TEXT, 0 },
	{ "Datastore", "/store", RT_COL_TEXT, 12 },
	{ "Last backup", "/last_backup", RT_COL_AGE, 11 },
	{ "State", "/state", RT_COL_STATE, 7 },
	{ "Count", "/backup_count", RT_COL_NUMBER, 5 },
	{ "Owner", "/owner", RT_COL_TEXT, 16 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey pbs_group_keys[] = {
	{ 'v', "verify", "pbs_verify_backup",
	    "{\"instance\":\"/instance\",\"store\":\"/store\",\"type\":"
	    "\"/type\",\"id\":\"/id\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_view pbs_views[] = {
	{ "datastores", "Datastores", "/datastores", pbs_store_columns,
	    pbs_store_keys },
	{ "backups", "Backups", "/groups", pbs_group_columns, pbs_group_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service pbs_service = {
	.name = "pbs",
	.title = "Proxmox Backup Server",
	.tools = pbs_tools,
	.views = pbs_views,
	.refresh_s = PBS_REFRESH_S,
	.create = pbs_create,
	.destroy = pbs_destroy,
	.poll = pbs_poll,
	.problems = pbs_problems,
};
