/*
 * Where the dashboard's calls go: the local worker pool, or, when the
 * dashboard is attached to a running racktop, that racktop over the
 * socket (mcp/remote.h). Either way the call comes back on the queue
 * given, finished, so app.c and approval.c handle both alike.
 *
 * DESIGN: main thread only; the link is set once before app_run.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "core/call.h"
#include "mcp/remote.h"
#include "ui/app.h"
#include "ui/ui.h"

static struct remote *ui_remote;

/* Attaches the dashboard to a remote racktop (NULL: local). */
void
app_set_remote(struct remote *r)
{
	ui_remote = r;
}

/* A call the attached racktop finished, for the activity pane. */
void
app_note_remote(const char *who, const char *tool, const char *target,
    bool ok, const char *result, int64_t ms)
{
	activity_note(who, tool, target, ok, result, ms);
}

/* Whether the dashboard shows another racktop's data. */
bool
ui_is_remote(void)
{
	return (ui_remote != NULL);
}

/*
 * Starts a call: checked and submitted here, or sent to the attached
 * racktop, which checks it (as the operator's). -1: refused already.
 */
int
ui_call_start(struct ui *ui, struct rt_call *c, struct job_queue *done)
{
	if (ui_remote != NULL) {
		/* This dashboard's --read-only holds whatever the racktop's. */
		if (call_policy.read_only &&
		    !(c->rt->tool->flags & RT_READ_ONLY)) {
			call_fail(c, "%s: this dashboard runs read-only; this "
			    "tool changes state", c->rt->tool->name);
			c->done = true;
			return (-1);
		}
		remote_submit(ui_remote, c, done);
		return (0);
	}
	if (call_check(c) != 0)
		return (-1);
	call_submit(c, ui->pool, done);
	return (0);
}
