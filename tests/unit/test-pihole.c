/*
 * Pi-hole v6 parse functions on spec-example responses
 * (tests/fixtures/pihole, see SOURCES.md there), and the service's tool
 * invariants.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "services/pihole.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* The path of a fixture file (caller frees). */
static char *
fixture_path(const char *name)
{
	const char *dir = getenv("srcdir");
	char *path;

	xasprintf(&path, "%s/tests/fixtures/pihole/%s", dir != NULL ? dir :
	    ".", name);
	return (path);
}

/* A fixture file as JSON (new reference). */
static json_t *
fixture(const char *name)
{
	json_error_t err;
	json_t *j;
	char *path = fixture_path(name);

	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	return (j);
}

START_TEST(test_session)
{
	json_t *j = fixture("login-okay.json");
	struct pihole_session s;

	ck_assert_int_eq(pihole_parse_session(j, &s), 0);
	ck_assert(s.valid);
	ck_assert(!s.totp);
	ck_assert_str_eq(s.sid, "vFA+EP4MQ5JJvJg+3Q2Jnw=");
	ck_assert_int_eq(s.validity, 300);
	pihole_session_free(&s);
	json_decref(j);

	j = fixture("login-required-2fa.json");
	ck_assert_int_eq(pihole_parse_session(j, &s), 0);
	ck_assert(!s.valid);
	ck_assert(s.totp);
	ck_assert_ptr_null(s.sid);
	pihole_session_free(&s);
	json_decref(j);

	j = fixture("no-seats.json");
	ck_assert_int_eq(pihole_parse_session(j, &s), -1);
	json_decref(j);
}
END_TEST

START_TEST(test_error_text)
{
	json_t *j = fixture("no-seats.json");
	const char *key;
	char *t;

	t = pihole_error_text(j, &key);
	ck_assert_str_eq(key, "api_seats_exceeded");
	ck_assert_str_eq(t, "api_seats_exceeded: API seats exceeded "
	    "(increase webserver.api.max_sessions)");
	free(t);
	json_decref(j);
	j = fixture("totp-missing.json");
	t = pihole_error_text(j, NULL);
	ck_assert_str_eq(t, "bad_request: No 2FA token found in JSON payload");
	free(t);
	json_decref(j);
	j = fixture("login-okay.json");
	ck_assert_ptr_null(pihole_error_text(j, &key));
	ck_assert_ptr_null(key);
	json_decref(j);
}
END_TEST

START_TEST(test_summary)
{
	json_t *sum = fixture("summary.json"), *blk = fixture("blocking.json");
	json_t *row;

	row = pihole_parse_summary(sum, blk, "home");
	ck_assert_str_eq(json_string_value(json_object_get(row, "instance")),
	    "home");
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "queries_total")), 7497);
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "queries_blocked")), 3465);
	ck_assert(json_real_value(json_object_get(row, "percent_blocked")) ==
	    34.5);
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "clients_active")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "gravity_domains")), 104756);
	ck_assert_str_eq(json_string_value(json_object_get(row, "blocking")),
	    "enabled");
	ck_assert(json_real_value(json_object_get(row, "timer")) == 15.0);
	json_decref(row);
	/* Without blocking data, and from an empty object. */
	row = pihole_parse_summary(json_object_get(sum, "nothing"), NULL, "x");
	ck_assert_str_eq(json_string_value(json_object_get(row, "blocking")),
	    "unknown");
	ck_assert(json_is_null(json_object_get(row, "timer")));
	ck_assert_int_eq(json_integer_value(json_object_get(row,
	    "queries_total")), 0);
	json_decref(row);
	json_decref(sum);
	json_decref(blk);
}
END_TEST

START_TEST(test_blocking_null_timer)
{
	json_t *j = json_pack("{s:s, s:n}", "blocking", "disabled", "timer");
	json_t *row = pihole_parse_blocking(j, "home");

	ck_assert_str_eq(json_string_value(json_object_get(row, "blocking")),
	    "disabled");
	ck_assert(json_is_null(json_object_get(row, "timer")));
	json_decref(row);
	json_decref(j);
}
END_TEST

START_TEST(test_tops)
{
	json_t *j = fixture("top-domains.json"), *rows;

	rows = pihole_parse_top_domains(j, "home", true);
	ck_assert_uint_eq(json_array_size(rows), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows,
	    0), "domain")), "pi-hole.net");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    rows, 0), "count")), 8516);
	ck_assert(json_is_true(json_object_get(json_array_get(rows, 0),
	    "blocked")));
	json_decref(rows);
	json_decref(j);
	j = fixture("top-clients.json");
	rows = pihole_parse_top_clients(j, "home");
	ck_assert_uint_eq(json_array_size(rows), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows,
	    0), "name")), "raspberrypi.lan");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows,
	    0), "ip")), "192.168.0.44");
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_history)
{
	json_t *j = fixture("history.json"), *rows;

	rows = pihole_parse_history(j);
	ck_assert_uint_eq(json_array_size(rows), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    rows, 0), "timestamp")), 1511819900);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    rows, 1), "blocked")), 43);
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_domains)
{
	json_t *j = fixture("domains.json"), *rows;
	const json_t *r;

	rows = pihole_parse_domains(j, "home");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "domain")),
	    "allowed.com");
	ck_assert(json_is_null(json_object_get(r, "comment")));
	ck_assert(json_is_true(json_object_get(r, "enabled")));
	r = json_array_get(rows, 1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "kind")),
	    "regex");
	ck_assert_str_eq(json_string_value(json_object_get(r, "unicode")),
	    "ä.com");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 305);
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_queries)
{
	json_t *j = fixture("queries.json"), *rows;
	const json_t *r;

	rows = pihole_parse_queries(j, "home");
	ck_assert_uint_eq(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "domain")),
	    "community.stoplight.io");
	ck_assert_str_eq(json_string_value(json_object_get(r, "client")),
	    "192.168.0.14");
	ck_assert_str_eq(json_string_value(json_object_get(r, "status")),
	    "FORWARDED");
	ck_assert(json_number_value(json_object_get(r, "reply_ms")) == 19);
	ck_assert(json_is_null(json_object_get(r, "cname")));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")),
	    112421354);
	json_decref(rows);
	json_decref(j);
}
END_TEST

START_TEST(test_upstreams)
{
	json_t *st = fixture("upstreams.json"), *conf;
	json_t *r;
	const json_t *s;

	conf = fixture("config-upstreams.json");
	r = pihole_parse_upstreams(st, conf, "home");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "configured")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "configured"), 0)), "127.0.0.1#5353");
	s = json_array_get(json_object_get(r, "servers"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s, "ip")),
	    "127.0.0.1");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "count")),
	    65445);
	ck_assert(json_real_value(json_object_get(s, "response_ms")) > 25.4 &&
	    json_real_value(json_object_get(s, "response_ms")) < 25.6);
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "total_queries")), 29160);
	json_decref(r);
	/* Without the configuration. */
	r = pihole_parse_upstreams(st, NULL, "home");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "configured")), 0);
	json_decref(r);
	json_decref(st);
	json_decref(conf);
}
END_TEST

START_TEST(test_gravity)
{
	char *path = fixture_path("gravity.txt"), buf[8192];
	json_t *lines;
	FILE *f;
	size_t n;

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	free(path);
	lines = pihole_gravity_lines(buf, n);
	ck_assert_uint_gt(json_array_size(lines), 30);
	ck_assert_str_eq(json_string_value(json_array_get(lines, 0)),
	    "[i] Neutrino emissions detected...");
	ck_assert_int_eq(pihole_gravity_domains(lines), 219727);
	json_decref(lines);
	/* Carriage returns overwrite, ANSI colours go, blank lines too. */
	lines = pihole_gravity_lines("  [i] Working...\r  [\033[32m\xe2\x9c\x93"
	    "\033[0m] Done\n\n\ntail", 45);
	ck_assert_uint_eq(json_array_size(lines), 2);
	ck_assert_str_eq(json_string_value(json_array_get(lines, 0)),
	    "  [\xe2\x9c\x93] Done");
	ck_assert_str_eq(json_string_value(json_array_get(lines, 1)), "tail");
	ck_assert_int_eq(pihole_gravity_domains(lines), -1);
	json_decref(lines);
}
END_TEST

/* Cleans one streamed line into the array arg, as the backend does. */
static int
gravity_line(void *arg, const char *line, size_t len)
{
	json_t *clean = pihole_gravity_lines(line, len);

	json_array_extend(arg, clean);
	json_decref(clean);
	return (0);
}

START_TEST(test_gravity_streamed)
{
	char *path = fixture_path("gravity.txt"), buf[8192];
	struct http_lines l;
	json_t *whole, *streamed;
	FILE *f;
	size_t n, i, step;

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	free(path);
	whole = pihole_gravity_lines(buf, n);
	/* Any chunking gives the lines the whole text gives. */
	for (step = 1; step <= 64; step *= 4) {
		streamed = json_array();
		http_lines_init(&l, gravity_line, streamed, 0);
		for (i = 0; i < n; i += step)
			ck_assert_int_eq(http_lines_feed(&l, buf + i,
			    n - i < step ? n - i : step), 0);
		ck_assert_int_eq(http_lines_flush(&l), 0);
		http_lines_free(&l);
		ck_assert_msg(json_equal(whole, streamed), "chunks of %zu",
		    step);
		ck_assert_int_eq(pihole_gravity_domains(streamed), 219727);
		json_decref(streamed);
	}
	json_decref(whole);
}
END_TEST

START_TEST(test_totp)
{
	/* RFC 6238 appendix B, SHA-1, the low six digits of each code. */
	static const struct {
		long long t;
		unsigned code;
	} v[] = {
		{ 59, 287082 }, { 1111111109, 81804 }, { 1111111111, 50471 },
		{ 1234567890, 5924 }, { 2000000000, 279037 },
		{ 20000000000LL, 353130 },
	};
	unsigned char key[64];
	size_t i, n;

	/* "12345678901234567890" in base32, as an authenticator shows it. */
	n = pihole_base32("gezd gnbv gy3t qojq GEZDGNBVGY3TQOJQ", key,
	    sizeof key);
	ck_assert_uint_eq(n, 20);
	ck_assert(memcmp(key, "12345678901234567890", 20) == 0);
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		ck_assert_uint_eq(pihole_totp(key, n, v[i].t / 30), v[i].code);
	ck_assert_uint_eq(pihole_base32("GEZD1", key, sizeof key), 0);
	ck_assert_uint_eq(pihole_base32("", key, sizeof key), 0);
	ck_assert_uint_eq(pihole_base32("GEZDGNBVGY3TQOJQ", key, 4), 0);
}
END_TEST

START_TEST(test_service_invariants)
{
	static const struct rt_service *const table[] = { &pihole_service,
		NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 14);
	ck_assert_ptr_nonnull(registry_find(reg, "pihole_update_gravity"));
	registry_destroy(reg);
}
END_TEST

/* The suite. */
static Suite *
pihole_suite(void)
{
	Suite *s = suite_create("pihole");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_session);
	tcase_add_test(tc, test_error_text);
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_blocking_null_timer);
	tcase_add_test(tc, test_tops);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_domains);
	tcase_add_test(tc, test_queries);
	tcase_add_test(tc, test_upstreams);
	tcase_add_test(tc, test_gravity);
	tcase_add_test(tc, test_gravity_streamed);
	tcase_add_test(tc, test_totp);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite. */
int
main(void)
{
	SRunner *sr = srunner_create(pihole_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
