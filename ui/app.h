/*
 * The dashboard: the only code that touches curses, on the main thread.
 */
#ifndef RT_UI_APP_H
#define RT_UI_APP_H

#include <signal.h>

struct registry;
struct job_pool;

/*
 * Runs the dashboard until the operator quits or SIGINT/SIGTERM arrives.
 * mask is the signal mask to restore on this thread (the others keep
 * every signal blocked). Returns the exit status.
 */
int app_run(struct registry *, struct job_pool *, const char *sock_path,
    const char *theme, const sigset_t *mask);

#endif
