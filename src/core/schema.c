/*
 * JSON Schema (a draft 2020-12 subset) for tool arguments and results.
 *
 * schema_compile() turns the schema JSON into a tree of struct schema with
 * one field per keyword, compiles each pattern once with PCRE2 and formats
 * the fixed parts of error messages up front, so validation never looks a
 * keyword up in JSON and allocates nothing unless an error is reported
 * (apart from one small pcre2_match_data per pattern match). Paths are a
 * chain of struct schema_path on the stack, rendered only on error.
 *
 * DESIGN: a compiled tree is never written after schema_compile() returns.
 * Many threads may validate with it at once; each call owns its own
 * instance, match data and error string. The jansson values kept in the
 * tree (enum, const, default) are private copies that are only read
 * (json_deep_copy, iteration), never dumped or reference-counted after
 * compilation.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schema.h"
#include "core/xmalloc.h"

/* Value kinds accepted by "type"; 0 in schema->types accepts any. */
#define SCHEMA_T_NULL 0x01
#define SCHEMA_T_BOOLEAN 0x02
#define SCHEMA_T_OBJECT 0x04
#define SCHEMA_T_ARRAY 0x08
#define SCHEMA_T_NUMBER 0x10
#define SCHEMA_T_INTEGER 0x20
#define SCHEMA_T_STRING 0x40

/* Where a value sits: a chain from the leaf up to the top. */
struct schema_path {
	const struct schema_path *up;
	const char *key; /* NULL for an array index */
	size_t idx;
};

/* A numeric bound, exact for integers. */
struct schema_num {
	bool is_int;
	json_int_t i;
	double d;
	char *text; /* for messages: "1000", "0.5" */
};

struct schema_prop {
	char *name;
	struct schema *schema;
};

struct schema_list {
	struct schema **v;
	size_t n;
};

struct schema {
	int flags;
#define SCHEMA_FALSE 0x1 /* the boolean schema false: nothing matches */
#define SCHEMA_MINIMUM 0x2
#define SCHEMA_MAXIMUM 0x4
#define SCHEMA_XMINIMUM 0x8
#define SCHEMA_XMAXIMUM 0x10
#define SCHEMA_MINLENGTH 0x20
#define SCHEMA_MAXLENGTH 0x40
#define SCHEMA_MINITEMS 0x80
#define SCHEMA_MAXITEMS 0x100
#define SCHEMA_CONST 0x200
#define SCHEMA_PROP_DEFAULTS 0x400 /* a property has a default */
#define SCHEMA_DEFAULTS 0x800 /* defaults somewhere in this subtree */

	int types;
	char *types_text; /* "a string or null" */

	struct schema_prop *props; /* in the schema's order */
	size_t nprops;
	char **required;
	size_t nrequired;
	struct schema *additional; /* NULL allows anything */

	json_t *enum_values;
	char *enum_text;
	json_t *const_value;
	char *const_text;

	struct schema_num minimum;
	struct schema_num maximum;
	struct schema_num xminimum;
	struct schema_num xmaximum;

	size_t min_length;
	size_t max_length;
	pcre2_code *pattern;
	char *pattern_text;

	struct schema *items;
	size_t min_items;
	size_t max_items;

	struct schema_list all_of;
	struct schema_list any_of;
	struct schema_list one_of;

	json_t *def;
};

/* State of one schema_validate() call. */
struct schema_check {
	const char *root;
	bool apply_defaults;
	bool quiet; /* trying an anyOf/oneOf branch: no messages */
	char *error;
};

/* Assertion keywords we do not implement: refused, never ignored. */
static const char *schema_unsupported[] = {
	"$ref",
	"$dynamicRef",
	"$recursiveRef",
	"not",
	"if",
	"then",
	"else",
	"patternProperties",
	"propertyNames",
	"dependentRequired",
	"dependentSchemas",
	"dependencies",
	"prefixItems",
	"contains",
	"minContains",
	"maxContains",
	"uniqueItems",
	"multipleOf",
	"minProperties",
	"maxProperties",
	"unevaluatedItems",
	"unevaluatedProperties",
	NULL,
};

/* In the order messages list them. */
static const struct {
	const char *name;
	int bit;
	const char *text;
} schema_types[] = {
	{ "string", SCHEMA_T_STRING, "a string" },
	{ "number", SCHEMA_T_NUMBER, "a number" },
	{ "integer", SCHEMA_T_INTEGER, "an integer" },
	{ "boolean", SCHEMA_T_BOOLEAN, "a boolean" },
	{ "object", SCHEMA_T_OBJECT, "an object" },
	{ "array", SCHEMA_T_ARRAY, "an array" },
	{ "null", SCHEMA_T_NULL, "null" },
};
#define SCHEMA_NTYPES (sizeof schema_types / sizeof schema_types[0])

static struct schema *schema_node(
    const json_t *, const struct schema_path *, char **);
static int schema_check_node(const struct schema *, json_t *,
    const struct schema_path *, struct schema_check *);

/* Returns a writable pointer for jansson calls that only read. */
static json_t *
schema_unconst(const json_t *j)
{
	return ((json_t *)(uintptr_t)j);
}

/* Renders a path as root.key[3].key; empty gives the fallback name. */
static char *
schema_path_text(
    const char *root, const struct schema_path *leaf, const char *fallback)
{
	const struct schema_path *p;
	char num[32], *s;
	size_t len, rlen, n, klen;
	int nlen;

	rlen = (root != NULL) ? strlen(root) : 0;
	len = rlen;
	for (p = leaf; p != NULL; p = p->up) {
		if (p->key != NULL)
			len += 1 + strlen(p->key);
		else
			len +=
			    (size_t)snprintf(num, sizeof num, "[%zu]", p->idx);
	}
	if (len == 0)
		return (xstrdup(fallback));

	s = xmalloc(len + 1);
	s[len] = '\0';
	n = len;
	for (p = leaf; p != NULL; p = p->up) {
		if (p->key != NULL) {
			klen = strlen(p->key);
			n -= klen;
			memcpy(s + n, p->key, klen);
			s[--n] = '.';
		} else {
			nlen = snprintf(num, sizeof num, "[%zu]", p->idx);
			n -= (size_t)nlen;
			memcpy(s + n, num, (size_t)nlen);
		}
	}
	if (rlen != 0)
		memcpy(s, root, rlen);
	else if (s[0] == '.')
		memmove(s, s + 1, len);
	return (s);
}

/* Quotes a name as a JSON string for messages; the caller frees. */
static char *
schema_quote(const char *name)
{
	const unsigned char *p;
	char *s;
	size_t n;

	s = xmalloc(strlen(name) * 6 + 3);
	n = 0;
	s[n++] = '"';
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			s[n++] = '\\';
			s[n++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(s + n, 7, "\\u%04x", *p);
		else
			s[n++] = (char)*p;
	}
	s[n++] = '"';
	s[n] = '\0';
	return (s);
}

/* Dumps any value compactly for messages; the caller frees. */
static char *
schema_dump(const json_t *v)
{
	char *s;

	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		fatalx("%s: json_dumps failed", __func__);
	return (s);
}

/* Sets *cause to "path: message" and returns -1. */
static int __attribute__((format(printf, 3, 4)))
schema_error(char **cause, const struct schema_path *path, const char *fmt, ...)
{
	va_list ap;
	char *where, *what;

	if (cause == NULL)
		return (-1);
	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	where = schema_path_text(NULL, path, "schema");
	free(*cause);
	xasprintf(cause, "%s: %s", where, what);
	free(where);
	free(what);
	return (-1);
}

/* Records a validation error at path unless trying a branch; returns -1. */
static int __attribute__((format(printf, 3, 4)))
schema_fail(struct schema_check *c, const struct schema_path *path,
    const char *fmt, ...)
{
	va_list ap;
	char *where, *what;

	if (c->quiet)
		return (-1);
	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	where = schema_path_text(c->root, path, "instance");
	free(c->error);
	xasprintf(&c->error, "%s: %s", where, what);
	free(where);
	free(what);
	return (-1);
}

/* Compiles a pattern with ECMA-262 flavoured options; NULL on error. */
static pcre2_code *
schema_regex(const char *pattern, size_t len, int *errcode, size_t *erroff)
{
	pcre2_compile_context *cc;
	pcre2_code *re;
	PCRE2_SIZE off = 0;

	/*
	 * UTF without UCP keeps \d, \w and \b ASCII-only, as in ECMA-262;
	 * DOLLAR_ENDONLY stops $ matching before a final newline; ALT_BSUX
	 * reads \uhhhh (and \u{h...}) and \xhh as JavaScript does.
	 */
	if ((cc = pcre2_compile_context_create(NULL)) == NULL)
		fatalx("%s: out of memory", __func__);
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	re = pcre2_compile((PCRE2_SPTR)pattern, len,
	    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX, errcode, &off,
	    cc);
	pcre2_compile_context_free(cc);
	*erroff = off;
	if (re != NULL)
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional */
	return (re);
}

/* Searches s (unanchored): 1 match, 0 none, or a PCRE2 error code. */
static int
schema_regex_match(const pcre2_code *re, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		fatalx("%s: out of memory", __func__);
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return (1);
	if (rc == PCRE2_ERROR_NOMATCH)
		return (0);
	return (rc);
}

/* Formats a number for messages without a spurious ".0" or noise digits. */
static char *
schema_num_text(const json_t *v)
{
	json_t *r, *back;
	char *s;
	size_t len;
	bool same;

	if (json_is_integer(v)) {
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return (s);
	}
	/* jansson's encoder is locale-independent, unlike printf %g. */
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (s == NULL)
		fatalx("%s: json_dumps failed", __func__);
	back = json_loads(s, JSON_DECODE_ANY, NULL);
	same = back != NULL && json_number_value(back) == json_real_value(v);
	json_decref(back);
	if (!same) {
		free(s);
		r = json_real(json_real_value(v));
		s = json_dumps(r, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
		json_decref(r);
		if (s == NULL)
			fatalx("%s: json_dumps failed", __func__);
	}
	len = strlen(s);
	if (len > 2 && strcmp(s + len - 2, ".0") == 0)
		s[len - 2] = '\0';
	return (s);
}

/* Compares a number with a bound: <0, 0 or >0. */
static int
schema_num_cmp(const json_t *v, const struct schema_num *b)
{
	json_int_t i;
	double d, bd;

	if (json_is_integer(v) && b->is_int) {
		i = json_integer_value(v);
		return ((i > b->i) - (i < b->i));
	}
	d = json_number_value(v);
	bd = b->is_int ? (double)b->i : b->d;
	return ((d > bd) - (d < bd));
}

/* Whether a real has no fractional part. */
static bool
schema_is_whole(double d)
{
	/* Every double of magnitude 2^53 or more is a whole number. */
	if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
		return (true);
	return (d == (double)(int64_t)d);
}

/* JSON equality where numbers compare by value (1 equals 1.0). */
static bool
schema_equal(json_t *a, json_t *b)
{
	const char *key;
	json_t *va, *vb;
	size_t i;

	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return (json_integer_value(a) == json_integer_value(b));
		return (json_number_value(a) == json_number_value(b));
	}
	if (json_typeof(a) != json_typeof(b))
		return (false);
	switch (json_typeof(a)) {
	case JSON_STRING:
		return (json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
			json_string_length(a)) == 0);
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return (false);
		json_array_foreach(a, i, va) {
			if (!schema_equal(va, json_array_get(b, i)))
				return (false);
		}
		return (true);
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return (false);
		json_object_foreach(a, key, va) {
			vb = json_object_get(b, key);
			if (vb == NULL || !schema_equal(va, vb))
				return (false);
		}
		return (true);
	default:
		return (true); /* true, false, null */
	}
}

/* Finds a type name; 0 if unknown. */
static int
schema_type_bit(const json_t *v)
{
	size_t i;

	for (i = 0; i < SCHEMA_NTYPES; i++) {
		if (strlen(schema_types[i].name) == json_string_length(v) &&
		    strcmp(schema_types[i].name, json_string_value(v)) == 0)
			return (schema_types[i].bit);
	}
	return (0);
}

/* Formats the accepted types: "a string", "a string, an integer or null". */
static char *
schema_types_text(int types)
{
	const char *names[SCHEMA_NTYPES];
	char *s, *t;
	size_t i, n;

	n = 0;
	for (i = 0; i < SCHEMA_NTYPES; i++) {
		if (types & schema_types[i].bit)
			names[n++] = schema_types[i].text;
	}
	s = xstrdup(names[0]);
	for (i = 1; i < n; i++) {
		xasprintf(
		    &t, "%s%s%s", s, i == n - 1 ? " or " : ", ", names[i]);
		free(s);
		s = t;
	}
	return (s);
}

/* Compiles "type": a name or a non-empty array of distinct names. */
static int
schema_kw_type(struct schema *s, const json_t *v,
    const struct schema_path *path, char **cause)
{
	struct schema_path ip;
	const json_t *t;
	size_t i;
	int bit;

	if (json_is_string(v)) {
		if ((bit = schema_type_bit(v)) == 0) {
			return (schema_error(cause, path, "unknown type \"%s\"",
			    json_string_value(v)));
		}
		s->types = bit;
	} else if (json_is_array(v) && json_array_size(v) != 0) {
		ip.up = path;
		ip.key = NULL;
		for (i = 0; i < json_array_size(v); i++) {
			t = json_array_get(v, i);
			ip.idx = i;
			if (!json_is_string(t))
				return (schema_error(
				    cause, &ip, "must be a string"));
			if ((bit = schema_type_bit(t)) == 0) {
				return (schema_error(cause, &ip,
				    "unknown type \"%s\"",
				    json_string_value(t)));
			}
			if (s->types & bit) {
				return (schema_error(cause, &ip,
				    "duplicate type \"%s\"",
				    json_string_value(t)));
			}
			s->types |= bit;
		}
	} else {
		return (schema_error(cause, path,
		    "must be a type name or a non-empty array of type names"));
	}
	s->types_text = schema_types_text(s->types);
	return (0);
}

/* Compiles "properties": an object of schemas, kept in its order. */
static int
schema_kw_properties(struct schema *s, const json_t *v,
    const struct schema_path *path, char **cause)
{
	struct schema_path pp;
	struct schema *child;
	const char *name;
	json_t *sub;

	if (!json_is_object(v))
		return (schema_error(cause, path, "must be an object"));
	s->props =
	    xreallocarray(NULL, json_object_size(v) + 1, sizeof *s->props);
	pp.up = path;
	pp.idx = 0;
	json_object_foreach(schema_unconst(v), name, sub) {
		pp.key = name;
		if ((child = schema_node(sub, &pp, cause)) == NULL)
			return (-1);
		s->props[s->nprops].name = xstrdup(name);
		s->props[s->nprops].schema = child;
		s->nprops++;
		if (child->def != NULL)
			s->flags |= SCHEMA_PROP_DEFAULTS | SCHEMA_DEFAULTS;
		if (child->flags & SCHEMA_DEFAULTS)
			s->flags |= SCHEMA_DEFAULTS;
	}
	return (0);
}

/* Compiles "required": an array of property names. */
static int
schema_kw_required(struct schema *s, const json_t *v,
    const struct schema_path *path, char **cause)
{
	struct schema_path ip;
	const json_t *name;
	size_t i;

	if (!json_is_array(v))
		return (
		    schema_error(cause, path, "must be an array of strings"));
	s->required =
	    xreallocarray(NULL, json_array_size(v) + 1, sizeof *s->required);
	ip.up = path;
	ip.key = NULL;
	for (i = 0; i < json_array_size(v); i++) {
		name = json_array_get(v, i);
		ip.idx = i;
		if (!json_is_string(name))
			return (schema_error(cause, &ip, "must be a string"));
		s->required[s->nrequired++] = xstrdup(json_string_value(name));
	}
	return (0);
}

/* Compiles a keyword whose value is one schema. */
static int
schema_kw_sub(struct schema **out, int *flags, const json_t *v,
    const struct schema_path *path, char **cause)
{
	if ((*out = schema_node(v, path, cause)) == NULL)
		return (-1);
	if ((*out)->flags & SCHEMA_DEFAULTS)
		*flags |= SCHEMA_DEFAULTS;
	return (0);
}

/* Compiles allOf/anyOf/oneOf: a non-empty array of schemas. */
static int
schema_kw_list(struct schema_list *l, int *flags, const json_t *v,
    const struct schema_path *path, char **cause)
{
	struct schema_path ip;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		return (schema_error(
		    cause, path, "must be a non-empty array of schemas"));
	}
	l->v = xreallocarray(NULL, json_array_size(v), sizeof *l->v);
	ip.up = path;
	ip.key = NULL;
	for (i = 0; i < json_array_size(v); i++) {
		ip.idx = i;
		if (schema_kw_sub(&l->v[l->n], flags, json_array_get(v, i), &ip,
			cause) != 0)
			return (-1);
		l->n++;
	}
	return (0);
}

/* Compiles a numeric bound. */
static int
schema_kw_num(struct schema_num *b, int *flags, int flag, const json_t *v,
    const struct schema_path *path, char **cause)
{
	if (!json_is_number(v))
		return (schema_error(cause, path, "must be a number"));
	b->is_int = json_is_integer(v);
	b->i = b->is_int ? json_integer_value(v) : 0;
	b->d = json_number_value(v);
	b->text = schema_num_text(v);
	*flags |= flag;
	return (0);
}

/* Compiles a count (minLength, maxItems...): a non-negative integer. */
static int
schema_kw_count(size_t *n, int *flags, int flag, const json_t *v,
    const struct schema_path *path, char **cause)
{
	double d;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*n = (size_t)json_integer_value(v);
	} else if (json_is_real(v) && (d = json_real_value(v)) >= 0 &&
	    d < 9007199254740992.0 && schema_is_whole(d)) {
		*n = (size_t)d;
	} else {
		return (schema_error(
		    cause, path, "must be a non-negative integer"));
	}
	*flags |= flag;
	return (0);
}

/* Compiles "pattern" once with PCRE2. */
static int
schema_kw_pattern(struct schema *s, const json_t *v,
    const struct schema_path *path, char **cause)
{
	PCRE2_UCHAR msg[256];
	size_t off;
	int errcode;

	if (!json_is_string(v))
		return (schema_error(cause, path, "must be a string"));
	s->pattern = schema_regex(
	    json_string_value(v), json_string_length(v), &errcode, &off);
	if (s->pattern == NULL) {
		if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", errcode);
		return (schema_error(cause, path,
		    "does not compile: %s at offset %zu", (char *)msg, off));
	}
	s->pattern_text = xstrdup(json_string_value(v));
	return (0);
}

/* Compiles "enum": a non-empty array of values. */
static int
schema_kw_enum(struct schema *s, const json_t *v,
    const struct schema_path *path, char **cause)
{
	char *text, *one, *t;
	size_t i, n;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return (schema_error(cause, path, "must be a non-empty array"));
	if ((s->enum_values = json_deep_copy(v)) == NULL)
		fatalx("%s: json_deep_copy failed", __func__);
	n = json_array_size(v);
	text = xstrdup("must be one of ");
	for (i = 0; i < n && i < 10; i++) {
		one = schema_dump(json_array_get(v, i));
		xasprintf(&t, "%s%s%s", text, i == 0 ? "" : ", ", one);
		free(one);
		free(text);
		text = t;
	}
	if (n > 10) {
		xasprintf(&t, "%s, ... (%zu values)", text, n);
		free(text);
		text = t;
	}
	s->enum_text = text;
	return (0);
}

/* Compiles "const": any value. */
static int
schema_kw_const(struct schema *s, const json_t *v)
{
	char *one;

	if ((s->const_value = json_deep_copy(v)) == NULL)
		fatalx("%s: json_deep_copy failed", __func__);
	one = schema_dump(v);
	xasprintf(&s->const_text, "must be %s", one);
	free(one);
	s->flags |= SCHEMA_CONST;
	return (0);
}

/* Compiles one keyword of a schema object; unknown ones are ignored. */
static int
schema_keyword(struct schema *s, const char *key, const json_t *v,
    const struct schema_path *path, char **cause)
{
	size_t i;

	if (strcmp(key, "type") == 0)
		return (schema_kw_type(s, v, path, cause));
	if (strcmp(key, "properties") == 0)
		return (schema_kw_properties(s, v, path, cause));
	if (strcmp(key, "required") == 0)
		return (schema_kw_required(s, v, path, cause));
	if (strcmp(key, "additionalProperties") == 0)
		return (
		    schema_kw_sub(&s->additional, &s->flags, v, path, cause));
	if (strcmp(key, "items") == 0)
		return (schema_kw_sub(&s->items, &s->flags, v, path, cause));
	if (strcmp(key, "allOf") == 0)
		return (schema_kw_list(&s->all_of, &s->flags, v, path, cause));
	if (strcmp(key, "anyOf") == 0)
		return (schema_kw_list(&s->any_of, &s->flags, v, path, cause));
	if (strcmp(key, "oneOf") == 0)
		return (schema_kw_list(&s->one_of, &s->flags, v, path, cause));
	if (strcmp(key, "enum") == 0)
		return (schema_kw_enum(s, v, path, cause));
	if (strcmp(key, "const") == 0)
		return (schema_kw_const(s, v));
	if (strcmp(key, "minimum") == 0)
		return (schema_kw_num(
		    &s->minimum, &s->flags, SCHEMA_MINIMUM, v, path, cause));
	if (strcmp(key, "maximum") == 0)
		return (schema_kw_num(
		    &s->maximum, &s->flags, SCHEMA_MAXIMUM, v, path, cause));
	if (strcmp(key, "exclusiveMinimum") == 0)
		return (schema_kw_num(
		    &s->xminimum, &s->flags, SCHEMA_XMINIMUM, v, path, cause));
	if (strcmp(key, "exclusiveMaximum") == 0)
		return (schema_kw_num(
		    &s->xmaximum, &s->flags, SCHEMA_XMAXIMUM, v, path, cause));
	if (strcmp(key, "minLength") == 0)
		return (schema_kw_count(&s->min_length, &s->flags,
		    SCHEMA_MINLENGTH, v, path, cause));
	if (strcmp(key, "maxLength") == 0)
		return (schema_kw_count(&s->max_length, &s->flags,
		    SCHEMA_MAXLENGTH, v, path, cause));
	if (strcmp(key, "minItems") == 0)
		return (schema_kw_count(
		    &s->min_items, &s->flags, SCHEMA_MINITEMS, v, path, cause));
	if (strcmp(key, "maxItems") == 0)
		return (schema_kw_count(
		    &s->max_items, &s->flags, SCHEMA_MAXITEMS, v, path, cause));
	if (strcmp(key, "pattern") == 0)
		return (schema_kw_pattern(s, v, path, cause));
	if (strcmp(key, "default") == 0) {
		if ((s->def = json_deep_copy(v)) == NULL)
			fatalx("%s: json_deep_copy failed", __func__);
		return (0);
	}
	for (i = 0; schema_unsupported[i] != NULL; i++) {
		if (strcmp(key, schema_unsupported[i]) == 0)
			return (
			    schema_error(cause, path, "keyword not supported"));
	}
	return (0); /* annotations ($schema, title, examples...) */
}

/* Checks that a default validates against the schema that holds it. */
static int
schema_check_default(
    const struct schema *s, const struct schema_path *path, char **cause)
{
	struct schema_path dp;
	struct schema_check c;
	json_t *copy;
	char *root;
	int rc;

	dp.up = path;
	dp.key = "default";
	dp.idx = 0;
	root = schema_path_text(NULL, &dp, "default");
	if ((copy = json_deep_copy(s->def)) == NULL)
		fatalx("%s: json_deep_copy failed", __func__);
	memset(&c, 0, sizeof c);
	c.root = root;
	c.apply_defaults = true;
	rc = schema_check_node(s, copy, NULL, &c);
	json_decref(copy);
	free(root);
	if (rc != 0) {
		if (cause != NULL) {
			free(*cause);
			*cause = c.error;
		} else
			free(c.error);
	}
	return (rc);
}

/* Compiles one schema (an object or a boolean); NULL and *cause on error. */
static struct schema *
schema_node(const json_t *j, const struct schema_path *path, char **cause)
{
	struct schema_path kp;
	struct schema *s;
	const char *key;
	json_t *v;

	if (!json_is_object(j) && !json_is_boolean(j)) {
		schema_error(
		    cause, path, "must be a schema (an object or a boolean)");
		return (NULL);
	}
	s = xcalloc(1, sizeof *s);
	if (json_is_false(j))
		s->flags |= SCHEMA_FALSE;
	if (!json_is_object(j))
		return (s);

	kp.up = path;
	kp.idx = 0;
	json_object_foreach(schema_unconst(j), key, v) {
		kp.key = key;
		if (schema_keyword(s, key, v, &kp, cause) != 0)
			goto fail;
	}
	if (s->def != NULL && schema_check_default(s, path, cause) != 0)
		goto fail;
	return (s);

fail:
	schema_free(s);
	return (NULL);
}

/* Compiles a schema (borrowed); NULL and *cause (caller frees) on error. */
struct schema *
schema_compile(const json_t *schema, char **cause)
{
	if (cause != NULL)
		*cause = NULL;
	if (schema == NULL) {
		if (cause != NULL)
			*cause = xstrdup("schema: missing");
		return (NULL);
	}
	return (schema_node(schema, NULL, cause));
}

/* Parses schema text, then compiles it; *cause (caller frees) on error. */
struct schema *
schema_compile_text(const char *text, char **cause)
{
	struct schema *s;
	json_error_t jerr;
	json_t *j;

	if (cause != NULL)
		*cause = NULL;
	if (text == NULL) {
		if (cause != NULL)
			*cause = xstrdup("schema: missing");
		return (NULL);
	}
	if ((j = json_loads(text, JSON_DECODE_ANY, &jerr)) == NULL) {
		if (cause != NULL)
			xasprintf(cause, "schema: line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
		return (NULL);
	}
	s = schema_compile(j, cause);
	json_decref(j);
	return (s);
}

/* Frees a schema list. */
static void
schema_list_free(struct schema_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		schema_free(l->v[i]);
	free(l->v);
}

/* Frees a compiled schema; NULL is a no-op. */
void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->types_text);
	for (i = 0; i < s->nprops; i++) {
		free(s->props[i].name);
		schema_free(s->props[i].schema);
	}
	free(s->props);
	for (i = 0; i < s->nrequired; i++)
		free(s->required[i]);
	free(s->required);
	schema_free(s->additional);
	json_decref(s->enum_values);
	free(s->enum_text);
	json_decref(s->const_value);
	free(s->const_text);
	free(s->minimum.text);
	free(s->maximum.text);
	free(s->xminimum.text);
	free(s->xmaximum.text);
	pcre2_code_free(s->pattern);
	free(s->pattern_text);
	schema_free(s->items);
	schema_list_free(&s->all_of);
	schema_list_free(&s->any_of);
	schema_list_free(&s->one_of);
	json_decref(s->def);
	free(s);
}

/* Whether v is one of the kinds in types. */
static bool
schema_type_ok(int types, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return ((types & SCHEMA_T_NULL) != 0);
	case JSON_TRUE:
	case JSON_FALSE:
		return ((types & SCHEMA_T_BOOLEAN) != 0);
	case JSON_OBJECT:
		return ((types & SCHEMA_T_OBJECT) != 0);
	case JSON_ARRAY:
		return ((types & SCHEMA_T_ARRAY) != 0);
	case JSON_STRING:
		return ((types & SCHEMA_T_STRING) != 0);
	case JSON_INTEGER:
		return ((types & (SCHEMA_T_NUMBER | SCHEMA_T_INTEGER)) != 0);
	case JSON_REAL:
		if (types & SCHEMA_T_NUMBER)
			return (true);
		return ((types & SCHEMA_T_INTEGER) != 0 &&
		    schema_is_whole(json_real_value(v)));
	}
	return (false);
}

/* Checks the numeric keywords. */
static int
schema_check_number(const struct schema *s, const json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	if ((s->flags & SCHEMA_MINIMUM) && schema_num_cmp(v, &s->minimum) < 0)
		return (schema_fail(
		    c, path, "must be at least %s", s->minimum.text));
	if ((s->flags & SCHEMA_XMINIMUM) &&
	    schema_num_cmp(v, &s->xminimum) <= 0)
		return (schema_fail(
		    c, path, "must be greater than %s", s->xminimum.text));
	if ((s->flags & SCHEMA_MAXIMUM) && schema_num_cmp(v, &s->maximum) > 0)
		return (schema_fail(
		    c, path, "must be at most %s", s->maximum.text));
	if ((s->flags & SCHEMA_XMAXIMUM) &&
	    schema_num_cmp(v, &s->xmaximum) >= 0)
		return (schema_fail(
		    c, path, "must be less than %s", s->xmaximum.text));
	return (0);
}

/* Checks the string keywords; lengths are in code points. */
static int
schema_check_string(const struct schema *s, const json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	const char *str = json_string_value(v);
	size_t len = json_string_length(v), n, i;
	PCRE2_UCHAR msg[256];
	int rc;

	if (s->flags & (SCHEMA_MINLENGTH | SCHEMA_MAXLENGTH)) {
		n = 0;
		for (i = 0; i < len; i++) {
			if (((unsigned char)str[i] & 0xc0) != 0x80)
				n++;
		}
		if ((s->flags & SCHEMA_MINLENGTH) && n < s->min_length)
			return (schema_fail(c, path,
			    "must be at least %zu character%s long",
			    s->min_length, s->min_length == 1 ? "" : "s"));
		if ((s->flags & SCHEMA_MAXLENGTH) && n > s->max_length)
			return (schema_fail(c, path,
			    "must be at most %zu character%s long",
			    s->max_length, s->max_length == 1 ? "" : "s"));
	}
	if (s->pattern != NULL) {
		rc = schema_regex_match(s->pattern, str, len);
		if (rc == 0)
			return (schema_fail(c, path,
			    "must match pattern \"%s\"", s->pattern_text));
		if (rc < 0) {
			if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
				snprintf(
				    (char *)msg, sizeof msg, "error %d", rc);
			return (schema_fail(c, path,
			    "cannot be matched against pattern \"%s\": %s",
			    s->pattern_text, (char *)msg));
		}
	}
	return (0);
}

/* Checks the array keywords, then each item. */
static int
schema_check_array(const struct schema *s, json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	struct schema_path ip;
	size_t n = json_array_size(v), i;

	if ((s->flags & SCHEMA_MINITEMS) && n < s->min_items)
		return (schema_fail(c, path, "must have at least %zu item%s",
		    s->min_items, s->min_items == 1 ? "" : "s"));
	if ((s->flags & SCHEMA_MAXITEMS) && n > s->max_items)
		return (schema_fail(c, path, "must have at most %zu item%s",
		    s->max_items, s->max_items == 1 ? "" : "s"));
	if (s->items == NULL)
		return (0);
	ip.up = path;
	ip.key = NULL;
	for (i = 0; i < n; i++) {
		ip.idx = i;
		if (schema_check_node(s->items, json_array_get(v, i), &ip, c) !=
		    0)
			return (-1);
	}
	return (0);
}

/* Whether name is in the schema's properties. */
static bool
schema_has_prop(const struct schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nprops; i++) {
		if (strcmp(s->props[i].name, name) == 0)
			return (true);
	}
	return (false);
}

/*
 * Checks an object: inserts defaults, then required (in its order), then
 * properties (in the schema's order), then additional properties (in the
 * instance's order).
 */
static int
schema_check_object(const struct schema *s, json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	const struct schema_prop *p;
	struct schema_path kp;
	const char *key;
	json_t *pv, *copy;
	char *q;
	size_t i;
	int rc;

	if (c->apply_defaults && (s->flags & SCHEMA_PROP_DEFAULTS)) {
		for (i = 0; i < s->nprops; i++) {
			p = &s->props[i];
			if (p->schema->def == NULL ||
			    json_object_get(v, p->name) != NULL)
				continue;
			if ((copy = json_deep_copy(p->schema->def)) == NULL ||
			    json_object_set_new(v, p->name, copy) != 0)
				fatalx("%s: cannot insert default", __func__);
		}
	}
	for (i = 0; i < s->nrequired; i++) {
		if (json_object_get(v, s->required[i]) != NULL)
			continue;
		if (c->quiet)
			return (-1);
		q = schema_quote(s->required[i]);
		rc = schema_fail(c, path, "missing required property %s", q);
		free(q);
		return (rc);
	}
	kp.up = path;
	kp.idx = 0;
	for (i = 0; i < s->nprops; i++) {
		p = &s->props[i];
		if ((pv = json_object_get(v, p->name)) == NULL)
			continue;
		kp.key = p->name;
		if (schema_check_node(p->schema, pv, &kp, c) != 0)
			return (-1);
	}
	if (s->additional == NULL)
		return (0);
	json_object_foreach(v, key, pv) {
		if (schema_has_prop(s, key))
			continue;
		if (s->additional->flags & SCHEMA_FALSE) {
			if (c->quiet)
				return (-1);
			q = schema_quote(key);
			rc = schema_fail(c, path, "unexpected property %s", q);
			free(q);
			return (rc);
		}
		kp.key = key;
		if (schema_check_node(s->additional, pv, &kp, c) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Checks anyOf and oneOf. Branches are tried quietly and without
 * defaults; the chosen branch is then run again to insert its defaults.
 */
static int
schema_check_choice(const struct schema_list *l, bool one, json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	struct schema_check trial;
	size_t i, first = 0, second = 0, matched = 0;

	memset(&trial, 0, sizeof trial);
	trial.root = c->root;
	trial.quiet = true;
	for (i = 0; i < l->n; i++) {
		if (schema_check_node(l->v[i], v, path, &trial) != 0)
			continue;
		if (matched == 0)
			first = i;
		else
			second = i;
		if (++matched == 2 || !one)
			break;
	}
	if (matched == 0)
		return (schema_fail(c, path, "must match %s schema in %s",
		    one ? "exactly one" : "at least one",
		    one ? "oneOf" : "anyOf"));
	if (one && matched > 1)
		return (schema_fail(c, path,
		    "must match exactly one schema in oneOf but matches "
		    "oneOf[%zu] and oneOf[%zu]",
		    first, second));
	if (c->apply_defaults && (l->v[first]->flags & SCHEMA_DEFAULTS))
		return (schema_check_node(l->v[first], v, path, c));
	return (0);
}

/* Checks one value against one compiled schema. */
static int
schema_check_node(const struct schema *s, json_t *v,
    const struct schema_path *path, struct schema_check *c)
{
	size_t i;
	int rc = 0;

	if (s->flags & SCHEMA_FALSE)
		return (schema_fail(c, path, "is not allowed"));
	if (s->types != 0 && !schema_type_ok(s->types, v))
		return (schema_fail(c, path, "must be %s", s->types_text));
	if (s->enum_values != NULL) {
		for (i = 0; i < json_array_size(s->enum_values); i++) {
			if (schema_equal(json_array_get(s->enum_values, i), v))
				break;
		}
		if (i == json_array_size(s->enum_values))
			return (schema_fail(c, path, "%s", s->enum_text));
	}
	if ((s->flags & SCHEMA_CONST) && !schema_equal(s->const_value, v))
		return (schema_fail(c, path, "%s", s->const_text));

	switch (json_typeof(v)) {
	case JSON_INTEGER:
	case JSON_REAL:
		rc = schema_check_number(s, v, path, c);
		break;
	case JSON_STRING:
		rc = schema_check_string(s, v, path, c);
		break;
	case JSON_ARRAY:
		rc = schema_check_array(s, v, path, c);
		break;
	case JSON_OBJECT:
		rc = schema_check_object(s, v, path, c);
		break;
	default:
		break;
	}
	if (rc != 0)
		return (rc);

	for (i = 0; i < s->all_of.n; i++) {
		if (schema_check_node(s->all_of.v[i], v, path, c) != 0)
			return (-1);
	}
	if (s->any_of.n != 0 &&
	    schema_check_choice(&s->any_of, false, v, path, c) != 0)
		return (-1);
	if (s->one_of.n != 0 &&
	    schema_check_choice(&s->one_of, true, v, path, c) != 0)
		return (-1);
	return (0);
}

/*
 * Validates instance; with apply_defaults, inserts deep copies of missing
 * properties' defaults. Returns 0, or -1 and *error (caller frees).
 */
int
schema_validate(const struct schema *s, json_t *instance, bool apply_defaults,
    const char *root, char **error)
{
	struct schema_check c;
	int rc;

	if (error != NULL)
		*error = NULL;
	memset(&c, 0, sizeof c);
	c.root = (root != NULL) ? root : "instance";
	c.apply_defaults = apply_defaults;
	if (s == NULL || instance == NULL) {
		rc = schema_fail(&c, NULL, "no %s to validate",
		    s == NULL ? "schema" : "value");
	} else
		rc = schema_check_node(s, instance, NULL, &c);
	if (error != NULL)
		*error = c.error;
	else
		free(c.error);
	return (rc);
}

/* Whether an ECMA-262 pattern matches s: 1, 0, or -1 if it cannot run. */
int
schema_pattern_match(const char *pattern, const char *s)
{
	pcre2_code *re;
	size_t off;
	int errcode, rc;

	if (pattern == NULL || s == NULL)
		return (-1);
	re = schema_regex(pattern, strlen(pattern), &errcode, &off);
	if (re == NULL)
		return (-1);
	rc = schema_regex_match(re, s, strlen(s));
	pcre2_code_free(re);
	return (rc < 0 ? -1 : rc);
}
