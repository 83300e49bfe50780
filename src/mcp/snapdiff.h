/*
 * A snapshot's data as racktop/snapshot messages for attached dashboards
 * (mcp/attach.h has the format): whole, or the change from an earlier
 * snapshot, with unchanged rows sent as runs of the earlier rows.
 */
#ifndef RT_MCP_SNAPDIFF_H
#define RT_MCP_SNAPDIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jr_buf;
struct snapshot;

/* One top-level member of a snapshot's data, as last sent. */
struct snapdiff_member {
	char *key;
	uint64_t hash;		/* of its text, or of its rows' hashes */
	bool rows;		/* an array of objects, diffed by row */
	uint64_t *row;		/* each row's hash */
	size_t nrows;
};

/*
 * The top-level members of data (an object; else none) with their
 * hashes; *n receives the count. scratch: a buffer to reuse. Free with
 * snapdiff_members_free.
 */
struct snapdiff_member *snapdiff_members(struct jr_buf *scratch,
    const json_t *data, size_t *n);
void snapdiff_members_free(struct snapdiff_member *, size_t);
/* Appends the message with the whole of s, for instance i. */
void snapdiff_put_full(struct jr_buf *, size_t i, const struct snapshot *s);
/*
 * Appends the message with what changed from old (its members om, on) to
 * s (its members nm, nn), for instance i.
 */
void snapdiff_put_diff(struct jr_buf *, size_t i, const struct snapshot *old,
    const struct snapdiff_member *om, size_t on, const struct snapshot *s,
    const struct snapdiff_member *nm, size_t nn);

#endif
