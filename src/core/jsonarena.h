/*
 * Snapshot trees packed into arenas.
 *
 * A published snapshot is read-only until its last reader lets go, then
 * freed whole. Built by jansson one malloc at a time, a large lab's trees
 * are tens of thousands of small blocks interleaved with each poll's
 * short-lived parse trees: freeing them costs the thread that drops the
 * last reference (often the UI) milliseconds, and what they leave behind
 * is a fragmented heap that malloc_trim cannot return. json_arena_copy
 * packs a finished tree into a few large chunks (short strings and small
 * integers shared), and json_arena_free returns them in one go.
 *
 * The copy's refcounts must never reach zero: nobody may json_decref a
 * node of it (snapshot readers never touch refcounts anyway). Memory of
 * a freed arena is malloc's again, so AddressSanitizer reports a node
 * used after its snapshot died.
 */
#ifndef RT_JSONARENA_H
#define RT_JSONARENA_H

#include <jansson.h>
#include <stddef.h>

struct json_arena;

/*
 * Routes jansson's allocations through the arena hooks (plain malloc and
 * free outside a copy). Call once, before any other thread uses jansson;
 * without it json_arena_copy makes ordinary copies (*arena NULL).
 */
void json_arena_install(void);

/*
 * A packed copy of src; *arena owns it. Before json_arena_install an
 * ordinary copy (sharing the same nodes, counted) with *arena NULL.
 */
json_t *json_arena_copy(const json_t *src, struct json_arena **arena);

/* Frees a packed tree; NULL is a no-op. */
void json_arena_free(struct json_arena *);

/* Bytes the arena holds (its chunks), for tests and benchmarks. */
size_t json_arena_bytes(const struct json_arena *);

#endif
