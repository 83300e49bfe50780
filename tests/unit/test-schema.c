/*
 * Unit tests for the JSON Schema validator: every keyword accepts and
 * rejects with the exact message, defaults, malformed schemas, ECMA-262
 * pattern semantics and concurrent validation with one compiled schema.
 */
#include "config.h"

#include <jansson.h>
#include <pthread.h>

#include "core/schema.h"
#include "tests/unit/testutil.h"

#define NTHREADS 4
#define NROUNDS 10000

/* Compiles schema text or fails the test. */
static struct schema *
compile_ok(const char *text)
{
	struct schema *s;
	char *cause;

	s = schema_compile_text(text, &cause);
	ck_assert_msg(s != NULL, "%s: %s", text, cause);
	ck_assert_ptr_null(cause);
	return (s);
}

/*
 * Validates instance text against schema text with root "arguments";
 * returns NULL when valid, else the error (caller frees). When out is
 * not NULL it receives the (possibly defaulted) instance.
 */
static char *
run(const char *schema, const char *instance, bool defaults, json_t **out)
{
	struct schema *s;
	json_error_t jerr;
	json_t *j;
	char *error;
	int rc;

	s = compile_ok(schema);
	j = json_loads(instance, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(j != NULL, "%s: %s", instance, jerr.text);
	rc = schema_validate(s, j, defaults, "arguments", &error);
	ck_assert_int_eq(rc == 0, error == NULL);
	schema_free(s);
	if (out != NULL)
		*out = j;
	else
		json_decref(j);
	return (error);
}

/* Asserts that instance validates. */
static void
accepts(const char *schema, const char *instance)
{
	char *error = run(schema, instance, false, NULL);

	ck_assert_msg(
	    error == NULL, "%s rejected %s: %s", schema, instance, error);
}

/* Asserts that instance is rejected with exactly want. */
static void
rejects(const char *schema, const char *instance, const char *want)
{
	char *error = run(schema, instance, false, NULL);

	ck_assert_msg(error != NULL, "%s accepted %s", schema, instance);
	ck_assert_str_eq(error, want);
	free(error);
}

/* Asserts that compiling schema fails with exactly want. */
static void
malformed(const char *schema, const char *want)
{
	struct schema *s;
	char *cause;

	s = schema_compile_text(schema, &cause);
	ck_assert_msg(s == NULL, "%s compiled", schema);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

/* Asserts that the defaulted instance dumps (sorted, compact) as want. */
static void
defaults_give(
    const char *schema, const char *instance, bool defaults, const char *want)
{
	json_t *j;
	char *error, *dump;

	error = run(schema, instance, defaults, &j);
	ck_assert_msg(error == NULL, "%s", error);
	dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(dump, want);
	free(dump);
	json_decref(j);
}

START_TEST(test_type)
{
	static const char *obj = "{\"type\":\"object\"}";

	accepts("{\"type\":\"string\"}", "\"x\"");
	rejects("{\"type\":\"string\"}", "1", "arguments: must be a string");
	accepts("{\"type\":\"number\"}", "1.5");
	accepts("{\"type\":\"number\"}", "2");
	rejects(
	    "{\"type\":\"number\"}", "\"2\"", "arguments: must be a number");
	accepts("{\"type\":\"boolean\"}", "false");
	rejects("{\"type\":\"boolean\"}", "0", "arguments: must be a boolean");
	accepts(obj, "{}");
	rejects(obj, "[]", "arguments: must be an object");
	accepts("{\"type\":\"array\"}", "[]");
	rejects("{\"type\":\"array\"}", "{}", "arguments: must be an array");
	accepts("{\"type\":\"null\"}", "null");
	rejects("{\"type\":\"null\"}", "false", "arguments: must be null");
	accepts("{\"type\":[\"string\",\"null\"]}", "null");
	accepts("{\"type\":[\"string\",\"null\"]}", "\"a\"");
	rejects("{\"type\":[\"string\",\"null\"]}", "1",
	    "arguments: must be a string or null");
	rejects("{\"type\":[\"integer\",\"string\",\"boolean\"]}", "[]",
	    "arguments: must be a string, an integer or a boolean");
	/* No type accepts anything. */
	accepts("{}", "[1,{}]");
	accepts("true", "17");
}
END_TEST

START_TEST(test_integer)
{
	static const char *sch = "{\"type\":\"integer\"}";

	accepts(sch, "1");
	accepts(sch, "-7");
	accepts(sch, "1.0");
	accepts(sch, "1e3");
	rejects(sch, "1.5", "arguments: must be an integer");
	rejects(sch, "\"1\"", "arguments: must be an integer");
	rejects(sch, "true", "arguments: must be an integer");
}
END_TEST

START_TEST(test_properties_required)
{
	static const char *sch =
	    "{\"type\":\"object\","
	    "\"properties\":{\"vmid\":{\"type\":\"integer\"},"
	    "\"node\":{\"type\":\"string\"}},"
	    "\"required\":[\"vmid\",\"node\"]}";

	accepts(sch, "{\"vmid\":100,\"node\":\"pve\",\"other\":1}");
	rejects(sch, "{\"node\":\"pve\"}",
	    "arguments: missing required property \"vmid\"");
	rejects(sch, "{\"vmid\":100}",
	    "arguments: missing required property \"node\"");
	rejects(sch, "{\"vmid\":\"100\",\"node\":\"pve\"}",
	    "arguments.vmid: must be an integer");
	/* Properties and required apply to objects only. */
	accepts("{\"required\":[\"a\"]}", "3");
	/* Names are quoted as JSON strings. */
	rejects("{\"required\":[\"a\\\"b\"]}", "{}",
	    "arguments: missing required property \"a\\\"b\"");
}
END_TEST

START_TEST(test_additional)
{
	static const char *closed =
	    "{\"type\":\"object\","
	    "\"properties\":{\"a\":{}},\"additionalProperties\":false}";
	static const char *typed =
	    "{\"properties\":{\"a\":{}},"
	    "\"additionalProperties\":{\"type\":\"integer\"}}";

	accepts(closed, "{\"a\":1}");
	rejects(closed, "{\"a\":1,\"foo\":2}",
	    "arguments: unexpected property \"foo\"");
	accepts(typed, "{\"a\":\"x\",\"b\":2}");
	rejects(typed, "{\"a\":\"x\",\"b\":2,\"c\":\"3\"}",
	    "arguments.c: must be an integer");
	accepts("{\"additionalProperties\":true}", "{\"x\":1}");
	accepts("{\"properties\":{\"a\":{}}}", "{\"x\":1}");
}
END_TEST

START_TEST(test_enum_const)
{
	static const char *en = "{\"enum\":[\"a\",\"b\",3,null]}";

	accepts(en, "\"b\"");
	accepts(en, "3.0");
	accepts(en, "null");
	rejects(en, "\"c\"", "arguments: must be one of \"a\", \"b\", 3, null");
	rejects(en, "4", "arguments: must be one of \"a\", \"b\", 3, null");
	accepts("{\"enum\":[{\"x\":[1,2]}]}", "{\"x\":[1,2.0]}");
	rejects("{\"enum\":[{\"x\":[1,2]}]}", "{\"x\":[2,1]}",
	    "arguments: must be one of {\"x\":[1,2]}");
	accepts("{\"const\":\"on\"}", "\"on\"");
	rejects("{\"const\":\"on\"}", "\"off\"", "arguments: must be \"on\"");
	accepts("{\"const\":null}", "null");
	rejects("{\"const\":null}", "0", "arguments: must be null");
	rejects("{\"const\":false}", "0", "arguments: must be false");
}
END_TEST

START_TEST(test_numbers)
{
	static const char *sch =
	    "{\"type\":\"object\",\"properties\":"
	    "{\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000},"
	    "\"ratio\":{\"exclusiveMinimum\":0,\"exclusiveMaximum\":0.5}}}";

	accepts(sch, "{\"limit\":1,\"ratio\":0.25}");
	accepts(sch, "{\"limit\":1000}");
	rejects(
	    sch, "{\"limit\":1001}", "arguments.limit: must be at most 1000");
	rejects(sch, "{\"limit\":0}", "arguments.limit: must be at least 1");
	rejects(
	    sch, "{\"ratio\":0}", "arguments.ratio: must be greater than 0");
	rejects(
	    sch, "{\"ratio\":0.5}", "arguments.ratio: must be less than 0.5");
	accepts(sch, "{\"ratio\":0.49999}");
	rejects("{\"minimum\":0.1}", "0.05", "arguments: must be at least 0.1");
	rejects("{\"maximum\":2.0}", "3", "arguments: must be at most 2");
	accepts("{\"maximum\":9007199254740993}", "9007199254740993");
	rejects("{\"maximum\":9007199254740992}", "9007199254740993",
	    "arguments: must be at most 9007199254740992");
	/* Numeric keywords ignore other types. */
	accepts("{\"minimum\":5}", "\"1\"");
}
END_TEST

START_TEST(test_strings)
{
	static const char *len = "{\"minLength\":2,\"maxLength\":5}";

	accepts(len, "\"h\xc3\xa9llo\"");
	accepts(len, "\"ab\"");
	rejects(len, "\"h\xc3\xa9llo!\"",
	    "arguments: must be at most 5 characters long");
	rejects(len, "\"a\"", "arguments: must be at least 2 characters long");
	/* One code point, four bytes. */
	rejects("{\"minLength\":2}", "\"\xf0\x9f\x98\x80\"",
	    "arguments: must be at least 2 characters long");
	rejects("{\"maxLength\":1}", "\"ab\"",
	    "arguments: must be at most 1 character long");
	accepts("{\"maxLength\":1}", "\"\xf0\x9f\x98\x80\"");
	accepts("{\"maxLength\":0}", "5");
}
END_TEST

START_TEST(test_pattern)
{
	static const char *digits = "{\"pattern\":\"^\\\\d+$\"}";

	accepts(digits, "\"123\"");
	rejects(digits, "\"d\"", "arguments: must match pattern \"^\\d+$\"");
	/* ECMA \d is ASCII only: Arabic-Indic digits do not match. */
	rejects(digits, "\"\xd9\xa1\xd9\xa2\xd9\xa3\"",
	    "arguments: must match pattern \"^\\d+$\"");
	/* $ does not match before a final newline. */
	rejects(
	    digits, "\"12\\n\"", "arguments: must match pattern \"^\\d+$\"");
	/* Unanchored search. */
	accepts("{\"pattern\":\"b\"}", "\"abc\"");
	rejects("{\"pattern\":\"x\"}", "\"abc\"",
	    "arguments: must match pattern \"x\"");
	/* \u escapes as in JavaScript; . matches one code point. */
	accepts("{\"pattern\":\"^\\\\u00e9$\"}", "\"\xc3\xa9\"");
	accepts("{\"pattern\":\"^.$\"}", "\"\xc3\xa9\"");
	accepts("{\"pattern\":\"^[a-z0-9-]{1,63}$\"}", "\"pve-node1\"");
	rejects("{\"pattern\":\"^[a-z0-9-]{1,63}$\"}", "\"PVE\"",
	    "arguments: must match pattern \"^[a-z0-9-]{1,63}$\"");
	/* Pattern ignores other types. */
	accepts(digits, "12");
}
END_TEST

START_TEST(test_pattern_match)
{
	ck_assert_int_eq(schema_pattern_match("^\\d+$", "123"), 1);
	ck_assert_int_eq(schema_pattern_match("^\\d+$", "d"), 0);
	ck_assert_int_eq(
	    schema_pattern_match("^\\d+$", "\xd9\xa1\xd9\xa2\xd9\xa3"), 0);
	ck_assert_int_eq(schema_pattern_match("\\w", "\xc3\xa9"), 0);
	ck_assert_int_eq(schema_pattern_match("b", "abc"), 1);
	ck_assert_int_eq(schema_pattern_match("(", "abc"), -1);
	ck_assert_int_eq(schema_pattern_match("[", "abc"), -1);
}
END_TEST

START_TEST(test_items)
{
	static const char *sch =
	    "{\"type\":\"object\",\"properties\":"
	    "{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	    "\"minItems\":1,\"maxItems\":3}}}";

	accepts(sch, "{\"tags\":[\"a\"]}");
	accepts(sch, "{\"tags\":[\"a\",\"b\",\"c\"]}");
	rejects(sch, "{\"tags\":[\"a\",\"b\",7]}",
	    "arguments.tags[2]: must be a string");
	rejects(
	    sch, "{\"tags\":[]}", "arguments.tags: must have at least 1 item");
	rejects(sch, "{\"tags\":[\"a\",\"b\",\"c\",\"d\"]}",
	    "arguments.tags: must have at most 3 items");
	rejects(
	    "{\"minItems\":2}", "[1]", "arguments: must have at least 2 items");
	rejects("{\"items\":false}", "[1]", "arguments[0]: is not allowed");
	accepts("{\"items\":false}", "[]");
}
END_TEST

START_TEST(test_nested_paths)
{
	static const char *sch =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"vms\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	    "\"properties\":{\"disks\":{\"type\":\"array\",\"items\":{"
	    "\"type\":\"object\",\"properties\":{\"size\":{\"minimum\":1}},"
	    "\"required\":[\"size\"],\"additionalProperties\":false}}}}}}}";

	accepts(sch, "{\"vms\":[{\"disks\":[{\"size\":4}]}]}");
	rejects(sch, "{\"vms\":[{},{\"disks\":[{\"size\":4},{\"size\":0}]}]}",
	    "arguments.vms[1].disks[1].size: must be at least 1");
	rejects(sch, "{\"vms\":[{\"disks\":[{}]}]}",
	    "arguments.vms[0].disks[0]: missing required property \"size\"");
	rejects(sch, "{\"vms\":[{\"disks\":[{\"size\":1,\"x\":1}]}]}",
	    "arguments.vms[0].disks[0]: unexpected property \"x\"");
}
END_TEST

START_TEST(test_first_error)
{
	static const char *sch =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"b\":{\"type\":\"string\"},\"a\":{\"type\":\"string\"}},"
	    "\"additionalProperties\":false}";

	/* Properties are checked in the schema's order, extras last. */
	rejects(
	    sch, "{\"z\":1,\"a\":1,\"b\":1}", "arguments.b: must be a string");
	rejects(sch, "{\"z\":1,\"a\":1}", "arguments.a: must be a string");
	rejects(
	    sch, "{\"z\":1,\"y\":1}", "arguments: unexpected property \"z\"");
	/* Required is checked before properties. */
	rejects("{\"properties\":{\"a\":{\"type\":\"string\"}},"
		"\"required\":[\"b\"]}",
	    "{\"a\":1}", "arguments: missing required property \"b\"");
}
END_TEST

START_TEST(test_combinators)
{
	static const char *one = "{\"oneOf\":[{\"type\":\"integer\"},"
				 "{\"type\":\"number\",\"maximum\":2}]}";
	static const char *any = "{\"anyOf\":[{\"type\":\"string\"},"
				 "{\"type\":\"integer\"}]}";
	static const char *all = "{\"allOf\":[{\"minimum\":1},"
				 "{\"maximum\":5}]}";

	accepts(one, "7");
	accepts(one, "1.5");
	rejects(one, "1",
	    "arguments: must match exactly one schema in oneOf "
	    "but matches oneOf[0] and oneOf[1]");
	rejects(
	    one, "2.5", "arguments: must match exactly one schema in oneOf");
	accepts(any, "\"x\"");
	accepts(any, "3");
	rejects(
	    any, "true", "arguments: must match at least one schema in anyOf");
	accepts(all, "3");
	rejects(all, "0", "arguments: must be at least 1");
	rejects(all, "6", "arguments: must be at most 5");
	rejects("{\"properties\":{\"x\":"
		"{\"anyOf\":[{\"const\":1}]}}}",
	    "{\"x\":2}",
	    "arguments.x: must match at least one schema in anyOf");
}
END_TEST

START_TEST(test_boolean_schema)
{
	accepts("true", "null");
	rejects("false", "null", "arguments: is not allowed");
	rejects("{\"properties\":{\"old\":false}}", "{\"old\":1}",
	    "arguments.old: is not allowed");
	accepts("{\"properties\":{\"old\":false}}", "{\"new\":1}");
}
END_TEST

START_TEST(test_annotations_ignored)
{
	accepts("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
		"\"title\":\"T\",\"description\":\"D\",\"examples\":[1],"
		"\"x-counterexamples\":[\"a\"],\"format\":\"uri\","
		"\"$comment\":\"c\",\"whatever\":{\"type\":7}}",
	    "\"not a uri\"");
}
END_TEST

START_TEST(test_defaults)
{
	static const char *sch =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"limit\":{\"type\":\"integer\",\"default\":100,\"maximum\":1000},"
	    "\"cursor\":{\"type\":\"string\"},"
	    "\"opts\":{\"type\":\"object\",\"properties\":{"
	    "\"deep\":{\"type\":\"boolean\",\"default\":false},"
	    "\"tags\":{\"type\":\"array\",\"default\":[\"a\"]}}},"
	    "\"more\":{\"type\":\"object\",\"default\":{},\"properties\":{"
	    "\"n\":{\"default\":1}}}},"
	    "\"required\":[\"limit\"]}";

	defaults_give(sch, "{}", true, "{\"limit\":100,\"more\":{\"n\":1}}");
	defaults_give(sch, "{\"opts\":{}}", true,
	    "{\"limit\":100,\"more\":{\"n\":1},"
	    "\"opts\":{\"deep\":false,\"tags\":[\"a\"]}}");
	defaults_give(sch,
	    "{\"limit\":5,\"opts\":{\"deep\":true},"
	    "\"more\":{\"n\":2}}",
	    true,
	    "{\"limit\":5,\"more\":{\"n\":2},"
	    "\"opts\":{\"deep\":true,\"tags\":[\"a\"]}}");
	defaults_give(sch, "{\"limit\":5,\"opts\":{}}", false,
	    "{\"limit\":5,\"opts\":{}}");
	/* Without defaults, a required property that has one is missing. */
	rejects(sch, "{}", "arguments: missing required property \"limit\"");
	/* Given values, even empty ones, are kept. */
	defaults_give(sch, "{\"opts\":{\"tags\":[]},\"more\":{}}", true,
	    "{\"limit\":100,\"more\":{\"n\":1},"
	    "\"opts\":{\"deep\":false,\"tags\":[]}}");
}
END_TEST

START_TEST(test_defaults_copied)
{
	struct schema *s;
	json_t *a, *b;
	char *error;

	s = compile_ok("{\"properties\":{\"t\":{\"default\":[1]}}}");
	a = json_object();
	b = json_object();
	ck_assert_int_eq(schema_validate(s, a, true, "arguments", &error), 0);
	ck_assert_int_eq(schema_validate(s, b, true, "arguments", &error), 0);
	json_array_append_new(json_object_get(a, "t"), json_integer(2));
	ck_assert_int_eq(json_array_size(json_object_get(b, "t")), 1);
	json_decref(a);
	json_decref(b);
	schema_free(s);
}
END_TEST

START_TEST(test_defaults_in_choice)
{
	static const char *sch =
	    "{\"oneOf\":[{\"type\":\"object\","
	    "\"properties\":{\"kind\":{\"const\":\"a\"},"
	    "\"n\":{\"default\":1}},\"required\":[\"kind\"]},"
	    "{\"type\":\"object\",\"properties\":{\"kind\":{\"const\":\"b\"},"
	    "\"m\":{\"default\":2}},\"required\":[\"kind\"]}]}";

	defaults_give(
	    sch, "{\"kind\":\"b\"}", true, "{\"kind\":\"b\",\"m\":2}");
	defaults_give(
	    sch, "{\"kind\":\"a\"}", true, "{\"kind\":\"a\",\"n\":1}");
	defaults_give("{\"allOf\":[{\"properties\":{\"x\":{\"default\":1}}}]}",
	    "{}", true, "{\"x\":1}");
}
END_TEST

START_TEST(test_malformed)
{
	malformed("{\"properties\":{\"limit\":{\"minimum\":\"1\"}}}",
	    "properties.limit.minimum: must be a number");
	malformed("{\"type\":\"strin\"}", "type: unknown type \"strin\"");
	malformed(
	    "{\"type\":[\"string\",\"nul\"]}", "type[1]: unknown type \"nul\"");
	malformed("{\"type\":[\"string\",\"string\"]}",
	    "type[1]: duplicate type \"string\"");
	malformed("{\"type\":[]}",
	    "type: must be a type name or a non-empty array of type names");
	malformed("{\"type\":[1]}", "type[0]: must be a string");
	malformed(
	    "{\"required\":\"a\"}", "required: must be an array of strings");
	malformed("{\"required\":[\"a\",2]}", "required[1]: must be a string");
	malformed("{\"properties\":[]}", "properties: must be an object");
	malformed("{\"properties\":{\"a\":1}}",
	    "properties.a: must be a schema (an object or a boolean)");
	malformed("{\"additionalProperties\":\"no\"}",
	    "additionalProperties: must be a schema (an object or a boolean)");
	malformed("{\"items\":[{}]}",
	    "items: must be a schema (an object or a boolean)");
	malformed("{\"items\":{\"maxItems\":-1}}",
	    "items.maxItems: must be a non-negative integer");
	malformed(
	    "{\"minLength\":1.5}", "minLength: must be a non-negative integer");
	malformed("{\"exclusiveMinimum\":true}",
	    "exclusiveMinimum: must be a number");
	malformed("{\"enum\":[]}", "enum: must be a non-empty array");
	malformed("{\"enum\":3}", "enum: must be a non-empty array");
	malformed(
	    "{\"oneOf\":[]}", "oneOf: must be a non-empty array of schemas");
	malformed("{\"anyOf\":[{},{\"type\":\"x\"}]}",
	    "anyOf[1].type: unknown type \"x\"");
	malformed(
	    "{\"allOf\":{}}", "allOf: must be a non-empty array of schemas");
	malformed("{\"pattern\":7}", "pattern: must be a string");
	malformed("{\"properties\":{\"id\":{\"pattern\":\"^(ab$\"}}}",
	    "properties.id.pattern: does not compile: "
	    "missing closing parenthesis at offset 5");
	malformed("{\"$ref\":\"#/$defs/x\"}", "$ref: keyword not supported");
	malformed("{\"properties\":{\"t\":{\"uniqueItems\":true}}}",
	    "properties.t.uniqueItems: keyword not supported");
	malformed("7", "schema: must be a schema (an object or a boolean)");
	malformed("{\"properties\":{\"limit\":{\"type\":\"integer\","
		  "\"maximum\":1000,\"default\":5000}}}",
	    "properties.limit.default: must be at most 1000");
	malformed("{\"properties\":{\"o\":{\"properties\":{\"x\":"
		  "{\"type\":\"string\"}},\"default\":{\"x\":1}}}}",
	    "properties.o.default.x: must be a string");
	malformed("{\"type\":",
	    "schema: line 1 column 8: "
	    "unexpected token near end of file");
}
END_TEST

START_TEST(test_api_edges)
{
	struct schema *s;
	json_t *j;
	char *error, *cause;

	schema_free(NULL);
	ck_assert_ptr_null(schema_compile(NULL, &cause));
	ck_assert_str_eq(cause, "schema: missing");
	free(cause);
	ck_assert_ptr_null(schema_compile_text("[", NULL));

	s = compile_ok("{\"type\":\"string\"}");
	j = json_integer(1);
	ck_assert_int_eq(schema_validate(s, j, false, NULL, &error), -1);
	ck_assert_str_eq(error, "instance: must be a string");
	free(error);
	ck_assert_int_eq(schema_validate(s, j, false, "result", NULL), -1);
	ck_assert_int_eq(schema_validate(s, NULL, false, "result", &error), -1);
	ck_assert_str_eq(error, "result: no value to validate");
	free(error);
	json_decref(j);
	schema_free(s);
}
END_TEST

struct worker {
	const struct schema *schema;
	int id;
	int ok;
	int bad;
};

/* Validates NROUNDS fresh instances with the shared compiled schema. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	json_t *j;
	char *error;
	int i, rc;

	for (i = 0; i < NROUNDS; i++) {
		j = json_pack("{s:s, s:[s,s]}", "node",
		    (i % 3 == 0) ? "pve-\xd9\xa1" : "pve-1", "tags", "a",
		    (i % 5 == 0) ? "B" : "b");
		rc = schema_validate(w->schema, j, true, "arguments", &error);
		if (rc == 0 &&
		    json_integer_value(json_object_get(j, "limit")) == 100)
			w->ok++;
		else if (rc != 0 && error != NULL &&
		    strncmp(error, "arguments.", 10) == 0)
			w->bad++;
		free(error);
		json_decref(j);
	}
	return (NULL);
}

START_TEST(test_threads)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct schema *s;
	int i, want_ok;

	s = compile_ok(
	    "{\"type\":\"object\",\"properties\":{"
	    "\"node\":{\"type\":\"string\",\"pattern\":\"^[a-z]+-\\\\d+$\","
	    "\"maxLength\":16},"
	    "\"tags\":{\"type\":\"array\",\"items\":{\"pattern\":\"^[a-z]$\"}},"
	    "\"limit\":{\"type\":\"integer\",\"default\":100}},"
	    "\"required\":[\"node\"],\"additionalProperties\":false}");
	for (i = 0; i < NTHREADS; i++) {
		w[i].schema = s;
		w[i].id = i;
		w[i].ok = w[i].bad = 0;
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	/* Valid unless i % 3 == 0 (Arabic-Indic digit) or i % 5 == 0. */
	want_ok = 0;
	for (i = 0; i < NROUNDS; i++) {
		if (i % 3 != 0 && i % 5 != 0)
			want_ok++;
	}
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(w[i].ok, want_ok);
		ck_assert_int_eq(w[i].bad, NROUNDS - want_ok);
	}
	schema_free(s);
}
END_TEST

/* Builds the suite. */
static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_type);
	tcase_add_test(tc, test_integer);
	tcase_add_test(tc, test_properties_required);
	tcase_add_test(tc, test_additional);
	tcase_add_test(tc, test_enum_const);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_pattern);
	tcase_add_test(tc, test_pattern_match);
	tcase_add_test(tc, test_items);
	tcase_add_test(tc, test_nested_paths);
	tcase_add_test(tc, test_first_error);
	tcase_add_test(tc, test_combinators);
	tcase_add_test(tc, test_boolean_schema);
	tcase_add_test(tc, test_annotations_ignored);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_defaults_copied);
	tcase_add_test(tc, test_defaults_in_choice);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_api_edges);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the schema suite. */
int
main(void)
{
	return (test_run_suite(schema_suite()));
}
