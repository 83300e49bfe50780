/*
 * The HTTP transport's checks without a listener (src/mcp/http-auth.c):
 * Host and Origin against DNS rebinding, bearer tokens and their 0600
 * file, and the 2026-07-28 base64 sentinel of header values.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "mcp/http-int.h"
#include "tests/unit/testutil.h"

START_TEST(origin_and_host)
{
	/* Loopback names, any port, any case. */
	ck_assert(http_origin_ok("127.0.0.1:8765", NULL, false));
	ck_assert(http_origin_ok("LOCALHOST", "http://localhost:3000", false));
	ck_assert(http_origin_ok("[::1]:1", "https://127.0.0.1", false));
	ck_assert(http_origin_ok(NULL, NULL, false));
	/* A rebinding page: its own name in Host or Origin. */
	ck_assert(!http_origin_ok("evil.example", NULL, false));
	ck_assert(!http_origin_ok("evil.example:8765",
	    "http://evil.example:8765", false));
	ck_assert(!http_origin_ok("127.0.0.1:8765", "http://evil.example",
	    false));
	ck_assert(!http_origin_ok("localhost.evil.example", NULL, false));
	ck_assert(!http_origin_ok("127.0.0.1", "http://localhost.evil", false));
	ck_assert(!http_origin_ok("127.0.0.1", "null", false));
	/* Remote: any Host; an Origin is loopback or the Host itself. */
	ck_assert(http_origin_ok("lab.example:8765", NULL, true));
	ck_assert(http_origin_ok("lab.example:8765",
	    "https://lab.example:8765/app", true));
	ck_assert(!http_origin_ok("lab.example:8765", "https://evil.example",
	    true));
}
END_TEST

/* Writes a token file with mode; returns its path (freed by caller). */
static char *
token_file(const char *dir, const char *text, mode_t mode)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/tokens", dir);
	unlink(path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return (path);
}

START_TEST(tokens)
{
	char *dir = test_tmpdir(), *path, *cause = NULL;
	struct http_token *t = NULL;
	size_t n = 0;

	path = token_file(dir, "# agents\nagent-a aaaaaaaaaaaaaaaa1\n"
	    "\n  agent-b\tbbbbbbbbbbbbbbbb2\n", 0600);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(http_token_match(t, n,
	    "Bearer aaaaaaaaaaaaaaaa1"), "agent-a");
	ck_assert_str_eq(http_token_match(t, n,
	    "bearer  bbbbbbbbbbbbbbbb2"), "agent-b");
	ck_assert_ptr_null(http_token_match(t, n, "Bearer aaaaaaaaaaaaaaaa"));
	ck_assert_ptr_null(http_token_match(t, n, "Bearer aaaaaaaaaaaaaaaa12"));
	ck_assert_ptr_null(http_token_match(t, n, "Basic aaaaaaaaaaaaaaaa1"));
	ck_assert_ptr_null(http_token_match(t, n, "Bearer "));
	ck_assert_ptr_null(http_token_match(t, n, NULL));
	http_tokens_free(t, n);
	free(path);

	/* A bare token is named "http". */
	path = token_file(dir, "cccccccccccccccc3\n", 0600);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), 0);
	ck_assert_str_eq(http_token_match(t, n, "Bearer cccccccccccccccc3"),
	    "http");
	http_tokens_free(t, n);
	free(path);

	/* Readable by others: refused, saying so, never quoting a token. */
	path = token_file(dir, "agent dddddddddddddddd4\n", 0640);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "mode 0600"));
	ck_assert_ptr_null(strstr(cause, "dddd"));
	free(cause);
	free(path);
	/* Short, or empty. */
	path = token_file(dir, "agent zzzz\n", 0600);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "shorter than 16"));
	ck_assert_ptr_null(strstr(cause, "zzzz"));
	free(cause);
	free(path);
	path = token_file(dir, "# nothing\n", 0600);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no token"));
	free(cause);
	unlink(path);
	ck_assert_int_eq(http_tokens_load(path, &t, &n, &cause), -1);
	free(cause);
	free(path);
	test_rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(header_values)
{
	char *v;

	v = http_header_value("racktop_status");
	ck_assert_str_eq(v, "racktop_status");
	free(v);
	/* The spec's examples (2026-07-28 streamable-http, Value Encoding). */
	v = http_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=");
	ck_assert_str_eq(v, "Hello, \xe4\xb8\x96\xe7\x95\x8c");
	free(v);
	v = http_header_value("=?base64?IHBhZGRlZCA=?=");
	ck_assert_str_eq(v, " padded ");
	free(v);
	v = http_header_value("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
	ck_assert_str_eq(v, "=?base64?literal?=");
	free(v);
	/* Not base64, a NUL inside, data after the padding. */
	ck_assert_ptr_null(http_header_value("=?base64?a*b=?="));
	ck_assert_ptr_null(http_header_value("=?base64?AA==?="));
	ck_assert_ptr_null(http_header_value("=?base64?YQ==YQ?="));
	/* Markers are case-sensitive: otherwise a plain value. */
	v = http_header_value("=?BASE64?YQ==?=");
	ck_assert_str_eq(v, "=?BASE64?YQ==?=");
	free(v);
}
END_TEST

static Suite *
mcp_http_suite(void)
{
	Suite *s = suite_create("mcp-http");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, origin_and_host);
	tcase_add_test(tc, tokens);
	tcase_add_test(tc, header_values);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

int
main(void)
{
	return (test_run_suite(mcp_http_suite()));
}
