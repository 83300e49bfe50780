/*
 * Caller policy: roles by verified identity, per-tool overrides, and the
 * verdict for one call (policy.h has the rules and the syntax).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/call.h"
#include "core/policy.h"
#include "core/service.h"
#include "core/xmalloc.h"

/* One roles entry. */
struct policy_rule {
	bool has_uid;
	uid_t uid;
	char *exe;		/* NULL: any */
	char *client;		/* NULL: any; set: can only narrow */
	enum policy_role role;
};

/* One tool_policy entry. */
struct policy_tool {
	char *name;
	enum policy_verdict verdict;	/* POLICY_DENY or POLICY_ASK */
};

struct policy {
	uid_t owner;
	struct policy_rule *rules;
	size_t nrules;
	struct policy_tool *tools;
	size_t ntools;
};

static const char *const policy_role_names[] = { "read", "operate", "admin" };

/* "read", "operate" or "admin". */
const char *
policy_role_name(enum policy_role r)
{
	return (policy_role_names[r]);
}

/* Parses a role name; -1 when it is none. */
static int
policy_parse_role(const char *s, enum policy_role *out)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(s, policy_role_names[i]) == 0) {
			*out = (enum policy_role)i;
			return (0);
		}
	}
	return (-1);
}

/* Splits s at ';' into trimmed, non-empty entries; new array of new strings. */
static char **
policy_split(const char *s, size_t *n)
{
	char **out = NULL, *copy, *p, *e, *end;

	*n = 0;
	if (s == NULL)
		return (NULL);
	copy = xstrdup(s);
	for (p = copy; p != NULL; p = e) {
		if ((e = strchr(p, ';')) != NULL)
			*e++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0')
			continue;
		out = xreallocarray(out, *n + 1, sizeof *out);
		out[(*n)++] = xstrdup(p);
	}
	free(copy);
	return (out);
}

/* Frees what policy_split returned. */
static void
policy_split_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Parses one roles entry ("uid=1000 exe=/x operate"); -1 and *cause. */
static int
policy_parse_rule(char *entry, struct policy_rule *r, char **cause)
{
	char *tok, *last = NULL, *save = NULL, *end;
	unsigned long v;
	int nsel = 0;

	memset(r, 0, sizeof *r);
	for (tok = strtok_r(entry, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (last != NULL) {
			if (strncmp(last, "uid=", 4) == 0) {
				errno = 0;
				v = strtoul(last + 4, &end, 10);
				if (last[4] == '\0' || *end != '\0' ||
				    errno != 0 || v >= UINT_MAX || r->has_uid)
					goto bad;
				r->has_uid = true;
				r->uid = (uid_t)v;
			} else if (strncmp(last, "exe=", 4) == 0 &&
			    last[4] == '/' && r->exe == NULL)
				r->exe = xstrdup(last + 4);
			else if (strncmp(last, "client=", 7) == 0 &&
			    last[7] != '\0' && r->client == NULL)
				r->client = xstrdup(last + 7);
			else
				goto bad;
			nsel++;
		}
		last = tok;
	}
	if (last == NULL || nsel == 0) {
		xasprintf(cause, "roles: \"%s\": expected selectors (uid=N, "
		    "exe=/PATH, client=NAME) then a role", entry);
		return (-1);
	}
	if (policy_parse_role(last, &r->role) != 0) {
		xasprintf(cause, "roles: unknown role \"%s\" (read, operate "
		    "or admin)", last);
		return (-1);
	}
	return (0);

bad:
	xasprintf(cause, "roles: bad selector \"%s\" (uid=N, exe=/PATH or "
	    "client=NAME, each at most once)", last);
	return (-1);
}

/* Parses one tool_policy entry ("name deny"); -1 and *cause. */
static int
policy_parse_tool(char *entry, struct policy_tool *t, char **cause)
{
	char *name, *verdict, *extra, *save = NULL;

	name = strtok_r(entry, " \t", &save);
	verdict = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (name == NULL || verdict == NULL || extra != NULL) {
		xasprintf(cause, "tool_policy: \"%s\": expected a tool name "
		    "then deny or ask", entry);
		return (-1);
	}
	if (strcmp(verdict, "deny") == 0)
		t->verdict = POLICY_DENY;
	else if (strcmp(verdict, "ask") == 0)
		t->verdict = POLICY_ASK;
	else {
		xasprintf(cause, "tool_policy: %s: unknown verdict \"%s\" "
		    "(deny or ask)", name, verdict);
		return (-1);
	}
	t->name = xstrdup(name);
	return (0);
}

/* Parses the roles and tool_policy strings into a new policy. */
struct policy *
policy_create(const char *roles, const char *tools, uid_t owner,
    char **cause)
{
	struct policy *p = xcalloc(1, sizeof *p);
	char **v;
	size_t n, i;

	p->owner = owner;
	v = policy_split(roles, &n);
	p->rules = xcalloc(n + 1, sizeof *p->rules);
	for (i = 0; i < n; i++) {
		if (policy_parse_rule(v[i], &p->rules[i], cause) != 0)
			goto fail;
		p->nrules++;
	}
	policy_split_free(v, n);
	v = policy_split(tools, &n);
	p->tools = xcalloc(n + 1, sizeof *p->tools);
	for (i = 0; i < n; i++) {
		if (policy_parse_tool(v[i], &p->tools[i], cause) != 0)
			goto fail;
		p->ntools++;
	}
	policy_split_free(v, n);
	return (p);

fail:
	/* The entry that failed owns what it parsed so far. */
	free(p->rules[p->nrules].exe);
	free(p->rules[p->nrules].client);
	policy_split_free(v, n);
	policy_free(p);
	return (NULL);
}

/* Frees a policy; NULL is a no-op. */
void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].exe);
		free(p->rules[i].client);
	}
	for (i = 0; i < p->ntools; i++)
		free(p->tools[i].name);
	free(p->rules);
	free(p->tools);
	free(p);
}

/*
 * Whether a rule's kernel selectors (uid, exe) match the caller, and
 * how many there are.
 */
static bool
policy_rule_matches(const struct policy_rule *r, const struct rt_caller *c,
    int *nsel)
{
	*nsel = 0;
	if (r->has_uid) {
		if (r->uid != c->uid)
			return (false);
		(*nsel)++;
	}
	if (r->exe != NULL) {
		if (c->exe[0] == '\0' || strcmp(r->exe, c->exe) != 0)
			return (false);
		(*nsel)++;
	}
	return (true);
}

/* Whether the caller's self-reported clientInfo name is name. */
static bool
policy_client_is(const struct rt_caller *c, const char *name)
{
	size_t n = strlen(name);

	/* client holds "name" or "name/version". */
	return (strncmp(c->client, name, n) == 0 &&
	    (c->client[n] == '\0' || c->client[n] == '/'));
}

/* The caller's role (policy.h). */
enum policy_role
policy_role(const struct policy *p, const struct rt_caller *c)
{
	const struct policy_rule *r;
	enum policy_role role;
	uid_t owner = p != NULL ? p->owner : geteuid();
	size_t i, nrules = p != NULL ? p->nrules : 0;
	int best = -1, nsel;

	if (c->source == RT_SRC_KEY)
		return (POLICY_ADMIN);
	if (c->source == RT_SRC_CLI && c->uid == owner)
		return (POLICY_ADMIN);
	role = c->uid == owner ? POLICY_OPERATE : POLICY_READ;
	for (i = 0; i < nrules; i++) {
		r = &p->rules[i];
		if (r->client != NULL || !policy_rule_matches(r, c, &nsel) ||
		    nsel == 0)
			continue;
		if (nsel > best || (nsel == best && r->role < role)) {
			best = nsel;
			role = r->role;
		}
	}
	for (i = 0; i < nrules; i++) {
		r = &p->rules[i];
		if (r->client == NULL || !policy_rule_matches(r, c, &nsel) ||
		    !policy_client_is(c, r->client))
			continue;
		if (r->role < role)
			role = r->role;
	}
	return (role);
}

/* Whether a peer of this uid may connect at all. */
bool
policy_admits(const struct policy *p, uid_t uid)
{
	size_t i;

	if (p == NULL)
		return (uid == geteuid());
	if (uid == p->owner)
		return (true);
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].has_uid && p->rules[i].uid == uid)
			return (true);
	}
	return (false);
}

/* What the caller may do with the tool (policy.h). */
enum policy_verdict
policy_decide(const struct policy *p, const struct rt_caller *c,
    const struct rt_tool *tool, bool dry_run, char *why, size_t len)
{
	enum policy_verdict over = POLICY_ALLOW;
	enum policy_role role;
	size_t i, ntools = p != NULL ? p->ntools : 0;

	if (c->source == RT_SRC_KEY)
		return (POLICY_ALLOW);
	for (i = 0; i < ntools; i++) {
		if (strcmp(p->tools[i].name, tool->name) == 0)
			over = p->tools[i].verdict;
	}
	if (over == POLICY_DENY) {
		snprintf(why, len, "%s: refused by racktop's tool policy",
		    tool->name);
		return (POLICY_DENY);
	}
	role = policy_role(p, c);
	if (role == POLICY_READ && !(tool->flags & RT_READ_ONLY)) {
		snprintf(why, len, "%s changes state and this caller's role "
		    "is read", tool->name);
		return (POLICY_DENY);
	}
	/* A dry run only describes: nothing to approve. */
	if (dry_run)
		return (POLICY_ALLOW);
	if (over == POLICY_ASK)
		return (POLICY_ASK);
	if (role == POLICY_OPERATE && (tool->flags & RT_DESTRUCTIVE))
		return (POLICY_ASK);
	return (POLICY_ALLOW);
}
