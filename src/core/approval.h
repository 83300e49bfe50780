/*
 * Operator approval of agent calls: the calls held until the person at
 * the dashboard says yes or no, the hand-off between the thread that
 * holds them and the thread that decides, and the "this caller, this
 * tool" grants.
 *
 * Two sides, each on one thread:
 * - The owner (the MCP thread) holds calls. A held call stays the
 *   owner's: approval keeps a pointer, never hands it to another thread,
 *   and only the owner's approval_dispatch ever resolves it. Nothing
 *   holds a worker while a call waits.
 * - The decider (the dashboard's main thread) receives copies of each
 *   request (caller, tool, arguments: deep copies it owns) and answers
 *   with approval_decide, which only queues the answer by request id.
 * Messages cross through two queues, each a mutex-guarded list plus an
 * eventfd the receiving thread polls.
 *
 * Withdrawal: a call whose client cancelled or disconnected is withdrawn
 * by the owner (approval_withdraw), and one whose deadline passed is
 * withdrawn by approval_dispatch; either way it leaves the held list at
 * once and the decider is told. A decision is applied only by the owner,
 * only to a call still in its held list, so a decision that arrives after
 * the withdrawal finds nothing and is dropped (and audited): a withdrawn
 * call can never run.
 *
 * Grants ("a" on the dashboard) are kept by the owner, keyed by the
 * held call's verified identity (uid, pid, exe) and its connection id
 * (caller.conn, from approval_conn_id: unique for the life of the
 * process, never reused), plus the tool name. clientInfo is no part of
 * the key. A connection's grants go when it closes
 * (approval_conn_closed).
 *
 * Audit: every hold, decision, withdrawal and grant use writes one
 * "decision" line through call_audit.
 */
#ifndef RT_APPROVAL_H
#define RT_APPROVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/call.h"

struct approval;
struct approval_hold;

/* The operator's answer to one request. */
enum approval_decision {
	APPROVAL_ONCE = 1,	/* y: run this call */
	APPROVAL_CALLER_TOOL,	/* a: and this caller's next calls of the tool */
	APPROVAL_DENY,		/* n */
};

/* How a held call ended, for its owner. */
enum approval_end {
	APPROVAL_APPROVED,	/* submit it */
	APPROVAL_DENIED,	/* failed: "denied by operator" */
	APPROVAL_TIMED_OUT,	/* failed: "not approved: timed out" */
	APPROVAL_NO_OPERATOR,	/* failed: no dashboard to ask */
};

/* The owner's callbacks for one held call; they run in approval_dispatch. */
struct approval_ops {
	/*
	 * The call is the owner's again. Unless end is APPROVAL_APPROVED it
	 * has failed (call_result gives the isError result) and is audited.
	 */
	void (*resolve)(struct rt_call *, enum approval_end, void *arg);
	/*
	 * Optional: still waiting, ms left; every APPROVAL_TICK_MS, or a
	 * fifth of the timeout when that is shorter (at least 100 ms). It
	 * may send, but must not hold, withdraw or free calls.
	 */
	void (*waiting)(struct rt_call *, int64_t left_ms, void *arg);
};
#define APPROVAL_TICK_MS 10000

/* A request as the decider sees it: copies it owns. */
struct approval_req {
	uint64_t id;
	bool withdrawn;		/* this event withdraws request id */
	char why[64];		/* withdrawn: "cancelled", "timed out"... */
	struct rt_caller caller;	/* caller.conn: its connection */
	char tool[128];
	json_t *args;		/* a deep copy; the decider's */
	int64_t deadline_mono;	/* clock_mono_ms() */
	struct approval_req *next;
};

/* A broker; timeout_ms is how long a call may wait (> 0). */
struct approval *approval_create(int64_t timeout_ms);
/*
 * Frees the broker. The owner must have resolved or withdrawn every held
 * call first.
 */
void approval_destroy(struct approval *);
/* A new connection id: unique for the life of the process. */
uint64_t approval_conn_id(void);

/* Decider side (the dashboard's thread). */

/* Says whether a decider is there to ask; any thread. */
void approval_attach(struct approval *, bool);
bool approval_attached(struct approval *);
/* Readable when requests or withdrawals are waiting. */
int approval_decider_fd(struct approval *);
/* Takes every waiting event, oldest first; free each with _req_free. */
struct approval_req *approval_take(struct approval *);
void approval_req_free(struct approval_req *);
/* Answers request id; only queued: the owner applies it, if still held. */
void approval_decide(struct approval *, uint64_t id, enum approval_decision);

/* Owner side (the MCP thread). */

/* Readable when decisions are waiting: then call approval_dispatch. */
int approval_owner_fd(struct approval *);
/*
 * Whether an earlier "a" approved this caller (uid, pid, exe) on this
 * connection (caller->conn) for this tool.
 */
bool approval_granted(struct approval *, const struct rt_caller *,
    const char *tool);
/*
 * Holds a checked call that needs approval. The call stays the owner's
 * but must not be freed or submitted until ops->resolve hands it back or
 * approval_withdraw returns it. With no decider attached the call is
 * resolved at once (APPROVAL_NO_OPERATOR) and NULL is returned. The
 * returned handle is valid until then.
 */
struct approval_hold *approval_hold(struct approval *, struct rt_call *,
    const struct approval_ops *, void *arg);
/*
 * Withdraws a held call (why: "cancelled", "disconnected"...): it leaves
 * the held list, the decider is told, a decision line is audited, and
 * the call is returned to the owner, failed, never to run.
 */
struct rt_call *approval_withdraw(struct approval *, struct approval_hold *,
    const char *why);
/*
 * Applies waiting decisions, withdraws calls past their deadline and
 * sends waiting ticks; ops->resolve runs from here.
 */
void approval_dispatch(struct approval *);
/* ms until approval_dispatch has a deadline or tick to act on; -1: none. */
int approval_next_ms(struct approval *);
/* How long a call may wait, in ms. */
int64_t approval_timeout_ms(const struct approval *);
/* Held calls. */
int approval_held(struct approval *);
/* Forgets the grants of a closed connection. */
void approval_conn_closed(struct approval *, uint64_t conn);
/* The request id of a held call (for tests and logs). */
uint64_t approval_hold_id(const struct approval_hold *);

/*
 * A headless racktop that dashboards may attach to (mcp/attach.c): with
 * on, a call is held even while no decider is attached, and stays held
 * when the decider leaves, until its deadline, so a dashboard attaching
 * later still sees it. approval_attached() keeps saying whether a
 * decider is there now (an agent that can ask its own user is asked
 * instead when none is).
 */
void approval_keep_held(struct approval *, bool on);

/*
 * Relay: the broker of an attached dashboard, whose owner is the remote
 * link (mcp/remote.c) rather than a holder of calls. The link queues the
 * remote racktop's requests and withdrawals for the decider (ui/
 * approval.c, unchanged) and takes the decider's answers to send back.
 * The answers' fd is approval_owner_fd.
 */
struct approval_answer {
	uint64_t id;
	enum approval_decision decision;
	struct approval_answer *next;
};
void approval_relay_request(struct approval *, struct approval_req *);
/* Every answer waiting, oldest first; free each with free(). */
struct approval_answer *approval_relay_answers(struct approval *);

#endif
