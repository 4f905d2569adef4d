/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (RFC 1071) for flowplane's BPF programs.
 *
 * Sums are kept in memory order: words are loaded natively, added with
 * the carries folded in at the end, and the complemented 16-bit result is
 * stored natively (RFC 1071 2.(B): the sum does not depend on byte order).
 * Constants that are part of a sum (lengths, protocol numbers) are added
 * in network order for the same reason.  The checksum of the same bytes is
 * the one lib/csum.h computes.
 */
#ifndef FP_CSUM_BPF_H
#define FP_CSUM_BPF_H

#include "fp_pkt.bpf.h"

#define FP_CSUM_CHUNK 512 /* bytes per bpf_csum_diff() call */
#define FP_CSUM_SMALL 64  /* bytes per call for the rest */
#define FP_CSUM_CHUNKS (FP_FRAME_MAX / FP_CSUM_CHUNK + 1)

/* Fold a running sum to 16 bits, not complemented. */
static __always_inline __u32
fp_csum_fold16(__u64 s)
{
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u32)s;
}

/* The checksum field of a running sum, to be stored natively. */
static __always_inline __u16
fp_csum_finish(__u64 s)
{
	return (__u16)~fp_csum_fold16(s);
}

/* A last odd byte is the first byte of a zero-padded word. */
static __always_inline __u32
fp_csum_odd(__u8 b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return b;
#else
	return (__u32)b << 8;
#endif
}

/* The 20-byte IPv4 header at p (present), as a running sum. */
static __always_inline __u64
fp_csum_ip4_hdr(const void *p)
{
	const __u32 *w = p;

	return (__u64)w[0] + w[1] + w[2] + w[3] + w[4];
}

/* IPv6 pseudo-header (RFC 8200 8.1) of addresses at s and d, as a sum. */
static __always_inline __u64
fp_csum_ip6_pseudo(const void *s, const void *d, __u32 len, __u8 proto)
{
	const __u32 *a = s, *b = d;

	return (__u64)a[0] + a[1] + a[2] + a[3] + b[0] + b[1] + b[2] + b[3] + bpf_htonl(len) +
	       bpf_htonl(proto);
}

/* Sum of the bytes from off to end (an offset, or ~0U: the end of the
 * packet; at most FP_FRAME_MAX + FP_CSUM_CHUNK of them), added to sum.
 * Returns the sum folded to 16 bits.  Chunks of 512 and 64 bytes go
 * through bpf_csum_diff(), the rest word by word.  Between the loops the
 * offset's history is dropped (fp_pkt_off_forget()), so the verifier
 * walks each loop once instead of once per iteration count of the loop
 * before.
 */
static __always_inline __u32
fp_csum_span(void *data, void *data_end, __u32 off, __u32 end, __u32 sum)
{
	__u64 acc;
	void *p;
	int i;

	if (off > FP_PKT_OFF_MAX)
		return fp_csum_fold16(sum);
	/* bpf_csum_diff() is the kernel's csum_partial(): it continues any
	 * 32-bit sum, so nothing is folded between the chunks.
	 */
	for (i = 0; i < FP_CSUM_CHUNKS; i++) {
		if (off + FP_CSUM_CHUNK > end)
			break;
		p = fp_pkt_ptr_var(data, data_end, off, FP_CSUM_CHUNK);
		if (!p)
			break;
		sum = (__u32)bpf_csum_diff(NULL, 0, p, FP_CSUM_CHUNK, sum);
		off += FP_CSUM_CHUNK;
	}
	if (off > FP_PKT_OFF_MAX)
		return fp_csum_fold16(sum);
	off = fp_pkt_off_forget(off);
	for (i = 0; i < FP_CSUM_CHUNK / FP_CSUM_SMALL; i++) {
		if (off + FP_CSUM_SMALL > end)
			break;
		p = fp_pkt_ptr_var(data, data_end, off, FP_CSUM_SMALL);
		if (!p)
			break;
		sum = (__u32)bpf_csum_diff(NULL, 0, p, FP_CSUM_SMALL, sum);
		off += FP_CSUM_SMALL;
	}
	if (off > FP_PKT_OFF_MAX)
		return fp_csum_fold16(sum);
	/* The last words: a 64-bit sum of at most 17 32-bit values, folded
	 * once.
	 */
	acc = sum;
	off = fp_pkt_off_forget(off);
	for (i = 0; i < FP_CSUM_SMALL / 4; i++) {
		if (off + 4 > end)
			break;
		p = fp_pkt_ptr_var(data, data_end, off, 4);
		if (!p)
			break;
		acc += *(const __u32 *)p;
		off += 4;
	}
	if (off > FP_PKT_OFF_MAX)
		return fp_csum_fold16(acc);
	off = fp_pkt_off_forget(off);
	p = off + 2 <= end ? fp_pkt_ptr_var(data, data_end, off, 2) : NULL;
	if (p) {
		acc += *(const __u16 *)p;
		off += 2;
	}
	p = off + 1 <= end ? fp_pkt_ptr_var(data, data_end, off, 1) : NULL;
	if (p)
		acc += fp_csum_odd(*(const __u8 *)p);
	return fp_csum_fold16(acc);
}

/* Sum of the bytes from off to the end of the packet: fp_csum_span(). */
static __always_inline __u32
fp_csum_to_end(void *data, void *data_end, __u32 off, __u32 sum)
{
	return fp_csum_span(data, data_end, off, ~0U, sum);
}

#endif /* FP_CSUM_BPF_H */
