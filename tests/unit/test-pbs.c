/*
 * Proxmox Backup Server parse functions on spec-example responses
 * (tests/fixtures/pbs, see SOURCES.md there), auth header building, UPID
 * parsing, and the service's tool invariants; then a contract test:
 * racktop-sim's PBS responses validate against the PBS API schema
 * (tests/fixtures/pbs/schema, converted from the excerpt there).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/xmalloc.h"
#include "services/pbs.h"
#include "services/services.h"
#include "tests/unit/testutil.h"

/* 2026-01-01T12:00:00Z: "now" for the fixtures. */
#define NOW 1767268800

/* The data member of a fixture file (new reference). */
static json_t *
fixture(const char *name)
{
	const char *dir = getenv("srcdir");
	json_error_t err;
	json_t *j, *data;
	char *path;

	xasprintf(&path, "%s/tests/fixtures/pbs/%s", dir != NULL ? dir : ".",
	    name);
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s (set srcdir)", path, err.text);
	free(path);
	data = json_incref(json_object_get(j, "data"));
	json_decref(j);
	return (data);
}

/* A row of rows whose key equals value (borrowed), or NULL. */
static const json_t *
find(const json_t *rows, const char *key, const char *value)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		if (strcmp(json_string_value(json_object_get(r, key)),
		    value) == 0)
			return (r);
	}
	return (NULL);
}

/* An integer member. */
static json_int_t
ival(const json_t *o, const char *key)
{
	ck_assert_msg(json_is_integer(json_object_get(o, key)), "%s", key);
	return (json_integer_value(json_object_get(o, key)));
}

/* A string member. */
static const char *
sval(const json_t *o, const char *key)
{
	ck_assert_msg(json_is_string(json_object_get(o, key)), "%s", key);
	return (json_string_value(json_object_get(o, key)));
}

START_TEST(test_datastores)
{
	json_t *usage = fixture("datastore-usage.json");
	json_t *gc = fixture("admin-gc.json"), *rows;
	const json_t *r;
	char *cause = NULL;

	rows = pbs_parse_datastores(usage, gc, "backup", NOW, &cause);
	ck_assert_msg(rows != NULL, "%s", cause);
	ck_assert_uint_eq(json_array_size(rows), 3);
	r = find(rows, "store", "store1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(sval(r, "instance"), "backup");
	ck_assert_int_eq(ival(r, "total"), 4398046511104LL);
	ck_assert(json_real_value(json_object_get(r, "usage")) > 0.57 &&
	    json_real_value(json_object_get(r, "usage")) < 0.58);
	/* Filling: 1798761600 is 364.5 days after NOW. */
	ck_assert_int_eq(ival(r, "estimated_full_date"), 1798761600);
	ck_assert_int_eq(ival(r, "days_to_full"), 364);
	ck_assert_str_eq(sval(r, "gc_state"), "ok");
	ck_assert_int_eq(ival(r, "gc_last_end"), 1767236400);
	ck_assert_int_eq(ival(r, "gc_pending_bytes"), 19327352832LL);
	ck_assert_str_eq(sval(r, "gc_schedule"), "daily");
	/* Shrinking: the fit's date lies behind, so no full date. */
	r = find(rows, "store", "archive");
	ck_assert(json_is_null(json_object_get(r, "estimated_full_date")));
	ck_assert_ptr_null(json_object_get(r, "days_to_full"));
	ck_assert_str_eq(sval(r, "gc_state"), "never");
	/* Not mounted: the error, no numbers. */
	r = find(rows, "store", "usb");
	ck_assert_str_eq(sval(r, "error"), "datastore 'usb' is not mounted");
	ck_assert_str_eq(sval(r, "mount_status"), "notmounted");
	ck_assert_ptr_null(json_object_get(r, "usage"));
	json_decref(rows);
	/* Without GC state (no Datastore.Audit), the GC upid says unknown. */
	rows = pbs_parse_datastores(usage, NULL, "backup", NOW, &cause);
	ck_assert_str_eq(sval(find(rows, "store", "store1"), "gc_state"),
	    "unknown");
	json_decref(rows);
	json_decref(usage);
	json_decref(gc);
}
END_TEST

START_TEST(test_datastores_not_array)
{
	json_t *o = json_object();
	char *cause = NULL;

	ck_assert_ptr_null(pbs_parse_datastores(o, NULL, "b", NOW, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not an array"));
	free(cause);
	json_decref(o);
}
END_TEST

START_TEST(test_groups)
{
	json_t *data = fixture("groups.json"), *rows;
	const json_t *r;

	rows = pbs_parse_groups(data, "backup", "store1", "", NOW);
	/* The item without backup-type is skipped. */
	ck_assert_uint_eq(json_array_size(rows), 3);
	r = find(rows, "group", "vm/100");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(sval(r, "store"), "store1");
	ck_assert_str_eq(sval(r, "ns"), "");
	ck_assert_int_eq(ival(r, "last_backup"), 1767232800);
	ck_assert_int_eq(ival(r, "backup_count"), 14);
	ck_assert(json_is_false(json_object_get(r, "stale")));
	ck_assert_str_eq(sval(r, "state"), "ok");
	/* Three days old: flagged. */
	r = find(rows, "group", "ct/204");
	ck_assert(json_is_true(json_object_get(r, "stale")));
	ck_assert_str_eq(sval(r, "state"), "stale");
	ck_assert_str_eq(sval(r, "owner"), "backup@pbs!pve1");
	ck_assert_str_eq(sval(r, "comment"), "vaultwarden");
	/* Never backed up: stale, no last_backup. */
	r = find(rows, "group", "host/nas");
	ck_assert_ptr_null(json_object_get(r, "last_backup"));
	ck_assert(json_is_true(json_object_get(r, "stale")));
	json_decref(rows);
	/* A day later the fresh group is stale too. */
	rows = pbs_parse_groups(data, "backup", "store1", "lab", NOW +
	    PBS_STALE_S);
	ck_assert(json_is_true(json_object_get(find(rows, "group", "vm/100"),
	    "stale")));
	ck_assert_str_eq(sval(json_array_get(rows, 0), "ns"), "lab");
	json_decref(rows);
	json_decref(data);
}
END_TEST

START_TEST(test_snapshots)
{
	json_t *data = fixture("snapshots.json"), *rows;
	const json_t *r;

	rows = pbs_parse_snapshots(data, "backup", "store1", "");
	/* vm/101 has no backup-time: skipped. */
	ck_assert_uint_eq(json_array_size(rows), 4);
	/* By group (ct before vm), newest first within it. */
	r = json_array_get(rows, 0);
	ck_assert_str_eq(sval(r, "snapshot"), "ct/200/2025-12-31T02:00:00Z");
	ck_assert_str_eq(sval(r, "verification"), "failed");
	ck_assert(json_is_true(json_object_get(r, "protected")));
	ck_assert_int_eq(ival(r, "files"), 1);
	r = json_array_get(rows, 1);
	ck_assert_int_eq(ival(r, "time"), 1767232800);
	ck_assert_str_eq(sval(r, "verification"), "none");
	ck_assert(json_is_false(json_object_get(r, "protected")));
	ck_assert_str_eq(sval(r, "comment"), "web01");
	ck_assert_int_eq(ival(r, "size"), 34896609280LL);
	r = json_array_get(rows, 2);
	ck_assert_int_eq(ival(r, "time"), 1767146400);
	ck_assert_ptr_null(json_object_get(r, "owner"));
	r = json_array_get(rows, 3);
	ck_assert_str_eq(sval(r, "verification"), "ok");
	ck_assert_ptr_nonnull(strstr(sval(r, "verify_upid"),
	    ":verificationjob:"));
	ck_assert(json_is_true(json_object_get(r, "protected")));
	json_decref(rows);
	json_decref(data);
}
END_TEST

START_TEST(test_prune)
{
	json_t *data = fixture("prune-group.json"), *rows;
	size_t nremove;

	rows = pbs_parse_prune(data, &nremove);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 4);
	ck_assert_uint_eq(nremove, 2);
	ck_assert(json_is_true(json_object_get(json_array_get(rows, 0),
	    "keep")));
	ck_assert(json_is_false(json_object_get(json_array_get(rows, 2),
	    "keep")));
	ck_assert(json_is_true(json_object_get(json_array_get(rows, 3),
	    "keep")));
	ck_assert(json_is_true(json_object_get(json_array_get(rows, 3),
	    "protected")));
	ck_assert_str_eq(sval(json_array_get(rows, 1), "snapshot"),
	    "vm/100/2025-12-31T02:00:00Z");
	json_decref(rows);
	ck_assert_ptr_null(pbs_parse_prune(json_object_get(data, "x"),
	    &nremove));
	json_decref(data);
}
END_TEST

START_TEST(test_prune_log)
{
	json_t *data = fixture("task-log-prune.json"), *lines, *rm;

	lines = pbs_task_log_tail(data, 1000);
	ck_assert_uint_eq(json_array_size(lines), 11);
	ck_assert_str_eq(json_string_value(json_array_get(lines, 1)),
	    "retention options: --keep-last 1");
	rm = pbs_prune_log_removed(lines);
	ck_assert_uint_eq(json_array_size(rm), 2);
	ck_assert_str_eq(json_string_value(json_array_get(rm, 0)),
	    "vm/100/2025-12-31T02:00:00Z");
	ck_assert_str_eq(json_string_value(json_array_get(rm, 1)),
	    "ct/200/2025-12-30T02:00:00Z");
	json_decref(rm);
	json_decref(lines);
	json_decref(data);
}
END_TEST

START_TEST(test_task_log_tail)
{
	json_t *data = fixture("task-log-verify-failed.json"), *tail;

	tail = pbs_task_log_tail(data, 3);
	ck_assert_uint_eq(json_array_size(tail), 3);
	ck_assert_str_eq(json_string_value(json_array_get(tail, 1)),
	    "\tstore1:vm/101/2025-12-29T02:00:00Z");
	ck_assert_str_eq(json_string_value(json_array_get(tail, 2)),
	    "TASK ERROR: verification failed - please check the log for "
	    "details");
	json_decref(tail);
	tail = pbs_task_log_tail(NULL, 3);
	ck_assert_uint_eq(json_array_size(tail), 0);
	json_decref(tail);
	json_decref(data);
}
END_TEST

START_TEST(test_task_status)
{
	json_t *d = fixture("task-status-failed.json");
	struct pbs_upid u;

	ck_assert(!pbs_exitstatus_ok(sval(d, "exitstatus")));
	ck_assert_int_eq(pbs_upid_parse(sval(d, "upid"), &u), 0);
	ck_assert_str_eq(u.node, "pbs");
	ck_assert_str_eq(u.type, "verify");
	ck_assert_str_eq(u.id, "store1\\x3avm-101");
	ck_assert_str_eq(u.authid, "root@pam");
	ck_assert_uint_eq(u.task_id, 9);
	ck_assert_int_eq(u.starttime, 0x69556A00);
	ck_assert_int_eq(u.starttime, ival(d, "starttime"));
	ck_assert(pbs_exitstatus_ok("OK"));
	ck_assert(pbs_exitstatus_ok("WARNINGS: 2"));
	ck_assert(!pbs_exitstatus_ok("unknown"));
	ck_assert(!pbs_exitstatus_ok(NULL));
	json_decref(d);
}
END_TEST

START_TEST(test_upid)
{
	struct pbs_upid u;

	ck_assert_int_eq(pbs_upid_parse("UPID:pbs:000003E8:0000A1B2:00000001:"
	    "695B8C00:garbage_collection:store1:root@pam!racktop:", &u), 0);
	ck_assert_str_eq(u.authid, "root@pam!racktop");
	ck_assert_str_eq(u.id, "store1");
	ck_assert_uint_eq(u.pid, 0x3e8);
	/* A 16-digit task id and a 9-digit pstart are allowed. */
	ck_assert_int_eq(pbs_upid_parse("UPID:pbs:000003E8:10000A1B2:"
	    "00000000000000FF:695B8C00:verify::root@pam:", &u), 0);
	ck_assert_uint_eq(u.task_id, 255);
	ck_assert_str_eq(u.id, "");
	/* Proxmox VE's UPID has no task id field. */
	ck_assert_int_eq(pbs_upid_parse("UPID:pve1:0003A1B2:0B1C2D3E:66312A00:"
	    "qmstart:100:root@pam:", &u), -1);
	ck_assert_int_eq(pbs_upid_parse("UPID:pbs:000003E8:0000A1B2:00000001:"
	    "695B8C00:gc:store1:root@pam", &u), -1);
	ck_assert_int_eq(pbs_upid_parse("UPID:pbs:3E8:0000A1B2:00000001:"
	    "695B8C00:gc:store1:root@pam:", &u), -1);
	ck_assert_int_eq(pbs_upid_parse("gc:store1", &u), -1);
	ck_assert_int_eq(pbs_upid_parse(NULL, &u), -1);
}
END_TEST

START_TEST(test_auth_headers)
{
	char *h;

	h = pbs_token_header("racktop@pbs!dash", "0b1f-7c");
	ck_assert_str_eq(h, "Authorization: PBSAPIToken=racktop@pbs!dash:"
	    "0b1f-7c");
	free(h);
	ck_assert_ptr_null(pbs_token_header("racktop!dash", "x"));
	ck_assert_ptr_null(pbs_token_header("racktop@pbs", "x"));
	ck_assert_ptr_null(pbs_token_header("racktop@pbs!", "x"));
	ck_assert_ptr_null(pbs_token_header("racktop@pbs!a:b", "x"));
	ck_assert_ptr_null(pbs_token_header("racktop@pbs!dash", ""));
	ck_assert_ptr_null(pbs_token_header("racktop@pbs!dash", "a\r\nX: y"));
	ck_assert_ptr_null(pbs_token_header(NULL, "x"));
	h = pbs_cookie_header("PBS:root@pam:69556A00::c2ln");
	ck_assert_str_eq(h, "Cookie: PBSAuthCookie=PBS:root@pam:69556A00::c2ln");
	free(h);
	h = pbs_csrf_header("69556A00:Y3NyZg");
	ck_assert_str_eq(h, "CSRFPreventionToken: 69556A00:Y3NyZg");
	free(h);
}
END_TEST

START_TEST(test_time_string)
{
	char buf[32];

	pbs_time_string(1767232800, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-01-01T02:00:00Z");
}
END_TEST

START_TEST(test_service_invariants)
{
	const struct rt_service *const table[] = { &pbs_service, NULL };
	struct registry *reg;
	char *cause = NULL;

	reg = registry_create(table, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	ck_assert_msg(registry_check(reg, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(registry_ntools(reg), 7);
	ck_assert_ptr_nonnull(registry_find(reg, "pbs_prune_backups"));
	ck_assert(registry_find(reg, "pbs_prune_backups")->tool->flags &
	    RT_DESTRUCTIVE);
	registry_destroy(reg);
}
END_TEST

static char *tdir;
static pid_t sim_pid = -1;
static struct http_client *client;
static char *auth_header;
static char *password;

/* Whether a file exists. */
static bool
have_file(const char *path)
{
	return (access(path, R_OK) == 0);
}

/* Starts racktop-sim (PBS only, fixed clock) and a client for it. */
static void
setup(void)
{
	struct http_opts opts;
	const char *sim = getenv("RACKTOP_SIM");
	json_t *eps, *pbs;
	char *ep, *base, *cause = NULL;

	ck_assert_msg(sim != NULL, "RACKTOP_SIM is not set");
	tdir = test_tmpdir();
	xasprintf(&ep, "%s/endpoints.json", tdir);
	sim_pid = fork();
	ck_assert_int_ne(sim_pid, -1);
	if (sim_pid == 0) {
		execl(sim, sim, "--clock", "fixed", "--seed", "1",
		    "--services", "pbs", "--endpoints", ep, (char *)NULL);
		_exit(127);
	}
	ck_assert_msg(WAIT_FOR(have_file(ep), 10000), "no endpoints file");
	eps = json_load_file(ep, 0, NULL);
	ck_assert_ptr_nonnull(eps);
	pbs = json_object_get(eps, "pbs");
	xasprintf(&base, "%s/api2/json", json_string_value(json_object_get(
	    pbs, "url")));
	auth_header = pbs_token_header(json_string_value(json_object_get(pbs,
	    "token_id")), json_string_value(json_object_get(pbs, "token")));
	ck_assert_ptr_nonnull(auth_header);
	password = xstrdup(json_string_value(json_object_get(pbs,
	    "password")));
	memset(&opts, 0, sizeof opts);
	opts.base_url = base;
	client = http_client_create(&opts, &cause);
	ck_assert_msg(client != NULL, "%s", cause);
	json_decref(eps);
	free(base);
	free(ep);
}

/* Stops racktop-sim and removes the folder. */
static void
teardown(void)
{
	int status;

	http_client_destroy(client);
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, &status, 0);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "racktop-sim did not exit cleanly");
	}
	test_rm_rf(tdir);
	free(tdir);
	free(auth_header);
	free(password);
}

/* Fetches method path (with body) and validates it against schema. */
static json_t *
check(const char *schema, const char *method, const char *path,
    const json_t *body)
{
	const char *headers[] = { auth_header, NULL };
	const char *dir = getenv("srcdir");
	struct schema *s;
	json_t *j;
	char *cause = NULL, *error = NULL, *spath;
	json_error_t jerr;
	json_t *text;
	long status;

	j = http_json(client, method, path, headers, body, &status, &cause);
	ck_assert_msg(j != NULL, "%s %s: %s", method, path, cause);
	xasprintf(&spath, "%s/tests/fixtures/pbs/schema/schemas/%s.json",
	    dir != NULL ? dir : ".", schema);
	text = json_load_file(spath, 0, &jerr);
	ck_assert_msg(text != NULL, "%s: %s", spath, jerr.text);
	s = schema_compile(text, &cause);
	ck_assert_msg(s != NULL, "%s: %s", spath, cause);
	ck_assert_msg(schema_validate(s, j, false, path, &error) == 0,
	    "%s %s: %s", method, path, error);
	schema_free(s);
	json_decref(text);
	free(spath);
	return (j);
}

static const struct {
	const char *schema;
	const char *path;
} get_cases[] = {
	{ "GET_version", "/version" },
	{ "GET_status_datastore-usage", "/status/datastore-usage" },
	{ "GET_admin_datastore", "/admin/datastore" },
	{ "GET_admin_gc", "/admin/gc" },
	{ "GET_admin_datastore_store_gc", "/admin/datastore/store1/gc" },
	{ "GET_admin_datastore_store_gc", "/admin/datastore/offsite/gc" },
	{ "GET_admin_datastore_store_groups", "/admin/datastore/store1/groups" },
	{ "GET_admin_datastore_store_snapshots",
	    "/admin/datastore/store1/snapshots" },
	{ "GET_admin_datastore_store_snapshots",
	    "/admin/datastore/offsite/snapshots?backup-type=vm&backup-id=100" },
	{ "GET_admin_sync", "/admin/sync" },
};

START_TEST(test_contract_get)
{
	json_decref(check(get_cases[_i].schema, "GET", get_cases[_i].path,
	    NULL));
}
END_TEST

START_TEST(test_contract_ticket)
{
	json_t *body, *j;

	body = json_pack("{s:s,s:s}", "username", "root@pam", "password",
	    password);
	j = check("POST_access_ticket", "POST", "/access/ticket", body);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(
	    json_object_get(j, "data"), "ticket")));
	json_decref(j);
	json_decref(body);
}
END_TEST

START_TEST(test_contract_prune)
{
	json_t *body, *j;

	body = json_pack("{s:s,s:s,s:i,s:b}", "backup-type", "vm",
	    "backup-id", "101", "keep-last", 2, "dry-run", 1);
	j = check("POST_admin_datastore_store_prune", "POST",
	    "/admin/datastore/store1/prune", body);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "data")), 10);
	json_decref(j);
	json_decref(body);
}
END_TEST

START_TEST(test_contract_task)
{
	const char *hdrs[] = { auth_header, NULL };
	json_t *j, *st;
	struct pbs_upid u;
	const char *upid;
	char *path, *esc, *cause = NULL;
	long status;
	int i;

	j = http_json(client, "POST", "/admin/datastore/store1/gc", hdrs,
	    NULL, &status, &cause);
	ck_assert_msg(j != NULL, "POST gc: %s", cause);
	upid = json_string_value(json_object_get(j, "data"));
	ck_assert_int_eq(pbs_upid_parse(upid, &u), 0);
	ck_assert_str_eq(u.type, "garbage_collection");
	esc = http_escape(upid);
	xasprintf(&path, "/nodes/%s/tasks/%s/status", u.node, esc);
	/* The third poll finishes it with the fixed clock: exitstatus. */
	for (i = 0; i < 3; i++) {
		st = check("GET_nodes_node_tasks_upid_status", "GET", path,
		    NULL);
		if (i < 2)
			json_decref(st);
	}
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(st,
	    "data"), "exitstatus")), "OK");
	json_decref(st);
	free(path);
	free(esc);
	json_decref(j);
}
END_TEST

/* The suite. */
static Suite *
pbs_suite(void)
{
	Suite *s = suite_create("pbs");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_datastores);
	tcase_add_test(tc, test_datastores_not_array);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_snapshots);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_prune_log);
	tcase_add_test(tc, test_task_log_tail);
	tcase_add_test(tc, test_task_status);
	tcase_add_test(tc, test_upid);
	tcase_add_test(tc, test_auth_headers);
	tcase_add_test(tc, test_time_string);
	tcase_add_test(tc, test_service_invariants);
	suite_add_tcase(s, tc);
	tc = tcase_create("contract");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_contract_get, 0,
	    (int)(sizeof get_cases / sizeof *get_cases));
	tcase_add_test(tc, test_contract_ticket);
	tcase_add_test(tc, test_contract_prune);
	tcase_add_test(tc, test_contract_task);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr = srunner_create(pbs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
