/*
 * libFuzzer target: every pure function of portainer-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what portainer.h
 * promises, never crash, leak or read past its input. Seeded from
 * tests/fixtures/portainer.
 */
#include "config.h"

#include "services/portainer.h"
#include "tests/fuzz/parse-fuzz.h"

static void
each(const json_t *v)
{
	json_t *eps, *r;
	const json_t *row;
	char *cause = NULL;
	size_t i;

	eps = portainer_parse_endpoints(v, v, "home", &cause);
	if ((eps == NULL) == (cause == NULL))
		abort();
	free(cause);
	cause = NULL;
	json_array_foreach(eps, i, row)
		fuzz_use(portainer_usage_row(row));
	r = portainer_parse_stacks(v, eps, "home", &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	cause = NULL;
	fuzz_use(r);
	fuzz_use(eps);
	fuzz_use(portainer_stack_row(v, "home"));
	r = portainer_env_pairs(json_is_object(v) ? v : NULL, &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	fuzz_use(r);
	if (json_is_integer(v))
		(void)portainer_endpoint_type(json_integer_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *cause = NULL, name[64];
	json_t *root = fuzz_json(data, size);
	long id;

	if (portainer_url_parse(s, name, sizeof name, &id, &cause) == 0) {
		if (cause != NULL || id < 1 || strlen(name) == 0)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	return (0);
}
