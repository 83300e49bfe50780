/*
 * The job queue and worker pool, and completion queues with a wakeup fd.
 *
 * Submitters (UI, MCP thread, CLI) hand a job to the pool; a worker runs it
 * and pushes it onto the job's completion queue, whose eventfd wakes the
 * submitter's poll loop. A job cancelled or past its deadline before a
 * worker picks it up is never run; a running job polls job_should_stop()
 * between upstream requests. Every job comes back through its completion
 * queue exactly once, whatever happened, so its owner can free it.
 *
 * Threads: job_pool_* and job_queue_push are safe from any thread;
 * job_queue_take belongs to the queue's owner.
 */
#ifndef RT_JOBS_H
#define RT_JOBS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum job_outcome {
	JOB_PENDING,
	JOB_DONE,	/* run() returned */
	JOB_CANCELLED,	/* cancelled before or while running */
	JOB_EXPIRED,	/* deadline passed before it ran */
};

struct job;
struct job_queue;

/* Progress from a running job; called on the worker thread. */
typedef void job_progress_fn(struct job *, double progress, double total,
    const char *message);

struct job {
	void (*run)(struct job *);	/* required; runs on a worker */
	void *arg;			/* the owner's */
	int64_t deadline_mono;		/* clock_mono_ms() deadline, 0: none */
	struct job_queue *done;		/* where the job comes back */
	job_progress_fn *progress;	/* may be NULL */
	atomic_bool cancelled;
	enum job_outcome outcome;	/* set before the job comes back */
	/*
	 * Set by run() to be run again after this many ms instead of
	 * coming back: a long wait (a task on an upstream) re-arms a timer
	 * between polls and holds no worker meanwhile.
	 */
	int64_t again_ms;
	int64_t due_mono;		/* owned by the pool */
	struct job *next;		/* queue link, owned by the queues */
};

/* A completion queue; its fd becomes readable when jobs are waiting. */
struct job_queue *job_queue_create(void);
void job_queue_destroy(struct job_queue *);
int job_queue_fd(struct job_queue *);
void job_queue_push(struct job_queue *, struct job *);
/* Takes every waiting job (oldest first), clearing the fd. */
struct job *job_queue_take(struct job_queue *);

struct job_pool;

struct job_pool *job_pool_create(int workers);
/* Stops accepting, lets queued jobs come back cancelled, joins workers. */
void job_pool_destroy(struct job_pool *);
void job_pool_submit(struct job_pool *, struct job *);
/* Queues a job to run no sooner than delay_ms from now. */
void job_pool_submit_after(struct job_pool *, struct job *, int64_t delay_ms);
/* Jobs waiting for a worker (for status and tests). */
int job_pool_queued(struct job_pool *);

/* Initialises a job before submission. */
void job_init(struct job *, void (*run)(struct job *), void *arg,
    struct job_queue *done);
/* Asks the job to stop; safe from any thread, any number of times. */
void job_cancel(struct job *);
bool job_is_cancelled(struct job *);
/* Whether the job should give up: cancelled or past its deadline. */
bool job_should_stop(struct job *);
/* Reports progress through the job's progress callback, if any. */
void job_progress(struct job *, double progress, double total,
    const char *message);

#endif
