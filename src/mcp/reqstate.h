/*
 * The requestState of a 2026-07-28 input_required result (multi
 * round-trip requests): an opaque string the client echoes on its retry.
 * racktop uses it when a held call asks the agent's user for approval
 * through elicitation, so it guards a destructive call and is protected
 * as the spec requires (basic/patterns/mrtr.mdx, "Server Requirements"):
 *
 *   "v1." hex(payload) "." hex(HMAC-SHA256(key, "v1." hex(payload)))
 *
 * The key is 32 random bytes drawn when the store is created, so a state
 * never outlives the process that minted it. The payload (compact JSON)
 * binds a random nonce, an expiry, a digest of the verified caller (uid,
 * pid, executable, connection id), the tool name and a SHA-256 digest of
 * the validated arguments. A state is single-use: its nonce is recorded
 * when minted and removed when redeemed, so a replay finds nothing. The
 * table of outstanding nonces is bounded (RS_MAX): past it, the state
 * nearest its expiry is forgotten (its retry is then refused, never
 * honoured).
 *
 * Threads: a store belongs to one thread (the MCP thread, or the lazy
 * bridge's); nothing here locks.
 */
#ifndef RT_MCP_REQSTATE_H
#define RT_MCP_REQSTATE_H

#include <jansson.h>
#include <stdint.h>

struct rt_caller;
struct reqstate;

#define RS_MAX 1024

/* A store whose states live ttl_ms (> 0). */
struct reqstate *reqstate_create(int64_t ttl_ms);
void reqstate_free(struct reqstate *);
/* A new state for this caller, tool and arguments; the caller frees. */
char *reqstate_mint(struct reqstate *, const struct rt_caller *,
    const char *tool, const json_t *args);
/*
 * Verifies and consumes a state presented with this caller, tool and
 * arguments: 0, or -1 with *why saying which check failed (a static
 * string fit for the client: "tampered or not issued by this racktop",
 * "already used or unknown", "expired", "issued to another caller",
 * "issued for another call").
 */
int reqstate_redeem(struct reqstate *, const char *state,
    const struct rt_caller *, const char *tool, const json_t *args,
    const char **why);
/* Outstanding states (tests). */
int reqstate_outstanding(const struct reqstate *);
/* SHA-256 of the compact, key-sorted JSON of v, as 64 hex digits + NUL. */
void reqstate_digest(const json_t *v, char out[65]);

#endif
