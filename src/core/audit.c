/*
 * The audit log: JSON lines, appended with one write(2) each.
 *
 * DESIGN: any thread may call in. Writes, denials and approval decisions
 * are written as they happen (audit_event). Reads are only counted
 * (audit_read) in a small hash table keyed by (source, identity, tool);
 * a key's counts are written as one "reads" line once 10 s have passed
 * since its first count, checked cheaply on each read against the oldest
 * pending key, or all at once by audit_flush(1) and audit_close. One mutex
 * guards the file descriptor and the table; an atomic flag lets every call
 * return at once when auditing is off.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/clock.h"
#include "core/xmalloc.h"

#define AUDIT_WINDOW_MS 10000
#define AUDIT_BUCKETS 256
#define AUDIT_MAX_DEFAULT ((int64_t)16 * 1024 * 1024)

/* The read counts of one (source, identity, tool) in the current window. */
struct audit_reads {
	char *source;
	char *identity;
	char *tool;
	uint64_t calls;
	uint64_t errors;
	int64_t duration_ms;
	int64_t first_ms;	/* monotonic time of the first count */
	struct audit_reads *next;
};

static pthread_mutex_t audit_mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_int audit_on;
static int audit_fd = -1;
static char *audit_path;		/* for rotation */
static int64_t audit_size;		/* bytes in the current file */
static int64_t audit_max = AUDIT_MAX_DEFAULT;
static struct audit_reads *audit_table[AUDIT_BUCKETS];
static int64_t audit_oldest_ms = INT64_MAX;	/* earliest first_ms */
/* The last lines, for racktop_activity, even with no file: a ring. */
static json_t *audit_ring[AUDIT_RECENT];
static size_t audit_ring_next;

/* Secret-looking member names, matched as lower-case substrings. */
static const char *audit_secret_words[] = {
	"password", "passwd", "secret", "token", "api_key", "apikey",
	"authorization", "cookie", "private_key", "conninfo", NULL
};

/* Formats the current UTC time as 2026-11-25T10:00:00.123Z into buf. */
static void
audit_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Sets the size at which the file is rotated (0: the default). */
void
audit_set_max(int64_t bytes)
{
	pthread_mutex_lock(&audit_mutex);
	audit_max = bytes > 0 ? bytes : AUDIT_MAX_DEFAULT;
	pthread_mutex_unlock(&audit_mutex);
}

/*
 * Moves a full file to PATH.1 and starts a new one; called with the
 * mutex held. On failure the current file is kept.
 */
static void
audit_rotate_locked(void)
{
	char *old;
	int fd;

	if (audit_path == NULL)
		return;
	xasprintf(&old, "%s.1", audit_path);
	if (rename(audit_path, old) == 0) {
		fd = open(audit_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		if (fd != -1) {
			close(audit_fd);
			audit_fd = fd;
			audit_size = 0;
		}
	}
	free(old);
}

/* Writes obj as one compact line; called with the mutex held. */
static void
audit_write_locked(const json_t *obj)
{
	char *text;
	size_t len, off = 0;
	ssize_t n;

	/* Deep copies, only touched under the mutex: no shared counts. */
	json_decref(audit_ring[audit_ring_next]);
	audit_ring[audit_ring_next] = json_deep_copy(obj);
	audit_ring_next = (audit_ring_next + 1) % AUDIT_RECENT;
	if (audit_fd == -1)
		return;
	if ((text = json_dumps(obj, JSON_COMPACT)) == NULL)
		return;
	len = strlen(text);
	if (audit_size > 0 && audit_size + (int64_t)len + 1 > audit_max)
		audit_rotate_locked();
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	while (off < len) {
		n = write(audit_fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	audit_size += (int64_t)off;
	free(text);
}

/* Opens path for appending (NULL: auditing off). -1 and *cause on error. */
int
audit_open(const char *path, char **cause)
{
	struct stat st;
	int fd;

	if (path == NULL) {
		audit_close();
		return (0);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	/* An existing file others could read is narrowed to 0600. */
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		(void)fchmod(fd, 0600);
	audit_close();
	pthread_mutex_lock(&audit_mutex);
	audit_fd = fd;
	audit_path = xstrdup(path);
	audit_size = fstat(fd, &st) == 0 ? (int64_t)st.st_size : 0;
	atomic_store(&audit_on, 1);
	pthread_mutex_unlock(&audit_mutex);
	return (0);
}

/* Writes and frees the aggregates that are due; called with the mutex. */
static void
audit_flush_locked(int force)
{
	struct audit_reads *r, **rp;
	int64_t now = clock_mono_ms(), oldest = INT64_MAX;
	char when[32];
	json_t *obj;
	size_t i;

	if (!force && now - audit_oldest_ms < AUDIT_WINDOW_MS)
		return;
	audit_time(when, sizeof when);
	for (i = 0; i < AUDIT_BUCKETS; i++) {
		rp = &audit_table[i];
		while ((r = *rp) != NULL) {
			if (!force && now - r->first_ms < AUDIT_WINDOW_MS) {
				if (r->first_ms < oldest)
					oldest = r->first_ms;
				rp = &r->next;
				continue;
			}
			obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
			    "s:I}", "time", when, "type", "reads",
			    "source", r->source, "identity", r->identity,
			    "tool", r->tool, "calls", (json_int_t)r->calls,
			    "errors", (json_int_t)r->errors,
			    "duration_ms", (json_int_t)r->duration_ms);
			if (obj != NULL) {
				audit_write_locked(obj);
				json_decref(obj);
			}
			*rp = r->next;
			free(r->source);
			free(r->identity);
			free(r->tool);
			free(r);
		}
	}
	audit_oldest_ms = oldest;
}

/* Flushes pending read aggregates and closes. */
void
audit_close(void)
{
	pthread_mutex_lock(&audit_mutex);
	audit_flush_locked(1);
	if (audit_fd != -1)
		close(audit_fd);
	audit_fd = -1;
	free(audit_path);
	audit_path = NULL;
	atomic_store(&audit_on, 0);
	pthread_mutex_unlock(&audit_mutex);
}

/* One event line: a copy of rec with "time" first. rec is borrowed. */
void
audit_event(const json_t *rec)
{
	char when[32];
	const char *key;
	json_t *obj, *value;

	/* Off, it still feeds the ring (racktop_activity): writes are rare. */
	if (rec == NULL)
		return;
	audit_time(when, sizeof when);
	obj = json_object();
	json_object_set_new(obj, "time", json_string(when));
	if (json_is_object(rec)) {
		json_object_foreach((json_t *)rec, key, value) {
			if (strcmp(key, "time") != 0)
				json_object_set_new(obj, key,
				    json_deep_copy(value));
		}
	} else
		json_object_set_new(obj, "event", json_deep_copy(rec));
	pthread_mutex_lock(&audit_mutex);
	audit_write_locked(obj);
	pthread_mutex_unlock(&audit_mutex);
	json_decref(obj);
}

/* FNV-1a over the three key strings. */
static uint32_t
audit_hash(const char *source, const char *identity, const char *tool)
{
	const char *parts[3] = { source, identity, tool };
	uint32_t h = 2166136261u;
	const u_char *p;
	int i;

	for (i = 0; i < 3; i++) {
		for (p = (const u_char *)parts[i]; *p != '\0'; p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;	/* separator */
	}
	return (h);
}

/* Counts one read; duration in ms. Strings are copied. */
void
audit_read(const char *source, const char *identity, const char *tool,
    int ok, int64_t duration_ms)
{
	struct audit_reads *r;
	uint32_t h;
	int64_t now;

	if (!atomic_load_explicit(&audit_on, memory_order_relaxed))
		return;
	if (source == NULL)
		source = "";
	if (identity == NULL)
		identity = "";
	if (tool == NULL)
		tool = "";
	h = audit_hash(source, identity, tool) % AUDIT_BUCKETS;
	now = clock_mono_ms();

	pthread_mutex_lock(&audit_mutex);
	if (audit_fd == -1)
		goto out;
	for (r = audit_table[h]; r != NULL; r = r->next) {
		if (strcmp(r->tool, tool) == 0 &&
		    strcmp(r->identity, identity) == 0 &&
		    strcmp(r->source, source) == 0)
			break;
	}
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->source = xstrdup(source);
		r->identity = xstrdup(identity);
		r->tool = xstrdup(tool);
		r->first_ms = now;
		r->next = audit_table[h];
		audit_table[h] = r;
		if (now < audit_oldest_ms)
			audit_oldest_ms = now;
	}
	r->calls++;
	if (!ok)
		r->errors++;
	if (duration_ms > 0)
		r->duration_ms += duration_ms;
	if (now - audit_oldest_ms >= AUDIT_WINDOW_MS)
		audit_flush_locked(0);
out:
	pthread_mutex_unlock(&audit_mutex);
}

/* The last lines, newest first. */
json_t *
audit_recent(void)
{
	json_t *a = json_array();
	size_t i, k;

	pthread_mutex_lock(&audit_mutex);
	for (i = 1; i <= AUDIT_RECENT; i++) {
		k = (audit_ring_next + AUDIT_RECENT - i) % AUDIT_RECENT;
		if (audit_ring[k] == NULL)
			break;
		json_array_append_new(a, json_deep_copy(audit_ring[k]));
	}
	pthread_mutex_unlock(&audit_mutex);
	return (a);
}

/* Writes read aggregates older than 10 s (or all, when force). */
void
audit_flush(int force)
{
	if (!atomic_load(&audit_on))
		return;
	pthread_mutex_lock(&audit_mutex);
	audit_flush_locked(force);
	pthread_mutex_unlock(&audit_mutex);
}

/* Whether a member name looks like it holds a secret. */
static int
audit_secret_key(const char *key)
{
	const char *const *w;

	for (w = audit_secret_words; *w != NULL; w++) {
		if (strcasestr(key, *w) != NULL)
			return (1);
	}
	return (0);
}

/*
 * A deep copy of args with every secret-looking member (password, token,
 * secret, api_key, ...) replaced by "***", in nested objects and arrays
 * too. Returns a new reference (NULL for NULL).
 */
json_t *
audit_redact(const json_t *args)
{
	const char *key;
	json_t *out, *value;
	size_t i;

	if (args == NULL)
		return (NULL);
	if (json_is_object(args)) {
		out = json_object();
		json_object_foreach((json_t *)args, key, value) {
			if (audit_secret_key(key))
				json_object_set_new(out, key,
				    json_string("***"));
			else
				json_object_set_new(out, key,
				    audit_redact(value));
		}
		return (out);
	}
	if (json_is_array(args)) {
		out = json_array();
		for (i = 0; i < json_array_size(args); i++)
			json_array_append_new(out,
			    audit_redact(json_array_get(args, i)));
		return (out);
	}
	return (json_deep_copy(args));
}
