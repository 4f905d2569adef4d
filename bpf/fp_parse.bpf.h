/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet parsing for flowplane's BPF programs: the rules of doc/packets.md
 * "Parsing", with the same drop reasons as dataplane/pkt/parse.c, over a
 * (data, data_end) pair.
 *
 * fp_parse_frame() walks Ethernet, up to FP_MAX_VLAN tags, ARP, IPv4 (with
 * options), IPv6 (with up to FP_MAX_IPV6_EXT extension headers) and the
 * first bytes of UDP, TCP, ICMP and ICMPv6, and fills struct
 * fp_pkt_meta; fp_parse_tunnel() validates the VXLAN or Geneve header of
 * a parsed underlay frame.  Both return FP_PARSE_OK or the FP_DROP_*
 * reason of the first problem.
 *
 * Each length check is made twice: once on the scalar offsets the spec
 * talks about (the IP packet's end, the UDP datagram's end), which decides
 * the drop reason, and once on the packet pointers, which proves the
 * access to the verifier (and can only fail where the first one did).
 */
#ifndef FP_PARSE_BPF_H
#define FP_PARSE_BPF_H

#include <flowplane/tables.h>

#include "fp_csum.bpf.h"
#include "fp_pkt.bpf.h"

/* Returned by the parse functions when the packet is fine. */
#define FP_PARSE_OK FP_DROP_MAX

/* fp_parse_frame() flags. */
#define FP_PARSE_F_IP_CSUM 0x1 /* verify the IPv4 header checksum */

/* fp_pkt_meta.flags */
#define FP_META_F_FRAG 0x01	  /* IP fragment: no L4 header parsed */
#define FP_META_F_LATER_FRAG 0x02 /* fragment with a non-zero offset */
#define FP_META_F_DF 0x04	  /* IPv4 don't-fragment bit set */
#define FP_META_F_L4 0x08	  /* l4_off points at a parsed L4 header */

#define FP_GENEVE_OPT_MAX 63 /* options in 63 words of option space */

/* What fp_parse_frame() found; offsets from the start of the frame. */
struct fp_pkt_meta {
	__u16 l3_off;	 /* offset of ARP/IP header (after VLAN tags) */
	__u16 l4_off;	 /* offset of the L4 header (FP_META_F_L4) */
	__u16 ethertype; /* host order, after VLAN tags */
	__u16 l3_len;	 /* IP total length per its header (0 if not IP) */
	__u16 vlan_tci;	 /* outermost tag, host order (n_vlans > 0) */
	__u16 sport;	 /* TCP/UDP source port, host order, else 0 */
	__u16 dport;	 /* TCP/UDP destination port, host order, else 0 */
	__u16 l4_len;	 /* bytes from l4_off to the end of the IP packet */
	__u8 n_vlans;	 /* VLAN tags found */
	__u8 l4_proto;	 /* IP protocol of l4_off's header */
	__u8 flags;	 /* FP_META_F_* */
	__u8 pad;	 /* zero */
};

/* What fp_parse_tunnel() found. */
struct fp_tunnel_meta {
	__u32 vni;	 /* VNI from the VXLAN/Geneve header */
	__u16 inner_off; /* offset of the inner Ethernet header */
	__u16 encap;	 /* FP_ENCAP_VXLAN or FP_ENCAP_GENEVE */
	__u16 udp_end;	 /* offset of the end of the UDP datagram */
	__u16 pad;	 /* zero */
};

/* The L4 header at m->l4_off of an IP packet ending at end. */
static __always_inline __u32
fp_parse_l4(void *data, void *data_end, __u32 end, struct fp_pkt_meta *m)
{
	__u32 off = m->l4_off;
	__u8 *p;

	m->l4_len = (__u16)(end - off);
	switch (m->l4_proto) {
	case FP_IPPROTO_UDP: {
		__u16 ulen;

		if (off + sizeof(struct fp_udp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		p = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_udp_hdr));
		if (!p)
			return FP_DROP_TRUNC_L4;
		ulen = fp_ld16(p + 4);
		if (ulen < sizeof(struct fp_udp_hdr) || ulen > end - off)
			return FP_DROP_BAD_UDP_LEN;
		m->sport = fp_ld16(p);
		m->dport = fp_ld16(p + 2);
		break;
	}
	case FP_IPPROTO_TCP: {
		__u32 hlen;

		if (off + sizeof(struct fp_tcp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		p = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_tcp_hdr));
		if (!p)
			return FP_DROP_TRUNC_L4;
		hlen = (__u32)(p[12] >> 4) * 4;
		if (hlen < sizeof(struct fp_tcp_hdr) || off + hlen > end)
			return FP_DROP_BAD_TCP_HDR_LEN;
		m->sport = fp_ld16(p);
		m->dport = fp_ld16(p + 2);
		break;
	}
	case FP_IPPROTO_ICMP:
	case FP_IPPROTO_ICMPV6:
		/* Both headers are 8 bytes. */
		if (off + sizeof(struct fp_icmp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		break;
	default:
		/* Other protocols are carried, not parsed. */
		return FP_PARSE_OK;
	}
	m->flags |= FP_META_F_L4;
	return FP_PARSE_OK;
}

/* Sum of the IPv4 header's option words (hlen > 20) at ip. */
static __always_inline __u64
fp_ip4_opt_sum(void *data_end, __u8 *ip, __u32 hlen)
{
	__u64 s = 0;
	__u32 i;

	for (i = sizeof(struct fp_ipv4_hdr); i < 60; i += 4) {
		if (i >= hlen || (void *)(ip + i + 4) > data_end)
			break;
		s += *(const __u32 *)(ip + i);
	}
	return s;
}

static __always_inline __u32
fp_parse_ipv4(void *data, void *data_end, __u32 flags, struct fp_pkt_meta *m)
{
	__u32 off = m->l3_off, hlen, tot;
	__u16 frag;
	__u8 *ip;

	ip = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_ipv4_hdr));
	if (!ip)
		return FP_DROP_TRUNC_L3;
	if ((ip[0] >> 4) != 4)
		return FP_DROP_BAD_IP_VERSION;
	hlen = (__u32)(ip[0] & 0xf) * 4;
	if (hlen < sizeof(struct fp_ipv4_hdr))
		return FP_DROP_BAD_IP_HDR_LEN;
	if (fp_pkt_short(data, data_end, off + hlen))
		return FP_DROP_TRUNC_L3;
	tot = fp_ld16(ip + 2);
	if (tot < hlen || fp_pkt_short(data, data_end, off + tot))
		return FP_DROP_BAD_IP_LEN;
	if (flags & FP_PARSE_F_IP_CSUM) {
		__u64 s = fp_csum_ip4_hdr(ip);

		if (hlen > sizeof(struct fp_ipv4_hdr))
			s += fp_ip4_opt_sum(data_end, ip, hlen);
		if (fp_csum_finish(s) != 0)
			return FP_DROP_BAD_IP_CSUM;
	}
	m->l3_len = (__u16)tot;
	frag = fp_ld16(ip + 6);
	if (frag & FP_IP_DF)
		m->flags |= FP_META_F_DF;
	m->l4_proto = ip[9];
	m->l4_off = (__u16)(off + hlen);
	if (frag & (FP_IP_MF | FP_IP_OFFMASK)) {
		m->flags |= FP_META_F_FRAG;
		if (frag & FP_IP_OFFMASK)
			m->flags |= FP_META_F_LATER_FRAG;
		m->l4_len = (__u16)(tot - hlen);
		return FP_PARSE_OK;
	}
	return fp_parse_l4(data, data_end, off + tot, m);
}

static __always_inline __u32
fp_parse_ipv6(void *data, void *data_end, struct fp_pkt_meta *m)
{
	__u32 off = m->l3_off, end, cur;
	__u8 *ip, *e, nh;
	int i;

	ip = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_ipv6_hdr));
	if (!ip)
		return FP_DROP_TRUNC_L3;
	if ((ip[0] >> 4) != 6)
		return FP_DROP_BAD_IP_VERSION;
	end = off + sizeof(struct fp_ipv6_hdr) + fp_ld16(ip + 4);
	if (fp_pkt_short(data, data_end, end))
		return FP_DROP_BAD_IP_LEN;
	m->l3_len = (__u16)(end - off);
	nh = ip[6];
	cur = off + sizeof(struct fp_ipv6_hdr);
	for (i = 0; i < FP_MAX_IPV6_EXT; i++) {
		if (nh == FP_IPPROTO_HOPOPTS || nh == FP_IPPROTO_ROUTING ||
		    nh == FP_IPPROTO_DSTOPTS) {
			__u32 elen;

			if (cur + 8 > end)
				return FP_DROP_TRUNC_L3;
			e = fp_pkt_ptr(data, data_end, cur, 8);
			if (!e)
				return FP_DROP_TRUNC_L3;
			elen = ((__u32)e[1] + 1) * 8;
			if (cur + elen > end)
				return FP_DROP_TRUNC_L3;
			nh = e[0];
			cur += elen;
		} else if (nh == FP_IPPROTO_FRAGMENT) {
			__u16 fo;

			if (cur + sizeof(struct fp_ipv6_frag_hdr) > end)
				return FP_DROP_TRUNC_L3;
			e = fp_pkt_ptr(data, data_end, cur, sizeof(struct fp_ipv6_frag_hdr));
			if (!e)
				return FP_DROP_TRUNC_L3;
			fo = fp_ld16(e + 2);
			nh = e[0];
			cur += sizeof(struct fp_ipv6_frag_hdr);
			if (fo & 0xfff9) {
				m->flags |= FP_META_F_FRAG;
				if (fo & 0xfff8)
					m->flags |= FP_META_F_LATER_FRAG;
			}
		} else {
			break;
		}
	}
	m->l4_proto = nh;
	m->l4_off = (__u16)cur;
	if (m->flags & FP_META_F_FRAG) {
		/* Even a first fragment's L4 length covers the whole
		 * datagram: fragments are carried, not parsed (as IPv4).
		 */
		m->l4_len = (__u16)(end - cur);
		return FP_PARSE_OK;
	}
	return fp_parse_l4(data, data_end, end, m);
}

/**
 * Parse a frame's headers.
 *
 * @param data     first byte of the Ethernet header
 * @param data_end end of the frame
 * @param flags    FP_PARSE_F_*
 * @param m        filled in (zeroed first)
 * @return FP_PARSE_OK, or the FP_DROP_* reason
 */
static __always_inline __u32
fp_parse_frame(void *data, void *data_end, __u32 flags, struct fp_pkt_meta *m)
{
	__u32 off = FP_ETH_HLEN;
	__u16 type;
	__u8 *p;
	int i;

	__builtin_memset(m, 0, sizeof(*m));
	p = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!p)
		return FP_DROP_TRUNC_L2;
	type = fp_ld16(p + 12);
	for (i = 0; i <= FP_MAX_VLAN; i++) {
		if (type != FP_ETH_P_8021Q && type != FP_ETH_P_8021AD)
			break;
		if (i == FP_MAX_VLAN)
			return FP_DROP_TOO_MANY_VLANS;
		p = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_vlan_hdr));
		if (!p)
			return FP_DROP_TRUNC_VLAN;
		if (i == 0)
			m->vlan_tci = fp_ld16(p);
		type = fp_ld16(p + 2);
		off += sizeof(struct fp_vlan_hdr);
		m->n_vlans++;
	}
	m->ethertype = type;
	m->l3_off = (__u16)off;
	switch (type) {
	case FP_ETH_P_IPV4:
		return fp_parse_ipv4(data, data_end, flags, m);
	case FP_ETH_P_IPV6:
		return fp_parse_ipv6(data, data_end, m);
	case FP_ETH_P_ARP:
		if (fp_pkt_short(data, data_end, off + sizeof(struct fp_arp_hdr)))
			return FP_DROP_TRUNC_L3;
		return FP_PARSE_OK;
	default:
		return FP_PARSE_OK;
	}
}

static __always_inline __u32
fp_parse_geneve(void *data, void *data_end, __u32 end, __u32 off, struct fp_tunnel_meta *t)
{
	__u32 opt, opt_end;
	__u8 *g, *o;
	int i;

	if (off + sizeof(struct fp_geneve_hdr) > end)
		return FP_DROP_TRUNC_TUNNEL;
	g = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_geneve_hdr));
	if (!g)
		return FP_DROP_TRUNC_TUNNEL;
	if (g[0] & FP_GENEVE_VER_MASK)
		return FP_DROP_BAD_GENEVE;
	if (g[1] & FP_GENEVE_F_OAM)
		return FP_DROP_GENEVE_OAM;
	if (fp_ld16(g + 2) != FP_ETH_P_TEB)
		return FP_DROP_GENEVE_PROTO;
	t->vni = ((__u32)g[4] << 16) | ((__u32)g[5] << 8) | g[6];
	opt = off + sizeof(struct fp_geneve_hdr);
	opt_end = opt + (__u32)(g[0] & FP_GENEVE_OPTLEN_MASK) * 4;
	if (opt_end > end)
		return FP_DROP_TRUNC_TUNNEL;
	/* Walk the options: each must fit exactly; critical ones are not
	 * understood here, so the packet must be dropped (RFC 8926 3.5.1).
	 */
	for (i = 0; i < FP_GENEVE_OPT_MAX; i++) {
		__u32 olen;

		if (opt >= opt_end)
			break;
		if (opt + sizeof(struct fp_geneve_opt) > opt_end)
			return FP_DROP_BAD_GENEVE;
		o = fp_pkt_ptr(data, data_end, opt, sizeof(struct fp_geneve_opt));
		if (!o)
			return FP_DROP_BAD_GENEVE;
		olen = sizeof(struct fp_geneve_opt) + (__u32)(o[3] & 0x1f) * 4;
		if (opt + olen > opt_end)
			return FP_DROP_BAD_GENEVE;
		if (o[2] & FP_GENEVE_OPT_F_CRIT)
			return FP_DROP_GENEVE_CRIT_OPT;
		opt += olen;
	}
	t->inner_off = (__u16)opt_end;
	t->encap = FP_ENCAP_GENEVE;
	return FP_PARSE_OK;
}

/**
 * Validate the tunnel header after a parsed UDP header on port 4789
 * (VXLAN) or 6081 (Geneve).
 *
 * @param data     first byte of the frame
 * @param data_end end of the frame
 * @param m        the frame's metadata, from fp_parse_frame()
 * @param t        filled in (zeroed first)
 * @return FP_PARSE_OK, or FP_DROP_UNDERLAY_NOT_TUNNEL, FP_DROP_BAD_UDP_LEN,
 *	   FP_DROP_TRUNC_TUNNEL, FP_DROP_BAD_VXLAN_FLAGS, FP_DROP_BAD_GENEVE,
 *	   FP_DROP_GENEVE_OAM, FP_DROP_GENEVE_PROTO, FP_DROP_GENEVE_CRIT_OPT,
 *	   FP_DROP_TRUNC_L2
 */
static __always_inline __u32
fp_parse_tunnel(void *data, void *data_end, const struct fp_pkt_meta *m, struct fp_tunnel_meta *t)
{
	__u32 off = (__u32)m->l4_off + sizeof(struct fp_udp_hdr), end, r;
	__u8 *u, *v;

	__builtin_memset(t, 0, sizeof(*t));
	if (!(m->flags & FP_META_F_L4) || m->l4_proto != FP_IPPROTO_UDP)
		return FP_DROP_UNDERLAY_NOT_TUNNEL;
	u = fp_pkt_ptr(data, data_end, m->l4_off, sizeof(struct fp_udp_hdr));
	if (!u)
		return FP_DROP_TRUNC_L4;
	/* The tunnel payload ends where the UDP datagram ends. */
	end = (__u32)m->l4_off + fp_ld16(u + 4);
	if (fp_pkt_short(data, data_end, end))
		return FP_DROP_BAD_UDP_LEN;
	t->udp_end = (__u16)end;
	if (m->dport == FP_VXLAN_PORT) {
		if (off + sizeof(struct fp_vxlan_hdr) > end)
			return FP_DROP_TRUNC_TUNNEL;
		v = fp_pkt_ptr(data, data_end, off, sizeof(struct fp_vxlan_hdr));
		if (!v)
			return FP_DROP_TRUNC_TUNNEL;
		/* RFC 7348: the I flag must be set; reserved bits are
		 * ignored on receipt.
		 */
		if (!(v[0] & FP_VXLAN_F_I))
			return FP_DROP_BAD_VXLAN_FLAGS;
		t->vni = ((__u32)v[4] << 16) | ((__u32)v[5] << 8) | v[6];
		t->inner_off = (__u16)(off + sizeof(struct fp_vxlan_hdr));
		t->encap = FP_ENCAP_VXLAN;
	} else if (m->dport == FP_GENEVE_PORT) {
		r = fp_parse_geneve(data, data_end, end, off, t);
		if (r != FP_PARSE_OK)
			return r;
	} else {
		return FP_DROP_UNDERLAY_NOT_TUNNEL;
	}
	if ((__u32)t->inner_off + FP_ETH_HLEN > end)
		return FP_DROP_TRUNC_L2;
	return FP_PARSE_OK;
}

#endif /* FP_PARSE_BPF_H */
