/*
 * Docker Engine backend, parse half: pure functions from the Engine API's
 * JSON (and the logs' 8-byte frames) to racktop's rows and summaries.
 * See docker.h for the snapshot layout. No I/O, no global state.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "services/docker.h"

/* Frees an endpoint's strings. */
void
docker_endpoint_free(struct docker_endpoint *e)
{
	free(e->unix_path);
	free(e->base_url);
	memset(e, 0, sizeof *e);
}

/* Splits an instance url into socket path and base URL. */
int
docker_endpoint_parse(const char *url, bool tls, struct docker_endpoint *e,
    char **cause)
{
	size_t len;

	memset(e, 0, sizeof *e);
	if (url == NULL || *url == '\0')
		url = "unix:///var/run/docker.sock";
	if (strncmp(url, "unix://", 7) == 0) {
		if (url[7] != '/') {
			xasprintf(cause, "url: unix:// needs an absolute path "
			    "(unix:///var/run/docker.sock)");
			return (-1);
		}
		e->unix_path = xstrdup(url + 7);
		e->base_url = xstrdup("http://docker");
		return (0);
	}
	if (strncmp(url, "tcp://", 6) == 0)
		xasprintf(&e->base_url, "%s://%s", tls ? "https" : "http",
		    url + 6);
	else if (strncmp(url, "http://", 7) == 0 ||
	    strncmp(url, "https://", 8) == 0)
		e->base_url = xstrdup(url);
	else {
		xasprintf(cause, "url: must start with unix://, tcp://, "
		    "http:// or https://");
		return (-1);
	}
	len = strlen(e->base_url);
	while (len > 0 && e->base_url[len - 1] == '/')
		e->base_url[--len] = '\0';
	return (0);
}

/* Compares two dotted API versions numerically. */
int
docker_version_cmp(const char *a, const char *b)
{
	long x, y;
	char *end;

	while (*a != '\0' || *b != '\0') {
		x = strtol(a, &end, 10);
		a = *end == '.' ? end + 1 : end;
		y = strtol(b, &end, 10);
		b = *end == '.' ? end + 1 : end;
		if (x != y)
			return (x < y ? -1 : 1);
		if (*a == '\0' && *b == '\0')
			break;
	}
	return (0);
}

/* Picks the API version from GET /version. */
int
docker_negotiate(const json_t *version, char *out, size_t outlen,
    char **cause)
{
	const char *v;

	v = json_string_value(json_object_get(version, "ApiVersion"));
	if (v == NULL || strspn(v, "0123456789.") != strlen(v) || *v == '\0') {
		xasprintf(cause, "GET /version: no ApiVersion in the answer");
		return (-1);
	}
	if (docker_version_cmp(v, DOCKER_API_MIN) < 0) {
		xasprintf(cause, "the engine speaks API %s; racktop needs %s "
		    "or later (Docker 20.10)", v, DOCKER_API_MIN);
		return (-1);
	}
	if (docker_version_cmp(v, DOCKER_API_MAX) > 0)
		v = DOCKER_API_MAX;
	snprintf(out, outlen, "%s", v);
	return (0);
}

/* The health of a list item. */
const char *
docker_health(const json_t *summary)
{
	static const char *const known[] = {
		"healthy", "unhealthy", "starting", "none", NULL
	};
	const char *h, *status;
	size_t i;

	h = json_string_value(json_object_get(json_object_get(summary,
	    "Health"), "Status"));
	for (i = 0; h != NULL && known[i] != NULL; i++) {
		if (strcmp(h, known[i]) == 0)
			return (known[i]);
	}
	status = json_string_value(json_object_get(summary, "Status"));
	if (status == NULL)
		return ("none");
	if (strstr(status, "(unhealthy)") != NULL)
		return ("unhealthy");
	if (strstr(status, "(healthy)") != NULL)
		return ("healthy");
	if (strstr(status, "(health: starting)") != NULL)
		return ("starting");
	return ("none");
}

/* A string member or "". */
static const char *
docker_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/*
 * The addresses of a list item's networks (NetworkSettings.Networks, in
 * /containers/json since API 1.21), as row["ips"] and row["macs"]: what
 * racktop_find and racktop_drift match. Empty ones are skipped.
 */
static void
docker_row_addresses(json_t *row, const json_t *item)
{
	const json_t *nets, *v;
	json_t *ips = json_array(), *macs = json_array();
	const char *k, *s;

	nets = json_object_get(json_object_get(item, "NetworkSettings"),
	    "Networks");
	json_object_foreach((json_t *)nets, k, v) {
		if ((s = json_string_value(json_object_get(v, "IPAddress"))) !=
		    NULL && *s != '\0')
			json_array_append_new(ips, json_string(s));
		if ((s = json_string_value(json_object_get(v,
		    "GlobalIPv6Address"))) != NULL && *s != '\0')
			json_array_append_new(ips, json_string(s));
		if ((s = json_string_value(json_object_get(v, "MacAddress"))) !=
		    NULL && *s != '\0')
			json_array_append_new(macs, json_string(s));
	}
	json_object_set_new(row, "ips", ips);
	json_object_set_new(row, "macs", macs);
}

/* Container rows from the list. */
json_t *
docker_parse_containers(const json_t *list, const char *instance,
    char **cause)
{
	const json_t *item, *names;
	const char *id, *name;
	json_t *rows, *row;
	char short_id[13];
	size_t i;

	if (!json_is_array(list)) {
		xasprintf(cause, "/containers/json: not an array");
		return (NULL);
	}
	rows = json_array();
	json_array_foreach(list, i, item) {
		id = json_string_value(json_object_get(item, "Id"));
		if (id == NULL)
			continue;
		names = json_object_get(item, "Names");
		name = json_string_value(json_array_get(names, 0));
		if (name == NULL)
			name = id;
		if (*name == '/')
			name++;
		snprintf(short_id, sizeof short_id, "%s", id);
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "instance", instance, "id", id, "short_id", short_id,
		    "name", name, "image", docker_str(item, "Image"),
		    "state", docker_str(item, "State"),
		    "status", docker_str(item, "Status"),
		    "health", docker_health(item));
		if (json_is_integer(json_object_get(item, "Created")))
			json_object_set(row, "created",
			    json_object_get(item, "Created"));
		docker_row_addresses(row, item);
		json_array_append_new(rows, row);
	}
	return (rows);
}

/* An unsigned member, or 0. */
static uint64_t
docker_u64(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return ((uint64_t)json_integer_value(v));
	if (json_is_real(v) && json_real_value(v) > 0)
		return ((uint64_t)json_real_value(v));
	return (0);
}

/* A stats body as JSON, unsigned 64-bit counters included. */
json_t *
docker_load_stats(const char *body, size_t len, char **cause)
{
	json_error_t err;
	json_t *j;

	if ((j = json_loadb(body, len, 0, &err)) != NULL)
		return (j);
	/*
	 * cgroup v2 reports an unlimited pids limit as 2^64-1, beyond
	 * jansson's integers: read every number as a double then.
	 */
	if ((j = json_loadb(body, len, JSON_DECODE_INT_AS_REAL, &err)) != NULL)
		return (j);
	xasprintf(cause, "invalid JSON in response: %s (line %d, column %d)",
	    err.text, err.line, err.column);
	return (NULL);
}

/* Memory and CPU sample of a stats answer. */
int
docker_stats_read(const json_t *stats, int64_t *mem, int64_t *limit,
    struct docker_cpu *cpu)
{
	const json_t *ms, *st, *cs, *cu;
	uint64_t usage, cache = 0;

	ms = json_object_get(stats, "memory_stats");
	cs = json_object_get(stats, "cpu_stats");
	if (!json_is_object(ms) || !json_is_object(cs))
		return (-1);
	usage = docker_u64(ms, "usage");
	st = json_object_get(ms, "stats");
	/*
	 * As docker stats: cgroup v1 total_inactive_file, v2 inactive_file;
	 * an engine that reports neither has the API's older "cache".
	 */
	if (json_object_get(st, "total_inactive_file") != NULL)
		cache = docker_u64(st, "total_inactive_file");
	else if (json_object_get(st, "inactive_file") != NULL)
		cache = docker_u64(st, "inactive_file");
	else
		cache = docker_u64(st, "cache");
	*mem = (int64_t)(cache < usage ? usage - cache : usage);
	*limit = (int64_t)docker_u64(ms, "limit");
	cu = json_object_get(cs, "cpu_usage");
	cpu->total = docker_u64(cu, "total_usage");
	cpu->system = docker_u64(cs, "system_cpu_usage");
	cpu->online = (unsigned)docker_u64(cs, "online_cpus");
	if (cpu->online == 0)
		cpu->online = (unsigned)json_array_size(json_object_get(cu,
		    "percpu_usage"));
	if (cpu->online == 0)
		cpu->online = 1;
	return (0);
}

/* CPU % between two samples, as docker stats computes it. */
double
docker_cpu_percent(const struct docker_cpu *prev, const struct docker_cpu *cur)
{
	double cpu_delta, sys_delta;

	if (prev == NULL || prev->system == 0 || cur->system <= prev->system ||
	    cur->total < prev->total)
		return (-1);
	cpu_delta = (double)(cur->total - prev->total);
	sys_delta = (double)(cur->system - prev->system);
	return (cpu_delta / sys_delta * cur->online * 100.0);
}

/* Sums the rx/tx bytes of every network in a stats answer. */
static void
docker_net_sum(const json_t *stats, int64_t *rx, int64_t *tx)
{
	const json_t *n;
	const char *k;

	*rx = *tx = 0;
	json_object_foreach((json_t *)json_object_get(stats, "networks"),
	    k, n) {
		*rx += (int64_t)docker_u64(n, "rx_bytes");
		*tx += (int64_t)docker_u64(n, "tx_bytes");
	}
}

/* Sums read and write bytes of the blkio list. */
static void
docker_blk_sum(const json_t *stats, int64_t *rd, int64_t *wr)
{
	const json_t *e;
	const char *op;
	size_t i;

	*rd = *wr = 0;
	json_array_foreach(json_object_get(json_object_get(stats,
	    "blkio_stats"), "io_service_bytes_recursive"), i, e) {
		op = docker_str(e, "op");
		if (strcasecmp(op, "read") == 0)
			*rd += (int64_t)docker_u64(e, "value");
		else if (strcasecmp(op, "write") == 0)
			*wr += (int64_t)docker_u64(e, "value");
	}
}

/* Stats summary for docker_get_container_stats. */
json_t *
docker_parse_stats(const json_t *stats, const struct docker_cpu *prev)
{
	struct docker_cpu cur, pre;
	const json_t *pcs;
	int64_t mem, limit, rx, tx, rd, wr;
	double pct;
	json_t *o;

	if (docker_stats_read(stats, &mem, &limit, &cur) != 0)
		return (NULL);
	pct = -1;
	/* Without one-shot the engine gives the previous sample itself. */
	pcs = json_object_get(stats, "precpu_stats");
	pre.total = docker_u64(json_object_get(pcs, "cpu_usage"),
	    "total_usage");
	pre.system = docker_u64(pcs, "system_cpu_usage");
	pre.online = cur.online;
	if (pre.system != 0)
		pct = docker_cpu_percent(&pre, &cur);
	if (pct < 0)
		pct = docker_cpu_percent(prev, &cur);
	docker_net_sum(stats, &rx, &tx);
	docker_blk_sum(stats, &rd, &wr);
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:I}",
	    "mem", (json_int_t)mem, "mem_limit", (json_int_t)limit,
	    "net_rx", (json_int_t)rx, "net_tx", (json_int_t)tx,
	    "blk_read", (json_int_t)rd, "blk_write", (json_int_t)wr,
	    "online_cpus", (int)cur.online, "pids", (json_int_t)docker_u64(
	    json_object_get(stats, "pids_stats"), "current"));
	json_object_set_new(o, "cpu_percent", pct >= 0 ? json_real(pct) :
	    json_null());
	json_object_set_new(o, "mem_percent", limit > 0 ?
	    json_real((double)mem * 100.0 / (double)limit) : json_null());
	if (json_is_string(json_object_get(stats, "read")))
		json_object_set(o, "read", json_object_get(stats, "read"));
	return (o);
}

/* Appends text as lines of one stream to out, counting bytes. */
static void
docker_add_lines(json_t *out, const char *stream, const char *p, size_t n)
{
	const char *nl;
	size_t len;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) : n;
		json_array_append_new(out, json_pack("{s:s, s:s%}", "stream",
		    stream, "text", p, len > 0 && p[len - 1] == '\r' ?
		    len - 1 : len));
		if (nl == NULL)
			break;
		n -= len + 1;
		p += len + 1;
	}
}

/* Whether buf is a complete sequence of 8-byte-header frames. */
bool
docker_logs_multiplexed(const char *buf, size_t len)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t pos = 0, sz;

	while (pos < len) {
		if (len - pos < 8 || b[pos] > 2 || b[pos + 1] != 0 ||
		    b[pos + 2] != 0 || b[pos + 3] != 0)
			return (false);
		sz = (size_t)b[pos + 4] << 24 | (size_t)b[pos + 5] << 16 |
		    (size_t)b[pos + 6] << 8 | (size_t)b[pos + 7];
		if (sz > len - pos - 8)
			return (false);
		pos += 8 + sz;
	}
	return (true);
}

/* Demultiplexes a logs body into lines. */
json_t *
docker_demux_logs(const char *buf, size_t len, bool tty, size_t max_bytes,
    bool *truncated)
{
	const unsigned char *b = (const unsigned char *)buf;
	json_t *lines = json_array(), *kept;
	size_t pos = 0, sz, total = 0, i, n;
	const char *stream;

	*truncated = false;
	if (tty || !docker_logs_multiplexed(buf, len))
		docker_add_lines(lines, "tty", buf, len);
	else {
		while (pos < len) {
			sz = (size_t)b[pos + 4] << 24 |
			    (size_t)b[pos + 5] << 16 |
			    (size_t)b[pos + 6] << 8 | (size_t)b[pos + 7];
			stream = b[pos] == 2 ? "stderr" : b[pos] == 0 ?
			    "stdin" : "stdout";
			/* A frame may hold several lines or end mid-line. */
			if (sz > 0 && buf[pos + 8 + sz - 1] == '\n')
				docker_add_lines(lines, stream, buf + pos + 8,
				    sz - 1);
			else
				docker_add_lines(lines, stream, buf + pos + 8,
				    sz);
			pos += 8 + sz;
		}
	}
	/* Keep the last lines that fit in max_bytes. */
	n = json_array_size(lines);
	for (i = n; i > 0; i--) {
		sz = strlen(json_string_value(json_object_get(
		    json_array_get(lines, i - 1), "text"))) + 1;
		if (total + sz > max_bytes)
			break;
		total += sz;
	}
	if (i > 0) {
		*truncated = true;
		kept = json_array();
		for (; i < n; i++)
			json_array_append(kept, json_array_get(lines, i));
		json_decref(lines);
		lines = kept;
	}
	return (lines);
}

/* Inspect summarised. */
json_t *
docker_parse_inspect(const json_t *in, const char *instance)
{
	const json_t *st, *cfg, *hc, *v, *net;
	const char *k, *name, *eq;
	json_t *o, *env, *mounts, *nets;
	size_t i;

	st = json_object_get(in, "State");
	cfg = json_object_get(in, "Config");
	hc = json_object_get(in, "HostConfig");
	name = docker_str(in, "Name");
	if (*name == '/')
		name++;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}",
	    "instance", instance, "id", docker_str(in, "Id"), "name", name,
	    "image", docker_str(cfg, "Image"), "state",
	    docker_str(st, "Status"), "created", docker_str(in, "Created"),
	    "running", json_is_true(json_object_get(st, "Running")),
	    "tty", json_is_true(json_object_get(cfg, "Tty")));
	json_object_set_new(o, "health", json_string(json_object_get(st,
	    "Health") != NULL ? docker_str(json_object_get(st, "Health"),
	    "Status") : "none"));
	json_object_set_new(o, "exit_code", json_integer(json_integer_value(
	    json_object_get(st, "ExitCode"))));
	json_object_set_new(o, "started_at", json_string(docker_str(st,
	    "StartedAt")));
	json_object_set_new(o, "finished_at", json_string(docker_str(st,
	    "FinishedAt")));
	json_object_set_new(o, "restart_count", json_integer(
	    json_integer_value(json_object_get(in, "RestartCount"))));
	json_object_set_new(o, "restart_policy", json_string(docker_str(
	    json_object_get(hc, "RestartPolicy"), "Name")));
	json_object_set_new(o, "network_mode", json_string(docker_str(hc,
	    "NetworkMode")));
	if (json_is_array(json_object_get(cfg, "Cmd")))
		json_object_set_new(o, "cmd", json_deep_copy(
		    json_object_get(cfg, "Cmd")));
	/* Environment values may be secrets: names only. */
	env = json_array();
	json_array_foreach(json_object_get(cfg, "Env"), i, v) {
		k = json_string_value(v);
		if (k == NULL)
			continue;
		eq = strchr(k, '=');
		json_array_append_new(env, json_stringn(k, eq != NULL ?
		    (size_t)(eq - k) : strlen(k)));
	}
	json_object_set_new(o, "env_names", env);
	json_object_set_new(o, "labels", json_is_object(json_object_get(cfg,
	    "Labels")) ? json_deep_copy(json_object_get(cfg, "Labels")) :
	    json_object());
	mounts = json_array();
	json_array_foreach(json_object_get(in, "Mounts"), i, v) {
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:b}",
		    "type", docker_str(v, "Type"), "source",
		    docker_str(v, "Source"), "destination",
		    docker_str(v, "Destination"), "rw",
		    json_is_true(json_object_get(v, "RW"))));
	}
	json_object_set_new(o, "mounts", mounts);
	nets = json_array();
	net = json_object_get(json_object_get(in, "NetworkSettings"),
	    "Networks");
	json_object_foreach((json_t *)net, k, v) {
		json_array_append_new(nets, json_pack("{s:s, s:s}", "name", k,
		    "ip", docker_str(v, "IPAddress")));
	}
	json_object_set_new(o, "networks", nets);
	return (o);
}

/* Image rows. */
json_t *
docker_parse_images(const json_t *list, const char *instance)
{
	const json_t *item;
	json_t *rows = json_array(), *tags;
	size_t i;

	json_array_foreach(list, i, item) {
		tags = json_array();
		if (json_is_array(json_object_get(item, "RepoTags")))
			json_array_extend(tags, json_object_get(item,
			    "RepoTags"));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:o, s:I,"
		    " s:I, s:I}", "instance", instance, "id",
		    docker_str(item, "Id"), "tags", tags, "size",
		    json_integer_value(json_object_get(item, "Size")),
		    "created", json_integer_value(json_object_get(item,
		    "Created")), "containers", json_integer_value(
		    json_object_get(item, "Containers"))));
	}
	return (rows);
}

/* Network rows. */
json_t *
docker_parse_networks(const json_t *list, const char *instance)
{
	const json_t *item;
	json_t *rows = json_array();
	size_t i;

	json_array_foreach(list, i, item) {
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s,"
		    " s:s, s:b, s:b}", "instance", instance, "id",
		    docker_str(item, "Id"), "name", docker_str(item, "Name"),
		    "driver", docker_str(item, "Driver"), "scope",
		    docker_str(item, "Scope"), "internal",
		    json_is_true(json_object_get(item, "Internal")),
		    "attachable", json_is_true(json_object_get(item,
		    "Attachable"))));
	}
	return (rows);
}

/* Volume rows. */
json_t *
docker_parse_volumes(const json_t *answer, const char *instance)
{
	const json_t *item;
	json_t *rows = json_array();
	size_t i;

	json_array_foreach(json_object_get(answer, "Volumes"), i, item) {
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s,"
		    " s:s}", "instance", instance, "name",
		    docker_str(item, "Name"), "driver",
		    docker_str(item, "Driver"), "mountpoint",
		    docker_str(item, "Mountpoint"), "scope",
		    docker_str(item, "Scope")));
	}
	return (rows);
}

/* Sums a size member over an array (sub: an object member holding it). */
static json_int_t
docker_sum(const json_t *a, const char *sub, const char *key)
{
	const json_t *v;
	json_int_t n = 0, x;
	size_t i;

	json_array_foreach(a, i, v) {
		if (sub != NULL)
			v = json_object_get(v, sub);
		/* The engine says -1 for a size it did not compute. */
		if ((x = json_integer_value(json_object_get(v, key))) > 0)
			n += x;
	}
	return (n);
}

/*
 * A disk-use total of /system/df: the v1.52+ shape's KIND.TotalSize, else
 * the sum over the older shape's array.
 */
static json_int_t
docker_df_size(const json_t *df, const char *usage, const char *list,
    const char *sub)
{
	const json_t *u = json_object_get(json_object_get(df, usage),
	    "TotalSize");

	if (json_is_integer(u))
		return (json_integer_value(u));
	return (docker_sum(json_object_get(df, list), sub, "Size"));
}

/* System summary. */
json_t *
docker_parse_system(const json_t *info, const json_t *version,
    const json_t *df, const char *instance)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I}", "instance", instance,
	    "version", docker_str(version, "Version"),
	    "api_version", docker_str(version, "ApiVersion"),
	    "os", docker_str(info, "OperatingSystem"),
	    "kernel", docker_str(info, "KernelVersion"),
	    "storage_driver", docker_str(info, "Driver"),
	    "cgroup_version", docker_str(info, "CgroupVersion"),
	    "ncpu", json_integer_value(json_object_get(info, "NCPU")),
	    "mem_total", json_integer_value(json_object_get(info, "MemTotal")),
	    "containers", json_integer_value(json_object_get(info,
	    "Containers")),
	    "containers_running", json_integer_value(json_object_get(info,
	    "ContainersRunning")),
	    "images", json_integer_value(json_object_get(info, "Images")),
	    "images_size", docker_df_size(df, "ImageUsage", "Images", NULL),
	    "volumes_size", docker_df_size(df, "VolumeUsage", "Volumes",
	    "UsageData"));
	/* Layers are what images share; the newer shape has no such total. */
	json_object_set_new(o, "layers_size", json_integer(json_is_integer(
	    json_object_get(df, "LayersSize")) ? json_integer_value(
	    json_object_get(df, "LayersSize")) : docker_df_size(df,
	    "ImageUsage", "Images", NULL)));
	json_object_set_new(o, "containers_size", json_integer(
	    docker_df_size(df, "ContainerUsage", "Containers", NULL)));
	json_object_set_new(o, "build_cache_size", json_integer(
	    docker_df_size(df, "BuildCacheUsage", "BuildCache", NULL)));
	return (o);
}

/* The parts of a prune, in docker_prunes order, and their lists. */
static const char *const docker_prune_names[DOCKER_NPRUNE] = {
	"containers", "images", "networks", "build_cache",
};
static const char *const docker_prune_deleted[DOCKER_NPRUNE] = {
	"ContainersDeleted", "ImagesDeleted", "NetworksDeleted",
	"CachesDeleted",
};

/* The summary of the four prune answers. */
json_t *
docker_parse_prune(const json_t *const answers[DOCKER_NPRUNE])
{
	json_t *parts = json_object();
	json_int_t space = 0, sp;
	size_t i;

	for (i = 0; i < DOCKER_NPRUNE; i++) {
		if (answers[i] == NULL)
			continue;
		sp = json_integer_value(json_object_get(answers[i],
		    "SpaceReclaimed"));
		if (sp < 0)
			sp = 0;
		space += sp;
		json_object_set_new(parts, docker_prune_names[i], json_pack(
		    "{s:I, s:I}", "deleted", (json_int_t)json_array_size(
		    json_object_get(answers[i], docker_prune_deleted[i])),
		    "space_reclaimed", sp));
	}
	return (json_pack("{s:I, s:o}", "space_reclaimed", space, "parts",
	    parts));
}

/* The name of prune part i. */
const char *
docker_prune_part(size_t i)
{
	return (i < DOCKER_NPRUNE ? docker_prune_names[i] : NULL);
}

/* Resets a progress. */
void
docker_progress_init(struct docker_progress *p)
{
	memset(p, 0, sizeof *p);
	p->layers = json_object();
}

/* Frees a progress. */
void
docker_progress_free(struct docker_progress *p)
{
	json_decref(p->layers);
	free(p->error);
	free(p->status);
	free(p->digest);
	memset(p, 0, sizeof *p);
}

/*
 * Updates one layer: its bytes when the line has a total, else the last
 * ones kept ("Pushed" and "Pull complete" carry an empty progressDetail),
 * all done once the layer is finished.
 */
static void
docker_progress_layer(struct docker_progress *p, const char *id,
    const char *status, const json_t *pd)
{
	static const char *const done[] = {
		"Pushed", "Pull complete", "Download complete",
		"Layer already exists", "Already exists", NULL
	};
	json_t *l = json_object_get(p->layers, id);
	json_int_t cur, total;
	size_t i;

	cur = json_integer_value(json_object_get(l, "current"));
	total = json_integer_value(json_object_get(l, "total"));
	if (json_integer_value(json_object_get(pd, "total")) > 0) {
		cur = json_integer_value(json_object_get(pd, "current"));
		total = json_integer_value(json_object_get(pd, "total"));
	}
	for (i = 0; done[i] != NULL; i++) {
		if (strcmp(status, done[i]) == 0)
			cur = total;
	}
	json_object_set_new(p->layers, id, json_pack("{s:I, s:I, s:s}",
	    "current", cur, "total", total, "status", status));
}

/* Feeds one line of a pull or push stream. */
int
docker_progress_line(struct docker_progress *p, const char *line, size_t len)
{
	const json_t *pd, *aux;
	const char *id, *status, *err, *dg;
	json_t *j;

	j = json_loadb(line, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return (0);
	}
	p->lines++;
	err = json_string_value(json_object_get(json_object_get(j,
	    "errorDetail"), "message"));
	if (err == NULL)
		err = json_string_value(json_object_get(j, "error"));
	if (err != NULL) {
		free(p->error);
		p->error = xstrdup(err);
		json_decref(j);
		return (-1);
	}
	status = json_string_value(json_object_get(j, "status"));
	id = json_string_value(json_object_get(j, "id"));
	pd = json_object_get(j, "progressDetail");
	if (id != NULL && status != NULL && json_is_object(pd))
		docker_progress_layer(p, id, status, pd);
	if (status != NULL) {
		free(p->status);
		p->status = xstrdup(status);
		if ((dg = strstr(status, "sha256:")) != NULL) {
			free(p->digest);
			p->digest = xstrndup(dg, strcspn(dg, " "));
		}
	}
	aux = json_object_get(j, "aux");
	if ((dg = json_string_value(json_object_get(aux, "Digest"))) != NULL) {
		free(p->digest);
		p->digest = xstrdup(dg);
	}
	json_decref(j);
	return (0);
}

/* Bytes done and total over the layers. */
void
docker_progress_sum(const struct docker_progress *p, int64_t *current,
    int64_t *total)
{
	const json_t *l;
	const char *k;

	*current = *total = 0;
	json_object_foreach((json_t *)p->layers, k, l) {
		if (json_integer_value(json_object_get(l, "total")) <= 0)
			continue;
		*current += json_integer_value(json_object_get(l, "current"));
		*total += json_integer_value(json_object_get(l, "total"));
	}
}

/* base64url without padding, as the engine decodes X-Registry-Auth. */
static char *
docker_base64url(const char *s)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	const unsigned char *b = (const unsigned char *)s;
	size_t len = strlen(s), i, o = 0;
	char *out = xmalloc(len / 3 * 4 + 5);
	unsigned v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8 | b[i + 2];
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = tbl[v >> 6 & 63];
		out[o++] = tbl[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned)b[i] << 16;
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8;
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = tbl[v >> 6 & 63];
	}
	out[o] = '\0';
	return (out);
}

/* The X-Registry-Auth header line. */
char *
docker_registry_auth(const char *user, const char *password,
    const char *server)
{
	json_t *j;
	char *text, *enc, *line;

	if (user != NULL)
		j = json_pack("{s:s, s:s, s:s}", "username", user, "password",
		    password != NULL ? password : "", "serveraddress",
		    server != NULL ? server : "");
	else
		j = NULL;
	/*
	 * json_pack refuses strings that are not UTF-8: such credentials
	 * cannot be sent, so none are (the engine then refuses the push).
	 */
	if (j == NULL)
		j = json_object();
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	enc = docker_base64url(text);
	free(text);
	xasprintf(&line, "X-Registry-Auth: %s", enc);
	free(enc);
	return (line);
}

/* Whether an event changes the container list. */
bool
docker_event_relevant(const json_t *ev)
{
	static const char *const actions[] = {
		"start", "stop", "die", "kill", "pause", "unpause", "create",
		"destroy", "rename", "restart", "oom", "health_status", NULL
	};
	const char *type, *action;
	size_t i, n;

	type = json_string_value(json_object_get(ev, "Type"));
	action = json_string_value(json_object_get(ev, "Action"));
	if (type == NULL || strcmp(type, "container") != 0 || action == NULL)
		return (false);
	for (i = 0; actions[i] != NULL; i++) {
		n = strlen(actions[i]);
		/* "health_status: healthy" carries the new state. */
		if (strncmp(action, actions[i], n) == 0 &&
		    (action[n] == '\0' || action[n] == ':'))
			return (true);
	}
	return (false);
}

/* Splits an image reference into name and tag. */
void
docker_split_ref(const char *ref, const char *tag, char **name,
    char **out_tag)
{
	const char *colon, *slash;

	colon = strrchr(ref, ':');
	slash = strrchr(ref, '/');
	if (strchr(ref, '@') != NULL || colon == NULL ||
	    (slash != NULL && colon < slash)) {
		*name = xstrdup(ref);
		*out_tag = xstrdup(tag != NULL ? tag :
		    strchr(ref, '@') != NULL ? "" : "latest");
		return;
	}
	*name = xstrndup(ref, (size_t)(colon - ref));
	*out_tag = xstrdup(tag != NULL ? tag : colon + 1);
}
