/*
 * The docker backend (being written: see its issue).
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

static const struct rt_tool docker_tools[] = {
	{ .name = NULL },
};

const struct rt_service docker_service = {
	.name = "docker",
	.title = "docker",
	.tools = docker_tools,
};
