/*
 * Who may talk to the HTTP transport, as pure functions over header
 * values and a token file (tests/unit/test-mcp-http.c drives them):
 * DNS-rebinding checks of Host and Origin, bearer tokens compared in
 * constant time, and the 2026-07-28 base64 sentinel of header values.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "mcp/http-int.h"

/* Whether an authority (a host, maybe with a port) is loopback. */
static bool
loopback_authority(const char *a, size_t n)
{
	static const char *const names[] = { "localhost", "127.0.0.1",
	    "[::1]", NULL };
	size_t i, l;

	for (i = 0; names[i] != NULL; i++) {
		l = strlen(names[i]);
		if (n >= l && strncasecmp(a, names[i], l) == 0 &&
		    (n == l || a[l] == ':'))
			return (true);
	}
	return (false);
}

/*
 * DNS rebinding: the Host must be loopback (with allow_remote: anything),
 * and an Origin must be loopback or (allow_remote) the Host itself.
 * Either may be NULL (absent).
 */
bool
http_origin_ok(const char *host, const char *origin, bool allow_remote)
{
	const char *a;
	size_t n;

	if (host != NULL && !loopback_authority(host, strlen(host)) &&
	    !allow_remote)
		return (false);
	if (origin == NULL)
		return (true);
	if ((a = strstr(origin, "://")) == NULL)
		return (false);	/* "null" and the like */
	a += 3;
	n = strcspn(a, "/");
	if (loopback_authority(a, n))
		return (true);
	return (allow_remote && host != NULL && strlen(host) == n &&
	    strncasecmp(a, host, n) == 0);
}

/* Compares without leaking where the first difference is. */
static bool
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb + 1)]);
	return (d == 0);
}

/* The name of the token an Authorization header carries, or NULL. */
const char *
http_token_match(const struct http_token *t, size_t n, const char *auth)
{
	const char *tok;
	size_t i;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return (NULL);
	for (tok = auth + 7; *tok == ' '; tok++)
		;
	for (i = 0; i < n; i++)
		if (same_secret(tok, t[i].secret))
			return (t[i].name);
	return (NULL);
}

/* Frees tokens, wiping the secrets. */
void
http_tokens_free(struct http_token *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		explicit_bzero(t[i].secret, strlen(t[i].secret));
		free(t[i].secret);
		free(t[i].name);
	}
	free(t);
}

/*
 * Reads "NAME TOKEN" (or one bare "TOKEN", named "http") lines, # for
 * comments, from a regular file owned by us with mode 0600. -1 and
 * *cause (which never holds a token).
 */
int
http_tokens_load(const char *path, struct http_token **out, size_t *nout,
    char **cause)
{
	char line[1024], *p, *sp, *secret;
	struct http_token *t = NULL;
	const char *name;
	struct stat sb;
	size_t n = 0;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		xasprintf(cause, "http_token_file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != getuid() || (sb.st_mode & 077) != 0) {
		xasprintf(cause, "http_token_file %s: must be a regular file "
		    "owned by uid %u with mode 0600 (chmod 600 %s)", path,
		    (unsigned)getuid(), path);
		close(fd);
		return (-1);
	}
	if ((f = fdopen(fd, "r")) == NULL)
		fatal("fdopen");
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if ((sp = strpbrk(p, " \t")) != NULL) {
			*sp++ = '\0';
			while (*sp == ' ' || *sp == '\t')
				sp++;
			name = p;
			secret = sp;
		} else {
			name = "http";
			secret = p;
		}
		if (strlen(secret) < 16 || strpbrk(secret, " \t") != NULL) {
			xasprintf(cause, "http_token_file %s: the token of "
			    "\"%s\" is shorter than 16 characters or holds "
			    "spaces", path, name);
			explicit_bzero(line, sizeof line);
			fclose(f);
			http_tokens_free(t, n);
			return (-1);
		}
		t = xreallocarray(t, n + 1, sizeof *t);
		t[n].name = xstrdup(name);
		t[n++].secret = xstrdup(secret);
	}
	explicit_bzero(line, sizeof line);
	fclose(f);
	if (n == 0) {
		xasprintf(cause, "http_token_file %s: no token in it", path);
		return (-1);
	}
	*out = t;
	*nout = n;
	return (0);
}

/* Decodes base64 (RFC 4648, padding optional); NULL when invalid. */
static char *
base64_decode(const char *in, size_t n)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc(n * 3 / 4 + 4);
	const char *p;
	unsigned acc = 0;
	int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < n && in[i] != '='; i++) {
		if (in[i] == '\0' || (p = strchr(al, in[i])) == NULL) {
			free(out);
			return (NULL);
		}
		acc = (acc << 6) | (unsigned)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	for (; i < n; i++) {
		if (in[i] != '=') {	/* nothing after the padding */
			free(out);
			return (NULL);
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) != NULL) {
		free(out);
		return (NULL);
	}
	return (out);
}

/*
 * A header value, decoded when it is "=?base64?...?=" (2026-07-28 Value
 * Encoding); NULL when that is not valid. Caller frees.
 */
char *
http_header_value(const char *v)
{
	size_t n = strlen(v);

	if (n >= 11 && strncmp(v, "=?base64?", 9) == 0 &&
	    strcmp(v + n - 2, "?=") == 0)
		return (base64_decode(v + 9, n - 11));
	return (xstrdup(v));
}
