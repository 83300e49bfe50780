/*
 * The built-in embedder and the extractive summary: pure functions, no
 * PostgreSQL.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "services/memory.h"
#include "tests/unit/testutil.h"

/* Cosine of the built-in embeddings of two texts. */
static double
sim(const char *a, const char *b)
{
	float va[MEM_BUILTIN_DIMS], vb[MEM_BUILTIN_DIMS];

	mem_embed_builtin(a, va, MEM_BUILTIN_DIMS);
	mem_embed_builtin(b, vb, MEM_BUILTIN_DIMS);
	return (mem_cosine(va, vb, MEM_BUILTIN_DIMS));
}

START_TEST(test_normalised_deterministic)
{
	float a[MEM_BUILTIN_DIMS], b[MEM_BUILTIN_DIMS];
	double n = 0;
	size_t i;

	mem_embed_builtin("Reboot pve1 after the kernel update", a,
	    MEM_BUILTIN_DIMS);
	mem_embed_builtin("Reboot pve1 after the kernel update", b,
	    MEM_BUILTIN_DIMS);
	ck_assert_mem_eq(a, b, sizeof a);
	for (i = 0; i < MEM_BUILTIN_DIMS; i++)
		n += (double)a[i] * a[i];
	ck_assert_double_eq_tol(n, 1.0, 1e-5);
	/* No words at all still gives a unit vector. */
	mem_embed_builtin(" ... ", a, MEM_BUILTIN_DIMS);
	ck_assert_double_eq_tol(a[0], 1.0, 1e-6);
}
END_TEST

START_TEST(test_similarity_order)
{
	double same, forms, other;

	same = sim("The backup runs at night", "the BACKUP runs at night!");
	forms = sim("backups are running nightly", "the backup ran at night");
	other = sim("the backup runs at night", "VLAN 30 is for guests");
	ck_assert_double_eq_tol(same, 1.0, 1e-6);
	/* Word pieces shared by forms of a word count. */
	ck_assert_double_gt(forms, 0.3);
	ck_assert_double_lt(other, 0.15);
	ck_assert_double_gt(forms, other);
	/* Stop words alone say nothing. */
	ck_assert_double_lt(sim("it is the one that was there", "backup"),
	    0.2);
}
END_TEST

START_TEST(test_summary)
{
	const char *texts[] = {
		"The NAS backup runs at 02:00. It goes to the PBS datastore.",
		"The NAS backup runs at 02:00",
		"VLAN 30 is the guest network",
	};
	char *s = mem_summary_extract(texts, NULL, 3, MEM_BUILTIN_DIMS, 8);

	/* The repeated sentence appears once; every fact is kept. */
	ck_assert_ptr_nonnull(strstr(s, "NAS backup runs at 02:00"));
	ck_assert_ptr_null(strstr(strstr(s, "NAS backup") + 1, "NAS backup"));
	ck_assert_ptr_nonnull(strstr(s, "PBS datastore."));
	ck_assert_ptr_nonnull(strstr(s, "VLAN 30 is the guest network."));
	free(s);
	s = mem_summary_extract(texts, NULL, 3, MEM_BUILTIN_DIMS, 1);
	ck_assert_ptr_null(strstr(s, "VLAN"));
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("memory-embed");
	TCase *tc = tcase_create("embed");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_normalised_deterministic);
	tcase_add_test(tc, test_similarity_order);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}
