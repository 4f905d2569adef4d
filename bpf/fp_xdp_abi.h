/* SPDX-License-Identifier: BSD-3-Clause */
/* What flowplane's BPF programs share besides the pinned maps of
 * include/flowplane/xdp.h: the metadata the XDP program hands the tc
 * program with a frame to flood, and the per-packet trace the tests read.
 * Plain types only, so that user space (tests, fp-xdp) can include it
 * without the BPF map definitions of fp_maps.bpf.h.
 */
#ifndef FP_XDP_ABI_H
#define FP_XDP_ABI_H

#include <linux/types.h>

#define FP_XDP_META_MAGIC 0x66706d31U /* "fpm1" */

/* fp_xdp_meta.flags */
#define FP_XDP_META_F_FROM_VM 0x1 /* came from a VM port: vtep members get it encapsulated */

/* What the XDP program tells the tc program about a frame to flood.  The
 * XDP program has decided the flood and counted it as the DPDK pipeline
 * does (flood, tx, flood_copies and encap for the members that get a
 * copy); no_flood_list and flood_empty never reach tc.  The XDP program
 * also ran the security groups of the filtered port members (their
 * connections opened or moved once, there): the tc program skips the
 * members it refused.
 */
struct fp_xdp_meta {
	__u32 magic;	  /* FP_XDP_META_MAGIC */
	__u32 vni;	  /* the VNI whose flood list applies */
	__u32 in_port;	  /* logical port it came in on (split horizon) */
	__u32 flags;	  /* FP_XDP_META_F_* */
	__u64 sg_refused; /* bit i: member i of the flood list is a filtered port
			   * whose ingress rules refused the frame (no copy) */
};

/* What the XDP program decided (struct fp_trace.kind). */
enum fp_xdp_verdict_kind {
	FP_XDP_V_DROP,	/* dropped for reason drop */
	FP_XDP_V_LOCAL, /* redirected to local VM port port */
	FP_XDP_V_ENCAP, /* encapsulated, redirected to underlay port port */
	FP_XDP_V_ARP,	/* ARP reply sent back (XDP_TX) */
	FP_XDP_V_ND,	/* neighbour advertisement sent back (XDP_TX) */
	FP_XDP_V_ICMP,	/* dropped for reason drop, ICMP error sent back (XDP_TX) */
	FP_XDP_V_FLOOD, /* passed up with struct fp_xdp_meta for the tc program */
};

/* struct fp_trace.fdb: the FDB lookup the frame had. */
#define FP_XDP_TRACE_FDB_NONE 0 /* none */
#define FP_XDP_TRACE_FDB_MISS 1 /* looked up, no entry: flood */
#define FP_XDP_TRACE_FDB_HIT 2	/* found: fdb_type, fdb_id */

/* Per-packet trace for tests and fpctl trace (bpf_prog_test_run_opts),
 * written only by a program loaded with fp_trace_on set (never the
 * attached one): what the program decided, and its lookups.
 */
struct fp_trace {
	__u32 verdict;	/* XDP action returned */
	__u32 out_port; /* egress logical port (redirect, XDP_TX: the in port), else FP_PORT_MAX */
	__u32 drop;    /* FP_DROP_* when dropped (also with an ICMP error sent), else FP_DROP_MAX */
	__u32 kind;    /* enum fp_xdp_verdict_kind */
	__u32 in_port; /* logical port of the ingress ifindex, else FP_PORT_MAX */
	__u32 vni;     /* the frame's VNI (port's or tunnel's) once known, else 0 */
	__u32 fdb;     /* FP_XDP_TRACE_FDB_* */
	__u32 fdb_type; /* FDB hit: FP_DEST_* */
	__u32 fdb_id;	/* FDB hit: port, vtep or router id */
	__u32 copies;	/* flood: members that get a copy (made by the tc program) */
	__u32 encaps;	/* flood: vtep members among them */
	__u32 decap;	/* the frame was decapsulated */
};

_Static_assert(sizeof(struct fp_xdp_meta) == 24, "fp_xdp_meta");
_Static_assert(sizeof(struct fp_trace) == 48, "fp_trace");

#endif /* FP_XDP_ABI_H */
