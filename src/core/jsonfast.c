/*
 * jsonfast: see jsonfast.h. The grammar is RFC 8259's; where jansson is
 * stricter (integers that overflow, lone surrogates, NUL in keys, depth)
 * this reader declines and jansson reports.
 */
#include "config.h" /* _GNU_SOURCE: strtod_l, so reals ignore the UI's locale */

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "xmalloc.h"

/* Deeper documents are rare enough to leave to jansson (and its limit). */
#define JF_MAX_DEPTH 256
/* Longer numbers are left to jansson too. */
#define JF_MAX_NUMBER 64

struct jf {
	const unsigned char *p;
	const unsigned char *end;
	size_t flags;
	int depth;
	char *scratch; /* unescaped string text; owned here */
	size_t scap;
};

/* Byte classes inside a string. */
enum { C_PLAIN, C_QUOTE, C_ESCAPE, C_CONTROL, C_HIGH };

static unsigned char str_class[256];
static locale_t c_locale;
static pthread_once_t jf_once = PTHREAD_ONCE_INIT;

static void
jf_init(void)
{
	int i;

	for (i = 0; i < 256; i++)
		str_class[i] = i < 0x20 ? C_CONTROL : i >= 0x80 ? C_HIGH :
		    C_PLAIN;
	str_class['"'] = C_QUOTE;
	str_class['\\'] = C_ESCAPE;
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static json_t *jf_value(struct jf *);

static void
jf_ws(struct jf *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/*
 * Length of the well-formed UTF-8 sequence at p (first byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF, as jansson.
 */
static size_t
jf_utf8(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t v;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else
		return (0);
	if ((size_t)(end - p) < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return (0);
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return (0);
	return (n);
}

static int
jf_hex4(const unsigned char *p, const unsigned char *end, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	if (end - p < 4)
		return (-1);
	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return (-1);
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return (0);
}

/* Makes room for n more bytes of scratch after used; -1 when out of memory. */
static int
jf_reserve(struct jf *s, size_t used, size_t n)
{
	size_t cap;
	char *p;

	if (s->scap - used >= n)
		return (0);
	cap = s->scap != 0 ? s->scap : 256;
	while (cap - used < n)
		cap *= 2;
	if ((p = realloc(s->scratch, cap)) == NULL)
		return (-1);
	s->scratch = p;
	s->scap = cap;
	return (0);
}

/*
 * The string whose opening quote is at s->p: its text in *out (the input
 * itself when it has no escapes, else s->scratch) and length in *len.
 */
static int
jf_string(struct jf *s, const char **out, size_t *len)
{
	const unsigned char *p = s->p + 1, *start = p, *end = s->end;
	size_t used, n;
	uint32_t u, lo;

	for (;;) {
		while (p < end && str_class[*p] == C_PLAIN)
			p++;
		if (p >= end)
			return (-1);
		if (*p == '"') {
			*out = (const char *)start;
			*len = (size_t)(p - start);
			s->p = p + 1;
			return (0);
		}
		if (*p == '\\')
			break;
		if (*p < 0x20 || (n = jf_utf8(p, end)) == 0)
			return (-1);
		p += n;
	}

	/* Escapes: unescape into scratch from here on. */
	used = (size_t)(p - start);
	if (jf_reserve(s, 0, used + 16) != 0)
		return (-1);
	memcpy(s->scratch, start, used);
	for (;;) {
		if (p >= end)
			return (-1);
		if (jf_reserve(s, used, 4) != 0)
			return (-1);
		switch (str_class[*p]) {
		case C_PLAIN:
			s->scratch[used++] = (char)*p++;
			continue;
		case C_QUOTE:
			*out = s->scratch;
			*len = used;
			s->p = p + 1;
			return (0);
		case C_CONTROL:
			return (-1);
		case C_HIGH:
			if ((n = jf_utf8(p, end)) == 0)
				return (-1);
			memcpy(s->scratch + used, p, n);
			used += n;
			p += n;
			continue;
		default:
			break;
		}
		if (++p >= end)
			return (-1);
		switch (*p++) {
		case '"': s->scratch[used++] = '"'; continue;
		case '\\': s->scratch[used++] = '\\'; continue;
		case '/': s->scratch[used++] = '/'; continue;
		case 'b': s->scratch[used++] = '\b'; continue;
		case 'f': s->scratch[used++] = '\f'; continue;
		case 'n': s->scratch[used++] = '\n'; continue;
		case 'r': s->scratch[used++] = '\r'; continue;
		case 't': s->scratch[used++] = '\t'; continue;
		case 'u': break;
		default: return (-1);
		}
		if (jf_hex4(p, end, &u) != 0)
			return (-1);
		p += 4;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return (-1);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    jf_hex4(p + 2, end, &lo) != 0 ||
			    lo < 0xDC00 || lo > 0xDFFF)
				return (-1);
			p += 6;
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
		}
		if (u == 0 && !(s->flags & JSON_ALLOW_NUL))
			return (-1);
		if (u < 0x80)
			s->scratch[used++] = (char)u;
		else if (u < 0x800) {
			s->scratch[used++] = (char)(0xC0 | (u >> 6));
			s->scratch[used++] = (char)(0x80 | (u & 0x3F));
		} else if (u < 0x10000) {
			s->scratch[used++] = (char)(0xE0 | (u >> 12));
			s->scratch[used++] = (char)(0x80 | ((u >> 6) & 0x3F));
			s->scratch[used++] = (char)(0x80 | (u & 0x3F));
		} else {
			s->scratch[used++] = (char)(0xF0 | (u >> 18));
			s->scratch[used++] = (char)(0x80 | ((u >> 12) & 0x3F));
			s->scratch[used++] = (char)(0x80 | ((u >> 6) & 0x3F));
			s->scratch[used++] = (char)(0x80 | (u & 0x3F));
		}
	}
}

static json_t *
jf_number(struct jf *s)
{
	const unsigned char *p = s->p, *start = p, *end = s->end;
	unsigned long long v = 0, limit;
	char buf[JF_MAX_NUMBER + 1], *stop;
	bool neg = false, is_int = true;
	double d;
	size_t n;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return (NULL);
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return (NULL);
	} else {
		limit = neg ? (unsigned long long)INT64_MAX + 1 :
		    (unsigned long long)INT64_MAX;
		while (p < end && *p >= '0' && *p <= '9') {
			if (v > (limit - (unsigned)(*p - '0')) / 10)
				is_int = false; /* too big: jansson says so */
			else
				v = v * 10 + (unsigned)(*p - '0');
			p++;
		}
		if (!is_int)
			return (NULL);
	}
	if (p < end && *p == '.') {
		is_int = false;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return (NULL);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_int = false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return (NULL);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	if (is_int) {
		if (neg)
			return (json_integer(v == 0 ? 0 :
			    (json_int_t)(-(long long)(v - 1) - 1)));
		return (json_integer((json_int_t)v));
	}
	n = (size_t)(p - start);
	if (n > JF_MAX_NUMBER || c_locale == (locale_t)0)
		return (NULL);
	memcpy(buf, start, n);
	buf[n] = '\0';
	errno = 0;
	d = strtod_l(buf, &stop, c_locale);
	if (stop != buf + n || ((d == HUGE_VAL || d == -HUGE_VAL) &&
	    errno == ERANGE) || !isfinite(d))
		return (NULL);
	return (json_real(d));
}

static json_t *
jf_literal(struct jf *s, const char *word, size_t n, json_t *v)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return (NULL);
	s->p += n;
	return (v);
}

static json_t *
jf_object(struct jf *s)
{
	json_t *obj, *v;
	const char *key;
	char *kcopy;
	size_t klen;

	if (++s->depth > JF_MAX_DEPTH)
		return (NULL);
	s->p++;
	if ((obj = json_object()) == NULL)
		return (NULL);
	jf_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return (obj);
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"' ||
		    jf_string(s, &key, &klen) != 0 ||
		    memchr(key, '\0', klen) != NULL)
			goto fail;
		/* An escaped key lives in scratch, which the value reuses. */
		kcopy = NULL;
		if (key == s->scratch) {
			if ((kcopy = malloc(klen + 1)) == NULL)
				goto fail;
			memcpy(kcopy, key, klen);
			key = kcopy;
		}
		jf_ws(s);
		if (s->p >= s->end || *s->p != ':') {
			free(kcopy);
			goto fail;
		}
		s->p++;
		if ((v = jf_value(s)) == NULL) {
			free(kcopy);
			goto fail;
		}
		if ((s->flags & JSON_REJECT_DUPLICATES) &&
		    json_object_getn(obj, key, klen) != NULL) {
			json_decref(v);
			free(kcopy);
			goto fail;
		}
		if (json_object_setn_new_nocheck(obj, key, klen, v) != 0) {
			free(kcopy);
			goto fail;
		}
		free(kcopy);
		jf_ws(s);
		if (s->p >= s->end)
			goto fail;
		if (*s->p == '}') {
			s->p++;
			s->depth--;
			return (obj);
		}
		if (*s->p != ',')
			goto fail;
		s->p++;
		jf_ws(s);
	}
fail:
	json_decref(obj);
	return (NULL);
}

static json_t *
jf_array(struct jf *s)
{
	json_t *arr, *v;

	if (++s->depth > JF_MAX_DEPTH)
		return (NULL);
	s->p++;
	if ((arr = json_array()) == NULL)
		return (NULL);
	jf_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		return (arr);
	}
	for (;;) {
		if ((v = jf_value(s)) == NULL ||
		    json_array_append_new(arr, v) != 0)
			goto fail;
		jf_ws(s);
		if (s->p >= s->end)
			goto fail;
		if (*s->p == ']') {
			s->p++;
			s->depth--;
			return (arr);
		}
		if (*s->p != ',')
			goto fail;
		s->p++;
	}
fail:
	json_decref(arr);
	return (NULL);
}

static json_t *
jf_value(struct jf *s)
{
	const char *text;
	size_t len;

	jf_ws(s);
	if (s->p >= s->end)
		return (NULL);
	switch (*s->p) {
	case '{':
		return (jf_object(s));
	case '[':
		return (jf_array(s));
	case '"':
		if (jf_string(s, &text, &len) != 0)
			return (NULL);
		return (json_stringn_nocheck(text, len));
	case 't':
		return (jf_literal(s, "true", 4, json_true()));
	case 'f':
		return (jf_literal(s, "false", 5, json_false()));
	case 'n':
		return (jf_literal(s, "null", 4, json_null()));
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return (jf_number(s));
		return (NULL);
	}
}

json_t *
jsonfast_parse(const char *buf, size_t len, size_t flags)
{
	struct jf s;
	json_t *v;

	if ((flags & ~(size_t)JSONFAST_FLAGS) != 0 || buf == NULL)
		return (NULL);
	pthread_once(&jf_once, jf_init);
	memset(&s, 0, sizeof s);
	s.p = (const unsigned char *)buf;
	s.end = s.p + len;
	s.flags = flags;
	v = jf_value(&s);
	free(s.scratch);
	if (v == NULL)
		return (NULL);
	jf_ws(&s);
	if (s.p != s.end || (!(flags & JSON_DECODE_ANY) &&
	    !json_is_object(v) && !json_is_array(v))) {
		json_decref(v);
		return (NULL);
	}
	return (v);
}

json_t *
jsonfast_load(const char *buf, size_t len, size_t flags, json_error_t *err)
{
	json_t *v;

	if ((v = jsonfast_parse(buf, len, flags)) != NULL)
		return (v);
	return (json_loadb(buf, len, flags, err));
}

/* The writer. */

#define JF_DUMP_MAX_DEPTH 2048

char *
jsonfast_reserve(struct jf_buf *b, size_t n)
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

static void
jf_put(struct jf_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(jsonfast_reserve(b, n), p, n);
	b->len += n;
}

#define JF_PUT(b, s) jf_put((b), (s), sizeof(s) - 1)

void
jsonfast_escape(struct jf_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, need = len, off = 0;
	bool inside;
	unsigned char ch;
	char *o;

	/* One pass to size, so the copy below never reallocates mid-way. */
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if (ch < 0x20)
			need += (ch == '\b' || ch == '\f' || ch == '\n' ||
			    ch == '\r' || ch == '\t') ? 1 : 5;
		else if (ch == '"' || ch == '\\')
			need++;
	}
	/* s may lie in b itself (escaping what was just written). */
	inside = b->data != NULL && s >= b->data && s < b->data + b->len;
	if (inside)
		off = (size_t)(s - b->data);
	o = jsonfast_reserve(b, need);
	if (inside)
		s = b->data + off;
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		*o++ = '\\';
		switch (ch) {
		case '"':
		case '\\':
			*o++ = (char)ch;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[ch >> 4];
			o[4] = hex[ch & 15];
			o += 5;
			break;
		}
	}
	b->len += need;
}

static void
jf_put_int(struct jf_buf *b, json_int_t v)
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
	jf_put(b, p, (size_t)(num + sizeof num - p));
}

/* As jansson's dtostr: %.17g in the C locale, a ".0" when it reads as an
 * integer, and the exponent without '+' or leading zeros. */
static void
jf_put_real(struct jf_buf *b, double d)
{
	char buf[48], *e, *from, *to;
	locale_t old;
	int n;

	if (!isfinite(d) || c_locale == (locale_t)0) {
		JF_PUT(b, "null");
		return;
	}
	old = uselocale(c_locale);
	n = snprintf(buf, sizeof buf - 2, "%.17g", d);
	uselocale(old);
	if (n < 0 || (size_t)n >= sizeof buf - 2) {
		JF_PUT(b, "null");
		return;
	}
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		to = e + 1;
		from = to;
		if (*from == '+')
			from++;
		else if (*from == '-')
			to = ++from;
		while (*from == '0' && from[1] != '\0')
			from++;
		if (from != to) {
			memmove(to, from, strlen(from) + 1);
			n = (int)strlen(buf);
		}
	}
	jf_put(b, buf, (size_t)n);
}

static void
jf_dump(struct jf_buf *b, const json_t *v, int depth)
{
	const char *key;
	json_t *item;
	size_t i, n;
	bool first;
	void *it;

	if (depth > JF_DUMP_MAX_DEPTH) {
		JF_PUT(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jf_put(b, "{", 1);
		first = true;
		for (it = json_object_iter((json_t *)v); it != NULL;
		    it = json_object_iter_next((json_t *)v, it)) {
			key = json_object_iter_key(it);
			if (!first)
				jf_put(b, ",", 1);
			first = false;
			jf_put(b, "\"", 1);
			jsonfast_escape(b, key, json_object_iter_key_len(it));
			jf_put(b, "\":", 2);
			jf_dump(b, json_object_iter_value(it), depth + 1);
		}
		jf_put(b, "}", 1);
		break;
	case JSON_ARRAY:
		jf_put(b, "[", 1);
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				jf_put(b, ",", 1);
			item = json_array_get(v, i);
			jf_dump(b, item, depth + 1);
		}
		jf_put(b, "]", 1);
		break;
	case JSON_STRING:
		jf_put(b, "\"", 1);
		jsonfast_escape(b, json_string_value(v), json_string_length(v));
		jf_put(b, "\"", 1);
		break;
	case JSON_INTEGER:
		jf_put_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		jf_put_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		JF_PUT(b, "true");
		break;
	case JSON_FALSE:
		JF_PUT(b, "false");
		break;
	default:
		JF_PUT(b, "null");
		break;
	}
}

void
jsonfast_dump(struct jf_buf *b, const json_t *v)
{
	if (v == NULL) {
		JF_PUT(b, "null");
		return;
	}
	pthread_once(&jf_once, jf_init);
	jf_dump(b, v, 0);
}
