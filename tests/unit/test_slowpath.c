/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's slow path through the real pipeline and rings: a VM port's
 * DHCP DISCOVER, DHCPv6 Solicit and router solicitation are punted only
 * when the port (network) has an entry; the token bucket drops as
 * punt_rate, a full ring as punt_full, and the worker never waits; the
 * main lcore's service answers from the tables and hands the answer to
 * the worker's inject ring (the OFFER's bytes checked); periodic RAs go
 * to every VM port of the network.  rx = tx + drop + punt throughout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include <flowplane/ctl.h>
#include <flowplane/proto.h>

#include "../lib/bad_entries.h"
#include "addr.h"
#include "csum.h"
#include "ftable.h"
#include "pipeline.h"
#include "slowpath.h"

#define VNI 100
static const uint8_t vm_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };	 /* port 0 (fp_good_dhcp's) */
static const uint8_t rtr_mac[6] = { 0x02, 0, 0, 0, 0xee, 0x01 }; /* the router's */

struct fixture {
	struct rte_mempool *mp;
	struct fp_ftables *t;
	struct fp_txn *x;
	struct fp_slowpath sp;
	struct fp_pipeline p;
	struct fp_pipe_out out;
};

static unsigned int seq;

static void
commit(struct fixture *f)
{
	char err[256] = "";
	uint32_t failed;

	if (fp_ftables_commit(f->t, f->x, &failed, err, sizeof(err)) != 0)
		fail_msg("commit: %s", err);
	fp_txn_reset(f->x);
}

/* Ports 0 and 1: VM ports of VNI with antispoof (port 0 MAC vm_mac,
 * 10.0.0.5), port 2 a VM port of another network; the router's neigh
 * entry for 10.0.0.1.
 */
static int
setup(void **state)
{
	static struct fixture fx;
	struct fixture *f = &fx;
	uint32_t limits[FP_TABLE_MAX], i;
	char name[32];

	memset(f, 0, sizeof(*f));
	for (i = 0; i < FP_TABLE_MAX; i++)
		limits[i] = 64;
	snprintf(name, sizeof(name), "sp%u", seq++);
	f->mp = rte_pktmbuf_pool_create(name, 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(f->mp);
	f->t = fp_ftables_create(name, limits, SOCKET_ID_ANY, NULL);
	assert_non_null(f->t);
	f->x = fp_txn_create();
	assert_non_null(f->x);
	for (i = 0; i < 3; i++) {
		struct fp_port_key k = { .port_id = i };
		struct fp_port_val v = { .role = FP_PORT_ROLE_VM,
					 .flags = FP_PORT_F_ANTISPOOF,
					 .vni = i < 2 ? VNI : VNI + 1,
					 .vrf = VNI,
					 .mtu = 1500,
					 .n_addrs = 1 };

		memcpy(v.mac, vm_mac, 6);
		v.mac[5] = (uint8_t)(1 + i);
		fp_addr_ip_set_v4(&v.addrs[0].ip, 0x0a000005 + i);
		v.addrs[0].plen = 128;
		assert_int_equal(fp_ftables_port_config(f->t, i, FP_PORT_ROLE_VM, 1500, v.mac), 0);
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &k, sizeof(k), &v, sizeof(v)), 0);
	}
	{
		struct fp_neigh_key nk = { .vrf = VNI };
		struct fp_neigh_val nv = { .vni = VNI, .flags = FP_NEIGH_F_LOCAL_ONLY };

		fp_addr_ip_set_v4(&nk.ip, 0x0a000001);
		memcpy(nv.mac, rtr_mac, 6);
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_NEIGH, &nk, sizeof(nk), &nv, sizeof(nv)),
				 0);
	}
	commit(f);
	fp_ftables_slowpath_serve(f->t);
	assert_int_equal(fp_slowpath_init(&f->sp, name, f->t, f->mp, 1, 16, SOCKET_ID_ANY), 0);
	fp_pipeline_init(&f->p, f->t, f->mp);
	fp_pipeline_punt_attach(&f->p, f->sp.punt[0], 1000);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_slowpath_free(&f->sp);
	fp_txn_free(f->x);
	fp_ftables_free(f->t);
	rte_mempool_free(f->mp);
	return 0;
}

static void
set_dhcp(struct fixture *f)
{
	struct fp_dhcp_key k = { .port_id = 0 };
	struct fp_dhcp_val v;

	fp_good_dhcp(&v);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &k, sizeof(k), &v, sizeof(v)), 0);
	commit(f);
}

/* A DHCP DISCOVER from port 0 (from 0.0.0.0 to 255.255.255.255). */
static uint32_t
discover(uint8_t *b)
{
	uint8_t *ip = b + 14, *udp = ip + 20, *bp = udp + 8;
	uint32_t len = 14 + 20 + 8 + 300;

	memset(b, 0, len);
	memset(b, 0xff, 6);
	memcpy(b + 6, vm_mac, 6);
	fp_put16(b + 12, FP_ETH_P_IPV4);
	ip[0] = 0x45;
	fp_put16(ip + 2, 20 + 8 + 300);
	ip[8] = 64;
	ip[9] = FP_IPPROTO_UDP;
	memset(ip + 16, 0xff, 4);
	fp_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, 20, 0)));
	fp_put16(udp, 68);
	fp_put16(udp + 2, 67);
	fp_put16(udp + 4, 8 + 300);
	bp[0] = 1;
	bp[1] = 1;
	bp[2] = 6;
	memcpy(bp + 4, "\x12\x34\x56\x78", 4); /* xid */
	memcpy(bp + 28, vm_mac, 6);
	memcpy(bp + 236, "\x63\x82\x53\x63", 4);
	memcpy(bp + 240, "\x35\x01\x01\xff", 4); /* DISCOVER, end */
	return len;
}

/* A router solicitation from port 0's link-local address to ff02::2. */
static uint32_t
solicit(uint8_t *b)
{
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	static const uint8_t ll[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 1 };
	uint8_t *ip = b + 14, *icmp = ip + 40;
	uint32_t sum;

	memset(b, 0, 14 + 40 + 16);
	memcpy(b, "\x33\x33\x00\x00\x00\x02", 6);
	memcpy(b + 6, vm_mac, 6);
	fp_put16(b + 12, FP_ETH_P_IPV6);
	ip[0] = 0x60;
	fp_put16(ip + 4, 16);
	ip[6] = FP_IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, ll, 16);
	memcpy(ip + 24, all_routers, 16);
	icmp[0] = FP_ICMP6_RS;
	icmp[8] = 1; /* source link-layer address */
	icmp[9] = 1;
	memcpy(icmp + 10, vm_mac, 6);
	sum = fp_csum_ipv6_pseudo(ip + 8, ip + 24, 16, FP_IPPROTO_ICMPV6);
	fp_put16(icmp + 2, fp_csum_fold(fp_csum_partial(icmp, 16, sum)));
	return 14 + 40 + 16;
}

static struct rte_mbuf *
mbuf_of(struct fixture *f, const uint8_t *b, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->mp);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), b, len);
	return m;
}

/* Run n copies of frame b through the pipeline as port 0's burst. */
static void
run(struct fixture *f, const uint8_t *b, uint32_t len, uint16_t n)
{
	struct rte_mbuf *pkts[FP_BURST];
	uint16_t i;

	for (i = 0; i < n; i++)
		pkts[i] = mbuf_of(f, b, len);
	f->out.n = 0;
	fp_pipeline_run_burst(&f->p, 0, pkts, n, &f->out);
	for (i = 0; i < f->out.n; i++)
		rte_pktmbuf_free(f->out.pkts[i]);
	assert_true(f->p.stats.n[FP_STAT_RX] == f->p.stats.n[FP_STAT_TX] +
							f->p.stats.n[FP_STAT_DROP] +
							f->p.stats.n[FP_STAT_PUNT]);
}

static void
drain_punt(struct fixture *f)
{
	void *m;

	while (rte_ring_dequeue(f->sp.punt[0], &m) == 0)
		rte_pktmbuf_free(m);
}

/* Without an entry a DHCP DISCOVER and an RS go their way as before (here
 * no flood list); with one they are punted.
 */
static void
test_slowpath_punt_only_with_entry(void **state)
{
	struct fixture *f = *state;
	uint8_t b[400];
	uint32_t len = discover(b);

	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 0);
	assert_int_equal(f->p.stats.drop[FP_DROP_NO_FLOOD_LIST], 1);
	len = solicit(b);
	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 0);
	assert_int_equal(rte_ring_count(f->sp.punt[0]), 0);

	set_dhcp(f);
	len = discover(b);
	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 1);
	assert_int_equal(rte_ring_count(f->sp.punt[0]), 1);
	/* A DHCP entry is no RA entry. */
	len = solicit(b);
	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 1);
	{
		struct fp_ra_key k = { .vni = VNI };
		struct fp_ra_val v;

		fp_good_ra(&v);
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &k, sizeof(k), &v, sizeof(v)), 0);
		commit(f);
	}
	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 2);
	drain_punt(f);
}

/* The bucket: pps frames at once, then punt_rate; the ring: 16 frames,
 * then punt_full.  The burst returns (the worker never waits).
 */
static void
test_slowpath_bucket_and_ring(void **state)
{
	struct fixture *f = *state;
	uint8_t b[400];
	uint32_t len = discover(b);

	set_dhcp(f);
	fp_pipeline_punt_attach(&f->p, f->sp.punt[0], 5);
	run(f, b, len, 8);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 5);
	assert_int_equal(f->p.stats.drop[FP_DROP_PUNT_RATE], 3);
	assert_int_equal(f->p.stats.drop[FP_DROP_PUNT_FULL], 0);
	drain_punt(f);

	/* A full bucket again, a ring of 16. */
	fp_pipeline_punt_attach(&f->p, f->sp.punt[0], 1000);
	memset(&f->p.punt_bucket, 0, sizeof(f->p.punt_bucket));
	run(f, b, len, 20);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 5 + 16);
	assert_int_equal(f->p.stats.drop[FP_DROP_PUNT_FULL], 4);
	assert_int_equal(rte_ring_count(f->sp.punt[0]), 16);
	drain_punt(f);
}

/* DISCOVER -> punt -> service -> inject: the OFFER, from the router's MAC
 * (the server's neigh entry) to the client, yiaddr 10.0.0.5.
 */
static void
test_slowpath_offer_bytes(void **state)
{
	struct fixture *f = *state;
	struct rte_mbuf *m = NULL;
	const uint8_t *o;
	uint8_t b[400];
	uint32_t len = discover(b), wait;

	set_dhcp(f);
	run(f, b, len, 1);
	assert_int_equal(f->p.stats.n[FP_STAT_PUNT], 1);
	wait = fp_slowpath_run(&f->sp, 1000000000ULL);
	assert_int_equal(wait, 1); /* frames arrived: again in 1 ms */
	assert_int_equal(f->sp.stats.dhcp4[FP_DHCP4_OFFER], 1);
	assert_int_equal(f->sp.stats.sent, 1);
	assert_int_equal(rte_ring_count(f->sp.punt[0]), 0);
	assert_int_equal(rte_ring_dequeue(f->sp.inject[0], (void **)&m), 0);
	assert_int_equal(m->hash.usr, 0); /* back out port 0 */
	o = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_memory_equal(o, vm_mac, 6);			 /* to the client */
	assert_memory_equal(o + 6, rtr_mac, 6);			 /* from the router */
	assert_memory_equal(o + 14 + 12, "\x0a\x00\x00\x01", 4); /* server 10.0.0.1 */
	assert_memory_equal(o + 14 + 16, "\x0a\x00\x00\x05", 4); /* to the offered address */
	assert_int_equal(fp_get16(o + 34), 67);
	assert_int_equal(fp_get16(o + 36), 68);
	assert_int_equal(o[42], 2);					      /* BOOTREPLY */
	assert_memory_equal(o + 42 + 4, "\x12\x34\x56\x78", 4);		      /* xid */
	assert_memory_equal(o + 42 + 16, "\x0a\x00\x00\x05", 4);	      /* yiaddr */
	assert_memory_equal(o + 42 + 236, "\x63\x82\x53\x63\x35\x01\x02", 7); /* OFFER */
	rte_pktmbuf_free(m);
	/* Idle: the wait grows. */
	assert_int_equal(fp_slowpath_run(&f->sp, 1001000000ULL), 2);
	assert_int_equal(fp_slowpath_run(&f->sp, 1002000000ULL), 4);
}

/* RS -> RA unicast to the solicitor; periodic RAs to every VM port of the
 * network (ports 0 and 1, not 2).
 */
static void
test_slowpath_ra(void **state)
{
	struct fixture *f = *state;
	struct fp_ra_key k = { .vni = VNI };
	struct fp_ra_val v;
	struct rte_mbuf *m = NULL;
	uint8_t b[200];
	uint32_t len = solicit(b), n;
	uint64_t now = 5000000000ULL;

	fp_good_ra(&v);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &k, sizeof(k), &v, sizeof(v)), 0);
	commit(f);
	run(f, b, len, 1);
	fp_slowpath_run(&f->sp, now);
	assert_int_equal(f->sp.stats.ra[FP_RA_ADVERTISE], 1);
	assert_int_equal(rte_ring_dequeue(f->sp.inject[0], (void **)&m), 0);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), vm_mac, 6);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *) + 6, rtr_mac, 6);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[14 + 40], FP_ICMP6_RA);
	rte_pktmbuf_free(m);
	assert_int_equal(f->sp.n_ra_nets, 1);
	assert_int_equal(f->sp.stats.ra_periodic, 0);
	/* The first unsolicited RA within 16 s, to ports 0 and 1. */
	fp_slowpath_run(&f->sp, now + 17000000000ULL);
	assert_int_equal(f->sp.stats.ra_periodic, 2);
	n = rte_ring_count(f->sp.inject[0]);
	assert_int_equal(n, 2);
	while (rte_ring_dequeue(f->sp.inject[0], (void **)&m) == 0) {
		assert_true(m->hash.usr == 0 || m->hash.usr == 1);
		assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), "\x33\x33\x00\x00\x00\x01", 6);
		rte_pktmbuf_free(m);
	}
	/* Gone with its entry. */
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &k, sizeof(k), NULL, 0), 0);
	commit(f);
	fp_slowpath_run(&f->sp, now + 200000000000ULL);
	assert_int_equal(f->sp.n_ra_nets, 0);
	assert_int_equal(f->sp.stats.ra_periodic, 2);
}

/* Answers per second of the service (fp_slowpath_run(): dequeue, lookup,
 * fp_dhcp4_answer(), mbuf, inject) on this core: every DISCOVER gets its
 * OFFER; the rate is printed, not asserted (a shared, noisy host).
 */
static void
test_slowpath_answer_rate(void **state)
{
	struct fixture *f = *state;
	struct rte_mbuf *m[16];
	uint8_t b[400];
	uint32_t len = discover(b), round, i, n = 0;
	uint64_t t0, ns = 0;

	set_dhcp(f);
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 16; i++) {
			m[i] = mbuf_of(f, b, len);
			m[i]->hash.usr = 0;
		}
		assert_int_equal(rte_ring_enqueue_bulk(f->sp.punt[0], (void **)m, 16, NULL), 16);
		t0 = rte_rdtsc();
		fp_slowpath_run(&f->sp, 1000000000ULL);
		ns += rte_rdtsc() - t0;
		n += rte_ring_dequeue_burst(f->sp.inject[0], (void **)m, 16, NULL);
		for (i = 0; i < 16; i++)
			rte_pktmbuf_free(m[i]);
	}
	assert_int_equal(n, 2000 * 16);
	assert_int_equal(f->sp.stats.dhcp4[FP_DHCP4_OFFER], 2000 * 16);
	print_message("slow path: %u DHCP OFFERs, %.0f cycles each (%.0f per second at %.2f GHz)\n",
		      n, (double)ns / n, (double)rte_get_tsc_hz() * n / (double)ns,
		      (double)rte_get_tsc_hz() / 1e9);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m",	     "128",	"--no-shconf", "--no-pci",
			"-l",	 "0",	      "--log-level", "*:error", prefix,	       NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slowpath_punt_only_with_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slowpath_bucket_and_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slowpath_offer_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slowpath_ra, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slowpath_answer_rate, setup, teardown),
	};
	int rc;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fp_slowpath_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("slowpath", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
