/*
 * Tests of the backends' problems rules over snapshot rows (the rows the
 * parsers produce, written out here), and of problem_add.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tests/unit/testutil.h"
#include "core/problems.h"
#include "services/services.h"

/* Runs rule over data (JSON text); returns the problems found. */
static json_t *
run(void (*rule)(const json_t *, json_t *), const char *text)
{
	json_error_t err;
	json_t *data = json_loads(text, 0, &err), *out = json_array();

	ck_assert_msg(data != NULL, "%s", err.text);
	rule(data, out);
	json_decref(data);
	return (out);
}

/* Whether out holds a problem of this severity, kind and target. */
static int
has(const json_t *out, const char *sev, const char *kind, const char *target)
{
	const json_t *p;
	size_t i;

	json_array_foreach(out, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "severity")),
		    sev) == 0 && strcmp(json_string_value(json_object_get(p,
		    "kind")), kind) == 0 && strcmp(json_string_value(
		    json_object_get(p, "target")), target) == 0)
			return (1);
	}
	return (0);
}

START_TEST(test_proxmox)
{
	json_t *o = run(proxmox_problems,
	    "{\"cluster\":{\"name\":\"home\",\"quorate\":false},"
	    "\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},"
	    "{\"node\":\"pve2\",\"status\":\"offline\"}],"
	    "\"guests\":[{\"vmid\":100,\"name\":\"web\",\"status\":\"running\"},"
	    "{\"vmid\":101,\"name\":\"db\",\"status\":\"stopped\"},"
	    "{\"vmid\":102,\"name\":\"odd\",\"status\":\"unknown\"}]}");

	ck_assert(has(o, "crit", "no_quorum", "home"));
	ck_assert(has(o, "crit", "node_offline", "pve2"));
	ck_assert(!has(o, "crit", "node_offline", "pve1"));
	ck_assert(has(o, "warn", "guest_state", "odd"));
	ck_assert_int_eq(json_array_size(o), 3);
	json_decref(o);
}
END_TEST

START_TEST(test_docker)
{
	json_t *o = run(docker_problems, "{\"containers\":["
	    "{\"name\":\"ok\",\"state\":\"running\",\"health\":\"healthy\","
	    "\"status\":\"Up 2 hours (healthy)\"},"
	    "{\"name\":\"sick\",\"state\":\"running\",\"health\":\"unhealthy\","
	    "\"status\":\"Up 1 hour (unhealthy)\"},"
	    "{\"name\":\"done\",\"state\":\"exited\",\"health\":\"none\","
	    "\"status\":\"Exited (0) 3 days ago\"},"
	    "{\"name\":\"oom\",\"state\":\"exited\",\"health\":\"none\","
	    "\"status\":\"Exited (137) 5 minutes ago\"},"
	    "{\"name\":\"loop\",\"state\":\"restarting\",\"health\":\"none\","
	    "\"status\":\"Restarting (1) 2 seconds ago\"}]}");

	ck_assert(has(o, "crit", "container_unhealthy", "sick"));
	ck_assert(has(o, "warn", "container_failed", "oom"));
	ck_assert(has(o, "warn", "container_restarting", "loop"));
	ck_assert_int_eq(json_array_size(o), 3);
	json_decref(o);
}
END_TEST

START_TEST(test_pihole)
{
	json_t *o = run(pihole_problems,
	    "{\"summary\":{\"blocking\":\"enabled\",\"timer\":null}}");

	ck_assert_int_eq(json_array_size(o), 0);
	json_decref(o);
	o = run(pihole_problems,
	    "{\"summary\":{\"blocking\":\"disabled\",\"timer\":300.5}}");
	ck_assert(has(o, "warn", "blocking_off", "blocking"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_array_get(o, 0), "message")), "300s"));
	json_decref(o);
}
END_TEST

START_TEST(test_unifi)
{
	json_t *o = run(unifi_problems, "{\"devices\":["
	    "{\"name\":\"ap-1\",\"state\":\"online\"},"
	    "{\"name\":\"ap-2\",\"state\":\"offline\"},"
	    "{\"name\":\"sw-1\",\"state\":\"upgrading\"}],"
	    "\"health\":[{\"subsystem\":\"wan\",\"status\":\"error\"},"
	    "{\"subsystem\":\"lan\",\"status\":\"ok\"},"
	    "{\"subsystem\":\"vpn\",\"status\":\"unknown\"}]}");

	ck_assert(has(o, "crit", "device_offline", "ap-2"));
	ck_assert(has(o, "warn", "subsystem_health", "wan"));
	ck_assert_int_eq(json_array_size(o), 2);
	json_decref(o);
}
END_TEST

START_TEST(test_tailscale)
{
	char text[512], soon[32];
	time_t t = time(NULL) + 3 * 86400;
	struct tm tm;
	json_t *o;

	gmtime_r(&t, &tm);
	strftime(soon, sizeof soon, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof text, "{\"devices\":["
	    "{\"name\":\"a\",\"key_expired\":true},"
	    "{\"name\":\"b\",\"key_expired\":false,\"key_expiry\":\"%s\"},"
	    "{\"name\":\"c\",\"key_expired\":false,"
	    "\"key_expiry\":\"2099-01-01T00:00:00Z\"},"
	    "{\"name\":\"d\",\"key_expired\":true,"
	    "\"key_expiry_disabled\":true}]}", soon);
	o = run(tailscale_problems, text);
	ck_assert(has(o, "crit", "key_expired", "a"));
	ck_assert(has(o, "warn", "key_expiring", "b"));
	ck_assert_int_eq(json_array_size(o), 2);
	json_decref(o);
}
END_TEST

START_TEST(test_cloudflare)
{
	json_t *o = run(cloudflare_problems, "{\"tunnels\":["
	    "{\"name\":\"t1\",\"status\":\"healthy\"},"
	    "{\"name\":\"t2\",\"status\":\"down\"},"
	    "{\"name\":\"t3\",\"status\":\"degraded\",\"connections\":1}]}");

	ck_assert(has(o, "crit", "tunnel_down", "t2"));
	ck_assert(has(o, "warn", "tunnel_degraded", "t3"));
	ck_assert_int_eq(json_array_size(o), 2);
	json_decref(o);
}
END_TEST

START_TEST(test_pbs)
{
	char text[1024];
	long long now = (long long)time(NULL);
	json_t *o;

	snprintf(text, sizeof text, "{\"groups\":["
	    "{\"store\":\"s1\",\"group\":\"vm/100\",\"last_backup\":%lld},"
	    "{\"store\":\"s1\",\"group\":\"vm/101\",\"last_backup\":%lld},"
	    "{\"store\":\"s1\",\"group\":\"ct/200\"}],"
	    "\"datastores\":[{\"store\":\"s1\",\"usage\":0.5},"
	    "{\"store\":\"s2\",\"usage\":0.95},"
	    "{\"store\":\"s3\",\"usage\":0.2,\"days_to_full\":5},"
	    "{\"store\":\"s4\",\"error\":\"not mounted\"}]}",
	    now - 3600, now - 30 * 3600);
	o = run(pbs_problems, text);
	ck_assert(!has(o, "warn", "backup_old", "vm/100"));
	ck_assert(has(o, "warn", "backup_old", "vm/101"));
	ck_assert(has(o, "warn", "backup_missing", "ct/200"));
	ck_assert(has(o, "warn", "datastore_full", "s2"));
	ck_assert(has(o, "warn", "datastore_filling", "s3"));
	ck_assert(has(o, "crit", "datastore_error", "s4"));
	ck_assert_int_eq(json_array_size(o), 5);
	json_decref(o);
}
END_TEST

START_TEST(test_traefik)
{
	json_t *o = run(traefik_problems, "{\"routers\":["
	    "{\"name\":\"ok@file\",\"error\":\"\"},"
	    "{\"name\":\"bad@file\",\"error\":\"the service \\\"x\\\" does not exist\"}],"
	    "\"services\":[{\"name\":\"web@docker\",\"servers_up\":2,"
	    "\"servers_down\":0},{\"name\":\"half@file\",\"servers_up\":1,"
	    "\"servers_down\":1},{\"name\":\"dead@file\",\"servers_up\":0,"
	    "\"servers_down\":2}],\"middlewares\":[],\"certificates\":["
	    "{\"host\":\"a.lab\",\"flag\":\"ok\",\"days_left\":80},"
	    "{\"host\":\"b.lab\",\"flag\":\"expiring\",\"days_left\":10},"
	    "{\"host\":\"c.lab\",\"flag\":\"expired\",\"days_left\":-2},"
	    "{\"host\":\"d.lab\",\"flag\":\"unreachable\"}]}");

	ck_assert(has(o, "warn", "config_error", "bad@file"));
	ck_assert(has(o, "warn", "servers_down", "half@file"));
	ck_assert(has(o, "crit", "servers_down", "dead@file"));
	ck_assert(has(o, "warn", "cert_expiring", "b.lab"));
	ck_assert(has(o, "crit", "cert_expired", "c.lab"));
	ck_assert_int_eq(json_array_size(o), 5);
	json_decref(o);
}
END_TEST

START_TEST(test_count)
{
	json_t *l = json_array();
	int crit, warn;

	problem_add(l, PROBLEM_CRIT, "k", "t", "m %d", 1);
	problem_add(l, PROBLEM_WARN, "k", NULL, "m");
	problem_add(l, PROBLEM_WARN, "k", "t", "m");
	problems_count(l, &crit, &warn);
	ck_assert_int_eq(crit, 1);
	ck_assert_int_eq(warn, 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l,
	    0), "message")), "m 1");
	json_decref(l);
}
END_TEST

static Suite *
problems_suite(void)
{
	Suite *s = suite_create("problems");
	TCase *tc = tcase_create("problems");

	tcase_add_test(tc, test_proxmox);
	tcase_add_test(tc, test_docker);
	tcase_add_test(tc, test_pihole);
	tcase_add_test(tc, test_unifi);
	tcase_add_test(tc, test_tailscale);
	tcase_add_test(tc, test_cloudflare);
	tcase_add_test(tc, test_pbs);
	tcase_add_test(tc, test_traefik);
	tcase_add_test(tc, test_count);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the problems suite. */
int
main(void)
{
	return (test_run_suite(problems_suite()));
}
