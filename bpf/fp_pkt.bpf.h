/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounds-checked packet access for flowplane's BPF programs.
 *
 * Every helper works on a (data, data_end) pair, so the XDP program and
 * the tc program share them.  Offsets are scalars bounded by
 * FP_PKT_OFF_MAX before they are added to data, which keeps the
 * verifier's pointer arithmetic in range; fp_pkt_ptr() then proves that
 * size bytes are present.  Multi-byte loads and stores may be unaligned
 * (BPF targets with efficient unaligned access: x86_64, arm64).
 *
 * All functions are static __always_inline: the caller decides where the
 * verifier sees a function boundary (a global function verified once).
 */
#ifndef FP_PKT_BPF_H
#define FP_PKT_BPF_H

#include <linux/bpf.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include <flowplane/proto.h>

#define FP_ETH_HLEN 14	      /* Ethernet header */
#define FP_PKT_OFF_MAX 0x3fff /* largest offset followed: above any frame (9216) */
#define FP_FRAME_MAX 9216     /* largest frame the loops are bounded for */
#define FP_OUTER_TTL 64	      /* TTL/hop limit of the packets we build */

/* A pointer to size bytes at off, or NULL if they are not all present. */
static __always_inline void *
fp_pkt_ptr(void *data, void *data_end, __u32 off, __u32 size)
{
	void *p;

	if (off > FP_PKT_OFF_MAX)
		return NULL;
	p = data + off;
	if (p + size > data_end)
		return NULL;
	return p;
}

/* fp_pkt_ptr() for an offset that moves in a loop: p is kept in one
 * register, as clang may otherwise compute data + off again for the
 * access, a pointer the verifier has no range for.  (Not for fixed
 * offsets: the barrier stops clang from merging repeated checks.)
 */
static __always_inline void *
fp_pkt_ptr_var(void *data, void *data_end, __u32 off, __u32 size)
{
	void *p;

	if (off > FP_PKT_OFF_MAX)
		return NULL;
	p = data + off;
	asm volatile("" : "+r"(p));
	if (p + size > data_end)
		return NULL;
	return p;
}

/* An offset after a loop, with what the verifier knew of the iterations
 * before dropped (off <= FP_PKT_OFF_MAX keeps its value): the states of
 * every iteration count then look alike and are verified once.
 */
static __always_inline __u32
fp_pkt_off_forget(__u32 off)
{
	asm volatile("" : "+r"(off));
	return off & FP_PKT_OFF_MAX;
}

/* Does the packet end before off?  For length checks that grant no access:
 * off must be bounded (at most 2^20) by the caller.
 */
static __always_inline int
fp_pkt_short(void *data, void *data_end, __u32 off)
{
	return data + off > data_end;
}

/* Big-endian loads and stores at a checked pointer. */
static __always_inline __u16
fp_ld16(const void *p)
{
	return bpf_ntohs(*(const __u16 *)p);
}

static __always_inline __u32
fp_ld32(const void *p)
{
	return bpf_ntohl(*(const __u32 *)p);
}

static __always_inline __u64
fp_ld64(const void *p)
{
	return bpf_be64_to_cpu(*(const __u64 *)p);
}

static __always_inline void
fp_st16(void *p, __u16 v)
{
	*(__u16 *)p = bpf_htons(v);
}

static __always_inline void
fp_st32(void *p, __u32 v)
{
	*(__u32 *)p = bpf_htonl(v);
}

/* Six bytes: a MAC address. */
static __always_inline void
fp_mac_copy(void *dst, const void *src)
{
	*(__u32 *)dst = *(const __u32 *)src;
	*(__u16 *)(dst + 4) = *(const __u16 *)(src + 4);
}

static __always_inline int
fp_mac_eq(const void *a, const void *b)
{
	return ((*(const __u32 *)a ^ *(const __u32 *)b) |
		(__u32)(*(const __u16 *)(a + 4) ^ *(const __u16 *)(b + 4))) == 0;
}

/* Sixteen bytes: an IPv6 address or a struct fp_ip. */
static __always_inline void
fp_ip6_copy(void *dst, const void *src)
{
	*(__u64 *)dst = *(const __u64 *)src;
	*(__u64 *)(dst + 8) = *(const __u64 *)(src + 8);
}

static __always_inline int
fp_ip6_eq(const void *a, const void *b)
{
	return ((*(const __u64 *)a ^ *(const __u64 *)b) |
		(*(const __u64 *)(a + 8) ^ *(const __u64 *)(b + 8))) == 0;
}

static __always_inline int
fp_ip6_is_zero(const void *a)
{
	return (*(const __u64 *)a | *(const __u64 *)(a + 8)) == 0;
}

/* An IPv4 address (4 bytes at v4) as ::ffff:a.b.c.d in a struct fp_ip. */
static __always_inline void
fp_ip_from_v4(void *ip, const void *v4)
{
	*(__u64 *)ip = 0;
	*(__u32 *)(ip + 8) = bpf_htonl(0xffff);
	*(__u32 *)(ip + 12) = *(const __u32 *)v4;
}

/* Is a struct fp_ip an IPv4-mapped address? */
static __always_inline int
fp_ip_is_v4(const void *ip)
{
	return *(const __u64 *)ip == 0 && *(const __u32 *)(ip + 8) == bpf_htonl(0xffff);
}

#endif /* FP_PKT_BPF_H */
