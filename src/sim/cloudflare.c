/*
 * The simulated Cloudflare API v4 (/client/v4) and GraphQL analytics.
 *
 * Every answer uses the real envelope {"success", "errors", "messages",
 * "result"} with "result_info" {page, per_page, count, total_count,
 * total_pages} on lists; per_page is clamped to the endpoint's maximum and
 * to a cap the control endpoint can lower, so pagination is exercised.
 * Auth is an API token (Bearer) whose permissions can be taken away: a
 * request it lacks the permission for gets 403 code 10000 "Authentication
 * error", as Cloudflare answers. GraphQL answers errors with HTTP 200. A
 * 429 (the "status" fault) carries Retry-After.
 *
 * Control ops (POST /state): revoke {permission}, grant_all, page_cap
 * {per_page}, graphql_error {count}.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define CF_NZONES 5
#define CF_NPERMS 10

static const char *cf_zone_names[CF_NZONES] = {
	"example.com", "example.net", "example.org", "homelab.dev",
	"mylab.io",
};

static const char *cf_perm_names[CF_NPERMS] = {
	"Zone:Read", "DNS:Read", "DNS:Edit", "Cloudflare Tunnel:Read",
	"Cache Purge:Purge", "Analytics:Read", "Zone WAF:Read",
	"Zone WAF:Edit", "API Tokens:Read", "Account Settings:Read",
};

struct cf_zone {
	char id[33];
	json_t *records;	/* API record objects */
	json_t *ruleset;	/* entrypoint, or NULL */
	int purges;
};

struct cf_state {
	char token[48];
	char token_id[33];
	char account[33];
	uint64_t rng;
	bool perms[CF_NPERMS];
	int page_cap;
	int graphql_errors;
	struct cf_zone zones[CF_NZONES];
	json_t *tunnels;
};

/* 32 hex digits from the PRNG. */
static void
cf_hex(uint64_t *rng, char *buf)
{
	snprintf(buf, 33, "%016llx%016llx", (unsigned long long)
	    scenario_rand(rng), (unsigned long long)scenario_rand(rng));
}

/* An RFC 3339 time. */
static json_t *
cf_time(int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
	return (json_string(buf));
}

/* A DNS record object. */
static json_t *
cf_record(struct cf_state *st, struct cf_zone *z, const char *zname,
    const char *type, const char *name, const char *content, int ttl,
    bool proxied, int64_t now)
{
	char id[33];

	cf_hex(&st->rng, id);
	return (json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:s, s:s, "
	    "s:o, s:o, s:{s:b, s:s}, s:n, s:[]}", "id", id, "type", type,
	    "name", name, "content", content, "ttl", ttl, "proxied", proxied,
	    "proxiable", strcmp(type, "TXT") != 0, "zone_id", z->id,
	    "zone_name", zname, "created_on", cf_time(now), "modified_on",
	    cf_time(now), "meta", "auto_added", 0, "source", "primary",
	    "comment", "tags"));
}

/* Creates the API state. */
static void *
cf_create(struct sim_service *svc)
{
	struct cf_state *st = xcalloc(1, sizeof *st);
	int64_t now = sim_now_ms(svc);
	struct cf_zone *z;
	char host[64], id[33];
	int i, j;

	st->rng = sim_scenario(svc)->seed ^ 0xc10dfa7eULL;
	cf_hex(&st->rng, id);
	snprintf(st->token, sizeof st->token, "cfsim_%s", id);
	cf_hex(&st->rng, st->token_id);
	cf_hex(&st->rng, st->account);
	for (i = 0; i < CF_NPERMS; i++)
		st->perms[i] = true;
	st->page_cap = 1000;
	for (i = 0; i < CF_NZONES; i++) {
		z = &st->zones[i];
		cf_hex(&st->rng, z->id);
		z->records = json_array();
		json_array_append_new(z->records, cf_record(st, z,
		    cf_zone_names[i], "A", cf_zone_names[i], "203.0.113.10",
		    1, true, now));
		for (j = 0; j < (i == 0 ? 6 : 2); j++) {
			snprintf(host, sizeof host, "%s.%s", j == 0 ? "www" :
			    j == 1 ? "home" : j == 2 ? "vpn" : j == 3 ?
			    "git" : j == 4 ? "media" : "cloud",
			    cf_zone_names[i]);
			json_array_append_new(z->records, cf_record(st, z,
			    cf_zone_names[i], j == 0 ? "CNAME" : "A", host,
			    j == 0 ? cf_zone_names[i] : "203.0.113.10", 300,
			    j == 0, now));
		}
		json_array_append_new(z->records, cf_record(st, z,
		    cf_zone_names[i], "TXT", cf_zone_names[i],
		    "v=spf1 -all", 3600, false, now));
	}
	st->zones[0].ruleset = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:o, s:[{s:s, s:s, s:s, s:s, s:b, s:s, s:o}]}", "id", "00000000"
	    "000000000000000000000001", "name", "default", "description", "",
	    "kind", "zone", "phase", "http_request_firewall_custom", "version",
	    "1", "last_updated", cf_time(now), "rules", "id",
	    "0000000000000000000000000000a001", "version", "1", "action",
	    "block", "expression", "(ip.src.country eq \"XX\")", "enabled", 1,
	    "description", "Block XX", "last_updated", cf_time(now));
	st->tunnels = json_array();
	for (i = 0; i < 3; i++) {
		cf_hex(&st->rng, id);
		json_array_append_new(st->tunnels, json_pack("{s:s, s:s, s:s, "
		    "s:s, s:s, s:o, s:o, s:b, s:{}}",
		    "id", id, "account_tag", st->account, "name", i == 0 ?
		    "homelab" : i == 1 ? "nas" : "old-lab", "status", i == 0 ?
		    "healthy" : i == 1 ? "down" : "inactive", "tun_type",
		    "cfd_tunnel", "created_at", cf_time(now - 86400000LL * 90),
		    "deleted_at", i == 2 ? cf_time(now - 86400000LL) :
		    json_null(), "remote_config", 1, "metadata"));
	}
	json_object_set_new(json_array_get(st->tunnels, 0), "connections",
	    json_pack("[{s:s, s:s, s:s, s:s, s:b, s:s}, {s:s, s:s, s:s, s:s, "
	    "s:b, s:s}]", "id", "1bedc50d-42b3-473c-b108-ff3d10c0d925",
	    "client_id", "1bedc50d-42b3-473c-b108-ff3d10c0d925",
	    "client_version", "2024.8.2", "colo_name", "FRA",
	    "is_pending_reconnect", 0, "origin_ip", "192.0.2.10",
	    "id", "2cedc50d-42b3-473c-b108-ff3d10c0d926",
	    "client_id", "1bedc50d-42b3-473c-b108-ff3d10c0d925",
	    "client_version", "2024.8.2", "colo_name", "AMS",
	    "is_pending_reconnect", 0, "origin_ip", "192.0.2.10"));
	json_object_set_new(json_array_get(st->tunnels, 0), "conns_active_at",
	    cf_time(now - 3600000));
	json_object_set_new(json_array_get(st->tunnels, 1), "connections",
	    json_array());
	json_object_set_new(json_array_get(st->tunnels, 2), "connections",
	    json_array());
	return (st);
}

/* Frees the API state. */
static void
cf_destroy(void *data)
{
	struct cf_state *st = data;
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < CF_NZONES; i++) {
		json_decref(st->zones[i].records);
		json_decref(st->zones[i].ruleset);
	}
	json_decref(st->tunnels);
	free(st);
}

/* The failure envelope with one error. */
static void
cf_fail(struct sim_response *resp, int status, int code, const char *msg)
{
	sim_reply_json_new(resp, status, json_pack("{s:b, s:[{s:i, s:s}], "
	    "s:[], s:n}", "success", 0, "errors", "code", code, "message",
	    msg, "messages", "result"));
	if (status == 429)
		sim_reply_header(resp, "Retry-After", "1");
}

/* The success envelope, stealing result (and info, may be NULL). */
static void
cf_ok(struct sim_response *resp, json_t *result, json_t *info)
{
	json_t *o = json_pack("{s:b, s:[], s:[], s:o}", "success", 1,
	    "errors", "messages", "result", result);

	if (info != NULL)
		json_object_set_new(o, "result_info", info);
	sim_reply_json_new(resp, 200, o);
}

/* The error body for a status fault. */
static void
cf_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	if (status == 429)
		cf_fail(resp, 429, 971, msg != NULL ? msg : "Please wait and "
		    "consider throttling your request speed");
	else
		cf_fail(resp, status, status >= 500 ? 10002 : 1000,
		    msg != NULL ? msg : status >= 500 ? "Internal Server "
		    "Error" : "Bad request");
}

/* The real answer to a bad token. */
static void
cf_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	cf_fail(resp, 403, 9109, "Invalid access token");
}

/* Unknown path: Cloudflare's 400 "No route for that URI". */
static void
cf_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	cf_fail(resp, 400, 7000, "No route for that URI");
}

/* Checks the Bearer token. */
static int
cf_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	const char *auth = sim_header(req, "Authorization");

	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
	    strcmp(auth + 7, st->token) == 0)
		return (0);
	cf_unauthorized(svc, resp);
	return (-1);
}

/* Whether the token holds a permission; else answers 403. */
static bool
cf_can(struct sim_service *svc, struct sim_response *resp, const char *p)
{
	struct cf_state *st = sim_service_data(svc);
	int i;

	for (i = 0; i < CF_NPERMS; i++) {
		if (strcmp(cf_perm_names[i], p) == 0 && st->perms[i])
			return (true);
	}
	cf_fail(resp, 403, 10000, "Authentication error");
	return (false);
}

/* The zone of the {zone_id} parameter, or NULL after a 404-style error. */
static struct cf_zone *
cf_find_zone(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, int *index)
{
	struct cf_state *st = sim_service_data(svc);
	const char *id = json_string_value(json_object_get(req->params,
	    "zone_id"));
	int i;

	for (i = 0; id != NULL && i < CF_NZONES; i++) {
		if (strcmp(st->zones[i].id, id) == 0) {
			if (index != NULL)
				*index = i;
			return (&st->zones[i]);
		}
	}
	cf_fail(resp, 404, 1001, "Invalid zone identifier");
	return (NULL);
}

/* Pages items (stolen) by page/per_page with max; fills the reply. */
static void
cf_page(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, json_t *items, int def, int max)
{
	struct cf_state *st = sim_service_data(svc);
	const char *p = sim_arg(req, "page"), *pp = sim_arg(req, "per_page");
	int page = p != NULL ? atoi(p) : 1, per = pp != NULL ? atoi(pp) : def;
	int total = (int)json_array_size(items), pages, i;
	json_t *out = json_array();

	if (page < 1)
		page = 1;
	if (per < 1)
		per = def;
	if (per > max)
		per = max;
	if (per > st->page_cap)
		per = st->page_cap;
	pages = (total + per - 1) / per;
	for (i = (page - 1) * per; i < total && i < page * per; i++)
		json_array_append(out, json_array_get(items, (size_t)i));
	json_decref(items);
	cf_ok(resp, out, json_pack("{s:i, s:i, s:i, s:i, s:i}", "page", page,
	    "per_page", per, "count", (int)json_array_size(out),
	    "total_count", total, "total_pages", pages));
}

/* GET /user/tokens/verify and /accounts/{account_id}/tokens/verify. */
static void
cf_verify(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	const char *acct = json_string_value(json_object_get(req->params,
	    "account_id"));
	json_t *o;

	if (acct != NULL && strcmp(acct, st->account) != 0) {
		cf_fail(resp, 403, 9109, "Invalid access token");
		return;
	}
	o = json_pack("{s:b, s:[], s:[{s:i, s:s, s:n}], s:{s:s, s:s}}",
	    "success", 1, "errors", "messages", "code", 10000, "message",
	    "This API Token is valid and active", "type", "result", "id",
	    st->token_id, "status", "active");
	sim_reply_json_new(resp, 200, o);
}

/* A zone object. */
static json_t *
cf_zone_json(struct cf_state *st, int i, int64_t now)
{
	return (json_pack("{s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s}, s:{s:s, "
	    "s:s}, s:[s, s], s:o, s:o}", "id", st->zones[i].id, "name",
	    cf_zone_names[i], "status", i == 4 ? "pending" : "active",
	    "paused", 0, "type", "full", "account", "id", st->account, "name",
	    "Homelab", "plan", "id", "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
	    "name", "Free Website", "name_servers", "ada.ns.cloudflare.com",
	    "bob.ns.cloudflare.com", "created_on", cf_time(now -
	    86400000LL * 400), "modified_on", cf_time(now - 86400000LL)));
}

/* GET /zones. */
static void
cf_zones(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	const char *name = sim_arg(req, "name"), *status = sim_arg(req,
	    "status");
	json_t *all = json_array(), *z;
	int i;

	if (!cf_can(svc, resp, "Zone:Read")) {
		json_decref(all);
		return;
	}
	for (i = 0; i < CF_NZONES; i++) {
		z = cf_zone_json(st, i, sim_now_ms(svc));
		if ((name != NULL && strcmp(name, cf_zone_names[i]) != 0) ||
		    (status != NULL && strcmp(status, json_string_value(
		    json_object_get(z, "status"))) != 0))
			json_decref(z);
		else
			json_array_append_new(all, z);
	}
	cf_page(svc, req, resp, all, 20, 50);
}

/* GET /zones/{zone_id}. */
static void
cf_zone(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	int i;

	if (!cf_can(svc, resp, "Zone:Read") ||
	    cf_find_zone(svc, req, resp, &i) == NULL)
		return;
	cf_ok(resp, cf_zone_json(sim_service_data(svc), i, sim_now_ms(svc)),
	    NULL);
}

/* GET /zones/{zone_id}/dns_records. */
static void
cf_records(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_zone *z;
	const char *name = sim_arg(req, "name"), *type = sim_arg(req, "type");
	json_t *all, *r;
	size_t i;

	if (!cf_can(svc, resp, "DNS:Read") ||
	    (z = cf_find_zone(svc, req, resp, NULL)) == NULL)
		return;
	all = json_array();
	json_array_foreach(z->records, i, r) {
		if ((name == NULL || strcmp(name, json_string_value(
		    json_object_get(r, "name"))) == 0) && (type == NULL ||
		    strcmp(type, json_string_value(json_object_get(r,
		    "type"))) == 0))
			json_array_append(all, r);
	}
	cf_page(svc, req, resp, all, 100, 5000000);
}

/* POST /zones/{zone_id}/dns_records. */
static void
cf_record_create(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	struct cf_zone *z;
	const char *type = sim_arg(req, "type"), *name = sim_arg(req, "name");
	const char *content = sim_arg(req, "content");
	json_t *r, *ttl = json_object_get(req->args, "ttl");
	int zi;

	if (!cf_can(svc, resp, "DNS:Edit") ||
	    (z = cf_find_zone(svc, req, resp, &zi)) == NULL)
		return;
	if (type == NULL || name == NULL || content == NULL) {
		cf_fail(resp, 400, 9005, "DNS record type, name and content "
		    "are required");
		return;
	}
	r = cf_record(st, z, cf_zone_names[zi], type, name, content,
	    json_is_integer(ttl) ? (int)json_integer_value(ttl) : 1,
	    json_is_true(json_object_get(req->args, "proxied")),
	    sim_now_ms(svc));
	if (sim_arg(req, "comment") != NULL)
		json_object_set_new(r, "comment", json_string(sim_arg(req,
		    "comment")));
	json_array_append(z->records, r);
	cf_ok(resp, r, NULL);
}

/* The record of {id} in zone z, or NULL after an error. */
static json_t *
cf_find_record(struct cf_zone *z, struct sim_request *req,
    struct sim_response *resp, size_t *index)
{
	const char *id = json_string_value(json_object_get(req->params, "id"));
	json_t *r;
	size_t i;

	json_array_foreach(z->records, i, r) {
		if (id != NULL && strcmp(id, json_string_value(
		    json_object_get(r, "id"))) == 0) {
			*index = i;
			return (r);
		}
	}
	cf_fail(resp, 404, 81044, "Record does not exist.");
	return (NULL);
}

/* PATCH /zones/{zone_id}/dns_records/{id}. */
static void
cf_record_patch(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_zone *z;
	json_t *r, *v;
	const char *keys[] = { "content", "proxied", "ttl", "comment", "name" };
	size_t i, k;

	if (!cf_can(svc, resp, "DNS:Edit") ||
	    (z = cf_find_zone(svc, req, resp, NULL)) == NULL ||
	    (r = cf_find_record(z, req, resp, &i)) == NULL)
		return;
	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		if ((v = json_object_get(req->args, keys[k])) != NULL)
			json_object_set(r, keys[k], v);
	}
	json_object_set_new(r, "modified_on", cf_time(sim_now_ms(svc)));
	cf_ok(resp, json_incref(r), NULL);
}

/* DELETE /zones/{zone_id}/dns_records/{id}. */
static void
cf_record_delete(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_zone *z;
	json_t *r;
	size_t i;

	if (!cf_can(svc, resp, "DNS:Edit") ||
	    (z = cf_find_zone(svc, req, resp, NULL)) == NULL ||
	    (r = cf_find_record(z, req, resp, &i)) == NULL)
		return;
	cf_ok(resp, json_pack("{s:O}", "id", json_object_get(r, "id")), NULL);
	json_array_remove(z->records, i);
}

/* GET /accounts/{account_id}/cfd_tunnel. */
static void
cf_tunnels(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	const char *acct = json_string_value(json_object_get(req->params,
	    "account_id"));
	const char *del = sim_arg(req, "is_deleted");
	json_t *all, *t;
	size_t i;

	if (acct == NULL || strcmp(acct, st->account) != 0) {
		cf_fail(resp, 403, 10000, "Authentication error");
		return;
	}
	if (!cf_can(svc, resp, "Cloudflare Tunnel:Read"))
		return;
	all = json_array();
	json_array_foreach(st->tunnels, i, t) {
		if (del != NULL && strcmp(del, "false") == 0 &&
		    !json_is_null(json_object_get(t, "deleted_at")))
			continue;
		json_array_append(all, t);
	}
	cf_page(svc, req, resp, all, 20, 1000);
}

/* POST /zones/{zone_id}/purge_cache. */
static void
cf_purge(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_zone *z;
	const char *lists[] = { "files", "tags", "hosts", "prefixes" };
	size_t i, n = 0;

	if (!cf_can(svc, resp, "Cache Purge:Purge") ||
	    (z = cf_find_zone(svc, req, resp, NULL)) == NULL)
		return;
	for (i = 0; i < 4; i++) {
		if (json_array_size(json_object_get(req->args, lists[i])) >
		    100) {
			cf_fail(resp, 400, 1080, "Only 100 items may be purged "
			    "in one request");
			return;
		}
		n += json_array_size(json_object_get(req->args, lists[i]));
	}
	if (n == 0 && !json_is_true(json_object_get(req->args,
	    "purge_everything"))) {
		cf_fail(resp, 400, 1015, "Either purge_everything or a list "
		    "of files, tags, hosts or prefixes is required");
		return;
	}
	z->purges++;
	cf_ok(resp, json_pack("{s:s}", "id", z->id), NULL);
}

/* The entrypoint of a custom-rules phase, or NULL after an error. */
static struct cf_zone *
cf_phase_zone(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, const char *perm)
{
	const char *phase = json_string_value(json_object_get(req->params,
	    "phase"));

	if (!cf_can(svc, resp, perm))
		return (NULL);
	if (phase == NULL || strcmp(phase, "http_request_firewall_custom") !=
	    0) {
		cf_fail(resp, 400, 20021, "this phase is not simulated");
		return (NULL);
	}
	return (cf_find_zone(svc, req, resp, NULL));
}

/* GET /zones/{zone_id}/rulesets/phases/{phase}/entrypoint. */
static void
cf_entry_get(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_zone *z;

	if ((z = cf_phase_zone(svc, req, resp, "Zone WAF:Read")) == NULL)
		return;
	if (z->ruleset == NULL) {
		cf_fail(resp, 404, 10003, "could not find entrypoint ruleset "
		    "in the http_request_firewall_custom phase");
		return;
	}
	cf_ok(resp, json_incref(z->ruleset), NULL);
}

/* A new rule object from a request rule. */
static json_t *
cf_new_rule(struct cf_state *st, const json_t *in, int64_t now)
{
	json_t *r = json_deep_copy(in);
	char id[33];

	cf_hex(&st->rng, id);
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "version", json_string("1"));
	json_object_set_new(r, "last_updated", cf_time(now));
	if (json_object_get(r, "enabled") == NULL)
		json_object_set_new(r, "enabled", json_true());
	return (r);
}

/* Bumps a ruleset's version. */
static void
cf_bump(json_t *rs, int64_t now)
{
	const char *v = json_string_value(json_object_get(rs, "version"));

	json_object_set_new(rs, "version", json_sprintf("%d", v != NULL ?
	    atoi(v) + 1 : 1));
	json_object_set_new(rs, "last_updated", cf_time(now));
}

/* PUT /zones/{zone_id}/rulesets/phases/{phase}/entrypoint: replaces it. */
static void
cf_entry_put(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	struct cf_zone *z;
	const json_t *rules = json_object_get(req->args, "rules"), *r;
	int64_t now = sim_now_ms(svc);
	json_t *rs, *out = json_array();
	char id[33];
	size_t i;

	if ((z = cf_phase_zone(svc, req, resp, "Zone WAF:Edit")) == NULL) {
		json_decref(out);
		return;
	}
	json_array_foreach(rules, i, r) {
		if (json_string_value(json_object_get(r, "expression")) ==
		    NULL) {
			json_decref(out);
			cf_fail(resp, 400, 20200, "rule expression is "
			    "required");
			return;
		}
		json_array_append_new(out, cf_new_rule(st, r, now));
	}
	if (z->ruleset == NULL) {
		cf_hex(&st->rng, id);
		rs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id,
		    "name", "default", "description", "", "kind", "zone",
		    "phase", "http_request_firewall_custom", "version", "0");
		z->ruleset = rs;
	}
	json_object_set_new(z->ruleset, "rules", out);
	if (sim_arg(req, "description") != NULL)
		json_object_set_new(z->ruleset, "description", json_string(
		    sim_arg(req, "description")));
	cf_bump(z->ruleset, now);
	cf_ok(resp, json_incref(z->ruleset), NULL);
}

/* POST /zones/{zone_id}/rulesets/{ruleset_id}/rules: adds one rule. */
static void
cf_rule_add(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	struct cf_zone *z;
	const char *rid = json_string_value(json_object_get(req->params,
	    "ruleset_id"));

	if (!cf_can(svc, resp, "Zone WAF:Edit") ||
	    (z = cf_find_zone(svc, req, resp, NULL)) == NULL)
		return;
	if (z->ruleset == NULL || rid == NULL || strcmp(rid, json_string_value(
	    json_object_get(z->ruleset, "id"))) != 0) {
		cf_fail(resp, 404, 20012, "could not find ruleset");
		return;
	}
	if (sim_arg(req, "expression") == NULL) {
		cf_fail(resp, 400, 20200, "rule expression is required");
		return;
	}
	json_array_append_new(json_object_get(z->ruleset, "rules"),
	    cf_new_rule(st, req->args, sim_now_ms(svc)));
	cf_bump(z->ruleset, sim_now_ms(svc));
	cf_ok(resp, json_incref(z->ruleset), NULL);
}

/* POST /graphql: httpRequests1dGroups for a zoneTag; errors with 200. */
static void
cf_graphql(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct cf_state *st = sim_service_data(svc);
	const json_t *vars = json_object_get(req->args, "variables");
	const char *query = sim_arg(req, "query");
	const char *tag = json_string_value(json_object_get(vars, "zoneTag"));
	json_t *groups, *zones;
	int64_t now = sim_now_ms(svc);
	int i, zi = -1, days, d;
	uint64_t s;
	char date[16];
	time_t t;
	struct tm tm;

	if (!cf_can(svc, resp, "Analytics:Read"))
		return;
	if (st->graphql_errors > 0 || query == NULL ||
	    strstr(query, "httpRequests1dGroups") == NULL) {
		if (st->graphql_errors > 0)
			st->graphql_errors--;
		sim_reply_json_new(resp, 200, json_pack("{s:n, s:[{s:s, s:[s, "
		    "s, s, s], s:{s:s}}]}", "data", "errors", "message",
		    query == NULL ? "empty query" : "cannot request data older "
		    "than 2678400s", "path", "viewer", "zones", "0",
		    "httpRequests1dGroups", "extensions", "code",
		    "bad_request"));
		return;
	}
	for (i = 0; tag != NULL && i < CF_NZONES; i++) {
		if (strcmp(st->zones[i].id, tag) == 0)
			zi = i;
	}
	zones = json_array();
	if (zi >= 0) {
		days = (int)json_integer_value(json_object_get(vars, "limit"));
		if (days < 1 || days > 366)
			days = 8;
		groups = json_array();
		for (d = days - 1; d >= 0; d--) {
			s = st->rng ^ ((uint64_t)zi << 32) ^ (uint64_t)d;
			t = (time_t)(now / 1000) - (time_t)d * 86400;
			gmtime_r(&t, &tm);
			strftime(date, sizeof date, "%Y-%m-%d", &tm);
			json_array_append_new(groups, json_pack("{s:{s:s}, "
			    "s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I}}",
			    "dimensions", "date", date, "sum", "requests",
			    (json_int_t)(20000 + scenario_rand(&s) % 5000) /
			    (zi + 1), "cachedRequests", (json_int_t)(8000 +
			    scenario_rand(&s) % 4000) / (zi + 1), "bytes",
			    (json_int_t)(900000000 + scenario_rand(&s) %
			    300000000) / (zi + 1), "cachedBytes",
			    (json_int_t)400000000 / (zi + 1), "threats",
			    (json_int_t)(scenario_rand(&s) % 40), "pageViews",
			    (json_int_t)5000, "uniq", "uniques",
			    (json_int_t)300));
		}
		json_array_append_new(zones, json_pack("{s:o}",
		    "httpRequests1dGroups", groups));
	}
	sim_reply_json_new(resp, 200, json_pack("{s:{s:{s:o}}, s:n}", "data",
	    "viewer", "zones", zones, "errors"));
}

/* POST /state ops. */
static int
cf_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct cf_state *st = sim_service_data(svc);
	const char *op = json_string_value(json_object_get(j, "op"));
	const char *perm = json_string_value(json_object_get(j,
	    "permission"));
	int i;

	if (op == NULL) {
		*cause = xstrdup("missing op");
		return (-1);
	}
	if (strcmp(op, "revoke") == 0 && perm != NULL) {
		for (i = 0; i < CF_NPERMS; i++) {
			if (strcmp(cf_perm_names[i], perm) == 0) {
				st->perms[i] = false;
				return (0);
			}
		}
		*cause = xstrdup("unknown permission");
		return (-1);
	}
	if (strcmp(op, "grant_all") == 0) {
		for (i = 0; i < CF_NPERMS; i++)
			st->perms[i] = true;
		return (0);
	}
	if (strcmp(op, "page_cap") == 0) {
		i = (int)json_integer_value(json_object_get(j, "per_page"));
		if (i < 1) {
			*cause = xstrdup("per_page must be positive");
			return (-1);
		}
		st->page_cap = i;
		return (0);
	}
	if (strcmp(op, "graphql_error") == 0) {
		st->graphql_errors = (int)json_integer_value(json_object_get(j,
		    "count"));
		return (0);
	}
	xasprintf(cause, "unknown op \"%s\"", op);
	return (-1);
}

/* Adds "cloudflare" to the endpoints file. */
static void
cf_endpoint(struct sim_service *svc, json_t *o)
{
	struct cf_state *st = sim_service_data(svc);

	json_object_set_new(o, "cloudflare", json_pack("{s:o, s:s, s:s}",
	    "url", json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "token", st->token, "account_id", st->account));
}

static const struct sim_route cloudflare_routes[] = {
	{ "GET", "/user/tokens/verify", cf_verify, 0 },
	{ "GET", "/accounts/{account_id}/tokens/verify", cf_verify, 0 },
	{ "GET", "/zones", cf_zones, 0 },
	{ "GET", "/zones/{zone_id}", cf_zone, 0 },
	{ "GET", "/zones/{zone_id}/dns_records", cf_records, 0 },
	{ "POST", "/zones/{zone_id}/dns_records", cf_record_create, 0 },
	{ "PATCH", "/zones/{zone_id}/dns_records/{id}", cf_record_patch, 0 },
	{ "DELETE", "/zones/{zone_id}/dns_records/{id}", cf_record_delete, 0 },
	{ "GET", "/accounts/{account_id}/cfd_tunnel", cf_tunnels, 0 },
	{ "POST", "/zones/{zone_id}/purge_cache", cf_purge, 0 },
	{ "GET", "/zones/{zone_id}/rulesets/phases/{phase}/entrypoint",
	    cf_entry_get, 0 },
	{ "PUT", "/zones/{zone_id}/rulesets/phases/{phase}/entrypoint",
	    cf_entry_put, 0 },
	{ "POST", "/zones/{zone_id}/rulesets/{ruleset_id}/rules", cf_rule_add,
	    0 },
	{ "POST", "/graphql", cf_graphql, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_cloudflare_ops = {
	.name = "cloudflare",
	.prefix = "/client/v4",
	.routes = cloudflare_routes,
	.create = cf_create,
	.destroy = cf_destroy,
	.authorize = cf_authorize,
	.unauthorized = cf_unauthorized,
	.error = cf_error,
	.not_found = cf_not_found,
	.state = cf_state,
	.endpoint = cf_endpoint,
};
