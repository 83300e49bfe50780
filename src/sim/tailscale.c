/*
 * The simulated Tailscale API v2 (/api/v2) over a small tailnet.
 *
 * Follows the official OpenAPI document and the publicapi reference:
 * devices with their routes and authorization, the policy file as HuJSON
 * with a quoted ETag (If-Match compared exactly; a mismatch is 412),
 * /acl/validate answering 200 with a "message" for an invalid policy,
 * DNS nameservers, search paths and preferences, and OAuth client
 * credentials exchanged at /oauth/token for short-lived access tokens.
 * Auth: "Authorization: Bearer" with the API access token or an access
 * token. Errors: {"message": "..."}; 429 carries Retry-After.
 *
 * Control ops (POST /state): set_online {device, online}, touch_acl
 * (someone else edits the policy: a new ETag), revoke_oauth_tokens
 * (access tokens stop working, as when they expire).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define TS_TAILNET "example.com"
#define TS_MAX_TOKENS 64

struct ts_dev {
	const char *host;
	const char *os;
	const char *user;
	const char *tags;	/* comma-separated, or "" */
	const char *advertised;	/* comma-separated, or "" */
	const char *enabled;
	bool online;
	bool update;
	bool authorized;
	bool key_expiry_disabled;
	int seen_ago_s;		/* when offline */
};

static const struct ts_dev ts_lab[] = {
	{ "pve1", "linux", "admin@example.com", "tag:server",
	    "10.0.0.0/24,192.168.1.0/24", "10.0.0.0/24", true, false, true,
	    true, 0 },
	{ "nas", "linux", "admin@example.com", "tag:server", "", "", true,
	    true, true, true, 0 },
	{ "laptop", "macOS", "amelie@example.com", "", "", "", true, true,
	    true, false, 0 },
	{ "phone", "iOS", "amelie@example.com", "", "", "", false, false,
	    true, false, 7200 },
	{ "exit", "linux", "admin@example.com", "tag:exit",
	    "0.0.0.0/0,::/0", "", true, false, true, true, 0 },
	{ "newbox", "linux", "admin@example.com", "", "", "", true, false,
	    false, false, 0 },
	/* A host the whole lab shares (scenario.h). */
	{ "homeassistant", "linux", "admin@example.com", "tag:server", "", "",
	    true, false, true, true, 0 },
};
#define TS_NDEV (sizeof ts_lab / sizeof ts_lab[0])
/* The last digit of each device's addresses and id. */
static const char *const ts_digits[] = { "1", "2", "3", "4", "5", "6", "7" };

struct ts_state {
	char token[64];
	char client_id[32];
	char client_secret[80];
	char access[TS_MAX_TOKENS][48];
	size_t naccess;
	uint64_t rng;
	json_t *devices;	/* API Device objects */
	char *acl;		/* HuJSON text */
	char etag[40];		/* with its quotes */
	unsigned acl_version;
	json_t *dns;
	json_t *search;
	bool magic;
};

static const char ts_default_acl[] =
    "// Example/default ACLs for unrestricted connections.\n"
    "{\n"
    "  // Declare static groups of users beyond those in the identity "
    "service.\n"
    "  \"groups\": {\n"
    "    \"group:admins\": [\"admin@example.com\"],\n"
    "  },\n"
    "  // Access control lists.\n"
    "  \"acls\": [\n"
    "    // Match absolutely everything.\n"
    "    {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]},\n"
    "  ],\n"
    "}\n";

/* Splits "a,b" into a JSON array of strings. */
static json_t *
ts_list(const char *csv)
{
	json_t *a = json_array();
	char *copy = xstrdup(csv), *p = copy, *s;

	while ((s = strsep(&p, ",")) != NULL) {
		if (*s != '\0')
			json_array_append_new(a, json_string(s));
	}
	free(copy);
	return (a);
}

/* An RFC 3339 UTC time for ms since the epoch. */
static json_t *
ts_time(int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (json_string(buf));
}

/* A quoted ETag for the policy text. */
static void
ts_set_etag(struct ts_state *st)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)st->acl; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= st->acl_version;
	snprintf(st->etag, sizeof st->etag, "\"%016llx\"",
	    (unsigned long long)h);
}

/*
 * clientConnectivity: a public endpoint and one on the LAN (a shared
 * host's address, else 192.168.1.(100 + i)), as magicsock "IP:port".
 */
static void
ts_connectivity(json_t *o, const struct ts_dev *d, size_t i)
{
	const struct scenario_host *h = scenario_host_find(d->host);
	char pub[32], lan[32];

	snprintf(pub, sizeof pub, "203.0.113.%zu:41641", 10 + i);
	if (h != NULL)
		snprintf(lan, sizeof lan, "%s:41641", h->ip);
	else
		snprintf(lan, sizeof lan, "192.168.1.%zu:41641", 100 + i);
	json_object_set_new(o, "clientConnectivity", json_pack("{s:[s, s], "
	    "s:b, s:s}", "endpoints", pub, lan, "mappingVariesByDestIP", 0,
	    "derp", ""));
}

/* Builds the devices from the lab table. */
static void
ts_build(struct sim_service *svc, struct ts_state *st)
{
	const struct ts_dev *d;
	int64_t now = sim_now_ms(svc);
	json_t *o;
	size_t i;

	st->devices = json_array();
	for (i = 0; i < TS_NDEV; i++) {
		d = &ts_lab[i];
		o = json_pack("{s:[s+, s+], s:s+, s:s+, s:s, s:s+, s:s, s:s, "
		    "s:b, s:s, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:s+}",
		    "addresses", "100.64.0.", ts_digits[i],
		    "fd7a:115c:a1e0::", ts_digits[i],
		    "id", "1000", ts_digits[i],
		    "nodeId", "n", d->host, "user", d->user, "name", d->host,
		    ".tail0000.ts.net", "hostname", d->host, "os", d->os,
		    "connectedToControl", d->online, "clientVersion", "1.76.1",
		    "updateAvailable", d->update, "authorized", d->authorized,
		    "keyExpiryDisabled", d->key_expiry_disabled, "isExternal", 0,
		    "tags", ts_list(d->tags), "advertisedRoutes",
		    ts_list(d->advertised), "enabledRoutes", ts_list(d->enabled),
		    "nodeKey", "nodekey:", d->host);
		json_object_set_new(o, "created", ts_time(now - 86400000LL *
		    (int64_t)(30 + i)));
		ts_connectivity(o, d, i);
		json_object_set_new(o, "expires", ts_time(now + 86400000LL *
		    (int64_t)(1000 + i * 10)));
		if (!d->online)
			json_object_set_new(o, "lastSeen", ts_time(now -
			    (int64_t)d->seen_ago_s * 1000));
		json_array_append_new(st->devices, o);
	}
}

/* Creates the API state. */
static void *
ts_create(struct sim_service *svc)
{
	struct ts_state *st = xcalloc(1, sizeof *st);

	st->rng = sim_scenario(svc)->seed ^ 0x7a11500dULL;
	snprintf(st->token, sizeof st->token, "tskey-api-k%08xCNTRL-%016llx",
	    (unsigned int)scenario_rand(&st->rng),
	    (unsigned long long)scenario_rand(&st->rng));
	snprintf(st->client_id, sizeof st->client_id, "k%08xCNTRL",
	    (unsigned int)scenario_rand(&st->rng));
	snprintf(st->client_secret, sizeof st->client_secret,
	    "tskey-client-%s-%016llx", st->client_id,
	    (unsigned long long)scenario_rand(&st->rng));
	ts_build(svc, st);
	st->acl = xstrdup(ts_default_acl);
	ts_set_etag(st);
	st->dns = json_pack("[s]", "8.8.8.8");
	st->search = json_pack("[s]", "lab.example.com");
	st->magic = true;
	return (st);
}

/* Frees the API state. */
static void
ts_destroy(void *data)
{
	struct ts_state *st = data;

	if (st == NULL)
		return;
	json_decref(st->devices);
	json_decref(st->dns);
	json_decref(st->search);
	free(st->acl);
	free(st);
}

/* Tailscale's error body. */
static void
ts_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	if (msg == NULL)
		msg = status == 429 ? "rate limit exceeded" : status >= 500 ?
		    "internal server error" : status == 404 ? "not found" :
		    "bad request";
	sim_reply_json_new(resp, status, json_pack("{s:s}", "message", msg));
	if (status == 429)
		sim_reply_header(resp, "Retry-After", "1");
}

/* The real 401. */
static void
ts_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	ts_error(svc, resp, 401, "API token invalid");
}

/* Unknown path. */
static void
ts_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	ts_error(svc, resp, 404, "not found");
}

/* Checks the Bearer token: the API token or a live access token. */
static int
ts_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	const char *auth = sim_header(req, "Authorization");
	size_t i;

	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0) {
		auth += 7;
		if (strcmp(auth, st->token) == 0)
			return (0);
		for (i = 0; i < st->naccess; i++) {
			if (strcmp(auth, st->access[i]) == 0)
				return (0);
		}
	}
	ts_unauthorized(svc, resp);
	return (-1);
}

/* POST /oauth/token: client credentials for an access token. */
static void
ts_oauth(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	const char *id = sim_arg(req, "client_id");
	const char *secret = sim_arg(req, "client_secret");
	const char *grant = sim_arg(req, "grant_type");
	char *tok;

	if (grant == NULL || strcmp(grant, "client_credentials") != 0) {
		sim_reply_json_new(resp, 400, json_pack("{s:s}", "error",
		    "unsupported_grant_type"));
		return;
	}
	if (id == NULL || secret == NULL || strcmp(id, st->client_id) != 0 ||
	    strcmp(secret, st->client_secret) != 0) {
		sim_reply_json_new(resp, 401, json_pack("{s:s}", "error",
		    "invalid_client"));
		return;
	}
	if (st->naccess == TS_MAX_TOKENS) {
		memmove(st->access[0], st->access[1], sizeof st->access[0] *
		    (TS_MAX_TOKENS - 1));
		st->naccess--;
	}
	xasprintf(&tok, "tskey-api-oauth%08x-%08x", (unsigned int)
	    scenario_rand(&st->rng), (unsigned int)scenario_rand(&st->rng));
	snprintf(st->access[st->naccess++], sizeof st->access[0], "%s", tok);
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:i, s:s}",
	    "access_token", tok, "token_type", "Bearer", "expires_in", 3600,
	    "scope", "all"));
	free(tok);
}

/* Whether the tailnet parameter names ours; else answers 404. */
static bool
ts_tailnet(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *t = json_string_value(json_object_get(req->params,
	    "tailnet"));

	if (t != NULL && (strcmp(t, "-") == 0 || strcmp(t, TS_TAILNET) == 0))
		return (true);
	ts_error(svc, resp, 404, "tailnet not found");
	return (false);
}

/* The device named by the {id} parameter (nodeId or id), or NULL + 404. */
static json_t *
ts_device(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, size_t *index)
{
	struct ts_state *st = sim_service_data(svc);
	const char *id = json_string_value(json_object_get(req->params, "id"));
	json_t *d;
	size_t i;

	json_array_foreach(st->devices, i, d) {
		if (id != NULL && (strcmp(id, json_string_value(
		    json_object_get(d, "nodeId"))) == 0 || strcmp(id,
		    json_string_value(json_object_get(d, "id"))) == 0)) {
			if (index != NULL)
				*index = i;
			return (d);
		}
	}
	ts_error(svc, resp, 404, "device not found");
	return (NULL);
}

/* A device as answered: the default fields unless fields=all. */
static json_t *
ts_device_json(struct sim_request *req, json_t *d)
{
	const char *fields = sim_arg(req, "fields");
	json_t *o = json_deep_copy(d);

	if (fields == NULL || strcmp(fields, "all") != 0) {
		json_object_del(o, "enabledRoutes");
		json_object_del(o, "advertisedRoutes");
	}
	return (o);
}

/* GET /tailnet/{tailnet}/devices. */
static void
ts_devices(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	json_t *a, *d;
	size_t i;

	if (!ts_tailnet(svc, req, resp))
		return;
	a = json_array();
	json_array_foreach(st->devices, i, d)
		json_array_append_new(a, ts_device_json(req, d));
	sim_reply_json_new(resp, 200, json_pack("{s:o}", "devices", a));
}

/* GET /device/{id}. */
static void
ts_get_device(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *d;

	if ((d = ts_device(svc, req, resp, NULL)) != NULL)
		sim_reply_json_new(resp, 200, ts_device_json(req, d));
}

/* DELETE /device/{id}. */
static void
ts_delete_device(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	size_t i;

	if (ts_device(svc, req, resp, &i) == NULL)
		return;
	json_array_remove(st->devices, i);
	sim_reply_text(resp, 200, "");
	resp->content_type = "application/json";
}

/* POST /device/{id}/authorized. */
static void
ts_authorized(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *d, *a = json_object_get(req->args, "authorized");

	if ((d = ts_device(svc, req, resp, NULL)) == NULL)
		return;
	if (!json_is_boolean(a)) {
		ts_error(svc, resp, 400, "authorized must be a boolean");
		return;
	}
	json_object_set(d, "authorized", a);
	sim_reply_text(resp, 200, "");
	resp->content_type = "application/json";
}

/* The routes object of a device. */
static json_t *
ts_routes_json(json_t *d)
{
	return (json_pack("{s:O, s:O}", "advertisedRoutes", json_object_get(d,
	    "advertisedRoutes"), "enabledRoutes", json_object_get(d,
	    "enabledRoutes")));
}

/* GET /device/{id}/routes. */
static void
ts_get_routes(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *d;

	if ((d = ts_device(svc, req, resp, NULL)) != NULL)
		sim_reply_json_new(resp, 200, ts_routes_json(d));
}

/* POST /device/{id}/routes: replaces the enabled list. */
static void
ts_set_routes(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *d, *r = json_object_get(req->args, "routes"), *v;
	size_t i;

	if ((d = ts_device(svc, req, resp, NULL)) == NULL)
		return;
	if (!json_is_array(r)) {
		ts_error(svc, resp, 400, "routes must be an array");
		return;
	}
	json_array_foreach(r, i, v) {
		if (!json_is_string(v) || strchr(json_string_value(v), '/') ==
		    NULL) {
			ts_error(svc, resp, 400, "invalid route");
			return;
		}
	}
	json_object_set_new(d, "enabledRoutes", json_deep_copy(r));
	sim_reply_json_new(resp, 200, ts_routes_json(d));
}

/* HuJSON to JSON: comments and trailing commas removed (caller frees). */
static char *
ts_hujson(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out, *back;
	const char *end = s + len;
	bool str = false;

	while (s < end) {
		if (str) {
			if (*s == '\\' && s + 1 < end) {
				*o++ = *s++;
			} else if (*s == '"')
				str = false;
			*o++ = *s++;
		} else if (*s == '"') {
			str = true;
			*o++ = *s++;
		} else if (*s == '/' && s + 1 < end && s[1] == '/') {
			while (s < end && *s != '\n')
				s++;
		} else if (*s == '/' && s + 1 < end && s[1] == '*') {
			s += 2;
			while (s + 1 < end && !(s[0] == '*' && s[1] == '/'))
				s++;
			s += 2;
		} else if (*s == '}' || *s == ']') {
			back = o;
			while (back > out && (back[-1] == ' ' || back[-1] ==
			    '\n' || back[-1] == '\t' || back[-1] == '\r'))
				back--;
			if (back > out && back[-1] == ',')
				back[-1] = ' ';
			*o++ = *s++;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return (out);
}

/* What is wrong with a policy text, or NULL (caller frees). */
static char *
ts_policy_problem(const char *text, size_t len)
{
	json_error_t err;
	json_t *j, *acls, *a;
	const char *action;
	char *plain, *msg = NULL;
	size_t i;

	plain = ts_hujson(text, len);
	j = json_loads(plain, 0, &err);
	free(plain);
	if (j == NULL) {
		xasprintf(&msg, "line %d, column %d: %s", err.line, err.column,
		    err.text);
		return (msg);
	}
	if (!json_is_object(j))
		msg = xstrdup("policy file must be a JSON object");
	acls = json_object_get(j, "acls");
	json_array_foreach(acls, i, a) {
		action = json_string_value(json_object_get(a, "action"));
		if (msg == NULL && (action == NULL || strcmp(action,
		    "accept") != 0))
			xasprintf(&msg, "acls[%zu]: action=\"%s\" is not "
			    "supported; only \"accept\"", i, action != NULL ?
			    action : "");
	}
	json_decref(j);
	return (msg);
}

/* GET /tailnet/{tailnet}/acl. */
static void
ts_get_acl(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	const char *accept = sim_header(req, "Accept");
	char *plain;

	if (!ts_tailnet(svc, req, resp))
		return;
	if (accept != NULL && strstr(accept, "application/json") != NULL) {
		plain = ts_hujson(st->acl, strlen(st->acl));
		sim_reply_json_new(resp, 200, json_loads(plain, 0, NULL));
		free(plain);
	} else {
		sim_reply_text(resp, 200, st->acl);
		resp->content_type = "application/hujson";
	}
	sim_reply_header(resp, "ETag", st->etag);
}

/* POST /tailnet/{tailnet}/acl: If-Match compared exactly. */
static void
ts_set_acl(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	const char *m = sim_header(req, "If-Match");
	char *problem;

	if (!ts_tailnet(svc, req, resp))
		return;
	if (m != NULL && strcmp(m, st->etag) != 0) {
		ts_error(svc, resp, 412, "precondition failed, invalid old "
		    "hash");
		return;
	}
	if ((problem = ts_policy_problem(req->body, req->bodylen)) != NULL) {
		ts_error(svc, resp, 400, problem);
		free(problem);
		return;
	}
	free(st->acl);
	st->acl = xstrndup(req->body, req->bodylen);
	st->acl_version++;
	ts_set_etag(st);
	sim_reply_text(resp, 200, st->acl);
	resp->content_type = "application/hujson";
	sim_reply_header(resp, "ETag", st->etag);
}

/* POST /tailnet/{tailnet}/acl/validate: 200 even when it is invalid. */
static void
ts_validate_acl(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	char *problem;

	if (!ts_tailnet(svc, req, resp))
		return;
	if ((problem = ts_policy_problem(req->body, req->bodylen)) != NULL) {
		sim_reply_json_new(resp, 200, json_pack("{s:s, s:[{s:s, "
		    "s:[s]}]}", "message", "invalid policy file", "data",
		    "user", "", "errors", problem));
		free(problem);
		return;
	}
	sim_reply_json_new(resp, 200, json_object());
}

/* GET /tailnet/{tailnet}/dns/nameservers. */
static void
ts_get_ns(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);

	if (ts_tailnet(svc, req, resp))
		sim_reply_json_new(resp, 200, json_pack("{s:O}", "dns",
		    st->dns));
}

/* POST /tailnet/{tailnet}/dns/nameservers. */
static void
ts_set_ns(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);
	json_t *dns = json_object_get(req->args, "dns");

	if (!ts_tailnet(svc, req, resp))
		return;
	if (!json_is_array(dns)) {
		ts_error(svc, resp, 400, "dns must be an array");
		return;
	}
	json_decref(st->dns);
	st->dns = json_deep_copy(dns);
	if (json_array_size(dns) == 0)
		st->magic = false;
	sim_reply_json_new(resp, 200, json_pack("{s:O, s:b}", "dns", st->dns,
	    "magicDNS", st->magic));
}

/* GET /tailnet/{tailnet}/dns/searchpaths. */
static void
ts_get_search(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);

	if (ts_tailnet(svc, req, resp))
		sim_reply_json_new(resp, 200, json_pack("{s:O}", "searchPaths",
		    st->search));
}

/* GET /tailnet/{tailnet}/dns/preferences. */
static void
ts_get_prefs(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct ts_state *st = sim_service_data(svc);

	if (ts_tailnet(svc, req, resp))
		sim_reply_json_new(resp, 200, json_pack("{s:b}", "magicDNS",
		    st->magic));
}

/* POST /state ops. */
static int
ts_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct ts_state *st = sim_service_data(svc);
	const char *op = json_string_value(json_object_get(j, "op"));
	const char *dev = json_string_value(json_object_get(j, "device"));
	json_t *d;
	size_t i;

	if (op == NULL) {
		*cause = xstrdup("missing op");
		return (-1);
	}
	if (strcmp(op, "touch_acl") == 0) {
		st->acl_version++;
		ts_set_etag(st);
		return (0);
	}
	if (strcmp(op, "revoke_oauth_tokens") == 0) {
		st->naccess = 0;
		return (0);
	}
	if (strcmp(op, "set_online") == 0 && dev != NULL) {
		json_array_foreach(st->devices, i, d) {
			if (strcmp(json_string_value(json_object_get(d,
			    "hostname")), dev) != 0)
				continue;
			json_object_set_new(d, "connectedToControl",
			    json_boolean(json_is_true(json_object_get(j,
			    "online"))));
			if (json_is_true(json_object_get(j, "online")))
				json_object_del(d, "lastSeen");
			else
				json_object_set_new(d, "lastSeen",
				    ts_time(sim_now_ms(svc)));
			return (0);
		}
		*cause = xstrdup("no such device");
		return (-1);
	}
	xasprintf(cause, "unknown op \"%s\"", op);
	return (-1);
}

/* Adds "tailscale" to the endpoints file. */
static void
ts_endpoint(struct sim_service *svc, json_t *o)
{
	struct ts_state *st = sim_service_data(svc);

	json_object_set_new(o, "tailscale", json_pack("{s:o, s:s, s:s, s:s, "
	    "s:s}", "url", json_sprintf("http://127.0.0.1:%u",
	    sim_service_port(svc)), "token", st->token, "client_id",
	    st->client_id, "client_secret", st->client_secret, "tailnet",
	    "-"));
}

static const struct sim_route tailscale_routes[] = {
	{ "POST", "/oauth/token", ts_oauth, SIM_ROUTE_NOAUTH },
	{ "GET", "/tailnet/{tailnet}/devices", ts_devices, 0 },
	{ "GET", "/device/{id}", ts_get_device, 0 },
	{ "DELETE", "/device/{id}", ts_delete_device, 0 },
	{ "POST", "/device/{id}/authorized", ts_authorized, 0 },
	{ "GET", "/device/{id}/routes", ts_get_routes, 0 },
	{ "POST", "/device/{id}/routes", ts_set_routes, 0 },
	{ "GET", "/tailnet/{tailnet}/acl", ts_get_acl, 0 },
	{ "POST", "/tailnet/{tailnet}/acl", ts_set_acl, 0 },
	{ "POST", "/tailnet/{tailnet}/acl/validate", ts_validate_acl, 0 },
	{ "GET", "/tailnet/{tailnet}/dns/nameservers", ts_get_ns, 0 },
	{ "POST", "/tailnet/{tailnet}/dns/nameservers", ts_set_ns, 0 },
	{ "GET", "/tailnet/{tailnet}/dns/searchpaths", ts_get_search, 0 },
	{ "GET", "/tailnet/{tailnet}/dns/preferences", ts_get_prefs, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_tailscale_ops = {
	.name = "tailscale",
	.prefix = "/api/v2",
	.routes = tailscale_routes,
	.create = ts_create,
	.destroy = ts_destroy,
	.authorize = ts_authorize,
	.unauthorized = ts_unauthorized,
	.error = ts_error,
	.not_found = ts_not_found,
	.state = ts_state,
	.endpoint = ts_endpoint,
};
