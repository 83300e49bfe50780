/*
 * The simulated Docker Engine API on a Unix socket (sim-ext.h), following
 * the Engine API v1.56 definition (versioned paths /v1.XX/...): containers
 * with state, health, one-shot stats and multiplexed logs; create, start,
 * stop, restart and remove; images with pull and push progress streamed
 * as JSON lines (an image named "rt-fail..." fails inside the 200 stream;
 * push needs X-Registry-Auth); networks, volumes, the four prunes, /info,
 * /version, /system/df; and GET /events as a real stream that stays open
 * and carries every container change. Errors are {"message": "..."}.
 *
 * Small scale: 12 containers; --scale large or N: that many (svc-NNNN),
 * two thirds running. Health appears in the list from API 1.52, and in the
 * status text ("Up 5 minutes (healthy)") always, as on real engines.
 *
 * Refresh windows, for the connection budget: every GET /containers/json
 * opens a window that the next one closes; the list and stats requests in
 * it are counted with the distinct connections that carried them (the
 * socket's inode: unique while open, and sockfs numbers are not reused
 * soon). GET /_sim/refreshes (not part of the Engine API) reports them.
 */
#include "config.h"

#include <sys/stat.h>

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim-ext.h"
#include "sim/sim.h"

#define DK_NCPU 4
#define DK_MEM_TOTAL (16LL * 1024 * 1024 * 1024)
#define DK_LOG_LINES 20

struct dk_container {
	char		 id[65];
	char		 name[64];
	char		 image[64];
	bool		 running;
	bool		 tty;
	bool		 gone;
	const char	*health;	/* "healthy", ..., or NULL: no check */
	int64_t		 created_ms;
	int64_t		 started_ms;
	int64_t		 finished_ms;
	double		 load;		/* fraction of one CPU */
	int64_t		 mem;
	int		 exit_code;
};

/* The requests of one refresh (see the top of the file). */
struct dk_window {
	bool			 open;
	int64_t			 start_ms;	/* monotonic */
	int64_t			 last_ms;
	int			 requests;
	json_t			*conns;		/* inode -> requests */
};

struct dk {
	struct dk_window	 win;
	json_t			*windows;	/* the last closed ones */
	int			 nwindows;
	int			 max_conns;
	int			 max_requests;
	int64_t			 max_ms;
	struct dk_container	*c;
	int			 n;
	int			 size;
	json_t			*images;	/* [{Id, RepoTags, Size, Created}] */
	json_t			*events;	/* every event so far */
	uint64_t		 rng;
	int			 serial;
};

/* An events stream being read. */
struct dk_stream {
	struct sim_service	*svc;
	size_t			 next;
	int64_t			 until_ms;	/* 0: none */
};

/* A pseudo-random 64-hex id. */
static void
dk_make_id(struct dk *d, char *out)
{
	uint64_t	r;
	int		i;

	for (i = 0; i < 4; i++) {
		r = scenario_rand(&d->rng);
		snprintf(out + i * 16, 17, "%016llx", (unsigned long long)r);
	}
}

/* Adds a container (lock held or at create). */
static struct dk_container *
dk_add(struct dk *d, const char *name, const char *image, bool running,
    int64_t now)
{
	struct dk_container	*c;

	if (d->n == d->size) {
		d->size = d->size == 0 ? 16 : d->size * 2;
		d->c = xreallocarray(d->c, (size_t)d->size, sizeof *d->c);
	}
	c = &d->c[d->n++];
	memset(c, 0, sizeof *c);
	dk_make_id(d, c->id);
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->image, sizeof c->image, "%s", image);
	c->running = running;
	c->created_ms = now - 86400000LL;
	c->started_ms = now - 3600000LL - (int64_t)(scenario_rand(&d->rng) %
	    3600000ULL);
	c->finished_ms = running ? 0 : now - 600000LL;
	c->load = (double)(scenario_rand(&d->rng) % 400) / 1000.0;
	c->mem = (int64_t)(20 + scenario_rand(&d->rng) % 500) * 1024 * 1024;
	return (c);
}

/* Creates the simulated engine. */
static void *
dk_create(struct sim_service *svc)
{
	static const char *const small[][3] = {
		{ "traefik", "traefik:v3.1", "r" },
		{ "pihole", "pihole/pihole:2024.07.0", "h" },
		{ "grafana", "grafana/grafana:11.1.0", "r" },
		{ "prometheus", "prom/prometheus:v2.53.0", "r" },
		{ "postgres", "postgres:16", "h" },
		{ "redis", "redis:7", "r" },
		{ "nextcloud", "nextcloud:29", "u" },
		{ "jellyfin", "jellyfin/jellyfin:10.9", "r" },
		{ "homeassistant", "homeassistant/home-assistant:2024.7", "t" },
		{ "backup-job", "restic/restic:0.16", "x" },
		{ "old-nginx", "nginx:1.25", "x" },
		{ "uptime-kuma", "louislam/uptime-kuma:1", "s" },
	};
	struct scenario		*sc = sim_scenario(svc);
	struct dk		*d = xcalloc(1, sizeof *d);
	struct dk_container	*c;
	int64_t			 now = sim_now_ms(svc);
	char			 name[32];
	int			 i;

	sim_service_use_unix(svc, "docker.sock");
	d->rng = sc->seed ^ 0xd0c4e7ULL;
	d->windows = json_array();
	d->events = json_array();
	d->images = json_array();
	if (sc->nguests <= 20) {
		for (i = 0; i < 12; i++) {
			c = dk_add(d, small[i][0], small[i][1],
			    small[i][2][0] != 'x', now);
			if (small[i][2][0] == 'h')
				c->health = "healthy";
			else if (small[i][2][0] == 'u')
				c->health = "unhealthy";
			else if (small[i][2][0] == 's')
				c->health = "starting";
			c->tty = small[i][2][0] == 't';
			if (!c->running)
				c->exit_code = i == 9 ? 0 : 137;
		}
	} else {
		for (i = 0; i < sc->nguests; i++) {
			snprintf(name, sizeof name, "svc-%04d", i);
			dk_add(d, name, i % 2 ? "nginx:1.27" : "redis:7",
			    i % 3 != 2, now);
		}
	}
	for (i = 0; i < 3; i++) {
		json_array_append_new(d->images, json_pack("{s:s, s:[s], s:I,"
		    " s:I, s:i}", "Id", i == 0 ? "sha256:1a1a" : i == 1 ?
		    "sha256:2b2b" : "sha256:3c3c", "RepoTags", i == 0 ?
		    "nginx:1.27" : i == 1 ? "redis:7" : "busybox:latest", "Size",
		    (json_int_t)(5 + i) * 1000000, "Created", (json_int_t)(now /
		    1000 - 86400 * (i + 1)), "Containers", 0));
	}
	return (d);
}

/* Frees the simulated engine. */
static void
dk_destroy(void *arg)
{
	struct dk	*d = arg;

	if (d == NULL)
		return;
	free(d->c);
	json_decref(d->events);
	json_decref(d->images);
	json_decref(d->win.conns);
	json_decref(d->windows);
	free(d);
}

/* Monotonic milliseconds. */
static int64_t
dk_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* A window as JSON. New. */
static json_t *
dk_window_json(const struct dk_window *w)
{
	return (json_pack("{s:i, s:i, s:I}", "requests", w->requests,
	    "connections", (int)json_object_size(w->conns), "ms",
	    (json_int_t)(w->last_ms - w->start_ms)));
}

/*
 * Counts a list or stats request in the current refresh window; a list
 * (start) closes the window and opens the next (lock held).
 */
static void
dk_track(struct sim_service *svc, struct sim_request *req, bool start)
{
	const union MHD_ConnectionInfo *ci;
	struct dk *d = sim_service_data(svc);
	struct dk_window *w = &d->win;
	struct stat sb;
	char key[32];
	json_t *n;
	int conns;

	if (start && w->open) {
		conns = (int)json_object_size(w->conns);
		if (conns > d->max_conns)
			d->max_conns = conns;
		if (w->requests > d->max_requests)
			d->max_requests = w->requests;
		if (w->last_ms - w->start_ms > d->max_ms)
			d->max_ms = w->last_ms - w->start_ms;
		json_array_append_new(d->windows, dk_window_json(w));
		if (json_array_size(d->windows) > 20)
			json_array_remove(d->windows, 0);
		d->nwindows++;
		w->open = false;
	}
	if (start) {
		json_decref(w->conns);
		w->conns = json_object();
		w->requests = 0;
		w->start_ms = dk_mono_ms();
		w->open = true;
	}
	if (!w->open)
		return;
	w->requests++;
	w->last_ms = dk_mono_ms();
	ci = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || fstat(ci->connect_fd, &sb) != 0)
		return;
	snprintf(key, sizeof key, "%llu", (unsigned long long)sb.st_ino);
	n = json_object_get(w->conns, key);
	json_object_set_new(w->conns, key, json_integer(n != NULL ?
	    json_integer_value(n) + 1 : 1));
}

/* GET /_sim/refreshes: the refresh windows so far. */
static void
dk_sim_refreshes(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk *d = sim_service_data(svc);

	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:i, s:i, s:i, s:I, s:O,"
	    " s:o}", "refreshes", d->nwindows, "max_connections",
	    d->max_conns, "max_requests", d->max_requests, "max_ms",
	    (json_int_t)d->max_ms, "windows", d->windows, "current",
	    d->win.open ? dk_window_json(&d->win) : json_null()));
}

/* The engine's error body. */
static void
dk_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *message)
{
	(void)svc;
	sim_reply_json_new(resp, status, json_pack("{s:s}", "message",
	    message != NULL ? message : status == 500 ?
	    "internal server error" : "error"));
}

/* No such route. */
static void
dk_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	dk_error(svc, resp, 404, "page not found");
}

/* The engine has no auth on its socket. */
static void
dk_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	dk_error(svc, resp, 401, "unauthorized");
}

/* The endpoints file entry. */
static void
dk_endpoint(struct sim_service *svc, json_t *o)
{
	json_object_set_new(o, "docker", json_pack("{s:s++}", "url",
	    "unix://", sim_service_unix_path(svc), ""));
}

/* Records an event and wakes the streams. */
static void
dk_event(struct sim_service *svc, struct dk_container *c, const char *action)
{
	struct dk	*d = sim_service_data(svc);
	int64_t		 now = sim_now_ms(svc);

	json_array_append_new(d->events, json_pack("{s:s, s:s, s:s, s:s, s:{s:s,"
	    " s:{s:s, s:s}}, s:s, s:I, s:I}", "status", action, "id", c->id,
	    "Type", "container", "Action", action, "Actor", "ID", c->id,
	    "Attributes", "name", c->name, "image", c->image, "scope",
	    "local", "time", (json_int_t)(now / 1000), "timeNano",
	    (json_int_t)now * 1000000));
	sim_service_wake(svc);
}

/* A container by id, id prefix or name; NULL after a 404. */
static struct dk_container *
dk_find(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);
	const char	*ref = json_string_value(json_object_get(req->params,
			    "id"));
	char		 msg[160];
	int		 i;

	for (i = 0; ref != NULL && *ref != '\0' && i < d->n; i++) {
		if (d->c[i].gone)
			continue;
		if (strcmp(d->c[i].name, ref) == 0 ||
		    strncmp(d->c[i].id, ref, strlen(ref)) == 0)
			return (&d->c[i]);
	}
	snprintf(msg, sizeof msg, "No such container: %s", ref);
	dk_error(svc, resp, 404, msg);
	return (NULL);
}

/* Whether the path's API version is at least want. */
static bool
dk_api_at_least(struct sim_request *req, int minor)
{
	const char	*v = json_string_value(json_object_get(req->params,
			    "v"));

	return (v != NULL && v[0] == 'v' && strncmp(v + 1, "1.", 2) == 0 &&
	    atoi(v + 3) >= minor);
}

/* The status text of a container. */
static void
dk_status(struct sim_service *svc, struct dk_container *c, char *buf,
    size_t len)
{
	int64_t	up = (sim_now_ms(svc) - (c->running ? c->started_ms :
		    c->finished_ms)) / 60000;

	if (c->running)
		snprintf(buf, len, "Up %lld minutes%s%s%s", (long long)up,
		    c->health != NULL ? " (" : "", c->health == NULL ? "" :
		    strcmp(c->health, "starting") == 0 ? "health: starting" :
		    c->health, c->health != NULL ? ")" : "");
	else
		snprintf(buf, len, "Exited (%d) %lld minutes ago", c->exit_code,
		    (long long)up);
}

/* GET /_ping. */
static void
dk_ping(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_text(resp, 200, "OK");
	resp->content_type = "text/plain; charset=utf-8";
}

/* GET /version. */
static void
dk_version(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:s, s:s, s:s,"
	    " s:s}", "Version", "27.3.1-racktop-sim", "ApiVersion", "1.47",
	    "MinAPIVersion", "1.24", "Os", "linux", "Arch", "amd64",
	    "KernelVersion", "6.1.0-sim"));
}

/*
 * A container's networks as the list reports them: the default bridge
 * (172.17.0.2 up, for running containers), and for a host the whole lab
 * shares (scenario.h) a macvlan "lan" network with its address and MAC.
 */
static json_t *
dk_list_networks(const struct dk_container *c, int i)
{
	const struct scenario_host	*h = scenario_host_find(c->name);
	json_t				*n = json_object();
	char				 ip[32], mac[24];

	snprintf(ip, sizeof ip, "172.17.%d.%d", i / 250, 2 + i % 250);
	snprintf(mac, sizeof mac, "02:42:ac:11:%02x:%02x", (i / 250) & 0xff,
	    (2 + i % 250) & 0xff);
	json_object_set_new(n, "bridge", json_pack("{s:s, s:s, s:s, s:i}",
	    "NetworkID", "5e1f0d2c", "IPAddress", c->running ? ip : "",
	    "MacAddress", c->running ? mac : "", "IPPrefixLen", 16));
	if (h != NULL)
		json_object_set_new(n, "lan", json_pack("{s:s, s:s, s:s, s:i}",
		    "NetworkID", "7a3c9e11", "IPAddress", c->running ? h->ip :
		    "", "MacAddress", c->running ? h->mac : "", "IPPrefixLen",
		    24));
	return (n);
}

/* GET /containers/json. */
static void
dk_list(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk		*d = sim_service_data(svc);
	struct dk_container	*c;
	const char		*all = sim_arg(req, "all");
	json_t			*a = json_array(), *o;
	char			 status[96], name[80];
	int			 i;

	dk_track(svc, req, true);
	for (i = 0; i < d->n; i++) {
		c = &d->c[i];
		if (c->gone || (!c->running && (all == NULL ||
		    strcmp(all, "0") == 0 || strcmp(all, "false") == 0)))
			continue;
		dk_status(svc, c, status, sizeof status);
		snprintf(name, sizeof name, "/%s", c->name);
		o = json_pack("{s:s, s:[s], s:s, s:s, s:s, s:I, s:s, s:s,"
		    " s:[], s:{}}", "Id", c->id, "Names", name, "Image",
		    c->image, "ImageID", "sha256:1a1a", "Command", "/init",
		    "Created", (json_int_t)(c->created_ms / 1000),
		    "State", c->running ? "running" : "exited", "Status", status, "Ports", "Labels");
		json_object_set_new(o, "NetworkSettings", json_pack("{s:o}",
		    "Networks", dk_list_networks(c, i)));
		if (dk_api_at_least(req, 52))
			json_object_set_new(o, "Health", json_pack("{s:s, s:i}",
			    "Status", c->health != NULL && c->running ?
			    c->health : "none", "FailingStreak", 0));
		json_array_append_new(a, o);
	}
	sim_reply_json_new(resp, 200, a);
}

/* POST /containers/create?name=. */
static void
dk_create_container(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk		*d = sim_service_data(svc);
	struct dk_container	*c;
	const char		*image = sim_arg(req, "Image");
	const char		*name = sim_arg(req, "name");
	char			 gen[32];

	if (image == NULL) {
		dk_error(svc, resp, 400, "config cannot be empty in order to "
		    "create a container");
		return;
	}
	if (name == NULL) {
		snprintf(gen, sizeof gen, "sim_%d", ++d->serial);
		name = gen;
	}
	c = dk_add(d, name, image, false, sim_now_ms(svc));
	c->finished_ms = sim_now_ms(svc);
	dk_event(svc, c, "create");
	sim_reply_json_new(resp, 201, json_pack("{s:s, s:[]}", "Id", c->id,
	    "Warnings"));
}

/* GET /containers/{id}/json. */
static void
dk_inspect(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk_container	*c;
	json_t			*o;
	char			 name[80];

	if ((c = dk_find(svc, req, resp)) == NULL)
		return;
	snprintf(name, sizeof name, "/%s", c->name);
	o = json_pack("{s:s, s:s, s:s, s:{s:s, s:b, s:i, s:s, s:s},"
	    " s:i, s:{s:s, s:b, s:[s], s:[s, s], s:{s:s}},"
	    " s:{s:s, s:{s:s}}, s:[], s:{s:{s:{s:s}}}}",
	    "Id", c->id, "Name", name, "Created", "2025-12-31T00:00:00Z",
	    "State", "Status", c->running ? "running" : "exited", "Running",
	    c->running, "ExitCode", c->exit_code, "StartedAt",
	    "2025-12-31T23:00:00Z", "FinishedAt", "0001-01-01T00:00:00Z",
	    "RestartCount", 0,
	    "Config", "Image", c->image, "Tty", c->tty, "Cmd", "/init",
	    "Env", "PATH=/usr/bin", "DB_PASSWORD=hunter2", "Labels",
	    "com.example.app", c->name,
	    "HostConfig", "NetworkMode", "bridge", "RestartPolicy", "Name",
	    "unless-stopped", "Mounts",
	    "NetworkSettings", "Networks", "bridge", "IPAddress",
	    c->running ? "172.17.0.2" : "");
	if (c->health != NULL)
		json_object_set_new(json_object_get(o, "State"), "Health",
		    json_pack("{s:s, s:i}", "Status", c->health,
		    "FailingStreak", 0));
	sim_reply_json_new(resp, 200, o);
}

/* GET /containers/{id}/stats?stream=false&one-shot=true. */
static void
dk_stats(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk_container	*c;
	int64_t			 now = sim_now_ms(svc), up;
	json_int_t		 total, system;

	dk_track(svc, req, false);
	if ((c = dk_find(svc, req, resp)) == NULL)
		return;
	up = c->running ? now - c->started_ms : 0;
	total = (json_int_t)((double)up * 1e6 * c->load);
	/* Host CPU time in ns, like the engine's (taken modulo ~3 years). */
	system = (json_int_t)(now % 100000000000LL) * 1000000 * DK_NCPU;
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:s, s:{s:i},"
	    " s:{s:{s:I}, s:I, s:i}, s:{}, s:{s:I, s:{s:I, s:I}, s:I},"
	    " s:{s:{s:I, s:I}}}",
	    "read", "2026-01-01T00:00:00Z", "id", c->id, "name", c->name,
	    "pids_stats", "current", c->running ? 3 : 0,
	    "cpu_stats", "cpu_usage", "total_usage", total,
	    "system_cpu_usage", c->running ? system : (json_int_t)0,
	    "online_cpus", DK_NCPU, "precpu_stats",
	    "memory_stats", "usage", c->running ? (json_int_t)c->mem +
	    8 * 1024 * 1024 : 0, "stats", "inactive_file",
	    (json_int_t)8 * 1024 * 1024, "active_file", (json_int_t)0,
	    "limit", (json_int_t)DK_MEM_TOTAL,
	    "networks", "eth0", "rx_bytes", (json_int_t)up * 3, "tx_bytes",
	    (json_int_t)up));
}

/* Appends one frame (or raw text for a TTY). */
static void
dk_frame(char **buf, size_t *len, int stream, const char *text, bool tty)
{
	size_t	n = strlen(text);

	*buf = xrealloc(*buf, *len + n + 8);
	if (!tty) {
		(*buf)[*len] = (char)stream;
		(*buf)[*len + 1] = (*buf)[*len + 2] = (*buf)[*len + 3] = 0;
		(*buf)[*len + 4] = (char)(n >> 24 & 0xff);
		(*buf)[*len + 5] = (char)(n >> 16 & 0xff);
		(*buf)[*len + 6] = (char)(n >> 8 & 0xff);
		(*buf)[*len + 7] = (char)(n & 0xff);
		*len += 8;
	}
	memcpy(*buf + *len, text, n);
	*len += n;
}

/* Whether an argument is a true boolean ("1", "true"). */
static bool
dk_true(struct sim_request *req, const char *name)
{
	const char	*v = sim_arg(req, name);

	return (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0));
}

/* GET /containers/{id}/logs. */
static void
dk_logs(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk_container	*c;
	bool			 out = dk_true(req, "stdout");
	bool			 err = dk_true(req, "stderr");
	const char		*tail = sim_arg(req, "tail");
	char			*buf = NULL, line[160];
	size_t			 len = 0;
	int			 i, first = 0;

	if ((c = dk_find(svc, req, resp)) == NULL)
		return;
	if (!out && !err) {
		dk_error(svc, resp, 400, "Bad parameters: you must choose at "
		    "least one stream");
		return;
	}
	if (tail != NULL && strcmp(tail, "all") != 0 && atoi(tail) <
	    DK_LOG_LINES)
		first = DK_LOG_LINES - atoi(tail);
	for (i = first; i < DK_LOG_LINES; i++) {
		if (i % 4 == 3 && !c->tty) {
			if (!err)
				continue;
			snprintf(line, sizeof line, "%s: warning %d\n",
			    c->name, i);
			dk_frame(&buf, &len, 2, line, false);
		} else if (out) {
			snprintf(line, sizeof line, "%s: line %d%s\n", c->name,
			    i, c->tty ? "\r" : "");
			dk_frame(&buf, &len, 1, line, c->tty);
		}
	}
	resp->status = 200;
	resp->body = buf != NULL ? buf : xstrdup("");
	resp->len = len;
	resp->content_type = c->tty ? "application/vnd.docker.raw-stream" :
	    "application/vnd.docker.multiplexed-stream";
}

/* POST /containers/{id}/start, stop, restart. */
static void
dk_action(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, const char *action)
{
	struct dk_container	*c;

	if ((c = dk_find(svc, req, resp)) == NULL)
		return;
	if (strcmp(action, "start") == 0 && c->running) {
		resp->status = 304;
		return;
	}
	if (strcmp(action, "stop") == 0 && !c->running) {
		resp->status = 304;
		return;
	}
	if (strcmp(action, "stop") != 0 && c->running) {
		c->running = false;
		dk_event(svc, c, "die");
	}
	if (strcmp(action, "stop") == 0) {
		c->running = false;
		c->exit_code = 0;
		c->finished_ms = sim_now_ms(svc);
		dk_event(svc, c, "die");
		dk_event(svc, c, "stop");
	} else {
		c->running = true;
		c->started_ms = sim_now_ms(svc);
		dk_event(svc, c, action);
	}
	resp->status = 204;
}

/* Route wrappers. */
static void
dk_start(struct sim_service *s, struct sim_request *q, struct sim_response *r)
{
	dk_action(s, q, r, "start");
}

/* POST /containers/{id}/stop. */
static void
dk_stop(struct sim_service *s, struct sim_request *q, struct sim_response *r)
{
	dk_action(s, q, r, "stop");
}

/* POST /containers/{id}/restart. */
static void
dk_restart(struct sim_service *s, struct sim_request *q,
    struct sim_response *r)
{
	dk_action(s, q, r, "restart");
}

/* DELETE /containers/{id}. */
static void
dk_remove(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk_container	*c;
	char			 msg[200];

	if ((c = dk_find(svc, req, resp)) == NULL)
		return;
	if (c->running && !dk_true(req, "force")) {
		snprintf(msg, sizeof msg, "cannot remove container \"/%s\": "
		    "container is running: stop the container before removing "
		    "or force remove", c->name);
		dk_error(svc, resp, 409, msg);
		return;
	}
	c->gone = true;
	dk_event(svc, c, "destroy");
	resp->status = 204;
}

/* GET /images/json. */
static void
dk_images(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);

	(void)req;
	sim_reply_json_new(resp, 200, json_deep_copy(d->images));
}

/* Appends a progress line. */
static void
dk_line(json_t *lines, json_t *o)
{
	char	*s = json_dumps(o, JSON_COMPACT);

	json_array_append_new(lines, json_string(s));
	free(s);
	json_decref(o);
}

/* The streamed progress lines as one body (newline-separated JSON). */
static void
dk_reply_lines(struct sim_response *resp, json_t *lines)
{
	const json_t	*l;
	char		*buf = xstrdup(""), *p;
	size_t		 i;

	json_array_foreach(lines, i, l) {
		xasprintf(&p, "%s%s\r\n", buf, json_string_value(l));
		free(buf);
		buf = p;
	}
	json_decref(lines);
	sim_reply_text(resp, 200, buf);
	free(buf);
	resp->content_type = "application/json";
}

/* POST /images/create?fromImage=&tag=. */
static void
dk_pull(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);
	const char	*from = sim_arg(req, "fromImage");
	const char	*tag = sim_arg(req, "tag");
	json_t		*lines = json_array();
	char		 ref[192];
	int		 i;

	if (from == NULL) {
		json_decref(lines);
		dk_error(svc, resp, 400, "fromImage is required");
		return;
	}
	snprintf(ref, sizeof ref, "%s:%s", from, tag != NULL && *tag != '\0' ?
	    tag : "latest");
	dk_line(lines, json_pack("{s:s+, s:s}", "status", "Pulling from ",
	    from, "id", tag != NULL ? tag : "latest"));
	/* The engine reports registry failures inside the 200 stream. */
	if (strncmp(from, "rt-fail", 7) == 0) {
		dk_line(lines, json_pack("{s:{s:s}, s:s}", "errorDetail",
		    "message", "manifest unknown: manifest unknown", "error",
		    "manifest unknown: manifest unknown"));
		dk_reply_lines(resp, lines);
		return;
	}
	for (i = 0; i <= 4; i++)
		dk_line(lines, json_pack("{s:s, s:{s:i, s:i}, s:s}", "status",
		    i < 4 ? "Downloading" : "Download complete",
		    "progressDetail", "current", i * 250000, "total", 1000000,
		    "id", "a1b2c3d4e5f6"));
	dk_line(lines, json_pack("{s:s}", "status", "Digest: sha256:"
	    "4c2e0b5e0a4ec0cbd1b6e1b1f0a8d1e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1"));
	dk_line(lines, json_pack("{s:s+}", "status", "Status: Downloaded "
	    "newer image for ", ref));
	json_array_append_new(d->images, json_pack("{s:s, s:[s], s:i, s:I,"
	    " s:i}", "Id", "sha256:4c2e", "RepoTags", ref, "Size", 1000000,
	    "Created", (json_int_t)(sim_now_ms(svc) / 1000), "Containers", 0));
	dk_reply_lines(resp, lines);
}

/* POST /images/{name}/push?tag=. */
static void
dk_push(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char	*name = json_string_value(json_object_get(req->params,
			    "name"));
	json_t		*lines;

	if (sim_header(req, "X-Registry-Auth") == NULL) {
		dk_error(svc, resp, 400, "Bad parameters and missing "
		    "X-Registry-Auth: invalid X-Registry-Auth header: EOF");
		return;
	}
	lines = json_array();
	dk_line(lines, json_pack("{s:s+}", "status", "The push refers to "
	    "repository ", name));
	if (strncmp(name, "rt-fail", 7) == 0) {
		dk_line(lines, json_pack("{s:{s:s}, s:s}", "errorDetail",
		    "message", "denied: requested access to the resource is "
		    "denied", "error", "denied: requested access to the "
		    "resource is denied"));
		dk_reply_lines(resp, lines);
		return;
	}
	dk_line(lines, json_pack("{s:s, s:{s:i, s:i}, s:s}", "status",
	    "Pushing", "progressDetail", "current", 500000, "total", 1000000,
	    "id", "a1b2c3d4e5f6"));
	dk_line(lines, json_pack("{s:s, s:{}, s:s}", "status", "Pushed",
	    "progressDetail", "id", "a1b2c3d4e5f6"));
	dk_line(lines, json_pack("{s:s, s:{s:s, s:s, s:i}}", "status",
	    "latest: digest: sha256:4c2e size: 527", "aux", "Tag", "latest",
	    "Digest", "sha256:4c2e0b5e", "Size", 527));
	dk_reply_lines(resp, lines);
}

/* DELETE /images/{name}. */
static void
dk_rmi(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);
	const char	*name = json_string_value(json_object_get(req->params,
			    "name"));
	const json_t	*img, *t;
	char		 msg[200];
	size_t		 i, k;

	json_array_foreach(d->images, i, img) {
		json_array_foreach(json_object_get(img, "RepoTags"), k, t) {
			if (strcmp(json_string_value(t), name) == 0) {
				sim_reply_json_new(resp, 200, json_pack(
				    "[{s:s}, {s:O}]", "Untagged", name,
				    "Deleted", json_object_get(img, "Id")));
				json_array_remove(d->images, i);
				return;
			}
		}
	}
	snprintf(msg, sizeof msg, "No such image: %s", name);
	dk_error(svc, resp, 404, msg);
}

/* GET /networks. */
static void
dk_networks(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("[{s:s, s:s, s:s, s:s},"
	    " {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}]",
	    "Name", "bridge", "Id", "f2de39df", "Driver", "bridge", "Scope",
	    "local", "Name", "host", "Id", "a1b2c3d4", "Driver", "host",
	    "Scope", "local", "Name", "none", "Id", "e5f6a7b8", "Driver",
	    "null", "Scope", "local"));
}

/* GET /volumes. */
static void
dk_volumes(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:[{s:s, s:s, s:s, s:s}],"
	    " s:[]}", "Volumes", "Name", "pgdata", "Driver", "local",
	    "Mountpoint", "/var/lib/docker/volumes/pgdata/_data", "Scope",
	    "local", "Warnings"));
}

/* POST /containers/prune. */
static void
dk_prune_containers(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);
	json_t		*del = json_array();
	int		 i;

	(void)req;
	for (i = 0; i < d->n; i++) {
		if (!d->c[i].gone && !d->c[i].running) {
			d->c[i].gone = true;
			json_array_append_new(del, json_string(d->c[i].id));
			dk_event(svc, &d->c[i], "destroy");
		}
	}
	sim_reply_json_new(resp, 200, json_pack("{s:o, s:I}",
	    "ContainersDeleted", del, "SpaceReclaimed",
	    (json_int_t)json_array_size(del) * 4096));
}

/* POST /images/prune, /networks/prune, /build/prune. */
static void
dk_prune_other(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	if (strstr(req->path, "/images/") != NULL)
		sim_reply_json_new(resp, 200, json_pack("{s:[{s:s}], s:i}",
		    "ImagesDeleted", "Deleted", "sha256:dead", "SpaceReclaimed",
		    1000000));
	else if (strstr(req->path, "/networks/") != NULL)
		sim_reply_json_new(resp, 200, json_pack("{s:[]}",
		    "NetworksDeleted"));
	else
		sim_reply_json_new(resp, 200, json_pack("{s:[s], s:i}",
		    "CachesDeleted", "cache1", "SpaceReclaimed", 2048));
}

/* GET /info. */
static void
dk_info(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);
	int		 i, n = 0, running = 0;

	(void)req;
	for (i = 0; i < d->n; i++) {
		if (d->c[i].gone)
			continue;
		n++;
		running += d->c[i].running;
	}
	sim_reply_json_new(resp, 200, json_pack("{s:i, s:i, s:i, s:s, s:s,"
	    " s:s, s:s, s:i, s:I}", "Containers", n, "ContainersRunning",
	    running, "Images", (int)json_array_size(d->images),
	    "OperatingSystem", "Debian GNU/Linux 12 (bookworm)",
	    "KernelVersion", "6.1.0-sim", "Driver", "overlay2",
	    "CgroupVersion", "2", "NCPU", DK_NCPU, "MemTotal",
	    (json_int_t)DK_MEM_TOTAL));
}

/* GET /system/df. */
static void
dk_df(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk	*d = sim_service_data(svc);

	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:I, s:O, s:[], s:[{s:i}],"
	    " s:[]}", "LayersSize", (json_int_t)18000000, "Images", d->images,
	    "Containers", "Volumes", "Size", 4096, "BuildCache"));
}

/* Reads the next events of a stream; waits for new ones. */
static ssize_t
dk_events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct dk_stream	*st = cls;
	struct dk		*d;
	char			*line;
	size_t			 n;

	(void)pos;
	sim_service_lock(st->svc);
	d = sim_service_data(st->svc);
	while (st->next >= json_array_size(d->events)) {
		if (st->until_ms > 0 && sim_now_ms(st->svc) >= st->until_ms) {
			sim_service_unlock(st->svc);
			return (MHD_CONTENT_READER_END_OF_STREAM);
		}
		if (!sim_service_wait(st->svc, 200)) {
			sim_service_unlock(st->svc);
			return (MHD_CONTENT_READER_END_WITH_ERROR);
		}
	}
	line = json_dumps(json_array_get(d->events, st->next), JSON_COMPACT);
	st->next++;
	sim_service_unlock(st->svc);
	n = strlen(line);
	if (n + 1 > max)
		n = max - 1;
	memcpy(buf, line, n);
	buf[n] = '\n';
	free(line);
	return ((ssize_t)n + 1);
}

/* GET /events: a stream that stays open. */
static void
dk_events(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct dk		*d = sim_service_data(svc);
	struct dk_stream	*st = xcalloc(1, sizeof *st);
	const char		*since = sim_arg(req, "since");
	const char		*until = sim_arg(req, "until");
	const json_t		*ev;
	size_t			 i;

	st->svc = svc;
	st->next = json_array_size(d->events);
	if (since != NULL) {
		json_array_foreach(d->events, i, ev) {
			if (json_integer_value(json_object_get(ev, "time")) >=
			    atoll(since)) {
				st->next = i;
				break;
			}
		}
	}
	if (until != NULL)
		st->until_ms = atoll(until) * 1000;
	resp->content_type = "application/json";
	sim_reply_stream(svc, resp, dk_events_read, st, free);
}

/* Control: POST /state {"docker": {"start": "name"}} is not needed. */

static const struct sim_route dk_routes[] = {
	{ "GET", "/_ping", dk_ping, SIM_ROUTE_NOAUTH },
	{ "GET", "/_sim/refreshes", dk_sim_refreshes, SIM_ROUTE_NOAUTH },
	{ "GET", "/version", dk_version, 0 },
	{ "GET", "/{v}/_ping", dk_ping, 0 },
	{ "GET", "/{v}/version", dk_version, 0 },
	{ "GET", "/{v}/info", dk_info, 0 },
	{ "GET", "/{v}/system/df", dk_df, 0 },
	{ "GET", "/{v}/events", dk_events, 0 },
	{ "GET", "/{v}/containers/json", dk_list, 0 },
	{ "POST", "/{v}/containers/create", dk_create_container, 0 },
	{ "POST", "/{v}/containers/prune", dk_prune_containers, 0 },
	{ "GET", "/{v}/containers/{id}/json", dk_inspect, 0 },
	{ "GET", "/{v}/containers/{id}/stats", dk_stats, 0 },
	{ "GET", "/{v}/containers/{id}/logs", dk_logs, 0 },
	{ "POST", "/{v}/containers/{id}/start", dk_start, 0 },
	{ "POST", "/{v}/containers/{id}/stop", dk_stop, 0 },
	{ "POST", "/{v}/containers/{id}/restart", dk_restart, 0 },
	{ "DELETE", "/{v}/containers/{id}", dk_remove, 0 },
	{ "GET", "/{v}/images/json", dk_images, 0 },
	{ "POST", "/{v}/images/create", dk_pull, 0 },
	{ "POST", "/{v}/images/prune", dk_prune_other, 0 },
	{ "POST", "/{v}/images/{name}/push", dk_push, 0 },
	{ "DELETE", "/{v}/images/{name}", dk_rmi, 0 },
	{ "GET", "/{v}/networks", dk_networks, 0 },
	{ "POST", "/{v}/networks/prune", dk_prune_other, 0 },
	{ "GET", "/{v}/volumes", dk_volumes, 0 },
	{ "POST", "/{v}/build/prune", dk_prune_other, 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct sim_service_ops sim_docker_ops = {
	.name = "docker",
	.prefix = "",
	.routes = dk_routes,
	.create = dk_create,
	.destroy = dk_destroy,
	.unauthorized = dk_unauthorized,
	.error = dk_error,
	.not_found = dk_not_found,
	.endpoint = dk_endpoint,
};
