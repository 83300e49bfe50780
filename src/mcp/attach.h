/*
 * Dashboards attached to a running racktop (the server's side): a
 * racktop-specific extension of MCP on the same socket.
 *
 * A connection that initialized as "racktop-dashboard" from racktop's own
 * executable and the owner's uid may send (JSON-RPC requests):
 *   racktop/attach   {}  -> {instances:[{service,name}], approver, pid,
 *                    version}; then the connection receives, per instance,
 *                    one racktop/snapshot (full) and, on each publication,
 *                    one racktop/snapshot with only what changed (below);
 *                    an approver also receives racktop/approval for every
 *                    call held now and later.
 *   racktop/approve  {id, decision: "once"|"caller_tool"|"deny"} -> {}
 *                    or -32602 when the request is no longer held; the
 *                    first answer wins, the other dashboards receive
 *                    racktop/approval {id, withdrawn, why: "approved by
 *                    USER (pid N)"}.
 *   racktop/stop     {} -> {}, then racktop ends as on SIGTERM.
 * A headless racktop also sends every attached dashboard racktop/activity
 * {who, tool, target, ok, result, ms} for each call an agent or the CLI
 * finished, for its activity pane.
 * Its tools/call are then the operator's (RT_SRC_KEY): never held.
 *
 * racktop/snapshot params: i (index in the attach reply's instances),
 * gen, full, fetched_ms, age_ms (-1: never fetched), attempt_ms, error,
 * kind, and either data (full: the whole tree) or, for a change, set
 * (members whose value changed, whole), rows (members that are arrays of
 * objects: a list whose items are new rows, whole, or [start, count]
 * runs of the previous array's rows), del (member names gone). A row is
 * "unchanged" when its compact JSON text hashes the same (FNV-1a 64), so
 * unchanged rows cost a few bytes whatever the view's row identity.
 *
 * Threads: the MCP thread alone (server.c calls every function here).
 */
#ifndef RT_MCP_ATTACH_H
#define RT_MCP_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct approval;
struct registry;
struct proto_session;
struct proto_transport;
struct attach;

/*
 * ap: the broker whose decider the attached dashboards are (a headless
 * racktop: held calls then wait for a dashboard to attach, until their
 * deadline); NULL when the racktop's own terminal decides. owner: the
 * uid that may attach and approve.
 */
struct attach *attach_create(struct registry *, struct approval *ap,
    uid_t owner);
void attach_destroy(struct attach *);

/*
 * One line from a connection, before the protocol sees it: true when it
 * was a racktop/ request, answered here. racktop_peer: the connection's
 * peer runs racktop's executable. tr is copied.
 */
bool attach_input(struct attach *, struct proto_session *,
    const struct proto_transport *tr, bool racktop_peer, const char *line,
    size_t len);
/* The connection is going. */
void attach_gone(struct attach *, struct proto_session *);
/* The fd to poll (held calls to forward), or -1. */
int attach_fd(struct attach *);
/* ms until attach_run has snapshots to look at (-1: never). */
int attach_next_ms(struct attach *);
/*
 * Every pass of the loop: forwards held calls (requests: attach_fd was
 * readable) and, when due, publications.
 */
void attach_run(struct attach *, bool requests);
/* Dashboards attached now. */
int attach_count(struct attach *);

#endif
