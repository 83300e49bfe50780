/*
 * racktop-sim: serves simulated upstream APIs for tests and the demo.
 *
 *   racktop-sim [--seed N] [--scale small|large|N] [--clock fixed|real]
 *       [--endpoints FILE] [--services proxmox,...] [--faults SPEC]
 *       [--port NAME=PORT]...
 *
 * Every service and the control endpoint listen on their own port on
 * 127.0.0.1 only (port 0, the default, lets the kernel pick), over plain
 * HTTP. Once all listen, the endpoints are written to FILE as JSON (tmp
 * file + rename, so a reader never sees half of it); FILE is removed on
 * exit. Runs until SIGTERM/SIGINT, and gets SIGTERM when its parent dies.
 */
#include "config.h"

#include <sys/prctl.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

static const struct sim_service_ops *sim_all[] = {
	&sim_proxmox_ops,
	&sim_pihole_ops,
	&sim_unifi_ops,
	&sim_docker_ops,
	&sim_tailscale_ops,
	&sim_cloudflare_ops,
	&sim_pbs_ops,
	&sim_traefik_ops,
	&sim_portainer_ops,
	&sim_netbox_ops,
	&sim_llm_ops,
	NULL
};

/* Prints the usage and exits. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: racktop-sim [--seed N] [--scale small|large|N] "
	    "[--clock fixed|real]\n"
	    "                   [--endpoints FILE] [--services proxmox,...] "
	    "[--faults SPEC]\n"
	    "                   [--port NAME=PORT]...\n"
	    "SPEC: service[:METHOD /pattern]:kind[=value][:count=N];... or "
	    "JSON\n");
	exit(status);
}

/* The port asked for name in the --port list, or 0. */
static unsigned int
port_for(char **ports, int nports, const char *name)
{
	size_t	len = strlen(name);
	int	i;

	for (i = 0; i < nports; i++) {
		if (strncmp(ports[i], name, len) == 0 && ports[i][len] == '=')
			return ((unsigned int)strtoul(ports[i] + len + 1, NULL,
			    10));
	}
	return (0);
}

/* Writes the endpoints atomically: tmp file, then rename. */
static int
write_endpoints(const char *path, json_t *o)
{
	char	*tmp;
	int	 rc = -1;

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (json_dump_file(o, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
		fprintf(stderr, "racktop-sim: cannot write %s\n", tmp);
	else if (rename(tmp, path) != 0)
		fprintf(stderr, "racktop-sim: rename %s: %s\n", path,
		    strerror(errno));
	else
		rc = 0;
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return (rc);
}

/* Parses --scale: -1 for small, else a guest count. */
static int
parse_scale(const char *s)
{
	char	*end;
	long	 n;

	if (strcmp(s, "small") == 0)
		return (-1);
	if (strcmp(s, "large") == 0)
		return (1200);
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 0 || n > 100000)
		return (-2);
	return ((int)n);
}

/* Entry point. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'S' },
		{ "clock", required_argument, NULL, 'c' },
		{ "endpoints", required_argument, NULL, 'e' },
		{ "services", required_argument, NULL, 'v' },
		{ "faults", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim	*sim;
	sigset_t	 set;
	json_t		*eps;
	const char	*endpoints = NULL, *services = NULL;
	const char	*faults = NULL;
	char		*ports[16], *cause = NULL, *copy, *p, *name;
	uint64_t	 seed = 1;
	bool		 fixed = false;
	int		 ch, scale = -1, nports = 0, i, sig, status = 1;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			if ((scale = parse_scale(optarg)) == -2) {
				fprintf(stderr, "racktop-sim: bad --scale\n");
				usage(2);
			}
			break;
		case 'c':
			if (strcmp(optarg, "fixed") == 0)
				fixed = true;
			else if (strcmp(optarg, "real") == 0)
				fixed = false;
			else
				usage(2);
			break;
		case 'e':
			endpoints = optarg;
			break;
		case 'v':
			services = optarg;
			break;
		case 'f':
			faults = optarg;
			break;
		case 'p':
			if (nports == (int)(sizeof ports / sizeof *ports) ||
			    strchr(optarg, '=') == NULL)
				usage(2);
			ports[nports++] = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	/* Die with the parent that spawned us. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return (0);

	/* Block the signals before any thread starts; sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	sim = sim_create(scenario_create(seed, scale, fixed ?
	    SIM_FIXED_EPOCH_MS : clock_wall_ms()), fixed);
	/* Without --services, every simulated service. */
	if (services == NULL) {
		copy = xstrdup("");
		for (i = 0; sim_all[i] != NULL; i++) {
			p = copy;
			xasprintf(&copy, "%s%s%s", p, i > 0 ? "," : "",
			    sim_all[i]->name);
			free(p);
		}
	} else
		copy = xstrdup(services);
	p = copy;
	while ((name = strsep(&p, ",")) != NULL) {
		if (*name == '\0')
			continue;
		for (i = 0; sim_all[i] != NULL; i++) {
			if (strcmp(sim_all[i]->name, name) == 0)
				break;
		}
		if (sim_all[i] == NULL) {
			fprintf(stderr, "racktop-sim: unknown service %s\n",
			    name);
			free(copy);
			goto out;
		}
		if (sim_add_service(sim, sim_all[i], port_for(ports, nports,
		    name), &cause) != 0) {
			free(copy);
			goto fail;
		}
	}
	free(copy);
	if (sim_start_control(sim, port_for(ports, nports, "control"),
	    &cause) != 0)
		goto fail;
	if (faults != NULL && sim_parse_faults(sim, faults, &cause) != 0)
		goto fail;

	eps = sim_endpoints(sim);
	if (endpoints != NULL && write_endpoints(endpoints, eps) != 0) {
		json_decref(eps);
		goto out;
	}
	if (endpoints == NULL)
		json_dumpf(eps, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fflush(stdout);
	json_decref(eps);

	do {
		if (sigwait(&set, &sig) != 0)
			break;
	} while (sig == SIGHUP);
	status = 0;
	if (endpoints != NULL)
		unlink(endpoints);
	goto out;

fail:
	fprintf(stderr, "racktop-sim: %s\n", cause);
	free(cause);
out:
	sim_destroy(sim);
	return (status);
}
