/*
 * Inside the HTTP transport (http.c: listener, requests, sessions;
 * http-sse.c: response streams and their event logs). Everything here
 * belongs to the listener's thread.
 */
#ifndef RT_MCP_HTTP_INT_H
#define RT_MCP_HTTP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "core/call.h"
#include "mcp/jsonrpc.h"

struct hsess;
struct mcp_http;
struct hconn;

/* Where one event starts in a stream's log. */
struct hmark {
	uint64_t seq;
	uint64_t off;		/* absolute byte offset */
};

/*
 * A response stream: a POST's (the messages of one request, then its
 * reply) or the session's GET stream. Before the POST is answered the
 * messages wait in pre; once it is an SSE stream they are events in log,
 * which stays for Last-Event-ID replay after the connection goes.
 */
struct hstream {
	struct hsess *sess;
	unsigned num;		/* event ids are "NUM-SEQ" */
	json_t *id;		/* the request's id (owned), or NULL */
	bool batch;		/* a 2025-03-26 batch's (replies: an array) */
	struct jr_buf pre;	/* JSON lines before the answer */
	int npre;
	bool sse;		/* answered as an event stream */
	bool answered;		/* the reply is in */
	int reply_code;		/* its JSON-RPC error code, 0: a result */
	struct jr_buf log;	/* SSE bytes from offset dropped */
	uint64_t dropped;	/* bytes trimmed off the front */
	struct hmark *marks;
	size_t nmarks, capmarks;
	uint64_t seq;
	struct hconn *conn;	/* the connection reading it, or NULL */
	int64_t close_at;	/* mono ms to end a POST stream; 0: never */
	int64_t keepalive_at;	/* GET: mono ms of the next comment */
	struct hstream *next;
};

/* One HTTP request in flight (MHD's per-connection closure). */
struct hconn {
	struct mcp_http *h;
	struct MHD_Connection *mc;
	struct MHD_Daemon *d;
	int method;		/* HM_* */
	struct jr_buf body;
	bool toobig;
	bool done;		/* answered */
	struct hstream *st;	/* the stream it reads, or NULL */
	uint64_t pos;		/* absolute offset read up to */
	bool suspended;
	bool closing;		/* end the body at the next read */
	struct hsess *own;	/* a sessionless (2026-07-28) session */
	struct hconn *next;	/* the listener's list */
};

#define HM_OTHER 0
#define HM_POST 1
#define HM_GET 2
#define HM_DELETE 3

/* One MCP session over HTTP (2026-07-28: one per POST, no id). */
struct hsess {
	struct mcp_http *h;
	char id[33];		/* Mcp-Session-Id; "" when sessionless */
	struct proto_session *ps;
	struct hstream *streams;
	struct hstream *get;	/* the GET stream, or NULL */
	struct hstream *cur;	/* the POST being dispatched */
	unsigned nstreams;
	int64_t used;		/* mono ms of the last request */
	struct hsess *prev, *next;
};

/* http-auth.c */
struct http_token {
	char *name;
	char *secret;
};
bool http_origin_ok(const char *host, const char *origin, bool allow_remote);
const char *http_token_match(const struct http_token *, size_t,
    const char *authorization);
int http_tokens_load(const char *path, struct http_token **, size_t *,
    char **cause);
void http_tokens_free(struct http_token *, size_t);
char *http_header_value(const char *);

/* http-sse.c */
struct hstream *hs_new(struct hsess *, const json_t *id);
/* Frees the stream and unlinks it from its session; detaches readers. */
void hs_free(struct hstream *);
struct hstream *hs_find(struct hsess *, const json_t *id);
struct hstream *hs_find_num(struct hsess *, unsigned num);
/* Receives one JSON-RPC line (with "\n") for the stream. */
void hs_put(struct hstream *, const char *line, size_t len, bool reply,
    int code);
/*
 * Turns the stream into SSE: with prime, first an event with an id, a
 * retry field and no data (SEP-1699, 2025-11-25); then what waited in
 * pre. Events carry ids in sessions (2026-07-28 streams do not resume).
 */
void hs_open(struct hstream *, bool prime, int retry_ms);
/* Attaches a connection, reading from after event seq (-1: start). */
int hs_attach(struct hstream *, struct hconn *, int64_t after);
void hs_detach(struct hconn *);
/* Appends an SSE comment (a keep-alive; clients ignore it). */
void hs_comment(struct hstream *);
/* Wakes the reading connection, if it waits. */
void hs_wake(struct hstream *);
/* Whether every byte of a finished stream was read. */
bool hs_drained(const struct hstream *);
/* MHD's content reader over a stream. */
ssize_t hs_read(void *cls, uint64_t pos, char *buf, size_t max);
/* Keeps at most max bytes of log; readers behind are ended. */
void hs_trim(struct hstream *, size_t max);

#endif
