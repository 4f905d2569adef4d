/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_log.h"

#include <errno.h>
#include <stdio.h>

#include <rte_log.h>

#include "log.h"

/* FP_LOG_* of the DPDK message being written. */
static int
cur_level(void)
{
	int l = rte_log_cur_msg_loglevel();

	if (l <= (int)RTE_LOG_ERR)
		return FP_LOG_ERR;
	if (l == (int)RTE_LOG_WARNING)
		return FP_LOG_WARN;
	return l >= (int)RTE_LOG_DEBUG ? FP_LOG_DEBUG : FP_LOG_INFO;
}

/* rte_vlog() flushes after each message: one call is one message. */
static ssize_t
stream_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	fp_log_text(cur_level(), buf, size);
	return (ssize_t)size;
}

int
fp_eal_log_open(void)
{
	static const cookie_io_functions_t io = { .write = stream_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return -errno;
	return rte_openlog_stream(f) == 0 ? 0 : -EINVAL;
}

void
fp_eal_log_level_set(int level)
{
	static const uint32_t rte_levels[] = {
		[FP_LOG_ERR] = RTE_LOG_ERR,
		[FP_LOG_WARN] = RTE_LOG_WARNING,
		[FP_LOG_INFO] = RTE_LOG_INFO,
		[FP_LOG_DEBUG] = RTE_LOG_DEBUG,
	};

	if (level < FP_LOG_ERR || level > FP_LOG_DEBUG)
		return;
	rte_log_set_global_level(rte_levels[level]);
}
