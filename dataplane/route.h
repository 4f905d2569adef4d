/* SPDX-License-Identifier: BSD-3-Clause */
/* The routing step of fp-dpdk (doc/routing.md, "The packet's way").
 *
 * A frame from a VM port whose destination MAC is a router's (the fdb says
 * router, vrf V) is routed here: the route of its destination in V
 * (longest prefix, fp_ftables_route()); the router's own addresses answer
 * ICMP echo; a forwarded packet has its TTL / hop limit checked and
 * decremented, the egress MTU checked, its next hop resolved in the neigh
 * table and its MACs rewritten, and leaves this step with the egress
 * network for the pipeline to switch it there (fdb: local port, vtep).
 * ICMP errors (time exceeded, net unreachable, too big) come from the
 * router's address on the sender's subnet: the address of the connected
 * route holding the packet's source; without one no error is sent.
 *
 * The step decides and rewrites; the pipeline counts, emits and drops
 * (rx = tx + drop + punt holds there).
 *
 * Floating IPs (1:1 NAT, IPv4): a frame to a floating IP's MAC (an fdb
 * router entry flagged FP_FDB_F_EXTERNAL) has its destination translated
 * to the fixed IP first (fp_route_dnat(): nat (external network, DNAT,
 * destination)), then is routed in the router's vrf; a packet routed on a
 * route flagged FP_ROUTE_F_EXTERNAL has its source translated to its
 * floating IP (nat (vrf, SNAT, source)) and leaves from the floating IP's
 * MAC; without a floating IP it is dropped (no_snat) when the route is
 * flagged FP_ROUTE_F_SNAT, else routed unchanged.  Checksums are updated
 * incrementally; ICMP errors' embedded packets are translated too.  An
 * ICMP error of the routing step about a translated packet quotes it as
 * it was sent (its destination the floating IP again) and leaves from
 * the router's address and MAC on the sender's subnet (the connected
 * route of the external network), never revealing the fixed IP.
 *
 * Concurrency: a worker's reader of the tables (RCU as the pipeline).
 */
#ifndef FP_ROUTE_H
#define FP_ROUTE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "ftable.h"
#include "pkt/parse.h"

struct fp_pipeline;
struct fp_trace;

/* A worker's last lookups of the routing step in one burst (a 1-entry
 * cache each, STYLE 6: consecutive packets of a burst mostly go to one
 * destination): the route of (vrf, destination), the neigh entry of
 * (vrf, next hop), the egress fdb result of (network, MAC) and the snat
 * entry of (vrf, source) (a VM's packets to the outside).  The
 * pointers are valid until the worker's next quiescent report: the
 * pipeline clears the cache at the start of every burst.
 */
struct fp_route_cache {
	const struct fp_route_val *rt; /* cached route, or NULL: none */
	const struct fp_neigh_val *n;  /* cached neigh entry, or NULL: none */
	void *fdb_data;		       /* cached egress fdb data word (fdb_hit) */
	struct fp_ip rt_dst;	       /* rt's key: destination */
	struct fp_ip n_ip;	       /* n's key: next hop */
	uint32_t rt_vrf;	       /* rt's key: vrf */
	int32_t rt_plen;	       /* rt's prefix length */
	uint32_t n_vrf;		       /* n's key: vrf */
	uint32_t fdb_valid;	       /* fdb_* hold a result */
	struct fp_fdb_key fdb_key;     /* its key */
	uint32_t fdb_hit;	       /* the key was found */
	const struct fp_nat_val *snat; /* cached snat entry, or NULL: none */
	struct fp_ip snat_src;	       /* its key: the source */
	uint32_t snat_vrf;	       /* its key: the vrf */
};

/** Forget the cached lookups (at the start of a burst). */
static inline void
fp_route_cache_clear(struct fp_route_cache *c)
{
	c->rt = NULL;
	c->n = NULL;
	c->fdb_valid = 0;
	c->snat = NULL;
}

/* fp_route_step() verdicts. */
#define FP_ROUTE_V_DROP 0    /* drop with res->drop */
#define FP_ROUTE_V_FORWARD 1 /* rewritten: switch it in res->vni */
#define FP_ROUTE_V_REPLY 2   /* rewritten into an answer: back to the ingress port */

/* What the routing step decided. */
struct fp_route_res {
	struct rte_mbuf *err; /* an ICMP error for the sender (any verdict), or NULL */
	uint32_t vni;	      /* FORWARD: the egress network */
	uint16_t drop;	      /* DROP: FP_DROP_* */
	uint16_t err_stat;    /* err: its counter (FP_STAT_*) */
	uint16_t stat;	      /* FORWARD, REPLY: the counter (FP_STAT_ROUTED, _ICMP_ECHO_REPLY) */
	uint16_t pad;	      /* zero */
};

/**
 * Route a frame addressed to a router's MAC.
 *
 * @param t    the tables
 * @param p    the worker's pipeline: the pool and the rate limit of ICMP
 *	       errors (fp_pipeline_icmp_take()); NULL: none are sent
 * @param vrf  the router (the fdb entry's id)
 * @param m    the frame (Ethernet, no VLAN tag, linear), rewritten in place
 *	       for FORWARD and REPLY
 * @param meta its metadata (fp_parse_frame()), still valid after a rewrite
 * @param fip  the floating IP (4 bytes) the frame was sent to when
 *	       fp_route_dnat() translated it, or NULL: an ICMP error about
 *	       it then quotes the floating IP, not the fixed IP, and leaves
 *	       from the router's MAC on the sender's subnet
 * @param res  filled in
 * @param c    this burst's cache (fp_route_cache_clear() at its start)
 * @param tr   a trace record, or NULL
 * @return FP_ROUTE_V_*
 */
unsigned int fp_route_step(const struct fp_ftables *t, struct fp_pipeline *p, uint32_t vrf,
			   struct rte_mbuf *m, const struct fp_pkt_meta *meta, const uint8_t *fip,
			   struct fp_route_res *res, struct fp_route_cache *c, struct fp_trace *tr);

/**
 * Translate the destination of a frame to a floating IP's MAC on external
 * network ext, owned by router vrf (the fdb entry's): the nat entry (ext,
 * DNAT, destination) gives the fixed IP, written in place with the
 * checksums updated.
 *
 * @param t    the tables
 * @param ext  the external network (the frame's network id)
 * @param vrf  the router the floating IP's MAC belongs to
 * @param m    the frame (linear), rewritten in place on success
 * @param meta its metadata, still valid after the rewrite
 * @param tr   a trace record, or NULL
 * @return the vrf to route the frame in, or 0: no floating IP (or not
 *	   IPv4, or another router's): the caller drops it as no_route
 */
uint32_t fp_route_dnat(const struct fp_ftables *t, uint32_t ext, uint32_t vrf, struct rte_mbuf *m,
		       const struct fp_pkt_meta *meta, struct fp_trace *tr);

#endif /* FP_ROUTE_H */
