/*
 * The problems collector: each instance's own health from its snapshot,
 * then its service's rule over the snapshot's data.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"

/* Data older than this many refresh intervals is stale. */
#define STALE_INTERVALS 3

void
problem_add(json_t *out, const char *severity, const char *kind,
    const char *target, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
	    "severity", severity, "kind", kind, "target",
	    target != NULL ? target : "", "message", msg));
	free(msg);
}

/* The instance's own health: unreachable, refused, failing or stale. */
static void
instance_health(struct rt_instance *in, const struct snapshot *s,
    json_t *out)
{
	static const char *const kinds[] = {
		NULL, "upstream_error", "unreachable", "auth_failed",
	};
	int64_t age;
	int k;

	if (s == NULL)
		return;		/* the first poll is still running */
	if (s->error != NULL) {
		k = s->error_kind >= 1 && s->error_kind <= 3 ?
		    s->error_kind : 1;
		problem_add(out, PROBLEM_CRIT, kinds[k], in->name, "%s",
		    s->error);
		return;
	}
	age = snapshot_age_ms(s);
	if (age > (int64_t)in->refresh_s * 1000 * STALE_INTERVALS)
		problem_add(out, PROBLEM_WARN, "stale", in->name,
		    "data is %llds old (refresh every %ds)",
		    (long long)(age / 1000), in->refresh_s);
}

static int
problem_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	static const char *const keys[] = {
		"severity", "service", "instance", "target", "kind", NULL,
	};
	int i, c;

	for (i = 0; keys[i] != NULL; i++) {
		c = strcmp(json_string_value(json_object_get(x, keys[i])),
		    json_string_value(json_object_get(y, keys[i])));
		if (c != 0)
			return (c);	/* "crit" sorts before "warn" */
	}
	return (0);
}

json_t *
problems_collect(struct registry *reg)
{
	size_t i, j, n = registry_ninstances(reg), total;
	json_t *all = json_array(), *mine, *p, *sorted;
	struct rt_instance *in;
	struct snapshot *s;
	json_t **v;

	for (i = 0; i < n; i++) {
		in = registry_instance_at(reg, i);
		s = snapshot_acquire(&in->slot);
		mine = json_array();
		instance_health(in, s, mine);
		if (s != NULL && s->data != NULL && in->service->problems)
			in->service->problems(s->data, mine);
		snapshot_release(s);
		json_array_foreach(mine, j, p) {
			json_object_set_new(p, "service",
			    json_string(in->service->name));
			json_object_set_new(p, "instance",
			    json_string(in->name));
			json_array_append(all, p);
		}
		json_decref(mine);
	}
	total = json_array_size(all);
	v = xcalloc(total + 1, sizeof *v);
	for (i = 0; i < total; i++)
		v[i] = json_array_get(all, i);
	qsort(v, total, sizeof *v, problem_cmp);
	sorted = json_array();
	for (i = 0; i < total; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(all);
	return (sorted);
}

uint64_t
problems_digest(const json_t *list)
{
	char *text = json_dumps(list, JSON_COMPACT);
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	free(text);
	return (h);
}

void
problems_count(const json_t *list, int *crit, int *warn)
{
	const json_t *p;
	const char *sev;
	size_t i;

	*crit = *warn = 0;
	json_array_foreach(list, i, p) {
		sev = json_string_value(json_object_get(p, "severity"));
		if (sev != NULL && strcmp(sev, PROBLEM_CRIT) == 0)
			(*crit)++;
		else
			(*warn)++;
	}
}
