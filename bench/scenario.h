/* SPDX-License-Identifier: BSD-3-Clause */
/* The benchmark scenarios both engines are measured on (fp-bench for the
 * DPDK pipeline, fp-bench-xdp for the XDP program): the ports, the local
 * VTEP address, the table entries (ABI structs) and the frames, built
 * before anything is timed.  Engine-neutral: no DPDK, no libbpf.
 *
 *   encap: VM ports 0..n-1 (VNI 100 + port) send to a MAC behind vtep 1;
 *   decap: the underlay port (63) receives VXLAN/Geneve from vtep 1's
 *          address for the local VM of each VNI.
 *   route: as encap, but each VM port sends to its router's MAC: the
 *          packet is routed (vrf 100 + port: a connected route of the
 *          destination 10.2.0.0/16 in network 100000 + port, and one of
 *          the source's 10.0.0.0/8), its next hop's MAC (the remote MAC) is
 *          found in the neigh table, and it leaves encapsulated to vtep 1
 *          with the egress VNI: VM -> router -> VM on another host.
 *   fip:   as route, but the egress route is external (FP_ROUTE_F_EXTERNAL
 *          | FP_ROUTE_F_SNAT) and each source has a floating IP: every
 *          packet is also translated (snat, checksums updated): a VM with
 *          a floating IP reaching the outside (doc/routing.md).
 *          With opts.routes = N > 0, each vrf also holds N IPv4 nexthop
 *          routes with a BGP-like mix of prefix lengths (/8../32, most
 *          /24; FP_BENCH_NEXTHOPS next hops 10.2.0.1.. in the egress
 *          network, each a remote MAC behind vtep 1) and N / 5 IPv6 ones
 *          (/16../64, most /48; they only fill the table), and flow i goes
 *          to an address inside route i mod N (random host bits): every
 *          flow has its own destination, the routes' lookups are spread
 *          over the whole table.
 * Flows are distinct inner UDP 5-tuples.  Every VNI has an fdb entry to
 * the remote MAC and a flood entry; min(VNIs, 63) VNIs carry traffic,
 * one VM port each.
 *
 * With security groups (opts.sg) the VM ports are filtered (FP_PORT_F_SG,
 * ruleset 1: egress any IPv4, as Neutron's default group; ingress TCP 22,
 * 443 and 5001 from anywhere) and the flows are TCP to port 5001: ACKs
 * (FP_BENCH_SG_EST: each flow a connection, opened by its first ACK as a
 * pickup) or SYNs (FP_BENCH_SG_NEW: each frame opens a connection).  The
 * frames are those of bench/gen_ct_pcaps.py (same tuples, sequence and
 * acknowledgement numbers, window, checksums).
 */
#ifndef FP_BENCH_SCENARIO_H
#define FP_BENCH_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#define FP_BENCH_MAX_VM_PORTS 63U /* port 63 is the underlay */
#define FP_BENCH_UNDERLAY_PORT 63
#define FP_BENCH_FRAME_LEN 60 /* inner frame bytes */
#define FP_BENCH_BURST 32     /* encap: frames of one port in a row (an rx burst) */

/* fp_bench_scenario_opts.sg */
#define FP_BENCH_SG_NONE 0    /* no security groups, UDP flows */
#define FP_BENCH_SG_EST 1     /* filtered ports, TCP ACKs (established connections) */
#define FP_BENCH_SG_NEW 2     /* filtered ports, TCP SYNs (new connections) */
#define FP_BENCH_SG_RULESET 1 /* the ruleset id of the filtered ports */
#define FP_BENCH_TCP_DPORT 5001
#define FP_BENCH_NEXTHOPS 16	     /* route with opts.routes: next hops per vrf */
#define FP_BENCH_ROUTES_MAX 4000000U /* route: routes of all vrfs at most */

struct fp_bench_scenario_opts {
	int decap;	     /* decap scenario, else encap */
	int encap;	     /* FP_ENCAP_VXLAN or FP_ENCAP_GENEVE */
	int v6;		     /* IPv6 underlay */
	uint32_t flows;	     /* distinct inner flows */
	uint32_t vnis;	     /* VNIs with entries */
	uint32_t min_frames; /* frames at least (a ring's worth) */
	uint32_t sg;	     /* FP_BENCH_SG_* */
	int route;	     /* route scenario (encap through a router); 2: fip (snat too) */
	uint32_t routes;     /* route: 0, or BGP-like IPv4 routes per vrf (below) */
};

/* A route to install (routes are kept apart from entries: 1M of them
 * would be 1M table unions).
 */
struct fp_bench_route {
	struct fp_route_key key; /* key, pads zero */
	struct fp_route_val val; /* value, pads zero */
};

/* A configured port (what fp-dpdk's config or fp-xdp's port cfg says). */
struct fp_bench_port {
	uint32_t id;	/* logical port id */
	uint16_t role;	/* FP_PORT_ROLE_* */
	uint16_t mtu;	/* L3 MTU */
	uint8_t mac[6]; /* device MAC */
	uint8_t pad[2]; /* zero */
};

/* One table entry to install. */
struct fp_bench_entry {
	uint16_t table;		/* FP_TABLE_* */
	uint16_t pad;		/* zero */
	union fp_table_key key; /* key, pads zero */
	union fp_table_val val; /* value, pads zero */
};

struct fp_bench_scenario {
	struct fp_bench_port ports[FP_PORT_MAX]; /* configured ports */
	uint32_t n_ports;			 /* valid ports */
	struct fp_ip local_vtep;		 /* our VTEP address */
	struct fp_bench_entry *entries;		 /* to install, in order */
	uint32_t n_entries;			 /* valid entries */
	struct fp_bench_route *routes;		 /* route: routes to install after entries */
	uint32_t n_routes;			 /* valid routes */
	uint32_t n_vm;				 /* VM ports carrying traffic */
	uint8_t *frames;			 /* n frames of frame_len bytes */
	uint16_t *in_port;			 /* each frame's ingress port */
	uint32_t n;				 /* frames (>= flows, >= min_frames) */
	uint32_t frame_len;			 /* bytes per frame */
};

/* The scenarios fp-bench and fp-bench-xdp name. */
struct fp_bench_scen {
	const char *name; /* "encap", "decap", "sg-encap", "sg-decap", "sg-new", "route" */
	int decap;	  /* decap, else encap */
	uint32_t sg;	  /* FP_BENCH_SG_* */
	int route;	  /* through a router (VM -> router -> vtep) */
};

#define FP_BENCH_SCEN_MAX 7
extern const struct fp_bench_scen fp_bench_scens[FP_BENCH_SCEN_MAX];

/**
 * Is fp_bench_scens[i] in a comma list of names, "all" (encap, decap) and
 * "sg" (encap, decap and the three sg ones)?  route only by its name.
 */
int fp_bench_scen_wanted(const char *list, uint32_t i);

/**
 * Check a comma list of scenario names.
 *
 * @param bad  where the first unknown name goes
 * @return 1 if every name is known, else 0
 */
int fp_bench_scen_list_ok(const char *list, char *bad, size_t size);

/**
 * Build a scenario.
 *
 * @return 0, or -ENOMEM, -EINVAL (bad options)
 */
int fp_bench_scenario_build(struct fp_bench_scenario *s, const struct fp_bench_scenario_opts *o);

/** Free what fp_bench_scenario_build() allocated. Accepts a zeroed one. */
void fp_bench_scenario_free(struct fp_bench_scenario *s);

/** The CPU's model name (/proc/cpuinfo), or "unknown", into buf. */
void fp_bench_cpu_model(char *buf, size_t size);

/** qsort() comparison of doubles, ascending. */
int fp_bench_cmp_double(const void *a, const void *b);

#endif /* FP_BENCH_SCENARIO_H */
