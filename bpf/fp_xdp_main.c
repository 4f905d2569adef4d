/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: load flowplane's XDP program and its tc companion, keep their
 * pinned maps, attach them to the configured interfaces, and report on
 * them.
 *
 *   fp-xdp [-c FILE] [-v] attach
 *   fp-xdp [-c FILE] [-v] run
 *   fp-xdp [-c FILE] [-v] detach [--keep-maps]
 *   fp-xdp [-c FILE] status [--json]
 *   fp-xdp [-c FILE] stats [--json]
 *   fp-xdp [-c FILE] --check-config [FILE]
 *   fp-xdp --version
 *
 * The maps of an instance are pinned under FP_XDP_PIN_ROOT/<instance>
 * (include/flowplane/xdp.h) and outlive this process: attach reuses them
 * (libbpf's pinning by name), so a re-attach keeps every table entry and
 * replaces the program on each interface atomically (XDP_FLAGS_REPLACE),
 * without a gap in forwarding.  The program itself is pinned next to the
 * maps as fp_xdp_rx; it stays attached (no bpf_link) after fp-xdp exits.
 *
 * The tc program fp_tc_flood (bpf/fp_tc.bpf.c, an object of its own that
 * reuses the same pinned maps) makes the copies of a flood, which XDP
 * cannot: it sits at each interface's clsact ingress hook as the cls_bpf
 * filter (FP_TC_HANDLE, FP_TC_PRIO), is attached before the XDP program
 * (which passes it the frames to flood) and replaced in place
 * (BPF_TC_F_REPLACE); it is pinned as fp_tc_flood.
 *
 * This file parses the command line and dispatches the command; the work
 * is done by xdp_pins.c, xdp_hook.c, xdp_attach.c and xdp_report.c, whose
 * jobs xdp_tool.h names.
 *
 * Exit status: 0 done; 1 error; 2 usage; status: 3 when a port is not
 * attached as configured or a map is not pinned.  Documentation:
 * doc/xdp.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_check.h"
#include "log.h"
#include "version.h"
#include "xdp_config.h"
#include "xdp_tool.h"

#define FP_XDP_CONF_DEFAULT "/etc/flowplane/flowplane.conf" /* -c default */

#define EXIT_USAGE 2 /* bad command line */

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-xdp [-c FILE] [-v] attach\n"
		   "       fp-xdp [-c FILE] [-v] run\n"
		   "       fp-xdp [-c FILE] [-v] detach [--keep-maps]\n"
		   "       fp-xdp [-c FILE] status [--json]\n"
		   "       fp-xdp [-c FILE] stats [--json]\n"
		   "       fp-xdp [-c FILE] --check-config [FILE]\n"
		   "       fp-xdp --version | --help\n"
		   "\n"
		   "  -c, --config FILE  config file (default " FP_XDP_CONF_DEFAULT ")\n"
		   "  -v, --verbose      log level debug, libbpf's debug messages too\n"
		   "  -q, --quiet        log level warning; twice: error (overrides log_level)\n"
		   "  --keep-maps        detach: keep the pinned maps and their entries\n"
		   "  --json             status, stats: one JSON object on stdout\n"
		   "  --check-config [FILE] check the whole config file (every program's part)\n"
		   "                     and exit\n"
		   "  -V, --version      print the version and exit\n"
		   "  -h, --help         this text\n"
		   "\n"
		   "Maps are pinned under " FP_XDP_PIN_ROOT "/<instance>; see doc/xdp.md.\n");
}

static int
need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	errmsg("%s needs root (CAP_BPF, CAP_SYS_ADMIN and CAP_NET_ADMIN): run it with sudo", what);
	return -EPERM;
}

static int
args_parse(struct tool *t, int argc, char **argv)
{
	enum { OPT_KEEP_MAPS = 256, OPT_JSON, OPT_CHECK };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep-maps", no_argument, NULL, OPT_KEEP_MAPS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name; /* command word */
		enum cmd cmd;	  /* its command */
	} cmds[] = {
		{ "attach", CMD_ATTACH }, { "run", CMD_RUN },	  { "detach", CMD_DETACH },
		{ "status", CMD_STATUS }, { "stats", CMD_STATS },
	};
	bool check = false;
	unsigned int k;
	int c;

	t->conf = FP_XDP_CONF_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:vqVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			t->conf = optarg;
			break;
		case 'v':
			t->verbose = true;
			t->level = FP_LOG_DEBUG;
			break;
		case 'q':
			t->level = t->level == FP_LOG_WARN ? FP_LOG_ERR : FP_LOG_WARN;
			break;
		case 'V':
			fp_version_print(stdout, "fp-xdp");
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_KEEP_MAPS:
			t->keep_maps = true;
			break;
		case OPT_JSON:
			t->json = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (check) {
		/* --check-config FILE: the file may follow the option. */
		if (optind + 1 == argc)
			t->conf = argv[optind++];
		if (optind != argc) {
			errmsg("--check-config takes no command");
			return -EINVAL;
		}
		t->cmd = CMD_CHECK;
	} else {
		if (optind + 1 != argc) {
			errmsg(optind == argc ? "no command" : "one command at a time");
			return -EINVAL;
		}
		for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
			if (strcmp(argv[optind], cmds[k].name) == 0)
				t->cmd = cmds[k].cmd;
		if (t->cmd == CMD_NONE) {
			errmsg("unknown command \"%s\"", argv[optind]);
			return -EINVAL;
		}
	}
	if (t->keep_maps && t->cmd != CMD_DETACH) {
		errmsg("--keep-maps goes with detach");
		return -EINVAL;
	}
	if (t->json && t->cmd != CMD_STATUS && t->cmd != CMD_STATS) {
		errmsg("--json goes with status and stats");
		return -EINVAL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[FP_XDP_CFG_ERR_SIZE];
	struct tool *t;
	int rc;

	fp_log_init("fp-xdp", FP_LOG_INFO);
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		errmsg("%s", strerror(ENOMEM));
		return 1;
	}
	t->level = -1;
	if (args_parse(t, argc, argv) < 0) {
		usage(stderr);
		free(t);
		return EXIT_USAGE;
	}
	fp_xdp_hook_log_init(t->verbose);

	/* --check-config: the whole file, every program's part first
	 * (conf_check.h), then fp-xdp's own again for the report.
	 */
	if (t->cmd == CMD_CHECK &&
	    fp_conf_check(t->conf, FP_CONF_PART_XDP, &t->parts, err, sizeof(err)) < 0) {
		errmsg("%s", err);
		free(t);
		return 1;
	}
	rc = fp_xdp_config_load(t->conf, &t->cfg, err, sizeof(err));
	if (rc < 0) {
		errmsg("%s", err);
		free(t);
		return 1;
	}
	fp_log_level_set(t->level >= 0 ? t->level : (int)t->cfg.log_level);
	snprintf(t->dir, sizeof(t->dir), "%s/%s", FP_XDP_PIN_ROOT, t->cfg.instance);

	switch (t->cmd) {
	case CMD_ATTACH:
		rc = need_root("attach");
		if (rc == 0)
			rc = fp_xdp_cmd_attach(t);
		break;
	case CMD_RUN:
		rc = need_root("run");
		if (rc == 0)
			rc = fp_xdp_cmd_run(t);
		break;
	case CMD_DETACH:
		rc = need_root("detach");
		if (rc == 0)
			rc = fp_xdp_cmd_detach(t);
		break;
	case CMD_STATUS:
		rc = need_root("status");
		if (rc == 0)
			rc = fp_xdp_cmd_status(t);
		break;
	case CMD_STATS:
		rc = need_root("stats");
		if (rc == 0)
			rc = fp_xdp_cmd_stats(t);
		break;
	case CMD_CHECK:
		rc = fp_xdp_cmd_check(t);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	free(t);
	if (rc > 0)
		return rc;
	return rc < 0 ? 1 : 0;
}
