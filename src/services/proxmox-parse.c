/*
 * Proxmox VE parse: pure functions from the API's JSON (the "data" member
 * of each response) to racktop's snapshot rows and tool results. No I/O;
 * unit-tested on spec-example responses in tests/fixtures/proxmox/.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "services/proxmox.h"

/* An integer from a JSON integer, integral real or decimal string. */
static int
pve_int_value(const json_t *v, long long *out)
{
	const char *s;
	char *end;
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return (0);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d < -9e18 || d > 9e18)
			return (-1);
		*out = (long long)d;
		return (0);
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (*s == '\0')
			return (-1);
		errno = 0;
		*out = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return (-1);
		return (0);
	}
	return (-1);
}

/* Copies an integer field when present and well-formed. */
static void
copy_int(json_t *row, const json_t *item, const char *key)
{
	long long v;

	if (pve_int_value(json_object_get(item, key), &v) == 0)
		json_object_set_new(row, key, json_integer(v));
}

/* Copies a number field (a fraction such as cpu) when present. */
static void
copy_num(json_t *row, const json_t *item, const char *key)
{
	const json_t *v = json_object_get(item, key);
	const char *s;
	char *end;
	double d;

	if (json_is_number(v))
		json_object_set_new(row, key, json_real(json_number_value(v)));
	else if (json_is_string(v)) {
		s = json_string_value(v);
		d = strtod(s, &end);
		if (*s != '\0' && *end == '\0')
			json_object_set_new(row, key, json_real(d));
	}
}

/* Copies a string field when present. */
static void
copy_str(json_t *row, const json_t *item, const char *key)
{
	const json_t *v = json_object_get(item, key);

	if (json_is_string(v))
		json_object_set_new(row, key, json_string(json_string_value(v)));
}

/* A Proxmox boolean: true, 1 or "1"; false otherwise. */
static bool
pve_bool(const json_t *v)
{
	long long n;

	if (json_is_boolean(v))
		return (json_is_true(v));
	if (pve_int_value(v, &n) == 0)
		return (n != 0);
	return (false);
}

/* Splits "a;b c,d" into a new array of non-empty words. */
static json_t *
pve_split(const char *s, const char *seps)
{
	json_t *a = json_array();
	size_t n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, seps);
		if (n > 0)
			json_array_append_new(a, json_stringn(s, n));
		s += n;
		if (*s != '\0')
			s++;
	}
	return (a);
}

/* Whether a vmid is valid: integer or decimal string. */
int
pve_vmid_value(const json_t *v, long long *out)
{
	long long n;

	if (pve_int_value(v, &n) != 0 || n < 0)
		return (-1);
	*out = n;
	return (0);
}

/* One guest row from a resources item of type qemu or lxc. */
json_t *
pve_parse_guest(const json_t *item, const char *instance)
{
	const char *type = json_string_value(json_object_get(item, "type"));
	const char *id = json_string_value(json_object_get(item, "id"));
	const char *slash;
	long long vmid;
	char *end;
	json_t *row;

	if (type == NULL || (strcmp(type, "qemu") != 0 &&
	    strcmp(type, "lxc") != 0))
		return (NULL);
	if (pve_vmid_value(json_object_get(item, "vmid"), &vmid) != 0) {
		/* Older releases: only the id "qemu/101" names it. */
		if (id == NULL || (slash = strchr(id, '/')) == NULL)
			return (NULL);
		errno = 0;
		vmid = strtoll(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0 || vmid < 0)
			return (NULL);
	}
	row = json_pack("{s:s, s:s, s:I}", "instance", instance, "type", type,
	    "vmid", (json_int_t)vmid);
	if (id != NULL)
		json_object_set_new(row, "id", json_string(id));
	else
		json_object_set_new(row, "id", json_sprintf("%s/%lld", type,
		    vmid));
	copy_str(row, item, "node");
	copy_str(row, item, "name");
	copy_str(row, item, "status");
	copy_num(row, item, "cpu");
	copy_int(row, item, "maxcpu");
	copy_int(row, item, "mem");
	copy_int(row, item, "maxmem");
	copy_int(row, item, "disk");
	copy_int(row, item, "maxdisk");
	copy_int(row, item, "uptime");
	copy_int(row, item, "netin");
	copy_int(row, item, "netout");
	copy_str(row, item, "lock");
	copy_str(row, item, "hastate");
	if (json_object_get(row, "status") == NULL)
		json_object_set_new(row, "status", json_string("unknown"));
	json_object_set_new(row, "template",
	    json_boolean(pve_bool(json_object_get(item, "template"))));
	json_object_set_new(row, "tags", pve_split(json_string_value(
	    json_object_get(item, "tags")), ";, "));
	return (row);
}

/* One node row from a resources item of type node. */
static json_t *
pve_parse_node(const json_t *item, const char *instance)
{
	const char *node = json_string_value(json_object_get(item, "node"));
	const char *id = json_string_value(json_object_get(item, "id"));
	json_t *row;

	if (node == NULL && id != NULL && strncmp(id, "node/", 5) == 0)
		node = id + 5;
	if (node == NULL)
		return (NULL);
	row = json_pack("{s:s, s:s}", "instance", instance, "node", node);
	json_object_set_new(row, "id", id != NULL ? json_string(id) :
	    json_sprintf("node/%s", node));
	copy_str(row, item, "status");
	if (json_object_get(row, "status") == NULL)
		json_object_set_new(row, "status", json_string("unknown"));
	copy_num(row, item, "cpu");
	copy_int(row, item, "maxcpu");
	copy_int(row, item, "mem");
	copy_int(row, item, "maxmem");
	copy_int(row, item, "disk");
	copy_int(row, item, "maxdisk");
	copy_int(row, item, "uptime");
	copy_str(row, item, "level");
	return (row);
}

/* One storage row from a resources item of type storage. */
static json_t *
pve_parse_storage(const json_t *item, const char *instance)
{
	const char *storage, *id, *node;
	json_t *row;

	storage = json_string_value(json_object_get(item, "storage"));
	id = json_string_value(json_object_get(item, "id"));
	node = json_string_value(json_object_get(item, "node"));
	if (storage == NULL || node == NULL)
		return (NULL);
	row = json_pack("{s:s, s:s, s:s}", "instance", instance, "storage",
	    storage, "node", node);
	json_object_set_new(row, "id", id != NULL ? json_string(id) :
	    json_sprintf("storage/%s/%s", node, storage));
	copy_str(row, item, "status");
	if (json_object_get(row, "status") == NULL)
		json_object_set_new(row, "status", json_string("unknown"));
	copy_int(row, item, "disk");
	copy_int(row, item, "maxdisk");
	copy_str(row, item, "plugintype");
	json_object_set_new(row, "content", pve_split(json_string_value(
	    json_object_get(item, "content")), ","));
	json_object_set_new(row, "shared",
	    json_boolean(pve_bool(json_object_get(item, "shared"))));
	return (row);
}

/* Parses /cluster/resources into nodes, guests and storage. */
json_t *
pve_parse_resources(const json_t *data, const char *instance, char **cause)
{
	json_t *nodes, *guests, *storage, *row;
	const json_t *item;
	const char *type;
	size_t i;

	if (!json_is_array(data)) {
		xasprintf(cause, "/cluster/resources: expected an array");
		return (NULL);
	}
	nodes = json_array();
	guests = json_array();
	storage = json_array();
	json_array_foreach(data, i, item) {
		type = json_string_value(json_object_get(item, "type"));
		if (type == NULL)
			continue;
		row = NULL;
		if (strcmp(type, "node") == 0 &&
		    (row = pve_parse_node(item, instance)) != NULL)
			json_array_append_new(nodes, row);
		else if (strcmp(type, "storage") == 0 &&
		    (row = pve_parse_storage(item, instance)) != NULL)
			json_array_append_new(storage, row);
		else if ((row = pve_parse_guest(item, instance)) != NULL)
			json_array_append_new(guests, row);
	}
	return (json_pack("{s:o, s:o, s:o}", "nodes", nodes, "guests", guests,
	    "storage", storage));
}

/* Parses /cluster/status into the cluster object. */
json_t *
pve_parse_cluster_status(const json_t *data, char **cause)
{
	json_t *c, *nodes, *n;
	const json_t *item;
	const char *type;
	long long total = -1, online = 0, v;
	bool have_cluster = false;
	size_t i;

	if (!json_is_array(data)) {
		xasprintf(cause, "/cluster/status: expected an array");
		return (NULL);
	}
	c = json_object();
	nodes = json_array();
	json_array_foreach(data, i, item) {
		type = json_string_value(json_object_get(item, "type"));
		if (type == NULL)
			continue;
		if (strcmp(type, "cluster") == 0) {
			have_cluster = true;
			copy_str(c, item, "name");
			json_object_set_new(c, "quorate", json_boolean(
			    pve_bool(json_object_get(item, "quorate"))));
			if (pve_int_value(json_object_get(item, "nodes"),
			    &v) == 0)
				total = v;
			copy_int(c, item, "version");
		} else if (strcmp(type, "node") == 0) {
			if (json_string_value(json_object_get(item, "name")) ==
			    NULL)
				continue;
			n = json_object();
			copy_str(n, item, "name");
			json_object_set_new(n, "online", json_boolean(
			    pve_bool(json_object_get(item, "online"))));
			if (pve_bool(json_object_get(n, "online")))
				online++;
			copy_str(n, item, "ip");
			copy_int(n, item, "nodeid");
			json_object_set_new(n, "local", json_boolean(
			    pve_bool(json_object_get(item, "local"))));
			json_array_append_new(nodes, n);
		}
	}
	if (!have_cluster) {
		/* A standalone node is its own majority. */
		json_object_set_new(c, "name", json_null());
		json_object_set_new(c, "quorate", json_true());
	} else if (json_object_get(c, "name") == NULL)
		json_object_set_new(c, "name", json_null());
	json_object_set_new(c, "standalone", json_boolean(!have_cluster));
	json_object_set_new(c, "nodes_total", json_integer(total >= 0 ?
	    total : (long long)json_array_size(nodes)));
	json_object_set_new(c, "nodes_online", json_integer(online));
	json_object_set_new(c, "nodes", nodes);
	return (c);
}

/* Merges status/current data into a guest row. */
void
pve_merge_guest_status(json_t *row, const json_t *data)
{
	const json_t *tags;

	if (!json_is_object(data))
		return;
	copy_str(row, data, "name");
	copy_str(row, data, "status");
	copy_str(row, data, "qmpstatus");
	copy_str(row, data, "lock");
	copy_num(row, data, "cpu");
	copy_int(row, data, "mem");
	copy_int(row, data, "maxmem");
	copy_int(row, data, "disk");
	copy_int(row, data, "maxdisk");
	copy_int(row, data, "uptime");
	copy_int(row, data, "netin");
	copy_int(row, data, "netout");
	copy_int(row, data, "pid");
	copy_int(row, data, "cpus");
	if (json_object_get(row, "cpus") != NULL) {
		json_object_set(row, "maxcpu", json_object_get(row, "cpus"));
		json_object_del(row, "cpus");
	}
	if (json_object_get(data, "template") != NULL)
		json_object_set_new(row, "template",
		    json_boolean(pve_bool(json_object_get(data, "template"))));
	tags = json_object_get(data, "tags");
	if (json_is_string(tags))
		json_object_set_new(row, "tags",
		    pve_split(json_string_value(tags), ";, "));
}

/* Copies the integer members of a sub-object, as an object. */
static json_t *
pve_int_object(const json_t *o, const char *const *keys)
{
	json_t *r = json_object();
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		copy_int(r, o, keys[i]);
	return (r);
}

/* The node status result from /nodes/{node}/status. */
json_t *
pve_parse_node_status(const json_t *data, const char *instance,
    const char *node)
{
	static const char *const mem_keys[] = { "total", "used", "free",
	    "available", NULL };
	static const char *const fs_keys[] = { "total", "used", "free",
	    "avail", NULL };
	const json_t *ci, *ck, *la, *v;
	json_t *r, *loads;
	double d;
	size_t i;

	r = json_pack("{s:s, s:s, s:s}", "instance", instance, "node", node,
	    "status", "online");
	if (!json_is_object(data))
		return (r);
	copy_num(r, data, "cpu");
	copy_int(r, data, "uptime");
	copy_str(r, data, "pveversion");
	copy_str(r, data, "kversion");
	ci = json_object_get(data, "cpuinfo");
	if (json_is_object(ci)) {
		copy_int(r, ci, "cpus");
		if (json_object_get(r, "cpus") != NULL) {
			json_object_set(r, "maxcpu", json_object_get(r, "cpus"));
			json_object_del(r, "cpus");
		}
		if (json_is_string(json_object_get(ci, "model")))
			json_object_set_new(r, "cpu_model", json_string(
			    json_string_value(json_object_get(ci, "model"))));
	}
	ck = json_object_get(data, "current-kernel");
	if (json_is_object(ck) &&
	    json_is_string(json_object_get(ck, "release")))
		json_object_set_new(r, "kernel", json_string(json_string_value(
		    json_object_get(ck, "release"))));
	if (json_is_object(json_object_get(data, "memory")))
		json_object_set_new(r, "memory", pve_int_object(
		    json_object_get(data, "memory"), mem_keys));
	if (json_is_object(json_object_get(data, "rootfs")))
		json_object_set_new(r, "rootfs", pve_int_object(
		    json_object_get(data, "rootfs"), fs_keys));
	la = json_object_get(data, "loadavg");
	if (json_is_array(la)) {
		loads = json_array();
		json_array_foreach(la, i, v) {
			/* The API gives load averages as strings. */
			if (json_is_number(v))
				d = json_number_value(v);
			else if (json_is_string(v))
				d = strtod(json_string_value(v), NULL);
			else
				continue;
			json_array_append_new(loads, json_real(d));
		}
		json_object_set_new(r, "loadavg", loads);
	}
	return (r);
}

/* Guesses the guest type from a backup volume name. */
static const char *
pve_backup_type(const char *volid)
{
	if (volid == NULL)
		return (NULL);
	if (strstr(volid, "vzdump-qemu-") != NULL)
		return ("qemu");
	if (strstr(volid, "vzdump-lxc-") != NULL ||
	    strstr(volid, "vzdump-openvz-") != NULL)
		return ("lxc");
	return (NULL);
}

/* The backup rows of one storage's content listing. */
json_t *
pve_parse_backups(const json_t *data, const char *instance, const char *node,
    const char *storage)
{
	json_t *items = json_array(), *row;
	const json_t *item;
	const char *volid, *type, *content;
	size_t i;

	if (!json_is_array(data))
		return (items);
	json_array_foreach(data, i, item) {
		volid = json_string_value(json_object_get(item, "volid"));
		if (volid == NULL)
			continue;
		content = json_string_value(json_object_get(item, "content"));
		if (content != NULL && strcmp(content, "backup") != 0)
			continue;
		row = json_pack("{s:s, s:s, s:s, s:s}", "instance", instance,
		    "volid", volid, "node", node, "storage", storage);
		if ((type = pve_backup_type(volid)) != NULL)
			json_object_set_new(row, "type", json_string(type));
		copy_int(row, item, "vmid");
		copy_int(row, item, "size");
		copy_int(row, item, "ctime");
		copy_str(row, item, "format");
		copy_str(row, item, "notes");
		json_object_set_new(row, "protected", json_boolean(
		    pve_bool(json_object_get(item, "protected"))));
		json_array_append_new(items, row);
	}
	return (items);
}

/* Compares two log lines by their number n. */
static int
pve_log_cmp(const void *a, const void *b)
{
	long long na = 0, nb = 0;

	pve_int_value(json_object_get(*(json_t *const *)a, "n"), &na);
	pve_int_value(json_object_get(*(json_t *const *)b, "n"), &nb);
	return (na < nb ? -1 : na > nb);
}

/* The last n lines of a task log. */
json_t *
pve_task_log_tail(const json_t *data, size_t n)
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
	qsort(lines, count, sizeof *lines, pve_log_cmp);
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
pve_exitstatus_ok(const char *s)
{
	return (s != NULL && (strcmp(s, "OK") == 0 ||
	    strncmp(s, "WARNINGS", 8) == 0));
}

/* Copies the next ':'-terminated field of a UPID. */
static const char *
upid_field(const char *s, char *out, size_t len)
{
	size_t n = strcspn(s, ":");

	if (s[n] != ':' || n >= len)
		return (NULL);
	memcpy(out, s, n);
	out[n] = '\0';
	return (s + n + 1);
}

/* Parses a hex field of a UPID. */
static int
upid_hex(const char *s, size_t minlen, unsigned long *out)
{
	size_t i, n = strlen(s);

	if (n < minlen || n > 16)
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
pve_upid_parse(const char *upid, struct pve_upid *out)
{
	char f[32];
	unsigned long v;
	const char *s;

	memset(out, 0, sizeof *out);
	if (upid == NULL || strncmp(upid, "UPID:", 5) != 0)
		return (-1);
	s = upid + 5;
	if ((s = upid_field(s, out->node, sizeof out->node)) == NULL ||
	    out->node[0] == '\0')
		return (-1);
	if ((s = upid_field(s, f, sizeof f)) == NULL || upid_hex(f, 8,
	    &out->pid) != 0)
		return (-1);
	if ((s = upid_field(s, f, sizeof f)) == NULL || upid_hex(f, 8,
	    &out->pstart) != 0)
		return (-1);
	if ((s = upid_field(s, f, sizeof f)) == NULL || upid_hex(f, 8,
	    &v) != 0)
		return (-1);
	out->starttime = (long)v;
	if ((s = upid_field(s, out->type, sizeof out->type)) == NULL ||
	    out->type[0] == '\0')
		return (-1);
	if ((s = upid_field(s, out->id, sizeof out->id)) == NULL)
		return (-1);
	if ((s = upid_field(s, out->user, sizeof out->user)) == NULL ||
	    out->user[0] == '\0')
		return (-1);
	return (0);
}

/* The API token header. */
char *
pve_token_header(const char *token_id, const char *token)
{
	const char *at, *bang;
	char *h;

	if (token_id == NULL || token == NULL)
		return (NULL);
	at = strchr(token_id, '@');
	bang = strchr(token_id, '!');
	if (at == NULL || bang == NULL || at == token_id || bang < at ||
	    bang[1] == '\0' || strpbrk(token_id, " \t\r\n=") != NULL ||
	    strpbrk(token, " \t\r\n") != NULL || *token == '\0')
		return (NULL);
	xasprintf(&h, "Authorization: PVEAPIToken=%s=%s", token_id, token);
	return (h);
}

/* The ticket cookie header. */
char *
pve_cookie_header(const char *ticket)
{
	char *h;

	xasprintf(&h, "Cookie: PVEAuthCookie=%s", ticket);
	return (h);
}

/* The CSRF prevention header. */
char *
pve_csrf_header(const char *csrf)
{
	char *h;

	xasprintf(&h, "CSRFPreventionToken: %s", csrf);
	return (h);
}

/* Finds a guest row by vmid. */
const json_t *
pve_find_guest(const json_t *guests, long long vmid)
{
	const json_t *row;
	size_t i;

	json_array_foreach(guests, i, row) {
		if (json_integer_value(json_object_get(row, "vmid")) == vmid)
			return (row);
	}
	return (NULL);
}

/* Finds a node row by name. */
const json_t *
pve_find_node(const json_t *nodes, const char *node)
{
	const json_t *row;
	const char *n;
	size_t i;

	json_array_foreach(nodes, i, row) {
		n = json_string_value(json_object_get(row, "node"));
		if (n != NULL && strcmp(n, node) == 0)
			return (row);
	}
	return (NULL);
}
