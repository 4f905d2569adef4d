/* SPDX-License-Identifier: BSD-3-Clause */
/* The two ends of bench/xdp_veth.sh, in one object (skeleton
 * bench_xdp_gen.skel.h, used by fp-bench-xdp-gen):
 *
 *   fpv_gen_tx     the traffic source.  Run by bpf_prog_test_run_opts()
 *                  with BPF_F_TEST_XDP_LIVE_FRAMES on the "VM"'s veth: it
 *                  returns XDP_TX, which the kernel turns into a redirect
 *                  out of ctx->ingress_ifindex, i.e. into the veth toward
 *                  the hypervisor (how xdp-trafficgen works).  Before that
 *                  it writes the next flow's inner UDP source port, so the
 *                  frames cycle through gen_flows 5-tuples (the flows of the
 *                  shared gen_pcaps.py: 10.1.0.1:1024+i -> 10.2.0.1:5001).
 *                  The frame's UDP checksum is 0, so nothing else changes.
 *                  The frame starts gen_pad bytes into the test run's data
 *                  and the program moves its start there first, for more
 *                  headroom (see below).  With gen_iv_ns set, every
 *                  GEN_STEP frames wait until they are due (one frame per
 *                  gen_iv_ns).
 *   fpv_sink_drop  the sink: counts every frame arriving on the sink's
 *                  veth, and the ones that are the expected VXLAN (IPv4,
 *                  UDP to 4789, VNI 100, inner UDP to 5001, outer length
 *                  = inner + 50), then drops it (XDP_DROP: no skb, no
 *                  stack).
 *   fpv_sink_tc    the same sink at the tc ingress hook (TC_ACT_SHOT).
 */
#include <linux/bpf.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by fp-bench-xdp-gen before load. */
const volatile __u32 gen_flows = 1;	 /* 1..50000 */
const volatile __u32 sink_inner_len = 0; /* expected inner frame length, 0: any */
const volatile __u32 gen_pad = 0;	 /* bytes in front of the frame, taken off */

/* The generator runs on one CPU (the test run's), so plain globals. */
__u32 gen_next;	   /* next flow index */
__u64 gen_frames;  /* frames the program has handed to XDP_TX */
__u64 gen_iv_ns;   /* ns between frames, 0: as fast as it can (user space sets it) */
__u64 gen_next_t;  /* when the next GEN_STEP frames are due, ns (bpf_ktime_get_ns) */
__u64 gen_wait_ns; /* time spent waiting for them */

/* The sink's counters, per CPU (fp-bench-xdp-gen sums them). */
struct fpv_sink_cnt {
	__u64 rx;	/* every frame */
	__u64 bytes;	/* their bytes */
	__u64 vxlan_ok; /* the expected VXLAN frames */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fpv_sink_cnt);
} fpv_sink SEC(".maps");

#define ETH_HLEN 14
#define IP4_HLEN 20
#define UDP_HLEN 8
#define VXLAN_HLEN 8
#define OUTER_HLEN (ETH_HLEN + IP4_HLEN + UDP_HLEN + VXLAN_HLEN) /* 50 */
#define INNER_UDP_OFF (ETH_HLEN + IP4_HLEN)			 /* 34 */
#define FLOW_SPORT_BASE 1024
#define NSEC_PER_SEC 1000000000ULL
#define GEN_STEP 8		/* frames paced together: one clock read per GEN_STEP */
#define GEN_BURST 32		/* frames that may go at once after a stall */
#define GEN_WAIT_MAX 1000000ULL /* ns, the longest wait for one frame */
#define GEN_SPIN_MAX (1U << 22) /* bpf_loop() iterations, more than that */

/* bpf_loop() callback: stop once the clock reaches *deadline. */
static long
gen_spin(__u32 i, void *deadline)
{
	(void)i;
	return bpf_ktime_get_ns() >= *(__u64 *)deadline;
}

SEC("xdp")
int
fpv_gen_tx(struct xdp_md *ctx)
{
	void *data, *data_end;
	__u16 *sport;
	__u32 i;

	if (gen_iv_ns && gen_frames % GEN_STEP == 0) {
		/* Pacing: wait (spin) until the next GEN_STEP frames are
		 * due.  Not by dropping the frames over the rate: every
		 * dropped frame's page goes back to the page pool through
		 * the ring the far end returns the sent ones to, and the two
		 * CPUs then fight over its lock.
		 */
		__u64 now = bpf_ktime_get_ns(), iv = gen_iv_ns * GEN_STEP, t = gen_next_t;

		if (t + GEN_BURST * gen_iv_ns < now)
			t = now - GEN_BURST * gen_iv_ns; /* after a stall: a burst at most */
		if (t > now + GEN_WAIT_MAX)
			t = now + GEN_WAIT_MAX; /* the rate went down */
		if (t > now) {
			bpf_loop(GEN_SPIN_MAX, gen_spin, &t, 0);
			gen_wait_ns += t - now;
		}
		gen_next_t = t + iv;
	}
	/* The frame starts gen_pad bytes into the test run's data: more
	 * headroom, which the kernel path needs not to copy every skb at a
	 * veth with an XDP program (the sink: 256 bytes after the 50 of VXLAN).
	 */
	if (gen_pad && bpf_xdp_adjust_head(ctx, (int)gen_pad))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	sport = data + INNER_UDP_OFF;
	if ((void *)(sport + 1) > data_end)
		return XDP_ABORTED;
	if (gen_flows > 1) {
		i = gen_next;
		if (i >= gen_flows)
			i = 0;
		*sport = bpf_htons((__u16)(FLOW_SPORT_BASE + i));
		gen_next = i + 1;
	}
	gen_frames++;
	return XDP_TX;
}

/* Count a frame of len bytes (p .. data_end: its linear part). */
static __always_inline void
sink_count(__u8 *p, void *data_end, __u32 len)
{
	struct fpv_sink_cnt *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&fpv_sink, &zero);
	if (!c)
		return;
	c->rx++;
	c->bytes += len;
	/* Ethernet / IPv4 without options / UDP to 4789 / VXLAN I flag,
	 * VNI 100 / inner Ethernet, IPv4, UDP to 5001.
	 */
	if (p + OUTER_HLEN + INNER_UDP_OFF + 4 > (__u8 *)data_end)
		return;
	if (p[12] != 0x08 || p[13] != 0x00 || p[14] != 0x45 || p[23] != 17)
		return;
	if (p[36] != 0x12 || p[37] != 0xb5) /* UDP destination 4789 */
		return;
	if (p[42] != 0x08 || p[46] != 0 || p[47] != 0 || p[48] != 100) /* VNI 100 */
		return;
	if (p[OUTER_HLEN + 12] != 0x08 || p[OUTER_HLEN + 13] != 0x00 ||
	    p[OUTER_HLEN + INNER_UDP_OFF + 2] != 0x13 || p[OUTER_HLEN + INNER_UDP_OFF + 3] != 0x89)
		return; /* inner IPv4, UDP to 5001 */
	if (sink_inner_len && len != sink_inner_len + OUTER_HLEN)
		return;
	c->vxlan_ok++;
}

SEC("xdp")
int
fpv_sink_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	sink_count(data, data_end, (__u32)(data_end - data));
	return XDP_DROP;
}

/* The same at the tc ingress hook (TC_ACT_SHOT): for a sink without an XDP
 * program, where an skb arrives as it is (an XDP program on a veth makes
 * the kernel copy an skb with less than 256 bytes of headroom first).
 */
SEC("tc")
int
fpv_sink_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	sink_count(data, data_end, skb->len);
	return 2; /* TC_ACT_SHOT */
}
