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

#define FP_BENCH_ROUTE_VNI 100000 /* route: egress network of port v: this + v */

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
inner_frame(uint8_t *f, uint32_t i, const uint8_t src[6], const uint8_t dst[6], uint8_t tcp_flags)
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
	ip[16] = 10;
	ip[17] = 2;
	ip[19] = 1;
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
	struct fp_encap_tmpl rt;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	if (o->flows == 0 || o->vnis == 0 || o->vnis > FP_VNI_MAX - FP_BENCH_ROUTE_VNI ||
	    o->sg > FP_BENCH_SG_NEW || (o->route && (o->decap || o->sg != FP_BENCH_SG_NONE)))
		return -EINVAL;
	s->n_vm = o->vnis < FP_BENCH_MAX_VM_PORTS ? o->vnis : FP_BENCH_MAX_VM_PORTS;
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
	s->entries = calloc(3 + s->n_vm + 3 * (size_t)o->vnis + 5 * (size_t)s->n_vm +
				    (o->route == 2 ? (size_t)s->n_vm * (2 + o->flows / 50000) : 0),
			    sizeof(*s->entries));
	if (s->entries == NULL)
		return -ENOMEM;
	entries_build(s, o);

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
			inner_frame(f + rt.len, flow, src, dst, tcp);
			fp_encap_write(f, &rt, 100 + vm, (uint16_t)(49152 + flow % 16384),
				       FP_BENCH_FRAME_LEN);
			s->in_port[i] = FP_BENCH_UNDERLAY_PORT;
		} else {
			vm_mac(src, vm);
			memcpy(dst, o->route ? router_mac : remote_mac, 6);
			inner_frame(f, flow, src, dst, tcp);
			s->in_port[i] = (uint16_t)vm;
		}
	}
	return 0;
}

void
fp_bench_scenario_free(struct fp_bench_scenario *s)
{
	free(s->entries);
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
