/* SPDX-License-Identifier: BSD-3-Clause */
/* The routing part of the compiler (doc/routing.md): Neutron routers ->
 * route entries, and the fdb and neigh entries of their interfaces.
 *
 * A router is on this host when one of its interfaces is on a network
 * with a local port (present, compile.h); then every network it has an
 * interface on is present too (its fdb, flood and neigh entries are
 * installed here: a routed packet re-enters L2 in it), and the host gets
 * the router's whole route table:
 *   - per interface fixed IP on subnet S: a connected route (vrf, S) with
 *     the network, the interface's MAC, the network's MTU and the address;
 *     a local route (vrf, address/128); IPv6: the interface's link-local
 *     address (EUI-64 of its MAC) as a local route too;
 *   - per extra route (router "routes"): a nexthop route through the
 *     interface whose subnet holds the next hop;
 *   - the external gateway on an overlay network: a default route per
 *     family through the gateway_ip of the subnet of the router's
 *     external fixed IP; where the engine translates (ctx->nat_carried)
 *     flagged external, and snat too with enable_snat (VMs without a
 *     floating IP: no_snat; the router keeps a problem: SNAT is a
 *     gateway's job); elsewhere unflagged without enable_snat, and none
 *     with it (a problem);
 *   - per floating IP of the router whose port is bound to this host
 *     (ctx->nat_carried): the nat pair snat (vrf, fixed IP) -> floating
 *     IP, its MAC, the external network and dnat (external network,
 *     floating IP) -> fixed IP, vrf; fdb (external network, the floating
 *     IP's MAC) -> the router, external; neigh (external network,
 *     floating IP) -> its MAC.  The MAC is the floating IP's own port's
 *     (device_owner network:floatingip, device_id the floating IP's id),
 *     as OVN's distributed dnat_and_snat takes external_mac.  A floating
 *     IP that cannot be served here is a problem on it, naming why.
 *     (Other hosts reach it through its port, placed at the VM's host:
 *     compile.c.)
 * and, in every present network it has an interface on: fdb (VNI,
 * interface MAC) -> router vrf, neigh (VNI, each interface address) ->
 * the interface MAC, local only.  vrf = ctx->vrf_ids's id for
 * "router:<id>", stable across compiles and restarts
 * (fp_compile_l3_rebind()).
 *
 * Only when the engine routes (ctx->routes_carried); else nothing, and
 * compile.c reports routers and their ports as not carried.  Router ports
 * are then never placed as L2 ports (their entries are these).
 */
#ifndef FP_CONTROL_COMPILE_L3_H
#define FP_CONTROL_COMPILE_L3_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "entries.h"
#include "model.h"

/* A network as compile.c holds it: the networks in id order. */
struct fp_compile_l3_net {
	const struct fp_model_network *n; /* the network */
	uint8_t usable;			  /* carried (overlay, unique VNI) */
	uint8_t present;		  /* in: a local port; out: or a router's */
	uint8_t local;			  /* set by fp_compile_l3_present(): a local port */
	uint8_t provider;		  /* a provider (vlan, flat) network */
	uint8_t pad[4];			  /* zero */
};

/* The router ports of a model, indexed by router (one per compile: the
 * lookups of compile_l3.c are then a binary search, not a scan of every
 * port per router).
 */
struct fp_compile_l3_index {
	const struct fp_model_port **ifs;  /* admin-up interfaces by (device_id, id) */
	size_t n_ifs;			   /* valid ifs */
	const struct fp_model_port **gws;  /* gateway ports by (device_id, id) */
	size_t n_gws;			   /* valid gws */
	const struct fp_model_port **fips; /* floating IP ports by (device_id, id) */
	size_t n_fips;			   /* valid fips */
};

/** Build ix from m's ports.  0 or -ENOMEM; free with fp_compile_l3_index_free(). */
int fp_compile_l3_index_build(const struct fp_model *m, struct fp_compile_l3_index *ix);

/** Free what ix holds (also a zeroed or half-built one). */
void fp_compile_l3_index_free(struct fp_compile_l3_index *ix);

/**
 * Mark present the networks that routers on this host reach (see the
 * top).  Call after the local ports set present, before the networks'
 * entries are built.
 *
 * @return the number of networks newly present, or -ENOMEM
 */
int fp_compile_l3_present(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			  const struct fp_compile_l3_index *ix, struct fp_compile_l3_net *nets,
			  size_t n_nets);

/* Called per router on this host with the indexes (in nets) of the
 * usable networks it reaches: nets[0..n_src) its interfaces' (whose
 * hosts have the router), nets[n_src..n) its external network (routed
 * into, from those hosts).  Non-zero stops and is returned.
 */
typedef int fp_compile_l3_router_fn(void *arg, const struct fp_model_router *rt,
				    const uint32_t *nets, size_t n_src, size_t n);

/**
 * The routers on this host and the networks each reaches (the interfaces'
 * and the external one), for the flood lists: a host where the router is
 * sends routed packets into each of its networks, so its vtep must serve
 * them (the underlay guard decapsulates a VNI only from the vteps in its
 * flood list or fdb).  Call after fp_compile_l3_present().
 *
 * @return 0, fn's non-zero return, or -ENOMEM
 */
int fp_compile_l3_routers(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			  const struct fp_compile_l3_index *ix,
			  const struct fp_compile_l3_net *nets, size_t n_nets,
			  fp_compile_l3_router_fn *fn, void *arg);

/**
 * Emit the route, fdb and neigh entries of the routers on this host into
 * out, sealed (fp_entry_set_apply()), after the ports' entries: an
 * interface MAC or address a port already holds there is a problem on the
 * interface (the port keeps it).
 *
 * @return 0, or a negative errno (ENOMEM; ENOSPC: no free vrf id is a
 *	   problem, not an error)
 */
int fp_compile_l3(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		  const struct fp_compile_l3_index *ix, const struct fp_compile_l3_net *nets,
		  size_t n_nets, struct fp_entry_set *out, struct fp_compile_report *rep);

/**
 * After a restart: bind each vrf found in installed's fdb router entries
 * to the router whose interface has that (network, MAC), so a restart
 * rewrites nothing (a provider network's id is matched through
 * ctx->net_ids: call after fp_compile_prov_rebind()); a vrf the installed entries use whose router
 * is gone is bound to "stale:<vrf>" (no new router gets it while they remain;
 * fp_compile_l3_ids_gc() frees it after).
 *
 * @return 0, or a negative errno
 */
int fp_compile_l3_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			 const struct fp_entry_set *installed);

/** Release the vrf ids neither installed nor desired entries use. */
void fp_compile_l3_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
			  const struct fp_entry_set *desired);

#endif /* FP_CONTROL_COMPILE_L3_H */
