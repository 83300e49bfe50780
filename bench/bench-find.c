/*
 * racktop_find benchmark: the latency of one lookup across every service
 * from snapshots, at racktop-sim's --scale large (1,200 guests: Proxmox,
 * Docker, UniFi's 5,000 clients, Pi-hole, Tailscale and NetBox). Starts
 * the simulator, polls every service once through the real backends
 * (and the Proxmox guest addresses' secondary poll to the end), stops
 * the pollers, then times racktop_find on this thread, the way a worker
 * runs it (the call path included: argument check, the tool, the list
 * envelope), for an address, a MAC, a name and a miss. Also times
 * racktop_drift. The target is under a millisecond per lookup.
 *
 * usage: bench-find RACKTOP-SIM [ROUNDS]   (run by `make bench`)
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/conf.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/services.h"

#define ROUNDS 2000
#define WAIT_MS 120000

static pid_t sim_pid = -1;
static char tmpdir[] = "/tmp/rt-bench-find.XXXXXX";

/* Stops the simulator and removes the folder. */
static void
cleanup(void)
{
	char *cmd;

	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	xasprintf(&cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-find: could not remove %s\n", tmpdir);
	free(cmd);
}

/* Starts racktop-sim at large scale; returns its endpoints. */
static json_t *
start_sim(const char *sim)
{
	char *ep, *log;
	json_t *j = NULL;
	int64_t end;

	xasprintf(&ep, "%s/ep.json", tmpdir);
	xasprintf(&log, "%s/sim.log", tmpdir);
	if ((sim_pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (sim_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (freopen(log, "w", stdout) == NULL ||
		    freopen(log, "a", stderr) == NULL)
			_exit(127);
		execl(sim, sim, "--seed", "1", "--scale", "large", "--clock",
		    "fixed", "--services",
		    "proxmox,docker,unifi,pihole,tailscale,netbox",
		    "--endpoints", ep, (char *)NULL);
		_exit(127);
	}
	end = clock_mono_ms() + WAIT_MS;
	/* Polls for the file the simulator writes once it listens. */
	while (clock_mono_ms() < end &&
	    (j = json_load_file(ep, 0, NULL)) == NULL)
		usleep(20000);
	free(ep);
	free(log);
	return (j);
}

/* Writes the configuration for the six services; returns its path. */
static char *
write_conf(const json_t *ep)
{
	char *path;
	FILE *f;

#define EP(svc, key) json_string_value(json_object_get(json_object_get(ep, \
	svc), key))
	xasprintf(&path, "%s/racktop.conf", tmpdir);
	umask(077);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "[proxmox \"lab\"]\nurl = %s\ntoken_id = %s\ntoken = %s\n"
	    "refresh = 1\ntimeout = 30\n", EP("proxmox", "url"),
	    EP("proxmox", "token_id"), EP("proxmox", "token"));
	fprintf(f, "[docker \"lab\"]\nurl = %s\nrefresh = 3600\ntimeout = 30\n",
	    EP("docker", "url"));
	fprintf(f, "[unifi \"lab\"]\nurl = %s\napi_key = %s\nsite = %s\n"
	    "refresh = 3600\ntimeout = 30\n", EP("unifi", "url"),
	    EP("unifi", "api_key"), EP("unifi", "site"));
	fprintf(f, "[pihole \"lab\"]\nurl = %s\npassword = %s\n"
	    "refresh = 3600\ntimeout = 30\n", EP("pihole", "url"),
	    EP("pihole", "password"));
	fprintf(f, "[tailscale \"lab\"]\nurl = %s\ntoken = %s\n"
	    "refresh = 3600\ntimeout = 30\n", EP("tailscale", "url"),
	    EP("tailscale", "token"));
	fprintf(f, "[netbox \"lab\"]\nurl = %s\ntoken = %s\nrefresh = 3600\n"
	    "timeout = 30\n", EP("netbox", "url"), EP("netbox", "token"));
#undef EP
	fclose(f);
	return (path);
}

/* Rows in a snapshot section, or -1 without data. */
static long
rows(struct rt_instance *in, const char *section)
{
	struct snapshot *s = snapshot_acquire(&in->slot);
	long n = -1;

	if (s != NULL && s->data != NULL)
		n = (long)json_array_size(json_object_get(s->data, section));
	snapshot_release(s);
	return (n);
}

/* Guests with addresses from the secondary poll. */
static long
guests_with_ips(struct rt_instance *in)
{
	struct snapshot *s = snapshot_acquire(&in->slot);
	const json_t *g;
	long n = 0;
	size_t i;

	if (s != NULL && s->data != NULL) {
		json_array_foreach(json_object_get(s->data, "guests"), i, g) {
			if (json_array_size(json_object_get(g, "ips")) > 0)
				n++;
		}
	}
	snapshot_release(s);
	return (n);
}

/* Whether every instance has data and the address round ended. */
static bool
ready(struct registry *reg, long *ips)
{
	struct rt_instance *in;
	size_t i;

	for (i = 0; i < registry_ninstances(reg); i++) {
		in = registry_instance_at(reg, i);
		if (rows(in, "_") < 0)
			return (false);
		if (strcmp(in->service->name, "proxmox") == 0) {
			*ips = guests_with_ips(in);
			/* About 85% run; the round covers them all. */
			if (*ips < rows(in, "guests") * 8 / 10)
				return (false);
		}
	}
	return (true);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Times ROUNDS calls of a tool; prints p50, p99 and the hit count. */
static void
measure(struct registry *reg, const char *tool, const char *label,
    json_t *args, int rounds)
{
	const struct registry_tool *t = registry_find(reg, tool);
	struct rt_caller caller;
	struct rt_call *c;
	int64_t *us = xcalloc((size_t)rounds, sizeof *us), t0;
	json_int_t total = -1;
	double sum = 0;
	int i;

	memset(&caller, 0, sizeof caller);
	caller.source = RT_SRC_CLI;
	for (i = 0; i < rounds; i++) {
		c = call_new(t, json_deep_copy(args), &caller);
		t0 = clock_mono_us();
		if (call_check(c) == 0)
			call_run_here(c);
		us[i] = clock_mono_us() - t0;
		sum += (double)us[i];
		if (i == 0) {
			if (call_failed(c)) {
				fprintf(stderr, "bench-find: %s failed: %s\n",
				    label, c->error);
				exit(1);
			}
			total = json_integer_value(json_object_get(c->result,
			    "total"));
		}
		call_free(c);
	}
	qsort(us, (size_t)rounds, sizeof *us, cmp_i64);
	printf("  %-34s %6lld hits  p50 %8.3f ms  p99 %8.3f ms  mean %8.3f "
	    "ms\n", label, (long long)total, (double)us[rounds / 2] / 1e3,
	    (double)us[rounds * 99 / 100] / 1e3, sum / rounds / 1e3);
	free(us);
	json_decref(args);
}

int
main(int argc, char **argv)
{
	struct registry *reg;
	struct rt_config *conf;
	json_t *ep;
	char *cause = NULL, *path;
	int64_t start, end;
	long ips = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : ROUNDS;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-find RACKTOP-SIM [ROUNDS]\n");
		return (2);
	}
	if (rounds < 20)
		rounds = 20;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	json_object_seed(1);
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	atexit(cleanup);
	if ((ep = start_sim(argv[1])) == NULL) {
		fprintf(stderr, "bench-find: the simulator did not start\n");
		return (1);
	}
	path = write_conf(ep);
	json_decref(ep);
	if ((reg = registry_create(rt_services, &cause)) == NULL ||
	    (conf = conf_load(path, registry_service_names(reg), NULL,
	    &cause)) == NULL || registry_add_instances(reg, conf,
	    &cause) != 0) {
		fprintf(stderr, "bench-find: %s\n", cause);
		return (1);
	}
	free(path);
	start = clock_mono_ms();
	registry_start_pollers(reg);
	end = start + WAIT_MS;
	/* Waits for the first data of every service (not a test: a bench). */
	while (!ready(reg, &ips) && clock_mono_ms() < end)
		usleep(100000);
	registry_stop_pollers(reg);
	if (!ready(reg, &ips)) {
		fprintf(stderr, "bench-find: no data after %d s\n",
		    WAIT_MS / 1000);
		return (1);
	}
	printf("racktop_find from snapshots, --scale large (%.1f s to poll):\n",
	    (double)(clock_mono_ms() - start) / 1000);
	for (i = 0; i < registry_ninstances(reg); i++) {
		struct rt_instance *in = registry_instance_at(reg, i);
		const char *sec[] = { "guests", "containers", "clients",
		    "top_clients", "devices", "addresses" };
		size_t s;

		for (s = 0; s < sizeof sec / sizeof sec[0]; s++) {
			if (rows(in, sec[s]) > 0)
				printf("  %-10s %-12s %6ld rows\n",
				    in->service->name, sec[s], rows(in,
				    sec[s]));
		}
	}
	printf("  proxmox guests with addresses: %ld\n", ips);
	/* The first lookup after a refresh builds the index: timed alone. */
	measure(reg, "racktop_find", "first lookup (builds the index)",
	    json_pack("{s:s}", "query", "10.0.0.40"), 1);
	measure(reg, "racktop_find", "find by address (10.0.0.40)",
	    json_pack("{s:s}", "query", "10.0.0.40"), rounds);
	measure(reg, "racktop_find", "find by guest address (10.2.0.110)",
	    json_pack("{s:s}", "query", "10.2.0.110"), rounds);
	measure(reg, "racktop_find", "find by MAC (bc:24:11:00:00:6f)",
	    json_pack("{s:s}", "query", "BC-24-11-00-00-6F"), rounds);
	measure(reg, "racktop_find", "find by name (client-0042)",
	    json_pack("{s:s}", "query", "client-0042"), rounds);
	measure(reg, "racktop_find", "find a miss (10.9.9.9)",
	    json_pack("{s:s}", "query", "10.9.9.9"), rounds);
	measure(reg, "racktop_drift", "drift (both sides)",
	    json_pack("{s:i}", "limit", 1000), rounds / 20);
	registry_destroy(reg);
	conf_free(conf);
	curl_global_cleanup();
	return (0);
}
