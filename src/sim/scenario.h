/*
 * The seeded lab that racktop-sim serves: one Proxmox VE cluster "lab"
 * with three nodes pve1..pve3, their guests, storages and backups. The
 * PRNG is splitmix64 seeded by --seed, so a fixed seed and a fixed clock
 * give byte-identical responses.
 *
 * Scale "small" (the default) is a fixed list, whatever the seed (the
 * seed moves only the numbers: memory sizes, load curves, boot ages):
 *
 *   vmid type node name            status
 *   100  qemu pve1 web01           running  tags prod;web
 *   101  qemu pve1 db01            running  tags prod;db
 *   102  qemu pve2 gitea           running  tags dev
 *   103  qemu pve2 jellyfin        running  tags media
 *   104  qemu pve3 homeassistant   running  tags home
 *   105  qemu pve1 unifi           running  tags net
 *   106  qemu pve2 nextcloud       running  tags prod
 *   107  qemu pve3 win11           stopped
 *   108  qemu pve1 k3s-master      running  tags k8s
 *   109  qemu pve2 k3s-worker1     running  tags k8s
 *   110  qemu pve3 k3s-worker2     running  tags k8s
 *   111  qemu pve3 debian12-tmpl   stopped  template
 *   200  lxc  pve1 pihole          running  tags net;dns
 *   201  lxc  pve1 nginx-proxy     running  tags net
 *   202  lxc  pve2 grafana         running  tags monitoring
 *   203  lxc  pve2 prometheus      running  tags monitoring
 *   204  lxc  pve3 vaultwarden     running  tags prod
 *   205  lxc  pve3 paperless       running
 *   206  lxc  pve1 syncthing       stopped
 *   207  lxc  pve2 mosquitto       running  tags home
 *
 * Storages on every node: "local" (dir: iso,vztmpl,backup), "local-lvm"
 * (lvmthin: images,rootdir) and the shared "backups" (nfs: backup).
 * Backups on "backups": vmid 100, 101 (two), 102, 200 and 204, made at
 * 02:00 on the days before the epoch. Large scale is 3 nodes and 1,200
 * guests (vmid 100.., names generated), N is N guests.
 */
#ifndef RT_SCENARIO_H
#define RT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCENARIO_NODES 3

struct scenario_node {
	char		 name[16];
	char		 ip[16];
	int		 maxcpu;
	int64_t		 maxmem;
	int64_t		 maxdisk;
	int64_t		 boot_ms;
	bool		 online;
	uint64_t	 seed;
};

struct scenario_guest {
	int		 vmid;
	bool		 lxc;
	char		 name[64];
	int		 node;		/* index into nodes */
	bool		 running;
	bool		 template;
	char		 tags[48];
	char		 lock[16];	/* "" when unlocked */
	int		 maxcpu;
	int64_t		 maxmem;
	int64_t		 maxdisk;
	int64_t		 disk;
	int64_t		 start_ms;	/* when it last started */
	uint64_t	 seed;		/* drives its load curves */
	bool		 gone;		/* destroyed */
};

struct scenario_backup {
	char		 volid[128];
	int		 vmid;
	bool		 lxc;
	int64_t		 ctime;		/* seconds */
	int64_t		 size;
	char		 notes[64];
};

struct scenario {
	uint64_t		 seed;
	int64_t			 epoch_ms;
	char			 cluster[16];
	struct scenario_node	 nodes[SCENARIO_NODES];
	struct scenario_guest	*guests;
	int			 nguests;
	int			 guests_size;
	struct scenario_backup	*backups;
	int			 nbackups;
	int			 backups_size;
};

/*
 * A host several simulated services agree on (the same address and MAC
 * in Proxmox, Docker, UniFi, Pi-hole, Tailscale and NetBox), so a lookup
 * across services has something to find: at every scale, "homeassistant"
 * is guest 104's address 10.0.0.40 (small scale), a Docker container on
 * the "lan" macvlan network, a wired UniFi client, a Pi-hole client, a
 * Tailscale device whose endpoint is that address, and a NetBox address.
 */
struct scenario_host {
	const char	*name;
	const char	*ip;
	const char	*mac;
	int		 vmid;		/* the Proxmox guest, or 0 */
};
extern const struct scenario_host scenario_hosts[];
extern const int scenario_nhosts;
/* A shared host by name or address, or NULL. */
const struct scenario_host *scenario_host_find(const char *name_or_ip);

/*
 * The address and MAC a guest's agent (QEMU) or interfaces (LXC) report:
 * a shared host's when it is one, else 10.0.0.(50 + vmid % 100) for the
 * small lab's QEMU guests, 10.0.0.(70 + vmid % 100) for its containers,
 * and 10.2.X.Y in a larger lab (more than 20 guests). MACs are bc:24:11 (Proxmox's prefix)
 * followed by the vmid.
 */
void scenario_guest_addr(const struct scenario *, const struct scenario_guest *,
    char *ip, size_t iplen, char *mac, size_t maclen);

/* Builds the lab; guests < 0 means small. Caller frees. */
struct scenario *scenario_create(uint64_t seed, int guests, int64_t now_ms);
void scenario_free(struct scenario *);
/* splitmix64 step. */
uint64_t scenario_rand(uint64_t *state);
/* Finds a live guest by vmid, or NULL. */
struct scenario_guest *scenario_guest(struct scenario *, int vmid);
/* Adds a guest (copied); returns the stored one. */
struct scenario_guest *scenario_add_guest(struct scenario *,
    const struct scenario_guest *);
/* Adds a backup (copied). */
void scenario_add_backup(struct scenario *, const struct scenario_backup *);
/* A load curve in [0,1): smooth, periodic, a function of seed and time. */
double scenario_wave(uint64_t seed, int64_t now_ms, int period_s);
/* Node index by name or -1. */
int scenario_node(struct scenario *, const char *);

#endif
