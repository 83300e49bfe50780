/*
 * libFuzzer target: every pure function of docker-parse.c on arbitrary
 * bytes (read as a body, as lines, as strings and as JSON) must return
 * what docker.h promises, never crash, leak or read past its input.
 * Seeded from tests/fixtures/docker.
 */
#include "config.h"

#include <stdbool.h>

#include "services/docker.h"
#include "tests/fuzz/parse-fuzz.h"

static void
strings(const char *s)
{
	struct docker_endpoint e;
	char *cause = NULL, *name = NULL, *tag = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (docker_endpoint_parse(s, i == 1, &e, &cause) == 0) {
			if (e.base_url == NULL || cause != NULL)
				abort();
		} else if (cause == NULL)
			abort();
		free(cause);
		cause = NULL;
		docker_endpoint_free(&e);
	}
	(void)docker_version_cmp(s, DOCKER_API_MIN);
	(void)docker_version_cmp(DOCKER_API_MAX, s);
	docker_split_ref(s, NULL, &name, &tag);
	free(name);
	free(tag);
	name = tag = NULL;
	docker_split_ref(s, "v1", &name, &tag);
	free(name);
	free(tag);
	fuzz_use_str(docker_registry_auth(s, s, s));
}

/* The body as a logs stream, a stats body and pull/push progress lines. */
static void
body(const char *b, size_t n)
{
	struct docker_progress p;
	int64_t cur, total;
	const char *line, *end, *nl;
	char *cause = NULL;
	bool trunc;
	json_t *st;

	(void)docker_logs_multiplexed(b, n);
	fuzz_use_array(docker_demux_logs(b, n, false, 64, &trunc));
	fuzz_use_array(docker_demux_logs(b, n, true, 1 << 20, &trunc));
	st = docker_load_stats(b, n, &cause);
	if ((st == NULL) == (cause == NULL))
		abort();
	free(cause);
	fuzz_use(st);
	docker_progress_init(&p);
	for (line = b, end = b + n; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		(void)docker_progress_line(&p, line, (size_t)(nl - line));
	}
	docker_progress_sum(&p, &cur, &total);
	docker_progress_free(&p);
}

static void
each(const json_t *v)
{
	const json_t *parts[DOCKER_NPRUNE] = { v, NULL, v, v };
	struct docker_cpu prev, cur;
	int64_t mem, limit;
	char ver[16], *cause = NULL;
	json_t *r;

	if (docker_negotiate(v, ver, sizeof ver, &cause) == 0) {
		if (memchr(ver, 0, sizeof ver) == NULL || cause != NULL)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	r = docker_parse_containers(v, "dk", &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	fuzz_use(r);
	(void)docker_health(v);
	memset(&prev, 0, sizeof prev);
	if (docker_stats_read(v, &mem, &limit, &cur) == 0) {
		(void)docker_cpu_percent(&prev, &cur);
		(void)docker_cpu_percent(&cur, &cur);
		prev = cur;
		prev.total /= 2;
		prev.system /= 2;
		(void)docker_cpu_percent(&prev, &cur);
	}
	fuzz_use(docker_parse_stats(v, NULL));
	fuzz_use(docker_parse_stats(v, &prev));
	fuzz_use(docker_parse_inspect(v, "dk"));
	fuzz_use_array(docker_parse_images(v, "dk"));
	fuzz_use_array(docker_parse_networks(v, "dk"));
	fuzz_use_array(docker_parse_volumes(v, "dk"));
	fuzz_use_object(docker_parse_system(v, v, v, "dk"));
	fuzz_use_object(docker_parse_system(v, NULL, NULL, "dk"));
	fuzz_use_object(docker_parse_prune(parts));
	(void)docker_event_relevant(v);
	if (json_is_string(v))
		strings(json_string_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = fuzz_bytes(data, size), *s = fuzz_cstr(data, size);
	json_t *root = fuzz_json(data, size);
	size_t i;

	body(b, size);
	strings(s);
	for (i = 0; docker_prune_part(i) != NULL; i++)
		;
	if (i != DOCKER_NPRUNE)
		abort();
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	free(b);
	return (0);
}
