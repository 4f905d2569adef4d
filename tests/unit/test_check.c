/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/check: the entry validator both engines call, on its own (no DPDK,
 * no maps): every entry of tests/lib/bad_entries.c is refused with its
 * message over a view of the entries' world, good entries pass, and
 * without a view only the value checks run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <flowplane/ctl.h>

#include "../lib/bad_entries.h"
#include "addr.h"
#include "check.h"

/* The world of bad_entries.h: every table empty. */
static int
none_exist(void *ctx, uint16_t type, uint32_t id)
{
	(void)ctx;
	(void)type;
	(void)id;
	return 0;
}

static void
world(struct fp_check_view *v, uint16_t role[FP_PORT_MAX], uint16_t mtu[FP_PORT_MAX],
      struct fp_ip *local)
{
	memset(role, 0, FP_PORT_MAX * sizeof(role[0]));
	memset(mtu, 0, FP_PORT_MAX * sizeof(mtu[0]));
	role[0] = role[1] = FP_PORT_ROLE_VM;
	mtu[0] = mtu[1] = 1500;
	role[2] = FP_PORT_ROLE_UNDERLAY;
	mtu[2] = 1600;
	memset(local, 0, sizeof(*local));
	local->b[10] = local->b[11] = 0xff;
	local->b[12] = 172;
	local->b[13] = 16;
	local->b[15] = 1;
	*v = (struct fp_check_view){ .port_role = role,
				     .port_mtu = mtu,
				     .local_vteps = local,
				     .n_local_vteps = 1,
				     .vtep_limit = FP_BAD_VTEP_LIMIT,
				     .exists = none_exist };
}

static void
test_check_bad_entries(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_check_view v;
	struct fp_bad_entry *bad;
	struct fp_ip local;
	size_t n, i;

	(void)state;
	world(&v, role, mtu, &local);
	bad = fp_bad_entries_build(&n);
	assert_non_null(bad);
	assert_true(n >= 50);
	for (i = 0; i < n; i++) {
		const struct fp_bad_entry *e = &bad[i];
		const void *val = e->del ? NULL : &e->val;
		char msg[FP_CTL_MSG_SIZE] = "";
		int rc;

		rc = fp_check_key(e->table, &e->key, &v, msg, sizeof(msg));
		if (rc == 0)
			rc = fp_check_entry(e->table, &e->key, val, &v, msg, sizeof(msg));
		if (e->rc == -ENOENT) {
			/* A delete of a missing entry: the engine's to find. */
			assert_int_equal(rc, 0);
			continue;
		}
		if (rc != e->rc || strcmp(msg, e->msg) != 0)
			fail_msg("%s: rc %d \"%s\", want %d \"%s\"", e->desc, rc, msg, e->rc,
				 e->msg);
	}
	free(bad);
}

static void
test_check_good_entries(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_port_key pk = { .port_id = 1 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
				  .vni = 7,
				  .mtu = 1450,
				  .mac = { 2, 0, 0, 0, 0, 1 },
				  .n_addrs = 1 };
	struct fp_vtep_key vk = { .vtep_id = 15 };
	struct fp_vtep_val vv = { .encap = FP_ENCAP_GENEVE,
				  .underlay_port = 2,
				  .nh_mac = { 2, 0, 0, 0, 0, 2 } };
	struct fp_check_view v;
	struct fp_ip local;
	char msg[FP_CTL_MSG_SIZE], want[64];

	(void)state;
	world(&v, role, mtu, &local);
	pv.addrs[0].ip = local;
	pv.addrs[0].plen = 120;
	assert_int_equal(fp_check_key(FP_TABLE_PORT, &pk, &v, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_PORT, &pk, &pv, &v, msg, sizeof(msg)), 0);
	vv.local = local;
	vv.remote = local;
	vv.remote.b[15] = 2;
	assert_int_equal(fp_check_key(FP_TABLE_VTEP, &vk, &v, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), 0);
	/* An underlay MTU too small for the outer headers (50 bytes). */
	mtu[2] = 50;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "vtep 15: underlay mtu 50 too small");
	mtu[2] = 51;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, NULL, 0), 0);
	/* Without a view: the references are the engine's. */
	vv.underlay_port = 0;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(fp_check_entry(FP_TABLE_MAX, &vk, &vv, NULL, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "unknown table %u", FP_TABLE_MAX);
	assert_string_equal(msg, want);
}

/* A connected IPv4 route 10.0.1.0/24 in vrf 7 that fp-dpdk takes. */
static void
good_route(struct fp_route_key *k, struct fp_route_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->vrf = 7;
	k->plen = 96 + 24;
	fp_addr_ip_set_v4(&k->ip, 0x0a000100);
	*v = (struct fp_route_val){
		.type = FP_ROUTE_CONNECTED, .vni = 200, .mac = { 2, 0, 0, 0, 0xee, 1 }, .mtu = 1450
	};
	fp_addr_ip_set_v4(&v->addr, 0x0a000101);
}

/* Check one entry: NULL (accepted) or the message it is refused with. */
static void
expect_entry(uint16_t table, const void *k, const void *val, const struct fp_check_view *view,
	     const char *want)
{
	char msg[FP_CTL_MSG_SIZE] = "";
	int rc = fp_check_entry(table, k, val, view, msg, sizeof(msg));

	if (want == NULL) {
		if (rc != 0)
			fail_msg("refused: %s", msg);
		return;
	}
	if (rc != -EINVAL || strcmp(msg, want) != 0)
		fail_msg("rc %d \"%s\", want \"%s\"", rc, msg, want);
}

static void
expect_route(const struct fp_route_key *k, const struct fp_route_val *v,
	     const struct fp_check_view *view, const char *want)
{
	expect_entry(FP_TABLE_ROUTE, k, v, view, want);
}

/* Route values: types and the fields each needs; an engine that does not
 * route (the view's routes 0) refuses the tables by name.
 */
static void
test_check_route_nat(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_check_view v;
	struct fp_ip local;
	struct fp_route_key k;
	struct fp_route_val rv;
	struct fp_nat_key nk = { .scope = 7, .dir = FP_NAT_SNAT };
	struct fp_nat_val nv = { .scope = 500, .mac = { 2, 0, 0, 0, 0, 0x55 } };
	struct fp_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0xee, 1 } };
	struct fp_fdb_val fv = { .type = FP_DEST_ROUTER, .id = 7 };
	char msg[FP_CTL_MSG_SIZE];

	(void)state;
	world(&v, role, mtu, &local);
	v.routes = 1;
	good_route(&k, &rv);
	expect_route(&k, &rv, &v, NULL);
	expect_route(&k, NULL, &v, NULL);
	k.vrf = 0;
	expect_route(&k, &rv, &v, "route: vrf 0");
	good_route(&k, &rv);
	k.pad[1] = 1;
	expect_route(&k, &rv, &v, "route vrf 7: key pad not zero");
	good_route(&k, &rv);
	k.ip.b[15] = 1;
	expect_route(&k, &rv, &v, "route vrf 7: prefix /120: host bits set");
	good_route(&k, &rv);
	rv.type = FP_ROUTE_NONE;
	expect_route(&k, &rv, &v, "route vrf 7: unknown type 0");
	/* Flags: external on connected/nexthop routes, snat only with it;
	 * refused by an engine that does not translate (the view's nat 0).
	 */
	good_route(&k, &rv);
	rv.flags = FP_ROUTE_F_EXTERNAL;
	expect_route(&k, &rv, &v,
		     "route vrf 7: flags 0x1: external routes (floating IPs): this engine does "
		     "not translate floating IPs (doc/routing.md)");
	v.nat = 1;
	expect_route(&k, &rv, &v, NULL);
	rv.flags = FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT;
	expect_route(&k, &rv, &v, NULL);
	rv.flags = FP_ROUTE_F_SNAT;
	expect_route(&k, &rv, &v,
		     "route vrf 7: flags 0x2: external (0x1) on a connected or nexthop route, "
		     "snat (0x2) only with external");
	rv.flags = 0x4;
	expect_route(&k, &rv, &v,
		     "route vrf 7: flags 0x4: external (0x1) on a connected or nexthop route, "
		     "snat (0x2) only with external");
	rv = (struct fp_route_val){ .type = FP_ROUTE_BLACKHOLE, .flags = FP_ROUTE_F_EXTERNAL };
	expect_route(&k, &rv, &v,
		     "route vrf 7: flags 0x1: external (0x1) on a connected or nexthop route, "
		     "snat (0x2) only with external");
	v.nat = 0;
	good_route(&k, &rv);
	rv.vni = 0;
	expect_route(&k, &rv, &v,
		     "route vrf 7: vni 0: out of range (a VNI 1..16777215 or a provider network "
		     "0x1000001..0x1ffffff)");
	good_route(&k, &rv);
	rv.mac[0] = 1;
	expect_route(&k, &rv, &v, "route vrf 7: mac is not unicast");
	good_route(&k, &rv);
	rv.mtu = 0;
	expect_route(&k, &rv, &v, "route vrf 7: mtu 0 out of range 68..9600");
	good_route(&k, &rv);
	assert_true(fp_addr_ip_parse("2001:db8::1", &rv.addr) > 0);
	expect_route(&k, &rv, &v,
		     "route vrf 7: connected router address is not a unicast address of the "
		     "prefix's family");
	good_route(&k, &rv);
	rv.type = FP_ROUTE_NEXTHOP;
	memset(&rv.addr, 0, sizeof(rv.addr));
	expect_route(&k, &rv, &v,
		     "route vrf 7: nexthop next hop is not a unicast address of the prefix's "
		     "family");
	/* local: a host route of the router's own address, nothing else. */
	good_route(&k, &rv);
	k.plen = 128;
	fp_addr_ip_set_v4(&k.ip, 0x0a000101);
	rv = (struct fp_route_val){ .type = FP_ROUTE_LOCAL, .addr = k.ip };
	expect_route(&k, &rv, &v, NULL);
	rv.mtu = 1500;
	expect_route(&k, &rv, &v, "route vrf 7: local: vni, mac, mtu must be zero");
	rv.mtu = 0;
	rv.addr.b[15] = 2;
	expect_route(&k, &rv, &v,
		     "route vrf 7: local: a host prefix of a unicast address, addr the same");
	/* blackhole: no field at all; an IPv6 default route. */
	memset(&k, 0, sizeof(k));
	k.vrf = 7;
	rv = (struct fp_route_val){ .type = FP_ROUTE_BLACKHOLE };
	expect_route(&k, &rv, &v, NULL);
	rv.addr.b[0] = 0x20;
	expect_route(&k, &rv, &v, "route vrf 7: blackhole: vni, mac, mtu, addr must be zero");
	/* nat pairs: an engine that stores but does not translate them refuses
	 * a set (never accepted and ignored); a delete passes.
	 */
	fp_addr_ip_set_v4(&nk.ip, 0x0a000105);
	fp_addr_ip_set_v4(&nv.ip, 0xcb007105);
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "nat snat 7: this engine does not translate floating IPs yet "
				 "(doc/routing.md \"Not yet\")");
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, NULL, &v, msg, sizeof(msg)), 0);
	v.nat = 1;
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), 0);
	nk.dir = 2;
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "nat: direction 2, expected snat (0) or dnat (1)");
	nk.dir = FP_NAT_SNAT;
	assert_true(fp_addr_ip_parse("2001:db8::5", &nv.ip) > 0);
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(
		msg, "nat snat 7: translated ip is not a unicast address of the key's family");
	fp_addr_ip_set_v4(&nv.ip, 0xcb007105);
	nk.dir = FP_NAT_DNAT;
	nk.scope = 500;
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "nat dnat 500: vrf 0 or mac not zero");
	/* IPv6: Neutron's floating IPs are IPv4; the engines refuse IPv6 nat. */
	nk.dir = FP_NAT_SNAT;
	nk.scope = 7;
	assert_true(fp_addr_ip_parse("2001:db8::5", &nk.ip) > 0);
	assert_true(fp_addr_ip_parse("2001:db8::6", &nv.ip) > 0);
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "nat snat 7: IPv6: floating IPs are IPv4 (Neutron's), IPv6 is "
				 "not translated");
	fp_addr_ip_set_v4(&nk.ip, 0x0a000105);
	fp_addr_ip_set_v4(&nv.ip, 0xcb007105);
	/* fdb router entries name a vrf; an external one (a floating IP's
	 * MAC) needs an engine that translates.
	 */
	fv.flags = FP_FDB_F_EXTERNAL;
	assert_int_equal(fp_check_entry(FP_TABLE_FDB, &fk, &fv, &v, msg, sizeof(msg)), 0);
	v.nat = 0;
	assert_int_equal(fp_check_entry(FP_TABLE_FDB, &fk, &fv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "fdb vni 100: external router entry (floating IP): this engine "
				 "does not translate floating IPs (doc/routing.md)");
	fv.flags = 0;
	/* fdb router entries name a vrf. */
	assert_int_equal(fp_check_entry(FP_TABLE_FDB, &fk, &fv, &v, msg, sizeof(msg)), 0);
	fv.id = 0;
	assert_int_equal(fp_check_entry(FP_TABLE_FDB, &fk, &fv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "fdb vni 100: router vrf 0");
	fv.id = 7;
	/* An engine that does not route refuses all three, naming them. */
	v.routes = 0;
	good_route(&k, &rv);
	expect_route(&k, &rv, &v,
		     "route vrf 7: this engine does not carry the route table (doc/routing.md)");
	expect_route(&k, NULL, &v,
		     "route vrf 7: this engine does not carry the route table (doc/routing.md)");
	nk.dir = FP_NAT_SNAT;
	nk.scope = 7;
	assert_int_equal(fp_check_entry(FP_TABLE_NAT, &nk, &nv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "nat snat 7: this engine does not carry the nat table "
				 "(doc/routing.md)");
	assert_int_equal(fp_check_entry(FP_TABLE_FDB, &fk, &fv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "fdb vni 100: router entries: this engine does not route "
				 "(doc/routing.md)");
	/* Without a view (fpctl): the value checks alone. */
	expect_route(&k, &rv, NULL, NULL);
}

static void
expect_msg(int rc, const char *msg, int want_rc, const char *want)
{
	if (rc != want_rc || (want != NULL && strcmp(msg, want) != 0))
		fail_msg("rc %d \"%s\", want %d \"%s\"", rc, msg, want_rc, want ? want : "");
}

/* The slow path's tables: served only by an engine that says so (the
 * others refuse them by name, sets and deletes), keyed by a VM port
 * (dhcp, dhcp6) or a network (ra); values checked by lib/dhcp4.c, ra.c,
 * dhcp6.c with the entry named.
 */
static void
test_check_slowpath(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_check_view v;
	struct fp_ip local;
	struct fp_dhcp_key dk = { .port_id = 1 };
	struct fp_ra_key ak = { .vni = 100 };
	struct fp_dhcp6_key sk = { .port_id = 0 };
	struct fp_dhcp_val dv;
	struct fp_ra_val av;
	struct fp_dhcp6_val sv;
	char msg[FP_CTL_MSG_SIZE];

	(void)state;
	world(&v, role, mtu, &local);
	fp_good_dhcp(&dv);
	fp_good_ra(&av);
	fp_good_dhcp6(&sv);
	/* An engine without a slow path (the view's slowpath 0). */
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 1: this engine does not serve the dhcp table (doc/routing.md \"The "
		   "slow path\")");
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, NULL, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "ra network 100: this engine does not serve the ra table (doc/routing.md \"The "
		   "slow path\")");
	expect_msg(fp_check_entry(FP_TABLE_DHCP6, &sk, &sv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp6 port 0: this engine does not serve the dhcp6 table (doc/routing.md "
		   "\"The slow path\")");
	/* Without a view (fpctl) and with a serving engine: good entries pass. */
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, NULL, msg, sizeof(msg)), msg, 0, NULL);
	v.slowpath = 1;
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, 0, NULL);
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), msg, 0, NULL);
	expect_msg(fp_check_entry(FP_TABLE_DHCP6, &sk, &sv, &v, msg, sizeof(msg)), msg, 0, NULL);
	expect_msg(fp_check_entry(FP_TABLE_DHCP6, &sk, NULL, &v, msg, sizeof(msg)), msg, 0, NULL);
	/* Keys: a VM port (the underlay port 2 is not; 3 is not configured). */
	dk.port_id = 2;
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 2: not a VM port");
	sk.port_id = 3;
	expect_msg(fp_check_entry(FP_TABLE_DHCP6, &sk, NULL, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp6 port 3: not a VM port");
	sk.port_id = 0;
	dk.port_id = 1;
	ak.vni = FP_VNI_MAX + 1;
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "ra network 16777216: out of range (a VNI 1..16777215 or a provider network "
		   "0x1000001..0x1ffffff)");
	/* A provider network's RA: taken where the engine carries provider
	 * networks (a vlan network with an IPv6 subnet and a router), refused
	 * by name where it does not.
	 */
	ak.vni = FP_NET_PROVIDER | 1;
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "ra network 16777217: a provider network: this engine does not carry provider "
		   "networks (doc/routing.md)");
	v.segments = 1;
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), msg, 0, NULL);
	v.segments = 0;
	ak.vni = 100;
	/* Values: the libraries' checks, the entry named. */
	dv.pad = 1;
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 1: n_dns 1 > 4 or n_routes 1 > 8 or pad");
	fp_good_dhcp(&dv);
	memset(dv.mac, 0, 6);
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, NULL, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 1: mac is not unicast");
	fp_good_dhcp(&dv);
	dv.plen = 0;
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 1: plen 0 out of range 1..32");
	fp_good_dhcp(&dv);
	dv.routes[3].gw[0] = 1;
	expect_msg(fp_check_entry(FP_TABLE_DHCP, &dk, &dv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp port 1: unused route 3 not zero");
	av.pad[1] = 1;
	expect_msg(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "ra network 100: n_prefixes 1 > 4 or n_dns 0 > 4 or pad");
	fp_good_ra(&av);
	av.max_interval = 3;
	assert_int_equal(fp_check_entry(FP_TABLE_RA, &ak, &av, &v, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "ra network 100: "));
	sv.pad[0] = 1;
	expect_msg(fp_check_entry(FP_TABLE_DHCP6, &sk, &sv, &v, msg, sizeof(msg)), msg, -EINVAL,
		   "dhcp6 port 0: n_dns 1 > 4 or pad");
	fp_good_dhcp6(&sv);
	sv.valid = 10;
	assert_int_equal(fp_check_entry(FP_TABLE_DHCP6, &sk, &sv, &v, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "dhcp6 port 0: "));
}

/* Provider networks: segments on physical ports, phys destinations with
 * their VLAN in provider networks only, provider ids wherever a network
 * id goes; an engine without segments refuses them all by name.
 */
static void
test_check_provider(void **state)
{
	const uint32_t net = FP_NET_PROVIDER | 3;
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_check_view v;
	struct fp_ip local;
	struct fp_segment_key sk = { .port_id = 3, .vlan = 100 };
	struct fp_segment_val sv = { .vni = net };
	struct fp_fdb_key fk = { .vni = net, .mac = { 2, 0, 0, 0, 0xee, 1 } };
	struct fp_fdb_val fv = { .type = FP_DEST_PHYS, .id = 3, .flags = 100 };
	struct fp_flood_key lk = { .vni = net };
	struct fp_flood_val lv = { .n_members = 2 };
	struct fp_port_key pk = { .port_id = 1 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
				  .vni = net,
				  .vrf = net,
				  .mtu = 1500,
				  .mac = { 2, 0, 0, 0, 0, 1 } };
	const char *noprov = "a provider network: this engine does not carry provider networks "
			     "(doc/routing.md)";
	char want[FP_CTL_MSG_SIZE];

	(void)state;
	world(&v, role, mtu, &local);
	role[3] = FP_PORT_ROLE_PHYSICAL;
	mtu[3] = 1500;
	lv.members[0] = (struct fp_flood_member){ .type = FP_DEST_PORT, .id = 1 };
	lv.members[1] = (struct fp_flood_member){ .type = FP_DEST_PHYS, .id = 3, .vlan = 100 };
	v.exists = NULL;
	v.segments = 1;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v, NULL);
	expect_entry(FP_TABLE_SEGMENT, &sk, NULL, &v, NULL);
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v, NULL);
	expect_entry(FP_TABLE_FLOOD, &lk, &lv, &v, NULL);
	expect_entry(FP_TABLE_PORT, &pk, &pv, &v, NULL);
	sk.vlan = 0; /* flat */
	fv.flags = 0;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v, NULL);
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v, NULL);
	/* A segment on a port that is not physical, of a VNI, past 4094. */
	sk.port_id = 2;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v, "segment port 2 vlan 0: not a physical port");
	sk.port_id = 3;
	sv.vni = 100;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v,
		     "segment port 3 vlan 0: network 0x64 is not a provider network "
		     "(0x1000001..0x1ffffff) or pad not zero");
	sv.vni = FP_NET_PROVIDER;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v,
		     "segment port 3 vlan 0: network 0x1000000 is not a provider network "
		     "(0x1000001..0x1ffffff) or pad not zero");
	sv.vni = net;
	sk.vlan = 4095;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v,
		     "segment port 3: vlan 4095 out of range 0..4094 or pad not zero");
	sk.vlan = 100;
	/* phys: a physical port, a vlan in range; no vtep in a provider net. */
	fv.id = 2;
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v,
		     "fdb vni 16777219: physical port 2 is not a physical port");
	fv.id = 3;
	fv.flags = 4095;
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v,
		     "fdb vni 16777219: physical port 3 with a vlan out of range 0..4094");
	fv = (struct fp_fdb_val){ .type = FP_DEST_VTEP, .id = 1 };
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v,
		     "fdb vni 16777219: vtep 1 in a provider network (never tunnelled)");
	lv.members[1] = (struct fp_flood_member){ .type = FP_DEST_VTEP, .id = 1 };
	expect_entry(FP_TABLE_FLOOD, &lk, &lv, &v,
		     "flood vni 16777219: member 1: vtep 1 in a provider network (never "
		     "tunnelled)");
	lv.members[1] = (struct fp_flood_member){ .type = FP_DEST_PHYS, .id = 3, .vlan = 100 };
	/* An engine without segments (the XDP engine) refuses every one. */
	v.segments = 0;
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, &v,
		     "segment port 3 vlan 100: this engine does not carry provider networks "
		     "(doc/routing.md)");
	expect_entry(FP_TABLE_SEGMENT, &sk, NULL, &v,
		     "segment port 3 vlan 100: this engine does not carry provider networks "
		     "(doc/routing.md)");
	snprintf(want, sizeof(want), "fdb: vni 16777219: %s", noprov);
	fv = (struct fp_fdb_val){ .type = FP_DEST_PHYS, .id = 3, .flags = 100 };
	expect_entry(FP_TABLE_FDB, &fk, &fv, &v, want);
	snprintf(want, sizeof(want), "flood: vni 16777219: %s", noprov);
	expect_entry(FP_TABLE_FLOOD, &lk, &lv, &v, want);
	snprintf(want, sizeof(want), "port 1: vni 16777219: %s", noprov);
	expect_entry(FP_TABLE_PORT, &pk, &pv, &v, want);
	/* Without a view (fpctl): the value checks alone. */
	expect_entry(FP_TABLE_SEGMENT, &sk, &sv, NULL, NULL);
	expect_entry(FP_TABLE_FDB, &fk, &fv, NULL, NULL);
	/* Floating IPs on a provider network are not carried: refused. */
	{
		struct fp_nat_key nk = { .scope = net, .dir = FP_NAT_DNAT };
		struct fp_nat_val nv = { .scope = 7 };
		struct fp_fdb_val ev = { .type = FP_DEST_ROUTER,
					 .id = 7,
					 .flags = FP_FDB_F_EXTERNAL };

		v.nat = 1;
		v.routes = 1;
		v.segments = 1;
		fp_addr_ip_set_v4(&nk.ip, 0xcb007105);
		fp_addr_ip_set_v4(&nv.ip, 0x0a000105);
		snprintf(want, sizeof(want),
			 "nat dnat %u: floating IPs on provider networks are not carried yet "
			 "(doc/routing.md)",
			 net);
		expect_entry(FP_TABLE_NAT, &nk, &nv, &v, want);
		nk = (struct fp_nat_key){ .scope = 7, .dir = FP_NAT_SNAT };
		fp_addr_ip_set_v4(&nk.ip, 0x0a000105);
		nv = (struct fp_nat_val){ .scope = net, .mac = { 2, 0, 0, 0, 0, 0x55 } };
		fp_addr_ip_set_v4(&nv.ip, 0xcb007105);
		snprintf(
			want, sizeof(want),
			"nat snat 7: network %u: floating IPs on provider networks are not carried "
			"yet (doc/routing.md)",
			net);
		expect_entry(FP_TABLE_NAT, &nk, &nv, &v, want);
		snprintf(want, sizeof(want),
			 "fdb vni %u: external router entry (floating IP) on a provider network: "
			 "not carried yet (doc/routing.md)",
			 net);
		expect_entry(FP_TABLE_FDB, &fk, &ev, &v, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_bad_entries), cmocka_unit_test(test_check_good_entries),
		cmocka_unit_test(test_check_route_nat),	  cmocka_unit_test(test_check_slowpath),
		cmocka_unit_test(test_check_provider),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
