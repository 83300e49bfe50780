/*
 * libFuzzer target: every pure function of pihole-parse.c on arbitrary
 * bytes (read as gravity output and as JSON) must return what pihole.h
 * promises, never crash, leak or read past its input. Seeded from
 * tests/fixtures/pihole.
 */
#include "config.h"

#include "services/pihole.h"
#include "tests/fuzz/parse-fuzz.h"

static void
each(const json_t *v)
{
	struct pihole_session s;
	const char *key;

	if (pihole_parse_session(v, &s) == 0 && s.valid && s.sid != NULL &&
	    strlen(s.sid) == (size_t)-1)
		abort();
	pihole_session_free(&s);
	fuzz_use_str(pihole_error_text(v, &key));
	fuzz_use_str(pihole_error_text(v, NULL));
	fuzz_use(pihole_parse_summary(v, v, "ph"));
	fuzz_use(pihole_parse_summary(v, NULL, "ph"));
	fuzz_use(pihole_parse_blocking(v, "ph"));
	fuzz_use_array(pihole_parse_top_domains(v, "ph", false));
	fuzz_use_array(pihole_parse_top_domains(v, "ph", true));
	fuzz_use_array(pihole_parse_top_clients(v, "ph"));
	fuzz_use_array(pihole_parse_history(v));
	fuzz_use_array(pihole_parse_domains(v, "ph"));
	fuzz_use_array(pihole_parse_queries(v, "ph"));
	fuzz_use_object(pihole_parse_upstreams(v, v, "ph"));
	fuzz_use_object(pihole_parse_upstreams(v, NULL, "ph"));
	(void)pihole_gravity_domains(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = fuzz_bytes(data, size);
	json_t *root = fuzz_json(data, size), *lines;

	lines = pihole_gravity_lines(b, size);
	if (!json_is_array(lines))
		abort();
	(void)pihole_gravity_domains(lines);
	fuzz_use(lines);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(b);
	return (0);
}
