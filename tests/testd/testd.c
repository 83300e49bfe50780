/*
 * racktop-testd: the MCP server on a Unix socket with the test service
 * (testsvc.c) beside the built-in racktop service, for the protocol tests
 * in tests/mcp/. Test-only, never installed.
 *
 *   racktop-testd --socket PATH [--workers N] [--page-size N]
 *       [--approvals CONTROL] [--approval-timeout MS] [--audit FILE]
 *       [--roles ROLES]
 *
 * No configuration file: one testsvc instance, "a" (a parsed
 * `[testsvc "a"]`), whose snapshot is the resource
 * racktop://testsvc/a/snapshot; it holds {"counter": 1, "note": "start"} at start and
 * testsvc_publish publishes a new one on demand. Every result is validated
 * against its tool's output schema. It prints one line, "ready PATH", on stdout once
 * the socket listens, then runs until SIGTERM or SIGINT and shuts down
 * cleanly (exit 0). Exit 2 on a usage or start-up error.
 *
 * Without --approvals nobody approves, as in `racktop --headless`:
 * agents' destructive calls are asked through the client's elicitation
 * when it declared it, refused otherwise. With it, they are held and a
 * stand-in for the operator serves the control socket CONTROL
 * (testd-approve.c): the tests see each held call there and answer y, n
 * or a. This exists only in this test binary. --approval-timeout bounds
 * both kinds of waiting; --audit writes the audit log to FILE; --roles
 * is racktop.conf's roles (policy.h).
 *
 * DESIGN: main blocks the signals it waits for before any thread starts,
 * so every thread inherits the mask, and then sleeps in sigwait; the MCP
 * thread and the workers do the rest.
 */
#include "config.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/audit.h"
#include "core/call.h"
#include "core/conf.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/policy.h"
#include "core/registry.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"
#include "tests/testd/testsvc.h"

static void usage(void) __attribute__((noreturn));

/* Prints the usage line and exits 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: racktop-testd --socket PATH [--workers N] "
	    "[--page-size N] [--approvals CONTROL] [--approval-timeout MS] "
	    "[--audit FILE] [--roles ROLES]\n");
	exit(2);
}

/* Parses a positive integer option or exits 2. */
static int
testd_number(const char *name, const char *s, int max)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "racktop-testd: --%s: expected 1 to %d, got "
		    "\"%s\"\n", name, max, s);
		exit(2);
	}
	return ((int)v);
}

/* Starts the server, waits for a signal, and stops it. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "approvals", required_argument, NULL, 'a' },
		{ "approval-timeout", required_argument, NULL, 't' },
		{ "audit", required_argument, NULL, 'A' },
		{ "roles", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *control = NULL, *audit = NULL;
	const char *roles = NULL;
	struct testd_approve *operator = NULL;
	struct approval *ap = NULL;
	int approval_ms = 50000;
	struct mcp_limits limits;
	struct mcp_server *ms;
	struct registry *reg;
	struct job_pool *pool;
	struct rt_config *conf = NULL;
	static const char conf_text[] = "[testsvc \"a\"]\n";
	sigset_t set;
	char *cause = NULL;
	int ch, fd, sig, workers = 4, page_size = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'w':
			workers = testd_number("workers", optarg, 256);
			break;
		case 'p':
			page_size = testd_number("page-size", optarg, INT_MAX);
			break;
		case 'a':
			control = optarg;
			break;
		case 't':
			approval_ms = testd_number("approval-timeout", optarg,
			    INT_MAX);
			break;
		case 'A':
			audit = optarg;
			break;
		case 'r':
			roles = optarg;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();

	/* Global initialisation, before any thread exists. */
	setlocale(LC_ALL, "");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "racktop-testd: curl_global_init failed\n");
		return (2);
	}
	json_object_seed(0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	log_set_thread("main");
	if (getenv("RACKTOP_TESTD_DEBUG") != NULL)
		log_set_level(RT_LOG_DEBUG);

	if ((reg = registry_create(testd_services, &cause)) == NULL)
		goto fail;
	if (registry_check(reg, &cause) != 0)
		goto fail_reg;
	if ((conf = conf_parse("testd", conf_text, sizeof conf_text - 1,
	    registry_service_names(reg), &cause)) == NULL ||
	    registry_add_instances(reg, conf, &cause) != 0)
		goto fail_reg;
	call_policy.check_output = true;
	if (roles != NULL && (call_policy.policy = policy_create(roles, NULL,
	    geteuid(), &cause)) == NULL)
		goto fail_reg;
	if (audit != NULL && audit_open(audit, &cause) != 0)
		goto fail_reg;

	pool = job_pool_create(workers);
	if ((fd = sockpath_listen(path, &cause)) == -1)
		goto fail_pool;
	mcp_limits_default(&limits);
	limits.page_size = page_size;
	/* As racktop: a broker always; an operator only with --approvals. */
	ap = approval_create(approval_ms);
	limits.approval = ap;
	if (control != NULL && (operator = testd_approve_start(control, ap,
	    &cause)) == NULL)
		goto fail_pool;
	if ((ms = mcp_server_start(fd, path, reg, pool, &limits,
	    &cause)) == NULL)
		goto fail_pool;
	(void)testsvc_publish_all(reg, "start");
	printf("ready %s\n", path);
	fflush(stdout);

	do {
		if (sigwait(&set, &sig) != 0)
			sig = SIGTERM;
	} while (sig == SIGHUP);

	mcp_server_stop(ms);
	testd_approve_stop(operator);
	approval_destroy(ap);
	job_pool_destroy(pool);
	registry_destroy(reg);
	conf_free(conf);
	audit_close();
	policy_free((struct policy *)call_policy.policy);
	curl_global_cleanup();
	return (0);

fail_pool:
	testd_approve_stop(operator);
	approval_destroy(ap);
	job_pool_destroy(pool);
fail_reg:
	registry_destroy(reg);
	conf_free(conf);
fail:
	fprintf(stderr, "racktop-testd: %s\n", cause != NULL ? cause :
	    "cannot start");
	free(cause);
	return (2);
}
