/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane's XDP program: the packet semantics of doc/packets.md for one
 * frame at a time, the same as the DPDK pipeline (dataplane/pipeline.c)
 * with the same tables (the maps of fp_maps.bpf.h) and the same counters.
 *
 * A frame received on an interface is looked up in fp_ifslot, then
 * fp_ifport (ingress ifindex -> logical port), then:
 *   - from a VM port: parse, anti-spoofing, then ARP/NS answered from
 *     fp_neigh (XDP_TX), unicast to a local port (bpf_redirect_map on
 *     fp_tx) or encapsulated toward a remote vtep and redirected to the
 *     underlay port, a too-big packet answered with an ICMP error built in
 *     place (XDP_TX); a frame to a router's MAC routed (fp_xdp_route(),
 *     doc/routing.md: the route in fp_route, ICMP errors and echo replies
 *     built in place, TTL and MACs rewritten) and switched in the egress
 *     network;
 *   - from the underlay: ARP/NS for a local VTEP address answered, VXLAN
 *     and Geneve decapsulated and switched to a local port;
 *   - broadcast, multicast and unknown unicast: the flood is decided and
 *     counted here (members that get a copy), then the frame is passed up
 *     (XDP_PASS) with struct fp_xdp_meta in front of it; the tc program
 *     of the interface makes the copies.
 *
 * Cost: every call costs (a helper, a hash map lookup, a global
 * function: each returns through the kernel's return thunk), so the
 * unicast paths make as few as they can: the fp_fdb lookup (and fp_vtep's
 * when encapsulating), the head adjustment and the redirect.  The port,
 * ingress-interface and served-VNI lookups are arrays, which the verifier
 * inlines; the vtep table stays a hash because its entries change in
 * place (an array entry is copied over while programs may read it; see
 * include/flowplane/xdp.h).  bench/README.md has the numbers.
 *
 * Verifier: the unicast paths are inlined; the rarer steps with loops
 * (checksum to the end, NS options, flood members) are global functions,
 * each verified once whatever the state of its caller (inlined, the
 * checksum alone would more than double the verifier's walk, which
 * test_xdp_cases keeps under 600k of the kernel's 1M instructions).  Every
 * loop is bounded for frames of FP_FRAME_MAX bytes.  The program is
 * single-buffer (not xdp.frags): a frame is data..data_end.
 *
 * Security groups (fp_sg.bpf.h): a filtered port's frames pass
 * fp_xdp_sg_filter() egress after check_source(), ingress in
 * deliver_local() and, for a flood, per filtered port member
 * (fp_xdp_flood_sg(); fp_xdp_meta.sg_refused tells the tc program which
 * members get no copy).  Stack: a chain of calls shares 512 bytes, so
 * the verdict and the security groups' structs live in per-CPU arrays
 * (fp_verdict_map, fp_sg_scratch); the deepest chain, fp_xdp_rx ->
 * fp_xdp_flood_sg -> fp_xdp_sg_filter -> fp_xdp_sg_rule_ok, uses it all
 * (256 + 64 + 160 + 32): a change that grows one of them must shrink
 * another.
 */
#include <linux/bpf.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#include "fp_build.bpf.h"
#include "fp_csum.bpf.h"
#include "fp_encap.bpf.h"
#include "fp_flood.bpf.h"
#include "fp_hash.bpf.h"
#include "fp_maps.bpf.h"
#include "fp_parse.bpf.h"
#include "fp_pkt.bpf.h"
#include "fp_sg.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load (tests): write struct fp_trace per packet. */
const volatile __u32 fp_trace_on = 0;

/* The decision of the ingress functions, acted on and counted by
 * fp_xdp_rx() in one place.
 */
struct fp_verdict {
	__u32 kind;	/* enum fp_xdp_verdict_kind */
	__u32 port;	/* egress logical port (FP_XDP_V_LOCAL, FP_XDP_V_ENCAP) */
	__u32 drop;	/* FP_DROP_* (FP_XDP_V_DROP, FP_XDP_V_ICMP) */
	__u32 vni;	/* FP_XDP_V_FLOOD: the VNI whose flood list applies */
	__u32 copies;	/* FP_XDP_V_FLOOD: members that get a copy */
	__u32 encaps;	/* FP_XDP_V_FLOOD: vtep members among them */
	__u32 decap;	/* the frame was decapsulated */
	__u32 from_vm;	/* FP_XDP_V_FLOOD: came from a VM port */
	__u32 stat;	/* a FP_STAT_* counted besides the verdict's (routed, echo reply), or 0 */
	__u64 refused;	/* FP_XDP_V_FLOOD: members refused by security groups */
	__u32 err_stat; /* FP_XDP_V_ICMP: the FP_STAT_* of the error sent */
	__u32 rt_hit;	/* routed: the egress fdb lookup found an entry */
	__u32 rt_type;	/* routed, rt_hit: its FP_DEST_* */
	__u32 rt_id;	/* routed, rt_hit: its id */
};

/* This CPU's verdict: the XDP stack (512 bytes for a chain of calls)
 * is kept for the calls (fp_sg.bpf.h).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_verdict);
} fp_verdict_map SEC(".maps");

/* Trace: the FDB lookup's result, straight into this CPU's fp_trace.  In
 * the attached program fp_trace_on is a frozen 0: the verifier removes
 * this code, and struct fp_verdict carries nothing for the trace.
 */
static __always_inline void
trace_fdb_res(__u32 vni, __u32 hit, __u32 type, __u32 id)
{
	__u32 zero = 0;
	struct fp_trace *t;

	if (!fp_trace_on)
		return;
	t = bpf_map_lookup_elem(&fp_trace_map, &zero);
	if (!t)
		return;
	t->vni = vni;
	t->fdb = hit ? FP_XDP_TRACE_FDB_HIT : FP_XDP_TRACE_FDB_MISS;
	if (hit) {
		t->fdb_type = type;
		t->fdb_id = id;
	}
}

static __always_inline void
trace_fdb(__u32 vni, const struct fp_fdb_val *fv)
{
	if (fp_trace_on)
		trace_fdb_res(vni, fv != NULL, fv ? fv->type : 0, fv ? fv->id : 0);
}

static __always_inline int
set_drop(struct fp_verdict *v, __u32 reason)
{
	v->kind = FP_XDP_V_DROP;
	v->drop = reason;
	return 0;
}

/* The frame's length (single-buffer program). */
static __always_inline __u32
frame_len(const struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/* Global functions: the verifier checks each once, for any arguments of
 * its prototype, instead of once per state of every caller; pointer
 * arguments may be NULL as far as it knows.  They take the context and
 * find the packet from it (a packet pointer cannot be an argument).
 */

/* fp_csum_to_end() of the frame in ctx: a folded sum, 0..0xffff. */
__noinline int
fp_xdp_csum_to_end(struct xdp_md *ctx, __u32 off, __u32 sum)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	return (int)fp_csum_to_end(data, data_end, off, sum);
}

/* fp_csum_span() of the frame in ctx, bytes off..end-1: a folded sum. */
__noinline int
fp_xdp_csum_span(struct xdp_md *ctx, __u32 off, __u32 end, __u32 sum)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	return (int)fp_csum_span(data, data_end, off, end, sum);
}

/* fp_nd_ns_parse() of the frame in ctx (its option walk is the longest
 * loop: FP_ND_OPT_MAX iterations).
 */
__noinline int
fp_xdp_ns_parse(struct xdp_md *ctx, const struct fp_pkt_meta *m, struct fp_ip *target)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	if (!m || !target)
		return -1;
	return fp_nd_ns_parse(data, data_end, m, target->b);
}

/* Security groups (fp_sg.bpf.h): the steps are global functions, each
 * verified once.
 */

/* Parse the frame in ctx for the security groups. */
__noinline int
fp_xdp_sg_parse(struct xdp_md *ctx, struct fp_sg_in *in)
{
	if (!in)
		return -1;
	fp_sg_parse_frame(ctx, ctx->data_end - ctx->data, in);
	return 0;
}

/* Does rule r allow p going dir (a rule naming an address set: is the
 * remote address a member, fp_addrset)?  1 or 0.
 */
__noinline int
fp_xdp_sg_rule_ok(const struct fp_sg_rule *r, const struct fp_sg_pkt *p, __u32 dir)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();
	__u32 m;

	if (!r || !p || !sc)
		return 0;
	m = fp_sg_rule_match(r, p, dir);
	if (m == FP_SG_MATCH_YES)
		return 1;
	if (m != FP_SG_MATCH_ADDRSET)
		return 0;
	sc->ak.prefixlen = FP_XDP_ADDRSET_PLEN(128);
	sc->ak.set_id = r->addrset;
	fp_ip6_copy(sc->ak.ip, fp_sg_remote(p, dir)->b);
	return bpf_map_lookup_elem(&fp_addrset, &sc->ak) != NULL;
}

/* The first rule of ruleset (ruleset_id, dir) that allows p: its id; 0
 * when none does or the ruleset is missing.  Inlined into the filter (a
 * call deeper would not fit the stack); the rule is one call.
 */
static __always_inline __u32
sg_rules(__u32 ruleset_id, __u32 dir, const struct fp_sg_pkt *p)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();
	struct fp_ruleset_val *rs;
	__u32 i, n;

	if (!sc)
		return 0;
	sc->rk.ruleset_id = ruleset_id;
	sc->rk.dir = (__u16)dir;
	sc->rk.pad = 0;
	rs = bpf_map_lookup_elem(&fp_ruleset, &sc->rk);
	if (!rs)
		return 0;
	n = rs->n_rules;
	for (i = 0; i < FP_SG_RULE_MAX; i++) {
		if (i >= n)
			break;
		if (fp_xdp_sg_rule_ok(&rs->rules[i], p, dir))
			return rs->rules[i].rule_id;
	}
	return 0;
}

static __always_inline void
sg_count(__u32 stat)
{
	struct fp_counters *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&fp_counters, &zero);
	if (c && stat < FP_STAT_MAX)
		c->n[stat]++;
}

/* A packet p of the live connection e (key k; p goes from endpoint a to
 * b when a_first) of a port whose ruleset is ruleset_id: revalidated if
 * the generation moved since it was admitted, then its state moved.
 * FP_DROP_MAX (passes) or the drop reason.
 */
static __always_inline __u32
sg_tracked(struct fp_ct_val *e, const struct fp_ct_key *k, const struct fp_sg_pkt *p, __u32 a_first,
	   __u32 ruleset_id)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();
	__u32 zero = 0, gen = 0, i, next, reply, reval, rule;
	union fp_sg_ct_word ow, nw;
	struct fp_sg_cfg *cfg;

	if (!sc)
		return FP_DROP_CT_INVALID;
	cfg = bpf_map_lookup_elem(&fp_sg_cfg, &zero);
	if (cfg)
		gen = *(volatile __u32 *)&cfg->gen;
	for (i = 0; i < FP_SG_CAS_TRIES; i++) {
		ow.w = *(volatile __u64 *)&e->state;
		nw.w = ow.w;
		reply = a_first != ((ow.f.flags & FP_CT_F_ORIG_A) != 0);
		reval = e->gen != gen;
		rule = e->rule_id;
		if (reval) {
			/* Its opening packet, checked against the rules of
			 * the way it was opened.
			 */
			fp_ct_opener(k, ow.f.flags, &sc->o);
			rule = sg_rules(ruleset_id,
					(ow.f.flags & FP_CT_F_ORIG_EGRESS) ? FP_SG_DIR_EGRESS :
									     FP_SG_DIR_INGRESS,
					&sc->o);
			if (rule == 0) {
				bpf_map_delete_elem(&fp_ct, k);
				return FP_DROP_CT_REVOKED;
			}
		}
		next = fp_ct_next(ow.f.state, reply, p);
		if (next == FP_CT_MOVE_INVALID)
			return FP_DROP_CT_INVALID;
		if (next != FP_CT_MOVE_IGNORE)
			nw.f.state = (__u8)next;
		if (reply)
			nw.f.flags |= FP_CT_F_REPLIED;
		if (nw.w != ow.w &&
		    __sync_val_compare_and_swap((__u64 *)&e->state, ow.w, nw.w) != ow.w)
			continue; /* another CPU moved it first: again from its state */
		e->last_ns = bpf_ktime_get_ns();
		if (reval) {
			e->rule_id = rule;
			e->gen = gen;
		}
		sg_count(FP_STAT_CT_HIT);
		if (reval)
			sg_count(FP_STAT_CT_REVALIDATED);
		return FP_DROP_MAX;
	}
	return FP_DROP_CT_INVALID;
}

/* The decision of fp_xdp_sg_filter(), uncounted per port. */
static __always_inline __u32
sg_decide(__u32 port_id, __u32 ruleset_id, __u32 dir, struct fp_sg_in *in)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();
	__u32 zero = 0, r, rule, first, stat, gen = 0, stale = 0, i;
	struct fp_ruleset_val *rs;
	struct fp_ct_val *nv, *e;
	struct fp_guard_cfg *g;
	union fp_sg_ct_word ow;
	struct fp_sg_cfg *cfg;
	struct fp_ct_key *k;
	int a_first;
	__u64 now;
	long rc;

	if (!sc)
		return FP_DROP_CT_INVALID;
	k = &sc->k;
	nv = &sc->nv;

	if (in->status == FP_SG_PARSE_NOT_IP) {
		g = bpf_map_lookup_elem(&fp_guard, &zero);
		r = fp_sg_ethertype(in->ethertype, dir, g ? g->ethertypes : 0);
		return r == FP_SG_BASE_ALLOW ? FP_DROP_MAX : r;
	}
	if (in->status != FP_SG_PARSE_IP)
		return FP_DROP_CT_INVALID;
	r = fp_sg_base(&in->p, dir);
	if (r == FP_SG_BASE_ALLOW)
		return FP_DROP_MAX;
	if (r != FP_SG_BASE_RULES)
		return r;
	sc->rk.ruleset_id = ruleset_id;
	sc->rk.dir = (__u16)dir;
	sc->rk.pad = 0;
	rs = bpf_map_lookup_elem(&fp_ruleset, &sc->rk);
	if (!rs)
		return FP_DROP_SG_NO_RULESET;
	if (in->p.frag == FP_SG_FRAG_LATER) {
		/* No ports: matched by the rules alone, never tracked. */
		if (!sg_rules(ruleset_id, dir, &in->p))
			return FP_DROP_SG_DENIED;
		sg_count(FP_STAT_SG_STATELESS);
		return FP_DROP_MAX;
	}
	cfg = bpf_map_lookup_elem(&fp_sg_cfg, &zero);
	if (cfg)
		gen = *(volatile __u32 *)&cfg->gen;
	now = bpf_ktime_get_ns();
	if (in->has_quote && fp_ct_icmp_error(&in->p)) {
		fp_ct_key_make(k, port_id, &in->q);
		e = bpf_map_lookup_elem(&fp_ct, k);
		if (e && fp_sg_ct_live(cfg, e, now)) {
			sg_count(FP_STAT_CT_RELATED);
			return FP_DROP_MAX;
		}
	}
	a_first = fp_ct_key_make(k, port_id, &in->p);
	e = bpf_map_lookup_elem(&fp_ct, k);
	if (e) {
		if (fp_sg_ct_live(cfg, e, now))
			return sg_tracked(e, k, &in->p, (__u32)a_first, ruleset_id);
		stale = 1; /* expired: absent, and overwritten below */
	}
	rule = sg_rules(ruleset_id, dir, &in->p);
	if (rule == 0)
		return FP_DROP_SG_DENIED;
	if (!(rs->flags & FP_RULESET_F_STATEFUL)) {
		sg_count(FP_STAT_SG_STATELESS);
		return FP_DROP_MAX;
	}
	first = fp_ct_first(&in->p);
	if (first >= FP_CT_STATE_MAX)
		return FP_DROP_CT_INVALID;
	stat = in->p.proto == FP_SG_PROTO_TCP && first == FP_CT_ESTABLISHED ? FP_STAT_CT_PICKUP :
									      FP_STAT_CT_NEW;
	__builtin_memset(nv, 0, sizeof(*nv));
	nv->last_ns = now;
	nv->gen = gen;
	nv->rule_id = rule;
	nv->state = (__u8)first;
	nv->flags = (__u8)((a_first ? FP_CT_F_ORIG_A : 0) |
			   (dir == FP_SG_DIR_EGRESS ? FP_CT_F_ORIG_EGRESS : 0));
	rc = -FP_SG_EEXIST;
	if (!stale)
		rc = bpf_map_update_elem(&fp_ct, k, nv, BPF_NOEXIST);
	e = NULL;
	if (rc == -FP_SG_EEXIST) {
		e = bpf_map_lookup_elem(&fp_ct, k);
		if (!e) {
			rc = bpf_map_update_elem(&fp_ct, k, nv, BPF_NOEXIST);
		} else if (!fp_sg_ct_live(cfg, e, now)) {
			/* Expired: the one CPU whose compare-and-swap marks it
			 * dead replaces it (a blind overwrite by two CPUs would
			 * open it twice, the second over the first's entry).
			 */
			ow.w = *(volatile __u64 *)&e->state;
			if (ow.f.state != FP_CT_NONE &&
			    __sync_val_compare_and_swap((__u64 *)&e->state, ow.w, 0) == ow.w)
				rc = bpf_map_update_elem(&fp_ct, k, nv, BPF_ANY);
			e = NULL;
		}
	}
	/* Another CPU opens it: wait for its entry, a packet of that one. */
	for (i = 0; !e && rc == -FP_SG_EEXIST && i < FP_SG_CLAIM_TRIES; i++) {
		e = bpf_map_lookup_elem(&fp_ct, k);
		if (e && !fp_sg_ct_live(cfg, e, now))
			e = NULL;
	}
	if (rc == -FP_SG_EEXIST)
		return e ? sg_tracked(e, k, &in->p, (__u32)a_first, ruleset_id) :
			   FP_DROP_CT_INVALID; /* still being replaced: rare */
	if (rc)
		return FP_DROP_CT_FULL; /* -E2BIG: full; tracked ones keep flowing */
	sg_count(stat);
	return FP_DROP_MAX;
}

/* The security groups of filtered port port_id (ruleset ruleset_id) for
 * the parsed frame in going dir: FP_DROP_MAX (passes) or the drop reason,
 * counted for the port (fp_sg_drops); the caller counts the drop.
 */
__noinline int
fp_xdp_sg_filter(__u32 port_id, __u32 ruleset_id, __u32 dir, struct fp_sg_in *in)
{
	struct fp_sg_drops *d;
	__u32 r;

	if (!in)
		return FP_DROP_CT_INVALID;
	r = sg_decide(port_id, ruleset_id, dir, in);
	if (r < FP_DROP_MAX) {
		d = bpf_map_lookup_elem(&fp_sg_drops, &port_id);
		if (d)
			d->n[dir == FP_SG_DIR_INGRESS ? FP_SG_DIR_INGRESS : FP_SG_DIR_EGRESS]++;
	}
	return (int)r;
}

/* The security-group step of the frame in ctx for a filtered port. */
static __always_inline __u32
sg_step(struct xdp_md *ctx, __u32 port_id, __u32 ruleset_id, __u32 dir)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();

	if (!sc)
		return FP_DROP_CT_INVALID;
	fp_xdp_sg_parse(ctx, &sc->in);
	return (__u32)fp_xdp_sg_filter(port_id, ruleset_id, dir, &sc->in);
}

/* Who gets a copy of a flood in vni: the flood list's members in order,
 * ports other than in_port that are VM ports of the VNI, and (from_vm)
 * vteps the packet fits (l3len).  Returns copies | vtep copies << 16,
 * or -1 if the VNI has no flood list.  (The security groups of filtered
 * port members: fp_xdp_flood_sg().)
 */
__noinline int
fp_xdp_flood_plan(__u32 vni, __u32 in_port, __u32 from_vm, __u32 l3len)
{
	struct fp_flood_key fk = { .vni = vni };
	struct fp_flood_val *fl;
	__u32 i, n, copies = 0, encaps = 0;

	fl = bpf_map_lookup_elem(&fp_flood, &fk);
	if (!fl)
		return -1;
	n = fl->n_members;
	for (i = 0; i < FP_FLOOD_MEMBER_MAX; i++) {
		struct fp_flood_member *fm;
		struct fp_port_cfg *cfg;
		struct fp_vtep_val *vt;
		__u32 id;

		if (i >= n)
			break;
		fm = &fl->members[i];
		id = fm->id;
		if (fm->type == FP_DEST_PORT) {
			if (!fp_flood_port_gets_copy(id, vni, in_port))
				continue;
			copies++;
		} else if (from_vm) {
			if (!fp_flood_vtep_gets_copy(id, l3len, &vt, &cfg))
				continue;
			copies++;
			encaps++;
		}
	}
	return (int)(copies | encaps << 16);
}

/* The port members of vni's flood list that fp_xdp_flood_plan() gave a
 * copy and that are filtered: their ingress security groups, in list
 * order (each may open or move a connection, as fp-dpdk's flood does).
 * The refused ones, the mask of their member indexes and the last
 * refusal's reason go to this CPU's scratch (flood_refused,
 * flood_mask, flood_drop).  Returns how many were refused.
 */
__noinline int
fp_xdp_flood_sg(struct xdp_md *ctx, __u32 vni, __u32 in_port)
{
	struct fp_sg_scratch *sc = fp_sg_scratch_get();
	struct fp_flood_key fk = { .vni = vni };
	struct fp_flood_val *fl;
	__u32 i, n, parsed = 0;

	if (!sc)
		return 0;
	sc->flood_refused = 0;
	sc->flood_mask = 0;
	sc->flood_drop = FP_DROP_MAX;
	fl = bpf_map_lookup_elem(&fp_flood, &fk);
	if (!fl)
		return 0;
	n = fl->n_members;
	for (i = 0; i < FP_FLOOD_MEMBER_MAX; i++) {
		struct fp_port_val *dp;
		__u32 id, r;

		if (i >= n)
			break;
		if (fl->members[i].type != FP_DEST_PORT)
			continue;
		id = fl->members[i].id;
		if (!fp_flood_port_gets_copy(id, vni, in_port))
			continue;
		dp = bpf_map_lookup_elem(&fp_port, &id);
		if (!dp || !(dp->flags & FP_PORT_F_SG))
			continue;
		if (!parsed) {
			fp_xdp_sg_parse(ctx, &sc->in);
			parsed = 1;
		}
		r = (__u32)fp_xdp_sg_filter(id, dp->ruleset, FP_SG_DIR_INGRESS, &sc->in);
		if (r != FP_DROP_MAX) {
			sc->flood_refused++;
			sc->flood_mask |= 1ULL << i;
			sc->flood_drop = r;
		}
	}
	return (int)sc->flood_refused;
}

/* A token bucket of this CPU (fp_storm slot key) kept as time credit: a
 * packet costs 1e9 / pps ns, the credit grows with the time since the
 * slot's last packet here and is capped at burst packets.  Returns 1: it
 * passes (pps 0: always), 0: over the rate.
 */
static __always_inline int
bucket_take(__u32 key, __u32 pps, __u32 burst)
{
	struct fp_storm_bucket *b;
	__u64 cost, cap, credit, now;

	if (pps == 0)
		return 1;
	b = bpf_map_lookup_elem(&fp_storm, &key);
	if (!b)
		return 1;
	now = bpf_ktime_get_ns();
	cost = 1000000000ULL / pps;
	cap = cost * burst;
	if (b->last_ns == 0 || now - b->last_ns >= cap)
		credit = cap;
	else
		credit = b->credit_ns + (now - b->last_ns);
	if (credit > cap)
		credit = cap;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		return 0;
	}
	b->credit_ns = credit - cost;
	return 1;
}

/* Storm control: may VM port in_port flood once more on this CPU?  Its
 * bucket (storm_pps, storm_burst).
 */
static __always_inline int
storm_pass(__u32 in_port)
{
	struct fp_guard_cfg *g;
	__u32 zero = 0;

	g = bpf_map_lookup_elem(&fp_guard, &zero);
	if (!g || in_port >= FP_PORT_MAX)
		return 1;
	return bucket_take(in_port, g->storm_pps, g->storm_burst);
}

/* May this CPU send one more ICMP error?  Its bucket (fp_storm slot
 * FP_XDP_STORM_ICMP: icmp_pps, icmp_burst; RFC 4443 2.4(f), RFC 1812
 * 4.3.2.8).
 */
static __always_inline int
icmp_pass(void)
{
	struct fp_guard_cfg *g;
	__u32 zero = 0;

	g = bpf_map_lookup_elem(&fp_guard, &zero);
	if (!g)
		return 1;
	return bucket_take(FP_XDP_STORM_ICMP, g->icmp_pps, g->icmp_burst);
}

/* Broadcast, multicast or unknown unicast: decide the flood here. */
static __always_inline int
flood(struct xdp_md *ctx, struct fp_verdict *v, __u32 vni, __u32 in_port, __u32 from_vm,
      __u32 l3len)
{
	struct fp_sg_scratch *sc;
	__u32 copies, refused;
	int r;

	if (from_vm && !storm_pass(in_port))
		return set_drop(v, FP_DROP_STORM_CONTROL);
	r = fp_xdp_flood_plan(vni, in_port, from_vm, l3len);
	if (r < 0)
		return set_drop(v, FP_DROP_NO_FLOOD_LIST);
	copies = (__u32)r & 0xffff;
	refused = copies ? (__u32)fp_xdp_flood_sg(ctx, vni, in_port) : 0;
	sc = fp_sg_scratch_get();
	if (refused > copies || !sc)
		refused = copies;
	if (copies == refused)
		return set_drop(v, refused && sc && sc->flood_drop < FP_DROP_MAX ?
					   sc->flood_drop :
					   FP_DROP_FLOOD_EMPTY);
	v->kind = FP_XDP_V_FLOOD;
	v->vni = vni;
	v->copies = copies - refused;
	v->encaps = (__u32)r >> 16;
	v->from_vm = from_vm;
	v->refused = sc ? sc->flood_mask : 0;
	return 0;
}

/* Deliver to a local VM port of the packet's VNI (a filtered port: if
 * its ingress rules allow the frame).
 */
static __always_inline int
deliver_local(struct xdp_md *ctx, struct fp_verdict *v, __u32 vni, __u32 port_id)
{
	struct fp_port_val *dp = bpf_map_lookup_elem(&fp_port, &port_id);
	__u32 r;

	if (!dp || dp->role != FP_PORT_ROLE_VM)
		return set_drop(v, FP_DROP_DEST_MISSING);
	if (dp->vni != vni)
		return set_drop(v, FP_DROP_VNI_MISMATCH);
	if (dp->flags & FP_PORT_F_SG) {
		r = sg_step(ctx, port_id, dp->ruleset, FP_SG_DIR_INGRESS);
		if (r != FP_DROP_MAX)
			return set_drop(v, r);
	}
	v->kind = FP_XDP_V_LOCAL;
	v->port = port_id;
	return 0;
}

/* Is ip (a struct fp_ip) one of our VTEP addresses? */
static __always_inline int
local_vtep(const __u8 *ip)
{
	struct fp_host_cfg *h;
	__u32 zero = 0, i;

	h = bpf_map_lookup_elem(&fp_host, &zero);
	if (!h)
		return 0;
	for (i = 0; i < FP_XDP_LOCAL_VTEP_MAX; i++) {
		if (i >= h->n_local_vteps)
			break;
		if (fp_ip6_eq(h->local_vteps[i].b, ip))
			return 1;
	}
	return 0;
}

/* Does fp_flood have an entry for vni (fp_vni, its shadow)? */
static __always_inline int
vni_served(__u32 vni)
{
	__u32 w = FP_XDP_VNI_WORD(vni);
	__u64 *bits = bpf_map_lookup_elem(&fp_vni, &w);

	return bits && (*bits & FP_XDP_VNI_BIT(vni)) != 0;
}

/* Length of the inner packet as the tunnel MTU counts it. */
static __always_inline __u32
inner_l3_len(struct xdp_md *ctx, const struct fp_pkt_meta *m)
{
	if (m->l3_len)
		return m->l3_len;
	return frame_len(ctx) - m->l3_off;
}

static __always_inline int
mac_is_zero(const __u8 *mac)
{
	return (*(const __u32 *)mac | *(const __u16 *)(mac + 4)) == 0;
}

/* Anti-spoofing: may port pt send from (mac, address hi:lo)? */
static __always_inline int
addr_allowed(const struct fp_port_val *pt, const __u8 *mac, __u64 hi, __u64 lo)
{
	__u32 i, n = pt->n_addrs;

	for (i = 0; i < FP_PORT_ADDR_MAX; i++) {
		const struct fp_port_addr *a = &pt->addrs[i];
		__u64 mask_hi, mask_lo;
		__u32 plen = a->plen;

		if (i >= n)
			break;
		if (plen > 128)
			plen = 128;
		mask_hi = plen == 0 ? 0 : plen >= 64 ? ~0ULL : ~0ULL << (64 - plen);
		mask_lo = plen <= 64 ? 0 : plen >= 128 ? ~0ULL : ~0ULL << (128 - plen);
		if ((((hi ^ fp_ld64(a->ip.b)) & mask_hi) |
		     ((lo ^ fp_ld64(a->ip.b + 8)) & mask_lo)) != 0)
			continue;
		/* An all-zero MAC in the entry means the port's. */
		if (fp_mac_eq(mac_is_zero(a->mac) ? pt->mac : a->mac, mac))
			return 1;
	}
	return 0;
}

/* Is mac one port pt may use as a source? */
static __always_inline int
mac_allowed(const struct fp_port_val *pt, const __u8 *mac)
{
	__u32 i, n = pt->n_addrs;

	if (fp_mac_eq(pt->mac, mac))
		return 1;
	for (i = 0; i < FP_PORT_ADDR_MAX; i++) {
		if (i >= n)
			break;
		/* An all-zero MAC in an entry is the port's, tested above. */
		if (!mac_is_zero(pt->addrs[i].mac) && fp_mac_eq(pt->addrs[i].mac, mac))
			return 1;
	}
	return 0;
}

/* The port's EUI-64 link-local address fe80::/64 (RFC 4291 2.5.1). */
static __always_inline int
is_port_lladdr(const struct fp_port_val *pt, const __u8 *ip)
{
	__u8 ll[16] = { 0xfe, 0x80 };

	ll[8] = pt->mac[0] ^ 0x02;
	ll[9] = pt->mac[1];
	ll[10] = pt->mac[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = pt->mac[3];
	ll[14] = pt->mac[4];
	ll[15] = pt->mac[5];
	return fp_ip6_eq(ll, ip);
}

/* Anti-spoofing for a frame from a VM port: FP_PARSE_OK or a drop. */
static __always_inline __u32
check_source(void *data, void *data_end, const struct fp_port_val *pt, const struct fp_pkt_meta *m)
{
	__u8 *f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN), *src, *l3;
	struct fp_guard_cfg *g;
	__u32 zero = 0, r;

	if (!f)
		return FP_DROP_TRUNC_L2;
	src = f + 6;
	if (src[0] & 1)
		return FP_DROP_BAD_SRC_MAC;
	if (!(pt->flags & FP_PORT_F_ANTISPOOF))
		return FP_PARSE_OK;
	if (!mac_allowed(pt, src))
		return FP_DROP_SPOOF_MAC;
	switch (m->ethertype) {
	case FP_ETH_P_IPV4:
		l3 = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
		if (!l3)
			return FP_DROP_TRUNC_L3;
		if (*(__u32 *)(l3 + 12) == 0) {
			/* DHCP discover/request before the lease. */
			if ((m->flags & FP_META_F_L4) && m->l4_proto == FP_IPPROTO_UDP &&
			    m->sport == 68 && m->dport == 67)
				return FP_PARSE_OK;
			return FP_DROP_SPOOF_IP;
		}
		return addr_allowed(pt, src, 0, 0xffff00000000ULL | fp_ld32(l3 + 12)) ?
			       FP_PARSE_OK :
			       FP_DROP_SPOOF_IP;
	case FP_ETH_P_IPV6:
		l3 = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
		if (!l3)
			return FP_DROP_TRUNC_L3;
		if (fp_ip6_is_zero(l3 + 8))
			/* DAD and MLD reports come from :: */
			return m->l4_proto == FP_IPPROTO_ICMPV6 ? FP_PARSE_OK : FP_DROP_SPOOF_IP;
		if (is_port_lladdr(pt, l3 + 8) && fp_mac_eq(src, pt->mac))
			return FP_PARSE_OK;
		return addr_allowed(pt, src, fp_ld64(l3 + 8), fp_ld64(l3 + 16)) ? FP_PARSE_OK :
										  FP_DROP_SPOOF_IP;
	case FP_ETH_P_ARP:
		l3 = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_arp_hdr));
		if (!l3)
			return FP_DROP_TRUNC_L3;
		/* The sender hardware address must be the frame's source. */
		if (!fp_mac_eq(l3 + 8, src))
			return FP_DROP_SPOOF_MAC;
		if (*(__u32 *)(l3 + 14) == 0)
			return FP_PARSE_OK; /* ARP probe (RFC 5227) */
		return addr_allowed(pt, src, 0, 0xffff00000000ULL | fp_ld32(l3 + 14)) ?
			       FP_PARSE_OK :
			       FP_DROP_SPOOF_IP;
	default:
		/* RARP and the permitted ethertypes (sg.h fp_sg_ethertype()). */
		g = bpf_map_lookup_elem(&fp_guard, &zero);
		r = fp_sg_ethertype(m->ethertype, FP_SG_DIR_EGRESS, g ? g->ethertypes : 0);
		return r == FP_SG_BASE_ALLOW ? FP_PARSE_OK : FP_DROP_ETHERTYPE_DENIED;
	}
}

/* The address an ARP request or a neighbour solicitation asks for.
 * Returns 1 with ip set, 0 for another ARP/ICMPv6 message or a DAD probe,
 * -1 (and v's drop reason) when it is malformed.
 */
static __always_inline int
solicited_ip(struct xdp_md *ctx, const struct fp_pkt_meta *m, struct fp_ip *ip,
	     struct fp_verdict *v)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 *a;
	int r;

	if (m->ethertype == FP_ETH_P_ARP) {
		r = fp_arp_is_request(data, data_end, m);
		if (r < 0) {
			set_drop(v, FP_DROP_BAD_ARP);
			return -1;
		}
		if (r == 0)
			return 0;
		a = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_arp_hdr));
		if (!a) {
			set_drop(v, FP_DROP_BAD_ARP);
			return -1;
		}
		fp_ip_from_v4(ip->b, a + 24);
		return 1;
	}
	r = fp_xdp_ns_parse(ctx, m, ip);
	if (r < 0)
		set_drop(v, FP_DROP_BAD_ND);
	return r;
}

/* Answer a request solicited_ip() accepted, in place, for mac, and send
 * it back on the ingress port.
 */
static __always_inline int
answer(struct xdp_md *ctx, const struct fp_pkt_meta *m, const struct fp_ip *target, const __u8 *mac,
       struct fp_verdict *v)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 l3_off = m->l3_off, need, len;
	struct fp_ip dst;
	__u8 *ip;

	if (m->ethertype == FP_ETH_P_ARP) {
		if (fp_arp_reply_write(data, data_end, l3_off, mac))
			return set_drop(v, FP_DROP_TRUNC_L3);
		v->kind = FP_XDP_V_ARP;
		return 0;
	}
	ip = fp_pkt_ptr(data, data_end, l3_off, sizeof(struct fp_ipv6_hdr));
	if (!ip)
		return set_drop(v, FP_DROP_TRUNC_L3);
	fp_ip6_copy(dst.b, ip + 8);
	need = l3_off + FP_ND_NA_L3_LEN;
	len = frame_len(ctx);
	if (need != len && bpf_xdp_adjust_tail(ctx, (int)need - (int)len))
		return set_drop(v, FP_DROP_NO_HEADROOM);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (fp_nd_na_write(data, data_end, l3_off, mac, target->b, dst.b))
		return set_drop(v, FP_DROP_NO_HEADROOM);
	v->kind = FP_XDP_V_ND;
	return 0;
}

/* An ICMP error of kind (FP_ICMP_ERR_*) about the frame, from src (a
 * struct fp_ip; NULL: the packet's destination), sent back: the frame
 * becomes the error (kind FP_XDP_V_ICMP, counted as err_stat, the frame a
 * drop for v's reason), or stays a drop when none may be sent: over this
 * CPU's ICMP error rate (icmp_pass(), counted icmp_rate_limited, before
 * anything is built), or when the frame cannot become one.
 */
static __always_inline int
icmp_error(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 kind, __u32 mtu, const __u8 *src,
	   __u32 err_stat, struct fp_verdict *v)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 n, hl, len, off;
	__u8 eth[12], *f;
	int ipv6, sum;

	n = fp_icmp_err_quote(data, data_end, m, kind == FP_ICMP_ERR_TOO_BIG);
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!n || !f)
		return 0;
	if (!icmp_pass()) {
		v->stat = FP_STAT_ICMP_RATE_LIMITED; /* counted besides the drop */
		return 0;
	}
	fp_mac_copy(eth, f);
	fp_mac_copy(eth + 6, f + 6);
	ipv6 = m->ethertype == FP_ETH_P_IPV6;
	hl = ipv6 ? FP_ICMP6_ERR_HDR : FP_ICMP4_ERR_HDR;
	len = frame_len(ctx);
	/* The original IP packet stays where it is: the new headers go in
	 * front of it, and the frame is cut after the quoted part.
	 */
	if (bpf_xdp_adjust_head(ctx, -(int)hl))
		return 0;
	if (FP_ETH_HLEN + hl + n != len + hl &&
	    bpf_xdp_adjust_tail(ctx, (int)(FP_ETH_HLEN + n) - (int)len))
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (fp_icmp_err_write(data, data_end, ipv6, eth, kind, (__u16)mtu, n, src))
		return 0;
	off = FP_ETH_HLEN + (ipv6 ? sizeof(struct fp_ipv6_hdr) : sizeof(struct fp_ipv4_hdr));
	sum = fp_xdp_csum_to_end(ctx, off, 0);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	fp_icmp_err_csum(data, data_end, ipv6, (__u32)sum);
	v->kind = FP_XDP_V_ICMP;
	v->err_stat = err_stat;
	return 0;
}

/* Tell the sender its packet does not fit the tunnel: the frame becomes
 * the ICMP error (sent back), or is dropped when none may be sent.
 */
static __always_inline int
too_big(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 mtu, struct fp_verdict *v)
{
	set_drop(v, FP_DROP_TOO_BIG);
	return icmp_error(ctx, m, FP_ICMP_ERR_TOO_BIG, mtu, NULL, FP_STAT_ICMP_TOO_BIG, v);
}

/* Encapsulate toward vtep vt (its underlay port's cfg), whose tunnel the
 * packet fits, and send it out of that port.
 */
static __always_inline int
encap_to(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 vni, const struct fp_vtep_val *vt,
	 const struct fp_port_cfg *cfg, struct fp_verdict *v)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 hl, len, sum;
	__u16 sport;

	sport = fp_flow_sport(fp_flow_hash(data, data_end, m));
	hl = fp_encap_hdr_len(vt);
	len = frame_len(ctx);
	if (bpf_xdp_adjust_head(ctx, -(int)hl))
		return set_drop(v, FP_DROP_NO_HEADROOM);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (fp_encap_write(data, data_end, vt, cfg->mac, vni, sport, len))
		return set_drop(v, FP_DROP_NO_HEADROOM);
	if (hl == FP_ENCAP_HDR_V6) {
		sum = (__u32)fp_xdp_csum_to_end(ctx, FP_ENCAP_UDP_V6, 0);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		fp_encap_udp6_csum(data, data_end, sum);
	}
	v->kind = FP_XDP_V_ENCAP;
	v->port = vt->underlay_port;
	return 0;
}

/* Encapsulate toward vtep vtep_id and send out of its underlay port. */
static __always_inline int
encap(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 vni, __u32 vtep_id,
      struct fp_verdict *v)
{
	struct fp_port_cfg *cfg;
	struct fp_vtep_val *vt;
	int max;

	max = fp_vtep_get(vtep_id, &vt, &cfg);
	if (max < 0)
		return set_drop(v, FP_DROP_DEST_MISSING);
	if (inner_l3_len(ctx, m) > (__u32)max)
		return too_big(ctx, m, (__u32)max, v);
	return encap_to(ctx, m, vni, vt, cfg, v);
}

/* The distributed router (doc/routing.md "What the XDP engine does"): the
 * semantics of dataplane/route.c for one frame.  fp_xdp_route() decides
 * and rewrites; the frame then re-enters L2 in the egress network in
 * vm_rx() (vm_switch()), as the DPDK pipeline's route_forward() does.
 */
#define RT_DONE (-1)	  /* the verdict is set: a drop, or an ICMP error sent back */
#define RT_REPLY (-2)	  /* an echo request to the router, answered in place */
#define ECHO_REPLY_TTL 64 /* TTL / hop limit of the router's echo replies */

/* The route of (vrf, address ip) in fp_route, longest prefix: an
 * IPv4-mapped address matches IPv4 routes only (the key of
 * fp_xdp_route_key_set() for plen 128, copied in 8-byte words).
 */
static __always_inline struct fp_route_val *
route_lookup(struct fp_xdp_route_key *k, __u32 vrf, const __u8 *ip)
{
	k->prefixlen = FP_XDP_ROUTE_PLEN(128);
	k->vrf = vrf;
	k->family = fp_ip_is_v4(ip) ? FP_XDP_ROUTE_V4 : FP_XDP_ROUTE_V6;
	k->pad = 0;
	fp_ip6_copy(k->ip, ip);
	return bpf_map_lookup_elem(&fp_route, k);
}

/* An ICMP error of kind about the frame from the router's address on the
 * sender's subnet (the connected route of src in vrf); none without one.
 * v's drop reason is set by the caller.  Returns RT_DONE.
 */
static __always_inline int
route_error(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 vrf, const __u8 *src, __u32 kind,
	    __u32 mtu, __u32 err_stat, struct fp_verdict *v)
{
	struct fp_xdp_route_key k;
	struct fp_route_val *in;

	in = route_lookup(&k, vrf, src);
	if (!in || in->type != FP_ROUTE_CONNECTED)
		return RT_DONE;
	icmp_error(ctx, m, kind, mtu, in->addr.b, err_stat, v);
	return RT_DONE;
}

/* An ICMP echo request to the router, answered in place (addresses and
 * MACs swapped, TTL 64, checksums computed again).  Returns 1, or 0 if
 * it is something else (the caller drops it as to_router).
 */
static __always_inline int
echo_reply(struct xdp_md *ctx, const struct fp_pkt_meta *m, int v4)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 l4_off = m->l4_off, l4_len = m->l4_len, hlen, sum;
	__u8 *f, *ip, *icmp, tmp[16];
	__u64 acc;

	if (!(m->flags & FP_META_F_L4) || (m->flags & FP_META_F_FRAG) || l4_len < 8)
		return 0;
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	icmp = fp_pkt_ptr(data, data_end, l4_off, 8);
	if (!f || !icmp)
		return 0;
	if (v4) {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
		if (!ip || m->l4_proto != FP_IPPROTO_ICMP || icmp[0] != FP_ICMP_ECHO_REQUEST ||
		    icmp[1] != 0)
			return 0;
		*(__u32 *)tmp = *(__u32 *)(ip + 12);
		*(__u32 *)(ip + 12) = *(__u32 *)(ip + 16);
		*(__u32 *)(ip + 16) = *(__u32 *)tmp;
		ip[8] = ECHO_REPLY_TTL;
		*(__u16 *)(ip + 10) = 0;
		hlen = (ip[0] & 0xf) * 4;
		acc = fp_csum_ip4_hdr(ip) + fp_ip4_opt_sum(data_end, ip, hlen);
		*(__u16 *)(ip + 10) = fp_csum_finish(acc);
		icmp[0] = FP_ICMP_ECHO_REPLY;
		*(__u16 *)(icmp + 2) = 0;
	} else {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
		if (!ip || m->l4_proto != FP_IPPROTO_ICMPV6 || icmp[0] != FP_ICMP6_ECHO_REQUEST ||
		    icmp[1] != 0)
			return 0;
		fp_ip6_copy(tmp, ip + 8);
		fp_ip6_copy(ip + 8, ip + 24);
		fp_ip6_copy(ip + 24, tmp);
		ip[7] = ECHO_REPLY_TTL;
		icmp[0] = FP_ICMP6_ECHO_REPLY;
		*(__u16 *)(icmp + 2) = 0;
	}
	fp_mac_copy(tmp, f);
	fp_mac_copy(f, f + 6);
	fp_mac_copy(f + 6, tmp);
	/* The ICMP checksum over the message (l4_len bytes: not over any
	 * padding after the IP packet), as dataplane/route.c computes it.
	 */
	sum = (__u32)fp_xdp_csum_span(ctx, l4_off, l4_off + l4_len, 0);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
	icmp = fp_pkt_ptr(data, data_end, l4_off, 8);
	if (!icmp)
		return 0;
	acc = sum;
	if (!v4) {
		if (!ip)
			return 0;
		acc += fp_csum_ip6_pseudo(ip + 8, ip + 24, l4_len, FP_IPPROTO_ICMPV6);
	}
	*(__u16 *)(icmp + 2) = fp_csum_finish(acc);
	return 1;
}

/* Route the frame a VM port sent to the MAC of router vrf: the route step
 * of dataplane/route.c (doc/routing.md).  Returns RT_DONE (v says what
 * happened), RT_REPLY, or the egress network id: the frame is rewritten
 * (TTL, MACs) and v->rt_* hold the egress fdb result of its new
 * destination MAC.
 */
__noinline int
fp_xdp_route(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 vrf)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct fp_xdp_route_key rk;
	struct fp_neigh_key nk = {};
	struct fp_fdb_key fk = {};
	struct fp_port_cfg *cfg = NULL;
	struct fp_route_val *rt;
	struct fp_neigh_val *n;
	struct fp_vtep_val *vt = NULL;
	struct fp_fdb_val *fv;
	__u32 zero = 0, d, ttl, l3len, type, vni, sum, kind, stat, mtu = 0, tun = 0;
	__u8 src[16], *f, *ip, *dst;
	struct fp_verdict *v;
	int v4, max;

	v = bpf_map_lookup_elem(&fp_verdict_map, &zero);
	if (!v)
		return RT_DONE;
	set_drop(v, FP_DROP_TO_ROUTER);
	if (!m)
		return RT_DONE;
	if (m->ethertype == FP_ETH_P_IPV4) {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
		if (!ip)
			return RT_DONE;
		/* Multicast, broadcast, class E, 0/8 and 127/8 are not routed
		 * (RFC 1812 5.3.7), and draw no ICMP error.
		 */
		d = fp_ld32(ip + 16);
		if (d >= 0xe0000000U || (d >> 24) == 0 || (d >> 24) == 127)
			return RT_DONE;
		v4 = 1;
		ttl = ip[8];
		fp_ip_from_v4(src, ip + 12);
		fp_ip_from_v4(rk.ip, ip + 16);
	} else if (m->ethertype == FP_ETH_P_IPV6) {
		ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv6_hdr));
		if (!ip)
			return RT_DONE;
		/* Link-local, multicast, IPv4-mapped (they would match the IPv4
		 * routes), unspecified and loopback destinations are not routed.
		 */
		dst = ip + 24;
		if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
		    fp_ip_is_v4(dst) ||
		    (*(__u64 *)dst == 0 && *(__u32 *)(dst + 8) == 0 && *(__u16 *)(dst + 12) == 0 &&
		     dst[14] == 0 && dst[15] <= 1))
			return RT_DONE;
		v4 = 0;
		ttl = ip[7];
		fp_ip6_copy(src, ip + 8);
		fp_ip6_copy(rk.ip, dst);
	} else {
		return RT_DONE;
	}
	/* rk.ip: the destination, which route_lookup() copies over itself. */
	rt = route_lookup(&rk, vrf, rk.ip);
	if (!rt) {
		set_drop(v, FP_DROP_NO_ROUTE);
		kind = FP_ICMP_ERR_NET_UNREACH;
		stat = FP_STAT_ICMP_UNREACH;
		goto error;
	}
	type = rt->type;
	if (type == FP_ROUTE_LOCAL) {
		/* The router's own address: answered whatever the TTL. */
		if (!echo_reply(ctx, m, v4))
			return RT_DONE;
		v->stat = FP_STAT_ICMP_ECHO_REPLY;
		return RT_REPLY;
	}
	if (type == FP_ROUTE_CONNECTED) {
		fp_ip6_copy(nk.ip.b, rk.ip);
	} else if (type == FP_ROUTE_NEXTHOP) {
		fp_ip6_copy(nk.ip.b, rt->addr.b);
	} else {
		set_drop(v, FP_DROP_NO_ROUTE);
		return RT_DONE;
	}
	if (ttl <= 1) {
		set_drop(v, FP_DROP_TTL_EXCEEDED);
		kind = FP_ICMP_ERR_TIME;
		stat = FP_STAT_ICMP_TIME_EXCEEDED;
		goto error;
	}
	l3len = inner_l3_len(ctx, m);
	if (l3len > rt->mtu) {
		set_drop(v, FP_DROP_TOO_BIG);
		kind = FP_ICMP_ERR_TOO_BIG;
		stat = FP_STAT_ICMP_TOO_BIG;
		mtu = rt->mtu;
		goto error;
	}
	/* The next hop in the egress network's neigh table (keyed by its id,
	 * as the ports' vrf).
	 */
	vni = rt->vni;
	nk.vrf = vni;
	n = bpf_map_lookup_elem(&fp_neigh, &nk);
	if (!n || n->vni != vni) {
		set_drop(v, FP_DROP_NEIGH_MISSING);
		return RT_DONE;
	}
	fk.vni = vni;
	fp_mac_copy(fk.mac, n->mac);
	fv = bpf_map_lookup_elem(&fp_fdb, &fk);
	v->rt_hit = fv != NULL;
	v->rt_type = fv ? fv->type : 0;
	v->rt_id = fv ? fv->id : 0;
	/* Toward a vtep, the tunnel may carry less than the route's MTU: the
	 * error leaves now, from the router's address, before any rewrite.
	 */
	if (fv && fv->type == FP_DEST_VTEP) {
		max = fp_vtep_get(fv->id, &vt, &cfg);
		tun = max >= 0;
		if (max >= 0 && l3len > (__u32)max) {
			set_drop(v, FP_DROP_TOO_BIG);
			kind = FP_ICMP_ERR_TOO_BIG;
			stat = FP_STAT_ICMP_TOO_BIG;
			mtu = (__u32)max;
			goto error;
		}
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	ip = fp_pkt_ptr(data, data_end, m->l3_off, sizeof(struct fp_ipv4_hdr));
	if (!f || !ip)
		return RT_DONE;
	if (v4) {
		/* HC' = ~(~HC + ~m + m'), m the 16-bit word of TTL and
		 * protocol (RFC 1624).
		 */
		sum = (__u16)~fp_ld16(ip + 10);
		sum += (__u16)~fp_ld16(ip + 8);
		ip[8]--;
		sum += fp_ld16(ip + 8);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		fp_st16(ip + 10, (__u16)~sum);
	} else {
		ip[7]--;
	}
	fp_mac_copy(f, n->mac);
	fp_mac_copy(f + 6, rt->mac);
	v->stat = FP_STAT_ROUTED;
	if (tun && vt && cfg) {
		/* Toward a vtep: encapsulated here with the vtep found for the
		 * MTU check (one lookup less than vm_switch()'s encap()).
		 */
		trace_fdb_res(vni, 1, FP_DEST_VTEP, v->rt_id);
		encap_to(ctx, m, vni, vt, cfg, v);
		return RT_DONE;
	}
	return (int)vni;
error:
	/* From the router's address on the sender's subnet: the connected
	 * route of the source; none without one.
	 */
	return route_error(ctx, m, vrf, src, kind, mtu, stat, v);
}

/* Switch a unicast frame from VM port in_port in vni, whose destination
 * MAC the fdb found (hit: type, id) or not: to a local port, a vtep, or a
 * flood; anything else (a router's MAC after routing: one routing step a
 * packet) is dest_unsupported.
 */
static __always_inline int
vm_switch(struct xdp_md *ctx, const struct fp_pkt_meta *m, __u32 vni, __u32 in_port, __u32 hit,
	  __u32 type, __u32 id, struct fp_verdict *v)
{
	if (!hit)
		return flood(ctx, v, vni, in_port, 1, inner_l3_len(ctx, m));
	switch (type) {
	case FP_DEST_PORT:
		if (id == in_port)
			return set_drop(v, FP_DROP_HAIRPIN);
		return deliver_local(ctx, v, vni, id);
	case FP_DEST_VTEP:
		return encap(ctx, m, vni, id, v);
	default:
		return set_drop(v, FP_DROP_DEST_UNSUPPORTED);
	}
}

/* Is the frame an ARP message or a neighbour solicitation (to a router's
 * MAC: a VM refreshing its gateway, answered from the neigh table)?
 */
static __always_inline int
neigh_request(struct xdp_md *ctx, const struct fp_pkt_meta *m)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 *icmp;

	if (m->ethertype == FP_ETH_P_ARP)
		return 1;
	if (m->ethertype != FP_ETH_P_IPV6 || m->l4_proto != FP_IPPROTO_ICMPV6 ||
	    !(m->flags & FP_META_F_L4))
		return 0;
	icmp = fp_pkt_ptr(data, data_end, m->l4_off, 1);
	return icmp && icmp[0] == FP_ICMP6_NS;
}

/* A frame from VM port in_port (its entry pt). */
static __always_inline int
vm_rx(struct xdp_md *ctx, __u32 in_port, const struct fp_port_val *pt, struct fp_verdict *v)
{
	void *data, *data_end;
	struct fp_neigh_key nk = {};
	struct fp_fdb_key fk = {};
	struct fp_pkt_meta m = {};
	struct fp_neigh_val *n;
	struct fp_fdb_val *fv;
	struct fp_ip ip = {};
	__u32 r, vni, hit, type, id, router = 0;
	__u8 mac[6], *f;
	int s;

	vni = pt->vni;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	r = fp_parse_frame(data, data_end, 0, &m);
	if (r == FP_PARSE_OK && m.n_vlans)
		r = FP_DROP_VLAN_DENIED;
	if (r == FP_PARSE_OK)
		r = check_source(data, data_end, pt, &m);
	if (r == FP_PARSE_OK && (pt->flags & FP_PORT_F_SG)) {
		r = sg_step(ctx, in_port, pt->ruleset, FP_SG_DIR_EGRESS);
		if (r == FP_DROP_MAX)
			r = FP_PARSE_OK;
	}
	if (r != FP_PARSE_OK)
		return set_drop(v, r);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!f)
		return set_drop(v, FP_DROP_TRUNC_L2);
	if (!(f[0] & 1)) {
		/* Unicast: FDB (port's VNI, destination MAC). */
		fk.vni = vni;
		fp_mac_copy(fk.mac, f);
		fv = bpf_map_lookup_elem(&fp_fdb, &fk);
		trace_fdb(vni, fv);
		hit = fv != NULL;
		type = fv ? fv->type : 0;
		id = fv ? fv->id : 0;
		if (hit && type == FP_DEST_ROUTER) {
			/* A router's MAC: ARP and NS answered below, the rest
			 * routed into the egress network.
			 */
			router = neigh_request(ctx, &m);
			if (!router) {
				s = fp_xdp_route(ctx, &m, id);
				if (s == RT_REPLY)
					return deliver_local(ctx, v, vni, in_port);
				if (s < 0)
					return 0;
				vni = (__u32)s;
				hit = v->rt_hit;
				type = v->rt_type;
				id = v->rt_id;
				trace_fdb_res(vni, hit, type, id);
			}
		}
		if (!router)
			return vm_switch(ctx, &m, vni, in_port, hit, type, id, v);
	} else if (m.ethertype != FP_ETH_P_ARP &&
		   !(m.l4_proto == FP_IPPROTO_ICMPV6 && m.ethertype == FP_ETH_P_IPV6)) {
		return flood(ctx, v, vni, in_port, 1, inner_l3_len(ctx, &m));
	}
	/* ARP request or neighbour solicitation for a known neighbour in
	 * the same VNI: answered.  The rest floods, or to a router's MAC is
	 * to_router.  (The gateway's neigh entry lives in the port's network,
	 * keyed by the port's vrf, as broadcast requests find it.)
	 */
	s = solicited_ip(ctx, &m, &ip, v);
	if (s < 0)
		return 0;
	if (s == 0)
		return router ? set_drop(v, FP_DROP_TO_ROUTER) :
				flood(ctx, v, vni, in_port, 1, inner_l3_len(ctx, &m));
	nk.vrf = pt->vrf;
	nk.ip = ip;
	n = bpf_map_lookup_elem(&fp_neigh, &nk);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!f)
		return set_drop(v, FP_DROP_TRUNC_L2);
	if (!n || n->vni != vni || fp_mac_eq(n->mac, f + 6))
		return router ? set_drop(v, FP_DROP_TO_ROUTER) :
				flood(ctx, v, vni, in_port, 1, inner_l3_len(ctx, &m));
	fp_mac_copy(mac, n->mac);
	return answer(ctx, &m, &ip, mac, v);
}

/* ARP or NS on the underlay for one of our VTEP addresses: answered with
 * the port's MAC; anything else is not for us.
 */
static __always_inline int
underlay_respond(struct xdp_md *ctx, const struct fp_pkt_meta *m, const __u8 *port_mac,
		 struct fp_verdict *v)
{
	struct fp_ip ip = {};
	__u8 mac[6];
	int r;

	r = solicited_ip(ctx, m, &ip, v);
	if (r < 0)
		return 0;
	if (r == 0 || !local_vtep(ip.b))
		return set_drop(v, FP_DROP_UNDERLAY_NOT_TUNNEL);
	fp_mac_copy(mac, port_mac);
	return answer(ctx, m, &ip, mac, v);
}

/* Is the inner source MAC mac of a frame vtep src sent in vni placed
 * elsewhere by fp_fdb: at a local port, or at a vtep with another
 * address?  A router's MAC is not (it is every host's).
 */
static __always_inline int
inner_src_spoofed(__u32 vni, const __u8 *mac, const struct fp_ip *src)
{
	struct fp_fdb_key k = { .vni = vni };
	struct fp_vtep_key vk = {};
	struct fp_vtep_val *vt;
	struct fp_fdb_val *fv;

	fp_mac_copy(k.mac, mac);
	fv = bpf_map_lookup_elem(&fp_fdb, &k);
	if (!fv)
		return 0;
	/* A distributed router has one MAC on every host: a packet another
	 * host routed carries it as its source (doc/routing.md).
	 */
	if (fv->type == FP_DEST_ROUTER)
		return 0;
	if (fv->type != FP_DEST_VTEP)
		return 1;
	vk.vtep_id = fv->id;
	vt = bpf_map_lookup_elem(&fp_vtep, &vk);
	return vt && !fp_ip6_eq(vt->remote.b, src->b);
}

/* A frame from underlay port in_port (its entry pt). */
static __always_inline int
underlay_rx(struct xdp_md *ctx, __u32 in_port, const struct fp_port_val *pt, struct fp_verdict *v)
{
	struct fp_tunnel_meta tm = {};
	struct fp_pkt_meta m = {};
	struct fp_fdb_key k = {};
	void *data, *data_end;
	struct fp_vtep_src_key sk = {};
	struct fp_guard_cfg *g;
	struct fp_fdb_val *fv;
	struct fp_ip dst = {};
	__u32 r, len, type, id, zero = 0;
	__u8 *f, *ip;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	r = fp_parse_frame(data, data_end, FP_PARSE_F_IP_CSUM, &m);
	if (r != FP_PARSE_OK)
		return set_drop(v, r);
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!f)
		return set_drop(v, FP_DROP_TRUNC_L2);
	if (m.ethertype == FP_ETH_P_ARP ||
	    (m.ethertype == FP_ETH_P_IPV6 && m.l4_proto == FP_IPPROTO_ICMPV6 && (f[0] & 1)))
		return underlay_respond(ctx, &m, pt->mac, v);
	if (!fp_mac_eq(f, pt->mac))
		return set_drop(v, FP_DROP_NOT_OUR_MAC);
	if (m.ethertype == FP_ETH_P_IPV4) {
		ip = fp_pkt_ptr(data, data_end, m.l3_off, sizeof(struct fp_ipv4_hdr));
		if (!ip)
			return set_drop(v, FP_DROP_TRUNC_L3);
		fp_ip_from_v4(dst.b, ip + 16);
		fp_ip_from_v4(sk.ip.b, ip + 12);
	} else if (m.ethertype == FP_ETH_P_IPV6) {
		ip = fp_pkt_ptr(data, data_end, m.l3_off, sizeof(struct fp_ipv6_hdr));
		if (!ip)
			return set_drop(v, FP_DROP_TRUNC_L3);
		fp_ip6_copy(dst.b, ip + 24);
		fp_ip6_copy(sk.ip.b, ip + 8);
	} else {
		return set_drop(v, FP_DROP_UNDERLAY_NOT_TUNNEL);
	}
	if (!local_vtep(dst.b))
		return set_drop(v, FP_DROP_NOT_LOCAL_VTEP);
	if (m.flags & FP_META_F_FRAG)
		return set_drop(v, FP_DROP_UNDERLAY_FRAG);
	r = fp_parse_tunnel(data, data_end, &m, &tm);
	if (r != FP_PARSE_OK)
		return set_drop(v, r);
	if (!vni_served(tm.vni))
		return set_drop(v, FP_DROP_UNKNOWN_VNI);
	/* The underlay guard (fp_guard): only a vtep serving the VNI. */
	g = bpf_map_lookup_elem(&fp_guard, &zero);
	sk.vni = tm.vni;
	if (g && g->strict_source && !bpf_map_lookup_elem(&fp_vtep_src, &sk))
		return set_drop(v, FP_DROP_VTEP_NOT_SERVING);
	/* Strip the outer headers and any bytes after the UDP datagram. */
	len = frame_len(ctx);
	if (bpf_xdp_adjust_head(ctx, tm.inner_off))
		return set_drop(v, FP_DROP_TRUNC_L2);
	if (tm.udp_end != len && bpf_xdp_adjust_tail(ctx, (int)tm.udp_end - (int)len))
		return set_drop(v, FP_DROP_TRUNC_L2);
	v->decap = 1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	f = fp_pkt_ptr(data, data_end, 0, FP_ETH_HLEN);
	if (!f)
		return set_drop(v, FP_DROP_TRUNC_L2);
	if (f[6] & 1)
		return set_drop(v, FP_DROP_BAD_SRC_MAC);
	g = bpf_map_lookup_elem(&fp_guard, &zero);
	if (g && g->inner_src_mac && inner_src_spoofed(tm.vni, f + 6, &sk.ip))
		return set_drop(v, FP_DROP_INNER_SPOOF);
	if (f[0] & 1)
		return flood(ctx, v, tm.vni, in_port, 0, 0);
	k.vni = tm.vni;
	fp_mac_copy(k.mac, f);
	fv = bpf_map_lookup_elem(&fp_fdb, &k);
	trace_fdb(tm.vni, fv);
	if (!fv)
		return flood(ctx, v, tm.vni, in_port, 0, 0);
	type = fv->type;
	id = fv->id;
	if (type == FP_DEST_PORT)
		return deliver_local(ctx, v, tm.vni, id);
	if (type == FP_DEST_VTEP)
		return set_drop(v, FP_DROP_HAIRPIN);
	return set_drop(v, FP_DROP_DEST_UNSUPPORTED);
}

/* Pass a frame to flood up to the tc program, with what it needs. */
static __always_inline int
pass_to_flood(struct xdp_md *ctx, const struct fp_verdict *v, __u32 in_port)
{
	struct fp_xdp_meta *meta;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return -1;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return -1;
	meta->magic = FP_XDP_META_MAGIC;
	meta->vni = v->vni;
	meta->in_port = in_port;
	meta->flags = v->from_vm ? FP_XDP_META_F_FROM_VM : 0;
	meta->copies = (__u16)v->copies;
	meta->encaps = (__u16)v->encaps;
	/* GRO (after XDP_PASS, before tc) merges frames of one flow whose
	 * metadata is the same: the tc program would get one frame too big
	 * for any tunnel in place of several, while this program counted
	 * each.  A random word keeps each flood a frame of its own.
	 */
	meta->nonce = bpf_get_prandom_u32();
	meta->sg_refused = v->refused;
	return 0;
}

SEC("xdp")
int
fp_xdp_rx(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, in_port = FP_PORT_MAX, zero = 0, slot_key;
	__u32 act, out_port, drop = FP_DROP_MAX, st;
	struct fp_ifslot *slot, s = {};
	struct fp_verdict *v;
	struct fp_port_val *pt;
	struct fp_counters *c;
	struct fp_trace *t;
	__u32 *pid;

	v = bpf_map_lookup_elem(&fp_verdict_map, &zero);
	if (!v)
		return XDP_DROP;
	__builtin_memset(v, 0, sizeof(*v));
	v->kind = FP_XDP_V_DROP;
	v->drop = FP_DROP_PORT_UNCONFIGURED;
	if (fp_trace_on) {
		t = bpf_map_lookup_elem(&fp_trace_map, &zero);
		if (t) {
			t->vni = 0;
			t->fdb = FP_XDP_TRACE_FDB_NONE;
			t->fdb_type = 0;
			t->fdb_id = 0;
		}
	}
	slot_key = FP_XDP_IFSLOT(ifindex);
	slot = bpf_map_lookup_elem(&fp_ifslot, &slot_key);
	if (slot) {
		/* One load: see struct fp_ifslot. */
		__u64 w = *(volatile const __u64 *)slot;

		__builtin_memcpy(&s, &w, sizeof(s));
	}
	if (s.ifindex != 0 && s.ifindex == ifindex) {
		in_port = s.port;
	} else {
		pid = bpf_map_lookup_elem(&fp_ifport, &ifindex);
		if (pid)
			in_port = *pid;
	}
	if (in_port < FP_PORT_MAX) {
		pt = bpf_map_lookup_elem(&fp_port, &in_port);
		if (pt && pt->role == FP_PORT_ROLE_VM)
			vm_rx(ctx, in_port, pt, v);
		else if (pt && pt->role != FP_PORT_ROLE_NONE)
			underlay_rx(ctx, in_port, pt, v);
	}

	/* Act. */
	out_port = in_port;
	switch (v->kind) {
	case FP_XDP_V_LOCAL:
	case FP_XDP_V_ENCAP:
		out_port = v->port;
		if (v->kind == FP_XDP_V_LOCAL && v->port == in_port) {
			/* The router's echo reply, back to its sender. */
			act = XDP_TX;
			break;
		}
		act = (__u32)bpf_redirect_map(&fp_tx, v->port, 0);
		if (act != XDP_REDIRECT) {
			/* The port has no device: nowhere to send it. */
			v->kind = FP_XDP_V_DROP;
			v->drop = FP_DROP_DEST_MISSING;
			act = XDP_DROP;
		}
		break;
	case FP_XDP_V_ARP:
	case FP_XDP_V_ND:
		act = XDP_TX;
		break;
	case FP_XDP_V_ICMP:
		act = XDP_TX;
		drop = v->drop < FP_DROP_MAX ? v->drop : FP_DROP_TOO_BIG;
		break;
	case FP_XDP_V_FLOOD:
		out_port = FP_PORT_MAX;
		act = XDP_PASS;
		if (pass_to_flood(ctx, v, in_port)) {
			v->kind = FP_XDP_V_DROP;
			v->drop = FP_DROP_NO_HEADROOM;
			act = XDP_DROP;
		}
		break;
	default:
		v->kind = FP_XDP_V_DROP;
		act = XDP_DROP;
		break;
	}
	if (v->kind == FP_XDP_V_DROP) {
		drop = v->drop < FP_DROP_MAX ? v->drop : FP_DROP_PORT_UNCONFIGURED;
		out_port = FP_PORT_MAX;
	}

	/* Count, as the pipeline does: rx == tx + drop + punt. */
	c = bpf_map_lookup_elem(&fp_counters, &zero);
	if (c) {
		c->n[FP_STAT_RX]++;
		if (v->decap)
			c->n[FP_STAT_DECAP]++;
		st = v->stat; /* routed, icmp_echo_reply, icmp_rate_limited; 0: none */
		if (st < FP_STAT_MAX)
			c->n[st] += st != 0;
		switch (v->kind) {
		case FP_XDP_V_LOCAL:
			c->n[FP_STAT_LOCAL]++;
			c->n[FP_STAT_TX]++;
			break;
		case FP_XDP_V_ENCAP:
			c->n[FP_STAT_ENCAP]++;
			c->n[FP_STAT_TX]++;
			break;
		case FP_XDP_V_ARP:
			c->n[FP_STAT_ARP_REPLY]++;
			c->n[FP_STAT_TX]++;
			break;
		case FP_XDP_V_ND:
			c->n[FP_STAT_ND_REPLY]++;
			c->n[FP_STAT_TX]++;
			break;
		case FP_XDP_V_FLOOD:
			c->n[FP_STAT_FLOOD]++;
			c->n[FP_STAT_TX]++;
			c->n[FP_STAT_FLOOD_COPY] += v->copies;
			c->n[FP_STAT_ENCAP] += v->encaps;
			break;
		case FP_XDP_V_ICMP:
			if (v->err_stat < FP_STAT_MAX)
				c->n[v->err_stat]++;
			c->n[FP_STAT_DROP]++;
			if (drop < FP_DROP_MAX)
				c->drop[drop]++;
			break;
		default:
			c->n[FP_STAT_DROP]++;
			if (drop < FP_DROP_MAX)
				c->drop[drop]++;
			break;
		}
	}

	if (fp_trace_on) {
		t = bpf_map_lookup_elem(&fp_trace_map, &zero);
		if (t) {
			t->verdict = act;
			t->out_port = out_port;
			t->drop = drop;
			t->kind = v->kind;
			t->in_port = in_port;
			if (v->vni)
				t->vni = v->vni;
			t->copies = v->copies;
			t->encaps = v->encaps;
			t->decap = v->decap;
		}
	}
	return (int)act;
}
