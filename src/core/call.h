/*
 * One tool call, whoever makes it: a key on the dashboard, an agent on the
 * socket, or `racktop call`. The same path validates arguments, applies
 * policy, runs the tool on a worker, audits it and shapes the MCP result.
 *
 * Life of a call (owner: the submitting thread):
 *   c = call_new(t, args, caller);
 *   switch (call_check(c)) {
 *   case 0: call_submit(c, pool, done_queue); break;
 *   case RT_CALL_HOLD: approval_hold(...) (approval.h); break;
 *   case -1: refused: answer call_result(c) now.
 *   }
 *   ... the job comes back on done_queue (c->job.outcome) ...
 *   result = call_result(c); call_free(c);
 * Tool functions run on a worker and use only the call_* helpers below
 * and the instance's own state.
 */
#ifndef RT_CALL_H
#define RT_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/jobs.h"
#include "core/jsonfast.h"
#include "core/registry.h"

enum rt_source {
	RT_SRC_KEY,	/* the operator's keyboard */
	RT_SRC_CLI,	/* racktop call */
	RT_SRC_AGENT,	/* an MCP client */
};

/* Who is calling: what the kernel says, and a self-reported label. */
struct rt_caller {
	enum rt_source source;
	uid_t uid;
	pid_t pid;
	char exe[256];		/* /proc/PID/exe, or "" */
	char client[96];	/* clientInfo name/version, or "" */
	/* The connection (approval_conn_id), 0: none (keys, tests). */
	uint64_t conn;
	/* The audit log's label, made once by caller_label (or lazily). */
	char label[448];
};

/* Fills caller->label from the fields above; call once per session. */
void caller_label(struct rt_caller *);

struct rt_call {
	struct job job;		/* first: a call is a job */
	const struct registry_tool *rt;
	json_t *args;		/* validated; owned */
	json_t *result;		/* structuredContent; owned */
	char *error;		/* isError text; owned */
	bool done;		/* result or error is final */
	struct rt_caller caller;
	int64_t started_mono;
	int64_t duration_ms;
	void *owner;		/* the submitter's context */
	/* A multi-step tool's state between steps (see call_again). */
	void *step;
	void (*step_free)(void *);
	int nsteps;		/* how many times the tool has run */
	json_t *meta;		/* the submitter's (progress token...); owned */
	uint64_t approval_id;	/* the approval request, 0: none */
	/*
	 * A destructive tool called with dry_run: call_check lets it through
	 * without approval, so the worker runs the tool's describe, never
	 * the tool itself.
	 */
	bool preview;
	/* idempotency_key of a write, taken out of args (owned), or NULL. */
	char *idem_key;
	bool idem_claimed;	/* idempotency.h: finish or release it */
	/*
	 * Set by a submitter that sends the result as text (MCP): the worker
	 * then writes text = the result's JSON, then that JSON escaped as a
	 * string's inside (text_json bytes, then the rest), so the thread
	 * that owns the connections only copies bytes.
	 */
	bool want_text;
	struct jf_buf text;	/* owned */
	size_t text_json;
	/*
	 * The result's own content blocks (call_content), owned, or NULL:
	 * one text block holding the structured result's JSON (every
	 * racktop tool; the conformance fixtures set their own).
	 */
	json_t *content;
	/*
	 * A request for the caller's client (call_ask): {method, params},
	 * owned, while the call is back with its submitter to send it; and
	 * the client's answer (a result object), owned, for the next step.
	 */
	json_t *ask;
	json_t *answer;
	/* The submitter's log sink (MCP: notifications/message), or NULL. */
	void (*log)(struct rt_call *, int level, const char *message);
};

/* Levels of call_log: the MCP (RFC 5424) names' order, least severe first. */
enum call_log_level {
	CALL_LOG_DEBUG,
	CALL_LOG_INFO,
	CALL_LOG_NOTICE,
	CALL_LOG_WARNING,
	CALL_LOG_ERROR,
};

/*
 * Someone who wants to hear of every finished or refused call (the
 * dashboard's activity pane). fn runs on the thread that finished the
 * call (a worker, or the submitter for refusals) and must not block.
 */
struct call_observer {
	void (*fn)(const struct rt_call *, void *);
	void *arg;
};
/* Sets or (NULL) clears the observer; the struct must outlive its use. */
void call_set_observer(const struct call_observer *);

struct policy;

/* Policy switches set once at start-up. */
struct call_policy {
	bool read_only;		/* refuse every tool that is not read-only */
	/* Roles and tool overrides (policy.h); NULL: the defaults. */
	const struct policy *policy;
	bool check_output;	/* validate results against output schemas */
	int64_t timeout_ms;	/* per call; 0: none */
};
extern struct call_policy call_policy;

/* A new call; args stolen (NULL: {}). caller copied. */
struct rt_call *call_new(const struct registry_tool *, json_t *args,
    const struct rt_caller *);
void call_free(struct rt_call *);

/*
 * Validates arguments and applies policy (policy.h). 0 when the call may
 * run; RT_CALL_HOLD when it needs the operator's approval first (hold it:
 * approval.h); -1 when it is already finished with an error (call_result
 * tells why). Keys and the owner's CLI never get RT_CALL_HOLD.
 * A write's idempotency_key argument is taken out of the arguments
 * first; a key whose first call already ended finishes the call at once
 * with that outcome (-1, audited "replayed"), see idempotency.h.
 */
#define RT_CALL_HOLD 2
int call_check(struct rt_call *);
/*
 * Writes the call's audit "decision" line (held, approved, denied,
 * withdrawn...; detail may be NULL) and, when the call is done, tells
 * the observer. Any thread that owns the call.
 */
void call_decided(struct rt_call *, const char *decision,
    const char *detail);
/*
 * Records a finished call's outcome for its idempotency_key (a retry with
 * the key then gets it), when it has one; a call that ran is recorded by
 * itself, so this is for refusals worth repeating (operator denials).
 */
void call_remember(struct rt_call *);
/* Hands the call to the pool; it comes back on done. */
void call_submit(struct rt_call *, struct job_pool *, struct job_queue *done);
/* Runs the call on this thread (lazy mode, tests). */
void call_run_here(struct rt_call *);
/* The MCP CallToolResult for a finished call. New reference. */
json_t *call_result(struct rt_call *);
/* Whether the finished call is an error. */
bool call_failed(const struct rt_call *);

/* For tool functions (worker thread). */

/* Fails the call with a message; returns -1. */
int call_fail(struct rt_call *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Asks to be called again after delay_ms without holding a worker
 * meanwhile (waiting on an upstream task). Keep state in c->step. Returns
 * RT_CALL_AGAIN for the tool to return.
 */
#define RT_CALL_AGAIN 1
int call_again(struct rt_call *, int64_t delay_ms);
/* Sets the structured result (stolen); returns 0. */
int call_ok(struct rt_call *, json_t *result);
/*
 * Sets the result's content blocks (stolen array: text, image, audio,
 * resource... as MCP defines them) instead of the structured result's
 * JSON as text; the structured result, if any, still goes as
 * structuredContent. Returns 0.
 */
int call_content(struct rt_call *, json_t *content);
/*
 * Asks the caller's client something mid-call (a server-initiated
 * request: "sampling/createMessage", "elicitation/create"; params
 * stolen) and returns RT_CALL_ASK for the tool to return. The call goes
 * back to its submitter, which sends the request; with the answer the
 * tool runs again (c->nsteps grows) and call_answer gives the result.
 * A client that declared no such capability, an error answer or no
 * answer in time fails the call; a submitter that cannot ask (the
 * dashboard, the CLI) fails it too.
 */
#define RT_CALL_ASK 3
int call_ask(struct rt_call *, const char *method, json_t *params);
/* The client's answer to the last call_ask (borrowed), or NULL. */
const json_t *call_answer(const struct rt_call *);
/*
 * Logs a message to the caller while the call runs (MCP:
 * notifications/message, when the client's level lets it through);
 * nothing when its submitter has no log sink.
 */
void call_log(struct rt_call *, enum call_log_level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The registry. */
struct registry *call_registry(struct rt_call *);
/*
 * The instance named by the "instance" argument, or the only one. NULL
 * after failing the call when none fits.
 */
struct rt_instance *call_instance(struct rt_call *);
/*
 * The instances a multi-instance read covers: the one named by the
 * "instance" argument, else every instance of the tool's service. An array
 * for the caller to free; NULL after failing the call when none fits.
 */
struct rt_instance **call_read_instances(struct rt_call *, size_t *n);
/*
 * Fails a multi-instance read whose every instance failed, with each
 * instance's error ("SERVICE INSTANCE: error; ..."). Steals errors, the
 * instance_errors array. Returns -1.
 */
int call_fail_all(struct rt_call *, json_t *errors);
/* Whether the caller cancelled or the deadline passed. */
bool call_should_stop(struct rt_call *);
/* Reports progress to the caller, when it asked for it. */
void call_progress(struct rt_call *, double progress, double total,
    const char *message);
/*
 * Finishes a list tool: pages items (stolen) by the limit and cursor
 * arguments and wraps them in the list envelope with age_ms and
 * instance_errors (stolen, NULL: none). 0, or -1 on a bad cursor.
 */
int call_list_result(struct rt_call *, json_t *items, int64_t age_ms,
    json_t *instance_errors);
/* Integer argument or def. */
json_int_t call_arg_int(struct rt_call *, const char *, json_int_t def);
/* String argument or NULL (borrowed). */
const char *call_arg_str(struct rt_call *, const char *);

#endif
