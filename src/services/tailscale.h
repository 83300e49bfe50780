/*
 * Tailscale backend: the pure parse half (tailscale-parse.c), shared by the
 * transport and tools in tailscale.c and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread.
 *
 * Snapshot layout (ts_parse_devices):
 *   { "devices": [ {instance, id, legacy_id, name, fqdn, user, os,
 *                   addresses, ipv4, online, state, last_seen, seen_s,
 *                   tags, update_available, key_expiry,
 *                   key_expiry_disabled, authorized, client_version,
 *                   enabled_routes, advertised_routes, exit_node} ] }
 */
#ifndef RT_TAILSCALE_H
#define RT_TAILSCALE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* An RFC 3339 time ("2022-12-01T05:23:30Z") in ms since the epoch, or -1. */
int64_t ts_time_ms(const char *s);

/* One device row from an API Device object (new reference). */
json_t *ts_parse_device(const json_t *dev, const char *instance,
    int64_t now_ms);

/*
 * The rows of GET /tailnet/{tailnet}/devices ({"devices": [...]}) as a new
 * array, or NULL with *cause (caller frees) when it is not that shape.
 */
json_t *ts_parse_devices(const json_t *body, const char *instance,
    int64_t now_ms, char **cause);

/*
 * The enabled routes to send to POST /device/{id}/routes, which replaces
 * the whole list: enabled, then every route of add not yet in it, then
 * 0.0.0.0/0 and ::/0 when exit_node. New array.
 */
json_t *ts_routes_union(const json_t *enabled, const json_t *add,
    bool exit_node);

/*
 * What POST /acl/validate found wrong (it answers 200 even then): NULL for
 * an empty body or one without a message, else "message: detail; ..."
 * (caller frees).
 */
char *ts_validate_problem(const json_t *body);

/*
 * The access token and its lifetime from POST /oauth/token: 0, or -1 when
 * absent. *token is the caller's to free.
 */
int ts_parse_oauth(const json_t *body, char **token, long *expires_in);

/*
 * The DNS settings from the nameservers, searchpaths and preferences
 * answers (any may be NULL): {nameservers, search_paths, magic_dns}.
 */
json_t *ts_parse_dns(const json_t *ns, const json_t *sp, const json_t *prefs);

/* Finds a device row by nodeId, legacy id or host name: borrowed or NULL. */
const json_t *ts_find_device(const json_t *devices, const char *key);

#endif
