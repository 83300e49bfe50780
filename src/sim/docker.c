/*
 * The simulated docker API (being written: see the docker backend's issue).
 */
#include "config.h"

#include <stddef.h>

#include "sim/sim.h"

static const struct sim_route docker_routes[] = {
	{ .method = NULL },
};

const struct sim_service_ops sim_docker_ops = {
	.name = "docker",
	.prefix = "",
	.routes = docker_routes,
};
