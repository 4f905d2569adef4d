/* SPDX-License-Identifier: BSD-3-Clause */
#include "route.h"

#include <string.h>

#include <rte_branch_prediction.h>

#include "addr.h"
#include "names.h"
#include "pipeline.h"
#include "pkt/build.h"
#include "csum.h"

#define ECHO_REPLY_TTL 64 /* TTL / hop limit of the router's echo replies */

#define RTRACE(tr, ...)                                                           \
	do {                                                                      \
		if ((tr) != NULL)                                                 \
			fp_pipeline_trace_add((tr), FP_TRACE_ROUTE, __VA_ARGS__); \
	} while (0)

/* An address's text for a trace record. */
struct ip_str {
	char s[FP_ADDR_IP_STR]; /* the text */
};

static struct ip_str __rte_cold
ipstr(const struct fp_ip *ip)
{
	struct ip_str t;

	fp_addr_ip_str(ip, t.s);
	return t;
}

static void nat_icmp_inner(uint8_t *icmp, uint32_t len, uint32_t off, const uint8_t old[4],
			   const uint8_t new[4]);

/* An ICMP error of kind about m from the router's address on the sender's
 * subnet (the connected route of the source), into res->err.  fip: m's
 * destination was translated from this floating IP (fp_route_dnat()):
 * the embedded packet is translated back (the inverse of the DNAT, with
 * its checksums, nat_icmp_inner()) and the error leaves from the
 * connected route's MAC (the router's on the external network, not the
 * floating IP's).
 */
static void
icmp_error(const struct fp_ftables *t, struct fp_pipeline *p, uint32_t vrf,
	   const struct rte_mbuf *m, const struct fp_pkt_meta *meta, const uint8_t *fip,
	   const struct fp_ip *src, unsigned int kind, uint16_t mtu, struct fp_route_res *res,
	   struct fp_trace *tr)
{
	static const uint16_t stat[FP_ICMP_ERR_MAX] = {
		[FP_ICMP_ERR_TOO_BIG] = FP_STAT_ICMP_TOO_BIG,
		[FP_ICMP_ERR_TIME] = FP_STAT_ICMP_TIME_EXCEEDED,
		[FP_ICMP_ERR_NET_UNREACH] = FP_STAT_ICMP_UNREACH,
	};
	const struct fp_route_val *in = fp_ftables_route(t, vrf, src, NULL);
	struct rte_mbuf *e;
	uint32_t len;

	if (in == NULL || in->type != FP_ROUTE_CONNECTED) {
		RTRACE(tr, "source %s: no connected route in vrf %u: no icmp error", ipstr(src).s,
		       vrf);
		return;
	}
	if (p == NULL || p->mp == NULL || !fp_pipeline_icmp_take(p, tr) ||
	    (e = rte_pktmbuf_alloc(p->mp)) == NULL)
		return;
	len = fp_icmp_error_build(rte_pktmbuf_mtod(e, uint8_t *), rte_pktmbuf_tailroom(e),
				  rte_pktmbuf_mtod(m, const uint8_t *), meta, kind, mtu, &in->addr);
	if (len == 0 || rte_pktmbuf_append(e, (uint16_t)len) == NULL) {
		RTRACE(tr, "no icmp error for this packet");
		rte_pktmbuf_free(e);
		return;
	}
	if (fip != NULL && meta->ethertype == FP_ETH_P_IPV4) {
		uint8_t *ef = rte_pktmbuf_mtod(e, uint8_t *);
		const uint8_t *fixed = rte_pktmbuf_mtod(m, const uint8_t *) + meta->l3_off + 16;

		/* The error's header is 14 + 20 bytes (fp_icmp_error_build()). */
		nat_icmp_inner(ef + 34, len - 34, 12, fixed, fip);
		memcpy(ef + 6, in->mac, 6);
		RTRACE(tr, "its embedded destination back to the floating ip");
	}
	RTRACE(tr, "icmp %s from %s back to the sender",
	       kind == FP_ICMP_ERR_TIME	   ? "time exceeded" :
	       kind == FP_ICMP_ERR_TOO_BIG ? "too big" :
					     "net unreachable",
	       ipstr(&in->addr).s);
	res->err = e;
	res->err_stat = stat[kind];
}

/* An ICMP echo request to the router, answered in place.  Returns 1, or 0
 * if it is something else (the caller drops it as to_router).
 */
static int
echo_reply(uint8_t *f, const struct fp_pkt_meta *meta, int v4)
{
	uint8_t *ip = f + meta->l3_off, *icmp = f + meta->l4_off, tmp[16];
	uint32_t sum;

	if (!(meta->flags & FP_META_F_L4) || (meta->flags & FP_META_F_FRAG) || meta->l4_len < 8)
		return 0;
	if (v4) {
		if (meta->l4_proto != FP_IPPROTO_ICMP || icmp[0] != FP_ICMP_ECHO_REQUEST ||
		    icmp[1] != 0)
			return 0;
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[8] = ECHO_REPLY_TTL;
		fp_put16(ip + 10, 0);
		fp_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, (size_t)(ip[0] & 0xf) * 4, 0)));
		icmp[0] = FP_ICMP_ECHO_REPLY;
		fp_put16(icmp + 2, 0);
		fp_put16(icmp + 2, fp_csum_fold(fp_csum_partial(icmp, meta->l4_len, 0)));
	} else {
		if (meta->l4_proto != FP_IPPROTO_ICMPV6 || icmp[0] != FP_ICMP6_ECHO_REQUEST ||
		    icmp[1] != 0)
			return 0;
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[7] = ECHO_REPLY_TTL;
		icmp[0] = FP_ICMP6_ECHO_REPLY;
		fp_put16(icmp + 2, 0);
		sum = fp_csum_ipv6_pseudo(ip + 8, ip + 24, meta->l4_len, FP_IPPROTO_ICMPV6);
		fp_put16(icmp + 2, fp_csum_fold(fp_csum_partial(icmp, meta->l4_len, sum)));
	}
	memcpy(tmp, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, tmp, 6);
	return 1;
}

/* Decrement the TTL (IPv4 checksum updated incrementally, RFC 1624) or
 * the hop limit.
 */
static inline void
ttl_dec(uint8_t *ip, int v4)
{
	uint32_t sum;

	if (!v4) {
		ip[7]--;
		return;
	}
	/* HC' = ~(~HC + ~m + m'), m the 16-bit word of TTL and protocol. */
	sum = (uint16_t)~fp_get16(ip + 10);
	sum += (uint16_t)~fp_get16(ip + 8);
	ip[8]--;
	sum += fp_get16(ip + 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	fp_put16(ip + 10, (uint16_t)~sum);
}

/* ICMPv4 errors carry the start of the packet they are about (RFC 792):
 * destination unreachable, source quench, redirect, time exceeded,
 * parameter problem.
 */
static inline int
icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The TCP or UDP checksum of an IPv4 packet whose L4 header starts at l4
 * with len bytes of it present: address old becomes new in its pseudo
 * header.  A UDP checksum of zero (none) stays zero.
 */
static inline void
nat_l4_csum(uint8_t *l4, uint32_t len, uint8_t proto, const uint8_t old[4], const uint8_t new[4])
{
	if (proto == FP_IPPROTO_TCP && len >= 18) {
		fp_csum_replace4(l4 + 16, old, new);
	} else if (proto == FP_IPPROTO_UDP && len >= 8 && fp_get16(l4 + 6) != 0) {
		fp_csum_replace4(l4 + 6, old, new);
		if (fp_get16(l4 + 6) == 0)
			fp_put16(l4 + 6, 0xffff);
	}
}

/* An ICMP error's embedded packet, after the outer address at ip + off
 * went from old to new: the embedded packet is the one the peer sent or
 * got, so the address on its other side (outer source: the embedded
 * destination, and the reverse) is translated the same way when it is
 * old, as Linux's nf_nat_icmp_reply_translation() and OVN do: its IPv4
 * checksum and, when the embedded packet is not a later fragment and its
 * checksum field is present, its TCP/UDP checksum incrementally; then the
 * ICMP checksum over the whole message.  An embedded header that is cut
 * short is left as it is.
 */
static void
nat_icmp_inner(uint8_t *icmp, uint32_t len, uint32_t off, const uint8_t old[4],
	       const uint8_t new[4])
{
	uint8_t *in = icmp + 8, *a;
	uint32_t hl, inner_off = off == 12 ? 16 : 12;

	if (len < 8 + 20 || (in[0] >> 4) != 4 || (hl = (uint32_t)(in[0] & 0xf) * 4) < 20 ||
	    len < 8 + hl)
		return;
	a = in + inner_off;
	if (memcmp(a, old, 4) != 0)
		return;
	memcpy(a, new, 4);
	fp_csum_replace4(in + 10, old, new);
	if ((fp_get16(in + 6) & FP_IP_OFFMASK) == 0)
		nat_l4_csum(in + hl, len - 8 - hl, in[9], old, new);
	fp_put16(icmp + 2, 0);
	fp_put16(icmp + 2, fp_csum_fold(fp_csum_partial(icmp, len, 0)));
}

/* 1:1 NAT of an IPv4 packet: the address at ip + off (12: source, 16:
 * destination) becomes new.  The IPv4 checksum and the TCP/UDP checksum
 * are updated incrementally (RFC 1624); an ICMP echo's checksum does not
 * cover addresses.  Fragments: every fragment's header is rewritten; the
 * L4 checksum lives in the first fragment (offset 0), whose checksum is
 * of the whole datagram and takes the same pseudo-header difference, so
 * it is updated there; later fragments carry no L4 header and need
 * nothing more.  An ICMP error's embedded packet is translated too
 * (nat_icmp_inner()), when the error is not fragmented.
 */
static void
nat_rewrite_v4(uint8_t *f, const struct fp_pkt_meta *meta, uint32_t off, const uint8_t new[4])
{
	uint8_t *ip = f + meta->l3_off, *l4 = f + meta->l4_off, old[4];

	memcpy(old, ip + off, 4);
	memcpy(ip + off, new, 4);
	fp_csum_replace4(ip + 10, old, new);
	if (meta->flags & FP_META_F_LATER_FRAG)
		return;
	if (meta->l4_proto == FP_IPPROTO_ICMP) {
		if ((meta->flags & FP_META_F_L4) && meta->l4_len >= 8 && icmp4_is_error(l4[0]))
			nat_icmp_inner(l4, meta->l4_len, off, old, new);
		return;
	}
	nat_l4_csum(l4, meta->l4_len, meta->l4_proto, old, new);
}

uint32_t
fp_route_dnat(const struct fp_ftables *t, uint32_t ext, uint32_t vrf, struct rte_mbuf *m,
	      const struct fp_pkt_meta *meta, struct fp_trace *tr)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	const struct fp_nat_val *nv;
	struct fp_ip dst;

	/* Floating IPs are IPv4 (Neutron's): anything else has no entry. */
	if (meta->ethertype != FP_ETH_P_IPV4) {
		RTRACE(tr, "external vni %u: ethertype 0x%04x to a floating ip's mac: not routed",
		       ext, meta->ethertype);
		return 0;
	}
	fp_addr_ip_set_v4(&dst, fp_get32(f + meta->l3_off + 16));
	nv = fp_ftables_nat(t, ext, FP_NAT_DNAT, &dst);
	if (nv == NULL || nv->scope != vrf) {
		RTRACE(tr, "external vni %u: dnat %s: %s", ext, ipstr(&dst).s,
		       nv == NULL ? "no floating ip" : "another router's floating ip");
		return 0;
	}
	RTRACE(tr, "external vni %u: dnat %s -> %s, vrf %u", ext, ipstr(&dst).s, ipstr(&nv->ip).s,
	       nv->scope);
	nat_rewrite_v4(f, meta, 16, nv->ip.b + 12);
	return nv->scope;
}

/* The route of (vrf, dst) through the burst's cache. */
static inline const struct fp_route_val *
route_get(const struct fp_ftables *t, struct fp_route_cache *c, uint32_t vrf,
	  const struct fp_ip *dst, int *plen)
{
	const struct fp_route_val *rt;

	if (c->rt != NULL && c->rt_vrf == vrf && memcmp(&c->rt_dst, dst, sizeof(*dst)) == 0) {
		*plen = c->rt_plen;
		return c->rt;
	}
	rt = fp_ftables_route(t, vrf, dst, plen);
	if (rt != NULL) {
		c->rt = rt;
		c->rt_vrf = vrf;
		c->rt_dst = *dst;
		c->rt_plen = *plen;
	}
	return rt;
}

/* The snat entry of (vrf, src) through the burst's cache. */
static inline const struct fp_nat_val *
snat_get(const struct fp_ftables *t, struct fp_route_cache *c, uint32_t vrf,
	 const struct fp_ip *src)
{
	const struct fp_nat_val *nv;

	if (c->snat != NULL && c->snat_vrf == vrf && memcmp(&c->snat_src, src, sizeof(*src)) == 0)
		return c->snat;
	nv = fp_ftables_nat(t, vrf, FP_NAT_SNAT, src);
	if (nv != NULL) {
		c->snat = nv;
		c->snat_vrf = vrf;
		c->snat_src = *src;
	}
	return nv;
}

/* The neigh entry of (vrf, ip) through the burst's cache. */
static inline const struct fp_neigh_val *
neigh_get(const struct fp_ftables *t, struct fp_route_cache *c, uint32_t vrf,
	  const struct fp_ip *ip)
{
	const struct fp_neigh_val *n;

	if (c->n != NULL && c->n_vrf == vrf && memcmp(&c->n_ip, ip, sizeof(*ip)) == 0)
		return c->n;
	n = fp_ftables_neigh(t, vrf, ip);
	if (n != NULL) {
		c->n = n;
		c->n_vrf = vrf;
		c->n_ip = *ip;
	}
	return n;
}

/* The largest IP packet the egress (vni, mac) takes: the tunnel's inner
 * MTU when the fdb sends it to a vtep, the port's MTU (an L3 MTU: the tag
 * phys_send() pushes is not counted) when it sends it out a physical
 * port; UINT32_MAX otherwise (a local port, a miss: flooded).  The fdb
 * lookup fills the burst cache that the caller's lookup of the same key
 * then hits.
 */
static inline uint32_t
egress_mtu(const struct fp_ftables *t, struct fp_route_cache *c, uint32_t vni, const uint8_t mac[6])
{
	const struct fp_dp_vtep *vt;
	const struct fp_dp_port *dp;
	struct fp_fdb_key k;
	struct fp_fdb_val fv;
	void *data = NULL;
	int hit;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	memcpy(k.mac, mac, 6);
	if (c->fdb_valid && memcmp(&k, &c->fdb_key, sizeof(k)) == 0) {
		hit = (int)c->fdb_hit;
		data = c->fdb_data;
	} else {
		hit = rte_hash_lookup_data(t->fdb, &k, &data) >= 0;
		c->fdb_key = k;
		c->fdb_hit = (uint32_t)hit;
		c->fdb_data = data;
		c->fdb_valid = 1;
	}
	if (!hit)
		return UINT32_MAX;
	fv = fp_ftables_fdb_decode(data);
	if (fv.type == FP_DEST_VTEP && (vt = fp_ftables_vtep(t, fv.id)) != NULL)
		return vt->tmpl.max_inner_l3;
	if (fv.type == FP_DEST_PHYS && (dp = fp_ftables_port(t, fv.id)) != NULL &&
	    dp->v.role == FP_PORT_ROLE_PHYSICAL)
		return dp->v.mtu;
	return UINT32_MAX;
}

unsigned int
fp_route_step(const struct fp_ftables *t, struct fp_pipeline *p, uint32_t vrf, struct rte_mbuf *m,
	      const struct fp_pkt_meta *meta, const uint8_t *fip, struct fp_route_res *res,
	      struct fp_route_cache *c, struct fp_trace *tr)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *ip = f + meta->l3_off;
	const struct fp_route_val *rt;
	const struct fp_neigh_val *n;
	const struct fp_nat_val *snat = NULL;
	struct fp_ip dst, src;
	const struct fp_ip *nh;
	uint32_t ttl, l3len, eg_mtu;
	int v4, plen;

	memset(res, 0, sizeof(*res));
	res->drop = FP_DROP_TO_ROUTER;
	if (meta->ethertype == FP_ETH_P_IPV4) {
		uint32_t d = fp_get32(ip + 16);

		v4 = 1;
		fp_addr_ip_set_v4(&dst, d);
		fp_addr_ip_set_v4(&src, fp_get32(ip + 12));
		ttl = ip[8];
		/* Multicast, broadcast, class E, 0/8 and 127/8 are not routed
		 * (RFC 1812 5.3.7), and draw no ICMP error.
		 */
		if (d >= 0xe0000000U || (d >> 24) == 0 || (d >> 24) == 127) {
			RTRACE(tr, "vrf %u: %s is not a unicast destination: not routed", vrf,
			       ipstr(&dst).s);
			return FP_ROUTE_V_DROP;
		}
	} else if (meta->ethertype == FP_ETH_P_IPV6) {
		static const uint8_t v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		static const uint8_t zero[15];

		v4 = 0;
		memcpy(dst.b, ip + 24, 16);
		memcpy(src.b, ip + 8, 16);
		ttl = ip[7];
		/* Link-local, multicast, IPv4-mapped (they would match the IPv4
		 * routes), unspecified and loopback destinations are not routed.
		 */
		if (dst.b[0] == 0xff || (dst.b[0] == 0xfe && (dst.b[1] & 0xc0) == 0x80) ||
		    memcmp(dst.b, v4map, sizeof(v4map)) == 0 ||
		    (memcmp(dst.b, zero, sizeof(zero)) == 0 && dst.b[15] <= 1)) {
			RTRACE(tr,
			       "vrf %u: %s is link-local, multicast, mapped or special: not routed",
			       vrf, ipstr(&dst).s);
			return FP_ROUTE_V_DROP;
		}
	} else {
		RTRACE(tr, "vrf %u: ethertype 0x%04x to the router: not routed", vrf,
		       meta->ethertype);
		return FP_ROUTE_V_DROP;
	}
	rt = route_get(t, c, vrf, &dst, &plen);
	if (rt == NULL) {
		RTRACE(tr, "vrf %u %s: no route", vrf, ipstr(&dst).s);
		res->drop = FP_DROP_NO_ROUTE;
		icmp_error(t, p, vrf, m, meta, fip, &src, FP_ICMP_ERR_NET_UNREACH, 0, res, tr);
		return FP_ROUTE_V_DROP;
	}
	if (tr != NULL) {
		struct fp_ip pfx = dst;
		char mac[FP_ADDR_MAC_STR];

		fp_ftables_ip_mask(&pfx, (uint32_t)plen);
		RTRACE(tr, "vrf %u %s: route %s/%d %s vni %u mac %s mtu %u %s", vrf, ipstr(&dst).s,
		       ipstr(&pfx).s, v4 ? plen - 96 : plen,
		       FP_NAMES_GET(fp_names_route_type, rt->type), rt->vni,
		       fp_addr_mac_str(rt->mac, mac), rt->mtu, ipstr(&rt->addr).s);
	}
	switch (rt->type) {
	case FP_ROUTE_LOCAL:
		/* The router's own address: answered whatever the TTL. */
		if (!echo_reply(f, meta, v4)) {
			RTRACE(tr, "to the router, not an icmp echo request");
			return FP_ROUTE_V_DROP;
		}
		RTRACE(tr, "icmp echo request to the router: answered");
		res->stat = FP_STAT_ICMP_ECHO_REPLY;
		return FP_ROUTE_V_REPLY;
	case FP_ROUTE_CONNECTED:
		nh = &dst;
		break;
	case FP_ROUTE_NEXTHOP:
		nh = &rt->addr;
		break;
	default:
		res->drop = FP_DROP_NO_ROUTE;
		return FP_ROUTE_V_DROP;
	}
	/* Toward the external network: the source's floating IP, if it has
	 * one (snat (vrf, source)); without, a router with enable_snat
	 * drops it (a gateway's SNAT is not here), another routes it as it
	 * is (Neutron's enable_snat false).
	 */
	if (unlikely(rt->flags & FP_ROUTE_F_EXTERNAL)) {
		snat = v4 ? snat_get(t, c, vrf, &src) : NULL;
		if (snat == NULL && (rt->flags & FP_ROUTE_F_SNAT)) {
			RTRACE(tr, "external route, source %s has no floating ip: no snat here",
			       ipstr(&src).s);
			res->drop = FP_DROP_NO_SNAT;
			return FP_ROUTE_V_DROP;
		}
		if (snat == NULL)
			RTRACE(tr, "external route, source %s has no floating ip: unchanged",
			       ipstr(&src).s);
	}
	if (ttl <= 1) {
		RTRACE(tr, "%s %u: expires here", v4 ? "ttl" : "hop limit", ttl);
		res->drop = FP_DROP_TTL_EXCEEDED;
		icmp_error(t, p, vrf, m, meta, fip, &src, FP_ICMP_ERR_TIME, 0, res, tr);
		return FP_ROUTE_V_DROP;
	}
	l3len = meta->l3_len ? meta->l3_len : rte_pktmbuf_data_len(m) - meta->l3_off;
	if (unlikely(l3len > rt->mtu)) {
		RTRACE(tr, "%u bytes > mtu %u", l3len, rt->mtu);
		res->drop = FP_DROP_TOO_BIG;
		icmp_error(t, p, vrf, m, meta, fip, &src, FP_ICMP_ERR_TOO_BIG, rt->mtu, res, tr);
		return FP_ROUTE_V_DROP;
	}
	n = neigh_get(t, c, rt->vni, nh); /* the egress network's neighbours */
	if (n == NULL || n->vni != rt->vni) {
		RTRACE(tr, "next hop %s: %s", ipstr(nh).s,
		       n == NULL ? "no neigh entry" : "neigh entry in another network");
		res->drop = FP_DROP_NEIGH_MISSING;
		return FP_ROUTE_V_DROP;
	}
	/* Toward a vtep or out a physical port, the egress may carry less
	 * than the route's MTU: the error must leave now, from the router's
	 * address, before the frame is rewritten (the fdb result is the
	 * burst cache's, which the caller then uses).
	 */
	eg_mtu = egress_mtu(t, c, rt->vni, n->mac);
	if (unlikely(l3len > eg_mtu)) {
		RTRACE(tr, "%u bytes > the egress mtu %u", l3len, eg_mtu);
		res->drop = FP_DROP_TOO_BIG;
		icmp_error(t, p, vrf, m, meta, fip, &src, FP_ICMP_ERR_TOO_BIG, (uint16_t)eg_mtu,
			   res, tr);
		return FP_ROUTE_V_DROP;
	}
	ttl_dec(ip, v4);
	memcpy(f, n->mac, 6);
	if (snat != NULL) {
		RTRACE(tr, "snat %s -> %s", ipstr(&src).s, ipstr(&snat->ip).s);
		nat_rewrite_v4(f, meta, 12, snat->ip.b + 12);
		memcpy(f + 6, snat->mac, 6);
	} else {
		memcpy(f + 6, rt->mac, 6);
	}
	if (tr != NULL) {
		char mac[FP_ADDR_MAC_STR];

		RTRACE(tr, "next hop %s mac %s: %s %u, into vni %u", ipstr(nh).s,
		       fp_addr_mac_str(n->mac, mac), v4 ? "ttl" : "hop limit", ttl - 1, rt->vni);
	}
	res->vni = rt->vni;
	res->stat = FP_STAT_ROUTED;
	return FP_ROUTE_V_FORWARD;
}
