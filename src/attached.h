/*
 * One racktop per user, the way tmux does it: a dashboard attached to a
 * running racktop, racktop --detach and racktop --stop.
 */
#ifndef RT_ATTACHED_H
#define RT_ATTACHED_H

#include <signal.h>
#include <stdbool.h>

struct registry;

/* Whether a racktop answers on path. */
bool attached_live(const char *path);
/*
 * The dashboard, attached to the racktop on path: its snapshots, its
 * calls, its held calls. reg: this configuration's registry (instances
 * without pollers, which receive the mirror). Returns the exit status.
 */
int attached_run(const char *path, struct registry *reg, const char *theme,
    const char *keys, bool mouse);
/*
 * racktop --detach, after the socket listens and before any thread: the
 * parent reports the child's pid and exits; the child returns, in its own
 * session, with stdio on /dev/null and its pid in PATH.pid.
 */
void attached_detach(const char *path, int listen_fd);
/* Removes PATH.pid at a detached racktop's exit. */
void attached_forget_pid(const char *path);
/*
 * racktop mcp with mcp_autostart: runs `racktop --detach` (this
 * executable; config NULL: the default) and waits until it listens or
 * fails; the bridge then relays to it, or serves lazily.
 */
void attached_autostart(const char *config, const char *path);
/* racktop --stop. Returns the exit status. */
int attached_stop(const char *path);

#endif
