/* SPDX-License-Identifier: BSD-3-Clause */
#include "pipeline.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_prefetch.h>

#include "addr.h"
#include "clock.h"
#include "names.h"
#include "pkt/build.h"
#include "csum.h"
#include "pkt/hash.h"
#include "pkt/parse.h"
#include "ra.h"
#include "route.h"
#include "sg.h"

/* What the classify stage decided for a packet. */
enum verdict {
	V_DROP,	 /* drop with ps->drop */
	V_FDB,	 /* unicast: look up the FDB */
	V_FLOOD, /* broadcast, multicast or unknown unicast */
	V_DONE,	 /* already emitted (ARP/ND reply) */
};

/* pkt_state.flags */
#define PS_F_PHYS 0x01	 /* received on a physical port (its tag in in_vlan) */
#define PS_F_ROUTED 0x02 /* routed here: leaves a physical port from the chassis MAC */

/* Per-packet state for one burst. */
struct pkt_state {
	struct fp_pkt_meta meta; /* parsed headers of the (inner) frame */
	uint32_t vni;		 /* VNI the packet belongs to */
	uint16_t drop;		 /* FP_DROP_* when verdict is V_DROP */
	uint8_t verdict;	 /* enum verdict */
	uint8_t flags;		 /* PS_F_* */
	uint16_t in_vlan;	 /* PS_F_PHYS: the VLAN id it came with (0: untagged) */
	uint16_t pad;		 /* zero */
};

/* Trace records (fp_pipeline_trace()).  tr is the constant NULL in the
 * forwarding path, so TRACE() compiles to nothing there.
 */
#define TRACE(tr, id, ...)                                           \
	do {                                                         \
		if ((tr) != NULL)                                    \
			trace_add((tr), FP_TRACE_##id, __VA_ARGS__); \
	} while (0)

static void __rte_cold
trace_vadd(struct fp_trace *tr, uint16_t step, const char *fmt, va_list ap)
{
	struct fp_ctl_trace_step *st;

	if (tr->hdr.n_steps >= FP_CTL_TRACE_STEP_MAX) {
		tr->hdr.n_cut++;
		return;
	}
	st = &tr->steps[tr->hdr.n_steps++];
	memset(st, 0, sizeof(*st));
	st->step = step;
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
}

static void __rte_cold __rte_format_printf(3, 4)
	trace_add(struct fp_trace *tr, uint16_t step, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vadd(tr, step, fmt, ap);
	va_end(ap);
}

void __rte_cold
fp_pipeline_trace_add(struct fp_trace *tr, uint16_t step, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vadd(tr, step, fmt, ap);
	va_end(ap);
}

/* Text for trace records: a MAC, an address (IPv4-mapped shown as IPv4). */
struct trace_str {
	char s[48]; /* the text */
};

static struct trace_str __rte_cold
tmac(const uint8_t *m)
{
	struct trace_str t;

	fp_addr_mac_str(m, t.s);
	return t;
}

static struct trace_str __rte_cold
tip(const uint8_t *b16)
{
	struct trace_str t;
	struct fp_ip ip;

	memcpy(ip.b, b16, sizeof(ip.b));
	fp_addr_ip_str(&ip, t.s);
	return t;
}

static const char *
dest_name(uint16_t type)
{
	return type == FP_DEST_PORT   ? "port" :
	       type == FP_DEST_VTEP   ? "vtep" :
	       type == FP_DEST_PHYS   ? "phys" :
	       type == FP_DEST_ROUTER ? "router" :
					"none";
}

void
fp_pipeline_init(struct fp_pipeline *p, const struct fp_ftables *t, struct rte_mempool *mp)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->mp = mp;
}

void
fp_pipeline_punt_attach(struct fp_pipeline *p, struct rte_ring *ring, uint32_t pps)
{
	p->punt = ring;
	p->punt_pps = pps;
}

static inline int
fdb_key_eq(const struct fp_fdb_key *a, const struct fp_fdb_key *b)
{
	uint64_t a8, b8;
	uint32_t a4, b4;

	memcpy(&a8, a, 8);
	memcpy(&b8, b, 8);
	memcpy(&a4, (const uint8_t *)a + 8, 4);
	memcpy(&b4, (const uint8_t *)b + 8, 4);
	return ((a8 ^ b8) | (uint64_t)(a4 ^ b4)) == 0;
}

static inline void
fdb_key_set(struct fp_fdb_key *k, uint32_t vni, const uint8_t *mac)
{
	memset(k, 0, sizeof(*k));
	k->vni = vni;
	memcpy(k->mac, mac, 6);
}

/* FDB lookups for a burst's keys.  Consecutive packets of a burst mostly
 * go to the same destination, so a key equal to the one before reuses its
 * result (a last-key cache, STYLE 6) and only the distinct keys are looked
 * up, in bulk.  Sets data[j] for every hit; returns the hit mask.
 */
static __rte_always_inline uint64_t
fdb_lookup_burst(const struct rte_hash *h, const struct fp_fdb_key *keys, uint16_t n, void *data[])
{
	const void *uk[FP_BURST];
	void *ud[FP_BURST];
	uint8_t map[FP_BURST];
	uint64_t uhits = 0, hits = 0;
	uint16_t nu = 0, j;

	for (j = 0; j < n; j++) {
		if (j == 0 || !fdb_key_eq(&keys[j], &keys[j - 1]))
			uk[nu++] = &keys[j];
		map[j] = (uint8_t)(nu - 1);
	}
	rte_hash_lookup_bulk_data(h, uk, nu, &uhits, ud);
	for (j = 0; j < n; j++) {
		data[j] = ud[map[j]];
		hits |= ((uhits >> map[j]) & 1ULL) << j;
	}
	return hits;
}

/* Prefetch: mbuf headers 2 * FP_PREFETCH_OFFSET ahead, packet data (whose
 * address needs the header) FP_PREFETCH_OFFSET ahead.
 */
static inline void
prefetch_prologue(struct rte_mbuf *pkts[], uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n && i < 2 * FP_PREFETCH_OFFSET; i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n && i < FP_PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
}

static inline void
prefetch_step(struct rte_mbuf *pkts[], uint16_t n, uint16_t i)
{
	if (i + 2 * FP_PREFETCH_OFFSET < n)
		rte_prefetch0(pkts[i + 2 * FP_PREFETCH_OFFSET]);
	if (i + FP_PREFETCH_OFFSET < n)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + FP_PREFETCH_OFFSET], void *));
}

static inline void
emit(struct fp_pipe_out *out, uint16_t port, struct rte_mbuf *m)
{
	out->port[out->n] = port;
	out->pkts[out->n] = m;
	out->n++;
}

/* Push an 802.1Q tag with VLAN id vlan (0: none) onto m.  Returns
 * FP_PARSE_OK or a drop reason.
 */
static inline unsigned int
vlan_push(struct rte_mbuf *m, uint16_t vlan)
{
	uint8_t *f;

	if (vlan == 0)
		return FP_PARSE_OK;
	f = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(struct fp_vlan_hdr));
	if (unlikely(f == NULL))
		return FP_DROP_NO_HEADROOM;
	memmove(f, f + sizeof(struct fp_vlan_hdr), 12);
	fp_put16(f + 12, FP_ETH_P_8021Q);
	fp_put16(f + 14, vlan);
	return FP_PARSE_OK;
}

/* Ready m to leave physical port pt tagged with vlan: a routed frame
 * takes the chassis MAC as its source (the router's MAC is every host's:
 * the physical switches must never see it), then the tag.  Returns
 * FP_PARSE_OK or a drop reason.
 */
static inline unsigned int
phys_prepare(const struct fp_ftables *t, struct rte_mbuf *m, const struct pkt_state *ps,
	     uint16_t vlan)
{
	if (ps->flags & PS_F_ROUTED)
		memcpy(rte_pktmbuf_mtod(m, uint8_t *) + 6, t->chassis_mac, 6);
	return vlan_push(m, vlan);
}

/* Send m back out the port it came in on (an answer, an ICMP error):
 * tagged as it came on a physical port.  Frees it when it cannot.
 */
static inline int
emit_back(const struct fp_ftables *t, struct rte_mbuf *m, const struct pkt_state *ps,
	  uint16_t in_port, struct fp_pipe_out *out)
{
	if (ps->flags & PS_F_PHYS) {
		/* The router's answer: from the chassis MAC, as routed frames. */
		memcpy(rte_pktmbuf_mtod(m, uint8_t *) + 6, t->chassis_mac, 6);
		if (vlan_push(m, ps->in_vlan) != FP_PARSE_OK) {
			rte_pktmbuf_free(m);
			return -1;
		}
	}
	emit(out, in_port, m);
	return 0;
}

static void __rte_cold
trace_drop(struct fp_trace *tr, unsigned int reason)
{
	tr->hdr.drop = (uint16_t)reason;
	trace_add(tr, FP_TRACE_DROP, "%s", FP_NAMES_GET(fp_names_drop, reason));
}

static __rte_always_inline void
drop(struct fp_pipeline *p, struct rte_mbuf *m, unsigned int reason, struct fp_trace *tr)
{
	if (tr != NULL)
		trace_drop(tr, reason);
	p->stats.drop[reason]++;
	p->stats.n[FP_STAT_DROP]++;
	rte_pktmbuf_free(m);
}

/* The security-group step's trace record. */
static void __rte_cold
trace_sg(struct fp_trace *tr, uint32_t port_id, uint32_t dir, const struct fp_sg_result *res)
{
	char rule[24] = "", state[40] = "", l4[64] = "";
	const struct fp_sg_pkt *q = &res->p;

	if (res->rule_id)
		snprintf(rule, sizeof(rule), ", rule %u", res->rule_id);
	if (res->state < FP_CT_STATE_MAX)
		snprintf(state, sizeof(state), ", state %s",
			 FP_NAMES_GET(fp_names_ct_state, res->state));
	if (res->what > FP_SG_WHAT_INVALID) {
		if (q->frag == FP_SG_FRAG_LATER)
			snprintf(l4, sizeof(l4), " proto %u later fragment", q->proto);
		else if (q->proto == FP_SG_PROTO_TCP)
			snprintf(l4, sizeof(l4), " proto %u %u > %u flags 0x%02x", q->proto,
				 q->sport, q->dport, q->tcp_flags);
		else if (fp_sg_proto_has_ports(q->proto))
			snprintf(l4, sizeof(l4), " proto %u %u > %u", q->proto, q->sport, q->dport);
		else if (fp_sg_is_icmp(q))
			snprintf(l4, sizeof(l4), " icmp type %u code %u", q->icmp_type,
				 q->icmp_code);
		else
			snprintf(l4, sizeof(l4), " proto %u", q->proto);
	}
	trace_add(tr, FP_TRACE_SG, "port %u %s:%s %s%s%s", port_id,
		  dir == FP_SG_DIR_EGRESS ? "egress" : "ingress", l4, fp_sg_what_str(res->what),
		  rule, state);
}

/* The burst's time and security-group generation, read at its first
 * filtered packet.
 */
static inline void
sg_clock(struct fp_pipeline *p)
{
	if (p->now_ns == 0) {
		p->now_ns = fp_clock_now_ns();
		p->sg_gen = fp_ftables_sg_gen(p->t);
	}
}

/* The security-group step for a prepared packet (fp_sg_prepare(), then
 * fp_sg_lookup_bulk()) of filtered port pt: FP_DROP_MAX (passes) or the
 * drop reason (counted for the port; the caller drops the packet).  A
 * trace changes no connection.
 */
static __rte_noinline unsigned int
sg_step(struct fp_pipeline *p, const struct fp_dp_port *pt, struct fp_sg_work *w,
	struct fp_trace *tr)
{
	const struct fp_sg_result *res = &w->res;
	uint32_t r;

	sg_clock(p);
	r = fp_sg_decide(p->t, pt, w, p->now_ns, p->sg_gen, tr != NULL, &p->sg_burst);
	if (tr != NULL)
		trace_sg(tr, w->port_id, w->dir, res);
	if (res->stat[0] < FP_STAT_MAX)
		p->stats.n[res->stat[0]]++;
	if (res->stat[1] < FP_STAT_MAX)
		p->stats.n[res->stat[1]]++;
	if (r < FP_DROP_MAX && w->port_id < FP_PORT_MAX)
		p->stats.sg_drop[w->port_id][w->dir]++;
	return r;
}

/* Look the prepared packets' connections up at once (the cache misses
 * of a large table overlap).
 */
static inline void
sg_lookup_bulk(struct fp_pipeline *p, struct fp_sg_work *const w[], uint16_t n)
{
	if (n == 0)
		return;
	sg_clock(p);
	fp_sg_lookup_bulk(p->t, w, n, p->now_ns);
}

/* The security-group step for one packet of filtered port port_id going
 * dir, on its own (a flood copy's).
 */
static __rte_noinline unsigned int
sg_step_one(struct fp_pipeline *p, uint32_t port_id, const struct fp_dp_port *pt, uint32_t dir,
	    const struct rte_mbuf *m, struct fp_trace *tr)
{
	struct fp_sg_work w, *wl = &w;

	fp_sg_prepare(port_id, dir, rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
		      &w);
	sg_lookup_bulk(p, &wl, 1);
	return sg_step(p, pt, &w, tr);
}

static inline int
mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return ((a4 ^ b4) | (uint32_t)(a2 ^ b2)) == 0;
}

static inline void
ip_from_v4(struct fp_ip *ip, const uint8_t *v4)
{
	memset(ip->b, 0, 10);
	ip->b[10] = 0xff;
	ip->b[11] = 0xff;
	memcpy(ip->b + 12, v4, 4);
}

static inline uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return rte_be_to_cpu_64(v);
}

/* An address as two host-order halves, for prefix tests in registers. */
struct ip128 {
	uint64_t hi; /* bytes 0..7 */
	uint64_t lo; /* bytes 8..15 */
};

static inline struct ip128
ip128_v4(const uint8_t *v4)
{
	return (struct ip128){ .hi = 0, .lo = 0xffff00000000ULL | fp_get32(v4) };
}

static inline struct ip128
ip128_load(const uint8_t *p)
{
	return (struct ip128){ .hi = load_be64(p), .lo = load_be64(p + 8) };
}

/* May the port send from (mac, ip)? */
static inline int
addr_allowed(const struct fp_dp_port *pt, const uint8_t *mac, struct ip128 ip)
{
	uint32_t i;

	for (i = 0; i < pt->n_addrs; i++) {
		const struct fp_dp_addr *a = &pt->addrs[i];

		if ((((ip.hi ^ a->hi) & a->mask_hi) | ((ip.lo ^ a->lo) & a->mask_lo)) == 0 &&
		    mac_eq(a->mac, mac))
			return 1;
	}
	return 0;
}

/* Is mac one the port may use as a source? */
static inline int
mac_allowed(const struct fp_dp_port *pt, const uint8_t *mac)
{
	uint32_t i;

	if (mac_eq(pt->v.mac, mac))
		return 1;
	for (i = 0; i < pt->n_addrs; i++) {
		if (mac_eq(pt->addrs[i].mac, mac))
			return 1;
	}
	return 0;
}

/* Anti-spoofing for a frame from a VM port: FP_PARSE_OK or a drop. */
static __rte_always_inline unsigned int
check_source(const struct fp_ftables *t, const struct fp_dp_port *pt, const uint8_t *f,
	     const struct fp_pkt_meta *m)
{
	static const uint8_t zero16[16];
	const uint8_t *src = f + 6, *l3 = f + m->l3_off;

	if (src[0] & 1)
		return FP_DROP_BAD_SRC_MAC;
	if (!(pt->v.flags & FP_PORT_F_ANTISPOOF))
		return FP_PARSE_OK;
	if (!mac_allowed(pt, src))
		return FP_DROP_SPOOF_MAC;
	switch (m->ethertype) {
	case FP_ETH_P_IPV4:
		if (fp_get32(l3 + 12) == 0) {
			/* DHCP discover/request before the lease. */
			if ((m->flags & FP_META_F_L4) && m->l4_proto == FP_IPPROTO_UDP &&
			    m->sport == 68 && m->dport == 67)
				return FP_PARSE_OK;
			return FP_DROP_SPOOF_IP;
		}
		return addr_allowed(pt, src, ip128_v4(l3 + 12)) ? FP_PARSE_OK : FP_DROP_SPOOF_IP;
	case FP_ETH_P_IPV6:
		if (memcmp(l3 + 8, zero16, 16) == 0)
			/* DAD and MLD reports come from :: */
			return m->l4_proto == FP_IPPROTO_ICMPV6 ? FP_PARSE_OK : FP_DROP_SPOOF_IP;
		if (memcmp(l3 + 8, pt->lladdr, 16) == 0 && mac_eq(src, pt->v.mac))
			return FP_PARSE_OK;
		return addr_allowed(pt, src, ip128_load(l3 + 8)) ? FP_PARSE_OK : FP_DROP_SPOOF_IP;
	case FP_ETH_P_ARP:
		/* The sender hardware address must be the frame's source. */
		if (!mac_eq(l3 + 8, src))
			return FP_DROP_SPOOF_MAC;
		if (fp_get32(l3 + 14) == 0)
			return FP_PARSE_OK; /* ARP probe (RFC 5227) */
		return addr_allowed(pt, src, ip128_v4(l3 + 14)) ? FP_PARSE_OK : FP_DROP_SPOOF_IP;
	default:
		/* RARP and the permitted ethertypes (sg.h fp_sg_ethertype()). */
		return fp_sg_ethertype_check(t, m->ethertype, FP_SG_DIR_EGRESS);
	}
}

/* The address an ARP request or a neighbour solicitation asks for.
 * Returns 1 with *ip set, 0 for another ARP/ICMPv6 message or a DAD probe,
 * -1 (and ps->drop) when it is malformed.
 */
static int
solicited_ip(const uint8_t *f, struct pkt_state *ps, struct fp_ip *ip)
{
	int r;

	if (ps->meta.ethertype == FP_ETH_P_ARP) {
		r = fp_arp_is_request(f, &ps->meta);
		if (r > 0)
			ip_from_v4(ip, f + ps->meta.l3_off + 24);
		ps->drop = FP_DROP_BAD_ARP;
	} else {
		const uint8_t *target;

		r = fp_nd_ns_parse(f, &ps->meta, &target);
		if (r > 0)
			memcpy(ip->b, target, 16);
		ps->drop = FP_DROP_BAD_ND;
	}
	return r;
}

/* Answer a request solicited_ip() accepted, in place, for mac, and send
 * it back on the ingress port.  Returns V_DONE, or V_DROP (ps->drop).
 */
static int
answer(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, const uint8_t mac[6],
       uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);

	TRACE(tr, REPLY, "%s reply with %s, back on port %u",
	      ps->meta.ethertype == FP_ETH_P_ARP ? "arp" : "neighbour advertisement", tmac(mac).s,
	      in_port);

	if (ps->meta.ethertype == FP_ETH_P_ARP) {
		fp_arp_reply_build(f, &ps->meta, mac);
		p->stats.n[FP_STAT_ARP_REPLY]++;
	} else {
		uint32_t need = (uint32_t)ps->meta.l3_off + FP_ND_NA_L3_LEN;

		if (rte_pktmbuf_data_len(m) < need &&
		    rte_pktmbuf_append(m, (uint16_t)(need - rte_pktmbuf_data_len(m))) == NULL) {
			ps->drop = FP_DROP_NO_HEADROOM;
			return V_DROP;
		}
		rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - fp_nd_na_build(f, &ps->meta, mac));
		p->stats.n[FP_STAT_ND_REPLY]++;
	}
	p->stats.n[FP_STAT_TX]++;
	emit(out, in_port, m);
	return V_DONE;
}

/* ARP request or neighbour solicitation from a VM for a known neighbour
 * in the same VNI: answered.  Returns V_DONE, V_FLOOD, or V_DROP.
 */
static __rte_always_inline int
respond(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, uint32_t vrf,
	uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct fp_neigh_val *n;
	struct fp_ip ip;
	int r = solicited_ip(f, ps, &ip);

	if (r < 0)
		return V_DROP;
	if (r == 0) {
		TRACE(tr, NEIGH, "not a request for an address (or a DAD probe): flood");
		return V_FLOOD;
	}
	n = fp_ftables_neigh(p->t, vrf, &ip);
	if (n == NULL || n->vni != ps->vni || mac_eq(n->mac, f + 6)) {
		if (n == NULL)
			TRACE(tr, NEIGH, "vrf %u %s: no entry: flood", vrf, tip(ip.b).s);
		else
			TRACE(tr, NEIGH, "vrf %u %s -> %s vni %u: %s: flood", vrf, tip(ip.b).s,
			      tmac(n->mac).s, n->vni,
			      n->vni != ps->vni ? "other vni" : "the sender's own");
		return V_FLOOD;
	}
	TRACE(tr, NEIGH, "vrf %u %s -> %s vni %u: answered", vrf, tip(ip.b).s, tmac(n->mac).s,
	      n->vni);
	return answer(p, m, ps, n->mac, in_port, out, tr);
}

/* Tell the sender its packet does not fit the tunnel. */
static void
send_too_big(struct fp_pipeline *p, struct rte_mbuf *m, const struct pkt_state *ps, uint16_t mtu,
	     uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	struct rte_mbuf *e;
	uint32_t len;
	uint8_t *buf;

	if (p->mp == NULL || !fp_pipeline_icmp_take(p, tr))
		return;
	e = rte_pktmbuf_alloc(p->mp);
	if (e == NULL)
		return;
	buf = rte_pktmbuf_mtod(e, uint8_t *);
	len = fp_icmp_too_big_build(buf, rte_pktmbuf_tailroom(e), rte_pktmbuf_mtod(m, uint8_t *),
				    &ps->meta, mtu);
	if (len == 0 || rte_pktmbuf_append(e, len) == NULL) {
		rte_pktmbuf_free(e);
		return;
	}
	p->stats.n[FP_STAT_ICMP_TOO_BIG]++;
	TRACE(tr, REPLY, "icmp too big (mtu %u) back on port %u", mtu, in_port);
	emit_back(p->t, e, ps, in_port, out);
}

/* Length of the inner packet as the tunnel MTU counts it. */
static inline uint32_t
inner_l3_len(const struct rte_mbuf *m, const struct fp_pkt_meta *meta)
{
	if (meta->l3_len)
		return meta->l3_len;
	return rte_pktmbuf_data_len(m) - meta->l3_off;
}

/* Encapsulate m toward vtep v.  Returns FP_PARSE_OK or a drop reason. */
static inline unsigned int
encap(struct rte_mbuf *m, const struct fp_dp_vtep *v, uint32_t vni, uint32_t hash)
{
	uint32_t inner_len = rte_pktmbuf_data_len(m);
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, v->tmpl.len);

	if (unlikely(h == NULL))
		return FP_DROP_NO_HEADROOM;
	fp_encap_write(h, &v->tmpl, vni, fp_flow_sport(hash), inner_len);
	return FP_PARSE_OK;
}

/* Storm control: may VM port in_port flood once more?  A token bucket per
 * port in this worker's pipeline (guard.storm_pps packets a second, up to
 * guard.storm_burst at once), kept as time credit in nanoseconds: a flood
 * costs 1e9 / pps ns, the credit grows with the time since the port's last
 * flood and is capped at burst floods.  A trace (a private pipeline)
 * reports its own bucket and takes nothing from it.
 */
static inline int
bucket_take(struct fp_storm *b, uint64_t now, uint32_t pps, uint32_t burst, int take)
{
	uint64_t cost = 1000000000ULL / pps, cap = cost * burst, credit;

	credit = b->last_ns == 0 || now - b->last_ns >= cap ? cap :
							      b->credit_ns + (now - b->last_ns);
	if (credit > cap)
		credit = cap;
	if (credit < cost) {
		if (take) {
			b->credit_ns = credit;
			b->last_ns = now;
		}
		return 0;
	}
	if (take) {
		b->credit_ns = credit - cost;
		b->last_ns = now;
	}
	return 1;
}

int
fp_pipeline_icmp_take(struct fp_pipeline *p, struct fp_trace *tr)
{
	uint32_t pps = __atomic_load_n(&p->t->guard.icmp_pps, __ATOMIC_RELAXED);

	if (pps == 0)
		return 1;
	sg_clock(p);
	if (!bucket_take(&p->icmp_bucket, p->now_ns, pps,
			 __atomic_load_n(&p->t->guard.icmp_burst, __ATOMIC_RELAXED), tr == NULL)) {
		p->stats.n[FP_STAT_ICMP_RATE_LIMITED]++;
		TRACE(tr, REPLY, "icmp errors over %u/s: none sent", pps);
		return 0;
	}
	return 1;
}

static inline int
storm_pass(struct fp_pipeline *p, uint16_t in_port, struct fp_trace *tr)
{
	uint32_t pps = __atomic_load_n(&p->t->guard.storm_pps, __ATOMIC_RELAXED);

	if (pps == 0 || in_port >= FP_PORT_MAX)
		return 1;
	sg_clock(p);
	if (!bucket_take(&p->storm[in_port], p->now_ns, pps,
			 __atomic_load_n(&p->t->guard.storm_burst, __ATOMIC_RELAXED), tr == NULL)) {
		TRACE(tr, FLOOD, "storm control: port %u over %u floods/s", in_port, pps);
		return 0;
	}
	return 1;
}
#define NOT_PHYS 0xffff /* flood(): a copy that does not leave a physical port */

/* Send a copy (or, for the last member, the packet itself) to every flood
 * member.  from_vm: the packet came from a VM port in_port, or was routed
 * here (members that are vteps get it encapsulated, physical ports get
 * it tagged); otherwise it came from the underlay or a physical port and
 * only local ports get it (split horizon: never back out a tunnel or a
 * physical port, no loops).
 */
static void
flood(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, int from_vm,
      uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	const struct fp_flood_val *fl = fp_ftables_flood(p->t, ps->vni);
	uint16_t targets[FP_FLOOD_MEMBER_MAX], vlans[FP_FLOOD_MEMBER_MAX];
	const struct fp_dp_vtep *vteps[FP_FLOOD_MEMBER_MAX];
	uint32_t i, n = 0, hash = 0, sent = 0, l3len;
	unsigned int sg_drop = FP_DROP_MAX;

	if (from_vm && unlikely(!storm_pass(p, in_port, tr))) {
		drop(p, m, FP_DROP_STORM_CONTROL, tr);
		return;
	}
	if (fl == NULL) {
		TRACE(tr, FLOOD, "vni %u: no flood list", ps->vni);
		drop(p, m, FP_DROP_NO_FLOOD_LIST, tr);
		return;
	}
	TRACE(tr, FLOOD, "vni %u: %u members%s", ps->vni, fl->n_members,
	      from_vm ? "" : " (from the underlay or a physical port: local ports only)");
	l3len = inner_l3_len(m, &ps->meta);
	for (i = 0; i < fl->n_members && i < FP_FLOOD_MEMBER_MAX; i++) {
		const struct fp_flood_member *fm = &fl->members[i];

		if (fm->type == FP_DEST_PORT) {
			const struct fp_dp_port *dp = fp_ftables_port(p->t, fm->id);

			if (fm->id == in_port || dp == NULL || dp->v.role != FP_PORT_ROLE_VM ||
			    dp->v.vni != ps->vni) {
				TRACE(tr, FLOOD, "port %u: skipped (%s)", fm->id,
				      fm->id == in_port		    ? "ingress port" :
				      dp == NULL		    ? "no such port" :
				      dp->v.role != FP_PORT_ROLE_VM ? "not a vm port" :
								      "other vni");
				continue;
			}
			if (dp->v.flags & FP_PORT_F_SG) {
				unsigned int r = sg_step_one(p, fm->id, dp, FP_SG_DIR_INGRESS, m,
							     tr);

				if (r != FP_DROP_MAX) {
					TRACE(tr, FLOOD, "port %u: skipped (security groups: %s)",
					      fm->id, FP_NAMES_GET(fp_names_drop, r));
					sg_drop = r;
					continue;
				}
			}
			TRACE(tr, FLOOD, "port %u: copy", fm->id);
			vteps[n] = NULL;
			vlans[n] = NOT_PHYS;
			targets[n++] = (uint16_t)fm->id;
		} else if (from_vm && fm->type == FP_DEST_PHYS) {
			const struct fp_dp_port *dp = fp_ftables_port(p->t, fm->id);

			if (dp == NULL || dp->v.role != FP_PORT_ROLE_PHYSICAL ||
			    l3len > dp->v.mtu) {
				TRACE(tr, FLOOD, "phys %u: skipped (%s)", fm->id,
				      dp == NULL || dp->v.role != FP_PORT_ROLE_PHYSICAL ?
					      "not a physical port" :
					      "longer than its mtu");
				continue;
			}
			TRACE(tr, FLOOD, "phys %u: copy, vlan %u", fm->id, fm->vlan);
			vteps[n] = NULL;
			vlans[n] = fm->vlan;
			targets[n++] = (uint16_t)fm->id;
		} else if (from_vm && fm->type == FP_DEST_VTEP) {
			const struct fp_dp_vtep *v = fp_ftables_vtep(p->t, fm->id);

			if (v == NULL || l3len > v->tmpl.max_inner_l3) {
				TRACE(tr, FLOOD, "vtep %u: skipped (%s)", fm->id,
				      v == NULL ? "no such vtep" : "too big for the tunnel");
				continue;
			}
			TRACE(tr, FLOOD, "vtep %u: copy to %s via port %u", fm->id,
			      tip(v->v.remote.b).s, v->v.underlay_port);
			vteps[n] = v;
			vlans[n] = NOT_PHYS;
			targets[n++] = (uint16_t)v->v.underlay_port;
		} else {
			TRACE(tr, FLOOD, "%s %u: skipped (split horizon)", dest_name(fm->type),
			      fm->id);
		}
	}
	if (n == 0) {
		drop(p, m, sg_drop != FP_DROP_MAX ? sg_drop : FP_DROP_FLOOD_EMPTY, tr);
		return;
	}
	if (from_vm)
		hash = fp_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *), &ps->meta);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *c = m;

		if (i + 1 < n) {
			c = rte_pktmbuf_copy(m, p->mp, 0, UINT32_MAX);
			if (c == NULL)
				continue;
		}
		if (vteps[i] != NULL) {
			if (encap(c, vteps[i], ps->vni, hash) != FP_PARSE_OK) {
				TRACE(tr, ENCAP, "copy to port %u: no headroom", targets[i]);
				rte_pktmbuf_free(c);
				continue;
			}
			TRACE(tr, ENCAP, "%s vni %u, %u outer bytes, copy to port %u",
			      vteps[i]->v.encap == FP_ENCAP_GENEVE ? "geneve" : "vxlan", ps->vni,
			      vteps[i]->tmpl.len, targets[i]);
			p->stats.n[FP_STAT_ENCAP]++;
		} else if (vlans[i] != NOT_PHYS &&
			   phys_prepare(p->t, c, ps, vlans[i]) != FP_PARSE_OK) {
			TRACE(tr, DELIVER, "copy to phys %u: no headroom", targets[i]);
			rte_pktmbuf_free(c);
			continue;
		}
		p->stats.n[FP_STAT_FLOOD_COPY]++;
		emit(out, targets[i], c);
		sent++;
	}
	if (sent == 0) {
		if (tr != NULL)
			trace_drop(tr, FP_DROP_NO_MBUF);
		p->stats.drop[FP_DROP_NO_MBUF]++;
		p->stats.n[FP_STAT_DROP]++;
		return;
	}
	p->stats.n[FP_STAT_FLOOD]++;
	p->stats.n[FP_STAT_TX]++;
}

/* Deliver to a local VM port of the packet's VNI. */
static __rte_always_inline void
deliver_local(struct fp_pipeline *p, struct rte_mbuf *m, uint32_t vni, uint32_t port_id,
	      struct fp_sg_work *w, struct fp_pipe_out *out, struct fp_trace *tr)
{
	const struct fp_dp_port *dp = fp_ftables_port(p->t, port_id);

	if (unlikely(dp == NULL || dp->v.role != FP_PORT_ROLE_VM)) {
		TRACE(tr, DELIVER, "port %u: %s", port_id,
		      dp == NULL ? "no such port" : "not a vm port");
		drop(p, m, FP_DROP_DEST_MISSING, tr);
		return;
	}
	if (unlikely(dp->v.vni != vni)) {
		TRACE(tr, DELIVER, "port %u has vni %u, the packet %u", port_id, dp->v.vni, vni);
		drop(p, m, FP_DROP_VNI_MISMATCH, tr);
		return;
	}
	if (dp->v.flags & FP_PORT_F_SG) {
		unsigned int r = w != NULL ? sg_step(p, dp, w, tr) :
					     sg_step_one(p, port_id, dp, FP_SG_DIR_INGRESS, m, tr);

		if (r != FP_DROP_MAX) {
			drop(p, m, r, tr);
			return;
		}
	}
	TRACE(tr, DELIVER, "local port %u (vni %u)", port_id, vni);
	p->stats.n[FP_STAT_LOCAL]++;
	p->stats.n[FP_STAT_TX]++;
	emit(out, (uint16_t)port_id, m);
}

static inline int
is_linear(struct rte_mbuf *m)
{
	return m->nb_segs == 1;
}

/* Act on the FDB result for a packet from a VM port. */
/* The FDB step of a trace: the key and what it found (fv NULL: a miss). */
static void __rte_cold
trace_fdb(struct fp_trace *tr, const struct rte_mbuf *m, uint32_t vni, const struct fp_fdb_val *fv)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	if (fv == NULL)
		trace_add(tr, FP_TRACE_FDB, "vni %u %s: miss: flood", vni, tmac(f).s);
	else
		trace_add(tr, FP_TRACE_FDB, "vni %u %s -> %s %u", vni, tmac(f).s,
			  dest_name(fv->type), fv->id);
}

static void route_forward(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps,
			  struct fp_fdb_val fv, int from_vm, uint16_t in_port,
			  struct fp_pipe_out *out, struct fp_trace *tr);
static __rte_always_inline void underlay_forward(struct fp_pipeline *p, struct rte_mbuf *m,
						 struct pkt_state *ps, int hit, void *data,
						 struct fp_sg_work *w, uint16_t in_port,
						 struct fp_pipe_out *out, struct fp_trace *tr);

/* Send m out physical port port_id of its provider network, tagged with
 * vlan (0: untagged): an fdb entry's phys destination.  A frame longer
 * than the port's MTU gets ICMP too big (IPv4 with DF, IPv6) and is
 * dropped as too_big.
 */
static __rte_noinline void
phys_send(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, uint32_t port_id,
	  uint16_t vlan, uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	const struct fp_dp_port *dp = fp_ftables_port(p->t, port_id);
	unsigned int r;

	if (unlikely(dp == NULL || dp->v.role != FP_PORT_ROLE_PHYSICAL)) {
		TRACE(tr, DELIVER, "phys %u: not a physical port", port_id);
		drop(p, m, FP_DROP_DEST_MISSING, tr);
		return;
	}
	if (unlikely(inner_l3_len(m, &ps->meta) > dp->v.mtu)) {
		TRACE(tr, DELIVER, "phys %u: %u bytes > its mtu %u", port_id,
		      inner_l3_len(m, &ps->meta), dp->v.mtu);
		/* A routed frame is already rewritten: its error was the
		 * routing step's (fp_route_step() checks the egress MTU).
		 */
		if (!(ps->flags & PS_F_ROUTED))
			send_too_big(p, m, ps, dp->v.mtu, in_port, out, tr);
		drop(p, m, FP_DROP_TOO_BIG, tr);
		return;
	}
	r = phys_prepare(p->t, m, ps, vlan);
	if (unlikely(r != FP_PARSE_OK)) {
		drop(p, m, r, tr);
		return;
	}
	TRACE(tr, DELIVER, "phys %u, vlan %u%s", port_id, vlan,
	      (ps->flags & PS_F_ROUTED) ? ", from the chassis mac" : "");
	p->stats.n[FP_STAT_TX]++;
	emit(out, (uint16_t)port_id, m);
}

static __rte_always_inline void
vm_forward(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, int hit, void *data,
	   struct fp_sg_work *w, uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	struct fp_fdb_val fv;

	if (!hit) {
		if (tr != NULL)
			trace_fdb(tr, m, ps->vni, NULL);
		/* A frame a physical port sent to the router floods as the
		 * physical port's: no storm control (a VM port's), local
		 * ports only (every host saw it: split horizon).
		 */
		flood(p, m, ps, !(ps->flags & PS_F_PHYS), in_port, out, tr);
		return;
	}
	fv = fp_ftables_fdb_decode(data);
	if (tr != NULL)
		trace_fdb(tr, m, ps->vni, &fv);
	switch (fv.type) {
	case FP_DEST_PORT:
		if (fv.id == in_port) {
			drop(p, m, FP_DROP_HAIRPIN, tr);
			return;
		}
		deliver_local(p, m, ps->vni, fv.id, w, out, tr);
		return;
	case FP_DEST_VTEP: {
		const struct fp_dp_vtep *v = fp_ftables_vtep(p->t, fv.id);
		unsigned int r;

		if (unlikely(v == NULL)) {
			TRACE(tr, VTEP, "vtep %u: no such vtep", fv.id);
			drop(p, m, FP_DROP_DEST_MISSING, tr);
			return;
		}
		TRACE(tr, VTEP, "vtep %u: remote %s local %s nh-mac %s port %u, inner mtu %u",
		      fv.id, tip(v->v.remote.b).s, tip(v->v.local.b).s, tmac(v->v.nh_mac).s,
		      v->v.underlay_port, v->tmpl.max_inner_l3);
		if (unlikely(inner_l3_len(m, &ps->meta) > v->tmpl.max_inner_l3)) {
			send_too_big(p, m, ps, v->tmpl.max_inner_l3, in_port, out, tr);
			drop(p, m, FP_DROP_TOO_BIG, tr);
			return;
		}
		r = encap(m, v, ps->vni,
			  fp_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *), &ps->meta));
		if (unlikely(r != FP_PARSE_OK)) {
			drop(p, m, r, tr);
			return;
		}
		TRACE(tr, ENCAP, "%s vni %u, %u outer bytes, to port %u",
		      v->v.encap == FP_ENCAP_GENEVE ? "geneve" : "vxlan", ps->vni, v->tmpl.len,
		      v->v.underlay_port);
		p->stats.n[FP_STAT_ENCAP]++;
		p->stats.n[FP_STAT_TX]++;
		emit(out, (uint16_t)v->v.underlay_port, m);
		return;
	}
	case FP_DEST_ROUTER:
		route_forward(p, m, ps, fv, 1, in_port, out, tr);
		return;
	case FP_DEST_PHYS:
		phys_send(p, m, ps, fv.id, fv.flags, in_port, out, tr);
		return;
	default:
		drop(p, m, FP_DROP_DEST_UNSUPPORTED, tr);
		return;
	}
}

/* A frame from VM port in_port to the MAC of router fv.id: ARP and
 * neighbour solicitations for the router's addresses are answered (as
 * broadcast ones are); the rest is routed (dataplane/route.c) and
 * switched in the egress network as a frame from in_port: fdb → local
 * port (security groups ingress) or vtep (encapsulated with the egress
 * VNI), a miss floods there.  A frame routed into another router's MAC is
 * dropped (one routing step a packet).  A frame to a floating IP's MAC
 * (fv.flags FP_FDB_F_EXTERNAL) has its destination translated first; it
 * may come from the underlay too (from_vm 0: the outside on another
 * host): then only local ports get the routed packet (split horizon, as
 * any frame from the underlay) and no ICMP error goes back.  A frame from
 * a physical port (from_vm 0, PS_F_PHYS: an external or provider network's
 * traffic to the router) is routed as a VM's, its answers and ICMP errors
 * sent back out tagged (emit_back), its ARP/NS to the router dropped.
 */
static __rte_noinline void
route_forward(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, struct fp_fdb_val fv,
	      int from_vm, uint16_t in_port, struct fp_pipe_out *out, struct fp_trace *tr)
{
	struct fp_route_res res;
	struct fp_fdb_key k;
	uint32_t vrf = fv.id;
	int phys = (ps->flags & PS_F_PHYS) != 0; /* from a physical port (from_vm 0) */
	const uint8_t *fip = NULL;
	uint8_t fip_b[4];
	void *data = NULL;
	unsigned int v;
	int hit;

	if ((from_vm || phys) &&
	    (ps->meta.ethertype == FP_ETH_P_ARP ||
	     (ps->meta.ethertype == FP_ETH_P_IPV6 && ps->meta.l4_proto == FP_IPPROTO_ICMPV6 &&
	      (ps->meta.flags & FP_META_F_L4) &&
	      rte_pktmbuf_mtod(m, const uint8_t *)[ps->meta.l4_off] == FP_ICMP6_NS))) {
		/* From a physical port: the requester's host answers (every
		 * host answering one MAC would make the switches flap).
		 */
		if (phys) {
			TRACE(tr, ROUTE, "vrf %u: neighbour request from a physical port", vrf);
			drop(p, m, FP_DROP_TO_ROUTER, tr);
			return;
		}
		TRACE(tr, ROUTE, "vrf %u: %s to the router: neighbour responder", vrf,
		      ps->meta.ethertype == FP_ETH_P_ARP ? "arp" : "neighbour solicitation");
		/* The gateway's neigh entry lives in the port's network
		 * (keyed by the port's vrf, as broadcast requests find it), not
		 * under the router's vrf.
		 */
		v = (unsigned int)respond(p, m, ps, fp_ftables_port(p->t, in_port)->v.vrf, in_port,
					  out, tr);
		if (v == V_DROP)
			drop(p, m, ps->drop, tr);
		else if (v != V_DONE)
			drop(p, m, FP_DROP_TO_ROUTER, tr);
		return;
	}
	/* A frame from the underlay was only decapsulated: parse its
	 * headers now (the translation and the routing step need them).
	 */
	if (!from_vm && !phys) {
		v = fp_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				   FP_PARSE_F_IP_CSUM, &ps->meta);
		/* An overlay network's frames carry no tag (as a VM port's). */
		if (v == FP_PARSE_OK && ps->meta.n_vlans)
			v = FP_DROP_VLAN_DENIED;
		if (v != FP_PARSE_OK) {
			drop(p, m, v, tr);
			return;
		}
	}
	if (fv.flags & FP_FDB_F_EXTERNAL) {
		/* The floating IP, for the ICMP errors about the packet. */
		if (ps->meta.ethertype == FP_ETH_P_IPV4) {
			memcpy(fip_b, rte_pktmbuf_mtod(m, const uint8_t *) + ps->meta.l3_off + 16,
			       4);
			fip = fip_b;
		}
		vrf = fp_route_dnat(p->t, ps->vni, vrf, m, &ps->meta, tr);
		if (vrf == 0) {
			drop(p, m, FP_DROP_NO_ROUTE, tr);
			return;
		}
	}
	/* ICMP errors go back to a VM or a physical port, never to the
	 * underlay: none is built for a frame from there.
	 */
	v = fp_route_step(p->t, from_vm || phys ? p : NULL, vrf, m, &ps->meta, fip, &res,
			  &p->rt_cache, tr);
	if (res.err != NULL && (from_vm || phys)) {
		p->stats.n[res.err_stat]++;
		emit_back(p->t, res.err, ps, in_port, out);
	} else if (res.err != NULL) {
		rte_pktmbuf_free(res.err);
	}
	if (v == FP_ROUTE_V_DROP) {
		drop(p, m, res.drop, tr);
		return;
	}
	/* An answer of the router's goes back to a local port or out the
	 * physical port it came in on, never to the underlay.
	 */
	if (v == FP_ROUTE_V_REPLY && !from_vm && !phys) {
		drop(p, m, FP_DROP_TO_ROUTER, tr);
		return;
	}
	p->stats.n[res.stat]++;
	ps->flags |= PS_F_ROUTED;
	if (v == FP_ROUTE_V_REPLY && (ps->flags & PS_F_PHYS)) {
		TRACE(tr, DELIVER, "back out phys %u, vlan %u", in_port, ps->in_vlan);
		if (emit_back(p->t, m, ps, in_port, out) == 0) {
			p->stats.n[FP_STAT_TX]++;
		} else {
			if (tr != NULL)
				trace_drop(tr, FP_DROP_NO_HEADROOM);
			p->stats.drop[FP_DROP_NO_HEADROOM]++;
			p->stats.n[FP_STAT_DROP]++;
		}
		return;
	}
	if (v == FP_ROUTE_V_REPLY) {
		deliver_local(p, m, ps->vni, in_port, NULL, out, tr);
		return;
	}
	ps->vni = res.vni;
	fdb_key_set(&k, res.vni, rte_pktmbuf_mtod(m, const uint8_t *));
	if (p->rt_cache.fdb_valid && fdb_key_eq(&k, &p->rt_cache.fdb_key)) {
		hit = (int)p->rt_cache.fdb_hit;
		data = p->rt_cache.fdb_data;
	} else {
		hit = rte_hash_lookup_data(p->t->fdb, &k, &data) >= 0;
		p->rt_cache.fdb_key = k;
		p->rt_cache.fdb_hit = (uint32_t)hit;
		p->rt_cache.fdb_data = data;
		p->rt_cache.fdb_valid = 1;
	}
	if (hit && fp_ftables_fdb_decode(data).type == FP_DEST_ROUTER) {
		TRACE(tr, FDB, "vni %u: the next hop is a router's mac: not routed twice", res.vni);
		drop(p, m, FP_DROP_DEST_UNSUPPORTED, tr);
		return;
	}
	/* Its delivery's security groups: one packet at a time (w NULL). */
	if (from_vm || phys)
		vm_forward(p, m, ps, hit, data, NULL, in_port, out, tr);
	else
		underlay_forward(p, m, ps, hit, data, NULL, in_port, out, tr);
}

/* Act on the FDB result for a packet from the underlay (already
 * decapsulated) or from a physical port: only local ports are
 * destinations (split horizon); on a physical port, a router's MAC is
 * routed (an external or provider network's traffic to the router).
 */
static __rte_always_inline void
underlay_forward(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, int hit,
		 void *data, struct fp_sg_work *w, uint16_t in_port, struct fp_pipe_out *out,
		 struct fp_trace *tr)
{
	struct fp_fdb_val fv;

	if (!hit) {
		if (tr != NULL)
			trace_fdb(tr, m, ps->vni, NULL);
		flood(p, m, ps, 0, in_port, out, tr);
		return;
	}
	fv = fp_ftables_fdb_decode(data);
	if (tr != NULL)
		trace_fdb(tr, m, ps->vni, &fv);
	if (fv.type == FP_DEST_PORT)
		deliver_local(p, m, ps->vni, fv.id, w, out, tr);
	else if (fv.type == FP_DEST_VTEP || fv.type == FP_DEST_PHYS)
		drop(p, m, FP_DROP_HAIRPIN, tr);
	else if (fv.type == FP_DEST_ROUTER &&
		 ((fv.flags & FP_FDB_F_EXTERNAL) || (ps->flags & PS_F_PHYS)))
		route_forward(p, m, ps, fv, 0, in_port, out, tr);
	else
		drop(p, m, FP_DROP_DEST_UNSUPPORTED, tr);
}

/* The ingress security-group step of the unicast packets that go to a
 * filtered local port, prepared and looked up in bulk before they are
 * acted on (w[i]: packet i's, or NULL).
 */
static __rte_always_inline void
ingress_prepare(struct fp_pipeline *p, struct rte_mbuf *pkts[], const struct pkt_state ps[],
		uint16_t n, uint64_t hits, void *const data[], int from_vm, uint16_t in_port,
		struct fp_sg_work sgw[], struct fp_sg_work *w[])
{
	struct fp_sg_work *wl[FP_BURST];
	uint16_t i, j, n_sg = 0;

	for (i = 0, j = 0; i < n; i++) {
		const struct fp_dp_port *dp;
		struct fp_fdb_val fv;

		w[i] = NULL;
		if (ps[i].verdict != V_FDB)
			continue;
		if (!((hits >> j++) & 1))
			continue;
		fv = fp_ftables_fdb_decode(data[j - 1]);
		if (fv.type != FP_DEST_PORT || (from_vm && fv.id == in_port))
			continue;
		dp = fp_ftables_port(p->t, fv.id);
		if (dp == NULL || !(dp->v.flags & FP_PORT_F_SG))
			continue;
		fp_sg_prepare(fv.id, FP_SG_DIR_INGRESS, rte_pktmbuf_mtod(pkts[i], const uint8_t *),
			      rte_pktmbuf_data_len(pkts[i]), &sgw[i]);
		w[i] = &sgw[i];
		wl[n_sg++] = &sgw[i];
	}
	sg_lookup_bulk(p, wl, n_sg);
}

/* The stages after classify, shared by both port roles: FDB lookups for
 * the unicast packets (keys[0..n_fdb), in packet order), in bulk; the
 * ingress security-group lookups of those delivered to filtered local
 * ports, in bulk (in sgw, the caller's, free again after its egress
 * step); then act on each packet's verdict.  from_vm is a constant at each
 * call, so each caller gets its own specialised copy.
 */
static __rte_always_inline void
act_burst(struct fp_pipeline *p, struct rte_mbuf *pkts[], struct pkt_state ps[], uint16_t n,
	  const struct fp_fdb_key keys[], uint16_t n_fdb, int from_vm, uint16_t in_port,
	  struct fp_sg_work sgw[], struct fp_pipe_out *out, struct fp_trace *tr)
{
	struct fp_sg_work *w[FP_BURST];
	void *data[FP_BURST];
	uint64_t hits = 0;
	uint16_t i, j;

	if (n_fdb)
		hits = fdb_lookup_burst(p->t->fdb, keys, n_fdb, data);
	ingress_prepare(p, pkts, ps, n, hits, data, from_vm, in_port, sgw, w);
	for (i = 0, j = 0; i < n; i++) {
		struct pkt_state *s = &ps[i];

		switch (s->verdict) {
		case V_DROP:
			drop(p, pkts[i], s->drop, tr);
			break;
		case V_FDB:
			if (from_vm)
				vm_forward(p, pkts[i], s, (hits >> j) & 1, data[j], w[i], in_port,
					   out, tr);
			else
				underlay_forward(p, pkts[i], s, (hits >> j) & 1, data[j], w[i],
						 in_port, out, tr);
			j++;
			break;
		case V_FLOOD:
			flood(p, pkts[i], s, from_vm, in_port, out, tr);
			break;
		default:
			break;
		}
	}
}

/* The parse step of a trace: what fp_parse_frame() found. */
static void __rte_cold
trace_parse(struct fp_trace *tr, const uint8_t *f, uint32_t len, const struct fp_pkt_meta *m,
	    unsigned int r)
{
	char l4[48] = "";

	if (r != FP_PARSE_OK) {
		trace_add(tr, FP_TRACE_PARSE, "%u bytes: refused", len);
		return;
	}
	if (m->flags & FP_META_F_L4)
		snprintf(l4, sizeof(l4), " proto %u ports %u > %u", m->l4_proto, m->sport,
			 m->dport);
	else if (m->l3_len)
		snprintf(l4, sizeof(l4), " proto %u%s", m->l4_proto,
			 (m->flags & FP_META_F_FRAG) ? " fragment" : "");
	trace_add(tr, FP_TRACE_PARSE, "%u bytes %s > %s ethertype 0x%04x%s%s", len, tmac(f + 6).s,
		  tmac(f).s, m->ethertype, m->n_vlans ? " vlan-tagged" : "", l4);
}

/* Could the frame be one for the slow path?  Parsed fields only: the
 * fast path's whole cost for every other frame.
 */
static __rte_always_inline int
punt_candidate(const struct fp_pkt_meta *m)
{
	return (m->flags & (FP_META_F_L4 | FP_META_F_FRAG)) == FP_META_F_L4 &&
	       ((m->l4_proto == FP_IPPROTO_UDP && (m->dport == 67 || m->dport == 547)) ||
		m->l4_proto == FP_IPPROTO_ICMPV6);
}

/* Is the frame one the slow path answers: DHCPv4 from the client port
 * to 255.255.255.255 or the entry's server with the port's dhcp entry,
 * DHCPv6 to ff02::1:2 or a link-local address with its dhcp6 entry, a
 * router solicitation to ff02::2 or a link-local address with the
 * network's ra entry?  Without an entry the frame goes its way as before.
 */
static __rte_noinline int
punt_wanted(const struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	    const uint8_t *f, const struct fp_pkt_meta *m, struct fp_trace *tr)
{
	static const uint8_t all_dhcp6[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	const uint8_t *l3 = f + m->l3_off, *dst;
	const struct fp_dhcp_val *d;
	int ll;

	if (m->ethertype == FP_ETH_P_IPV4) {
		if (m->l4_proto != FP_IPPROTO_UDP || m->dport != 67 || m->sport != 68)
			return 0;
		d = fp_ftables_dhcp(p->t, in_port);
		if (d == NULL ||
		    (fp_get32(l3 + 16) != 0xffffffffU && memcmp(l3 + 16, d->server, 4)))
			return 0;
		TRACE(tr, CLASSIFY, "dhcp: port %u has a dhcp entry: slow path", in_port);
		return 1;
	}
	/* The slow path reads DHCPv6 and RS at fixed offsets (UDP or ICMPv6
	 * right after the IPv6 header, fp_slowpath_answer()): a frame with
	 * extension headers goes its way.
	 */
	if (m->ethertype != FP_ETH_P_IPV6 || m->l4_off != m->l3_off + 40)
		return 0;
	dst = l3 + 24;
	ll = dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80;
	if (m->l4_proto == FP_IPPROTO_UDP) {
		if (m->dport != 547 || (!ll && memcmp(dst, all_dhcp6, 16) != 0) ||
		    fp_ftables_dhcp6(p->t, in_port) == NULL)
			return 0;
		TRACE(tr, CLASSIFY, "dhcpv6: port %u has a dhcp6 entry: slow path", in_port);
		return 1;
	}
	if (f[m->l4_off] != FP_ICMP6_RS || (!ll && memcmp(dst, all_routers, 16) != 0) ||
	    fp_ftables_ra(p->t, pt->v.vni) == NULL)
		return 0;
	TRACE(tr, CLASSIFY, "router solicitation: vni %u has an ra entry: slow path", pt->v.vni);
	return 1;
}

/* Punt a frame (punt_wanted()) to the slow path: V_DONE, or V_DROP with
 * punt_rate (the port's bucket is empty) or punt_full (the ring is).  A
 * trace (or a pipeline without a ring) counts it punted and frees it.
 */
static __rte_noinline int
punt(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *s, uint16_t in_port,
     struct fp_trace *tr)
{
	if (p->punt_pps != 0) {
		sg_clock(p);
		if (!bucket_take(&p->punt_bucket[in_port], p->now_ns, p->punt_pps, p->punt_pps,
				 tr == NULL)) {
			TRACE(tr, CLASSIFY, "port %u over %u punts/s", in_port, p->punt_pps);
			s->drop = FP_DROP_PUNT_RATE;
			return V_DROP;
		}
	}
	if (tr != NULL || p->punt == NULL) {
		TRACE(tr, CLASSIFY, "punted to the slow path (a trace: not answered)");
		rte_pktmbuf_free(m);
		p->stats.n[FP_STAT_PUNT]++;
		return V_DONE;
	}
	m->hash.usr = in_port;
	if (rte_ring_sp_enqueue(p->punt, m) != 0) {
		s->drop = FP_DROP_PUNT_FULL;
		return V_DROP;
	}
	p->stats.n[FP_STAT_PUNT]++;
	return V_DONE;
}

/* Classify a packet from a VM port after its checks (r: FP_PARSE_OK or
 * the drop reason): an FDB lookup, the neighbour responder or a flood.
 */
static __rte_always_inline void
vm_classify(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	    struct rte_mbuf *m, struct pkt_state *s, unsigned int r, struct fp_fdb_key keys[],
	    uint16_t *n_fdb, struct fp_pipe_out *out, struct fp_trace *tr)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	if (r != FP_PARSE_OK) {
		s->drop = (uint16_t)r;
		return;
	}
	if (unlikely(punt_candidate(&s->meta)) && (p->punt != NULL || tr != NULL) &&
	    punt_wanted(p, pt, in_port, f, &s->meta, tr)) {
		s->verdict = (uint8_t)punt(p, m, s, in_port, tr);
		return;
	}
	if (!(f[0] & 1)) {
		TRACE(tr, CLASSIFY, "unicast in vni %u: fdb lookup", s->vni);
		s->verdict = V_FDB;
		fdb_key_set(&keys[(*n_fdb)++], s->vni, f);
	} else if (s->meta.ethertype == FP_ETH_P_ARP ||
		   (s->meta.l4_proto == FP_IPPROTO_ICMPV6 && s->meta.ethertype == FP_ETH_P_IPV6)) {
		TRACE(tr, CLASSIFY, "%s in vni %u: neighbour responder",
		      s->meta.ethertype == FP_ETH_P_ARP ? "arp" : "icmpv6 multicast", s->vni);
		s->verdict = (uint8_t)respond(p, m, s, pt->v.vrf, in_port, out, tr);
	} else {
		TRACE(tr, CLASSIFY, "broadcast/multicast in vni %u: flood", s->vni);
		s->verdict = V_FLOOD;
	}
}

static __rte_always_inline void
vm_burst(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	 struct rte_mbuf *pkts[], uint16_t n, struct fp_pipe_out *out, struct fp_trace *tr)
{
	struct pkt_state ps[FP_BURST];
	struct fp_fdb_key keys[FP_BURST];
	struct fp_sg_work sgw[FP_BURST];
	struct fp_sg_work *wl[FP_BURST];
	const int sg = (pt->v.flags & FP_PORT_F_SG) != 0;
	uint16_t n_fdb = 0, n_sg = 0, i;

	/* Stage 1: parse, check the source; then classify, or on a
	 * filtered port prepare the egress security-group step (the port's
	 * flag is the same for the whole burst: a predictable branch).
	 */
	prefetch_prologue(pkts, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct pkt_state *s = &ps[i];
		const uint8_t *f;
		unsigned int r;

		prefetch_step(pkts, n, i);
		s->verdict = V_DROP;
		s->flags = 0;
		s->vni = pt->v.vni;
		if (unlikely(!is_linear(m))) {
			s->drop = FP_DROP_MULTI_SEGMENT;
			continue;
		}
		f = rte_pktmbuf_mtod(m, const uint8_t *);
		r = fp_parse_frame(f, rte_pktmbuf_data_len(m), 0, &s->meta);
		if (tr != NULL)
			trace_parse(tr, f, rte_pktmbuf_data_len(m), &s->meta, r);
		if (r == FP_PARSE_OK && s->meta.n_vlans)
			r = FP_DROP_VLAN_DENIED;
		if (r == FP_PARSE_OK) {
			r = check_source(p->t, pt, f, &s->meta);
			TRACE(tr, SOURCE, "%s from port %u (antispoof %s): %s", tmac(f + 6).s,
			      in_port, (pt->v.flags & FP_PORT_F_ANTISPOOF) ? "on" : "off",
			      r == FP_PARSE_OK ? "allowed" : "refused");
		}
		if (!sg) {
			vm_classify(p, pt, in_port, m, s, r, keys, &n_fdb, out, tr);
			continue;
		}
		s->drop = (uint16_t)r;
		if (r == FP_PARSE_OK) {
			fp_sg_prepare(in_port, FP_SG_DIR_EGRESS, f, rte_pktmbuf_data_len(m),
				      &sgw[i]);
			wl[n_sg++] = &sgw[i];
		}
	}
	/* Stage 2: the connections of the filtered packets, in bulk. */
	sg_lookup_bulk(p, wl, n_sg);
	/* Stage 3: the egress security-group step, classify. */
	for (i = 0; sg && i < n; i++) {
		unsigned int r = ps[i].drop;

		if (r == FP_PARSE_OK) {
			r = sg_step(p, pt, &sgw[i], tr);
			if (r == FP_DROP_MAX)
				r = FP_PARSE_OK;
		}
		vm_classify(p, pt, in_port, pkts[i], &ps[i], r, keys, &n_fdb, out, tr);
	}

	act_burst(p, pkts, ps, n, keys, n_fdb, 1, in_port, sgw, out, tr);
}

/* Is ip one of our VTEP addresses?  The address comes in registers: a
 * struct assembled in memory from smaller stores would stall the wide
 * loads of the compare (store forwarding fails).
 */
static inline int
local_vtep(const struct fp_ftables *t, struct ip128 ip)
{
	uint32_t i;

	for (i = 0; i < t->n_local_vteps; i++) {
		const uint8_t *b = t->local_vteps[i].b;

		if (load_be64(b) == ip.hi && load_be64(b + 8) == ip.lo)
			return 1;
	}
	return 0;
}

/* ARP or NS on the underlay for one of our VTEP addresses: answered with
 * the port's MAC.  Returns V_DONE, or V_DROP with ps->drop set.
 */
static __rte_always_inline int
underlay_respond(struct fp_pipeline *p, const struct fp_dp_port *pt, struct rte_mbuf *m,
		 struct pkt_state *ps, uint16_t in_port, struct fp_pipe_out *out,
		 struct fp_trace *tr)
{
	struct fp_ip ip;
	int r = solicited_ip(rte_pktmbuf_mtod(m, const uint8_t *), ps, &ip);

	if (r < 0)
		return V_DROP;
	ps->drop = FP_DROP_UNDERLAY_NOT_TUNNEL;
	if (r == 0) {
		TRACE(tr, NEIGH, "not a request for an address");
		return V_DROP;
	}
	if (!local_vtep(p->t, ip128_load(ip.b))) {
		TRACE(tr, NEIGH, "request for %s: not a local vtep address", tip(ip.b).s);
		return V_DROP;
	}
	TRACE(tr, NEIGH, "request for local vtep %s: answered", tip(ip.b).s);
	return answer(p, m, ps, pt->v.mac, in_port, out, tr);
}

/* Is the inner source MAC of a frame from the underlay placed elsewhere
 * by the fdb of its VNI: at a local port, or at a vtep whose address is
 * not the outer source src?  A router's MAC is not (it is every host's).
 */
static inline int
inner_src_spoofed(const struct fp_ftables *t, uint32_t vni, const uint8_t *mac,
		  const struct fp_ip *src, struct fp_trace *tr)
{
	struct fp_fdb_key k;
	struct fp_fdb_val v;
	const struct fp_dp_vtep *vt;
	void *data;

	fdb_key_set(&k, vni, mac);
	if (rte_hash_lookup_data(t->fdb, &k, &data) < 0)
		return 0;
	v = fp_ftables_fdb_decode(data);
	/* A distributed router has one MAC on every host: a packet another
	 * host routed carries it as its source (doc/routing.md).
	 */
	if (v.type == FP_DEST_ROUTER)
		return 0;
	if (v.type != FP_DEST_VTEP) {
		TRACE(tr, DECAP, "inner source %s: the fdb places it at %s %u here", tmac(mac).s,
		      dest_name(v.type), v.id);
		return 1;
	}
	vt = fp_ftables_vtep(t, v.id);
	if (vt == NULL || memcmp(vt->v.remote.b, src->b, 16) == 0)
		return 0;
	TRACE(tr, DECAP, "inner source %s: the fdb places it at vtep %u (%s), not the sender",
	      tmac(mac).s, v.id, tip(vt->v.remote.b).s);
	return 1;
}

static __rte_always_inline int
underlay_classify(struct fp_pipeline *p, const struct fp_dp_port *pt, struct rte_mbuf *m,
		  struct pkt_state *ps, uint16_t in_port, struct fp_pipe_out *out,
		  struct fp_trace *tr)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct fp_tunnel_meta tm;
	struct fp_ip src;
	struct ip128 dst;
	unsigned int r;
	uint32_t udp_end, inner_len;

	if (unlikely(!is_linear(m))) {
		ps->drop = FP_DROP_MULTI_SEGMENT;
		return V_DROP;
	}
	r = fp_parse_frame(f, rte_pktmbuf_data_len(m), FP_PARSE_F_IP_CSUM, &ps->meta);
	if (tr != NULL)
		trace_parse(tr, f, rte_pktmbuf_data_len(m), &ps->meta, r);
	if (r != FP_PARSE_OK) {
		ps->drop = (uint16_t)r;
		return V_DROP;
	}
	if (ps->meta.ethertype == FP_ETH_P_ARP ||
	    (ps->meta.ethertype == FP_ETH_P_IPV6 && ps->meta.l4_proto == FP_IPPROTO_ICMPV6 &&
	     (f[0] & 1))) {
		TRACE(tr, CLASSIFY, "%s on the underlay: vtep address responder",
		      ps->meta.ethertype == FP_ETH_P_ARP ? "arp" : "icmpv6 multicast");
		return underlay_respond(p, pt, m, ps, in_port, out, tr);
	}
	if (!mac_eq(f, pt->v.mac)) {
		TRACE(tr, TUNNEL, "destination %s is not port %u's mac %s", tmac(f).s, in_port,
		      tmac(pt->v.mac).s);
		ps->drop = FP_DROP_NOT_OUR_MAC;
		return V_DROP;
	}
	if (ps->meta.ethertype == FP_ETH_P_IPV4) {
		dst = ip128_v4(f + ps->meta.l3_off + 16);
	} else if (ps->meta.ethertype == FP_ETH_P_IPV6) {
		dst = ip128_load(f + ps->meta.l3_off + 24);
	} else {
		ps->drop = FP_DROP_UNDERLAY_NOT_TUNNEL;
		return V_DROP;
	}
	if (!local_vtep(p->t, dst)) {
		TRACE(tr, TUNNEL, "destination address is not a local vtep");
		ps->drop = FP_DROP_NOT_LOCAL_VTEP;
		return V_DROP;
	}
	if (ps->meta.flags & FP_META_F_FRAG) {
		ps->drop = FP_DROP_UNDERLAY_FRAG;
		return V_DROP;
	}
	r = fp_parse_tunnel(f, rte_pktmbuf_data_len(m), &ps->meta, &tm);
	if (r != FP_PARSE_OK) {
		TRACE(tr, TUNNEL, "to a local vtep: not a valid vxlan/geneve packet");
		ps->drop = (uint16_t)r;
		return V_DROP;
	}
	TRACE(tr, TUNNEL, "%s to a local vtep, vni %u",
	      tm.encap == FP_ENCAP_GENEVE ? "geneve" : "vxlan", tm.vni);
	if (!fp_ftables_vni_served(p->t, tm.vni)) {
		TRACE(tr, DECAP, "vni %u is not served here (no flood list)", tm.vni);
		ps->drop = FP_DROP_UNKNOWN_VNI;
		return V_DROP;
	}
	if (ps->meta.ethertype == FP_ETH_P_IPV4)
		ip_from_v4(&src, f + ps->meta.l3_off + 12);
	else
		memcpy(src.b, f + ps->meta.l3_off + 8, 16);
	if (__atomic_load_n(&p->t->guard.strict_source, __ATOMIC_RELAXED) &&
	    !fp_ftables_vtep_src_has(p->t, tm.vni, &src)) {
		TRACE(tr, DECAP, "vni %u: source %s is not a vtep of its flood list or fdb", tm.vni,
		      tip(src.b).s);
		ps->drop = FP_DROP_VTEP_NOT_SERVING;
		return V_DROP;
	}
	/* Strip the outer headers and any bytes after the UDP datagram. */
	udp_end = ps->meta.l4_off + fp_get16(f + ps->meta.l4_off + 4);
	inner_len = udp_end - tm.inner_off;
	rte_pktmbuf_adj(m, tm.inner_off);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - inner_len);
	p->stats.n[FP_STAT_DECAP]++;
	ps->vni = tm.vni;
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	/* Only the inner Ethernet header is needed to switch; the rest of
	 * the inner frame is carried as it is.
	 */
	memset(&ps->meta, 0, sizeof(ps->meta));
	ps->meta.l3_off = sizeof(struct fp_eth_hdr);
	ps->meta.ethertype = fp_get16(f + 12);
	TRACE(tr, DECAP, "vni %u inner %u bytes %s > %s ethertype 0x%04x", tm.vni, inner_len,
	      tmac(f + 6).s, tmac(f).s, ps->meta.ethertype);
	if (f[6] & 1) {
		ps->drop = FP_DROP_BAD_SRC_MAC;
		return V_DROP;
	}
	if (__atomic_load_n(&p->t->guard.inner_src_mac, __ATOMIC_RELAXED) &&
	    inner_src_spoofed(p->t, tm.vni, f + 6, &src, tr)) {
		ps->drop = FP_DROP_INNER_SPOOF;
		return V_DROP;
	}
	TRACE(tr, CLASSIFY, "%s in vni %u: %s", (f[0] & 1) ? "broadcast/multicast" : "unicast",
	      tm.vni, (f[0] & 1) ? "flood" : "fdb lookup");
	return (f[0] & 1) ? V_FLOOD : V_FDB;
}

/* A frame from physical port in_port: its 802.1Q tag (or none) and the
 * port are a provider network's segment (unknown: unknown_segment); the
 * tag is popped and the frame is switched in that network as one from
 * the underlay (local ports only, split horizon), a router's MAC routed.
 */
static __rte_always_inline int
phys_classify(struct fp_pipeline *p, struct rte_mbuf *m, struct pkt_state *ps, uint16_t in_port,
	      struct fp_trace *tr)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned int r;
	uint32_t vlan = 0;

	ps->flags = PS_F_PHYS;
	if (unlikely(!is_linear(m))) {
		ps->drop = FP_DROP_MULTI_SEGMENT;
		return V_DROP;
	}
	r = fp_parse_frame(f, rte_pktmbuf_data_len(m), 0, &ps->meta);
	if (tr != NULL)
		trace_parse(tr, f, rte_pktmbuf_data_len(m), &ps->meta, r);
	if (r != FP_PARSE_OK) {
		ps->drop = (uint16_t)r;
		return V_DROP;
	}
	/* One 802.1Q tag or none (a priority tag, VLAN id 0, is none). */
	if (ps->meta.n_vlans > 1 || (ps->meta.n_vlans == 1 && fp_get16(f + 12) != FP_ETH_P_8021Q)) {
		TRACE(tr, CLASSIFY, "port %u: stacked or 802.1ad tags: no segment", in_port);
		ps->drop = FP_DROP_UNKNOWN_SEGMENT;
		return V_DROP;
	}
	if (ps->meta.n_vlans)
		vlan = ps->meta.vlan_tci & 0xfff;
	ps->vni = fp_ftables_segment(p->t, in_port, vlan);
	if (ps->vni == 0) {
		TRACE(tr, CLASSIFY, "port %u vlan %u: no segment", in_port, vlan);
		ps->drop = FP_DROP_UNKNOWN_SEGMENT;
		return V_DROP;
	}
	ps->in_vlan = (uint16_t)vlan;
	if (ps->meta.n_vlans) {
		memmove(f + sizeof(struct fp_vlan_hdr), f, 12);
		rte_pktmbuf_adj(m, sizeof(struct fp_vlan_hdr));
		f = rte_pktmbuf_mtod(m, uint8_t *);
		ps->meta.l3_off -= sizeof(struct fp_vlan_hdr);
		if (ps->meta.flags & FP_META_F_L4)
			ps->meta.l4_off -= sizeof(struct fp_vlan_hdr);
		ps->meta.n_vlans = 0;
		ps->meta.vlan_tci = 0;
	}
	if (f[6] & 1) {
		ps->drop = FP_DROP_BAD_SRC_MAC;
		return V_DROP;
	}
	TRACE(tr, CLASSIFY, "port %u vlan %u: segment of network %u; %s: %s", in_port, vlan,
	      ps->vni, (f[0] & 1) ? "broadcast/multicast" : "unicast",
	      (f[0] & 1) ? "flood to local ports" : "fdb lookup");
	return (f[0] & 1) ? V_FLOOD : V_FDB;
}

/* The stages of a burst from the underlay or (phys, a constant) a
 * physical port: classify each packet, then act_burst() as for neither
 * a VM port (split horizon).
 */
static __rte_always_inline void
underlay_burst(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	       struct rte_mbuf *pkts[], uint16_t n, struct fp_pipe_out *out, struct fp_trace *tr,
	       const int phys)
{
	struct pkt_state ps[FP_BURST];
	struct fp_fdb_key keys[FP_BURST];
	struct fp_sg_work sgw[FP_BURST];
	uint16_t n_fdb = 0, i;

	prefetch_prologue(pkts, n);
	for (i = 0; i < n; i++) {
		struct pkt_state *s = &ps[i];

		prefetch_step(pkts, n, i);
		s->flags = 0;
		s->verdict = phys ? (uint8_t)phys_classify(p, pkts[i], s, in_port, tr) :
				    (uint8_t)underlay_classify(p, pt, pkts[i], s, in_port, out, tr);
		if (s->verdict == V_FDB)
			fdb_key_set(&keys[n_fdb++], s->vni,
				    rte_pktmbuf_mtod(pkts[i], const uint8_t *));
	}
	act_burst(p, pkts, ps, n, keys, n_fdb, 0, in_port, sgw, out, tr);
}

/* One seqlock read of st into out: 0 if st.seq was even and unchanged. */
static int
stats_try(const struct fp_stats *st, struct fp_stats *out)
{
	uint64_t s1 = __atomic_load_n(&st->seq, __ATOMIC_ACQUIRE), s2;

	if (s1 & 1)
		return -EBUSY;
	memcpy(out, st, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&st->seq, __ATOMIC_RELAXED);
	return s1 == s2 ? 0 : -EBUSY;
}

static uint64_t
stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define STATS_READ_SLEEP_NS 20000

int
fp_pipeline_stats_read(const struct fp_pipeline *p, struct fp_stats *out)
{
	/* req is the one field a reader writes (an atomic counter). */
	uint64_t *req = (uint64_t *)(uintptr_t)&p->snap.req;
	const struct timespec nap = { .tv_nsec = STATS_READ_SLEEP_NS };
	uint64_t want, deadline;

	/* Between bursts (idle, asleep, stopped): the live counters. */
	if (stats_try(&p->stats, out) == 0)
		return 0;
	want = __atomic_add_fetch(req, 1, __ATOMIC_RELAXED);
	deadline = stats_now_ns() + FP_STATS_READ_WAIT_MS * 1000000ull;
	for (;;) {
		/* done >= want: a copy taken after our request. */
		if ((int64_t)(__atomic_load_n(&p->snap.done, __ATOMIC_ACQUIRE) - want) >= 0 &&
		    stats_try(&p->snap.s, out) == 0)
			return 0;
		/* The lcore may have gone idle before seeing the request. */
		if (stats_try(&p->stats, out) == 0)
			return 0;
		if (stats_now_ns() >= deadline)
			return -EBUSY;
		nanosleep(&nap, NULL);
	}
}

int
fp_pipeline_stats_add(const struct fp_pipeline *p, struct fp_stats *sum)
{
	struct fp_stats st;
	uint32_t i, j;
	int rc;

	rc = fp_pipeline_stats_read(p, &st);
	if (rc != 0)
		memcpy(&st, &p->stats, sizeof(st)); /* stuck in a burst: as they are */
	for (i = 0; i < FP_STAT_MAX; i++)
		sum->n[i] += st.n[i];
	for (i = 0; i < FP_DROP_MAX; i++)
		sum->drop[i] += st.drop[i];
	for (i = 0; i < FP_PORT_MAX; i++)
		for (j = 0; j < FP_SG_DIR_MAX; j++)
			sum->sg_drop[i][j] += st.sg_drop[i][j];
	return rc;
}

static inline void
stats_begin(struct fp_pipeline *p)
{
	__atomic_store_n(&p->stats.seq, p->stats.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* A reader asked for a copy (req moved past done): publish one. */
static __rte_noinline void
stats_publish(struct fp_pipeline *p, uint64_t req)
{
	struct fp_stats *s = &p->snap.s;

	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(s->n, p->stats.n, sizeof(*s) - offsetof(struct fp_stats, n));
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&p->snap.done, req, __ATOMIC_RELEASE);
}

static inline void
stats_end(struct fp_pipeline *p)
{
	uint64_t req = __atomic_load_n(&p->snap.req, __ATOMIC_RELAXED);

	__atomic_store_n(&p->stats.seq, p->stats.seq + 1, __ATOMIC_RELEASE);
	if (unlikely(req != p->snap.done))
		stats_publish(p, req);
}

/* The forwarding copies of the two stage loops (tr the constant NULL),
 * functions of their own as before the trace existed: the burst entry
 * point stays small (measured: inlining both into it cost encap ~2
 * cycles a packet).
 */
static __rte_noinline void
vm_burst_fwd(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	     struct rte_mbuf *pkts[], uint16_t n, struct fp_pipe_out *out)
{
	vm_burst(p, pt, in_port, pkts, n, out, NULL);
}

static __rte_noinline void
underlay_burst_fwd(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
		   struct rte_mbuf *pkts[], uint16_t n, struct fp_pipe_out *out)
{
	underlay_burst(p, pt, in_port, pkts, n, out, NULL, 0);
}

static __rte_noinline void
phys_burst_fwd(struct fp_pipeline *p, const struct fp_dp_port *pt, uint16_t in_port,
	       struct rte_mbuf *pkts[], uint16_t n, struct fp_pipe_out *out)
{
	underlay_burst(p, pt, in_port, pkts, n, out, NULL, 1);
}

/* The pipeline; tr is NULL (forwarding) or a trace record (one frame). */
static __rte_always_inline uint16_t
run_burst(struct fp_pipeline *p, uint16_t in_port, struct rte_mbuf *pkts[], uint16_t n,
	  struct fp_pipe_out *out, struct fp_trace *tr)
{
	const struct fp_dp_port *pt = fp_ftables_port(p->t, in_port);
	uint16_t before = out->n, i;

	stats_begin(p);
	p->now_ns = 0;
	fp_route_cache_clear(&p->rt_cache);
	memset(&p->sg_burst, 0, sizeof(p->sg_burst));
	p->stats.n[FP_STAT_RX] += n;
	if (unlikely(pt == NULL)) {
		TRACE(tr, PORT, "port %u: not configured", in_port);
		for (i = 0; i < n; i++)
			drop(p, pkts[i], FP_DROP_PORT_UNCONFIGURED, tr);
	} else if (pt->v.role == FP_PORT_ROLE_VM) {
		TRACE(tr, PORT, "port %u: vm, vni %u vrf %u mac %s", in_port, pt->v.vni, pt->v.vrf,
		      tmac(pt->v.mac).s);
		if (tr == NULL)
			vm_burst_fwd(p, pt, in_port, pkts, n, out);
		else
			vm_burst(p, pt, in_port, pkts, n, out, tr);
	} else if (pt->v.role == FP_PORT_ROLE_PHYSICAL) {
		TRACE(tr, PORT, "port %u: physical, mac %s", in_port, tmac(pt->v.mac).s);
		if (tr == NULL)
			phys_burst_fwd(p, pt, in_port, pkts, n, out);
		else
			underlay_burst(p, pt, in_port, pkts, n, out, tr, 1);
	} else {
		TRACE(tr, PORT, "port %u: underlay, mac %s", in_port, tmac(pt->v.mac).s);
		if (tr == NULL)
			underlay_burst_fwd(p, pt, in_port, pkts, n, out);
		else
			underlay_burst(p, pt, in_port, pkts, n, out, tr, 0);
	}
	stats_end(p);
	return (uint16_t)(out->n - before);
}

uint16_t
fp_pipeline_run_burst(struct fp_pipeline *p, uint16_t in_port, struct rte_mbuf *pkts[], uint16_t n,
		      struct fp_pipe_out *out)
{
	return run_burst(p, in_port, pkts, n, out, NULL);
}

uint16_t
fp_pipeline_trace(struct fp_pipeline *p, uint16_t in_port, struct rte_mbuf *m,
		  struct fp_pipe_out *out, struct fp_trace *tr)
{
	uint16_t before = out->n, n, i;

	memset(&tr->hdr, 0, sizeof(tr->hdr));
	tr->hdr.in_port = in_port;
	tr->hdr.drop = FP_DROP_MAX;
	n = run_burst(p, in_port, &m, 1, out, tr);
	for (i = before; i < out->n; i++)
		trace_add(tr, FP_TRACE_OUTPUT, "port %u, %u bytes", out->port[i],
			  rte_pktmbuf_pkt_len(out->pkts[i]));
	return n;
}
