/*
 * The simulated cloudflare API (being written: see the cloudflare backend's issue).
 */
#include "config.h"

#include <stddef.h>

#include "sim/sim.h"

static const struct sim_route cloudflare_routes[] = {
	{ .method = NULL },
};

const struct sim_service_ops sim_cloudflare_ops = {
	.name = "cloudflare",
	.prefix = "",
	.routes = cloudflare_routes,
};
