/*
 * libFuzzer target: jsonfast_parse against jansson's json_loadb. Whatever
 * jsonfast accepts, jansson must accept with the same flags and build an
 * equal value of the same types; what jsonfast declines costs only speed
 * (callers fall back to jansson). The first byte picks the flags. The
 * writer must then print the value byte for byte as json_dumps does.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfast.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Same type everywhere (json_equal already requires it) and same reals. */
static void
check_same(const json_t *a, const json_t *b)
{
	const char *key;
	const json_t *v;
	size_t i;

	if (json_typeof(a) != json_typeof(b))
		abort();
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			abort();
		json_object_foreach((json_t *)a, key, v) {
			const json_t *w = json_object_get(b, key);

			if (w == NULL)
				abort();
			check_same(v, w);
		}
		break;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			abort();
		json_array_foreach(a, i, v)
			check_same(v, json_array_get(b, i));
		break;
	case JSON_REAL:
		if (json_real_value(a) != json_real_value(b))
			abort();
		break;
	default:
		if (!json_equal(a, b))
			abort();
	}
}

/* jsonfast_dump writes what json_dumps writes. */
static void
check_dump(const json_t *v)
{
	struct jf_buf b = { NULL, 0, 0 };
	char *ref;

	ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	jsonfast_dump(&b, v);
	if (ref == NULL || b.len != strlen(ref) || memcmp(b.data, ref, b.len))
		abort();
	free(ref);
	free(b.data);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t flag_sets[] = {
		JSONFAST_FLAGS, JSON_DECODE_ANY, 0,
		JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	};
	json_error_t err;
	json_t *fast, *ref;
	size_t flags;

	if (size == 0)
		return (0);
	flags = flag_sets[data[0] % 4];
	fast = jsonfast_parse((const char *)data + 1, size - 1, flags);
	if (fast == NULL)
		return (0);
	ref = json_loadb((const char *)data + 1, size - 1, flags, &err);
	if (ref == NULL)
		abort(); /* accepted what jansson refuses */
	check_same(fast, ref);
	check_same(ref, fast);
	check_dump(ref);
	json_decref(fast);
	json_decref(ref);
	return (0);
}
