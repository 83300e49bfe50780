/*
 * The service objects the backends export, for table.c and test tables.
 */
#ifndef RT_SERVICES_H
#define RT_SERVICES_H

#include "core/service.h"

extern const struct rt_service racktop_service;
extern const struct rt_service proxmox_service;
extern const struct rt_service pihole_service;
extern const struct rt_service unifi_service;
extern const struct rt_service docker_service;
extern const struct rt_service tailscale_service;
extern const struct rt_service cloudflare_service;
extern const struct rt_service memory_service;

/* The production table, NULL-terminated (table.c). */
extern const struct rt_service *const rt_services[];

#endif
