/*
 * Pi-hole v6 backend, parse half: pure functions from the API's JSON (and
 * gravity's text output) to the rows racktop keeps, and the TOTP codes of
 * 2FA logins (HMAC-SHA1 from libcrypto). See pihole.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/xmalloc.h"
#include "services/pihole.h"

/* A member as a JSON integer (0 when missing or not a number). */
static json_int_t
ph_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_real(v))
		return ((json_int_t)json_real_value(v));
	return (0);
}

/* A member as a number (0 when missing or not a number). */
static double
ph_num(const json_t *o, const char *key)
{
	return (json_number_value(json_object_get(o, key)));
}

/* Copies a string member into row, or null when absent or not a string. */
static void
ph_copy_str(json_t *row, const char *to, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	json_object_set_new(row, to, json_is_string(v) ?
	    json_string(json_string_value(v)) : json_null());
}

/* Fills a session from an auth answer. */
int
pihole_parse_session(const json_t *j, struct pihole_session *s)
{
	const json_t *o = json_object_get(j, "session"), *v;

	memset(s, 0, sizeof *s);
	s->validity = -1;
	if (!json_is_object(o))
		return (-1);
	s->valid = json_is_true(json_object_get(o, "valid"));
	s->totp = json_is_true(json_object_get(o, "totp"));
	v = json_object_get(o, "sid");
	if (json_is_string(v) && *json_string_value(v) != '\0')
		s->sid = xstrdup(json_string_value(v));
	v = json_object_get(o, "message");
	if (json_is_string(v))
		s->message = xstrdup(json_string_value(v));
	v = json_object_get(o, "validity");
	if (json_is_integer(v))
		s->validity = (long)json_integer_value(v);
	return (0);
}

/* Frees what a session owns. */
void
pihole_session_free(struct pihole_session *s)
{
	free(s->sid);
	free(s->message);
	memset(s, 0, sizeof *s);
}

/* The text of an error answer. */
char *
pihole_error_text(const json_t *j, const char **key)
{
	const json_t *e = json_object_get(j, "error");
	const char *k, *m, *h;
	char *s;

	if (key != NULL)
		*key = NULL;
	if (!json_is_object(e))
		return (NULL);
	k = json_string_value(json_object_get(e, "key"));
	m = json_string_value(json_object_get(e, "message"));
	h = json_string_value(json_object_get(e, "hint"));
	if (key != NULL)
		*key = k;
	xasprintf(&s, "%s%s%s%s%s%s", k != NULL ? k : "",
	    k != NULL && m != NULL ? ": " : "", m != NULL ? m : "",
	    h != NULL ? " (" : "", h != NULL ? h : "", h != NULL ? ")" : "");
	return (s);
}

/* The blocking row. */
json_t *
pihole_parse_blocking(const json_t *j, const char *instance)
{
	const char *b = json_string_value(json_object_get(j, "blocking"));
	const json_t *t = json_object_get(j, "timer");

	return (json_pack("{s:s, s:s, s:o}", "instance", instance,
	    "blocking", b != NULL ? b : "unknown", "timer",
	    json_is_number(t) ? json_real(json_number_value(t)) :
	    json_null()));
}

/* The summary row. */
json_t *
pihole_parse_summary(const json_t *summary, const json_t *blocking,
    const char *instance)
{
	const json_t *q = json_object_get(summary, "queries");
	const json_t *cl = json_object_get(summary, "clients");
	const json_t *g = json_object_get(summary, "gravity");
	json_t *row, *b;

	row = json_pack("{s:s, s:I, s:I, s:f, s:I, s:I, s:I, s:f, s:I, s:I, "
	    "s:I, s:I}", "instance", instance,
	    "queries_total", ph_int(q, "total"),
	    "queries_blocked", ph_int(q, "blocked"),
	    "percent_blocked", ph_num(q, "percent_blocked"),
	    "unique_domains", ph_int(q, "unique_domains"),
	    "forwarded", ph_int(q, "forwarded"),
	    "cached", ph_int(q, "cached"),
	    "frequency", ph_num(q, "frequency"),
	    "clients_active", ph_int(cl, "active"),
	    "clients_total", ph_int(cl, "total"),
	    "gravity_domains", ph_int(g, "domains_being_blocked"),
	    "gravity_last_update", ph_int(g, "last_update"));
	if (blocking != NULL) {
		b = pihole_parse_blocking(blocking, instance);
		json_object_set(row, "blocking", json_object_get(b,
		    "blocking"));
		json_object_set(row, "timer", json_object_get(b, "timer"));
		json_decref(b);
	} else {
		json_object_set_new(row, "blocking", json_string("unknown"));
		json_object_set_new(row, "timer", json_null());
	}
	return (row);
}

/* Rows of top domains. */
json_t *
pihole_parse_top_domains(const json_t *j, const char *instance,
    bool blocked)
{
	const json_t *d;
	json_t *rows = json_array();
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(j, "domains"), i, d) {
		name = json_string_value(json_object_get(d, "domain"));
		if (name == NULL)
			continue;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:I, s:b}",
		    "instance", instance, "domain", name, "count",
		    ph_int(d, "count"), "blocked", blocked));
	}
	return (rows);
}

/* Rows of top clients. */
json_t *
pihole_parse_top_clients(const json_t *j, const char *instance)
{
	const json_t *d;
	json_t *rows = json_array(), *row;
	const char *ip;
	size_t i;

	json_array_foreach(json_object_get(j, "clients"), i, d) {
		ip = json_string_value(json_object_get(d, "ip"));
		if (ip == NULL)
			continue;
		row = json_pack("{s:s, s:s, s:I}", "instance", instance, "ip",
		    ip, "count", ph_int(d, "count"));
		ph_copy_str(row, "name", d, "name");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Adds each client's blocked count from a blocked=true top list. */
void
pihole_merge_blocked_clients(json_t *rows, const json_t *j)
{
	const json_t *d;
	json_t *row;
	const char *ip;
	size_t i, k;

	json_array_foreach(rows, k, row)
		json_object_set_new(row, "blocked", json_integer(0));
	json_array_foreach(json_object_get(j, "clients"), i, d) {
		ip = json_string_value(json_object_get(d, "ip"));
		if (ip == NULL)
			continue;
		json_array_foreach(rows, k, row) {
			if (strcmp(json_string_value(json_object_get(row,
			    "ip")), ip) == 0)
				json_object_set_new(row, "blocked",
				    json_integer(ph_int(d, "count")));
		}
	}
}

/* Slots of the query history. */
json_t *
pihole_parse_history(const json_t *j)
{
	const json_t *h;
	json_t *rows = json_array();
	size_t i;

	json_array_foreach(json_object_get(j, "history"), i, h) {
		if (!json_is_number(json_object_get(h, "timestamp")))
			continue;
		json_array_append_new(rows, json_pack("{s:I, s:I, s:I, s:I, "
		    "s:I}", "timestamp", ph_int(h, "timestamp"), "total",
		    ph_int(h, "total"), "blocked", ph_int(h, "blocked"),
		    "cached", ph_int(h, "cached"), "forwarded",
		    ph_int(h, "forwarded")));
	}
	return (rows);
}

/* Rows of the domain lists. */
json_t *
pihole_parse_domains(const json_t *j, const char *instance)
{
	const json_t *d, *groups;
	json_t *rows = json_array(), *row;
	const char *name, *type, *kind;
	size_t i;

	json_array_foreach(json_object_get(j, "domains"), i, d) {
		name = json_string_value(json_object_get(d, "domain"));
		type = json_string_value(json_object_get(d, "type"));
		kind = json_string_value(json_object_get(d, "kind"));
		if (name == NULL || type == NULL || kind == NULL)
			continue;
		row = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I}",
		    "instance", instance, "domain", name, "type", type,
		    "kind", kind, "enabled", !json_is_false(json_object_get(d,
		    "enabled")), "id", ph_int(d, "id"), "date_added",
		    ph_int(d, "date_added"), "date_modified",
		    ph_int(d, "date_modified"));
		ph_copy_str(row, "unicode", d, "unicode");
		ph_copy_str(row, "comment", d, "comment");
		groups = json_object_get(d, "groups");
		json_object_set_new(row, "groups", json_is_array(groups) ?
		    json_deep_copy(groups) : json_array());
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Rows of the query log. */
json_t *
pihole_parse_queries(const json_t *j, const char *instance)
{
	const json_t *q, *client, *reply;
	json_t *rows = json_array(), *row;
	const char *domain;
	size_t i;

	json_array_foreach(json_object_get(j, "queries"), i, q) {
		domain = json_string_value(json_object_get(q, "domain"));
		if (domain == NULL)
			continue;
		client = json_object_get(q, "client");
		reply = json_object_get(q, "reply");
		row = json_pack("{s:s, s:I, s:f, s:s}", "instance", instance,
		    "id", ph_int(q, "id"), "time", ph_num(q, "time"),
		    "domain", domain);
		ph_copy_str(row, "type", q, "type");
		ph_copy_str(row, "status", q, "status");
		ph_copy_str(row, "client", client, "ip");
		ph_copy_str(row, "client_name", client, "name");
		ph_copy_str(row, "upstream", q, "upstream");
		ph_copy_str(row, "dnssec", q, "dnssec");
		ph_copy_str(row, "reply", reply, "type");
		json_object_set_new(row, "reply_ms", json_is_number(
		    json_object_get(reply, "time")) ? json_real(ph_num(reply,
		    "time")) : json_null());
		ph_copy_str(row, "cname", q, "cname");
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* One instance's upstreams. */
json_t *
pihole_parse_upstreams(const json_t *stats, const json_t *config,
    const char *instance)
{
	const json_t *u, *st, *list, *v;
	json_t *servers = json_array(), *conf = json_array(), *row;
	size_t i;

	json_array_foreach(json_object_get(stats, "upstreams"), i, u) {
		st = json_object_get(u, "statistics");
		row = json_pack("{s:I, s:I, s:f, s:f}", "port",
		    ph_int(u, "port"), "count", ph_int(u, "count"),
		    "response_ms", ph_num(st, "response") * 1000.0,
		    "variance", ph_num(st, "variance"));
		ph_copy_str(row, "ip", u, "ip");
		ph_copy_str(row, "name", u, "name");
		json_array_append_new(servers, row);
	}
	list = json_object_get(json_object_get(json_object_get(config,
	    "config"), "dns"), "upstreams");
	json_array_foreach(list, i, v) {
		if (json_is_string(v))
			json_array_append_new(conf,
			    json_string(json_string_value(v)));
	}
	return (json_pack("{s:s, s:o, s:o, s:I, s:I}", "instance", instance,
	    "configured", conf, "servers", servers, "forwarded_queries",
	    ph_int(stats, "forwarded_queries"), "total_queries",
	    ph_int(stats, "total_queries")));
}

/* Appends one output line, cleaned, unless it is empty. */
static void
ph_add_line(json_t *lines, const char *s, size_t n)
{
	char *buf = xmalloc(n + 1);
	json_t *j;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\033') {
			/* CSI: ESC [ params final-byte. */
			if (i + 1 < n && s[i + 1] == '[') {
				for (i += 2; i < n && (s[i] < 0x40 ||
				    s[i] > 0x7e); i++)
					;
			}
			continue;
		}
		if (s[i] == '\r') {
			/* What follows overwrites the line so far. */
			if (i + 1 < n)
				o = 0;
			continue;
		}
		buf[o++] = s[i];
	}
	buf[o] = '\0';
	while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
		buf[--o] = '\0';
	/* Invalid UTF-8 (json_string refuses it) is dropped. */
	if (*buf != '\0' && (j = json_string(buf)) != NULL)
		json_array_append_new(lines, j);
	free(buf);
}

/* The lines of gravity output. */
json_t *
pihole_gravity_lines(const char *text, size_t len)
{
	json_t *lines = json_array();
	size_t start = 0, i;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			ph_add_line(lines, text + start, i - start);
			start = i + 1;
		}
	}
	if (start < len)
		ph_add_line(lines, text + start, len - start);
	return (lines);
}

/* The gravity domain count from output lines, or -1. */
long long
pihole_gravity_domains(const json_t *lines)
{
	static const char tag[] = "Number of gravity domains:";
	const json_t *l;
	const char *s, *p;
	size_t i;

	json_array_foreach(lines, i, l) {
		s = json_string_value(l);
		if (s != NULL && (p = strstr(s, tag)) != NULL)
			return (strtoll(p + sizeof tag - 1, NULL, 10));
	}
	return (-1);
}

/* Decodes base32 into out; see pihole.h. */
size_t
pihole_base32(const char *s, unsigned char *out, size_t max)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	const char *p;
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0, ch;

	for (; *s != '\0'; s++) {
		ch = *s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s;
		if (ch == ' ' || ch == '-' || ch == '=')
			continue;
		if ((p = strchr(alpha, ch)) == NULL || ch == '\0')
			return (0);
		acc = (acc << 5 | (unsigned long)(p - alpha)) & 0xfff;
		if ((bits += 5) >= 8) {
			bits -= 8;
			if (n == max)
				return (0);
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (n);
}

/* The RFC 6238 code for a step; see pihole.h. */
unsigned
pihole_totp(const unsigned char *key, size_t len, long long step)
{
	unsigned char msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, off, bin;
	int i;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)len, msg, sizeof msg, md, &mdlen) ==
	    NULL || mdlen < 20)
		return (0);
	off = md[mdlen - 1] & 0xf;
	bin = (unsigned)(md[off] & 0x7f) << 24 | (unsigned)md[off + 1] << 16 |
	    (unsigned)md[off + 2] << 8 | md[off + 3];
	explicit_bzero(md, sizeof md);
	return (bin % 1000000);
}
