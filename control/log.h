/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging for control/ programs (STYLE 8): one line per message on
 * stderr, "fp-control: <level>: <text>", no trailing newline in fmt.
 * Messages below the threshold (default FP_LOG_INFO) are dropped.
 */
#ifndef FP_CONTROL_LOG_H
#define FP_CONTROL_LOG_H

#define FP_LOG_ERR 0
#define FP_LOG_WARN 1
#define FP_LOG_INFO 2
#define FP_LOG_DEBUG 3

/** Set the program name printed first and the threshold. */
void fp_log_init(const char *prog, int level);

/** Log one message at level (FP_LOG_*). */
void fp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* FP_CONTROL_LOG_H */
