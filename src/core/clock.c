/*
 * Clocks and the test timeout scale.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "core/clock.h"

/* Monotonic milliseconds, for deadlines. */
int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Wall-clock milliseconds since the epoch, for records. */
int64_t
clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* The RT_TIMEOUT_SCALE multiplier: 1 unless the environment says more. */
int
clock_timeout_scale(void)
{
	const char *s = getenv("RT_TIMEOUT_SCALE");
	long v;
	char *end;

	if (s == NULL || *s == '\0')
		return (1);
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 100)
		return (1);
	return ((int)v);
}

/* A deadline length scaled for sanitizer builds. */
int64_t
clock_scaled_ms(int64_t ms)
{
	return (ms * clock_timeout_scale());
}
