/*
 * racktop --demo: the simulator as a child, and a configuration for it.
 */
#ifndef RT_DEMO_H
#define RT_DEMO_H

#include <sys/types.h>

struct demo {
	char *dir;	/* private 0700 folder, removed once set up */
	char *conf;	/* generated configuration in dir */
	pid_t sim;	/* racktop-sim, or -1 */
	pid_t pg;	/* the PostgreSQL keeper (demo-pg.c), or -1 */
	char *pgdir;	/* its private folder, which the keeper removes */
};

/*
 * Starts racktop-sim (found beside our own executable, else on PATH)
 * on loopback ports with a fixed seed, waits for its endpoints and writes
 * a configuration for every simulated service. -1 and *cause on error.
 */
int demo_start(struct demo *, char **cause);
/* Removes the folder and its files once the configuration is loaded. */
void demo_forget_files(struct demo *);
/* Stops the simulator and removes whatever is left. */
void demo_stop(struct demo *);

/*
 * Starts a throwaway PostgreSQL for the memory (demo-pg.c): 0 with
 * *conninfo (caller frees), 1 when no server binaries are installed, -1
 * and *cause when it could not start. demo_pg_stop stops it.
 */
int demo_pg_start(struct demo *, char **conninfo, char **cause);
void demo_pg_stop(struct demo *);

#endif
