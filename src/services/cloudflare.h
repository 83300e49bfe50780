/*
 * Cloudflare backend: the pure parse half (cloudflare-parse.c), shared by
 * the transport and tools in cloudflare.c and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread.
 *
 * Snapshot layout:
 *   { "zones":   [ {instance, id, name, status, paused, plan, requests,
 *                   cached_requests, cached_pct, bytes, threats,
 *                   analytics_error} ],
 *     "tunnels": [ {instance, id, name, status, connections, colos,
 *                   client_version, created_at, conns_active_at} ] }
 */
#ifndef RT_CLOUDFLARE_H
#define RT_CLOUDFLARE_H

#include <jansson.h>
#include <stdbool.h>

/*
 * Opens a v4 envelope {"success", "errors", "messages", "result",
 * "result_info"}. On success returns 0 with *result and *info borrowed
 * from body (either may be NULL). Otherwise -1 with *cause (caller frees)
 * listing the errors ("code 10000: Authentication error; ...") and
 * *code the first error code (0 when none).
 */
int cf_envelope(const json_t *body, const json_t **result,
    const json_t **info, int *code, char **cause);

/* Whether result_info says there is a page after this one. */
bool cf_more_pages(const json_t *info, size_t got);

/* One zone row (new reference). */
json_t *cf_parse_zone(const json_t *z, const char *instance);
/* One DNS record row (new reference). */
json_t *cf_parse_dns_record(const json_t *r, const char *instance,
    const char *zone);
/* One tunnel row (new reference). */
json_t *cf_parse_tunnel(const json_t *t, const char *instance);
/* One custom firewall rule row (new reference). */
json_t *cf_parse_rule(const json_t *r, const char *instance,
    const char *zone);

/*
 * The totals of a GraphQL httpRequests1dGroups answer: {requests,
 * cached_requests, cached_pct, bytes, cached_bytes, threats, page_views,
 * days: [...]}. GraphQL reports errors with HTTP 200: a non-empty
 * "errors" gives NULL and *cause ("GraphQL: message; ...").
 */
json_t *cf_parse_analytics(const json_t *body, char **cause);

/* The API token permission a tool needs ("Zone:Read"...), or NULL. */
const char *cf_permission(const char *tool);

/* Splits an array into arrays of at most max items (new reference). */
json_t *cf_batches(const json_t *items, size_t max);

#endif
