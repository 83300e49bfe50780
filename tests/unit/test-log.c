/*
 * Tests of the log and the audit log: whole lines from many threads, level
 * filtering, sanitised messages, event lines as JSON, read aggregation and
 * the redaction of secrets.
 */
#include "config.h"

#include <pthread.h>
#include <regex.h>

#include <jansson.h>

#include "tests/unit/testutil.h"
#include "core/audit.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define THREADS 4
#define LINES 2000

static char *tmp;
static char *path;
static pthread_barrier_t barrier;

/* Creates the private folder and log path of one test. */
static void
setup(void)
{
	tmp = test_tmpdir();
	xasprintf(&path, "%s/out.log", tmp);
}

/* Closes the logs and removes the folder of one test. */
static void
teardown(void)
{
	log_close();
	audit_close();
	log_set_level(RT_LOG_INFO);
	test_rm_rf(tmp);
	free(tmp);
	free(path);
}

/* The whole content of file p (caller frees). */
static char *
slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char *buf;
	long len;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return (buf);
}

/* Splits text into lines in place; returns the count, each in lines[]. */
static size_t
split_lines(char *text, char ***lines)
{
	size_t n = 0;
	char *nl;

	*lines = NULL;
	while (*text != '\0') {
		nl = strchr(text, '\n');
		ck_assert_msg(nl != NULL, "last line not terminated");
		*nl = '\0';
		*lines = xreallocarray(*lines, n + 1, sizeof **lines);
		(*lines)[n++] = text;
		text = nl + 1;
	}
	return (n);
}

/* Logs LINES lines from one thread named t<id>. */
static void *
log_thread(void *arg)
{
	int id = (int)(intptr_t)arg, i;
	char name[16];

	snprintf(name, sizeof name, "t%d", id);
	log_set_thread(name);
	pthread_barrier_wait(&barrier);
	for (i = 0; i < LINES; i++)
		log_info("line id=%d n=%d %s", id, i,
		    "padding-padding-padding-padding-padding-padding");
	return (NULL);
}

/* Lines from four threads are whole, well-formed and all there. */
START_TEST(test_threads_whole_lines)
{
	static const char *re = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z INFO \\[t([0-9])\\] line id=([0-9]) "
	    "n=([0-9]+) padding-padding-padding-padding-padding-padding$";
	pthread_t t[THREADS];
	static unsigned char seen[THREADS][LINES];
	regmatch_t m[4];
	regex_t rx;
	char **lines, *text, *cause = NULL;
	size_t n, i;
	int id, k;

	memset(seen, 0, sizeof seen);
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	ck_assert_int_eq(log_open(path, &cause), 0);
	pthread_barrier_init(&barrier, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, log_thread, (void *)(intptr_t)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	log_close();

	text = slurp(path);
	n = split_lines(text, &lines);
	ck_assert_uint_eq(n, THREADS * LINES);
	for (i = 0; i < n; i++) {
		ck_assert_msg(regexec(&rx, lines[i], 4, m, 0) == 0,
		    "bad line %zu: %s", i, lines[i]);
		id = atoi(lines[i] + m[1].rm_so);
		ck_assert_int_eq(id, atoi(lines[i] + m[2].rm_so));
		k = atoi(lines[i] + m[3].rm_so);
		ck_assert_int_lt(k, LINES);
		ck_assert_int_eq(seen[id][k], 0);
		seen[id][k] = 1;
	}
	regfree(&rx);
	free(lines);
	free(text);
}
END_TEST

/* Messages above the level are dropped. */
START_TEST(test_levels)
{
	char **lines, *text, *cause = NULL;

	ck_assert_int_eq(log_open(path, &cause), 0);
	log_set_level(RT_LOG_WARN);
	ck_assert_int_eq(log_get_level(), RT_LOG_WARN);
	log_debug("debug hidden");
	log_info("info hidden");
	log_warn("warn shown");
	log_error("error shown");
	log_set_level(RT_LOG_DEBUG);
	log_debug("debug shown");
	log_close();

	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, &lines), 3);
	ck_assert_ptr_nonnull(strstr(lines[0], " WARN [?] warn shown"));
	ck_assert_ptr_nonnull(strstr(lines[1], " ERROR [?] error shown"));
	ck_assert_ptr_nonnull(strstr(lines[2], " DEBUG [?] debug shown"));
	ck_assert_ptr_null(strstr(text, "hidden"));
	free(lines);
	free(text);
}
END_TEST

/* Control bytes cannot forge a line; long messages end in "...". */
START_TEST(test_sanitised)
{
	char **lines, *text, *big, *cause = NULL;
	size_t len;

	ck_assert_int_eq(log_open(path, &cause), 0);
	log_set_thread("a-very-long-thread-name");
	log_info("user said: %s", "hi\n2026-01-01T00:00:00.000Z ERROR [x] "
	    "forged\r\x1b[2J");
	big = xmalloc(5001);
	memset(big, 'x', 5000);
	big[5000] = '\0';
	log_info("%s", big);
	log_set_thread(NULL);
	log_close();

	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, &lines), 2);
	ck_assert_ptr_nonnull(strstr(lines[0], " INFO [a-very-long-thr] "
	    "user said: hi 2026-01-01T00:00:00.000Z ERROR [x] forged  [2J"));
	len = strlen(lines[1]);
	ck_assert_str_eq(lines[1] + len - 3, "...");
	ck_assert_ptr_nonnull(strstr(lines[1], "] xxx"));
	ck_assert_uint_eq(strlen(strstr(lines[1], "] xxx") + 2), 4096);
	free(big);
	free(lines);
	free(text);
}
END_TEST

/* Event lines are JSON with a time, and nothing when closed. */
START_TEST(test_audit_events)
{
	char **lines, *text, *cause = NULL;
	json_t *rec, *line;
	json_error_t err;
	regex_t rx;
	size_t n, i;

	ck_assert_int_eq(regcomp(&rx, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", REG_EXTENDED | REG_NOSUB), 0);
	/* Closed: a no-op. */
	rec = json_pack("{s:s, s:s, s:i}", "type", "write", "tool",
	    "proxmox_reboot_vm", "vmid", 101);
	audit_event(rec);
	audit_read("mcp", "uid 1000", "proxmox_list_vms", 1, 3);
	audit_flush(1);

	ck_assert_int_eq(audit_open(path, &cause), 0);
	audit_event(rec);
	json_object_set_new(rec, "note", json_string("two\nlines"));
	audit_event(rec);
	audit_close();
	json_decref(rec);

	text = slurp(path);
	n = split_lines(text, &lines);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		line = json_loads(lines[i], 0, &err);
		ck_assert_msg(line != NULL, "%s: %s", lines[i], err.text);
		ck_assert_int_eq(regexec(&rx, json_string_value(
		    json_object_get(line, "time")), 0, NULL, 0), 0);
		ck_assert_str_eq(json_string_value(json_object_get(line,
		    "tool")), "proxmox_reboot_vm");
		ck_assert_int_eq(json_integer_value(json_object_get(line,
		    "vmid")), 101);
		json_decref(line);
	}
	regfree(&rx);
	free(lines);
	free(text);
}
END_TEST

/* Counts 1000 reads from one thread. */
static void *
read_thread(void *arg)
{
	int i;

	(void)arg;
	pthread_barrier_wait(&barrier);
	for (i = 0; i < 1000; i++)
		audit_read("mcp", "uid 1000 claude", "docker_list_containers",
		    i % 10 != 0, 2);
	return (NULL);
}

/* Reads are counted per key and written as one line on flush. */
START_TEST(test_audit_aggregate)
{
	char **lines, *text, *cause = NULL;
	pthread_t t[THREADS];
	json_t *line;
	size_t i, n;

	ck_assert_int_eq(audit_open(path, &cause), 0);
	for (i = 0; i < 100; i++)
		audit_read("mcp", "uid 1000 cursor", "pihole_get_stats",
		    i != 7, 5);
	audit_flush(0);		/* the window has not passed: nothing */
	text = slurp(path);
	ck_assert_str_eq(text, "");
	free(text);
	audit_flush(1);
	text = slurp(path);
	n = split_lines(text, &lines);
	ck_assert_uint_eq(n, 1);
	line = json_loads(lines[0], 0, NULL);
	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(json_string_value(json_object_get(line, "type")),
	    "reads");
	ck_assert_str_eq(json_string_value(json_object_get(line, "source")),
	    "mcp");
	ck_assert_str_eq(json_string_value(json_object_get(line, "identity")),
	    "uid 1000 cursor");
	ck_assert_str_eq(json_string_value(json_object_get(line, "tool")),
	    "pihole_get_stats");
	ck_assert_int_eq(json_integer_value(json_object_get(line, "calls")),
	    100);
	ck_assert_int_eq(json_integer_value(json_object_get(line, "errors")),
	    1);
	ck_assert_int_eq(json_integer_value(json_object_get(line,
	    "duration_ms")), 500);
	ck_assert_ptr_nonnull(json_object_get(line, "time"));
	json_decref(line);
	free(lines);
	free(text);

	/* Several threads on one key, then close flushes all. */
	pthread_barrier_init(&barrier, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, read_thread, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	audit_close();
	text = slurp(path);
	n = split_lines(text, &lines);
	ck_assert_uint_eq(n, 2);
	line = json_loads(lines[1], 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(line, "calls")),
	    THREADS * 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(line, "errors")),
	    THREADS * 100);
	json_decref(line);
	free(lines);
	free(text);
}
END_TEST

/* Secrets are redacted at any depth, and never reach the file. */
START_TEST(test_redact)
{
	char *text, *out, *cause = NULL;
	json_t *args, *red;

	args = json_loads("{\"vmid\": 101, \"user\": \"root\","
	    " \"password\": \"hunter2\", \"Api_Key\": \"hunter2\","
	    " \"options\": {\"client_secret\": {\"v\": \"hunter2\"},"
	    "  \"headers\": [{\"Authorization\": \"Bearer hunter2\"},"
	    "   {\"Cookie\": \"sid=hunter2\"}, \"plain\"]},"
	    " \"list\": [[{\"db_conninfo\": \"password=hunter2\"}]],"
	    " \"private_key_pem\": \"hunter2\", \"passwd\": \"hunter2\","
	    " \"x_token\": null, \"apikey\": 1}", 0, NULL);
	ck_assert_ptr_nonnull(args);
	red = audit_redact(args);
	out = json_dumps(red, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_ptr_null(strstr(out, "hunter2"));
	ck_assert_str_eq(out, "{\"Api_Key\":\"***\",\"apikey\":\"***\","
	    "\"list\":[[{\"db_conninfo\":\"***\"}]],"
	    "\"options\":{\"client_secret\":\"***\",\"headers\":"
	    "[{\"Authorization\":\"***\"},{\"Cookie\":\"***\"},\"plain\"]},"
	    "\"passwd\":\"***\",\"password\":\"***\","
	    "\"private_key_pem\":\"***\",\"user\":\"root\",\"vmid\":101,"
	    "\"x_token\":\"***\"}");
	/* The original is untouched. */
	ck_assert_str_eq(json_string_value(json_object_get(args, "password")),
	    "hunter2");
	ck_assert_ptr_null(audit_redact(NULL));

	/* And an event built from it never carries the secret. */
	ck_assert_int_eq(audit_open(path, &cause), 0);
	json_decref(args);
	args = json_pack("{s:s, s:o}", "tool", "pihole_set_password",
	    "arguments", red);
	audit_event(args);
	audit_close();
	text = slurp(path);
	ck_assert_ptr_null(strstr(text, "hunter2"));
	ck_assert_ptr_nonnull(strstr(text, "\"password\":\"***\""));
	free(text);
	free(out);
	json_decref(args);
}
END_TEST

/* The suite. */
/* A file past its size limit moves to PATH.1 and a new one starts. */
START_TEST(test_audit_rotates)
{
	char *old, *text, **lines, *cause = NULL;
	json_t *rec = json_pack("{s:s, s:s}", "type", "write", "pad",
	    "0123456789012345678901234567890123456789"), *line;
	struct stat st;
	int i;

	xasprintf(&old, "%s.1", path);
	audit_set_max(1000);
	ck_assert_int_eq(audit_open(path, &cause), 0);
	for (i = 0; i < 30; i++)
		audit_event(rec);
	audit_close();
	audit_set_max(0);
	ck_assert_int_eq(stat(old, &st), 0);
	ck_assert_int_le(st.st_size, 1000);
	ck_assert_int_eq(st.st_mode & 077, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_le(st.st_size, 1000);
	ck_assert_int_eq(st.st_mode & 077, 0);
	/* Whole lines on both sides. */
	text = slurp(path);
	ck_assert_uint_gt(split_lines(text, &lines), 0);
	line = json_loads(lines[0], 0, NULL);
	ck_assert_ptr_nonnull(line);
	json_decref(line);
	free(lines);
	free(text);
	json_decref(rec);
	free(old);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_threads_whole_lines);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_sanitised);
	tcase_add_test(tc, test_audit_events);
	tcase_add_test(tc, test_audit_rotates);
	tcase_add_test(tc, test_audit_aggregate);
	tcase_add_test(tc, test_redact);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the log suite. */
int
main(void)
{
	return (test_run_suite(log_suite()));
}
