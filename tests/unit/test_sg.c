/* SPDX-License-Identifier: BSD-3-Clause */
/* include/flowplane/sg.h: the security-group and connection-tracking
 * semantics both engines run: the base policy, rule matching, the
 * connection key (a packet and its reply meet one key), and the TCP state
 * machine (Linux nf_conntrack's moves without windows, loose pickup).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <flowplane/sg.h>

#include "addr.h"

static struct fp_sg_pkt
pkt4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct fp_sg_pkt p;

	memset(&p, 0, sizeof(p));
	fp_addr_ip_set_v4(&p.src, src);
	fp_addr_ip_set_v4(&p.dst, dst);
	p.family = 4;
	p.proto = proto;
	p.sport = sport;
	p.dport = dport;
	return p;
}

static struct fp_sg_pkt
reply_of(const struct fp_sg_pkt *p)
{
	struct fp_sg_pkt r = *p;

	r.src = p->dst;
	r.dst = p->src;
	r.sport = p->dport;
	r.dport = p->sport;
	return r;
}

static void
test_sg_base(void **state)
{
	struct fp_sg_pkt p = pkt4(0x0a000005, 0xffffffff, FP_SG_PROTO_UDP, 68, 67);

	(void)state;
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_SG_BASE_ALLOW);
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_INGRESS), FP_SG_BASE_RULES);
	p = pkt4(0x0a000005, 0x0a000006, FP_SG_PROTO_UDP, 67, 68);
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_DROP_SG_VM_DHCP_SERVER);
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_INGRESS), FP_SG_BASE_ALLOW);
	p = pkt4(0x0a000005, 0x0a000006, FP_SG_PROTO_UDP, 1000, 53);
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_SG_BASE_RULES);
	/* A later fragment of anything goes to the rules. */
	p = pkt4(0x0a000005, 0x0a000006, FP_SG_PROTO_UDP, 67, 68);
	p.frag = FP_SG_FRAG_LATER;
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_SG_BASE_RULES);
	p = pkt4(0, 0, FP_SG_PROTO_ICMPV6, 0, 0);
	p.family = 6;
	p.icmp_type = 134;
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_DROP_SG_VM_ROUTER_ADV);
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_INGRESS), FP_SG_BASE_ALLOW);
	p.icmp_type = 135;
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_EGRESS), FP_SG_BASE_ALLOW);
	p.icmp_type = 128; /* echo: up to the rules */
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_INGRESS), FP_SG_BASE_RULES);
	p.icmp_type = 135;
	p.family = 4; /* protocol 58 over IPv4 is not neighbour discovery */
	assert_int_equal(fp_sg_base(&p, FP_SG_DIR_INGRESS), FP_SG_BASE_RULES);
}

/* Ethertypes on a port with port security: Neutron's OVS firewall. */
static void
test_sg_ethertype(void **state)
{
	uint16_t permitted[FP_GUARD_ETHERTYPE_MAX] = { 0x88b5, 0x8863 };
	uint16_t full[FP_GUARD_ETHERTYPE_MAX] = { 0x9000, 0x9001, 0x9002, 0x9003,
						  0x9004, 0x9005, 0x9006, 0x9007 };
	uint32_t d;

	(void)state;
	for (d = 0; d < FP_SG_DIR_MAX; d++) {
		assert_int_equal(fp_sg_ethertype(0x0800, d, NULL), FP_SG_BASE_RULES);
		assert_int_equal(fp_sg_ethertype(0x86dd, d, permitted), FP_SG_BASE_RULES);
		assert_int_equal(fp_sg_ethertype(0x0806, d, NULL), FP_SG_BASE_ALLOW);
		assert_int_equal(fp_sg_ethertype(0x88cc, d, NULL), FP_DROP_ETHERTYPE_DENIED);
		assert_int_equal(fp_sg_ethertype(0x88cc, d, permitted), FP_DROP_ETHERTYPE_DENIED);
		assert_int_equal(fp_sg_ethertype(0x8863, d, NULL), FP_DROP_ETHERTYPE_DENIED);
		assert_int_equal(fp_sg_ethertype(0x8863, d, permitted), FP_SG_BASE_ALLOW);
		assert_int_equal(fp_sg_ethertype(0x88b5, d, permitted), FP_SG_BASE_ALLOW);
		/* The list ends at its first 0, and is read to its end when full. */
		assert_int_equal(fp_sg_ethertype(0, d, permitted), FP_DROP_ETHERTYPE_DENIED);
		assert_int_equal(fp_sg_ethertype(0x9007, d, full), FP_SG_BASE_ALLOW);
		/* Tags are the parse's (ct_invalid), never allowed here. */
		assert_int_equal(fp_sg_ethertype(0x8100, d, NULL), FP_DROP_ETHERTYPE_DENIED);
	}
	/* RARP: from the VM (announcement after a live migration), not to it. */
	assert_int_equal(fp_sg_ethertype(0x8035, FP_SG_DIR_EGRESS, NULL), FP_SG_BASE_ALLOW);
	assert_int_equal(fp_sg_ethertype(0x8035, FP_SG_DIR_INGRESS, NULL),
			 FP_DROP_ETHERTYPE_DENIED);
}

/* The shared parse steps (both engines' parses call them): IPv4. */
static void
test_sg_parse_l3_v4(void **state)
{
	uint8_t h[24] = { 0x46, 0, 0, 60, 0, 0, 0x20, 0, 64, 6 }; /* IHL 6, MF, TCP */
	struct fp_sg_pkt p;
	struct fp_sg_l3 x;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&x, 0, sizeof(x));
	assert_int_equal(fp_sg_l3_start(h, NULL, 60, 0, &p, &x), 4);
	assert_int_equal(p.family, 4);
	assert_int_equal(x.cur, 24);
	assert_int_equal(x.tot, 60);
	assert_int_equal(x.nh, 6);
	assert_int_equal(x.frag, FP_SG_FRAG_FIRST);
	fp_sg_l3_end(&x, &p);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.frag, FP_SG_FRAG_FIRST);
	/* Longer than the bytes there: malformed, unless quoted. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(fp_sg_l3_start(h, NULL, 40, 0, &p, &x), -1);
	assert_int_equal(fp_sg_l3_start(h, NULL, 40, 1, &p, &x), 4);
	assert_int_equal(x.tot, 40);
	/* A quote of the other family, short headers, bad versions. */
	p.family = 6;
	assert_int_equal(fp_sg_l3_start(h, NULL, 60, 1, &p, &x), -1);
	p.family = 0;
	assert_int_equal(fp_sg_l3_start(NULL, NULL, 60, 0, &p, &x), -1);
	assert_int_equal(fp_sg_l3_start(h, NULL, 19, 1, &p, &x), -1);
	h[0] = 0x44; /* IHL 4 */
	assert_int_equal(fp_sg_l3_start(h, NULL, 60, 0, &p, &x), -1);
	h[0] = 0x4f; /* IHL 15: past the packet */
	assert_int_equal(fp_sg_l3_start(h, NULL, 59, 1, &p, &x), -1);
	h[0] = 0x56;
	assert_int_equal(fp_sg_l3_start(h, NULL, 60, 0, &p, &x), -1);
	h[0] = 0x45;
	h[6] = 0x00; /* offset 8 bytes: a later fragment */
	h[7] = 0x01;
	assert_int_equal(fp_sg_l3_start(h, NULL, 60, 0, &p, &x), 4);
	assert_int_equal(x.frag, FP_SG_FRAG_LATER);
}

/* IPv6 and its extension headers, walked as dataplane/sg.c does. */
static int
walk6(const uint8_t *b, uint32_t len, struct fp_sg_pkt *p, struct fp_sg_l3 *x)
{
	uint32_t i;
	int r;

	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	r = fp_sg_l3_start(len >= 20 ? b : NULL, len >= 40 ? b : NULL, len, 0, p, x);
	if (r != 6)
		return r < 0 ? -1 : 4;
	for (i = 0; i < FP_SG_EXT_MAX; i++) {
		r = fp_sg_l3_ext(x);
		if (r > 0)
			r = fp_sg_l3_ext_step(x, b + x->cur);
		if (r <= 0)
			break;
	}
	if (r < 0 || (i == FP_SG_EXT_MAX && fp_sg_l3_ext(x) != 0))
		return -1;
	fp_sg_l3_end(x, p);
	return 0;
}

static void
test_sg_parse_l3_v6(void **state)
{
	uint8_t b[40 + 9 * 8 + 20];
	struct fp_sg_pkt p;
	struct fp_sg_l3 x;
	uint32_t i, n;

	(void)state;
	/* n destination options headers (8 bytes each), then TCP. */
	for (n = 0; n <= 9; n++) {
		memset(b, 0, sizeof(b));
		b[0] = 0x60;
		b[5] = (uint8_t)(n * 8 + 20);
		b[6] = n ? 60 : 6;
		for (i = 0; i < n; i++)
			b[40 + i * 8] = i + 1 < n ? 60 : 6;
		if (n <= FP_SG_EXT_MAX) {
			assert_int_equal(walk6(b, 60 + n * 8, &p, &x), 0);
			assert_int_equal(p.family, 6);
			assert_int_equal(p.proto, 6);
			assert_int_equal(x.cur, 40 + n * 8);
		} else {
			assert_int_equal(walk6(b, 60 + n * 8, &p, &x), -1); /* too many */
		}
	}
	/* AH (length in 4-byte words + 2), then a first fragment, then UDP. */
	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	b[5] = 12 + 8 + 8;
	b[6] = 51;
	b[40] = 44;
	b[41] = 1; /* (1 + 2) * 4 = 12 bytes */
	b[52] = 17;
	b[55] = 1; /* offset 0, M */
	assert_int_equal(walk6(b, 68, &p, &x), 0);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.frag, FP_SG_FRAG_FIRST);
	assert_int_equal(x.cur, 60);
	/* A later fragment: the walk stops at it, no L4 header. */
	b[54] = 0x01;
	assert_int_equal(walk6(b, 68, &p, &x), 0);
	assert_int_equal(p.frag, FP_SG_FRAG_LATER);
	/* A hop-by-hop header longer than the packet; one cut short. */
	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	b[5] = 16;
	b[6] = 0;
	b[41] = 2; /* 24 bytes */
	assert_int_equal(walk6(b, 56, &p, &x), -1);
	b[5] = 4;
	assert_int_equal(walk6(b, 44, &p, &x), -1);
	/* Payload length past the frame; fewer than 40 bytes. */
	b[5] = 100;
	assert_int_equal(walk6(b, 56, &p, &x), -1);
	b[5] = 0;
	assert_int_equal(walk6(b, 39, &p, &x), -1);
}

static void
test_sg_parse_l4(void **state)
{
	uint8_t h[20] = { 0x9c, 0x40, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x12 };
	struct fp_sg_pkt p;
	uint32_t qoff = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = FP_SG_PROTO_TCP;
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), 0);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.tcp_flags, FP_SG_TCP_SYN | FP_SG_TCP_ACK);
	assert_int_equal(fp_sg_l4_decode(h, NULL, 19, 0, &p, &qoff), -1); /* truncated */
	assert_int_equal(fp_sg_l4_decode(h, NULL, 8, 1, &p, &qoff), 0);	  /* quoted: 8 bytes */
	h[12] = 0x40;							  /* data offset 4 */
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), -1);
	h[12] = 0x60; /* 24 bytes, 20 there */
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), -1);
	/* UDP: its length must be 8..len. */
	p.proto = FP_SG_PROTO_UDP;
	h[4] = 0;
	h[5] = 7;
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), -1);
	h[5] = 21;
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), -1);
	h[5] = 20;
	assert_int_equal(fp_sg_l4_decode(h, h, 20, 0, &p, &qoff), 0);
	/* SCTP needs 12 bytes; a protocol without ports needs none. */
	p.proto = FP_SG_PROTO_SCTP;
	assert_int_equal(fp_sg_l4_decode(h, NULL, 11, 0, &p, &qoff), -1);
	p.proto = 47;
	assert_int_equal(fp_sg_l4_decode(NULL, NULL, 0, 0, &p, &qoff), 0);
	/* A later fragment has no L4 header to read. */
	p.proto = FP_SG_PROTO_TCP;
	p.frag = FP_SG_FRAG_LATER;
	assert_int_equal(fp_sg_l4_decode(NULL, NULL, 0, 0, &p, &qoff), 0);
	/* ICMP: echo identifier; an error's quote follows at 8. */
	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = FP_SG_PROTO_ICMP;
	memset(h, 0, sizeof(h));
	h[0] = 8;
	h[4] = 0x12;
	h[5] = 0x34;
	assert_int_equal(fp_sg_l4_decode(h, NULL, 8, 0, &p, &qoff), 0);
	assert_int_equal(p.icmp_id, 0x1234);
	assert_int_equal(qoff, 0);
	h[0] = 3;
	h[1] = 1;
	assert_int_equal(fp_sg_l4_decode(h, NULL, 8, 0, &p, &qoff), 0);
	assert_int_equal(p.icmp_code, 1);
	assert_int_equal(qoff, 8);
	assert_int_equal(fp_sg_l4_decode(NULL, NULL, 7, 0, &p, &qoff), -1);
}

/* The opening packet a connection's key and flags give back. */
static void
test_ct_opener(void **state)
{
	struct fp_sg_pkt p = pkt4(0x0a000005, 0x0a000003, FP_SG_PROTO_TCP, 40000, 22), o;
	struct fp_ct_key k;
	uint32_t flags;

	(void)state;
	p.tcp_flags = FP_SG_TCP_SYN;
	flags = fp_ct_key_make(&k, 3, &p) ? FP_CT_F_ORIG_A : 0;
	memset(&o, 0xaa, sizeof(o));
	fp_ct_opener(&k, flags, &o);
	assert_memory_equal(&o, &p, sizeof(p));
	/* The other end opened it: the reply's view. */
	fp_ct_opener(&k, flags ^ FP_CT_F_ORIG_A, &o);
	assert_int_equal(o.sport, 22);
	assert_int_equal(o.dst.b[15], 5);
	/* ICMPv6 echo: a request with the identifier. */
	memset(&p, 0, sizeof(p));
	p.family = 6;
	p.proto = FP_SG_PROTO_ICMPV6;
	p.src.b[0] = 0xfd;
	p.dst.b[0] = 0xfe;
	p.icmp_type = 128;
	p.icmp_id = 9;
	flags = fp_ct_key_make(&k, 1, &p) ? FP_CT_F_ORIG_A : 0;
	fp_ct_opener(&k, flags, &o);
	assert_memory_equal(&o, &p, sizeof(p));
}

static void
test_sg_rule_match(void **state)
{
	struct fp_sg_pkt p = pkt4(0xc0a80001, 0x0a000005, FP_SG_PROTO_TCP, 40000, 22);
	struct fp_sg_rule r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.family = 4;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	r.family = 6;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	r.family = 4;
	r.flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS;
	r.proto = FP_SG_PROTO_TCP;
	r.port_min = 22;
	r.port_max = 22;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	r.port_min = 23;
	r.port_max = 443;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	r.port_min = 1;
	r.port_max = 22;
	r.proto = FP_SG_PROTO_UDP;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	r.proto = FP_SG_PROTO_TCP;
	/* Remote prefix: the source going in, the destination going out. */
	fp_addr_ip_set_v4(&r.remote, 0xc0a80000);
	r.plen = 96 + 16;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_EGRESS), FP_SG_MATCH_NO);
	r.plen = 128;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	fp_addr_ip_set_v4(&r.remote, 0xc0a80001);
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	/* An address set: everything else matches, the set is the engine's. */
	r.flags |= FP_SG_RULE_F_ADDRSET;
	r.addrset = 7;
	p.src.b[15] = 9;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_ADDRSET);
	/* A later fragment has no ports: only port-less rules match it. */
	p.frag = FP_SG_FRAG_LATER;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	r.flags = FP_SG_RULE_F_PROTO;
	r.plen = 0;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	/* ICMP type and code. */
	p = pkt4(0xc0a80001, 0x0a000005, FP_SG_PROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_TYPE;
	r.proto = FP_SG_PROTO_ICMP;
	r.icmp_type = 8;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_YES);
	r.flags |= FP_SG_RULE_F_ICMP_CODE;
	r.icmp_code = 1;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
	r.icmp_type = 0;
	r.flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_TYPE;
	assert_int_equal(fp_sg_rule_match(&r, &p, FP_SG_DIR_INGRESS), FP_SG_MATCH_NO);
}

static void
test_ct_key_both_ways(void **state)
{
	struct fp_sg_pkt p = pkt4(0x0a000005, 0x0a000003, FP_SG_PROTO_TCP, 40000, 22), r;
	struct fp_ct_key k1, k2;
	int d1, d2;

	(void)state;
	r = reply_of(&p);
	d1 = fp_ct_key_make(&k1, 3, &p);
	d2 = fp_ct_key_make(&k2, 3, &r);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_not_equal(d1, d2);
	/* The lower address is endpoint a. */
	assert_int_equal(k1.a.b[15], 3);
	assert_int_equal(k1.a_port, 22);
	assert_int_equal(k1.zone, 3);
	/* Another zone, another key. */
	fp_ct_key_make(&k2, 4, &p);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* Same addresses, ports decide. */
	p = pkt4(0x0a000005, 0x0a000005, FP_SG_PROTO_UDP, 9, 7);
	r = reply_of(&p);
	d1 = fp_ct_key_make(&k1, 1, &p);
	d2 = fp_ct_key_make(&k2, 1, &r);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(d1, 0);
	assert_int_equal(d2, 1);
	/* ICMP echo: keyed by the identifier, request and reply meet. */
	p = pkt4(0x0a000005, 0x0a000003, FP_SG_PROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	p.icmp_id = 77;
	r = reply_of(&p);
	r.icmp_type = 0;
	fp_ct_key_make(&k1, 1, &p);
	fp_ct_key_make(&k2, 1, &r);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(k1.a_port, 77);
	r.icmp_id = 78;
	fp_ct_key_make(&k2, 1, &r);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
}

/* A whole TCP connection through fp_ct_first()/fp_ct_next(). */
static void
test_ct_tcp_life(void **state)
{
	struct fp_sg_pkt p = pkt4(1, 2, FP_SG_PROTO_TCP, 1000, 80);
	uint32_t s;

	(void)state;
	p.tcp_flags = FP_SG_TCP_SYN;
	s = fp_ct_first(&p);
	assert_int_equal(s, FP_CT_SYN_SENT);
	p.tcp_flags = FP_SG_TCP_SYN | FP_SG_TCP_ACK;
	s = fp_ct_next(s, 1, &p);
	assert_int_equal(s, FP_CT_SYN_RECV);
	p.tcp_flags = FP_SG_TCP_ACK;
	s = fp_ct_next(s, 0, &p);
	assert_int_equal(s, FP_CT_ESTABLISHED);
	assert_int_equal(fp_ct_next(s, 1, &p), FP_CT_ESTABLISHED);
	/* A SYN on an established connection is passed, state kept. */
	p.tcp_flags = FP_SG_TCP_SYN;
	assert_int_equal(fp_ct_next(s, 0, &p), FP_CT_MOVE_IGNORE);
	p.tcp_flags = FP_SG_TCP_FIN | FP_SG_TCP_ACK;
	s = fp_ct_next(s, 0, &p);
	assert_int_equal(s, FP_CT_FIN_WAIT);
	p.tcp_flags = FP_SG_TCP_ACK;
	s = fp_ct_next(s, 1, &p);
	assert_int_equal(s, FP_CT_CLOSE_WAIT);
	p.tcp_flags = FP_SG_TCP_FIN | FP_SG_TCP_ACK;
	s = fp_ct_next(s, 1, &p);
	assert_int_equal(s, FP_CT_LAST_ACK);
	p.tcp_flags = FP_SG_TCP_ACK;
	s = fp_ct_next(s, 0, &p);
	assert_int_equal(s, FP_CT_TIME_WAIT);
	/* A new SYN reopens a connection in TIME_WAIT. */
	p.tcp_flags = FP_SG_TCP_SYN;
	assert_int_equal(fp_ct_next(s, 0, &p), FP_CT_SYN_SENT);
	p.tcp_flags = FP_SG_TCP_RST;
	assert_int_equal(fp_ct_next(FP_CT_ESTABLISHED, 1, &p), FP_CT_CLOSE);
}

static void
test_ct_tcp_first_and_invalid(void **state)
{
	struct fp_sg_pkt p = pkt4(1, 2, FP_SG_PROTO_TCP, 1000, 80);

	(void)state;
	/* Loose pickup: an ACK opens an established connection. */
	p.tcp_flags = FP_SG_TCP_ACK;
	assert_int_equal(fp_ct_first(&p), FP_CT_ESTABLISHED);
	p.tcp_flags = FP_SG_TCP_ACK | FP_SG_TCP_SYN;
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	p.tcp_flags = FP_SG_TCP_FIN;
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	p.tcp_flags = FP_SG_TCP_RST;
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	p.tcp_flags = 0;
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	/* A SYN-ACK from the opener, an ACK answering a SYN: invalid. */
	p.tcp_flags = FP_SG_TCP_SYN | FP_SG_TCP_ACK;
	assert_int_equal(fp_ct_next(FP_CT_SYN_SENT, 0, &p), FP_CT_MOVE_INVALID);
	p.tcp_flags = FP_SG_TCP_ACK;
	assert_int_equal(fp_ct_next(FP_CT_SYN_SENT, 1, &p), FP_CT_MOVE_IGNORE);
	/* Simultaneous open. */
	p.tcp_flags = FP_SG_TCP_SYN;
	assert_int_equal(fp_ct_next(FP_CT_SYN_SENT, 1, &p), FP_CT_SYN_SENT2);
	/* Out-of-range input is invalid, not a read past the table. */
	assert_int_equal(fp_ct_tcp_next(FP_CT_UDP_REPLIED, 0, FP_CT_TCP_ACK), FP_CT_MOVE_INVALID);
	assert_int_equal(fp_ct_tcp_next(FP_CT_NONE, 0, FP_CT_TCP_NONE), FP_CT_MOVE_INVALID);
}

static void
test_ct_udp_icmp_other(void **state)
{
	struct fp_sg_pkt p = pkt4(1, 2, FP_SG_PROTO_UDP, 1000, 53);
	uint32_t s;

	(void)state;
	s = fp_ct_first(&p);
	assert_int_equal(s, FP_CT_UDP_UNREPLIED);
	assert_int_equal(fp_ct_next(s, 0, &p), FP_CT_UDP_UNREPLIED);
	s = fp_ct_next(s, 1, &p);
	assert_int_equal(s, FP_CT_UDP_REPLIED);
	assert_int_equal(fp_ct_next(s, 0, &p), FP_CT_UDP_REPLIED);
	p = pkt4(1, 2, FP_SG_PROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	assert_int_equal(fp_ct_first(&p), FP_CT_ICMP);
	assert_int_equal(fp_ct_next(FP_CT_ICMP, 0, &p), FP_CT_ICMP);
	assert_int_equal(fp_ct_next(FP_CT_ICMP, 1, &p), FP_CT_MOVE_INVALID);
	p.icmp_type = 0;
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	assert_int_equal(fp_ct_next(FP_CT_ICMP, 1, &p), FP_CT_ICMP);
	p.icmp_type = 3;
	assert_true(fp_ct_icmp_error(&p));
	assert_int_equal(fp_ct_first(&p), FP_CT_MOVE_INVALID);
	p = pkt4(1, 2, 47, 0, 0); /* GRE */
	s = fp_ct_first(&p);
	assert_int_equal(s, FP_CT_OTHER_UNREPLIED);
	assert_int_equal(fp_ct_next(s, 1, &p), FP_CT_OTHER_REPLIED);
}

static void
test_ct_timeouts(void **state)
{
	static const uint32_t t[FP_CT_STATE_MAX] = { FP_FOREACH_CT_STATE(FP_CT_TIMEOUT_INIT) };

	(void)state;
	/* Linux nf_conntrack's defaults. */
	assert_int_equal(t[FP_CT_SYN_SENT], 120);
	assert_int_equal(t[FP_CT_ESTABLISHED], 5 * 24 * 3600);
	assert_int_equal(t[FP_CT_TIME_WAIT], 120);
	assert_int_equal(t[FP_CT_UDP_UNREPLIED], 30);
	assert_int_equal(t[FP_CT_UDP_REPLIED], 120);
	assert_int_equal(t[FP_CT_ICMP], 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sg_base),
		cmocka_unit_test(test_sg_ethertype),
		cmocka_unit_test(test_sg_parse_l3_v4),
		cmocka_unit_test(test_sg_parse_l3_v6),
		cmocka_unit_test(test_sg_parse_l4),
		cmocka_unit_test(test_ct_opener),
		cmocka_unit_test(test_sg_rule_match),
		cmocka_unit_test(test_ct_key_both_ways),
		cmocka_unit_test(test_ct_tcp_life),
		cmocka_unit_test(test_ct_tcp_first_and_invalid),
		cmocka_unit_test(test_ct_udp_icmp_other),
		cmocka_unit_test(test_ct_timeouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
