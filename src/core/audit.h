/*
 * The audit log: JSON lines. Every write, denial and approval decision is
 * one line as it happens; reads are counted per (source, identity, tool) and
 * written as one aggregate line per key at most every 10 s, so auditing
 * costs nothing measurable on the read path. A file that grows past
 * its size limit (16 MiB by default) is renamed to PATH.1, replacing the
 * previous one, and a new file is started. Thread-safe.
 */
#ifndef RT_AUDIT_H
#define RT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

/* Opens path for appending (NULL: auditing off). -1 and *cause on error. */
int audit_open(const char *path, char **cause);
/* Flushes pending read aggregates and closes. */
void audit_close(void);
/* Sets the size at which the file is rotated (0: the default). */
void audit_set_max(int64_t bytes);

/*
 * One event line. rec is borrowed; "time" is added. Arguments in rec must
 * already be redacted (audit_redact).
 */
void audit_event(const json_t *rec);
/* Counts one read; duration in ms. Strings are copied. */
void audit_read(const char *source, const char *identity, const char *tool,
    int ok, int64_t duration_ms);
/*
 * The last AUDIT_RECENT lines (events and read aggregates), newest first,
 * as deep copies the caller owns; kept even when no file is open.
 */
#define AUDIT_RECENT 256
json_t *audit_recent(void);
/* Writes read aggregates older than 10 s (or all, when force). */
void audit_flush(int force);
/*
 * A deep copy of args with every secret-looking member (password, token,
 * secret, api_key, ...) replaced by "***". Returns a new reference.
 */
json_t *audit_redact(const json_t *args);

#endif
