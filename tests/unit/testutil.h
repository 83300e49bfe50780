/*
 * Helpers shared by the unit tests: deadlines scaled by RT_TIMEOUT_SCALE,
 * waiting on a condition instead of sleeping, private temporary folders.
 */
#ifndef RT_TESTUTIL_H
#define RT_TESTUTIL_H

#include <check.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"

/*
 * Polls cond every millisecond until it holds or ms (scaled) pass; true when
 * it held. The poll() is a bounded wait for a condition, not a sleep that
 * stands in for synchronisation.
 */
#define WAIT_FOR(cond, ms) __extension__({                                \
	int64_t wf_end_ = clock_mono_ms() + clock_scaled_ms(ms);          \
	bool wf_ok_ = false;                                              \
	for (;;) {                                                        \
		if (cond) {                                               \
			wf_ok_ = true;                                    \
			break;                                            \
		}                                                         \
		if (clock_mono_ms() > wf_end_)                            \
			break;                                            \
		poll(NULL, 0, 1);                                         \
	}                                                                 \
	wf_ok_;                                                           \
})

/* A fresh private folder under TMPDIR; the caller removes it (rm_rf). */
static inline char *
test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (base == NULL)
		base = "/tmp";
	if (asprintf(&p, "%s/rt-test.XXXXXX", base) == -1)
		abort();
	if (mkdtemp(p) == NULL)
		abort();
	return (p);
}

/* Removes a test folder and everything in it. */
static inline void
test_rm_rf(const char *dir)
{
	char *cmd;

	if (asprintf(&cmd, "rm -rf '%s'", dir) == -1)
		abort();
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
	free(cmd);
}

/* Writes text to dir/name with mode; returns the path (caller frees). */
static inline char *
test_write_file(const char *dir, const char *name, const char *text, int mode)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) == -1)
		abort();
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	if (chmod(path, (mode_t)mode) != 0)
		abort();
	return (path);
}

/* Runs a suite, returns the process exit status. */
static inline int
test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

#endif
