/*
 * Problems: one list of what needs attention across every instance, for
 * the racktop_problems tool, its resource, the dashboard and /metrics.
 * An instance contributes its own health (unreachable, refused, stale)
 * and whatever its service's problems rule finds in its data.
 */
#ifndef RT_PROBLEMS_H
#define RT_PROBLEMS_H

#include <jansson.h>
#include <stdint.h>

struct registry;

/* Severities, most urgent first. */
#define PROBLEM_CRIT "crit"
#define PROBLEM_WARN "warn"

/*
 * Appends {severity, kind, target, message} to out; a service's rule
 * calls it, and the collector adds service and instance.
 */
void	problem_add(json_t *out, const char *severity, const char *kind,
	    const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/*
 * Every current problem, crit before warn, then by service, instance and
 * target: a new array of objects {severity, kind, service, instance,
 * target, message}.
 */
json_t	*problems_collect(struct registry *);

/* A digest of a collected list, to tell whether it changed. */
uint64_t problems_digest(const json_t *list);

/* How many problems of each severity a collected list holds. */
void	problems_count(const json_t *list, int *crit, int *warn);

#endif
