/*
 * Snapshot trees packed into arenas (see jsonarena.h).
 *
 * jansson allocates through one global pair of hooks. Outside a copy
 * they are malloc and free; during json_arena_copy the copying thread
 * marks its arena active and the hooks carve blocks from its chunks.
 * Every block carries its rounded size in an 8-byte header, so the
 * blocks jansson frees while it builds (a hash table's buckets when it
 * grows, an array's storage when it doubles) go on a free list by size
 * and are reused by the next object, not lost.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonarena.h"
#include "core/xmalloc.h"

#define ALIGN		8
#define HDR		8
#define MAX_CLASS	1024		/* largest block size with a free list */
#define FIRST_CHUNK	(16 * 1024)
#define MAX_CHUNK	(1024 * 1024)
#define SHORT_STR	24		/* strings up to this length are shared */
#define INT_LO		(-16)
#define INT_HI		1024		/* integers in [INT_LO, INT_HI) shared */

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

struct json_arena {
	struct chunk *head;
	size_t bytes;
	size_t next_size;
	void *free_list[MAX_CLASS / ALIGN + 1];
};

static _Thread_local struct json_arena *active;
static int installed;

static void *
arena_alloc(struct json_arena *a, size_t n)
{
	size_t sz = (n + ALIGN - 1) / ALIGN * ALIGN + HDR, csz;
	unsigned char *p;
	struct chunk *c;

	if (sz <= MAX_CLASS && a->free_list[sz / ALIGN] != NULL) {
		p = a->free_list[sz / ALIGN];
		memcpy(&a->free_list[sz / ALIGN], p, sizeof(void *));
		return (p);
	}
	c = a->head;
	if (c == NULL || c->size - c->used < sz) {
		csz = a->next_size;
		if (csz < sz + sizeof *c)
			csz = sz + sizeof *c;
		if ((c = malloc(csz)) == NULL)
			return (NULL);
		c->size = csz - sizeof *c;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->bytes += csz;
		if (a->next_size < MAX_CHUNK)
			a->next_size *= 2;
	}
	p = c->data + c->used;
	c->used += sz;
	memcpy(p, &sz, sizeof sz);
	return (p + HDR);
}

static int
arena_owns(const struct json_arena *a, const void *ptr)
{
	const unsigned char *p = ptr;
	const struct chunk *c;

	for (c = a->head; c != NULL; c = c->next) {
		if (p >= c->data && p < c->data + c->used)
			return (1);
	}
	return (0);
}

static void
arena_release(struct json_arena *a, void *ptr)
{
	unsigned char *b = (unsigned char *)ptr - HDR;
	struct chunk *c = a->head;
	size_t sz;

	memcpy(&sz, b, sizeof sz);
	if (b + sz == c->data + c->used) {
		c->used -= sz;		/* the newest block: take it back */
		return;
	}
	if (sz <= MAX_CLASS) {
		memcpy(ptr, &a->free_list[sz / ALIGN], sizeof(void *));
		a->free_list[sz / ALIGN] = ptr;
	}
	/* Larger blocks stay until the arena goes: rare (array storage). */
}

static void *
hook_malloc(size_t n)
{
	struct json_arena *a = active;

	return (a != NULL ? arena_alloc(a, n) : malloc(n));
}

static void
hook_free(void *p)
{
	struct json_arena *a = active;

	if (p != NULL && a != NULL && arena_owns(a, p))
		arena_release(a, p);
	else
		free(p);
}

void
json_arena_install(void)
{
	json_set_alloc_funcs(hook_malloc, hook_free);
	installed = 1;
}

/* Sharing of short strings and small integers within one copy. */
struct share {
	json_t **str;		/* open addressing, nstr slots */
	size_t nstr, used;
	json_t *ints[INT_HI - INT_LO];
};

static uint32_t
str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h);
}

static void
share_grow(struct share *sh)
{
	json_t **old = sh->str;
	size_t nold = sh->nstr, i, j;
	const char *s;
	size_t n;

	sh->nstr = nold == 0 ? 256 : nold * 2;
	sh->str = xcalloc(sh->nstr, sizeof *sh->str);
	for (i = 0; i < nold; i++) {
		if (old[i] == NULL)
			continue;
		s = json_string_value(old[i]);
		n = json_string_length(old[i]);
		for (j = str_hash(s, n) & (sh->nstr - 1); sh->str[j] != NULL;
		    j = (j + 1) & (sh->nstr - 1))
			;
		sh->str[j] = old[i];
	}
	free(old);
}

static json_t *
share_string(struct share *sh, const char *s, size_t n)
{
	json_t *v;
	size_t j;

	if (n > SHORT_STR)
		return (json_stringn_nocheck(s, n));
	if (sh->used * 2 >= sh->nstr)
		share_grow(sh);
	for (j = str_hash(s, n) & (sh->nstr - 1); (v = sh->str[j]) != NULL;
	    j = (j + 1) & (sh->nstr - 1)) {
		if (json_string_length(v) == n &&
		    memcmp(json_string_value(v), s, n) == 0)
			return (json_incref(v));
	}
	if ((v = json_stringn_nocheck(s, n)) == NULL)
		return (NULL);
	sh->str[j] = v;
	sh->used++;
	return (json_incref(v));
}

static json_t *
share_integer(struct share *sh, json_int_t i)
{
	json_t **slot;

	if (i < INT_LO || i >= INT_HI)
		return (json_integer(i));
	slot = &sh->ints[i - INT_LO];
	if (*slot == NULL && (*slot = json_integer(i)) == NULL)
		return (NULL);
	return (json_incref(*slot));
}

/*
 * Drops the table's own counts: every node in it was handed out at least
 * once, so none reaches zero here (nor, in an arena, ever).
 */
static void
share_finish(struct share *sh)
{
	size_t i;

	for (i = 0; i < sh->nstr; i++)
		json_decref(sh->str[i]);
	free(sh->str);
	for (i = 0; i < INT_HI - INT_LO; i++)
		json_decref(sh->ints[i]);
}

/*
 * The copy itself. Shared nodes are counted once per parent, so the
 * counts stay true even though nobody will ever drop them.
 */
static json_t *
copy(struct share *sh, const json_t *v)
{
	json_t *out, *x, *cx;
	const char *key;
	size_t klen, i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if ((out = json_object()) == NULL)
			return (NULL);
		json_object_keylen_foreach((json_t *)v, key, klen, x) {
			if ((cx = copy(sh, x)) == NULL ||
			    json_object_setn_new_nocheck(out, key, klen, cx) != 0) {
				json_decref(out);
				return (NULL);
			}
		}
		return (out);
	case JSON_ARRAY:
		if ((out = json_array()) == NULL)
			return (NULL);
		json_array_foreach(v, i, x) {
			if ((cx = copy(sh, x)) == NULL ||
			    json_array_append_new(out, cx) != 0) {
				json_decref(out);
				return (NULL);
			}
		}
		return (out);
	case JSON_STRING:
		return (share_string(sh, json_string_value(v),
		    json_string_length(v)));
	case JSON_INTEGER:
		return (share_integer(sh, json_integer_value(v)));
	case JSON_REAL:
		return (json_real(json_real_value(v)));
	case JSON_TRUE:
		return (json_true());
	case JSON_FALSE:
		return (json_false());
	case JSON_NULL:
	default:
		return (json_null());
	}
}

json_t *
json_arena_copy(const json_t *src, struct json_arena **arena)
{
	struct json_arena *a;
	struct share sh;
	json_t *out;

	*arena = NULL;
	memset(&sh, 0, sizeof sh);
	if (!installed) {
		/* Shared nodes are counted, so json_decref frees it right. */
		out = copy(&sh, src);
		share_finish(&sh);
		return (out);
	}
	a = xcalloc(1, sizeof *a);
	a->next_size = FIRST_CHUNK;
	active = a;
	out = copy(&sh, src);
	share_finish(&sh);
	active = NULL;
	if (out == NULL) {
		/* Out of memory part way: nothing of it escapes. */
		json_arena_free(a);
		return (NULL);
	}
	*arena = a;
	return (out);
}

void
json_arena_free(struct json_arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

size_t
json_arena_bytes(const struct json_arena *a)
{
	return (a != NULL ? a->bytes : 0);
}
