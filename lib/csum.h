/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (RFC 1071) over byte ranges.
 *
 * fp_csum_partial() adds 16-bit big-endian words into a 32-bit running sum
 * (an odd trailing byte is padded with zero); fp_csum_fold() folds and
 * complements it.  Pure and allocation-free; used by the parser and the
 * header builders (dataplane/pkt/), the routing step, the slow path's
 * answers (DHCP, RA) and the tests.
 */
#ifndef FP_CSUM_H
#define FP_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* A native 16-bit sum, read as big-endian. */
static inline uint32_t
fp_csum_to_be(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

/* A trailing odd byte is the high byte of a zero-padded word. */
static inline uint32_t
fp_csum_odd_byte(uint8_t b)
{
	return b;
}
#else
static inline uint32_t
fp_csum_to_be(uint16_t v)
{
	return v;
}

static inline uint32_t
fp_csum_odd_byte(uint8_t b)
{
	return (uint32_t)b << 8;
}
#endif

/**
 * Add a byte range to a running one's-complement sum.
 *
 * @param buf bytes, any alignment
 * @param len number of bytes
 * @param sum running sum from an earlier call, or 0
 * @return the new running sum (not folded)
 */
static inline uint32_t
fp_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = 0;
	uint32_t w32;
	uint16_t w16;

	/* One's complement addition does not care about byte order: add
	 * native 32-bit words, fold, and swap once at the end
	 * (RFC 1071 2.(B)).
	 */
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w32, p, 4);
		s += w32;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		s += w16;
		p += 2;
		len -= 2;
	}
	if (len)
		s += fp_csum_odd_byte(*p);
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return sum + fp_csum_to_be((uint16_t)s);
}

/**
 * Fold a running sum to 16 bits and complement it.
 *
 * @param sum running sum
 * @return the checksum in host order, ready to be stored big-endian
 */
static inline uint16_t
fp_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * Running sum of the IPv6 pseudo-header (RFC 8200 8.1).
 *
 * @param saddr 16-byte source address
 * @param daddr 16-byte destination address
 * @param len   upper-layer packet length
 * @param proto upper-layer protocol
 * @return running sum
 */
static inline uint32_t
fp_csum_ipv6_pseudo(const uint8_t *saddr, const uint8_t *daddr, uint32_t len, uint8_t proto)
{
	uint32_t s = fp_csum_partial(saddr, 16, 0);

	s = fp_csum_partial(daddr, 16, s);
	s += (len >> 16) + (len & 0xffff) + proto;
	return s;
}

/** Store a 16-bit host-order value big-endian. */
static inline void
fp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** Load a big-endian 16-bit value. */
static inline uint16_t
fp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/** Load a big-endian 32-bit value. */
static inline uint32_t
fp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/**
 * The UDP or TCP checksum over IPv4: pseudo header (src, dst, proto,
 * len) and l4[0..len) (whose checksum field must be zero, or the result
 * is 0 when the packet is correct).
 */
static inline uint16_t
fp_csum_l4_v4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, const uint8_t *l4,
	      uint32_t len)
{
	uint32_t s = fp_csum_partial(src, 4, 0);

	s = fp_csum_partial(dst, 4, s);
	s += proto + len;
	return fp_csum_fold(fp_csum_partial(l4, len, s));
}

/**
 * The UDP, TCP or ICMPv6 checksum over IPv6 (RFC 8200 8.1): pseudo
 * header and l4[0..len) (whose checksum field must be zero, or the result
 * is 0 when the packet is correct).
 */
static inline uint16_t
fp_csum_l4_v6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, const uint8_t *l4,
	      uint32_t len)
{
	return fp_csum_fold(fp_csum_partial(l4, len, fp_csum_ipv6_pseudo(src, dst, len, next)));
}

/**
 * Update a stored checksum for a 4-byte field that changes from old to
 * new (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')), in place: an IPv4
 * address in the IPv4 header checksum, or in a TCP/UDP checksum through
 * the pseudo header.  The caller skips a UDP checksum of zero (none) and
 * stores 0xffff for a UDP result of zero (RFC 768).
 *
 * @param csum the stored 16-bit big-endian checksum, rewritten
 * @param old  the 4 bytes before the change
 * @param new  the 4 bytes after the change
 */
static inline void
fp_csum_replace4(uint8_t *csum, const uint8_t old[4], const uint8_t new[4])
{
	uint32_t sum = (uint16_t)~fp_get16(csum);

	sum += (uint16_t)~fp_get16(old) + (uint32_t)(uint16_t)~fp_get16(old + 2);
	sum += (uint32_t)fp_get16(new) + fp_get16(new + 2);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	fp_put16(csum, (uint16_t)~sum);
}

#endif /* FP_CSUM_H */
