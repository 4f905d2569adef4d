/* SPDX-License-Identifier: BSD-3-Clause */
#include "build.h"

#include <errno.h>
#include <string.h>

#include "csum.h"

static int
ip_is_v4mapped(const struct fp_ip *ip)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip->b, pfx, sizeof(pfx)) == 0;
}

int
fp_encap_tmpl_init(struct fp_encap_tmpl *t, const struct fp_vtep_val *v, const uint8_t src_mac[6],
		   uint16_t underlay_mtu)
{
	int v4 = ip_is_v4mapped(&v->remote);
	uint8_t *h = t->hdr, *ip, *udp, *tun;
	uint32_t overhead;

	if (v4 != ip_is_v4mapped(&v->local) || v->encap >= FP_ENCAP_MAX)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->ipv6 = !v4;
	t->len = v4 ? FP_ENCAP_HDR_V4 : FP_ENCAP_HDR_V6;
	/* outer IP + UDP + tunnel header + inner Ethernet: the template
	 * length, since the inner Ethernet header replaces the outer one.
	 */
	overhead = t->len;
	if (underlay_mtu <= overhead)
		return -EINVAL;
	t->max_inner_l3 = (uint16_t)(underlay_mtu - overhead);

	memcpy(h, v->nh_mac, 6);
	memcpy(h + 6, src_mac, 6);
	fp_put16(h + 12, v4 ? FP_ETH_P_IPV4 : FP_ETH_P_IPV6);
	ip = h + sizeof(struct fp_eth_hdr);
	if (v4) {
		ip[0] = 0x45;
		fp_put16(ip + 6, FP_IP_DF);
		ip[8] = FP_OUTER_TTL;
		ip[9] = FP_IPPROTO_UDP;
		memcpy(ip + 12, v->local.b + 12, 4);
		memcpy(ip + 16, v->remote.b + 12, 4);
		t->ip_csum = fp_csum_partial(ip, sizeof(struct fp_ipv4_hdr), 0);
		udp = ip + sizeof(struct fp_ipv4_hdr);
	} else {
		ip[0] = 0x60;
		ip[6] = FP_IPPROTO_UDP;
		ip[7] = FP_OUTER_TTL;
		memcpy(ip + 8, v->local.b, 16);
		memcpy(ip + 24, v->remote.b, 16);
		t->pseudo = fp_csum_ipv6_pseudo(ip + 8, ip + 24, 0, FP_IPPROTO_UDP);
		udp = ip + sizeof(struct fp_ipv6_hdr);
	}
	tun = udp + sizeof(struct fp_udp_hdr);
	if (v->encap == FP_ENCAP_VXLAN) {
		fp_put16(udp + 2, FP_VXLAN_PORT);
		tun[0] = FP_VXLAN_F_I;
	} else {
		fp_put16(udp + 2, FP_GENEVE_PORT);
		fp_put16(tun + 2, FP_ETH_P_TEB);
	}
	return 0;
}

int
fp_arp_is_request(const uint8_t *f, const struct fp_pkt_meta *m)
{
	const uint8_t *a = f + m->l3_off;

	if (fp_get16(a) != FP_ARP_HRD_ETHER || fp_get16(a + 2) != FP_ETH_P_IPV4 || a[4] != 6 ||
	    a[5] != 4)
		return -1;
	return fp_get16(a + 6) == FP_ARP_OP_REQUEST;
}

void
fp_arp_reply_build(uint8_t *f, const struct fp_pkt_meta *m, const uint8_t mac[6])
{
	uint8_t *a = f + m->l3_off;
	uint8_t spa[4];

	memcpy(f, f + 6, 6);
	memcpy(f + 6, mac, 6);
	fp_put16(a + 6, FP_ARP_OP_REPLY);
	memcpy(spa, a + 14, 4);
	memcpy(a + 18, a + 8, 6);  /* tha = request sha */
	memcpy(a + 14, a + 24, 4); /* spa = request tpa */
	memcpy(a + 24, spa, 4);	   /* tpa = request spa */
	memcpy(a + 8, mac, 6);	   /* sha = target MAC */
}

int
fp_nd_ns_parse(const uint8_t *f, const struct fp_pkt_meta *m, const uint8_t **target)
{
	static const uint8_t unspec[16];
	const uint8_t *ip = f + m->l3_off, *icmp = f + m->l4_off;
	uint32_t off, end;

	if (!(m->flags & FP_META_F_L4) || m->l4_proto != FP_IPPROTO_ICMPV6 ||
	    icmp[0] != FP_ICMP6_NS)
		return 0;
	if (icmp[1] != 0 || ip[7] != 255 || m->l4_len < 24 || icmp[8] == 0xff)
		return -1;
	for (off = 24, end = m->l4_len; off < end;) {
		if (off + 2 > end || icmp[off + 1] == 0 || off + icmp[off + 1] * 8U > end)
			return -1;
		off += icmp[off + 1] * 8U;
	}
	if (memcmp(ip + 8, unspec, 16) == 0)
		return 0; /* DAD probe: let the owner answer, never us */
	*target = icmp + 8;
	return 1;
}

uint32_t
fp_nd_na_build(uint8_t *f, const struct fp_pkt_meta *m, const uint8_t mac[6])
{
	uint8_t target[16], dst[16];
	uint8_t *ip = f + m->l3_off, *icmp = ip + sizeof(struct fp_ipv6_hdr);

	memcpy(target, f + m->l4_off + 8, 16);
	memcpy(dst, ip + 8, 16);
	/* Ethernet addresses swap; any VLAN tags and the ethertype stay. */
	memcpy(f, f + 6, 6);
	memcpy(f + 6, mac, 6);
	memset(ip, 0, sizeof(struct fp_ipv6_hdr));
	ip[0] = 0x60;
	fp_put16(ip + 4, 32);
	ip[6] = FP_IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, target, 16);
	memcpy(ip + 24, dst, 16);
	memset(icmp, 0, 32);
	icmp[0] = FP_ICMP6_NA;
	icmp[4] = FP_ND_NA_F_SOLICITED | FP_ND_NA_F_OVERRIDE;
	memcpy(icmp + 8, target, 16);
	icmp[24] = FP_ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	fp_put16(icmp + 2,
		 fp_csum_fold(fp_csum_partial(
			 icmp, 32, fp_csum_ipv6_pseudo(ip + 8, ip + 24, 32, FP_IPPROTO_ICMPV6))));
	return (uint32_t)m->l3_off + FP_ND_NA_L3_LEN;
}

static int
icmp_is_error(uint8_t proto, const uint8_t *l4, const struct fp_pkt_meta *m)
{
	if (!(m->flags & FP_META_F_L4))
		return 0;
	if (proto == FP_IPPROTO_ICMP)
		return l4[0] != FP_ICMP_ECHO_REQUEST && l4[0] != FP_ICMP_ECHO_REPLY;
	if (proto == FP_IPPROTO_ICMPV6)
		return l4[0] < 128;
	return 0;
}

/* ICMP type and code of an error kind for IPv4 and IPv6. */
static const uint8_t err_type[FP_ICMP_ERR_MAX][4] = {
	[FP_ICMP_ERR_TOO_BIG] = { FP_ICMP_DEST_UNREACH, FP_ICMP_FRAG_NEEDED, FP_ICMP6_PKT_TOO_BIG,
				  0 },
	[FP_ICMP_ERR_TIME] = { 11, 0, 3, 0 },	    /* time exceeded in transit */
	[FP_ICMP_ERR_NET_UNREACH] = { 3, 0, 1, 0 }, /* net unreachable, no route */
};

uint32_t
fp_icmp_error_build(uint8_t *out, uint32_t cap, const uint8_t *orig, const struct fp_pkt_meta *m,
		    unsigned int kind, uint16_t mtu, const struct fp_ip *src)
{
	const uint8_t *oip = orig + m->l3_off;
	uint8_t *ip = out + sizeof(struct fp_eth_hdr), *icmp;
	uint32_t n, len;

	if (kind >= FP_ICMP_ERR_MAX || m->flags & FP_META_F_LATER_FRAG ||
	    icmp_is_error(m->l4_proto, orig + m->l4_off, m))
		return 0;
	if (m->ethertype == FP_ETH_P_IPV4) {
		if ((kind == FP_ICMP_ERR_TOO_BIG && !(m->flags & FP_META_F_DF)) || oip[12] >= 224 ||
		    oip[12] == 0)
			return 0;
		n = m->l3_len;
		if (n > FP_ICMP4_ERR_MAX - 28)
			n = FP_ICMP4_ERR_MAX - 28;
		len = sizeof(struct fp_eth_hdr) + 28 + n;
		if (len > cap)
			return 0;
		memset(ip, 0, 28);
		ip[0] = 0x45;
		fp_put16(ip + 2, (uint16_t)(28 + n));
		ip[8] = FP_OUTER_TTL;
		ip[9] = FP_IPPROTO_ICMP;
		memcpy(ip + 12, src != NULL ? src->b + 12 : oip + 16, 4);
		memcpy(ip + 16, oip + 12, 4);
		fp_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, 20, 0)));
		icmp = ip + 20;
		icmp[0] = err_type[kind][0];
		icmp[1] = err_type[kind][1];
		if (kind == FP_ICMP_ERR_TOO_BIG)
			fp_put16(icmp + 6, mtu);
		memcpy(icmp + 8, oip, n);
		fp_put16(icmp + 2, fp_csum_fold(fp_csum_partial(icmp, 8 + n, 0)));
		fp_put16(out + 12, FP_ETH_P_IPV4);
	} else if (m->ethertype == FP_ETH_P_IPV6) {
		static const uint8_t unspec[16];

		if (oip[8] == 0xff || memcmp(oip + 8, unspec, 16) == 0)
			return 0;
		n = m->l3_len;
		if (n > FP_ICMP6_ERR_MAX - 48)
			n = FP_ICMP6_ERR_MAX - 48;
		len = sizeof(struct fp_eth_hdr) + 48 + n;
		if (len > cap)
			return 0;
		memset(ip, 0, 48);
		ip[0] = 0x60;
		fp_put16(ip + 4, (uint16_t)(8 + n));
		ip[6] = FP_IPPROTO_ICMPV6;
		ip[7] = FP_OUTER_TTL;
		memcpy(ip + 8, src != NULL ? src->b : oip + 24, 16);
		memcpy(ip + 24, oip + 8, 16);
		icmp = ip + 40;
		icmp[0] = err_type[kind][2];
		icmp[1] = err_type[kind][3];
		if (kind == FP_ICMP_ERR_TOO_BIG)
			fp_put16(icmp + 6, mtu);
		memcpy(icmp + 8, oip, n);
		fp_put16(icmp + 2,
			 fp_csum_fold(fp_csum_partial(
				 icmp, 8 + n,
				 fp_csum_ipv6_pseudo(ip + 8, ip + 24, 8 + n, FP_IPPROTO_ICMPV6))));
		fp_put16(out + 12, FP_ETH_P_IPV6);
	} else {
		return 0;
	}
	memcpy(out, orig + 6, 6);
	memcpy(out + 6, orig, 6);
	return len;
}

uint32_t
fp_icmp_too_big_build(uint8_t *out, uint32_t cap, const uint8_t *orig, const struct fp_pkt_meta *m,
		      uint16_t mtu)
{
	return fp_icmp_error_build(out, cap, orig, m, FP_ICMP_ERR_TOO_BIG, mtu, NULL);
}
