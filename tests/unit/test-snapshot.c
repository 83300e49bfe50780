/*
 * Snapshot store: readers keep old versions alive while newer ones are
 * published; errors keep the last data; many threads at once.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>

#include "core/jsonarena.h"
#include "core/snapshot.h"
#include "tests/unit/testutil.h"

static int
value_of(const struct snapshot *s)
{
	return ((int)json_integer_value(json_object_get(s->data, "v")));
}

START_TEST(test_empty_slot)
{
	struct snapshot_slot slot;

	snapshot_slot_init(&slot);
	ck_assert_ptr_null(snapshot_acquire(&slot));
	ck_assert_uint_eq(snapshot_generation(&slot), 0);
	ck_assert_int_eq(snapshot_age_ms(NULL), -1);
	snapshot_slot_finish(&slot);
}
END_TEST

START_TEST(test_reader_holds_old_version)
{
	struct snapshot_slot slot;
	struct snapshot *old, *cur;

	snapshot_slot_init(&slot);
	snapshot_publish(&slot, json_pack("{s:i}", "v", 1));
	old = snapshot_acquire(&slot);
	ck_assert_ptr_nonnull(old);
	snapshot_publish(&slot, json_pack("{s:i}", "v", 2));
	snapshot_publish(&slot, json_pack("{s:i}", "v", 3));
	cur = snapshot_acquire(&slot);
	/* The old reader still sees its own, intact version. */
	ck_assert_int_eq(value_of(old), 1);
	ck_assert_uint_eq(old->generation, 1);
	ck_assert_int_eq(value_of(cur), 3);
	ck_assert_uint_eq(cur->generation, 3);
	ck_assert_uint_eq(snapshot_generation(&slot), 3);
	snapshot_release(old);
	snapshot_release(cur);
	snapshot_slot_finish(&slot);
}
END_TEST

START_TEST(test_error_keeps_data)
{
	struct snapshot_slot slot;
	struct snapshot *s;

	snapshot_slot_init(&slot);
	snapshot_publish_error(&slot, 2, "connection refused");
	s = snapshot_acquire(&slot);
	ck_assert_ptr_null(s->data);
	ck_assert_str_eq(s->error, "connection refused");
	ck_assert_int_eq(snapshot_age_ms(s), -1);
	snapshot_release(s);

	snapshot_publish(&slot, json_pack("{s:i}", "v", 7));
	snapshot_publish_error(&slot, 3, "401 unauthorized");
	s = snapshot_acquire(&slot);
	ck_assert_int_eq(value_of(s), 7);
	ck_assert_str_eq(s->error, "401 unauthorized");
	ck_assert_int_eq(s->error_kind, 3);
	ck_assert_int_ge(snapshot_age_ms(s), 0);
	ck_assert_uint_eq(s->generation, 3);
	snapshot_release(s);
	/* A good poll clears the error. */
	snapshot_publish(&slot, json_pack("{s:i}", "v", 8));
	s = snapshot_acquire(&slot);
	ck_assert_ptr_null(s->error);
	ck_assert_int_eq(value_of(s), 8);
	snapshot_release(s);
	snapshot_slot_finish(&slot);
}
END_TEST

static atomic_int published_calls;

static void
on_publish(struct snapshot_slot *slot, void *arg)
{
	atomic_fetch_add(&published_calls, 1);
}

START_TEST(test_publish_hook)
{
	struct snapshot_slot slot;

	atomic_store(&published_calls, 0);
	snapshot_slot_init(&slot);
	slot.published = on_publish;
	snapshot_publish(&slot, json_object());
	snapshot_publish_error(&slot, 1, "x");
	ck_assert_int_eq(atomic_load(&published_calls), 2);
	snapshot_slot_finish(&slot);
}
END_TEST

struct race {
	struct snapshot_slot slot;
	atomic_bool stop;
	atomic_int bad;
};

static void *
reader(void *arg)
{
	struct race *r = arg;
	struct snapshot *s;
	int last = 0, v;

	while (!atomic_load(&r->stop)) {
		if ((s = snapshot_acquire(&r->slot)) == NULL)
			continue;
		v = value_of(s);
		/* Versions only move forward, and data matches generation. */
		if (v < last || (uint64_t)v != s->generation)
			atomic_fetch_add(&r->bad, 1);
		last = v;
		snapshot_release(s);
	}
	return (NULL);
}

START_TEST(test_concurrent_readers)
{
	struct race r;
	pthread_t t[3];
	int i;

	memset(&r, 0, sizeof r);
	snapshot_slot_init(&r.slot);
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, &r);
	for (i = 1; i <= 5000; i++)
		snapshot_publish(&r.slot, json_pack("{s:i}", "v", i));
	atomic_store(&r.stop, true);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&r.bad), 0);
	snapshot_slot_finish(&r.slot);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("core");

	/* As racktop runs: published trees packed into arenas. */
	json_arena_install();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty_slot);
	tcase_add_test(tc, test_reader_holds_old_version);
	tcase_add_test(tc, test_error_keeps_data);
	tcase_add_test(tc, test_publish_hook);
	tcase_add_test(tc, test_concurrent_readers);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
