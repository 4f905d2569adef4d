/* SPDX-License-Identifier: BSD-3-Clause */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/proto.h>

#include "addr.h"
#include "pkt/build.h"
#include "csum.h"

#define FP_BENCH_TCP_ACK 0x10
#define FP_BENCH_TCP_SYN 0x02

static const uint8_t vm_mac_base[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x00 };
static const uint8_t remote_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };
static const uint8_t ul_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
static const uint8_t nh_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 };
static const uint8_t router_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0xee, 0x01 };

#define FP_BENCH_ROUTE_VNI 100000  /* route: egress network of port v: this + v */
#define FP_BENCH_DST_IP 0x0a020001 /* the flows' destination (10.2.0.1) but with routes */
#define FP_BENCH_NH_IP 0x0a020001  /* with routes: next hop k is this + k */

/* A prefix drawn for the route tables: an IPv4 address, or the upper 64
 * bits of an IPv6 one (every length drawn is <= 64), and its length.
 */
struct fp_bench_pfx {
	uint64_t a;    /* the prefix, host bits zero */
	uint32_t plen; /* its length (IPv4: 0..32, IPv6: 0..64) */
	uint32_t pad;  /* zero */
};

/* BGP-like IPv4 prefix lengths, per mille of the routes: roughly the
 * Internet table's mix (most /24, then /22 and /23), with a few longer
 * prefixes and 3 % host routes as a tenant's extra routes add.
 */
static const uint16_t v4_mix[33] = {
	[8] = 1,    [9] = 1,	[10] = 1,   [11] = 2,  [12] = 3,  [13] = 5,  [14] = 8,
	[15] = 10,  [16] = 14,	[17] = 8,   [18] = 13, [19] = 25, [20] = 40, [21] = 40,
	[22] = 110, [23] = 100, [24] = 572, [25] = 2,  [26] = 2,  [27] = 2,  [28] = 2,
	[29] = 2,   [30] = 2,	[31] = 2,   [32] = 33,
};

/* BGP-like IPv6 prefix lengths, per mille (most /48, then /32). */
static const uint16_t v6_mix[65] = {
	[16] = 2,   [19] = 2,  [20] = 5,  [22] = 5,  [24] = 10,	 [28] = 20, [29] = 40,
	[32] = 150, [36] = 20, [40] = 60, [44] = 86, [48] = 500, [56] = 50, [64] = 50,
};

/* xorshift64*: the same tables and frames at every run. */
static uint64_t
rnd(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ULL;
}

static uint64_t
pfx_mask(uint32_t plen, uint32_t bits)
{
	return plen == 0 ? 0 : (~0ULL << (bits - plen)) & (bits == 64 ? ~0ULL : (1ULL << bits) - 1);
}

static int
pfx_cmp(const void *x, const void *y)
{
	const struct fp_bench_pfx *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->plen > b->plen) - (a->plen < b->plen);
}

/* One prefix: a length from the mix, an address in 11.0.0.0-223.255.255.255
 * but 127/8 (v4: never the bench's 10/8, nor what is not routed) or in
 * 2000::/3 (v6).
 */
static struct fp_bench_pfx
pfx_one(uint64_t *st, int v6)
{
	const uint16_t *mix = v6 ? v6_mix : v4_mix;
	uint32_t n = v6 ? 65 : 33, bits = v6 ? 64 : 32, r = (uint32_t)(rnd(st) % 1000), l;
	struct fp_bench_pfx p = { 0 };

	for (l = 0; l < n - 1 && r >= mix[l]; l++)
		r -= mix[l];
	p.plen = l;
	if (v6) {
		p.a = 0x2000000000000000ULL | (rnd(st) >> 3);
	} else {
		p.a = 0x0b000000U + (uint32_t)(rnd(st) % (0xe0000000ULL - 0x0b000000U));
		if ((p.a >> 24) == 127)
			p.a += 1U << 24;
	}
	p.a &= pfx_mask(l, bits);
	return p;
}

/* n distinct prefixes of a family, in random order; NULL without memory. */
static struct fp_bench_pfx *
pfx_draw(uint32_t n, int v6, uint64_t *st)
{
	struct fp_bench_pfx *p = calloc(n ? n : 1, sizeof(*p));
	uint32_t have = 0, i, k, tries;

	if (p == NULL)
		return NULL;
	for (tries = 0; have < n && tries < 64; tries++) {
		for (i = have; i < n; i++)
			p[i] = pfx_one(st, v6);
		qsort(p, n, sizeof(*p), pfx_cmp);
		for (i = 1, have = 1; i < n; i++)
			if (pfx_cmp(&p[i], &p[have - 1]) != 0)
				p[have++] = p[i];
	}
	if (have < n) {
		free(p);
		return NULL;
	}
	for (i = n - 1; i > 0; i--) {
		struct fp_bench_pfx t;

		k = (uint32_t)(rnd(st) % (i + 1));
		t = p[i];
		p[i] = p[k];
		p[k] = t;
	}
	return p;
}

/* Flow i's destination: an address of IPv4 prefix i mod n (random host
 * bits, the same for a flow at every run).
 */
static uint32_t
flow_dst(const struct fp_bench_pfx *p, uint32_t n, uint32_t i)
{
	const struct fp_bench_pfx *x = &p[i % n];
	uint64_t st = 0x9e3779b97f4a7c15ULL * (i + 1);

	return (uint32_t)(x->a | (rnd(&st) & ~pfx_mask(x->plen, 32) & 0xffffffffU));
}

static void
ip6(struct fp_ip *ip, uint8_t last)
{
	memset(ip, 0, sizeof(*ip));
	ip->b[0] = 0xfd;
	ip->b[15] = last;
}

static void
vm_mac(uint8_t mac[6], uint32_t vm)
{
	memcpy(mac, vm_mac_base, 6);
	mac[3] = (uint8_t)(vm >> 16);
	mac[4] = (uint8_t)(0x0a + (vm >> 8));
	mac[5] = (uint8_t)vm;
}

/* Inner Ethernet/IPv4/UDP frame of flow i, from src to dst; with tcp_flags,
 * Ethernet/IPv4/TCP (no options, 6 bytes of Ethernet padding) as
 * bench/gen_ct_pcaps.py writes it.
 */
static void
inner_frame(uint8_t *f, uint32_t i, const uint8_t src[6], const uint8_t dst[6], uint32_t dst_ip,
	    uint8_t tcp_flags)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;

	memset(f, 0, FP_BENCH_FRAME_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	fp_put16(f + 12, FP_ETH_P_IPV4);
	ip[0] = 0x45;
	fp_put16(ip + 2, tcp_flags ? 20 + 20 : 28 + 18);
	if (tcp_flags)
		fp_put16(ip + 6, 0x4000); /* DF, as a TCP stack sends */
	ip[8] = 64;
	ip[9] = tcp_flags ? FP_IPPROTO_TCP : FP_IPPROTO_UDP;
	ip[12] = 10;
	ip[13] = (uint8_t)(1 + i / 50000);
	ip[15] = 1;
	fp_put16(ip + 16, (uint16_t)(dst_ip >> 16));
	fp_put16(ip + 18, (uint16_t)dst_ip);
	fp_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, 20, 0)));
	fp_put16(l4, (uint16_t)(1024 + i % 50000));
	fp_put16(l4 + 2, tcp_flags ? FP_BENCH_TCP_DPORT : 5001);
	if (tcp_flags) {
		uint32_t seq = 0x10000000U + i * 7919U, sum;

		fp_put16(l4 + 4, (uint16_t)(seq >> 16));
		fp_put16(l4 + 6, (uint16_t)seq);
		if (tcp_flags & FP_BENCH_TCP_ACK) {
			fp_put16(l4 + 8, 0x2000);
			fp_put16(l4 + 10, (uint16_t)(i * 31U));
		}
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
		fp_put16(l4 + 14, 64240);
		/* Pseudo header: addresses, protocol, TCP length. */
		sum = fp_csum_partial(ip + 12, 8, 0) + FP_IPPROTO_TCP + 20;
		fp_put16(l4 + 16, fp_csum_fold(fp_csum_partial(l4, 20, sum)));
	} else {
		fp_put16(l4 + 4, 8 + 18);
	}
}

static struct fp_bench_entry *
entry_add(struct fp_bench_scenario *s, uint16_t table)
{
	struct fp_bench_entry *e = &s->entries[s->n_entries++];

	memset(e, 0, sizeof(*e));
	e->table = table;
	return e;
}

/* Rule r of a ruleset: IPv4, from/to anywhere; TCP to port dport if not 0. */
static void
rule_v4(struct fp_sg_rule *r, uint32_t id, uint16_t dport)
{
	r->rule_id = id;
	r->family = 4;
	if (dport) {
		r->flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS;
		r->proto = FP_IPPROTO_TCP;
		r->port_min = dport;
		r->port_max = dport;
	}
}

/* The filtered ports' ruleset: egress any IPv4 (Neutron's default group),
 * ingress TCP 22, 443 (a web group) and the flows' port.
 */
static void
rulesets_build(struct fp_bench_scenario *s)
{
	struct fp_bench_entry *e = entry_add(s, FP_TABLE_RULESET);

	e->key.ruleset.ruleset_id = FP_BENCH_SG_RULESET;
	e->key.ruleset.dir = FP_SG_DIR_EGRESS;
	e->val.ruleset.flags = FP_RULESET_F_STATEFUL;
	e->val.ruleset.n_rules = 1;
	rule_v4(&e->val.ruleset.rules[0], 1, 0);
	e = entry_add(s, FP_TABLE_RULESET);
	e->key.ruleset.ruleset_id = FP_BENCH_SG_RULESET;
	e->key.ruleset.dir = FP_SG_DIR_INGRESS;
	e->val.ruleset.flags = FP_RULESET_F_STATEFUL;
	e->val.ruleset.n_rules = 3;
	rule_v4(&e->val.ruleset.rules[0], 2, 22);
	rule_v4(&e->val.ruleset.rules[1], 3, 443);
	rule_v4(&e->val.ruleset.rules[2], 4, FP_BENCH_TCP_DPORT);
}

/* route: vrf 100 + v of VM port v, made before broken: the next hop's
 * neigh entry and fdb entry in the egress network, the routes, then the
 * router's MAC in the port's network.
 */
static void
router_build(struct fp_bench_scenario *s, const struct fp_bench_scenario_opts *o, uint32_t v)
{
	struct fp_bench_entry *e = entry_add(s, FP_TABLE_NEIGH);
	uint32_t k;

	/* Keyed by the egress network's id, as the engines look next hops
	 * up (doc/routing.md) and fp-control installs them.
	 */
	e->key.neigh.vrf = FP_BENCH_ROUTE_VNI + v;
	fp_addr_ip_set_v4(&e->key.neigh.ip, 0x0a020001);
	memcpy(e->val.neigh.mac, remote_mac, 6);
	e->val.neigh.vni = FP_BENCH_ROUTE_VNI + v;
	e = entry_add(s, FP_TABLE_FDB);
	e->key.fdb.vni = FP_BENCH_ROUTE_VNI + v;
	memcpy(e->key.fdb.mac, remote_mac, 6);
	e->val.fdb.type = FP_DEST_VTEP;
	e->val.fdb.id = 1;
	e = entry_add(s, FP_TABLE_ROUTE);
	e->key.route.vrf = 100 + v;
	e->key.route.plen = 96 + 16;
	fp_addr_ip_set_v4(&e->key.route.ip, 0x0a020000);
	e->val.route.type = FP_ROUTE_CONNECTED;
	e->val.route.vni = FP_BENCH_ROUTE_VNI + v;
	memcpy(e->val.route.mac, router_mac, 6);
	e->val.route.mtu = 1500;
	fp_addr_ip_set_v4(&e->val.route.addr, 0x0a0200fe);
	/* fip: the egress route is external, and every source (10.k.0.1,
	 * inner_frame()) has a floating IP 172.24.k.(v + 1).
	 */
	if (o->route == 2) {
		e->val.route.flags = FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT;
		for (k = 1; k <= 1 + (o->flows - 1) / 50000; k++) {
			e = entry_add(s, FP_TABLE_NAT);
			e->key.nat.scope = 100 + v;
			e->key.nat.dir = FP_NAT_SNAT;
			fp_addr_ip_set_v4(&e->key.nat.ip, 0x0a000001 | (k & 0xff) << 16);
			fp_addr_ip_set_v4(&e->val.nat.ip, 0xac180000 | (k & 0xff) << 8 | (v + 1));
			memcpy(e->val.nat.mac, router_mac, 6);
			e->val.nat.mac[4] = 0xf1;
			e->val.nat.scope = FP_BENCH_ROUTE_VNI + v;
		}
	}
	e = entry_add(s, FP_TABLE_ROUTE);
	e->key.route.vrf = 100 + v;
	e->key.route.plen = 96 + 8;
	fp_addr_ip_set_v4(&e->key.route.ip, 0x0a000000);
	e->val.route.type = FP_ROUTE_CONNECTED;
	e->val.route.vni = 100 + v;
	memcpy(e->val.route.mac, router_mac, 6);
	e->val.route.mtu = 1500;
	fp_addr_ip_set_v4(&e->val.route.addr, 0x0a0000fe);
	e = entry_add(s, FP_TABLE_FDB);
	e->key.fdb.vni = 100 + v;
	memcpy(e->key.fdb.mac, router_mac, 6);
	e->val.fdb.type = FP_DEST_ROUTER;
	e->val.fdb.id = 100 + v;
}

/* route with opts.routes: vrf 100 + v's next hops (neigh and fdb entries
 * in the egress network) and its nexthop routes, over prefixes p4 (IPv4,
 * n4) and p6 (IPv6, n6).
 */
static void
routes_build(struct fp_bench_scenario *s, uint32_t v, const struct fp_bench_pfx *p4, uint32_t n4,
	     const struct fp_bench_pfx *p6, uint32_t n6)
{
	struct fp_bench_entry *e;
	uint32_t k, i;

	for (k = 0; k < FP_BENCH_NEXTHOPS; k++) {
		e = entry_add(s, FP_TABLE_NEIGH);
		e->key.neigh.vrf = FP_BENCH_ROUTE_VNI + v;
		fp_addr_ip_set_v4(&e->key.neigh.ip, FP_BENCH_NH_IP + k);
		memcpy(e->val.neigh.mac, remote_mac, 6);
		e->val.neigh.mac[4] = (uint8_t)(0x10 + k);
		e->val.neigh.vni = FP_BENCH_ROUTE_VNI + v;
		e = entry_add(s, FP_TABLE_FDB);
		e->key.fdb.vni = FP_BENCH_ROUTE_VNI + v;
		memcpy(e->key.fdb.mac, remote_mac, 6);
		e->key.fdb.mac[4] = (uint8_t)(0x10 + k);
		e->val.fdb.type = FP_DEST_VTEP;
		e->val.fdb.id = 1;
	}
	for (i = 0; i < n4 + n6; i++) {
		struct fp_bench_route *r = &s->routes[s->n_routes++];

		memset(r, 0, sizeof(*r));
		r->key.vrf = 100 + v;
		if (i < n4) {
			r->key.plen = (uint8_t)(96 + p4[i].plen);
			fp_addr_ip_set_v4(&r->key.ip, (uint32_t)p4[i].a);
		} else {
			uint32_t b;

			r->key.plen = (uint8_t)p6[i - n4].plen;
			for (b = 0; b < 8; b++)
				r->key.ip.b[b] = (uint8_t)(p6[i - n4].a >> (56 - 8 * b));
		}
		r->val.type = FP_ROUTE_NEXTHOP;
		r->val.vni = FP_BENCH_ROUTE_VNI + v;
		memcpy(r->val.mac, router_mac, 6);
		r->val.mtu = 1500;
		if (i < n4)
			fp_addr_ip_set_v4(&r->val.addr, FP_BENCH_NH_IP + i % FP_BENCH_NEXTHOPS);
		else
			ip6(&r->val.addr, (uint8_t)(1 + i % FP_BENCH_NEXTHOPS));
	}
}

static void
entries_build(struct fp_bench_scenario *s, const struct fp_bench_scenario_opts *o)
{
	struct fp_bench_entry *e;
	uint32_t v;

	if (o->sg != FP_BENCH_SG_NONE)
		rulesets_build(s);
	e = entry_add(s, FP_TABLE_VTEP);

	e->key.vtep.vtep_id = 1;
	e->val.vtep.encap = (uint16_t)o->encap;
	e->val.vtep.underlay_port = FP_BENCH_UNDERLAY_PORT;
	if (o->v6) {
		ip6(&e->val.vtep.local, 1);
		ip6(&e->val.vtep.remote, 2);
	} else {
		fp_addr_ip_set_v4(&e->val.vtep.local, 0xac100001);
		fp_addr_ip_set_v4(&e->val.vtep.remote, 0xac100002);
	}
	memcpy(e->val.vtep.nh_mac, nh_mac, 6);
	for (v = 0; v < s->n_vm; v++) {
		e = entry_add(s, FP_TABLE_PORT);
		e->key.port.port_id = v;
		e->val.port.role = FP_PORT_ROLE_VM;
		e->val.port.vni = 100 + v;
		e->val.port.vrf = 100 + v;
		e->val.port.mtu = 1500;
		e->val.port.flags = FP_PORT_F_ANTISPOOF;
		if (o->sg != FP_BENCH_SG_NONE) {
			e->val.port.flags |= FP_PORT_F_SG;
			e->val.port.ruleset = FP_BENCH_SG_RULESET;
		}
		e->val.port.n_addrs = 1;
		vm_mac(e->val.port.mac, v);
		fp_addr_ip_set_v4(&e->val.port.addrs[0].ip, 0x0a000000);
		e->val.port.addrs[0].plen = 96 + 8;
	}
	for (v = 0; v < o->vnis; v++) {
		e = entry_add(s, FP_TABLE_FDB);
		e->key.fdb.vni = 100 + v;
		memcpy(e->key.fdb.mac, remote_mac, 6);
		e->val.fdb.type = FP_DEST_VTEP;
		e->val.fdb.id = 1;
		/* Decap target: the local VM of this VNI. */
		if (v < s->n_vm) {
			e = entry_add(s, FP_TABLE_FDB);
			e->key.fdb.vni = 100 + v;
			vm_mac(e->key.fdb.mac, v);
			e->val.fdb.type = FP_DEST_PORT;
			e->val.fdb.id = v;
		}
		if (o->route && v < s->n_vm)
			router_build(s, o, v);
		e = entry_add(s, FP_TABLE_FLOOD);
		e->key.flood.vni = 100 + v;
		e->val.flood.n_members = 1;
		if (v < s->n_vm) {
			e->val.flood.members[0].type = FP_DEST_PORT;
			e->val.flood.members[0].id = v;
		} else {
			e->val.flood.members[0].type = FP_DEST_VTEP;
			e->val.flood.members[0].id = 1;
		}
	}
}

int
fp_bench_scenario_build(struct fp_bench_scenario *s, const struct fp_bench_scenario_opts *o)
{
	struct fp_vtep_val rv = { .encap = (uint16_t)o->encap,
				  .underlay_port = FP_BENCH_UNDERLAY_PORT };
	struct fp_bench_pfx *p4 = NULL, *p6 = NULL;
	struct fp_encap_tmpl rt;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	if (o->flows == 0 || o->vnis == 0 || o->vnis > FP_VNI_MAX - FP_BENCH_ROUTE_VNI ||
	    o->sg > FP_BENCH_SG_NEW || (o->route && (o->decap || o->sg != FP_BENCH_SG_NONE)) ||
	    (o->routes && !o->route))
		return -EINVAL;
	s->n_vm = o->vnis < FP_BENCH_MAX_VM_PORTS ? o->vnis : FP_BENCH_MAX_VM_PORTS;
	if ((uint64_t)s->n_vm * (o->routes + o->routes / 5) > FP_BENCH_ROUTES_MAX)
		return -E2BIG;
	for (i = 0; i < s->n_vm; i++) {
		s->ports[i].id = i;
		s->ports[i].role = FP_PORT_ROLE_VM;
		s->ports[i].mtu = 1500;
		vm_mac(s->ports[i].mac, i);
	}
	s->ports[s->n_vm].id = FP_BENCH_UNDERLAY_PORT;
	s->ports[s->n_vm].role = FP_PORT_ROLE_UNDERLAY;
	s->ports[s->n_vm].mtu = 1600;
	memcpy(s->ports[s->n_vm].mac, ul_mac, 6);
	s->n_ports = s->n_vm + 1;
	if (o->v6)
		ip6(&s->local_vtep, 1);
	else
		fp_addr_ip_set_v4(&s->local_vtep, 0xac100001);
	s->entries = calloc(3 + s->n_vm + 3 * (size_t)o->vnis +
				    (5 + 2 * FP_BENCH_NEXTHOPS) * (size_t)s->n_vm +
				    (o->route == 2 ? (size_t)s->n_vm * (2 + o->flows / 50000) : 0),
			    sizeof(*s->entries));
	if (s->entries == NULL)
		return -ENOMEM;
	entries_build(s, o);
	if (o->routes) {
		uint64_t st = 42;
		uint32_t n6 = o->routes / 5, v;

		p4 = pfx_draw(o->routes, 0, &st);
		p6 = pfx_draw(n6, 1, &st);
		s->routes = calloc((size_t)s->n_vm * (o->routes + n6), sizeof(*s->routes));
		if (p4 == NULL || p6 == NULL || s->routes == NULL) {
			free(p4);
			free(p6);
			fp_bench_scenario_free(s);
			return -ENOMEM;
		}
		for (v = 0; v < s->n_vm; v++)
			routes_build(s, v, p4, o->routes, p6, n6);
		free(p6);
	}

	/* The remote side's template builds the decap input. */
	if (o->v6) {
		ip6(&rv.local, 2);
		ip6(&rv.remote, 1);
	} else {
		fp_addr_ip_set_v4(&rv.local, 0xac100002);
		fp_addr_ip_set_v4(&rv.remote, 0xac100001);
	}
	memcpy(rv.nh_mac, ul_mac, 6);
	fp_encap_tmpl_init(&rt, &rv, nh_mac, 1600);
	s->n = o->flows > o->min_frames ? o->flows : o->min_frames;
	s->frame_len = o->decap ? rt.len + FP_BENCH_FRAME_LEN : FP_BENCH_FRAME_LEN;
	s->frames = malloc((size_t)s->n * s->frame_len);
	s->in_port = calloc(s->n, sizeof(*s->in_port));
	if (s->frames == NULL || s->in_port == NULL) {
		free(p4);
		fp_bench_scenario_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < s->n; i++) {
		/* Encap: each port's packets arrive in bursts, as from its rx
		 * queue.  Decap: one underlay port, VNIs mixed in every burst.
		 */
		uint32_t flow = i % o->flows;
		uint32_t vm = o->decap ? i % s->n_vm : (i / FP_BENCH_BURST) % s->n_vm;
		uint8_t src[6], dst[6], *f = s->frames + (size_t)i * s->frame_len;
		uint8_t tcp = o->sg == FP_BENCH_SG_EST ? FP_BENCH_TCP_ACK :
			      o->sg == FP_BENCH_SG_NEW ? FP_BENCH_TCP_SYN :
							 0;

		if (o->decap) {
			vm_mac(dst, vm);
			memcpy(src, remote_mac, 6);
			inner_frame(f + rt.len, flow, src, dst, FP_BENCH_DST_IP, tcp);
			fp_encap_write(f, &rt, 100 + vm, (uint16_t)(49152 + flow % 16384),
				       FP_BENCH_FRAME_LEN);
			s->in_port[i] = FP_BENCH_UNDERLAY_PORT;
		} else {
			vm_mac(src, vm);
			memcpy(dst, o->route ? router_mac : remote_mac, 6);
			inner_frame(f, flow, src, dst,
				    p4 != NULL ? flow_dst(p4, o->routes, flow) : FP_BENCH_DST_IP,
				    tcp);
			s->in_port[i] = (uint16_t)vm;
		}
	}
	free(p4);
	return 0;
}

void
fp_bench_scenario_free(struct fp_bench_scenario *s)
{
	free(s->entries);
	free(s->routes);
	free(s->frames);
	free(s->in_port);
	memset(s, 0, sizeof(*s));
}

void
fp_bench_cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');

			if (p != NULL) {
				p += 2;
				p[strcspn(p, "\n")] = '\0';
				snprintf(buf, size, "%s", p);
			}
			break;
		}
	}
	fclose(f);
}

int
fp_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

const struct fp_bench_scen fp_bench_scens[FP_BENCH_SCEN_MAX] = {
	{ "encap", 0, FP_BENCH_SG_NONE, 0 },   { "decap", 1, FP_BENCH_SG_NONE, 0 },
	{ "sg-encap", 0, FP_BENCH_SG_EST, 0 }, { "sg-decap", 1, FP_BENCH_SG_EST, 0 },
	{ "sg-new", 0, FP_BENCH_SG_NEW, 0 },   { "route", 0, FP_BENCH_SG_NONE, 1 },
	{ "fip", 0, FP_BENCH_SG_NONE, 2 },
};

int
fp_bench_scen_wanted(const char *list, uint32_t i)
{
	char l[128], *w, *save = NULL;

	snprintf(l, sizeof(l), "%s", list);
	for (w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, fp_bench_scens[i].name) == 0 ||
		    (strcmp(w, "sg") == 0 && !fp_bench_scens[i].route) ||
		    (strcmp(w, "all") == 0 && fp_bench_scens[i].sg == FP_BENCH_SG_NONE &&
		     !fp_bench_scens[i].route))
			return 1;
	}
	return 0;
}

int
fp_bench_scen_list_ok(const char *list, char *bad, size_t size)
{
	char l[128], *w, *save = NULL;
	uint32_t i;

	snprintf(l, sizeof(l), "%s", list);
	for (w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < FP_BENCH_SCEN_MAX; i++)
			if (strcmp(w, fp_bench_scens[i].name) == 0)
				break;
		if (i == FP_BENCH_SCEN_MAX && strcmp(w, "all") != 0 && strcmp(w, "sg") != 0) {
			snprintf(bad, size, "%s", w);
			return 0;
		}
	}
	return 1;
}
