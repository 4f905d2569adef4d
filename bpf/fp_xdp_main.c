/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: load flowplane's XDP program and its tc companion, keep their
 * pinned maps, attach them to the configured interfaces, and report on
 * them.
 *
 *   fp-xdp [-c FILE] [-v] attach
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
 * attach checks everything it can before it changes anything: that every
 * interface exists and carries no XDP program but flowplane's, and that
 * maps pinned by an earlier attach have the shape this program needs.
 * Entries are written make-before-break: the new ports' entries, then the
 * program, then the removal of ports the config no longer has.
 *
 * Exit status: 0 done; 1 error; 2 usage; status: 3 when a port is not
 * attached as configured or a map is not pinned.  Documentation:
 * doc/xdp.md.
 */
#include "fp_tc.skel.h"
#include "fp_xdp.skel.h"
#include "names.h"
#include "xdp_config.h"
#include "xdp_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf_check.h"
#include "log.h"
#include "version.h"

#define FP_XDP_CONF_DEFAULT "/etc/flowplane/flowplane.conf" /* -c default */

#define EXIT_USAGE 2	    /* bad command line */
#define EXIT_NOT_ATTACHED 3 /* status: not attached as configured */

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-xdp [-c FILE] [-v] attach\n"
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

/* Print s as a JSON string. */
static void
json_str(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int
need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	errmsg("%s needs root (CAP_BPF, CAP_SYS_ADMIN and CAP_NET_ADMIN): run it with sudo", what);
	return -EPERM;
}

/* Status of one port, for both outputs. */
struct port_status {
	uint32_t ifindex;  /* 0: no such interface */
	struct hook hook;  /* what is attached */
	struct tc_slot tc; /* what is in flowplane's tc slot */
	bool ok;	   /* flowplane's programs, XDP in the configured mode */
	int slot_holder;   /* ifindex in its fp_ifslot slot; -1: unknown */
};

static int
cmd_status(struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;
	struct port_status ps[FP_PORT_MAX];
	uint32_t prog_id = 0, tc_id = 0, i, want = fp_xdp_hook_mode_flag(cfg);
	long counts[FP_XDP_MAP_MAX];
	bool mounted, healthy = true;
	struct pins p;
	int rc;

	rc = need_root("status");
	if (rc < 0)
		return rc;
	mounted = fp_xdp_pins_mounted();
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		p.fd[i] = -1;
	if (mounted)
		fp_xdp_pins_open(t, &p);
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		counts[i] = p.fd[i] >= 0 ? fp_xdp_pins_map_count(p.fd[i], &p.info[i],
								 i == FP_XDP_MAP_VNI) :
					   -1;
		if (p.fd[i] < 0)
			healthy = false;
	}
	if (mounted) {
		prog_id = fp_xdp_pins_prog_id(t, FP_XDP_PROG_NAME);
		tc_id = fp_xdp_pins_prog_id(t, FP_TC_PROG_NAME);
	}
	for (i = 0; i < cfg->n_ports; i++) {
		memset(&ps[i], 0, sizeof(ps[i]));
		ps[i].ifindex = if_nametoindex(cfg->ports[i].iface);
		if (ps[i].ifindex != 0) {
			fp_xdp_hook_get(ps[i].ifindex, &ps[i].hook);
			fp_xdp_hook_tc_get(ps[i].ifindex, &ps[i].tc);
		}
		ps[i].ok = ps[i].hook.ours && ps[i].hook.flags == want && ps[i].tc.ours;
		if (!ps[i].ok)
			healthy = false;
		ps[i].slot_holder = -1;
		if (ps[i].ifindex != 0 && p.fd[FP_XDP_MAP_IFSLOT] >= 0) {
			uint32_t key = FP_XDP_IFSLOT(ps[i].ifindex);
			struct fp_ifslot slot;

			if (bpf_map_lookup_elem(p.fd[FP_XDP_MAP_IFSLOT], &key, &slot) == 0)
				ps[i].slot_holder = (int)slot.ifindex;
		}
	}

	if (t->json) {
		printf("{\"instance\":");
		json_str(cfg->instance);
		printf(",\"mode\":\"%s\",\"pin_dir\":", fp_xdp_config_mode_name(cfg->mode));
		json_str(t->dir);
		printf(",\"bpffs\":%s,\"program\":{\"pinned\":%s,\"id\":%u},"
		       "\"tc_program\":{\"pinned\":%s,\"id\":%u},\"attached\":%s,\"ports\":[",
		       mounted ? "true" : "false", prog_id ? "true" : "false", prog_id,
		       tc_id ? "true" : "false", tc_id, healthy ? "true" : "false");
		for (i = 0; i < cfg->n_ports; i++) {
			const struct fp_xdp_config_port *cp = &cfg->ports[i];

			printf("%s{\"id\":%u,\"name\":", i ? "," : "", i);
			json_str(cp->name);
			printf(",\"role\":\"%s\",\"iface\":", fp_names_role[cp->role]);
			json_str(cp->iface);
			printf(",\"ifindex\":%u,\"mtu\":%u,\"xdp_mode\":\"%s\",\"prog_id\":%u,"
			       "\"prog_name\":",
			       ps[i].ifindex, cp->mtu, fp_xdp_hook_mode_name(ps[i].hook.flags),
			       ps[i].hook.prog_id);
			json_str(ps[i].hook.prog_name);
			printf(",\"flowplane\":%s,\"tc_prog_id\":%u,\"tc_prog_name\":",
			       ps[i].hook.ours ? "true" : "false", ps[i].tc.prog_id);
			json_str(ps[i].tc.prog_name);
			printf(",\"tc_flowplane\":%s,\"ok\":%s", ps[i].tc.ours ? "true" : "false",
			       ps[i].ok ? "true" : "false");
			if (ps[i].slot_holder >= 0)
				printf(",\"ifslot\":%s,\"ifslot_holder\":%d",
				       (uint32_t)ps[i].slot_holder == ps[i].ifindex ? "true" :
										      "false",
				       ps[i].slot_holder);
			printf("}");
		}
		printf("],\"maps\":[");
		for (i = 0; i < FP_XDP_MAP_MAX; i++) {
			printf("%s{\"name\":\"%s\",\"pinned\":%s", i ? "," : "",
			       fp_names_xdp_map[i], p.fd[i] >= 0 ? "true" : "false");
			if (p.fd[i] >= 0)
				printf(",\"id\":%u,\"max_entries\":%u", p.info[i].id,
				       p.info[i].max_entries);
			if (counts[i] >= 0)
				printf(",\"entries\":%ld", counts[i]);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("instance %s, mode %s, pins %s%s\n", cfg->instance,
		       fp_xdp_config_mode_name(cfg->mode), t->dir,
		       mounted ? "" : " (no bpffs on " FP_XDP_BPFFS ")");
		if (prog_id != 0)
			printf("program %s: pinned, id %u\n", FP_XDP_PROG_NAME, prog_id);
		else
			printf("program %s: not pinned\n", FP_XDP_PROG_NAME);
		if (tc_id != 0)
			printf("program %s: pinned, id %u\n", FP_TC_PROG_NAME, tc_id);
		else
			printf("program %s: not pinned\n", FP_TC_PROG_NAME);
		printf("\n%-4s %-16s %-9s %-15s %-7s %s\n", "port", "name", "role", "iface",
		       "ifindex", "xdp; tc ingress");
		for (i = 0; i < cfg->n_ports; i++) {
			const struct fp_xdp_config_port *cp = &cfg->ports[i];
			const struct tc_slot *ts = &ps[i].tc;
			const struct hook *h = &ps[i].hook;

			printf("%-4u %-16s %-9s %-15s ", i, cp->name, fp_names_role[cp->role],
			       cp->iface);
			if (ps[i].ifindex == 0) {
				printf("%-7s no such interface\n", "-");
				continue;
			}
			if (h->prog_id == 0)
				printf("%-7u none", ps[i].ifindex);
			else
				printf("%-7u %s, prog %u (%s)%s", ps[i].ifindex,
				       fp_xdp_hook_mode_name(h->flags), h->prog_id, h->prog_name,
				       !h->ours		? ", not flowplane's" :
				       h->flags != want ? ", not the configured mode" :
							  "");
			if (ts->prog_id == 0)
				printf("; tc none");
			else
				printf("; tc prog %u (%s)%s", ts->prog_id, ts->prog_name,
				       ts->ours ? "" : ", not flowplane's");
			/* Works, one hash lookup slower per frame. */
			if (ps[i].slot_holder >= 0 && (uint32_t)ps[i].slot_holder != ps[i].ifindex)
				printf("; found through fp_ifport (its fp_ifslot slot %s)",
				       ps[i].slot_holder ? "holds another ifindex" : "is empty");
			printf("\n");
		}
		printf("\n%-12s %-7s %s\n", "map", "pinned", "entries");
		for (i = 0; i < FP_XDP_MAP_MAX; i++) {
			printf("%-12s %-7s ", fp_names_xdp_map[i], p.fd[i] >= 0 ? "yes" : "no");
			if (counts[i] >= 0)
				printf("%ld/%u\n", counts[i], p.info[i].max_entries);
			else
				printf("-\n");
		}
		printf("\n%s\n", healthy ? "attached: every port, maps pinned" :
					   "not attached as configured");
	}
	if (mounted)
		fp_xdp_pins_close(&p);
	return healthy ? 0 : EXIT_NOT_ATTACHED;
}

static int
cmd_stats(struct tool *t)
{
	uint64_t stats[FP_STAT_MAX] = { 0 }, drops[FP_DROP_MAX] = { 0 }, drop_sum = 0;
	size_t stride = (sizeof(struct fp_counters) + 7) & ~(size_t)7;
	struct fp_counters *c;
	uint8_t *buf = NULL;
	uint32_t zero = 0;
	struct pins p;
	int ncpu, fd, i, j, rc;
	bool ok_rx, ok_drop;

	rc = need_root("stats");
	if (rc < 0)
		return rc;
	if (!fp_xdp_pins_mounted()) {
		errmsg("no bpffs on %s: nothing is pinned (not attached?)", FP_XDP_BPFFS);
		return -ENOENT;
	}
	fp_xdp_pins_open(t, &p);
	fd = fp_xdp_pins_fd(&p, FP_XDP_MAP_COUNTERS);
	if (fd < 0) {
		errmsg("%s/%s is not pinned%s: not attached?", t->dir,
		       fp_names_xdp_map[FP_XDP_MAP_COUNTERS],
		       p.fd[FP_XDP_MAP_COUNTERS] >= 0 ? " with this fp-xdp's layout" : "");
		rc = -ENOENT;
		goto out;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		rc = ncpu < 0 ? ncpu : -EINVAL;
		errmsg("cannot count the CPUs: %s", strerror(-rc));
		goto out;
	}
	buf = calloc((size_t)ncpu, stride);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = bpf_map_lookup_elem(fd, &zero, buf);
	if (rc < 0) {
		errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_COUNTERS],
		       strerror(-rc));
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		c = (struct fp_counters *)(buf + (size_t)i * stride);
		for (j = 0; j < FP_STAT_MAX; j++)
			stats[j] += c->n[j];
		for (j = 0; j < FP_DROP_MAX; j++)
			drops[j] += c->drop[j];
	}
	for (j = 0; j < FP_DROP_MAX; j++)
		drop_sum += drops[j];
	ok_rx = stats[FP_STAT_RX] == stats[FP_STAT_TX] + stats[FP_STAT_DROP] + stats[FP_STAT_PUNT];
	ok_drop = stats[FP_STAT_DROP] == drop_sum;

	if (t->json) {
		printf("{\"instance\":");
		json_str(t->cfg.instance);
		printf(",\"cpus\":%d,\"stats\":{", ncpu);
		for (j = 0; j < FP_STAT_MAX; j++)
			printf("%s\"%s\":%" PRIu64, j ? "," : "", fp_names_stat[j], stats[j]);
		printf("},\"drops\":{");
		for (j = 0; j < FP_DROP_MAX; j++)
			printf("%s\"%s\":%" PRIu64, j ? "," : "", fp_names_drop[j], drops[j]);
		printf("},\"rx_balanced\":%s,\"drops_balanced\":%s}\n", ok_rx ? "true" : "false",
		       ok_drop ? "true" : "false");
	} else {
		printf("instance %s, summed over %d CPUs\n", t->cfg.instance, ncpu);
		for (j = 0; j < FP_STAT_MAX; j++)
			printf("  %-22s %" PRIu64 "\n", fp_names_stat[j], stats[j]);
		printf("drops (non-zero):\n");
		for (j = 0; j < FP_DROP_MAX; j++)
			if (drops[j] != 0)
				printf("  %-22s %" PRIu64 "\n", fp_names_drop[j], drops[j]);
		printf("rx = tx + drop + punt: %s\n", ok_rx ? "ok" : "MISMATCH");
		printf("drop = sum of drop reasons: %s\n", ok_drop ? "ok" : "MISMATCH");
	}
	rc = 0;
out:
	free(buf);
	fp_xdp_pins_close(&p);
	return rc;
}

static int
cmd_check(const struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;

	fp_xdp_hook_mode_warn(cfg);
	printf("%s: ok (instance \"%s\", %s mode, %u ports, maps under %s)\n", cfg->path,
	       cfg->instance, fp_xdp_config_mode_name(cfg->mode), cfg->n_ports, t->dir);
	fp_conf_check_report(cfg->path, t->parts);
	return 0;
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
		{ "attach", CMD_ATTACH },
		{ "detach", CMD_DETACH },
		{ "status", CMD_STATUS },
		{ "stats", CMD_STATS },
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
	case CMD_DETACH:
		rc = need_root("detach");
		if (rc == 0)
			rc = fp_xdp_cmd_detach(t);
		break;
	case CMD_STATUS:
		rc = cmd_status(t);
		break;
	case CMD_STATS:
		rc = cmd_stats(t);
		break;
	case CMD_CHECK:
		rc = cmd_check(t);
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
