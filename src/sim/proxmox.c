/*
 * The simulated Proxmox VE API (/api2/json) over the seeded lab.
 *
 * Follows the PVE 9 API schema's paths, field names and types; like the
 * real server it encodes booleans as 0/1 and /cluster/nextid as a string.
 * Auth is an API token (Authorization: PVEAPIToken=USER@REALM!ID=SECRET)
 * or a ticket cookie (PVEAuthCookie) plus the CSRFPreventionToken header
 * on POST/PUT/DELETE. Errors: 401 with {"data":null}; 400 with
 * {"errors":{...},"data":null}; other failures {"data":null,"message":
 * "...\n"}. The real server also puts the message in the reason phrase
 * ("401 No ticket"); libmicrohttpd 0.9 sends only the standard phrase, so
 * the message is in the body instead.
 *
 * Actions run as tasks that take 1-3 s of simulated time: a task finishes
 * once the clock passes its end (wall clock, or POST /clock/advance with
 * the fixed clock) or, with the fixed clock, after its third status poll.
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

/* Ticket lifetime, as in PVE. */
#define PVE_TICKET_MS (2 * 3600 * 1000LL)
/* Polls after which a task finishes with the fixed clock. */
#define PVE_TASK_POLLS 3
#define GIB (1024LL * 1024 * 1024)

enum pve_effect {
	PVE_NONE,
	PVE_START,
	PVE_STOP,
	PVE_REBOOT,
	PVE_DESTROY,
	PVE_UNLOCK,
	PVE_VZDUMP,
};

struct pve_task {
	char		 upid[160];
	char		 node[16];
	char		 type[16];
	char		 id[16];
	int		 pid;
	int		 pstart;
	int64_t		 start_ms;
	int64_t		 end_ms;
	int		 polls;
	bool		 done;
	char		 error[128];	/* "" when it succeeds */
	json_t		*log;		/* strings, TASK line added at the end */
	enum pve_effect	 effect;
	int		 vmid;
	json_t		*vmids;		/* vzdump: guests to back up */
	char		 storage[32];
	struct pve_task	*next;
};

struct pve_ticket {
	char			 ticket[128];
	char			 csrf[96];
	int64_t			 expires_ms;
	struct pve_ticket	*next;
};

struct pve {
	char			 user[32];
	char			 token_id[64];
	char			 secret[40];
	char			 password[32];
	uint64_t		 rng;
	int			 pid;
	struct pve_task		*tasks;
	struct pve_ticket	*tickets;
};

static const char *pve_storages[] = { "local", "local-lvm", "backups" };

/* Formats a UUID-shaped secret from the PRNG. */
static void
pve_uuid(uint64_t *rng, char *buf, size_t len)
{
	uint64_t	a = scenario_rand(rng), b = scenario_rand(rng);

	snprintf(buf, len, "%08x-%04x-4%03x-8%03x-%012llx",
	    (unsigned int)(a >> 32), (unsigned int)(a >> 16) & 0xffff,
	    (unsigned int)a & 0xfff, (unsigned int)(b >> 48) & 0xfff,
	    (unsigned long long)(b & 0xffffffffffffULL));
}

/* Creates the API state: credentials derive from the seed. */
static void *
pve_create(struct sim_service *svc)
{
	struct pve	*pve;

	pve = xcalloc(1, sizeof *pve);
	pve->rng = sim_scenario(svc)->seed ^ 0x5eed5eedULL;
	snprintf(pve->user, sizeof pve->user, "root@pam");
	snprintf(pve->token_id, sizeof pve->token_id, "root@pam!racktop");
	pve_uuid(&pve->rng, pve->secret, sizeof pve->secret);
	snprintf(pve->password, sizeof pve->password, "sim-%08x",
	    (unsigned int)scenario_rand(&pve->rng));
	pve->pid = 4000 + (int)(scenario_rand(&pve->rng) % 1000);
	return (pve);
}

/* Frees the API state. */
static void
pve_destroy(void *data)
{
	struct pve		*pve = data;
	struct pve_task		*t, *tn;
	struct pve_ticket	*k, *kn;

	if (pve == NULL)
		return;
	for (t = pve->tasks; t != NULL; t = tn) {
		tn = t->next;
		json_decref(t->log);
		json_decref(t->vmids);
		free(t);
	}
	for (k = pve->tickets; k != NULL; k = kn) {
		kn = k->next;
		free(k);
	}
	free(pve);
}

/* {"data": d} with status 200, stealing d. */
static void
pve_data(struct sim_response *resp, json_t *d)
{
	sim_reply_json_new(resp, 200, json_pack("{s:o}", "data", d));
}

/* An error with PVE's body: the message ends in a newline like die(). */
static void
pve_error(struct sim_service *svc, struct sim_response *resp, int status,
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
pve_errorf(struct sim_response *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A formatted error. */
static void
pve_errorf(struct sim_response *resp, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	va_start(ap, fmt);
	xvasprintf(&m, fmt, ap);
	va_end(ap);
	pve_error(NULL, resp, status, m);
	free(m);
}

/* A parameter verification failure (400). */
static void
pve_param_error(struct sim_response *resp, const char *param,
    const char *msg)
{
	sim_reply_json_new(resp, 400, json_pack("{s:{s:s},s:n}", "errors",
	    param, msg, "data"));
}

/* The real 401: {"data":null}. */
static void
pve_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	sim_reply_json_new(resp, 401, json_pack("{s:n}", "data"));
}

/* Copies s with %XX decoded. */
static char *
pve_unescape(const char *s)
{
	char	*out, *o, hex[3];

	out = o = xstrdup(s);
	for (; *s != '\0'; s++) {
		if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			hex[2] = '\0';
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return (out);
}

/* Completes the tasks that are due (lock held). */
static void
pve_tick(struct sim_service *svc)
{
	struct pve		*pve = sim_service_data(svc);
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g;
	struct scenario_backup	 b;
	struct pve_task		*t;
	struct tm		 tm;
	time_t			 secs;
	int64_t			 now = sim_now_ms(svc);
	size_t			 i;
	json_t			*v;
	char			 stamp[32], *line;
	int			 node;

	for (t = pve->tasks; t != NULL; t = t->next) {
		if (t->done || (now < t->end_ms && !(sim_clock_fixed(svc) &&
		    t->polls >= PVE_TASK_POLLS)))
			continue;
		t->done = true;
		g = t->vmid != 0 ? scenario_guest(sc, t->vmid) : NULL;
		switch (t->effect) {
		case PVE_START:
		case PVE_REBOOT:
			if (g != NULL) {
				g->running = true;
				g->start_ms = now;
			}
			break;
		case PVE_STOP:
			if (g != NULL)
				g->running = false;
			break;
		case PVE_DESTROY:
			if (g != NULL)
				g->gone = true;
			break;
		case PVE_UNLOCK:
			if (g != NULL)
				g->lock[0] = '\0';
			break;
		case PVE_VZDUMP:
			node = scenario_node(sc, t->node);
			json_array_foreach(t->vmids, i, v) {
				g = scenario_guest(sc,
				    (int)json_integer_value(v));
				if (g == NULL || g->node != node)
					continue;
				memset(&b, 0, sizeof b);
				b.vmid = g->vmid;
				b.lxc = g->lxc;
				b.ctime = now / 1000;
				secs = (time_t)b.ctime;
				gmtime_r(&secs, &tm);
				strftime(stamp, sizeof stamp,
				    "%Y_%m_%d-%H_%M_%S", &tm);
				snprintf(b.volid, sizeof b.volid,
				    "%s:backup/vzdump-%s-%d-%s.%s", t->storage,
				    g->lxc ? "lxc" : "qemu", g->vmid, stamp,
				    g->lxc ? "tar.zst" : "vma.zst");
				b.size = g->disk / 3;
				snprintf(b.notes, sizeof b.notes, "%s",
				    g->name);
				scenario_add_backup(sc, &b);
				xasprintf(&line, "INFO: Finished Backup of VM "
				    "%d (00:00:%02d)", g->vmid,
				    (int)(b.size / GIB % 60));
				json_array_append_new(t->log,
				    json_string(line));
				free(line);
			}
			json_array_append_new(t->log, json_string(
			    "INFO: Backup job finished successfully"));
			break;
		case PVE_NONE:
			break;
		}
		if (t->error[0] != '\0') {
			xasprintf(&line, "TASK ERROR: %s", t->error);
			json_array_append_new(t->log, json_string(line));
			free(line);
		} else
			json_array_append_new(t->log, json_string("TASK OK"));
	}
}

/* The container templates on every node's "local" storage. */
static const char *const pve_templates[] = {
	"local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
	"local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
	"local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz",
	NULL,
};

/* Whether an ostemplate volume exists. */
static bool
pve_known_template(const char *volid)
{
	size_t i;

	for (i = 0; pve_templates[i] != NULL; i++) {
		if (strcmp(pve_templates[i], volid) == 0)
			return (true);
	}
	return (false);
}

/* Whether a storage of that name exists in the lab. */
static bool
pve_known_storage(const char *name)
{
	return (strcmp(name, "local") == 0 || strcmp(name, "local-lvm") == 0 ||
	    strcmp(name, "backups") == 0);
}

/* Creates a task and fills the UPID reply (lock held). */
static struct pve_task *
pve_task(struct sim_service *svc, struct sim_response *resp,
    const char *node, const char *type, int vmid, enum pve_effect effect)
{
	struct pve	*pve = sim_service_data(svc);
	struct pve_task	*t;
	int64_t		 now = sim_now_ms(svc);

	t = xcalloc(1, sizeof *t);
	snprintf(t->node, sizeof t->node, "%s", node);
	snprintf(t->type, sizeof t->type, "%s", type);
	if (vmid != 0)
		snprintf(t->id, sizeof t->id, "%d", vmid);
	t->pid = ++pve->pid;
	t->pstart = (int)((now / 10) & 0x7fffffff);
	t->start_ms = now;
	t->end_ms = now + 1000 + (int64_t)(scenario_rand(&pve->rng) % 2000);
	t->effect = effect;
	t->vmid = vmid;
	t->log = json_array();
	snprintf(t->upid, sizeof t->upid, "UPID:%s:%08X:%08X:%08X:%s:%s:%s:",
	    node, (unsigned int)t->pid, (unsigned int)t->pstart,
	    (unsigned int)(now / 1000), type, t->id, pve->user);
	t->next = pve->tasks;
	pve->tasks = t;
	pve_data(resp, json_string(t->upid));
	return (t);
}

/* Checks the token or the ticket (+ CSRF on writes). */
static int
pve_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pve		*pve = sim_service_data(svc);
	struct pve_ticket	*k;
	const char		*auth, *cookie, *csrf, *p;
	char			*want, *ticket;
	int			 ok = 0;

	pve_tick(svc);
	auth = sim_header(req, "Authorization");
	if (auth != NULL && strncmp(auth, "PVEAPIToken", 11) == 0) {
		p = auth + 11;
		while (*p == ' ' || *p == '=')
			p++;
		xasprintf(&want, "%s=%s", pve->token_id, pve->secret);
		ok = strcmp(p, want) == 0;
		free(want);
		if (!ok)
			pve_unauthorized(svc, resp);
		return (ok ? 0 : -1);
	}
	cookie = sim_cookie(req, "PVEAuthCookie");
	if (cookie == NULL) {
		pve_unauthorized(svc, resp);
		return (-1);
	}
	ticket = pve_unescape(cookie);
	for (k = pve->tickets; k != NULL; k = k->next) {
		if (strcmp(k->ticket, ticket) == 0 &&
		    sim_now_ms(svc) < k->expires_ms)
			break;
	}
	free(ticket);
	if (k == NULL) {
		pve_unauthorized(svc, resp);
		return (-1);
	}
	if (strcmp(req->method, "GET") != 0) {
		csrf = sim_header(req, "CSRFPreventionToken");
		if (csrf == NULL || strcmp(csrf, k->csrf) != 0) {
			pve_unauthorized(svc, resp);
			return (-1);
		}
	}
	return (0);
}

/* Unknown path: 501 "Method 'GET /foo' not implemented". */
static void
pve_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	if (req->path == NULL) {
		sim_reply_text(resp, 404, "Not Found");
		return;
	}
	pve_errorf(resp, 501, "Method '%s %s' not implemented", req->method,
	    req->path);
}

/* GET /access/ticket: a dummy. */
static void
pve_get_ticket(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	pve_data(resp, json_null());
}

/* POST /access/ticket: username + password -> ticket and CSRF token. */
static void
pve_post_ticket(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pve		*pve = sim_service_data(svc);
	struct pve_ticket	*k;
	const char		*user, *pass, *realm;
	char			*full;
	int64_t			 now = sim_now_ms(svc);
	uint64_t		 a, b;
	bool			 ok;

	user = sim_arg(req, "username");
	pass = sim_arg(req, "password");
	realm = sim_arg(req, "realm");
	if (user == NULL) {
		pve_param_error(resp, "username",
		    "property is missing and it is not optional");
		return;
	}
	if (pass == NULL) {
		pve_param_error(resp, "password",
		    "property is missing and it is not optional");
		return;
	}
	if (strchr(user, '@') == NULL && realm != NULL)
		xasprintf(&full, "%s@%s", user, realm);
	else
		full = xstrdup(user);
	ok = strcmp(full, pve->user) == 0 && strcmp(pass, pve->password) == 0;
	free(full);
	if (!ok) {
		pve_unauthorized(svc, resp);
		return;
	}
	k = xcalloc(1, sizeof *k);
	a = scenario_rand(&pve->rng);
	b = scenario_rand(&pve->rng);
	snprintf(k->ticket, sizeof k->ticket,
	    "PVE:%s:%08X::%016llx%016llx", pve->user,
	    (unsigned int)(now / 1000), (unsigned long long)a,
	    (unsigned long long)b);
	snprintf(k->csrf, sizeof k->csrf, "%08X:%016llx",
	    (unsigned int)(now / 1000),
	    (unsigned long long)scenario_rand(&pve->rng));
	k->expires_ms = now + PVE_TICKET_MS;
	k->next = pve->tickets;
	pve->tickets = k;
	pve_data(resp, json_pack("{s:s,s:s,s:s,s:s}", "username", pve->user,
	    "ticket", k->ticket, "CSRFPreventionToken", k->csrf,
	    "clustername", sim_scenario(svc)->cluster));
}

/* GET /version. */
static void
pve_version(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	pve_data(resp, json_pack("{s:s,s:s,s:s,s:s}", "version", "9.0.10",
	    "release", "9.0", "repoid", "deb1ca707ec72a89", "console",
	    "html5"));
}

/* The moving numbers of a guest. */
static void
pve_guest_stats(struct sim_service *svc, const struct scenario_guest *g,
    json_t *o)
{
	int64_t	now = sim_now_ms(svc), up = 0;
	double	cpu = 0;
	int64_t	mem = 0;

	if (g->running) {
		up = (now - g->start_ms) / 1000;
		if (up < 0)
			up = 0;
		cpu = 0.01 + 0.6 * scenario_wave(g->seed, now, 300) *
		    scenario_wave(g->seed >> 7, now, 1800);
		mem = (int64_t)((double)g->maxmem * (0.25 + 0.5 *
		    scenario_wave(g->seed >> 13, now, 900)));
	}
	json_object_set_new(o, "cpu", json_real(cpu));
	json_object_set_new(o, "mem", json_integer(mem));
	json_object_set_new(o, "uptime", json_integer(up));
	json_object_set_new(o, "netin", json_integer(up *
	    (int64_t)(2000 + g->seed % 60000)));
	json_object_set_new(o, "netout", json_integer(up *
	    (int64_t)(800 + (g->seed >> 20) % 30000)));
	json_object_set_new(o, "diskread", json_integer(up *
	    (int64_t)(100 + (g->seed >> 30) % 9000)));
	json_object_set_new(o, "diskwrite", json_integer(up *
	    (int64_t)(50 + (g->seed >> 40) % 5000)));
}

/* The common fields of a guest (list, resources and status/current). */
static json_t *
pve_guest_json(struct sim_service *svc, const struct scenario_guest *g)
{
	json_t	*o;

	o = json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:i}", "vmid", g->vmid,
	    "name", g->name, "status", g->running ? "running" : "stopped",
	    "maxmem", (json_int_t)g->maxmem, "maxdisk",
	    (json_int_t)g->maxdisk, "disk", (json_int_t)(g->lxc ? g->disk : 0),
	    "template", g->template ? 1 : 0);
	json_object_set_new(o, "cpus", json_integer(g->maxcpu));
	if (g->tags[0] != '\0')
		json_object_set_new(o, "tags", json_string(g->tags));
	if (g->lock[0] != '\0')
		json_object_set_new(o, "lock", json_string(g->lock));
	pve_guest_stats(svc, g, o);
	return (o);
}

/* The numbers of a node. */
static void
pve_node_stats(struct sim_service *svc, const struct scenario_node *n,
    double *cpu, int64_t *mem, int64_t *uptime)
{
	int64_t	now = sim_now_ms(svc);

	*cpu = n->online ? 0.03 + 0.4 * scenario_wave(n->seed, now, 600) : 0;
	*mem = n->online ? (int64_t)((double)n->maxmem * (0.35 + 0.3 *
	    scenario_wave(n->seed >> 9, now, 1200))) : 0;
	*uptime = n->online ? (now - n->boot_ms) / 1000 : 0;
}

/* Storage numbers: type, content, shared, total and used. */
static void
pve_storage_info(struct scenario *sc, int idx, const char **type,
    const char **content, int *shared, int64_t *total, int64_t *used)
{
	int	i;

	switch (idx) {
	case 0:
		*type = "dir";
		*content = "iso,vztmpl,backup";
		*shared = 0;
		*total = 100 * GIB;
		*used = 23 * GIB;
		break;
	case 1:
		*type = "lvmthin";
		*content = "images,rootdir";
		*shared = 0;
		*total = 800 * GIB;
		*used = 0;
		for (i = 0; i < sc->nguests; i++)
			*used += sc->guests[i].gone ? 0 : sc->guests[i].disk /
			    SCENARIO_NODES;
		if (*used > *total)
			*used = *total - GIB;
		break;
	default:
		*type = "nfs";
		*content = "backup";
		*shared = 1;
		*total = 4096 * GIB;
		*used = 100 * GIB;
		for (i = 0; i < sc->nbackups; i++)
			*used += sc->backups[i].size;
		break;
	}
}

/* Answers 500 (or 595 when offline) unless node exists; -1 on error. */
static int
pve_check_node(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario	*sc = sim_scenario(svc);
	const char	*node = json_string_value(json_object_get(req->params,
			    "node"));
	int		 n;

	n = scenario_node(sc, node);
	if (n == -1) {
		pve_errorf(resp, 500, "hostname lookup '%s' failed - failed "
		    "to get address info for: %s: Name or service not known",
		    node, node);
		return (-1);
	}
	if (!sc->nodes[n].online) {
		pve_errorf(resp, 595, "Connection refused");
		return (-1);
	}
	return (n);
}

/* GET /cluster/resources (?type=vm|node|storage). */
static void
pve_resources(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g;
	struct scenario_node	*n;
	const char		*type = sim_arg(req, "type");
	const char		*stype, *content;
	json_t			*a, *o;
	int64_t			 mem, up, total, used;
	double			 cpu;
	int			 i, j, shared;
	char			 id[64];

	if (type != NULL && strcmp(type, "vm") != 0 &&
	    strcmp(type, "node") != 0 && strcmp(type, "storage") != 0 &&
	    strcmp(type, "sdn") != 0) {
		pve_param_error(resp, "type", "value 'x' does not have a "
		    "value in the enumeration 'vm, storage, node, sdn'");
		return;
	}
	a = json_array();
	for (i = 0; i < SCENARIO_NODES &&
	    (type == NULL || strcmp(type, "node") == 0); i++) {
		n = &sc->nodes[i];
		pve_node_stats(svc, n, &cpu, &mem, &up);
		snprintf(id, sizeof id, "node/%s", n->name);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:f,"
		    "s:i,s:I,s:I,s:I,s:I,s:I,s:s,s:i}", "id", id, "type",
		    "node", "node", n->name, "status", n->online ? "online" :
		    "offline", "cpu", cpu, "maxcpu", n->maxcpu, "mem",
		    (json_int_t)mem, "maxmem", (json_int_t)n->maxmem, "disk",
		    (json_int_t)(n->maxdisk / 5), "maxdisk",
		    (json_int_t)n->maxdisk, "uptime", (json_int_t)up, "level",
		    "", "cgroup-mode", 2));
	}
	for (i = 0; i < sc->nguests && (type == NULL ||
	    strcmp(type, "vm") == 0); i++) {
		g = &sc->guests[i];
		if (g->gone)
			continue;
		o = pve_guest_json(svc, g);
		json_object_del(o, "cpus");
		snprintf(id, sizeof id, "%s/%d", g->lxc ? "lxc" : "qemu",
		    g->vmid);
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "type", json_string(g->lxc ? "lxc" :
		    "qemu"));
		json_object_set_new(o, "node",
		    json_string(sc->nodes[g->node].name));
		json_object_set_new(o, "maxcpu", json_integer(g->maxcpu));
		json_array_append_new(a, o);
	}
	for (i = 0; i < SCENARIO_NODES && (type == NULL ||
	    strcmp(type, "storage") == 0); i++) {
		for (j = 0; j < 3; j++) {
			pve_storage_info(sc, j, &stype, &content, &shared,
			    &total, &used);
			snprintf(id, sizeof id, "storage/%s/%s",
			    sc->nodes[i].name, pve_storages[j]);
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,"
			    "s:s,s:s,s:s,s:I,s:I,s:i}", "id", id, "type",
			    "storage", "node", sc->nodes[i].name, "storage",
			    pve_storages[j], "status", sc->nodes[i].online ?
			    "available" : "unknown", "plugintype", stype,
			    "content", content, "disk", (json_int_t)used,
			    "maxdisk", (json_int_t)total, "shared", shared));
		}
	}
	pve_data(resp, a);
}

/* GET /cluster/status. */
static void
pve_cluster_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario	*sc = sim_scenario(svc);
	json_t		*a;
	char		 id[32];
	int		 i, online = 0;

	(void)req;
	for (i = 0; i < SCENARIO_NODES; i++)
		online += sc->nodes[i].online;
	a = json_array();
	json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i}",
	    "type", "cluster", "id", "cluster", "name", sc->cluster, "nodes",
	    SCENARIO_NODES, "quorate", online * 2 > SCENARIO_NODES, "version",
	    3));
	for (i = 0; i < SCENARIO_NODES; i++) {
		snprintf(id, sizeof id, "node/%s", sc->nodes[i].name);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:s,"
		    "s:i,s:i,s:s}", "type", "node", "id", id, "name",
		    sc->nodes[i].name, "nodeid", i + 1, "ip", sc->nodes[i].ip,
		    "online", sc->nodes[i].online, "local", i == 0, "level",
		    ""));
	}
	pve_data(resp, a);
}

/* Parses a vmid argument; -1 and a 400 when it is bad, 0 when missing. */
static int
pve_vmid_arg(struct sim_request *req, struct sim_response *resp,
    const char *name, json_t *from)
{
	json_t		*v = json_object_get(from, name);
	const char	*s;
	char		*end;
	long		 n;

	if (v == NULL)
		return (0);
	if (json_is_integer(v))
		n = (long)json_integer_value(v);
	else {
		s = json_string_value(v);
		n = s != NULL ? strtol(s, &end, 10) : 0;
		if (s == NULL || *s == '\0' || *end != '\0') {
			pve_param_error(resp, name, "type check ('integer') "
			    "failed");
			return (-1);
		}
	}
	(void)req;
	if (n < 100) {
		pve_param_error(resp, name,
		    "value must have a minimum value of 100");
		return (-1);
	}
	if (n > 999999999) {
		pve_param_error(resp, name,
		    "value must have a maximum value of 999999999");
		return (-1);
	}
	return ((int)n);
}

/* GET /cluster/nextid (?vmid= checks that one); a string, as PVE does. */
static void
pve_nextid(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario	*sc = sim_scenario(svc);
	char		 buf[16], msg[64];
	int		 vmid;

	vmid = pve_vmid_arg(req, resp, "vmid", req->args);
	if (vmid == -1)
		return;
	if (vmid != 0) {
		if (scenario_guest(sc, vmid) != NULL) {
			snprintf(msg, sizeof msg, "VM %d already exists",
			    vmid);
			pve_param_error(resp, "vmid", msg);
			return;
		}
	} else {
		for (vmid = 100; scenario_guest(sc, vmid) != NULL; vmid++)
			;
	}
	snprintf(buf, sizeof buf, "%d", vmid);
	pve_data(resp, json_string(buf));
}

/* GET /nodes. */
static void
pve_nodes(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_node	*n;
	json_t			*a, *o;
	int64_t			 mem, up;
	double			 cpu;
	int			 i;

	(void)req;
	a = json_array();
	for (i = 0; i < SCENARIO_NODES; i++) {
		n = &sc->nodes[i];
		pve_node_stats(svc, n, &cpu, &mem, &up);
		o = json_pack("{s:s,s:s,s:s,s:s}", "node", n->name, "status",
		    n->online ? "online" : "offline", "level", "",
		    "ssl_fingerprint", "5C:D2:A0:11:3B:7E:00:F4:9A:21:6C:8B:"
		    "E3:47:19:D0:0A:6F:9E:12:C4:58:B3:27:61:AF:0D:83:9C:44:"
		    "E5:70");
		if (n->online) {
			json_object_set_new(o, "cpu", json_real(cpu));
			json_object_set_new(o, "maxcpu",
			    json_integer(n->maxcpu));
			json_object_set_new(o, "mem", json_integer(mem));
			json_object_set_new(o, "maxmem",
			    json_integer(n->maxmem));
			json_object_set_new(o, "disk",
			    json_integer(n->maxdisk / 5));
			json_object_set_new(o, "maxdisk",
			    json_integer(n->maxdisk));
			json_object_set_new(o, "uptime", json_integer(up));
		}
		json_array_append_new(a, o);
	}
	pve_data(resp, a);
}

/* GET /nodes/{node}/status. */
static void
pve_node_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_node	*n;
	int64_t			 mem, up;
	double			 cpu;
	char			 l1[16], l2[16], l3[16];
	int			 i;

	if ((i = pve_check_node(svc, req, resp)) == -1)
		return;
	n = &sc->nodes[i];
	pve_node_stats(svc, n, &cpu, &mem, &up);
	snprintf(l1, sizeof l1, "%.2f", cpu * n->maxcpu);
	snprintf(l2, sizeof l2, "%.2f", cpu * n->maxcpu * 0.9);
	snprintf(l3, sizeof l3, "%.2f", cpu * n->maxcpu * 0.8);
	pve_data(resp, json_pack("{s:f,s:I,s:f,s:f,s:s,s:s,s:[sss],"
	    "s:{s:s,s:i},s:{s:s,s:i,s:i,s:i,s:s,s:s,s:s},"
	    "s:{s:s,s:s,s:s,s:s},s:{s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},"
	    "s:{s:I,s:I,s:I}}",
	    "cpu", cpu, "uptime", (json_int_t)up, "wait", 0.001, "idle", 0.0,
	    "kversion", "Linux 6.14.8-2-pve #1 SMP PREEMPT_DYNAMIC",
	    "pveversion", "pve-manager/9.0.10/deb1ca707ec72a89",
	    "loadavg", l1, l2, l3,
	    "boot-info", "mode", "efi", "secureboot", 0,
	    "cpuinfo", "model", "AMD Ryzen 7 5700G with Radeon Graphics",
	    "cores", n->maxcpu / 2, "cpus", n->maxcpu, "sockets", 1,
	    "mhz", "3800.000", "hvm", "1", "flags", "fpu vme de pse",
	    "current-kernel", "sysname", "Linux", "release", "6.14.8-2-pve",
	    "version", "#1 SMP PREEMPT_DYNAMIC PMX 6.14.8-2", "machine",
	    "x86_64",
	    "memory", "total", (json_int_t)n->maxmem, "used",
	    (json_int_t)mem, "free", (json_int_t)(n->maxmem - mem),
	    "available", (json_int_t)(n->maxmem - mem),
	    "rootfs", "total", (json_int_t)n->maxdisk, "used",
	    (json_int_t)(n->maxdisk / 5), "free",
	    (json_int_t)(n->maxdisk - n->maxdisk / 5), "avail",
	    (json_int_t)(n->maxdisk - n->maxdisk / 5),
	    "swap", "total", (json_int_t)(8 * GIB), "used", (json_int_t)0,
	    "free", (json_int_t)(8 * GIB)));
}

/* Whether the route is the LXC one: "/nodes/<node>/lxc...". */
static bool
pve_is_lxc(struct sim_request *req)
{
	const char	*p;

	p = strchr(req->path + strlen("/nodes/"), '/');
	return (p != NULL && strncmp(p, "/lxc", 4) == 0);
}

/* GET /nodes/{node}/qemu and /lxc. */
static void
pve_guests(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g;
	bool			 lxc = pve_is_lxc(req);
	json_t			*a, *o;
	int			 n, i;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	a = json_array();
	for (i = 0; i < sc->nguests; i++) {
		g = &sc->guests[i];
		if (g->gone || g->node != n || g->lxc != lxc)
			continue;
		o = pve_guest_json(svc, g);
		json_object_set_new(o, "maxcpu", json_integer(g->maxcpu));
		if (!lxc)
			json_object_del(o, "disk");
		else {
			json_object_set_new(o, "type", json_string("lxc"));
			json_object_set_new(o, "maxswap",
			    json_integer(512 * 1024 * 1024));
		}
		if (g->running && !lxc)
			json_object_set_new(o, "pid",
			    json_integer(1000 + g->vmid * 7));
		json_array_append_new(a, o);
	}
	pve_data(resp, a);
}

/* Looks up {vmid} on {node} of the route's type; NULL and a 500. */
static struct scenario_guest *
pve_find_guest(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, int node)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g;
	bool			 lxc = pve_is_lxc(req);
	int			 vmid;

	vmid = pve_vmid_arg(req, resp, "vmid", req->params);
	if (vmid <= 0)
		return (NULL);
	g = scenario_guest(sc, vmid);
	if (g == NULL || g->node != node || g->lxc != lxc) {
		pve_errorf(resp, 500, "Configuration file 'nodes/%s/%s/%d.conf'"
		    " does not exist", sc->nodes[node].name,
		    lxc ? "lxc" : "qemu-server", vmid);
		return (NULL);
	}
	return (g);
}

/* GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current. */
static void
pve_guest_current(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario_guest	*g;
	json_t			*o;
	int			 n;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	if ((g = pve_find_guest(svc, req, resp, n)) == NULL)
		return;
	o = pve_guest_json(svc, g);
	json_object_set_new(o, "ha", json_pack("{s:i}", "managed", 0));
	if (!g->lxc) {
		json_object_del(o, "disk");
		json_object_set_new(o, "qmpstatus", json_string(g->running ?
		    "running" : "stopped"));
		json_object_set_new(o, "agent", json_integer(1));
		if (g->running) {
			json_object_set_new(o, "pid",
			    json_integer(1000 + g->vmid * 7));
			json_object_set_new(o, "running-machine",
			    json_string("pc-i440fx-9.2+pve1"));
			json_object_set_new(o, "running-qemu",
			    json_string("9.2.0"));
		}
	} else {
		json_object_set_new(o, "type", json_string("lxc"));
		json_object_set_new(o, "maxswap",
		    json_integer(512 * 1024 * 1024));
	}
	pve_data(resp, o);
}

/* POST /nodes/{node}/{qemu|lxc}/{vmid}/status/{start|stop|...}. */
static void
pve_guest_action(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario_guest	*g;
	struct pve_task		*t;
	const char		*action, *node;
	enum pve_effect		 effect;
	char			 type[16], line[128];
	int			 n;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	if ((g = pve_find_guest(svc, req, resp, n)) == NULL)
		return;
	node = sim_scenario(svc)->nodes[n].name;
	action = strrchr(req->path, '/') + 1;
	if (g->template && strcmp(action, "start") == 0) {
		pve_errorf(resp, 500, "you can't start a vm if it's a "
		    "template");
		return;
	}
	if (g->lock[0] != '\0') {
		pve_errorf(resp, 500, "%s %d is locked (%s)", g->lxc ? "CT" :
		    "VM", g->vmid, g->lock);
		return;
	}
	if (strcmp(action, "start") == 0)
		effect = PVE_START;
	else if (strcmp(action, "reboot") == 0)
		effect = PVE_REBOOT;
	else
		effect = PVE_STOP;
	snprintf(type, sizeof type, "%s%s", g->lxc ? "vz" : "qm", action);
	t = pve_task(svc, resp, node, type, g->vmid, effect);
	snprintf(line, sizeof line, "%s %d: %s", g->lxc ? "CT" : "VM", g->vmid,
	    action);
	json_array_append_new(t->log, json_string(line));
	if (effect == PVE_START && g->running)
		snprintf(t->error, sizeof t->error, "%s %d already running",
		    g->lxc ? "CT" : "VM", g->vmid);
	else if ((effect == PVE_REBOOT || strcmp(action, "shutdown") == 0) &&
	    !g->running)
		snprintf(t->error, sizeof t->error, "%s %d not running",
		    g->lxc ? "CT" : "VM", g->vmid);
	if (t->error[0] != '\0')
		t->effect = PVE_NONE;
}

/* DELETE /nodes/{node}/{qemu|lxc}/{vmid}. */
static void
pve_guest_destroy(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario_guest	*g;
	struct pve_task		*t;
	int			 n;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	if ((g = pve_find_guest(svc, req, resp, n)) == NULL)
		return;
	if (g->running) {
		if (g->lxc)
			pve_errorf(resp, 500, "unable to destroy CT %d - "
			    "container is running", g->vmid);
		else
			pve_errorf(resp, 500, "VM %d is running - destroy "
			    "failed", g->vmid);
		return;
	}
	snprintf(g->lock, sizeof g->lock, "destroyed");
	t = pve_task(svc, resp, sim_scenario(svc)->nodes[n].name,
	    g->lxc ? "vzdestroy" : "qmdestroy", g->vmid, PVE_DESTROY);
	json_array_append_new(t->log, json_string("  Logical volume "
	    "removed"));
}

/* Finds a backup by volid, or NULL. */
static struct scenario_backup *
pve_find_backup(struct scenario *sc, const char *volid)
{
	int	i;

	for (i = 0; i < sc->nbackups; i++) {
		if (strcmp(sc->backups[i].volid, volid) == 0)
			return (&sc->backups[i]);
	}
	return (NULL);
}

/* POST /nodes/{node}/qemu and /lxc: create, or restore from a backup. */
static void
pve_guest_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	 g, *old;
	struct scenario_backup	*b = NULL;
	struct pve_task		*t;
	bool			 lxc = pve_is_lxc(req), restore;
	const char		*archive, *name, *force;
	char			 line[256];
	int			 n, vmid;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	vmid = pve_vmid_arg(req, resp, "vmid", req->args);
	if (vmid == -1)
		return;
	if (vmid == 0) {
		pve_param_error(resp, "vmid",
		    "property is missing and it is not optional");
		return;
	}
	archive = sim_arg(req, lxc ? "ostemplate" : "archive");
	if (lxc && archive == NULL) {
		pve_param_error(resp, "ostemplate",
		    "property is missing and it is not optional");
		return;
	}
	restore = lxc ? (sim_arg(req, "restore") != NULL &&
	    strcmp(sim_arg(req, "restore"), "1") == 0) : archive != NULL;
	if (restore && (b = pve_find_backup(sc, archive)) == NULL) {
		pve_errorf(resp, 500, "volume '%s' does not exist", archive);
		return;
	}
	force = sim_arg(req, "force");
	old = scenario_guest(sc, vmid);
	if (old != NULL) {
		if (!restore || force == NULL || strcmp(force, "1") != 0) {
			pve_errorf(resp, 500, "unable to create %s %d - %s %d "
			    "already exists on node '%s'", lxc ? "CT" : "VM",
			    vmid, lxc ? "CT" : "VM", vmid,
			    sc->nodes[old->node].name);
			return;
		}
		if (old->running) {
			pve_errorf(resp, 500, "unable to restore %s %d - %s is "
			    "running", lxc ? "CT" : "VM", vmid, lxc ?
			    "container" : "VM");
			return;
		}
		old->gone = true;
	}
	memset(&g, 0, sizeof g);
	g.vmid = vmid;
	g.lxc = lxc;
	g.node = n;
	name = sim_arg(req, lxc ? "hostname" : "name");
	if (name == NULL && b != NULL)
		name = b->notes;
	snprintf(g.name, sizeof g.name, "%s", name != NULL ? name :
	    (lxc ? "CT" : "VM"));
	if (name == NULL)
		snprintf(g.name, sizeof g.name, "%s%d", lxc ? "CT" : "VM",
		    vmid);
	g.maxcpu = sim_arg(req, "cores") != NULL ?
	    atoi(sim_arg(req, "cores")) : 1;
	if (g.maxcpu < 1)
		g.maxcpu = 1;
	g.maxmem = (sim_arg(req, "memory") != NULL ?
	    atoll(sim_arg(req, "memory")) : 2048) * 1024 * 1024;
	g.maxdisk = b != NULL ? b->size * 3 : 8 * GIB;
	g.disk = g.maxdisk / 4;
	g.seed = (uint64_t)vmid * 0x9e3779b97f4a7c15ULL;
	snprintf(g.lock, sizeof g.lock, "create");
	scenario_add_guest(sc, &g);
	t = pve_task(svc, resp, sc->nodes[n].name, restore ? (lxc ?
	    "vzrestore" : "qmrestore") : (lxc ? "vzcreate" : "qmcreate"),
	    vmid, PVE_UNLOCK);
	if (restore) {
		snprintf(line, sizeof line, "restore vma archive: %s", archive);
		json_array_append_new(t->log, json_string(line));
	} else if (lxc && !pve_known_template(archive)) {
		/* As on a real node, the create task fails and the CT goes. */
		snprintf(t->error, sizeof t->error, "volume '%s' does not exist",
		    archive);
		t->effect = PVE_DESTROY;
	} else if (sim_arg(req, "storage") != NULL &&
	    !pve_known_storage(sim_arg(req, "storage"))) {
		snprintf(t->error, sizeof t->error, "storage '%s' does not "
		    "exist", sim_arg(req, "storage"));
		t->effect = PVE_DESTROY;
	}
}

/* POST /nodes/{node}/vzdump: backs up the listed guests on this node. */
static void
pve_vzdump(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g;
	struct pve_task		*t;
	const char		*list, *storage, *all;
	json_t			*vmids;
	char			*copy, *p, *one, *end, line[256];
	long			 v;
	int			 n, i, j;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	list = sim_arg(req, "vmid");
	all = sim_arg(req, "all");
	if (list == NULL && (all == NULL || strcmp(all, "1") != 0)) {
		pve_param_error(resp, "vmid",
		    "property is missing and it is not optional");
		return;
	}
	storage = sim_arg(req, "storage");
	if (storage == NULL)
		storage = "local";
	for (j = 0; j < 3; j++) {
		if (strcmp(pve_storages[j], storage) == 0)
			break;
	}
	if (j == 3) {
		pve_errorf(resp, 500, "storage '%s' does not exist", storage);
		return;
	}
	if (j == 1) {
		pve_errorf(resp, 500, "storage '%s' does not support backups",
		    storage);
		return;
	}
	vmids = json_array();
	if (list != NULL) {
		copy = xstrdup(list);
		p = copy;
		while ((one = strsep(&p, ",; ")) != NULL) {
			if (*one == '\0')
				continue;
			v = strtol(one, &end, 10);
			if (*end != '\0' || v < 100) {
				free(copy);
				json_decref(vmids);
				pve_param_error(resp, "vmid", "value does not "
				    "look like a valid VM ID list");
				return;
			}
			json_array_append_new(vmids, json_integer(v));
		}
		free(copy);
	} else {
		for (i = 0; i < sc->nguests; i++) {
			if (!sc->guests[i].gone && sc->guests[i].node == n)
				json_array_append_new(vmids,
				    json_integer(sc->guests[i].vmid));
		}
	}
	t = pve_task(svc, resp, sc->nodes[n].name, "vzdump",
	    json_array_size(vmids) == 1 ?
	    (int)json_integer_value(json_array_get(vmids, 0)) : 0, PVE_VZDUMP);
	t->vmid = 0;
	t->vmids = vmids;
	snprintf(t->storage, sizeof t->storage, "%s", storage);
	snprintf(line, sizeof line, "INFO: starting new backup job: vzdump %s "
	    "--storage %s --mode snapshot --compress zstd", list != NULL ?
	    list : "--all 1", storage);
	json_array_append_new(t->log, json_string(line));
	for (i = 0; i < (int)json_array_size(vmids); i++) {
		g = scenario_guest(sc,
		    (int)json_integer_value(json_array_get(vmids, i)));
		if (g == NULL || g->node != n)
			continue;
		snprintf(line, sizeof line, "INFO: Starting Backup of VM %d "
		    "(%s)", g->vmid, g->lxc ? "lxc" : "qemu");
		json_array_append_new(t->log, json_string(line));
	}
}

/* GET /nodes/{node}/storage (?content=, ?storage=). */
static void
pve_storage(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario	*sc = sim_scenario(svc);
	const char	*type, *content, *want, *only;
	json_t		*a;
	int64_t		 total, used;
	int		 j, shared;

	if (pve_check_node(svc, req, resp) == -1)
		return;
	want = sim_arg(req, "content");
	only = sim_arg(req, "storage");
	a = json_array();
	for (j = 0; j < 3; j++) {
		pve_storage_info(sc, j, &type, &content, &shared, &total,
		    &used);
		if (want != NULL && strstr(content, want) == NULL)
			continue;
		if (only != NULL && strcmp(only, pve_storages[j]) != 0)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,"
		    "s:I,s:I,s:I,s:f}", "storage", pve_storages[j], "type",
		    type, "content", content, "active", 1, "enabled", 1,
		    "shared", shared, "total", (json_int_t)total, "used",
		    (json_int_t)used, "avail", (json_int_t)(total - used),
		    "used_fraction", (double)used / (double)total));
	}
	pve_data(resp, a);
}

/* GET /nodes/{node}/storage/{storage}/content (?content=, ?vmid=). */
static void
pve_content(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_backup	*b;
	const char		*storage, *want;
	json_t			*a;
	char			 prefix[40];
	int			 i, vmid;

	if (pve_check_node(svc, req, resp) == -1)
		return;
	storage = json_string_value(json_object_get(req->params, "storage"));
	for (i = 0; i < 3; i++) {
		if (strcmp(pve_storages[i], storage) == 0)
			break;
	}
	if (i == 3) {
		pve_errorf(resp, 500, "storage '%s' does not exist", storage);
		return;
	}
	vmid = pve_vmid_arg(req, resp, "vmid", req->args);
	if (vmid == -1)
		return;
	want = sim_arg(req, "content");
	a = json_array();
	if (strcmp(storage, "local") == 0 && (want == NULL ||
	    strcmp(want, "vztmpl") == 0) && vmid == 0) {
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:I}",
		    "volid", "local:vztmpl/debian-12-standard_12.7-1_amd64"
		    ".tar.zst", "content", "vztmpl", "format", "tzst", "size",
		    (json_int_t)126352186, "ctime", (json_int_t)1732000000));
	}
	snprintf(prefix, sizeof prefix, "%s:", storage);
	for (i = 0; i < sc->nbackups && (want == NULL ||
	    strcmp(want, "backup") == 0); i++) {
		b = &sc->backups[i];
		if (strncmp(b->volid, prefix, strlen(prefix)) != 0 ||
		    (vmid != 0 && b->vmid != vmid))
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,"
		    "s:i,s:s}", "volid", b->volid, "content", "backup",
		    "format", b->lxc ? "tar.zst" : "vma.zst", "subtype",
		    b->lxc ? "lxc" : "qemu", "size", (json_int_t)b->size,
		    "ctime", (json_int_t)b->ctime, "vmid", b->vmid, "notes",
		    b->notes));
	}
	pve_data(resp, a);
}

/* Finds a task by UPID on node, or answers 500. */
static struct pve_task *
pve_find_task(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pve	*pve = sim_service_data(svc);
	struct pve_task	*t;
	const char	*upid, *node;

	upid = json_string_value(json_object_get(req->params, "upid"));
	node = json_string_value(json_object_get(req->params, "node"));
	for (t = pve->tasks; t != NULL; t = t->next) {
		if (strcmp(t->upid, upid) == 0 && strcmp(t->node, node) == 0)
			return (t);
	}
	if (strncmp(upid, "UPID:", 5) != 0)
		pve_param_error(resp, "upid", "value does not match the regex "
		    "pattern");
	else
		pve_errorf(resp, 500, "no such task");
	return (NULL);
}

/* GET /nodes/{node}/tasks/{upid}/status. */
static void
pve_task_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pve_task	*t;
	json_t		*o;

	if (pve_check_node(svc, req, resp) == -1)
		return;
	if ((t = pve_find_task(svc, req, resp)) == NULL)
		return;
	t->polls++;
	pve_tick(svc);
	o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:I,s:s,s:s}", "upid",
	    t->upid, "node", t->node, "type", t->type, "id", t->id, "pid",
	    t->pid, "pstart", t->pstart, "starttime",
	    (json_int_t)(t->start_ms / 1000), "user", "root@pam", "status",
	    t->done ? "stopped" : "running");
	if (t->done)
		json_object_set_new(o, "exitstatus", json_string(
		    t->error[0] != '\0' ? t->error : "OK"));
	pve_data(resp, o);
}

/* GET /nodes/{node}/tasks/{upid}/log (?start=, ?limit=). */
static void
pve_task_log(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct pve_task	*t;
	json_t		*a;
	size_t		 i, start = 0, limit = 50;

	if (pve_check_node(svc, req, resp) == -1)
		return;
	if ((t = pve_find_task(svc, req, resp)) == NULL)
		return;
	if (sim_arg(req, "start") != NULL)
		start = (size_t)strtoul(sim_arg(req, "start"), NULL, 10);
	if (sim_arg(req, "limit") != NULL)
		limit = (size_t)strtoul(sim_arg(req, "limit"), NULL, 10);
	a = json_array();
	for (i = start; i < json_array_size(t->log) && i < start + limit; i++)
		json_array_append_new(a, json_pack("{s:i,s:O}", "n",
		    (int)i + 1, "t", json_array_get(t->log, i)));
	sim_reply_json_new(resp, 200, json_pack("{s:o,s:i}", "data", a,
	    "total", (int)json_array_size(t->log)));
}

/* POST /state ops: set_guest_status, set_node_status, remove_guest. */
static int
pve_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct scenario		*sc = sim_scenario(svc);
	struct scenario_guest	*g = NULL;
	const char		*op, *status, *node;
	int			 n;

	pve_tick(svc);
	op = json_string_value(json_object_get(j, "op"));
	status = json_string_value(json_object_get(j, "status"));
	if (op == NULL) {
		*cause = xstrdup("missing op");
		return (-1);
	}
	if (strcmp(op, "set_node_status") == 0) {
		node = json_string_value(json_object_get(j, "node"));
		n = node != NULL ? scenario_node(sc, node) : -1;
		if (n == -1 || status == NULL || (strcmp(status, "online") != 0
		    && strcmp(status, "offline") != 0)) {
			*cause = xstrdup("need node and status online|offline");
			return (-1);
		}
		sc->nodes[n].online = strcmp(status, "online") == 0;
		return (0);
	}
	g = scenario_guest(sc, (int)json_integer_value(json_object_get(j,
	    "vmid")));
	if (g == NULL) {
		*cause = xstrdup("no such vmid");
		return (-1);
	}
	if (strcmp(op, "set_guest_status") == 0) {
		if (status == NULL || (strcmp(status, "running") != 0 &&
		    strcmp(status, "stopped") != 0)) {
			*cause = xstrdup("status must be running|stopped");
			return (-1);
		}
		if (!g->running && strcmp(status, "running") == 0)
			g->start_ms = sim_now_ms(svc);
		g->running = strcmp(status, "running") == 0;
		return (0);
	}
	if (strcmp(op, "remove_guest") == 0) {
		g->gone = true;
		return (0);
	}
	xasprintf(cause, "unknown op \"%s\"", op);
	return (-1);
}

/* Adds "proxmox" to the endpoints file. */
static void
pve_endpoint(struct sim_service *svc, json_t *o)
{
	struct pve	*pve = sim_service_data(svc);

	json_object_set_new(o, "proxmox", json_pack("{s:o,s:s,s:s,s:s,s:s,"
	    "s:s}", "url", json_sprintf("http://127.0.0.1:%u",
	    sim_service_port(svc)), "token_id", pve->token_id, "token",
	    pve->secret, "user", pve->user, "password", pve->password, "node",
	    "pve1"));
}

/*
 * GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces and GET
 * /nodes/{node}/lxc/{vmid}/interfaces: the guest's loopback and eth0
 * with its address and MAC (scenario_guest_addr). A stopped guest, or
 * QEMU guest 110 (no agent installed), answers the agent's 500.
 */
static void
pve_guest_ifaces(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct scenario_guest	*g;
	char			 ip[32], mac[24], inet[40];
	json_t			*lo, *eth;
	int			 n;

	if ((n = pve_check_node(svc, req, resp)) == -1)
		return;
	if ((g = pve_find_guest(svc, req, resp, n)) == NULL)
		return;
	if (!g->running) {
		pve_errorf(resp, 500, g->lxc ? "CT %d not running" :
		    "VM %d not running", g->vmid);
		return;
	}
	if (!g->lxc && g->vmid == 110) {
		pve_errorf(resp, 500, "QEMU guest agent is not running");
		return;
	}
	scenario_guest_addr(sim_scenario(svc), g, ip, sizeof ip, mac,
	    sizeof mac);
	snprintf(inet, sizeof inet, "%s/%d", ip, strncmp(ip, "10.0.0.", 7) ==
	    0 ? 24 : 16);
	if (g->lxc) {
		lo = json_pack("{s:s, s:s, s:s, s:s}", "name", "lo", "hwaddr",
		    "00:00:00:00:00:00", "inet", "127.0.0.1/8", "inet6",
		    "::1/128");
		eth = json_pack("{s:s, s:s, s:s}", "name", "eth0", "hwaddr", mac,
		    "inet", inet);
		pve_data(resp, json_pack("[o, o]", lo, eth));
		return;
	}
	lo = json_pack("{s:s, s:s, s:[{s:s, s:s, s:i}]}", "name", "lo",
	    "hardware-address", "00:00:00:00:00:00", "ip-addresses",
	    "ip-address", "127.0.0.1", "ip-address-type", "ipv4", "prefix", 8);
	eth = json_pack("{s:s, s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}]}",
	    "name", "eth0", "hardware-address", mac, "ip-addresses",
	    "ip-address", ip, "ip-address-type", "ipv4", "prefix",
	    strncmp(ip, "10.0.0.", 7) == 0 ? 24 : 16, "ip-address",
	    "fe80::be24:11ff:fe00:1", "ip-address-type", "ipv6", "prefix", 64);
	pve_data(resp, json_pack("{s:[o, o]}", "result", lo, eth));
}

#define PVE_GUEST_ROUTES(kind)						\
	{ "GET", "/nodes/{node}/" kind, pve_guests, 0 },		\
	{ "POST", "/nodes/{node}/" kind, pve_guest_create, 0 },		\
	{ "GET", "/nodes/{node}/" kind "/{vmid}/status/current",	\
	    pve_guest_current, 0 },					\
	{ "POST", "/nodes/{node}/" kind "/{vmid}/status/start",		\
	    pve_guest_action, 0 },					\
	{ "POST", "/nodes/{node}/" kind "/{vmid}/status/stop",		\
	    pve_guest_action, 0 },					\
	{ "POST", "/nodes/{node}/" kind "/{vmid}/status/shutdown",	\
	    pve_guest_action, 0 },					\
	{ "POST", "/nodes/{node}/" kind "/{vmid}/status/reboot",	\
	    pve_guest_action, 0 },					\
	{ "DELETE", "/nodes/{node}/" kind "/{vmid}", pve_guest_destroy, 0 }

static const struct sim_route pve_routes[] = {
	{ "GET", "/version", pve_version, 0 },
	{ "GET", "/access/ticket", pve_get_ticket, SIM_ROUTE_NOAUTH },
	{ "POST", "/access/ticket", pve_post_ticket, SIM_ROUTE_NOAUTH },
	{ "GET", "/cluster/resources", pve_resources, 0 },
	{ "GET", "/cluster/status", pve_cluster_status, 0 },
	{ "GET", "/cluster/nextid", pve_nextid, 0 },
	{ "GET", "/nodes", pve_nodes, 0 },
	{ "GET", "/nodes/{node}/status", pve_node_status, 0 },
	PVE_GUEST_ROUTES("qemu"),
	PVE_GUEST_ROUTES("lxc"),
	{ "GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces",
	    pve_guest_ifaces, 0 },
	{ "GET", "/nodes/{node}/lxc/{vmid}/interfaces", pve_guest_ifaces, 0 },
	{ "POST", "/nodes/{node}/vzdump", pve_vzdump, 0 },
	{ "GET", "/nodes/{node}/storage", pve_storage, 0 },
	{ "GET", "/nodes/{node}/storage/{storage}/content", pve_content, 0 },
	{ "GET", "/nodes/{node}/tasks/{upid}/status", pve_task_status, 0 },
	{ "GET", "/nodes/{node}/tasks/{upid}/log", pve_task_log, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_proxmox_ops = {
	.name = "proxmox",
	.prefix = "/api2/json",
	.routes = pve_routes,
	.create = pve_create,
	.destroy = pve_destroy,
	.authorize = pve_authorize,
	.unauthorized = pve_unauthorized,
	.error = pve_error,
	.not_found = pve_not_found,
	.state = pve_state,
	.endpoint = pve_endpoint,
};
