/*
 * libFuzzer target for the schema validator. The input is a schema and
 * an instance separated by a NUL byte; both are parsed, the schema is
 * compiled and the instance validated with and without defaults. Input
 * without a NUL is also tried as a pattern. Nothing may crash or leak.
 */
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Validates a copy of instance, so defaults never touch the original. */
static void
fuzz_validate(const struct schema *s, const json_t *instance, bool defaults)
{
	json_t *copy;
	char *error;

	if ((copy = json_deep_copy(instance)) == NULL)
		return;
	/*
	 * An error string comes with -1 and only then. (Re-validating after
	 * defaults is no invariant: a default can make a second oneOf
	 * branch match.)
	 */
	if ((schema_validate(s, copy, defaults, "arguments", &error) == 0) !=
	    (error == NULL))
		abort();
	free(error);
	json_decref(copy);
}

/* Runs one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	struct schema *s;
	json_t *schema, *instance;
	char *cause, *text;
	size_t slen;

	if ((nul = memchr(data, '\0', size)) == NULL) {
		text = malloc(size + 1);
		if (text == NULL)
			return (0);
		memcpy(text, data, size);
		text[size] = '\0';
		(void)schema_pattern_match(text, "pve-node1 123 \xc3\xa9");
		s = schema_compile_text(text, &cause);
		if ((s == NULL) == (cause == NULL))
			abort();
		schema_free(s);
		free(cause);
		free(text);
		return (0);
	}

	slen = (size_t)(nul - data);
	schema = json_loadb((const char *)data, slen, JSON_DECODE_ANY, NULL);
	if (schema == NULL)
		return (0);
	instance = json_loadb(
	    (const char *)nul + 1, size - slen - 1, JSON_DECODE_ANY, NULL);
	s = schema_compile(schema, &cause);
	if ((s == NULL) == (cause == NULL))
		abort();
	if (s != NULL && instance != NULL) {
		fuzz_validate(s, instance, false);
		fuzz_validate(s, instance, true);
	}
	schema_free(s);
	free(cause);
	json_decref(instance);
	json_decref(schema);
	return (0);
}
