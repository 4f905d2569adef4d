/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane wire headers.
 *
 * The protocol headers the pipelines parse and build, as plain structs of
 * fixed-width fields in network byte order.  Every struct is naturally
 * aligned to at most 2 bytes where it can sit at an odd 2-byte offset in a
 * frame (Ethernet is 14 bytes), so 32-bit fields that may be misaligned are
 * byte arrays.  No bitfields: version/IHL, flags and VNIs are read with the
 * helpers below.  Shared by dataplane/, bpf/ and control/.
 */
#ifndef FLOWPLANE_PROTO_H
#define FLOWPLANE_PROTO_H

#include <linux/types.h>

#define FP_ETH_ALEN 6
#define FP_ETH_P_IPV4 0x0800
#define FP_ETH_P_ARP 0x0806
#define FP_ETH_P_RARP 0x8035
#define FP_ETH_P_8021Q 0x8100
#define FP_ETH_P_8021AD 0x88a8
#define FP_ETH_P_IPV6 0x86dd
#define FP_ETH_P_TEB 0x6558 /* transparent Ethernet bridging (Geneve) */

#define FP_IPPROTO_ICMP 1
#define FP_IPPROTO_TCP 6
#define FP_IPPROTO_UDP 17
#define FP_IPPROTO_ICMPV6 58
#define FP_IPPROTO_HOPOPTS 0
#define FP_IPPROTO_ROUTING 43
#define FP_IPPROTO_FRAGMENT 44
#define FP_IPPROTO_DSTOPTS 60
#define FP_IPPROTO_NONE 59

#define FP_MAX_VLAN 2	  /* 802.1ad + 802.1Q */
#define FP_MAX_IPV6_EXT 4 /* extension headers walked */

struct fp_eth_hdr {
	__u8 dst[FP_ETH_ALEN]; /* destination MAC */
	__u8 src[FP_ETH_ALEN]; /* source MAC */
	__be16 type;	       /* ethertype */
};

struct fp_vlan_hdr {
	__be16 tci;  /* PCP, DEI, VLAN id */
	__be16 type; /* inner ethertype */
};

#define FP_ARP_HRD_ETHER 1
#define FP_ARP_OP_REQUEST 1
#define FP_ARP_OP_REPLY 2

/* ARP for Ethernet and IPv4 (RFC 826). */
struct fp_arp_hdr {
	__be16 hrd;	       /* hardware type, 1 */
	__be16 pro;	       /* protocol type, 0x0800 */
	__u8 hln;	       /* 6 */
	__u8 pln;	       /* 4 */
	__be16 op;	       /* 1 request, 2 reply */
	__u8 sha[FP_ETH_ALEN]; /* sender MAC */
	__u8 spa[4];	       /* sender IPv4 */
	__u8 tha[FP_ETH_ALEN]; /* target MAC */
	__u8 tpa[4];	       /* target IPv4 */
};

#define FP_IP_DF 0x4000
#define FP_IP_MF 0x2000
#define FP_IP_OFFMASK 0x1fff

struct fp_ipv4_hdr {
	__u8 ver_ihl;	 /* version (4) << 4 | header length in words */
	__u8 tos;	 /* DSCP and ECN */
	__be16 tot_len;	 /* total length */
	__be16 id;	 /* identification */
	__be16 frag_off; /* flags and fragment offset */
	__u8 ttl;	 /* time to live */
	__u8 proto;	 /* next protocol */
	__be16 csum;	 /* header checksum */
	__u8 saddr[4];	 /* source address */
	__u8 daddr[4];	 /* destination address */
};

struct fp_ipv6_hdr {
	__u8 vtc_flow[4];   /* version 6, traffic class, flow label */
	__be16 payload_len; /* payload length */
	__u8 nexthdr;	    /* next header */
	__u8 hop_limit;	    /* hop limit */
	__u8 saddr[16];	    /* source address */
	__u8 daddr[16];	    /* destination address */
};

/* Generic IPv6 extension header (hop-by-hop, routing, destination). */
struct fp_ipv6_ext_hdr {
	__u8 nexthdr; /* next header */
	__u8 len;     /* length in 8-byte units, not counting the first 8 */
};

struct fp_ipv6_frag_hdr {
	__u8 nexthdr;	 /* next header */
	__u8 reserved;	 /* zero */
	__be16 frag_off; /* offset << 3 | M flag */
	__u8 id[4];	 /* identification */
};

struct fp_udp_hdr {
	__be16 sport; /* source port */
	__be16 dport; /* destination port */
	__be16 len;   /* header and payload length */
	__be16 csum;  /* checksum, 0 = none (IPv4 only) */
};

struct fp_tcp_hdr {
	__be16 sport;	/* source port */
	__be16 dport;	/* destination port */
	__u8 seq[4];	/* sequence number */
	__u8 ack[4];	/* acknowledgment number */
	__u8 doff_rsvd; /* data offset << 4 */
	__u8 flags;	/* CWR ECE URG ACK PSH RST SYN FIN */
	__be16 window;	/* window */
	__be16 csum;	/* checksum */
	__be16 urg_ptr; /* urgent pointer */
};

#define FP_ICMP_ECHO_REPLY 0
#define FP_ICMP_DEST_UNREACH 3
#define FP_ICMP_FRAG_NEEDED 4 /* code of DEST_UNREACH */
#define FP_ICMP_ECHO_REQUEST 8

struct fp_icmp_hdr {
	__u8 type;   /* type */
	__u8 code;   /* code */
	__be16 csum; /* checksum */
	__be16 id;   /* echo id; unused for errors */
	__be16 seq;  /* echo sequence; next-hop MTU for frag-needed */
};

#define FP_ICMP6_PKT_TOO_BIG 2
#define FP_ICMP6_ECHO_REQUEST 128
#define FP_ICMP6_ECHO_REPLY 129
#define FP_ICMP6_NS 135
#define FP_ICMP6_NA 136
#define FP_ND_OPT_SLLA 1 /* source link-layer address */
#define FP_ND_OPT_TLLA 2 /* target link-layer address */
#define FP_ND_NA_F_ROUTER 0x80
#define FP_ND_NA_F_SOLICITED 0x40
#define FP_ND_NA_F_OVERRIDE 0x20

struct fp_icmp6_hdr {
	__u8 type;    /* type */
	__u8 code;    /* code */
	__be16 csum;  /* checksum */
	__u8 data[4]; /* type-specific: MTU, NA flags, echo id/seq */
};

/* Neighbour solicitation / advertisement body after fp_icmp6_hdr. */
struct fp_nd_msg {
	__u8 target[16]; /* target address */
};

struct fp_nd_opt_lla {
	__u8 type;	       /* FP_ND_OPT_SLLA or FP_ND_OPT_TLLA */
	__u8 len;	       /* 1 (8 bytes) */
	__u8 mac[FP_ETH_ALEN]; /* link-layer address */
};

#define FP_VXLAN_F_I 0x08 /* first byte of flags: VNI valid */

/* VXLAN (RFC 7348). */
struct fp_vxlan_hdr {
	__u8 flags;    /* 0x08: I flag; other bits reserved, zero */
	__u8 rsvd1[3]; /* zero */
	__u8 vni[3];   /* VNI */
	__u8 rsvd2;    /* zero */
};

#define FP_GENEVE_VER_MASK 0xc0
#define FP_GENEVE_OPTLEN_MASK 0x3f
#define FP_GENEVE_F_OAM 0x80
#define FP_GENEVE_F_CRIT 0x40
#define FP_GENEVE_OPT_F_CRIT 0x80 /* type bit: critical option */

/* Geneve (RFC 8926). */
struct fp_geneve_hdr {
	__u8 ver_optlen; /* version (0) << 6 | option length in 4-byte words */
	__u8 flags;	 /* O (OAM) 0x80, C (critical options) 0x40 */
	__be16 proto;	 /* protocol of the payload, 0x6558 */
	__u8 vni[3];	 /* VNI */
	__u8 rsvd;	 /* zero */
};

struct fp_geneve_opt {
	__be16 opt_class; /* option class */
	__u8 type;	  /* C bit 0x80 | type */
	__u8 len;	  /* low 5 bits: option data length in 4-byte words */
};

/* Helpers that work on any target (no libc, no byte-swap builtins needed
 * beyond the compiler's).
 */
static inline __u32
fp_vni_get(const __u8 vni[3])
{
	return ((__u32)vni[0] << 16) | ((__u32)vni[1] << 8) | vni[2];
}

static inline void
fp_vni_put(__u8 vni[3], __u32 v)
{
	vni[0] = (__u8)(v >> 16);
	vni[1] = (__u8)(v >> 8);
	vni[2] = (__u8)v;
}

_Static_assert(sizeof(struct fp_eth_hdr) == 14, "eth");
_Static_assert(sizeof(struct fp_vlan_hdr) == 4, "vlan");
_Static_assert(sizeof(struct fp_arp_hdr) == 28, "arp");
_Static_assert(sizeof(struct fp_ipv4_hdr) == 20, "ipv4");
_Static_assert(sizeof(struct fp_ipv6_hdr) == 40, "ipv6");
_Static_assert(sizeof(struct fp_ipv6_frag_hdr) == 8, "ipv6 frag");
_Static_assert(sizeof(struct fp_udp_hdr) == 8, "udp");
_Static_assert(sizeof(struct fp_tcp_hdr) == 20, "tcp");
_Static_assert(sizeof(struct fp_icmp_hdr) == 8, "icmp");
_Static_assert(sizeof(struct fp_icmp6_hdr) == 8, "icmp6");
_Static_assert(sizeof(struct fp_nd_opt_lla) == 8, "nd opt");
_Static_assert(sizeof(struct fp_vxlan_hdr) == 8, "vxlan");
_Static_assert(sizeof(struct fp_geneve_hdr) == 8, "geneve");
_Static_assert(sizeof(struct fp_geneve_opt) == 4, "geneve opt");

#endif /* FLOWPLANE_PROTO_H */
