/*
 * The test-only service "testsvc": tools that echo, sleep, fail, report
 * progress, count their runs and refuse agents (a destructive tool), so
 * the protocol tests can drive every path of a tool call without an
 * upstream. Never part of the shipped binary: racktop-testd and the unit
 * tests link it.
 */
#ifndef RT_TESTSVC_H
#define RT_TESTSVC_H

#include <stdint.h>

#include "core/service.h"

extern const struct rt_service testsvc_service;

/* racktop_service and testsvc_service, NULL-terminated. */
extern const struct rt_service *const testd_services[];

/* The run counters, as testsvc_count reports them. */
struct testsvc_counts {
	uint64_t started;	/* testsvc_sleep runs */
	uint64_t completed;
	uint64_t stopped;	/* stopped early: cancelled or past deadline */
	uint64_t echoes;	/* testsvc_echo runs */
	uint64_t wipes;		/* testsvc_wipe runs that were not dry */
};

struct registry;

/*
 * Publishes a new snapshot {"counter": N, "note": note} into every
 * testsvc instance of reg (any thread); returns how many.
 */
int testsvc_publish_all(struct registry *, const char *note);

/* Reads the counters (any thread). */
void testsvc_counts(struct testsvc_counts *);

struct approval;
struct testd_approve;
/*
 * testd-approve.c: with --approvals PATH, a stand-in for the operator on
 * a control socket (test-only). NULL and *cause on error.
 */
struct testd_approve *testd_approve_start(const char *path,
    struct approval *, char **cause);
void testd_approve_stop(struct testd_approve *);

#endif
