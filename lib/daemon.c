/* SPDX-License-Identifier: BSD-3-Clause */
#include "daemon.h"

#include <getopt.h>
#include <string.h>

#include "version.h"

enum { OPT_CHECK = 256 };

int
fp_daemon_args_parse(struct fp_daemon_args *a, int argc, char **argv,
		     const struct fp_daemon_spec *spec)
{
	const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", spec->check_takes_file ? required_argument : no_argument, NULL,
		  OPT_CHECK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-file", required_argument, NULL, FP_LOG_OPT_FILE },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vqVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->path = optarg;
			break;
		case OPT_CHECK:
			if (optarg != NULL)
				a->path = optarg;
			a->check = true;
			break;
		case 'V':
			fp_version_print(stdout, spec->prog);
			return 0;
		case 'h':
			spec->usage(stdout);
			return 0;
		default:
			if (fp_log_opt(&a->log, opt, optarg))
				break;
			spec->usage(stderr);
			return spec->usage_status;
		}
	}
	/* --check-config FILE: the file may follow the option. */
	if (a->check && !spec->check_takes_file && optind + 1 == argc)
		a->path = argv[optind++];
	if (optind != argc) {
		spec->usage(stderr);
		return spec->usage_status;
	}
	return -1;
}

int
fp_daemon_log_file_open(const struct fp_daemon_args *a)
{
	int rc;

	if (a->log.file == NULL)
		return 0;
	rc = fp_log_file_open(a->log.file);
	if (rc != 0)
		fp_log(FP_LOG_ERR, "log file %s: %s", a->log.file, strerror(-rc));
	return rc;
}

int
fp_daemon_log_start(const struct fp_daemon_args *a, const char *prog, int cfg_level)
{
	int level = a->log.level >= 0 ? a->log.level : cfg_level;

	fp_log_level_set(level);
	fp_log(FP_LOG_INFO, "%s %s (git %s) starting with %s", prog, fp_version_string(),
	       fp_version_git(), a->path);
	return fp_log_level_get();
}
