/*
 * The dashboard: the only code that touches curses, on the main thread.
 */
#ifndef RT_UI_APP_H
#define RT_UI_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct registry;
struct job_pool;
struct approval;

/*
 * Runs the dashboard until the operator quits or SIGINT/SIGTERM arrives.
 * The dashboard decides the agent calls held by ap (NULL: none) while it
 * runs. mask is the signal mask to restore on this thread (the others
 * keep every signal blocked). Returns the exit status.
 */
/*
 * The operator's input settings, before app_run: key rebindings
 * ("ACTION=KEY, ...", NULL: none) and mouse reports (clicks focus panes
 * and select rows).
 */
void app_set_input(const char *keys, bool mouse);
struct remote;
/*
 * Before app_run: the dashboard is attached to a running racktop
 * (mcp/remote.h) and shows its data; its calls go there (ui/remote.c).
 */
void app_set_remote(struct remote *);
/* Records a call the attached racktop finished (any thread). */
void app_note_remote(const char *who, const char *tool, const char *target,
    bool ok, const char *result, int64_t ms);
int app_run(struct registry *, struct job_pool *, struct approval *ap,
    const char *sock_path, const char *theme, const sigset_t *mask);

#endif
