/* SPDX-License-Identifier: BSD-3-Clause */
/* Who gets a copy of a flood (doc/packets.md "From a VM port" 6., "From
 * the underlay port" 6.): the one rule of the XDP program, which decides
 * and counts the copies, and of the tc program, which makes them.  Both
 * must agree member by member, or the counters the tc program corrects
 * for copies that could not be sent would not match the ones XDP counted.
 *
 * The members of a flood list are walked in order: a port member gets a
 * copy if it is not the ingress port and is a VM port of the VNI; any
 * other member is a vtep (as dataplane/pipeline.c reads it), which gets an
 * encapsulated copy only when the packet came from a VM port and fits the
 * vtep's tunnel MTU.
 */
#ifndef FP_FLOOD_BPF_H
#define FP_FLOOD_BPF_H

#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#include "fp_encap.bpf.h"
#include "fp_maps.bpf.h"

/**
 * A vtep usable for encapsulation: its value, its underlay port's device
 * and the largest inner IP packet that fits.
 *
 * @param id  vtep id
 * @param vt  set to the vtep's fp_vtep value
 * @param cfg set to its underlay port's fp_port_cfg value
 * @return max_inner_l3 (underlay MTU - outer headers, 0 if the MTU is
 *	   smaller), or -1 if the vtep or its underlay port is missing (or
 *	   local and remote differ in family)
 */
static __always_inline int
fp_vtep_get(__u32 id, struct fp_vtep_val **vt, struct fp_port_cfg **cfg)
{
	struct fp_vtep_key k = { .vtep_id = id };
	__u32 hl, up;

	*vt = bpf_map_lookup_elem(&fp_vtep, &k);
	if (!*vt)
		return -1;
	hl = fp_encap_hdr_len(*vt);
	up = (*vt)->underlay_port;
	*cfg = bpf_map_lookup_elem(&fp_port_cfg, &up);
	if (!*cfg || !hl || (*cfg)->role != FP_PORT_ROLE_UNDERLAY)
		return -1;
	return (*cfg)->mtu > hl ? (int)((*cfg)->mtu - hl) : 0;
}

/**
 * Does port member id get a copy of a flood in vni that came in on in_port?
 *
 * @return 1 if it is a VM port of vni other than in_port, else 0
 */
static __always_inline int
fp_flood_port_gets_copy(__u32 id, __u32 vni, __u32 in_port)
{
	struct fp_port_val *dp;

	if (id == in_port)
		return 0;
	dp = bpf_map_lookup_elem(&fp_port, &id);
	if (!dp || dp->role != FP_PORT_ROLE_VM || dp->vni != vni)
		return 0;
	return 1;
}

/**
 * Does vtep member id get an encapsulated copy of a flood from a VM port
 * whose inner IP packet is l3len bytes (the tunnel MTU rule)?
 *
 * @param vt  set to the vtep's fp_vtep value when it does
 * @param cfg set to its underlay port's fp_port_cfg value when it does
 * @return 1 if it does, else 0 (a missing vtep, or too big: skipped)
 */
static __always_inline int
fp_flood_vtep_gets_copy(__u32 id, __u32 l3len, struct fp_vtep_val **vt, struct fp_port_cfg **cfg)
{
	int max = fp_vtep_get(id, vt, cfg);

	if (max < 0 || l3len > (__u32)max)
		return 0;
	return 1;
}

#endif /* FP_FLOOD_BPF_H */
