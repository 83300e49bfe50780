/*
 * Allocation that cannot fail, and the fatal exits for broken invariants.
 * Out of memory is a bug-class failure here, as in tmux and htop: the x*
 * wrappers abort rather than make every caller handle NULL.
 */
#ifndef RT_XMALLOC_H
#define RT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int xvasprintf(char **, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/* Set by the UI so a fatal exit restores the terminal first. */
extern void (*fatal_hook)(void);
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
