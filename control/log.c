/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_prog = "fp-control";
static int log_level = FP_LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
fp_log_init(const char *prog, int level)
{
	log_prog = prog;
	log_level = level;
}

void
fp_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > log_level || level < FP_LOG_ERR)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent writers do not mix. */
	fprintf(stderr, "%s: %s: %s\n", log_prog, level_names[level], buf);
}
