/*
 * Portainer CE backend: transport (HTTP through core/http with an access
 * token in X-API-Key), the poller (environments with their snapshot
 * counts, tags and stacks) and the portainer_* tools. Parsing lives in
 * portainer-parse.c. A Docker instance may reach an environment's Docker
 * proxy through an instance of this service (portainer_docker_route).
 *
 * DESIGN
 * Owner: one struct pt per configured instance, created and destroyed on
 * the main thread. The poller thread uses p->poller alone; tool calls run
 * on any worker and borrow a client from p->pool. The token is a header
 * line in p->opts (auth_header), so every client sends it and no cause
 * ever holds it. Portainer answers a stack deployment only once Compose
 * has finished, which may take minutes: the request runs on a detached
 * thread of its own (struct pt_run, counted in p->nruns so destroy waits
 * for it, and stopped through p->stopping or the call's stop flag), while
 * the call re-arms with call_again() and sends a progress heartbeat each
 * turn, so no worker waits on Compose.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/portainer.h"
#include "services/services.h"

#define PT_REFRESH_S 15
#define PT_MAX_AGE_S 15		/* default max_age_s of reads */
#define PT_POOL_MAX 4
#define PT_DEPLOY_POLL_MS 1000	/* between heartbeats */
#define PT_DEPLOY_MAX 65536	/* bytes of a deployment's answer */

struct pt {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned; auth_header is the token */
	struct http_pool pool;	/* tool calls' clients */
	struct http_client *poller;	/* the poller thread's own */

	atomic_bool stopping;
	pthread_mutex_t runs_lock;	/* guards nruns */
	pthread_cond_t runs_done;
	int nruns;
};

/* A stack deployment running on its own thread, between call steps. */
struct pt_run {
	struct pt *p;
	pthread_mutex_t lock;	/* guards the fields below, and refs */
	int refs;		/* the call's step and the thread */
	bool done;
	int rc;
	char *answer;		/* the 2xx body, or NULL */
	char *cause;
	atomic_bool stop;
	/* Set before the thread starts, then read-only. */
	char *method;
	char *path;
	char *body;
	long timeout_ms;
	char *action;		/* "create" or "update" */
	char *stack;
	json_int_t endpoint;
	bool pull, prune;
	int64_t started_mono;
	int heartbeats;		/* the call's alone */
	size_t len;		/* the thread's alone while running */
};

/* The state of an instance. */
static struct pt *
pt_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "portainer NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
pt_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "portainer %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* Sorts a failed request's cause into *kind; takes why. */
static char *
pt_explain(long status, char *why, int *kind)
{
	char *s;

	if (status == 0) {
		*kind = RT_ERR_UNREACHABLE;
		return (why);
	}
	if (status == 401) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "%s: the access token was refused — check token",
		    why);
		free(why);
		return (s);
	}
	if (status == 403) {
		*kind = RT_ERR_AUTH;
		xasprintf(&s, "%s — the token's user may not do this", why);
		free(why);
		return (s);
	}
	*kind = RT_ERR_UPSTREAM;
	return (why);
}

/*
 * One API request (path below /api). A new reference (json_null() for an
 * empty 2xx), or NULL with *status, *kind and *cause (caller frees).
 */
static json_t *
pt_req(struct http_client *cl, const char *method, const char *path,
    const json_t *body, long *status, int *kind, char **cause)
{
	char *why = NULL;
	json_t *j;

	*status = 0;
	if ((j = http_json(cl, method, path, NULL, body, status, &why)) ==
	    NULL)
		*cause = pt_explain(*status, why, kind);
	return (j);
}

/* A request with a pooled client; as pt_req. */
static json_t *
pt_call_req(struct pt *p, const char *method, const char *path,
    const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *j;
	int kind;

	*status = 0;
	if ((cl = http_pool_get(&p->pool, cause)) == NULL)
		return (NULL);
	j = pt_req(cl, method, path, body, status, &kind, cause);
	http_pool_put(&p->pool, cl);
	return (j);
}

/* Environments, tags and stacks. New reference, or NULL, *kind, *cause. */
static json_t *
pt_fetch(struct pt *p, struct http_client *cl, int *kind, char **cause)
{
	json_t *eps, *tags, *stacks, *erows, *srows;
	char *why = NULL;
	long status;
	int k;

	if ((eps = pt_req(cl, "GET", "/endpoints", NULL, &status, kind,
	    cause)) == NULL)
		return (NULL);
	/* Tags only name things: without them the ids still show. */
	tags = pt_req(cl, "GET", "/tags", NULL, &status, &k, &why);
	free(why);
	why = NULL;
	erows = portainer_parse_endpoints(eps, tags, p->name, &why);
	json_decref(eps);
	json_decref(tags);
	if (erows == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET %s", why);
		free(why);
		return (NULL);
	}
	if ((stacks = pt_req(cl, "GET", "/stacks", NULL, &status, kind,
	    cause)) == NULL) {
		json_decref(erows);
		return (NULL);
	}
	srows = portainer_parse_stacks(stacks, erows, p->name, &why);
	json_decref(stacks);
	if (srows == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "GET %s", why);
		free(why);
		json_decref(erows);
		return (NULL);
	}
	return (json_pack("{s:o, s:o}", "endpoints", erows, "stacks", srows));
}

/* The poller: one refresh. */
static json_t *
pt_poll(void *arg, int *kind, char **cause)
{
	struct pt *p = arg;

	if (p->poller == NULL &&
	    (p->poller = http_client_create(&p->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (pt_fetch(p, p->poller, kind, cause));
}

/* A live fetch with a pooled client, for read_view_get. */
static json_t *
pt_view_fetch(void *arg, int *kind, char **cause)
{
	struct pt *p = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&p->pool, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	j = pt_fetch(p, cl, kind, cause);
	http_pool_put(&p->pool, cl);
	return (j);
}

/* Frees an instance's state, once every deployment thread has ended. */
static void
pt_destroy(void *arg)
{
	struct pt *p = arg;

	if (p == NULL)
		return;
	atomic_store(&p->stopping, true);
	pthread_mutex_lock(&p->runs_lock);
	while (p->nruns > 0)
		pthread_cond_wait(&p->runs_done, &p->runs_lock);
	pthread_mutex_unlock(&p->runs_lock);
	http_pool_finish(&p->pool);
	http_client_destroy(p->poller);
	pthread_mutex_destroy(&p->runs_lock);
	pthread_cond_destroy(&p->runs_done);
	free(p->name);
	free((char *)p->opts.base_url);
	free((char *)p->opts.ca_file);
	free((char *)p->opts.fingerprint);
	if (p->opts.auth_header != NULL)
		explicit_bzero((char *)p->opts.auth_header,
		    strlen(p->opts.auth_header));
	free((char *)p->opts.auth_header);
	free(p);
}

/* Creates an instance from its [portainer "name"] section. */
static void *
pt_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token;
	struct http_client *cl;
	struct pt *p;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	url = conf_get(ic, "url");
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)) {
		xasprintf(cause, "url: %s", url == NULL ? "missing (e.g. "
		    "https://portainer.lan:9443)" : "must start with https:// "
		    "or http://");
		return (NULL);
	}
	token = conf_get(ic, "token");
	if (token == NULL || *token == '\0' || strpbrk(token, "\r\n") !=
	    NULL) {
		xasprintf(cause, "token: %s", token == NULL || *token == '\0' ?
		    "missing (an access token, ptr_...)" : "must be one line");
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
	atomic_init(&p->stopping, false);
	pthread_mutex_init(&p->runs_lock, NULL);
	pthread_cond_init(&p->runs_done, NULL);
	http_pool_init(&p->pool, &p->opts, PT_POOL_MAX);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&p->opts.base_url, "%s/api", base);
	free(base);
	xasprintf((char **)&p->opts.auth_header, "X-API-Key: %s", token);
	p->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	p->opts.connect_timeout_ms = p->opts.timeout_ms < 5000 ?
	    p->opts.timeout_ms : 5000;
	p->opts.insecure = !verify;
	p->opts.max_response = 64 * 1024 * 1024;
	if (conf_get(ic, "ca_file") != NULL)
		p->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		p->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	/* Checks the TLS options now rather than at the first request. */
	if ((cl = http_client_create(&p->opts, &why)) == NULL) {
		*cause = why;
		pt_destroy(p);
		return (NULL);
	}
	http_pool_put(&p->pool, cl);
	return (p);
}

/* The Docker proxy of environment id on the Portainer instance name. */
int
portainer_docker_route(struct registry *reg, const char *name, long id,
    struct http_opts *opts, char **cause)
{
	struct rt_instance **ins;
	struct pt *p = NULL;
	size_t n, i;

	ins = registry_instances_of(reg, &portainer_service, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(ins[i]->name, name) == 0)
			p = pt_of(ins[i]);
	}
	free(ins);
	if (p == NULL) {
		xasprintf(cause, "url: no [portainer \"%s\"] instance is "
		    "configured", name);
		return (-1);
	}
	xasprintf((char **)&opts->base_url, "%s/endpoints/%ld/docker",
	    p->opts.base_url, id);
	opts->auth_header = xstrdup(p->opts.auth_header);
	opts->ca_file = p->opts.ca_file;
	opts->fingerprint = p->opts.fingerprint;
	opts->insecure = p->opts.insecure;
	return (0);
}

/* Whether a row's string member contains want, any case (or want NULL). */
static bool
pt_has(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcasestr(v, want) != NULL));
}

/* Whether a row's string member equals want (or want NULL). */
static bool
pt_eq(const json_t *row, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(row, key));

	return (want == NULL || (v != NULL && strcmp(v, want) == 0));
}

/* Whether a row's integer member equals the argument arg (or it is absent). */
static bool
pt_eq_int(struct rt_call *c, const json_t *row, const char *key,
    const char *arg)
{
	const json_t *want = json_object_get(c->args, arg);

	return (want == NULL || json_integer_value(json_object_get(row,
	    key)) == json_integer_value(want));
}

/* Filter of portainer_list_endpoints. */
static bool
pt_match_endpoint(struct rt_call *c, const json_t *row)
{
	return (pt_has(row, "name", call_arg_str(c, "name")) &&
	    pt_eq(row, "type", call_arg_str(c, "type")) &&
	    pt_eq(row, "status", call_arg_str(c, "status")) &&
	    pt_eq_int(c, row, "id", "endpoint"));
}

/* portainer_list_endpoints. */
static int
pt_list_endpoints(struct rt_call *c)
{
	return (read_view_list(c, PT_MAX_AGE_S, pt_view_fetch, "endpoints",
	    pt_match_endpoint));
}

/* Filter of portainer_list_stacks. */
static bool
pt_match_stack(struct rt_call *c, const json_t *row)
{
	return (pt_has(row, "name", call_arg_str(c, "name")) &&
	    pt_eq(row, "status", call_arg_str(c, "status")) &&
	    pt_eq_int(c, row, "endpoint_id", "endpoint"));
}

/* portainer_list_stacks. */
static int
pt_list_stacks(struct rt_call *c)
{
	return (read_view_list(c, PT_MAX_AGE_S, pt_view_fetch, "stacks",
	    pt_match_stack));
}

/* portainer_get_resource_usage: per environment, from the snapshot. */
static int
pt_get_resource_usage(struct rt_call *c)
{
	struct rt_instance **ins;
	struct read_view v;
	json_t *items, *errors;
	const json_t *row;
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
		    PT_MAX_AGE_S), pt_view_fetch, pt_of(ins[i]), &v,
		    &why) != 0) {
			json_array_append_new(errors, json_pack("{s:s, s:s}",
			    "instance", ins[i]->name, "error", why != NULL ?
			    why : "no data"));
			free(why);
			nerr++;
			continue;
		}
		json_array_foreach(json_object_get(v.data, "endpoints"), j,
		    row) {
			if (pt_eq_int(c, row, "id", "endpoint"))
				json_array_append_new(items,
				    portainer_usage_row(row));
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
	if (json_object_get(c->args, "endpoint") != NULL &&
	    json_array_size(items) == 0) {
		json_decref(items);
		json_decref(errors);
		return (call_fail(c, "portainer: no environment %lld",
		    (long long)call_arg_int(c, "endpoint", 0)));
	}
	return (call_list_result(c, items, age, errors));
}

/* GET /endpoints/ID: new reference, or NULL after failing the call. */
static json_t *
pt_get_endpoint(struct rt_call *c, struct rt_instance *in, json_int_t id)
{
	char *path, *why = NULL;
	long status;
	json_t *j;

	xasprintf(&path, "/endpoints/%lld", (long long)id);
	j = pt_call_req(pt_of(in), "GET", path, NULL, &status, &why);
	free(path);
	if (j == NULL) {
		if (status == 404)
			pt_fail(c, in, "no environment %lld", (long long)id);
		else
			pt_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	return (j);
}

/*
 * The tag ids for names, from GET /tags; a name Portainer lacks is made
 * with POST /tags unless dry (then it goes into reqs). New array, or NULL
 * after failing the call.
 */
static json_t *
pt_tag_ids(struct rt_call *c, struct rt_instance *in, const json_t *names,
    bool dry, json_t *reqs)
{
	const json_t *n, *t, *found;
	json_t *tags, *ids, *made, *body;
	char *why = NULL;
	long status;
	size_t i, j;

	if ((tags = pt_call_req(pt_of(in), "GET", "/tags", NULL, &status,
	    &why)) == NULL) {
		pt_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	ids = json_array();
	json_array_foreach(names, i, n) {
		found = NULL;
		json_array_foreach(tags, j, t) {
			if (json_equal(json_object_get(t, "Name"), n))
				found = t;
		}
		if (found != NULL) {
			json_array_append(ids, json_object_get(found, "ID"));
			continue;
		}
		if (dry) {
			json_array_append_new(reqs, json_pack("{s:s, s:s, "
			    "s:{s:O}}", "method", "POST", "path", "/api/tags",
			    "body", "Name", n));
			continue;
		}
		body = json_pack("{s:O}", "Name", n);
		made = pt_call_req(pt_of(in), "POST", "/tags", body, &status,
		    &why);
		json_decref(body);
		if (made == NULL) {
			pt_fail(c, in, "%s", why);
			free(why);
			json_decref(tags);
			json_decref(ids);
			return (NULL);
		}
		json_array_append(ids, json_object_get(made, "ID"));
		json_decref(made);
	}
	json_decref(tags);
	return (ids);
}

/* portainer_manage_endpoints and its describe (dry). */
static int
pt_manage(struct rt_call *c, bool dry)
{
	struct rt_instance *in;
	const char *action = call_arg_str(c, "action");
	const char *name = call_arg_str(c, "name");
	const json_t *tags = json_object_get(c->args, "tags");
	json_int_t id = call_arg_int(c, "endpoint", 0);
	json_t *ep, *reqs, *body = NULL, *ids = NULL, *j, *r;
	const char *method;
	char *path, *why = NULL;
	long status;

	if (strcmp(action, "rename") == 0 && name == NULL)
		return (call_fail(c, "arguments.name: required to rename"));
	if (strcmp(action, "tag") == 0 && tags == NULL)
		return (call_fail(c, "arguments.tags: required to tag (the "
		    "whole set; [] removes every tag)"));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((ep = pt_get_endpoint(c, in, id)) == NULL)
		return (-1);
	reqs = json_array();
	xasprintf(&path, "/endpoints/%lld", (long long)id);
	if (strcmp(action, "remove") == 0)
		method = "DELETE";
	else {
		method = "PUT";
		if (strcmp(action, "rename") == 0)
			body = json_pack("{s:s}", "Name", name);
		else {
			if ((ids = pt_tag_ids(c, in, tags, dry, reqs)) ==
			    NULL) {
				json_decref(ep);
				json_decref(reqs);
				free(path);
				return (-1);
			}
			body = json_pack("{s:O}", "TagIDs", ids);
		}
	}
	r = json_pack("{s:s, s:s, s:I, s:s}", "instance", in->name, "action",
	    action, "endpoint_id", id, "name", json_string_value(
	    json_object_get(ep, "Name")) != NULL ? json_string_value(
	    json_object_get(ep, "Name")) : "");
	json_decref(ep);
	if (dry) {
		j = json_pack("{s:s, s:s+}", "method", method, "path", "/api",
		    path);
		if (body != NULL)
			json_object_set(j, "body", body);
		json_array_append_new(reqs, j);
		json_object_set_new(r, "status", json_string("dry_run"));
		json_object_set_new(r, "dry_run", json_true());
		json_object_set_new(r, "requests", reqs);
		json_decref(body);
		json_decref(ids);
		free(path);
		return (call_ok(c, r));
	}
	json_decref(reqs);
	j = pt_call_req(pt_of(in), method, path, body, &status, &why);
	free(path);
	json_decref(body);
	if (j == NULL) {
		json_decref(ids);
		json_decref(r);
		pt_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	if (strcmp(action, "rename") == 0)
		json_object_set_new(r, "name", json_string(name));
	if (ids != NULL) {
		json_object_set_new(r, "tags", json_deep_copy(tags));
		json_object_set_new(r, "tag_ids", ids);
	}
	json_decref(j);
	json_object_set_new(r, "status", json_string("ok"));
	instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* portainer_manage_endpoints. */
static int
pt_manage_endpoints(struct rt_call *c)
{
	return (pt_manage(c, json_is_true(json_object_get(c->args,
	    "dry_run"))));
}

/* describe for portainer_manage_endpoints. */
static int
pt_describe_manage(struct rt_call *c)
{
	return (pt_manage(c, true));
}

/* GET /stacks/ID: new reference, or NULL after failing the call. */
static json_t *
pt_get_stack(struct rt_call *c, struct rt_instance *in, json_int_t id)
{
	char *path, *why = NULL;
	long status;
	json_t *j;

	xasprintf(&path, "/stacks/%lld", (long long)id);
	j = pt_call_req(pt_of(in), "GET", path, NULL, &status, &why);
	free(path);
	if (j == NULL) {
		if (status == 404)
			pt_fail(c, in, "no stack %lld", (long long)id);
		else
			pt_fail(c, in, "%s", why);
		free(why);
		return (NULL);
	}
	return (j);
}

/* The result of a stack action from the stack's row (stolen). */
static json_t *
pt_stack_result(struct rt_instance *in, const char *action, json_t *row,
    const char *status)
{
	json_t *r;

	r = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:s}", "instance",
	    in->name, "action", action, "stack_id", json_object_get(row, "id"),
	    "name", json_object_get(row, "name"), "endpoint_id",
	    json_object_get(row, "endpoint_id"), "state", json_object_get(row,
	    "status"), "status", status);
	json_decref(row);
	return (r);
}

/* portainer_start_stack and portainer_stop_stack. */
static int
pt_start_stop(struct rt_call *c, bool start)
{
	struct rt_instance *in;
	const char *want = start ? "active" : "inactive";
	json_int_t id = call_arg_int(c, "stack", 0);
	json_t *s, *row, *j;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((s = pt_get_stack(c, in, id)) == NULL)
		return (-1);
	row = portainer_stack_row(s, in->name);
	json_decref(s);
	if (pt_eq(row, "status", want))
		return (call_ok(c, pt_stack_result(in, start ? "start" :
		    "stop", row, "unchanged")));
	xasprintf(&path, "/stacks/%lld/%s?endpointId=%lld", (long long)id,
	    start ? "start" : "stop", (long long)json_integer_value(
	    json_object_get(row, "endpoint_id")));
	json_decref(row);
	j = pt_call_req(pt_of(in), "POST", path, NULL, &status, &why);
	free(path);
	if (j == NULL) {
		pt_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	row = portainer_stack_row(j, in->name);
	json_decref(j);
	instance_refresh_soon(in);
	return (call_ok(c, pt_stack_result(in, start ? "start" : "stop", row,
	    "ok")));
}

/* portainer_start_stack. */
static int
pt_start_stack(struct rt_call *c)
{
	return (pt_start_stop(c, true));
}

/* portainer_stop_stack. */
static int
pt_stop_stack(struct rt_call *c)
{
	return (pt_start_stop(c, false));
}

/* portainer_remove_stack and its describe (dry). */
static int
pt_remove(struct rt_call *c, bool dry)
{
	struct rt_instance *in;
	json_int_t id = call_arg_int(c, "stack", 0);
	json_t *s, *row, *r, *j;
	char *path, *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if ((s = pt_get_stack(c, in, id)) == NULL)
		return (-1);
	row = portainer_stack_row(s, in->name);
	json_decref(s);
	xasprintf(&path, "/stacks/%lld?endpointId=%lld", (long long)id,
	    (long long)json_integer_value(json_object_get(row,
	    "endpoint_id")));
	r = pt_stack_result(in, "remove", row, dry ? "dry_run" : "ok");
	if (dry) {
		json_object_set_new(r, "dry_run", json_true());
		json_object_set_new(r, "requests", json_pack("[{s:s, s:s+}]",
		    "method", "DELETE", "path", "/api", path));
		free(path);
		return (call_ok(c, r));
	}
	j = pt_call_req(pt_of(in), "DELETE", path, NULL, &status, &why);
	free(path);
	if (j == NULL) {
		json_decref(r);
		pt_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_decref(j);
	json_object_set_new(r, "state", json_string("removed"));
	instance_refresh_soon(in);
	return (call_ok(c, r));
}

/* portainer_remove_stack. */
static int
pt_remove_stack(struct rt_call *c)
{
	return (pt_remove(c, json_is_true(json_object_get(c->args,
	    "dry_run"))));
}

/* describe for portainer_remove_stack. */
static int
pt_describe_remove(struct rt_call *c)
{
	return (pt_remove(c, true));
}

/* Drops a reference to a run; the last one frees it. */
static void
pt_run_unref(struct pt_run *r)
{
	bool last;

	pthread_mutex_lock(&r->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->answer);
	free(r->cause);
	free(r->method);
	free(r->path);
	free(r->body);
	free(r->action);
	free(r->stack);
	free(r);
}

/* The step's free: the transfer ends at its next poll, without waiting. */
static void
pt_run_release(void *arg)
{
	struct pt_run *r = arg;

	atomic_store(&r->stop, true);
	pt_run_unref(r);
}

/* Body bytes of a deployment's answer (deployment thread). */
static int
pt_run_chunk(void *arg, const char *data, size_t len)
{
	struct pt_run *r = arg;

	if (r->len + len > PT_DEPLOY_MAX)
		return (1);
	r->answer = xrealloc(r->answer, r->len + len + 1);
	memcpy(r->answer + r->len, data, len);
	r->len += len;
	r->answer[r->len] = '\0';
	return (0);
}

/* Whether the deployment should stop: the call went, or racktop stops. */
static bool
pt_run_stop(void *arg)
{
	struct pt_run *r = arg;

	return (atomic_load(&r->stop) || atomic_load(&r->p->stopping));
}

/* The request of a deployment; 0, or -1 with *cause (thread). */
static int
pt_run_request(struct pt_run *r, struct http_client *cl, char **cause)
{
	static const char *const hdrs[] = { "Accept: application/json",
	    "Content-Type: application/json", NULL };
	struct http_response resp;
	struct http_stream st = {
		.chunk = pt_run_chunk,
		.stop = pt_run_stop,
		.arg = r,
		.timeout_ms = r->timeout_ms,
		.idle_timeout_ms = 0,
	};
	json_t *e;
	const char *m, *d;
	char *why = NULL;
	int rc, kind;

	rc = http_stream(cl, r->method, r->path, hdrs, r->body,
	    strlen(r->body), &st, &resp, &why);
	if (rc == -1) {
		*cause = why;
		http_response_free(&resp);
		return (-1);
	}
	if (rc == HTTP_STREAM_STOPPED) {
		if (r->len + 1 > PT_DEPLOY_MAX)
			xasprintf(cause, "%s /api%s: answer larger than %d "
			    "bytes", r->method, r->path, PT_DEPLOY_MAX);
		else
			xasprintf(cause, "%s /api%s: stopped before Portainer "
			    "answered (cancelled, timed out or shutting down)",
			    r->method, r->path);
		http_response_free(&resp);
		return (-1);
	}
	if (resp.status < 200 || resp.status > 299) {
		/* Compose's own error is in details: say it. */
		e = json_loadb(resp.body, resp.len, 0, NULL);
		m = json_string_value(json_object_get(e, "message"));
		d = json_string_value(json_object_get(e, "details"));
		if (d != NULL && m != NULL && strcmp(d, m) == 0)
			d = NULL;
		xasprintf(&why, "%s /api%.*s: HTTP %ld%s%.200s%s%.300s",
		    r->method, (int)strcspn(r->path, "?"), r->path,
		    resp.status, m != NULL ? ": " : "", m != NULL ? m : "",
		    d != NULL ? ": " : "", d != NULL ? d : "");
		json_decref(e);
		*cause = pt_explain(resp.status, why, &kind);
		http_response_free(&resp);
		return (-1);
	}
	http_response_free(&resp);
	return (0);
}

/* The thread of a deployment. */
static void *
pt_run_main(void *arg)
{
	struct pt_run *r = arg;
	struct pt *p = r->p;
	struct http_client *cl;
	char *why = NULL;
	int rc = -1;

	log_set_thread("portainer-deploy");
	if ((cl = http_pool_get(&p->pool, &why)) != NULL) {
		rc = pt_run_request(r, cl, &why);
		http_pool_put(&p->pool, cl);
	}
	pthread_mutex_lock(&r->lock);
	r->done = true;
	r->rc = rc;
	r->cause = why;
	pthread_mutex_unlock(&r->lock);
	pt_run_unref(r);
	/* Last: pt_destroy may free p as soon as nruns is 0. */
	pthread_mutex_lock(&p->runs_lock);
	if (--p->nruns == 0)
		pthread_cond_broadcast(&p->runs_done);
	pthread_mutex_unlock(&p->runs_lock);
	return (NULL);
}

/*
 * The stack named name on environment ep, from a live GET /stacks: its id
 * in *id (0: none). 0, or -1 after failing the call.
 */
static int
pt_find_stack(struct rt_call *c, struct rt_instance *in, const char *name,
    json_int_t ep, json_int_t *id)
{
	const json_t *s;
	json_t *j;
	char *why = NULL;
	long status;
	size_t i;

	*id = 0;
	if ((j = pt_call_req(pt_of(in), "GET", "/stacks", NULL, &status,
	    &why)) == NULL) {
		pt_fail(c, in, "%s", why);
		free(why);
		return (-1);
	}
	json_array_foreach(j, i, s) {
		if (json_integer_value(json_object_get(s, "EndpointId")) ==
		    ep && json_is_string(json_object_get(s, "Name")) &&
		    strcmp(json_string_value(json_object_get(s, "Name")),
		    name) == 0)
			*id = json_integer_value(json_object_get(s, "Id"));
	}
	json_decref(j);
	return (0);
}

/* Starts a deployment on its own thread; the call waits in steps. */
static int
pt_deploy_start(struct rt_call *c)
{
	struct rt_instance *in;
	const char *name = call_arg_str(c, "name");
	json_int_t ep = call_arg_int(c, "endpoint", 0), id;
	json_t *env, *body;
	struct pt_run *r;
	struct pt *p;
	pthread_attr_t attr;
	pthread_t t;
	char *why = NULL, msg[160];

	if ((env = portainer_env_pairs(json_object_get(c->args, "env"),
	    &why)) == NULL) {
		call_fail(c, "arguments.%s", why);
		free(why);
		return (-1);
	}
	if ((in = call_instance(c)) == NULL ||
	    pt_find_stack(c, in, name, ep, &id) != 0) {
		json_decref(env);
		return (-1);
	}
	p = pt_of(in);
	r = xcalloc(1, sizeof *r);
	r->p = p;
	atomic_init(&r->stop, false);
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 2;		/* the call's step and the thread */
	r->stack = xstrdup(name);
	r->endpoint = ep;
	r->pull = json_is_true(json_object_get(c->args, "pull_image"));
	r->prune = json_is_true(json_object_get(c->args, "prune"));
	r->timeout_ms = (long)call_arg_int(c, "timeout_s", 600) * 1000;
	if (id == 0) {
		r->action = xstrdup("create");
		r->method = xstrdup("POST");
		xasprintf(&r->path, "/stacks/create/standalone/string?"
		    "endpointId=%lld", (long long)ep);
		body = json_pack("{s:s, s:s, s:o}", "name", name,
		    "stackFileContent", call_arg_str(c, "compose"), "env", env);
	} else {
		r->action = xstrdup("update");
		r->method = xstrdup("PUT");
		xasprintf(&r->path, "/stacks/%lld?endpointId=%lld",
		    (long long)id, (long long)ep);
		body = json_pack("{s:s, s:o, s:b, s:b}", "stackFileContent",
		    call_arg_str(c, "compose"), "env", env, "prune", r->prune,
		    "pullImage", r->pull);
	}
	r->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	r->started_mono = clock_mono_ms();
	c->step = r;
	c->step_free = pt_run_release;
	pthread_mutex_lock(&p->runs_lock);
	p->nruns++;
	pthread_mutex_unlock(&p->runs_lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, pt_run_main, r) != 0)
		fatal("%s: pthread_create", __func__);
	pthread_attr_destroy(&attr);
	snprintf(msg, sizeof msg, "%s stack %s on environment %lld: waiting "
	    "for Compose", r->action, name, (long long)ep);
	call_progress(c, 0, 0, msg);
	return (call_again(c, PT_DEPLOY_POLL_MS));
}

/* A deployment step: a heartbeat while it runs, the result once done. */
static int
pt_deploy_continue(struct rt_call *c)
{
	struct pt_run *r = c->step;
	struct rt_instance *in = r->p->in;
	json_t *stack, *row, *res;
	char *cause, *answer, msg[160];
	int64_t ms = clock_mono_ms() - r->started_mono;
	bool done;
	int rc;

	pthread_mutex_lock(&r->lock);
	done = r->done;
	rc = r->rc;
	cause = done && r->cause != NULL ? xstrdup(r->cause) : NULL;
	answer = done && r->answer != NULL ? xstrdup(r->answer) : NULL;
	pthread_mutex_unlock(&r->lock);
	if (!done) {
		if (call_should_stop(c))
			return (pt_fail(c, in, "deploy %s: stopped before "
			    "Portainer answered (cancelled or timed out)",
			    r->stack));
		r->heartbeats++;
		snprintf(msg, sizeof msg, "%s stack %s: Compose still running "
		    "(%lld s)", r->action, r->stack, (long long)(ms / 1000));
		call_progress(c, (double)r->heartbeats, 0, msg);
		return (call_again(c, PT_DEPLOY_POLL_MS));
	}
	if (rc != 0) {
		pt_fail(c, in, "%s", cause != NULL ? cause : "deploy failed");
		free(cause);
		free(answer);
		return (-1);
	}
	free(cause);
	stack = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
	free(answer);
	if (!json_is_object(stack)) {
		json_decref(stack);
		return (pt_fail(c, in, "%s /api%.*s: the answer is not a stack",
		    r->method, (int)strcspn(r->path, "?"), r->path));
	}
	row = portainer_stack_row(stack, in->name);
	json_decref(stack);
	res = pt_stack_result(in, r->action, row, "ok");
	json_object_set_new(res, "pull_image", json_boolean(r->pull));
	json_object_set_new(res, "prune", json_boolean(r->prune));
	json_object_set_new(res, "ms", json_integer(ms));
	json_object_set_new(res, "heartbeats", json_integer(r->heartbeats));
	instance_refresh_soon(in);
	return (call_ok(c, res));
}

/* portainer_deploy_stack: create or update a Compose stack. */
static int
pt_deploy_stack(struct rt_call *c)
{
	if (c->step != NULL)
		return (pt_deploy_continue(c));
	return (pt_deploy_start(c));
}

/* Schema fragments. */
#define S_INT "{\"type\":\"integer\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Configured Portainer instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home Lab\"]," \
	"\"description\":\"Only this configured instance; every one " \
	"when left out.\"}"
#define S_ENDPOINT(desc) \
	"\"endpoint\":{\"type\":\"integer\",\"minimum\":1,\"description\":" \
	"\"" desc "\"}"
#define S_STACK \
	"\"stack\":{\"type\":\"integer\",\"minimum\":1,\"description\":" \
	"\"Stack id (portainer_list_stacks).\"}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Show the requests and change nothing.\"}"
#define S_REQUESTS \
	"\"requests\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"method\",\"path\"],\"properties\":{\"method\":" \
	S_STR ",\"path\":" S_STR ",\"body\":{\"type\":\"object\"}}}}"
#define ENDPOINT_TYPES \
	"[\"docker\",\"agent\",\"azure\",\"edge-agent\",\"kubernetes\"," \
	"\"kube-agent\",\"edge-kube\",\"unknown\"]"

#define ENDPOINT_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"type\",\"status\"],\"properties\":{\"instance\":" S_STR ",\"id\":" \
	S_INT ",\"name\":" S_STR ",\"type\":{\"enum\":" ENDPOINT_TYPES "}," \
	"\"type_id\":" S_INT ",\"url\":" S_STR ",\"status\":{\"enum\":" \
	"[\"up\",\"down\",\"unknown\"]},\"group_id\":" S_INT ",\"tag_ids\":" \
	"{\"type\":\"array\",\"items\":" S_INT "},\"tags\":{\"type\":" \
	"\"array\",\"items\":" S_STR "},\"engine_version\":" S_STR \
	",\"containers\":" S_INT ",\"running\":" S_INT ",\"stopped\":" S_INT \
	",\"healthy\":" S_INT ",\"unhealthy\":" S_INT ",\"images\":" S_INT \
	",\"volumes\":" S_INT ",\"services\":" S_INT ",\"stacks\":" S_INT \
	",\"nodes\":" S_INT ",\"cpus\":" S_INT ",\"memory\":" S_INT \
	",\"snapshot_time\":" S_INT ",\"swarm\":" S_BOOL "}}"
#define STACK_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"type\",\"endpoint_id\",\"status\"],\"properties\":{\"instance\":" \
	S_STR ",\"id\":" S_INT ",\"name\":" S_STR ",\"type\":{\"enum\":" \
	"[\"swarm\",\"compose\",\"kubernetes\",\"unknown\"]},\"endpoint_id\":" \
	S_INT ",\"endpoint\":" S_STR ",\"status\":{\"enum\":[\"active\"," \
	"\"inactive\",\"unknown\"]},\"created\":" S_INT ",\"updated\":" S_INT \
	",\"created_by\":" S_STR ",\"updated_by\":" S_STR "}}"
#define USAGE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"cpus\",\"memory\",\"running\",\"stopped\",\"images\",\"volumes\"]," \
	"\"properties\":{\"instance\":" S_STR ",\"id\":" S_INT ",\"name\":" \
	S_STR ",\"type\":" S_STR ",\"status\":" S_STR ",\"cpus\":" S_INT \
	",\"memory\":" S_INT ",\"containers\":" S_INT ",\"running\":" S_INT \
	",\"stopped\":" S_INT ",\"images\":" S_INT ",\"volumes\":" S_INT \
	",\"nodes\":" S_INT ",\"snapshot_time\":" S_INT "}}"
#define STACK_RESULT(extra) \
	"{\"type\":\"object\",\"required\":[\"instance\",\"action\"," \
	"\"stack_id\",\"name\",\"status\"],\"properties\":{\"instance\":" \
	S_STR ",\"action\":" S_STR ",\"stack_id\":" S_INT ",\"name\":" S_STR \
	",\"endpoint_id\":" S_INT ",\"state\":{\"enum\":[\"active\"," \
	"\"inactive\",\"unknown\",\"removed\"]},\"status\":{\"enum\":" \
	"[\"ok\",\"unchanged\",\"dry_run\"]}" extra "}}"

static const struct rt_tool portainer_tools[] = {
	{
	    .name = "portainer_list_endpoints",
	    .title = "List Portainer environments",
	    .description = "Environments (Portainer's \"endpoints\") of every "
		"type Portainer reports (Docker, agent, Edge agent, Azure, "
		"Kubernetes): status (up or down), type, engine version, "
		"container counts (running, stopped, healthy, unhealthy), "
		"stack, image and volume counts from Portainer's last "
		"snapshot, and tags. Answers from the last refresh when it is "
		"fresh enough.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_ENDPOINT("Only "
		"this environment id.") ",\"name\":{\"type\":\"string\","
		"\"description\":\"Only names containing this (any case).\"},"
		"\"type\":{\"enum\":" ENDPOINT_TYPES "},\"status\":{\"enum\":"
		"[\"up\",\"down\"]}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ENDPOINT_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pt_list_endpoints,
	},
	{
	    .name = "portainer_manage_endpoints",
	    .title = "Rename, tag or remove a Portainer environment",
	    .description = "Renames an environment, sets its tags (the whole "
		"set, by name; missing tags are created) or removes it from "
		"Portainer (the host and its containers are untouched, but "
		"Portainer forgets the environment and its stacks' records). "
		"Marked destructive because of remove, so every action of "
		"this tool goes through approval; dry_run shows the requests.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"endpoint\",\"action\"],\"properties\":{"
		S_INSTANCE "," S_ENDPOINT("Environment id "
		"(portainer_list_endpoints).") ",\"action\":{\"enum\":"
		"[\"rename\",\"tag\",\"remove\"]},\"name\":{\"type\":\"string\","
		"\"minLength\":1,\"maxLength\":128,\"description\":\"New name "
		"(rename).\"},\"tags\":{\"type\":\"array\",\"maxItems\":64,"
		"\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"64},\"description\":\"Tag names (tag): the environment's "
		"whole set.\"}," S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"action\",\"endpoint_id\",\"status\"],\"properties\":{"
		"\"instance\":" S_STR ",\"action\":" S_STR ",\"endpoint_id\":"
		S_INT ",\"name\":" S_STR ",\"status\":{\"enum\":[\"ok\","
		"\"dry_run\"]},\"dry_run\":" S_BOOL ",\"tags\":{\"type\":"
		"\"array\",\"items\":" S_STR "},\"tag_ids\":{\"type\":"
		"\"array\",\"items\":" S_INT "}," S_REQUESTS "}}",
	    .flags = RT_DESTRUCTIVE,
	    .call = pt_manage_endpoints,
	    .describe = pt_describe_manage,
	},
	{
	    .name = "portainer_list_stacks",
	    .title = "List Portainer stacks",
	    .description = "Stacks Portainer manages (Compose, Swarm, "
		"Kubernetes): id, name, environment, status (active or "
		"inactive), creation and update times. Answers from the last "
		"refresh when it is fresh enough.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_ENDPOINT("Only "
		"stacks of this environment id.") ",\"name\":{\"type\":"
		"\"string\",\"description\":\"Only names containing this "
		"(any case).\"},\"status\":{\"enum\":[\"active\","
		"\"inactive\"]}," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(STACK_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pt_list_stacks,
	},
	{
	    .name = "portainer_deploy_stack",
	    .title = "Deploy a Portainer Compose stack",
	    .description = "Creates a standalone Compose stack from its file "
		"content and environment variables, or updates the stack of "
		"that name on the environment (re-pulling images with "
		"pull_image, removing services no longer in the file with "
		"prune). Portainer answers only once Compose has finished; "
		"racktop sends a progress heartbeat every second meanwhile.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"endpoint\",\"name\",\"compose\"],"
		"\"properties\":{" S_INSTANCE "," S_ENDPOINT("Environment id "
		"to deploy on.") ",\"name\":{\"type\":\"string\",\"maxLength\":"
		"64,\"pattern\":\"^[a-z0-9][a-z0-9_-]*$\",\"examples\":"
		"[\"whoami\"],\"x-counterexamples\":[\"My Stack\"],"
		"\"description\":\"Stack name (a Compose project name).\"},"
		"\"compose\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":"
		"1048576,\"description\":\"The docker-compose.yml content.\"},"
		"\"env\":{\"type\":\"object\",\"additionalProperties\":{"
		"\"type\":\"string\"},\"description\":\"Environment variables "
		"for the Compose file.\"},\"pull_image\":{\"type\":\"boolean\","
		"\"default\":false,\"description\":\"Update: pull images again "
		"before recreating.\"},\"prune\":{\"type\":\"boolean\","
		"\"default\":false,\"description\":\"Update: remove services "
		"no longer in the file.\"},\"timeout_s\":{\"type\":\"integer\","
		"\"minimum\":1,\"maximum\":3600,\"default\":600,"
		"\"description\":\"How long to wait for Portainer.\"}}}",
	    .output_schema = STACK_RESULT(",\"pull_image\":" S_BOOL
		",\"prune\":" S_BOOL ",\"ms\":" S_INT ",\"heartbeats\":" S_INT),
	    .flags = RT_IDEMPOTENT,
	    .call = pt_deploy_stack,
	},
	{
	    .name = "portainer_start_stack",
	    .title = "Start a Portainer stack",
	    .description = "Starts a stopped stack (Compose up through "
		"Portainer); a stack already active is left as it is "
		"(status unchanged).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"stack\"],\"properties\":{" S_INSTANCE
		"," S_STACK "}}",
	    .output_schema = STACK_RESULT(""),
	    .flags = RT_IDEMPOTENT,
	    .call = pt_start_stack,
	},
	{
	    .name = "portainer_stop_stack",
	    .title = "Stop a Portainer stack",
	    .description = "Stops an active stack (its containers stop; the "
		"stack stays defined); a stack already inactive is left as "
		"it is (status unchanged).",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"stack\"],\"properties\":{" S_INSTANCE
		"," S_STACK "}}",
	    .output_schema = STACK_RESULT(""),
	    .flags = RT_IDEMPOTENT,
	    .call = pt_stop_stack,
	},
	{
	    .name = "portainer_remove_stack",
	    .title = "Remove a Portainer stack",
	    .description = "Removes a stack: Compose down (its containers and "
		"networks go) and Portainer forgets it. dry_run shows the "
		"request.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"stack\"],\"properties\":{" S_INSTANCE
		"," S_STACK "," S_DRY_RUN "}}",
	    .output_schema = STACK_RESULT(",\"dry_run\":" S_BOOL ","
		S_REQUESTS),
	    .flags = RT_DESTRUCTIVE,
	    .call = pt_remove_stack,
	    .describe = pt_describe_remove,
	},
	{
	    .name = "portainer_get_resource_usage",
	    .title = "Portainer resource usage",
	    .description = "Per environment: CPU count and memory total, "
		"running and stopped containers, images and volumes, from "
		"Portainer's last snapshot of each environment.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE "," S_ENDPOINT("Only "
		"this environment id.") "," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(USAGE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT,
	    .call = pt_get_resource_usage,
	},
	{ .name = NULL },
};

static const struct rt_column pt_endpoint_columns[] = {
	{ "Environment", "/name", RT_COL_TEXT, 0 },
	{ "Type", "/type", RT_COL_TEXT, 10 },
	{ "Status", "/status", RT_COL_STATE, 6 },
	{ "Engine", "/engine_version", RT_COL_TEXT, 10 },
	{ "Running", "/running", RT_COL_NUMBER, 7 },
	{ "Stopped", "/stopped", RT_COL_NUMBER, 7 },
	{ "Stacks", "/stacks", RT_COL_NUMBER, 6 },
	{ "CPUs", "/cpus", RT_COL_NUMBER, 4 },
	{ "Memory", "/memory", RT_COL_BYTES, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_column pt_stack_columns[] = {
	{ "Stack", "/name", RT_COL_TEXT, 0 },
	{ "Environment", "/endpoint", RT_COL_TEXT, 14 },
	{ "Type", "/type", RT_COL_TEXT, 8 },
	{ "Status", "/status", RT_COL_STATE, 8 },
	{ "Updated", "/updated", RT_COL_AGE, 8 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

#define STACK_ROW_ARGS "{\"instance\":\"/instance\",\"stack\":\"/id\"}"
static const struct rt_rowkey pt_stack_keys[] = {
	{ 's', "start", "portainer_start_stack", STACK_ROW_ARGS },
	{ 'S', "stop", "portainer_stop_stack", STACK_ROW_ARGS },
	{ 0, NULL, NULL, NULL },
};

static const struct rt_view pt_views[] = {
	{ "environments", "Environments", "/endpoints", pt_endpoint_columns,
	    NULL },
	{ "stacks", "Stacks", "/stacks", pt_stack_columns, pt_stack_keys },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service portainer_service = {
	.name = "portainer",
	.title = "Portainer",
	.tools = portainer_tools,
	.views = pt_views,
	.refresh_s = PT_REFRESH_S,
	.create = pt_create,
	.destroy = pt_destroy,
	.poll = pt_poll,
	.problems = portainer_problems,
};
