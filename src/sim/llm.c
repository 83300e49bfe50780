/*
 * Simulated model endpoints for the memory: OpenAI-compatible
 * POST /v1/embeddings and /v1/chat/completions (Bearer key), and
 * Anthropic's POST /v1/messages (x-api-key, anthropic-version), shaped as
 * the public API references describe them.
 *
 * The "model" is deterministic and small: embeddings are 256-dimensional
 * signed hashes of words after a short synonym table (so "reboot" and
 * "restart" meet, unlike racktop's built-in embedder), L2-normalised; a
 * chat or message answer summarises the notes in the last user message
 * by keeping the first clause of each "- " line.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "sim/sim.h"

#define LLM_DIMS 256
#define LLM_KEY "sim-llm-key"

/* Words the simulated model treats as one. */
static const char *const llm_synonyms[][2] = {
	{ "restart", "reboot" }, { "restarted", "reboot" },
	{ "rebooted", "reboot" }, { "memory", "ram" }, { "storage", "disk" },
	{ "drive", "disk" }, { "ip", "address" }, { "wifi", "wireless" },
	{ "wi", "wireless" }, { "fi", "" }, { "children", "kids" },
	{ "children's", "kids" }, { "machine", "vm" }, { "machines", "vm" },
	{ "virtual", "vm" }, { "computer", "laptop" }, { "footage", "recording" },
	{ "electricity", "power" }, { "retained", "keep" }, { "kept", "keep" },
	{ NULL, NULL },
};

/* A word's canonical form (borrowed or w itself). */
static const char *
llm_canon(const char *w)
{
	size_t i;

	for (i = 0; llm_synonyms[i][0] != NULL; i++) {
		if (strcmp(llm_synonyms[i][0], w) == 0)
			return (llm_synonyms[i][1]);
	}
	return (w);
}

/* The simulated embedding of text. */
static void
llm_embed(const char *text, double *v)
{
	const unsigned char *p = (const unsigned char *)text;
	char w[64];
	const char *c;
	uint64_t h;
	double n = 0;
	size_t len, i;

	memset(v, 0, LLM_DIMS * sizeof *v);
	while (*p != '\0') {
		len = 0;
		while (*p != '\0' && (isalnum(*p) || *p == '\'')) {
			if (len < sizeof w - 1)
				w[len++] = (char)tolower(*p);
			p++;
		}
		w[len] = '\0';
		if (*p != '\0' && len == 0)
			p++;
		if (len < 3)
			continue;
		c = llm_canon(w);
		if (*c == '\0')
			continue;
		h = 1469598103934665603ULL;
		for (; *c != '\0'; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		v[h % LLM_DIMS] += (h >> 63) ? -1.0 : 1.0;
	}
	for (i = 0; i < LLM_DIMS; i++)
		n += v[i] * v[i];
	if (n == 0) {
		v[1] = 1;
		return;
	}
	for (i = 0; i < LLM_DIMS; i++)
		v[i] /= sqrt(n);
}

/* An OpenAI-style error. */
static void
llm_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	if (msg == NULL)
		msg = status >= 500 ? "The server had an error" : "Bad request";
	sim_reply_json_new(resp, status, json_pack("{s:{s:s, s:s, s:n, s:n}}",
	    "error", "message", msg, "type", status == 401 ?
	    "invalid_request_error" : status >= 500 ? "server_error" :
	    "invalid_request_error", "param", "code"));
}

static void
llm_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	llm_error(svc, resp, 401, "Incorrect API key provided.");
}

static void
llm_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)req;
	llm_error(svc, resp, 404, "Unknown request URL.");
}

/* The OpenAI routes take "Authorization: Bearer KEY". */
static int
llm_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *a = sim_header(req, "Authorization");

	if (a != NULL && strcmp(a, "Bearer " LLM_KEY) == 0)
		return (0);
	llm_unauthorized(svc, resp);
	return (-1);
}

/* The request body as JSON (new reference) or NULL. */
static json_t *
llm_body(struct sim_request *req)
{
	return (req->body != NULL ? json_loadb(req->body, req->bodylen, 0,
	    NULL) : NULL);
}

/* POST /v1/embeddings: input is a string or an array of strings. */
static void
llm_embeddings(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *b = llm_body(req), *in, *data, *vec, *one;
	double v[LLM_DIMS];
	size_t i, j, n;

	in = json_object_get(b, "input");
	if (!json_is_string(json_object_get(b, "model")) ||
	    (!json_is_string(in) && !json_is_array(in))) {
		json_decref(b);
		llm_error(svc, resp, 400, "'model' and 'input' are required");
		return;
	}
	data = json_array();
	n = json_is_string(in) ? 1 : json_array_size(in);
	for (i = 0; i < n; i++) {
		one = json_is_string(in) ? in : json_array_get(in, i);
		if (!json_is_string(one)) {
			json_decref(data);
			json_decref(b);
			llm_error(svc, resp, 400, "'input' must be strings");
			return;
		}
		llm_embed(json_string_value(one), v);
		vec = json_array();
		for (j = 0; j < LLM_DIMS; j++)
			json_array_append_new(vec, json_real(v[j]));
		json_array_append_new(data, json_pack("{s:s, s:I, s:o}",
		    "object", "embedding", "index", (json_int_t)i, "embedding",
		    vec));
	}
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:o, s:O, s:{s:i, "
	    "s:i}}", "object", "list", "data", data, "model",
	    json_object_get(b, "model"), "usage", "prompt_tokens", 8,
	    "total_tokens", 8));
	json_decref(b);
}

/* The summary of the notes in a prompt ("- note" lines). New string. */
static char *
llm_summarise(const char *prompt)
{
	const char *p = prompt, *e;
	char *out = xstrdup("Summary:"), *t;
	size_t len;

	while ((p = strstr(p, "- ")) != NULL) {
		p += 2;
		e = p + strcspn(p, ".\n");
		len = (size_t)(e - p);
		xasprintf(&t, "%s %.*s.", out, (int)len, p);
		free(out);
		out = t;
		p = e;
	}
	return (out);
}

/* The text of the last user message, or NULL. */
static const char *
llm_last_user(json_t *msgs)
{
	const char *text = NULL;
	json_t *m, *c;
	size_t i;

	json_array_foreach(msgs, i, m) {
		if (!json_is_string(json_object_get(m, "role")) ||
		    strcmp(json_string_value(json_object_get(m, "role")),
		    "user") != 0)
			continue;
		c = json_object_get(m, "content");
		if (json_is_string(c))
			text = json_string_value(c);
		else if (json_is_array(c))
			text = json_string_value(json_object_get(
			    json_array_get(c, 0), "text"));
	}
	return (text);
}

/* POST /v1/chat/completions. */
static void
llm_chat(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	json_t *b = llm_body(req);
	const char *text = llm_last_user(json_object_get(b, "messages"));
	char *s;

	if (!json_is_string(json_object_get(b, "model")) || text == NULL) {
		json_decref(b);
		llm_error(svc, resp, 400, "'model' and a user message are "
		    "required");
		return;
	}
	s = llm_summarise(text);
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:I, s:O, "
	    "s:[{s:i, s:{s:s, s:s}, s:s}], s:{s:i, s:i, s:i}}", "id",
	    "chatcmpl-sim", "object", "chat.completion", "created",
	    (json_int_t)(sim_now_ms(svc) / 1000), "model", json_object_get(b,
	    "model"), "choices", "index", 0, "message", "role", "assistant",
	    "content", s, "finish_reason", "stop", "usage", "prompt_tokens", 10,
	    "completion_tokens", 10, "total_tokens", 20));
	free(s);
	json_decref(b);
}

/* POST /v1/messages (Anthropic): x-api-key and anthropic-version. */
static void
llm_messages(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	const char *key = sim_header(req, "x-api-key");
	json_t *b;
	const char *text;
	char *s;

	if (key == NULL || strcmp(key, LLM_KEY) != 0) {
		sim_reply_json_new(resp, 401, json_pack("{s:s, s:{s:s, s:s}}",
		    "type", "error", "error", "type", "authentication_error",
		    "message", "invalid x-api-key"));
		return;
	}
	b = llm_body(req);
	text = llm_last_user(json_object_get(b, "messages"));
	if (sim_header(req, "anthropic-version") == NULL ||
	    !json_is_string(json_object_get(b, "model")) ||
	    !json_is_integer(json_object_get(b, "max_tokens")) || text == NULL) {
		json_decref(b);
		sim_reply_json_new(resp, 400, json_pack("{s:s, s:{s:s, s:s}}",
		    "type", "error", "error", "type", "invalid_request_error",
		    "message", "anthropic-version, model, max_tokens and "
		    "messages are required"));
		return;
	}
	s = llm_summarise(text);
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:s, s:O, "
	    "s:[{s:s, s:s}], s:s, s:n, s:{s:i, s:i}}", "id", "msg_sim",
	    "type", "message", "role", "assistant", "model",
	    json_object_get(b, "model"), "content", "type", "text", "text", s,
	    "stop_reason", "end_turn", "stop_sequence", "usage",
	    "input_tokens", 10, "output_tokens", 10));
	free(s);
	json_decref(b);
}

/* Adds "llm" to the endpoints file. */
static void
llm_endpoint(struct sim_service *svc, json_t *o)
{
	json_object_set_new(o, "llm", json_pack("{s:o, s:s, s:s, s:s, s:i}",
	    "url", json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "api_key", LLM_KEY, "embed_model", "sim-embed", "chat_model",
	    "sim-chat", "embed_dims", LLM_DIMS));
}

static void *
llm_create(struct sim_service *svc)
{
	(void)svc;
	return (xstrdup("llm"));
}

static const struct sim_route llm_routes[] = {
	{ "POST", "/v1/embeddings", llm_embeddings, 0 },
	{ "POST", "/v1/chat/completions", llm_chat, 0 },
	{ "POST", "/v1/messages", llm_messages, SIM_ROUTE_NOAUTH },
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_llm_ops = {
	.name = "llm",
	.prefix = "",
	.routes = llm_routes,
	.create = llm_create,
	.destroy = free,
	.authorize = llm_authorize,
	.unauthorized = llm_unauthorized,
	.error = llm_error,
	.not_found = llm_not_found,
	.endpoint = llm_endpoint,
};
