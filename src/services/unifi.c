/*
 * The unifi backend (being written: see its issue).
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

static const struct rt_tool unifi_tools[] = {
	{ .name = NULL },
};

const struct rt_service unifi_service = {
	.name = "unifi",
	.title = "unifi",
	.tools = unifi_tools,
};
