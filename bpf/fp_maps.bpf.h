/* SPDX-License-Identifier: BSD-3-Clause */
/* The maps of flowplane's BPF programs (include/flowplane/xdp.h is their
 * contract with fp-xdp and fp-control).  Every map is pinned by name, so
 * the XDP program and the tc program of all interfaces of an instance
 * share one set: libbpf reuses a pinned map of the same name and shape
 * found under the pin path fp-xdp sets (FP_XDP_PIN_ROOT/<instance>).
 *
 * Sizes of the table maps are set by fp-xdp before load
 * (bpf_map__set_max_entries) from the config's table sizes; the values
 * here are the defaults.
 *
 * XDP -> tc: broadcast and unknown unicast need copies, which XDP cannot
 * make.  The XDP program then writes struct fp_xdp_meta in front of the
 * frame (bpf_xdp_adjust_meta) and passes it up (XDP_PASS); the tc ingress
 * program of the same interface finds it in skb->data_meta and replicates
 * the frame to the VNI's flood members with bpf_clone_redirect.
 */
#ifndef FP_MAPS_BPF_H
#define FP_MAPS_BPF_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#include "fp_xdp_abi.h"

#define FP_DEFAULT_VTEPS 4096
#define FP_DEFAULT_FDB 262144
#define FP_DEFAULT_FLOOD 4096
#define FP_DEFAULT_NEIGH 262144
#define FP_DEFAULT_RULESET 4096
#define FP_DEFAULT_ADDRSET 65536
#define FP_DEFAULT_CT 262144
#define FP_DEFAULT_ROUTE 65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_PORT_MAX);
	__type(key, __u32);
	__type(value, struct fp_port_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_VTEPS);
	__type(key, struct fp_vtep_key);
	__type(value, struct fp_vtep_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_vtep SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_FDB);
	__type(key, struct fp_fdb_key);
	__type(value, struct fp_fdb_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_FLOOD);
	__type(key, struct fp_flood_key);
	__type(value, struct fp_flood_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_flood SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_NEIGH);
	__type(key, struct fp_neigh_key);
	__type(value, struct fp_neigh_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_neigh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_PORT_MAX);
	__type(key, __u32);
	__type(value, struct fp_port_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_port_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_host_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_host SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, FP_PORT_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_tx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_PORT_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_ifport SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_XDP_IFSLOTS);
	__type(key, __u32);
	__type(value, struct fp_ifslot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_ifslot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_XDP_VNI_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_vni SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_counters SEC(".maps");

/* Security groups (fp_sg.bpf.h, doc/xdp.md). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_RULESET);
	__type(key, struct fp_ruleset_key);
	__type(value, struct fp_ruleset_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_ruleset SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_DEFAULT_ADDRSET);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_xdp_addrset_key);
	__type(value, struct fp_addrset_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_addrset SEC(".maps");

/* Preallocated (no BPF_F_NO_PREALLOC): an insert never allocates on the
 * packet path, and a full table answers -E2BIG (ct_full).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_CT);
	__type(key, struct fp_ct_key);
	__type(value, struct fp_ct_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_DEFAULT_FDB + 64 * FP_DEFAULT_FLOOD);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_vtep_src_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_vtep_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(map_flags, BPF_F_MMAPABLE); /* fp-control stores gen alone (xdp.h) */
	__type(value, struct fp_sg_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_sg_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_guard_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_guard SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_PORT_MAX);
	__type(key, __u32);
	__type(value, struct fp_sg_drops);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_sg_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_XDP_STORM_ICMP + 1);
	__type(key, __u32);
	__type(value, struct fp_storm_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_storm SEC(".maps");

/* The distributed router's routes (doc/routing.md): longest prefix of
 * (vrf, family, address), include/flowplane/xdp.h.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_DEFAULT_ROUTE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_xdp_route_key);
	__type(value, struct fp_route_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fp_route SEC(".maps");

/* Not pinned: per-program-instance test aid. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_trace);
} fp_trace_map SEC(".maps");

#endif /* FP_MAPS_BPF_H */
