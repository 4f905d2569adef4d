/* SPDX-License-Identifier: BSD-3-Clause */
#include "bad_entries.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define N_MAX 128 /* room for the entries below */

static const uint8_t vm_mac[6] = { 2, 0, 0, 0, 0xa, 1 };
static const uint8_t nh_mac[6] = { 2, 0, 0, 0, 1, 2 };

/* A port entry for vm port 0 that both engines take. */
static void
good_port(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_PORT;
	e->key.port.port_id = 0;
	e->val.port = (struct fp_port_val){ .role = FP_PORT_ROLE_VM, .vni = 100, .vrf = 100 };
	memcpy(e->val.port.mac, vm_mac, 6);
}

/* A vtep 1 entry over the underlay port that both engines take. */
static void
good_vtep(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_VTEP;
	e->key.vtep.vtep_id = 1;
	e->val.vtep = (struct fp_vtep_val){ .encap = FP_ENCAP_VXLAN, .underlay_port = 2 };
	fp_addr_ip_set_v4(&e->val.vtep.local, 0xac100001);
	fp_addr_ip_set_v4(&e->val.vtep.remote, 0xac100002);
	memcpy(e->val.vtep.nh_mac, nh_mac, 6);
}

static void
good_fdb(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_FDB;
	e->key.fdb.vni = 100;
	memcpy(e->key.fdb.mac, vm_mac, 6);
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_ROUTER, .id = 1 };
}

static void
good_flood(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_FLOOD;
	e->key.flood.vni = 100;
	e->val.flood.n_members = 0;
}

static void
good_neigh(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_NEIGH;
	e->key.neigh.vrf = 1;
	fp_addr_ip_set_v4(&e->key.neigh.ip, 0x0a000005);
	memcpy(e->val.neigh.mac, vm_mac, 6);
	e->val.neigh.vni = 100;
}

/* Ruleset 3 egress with one rule: tcp 22 from 10.0.0.0/8. */
static void
good_ruleset(struct fp_bad_entry *e)
{
	struct fp_sg_rule *r = &e->val.ruleset.rules[0];

	e->table = FP_TABLE_RULESET;
	e->key.ruleset = (struct fp_ruleset_key){ .ruleset_id = 3, .dir = FP_SG_DIR_EGRESS };
	e->val.ruleset.n_rules = 1;
	e->val.ruleset.flags = FP_RULESET_F_STATEFUL;
	*r = (struct fp_sg_rule){ .rule_id = 7,
				  .family = 4,
				  .flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS,
				  .proto = 6,
				  .port_min = 22,
				  .port_max = 22,
				  .plen = 96 + 8 };
	fp_addr_ip_set_v4(&r->remote, 0x0a000000);
}

/* Member 10.1.0.0/16 of address set 5. */
static void
good_addrset(struct fp_bad_entry *e)
{
	e->table = FP_TABLE_ADDRSET;
	e->key.addrset = (struct fp_addrset_key){ .set_id = 5, .plen = 96 + 16 };
	fp_addr_ip_set_v4(&e->key.addrset.ip, 0x0a010000);
}

static void __attribute__((format(printf, 3, 4)))
expect(struct fp_bad_entry *e, int rc, const char *fmt, ...)
{
	va_list ap;

	e->rc = rc;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

struct fp_bad_entry *
fp_bad_entries_build(size_t *n)
{
	struct fp_bad_entry *all = calloc(N_MAX, sizeof(*all)), *e;
	const uint32_t vmax = FP_VNI_MAX;
	const char *range = "out of range (a VNI 1..16777215 or a provider network "
			    "0x1000001..0x1ffffff)";

	if (all == NULL)
		return NULL;
	e = all;

	/* port: references */
	good_port(e);
	e->desc = "the underlay port's entry (the config owns it)";
	e->key.port.port_id = 2;
	expect(e++, -EPERM, "port 2: not a VM port; its entry is owned by the config");
	good_port(e);
	e->desc = "a port that is not configured";
	e->key.port.port_id = 3;
	expect(e++, -EINVAL, "port 3 is not configured");
	good_port(e);
	e->desc = "a port id past FP_PORT_MAX";
	e->key.port.port_id = FP_PORT_MAX + 5;
	expect(e++, -EINVAL, "port %u is not configured", FP_PORT_MAX + 5);
	good_port(e);
	e->desc = "a delete of a port that is not configured";
	e->del = 1;
	e->key.port.port_id = 9;
	expect(e++, -EINVAL, "port 9 is not configured");
	good_port(e);
	e->desc = "a delete of a vm port without an entry";
	e->del = 1;
	expect(e++, -ENOENT, "delete port: no such entry");
	/* port: values */
	good_port(e);
	e->desc = "a port entry with another role";
	e->val.port.role = FP_PORT_ROLE_UNDERLAY;
	expect(e++, -EINVAL, "port 0: role %u, expected vm (%u)", FP_PORT_ROLE_UNDERLAY,
	       FP_PORT_ROLE_VM);
	good_port(e);
	e->desc = "unknown port flags";
	e->val.port.flags = 0x8;
	expect(e++, -EINVAL, "port 0: unknown flags 0x8");
	good_port(e);
	e->desc = "port vni 0";
	e->val.port.vni = 0;
	expect(e++, -EINVAL, "port 0: vni 0: %s", range);
	good_port(e);
	e->desc = "port vni past 24 bits";
	e->val.port.vni = vmax + 1;
	expect(e++, -EINVAL, "port 0: vni %u: %s", vmax + 1, range);
	good_port(e);
	e->desc = "a multicast port mac";
	e->val.port.mac[0] = 1;
	expect(e++, -EINVAL, "port 0: mac is not a unicast address");
	good_port(e);
	e->desc = "a zero port mac";
	memset(e->val.port.mac, 0, 6);
	expect(e++, -EINVAL, "port 0: mac is not a unicast address");
	good_port(e);
	e->desc = "a port mtu below 68";
	e->val.port.mtu = 67;
	expect(e++, -EINVAL, "port 0: mtu 67 out of range 68..9600");
	good_port(e);
	e->desc = "a port mtu above 9600";
	e->val.port.mtu = 9601;
	expect(e++, -EINVAL, "port 0: mtu 9601 out of range 68..9600");
	good_port(e);
	e->desc = "too many port addresses";
	e->val.port.n_addrs = FP_PORT_ADDR_MAX + 1;
	expect(e++, -EINVAL, "port 0: n_addrs %u > %u", FP_PORT_ADDR_MAX + 1, FP_PORT_ADDR_MAX);
	good_port(e);
	e->desc = "a port pad byte";
	e->val.port.pad[1] = 1;
	expect(e++, -EINVAL, "port 0: pad not zero");
	good_port(e);
	e->desc = "a port pad2 word";
	e->val.port.pad2 = 1;
	expect(e++, -EINVAL, "port 0: pad not zero");
	good_port(e);
	e->desc = "a port ruleset without the sg flag";
	e->val.port.ruleset = 3;
	expect(e++, -EINVAL, "port 0: ruleset 3 without the sg flag");
	good_port(e);
	e->desc = "a filtered port without a ruleset";
	e->val.port.flags = FP_PORT_F_SG;
	expect(e++, -EINVAL, "port 0: sg flag without a ruleset");
	good_port(e);
	e->desc = "an unused port address slot not zero";
	e->val.port.n_addrs = 1;
	fp_addr_ip_set_v4(&e->val.port.addrs[0].ip, 0x0a000005);
	e->val.port.addrs[0].plen = 128;
	e->val.port.addrs[1].plen = 1;
	expect(e++, -EINVAL, "port 0: unused addrs[1] not zero");
	good_port(e);
	e->desc = "an IPv4 port address with a prefix below /0";
	e->val.port.n_addrs = 1;
	fp_addr_ip_set_v4(&e->val.port.addrs[0].ip, 0x0a000005);
	e->val.port.addrs[0].plen = 95;
	expect(e++, -EINVAL, "port 0: addrs[0]: bad prefix length 95");
	good_port(e);
	e->desc = "a port address prefix past 128";
	e->val.port.n_addrs = 1;
	e->val.port.addrs[0].ip.b[0] = 0xfd;
	e->val.port.addrs[0].plen = 129;
	expect(e++, -EINVAL, "port 0: addrs[0]: bad prefix length 129");
	good_port(e);
	e->desc = "a multicast mac paired with a port address";
	e->val.port.n_addrs = 1;
	fp_addr_ip_set_v4(&e->val.port.addrs[0].ip, 0x0a000005);
	e->val.port.addrs[0].plen = 128;
	e->val.port.addrs[0].mac[0] = 1;
	expect(e++, -EINVAL, "port 0: addrs[0]: multicast mac");

	/* vtep */
	good_vtep(e);
	e->desc = "a vtep id past the table";
	e->key.vtep.vtep_id = FP_BAD_VTEP_LIMIT;
	expect(e++, -EINVAL, "vtep %u out of range 0..%u", FP_BAD_VTEP_LIMIT,
	       FP_BAD_VTEP_LIMIT - 1);
	good_vtep(e);
	e->desc = "an unknown encap";
	e->val.vtep.encap = FP_ENCAP_MAX;
	expect(e++, -EINVAL, "vtep 1: unknown encap %u", FP_ENCAP_MAX);
	good_vtep(e);
	e->desc = "a vtep without a remote address";
	memset(&e->val.vtep.remote, 0, sizeof(e->val.vtep.remote));
	expect(e++, -EINVAL, "vtep 1: remote is not a unicast address");
	good_vtep(e);
	e->desc = "a multicast vtep remote";
	fp_addr_ip_set_v4(&e->val.vtep.remote, 0xe0000001);
	expect(e++, -EINVAL, "vtep 1: remote is not a unicast address");
	good_vtep(e);
	e->desc = "an IPv6 remote with an IPv4 local address";
	memset(&e->val.vtep.remote, 0, sizeof(e->val.vtep.remote));
	e->val.vtep.remote.b[0] = 0xfd;
	e->val.vtep.remote.b[15] = 2;
	expect(e++, -EINVAL, "vtep 1: local and remote are of different families");
	good_vtep(e);
	e->desc = "a vtep local address that is not ours";
	fp_addr_ip_set_v4(&e->val.vtep.local, 0xac100009);
	expect(e++, -EINVAL, "vtep 1: local is not a local VTEP address");
	good_vtep(e);
	e->desc = "a vtep over a vm port";
	e->val.vtep.underlay_port = 0;
	expect(e++, -EINVAL, "vtep 1: port 0 is not an underlay port");
	good_vtep(e);
	e->desc = "a vtep over a port that is not configured";
	e->val.vtep.underlay_port = 7;
	expect(e++, -EINVAL, "vtep 1: port 7 is not an underlay port");
	good_vtep(e);
	e->desc = "a multicast next-hop mac";
	e->val.vtep.nh_mac[0] = 1;
	expect(e++, -EINVAL, "vtep 1: next-hop mac is not unicast");
	good_vtep(e);
	e->desc = "a vtep pad";
	e->val.vtep.pad = 1;
	expect(e++, -EINVAL, "vtep 1: pad not zero");

	/* fdb */
	good_fdb(e);
	e->desc = "fdb vni 0";
	e->key.fdb.vni = 0;
	expect(e++, -EINVAL, "fdb: vni 0: %s", range);
	good_fdb(e);
	e->desc = "an fdb key pad";
	e->key.fdb.pad[0] = 1;
	expect(e++, -EINVAL, "fdb: vni 100: pad not zero");
	good_fdb(e);
	e->desc = "a delete of fdb vni past 24 bits";
	e->del = 1;
	e->key.fdb.vni = vmax + 1;
	expect(e++, -EINVAL, "fdb: vni %u: %s", vmax + 1, range);
	good_fdb(e);
	e->desc = "a multicast fdb mac";
	e->key.fdb.mac[0] = 1;
	expect(e++, -EINVAL, "fdb vni 100: mac is not unicast");
	good_fdb(e);
	e->desc = "fdb value flags on a port entry (only router entries are external)";
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_PORT, .flags = 1, .id = 1 };
	expect(e++, -EINVAL, "fdb vni 100: flags 0x1: only a router entry may be external (0x1)");
	good_fdb(e);
	e->desc = "an fdb entry to a physical port in an overlay network";
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_PHYS, .id = 2, .flags = 100 };
	expect(e++, -EINVAL,
	       "fdb vni 100: physical port 2 in a network that is not a provider network");
	good_fdb(e);
	e->desc = "an fdb entry to a vm port without an entry";
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_PORT, .id = 0 };
	expect(e++, -EINVAL, "fdb vni 100: vm port 0 does not exist");
	good_fdb(e);
	e->desc = "an fdb entry to the underlay port";
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_PORT, .id = 2 };
	expect(e++, -EINVAL, "fdb vni 100: vm port 2 does not exist");
	good_fdb(e);
	e->desc = "an fdb entry to a vtep that does not exist";
	e->val.fdb = (struct fp_fdb_val){ .type = FP_DEST_VTEP, .id = 7 };
	expect(e++, -EINVAL, "fdb vni 100: vtep 7 does not exist");
	good_fdb(e);
	e->desc = "an fdb entry of type none";
	e->val.fdb.type = FP_DEST_NONE;
	expect(e++, -EINVAL, "fdb vni 100: unknown type %u", FP_DEST_NONE);
	good_fdb(e);
	e->desc = "an fdb entry of an unknown type";
	e->val.fdb.type = FP_DEST_MAX;
	expect(e++, -EINVAL, "fdb vni 100: unknown type %u", FP_DEST_MAX);
	good_fdb(e);
	e->desc = "a delete of an fdb entry that is not there";
	e->del = 1;
	expect(e++, -ENOENT, "delete fdb: no such entry");

	/* flood */
	good_flood(e);
	e->desc = "flood vni past 24 bits (fp_vni has no bit for it)";
	e->key.flood.vni = vmax + 1;
	expect(e++, -EINVAL, "flood: vni %u: %s", vmax + 1, range);
	good_flood(e);
	e->desc = "a delete of flood vni 0";
	e->del = 1;
	e->key.flood.vni = 0;
	expect(e++, -EINVAL, "flood: vni 0: %s", range);
	good_flood(e);
	e->desc = "too many flood members";
	e->val.flood.n_members = FP_FLOOD_MEMBER_MAX + 1;
	expect(e++, -EINVAL, "flood vni 100: n_members %u > %u or pad not zero",
	       FP_FLOOD_MEMBER_MAX + 1, FP_FLOOD_MEMBER_MAX);
	good_flood(e);
	e->desc = "a flood value pad";
	e->val.flood.pad = 1;
	expect(e++, -EINVAL, "flood vni 100: n_members 0 > %u or pad not zero",
	       FP_FLOOD_MEMBER_MAX);
	good_flood(e);
	e->desc = "an unused flood member not zero";
	e->val.flood.members[3].id = 1;
	expect(e++, -EINVAL, "flood vni 100: unused member 3 not zero");
	good_flood(e);
	e->desc = "a flood member of type router";
	e->val.flood.n_members = 1;
	e->val.flood.members[0].type = FP_DEST_ROUTER;
	expect(e++, -EINVAL, "flood vni 100: member 0: bad type %u", FP_DEST_ROUTER);
	good_flood(e);
	e->desc = "a flood member vtep with a vlan";
	e->val.flood.n_members = 1;
	e->val.flood.members[0].type = FP_DEST_VTEP;
	e->val.flood.members[0].vlan = 1;
	expect(e++, -EINVAL,
	       "flood vni 100: member 0: vtep 0 with a vlan, but not a physical port");
	good_flood(e);
	e->desc = "a flood member physical port in an overlay network";
	e->val.flood.n_members = 1;
	e->val.flood.members[0] = (struct fp_flood_member){ .type = FP_DEST_PHYS, .id = 2 };
	expect(e++, -EINVAL,
	       "flood vni 100: member 0: physical port 2 in a network that is not a provider "
	       "network");
	good_flood(e);
	e->desc = "a flood member vtep that does not exist";
	e->val.flood.n_members = 1;
	e->val.flood.members[0] = (struct fp_flood_member){ .type = FP_DEST_VTEP, .id = 5 };
	expect(e++, -EINVAL, "flood vni 100: member 0: vtep 5 does not exist");
	good_flood(e);
	e->desc = "a flood member vm port without an entry";
	e->val.flood.n_members = 1;
	e->val.flood.members[0] = (struct fp_flood_member){ .type = FP_DEST_PORT, .id = 1 };
	expect(e++, -EINVAL, "flood vni 100: member 0: vm port 1 does not exist");

	/* neigh */
	good_neigh(e);
	e->desc = "a neigh key pad";
	e->key.neigh.pad = 1;
	expect(e++, -EINVAL, "neigh vrf 1: key pad not zero");
	good_neigh(e);
	e->desc = "a neigh without an address";
	memset(&e->key.neigh.ip, 0, sizeof(e->key.neigh.ip));
	expect(e++, -EINVAL, "neigh vrf 1: ip is not a unicast address");
	good_neigh(e);
	e->desc = "a multicast neigh address";
	memset(&e->key.neigh.ip, 0, sizeof(e->key.neigh.ip));
	e->key.neigh.ip.b[0] = 0xff;
	e->key.neigh.ip.b[1] = 2;
	e->key.neigh.ip.b[15] = 1;
	expect(e++, -EINVAL, "neigh vrf 1: ip is not a unicast address");
	good_neigh(e);
	e->desc = "a multicast neigh mac";
	e->val.neigh.mac[0] = 1;
	expect(e++, -EINVAL, "neigh vrf 1: mac is not unicast");
	good_neigh(e);
	e->desc = "neigh vni past 24 bits";
	e->val.neigh.vni = 1 << 24;
	expect(e++, -EINVAL, "neigh vrf 1: vni %u: %s", 1u << 24, range);
	good_neigh(e);
	e->desc = "neigh value flags not known";
	e->val.neigh.flags = 2;
	expect(e++, -EINVAL, "neigh vrf 1: unknown flags 0x2");
	good_neigh(e);
	e->desc = "a delete of a neigh entry that is not there";
	e->del = 1;
	expect(e++, -ENOENT, "delete neigh: no such entry");

	/* ruleset */
	good_ruleset(e);
	e->desc = "ruleset id 0";
	e->key.ruleset.ruleset_id = 0;
	expect(e++, -EINVAL, "ruleset: id 0");
	good_ruleset(e);
	e->desc = "a ruleset direction past ingress";
	e->key.ruleset.dir = FP_SG_DIR_MAX;
	expect(e++, -EINVAL, "ruleset 3: direction %u or pad not zero", FP_SG_DIR_MAX);
	good_ruleset(e);
	e->desc = "a delete of a ruleset with a key pad";
	e->del = 1;
	e->key.ruleset.pad = 1;
	expect(e++, -EINVAL, "ruleset 3: direction 0 or pad not zero");
	good_ruleset(e);
	e->desc = "too many rules";
	e->val.ruleset.n_rules = FP_SG_RULE_MAX + 1;
	expect(e++, -EINVAL, "ruleset 3 egress: n_rules %u > %u", FP_SG_RULE_MAX + 1,
	       FP_SG_RULE_MAX);
	good_ruleset(e);
	e->desc = "unknown ruleset flags";
	e->val.ruleset.flags = 0x4;
	expect(e++, -EINVAL, "ruleset 3 egress: unknown flags 0x4");
	good_ruleset(e);
	e->desc = "a ruleset pad";
	e->val.ruleset.pad = 1;
	expect(e++, -EINVAL, "ruleset 3 egress: pad not zero");
	good_ruleset(e);
	e->desc = "an unused rule not zero";
	e->val.ruleset.rules[5].rule_id = 1;
	expect(e++, -EINVAL, "ruleset 3 egress: unused rule 5 not zero");
	good_ruleset(e);
	e->desc = "unknown rule flags";
	e->val.ruleset.rules[0].flags |= 0x20;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: unknown flags 0x23");
	good_ruleset(e);
	e->desc = "a rule of family 5";
	e->val.ruleset.rules[0].family = 5;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: family 5, expected 4 or 6");
	good_ruleset(e);
	e->desc = "a rule id 0";
	e->val.ruleset.rules[0].rule_id = 0;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: rule id 0");
	good_ruleset(e);
	e->desc = "a rule pad";
	e->val.ruleset.rules[0].pad[5] = 1;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: pad not zero");
	good_ruleset(e);
	e->desc = "a rule protocol without the proto flag";
	e->val.ruleset.rules[0].flags = 0;
	e->val.ruleset.rules[0].port_min = e->val.ruleset.rules[0].port_max = 0;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: protocol 6 without the proto flag");
	good_ruleset(e);
	e->desc = "a port range on icmp";
	e->val.ruleset.rules[0].proto = 1;
	expect(e++, -EINVAL,
	       "ruleset 3 egress: rule 0: a port range needs tcp, udp, sctp, dccp or udplite");
	good_ruleset(e);
	e->desc = "a port range upside down";
	e->val.ruleset.rules[0].port_min = 80;
	e->val.ruleset.rules[0].port_max = 22;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: port range 80..22");
	good_ruleset(e);
	e->desc = "ports without the ports flag";
	e->val.ruleset.rules[0].flags = FP_SG_RULE_F_PROTO;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: ports without the ports flag");
	good_ruleset(e);
	e->desc = "an icmp type on tcp";
	e->val.ruleset.rules[0].flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_TYPE;
	e->val.ruleset.rules[0].port_min = e->val.ruleset.rules[0].port_max = 0;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: an icmp type or code needs protocol icmp");
	good_ruleset(e);
	e->desc = "an icmp code without a type";
	e->val.ruleset.rules[0].flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_CODE;
	e->val.ruleset.rules[0].proto = 1;
	e->val.ruleset.rules[0].port_min = e->val.ruleset.rules[0].port_max = 0;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: an icmp code without a type");
	good_ruleset(e);
	e->desc = "an icmp type value without its flag";
	e->val.ruleset.rules[0].icmp_type = 8;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: icmp type or code without its flag");
	good_ruleset(e);
	e->desc = "an address set 0";
	e->val.ruleset.rules[0].flags |= FP_SG_RULE_F_ADDRSET;
	e->val.ruleset.rules[0].plen = 0;
	memset(&e->val.ruleset.rules[0].remote, 0, sizeof(struct fp_ip));
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: address set 0");
	good_ruleset(e);
	e->desc = "an address set and a remote prefix";
	e->val.ruleset.rules[0].flags |= FP_SG_RULE_F_ADDRSET;
	e->val.ruleset.rules[0].addrset = 5;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: a remote prefix and an address set");
	good_ruleset(e);
	e->desc = "an address set without its flag";
	e->val.ruleset.rules[0].addrset = 5;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: address set 5 without the addrset flag");
	good_ruleset(e);
	e->desc = "a remote address with prefix length 0";
	e->val.ruleset.rules[0].plen = 0;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: remote address with prefix length 0");
	good_ruleset(e);
	e->desc = "remote host bits set";
	e->val.ruleset.rules[0].remote.b[15] = 1;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: remote prefix /104: host bits set");
	good_ruleset(e);
	e->desc = "an IPv4 remote prefix below /0";
	e->val.ruleset.rules[0].plen = 95;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: remote prefix /95: bad prefix length");
	good_ruleset(e);
	e->desc = "an IPv6 remote prefix in an IPv4 rule";
	e->val.ruleset.rules[0].remote = (struct fp_ip){ .b = { 0xfd } };
	e->val.ruleset.rules[0].plen = 8;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: remote prefix /8: not an IPv4 address");
	good_ruleset(e);
	e->desc = "an IPv4 remote prefix in an IPv6 rule";
	e->val.ruleset.rules[0].family = 6;
	expect(e++, -EINVAL,
	       "ruleset 3 egress: rule 0: remote prefix /104: an IPv4 address in an IPv6 rule");
	good_ruleset(e);
	e->desc = "a remote prefix past 128";
	e->val.ruleset.rules[0].family = 6;
	e->val.ruleset.rules[0].remote = (struct fp_ip){ .b = { 0xfd } };
	e->val.ruleset.rules[0].plen = 129;
	expect(e++, -EINVAL, "ruleset 3 egress: rule 0: remote prefix /129: bad prefix length");

	/* addrset */
	good_addrset(e);
	e->desc = "address set id 0";
	e->key.addrset.set_id = 0;
	expect(e++, -EINVAL, "addrset: id 0");
	good_addrset(e);
	e->desc = "an address set key pad";
	e->key.addrset.pad[2] = 1;
	expect(e++, -EINVAL, "addrset 5: key pad not zero");
	good_addrset(e);
	e->desc = "a delete of a member with host bits set";
	e->del = 1;
	e->key.addrset.ip.b[15] = 1;
	expect(e++, -EINVAL, "addrset 5: member /112: host bits set");
	good_addrset(e);
	e->desc = "an IPv4 member below /0";
	e->key.addrset.plen = 90;
	expect(e++, -EINVAL, "addrset 5: member /90: bad prefix length");
	good_addrset(e);
	e->desc = "a member past /128";
	e->key.addrset.plen = 130;
	expect(e++, -EINVAL, "addrset 5: member /130: bad prefix length");
	good_addrset(e);
	e->desc = "an address set value pad";
	e->val.addrset.pad = 1;
	expect(e++, -EINVAL, "addrset 5: pad not zero");

	/* The slow path's keys, refused before the engine says whether it
	 * serves them.
	 */
	e->desc = "a dhcp entry of a port past FP_PORT_MAX";
	e->table = FP_TABLE_DHCP;
	e->key.dhcp.port_id = FP_PORT_MAX;
	fp_good_dhcp(&e->val.dhcp);
	expect(e++, -EINVAL, "dhcp port %u: out of range 0..%u", FP_PORT_MAX, FP_PORT_MAX - 1);
	e->desc = "an ra entry of network 0";
	e->table = FP_TABLE_RA;
	fp_good_ra(&e->val.ra);
	expect(e++, -EINVAL,
	       "ra network 0: out of range (a VNI 1..16777215 or a provider network "
	       "0x1000001..0x1ffffff)");
	e->desc = "a dhcp6 delete of a port past FP_PORT_MAX";
	e->table = FP_TABLE_DHCP6;
	e->del = 1;
	e->key.dhcp6.port_id = 100;
	expect(e++, -EINVAL, "dhcp6 port 100: out of range 0..%u", FP_PORT_MAX - 1);
	/* segment */
	e->desc = "a segment vlan past 4094";
	e->table = FP_TABLE_SEGMENT;
	e->key.segment = (struct fp_segment_key){ .port_id = 2, .vlan = 4095 };
	e->val.segment.vni = FP_NET_PROVIDER | 1;
	expect(e++, -EINVAL, "segment port 2: vlan 4095 out of range 0..4094 or pad not zero");

	*n = (size_t)(e - all);
	if (*n > N_MAX)
		abort();
	return all;
}

void
fp_good_dhcp(struct fp_dhcp_val *v)
{
	static const struct fp_dhcp_val good = {
		.mac = { 0x02, 0, 0, 0, 0, 0x01 },
		.mtu = 1450,
		.addr = { 10, 0, 0, 5 },
		.server = { 10, 0, 0, 1 },
		.router = { 10, 0, 0, 1 },
		.lease = 86400,
		.plen = 24,
		.n_dns = 1,
		.dns = { { 10, 0, 0, 2 } },
		.n_routes = 1,
		.routes = { { .dst = { 172, 16, 0, 0 }, .gw = { 10, 0, 0, 254 }, .plen = 12 } },
	};

	*v = good;
}

void
fp_good_ra(struct fp_ra_val *v)
{
	static const struct fp_ra_val good = {
		.mac = { 0x02, 0, 0, 0, 0xee, 0x01 },
		.mtu = 1450,
		.router_lifetime = 300,
		.flags = 0,
		.n_prefixes = 1,
		.max_interval = 100,
		.min_interval = 30,
		.prefixes = { { .prefix = { 0x20, 0x01, 0x0d, 0xb8 },
				.valid = 86400,
				.preferred = 14400,
				.plen = 64,
				.flags = FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO } },
	};

	*v = good;
}

void
fp_good_dhcp6(struct fp_dhcp6_val *v)
{
	static const struct fp_dhcp6_val good = {
		.mac = { 0x02, 0, 0, 0, 0, 0x01 },
		.server_mac = { 0x02, 0, 0, 0, 0xee, 0x01 },
		.addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 },
		.preferred = 14400,
		.valid = 86400,
		.n_dns = 1,
		.dns = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } },
	};

	*v = good;
}
