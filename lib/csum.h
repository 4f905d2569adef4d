/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksums (RFC 1071) over byte ranges, for the packets the
 * slow path builds (DHCP, RA) and the tests that check them.
 */
#ifndef FP_CSUM_H
#define FP_CSUM_H

#include <stdint.h>

/** Add the 16-bit big-endian words of b[0..len) to sum (odd: zero-padded). */
static inline uint32_t
fp_csum_add(uint32_t sum, const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/** Fold sum to 16 bits and complement it: the checksum field's value. */
static inline uint16_t
fp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
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
	uint32_t sum = 0;

	sum = fp_csum_add(sum, src, 4);
	sum = fp_csum_add(sum, dst, 4);
	sum += proto;
	sum += len;
	return fp_csum_fold(fp_csum_add(sum, l4, len));
}

/**
 * The UDP, TCP or ICMPv6 checksum over IPv6 (RFC 8200 8.1): pseudo
 * header (src, dst, upper-layer length, next header) and l4[0..len)
 * (whose checksum field must be zero, or the result is 0 when the packet
 * is correct).
 */
static inline uint16_t
fp_csum_l4_v6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, const uint8_t *l4,
	      uint32_t len)
{
	uint32_t sum = 0;

	sum = fp_csum_add(sum, src, 16);
	sum = fp_csum_add(sum, dst, 16);
	sum += len >> 16;
	sum += len & 0xffff;
	sum += next;
	return fp_csum_fold(fp_csum_add(sum, l4, len));
}

#endif /* FP_CSUM_H */
