/*
 * The one place that names every backend. The registry walks this table.
 */
#include "config.h"

#include <stddef.h>

#include "services/services.h"

const struct rt_service *const rt_services[] = {
	&racktop_service,
	&proxmox_service,
	&docker_service,
	&unifi_service,
	&pihole_service,
	&tailscale_service,
	&cloudflare_service,
	&pbs_service,
	&traefik_service,
	&portainer_service,
	&netbox_service,
	&memory_service,
	NULL,
};
