/* SPDX-License-Identifier: BSD-3-Clause */
/* The compiler: the model (Neutron resources and hosts) -> the table
 * entries one host's dataplane needs.  Pure: no I/O, no clock, the same
 * model and context always give the same entries.
 *
 * What a host gets (ctx->host is its name, as in binding:host_id):
 *   - A network is present on the host when at least one of its ports is
 *     placed here: bound to ctx->host (binding:host_id), admin up, and
 *     naming a dataplane port of role vm in binding:profile.flowplane_port.
 *     Only present networks get entries (a VNI is served when it has a
 *     flood entry: doc/design.md).
 *   - port: one per local port (key: the dataplane port id), role vm, the
 *     network's VNI, vrf = VNI, mtu = the network's mtu, the port's MAC,
 *     anti-spoofing when port security is on, allowed sources = fixed IPs
 *     (/128, the port's MAC) then allowed_address_pairs (their prefix and
 *     MAC, zero MAC = the port's), at most FP_PORT_ADDR_MAX.
 *   - fdb (VNI, MAC): local ports -> FP_DEST_PORT; ports bound to another
 *     known host -> FP_DEST_VTEP of that host's vtep for the network's
 *     encapsulation.  Unbound and admin-down ports get nothing.
 *   - neigh (vrf, IP) -> (MAC, VNI) for every fixed IP of every placed
 *     port (local or remote) of a present network.  allowed_address_pairs
 *     get no neigh entries: such addresses move between ports (VRRP), so
 *     ARP for them is flooded and answered by whoever holds them.
 *   - flood (VNI): the network's local ports (by port id), then the vteps
 *     of every other host with a placed port in it (by vtep id).
 *   - vtep: one per (remote host, encapsulation) that some fdb entry or
 *     flood member uses.  remote = the host's first VTEP address of a
 *     family this host has a local VTEP address of; local = this host's
 *     first local VTEP address of that family; next hop = ctx->gw_mac, or
 *     the host's underlay_mac; underlay port = ctx->underlay_port.  Ids
 *     come from struct fp_vtep_ids, stable across compiles.
 *   - security groups (compile_sg.c; doc/security-groups.md): a local port
 *     with port security on gets FP_PORT_F_SG and a ruleset id (both
 *     directions); no groups: an empty ruleset.  ruleset (id, dir): the
 *     union of the rules of the port's groups, converted to struct
 *     fp_sg_rule, sorted, duplicates removed; ports with the same group
 *     list share one id (ctx->ruleset_ids, key "rs:<sorted group ids>");
 *     stateful unless the groups are stateless.  rule_id = FNV-1a of the
 *     Neutron rule id (never 0).  addrset: one set per remote group an
 *     emitted rule names (ctx->addrset_ids, "group:<id>": the fixed IPs
 *     and allowed address pairs of every port naming the group, any host,
 *     bound or not) and per address group ("agroup:<id>": its prefixes).
 *     Fail closed: on an engine that does not enforce security groups
 *     (!ctx->sg_enforced), or with stateful and stateless groups mixed, a
 *     filtered port gets no entries at all; a direction with more than
 *     FP_SG_RULE_MAX rules gets no ruleset entry (the engine drops it);
 *     unknown groups, remote groups and address groups leave their rules
 *     out.  Each is a problem.
 *   - routing (compile_l3.c, compile_l3.h; doc/routing.md), when the engine
 *     routes (ctx->routes_carried): a router with an interface on a present
 *     network is on this host; the networks it reaches are present too;
 *     it gets its whole route table (connected, local, extra and default
 *     routes, vrf = ctx->vrf_ids's id for "router:<id>"), and its
 *     interfaces' fdb (-> router) and neigh (local only) entries in the
 *     present networks.  Router ports are then never placed as L2 ports.
 *   - DHCP (compile_dhcp.c, compile_dhcp.h; doc/routing.md): per local VM
 *     port a dhcp entry (its IPv4 address on a subnet with enable_dhcp)
 *     and a dhcp6 entry (IPv6, per ipv6_address_mode), and per network
 *     with a local VM port an ra entry (its IPv6 subnets' ipv6_ra_mode
 *     and router interface), each where the engine serves the table.
 *   - provider networks (compile_prov.c, compile_prov.h): a vlan or flat
 *     network on a physnet this host's bridge_mappings map to a physical
 *     port gets the entries of any network under its id FP_NET_PROVIDER |
 *     n, and a segment (port, tag); its remote ports' fdb entries and its
 *     flood list name the physical port with the tag, never a vtep.
 *
 * Whatever cannot be compiled is skipped and reported as a problem naming
 * the resource and field: a port or subnet whose network is missing, a
 * network whose VNI a network with a lower id has (fdb and flood entries
 * are keyed by VNI alone, whatever the encapsulation), a local port
 * naming an unknown or non-vm dataplane port or one another port already
 * uses, a port on an unknown host or one without a usable address family
 * or next hop, a duplicate MAC or IP in one network (the port with the
 * lower id keeps it), more allowed sources than a port entry holds (the
 * list is cut), more flood members than FP_FLOOD_MEMBER_MAX (the list is
 * cut), no free vtep id.  Conflicts are resolved among the ports that
 * would get entries: an unbound or admin-down port claims nothing.  These
 * are problems of kind conflict: the API refuses a request that adds one.
 *
 * What this flowplane stores but does not carry is a problem of kind
 * unsupported, listed in one place (report_uncarried() in compile.c):
 * networks other than vxlan, geneve, vlan and flat (not installed; nor
 * their ports bound to this host), vlan and flat networks this host does
 * not carry (compile_prov.h says why), on an engine that does not route its routers and
 * their ports (device_owner network:router_*), centralized SNAT ports, and
 * floating IPs where the engine does not translate (compile_l3.h), and subnets whose DHCP,
 * DHCPv6 or router advertisements the engine does not serve.
 * What fp_model_check() finds across references (a router port without
 * its router, an interface off its subnet's gateway...) is of kind
 * inconsistent.  Neither refuses a request.
 */
#ifndef FP_CONTROL_COMPILE_H
#define FP_CONTROL_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#include "engine_port.h"
#include "entries.h"
#include "ids.h"
#include "model.h"
#include "vtep_ids.h"

#define FP_COMPILE_LOCAL_VTEP_MAX 4 /* local VTEP addresses */

struct fp_compile_ctx {
	const char *host;				     /* this host's name */
	struct fp_ip local_vteps[FP_COMPILE_LOCAL_VTEP_MAX]; /* this host's VTEP addresses */
	uint32_t n_local_vteps;				     /* valid local_vteps */
	uint32_t underlay_port;				     /* port id vteps send through */
	const struct fp_engine_port *ports;		     /* the dataplane's ports */
	uint32_t n_ports;				     /* valid ports */
	int has_gw_mac;					     /* gw_mac is every vtep's next hop */
	uint8_t gw_mac[6];				     /* underlay gateway MAC */
	struct fp_vtep_ids *ids;			     /* vtep id allocator */
	struct fp_ids *ruleset_ids;			     /* ruleset ids ("rs:<group ids>") */
	struct fp_ids *addrset_ids;			     /* address set ids ("group:<id>"...) */
	int sg_enforced;	/* the engine filters FP_PORT_F_SG ports */
	int routes_carried;	/* the engine routes (route table): compile_l3.h */
	int nat_carried;	/* it translates floating IPs (nat table): compile_l3.h */
	struct fp_ids *vrf_ids; /* router vrf ids ("router:<id>") */
	const char *engine;	/* its name, for problems ("xdp") */
	int md_undelivered;	/* the metadata proxy is on, the engine does not deliver */
	int dhcp_served;	/* the engine answers DHCPv4 (dhcp table): compile_dhcp.h */
	int dhcp6_served;	/* the engine answers DHCPv6 (dhcp6 table) */
	int ra_served;		/* the engine sends router advertisements (ra table) */
	uint32_t dhcp_lease;	/* DHCP lease, seconds; 0: FP_COMPILE_DHCP_LEASE_DEFAULT */
	int segments_carried;	/* the engine carries provider networks (segment table) */
	struct fp_ids *net_ids; /* provider network ids n of FP_NET_PROVIDER | n ("net:<id>") */
};

/* How a problem weighs on a request: FP_COMPILE_PROBLEM_<ID>, its name in
 * the API and the log.  Only a conflict refuses the request that adds it
 * (422); the others are stored, reported and logged, and the rest of the
 * request (a snapshot's other resources) is installed.
 */
#define FP_FOREACH_COMPILE_PROBLEM(_)                                                    \
	_(CONFLICT, "conflict")		/* two resources want one thing; bad binding */  \
	_(UNSUPPORTED, "unsupported")	/* well formed, not carried by this flowplane */ \
	_(INCONSISTENT, "inconsistent") /* references disagree (fp_model_check()) */

#define FP_COMPILE_PROBLEM_ENUM(id, name) FP_COMPILE_PROBLEM_##id,
enum fp_compile_problem_kind {
	FP_FOREACH_COMPILE_PROBLEM(FP_COMPILE_PROBLEM_ENUM) FP_COMPILE_PROBLEM_KIND_MAX
};
#undef FP_COMPILE_PROBLEM_ENUM

/* "conflict", "unsupported", "inconsistent". */
extern const char *const fp_compile_problem_kind_names[FP_COMPILE_PROBLEM_KIND_MAX];

/* Something the compiler skipped. */
struct fp_compile_problem {
	uint16_t coll;		   /* FP_MODEL_* of the resource */
	uint16_t kind;		   /* FP_COMPILE_PROBLEM_* */
	char id[FP_MODEL_ID_SIZE]; /* the resource's id */
	char field[64];		   /* the field at fault, e.g. "binding:host_id" */
	char reason[192];	   /* why */
};

struct fp_compile_report {
	struct fp_compile_problem *problems; /* malloc'ed; fp_compile_report_free() */
	size_t n_problems;		     /* valid problems */
	size_t cap;			     /* allocated problems */
	uint32_t n_networks_present;	     /* networks with entries here */
	uint32_t n_local_ports;		     /* port entries */
	uint32_t n_remote_hosts;	     /* vtep entries */
	uint32_t pad;			     /* zero */
};

/** Free the problems list and zero the report. Accepts NULL. */
void fp_compile_report_free(struct fp_compile_report *r);

/**
 * Compile a model for ctx->host into out (cleared first, sealed after).
 *
 * @param m   the model
 * @param ctx this host and its dataplane
 * @param out the entries
 * @param rep problems and counts (freed and refilled)
 * @return 0 (problems are not errors), or -ENOMEM, -EINVAL (an argument,
 *	   ctx->host or ctx->ids NULL); on an error out is empty and rep
 *	   freed
 */
int fp_compile(const struct fp_model *m, const struct fp_compile_ctx *ctx, struct fp_entry_set *out,
	       struct fp_compile_report *rep);

#endif /* FP_CONTROL_COMPILE_H */
