/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dataplane/pkt/parse.c: every header, every bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csum.h"
#include "pkt/parse.h"

/* A frame under construction. */
struct frame {
	uint8_t b[256]; /* bytes */
	uint32_t len;	/* used */
};

static void
put(struct frame *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void
eth(struct frame *f, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	f->len = 0;
	put(f, macs, 12);
	fp_put16(f->b + f->len, type);
	f->len += 2;
}

/* IPv4 header with IHL words, total length tot, protocol proto. */
static uint32_t
ipv4(struct frame *f, uint8_t ihl, uint16_t tot, uint8_t proto, uint16_t frag)
{
	uint32_t off = f->len;
	uint8_t *ip = f->b + off;

	memset(ip, 0, ihl * 4U);
	ip[0] = (uint8_t)(0x40 | ihl);
	fp_put16(ip + 2, tot);
	fp_put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 10;
	ip[15] = 1;
	ip[16] = 10;
	ip[19] = 2;
	fp_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, ihl * 4U, 0)));
	f->len += ihl * 4U;
	return off;
}

static void
udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t len)
{
	uint8_t *u = f->b + f->len;

	memset(u, 0, 8);
	fp_put16(u, sport);
	fp_put16(u + 2, dport);
	fp_put16(u + 4, len);
	f->len += 8;
}

/* Eth/IPv4/UDP with n payload bytes, lengths consistent. */
static void
udp4(struct frame *f, uint16_t dport, uint32_t n)
{
	eth(f, FP_ETH_P_IPV4);
	ipv4(f, 5, (uint16_t)(28 + n), FP_IPPROTO_UDP, FP_IP_DF);
	udp(f, 1234, dport, (uint16_t)(8 + n));
	memset(f->b + f->len, 0xab, n);
	f->len += n;
}

static void
test_parse_ipv4_udp(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;

	(void)state;
	udp4(&f, 53, 10);
	assert_int_equal(fp_parse_frame(f.b, f.len, FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
	assert_int_equal(m.ethertype, FP_ETH_P_IPV4);
	assert_int_equal(m.l3_off, 14);
	assert_int_equal(m.l4_off, 34);
	assert_int_equal(m.l3_len, 38);
	assert_int_equal(m.l4_proto, FP_IPPROTO_UDP);
	assert_int_equal(m.sport, 1234);
	assert_int_equal(m.dport, 53);
	assert_int_equal(m.l4_len, 18);
	assert_true(m.flags & FP_META_F_L4);
	assert_true(m.flags & FP_META_F_DF);
	assert_false(m.flags & FP_META_F_FRAG);
}

static void
test_parse_every_truncation(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;
	uint32_t cut;

	(void)state;
	udp4(&f, 53, 0);
	/* Cut anywhere: the right reason for the header being cut. */
	for (cut = 0; cut < f.len; cut++) {
		unsigned int r = fp_parse_frame(f.b, cut, 0, &m);

		if (cut < 14)
			assert_int_equal(r, FP_DROP_TRUNC_L2);
		else if (cut < 34)
			assert_int_equal(r, FP_DROP_TRUNC_L3);
		else
			assert_int_equal(r, FP_DROP_BAD_IP_LEN); /* tot_len past the end */
	}
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
}

static void
test_parse_ipv4_lies(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;

	(void)state;
	udp4(&f, 53, 4);
	f.b[14] = 0x55; /* version 5 */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_VERSION);
	udp4(&f, 53, 4);
	f.b[14] = 0x44; /* IHL 4 */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_HDR_LEN);
	udp4(&f, 53, 4);
	f.b[14] = 0x4f; /* IHL 15: 60 bytes, past the end */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_TRUNC_L3);
	udp4(&f, 53, 4);
	fp_put16(f.b + 16, 19); /* total length < header */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_LEN);
	udp4(&f, 53, 4);
	fp_put16(f.b + 16, 200); /* total length > frame */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_LEN);
	udp4(&f, 53, 4);
	f.b[14 + 8]--; /* TTL changed, checksum stale */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
	assert_int_equal(fp_parse_frame(f.b, f.len, FP_PARSE_F_IP_CSUM, &m), FP_DROP_BAD_IP_CSUM);
	udp4(&f, 53, 4);
	fp_put16(f.b + 38, 7); /* UDP length < 8 */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_UDP_LEN);
	udp4(&f, 53, 4);
	fp_put16(f.b + 38, 13); /* UDP length past the IP packet */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_UDP_LEN);
}

static void
test_parse_ipv4_options_padding_frag(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;

	(void)state;
	eth(&f, FP_ETH_P_IPV4);
	ipv4(&f, 6, 24 + 8, FP_IPPROTO_UDP, 0);
	udp(&f, 1, 2, 8);
	memset(f.b + f.len, 0, 10); /* Ethernet padding after the IP packet */
	f.len += 10;
	assert_int_equal(fp_parse_frame(f.b, f.len, FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
	assert_int_equal(m.l4_off, 38);
	assert_int_equal(m.l3_len, 32);
	assert_int_equal(m.l4_len, 8);

	eth(&f, FP_ETH_P_IPV4);
	ipv4(&f, 5, 20 + 4, FP_IPPROTO_UDP, 100); /* later fragment: 4 bytes, no UDP */
	memset(f.b + f.len, 0, 4);
	f.len += 4;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
	assert_true(m.flags & FP_META_F_FRAG);
	assert_true(m.flags & FP_META_F_LATER_FRAG);
	assert_false(m.flags & FP_META_F_L4);
}

static void
test_parse_vlans(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;
	uint8_t tag[4] = { 0x00, 0x64, 0x81, 0x00 };

	(void)state;
	eth(&f, FP_ETH_P_8021AD);
	put(&f, tag, 4);
	tag[2] = 0x08;
	tag[3] = 0x06;
	put(&f, tag, 4);
	memset(f.b + f.len, 0, 28);
	f.len += 28;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.n_vlans, 2);
	assert_int_equal(m.vlan_tci, 100);
	assert_int_equal(m.ethertype, FP_ETH_P_ARP);
	assert_int_equal(m.l3_off, 22);
	assert_int_equal(fp_parse_frame(f.b, 16, 0, &m), FP_DROP_TRUNC_VLAN);
	assert_int_equal(fp_parse_frame(f.b, 40, 0, &m), FP_DROP_TRUNC_L3);

	/* A third tag. */
	f.b[21] = 0x00;
	f.b[20] = 0x81;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_TOO_MANY_VLANS);
}

static void
ipv6(struct frame *f, uint16_t plen, uint8_t nh)
{
	uint8_t *ip = f->b + f->len;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	fp_put16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = 64;
	ip[8] = 0xfd;
	ip[23] = 1;
	ip[24] = 0xfd;
	ip[39] = 2;
	f->len += 40;
}

static void
test_parse_ipv6_ext(void **state)
{
	uint8_t hbh[8] = { FP_IPPROTO_FRAGMENT, 0, 1, 4, 0, 0, 0, 0 };
	uint8_t frag[8] = { FP_IPPROTO_UDP, 0, 0, 0, 0, 0, 0, 1 };
	struct fp_pkt_meta m;
	struct frame f;

	(void)state;
	eth(&f, FP_ETH_P_IPV6);
	ipv6(&f, 8 + 8 + 8 + 4, FP_IPPROTO_HOPOPTS);
	put(&f, hbh, 8);
	put(&f, frag, 8); /* atomic fragment: offset 0, M clear */
	udp(&f, 5, 6, 12);
	memset(f.b + f.len, 0, 4);
	f.len += 4;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.l4_off, 14 + 40 + 16);
	assert_int_equal(m.l4_proto, FP_IPPROTO_UDP);
	assert_int_equal(m.l3_len, 40 + 28);
	assert_int_equal(m.dport, 6);
	assert_false(m.flags & FP_META_F_FRAG);

	/* Payload length lies. */
	fp_put16(f.b + 18, 29);
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_LEN);
	/* Extension header longer than the payload. */
	fp_put16(f.b + 18, 28);
	f.b[14 + 40 + 1] = 5;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_TRUNC_L3);
	/* Version. */
	f.b[14] = 0x40;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_IP_VERSION);
}

static void
test_parse_tcp(void **state)
{
	struct fp_pkt_meta m;
	struct frame f;

	(void)state;
	eth(&f, FP_ETH_P_IPV4);
	ipv4(&f, 5, 40, FP_IPPROTO_TCP, 0);
	memset(f.b + f.len, 0, 20);
	fp_put16(f.b + f.len, 80);
	fp_put16(f.b + f.len + 2, 443);
	f.b[f.len + 12] = 0x50;
	f.len += 20;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.sport, 80);
	assert_int_equal(m.dport, 443);
	f.b[34 + 12] = 0x40;
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_TCP_HDR_LEN);
	f.b[34 + 12] = 0x60; /* 24 bytes, past the packet */
	assert_int_equal(fp_parse_frame(f.b, f.len, 0, &m), FP_DROP_BAD_TCP_HDR_LEN);
	fp_put16(f.b + 16, 39);
	fp_put16(f.b + 24, 0);
	fp_put16(f.b + 24, fp_csum_fold(fp_csum_partial(f.b + 14, 20, 0)));
	assert_int_equal(fp_parse_frame(f.b, f.len, FP_PARSE_F_IP_CSUM, &m), FP_DROP_TRUNC_L4);
}

/* Eth/IPv4/UDP(dport)/tunnel header bytes/inner Ethernet. */
static void
tunnel(struct frame *f, uint16_t dport, const uint8_t *hdr, uint32_t hlen, uint32_t inner)
{
	eth(f, FP_ETH_P_IPV4);
	ipv4(f, 5, (uint16_t)(28 + hlen + inner), FP_IPPROTO_UDP, FP_IP_DF);
	udp(f, 49152, dport, (uint16_t)(8 + hlen + inner));
	put(f, hdr, hlen);
	memset(f->b + f->len, 0x11, inner);
	f->len += inner;
}

static unsigned int
parse_tun(const struct frame *f, struct fp_tunnel_meta *t)
{
	struct fp_pkt_meta m;
	unsigned int r = fp_parse_frame(f->b, f->len, FP_PARSE_F_IP_CSUM, &m);

	if (r != FP_PARSE_OK)
		return r;
	return fp_parse_tunnel(f->b, f->len, &m, t);
}

static void
test_parse_vxlan(void **state)
{
	uint8_t vx[8] = { 0x08, 0, 0, 0, 0x00, 0x00, 0x64, 0 };
	struct fp_tunnel_meta t;
	struct frame f;

	(void)state;
	tunnel(&f, FP_VXLAN_PORT, vx, 8, 14);
	assert_int_equal(parse_tun(&f, &t), FP_PARSE_OK);
	assert_int_equal(t.vni, 100);
	assert_int_equal(t.encap, FP_ENCAP_VXLAN);
	assert_int_equal(t.inner_off, 50);
	vx[0] = 0x0c; /* reserved bit: ignored */
	tunnel(&f, FP_VXLAN_PORT, vx, 8, 14);
	assert_int_equal(parse_tun(&f, &t), FP_PARSE_OK);
	vx[0] = 0x00; /* no I flag */
	tunnel(&f, FP_VXLAN_PORT, vx, 8, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_BAD_VXLAN_FLAGS);
	vx[0] = 0x08;
	tunnel(&f, FP_VXLAN_PORT, vx, 8, 13); /* inner Ethernet cut */
	assert_int_equal(parse_tun(&f, &t), FP_DROP_TRUNC_L2);
	tunnel(&f, FP_VXLAN_PORT, vx, 4, 0); /* VXLAN header cut */
	assert_int_equal(parse_tun(&f, &t), FP_DROP_TRUNC_TUNNEL);
	tunnel(&f, 4790, vx, 8, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_UNDERLAY_NOT_TUNNEL);
}

static void
test_parse_geneve(void **state)
{
	/* Geneve, 2 words of options: one non-critical option of 4 bytes data. */
	uint8_t g[16] = { 0x02, 0,    0x65, 0x58, 0,	0x01, 0x00, 0,
			  0x01, 0x02, 0x03, 0x01, 0xaa, 0xbb, 0xcc, 0xdd };
	struct fp_tunnel_meta t;
	struct frame f;

	(void)state;
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_PARSE_OK);
	assert_int_equal(t.vni, 256);
	assert_int_equal(t.encap, FP_ENCAP_GENEVE);
	assert_int_equal(t.inner_off, 42 + 16);

	g[10] |= 0x80; /* critical */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_GENEVE_CRIT_OPT);
	g[10] &= 0x7f;
	g[11] = 0x02; /* option data 8 bytes: past the option length */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_BAD_GENEVE);
	g[11] = 0x01;
	g[0] = 0x03; /* option length past the packet with no inner frame */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 0);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_TRUNC_TUNNEL);
	g[0] = 0x42; /* version 1 */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_BAD_GENEVE);
	g[0] = 0x02;
	g[1] = 0x80; /* OAM */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_GENEVE_OAM);
	g[1] = 0;
	g[3] = 0x00; /* protocol 0x6500 */
	tunnel(&f, FP_GENEVE_PORT, g, 16, 14);
	assert_int_equal(parse_tun(&f, &t), FP_DROP_GENEVE_PROTO);
}

/* Random bytes and random mutations of valid frames: never read out of
 * bounds (ASan in CI), offsets always inside the frame.
 */
static void
test_parse_fuzz(void **state)
{
	uint8_t vx[8] = { 0x08, 0, 0, 0, 0, 0, 0x64, 0 };
	unsigned int seed = 20261124, i;
	struct frame base;

	(void)state;
	tunnel(&base, FP_VXLAN_PORT, vx, 8, 60);
	srand(seed);
	for (i = 0; i < 200000; i++) {
		struct fp_tunnel_meta t;
		struct fp_pkt_meta m;
		uint32_t len = (uint32_t)rand() % (base.len + 1), k;
		uint8_t *buf = malloc(len ? len : 1);

		memcpy(buf, base.b, len);
		for (k = 0; k < 3; k++) {
			if (len)
				buf[(uint32_t)rand() % len] = (uint8_t)rand();
		}
		if (fp_parse_frame(buf, len, FP_PARSE_F_IP_CSUM, &m) == FP_PARSE_OK) {
			if (m.l3_len)
				assert_true(m.l3_off + m.l3_len <= len);
			if (m.flags & FP_META_F_L4)
				assert_true((uint32_t)m.l4_off + m.l4_len <= len);
			if (fp_parse_tunnel(buf, len, &m, &t) == FP_PARSE_OK)
				assert_true(t.inner_off + 14U <= len);
		}
		free(buf);
	}
	print_message("fuzz seed %u\n", seed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4_udp),
		cmocka_unit_test(test_parse_every_truncation),
		cmocka_unit_test(test_parse_ipv4_lies),
		cmocka_unit_test(test_parse_ipv4_options_padding_frag),
		cmocka_unit_test(test_parse_vlans),
		cmocka_unit_test(test_parse_ipv6_ext),
		cmocka_unit_test(test_parse_tcp),
		cmocka_unit_test(test_parse_vxlan),
		cmocka_unit_test(test_parse_geneve),
		cmocka_unit_test(test_parse_fuzz),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
