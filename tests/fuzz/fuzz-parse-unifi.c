/*
 * libFuzzer target: every pure function of unifi-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what unifi.h promises,
 * never crash, leak or read past its input. Seeded from
 * tests/fixtures/unifi.
 */
#include "config.h"

#include "services/unifi.h"
#include "tests/fuzz/parse-fuzz.h"

static void
strings(const char *s)
{
	char mac[UNIFI_MAC_LEN];

	if (unifi_mac_norm(s, mac) == 0 && strlen(mac) != UNIFI_MAC_LEN - 1)
		abort();
	fuzz_use_str(unifi_jwt_csrf(s));
}

static void
each(const json_t *v)
{
	const json_t *d;
	json_t *clients, *devices, *ic, *id;
	char *cause = NULL;

	d = unifi_envelope_data(v, &cause);
	if ((d == NULL) == (cause == NULL))
		abort();
	free(cause);
	clients = unifi_parse_sta(v, "uf");
	if (!json_is_array(clients))
		abort();
	unifi_merge_blocked(clients, v, "uf");
	devices = unifi_parse_devices(v, "uf");
	if (!json_is_array(devices))
		abort();
	unifi_link(clients, devices);
	(void)unifi_find_mac(clients, "aa:bb:cc:dd:ee:ff");
	(void)unifi_find_mac(v, "aa:bb:cc:dd:ee:ff");
	fuzz_use(clients);
	fuzz_use(devices);
	fuzz_use_array(unifi_parse_health(v));
	(void)unifi_int_site_id(v, "default");
	id = unifi_parse_int_devices(v, "uf");
	if (!json_is_array(id))
		abort();
	ic = unifi_parse_int_clients(v, id, "uf");
	if (!json_is_array(ic))
		abort();
	unifi_link(ic, id);
	fuzz_use(ic);
	fuzz_use(id);
	fuzz_use_array(unifi_parse_int_clients(v, NULL, "uf"));
	fuzz_use_array(unifi_parse_wlans(v, "uf"));
	fuzz_use_array(unifi_parse_fw_rules(v, "uf"));
	fuzz_use_array(unifi_parse_fw_policies(v, "uf"));
	fuzz_use_array(unifi_parse_vouchers(v, 0));
	fuzz_use_array(unifi_parse_vouchers(v, 1700000000));
	if (json_is_string(v))
		strings(json_string_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	json_t *root = fuzz_json(data, size);

	strings(s);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	return (0);
}
