/*
 * MCP prompts (see prompts.h): a homelab health check, and the
 * investigation of one guest (Proxmox) or one network client (UniFi,
 * Pi-hole). The text names the read-only tools and the resources of the
 * services that are configured, so an agent starts from what exists.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"
#include "mcp/prompts.h"
#include "mcp/resources.h"

static const char *const kinds[] = { "guest", "client", NULL };

/* The Prompt objects. */
json_t *
prompts_list(bool titles)
{
	json_t *h, *inv;

	h = json_pack("{s:s, s:s, s:[{s:s, s:s, s:b}]}",
	    "name", PROMPT_HEALTH,
	    "description", "Check the whole homelab: what is down, degraded, "
	    "stale or failing to poll, and what to look at first.",
	    "arguments", "name", "service", "description", "Only this "
	    "service (e.g. proxmox, pihole, unifi); all when omitted.",
	    "required", 0);
	inv = json_pack("{s:s, s:s, s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}, "
	    "{s:s, s:s, s:b}]}",
	    "name", PROMPT_INVESTIGATE,
	    "description", "Investigate one guest (a VM or container) or "
	    "one network client: its state, history and what it talks to.",
	    "arguments",
	    "name", "kind", "description", "\"guest\" or \"client\".",
	    "required", 1,
	    "name", "target", "description", "The guest's name or VMID, or "
	    "the client's name, IP or MAC address.", "required", 1,
	    "name", "instance", "description", "The instance to look in; "
	    "every one of the service when omitted.", "required", 0);
	if (titles) {
		json_object_set_new(h, "title", json_string("Homelab health "
		    "check"));
		json_object_set_new(inv, "title", json_string("Investigate a "
		    "guest or a client"));
	}
	return (json_pack("[o, o]", h, inv));
}

/* Appends text. */
static void
put(struct jr_buf *b, const char *s)
{
	jr_buf_append(b, s, strlen(s));
}

/* Lists the read-only tools of service (every service when NULL). */
static void
put_tools(struct registry *reg, struct jr_buf *b, const char *service)
{
	const struct registry_tool *rt;
	size_t i, n = registry_ntools(reg);
	int found = 0;

	for (i = 0; i < n; i++) {
		rt = registry_tool_at(reg, i);
		if (!(rt->tool->flags & RT_READ_ONLY) || (service != NULL &&
		    strcmp(rt->service->name, service) != 0))
			continue;
		put(b, found++ == 0 ? " " : ", ");
		put(b, rt->tool->name);
	}
	if (found == 0)
		put(b, " (none configured)");
}

/* Lists the snapshot resources of service (every one when NULL). */
static void
put_resources(struct registry *reg, struct jr_buf *b, const char *service)
{
	struct rt_instance *in;
	size_t i, n = registry_ninstances(reg);
	char uri[512];
	int found = 0;

	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		if (service != NULL && strcmp(in->service->name, service) != 0)
			continue;
		res_uri(reg, i, uri, sizeof uri);
		put(b, found++ == 0 ? " " : ", ");
		put(b, uri);
	}
	if (found == 0)
		put(b, " (no instance configured)");
}

/* Wraps text into a GetPromptResult with one user message. */
static json_t *
result(const char *desc, struct jr_buf *b)
{
	return (json_pack("{s:s, s:[{s:s, s:{s:s, s:s%}}]}", "description",
	    desc, "messages", "role", "user", "content", "type", "text",
	    "text", b->data, b->len));
}

/* The health check's text. */
static json_t *
health(struct registry *reg, const char *service)
{
	struct jr_buf b;
	json_t *r;

	jr_buf_init(&b);
	put(&b, "Check the health of my homelab");
	if (service != NULL) {
		put(&b, ", limited to the ");
		put(&b, service);
		put(&b, " service");
	}
	put(&b, ", using racktop.\n\n1. Call racktop_status to see every "
	    "instance: reachable, authenticated, age of data, last error.\n"
	    "2. Read the live snapshots, cheap and already polled:");
	put_resources(reg, &b, service);
	put(&b, ".\n3. Drill down with the read-only tools:");
	put_tools(reg, &b, service);
	put(&b, ".\n\nReport, most urgent first: what is down or "
	    "unreachable, what is degraded (high CPU, memory or disk, "
	    "failed jobs, blocked or erroring DNS), and what data is stale. "
	    "Do not change anything: propose actions and name the tool that "
	    "would take each one.");
	r = result("Homelab health check", &b);
	jr_buf_free(&b);
	return (r);
}

/* The investigation's text. */
static json_t *
investigate(struct registry *reg, const char *kind, const char *target,
    const char *instance)
{
	static const char *const guest_svcs[] = { "proxmox", NULL };
	static const char *const client_svcs[] = { "unifi", "pihole", NULL };
	const char *const *svcs;
	struct jr_buf b;
	json_t *r;
	int k;

	svcs = strcmp(kind, "guest") == 0 ? guest_svcs : client_svcs;
	jr_buf_init(&b);
	put(&b, "Investigate the ");
	put(&b, kind);
	put(&b, " \"");
	put(&b, target);
	put(&b, "\"");
	if (instance != NULL) {
		put(&b, " on instance \"");
		put(&b, instance);
		put(&b, "\"");
	}
	put(&b, " with racktop.\n\n");
	for (k = 0; svcs[k] != NULL; k++) {
		put(&b, "- ");
		put(&b, svcs[k]);
		put(&b, ": snapshots");
		put_resources(reg, &b, svcs[k]);
		put(&b, "; tools");
		put_tools(reg, &b, svcs[k]);
		put(&b, ".\n");
	}
	if (strcmp(kind, "guest") == 0)
		put(&b, "\nFind the guest by name or VMID; report its node, "
		    "state, uptime, CPU, memory and disk use, recent tasks and "
		    "backups, and anything unusual.");
	else
		put(&b, "\nFind the client by name, IP or MAC; report where it "
		    "is connected, its signal and traffic, its DNS queries and "
		    "what was blocked, and anything unusual.");
	put(&b, " Change nothing; propose actions and the tool for each.");
	r = result(strcmp(kind, "guest") == 0 ? "Investigate a guest" :
	    "Investigate a network client", &b);
	jr_buf_free(&b);
	return (r);
}

/* Whether s is a string argument that is present and not empty. */
static const char *
arg_str(const json_t *args, const char *name, bool *bad)
{
	json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v))
		return (NULL);
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 256) {
		*bad = true;
		return (NULL);
	}
	return (json_string_value(v));
}

/* A GetPromptResult, or NULL and *why. */
json_t *
prompts_get(struct registry *reg, const char *name, const json_t *args,
    const char **why)
{
	const char *service, *kind, *target, *instance;
	bool bad = false;

	if (strcmp(name, PROMPT_HEALTH) == 0) {
		service = arg_str(args, "service", &bad);
		if (bad) {
			*why = "service must be a non-empty string";
			return (NULL);
		}
		return (health(reg, service));
	}
	if (strcmp(name, PROMPT_INVESTIGATE) != 0) {
		*why = "unknown prompt";
		return (NULL);
	}
	kind = arg_str(args, "kind", &bad);
	target = arg_str(args, "target", &bad);
	instance = arg_str(args, "instance", &bad);
	if (bad || kind == NULL || target == NULL) {
		*why = "kind and target (non-empty strings) are required";
		return (NULL);
	}
	if (strcmp(kind, "guest") != 0 && strcmp(kind, "client") != 0) {
		*why = "kind must be \"guest\" or \"client\"";
		return (NULL);
	}
	return (investigate(reg, kind, target, instance));
}

/* Completion values for a prompt's argument, or NULL: unknown prompt. */
json_t *
prompts_complete(struct registry *reg, const char *name, const char *arg,
    const char *value, const json_t *context)
{
	const char *const *names;
	const char *kind;
	json_t *a, *b, *v;
	size_t i, n = strlen(value);

	if (strcmp(name, PROMPT_HEALTH) == 0) {
		a = json_array();
		if (strcmp(arg, "service") != 0)
			return (a);
		names = registry_service_names(reg);
		for (i = 0; names[i] != NULL; i++) {
			if (strncmp(names[i], value, n) == 0)
				json_array_append_new(a, json_string(names[i]));
		}
		return (a);
	}
	if (strcmp(name, PROMPT_INVESTIGATE) != 0)
		return (NULL);
	if (strcmp(arg, "kind") == 0) {
		a = json_array();
		for (i = 0; kinds[i] != NULL; i++) {
			if (strncmp(kinds[i], value, n) == 0)
				json_array_append_new(a, json_string(kinds[i]));
		}
		return (a);
	}
	if (strcmp(arg, "instance") != 0)
		return (json_array());
	kind = json_string_value(json_object_get(context, "kind"));
	if (kind != NULL && strcmp(kind, "guest") == 0)
		return (res_instance_names(reg, "proxmox", value));
	if (kind != NULL && strcmp(kind, "client") == 0) {
		a = res_instance_names(reg, "unifi", value);
		b = res_instance_names(reg, "pihole", value);
		json_array_foreach(b, i, v) {
			if (json_array_size(a) < 100)
				json_array_append(a, v);
		}
		json_decref(b);
		return (a);
	}
	return (res_instance_names(reg, NULL, value));
}
