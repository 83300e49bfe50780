/*
 * The shared call path: validation, policy, execution, audit, results.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/idempotency.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/policy.h"
#include "core/schema.h"
#include "core/xmalloc.h"

struct call_policy call_policy;
static _Atomic(const struct call_observer *) call_observer;

static const char *source_names[] = { "key", "cli", "agent" };

/* Creates a call. */
struct rt_call *
call_new(const struct registry_tool *rt, json_t *args,
    const struct rt_caller *caller)
{
	struct rt_call *c = xcalloc(1, sizeof *c);

	c->rt = rt;
	c->args = args != NULL ? args : json_object();
	if (caller != NULL)
		c->caller = *caller;
	c->started_mono = clock_mono_ms();
	job_init(&c->job, NULL, c, NULL);
	return (c);
}

/* Frees a call and what it owns. */
void
call_free(struct rt_call *c)
{
	if (c == NULL)
		return;
	json_decref(c->args);
	json_decref(c->result);
	json_decref(c->meta);
	json_decref(c->content);
	json_decref(c->ask);
	json_decref(c->answer);
	if (c->step != NULL && c->step_free != NULL)
		c->step_free(c->step);
	if (c->idem_claimed)
		idem_release(c);
	free(c->idem_key);
	free(c->error);
	free(c->text.data);
	free(c);
}

/* Sets the observer of finished calls. */
void
call_set_observer(const struct call_observer *o)
{
	atomic_store(&call_observer, o);
}

/* Tells the observer, if any, that a call finished or was refused. */
static void
call_notify(const struct rt_call *c)
{
	const struct call_observer *o = atomic_load(&call_observer);

	metrics_count_call(c);
	if (o != NULL)
		o->fn(c, o->arg);
}

/* Fails the call; returns -1 for the tool to return. */
int
call_fail(struct rt_call *c, const char *fmt, ...)
{
	va_list ap;

	free(c->error);
	va_start(ap, fmt);
	xvasprintf(&c->error, fmt, ap);
	va_end(ap);
	json_decref(c->result);
	c->result = NULL;
	return (-1);
}

/* Asks the pool to run the tool again later. */
int
call_again(struct rt_call *c, int64_t delay_ms)
{
	c->job.again_ms = delay_ms > 0 ? delay_ms : 1;
	return (RT_CALL_AGAIN);
}

/* Sets the call's structured result, stealing it. */
int
call_ok(struct rt_call *c, json_t *result)
{
	json_decref(c->result);
	c->result = result;
	return (0);
}

/* Sets the result's own content blocks, stealing them. */
int
call_content(struct rt_call *c, json_t *content)
{
	json_decref(c->content);
	c->content = content;
	return (0);
}

/* Hands a request for the client to the submitter (call.h). */
int
call_ask(struct rt_call *c, const char *method, json_t *params)
{
	json_decref(c->ask);
	c->ask = json_pack("{s:s, s:o}", "method", method, "params",
	    params != NULL ? params : json_object());
	return (RT_CALL_ASK);
}

const json_t *
call_answer(const struct rt_call *c)
{
	return (c->answer);
}

/* Logs to the caller through its submitter's sink. */
void
call_log(struct rt_call *c, enum call_log_level level, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	c->log(c, (int)level, msg);
	free(msg);
}

/* Builds the caller's audit label. */
void
caller_label(struct rt_caller *cl)
{
	snprintf(cl->label, sizeof cl->label, "uid=%u pid=%d exe=%.256s%s%.96s",
	    (unsigned)cl->uid, (int)cl->pid, cl->exe[0] != '\0' ? cl->exe :
	    "?", cl->client[0] != '\0' ? " client=" : "", cl->client);
}

/*
 * Audits a call: a read is counted; a write, or any decision (detail may
 * be NULL), is its own line.
 */
static void
audit_call(struct rt_call *c, const char *decision, const char *detail)
{
	const struct rt_tool *tool = c->rt->tool;
	const char *id;
	json_t *rec;

	if (c->caller.label[0] == '\0')
		caller_label(&c->caller);
	id = c->caller.label;
	if ((tool->flags & RT_READ_ONLY) && decision == NULL) {
		audit_read(source_names[c->caller.source], id, tool->name,
		    c->error == NULL, c->duration_ms);
		return;
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I}",
	    "type", decision != NULL ? "decision" : "write",
	    "source", source_names[c->caller.source],
	    "identity", id,
	    "tool", tool->name,
	    "arguments", audit_redact(c->args),
	    "outcome", c->error != NULL ? "error" : c->done ? "ok" : "pending",
	    "duration_ms", (json_int_t)c->duration_ms);
	if (decision != NULL)
		json_object_set_new(rec, "decision", json_string(decision));
	if (detail != NULL)
		json_object_set_new(rec, "detail", json_string(detail));
	if (c->caller.conn != 0)
		json_object_set_new(rec, "connection",
		    json_integer((json_int_t)c->caller.conn));
	if (c->idem_key != NULL)
		json_object_set_new(rec, "idempotency_key",
		    json_string(c->idem_key));
	if (c->approval_id != 0)
		json_object_set_new(rec, "approval",
		    json_integer((json_int_t)c->approval_id));
	if (c->error != NULL)
		json_object_set_new(rec, "error", json_string(c->error));
	audit_event(rec);
	json_decref(rec);
}

/* Writes a decision line and, for a finished call, tells the observer. */
void
call_decided(struct rt_call *c, const char *decision, const char *detail)
{
	if (c->done)
		c->duration_ms = clock_mono_ms() - c->started_mono;
	audit_call(c, decision, detail);
	if (c->done)
		call_notify(c);
}

/* Records a claimed idempotency_key's outcome. */
void
call_remember(struct rt_call *c)
{
	if (!c->idem_claimed)
		return;
	idem_finish(c);
	c->idem_claimed = false;
}

/* Takes a write's idempotency_key out of its arguments; -1: bad key. */
static int
call_take_key(struct rt_call *c)
{
	json_t *k;
	const char *s;

	/* Reads (the hot path) never look; some tools keep keys themselves. */
	if ((c->rt->tool->flags & (RT_READ_ONLY | RT_OWN_KEY)) ||
	    (k = json_object_get(c->args, "idempotency_key")) == NULL)
		return (0);
	s = json_string_value(k);
	if (s == NULL || *s == '\0' || strlen(s) > IDEM_KEY_MAX)
		return (call_fail(c, "invalid arguments: idempotency_key: "
		    "a string of 1 to %d characters", IDEM_KEY_MAX));
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (call_fail(c, "invalid arguments: "
			    "idempotency_key: no control characters"));
	}
	c->idem_key = xstrdup(json_string_value(k));
	json_object_del(c->args, "idempotency_key");
	return (0);
}

/* Claims the call's idempotency_key, or finishes it with the first outcome. */
static int
call_claim_key(struct rt_call *c)
{
	json_t *first;
	char *error;

	switch (idem_begin(c, &first, &error)) {
	case IDEM_NEW:
		c->idem_claimed = true;
		return (0);
	case IDEM_REPLAY:
		if (error != NULL) {
			call_fail(c, "%s", error);
			free(error);
		} else
			call_ok(c, first);
		c->done = true;
		audit_call(c, "replayed", "idempotency_key");
		return (-1);
	case IDEM_BUSY:
		call_fail(c, "idempotency_key: the first call with this key "
		    "has not ended yet; retry when it has");
		break;
	case IDEM_MISMATCH:
		call_fail(c, "idempotency_key: already used with other "
		    "arguments or another tool; use a new key");
		break;
	case IDEM_FULL:
		call_fail(c, "idempotency_key: too many keyed calls in "
		    "progress; retry later");
		break;
	}
	audit_call(c, "denied", "idempotency_key");
	return (-1);
}

/* Validates arguments and applies policy before the call runs. */
int
call_check(struct rt_call *c)
{
	const struct rt_tool *tool = c->rt->tool;
	char *why = NULL, reason[256];
	bool dry;
	int verdict;

	if (!json_is_object(c->args)) {
		call_fail(c, "arguments: must be an object");
		goto refused;
	}
	if (call_take_key(c) != 0)
		goto refused;
	if (schema_validate(c->rt->input, c->args, true, "arguments",
	    &why) != 0) {
		call_fail(c, "invalid arguments: %s", why);
		free(why);
		goto refused;
	}
	if (call_policy.read_only && !(tool->flags & RT_READ_ONLY)) {
		call_fail(c, "%s: racktop runs read-only; this tool changes "
		    "state", tool->name);
		audit_call(c, "denied", "read-only");
		goto refused;
	}
	dry = (tool->flags & RT_DESTRUCTIVE) && tool->describe != NULL &&
	    json_is_true(json_object_get(c->args, "dry_run"));
	verdict = policy_decide(call_policy.policy, &c->caller, tool, dry,
	    reason, sizeof reason);
	if (verdict == POLICY_DENY) {
		call_fail(c, "%s", reason);
		audit_call(c, "denied", "policy");
		goto refused;
	}
	if (c->idem_key != NULL && !dry && call_claim_key(c) != 0)
		goto refused;
	if (verdict == POLICY_ASK)
		return (RT_CALL_HOLD);
	c->preview = dry;
	return (0);

refused:
	c->done = true;
	call_notify(c);
	return (-1);
}

static void
call_job_run(struct job *j)
{
	struct rt_call *c = j->arg;
	const struct rt_tool *tool = c->rt->tool;
	char *why = NULL;
	int rv;

	c->nsteps++;
	json_decref(c->ask);
	c->ask = NULL;
	rv = c->preview ? tool->describe(c) : tool->call(c);
	if (rv == RT_CALL_AGAIN && j->again_ms > 0 && !job_should_stop(j))
		return;
	j->again_ms = 0;
	/* Back to the submitter, not done, to send c->ask (call_ask). */
	if (rv == RT_CALL_ASK && c->ask != NULL && c->error == NULL &&
	    !job_should_stop(j))
		return;
	json_decref(c->ask);
	c->ask = NULL;
	if (rv == RT_CALL_ASK && c->error == NULL)
		call_fail(c, "%s: stopped: the call was cancelled or timed out",
		    tool->name);
	if (rv == RT_CALL_AGAIN && c->error == NULL)
		call_fail(c, "%s: stopped: the call was cancelled or timed out",
		    tool->name);
	c->duration_ms = clock_mono_ms() - c->started_mono;
	if (rv != 0 && c->error == NULL)
		call_fail(c, "%s failed", tool->name);
	if (rv == 0 && c->result == NULL)
		c->result = json_object();
	if (rv == 0 && call_policy.check_output &&
	    schema_validate(c->rt->output, c->result, false, "result",
	    &why) != 0) {
		log_error("%s: result does not match its output schema: %s",
		    tool->name, why);
		call_fail(c, "internal error: %s result does not match its "
		    "output schema: %s", tool->name, why);
		free(why);
	}
	if (c->want_text && c->error == NULL && c->content == NULL &&
	    json_is_object(c->result)) {
		c->text.len = 0;
		jsonfast_dump(&c->text, c->result);
		c->text_json = c->text.len;
		jsonfast_escape(&c->text, c->text.data, c->text_json);
	}
	c->done = true;
	if (c->idem_claimed && !c->preview)
		call_remember(c);
	audit_call(c, NULL, NULL);
	call_notify(c);
}

/* Submits a checked call to the worker pool. */
void
call_submit(struct rt_call *c, struct job_pool *pool, struct job_queue *done)
{
	c->job.run = call_job_run;
	c->job.done = done;
	if (call_policy.timeout_ms > 0)
		c->job.deadline_mono = clock_mono_ms() + call_policy.timeout_ms;
	job_pool_submit(pool, &c->job);
}

/* Runs a checked call on the calling thread. */
void
call_run_here(struct rt_call *c)
{
	c->job.run = call_job_run;
	c->job.again_ms = 0;
	call_job_run(&c->job);
	/* No pool here: wait out each step's delay on this thread. */
	while (c->job.again_ms > 0 && !c->done) {
		poll(NULL, 0, (int)c->job.again_ms);
		c->job.again_ms = 0;
		call_job_run(&c->job);
	}
	c->job.outcome = JOB_DONE;
}

/* Whether the call ended in an error. */
bool
call_failed(const struct rt_call *c)
{
	return (c->error != NULL || c->job.outcome == JOB_CANCELLED ||
	    c->job.outcome == JOB_EXPIRED);
}

/* The CallToolResult object. */
json_t *
call_result(struct rt_call *c)
{
	const char *msg = c->error;
	char *text;
	json_t *r;

	if (msg == NULL && c->job.outcome == JOB_EXPIRED)
		msg = "the call timed out before a worker was free";
	if (msg == NULL && c->job.outcome == JOB_CANCELLED)
		msg = "the call was cancelled";
	if (msg == NULL && c->ask != NULL && !c->done)
		msg = "the tool asks its client a question, which this "
		    "caller cannot answer";
	if (msg == NULL && c->result == NULL)
		msg = "the call did not finish";
	if (msg != NULL)
		return (json_pack("{s:[{s:s, s:s}], s:b}", "content", "type",
		    "text", "text", msg, "isError", 1));
	if (c->content != NULL)
		return (json_pack("{s:O, s:O, s:b}", "content", c->content,
		    "structuredContent", c->result, "isError", 0));
	text = json_dumps(c->result, JSON_COMPACT);
	r = json_pack("{s:[{s:s, s:s}], s:O, s:b}", "content", "type", "text",
	    "text", text != NULL ? text : "{}", "structuredContent", c->result,
	    "isError", 0);
	free(text);
	return (r);
}

/* The registry this call belongs to. */
struct registry *
call_registry(struct rt_call *c)
{
	return (c->rt->reg);
}

/* Picks the instance named by the arguments, or the only one. */
struct rt_instance *
call_instance(struct rt_call *c)
{
	const char *want = call_arg_str(c, "instance");
	struct rt_instance **all, *in = NULL;
	size_t n, i;

	all = registry_instances_of(c->rt->reg, c->rt->service, &n);
	if (n == 0)
		call_fail(c, "no %s instance is configured", c->rt->service->name);
	else if (want == NULL && n > 1)
		call_fail(c, "arguments.instance: required: %zu %s instances "
		    "are configured", n, c->rt->service->name);
	else if (want == NULL)
		in = all[0];
	else {
		for (i = 0; i < n; i++) {
			if (strcmp(all[i]->name, want) == 0)
				in = all[i];
		}
		if (in == NULL)
			call_fail(c, "arguments.instance: no %s instance "
			    "named \"%s\"", c->rt->service->name, want);
	}
	free(all);
	return (in);
}

/* The instances a multi-instance read covers. */
struct rt_instance **
call_read_instances(struct rt_call *c, size_t *n)
{
	struct rt_instance **all, *in;

	if (call_arg_str(c, "instance") != NULL) {
		if ((in = call_instance(c)) == NULL)
			return (NULL);
		all = xcalloc(1, sizeof *all);
		all[0] = in;
		*n = 1;
		return (all);
	}
	all = registry_instances_of(c->rt->reg, c->rt->service, n);
	if (*n == 0) {
		free(all);
		call_fail(c, "no %s instance is configured",
		    c->rt->service->name);
		return (NULL);
	}
	return (all);
}

/* Fails a read whose every instance failed, naming each error. */
int
call_fail_all(struct rt_call *c, json_t *errors)
{
	const json_t *e;
	char *msg = NULL, *tmp;
	size_t i;

	json_array_foreach(errors, i, e) {
		xasprintf(&tmp, "%s%s%s %s: %s", msg != NULL ? msg : "",
		    msg != NULL ? "; " : "", c->rt->service->name,
		    json_string_value(json_object_get(e, "instance")),
		    json_string_value(json_object_get(e, "error")));
		free(msg);
		msg = tmp;
	}
	call_fail(c, "%s", msg != NULL ? msg : "no data");
	free(msg);
	json_decref(errors);
	return (-1);
}

/* Whether the tool should stop early. */
bool
call_should_stop(struct rt_call *c)
{
	return (job_should_stop(&c->job));
}

/* Reports progress. */
void
call_progress(struct rt_call *c, double progress, double total,
    const char *message)
{
	job_progress(&c->job, progress, total, message);
}

/* Pages a list and sets the list envelope as the result. */
int
call_list_result(struct rt_call *c, json_t *items, int64_t age_ms,
    json_t *errors)
{
	const char *cursor = call_arg_str(c, "cursor");
	json_int_t limit = call_arg_int(c, "limit", 100);
	size_t total = json_array_size(items), off = 0, i;
	json_t *page, *r;
	char *end, next[32];

	if (cursor != NULL) {
		unsigned long long v;

		errno = 0;
		v = strtoull(cursor, &end, 10);
		if (*cursor == '\0' || *end != '\0' || errno != 0 ||
		    v > total) {
			json_decref(items);
			json_decref(errors);
			return (call_fail(c, "arguments.cursor: not a cursor "
			    "this tool returned"));
		}
		off = (size_t)v;
	}
	if (limit < 1)
		limit = 100;
	page = json_array();
	for (i = off; i < total && i < off + (size_t)limit; i++)
		json_array_append(page, json_array_get(items, i));
	/* Every list call builds one: json_pack's format parsing cost more
	 * than the rest of the call. */
	r = json_object();
	json_object_set_new_nocheck(r, "items", page);
	json_object_set_new_nocheck(r, "total", json_integer((json_int_t)total));
	json_object_set_new_nocheck(r, "age_ms", json_integer(age_ms < 0 ? 0 :
	    (json_int_t)age_ms));
	json_object_set_new_nocheck(r, "instance_errors", errors != NULL ?
	    errors : json_array());
	if (i < total) {
		snprintf(next, sizeof next, "%zu", i);
		json_object_set_new(r, "next_cursor", json_string(next));
	}
	json_decref(items);
	return (call_ok(c, r));
}

/* An integer argument. */
json_int_t
call_arg_int(struct rt_call *c, const char *name, json_int_t def)
{
	json_t *v = json_object_get(c->args, name);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_real(v))
		return ((json_int_t)json_real_value(v));
	return (def);
}

/* A string argument. */
const char *
call_arg_str(struct rt_call *c, const char *name)
{
	return (json_string_value(json_object_get(c->args, name)));
}
