/*
 * One lookup across every service (racktop_find) and the addresses each
 * service has seen (racktop_drift): the query and the helpers backends'
 * find, addresses and documented hooks (service.h) use, so every backend
 * matches an IP, a MAC or a name the same way.
 *
 * Everything here is pure and thread-safe; hooks run on any worker,
 * reading an immutable snapshot.
 */
#ifndef RT_FIND_H
#define RT_FIND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What is being looked for. */
enum find_kind {
	FIND_IP = 1,
	FIND_MAC,
	FIND_NAME,
};

struct find_query {
	enum find_kind kind;
	char text[256];		/* the query, trimmed and lower case */
	char ip[46];		/* FIND_IP: canonical (inet_ntop) form */
	char mac[18];		/* FIND_MAC: "aa:bb:cc:dd:ee:ff" */
};

/*
 * Parses a query: an IPv4 or IPv6 address (a "/len" or ":port" suffix is
 * dropped), a MAC in any common spelling ("AA-BB-...", "aabb.ccdd.eeff",
 * "aabbccddeeff"), else a name. 0, or -1 with *cause (caller frees) when
 * it is empty or longer than 255 bytes.
 */
int find_query_parse(const char *in, struct find_query *q, char **cause);

/*
 * The canonical form of an address written as "10.0.0.5", "10.0.0.5/24",
 * "10.0.0.5:41641", "[fd7a::1]:41641" or "fd7a::1/64", into buf (46
 * bytes or more). false when it is not an address.
 */
bool find_ip_canon(const char *addr, char *buf, size_t len);
/* A MAC in canonical form into buf (18 bytes or more), or false. */
bool find_mac_canon(const char *mac, char *buf, size_t len);

/* Whether an address string (any form above) is the query's address. */
bool find_match_ip(const struct find_query *, const char *addr);
/* Whether a MAC string (any spelling) is the query's MAC. */
bool find_match_mac(const struct find_query *, const char *mac);
/*
 * Whether a name is the query's: equal ignoring case, or equal to its
 * first DNS label ("homeassistant" finds "homeassistant.lan" and
 * "homeassistant.tail0000.ts.net", and "homeassistant.lan" finds
 * "homeassistant").
 */
bool find_match_name(const struct find_query *, const char *name);

/*
 * What of a row matches: each argument is a JSON string, an array of
 * strings, or NULL. Returns "ip", "mac" or "name" (static), or NULL.
 */
const char *find_match_json(const struct find_query *, const json_t *ips,
    const json_t *macs, const json_t *names);

/*
 * A new object with deep copies of the members of row named in keys
 * (NULL-terminated; missing ones left out): a hit's detail, taken from a
 * snapshot row without touching its reference counts.
 */
json_t *find_copy(const json_t *row, const char *const *keys);

/*
 * Appends a hit to out: {kind, name, match, detail} where match says
 * what matched ("ip", "mac", "name"); detail is stolen (NULL: {}).
 */
void find_hit(json_t *out, const char *kind, const char *name,
    const char *match, json_t *detail);

/*
 * The lookup index of one snapshot. A backend's find hook appends one
 * entry per thing a lookup can find (a guest, a client...): what it is
 * (kind, name, detail, stolen) and the keys it answers to (ips, macs,
 * names: each a JSON string, an array of strings, or NULL; borrowed and
 * canonicalised here). racktop_find builds the index once per snapshot
 * and answers every lookup from it with a few hash lookups, so a lookup
 * costs the same with 20 guests or 5,000 clients.
 */
void find_entry(json_t *out, const char *kind, const char *name,
    const json_t *ips, const json_t *macs, const json_t *names,
    json_t *detail);
/* The index of entries (stolen): a new object for find_index_lookup. */
json_t *find_index_build(json_t *entries);
/*
 * Appends to out a copy of every entry of index the query finds, as a
 * hit with "match" set; never touches index's reference counts.
 */
void find_index_lookup(const json_t *index, const struct find_query *q,
    json_t *out);

/*
 * Appends an address to out (addresses and documented hooks): {ip (in
 * canonical form), kind, name, mac (optional), detail (stolen, NULL:
 * none)}. Does nothing when addr is not an address.
 */
void find_address(json_t *out, const char *addr, const char *kind,
    const char *name, const char *mac, json_t *detail);
/* Appends a documented network to out (documented hooks): {prefix}. */
void find_network(json_t *out, const char *prefix);

#endif
