/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dataplane/pkt/build.c, lib/csum.h and dataplane/pkt/hash.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pkt/build.h"
#include "csum.h"
#include "pkt/hash.h"
#include "pkt/parse.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void
v4(struct fp_ip *ip, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(ip, 0, sizeof(*ip));
	ip->b[10] = ip->b[11] = 0xff;
	ip->b[12] = a;
	ip->b[13] = b;
	ip->b[14] = c;
	ip->b[15] = d;
}

static void
test_build_csum_rfc1071(void **state)
{
	/* RFC 1071 4.1: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(fp_csum_fold(fp_csum_partial(b, 8, 0)), (uint16_t)~0xddf2);
	/* Odd length pads with zero. */
	assert_int_equal(fp_csum_partial(b, 3, 0), 0x0001 + 0xf200);
}

static void
test_build_encap_vxlan4(void **state)
{
	struct fp_vtep_val v = { .encap = FP_ENCAP_VXLAN, .underlay_port = 1 };
	struct fp_encap_tmpl t;
	struct fp_pkt_meta m;
	struct fp_tunnel_meta tm;
	uint8_t buf[FP_ENCAP_HDR_V4 + 60];

	(void)state;
	v4(&v.local, 172, 16, 0, 1);
	v4(&v.remote, 172, 16, 0, 2);
	memcpy(v.nh_mac, mac_b, 6);
	assert_int_equal(fp_encap_tmpl_init(&t, &v, mac_a, 1500), 0);
	assert_int_equal(t.len, 50);
	assert_int_equal(t.max_inner_l3, 1450);
	memset(buf + 50, 0x5a, 60);
	fp_encap_write(buf, &t, 0x123456, 50000, 60);
	assert_memory_equal(buf, mac_b, 6);
	assert_memory_equal(buf + 6, mac_a, 6);
	assert_int_equal(fp_get16(buf + 12), FP_ETH_P_IPV4);
	assert_int_equal(fp_get16(buf + 16), 20 + 8 + 8 + 60);
	assert_int_equal(fp_get16(buf + 20), FP_IP_DF);
	assert_int_equal(buf[22], 64);
	assert_int_equal(fp_csum_fold(fp_csum_partial(buf + 14, 20, 0)), 0);
	assert_int_equal(fp_get16(buf + 34), 50000);
	assert_int_equal(fp_get16(buf + 36), 4789);
	assert_int_equal(fp_get16(buf + 38), 76);
	assert_int_equal(fp_get16(buf + 40), 0);
	assert_int_equal(buf[42], 0x08);
	/* The result parses back as the same tunnel. */
	assert_int_equal(fp_parse_frame(buf, sizeof(buf), FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
	assert_int_equal(fp_parse_tunnel(buf, sizeof(buf), &m, &tm), FP_PARSE_OK);
	assert_int_equal(tm.vni, 0x123456);
	assert_int_equal(tm.inner_off, 50);
	/* Families must match; an MTU must leave room. */
	memset(&v.local, 0, sizeof(v.local));
	v.local.b[0] = 0xfd;
	assert_int_equal(fp_encap_tmpl_init(&t, &v, mac_a, 1500), -EINVAL);
	v4(&v.local, 172, 16, 0, 1);
	assert_int_equal(fp_encap_tmpl_init(&t, &v, mac_a, 50), -EINVAL);
}

static void
test_build_encap_geneve6(void **state)
{
	struct fp_vtep_val v = { .encap = FP_ENCAP_GENEVE, .underlay_port = 1 };
	struct fp_encap_tmpl t;
	struct fp_pkt_meta m;
	struct fp_tunnel_meta tm;
	uint8_t buf[FP_ENCAP_HDR_V6 + 61];
	uint32_t ulen;

	(void)state;
	v.local.b[0] = v.remote.b[0] = 0xfd;
	v.local.b[15] = 1;
	v.remote.b[15] = 2;
	memcpy(v.nh_mac, mac_b, 6);
	assert_int_equal(fp_encap_tmpl_init(&t, &v, mac_a, 1500), 0);
	assert_int_equal(t.len, 70);
	assert_int_equal(t.max_inner_l3, 1430);
	memset(buf + 70, 0xa5, 61);
	fp_encap_write(buf, &t, 100, 60000, 61);
	assert_int_equal(fp_get16(buf + 12), FP_ETH_P_IPV6);
	ulen = fp_get16(buf + 18);
	assert_int_equal(ulen, 8 + 8 + 61);
	assert_int_equal(fp_get16(buf + 54 + 2), 6081);
	assert_int_equal(fp_get16(buf + 62 + 2), FP_ETH_P_TEB);
	/* The UDP checksum verifies over the pseudo-header. */
	assert_int_equal(fp_csum_fold(fp_csum_partial(
				 buf + 54, ulen,
				 fp_csum_ipv6_pseudo(buf + 22, buf + 38, ulen, FP_IPPROTO_UDP))),
			 0);
	assert_int_equal(fp_parse_frame(buf, sizeof(buf), 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_parse_tunnel(buf, sizeof(buf), &m, &tm), FP_PARSE_OK);
	assert_int_equal(tm.vni, 100);
	assert_int_equal(tm.encap, FP_ENCAP_GENEVE);
}

static void
test_build_flow_hash(void **state)
{
	uint8_t f[64] = { 0 };
	struct fp_pkt_meta m;
	uint32_t h1, h2, i;

	(void)state;
	fp_put16(f + 12, FP_ETH_P_IPV4);
	f[14] = 0x45;
	fp_put16(f + 16, 28);
	f[23] = FP_IPPROTO_UDP;
	f[26] = 10;
	f[33] = 1;
	fp_put16(f + 34, 1000);
	fp_put16(f + 36, 2000);
	fp_put16(f + 38, 8);
	fp_put16(f + 24, fp_csum_fold(fp_csum_partial(f + 14, 20, 0)));
	assert_int_equal(fp_parse_frame(f, 60, 0, &m), FP_PARSE_OK);
	h1 = fp_flow_hash(f, &m);
	assert_int_equal(h1, fp_flow_hash(f, &m));
	/* The spec's inputs (doc/packets.md): addresses, ports, protocol. */
	assert_int_equal(h1, fp_jhash_3words(0x0a000000, 0x00000001, (1000U << 16) | 2000,
					     FP_FLOW_HASH_SEED ^ FP_IPPROTO_UDP));
	fp_put16(f + 34, 1001);
	assert_int_equal(fp_parse_frame(f, 60, 0, &m), FP_PARSE_OK);
	h2 = fp_flow_hash(f, &m);
	assert_int_not_equal(h1, h2);
	for (i = 0; i < 100000; i++) {
		uint16_t sp = fp_flow_sport(i * 2654435761U);

		assert_true(sp >= 49152);
	}
	assert_int_equal(fp_flow_sport(0), 49152);
	assert_int_equal(fp_flow_sport(0xffffffffU), 65535);
}

static void
test_build_arp_reply(void **state)
{
	uint8_t f[60] = { 0 };
	struct fp_pkt_meta m;
	uint8_t *a = f + 14;

	(void)state;
	memset(f, 0xff, 6);
	memcpy(f + 6, mac_a, 6);
	fp_put16(f + 12, FP_ETH_P_ARP);
	fp_put16(a, 1);
	fp_put16(a + 2, FP_ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	fp_put16(a + 6, 1);
	memcpy(a + 8, mac_a, 6);
	a[14] = 10, a[17] = 1;
	a[24] = 10, a[27] = 2;
	assert_int_equal(fp_parse_frame(f, 60, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_arp_is_request(f, &m), 1);
	fp_arp_reply_build(f, &m, mac_b);
	assert_memory_equal(f, mac_a, 6);
	assert_memory_equal(f + 6, mac_b, 6);
	assert_int_equal(fp_get16(a + 6), 2);
	assert_memory_equal(a + 8, mac_b, 6);
	assert_int_equal(a[14], 10);
	assert_int_equal(a[17], 2);
	assert_memory_equal(a + 18, mac_a, 6);
	assert_int_equal(a[27], 1);
	assert_int_equal(fp_arp_is_request(f, &m), 0);
	a[5] = 16;
	assert_int_equal(fp_arp_is_request(f, &m), -1);
}

/* Eth/IPv6/NS for fd00::2 from src (NULL: ::), with an SLLA option. */
static uint32_t
ns(uint8_t *f, int unspec_src)
{
	uint8_t *ip = f + 14, *icmp = ip + 40;

	memset(f, 0, 86);
	f[0] = 0x33, f[1] = 0x33, f[2] = 0xff, f[5] = 2;
	memcpy(f + 6, mac_a, 6);
	fp_put16(f + 12, FP_ETH_P_IPV6);
	ip[0] = 0x60;
	fp_put16(ip + 4, 32);
	ip[6] = FP_IPPROTO_ICMPV6;
	ip[7] = 255;
	if (!unspec_src)
		ip[8] = 0xfd, ip[23] = 1;
	ip[24] = 0xff, ip[25] = 0x02, ip[35] = 1, ip[36] = 0xff, ip[39] = 2;
	icmp[0] = FP_ICMP6_NS;
	icmp[8] = 0xfd, icmp[23] = 2;
	icmp[24] = FP_ND_OPT_SLLA, icmp[25] = 1;
	memcpy(icmp + 26, mac_a, 6);
	fp_put16(icmp + 2,
		 fp_csum_fold(fp_csum_partial(
			 icmp, 32, fp_csum_ipv6_pseudo(ip + 8, ip + 24, 32, FP_IPPROTO_ICMPV6))));
	return 86;
}

static void
test_build_nd(void **state)
{
	uint8_t f[128];
	const uint8_t *target;
	struct fp_pkt_meta m;
	uint32_t len = ns(f, 0);

	(void)state;
	assert_int_equal(fp_parse_frame(f, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_nd_ns_parse(f, &m, &target), 1);
	assert_int_equal(target[0], 0xfd);
	assert_int_equal(target[15], 2);
	assert_int_equal(fp_nd_na_build(f, &m, mac_b), FP_ND_NA_LEN);
	assert_memory_equal(f, mac_a, 6);
	assert_memory_equal(f + 6, mac_b, 6);
	assert_int_equal(f[54], FP_ICMP6_NA);
	assert_int_equal(f[58], 0x60);
	assert_int_equal(f[22], 0xfd); /* src = target */
	assert_int_equal(f[37], 2);
	assert_int_equal(f[38], 0xfd); /* dst = solicitor */
	assert_int_equal(f[53], 1);
	assert_int_equal(f[78], FP_ND_OPT_TLLA);
	assert_memory_equal(f + 80, mac_b, 6);
	assert_int_equal(
		fp_csum_fold(fp_csum_partial(
			f + 54, 32, fp_csum_ipv6_pseudo(f + 22, f + 38, 32, FP_IPPROTO_ICMPV6))),
		0);

	/* DAD probe: not answered. */
	len = ns(f, 1);
	assert_int_equal(fp_parse_frame(f, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_nd_ns_parse(f, &m, &target), 0);
	/* Hop limit other than 255, a zero-length option: malformed. */
	len = ns(f, 0);
	f[21] = 64;
	assert_int_equal(fp_parse_frame(f, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_nd_ns_parse(f, &m, &target), -1);
	len = ns(f, 0);
	f[79] = 0;
	assert_int_equal(fp_parse_frame(f, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_nd_ns_parse(f, &m, &target), -1);
}

static void
test_build_icmp_too_big(void **state)
{
	uint8_t f[1514] = { 0 }, out[1600];
	struct fp_pkt_meta m;
	uint32_t len;

	(void)state;
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	fp_put16(f + 12, FP_ETH_P_IPV4);
	f[14] = 0x45;
	fp_put16(f + 16, 1500);
	fp_put16(f + 20, FP_IP_DF);
	f[22] = 64;
	f[23] = FP_IPPROTO_UDP;
	f[26] = 10, f[29] = 1;
	f[30] = 10, f[33] = 2;
	fp_put16(f + 38, 1480);
	assert_int_equal(fp_parse_frame(f, sizeof(f), 0, &m), FP_PARSE_OK);
	len = fp_icmp_too_big_build(out, sizeof(out), f, &m, 1450);
	assert_int_equal(len, 14 + 576);
	assert_memory_equal(out, mac_a, 6);
	assert_memory_equal(out + 6, mac_b, 6);
	assert_int_equal(out[26], 10);
	assert_int_equal(out[29], 2); /* src = original dst */
	assert_int_equal(out[33], 1);
	assert_int_equal(out[34], 3);
	assert_int_equal(out[35], 4);
	assert_int_equal(fp_get16(out + 40), 1450);
	assert_int_equal(fp_csum_fold(fp_csum_partial(out + 14, 20, 0)), 0);
	assert_int_equal(fp_csum_fold(fp_csum_partial(out + 34, 556, 0)), 0);
	assert_memory_equal(out + 42, f + 14, 548);
	/* No DF: no error. Too small a buffer: none. */
	assert_int_equal(fp_icmp_too_big_build(out, 100, f, &m, 1450), 0);
	fp_put16(f + 20, 0);
	assert_int_equal(fp_parse_frame(f, sizeof(f), 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_icmp_too_big_build(out, sizeof(out), f, &m, 1450), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_csum_rfc1071),
		cmocka_unit_test(test_build_encap_vxlan4),
		cmocka_unit_test(test_build_encap_geneve6),
		cmocka_unit_test(test_build_flow_hash),
		cmocka_unit_test(test_build_arp_reply),
		cmocka_unit_test(test_build_nd),
		cmocka_unit_test(test_build_icmp_too_big),
	};

	return cmocka_run_group_tests_name("build", tests, NULL, NULL);
}
