/* SPDX-License-Identifier: BSD-3-Clause */
#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <flowplane/proto.h>

#include "addr.h"
#include "dhcp4.h"
#include "dhcp6.h"
#include "ra.h"

/* Outer headers of an encapsulated frame, inner Ethernet included: what an
 * underlay port's MTU must exceed.
 */
#define ENCAP_HDR_V4                                                                          \
	(sizeof(struct fp_eth_hdr) + sizeof(struct fp_ipv4_hdr) + sizeof(struct fp_udp_hdr) + \
	 sizeof(struct fp_vxlan_hdr))
#define ENCAP_HDR_V6                                                                          \
	(sizeof(struct fp_eth_hdr) + sizeof(struct fp_ipv6_hdr) + sizeof(struct fp_udp_hdr) + \
	 sizeof(struct fp_vxlan_hdr))

#define FP_CHECK_MSG_SIZE 160 /* a message of lib/dhcp4.c, dhcp6.c, ra.c */

_Static_assert(sizeof(struct fp_geneve_hdr) == sizeof(struct fp_vxlan_hdr), "encap header size");

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}

static int
vni_ok(uint32_t vni)
{
	return vni != 0 && vni <= FP_VNI_MAX;
}

/* Is id a provider network's (FP_NET_PROVIDER | n, n not 0)? */
static int
provider_id(uint32_t id)
{
	return id > FP_NET_PROVIDER && id <= (FP_NET_PROVIDER | FP_NET_PROVIDER_MAX);
}

/* Why a network id (a VNI or a provider network's) is refused, or NULL. */
static const char *
net_why_not(const struct fp_check_view *view, uint32_t id)
{
	if (vni_ok(id))
		return NULL;
	if (!provider_id(id))
		return "out of range (a VNI 1..16777215 or a provider network 0x1000001..0x1ffffff)";
	if (view != NULL && !view->segments)
		return "a provider network: this engine does not carry provider networks "
		       "(doc/routing.md)";
	return NULL;
}

static int
is_zero(const void *p, size_t size)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static uint16_t
role_of(const struct fp_check_view *view, uint32_t port)
{
	return port < FP_PORT_MAX ? view->port_role[port] : FP_PORT_ROLE_NONE;
}

static int
local_vtep(const struct fp_check_view *view, const struct fp_ip *ip)
{
	uint32_t i;

	for (i = 0; i < view->n_local_vteps; i++)
		if (memcmp(&view->local_vteps[i], ip, sizeof(*ip)) == 0)
			return 1;
	return 0;
}

static int
exists(const struct fp_check_view *view, uint16_t type, uint32_t id)
{
	return view == NULL || view->exists == NULL || view->exists(view->ctx, type, id);
}

int
fp_check_key(uint16_t table, const void *key, const struct fp_check_view *view, char *err,
	     size_t errsz)
{
	uint32_t id;

	if (view == NULL)
		return 0;
	switch (table) {
	case FP_TABLE_PORT:
		id = ((const struct fp_port_key *)key)->port_id;
		if (role_of(view, id) == FP_PORT_ROLE_NONE)
			return fail(err, errsz, -EINVAL, "port %u is not configured", id);
		return 0;
	case FP_TABLE_VTEP:
		id = ((const struct fp_vtep_key *)key)->vtep_id;
		if (id >= view->vtep_limit)
			return fail(err, errsz, -EINVAL, "vtep %u out of range 0..%u", id,
				    view->vtep_limit - 1);
		return 0;
	default:
		return 0;
	}
}

static int
check_port(const struct fp_port_key *k, const struct fp_port_val *v,
	   const struct fp_check_view *view, char *err, size_t errsz)
{
	const char *why;
	uint32_t a;

	if (k->port_id >= FP_PORT_MAX)
		return fail(err, errsz, -EINVAL, "port %u is not configured", k->port_id);
	if (view != NULL && role_of(view, k->port_id) != FP_PORT_ROLE_VM)
		return fail(err, errsz, -EPERM,
			    "port %u: not a VM port; its entry is owned by the config", k->port_id);
	if (v == NULL)
		return 0;
	if (v->role != FP_PORT_ROLE_VM)
		return fail(err, errsz, -EINVAL, "port %u: role %u, expected vm (%u)", k->port_id,
			    v->role, FP_PORT_ROLE_VM);
	if (v->flags & ~(FP_PORT_F_ANTISPOOF | FP_PORT_F_SG))
		return fail(err, errsz, -EINVAL, "port %u: unknown flags 0x%x", k->port_id,
			    v->flags);
	if ((v->flags & FP_PORT_F_SG) && v->ruleset == 0)
		return fail(err, errsz, -EINVAL, "port %u: sg flag without a ruleset", k->port_id);
	if ((v->flags & FP_PORT_F_SG) && view != NULL && !view->sg_enforced)
		return fail(err, errsz, -EINVAL,
			    "port %u: security groups (flag sg) are not enforced by this engine",
			    k->port_id);
	if ((why = net_why_not(view, v->vni)) != NULL)
		return fail(err, errsz, -EINVAL, "port %u: vni %u: %s", k->port_id, v->vni, why);
	if (!fp_addr_mac_is_unicast(v->mac))
		return fail(err, errsz, -EINVAL, "port %u: mac is not a unicast address",
			    k->port_id);
	if (v->mtu != 0 && (v->mtu < FP_CHECK_MTU_MIN || v->mtu > FP_CHECK_MTU_MAX))
		return fail(err, errsz, -EINVAL, "port %u: mtu %u out of range %u..%u", k->port_id,
			    v->mtu, FP_CHECK_MTU_MIN, FP_CHECK_MTU_MAX);
	if (v->n_addrs > FP_PORT_ADDR_MAX)
		return fail(err, errsz, -EINVAL, "port %u: n_addrs %u > %u", k->port_id, v->n_addrs,
			    FP_PORT_ADDR_MAX);
	if (!is_zero(v->pad, sizeof(v->pad)) || v->pad2 != 0)
		return fail(err, errsz, -EINVAL, "port %u: pad not zero", k->port_id);
	if (v->ruleset != 0 && !(v->flags & FP_PORT_F_SG))
		return fail(err, errsz, -EINVAL, "port %u: ruleset %u without the sg flag",
			    k->port_id, v->ruleset);
	for (a = 0; a < FP_PORT_ADDR_MAX; a++) {
		const struct fp_port_addr *pa = &v->addrs[a];

		if (a >= v->n_addrs) {
			if (!is_zero(pa, sizeof(*pa)))
				return fail(err, errsz, -EINVAL,
					    "port %u: unused addrs[%u] not zero", k->port_id, a);
			continue;
		}
		if (pa->plen > 128 || (fp_addr_ip_is_v4(&pa->ip) && pa->plen < 96) || pa->pad)
			return fail(err, errsz, -EINVAL, "port %u: addrs[%u]: bad prefix length %u",
				    k->port_id, a, pa->plen);
		if (pa->mac[0] & 1)
			return fail(err, errsz, -EINVAL, "port %u: addrs[%u]: multicast mac",
				    k->port_id, a);
	}
	return 0;
}

static int
check_vtep(const struct fp_vtep_key *k, const struct fp_vtep_val *v,
	   const struct fp_check_view *view, char *err, size_t errsz)
{
	uint32_t up;

	if (v == NULL)
		return 0;
	up = v->underlay_port;
	if (v->encap >= FP_ENCAP_MAX)
		return fail(err, errsz, -EINVAL, "vtep %u: unknown encap %u", k->vtep_id, v->encap);
	if (fp_addr_ip_is_zero(&v->remote) || fp_addr_ip_is_multicast(&v->remote))
		return fail(err, errsz, -EINVAL, "vtep %u: remote is not a unicast address",
			    k->vtep_id);
	if (fp_addr_ip_is_v4(&v->remote) != fp_addr_ip_is_v4(&v->local))
		return fail(err, errsz, -EINVAL,
			    "vtep %u: local and remote are of different families", k->vtep_id);
	if (view != NULL && !local_vtep(view, &v->local))
		return fail(err, errsz, -EINVAL, "vtep %u: local is not a local VTEP address",
			    k->vtep_id);
	if (view != NULL && role_of(view, up) != FP_PORT_ROLE_UNDERLAY)
		return fail(err, errsz, -EINVAL, "vtep %u: port %u is not an underlay port",
			    k->vtep_id, up);
	if (!fp_addr_mac_is_unicast(v->nh_mac))
		return fail(err, errsz, -EINVAL, "vtep %u: next-hop mac is not unicast",
			    k->vtep_id);
	if (v->pad)
		return fail(err, errsz, -EINVAL, "vtep %u: pad not zero", k->vtep_id);
	if (view != NULL &&
	    view->port_mtu[up] <= (fp_addr_ip_is_v4(&v->remote) ? ENCAP_HDR_V4 : ENCAP_HDR_V6))
		return fail(err, errsz, -EINVAL, "vtep %u: underlay mtu %u too small", k->vtep_id,
			    view->port_mtu[up]);
	return 0;
}

static const char *
dest_name(uint16_t type)
{
	return type == FP_DEST_PORT ? "vm port" : type == FP_DEST_PHYS ? "physical port" : "vtep";
}

/* A destination of network net (an fdb entry or a flood member): a
 * physical port (with its VLAN id) only in a provider network, a vtep
 * only in an overlay one.  Returns NULL or what is wrong.
 */
static const char *
dest_why_not(const struct fp_check_view *view, uint32_t net, uint16_t type, uint32_t id,
	     uint32_t vlan)
{
	if (type == FP_DEST_PHYS) {
		if (!provider_id(net))
			return "in a network that is not a provider network";
		if (vlan > FP_VLAN_MAX)
			return "with a vlan out of range 0..4094";
		if (view != NULL && role_of(view, id) != FP_PORT_ROLE_PHYSICAL)
			return "is not a physical port";
		return NULL;
	}
	if (vlan != 0)
		return "with a vlan, but not a physical port";
	if (type == FP_DEST_VTEP && provider_id(net))
		return "in a provider network (never tunnelled)";
	if (!exists(view, type, id))
		return "does not exist";
	return NULL;
}

static int
check_fdb(const struct fp_fdb_key *k, const struct fp_fdb_val *v, const struct fp_check_view *view,
	  char *err, size_t errsz)
{
	const char *why;

	if (k->pad[0] || k->pad[1])
		return fail(err, errsz, -EINVAL, "fdb: vni %u: pad not zero", k->vni);
	if ((why = net_why_not(view, k->vni)) != NULL)
		return fail(err, errsz, -EINVAL, "fdb: vni %u: %s", k->vni, why);
	if (v == NULL)
		return 0;
	if (k->mac[0] & 1)
		return fail(err, errsz, -EINVAL, "fdb vni %u: mac is not unicast", k->vni);
	/* FP_DEST_PHYS: flags hold the VLAN id (checked with the dest). */
	if (v->flags && v->type != FP_DEST_PHYS &&
	    (v->type != FP_DEST_ROUTER || v->flags != FP_FDB_F_EXTERNAL))
		return fail(err, errsz, -EINVAL,
			    "fdb vni %u: flags 0x%x: only a router entry may be external (0x%x)",
			    k->vni, v->flags, FP_FDB_F_EXTERNAL);
	if (v->type == FP_DEST_ROUTER && v->flags && view != NULL && !view->nat)
		return fail(err, errsz, -EINVAL,
			    "fdb vni %u: external router entry (floating IP): this engine does not "
			    "translate floating IPs (doc/routing.md)",
			    k->vni);
	if (v->type == FP_DEST_ROUTER && v->flags && provider_id(k->vni))
		return fail(
			err, errsz, -EINVAL,
			"fdb vni %u: external router entry (floating IP) on a provider network: "
			"not carried yet (doc/routing.md)",
			k->vni);
	switch (v->type) {
	case FP_DEST_PHYS:
	case FP_DEST_VTEP:
	case FP_DEST_PORT:
		/* FP_DEST_PHYS: the VLAN id is in flags. */
		why = dest_why_not(view, k->vni, v->type, v->id,
				   v->type == FP_DEST_PHYS ? v->flags : 0);
		if (why != NULL)
			return fail(err, errsz, -EINVAL, "fdb vni %u: %s %u %s", k->vni,
				    dest_name(v->type), v->id, why);
		return 0;
	case FP_DEST_ROUTER:
		/* The vrf need not hold routes yet: a router without routes
		 * drops what it gets as no_route (doc/routing.md).
		 */
		if (v->id == 0)
			return fail(err, errsz, -EINVAL, "fdb vni %u: router vrf 0", k->vni);
		if (view != NULL && !view->routes)
			return fail(err, errsz, -EINVAL,
				    "fdb vni %u: router entries: this engine does not route "
				    "(doc/routing.md)",
				    k->vni);
		return 0;
	default:
		return fail(err, errsz, -EINVAL, "fdb vni %u: unknown type %u", k->vni, v->type);
	}
}

static int
check_flood(const struct fp_flood_key *k, const struct fp_flood_val *v,
	    const struct fp_check_view *view, char *err, size_t errsz)
{
	const char *why;
	uint32_t m;

	if ((why = net_why_not(view, k->vni)) != NULL)
		return fail(err, errsz, -EINVAL, "flood: vni %u: %s", k->vni, why);
	if (v == NULL)
		return 0;
	if (v->n_members > FP_FLOOD_MEMBER_MAX || v->pad)
		return fail(err, errsz, -EINVAL, "flood vni %u: n_members %u > %u or pad not zero",
			    k->vni, v->n_members, FP_FLOOD_MEMBER_MAX);
	for (m = 0; m < FP_FLOOD_MEMBER_MAX; m++) {
		const struct fp_flood_member *fm = &v->members[m];

		if (m >= v->n_members) {
			if (!is_zero(fm, sizeof(*fm)))
				return fail(err, errsz, -EINVAL,
					    "flood vni %u: unused member %u not zero", k->vni, m);
			continue;
		}
		if (fm->type != FP_DEST_PORT && fm->type != FP_DEST_VTEP &&
		    fm->type != FP_DEST_PHYS)
			return fail(err, errsz, -EINVAL, "flood vni %u: member %u: bad type %u",
				    k->vni, m, fm->type);
		if ((why = dest_why_not(view, k->vni, fm->type, fm->id, fm->vlan)) != NULL)
			return fail(err, errsz, -EINVAL, "flood vni %u: member %u: %s %u %s",
				    k->vni, m, dest_name(fm->type), fm->id, why);
	}
	return 0;
}

static int
check_neigh(const struct fp_neigh_key *k, const struct fp_neigh_val *v,
	    const struct fp_check_view *view, char *err, size_t errsz)
{
	const char *why;

	if (k->pad)
		return fail(err, errsz, -EINVAL, "neigh vrf %u: key pad not zero", k->vrf);
	if (v == NULL)
		return 0;
	if (fp_addr_ip_is_zero(&k->ip) || fp_addr_ip_is_multicast(&k->ip))
		return fail(err, errsz, -EINVAL, "neigh vrf %u: ip is not a unicast address",
			    k->vrf);
	if (!fp_addr_mac_is_unicast(v->mac))
		return fail(err, errsz, -EINVAL, "neigh vrf %u: mac is not unicast", k->vrf);
	if ((why = net_why_not(view, v->vni)) != NULL)
		return fail(err, errsz, -EINVAL, "neigh vrf %u: vni %u: %s", k->vrf, v->vni, why);
	/* local_only: what both engines do for every entry already (only
	 * requests from local VM ports are answered).
	 */
	if (v->flags & ~FP_NEIGH_F_LOCAL_ONLY)
		return fail(err, errsz, -EINVAL, "neigh vrf %u: unknown flags 0x%x", k->vrf,
			    v->flags);
	return 0;
}

static const char *
dir_name(uint32_t dir)
{
	return dir == FP_SG_DIR_EGRESS ? "egress" : dir == FP_SG_DIR_INGRESS ? "ingress" : "?";
}

/* A prefix (ip, plen) of family (4, 6, or 0: by the address): plen in
 * range, host bits zero.  Returns NULL or what is wrong.
 */
static const char *
prefix_why_not(const struct fp_ip *ip, uint32_t plen, uint32_t family)
{
	struct fp_ip m = *ip;
	int v4 = fp_addr_ip_is_v4(ip);

	if (family == 0)
		family = v4 ? 4 : 6;
	if (plen > 128)
		return "bad prefix length";
	if (family == 4 && (!v4 || plen < 96))
		return plen == 0 || v4 ? "bad prefix length" : "not an IPv4 address";
	if (family == 6 && v4 && plen >= 96)
		return "an IPv4 address in an IPv6 rule";
	fp_addr_prefix_mask(&m, (uint8_t)plen);
	if (memcmp(&m, ip, sizeof(m)) != 0)
		return "host bits set";
	return NULL;
}

static int
icmp_proto(uint32_t family)
{
	return family == 4 ? 1 : 58;
}

static int
check_rule(const struct fp_ruleset_key *k, uint32_t i, const struct fp_sg_rule *r, char *err,
	   size_t errsz)
{
	const char *why;
	uint32_t f = r->flags;

#define RULE_FAIL(fmt, ...)                                                                        \
	fail(err, errsz, -EINVAL, "ruleset %u %s: rule %u: " fmt, k->ruleset_id, dir_name(k->dir), \
	     i, ##__VA_ARGS__)
	if (f & ~FP_SG_RULE_F_ALL)
		return RULE_FAIL("unknown flags 0x%x", f);
	if (r->family != 4 && r->family != 6)
		return RULE_FAIL("family %u, expected 4 or 6", r->family);
	if (r->rule_id == 0)
		return RULE_FAIL("rule id 0");
	if (!is_zero(r->pad, sizeof(r->pad)))
		return RULE_FAIL("pad not zero");
	if (!(f & FP_SG_RULE_F_PROTO) && r->proto != 0)
		return RULE_FAIL("protocol %u without the proto flag", r->proto);
	if (f & FP_SG_RULE_F_PORTS) {
		if (!(f & FP_SG_RULE_F_PROTO) ||
		    !(r->proto == 6 || r->proto == 17 || r->proto == 33 || r->proto == 132 ||
		      r->proto == 136))
			return RULE_FAIL("a port range needs tcp, udp, sctp, dccp or udplite");
		if (r->port_min > r->port_max)
			return RULE_FAIL("port range %u..%u", r->port_min, r->port_max);
	} else if (r->port_min != 0 || r->port_max != 0) {
		return RULE_FAIL("ports without the ports flag");
	}
	if (f & (FP_SG_RULE_F_ICMP_TYPE | FP_SG_RULE_F_ICMP_CODE)) {
		if (!(f & FP_SG_RULE_F_PROTO) || r->proto != icmp_proto(r->family))
			return RULE_FAIL("an icmp type or code needs protocol %s",
					 r->family == 4 ? "icmp" : "icmpv6");
		if ((f & FP_SG_RULE_F_ICMP_CODE) && !(f & FP_SG_RULE_F_ICMP_TYPE))
			return RULE_FAIL("an icmp code without a type");
	}
	if ((!(f & FP_SG_RULE_F_ICMP_TYPE) && r->icmp_type != 0) ||
	    (!(f & FP_SG_RULE_F_ICMP_CODE) && r->icmp_code != 0))
		return RULE_FAIL("icmp type or code without its flag");
	if (f & FP_SG_RULE_F_ADDRSET) {
		if (r->addrset == 0)
			return RULE_FAIL("address set 0");
		if (r->plen != 0 || !is_zero(&r->remote, sizeof(r->remote)))
			return RULE_FAIL("a remote prefix and an address set");
		return 0;
	}
	if (r->addrset != 0)
		return RULE_FAIL("address set %u without the addrset flag", r->addrset);
	if (r->plen == 0) {
		if (!is_zero(&r->remote, sizeof(r->remote)))
			return RULE_FAIL("remote address with prefix length 0");
		return 0;
	}
	why = prefix_why_not(&r->remote, r->plen, r->family);
	if (why != NULL)
		return RULE_FAIL("remote prefix /%u: %s", r->plen, why);
#undef RULE_FAIL
	return 0;
}

static int
check_ruleset(const struct fp_ruleset_key *k, const struct fp_ruleset_val *v, char *err,
	      size_t errsz)
{
	uint32_t i;
	int rc;

	if (k->ruleset_id == 0)
		return fail(err, errsz, -EINVAL, "ruleset: id 0");
	if (k->dir >= FP_SG_DIR_MAX || k->pad)
		return fail(err, errsz, -EINVAL, "ruleset %u: direction %u or pad not zero",
			    k->ruleset_id, k->dir);
	if (v == NULL)
		return 0;
	if (v->n_rules > FP_SG_RULE_MAX)
		return fail(err, errsz, -EINVAL, "ruleset %u %s: n_rules %u > %u", k->ruleset_id,
			    dir_name(k->dir), v->n_rules, FP_SG_RULE_MAX);
	if (v->flags & ~FP_RULESET_F_STATEFUL)
		return fail(err, errsz, -EINVAL, "ruleset %u %s: unknown flags 0x%x", k->ruleset_id,
			    dir_name(k->dir), v->flags);
	if (v->pad)
		return fail(err, errsz, -EINVAL, "ruleset %u %s: pad not zero", k->ruleset_id,
			    dir_name(k->dir));
	for (i = 0; i < FP_SG_RULE_MAX; i++) {
		if (i >= v->n_rules) {
			if (!is_zero(&v->rules[i], sizeof(v->rules[i])))
				return fail(err, errsz, -EINVAL,
					    "ruleset %u %s: unused rule %u not zero", k->ruleset_id,
					    dir_name(k->dir), i);
			continue;
		}
		rc = check_rule(k, i, &v->rules[i], err, errsz);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
check_addrset(const struct fp_addrset_key *k, const struct fp_addrset_val *v, char *err,
	      size_t errsz)
{
	const char *why;

	if (k->set_id == 0)
		return fail(err, errsz, -EINVAL, "addrset: id 0");
	if (!is_zero(k->pad, sizeof(k->pad)))
		return fail(err, errsz, -EINVAL, "addrset %u: key pad not zero", k->set_id);
	why = prefix_why_not(&k->ip, k->plen, 0);
	if (why != NULL)
		return fail(err, errsz, -EINVAL, "addrset %u: member /%u: %s", k->set_id, k->plen,
			    why);
	if (v != NULL && v->pad)
		return fail(err, errsz, -EINVAL, "addrset %u: pad not zero", k->set_id);
	return 0;
}

static int
unicast_ip(const struct fp_ip *ip)
{
	return !fp_addr_ip_is_zero(ip) && !fp_addr_ip_is_multicast(ip);
}

static int
check_route(const struct fp_route_key *k, const struct fp_route_val *v,
	    const struct fp_check_view *view, char *err, size_t errsz)
{
	const char *why;
	int v4 = fp_addr_ip_is_v4(&k->ip) && k->plen >= 96;

	if (k->vrf == 0)
		return fail(err, errsz, -EINVAL, "route: vrf 0");
	if (!is_zero(k->pad, sizeof(k->pad)))
		return fail(err, errsz, -EINVAL, "route vrf %u: key pad not zero", k->vrf);
	why = prefix_why_not(&k->ip, k->plen, 0);
	if (why != NULL)
		return fail(err, errsz, -EINVAL, "route vrf %u: prefix /%u: %s", k->vrf, k->plen,
			    why);
	if (view != NULL && !view->routes)
		return fail(err, errsz, -EINVAL,
			    "route vrf %u: this engine does not carry the route table "
			    "(doc/routing.md)",
			    k->vrf);
	if (v == NULL)
		return 0;
	if (v->flags & ~(FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT) ||
	    (v->flags && v->type != FP_ROUTE_CONNECTED && v->type != FP_ROUTE_NEXTHOP) ||
	    v->flags == FP_ROUTE_F_SNAT)
		return fail(err, errsz, -EINVAL,
			    "route vrf %u: flags 0x%x: external (0x%x) on a connected or nexthop "
			    "route, snat (0x%x) only with external",
			    k->vrf, v->flags, FP_ROUTE_F_EXTERNAL, FP_ROUTE_F_SNAT);
	if (v->flags && view != NULL && !view->nat)
		return fail(err, errsz, -EINVAL,
			    "route vrf %u: flags 0x%x: external routes (floating IPs): this engine "
			    "does not translate floating IPs (doc/routing.md)",
			    k->vrf, v->flags);
	switch (v->type) {
	case FP_ROUTE_LOCAL:
		if (k->plen != 128 || memcmp(&v->addr, &k->ip, sizeof(k->ip)) != 0 ||
		    !unicast_ip(&k->ip))
			return fail(err, errsz, -EINVAL,
				    "route vrf %u: local: a host prefix of a unicast address, "
				    "addr the same",
				    k->vrf);
		/* fall through */
	case FP_ROUTE_BLACKHOLE:
		if (v->vni || v->mtu || !fp_addr_mac_is_zero(v->mac) ||
		    (v->type == FP_ROUTE_BLACKHOLE && !is_zero(&v->addr, sizeof(v->addr))))
			return fail(err, errsz, -EINVAL,
				    "route vrf %u: %s: vni, mac, mtu%s must be zero", k->vrf,
				    v->type == FP_ROUTE_LOCAL ? "local" : "blackhole",
				    v->type == FP_ROUTE_LOCAL ? "" : ", addr");
		return 0;
	case FP_ROUTE_CONNECTED:
	case FP_ROUTE_NEXTHOP:
		if ((why = net_why_not(view, v->vni)) != NULL)
			return fail(err, errsz, -EINVAL, "route vrf %u: vni %u: %s", k->vrf, v->vni,
				    why);
		if (!fp_addr_mac_is_unicast(v->mac))
			return fail(err, errsz, -EINVAL, "route vrf %u: mac is not unicast",
				    k->vrf);
		if (v->mtu < FP_CHECK_MTU_MIN || v->mtu > FP_CHECK_MTU_MAX)
			return fail(err, errsz, -EINVAL, "route vrf %u: mtu %u out of range %u..%u",
				    k->vrf, v->mtu, FP_CHECK_MTU_MIN, FP_CHECK_MTU_MAX);
		if (!unicast_ip(&v->addr) || fp_addr_ip_is_v4(&v->addr) != v4)
			return fail(err, errsz, -EINVAL,
				    "route vrf %u: %s %s is not a unicast address of the prefix's "
				    "family",
				    k->vrf, v->type == FP_ROUTE_CONNECTED ? "connected" : "nexthop",
				    v->type == FP_ROUTE_CONNECTED ? "router address" : "next hop");
		return 0;
	default:
		return fail(err, errsz, -EINVAL, "route vrf %u: unknown type %u", k->vrf, v->type);
	}
}

static int
check_nat(const struct fp_nat_key *k, const struct fp_nat_val *v, const struct fp_check_view *view,
	  char *err, size_t errsz)
{
	const char *dir = k->dir == FP_NAT_SNAT ? "snat" : "dnat";

	if (k->dir != FP_NAT_SNAT && k->dir != FP_NAT_DNAT)
		return fail(err, errsz, -EINVAL, "nat: direction %u, expected snat (0) or dnat (1)",
			    k->dir);
	if (!is_zero(k->pad, sizeof(k->pad)))
		return fail(err, errsz, -EINVAL, "nat %s %u: key pad not zero", dir, k->scope);
	if (k->dir == FP_NAT_SNAT ? k->scope == 0 : net_why_not(view, k->scope) != NULL)
		return fail(err, errsz, -EINVAL, "nat %s: scope %u: %s", dir, k->scope,
			    k->dir == FP_NAT_SNAT ? "vrf 0" : "network id out of range");
	/* Floating IPs on a provider external network need ARP answered on
	 * the physical port and the floating IP's MAC kept as the source:
	 * not built, so refused rather than stored and ignored.
	 */
	if (k->dir == FP_NAT_DNAT && provider_id(k->scope))
		return fail(err, errsz, -EINVAL,
			    "nat dnat %u: floating IPs on provider networks are not carried yet "
			    "(doc/routing.md)",
			    k->scope);
	if (!unicast_ip(&k->ip))
		return fail(err, errsz, -EINVAL, "nat %s %u: ip is not a unicast address", dir,
			    k->scope);
	/* Neutron's floating IPs are IPv4 (floating_ip_address and the
	 * fixed_ip_address it maps to): the engines translate IPv4 only.
	 */
	if (!fp_addr_ip_is_v4(&k->ip))
		return fail(err, errsz, -EINVAL,
			    "nat %s %u: IPv6: floating IPs are IPv4 (Neutron's), IPv6 is not "
			    "translated",
			    dir, k->scope);
	if (view != NULL && !view->routes)
		return fail(err, errsz, -EINVAL,
			    "nat %s %u: this engine does not carry the nat table (doc/routing.md)",
			    dir, k->scope);
	if (v == NULL)
		return 0;
	if (view != NULL && !view->nat)
		return fail(err, errsz, -EINVAL,
			    "nat %s %u: this engine does not translate floating IPs yet "
			    "(doc/routing.md \"Not yet\")",
			    dir, k->scope);
	if (v->pad)
		return fail(err, errsz, -EINVAL, "nat %s %u: pad not zero", dir, k->scope);
	if (!unicast_ip(&v->ip) || fp_addr_ip_is_v4(&v->ip) != fp_addr_ip_is_v4(&k->ip))
		return fail(err, errsz, -EINVAL,
			    "nat %s %u: translated ip is not a unicast address of the key's family",
			    dir, k->scope);
	if (k->dir == FP_NAT_SNAT) {
		if (net_why_not(view, v->scope) != NULL || !fp_addr_mac_is_unicast(v->mac))
			return fail(err, errsz, -EINVAL,
				    "nat snat %u: external network %u out of range or mac not "
				    "unicast",
				    k->scope, v->scope);
		if (provider_id(v->scope))
			return fail(err, errsz, -EINVAL,
				    "nat snat %u: network %u: floating IPs on provider networks "
				    "are not carried yet (doc/routing.md)",
				    k->scope, v->scope);
	} else if (v->scope == 0 || !fp_addr_mac_is_zero(v->mac)) {
		return fail(err, errsz, -EINVAL, "nat dnat %u: vrf 0 or mac not zero", k->scope);
	}
	return 0;
}

/* The slow path's tables: served by the engine (view), keyed by a VM port
 * (dhcp, dhcp6; table names it) or a network (ra).
 */
static int
check_slowpath_key(const char *table, uint32_t id, int by_port, const struct fp_check_view *view,
		   char *err, size_t errsz)
{
	const char *what = by_port ? "port" : "network";

	const char *why;

	if (by_port && id >= FP_PORT_MAX)
		return fail(err, errsz, -EINVAL, "%s port %u: out of range 0..%u", table, id,
			    FP_PORT_MAX - 1);
	/* A network: a VNI or a provider network's id, as fdb and flood. */
	if (!by_port && (why = net_why_not(view, id)) != NULL)
		return fail(err, errsz, -EINVAL, "%s network %u: %s", table, id, why);
	if (view != NULL && !view->slowpath)
		return fail(err, errsz, -EINVAL,
			    "%s %s %u: this engine does not serve the %s table (doc/routing.md "
			    "\"The slow path\")",
			    table, what, id, table);
	if (by_port && view != NULL && role_of(view, id) != FP_PORT_ROLE_VM)
		return fail(err, errsz, -EINVAL, "%s port %u: not a VM port", table, id);
	return 0;
}

/* A message of lib/dhcp4.c, dhcp6.c or ra.c ("dhcp: why") for entry id. */
static int
check_slowpath_val(int rc, const char *table, const char *what, uint32_t id, const char *msg,
		   char *err, size_t errsz)
{
	size_t n = strlen(table);

	if (rc == 0)
		return 0;
	if (strncmp(msg, table, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	return fail(err, errsz, -EINVAL, "%s %s %u: %s", table, what, id, msg);
}

static int
check_dhcp(const struct fp_dhcp_key *k, const struct fp_dhcp_val *v,
	   const struct fp_check_view *view, char *err, size_t errsz)
{
	char msg[FP_CHECK_MSG_SIZE] = "";
	int rc = check_slowpath_key("dhcp", k->port_id, 1, view, err, errsz);

	if (rc != 0 || v == NULL)
		return rc;
	if (!fp_addr_mac_is_unicast(v->mac))
		return fail(err, errsz, -EINVAL, "dhcp port %u: mac is not unicast", k->port_id);
	rc = fp_dhcp4_check(v, msg, sizeof(msg));
	return check_slowpath_val(rc, "dhcp", "port", k->port_id, msg, err, errsz);
}

static int
check_ra(const struct fp_ra_key *k, const struct fp_ra_val *v, const struct fp_check_view *view,
	 char *err, size_t errsz)
{
	char msg[FP_CHECK_MSG_SIZE] = "";
	int rc = check_slowpath_key("ra", k->vni, 0, view, err, errsz);

	if (rc != 0 || v == NULL)
		return rc;
	rc = fp_ra_check(v, msg, sizeof(msg));
	return check_slowpath_val(rc, "ra", "network", k->vni, msg, err, errsz);
}

static int
check_dhcp6(const struct fp_dhcp6_key *k, const struct fp_dhcp6_val *v,
	    const struct fp_check_view *view, char *err, size_t errsz)
{
	char msg[FP_CHECK_MSG_SIZE] = "";
	int rc = check_slowpath_key("dhcp6", k->port_id, 1, view, err, errsz);

	if (rc != 0 || v == NULL)
		return rc;
	rc = fp_dhcp6_check(v, msg, sizeof(msg));
	return check_slowpath_val(rc, "dhcp6", "port", k->port_id, msg, err, errsz);
}

static int
check_segment(const struct fp_segment_key *k, const struct fp_segment_val *v,
	      const struct fp_check_view *view, char *err, size_t errsz)
{
	if (k->vlan > FP_VLAN_MAX || k->pad)
		return fail(err, errsz, -EINVAL,
			    "segment port %u: vlan %u out of range 0..%u or "
			    "pad not zero",
			    k->port_id, k->vlan, FP_VLAN_MAX);
	if (view != NULL && !view->segments)
		return fail(err, errsz, -EINVAL,
			    "segment port %u vlan %u: this engine does not carry provider "
			    "networks (doc/routing.md)",
			    k->port_id, k->vlan);
	if (view != NULL && role_of(view, k->port_id) != FP_PORT_ROLE_PHYSICAL)
		return fail(err, errsz, -EINVAL, "segment port %u vlan %u: not a physical port",
			    k->port_id, k->vlan);
	if (v == NULL)
		return 0;
	if (!provider_id(v->vni) || v->pad)
		return fail(err, errsz, -EINVAL,
			    "segment port %u vlan %u: network 0x%x is not a provider network "
			    "(0x1000001..0x1ffffff) or pad not zero",
			    k->port_id, k->vlan, v->vni);
	return 0;
}

int
fp_check_entry(uint16_t table, const void *key, const void *val, const struct fp_check_view *view,
	       char *err, size_t errsz)
{
	switch (table) {
	case FP_TABLE_PORT:
		return check_port(key, val, view, err, errsz);
	case FP_TABLE_VTEP:
		return check_vtep(key, val, view, err, errsz);
	case FP_TABLE_FDB:
		return check_fdb(key, val, view, err, errsz);
	case FP_TABLE_FLOOD:
		return check_flood(key, val, view, err, errsz);
	case FP_TABLE_NEIGH:
		return check_neigh(key, val, view, err, errsz);
	case FP_TABLE_RULESET:
		return check_ruleset(key, val, err, errsz);
	case FP_TABLE_ADDRSET:
		return check_addrset(key, val, err, errsz);
	case FP_TABLE_ROUTE:
		return check_route(key, val, view, err, errsz);
	case FP_TABLE_NAT:
		return check_nat(key, val, view, err, errsz);
	case FP_TABLE_DHCP:
		return check_dhcp(key, val, view, err, errsz);
	case FP_TABLE_RA:
		return check_ra(key, val, view, err, errsz);
	case FP_TABLE_DHCP6:
		return check_dhcp6(key, val, view, err, errsz);
	case FP_TABLE_SEGMENT:
		return check_segment(key, val, view, err, errsz);
	default:
		return fail(err, errsz, -EINVAL, "unknown table %u", table);
	}
}
