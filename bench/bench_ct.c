/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench-ct: fp-dpdk's connection table (dataplane/ct.c) on one core.
 *
 *   fp-bench-ct [--entries N,...] [--new N] [--ops N] [--runs N] [--huge]
 *
 * established: N connections (default 1000 and 1000000) are in the table
 * (state established); each operation is what a packet of a tracked
 * connection costs the table: fp_ct_lookup() of its key then
 * fp_ct_update() (same state: the last-seen time only).  The connections
 * come in a random order, so with 1M entries nearly every lookup misses
 * the caches, as spread traffic does; the sequence of keys is built
 * before timing and read in order (a worker has the key from its packet,
 * in cache), so only the table's misses are timed.
 * est-bulk32: the same in bursts of 32 keys through fp_ct_lookup_bulk()
 * (prefetching), then fp_ct_update() of each.
 * new: --new (default 1000000) connections that are not in the table are
 * opened one after the other, each a lookup (a miss) and an insert, into
 * an empty table sized 1.25 x that (the default conntrack.size if
 * larger); the run ends with the table about 72 % full.
 *
 * The table is sized max(1.25 x entries, 262144) (at most FP_CT_SIZE_MAX),
 * as conntrack.size would be; entries up to 0.8 x FP_CT_SIZE_MAX (13.4M:
 * 10M fits).  Memory: 66 bytes per slot, about 73 per entry of the size
 * (918 MB for 10M connections): without --huge the EAL is given what the
 * largest table needs (-m, at least 1024 MB); with --huge the hugepages
 * must hold it.  Keys are TCP 5-tuples from random IPv4 addresses and
 * ports (seed 42), built with fp_ct_key_make().  The whole loop is timed (rdtsc);
 * results are the median and the best of --runs (>= 5) runs, in cycles
 * per operation and millions of operations per second; one JSON line per
 * result.
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
#include <rte_lcore.h>
#include <rte_memory.h>

#include <flowplane/sg.h>

#include "ct.h"
#include "scenario.h"
#include "version.h"

#ifndef FP_CFLAGS
#define FP_CFLAGS "unknown"
#endif

#define BENCH_SEED 42
#define BENCH_RUNS_MAX 64
#define BENCH_BURST 32		     /* keys per fp_ct_lookup_bulk() */
#define T0 (1000ULL * 1000000000ULL) /* the clock's start (ns) */

struct opts {
	char entries[128]; /* comma list */
	uint32_t n_new;	   /* connections opened by the new scenario */
	uint32_t ops;	   /* established operations per run */
	uint32_t runs;	   /* >= 5 */
	int huge;	   /* EAL memory from hugepages */
};

struct result {
	double cyc_med; /* cycles per operation, median */
	double cyc_min; /* best run */
	double mops;	/* millions of operations per second at the median */
};

static uint64_t rng = BENCH_SEED;

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 32);
}

/* n distinct-enough random TCP connections (duplicates are skipped by
 * the callers through -EEXIST).
 */
static struct fp_ct_key *
keys_make(uint32_t n, uint16_t zone)
{
	struct fp_ct_key *k = malloc(sizeof(*k) * n);
	struct fp_sg_pkt p;
	uint32_t i, a;

	if (k == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		p.family = 4;
		p.proto = FP_SG_PROTO_TCP;
		p.src.b[10] = p.src.b[11] = p.dst.b[10] = p.dst.b[11] = 0xff;
		a = rnd();
		memcpy(&p.src.b[12], &a, 4);
		a = rnd();
		memcpy(&p.dst.b[12], &a, 4);
		a = rnd();
		p.sport = (uint16_t)a;
		p.dport = (uint16_t)(a >> 16);
		fp_ct_key_make(&k[i], zone, &p);
	}
	return k;
}

static uint32_t
table_size(uint32_t n)
{
	uint64_t s = (uint64_t)n + n / 4;

	if (s < FP_CT_SIZE_DEFAULT)
		s = FP_CT_SIZE_DEFAULT;
	return s > FP_CT_SIZE_MAX ? FP_CT_SIZE_MAX : (uint32_t)s;
}

/* EAL memory (MB, -m without --huge) for tables of up to max_size
 * entries: 66 bytes a slot, size / 0.9 slots, and room for the rest.
 */
static uint32_t
eal_mem_mb(uint32_t max_size)
{
	uint64_t mb = ((uint64_t)max_size * 66 * 10 / 9 >> 20) + 256;

	return mb < 1024 ? 1024 : (uint32_t)mb;
}

static void
summarise(double *cyc, uint32_t runs, struct result *r)
{
	qsort(cyc, runs, sizeof(double), fp_bench_cmp_double);
	r->cyc_med = cyc[runs / 2];
	r->cyc_min = cyc[0];
	r->mops = (double)rte_get_tsc_hz() / r->cyc_med / 1e6;
}

/* Lookup + update of established connections, n in the table; one key
 * at a time (fp_ct_lookup()) or in bursts of BENCH_BURST
 * (fp_ct_lookup_bulk(), as a worker's burst would).
 */
static int
bench_established(const struct opts *o, uint32_t n, int bulk, struct result *r, uint32_t *n_in)
{
	const struct fp_ct_key *kp[BENCH_BURST];
	struct fp_ct_ref refs[BENCH_BURST];
	uint64_t hits;
	uint32_t j;
	struct fp_ct *ct = fp_ct_create(table_size(n), NULL, SOCKET_ID_ANY);
	struct fp_ct_key *keys = keys_make(n, 1);
	struct fp_ct_key *seq = malloc(sizeof(*seq) * o->ops);
	struct fp_ct_val v = { .state = FP_CT_ESTABLISHED, .flags = FP_CT_F_ORIG_A };
	double cyc[BENCH_RUNS_MAX];
	struct fp_ct_ref ref;
	uint32_t i, run, in = 0;
	uint64_t t, bad = 0;
	int rc = -ENOMEM;

	if (ct == NULL || keys == NULL || seq == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		rc = fp_ct_insert(ct, &keys[i], &v, T0, &ref);
		if (rc == 0) {
			keys[in++] = keys[i];
		} else if (rc != -EEXIST) {
			fprintf(stderr, "fp-bench-ct: insert %u of %u: %s\n", i, n, strerror(-rc));
			goto out;
		}
	}
	for (i = 0; i < o->ops; i++)
		seq[i] = keys[rnd() % in];
	for (run = 0; run <= o->runs; run++) { /* run 0 warms up */
		uint64_t now = T0 + run;

		t = rte_rdtsc_precise();
		for (i = 0; !bulk && i < o->ops; i++) {
			if (fp_ct_lookup(ct, &seq[i], now, &ref) != 0 ||
			    fp_ct_update(ct, &ref, &ref.val, now) != 0)
				bad++;
		}
		for (i = 0; bulk && i + BENCH_BURST <= o->ops; i += BENCH_BURST) {
			for (j = 0; j < BENCH_BURST; j++)
				kp[j] = &seq[i + j];
			hits = fp_ct_lookup_bulk(ct, kp, BENCH_BURST, now, refs);
			bad += BENCH_BURST - (uint32_t)__builtin_popcountll(hits);
			for (j = 0; j < BENCH_BURST; j++)
				bad += fp_ct_update(ct, &refs[j], &refs[j].val, now) != 0;
		}
		t = rte_rdtsc_precise() - t;
		if (run > 0)
			cyc[run - 1] = (double)t / o->ops;
	}
	if (bad) {
		fprintf(stderr, "fp-bench-ct: %" PRIu64 " lookups failed\n", bad);
		rc = -EIO;
		goto out;
	}
	summarise(cyc, o->runs, r);
	*n_in = in;
	rc = 0;
out:
	free(seq);
	free(keys);
	fp_ct_free(ct);
	return rc;
}

/* New connections: lookup (miss) + insert of n keys into an empty table. */
static int
bench_new(const struct opts *o, struct result *r, uint32_t *cap)
{
	struct fp_ct_key *keys = keys_make(o->n_new, 2);
	struct fp_ct_val v = { .state = FP_CT_SYN_SENT, .flags = FP_CT_F_ORIG_A };
	double cyc[BENCH_RUNS_MAX];
	struct fp_ct_ref ref;
	uint32_t i, run;
	uint64_t t, bad = 0;
	struct fp_ct *ct;
	int rc;

	if (keys == NULL)
		return -ENOMEM;
	for (run = 0; run <= o->runs; run++) {
		ct = fp_ct_create(table_size(o->n_new), NULL, SOCKET_ID_ANY);
		if (ct == NULL) {
			free(keys);
			return -ENOMEM;
		}
		*cap = fp_ct_capacity(ct);
		t = rte_rdtsc_precise();
		for (i = 0; i < o->n_new; i++) {
			if (fp_ct_lookup(ct, &keys[i], T0, &ref) == 0)
				continue;
			rc = fp_ct_insert(ct, &keys[i], &v, T0, &ref);
			bad += rc != 0 && rc != -EEXIST;
		}
		t = rte_rdtsc_precise() - t;
		fp_ct_free(ct);
		if (run > 0)
			cyc[run - 1] = (double)t / o->n_new;
	}
	free(keys);
	if (bad) {
		fprintf(stderr, "fp-bench-ct: %" PRIu64 " inserts failed\n", bad);
		return -EIO;
	}
	summarise(cyc, o->runs, r);
	return 0;
}

static void
print_result(const char *scen, uint32_t entries, uint32_t size, uint32_t ops, const struct opts *o,
	     const struct result *r, const char *cpu)
{
	printf("%-12s %9u %9u %12.1f %12.1f %10.2f\n", scen, entries, size, r->cyc_med, r->cyc_min,
	       r->mops);
	printf("{\"bench\":\"ct\",\"scenario\":\"%s\",\"entries\":%u,\"size\":%u,\"ops\":%u,"
	       "\"runs\":%u,\"hugepages\":%s,\"cycles_per_op_median\":%.1f,"
	       "\"cycles_per_op_min\":%.1f,\"mops_median\":%.3f,\"seed\":%d,\"git\":\"%s\","
	       "\"compiler\":\"%s\",\"cflags\":\"%s\",\"cpu\":\"%s\"}\n",
	       scen, entries, size, ops, o->runs, o->huge ? "true" : "false", r->cyc_med,
	       r->cyc_min, r->mops, BENCH_SEED, fp_version_git(), __VERSION__, FP_CFLAGS, cpu);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: fp-bench-ct [--entries N,...] [--new N] [--ops N] [--runs N] [--huge]\n"
		"  defaults: --entries 1000,1000000 --new 1000000 --ops 2000000 --runs 5;\n"
		"  --huge: EAL memory from hugepages (as fp-dpdk), else 4 KiB pages\n");
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "entries", required_argument, NULL, 'e' },
		{ "new", required_argument, NULL, 'n' },
		{ "ops", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "huge", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .n_new = 1000000, .ops = 2000000, .runs = 5 };
	char eal_prefix[64], eal_mem[16], cpu[128], *tok, *save, list[128];
	char *eal_argv[] = { argv[0],	    "--no-huge", "-m",	     eal_mem,
			     "--no-shconf", "--no-pci",	 "-l",	     "0",
			     "--log-level", "*:error",	 eal_prefix, NULL };
	int eal_argc = (int)RTE_DIM(eal_argv) - 1, opt;
	struct result r;
	uint32_t n, in, cap, max_size;

	snprintf(o.entries, sizeof(o.entries), "1000,1000000");
	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			snprintf(o.entries, sizeof(o.entries), "%s", optarg);
			break;
		case 'n':
			o.n_new = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			o.ops = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o.runs = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			o.huge = 1;
			break;
		case 'V':
			fp_version_print(stdout, "fp-bench-ct");
			return 0;
		default:
			usage();
			return opt == 'h' ? 0 : 1;
		}
	}
	if (o.runs < 5 || o.runs > BENCH_RUNS_MAX || o.ops == 0 || o.n_new == 0 ||
	    o.n_new > FP_CT_SIZE_MAX) {
		fprintf(stderr, "fp-bench-ct: --runs 5..%d, --ops and --new > 0\n", BENCH_RUNS_MAX);
		return 1;
	}
	/* Check the entry counts first; the largest table sizes the EAL. */
	max_size = table_size(o.n_new);
	snprintf(list, sizeof(list), "%s", o.entries);
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		n = (uint32_t)strtoul(tok, NULL, 0);
		if (n == 0 || n > FP_CT_SIZE_MAX / 5 * 4) {
			fprintf(stderr, "fp-bench-ct: bad entry count %s (1..%u)\n", tok,
				FP_CT_SIZE_MAX / 5 * 4);
			return 1;
		}
		if (table_size(n) > max_size)
			max_size = table_size(n);
	}
	snprintf(eal_mem, sizeof(eal_mem), "%u", eal_mem_mb(max_size));
	snprintf(eal_prefix, sizeof(eal_prefix), "--file-prefix=fp_bench_ct_%d", (int)getpid());
	if (o.huge) {
		memmove(&eal_argv[1], &eal_argv[4], sizeof(eal_argv) - 4 * sizeof(eal_argv[0]));
		eal_argc -= 3;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "fp-bench-ct: EAL init failed\n");
		return 1;
	}
	fp_bench_cpu_model(cpu, sizeof(cpu));
	printf("fp-bench-ct: %s, TSC %.3f GHz, %u runs, seed %d, git %s\n", cpu,
	       (double)rte_get_tsc_hz() / 1e9, o.runs, BENCH_SEED, fp_version_git());
	printf("%-12s %9s %9s %12s %12s %10s\n", "scenario", "entries", "size", "cyc/op med",
	       "cyc/op min", "Mops med");
	for (tok = strtok_r(o.entries, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		n = (uint32_t)strtoul(tok, NULL, 0);
		if (bench_established(&o, n, 0, &r, &in) != 0)
			return 1;
		print_result("established", in, table_size(n), o.ops, &o, &r, cpu);
		if (bench_established(&o, n, 1, &r, &in) != 0)
			return 1;
		print_result("est-bulk32", in, table_size(n), o.ops, &o, &r, cpu);
	}
	if (bench_new(&o, &r, &cap) != 0)
		return 1;
	print_result("new", o.n_new, table_size(o.n_new), o.n_new, &o, &r, cpu);
	rte_eal_cleanup();
	return 0;
}
