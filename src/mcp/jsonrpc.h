/*
 * JSON-RPC 2.0 over newline-delimited lines, without any socket: a line
 * buffer with a hard maximum, message parsing and classification, and the
 * writers of result, error and notification lines. Pure functions over
 * memory, so the fuzzer and the unit tests drive them directly.
 *
 * Decisions (MCP 2025-11-25 basic/index, JSON-RPC 2.0 section 4-5):
 * - A line is everything up to "\n"; a "\r" before it is dropped; empty
 *   and blank lines are skipped. A line longer than the maximum is
 *   JR_LINE_TOOBIG: the caller answers -32600 (id null) and, on the
 *   socket, closes after flushing; the rest of the line is discarded.
 * - Parsing is jansson's json_loadb with JSON_REJECT_DUPLICATES (a
 *   duplicated "method" or "id" would be ambiguous) and JSON_DECODE_ANY.
 *   Invalid UTF-8, NUL, nesting deeper than jansson's compile-time limit
 *   (2048), numbers out of range and duplicate keys are -32700 with a
 *   fixed message (never an echo of the input, which may not be UTF-8).
 * - A valid JSON value that is not a request object (a number, a string)
 *   is -32600. Ids are strings or integers (MCP RequestId); null, reals,
 *   booleans and structured ids are -32600 with id null, as JSON-RPC says
 *   when the id cannot be read. A readable id is echoed in the error even
 *   when something else (jsonrpc, method) is wrong.
 * - "params", when present, must be an object or an array (JSON-RPC);
 *   MCP methods then require an object (-32602, protocol.c).
 * - An object with "result" or "error" and no "method" is a response.
 * - An array is JR_BATCH; whether batches are allowed is protocol.c's
 *   decision, which classifies the elements with jr_classify.
 * Output lines are compact JSON ending in "\n"; ids are written back with
 * their exact JSON type ("1" stays a string, 0 stays 0).
 */
#ifndef RT_MCP_JSONRPC_H
#define RT_MCP_JSONRPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* JSON-RPC 2.0 codes. */
#define JR_PARSE_ERROR -32700
#define JR_INVALID_REQUEST -32600
#define JR_METHOD_NOT_FOUND -32601
#define JR_INVALID_PARAMS -32602
#define JR_INTERNAL_ERROR -32603
/*
 * racktop's own, in the implementation-defined range -32000..-32019,
 * avoiding -32000/-32001 (the TypeScript SDK's ConnectionClosed and
 * RequestTimeout) and -32002..-32004 (codes older MCP revisions used).
 */
#define JR_TOO_MANY_INFLIGHT -32010
#define JR_RATE_LIMITED -32011
#define JR_TOO_MANY_CLIENTS -32012
/* Resource not found before 2026-07-28 (-32602 from then on). */
#define JR_RESOURCE_NOT_FOUND -32002
/* UnsupportedProtocolVersionError (2026-07-28). */
#define JR_UNSUPPORTED_VERSION -32022

#define JR_MAX_MESSAGE_DEFAULT ((size_t)4 * 1024 * 1024)

/* A growable byte buffer. */
struct jr_buf {
	char *data;
	size_t len;
	size_t cap;
};

void jr_buf_init(struct jr_buf *);
void jr_buf_free(struct jr_buf *);
/* Makes room for n more bytes; returns where they go. */
char *jr_buf_reserve(struct jr_buf *, size_t n);
void jr_buf_append(struct jr_buf *, const void *, size_t);
/* Drops the first n bytes. */
void jr_buf_consume(struct jr_buf *, size_t n);
/* Empties the buffer, releasing memory when it grew past keep bytes. */
void jr_buf_reset(struct jr_buf *, size_t keep);

enum jr_line {
	JR_LINE_NONE,		/* no complete line yet */
	JR_LINE_OK,		/* *line, *len: one line without "\r\n" */
	JR_LINE_TOOBIG,		/* a line over the maximum was dropped */
};

/*
 * Splits a byte stream into lines. Bytes come in through jr_lines_space
 * and jr_lines_commit (read(2) straight into the buffer) or jr_lines_feed;
 * jr_lines_next hands out lines, valid until the next call on the buffer.
 */
struct jr_lines {
	char *data;
	size_t start;		/* first byte not yet handed out */
	size_t end;		/* end of the bytes received */
	size_t scanned;		/* no "\n" in [start, scanned) */
	size_t cap;
	size_t max;		/* longest line accepted */
	bool skipping;		/* dropping the rest of an oversized line */
};

void jr_lines_init(struct jr_lines *, size_t max);
void jr_lines_free(struct jr_lines *);
/* Room to receive into (*avail > 0 bytes). */
char *jr_lines_space(struct jr_lines *, size_t *avail);
/* Records n bytes received into the space. */
void jr_lines_commit(struct jr_lines *, size_t n);
/* Copies bytes in. */
void jr_lines_feed(struct jr_lines *, const void *, size_t);
/* The next complete line. */
enum jr_line jr_lines_next(struct jr_lines *, const char **line,
    size_t *len);
/* Bytes received and not yet handed out. */
size_t jr_lines_pending(const struct jr_lines *);
/* Frees a large buffer when nothing is pending (idle connections). */
void jr_lines_trim(struct jr_lines *);

enum jr_kind {
	JR_INVALID,		/* answer code/error with id (may be NULL) */
	JR_REQUEST,
	JR_NOTIFICATION,
	JR_RESPONSE,
	JR_BATCH,		/* root is a JSON array */
};

/* One classified message; pointers borrowed from root. */
struct jr_msg {
	enum jr_kind kind;
	json_t *root;		/* owned after jr_parse; NULL after jr_classify */
	json_t *id;		/* string or integer, or NULL */
	const char *method;
	json_t *params;		/* object or array, or NULL */
	int code;		/* JR_INVALID: the error code */
	const char *error;	/* JR_INVALID: its message */
	char errbuf[64];
};

/* Parses and classifies one line. */
void jr_parse(const char *line, size_t len, struct jr_msg *);
/* Classifies one value (a batch element); v stays the caller's. */
void jr_classify(json_t *v, struct jr_msg *);
/* Releases what jr_parse kept. */
void jr_msg_clear(struct jr_msg *);

/* Appends the JSON text of id, or null when id is NULL. */
void jr_put_id(struct jr_buf *, const json_t *id);
/* Appends text escaped as the inside of a JSON string (no quotes). */
void jr_put_escaped(struct jr_buf *, const char *, size_t);
/* Appends compact JSON text of v. */
void jr_put_json(struct jr_buf *, const json_t *v);
/* Appends a result line. */
void jr_result(struct jr_buf *, const json_t *id, const json_t *result);
/* Appends a result line whose result is JSON text (len bytes). */
void jr_result_text(struct jr_buf *, const json_t *id, const char *text,
    size_t len);
/* Appends an error line; data may be NULL. */
void jr_error(struct jr_buf *, const json_t *id, int code,
    const char *message, const json_t *data);
/* Appends a notification line; params may be NULL. */
void jr_notification(struct jr_buf *, const char *method,
    const json_t *params);
/* The same messages as objects (for batch replies). New references. */
json_t *jr_result_json(const json_t *id, json_t *result_stolen);
json_t *jr_error_json(const json_t *id, int code, const char *message,
    const json_t *data);

#endif
