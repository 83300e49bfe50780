/*
 * libFuzzer target: every pure function of cloudflare-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what cloudflare.h
 * promises, never crash, leak or read past its input. Seeded from
 * tests/fixtures/cloudflare.
 */
#include "config.h"

#include "services/cloudflare.h"
#include "tests/fuzz/parse-fuzz.h"

static void
each(const json_t *v)
{
	const json_t *result = NULL, *info = NULL;
	char *cause = NULL;
	json_t *r;
	int code;
	size_t max;

	if (cf_envelope(v, &result, &info, &code, &cause) == 0) {
		if (cause != NULL)
			abort();
		(void)cf_more_pages(info, json_array_size(result));
	} else if (cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	(void)cf_more_pages(v, 0);
	(void)cf_more_pages(v, 50);
	fuzz_use(cf_parse_zone(v, "cf"));
	fuzz_use(cf_parse_dns_record(v, "cf", "example.com"));
	fuzz_use(cf_parse_tunnel(v, "cf"));
	fuzz_use(cf_parse_rule(v, "cf", "example.com"));
	r = cf_parse_analytics(v, &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	fuzz_use(r);
	for (max = 1; max <= 4; max += 3)
		fuzz_use_array(cf_batches(v, max));
	if (json_is_string(v))
		(void)cf_permission(json_string_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	json_t *root = fuzz_json(data, size);

	(void)cf_permission(s);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	return (0);
}
