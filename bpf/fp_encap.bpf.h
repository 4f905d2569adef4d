/* SPDX-License-Identifier: BSD-3-Clause */
/* Tunnel encapsulation for flowplane's BPF programs: the outer Ethernet,
 * IPv4 or IPv6, UDP and VXLAN or Geneve headers of doc/packets.md
 * "Encapsulation", byte for byte what dataplane/pkt/build.c's template
 * writes.  The caller makes room in front of the inner frame (XDP:
 * bpf_xdp_adjust_head(), tc: bpf_skb_adjust_room()/bpf_skb_change_head())
 * and then writes the headers over a (data, data_end) pair; over IPv6 it
 * completes the UDP checksum with fp_encap_udp6_csum() from the sum of
 * the UDP datagram (fp_csum_to_end()).
 */
#ifndef FP_ENCAP_BPF_H
#define FP_ENCAP_BPF_H

#include <flowplane/tables.h>

#include "fp_csum.bpf.h"
#include "fp_pkt.bpf.h"

#define FP_ENCAP_HDR_V4 50 /* eth 14 + ipv4 20 + udp 8 + vxlan/geneve 8 */
#define FP_ENCAP_HDR_V6 70 /* eth 14 + ipv6 40 + udp 8 + vxlan/geneve 8 */
#define FP_ENCAP_UDP_V4 34 /* offset of the outer UDP header over IPv4 */
#define FP_ENCAP_UDP_V6 54 /* offset of the outer UDP header over IPv6 */

/* Outer header length for a vtep: 0 if local and remote are not of one
 * family (fp-dpdk refuses such a vtep at commit).
 */
static __always_inline __u32
fp_encap_hdr_len(const struct fp_vtep_val *v)
{
	int v4 = fp_ip_is_v4(v->remote.b);

	if (v4 != fp_ip_is_v4(v->local.b))
		return 0;
	return v4 ? FP_ENCAP_HDR_V4 : FP_ENCAP_HDR_V6;
}

/**
 * Write the outer headers in front of an inner frame.
 *
 * @param data	    where the outer Ethernet header starts; the inner frame
 *		    follows at data + fp_encap_hdr_len(v)
 * @param data_end  end of the frame
 * @param v	    the vtep (remote, local, next-hop MAC, encap)
 * @param src_mac   the underlay port's MAC
 * @param vni	    VNI
 * @param sport	    outer UDP source port (fp_flow_sport())
 * @param inner_len inner frame length in bytes
 * @return 0, or -1 if the headers do not fit (nothing written)
 */
static __always_inline int
fp_encap_write(void *data, void *data_end, const struct fp_vtep_val *v, const __u8 *src_mac,
	       __u32 vni, __u16 sport, __u32 inner_len)
{
	__u32 ulen = inner_len + 2 * 8;
	__u8 *h, *ip, *udp, *tun;

	if (fp_ip_is_v4(v->remote.b)) {
		h = fp_pkt_ptr(data, data_end, 0, FP_ENCAP_HDR_V4);
		if (!h)
			return -1;
		ip = h + FP_ETH_HLEN;
		fp_st16(h + 12, FP_ETH_P_IPV4);
		*(__u32 *)ip = bpf_htonl(0x45000000 | (inner_len + FP_ENCAP_HDR_V4 - FP_ETH_HLEN));
		*(__u32 *)(ip + 4) = bpf_htonl(FP_IP_DF);
		*(__u32 *)(ip + 8) = bpf_htonl((FP_OUTER_TTL << 24) | (FP_IPPROTO_UDP << 16));
		*(__u32 *)(ip + 12) = *(const __u32 *)(v->local.b + 12);
		*(__u32 *)(ip + 16) = *(const __u32 *)(v->remote.b + 12);
		*(__u16 *)(ip + 10) = fp_csum_finish(fp_csum_ip4_hdr(ip));
		udp = ip + sizeof(struct fp_ipv4_hdr);
	} else {
		h = fp_pkt_ptr(data, data_end, 0, FP_ENCAP_HDR_V6);
		if (!h)
			return -1;
		ip = h + FP_ETH_HLEN;
		fp_st16(h + 12, FP_ETH_P_IPV6);
		*(__u32 *)ip = bpf_htonl(0x60000000);
		*(__u32 *)(ip + 4) = bpf_htonl((ulen << 16) | (FP_IPPROTO_UDP << 8) | FP_OUTER_TTL);
		fp_ip6_copy(ip + 8, v->local.b);
		fp_ip6_copy(ip + 24, v->remote.b);
		udp = ip + sizeof(struct fp_ipv6_hdr);
	}
	fp_mac_copy(h, v->nh_mac);
	fp_mac_copy(h + 6, src_mac);
	tun = udp + sizeof(struct fp_udp_hdr);
	fp_st16(udp, sport);
	fp_st16(udp + 4, (__u16)ulen);
	*(__u16 *)(udp + 6) = 0;
	if (v->encap == FP_ENCAP_VXLAN) {
		fp_st16(udp + 2, FP_VXLAN_PORT);
		*(__u32 *)tun = bpf_htonl((__u32)FP_VXLAN_F_I << 24);
	} else {
		fp_st16(udp + 2, FP_GENEVE_PORT);
		*(__u32 *)tun = bpf_htonl(FP_ETH_P_TEB);
	}
	*(__u32 *)(tun + 4) = bpf_htonl((vni & FP_VNI_MAX) << 8);
	return 0;
}

/**
 * Complete the outer UDP checksum over IPv6 (RFC 8200 8.1: a computed zero
 * is sent as all ones).
 *
 * @param data	   the outer Ethernet header, as fp_encap_write() wrote it
 * @param data_end end of the frame
 * @param sum	   sum of the UDP datagram (its checksum field zero), from
 *		   fp_csum_to_end(data, data_end, FP_ENCAP_UDP_V6, 0)
 */
static __always_inline void
fp_encap_udp6_csum(void *data, void *data_end, __u32 sum)
{
	__u8 *h = fp_pkt_ptr(data, data_end, 0, FP_ENCAP_HDR_V6);
	__u16 c;

	if (!h)
		return;
	c = fp_csum_finish((__u64)sum +
			   fp_csum_ip6_pseudo(h + 22, h + 38, fp_ld16(h + 58), FP_IPPROTO_UDP));
	*(__u16 *)(h + 60) = c ? c : 0xffff;
}

#endif /* FP_ENCAP_BPF_H */
