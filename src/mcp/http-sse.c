/*
 * Response streams of the HTTP transport: what a POST's request produced
 * (its progress, log messages, elicitation/create and reply) and the
 * session's GET stream, as JSON before the answer and as Server-Sent
 * Events after it.
 *
 * DESIGN: a stream's events are kept in one byte log with the offset of
 * each event, so a connection that reads it is only a position in that
 * log: a client that lost its connection sends GET with Last-Event-ID
 * "NUM-SEQ" and a new connection starts after that event (SEP-1699
 * polling and resumption). A reader with nothing left suspends its MHD
 * connection; hs_put resumes it. The GET stream's log is trimmed to the
 * output limit; a reader left behind the trim is ended.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "mcp/http-int.h"

/* A new stream of the session; id copied (NULL: the GET stream). */
struct hstream *
hs_new(struct hsess *s, const json_t *id)
{
	struct hstream *st = xcalloc(1, sizeof *st);

	st->sess = s;
	st->num = ++s->nstreams;
	st->id = id != NULL ? json_deep_copy(id) : NULL;
	jr_buf_init(&st->pre);
	jr_buf_init(&st->log);
	st->next = s->streams;
	s->streams = st;
	return (st);
}

/* Ends the reading connection's body (the stream is going). */
void
hs_detach(struct hconn *c)
{
	struct hstream *st = c->st;

	if (st == NULL)
		return;
	if (st->conn == c)
		st->conn = NULL;
	c->st = NULL;
	c->closing = true;
	if (c->suspended) {
		c->suspended = false;
		MHD_resume_connection(c->mc);
	}
}

/* Frees a stream. */
void
hs_free(struct hstream *st)
{
	struct hstream **pp;

	if (st->conn != NULL)
		hs_detach(st->conn);
	for (pp = &st->sess->streams; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	if (st->sess->get == st)
		st->sess->get = NULL;
	if (st->sess->cur == st)
		st->sess->cur = NULL;
	json_decref(st->id);
	jr_buf_free(&st->pre);
	jr_buf_free(&st->log);
	free(st->marks);
	free(st);
}

/* The stream of the request with this id. */
struct hstream *
hs_find(struct hsess *s, const json_t *id)
{
	struct hstream *st;

	for (st = s->streams; st != NULL; st = st->next)
		if (st->id != NULL && json_equal(st->id, id))
			return (st);
	return (NULL);
}

/* The stream numbered num. */
struct hstream *
hs_find_num(struct hsess *s, unsigned num)
{
	struct hstream *st;

	for (st = s->streams; st != NULL; st = st->next)
		if (st->num == num)
			return (st);
	return (NULL);
}

/* Wakes the reader. */
void
hs_wake(struct hstream *st)
{
	struct hconn *c = st->conn;

	if (c != NULL && c->suspended) {
		c->suspended = false;
		MHD_resume_connection(c->mc);
	}
}

/* A comment line: part of the event before it, ignored by clients. */
void
hs_comment(struct hstream *st)
{
	jr_buf_append(&st->log, ":\n\n", 3);
	hs_wake(st);
}

/* Appends one event; data is a JSON line with its "\n", or empty. */
static void
event(struct hstream *st, bool ids, const char *data, size_t len,
    int retry_ms)
{
	char head[96];
	int n = 0;

	if (st->nmarks == st->capmarks) {
		st->capmarks = st->capmarks == 0 ? 8 : st->capmarks * 2;
		st->marks = xreallocarray(st->marks, st->capmarks,
		    sizeof *st->marks);
	}
	st->marks[st->nmarks].seq = st->seq;
	st->marks[st->nmarks++].off = st->dropped + st->log.len;
	if (ids)
		n = snprintf(head, sizeof head, "id: %u-%llu\n", st->num,
		    (unsigned long long)st->seq);
	st->seq++;
	if (retry_ms > 0)
		n += snprintf(head + n, sizeof head - (size_t)n,
		    "retry: %d\n", retry_ms);
	jr_buf_append(&st->log, head, (size_t)n);
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len == 0) {
		jr_buf_append(&st->log, "data: \n\n", 8);
		return;
	}
	jr_buf_append(&st->log, "event: message\ndata: ", 21);
	/* Our JSON is compact: no newline inside a line. */
	jr_buf_append(&st->log, data, len);
	jr_buf_append(&st->log, "\n\n", 2);
}

/* Whether the stream's events carry ids (sessions do, 2026-07-28 not). */
static bool
with_ids(const struct hstream *st)
{
	return (st->sess->id[0] != '\0');
}

/* One line for the stream. */
void
hs_put(struct hstream *st, const char *line, size_t len, bool reply,
    int code)
{
	if (reply) {
		st->answered = true;
		st->reply_code = code;
	}
	if (!st->sse) {
		jr_buf_append(&st->pre, line, len);
		st->npre++;
		return;
	}
	event(st, with_ids(st), line, len, 0);
	hs_wake(st);
}

/* Turns the stream into SSE; prime: first an empty event with an id. */
void
hs_open(struct hstream *st, bool prime, int retry_ms)
{
	const char *p, *end, *nl;
	bool ids = with_ids(st);

	st->sse = true;
	if (prime && ids)
		event(st, true, "", 0, retry_ms);
	p = st->pre.data;
	end = p + st->pre.len;
	while (p != NULL && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl + 1 : end;
		event(st, ids, p, (size_t)(nl - p), 0);
		p = nl;
	}
	jr_buf_free(&st->pre);
	jr_buf_init(&st->pre);
	st->npre = 0;
}

/* Attaches c after event seq after (-1: from the start). */
int
hs_attach(struct hstream *st, struct hconn *c, int64_t after)
{
	size_t i;

	if (st->conn != NULL)
		hs_detach(st->conn);
	c->pos = st->dropped;
	if (after >= 0) {
		for (i = 0; i < st->nmarks; i++)
			if (st->marks[i].seq == (uint64_t)after)
				break;
		if (i == st->nmarks)
			return (-1);	/* trimmed or never sent */
		c->pos = i + 1 < st->nmarks ? st->marks[i + 1].off :
		    st->dropped + st->log.len;
	}
	st->conn = c;
	c->st = st;
	return (0);
}

/* Whether a finished stream was read to its end. */
bool
hs_drained(const struct hstream *st)
{
	return (st->answered && (st->conn == NULL ||
	    st->conn->pos == st->dropped + st->log.len));
}

/* MHD's content reader. */
ssize_t
hs_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct hconn *c = cls;
	struct hstream *st = c->st;
	uint64_t end;
	size_t n;

	(void)pos;
	if (st == NULL || c->closing)
		return (MHD_CONTENT_READER_END_OF_STREAM);
	end = st->dropped + st->log.len;
	if (c->pos < end) {
		n = (size_t)(end - c->pos);
		if (n > max)
			n = max;
		memcpy(buf, st->log.data + (c->pos - st->dropped), n);
		c->pos += n;
		return ((ssize_t)n);
	}
	if (st->answered && st != st->sess->get)
		return (MHD_CONTENT_READER_END_OF_STREAM);
	/* Nothing yet: hs_put resumes the connection. */
	c->suspended = true;
	MHD_suspend_connection(c->mc);
	return (0);
}

/* Keeps at most max bytes of the log. */
void
hs_trim(struct hstream *st, size_t max)
{
	size_t i, cut;

	if (st->log.len <= max)
		return;
	/* Drop whole events, oldest first, down to half of max. */
	for (i = 0; i < st->nmarks; i++)
		if (st->dropped + st->log.len - st->marks[i].off <= max / 2)
			break;
	if (i == st->nmarks)
		i = st->nmarks - 1;
	cut = (size_t)(st->marks[i].off - st->dropped);
	if (cut == 0)
		return;
	if (st->conn != NULL && st->conn->pos < st->marks[i].off)
		hs_detach(st->conn);	/* too slow: it lost events */
	jr_buf_consume(&st->log, cut);
	st->dropped += cut;
	memmove(st->marks, st->marks + i, (st->nmarks - i) * sizeof *st->marks);
	st->nmarks -= i;
}
