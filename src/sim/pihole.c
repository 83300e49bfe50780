/*
 * The simulated pihole API (being written: issue for the pihole backend).
 */
#include "config.h"

#include <stddef.h>

#include "sim/sim.h"

static const struct sim_route pihole_routes[] = {
	{ .method = NULL },
};

const struct sim_service_ops sim_pihole_ops = {
	.name = "pihole",
	.prefix = "",
	.routes = pihole_routes,
};
