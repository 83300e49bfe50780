/*
 * The cloudflare backend (being written: see its issue).
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

static const struct rt_tool cloudflare_tools[] = {
	{ .name = NULL },
};

const struct rt_service cloudflare_service = {
	.name = "cloudflare",
	.title = "cloudflare",
	.tools = cloudflare_tools,
};
