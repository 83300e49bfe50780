/*
 * Caller policy: which role a verified caller has, and what that role
 * lets it do with a tool (run, ask the operator first, or refuse).
 *
 * Roles: read (read-only tools only), operate (every tool; destructive
 * ones, and tools marked "ask", need the operator's approval), admin (no
 * approval). A caller's role comes from what the kernel says about it
 * (uid, /proc/PID/exe); rules that also name a clientInfo can only
 * narrow it, because clientInfo is self-reported.
 *
 * Configuration ([racktop] in racktop.conf), both optional:
 *   roles = uid=1001 operate; exe=/usr/bin/node read; uid=1000 exe=/x admin
 *   tool_policy = proxmox_delete_vm deny; docker_restart ask
 * Each roles entry is selectors (uid=N, exe=PATH, client=NAME) then a
 * role. Among matching entries without client=, the one with the most
 * selectors wins (ties: the lowest role); matching entries with client=
 * can only lower the result. Without a matching entry: the owner's uid
 * (racktop's own) is operate, every other uid is read. tool_policy
 * "deny" refuses the tool to every agent and CLI caller; "ask" asks the
 * operator even for admin callers.
 *
 * The keyboard is the operator: always allowed (the dashboard confirms
 * destructive keys itself). `racktop call` by the owner's uid is the
 * operator's own script: allowed as before; by another uid it is that
 * uid's role, so the group-shared socket is no way around approval.
 *
 * Threads: a policy is built once at start-up and only read after that;
 * policy_decide is safe from any thread.
 */
#ifndef RT_POLICY_H
#define RT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rt_caller;
struct rt_tool;
struct policy;

enum policy_role {
	POLICY_READ,
	POLICY_OPERATE,
	POLICY_ADMIN,
};

enum policy_verdict {
	POLICY_ALLOW,	/* may run now */
	POLICY_ASK,	/* needs the operator's approval */
	POLICY_DENY,	/* refused; *why says so */
};

/*
 * Parses the roles and tool_policy strings (either NULL). owner is the
 * uid that racktop runs as. Returns a new policy, or NULL and *cause
 * (caller frees).
 */
struct policy *policy_create(const char *roles, const char *tools,
    uid_t owner, char **cause);
void policy_free(struct policy *);

/* The caller's role. A NULL policy is the defaults, owner geteuid(). */
enum policy_role policy_role(const struct policy *, const struct rt_caller *);
/*
 * What the caller may do with the tool; dry_run says the call only
 * previews (the tool's dry_run argument is true and it has a describe).
 * On POLICY_DENY a reason fit for the caller is written to why.
 */
enum policy_verdict policy_decide(const struct policy *,
    const struct rt_caller *, const struct rt_tool *, bool dry_run,
    char *why, size_t len);
/*
 * Whether a peer of this uid may connect at all: racktop's own uid, or
 * one a roles entry names (uid=N). A NULL policy admits only geteuid().
 */
bool policy_admits(const struct policy *, uid_t);
/* "read", "operate" or "admin". */
const char *policy_role_name(enum policy_role);

#endif
