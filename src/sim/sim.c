/*
 * racktop-sim framework: listening sockets, libmicrohttpd daemons, the
 * router, request counters, fault injection and the control endpoint.
 * See sim.h for the locking design and the fault kinds.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/sim-ext.h"

/* Largest request body accepted. */
#define SIM_BODY_MAX (1024 * 1024)

enum sim_fault_kind {
	SIM_FAULT_LATENCY,
	SIM_FAULT_STATUS,
	SIM_FAULT_GARBAGE,
	SIM_FAULT_TRUNCATED,
	SIM_FAULT_DROP,
	SIM_FAULT_AUTH,
	SIM_FAULT_VANISH,
};

static const char *sim_fault_names[] = {
	"latency", "status", "garbage", "truncated", "drop", "auth", "vanish",
	NULL
};

struct sim_fault {
	char			*service;
	char			*endpoint;	/* NULL: every endpoint */
	enum sim_fault_kind	 kind;
	int			 status;
	int			 ms;
	int			 count;		/* -1: sticky */
	char			*message;
	struct sim_fault	*next;
};

struct sim_service {
	struct sim			*sim;
	const struct sim_service_ops	*ops;
	void				*data;
	struct MHD_Daemon		*daemon;
	unsigned int			 port;
	bool				 control;
	char				*unix_dir;	/* Unix socket services */
	char				*unix_path;
	/*
	 * Vanished (a "vanish" fault): gone is set under the lock so its
	 * waits end; daemon is NULL and holder, bound but not listening,
	 * keeps the TCP port (connections to it are refused). daemon and
	 * holder change only under listen_lock.
	 */
	bool				 gone;
	int				 holder;
	/* A handler's streamed reply, taken under the lock. */
	ssize_t			(*stream_reader)(void *, uint64_t, char *, size_t);
	void				*stream_cls;
	void				(*stream_free)(void *);
	struct sim_service		*next;
};

struct sim {
	pthread_mutex_t		 lock;
	/* Serialises stopping and restarting daemons; taken before lock. */
	pthread_mutex_t		 listen_lock;
	pthread_cond_t		 cond;
	bool			 stopping;
	bool			 fixed;
	int64_t			 offset_ms;
	struct scenario		*scenario;
	struct sim_service	*services;
	struct sim_service	*control;
	json_t			*counts;
	struct sim_fault	*faults;
};

/* Per-connection upload buffer. */
struct sim_conn {
	char	*buf;
	size_t	 len;
	bool	 too_big;
};

/* A truncated body being sent. */
struct sim_trunc {
	char	*body;
	size_t	 half;
};

static const struct sim_service_ops sim_control_ops;
static int sim_sync_listeners(struct sim *, char **);

/* Creates the simulator around a scenario (owned from now on). */
struct sim *
sim_create(struct scenario *sc, bool fixed_clock)
{
	struct sim		*sim;
	pthread_condattr_t	 attr;

	sim = xcalloc(1, sizeof *sim);
	pthread_mutex_init(&sim->lock, NULL);
	pthread_mutex_init(&sim->listen_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sim->cond, &attr);
	pthread_condattr_destroy(&attr);
	sim->fixed = fixed_clock;
	sim->scenario = sc;
	sim->counts = json_object();
	return (sim);
}

/* Frees one fault. */
static void
sim_fault_free(struct sim_fault *f)
{
	free(f->service);
	free(f->endpoint);
	free(f->message);
	free(f);
}

/* Drops the faults of service (NULL: all); lock held. */
static void
sim_faults_clear(struct sim *sim, const char *service)
{
	struct sim_fault	**fp, *f;

	fp = &sim->faults;
	while ((f = *fp) != NULL) {
		if (service == NULL || strcmp(f->service, service) == 0) {
			*fp = f->next;
			sim_fault_free(f);
		} else
			fp = &f->next;
	}
}

/* Wakes latency waits so daemons can stop quickly. */
void
sim_shutdown(struct sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->stopping = true;
	pthread_cond_broadcast(&sim->cond);
	pthread_mutex_unlock(&sim->lock);
}

/* Stops every daemon and frees everything. */
void
sim_destroy(struct sim *sim)
{
	struct sim_service	*svc, *next;

	if (sim == NULL)
		return;
	sim_shutdown(sim);
	/* The control daemon first: no fault change runs after it. */
	if (sim->control != NULL && sim->control->daemon != NULL) {
		MHD_stop_daemon(sim->control->daemon);
		sim->control->daemon = NULL;
	}
	for (svc = sim->services; svc != NULL; svc = svc->next) {
		if (svc->daemon != NULL)
			MHD_stop_daemon(svc->daemon);
		svc->daemon = NULL;
	}
	for (svc = sim->services; svc != NULL; svc = next) {
		next = svc->next;
		if (svc->holder != -1)
			close(svc->holder);
		if (svc->ops->destroy != NULL)
			svc->ops->destroy(svc->data);
		if (svc->unix_path != NULL) {
			unlink(svc->unix_path);
			rmdir(svc->unix_dir);
		}
		free(svc->unix_path);
		free(svc->unix_dir);
		free(svc);
	}
	sim_faults_clear(sim, NULL);
	json_decref(sim->counts);
	scenario_free(sim->scenario);
	pthread_cond_destroy(&sim->cond);
	pthread_mutex_destroy(&sim->listen_lock);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

/* The scenario (lock held). */
struct scenario *
sim_scenario(struct sim_service *svc)
{
	return (svc->sim->scenario);
}

/* The service's private state (lock held). */
void *
sim_service_data(struct sim_service *svc)
{
	return (svc->data);
}

/* The port the service listens on. */
unsigned int
sim_service_port(struct sim_service *svc)
{
	return (svc->port);
}

/* Now on the simulator's clock (lock held). */
static int64_t
sim_now(struct sim *sim)
{
	if (sim->fixed)
		return (SIM_FIXED_EPOCH_MS + sim->offset_ms);
	return (clock_wall_ms() + sim->offset_ms);
}

/* Now on the simulator's clock, for a service (lock held). */
int64_t
sim_now_ms(struct sim_service *svc)
{
	return (sim_now(svc->sim));
}

/* Whether the clock is fixed. */
bool
sim_clock_fixed(struct sim_service *svc)
{
	return (svc->sim->fixed);
}

/* Fills a JSON reply, stealing j. */
void
sim_reply_json_new(struct sim_response *resp, int status, json_t *j)
{
	free(resp->body);
	resp->status = status;
	resp->body = json_dumps(j, JSON_COMPACT);
	if (resp->body == NULL)
		fatalx("%s: json_dumps failed", __func__);
	resp->len = strlen(resp->body);
	resp->content_type = "application/json;charset=UTF-8";
	json_decref(j);
}

/* Fills a plain-text reply. */
void
sim_reply_text(struct sim_response *resp, int status, const char *text)
{
	free(resp->body);
	resp->status = status;
	resp->body = xstrdup(text);
	resp->len = strlen(text);
	resp->content_type = "text/plain;charset=UTF-8";
}

/* Adds a response header (copied). */
void
sim_reply_header(struct sim_response *resp, const char *name,
    const char *value)
{
	if (resp->headers == NULL)
		resp->headers = json_array();
	json_array_append_new(resp->headers, json_sprintf("%s: %s", name,
	    value));
}

/* A request header or NULL. */
const char *
sim_header(struct sim_request *req, const char *name)
{
	return (MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name));
}

/* A cookie or NULL. */
const char *
sim_cookie(struct sim_request *req, const char *name)
{
	return (MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name));
}

/* An argument as a string, or NULL when missing or not a string. */
const char *
sim_arg(struct sim_request *req, const char *name)
{
	json_t	*v;

	v = json_object_get(req->args, name);
	if (v == NULL || !json_is_string(v))
		return (NULL);
	return (json_string_value(v));
}

/* Decodes %XX and '+' in place. */
static void
sim_urldecode(char *s)
{
	char	*o = s;
	char	 hex[3];

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			hex[2] = '\0';
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* Adds the fields of a form-urlencoded body to args. */
static void
sim_parse_form(json_t *args, const char *body, size_t len)
{
	char	*copy, *p, *field, *eq;

	copy = xstrndup(body, len);
	p = copy;
	while ((field = strsep(&p, "&")) != NULL) {
		if (*field == '\0')
			continue;
		eq = strchr(field, '=');
		if (eq != NULL)
			*eq++ = '\0';
		else
			eq = field + strlen(field);
		sim_urldecode(field);
		sim_urldecode(eq);
		json_object_set_new(args, field, json_string(eq));
	}
	free(copy);
}

/* MHD iterator: copies query arguments. */
static enum MHD_Result
sim_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	json_object_set_new(cls, key, json_string(value != NULL ? value : ""));
	return (MHD_YES);
}

/* Matches path against pattern, filling params; true on a match. */
static bool
sim_match(const char *pattern, const char *path, json_t *params)
{
	const char	*p = pattern, *s = path;
	size_t		 plen, slen;
	char		*name;

	json_object_clear(params);
	for (;;) {
		if (*p == '\0' || *s == '\0')
			return (*p == '\0' && (*s == '\0' ||
			    (s[0] == '/' && s[1] == '\0')));
		if (*p != '/' || *s != '/')
			return (false);
		p++;
		s++;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		/* "{*name}" last: the rest of the path, from its slash. */
		if (plen > 3 && p[0] == '{' && p[1] == '*' &&
		    p[plen - 1] == '}' && p[plen] == '\0') {
			if (*s == '\0')
				return (false);
			name = xstrndup(p + 2, plen - 3);
			json_object_set_new(params, name, json_string(s - 1));
			free(name);
			return (true);
		}
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0)
				return (false);
			name = xstrndup(p + 1, plen - 2);
			json_object_set_new(params, name,
			    json_stringn(s, slen));
			free(name);
		} else if (plen != slen || strncmp(p, s, plen) != 0)
			return (false);
		p += plen;
		s += slen;
	}
}

/* Picks the faults hitting key; returns the main one (lock held). */
static struct sim_fault *
sim_pick_fault(struct sim *sim, const char *service, const char *key,
    int *latency, struct sim_fault *copy)
{
	struct sim_fault	**fp, *f, *chosen = NULL;

	*latency = 0;
	fp = &sim->faults;
	while ((f = *fp) != NULL) {
		if (strcmp(f->service, service) != 0 ||
		    f->kind == SIM_FAULT_VANISH ||
		    (f->endpoint != NULL && strcmp(f->endpoint, key) != 0) ||
		    (f->kind != SIM_FAULT_LATENCY && chosen != NULL)) {
			fp = &f->next;
			continue;
		}
		if (f->kind == SIM_FAULT_LATENCY)
			*latency += f->ms;
		else {
			*copy = *f;
			copy->message = f->message != NULL ?
			    xstrdup(f->message) : NULL;
			chosen = copy;
		}
		if (f->count > 0 && --f->count == 0) {
			*fp = f->next;
			sim_fault_free(f);
		} else
			fp = &f->next;
	}
	return (chosen);
}

/*
 * Waits ms on the condition variable (lock held, released meanwhile);
 * cut short when the simulator stops or svc vanishes.
 */
static void
sim_wait(struct sim *sim, struct sim_service *svc, int ms)
{
	struct timespec	ts;
	int64_t		end;

	/* +1: clock_mono_ms() truncates, and the wait must not be short. */
	end = clock_mono_ms() + ms + 1;
	ts.tv_sec = end / 1000;
	ts.tv_nsec = (long)(end % 1000) * 1000000L;
	while (!sim->stopping && !svc->gone && clock_mono_ms() < end) {
		if (pthread_cond_timedwait(&sim->cond, &sim->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
}

/* Bumps counts[service][key] (lock held). */
static void
sim_count(struct sim *sim, const char *service, const char *key)
{
	json_t	*svc, *n;

	svc = json_object_get(sim->counts, service);
	if (svc == NULL) {
		svc = json_object();
		json_object_set_new(sim->counts, service, svc);
	}
	n = json_object_get(svc, key);
	json_object_set_new(svc, key,
	    json_integer(n != NULL ? json_integer_value(n) + 1 : 1));
}

/* Content reader for a truncated body: half, then an error close. */
static ssize_t
sim_trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sim_trunc	*t = cls;
	size_t			 n;

	if (pos >= t->half)
		return (MHD_CONTENT_READER_END_WITH_ERROR);
	n = t->half - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, t->body + pos, n);
	return ((ssize_t)n);
}

/* Frees a truncated body. */
static void
sim_trunc_free(void *cls)
{
	struct sim_trunc	*t = cls;

	free(t->body);
	free(t);
}

/* Routes one complete request and queues the reply. */
static enum MHD_Result
sim_handle(struct sim_service *svc, struct MHD_Connection *c,
    const char *url, const char *method, struct sim_conn *sc)
{
	struct sim		*sim = svc->sim;
	const struct sim_route	*r, *route = NULL;
	struct sim_request	 req;
	struct sim_response	 resp;
	struct sim_fault	 fcopy, *fault = NULL;
	struct MHD_Response	*mr;
	struct sim_trunc	*t;
	const char		*prefix = svc->ops->prefix;
	ssize_t			(*sreader)(void *, uint64_t, char *, size_t) = NULL;
	void			*scls = NULL;
	void			(*sfree)(void *) = NULL;
	const char		*ct;
	json_t			*j, *hv;
	char			*key, *name, *value, *cause = NULL;
	size_t			 plen, i;
	int			 latency = 0;
	enum MHD_Result		 ret;

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	memset(&fcopy, 0, sizeof fcopy);
	req.method = method;
	req.conn = c;
	req.body = sc->buf != NULL ? sc->buf : "";
	req.bodylen = sc->len;
	req.params = json_object();
	req.args = json_object();
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, sim_collect_arg,
	    req.args);
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	req.content_type = ct;
	if (sc->len > 0) {
		if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0) {
			j = json_loadb(sc->buf, sc->len, 0, NULL);
			if (json_is_object(j))
				json_object_update(req.args, j);
			json_decref(j);
		} else
			sim_parse_form(req.args, sc->buf, sc->len);
	}

	plen = prefix != NULL ? strlen(prefix) : 0;
	if (plen == 0 || (strncmp(url, prefix, plen) == 0 &&
	    (url[plen] == '/' || url[plen] == '\0')))
		req.path = url + plen;
	else
		req.path = NULL;

	pthread_mutex_lock(&sim->lock);
	if (req.path != NULL) {
		for (r = svc->ops->routes; r->method != NULL; r++) {
			if (strcmp(r->method, method) == 0 &&
			    sim_match(r->pattern, req.path, req.params)) {
				route = r;
				break;
			}
		}
	}
	if (route == NULL)
		json_object_clear(req.params);
	xasprintf(&key, "%s %s", method, route != NULL ? route->pattern : "*");
	if (!svc->control) {
		sim_count(sim, svc->ops->name, key);
		fault = sim_pick_fault(sim, svc->ops->name, key, &latency,
		    &fcopy);
	}
	free(key);
	if (latency > 0)
		sim_wait(sim, svc, latency);

	if (fault != NULL && fault->kind == SIM_FAULT_DROP) {
		pthread_mutex_unlock(&sim->lock);
		free(fcopy.message);
		json_decref(req.params);
		json_decref(req.args);
		return (MHD_NO);
	}
	if (fault != NULL && fault->kind == SIM_FAULT_AUTH)
		svc->ops->unauthorized(svc, &resp);
	else if (fault != NULL && fault->kind == SIM_FAULT_STATUS)
		svc->ops->error(svc, &resp, fault->status, fault->message);
	else if (fault != NULL && fault->kind == SIM_FAULT_GARBAGE) {
		sim_reply_text(&resp, 200,
		    "<html><body>502 Bad Gateway\x01\x02{{{not json");
		resp.content_type = "application/json;charset=UTF-8";
	} else if (route == NULL)
		svc->ops->not_found(svc, &req, &resp);
	else if (!(route->flags & SIM_ROUTE_NOAUTH) &&
	    svc->ops->authorize != NULL &&
	    svc->ops->authorize(svc, &req, &resp) != 0)
		;	/* 401 filled in */
	else
		route->handler(svc, &req, &resp);
	sreader = svc->stream_reader;
	scls = svc->stream_cls;
	sfree = svc->stream_free;
	svc->stream_reader = NULL;
	svc->stream_cls = NULL;
	svc->stream_free = NULL;
	pthread_mutex_unlock(&sim->lock);
	/* A change of faults may make a service vanish or come back. */
	if (svc->control && sim_sync_listeners(sim, &cause) != 0) {
		sim_reply_json_new(&resp, 500, json_pack("{s:s}", "error",
		    cause));
		free(cause);
	}

	if (resp.status == 0)
		resp.status = 200;
	if (sreader != NULL) {
		free(resp.body);
		resp.body = NULL;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
		    sreader, scls, sfree);
	} else 	if (fault != NULL && fault->kind == SIM_FAULT_TRUNCATED &&
	    resp.len > 1) {
		t = xmalloc(sizeof *t);
		t->body = resp.body;
		t->half = resp.len / 2;
		resp.body = NULL;
		mr = MHD_create_response_from_callback(resp.len, 4096,
		    sim_trunc_read, t, sim_trunc_free);
	} else {
		mr = MHD_create_response_from_buffer(resp.len,
		    resp.body != NULL ? resp.body : (char *)"",
		    resp.body != NULL ? MHD_RESPMEM_MUST_FREE :
		    MHD_RESPMEM_PERSISTENT);
		resp.body = NULL;
	}
	if (mr == NULL)
		fatalx("%s: cannot create response", __func__);
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
	    resp.content_type != NULL ? resp.content_type :
	    "application/json;charset=UTF-8");
	MHD_add_response_header(mr, "Server", "pve-api-daemon/3.0");
	json_array_foreach(resp.headers, i, hv) {
		name = xstrdup(json_string_value(hv));
		if ((value = strstr(name, ": ")) != NULL) {
			*value = '\0';
			MHD_add_response_header(mr, name, value + 2);
		}
		free(name);
	}
	json_decref(resp.headers);
	ret = MHD_queue_response(c, (unsigned int)resp.status, mr);
	MHD_destroy_response(mr);
	free(fcopy.message);
	json_decref(req.params);
	json_decref(req.args);
	return (ret);
}

/* MHD access handler: collects the body, then routes. */
static enum MHD_Result
sim_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct sim_service	*svc = cls;
	struct sim_conn		*sc = *con_cls;

	(void)version;
	if (sc == NULL) {
		sc = xcalloc(1, sizeof *sc);
		*con_cls = sc;
		return (MHD_YES);
	}
	if (*upload_size != 0) {
		if (sc->len + *upload_size > SIM_BODY_MAX)
			sc->too_big = true;
		else {
			sc->buf = xrealloc(sc->buf, sc->len + *upload_size + 1);
			memcpy(sc->buf + sc->len, upload, *upload_size);
			sc->len += *upload_size;
			sc->buf[sc->len] = '\0';
		}
		*upload_size = 0;
		return (MHD_YES);
	}
	if (sc->too_big)
		return (MHD_NO);
	return (sim_handle(svc, c, url, method, sc));
}

/* MHD completion: frees the upload buffer. */
static void
sim_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sim_conn	*sc = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (sc != NULL) {
		free(sc->buf);
		free(sc);
	}
	*con_cls = NULL;
}

/* Binds and listens on 127.0.0.1:port; returns the fd or -1. */
static int
sim_listen(unsigned int port, unsigned int *bound, char **cause)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof sin;
	int			fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 128) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == -1) {
		xasprintf(cause, "127.0.0.1:%u: %s", port, strerror(errno));
		close(fd);
		return (-1);
	}
	*bound = ntohs(sin.sin_port);
	return (fd);
}

/* Binds and listens on svc's Unix socket in a private folder. */
static int
sim_listen_unix(struct sim_service *svc, char **cause)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(svc->unix_path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: path too long", svc->unix_path);
		return (-1);
	}
	memcpy(sun.sun_path, svc->unix_path, strlen(svc->unix_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 128) == -1) {
		xasprintf(cause, "%s: %s", svc->unix_path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	return (fd);
}

/* Starts svc's daemon on the listening socket fd (taken, even on error). */
static int
sim_serve(struct sim_service *svc, int fd, char **cause)
{
	svc->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, sim_access, svc,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, sim_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
	    MHD_OPTION_END);
	if (svc->daemon == NULL) {
		close(fd);
		xasprintf(cause, "%s: cannot start the HTTP daemon",
		    svc->ops->name);
		return (-1);
	}
	return (0);
}

/* Starts one daemon for svc on port. */
static int
sim_start(struct sim *sim, struct sim_service *svc, unsigned int port,
    char **cause)
{
	int	fd;

	if (svc->unix_path != NULL)
		fd = sim_listen_unix(svc, cause);
	else
		fd = sim_listen(port, &svc->port, cause);
	if (fd == -1 || sim_serve(svc, fd, cause) != 0)
		return (-1);
	svc->next = sim->services;
	sim->services = svc;
	return (0);
}

/* Adds and starts a simulated service. */
int
sim_add_service(struct sim *sim, const struct sim_service_ops *ops,
    unsigned int port, char **cause)
{
	struct sim_service	*svc;

	svc = xcalloc(1, sizeof *svc);
	svc->sim = sim;
	svc->ops = ops;
	svc->holder = -1;
	if (ops->create != NULL)
		svc->data = ops->create(svc);
	if (sim_start(sim, svc, port, cause) != 0) {
		if (ops->destroy != NULL)
			ops->destroy(svc->data);
		free(svc);
		return (-1);
	}
	return (0);
}

/* Starts the control endpoint. */
int
sim_start_control(struct sim *sim, unsigned int port, char **cause)
{
	struct sim_service	*svc;

	svc = xcalloc(1, sizeof *svc);
	svc->sim = sim;
	svc->ops = &sim_control_ops;
	svc->holder = -1;
	svc->control = true;
	if (sim_start(sim, svc, port, cause) != 0) {
		free(svc);
		return (-1);
	}
	sim->control = svc;
	return (0);
}

/* Finds a simulated service by name (not the control one). */
static struct sim_service *
sim_find(struct sim *sim, const char *name)
{
	struct sim_service	*svc;

	for (svc = sim->services; svc != NULL; svc = svc->next) {
		if (!svc->control && strcmp(svc->ops->name, name) == 0)
			return (svc);
	}
	return (NULL);
}

/* Whether a vanish fault names service (lock held). */
static bool
sim_vanish_wanted(struct sim *sim, const char *service)
{
	struct sim_fault	*f;

	for (f = sim->faults; f != NULL; f = f->next) {
		if (f->kind == SIM_FAULT_VANISH &&
		    strcmp(f->service, service) == 0)
			return (true);
	}
	return (false);
}

/*
 * Keeps 127.0.0.1:port bound without listening, so that connecting is
 * refused and no outgoing connection takes the port meanwhile. Binding
 * can fail while a connection still holds the port; then the port is
 * bound again on return.
 */
static int
sim_hold_port(unsigned int port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Stops svc's daemon: its listener closes, its connections end. */
static void
sim_vanish(struct sim_service *svc)
{
	MHD_stop_daemon(svc->daemon);
	svc->daemon = NULL;
	if (svc->unix_path == NULL)
		svc->holder = sim_hold_port(svc->port);
}

/* Serves svc again on the same port or Unix socket. */
static int
sim_return(struct sim_service *svc, char **cause)
{
	unsigned int	bound;
	int		fd;

	pthread_mutex_lock(&svc->sim->lock);
	svc->gone = false;
	pthread_mutex_unlock(&svc->sim->lock);
	if (svc->unix_path != NULL) {
		unlink(svc->unix_path);
		fd = sim_listen_unix(svc, cause);
	} else if (svc->holder != -1) {
		fd = svc->holder;
		svc->holder = -1;
		if (listen(fd, 128) == -1) {
			xasprintf(cause, "127.0.0.1:%u: %s", svc->port,
			    strerror(errno));
			close(fd);
			fd = -1;
		}
	} else
		fd = sim_listen(svc->port, &bound, cause);
	if (fd == -1)
		return (-1);
	return (sim_serve(svc, fd, cause));
}

/*
 * Makes every service's listener follow its vanish faults. Not with the
 * lock held: stopping a daemon joins its connection threads, which take
 * the lock; gone, set first, cuts their waits short.
 */
static int
sim_sync_listeners(struct sim *sim, char **cause)
{
	struct sim_service	*svc;
	bool			 want;
	int			 rc = 0;

	pthread_mutex_lock(&sim->listen_lock);
	for (svc = sim->services; svc != NULL && rc == 0; svc = svc->next) {
		if (svc->control)
			continue;
		pthread_mutex_lock(&sim->lock);
		want = sim_vanish_wanted(sim, svc->ops->name);
		if (want && !svc->gone) {
			svc->gone = true;
			pthread_cond_broadcast(&sim->cond);
		}
		pthread_mutex_unlock(&sim->lock);
		if (want && svc->daemon != NULL)
			sim_vanish(svc);
		else if (!want && svc->daemon == NULL)
			rc = sim_return(svc, cause);
	}
	pthread_mutex_unlock(&sim->listen_lock);
	return (rc);
}

/* The endpoints file object. */
json_t *
sim_endpoints(struct sim *sim)
{
	struct sim_service	*svc;
	json_t			*o;

	o = json_object();
	pthread_mutex_lock(&sim->lock);
	for (svc = sim->services; svc != NULL; svc = svc->next) {
		if (svc->control) {
			json_object_set_new(o, "control", json_sprintf(
			    "http://127.0.0.1:%u", svc->port));
		} else if (svc->ops->endpoint != NULL)
			svc->ops->endpoint(svc, o);
	}
	pthread_mutex_unlock(&sim->lock);
	return (o);
}

/* Adds one fault from a JSON object (lock held). */
static int
sim_add_fault(struct sim *sim, json_t *o, char **cause)
{
	struct sim_fault	*f;
	const char		*service, *endpoint, *kind, *msg;
	int			 i;

	if (!json_is_object(o)) {
		*cause = xstrdup("fault: must be an object");
		return (-1);
	}
	service = json_string_value(json_object_get(o, "service"));
	endpoint = json_string_value(json_object_get(o, "endpoint"));
	kind = json_string_value(json_object_get(o, "kind"));
	msg = json_string_value(json_object_get(o, "message"));
	if (service == NULL || sim_find(sim, service) == NULL) {
		xasprintf(cause, "fault: unknown service \"%s\"",
		    service != NULL ? service : "");
		return (-1);
	}
	if (kind == NULL) {
		*cause = xstrdup("fault: missing kind");
		return (-1);
	}
	for (i = 0; sim_fault_names[i] != NULL; i++) {
		if (strcmp(sim_fault_names[i], kind) == 0)
			break;
	}
	if (sim_fault_names[i] == NULL) {
		xasprintf(cause, "fault: unknown kind \"%s\"", kind);
		return (-1);
	}
	f = xcalloc(1, sizeof *f);
	f->service = xstrdup(service);
	if (endpoint != NULL && strcmp(endpoint, "*") != 0)
		f->endpoint = xstrdup(endpoint);
	f->kind = (enum sim_fault_kind)i;
	f->status = json_object_get(o, "status") != NULL ?
	    (int)json_integer_value(json_object_get(o, "status")) : 500;
	f->ms = (int)json_integer_value(json_object_get(o, "ms"));
	f->count = json_object_get(o, "count") != NULL ?
	    (int)json_integer_value(json_object_get(o, "count")) : -1;
	f->message = msg != NULL ? xstrdup(msg) : NULL;
	if (f->count == 0 || f->status < 100 || f->status > 599 ||
	    f->ms < 0) {
		sim_fault_free(f);
		*cause = xstrdup("fault: bad count, status or ms");
		return (-1);
	}
	if (f->kind == SIM_FAULT_VANISH && (f->endpoint != NULL ||
	    f->count != -1)) {
		sim_fault_free(f);
		*cause = xstrdup("fault: vanish takes no endpoint or count");
		return (-1);
	}
	/* Append: faults apply in the order they were added. */
	{
		struct sim_fault	**fp = &sim->faults;

		while (*fp != NULL)
			fp = &(*fp)->next;
		*fp = f;
	}
	return (0);
}

/* Adds faults from JSON (an object or an array of them). */
int
sim_add_faults(struct sim *sim, json_t *j, char **cause)
{
	size_t	i;
	json_t	*o;
	int	rc = 0;

	pthread_mutex_lock(&sim->lock);
	if (json_is_array(j)) {
		json_array_foreach(j, i, o) {
			if ((rc = sim_add_fault(sim, o, cause)) != 0)
				break;
		}
	} else
		rc = sim_add_fault(sim, j, cause);
	pthread_mutex_unlock(&sim->lock);
	if (rc == 0)
		rc = sim_sync_listeners(sim, cause);
	return (rc);
}

/*
 * Parses the --faults text form: faults separated by ';', each
 * "service[:endpoint]:kind[=value][:count=N]", value being the status for
 * "status" and the ms for "latency". JSON (starting with '[' or '{') is
 * accepted too.
 */
int
sim_parse_faults(struct sim *sim, const char *spec, char **cause)
{
	char	*copy, *p, *one, *part, *eq;
	json_t	*o, *arr;
	int	 rc, i;

	if (*spec == '[' || *spec == '{') {
		o = json_loads(spec, 0, NULL);
		if (o == NULL) {
			*cause = xstrdup("--faults: bad JSON");
			return (-1);
		}
		rc = sim_add_faults(sim, o, cause);
		json_decref(o);
		return (rc);
	}
	arr = json_array();
	copy = xstrdup(spec);
	p = copy;
	while ((one = strsep(&p, ";")) != NULL) {
		if (*one == '\0')
			continue;
		o = json_object();
		for (i = 0; (part = strsep(&one, ":")) != NULL; i++) {
			eq = strchr(part, '=');
			if (i == 0)
				json_object_set_new(o, "service",
				    json_string(part));
			else if (strchr(part, ' ') != NULL || *part == '*')
				json_object_set_new(o, "endpoint",
				    json_string(part));
			else if (strncmp(part, "count=", 6) == 0)
				json_object_set_new(o, "count",
				    json_integer(atoi(part + 6)));
			else {
				if (eq != NULL)
					*eq++ = '\0';
				json_object_set_new(o, "kind",
				    json_string(part));
				if (eq != NULL && strcmp(part, "latency") == 0)
					json_object_set_new(o, "ms",
					    json_integer(atoi(eq)));
				else if (eq != NULL)
					json_object_set_new(o, "status",
					    json_integer(atoi(eq)));
			}
		}
		json_array_append_new(arr, o);
	}
	free(copy);
	rc = sim_add_faults(sim, arr, cause);
	json_decref(arr);
	return (rc);
}

/* Parses the request body as a JSON object, or answers 400. */
static json_t *
sim_control_body(struct sim_request *req, struct sim_response *resp)
{
	json_t	*j;

	j = json_loadb(req->body, req->bodylen, 0, NULL);
	if (j == NULL) {
		sim_reply_json_new(resp, 400,
		    json_pack("{s:s}", "error", "body is not JSON"));
	}
	return (j);
}

/* GET /health. */
static void
sim_control_health(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:s,s:I,s:b}", "status",
	    "ok", "now_ms", (json_int_t)sim_now(svc->sim), "fixed_clock",
	    svc->sim->fixed));
}

/* GET /counts. */
static void
sim_control_counts(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	sim_reply_json_new(resp, 200, json_deep_copy(svc->sim->counts));
}

/* POST /counts/reset. */
static void
sim_control_reset(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	json_object_clear(svc->sim->counts);
	sim_reply_json_new(resp, 200, json_pack("{s:b}", "ok", 1));
}

/* GET /faults. */
static void
sim_control_faults(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct sim_fault	*f;
	json_t			*a;

	(void)req;
	a = json_array();
	for (f = svc->sim->faults; f != NULL; f = f->next) {
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i}",
		    "service", f->service, "endpoint", f->endpoint != NULL ?
		    f->endpoint : "*", "kind", sim_fault_names[f->kind],
		    "status", f->status, "ms", f->ms, "count", f->count));
	}
	sim_reply_json_new(resp, 200, a);
}

/* POST /faults (lock held: add without relocking). */
static void
sim_control_add_faults(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t	*j, *o;
	size_t	 i;
	char	*cause = NULL;
	int	 rc = 0;

	if ((j = sim_control_body(req, resp)) == NULL)
		return;
	if (json_is_array(j)) {
		json_array_foreach(j, i, o) {
			if ((rc = sim_add_fault(svc->sim, o, &cause)) != 0)
				break;
		}
	} else
		rc = sim_add_fault(svc->sim, j, &cause);
	json_decref(j);
	if (rc != 0) {
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "error",
		    cause));
		free(cause);
		return;
	}
	sim_reply_json_new(resp, 200, json_pack("{s:b}", "ok", 1));
}

/* DELETE /faults (?service=NAME limits it). */
static void
sim_control_del_faults(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	sim_faults_clear(svc->sim, sim_arg(req, "service"));
	sim_reply_json_new(resp, 200, json_pack("{s:b}", "ok", 1));
}

/* POST /state: hands the change to the named service. */
static void
sim_control_state(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct sim_service	*target;
	const char		*name;
	json_t			*j;
	char			*cause = NULL;

	if ((j = sim_control_body(req, resp)) == NULL)
		return;
	name = json_string_value(json_object_get(j, "service"));
	target = name != NULL ? sim_find(svc->sim, name) : NULL;
	if (target == NULL || target->ops->state == NULL) {
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "error",
		    "unknown service"));
	} else if (target->ops->state(target, j, &cause) != 0) {
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "error",
		    cause));
		free(cause);
	} else
		sim_reply_json_new(resp, 200, json_pack("{s:b}", "ok", 1));
	json_decref(j);
}

/* POST /clock/advance {"ms":N}. */
static void
sim_control_advance(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t	*j, *ms;

	if ((j = sim_control_body(req, resp)) == NULL)
		return;
	ms = json_object_get(j, "ms");
	if (!json_is_integer(ms) || json_integer_value(ms) < 0) {
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "error",
		    "ms must be a non-negative integer"));
	} else {
		svc->sim->offset_ms += json_integer_value(ms);
		sim_reply_json_new(resp, 200, json_pack("{s:I}", "now_ms",
		    (json_int_t)sim_now(svc->sim)));
	}
	json_decref(j);
}

/* Control: unknown path. */
static void
sim_control_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 404, json_pack("{s:s}", "error",
	    "not found"));
}

static const struct sim_route sim_control_routes[] = {
	{ "GET", "/health", sim_control_health, 0 },
	{ "GET", "/counts", sim_control_counts, 0 },
	{ "POST", "/counts/reset", sim_control_reset, 0 },
	{ "GET", "/faults", sim_control_faults, 0 },
	{ "POST", "/faults", sim_control_add_faults, 0 },
	{ "DELETE", "/faults", sim_control_del_faults, 0 },
	{ "POST", "/state", sim_control_state, 0 },
	{ "POST", "/clock/advance", sim_control_advance, 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct sim_service_ops sim_control_ops = {
	.name = "control",
	.prefix = "",
	.routes = sim_control_routes,
	.not_found = sim_control_not_found,
};

/* Makes svc listen on a Unix socket in a private folder (from create). */
void
sim_service_use_unix(struct sim_service *svc, const char *name)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base != '/')
		base = "/tmp";
	xasprintf(&svc->unix_dir, "%s/racktop-sim.XXXXXX", base);
	if (mkdtemp(svc->unix_dir) == NULL)
		fatal("%s: mkdtemp %s", __func__, svc->unix_dir);
	xasprintf(&svc->unix_path, "%s/%s", svc->unix_dir, name);
}

/* The Unix socket path of svc, or NULL. */
const char *
sim_service_unix_path(struct sim_service *svc)
{
	return (svc->unix_path);
}

/* Answers with a streamed body (handler, lock held). */
void
sim_reply_stream(struct sim_service *svc, struct sim_response *resp,
    ssize_t (*reader)(void *, uint64_t, char *, size_t), void *cls,
    void (*free_cls)(void *))
{
	resp->status = 200;
	svc->stream_reader = reader;
	svc->stream_cls = cls;
	svc->stream_free = free_cls;
}

/* Takes the simulator's lock (stream readers). */
void
sim_service_lock(struct sim_service *svc)
{
	pthread_mutex_lock(&svc->sim->lock);
}

/* Releases the simulator's lock. */
void
sim_service_unlock(struct sim_service *svc)
{
	pthread_mutex_unlock(&svc->sim->lock);
}

/* Waits up to ms for a wakeup (lock held); false once stopping. */
bool
sim_service_wait(struct sim_service *svc, int ms)
{
	struct timespec	ts;
	int64_t		end;

	if (svc->sim->stopping || svc->gone)
		return (false);
	end = clock_mono_ms() + ms;
	ts.tv_sec = end / 1000;
	ts.tv_nsec = (long)(end % 1000) * 1000000L;
	pthread_cond_timedwait(&svc->sim->cond, &svc->sim->lock, &ts);
	return (!svc->sim->stopping && !svc->gone);
}

/* Wakes every waiter (lock held). */
void
sim_service_wake(struct sim_service *svc)
{
	pthread_cond_broadcast(&svc->sim->cond);
}

/* Bumps a service's own count (lock held). */
void
sim_service_count(struct sim_service *svc, const char *key)
{
	sim_count(svc->sim, svc->ops->name, key);
}

/* Answers a request as another simulated service would (sim-ext.h). */
bool
sim_service_forward(struct sim_service *from, const char *name,
    struct sim_request *req, const char *path, struct sim_response *resp)
{
	struct sim_service	*to = sim_find(from->sim, name);
	const struct sim_route	*r, *route = NULL;
	struct sim_request	 sub;

	if (to == NULL)
		return (false);
	sub = *req;
	sub.path = path;
	sub.params = json_object();
	for (r = to->ops->routes; r->method != NULL; r++) {
		if (strcmp(r->method, req->method) == 0 &&
		    sim_match(r->pattern, path, sub.params)) {
			route = r;
			break;
		}
	}
	if (route == NULL) {
		json_object_clear(sub.params);
		to->ops->not_found(to, &sub, resp);
	} else
		route->handler(to, &sub, resp);
	/* A streamed reply goes out on the connection that asked. */
	if (to->stream_reader != NULL) {
		from->stream_reader = to->stream_reader;
		from->stream_cls = to->stream_cls;
		from->stream_free = to->stream_free;
		to->stream_reader = NULL;
		to->stream_cls = NULL;
		to->stream_free = NULL;
	}
	json_decref(sub.params);
	return (true);
}
