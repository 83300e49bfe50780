/*
 * The levelled log: one line per message, "TIME LEVEL [thread] message",
 * built whole in a buffer and written with one write(2) under a mutex so
 * lines from several threads never interleave.
 *
 * DESIGN: any thread may log. The mutex guards the file descriptor and the
 * write; the level is an atomic so a filtered-out message costs one load
 * and takes no lock. Each thread names itself with log_set_thread (a
 * thread-local copy); a thread that never did shows as "?". Until
 * log_open names a file, and whenever it is given NULL, lines go to stderr;
 * log_detach_stderr stops that before curses takes the terminal.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

#define LOG_MAX_MESSAGE 4096	/* longer messages end in "..." */
#define LOG_MAX_PREFIX 64	/* time, level and [thread] */

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = STDERR_FILENO;	/* -1: nowhere */
static int log_file;			/* log_fd is a file we opened */
static int log_detached;		/* stderr is no longer ours */
static atomic_int log_level = RT_LOG_INFO;
static _Thread_local char log_thread[16];

static const char *log_level_names[] = {
	"ERROR", "WARN", "INFO", "DEBUG"
};

/* Opens path for appending (NULL: stderr). Returns -1 and fills *cause. */
int
log_open(const char *path, char **cause)
{
	int fd = -1;

	if (path != NULL) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		if (fd == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return (-1);
		}
	}
	pthread_mutex_lock(&log_mutex);
	if (log_file)
		close(log_fd);
	if (path != NULL) {
		log_fd = fd;
		log_file = 1;
	} else {
		log_fd = log_detached ? -1 : STDERR_FILENO;
		log_file = 0;
	}
	pthread_mutex_unlock(&log_mutex);
	return (0);
}

/* Stops writing to stderr (called before curses takes the terminal). */
void
log_detach_stderr(void)
{
	pthread_mutex_lock(&log_mutex);
	log_detached = 1;
	if (!log_file)
		log_fd = -1;
	pthread_mutex_unlock(&log_mutex);
}

/* Closes the log file; later lines go to stderr unless detached. */
void
log_close(void)
{
	pthread_mutex_lock(&log_mutex);
	if (log_file)
		close(log_fd);
	log_file = 0;
	log_fd = log_detached ? -1 : STDERR_FILENO;
	pthread_mutex_unlock(&log_mutex);
}

/* Sets the most verbose level that is written. */
void
log_set_level(enum rt_log_level level)
{
	atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

/* The most verbose level that is written. */
enum rt_log_level
log_get_level(void)
{
	return ((enum rt_log_level)atomic_load_explicit(&log_level,
	    memory_order_relaxed));
}

/* Names the calling thread in every line it logs (copied, <= 15 bytes). */
void
log_set_thread(const char *name)
{
	if (name == NULL)
		name = "";
	strncpy(log_thread, name, sizeof log_thread - 1);
	log_thread[sizeof log_thread - 1] = '\0';
}

/* Formats the current UTC time as 2026-11-25T10:00:00.123Z into buf. */
static size_t
log_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n, ".%03ldZ",
	    ts.tv_nsec / 1000000);
	return (n);
}

/* Writes all of buf to fd, retrying on EINTR and short writes. */
static void
log_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Logs one message at level, if the level is enabled. */
void
log_vmsg(enum rt_log_level level, const char *fmt, va_list ap)
{
	char line[LOG_MAX_PREFIX + LOG_MAX_MESSAGE + 2];
	const char *thread, *name;
	size_t off, i, end;
	int saved = errno, n;

	if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed))
		return;
	if ((u_int)level > RT_LOG_DEBUG)
		level = RT_LOG_DEBUG;
	name = log_level_names[level];
	thread = log_thread[0] != '\0' ? log_thread : "?";

	off = log_time(line, LOG_MAX_PREFIX);
	off += (size_t)snprintf(line + off, LOG_MAX_PREFIX - off, " %s [%s] ",
	    name, thread);

	n = vsnprintf(line + off, LOG_MAX_MESSAGE + 1, fmt, ap);
	if (n < 0)
		n = 0;
	if (n > LOG_MAX_MESSAGE) {
		end = off + LOG_MAX_MESSAGE;
		memcpy(line + end - 3, "...", 3);
	} else
		end = off + (size_t)n;
	/* A message cannot forge a line: no newline or control byte. */
	for (i = off; i < end; i++) {
		if ((u_char)line[i] < 0x20 && line[i] != '\t')
			line[i] = ' ';
		else if (line[i] == 0x7f)
			line[i] = ' ';
	}
	line[end++] = '\n';

	pthread_mutex_lock(&log_mutex);
	if (log_fd != -1)
		log_write(log_fd, line, end);
	pthread_mutex_unlock(&log_mutex);
	errno = saved;
}

/* Logs one message at level, if the level is enabled. */
void
log_msg(enum rt_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
