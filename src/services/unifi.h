/*
 * UniFi Network backend: the pure parse half (unifi-parse.c), shared by
 * the transport and tools in unifi.c and by the unit tests.
 *
 * Every function here is a pure function of its arguments: no I/O, no
 * global state, safe on any thread. Rows keep only the fields that panes
 * and tools use (a 5,000-client stat/sta reply is 5.5 MB of JSON), with
 * one field name per fact whatever the API: "mac" (lower-case colon hex),
 * "ip", "name".
 *
 * Snapshot layout (unifi.c builds it from these functions):
 *   { "site":    { "name", "id", "auth", "classic", "firewall" },
 *     "clients": [ {instance, mac, name, ip, type, network, uplink,
 *                   uplink_mac, signal, rx_bytes, tx_bytes, uptime,
 *                   online, blocked} ],
 *     "devices": [ {instance, mac, name, model, type, state, ip, uptime,
 *                   clients, firmware, upgradable} ],
 *     "health":  [ {subsystem, status, ...} ] }
 * Fields unknown upstream are left out of a row, except "online" and
 * "blocked" on clients, which are always there.
 */
#ifndef RT_UNIFI_H
#define RT_UNIFI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A normalised MAC: "aa:bb:cc:dd:ee:ff" and its NUL. */
#define UNIFI_MAC_LEN 18

/*
 * Normalises a MAC written with ':', '-' or no separators, any case, into
 * out: 0, or -1 when s is not a MAC.
 */
int unifi_mac_norm(const char *s, char out[UNIFI_MAC_LEN]);

/*
 * The data array of a classic {"meta":{"rc":...},"data":[...]} answer
 * (borrowed from j), or NULL with *cause (caller frees): meta.msg of an
 * error envelope, or what is wrong with the shape.
 */
const json_t *unifi_envelope_data(const json_t *j, char **cause);

/*
 * The csrfToken of a UniFi OS TOKEN cookie (a JWT): caller frees, or
 * NULL when the payload does not decode or carries none.
 */
char *unifi_jwt_csrf(const char *jwt);

/*
 * Client rows (new array) from classic GET stat/sta data. Online clients
 * only; blocked is taken from the item (normally false).
 */
json_t *unifi_parse_sta(const json_t *data, const char *instance);

/*
 * Adds to clients (modified) a row for every blocked client of classic
 * list/user data that clients lacks (blocked clients are disconnected and
 * absent from stat/sta), and marks present ones blocked.
 */
void unifi_merge_blocked(json_t *clients, const json_t *users,
    const char *instance);

/* Device rows (new array) from classic stat/device data. */
json_t *unifi_parse_devices(const json_t *data, const char *instance);

/* Health rows (new array) from classic stat/health data. */
json_t *unifi_parse_health(const json_t *data);

/*
 * The Integration API's id of the site whose internalReference is site,
 * from GET /integration/v1/sites data: borrowed, or NULL.
 */
const char *unifi_int_site_id(const json_t *data, const char *site);

/*
 * Client rows (new array) from Integration API clients data. devices
 * (rows with "id") names uplinks; may be NULL.
 */
json_t *unifi_parse_int_clients(const json_t *data, const json_t *devices,
    const char *instance);

/*
 * Device rows (new array) from Integration API devices data; each keeps
 * the API's "id" so clients can name their uplink.
 */
json_t *unifi_parse_int_devices(const json_t *data, const char *instance);

/*
 * Fills "uplink" (the AP or switch name, ", port N" for a switch port) in
 * client rows from their uplink_mac, and "clients" in device rows.
 */
void unifi_link(json_t *clients, json_t *devices);

/* WLAN rows (new array) from classic rest/wlanconf data. */
json_t *unifi_parse_wlans(const json_t *data, const char *instance);

/* Rule rows (new array) from classic rest/firewallrule data. */
json_t *unifi_parse_fw_rules(const json_t *data, const char *instance);

/* Rule rows (new array) from the v2 firewall-policies array. */
json_t *unifi_parse_fw_policies(const json_t *data, const char *instance);

/*
 * Voucher rows (new array) from classic stat/voucher data, only those
 * made at create_time (seconds; 0: all).
 */
json_t *unifi_parse_vouchers(const json_t *data, long long create_time);

/* A row of rows whose "mac" is mac: borrowed, or NULL. */
const json_t *unifi_find_mac(const json_t *rows, const char *mac);

#endif
