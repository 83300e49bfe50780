/*
 * A JSON Schema validator for tool arguments and results.
 *
 * Supports type (incl. "integer", which also accepts a real with no
 * fraction, and type arrays), properties, required, additionalProperties
 * (bool or schema), enum, const (numbers compare by value: 1 == 1.0),
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
 * maxLength (in code points), pattern (ECMA-262 via PCRE2, compiled once,
 * unanchored search, \d \w \b ASCII-only), items, minItems, maxItems,
 * default, allOf/anyOf/oneOf and the boolean schemas true/false.
 * Annotations (description, title, examples, format, $schema,
 * x-counterexamples) and unknown keywords are ignored; assertion keywords
 * that are not implemented ($ref, not, if, uniqueItems, multipleOf,
 * patternProperties, ...) make schema_compile() fail rather than be
 * ignored. A "default" must itself validate, or compilation fails.
 * A compiled schema is immutable and may be used by many threads at once.
 */
#ifndef RT_SCHEMA_H
#define RT_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

struct schema;

/*
 * Compiles a schema (borrowed; not kept). Returns NULL and *cause (caller
 * frees) naming the keyword's path on error, e.g.
 * "properties.limit.minimum: must be a number", "type[1]: unknown type
 * \"nul\"", "properties.id.pattern: does not compile: missing closing
 * parenthesis at offset 5"; "schema: ..." for the top level. cause may
 * be NULL.
 */
struct schema *schema_compile(const json_t *schema, char **cause);
/* Parses text, then compiles; bad JSON gives "schema: line L column C: ...". */
struct schema *schema_compile_text(const char *text, char **cause);
/* Frees a compiled schema; NULL is a no-op. */
void schema_free(struct schema *);

/*
 * Validates instance. When apply_defaults, missing properties that have a
 * "default" get a deep copy of it (recursively inside objects that are
 * present or defaulted), so instance must then be owned by the caller and
 * not shared. Returns 0, or -1 and *error (caller frees; error may be
 * NULL) for the first failure: type, enum, const, then the keywords of
 * the value's kind (required in its order, properties in the schema's
 * order, extra properties in the instance's order; items by index), then
 * allOf, anyOf, oneOf. Messages are "<path>: <what>", the path being root
 * ("arguments"; NULL gives "instance") then .name and [index] steps:
 *   arguments.limit: must be at most 1000
 *   arguments.tags[2]: must be a string
 *   arguments: missing required property "vmid"
 *   arguments: unexpected property "foo"
 * anyOf/oneOf branches are tried without defaults; the chosen branch is
 * then run again with them.
 */
int schema_validate(const struct schema *, json_t *instance,
    bool apply_defaults, const char *root, char **error);

/*
 * Whether pattern (ECMA-262, as in "pattern") matches anywhere in s: 1 or
 * 0; -1 if it does not compile or cannot be run (match limit).
 */
int schema_pattern_match(const char *pattern, const char *s);

#endif
