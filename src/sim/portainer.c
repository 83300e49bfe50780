/*
 * The simulated Portainer CE API (/api), following portainer/portainer's
 * route handlers and JSON names (api/portainer.go, release 2.21): access
 * tokens in X-API-Key (401 {"message","details"} otherwise), environments
 * ("endpoints") of several types with their Docker or Kubernetes
 * snapshot, tags, and standalone Compose stacks: list, create from file
 * content and environment variables, update (prune, pullImage), start,
 * stop, delete. Errors are {"message": "...", "details": "..."}.
 *
 * Environments: 1 "local" (Docker, up), 2 "nas" (Agent on Docker, up),
 * 3 "edge-pi" (Edge agent, down), 4 "k3s" (Kubernetes, up), 5 "aci"
 * (Azure ACI, up, no snapshot). The Docker proxy of 1 and 2,
 * /api/endpoints/{id}/docker/..., answers as the simulated Docker Engine
 * (sim_service_forward) when it runs; other environments refuse it.
 *
 * Stacks: 1 "monitoring" (Compose on local, active), 2 "media" (Compose on
 * nas, inactive), 3 "web" (Kubernetes on k3s, active). Each Compose stack
 * counts two containers in its environment's snapshot, running while the
 * stack is active. A Compose file containing "rt-fail" fails to deploy
 * (500, as a failing compose up). A deployment (create or update) takes
 * deploy_ms (POST /state {"service": "portainer", "deploy_ms": N}; 0 by
 * default), and
 * the request blocks that long, as Portainer's does; a pullImage update
 * counts "stack pull" in GET /counts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim-ext.h"
#include "sim/sim.h"

#define PS_TOKEN "ptr_racktopSimAccessToken0123456789abcdef"
#define PS_MAX_EP 16
#define PS_MAX_STACKS 256
#define PS_GIB (1024LL * 1024 * 1024)

struct ps_ep {
	int		 id;
	char		 name[128];
	int		 type;
	const char	*url;
	int		 status;	/* 1 up, 2 down */
	json_t		*tag_ids;
	bool		 gone;
};

struct ps_stack {
	int		 id;
	char		 name[64];
	int		 type;		/* 1 swarm, 2 compose, 3 kubernetes */
	int		 endpoint;
	int		 status;	/* 1 active, 2 inactive */
	int64_t		 created;
	int64_t		 updated;
	char		*file;
	json_t		*env;
	bool		 gone;
};

struct ps {
	struct ps_ep	 ep[PS_MAX_EP];
	int		 nep;
	struct ps_stack	 st[PS_MAX_STACKS];
	int		 nst;
	json_t		*tags;		/* [{ID, Name}] */
	int		 next_tag;
	int		 deploy_ms;
};

/* Portainer's error body. */
static void
ps_errorf(struct sim_response *resp, int status, const char *message,
    const char *details)
{
	sim_reply_json_new(resp, status, json_pack("{s:s, s:s}", "message",
	    message, "details", details != NULL ? details : message));
}

static void
ps_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *message)
{
	(void)svc;
	ps_errorf(resp, status, message != NULL ? message : status == 500 ?
	    "Internal server error" : "Error", NULL);
}

static void
ps_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	ps_errorf(resp, 401, "Unauthorized", "A valid authorisation token is "
	    "missing");
}

static void
ps_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	ps_errorf(resp, 404, "Not found", "404 page not found");
}

/* X-API-Key must be the token. */
static int
ps_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *key = sim_header(req, "X-API-Key");

	if (key != NULL && strcmp(key, PS_TOKEN) == 0)
		return (0);
	ps_unauthorized(svc, resp);
	return (-1);
}

static void
ps_add_ep(struct ps *ps, const char *name, int type, const char *url,
    int status, json_t *tags)
{
	struct ps_ep *e = &ps->ep[ps->nep];

	e->id = ++ps->nep;
	snprintf(e->name, sizeof e->name, "%s", name);
	e->type = type;
	e->url = url;
	e->status = status;
	e->tag_ids = tags;
}

static void
ps_add_stack(struct ps *ps, const char *name, int type, int ep, int status,
    int64_t t)
{
	struct ps_stack *s = &ps->st[ps->nst];

	s->id = ++ps->nst;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->type = type;
	s->endpoint = ep;
	s->status = status;
	s->created = s->updated = t;
	s->file = xstrdup("services:\n  app:\n    image: nginx:1.27\n");
	s->env = json_array();
}

static void *
ps_create(struct sim_service *svc)
{
	struct ps *ps = xcalloc(1, sizeof *ps);
	int64_t t = sim_now_ms(svc) / 1000 - 86400;

	ps_add_ep(ps, "local", 1, "unix:///var/run/docker.sock", 1,
	    json_pack("[i]", 1));
	ps_add_ep(ps, "nas", 2, "tcp://10.0.0.21:9001", 1, json_pack("[i]",
	    2));
	ps_add_ep(ps, "edge-pi", 4, "", 2, json_array());
	ps_add_ep(ps, "k3s", 5, "https://kubernetes.default.svc", 1,
	    json_array());
	ps_add_ep(ps, "aci", 3, "", 1, json_array());
	ps_add_stack(ps, "monitoring", 2, 1, 1, t);
	ps_add_stack(ps, "media", 2, 2, 2, t + 60);
	ps_add_stack(ps, "web", 3, 4, 1, t + 120);
	ps->tags = json_pack("[{s:i, s:s}, {s:i, s:s}]", "ID", 1, "Name",
	    "prod", "ID", 2, "Name", "lab");
	ps->next_tag = 3;
	return (ps);
}

static void
ps_destroy(void *arg)
{
	struct ps *ps = arg;
	int i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->nep; i++)
		json_decref(ps->ep[i].tag_ids);
	for (i = 0; i < ps->nst; i++) {
		free(ps->st[i].file);
		json_decref(ps->st[i].env);
	}
	json_decref(ps->tags);
	free(ps);
}

/* An integer parameter or argument, -1 when absent or not a number. */
static long
ps_num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	char *end;
	long n;

	if (json_is_integer(v))
		return ((long)json_integer_value(v));
	if (!json_is_string(v))
		return (-1);
	n = strtol(json_string_value(v), &end, 10);
	return (*end == '\0' && end != json_string_value(v) ? n : -1);
}

/* The environment of the {id} parameter, or NULL after a 404. */
static struct ps_ep *
ps_find_ep(struct sim_service *svc, long id, struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);

	if (id >= 1 && id <= ps->nep && !ps->ep[id - 1].gone)
		return (&ps->ep[id - 1]);
	ps_errorf(resp, 404, "Unable to find an environment with the "
	    "specified identifier inside the database", "Object not found "
	    "inside the database");
	return (NULL);
}

/* The stack of the {id} parameter, or NULL after a 404. */
static struct ps_stack *
ps_find_stack(struct sim_service *svc, long id, struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);

	if (id >= 1 && id <= ps->nst && !ps->st[id - 1].gone)
		return (&ps->st[id - 1]);
	ps_errorf(resp, 404, "Unable to find a stack with the specified "
	    "identifier inside the database", "Object not found inside the "
	    "database");
	return (NULL);
}

/* An Endpoint object with its snapshot. */
static json_t *
ps_ep_json(struct sim_service *svc, const struct ps_ep *e)
{
	struct ps *ps = sim_service_data(svc);
	int64_t now = sim_now_ms(svc) / 1000;
	int running = 6, stopped = 2, stacks = 0, i;
	json_t *o;

	o = json_pack("{s:i, s:s, s:i, s:s, s:i, s:i, s:O, s:s, s:[], s:{s:[]}}",
	    "Id", e->id, "Name", e->name, "Type", e->type, "URL", e->url,
	    "Status", e->status, "GroupId", 1, "TagIds", e->tag_ids,
	    "PublicURL", "", "Snapshots", "Kubernetes", "Snapshots");
	for (i = 0; i < ps->nst; i++) {
		if (ps->st[i].gone || ps->st[i].endpoint != e->id)
			continue;
		stacks++;
		if (ps->st[i].status == 1)
			running += 2;
		else
			stopped += 2;
	}
	if (e->type == 1 || e->type == 2 || e->type == 4)
		json_array_append_new(json_object_get(o, "Snapshots"),
		    json_pack("{s:I, s:s, s:b, s:i, s:I, s:i, s:i, s:i, s:i, "
		    "s:i, s:i, s:i, s:i, s:i, s:i, s:b}", "Time", (json_int_t)
		    (e->status == 1 ? now : now - 3600), "DockerVersion",
		    e->type == 1 ? "27.3.1" : "26.1.4", "Swarm", 0, "TotalCPU",
		    e->type == 1 ? 8 : 4, "TotalMemory", (json_int_t)(e->type ==
		    1 ? 32 * PS_GIB : 8 * PS_GIB), "ContainerCount", running +
		    stopped, "RunningContainerCount", running,
		    "StoppedContainerCount", stopped, "HealthyContainerCount",
		    3, "UnhealthyContainerCount", e->type == 2 ? 1 : 0,
		    "VolumeCount", 5 + e->id, "ImageCount", 9 + e->id,
		    "ServiceCount", 0, "StackCount", stacks, "NodeCount", 1,
		    "IsPodman", 0));
	else if (e->type == 5)
		json_array_append_new(json_object_get(json_object_get(o,
		    "Kubernetes"), "Snapshots"), json_pack("{s:I, s:s, s:i, "
		    "s:i, s:I}", "Time", (json_int_t)now, "KubernetesVersion",
		    "v1.30.4+k3s1", "NodeCount", 3, "TotalCPU", 12,
		    "TotalMemory", (json_int_t)(48 * PS_GIB)));
	return (o);
}

/* A Stack object. */
static json_t *
ps_stack_json(const struct ps_stack *s)
{
	return (json_pack("{s:i, s:s, s:i, s:i, s:i, s:s, s:s, s:O, s:I, "
	    "s:I, s:s, s:s}", "Id", s->id, "Name", s->name, "Type", s->type,
	    "EndpointId", s->endpoint, "Status", s->status, "EntryPoint",
	    "docker-compose.yml", "ProjectPath", "/data/compose", "Env",
	    s->env, "CreationDate", (json_int_t)s->created, "UpdateDate",
	    (json_int_t)s->updated, "CreatedBy", "racktop", "UpdatedBy",
	    "racktop"));
}

/* GET /status (public). */
static void
ps_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s}", "Version",
	    "2.21.4", "InstanceID", "5d8c3c1e-racktop-sim"));
}

/* GET /endpoints. */
static void
ps_endpoints(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);
	json_t *a = json_array();
	char n[24];
	int i;

	(void)req;
	for (i = 0; i < ps->nep; i++) {
		if (!ps->ep[i].gone)
			json_array_append_new(a, ps_ep_json(svc, &ps->ep[i]));
	}
	snprintf(n, sizeof n, "%zu", json_array_size(a));
	sim_reply_json_new(resp, 200, a);
	sim_reply_header(resp, "X-Total-Count", n);
}

/* GET /endpoints/{id}. */
static void
ps_endpoint_get(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps_ep *e;

	if ((e = ps_find_ep(svc, ps_num(req->params, "id"), resp)) != NULL)
		sim_reply_json_new(resp, 200, ps_ep_json(svc, e));
}

/* PUT /endpoints/{id}: Name, TagIDs. */
static void
ps_endpoint_put(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);
	const json_t *name = json_object_get(req->args, "Name");
	const json_t *tags = json_object_get(req->args, "TagIDs"), *t, *k;
	struct ps_ep *e;
	size_t i, j;
	bool known;

	if ((e = ps_find_ep(svc, ps_num(req->params, "id"), resp)) == NULL)
		return;
	if (name != NULL && (!json_is_string(name) ||
	    *json_string_value(name) == '\0')) {
		ps_errorf(resp, 400, "Invalid request payload", "Name");
		return;
	}
	if (tags != NULL && !json_is_array(tags)) {
		ps_errorf(resp, 400, "Invalid request payload", "TagIDs");
		return;
	}
	json_array_foreach(tags, i, t) {
		known = false;
		json_array_foreach(ps->tags, j, k) {
			if (json_equal(json_object_get(k, "ID"), t))
				known = true;
		}
		if (!known) {
			ps_errorf(resp, 404, "Unable to find a tag inside the "
			    "database", "Object not found inside the database");
			return;
		}
	}
	if (name != NULL)
		snprintf(e->name, sizeof e->name, "%s",
		    json_string_value(name));
	if (tags != NULL) {
		json_decref(e->tag_ids);
		e->tag_ids = json_deep_copy(tags);
	}
	sim_reply_json_new(resp, 200, ps_ep_json(svc, e));
}

/* DELETE /endpoints/{id}. */
static void
ps_endpoint_delete(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps_ep *e;

	if ((e = ps_find_ep(svc, ps_num(req->params, "id"), resp)) == NULL)
		return;
	e->gone = true;
	resp->status = 204;
}

/* POST /endpoints/{id}/snapshot. */
static void
ps_endpoint_snapshot(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	if (ps_find_ep(svc, ps_num(req->params, "id"), resp) != NULL)
		resp->status = 204;
}

/* /endpoints/{id}/docker/{*path}: the environment's Docker Engine. */
static void
ps_docker(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *path = json_string_value(json_object_get(req->params,
	    "path"));
	struct ps_ep *e;

	if ((e = ps_find_ep(svc, ps_num(req->params, "id"), resp)) == NULL)
		return;
	if (e->type != 1 && e->type != 2 && e->type != 4) {
		ps_errorf(resp, 400, "Invalid environment type", "not a Docker "
		    "environment");
		return;
	}
	if (e->status != 1) {
		ps_errorf(resp, 502, "Unable to reach the environment",
		    "the environment is down");
		return;
	}
	if (!sim_service_forward(svc, "docker", req, path, resp))
		ps_errorf(resp, 502, "Unable to proxy the request", "no Docker "
		    "engine");
}

/* GET /tags. */
static void
ps_tags(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);

	(void)req;
	sim_reply_json_new(resp, 200, json_deep_copy(ps->tags));
}

/* POST /tags {Name}. */
static void
ps_tag_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);
	const char *name = sim_arg(req, "Name");
	const json_t *t;
	json_t *tag;
	size_t i;

	if (name == NULL || *name == '\0') {
		ps_errorf(resp, 400, "Invalid request payload", "Name");
		return;
	}
	json_array_foreach(ps->tags, i, t) {
		if (strcmp(json_string_value(json_object_get(t, "Name")),
		    name) == 0) {
			ps_errorf(resp, 409, "This name is already associated "
			    "to a tag", NULL);
			return;
		}
	}
	tag = json_pack("{s:i, s:s}", "ID", ps->next_tag++, "Name", name);
	json_array_append(ps->tags, tag);
	sim_reply_json_new(resp, 200, tag);
}

/* GET /stacks (?filters={"EndpointID":N}). */
static void
ps_stacks(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);
	const char *filters = sim_arg(req, "filters");
	json_t *a = json_array(), *f = NULL;
	long want = -1;
	int i;

	if (filters != NULL) {
		f = json_loads(filters, 0, NULL);
		if (!json_is_object(f)) {
			json_decref(f);
			json_decref(a);
			ps_errorf(resp, 400, "Invalid query parameter: filters",
			    NULL);
			return;
		}
		want = ps_num(f, "EndpointID");
		json_decref(f);
	}
	for (i = 0; i < ps->nst; i++) {
		if (!ps->st[i].gone && (want < 0 || ps->st[i].endpoint ==
		    want))
			json_array_append_new(a, ps_stack_json(&ps->st[i]));
	}
	sim_reply_json_new(resp, 200, a);
}

/* GET /stacks/{id}. */
static void
ps_stack_get(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps_stack *s;

	if ((s = ps_find_stack(svc, ps_num(req->params, "id"), resp)) != NULL)
		sim_reply_json_new(resp, 200, ps_stack_json(s));
}

/* GET /stacks/{id}/file. */
static void
ps_stack_file(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps_stack *s;

	if ((s = ps_find_stack(svc, ps_num(req->params, "id"), resp)) != NULL)
		sim_reply_json_new(resp, 200, json_pack("{s:s}",
		    "StackFileContent", s->file));
}

/* The endpointId query of a stack action; -1 after a 400. */
static long
ps_endpoint_query(struct sim_request *req, struct sim_response *resp)
{
	long id = ps_num(req->args, "endpointId");

	if (id < 1)
		ps_errorf(resp, 400, "Invalid query parameter: endpointId",
		    NULL);
	return (id);
}

/* POST /stacks/{id}/start and /stop. */
static void
ps_stack_set(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, int status)
{
	struct ps_stack *s;

	if ((s = ps_find_stack(svc, ps_num(req->params, "id"), resp)) ==
	    NULL || ps_endpoint_query(req, resp) < 1)
		return;
	if (s->status == status) {
		ps_errorf(resp, 400, status == 1 ? "Stack is already active" :
		    "Stack is already inactive", NULL);
		return;
	}
	s->status = status;
	s->updated = sim_now_ms(svc) / 1000;
	sim_reply_json_new(resp, 200, ps_stack_json(s));
}

static void
ps_stack_start(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	ps_stack_set(svc, req, resp, 1);
}

static void
ps_stack_stop(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	ps_stack_set(svc, req, resp, 2);
}

/* DELETE /stacks/{id}. */
static void
ps_stack_delete(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps_stack *s;

	if ((s = ps_find_stack(svc, ps_num(req->params, "id"), resp)) ==
	    NULL || ps_endpoint_query(req, resp) < 1)
		return;
	s->gone = true;
	resp->status = 204;
}

/* Checks a Compose file and env pairs; false after an error reply. */
static bool
ps_check_deploy(struct sim_request *req, struct sim_response *resp)
{
	const char *file = sim_arg(req, "stackFileContent");
	const json_t *env = json_object_get(req->args, "env"), *p;
	size_t i;

	if (file == NULL || *file == '\0') {
		ps_errorf(resp, 400, "Invalid request payload",
		    "Invalid stack file content");
		return (false);
	}
	if (env != NULL && !json_is_array(env)) {
		ps_errorf(resp, 400, "Invalid request payload", "env");
		return (false);
	}
	json_array_foreach(env, i, p) {
		if (!json_is_string(json_object_get(p, "name")) ||
		    !json_is_string(json_object_get(p, "value"))) {
			ps_errorf(resp, 400, "Invalid request payload",
			    "env: each entry needs name and value");
			return (false);
		}
	}
	return (true);
}

/*
 * Compose takes its time: waits deploy_ms with the lock released, as
 * Portainer's own request blocks. false once the simulator stops.
 */
static bool
ps_compose_wait(struct sim_service *svc)
{
	struct ps *ps = sim_service_data(svc);
	int64_t until = clock_mono_ms() + ps->deploy_ms, left;

	while ((left = until - clock_mono_ms()) > 0) {
		if (!sim_service_wait(svc, (int)left))
			return (false);
	}
	return (true);
}

/* A failing compose up, when the file asks for one. */
static bool
ps_compose_fails(const char *file, struct sim_response *resp)
{
	if (strstr(file, "rt-fail") == NULL)
		return (false);
	ps_errorf(resp, 500, "Failed to deploy a stack", "compose up: pull "
	    "access denied for rt-fail, repository does not exist");
	return (true);
}

/* POST /stacks/create/standalone/string?endpointId=N. */
static void
ps_stack_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ps *ps = sim_service_data(svc);
	const char *name = sim_arg(req, "name");
	struct ps_stack *s;
	long ep;
	int i;

	if ((ep = ps_endpoint_query(req, resp)) < 1 ||
	    ps_find_ep(svc, ep, resp) == NULL)
		return;
	if (name == NULL || *name == '\0' || strlen(name) >= sizeof
	    s->name) {
		ps_errorf(resp, 400, "Invalid request payload", "Invalid stack "
		    "name");
		return;
	}
	if (!ps_check_deploy(req, resp))
		return;
	for (i = 0; i < ps->nst; i++) {
		if (!ps->st[i].gone && ps->st[i].endpoint == ep &&
		    strcmp(ps->st[i].name, name) == 0) {
			ps_errorf(resp, 409, "A stack with this name already "
			    "exists", NULL);
			return;
		}
	}
	if (ps->nst >= PS_MAX_STACKS) {
		ps_errorf(resp, 500, "Too many stacks", NULL);
		return;
	}
	if (!ps_compose_wait(svc)) {
		ps_errorf(resp, 503, "Shutting down", NULL);
		return;
	}
	if (ps_compose_fails(sim_arg(req, "stackFileContent"), resp))
		return;
	ps_add_stack(ps, name, 2, (int)ep, 1, sim_now_ms(svc) / 1000);
	s = &ps->st[ps->nst - 1];
	free(s->file);
	s->file = xstrdup(sim_arg(req, "stackFileContent"));
	if (json_object_get(req->args, "env") != NULL) {
		json_decref(s->env);
		s->env = json_deep_copy(json_object_get(req->args, "env"));
	}
	sim_reply_json_new(resp, 200, ps_stack_json(s));
}

/* PUT /stacks/{id}?endpointId=N: stackFileContent, env, prune, pullImage. */
static void
ps_stack_update(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	long id = ps_num(req->params, "id");
	struct ps_stack *s;
	char *file;

	if (ps_find_stack(svc, id, resp) == NULL ||
	    ps_endpoint_query(req, resp) < 1 || !ps_check_deploy(req, resp))
		return;
	if (!ps_compose_wait(svc)) {
		ps_errorf(resp, 503, "Shutting down", NULL);
		return;
	}
	/* The lock was released meanwhile: look again. */
	if ((s = ps_find_stack(svc, id, resp)) == NULL ||
	    ps_compose_fails(sim_arg(req, "stackFileContent"), resp))
		return;
	file = xstrdup(sim_arg(req, "stackFileContent"));
	free(s->file);
	s->file = file;
	if (json_object_get(req->args, "env") != NULL) {
		json_decref(s->env);
		s->env = json_deep_copy(json_object_get(req->args, "env"));
	}
	if (json_is_true(json_object_get(req->args, "pullImage")))
		sim_service_count(svc, "stack pull");
	if (json_is_true(json_object_get(req->args, "prune")))
		sim_service_count(svc, "stack prune");
	s->status = 1;
	s->updated = sim_now_ms(svc) / 1000;
	sim_reply_json_new(resp, 200, ps_stack_json(s));
}

/* POST /state {"service": "portainer", "deploy_ms": N}. */
static int
ps_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct ps *ps = sim_service_data(svc);
	const json_t *ms = json_object_get(j, "deploy_ms");

	if (!json_is_integer(ms) || json_integer_value(ms) < 0 ||
	    json_integer_value(ms) > 600000) {
		xasprintf(cause, "portainer state: deploy_ms must be 0..600000");
		return (-1);
	}
	ps->deploy_ms = (int)json_integer_value(ms);
	return (0);
}

/* The endpoints file entry. */
static void
ps_endpoint(struct sim_service *svc, json_t *o)
{
	json_object_set_new(o, "portainer", json_pack("{s:o, s:s}", "url",
	    json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "token", PS_TOKEN));
}

static const struct sim_route ps_routes[] = {
	{ "GET", "/status", ps_status, SIM_ROUTE_NOAUTH },
	{ "GET", "/system/status", ps_status, SIM_ROUTE_NOAUTH },
	{ "GET", "/endpoints", ps_endpoints, 0 },
	{ "GET", "/endpoints/{id}", ps_endpoint_get, 0 },
	{ "PUT", "/endpoints/{id}", ps_endpoint_put, 0 },
	{ "DELETE", "/endpoints/{id}", ps_endpoint_delete, 0 },
	{ "POST", "/endpoints/{id}/snapshot", ps_endpoint_snapshot, 0 },
	{ "GET", "/endpoints/{id}/docker/{*path}", ps_docker, 0 },
	{ "POST", "/endpoints/{id}/docker/{*path}", ps_docker, 0 },
	{ "DELETE", "/endpoints/{id}/docker/{*path}", ps_docker, 0 },
	{ "GET", "/tags", ps_tags, 0 },
	{ "POST", "/tags", ps_tag_create, 0 },
	{ "GET", "/stacks", ps_stacks, 0 },
	{ "POST", "/stacks/create/standalone/string", ps_stack_create, 0 },
	{ "GET", "/stacks/{id}", ps_stack_get, 0 },
	{ "PUT", "/stacks/{id}", ps_stack_update, 0 },
	{ "DELETE", "/stacks/{id}", ps_stack_delete, 0 },
	{ "GET", "/stacks/{id}/file", ps_stack_file, 0 },
	{ "POST", "/stacks/{id}/start", ps_stack_start, 0 },
	{ "POST", "/stacks/{id}/stop", ps_stack_stop, 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct sim_service_ops sim_portainer_ops = {
	.name = "portainer",
	.prefix = "/api",
	.routes = ps_routes,
	.create = ps_create,
	.destroy = ps_destroy,
	.authorize = ps_authorize,
	.unauthorized = ps_unauthorized,
	.error = ps_error,
	.not_found = ps_not_found,
	.state = ps_state,
	.endpoint = ps_endpoint,
};
