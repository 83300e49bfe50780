/*
 * libFuzzer target: conf_parse must turn any bytes into a configuration or
 * an error, never a crash, a leak or a read past the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"

static const char *const fuzz_services[] = {
	"proxmox", "docker", "unifi", "pihole", "tailscale", "cloudflare",
	"pbs", "memory", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one input, then reads every value back. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_config *c;
	char *cause = NULL, *copy;
	size_t i, j;
	long n;
	bool b;

	/* An exact-size copy, so ASan catches any read past the input. */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		return (0);
	memcpy(copy, data, size);
	c = conf_parse("fuzz.conf", copy, size, fuzz_services, &cause);
	if (c == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz.conf:", 10) != 0)
			abort();
		free(cause);
		free(copy);
		return (0);
	}
	if (cause != NULL)
		abort();
	for (i = 0; i < c->ninstances; i++) {
		for (j = 0; j < c->instances[i].nkv; j++) {
			if (conf_get(&c->instances[i],
			    c->instances[i].kv[j].key) == NULL)
				abort();
		}
		if (conf_get_int(&c->instances[i], "refresh", 10, &n,
		    &cause) != 0)
			free(cause);
		cause = NULL;
		if (conf_get_bool(&c->instances[i], "verify_tls", true, &b,
		    &cause) != 0)
			free(cause);
		cause = NULL;
	}
	conf_free(c);
	free(copy);
	return (0);
}
