/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet parsing: pure functions over a byte range.
 *
 * fp_parse_frame() walks Ethernet, up to FP_MAX_VLAN 802.1Q/802.1ad tags,
 * ARP, IPv4 (with options), IPv6 (with extension headers), and the first
 * bytes of UDP, TCP, ICMP and ICMPv6, with a bounds-checked cursor.  It
 * fills struct fp_pkt_meta with offsets from the start of the frame and
 * returns FP_PARSE_OK, or the FP_DROP_* reason of the first problem found.
 * fp_parse_tunnel() validates a VXLAN or Geneve header after the UDP
 * header of an already parsed underlay frame.
 *
 * No DPDK, no allocation, no globals: safe to fuzz and to run anywhere.
 */
#ifndef FP_PKT_PARSE_H
#define FP_PKT_PARSE_H

#include <stdint.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>

/* Returned by the parse functions when the packet is fine. */
#define FP_PARSE_OK FP_DROP_MAX

/* fp_parse_frame() flags. */
#define FP_PARSE_F_IP_CSUM 0x1 /* verify the IPv4 header checksum */

/* fp_pkt_meta.flags */
#define FP_META_F_FRAG 0x01	  /* IP fragment: no L4 header parsed */
#define FP_META_F_LATER_FRAG 0x02 /* fragment with a non-zero offset */
#define FP_META_F_DF 0x04	  /* IPv4 don't-fragment bit set */
#define FP_META_F_L4 0x08	  /* l4_off points at a parsed L4 header */

struct fp_pkt_meta {
	uint16_t l3_off;    /* offset of ARP/IP header (after VLAN tags) */
	uint16_t l4_off;    /* offset of the L4 header (FP_META_F_L4) */
	uint16_t ethertype; /* host order, after VLAN tags */
	uint16_t l3_len;    /* IP total length per its header (0 if not IP) */
	uint16_t vlan_tci;  /* outermost tag, host order (n_vlans > 0) */
	uint16_t sport;	    /* TCP/UDP source port, host order, else 0 */
	uint16_t dport;	    /* TCP/UDP destination port, host order, else 0 */
	uint16_t l4_len;    /* bytes from l4_off to the end of the IP packet */
	uint8_t n_vlans;    /* VLAN tags found */
	uint8_t l4_proto;   /* IP protocol of l4_off's header */
	uint8_t flags;	    /* FP_META_F_* */
	uint8_t pad;	    /* zero */
};

/* What fp_parse_tunnel() found. */
struct fp_tunnel_meta {
	uint32_t vni;	    /* VNI from the VXLAN/Geneve header */
	uint16_t inner_off; /* offset of the inner Ethernet header */
	uint16_t encap;	    /* FP_ENCAP_VXLAN or FP_ENCAP_GENEVE */
};

/**
 * Parse a frame's headers.
 *
 * @param data  first byte of the Ethernet header
 * @param len   bytes available
 * @param flags FP_PARSE_F_*
 * @param m     filled in (zeroed first)
 * @return FP_PARSE_OK, or the FP_DROP_* reason
 */
unsigned int fp_parse_frame(const uint8_t *data, uint32_t len, unsigned int flags,
			    struct fp_pkt_meta *m);

/**
 * Validate the tunnel header after a parsed UDP header on port 4789
 * (VXLAN) or 6081 (Geneve).
 *
 * @param data first byte of the frame
 * @param len  bytes available
 * @param m    the frame's metadata, from fp_parse_frame()
 * @param t    filled in
 * @return FP_PARSE_OK, or FP_DROP_UNDERLAY_NOT_TUNNEL, FP_DROP_TRUNC_TUNNEL,
 *	   FP_DROP_BAD_VXLAN_FLAGS, FP_DROP_BAD_GENEVE, FP_DROP_GENEVE_OAM,
 *	   FP_DROP_GENEVE_PROTO, FP_DROP_GENEVE_CRIT_OPT, FP_DROP_TRUNC_L2
 */
unsigned int fp_parse_tunnel(const uint8_t *data, uint32_t len, const struct fp_pkt_meta *m,
			     struct fp_tunnel_meta *t);

#endif /* FP_PKT_PARSE_H */
