/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: the status, stats and --check-config reports (xdp_tool.h), as
 * text or one JSON object on stdout.  They change nothing.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf_check.h"
#include "names.h"

#define EXIT_NOT_ATTACHED 3 /* status: not attached as configured */

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

/* Status of one port, for both outputs. */
struct port_status {
	uint32_t ifindex;  /* 0: no such interface */
	struct hook hook;  /* what is attached */
	struct tc_slot tc; /* what is in flowplane's tc slot */
	bool ok;	   /* flowplane's programs, XDP in the configured mode */
	int slot_holder;   /* ifindex in its fp_ifslot slot; -1: unknown */
};

int
fp_xdp_cmd_status(struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;
	struct port_status ps[FP_PORT_MAX];
	uint32_t prog_id = 0, tc_id = 0, i, want = fp_xdp_hook_mode_flag(cfg);
	long counts[FP_XDP_MAP_MAX];
	bool mounted, healthy = true;
	struct pins p;

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

/* The security-group drops of every port (fp_sg_drops), summed over
 * the CPUs; zero where the map is not pinned (an older instance).
 */
static void
sg_drops_read(const struct pins *p, int ncpu, uint64_t sg[FP_PORT_MAX][FP_SG_DIR_MAX])
{
	int fd = fp_xdp_pins_fd(p, FP_XDP_MAP_SG_DROPS), c;
	struct fp_sg_drops *d;
	uint32_t id;

	if (fd < 0)
		return;
	d = calloc((size_t)ncpu, sizeof(*d));
	if (d == NULL)
		return;
	for (id = 0; id < FP_PORT_MAX; id++) {
		if (bpf_map_lookup_elem(fd, &id, d) < 0)
			continue;
		for (c = 0; c < ncpu; c++) {
			sg[id][FP_SG_DIR_EGRESS] += d[c].n[FP_SG_DIR_EGRESS];
			sg[id][FP_SG_DIR_INGRESS] += d[c].n[FP_SG_DIR_INGRESS];
		}
	}
	free(d);
}

int
fp_xdp_cmd_stats(struct tool *t)
{
	uint64_t stats[FP_STAT_MAX] = { 0 }, drops[FP_DROP_MAX] = { 0 }, drop_sum = 0;
	uint64_t sg[FP_PORT_MAX][FP_SG_DIR_MAX] = { { 0 } };
	size_t stride = (sizeof(struct fp_counters) + 7) & ~(size_t)7;
	struct fp_counters *c;
	uint8_t *buf = NULL;
	uint32_t zero = 0;
	struct pins p;
	int ncpu, fd, i, j, rc;
	bool ok_rx, ok_drop;

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
	sg_drops_read(&p, ncpu, sg);
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
		printf("},\"sg_drops\":{");
		for (j = 0, i = 0; j < FP_PORT_MAX; j++)
			if (sg[j][0] || sg[j][1])
				printf("%s\"%d\":{\"egress\":%" PRIu64 ",\"ingress\":%" PRIu64 "}",
				       i++ ? "," : "", j, sg[j][0], sg[j][1]);
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
		printf("security-group drops per port (non-zero):\n");
		for (j = 0; j < FP_PORT_MAX; j++)
			if (sg[j][0] || sg[j][1])
				printf("  port %-17d egress %" PRIu64 " ingress %" PRIu64 "\n", j,
				       sg[j][0], sg[j][1]);
		printf("rx = tx + drop + punt: %s\n", ok_rx ? "ok" : "MISMATCH");
		printf("drop = sum of drop reasons: %s\n", ok_drop ? "ok" : "MISMATCH");
	}
	rc = 0;
out:
	free(buf);
	fp_xdp_pins_close(&p);
	return rc;
}

int
fp_xdp_cmd_check(const struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;

	fp_xdp_hook_mode_warn(cfg);
	printf("%s: ok (instance \"%s\", %s mode, %u ports, maps under %s)\n", cfg->path,
	       cfg->instance, fp_xdp_config_mode_name(cfg->mode), cfg->n_ports, t->dir);
	fp_conf_check_report(cfg->path, t->parts);
	return 0;
}
