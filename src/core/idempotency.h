/*
 * idempotency_key on write tools: a retried write with the same key, from
 * the same caller, to the same tool with the same arguments, gets the
 * first call's outcome instead of running (or asking the operator) again.
 *
 * Who is "the same caller": the source and what the kernel says (uid and
 * executable), not the connection or pid, so an agent that reconnects
 * after a dropped reply can retry; not clientInfo, which anyone can
 * claim. The same key with other arguments or another tool is refused.
 *
 * An entry is claimed when the call passes policy (in progress: a retry
 * meanwhile is refused, "still in progress"), filled when the call ends
 * with an outcome worth repeating (it ran, or the operator denied it),
 * and released when it ends without one (withdrawn, timed out, no
 * operator, cancelled before running), so that such a call may be tried
 * again. Outcomes are kept 10 minutes (DESIGN.md), at most IDEM_MAX
 * entries; past that the oldest finished entry goes. Results are kept
 * as JSON text, never as a json_t another thread could count.
 *
 * Threads: any; one mutex.
 */
#ifndef RT_IDEMPOTENCY_H
#define RT_IDEMPOTENCY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct rt_call;

#define IDEM_MAX 1024
#define IDEM_TTL_MS (10 * 60 * 1000)
#define IDEM_KEY_MAX 200

enum idem_state {
	IDEM_NEW,	/* claimed: run the call, then idem_finish/release */
	IDEM_REPLAY,	/* the first outcome: *result or *error set */
	IDEM_BUSY,	/* the first call has not ended yet */
	IDEM_MISMATCH,	/* used with other arguments or tool */
	IDEM_FULL,	/* every entry is a call in progress */
};

/*
 * Looks the call's key up and claims it when new. On IDEM_REPLAY the
 * first outcome comes back as a new result (structuredContent) or a
 * copy of its error text (the caller frees).
 */
enum idem_state idem_begin(const struct rt_call *, json_t **result,
    char **error);
/* Records the claimed call's outcome (c->result or c->error). */
void idem_finish(const struct rt_call *);
/* Drops a claim that ended without an outcome worth repeating. */
void idem_release(const struct rt_call *);
/* Forgets everything (tests). */
void idem_reset(void);
/* Entries held (tests). */
int idem_count(void);

#endif
