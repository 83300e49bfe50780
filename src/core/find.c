/*
 * The query of racktop_find and the matching helpers every backend's
 * find hook uses (find.h): addresses compared in canonical form, MACs in
 * lower-case colon form, names without case and by first DNS label.
 */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/find.h"
#include "core/xmalloc.h"

/* The canonical form of an address in one of its spellings. */
bool
find_ip_canon(const char *addr, char *buf, size_t len)
{
	unsigned char bin[16];
	char tmp[64], *p, *end;
	size_t n;

	if (addr == NULL || len < INET6_ADDRSTRLEN || (n = strlen(addr)) == 0 ||
	    n >= sizeof tmp)
		return (false);
	snprintf(tmp, sizeof tmp, "%s", addr);
	p = tmp;
	/* "[v6]:port" */
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			return (false);
		*end = '\0';
		p++;
	} else if ((end = strchr(p, '/')) != NULL)
		*end = '\0';
	else if ((end = strchr(p, ':')) != NULL && strchr(end + 1, ':') ==
	    NULL)
		*end = '\0';	/* "v4:port" */
	if (inet_pton(AF_INET, p, bin) == 1)
		return (inet_ntop(AF_INET, bin, buf, (socklen_t)len) != NULL);
	if (inet_pton(AF_INET6, p, bin) == 1)
		return (inet_ntop(AF_INET6, bin, buf, (socklen_t)len) != NULL);
	return (false);
}

/* A MAC in canonical form. */
bool
find_mac_canon(const char *mac, char *buf, size_t len)
{
	char hex[13];
	size_t n = 0;
	int groups = 1;
	const char *p;

	if (mac == NULL || len < 18)
		return (false);
	for (p = mac; *p != '\0'; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (n == 12)
				return (false);
			hex[n++] = (char)tolower((unsigned char)*p);
		} else if (*p == ':' || *p == '-' || *p == '.')
			groups++;
		else
			return (false);
	}
	/* aa:bb:.. (6 groups), aabb.ccdd.eeff (3) or aabbccddeeff (1). */
	if (n != 12 || (groups != 1 && groups != 3 && groups != 6))
		return (false);
	snprintf(buf, len, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", hex, hex + 2,
	    hex + 4, hex + 6, hex + 8, hex + 10);
	return (true);
}

/* Parses a query. */
int
find_query_parse(const char *in, struct find_query *q, char **cause)
{
	const char *s = in, *e;
	size_t n, i;

	memset(q, 0, sizeof *q);
	while (s != NULL && isspace((unsigned char)*s))
		s++;
	e = s != NULL ? s + strlen(s) : NULL;
	while (e != NULL && e > s && isspace((unsigned char)e[-1]))
		e--;
	n = s != NULL ? (size_t)(e - s) : 0;
	if (n == 0) {
		xasprintf(cause, "query: empty (give an IP, a MAC, a host name "
		    "or a name)");
		return (-1);
	}
	if (n >= sizeof q->text) {
		xasprintf(cause, "query: longer than %zu bytes",
		    sizeof q->text - 1);
		return (-1);
	}
	for (i = 0; i < n; i++)
		q->text[i] = (char)tolower((unsigned char)s[i]);
	q->text[n] = '\0';
	/* Twelve decimal digits are more likely a name than a MAC. */
	if (find_mac_canon(q->text, q->mac, sizeof q->mac) &&
	    strspn(q->text, "0123456789") != n) {
		q->kind = FIND_MAC;
		return (0);
	}
	q->mac[0] = '\0';
	if (find_ip_canon(q->text, q->ip, sizeof q->ip)) {
		q->kind = FIND_IP;
		return (0);
	}
	q->ip[0] = '\0';
	q->kind = FIND_NAME;
	return (0);
}

/* Whether an address is the query's. */
bool
find_match_ip(const struct find_query *q, const char *addr)
{
	char buf[INET6_ADDRSTRLEN];

	return (q->kind == FIND_IP && find_ip_canon(addr, buf, sizeof buf) &&
	    strcmp(buf, q->ip) == 0);
}

/* Whether a MAC is the query's. */
bool
find_match_mac(const struct find_query *q, const char *mac)
{
	char buf[18];

	return (q->kind == FIND_MAC && find_mac_canon(mac, buf, sizeof buf) &&
	    strcmp(buf, q->mac) == 0);
}

/* Whether a name is the query's (see find.h). */
bool
find_match_name(const struct find_query *q, const char *name)
{
	size_t nl, ql;

	if (q->kind != FIND_NAME || name == NULL || *name == '\0')
		return (false);
	if (strcasecmp(name, q->text) == 0)
		return (true);
	nl = strcspn(name, ".");
	ql = strcspn(q->text, ".");
	/* One side is a bare label, the other a host name starting with it. */
	if (name[nl] == '\0' && q->text[ql] == '.' && nl == ql)
		return (strncasecmp(name, q->text, nl) == 0);
	if (q->text[ql] == '\0' && name[nl] == '.' && nl == ql)
		return (strncasecmp(name, q->text, nl) == 0);
	return (false);
}

/* Whether one string or any string of an array passes match. */
static bool
find_any(const struct find_query *q, const json_t *v,
    bool (*match)(const struct find_query *, const char *))
{
	const json_t *e;
	size_t i;

	if (json_is_string(v))
		return (match(q, json_string_value(v)));
	json_array_foreach(v, i, e) {
		if (json_is_string(e) && match(q, json_string_value(e)))
			return (true);
	}
	return (false);
}

/* What of a row matches. */
const char *
find_match_json(const struct find_query *q, const json_t *ips,
    const json_t *macs, const json_t *names)
{
	switch (q->kind) {
	case FIND_IP:
		return (find_any(q, ips, find_match_ip) ? "ip" : NULL);
	case FIND_MAC:
		return (find_any(q, macs, find_match_mac) ? "mac" : NULL);
	case FIND_NAME:
		return (find_any(q, names, find_match_name) ? "name" : NULL);
	}
	return (NULL);
}

/* Deep copies of some members of a row. */
json_t *
find_copy(const json_t *row, const char *const *keys)
{
	json_t *o = json_object();
	const json_t *v;

	for (; *keys != NULL; keys++) {
		if ((v = json_object_get(row, *keys)) != NULL)
			json_object_set_new(o, *keys, json_deep_copy(v));
	}
	return (o);
}

/* Appends a hit. */
void
find_hit(json_t *out, const char *kind, const char *name, const char *match,
    json_t *detail)
{
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o}", "kind",
	    kind, "name", name != NULL ? name : "", "match", match, "detail",
	    detail != NULL ? detail : json_object()));
}

/* Appends an address seen or documented. */
void
find_address(json_t *out, const char *addr, const char *kind,
    const char *name, const char *mac, json_t *detail)
{
	char ip[INET6_ADDRSTRLEN], m[18];
	json_t *o;

	if (!find_ip_canon(addr, ip, sizeof ip)) {
		json_decref(detail);
		return;
	}
	o = json_pack("{s:s, s:s, s:s}", "ip", ip, "kind", kind, "name",
	    name != NULL ? name : "");
	if (find_mac_canon(mac, m, sizeof m))
		json_object_set_new(o, "mac", json_string(m));
	if (detail != NULL)
		json_object_set_new(o, "detail", detail);
	json_array_append_new(out, o);
}

/* Appends a documented network. */
void
find_network(json_t *out, const char *prefix)
{
	if (prefix != NULL)
		json_array_append_new(out, json_pack("{s:s}", "prefix",
		    prefix));
}

/* Adds "PREFIX:value" keys of one kind from a string or an array. */
static void
find_keys(json_t *keys, const json_t *v, char kind)
{
	const json_t *e;
	const char *str;
	char buf[300], canon[64];
	size_t i, n, label;

	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		e = json_is_array(v) ? json_array_get(v, i) : v;
		if ((str = json_string_value(e)) == NULL || *str == '\0')
			continue;
		if (kind == 'i' && find_ip_canon(str, canon, sizeof canon))
			snprintf(buf, sizeof buf, "i:%s", canon);
		else if (kind == 'm' && find_mac_canon(str, canon,
		    sizeof canon))
			snprintf(buf, sizeof buf, "m:%s", canon);
		else if (kind == 'n' && strlen(str) < 250) {
			snprintf(buf, sizeof buf, "n:%s", str);
			for (n = 2; buf[n] != '\0'; n++)
				buf[n] = (char)tolower((unsigned char)buf[n]);
			json_array_append_new(keys, json_string(buf));
			/* A host name answers to its first label too. */
			label = strcspn(buf + 2, ".");
			if (buf[2 + label] == '.')
				snprintf(buf, sizeof buf, "l:%.*s", (int)label,
				    json_string_value(json_array_get(keys,
				    json_array_size(keys) - 1)) + 2);
			else
				buf[0] = 'b';
		} else
			continue;
		json_array_append_new(keys, json_string(buf));
	}
}

/* Appends a lookup entry. */
void
find_entry(json_t *out, const char *kind, const char *name,
    const json_t *ips, const json_t *macs, const json_t *names,
    json_t *detail)
{
	json_t *keys = json_array();

	find_keys(keys, ips, 'i');
	find_keys(keys, macs, 'm');
	find_keys(keys, names, 'n');
	json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:o}", "kind",
	    kind, "name", name != NULL ? name : "", "detail", detail != NULL ?
	    detail : json_object(), "keys", keys));
}

/* The index of entries. */
json_t *
find_index_build(json_t *entries)
{
	json_t *by = json_object(), *e, *list;
	const json_t *k;
	const char *key;
	size_t i, j;

	json_array_foreach(entries, i, e) {
		json_array_foreach(json_object_get(e, "keys"), j, k) {
			key = json_string_value(k);
			if ((list = json_object_get(by, key)) == NULL) {
				list = json_array();
				json_object_set_new(by, key, list);
			}
			json_array_append_new(list, json_integer((json_int_t)i));
		}
		json_object_del(e, "keys");
	}
	return (json_pack("{s:o, s:o}", "entries", entries, "by", by));
}

/* Appends the entries one key finds, skipping those already taken. */
static void
find_take(const json_t *index, const char *key, const char *match,
    json_t *out, json_t *taken)
{
	const json_t *list, *n, *e;
	char id[32];
	size_t i;
	json_t *hit;

	list = json_object_get(json_object_get(index, "by"), key);
	json_array_foreach(list, i, n) {
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(n));
		if (json_object_get(taken, id) != NULL)
			continue;
		json_object_set_new(taken, id, json_true());
		e = json_array_get(json_object_get(index, "entries"),
		    (size_t)json_integer_value(n));
		hit = json_deep_copy(e);
		json_object_set_new(hit, "match", json_string(match));
		json_array_append_new(out, hit);
	}
}

/* Appends the entries the query finds. */
void
find_index_lookup(const json_t *index, const struct find_query *q,
    json_t *out)
{
	json_t *taken = json_object();
	char key[300];
	size_t label;

	switch (q->kind) {
	case FIND_IP:
		snprintf(key, sizeof key, "i:%s", q->ip);
		find_take(index, key, "ip", out, taken);
		break;
	case FIND_MAC:
		snprintf(key, sizeof key, "m:%s", q->mac);
		find_take(index, key, "mac", out, taken);
		break;
	case FIND_NAME:
		snprintf(key, sizeof key, "n:%s", q->text);
		find_take(index, key, "name", out, taken);
		label = strcspn(q->text, ".");
		if (q->text[label] == '\0')
			snprintf(key, sizeof key, "l:%s", q->text);
		else
			snprintf(key, sizeof key, "b:%.*s", (int)label, q->text);
		find_take(index, key, "name", out, taken);
		break;
	}
	json_decref(taken);
}
