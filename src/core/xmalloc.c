/*
 * Allocation wrappers that abort on exhaustion, and fatal exits.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

void (*fatal_hook)(void);

/* Allocate or die. */
void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatal("malloc %zu", size);
	return (p);
}

/* Allocate zeroed memory or die. */
void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		fatal("calloc %zu*%zu", n, size);
	return (p);
}

/* Resize or die. */
void *
xrealloc(void *p, size_t size)
{
	void *q;

	if (size == 0)
		size = 1;
	if ((q = realloc(p, size)) == NULL)
		fatal("realloc %zu", size);
	return (q);
}

/* Resize an array, checking the multiplication. */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("reallocarray overflow %zu*%zu", n, size);
	return (xrealloc(p, n * size));
}

/* Duplicate a string or die. */
char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return (p);
}

/* Duplicate at most n bytes of a string or die. */
char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		fatal("strndup");
	return (p);
}

/* Format into a new string or die; the caller frees *ret. */
int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int n;

	if ((n = vasprintf(ret, fmt, ap)) == -1)
		fatal("vasprintf");
	return (n);
}

/* Format into a new string or die; the caller frees *ret. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return (n);
}

static void __attribute__((format(printf, 2, 0), noreturn))
fatal_v(int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;

	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "racktop: fatal: ");
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	abort();
}

/* Report a failed system call and abort. */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_v(1, fmt, ap);
}

/* Report a broken invariant and abort. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_v(0, fmt, ap);
}
