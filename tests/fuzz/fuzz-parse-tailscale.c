/*
 * libFuzzer target: every pure function of tailscale-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what tailscale.h
 * promises, never crash, leak or read past its input. Seeded from
 * tests/fixtures/tailscale.
 */
#include "config.h"

#include "services/tailscale.h"
#include "tests/fuzz/parse-fuzz.h"

#define NOW_MS 1700000000000LL

static void
each(const json_t *v)
{
	char *cause = NULL, *token = NULL;
	long expires;
	json_t *r;

	fuzz_use(ts_parse_device(v, "ts", NOW_MS));
	r = ts_parse_devices(v, "ts", NOW_MS, &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	if (r != NULL) {
		if (!json_is_array(r))
			abort();
		(void)ts_find_device(r, "n1");
		fuzz_use(r);
	}
	(void)ts_find_device(v, "n1");
	fuzz_use_array(ts_routes_union(v, v, true));
	fuzz_use_array(ts_routes_union(v, NULL, false));
	fuzz_use_str(ts_validate_problem(v));
	if (ts_parse_oauth(v, &token, &expires) == 0 && token == NULL)
		abort();
	free(token);
	fuzz_use_object(ts_parse_dns(v, v, v));
	fuzz_use_object(ts_parse_dns(NULL, v, NULL));
	if (json_is_string(v))
		(void)ts_time_ms(json_string_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	json_t *root = fuzz_json(data, size);

	(void)ts_time_ms(s);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	return (0);
}
