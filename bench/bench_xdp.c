/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench-xdp: the XDP program (bpf/fp_xdp.bpf.c) on the scenarios of
 * fp-bench (bench/scenario.h), through bpf_prog_test_run_opts.
 *
 *   fp-bench-xdp [--scenario encap,decap,sg-encap,sg-decap,sg-new,route|all|sg]
 *                [--flows N,...] [--vnis N,...] [--encap vxlan|geneve]
 *                [--underlay 4|6] [--runs N] [--pkts N] [--repeat N]
 *
 * Every frame is built before timing; the program is loaded with private
 * (unpinned) maps filled with the scenario's entries.  Two measurements:
 *
 *   warm: test runs in live-frame mode (BPF_F_TEST_XDP_LIVE_FRAMES) with
 *     --repeat each: the kernel resets every frame before the program sees
 *     it again (plain repeat does not: encapsulation would run on its own
 *     output) and carries out its action (the redirect goes to the
 *     loopback device, which takes no XDP frames, so it is dropped there).
 *     A test run takes one frame, so a point samples up to 16 of its flows
 *     (the program keeps no per-flow state).  Each sampled frame then goes
 *     through three reference programs the same way: an empty one
 *     (XDP_DROP), whose cost is taken off ("raw" keeps it); one that only
 *     redirects ("prog" takes off that one instead: the program's own
 *     work); and the floor (floor_prog_load(), one-VNI points), the least
 *     an XDP forwarder does, reported net of the empty one.
 *   cold: every frame of the point through its own test run (repeat 1), as
 *     a packet arriving after other work would find the caches; the cost
 *     of an empty program's test run, measured at start-up, is taken off.
 *     route has cold figures only: live-frame mode resets a frame's
 *     pointers, not its bytes, and routing rewrites them in place (the
 *     next repeat would be another packet: its TTL one less, the router's
 *     MAC gone).
 *
 * Security groups (the scenarios of fp-bench, bench/scenario.h): sg-encap
 * and sg-decap send TCP ACKs through a filtered port; an untimed pass over
 * every frame first opens one connection per flow (pickup), so the timed
 * packets all hit fp_ct.  sg-new sends SYNs: fp_ct is emptied (untimed)
 * before every cold pass, so each cold packet opens a connection; it has no
 * warm figures (a repeated SYN finds its connection).  fp_ct holds twice
 * the flows, 1.25 x above 1M (--flows goes up to FLOWS_MAX, 10M: fp_ct
 * then takes 139 bytes of kernel memory per entry, 1.7 GB, and the
 * frames and keys about 2 GB more).
 *
 * Prints median and min over the runs (>= 5) of ns/packet, a table and one
 * JSON line per result.  Needs root (CAP_BPF).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "fp_xdp.skel.h"
#include "scenario.h"
#include "version.h"

#define IN_IFINDEX 1 /* the loopback device: ingress_ifindex of every test run */
#define TX_IFINDEX 1 /* fp_tx's target for every port (no frame is sent) */
#define OUT_MAX 9216
#define LIVE_SAMPLES 16	   /* flows sampled per point in live mode */
#define FLOWS_MAX 10000000 /* --flows, at most */

/* fp_ct's size for a point of flows flows. */
static uint32_t
ct_size(uint32_t flows)
{
	if (flows > 1000000)
		return flows + flows / 4;
	return 2 * flows > 4096 ? 2 * flows : 4096;
}
struct opts {
	int encap;	       /* FP_ENCAP_* */
	int v6;		       /* IPv6 underlay */
	uint32_t runs;	       /* runs, >= 5 */
	uint64_t min_pkts;     /* packets per run at least (cold) */
	uint32_t repeat;       /* live-frame repeats per sampled flow */
	const char *scenarios; /* comma list of scenario names, "all", "sg" */
	char flows[128];       /* comma list */
	char vnis[128];	       /* comma list */
};

/* One test run of prog on frame (repeat 1); the kernel's duration in ns. */
static int
run_once(int prog, const uint8_t *frame, uint32_t len, uint32_t *ns, uint32_t *action)
{
	static uint8_t out[OUT_MAX];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = IN_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = 1);
	int rc = bpf_prog_test_run_opts(prog, &o);

	if (rc < 0)
		return -errno;
	*ns = o.duration;
	*action = o.retval;
	return 0;
}

/* repeat live-frame test runs of prog on frame; ns per frame. */
static int
run_live(int prog, const uint8_t *frame, uint32_t len, uint32_t repeat, uint32_t *ns)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = IN_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (bpf_prog_test_run_opts(prog, &o) < 0)
		return -errno;
	*ns = o.duration;
	return 0;
}

/* A program that only redirects through a devmap to TX_IFINDEX, as the
 * scenarios' frames are: the fd, or -errno.
 */
static int
redirect_prog_load(int *map_out)
{
	uint32_t key = 0, ifx = TX_IFINDEX;
	int map = bpf_map_create(BPF_MAP_TYPE_DEVMAP, "fp_bench_dm", 4, 4, 1, NULL), prog;

	if (map < 0)
		return -errno;
	if (bpf_map_update_elem(map, &key, &ifx, BPF_ANY) < 0) {
		close(map);
		return -errno;
	}
	{
		struct bpf_insn insns[] = {
			{ .code = BPF_LD | BPF_DW | BPF_IMM,
			  .dst_reg = BPF_REG_1,
			  .src_reg = BPF_PSEUDO_MAP_FD,
			  .imm = map },
			{ 0 },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 0 },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 0 },
			{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
			{ .code = BPF_JMP | BPF_EXIT },
		};

		prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "fp_bench_redir", "GPL", insns, 6, NULL);
	}
	if (prog < 0) {
		close(map);
		return -errno;
	}
	*map_out = map;
	return prog;
}

#define INSN(c, d, sr, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (sr), .off = (o), .imm = (i) })

/* The floor: the least an XDP forwarder does for a scenario's frames.
 * The fdb lookup (fp_fdb, the scenario's entries) of VNI 100 and the MAC
 * at mac_off (the inner destination), the head adjustment adj of the
 * encapsulation or decapsulation, the redirect through fp_tx (port 0):
 * nothing parsed, checked, written or counted.  The fd, or -errno.
 */
static int
floor_prog_load(int fdb, int tx, int32_t mac_off, int32_t adj)
{
	const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_6, 0, 0), /* data */
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_6, 4, 0), /* data_end */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, mac_off + 6),
		INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 22, 0), /* -> drop */
		/* struct fp_fdb_key at r10 - 16: vni, mac, pad */
		INSN(BPF_ST | BPF_W | BPF_MEM, BPF_REG_10, 0, -16, 100),
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_2, (int16_t)mac_off, 0),
		INSN(BPF_STX | BPF_W | BPF_MEM, BPF_REG_10, BPF_REG_5, -12, 0),
		INSN(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_5, BPF_REG_2, (int16_t)(mac_off + 4), 0),
		INSN(BPF_STX | BPF_H | BPF_MEM, BPF_REG_10, BPF_REG_5, -8, 0),
		INSN(BPF_ST | BPF_H | BPF_MEM, BPF_REG_10, 0, -6, 0),
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, fdb),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -16),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 10, 0), /* -> drop */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, adj),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_adjust_head),
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 6, 0), /* -> drop */
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, tx),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		/* drop: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_DROP),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "fp_bench_floor", "GPL", insns,
				 sizeof(insns) / sizeof(insns[0]), NULL);

	return prog < 0 ? -errno : prog;
}

/* An empty program (XDP_DROP): the fd, or -errno. */
static int
null_prog_load(void)
{
	const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_DROP),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "fp_bench_null", "GPL", insns, 2, NULL);

	return prog < 0 ? -errno : prog;
}

/* What an empty program costs per frame through its own test run (cold),
 * in ns: the median of 9 measurements of 20000 runs; -1 if it cannot run.
 * (Live runs measure the reference programs next to each point.)
 */
static double
cold_overhead_measure(const uint8_t *frame, uint32_t len)
{
	int prog = null_prog_load();
	uint32_t i, k, ns = 0, action = 0;
	double c[9];

	if (prog < 0)
		return -1;
	for (i = 0; i < 9; i++) {
		uint64_t sum = 0;

		for (k = 0; k < 20000; k++) {
			if (run_once(prog, frame, len, &ns, &action) < 0)
				break;
			sum += ns;
		}
		c[i] = (double)sum / 20000.0;
	}
	close(prog);
	qsort(c, 9, sizeof(double), fp_bench_cmp_double);
	return c[4];
}

static struct fp_xdp *
load(uint32_t vnis, uint32_t flows)
{
	struct fp_xdp *s = fp_xdp__open();
	struct bpf_map *map;
	int rc;

	if (s == NULL)
		return NULL;
	for (map = bpf_object__next_map(s->obj, NULL); map != NULL;
	     map = bpf_object__next_map(s->obj, map)) {
		rc = bpf_map__set_pin_path(map, NULL);
		if (rc == 0 && strcmp(bpf_map__name(map), "fp_ct") == 0)
			rc = bpf_map__set_max_entries(map, ct_size(flows));
		else if (rc == 0 && bpf_map__type(map) == BPF_MAP_TYPE_HASH)
			rc = bpf_map__set_max_entries(map, 2 * vnis + 64);
		if (rc) {
			fp_xdp__destroy(s);
			errno = -rc;
			return NULL;
		}
	}
	rc = fp_xdp__load(s);
	if (rc) {
		fp_xdp__destroy(s);
		errno = -rc;
		return NULL;
	}
	return s;
}

/* The scenario's ports, host and entries into the program's maps. */
static int
install(struct fp_xdp *s, const struct fp_bench_scenario *sc)
{
	struct fp_host_cfg host = { .n_local_vteps = 1 };
	uint32_t i, zero = 0, tx = TX_IFINDEX;
	int rc = 0;

	snprintf(host.host, sizeof(host.host), "bench");
	host.local_vteps[0] = sc->local_vtep;
	rc |= bpf_map_update_elem(bpf_map__fd(s->maps.fp_host), &zero, &host, BPF_ANY);
	for (i = 0; i < sc->n_ports; i++) {
		const struct fp_bench_port *p = &sc->ports[i];
		struct fp_port_cfg cfg = { .ifindex = 1000 + p->id,
					   .role = p->role,
					   .mtu = p->mtu };

		memcpy(cfg.mac, p->mac, 6);
		snprintf(cfg.name, sizeof(cfg.name), "port%u", p->id);
		rc |= bpf_map_update_elem(bpf_map__fd(s->maps.fp_port_cfg), &p->id, &cfg, BPF_ANY);
		rc |= bpf_map_update_elem(bpf_map__fd(s->maps.fp_tx), &p->id, &tx, BPF_ANY);
		if (p->role != FP_PORT_ROLE_VM) {
			struct fp_port_val pv = { .role = p->role, .mtu = p->mtu };

			memcpy(pv.mac, p->mac, 6);
			rc |= bpf_map_update_elem(bpf_map__fd(s->maps.fp_port), &p->id, &pv,
						  BPF_ANY);
		}
	}
	for (i = 0; i < sc->n_entries; i++) {
		const struct fp_bench_entry *e = &sc->entries[i];
		int fd = e->table == FP_TABLE_PORT    ? bpf_map__fd(s->maps.fp_port) :
			 e->table == FP_TABLE_VTEP    ? bpf_map__fd(s->maps.fp_vtep) :
			 e->table == FP_TABLE_FDB     ? bpf_map__fd(s->maps.fp_fdb) :
			 e->table == FP_TABLE_FLOOD   ? bpf_map__fd(s->maps.fp_flood) :
			 e->table == FP_TABLE_RULESET ? bpf_map__fd(s->maps.fp_ruleset) :
			 e->table == FP_TABLE_ROUTE   ? bpf_map__fd(s->maps.fp_route) :
							bpf_map__fd(s->maps.fp_neigh);
		struct fp_xdp_route_key rk = { 0 };
		const void *key = &e->key;

		if (e->table == FP_TABLE_ROUTE) {
			/* fp_route's key, as fp-control's XDP backend writes it. */
			fp_xdp_route_key_set(&rk, e->key.route.vrf, e->key.route.plen,
					     e->key.route.ip.b);
			key = &rk;
		}
		rc |= bpf_map_update_elem(fd, key, &e->val, BPF_ANY);
		if (e->table == FP_TABLE_FLOOD) {
			/* fp_vni, the flood table's shadow. */
			uint32_t w = FP_XDP_VNI_WORD(e->key.flood.vni);
			uint64_t bits = 0;

			rc |= bpf_map_lookup_elem(bpf_map__fd(s->maps.fp_vni), &w, &bits);
			bits |= FP_XDP_VNI_BIT(e->key.flood.vni);
			rc |= bpf_map_update_elem(bpf_map__fd(s->maps.fp_vni), &w, &bits, BPF_ANY);
		}
	}
	return rc ? -EIO : 0;
}

/* The keys of fp_ct (at most max), into keys; returns how many. */
static uint32_t
ct_keys(struct fp_xdp *s, struct fp_ct_key *keys, uint32_t max)
{
	int fd = bpf_map__fd(s->maps.fp_ct);
	uint32_t n = 0;

	if (max == 0 || bpf_map_get_next_key(fd, NULL, &keys[0]) != 0)
		return 0;
	for (n = 1; n < max && bpf_map_get_next_key(fd, &keys[n - 1], &keys[n]) == 0; n++)
		;
	return n;
}

/* sg-new: empty fp_ct (not timed) before a pass. */
static int
ct_empty(struct fp_xdp *s, struct fp_ct_key *keys, uint32_t max)
{
	uint32_t n = ct_keys(s, keys, max), i;

	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(bpf_map__fd(s->maps.fp_ct), &keys[i]) != 0)
			return -errno;
	return 0;
}

/* The test runs' ingress interface is port: its fp_ifport entry and its
 * fp_ifslot slot, as fp-xdp writes them.
 */
static void
in_port_set(struct fp_xdp *s, uint32_t port)
{
	struct fp_ifslot slot = { .ifindex = IN_IFINDEX, .port = port };
	uint32_t ifx = IN_IFINDEX, key = FP_XDP_IFSLOT(IN_IFINDEX);

	bpf_map_update_elem(bpf_map__fd(s->maps.fp_ifport), &ifx, &port, BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(s->maps.fp_ifslot), &key, &slot, BPF_ANY);
}

struct result {
	double ns_med, ns_min, raw_med;	     /* live: ns/packet */
	double prog_med;		     /* live: net of the redirecting program */
	double floor_med, floor_raw;	     /* live: the floor program; < 0: not run */
	double cold_med, cold_min, cold_raw; /* cold: ns/packet */
	uint64_t pkts;			     /* cold: per run */
	uint32_t samples;		     /* live: flows sampled */
};

/* Overheads of the empty program, measured at start-up. */
static double over_cold;

static int
run_point(int decap, uint32_t sg, int route, uint32_t flows, uint32_t vnis, const struct opts *o,
	  struct result *res)
{
	struct fp_bench_scenario_opts so = { .decap = decap,
					     .route = route,
					     .encap = o->encap,
					     .v6 = o->v6,
					     .flows = flows,
					     .vnis = vnis,
					     .min_frames = sg == FP_BENCH_SG_NEW ? 1 : 1024,
					     .sg = sg };
	struct fp_ct_key *keys = NULL;
	uint32_t ct_max = ct_size(flows);
	struct fp_bench_scenario sc;
	double *net = calloc(o->runs, sizeof(double)), *raw = calloc(o->runs, sizeof(double));
	double *lnet = calloc(o->runs, sizeof(double)), *lraw = calloc(o->runs, sizeof(double));
	double *lprog = calloc(o->runs, sizeof(double)), *fnet = calloc(o->runs, sizeof(double));
	double *fraw = calloc(o->runs, sizeof(double));
	uint32_t run, i, cur_port = UINT32_MAX, ns = 0, action = 0, want;
	int prog, rc, null_prog = -1, redir_prog = -1, redir_map = -1, floor_prog = -1;
	int32_t hl = o->v6 ? 70 : 50;
	struct fp_xdp *s = NULL;

	rc = fp_bench_scenario_build(&sc, &so);
	if (rc || net == NULL || raw == NULL || lnet == NULL || lraw == NULL || lprog == NULL ||
	    fnet == NULL || fraw == NULL)
		goto out;
	s = load(vnis, flows);
	if (s == NULL) {
		rc = -errno;
		fprintf(stderr, "fp-bench-xdp: load: %s\n", strerror(errno));
		goto out;
	}
	rc = install(s, &sc);
	if (rc)
		goto out;
	prog = bpf_program__fd(s->progs.fp_xdp_rx);
	want = XDP_REDIRECT;
	if (sg != FP_BENCH_SG_NONE) {
		uint32_t n_ct;

		/* The untimed pass: one connection per flow (sg-new: then
		 * emptied before each pass), and the proof that they are.
		 */
		keys = calloc(ct_max, sizeof(*keys));
		rc = keys == NULL ? -ENOMEM : 0;
		for (i = 0; rc == 0 && i < sc.n; i++) {
			if (sc.in_port[i] != cur_port) {
				cur_port = sc.in_port[i];
				in_port_set(s, cur_port);
			}
			rc = run_once(prog, sc.frames + (size_t)i * sc.frame_len, sc.frame_len, &ns,
				      &action);
			if (rc == 0 && action != want)
				rc = -EINVAL;
		}
		n_ct = rc == 0 ? ct_keys(s, keys, ct_max) : 0;
		if (rc || n_ct != flows) {
			fprintf(stderr,
				"fp-bench-xdp: %s: %u flows made %u connections (rc %d, action %u): "
				"refusing to time it\n",
				decap		      ? "sg-decap" :
				sg == FP_BENCH_SG_NEW ? "sg-new" :
							"sg-encap",
				flows, n_ct, rc, action);
			rc = rc ?: -EINVAL;
			goto out;
		}
	}
	for (run = 0; run < o->runs; run++) {
		uint64_t sum = 0, n = 0;

		while (n < o->min_pkts) {
			if (sg == FP_BENCH_SG_NEW) {
				rc = ct_empty(s, keys, ct_max);
				if (rc)
					goto out;
			}
			for (i = 0; i < sc.n; i++) {
				const uint8_t *f = sc.frames + (size_t)i * sc.frame_len;

				if (sc.in_port[i] != cur_port) {
					cur_port = sc.in_port[i];
					in_port_set(s, cur_port);
				}
				rc = run_once(prog, f, sc.frame_len, &ns, &action);
				if (rc)
					goto out;
				if (action != want) {
					fprintf(stderr,
						"fp-bench-xdp: frame %u: action %u, not a redirect "
						"(the scenario drops): refusing to time it\n",
						i, action);
					rc = -EINVAL;
					goto out;
				}
				sum += ns;
			}
			n += sc.n;
		}
		raw[run] = (double)sum / (double)n;
		net[run] = raw[run] - over_cold;
		res->pkts = n;
	}
	if (sg == FP_BENCH_SG_NEW || route) {
		/* A repeated SYN finds its connection; a routed frame is
		 * rewritten in place (TTL, MACs), and live-frame mode gives the
		 * next repeat those bytes again (it resets only the frame's
		 * pointers): no warm figures.
		 */
		res->samples = 0;
		res->ns_med = res->ns_min = res->raw_med = res->prog_med = -1;
		res->floor_med = res->floor_raw = -1;
		goto cold;
	}
	/* Warm: sampled flows, each repeated; every frame was checked to be
	 * redirected by the cold runs above.  Frame i carries flow i.  Each
	 * frame also goes through the reference programs right after: the
	 * empty one, the redirecting one and (one VNI) the floor.
	 */
	null_prog = null_prog_load();
	redir_prog = redirect_prog_load(&redir_map);
	if (vnis == 1)
		floor_prog = floor_prog_load(bpf_map__fd(s->maps.fp_fdb),
					     bpf_map__fd(s->maps.fp_tx), decap ? hl : 0,
					     decap ? hl : -hl);
	if (null_prog < 0 || redir_prog < 0 || (vnis == 1 && floor_prog < 0)) {
		rc = null_prog < 0 ? null_prog : redir_prog < 0 ? redir_prog : floor_prog;
		fprintf(stderr, "fp-bench-xdp: loading the reference programs: %s\n",
			strerror(-rc));
		goto out;
	}
	res->samples = flows < LIVE_SAMPLES ? flows : LIVE_SAMPLES;
	for (run = 0; run < o->runs; run++) {
		uint64_t sum = 0, sum_null = 0, sum_redir = 0, sum_floor = 0;
		uint32_t k, ns_null = 0, ns_redir = 0, ns_floor = 0;

		for (k = 0; k < res->samples; k++) {
			const uint8_t *f;

			i = (uint32_t)((uint64_t)k * flows / res->samples);
			f = sc.frames + (size_t)i * sc.frame_len;
			if (sc.in_port[i] != cur_port) {
				cur_port = sc.in_port[i];
				in_port_set(s, cur_port);
			}
			rc = run_live(prog, f, sc.frame_len, o->repeat, &ns);
			rc = rc ?: run_live(null_prog, f, sc.frame_len, o->repeat, &ns_null);
			rc = rc ?: run_live(redir_prog, f, sc.frame_len, o->repeat, &ns_redir);
			if (rc == 0 && floor_prog >= 0)
				rc = run_live(floor_prog, f, sc.frame_len, o->repeat, &ns_floor);
			if (rc)
				goto out;
			sum += ns;
			sum_null += ns_null;
			sum_redir += ns_redir;
			sum_floor += ns_floor;
		}
		lraw[run] = (double)sum / res->samples;
		lnet[run] = lraw[run] - (double)sum_null / res->samples;
		lprog[run] = lraw[run] - (double)sum_redir / res->samples;
		fraw[run] = (double)sum_floor / res->samples;
		fnet[run] = fraw[run] - (double)sum_null / res->samples;
	}
	qsort(lnet, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(lraw, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(lprog, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(fnet, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(fraw, o->runs, sizeof(double), fp_bench_cmp_double);
	res->ns_med = lnet[o->runs / 2];
	res->ns_min = lnet[0];
	res->raw_med = lraw[o->runs / 2];
	res->prog_med = lprog[o->runs / 2];
	res->floor_med = floor_prog >= 0 ? fnet[o->runs / 2] : -1;
	res->floor_raw = floor_prog >= 0 ? fraw[o->runs / 2] : -1;
cold:
	qsort(net, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(raw, o->runs, sizeof(double), fp_bench_cmp_double);
	res->cold_med = net[o->runs / 2];
	res->cold_min = net[0];
	res->cold_raw = raw[o->runs / 2];
out:
	free(keys);
	if (null_prog >= 0)
		close(null_prog);
	if (redir_prog >= 0)
		close(redir_prog);
	if (redir_map >= 0)
		close(redir_map);
	if (floor_prog >= 0)
		close(floor_prog);
	if (s != NULL)
		fp_xdp__destroy(s);
	fp_bench_scenario_free(&sc);
	free(net);
	free(raw);
	free(lnet);
	free(lraw);
	free(lprog);
	free(fnet);
	free(fraw);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: fp-bench-xdp [--scenario NAME,..] [--flows N,..] [--vnis N,..]\n"
		"                    [--encap vxlan|geneve] [--underlay 4|6] [--runs N] [--pkts N]\n"
		"                    [--repeat N]\n"
		"       fp-bench-xdp --version | --help\n"
		"scenarios: encap decap sg-encap sg-decap sg-new route; all = encap,decap;\n"
		"          sg = all five (plain and filtered, one session)\n"
		"defaults: all, flows 1,1000,100000, vnis 1, vxlan, 4, 5 runs, cold: at least\n"
		"          200000 packets per run, warm: 20000 repeats per sampled flow\n");
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'f' },
		{ "vnis", required_argument, NULL, 'v' },
		{ "encap", required_argument, NULL, 'e' },
		{ "underlay", required_argument, NULL, 'u' },
		{ "runs", required_argument, NULL, 'r' },
		{ "pkts", required_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .encap = FP_ENCAP_VXLAN,
			  .runs = 5,
			  .min_pkts = 200000,
			  .repeat = 20000,
			  .scenarios = "all" };
	struct fp_bench_scenario probe;
	struct fp_bench_scenario_opts po = { .flows = 1, .vnis = 1, .min_frames = 1 };
	int opt;
	size_t sc;

	snprintf(o.flows, sizeof(o.flows), "1,1000,100000");
	snprintf(o.vnis, sizeof(o.vnis), "1");
	while ((opt = getopt_long(argc, argv, "hV", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o.scenarios = optarg;
			break;
		case 'f':
			snprintf(o.flows, sizeof(o.flows), "%s", optarg);
			break;
		case 'v':
			snprintf(o.vnis, sizeof(o.vnis), "%s", optarg);
			break;
		case 'e':
			o.encap = strcmp(optarg, "geneve") == 0 ? FP_ENCAP_GENEVE : FP_ENCAP_VXLAN;
			break;
		case 'u':
			o.v6 = strcmp(optarg, "6") == 0;
			break;
		case 'r':
			o.runs = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o.min_pkts = strtoull(optarg, NULL, 10);
			break;
		case 'R':
			o.repeat = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'V':
			fp_version_print(stdout, "fp-bench-xdp");
			return 0;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	{
		char bad[128];

		if (!fp_bench_scen_list_ok(o.scenarios, bad, sizeof(bad))) {
			fprintf(stderr, "fp-bench-xdp: unknown scenario '%s'\n", bad);
			usage();
			return 2;
		}
	}
	if (o.runs < 5 || o.repeat < 1000) {
		fprintf(stderr, "fp-bench-xdp: --runs must be at least 5, --repeat 1000\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "fp-bench-xdp: needs root (CAP_BPF)\n");
		return 1;
	}
	if (fp_bench_scenario_build(&probe, &po) != 0)
		return 1;
	over_cold = cold_overhead_measure(probe.frames, probe.frame_len);
	fp_bench_scenario_free(&probe);
	printf("fp-bench-xdp: %s underlay IPv%d, %u runs, git %s\n",
	       o.encap == FP_ENCAP_VXLAN ? "vxlan" : "geneve", o.v6 ? 6 : 4, o.runs,
	       fp_version_git());
	printf("ns/packet; warm: net of an empty program (XDP_DROP) run on the same frames next to "
	       "it (\"raw\" keeps it; \"prog\": net of one that only redirects; \"floor\": a "
	       "program doing only the fdb lookup, head adjustment and redirect, net); cold: net "
	       "of an empty program's test run, %.1f ns\n",
	       over_cold);
	printf("%-8s %8s %6s %10s %10s %10s %10s %10s %10s %10s\n", "scen", "flows", "vnis",
	       "warm med", "warm min", "warm raw", "warm prog", "floor", "cold med", "cold raw");
	for (sc = 0; sc < FP_BENCH_SCEN_MAX; sc++) {
		const char *name = fp_bench_scens[sc].name;
		char fl[128], *fs, *fsave = NULL;

		if (!fp_bench_scen_wanted(o.scenarios, (uint32_t)sc))
			continue;
		snprintf(fl, sizeof(fl), "%s", o.flows);
		for (fs = strtok_r(fl, ",", &fsave); fs; fs = strtok_r(NULL, ",", &fsave)) {
			char vl[128], *vs, *vsave = NULL;

			snprintf(vl, sizeof(vl), "%s", o.vnis);
			for (vs = strtok_r(vl, ",", &vsave); vs; vs = strtok_r(NULL, ",", &vsave)) {
				uint32_t flows = (uint32_t)strtoul(fs, NULL, 10);
				uint32_t vnis = (uint32_t)strtoul(vs, NULL, 10);
				struct result r = { 0 };
				char floor[32], floor_raw[32];

				if (flows == 0 || vnis == 0 || flows > FLOWS_MAX || vnis > 100000)
					continue;
				if (fp_bench_scens[sc].sg != FP_BENCH_SG_NONE && vnis != 1)
					continue; /* one filtered port: one zone */
				if (run_point(fp_bench_scens[sc].decap, fp_bench_scens[sc].sg,
					      fp_bench_scens[sc].route, flows, vnis, &o, &r) != 0)
					return 1;
				if (r.floor_med >= 0)
					snprintf(floor, sizeof(floor), "%.1f", r.floor_med);
				else
					snprintf(floor, sizeof(floor), "-");
				snprintf(floor_raw, sizeof(floor_raw), "%.1f", r.floor_raw);
				if (r.samples == 0) /* sg-new, route: cold figures only */
					printf("%-8s %8u %6u %10s %10s %10s %10s %10s %10.1f %10.1f\n",
					       name, flows, vnis, "-", "-", "-", "-", floor,
					       r.cold_med, r.cold_raw);
				else
					printf("%-8s %8u %6u %10.1f %10.1f %10.1f %10.1f %10s %10.1f "
					       "%10.1f\n",
					       name, flows, vnis, r.ns_med, r.ns_min, r.raw_med,
					       r.prog_med, floor, r.cold_med, r.cold_raw);
				printf("{\"bench\":\"xdp_test_run\",\"scenario\":\"%s\",\"encap\":\"%s\","
				       "\"underlay\":%d,\"flows\":%u,\"vnis\":%u,\"frame\":60,"
				       "\"pkts_per_run\":%" PRIu64 ",\"runs\":%u,"
				       "\"repeat\":%u,\"samples\":%u,"
				       "\"ns_per_pkt_median\":%.2f,\"ns_per_pkt_min\":%.2f,"
				       "\"ns_per_pkt_raw_median\":%.2f,"
				       "\"cold_ns_per_pkt_median\":%.2f,\"cold_ns_per_pkt_raw_median\":%.2f,"
				       "\"cold_overhead_ns\":%.2f,\"prog_ns_per_pkt_median\":%.2f,"
				       "\"floor_ns_per_pkt_median\":%s,"
				       "\"floor_ns_per_pkt_raw_median\":%s,\"git\":\"%s\"}\n",
				       name, o.encap == FP_ENCAP_VXLAN ? "vxlan" : "geneve",
				       o.v6 ? 6 : 4, flows, vnis, r.pkts, o.runs, o.repeat,
				       r.samples, r.ns_med, r.ns_min, r.raw_med, r.cold_med,
				       r.cold_raw, over_cold, r.prog_med,
				       r.floor_med >= 0 ? floor : "null",
				       r.floor_raw >= 0 ? floor_raw : "null", fp_version_git());
				fflush(stdout);
			}
		}
	}
	return 0;
}
