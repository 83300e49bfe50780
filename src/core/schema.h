/*
 * A JSON Schema validator for tool arguments and results.
 *
 * Supports type (incl. "integer" and type arrays), properties, required,
 * additionalProperties (bool or schema), enum, const, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, minLength, maxLength (in code points),
 * pattern (ECMA-262 via PCRE2, compiled once), items, minItems, maxItems,
 * default, oneOf/anyOf; annotations (description, title, examples, $schema,
 * x-counterexamples) and unknown keywords are ignored.
 * A compiled schema is immutable and may be used by many threads at once.
 */
#ifndef RT_SCHEMA_H
#define RT_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

struct schema;

/* Compiles a schema (borrowed). NULL and *cause naming the path on error. */
struct schema *schema_compile(const json_t *schema, char **cause);
/* Parses text, then compiles. */
struct schema *schema_compile_text(const char *text, char **cause);
void schema_free(struct schema *);

/*
 * Validates instance. When apply_defaults, missing properties that have a
 * "default" are added to instance (which must then be owned by the caller
 * and not shared). Returns 0, or -1 and *error naming the offending path,
 * e.g. "arguments.limit: must be at most 1000" (caller frees). root names
 * the top level in messages ("arguments").
 */
int schema_validate(const struct schema *, json_t *instance,
    bool apply_defaults, const char *root, char **error);

/* Whether pattern (ECMA-262) matches s; -1 if it does not compile. */
int schema_pattern_match(const char *pattern, const char *s);

#endif
