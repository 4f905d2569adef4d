/* SPDX-License-Identifier: BSD-3-Clause */
/* The XDP program's security groups and connection table (fp_sg.bpf.h)
 * on the loaded program (bpf_prog_test_run_opts), where the packet cases
 * cannot reach: the table full (ct_full, tracked connections still
 * flowing), expiry (an entry past its timeout is absent and overwritten),
 * revalidation after a generation bump (ct_revalidated, ct_revoked), the
 * reply meeting the entry its original made, and a flood whose filtered
 * member refuses the frame (fp_xdp_meta.sg_refused for the tc program).
 *
 * Two VM ports of VNI 100 on the loopback device: port 0 (10.0.0.1,
 * filtered: ruleset 1 allows TCP and UDP out, nothing in, stateful) and
 * port 1 (10.0.0.2, not filtered).  fp_ct has CT_SIZE entries.  Without
 * root or CAP_BPF every test is skipped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "../lib/xdp_sg_maps.h"
#include "fp_xdp.skel.h"
#include "fp_xdp_abi.h"

#define CT_SIZE 4    /* fp_ct entries */
#define IFINDEX 1    /* the loopback device */
#define RULESET 1    /* port 0's */
#define FRAME_LEN 64 /* test frames */
#define SEC_NS 1000000000ULL

static struct fp_xdp *skel;
static int n_cpus;

static const uint8_t mac0[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 2 };

static int
fd_of(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

/* Empty a hash map. */
static void
hash_clear(const struct bpf_map *m)
{
	uint8_t key[64];

	while (bpf_map_get_next_key(fd_of(m), NULL, key) == 0)
		assert_int_equal(bpf_map_delete_elem(fd_of(m), key), 0);
}

static void
ruleset_set(uint32_t dir, uint32_t n, const uint8_t *protos)
{
	assert_int_equal(
		fp_test_xdp_ruleset_set(fd_of(skel->maps.fp_ruleset), RULESET, dir, n, protos), 0);
}

static void
port_set(uint32_t id, const uint8_t *mac, uint16_t flags)
{
	struct fp_port_val pv;
	struct fp_port_cfg pc;
	struct fp_fdb_key fk = { .vni = 100 };
	struct fp_fdb_val fv = { .type = FP_DEST_PORT, .id = id };
	uint32_t ifindex = IFINDEX;

	memset(&pv, 0, sizeof(pv));
	pv.role = FP_PORT_ROLE_VM;
	pv.flags = flags;
	pv.mtu = 1500;
	pv.vni = 100;
	pv.vrf = 100;
	pv.ruleset = (flags & FP_PORT_F_SG) ? RULESET : 0;
	memcpy(pv.mac, mac, 6);
	memset(&pc, 0, sizeof(pc));
	pc.ifindex = 1000 + id;
	pc.role = FP_PORT_ROLE_VM;
	pc.mtu = 1500;
	memcpy(pc.mac, mac, 6);
	memcpy(fk.mac, mac, 6);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_port), &id, &pv, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_port_cfg), &id, &pc, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_tx), &id, &ifindex, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_fdb), &fk, &fv, BPF_ANY), 0);
}

/* Fresh maps for a test: the two ports, ruleset 1, empty fp_ct, zero
 * counters and generation.
 */
static int
setup(void **state)
{
	static const uint8_t out[2] = { 6, 17 };
	size_t size = ((sizeof(struct fp_counters) + 7) & ~(size_t)7) * (size_t)n_cpus;
	struct fp_sg_cfg cfg = { 0 };
	uint32_t zero = 0;
	void *z;

	(void)state;
	if (skel == NULL)
		return 0;
	hash_clear(skel->maps.fp_ct);
	hash_clear(skel->maps.fp_fdb);
	hash_clear(skel->maps.fp_flood);
	hash_clear(skel->maps.fp_ruleset);
	port_set(0, mac0, FP_PORT_F_SG);
	port_set(1, mac1, 0);
	ruleset_set(FP_SG_DIR_EGRESS, 2, out);
	ruleset_set(FP_SG_DIR_INGRESS, 0, NULL);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_sg_cfg), &zero, &cfg, BPF_ANY), 0);
	z = calloc(1, size);
	assert_non_null(z);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_counters), &zero, z, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_sg_drops), &zero, z, BPF_ANY), 0);
	free(z);
	return 0;
}

#define NEED_SKEL()                                                             \
	do {                                                                    \
		if (skel == NULL)                                               \
			skip(); /* not root or CAP_BPF, or no kernel support */ \
	} while (0)

/* An IPv4 TCP (flags) or UDP (flags 0xff) frame src:sport -> dst:dport. */
static void
frame(uint8_t *f, int from0, uint32_t proto, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;

	memset(f, 0, FRAME_LEN);
	memcpy(f, from0 ? mac1 : mac0, 6);
	memcpy(f + 6, from0 ? mac0 : mac1, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = FRAME_LEN - 14;
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	ip[12] = 10;
	ip[15] = from0 ? 1 : 2;
	ip[16] = 10;
	ip[19] = from0 ? 2 : 1;
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	if (proto == 6) {
		l4[12] = 0x50;
		l4[13] = flags;
	} else {
		l4[5] = FRAME_LEN - 34;
	}
}

/* Run a frame in on port in_port: the trace's drop reason (FP_DROP_MAX:
 * it went out), *meta the fp_xdp_meta when it was passed up.
 */
static uint32_t
run(uint32_t in_port, uint8_t *f, struct fp_xdp_meta *meta)
{
	static uint8_t out[256];
	struct xdp_md ctx_in = { .data_end = FRAME_LEN, .ingress_ifindex = IFINDEX };
	struct xdp_md ctx_out = { 0 };
	struct fp_trace t = { 0 };
	uint32_t ifindex = IFINDEX, zero = 0;
	struct fp_trace *pc;
	int rc;

	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = FRAME_LEN,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	assert_int_equal(
		bpf_map_update_elem(fd_of(skel->maps.fp_ifport), &ifindex, &in_port, BPF_ANY), 0);
	pc = calloc((size_t)n_cpus, sizeof(*pc));
	assert_non_null(pc);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_trace_map), &zero, pc, BPF_ANY),
			 0);
	rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fp_xdp_rx), &opts);
	assert_int_equal(rc, 0);
	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_trace_map), &zero, pc), 0);
	t.drop = UINT32_MAX;
	for (rc = 0; rc < n_cpus; rc++)
		if (pc[rc].verdict != 0)
			t = pc[rc]; /* the CPU it ran on */
	assert_int_equal(t.verdict, opts.retval);
	free(pc);
	if (meta != NULL && ctx_out.data >= sizeof(*meta))
		memcpy(meta, out, sizeof(*meta));
	return t.drop;
}

/* A counter summed over the CPUs: FP_STAT_* (drop 0) or FP_DROP_* (drop 1). */
static uint64_t
counter(int drop, uint32_t id)
{
	struct fp_counters *c = calloc((size_t)n_cpus, sizeof(*c));
	uint32_t zero = 0;
	uint64_t sum = 0;
	int i;

	assert_non_null(c);
	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_counters), &zero, c), 0);
	for (i = 0; i < n_cpus; i++)
		sum += drop ? c[i].drop[id] : c[i].n[id];
	free(c);
	return sum;
}

/* Port id's security-group drops going dir, summed over the CPUs. */
static uint64_t
sg_drops(uint32_t id, uint32_t dir)
{
	struct fp_sg_drops *d = calloc((size_t)n_cpus, sizeof(*d));
	uint64_t sum = 0;
	int i;

	assert_non_null(d);
	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_sg_drops), &id, d), 0);
	for (i = 0; i < n_cpus; i++)
		sum += d[i].n[dir];
	free(d);
	return sum;
}

static uint32_t
ct_count(void)
{
	return fp_test_xdp_ct_count(fd_of(skel->maps.fp_ct));
}

/* The one fp_ct entry (key and value). */
static void
ct_first(struct fp_ct_key *k, struct fp_ct_val *v)
{
	assert_int_equal(bpf_map_get_next_key(fd_of(skel->maps.fp_ct), NULL, k), 0);
	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_ct), k, v), 0);
}

static void
gen_bump(void)
{
	struct fp_sg_cfg cfg;
	uint32_t zero = 0;

	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_sg_cfg), &zero, &cfg), 0);
	cfg.gen++;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_sg_cfg), &zero, &cfg, BPF_ANY), 0);
}

/* A SYN out opens the connection, the SYN-ACK in meets the entry the SYN
 * made (one entry, both ways), the ACK out moves it; a packet in that no
 * connection carries is denied.
 */
static void
test_xdp_sg_reply_meets_entry(void **state)
{
	uint8_t f[FRAME_LEN];
	struct fp_ct_key k;
	struct fp_ct_val v;

	(void)state;
	NEED_SKEL();
	frame(f, 1, 6, 40000, 80, 0x02);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	frame(f, 0, 6, 80, 40000, 0x12);
	assert_int_equal(run(1, f, NULL), FP_DROP_MAX);
	frame(f, 1, 6, 40000, 80, 0x10);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	assert_int_equal(ct_count(), 1);
	ct_first(&k, &v);
	assert_int_equal(v.state, FP_CT_ESTABLISHED);
	assert_int_equal(v.flags & FP_CT_F_REPLIED, FP_CT_F_REPLIED);
	assert_int_equal(v.rule_id, 10);
	assert_int_equal(counter(0, FP_STAT_CT_NEW), 1);
	assert_int_equal(counter(0, FP_STAT_CT_HIT), 2);
	/* Another port of port 1: no connection, no ingress rule. */
	frame(f, 0, 6, 81, 40000, 0x12);
	assert_int_equal(run(1, f, NULL), FP_DROP_SG_DENIED);
	/* A SYN-ACK where a SYN was: invalid in the original direction. */
	frame(f, 1, 6, 40000, 80, 0x12);
	assert_int_equal(run(0, f, NULL), FP_DROP_CT_INVALID);
	assert_int_equal(counter(1, FP_DROP_CT_INVALID), 1);
}

/* A full table refuses a new connection (ct_full); the tracked ones keep
 * flowing both ways.
 */
static void
test_xdp_sg_full(void **state)
{
	uint8_t f[FRAME_LEN];
	uint16_t i;

	(void)state;
	NEED_SKEL();
	for (i = 0; i < CT_SIZE; i++) {
		frame(f, 1, 17, (uint16_t)(5000 + i), 53, 0xff);
		assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	}
	assert_int_equal(ct_count(), CT_SIZE);
	frame(f, 1, 17, 6000, 53, 0xff);
	assert_int_equal(run(0, f, NULL), FP_DROP_CT_FULL);
	assert_int_equal(counter(1, FP_DROP_CT_FULL), 1);
	frame(f, 0, 17, 53, 5000, 0xff);
	assert_int_equal(run(1, f, NULL), FP_DROP_MAX);
	frame(f, 1, 17, 5001, 53, 0xff);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	assert_int_equal(counter(0, FP_STAT_CT_NEW), CT_SIZE);
}

/* An entry past its state's timeout is absent: the reply it would have
 * carried is denied, and a new packet out opens the connection again over
 * it (one entry).  The timeout is fp_sg_cfg's when set.
 */
static void
test_xdp_sg_expiry(void **state)
{
	struct fp_sg_cfg cfg = { 0 };
	uint8_t f[FRAME_LEN];
	struct fp_ct_key k;
	struct fp_ct_val v;
	uint32_t zero = 0;

	(void)state;
	NEED_SKEL();
	frame(f, 1, 17, 5000, 53, 0xff);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	ct_first(&k, &v);
	assert_int_equal(v.state, FP_CT_UDP_UNREPLIED);
	v.last_ns -= 31 * SEC_NS; /* udp_unreplied: 30 s */
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_ct), &k, &v, BPF_EXIST), 0);
	frame(f, 0, 17, 53, 5000, 0xff);
	assert_int_equal(run(1, f, NULL), FP_DROP_SG_DENIED);
	frame(f, 1, 17, 5000, 53, 0xff);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	assert_int_equal(ct_count(), 1);
	assert_int_equal(counter(0, FP_STAT_CT_NEW), 2);
	/* A configured timeout: 40 s keeps a 31 s old entry. */
	cfg.timeout_s[FP_CT_UDP_UNREPLIED] = 40;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_sg_cfg), &zero, &cfg, BPF_ANY), 0);
	ct_first(&k, &v);
	v.last_ns -= 31 * SEC_NS;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_ct), &k, &v, BPF_EXIST), 0);
	frame(f, 0, 17, 53, 5000, 0xff);
	assert_int_equal(run(1, f, NULL), FP_DROP_MAX);
	assert_int_equal(counter(0, FP_STAT_CT_HIT), 1);
}

/* After a generation bump a connection's opening packet is checked
 * again: still allowed, it goes on (ct_revalidated) under the new
 * generation; its rule gone, the entry goes and the packet is dropped
 * (ct_revoked), in either direction.
 */
static void
test_xdp_sg_revalidate(void **state)
{
	static const uint8_t udp_only[1] = { 17 };
	uint8_t f[FRAME_LEN];
	struct fp_ct_key k;
	struct fp_ct_val v;

	(void)state;
	NEED_SKEL();
	frame(f, 1, 6, 40000, 80, 0x02);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	gen_bump();
	frame(f, 0, 6, 80, 40000, 0x12);
	assert_int_equal(run(1, f, NULL), FP_DROP_MAX);
	assert_int_equal(counter(0, FP_STAT_CT_REVALIDATED), 1);
	ct_first(&k, &v);
	assert_int_equal(v.gen, 1);
	/* Same generation: no second revalidation. */
	frame(f, 1, 6, 40000, 80, 0x10);
	assert_int_equal(run(0, f, NULL), FP_DROP_MAX);
	assert_int_equal(counter(0, FP_STAT_CT_REVALIDATED), 1);
	/* The TCP rule goes: the connection ends, even for the reply way. */
	ruleset_set(FP_SG_DIR_EGRESS, 1, udp_only);
	gen_bump();
	frame(f, 0, 6, 80, 40000, 0x10);
	assert_int_equal(run(1, f, NULL), FP_DROP_CT_REVOKED);
	assert_int_equal(ct_count(), 0);
	assert_int_equal(counter(1, FP_DROP_CT_REVOKED), 1);
}

/* A flood from port 1 to filtered port 0 (its ingress allows nothing)
 * and port 2: port 0's copy is refused in XDP and named for the tc
 * program (sg_refused bit 0), one copy counted; with port 0 alone, the
 * flood is a drop for port 0's reason.
 */
static void
test_xdp_sg_flood(void **state)
{
	static const uint8_t mac2[6] = { 2, 0, 0, 0, 0, 3 };
	struct fp_flood_key fk = { .vni = 100 };
	struct fp_flood_val fl;
	struct fp_xdp_meta meta = { 0 };
	uint8_t f[FRAME_LEN];
	uint32_t w = FP_XDP_VNI_WORD(100);
	uint64_t bits = FP_XDP_VNI_BIT(100);

	(void)state;
	NEED_SKEL();
	port_set(2, mac2, 0);
	memset(&fl, 0, sizeof(fl));
	fl.n_members = 3;
	fl.members[0].type = FP_DEST_PORT;
	fl.members[0].id = 0;
	fl.members[1].type = FP_DEST_PORT;
	fl.members[1].id = 1;
	fl.members[2].type = FP_DEST_PORT;
	fl.members[2].id = 2;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_flood), &fk, &fl, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_vni), &w, &bits, BPF_ANY), 0);
	frame(f, 0, 17, 5000, 53, 0xff);
	memset(f, 0xff, 6); /* broadcast */
	assert_int_equal(run(1, f, &meta), FP_DROP_MAX);
	assert_int_equal(meta.magic, FP_XDP_META_MAGIC);
	assert_int_equal(meta.sg_refused, 1);
	assert_int_equal(counter(0, FP_STAT_FLOOD_COPY), 1);
	fl.n_members = 2;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_flood), &fk, &fl, BPF_ANY), 0);
	assert_int_equal(run(1, f, NULL), FP_DROP_SG_DENIED);
	assert_int_equal(counter(1, FP_DROP_SG_DENIED), 1);
	assert_int_equal(sg_drops(0, FP_SG_DIR_INGRESS), 2);
	assert_int_equal(sg_drops(0, FP_SG_DIR_EGRESS), 0);
}

static int
group_setup(void **state)
{
	struct bpf_map *m;
	int rc;

	(void)state;
	n_cpus = libbpf_num_possible_cpus();
	skel = fp_xdp__open();
	if (skel == NULL || n_cpus <= 0)
		goto none;
	bpf_object__for_each_map(m, skel->obj)
	{
		bpf_map__set_pin_path(m, NULL);
		if (bpf_map__type(m) == BPF_MAP_TYPE_HASH ||
		    bpf_map__type(m) == BPF_MAP_TYPE_LPM_TRIE)
			bpf_map__set_max_entries(m, 64);
	}
	bpf_map__set_max_entries(skel->maps.fp_ct, CT_SIZE);
	skel->rodata->fp_trace_on = 1;
	rc = fp_xdp__load(skel);
	if (rc == 0)
		return 0;
	fp_xdp__destroy(skel);
none:
	skel = NULL; /* the tests skip */
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fp_xdp__destroy(skel);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xdp_sg_reply_meets_entry, setup),
		cmocka_unit_test_setup(test_xdp_sg_full, setup),
		cmocka_unit_test_setup(test_xdp_sg_expiry, setup),
		cmocka_unit_test_setup(test_xdp_sg_revalidate, setup),
		cmocka_unit_test_setup(test_xdp_sg_flood, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
