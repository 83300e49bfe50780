/*
 * Long-term memory for agents (Mem0-style) on PostgreSQL: the embedders
 * (memory-embed.c), the store (memory-store.c) and the tools (memory.c).
 *
 * The store keeps memories (content, user_id, agent_id, entity, metadata,
 * embedding, created, updated, deleted) and their history in the schema
 * "racktop" of the configured database. Vectors are pgvector columns with
 * an HNSW cosine index when the extension is available (halfvec above
 * 2,000 dimensions), else real[] searched by exact cosine in SQL.
 *
 * Threads: an embedder and a store are shared by every worker; each keeps
 * what is not read-only (HTTP clients, PostgreSQL connections) in a pool
 * behind its own mutex, so one connection is only ever used by one thread.
 */
#ifndef RT_MEMORY_H
#define RT_MEMORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The built-in embedder's name and width. */
#define MEM_BUILTIN_NAME "builtin-ngram-v1"
#define MEM_BUILTIN_DIMS 384

/*
 * The built-in embedding of text into out[dims]: hashed word unigrams and
 * bigrams (lightly stemmed, stop words left out) and character trigrams
 * of each word, with signed feature hashing, L2-normalised. It captures
 * shared words and word pieces, not meaning. Pure, any thread. Text with
 * no word at all gets a fixed unit vector, so cosine stays defined.
 */
void mem_embed_builtin(const char *text, float *out, size_t dims);

/* Cosine similarity of two vectors (0 when either is zero). */
double mem_cosine(const float *a, const float *b, size_t dims);

/* L2-normalises v in place; false when it is all zeros. */
bool mem_normalise(float *v, size_t dims);

struct mem_embedder;

/*
 * The built-in embedder, or (url not NULL) an OpenAI-compatible
 * POST {url}/v1/embeddings client with model and an optional api_key
 * sent as a Bearer token. dims 0 asks the endpoint once, lazily.
 * NULL and *cause (caller frees) on a bad URL.
 */
struct mem_embedder *mem_embedder_create(const char *url, const char *model,
    const char *api_key, size_t dims, long timeout_ms, char **cause);
void mem_embedder_destroy(struct mem_embedder *);
/* "builtin-ngram-v1" or "openai:MODEL". Borrowed. */
const char *mem_embedder_name(const struct mem_embedder *);
/* Width of the vectors; 0 when not yet known (see mem_embedder_probe). */
size_t mem_embedder_dims(struct mem_embedder *);
/* Learns the width from the endpoint when unknown: 0, or -1 and *cause. */
int mem_embedder_probe(struct mem_embedder *, char **cause);
/*
 * The normalised embedding of text as a new array of dims floats, or
 * NULL and *cause (caller frees). Any thread.
 */
float *mem_embed(struct mem_embedder *, const char *text, char **cause);

/*
 * An extractive summary of texts (n of them, with their embeddings, each
 * dims wide): at most max_sentences sentences, the most central first,
 * duplicates left out. New string. Pure.
 */
char *mem_summary_extract(const char *const *texts, const float *const *vecs,
    size_t n, size_t dims, size_t max_sentences);

/* How the store keeps vectors. */
enum mem_vector_mode {
	MEM_VEC_AUTO,		/* pgvector when available, else arrays */
	MEM_VEC_PGVECTOR,	/* pgvector or an error */
	MEM_VEC_ARRAY,		/* real[] and exact cosine, even with pgvector */
};

struct mem_store_opts {
	const char *conninfo;	/* libpq string or URI; "" uses PG* */
	enum mem_vector_mode vector;
	const char *embedder;	/* recorded; a different one is refused */
	size_t dims;
	double dedup_threshold;	/* cosine at or above: update in place */
	long retry_ms;		/* how long a write retries a lost server */
	size_t max_conns;	/* idle connections kept */
};

struct mem_store;

/* What a query may see: scopes and filters. Strings borrowed. */
struct mem_filter {
	const char *const *agent_ids;	/* NULL: every scope */
	size_t nagent_ids;
	const char *user_id;
	const char *entity;
	const json_t *metadata;		/* object the row's must contain */
	const char *created_after;	/* RFC 3339 */
	const char *created_before;
};

/* One write. Strings and metadata borrowed. */
struct mem_write {
	const char *key;	/* idempotency key: a retry never duplicates */
	const char *memory_id;	/* update/delete */
	const char *content;	/* add/update; NULL keeps it (update) */
	const float *embedding;	/* of content */
	const char *user_id;
	const char *agent_id;
	const char *entity;
	const json_t *metadata;	/* NULL: {} (add), unchanged (update) */
	const char *actor;	/* the caller's label, for history */
	bool dedup;		/* add: update a near-duplicate in place */
};

/* A store (no connection yet); NULL and *cause on bad options. */
struct mem_store *mem_store_create(const struct mem_store_opts *,
    char **cause);
void mem_store_destroy(struct mem_store *);
/*
 * Connects, applies the migrations not yet applied (each in its own
 * transaction) and sets up the vector column. Done once; later calls
 * return at once. 0, or -1 and *cause.
 */
int mem_store_open(struct mem_store *, char **cause);
/* "pgvector" or "array" once open, else NULL. */
const char *mem_store_vector_kind(struct mem_store *);

/*
 * Writes. Each returns a new object {id, memory, event, ...} (event ADD,
 * UPDATE, DELETE or NONE; "replayed": true when the key was seen before),
 * or NULL and *cause. scope limits which rows update and delete may touch.
 * A write and its history row commit together; a lost connection is
 * retried with the same key until retry_ms passes.
 */
json_t *mem_store_add(struct mem_store *, const struct mem_write *,
    char **cause);
json_t *mem_store_update(struct mem_store *, const struct mem_write *,
    const struct mem_filter *scope, char **cause);
json_t *mem_store_delete(struct mem_store *, const struct mem_write *,
    const struct mem_filter *scope, char **cause);

/* One memory row, NULL with *cause NULL when absent (or out of scope). */
json_t *mem_store_get(struct mem_store *, const char *id,
    const struct mem_filter *scope, char **cause);
/* History rows of a memory in scope, oldest first: a new array. */
json_t *mem_store_history(struct mem_store *, const char *id,
    const struct mem_filter *scope, char **cause);
/* Rows (newest first) from offset; *total the count. New array. */
json_t *mem_store_list(struct mem_store *, const struct mem_filter *,
    size_t limit, size_t offset, size_t *total, char **cause);
/*
 * The limit best rows for query and its embedding, each with "score"
 * (0.85 cosine + 0.15 keyword rank), "semantic" and "keyword". New array.
 */
json_t *mem_store_search(struct mem_store *, const struct mem_filter *,
    const char *query, const float *embedding, size_t limit, char **cause);
/*
 * Re-embeds every memory with fn (the new embedder) and records it: the
 * vector column is rebuilt with the new width. Returns the count, -1 and
 * *cause. Runs in one transaction.
 */
long mem_store_reembed(struct mem_store *, const char *embedder, size_t dims,
    float *(*fn)(void *, const char *, char **), void *arg, char **cause);

#endif
