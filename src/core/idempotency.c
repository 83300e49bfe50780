/*
 * The idempotency_key table (see idempotency.h).
 *
 * DESIGN: a list in claim order under one mutex, searched linearly: only
 * write calls that carry a key come here, and IDEM_MAX bounds it. Each
 * entry is named by a SHA-256 over (source, uid, exe, tool, key) and
 * remembers a SHA-256 of the call's validated arguments.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/idempotency.h"
#include "core/log.h"
#include "core/xmalloc.h"

struct idem_entry {
	unsigned char name[SHA256_DIGEST_LENGTH];
	unsigned char args[SHA256_DIGEST_LENGTH];
	bool done;
	char *result;		/* structuredContent as JSON, or NULL */
	char *error;		/* or the error text */
	int64_t expires;	/* clock_mono_ms(); done entries only */
	struct idem_entry *prev, *next;
};

static pthread_mutex_t idem_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct idem_entry *idem_head, *idem_tail;	/* oldest first */
static int idem_n;

/* SHA-256 over NUL-separated parts. */
static void
idem_hash(const char *const *parts, int n, unsigned char *out)
{
	EVP_MD_CTX *md;
	int i;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatalx("idempotency: SHA-256 unavailable");
	for (i = 0; i < n; i++)
		EVP_DigestUpdate(md, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
}

/* The entry's name for a call. */
static void
idem_name(const struct rt_call *c, unsigned char *out)
{
	char uid[32], src[8];
	const char *parts[5];

	snprintf(uid, sizeof uid, "%u", (unsigned)c->caller.uid);
	snprintf(src, sizeof src, "%d", (int)c->caller.source);
	parts[0] = src;
	parts[1] = uid;
	parts[2] = c->caller.exe;
	parts[3] = c->rt->tool->name;
	parts[4] = c->idem_key;
	idem_hash(parts, 5, out);
}

/* The digest of a call's arguments (canonical JSON). */
static void
idem_args(const struct rt_call *c, unsigned char *out)
{
	const char *parts[1];
	char *text;

	text = json_dumps(c->args, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		fatalx("idempotency: cannot encode arguments");
	parts[0] = text;
	idem_hash(parts, 1, out);
	free(text);
}

/* Unlinks and frees an entry; the mutex is held. */
static void
idem_drop(struct idem_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		idem_head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		idem_tail = e->prev;
	idem_n--;
	free(e->result);
	free(e->error);
	free(e);
}

/* The entry named name, dropping expired ones on the way. */
static struct idem_entry *
idem_find(const unsigned char *name, int64_t now)
{
	struct idem_entry *e, *next, *hit = NULL;

	for (e = idem_head; e != NULL; e = next) {
		next = e->next;
		if (e->done && e->expires <= now) {
			idem_drop(e);
			continue;
		}
		if (hit == NULL && memcmp(e->name, name, sizeof e->name) == 0)
			hit = e;
	}
	return (hit);
}

/* Looks a call's key up; claims it when new. */
enum idem_state
idem_begin(const struct rt_call *c, json_t **result, char **error)
{
	unsigned char name[SHA256_DIGEST_LENGTH], args[SHA256_DIGEST_LENGTH];
	struct idem_entry *e;
	enum idem_state st;

	*result = NULL;
	*error = NULL;
	idem_name(c, name);
	idem_args(c, args);
	pthread_mutex_lock(&idem_mutex);
	if ((e = idem_find(name, clock_mono_ms())) != NULL) {
		if (memcmp(e->args, args, sizeof args) != 0)
			st = IDEM_MISMATCH;
		else if (!e->done)
			st = IDEM_BUSY;
		else {
			st = IDEM_REPLAY;
			if (e->error != NULL)
				*error = xstrdup(e->error);
			else if ((*result = json_loads(e->result, 0,
			    NULL)) == NULL)
				*error = xstrdup("internal error: the first "
				    "outcome cannot be read back");
		}
		pthread_mutex_unlock(&idem_mutex);
		return (st);
	}
	if (idem_n >= IDEM_MAX) {
		for (e = idem_head; e != NULL && !e->done; e = e->next)
			;
		if (e == NULL) {
			pthread_mutex_unlock(&idem_mutex);
			return (IDEM_FULL);
		}
		idem_drop(e);
	}
	e = xcalloc(1, sizeof *e);
	memcpy(e->name, name, sizeof name);
	memcpy(e->args, args, sizeof args);
	if ((e->prev = idem_tail) != NULL)
		idem_tail->next = e;
	else
		idem_head = e;
	idem_tail = e;
	idem_n++;
	pthread_mutex_unlock(&idem_mutex);
	return (IDEM_NEW);
}

/* The claimed entry of a call; the mutex is held. */
static struct idem_entry *
idem_claimed(const struct rt_call *c)
{
	unsigned char name[SHA256_DIGEST_LENGTH];
	struct idem_entry *e;

	idem_name(c, name);
	for (e = idem_head; e != NULL; e = e->next) {
		if (!e->done && memcmp(e->name, name, sizeof name) == 0)
			return (e);
	}
	return (NULL);
}

/* Records a claimed call's outcome. */
void
idem_finish(const struct rt_call *c)
{
	struct idem_entry *e;
	char *text = NULL;

	if (c->error == NULL && c->result != NULL)
		text = json_dumps(c->result, JSON_COMPACT);
	pthread_mutex_lock(&idem_mutex);
	if ((e = idem_claimed(c)) != NULL) {
		e->done = true;
		e->expires = clock_mono_ms() + IDEM_TTL_MS;
		if (text != NULL) {
			e->result = text;
			text = NULL;
		} else
			e->error = xstrdup(c->error != NULL ? c->error :
			    "the call did not finish");
		/* Most recently finished last: evicted last. */
		if (e != idem_tail) {
			if (e->prev != NULL)
				e->prev->next = e->next;
			else
				idem_head = e->next;
			e->next->prev = e->prev;
			e->prev = idem_tail;
			e->next = NULL;
			idem_tail->next = e;
			idem_tail = e;
		}
	}
	pthread_mutex_unlock(&idem_mutex);
	free(text);
}

/* Drops a claim without an outcome. */
void
idem_release(const struct rt_call *c)
{
	struct idem_entry *e;

	pthread_mutex_lock(&idem_mutex);
	if ((e = idem_claimed(c)) != NULL)
		idem_drop(e);
	pthread_mutex_unlock(&idem_mutex);
}

/* Forgets every entry. */
void
idem_reset(void)
{
	pthread_mutex_lock(&idem_mutex);
	while (idem_head != NULL)
		idem_drop(idem_head);
	pthread_mutex_unlock(&idem_mutex);
}

/* Entries held. */
int
idem_count(void)
{
	int n;

	pthread_mutex_lock(&idem_mutex);
	n = idem_n;
	pthread_mutex_unlock(&idem_mutex);
	return (n);
}
