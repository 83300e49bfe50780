/*
 * The pihole backend (being written: see its issue).
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

static const struct rt_tool pihole_tools[] = {
	{ .name = NULL },
};

const struct rt_service pihole_service = {
	.name = "pihole",
	.title = "pihole",
	.tools = pihole_tools,
};
