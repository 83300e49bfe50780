/*
 * The levelled log and the audit log.
 *
 * The log goes to a file (or stderr before the terminal is taken, never
 * while curses runs). Each line carries time, level, thread name and the
 * message, and is written with one write(2) so lines from several threads
 * never interleave. Thread-safe.
 */
#ifndef RT_LOG_H
#define RT_LOG_H

#include <stdarg.h>

enum rt_log_level {
	RT_LOG_ERROR,
	RT_LOG_WARN,
	RT_LOG_INFO,
	RT_LOG_DEBUG,
};

/* Opens path for appending (NULL: stderr). Returns -1 and fills *cause. */
int log_open(const char *path, char **cause);
/* Stops writing to stderr (called before curses takes the terminal). */
void log_detach_stderr(void);
void log_close(void);
void log_set_level(enum rt_log_level);
enum rt_log_level log_get_level(void);
/* Names the calling thread in every line it logs (copied, <= 15 bytes). */
void log_set_thread(const char *name);
void log_msg(enum rt_log_level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(enum rt_log_level, const char *fmt, va_list)
    __attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(RT_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(RT_LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(RT_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(RT_LOG_DEBUG, __VA_ARGS__)

#endif
