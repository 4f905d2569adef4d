/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench: the pipeline in-process, on mbuf bursts built before timing.
 *
 *   fp-bench [--scenario encap|decap|sg-encap|sg-decap|sg-new|route|fip|all|sg,...]
 *            [--flows N,...] [--vnis N,...] [--encap vxlan|geneve]
 *            [--underlay 4|6] [--runs N] [--pkts N] [--routes N,...]
 *
 * Scenarios: encap (a VM port sends to a MAC behind a remote vtep) and
 * decap (the underlay receives VXLAN/Geneve for a local VM port).  Flows
 * are distinct inner 5-tuples.  VNIs: every VNI has its FDB and flood
 * entries installed; the traffic uses min(VNIs, 63) of them, because a
 * VNI's traffic needs a local VM port (one VNI each) and there are 64
 * ports.  Every flow's frame is built before timing.  Like a NIC's DMA
 * into its rx ring, each burst's frames are copied into mbufs of a
 * 1024-mbuf ring before the burst (not timed); only the
 * fp_pipeline_run_burst() calls are timed (rdtsc around each burst); the
 * cost of an empty timed region, measured at start-up, is taken off each
 * burst ("raw" figures keep it).
 * The pipeline keeps no per-flow state, so the flow count shows what the
 * inner-flow variety (hashing, key dedupe) costs; the cost of packets
 * cold in memory is what bench/replay.sh measures through fp-dpdk.  Prints a table and one JSON
 * line per result with median and min over the runs.
 *
 * Security groups (doc/security-groups.md, bench/README.md): sg-encap and
 * sg-decap are encap and decap on filtered ports with TCP ACKs of
 * established connections (the untimed warm-up pass opens one connection
 * per flow, by pickup; the timed passes all hit the connection table);
 * sg-new sends SYNs from a filtered VM port, each opening a connection
 * (the connection table is emptied, untimed, before every pass).  "sg"
 * runs encap, decap and the three sg scenarios in one session.  route
 * (named alone) is encap through a router (bench/scenario.h): VM ->
 * router -> VM on another host, routed and encapsulated; fip (named
 * alone) the same with the source's floating IP (snat) on an external
 * route flagged snat: a packet not translated would be dropped;
 * --routes N adds
 * N BGP-like IPv4 routes (and N / 5 IPv6 ones) to each router and sends
 * each flow to an address of its own route (0: the two connected routes
 * only, every flow to one destination).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ct.h"
#include "ftable.h"
#include "names.h"
#include "pipeline.h"
#include "scenario.h"

#include "version.h"

#ifndef FP_CFLAGS
#define FP_CFLAGS "unknown"
#endif

#define BENCH_SEED 42
/* At least this many distinct mbufs, like an rx ring's worth. */
#define BENCH_RING 1024U

struct bench_opts {
	int encap;	       /* FP_ENCAP_* */
	int v6;		       /* IPv6 underlay */
	int huge;	       /* EAL memory from hugepages (as fp-dpdk runs) */
	uint32_t runs;	       /* timed runs, >= 5 */
	uint64_t min_pkts;     /* packets per run at least */
	const char *scenarios; /* comma list of scenario names, "all", "sg" */
	char flows[128];       /* comma list */
	char vnis[128];	       /* comma list */
	char routes[128];      /* comma list (route scenario) */
};

struct result {
	double cyc_med;	      /* cycles/packet, median of runs, timer cost removed */
	double cyc_min;	      /* cycles/packet, best run, timer cost removed */
	double cyc_raw_med;   /* cycles/packet, median of runs, as timed */
	double cyc_burst_med; /* cycles/packet of the median burst, median of runs */
	uint64_t pkts;	      /* packets per run */
};

/* What one timed region costs with nothing in it (rdtsc_precise twice),
 * in cycles: measured at start-up and taken off every timed burst.
 */
static double timer_cost;

struct setup {
	struct fp_ftables *t;		   /* tables */
	struct fp_ct *ct;		   /* connection table (sg scenarios) */
	uint32_t sg;			   /* FP_BENCH_SG_* */
	struct fp_bench_scenario sc;	   /* ports, entries, frames */
	struct rte_mbuf *ring[BENCH_RING]; /* the "rx ring" */
	double *bcyc;			   /* a run's bursts: cycles/packet, timer off */
	size_t n_bcyc;			   /* bursts recorded */
	size_t cap_bcyc;		   /* room in bcyc */
};

/* The scenario's entries, in one transaction. */
static int
install(struct fp_ftables *t, const struct fp_bench_scenario *sc)
{
	struct fp_txn *x = fp_txn_create();
	char err[256];
	uint32_t i, failed;
	int rc;

	if (x == NULL)
		return -ENOMEM;
	for (i = 0; i < sc->n_entries; i++) {
		const struct fp_bench_entry *e = &sc->entries[i];

		fp_txn_add(x, e->table, &e->key, fp_names_key_size[e->table], &e->val,
			   fp_names_val_size[e->table]);
	}
	for (i = 0; i < sc->n_routes; i++)
		fp_txn_add(x, FP_TABLE_ROUTE, &sc->routes[i].key, sizeof(sc->routes[i].key),
			   &sc->routes[i].val, sizeof(sc->routes[i].val));
	rc = fp_ftables_commit(t, x, &failed, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "fp-bench: install failed: %s\n", err);
	fp_txn_free(x);
	return rc;
}

static int
prepare(struct setup *s, struct rte_mempool *mp, int decap, uint32_t sg, int route, uint32_t routes,
	uint32_t flows, uint32_t vnis, const struct bench_opts *o, const char *name)
{
	/* sg-new: one frame per flow, every one a new connection. */
	struct fp_bench_scenario_opts so = { .decap = decap,
					     .encap = o->encap,
					     .v6 = o->v6,
					     .flows = flows,
					     .vnis = vnis,
					     .min_frames = sg == FP_BENCH_SG_NEW ? 1 : BENCH_RING,
					     .sg = sg,
					     .route = route,
					     .routes = routes };
	uint32_t limits[FP_TABLE_MAX] = { 0 }, i;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = fp_bench_scenario_build(&s->sc, &so);
	if (rc != 0)
		return rc;
	limits[FP_TABLE_PORT] = FP_PORT_MAX;
	limits[FP_TABLE_VTEP] = 64;
	limits[FP_TABLE_FDB] = 2 * vnis + (2 + FP_BENCH_NEXTHOPS) * FP_BENCH_MAX_VM_PORTS + 64;
	limits[FP_TABLE_FLOOD] = vnis + 16;
	limits[FP_TABLE_NEIGH] = (1 + FP_BENCH_NEXTHOPS) * FP_BENCH_MAX_VM_PORTS + 16;
	limits[FP_TABLE_RULESET] = 16;
	limits[FP_TABLE_ADDRSET] = 16;
	limits[FP_TABLE_ROUTE] = 2 * FP_BENCH_MAX_VM_PORTS + 16 + s->sc.n_routes;
	limits[FP_TABLE_NAT] = FP_BENCH_MAX_VM_PORTS * (2 + flows / 50000) + 16;
	limits[FP_TABLE_DHCP] = 16;
	limits[FP_TABLE_RA] = 16;
	limits[FP_TABLE_DHCP6] = 16;
	limits[FP_TABLE_SEGMENT] = 16;
	s->t = fp_ftables_create(name, limits, (int)rte_socket_id(), NULL);
	if (s->t == NULL)
		return -errno;
	s->sg = sg;
	if (sg != FP_BENCH_SG_NONE) {
		/* Twice the connections, as an operator sizes conntrack.size. */
		s->ct = fp_ct_create(RTE_MAX(2 * flows, 4096U), NULL, (int)rte_socket_id());
		if (s->ct == NULL)
			return -errno;
		fp_ftables_ct_attach(s->t, s->ct);
	}
	for (i = 0; i < s->sc.n_ports; i++)
		fp_ftables_port_config(s->t, s->sc.ports[i].id, s->sc.ports[i].role,
				       s->sc.ports[i].mtu, s->sc.ports[i].mac);
	fp_ftables_local_vtep_add(s->t, &s->sc.local_vtep);
	if (install(s->t, &s->sc) != 0)
		return -EINVAL;
	if (rte_pktmbuf_alloc_bulk(mp, s->ring, BENCH_RING) != 0)
		return -ENOMEM;
	return 0;
}

static void
release(struct setup *s)
{
	uint32_t i;

	for (i = 0; i < BENCH_RING; i++)
		rte_pktmbuf_free(s->ring[i]);
	fp_bench_scenario_free(&s->sc);
	fp_ftables_free(s->t);
	fp_ct_free(s->ct);
}

/* sg-new: empty the connection table (not timed) before a pass. */
static void
ct_empty(struct setup *s)
{
	uint32_t i;

	if (s->sg != FP_BENCH_SG_NEW)
		return;
	for (i = 0; i < s->sc.n_vm; i++)
		fp_ct_flush_zone(s->ct, (uint16_t)i);
}

/* One pass over every prepared frame; returns the timed cycles and adds
 * the packets and bursts timed to *n_pkts and *n_bursts.
 */
static uint64_t
one_pass(struct fp_pipeline *p, struct setup *s, struct fp_pipe_out *out, uint64_t *n_pkts,
	 uint64_t *n_bursts)
{
	uint64_t cycles = 0;
	uint32_t i, k, r = 0;

	ct_empty(s);
	for (i = 0; i < s->sc.n;) {
		uint16_t port = s->sc.in_port[i], n = 0;
		struct rte_mbuf **pkts;
		uint64_t t0;

		/* A burst: up to 32 frames from the same port, "received"
		 * into the next ring slots.
		 */
		while (i + n < s->sc.n && n < FP_BURST && s->sc.in_port[i + n] == port)
			n++;
		if (r + n > BENCH_RING)
			r = 0;
		pkts = &s->ring[r];
		for (k = 0; k < n; k++) {
			struct rte_mbuf *m = pkts[k];

			m->data_off = RTE_PKTMBUF_HEADROOM;
			m->data_len = (uint16_t)s->sc.frame_len;
			m->pkt_len = s->sc.frame_len;
			memcpy(rte_pktmbuf_mtod(m, void *),
			       s->sc.frames + (size_t)(i + k) * s->sc.frame_len, s->sc.frame_len);
		}
		out->n = 0;
		t0 = rte_rdtsc_precise();
		fp_pipeline_run_burst(p, port, pkts, n, out);
		t0 = rte_rdtsc_precise() - t0;
		cycles += t0;
		if (s->n_bcyc < s->cap_bcyc)
			s->bcyc[s->n_bcyc++] = ((double)t0 - timer_cost) / n;
		r += n;
		i += n;
		*n_pkts += n;
		(*n_bursts)++;
	}
	return cycles;
}

static int
run_one(struct rte_mempool *mp, int decap, uint32_t sg, int route, uint32_t routes, uint32_t flows,
	uint32_t vnis, const struct bench_opts *o, struct result *r)
{
	static struct fp_pipe_out out;
	static unsigned int seq;
	struct fp_pipeline p;
	struct setup s;
	double *cyc = calloc(o->runs, sizeof(double));
	double *raw = calloc(o->runs, sizeof(double));
	double *bmed = calloc(o->runs, sizeof(double));
	char name[32];
	uint32_t run, passes;
	int rc;

	if (cyc == NULL || raw == NULL || bmed == NULL) {
		free(cyc);
		free(raw);
		free(bmed);
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "b%u", seq++);
	rc = prepare(&s, mp, decap, sg, route, routes, flows, vnis, o, name);
	if (rc != 0) {
		fprintf(stderr, "fp-bench: setup failed: %s\n", strerror(-rc));
		release(&s);
		free(cyc);
		free(raw);
		free(bmed);
		return rc;
	}
	fp_pipeline_init(&p, s.t, mp);
	passes = (uint32_t)RTE_MAX(1ULL, (o->min_pkts + s.sc.n - 1) / s.sc.n);
	{
		uint64_t warm = 0, warm_bursts = 0;

		one_pass(&p, &s, &out, &warm, &warm_bursts);
	}
	if (p.stats.n[FP_STAT_DROP] != 0 || p.stats.n[FP_STAT_TX] != s.sc.n) {
		fprintf(stderr,
			"fp-bench: the scenario drops packets (tx %" PRIu64 " drop %" PRIu64
			") — refusing to time it\n",
			p.stats.n[FP_STAT_TX], p.stats.n[FP_STAT_DROP]);
		/* Dropped packets were freed by the pipeline. */
		abort();
	}
	if (route && p.stats.n[FP_STAT_ROUTED] != s.sc.n) {
		fprintf(stderr,
			"fp-bench: route: %" PRIu64 " of %u packets routed — refusing to time it\n",
			p.stats.n[FP_STAT_ROUTED], s.sc.n);
		abort();
	}
	/* Every flow is a connection now, each opened by one frame. */
	if (sg != FP_BENCH_SG_NONE &&
	    (fp_ct_count(s.ct) != flows ||
	     p.stats.n[FP_STAT_CT_PICKUP] + p.stats.n[FP_STAT_CT_NEW] != flows)) {
		fprintf(stderr,
			"fp-bench: %u flows made %u connections (%" PRIu64 " new, %" PRIu64
			" picked up) — refusing to time it\n",
			flows, fp_ct_count(s.ct), p.stats.n[FP_STAT_CT_NEW],
			p.stats.n[FP_STAT_CT_PICKUP]);
		abort();
	}
	/* Every burst of a run, for the median burst: a burst during which
	 * the thread was preempted (a shared machine) counts as one slow
	 * burst there, not as milliseconds added to the run's sum.
	 */
	s.cap_bcyc = (size_t)passes * s.sc.n; /* a burst has a packet at least */
	s.bcyc = malloc(s.cap_bcyc * sizeof(double));
	if (s.bcyc == NULL)
		s.cap_bcyc = 0;
	for (run = 0; run < o->runs; run++) {
		uint64_t cycles = 0, n = 0, bursts = 0;
		uint32_t k;

		s.n_bcyc = 0;
		for (k = 0; k < passes; k++)
			cycles += one_pass(&p, &s, &out, &n, &bursts);
		raw[run] = (double)cycles / (double)n;
		cyc[run] = ((double)cycles - (double)bursts * timer_cost) / (double)n;
		bmed[run] = 0;
		if (s.n_bcyc) {
			qsort(s.bcyc, s.n_bcyc, sizeof(double), fp_bench_cmp_double);
			bmed[run] = s.bcyc[s.n_bcyc / 2];
		}
		r->pkts = n;
	}
	free(s.bcyc);
	s.bcyc = NULL;
	if (sg == FP_BENCH_SG_NEW &&
	    p.stats.n[FP_STAT_CT_NEW] != (uint64_t)flows * (1 + passes * o->runs)) {
		fprintf(stderr,
			"fp-bench: sg-new: %" PRIu64 " new connections, not one per packet\n",
			p.stats.n[FP_STAT_CT_NEW]);
		abort();
	}
	if (sg == FP_BENCH_SG_EST &&
	    p.stats.n[FP_STAT_CT_HIT] != (uint64_t)s.sc.n * passes * o->runs + (s.sc.n - flows)) {
		fprintf(stderr, "fp-bench: %s: %" PRIu64 " connection hits, not one per packet\n",
			decap ? "sg-decap" : "sg-encap", p.stats.n[FP_STAT_CT_HIT]);
		abort();
	}
	qsort(cyc, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(raw, o->runs, sizeof(double), fp_bench_cmp_double);
	qsort(bmed, o->runs, sizeof(double), fp_bench_cmp_double);
	r->cyc_med = cyc[o->runs / 2];
	r->cyc_min = cyc[0];
	r->cyc_raw_med = raw[o->runs / 2];
	r->cyc_burst_med = bmed[o->runs / 2];
	release(&s);
	free(cyc);
	free(raw);
	free(bmed);
	return 0;
}

/* The cost of an empty timed region: median of 9 averages of 100000. */
static double
timer_calibrate(void)
{
	double avg[9];
	uint32_t i, k;

	for (i = 0; i < RTE_DIM(avg); i++) {
		uint64_t sum = 0;

		for (k = 0; k < 100000; k++) {
			uint64_t t0 = rte_rdtsc_precise();

			sum += rte_rdtsc_precise() - t0;
		}
		avg[i] = (double)sum / 100000.0;
	}
	qsort(avg, RTE_DIM(avg), sizeof(double), fp_bench_cmp_double);
	return avg[RTE_DIM(avg) / 2];
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: fp-bench [--scenario NAME,..] [--flows N,..] [--vnis N,..]\n"
		"                [--encap vxlan|geneve] [--underlay 4|6] [--runs N] [--pkts N]\n"
		"                [--huge] [--routes N,..]\n"
		"       fp-bench --version | --help\n"
		"scenarios: encap decap sg-encap sg-decap sg-new route fip; all = encap,decap;\n"
		"          sg = encap,decap,sg-encap,sg-decap,sg-new (plain and filtered, one session)\n"
		"defaults: all, flows 1,1000,100000,1000000, vnis 1,100,10000, vxlan, 4, 5 runs,\n"
		"          at least 2000000 packets per run, 4 KiB pages (--no-huge);\n"
		"          --huge: hugepages from the mounted hugetlbfs, as fp-dpdk uses;\n"
		"          --routes (route only, default 0): BGP-like IPv4 routes per router\n"
		"          (and a fifth as many IPv6), each flow to its own route\n");
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
		{ "huge", no_argument, NULL, 'H' },
		{ "routes", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = {
		.encap = FP_ENCAP_VXLAN, .runs = 5, .min_pkts = 2000000, .scenarios = "all"
	};
	char eal_prefix[64], cpu[128];
	char *eal_argv[] = { argv[0],	    "--no-huge",   "-m",       "4096",
			     "--no-pci",    "--no-shconf", "-l",       "0",
			     "--log-level", "*:error",	   eal_prefix, NULL };
	int eal_argc = (int)RTE_DIM(eal_argv) - 1;
	struct rte_mempool *mp;
	int opt, sc;

	snprintf(o.flows, sizeof(o.flows), "1,1000,100000,1000000");
	snprintf(o.vnis, sizeof(o.vnis), "1,100,10000");
	snprintf(o.routes, sizeof(o.routes), "0");
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
		case 'H':
			o.huge = 1;
			break;
		case 'R':
			snprintf(o.routes, sizeof(o.routes), "%s", optarg);
			break;
		case 'V':
			fp_version_print(stdout, "fp-bench");
			return 0;
		default:
			usage();
			return opt == 'h' ? 0 : 1;
		}
	}
	{
		char bad[128];

		if (!fp_bench_scen_list_ok(o.scenarios, bad, sizeof(bad))) {
			fprintf(stderr, "fp-bench: unknown scenario '%s'\n", bad);
			usage();
			return 1;
		}
	}
	if (o.runs < 5) {
		fprintf(stderr, "fp-bench: --runs must be at least 5\n");
		return 1;
	}
	snprintf(eal_prefix, sizeof(eal_prefix), "--file-prefix=fp_bench_%d", (int)getpid());
	if (o.huge) {
		/* Drop "--no-huge -m 512": EAL takes hugepages as it finds them. */
		memmove(&eal_argv[1], &eal_argv[4], sizeof(eal_argv) - 4 * sizeof(eal_argv[0]));
		eal_argc -= 3;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "fp-bench: EAL init failed\n");
		return 1;
	}
	fp_bench_cpu_model(cpu, sizeof(cpu));
	timer_cost = timer_calibrate();
	/* 64-byte frames with the largest header in front fit in 256 bytes. */
	mp = rte_pktmbuf_pool_create("bench", 4 * BENCH_RING, 0, 0, 256 + RTE_PKTMBUF_HEADROOM,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "fp-bench: mempool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	printf("fp-bench: %s, TSC %.3f GHz, %s underlay IPv%d, %u runs, seed %d, git %s\n", cpu,
	       rte_get_tsc_hz() / 1e9, o.encap == FP_ENCAP_VXLAN ? "vxlan" : "geneve", o.v6 ? 6 : 4,
	       o.runs, BENCH_SEED, fp_version_git());
	printf("timer: %.1f cycles per timed burst, taken off (\"raw\" keeps it)\n", timer_cost);
	printf("%-8s %8s %6s %8s %12s %12s %12s %10s %10s %12s\n", "scen", "flows", "vnis",
	       "routes", "cyc/pkt med", "cyc/pkt min", "raw med", "Mpps med", "Mpps max",
	       "burst med");
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
				char rl[128], *rs, *rsave = NULL;

				/* Routes: a list for route, 0 for the others. */
				snprintf(rl, sizeof(rl), "%s",
					 fp_bench_scens[sc].route ? o.routes : "0");
				for (rs = strtok_r(rl, ",", &rsave); rs;
				     rs = strtok_r(NULL, ",", &rsave)) {
					uint32_t flows = (uint32_t)strtoul(fs, NULL, 10);
					uint32_t vnis = (uint32_t)strtoul(vs, NULL, 10);
					uint32_t routes = (uint32_t)strtoul(rs, NULL, 10);
					double hz = (double)rte_get_tsc_hz();
					struct result r = { 0 };

					if (flows == 0 || vnis == 0 || flows > 1000000 ||
					    vnis > 1000000)
						continue;
					if (fp_bench_scens[sc].sg != FP_BENCH_SG_NONE && vnis != 1)
						continue; /* one filtered port: one zone */
					if (run_one(mp, fp_bench_scens[sc].decap,
						    fp_bench_scens[sc].sg, fp_bench_scens[sc].route,
						    routes, flows, vnis, &o, &r) != 0)
						return 1;
					printf("%-8s %8u %6u %8u %12.1f %12.1f %12.1f %10.2f %10.2f %12.1f\n",
					       name, flows, vnis, routes, r.cyc_med, r.cyc_min,
					       r.cyc_raw_med, hz / r.cyc_med / 1e6,
					       hz / r.cyc_min / 1e6, r.cyc_burst_med);
					printf("{\"bench\":\"pipeline\",\"scenario\":\"%s\",\"encap\":\"%s\","
					       "\"underlay\":%d,\"flows\":%u,\"vnis\":%u,\"routes\":%u,"
					       "\"frame\":64,"
					       "\"hugepages\":%s,"
					       "\"pkts_per_run\":%" PRIu64 ",\"runs\":%u,"
					       "\"cycles_per_pkt_median\":%.2f,\"cycles_per_pkt_min\":%.2f,"
					       "\"cycles_per_pkt_raw_median\":%.2f,"
					       "\"cycles_per_pkt_burst_median\":%.2f,"
					       "\"timer_cycles_per_burst\":%.1f,"
					       "\"mpps_median\":%.3f,\"mpps_max\":%.3f,\"tsc_hz\":%.0f,"
					       "\"seed\":%d,\"git\":\"%s\",\"cc\":\"%s\",\"cflags\":\"%s\","
					       "\"cpu\":\"%s\"}\n",
					       name, o.encap == FP_ENCAP_VXLAN ? "vxlan" : "geneve",
					       o.v6 ? 6 : 4, flows, vnis, routes,
					       o.huge ? "true" : "false", r.pkts, o.runs, r.cyc_med,
					       r.cyc_min, r.cyc_raw_med, r.cyc_burst_med,
					       timer_cost, hz / r.cyc_med / 1e6,
					       hz / r.cyc_min / 1e6, hz, BENCH_SEED,
					       fp_version_git(), __VERSION__, FP_CFLAGS, cpu);
					fflush(stdout);
				}
			}
		}
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
