/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane's tc program: the copies of a flood, which the XDP program
 * (fp_xdp.bpf.c) cannot make.
 *
 * fp_tc_flood runs at the clsact ingress hook of every port fp-xdp
 * attaches.  A frame fp_xdp_rx decided to flood reaches it with struct
 * fp_xdp_meta in front (skb->data_meta); any other frame is left alone
 * (TC_ACT_UNSPEC: the next filter, if any, or the stack gets it).  For a
 * flood it replicates the frame to the members of fp_flood[vni] with
 * bpf_clone_redirect() to the egress of each member's interface
 * (fp_port_cfg.ifindex), with the rule of fp_flood.bpf.h that the XDP
 * program counted the copies by, and drops the original (TC_ACT_SHOT):
 * every copy is a clone.  A filtered port member (FP_PORT_F_SG) whose
 * ingress security groups refused the frame gets no copy: the XDP
 * program decided that (its connections move once, there) and says so in
 * fp_xdp_meta.sg_refused, as it counted the flood without that copy.
 *
 *   1. Port members, in list order: the frame as it came in.
 *   2. From a VM port only, vtep members in list order: the frame
 *      encapsulated in place, with the bytes fp_encap_write() writes for
 *      the XDP program (UDP source port from the inner flow hash, IPv4
 *      header checksum, full UDP checksum over IPv6), then cloned.  The
 *      next vtep's headers are written over the previous ones; only their
 *      length changes, 50 bytes over IPv4 and 70 over IPv6.  IPv4 and
 *      IPv6 frames get and give back that room with
 *      bpf_skb_adjust_room(BPF_ADJ_ROOM_MAC), which refuses any other
 *      protocol; the others (ARP) get 50 bytes from bpf_skb_change_head(),
 *      and the inner frame then moves 20 bytes back or forth behind them
 *      (bpf_skb_change_tail() and a copy, fp_tc_frame_shift()).
 * Doing the ports first changes no interface's order: each port gets one
 * copy, and the copies an underlay port gets keep the list's order.  The
 * original is never restored: it is dropped at the end.
 *
 * Counting: fp_xdp_rx counted the flood when it passed the frame up
 * (flood, tx, one flood_copies per planned copy, one encap per planned
 * vtep copy).  Copies that could not be sent (clone or redirect failed,
 * no interface, no room) are taken back from flood_copies and encap; if
 * none went out, the flood becomes a drop (no_mbuf), as in
 * dataplane/pipeline.c.  The plan is made again here from the same maps:
 * a table change between the two programs can shift a copy from one
 * count to the other.
 *
 * The magic is cleared before the first copy, so no clone carries it to
 * another flowplane tc hook.  TC_ACT_UNSPEC rather than TC_ACT_OK for
 * other frames: a filter after this one (another tool's) still runs.
 *
 * Verifier: the per-member work, the parse, the checksum and the frame
 * move are global functions, each verified once; the two member loops
 * are bounded by FP_FLOOD_MEMBER_MAX and the frame loops by FP_FRAME_MAX.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#include "fp_csum.bpf.h"
#include "fp_encap.bpf.h"
#include "fp_flood.bpf.h"
#include "fp_hash.bpf.h"
#include "fp_maps.bpf.h"
#include "fp_parse.bpf.h"
#include "fp_pkt.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FP_TC_MOVE_CHUNK 128 /* bytes per load/store when a frame moves */
#define FP_TC_MOVE_CHUNKS (FP_FRAME_MAX / FP_TC_MOVE_CHUNK + 1)

/* One flood being replicated: what the member functions share. */
struct fp_tc_flood {
	__u32 vni;	       /* the VNI whose flood list applies */
	__u32 in_port;	       /* ingress logical port: no copy back (split horizon) */
	__u32 inner_len;       /* frame length as it came in */
	__u32 l3len;	       /* inner IP packet length for the tunnel MTU */
	__u32 hl;	       /* outer header bytes in front of the frame now */
	__u32 sum;	       /* sum of the inner frame (UDP over IPv6), if have_sum */
	__u32 copies;	       /* members that get a copy (the XDP plan) */
	__u32 sent;	       /* copies sent */
	__u32 encaps;	       /* vtep members among copies */
	__u32 sent_encaps;     /* vtep copies sent */
	__u16 sport;	       /* outer UDP source port */
	__u8 from_vm;	       /* came from a VM port: vteps get copies */
	__u8 is_ip;	       /* skb->protocol is IPv4 or IPv6 */
	__u8 have_sum;	       /* sum is valid */
	__u8 prepared;	       /* fp_tc_encap_prepare() ran */
	__u8 ready;	       /* and vtep copies can be made */
	__u8 broken;	       /* the frame could not be resized: no more vtep copies */
	__u8 eth[FP_ETH_HLEN]; /* the inner Ethernet header */
	__u8 pad[2];	       /* zero */
	__u64 sg_refused;      /* members refused by their security groups (fp_xdp_meta) */
};

/* Global functions: verified once each, for any arguments of their
 * prototype (pointer arguments may be NULL as far as the verifier knows).
 */

/* Send a copy to port member port_id (the list's member idx) if the
 * flood rule gives it one and, for a filtered port, the XDP program's
 * security-group step did not refuse it (f->sg_refused).
 */
__noinline int
fp_tc_port_copy(struct __sk_buff *skb, __u32 port_id, __u32 idx, struct fp_tc_flood *f)
{
	struct fp_port_cfg *cfg;

	if (!f || !fp_flood_port_gets_copy(port_id, f->vni, f->in_port))
		return 0;
	if (idx < FP_FLOOD_MEMBER_MAX && (f->sg_refused & (1ULL << idx)))
		return 0;
	f->copies++;
	cfg = bpf_map_lookup_elem(&fp_port_cfg, &port_id);
	if (!cfg || !cfg->ifindex)
		return 0;
	if (bpf_clone_redirect(skb, cfg->ifindex, 0) < 0)
		return 0;
	f->sent++;
	return 1;
}

/* fp_csum_to_end() of the frame in skb: a folded sum, 0..0xffff. */
__noinline int
fp_tc_csum_to_end(struct __sk_buff *skb, __u32 off)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	return (int)fp_csum_to_end(data, data_end, off, 0);
}

/* Move the bytes from off to the end of the frame to off + d: toward its
 * front (d < 0, the tail then cut) or its back (d > 0, the tail grown
 * first).  How a frame that is not IP changes its header room once
 * bpf_skb_change_head() has made some: its network header offset stays
 * where bpf_skb_change_head() put it, which bpf_skb_change_tail() wants.
 * Whole chunks first, then the rest in one move.  Returns 0 or -1.
 */
__noinline int
fp_tc_frame_shift(struct __sk_buff *skb, __u32 off, int d)
{
	__u32 len = skb->len, n, pos, i;
	__u8 buf[FP_TC_MOVE_CHUNK];
	__u64 k;

	n = d < 0 ? (__u32)-d : (__u32)d;
	if (n == 0 || n > FP_ENCAP_HDR_V6 || off > FP_ENCAP_HDR_V6 || len <= off ||
	    (d < 0 && off < n))
		return -1;
	if (d < 0) {
		/* Front to back. */
		pos = off;
		for (i = 0; i < FP_TC_MOVE_CHUNKS; i++) {
			if (pos + FP_TC_MOVE_CHUNK > len)
				break;
			if (bpf_skb_load_bytes(skb, pos, buf, FP_TC_MOVE_CHUNK) ||
			    bpf_skb_store_bytes(skb, pos - n, buf, FP_TC_MOVE_CHUNK, 0))
				return -1;
			pos += FP_TC_MOVE_CHUNK;
		}
		k = len - pos;
		asm volatile("" : "+r"(k)); /* one register for the test and the calls */
		if (k >= FP_TC_MOVE_CHUNK)
			return -1; /* longer than the loop's bound */
		if (k > 0 && (bpf_skb_load_bytes(skb, pos, buf, k) ||
			      bpf_skb_store_bytes(skb, pos - n, buf, k, 0)))
			return -1;
		return bpf_skb_change_tail(skb, len - n, 0) ? -1 : 0;
	}
	/* Back to front. */
	if (bpf_skb_change_tail(skb, len + n, 0))
		return -1;
	pos = len;
	for (i = 0; i < FP_TC_MOVE_CHUNKS; i++) {
		if (pos < off + FP_TC_MOVE_CHUNK)
			break;
		pos -= FP_TC_MOVE_CHUNK;
		if (bpf_skb_load_bytes(skb, pos, buf, FP_TC_MOVE_CHUNK) ||
		    bpf_skb_store_bytes(skb, pos + n, buf, FP_TC_MOVE_CHUNK, 0))
			return -1;
	}
	k = pos - off;
	asm volatile("" : "+r"(k));
	if (k >= FP_TC_MOVE_CHUNK)
		return -1;
	if (k > 0 &&
	    (bpf_skb_load_bytes(skb, off, buf, k) || bpf_skb_store_bytes(skb, off + n, buf, k, 0)))
		return -1;
	return 0;
}

/* Give the frame want bytes of outer headers in front of the inner frame
 * (f->hl now).  Returns 0, or -1 with f->broken set: the frame is in an
 * unknown shape then.
 */
__noinline int
fp_tc_resize(struct __sk_buff *skb, __u32 want, struct fp_tc_flood *f)
{
	__u32 cur;
	long r;

	if (!f)
		return -1;
	cur = f->hl;
	if (want == cur)
		return 0;
	if (want > FP_ENCAP_HDR_V6 || cur > FP_ENCAP_HDR_V6 ||
	    (!f->is_ip && want < cur && want < FP_ENCAP_HDR_V4)) {
		f->broken = 1;
		return -1;
	}
	if (f->is_ip) {
		r = bpf_skb_adjust_room(skb, (__s32)want - (__s32)cur, BPF_ADJ_ROOM_MAC, 0);
	} else {
		/* The first room, the smaller header's, at the front; then
		 * the frame moves behind it.
		 */
		r = 0;
		if (cur == 0) {
			r = bpf_skb_change_head(skb, FP_ENCAP_HDR_V4, 0);
			cur = FP_ENCAP_HDR_V4;
			f->hl = cur;
		}
		if (r == 0 && want != cur)
			r = fp_tc_frame_shift(skb, cur, (int)want - (int)cur);
	}
	if (r) {
		f->broken = 1;
		return -1;
	}
	f->hl = want;
	return 0;
}

/* fp_parse_frame() of the frame in skb (as it came in, no outer headers). */
__noinline int
fp_tc_frame_parse(struct __sk_buff *skb, struct fp_pkt_meta *m)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	if (!m)
		return FP_DROP_TRUNC_L2;
	return (int)fp_parse_frame(data, data_end, 0, m);
}

/* What every vtep copy needs, taken from the frame before it changes (at
 * the first vtep member): the inner IP length (tunnel MTU), the flow
 * hash's source port, the inner Ethernet header.  The frame is made
 * linear for direct access.  Sets f->ready on success; f->l3len is set
 * either way.
 */
__noinline int
fp_tc_encap_prepare(struct __sk_buff *skb, struct fp_tc_flood *f)
{
	struct fp_pkt_meta m = {};
	void *data, *data_end;
	__u8 *eth;
	__u32 r;

	if (!f)
		return -1;
	f->prepared = 1;
	f->inner_len = skb->len;
	f->l3len = skb->len > FP_ETH_HLEN ? skb->len - FP_ETH_HLEN : 0;
	f->is_ip = skb->protocol == bpf_htons(FP_ETH_P_IPV4) ||
		   skb->protocol == bpf_htons(FP_ETH_P_IPV6);
	if (bpf_skb_pull_data(skb, skb->len))
		return -1;
	r = (__u32)fp_tc_frame_parse(skb, &m);
	if (r != FP_PARSE_OK)
		return -1;
	/* As the XDP program's inner_l3_len(). */
	f->l3len = m.l3_len ? m.l3_len : skb->len - m.l3_off;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!eth)
		return -1;
	__builtin_memcpy(f->eth, eth, FP_ETH_HLEN);
	f->sport = fp_flow_sport(fp_flow_hash(data, data_end, &m));
	f->ready = 1;
	return 0;
}

/* Send an encapsulated copy to vtep member vtep_id if the flood rule
 * gives it one.
 */
__noinline int
fp_tc_vtep_copy(struct __sk_buff *skb, __u32 vtep_id, struct fp_tc_flood *f)
{
	struct fp_port_cfg *cfg;
	struct fp_vtep_val *vt;
	void *data, *data_end;
	__u32 hl, sum, ifindex;
	__u8 *p;

	if (!f)
		return 0;
	if (!f->prepared)
		fp_tc_encap_prepare(skb, f);
	if (!fp_flood_vtep_gets_copy(vtep_id, f->l3len, &vt, &cfg))
		return 0;
	f->copies++;
	f->encaps++;
	ifindex = cfg->ifindex;
	hl = fp_encap_hdr_len(vt);
	if (!f->ready || f->broken || !ifindex || (hl != FP_ENCAP_HDR_V4 && hl != FP_ENCAP_HDR_V6))
		return 0;
	if (fp_tc_resize(skb, hl, f))
		return 0;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	p = fp_pkt_ptr(data, data_end, hl, FP_ETH_HLEN);
	if (!p)
		return 0;
	__builtin_memcpy(p, f->eth, FP_ETH_HLEN);
	if (fp_encap_write(data, data_end, vt, cfg->mac, f->vni, f->sport, f->inner_len))
		return 0;
	if (hl == FP_ENCAP_HDR_V6) {
		/* The inner frame's sum is the same for every vtep: taken
		 * once, then the UDP and tunnel headers (16 bytes) added.
		 */
		if (!f->have_sum) {
			f->sum = (__u32)fp_tc_csum_to_end(skb, FP_ENCAP_HDR_V6);
			f->have_sum = 1;
		}
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		p = fp_pkt_ptr(data, data_end, FP_ENCAP_UDP_V6, 16);
		if (!p)
			return 0;
		sum = fp_csum_fold16((__u64)f->sum + *(__u32 *)p + *(__u32 *)(p + 4) +
				     *(__u32 *)(p + 8) + *(__u32 *)(p + 12));
		fp_encap_udp6_csum(data, data_end, sum);
	}
	if (bpf_clone_redirect(skb, ifindex, 0) < 0)
		return 0;
	f->sent++;
	f->sent_encaps++;
	return 1;
}

/* Replicate the frame to the members of f->vni's flood list: ports first,
 * then (from a VM port) vteps, each in list order.
 */
__noinline int
fp_tc_replicate(struct __sk_buff *skb, struct fp_tc_flood *f)
{
	struct fp_flood_key fk = {};
	struct fp_flood_val *fl;
	__u32 i, n;

	if (!f)
		return 0;
	fk.vni = f->vni;
	fl = bpf_map_lookup_elem(&fp_flood, &fk);
	if (!fl)
		return 0;
	n = fl->n_members;
	for (i = 0; i < FP_FLOOD_MEMBER_MAX; i++) {
		if (i >= n)
			break;
		if (fl->members[i].type == FP_DEST_PORT)
			fp_tc_port_copy(skb, fl->members[i].id, i, f);
	}
	if (!f->from_vm)
		return 0;
	/* Read again: the first loop's exit left n known to the verifier,
	 * which would walk this loop once per length.
	 */
	n = *(volatile __u32 *)&fl->n_members;
	for (i = 0; i < FP_FLOOD_MEMBER_MAX; i++) {
		if (i >= n)
			break;
		if (fl->members[i].type != FP_DEST_PORT)
			fp_tc_vtep_copy(skb, fl->members[i].id, f);
	}
	return 0;
}

/* Take back what fp_xdp_rx counted for copies that did not go out. */
static __always_inline void
count(const struct fp_tc_flood *f)
{
	struct fp_counters *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&fp_counters, &zero);
	if (!c)
		return;
	if (f->copies > f->sent)
		c->n[FP_STAT_FLOOD_COPY] -= f->copies - f->sent;
	if (f->encaps > f->sent_encaps)
		c->n[FP_STAT_ENCAP] -= f->encaps - f->sent_encaps;
	if (f->sent == 0) {
		/* Nothing went out: a drop, not a flood. */
		c->n[FP_STAT_FLOOD]--;
		c->n[FP_STAT_TX]--;
		c->n[FP_STAT_DROP]++;
		c->drop[FP_DROP_NO_MBUF]++;
	}
}

SEC("tc")
int
fp_tc_flood(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct fp_xdp_meta *meta = (void *)(long)skb->data_meta;
	struct fp_tc_flood f = {};

	if ((void *)(meta + 1) > data || meta->magic != FP_XDP_META_MAGIC)
		return TC_ACT_UNSPEC;
	f.vni = meta->vni;
	f.in_port = meta->in_port;
	f.from_vm = (meta->flags & FP_XDP_META_F_FROM_VM) != 0;
	f.sg_refused = meta->sg_refused;
	meta->magic = 0;
	fp_tc_replicate(skb, &f);
	count(&f);
	return TC_ACT_SHOT;
}
