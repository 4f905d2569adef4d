/* SPDX-License-Identifier: BSD-3-Clause */
/* The packets flowplane's BPF programs answer with themselves, built in
 * place in the received frame, byte for byte as dataplane/pkt/build.c
 * builds them (doc/packets.md, doc/routing.md): ARP replies, IPv6
 * neighbour advertisements, ICMP fragmentation-needed and ICMPv6
 * packet-too-big, and the router's time exceeded and net unreachable.
 *
 * The functions work on a (data, data_end) pair; resizing the frame
 * (bpf_xdp_adjust_head/tail, bpf_skb_change_*) is the caller's, between
 * the checks that read the request and the writers.
 */
#ifndef FP_BUILD_BPF_H
#define FP_BUILD_BPF_H

#include "fp_csum.bpf.h"
#include "fp_parse.bpf.h"
#include "fp_pkt.bpf.h"

#define FP_ND_NA_L3_LEN 72		 /* ipv6 40 + icmp6 8 + target 16 + tlla 8 */
#define FP_ND_OPT_MAX (FP_FRAME_MAX / 8) /* options an NS of FP_FRAME_MAX may hold */
#define FP_ICMP4_ERR_MAX 576		 /* RFC 1812 4.3.2.3: IP length of an ICMP error */
#define FP_ICMP6_ERR_MAX 1280		 /* RFC 4443 2.4(c) */
#define FP_ICMP4_ERR_HDR 28		 /* ipv4 20 + icmp 8 in front of the quote */
#define FP_ICMP6_ERR_HDR 48		 /* ipv6 40 + icmp6 8 in front of the quote */

/**
 * Check that a parsed ARP frame is a request for Ethernet/IPv4.
 *
 * @return 1 if it is a well-formed request, 0 if it is another well-formed
 *	   ARP packet, -1 if it is malformed (hrd/pro/hln/pln)
 */
static __always_inline int
fp_arp_is_request(void *data, void *data_end, const struct fp_pkt_meta *m)
{
	__u8 *a = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_arp_hdr));

	if (!a)
		return -1;
	if (fp_ld16(a) != FP_ARP_HRD_ETHER || fp_ld16(a + 2) != FP_ETH_P_IPV4 || a[4] != 6 ||
	    a[5] != 4)
		return -1;
	return fp_ld16(a + 6) == FP_ARP_OP_REQUEST;
}

/**
 * Turn an ARP request into the reply for its target, in place (VLAN tags
 * and padding stay).
 *
 * @param l3_off offset of the ARP header
 * @param mac    the target's MAC
 * @return 0, or -1 if the headers are not present
 */
static __always_inline int
fp_arp_reply_write(void *data, void *data_end, __u32 l3_off, const __u8 *mac)
{
	__u8 *f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	__u8 *a = fp_pkt_ptr(data, data_end, l3_off, sizeof(struct fp_arp_hdr));
	__u32 spa;

	if (!f || !a)
		return -1;
	fp_mac_copy(f, f + 6);
	fp_mac_copy(f + 6, mac);
	fp_st16(a + 6, FP_ARP_OP_REPLY);
	spa = *(__u32 *)(a + 14);
	fp_mac_copy(a + 18, a + 8);		 /* tha = request sha */
	*(__u32 *)(a + 14) = *(__u32 *)(a + 24); /* spa = request tpa */
	*(__u32 *)(a + 24) = spa;		 /* tpa = request spa */
	fp_mac_copy(a + 8, mac);		 /* sha = target MAC */
	return 0;
}

/**
 * Find the target of an IPv6 neighbour solicitation.
 *
 * @param m	 metadata with l4_proto ICMPv6
 * @param target receives the target address (16 bytes)
 * @return 1 if it is a valid NS that may be answered (hop limit 255, code
 *	   0, length >= 24, target not multicast, well-formed options,
 *	   source not ::), 0 if it is another ICMPv6 message or a DAD probe,
 *	   -1 if it is a malformed NS
 */
static __always_inline int
fp_nd_ns_parse(void *data, void *data_end, const struct fp_pkt_meta *m, __u8 *target)
{
	__u32 off, end = m->l4_len, l4 = m->l4_off;
	__u8 *ip, *icmp, *o;
	int i;

	if (!(m->flags & FP_META_F_L4) || m->l4_proto != FP_IPPROTO_ICMPV6)
		return 0;
	icmp = fp_pkt_ptr(data, data_end, l4, sizeof(struct fp_icmp6_hdr));
	ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
	if (!icmp || !ip || icmp[0] != FP_ICMP6_NS)
		return 0;
	if (icmp[1] != 0 || ip[7] != 255 || end < 24)
		return -1;
	icmp = fp_pkt_ptr(data, data_end, l4, 24);
	if (!icmp || icmp[8] == 0xff)
		return -1;
	off = 24;
	for (i = 0; i < FP_ND_OPT_MAX; i++) {
		if (off >= end)
			break;
		if (off + 2 > end)
			return -1;
		o = fp_pkt_ptr(data, data_end, l4 + off, 2);
		if (!o || o[1] == 0 || off + o[1] * 8U > end)
			return -1;
		off += o[1] * 8U;
	}
	if (off < end)
		return -1; /* more options than a frame of FP_FRAME_MAX holds */
	if (fp_ip6_is_zero(ip + 8))
		return 0; /* DAD probe: let the owner answer, never us */
	fp_ip6_copy(target, icmp + 8);
	return 1;
}

/**
 * Write the solicited neighbour advertisement over a solicitation whose
 * frame the caller has resized to l3_off + FP_ND_NA_L3_LEN bytes.
 *
 * @param l3_off offset of the IPv6 header (VLAN tags and ethertype stay)
 * @param mac    the target's MAC
 * @param target the solicitation's target (the advertisement's source)
 * @param dst    the solicitation's source (the advertisement's destination)
 * @return 0, or -1 if the frame is too short
 */
static __always_inline int
fp_nd_na_write(void *data, void *data_end, __u32 l3_off, const __u8 *mac, const __u8 *target,
	       const __u8 *dst)
{
	__u8 *f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	__u8 *ip = fp_pkt_ptr(data, data_end, l3_off, FP_ND_NA_L3_LEN);
	__u8 *icmp;
	__u64 s;

	if (!f || !ip)
		return -1;
	/* Ethernet addresses swap; any VLAN tags and the ethertype stay. */
	fp_mac_copy(f, f + 6);
	fp_mac_copy(f + 6, mac);
	*(__u32 *)ip = bpf_htonl(0x60000000);
	*(__u32 *)(ip + 4) = bpf_htonl((32 << 16) | (FP_IPPROTO_ICMPV6 << 8) | 255);
	fp_ip6_copy(ip + 8, target);
	fp_ip6_copy(ip + 24, dst);
	icmp = ip + sizeof(struct fp_ipv6_hdr);
	*(__u32 *)icmp = bpf_htonl(FP_ICMP6_NA << 24);
	*(__u32 *)(icmp + 4) = bpf_htonl((FP_ND_NA_F_SOLICITED | FP_ND_NA_F_OVERRIDE) << 24);
	fp_ip6_copy(icmp + 8, target);
	icmp[24] = FP_ND_OPT_TLLA;
	icmp[25] = 1;
	fp_mac_copy(icmp + 26, mac);
	s = fp_csum_ip6_pseudo(ip + 8, ip + 24, 32, FP_IPPROTO_ICMPV6);
	s += (__u64)((__u32 *)icmp)[0] + ((__u32 *)icmp)[1] + ((__u32 *)icmp)[2] +
	     ((__u32 *)icmp)[3] + ((__u32 *)icmp)[4] + ((__u32 *)icmp)[5] + ((__u32 *)icmp)[6] +
	     ((__u32 *)icmp)[7];
	*(__u16 *)(icmp + 2) = fp_csum_finish(s);
	return 0;
}

/* ICMP errors the programs send (dataplane/pkt/build.h's kinds): type
 * and code, IPv4 in the high byte pair, IPv6 in the low one.
 */
#define FP_ICMP_ERR_TOO_BIG \
	((FP_ICMP_DEST_UNREACH << 24) | (FP_ICMP_FRAG_NEEDED << 16) | (FP_ICMP6_PKT_TOO_BIG << 8))
#define FP_ICMP_ERR_TIME ((11U << 24) | (3 << 8))	/* time exceeded in transit */
#define FP_ICMP_ERR_NET_UNREACH ((3U << 24) | (1 << 8)) /* net unreachable, no route */

/**
 * May an ICMP error be sent for this frame, and how much of it does the
 * error quote?  (Not for non-IP, IPv4 without DF when need_df (too big),
 * non-first fragments, ICMP errors, or a source that cannot be a sender.)
 *
 * @param m	  the frame's metadata (Ethernet, no VLAN)
 * @param need_df the error is a fragmentation needed: IPv4 needs DF
 * @return the number of bytes of the IP packet to quote, or 0: no error
 */
static __always_inline __u32
fp_icmp_err_quote(void *data, void *data_end, const struct fp_pkt_meta *m, int need_df)
{
	__u8 *ip, *l4;
	__u32 n = m->l3_len;

	if (m->flags & FP_META_F_LATER_FRAG)
		return 0;
	if (m->flags & FP_META_F_L4) {
		l4 = fp_pkt_ptr(data, data_end, m->l4_off, 1);
		if (!l4)
			return 0;
		if (m->l4_proto == FP_IPPROTO_ICMP && l4[0] != FP_ICMP_ECHO_REQUEST &&
		    l4[0] != FP_ICMP_ECHO_REPLY)
			return 0;
		if (m->l4_proto == FP_IPPROTO_ICMPV6 && l4[0] < 128)
			return 0;
	}
	if (m->ethertype == FP_ETH_P_IPV4) {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
		if (!ip || (need_df && !(m->flags & FP_META_F_DF)) || ip[12] >= 224 || ip[12] == 0)
			return 0;
		return n > FP_ICMP4_ERR_MAX - FP_ICMP4_ERR_HDR ?
			       FP_ICMP4_ERR_MAX - FP_ICMP4_ERR_HDR :
			       n;
	}
	if (m->ethertype == FP_ETH_P_IPV6) {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
		if (!ip || ip[8] == 0xff || fp_ip6_is_zero(ip + 8))
			return 0;
		return n > FP_ICMP6_ERR_MAX - FP_ICMP6_ERR_HDR ?
			       FP_ICMP6_ERR_MAX - FP_ICMP6_ERR_HDR :
			       n;
	}
	return 0;
}

/**
 * May a too-big error be sent for this frame, and how much of it does the
 * error quote?  fp_icmp_err_quote() of a fragmentation needed.
 */
static __always_inline __u32
fp_icmp_too_big_quote(void *data, void *data_end, const struct fp_pkt_meta *m)
{
	return fp_icmp_err_quote(data, data_end, m, 1);
}

/**
 * Write the headers of an ICMP error in front of the quoted packet.  The
 * caller has moved the frame's start FP_ICMP4_ERR_HDR (IPv4) or
 * FP_ICMP6_ERR_HDR (IPv6) bytes earlier, so that the original IP packet
 * sits right after the new ICMP header, and cut the frame after the quote;
 * it completes the ICMP checksum with fp_icmp_err_csum().
 *
 * @param ipv6	  the original packet is IPv6
 * @param orig_eth the original Ethernet addresses (dst, src: 12 bytes)
 * @param kind	  FP_ICMP_ERR_*: type and code
 * @param mtu	  FP_ICMP_ERR_TOO_BIG: the largest IP packet that fits, else 0
 * @param n	  bytes quoted
 * @param src	  the error's source address (a struct fp_ip, IPv4-mapped
 *		  for IPv4), or NULL: the original packet's destination
 * @return 0, or -1 if the frame is too short
 */
static __always_inline int
fp_icmp_err_write(void *data, void *data_end, int ipv6, const __u8 *orig_eth, __u32 kind, __u16 mtu,
		  __u32 n, const __u8 *src)
{
	__u8 *f, *ip, *icmp, *oip;

	if (!ipv6) {
		f = fp_pkt_ptr(data, data_end, 0,
			       FP_ETH_HLEN + FP_ICMP4_ERR_HDR + sizeof(struct fp_ipv4_hdr));
		if (!f)
			return -1;
		ip = f + FP_ETH_HLEN;
		icmp = ip + sizeof(struct fp_ipv4_hdr);
		oip = icmp + sizeof(struct fp_icmp_hdr);
		fp_st16(f + 12, FP_ETH_P_IPV4);
		*(__u32 *)ip = bpf_htonl(0x45000000 | (FP_ICMP4_ERR_HDR + n));
		*(__u32 *)(ip + 4) = 0;
		*(__u32 *)(ip + 8) = bpf_htonl((FP_OUTER_TTL << 24) | (FP_IPPROTO_ICMP << 16));
		*(__u32 *)(ip + 12) = src ? *(const __u32 *)(src + 12) : *(__u32 *)(oip + 16);
		*(__u32 *)(ip + 16) = *(__u32 *)(oip + 12);
		*(__u16 *)(ip + 10) = fp_csum_finish(fp_csum_ip4_hdr(ip));
		*(__u32 *)icmp = bpf_htonl(kind & 0xffff0000U);
	} else {
		f = fp_pkt_ptr(data, data_end, 0,
			       FP_ETH_HLEN + FP_ICMP6_ERR_HDR + sizeof(struct fp_ipv6_hdr));
		if (!f)
			return -1;
		ip = f + FP_ETH_HLEN;
		icmp = ip + sizeof(struct fp_ipv6_hdr);
		oip = icmp + sizeof(struct fp_icmp6_hdr);
		fp_st16(f + 12, FP_ETH_P_IPV6);
		*(__u32 *)ip = bpf_htonl(0x60000000);
		*(__u32 *)(ip + 4) = bpf_htonl(((8 + n) << 16) | (FP_IPPROTO_ICMPV6 << 8) |
					       FP_OUTER_TTL);
		fp_ip6_copy(ip + 8, src ? src : oip + 24);
		fp_ip6_copy(ip + 24, oip + 8);
		*(__u32 *)icmp = bpf_htonl((kind & 0xffff) << 16);
	}
	*(__u32 *)(icmp + 4) = bpf_htonl(mtu);
	fp_mac_copy(f, orig_eth + 6);
	fp_mac_copy(f + 6, orig_eth);
	return 0;
}

/**
 * Write the headers of a too-big error in front of the quoted packet:
 * fp_icmp_err_write() of FP_ICMP_ERR_TOO_BIG from the original packet's
 * destination.
 */
static __always_inline int
fp_icmp_too_big_write(void *data, void *data_end, int ipv6, const __u8 *orig_eth, __u16 mtu,
		      __u32 n)
{
	return fp_icmp_err_write(data, data_end, ipv6, orig_eth, FP_ICMP_ERR_TOO_BIG, mtu, n, NULL);
}

/**
 * Complete the ICMP checksum of an error fp_icmp_err_write() wrote.
 *
 * @param ipv6 the error is ICMPv6
 * @param sum  sum of the ICMP message from its header to the end of the
 *	       frame (checksum field zero), from fp_csum_to_end()
 */
static __always_inline void
fp_icmp_err_csum(void *data, void *data_end, int ipv6, __u32 sum)
{
	__u8 *f;

	if (!ipv6) {
		f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN + FP_ICMP4_ERR_HDR);
		if (f)
			*(__u16 *)(f + 36) = fp_csum_finish(sum);
		return;
	}
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN + FP_ICMP6_ERR_HDR);
	if (f)
		*(__u16 *)(f + 56) = fp_csum_finish(
			(__u64)sum +
			fp_csum_ip6_pseudo(f + 22, f + 38, fp_ld16(f + 18), FP_IPPROTO_ICMPV6));
}

#endif /* FP_BUILD_BPF_H */
