/*
 * Tests of jsonarena: a packed copy equals its source in every type,
 * outlives it, shares short strings and small integers, recycles what
 * jansson frees while it builds, and the hooks leave ordinary jansson
 * use (before, during and after packing) on malloc.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "tests/unit/testutil.h"
#include "core/jsonarena.h"

/* A row as a poller builds it: enough keys that the table grows. */
static json_t *
row(int i)
{
	json_t *r = json_object();
	char key[16], mac[32];
	int k;

	snprintf(mac, sizeof mac, "aa:bb:cc:00:%02x:%02x", i / 256, i % 256);
	json_object_set_new(r, "instance", json_string("lab"));
	json_object_set_new(r, "state", json_string(i % 3 ? "running" :
	    "stopped"));
	json_object_set_new(r, "mac", json_string(mac));
	json_object_set_new(r, "vmid", json_integer(100 + i));
	json_object_set_new(r, "maxmem", json_integer(8589934592LL + i));
	json_object_set_new(r, "cpu", json_real(0.25 * i));
	json_object_set_new(r, "template", json_boolean(i % 2));
	json_object_set_new(r, "lock", json_null());
	json_object_set_new(r, "note", json_string("a description longer "
	    "than any shared string, so it is copied on its own"));
	for (k = 0; k < 24; k++) {
		snprintf(key, sizeof key, "f%d", k);
		json_object_set_new(r, key, json_integer(k - 20));
	}
	return (r);
}

static json_t *
lab(int n)
{
	json_t *rows = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(rows, row(i));
	return (json_pack("{s:o, s:{s:[]}, s:s}", "rows", rows, "empty", "a",
	    "version", "8.3.0"));
}

START_TEST(test_copy_equals_and_outlives)
{
	struct json_arena *a;
	json_t *src = lab(500), *ref = json_deep_copy(src), *cp;
	size_t before;

	cp = json_arena_copy(src, &a);
	ck_assert_ptr_nonnull(cp);
	ck_assert_ptr_nonnull(a);
	ck_assert(json_equal(cp, src));
	json_decref(src);			/* the copy shares nothing */
	ck_assert(json_equal(cp, ref));
	before = json_arena_bytes(a);
	ck_assert_uint_gt(before, 0);
	/* Ordinary jansson use after packing is on malloc again. */
	src = lab(3);
	ck_assert_uint_eq(json_arena_bytes(a), before);
	json_decref(src);
	json_arena_free(a);
	json_decref(ref);
}
END_TEST

/* Keys and strings holding NUL (json_equal itself stops at the NUL). */
START_TEST(test_nul)
{
	struct json_arena *a;
	json_t *src = json_object(), *cp, *v;

	json_object_setn_new(src, "nul\0key", 7, json_stringn("a\0b", 3));
	json_object_set_new(src, "nul", json_integer(1));
	cp = json_arena_copy(src, &a);
	json_decref(src);
	ck_assert_uint_eq(json_object_size(cp), 2);
	v = json_object_getn(cp, "nul\0key", 7);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(json_string_length(v), 3);
	ck_assert_mem_eq(json_string_value(v), "a\0b", 3);
	ck_assert_int_eq(json_integer_value(json_object_get(cp, "nul")), 1);
	json_arena_free(a);
}
END_TEST

START_TEST(test_sharing)
{
	struct json_arena *a;
	json_t *src = lab(50), *cp, *rows, *r1, *r2;

	cp = json_arena_copy(src, &a);
	rows = json_object_get(cp, "rows");
	r1 = json_array_get(rows, 1);
	r2 = json_array_get(rows, 4);
	/* Short strings and small integers: one node each. */
	ck_assert_ptr_eq(json_object_get(r1, "instance"),
	    json_object_get(r2, "instance"));
	ck_assert_ptr_eq(json_object_get(r1, "state"),
	    json_object_get(r2, "state"));
	ck_assert_ptr_eq(json_object_get(r1, "f10"), json_object_get(r2, "f10"));
	/* Long strings, large integers and reals: their own. */
	ck_assert_ptr_ne(json_object_get(r1, "note"),
	    json_object_get(r2, "note"));
	ck_assert_ptr_ne(json_object_get(r1, "maxmem"),
	    json_object_get(r2, "maxmem"));
	ck_assert(json_equal(cp, src));
	json_decref(src);
	json_arena_free(a);
}
END_TEST

START_TEST(test_recycles_growth)
{
	struct json_arena *a1, *a50;
	json_t *one = lab(1), *many = lab(50), *c1, *c50;
	size_t per_row;

	c1 = json_arena_copy(one, &a1);
	c50 = json_arena_copy(many, &a50);
	ck_assert(json_equal(c50, many));
	/*
	 * Each row's table grows through smaller bucket arrays; freed, they
	 * serve the next row. Chunks double, so compare in chunk terms: 50
	 * rows must fit well under 50 copies of one row's arena.
	 */
	per_row = json_arena_bytes(a1);
	ck_assert_uint_lt(json_arena_bytes(a50), 50 * per_row / 2);
	json_decref(one);
	json_decref(many);
	json_arena_free(a1);
	json_arena_free(a50);
	(void)c1;
}
END_TEST

START_TEST(test_scalars_and_empty)
{
	static const char *docs[] = { "[]", "{}", "\"\"", "0", "-16", "1023",
	    "1024", "-17", "1.5", "true", "false", "null",
	    "[[],{},[{}],{\"a\":[]}]" };
	struct json_arena *a;
	json_t *src, *cp;
	size_t i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		src = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		ck_assert_ptr_nonnull(src);
		cp = json_arena_copy(src, &a);
		ck_assert_msg(json_equal(cp, src), "%s", docs[i]);
		json_decref(src);
		json_arena_free(a);
	}
	json_arena_free(NULL);
	ck_assert_uint_eq(json_arena_bytes(NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jsonarena");
	TCase *tc = tcase_create("core");
	struct json_arena *a;
	json_t *src, *cp;

	/* Before the hooks: an ordinary copy, owned by its refcount. */
	src = lab(2);
	cp = json_arena_copy(src, &a);
	if (a != NULL || !json_equal(cp, src)) {
		fprintf(stderr, "copy before json_arena_install\n");
		return (EXIT_FAILURE);
	}
	json_decref(cp);
	json_decref(src);

	json_arena_install();
	tcase_add_test(tc, test_copy_equals_and_outlives);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_sharing);
	tcase_add_test(tc, test_recycles_growth);
	tcase_add_test(tc, test_scalars_and_empty);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
