/*
 * JSON-RPC 2.0 framing and classification over memory (see jsonrpc.h for
 * the decisions). No socket code here: the server, the bridge, the CLI
 * client, the unit tests and the fuzzer share it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfast.h"
#include "core/xmalloc.h"
#include "mcp/jsonrpc.h"

#define JR_LINES_MIN 16384	/* first allocation of a line buffer */
#define JR_LINES_READ 65536	/* most bytes received per space() call */
#define JR_LINES_IDLE 65536	/* idle buffers larger than this are freed */

/* Prepares an empty buffer (no allocation). */
void
jr_buf_init(struct jr_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Frees the buffer's memory. */
void
jr_buf_free(struct jr_buf *b)
{
	free(b->data);
	jr_buf_init(b);
}

/* Ensures n more bytes fit; returns their place. */
char *
jr_buf_reserve(struct jr_buf *b, size_t n)
{
	size_t want;

	if (b->cap - b->len < n) {
		want = b->cap < 256 ? 256 : b->cap;
		while (want - b->len < n)
			want *= 2;
		b->data = xrealloc(b->data, want);
		b->cap = want;
	}
	return (b->data + b->len);
}

/* Appends n bytes. */
void
jr_buf_append(struct jr_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(jr_buf_reserve(b, n), p, n);
	b->len += n;
}

/* Drops the first n bytes, moving the rest to the front. */
void
jr_buf_consume(struct jr_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* Empties the buffer; frees it when it grew past keep. */
void
jr_buf_reset(struct jr_buf *b, size_t keep)
{
	b->len = 0;
	if (b->cap > keep)
		jr_buf_free(b);
}

/* Prepares a line buffer accepting lines of at most max bytes. */
void
jr_lines_init(struct jr_lines *lb, size_t max)
{
	memset(lb, 0, sizeof *lb);
	lb->max = max > 0 ? max : JR_MAX_MESSAGE_DEFAULT;
}

/* Frees a line buffer. */
void
jr_lines_free(struct jr_lines *lb)
{
	free(lb->data);
	lb->data = NULL;
	lb->start = lb->end = lb->scanned = lb->cap = 0;
}

/* Moves pending bytes to the front of the buffer. */
static void
lines_compact(struct jr_lines *lb)
{
	size_t n = lb->end - lb->start;

	if (lb->start == 0)
		return;
	if (n > 0)
		memmove(lb->data, lb->data + lb->start, n);
	lb->scanned -= lb->start;
	lb->start = 0;
	lb->end = n;
}

/* Returns room for at least one byte and at most JR_LINES_READ. */
char *
jr_lines_space(struct jr_lines *lb, size_t *avail)
{
	size_t want;

	if (lb->start == lb->end)
		lb->start = lb->end = lb->scanned = 0;
	else if (lb->start > 0 && (lb->cap - lb->end < 4096 ||
	    lb->start > lb->cap / 2))
		lines_compact(lb);
	if (lb->cap - lb->end < 4096) {
		want = lb->cap < JR_LINES_MIN ? JR_LINES_MIN : lb->cap * 2;
		/* Never more than one maximum line plus one read. */
		if (want > lb->max + JR_LINES_READ + 2)
			want = lb->max + JR_LINES_READ + 2;
		if (want < lb->end + 4096)
			want = lb->end + 4096;
		if (want > lb->cap) {
			lb->data = xrealloc(lb->data, want);
			lb->cap = want;
		}
	}
	*avail = lb->cap - lb->end;
	if (*avail > JR_LINES_READ)
		*avail = JR_LINES_READ;
	return (lb->data + lb->end);
}

/* Accounts for n bytes written into the space. */
void
jr_lines_commit(struct jr_lines *lb, size_t n)
{
	lb->end += n;
}

/* Copies bytes into the buffer. */
void
jr_lines_feed(struct jr_lines *lb, const void *p, size_t n)
{
	const char *s = p;
	size_t avail, k;
	char *dst;

	while (n > 0) {
		dst = jr_lines_space(lb, &avail);
		k = n < avail ? n : avail;
		memcpy(dst, s, k);
		jr_lines_commit(lb, k);
		s += k;
		n -= k;
	}
}

/* Whether a line holds only JSON whitespace. */
static bool
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return (false);
	}
	return (true);
}

/* Hands out the next complete line. */
enum jr_line
jr_lines_next(struct jr_lines *lb, const char **line, size_t *len)
{
	char *s, *nl;
	size_t n;

	for (;;) {
		if (lb->scanned < lb->start)
			lb->scanned = lb->start;
		nl = NULL;
		if (lb->end > lb->scanned)
			nl = memchr(lb->data + lb->scanned, '\n',
			    lb->end - lb->scanned);
		if (nl == NULL) {
			lb->scanned = lb->end;
			n = lb->end - lb->start;
			if (lb->skipping) {
				lb->start = lb->end = lb->scanned = 0;
				return (JR_LINE_NONE);
			}
			if (n > lb->max) {
				/* Drop what we have and the rest of the line. */
				lb->start = lb->end = lb->scanned = 0;
				lb->skipping = true;
				return (JR_LINE_TOOBIG);
			}
			return (JR_LINE_NONE);
		}
		s = lb->data + lb->start;
		n = (size_t)(nl - s);
		lb->start = lb->scanned = (size_t)(nl - lb->data) + 1;
		if (lb->skipping) {
			lb->skipping = false;
			continue;
		}
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > lb->max)
			return (JR_LINE_TOOBIG);
		if (blank(s, n))
			continue;
		*line = s;
		*len = n;
		return (JR_LINE_OK);
	}
}

/* Bytes waiting in the buffer. */
size_t
jr_lines_pending(const struct jr_lines *lb)
{
	return (lb->end - lb->start);
}

/* Gives back the memory of an idle, large buffer. */
void
jr_lines_trim(struct jr_lines *lb)
{
	if (lb->start == lb->end && lb->cap > JR_LINES_IDLE)
		jr_lines_free(lb);
}

/* Marks m invalid with a code and a static message. */
static void
invalid(struct jr_msg *m, int code, const char *error)
{
	m->kind = JR_INVALID;
	m->code = code;
	m->error = error;
}

/* The fixed text of a jansson parse error. */
static const char *
parse_error_text(const json_error_t *err, char *buf, size_t len)
{
	switch (json_error_code(err)) {
	case json_error_invalid_utf8:
		return ("Parse error: invalid UTF-8");
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return ("Parse error: NUL character");
	case json_error_duplicate_key:
		return ("Parse error: duplicate object key");
	case json_error_stack_overflow:
		return ("Parse error: nesting too deep");
	case json_error_premature_end_of_input:
		return ("Parse error: truncated JSON");
	case json_error_numeric_overflow:
		return ("Parse error: number out of range");
	default:
		snprintf(buf, len, "Parse error: invalid JSON at byte %d",
		    err->position);
		return (buf);
	}
}

/* Whether any string (or key) in v holds U+0000. */
static bool
has_nul(const json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return (strlen(json_string_value(v)) != json_string_length(v));
	case JSON_ARRAY:
		json_array_foreach(v, i, child) {
			if (has_nul(child))
				return (true);
		}
		return (false);
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, child) {
			if (has_nul(child))
				return (true);
		}
		return (false);
	default:
		return (false);
	}
}

/* Parses one line into a classified message. */
void
jr_parse(const char *line, size_t len, struct jr_msg *m)
{
	json_error_t err;

	memset(m, 0, sizeof *m);
	/*
	 * U+0000 is valid JSON, so it parses; the request is then refused
	 * with its own id (jr_classify), since C strings would cut it short.
	 */
	m->root = jsonfast_load(line, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (m->root == NULL) {
		invalid(m, JR_PARSE_ERROR, parse_error_text(&err, m->errbuf,
		    sizeof m->errbuf));
		return;
	}
	if (json_is_array(m->root)) {
		m->kind = JR_BATCH;
		return;
	}
	jr_classify(m->root, m);
}

/* Classifies one JSON value as a JSON-RPC message. */
void
jr_classify(json_t *v, struct jr_msg *m)
{
	json_t *id, *jsonrpc, *method, *params;
	const char *s;
	bool has_id;

	if (v != m->root)
		memset(m, 0, sizeof *m);
	if (!json_is_object(v)) {
		invalid(m, JR_INVALID_REQUEST,
		    "Invalid Request: not a JSON-RPC object");
		return;
	}
	id = json_object_get(v, "id");
	has_id = id != NULL;
	if (json_is_string(id) || json_is_integer(id))
		m->id = id;
	jsonrpc = json_object_get(v, "jsonrpc");
	s = json_string_value(jsonrpc);
	if (s == NULL || json_string_length(jsonrpc) != 3 ||
	    strcmp(s, "2.0") != 0) {
		invalid(m, JR_INVALID_REQUEST,
		    "Invalid Request: jsonrpc must be \"2.0\"");
		return;
	}
	method = json_object_get(v, "method");
	if (method == NULL) {
		if (has_id && (json_object_get(v, "result") != NULL ||
		    json_object_get(v, "error") != NULL)) {
			m->kind = JR_RESPONSE;
			return;
		}
		invalid(m, JR_INVALID_REQUEST, "Invalid Request: no method");
		return;
	}
	if (!json_is_string(method)) {
		invalid(m, JR_INVALID_REQUEST,
		    "Invalid Request: method must be a string");
		return;
	}
	if (has_id && m->id == NULL) {
		invalid(m, JR_INVALID_REQUEST,
		    "Invalid Request: id must be a string or an integer");
		return;
	}
	params = json_object_get(v, "params");
	if (params != NULL && !json_is_object(params) &&
	    !json_is_array(params)) {
		invalid(m, JR_INVALID_REQUEST,
		    "Invalid Request: params must be an object");
		return;
	}
	if (has_nul(method) || (params != NULL && has_nul(params))) {
		invalid(m, JR_INVALID_PARAMS,
		    "Invalid params: strings must not contain U+0000");
		return;
	}
	m->method = json_string_value(method);
	m->params = params;
	m->kind = has_id ? JR_REQUEST : JR_NOTIFICATION;
}

/* Frees the parsed tree. */
void
jr_msg_clear(struct jr_msg *m)
{
	json_decref(m->root);
	m->root = NULL;
	m->id = m->params = NULL;
	m->method = NULL;
}

/* Appends a string literal. */
#define PUT(b, s) jr_buf_append((b), (s), sizeof(s) - 1)

/* Runs a jsonfast writer on a jr_buf (the same three fields). */
#define JF_ON(b, call) do {						\
	struct jf_buf jf_ = { (b)->data, (b)->len, (b)->cap };		\
	call;								\
	(b)->data = jf_.data;						\
	(b)->len = jf_.len;						\
	(b)->cap = jf_.cap;						\
} while (0)

/* Appends compact JSON text, straight into the buffer. */
void
jr_put_json(struct jr_buf *b, const json_t *v)
{
	JF_ON(b, jsonfast_dump(&jf_, v));
}

/* Appends an integer in decimal (no printf on the hot path). */
static void
put_int(struct jr_buf *b, json_int_t v)
{
	char num[24], *p = num + sizeof num;
	unsigned long long u;

	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	jr_buf_append(b, p, (size_t)(num + sizeof num - p));
}

/* Appends text as the inside of a JSON string, escaped as jansson does. */
void
jr_put_escaped(struct jr_buf *b, const char *s, size_t len)
{
	JF_ON(b, jsonfast_escape(&jf_, s, len));
}

/* Appends an id with its exact JSON type. */
void
jr_put_id(struct jr_buf *b, const json_t *id)
{
	if (json_is_integer(id))
		put_int(b, json_integer_value(id));
	else if (json_is_string(id))
		jr_put_json(b, id);
	else
		PUT(b, "null");
}

/* Appends {"jsonrpc":"2.0","id":ID, with the id. */
static void
put_head(struct jr_buf *b, const json_t *id)
{
	PUT(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	jr_put_id(b, id);
}

/* Appends a result line. */
void
jr_result(struct jr_buf *b, const json_t *id, const json_t *result)
{
	put_head(b, id);
	PUT(b, ",\"result\":");
	jr_put_json(b, result);
	PUT(b, "}\n");
}

/* Appends a result line from JSON text. */
void
jr_result_text(struct jr_buf *b, const json_t *id, const char *text,
    size_t len)
{
	put_head(b, id);
	PUT(b, ",\"result\":");
	jr_buf_append(b, text, len);
	PUT(b, "}\n");
}

/* Appends an error line. */
void
jr_error(struct jr_buf *b, const json_t *id, int code, const char *message,
    const json_t *data)
{
	json_t *msg;

	put_head(b, id);
	PUT(b, ",\"error\":{\"code\":");
	put_int(b, code);
	PUT(b, ",\"message\":");
	if ((msg = json_string(message)) == NULL)
		msg = json_string("error");
	jr_put_json(b, msg);
	json_decref(msg);
	if (data != NULL) {
		PUT(b, ",\"data\":");
		jr_put_json(b, data);
	}
	PUT(b, "}}\n");
}

/* Appends a notification line. */
void
jr_notification(struct jr_buf *b, const char *method, const json_t *params)
{
	json_t *m = json_string(method);

	PUT(b, "{\"jsonrpc\":\"2.0\",\"method\":");
	jr_put_json(b, m);
	json_decref(m);
	if (params != NULL) {
		PUT(b, ",\"params\":");
		jr_put_json(b, params);
	}
	PUT(b, "}\n");
}

/* A result response object. */
json_t *
jr_result_json(const json_t *id, json_t *result)
{
	json_t *o = json_object();

	json_object_set_new(o, "jsonrpc", json_string("2.0"));
	json_object_set_new(o, "id", id != NULL ? json_copy((json_t *)id) :
	    json_null());
	json_object_set_new(o, "result", result != NULL ? result :
	    json_object());
	return (o);
}

/* An error response object. */
json_t *
jr_error_json(const json_t *id, int code, const char *message,
    const json_t *data)
{
	json_t *o = json_object(), *e = json_object(), *msg;

	json_object_set_new(o, "jsonrpc", json_string("2.0"));
	json_object_set_new(o, "id", id != NULL ? json_copy((json_t *)id) :
	    json_null());
	json_object_set_new(e, "code", json_integer(code));
	if ((msg = json_string(message)) == NULL)
		msg = json_string("error");
	json_object_set_new(e, "message", msg);
	if (data != NULL)
		json_object_set_new(e, "data", json_deep_copy(data));
	json_object_set_new(o, "error", e);
	return (o);
}
