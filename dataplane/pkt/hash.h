/* SPDX-License-Identifier: BSD-3-Clause */
/* Inner flow hash and the outer UDP source port derived from it.
 *
 * Both engines (DPDK and XDP) must produce the same outer UDP source port
 * for the same inner packet, so the hash is specified here exactly:
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
#ifndef FP_PKT_HASH_H
#define FP_PKT_HASH_H

#include <stdint.h>

#include "csum.h"
#include "parse.h"

#define FP_FLOW_HASH_SEED 0x666c6f77U /* "flow" */
#define FP_JHASH_INITVAL 0xdeadbeefU
#define FP_SPORT_MIN 49152U
#define FP_SPORT_RANGE 16384U

static inline uint32_t
fp_rol32(uint32_t w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/** Linux's jhash_3words(). */
static inline uint32_t
fp_jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
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
 * @param f frame start (inner Ethernet header)
 * @param m the frame's metadata from fp_parse_frame()
 * @return 32-bit hash
 */
static inline __attribute__((always_inline)) uint32_t
fp_flow_hash(const uint8_t *f, const struct fp_pkt_meta *m)
{
	uint32_t a, b, c = 0, init;

	if (m->ethertype == FP_ETH_P_IPV4 && m->l3_len) {
		const uint8_t *ip = f + m->l3_off;

		a = fp_get32(ip + 12);
		b = fp_get32(ip + 16);
		init = m->l4_proto;
	} else if (m->ethertype == FP_ETH_P_IPV6 && m->l3_len) {
		const uint8_t *ip = f + m->l3_off;

		a = fp_get32(ip + 8) ^ fp_get32(ip + 12) ^ fp_get32(ip + 16) ^ fp_get32(ip + 20);
		b = fp_get32(ip + 24) ^ fp_get32(ip + 28) ^ fp_get32(ip + 32) ^ fp_get32(ip + 36);
		init = m->l4_proto;
	} else {
		a = fp_get32(f);
		b = ((uint32_t)fp_get16(f + 4) << 16) | fp_get16(f + 6);
		c = fp_get32(f + 8);
		return fp_jhash_3words(a, b, c, FP_FLOW_HASH_SEED ^ m->ethertype);
	}
	if ((m->flags & (FP_META_F_L4 | FP_META_F_FRAG)) == FP_META_F_L4 &&
	    (m->l4_proto == FP_IPPROTO_TCP || m->l4_proto == FP_IPPROTO_UDP))
		c = ((uint32_t)m->sport << 16) | m->dport;
	return fp_jhash_3words(a, b, c, FP_FLOW_HASH_SEED ^ init);
}

/** Outer UDP source port for a flow hash. */
static inline uint16_t
fp_flow_sport(uint32_t hash)
{
	return (uint16_t)(FP_SPORT_MIN + (((uint64_t)hash * FP_SPORT_RANGE) >> 32));
}

#endif /* FP_PKT_HASH_H */
