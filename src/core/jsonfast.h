/*
 * jsonfast: a strict one-pass JSON reader that builds jansson values.
 *
 * jansson's own reader spends most of a small request's cost in its lexer
 * (a function call and a UTF-8 check per byte, a second pass over every
 * string). This reader accepts a subset of what json_loadb accepts and
 * builds exactly the value json_loadb would; whenever it declines (any
 * error, any doubt) it returns NULL and the caller asks jansson, which then
 * produces the value or the precise error message. So callers keep
 * jansson's semantics and messages, and the common case is several times
 * cheaper. tests/fuzz/fuzz-jsonfast.c checks the equivalence.
 *
 * The writer is the same idea the other way: jansson's JSON_COMPACT text
 * (same escapes, same real formatting, insertion order) written straight
 * into a growable buffer, without a callback per piece.
 */
#ifndef RT_JSONFAST_H
#define RT_JSONFAST_H

#include <stddef.h>

#include <jansson.h>

/* Flags: the jansson decoding flags this reader honours. */
#define JSONFAST_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | \
    JSON_ALLOW_NUL)

/*
 * The value of buf[0..len), or NULL when this reader declines it. flags is
 * a subset of JSONFAST_FLAGS with json_loadb's meaning; without
 * JSON_DECODE_ANY the top level must be an object or an array.
 */
json_t	*jsonfast_parse(const char *buf, size_t len, size_t flags);

/* jsonfast_parse, then json_loadb for what it declined. */
json_t	*jsonfast_load(const char *buf, size_t len, size_t flags,
	    json_error_t *err);

/* A growable byte buffer the writer appends to (data may be NULL). */
struct jf_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Makes room for n more bytes; returns where they go. */
char	*jsonfast_reserve(struct jf_buf *, size_t n);

/*
 * Appends v as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) would; a value
 * jansson cannot encode (a non-finite real, nesting past 2048) is written
 * as null.
 */
void	 jsonfast_dump(struct jf_buf *, const json_t *v);

/* Appends s[0..len) escaped as the inside of a JSON string; s may lie in
 * the buffer itself. */
void	 jsonfast_escape(struct jf_buf *, const char *s, size_t len);

#endif
