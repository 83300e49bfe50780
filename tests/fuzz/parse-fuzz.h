/*
 * Shared by the fuzz-parse-SERVICE targets: each drives every pure parse
 * function of one backend with arbitrary bytes. The input is read both as
 * raw bytes (for the functions that take a body or a string) and as JSON;
 * the JSON functions get the value itself and every value up to two levels
 * down, so a recorded envelope ({"data": [...]}, {"result": [...]}) reaches
 * the functions that take its inner array or its items. Only the first few
 * members of each level are visited, which keeps one run cheap.
 */
#ifndef RT_PARSE_FUZZ_H
#define RT_PARSE_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_WALK_DEPTH 2
#define FUZZ_WALK_ITEMS 8

/* An exact-size copy (ASan then catches any read past it); caller frees. */
static inline char *
fuzz_bytes(const uint8_t *data, size_t size)
{
	char *p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		abort();
	memcpy(p, data, size);
	return (p);
}

/* The input as a C string: bytes up to the first NUL. Caller frees. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	const void *nul = memchr(data, 0, size);
	size_t n = nul != NULL ? (size_t)((const uint8_t *)nul - data) : size;
	char *p = malloc(n + 1);

	if (p == NULL)
		abort();
	memcpy(p, data, n);
	p[n] = '\0';
	return (p);
}

/*
 * Takes a parse result: it must serialise (no cycle, no invalid value),
 * then it is freed. NULL is allowed; callers check what the header
 * promises before calling this.
 */
static inline void
fuzz_use(json_t *v)
{
	char *s;

	if (v == NULL)
		return;
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		abort();
	free(s);
	json_decref(v);
}

/* A result the header documents as a new array. */
static inline void
fuzz_use_array(json_t *v)
{
	if (!json_is_array(v))
		abort();
	fuzz_use(v);
}

/* A result the header documents as a new object. */
static inline void
fuzz_use_object(json_t *v)
{
	if (!json_is_object(v))
		abort();
	fuzz_use(v);
}

/* A caller-freed string result: read it whole, then free it. */
static inline void
fuzz_use_str(char *s)
{
	if (s != NULL && strlen(s) == (size_t)-1)
		abort();
	free(s);
}

/* Calls fn on v and on the first items of every level below it. */
static inline void
fuzz_walk(const json_t *v, int depth, void (*fn)(const json_t *))
{
	const char *key;
	json_t *m;
	size_t i, n = 0;

	fn(v);
	if (depth == 0)
		return;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, m) {
			if (n++ == FUZZ_WALK_ITEMS)
				break;
			fuzz_walk(m, depth - 1, fn);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			if (i == FUZZ_WALK_ITEMS)
				break;
			fuzz_walk(m, depth - 1, fn);
		}
	}
}

/* The input as JSON (any value), or NULL. */
static inline json_t *
fuzz_json(const uint8_t *data, size_t size)
{
	json_error_t err;

	return (json_loadb((const char *)data, size, JSON_DECODE_ANY, &err));
}

#endif
