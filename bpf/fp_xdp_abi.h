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
 * copy); no_flood_list and flood_empty never reach tc.
 */
struct fp_xdp_meta {
	__u32 magic;   /* FP_XDP_META_MAGIC */
	__u32 vni;     /* the VNI whose flood list applies */
	__u32 in_port; /* logical port it came in on (split horizon) */
	__u32 flags;   /* FP_XDP_META_F_* */
};

/* Per-packet trace for tests (bpf_prog_test_run_opts), written only when
 * the loader sets fp_trace_on: what the program decided.
 */
struct fp_trace {
	__u32 verdict;	/* XDP action returned */
	__u32 out_port; /* egress logical port (redirect, XDP_TX: the in port), else FP_PORT_MAX */
	__u32 drop; /* FP_DROP_* when dropped (also with an ICMP error sent), else FP_DROP_MAX */
	__u32 pad;  /* zero */
};

_Static_assert(sizeof(struct fp_xdp_meta) == 16, "fp_xdp_meta");
_Static_assert(sizeof(struct fp_trace) == 16, "fp_trace");

#endif /* FP_XDP_ABI_H */
