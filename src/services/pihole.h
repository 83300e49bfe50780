/*
 * Pi-hole v6 backend: the pure parse half (pihole-parse.c), shared by the
 * transport and tools in pihole.c and by the unit tests, and the TOTP
 * code a login with 2FA sends.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use, never the upstream tree.
 *
 * Snapshot layout (built by pihole.c from these parts):
 *   { "summary":       {instance, blocking, timer, queries_total, ...},
 *     "summary_rows":  [ the same summary ]   (one row, for the view),
 *     "top_permitted": [ {instance, domain, count, blocked: false} ],
 *     "top_blocked":   [ {instance, domain, count, blocked: true} ],
 *     "top_clients":   [ {instance, ip, name, count} ],
 *     "history":       [ {timestamp, total, blocked, cached, forwarded} ],
 *     "sparkline":     [ total per history slot ],
 *     "tops_fetched_ms": wall time of the top lists and history }
 */
#ifndef RT_PIHOLE_H
#define RT_PIHOLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a POST /api/auth answer says. */
struct pihole_session {
	bool valid;		/* the password was accepted */
	bool totp;		/* two-factor authentication is on */
	char *sid;		/* owned; NULL when no login is needed */
	char *message;		/* owned, may be NULL */
	long validity;		/* seconds, -1 when unknown */
};

/*
 * Parses an auth answer (GET or POST /api/auth) into *s (zeroed first;
 * free with pihole_session_free). 0, or -1 when it has no session object.
 */
int pihole_parse_session(const json_t *j, struct pihole_session *s);
void pihole_session_free(struct pihole_session *s);

/*
 * The text of an error answer, {"error":{"key","message","hint"}}: "key:
 * message (hint)" with the parts present (caller frees), or NULL when j is
 * not one. *key (if not NULL) receives the borrowed key or NULL.
 */
char *pihole_error_text(const json_t *j, const char **key);

/*
 * The summary row from GET /api/stats/summary and GET /api/dns/blocking
 * (blocking may be NULL): a new object carrying instance.
 */
json_t *pihole_parse_summary(const json_t *summary, const json_t *blocking,
    const char *instance);

/* {instance, blocking, timer} from GET /api/dns/blocking (new). */
json_t *pihole_parse_blocking(const json_t *j, const char *instance);

/* Rows of GET /api/stats/top_domains (new array). */
json_t *pihole_parse_top_domains(const json_t *j, const char *instance,
    bool blocked);

/* Rows of GET /api/stats/top_clients (new array). */
json_t *pihole_parse_top_clients(const json_t *j, const char *instance);
/*
 * Sets "blocked" on every top client row: its count in the answer of
 * GET /stats/top_clients?blocked=true (0 when it is not listed there).
 */
void pihole_merge_blocked_clients(json_t *rows, const json_t *j);

/* Slots of GET /api/history (new array), oldest first. */
json_t *pihole_parse_history(const json_t *j);

/* Rows of GET /api/domains[/type[/kind]] (new array). */
json_t *pihole_parse_domains(const json_t *j, const char *instance);

/* Rows of GET /api/queries (new array), newest first as sent. */
json_t *pihole_parse_queries(const json_t *j, const char *instance);

/*
 * One instance's upstreams from GET /api/stats/upstreams and GET
 * /api/config/dns/upstreams (config may be NULL): a new object
 * {instance, configured, servers, forwarded_queries, total_queries}.
 */
json_t *pihole_parse_upstreams(const json_t *stats, const json_t *config,
    const char *instance);

/*
 * The lines of gravity output (new array of strings): carriage-return
 * overwrites resolved, ANSI escapes removed, empty lines dropped.
 */
json_t *pihole_gravity_lines(const char *text, size_t len);

/*
 * The gravity domain count from output lines ("Number of gravity domains:
 * N ..."), or -1.
 */
long long pihole_gravity_domains(const json_t *lines);

/*
 * Decodes a base32 secret (RFC 4648: the TOTP secret Pi-hole shows when
 * 2FA is set up; case, spaces and '=' padding are ignored) into out.
 * Its length in bytes, or 0 when s is not base32, is empty or decodes to
 * more than max bytes.
 */
size_t pihole_base32(const char *s, unsigned char *out, size_t max);

/*
 * The 6-digit TOTP code of RFC 6238 (HMAC-SHA1 of the 30-second step
 * count, as Pi-hole uses) for key at step (Unix seconds / 30).
 */
unsigned pihole_totp(const unsigned char *key, size_t len, long long step);

#endif
