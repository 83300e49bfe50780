/*
 * Job pool: completions through the wakeup fd, cancellation before and
 * during a run, deadlines, and shutdown with queued jobs.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>

#include "core/jobs.h"
#include "tests/unit/testutil.h"

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	atomic_int entered;
	atomic_int ran;
	atomic_int saw_cancel;
};

static struct gate gate;

static void
gate_reset(void)
{
	pthread_mutex_init(&gate.lock, NULL);
	pthread_cond_init(&gate.cond, NULL);
	gate.open = false;
	atomic_store(&gate.entered, 0);
	atomic_store(&gate.ran, 0);
	atomic_store(&gate.saw_cancel, 0);
}

static void
gate_open(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.open = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

/* Blocks until the gate opens. */
static void
run_gated(struct job *j)
{
	atomic_fetch_add(&gate.entered, 1);
	pthread_mutex_lock(&gate.lock);
	while (!gate.open)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	atomic_fetch_add(&gate.ran, 1);
}

/* Counts a run. */
static void
run_count(struct job *j)
{
	atomic_fetch_add(&gate.ran, 1);
}

/* Spins until cancelled, the way a tool checks between requests. */
static void
run_until_cancelled(struct job *j)
{
	atomic_fetch_add(&gate.entered, 1);
	while (!job_should_stop(j))
		poll(NULL, 0, 1);
	atomic_fetch_add(&gate.saw_cancel, 1);
}

/* Collects completions from q until n came back or the deadline. */
static int
collect(struct job_queue *q, struct job **got, int n, int ms)
{
	struct pollfd pfd = { .fd = job_queue_fd(q), .events = POLLIN };
	int64_t end = clock_mono_ms() + clock_scaled_ms(ms);
	struct job *j;
	int have = 0;

	while (have < n && clock_mono_ms() < end) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		for (j = job_queue_take(q); j != NULL; j = j->next)
			got[have++] = j;
	}
	return (have);
}

START_TEST(test_completion_wakes_fd)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(2);
	struct job jobs[10], *got[10];
	int i;

	gate_reset();
	for (i = 0; i < 10; i++) {
		job_init(&jobs[i], run_count, NULL, q);
		job_pool_submit(p, &jobs[i]);
	}
	ck_assert_int_eq(collect(q, got, 10, 5000), 10);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(got[i]->outcome, JOB_DONE);
	ck_assert_int_eq(atomic_load(&gate.ran), 10);
	job_pool_destroy(p);
	job_queue_destroy(q);
}
END_TEST

START_TEST(test_cancelled_job_never_runs)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(1);
	struct job blocker, victim, *got[2];

	gate_reset();
	job_init(&blocker, run_gated, NULL, q);
	job_init(&victim, run_count, NULL, q);
	job_pool_submit(p, &blocker);
	ck_assert(WAIT_FOR(atomic_load(&gate.entered) == 1, 5000));
	/* The only worker is busy, so the victim waits in the queue. */
	job_pool_submit(p, &victim);
	ck_assert_int_eq(job_pool_queued(p), 1);
	job_cancel(&victim);
	gate_open();
	ck_assert_int_eq(collect(q, got, 2, 5000), 2);
	ck_assert_int_eq(blocker.outcome, JOB_DONE);
	ck_assert_int_eq(victim.outcome, JOB_CANCELLED);
	/* Only the blocker ran. */
	ck_assert_int_eq(atomic_load(&gate.ran), 1);
	job_pool_destroy(p);
	job_queue_destroy(q);
}
END_TEST

START_TEST(test_cancel_running_job)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(2);
	struct job j, *got[1];

	gate_reset();
	job_init(&j, run_until_cancelled, NULL, q);
	job_pool_submit(p, &j);
	ck_assert(WAIT_FOR(atomic_load(&gate.entered) == 1, 5000));
	ck_assert_int_eq(collect(q, got, 1, 50), 0);
	job_cancel(&j);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_int_eq(j.outcome, JOB_CANCELLED);
	ck_assert_int_eq(atomic_load(&gate.saw_cancel), 1);
	job_pool_destroy(p);
	job_queue_destroy(q);
}
END_TEST

START_TEST(test_deadline_fires)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(2);
	struct job running, expired, *got[2];

	gate_reset();
	/* A running job sees its deadline through job_should_stop. */
	job_init(&running, run_until_cancelled, NULL, q);
	running.deadline_mono = clock_mono_ms() + 20;
	job_pool_submit(p, &running);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_int_eq(atomic_load(&gate.saw_cancel), 1);
	ck_assert_int_eq(running.outcome, JOB_DONE);

	/* A job whose deadline passed while queued never runs. */
	job_init(&expired, run_count, NULL, q);
	expired.deadline_mono = clock_mono_ms() - 1;
	job_pool_submit(p, &expired);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_int_eq(expired.outcome, JOB_EXPIRED);
	ck_assert_int_eq(atomic_load(&gate.ran), 0);
	job_pool_destroy(p);
	job_queue_destroy(q);
}
END_TEST

/* Opens the gate once the pool has taken back its queued jobs. */
static void *
open_after_drain(void *arg)
{
	struct job_pool *p = arg;

	if (!WAIT_FOR(job_pool_queued(p) == 0, 5000))
		fprintf(stderr, "queue was not drained\n");
	gate_open();
	return (NULL);
}

START_TEST(test_shutdown_returns_queued)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(1);
	struct job blocker, queued[3], *got[4];
	pthread_t opener;
	int i;

	gate_reset();
	job_init(&blocker, run_gated, NULL, q);
	job_pool_submit(p, &blocker);
	ck_assert(WAIT_FOR(atomic_load(&gate.entered) == 1, 5000));
	for (i = 0; i < 3; i++) {
		job_init(&queued[i], run_count, NULL, q);
		job_pool_submit(p, &queued[i]);
	}
	/* Destroy waits for the running job: open the gate from a thread. */
	pthread_create(&opener, NULL, open_after_drain, p);
	job_pool_destroy(p);
	pthread_join(opener, NULL);
	ck_assert_int_eq(collect(q, got, 4, 5000), 4);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(queued[i].outcome, JOB_CANCELLED);
	ck_assert_int_eq(blocker.outcome, JOB_DONE);
	ck_assert_int_eq(atomic_load(&gate.ran), 1);
	job_queue_destroy(q);
}
END_TEST

/* Asks to run again twice, 30 ms apart, then finishes. */
static void
run_in_steps(struct job *j)
{
	if (atomic_fetch_add(&gate.entered, 1) < 2)
		j->again_ms = 30;
}

START_TEST(test_again_frees_the_worker)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(1);
	struct job stepper, quick, *got[2];

	gate_reset();
	job_init(&stepper, run_in_steps, NULL, q);
	job_init(&quick, run_count, NULL, q);
	job_pool_submit(p, &stepper);
	ck_assert(WAIT_FOR(atomic_load(&gate.entered) >= 1, 5000));
	/* The only worker is free while the stepper waits for its timer. */
	job_pool_submit(p, &quick);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_ptr_eq(got[0], &quick);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_ptr_eq(got[0], &stepper);
	ck_assert_int_eq(stepper.outcome, JOB_DONE);
	ck_assert_int_eq(atomic_load(&gate.entered), 3);
	job_pool_destroy(p);
	job_queue_destroy(q);
}
END_TEST

START_TEST(test_cancelled_while_waiting_for_timer)
{
	struct job_queue *q = job_queue_create();
	struct job_pool *p = job_pool_create(1);
	struct job stepper, *got[1];

	gate_reset();
	job_init(&stepper, run_in_steps, NULL, q);
	job_pool_submit_after(p, &stepper, 60000);
	job_cancel(&stepper);
	/* Destroying the pool hands the waiting job back, cancelled. */
	job_pool_destroy(p);
	ck_assert_int_eq(collect(q, got, 1, 5000), 1);
	ck_assert_int_eq(stepper.outcome, JOB_CANCELLED);
	ck_assert_int_eq(atomic_load(&gate.entered), 0);
	job_queue_destroy(q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_completion_wakes_fd);
	tcase_add_test(tc, test_cancelled_job_never_runs);
	tcase_add_test(tc, test_cancel_running_job);
	tcase_add_test(tc, test_deadline_fires);
	tcase_add_test(tc, test_shutdown_returns_queued);
	tcase_add_test(tc, test_again_frees_the_worker);
	tcase_add_test(tc, test_cancelled_while_waiting_for_timer);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
