/*
 * Proxmox VE backend: transport (HTTP through core/http, API token or
 * ticket login), the poller (one GET /cluster/resources plus one GET
 * /cluster/status per refresh) and the proxmox_* tools. Parsing lives in
 * proxmox-parse.c.
 *
 * DESIGN
 * Owner: one struct pve per configured instance, created and destroyed
 * on the main thread. The poller thread uses pve->poller alone; tool
 * calls run on any worker and borrow a client from pve->pool (an
 * http_pool). The token or login ticket is pve->sess, the session this
 * backend shares with Proxmox Backup Server's (pxsession.c): a thread
 * that needs a ticket while another logs in waits and uses its result.
 * Tools that start a task keep their state in c->step and re-arm with
 * call_again() between task-status polls, so no worker waits on a task.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/proxmox.h"
#include "services/pxsession.h"
#include "services/services.h"

#define PVE_REFRESH_S 5
#define PVE_MAX_AGE_S 10	/* default max_age_s of reads */
#define PVE_LOCATE_AGE_S 30	/* how old a guest's location may be */
#define PVE_POOL_MAX 4
#define PVE_LOG_TAIL 10
#define PVE_BACKUP_STALE_S (24 * 3600)	/* a guest's last backup, flagged */

struct pve {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	struct px_session sess;	/* token or ticket (pxsession.h) */

	struct http_pool pool;	/* tool calls' clients */

	struct http_client *poller;	/* the poller thread's own */
	struct pve_ips *ips;		/* guest addresses; the poller's */
};

/* One upstream task a tool started. */
struct pve_task {
	char *node;
	char *upid;
	char *status;		/* "running", "stopped" */
	char *exitstatus;
};

/* The state of a tool that waits on tasks, between steps. */
struct pve_step {
	struct rt_instance *in;
	bool wait;
	bool timed_out;
	int64_t started_mono;
	int64_t deadline_mono;
	int timeout_s;
	json_t *result;		/* being built; owned */
	struct pve_task *tasks;
	size_t ntasks;
	/* A request to make once the tasks so far ended well. */
	char *next_method;
	char *next_path;
	json_t *next_body;
	char *next_node;
};

/* The request a write tool makes, and what it acts on. */
struct pve_plan {
	struct rt_instance *in;
	const char *action;
	char *method;
	char *path;
	json_t *body;		/* may be NULL */
	char *method2;		/* a second request after the first task */
	char *path2;
	json_t *body2;
	json_t *target;		/* the guest row or request target */
	char *node;
	char type[8];
	long long vmid;
	char *unchanged;	/* nothing to do: why */
};

/* The state of an instance. */
static struct pve *
pve_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "proxmox NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
pve_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "proxmox %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* One API request through the instance's session (pxsession.h). */
static json_t *
pve_req(struct pve *p, struct http_client *cl, const char *method,
    const char *path, const json_t *body, int *kind, char **cause)
{
	return (px_request(&p->sess, cl, method, path, body, kind, cause));
}

/*
 * Gives guests last_backup and backup_state ("ok", or "stale" after a day)
 * where another instance's snapshot has a backup group of the same type
 * and id (a "groups" section of {type: vm|ct, id, last_backup} rows, as
 * the backup server backend publishes), newest across instances.
 */
static void
pve_merge_backups(struct pve *p, json_t *snap)
{
	struct registry *reg = p->in != NULL ? p->in->reg : NULL;
	struct rt_instance *other;
	struct snapshot *s;
	const json_t *g, *v;
	const char *type, *id;
	json_t *last, *row;
	char key[160];
	int64_t now = clock_wall_ms() / 1000;
	json_int_t t;
	size_t i, j;

	if (reg == NULL)
		return;
	last = json_object();
	for (i = 0; i < registry_ninstances(reg); i++) {
		other = registry_instance_at(reg, i);
		if (other == p->in ||
		    (s = snapshot_acquire(&other->slot)) == NULL)
			continue;
		json_array_foreach(json_object_get(s->data, "groups"), j, g) {
			type = json_string_value(json_object_get(g, "type"));
			id = json_string_value(json_object_get(g, "id"));
			v = json_object_get(g, "last_backup");
			if (type == NULL || id == NULL || !json_is_integer(v) ||
			    (strcmp(type, "vm") != 0 && strcmp(type, "ct") != 0))
				continue;
			snprintf(key, sizeof key, "%s/%s", strcmp(type, "vm") ==
			    0 ? "qemu" : "lxc", id);
			if (json_integer_value(json_object_get(last, key)) <
			    json_integer_value(v))
				json_object_set_new(last, key, json_integer(
				    json_integer_value(v)));
		}
		snapshot_release(s);
	}
	json_array_foreach(json_object_get(snap, "guests"), i, row) {
		snprintf(key, sizeof key, "%s/%lld", json_string_value(
		    json_object_get(row, "type")), (long long)
		    json_integer_value(json_object_get(row, "vmid")));
		if ((v = json_object_get(last, key)) == NULL)
			continue;
		t = json_integer_value(v);
		json_object_set_new(row, "last_backup", json_integer(t));
		json_object_set_new(row, "backup_state", json_string(now - t >
		    PVE_BACKUP_STALE_S ? "stale" : "ok"));
	}
	json_decref(last);
}

/* Fetches and parses resources and cluster status. New reference. */
static json_t *
pve_fetch(struct pve *p, struct http_client *cl, int *kind, char **cause)
{
	json_t *res, *st, *snap, *cluster;
	char *why = NULL;

	if ((res = pve_req(p, cl, "GET", "/cluster/resources", NULL, kind,
	    cause)) == NULL)
		return (NULL);
	if ((st = pve_req(p, cl, "GET", "/cluster/status", NULL, kind,
	    cause)) == NULL) {
		json_decref(res);
		return (NULL);
	}
	snap = pve_parse_resources(res, p->name, &why);
	cluster = snap != NULL ? pve_parse_cluster_status(st, &why) : NULL;
	json_decref(res);
	json_decref(st);
	if (cluster == NULL) {
		json_decref(snap);
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET %s: unexpected answer", why);
		free(why);
		return (NULL);
	}
	json_object_set_new(snap, "cluster", cluster);
	pve_merge_backups(p, snap);
	return (snap);
}

/* One guest's interfaces for the secondary poll (poller thread). */
static json_t *
pve_ips_get(void *arg, const char *path, char **cause)
{
	struct pve *p = arg;
	int kind;

	return (pve_req(p, p->poller, "GET", path, NULL, &kind, cause));
}

/* The poller: one refresh, and a step of the guest address poll. */
static json_t *
pve_poll(void *arg, int *kind, char **cause)
{
	struct pve *p = arg;

	json_t *snap;

	if (p->poller == NULL &&
	    (p->poller = http_client_create(&p->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	if ((snap = pve_fetch(p, p->poller, kind, cause)) != NULL)
		pve_ips_refresh(p->ips, snap, clock_mono_ms(), pve_ips_get, p);
	return (snap);
}

/* A live fetch with a pooled client, for read_view_get. */
static json_t *
pve_view_fetch(void *arg, int *kind, char **cause)
{
	struct pve *p = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	j = pve_fetch(p, cl, kind, cause);
	http_pool_put(&p->pool, cl);
	return (j);
}

/* Frees an instance's state. */
static void
pve_destroy(void *arg)
{
	struct pve *p = arg;

	if (p == NULL)
		return;
	http_pool_finish(&p->pool);
	http_client_destroy(p->poller);
	px_session_finish(&p->sess);
	pve_ips_destroy(p->ips);
	free(p->name);
	free((char *)p->opts.base_url);
	free((char *)p->opts.ca_file);
	free((char *)p->opts.fingerprint);
	free(p);
}

/* Creates an instance from its [proxmox "name"] section. */
static void *
pve_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token_id, *token, *user, *password;
	struct http_client *cl;
	struct pve *p;
	char *why = NULL, *base;
	size_t len;
	long timeout, ip_refresh;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)) {
		xasprintf(cause, "url: %s", url == NULL ? "missing (e.g. "
		    "https://pve.lan:8006)" : "must start with https://");
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
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0 ||
	    conf_get_int(ic, "ip_refresh", PVE_IP_REFRESH_S, &ip_refresh,
	    &why) != 0) {
		*cause = why;
		return (NULL);
	}
	if (ip_refresh < 0 || ip_refresh > 86400) {
		xasprintf(cause, "ip_refresh: seconds from 0 (never) to 86400");
		return (NULL);
	}
	p = xcalloc(1, sizeof *p);
	p->in = in;
	p->name = xstrdup(ic->name);
	p->ips = pve_ips_create((int)ip_refresh);
	http_pool_init(&p->pool, &p->opts, PVE_POOL_MAX);
	px_session_init(&p->sess, pve_cookie_header, pve_csrf_header);
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
		if ((p->sess.token_hdr = pve_token_header(token_id, token)) ==
		    NULL) {
			xasprintf(cause, "token_id must read USER@REALM!TOKENID "
			    "(e.g. racktop@pve!dashboard) and token be the "
			    "secret");
			pve_destroy(p);
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
		pve_destroy(p);
		return (NULL);
	}
	http_pool_put(&p->pool, cl);
	return (p);
}

/* Whether a string contains another, ignoring case. */
static bool
pve_contains(const char *hay, const char *needle)
{
	return (hay != NULL && strcasestr(hay, needle) != NULL);
}

/* Whether a JSON array of strings holds s. */
static bool
pve_has_string(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return (true);
	}
	return (false);
}

/* Whether a row's string member equals want (or want is NULL). */
static bool
pve_eq(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcmp(v, want) == 0));
}

/* Filter of proxmox_list_nodes. */
static bool
pve_match_node(struct rt_call *c, const json_t *row)
{
	return (pve_eq(row, "status", call_arg_str(c, "status")));
}

/* Filter of proxmox_list_vms. */
static bool
pve_match_guest(struct rt_call *c, const json_t *row)
{
	const char *name = call_arg_str(c, "name");
	const json_t *tmpl = json_object_get(c->args, "template");

	if (!pve_eq(row, "node", call_arg_str(c, "node")) ||
	    !pve_eq(row, "type", call_arg_str(c, "type")) ||
	    !pve_eq(row, "status", call_arg_str(c, "status")))
		return (false);
	if (name != NULL && !pve_contains(json_string_value(
	    json_object_get(row, "name")), name))
		return (false);
	if (json_is_boolean(tmpl) &&
	    json_is_true(tmpl) != json_is_true(json_object_get(row,
	    "template")))
		return (false);
	return (true);
}

/* Filter of proxmox_list_storage. */
static bool
pve_match_storage(struct rt_call *c, const json_t *row)
{
	const char *content = call_arg_str(c, "content");

	if (!pve_eq(row, "node", call_arg_str(c, "node")))
		return (false);
	return (content == NULL || pve_has_string(json_object_get(row,
	    "content"), content));
}

/* A list read over one section of the snapshot, every instance. */
static int
pve_list(struct rt_call *c, const char *section,
    bool (*match)(struct rt_call *, const json_t *))
{
	return (read_view_list(c, PVE_MAX_AGE_S, pve_view_fetch, section,
	    match));
}

/* proxmox_list_nodes: cluster nodes with load and memory. */
static int
pve_list_nodes(struct rt_call *c)
{
	return (pve_list(c, "nodes", pve_match_node));
}

/* proxmox_list_vms: QEMU VMs and LXC containers. */
static int
pve_list_vms(struct rt_call *c)
{
	return (pve_list(c, "guests", pve_match_guest));
}

/* proxmox_list_storage: storages per node. */
static int
pve_list_storage(struct rt_call *c)
{
	return (pve_list(c, "storage", pve_match_storage));
}

/* A path with an escaped node: "/nodes/NODE" + rest (caller frees). */
static char *pve_node_path(const char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static char *
pve_node_path(const char *node, const char *fmt, ...)
{
	va_list ap;
	char *esc, *rest, *path;

	esc = http_escape(node);
	va_start(ap, fmt);
	xvasprintf(&rest, fmt, ap);
	va_end(ap);
	xasprintf(&path, "/nodes/%s%s", esc, rest);
	free(esc);
	free(rest);
	return (path);
}

/* A live GET with a pooled client; new reference, or NULL and *cause. */
static json_t *
pve_get(struct pve *p, const char *path, char **cause)
{
	struct http_client *cl;
	json_t *d;
	int kind;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	d = pve_req(p, cl, "GET", path, NULL, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (d);
}

/* A live write with a pooled client; new reference, or NULL and *cause. */
static json_t *
pve_write(struct pve *p, const char *method, const char *path,
    const json_t *body, char **cause)
{
	struct http_client *cl;
	json_t *d;
	int kind;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	d = pve_req(p, cl, method, path, body, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (d);
}

/* proxmox_get_node_status: one node's load, memory, disk and versions. */
static int
pve_get_node_status(struct rt_call *c)
{
	struct rt_instance *in;
	struct pve *p;
	struct read_view v;
	const char *node = call_arg_str(c, "node");
	const json_t *row;
	json_t *r, *d;
	char *why = NULL, *path;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	p = pve_of(in);
	if (read_view_get(in, call_arg_int(c, "max_age_s", PVE_MAX_AGE_S),
	    pve_view_fetch, p, &v, &why) != 0) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if ((row = pve_find_node(json_object_get(v.data, "nodes"),
	    node)) == NULL) {
		read_view_put(&v);
		return (pve_fail(c, in, "no node named \"%s\"", node));
	}
	if (!pve_eq(row, "status", "online")) {
		/* An offline node answers nothing: report what is known. */
		r = json_deep_copy(row);
		json_object_del(r, "id");
		json_object_del(r, "level");
		json_object_set_new(r, "age_ms", json_integer(v.age_ms));
		read_view_put(&v);
		return (call_ok(c, r));
	}
	read_view_put(&v);
	path = pve_node_path(node, "/status");
	d = pve_get(p, path, &why);
	free(path);
	if (d == NULL) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	r = pve_parse_node_status(d, in->name, node);
	json_object_set_new(r, "age_ms", json_integer(0));
	json_decref(d);
	return (call_ok(c, r));
}

/*
 * Finds a guest in data no older than max_age_s: a new copy of its row,
 * or NULL after failing the call.
 */
static json_t *
pve_locate(struct rt_call *c, struct rt_instance *in, long long vmid,
    json_int_t max_age_s, int64_t *age_ms)
{
	struct read_view v;
	const json_t *row;
	json_t *copy;
	char *why = NULL;

	if (read_view_get(in, max_age_s, pve_view_fetch, pve_of(in), &v,
	    &why) != 0) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	row = pve_find_guest(json_object_get(v.data, "guests"), vmid);
	if (row == NULL && v.snap != NULL) {
		/* Perhaps created since the last refresh: look live. */
		read_view_put(&v);
		if (read_view_get(in, 0, pve_view_fetch, pve_of(in), &v,
		    &why) != 0) {
			pve_fail(c, in, "%s", why);
			free(why);
			return (NULL);
		}
		row = pve_find_guest(json_object_get(v.data, "guests"), vmid);
	}
	if (row == NULL) {
		read_view_put(&v);
		pve_fail(c, in, "no guest with vmid %lld", vmid);
		return (NULL);
	}
	copy = json_deep_copy(row);
	if (age_ms != NULL)
		*age_ms = v.age_ms;
	read_view_put(&v);
	return (copy);
}

/* The status/current path of a guest row (caller frees). */
static char *
pve_guest_path(const json_t *row, const char *rest)
{
	return (pve_node_path(json_string_value(json_object_get(row, "node")),
	    "/%s/%lld%s", json_string_value(json_object_get(row, "type")),
	    (long long)json_integer_value(json_object_get(row, "vmid")),
	    rest));
}

/* Refreshes a guest row from status/current; 0, or -1 and *cause. */
static int
pve_guest_live(struct pve *p, json_t *row, char **cause)
{
	char *path;
	json_t *d;

	path = pve_guest_path(row, "/status/current");
	d = pve_get(p, path, cause);
	free(path);
	if (d == NULL)
		return (-1);
	pve_merge_guest_status(row, d);
	json_decref(d);
	return (0);
}

/* proxmox_get_vm_status: one guest's state and usage. */
static int
pve_get_vm_status(struct rt_call *c)
{
	struct rt_instance *in;
	json_int_t max_age = call_arg_int(c, "max_age_s", PVE_MAX_AGE_S);
	long long vmid = call_arg_int(c, "vmid", 0);
	int64_t age = 0;
	json_t *row;
	char *why = NULL;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = pve_locate(c, in, vmid, max_age, &age)) == NULL)
		return (-1);
	if (max_age == 0 && json_object_get(row, "node") != NULL &&
	    !pve_eq(row, "status", "unknown")) {
		if (pve_guest_live(pve_of(in), row, &why) != 0) {
			json_decref(row);
			pve_fail(c, in, "%s", why);
			free(why);
			return (-1);
		}
		age = 0;
	}
	json_object_set_new(row, "age_ms", json_integer(age));
	return (call_ok(c, row));
}

/* proxmox_get_cluster_status: name, quorum and node membership. */
static int
pve_get_cluster_status(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *clusters, *errors, *cl;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	clusters = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    PVE_MAX_AGE_S), pve_view_fetch, pve_of(ins[i]), &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		cl = json_deep_copy(json_object_get(v.data, "cluster"));
		if (cl == NULL)
			cl = json_object();
		json_object_set_new(cl, "instance", json_string(ins[i]->name));
		json_object_set_new(cl, "age_ms", json_integer(v.age_ms));
		json_array_append_new(clusters, cl);
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(clusters);
		return (call_fail_all(c, errors));
	}
	return (call_ok(c, json_pack("{s:o, s:o}", "clusters", clusters,
	    "instance_errors", errors)));
}

/* The tail of a task's log (new array; empty when it cannot be read). */
static json_t *
pve_log_tail(struct pve *p, const char *node, const char *upid, size_t n)
{
	char *path, *esc, *why = NULL;
	json_t *d, *tail;

	esc = http_escape(upid);
	path = pve_node_path(node, "/tasks/%s/log?start=0&limit=50000", esc);
	free(esc);
	d = pve_get(p, path, &why);
	free(path);
	free(why);
	tail = pve_task_log_tail(d, n);
	json_decref(d);
	return (tail);
}

/* Joins log lines for an error message (caller frees). */
static char *
pve_join_lines(const json_t *lines)
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

/* proxmox_get_task_status: a task's state, exit status and log tail. */
static int
pve_get_task_status(struct rt_call *c)
{
	struct rt_instance *in;
	struct pve_upid u;
	const char *upid = call_arg_str(c, "upid");
	const char *node = call_arg_str(c, "node");
	json_int_t lines = call_arg_int(c, "log_lines", PVE_LOG_TAIL);
	const char *status, *exitstatus;
	char *path, *esc, *why = NULL;
	json_t *d, *r;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (pve_upid_parse(upid, &u) != 0)
		return (call_fail(c, "arguments.upid: not a Proxmox task id "
		    "(UPID:node:pid:pstart:starttime:type:id:user:)"));
	if (node == NULL)
		node = u.node;
	esc = http_escape(upid);
	path = pve_node_path(node, "/tasks/%s/status", esc);
	free(esc);
	d = pve_get(pve_of(in), path, &why);
	free(path);
	if (d == NULL) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	status = json_string_value(json_object_get(d, "status"));
	exitstatus = json_string_value(json_object_get(d, "exitstatus"));
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "instance", in->name, "upid", upid, "node", node,
	    "type", u.type, "id", u.id, "user", u.user,
	    "status", status != NULL ? status : "unknown",
	    "starttime", (json_int_t)u.starttime);
	if (status != NULL && strcmp(status, "stopped") == 0) {
		json_object_set_new(r, "exitstatus", exitstatus != NULL ?
		    json_string(exitstatus) : json_null());
		json_object_set_new(r, "ok",
		    json_boolean(pve_exitstatus_ok(exitstatus)));
	} else {
		json_object_set_new(r, "exitstatus", json_null());
		json_object_set_new(r, "ok", json_null());
	}
	json_decref(d);
	if (lines > 0)
		json_object_set_new(r, "log_tail", pve_log_tail(pve_of(in),
		    node, upid, (size_t)lines));
	return (call_ok(c, r));
}

/* Frees a task-waiting state. */
static void
pve_step_free(void *arg)
{
	struct pve_step *st = arg;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ntasks; i++) {
		free(st->tasks[i].node);
		free(st->tasks[i].upid);
		free(st->tasks[i].status);
		free(st->tasks[i].exitstatus);
	}
	free(st->tasks);
	json_decref(st->result);
	free(st->next_method);
	free(st->next_path);
	json_decref(st->next_body);
	free(st->next_node);
	free(st);
}

/* Attaches a new task-waiting state to a call; result is stolen. */
static struct pve_step *
pve_step_new(struct rt_call *c, struct rt_instance *in, json_t *result)
{
	struct pve_step *st = xcalloc(1, sizeof *st);

	st->in = in;
	st->result = result;
	st->wait = json_is_true(json_object_get(c->args, "wait")) ||
	    json_object_get(c->args, "wait") == NULL;
	st->timeout_s = (int)call_arg_int(c, "timeout_s", 120);
	st->started_mono = clock_mono_ms();
	st->deadline_mono = st->started_mono + (int64_t)st->timeout_s * 1000;
	c->step = st;
	c->step_free = pve_step_free;
	return (st);
}

/* Records a started task; the node comes from the UPID when it parses. */
static void
pve_step_add(struct pve_step *st, const char *node, const char *upid)
{
	struct pve_upid u;
	struct pve_task *t;

	st->tasks = xreallocarray(st->tasks, st->ntasks + 1,
	    sizeof *st->tasks);
	t = &st->tasks[st->ntasks++];
	memset(t, 0, sizeof *t);
	t->node = xstrdup(pve_upid_parse(upid, &u) == 0 ? u.node : node);
	t->upid = xstrdup(upid);
	t->status = xstrdup("running");
}

/*
 * Makes a request that starts a task and records it. 0, or -1 after
 * failing the call.
 */
static int
pve_step_start(struct rt_call *c, struct pve_step *st, const char *method,
    const char *path, const json_t *body, const char *node)
{
	char *why = NULL;
	json_t *d;

	d = pve_write(pve_of(st->in), method, path, body, &why);
	if (d == NULL) {
		pve_fail(c, st->in, "%s", why);
		free(why);
		return (-1);
	}
	if (!json_is_string(d)) {
		json_decref(d);
		return (pve_fail(c, st->in, "%s %s: unexpected answer: no "
		    "task id", method, path));
	}
	pve_step_add(st, node, json_string_value(d));
	json_decref(d);
	return (0);
}

/*
 * Polls the running tasks: 1 while waiting (call_again armed), 0 when all
 * ended well or waiting is over, -1 after failing the call.
 */
static int
pve_step_poll(struct rt_call *c, struct pve_step *st)
{
	struct pve_task *t;
	const char *status, *exitstatus;
	char *path, *esc, *why = NULL, *log, msg[160];
	json_t *d, *tail;
	size_t i, running = 0;
	int64_t now;

	if (!st->wait)
		return (0);
	for (i = 0; i < st->ntasks; i++) {
		t = &st->tasks[i];
		if (strcmp(t->status, "running") != 0)
			continue;
		esc = http_escape(t->upid);
		path = pve_node_path(t->node, "/tasks/%s/status", esc);
		free(esc);
		d = pve_get(pve_of(st->in), path, &why);
		free(path);
		if (d == NULL) {
			pve_fail(c, st->in, "task %s: %s", t->upid, why);
			free(why);
			return (-1);
		}
		status = json_string_value(json_object_get(d, "status"));
		exitstatus = json_string_value(json_object_get(d,
		    "exitstatus"));
		if (status == NULL || strcmp(status, "stopped") != 0) {
			running++;
			json_decref(d);
			continue;
		}
		free(t->status);
		t->status = xstrdup("stopped");
		t->exitstatus = exitstatus != NULL ? xstrdup(exitstatus) :
		    NULL;
		json_decref(d);
		if (!pve_exitstatus_ok(t->exitstatus)) {
			tail = pve_log_tail(pve_of(st->in), t->node, t->upid,
			    PVE_LOG_TAIL);
			log = pve_join_lines(tail);
			json_decref(tail);
			pve_fail(c, st->in, "task %s failed: %s%s%s", t->upid,
			    t->exitstatus != NULL ? t->exitstatus :
			    "no exit status", *log != '\0' ?
			    "\nlast log lines:" : "", log);
			free(log);
			return (-1);
		}
	}
	if (running == 0)
		return (0);
	now = clock_mono_ms();
	if (now >= st->deadline_mono) {
		st->timed_out = true;
		return (0);
	}
	if (call_should_stop(c)) {
		return (pve_fail(c, st->in, "stopped waiting for task %s; it "
		    "may still be running: ask proxmox_get_task_status",
		    st->tasks[0].upid));
	}
	snprintf(msg, sizeof msg, "waiting for %zu task%s (%s)", running,
	    running == 1 ? "" : "s", st->tasks[0].upid);
	call_progress(c, (double)(now - st->started_mono) / 1000.0,
	    (double)st->timeout_s, msg);
	call_again(c, 1000);
	return (1);
}

/* Sets the final result of a task-waiting tool. */
static int
pve_step_finish(struct rt_call *c, struct pve_step *st)
{
	json_t *r = st->result, *tasks = json_array();
	bool all_done = true;
	size_t i;

	st->result = NULL;
	for (i = 0; i < st->ntasks; i++) {
		json_array_append_new(tasks, json_pack("{s:s, s:s, s:s, s:s?}",
		    "node", st->tasks[i].node, "upid", st->tasks[i].upid,
		    "status", st->tasks[i].status, "exitstatus",
		    st->tasks[i].exitstatus));
		if (strcmp(st->tasks[i].status, "running") == 0)
			all_done = false;
	}
	if (st->ntasks > 0)
		json_object_set_new(r, "upid", json_string(st->tasks[0].upid));
	json_object_set_new(r, "tasks", tasks);
	json_object_set_new(r, "status", json_string(all_done ? "ok" :
	    "running"));
	json_object_set_new(r, "waited_ms", json_integer(clock_mono_ms() -
	    st->started_mono));
	if (st->timed_out) {
		json_object_set_new(r, "timed_out", json_true());
		json_object_set_new(r, "message", json_sprintf("still running "
		    "after %d s; follow it with proxmox_get_task_status",
		    st->timeout_s));
	}
	instance_refresh_soon(st->in);
	return (call_ok(c, r));
}

/* Continues a task-waiting tool: polls, starts the next request, ends. */
static int
pve_step_continue(struct rt_call *c, struct pve_step *st)
{
	int rv;

	if ((rv = pve_step_poll(c, st)) != 0)
		return (rv > 0 ? RT_CALL_AGAIN : -1);
	if (st->next_path != NULL && !st->timed_out) {
		rv = pve_step_start(c, st, st->next_method, st->next_path,
		    st->next_body, st->next_node);
		free(st->next_path);
		st->next_path = NULL;
		if (rv != 0)
			return (-1);
		return (call_again(c, 500));
	}
	return (pve_step_finish(c, st));
}

/* Frees what a plan owns. */
static void
pve_plan_free(struct pve_plan *pl)
{
	free(pl->method);
	free(pl->path);
	json_decref(pl->body);
	free(pl->method2);
	free(pl->path2);
	json_decref(pl->body2);
	json_decref(pl->target);
	free(pl->node);
	free(pl->unchanged);
	memset(pl, 0, sizeof *pl);
}

/* The dry-run preview of a plan. */
static int
pve_plan_preview(struct rt_call *c, struct pve_plan *pl)
{
	json_t *reqs = json_array(), *r;

	json_array_append_new(reqs, json_pack("{s:s, s:s, s:o}",
	    "method", pl->method, "path", pl->path, "body", pl->body != NULL ?
	    audit_redact(pl->body) : json_object()));
	if (pl->path2 != NULL)
		json_array_append_new(reqs, json_pack("{s:s, s:s, s:o}",
		    "method", pl->method2, "path", pl->path2, "body",
		    pl->body2 != NULL ? audit_redact(pl->body2) :
		    json_object()));
	r = json_pack("{s:s, s:s, s:s, s:b, s:o, s:O}", "instance",
	    pl->in->name, "action", pl->action, "status", "dry_run",
	    "dry_run", 1, "requests", reqs, "target", pl->target != NULL ?
	    pl->target : json_object());
	if (pl->vmid > 0)
		json_object_set_new(r, "vmid", json_integer(pl->vmid));
	if (pl->node != NULL)
		json_object_set_new(r, "node", json_string(pl->node));
	if (pl->type[0] != '\0')
		json_object_set_new(r, "type", json_string(pl->type));
	pve_plan_free(pl);
	return (call_ok(c, r));
}

/* Runs a plan: the first request, then waiting in steps. */
static int
pve_plan_run(struct rt_call *c, struct pve_plan *pl)
{
	struct pve_step *st;
	json_t *r;

	r = json_pack("{s:s, s:s}", "instance", pl->in->name, "action",
	    pl->action);
	if (pl->vmid > 0)
		json_object_set_new(r, "vmid", json_integer(pl->vmid));
	if (pl->node != NULL)
		json_object_set_new(r, "node", json_string(pl->node));
	if (pl->type[0] != '\0')
		json_object_set_new(r, "type", json_string(pl->type));
	if (pl->unchanged != NULL) {
		json_object_set_new(r, "status", json_string("unchanged"));
		json_object_set_new(r, "message", json_string(pl->unchanged));
		pve_plan_free(pl);
		return (call_ok(c, r));
	}
	st = pve_step_new(c, pl->in, r);
	if (pve_step_start(c, st, pl->method, pl->path, pl->body,
	    pl->node) != 0) {
		pve_plan_free(pl);
		return (-1);
	}
	if (pl->path2 != NULL) {
		/* The second request needs the first task's end. */
		st->wait = true;
		st->next_method = pl->method2;
		st->next_path = pl->path2;
		st->next_body = pl->body2;
		st->next_node = xstrdup(pl->node);
		pl->method2 = pl->path2 = NULL;
		pl->body2 = NULL;
	}
	pve_plan_free(pl);
	if (!st->wait)
		return (pve_step_finish(c, st));
	return (call_again(c, 500));
}

/*
 * Plans a power action or delete on a guest: locates it, reads its state
 * live, and builds the request. 0, or -1 after failing the call.
 */
static int
pve_plan_guest(struct rt_call *c, const char *action, struct pve_plan *pl)
{
	struct rt_instance *in;
	long long vmid = call_arg_int(c, "vmid", 0);
	const char *status, *name;
	json_t *row;
	char *why = NULL, what[64];
	bool running;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((row = pve_locate(c, in, vmid, PVE_LOCATE_AGE_S, NULL)) == NULL)
		return (-1);
	pl->in = in;
	pl->action = action;
	pl->target = row;
	pl->vmid = vmid;
	pl->node = xstrdup(json_string_value(json_object_get(row, "node")));
	snprintf(pl->type, sizeof pl->type, "%s",
	    json_string_value(json_object_get(row, "type")));
	name = json_string_value(json_object_get(row, "name"));
	snprintf(what, sizeof what, "guest %lld%s%s%s", vmid,
	    name != NULL ? " (" : "", name != NULL ? name : "",
	    name != NULL ? ")" : "");
	if (pve_eq(row, "status", "unknown")) {
		pve_plan_free(pl);
		return (pve_fail(c, in, "%s is on a node that does not answer "
		    "(status unknown)", what));
	}
	/* Decide on the state as it is now, not as last polled. */
	if (pve_guest_live(pve_of(in), row, &why) != 0) {
		pve_plan_free(pl);
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	status = json_string_value(json_object_get(row, "status"));
	running = status != NULL && strcmp(status, "running") == 0;
	pl->method = xstrdup("POST");
	if (strcmp(action, "start") == 0) {
		if (json_is_true(json_object_get(row, "template"))) {
			pve_plan_free(pl);
			return (pve_fail(c, in, "%s is a template and cannot "
			    "start", what));
		}
		if (running)
			xasprintf(&pl->unchanged, "%s is already running", what);
		pl->path = pve_guest_path(row, "/status/start");
	} else if (strcmp(action, "stop") == 0 ||
	    strcmp(action, "shutdown") == 0) {
		if (!running)
			xasprintf(&pl->unchanged, "%s is already %s", what,
			    status != NULL ? status : "stopped");
		pl->path = pve_guest_path(row, strcmp(action, "stop") == 0 ?
		    "/status/stop" : "/status/shutdown");
		if (strcmp(action, "shutdown") == 0 &&
		    json_object_get(c->args, "shutdown_timeout_s") != NULL)
			pl->body = json_pack("{s:I}", "timeout",
			    call_arg_int(c, "shutdown_timeout_s", 180));
	} else if (strcmp(action, "reboot") == 0) {
		if (!running) {
			pve_plan_free(pl);
			return (pve_fail(c, in, "%s is not running; start it "
			    "instead", what));
		}
		pl->path = pve_guest_path(row, "/status/reboot");
	} else {
		if (running && !json_is_true(json_object_get(c->args,
		    "stop_first"))) {
			pve_plan_free(pl);
			return (pve_fail(c, in, "%s is running; stop it first "
			    "or pass \"stop_first\": true", what));
		}
		free(pl->method);
		pl->method = xstrdup("DELETE");
		pl->path = pve_guest_path(row, json_is_true(json_object_get(
		    c->args, "purge")) ? "?purge=1&destroy-unreferenced-disks=1"
		    : "");
		if (running) {
			pl->method2 = pl->method;
			pl->path2 = pl->path;
			pl->method = xstrdup("POST");
			pl->path = pve_guest_path(row, "/status/stop");
		}
	}
	return (0);
}

/* A power action or delete: plan, preview or run, then wait. */
static int
pve_guest_action(struct rt_call *c, const char *action)
{
	struct pve_plan pl;

	if (c->step != NULL)
		return (pve_step_continue(c, c->step));
	if (pve_plan_guest(c, action, &pl) != 0)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (pve_plan_preview(c, &pl));
	return (pve_plan_run(c, &pl));
}

/* proxmox_start_vm. */
static int
pve_start_vm(struct rt_call *c)
{
	return (pve_guest_action(c, "start"));
}

/* proxmox_stop_vm. */
static int
pve_stop_vm(struct rt_call *c)
{
	return (pve_guest_action(c, "stop"));
}

/* proxmox_shutdown_vm. */
static int
pve_shutdown_vm(struct rt_call *c)
{
	return (pve_guest_action(c, "shutdown"));
}

/* proxmox_reboot_vm. */
static int
pve_reboot_vm(struct rt_call *c)
{
	return (pve_guest_action(c, "reboot"));
}

/* proxmox_delete_vm. */
static int
pve_delete_vm(struct rt_call *c)
{
	return (pve_guest_action(c, "delete"));
}

/* describe for the guest tools: the request they would make. */
static int
pve_describe_guest(struct rt_call *c)
{
	struct pve_plan pl;
	const char *name = c->rt->tool->name;
	const char *action = strstr(name, "_stop_") != NULL ? "stop" :
	    strstr(name, "_shutdown_") != NULL ? "shutdown" :
	    strstr(name, "_reboot_") != NULL ? "reboot" :
	    strstr(name, "_start_") != NULL ? "start" : "delete";

	if (pve_plan_guest(c, action, &pl) != 0)
		return (-1);
	return (pve_plan_preview(c, &pl));
}

/* The next free VMID from the cluster; 0, or -1 after failing the call. */
static int
pve_next_vmid(struct rt_call *c, struct rt_instance *in, long long *vmid)
{
	char *why = NULL;
	json_t *d;
	int rv;

	if ((d = pve_get(pve_of(in), "/cluster/nextid", &why)) == NULL) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	rv = pve_vmid_value(d, vmid);
	json_decref(d);
	if (rv != 0)
		return (pve_fail(c, in, "GET /cluster/nextid: unexpected "
		    "answer"));
	return (0);
}

/* Checks a node exists and is online; 0, or -1 after failing the call. */
static int
pve_check_node(struct rt_call *c, struct rt_instance *in, const char *node)
{
	struct read_view v;
	const json_t *row;
	char *why = NULL;
	int rv = 0;

	if (read_view_get(in, PVE_LOCATE_AGE_S, pve_view_fetch, pve_of(in), &v,
	    &why) != 0) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	row = pve_find_node(json_object_get(v.data, "nodes"), node);
	if (row == NULL)
		rv = pve_fail(c, in, "no node named \"%s\"", node);
	else if (!pve_eq(row, "status", "online"))
		rv = pve_fail(c, in, "node %s is %s", node, json_string_value(
		    json_object_get(row, "status")));
	read_view_put(&v);
	return (rv);
}

/* proxmox_create_lxc: a new container from a template. */
static int
pve_create_lxc(struct rt_call *c)
{
	struct rt_instance *in;
	struct pve_plan pl;
	const char *node = call_arg_str(c, "node");
	const char *storage = call_arg_str(c, "storage");
	const char *s;
	long long vmid;

	if (c->step != NULL)
		return (pve_step_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (pve_check_node(c, in, node) != 0)
		return (-1);
	if (json_object_get(c->args, "vmid") != NULL)
		vmid = call_arg_int(c, "vmid", 0);
	else if (pve_next_vmid(c, in, &vmid) != 0)
		return (-1);
	memset(&pl, 0, sizeof pl);
	pl.in = in;
	pl.action = "create_lxc";
	pl.vmid = vmid;
	pl.node = xstrdup(node);
	snprintf(pl.type, sizeof pl.type, "lxc");
	pl.method = xstrdup("POST");
	pl.path = pve_node_path(node, "/lxc");
	pl.body = json_pack("{s:I, s:s, s:I, s:I, s:I, s:s, s:i, s:i}",
	    "vmid", (json_int_t)vmid, "ostemplate",
	    call_arg_str(c, "template"), "cores", call_arg_int(c, "cores", 1),
	    "memory", call_arg_int(c, "memory", 512),
	    "swap", call_arg_int(c, "swap", 512),
	    "net0", call_arg_str(c, "network"),
	    "unprivileged", json_is_false(json_object_get(c->args,
	    "unprivileged")) ? 0 : 1,
	    "start", json_is_true(json_object_get(c->args, "start")) ? 1 : 0);
	json_object_set_new(pl.body, "rootfs", json_sprintf("%s:%lld",
	    storage, (long long)call_arg_int(c, "disk", 8)));
	json_object_set_new(pl.body, "storage", json_string(storage));
	if ((s = call_arg_str(c, "hostname")) != NULL)
		json_object_set_new(pl.body, "hostname", json_string(s));
	if ((s = call_arg_str(c, "password")) != NULL)
		json_object_set_new(pl.body, "password", json_string(s));
	if ((s = call_arg_str(c, "ssh_public_keys")) != NULL)
		json_object_set_new(pl.body, "ssh-public-keys", json_string(s));
	return (pve_plan_run(c, &pl));
}

/* Compares two strings for qsort. */
static int
pve_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* proxmox_create_backup: vzdump, one request per node holding guests. */
static int
pve_create_backup(struct rt_call *c)
{
	struct rt_instance *in;
	struct read_view v;
	struct pve_step *st;
	const json_t *vmids, *e, *row;
	const char *node, *storage = call_arg_str(c, "storage");
	char **nodes, *list, *tmp, *path, *why = NULL;
	json_t *body, *r;
	size_t i, j, n, nn = 0;
	long long vmid;
	int rv = 0;

	if (c->step != NULL)
		return (pve_step_continue(c, c->step));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	vmids = json_object_get(c->args, "vmids");
	n = json_array_size(vmids);
	if (read_view_get(in, PVE_LOCATE_AGE_S, pve_view_fetch, pve_of(in), &v,
	    &why) != 0) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	/* Every guest must exist on a node that answers, before anything. */
	nodes = xcalloc(n + 1, sizeof *nodes);
	json_array_foreach(vmids, i, e) {
		vmid = json_integer_value(e);
		row = pve_find_guest(json_object_get(v.data, "guests"), vmid);
		if (row == NULL) {
			rv = pve_fail(c, in, "no guest with vmid %lld", vmid);
			break;
		}
		node = json_string_value(json_object_get(row, "node"));
		if (node == NULL || !pve_eq(pve_find_node(json_object_get(
		    v.data, "nodes"), node), "status", "online")) {
			rv = pve_fail(c, in, "guest %lld is on node %s, which "
			    "is not online", vmid, node != NULL ? node : "?");
			break;
		}
		for (j = 0; j < nn && strcmp(nodes[j], node) != 0; j++)
			;
		if (j == nn)
			nodes[nn++] = xstrdup(node);
	}
	if (rv != 0)
		goto out;
	qsort(nodes, nn, sizeof *nodes, pve_strcmp);
	r = json_pack("{s:s, s:s, s:O}", "instance", in->name, "action",
	    "backup", "vmids", vmids);
	st = pve_step_new(c, in, r);
	for (j = 0; j < nn; j++) {
		list = NULL;
		json_array_foreach(vmids, i, e) {
			row = pve_find_guest(json_object_get(v.data, "guests"),
			    json_integer_value(e));
			if (!pve_eq(row, "node", nodes[j]))
				continue;
			xasprintf(&tmp, "%s%s%lld", list != NULL ? list : "",
			    list != NULL ? "," : "",
			    (long long)json_integer_value(e));
			free(list);
			list = tmp;
		}
		body = json_pack("{s:s, s:s, s:s}", "vmid", list, "mode",
		    call_arg_str(c, "mode"), "compress",
		    call_arg_str(c, "compress"));
		if (storage != NULL)
			json_object_set_new(body, "storage",
			    json_string(storage));
		path = pve_node_path(nodes[j], "/vzdump");
		rv = pve_step_start(c, st, "POST", path, body, nodes[j]);
		free(path);
		free(list);
		json_decref(body);
		if (rv != 0)
			goto out;
	}
	rv = st->wait ? call_again(c, 500) : pve_step_finish(c, st);
out:
	for (j = 0; j < nn; j++)
		free(nodes[j]);
	free(nodes);
	read_view_put(&v);
	return (rv);
}

/* Whether a storage row can hold backups on an online node. */
static bool
pve_backup_storage(const json_t *data, const json_t *row)
{
	const char *node = json_string_value(json_object_get(row, "node"));

	return (pve_has_string(json_object_get(row, "content"), "backup") &&
	    pve_eq(row, "status", "available") && node != NULL &&
	    pve_eq(pve_find_node(json_object_get(data, "nodes"), node),
	    "status", "online"));
}

/* Backups of one instance, appended to items; 0, or -1 and *cause. */
static int
pve_instance_backups(struct rt_call *c, struct rt_instance *in,
    json_t *items, char **cause)
{
	struct read_view v;
	const char *want_node = call_arg_str(c, "node");
	const char *want_storage = call_arg_str(c, "storage");
	json_int_t want_vmid = call_arg_int(c, "vmid", 0);
	const json_t *row;
	const char *node, *storage;
	json_t *seen, *d, *rows;
	char *path, *esc, vq[48];
	size_t i;
	int rv = 0;

	if (read_view_get(in, call_arg_int(c, "max_age_s", PVE_MAX_AGE_S),
	    pve_view_fetch, pve_of(in), &v, cause) != 0)
		return (-1);
	seen = json_object();
	json_array_foreach(json_object_get(v.data, "storage"), i, row) {
		node = json_string_value(json_object_get(row, "node"));
		storage = json_string_value(json_object_get(row, "storage"));
		if (!pve_backup_storage(v.data, row) ||
		    (want_node != NULL && strcmp(node, want_node) != 0) ||
		    (want_storage != NULL && strcmp(storage,
		    want_storage) != 0))
			continue;
		/* A shared storage holds the same files on every node. */
		if (json_is_true(json_object_get(row, "shared"))) {
			if (json_object_get(seen, storage) != NULL)
				continue;
			json_object_set_new(seen, storage, json_true());
		}
		vq[0] = '\0';
		if (want_vmid > 0)
			snprintf(vq, sizeof vq, "&vmid=%lld",
			    (long long)want_vmid);
		esc = http_escape(storage);
		path = pve_node_path(node, "/storage/%s/content?content=backup%s",
		    esc, vq);
		free(esc);
		d = pve_get(pve_of(in), path, cause);
		free(path);
		if (d == NULL) {
			rv = -1;
			break;
		}
		rows = pve_parse_backups(d, in->name, node, storage);
		json_array_extend(items, rows);
		json_decref(rows);
		json_decref(d);
	}
	json_decref(seen);
	read_view_put(&v);
	return (rv);
}

/* proxmox_list_backups: vzdump archives on backup storages. */
static int
pve_list_backups(struct rt_call *c)
{
	struct rt_instance **ins;
	json_t *items, *errors;
	char *why;
	size_t n, i, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (pve_instance_backups(c, ins[i], items, &why) != 0) {
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

/* Plans a restore; 0, or -1 after failing the call. */
static int
pve_plan_restore(struct rt_call *c, struct pve_plan *pl)
{
	struct rt_instance *in;
	struct read_view v;
	const char *archive = call_arg_str(c, "archive");
	const char *node = call_arg_str(c, "node");
	const char *type = call_arg_str(c, "type");
	const char *storage = call_arg_str(c, "storage");
	bool force = json_is_true(json_object_get(c->args, "force"));
	const json_t *row, *existing = NULL;
	char *why = NULL;
	size_t i, online = 0;
	long long vmid = 0;
	int rv = -1;

	memset(pl, 0, sizeof *pl);
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (type == NULL) {
		if (strstr(archive, "vzdump-qemu-") != NULL)
			type = "qemu";
		else if (strstr(archive, "vzdump-lxc-") != NULL)
			type = "lxc";
		else
			return (call_fail(c, "arguments.type: required: the "
			    "archive name does not say qemu or lxc"));
	}
	if (read_view_get(in, PVE_LOCATE_AGE_S, pve_view_fetch, pve_of(in), &v,
	    &why) != 0) {
		pve_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if (json_object_get(c->args, "vmid") != NULL) {
		vmid = call_arg_int(c, "vmid", 0);
		existing = pve_find_guest(json_object_get(v.data, "guests"),
		    vmid);
	}
	if (existing != NULL && !force) {
		pve_fail(c, in, "vmid %lld exists; pass \"force\": true to "
		    "replace it with the backup (its disks are overwritten)",
		    vmid);
		goto out;
	}
	if (existing != NULL && !pve_eq(existing, "status", "stopped")) {
		pve_fail(c, in, "guest %lld is %s; stop it before restoring "
		    "over it", vmid, json_string_value(json_object_get(existing,
		    "status")));
		goto out;
	}
	if (existing != NULL && !pve_eq(existing, "type", type)) {
		pve_fail(c, in, "guest %lld is %s, the archive is %s", vmid,
		    json_string_value(json_object_get(existing, "type")), type);
		goto out;
	}
	if (node == NULL && existing != NULL)
		node = json_string_value(json_object_get(existing, "node"));
	if (node == NULL) {
		json_array_foreach(json_object_get(v.data, "nodes"), i, row) {
			if (pve_eq(row, "status", "online")) {
				online++;
				node = json_string_value(json_object_get(row,
				    "node"));
			}
		}
		if (online != 1) {
			call_fail(c, "arguments.node: required: the cluster "
			    "has %zu online nodes", online);
			goto out;
		}
	}
	row = pve_find_node(json_object_get(v.data, "nodes"), node);
	if (row == NULL || !pve_eq(row, "status", "online")) {
		pve_fail(c, in, "node %s is %s", node, row == NULL ?
		    "not in the cluster" : "not online");
		goto out;
	}
	pl->node = xstrdup(node);
	pl->target = existing != NULL ? json_deep_copy(existing) :
	    json_pack("{s:s, s:s}", "archive", archive, "node", node);
	rv = 0;
out:
	read_view_put(&v);
	if (rv != 0) {
		pve_plan_free(pl);
		return (-1);
	}
	if (vmid == 0 && pve_next_vmid(c, in, &vmid) != 0) {
		pve_plan_free(pl);
		return (-1);
	}
	pl->in = in;
	pl->action = "restore";
	pl->vmid = vmid;
	snprintf(pl->type, sizeof pl->type, "%s", type);
	pl->method = xstrdup("POST");
	if (strcmp(type, "qemu") == 0) {
		pl->path = pve_node_path(pl->node, "/qemu");
		pl->body = json_pack("{s:I, s:s}", "vmid", (json_int_t)vmid,
		    "archive", archive);
	} else {
		/* Containers restore through create with restore=1. */
		pl->path = pve_node_path(pl->node, "/lxc");
		pl->body = json_pack("{s:I, s:s, s:i}", "vmid",
		    (json_int_t)vmid, "ostemplate", archive, "restore", 1);
	}
	if (storage != NULL)
		json_object_set_new(pl->body, "storage", json_string(storage));
	if (force)
		json_object_set_new(pl->body, "force", json_integer(1));
	return (0);
}

/* proxmox_restore_backup: a guest from a vzdump archive. */
static int
pve_restore_backup(struct rt_call *c)
{
	struct pve_plan pl;

	if (c->step != NULL)
		return (pve_step_continue(c, c->step));
	if (pve_plan_restore(c, &pl) != 0)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (pve_plan_preview(c, &pl));
	return (pve_plan_run(c, &pl));
}

/* describe for proxmox_restore_backup. */
static int
pve_describe_restore(struct rt_call *c)
{
	struct pve_plan pl;

	if (pve_plan_restore(c, &pl) != 0)
		return (-1);
	return (pve_plan_preview(c, &pl));
}

/* Schema fragments. */
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured Proxmox instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one " \
	"when left out.\"}"
#define S_VMID \
	"\"vmid\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":" \
	"999999999,\"description\":\"The guest's VMID.\"}"
#define S_NODE_PAT \
	"\"type\":\"string\",\"pattern\":" \
	"\"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$\"," \
	"\"examples\":[\"pve1\"],\"x-counterexamples\":[\"pve 1\"]"
#define S_STORAGE_PAT \
	"\"type\":\"string\",\"pattern\":\"^[a-zA-Z][a-zA-Z0-9._-]*$\"," \
	"\"examples\":[\"local-lvm\"],\"x-counterexamples\":[\"9 local\"]"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":10," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_WAIT \
	"\"wait\":{\"type\":\"boolean\",\"default\":true,\"description\":" \
	"\"Wait for the task to end (without holding a worker) and " \
	"report its exit status; false returns the UPID at once.\"}," \
	"\"timeout_s\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3600," \
	"\"default\":120,\"description\":\"How long to wait for the task; " \
	"past it the result says running and gives the UPID.\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the request it would make and do nothing.\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_STR "{\"type\":\"string\"}"

#define GUEST_PROPS \
	"\"instance\":" S_STR ",\"id\":" S_STR "," \
	"\"type\":{\"enum\":[\"qemu\",\"lxc\"]},\"vmid\":" S_INT "," \
	"\"node\":" S_STR ",\"name\":" S_STR ",\"status\":" S_STR "," \
	"\"cpu\":" S_NUM ",\"maxcpu\":" S_INT ",\"mem\":" S_INT "," \
	"\"maxmem\":" S_INT ",\"disk\":" S_INT ",\"maxdisk\":" S_INT "," \
	"\"uptime\":" S_INT ",\"netin\":" S_INT ",\"netout\":" S_INT "," \
	"\"template\":{\"type\":\"boolean\"},\"tags\":{\"type\":\"array\"," \
	"\"items\":" S_STR "},\"lock\":" S_STR ",\"hastate\":" S_STR "," \
	"\"qmpstatus\":" S_STR ",\"pid\":" S_INT ",\"last_backup\":" S_INT \
	",\"backup_state\":{\"enum\":[\"ok\",\"stale\"]}," \
	"\"ips\":{\"type\":\"array\",\"items\":" S_STR "}," \
	"\"macs\":{\"type\":\"array\",\"items\":" S_STR "}"
#define GUEST_REQUIRED \
	"\"required\":[\"instance\",\"id\",\"type\",\"vmid\",\"status\"," \
	"\"template\",\"tags\"]"
#define GUEST_ITEM \
	"{\"type\":\"object\"," GUEST_REQUIRED ",\"properties\":{" \
	GUEST_PROPS "}}"
#define NODE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"node\"," \
	"\"status\"],\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR \
	",\"node\":" S_STR ",\"status\":" S_STR ",\"cpu\":" S_NUM \
	",\"maxcpu\":" S_INT ",\"mem\":" S_INT ",\"maxmem\":" S_INT \
	",\"disk\":" S_INT ",\"maxdisk\":" S_INT ",\"uptime\":" S_INT \
	",\"level\":" S_STR "}}"
#define STORAGE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"storage\"," \
	"\"node\",\"status\",\"content\",\"shared\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"id\":" S_STR ",\"storage\":" S_STR \
	",\"node\":" S_STR ",\"status\":" S_STR ",\"disk\":" S_INT \
	",\"maxdisk\":" S_INT ",\"plugintype\":" S_STR ",\"content\":" \
	"{\"type\":\"array\",\"items\":" S_STR "},\"shared\":" \
	"{\"type\":\"boolean\"}}}"
#define BACKUP_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"volid\",\"node\"," \
	"\"storage\"],\"properties\":{\"instance\":" S_STR ",\"volid\":" \
	S_STR ",\"node\":" S_STR ",\"storage\":" S_STR ",\"type\":{\"enum\":" \
	"[\"qemu\",\"lxc\"]},\"vmid\":" S_INT ",\"size\":" S_INT \
	",\"ctime\":" S_INT ",\"format\":" S_STR ",\"notes\":" S_STR \
	",\"protected\":{\"type\":\"boolean\"}}}"
#define CLUSTER_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"name\",\"quorate\"," \
	"\"standalone\",\"nodes_total\",\"nodes_online\",\"nodes\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"name\":{\"type\":" \
	"[\"string\",\"null\"]},\"quorate\":{\"type\":\"boolean\"}," \
	"\"standalone\":{\"type\":\"boolean\"},\"nodes_total\":" S_INT \
	",\"nodes_online\":" S_INT ",\"version\":" S_INT ",\"age_ms\":" S_INT \
	",\"nodes\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"online\"],\"properties\":{\"name\":" S_STR \
	",\"online\":{\"type\":\"boolean\"},\"local\":{\"type\":\"boolean\"}," \
	"\"ip\":" S_STR ",\"nodeid\":" S_INT "}}}}}"
#define INSTANCE_ERRORS \
	"\"instance_errors\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"instance\",\"error\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"error\":" S_STR "}}}"
#define TASK_OUTPUT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"action\"," \
	"\"status\"],\"properties\":{\"instance\":" S_STR ",\"action\":" \
	S_STR ",\"status\":{\"enum\":[\"ok\",\"running\",\"unchanged\"," \
	"\"dry_run\"]},\"upid\":" S_STR ",\"vmid\":" S_INT ",\"vmids\":" \
	"{\"type\":\"array\",\"items\":" S_INT "},\"node\":" S_STR \
	",\"type\":" S_STR ",\"waited_ms\":" S_INT ",\"timed_out\":" \
	"{\"type\":\"boolean\"},\"message\":" S_STR ",\"tasks\":{\"type\":" \
	"\"array\",\"items\":{\"type\":\"object\",\"required\":[\"node\"," \
	"\"upid\",\"status\"],\"properties\":{\"node\":" S_STR ",\"upid\":" \
	S_STR ",\"status\":" S_STR ",\"exitstatus\":{\"type\":[\"string\",\"null\"]}}}}," \
	"\"dry_run\":{\"type\":\"boolean\"},\"requests\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"method\",\"path\"]," \
	"\"properties\":{\"method\":" S_STR ",\"path\":" S_STR ",\"body\":" \
	"{\"type\":\"object\"}}}},\"target\":{\"type\":\"object\"}}}"
#define GUEST_INPUT(extra) \
	"{\"type\":\"object\",\"additionalProperties\":false,\"required\":" \
	"[\"vmid\"],\"properties\":{" S_INSTANCE "," S_VMID "," S_WAIT extra \
	"}}"

static const struct rt_tool pve_tools[] = {
	{
	    .name = "proxmox_list_nodes",
	    .title = "List Proxmox nodes",
	    .description = "Nodes of every configured Proxmox VE cluster with "
		"status (online/offline), CPU use (a fraction of maxcpu), "
		"memory, root disk and uptime. Answers from the last refresh "
		"when it is fresh enough.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"status\":{\"enum\":"
		"[\"online\",\"offline\",\"unknown\"],\"description\":\"Only "
		"nodes in this state.\"}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(NODE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_list_nodes,
	},
	{
	    .name = "proxmox_get_node_status",
	    .title = "Proxmox node status",
	    .description = "One node's live status: CPU use and model, load "
		"averages, memory and root filesystem in bytes, uptime, "
		"kernel and pve-manager versions. An offline node reports "
		"what the cluster knows.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"node\"],\"properties\":{" S_INSTANCE
		",\"node\":{" S_NODE_PAT ",\"description\":\"Cluster node "
		"name.\"}," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"node\",\"status\"],\"properties\":{\"instance\":" S_STR
		",\"node\":" S_STR ",\"status\":" S_STR ",\"cpu\":" S_NUM
		",\"maxcpu\":" S_INT ",\"cpu_model\":" S_STR ",\"mem\":" S_INT
		",\"maxmem\":" S_INT ",\"disk\":" S_INT ",\"maxdisk\":" S_INT
		",\"uptime\":" S_INT ",\"pveversion\":" S_STR ",\"kversion\":"
		S_STR ",\"kernel\":" S_STR ",\"loadavg\":{\"type\":\"array\","
		"\"items\":" S_NUM "},\"memory\":{\"type\":\"object\"},"
		"\"rootfs\":{\"type\":\"object\"},\"age_ms\":" S_INT "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_get_node_status,
	},
	{
	    .name = "proxmox_list_vms",
	    .title = "List Proxmox guests",
	    .description = "QEMU virtual machines and LXC containers of every "
		"configured cluster, with node, status, CPU, memory, disk, "
		"network counters, uptime, template flag and tags. Filter by "
		"node, type, status or part of the name.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"node\":{"
		S_NODE_PAT ",\"description\":\"Only guests on this node.\"},"
		"\"type\":{\"enum\":[\"qemu\",\"lxc\"],\"description\":"
		"\"qemu (VMs) or lxc (containers).\"},\"status\":{\"enum\":"
		"[\"running\",\"stopped\",\"paused\",\"unknown\"]},\"name\":"
		"{\"type\":\"string\",\"minLength\":1,\"maxLength\":128,"
		"\"description\":\"Part of the name, any case.\"},"
		"\"template\":{\"type\":\"boolean\",\"description\":\"Only "
		"templates (true) or only guests (false).\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(GUEST_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_list_vms,
	},
	{
	    .name = "proxmox_get_vm_status",
	    .title = "Proxmox guest status",
	    .description = "One guest (VM or container) by VMID: node, status, "
		"CPU, memory, disk, uptime. With max_age_s 0 it asks the node "
		"for the current status (adds qmpstatus, pid, lock).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"vmid\"],\"properties\":{" S_INSTANCE ","
		S_VMID "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\"," GUEST_REQUIRED
		",\"properties\":{" GUEST_PROPS ",\"age_ms\":" S_INT "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_get_vm_status,
	},
	{
	    .name = "proxmox_start_vm",
	    .title = "Start a Proxmox guest",
	    .description = "Starts a VM or container by VMID and, by default, "
		"waits for the start task to end. A running guest is left "
		"alone (status unchanged).",
	    .input_schema = GUEST_INPUT(""),
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_IDEMPOTENT,
	    .call = pve_start_vm,
	},
	{
	    .name = "proxmox_stop_vm",
	    .title = "Stop a Proxmox guest",
	    .description = "Stops a VM or container at once, like pulling the "
		"power cord (use proxmox_shutdown_vm for a clean shutdown). "
		"Waits for the task by default.",
	    .input_schema = GUEST_INPUT("," S_DRY_RUN),
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = pve_stop_vm,
	    .describe = pve_describe_guest,
	},
	{
	    .name = "proxmox_shutdown_vm",
	    .title = "Shut down a Proxmox guest",
	    .description = "Asks a VM (ACPI or guest agent) or container to "
		"shut down cleanly and waits for the task by default.",
	    .input_schema = GUEST_INPUT("," S_DRY_RUN ",\"shutdown_timeout_s\":"
		"{\"type\":\"integer\",\"minimum\":1,\"maximum\":3600,"
		"\"description\":\"How long Proxmox waits for the guest "
		"before the task fails.\"}"),
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_DESTRUCTIVE | RT_IDEMPOTENT,
	    .call = pve_shutdown_vm,
	    .describe = pve_describe_guest,
	},
	{
	    .name = "proxmox_reboot_vm",
	    .title = "Reboot a Proxmox guest",
	    .description = "Reboots a running VM or container cleanly (shut "
		"down, then start) and waits for the task by default.",
	    .input_schema = GUEST_INPUT("," S_DRY_RUN),
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = pve_reboot_vm,
	    .describe = pve_describe_guest,
	},
	{
	    .name = "proxmox_delete_vm",
	    .title = "Delete a Proxmox guest",
	    .description = "Destroys a VM or container and its disks. Refuses "
		"a running guest unless stop_first is true, which stops it "
		"first. purge also removes it from backup jobs and HA.",
	    .input_schema = GUEST_INPUT("," S_DRY_RUN ",\"stop_first\":{\"type\":"
		"\"boolean\",\"default\":false,\"description\":\"Stop a "
		"running guest before deleting it.\"},\"purge\":{\"type\":"
		"\"boolean\",\"default\":false,\"description\":\"Also remove "
		"it from backup jobs, replication and HA.\"}"),
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = pve_delete_vm,
	    .describe = pve_describe_guest,
	},
	{
	    .name = "proxmox_create_lxc",
	    .title = "Create a Proxmox container",
	    .description = "Creates an LXC container on a node from an OS "
		"template volume, with cores, memory (MiB), root disk (GiB) on "
		"a storage, a network interface, and a root password or SSH "
		"public keys. The VMID is the next free one unless given.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"node\",\"template\",\"storage\"],"
		"\"anyOf\":[{\"required\":[\"password\"]},{\"required\":"
		"[\"ssh_public_keys\"]}],\"properties\":{" S_INSTANCE
		",\"node\":{" S_NODE_PAT ",\"description\":\"Node to create "
		"it on.\"},\"vmid\":{\"type\":\"integer\",\"minimum\":100,"
		"\"maximum\":999999999,\"description\":\"VMID; the next free "
		"one when left out.\"},\"template\":{\"type\":\"string\","
		"\"pattern\":\"^[a-zA-Z][a-zA-Z0-9._-]*:\\\\S+$\",\"examples\":"
		"[\"local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst\"],"
		"\"x-counterexamples\":[\"debian-12.tar.zst\"],\"description\":"
		"\"OS template volume (storage:vztmpl/file).\"},\"storage\":{"
		S_STORAGE_PAT ",\"description\":\"Storage for the root "
		"disk.\"},\"hostname\":{\"type\":\"string\",\"pattern\":"
		"\"^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$\","
		"\"examples\":[\"web1\"],\"x-counterexamples\":[\"web 1\"]},"
		"\"cores\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":8192,"
		"\"default\":1},\"memory\":{\"type\":\"integer\",\"minimum\":16,"
		"\"default\":512,\"description\":\"RAM in MiB.\"},\"swap\":"
		"{\"type\":\"integer\",\"minimum\":0,\"default\":512,"
		"\"description\":\"Swap in MiB.\"},\"disk\":{\"type\":"
		"\"integer\",\"minimum\":1,\"maximum\":131072,\"default\":8,"
		"\"description\":\"Root disk in GiB.\"},\"network\":{\"type\":"
		"\"string\",\"minLength\":1,\"default\":"
		"\"name=eth0,bridge=vmbr0,ip=dhcp\",\"description\":\"net0 "
		"in Proxmox syntax.\"},\"password\":{\"type\":\"string\","
		"\"minLength\":5,\"description\":\"Root password.\"},"
		"\"ssh_public_keys\":{\"type\":\"string\",\"minLength\":1,"
		"\"description\":\"Public keys, one per line.\"},"
		"\"unprivileged\":{\"type\":\"boolean\",\"default\":true},"
		"\"start\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Start it once created.\"}," S_WAIT "}}",
	    .output_schema = TASK_OUTPUT,
	    .flags = 0,
	    .call = pve_create_lxc,
	},
	{
	    .name = "proxmox_list_storage",
	    .title = "List Proxmox storage",
	    .description = "Storages per node with status, used and total "
		"bytes, content types (images, rootdir, iso, vztmpl, backup) "
		"and whether they are shared.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"node\":{"
		S_NODE_PAT "},\"content\":{\"enum\":[\"images\",\"rootdir\","
		"\"iso\",\"vztmpl\",\"backup\",\"snippets\",\"import\"],"
		"\"description\":\"Only storages holding this content.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(STORAGE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_list_storage,
	},
	{
	    .name = "proxmox_create_backup",
	    .title = "Back up Proxmox guests",
	    .description = "Backs up guests with vzdump: one backup task per "
		"node holding the chosen guests (vzdump only backs up guests "
		"on the node it runs on). Waits for every task by default.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"vmids\"],\"properties\":{" S_INSTANCE
		",\"vmids\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":"
		"500,\"items\":{\"type\":\"integer\",\"minimum\":100,"
		"\"maximum\":999999999},\"description\":\"Guests to back "
		"up.\"},\"storage\":{" S_STORAGE_PAT ",\"description\":"
		"\"Backup storage; the node's default when left out.\"},"
		"\"mode\":{\"enum\":[\"snapshot\",\"suspend\",\"stop\"],"
		"\"default\":\"snapshot\"},\"compress\":{\"enum\":[\"0\","
		"\"gzip\",\"lzo\",\"zstd\"],\"default\":\"zstd\"}," S_WAIT "}}",
	    .output_schema = TASK_OUTPUT,
	    .flags = 0,
	    .call = pve_create_backup,
	},
	{
	    .name = "proxmox_list_backups",
	    .title = "List Proxmox backups",
	    .description = "vzdump backup archives on every backup storage of "
		"the online nodes (shared storages once), with volume id, "
		"VMID, guest type, size and creation time. Always a live "
		"read; max_age_s only bounds the storage list used.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"node\":{"
		S_NODE_PAT "},\"storage\":{" S_STORAGE_PAT "},\"vmid\":{"
		"\"type\":\"integer\",\"minimum\":100,\"maximum\":999999999,"
		"\"description\":\"Only backups of this guest.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(BACKUP_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_list_backups,
	},
	{
	    .name = "proxmox_restore_backup",
	    .title = "Restore a Proxmox backup",
	    .description = "Restores a vzdump archive as a guest: a VM for "
		"vzdump-qemu archives, a container for vzdump-lxc ones. The "
		"VMID is the next free one unless given; replacing an "
		"existing, stopped guest needs force.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"archive\"],\"properties\":{" S_INSTANCE
		",\"archive\":{\"type\":\"string\",\"pattern\":"
		"\"^[a-zA-Z][a-zA-Z0-9._-]*:\\\\S+$\",\"examples\":[\"local:"
		"backup/vzdump-qemu-100-2024_05_01-02_00_00.vma.zst\"],"
		"\"x-counterexamples\":[\"/var/lib/vz/dump/x.vma\"],"
		"\"description\":\"Backup volume id from "
		"proxmox_list_backups.\"},\"vmid\":{\"type\":\"integer\","
		"\"minimum\":100,\"maximum\":999999999,\"description\":"
		"\"Target VMID; the next free one when left out.\"},\"node\":{"
		S_NODE_PAT ",\"description\":\"Node to restore on.\"},"
		"\"type\":{\"enum\":[\"qemu\",\"lxc\"],\"description\":"
		"\"Guest type, when the archive name does not say.\"},"
		"\"storage\":{" S_STORAGE_PAT ",\"description\":\"Storage for "
		"the disks.\"},\"force\":{\"type\":\"boolean\",\"default\":"
		"false,\"description\":\"Replace an existing guest with this "
		"VMID.\"}," S_DRY_RUN "," S_WAIT "}}",
	    .output_schema = TASK_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = pve_restore_backup,
	    .describe = pve_describe_restore,
	},
	{
	    .name = "proxmox_get_cluster_status",
	    .title = "Proxmox cluster status",
	    .description = "Each configured cluster's name, quorum, and which "
		"nodes are online. A standalone node reports standalone true "
		"and is always quorate.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_MAX_AGE "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"clusters\","
		"\"instance_errors\"],\"properties\":{\"clusters\":{\"type\":"
		"\"array\",\"items\":" CLUSTER_ITEM "}," INSTANCE_ERRORS "}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_get_cluster_status,
	},
	{
	    .name = "proxmox_get_task_status",
	    .title = "Proxmox task status",
	    .description = "A task by UPID (as returned by the write tools): "
		"running or stopped, its exit status, and the tail of its "
		"log.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"upid\"],\"properties\":{" S_INSTANCE
		",\"upid\":{\"type\":\"string\",\"maxLength\":512,\"pattern\":"
		"\"^UPID:[a-zA-Z0-9-]+:[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8,9}:"
		"[0-9A-Fa-f]{8}:[^:\\\\s]+:[^:\\\\s]*:[^:\\\\s]+:\",\"examples\":"
		"[\"UPID:pve1:0003A1B2:0B1C2D3E:66312A00:qmstart:100:"
		"root@pam:\"],\"x-counterexamples\":[\"qmstart:100\"]},"
		"\"node\":{" S_NODE_PAT ",\"description\":\"Node that runs "
		"it; read from the UPID when left out.\"},\"log_lines\":{"
		"\"type\":\"integer\",\"minimum\":0,\"maximum\":500,"
		"\"default\":10,\"description\":\"Lines of the log's tail.\"}"
		"}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"upid\",\"node\",\"status\"],\"properties\":{\"instance\":"
		S_STR ",\"upid\":" S_STR ",\"node\":" S_STR ",\"type\":" S_STR
		",\"id\":" S_STR ",\"user\":" S_STR ",\"status\":" S_STR
		",\"exitstatus\":{\"type\":[\"string\",\"null\"]},\"ok\":"
		"{\"type\":[\"boolean\",\"null\"]},\"starttime\":" S_INT
		",\"log_tail\":{\"type\":\"array\",\"items\":" S_STR "}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pve_get_task_status,
	},
	{ .name = NULL },
};

#define ROW_ARGS "{\"instance\":\"/instance\",\"vmid\":\"/vmid\"}"

static const struct rt_column pve_guest_columns[] = {
	{ "VMID", "/vmid", RT_COL_NUMBER, 6 },
	{ "Name", "/name", RT_COL_TEXT, 0 },
	{ "Type", "/type", RT_COL_TEXT, 4 },
	{ "Node", "/node", RT_COL_TEXT, 10 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "CPU", "/cpu", RT_COL_PERCENT, 6 },
	{ "Mem", "/mem", RT_COL_BYTES, 8 },
	{ "Max mem", "/maxmem", RT_COL_BYTES, 8 },
	{ "Disk", "/maxdisk", RT_COL_BYTES, 8 },
	{ "Uptime", "/uptime", RT_COL_AGE, 8 },
	{ "Backup", "/last_backup", RT_COL_AGE, 7 },
	{ "Bk", "/backup_state", RT_COL_STATE, 5 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey pve_guest_keys[] = {
	{ 's', "start", "proxmox_start_vm", ROW_ARGS },
	{ 'S', "shutdown", "proxmox_shutdown_vm", ROW_ARGS },
	{ 'r', "reboot", "proxmox_reboot_vm", ROW_ARGS },
	{ 'x', "stop", "proxmox_stop_vm", ROW_ARGS },
	{ 'b', "backup", "proxmox_create_backup",
	    "{\"instance\":\"/instance\",\"vmids\":\"[/vmid]\"}" },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_column pve_node_columns[] = {
	{ "Node", "/node", RT_COL_TEXT, 12 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "CPU", "/cpu", RT_COL_GAUGE, 10 },
	{ "CPUs", "/maxcpu", RT_COL_NUMBER, 4 },
	{ "Mem", "/mem", RT_COL_BYTES, 8 },
	{ "Max mem", "/maxmem", RT_COL_BYTES, 8 },
	{ "Uptime", "/uptime", RT_COL_AGE, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_column pve_storage_columns[] = {
	{ "Storage", "/storage", RT_COL_TEXT, 12 },
	{ "Node", "/node", RT_COL_TEXT, 10 },
	{ "Status", "/status", RT_COL_STATE, 9 },
	{ "Used", "/disk", RT_COL_BYTES, 8 },
	{ "Size", "/maxdisk", RT_COL_BYTES, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_view pve_views[] = {
	{ "guests", "Guests", "/guests", pve_guest_columns, pve_guest_keys },
	{ "nodes", "Nodes", "/nodes", pve_node_columns, NULL },
	{ "storage", "Storage", "/storage", pve_storage_columns, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * A guest's inventory id for the memories linked to it: "pve:qemu/101",
 * "pve:lxc/105". It names no instance: a VMID is unique in a cluster.
 */
static bool
pve_entity(const struct rt_view *v, const json_t *row, char *buf, size_t len)
{
	const char *type = json_string_value(json_object_get(row, "type"));
	const json_t *vmid = json_object_get(row, "vmid");

	if (strcmp(v->name, "guests") != 0 || type == NULL ||
	    !json_is_integer(vmid) || (strcmp(type, "qemu") != 0 &&
	    strcmp(type, "lxc") != 0))
		return (false);
	return (snprintf(buf, len, "pve:%s/%lld", type,
	    (long long)json_integer_value(vmid)) < (int)len);
}

const struct rt_service proxmox_service = {
	.name = "proxmox",
	.title = "Proxmox VE",
	.tools = pve_tools,
	.views = pve_views,
	.refresh_s = PVE_REFRESH_S,
	.create = pve_create,
	.destroy = pve_destroy,
	.poll = pve_poll,
	.problems = proxmox_problems,
	.entity = pve_entity,
	.find = proxmox_find,
	.addresses = proxmox_addresses,
};
