/* SPDX-License-Identifier: BSD-3-Clause */
/* The one logger of flowplane's user-space programs (STYLE 8): fp-dpdk,
 * fp-xdp, fp-control and fpctl.
 *
 * Each message is one line on stderr (the journal under systemd):
 *
 *   2026-12-03T10:41:35.123+0000 fp-control: info: text
 *
 * a local timestamp with milliseconds and the UTC offset, the program
 * name, the level and the text (no trailing newline in fmt).  A line is
 * written with one write(2), so lines of concurrent threads or processes
 * sharing the file never mix.  Messages above the threshold (default
 * FP_LOG_INFO) are dropped.
 *
 * fp_log_file_open() points stderr itself (fd 2) at a file, so whatever
 * a library prints there (DPDK, libbpf) lands in the same file;
 * fp_log_file_reopen() opens the same path again, for log rotation
 * (SIGHUP).  The threshold is a single int read without a lock: set it
 * from the thread that handles signals, read it anywhere.
 */
#ifndef FP_LIB_LOG_H
#define FP_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define FP_LOG_ERR 0   /* something failed */
#define FP_LOG_WARN 1  /* something is odd but goes on */
#define FP_LOG_INFO 2  /* what the program does: start, stop, changes */
#define FP_LOG_DEBUG 3 /* details: every entry, every request's steps */

#define FP_LOG_LEVEL_NAMES "error, warning, info, debug" /* for messages */
#define FP_LOG_PATH_MAX 256				 /* log file path, NUL included */
#define FP_LOG_OPT_FILE 0x4c46				 /* getopt_long() value of --log-file */

/* The logging options of the daemons: -v, -q, --log-file FILE. */
struct fp_log_opts {
	int level;	  /* -v/-q: FP_LOG_*; -1: the config's log_level */
	const char *file; /* --log-file, or NULL: stderr as it is */
};

/**
 * Set the program name printed in each line and the threshold.
 *
 * @param prog  program name; the string must outlive the logger
 * @param level FP_LOG_* threshold (clamped to ERR..DEBUG)
 */
void fp_log_init(const char *prog, int level);

/**
 * Set the threshold.
 *
 * @param level FP_LOG_* (clamped to ERR..DEBUG)
 */
void fp_log_level_set(int level);

/** @return the threshold, FP_LOG_* */
int fp_log_level_get(void);

/**
 * Parse a level name: "error", "warning" (or "warn"), "info", "debug".
 *
 * @return FP_LOG_*, or -EINVAL for anything else
 */
int fp_log_level_parse(const char *name);

/** @return the name of a level ("error" ... "debug"), "?" if out of range */
const char *fp_log_level_name(int level);

/**
 * Send stderr (fd 2) to a file from now on, appending; created 0640.
 *
 * @param path the file; remembered for fp_log_file_reopen()
 * @return 0, -ENAMETOOLONG, or the negative errno of open/dup2
 *	   (stderr is unchanged then)
 */
int fp_log_file_open(const char *path);

/**
 * Open the file of fp_log_file_open() again (after logrotate moved it).
 *
 * @return 0 (also when no file is configured: nothing to do), or the
 *	   negative errno of open/dup2 (stderr keeps the old file then)
 */
int fp_log_file_reopen(void);

/** @return the log file's path, or NULL when logging to stderr as is */
const char *fp_log_file_path(void);

/**
 * Take one getopt_long() result if it is a logging option: 'v' (debug),
 * 'q' (warning; a second one: error) or FP_LOG_OPT_FILE.
 *
 * @param o   the options so far (level -1 and file NULL to start)
 * @param opt getopt_long()'s return
 * @param arg optarg
 * @return true if opt was one of them
 */
bool fp_log_opt(struct fp_log_opts *o, int opt, const char *arg);

/**
 * A daemon's SIGHUP: reopen the log file (logging the outcome), then take
 * the reloaded config's level unless -v/-q fixed it, logging the change.
 *
 * @param level the reloaded log_level (FP_LOG_*), or -1 when the config
 *		did not load (only the file is reopened)
 * @param o	the command line's logging options
 * @return the threshold in effect
 */
int fp_log_reload(int level, const struct fp_log_opts *o);

/**
 * Log one message at level (FP_LOG_*).
 *
 * @param level FP_LOG_*
 * @param fmt   printf format, no trailing newline
 */
void fp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** fp_log() with a va_list. */
void fp_vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/**
 * Log text that is already formatted (a line from a library's own
 * logger): trailing newlines are dropped, inner ones split it into
 * lines of their own.
 *
 * @param level FP_LOG_*
 * @param text  the text
 * @param len   its length in bytes
 */
void fp_log_text(int level, const char *text, size_t len);

#endif /* FP_LIB_LOG_H */
