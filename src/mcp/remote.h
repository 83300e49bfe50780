/*
 * An attached dashboard's link to a running racktop (the client's side of
 * mcp/attach.h): one connection on the socket, one thread.
 *
 * The link mirrors the remote racktop's snapshots into the local
 * registry's slots (snapshot_publish_mirror), so the dashboard's panes
 * read them as they read a poller's; sends the dashboard's calls as
 * tools/call and hands each back on its done queue as if a worker had run
 * it; and relays held calls into a local approval broker (approval.h's
 * relay functions) whose decider is the unchanged ui/approval.c, sending
 * its answers back as racktop/approve.
 */
#ifndef RT_MCP_REMOTE_H
#define RT_MCP_REMOTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct approval;
struct job_queue;
struct registry;
struct rt_call;
struct remote;

/*
 * Connects, initializes as the dashboard and attaches, before any
 * thread: a refusal is a plain message (*cause). reg: the local
 * registry, whose instances receive the mirror (matched by service and
 * name; the rest stay empty). relay: where held calls go (borrowed).
 */
struct remote *remote_connect(const char *path, struct registry *reg,
    struct approval *relay, char **cause);
/* Starts the link's thread. -1 and *cause. */
int remote_start(struct remote *, char **cause);
/*
 * Stops the thread and disconnects; calls still out come back
 * cancelled on their queues. Returns why the link ended by itself
 * (borrowed until remote_free), or NULL.
 */
const char *remote_stop(struct remote *);
void remote_free(struct remote *);
/* Whether the remote racktop lets this dashboard approve calls. */
bool remote_approver(struct remote *);
/* The remote racktop's pid. */
pid_t remote_pid(struct remote *);
/* Remote instances this racktop's configuration does not have. */
int remote_unmatched(struct remote *);
/*
 * Before remote_start: where the remote racktop's finished calls go (the
 * activity pane; called on the link's thread).
 */
typedef void remote_activity_fn(const char *who, const char *tool,
    const char *target, bool ok, const char *result, int64_t ms);
void remote_on_activity(struct remote *, remote_activity_fn *);
/*
 * Sends a call (any thread; the link owns it until it comes back on
 * done, finished, failed or cancelled, as from a worker).
 */
void remote_submit(struct remote *, struct rt_call *, struct job_queue *done);

/*
 * racktop --stop: asks the racktop on path to end and waits until its
 * socket answers no more. 0, or -1 and *cause.
 */
int remote_stop_server(const char *path, int timeout_ms, char **cause);

#endif
