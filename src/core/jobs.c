/*
 * Worker pool and completion queues.
 *
 * DESIGN: one mutex+condvar queue feeds N workers (redis bio.c style, but
 * shared: any worker takes any job, so one slow upstream never starves the
 * others beyond the jobs it occupies). Completions go to per-owner queues
 * signalled by an eventfd, which the owner's poll loop watches.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/xmalloc.h"

struct job_queue {
	pthread_mutex_t lock;
	struct job *head, *tail;
	int fd;
};

struct job_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	struct job *timed;		/* delayed jobs, soonest first */
	int queued;
	int idle;			/* workers waiting on cond */
	int wakes;			/* signals not yet taken by a worker */
	int spinners;			/* workers spinning (0 or 1) */
	atomic_int ready;		/* queued, readable without the lock */
	atomic_bool stop_flag;
	bool stopping;
	int nworkers;
	pthread_t *workers;
};

/* Creates an empty completion queue. */
struct job_queue *
job_queue_create(void)
{
	struct job_queue *q = xcalloc(1, sizeof *q);

	pthread_mutex_init(&q->lock, NULL);
	if ((q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("eventfd");
	return (q);
}

/* Destroys a queue; jobs still in it belong to nobody and are lost. */
void
job_queue_destroy(struct job_queue *q)
{
	if (q == NULL)
		return;
	close(q->fd);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* The fd to poll for completions. */
int
job_queue_fd(struct job_queue *q)
{
	return (q->fd);
}

/* Appends a finished job and wakes the owner. */
void
job_queue_push(struct job_queue *q, struct job *j)
{
	uint64_t one = 1;
	bool was_empty;

	j->next = NULL;
	pthread_mutex_lock(&q->lock);
	was_empty = q->head == NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	/*
	 * Only the empty -> non-empty step needs a wakeup: the owner clears
	 * the fd before it takes the whole list, so a job appended to a
	 * non-empty list is always taken with the one that woke it. The
	 * write happens under the lock: once it is released the owner may
	 * take this job and destroy the queue, so q must not be touched
	 * after (valgrind's timing showed a write to the closed eventfd).
	 */
	if (was_empty && write(q->fd, &one, sizeof one) == -1 &&
	    errno != EAGAIN)
		fatal("eventfd write");
	pthread_mutex_unlock(&q->lock);
}

/* Takes all finished jobs, oldest first. */
struct job *
job_queue_take(struct job_queue *q)
{
	struct job *list;
	uint64_t n;

	if (read(q->fd, &n, sizeof n) == -1 && errno != EAGAIN)
		fatal("eventfd read");
	pthread_mutex_lock(&q->lock);
	list = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	return (list);
}

/* Prepares a job for submission. */
void
job_init(struct job *j, void (*run)(struct job *), void *arg,
    struct job_queue *done)
{
	j->run = run;
	j->arg = arg;
	j->deadline_mono = 0;
	j->done = done;
	j->progress = NULL;
	atomic_init(&j->cancelled, false);
	j->outcome = JOB_PENDING;
	j->again_ms = 0;
	j->due_mono = 0;
	j->next = NULL;
}

/* Marks a job cancelled. */
void
job_cancel(struct job *j)
{
	atomic_store_explicit(&j->cancelled, true, memory_order_release);
}

/* Whether the job was cancelled. */
bool
job_is_cancelled(struct job *j)
{
	return (atomic_load_explicit(&j->cancelled, memory_order_acquire));
}

/* Whether a running job should stop now. */
bool
job_should_stop(struct job *j)
{
	if (job_is_cancelled(j))
		return (true);
	return (j->deadline_mono != 0 && clock_mono_ms() >= j->deadline_mono);
}

/* Forwards progress to the owner's callback. */
void
job_progress(struct job *j, double progress, double total, const char *msg)
{
	if (j->progress != NULL && !job_is_cancelled(j))
		j->progress(j, progress, total, msg);
}

static void
job_finish(struct job *j, enum job_outcome outcome)
{
	j->outcome = outcome;
	if (j->done != NULL)
		job_queue_push(j->done, j);
}

/* Moves due timed jobs to the run queue; returns ms to the next, or -1. */
static int64_t
promote_due(struct job_pool *p)
{
	int64_t now = clock_mono_ms();
	struct job *j;

	while ((j = p->timed) != NULL && (j->due_mono <= now ||
	    job_is_cancelled(j))) {
		p->timed = j->next;
		j->next = NULL;
		if (p->tail != NULL)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		atomic_store_explicit(&p->ready, p->queued,
		    memory_order_release);
	}
	return (p->timed != NULL ? p->timed->due_mono - now : -1);
}

/* Inserts a job into the timed list, keeping it sorted. Locked. */
static void
insert_timed(struct job_pool *p, struct job *j)
{
	struct job **pp = &p->timed;

	while (*pp != NULL && (*pp)->due_mono <= j->due_mono)
		pp = &(*pp)->next;
	j->next = *pp;
	*pp = j;
	/* A sleeping worker may need to wake sooner. */
	pthread_cond_broadcast(&p->cond);
}

/*
 * How long an idle worker watches the queue before it sleeps. A handoff
 * to a sleeping thread costs a futex wake and a context switch, which is
 * most of a short call's latency; one worker at a time spins this long.
 */
#define JOB_SPIN_NS 30000


/* Spins (unlocked) until a job is ready or the spin ends. Called locked. */
static void
spin_for_job(struct job_pool *p)
{
	struct timespec t0, t;
	int i;

	p->spinners++;
	pthread_mutex_unlock(&p->lock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0;; i++) {
		if (atomic_load_explicit(&p->ready, memory_order_acquire) > 0 ||
		    atomic_load_explicit(&p->stop_flag, memory_order_relaxed))
			break;
		if ((i & 7) == 7) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			    (t.tv_nsec - t0.tv_nsec) > JOB_SPIN_NS)
				break;
		}
		/* Yield, not pause: the client may share this core. */
		sched_yield();
	}
	pthread_mutex_lock(&p->lock);
	p->spinners--;
}

/* Waits for a job; NULL when the pool stops. Called locked. */
static struct job *
next_job(struct job_pool *p)
{
	struct timespec until;
	struct job *j;
	int64_t wait, at;

	bool spun = false;

	for (;;) {
		wait = promote_due(p);
		if (p->head != NULL)
			break;
		if (p->stopping)
			return (NULL);
		if (!spun && p->spinners == 0) {
			spun = true;
			spin_for_job(p);
			continue;
		}
		spun = false;
		p->idle++;
		if (wait < 0)
			pthread_cond_wait(&p->cond, &p->lock);
		else {
			at = clock_wall_ms() + wait;
			until.tv_sec = at / 1000;
			until.tv_nsec = (at % 1000) * 1000000;
			pthread_cond_timedwait(&p->cond, &p->lock, &until);
		}
		p->idle--;
		if (p->wakes > 0)
			p->wakes--;
	}
	j = p->head;
	if ((p->head = j->next) == NULL)
		p->tail = NULL;
	p->queued--;
	atomic_store_explicit(&p->ready, p->queued, memory_order_release);
	return (j);
}

static void *
worker_main(void *arg)
{
	struct job_pool *p = arg;
	struct job *j;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	log_set_thread("worker");
	for (;;) {
		pthread_mutex_lock(&p->lock);
		j = next_job(p);
		pthread_mutex_unlock(&p->lock);
		if (j == NULL)
			break;

		if (job_is_cancelled(j))
			job_finish(j, JOB_CANCELLED);
		else if (j->deadline_mono != 0 &&
		    clock_mono_ms() >= j->deadline_mono)
			job_finish(j, JOB_EXPIRED);
		else {
			j->again_ms = 0;
			j->run(j);
			if (j->again_ms > 0 && !job_is_cancelled(j))
				job_pool_submit_after(p, j, j->again_ms);
			else
				job_finish(j, job_is_cancelled(j) ?
				    JOB_CANCELLED : JOB_DONE);
		}
	}
	return (NULL);
}

/* Starts a pool of workers threads. */
struct job_pool *
job_pool_create(int workers)
{
	struct job_pool *p = xcalloc(1, sizeof *p);
	int i;

	if (workers < 1)
		workers = 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->nworkers = workers;
	p->workers = xcalloc((size_t)workers, sizeof *p->workers);
	for (i = 0; i < workers; i++) {
		if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0)
			fatalx("pthread_create failed");
	}
	return (p);
}

/* Stops the pool: queued jobs come back cancelled, running ones finish. */
void
job_pool_destroy(struct job_pool *p)
{
	struct job *j, *next;
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	atomic_store(&p->stop_flag, true);
	/* Timed jobs come back cancelled too: put them on the run list. */
	if (p->timed != NULL) {
		if (p->tail != NULL)
			p->tail->next = p->timed;
		else
			p->head = p->timed;
		p->timed = NULL;
	}
	j = p->head;
	p->head = p->tail = NULL;
	p->queued = 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		job_cancel(j);
		job_finish(j, JOB_CANCELLED);
	}
	for (i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i], NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}

/* Queues a job for the next free worker. */
void
job_pool_submit(struct job_pool *p, struct job *j)
{
	j->next = NULL;
	j->outcome = JOB_PENDING;
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		job_cancel(j);
		job_finish(j, JOB_CANCELLED);
		return;
	}
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	atomic_store_explicit(&p->ready, p->queued, memory_order_release);
	/*
	 * Wake a sleeper only for a job that no spinning worker and no
	 * wakeup already on its way will take: a busy pool costs no syscall.
	 */
	if (p->idle > p->wakes && p->queued > p->spinners + p->wakes) {
		p->wakes++;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

/* Queues a job to run after a delay. */
void
job_pool_submit_after(struct job_pool *p, struct job *j, int64_t delay_ms)
{
	j->outcome = JOB_PENDING;
	j->due_mono = clock_mono_ms() + delay_ms;
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		job_cancel(j);
		job_finish(j, JOB_CANCELLED);
		return;
	}
	insert_timed(p, j);
	pthread_mutex_unlock(&p->lock);
}

/* How many jobs wait for a worker. */
int
job_pool_queued(struct job_pool *p)
{
	int n;

	pthread_mutex_lock(&p->lock);
	n = p->queued;
	pthread_mutex_unlock(&p->lock);
	return (n);
}
