/* SPDX-License-Identifier: BSD-3-Clause */
/* Header builders: pure functions over byte buffers.
 *
 * Tunnel encapsulation from a per-vtep template (outer Ethernet, IPv4 or
 * IPv6, UDP, VXLAN or Geneve) and the packets the dataplane answers with
 * itself: ARP replies, IPv6 neighbour advertisements, ICMP
 * fragmentation-needed and ICMPv6 packet-too-big.  The exact bytes are the
 * packet semantics both engines share (doc/packets.md).
 */
#ifndef FP_PKT_BUILD_H
#define FP_PKT_BUILD_H

#include <stdint.h>
#include <string.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>

#include "csum.h"
#include "parse.h"

#define FP_ENCAP_HDR_V4 50 /* eth 14 + ipv4 20 + udp 8 + vxlan/geneve 8 */
#define FP_ENCAP_HDR_V6 70 /* eth 14 + ipv6 40 + udp 8 + vxlan/geneve 8 */
#define FP_ENCAP_HDR_MAX FP_ENCAP_HDR_V6
#define FP_OUTER_TTL 64
#define FP_ND_NA_L3_LEN 72    /* ipv6 40 + icmp6 8 + target 16 + tlla 8 */
#define FP_ND_NA_LEN 86	      /* an untagged advertisement: eth 14 + 72 */
#define FP_ICMP4_ERR_MAX 576  /* RFC 1812 4.3.2.3: IP length of an ICMP error */
#define FP_ICMP6_ERR_MAX 1280 /* RFC 4443 2.4(c) */

/* A vtep's precomputed outer headers. */
struct fp_encap_tmpl {
	uint8_t hdr[FP_ENCAP_HDR_MAX]; /* outer headers, lengths/csums zero */
	uint8_t len;		       /* FP_ENCAP_HDR_V4 or FP_ENCAP_HDR_V6 */
	uint8_t ipv6;		       /* outer is IPv6 */
	uint16_t max_inner_l3;	       /* largest inner IP packet that fits */
	uint32_t ip_csum;	       /* IPv4: header sum without tot_len */
	uint32_t pseudo;	       /* IPv6: pseudo-header sum without len */
};

/**
 * Precompute a vtep's outer headers.
 *
 * @param t		filled in
 * @param v		the vtep (remote, local, next-hop MAC, encap)
 * @param src_mac	the underlay port's MAC
 * @param underlay_mtu	the underlay port's L3 MTU
 * @return 0, or -EINVAL if local and remote are not the same family or
 *	   the MTU leaves no room for an inner packet
 */
int fp_encap_tmpl_init(struct fp_encap_tmpl *t, const struct fp_vtep_val *v,
		       const uint8_t src_mac[6], uint16_t underlay_mtu);

/**
 * Write the outer headers in front of an inner frame.
 *
 * @param out	    where the outer Ethernet header starts; the inner frame
 *		    must already sit at out + t->len (contiguous)
 * @param t	    the vtep's template
 * @param vni	    VNI
 * @param sport	    outer UDP source port (fp_flow_sport())
 * @param inner_len inner frame length in bytes
 */
static inline void
fp_encap_write(uint8_t *out, const struct fp_encap_tmpl *t, uint32_t vni, uint16_t sport,
	       uint32_t inner_len)
{
	uint8_t *ip = out + sizeof(struct fp_eth_hdr), *udp, *tun;
	uint32_t ulen;

	/* Constant-size copies: the compiler turns each into a few vector
	 * moves instead of a library call.
	 */
	if (!t->ipv6) {
		uint32_t tot = inner_len + FP_ENCAP_HDR_V4 - sizeof(struct fp_eth_hdr);

		memcpy(out, t->hdr, FP_ENCAP_HDR_V4);
		udp = ip + sizeof(struct fp_ipv4_hdr);
		fp_put16(ip + 2, (uint16_t)tot);
		fp_put16(ip + 10, fp_csum_fold(t->ip_csum + tot));
	} else {
		memcpy(out, t->hdr, FP_ENCAP_HDR_V6);
		udp = ip + sizeof(struct fp_ipv6_hdr);
	}
	ulen = inner_len + 2 * 8;
	tun = udp + sizeof(struct fp_udp_hdr);
	fp_put16(udp, sport);
	fp_put16(udp + 4, (uint16_t)ulen);
	fp_vni_put(tun + 4, vni);
	if (t->ipv6) {
		uint16_t c;

		fp_put16(ip + 4, (uint16_t)ulen);
		c = fp_csum_fold(fp_csum_partial(udp, ulen, t->pseudo + ulen));
		/* RFC 8200 8.1: a computed zero is sent as all ones. */
		fp_put16(udp + 6, c ? c : 0xffff);
	}
}

/**
 * Turn a parsed ARP request into the reply for its target, in place.
 *
 * @param f   frame (Ethernet, no VLAN)
 * @param m   metadata: ethertype ARP, l3_off
 * @param mac the target's MAC
 */
void fp_arp_reply_build(uint8_t *f, const struct fp_pkt_meta *m, const uint8_t mac[6]);

/**
 * Check that a frame is an ARP request for Ethernet/IPv4.
 *
 * @return 1 if it is a well-formed request, 0 if it is another well-formed
 *	   ARP packet, -1 if it is malformed (hrd/pro/hln/pln)
 */
int fp_arp_is_request(const uint8_t *f, const struct fp_pkt_meta *m);

/**
 * Find the target of an IPv6 neighbour solicitation.
 *
 * @param f	 frame
 * @param m	 metadata with l4_proto ICMPv6
 * @param target set to the target address inside f
 * @return 1 if f is a valid NS that may be answered (hop limit 255, code 0,
 *	   length >= 24, source not ::, well-formed options), 0 if it is
 *	   another ICMPv6 message or a DAD probe, -1 if it is a malformed NS
 */
int fp_nd_ns_parse(const uint8_t *f, const struct fp_pkt_meta *m, const uint8_t **target);

/**
 * Rewrite a neighbour solicitation into the solicited advertisement.
 *
 * @param f	 frame; at least m->l3_off + FP_ND_NA_L3_LEN bytes of room
 * @param m	 the NS's metadata (VLAN tags and ethertype are kept)
 * @param mac	 the target's MAC
 * @return the new frame length, m->l3_off + FP_ND_NA_L3_LEN
 */
uint32_t fp_nd_na_build(uint8_t *f, const struct fp_pkt_meta *m, const uint8_t mac[6]);

/**
 * Build the ICMP error telling a sender its packet is too big for the
 * tunnel: fragmentation-needed (IPv4 with DF) or packet-too-big (IPv6).
 *
 * @param out  buffer for the new frame
 * @param cap  its size (FP_ICMP6_ERR_MAX + 14 is always enough)
 * @param orig the offending frame (Ethernet, no VLAN)
 * @param m    its metadata
 * @param mtu  the largest inner IP packet that fits
 * @return the new frame's length, or 0 when no error may be sent (not IP,
 *	   IPv4 without DF, a non-first fragment, an ICMP error, a multicast
 *	   or unspecified source)
 */
uint32_t fp_icmp_too_big_build(uint8_t *out, uint32_t cap, const uint8_t *orig,
			       const struct fp_pkt_meta *m, uint16_t mtu);

/* ICMP errors fp_icmp_error_build() sends. */
#define FP_ICMP_ERR_TOO_BIG 0	  /* fragmentation needed (v4, DF only) / packet too big (v6) */
#define FP_ICMP_ERR_TIME 1	  /* time exceeded in transit (v4 11/0, v6 3/0) */
#define FP_ICMP_ERR_NET_UNREACH 2 /* net unreachable (v4 3/0), no route (v6 1/0) */
#define FP_ICMP_ERR_MAX 3

/**
 * Build an ICMP error about a packet back to its sender (the frame's
 * source MAC; the new frame's source MAC is the frame's destination).
 *
 * @param out  buffer for the new frame
 * @param cap  its size (FP_ICMP6_ERR_MAX + 14 is always enough)
 * @param orig the offending frame (Ethernet, no VLAN)
 * @param m    its metadata
 * @param kind FP_ICMP_ERR_*
 * @param mtu  FP_ICMP_ERR_TOO_BIG: the largest IP packet that fits
 * @param src  the error's source address (IPv4-mapped for IPv4), or NULL:
 *	       the packet's destination
 * @return the new frame's length, or 0 when no error may be sent (not IP,
 *	   too big IPv4 without DF, a non-first fragment, an ICMP error, a
 *	   multicast or unspecified source)
 */
uint32_t fp_icmp_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig,
			     const struct fp_pkt_meta *m, unsigned int kind, uint16_t mtu,
			     const struct fp_ip *src);

#endif /* FP_PKT_BUILD_H */
