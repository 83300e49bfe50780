/*
 * Contract test: racktop-sim's Proxmox VE responses validate against the
 * PVE API schema (tests/fixtures/proxmox-schema/schemas, converted from
 * the excerpt there). Starts $RACKTOP_SIM as a child with a fixed clock,
 * fetches each endpoint with the project's HTTP client and checks the
 * body with the project's schema validator.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>

#include "core/http.h"
#include "core/schema.h"
#include "testutil.h"

static char		*tdir;
static pid_t		 sim_pid = -1;
static struct http_client *client;
static char		*auth_header;
static char		*password;

struct contract_case {
	const char	*schema;
	const char	*method;
	const char	*path;
};

static const struct contract_case cases[] = {
	{ "GET_version", "GET", "/version" },
	{ "GET_cluster_resources", "GET", "/cluster/resources" },
	{ "GET_cluster_resources", "GET", "/cluster/resources?type=vm" },
	{ "GET_cluster_status", "GET", "/cluster/status" },
	{ "GET_cluster_nextid", "GET", "/cluster/nextid" },
	{ "GET_nodes", "GET", "/nodes" },
	{ "GET_nodes_node_status", "GET", "/nodes/pve1/status" },
	{ "GET_nodes_node_qemu", "GET", "/nodes/pve1/qemu" },
	{ "GET_nodes_node_lxc", "GET", "/nodes/pve1/lxc" },
	{ "GET_nodes_node_qemu_vmid_status_current", "GET",
	    "/nodes/pve1/qemu/100/status/current" },
	{ "GET_nodes_node_qemu_vmid_status_current", "GET",
	    "/nodes/pve3/qemu/107/status/current" },
	{ "GET_nodes_node_lxc_vmid_status_current", "GET",
	    "/nodes/pve1/lxc/200/status/current" },
	{ "GET_nodes_node_storage", "GET", "/nodes/pve1/storage" },
	{ "GET_nodes_node_storage_storage_content", "GET",
	    "/nodes/pve1/storage/backups/content" },
	{ "GET_nodes_node_storage_storage_content", "GET",
	    "/nodes/pve2/storage/local/content" },
};

/* Reads a whole file; caller frees. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/* Compiles tests/fixtures/proxmox-schema/schemas/NAME.json. */
static struct schema *
load_schema(const char *name)
{
	const char	*srcdir = getenv("srcdir");
	struct schema	*s;
	char		*path, *text, *cause = NULL;

	if (srcdir == NULL)
		srcdir = ".";
	ck_assert_int_ne(asprintf(&path, "%s/tests/fixtures/proxmox-schema/"
	    "schemas/%s.json", srcdir, name), -1);
	text = slurp(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	s = schema_compile_text(text, &cause);
	ck_assert_msg(s != NULL, "%s: %s", path, cause);
	free(text);
	free(path);
	return (s);
}

/* Whether the endpoints file exists. */
static bool
have_file(const char *path)
{
	return (access(path, R_OK) == 0);
}

/* Starts racktop-sim and a client pointed at it. */
static void
setup(void)
{
	struct http_opts	 opts;
	const char		*sim = getenv("RACKTOP_SIM");
	json_t			*eps, *pve;
	char			*ep, *base, *cause = NULL;

	ck_assert_msg(sim != NULL, "RACKTOP_SIM is not set");
	tdir = test_tmpdir();
	ck_assert_int_ne(asprintf(&ep, "%s/endpoints.json", tdir), -1);
	sim_pid = fork();
	ck_assert_int_ne(sim_pid, -1);
	if (sim_pid == 0) {
		execl(sim, sim, "--clock", "fixed", "--seed", "1",
		    "--endpoints", ep, (char *)NULL);
		_exit(127);
	}
	ck_assert_msg(WAIT_FOR(have_file(ep), 10000), "no endpoints file");
	eps = json_load_file(ep, 0, NULL);
	ck_assert_ptr_nonnull(eps);
	pve = json_object_get(eps, "proxmox");
	ck_assert_int_ne(asprintf(&base, "%s/api2/json",
	    json_string_value(json_object_get(pve, "url"))), -1);
	ck_assert_int_ne(asprintf(&auth_header,
	    "Authorization: PVEAPIToken=%s=%s",
	    json_string_value(json_object_get(pve, "token_id")),
	    json_string_value(json_object_get(pve, "token"))), -1);
	password = strdup(json_string_value(json_object_get(pve,
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
	int	status;

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
	const char	*headers[] = { auth_header, NULL };
	struct schema	*s;
	json_t		*j;
	char		*cause = NULL, *error = NULL;
	long		 status;

	j = http_json(client, method, path, headers, body, &status, &cause);
	ck_assert_msg(j != NULL, "%s %s: %s", method, path, cause);
	s = load_schema(schema);
	ck_assert_msg(schema_validate(s, j, false, path, &error) == 0,
	    "%s %s: %s", method, path, error);
	schema_free(s);
	return (j);
}

START_TEST(test_get)
{
	const struct contract_case	*c = &cases[_i];

	json_decref(check(c->schema, c->method, c->path, NULL));
}
END_TEST

START_TEST(test_ticket)
{
	json_t	*body, *j;

	body = json_pack("{s:s,s:s}", "username", "root@pam", "password",
	    password);
	j = check("POST_access_ticket", "POST", "/access/ticket", body);
	json_decref(j);
	json_decref(body);
}
END_TEST

START_TEST(test_task)
{
	json_t		*j;
	const char	*upid;
	char		*path;

	j = check("POST_nodes_node_qemu_vmid_status_stop", "POST",
	    "/nodes/pve1/qemu/101/status/stop", NULL);
	upid = json_string_value(json_object_get(j, "data"));
	ck_assert_ptr_nonnull(upid);
	ck_assert_int_ne(asprintf(&path, "/nodes/pve1/tasks/%s/status",
	    upid), -1);
	json_decref(check("GET_nodes_node_tasks_upid_status", "GET", path,
	    NULL));
	/* The third poll finishes it with the fixed clock: exitstatus. */
	json_decref(check("GET_nodes_node_tasks_upid_status", "GET", path,
	    NULL));
	json_decref(check("GET_nodes_node_tasks_upid_status", "GET", path,
	    NULL));
	free(path);
	ck_assert_int_ne(asprintf(&path, "/nodes/pve1/tasks/%s/log", upid),
	    -1);
	json_decref(check("GET_nodes_node_tasks_upid_log", "GET", path,
	    NULL));
	free(path);
	json_decref(j);
}
END_TEST

/* The suite. */
static Suite *
contract_suite(void)
{
	Suite	*s = suite_create("sim-contract");
	TCase	*tc = tcase_create("proxmox");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_get, 0,
	    (int)(sizeof cases / sizeof *cases));
	tcase_add_test(tc, test_ticket);
	tcase_add_test(tc, test_task);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite. */
int
main(void)
{
	SRunner	*sr = srunner_create(contract_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}
