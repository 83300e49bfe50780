/*
 * The tailscale backend (being written: see its issue).
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

static const struct rt_tool tailscale_tools[] = {
	{ .name = NULL },
};

const struct rt_service tailscale_service = {
	.name = "tailscale",
	.title = "tailscale",
	.tools = tailscale_tools,
};
