/* SPDX-License-Identifier: BSD-3-Clause */
/* Security groups in the XDP program (doc/security-groups.md): the
 * step of a filtered port (FP_PORT_F_SG), egress from the VM and ingress
 * to it, with the decisions of include/flowplane/sg.h and only those, as
 * fp-dpdk's dataplane/sg.c takes them; what differs is the storage:
 *   fp_ruleset  HASH      (ruleset id, direction) -> the rules
 *   fp_addrset  LPM_TRIE  (set id, address) -> a member prefix
 *   fp_ct       HASH      the connection table (preallocated, not LRU:
 *                         full refuses new connections, ct_full)
 *   fp_sg_cfg   ARRAY     the generation and the per-state timeouts
 *
 * The parse (fp_sg_parse_frame()) reads the frame as dataplane/sg.c's
 * fp_sg_parse() does, into a struct fp_sg_in: the packet and, for an ICMP
 * error, the packet it quotes.  fp_sg_filter() then decides.
 *
 * Connections: a lookup that finds an entry whose last packet is older
 * than its state's timeout treats it as absent; fp-xdp run sweeps expired
 * entries out.  A new connection is inserted with BPF_NOEXIST, so of two
 * CPUs opening it at once (its two directions) one inserts and the other
 * finds that entry (-EEXIST) and goes on as a packet of it.  A new
 * connection over an expired entry of its key first marks that entry dead
 * (a compare-and-swap of its state word to 0, FP_CT_NONE, which no live
 * entry has) and only the CPU whose swap succeeded replaces it (BPF_ANY);
 * another CPU looks again until it finds the new entry (at most
 * FP_SG_CLAIM_TRIES times, then ct_invalid).  A tracked packet moves the
 * state with a compare-and-swap on the value's 8-byte word at offset 16
 * (state, flags, pad), so two CPUs that see the two directions at once
 * never lose a move; last_ns, gen and rule_id are plain stores (the last
 * writer wins, any of them is right).  tests/unit/test_xdp_ct_race.c runs
 * the two directions of the same connections on two CPUs at once.
 *
 * Verifier: the parse, the rule match and the filter are global
 * functions (fp_xdp.bpf.c), each verified once; the rule loop is bounded
 * by FP_SG_RULE_MAX, the IPv6 extension headers by FP_SG_EXT_MAX.
 */
#ifndef FP_SG_BPF_H
#define FP_SG_BPF_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include <flowplane/sg.h>
#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#include "fp_maps.bpf.h"
#include "fp_pkt.bpf.h"

#define FP_SG_CAS_TRIES 4    /* state moves lost to another CPU before giving up */
#define FP_SG_EEXIST 17	     /* EEXIST (no errno.h in BPF programs) */
#define FP_SG_CLAIM_TRIES 64 /* looks at a key another CPU is opening, at most */

/* fp_sg_in.status */
#define FP_SG_PARSE_IP 0     /* an IP packet: p filled */
#define FP_SG_PARSE_NOT_IP 1 /* not IP (ARP, ...): fp_sg_ethertype() decides */
#define FP_SG_PARSE_BAD 2    /* malformed IP, or a tagged frame: ct_invalid */

/* What the security groups read from a frame. */
struct fp_sg_in {
	struct fp_sg_pkt p; /* the packet */
	struct fp_sg_pkt q; /* the packet an ICMP error quotes (has_quote) */
	__u32 status;	    /* FP_SG_PARSE_* */
	__u32 has_quote;    /* q is valid */
	__u32 ethertype;    /* the frame's, host order (status FP_SG_PARSE_NOT_IP) */
	__u32 pad;	    /* zero */
};

/* Room for the step's structs, per CPU: the XDP stack (512 bytes for a
 * chain of calls) is the main function's.  A program run is not
 * preempted on its CPU, and the steps use it one after the other.
 */
struct fp_sg_scratch {
	struct fp_sg_in in;	      /* the frame, parsed */
	struct fp_sg_pkt o;	      /* a connection's opening packet (revalidation) */
	struct fp_ct_key k;	      /* the connection key */
	struct fp_ct_val nv;	      /* a new connection */
	struct fp_xdp_addrset_key ak; /* an address-set lookup */
	struct fp_ruleset_key rk;     /* a ruleset lookup */
	__u64 flood_mask;	      /* fp_xdp_flood_sg(): members refused */
	__u32 flood_refused;	      /* how many */
	__u32 flood_drop;	      /* the last one's reason */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_sg_scratch);
} fp_sg_scratch SEC(".maps");

/* This CPU's scratch (never NULL in practice). */
static __always_inline struct fp_sg_scratch *
fp_sg_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&fp_sg_scratch, &zero);
}

/* The value's word at offset 16: state, flags, pad. */
union fp_sg_ct_word {
	__u64 w;
	struct {
		__u8 state;  /* FP_CT_* */
		__u8 flags;  /* FP_CT_F_* */
		__u8 pad[6]; /* zero */
	} f;
};

_Static_assert(__builtin_offsetof(struct fp_ct_val, state) == 16, "fp_ct_val.state");
_Static_assert(__builtin_offsetof(struct fp_ct_val, flags) == 17, "fp_ct_val.flags");

/* Step over the IPv6 extension header at x->cur, if there is one
 * (sg.h fp_sg_l3_ext(), fp_sg_l3_ext_step()): 1 (walked, x moved on), 0
 * (not an extension header, or a later fragment's: stop), -1 (malformed).
 * A global function: the verifier checks one header, whatever the headers
 * before it were (inlined, every combination of 8 headers would be
 * walked).
 */
__noinline int
fp_xdp_sg_ext(struct xdp_md *ctx, struct fp_sg_l3 *x)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 *e;
	int r;

	if (!x)
		return -1;
	r = fp_sg_l3_ext(x);
	if (r <= 0)
		return r;
	if (x->cur > FP_PKT_OFF_MAX)
		return -1;
	e = fp_pkt_ptr(data, data_end, x->off + x->cur, 8);
	if (!e)
		return -1;
	return fp_sg_l3_ext_step(x, e);
}

/* The IP header at off (len bytes of IP packet there; quote: a quoted
 * packet whose lengths are not checked against len).  Fills p's
 * addresses, protocol and fragment, *l4 (an offset in the frame) and
 * *l4_len.  0, or -1 if malformed.  The decoding is sg.h's, shared with
 * fp-dpdk (dataplane/sg.c parse_l3()); the walk is each engine's: here
 * every read is a pointer checked against data_end (the verifier must see
 * the check), there the frame's length bounds them.
 */
static __always_inline int
fp_sg_parse_l3(struct xdp_md *ctx, __u32 off, __u32 len, __u32 quote, struct fp_sg_pkt *p,
	       __u32 *l4, __u32 *l4_len)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 *v4 = fp_pkt_ptr(data, data_end, off, 20), *v6 = fp_pkt_ptr(data, data_end, off, 40);
	struct fp_sg_l3 x = {};
	__u32 i;
	int r;

	r = fp_sg_l3_start(v4, v6, len, quote, p, &x);
	if (r < 0)
		return -1;
	if (r == 4 && v4) { /* v4, v6: for the verifier, which cannot know r implies them */
		fp_ip_from_v4(p->src.b, v4 + 12);
		fp_ip_from_v4(p->dst.b, v4 + 16);
	} else if (r == 6 && v6) {
		fp_ip6_copy(p->src.b, v6 + 8);
		fp_ip6_copy(p->dst.b, v6 + 24);
		x.off = off;
		for (i = 0; i < FP_SG_EXT_MAX; i++) {
			r = fp_xdp_sg_ext(ctx, &x);
			if (r <= 0)
				break;
		}
		if (r < 0 || (i == FP_SG_EXT_MAX && fp_sg_l3_ext(&x) != 0) || x.cur > x.tot)
			return -1;
	} else {
		return -1;
	}
	fp_sg_l3_end(&x, p);
	*l4 = off + x.cur;
	*l4_len = x.tot - x.cur;
	return 0;
}

/* The L4 header at off (len bytes): sg.h's fp_sg_l4_decode() on the
 * bytes present.  quote: only its first 8 bytes are there.  Sets *qoff
 * for an ICMP error.  0, or -1 if malformed.  dataplane/sg.c parse_l4().
 */
static __always_inline int
fp_sg_parse_l4(struct xdp_md *ctx, __u32 off, __u32 len, __u32 quote, struct fp_sg_pkt *p,
	       __u32 *qoff)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	return fp_sg_l4_decode(fp_pkt_ptr(data, data_end, off, 8),
			       fp_pkt_ptr(data, data_end, off, 20), len, quote, p, qoff);
}

/**
 * Parse an Ethernet frame of flen bytes for the security groups, as
 * dataplane/sg.c fp_sg_parse() and fp_sg_parse_quote() do.
 *
 * @param in filled: status FP_SG_PARSE_*, the packet, an ICMP error's quote
 */
static __always_inline void
fp_sg_parse_frame(struct xdp_md *ctx, __u32 flen, struct fp_sg_in *in)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 et, l4 = 0, l4_len = 0, qoff = 0, ql4 = 0, ql4_len = 0, qq = 0;
	__u8 *eth;

	__builtin_memset(in, 0, sizeof(*in));
	in->status = FP_SG_PARSE_BAD;
	eth = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (flen < FP_ETH_HLEN || flen > FP_PKT_OFF_MAX || !eth)
		return;
	et = fp_ld16(eth + 12);
	if (et == 0x8100 || et == 0x88a8)
		return;
	if (et == 0x0800) {
		in->p.family = 4;
	} else if (et == 0x86dd) {
		in->p.family = 6;
	} else {
		in->status = FP_SG_PARSE_NOT_IP;
		in->ethertype = et;
		return;
	}
	if (fp_sg_parse_l3(ctx, FP_ETH_HLEN, flen - FP_ETH_HLEN, 0, &in->p, &l4, &l4_len) < 0)
		return;
	l4 = fp_pkt_off_forget(l4);
	if (fp_sg_parse_l4(ctx, l4, l4_len, 0, &in->p, &qoff) < 0)
		return;
	in->status = FP_SG_PARSE_IP;
	if (!qoff || l4_len < qoff)
		return;
	/* The quoted packet: same family, not a later fragment. */
	in->q.family = in->p.family;
	if (fp_sg_parse_l3(ctx, l4 + qoff, l4_len - qoff, 1, &in->q, &ql4, &ql4_len) < 0 ||
	    in->q.frag == FP_SG_FRAG_LATER)
		return;
	ql4 = fp_pkt_off_forget(ql4);
	if (fp_sg_parse_l4(ctx, ql4, ql4_len, 1, &in->q, &qq) < 0)
		return;
	in->has_quote = 1;
}

/* Is the connection e live at now?  fp_xdp_ct_expired(), with the state
 * read in one load (a CPU may be moving it).
 */
static __always_inline int
fp_sg_ct_live(const struct fp_sg_cfg *cfg, const struct fp_ct_val *e, __u64 now)
{
	union fp_sg_ct_word w;

	w.w = *(volatile const __u64 *)&e->state;
	return !fp_xdp_ct_expired(cfg ? cfg->timeout_s : NULL, e->last_ns, w.f.state, now);
}

#endif /* FP_SG_BPF_H */
