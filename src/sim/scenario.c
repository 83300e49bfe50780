/*
 * The seeded lab generator: nodes, guests, storages and backups of the
 * simulated Proxmox VE cluster (see scenario.h for the small-scale list).
 * Everything is a function of the seed, the scale and the start time, so
 * a fixed seed and clock make repeatable tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"

#define GIB (1024LL * 1024 * 1024)
#define DAY_MS (86400LL * 1000)

struct scenario_seed {
	int		 vmid;
	bool		 lxc;
	const char	*name;
	int		 node;
	bool		 running;
	bool		 template;
	const char	*tags;
	int		 cpus;
	int		 mem_gib;
	int		 disk_gib;
};

static const struct scenario_seed scenario_small[] = {
	{ 100, false, "web01", 0, true, false, "prod;web", 2, 4, 32 },
	{ 101, false, "db01", 0, true, false, "prod;db", 4, 16, 128 },
	{ 102, false, "gitea", 1, true, false, "dev", 2, 4, 64 },
	{ 103, false, "jellyfin", 1, true, false, "media", 4, 8, 64 },
	{ 104, false, "homeassistant", 2, true, false, "home", 2, 4, 32 },
	{ 105, false, "unifi", 0, true, false, "net", 2, 4, 32 },
	{ 106, false, "nextcloud", 1, true, false, "prod", 4, 8, 256 },
	{ 107, false, "win11", 2, false, false, "", 4, 16, 128 },
	{ 108, false, "k3s-master", 0, true, false, "k8s", 2, 4, 32 },
	{ 109, false, "k3s-worker1", 1, true, false, "k8s", 4, 8, 64 },
	{ 110, false, "k3s-worker2", 2, true, false, "k8s", 4, 8, 64 },
	{ 111, false, "debian12-tmpl", 2, false, true, "", 2, 2, 16 },
	{ 200, true, "pihole", 0, true, false, "net;dns", 1, 1, 8 },
	{ 201, true, "nginx-proxy", 0, true, false, "net", 1, 1, 8 },
	{ 202, true, "grafana", 1, true, false, "monitoring", 2, 2, 16 },
	{ 203, true, "prometheus", 1, true, false, "monitoring", 2, 4, 64 },
	{ 204, true, "vaultwarden", 2, true, false, "prod", 1, 1, 8 },
	{ 205, true, "paperless", 2, true, false, "", 2, 2, 32 },
	{ 206, true, "syncthing", 0, false, false, "", 1, 1, 16 },
	{ 207, true, "mosquitto", 1, true, false, "home", 1, 1, 4 },
};

static const char *scenario_words[] = {
	"web", "db", "pihole", "unifi", "gitea", "jellyfin", "plex", "nas",
	"redis", "postgres", "mariadb", "nginx", "traefik", "grafana",
	"prometheus", "loki", "minio", "vault", "k3s", "runner", "mail",
	"dns", "proxy", "backup", "monitor", "wiki", "git", "build", "ci",
	"cache", "queue", "search", "api", "app", "media", "sonarr",
	"radarr", "immich", "frigate", "nextcloud",
};

const struct scenario_host scenario_hosts[] = {
	{ "homeassistant", "10.0.0.40", "bc:24:11:4a:01:04", 104 },
};
const int scenario_nhosts = sizeof scenario_hosts / sizeof scenario_hosts[0];

/* A shared host by name or address, or NULL. */
const struct scenario_host *
scenario_host_find(const char *key)
{
	int	i;

	for (i = 0; i < scenario_nhosts; i++) {
		if (strcmp(scenario_hosts[i].name, key) == 0 ||
		    strcmp(scenario_hosts[i].ip, key) == 0)
			return (&scenario_hosts[i]);
	}
	return (NULL);
}

/* The address and MAC a guest reports (see scenario.h). */
void
scenario_guest_addr(const struct scenario *sc, const struct scenario_guest *g,
    char *ip, size_t iplen, char *mac, size_t maclen)
{
	int	i;

	for (i = 0; i < scenario_nhosts; i++) {
		if (scenario_hosts[i].vmid == g->vmid &&
		    strcmp(scenario_hosts[i].name, g->name) == 0) {
			snprintf(ip, iplen, "%s", scenario_hosts[i].ip);
			snprintf(mac, maclen, "%s", scenario_hosts[i].mac);
			return;
		}
	}
	if (sc->nguests <= 20)
		snprintf(ip, iplen, "10.0.0.%d", (g->lxc ? 70 : 50) +
		    g->vmid % 100);
	else
		snprintf(ip, iplen, "10.2.%d.%d", (g->vmid / 240) % 256,
		    10 + g->vmid % 240);
	snprintf(mac, maclen, "bc:24:11:%02x:%02x:%02x", (g->vmid >> 16) & 0xff,
	    (g->vmid >> 8) & 0xff, g->vmid & 0xff);
}

/* splitmix64: the next pseudo-random number. */
uint64_t
scenario_rand(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* A number in [lo, hi]. */
static int64_t
scenario_range(uint64_t *state, int64_t lo, int64_t hi)
{
	return (lo + (int64_t)(scenario_rand(state) % (uint64_t)(hi - lo + 1)));
}

/* A smooth periodic curve in [0,1) (a triangle wave with a phase). */
double
scenario_wave(uint64_t seed, int64_t now_ms, int period_s)
{
	int64_t	period = (int64_t)period_s * 1000;
	int64_t	phase, t;
	double	x;

	phase = (int64_t)(seed % (uint64_t)period);
	t = (now_ms + phase) % period;
	if (t < 0)
		t += period;
	x = (double)t / (double)period;
	return (x < 0.5 ? 2 * x : 2 * (1 - x));
}

/* Node index by name, or -1. */
int
scenario_node(struct scenario *sc, const char *name)
{
	int	i;

	for (i = 0; i < SCENARIO_NODES; i++) {
		if (strcmp(sc->nodes[i].name, name) == 0)
			return (i);
	}
	return (-1);
}

/* A live guest by vmid, or NULL. */
struct scenario_guest *
scenario_guest(struct scenario *sc, int vmid)
{
	int	i;

	for (i = 0; i < sc->nguests; i++) {
		if (sc->guests[i].vmid == vmid && !sc->guests[i].gone)
			return (&sc->guests[i]);
	}
	return (NULL);
}

/* Adds a guest (copied) and returns it. */
struct scenario_guest *
scenario_add_guest(struct scenario *sc, const struct scenario_guest *g)
{
	if (sc->nguests == sc->guests_size) {
		sc->guests_size = sc->guests_size == 0 ? 32 :
		    sc->guests_size * 2;
		sc->guests = xreallocarray(sc->guests,
		    (size_t)sc->guests_size, sizeof *sc->guests);
	}
	sc->guests[sc->nguests] = *g;
	return (&sc->guests[sc->nguests++]);
}

/* Adds a backup (copied). */
void
scenario_add_backup(struct scenario *sc, const struct scenario_backup *b)
{
	if (sc->nbackups == sc->backups_size) {
		sc->backups_size = sc->backups_size == 0 ? 16 :
		    sc->backups_size * 2;
		sc->backups = xreallocarray(sc->backups,
		    (size_t)sc->backups_size, sizeof *sc->backups);
	}
	sc->backups[sc->nbackups++] = *b;
}

/* Adds a backup of g made days before the epoch at 02:00. */
static void
scenario_seed_backup(struct scenario *sc, const struct scenario_guest *g,
    int days, uint64_t *rng)
{
	struct scenario_backup	 b;
	struct tm		 tm;
	time_t			 t;
	char			 stamp[32];

	memset(&b, 0, sizeof b);
	b.vmid = g->vmid;
	b.lxc = g->lxc;
	b.ctime = (sc->epoch_ms / DAY_MS - days) * 86400 + 2 * 3600;
	t = (time_t)b.ctime;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y_%m_%d-%H_%M_%S", &tm);
	snprintf(b.volid, sizeof b.volid, "backups:backup/vzdump-%s-%d-%s.%s",
	    g->lxc ? "lxc" : "qemu", g->vmid, stamp,
	    g->lxc ? "tar.zst" : "vma.zst");
	b.size = g->disk / 3 + scenario_range(rng, 0, 512) * 1024 * 1024;
	snprintf(b.notes, sizeof b.notes, "%s", g->name);
	scenario_add_backup(sc, &b);
}

/* Fills the per-guest numbers from the PRNG. */
static void
scenario_fill(struct scenario *sc, struct scenario_guest *g, uint64_t *rng)
{
	g->seed = scenario_rand(rng);
	g->disk = g->maxdisk / 100 * scenario_range(rng, 15, 80);
	if (g->running)
		g->start_ms = sc->epoch_ms - scenario_range(rng, 1, 40) *
		    DAY_MS / 4 - scenario_range(rng, 0, 3600) * 1000;
}

/* Builds the lab. */
struct scenario *
scenario_create(uint64_t seed, int guests, int64_t now_ms)
{
	struct scenario		*sc;
	struct scenario_guest	 g;
	const struct scenario_seed *s;
	uint64_t		 rng = seed;
	size_t			 i;
	int			 n;

	sc = xcalloc(1, sizeof *sc);
	sc->seed = seed;
	sc->epoch_ms = now_ms;
	snprintf(sc->cluster, sizeof sc->cluster, "lab");
	for (n = 0; n < SCENARIO_NODES; n++) {
		snprintf(sc->nodes[n].name, sizeof sc->nodes[n].name, "pve%d",
		    n + 1);
		snprintf(sc->nodes[n].ip, sizeof sc->nodes[n].ip,
		    "10.0.0.%d", 11 + n);
		sc->nodes[n].maxcpu = n == 2 ? 8 : 16;
		sc->nodes[n].maxmem = (n == 2 ? 32 : 64) * GIB;
		sc->nodes[n].maxdisk = 100 * GIB;
		sc->nodes[n].online = true;
		sc->nodes[n].seed = scenario_rand(&rng);
		sc->nodes[n].boot_ms = now_ms - scenario_range(&rng, 10, 60) *
		    DAY_MS;
	}
	if (guests < 0) {
		for (i = 0; i < sizeof scenario_small / sizeof *s; i++) {
			s = &scenario_small[i];
			memset(&g, 0, sizeof g);
			g.vmid = s->vmid;
			g.lxc = s->lxc;
			snprintf(g.name, sizeof g.name, "%s", s->name);
			g.node = s->node;
			g.running = s->running;
			g.template = s->template;
			snprintf(g.tags, sizeof g.tags, "%s", s->tags);
			g.maxcpu = s->cpus;
			g.maxmem = s->mem_gib * GIB;
			g.maxdisk = s->disk_gib * GIB;
			scenario_fill(sc, &g, &rng);
			scenario_add_guest(sc, &g);
		}
		scenario_seed_backup(sc, scenario_guest(sc, 100), 1, &rng);
		scenario_seed_backup(sc, scenario_guest(sc, 101), 2, &rng);
		scenario_seed_backup(sc, scenario_guest(sc, 101), 1, &rng);
		scenario_seed_backup(sc, scenario_guest(sc, 102), 1, &rng);
		scenario_seed_backup(sc, scenario_guest(sc, 200), 1, &rng);
		scenario_seed_backup(sc, scenario_guest(sc, 204), 1, &rng);
		return (sc);
	}
	for (n = 0; n < guests; n++) {
		memset(&g, 0, sizeof g);
		g.vmid = 100 + n;
		g.lxc = scenario_range(&rng, 0, 9) < 4;
		snprintf(g.name, sizeof g.name, "%s-%03d",
		    scenario_words[scenario_rand(&rng) %
		    (sizeof scenario_words / sizeof *scenario_words)], n);
		g.node = n % SCENARIO_NODES;
		g.running = scenario_range(&rng, 0, 99) < 85;
		g.maxcpu = (int)scenario_range(&rng, 1, 8);
		g.maxmem = scenario_range(&rng, 1, 16) * GIB / 2;
		g.maxdisk = scenario_range(&rng, 4, 256) * GIB;
		scenario_fill(sc, &g, &rng);
		scenario_add_guest(sc, &g);
		if (n % 10 == 0)
			scenario_seed_backup(sc, &sc->guests[sc->nguests - 1],
			    1, &rng);
	}
	return (sc);
}

/* Frees the lab (NULL: no-op). */
void
scenario_free(struct scenario *sc)
{
	if (sc == NULL)
		return;
	free(sc->guests);
	free(sc->backups);
	free(sc);
}
