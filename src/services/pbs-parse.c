/*
 * Proxmox Backup Server: pure functions from the API's JSON to racktop's
 * rows (datastores, backup groups, snapshots, prune lists), task ids and
 * auth headers. See pbs.h for the shapes.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "services/pbs.h"

/* An integer member, or def when absent or not a number. */
static json_int_t
pbs_int(const json_t *o, const char *key, json_int_t def)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_real(v))
		return ((json_int_t)json_real_value(v));
	return (def);
}

/* Copies a string member to row[as] when present. */
static void
pbs_copy_str(json_t *row, const char *as, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		json_object_set_new(row, as, json_string(json_string_value(v)));
}

/* Copies an integer member to row[as] when present. */
static void
pbs_copy_int(json_t *row, const char *as, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v) || json_is_real(v))
		json_object_set_new(row, as, json_integer(pbs_int(o, key, 0)));
}

/* Whether a JSON value is true the way PBS says it (true or 1). */
static bool
pbs_true(const json_t *v)
{
	return (json_is_true(v) || (json_is_integer(v) &&
	    json_integer_value(v) != 0));
}

/* The GC job status of a store in GET /admin/gc data, or NULL. */
static const json_t *
pbs_gc_of(const json_t *gc, const char *store)
{
	const json_t *e;
	const char *s;
	size_t i;

	json_array_foreach(gc, i, e) {
		s = json_string_value(json_object_get(e, "store"));
		if (s != NULL && strcmp(s, store) == 0)
			return (e);
	}
	return (NULL);
}

/* Datastore rows. */
json_t *
pbs_parse_datastores(const json_t *usage, const json_t *gc,
    const char *instance, int64_t now_s, char **cause)
{
	const json_t *e, *g, *st;
	const char *store;
	json_t *rows, *row;
	json_int_t total, used, full;
	size_t i;

	if (!json_is_array(usage)) {
		*cause = xstrdup("/status/datastore-usage: not an array");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(usage, i, e) {
		store = json_string_value(json_object_get(e, "store"));
		if (store == NULL)
			continue;
		row = json_pack("{s:s, s:s}", "instance", instance, "store",
		    store);
		total = pbs_int(e, "total", -1);
		used = pbs_int(e, "used", -1);
		pbs_copy_int(row, "total", e, "total");
		pbs_copy_int(row, "used", e, "used");
		pbs_copy_int(row, "avail", e, "avail");
		if (total > 0 && used >= 0)
			json_object_set_new(row, "usage",
			    json_real((double)used / (double)total));
		pbs_copy_str(row, "mount_status", e, "mount-status");
		pbs_copy_str(row, "backend_type", e, "backend-type");
		pbs_copy_str(row, "error", e, "error");
		/*
		 * A linear fit over the last month: a date in the past means
		 * usage is flat or shrinking, so the store is not filling.
		 */
		full = pbs_int(e, "estimated-full-date", -1);
		if (full > now_s) {
			json_object_set_new(row, "estimated_full_date",
			    json_integer(full));
			json_object_set_new(row, "days_to_full",
			    json_integer((full - now_s) / 86400));
		} else
			json_object_set_new(row, "estimated_full_date",
			    json_null());
		st = json_object_get(e, "gc-status");
		if (json_is_object(st)) {
			pbs_copy_int(row, "gc_removed_bytes", st,
			    "removed-bytes");
			pbs_copy_int(row, "gc_pending_bytes", st,
			    "pending-bytes");
			pbs_copy_int(row, "gc_disk_bytes", st, "disk-bytes");
			pbs_copy_int(row, "gc_index_data_bytes", st,
			    "index-data-bytes");
			pbs_copy_str(row, "gc_upid", st, "upid");
		}
		g = pbs_gc_of(gc, store);
		if (g != NULL) {
			pbs_copy_str(row, "gc_state", g, "last-run-state");
			pbs_copy_int(row, "gc_last_end", g, "last-run-endtime");
			pbs_copy_int(row, "gc_next_run", g, "next-run");
			pbs_copy_str(row, "gc_schedule", g, "schedule");
			pbs_copy_int(row, "gc_removed_bytes", g,
			    "removed-bytes");
			pbs_copy_int(row, "gc_pending_bytes", g,
			    "pending-bytes");
			pbs_copy_str(row, "gc_upid", g, "upid");
		}
		if (json_object_get(row, "gc_state") == NULL)
			json_object_set_new(row, "gc_state", json_string(
			    json_object_get(row, "gc_upid") != NULL ?
			    "unknown" : "never"));
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Group rows of one store and namespace. */
json_t *
pbs_parse_groups(const json_t *data, const char *instance,
    const char *store, const char *ns, int64_t now_s)
{
	const json_t *e;
	const char *type, *id;
	json_t *rows = json_array(), *row;
	json_int_t last;
	bool stale;
	size_t i;

	json_array_foreach(data, i, e) {
		type = json_string_value(json_object_get(e, "backup-type"));
		id = json_string_value(json_object_get(e, "backup-id"));
		if (type == NULL || id == NULL)
			continue;
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s++}", "instance",
		    instance, "store", store, "ns", ns, "type", type, "id", id,
		    "group", type, "/", id);
		last = pbs_int(e, "last-backup", -1);
		if (last >= 0)
			json_object_set_new(row, "last_backup",
			    json_integer(last));
		pbs_copy_int(row, "backup_count", e, "backup-count");
		pbs_copy_str(row, "owner", e, "owner");
		pbs_copy_str(row, "comment", e, "comment");
		stale = last < 0 || now_s - last > PBS_STALE_S;
		json_object_set_new(row, "stale", json_boolean(stale));
		json_object_set_new(row, "state", json_string(stale ? "stale" :
		    "ok"));
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* Orders snapshot rows by group, newest first within a group. */
static int
pbs_snap_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx, ty;
	int c;

	c = strcmp(json_string_value(json_object_get(x, "type")),
	    json_string_value(json_object_get(y, "type")));
	if (c == 0)
		c = strcmp(json_string_value(json_object_get(x, "id")),
		    json_string_value(json_object_get(y, "id")));
	if (c != 0)
		return (c);
	tx = json_integer_value(json_object_get(x, "time"));
	ty = json_integer_value(json_object_get(y, "time"));
	return (tx < ty ? 1 : tx > ty ? -1 : 0);
}

/* Snapshot rows. */
json_t *
pbs_parse_snapshots(const json_t *data, const char *instance,
    const char *store, const char *ns)
{
	const json_t *e, *ver;
	const char *type, *id, *state;
	json_t **v, *rows = json_array(), *row;
	json_int_t t;
	char stamp[32];
	size_t i, n = 0;

	v = xcalloc(json_array_size(data) + 1, sizeof *v);
	json_array_foreach(data, i, e) {
		type = json_string_value(json_object_get(e, "backup-type"));
		id = json_string_value(json_object_get(e, "backup-id"));
		t = pbs_int(e, "backup-time", -1);
		if (type == NULL || id == NULL || t < 0)
			continue;
		pbs_time_string(t, stamp, sizeof stamp);
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s++++}",
		    "instance", instance, "store", store, "ns", ns, "type",
		    type, "id", id, "time", t, "snapshot", type, "/", id, "/",
		    stamp);
		pbs_copy_int(row, "size", e, "size");
		ver = json_object_get(e, "verification");
		state = json_string_value(json_object_get(ver, "state"));
		json_object_set_new(row, "verification", json_string(
		    state != NULL ? state : "none"));
		pbs_copy_str(row, "verify_upid", ver, "upid");
		json_object_set_new(row, "protected", json_boolean(pbs_true(
		    json_object_get(e, "protected"))));
		pbs_copy_str(row, "owner", e, "owner");
		pbs_copy_str(row, "comment", e, "comment");
		if (json_is_array(json_object_get(e, "files")))
			json_object_set_new(row, "files", json_integer(
			    (json_int_t)json_array_size(json_object_get(e,
			    "files"))));
		v[n++] = row;
	}
	qsort(v, n, sizeof *v, pbs_snap_cmp);
	for (i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
	return (rows);
}

/* The prune list. */
json_t *
pbs_parse_prune(const json_t *data, size_t *nremove)
{
	const json_t *e;
	const char *type, *id;
	json_t *rows, *row;
	json_int_t t;
	char stamp[32];
	bool keep;
	size_t i;

	*nremove = 0;
	if (!json_is_array(data))
		return (NULL);
	rows = json_array();
	json_array_foreach(data, i, e) {
		type = json_string_value(json_object_get(e, "backup-type"));
		id = json_string_value(json_object_get(e, "backup-id"));
		t = pbs_int(e, "backup-time", -1);
		if (type == NULL || id == NULL || t < 0)
			continue;
		keep = pbs_true(json_object_get(e, "keep"));
		pbs_time_string(t, stamp, sizeof stamp);
		row = json_pack("{s:s, s:s, s:I, s:s++++, s:b}", "type", type,
		    "id", id, "time", t, "snapshot", type, "/", id, "/", stamp,
		    "keep", keep);
		if (pbs_true(json_object_get(e, "protected")))
			json_object_set_new(row, "protected", json_true());
		if (!keep)
			(*nremove)++;
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* The snapshots a prune-datastore log marks for removal. */
json_t *
pbs_prune_log_removed(const json_t *log)
{
	const json_t *l;
	const char *s, *sp;
	json_t *out = json_array();
	size_t i;

	json_array_foreach(log, i, l) {
		s = json_string_value(l);
		if (s == NULL || (sp = strrchr(s, ' ')) == NULL ||
		    strcmp(sp, " remove") != 0)
			continue;
		/* "TYPE/ID/TIME remove": the snapshot path has two slashes. */
		if (strchr(s, '/') == NULL || strchr(s, '/') == strrchr(s,
		    '/') || strchr(s, '/') > sp)
			continue;
		json_array_append_new(out, json_stringn(s, (size_t)(sp - s)));
	}
	return (out);
}

/* Orders log lines by their "n". */
static int
pbs_log_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a,
	    "n"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b,
	    "n"));

	return (x < y ? -1 : x > y ? 1 : 0);
}

/* The tail of a task log. */
json_t *
pbs_task_log_tail(const json_t *data, size_t n)
{
	json_t **lines, *tail = json_array();
	const char *t;
	size_t i, count, start;

	if (!json_is_array(data) || n == 0)
		return (tail);
	count = json_array_size(data);
	lines = xcalloc(count + 1, sizeof *lines);
	for (i = 0; i < count; i++)
		lines[i] = json_array_get(data, i);
	qsort(lines, count, sizeof *lines, pbs_log_cmp);
	start = count > n ? count - n : 0;
	for (i = start; i < count; i++) {
		t = json_string_value(json_object_get(lines[i], "t"));
		if (t != NULL)
			json_array_append_new(tail, json_string(t));
	}
	free(lines);
	return (tail);
}

/* Whether an exit status means the task succeeded. */
bool
pbs_exitstatus_ok(const char *s)
{
	return (s != NULL && (strcmp(s, "OK") == 0 ||
	    strncmp(s, "WARNINGS", 8) == 0));
}

/* Copies the next ':'-terminated field of a UPID. */
static const char *
pbs_upid_field(const char *s, char *out, size_t len)
{
	size_t n = strcspn(s, ":");

	if (s[n] != ':' || n >= len)
		return (NULL);
	memcpy(out, s, n);
	out[n] = '\0';
	return (s + n + 1);
}

/* Parses a hex field of a UPID with minlen to maxlen digits. */
static int
pbs_upid_hex(const char *s, size_t minlen, size_t maxlen,
    unsigned long *out)
{
	size_t i, n = strlen(s);

	if (n < minlen || n > maxlen)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return (-1);
	}
	*out = strtoul(s, NULL, 16);
	return (0);
}

/* Splits a UPID. */
int
pbs_upid_parse(const char *upid, struct pbs_upid *out)
{
	char f[32];
	unsigned long v;
	const char *s;

	memset(out, 0, sizeof *out);
	if (upid == NULL || strncmp(upid, "UPID:", 5) != 0)
		return (-1);
	s = upid + 5;
	if ((s = pbs_upid_field(s, out->node, sizeof out->node)) == NULL ||
	    out->node[0] == '\0')
		return (-1);
	if ((s = pbs_upid_field(s, f, sizeof f)) == NULL ||
	    pbs_upid_hex(f, 8, 8, &out->pid) != 0)
		return (-1);
	if ((s = pbs_upid_field(s, f, sizeof f)) == NULL ||
	    pbs_upid_hex(f, 8, 9, &out->pstart) != 0)
		return (-1);
	if ((s = pbs_upid_field(s, f, sizeof f)) == NULL ||
	    pbs_upid_hex(f, 8, 16, &out->task_id) != 0)
		return (-1);
	if ((s = pbs_upid_field(s, f, sizeof f)) == NULL ||
	    pbs_upid_hex(f, 8, 8, &v) != 0)
		return (-1);
	out->starttime = (long)v;
	if ((s = pbs_upid_field(s, out->type, sizeof out->type)) == NULL ||
	    out->type[0] == '\0')
		return (-1);
	if ((s = pbs_upid_field(s, out->id, sizeof out->id)) == NULL)
		return (-1);
	if ((s = pbs_upid_field(s, out->authid, sizeof out->authid)) == NULL ||
	    out->authid[0] == '\0' || *s != '\0')
		return (-1);
	return (0);
}

/* RFC 3339 UTC, as PBS names snapshot folders. */
void
pbs_time_string(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t secs = (time_t)t;

	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* The API token header: a colon before the secret, unlike PVE's "=". */
char *
pbs_token_header(const char *token_id, const char *token)
{
	const char *at, *bang;
	char *h;

	if (token_id == NULL || token == NULL)
		return (NULL);
	at = strchr(token_id, '@');
	bang = strchr(token_id, '!');
	if (at == NULL || bang == NULL || at == token_id || bang < at ||
	    bang[1] == '\0' || strpbrk(token_id, " \t\r\n=:") != NULL ||
	    strpbrk(token, " \t\r\n") != NULL || *token == '\0')
		return (NULL);
	xasprintf(&h, "Authorization: PBSAPIToken=%s:%s", token_id, token);
	return (h);
}

/* The ticket cookie header. */
char *
pbs_cookie_header(const char *ticket)
{
	char *h;

	xasprintf(&h, "Cookie: PBSAuthCookie=%s", ticket);
	return (h);
}

/* The CSRF prevention header. */
char *
pbs_csrf_header(const char *csrf)
{
	char *h;

	xasprintf(&h, "CSRFPreventionToken: %s", csrf);
	return (h);
}
