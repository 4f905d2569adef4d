/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FP_LOG_LINE_MAX 2048 /* longest line written; longer text is cut */

static const char *log_prog = "flowplane";
static volatile int log_level = FP_LOG_INFO;
static char log_path[FP_LOG_PATH_MAX];

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static int
level_clamp(int level)
{
	if (level < FP_LOG_ERR)
		return FP_LOG_ERR;
	return level > FP_LOG_DEBUG ? FP_LOG_DEBUG : level;
}

void
fp_log_init(const char *prog, int level)
{
	log_prog = prog;
	log_level = level_clamp(level);
}

void
fp_log_level_set(int level)
{
	log_level = level_clamp(level);
}

int
fp_log_level_get(void)
{
	return log_level;
}

int
fp_log_level_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -EINVAL;
	for (i = FP_LOG_ERR; i <= FP_LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	if (strcmp(name, "warn") == 0)
		return FP_LOG_WARN;
	return -EINVAL;
}

const char *
fp_log_level_name(int level)
{
	if (level < FP_LOG_ERR || level > FP_LOG_DEBUG)
		return "?";
	return level_names[level];
}

/* Open path for appending and put it on fd 2. */
static int
file_to_stderr(const char *path)
{
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	fflush(stderr);
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) < 0)
			rc = -errno;
		close(fd);
	}
	return rc;
}

int
fp_log_file_open(const char *path)
{
	int rc;

	if (path == NULL || strlen(path) >= sizeof(log_path))
		return -ENAMETOOLONG;
	rc = file_to_stderr(path);
	if (rc == 0)
		snprintf(log_path, sizeof(log_path), "%s", path);
	return rc;
}

int
fp_log_file_reopen(void)
{
	if (log_path[0] == '\0')
		return 0;
	return file_to_stderr(log_path);
}

const char *
fp_log_file_path(void)
{
	return log_path[0] != '\0' ? log_path : NULL;
}

bool
fp_log_opt(struct fp_log_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'v':
		o->level = FP_LOG_DEBUG;
		return true;
	case 'q':
		o->level = o->level == FP_LOG_WARN ? FP_LOG_ERR : FP_LOG_WARN;
		return true;
	case FP_LOG_OPT_FILE:
		o->file = arg;
		return true;
	default:
		return false;
	}
}

int
fp_log_reload(int level, const struct fp_log_opts *o)
{
	int rc = fp_log_file_reopen();

	if (rc < 0)
		fp_log(FP_LOG_ERR, "reload: log file %s: %s", log_path, strerror(-rc));
	else if (log_path[0] != '\0')
		fp_log(FP_LOG_INFO, "reload: log file %s reopened", log_path);
	if (level >= FP_LOG_ERR && o->level < 0 && level_clamp(level) != log_level) {
		fp_log(FP_LOG_INFO, "reload: log_level %s -> %s", level_names[log_level],
		       level_names[level_clamp(level)]);
		log_level = level_clamp(level);
	}
	return log_level;
}

/* "2026-12-03T10:41:35.123+0000 prog: level: " into buf; returns its length. */
static size_t
prefix_write(char *buf, size_t size, int level)
{
	struct timeval tv;
	struct tm tm;
	char zone[8];
	size_t n;
	int m;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (strftime(zone, sizeof(zone), "%z", &tm) == 0)
		zone[0] = '\0';
	m = snprintf(buf + n, size - n, ".%03ld%s %s: %s: ", (long)(tv.tv_usec / 1000), zone,
		     log_prog, level_names[level]);
	if (m < 0)
		return n;
	return (size_t)m >= size - n ? size - 1 : n + (size_t)m;
}

/* Write one line (prefix, len bytes of text, newline) with one write(2). */
static void
line_write(int level, const char *text, size_t len)
{
	char buf[FP_LOG_LINE_MAX];
	size_t n;
	ssize_t w;

	n = prefix_write(buf, sizeof(buf), level);
	if (len > sizeof(buf) - 1 - n)
		len = sizeof(buf) - 1 - n;
	memcpy(buf + n, text, len);
	n += len;
	buf[n++] = '\n';
	do {
		w = write(STDERR_FILENO, buf, n);
	} while (w < 0 && errno == EINTR);
}

void
fp_vlog(int level, const char *fmt, va_list ap)
{
	char text[FP_LOG_LINE_MAX];
	int n;

	if (level > log_level || level < FP_LOG_ERR)
		return;
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		return;
	line_write(level, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

void
fp_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fp_vlog(level, fmt, ap);
	va_end(ap);
}

void
fp_log_text(int level, const char *text, size_t len)
{
	const char *nl;
	size_t n;

	if (level > log_level || level < FP_LOG_ERR)
		return;
	while (len > 0) {
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) : len;
		if (n > 0)
			line_write(level, text, n);
		if (nl == NULL)
			break;
		text += n + 1;
		len -= n + 1;
	}
}
