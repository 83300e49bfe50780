/*
 * The simulated tailscale API (being written: see the tailscale backend's issue).
 */
#include "config.h"

#include <stddef.h>

#include "sim/sim.h"

static const struct sim_route tailscale_routes[] = {
	{ .method = NULL },
};

const struct sim_service_ops sim_tailscale_ops = {
	.name = "tailscale",
	.prefix = "",
	.routes = tailscale_routes,
};
