/*
 * libFuzzer target: every pure function of netbox-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what netbox.h
 * promises, never crash, leak or read past its input. Seeded from
 * tests/fixtures/netbox.
 */
#include "config.h"

#include "services/netbox.h"
#include "tests/fuzz/parse-fuzz.h"

static void
each(const json_t *v)
{
	json_t *addrs;
	struct netbox_net a, b;

	fuzz_use_array(netbox_parse_devices(v, "nb"));
	addrs = netbox_parse_addresses(v, "nb");
	if (!json_is_array(addrs))
		abort();
	fuzz_use_array(netbox_parse_prefixes(v, addrs, "nb"));
	fuzz_use(addrs);
	if (json_is_object(v)) {
		fuzz_use_object(netbox_parse_vlan(v, "nb"));
		fuzz_use_object(netbox_parse_cable(v, "nb"));
	}
	fuzz_use(netbox_parse_hit("device", v, "nb"));
	if (json_is_string(v) && netbox_net_parse(json_string_value(v), &a)) {
		if (a.family != 4 && a.family != 6)
			abort();
		if ((a.family == 4 && a.len > 32) || a.len > 128 || a.len < 0)
			abort();
		b = a;
		if (!netbox_net_contains(&a, &b))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *body = fuzz_bytes(data, size);
	json_t *root = fuzz_json(data, size);
	struct netbox_net n;
	char buf[128];

	fuzz_use_str(netbox_error_message(body, size));
	if (netbox_next_path(s, buf, sizeof buf) && buf[0] != '/')
		abort();
	(void)netbox_net_parse(s, &n);
	fuzz_use_str(netbox_auth_header(s));
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(body);
	free(s);
	return (0);
}
