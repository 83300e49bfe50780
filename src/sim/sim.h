/*
 * racktop-sim framework: simulated upstream APIs over plain HTTP on
 * 127.0.0.1, one libmicrohttpd daemon per service plus a control service.
 *
 * A service is a route table of {method, path pattern, handler}; a pattern
 * names its parameters in braces ("/nodes/{node}/status"). The framework
 * collects the request body, matches the route, counts the request under
 * "METHOD pattern" (unmatched requests count under "METHOD *"), applies
 * faults and turns the handler's struct sim_response into an HTTP reply.
 *
 * DESIGN: one struct sim owns everything. Its mutex (lock) guards the
 * scenario, every service's private state, counters, faults and the clock
 * offset. libmicrohttpd runs a thread per connection; each request takes
 * the lock around route matching, counting, fault selection and the
 * handler. An added latency waits on sim->cond with the lock released
 * (pthread_cond_timedwait) so shutdown can cut it short. Handlers are
 * called with the lock held and must not block.
 *
 * Faults (per service, optionally per "METHOD pattern" endpoint):
 *   latency   add "ms" milliseconds before answering (combines with others)
 *   status    answer "status" with the service's real error body
 *   garbage   answer 200 with a body that is not JSON
 *   truncated announce the full Content-Length, send half, close
 *   drop      close the connection without any reply
 *   auth      answer the service's 401 even for valid credentials
 *   vanish    the whole service goes away: its daemon stops (open
 *             connections end) and its port or Unix socket refuses
 *             connections, until the fault is deleted; then it serves
 *             again on the same address. No endpoint, always sticky.
 * Each fault has a count (-1: sticky) decremented per request it hits.
 *
 * The small lab (--scale small, the default; full table in scenario.h):
 * cluster "lab", nodes pve1..pve3 (10.0.0.11-13); QEMU 100 web01, 101 db01,
 * 102 gitea, 103 jellyfin, 104 homeassistant, 105 unifi, 106 nextcloud,
 * 107 win11 (stopped), 108 k3s-master, 109 k3s-worker1, 110 k3s-worker2,
 * 111 debian12-tmpl (template, stopped); LXC 200 pihole, 201 nginx-proxy,
 * 202 grafana, 203 prometheus, 204 vaultwarden, 205 paperless, 206
 * syncthing (stopped), 207 mosquitto. Names, vmids and nodes do not depend
 * on the seed; the numbers do.
 *
 * Clock: "fixed" starts at SIM_FIXED_EPOCH_MS and moves only through
 * POST /clock/advance; "real" is the wall clock.
 */
#ifndef RT_SIM_H
#define RT_SIM_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2026-01-01T00:00:00Z: where the fixed clock starts. */
#define SIM_FIXED_EPOCH_MS 1767225600000LL

struct scenario;
struct sim;
struct sim_service;

/* One request as a handler sees it; everything borrowed. */
struct sim_request {
	const char	*method;
	const char	*path;		/* below the service's prefix */
	json_t		*params;	/* {name} captures of the pattern */
	json_t		*args;		/* query string, then body fields */
	const char	*body;
	size_t		 bodylen;
	const char	*content_type;
	void		*conn;		/* struct MHD_Connection */
};

/* What a handler answers; the framework frees body. */
struct sim_response {
	int		 status;
	char		*body;		/* NULL: empty */
	size_t		 len;
	const char	*content_type;	/* default application/json */
	json_t		*headers;	/* ["Name: value", ...] or NULL; freed */
};

/* One route; handler returns nothing, it fills the response. */
struct sim_route {
	const char	*method;
	const char	*pattern;
	void		(*handler)(struct sim_service *, struct sim_request *,
			    struct sim_response *);
	int		 flags;
#define SIM_ROUTE_NOAUTH 0x1
};

/* What a simulated API plugs into the framework. */
struct sim_service_ops {
	const char		*name;
	const char		*prefix;	/* e.g. "/api2/json" */
	const struct sim_route	*routes;
	/* Creates the private state. */
	void	*(*create)(struct sim_service *);
	void	 (*destroy)(void *);
	/* 0 when authorised, else fills a 401 into the response. */
	int	 (*authorize)(struct sim_service *, struct sim_request *,
		     struct sim_response *);
	/* The real 401 body, for the "auth" fault. */
	void	 (*unauthorized)(struct sim_service *, struct sim_response *);
	/* The real error body for status (message may be NULL). */
	void	 (*error)(struct sim_service *, struct sim_response *, int,
		     const char *);
	/* No route matched (e.g. Proxmox's 501). */
	void	 (*not_found)(struct sim_service *, struct sim_request *,
		     struct sim_response *);
	/* POST /state from the control endpoint; -1 and *cause on error. */
	int	 (*state)(struct sim_service *, json_t *, char **);
	/* Adds the service's entry to the endpoints file object. */
	void	 (*endpoint)(struct sim_service *, json_t *);
};

/* The simulated services (one file each). */
extern const struct sim_service_ops sim_proxmox_ops;
extern const struct sim_service_ops sim_pihole_ops;
extern const struct sim_service_ops sim_unifi_ops;
extern const struct sim_service_ops sim_docker_ops;
extern const struct sim_service_ops sim_tailscale_ops;
extern const struct sim_service_ops sim_cloudflare_ops;
extern const struct sim_service_ops sim_pbs_ops;
extern const struct sim_service_ops sim_traefik_ops;
extern const struct sim_service_ops sim_portainer_ops;
extern const struct sim_service_ops sim_netbox_ops;
extern const struct sim_service_ops sim_llm_ops;

/* Creates the simulator; fixed_clock picks the clock. */
struct sim *sim_create(struct scenario *, bool fixed_clock);
/* Stops every daemon and frees everything (NULL: no-op). */
void sim_destroy(struct sim *);
/* Adds a service listening on 127.0.0.1:port (0: any); -1 and *cause. */
int sim_add_service(struct sim *, const struct sim_service_ops *,
    unsigned int port, char **cause);
/* Starts the control endpoint; -1 and *cause. */
int sim_start_control(struct sim *, unsigned int port, char **cause);
/* New reference: the endpoints-file object. */
json_t *sim_endpoints(struct sim *);
/* Adds faults from JSON (object or array); -1 and *cause. */
int sim_add_faults(struct sim *, json_t *, char **cause);
/* Adds faults from the --faults text form; -1 and *cause. */
int sim_parse_faults(struct sim *, const char *, char **cause);
/* Wakes latency waits and makes them return (before stopping). */
void sim_shutdown(struct sim *);

/* Accessors for services (lock held by the caller: inside handlers). */
struct scenario *sim_scenario(struct sim_service *);
void *sim_service_data(struct sim_service *);
unsigned int sim_service_port(struct sim_service *);
/* Now on the simulator's clock, in ms since the epoch. */
int64_t sim_now_ms(struct sim_service *);
bool sim_clock_fixed(struct sim_service *);

/* Helpers to fill responses. */
void sim_reply_json_new(struct sim_response *, int status, json_t *);
void sim_reply_text(struct sim_response *, int status, const char *);
/* Adds a response header (copied), e.g. Set-Cookie. */
#define SIM_HAVE_HEADERS 1
void sim_reply_header(struct sim_response *, const char *name,
    const char *value);
/* A request header (borrowed) or NULL. */
const char *sim_header(struct sim_request *, const char *);
/* A cookie (borrowed) or NULL. */
const char *sim_cookie(struct sim_request *, const char *);
/* An argument as a string (borrowed) or NULL. */
const char *sim_arg(struct sim_request *, const char *);

#endif
