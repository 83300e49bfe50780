/*
 * Embedders for the memory: the built-in one (deterministic, no network:
 * hashed word and character n-grams, normalised) and an OpenAI-compatible
 * /v1/embeddings client (Ollama, llama.cpp, vLLM, OpenAI...). Also the
 * built-in extractive summary, which needs only vectors.
 *
 * The built-in embedder sees shared words and word pieces, not meaning:
 * "reboot the NAS" and "restart the storage box" share nothing it can see.
 * It makes recall of reworded notes good when they share vocabulary and
 * costs nothing; a real embedding model does better on meaning.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/xmalloc.h"
#include "services/memory.h"

#define MEM_MAX_WORDS 4096
#define MEM_WORD_MAX 48

struct mem_embedder {
	bool builtin;
	char *name;
	char *model;
	char *auth;		/* "Authorization: Bearer ...", or NULL */
	struct http_opts opts;	/* base_url owned */
	struct http_pool pool;
	pthread_mutex_t lock;	/* guards dims */
	size_t dims;
};

/* Words too common to say anything about a note. */
static const char *const mem_stop[] = {
	"a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at",
	"for", "with", "by", "from", "is", "are", "was", "were", "be", "been",
	"it", "its", "this", "that", "these", "those", "as", "if", "then",
	"so", "we", "i", "you", "he", "she", "they", "our", "my", "your",
	"their", "has", "have", "had", "do", "does", "did", "not", "no",
	"should", "must", "can", "will", "would", "there", "here", "which",
	"who", "what", "when", "where", "how", "all", "any", "some", "into",
	"about", "after", "before", "over", "under", "up", "down", "out",
	"also", "just", "very", "than", "too", "again", "once", "please",
	NULL
};

/* Whether w is a stop word. */
static bool
mem_is_stop(const char *w)
{
	const char *const *s;

	for (s = mem_stop; *s != NULL; s++) {
		if (strcmp(*s, w) == 0)
			return (true);
	}
	return (false);
}

/* FNV-1a, 64 bits, over len bytes, seeded by kind. */
static uint64_t
mem_hash(const char *s, size_t len, uint64_t kind)
{
	uint64_t h = 1469598103934665603ULL ^ (kind * 0x9e3779b97f4a7c15ULL);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	/* Final mix, so nearby inputs spread over the buckets. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h);
}

/* Adds a feature with a sign from its hash (signed feature hashing). */
static void
mem_feature(float *out, size_t dims, const char *s, size_t len,
    uint64_t kind, float w)
{
	uint64_t h = mem_hash(s, len, kind);

	out[h % dims] += (h >> 63) ? -w : w;
}

/* Strips a common English suffix in place, keeping a stem of 3+. */
static void
mem_stem(char *w)
{
	static const char *const sfx[] = { "ations", "ation", "ings", "ing",
	    "edly", "ed", "ies", "es", "ly", "s", NULL };
	size_t n = strlen(w), k;
	const char *const *s;

	for (s = sfx; *s != NULL; s++) {
		k = strlen(*s);
		if (n > k + 2 && strcmp(w + n - k, *s) == 0) {
			w[n - k] = '\0';
			if (strcmp(*s, "ies") == 0)
				strcat(w, "y");
			return;
		}
	}
}

void
mem_embed_builtin(const char *text, float *out, size_t dims)
{
	char word[MEM_WORD_MAX + 3], prev[MEM_WORD_MAX + 1] = "", pair[2 *
	    MEM_WORD_MAX + 2];
	const unsigned char *p = (const unsigned char *)text;
	size_t n, i, words = 0;

	memset(out, 0, dims * sizeof *out);
	while (*p != '\0' && words < MEM_MAX_WORDS) {
		while (*p != '\0' && !isalnum(*p) && *p < 0x80)
			p++;
		n = 0;
		while (*p != '\0' && (isalnum(*p) || *p >= 0x80)) {
			if (n < MEM_WORD_MAX)
				word[1 + n++] = (char)tolower(*p);
			p++;
		}
		if (n == 0)
			continue;
		word[1 + n] = '\0';
		if (mem_is_stop(word + 1))
			continue;
		words++;
		/* Character trigrams of "#word#": pieces shared by forms. */
		word[0] = '#';
		word[1 + n] = '#';
		word[2 + n] = '\0';
		for (i = 0; i + 3 <= n + 2; i++)
			mem_feature(out, dims, word + i, 3, 3, 0.35f);
		word[1 + n] = '\0';
		mem_stem(word + 1);
		mem_feature(out, dims, word + 1, strlen(word + 1), 1, 1.0f);
		if (prev[0] != '\0') {
			snprintf(pair, sizeof pair, "%s %s", prev, word + 1);
			mem_feature(out, dims, pair, strlen(pair), 2, 0.5f);
		}
		snprintf(prev, sizeof prev, "%s", word + 1);
	}
	if (!mem_normalise(out, dims))
		out[0] = 1.0f;
}

bool
mem_normalise(float *v, size_t dims)
{
	double s = 0;
	size_t i;

	for (i = 0; i < dims; i++)
		s += (double)v[i] * v[i];
	if (s <= 0)
		return (false);
	s = sqrt(s);
	for (i = 0; i < dims; i++)
		v[i] = (float)(v[i] / s);
	return (true);
}

double
mem_cosine(const float *a, const float *b, size_t dims)
{
	double ab = 0, aa = 0, bb = 0;
	size_t i;

	for (i = 0; i < dims; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (aa <= 0 || bb <= 0)
		return (0);
	return (ab / sqrt(aa * bb));
}

struct mem_embedder *
mem_embedder_create(const char *url, const char *model, const char *api_key,
    size_t dims, long timeout_ms, char **cause)
{
	struct mem_embedder *e;
	char *base;
	size_t len;

	e = xcalloc(1, sizeof *e);
	pthread_mutex_init(&e->lock, NULL);
	if (url == NULL) {
		e->builtin = true;
		e->name = xstrdup(MEM_BUILTIN_NAME);
		e->dims = MEM_BUILTIN_DIMS;
		return (e);
	}
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) !=
	    0) {
		xasprintf(cause, "embed_url: must start with http:// or "
		    "https://");
		mem_embedder_destroy(e);
		return (NULL);
	}
	if (model == NULL) {
		xasprintf(cause, "embed_model: required with embed_url");
		mem_embedder_destroy(e);
		return (NULL);
	}
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	/* Accept the base with or without its /v1. */
	if (len >= 3 && strcmp(base + len - 3, "/v1") == 0)
		base[len - 3] = '\0';
	e->opts.base_url = base;
	e->opts.timeout_ms = timeout_ms;
	http_pool_init(&e->pool, &e->opts, 4);
	xasprintf(&e->name, "openai:%s", model);
	e->model = xstrdup(model);
	if (api_key != NULL)
		xasprintf(&e->auth, "Authorization: Bearer %s", api_key);
	e->dims = dims;
	return (e);
}

void
mem_embedder_destroy(struct mem_embedder *e)
{
	if (e == NULL)
		return;
	if (!e->builtin && e->opts.base_url != NULL)
		http_pool_finish(&e->pool);
	pthread_mutex_destroy(&e->lock);
	free((char *)e->opts.base_url);
	free(e->name);
	free(e->model);
	if (e->auth != NULL)
		explicit_bzero(e->auth, strlen(e->auth));
	free(e->auth);
	free(e);
}

const char *
mem_embedder_name(const struct mem_embedder *e)
{
	return (e->name);
}

size_t
mem_embedder_dims(struct mem_embedder *e)
{
	size_t d;

	pthread_mutex_lock(&e->lock);
	d = e->dims;
	pthread_mutex_unlock(&e->lock);
	return (d);
}

/* One POST /v1/embeddings: a new vector (*n wide) or NULL and *cause. */
static float *
mem_embed_remote(struct mem_embedder *e, const char *text, size_t *n,
    char **cause)
{
	const char *hdrs[3] = { "Content-Type: application/json", NULL, NULL };
	struct http_client *cl;
	json_t *body, *r, *emb, *v;
	float *out = NULL;
	long status;
	size_t i;

	if ((cl = http_pool_get(&e->pool, cause)) == NULL)
		return (NULL);
	hdrs[1] = e->auth;
	body = json_pack("{s:s, s:s}", "model", e->model, "input", text);
	r = http_json(cl, "POST", "/v1/embeddings", hdrs, body, &status, cause);
	json_decref(body);
	http_pool_put(&e->pool, cl);
	if (r == NULL)
		return (NULL);
	emb = json_object_get(json_array_get(json_object_get(r, "data"), 0),
	    "embedding");
	if (status != 200 || !json_is_array(emb) || json_array_size(emb) == 0) {
		xasprintf(cause, "POST /v1/embeddings: HTTP %ld%s", status,
		    status == 200 ? ": no data[0].embedding" : "");
		json_decref(r);
		return (NULL);
	}
	*n = json_array_size(emb);
	out = xcalloc(*n, sizeof *out);
	json_array_foreach(emb, i, v) {
		if (!json_is_number(v)) {
			xasprintf(cause, "POST /v1/embeddings: embedding[%zu] "
			    "is not a number", i);
			free(out);
			json_decref(r);
			return (NULL);
		}
		out[i] = (float)json_number_value(v);
	}
	json_decref(r);
	return (out);
}

int
mem_embedder_probe(struct mem_embedder *e, char **cause)
{
	float *v;
	size_t n;

	if (mem_embedder_dims(e) != 0)
		return (0);
	if ((v = mem_embed_remote(e, "dimension probe", &n, cause)) == NULL)
		return (-1);
	free(v);
	pthread_mutex_lock(&e->lock);
	e->dims = n;
	pthread_mutex_unlock(&e->lock);
	return (0);
}

float *
mem_embed(struct mem_embedder *e, const char *text, char **cause)
{
	float *v;
	size_t n, dims;

	if (e->builtin) {
		v = xcalloc(MEM_BUILTIN_DIMS, sizeof *v);
		mem_embed_builtin(text, v, MEM_BUILTIN_DIMS);
		return (v);
	}
	if (mem_embedder_probe(e, cause) != 0)
		return (NULL);
	dims = mem_embedder_dims(e);
	if ((v = mem_embed_remote(e, text, &n, cause)) == NULL)
		return (NULL);
	if (n != dims) {
		/* Never mix widths: the column holds one. */
		xasprintf(cause, "POST /v1/embeddings: %zu dimensions, the "
		    "store holds %zu", n, dims);
		free(v);
		return (NULL);
	}
	if (!mem_normalise(v, n))
		v[0] = 1.0f;
	return (v);
}

/* One sentence of the summary's candidates. */
struct mem_sentence {
	char *text;
	float *vec;
	double centrality;
	bool used;
};

/* Splits text into sentences (". ", "! ", "? ", new lines) appended to *s. */
static void
mem_split(const char *text, struct mem_sentence **s, size_t *n, size_t *cap)
{
	const char *p = text, *start;
	size_t len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && *p != '\n' && !((*p == '.' || *p == '!' ||
		    *p == '?') && (p[1] == ' ' || p[1] == '\0' || p[1] == '\n')))
			p++;
		len = (size_t)(p - start);
		if (*p != '\0' && *p != '\n')
			len++;
		if (*p != '\0')
			p++;
		if (len < 2)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*s = xreallocarray(*s, *cap, sizeof **s);
		}
		memset(&(*s)[*n], 0, sizeof **s);
		(*s)[(*n)++].text = xstrndup(start, len);
	}
}

char *
mem_summary_extract(const char *const *texts, const float *const *vecs,
    size_t n, size_t dims, size_t max_sentences)
{
	struct mem_sentence *s = NULL;
	size_t ns = 0, cap = 0, i, j, k, best, outlen = 0, len;
	char *out = xstrdup("");
	bool dup;

	(void)vecs;
	for (i = 0; i < n; i++)
		mem_split(texts[i], &s, &ns, &cap);
	for (i = 0; i < ns; i++) {
		s[i].vec = xcalloc(dims, sizeof *s[i].vec);
		mem_embed_builtin(s[i].text, s[i].vec, dims);
	}
	/* Centrality: how much a sentence says of what the others say. */
	for (i = 0; i < ns; i++)
		for (j = i + 1; j < ns; j++) {
			double c = mem_cosine(s[i].vec, s[j].vec, dims);

			s[i].centrality += c;
			s[j].centrality += c;
		}
	for (k = 0; k < max_sentences; k++) {
		best = ns;
		for (i = 0; i < ns; i++) {
			if (s[i].used)
				continue;
			if (best == ns || s[i].centrality > s[best].centrality)
				best = i;
		}
		if (best == ns)
			break;
		s[best].used = true;
		dup = false;
		for (i = 0; i < ns; i++) {
			if (i != best && s[i].used && s[i].centrality >= 0 &&
			    mem_cosine(s[i].vec, s[best].vec, dims) > 0.9)
				dup = true;
		}
		if (dup) {
			/* Said already: mark it spent, not counted. */
			s[best].centrality = -1;
			k--;
			continue;
		}
		len = strlen(s[best].text);
		out = xrealloc(out, outlen + len + 3);
		if (outlen > 0)
			out[outlen++] = ' ';
		memcpy(out + outlen, s[best].text, len);
		outlen += len;
		/* Notes are often one line without a full stop: end it. */
		if (strchr(".!?", s[best].text[len - 1]) == NULL)
			out[outlen++] = '.';
		out[outlen] = '\0';
	}
	for (i = 0; i < ns; i++) {
		free(s[i].text);
		free(s[i].vec);
	}
	free(s);
	return (out);
}
