/*
 * Prometheus metrics: counters the call path keeps, and the text
 * exposition (format 0.0.4) of them with each instance's refresh state,
 * served on an optional loopback listener (metrics-http.c).
 */
#ifndef RT_METRICS_H
#define RT_METRICS_H

#include <stddef.h>

struct registry;
struct rt_call;

/* Counts a finished or refused call (called from the shared call path). */
void	metrics_count_call(const struct rt_call *);

/* Agent calls waiting for the operator, kept by whoever holds them. */
void	metrics_set_pending_approvals(int);

/* The exposition text for reg; malloc'd, *len its length. */
char	*metrics_render(struct registry *reg, size_t *len);

/* Forgets every counter (tests). */
void	metrics_reset(void);

struct metrics_http;

/*
 * Serves GET /metrics on listen ("HOST:PORT", HOST a loopback address, PORT
 * 0 for any); NULL and *cause when it cannot. *port gets the bound port.
 */
struct metrics_http *metrics_http_start(const char *listen,
	    struct registry *reg, int *port, char **cause);
void	metrics_http_stop(struct metrics_http *);

#endif
