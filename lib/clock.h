/* SPDX-License-Identifier: BSD-3-Clause */
/* Time for measuring durations: CLOCK_MONOTONIC, never set back. */
#ifndef FP_LIB_CLOCK_H
#define FP_LIB_CLOCK_H

#include <stdint.h>

/** @return CLOCK_MONOTONIC in nanoseconds */
uint64_t fp_clock_now_ns(void);

/** @return CLOCK_MONOTONIC in milliseconds */
int64_t fp_clock_now_ms(void);

#endif /* FP_LIB_CLOCK_H */
