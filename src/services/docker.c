/*
 * Docker Engine backend: transport (the Engine API over its Unix socket,
 * or tcp:// with TLS, through core/http), API version negotiation, the
 * poller (the container list plus one-shot stats of running containers
 * over at most max_conns connections), the events thread that asks for an
 * early refresh, and the docker_* tools. Parsing lives in docker-parse.c,
 * streamed transfers in docker-stream.c.
 *
 * DESIGN
 * Owner: one struct docker per configured instance, created and destroyed
 * on the main thread. The poller thread alone uses d->pclients and
 * d->cpu_prev; during a refresh it lends one client to each of its stats
 * threads, which it joins before the refresh ends. Tool calls run on any
 * worker and borrow a client from d->pool (an http_pool); d->lock
 * guards the negotiated API version. The events thread (started by the
 * first poll, so lazy mode has none) owns its own transfer and talks to
 * the poller only through instance_refresh_soon(); destroy sets
 * d->stopping, wakes it through d->ev_cond and joins it. Pulls and pushes
 * run on a thread of their own per call; the call re-arms with
 * call_again() and reads the progress under the transfer's mutex, so no
 * worker waits on a registry.
 *
 * A url portainer://INSTANCE/ENDPOINT_ID sends every Engine API request
 * to that Portainer instance's Docker proxy for the environment, with its
 * token (portainer_docker_route); the registry creates such an instance
 * after the Portainer one.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/docker.h"
#include "services/portainer.h"
#include "services/services.h"

#define DOCKER_REFRESH_S 5
#define DOCKER_MAX_AGE_S 10
#define DOCKER_MAX_CONNS 8	/* per refresh, and per tool pool */
#define DOCKER_LOG_BYTES 65536
#define DOCKER_EVENTS_RETRY_MS 1000

struct docker {
	char *name;
	struct rt_instance *in;
	struct docker_endpoint ep;
	struct http_opts opts;		/* strings borrowed from ep/conf */
	struct docker_stream_opts sopts;
	char *ca_file;
	char *cert_file;
	char *key_file;
	char *auth_header;		/* portainer://: the proxy's token */
	char *user;			/* registry credentials for push */
	char *password;
	int max_conns;

	pthread_mutex_t lock;		/* guards api */
	struct http_pool pool;		/* tool calls' clients */
	char api[16];			/* "" until negotiated */

	/* The poller thread's own. */
	struct http_client *pclients[DOCKER_MAX_CONNS];
	json_t *cpu_prev;		/* id -> [total, system, online] */

	pthread_t events;
	bool events_started;
	atomic_bool stopping;
	atomic_long events_seen;
	atomic_bool quick;		/* an event asked: list only, no stats */
	int64_t stats_mono;		/* poller's: when stats were last taken */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
};

/* One running container's stats in a refresh. */
struct docker_sample {
	const char *id;
	bool ok;
	int64_t mem;
	int64_t limit;
	struct docker_cpu cpu;
};

/* The stats threads of one refresh. */
struct docker_stats_job {
	struct docker *d;
	struct docker_sample *samples;
	size_t n;
	atomic_size_t next;
	int64_t deadline_mono;
	atomic_long requests;
};

/* One stats thread. */
struct docker_stats_worker {
	struct docker_stats_job *job;
	struct http_client *cl;
};

/* A pull or push running on its own thread, between call steps. */
struct docker_xfer_step {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;		/* guards the fields below */
	struct docker_progress prog;
	bool done;
	int rc;
	char *cause;
	atomic_bool stop;
	/* Set before the thread starts, then read-only. */
	struct docker *d;
	char *path;
	char *auth;			/* X-Registry-Auth line or NULL */
	char *what;			/* "pull busybox:latest" */
	char *image;
	char *tag;
	int64_t started_mono;
};

/* The state of an instance. */
static struct docker *
docker_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "docker NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
docker_fail(struct rt_call *c, struct docker *d, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "docker %s: %s", d->name, msg);
	free(msg);
	return (-1);
}

/*
 * Makes a transport failure clear: a socket without permission, a
 * missing socket or an engine that is down. Takes why; new string.
 */
static char *
docker_explain(struct docker *d, char *why, int *kind)
{
	char *s;

	*kind = RT_ERR_UNREACHABLE;
	if (why == NULL)
		return (why);
	/* A TLS engine (--tlsverify) drops clients without a certificate. */
	if (d->ep.unix_path == NULL && d->cert_file == NULL &&
	    strncmp(d->ep.base_url, "https:", 6) == 0 &&
	    (strstr(why, "failed receiving") != NULL ||
	    strstr(why, "certificate required") != NULL ||
	    strstr(why, "alert") != NULL)) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "%s: the engine may require a client "
		    "certificate (cert_file and key_file)", why);
		free(why);
		return (s);
	}
	if (d->ep.unix_path == NULL)
		return (why);
	if (strstr(why, "permission denied") != NULL) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "no permission on the socket %s (%s): run as "
		    "root or as a member of the socket's group (docker)",
		    d->ep.unix_path, why);
	} else if (strstr(why, "no such file") != NULL)
		xasprintf(&s, "no engine socket at %s: is dockerd running? "
		    "(%s)", d->ep.unix_path, why);
	else if (strstr(why, "connection refused") != NULL)
		xasprintf(&s, "the engine at %s is not running (%s)",
		    d->ep.unix_path, why);
	else
		return (why);
	free(why);
	return (s);
}

/* Forgets the API version, to negotiate again after a failure. */
static void
docker_forget_api(struct docker *d)
{
	pthread_mutex_lock(&d->lock);
	d->api[0] = '\0';
	pthread_mutex_unlock(&d->lock);
}

/*
 * The API version into api[16], negotiated with GET /version once. 0, or
 * -1 with *kind and *cause (caller frees).
 */
static int
docker_api(struct docker *d, struct http_client *cl, char *api, int *kind,
    char **cause)
{
	json_t *v;
	char *why = NULL, got[16];
	long status;

	pthread_mutex_lock(&d->lock);
	memcpy(api, d->api, sizeof d->api);
	pthread_mutex_unlock(&d->lock);
	if (*api != '\0')
		return (0);
	if ((v = http_json(cl, "GET", "/version", NULL, NULL, &status,
	    &why)) == NULL) {
		if (status == 0)
			*cause = docker_explain(d, why, kind);
		else {
			*kind = RT_ERR_UPSTREAM;
			*cause = why;
		}
		return (-1);
	}
	if (docker_negotiate(v, got, sizeof got, cause) != 0) {
		json_decref(v);
		*kind = RT_ERR_UPSTREAM;
		return (-1);
	}
	json_decref(v);
	pthread_mutex_lock(&d->lock);
	memcpy(d->api, got, sizeof d->api);
	pthread_mutex_unlock(&d->lock);
	memcpy(api, got, sizeof got);
	return (0);
}

/*
 * One JSON request on the negotiated version: path below "/vX.Y". New
 * reference (json_null() for an empty 2xx), or NULL with *status, *kind
 * and *cause (caller frees).
 */
static json_t *
docker_req(struct docker *d, struct http_client *cl, const char *method,
    const char *path, const char *const *headers, const json_t *body,
    long *status, int *kind, char **cause)
{
	char api[16], *full, *why = NULL;
	json_t *j;

	*status = 0;
	if (docker_api(d, cl, api, kind, cause) != 0)
		return (NULL);
	xasprintf(&full, "/v%s%s", api, path);
	j = http_json(cl, method, full, headers, body, status, &why);
	free(full);
	if (j == NULL) {
		if (*status == 0) {
			docker_forget_api(d);
			*cause = docker_explain(d, why, kind);
		} else {
			*kind = RT_ERR_UPSTREAM;
			*cause = why;
		}
	}
	return (j);
}

/*
 * One-shot stats of a container (id already escaped): parsed with
 * docker_load_stats, since cgroup v2 counters overflow core/http's JSON.
 * New reference, or NULL with *status, *kind and *cause (caller frees).
 */
static json_t *
docker_stats_get(struct docker *d, struct http_client *cl, const char *id,
    long *status, int *kind, char **cause)
{
	static const char *const hdrs[] = { "Accept: application/json", NULL };
	struct http_response resp;
	const char *m;
	char api[16], *path, *why = NULL;
	json_t *j, *e;

	*status = 0;
	if (docker_api(d, cl, api, kind, cause) != 0)
		return (NULL);
	xasprintf(&path, "/v%s/containers/%s/stats?stream=false&one-shot=true",
	    api, id);
	memset(&resp, 0, sizeof resp);
	if (http_request(cl, "GET", path, hdrs, NULL, 0, &resp, &why) != 0) {
		free(path);
		docker_forget_api(d);
		*cause = docker_explain(d, why, kind);
		return (NULL);
	}
	free(path);
	*status = resp.status;
	*kind = RT_ERR_UPSTREAM;
	if (resp.status < 200 || resp.status > 299) {
		e = json_loadb(resp.body, resp.len, 0, NULL);
		m = json_string_value(json_object_get(e, "message"));
		xasprintf(cause, "HTTP %ld%s%.200s", resp.status, m != NULL ?
		    ": " : "", m != NULL ? m : "");
		json_decref(e);
		j = NULL;
	} else
		j = docker_load_stats(resp.body, resp.len, cause);
	http_response_free(&resp);
	return (j);
}

/* One stats thread: takes containers until none is left or time is up. */
static void *
docker_stats_thread(void *arg)
{
	struct docker_stats_worker *w = arg;
	struct docker_stats_job *job = w->job;
	struct docker_sample *s;
	char *path, *why;
	json_t *j;
	long status;
	size_t i;
	int kind;

	log_set_thread("docker-stats");
	for (;;) {
		i = atomic_fetch_add(&job->next, 1);
		if (i >= job->n || clock_mono_ms() > job->deadline_mono)
			break;
		s = &job->samples[i];
		path = http_escape(s->id);
		why = NULL;
		atomic_fetch_add(&job->requests, 1);
		j = docker_stats_get(job->d, w->cl, path, &status, &kind,
		    &why);
		free(path);
		if (j != NULL && docker_stats_read(j, &s->mem, &s->limit,
		    &s->cpu) == 0)
			s->ok = true;
		json_decref(j);
		free(why);
	}
	return (NULL);
}

/*
 * Copies the last refresh's stats into the new rows, by container id, so an
 * event-driven refresh can publish the list at once. Only numbers are
 * copied: the snapshot's own values are never shared.
 */
static void
docker_keep_stats(struct docker *d, json_t *rows)
{
	static const char *const keys[] = {
		"mem", "mem_limit", "mem_percent", "cpu_percent", "cpu", NULL,
	};
	struct snapshot *s = snapshot_acquire(&d->in->slot);
	const json_t *prev, *old, *v;
	json_t *index, *row;
	size_t i, k;

	if (s == NULL || s->data == NULL) {
		snapshot_release(s);
		return;
	}
	prev = json_object_get(s->data, "containers");
	index = json_object();
	json_array_foreach(prev, i, old) {
		if (json_is_string(json_object_get(old, "id")))
			json_object_set_new(index, json_string_value(
			    json_object_get(old, "id")), json_integer((json_int_t)i));
	}
	json_array_foreach(rows, i, row) {
		v = json_object_get(index, json_string_value(json_object_get(row,
		    "id")));
		if (v == NULL)
			continue;
		old = json_array_get(prev, (size_t)json_integer_value(v));
		for (k = 0; keys[k] != NULL; k++) {
			v = json_object_get(old, keys[k]);
			if (json_is_integer(v))
				json_object_set_new(row, keys[k],
				    json_integer(json_integer_value(v)));
			else if (json_is_real(v))
				json_object_set_new(row, keys[k],
				    json_real(json_real_value(v)));
		}
	}
	json_decref(index);
	snapshot_release(s);
}

/* Fills cpu/mem of running rows from one-shot stats, in parallel. */
static long
docker_poll_stats(struct docker *d, json_t *rows)
{
	struct docker_stats_job job;
	struct docker_stats_worker w[DOCKER_MAX_CONNS];
	pthread_t th[DOCKER_MAX_CONNS];
	struct docker_sample *s;
	const json_t *prev;
	json_t *row, *next_prev;
	struct docker_cpu pc;
	double pct;
	size_t i, n = 0, nth;
	char *why = NULL;

	memset(&job, 0, sizeof job);
	job.d = d;
	job.samples = xcalloc(json_array_size(rows) + 1, sizeof *job.samples);
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "state")),
		    "running") == 0)
			job.samples[n++].id = json_string_value(
			    json_object_get(row, "id"));
	}
	job.n = n;
	atomic_init(&job.next, 0);
	atomic_init(&job.requests, 0);
	/* One refresh ends within the interval: stop taking new ones. */
	job.deadline_mono = clock_mono_ms() + (int64_t)d->in->refresh_s * 800;
	nth = n < (size_t)d->max_conns ? n : (size_t)d->max_conns;
	for (i = 0; i < nth; i++) {
		if (d->pclients[i] == NULL && (d->pclients[i] =
		    http_client_create(&d->opts, &why)) == NULL) {
			free(why);
			why = NULL;
			break;
		}
	}
	nth = i;
	/* The first client runs here; the others on their own threads. */
	for (i = 1; i < nth; i++) {
		w[i].job = &job;
		w[i].cl = d->pclients[i];
		if (pthread_create(&th[i], NULL, docker_stats_thread,
		    &w[i]) != 0)
			fatal("%s: pthread_create", __func__);
	}
	if (nth > 0) {
		w[0].job = &job;
		w[0].cl = d->pclients[0];
		docker_stats_thread(&w[0]);
		log_set_thread("poller");
	}
	for (i = 1; i < nth; i++)
		pthread_join(th[i], NULL);

	next_prev = json_object();
	n = 0;
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "state")),
		    "running") != 0)
			continue;
		s = &job.samples[n++];
		if (!s->ok)
			continue;
		json_object_set_new(row, "mem", json_integer(s->mem));
		json_object_set_new(row, "mem_limit", json_integer(s->limit));
		if (s->limit > 0)
			json_object_set_new(row, "mem_percent", json_real(
			    (double)s->mem * 100.0 / (double)s->limit));
		prev = json_object_get(d->cpu_prev, s->id);
		pct = -1;
		if (prev != NULL) {
			pc.total = (uint64_t)json_integer_value(
			    json_array_get(prev, 0));
			pc.system = (uint64_t)json_integer_value(
			    json_array_get(prev, 1));
			pc.online = s->cpu.online;
			pct = docker_cpu_percent(&pc, &s->cpu);
		}
		if (pct >= 0) {
			json_object_set_new(row, "cpu_percent",
			    json_real(pct));
			json_object_set_new(row, "cpu", json_real(pct / 100));
		}
		json_object_set_new(next_prev, s->id, json_pack("[I, I]",
		    (json_int_t)s->cpu.total, (json_int_t)s->cpu.system));
	}
	json_decref(d->cpu_prev);
	d->cpu_prev = next_prev;
	free(job.samples);
	return (atomic_load(&job.requests));
}

/* Fetches and parses the container list. New reference. */
static json_t *
docker_fetch(struct docker *d, struct http_client *cl, int *kind,
    char **cause)
{
	json_t *list, *rows, *snap;
	char *why = NULL;
	long status;

	if ((list = docker_req(d, cl, "GET", "/containers/json?all=1", NULL,
	    NULL, &status, kind, cause)) == NULL)
		return (NULL);
	rows = docker_parse_containers(list, d->name, &why);
	json_decref(list);
	if (rows == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET %s", why);
		free(why);
		return (NULL);
	}
	pthread_mutex_lock(&d->lock);
	snap = json_pack("{s:{s:s}, s:o}", "engine", "api_version", d->api,
	    "containers", rows);
	pthread_mutex_unlock(&d->lock);
	return (snap);
}

/* Whether the events thread should end. */
static bool
docker_events_stop(void *arg)
{
	struct docker *d = arg;

	return (atomic_load(&d->stopping));
}

/* One event line: asks for an early refresh when the list changed. */
static int
docker_events_line(void *arg, const char *line, size_t len)
{
	struct docker *d = arg;
	json_t *ev;

	if ((ev = json_loadb(line, len, 0, NULL)) == NULL)
		return (0);
	if (docker_event_relevant(ev)) {
		atomic_fetch_add(&d->events_seen, 1);
		atomic_store(&d->quick, true);
		instance_refresh_soon(d->in);
	}
	json_decref(ev);
	return (0);
}

/* The events thread: GET /events, reconnecting until destroy. */
static void *
docker_events_main(void *arg)
{
	struct docker *d = arg;
	struct http_client *cl;
	struct timespec ts;
	char api[16], *path, *why;
	int64_t end;
	long status;
	int kind;

	log_set_thread("docker-events");
	while (!atomic_load(&d->stopping)) {
		why = NULL;
		api[0] = '\0';
		if ((cl = http_pool_get(&d->pool, &why)) != NULL) {
			if (docker_api(d, cl, api, &kind, &why) != 0)
				api[0] = '\0';
			http_pool_put(&d->pool, cl);
		}
		if (api[0] != '\0') {
			/* Events missed while away: refresh once connected. */
			instance_refresh_soon(d->in);
			xasprintf(&path, "/v%s/events?filters=%%7B%%22type%%22"
			    "%%3A%%5B%%22container%%22%%5D%%7D", api);
			if (docker_stream(&d->sopts, "GET", path, NULL,
			    docker_events_line, docker_events_stop, d, &status,
			    &why) != 0)
				docker_forget_api(d);
			free(path);
		}
		if (why != NULL) {
			log_msg(RT_LOG_DEBUG, "%s: %s: %s", __func__, d->name,
			    why);
			free(why);
		}
		pthread_mutex_lock(&d->ev_lock);
		end = clock_mono_ms() + DOCKER_EVENTS_RETRY_MS;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += DOCKER_EVENTS_RETRY_MS / 1000;
		while (!atomic_load(&d->stopping) && clock_mono_ms() < end) {
			if (pthread_cond_timedwait(&d->ev_cond, &d->ev_lock,
			    &ts) != 0)
				break;
		}
		pthread_mutex_unlock(&d->ev_lock);
	}
	return (NULL);
}

/* The poller: one refresh. */
static json_t *
docker_poll(void *arg, int *kind, char **cause)
{
	struct docker *d = arg;
	json_t *snap;
	int64_t t0 = clock_mono_ms();
	long requests;

	if (!d->events_started) {
		if (pthread_create(&d->events, NULL, docker_events_main,
		    d) != 0)
			fatal("%s: pthread_create", __func__);
		d->events_started = true;
	}
	if (d->pclients[0] == NULL &&
	    (d->pclients[0] = http_client_create(&d->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	if ((snap = docker_fetch(d, d->pclients[0], kind, cause)) == NULL)
		return (NULL);
	/*
	 * An event-driven refresh publishes the new list at once, keeping
	 * the last stats, unless those are older than the refresh interval:
	 * stats of many containers take longer than "within a second".
	 */
	if (atomic_exchange(&d->quick, false) && d->stats_mono != 0 &&
	    t0 - d->stats_mono < (int64_t)d->in->refresh_s * 1000) {
		docker_keep_stats(d, json_object_get(snap, "containers"));
		requests = 1;
	} else {
		requests = 1 + docker_poll_stats(d, json_object_get(snap,
		    "containers"));
		d->stats_mono = t0;
	}
	json_object_set_new(snap, "refresh", json_pack("{s:I, s:I, s:i, "
	    "s:I}", "requests", (json_int_t)requests, "ms",
	    (json_int_t)(clock_mono_ms() - t0), "connections_max",
	    d->max_conns, "events", (json_int_t)atomic_load(
	    &d->events_seen)));
	log_debug("%s: %s: refresh: %zu containers, %ld requests in %lld ms",
	    __func__, d->name, json_array_size(json_object_get(snap,
	    "containers")), requests, (long long)(clock_mono_ms() - t0));
	return (snap);
}

/* A live fetch (no stats) with a pooled client, for read_view_get. */
static json_t *
docker_view_fetch(void *arg, int *kind, char **cause)
{
	struct docker *d = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&d->pool, cause)) == NULL)
		return (NULL);
	j = docker_fetch(d, cl, kind, cause);
	http_pool_put(&d->pool, cl);
	return (j);
}

/* Frees an instance's state; joins the events thread. */
static void
docker_destroy(void *arg)
{
	struct docker *d = arg;
	size_t i;

	if (d == NULL)
		return;
	if (d->events_started) {
		pthread_mutex_lock(&d->ev_lock);
		atomic_store(&d->stopping, true);
		pthread_cond_broadcast(&d->ev_cond);
		pthread_mutex_unlock(&d->ev_lock);
		pthread_join(d->events, NULL);
	}
	http_pool_finish(&d->pool);
	for (i = 0; i < DOCKER_MAX_CONNS; i++)
		http_client_destroy(d->pclients[i]);
	json_decref(d->cpu_prev);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->ev_lock);
	pthread_cond_destroy(&d->ev_cond);
	docker_endpoint_free(&d->ep);
	if (d->auth_header != NULL)
		explicit_bzero(d->auth_header, strlen(d->auth_header));
	free(d->auth_header);
	free(d->name);
	free(d->ca_file);
	free(d->cert_file);
	free(d->key_file);
	free(d->user);
	free(d->password);
	free(d);
}

/*
 * The endpoint of a url portainer://INSTANCE/ENDPOINT_ID: the Portainer
 * instance's Docker proxy for that environment, into d->ep, with the
 * token into d->auth_header and TLS options into route (borrowed from the
 * Portainer instance). 0, or -1 with *cause.
 */
static int
docker_via_portainer(struct docker *d, struct rt_instance *in,
    const char *url, struct http_opts *route, char **cause)
{
	char name[64];
	long id;

	if (portainer_url_parse(url, name, sizeof name, &id, cause) != 0 ||
	    portainer_docker_route(in->reg, name, id, route, cause) != 0)
		return (-1);
	d->ep.base_url = (char *)route->base_url;
	d->ep.unix_path = NULL;
	d->auth_header = (char *)route->auth_header;
	route->base_url = route->auth_header = NULL;
	return (0);
}

/* Creates an instance from its [docker "name"] section. */
static void *
docker_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *ca, *cert, *key, *v, *dir;
	struct http_client *cl;
	struct docker *d;
	char *why = NULL, *env_ca = NULL, *env_cert = NULL, *env_key = NULL;
	struct http_opts route;
	long timeout;
	bool verify, from_env = false;
	int rc;

	memset(&route, 0, sizeof route);
	url = conf_get(ic, "url");
	/* The configuration's url wins; DOCKER_HOST only stands in for it. */
	if (url == NULL && (v = getenv("DOCKER_HOST")) != NULL && *v != '\0') {
		url = v;
		from_env = true;
	}
	ca = conf_get(ic, "ca_file");
	cert = conf_get(ic, "cert_file");
	key = conf_get(ic, "key_file");
	if ((cert == NULL) != (key == NULL)) {
		xasprintf(cause, "cert_file and key_file go together");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	/*
	 * As the docker CLI: with DOCKER_HOST from the environment,
	 * DOCKER_TLS_VERIFY turns on TLS with ca.pem, cert.pem and key.pem
	 * from DOCKER_CERT_PATH (default ~/.docker), unless the section names
	 * its own files.
	 */
	if (from_env && strncmp(url, "tcp://", 6) == 0 &&
	    (v = getenv("DOCKER_TLS_VERIFY")) != NULL && *v != '\0') {
		if ((dir = getenv("DOCKER_CERT_PATH")) != NULL && *dir != '\0') {
			xasprintf(&env_ca, "%s/ca.pem", dir);
			xasprintf(&env_cert, "%s/cert.pem", dir);
			xasprintf(&env_key, "%s/key.pem", dir);
		} else {
			dir = getenv("HOME") != NULL ? getenv("HOME") : "";
			xasprintf(&env_ca, "%s/.docker/ca.pem", dir);
			xasprintf(&env_cert, "%s/.docker/cert.pem", dir);
			xasprintf(&env_key, "%s/.docker/key.pem", dir);
		}
		if (ca == NULL)
			ca = env_ca;
		if (cert == NULL) {
			cert = env_cert;
			key = env_key;
		}
	}
	d = xcalloc(1, sizeof *d);
	d->in = in;
	d->name = xstrdup(ic->name);
	d->max_conns = DOCKER_MAX_CONNS;
	pthread_mutex_init(&d->lock, NULL);
	http_pool_init(&d->pool, &d->opts, DOCKER_MAX_CONNS);
	pthread_mutex_init(&d->ev_lock, NULL);
	pthread_cond_init(&d->ev_cond, NULL);
	atomic_init(&d->stopping, false);
	atomic_init(&d->events_seen, 0);
	atomic_init(&d->quick, false);
	if (url != NULL && strncmp(url, "portainer://", 12) == 0)
		rc = docker_via_portainer(d, in, url, &route, cause);
	else
		rc = docker_endpoint_parse(url, ca != NULL || cert != NULL,
		    &d->ep, cause);
	if (rc != 0) {
		free(env_ca);
		free(env_cert);
		free(env_key);
		docker_destroy(d);
		return (NULL);
	}
	if (ca != NULL)
		d->ca_file = xstrdup(ca);
	if (cert != NULL) {
		d->cert_file = xstrdup(cert);
		d->key_file = xstrdup(key);
	}
	free(env_ca);
	free(env_cert);
	free(env_key);
	if (conf_get(ic, "user") != NULL) {
		d->user = xstrdup(conf_get(ic, "user"));
		if (conf_get(ic, "password") != NULL)
			d->password = xstrdup(conf_get(ic, "password"));
	}
	d->opts.base_url = d->ep.base_url;
	d->opts.unix_socket = d->ep.unix_path;
	d->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	d->opts.connect_timeout_ms = d->opts.timeout_ms < 5000 ?
	    d->opts.timeout_ms : 5000;
	d->opts.insecure = !verify;
	d->opts.ca_file = d->ca_file;
	d->opts.cert_file = d->cert_file;
	d->opts.key_file = d->key_file;
	d->opts.max_response = 64 * 1024 * 1024;
	if (d->auth_header != NULL) {
		d->opts.auth_header = d->auth_header;
		d->opts.insecure = route.insecure;
		d->opts.fingerprint = route.fingerprint;
		if (d->opts.ca_file == NULL)
			d->opts.ca_file = route.ca_file;
		d->sopts.auth_header = d->auth_header;
	}
	d->sopts.unix_path = d->ep.unix_path;
	d->sopts.base_url = d->ep.base_url;
	d->sopts.ca_file = d->ca_file;
	d->sopts.cert_file = d->cert_file;
	d->sopts.key_file = d->key_file;
	d->sopts.ca_file = d->opts.ca_file;
	/* Streams cannot pin: with a fingerprint they verify, failing closed. */
	d->sopts.insecure = d->opts.insecure && d->opts.fingerprint == NULL;
	d->sopts.connect_timeout_ms = d->opts.connect_timeout_ms;
	/* Checks the TLS options now rather than at the first request. */
	if ((cl = http_client_create(&d->opts, &why)) == NULL) {
		*cause = why;
		docker_destroy(d);
		return (NULL);
	}
	http_pool_put(&d->pool, cl);
	return (d);
}

/* Whether a row's string member contains want, any case (or want NULL). */
static bool
docker_has(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcasestr(v, want) != NULL));
}

/* docker_list_containers: the snapshot's rows, filtered. */
static int
docker_list_containers(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *items, *errors;
	const json_t *row;
	const char *state = call_arg_str(c, "state");
	const char *health = call_arg_str(c, "health");
	int64_t age = 0;
	char *why;
	size_t n, i, j, nerr = 0;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		why = NULL;
		if (read_view_get(ins[i], call_arg_int(c, "max_age_s",
		    DOCKER_MAX_AGE_S), docker_view_fetch, docker_of(ins[i]), &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		json_array_foreach(json_object_get(v.data, "containers"), j,
		    row) {
			if ((state == NULL || strcmp(state, json_string_value(
			    json_object_get(row, "state"))) == 0) &&
			    (health == NULL || strcmp(health,
			    json_string_value(json_object_get(row,
			    "health"))) == 0) &&
			    docker_has(row, "name", call_arg_str(c, "name")) &&
			    docker_has(row, "image", call_arg_str(c, "image")))
				json_array_append_new(items,
				    json_deep_copy(row));
		}
		if (v.age_ms > age)
			age = v.age_ms;
		read_view_put(&v);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, age, errors));
}

/*
 * One request for a tool on instance d: a new reference, or NULL after
 * failing the call (unless *status is in ok_status, then NULL and the
 * call untouched).
 */
static json_t *
docker_tool_req(struct rt_call *c, struct docker *d, const char *method,
    const char *path, const char *const *headers, long ok_status,
    long *status)
{
	struct http_client *cl;
	char *why = NULL;
	json_t *j;
	int kind;

	*status = 0;
	if ((cl = http_pool_get(&d->pool, &why)) == NULL) {
		docker_fail(c, d, "%s", why);
		free(why);
		return (NULL);
	}
	j = docker_req(d, cl, method, path, headers, NULL, status, &kind,
	    &why);
	http_pool_put(&d->pool, cl);
	if (j == NULL) {
		if (ok_status != 0 && *status == ok_status) {
			free(why);
			return (NULL);
		}
		docker_fail(c, d, "%s", why);
		free(why);
	}
	return (j);
}

/* A live list over every instance: path, parsed by parse. */
static int
docker_list_live(struct rt_call *c, const char *path,
    json_t *(*parse)(const json_t *, const char *),
    bool (*match)(struct rt_call *, const json_t *))
{
	struct rt_instance **ins;
	struct http_client *cl;
	struct docker *d;
	json_t *items, *errors, *j, *rows, *row;
	char *why;
	long status;
	size_t n, i, k, nerr = 0;
	int kind;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		d = docker_of(ins[i]);
		why = NULL;
		j = NULL;
		if ((cl = http_pool_get(&d->pool, &why)) != NULL) {
			j = docker_req(d, cl, "GET", path, NULL, NULL, &status,
			    &kind, &why);
			http_pool_put(&d->pool, cl);
		}
		if (j == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		rows = parse(j, ins[i]->name);
		json_decref(j);
		json_array_foreach(rows, k, row) {
			if (match == NULL || match(c, row))
				json_array_append(items, row);
		}
		json_decref(rows);
	}
	free(ins);
	if (nerr == n) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

/* Filter of docker_list_images: a reference substring. */
static bool
docker_match_image(struct rt_call *c, const json_t *row)
{
	const char *ref = call_arg_str(c, "reference");
	const json_t *t;
	size_t i;

	if (ref == NULL)
		return (true);
	json_array_foreach(json_object_get(row, "tags"), i, t) {
		if (strcasestr(json_string_value(t), ref) != NULL)
			return (true);
	}
	return (false);
}

/* docker_list_images. */
static int
docker_list_images(struct rt_call *c)
{
	return (docker_list_live(c, "/images/json", docker_parse_images,
	    docker_match_image));
}

/* docker_list_networks. */
static int
docker_list_networks(struct rt_call *c)
{
	return (docker_list_live(c, "/networks", docker_parse_networks, NULL));
}

/* docker_list_volumes. */
static int
docker_list_volumes(struct rt_call *c)
{
	return (docker_list_live(c, "/volumes", docker_parse_volumes, NULL));
}

/* The escaped container argument; caller frees. */
static char *
docker_container_arg(struct rt_call *c)
{
	return (http_escape(call_arg_str(c, "container")));
}

/* docker_get_container: inspect, summarised. */
static int
docker_get_container(struct rt_call *c)
{
	struct rt_instance *in;
	char *id, *path;
	json_t *j, *o;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	id = docker_container_arg(c);
	xasprintf(&path, "/containers/%s/json", id);
	free(id);
	j = docker_tool_req(c, docker_of(in), "GET", path, NULL, 0, &status);
	free(path);
	if (j == NULL)
		return (-1);
	/* docker_parse_inspect borrows the inspect body. */
	o = docker_parse_inspect(j, in->name);
	json_decref(j);
	return (call_ok(c, o));
}

/* The snapshot row of a container by id, id prefix or name; new or NULL. */
static json_t *
docker_snapshot_row(struct docker *d, const char *ref)
{
	struct snapshot *s;
	const json_t *row;
	json_t *found = NULL;
	const char *id, *name;
	size_t i;

	if ((s = snapshot_acquire(&d->in->slot)) == NULL)
		return (NULL);
	json_array_foreach(json_object_get(s->data, "containers"), i, row) {
		id = json_string_value(json_object_get(row, "id"));
		name = json_string_value(json_object_get(row, "name"));
		if ((name != NULL && strcmp(name, ref) == 0) ||
		    (id != NULL && strncmp(id, ref, strlen(ref)) == 0)) {
			found = json_deep_copy(row);
			break;
		}
	}
	snapshot_release(s);
	return (found);
}

/* docker_get_container_stats: one-shot stats, live. */
static int
docker_get_container_stats(struct rt_call *c)
{
	struct rt_instance *in;
	const char *ref = call_arg_str(c, "container");
	struct http_client *cl;
	struct docker *d;
	json_t *j, *o, *row;
	char *id, *why = NULL;
	long status;
	int kind;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	d = docker_of(in);
	if ((cl = http_pool_get(&d->pool, &why)) == NULL) {
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	id = docker_container_arg(c);
	j = docker_stats_get(d, cl, id, &status, &kind, &why);
	http_pool_put(&d->pool, cl);
	free(id);
	if (j == NULL) {
		docker_fail(c, d, "GET /containers/%s/stats: %s", ref, why);
		free(why);
		return (-1);
	}
	o = docker_parse_stats(j, NULL);
	if (o == NULL) {
		json_decref(j);
		return (docker_fail(c, docker_of(in), "GET /containers/%s/"
		    "stats: no usable numbers in the answer", ref));
	}
	json_object_set_new(o, "instance", json_string(in->name));
	json_object_set_new(o, "container", json_string(ref));
	if (json_is_string(json_object_get(j, "id")))
		json_object_set(o, "id", json_object_get(j, "id"));
	json_decref(j);
	/* A one-shot has no previous sample: CPU % from the last refresh. */
	row = docker_snapshot_row(docker_of(in), ref);
	if (json_is_null(json_object_get(o, "cpu_percent")) &&
	    json_is_number(json_object_get(row, "cpu_percent")))
		json_object_set(o, "cpu_percent",
		    json_object_get(row, "cpu_percent"));
	json_decref(row);
	return (call_ok(c, o));
}

/* docker_get_container_logs: demultiplexed, capped. */
static int
docker_get_container_logs(struct rt_call *c)
{
	struct rt_instance *in;
	struct docker *d;
	struct http_client *cl;
	struct http_response resp;
	const json_t *tailv = json_object_get(c->args, "tail");
	bool out = json_is_true(json_object_get(c->args, "stdout"));
	bool err = json_is_true(json_object_get(c->args, "stderr"));
	bool ts = json_is_true(json_object_get(c->args, "timestamps"));
	bool trunc, tty;
	char *id, *path, *why = NULL, api[16], tail[32];
	json_t *lines, *r;
	json_int_t since = call_arg_int(c, "since", 0);
	size_t max = (size_t)call_arg_int(c, "max_bytes", DOCKER_LOG_BYTES);
	int kind;

	if (json_object_get(c->args, "stdout") == NULL &&
	    json_object_get(c->args, "stderr") == NULL)
		out = err = true;
	if (!out && !err)
		return (call_fail(c, "stdout and stderr are both false: ask "
		    "for at least one"));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	d = docker_of(in);
	if (json_is_integer(tailv))
		snprintf(tail, sizeof tail, "%lld",
		    (long long)json_integer_value(tailv));
	else
		snprintf(tail, sizeof tail, "all");
	if (tailv == NULL)
		snprintf(tail, sizeof tail, "100");
	if ((cl = http_pool_get(&d->pool, &why)) == NULL ||
	    docker_api(d, cl, api, &kind, &why) != 0) {
		http_pool_put(&d->pool, cl);
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	id = docker_container_arg(c);
	/* The engine answers 400 unless stdout or stderr is asked for. */
	xasprintf(&path, "/v%s/containers/%s/logs?stdout=%d&stderr=%d&"
	    "tail=%s&timestamps=%d&since=%lld", api, id, out, err, tail, ts,
	    (long long)since);
	free(id);
	memset(&resp, 0, sizeof resp);
	if (http_request(cl, "GET", path, NULL, NULL, 0, &resp, &why) != 0) {
		http_pool_put(&d->pool, cl);
		free(path);
		why = docker_explain(d, why, &kind);
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	http_pool_put(&d->pool, cl);
	free(path);
	if (resp.status != 200) {
		r = json_loadb(resp.body, resp.len, 0, NULL);
		docker_fail(c, d, "GET /containers/%s/logs: HTTP %ld%s%s",
		    call_arg_str(c, "container"), resp.status,
		    json_string_value(json_object_get(r, "message")) != NULL ?
		    ": " : "", json_string_value(json_object_get(r,
		    "message")) != NULL ? json_string_value(json_object_get(r,
		    "message")) : "");
		json_decref(r);
		http_response_free(&resp);
		return (-1);
	}
	/* 1.42+ names the format; before, a TTY's raw bytes fail the frames. */
	tty = (resp.content_type != NULL &&
	    strstr(resp.content_type, "raw-stream") != NULL &&
	    docker_version_cmp(api, "1.42") >= 0) ||
	    !docker_logs_multiplexed(resp.body, resp.len);
	lines = docker_demux_logs(resp.body, resp.len, tty, max, &trunc);
	r = json_pack("{s:s, s:s, s:b, s:b, s:I, s:o}", "instance", in->name,
	    "container", call_arg_str(c, "container"), "tty", tty,
	    "truncated", trunc, "bytes", (json_int_t)resp.len, "lines",
	    lines);
	http_response_free(&resp);
	return (call_ok(c, r));
}

/* The action result for a container write. */
static json_t *
docker_action_result(struct rt_instance *in, const char *action,
    const char *container, const char *status)
{
	return (json_pack("{s:s, s:s, s:s, s:s}", "instance", in->name,
	    "action", action, "container", container, "status", status));
}

/* The dry-run preview of one or more requests. */
static int
docker_preview(struct rt_call *c, struct rt_instance *in, const char *action,
    json_t *requests, json_t *target)
{
	json_t *r;

	r = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "instance", in->name,
	    "action", action, "status", "dry_run", "dry_run", 1, "requests",
	    requests, "target", target != NULL ? target : json_object());
	return (call_ok(c, r));
}

/* start, stop and restart: 304 means already so. */
static int
docker_container_action(struct rt_call *c, const char *action)
{
	struct rt_instance *in;
	struct docker *d;
	struct http_client *cl;
	struct http_opts o;
	json_int_t t = call_arg_int(c, "timeout_s", 10);
	const char *ref = call_arg_str(c, "container");
	char *id, *path, *why = NULL, api[16], *full;
	json_t *j;
	long status;
	int kind;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	d = docker_of(in);
	id = docker_container_arg(c);
	if (strcmp(action, "start") == 0)
		xasprintf(&path, "/containers/%s/start", id);
	else
		xasprintf(&path, "/containers/%s/%s?t=%lld", id, action,
		    (long long)t);
	free(id);
	/* The engine answers once the container stopped: allow for t. */
	o = d->opts;
	o.timeout_ms += t * 1000;
	if ((cl = http_client_create(&o, &why)) == NULL ||
	    docker_api(d, cl, api, &kind, &why) != 0) {
		http_client_destroy(cl);
		free(path);
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	xasprintf(&full, "/v%s%s", api, path);
	j = http_json(cl, "POST", full, NULL, NULL, &status, &why);
	http_client_destroy(cl);
	free(full);
	free(path);
	if (j == NULL && status != 304) {
		if (status == 0)
			why = docker_explain(d, why, &kind);
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	free(why);
	json_decref(j);
	instance_refresh_soon(in);
	return (call_ok(c, docker_action_result(in, action, ref,
	    status == 304 ? "unchanged" : "ok")));
}

/* docker_start_container. */
static int
docker_start_container(struct rt_call *c)
{
	return (docker_container_action(c, "start"));
}

/* docker_stop_container. */
static int
docker_stop_container(struct rt_call *c)
{
	return (docker_container_action(c, "stop"));
}

/* docker_restart_container. */
static int
docker_restart_container(struct rt_call *c)
{
	return (docker_container_action(c, "restart"));
}

/* The DELETE path of docker_remove_container; caller frees. */
static char *
docker_remove_path(struct rt_call *c)
{
	char *id, *path;

	id = docker_container_arg(c);
	xasprintf(&path, "/containers/%s?force=%d&v=%d", id,
	    json_is_true(json_object_get(c->args, "force")),
	    json_is_true(json_object_get(c->args, "volumes")));
	free(id);
	return (path);
}

/* describe of docker_remove_container. */
static int
docker_describe_remove(struct rt_call *c)
{
	struct rt_instance *in;
	char *path;
	json_t *reqs;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	path = docker_remove_path(c);
	reqs = json_pack("[{s:s, s:s}]", "method", "DELETE", "path", path);
	free(path);
	return (docker_preview(c, in, "remove", reqs, docker_snapshot_row(
	    docker_of(in), call_arg_str(c, "container"))));
}

/* docker_remove_container. */
static int
docker_remove_container(struct rt_call *c)
{
	struct rt_instance *in;
	char *path;
	json_t *j;
	long status;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (docker_describe_remove(c));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	path = docker_remove_path(c);
	j = docker_tool_req(c, docker_of(in), "DELETE", path, NULL, 0,
	    &status);
	free(path);
	if (j == NULL)
		return (-1);
	json_decref(j);
	instance_refresh_soon(in);
	return (call_ok(c, docker_action_result(in, "remove",
	    call_arg_str(c, "container"), "ok")));
}

/* The DELETE path of docker_remove_image; caller frees. */
static char *
docker_rmi_path(struct rt_call *c)
{
	char *img, *path;

	img = http_escape(call_arg_str(c, "image"));
	xasprintf(&path, "/images/%s?force=%d&noprune=%d", img,
	    json_is_true(json_object_get(c->args, "force")),
	    json_is_true(json_object_get(c->args, "noprune")));
	free(img);
	return (path);
}

/* describe of docker_remove_image. */
static int
docker_describe_rmi(struct rt_call *c)
{
	struct rt_instance *in;
	char *path;
	json_t *reqs;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	path = docker_rmi_path(c);
	reqs = json_pack("[{s:s, s:s}]", "method", "DELETE", "path", path);
	free(path);
	return (docker_preview(c, in, "remove_image", reqs, json_pack("{s:s}",
	    "image", call_arg_str(c, "image"))));
}

/* docker_remove_image. */
static int
docker_remove_image(struct rt_call *c)
{
	struct rt_instance *in;
	const json_t *e;
	json_t *j, *untagged, *deleted, *r;
	char *path;
	long status;
	size_t i;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (docker_describe_rmi(c));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	path = docker_rmi_path(c);
	j = docker_tool_req(c, docker_of(in), "DELETE", path, NULL, 0,
	    &status);
	free(path);
	if (j == NULL)
		return (-1);
	untagged = json_array();
	deleted = json_array();
	json_array_foreach(j, i, e) {
		if (json_is_string(json_object_get(e, "Untagged")))
			json_array_append(untagged, json_object_get(e,
			    "Untagged"));
		if (json_is_string(json_object_get(e, "Deleted")))
			json_array_append(deleted, json_object_get(e,
			    "Deleted"));
	}
	json_decref(j);
	r = docker_action_result(in, "remove_image", call_arg_str(c, "image"),
	    "ok");
	json_object_del(r, "container");
	json_object_set_new(r, "image", json_string(call_arg_str(c, "image")));
	json_object_set_new(r, "untagged", untagged);
	json_object_set_new(r, "deleted", deleted);
	return (call_ok(c, r));
}

/* The four prune requests, in docker_prune_part order. */
static const char *const docker_prunes[] = {
	"/containers/prune", "/images/prune", "/networks/prune", "/build/prune",
	NULL
};

/* The prune path i; all adds unused (not only dangling) images. */
static char *
docker_prune_path(struct rt_call *c, size_t i)
{
	char *path;

	if (i == 1 && json_is_true(json_object_get(c->args, "all_images")))
		xasprintf(&path, "%s?filters=%%7B%%22dangling%%22%%3A%%5B%%22"
		    "false%%22%%5D%%7D", docker_prunes[i]);
	else
		path = xstrdup(docker_prunes[i]);
	return (path);
}

/* describe of docker_prune_system. */
static int
docker_describe_prune(struct rt_call *c)
{
	struct rt_instance *in;
	json_t *reqs = json_array();
	char *path;
	size_t i;

	if ((in = call_instance(c)) == NULL) {
		json_decref(reqs);
		return (-1);
	}
	for (i = 0; docker_prunes[i] != NULL; i++) {
		path = docker_prune_path(c, i);
		json_array_append_new(reqs, json_pack("{s:s, s:s}", "method",
		    "POST", "path", path));
		free(path);
	}
	return (docker_preview(c, in, "prune", reqs, NULL));
}

/* docker_prune_system: containers, images, networks and build cache. */
static int
docker_prune_system(struct rt_call *c)
{
	struct rt_instance *in;
	struct http_client *cl;
	struct docker *d;
	json_t *answers[DOCKER_NPRUNE], *r, *errors;
	char *path, *why;
	long status;
	size_t i, nerr = 0;
	int kind;

	if (json_is_true(json_object_get(c->args, "dry_run")))
		return (docker_describe_prune(c));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	d = docker_of(in);
	errors = json_array();
	for (i = 0; i < DOCKER_NPRUNE; i++) {
		why = NULL;
		answers[i] = NULL;
		path = docker_prune_path(c, i);
		if ((cl = http_pool_get(&d->pool, &why)) != NULL) {
			answers[i] = docker_req(d, cl, "POST", path, NULL,
			    NULL, &status, &kind, &why);
			http_pool_put(&d->pool, cl);
		}
		free(path);
		if (answers[i] == NULL) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "part", docker_prune_part(i), "error", why != NULL ?
			    why : "failed"));
			free(why);
			nerr++;
		}
	}
	instance_refresh_soon(in);
	r = docker_parse_prune((const json_t *const *)answers);
	for (i = 0; i < DOCKER_NPRUNE; i++)
		json_decref(answers[i]);
	if (nerr == DOCKER_NPRUNE) {
		json_decref(r);
		docker_fail(c, d, "prune failed: %s", json_string_value(
		    json_object_get(json_array_get(errors, 0), "error")));
		json_decref(errors);
		return (-1);
	}
	json_object_set_new(r, "instance", json_string(in->name));
	json_object_set_new(r, "action", json_string("prune"));
	json_object_set_new(r, "status", json_string(nerr == 0 ? "ok" :
	    "partial"));
	json_object_set_new(r, "errors", errors);
	return (call_ok(c, r));
}

/* docker_get_system_info: /info, /version and /system/df. */
static int
docker_get_system_info(struct rt_call *c)
{
	static const char *const paths[] = { "/info", "/version",
		"/system/df" };
	struct rt_instance *in;
	json_t *j[3], *r;
	long status;
	size_t i, k;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	for (i = 0; i < 3; i++) {
		j[i] = docker_tool_req(c, docker_of(in), "GET", paths[i], NULL,
		    0, &status);
		if (j[i] == NULL) {
			for (k = 0; k < i; k++)
				json_decref(j[k]);
			return (-1);
		}
	}
	r = docker_parse_system(j[0], j[1], j[2], in->name);
	for (i = 0; i < 3; i++)
		json_decref(j[i]);
	return (call_ok(c, r));
}

/* Frees a pull/push step; stops and joins its thread. */
static void
docker_xfer_free(void *arg)
{
	struct docker_xfer_step *x = arg;

	if (x == NULL)
		return;
	if (x->started) {
		atomic_store(&x->stop, true);
		pthread_join(x->thread, NULL);
	}
	docker_progress_free(&x->prog);
	pthread_mutex_destroy(&x->lock);
	free(x->cause);
	free(x->path);
	free(x->auth);
	free(x->what);
	free(x->image);
	free(x->tag);
	free(x);
}

/* A line of a pull/push stream: progress, or the error inside a 200. */
static int
docker_xfer_line(void *arg, const char *line, size_t len)
{
	struct docker_xfer_step *x = arg;
	int rc;

	pthread_mutex_lock(&x->lock);
	rc = docker_progress_line(&x->prog, line, len);
	pthread_mutex_unlock(&x->lock);
	return (rc != 0);
}

/* Whether a pull/push should end. */
static bool
docker_xfer_stop(void *arg)
{
	struct docker_xfer_step *x = arg;

	return (atomic_load(&x->stop));
}

/* The pull/push thread. */
static void *
docker_xfer_main(void *arg)
{
	struct docker_xfer_step *x = arg;
	struct docker_stream_opts so = x->d->sopts;
	const char *hdrs[2] = { x->auth, NULL };
	char *why = NULL;
	long status;
	int rc;

	log_set_thread("docker-xfer");
	so.idle_timeout_ms = 120000;
	rc = docker_stream(&so, "POST", x->path, hdrs, docker_xfer_line,
	    docker_xfer_stop, x, &status, &why);
	if (rc != 0 && status == 0 && why != NULL) {
		int kind;

		why = docker_explain(x->d, why, &kind);
	}
	pthread_mutex_lock(&x->lock);
	x->rc = rc;
	x->cause = why;
	x->done = true;
	pthread_mutex_unlock(&x->lock);
	return (NULL);
}

/* Starts a pull or push on its own thread, then waits in steps. */
static int
docker_xfer_start(struct rt_call *c, struct rt_instance *in, bool push)
{
	struct docker *d = docker_of(in);
	struct docker_xfer_step *x;
	struct http_client *cl;
	char api[16], *why = NULL, *name, *tag, *en, *et;
	int kind;

	if ((cl = http_pool_get(&d->pool, &why)) == NULL ||
	    docker_api(d, cl, api, &kind, &why) != 0) {
		http_pool_put(&d->pool, cl);
		docker_fail(c, d, "%s", why);
		free(why);
		return (-1);
	}
	http_pool_put(&d->pool, cl);
	x = xcalloc(1, sizeof *x);
	pthread_mutex_init(&x->lock, NULL);
	docker_progress_init(&x->prog);
	atomic_init(&x->stop, false);
	x->d = d;
	x->started_mono = clock_mono_ms();
	docker_split_ref(call_arg_str(c, "image"), call_arg_str(c, "tag"),
	    &name, &tag);
	en = http_escape(name);
	et = http_escape(tag);
	if (push) {
		xasprintf(&x->path, "/v%s/images/%s/push?tag=%s", api, en, et);
		/* The engine wants the header even for an open registry. */
		x->auth = docker_registry_auth(d->user, d->password, NULL);
	} else {
		xasprintf(&x->path, "/v%s/images/create?fromImage=%s&tag=%s",
		    api, en, et);
		if (d->user != NULL)
			x->auth = docker_registry_auth(d->user, d->password,
			    NULL);
	}
	xasprintf(&x->what, "%s %s%s%s", push ? "push" : "pull", name,
	    *tag != '\0' ? ":" : "", tag);
	x->image = name;
	x->tag = tag;
	free(en);
	free(et);
	c->step = x;
	c->step_free = docker_xfer_free;
	if (pthread_create(&x->thread, NULL, docker_xfer_main, x) != 0)
		fatal("%s: pthread_create", __func__);
	x->started = true;
	return (call_again(c, 100));
}

/* A pull or push step: progress, or the result once the stream ended. */
static int
docker_xfer_continue(struct rt_call *c, bool push)
{
	struct docker_xfer_step *x = c->step;
	struct rt_instance *in = x->d->in;
	int64_t cur, total;
	json_t *r;
	char *msg;
	bool done;

	pthread_mutex_lock(&x->lock);
	done = x->done;
	docker_progress_sum(&x->prog, &cur, &total);
	msg = x->prog.status != NULL ? xstrdup(x->prog.status) : NULL;
	pthread_mutex_unlock(&x->lock);
	if (!done) {
		if (call_should_stop(c)) {
			free(msg);
			return (docker_fail(c, x->d, "%s: cancelled", x->what));
		}
		call_progress(c, (double)cur, total > 0 ? (double)total : 0,
		    msg != NULL ? msg : x->what);
		free(msg);
		return (call_again(c, 200));
	}
	free(msg);
	if (x->rc != 0)
		return (docker_fail(c, x->d, "%s: %s", x->what, x->cause));
	if (x->prog.error != NULL)
		return (docker_fail(c, x->d, "%s: %s", x->what,
		    x->prog.error));
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
	    "instance", in->name, "action", push ? "push" : "pull",
	    "status", "ok", "image", x->image, "tag", x->tag,
	    "layers", (json_int_t)json_object_size(x->prog.layers),
	    "bytes", (json_int_t)total, "ms",
	    (json_int_t)(clock_mono_ms() - x->started_mono));
	if (x->prog.digest != NULL)
		json_object_set_new(r, "digest", json_string(x->prog.digest));
	if (x->prog.status != NULL)
		json_object_set_new(r, "message",
		    json_string(x->prog.status));
	if (!push)
		instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* docker_pull_image. */
static int
docker_pull_image(struct rt_call *c)
{
	struct rt_instance *in;

	if (c->step != NULL)
		return (docker_xfer_continue(c, false));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	return (docker_xfer_start(c, in, false));
}

/* docker_push_image. */
static int
docker_push_image(struct rt_call *c)
{
	struct rt_instance *in;

	if (c->step != NULL)
		return (docker_xfer_continue(c, true));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	return (docker_xfer_start(c, in, true));
}

/* Schema fragments. */
#define S_STR "{\"type\":\"string\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured Docker instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one " \
	"when left out.\"}"
#define S_CONTAINER \
	"\"container\":{\"type\":\"string\",\"pattern\":" \
	"\"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$\",\"examples\":[\"web\"," \
	"\"3f5ec70a1b2c\"],\"x-counterexamples\":[\"../etc\",\"a b\"]," \
	"\"description\":\"Container name or ID (or a unique ID prefix).\"}"
#define S_IMAGE \
	"\"image\":{\"type\":\"string\",\"pattern\":" \
	"\"^[a-zA-Z0-9][a-zA-Z0-9._/:@-]{0,254}$\",\"examples\":" \
	"[\"busybox:latest\",\"127.0.0.1:5000/lab/web:1.2\"]," \
	"\"x-counterexamples\":[\"busy box\",\"-rm\"],\"description\":" \
	"\"Image reference: name[:tag] or name@digest.\"}"
#define S_TAG \
	"\"tag\":{\"type\":\"string\",\"pattern\":" \
	"\"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$\",\"examples\":[\"latest\"]," \
	"\"x-counterexamples\":[\".hidden\"],\"description\":\"Tag; " \
	"overrides one in image (default latest).\"}"
#define S_MAX_AGE \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"default\":10," \
	"\"description\":\"Oldest data accepted, in seconds; 0 forces a " \
	"live read.\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the request it would make and do nothing.\"}"
#define S_TIMEOUT \
	"\"timeout_s\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":600," \
	"\"default\":10,\"description\":\"Seconds to wait for a clean stop " \
	"before the engine kills the container.\"}"
#define INPUT(req, props) \
	"{\"type\":\"object\",\"additionalProperties\":false,\"required\":" \
	"[" req "],\"properties\":{" props "}}"

#define CONTAINER_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"image\",\"state\",\"status\",\"health\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"id\":" S_STR ",\"short_id\":" S_STR \
	",\"name\":" S_STR ",\"image\":" S_STR ",\"state\":" S_STR \
	",\"status\":" S_STR ",\"health\":{\"enum\":[\"healthy\"," \
	"\"unhealthy\",\"starting\",\"none\"]},\"created\":" S_INT \
	",\"cpu\":" S_NUM ",\"cpu_percent\":" S_NUM ",\"mem\":" S_INT \
	",\"mem_limit\":" S_INT ",\"mem_percent\":" S_NUM ",\"ips\":{" \
	"\"type\":\"array\",\"items\":" S_STR "},\"macs\":{\"type\":" \
	"\"array\",\"items\":" S_STR "}}}"
#define IMAGE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"tags\"," \
	"\"size\"],\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR \
	",\"tags\":{\"type\":\"array\",\"items\":" S_STR "},\"size\":" S_INT \
	",\"created\":" S_INT ",\"containers\":" S_INT "}}"
#define NETWORK_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"driver\"],\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR \
	",\"name\":" S_STR ",\"driver\":" S_STR ",\"scope\":" S_STR \
	",\"internal\":" S_BOOL ",\"attachable\":" S_BOOL "}}"
#define VOLUME_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"name\",\"driver\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"name\":" S_STR ",\"driver\":" \
	S_STR ",\"mountpoint\":" S_STR ",\"scope\":" S_STR "}}"
#define ACTION_OUTPUT \
	"{\"type\":\"object\",\"required\":[\"instance\",\"action\"," \
	"\"status\"],\"properties\":{\"instance\":" S_STR ",\"action\":" \
	S_STR ",\"status\":{\"enum\":[\"ok\",\"unchanged\",\"dry_run\"," \
	"\"partial\"]},\"container\":" S_STR ",\"image\":" S_STR ",\"tag\":" \
	S_STR ",\"dry_run\":" S_BOOL ",\"requests\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"method\",\"path\"]," \
	"\"properties\":{\"method\":" S_STR ",\"path\":" S_STR "}}}," \
	"\"target\":{\"type\":\"object\"},\"untagged\":{\"type\":\"array\"," \
	"\"items\":" S_STR "},\"deleted\":{\"type\":\"array\",\"items\":" \
	S_STR "},\"space_reclaimed\":" S_INT ",\"parts\":{\"type\":" \
	"\"object\"},\"errors\":{\"type\":\"array\"},\"layers\":" S_INT \
	",\"bytes\":" S_INT ",\"ms\":" S_INT ",\"digest\":" S_STR \
	",\"message\":" S_STR "}}"

static const struct rt_tool docker_tools[] = {
	{
	    .name = "docker_list_containers",
	    .title = "List Docker containers",
	    .description = "Containers of every configured Docker engine, "
		"running or not, with image, state, health, CPU % (as docker "
		"stats computes it, from successive samples) and memory "
		"(usage minus inactive file cache). Answers from the last "
		"refresh when it is fresh enough.",
	    .input_schema = INPUT("", S_READ_INSTANCE ",\"state\":{\"enum\":"
		"[\"created\",\"running\",\"paused\",\"restarting\","
		"\"exited\",\"removing\",\"dead\"],\"description\":\"Only "
		"containers in this state.\"},\"health\":{\"enum\":["
		"\"healthy\",\"unhealthy\",\"starting\",\"none\"]},\"name\":"
		"{\"type\":\"string\",\"minLength\":1,\"maxLength\":128,"
		"\"description\":\"Part of the name, any case.\"},\"image\":"
		"{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,"
		"\"description\":\"Part of the image, any case.\"},"
		RT_SCHEMA_LIST_PROPS),
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(CONTAINER_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_list_containers,
	},
	{
	    .name = "docker_get_container",
	    .title = "Inspect a Docker container",
	    .description = "One container inspected and summarised: state, "
		"health, exit code, start and finish times, restart count "
		"and policy, command, labels, environment variable names "
		"(never their values), mounts and networks.",
	    .input_schema = INPUT("\"container\"", S_INSTANCE ","
		S_CONTAINER),
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"id\",\"name\",\"state\",\"running\",\"health\"],"
		"\"properties\":{\"instance\":" S_STR ",\"id\":" S_STR
		",\"name\":" S_STR ",\"image\":" S_STR ",\"state\":" S_STR
		",\"created\":" S_STR ",\"running\":" S_BOOL ",\"tty\":" S_BOOL
		",\"health\":" S_STR ",\"exit_code\":" S_INT ",\"started_at\":"
		S_STR ",\"finished_at\":" S_STR ",\"restart_count\":" S_INT
		",\"restart_policy\":" S_STR ",\"network_mode\":" S_STR
		",\"cmd\":{\"type\":\"array\"},\"env_names\":{\"type\":"
		"\"array\",\"items\":" S_STR "},\"labels\":{\"type\":"
		"\"object\"},\"mounts\":{\"type\":\"array\"},\"networks\":"
		"{\"type\":\"array\"}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_get_container,
	},
	{
	    .name = "docker_get_container_stats",
	    .title = "Docker container stats",
	    .description = "One container's live resource use from a one-shot "
		"stats read: memory as docker stats shows it and its limit, "
		"network and block I/O totals, processes, and CPU % (from "
		"the last refresh's samples when the engine gives none).",
	    .input_schema = INPUT("\"container\"", S_INSTANCE ","
		S_CONTAINER),
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"container\",\"mem\",\"mem_limit\",\"cpu_percent\"],"
		"\"properties\":{\"instance\":" S_STR ",\"container\":" S_STR
		",\"id\":" S_STR ",\"read\":" S_STR ",\"mem\":" S_INT
		",\"mem_limit\":" S_INT ",\"mem_percent\":{\"type\":"
		"[\"number\",\"null\"]},\"cpu_percent\":{\"type\":[\"number\","
		"\"null\"]},\"online_cpus\":" S_INT ",\"net_rx\":" S_INT
		",\"net_tx\":" S_INT ",\"blk_read\":" S_INT ",\"blk_write\":"
		S_INT ",\"pids\":" S_INT "}}",
	    .flags = RT_READ_ONLY,
	    .call = docker_get_container_stats,
	},
	{
	    .name = "docker_get_container_logs",
	    .title = "Docker container logs",
	    .description = "A container's recent log lines, each tagged "
		"stdout or stderr (the engine's 8-byte frames demultiplexed; "
		"a TTY container's output is one raw stream). stdout and "
		"stderr default to true; tail defaults to 100 lines; the "
		"text kept is capped at max_bytes (the newest lines win).",
	    .input_schema = INPUT("\"container\"", S_INSTANCE "," S_CONTAINER
		",\"stdout\":{\"type\":\"boolean\",\"default\":true},"
		"\"stderr\":{\"type\":\"boolean\",\"default\":true},"
		"\"tail\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":"
		"100000,\"default\":100,\"description\":\"Lines from the "
		"end.\"},\"since\":{\"type\":\"integer\",\"minimum\":0,"
		"\"description\":\"Only lines after this UNIX time.\"},"
		"\"timestamps\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Prefix each line with its RFC 3339 "
		"time.\"},\"max_bytes\":{\"type\":\"integer\",\"minimum\":"
		"256,\"maximum\":1048576,\"default\":65536}"),
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"container\",\"tty\",\"truncated\",\"lines\"],\"properties\":"
		"{\"instance\":" S_STR ",\"container\":" S_STR ",\"tty\":"
		S_BOOL ",\"truncated\":" S_BOOL ",\"bytes\":" S_INT
		",\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
		"\"required\":[\"stream\",\"text\"],\"properties\":{"
		"\"stream\":{\"enum\":[\"stdout\",\"stderr\",\"stdin\","
		"\"tty\"]},\"text\":" S_STR "}}}}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_get_container_logs,
	},
	{
	    .name = "docker_start_container",
	    .title = "Start a Docker container",
	    .description = "Starts a stopped container. A running one is left "
		"alone (status unchanged).",
	    .input_schema = INPUT("\"container\"", S_INSTANCE ","
		S_CONTAINER),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_IDEMPOTENT,
	    .call = docker_start_container,
	},
	{
	    .name = "docker_stop_container",
	    .title = "Stop a Docker container",
	    .description = "Stops a running container: SIGTERM, then SIGKILL "
		"after timeout_s. A stopped one is left alone (status "
		"unchanged).",
	    .input_schema = INPUT("\"container\"", S_INSTANCE "," S_CONTAINER
		"," S_TIMEOUT),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_IDEMPOTENT,
	    .call = docker_stop_container,
	},
	{
	    .name = "docker_restart_container",
	    .title = "Restart a Docker container",
	    .description = "Stops (SIGTERM, SIGKILL after timeout_s) and "
		"starts a container again.",
	    .input_schema = INPUT("\"container\"", S_INSTANCE "," S_CONTAINER
		"," S_TIMEOUT),
	    .output_schema = ACTION_OUTPUT,
	    .flags = 0,
	    .call = docker_restart_container,
	},
	{
	    .name = "docker_remove_container",
	    .title = "Remove a Docker container",
	    .description = "Deletes a container. A running one needs force "
		"(killed first); volumes also removes its anonymous volumes. "
		"dry_run shows the request.",
	    .input_schema = INPUT("\"container\"", S_INSTANCE "," S_CONTAINER
		",\"force\":{\"type\":\"boolean\",\"default\":false},"
		"\"volumes\":{\"type\":\"boolean\",\"default\":false}," S_DRY_RUN),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = docker_remove_container,
	    .describe = docker_describe_remove,
	},
	{
	    .name = "docker_list_images",
	    .title = "List Docker images",
	    .description = "Images on every configured engine with tags, size, "
		"creation time and how many containers use them; filter by "
		"part of a tag.",
	    .input_schema = INPUT("", S_READ_INSTANCE ",\"reference\":{"
		"\"type\":\"string\",\"minLength\":1,\"maxLength\":255,"
		"\"description\":\"Part of a repository tag.\"},"
		RT_SCHEMA_LIST_PROPS),
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(IMAGE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_list_images,
	},
	{
	    .name = "docker_pull_image",
	    .title = "Pull a Docker image",
	    .description = "Pulls an image from its registry, reporting "
		"progress from the engine's stream; an error inside the "
		"stream fails the call. Uses the instance's user and "
		"password for the registry when set.",
	    .input_schema = INPUT("\"image\"", S_INSTANCE "," S_IMAGE ","
		S_TAG),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = docker_pull_image,
	},
	{
	    .name = "docker_push_image",
	    .title = "Push a Docker image",
	    .description = "Pushes a local image to the registry its name "
		"points at, with the instance's user and password (or "
		"anonymous credentials), reporting progress; an error inside "
		"the stream fails the call.",
	    .input_schema = INPUT("\"image\"", S_INSTANCE "," S_IMAGE ","
		S_TAG),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = docker_push_image,
	},
	{
	    .name = "docker_remove_image",
	    .title = "Remove a Docker image",
	    .description = "Untags and deletes an image. An image used by a "
		"container needs force. dry_run shows the request.",
	    .input_schema = INPUT("\"image\"", S_INSTANCE "," S_IMAGE
		",\"force\":{\"type\":\"boolean\",\"default\":false},"
		"\"noprune\":{\"type\":\"boolean\",\"default\":false,"
		"\"description\":\"Keep untagged parents.\"}," S_DRY_RUN),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = docker_remove_image,
	    .describe = docker_describe_rmi,
	},
	{
	    .name = "docker_list_networks",
	    .title = "List Docker networks",
	    .description = "Networks on every configured engine with driver "
		"and scope.",
	    .input_schema = INPUT("", S_READ_INSTANCE ","
		RT_SCHEMA_LIST_PROPS),
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(NETWORK_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_list_networks,
	},
	{
	    .name = "docker_list_volumes",
	    .title = "List Docker volumes",
	    .description = "Volumes on every configured engine with driver "
		"and mount point.",
	    .input_schema = INPUT("", S_READ_INSTANCE ","
		RT_SCHEMA_LIST_PROPS),
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(VOLUME_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_list_volumes,
	},
	{
	    .name = "docker_prune_system",
	    .title = "Prune a Docker engine",
	    .description = "Removes stopped containers, dangling images (all "
		"unused ones with all_images), unused networks and the build "
		"cache (the API has no single prune: four requests), and "
		"sums the space reclaimed. dry_run lists the requests.",
	    .input_schema = INPUT("", S_INSTANCE ",\"all_images\":{\"type\":"
		"\"boolean\",\"default\":false}," S_DRY_RUN),
	    .output_schema = ACTION_OUTPUT,
	    .flags = RT_DESTRUCTIVE,
	    .call = docker_prune_system,
	    .describe = docker_describe_prune,
	},
	{
	    .name = "docker_get_system_info",
	    .title = "Docker engine information",
	    .description = "The engine's version and API version, OS, kernel, "
		"storage driver, CPUs and memory, container and image "
		"counts, and disk use of images, volumes and build cache.",
	    .input_schema = INPUT("", S_INSTANCE),
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"version\",\"api_version\"],\"properties\":{\"instance\":"
		S_STR ",\"version\":" S_STR ",\"api_version\":" S_STR ",\"os\":"
		S_STR ",\"kernel\":" S_STR ",\"storage_driver\":" S_STR
		",\"cgroup_version\":" S_STR ",\"ncpu\":" S_INT ",\"mem_total\":"
		S_INT ",\"containers\":" S_INT ",\"containers_running\":" S_INT
		",\"images\":" S_INT ",\"images_size\":" S_INT ",\"volumes_size\":"
		S_INT ",\"layers_size\":" S_INT ",\"containers_size\":" S_INT
		",\"build_cache_size\":" S_INT
		"}}",
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = docker_get_system_info,
	},
	{ .name = NULL },
};

#define ROW_ARGS "{\"instance\":\"/instance\",\"container\":\"/id\"}"

static const struct rt_column docker_container_columns[] = {
	{ "Name", "/name", RT_COL_TEXT, 0 },
	{ "Image", "/image", RT_COL_TEXT, 20 },
	{ "State", "/state", RT_COL_STATE, 9 },
	{ "Health", "/health", RT_COL_STATE, 9 },
	{ "CPU", "/cpu", RT_COL_PERCENT, 7 },
	{ "Mem", "/mem", RT_COL_BYTES, 8 },
	{ "Status", "/status", RT_COL_TEXT, 18 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_rowkey docker_container_keys[] = {
	{ 's', "start", "docker_start_container", ROW_ARGS },
	{ 'r', "restart", "docker_restart_container", ROW_ARGS },
	{ 'l', "logs", "docker_get_container_logs", ROW_ARGS },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_view docker_views[] = {
	{ "containers", "Containers", "/containers", docker_container_columns,
	    docker_container_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * s starts a stopped container and stops a running one; a restarting one
 * (crash-looping) is stopped too.
 */
static const struct rt_toggle docker_toggles[] = {
	{ "docker_start_container", "/state", "running|restarting",
	    "docker_stop_container", "stop" },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * A container's inventory id for the memories linked to it:
 * "docker:NAME". The name, not the id: compose and upgrades recreate a
 * container under the same name with a new id, and a note about it still
 * holds.
 */
static bool
docker_entity(const struct rt_view *v, const json_t *row, char *buf,
    size_t len)
{
	const char *name = json_string_value(json_object_get(row, "name"));

	if (strcmp(v->name, "containers") != 0 || name == NULL ||
	    *name == '\0')
		return (false);
	return (snprintf(buf, len, "docker:%s", name) < (int)len);
}

const struct rt_service docker_service = {
	.name = "docker",
	.title = "Docker",
	.tools = docker_tools,
	.views = docker_views,
	.refresh_s = DOCKER_REFRESH_S,
	.create = docker_create,
	.destroy = docker_destroy,
	.env_url = "DOCKER_HOST",
	.poll = docker_poll,
	.problems = docker_problems,
	.toggles = docker_toggles,
	.entity = docker_entity,
	.find = docker_find,
	.addresses = docker_addresses,
};
