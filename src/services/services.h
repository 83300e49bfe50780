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
extern const struct rt_service pbs_service;
extern const struct rt_service traefik_service;
extern const struct rt_service portainer_service;
extern const struct rt_service memory_service;
extern const struct rt_service netbox_service;

/* Each backend's problems rule (NAME-problems.c; see core/problems.h). */
void proxmox_problems(const json_t *, json_t *);
void docker_problems(const json_t *, json_t *);
void unifi_problems(const json_t *, json_t *);
void pihole_problems(const json_t *, json_t *);
void tailscale_problems(const json_t *, json_t *);
void cloudflare_problems(const json_t *, json_t *);
void pbs_problems(const json_t *, json_t *);
void traefik_problems(const json_t *, json_t *);
void portainer_problems(const json_t *, json_t *);

/* Each backend's lookup hooks (NAME-find.c; see core/find.h). */
void proxmox_find(const json_t *, json_t *);
void proxmox_addresses(const json_t *, json_t *);
void docker_find(const json_t *, json_t *);
void docker_addresses(const json_t *, json_t *);
void unifi_find(const json_t *, json_t *);
void unifi_addresses(const json_t *, json_t *);
void pihole_find(const json_t *, json_t *);
void pihole_addresses(const json_t *, json_t *);
void tailscale_find(const json_t *, json_t *);
void tailscale_addresses(const json_t *, json_t *);
void netbox_find(const json_t *, json_t *);
void netbox_documented(const json_t *, json_t *);

/* The production table, NULL-terminated (table.c). */
extern const struct rt_service *const rt_services[];

#endif
