/*
 * Tests of jsonfast: the values it builds equal jansson's, what it
 * declines jansson reports with its own message, and the writer prints
 * what json_dumps prints (reals and escapes included).
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <jansson.h>

#include "tests/unit/testutil.h"
#include "core/jsonfast.h"

/* Documents both readers accept; each must build the same value. */
static const char *const good[] = {
	"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"racktop_status\",\"arguments\":{}}}",
	"[1,-0,-9223372036854775808,9223372036854775807,0.5,-0.0,1E+2,"
	    "2.5e-3,true,false,null,\"\"]",
	"{\"k\\u0041\\n\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\r\\t\","
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\":{}}",
	" \t\r\n{ \"a\" : [ ] , \"b\" : { \"c\" : [ [ ] ] } } \n",
	"\"\\u0000 is allowed with JSON_ALLOW_NUL\"",
	"123",
};

/* Documents jansson refuses: jsonfast must decline each. */
static const char *const bad[] = {
	"", " ", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "01", "1.", ".5",
	"-", "1e", "+1", "tru", "truex", "nul", "[1 2]", "{\"a\":1,\"a\":2}",
	"9223372036854775808", "-9223372036854775809", "1e400",
	"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"",
	"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\x01\"",
	"{\"a\\u0000b\":1}", "[] []", "\"open",
};

START_TEST(test_same_values)
{
	json_error_t err;
	json_t *fast, *ref;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		fast = jsonfast_parse(good[i], strlen(good[i]), JSONFAST_FLAGS);
		ref = json_loadb(good[i], strlen(good[i]), JSONFAST_FLAGS,
		    &err);
		ck_assert_msg(ref != NULL, "jansson refused %s", good[i]);
		ck_assert_msg(fast != NULL, "jsonfast declined %s", good[i]);
		ck_assert_msg(json_equal(fast, ref), "differs: %s", good[i]);
		json_decref(fast);
		json_decref(ref);
	}
}
END_TEST

START_TEST(test_declines_and_falls_back)
{
	json_error_t a, b;
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(jsonfast_parse(bad[i], strlen(bad[i]),
		    JSONFAST_FLAGS) == NULL, "accepted %s", bad[i]);
		v = jsonfast_load(bad[i], strlen(bad[i]), JSONFAST_FLAGS, &a);
		ck_assert_msg(v == NULL, "loaded %s", bad[i]);
		ck_assert_ptr_null(json_loadb(bad[i], strlen(bad[i]),
		    JSONFAST_FLAGS, &b));
		ck_assert_str_eq(a.text, b.text);
		ck_assert_int_eq(a.position, b.position);
	}
	/* Without JSON_DECODE_ANY a scalar is refused, as by jansson. */
	ck_assert_ptr_null(jsonfast_parse("1", 1, 0));
	/* Without JSON_ALLOW_NUL an escaped U+0000 is too. */
	ck_assert_ptr_null(jsonfast_parse("\"\\u0000\"", 8, JSON_DECODE_ANY));
	/* Without JSON_REJECT_DUPLICATES the last value wins. */
	v = jsonfast_parse("{\"a\":1,\"a\":2}", 13, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "a")), 2);
	json_decref(v);
}
END_TEST

/* Compares the writer with json_dumps on one value. */
static void
check_dump(json_t *v)
{
	struct jf_buf b = { NULL, 0, 0 };
	char *ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	jsonfast_dump(&b, v);
	ck_assert_ptr_nonnull(ref);
	ck_assert_msg(b.len == strlen(ref) && memcmp(b.data, ref, b.len) == 0,
	    "wrote %.*s, jansson %s", (int)b.len, b.data, ref);
	free(ref);
	free(b.data);
	json_decref(v);
}

START_TEST(test_writer_matches_jansson)
{
	static const double reals[] = {
		0.1, 1.0, -0.0, 1e20, 1e21, 1e-5, 123456789.0, 1.5e300,
		-2.5e-300, 3.141592653589793, 1e100, 5e-324,
	};
	json_t *o;
	size_t i;

	for (i = 0; i < sizeof reals / sizeof reals[0]; i++)
		check_dump(json_real(reals[i]));
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		check_dump(json_loadb(good[i], strlen(good[i]),
		    JSONFAST_FLAGS, NULL));
	o = json_pack("{s:s, s:[i, f, b, n], s:{}}", "ctl\x01\x1f\"\\/",
	    "x\ty", "list", -42, 0.25, 1, "empty");
	check_dump(o);
}
END_TEST

START_TEST(test_locale_independent)
{
	json_t *v;

	/* A decimal comma locale must not change reading or writing. */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "fr_FR.UTF-8") == NULL)
		return; /* no such locale here: nothing to prove */
	v = jsonfast_parse("[0.5]", 5, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert(json_real_value(json_array_get(v, 0)) == 0.5);
	json_decref(v);
	{
		struct jf_buf b = { NULL, 0, 0 };

		v = json_real(0.5);
		jsonfast_dump(&b, v);
		ck_assert_int_eq((int)b.len, 3);
		ck_assert(memcmp(b.data, "0.5", 3) == 0);
		free(b.data);
		json_decref(v);
	}
	setlocale(LC_NUMERIC, "C");
}
END_TEST

static Suite *
jsonfast_suite(void)
{
	Suite *s = suite_create("jsonfast");
	TCase *tc = tcase_create("jsonfast");

	tcase_add_test(tc, test_same_values);
	tcase_add_test(tc, test_declines_and_falls_back);
	tcase_add_test(tc, test_writer_matches_jansson);
	tcase_add_test(tc, test_locale_independent);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the jsonfast suite. */
int
main(void)
{
	return (test_run_suite(jsonfast_suite()));
}
