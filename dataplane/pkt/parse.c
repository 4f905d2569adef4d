/* SPDX-License-Identifier: BSD-3-Clause */
#include "parse.h"

#include <string.h>

#include "csum.h"

static inline __attribute__((always_inline)) unsigned int
parse_l4(const uint8_t *data, uint32_t end, struct fp_pkt_meta *m)
{
	uint32_t off = m->l4_off;
	const uint8_t *p = data + off;

	m->l4_len = (uint16_t)(end - off);
	switch (m->l4_proto) {
	case FP_IPPROTO_UDP: {
		uint16_t ulen;

		if (off + sizeof(struct fp_udp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		ulen = fp_get16(p + 4);
		if (ulen < sizeof(struct fp_udp_hdr) || ulen > end - off)
			return FP_DROP_BAD_UDP_LEN;
		m->sport = fp_get16(p);
		m->dport = fp_get16(p + 2);
		break;
	}
	case FP_IPPROTO_TCP: {
		uint32_t hlen;

		if (off + sizeof(struct fp_tcp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		hlen = (uint32_t)(p[12] >> 4) * 4;
		if (hlen < sizeof(struct fp_tcp_hdr) || off + hlen > end)
			return FP_DROP_BAD_TCP_HDR_LEN;
		m->sport = fp_get16(p);
		m->dport = fp_get16(p + 2);
		break;
	}
	case FP_IPPROTO_ICMP:
		if (off + sizeof(struct fp_icmp_hdr) > end)
			return FP_DROP_TRUNC_L4;
		break;
	case FP_IPPROTO_ICMPV6:
		if (off + sizeof(struct fp_icmp6_hdr) > end)
			return FP_DROP_TRUNC_L4;
		break;
	default:
		/* Other protocols are carried, not parsed. */
		return FP_PARSE_OK;
	}
	m->flags |= FP_META_F_L4;
	return FP_PARSE_OK;
}

static unsigned int
parse_ipv4(const uint8_t *data, uint32_t len, unsigned int flags, struct fp_pkt_meta *m)
{
	const struct fp_ipv4_hdr *ip;
	uint32_t off = m->l3_off, hlen, tot;
	uint16_t frag;

	if (off + sizeof(*ip) > len)
		return FP_DROP_TRUNC_L3;
	ip = (const struct fp_ipv4_hdr *)(data + off);
	if ((ip->ver_ihl >> 4) != 4)
		return FP_DROP_BAD_IP_VERSION;
	hlen = (uint32_t)(ip->ver_ihl & 0xf) * 4;
	if (hlen < sizeof(*ip))
		return FP_DROP_BAD_IP_HDR_LEN;
	if (off + hlen > len)
		return FP_DROP_TRUNC_L3;
	tot = fp_get16(data + off + 2);
	if (tot < hlen || off + tot > len)
		return FP_DROP_BAD_IP_LEN;
	if (flags & FP_PARSE_F_IP_CSUM) {
		/* The common 20-byte header gets a constant-length, unrolled
		 * sum.
		 */
		uint32_t sum = hlen == sizeof(*ip) ? fp_csum_partial(ip, sizeof(*ip), 0) :
						     fp_csum_partial(ip, hlen, 0);

		if (fp_csum_fold(sum) != 0)
			return FP_DROP_BAD_IP_CSUM;
	}
	m->l3_len = (uint16_t)tot;
	frag = fp_get16(data + off + 6);
	if (frag & FP_IP_DF)
		m->flags |= FP_META_F_DF;
	m->l4_proto = ip->proto;
	m->l4_off = (uint16_t)(off + hlen);
	if (frag & (FP_IP_MF | FP_IP_OFFMASK)) {
		m->flags |= FP_META_F_FRAG;
		if (frag & FP_IP_OFFMASK)
			m->flags |= FP_META_F_LATER_FRAG;
		m->l4_len = (uint16_t)(tot - hlen);
		return FP_PARSE_OK;
	}
	return parse_l4(data, off + tot, m);
}

static unsigned int
parse_ipv6(const uint8_t *data, uint32_t len, struct fp_pkt_meta *m)
{
	const struct fp_ipv6_hdr *ip;
	uint32_t off = m->l3_off, end, cur;
	uint8_t nh;
	int i;

	if (off + sizeof(*ip) > len)
		return FP_DROP_TRUNC_L3;
	ip = (const struct fp_ipv6_hdr *)(data + off);
	if ((ip->vtc_flow[0] >> 4) != 6)
		return FP_DROP_BAD_IP_VERSION;
	end = off + sizeof(*ip) + fp_get16(data + off + 4);
	if (end > len)
		return FP_DROP_BAD_IP_LEN;
	m->l3_len = (uint16_t)(end - off);
	nh = ip->nexthdr;
	cur = off + sizeof(*ip);
	for (i = 0; i < FP_MAX_IPV6_EXT; i++) {
		if (nh == FP_IPPROTO_HOPOPTS || nh == FP_IPPROTO_ROUTING ||
		    nh == FP_IPPROTO_DSTOPTS) {
			uint32_t elen;

			if (cur + 8 > end)
				return FP_DROP_TRUNC_L3;
			elen = ((uint32_t)data[cur + 1] + 1) * 8;
			if (cur + elen > end)
				return FP_DROP_TRUNC_L3;
			nh = data[cur];
			cur += elen;
		} else if (nh == FP_IPPROTO_FRAGMENT) {
			uint16_t fo;

			if (cur + sizeof(struct fp_ipv6_frag_hdr) > end)
				return FP_DROP_TRUNC_L3;
			fo = fp_get16(data + cur + 2);
			nh = data[cur];
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
	m->l4_off = (uint16_t)cur;
	if (m->flags & FP_META_F_FRAG) {
		/* Even a first fragment's L4 length covers the whole
		 * datagram: fragments are carried, not parsed (as IPv4).
		 */
		m->l4_len = (uint16_t)(end - cur);
		return FP_PARSE_OK;
	}
	return parse_l4(data, end, m);
}

unsigned int
fp_parse_frame(const uint8_t *data, uint32_t len, unsigned int flags, struct fp_pkt_meta *m)
{
	uint32_t off = sizeof(struct fp_eth_hdr);
	uint16_t type;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(struct fp_eth_hdr))
		return FP_DROP_TRUNC_L2;
	type = fp_get16(data + 12);
	while (type == FP_ETH_P_8021Q || type == FP_ETH_P_8021AD) {
		if (m->n_vlans == FP_MAX_VLAN)
			return FP_DROP_TOO_MANY_VLANS;
		if (off + sizeof(struct fp_vlan_hdr) > len)
			return FP_DROP_TRUNC_VLAN;
		if (m->n_vlans == 0)
			m->vlan_tci = fp_get16(data + off);
		type = fp_get16(data + off + 2);
		off += sizeof(struct fp_vlan_hdr);
		m->n_vlans++;
	}
	m->ethertype = type;
	m->l3_off = (uint16_t)off;
	switch (type) {
	case FP_ETH_P_IPV4:
		return parse_ipv4(data, len, flags, m);
	case FP_ETH_P_IPV6:
		return parse_ipv6(data, len, m);
	case FP_ETH_P_ARP:
		if (off + sizeof(struct fp_arp_hdr) > len)
			return FP_DROP_TRUNC_L3;
		return FP_PARSE_OK;
	default:
		return FP_PARSE_OK;
	}
}

static unsigned int
parse_geneve(const uint8_t *data, uint32_t end, uint32_t off, struct fp_tunnel_meta *t)
{
	const struct fp_geneve_hdr *g = (const struct fp_geneve_hdr *)(data + off);
	uint32_t opt, opt_end;

	if (off + sizeof(*g) > end)
		return FP_DROP_TRUNC_TUNNEL;
	if (g->ver_optlen & FP_GENEVE_VER_MASK)
		return FP_DROP_BAD_GENEVE;
	if (g->flags & FP_GENEVE_F_OAM)
		return FP_DROP_GENEVE_OAM;
	if (fp_get16(data + off + 2) != FP_ETH_P_TEB)
		return FP_DROP_GENEVE_PROTO;
	opt = off + sizeof(*g);
	opt_end = opt + (uint32_t)(g->ver_optlen & FP_GENEVE_OPTLEN_MASK) * 4;
	if (opt_end > end)
		return FP_DROP_TRUNC_TUNNEL;
	/* Walk the options: each must fit exactly; critical ones are not
	 * understood here, so the packet must be dropped (RFC 8926 3.5.1).
	 */
	while (opt < opt_end) {
		const struct fp_geneve_opt *o = (const struct fp_geneve_opt *)(data + opt);
		uint32_t olen;

		if (opt + sizeof(*o) > opt_end)
			return FP_DROP_BAD_GENEVE;
		olen = sizeof(*o) + (uint32_t)(o->len & 0x1f) * 4;
		if (opt + olen > opt_end)
			return FP_DROP_BAD_GENEVE;
		if (o->type & FP_GENEVE_OPT_F_CRIT)
			return FP_DROP_GENEVE_CRIT_OPT;
		opt += olen;
	}
	t->vni = fp_vni_get(g->vni);
	t->inner_off = (uint16_t)opt_end;
	t->encap = FP_ENCAP_GENEVE;
	return FP_PARSE_OK;
}

unsigned int
fp_parse_tunnel(const uint8_t *data, uint32_t len, const struct fp_pkt_meta *m,
		struct fp_tunnel_meta *t)
{
	uint32_t off = (uint32_t)m->l4_off + sizeof(struct fp_udp_hdr);
	uint32_t end;
	unsigned int r;

	memset(t, 0, sizeof(*t));
	if (!(m->flags & FP_META_F_L4) || m->l4_proto != FP_IPPROTO_UDP)
		return FP_DROP_UNDERLAY_NOT_TUNNEL;
	/* The tunnel payload ends where the UDP datagram ends. */
	end = (uint32_t)m->l4_off + fp_get16(data + m->l4_off + 4);
	if (end > len)
		return FP_DROP_BAD_UDP_LEN;
	if (m->dport == FP_VXLAN_PORT) {
		const struct fp_vxlan_hdr *v = (const struct fp_vxlan_hdr *)(data + off);

		if (off + sizeof(*v) > end)
			return FP_DROP_TRUNC_TUNNEL;
		/* RFC 7348: the I flag must be set; reserved bits are
		 * ignored on receipt.
		 */
		if (!(v->flags & FP_VXLAN_F_I))
			return FP_DROP_BAD_VXLAN_FLAGS;
		t->vni = fp_vni_get(v->vni);
		t->inner_off = (uint16_t)(off + sizeof(*v));
		t->encap = FP_ENCAP_VXLAN;
	} else if (m->dport == FP_GENEVE_PORT) {
		r = parse_geneve(data, end, off, t);
		if (r != FP_PARSE_OK)
			return r;
	} else {
		return FP_DROP_UNDERLAY_NOT_TUNNEL;
	}
	if ((uint32_t)t->inner_off + sizeof(struct fp_eth_hdr) > end)
		return FP_DROP_TRUNC_L2;
	return FP_PARSE_OK;
}
