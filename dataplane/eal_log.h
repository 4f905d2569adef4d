/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK's log through flowplane's logger (lib/log.h).
 *
 * fp_eal_log_open() gives DPDK (rte_openlog_stream()) a stdio stream made
 * with fopencookie() whose writes become fp_log_text() lines: the same
 * timestamp, program name and level as fp-dpdk's own messages, on stderr
 * (the journal), and nothing to syslog (EAL's default stream writes each
 * message to both stdout and syslog, so the journal had it twice).  The
 * level of a line is the level of the DPDK message being written
 * (rte_log_cur_msg_loglevel()); lines above fp-dpdk's threshold are
 * dropped.  Call it before rte_eal_init() so that EAL's own messages go
 * the same way.
 */
#ifndef FP_EAL_LOG_H
#define FP_EAL_LOG_H

/**
 * Send DPDK's log through lib/log.h.
 *
 * @return 0, or -errno from fopencookie()
 */
int fp_eal_log_open(void);

/**
 * Let DPDK format what the threshold lets through: its global level
 * follows fp-dpdk's (lib/log.h FP_LOG_*); per-type levels stay EAL's
 * (--log-level in eal.args).
 *
 * @param level FP_LOG_*
 */
void fp_eal_log_level_set(int level);

#endif /* FP_EAL_LOG_H */
