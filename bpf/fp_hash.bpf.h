/* SPDX-License-Identifier: BSD-3-Clause */
/* Inner flow hash and the outer UDP source port derived from it, exactly
 * as dataplane/pkt/hash.h specifies them (both engines must put the same
 * source port on the same inner packet):
 *
 *   IPv4:  a = saddr, b = daddr (big-endian u32 values)
 *   IPv6:  a = xor of saddr's four big-endian u32 words, b = same of daddr
 *   both:  c = sport << 16 | dport for TCP/UDP that is not a fragment,
 *          else 0; init = l4 protocol
 *   other: a = dst[0..3], b = dst[4..5] src[0..1], c = src[2..5] (each
 *          big-endian), init = ethertype
 *   hash = jhash_3words(a, b, c, FP_FLOW_HASH_SEED ^ init)   (Linux jhash)
 *   sport = 49152 + ((hash * 16384) >> 32)     (RFC 7348: 49152-65535)
 */
#ifndef FP_HASH_BPF_H
#define FP_HASH_BPF_H

#include "fp_parse.bpf.h"
#include "fp_pkt.bpf.h"

#define FP_FLOW_HASH_SEED 0x666c6f77U /* "flow" */
#define FP_JHASH_INITVAL 0xdeadbeefU
#define FP_SPORT_MIN 49152U
#define FP_SPORT_RANGE 16384U

static __always_inline __u32
fp_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* Linux's jhash_3words(). */
static __always_inline __u32
fp_jhash_3words(__u32 a, __u32 b, __u32 c, __u32 initval)
{
	initval += FP_JHASH_INITVAL + (3 << 2);
	a += initval;
	b += initval;
	c += initval;
	c ^= b;
	c -= fp_rol32(b, 14);
	a ^= c;
	a -= fp_rol32(c, 11);
	b ^= a;
	b -= fp_rol32(a, 25);
	c ^= b;
	c -= fp_rol32(b, 16);
	a ^= c;
	a -= fp_rol32(c, 4);
	b ^= a;
	b -= fp_rol32(a, 14);
	c ^= b;
	c -= fp_rol32(b, 24);
	return c;
}

/**
 * Hash of an inner frame's flow, as specified above.
 *
 * @param data     inner Ethernet header
 * @param data_end end of the frame
 * @param m        the frame's metadata from fp_parse_frame()
 * @return 32-bit hash (0 if the headers m describes are not present, which
 *	   a successful fp_parse_frame() rules out)
 */
static __always_inline __u32
fp_flow_hash(void *data, void *data_end, const struct fp_pkt_meta *m)
{
	__u32 a, b, c = 0, init = m->l4_proto;
	__u8 *p;

	if (m->ethertype == FP_ETH_P_IPV4 && m->l3_len) {
		p = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
		if (!p)
			return 0;
		a = fp_ld32(p + 12);
		b = fp_ld32(p + 16);
	} else if (m->ethertype == FP_ETH_P_IPV6 && m->l3_len) {
		p = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
		if (!p)
			return 0;
		a = fp_ld32(p + 8) ^ fp_ld32(p + 12) ^ fp_ld32(p + 16) ^ fp_ld32(p + 20);
		b = fp_ld32(p + 24) ^ fp_ld32(p + 28) ^ fp_ld32(p + 32) ^ fp_ld32(p + 36);
	} else {
		p = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
		if (!p)
			return 0;
		a = fp_ld32(p);
		b = ((__u32)fp_ld16(p + 4) << 16) | fp_ld16(p + 6);
		c = fp_ld32(p + 8);
		return fp_jhash_3words(a, b, c, FP_FLOW_HASH_SEED ^ m->ethertype);
	}
	if ((m->flags & (FP_META_F_L4 | FP_META_F_FRAG)) == FP_META_F_L4 &&
	    (m->l4_proto == FP_IPPROTO_TCP || m->l4_proto == FP_IPPROTO_UDP))
		c = ((__u32)m->sport << 16) | m->dport;
	return fp_jhash_3words(a, b, c, FP_FLOW_HASH_SEED ^ init);
}

/* Outer UDP source port for a flow hash. */
static __always_inline __u16
fp_flow_sport(__u32 hash)
{
	return (__u16)(FP_SPORT_MIN + (((__u64)hash * FP_SPORT_RANGE) >> 32));
}

#endif /* FP_HASH_BPF_H */
