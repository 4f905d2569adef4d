/* SPDX-License-Identifier: BSD-3-Clause */
/* The benchmark scenarios both engines are measured on (fp-bench for the
 * DPDK pipeline, fp-bench-xdp for the XDP program): the ports, the local
 * VTEP address, the table entries (ABI structs) and the frames, built
 * before anything is timed.  Engine-neutral: no DPDK, no libbpf.
 *
 *   encap: VM ports 0..n-1 (VNI 100 + port) send to a MAC behind vtep 1;
 *   decap: the underlay port (63) receives VXLAN/Geneve from vtep 1's
 *          address for the local VM of each VNI.
 * Flows are distinct inner UDP 5-tuples.  Every VNI has an fdb entry to
 * the remote MAC and a flood entry; min(VNIs, 63) VNIs carry traffic,
 * one VM port each.
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

struct fp_bench_scenario_opts {
	int decap;	     /* decap scenario, else encap */
	int encap;	     /* FP_ENCAP_VXLAN or FP_ENCAP_GENEVE */
	int v6;		     /* IPv6 underlay */
	uint32_t flows;	     /* distinct inner flows */
	uint32_t vnis;	     /* VNIs with entries */
	uint32_t min_frames; /* frames at least (a ring's worth) */
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
	uint32_t n_vm;				 /* VM ports carrying traffic */
	uint8_t *frames;			 /* n frames of frame_len bytes */
	uint16_t *in_port;			 /* each frame's ingress port */
	uint32_t n;				 /* frames (>= flows, >= min_frames) */
	uint32_t frame_len;			 /* bytes per frame */
};

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
