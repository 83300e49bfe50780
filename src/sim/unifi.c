/*
 * The simulated unifi API (being written: issue for the unifi backend).
 */
#include "config.h"

#include <stddef.h>

#include "sim/sim.h"

static const struct sim_route unifi_routes[] = {
	{ .method = NULL },
};

const struct sim_service_ops sim_unifi_ops = {
	.name = "unifi",
	.prefix = "",
	.routes = unifi_routes,
};
