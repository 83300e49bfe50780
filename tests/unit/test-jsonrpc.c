/*
 * JSON-RPC framing and classification without a socket: lines split
 * across chunks, "\r\n", oversized lines, bad JSON and bad requests, and
 * ids written back with their exact JSON type.
 */
#include "config.h"

#include <jansson.h>

#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "tests/unit/testutil.h"

/* Feeds a string literal. */
#define FEED(lb, s) jr_lines_feed((lb), (s), sizeof(s) - 1)

/* Feeds text and expects exactly the given lines (NULL-terminated). */
static void
expect_lines(struct jr_lines *lb, const char *const *want)
{
	const char *line;
	size_t len;
	int i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_int_eq(jr_lines_next(lb, &line, &len), JR_LINE_OK);
		ck_assert_uint_eq(len, strlen(want[i]));
		ck_assert(memcmp(line, want[i], len) == 0);
	}
	ck_assert_int_eq(jr_lines_next(lb, &line, &len), JR_LINE_NONE);
}

START_TEST(lines_split_across_chunks)
{
	static const char *const want[] = { "{\"a\":1}", "{\"b\":2}", NULL };
	static const char *const want2[] = { "{\"c\":3}", NULL };
	struct jr_lines lb;
	const char *line;
	size_t len;

	jr_lines_init(&lb, 1024);
	FEED(&lb, "{\"a\"");
	ck_assert_int_eq(jr_lines_next(&lb, &line, &len), JR_LINE_NONE);
	FEED(&lb, ":1}\n{\"b\":2}\r\n\n  \r\n{\"c\"");
	expect_lines(&lb, want);
	ck_assert_uint_eq(jr_lines_pending(&lb), 4);
	FEED(&lb, ":3}\r\n");
	expect_lines(&lb, want2);
	ck_assert_uint_eq(jr_lines_pending(&lb), 0);
	jr_lines_free(&lb);
}
END_TEST

START_TEST(lines_one_byte_at_a_time)
{
	static const char text[] = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}\r\n";
	struct jr_lines lb;
	const char *line;
	size_t i, len;
	int got = 0;

	jr_lines_init(&lb, 1024);
	for (i = 0; i < sizeof text - 1; i++) {
		jr_lines_feed(&lb, text + i, 1);
		if (jr_lines_next(&lb, &line, &len) == JR_LINE_OK) {
			got++;
			ck_assert_uint_eq(len, sizeof text - 3);
		}
	}
	ck_assert_int_eq(got, 1);
	jr_lines_free(&lb);
}
END_TEST

START_TEST(lines_oversized)
{
	static const char *const after[] = { "{\"ok\":1}", NULL };
	struct jr_lines lb;
	const char *line;
	char big[300];
	size_t len;
	int i;

	memset(big, 'x', sizeof big);
	jr_lines_init(&lb, 100);
	/* Exactly the maximum is accepted. */
	jr_lines_feed(&lb, big, 100);
	jr_lines_feed(&lb, "\n", 1);
	ck_assert_int_eq(jr_lines_next(&lb, &line, &len), JR_LINE_OK);
	ck_assert_uint_eq(len, 100);
	/* One more byte, in one chunk with its newline. */
	jr_lines_feed(&lb, big, 101);
	FEED(&lb, "\n{\"ok\":1}\n");
	ck_assert_int_eq(jr_lines_next(&lb, &line, &len), JR_LINE_TOOBIG);
	expect_lines(&lb, after);
	/* Streamed without a newline: reported once, the rest dropped. */
	for (i = 0; i < 10; i++)
		jr_lines_feed(&lb, big, sizeof big);
	ck_assert_int_eq(jr_lines_next(&lb, &line, &len), JR_LINE_TOOBIG);
	jr_lines_feed(&lb, big, sizeof big);
	ck_assert_int_eq(jr_lines_next(&lb, &line, &len), JR_LINE_NONE);
	FEED(&lb, "tail\n{\"ok\":1}\n");
	expect_lines(&lb, after);
	jr_lines_free(&lb);
}
END_TEST

START_TEST(lines_space_commit_bounded)
{
	struct jr_lines lb;
	const char *line;
	size_t avail, len, total = 0;
	enum jr_line st = JR_LINE_NONE;
	char *p;

	jr_lines_init(&lb, 4096);
	while (total < 100000 && st == JR_LINE_NONE) {
		p = jr_lines_space(&lb, &avail);
		ck_assert_uint_gt(avail, 0);
		memset(p, 'y', avail);
		jr_lines_commit(&lb, avail);
		total += avail;
		st = jr_lines_next(&lb, &line, &len);
	}
	ck_assert_int_eq(st, JR_LINE_TOOBIG);
	ck_assert_uint_le(lb.cap, 4096 + 65536 + 2);
	jr_lines_free(&lb);
}
END_TEST

/* Parses text and checks the kind and, for errors, the code. */
static void
expect_kind(const char *text, enum jr_kind kind, int code)
{
	struct jr_msg m;

	jr_parse(text, strlen(text), &m);
	ck_assert_msg(m.kind == kind, "%s: kind %d, want %d", text, m.kind,
	    kind);
	if (kind == JR_INVALID)
		ck_assert_msg(m.code == code, "%s: code %d, want %d", text,
		    m.code, code);
	jr_msg_clear(&m);
}

/* The error line for an invalid message, as the server builds it. */
static char *
error_line(const char *text)
{
	struct jr_buf b;
	struct jr_msg m;
	char *s;

	jr_buf_init(&b);
	jr_parse(text, strlen(text), &m);
	ck_assert_int_eq(m.kind, JR_INVALID);
	jr_error(&b, m.id, m.code, m.error, NULL);
	jr_msg_clear(&m);
	s = xstrndup(b.data, b.len);
	jr_buf_free(&b);
	return (s);
}

START_TEST(parse_errors)
{
	char deep[100002];
	struct jr_msg m;
	char *line;

	expect_kind("not json", JR_INVALID, JR_PARSE_ERROR);
	expect_kind("{\"jsonrpc\":\"2.0\",", JR_INVALID, JR_PARSE_ERROR);
	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"x\"} {}", JR_INVALID,
	    JR_PARSE_ERROR);
	/* Invalid UTF-8: a lone continuation byte, an overlong NUL. */
	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"\x80\"}", JR_INVALID,
	    JR_PARSE_ERROR);
	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"\xc0\x80\"}",
	    JR_INVALID, JR_PARSE_ERROR);
	/* U+0000 is valid JSON: refused as a bad parameter, with the id kept. */
	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"a\\u0000\"}",
	    JR_INVALID, JR_INVALID_PARAMS);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"x\","
	    "\"params\":{\"a\":[\"b\\u0000\"]}}", JR_INVALID,
	    JR_INVALID_PARAMS);
	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"method\":\"b\"}",
	    JR_INVALID, JR_PARSE_ERROR);

	/* 100000 '[': a clean parse error, no crash. */
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	jr_parse(deep, sizeof deep - 1, &m);
	ck_assert_int_eq(m.kind, JR_INVALID);
	ck_assert_int_eq(m.code, JR_PARSE_ERROR);
	ck_assert_str_eq(m.error, "Parse error: nesting too deep");
	jr_msg_clear(&m);

	/* The reply to invalid UTF-8 is itself valid JSON with id null. */
	line = error_line("{\"id\":1,\"x\":\"\xff\xfe\"}");
	ck_assert_str_eq(line, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
	    "{\"code\":-32700,\"message\":\"Parse error: invalid UTF-8\"}}\n");
	free(line);
}
END_TEST

START_TEST(invalid_requests)
{
	char *line;

	expect_kind("1", JR_INVALID, JR_INVALID_REQUEST);
	expect_kind("\"x\"", JR_INVALID, JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
	    JR_INVALID, JR_INVALID_REQUEST);
	expect_kind("{\"id\":1,\"method\":\"ping\"}", JR_INVALID,
	    JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1}", JR_INVALID,
	    JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", JR_INVALID,
	    JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\","
	    "\"params\":\"s\"}", JR_INVALID, JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}",
	    JR_INVALID, JR_INVALID_REQUEST);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"x\"}",
	    JR_INVALID, JR_INVALID_REQUEST);

	/* A readable id is echoed; a null one is null. */
	line = error_line("{\"jsonrpc\":\"1.0\",\"id\":\"q\",\"method\":\"x\"}");
	ck_assert_str_eq(line, "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"error\":"
	    "{\"code\":-32600,\"message\":\"Invalid Request: jsonrpc must be "
	    "\\\"2.0\\\"\"}}\n");
	free(line);
	line = error_line("{\"jsonrpc\":\"2.0\",\"id\":7}");
	ck_assert_ptr_nonnull(strstr(line, "\"id\":7,"));
	ck_assert_ptr_nonnull(strstr(line, "-32600"));
	free(line);
	line = error_line("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}");
	ck_assert_str_eq(line, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
	    "{\"code\":-32600,\"message\":\"Invalid Request: id must be a "
	    "string or an integer\"}}\n");
	free(line);
}
END_TEST

START_TEST(classify)
{
	struct jr_msg m;
	const char *t;

	t = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/list\","
	    "\"params\":{}}";
	jr_parse(t, strlen(t), &m);
	ck_assert_int_eq(m.kind, JR_REQUEST);
	ck_assert_str_eq(m.method, "tools/list");
	ck_assert(json_is_integer(m.id) && json_integer_value(m.id) == 0);
	ck_assert(json_is_object(m.params));
	jr_msg_clear(&m);

	expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}",
	    JR_NOTIFICATION, 0);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}",
	    JR_RESPONSE, 0);
	expect_kind("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,"
	    "\"message\":\"m\"}}", JR_RESPONSE, 0);
	expect_kind("[]", JR_BATCH, 0);
	expect_kind("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
	    JR_BATCH, 0);
}
END_TEST

/* The reply line to a request, for checking its id. */
static char *
reply_line(const char *request)
{
	struct jr_buf b;
	struct jr_msg m;
	json_t *r = json_object();
	char *s;

	jr_buf_init(&b);
	jr_parse(request, strlen(request), &m);
	ck_assert_int_eq(m.kind, JR_REQUEST);
	jr_result(&b, m.id, r);
	json_decref(r);
	jr_msg_clear(&m);
	s = xstrndup(b.data, b.len);
	jr_buf_free(&b);
	return (s);
}

START_TEST(ids_echoed_exactly)
{
	static const struct {
		const char *id;
	} cases[] = {
		{ "0" }, { "-1" }, { "\"0\"" }, { "\"1\"" }, { "\"abc\"" },
		{ "9007199254740992" }, { "-9223372036854775808" },
		{ "\"\\u00e9\\n\"" }, { "\"\"" },
	};
	char req[256], want[256], *got;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":%s,"
		    "\"method\":\"ping\"}", cases[i].id);
		got = reply_line(req);
		snprintf(want, sizeof want, "{\"jsonrpc\":\"2.0\",\"id\":%s,"
		    "\"result\":{}}\n", cases[i].id);
		/* jansson writes \u00e9 as the UTF-8 character. */
		if (strstr(cases[i].id, "u00e9") != NULL)
			snprintf(want, sizeof want, "{\"jsonrpc\":\"2.0\","
			    "\"id\":\"\xc3\xa9\\n\",\"result\":{}}\n");
		ck_assert_str_eq(got, want);
		free(got);
	}
}
END_TEST

START_TEST(writers)
{
	struct jr_buf b;
	json_t *p, *o;

	jr_buf_init(&b);
	p = json_pack("{s:i}", "progress", 1);
	jr_notification(&b, "notifications/progress", p);
	jr_notification(&b, "notifications/initialized", NULL);
	jr_result_text(&b, NULL, "{}", 2);
	jr_buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/progress\",\"params\":{\"progress\":1}}\n"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}\n");
	json_decref(p);

	p = json_string("x");
	o = jr_error_json(p, -32601, "Method not found: x", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "id")), "x");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    o, "error"), "code")), -32601);
	json_decref(o);
	o = jr_result_json(NULL, NULL);
	ck_assert(json_is_null(json_object_get(o, "id")));
	json_decref(o);
	json_decref(p);
	jr_buf_free(&b);
}
END_TEST

START_TEST(escaping_matches_jansson)
{
	char text[200], *want;
	struct jr_buf b;
	json_t *str;
	size_t n = 0;
	int c;

	for (c = 1; c < 0x80; c++)
		text[n++] = (char)c;
	memcpy(text + n, "\xc3\xa9\xe2\x80\xa8", 5);
	n += 5;
	str = json_stringn(text, n);
	want = json_dumps(str, JSON_ENCODE_ANY);
	jr_buf_init(&b);
	jr_buf_append(&b, "\"", 1);
	jr_put_escaped(&b, text, n);
	jr_buf_append(&b, "\"", 2);
	ck_assert_str_eq(b.data, want);
	free(want);
	json_decref(str);
	jr_buf_free(&b);
}
END_TEST

/* The suite. */
static Suite *
jsonrpc_suite(void)
{
	Suite *s = suite_create("jsonrpc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lines_split_across_chunks);
	tcase_add_test(tc, lines_one_byte_at_a_time);
	tcase_add_test(tc, lines_oversized);
	tcase_add_test(tc, lines_space_commit_bounded);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, invalid_requests);
	tcase_add_test(tc, classify);
	tcase_add_test(tc, ids_echoed_exactly);
	tcase_add_test(tc, writers);
	tcase_add_test(tc, escaping_matches_jansson);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the suite. */
int
main(void)
{
	return (test_run_suite(jsonrpc_suite()));
}
