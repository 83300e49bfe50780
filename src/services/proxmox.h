/*
 * Proxmox VE backend: the pure parse half (proxmox-parse.c), shared by the
 * transport and tools in proxmox.c and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use, never the upstream tree.
 *
 * Snapshot layout (pve_parse_resources + pve_parse_cluster_status):
 *   { "cluster": { "name", "quorate", "standalone", "nodes_total",
 *                  "nodes_online", "nodes": [ {name, online, ...} ] },
 *     "nodes":   [ {instance, id, node, status, cpu, maxcpu, mem, ...} ],
 *     "guests":  [ {instance, id, type, vmid, node, name, status, ...} ],
 *     "storage": [ {instance, id, storage, node, status, disk, ...} ] }
 * Fields missing upstream are left out of a row, except "template" (false)
 * and "tags" ([]) on guests.
 */
#ifndef RT_PROXMOX_H
#define RT_PROXMOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The parts of a task id, "UPID:node:pid:pstart:starttime:type:id:user:". */
struct pve_upid {
	char node[64];
	char type[64];
	char id[128];
	char user[128];
	unsigned long pid;
	unsigned long pstart;
	long starttime;
};

/*
 * Parses the data member of GET /cluster/resources into nodes, guests and
 * storage rows, each carrying instance. Returns a new object with those
 * three arrays, or NULL with *cause (caller frees) when data is not an
 * array. Items of unknown type (sdn, pool...) are skipped.
 */
json_t *pve_parse_resources(const json_t *data, const char *instance,
    char **cause);

/*
 * Parses the data member of GET /cluster/status into the cluster object
 * (new reference), or NULL with *cause (caller frees). A standalone node
 * has no "cluster" entry: name is null, standalone true, quorate true.
 */
json_t *pve_parse_cluster_status(const json_t *data, char **cause);

/* One guest row from a /cluster/resources item; NULL when it is not one. */
json_t *pve_parse_guest(const json_t *item, const char *instance);

/*
 * Merges the data of GET /nodes/{node}/{type}/{vmid}/status/current into
 * a guest row (modified in place).
 */
void pve_merge_guest_status(json_t *row, const json_t *data);

/*
 * The result of get_node_status from GET /nodes/{node}/status (new
 * reference): cpu, loadavg, memory, rootfs, uptime, versions.
 */
json_t *pve_parse_node_status(const json_t *data, const char *instance,
    const char *node);

/*
 * The items of GET /nodes/{node}/storage/{storage}/content?content=backup
 * as backup rows (new array), each with instance, node, storage and the
 * guest type guessed from the volume name.
 */
json_t *pve_parse_backups(const json_t *data, const char *instance,
    const char *node, const char *storage);

/*
 * The last n lines of GET /nodes/{node}/tasks/{upid}/log data, in order,
 * as a new array of strings.
 */
json_t *pve_task_log_tail(const json_t *data, size_t n);

/* Whether a task exit status means success ("OK", "WARNINGS: n"). */
bool pve_exitstatus_ok(const char *exitstatus);

/*
 * A vmid given as a JSON integer, a real with no fraction or a decimal
 * string: 0 and *out, or -1.
 */
int pve_vmid_value(const json_t *v, long long *out);

/* Splits a UPID into its parts: 0, or -1 when it is not one. */
int pve_upid_parse(const char *upid, struct pve_upid *out);

/*
 * The API token header line,
 * "Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET" (caller frees),
 * or NULL when token_id is not USER@REALM!TOKENID.
 */
char *pve_token_header(const char *token_id, const char *token);
/* The ticket cookie header line "Cookie: PVEAuthCookie=..." (caller frees). */
char *pve_cookie_header(const char *ticket);
/* The CSRF header line for writes with a ticket (caller frees). */
char *pve_csrf_header(const char *csrf);

/*
 * Guest addresses (proxmox-ips.c): the slow secondary poll of each
 * running guest's interfaces, outside the regular refresh. Guests of
 * the snapshot gain "ips" (canonical, loopback and link-local left out)
 * and "macs" ("aa:bb:...") from the last round that reached them.
 */
#define PVE_IP_REFRESH_S 600	/* default ip_refresh */
#define PVE_IP_BATCH 64		/* guests asked per regular refresh */
struct pve_ips;
/* A cache refreshed every interval_s seconds (0: never). */
struct pve_ips *pve_ips_create(int interval_s);
void pve_ips_destroy(struct pve_ips *);
/*
 * On the poller thread, after a regular refresh built snap: when a
 * round is due (or under way), asks up to PVE_IP_BATCH running guests
 * with get(arg, path, &cause) (a new reference to the response's data,
 * or NULL), then sets ips and macs on snap's guests from the cache. A
 * guest whose agent does not answer keeps no addresses.
 */
void pve_ips_refresh(struct pve_ips *, json_t *snap, int64_t now_mono,
    json_t *(*get)(void *arg, const char *path, char **cause), void *arg);
/*
 * The addresses of GET /nodes/{node}/qemu/{vmid}/agent/network-get-
 * interfaces data ({"result": [...]}) or GET /nodes/{node}/lxc/{vmid}/
 * interfaces data ([...]): {ips: [...], macs: [...]}. New object.
 */
json_t *pve_parse_guest_ifaces(const json_t *data);

/* A search of rows (a guest row array) for vmid: borrowed, or NULL. */
const json_t *pve_find_guest(const json_t *guests, long long vmid);
/* A search of rows (a node row array) for a node name: borrowed, or NULL. */
const json_t *pve_find_node(const json_t *nodes, const char *node);

#endif
