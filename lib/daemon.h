/* SPDX-License-Identifier: BSD-3-Clause */
/* The command line and the first log lines that the daemons (fp-dpdk,
 * fp-control) share:
 *
 *   PROG [-c FILE] [-v | -q] [--log-file FILE]
 *   PROG --check-config FILE        (or [-c FILE] --check-config [FILE])
 *   PROG --version | --help
 *
 *   struct fp_daemon_args a = { .path = DEFAULT_CONFIG, .log = { .level = -1 } };
 *   rc = fp_daemon_args_parse(&a, argc, argv, &spec);  -1: run on
 *   if (a.check) ...                                   conf_check.h
 *   if (fp_daemon_log_file_open(&a) < 0) exit
 *   load the config
 *   level = fp_daemon_log_start(&a, "fp-dpdk", cfg.log_level);
 */
#ifndef FP_LIB_DAEMON_H
#define FP_LIB_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

#include "log.h"

/* What a daemon's command line said. */
struct fp_daemon_args {
	const char *path;	/* config file: -c FILE, --check-config's FILE */
	bool check;		/* --check-config: validate the file and exit */
	struct fp_log_opts log; /* -v, -q, --log-file FILE */
};

/* How a daemon's command line differs from the others'. */
struct fp_daemon_spec {
	const char *prog;	/* program name, for --version */
	void (*usage)(FILE *f); /* prints the usage text to f */
	bool check_takes_file;	/* --check-config FILE (else the FILE may follow as an operand) */
	int usage_status;	/* exit status of a usage error */
};

/**
 * Parse a daemon's command line: -c/--config FILE, --check-config,
 * -v/--verbose, -q/--quiet, --log-file FILE, -V/--version, -h/--help.
 *
 * @param a    filled in; a->path holds the default config file on entry
 * @param spec the daemon's differences
 * @return -1 to run on with a; else the status to exit with: 0 after
 *	   --version or --help (printed on stdout), spec->usage_status after a
 *	   usage error (the usage printed on stderr)
 */
int fp_daemon_args_parse(struct fp_daemon_args *a, int argc, char **argv,
			 const struct fp_daemon_spec *spec);

/**
 * Send the log to --log-file's file, if one was given, logging why not.
 *
 * @return 0, or what fp_log_file_open() returns
 */
int fp_daemon_log_file_open(const struct fp_daemon_args *a);

/**
 * Set the log threshold (-v/-q over the config's log_level) and log
 * "PROG VERSION (git DESCRIBE) starting with FILE".
 *
 * @param cfg_level the config's log_level (FP_LOG_*)
 * @return the threshold in effect
 */
int fp_daemon_log_start(const struct fp_daemon_args *a, const char *prog, int cfg_level);

#endif /* FP_LIB_DAEMON_H */
