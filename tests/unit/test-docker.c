/*
 * Docker Engine parse functions on spec-example responses and on responses
 * recorded from Debian 12's engine (tests/fixtures/docker, see SOURCE
 * there), and the service's tool invariants.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/docker.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* The path of a fixture file (caller frees). */
static char *
fixture_path(const char *name)
{
	const char *dir = getenv("srcdir");
	char *path;

	xasprintf(&path, "%s/tests/fixtures/docker/%s", dir != NULL ? dir :
	    ".", name);
	return (path);
}

/* A fixture file as JSON (new reference). */
static json_t *
fixture(const char *name)
{
	json_error_t err;
	json_t *j;
	char *path = fixture_path(name);

	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

/* A fixture file's bytes (caller frees); *len its size. */
static char *
fixture_bytes(const char *name, size_t *len)
{
	char *path = fixture_path(name), *buf;
	FILE *f = fopen(path, "rb");
	long n;

	ck_assert_msg(f != NULL, "%s (set srcdir)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return (buf);
}

/* A stats fixture, read as the backend reads stats (new reference). */
static json_t *
stats_fixture(const char *name)
{
	size_t len;
	char *buf = fixture_bytes(name, &len), *cause = NULL;
	json_t *j;

	j = docker_load_stats(buf, len, &cause);
	ck_assert_msg(j != NULL, "%s: %s", name, cause);
	free(buf);
	return (j);
}

/* A string member of a row. */
static const char *
str(const json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* An integer member of a row. */
static json_int_t
num(const json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

START_TEST(test_endpoint)
{
	struct docker_endpoint e;
	char *cause = NULL;

	ck_assert_int_eq(docker_endpoint_parse(NULL, false, &e, &cause), 0);
	ck_assert_str_eq(e.unix_path, "/var/run/docker.sock");
	ck_assert_str_eq(e.base_url, "http://docker");
	docker_endpoint_free(&e);
	ck_assert_int_eq(docker_endpoint_parse("tcp://10.0.0.5:2376", true,
	    &e, &cause), 0);
	ck_assert_ptr_null(e.unix_path);
	ck_assert_str_eq(e.base_url, "https://10.0.0.5:2376");
	docker_endpoint_free(&e);
	ck_assert_int_eq(docker_endpoint_parse("tcp://10.0.0.5:2375/", false,
	    &e, &cause), 0);
	ck_assert_str_eq(e.base_url, "http://10.0.0.5:2375");
	docker_endpoint_free(&e);
	ck_assert_int_eq(docker_endpoint_parse("unix://run/docker.sock",
	    false, &e, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "absolute path"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(docker_endpoint_parse("ssh://host", false, &e,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "unix://, tcp://"));
	free(cause);
}
END_TEST

START_TEST(test_negotiate)
{
	json_t *v;
	char api[16], *cause = NULL;

	/* Debian 12's engine speaks 1.41. */
	v = fixture("real-version.json");
	ck_assert_int_eq(docker_negotiate(v, api, sizeof api, &cause), 0);
	ck_assert_str_eq(api, "1.41");
	json_decref(v);
	v = fixture("spec-version.json");
	ck_assert_int_eq(docker_negotiate(v, api, sizeof api, &cause), 0);
	ck_assert_str_eq(api, "1.47");
	/* Newer than racktop knows: capped; older than one-shot: refused. */
	json_object_set_new(v, "ApiVersion", json_string("1.99"));
	ck_assert_int_eq(docker_negotiate(v, api, sizeof api, &cause), 0);
	ck_assert_str_eq(api, DOCKER_API_MAX);
	json_object_set_new(v, "ApiVersion", json_string("1.40"));
	ck_assert_int_eq(docker_negotiate(v, api, sizeof api, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "speaks API 1.40"));
	free(cause);
	cause = NULL;
	json_object_del(v, "ApiVersion");
	ck_assert_int_eq(docker_negotiate(v, api, sizeof api, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no ApiVersion"));
	free(cause);
	json_decref(v);
	ck_assert_int_lt(docker_version_cmp("1.9", "1.41"), 0);
	ck_assert_int_gt(docker_version_cmp("1.100", "1.56"), 0);
	ck_assert_int_eq(docker_version_cmp("1.41", "1.41"), 0);
}
END_TEST

START_TEST(test_containers_with_health)
{
	json_t *list = fixture("spec-containers.json"), *rows, *row;
	char *cause = NULL;

	rows = docker_parse_containers(list, "lab", &cause);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 1);
	row = json_array_get(rows, 0);
	ck_assert_str_eq(str(row, "instance"), "lab");
	ck_assert_str_eq(str(row, "name"), "funny_chatelet");
	ck_assert_str_eq(str(row, "short_id"), "aa86eacfb3b3");
	ck_assert_str_eq(str(row, "image"), "docker.io/library/ubuntu:latest");
	ck_assert_str_eq(str(row, "state"), "running");
	ck_assert_str_eq(str(row, "status"), "Up 4 days");
	/* From the Health field: the status text says nothing. */
	ck_assert_str_eq(str(row, "health"), "healthy");
	ck_assert_int_eq(num(row, "created"), 1739811096);
	json_decref(rows);
	/* The Health field wins over the text. */
	row = json_array_get(list, 0);
	json_object_set_new(row, "Status", json_string("Up 4 days "
	    "(unhealthy)"));
	ck_assert_str_eq(docker_health(row), "healthy");
	json_decref(list);
}
END_TEST

START_TEST(test_containers_without_health)
{
	json_t *list = fixture("real-containers.json"), *rows, *row;
	char *cause = NULL;

	/* API 1.41 has no Health in the list: the status text decides. */
	rows = docker_parse_containers(list, "real", &cause);
	ck_assert_uint_eq(json_array_size(rows), 2);
	row = json_array_get(rows, 1);
	ck_assert_str_eq(str(row, "name"), "web");
	ck_assert_str_eq(str(row, "image"), "rt-busybox");
	ck_assert_str_eq(str(row, "health"), "none");
	ck_assert_int_eq(num(row, "created"), 1795614540);
	json_decref(rows);
	row = json_array_get(list, 0);
	ck_assert_ptr_null(json_object_get(row, "Health"));
	json_object_set_new(row, "Status", json_string("Up 2 hours "
	    "(unhealthy)"));
	ck_assert_str_eq(docker_health(row), "unhealthy");
	json_object_set_new(row, "Status", json_string("Up 3 seconds "
	    "(health: starting)"));
	ck_assert_str_eq(docker_health(row), "starting");
	json_object_set_new(row, "Status", json_string("Up 1 minute "
	    "(healthy)"));
	ck_assert_str_eq(docker_health(row), "healthy");
	json_decref(list);
	/* Not a list: a clear error. */
	list = fixture("real-nosuch.json");
	ck_assert_ptr_null(docker_parse_containers(list, "real", &cause));
	ck_assert_str_eq(cause, "/containers/json: not an array");
	free(cause);
	json_decref(list);
}
END_TEST

START_TEST(test_inspect)
{
	json_t *in = fixture("spec-inspect.json"), *o;
	char *text;

	o = docker_parse_inspect(in, "lab");
	ck_assert_str_eq(str(o, "name"), "funny_chatelet");
	ck_assert_str_eq(str(o, "state"), "running");
	ck_assert(json_is_true(json_object_get(o, "running")));
	ck_assert_str_eq(str(o, "health"), "healthy");
	ck_assert_str_eq(str(o, "image"), "example-image:1.0");
	ck_assert_str_eq(str(o, "started_at"),
	    "2020-01-06T09:06:59.461876391Z");
	ck_assert_uint_eq(json_array_size(json_object_get(o, "mounts")), 1);
	ck_assert_str_eq(str(json_array_get(json_object_get(o, "mounts"), 0),
	    "destination"), "/usr/share/nginx/html/");
	/* Environment: names only, never values. */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o,
	    "env_names"), 0)), "PATH");
	text = json_dumps(o, 0);
	ck_assert_ptr_null(strstr(text, "/usr/local/sbin"));
	free(text);
	json_decref(o);
	json_decref(in);

	in = fixture("real-inspect.json");
	o = docker_parse_inspect(in, "real");
	ck_assert_str_eq(str(o, "name"), "web");
	ck_assert_str_eq(str(o, "health"), "none");
	ck_assert(json_is_false(json_object_get(o, "tty")));
	ck_assert_str_eq(str(o, "network_mode"), "none");
	ck_assert_uint_eq(json_array_size(json_object_get(o, "cmd")), 3);
	json_decref(o);
	json_decref(in);
}
END_TEST

START_TEST(test_stats_cgroup2)
{
	json_t *a = stats_fixture("spec-stats.json"), *b;
	json_t *later = stats_fixture("spec-stats-later.json"), *o;
	char *cause = NULL;
	struct docker_cpu ca, cb;
	int64_t mem, limit;

	/* Memory as docker stats: usage minus inactive_file (cgroup v2). */
	ck_assert_int_eq(docker_stats_read(later, &mem, &limit, &cb), 0);
	ck_assert_int_eq(mem, 10485760 - 2510848);
	ck_assert_int_eq(limit, 8217579520LL);
	ck_assert_uint_eq(cb.online, 5);
	/* CPU % from two samples: 1e8 / 1e9 of the system, 5 CPUs. */
	ck_assert_int_eq(docker_stats_read(a, &mem, &limit, &ca), 0);
	ck_assert_int_eq(mem, 0);	/* usage 0 < inactive_file */
	ck_assert(fabs(docker_cpu_percent(&ca, &cb) - 50.0) < 1e-9);
	/* Equal samples and no previous sample give no CPU %. */
	ck_assert(docker_cpu_percent(&ca, &ca) < 0);
	ck_assert(docker_cpu_percent(NULL, &cb) < 0);
	/* The summary: precpu_stats inside the answer is the other sample. */
	o = docker_parse_stats(later, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert(fabs(json_real_value(json_object_get(o, "cpu_percent")) -
	    50.0) < 1e-9);
	ck_assert_int_eq(num(o, "mem"), 7974912);
	ck_assert(fabs(json_real_value(json_object_get(o, "mem_percent")) -
	    7974912.0 * 100 / 8217579520.0) < 1e-9);
	ck_assert_int_eq(num(o, "net_rx"), 5338 + 4641);
	ck_assert_int_eq(num(o, "net_tx"), 648 + 690);
	ck_assert_int_eq(num(o, "blk_read"), 7593984);
	ck_assert_int_eq(num(o, "blk_write"), 100);
	ck_assert_int_eq(num(o, "pids"), 5);
	json_decref(o);
	/* The pids limit is 2^64-1 (unlimited), beyond int64. */
	ck_assert(json_is_real(json_object_get(json_object_get(a,
	    "pids_stats"), "limit")));
	ck_assert_ptr_null(docker_load_stats("{\"read\":", 8, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "invalid JSON"));
	free(cause);
	/* Not a stats answer. */
	b = fixture("spec-no-such-container.json");
	ck_assert_int_eq(docker_stats_read(b, &mem, &limit, &ca), -1);
	ck_assert_ptr_null(docker_parse_stats(b, NULL));
	json_decref(b);
	json_decref(a);
	json_decref(later);
}
END_TEST

START_TEST(test_stats_cgroup1)
{
	json_t *a = stats_fixture("real-stats-a.json");
	json_t *b = stats_fixture("real-stats-b.json");
	json_t *s = stats_fixture("real-stats-noone.json"), *o;
	struct docker_cpu ca, cb;
	int64_t mem, limit;

	/* cgroup v1: usage minus total_inactive_file (0 here). */
	ck_assert_int_eq(docker_stats_read(a, &mem, &limit, &ca), 0);
	ck_assert_int_eq(mem, 516096);
	ck_assert_int_eq(limit, 25276063744LL);
	ck_assert_uint_eq(ca.online, 2);
	ck_assert_int_eq(docker_stats_read(b, &mem, &limit, &cb), 0);
	/* An idle container between two one-shot samples: 0 %, not none. */
	ck_assert(fabs(docker_cpu_percent(&ca, &cb)) < 1e-9);
	/* A one-shot answer alone has no previous sample (precpu zero). */
	o = docker_parse_stats(a, NULL);
	ck_assert(json_is_null(json_object_get(o, "cpu_percent")));
	json_decref(o);
	/* ... unless the caller has one. */
	o = docker_parse_stats(b, &ca);
	ck_assert(fabs(json_real_value(json_object_get(o, "cpu_percent")))
	    < 1e-9);
	json_decref(o);
	/* Without one-shot the engine gives precpu_stats itself. */
	o = docker_parse_stats(s, NULL);
	ck_assert(json_is_real(json_object_get(o, "cpu_percent")));
	json_decref(o);
	/* An engine with only the older "cache" counter. */
	json_object_del(json_object_get(json_object_get(a, "memory_stats"),
	    "stats"), "total_inactive_file");
	json_object_del(json_object_get(json_object_get(a, "memory_stats"),
	    "stats"), "inactive_file");
	ck_assert_int_eq(docker_stats_read(a, &mem, &limit, &ca), 0);
	ck_assert_int_eq(mem, 516096 - 8192);
	json_decref(a);
	json_decref(b);
	json_decref(s);
}
END_TEST

START_TEST(test_logs_multiplexed)
{
	/* Frames as the API describes them: {stream, 0, 0, 0, size32be}. */
	static const char frames[] =
	    "\001\000\000\000\000\000\000\013one\ntwo\nthr"
	    "\002\000\000\000\000\000\000\005oops\n"
	    "\001\000\000\000\000\000\000\003ee\n";
	json_t *lines;
	size_t len;
	char *buf = fixture_bytes("real-logs.bin", &len);
	bool trunc;

	ck_assert(docker_logs_multiplexed(buf, len));
	lines = docker_demux_logs(buf, len, false, 65536, &trunc);
	ck_assert(!trunc);
	ck_assert_uint_eq(json_array_size(lines), 2);
	ck_assert_str_eq(str(json_array_get(lines, 0), "stream"), "stderr");
	ck_assert_str_eq(str(json_array_get(lines, 0), "text"), "err");
	ck_assert_str_eq(str(json_array_get(lines, 1), "stream"), "stdout");
	ck_assert_str_eq(str(json_array_get(lines, 1), "text"), "out");
	json_decref(lines);
	free(buf);

	/* Several lines in a frame, and a line split across frames. */
	ck_assert(docker_logs_multiplexed(frames, sizeof frames - 1));
	lines = docker_demux_logs(frames, sizeof frames - 1, false, 65536,
	    &trunc);
	ck_assert_uint_eq(json_array_size(lines), 5);
	ck_assert_str_eq(str(json_array_get(lines, 1), "text"), "two");
	ck_assert_str_eq(str(json_array_get(lines, 2), "text"), "thr");
	ck_assert_str_eq(str(json_array_get(lines, 3), "stream"), "stderr");
	ck_assert_str_eq(str(json_array_get(lines, 3), "text"), "oops");
	ck_assert_str_eq(str(json_array_get(lines, 4), "text"), "ee");
	json_decref(lines);
	/* The cap keeps the newest lines that fit. */
	lines = docker_demux_logs(frames, sizeof frames - 1, false, 8, &trunc);
	ck_assert(trunc);
	ck_assert_uint_eq(json_array_size(lines), 2);
	ck_assert_str_eq(str(json_array_get(lines, 0), "text"), "oops");
	json_decref(lines);
	/* A frame cut short is not a frame sequence. */
	ck_assert(!docker_logs_multiplexed(frames, 12));
}
END_TEST

START_TEST(test_logs_tty)
{
	json_t *lines;
	size_t len;
	char *buf = fixture_bytes("real-logs-tty.bin", &len);
	bool trunc;

	/* 1.41 sends no Content-Type: the raw body is not framed. */
	ck_assert(!docker_logs_multiplexed(buf, len));
	lines = docker_demux_logs(buf, len, false, 65536, &trunc);
	ck_assert_uint_eq(json_array_size(lines), 2);
	ck_assert_str_eq(str(json_array_get(lines, 0), "stream"), "tty");
	ck_assert_str_eq(str(json_array_get(lines, 0), "text"), "hello tty");
	ck_assert_str_eq(str(json_array_get(lines, 1), "text"), "err tty");
	json_decref(lines);
	free(buf);
	/* Told it is a TTY, even framed-looking bytes stay raw. */
	lines = docker_demux_logs("\001\000\000\000\000\000\000\001x", 9, true,
	    65536, &trunc);
	ck_assert_str_eq(str(json_array_get(lines, 0), "stream"), "tty");
	json_decref(lines);
}
END_TEST

START_TEST(test_images_networks_volumes)
{
	json_t *j, *rows, *row;

	j = fixture("spec-images.json");
	rows = docker_parse_images(j, "lab");
	ck_assert_uint_eq(json_array_size(rows), 1);
	row = json_array_get(rows, 0);
	ck_assert_str_eq(str(row, "id"), str(json_array_get(j, 0), "Id"));
	ck_assert_uint_eq(json_array_size(json_object_get(row, "tags")), 4);
	ck_assert_int_eq(num(row, "size"), 172064416);
	ck_assert_int_eq(num(row, "containers"), 2);
	json_decref(rows);
	json_decref(j);
	j = fixture("real-images.json");
	rows = docker_parse_images(j, "real");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_array_get(rows, 0), "tags"), 0)), "rt-busybox:latest");
	ck_assert_int_eq(num(json_array_get(rows, 0), "size"), 2444042);
	json_decref(rows);
	json_decref(j);

	j = fixture("spec-networks.json");
	rows = docker_parse_networks(j, "lab");
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert_str_eq(str(json_array_get(rows, 0), "name"), "bridge");
	ck_assert_str_eq(str(json_array_get(rows, 1), "driver"), "null");
	ck_assert_str_eq(str(json_array_get(rows, 2), "scope"), "local");
	json_decref(rows);
	json_decref(j);

	j = fixture("spec-volumes.json");
	rows = docker_parse_volumes(j, "lab");
	ck_assert_uint_eq(json_array_size(rows), 1);
	ck_assert_str_eq(str(json_array_get(rows, 0), "name"),
	    str(json_array_get(json_object_get(j, "Volumes"), 0), "Name"));
	json_decref(rows);
	json_decref(j);
	j = fixture("real-volumes.json");
	rows = docker_parse_volumes(j, "real");
	ck_assert_str_eq(str(json_array_get(rows, 0), "name"), "vol1");
	ck_assert_str_eq(str(json_array_get(rows, 0), "driver"), "local");
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_system)
{
	json_t *info = fixture("spec-info.json"), *ver, *df, *o;

	/* The v1.52+ /system/df: totals per kind. */
	ver = fixture("spec-version.json");
	df = fixture("spec-system-df.json");
	o = docker_parse_system(info, ver, df, "lab");
	ck_assert_str_eq(str(o, "api_version"), "1.47");
	ck_assert_int_eq(num(o, "images_size"), 98765432);
	ck_assert_int_eq(num(o, "volumes_size"), 98765432);
	ck_assert_int_eq(num(o, "containers_size"), 98765432);
	ck_assert_int_eq(num(o, "build_cache_size"), 98765432);
	ck_assert_int_eq(num(o, "ncpu"), num(info, "NCPU"));
	json_decref(o);
	json_decref(info);
	json_decref(ver);
	json_decref(df);
	/* Debian's 1.41: arrays, volume sizes under UsageData. */
	info = fixture("real-info.json");
	ver = fixture("real-version.json");
	df = fixture("real-system-df.json");
	o = docker_parse_system(info, ver, df, "real");
	ck_assert_str_eq(str(o, "version"), "20.10.24+dfsg1");
	ck_assert_str_eq(str(o, "cgroup_version"), "1");
	ck_assert_str_eq(str(o, "storage_driver"), "overlay2");
	ck_assert_int_eq(num(o, "containers"), 2);
	ck_assert_int_eq(num(o, "images_size"), 2444042);
	ck_assert_int_eq(num(o, "layers_size"), 2444042);
	ck_assert_int_eq(num(o, "volumes_size"), 0);
	ck_assert_int_eq(num(o, "build_cache_size"), 0);
	json_decref(o);
	/* A volume with a size counts; -1 (not computed) does not. */
	json_object_set_new(json_object_get(json_array_get(json_object_get(df,
	    "Volumes"), 0), "UsageData"), "Size", json_integer(4096));
	json_array_append_new(json_object_get(df, "Volumes"), json_pack(
	    "{s:{s:i}}", "UsageData", "Size", -1));
	o = docker_parse_system(info, ver, df, "real");
	ck_assert_int_eq(num(o, "volumes_size"), 4096);
	json_decref(o);
	json_decref(info);
	json_decref(ver);
	json_decref(df);
}
END_TEST

START_TEST(test_prune_summed)
{
	const json_t *answers[DOCKER_NPRUNE];
	json_t *j[DOCKER_NPRUNE], *o, *parts;
	size_t i;

	j[0] = fixture("real-prune-containers.json");
	j[1] = fixture("real-prune-images.json");
	j[2] = fixture("real-prune-networks.json");
	j[3] = fixture("real-prune-build.json");
	/* Give the images and the build cache something to reclaim. */
	json_object_set_new(j[1], "ImagesDeleted", json_pack("[{s:s}, {s:s}]",
	    "Untagged", "127.0.0.1:5000/rt/busybox:2", "Deleted",
	    "sha256:da58c3a8b5b6"));
	json_object_set_new(j[1], "SpaceReclaimed", json_integer(2444042));
	json_object_set_new(j[3], "CachesDeleted", json_pack("[s]", "k1"));
	json_object_set_new(j[3], "SpaceReclaimed", json_integer(4096));
	for (i = 0; i < DOCKER_NPRUNE; i++)
		answers[i] = j[i];
	o = docker_parse_prune(answers);
	ck_assert_int_eq(num(o, "space_reclaimed"), 102400 + 2444042 + 4096);
	parts = json_object_get(o, "parts");
	ck_assert_int_eq(num(json_object_get(parts, "containers"), "deleted"),
	    2);
	ck_assert_int_eq(num(json_object_get(parts, "containers"),
	    "space_reclaimed"), 102400);
	ck_assert_int_eq(num(json_object_get(parts, "images"), "deleted"), 2);
	ck_assert_int_eq(num(json_object_get(parts, "networks"), "deleted"),
	    0);
	ck_assert_int_eq(num(json_object_get(parts, "build_cache"),
	    "space_reclaimed"), 4096);
	json_decref(o);
	/* A failed part is left out of the sum and of parts. */
	answers[1] = NULL;
	o = docker_parse_prune(answers);
	ck_assert_int_eq(num(o, "space_reclaimed"), 102400 + 4096);
	ck_assert_ptr_null(json_object_get(json_object_get(o, "parts"),
	    "images"));
	json_decref(o);
	ck_assert_str_eq(docker_prune_part(3), "build_cache");
	ck_assert_ptr_null(docker_prune_part(4));
	for (i = 0; i < DOCKER_NPRUNE; i++)
		json_decref(j[i]);
}
END_TEST

/* Feeds a JSON-lines fixture to a progress; the first failing line's rc. */
static int
feed(struct docker_progress *p, const char *name)
{
	size_t len, n;
	char *buf = fixture_bytes(name, &len), *s = buf, *nl;
	int rc = 0;

	while (rc == 0 && (nl = memchr(s, '\n', len - (size_t)(s - buf))) !=
	    NULL) {
		n = (size_t)(nl - s);
		rc = docker_progress_line(p, s, n);
		s = nl + 1;
	}
	free(buf);
	return (rc);
}

START_TEST(test_progress)
{
	struct docker_progress p;
	int64_t cur, total;

	docker_progress_init(&p);
	ck_assert_int_eq(feed(&p, "real-push.jsonl"), 0);
	ck_assert_ptr_null(p.error);
	ck_assert_uint_eq(p.lines, 8);
	ck_assert_str_eq(p.digest, "sha256:9200c98fc21171dcf26561a08031815cd7"
	    "08f2779da2d21cd45ff301e1b90660");
	ck_assert_uint_eq(json_object_size(p.layers), 1);
	/* "Pushed" has an empty progressDetail: the layer is all done. */
	docker_progress_sum(&p, &cur, &total);
	ck_assert_int_eq(total, 2444042);
	ck_assert_int_eq(cur, 2444042);
	docker_progress_free(&p);

	docker_progress_init(&p);
	ck_assert_int_eq(feed(&p, "real-pull.jsonl"), 0);
	ck_assert_ptr_nonnull(strstr(p.status, "Downloaded newer image"));
	ck_assert_str_eq(p.digest, "sha256:9200c98fc21171dcf26561a08031815cd7"
	    "08f2779da2d21cd45ff301e1b90660");
	docker_progress_free(&p);

	/* Errors inside an HTTP 200 stream. */
	docker_progress_init(&p);
	ck_assert_int_eq(feed(&p, "real-push-nosuch.jsonl"), -1);
	ck_assert_str_eq(p.error, "tag does not exist: "
	    "127.0.0.1:39083/rt/busybox:nosuch");
	ck_assert_uint_eq(p.lines, 2);
	docker_progress_free(&p);
	docker_progress_init(&p);
	ck_assert_int_eq(feed(&p, "real-push-down.jsonl"), -1);
	ck_assert_ptr_nonnull(strstr(p.error, "connection refused"));
	docker_progress_free(&p);
	/* A line that is not JSON is skipped, not an error. */
	docker_progress_init(&p);
	ck_assert_int_eq(docker_progress_line(&p, "garbage", 7), 0);
	ck_assert_uint_eq(p.lines, 0);
	docker_progress_free(&p);
}
END_TEST

START_TEST(test_registry_auth_and_refs)
{
	char *h, *name, *tag;

	h = docker_registry_auth(NULL, NULL, NULL);
	ck_assert_str_eq(h, "X-Registry-Auth: e30");	/* {} */
	free(h);
	h = docker_registry_auth("u", "p", "127.0.0.1:5000");
	ck_assert_str_eq(h, "X-Registry-Auth: eyJ1c2VybmFtZSI6InUiLCJwYXNzd29y"
	    "ZCI6InAiLCJzZXJ2ZXJhZGRyZXNzIjoiMTI3LjAuMC4xOjUwMDAifQ");
	free(h);
	docker_split_ref("127.0.0.1:5000/rt/busybox:1", NULL, &name, &tag);
	ck_assert_str_eq(name, "127.0.0.1:5000/rt/busybox");
	ck_assert_str_eq(tag, "1");
	free(name);
	free(tag);
	docker_split_ref("127.0.0.1:5000/rt/busybox", NULL, &name, &tag);
	ck_assert_str_eq(name, "127.0.0.1:5000/rt/busybox");
	ck_assert_str_eq(tag, "latest");
	free(name);
	free(tag);
	docker_split_ref("busybox:1", "2", &name, &tag);
	ck_assert_str_eq(tag, "2");
	free(name);
	free(tag);
	docker_split_ref("busybox@sha256:9200c98f", NULL, &name, &tag);
	ck_assert_str_eq(name, "busybox@sha256:9200c98f");
	ck_assert_str_eq(tag, "");
	free(name);
	free(tag);
}
END_TEST

START_TEST(test_events)
{
	json_t *ev = fixture("spec-event.json");

	ck_assert(docker_event_relevant(ev));	/* container create */
	json_object_set_new(ev, "Action", json_string("health_status: "
	    "unhealthy"));
	ck_assert(docker_event_relevant(ev));
	json_object_set_new(ev, "Action", json_string("exec_start: sh -c"));
	ck_assert(!docker_event_relevant(ev));
	json_object_set_new(ev, "Action", json_string("start"));
	json_object_set_new(ev, "Type", json_string("network"));
	ck_assert(!docker_event_relevant(ev));
	json_decref(ev);
}
END_TEST

START_TEST(test_service_invariants)
{
	static const struct rt_service *const table[] = { &docker_service,
		NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 16);
	ck_assert_ptr_nonnull(registry_find(reg, "docker_prune_system"));
	ck_assert_ptr_nonnull(registry_find(reg, "docker_push_image"));
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
docker_suite(void)
{
	Suite *s = suite_create("docker");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_endpoint);
	tcase_add_test(tc, test_negotiate);
	tcase_add_test(tc, test_containers_with_health);
	tcase_add_test(tc, test_containers_without_health);
	tcase_add_test(tc, test_inspect);
	tcase_add_test(tc, test_stats_cgroup2);
	tcase_add_test(tc, test_stats_cgroup1);
	tcase_add_test(tc, test_logs_multiplexed);
	tcase_add_test(tc, test_logs_tty);
	tcase_add_test(tc, test_images_networks_volumes);
	tcase_add_test(tc, test_system);
	tcase_add_test(tc, test_prune_summed);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_registry_auth_and_refs);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite. */
int
main(void)
{
	SRunner *sr = srunner_create(docker_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
