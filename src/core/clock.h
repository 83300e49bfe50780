/*
 * Time in milliseconds: monotonic for deadlines, wall for records. Tests
 * scale every deadline by RT_TIMEOUT_SCALE so sanitizer builds never flake.
 */
#ifndef RT_CLOCK_H
#define RT_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
/* Monotonic microseconds, for durations too short for ms. */
int64_t clock_mono_us(void);
int64_t clock_wall_ms(void);
/* RT_TIMEOUT_SCALE from the environment (>= 1), read once. */
int clock_timeout_scale(void);
/* ms multiplied by the timeout scale. */
int64_t clock_scaled_ms(int64_t ms);

#endif
