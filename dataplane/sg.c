/* SPDX-License-Identifier: BSD-3-Clause */
#include "sg.h"

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>

#include "ct.h"

#define ETH_HLEN 14
#define UPDATE_TRIES 8		       /* fp_ct_update() races lost before giving up */
#define TRACKED_GONE (FP_DROP_MAX + 1) /* tracked(): the entry went meanwhile */

static void
ip_v4(struct fp_ip *ip, const uint8_t *v4)
{
	memset(ip->b, 0, 10);
	ip->b[10] = 0xff;
	ip->b[11] = 0xff;
	memcpy(ip->b + 12, v4, 4);
}

/* The L3 header at b (len bytes; quote: a quoted packet, lengths not
 * checked against len).  Fills p's addresses, protocol and fragment, and
 * *l4 / *l4_len (0 for a later fragment).  0, or -1 if malformed.  The
 * decoding is sg.h's, shared with the XDP program (fp_sg.bpf.h
 * fp_sg_parse_l3()); the walk is each engine's: here len bounds every
 * read, there each read is a pointer checked against data_end.
 */
static int
parse_l3(const uint8_t *b, uint32_t len, int quote, struct fp_sg_pkt *p, uint32_t *l4,
	 uint32_t *l4_len)
{
	struct fp_sg_l3 x = { 0 };
	uint32_t i;
	int r;

	r = fp_sg_l3_start(len >= 20 ? b : NULL, len >= 40 ? b : NULL, len, (uint32_t)quote, p, &x);
	if (r < 0)
		return -1;
	if (r == 4) {
		ip_v4(&p->src, b + 12);
		ip_v4(&p->dst, b + 16);
	} else {
		memcpy(p->src.b, b + 8, 16);
		memcpy(p->dst.b, b + 24, 16);
		for (i = 0; i < FP_SG_EXT_MAX; i++) {
			r = fp_sg_l3_ext(&x);
			if (r > 0)
				r = fp_sg_l3_ext_step(&x, b + x.cur);
			if (r <= 0)
				break;
		}
		if (r < 0 || (i == FP_SG_EXT_MAX && fp_sg_l3_ext(&x) != 0))
			return -1;
	}
	fp_sg_l3_end(&x, p);
	*l4 = x.cur;
	*l4_len = x.tot - x.cur;
	return 0;
}

/* The L4 header at b (len bytes): sg.h's fp_sg_l4_decode().  quote: only
 * the first 8 bytes are there.  Sets *quote_off for an ICMP error.
 */
static int
parse_l4(const uint8_t *b, uint32_t len, int quote, struct fp_sg_pkt *p, uint32_t *quote_off)
{
	return fp_sg_l4_decode(len >= 8 ? b : NULL, len >= 20 ? b : NULL, len, (uint32_t)quote, p,
			       quote_off);
}

int
fp_sg_parse(const uint8_t *f, uint32_t len, struct fp_sg_pkt *p, struct fp_sg_parse_info *info)
{
	uint32_t et, l4 = 0, l4_len = 0, qoff = 0;

	memset(p, 0, sizeof(*p));
	info->quote_off = 0;
	info->quote_len = 0;
	if (len < ETH_HLEN)
		return FP_SG_PARSE_BAD;
	et = fp_sg_get16(f + 12);
	if (et == 0x8100 || et == 0x88a8)
		return FP_SG_PARSE_BAD;
	if (et == 0x0800)
		p->family = 4;
	else if (et == 0x86dd)
		p->family = 6;
	else
		return FP_SG_PARSE_NOT_IP;
	if (parse_l3(f + ETH_HLEN, len - ETH_HLEN, 0, p, &l4, &l4_len) < 0)
		return FP_SG_PARSE_BAD;
	if (parse_l4(f + ETH_HLEN + l4, l4_len, 0, p, &qoff) < 0)
		return FP_SG_PARSE_BAD;
	if (qoff) {
		info->quote_off = ETH_HLEN + l4 + qoff;
		info->quote_len = l4_len - qoff;
	}
	return FP_SG_PARSE_IP;
}

int
fp_sg_parse_quote(const uint8_t *b, uint32_t len, uint32_t family, struct fp_sg_pkt *p)
{
	uint32_t l4 = 0, l4_len = 0, qoff = 0;

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	if (parse_l3(b, len, 1, p, &l4, &l4_len) < 0 || p->frag == FP_SG_FRAG_LATER)
		return -1;
	return parse_l4(b + l4, l4_len, 1, p, &qoff);
}

uint32_t
fp_sg_ethertype_check(const struct fp_ftables *t, uint32_t et, uint32_t dir)
{
	uint16_t permitted[FP_GUARD_ETHERTYPE_MAX];
	uint32_t i, r;

	for (i = 0; i < FP_GUARD_ETHERTYPE_MAX; i++)
		permitted[i] = __atomic_load_n(&t->guard.ethertypes[i], __ATOMIC_RELAXED);
	r = fp_sg_ethertype(et, dir, permitted);
	return r == FP_SG_BASE_ALLOW || r == FP_SG_BASE_RULES ? FP_DROP_MAX : r;
}

static const char *const what_str[FP_SG_WHAT_MAX] = {
#define WHAT_STR(id, text) [FP_SG_WHAT_##id] = text,
	FP_FOREACH_SG_WHAT(WHAT_STR)
#undef WHAT_STR
};

const char *
fp_sg_what_str(uint32_t what)
{
	return what < FP_SG_WHAT_MAX ? what_str[what] : "?";
}

/* The first rule of rs that allows p going dir: its id, or 0. */
static uint32_t
rules_match(const struct fp_ftables *t, const struct fp_ruleset_val *rs, const struct fp_sg_pkt *p,
	    uint32_t dir)
{
	uint32_t i, n = rs->n_rules < FP_SG_RULE_MAX ? rs->n_rules : FP_SG_RULE_MAX;

	for (i = 0; i < n; i++) {
		const struct fp_sg_rule *r = &rs->rules[i];
		uint32_t m = fp_sg_rule_match(r, p, dir);

		if (m == FP_SG_MATCH_YES ||
		    (m == FP_SG_MATCH_ADDRSET &&
		     fp_ftables_addrset_has(t, r->addrset, fp_sg_remote(p, dir))))
			return r->rule_id;
	}
	return 0;
}

/* The packet that opened the connection of key k (flags of its entry):
 * sg.h's fp_ct_opener(), which the XDP program calls too.
 */
static inline void
opener(const struct fp_ct_key *k, uint32_t flags, struct fp_sg_pkt *p)
{
	fp_ct_opener(k, flags, p);
}

static uint32_t
decide(struct fp_sg_result *res, uint32_t what, uint32_t drop)
{
	res->what = what;
	res->drop = drop;
	return drop;
}

/* The bit of key k in struct fp_sg_burst's filter: a fold of its words
 * (read as words: fp_ct_key_make() wrote it so).
 */
static inline uint32_t
key_bit(const struct fp_ct_key *k)
{
	uint64_t w[5];

	memcpy(w, k, sizeof(w));
	return (uint32_t)(((w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4]) * 0x9e3779b97f4a7c15ULL) >> 56);
}

/* This burst is about to change the connection of key k. */
static inline void
burst_written(struct fp_sg_burst *b, const struct fp_ct_key *k)
{
	uint32_t bit = key_bit(k);

	b->written[bit >> 6] |= 1ULL << (bit & 63);
}

/* May this burst have changed the connection of key k? */
static inline int
burst_touched(const struct fp_sg_burst *b, const struct fp_ct_key *k)
{
	uint32_t bit;

	if ((b->written[0] | b->written[1] | b->written[2] | b->written[3]) == 0)
		return 0;
	bit = key_bit(k);
	return (b->written[bit >> 6] >> (bit & 63)) & 1;
}

/* A packet of the tracked connection ref (the key k, p went a->b when
 * a_first): revalidate if the generation moved, then move its state.
 * Returns the decision (FP_DROP_*, FP_DROP_MAX: passes) or TRACKED_GONE.
 */
static uint32_t
tracked(const struct fp_ftables *t, const struct fp_dp_port *pt, const struct fp_sg_pkt *p,
	int a_first, struct fp_ct_ref *ref, const struct fp_ct_key *k, uint64_t now_ns,
	uint64_t gen, int dry, struct fp_sg_burst *b, struct fp_sg_result *res)
{
	uint32_t tries;

	for (tries = 0; tries < UPDATE_TRIES; tries++) {
		/* The entry's fields in registers: comparing them with a
		 * struct built by narrow stores would stall the loads.
		 */
		uint32_t state = ref->val.state, flags = ref->val.flags;
		uint32_t ngen = ref->val.gen, nrule = ref->val.rule_id;
		uint32_t reply = a_first != ((flags & FP_CT_F_ORIG_A) != 0);
		uint32_t next, nstate, nflags, what = FP_SG_WHAT_HIT;
		struct fp_ct_val nv;
		int rc;

		res->stat[1] = FP_STAT_MAX;
		if (ngen != (uint32_t)gen) {
			struct fp_sg_pkt o;
			uint32_t odir = (flags & FP_CT_F_ORIG_EGRESS) ? FP_SG_DIR_EGRESS :
									FP_SG_DIR_INGRESS;
			const struct fp_ruleset_val *rs = fp_ftables_ruleset(t, pt->v.ruleset,
									     odir);
			uint32_t rule = 0;

			opener(k, flags, &o);
			if (rs != NULL)
				rule = rules_match(t, rs, &o, odir);
			if (rule == 0) {
				if (!dry) {
					burst_written(b, k);
					fp_ct_remove(t->ct, ref);
				}
				res->rule_id = nrule;
				return decide(res, FP_SG_WHAT_REVOKED, FP_DROP_CT_REVOKED);
			}
			ngen = (uint32_t)gen;
			nrule = rule;
			what = FP_SG_WHAT_REVALIDATED;
		}
		res->rule_id = nrule;
		next = fp_ct_next(state, reply, p);
		if (next == FP_CT_MOVE_INVALID) {
			res->state = state;
			return decide(res, FP_SG_WHAT_BAD_MOVE, FP_DROP_CT_INVALID);
		}
		nstate = next != FP_CT_MOVE_IGNORE ? next : state;
		nflags = reply ? flags | FP_CT_F_REPLIED : flags;
		res->state = nstate;
		res->stat[0] = FP_STAT_CT_HIT;
		if (what == FP_SG_WHAT_REVALIDATED)
			res->stat[1] = FP_STAT_CT_REVALIDATED;
		if (dry)
			return decide(res, what, FP_DROP_MAX);
		nv = ref->val;
		if (nstate != state || nflags != flags || what != FP_SG_WHAT_HIT) {
			burst_written(b, k);
			nv.state = (uint8_t)nstate;
			nv.flags = (uint8_t)nflags;
			nv.gen = ngen;
			nv.rule_id = nrule;
		}
		rc = fp_ct_update(t->ct, ref, &nv, now_ns);
		if (rc == 0)
			return decide(res, what, FP_DROP_MAX);
		if (rc == -ENOENT)
			return TRACKED_GONE; /* as if untracked */
					     /* -EAGAIN: ref was refreshed, decide again. */
	}
	res->state = ref->val.state;
	return decide(res, FP_SG_WHAT_BAD_MOVE, FP_DROP_CT_INVALID);
}

void
fp_sg_prepare(uint32_t port_id, uint32_t dir, const uint8_t *f, uint32_t len, struct fp_sg_work *w)
{
	w->res.stat[0] = w->res.stat[1] = FP_STAT_MAX;
	w->res.rule_id = 0;
	w->res.state = FP_CT_STATE_MAX;
	w->res.pad = 0;
	w->frame = f;
	w->port_id = port_id;
	w->dir = (uint8_t)dir;
	w->flags = 0;
	w->base = FP_DROP_MAX;
	w->parsed = (int8_t)fp_sg_parse(f, len, &w->res.p, &w->info);
}

/* The base policy and the connection key of a parsed packet. */
static inline void
key_prepare(struct fp_sg_work *w)
{
	const struct fp_sg_pkt *p = &w->res.p;

	if (w->parsed != FP_SG_PARSE_IP)
		return;
	w->base = fp_sg_base(p, w->dir);
	if (w->base != FP_SG_BASE_RULES || p->frag == FP_SG_FRAG_LATER)
		return;
	w->a_first = (uint8_t)fp_ct_key_make(&w->key, w->port_id, p);
	w->flags = FP_SG_W_LOOKUP;
}

void
fp_sg_lookup_bulk(const struct fp_ftables *t, struct fp_sg_work *const w[], uint32_t n,
		  uint64_t now_ns)
{
	const struct fp_ct_key *keys[FP_CT_BULK_MAX];
	struct fp_ct_ref refs[FP_CT_BULK_MAX];
	uint32_t idx[FP_CT_BULK_MAX], i, nk = 0;
	uint64_t hits;

	if (n > FP_CT_BULK_MAX)
		n = FP_CT_BULK_MAX;
	for (i = 0; i < n; i++) {
		key_prepare(w[i]);
		if (!(w[i]->flags & FP_SG_W_LOOKUP))
			continue;
		idx[nk] = i;
		keys[nk++] = &w[i]->key;
	}
	if (nk == 0 || t->ct == NULL)
		return;
	hits = fp_ct_lookup_bulk(t->ct, keys, nk, now_ns, refs);
	for (i = 0; i < nk; i++) {
		struct fp_sg_work *x = w[idx[i]];

		x->flags |= FP_SG_W_LOOKED;
		if ((hits >> i) & 1) {
			x->flags |= FP_SG_W_HIT;
			x->ref = refs[i];
		}
	}
}

/* The ruleset of (id, dir), looked up once a burst. */
static inline const struct fp_ruleset_val *
burst_ruleset(const struct fp_ftables *t, struct fp_sg_burst *b, uint32_t id, uint32_t dir)
{
	if (b->rs_id != id + 1 || b->rs_dir != dir) {
		b->rs = fp_ftables_ruleset(t, id, dir);
		b->rs_id = id + 1;
		b->rs_dir = dir;
	}
	return b->rs;
}

uint32_t
fp_sg_decide(const struct fp_ftables *t, const struct fp_dp_port *pt, struct fp_sg_work *w,
	     uint64_t now_ns, uint64_t gen, int dry, struct fp_sg_burst *b)
{
	const struct fp_ruleset_val *rs;
	struct fp_sg_result *res = &w->res;
	struct fp_sg_pkt *p = &res->p;
	uint32_t dir = w->dir, rule, first, r;
	struct fp_ct_key *k = &w->key;
	struct fp_ct_ref *ref = &w->ref;
	struct fp_ct_val v;
	int found, rc;

	if (w->parsed == FP_SG_PARSE_NOT_IP) {
		r = fp_sg_ethertype_check(t, fp_sg_get16(w->frame + 12), dir);
		return decide(res, r == FP_DROP_MAX ? FP_SG_WHAT_NOT_IP : FP_SG_WHAT_ETHERTYPE, r);
	}
	if (w->parsed != FP_SG_PARSE_IP)
		return decide(res, FP_SG_WHAT_INVALID, FP_DROP_CT_INVALID);
	if (w->base == FP_SG_BASE_ALLOW)
		return decide(res, FP_SG_WHAT_BASE_ALLOW, FP_DROP_MAX);
	if (w->base != FP_SG_BASE_RULES)
		return decide(res, FP_SG_WHAT_BASE_DROP, w->base);
	rs = burst_ruleset(t, b, pt->v.ruleset, dir);
	if (unlikely(rs == NULL))
		return decide(res, FP_SG_WHAT_NO_RULESET, FP_DROP_SG_NO_RULESET);
	if (p->frag == FP_SG_FRAG_LATER) {
		/* No ports: matched by the rules alone, never tracked. */
		res->rule_id = rules_match(t, rs, p, dir);
		if (res->rule_id == 0)
			return decide(res, FP_SG_WHAT_DENIED, FP_DROP_SG_DENIED);
		res->stat[0] = FP_STAT_SG_STATELESS;
		return decide(res, FP_SG_WHAT_STATELESS, FP_DROP_MAX);
	}
	if (unlikely(fp_ct_icmp_error(p)) && w->info.quote_off && t->ct != NULL) {
		struct fp_sg_pkt q;
		struct fp_ct_key qk;
		struct fp_ct_ref qref;

		if (fp_sg_parse_quote(w->frame + w->info.quote_off, w->info.quote_len, p->family,
				      &q) == 0) {
			fp_ct_key_make(&qk, w->port_id, &q);
			if (fp_ct_lookup(t->ct, &qk, now_ns, &qref) == 0) {
				res->rule_id = qref.val.rule_id;
				res->state = qref.val.state;
				res->stat[0] = FP_STAT_CT_RELATED;
				return decide(res, FP_SG_WHAT_RELATED, FP_DROP_MAX);
			}
		}
	}
	found = 0;
	if (t->ct != NULL) {
		if ((w->flags & FP_SG_W_LOOKED) && !burst_touched(b, k))
			found = (w->flags & FP_SG_W_HIT) != 0;
		else
			found = fp_ct_lookup(t->ct, k, now_ns, ref) == 0;
	}
	if (found) {
		r = tracked(t, pt, p, w->a_first, ref, k, now_ns, gen, dry, b, res);
		if (r != TRACKED_GONE)
			return r;
	}
	rule = rules_match(t, rs, p, dir);
	res->rule_id = rule;
	if (rule == 0)
		return decide(res, FP_SG_WHAT_DENIED, FP_DROP_SG_DENIED);
	if (!(rs->flags & FP_RULESET_F_STATEFUL)) {
		res->stat[0] = FP_STAT_SG_STATELESS;
		return decide(res, FP_SG_WHAT_STATELESS, FP_DROP_MAX);
	}
	first = fp_ct_first(p);
	if (first >= FP_CT_STATE_MAX)
		return decide(res, FP_SG_WHAT_CANNOT_OPEN, FP_DROP_CT_INVALID);
	res->state = first;
	res->stat[0] = (p->proto == FP_SG_PROTO_TCP && first == FP_CT_ESTABLISHED) ?
			       FP_STAT_CT_PICKUP :
			       FP_STAT_CT_NEW;
	if (t->ct == NULL)
		return decide(res, FP_SG_WHAT_FULL, FP_DROP_CT_FULL);
	if (dry)
		return decide(res,
			      res->stat[0] == FP_STAT_CT_NEW ? FP_SG_WHAT_NEW : FP_SG_WHAT_PICKUP,
			      FP_DROP_MAX);
	memset(&v, 0, sizeof(v));
	v.last_ns = now_ns;
	v.gen = (uint32_t)gen;
	v.rule_id = rule;
	v.state = (uint8_t)first;
	v.flags = (uint8_t)((w->a_first ? FP_CT_F_ORIG_A : 0) |
			    (dir == FP_SG_DIR_EGRESS ? FP_CT_F_ORIG_EGRESS : 0));
	burst_written(b, k);
	rc = fp_ct_insert(t->ct, k, &v, now_ns, ref);
	if (rc == 0)
		return decide(res,
			      res->stat[0] == FP_STAT_CT_NEW ? FP_SG_WHAT_NEW : FP_SG_WHAT_PICKUP,
			      FP_DROP_MAX);
	if (rc == -EEXIST) {
		/* Another worker opened it first: a packet of that one. */
		res->stat[0] = FP_STAT_MAX;
		r = tracked(t, pt, p, w->a_first, ref, k, now_ns, gen, dry, b, res);
		if (r != TRACKED_GONE)
			return r;
		return decide(res, FP_SG_WHAT_BAD_MOVE, FP_DROP_CT_INVALID);
	}
	res->stat[0] = FP_STAT_MAX;
	return decide(res, FP_SG_WHAT_FULL, FP_DROP_CT_FULL);
}
