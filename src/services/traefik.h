/*
 * Traefik backend: the pure halves shared by the transport and tools in
 * traefik.c, the TLS probe in traefik-tls.c and the unit tests.
 *
 * traefik-parse.c holds pure functions of their arguments (no I/O, no
 * global state, safe on any thread): API objects to rows, rule hosts,
 * X-Next-Page, and the dynamic configuration racktop writes, built from
 * structured arguments with jansson so no argument is pasted into text.
 *
 * Snapshot layout (traefik.c):
 *   { "overview": {http, tcp, udp: {routers, services, middlewares:
 *                  {total, warnings, errors}}, providers},
 *     "entrypoints": [ {name, address, port} ],
 *     "routers": [ router rows ], "services": [ service rows ],
 *     "middlewares": [ middleware rows ] }
 * Router rows: {instance, name ("x@file"), router ("x"), provider,
 *   protocol (http|tcp|udp), status, rule, hosts, service, entry_points,
 *   using, middlewares, tls, cert_resolver, priority, errors, error, owned}.
 * Service rows: {instance, name, service, provider, protocol, type, status,
 *   servers [{url, status}], servers_up, servers_down, servers_total,
 *   health (up|degraded|down|unknown), used_by, errors, error}.
 * Middleware rows: {instance, name, middleware, provider, protocol, type,
 *   status, used_by, errors, error, config}; basic and digest auth users
 *   are reduced to their names, never their hashes.
 */
#ifndef RT_TRAEFIK_H
#define RT_TRAEFIK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Days before expiry at which a certificate is flagged. */
#define TK_CERT_WARN_DAYS 14

/* One router row from an API router object (new reference). */
json_t *tk_parse_router(const json_t *o, const char *protocol,
    const char *instance);
/* One service row from an API service object (new reference). */
json_t *tk_parse_service(const json_t *o, const char *protocol,
    const char *instance);
/* One middleware row from an API middleware object (new reference). */
json_t *tk_parse_middleware(const json_t *o, const char *protocol,
    const char *instance);

/*
 * Appends the rows of one list page (a JSON array of objects) of kind
 * "routers", "services" or "middlewares" to rows. 0, or -1 with *cause
 * (caller frees) when the body is not such an array.
 */
int tk_parse_page(const json_t *body, const char *kind, const char *protocol,
    const char *instance, json_t *rows, char **cause);

/*
 * The counts of GET /api/overview: {http, tcp, udp: {routers, services,
 * middlewares: {total, warnings, errors}}, providers}; missing members
 * count 0. NULL with *cause when the body is not an object.
 */
json_t *tk_parse_overview(const json_t *body, char **cause);

/* The rows of GET /api/entrypoints: [{name, address, port (or -1)}]. */
json_t *tk_parse_entrypoints(const json_t *body, char **cause);

/* The port of an entry point address (":443", "0.0.0.0:443/tcp"), or -1. */
int tk_address_port(const char *address);

/*
 * The host names a rule matches literally: the arguments of Host(...) and
 * HostSNI(...) ("*" skipped), in order, each once. New array.
 */
json_t *tk_rule_hosts(const char *rule);

/*
 * The page to fetch after page, from the X-Next-Page header: 0 when there
 * is none (header missing, "1", unparsable, or not after page).
 */
int tk_next_page(const char *header, int page);

/*
 * Whether every member of want is in got with an equal value, objects
 * compared recursively (Traefik adds defaults to what it loaded; arrays
 * and scalars must be equal, integers and reals compare by value).
 */
bool tk_subset(const json_t *want, const json_t *got);

/*
 * The dynamic configuration of traefik_create_router's arguments (name,
 * rule, service or backend_url, entrypoints, tls, cert_resolver,
 * middlewares, priority): {"http": {"routers": {name: ...}, "services":
 * {name: ...} when backend_url}}. NULL with *cause on a bad combination.
 */
json_t *tk_router_config(const json_t *args, char **cause);

/*
 * The dynamic configuration of one middleware from traefik_manage_
 * middleware's type and settings: {"http": {"middlewares": {name: {...}}}}.
 * *api_type receives the type Traefik reports ("basicauth", ...). NULL with
 * *cause (caller frees) on missing or contradictory settings.
 */
json_t *tk_middleware_config(const char *name, const char *type,
    const json_t *settings, const char **api_type, char **cause);

/*
 * racktop's file for an object: "racktop-router-NAME.yaml" or
 * "racktop-middleware-NAME.yaml" (caller frees).
 */
char *tk_file_name(const char *kind, const char *name);
/* Whether a file name is one racktop writes (racktop-*.yaml). */
bool tk_owned_name(const char *file);
/* Whether Traefik's file provider reads this name (.yml, .yaml, .toml). */
bool tk_provider_reads(const char *file);

/*
 * The verdict on a certificate: "expired", "expiring" (within warn_days),
 * "untrusted" (chain or host name not verified) or "ok".
 */
const char *tk_cert_flag(int64_t days_left, bool verified, int warn_days);

/*
 * A TLS handshake with host:port sending sni, within timeout_ms: the
 * certificate's {subject, issuer, not_after, days_left, verified,
 * verify_error, host_match, fingerprint_sha256}, or NULL with *cause.
 * ca_file NULL uses the system roots (traefik-tls.c).
 */
json_t *tk_tls_probe(const char *host, int port, const char *sni,
    const char *ca_file, long timeout_ms, int64_t now_ms, char **cause);

#endif
