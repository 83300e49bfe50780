/*
 * A snapshot as racktop/snapshot messages (mcp/attach.h has the format):
 * whole, or what changed since an earlier one, rows matched by the hash
 * of their compact JSON text.
 *
 * DESIGN: pure functions of immutable snapshots, called on the MCP
 * thread; trees are only read (jsonfast's writer), never counted. A
 * row's hash (FNV-1a, 64 bits) stands for its content: two rows with
 * the same hash are sent as the same row (a collision would show a stale
 * row until it changes again; at 64 bits over a lab's rows, not a
 * practical risk).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/snapdiff.h"

/* FNV-1a, 64 bits. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return (h);
}
#define FNV_INIT 14695981039346656037ULL

/* The hash of a value's compact text. */
static uint64_t
value_hash(struct jr_buf *scratch, const json_t *v)
{
	scratch->len = 0;
	jr_put_json(scratch, v);
	return (fnv(FNV_INIT, scratch->data, scratch->len));
}

/* Whether a member is diffed by rows: an array of objects. */
static bool
is_rows(const json_t *v)
{
	return (json_is_array(v) && (json_array_size(v) == 0 ||
	    json_is_object(json_array_get(v, 0))));
}

void
snapdiff_members_free(struct snapdiff_member *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].key);
		free(m[i].row);
	}
	free(m);
}

/* The members of a snapshot's data with their hashes. */
struct snapdiff_member *
snapdiff_members(struct jr_buf *scratch, const json_t *data, size_t *np)
{
	struct snapdiff_member *m;
	const char *key;
	json_t *v;
	size_t n = 0, i;

	*np = 0;
	if (!json_is_object(data))
		return (NULL);
	m = xcalloc(json_object_size(data) + 1, sizeof *m);
	json_object_foreach((json_t *)(uintptr_t)data, key, v) {
		m[n].key = xstrdup(key);
		if ((m[n].rows = is_rows(v))) {
			m[n].nrows = json_array_size(v);
			m[n].row = xcalloc(m[n].nrows + 1, sizeof *m[n].row);
			m[n].hash = FNV_INIT;
			for (i = 0; i < m[n].nrows; i++) {
				m[n].row[i] = value_hash(scratch,
				    json_array_get(v, i));
				m[n].hash = fnv(m[n].hash, &m[n].row[i],
				    sizeof m[n].row[i]);
			}
		} else
			m[n].hash = value_hash(scratch, v);
		n++;
	}
	*np = n;
	return (m);
}

static const struct snapdiff_member *
member_find(const struct snapdiff_member *m, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(m[i].key, key) == 0)
			return (&m[i]);
	}
	return (NULL);
}

/* Appends "KEY": with the key escaped. */
static void
put_key(struct jr_buf *b, const char *key)
{
	jr_buf_append(b, "\"", 1);
	jr_put_escaped(b, key, strlen(key));
	jr_buf_append(b, "\":", 2);
}

/* Appends the params' head: instance, generation and the metadata. */
static void
put_head(struct jr_buf *b, size_t i, const struct snapshot *s, bool full)
{
	char head[320];
	int n;

	n = snprintf(head, sizeof head, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"racktop/snapshot\",\"params\":{\"i\":%zu,\"gen\":%llu,"
	    "\"full\":%s,\"fetched_ms\":%lld,\"age_ms\":%lld,"
	    "\"attempt_ms\":%lld,\"kind\":%d,\"error\":", i,
	    (unsigned long long)s->generation, full ? "true" : "false",
	    (long long)s->fetched_ms, (long long)snapshot_age_ms(s),
	    (long long)(clock_mono_ms() - s->attempted_mono), s->error_kind);
	jr_buf_append(b, head, (size_t)n);
	if (s->error == NULL)
		jr_buf_append(b, "null", 4);
	else {
		jr_buf_append(b, "\"", 1);
		jr_put_escaped(b, s->error, strlen(s->error));
		jr_buf_append(b, "\"", 1);
	}
}

/* The whole snapshot, for a dashboard that has nothing to diff from. */
void
snapdiff_put_full(struct jr_buf *b, size_t i, const struct snapshot *s)
{
	put_head(b, i, s, true);
	jr_buf_append(b, ",\"data\":", 8);
	if (s->data != NULL)
		jr_put_json(b, s->data);
	else
		jr_buf_append(b, "null", 4);
	jr_buf_append(b, "}}\n", 3);
}

/* An index from the previous rows' hashes to their first position. */
struct row_index {
	uint64_t *hash;
	size_t *pos;
	size_t mask;
};

static void
index_build(struct row_index *x, const struct snapdiff_member *old)
{
	size_t cap = 16, i, k;

	while (cap < old->nrows * 2)
		cap *= 2;
	x->mask = cap - 1;
	x->hash = xcalloc(cap, sizeof *x->hash);
	x->pos = xcalloc(cap, sizeof *x->pos);
	for (i = 0; i < old->nrows; i++) {
		for (k = old->row[i] & x->mask; x->pos[k] != 0;
		    k = (k + 1) & x->mask) {
			if (x->hash[k] == old->row[i])
				break;
		}
		if (x->pos[k] == 0) {
			x->hash[k] = old->row[i];
			x->pos[k] = i + 1;	/* 0: empty */
		}
	}
}

/* The previous position of a row with hash h, or -1. */
static long
index_find(const struct row_index *x, uint64_t h)
{
	size_t k;

	for (k = h & x->mask; x->pos[k] != 0; k = (k + 1) & x->mask) {
		if (x->hash[k] == h)
			return ((long)x->pos[k] - 1);
	}
	return (-1);
}

/* Appends a run of previous rows. */
static void
put_run(struct jr_buf *b, bool *first, long start, long count)
{
	char t[48];
	int n;

	n = snprintf(t, sizeof t, "%s[%ld,%ld]", *first ? "" : ",", start,
	    count);
	jr_buf_append(b, t, (size_t)n);
	*first = false;
}

/* A row member's change: runs of previous rows and new rows. */
static void
put_rows(struct jr_buf *b, const json_t *arr, const struct snapdiff_member *nw,
    const struct snapdiff_member *old)
{
	struct row_index x;
	long start = -1, count = 0, at;
	bool first = true;
	size_t i;

	memset(&x, 0, sizeof x);
	if (old != NULL && old->rows)
		index_build(&x, old);
	jr_buf_append(b, "[", 1);
	for (i = 0; i < nw->nrows; i++) {
		at = x.hash != NULL ? index_find(&x, nw->row[i]) : -1;
		if (at >= 0 && count > 0 && at == start + count &&
		    (size_t)at < old->nrows) {
			count++;
			continue;
		}
		if (count > 0)
			put_run(b, &first, start, count);
		count = 0;
		if (at >= 0) {
			start = at;
			count = 1;
			continue;
		}
		if (!first)
			jr_buf_append(b, ",", 1);
		first = false;
		jr_put_json(b, json_array_get(arr, i));
	}
	if (count > 0)
		put_run(b, &first, start, count);
	jr_buf_append(b, "]", 1);
	free(x.hash);
	free(x.pos);
}

/* What changed from old (members om) to s (members nm). */
void
snapdiff_put_diff(struct jr_buf *b, size_t i, const struct snapshot *old,
    const struct snapdiff_member *om, size_t on, const struct snapshot *s,
    const struct snapdiff_member *nm, size_t nn)
{
	const struct snapdiff_member *o;
	bool first;
	size_t k;
	int pass;

	put_head(b, i, s, false);
	if (s->data == old->data) {
		/* A failed poll: the same data, a new error. */
		jr_buf_append(b, "}}\n", 3);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		jr_buf_append(b, pass == 0 ? ",\"set\":{" : ",\"rows\":{", 8 +
		    (pass == 1));
		first = true;
		for (k = 0; k < nn; k++) {
			o = member_find(om, on, nm[k].key);
			if ((pass == 0) == nm[k].rows)
				continue;
			if (o != NULL && o->hash == nm[k].hash &&
			    o->rows == nm[k].rows)
				continue;
			if (!first)
				jr_buf_append(b, ",", 1);
			first = false;
			put_key(b, nm[k].key);
			if (pass == 0)
				jr_put_json(b, json_object_get(s->data,
				    nm[k].key));
			else
				put_rows(b, json_object_get(s->data,
				    nm[k].key), &nm[k], o);
		}
		jr_buf_append(b, "}", 1);
	}
	jr_buf_append(b, ",\"del\":[", 8);
	first = true;
	for (k = 0; k < on; k++) {
		if (member_find(nm, nn, om[k].key) != NULL)
			continue;
		if (!first)
			jr_buf_append(b, ",", 1);
		first = false;
		jr_buf_append(b, "\"", 1);
		jr_put_escaped(b, om[k].key, strlen(om[k].key));
		jr_buf_append(b, "\"", 1);
	}
	jr_buf_append(b, "]}}\n", 4);
}

