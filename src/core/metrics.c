/*
 * Prometheus counters and their exposition. Calls are counted by tool,
 * outcome, source (key, cli, agent) and the client's self-reported name,
 * in a small open-addressing table keyed by the tool's (static) table
 * entry, so the hot path hashes one short string at most.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"

struct call_count {
	const struct rt_tool *tool;	/* NULL: an empty slot */
	bool ok;
	int source;
	char client[64];
	uint64_t n;
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct call_count *counts;	/* guarded by metrics_lock */
static size_t ncounts, capcounts;	/* used slots, table size */
static atomic_int pending_approvals;

static const char *const source_label[] = { "key", "cli", "agent" };

static uint64_t
count_hash(const struct rt_tool *tool, bool ok, int source,
    const char *client)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)tool;

	h = (h ^ (uint64_t)ok) * 1099511628211ULL;
	h = (h ^ (uint64_t)(unsigned)source) * 1099511628211ULL;
	for (; *client != '\0'; client++)
		h = (h ^ (unsigned char)*client) * 1099511628211ULL;
	return (h);
}

/* The slot of a key: its own, or the empty one where it goes. */
static struct call_count *
count_slot(struct call_count *tab, size_t cap, const struct rt_tool *tool,
    bool ok, int source, const char *client)
{
	size_t i = (size_t)count_hash(tool, ok, source, client) & (cap - 1);
	struct call_count *c;

	for (;; i = (i + 1) & (cap - 1)) {
		c = &tab[i];
		if (c->tool == NULL || (c->tool == tool && c->ok == ok &&
		    c->source == source && strcmp(c->client, client) == 0))
			return (c);
	}
}

static void
count_grow(void)
{
	struct call_count *old = counts, *c;
	size_t oldcap = capcounts, i;

	capcounts = capcounts == 0 ? 64 : capcounts * 2;
	counts = xcalloc(capcounts, sizeof *counts);
	for (i = 0; i < oldcap; i++) {
		if (old[i].tool == NULL)
			continue;
		c = count_slot(counts, capcounts, old[i].tool, old[i].ok,
		    old[i].source, old[i].client);
		*c = old[i];
	}
	free(old);
}

void
metrics_count_call(const struct rt_call *call)
{
	const struct rt_tool *tool = call->rt != NULL ? call->rt->tool : NULL;
	int source = (int)call->caller.source;
	char client[64];
	struct call_count *c;
	bool ok = call->error == NULL;
	size_t n;

	if (tool == NULL)
		return;
	if (source < 0 || source > 2)
		source = 2;
	n = strnlen(call->caller.client, sizeof client - 1);
	memcpy(client, call->caller.client, n);
	client[n] = '\0';
	pthread_mutex_lock(&metrics_lock);
	if ((ncounts + 1) * 2 > capcounts)
		count_grow();
	c = count_slot(counts, capcounts, tool, ok, source, client);
	if (c->tool == NULL) {
		c->tool = tool;
		c->ok = ok;
		c->source = source;
		memcpy(c->client, client, sizeof c->client);
		ncounts++;
	}
	c->n++;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_set_pending_approvals(int n)
{
	atomic_store(&pending_approvals, n);
}

void
metrics_reset(void)
{
	pthread_mutex_lock(&metrics_lock);
	free(counts);
	counts = NULL;
	ncounts = capcounts = 0;
	pthread_mutex_unlock(&metrics_lock);
	atomic_store(&pending_approvals, 0);
}

/* A growable text buffer. */
struct out {
	char *p;
	size_t len, cap;
};

static void out_printf(struct out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		o->cap = o->cap * 2 + (size_t)n + 1;
		o->p = xrealloc(o->p, o->cap);
	}
}

/* A label value with \, " and newline escaped, as the format asks. */
static void
out_label(struct out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			out_printf(o, "\\%c", *s);
		else if (*s == '\n')
			out_printf(o, "\\n");
		else
			out_printf(o, "%c", *s);
	}
}

static void
out_head(struct out *o, const char *name, const char *type, const char *help)
{
	out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{service="S",instance="I"} */
static void
out_instance(struct out *o, const char *name, const struct rt_instance *in)
{
	out_printf(o, "%s{service=\"", name);
	out_label(o, in->service->name);
	out_printf(o, "\",instance=\"");
	out_label(o, in->name);
	out_printf(o, "\"} ");
}

static void
render_instances(struct out *o, struct registry *reg)
{
	size_t i, n = registry_ninstances(reg);
	struct rt_instance *in;
	struct snapshot *s;
	int64_t age;

	out_head(o, "racktop_instance_up", "gauge",
	    "1 when the instance's last refresh succeeded.");
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		s = snapshot_acquire(&in->slot);
		out_instance(o, "racktop_instance_up", in);
		out_printf(o, "%d\n", s != NULL && s->error == NULL &&
		    s->data != NULL ? 1 : 0);
		snapshot_release(s);
	}
	out_head(o, "racktop_refresh_duration_seconds", "gauge",
	    "How long the instance's last refresh took.");
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		out_instance(o, "racktop_refresh_duration_seconds", in);
		out_printf(o, "%.6f\n",
		    (double)atomic_load(&in->last_poll_us) / 1e6);
	}
	out_head(o, "racktop_refreshes_total", "counter",
	    "Refreshes attempted.");
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		out_instance(o, "racktop_refreshes_total", in);
		out_printf(o, "%llu\n",
		    (unsigned long long)atomic_load(&in->polls));
	}
	out_head(o, "racktop_refresh_errors_total", "counter",
	    "Refreshes that failed.");
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		out_instance(o, "racktop_refresh_errors_total", in);
		out_printf(o, "%llu\n",
		    (unsigned long long)atomic_load(&in->poll_errors));
	}
	out_head(o, "racktop_data_age_seconds", "gauge",
	    "Age of the instance's data; -1 before any.");
	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		s = snapshot_acquire(&in->slot);
		age = s != NULL ? snapshot_age_ms(s) : -1;
		snapshot_release(s);
		out_instance(o, "racktop_data_age_seconds", in);
		out_printf(o, "%.3f\n", age < 0 ? -1.0 : (double)age / 1e3);
	}
}

/* Sorts counters by tool, outcome, source, client: stable output. */
static int
count_cmp(const void *a, const void *b)
{
	const struct call_count *x = a, *y = b;
	int c;

	if ((c = strcmp(x->tool->name, y->tool->name)) != 0)
		return (c);
	if (x->ok != y->ok)
		return (x->ok ? -1 : 1);
	if (x->source != y->source)
		return (x->source - y->source);
	return (strcmp(x->client, y->client));
}

static void
render_calls(struct out *o)
{
	struct call_count *copy;
	size_t i, n = 0;

	pthread_mutex_lock(&metrics_lock);
	copy = xcalloc(ncounts + 1, sizeof *copy);
	for (i = 0; i < capcounts; i++) {
		if (counts[i].tool != NULL)
			copy[n++] = counts[i];
	}
	pthread_mutex_unlock(&metrics_lock);
	qsort(copy, n, sizeof *copy, count_cmp);
	out_head(o, "racktop_tool_calls_total", "counter",
	    "Tool calls by tool, outcome, source and client.");
	for (i = 0; i < n; i++) {
		out_printf(o, "racktop_tool_calls_total{tool=\"");
		out_label(o, copy[i].tool->name);
		out_printf(o, "\",outcome=\"%s\",source=\"%s\",client=\"",
		    copy[i].ok ? "ok" : "error",
		    source_label[copy[i].source]);
		out_label(o, copy[i].client);
		out_printf(o, "\"} %llu\n", (unsigned long long)copy[i].n);
	}
	free(copy);
}

char *
metrics_render(struct registry *reg, size_t *len)
{
	struct out o = { NULL, 0, 0 };
	json_t *problems;
	int crit, warn;

	o.cap = 4096;
	o.p = xmalloc(o.cap);
	o.p[0] = '\0';
	render_instances(&o, reg);
	render_calls(&o);
	problems = problems_collect(reg);
	problems_count(problems, &crit, &warn);
	json_decref(problems);
	out_head(&o, "racktop_problems", "gauge",
	    "Problems needing attention by severity (racktop_problems).");
	out_printf(&o, "racktop_problems{severity=\"crit\"} %d\n", crit);
	out_printf(&o, "racktop_problems{severity=\"warn\"} %d\n", warn);
	out_head(&o, "racktop_approvals_pending", "gauge",
	    "Agent calls waiting for the operator's approval.");
	out_printf(&o, "racktop_approvals_pending %d\n",
	    atomic_load(&pending_approvals));
	*len = o.len;
	return (o.p);
}
