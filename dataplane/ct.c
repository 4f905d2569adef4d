/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's connection table: lock-free for lookups and updates, one
 * insert at a time per primary bucket.
 *
 * Layout.  n_buckets buckets (any number >= 2, a multiply-shift maps the
 * hash onto them), each of FP_CT_BUCKET_SLOTS (30) slots: the bucket's
 * header is one cache line of 30 16-bit signatures and an insert claim
 * word; each slot's entry is one cache line of its own:
 *
 *   key    40 B   struct fp_ct_key as five 64-bit words
 *   last   8 B    last packet (ns), relaxed loads and stores
 *   ctl    16 B   lo: seq (32) | state (8) | flags (8) | ver (8) | live (8)
 *                 hi: gen (32) | rule_id (32)
 *
 * seq is the slot's version: odd while one writer owns the slot (an insert
 * writing it, a removal clearing it), +2 each time it is given out or
 * freed, so a ref (slot, seq) names one connection and never the next one
 * in that slot.  ver counts state changes.  ctl is changed with a 64-bit
 * CAS on lo (claim, free) or a 128-bit CAS on lo and hi (an update: state,
 * flags, gen and rule_id move together; rte_atomic128_cmp_exchange, x86-64
 * and arm64).
 *
 * Hash.  A multiply-fold hash of the normalised key's five words, keyed
 * with eight random 64-bit secrets drawn at creation (so a tenant cannot
 * aim connections at one bucket): 64x64->128-bit products of
 * secret-masked words, each folded to 64 bits (low half xor high half;
 * four products, as wyhash does), whose last fold's two halves give the
 * primary and the secondary bucket (two-choice), and the one before it a
 * signature.  It replaced rte_jhash_32b_2hashes() (about three times the
 * instructions for 40 bytes); the fill below is the same (test_ct's fill,
 * mean of 15 runs: first refusal at 95.8 % of the slots with either;
 * taking the buckets from the last product's halves unfolded gave 91 %).  Both directions of a
 * connection build the same key (fp_ct_key_make()), so they meet one entry whichever workers see
 * them. A key lives in either of its two buckets; an insert goes to the one with more free slots.
 * Simulated and measured: the first -ENOSPC comes at about 92 % of the slots (capacity = n_buckets
 * * 30 with n_buckets = size / 27: about size / 0.9 slots, so the first refusals come near the
 * configured size).
 *
 * Signatures.  sig[i] is 0 while slot i is free or owned by a writer and
 * the key's signature (never 0) while it holds an entry; it is written
 * only by the slot's owner (seq odd), so a free slot is found from the
 * header alone and a late write never hides a newer entry.
 *
 * Lookup (never waits).  For each slot of the two buckets whose signature
 * matches: read lo (acquire), the key, hi and last, then lo again; if lo
 * changed, read again (someone completed a change: lock-free); if seq is
 * odd or the slot is not live, skip it.  So a reader never returns a
 * half-written entry.  An expired entry (last + timeout(state) < now)
 * counts as absent.  fp_ct_lookup_bulk() does the same for a burst in
 * three passes (hash and prefetch the headers; match and prefetch the
 * entries; read), so the misses of a large table overlap.
 *
 * Update.  Compare the slot's seq with the ref's (else -ENOENT), then CAS
 * ctl from the values the ref read to the new ones (a changed entry:
 * -EAGAIN with the ref refreshed); the last-seen time is a relaxed store.
 * No CAS when nothing but the time changes (the established path), and
 * then nothing at all, not even a read, while the ref's last-seen time
 * is less than FP_CT_LAST_GRAIN_NS (1 ms) old: the entry's line is not
 * written per packet (with several workers it stays shared, not bounced
 * between their caches).  Timeouts stay right to that grain: an entry may
 * expire up to 1 ms before its exact last packet + timeout, against
 * timeouts of seconds; and such a packet is decided on the state its
 * lookup read in the same burst, as if it had come just before a
 * concurrent change (as any packet that races one does).
 *
 * Insert.  Two workers inserting one key at once must end with one entry.
 * Chosen: an insert claim word per bucket, taken with a CAS on the key's
 * primary bucket for the insert only (look for the key in both buckets,
 * take a free slot, write it, publish it, release).  Two inserts of the
 * same key always contend on the same word, so the second one finds the
 * first's entry (-EEXIST with its ref); inserts of other keys contend only
 * if they share the primary bucket (1 in n_buckets), and lookups, updates
 * and removals never look at the claim.  The alternatives were worse:
 * publish-then-check needs a tie break in which both inserters may lose
 * (or both win) and lookups could see the loser's entry in between; a
 * global insert lock serialises every new connection of every worker.  The
 * claim is held for about a hundred nanoseconds; an insert that finds it
 * taken spins (rte_pause) and gives up with -EBUSY after FP_CT_CLAIM_SPINS
 * only if the holder was descheduled mid-insert.
 *
 * Expiry and removal free a slot with a CAS on lo (live, seq s -> owned,
 * s + 1), clear its signature and publish it free (s + 2): an update that
 * races a removal fails with -ENOENT, and an insert may also take an
 * expired slot in place; an insert first frees its own key's expired
 * entries, so a reload with longer timeouts cannot revive a second entry
 * of the key.  fp_ct_sweep() visits n buckets per call, round
 * robin; only the main lcore calls it.  A packet that arrives at the exact
 * moment its entry times out may lose the entry to the sweeper (its
 * last-seen store is not part of the CAS), as in Linux.
 *
 * The live-entry count is kept in 64 cache-line shards (by bucket), not
 * one shared counter, so inserts on different workers rarely share a line.
 */
#define ALLOW_EXPERIMENTAL_API /* rte_atomic128_cmp_exchange: experimental in DPDK 22.11 */

#include "ct.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_vect.h>

#include <flowplane/sg.h>

#define FP_CT_BUCKET_SLOTS 30	 /* slots per bucket (header: 30 sigs + claim) */
#define FP_CT_FILL_PCT 90	 /* buckets = size / (slots * 90 %) */
#define FP_CT_SHARDS 64		 /* live-count shards */
#define FP_CT_CLAIM_SPINS 100000 /* rte_pause()s before an insert gives up */
#define FP_CT_KEY_WORDS (sizeof(struct fp_ct_key) / 8)

/* ctl.lo */
#define LO_SEQ(lo) ((uint32_t)(lo))
#define LO_STATE(lo) ((uint32_t)((lo) >> 32) & 0xff)
#define LO_FLAGS(lo) ((uint32_t)((lo) >> 40) & 0xff)
#define LO_VER(lo) ((uint32_t)((lo) >> 48) & 0xff)
#define LO_LIVE(lo) ((uint32_t)((lo) >> 56) & 0xff)
#define LO_MAKE(seq, state, flags, ver, live)                            \
	((uint64_t)(uint32_t)(seq) | (uint64_t)((state)&0xff) << 32 |    \
	 (uint64_t)((flags)&0xff) << 40 | (uint64_t)((ver)&0xff) << 48 | \
	 (uint64_t)((live)&0xff) << 56)
/* ctl.hi */
#define HI_GEN(hi) ((uint32_t)(hi))
#define HI_RULE(hi) ((uint32_t)((hi) >> 32))
#define HI_MAKE(gen, rule) ((uint64_t)(uint32_t)(gen) | (uint64_t)(uint32_t)(rule) << 32)

_Static_assert(sizeof(struct fp_ct_key) == 40, "fp_ct_key is five words");

struct ct_bucket {
	uint16_t sig[FP_CT_BUCKET_SLOTS]; /* entry's signature; 0: free or owned */
	uint32_t claim;			  /* 1 while an insert of a key homed here runs */
} __rte_cache_aligned;

struct ct_entry {
	uint64_t key[FP_CT_KEY_WORDS]; /* struct fp_ct_key */
	uint64_t last;		       /* last packet, ns */
	rte_int128_t ctl;	       /* val[0] lo, val[1] hi (see the top) */
} __rte_cache_aligned;

_Static_assert(sizeof(struct ct_bucket) == 64, "bucket header is one line");
_Static_assert(sizeof(struct ct_entry) == 64, "entry is one line");

struct ct_shard {
	int64_t n; /* inserts - frees in this shard's buckets */
} __rte_cache_aligned;

struct fp_ct {
	/* Fields used in lookup */
	struct ct_bucket *buckets;	      /* n_buckets headers */
	struct ct_entry *entries;	      /* n_buckets * FP_CT_BUCKET_SLOTS */
	uint32_t n_buckets;		      /* >= 2 */
	uint32_t pad;			      /* zero */
	uint64_t secret[8];		      /* hash keys, random at creation */
	uint64_t timeout_ns[256];	      /* by state; 0 past FP_CT_STATE_MAX */
	alignas(64) uint32_t sweep_next;      /* next bucket fp_ct_sweep() visits */
	struct ct_shard shards[FP_CT_SHARDS]; /* live count */
};

/* Where a key lives. */
struct ct_hash {
	uint32_t b1;  /* primary bucket (its claim word serialises inserts) */
	uint32_t b2;  /* secondary bucket, != b1 */
	uint16_t sig; /* never 0 */
};

/* a * b folded to 64 bits (the low and high halves xored). */
static inline uint64_t
mul_fold(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline void
ct_hash(const struct fp_ct *ct, const uint64_t key[FP_CT_KEY_WORDS], struct ct_hash *h)
{
	const uint64_t *s = ct->secret;
	uint64_t x = mul_fold(key[0] ^ s[0], key[1] ^ s[1]);
	uint64_t y = mul_fold(key[2] ^ s[2], key[3] ^ s[3]);
	uint64_t w = mul_fold(key[4] ^ s[4], x ^ y ^ s[5]);
	uint64_t z = mul_fold(w ^ s[6], x ^ s[7]);

	h->b1 = (uint32_t)(((z >> 32) * ct->n_buckets) >> 32);
	h->b2 = (uint32_t)(((z & 0xffffffffULL) * ct->n_buckets) >> 32);
	if (h->b2 == h->b1)
		h->b2 = h->b1 + 1 == ct->n_buckets ? 0 : h->b1 + 1;
	h->sig = (uint16_t)(w ^ (w >> 48));
	if (h->sig == 0)
		h->sig = 1;
}

static inline int
ct_expired(const struct fp_ct *ct, uint32_t state, uint64_t last, uint64_t now)
{
	return last + __atomic_load_n(&ct->timeout_ns[state], __ATOMIC_RELAXED) < now;
}

static inline uint64_t
ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void
st(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* A consistent copy of entry e: 0 and *lo, *hi, *last, key (if not NULL)
 * filled, or -ENOENT if the slot holds no entry (free or being written).
 */
static inline int
ct_read(const struct ct_entry *e, uint64_t *lo, uint64_t *hi, uint64_t *last,
	uint64_t key[FP_CT_KEY_WORDS])
{
	uint64_t lo1, lo2;
	uint32_t i;

	lo1 = __atomic_load_n(&e->ctl.val[0], __ATOMIC_ACQUIRE);
	for (;;) {
		if ((LO_SEQ(lo1) & 1) || !LO_LIVE(lo1))
			return -ENOENT;
		if (key != NULL)
			for (i = 0; i < FP_CT_KEY_WORDS; i++)
				key[i] = ld(&e->key[i]);
		*hi = ld(&e->ctl.val[1]);
		*last = ld(&e->last);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		lo2 = ld(&e->ctl.val[0]);
		if (lo2 == lo1)
			break;
		lo1 = __atomic_load_n(&e->ctl.val[0], __ATOMIC_ACQUIRE);
	}
	*lo = lo1;
	return 0;
}

static inline void
ref_fill(struct fp_ct_ref *ref, uint32_t slot, uint64_t lo, uint64_t hi, uint64_t last)
{
	memset(&ref->val, 0, sizeof(ref->val));
	ref->val.last_ns = last;
	ref->val.gen = HI_GEN(hi);
	ref->val.rule_id = HI_RULE(hi);
	ref->val.state = (uint8_t)LO_STATE(lo);
	ref->val.flags = (uint8_t)LO_FLAGS(lo);
	ref->slot = slot;
	ref->seq = LO_SEQ(lo);
}

static inline int
key_eq(const uint64_t *a, const uint64_t *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

/* Bit i set: slot i of b has signature sig.  SSE2: the header line in
 * four loads (the claim word's halves are masked off); the loads are
 * plain, as in rte_hash: a signature is a hint that the entry's seqlock
 * read confirms.  ThreadSanitizer builds take the atomic loop.
 */
static inline uint32_t
sig_match(const struct ct_bucket *b, uint16_t sig)
{
#if defined(__SSE2__) && !defined(__SANITIZE_THREAD__)
	const __m128i *p = (const __m128i *)(const void *)b;
	__m128i s = _mm_set1_epi16((short)sig);
	__m128i a0 = _mm_cmpeq_epi16(_mm_load_si128(p), s);
	__m128i a1 = _mm_cmpeq_epi16(_mm_load_si128(p + 1), s);
	__m128i a2 = _mm_cmpeq_epi16(_mm_load_si128(p + 2), s);
	__m128i a3 = _mm_cmpeq_epi16(_mm_load_si128(p + 3), s);
	uint32_t lo = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a0, a1));
	uint32_t hi = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a2, a3));

	return (lo | hi << 16) & ((1u << FP_CT_BUCKET_SLOTS) - 1);
#else
	uint32_t i, m = 0;

	for (i = 0; i < FP_CT_BUCKET_SLOTS; i++)
		m |= (uint32_t)(__atomic_load_n(&b->sig[i], __ATOMIC_RELAXED) == sig) << i;
	return m;
#endif
}

/* Find the live entry of key among the slots m of bucket bi. */
static inline int
slots_find(const struct fp_ct *ct, uint32_t bi, uint32_t m, const uint64_t *key, uint64_t now,
	   struct fp_ct_ref *ref)
{
	uint64_t k[FP_CT_KEY_WORDS], lo, hi, last;

	while (m) {
		uint32_t slot = bi * FP_CT_BUCKET_SLOTS + (uint32_t)__builtin_ctz(m);
		const struct ct_entry *e = &ct->entries[slot];

		m &= m - 1;
		if (ct_read(e, &lo, &hi, &last, k) != 0 || !key_eq(k, key))
			continue;
		if (ct_expired(ct, LO_STATE(lo), last, now))
			continue; /* a newer entry of the key may be elsewhere */
		ref_fill(ref, slot, lo, hi, last);
		return 0;
	}
	return -ENOENT;
}

/* Find the live entry of key in bucket bi. */
static inline int
bucket_find(const struct fp_ct *ct, uint32_t bi, uint16_t sig, const uint64_t *key, uint64_t now,
	    struct fp_ct_ref *ref)
{
	return slots_find(ct, bi, sig_match(&ct->buckets[bi], sig), key, now, ref);
}

static inline void
shard_add(struct fp_ct *ct, uint32_t bucket, int64_t d)
{
	__atomic_fetch_add(&ct->shards[bucket % FP_CT_SHARDS].n, d, __ATOMIC_RELAXED);
}

/* Free the entry of slot if ctl.lo is still lo: owned (seq odd), its
 * signature cleared, published free.  0, or -EAGAIN if lo changed.
 */
static int
slot_free(struct fp_ct *ct, uint32_t slot, uint64_t lo)
{
	struct ct_entry *e = &ct->entries[slot];
	uint32_t bi = slot / FP_CT_BUCKET_SLOTS;

	if (!__atomic_compare_exchange_n(&e->ctl.val[0], &lo, LO_MAKE(LO_SEQ(lo) + 1, 0, 0, 0, 0),
					 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return -EAGAIN;
	__atomic_store_n(&ct->buckets[bi].sig[slot % FP_CT_BUCKET_SLOTS], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ctl.val[0], LO_MAKE(LO_SEQ(lo) + 2, 0, 0, 0, 0), __ATOMIC_RELEASE);
	shard_add(ct, bi, -1);
	return 0;
}

/* Free slot if it holds an expired entry.  1 if freed. */
static int
slot_expire(struct fp_ct *ct, uint32_t slot, uint64_t now)
{
	uint64_t lo, hi, last;

	if (ct_read(&ct->entries[slot], &lo, &hi, &last, NULL) != 0 ||
	    !ct_expired(ct, LO_STATE(lo), last, now))
		return 0;
	return slot_free(ct, slot, lo) == 0;
}

void
fp_ct_timeouts_default(struct fp_ct_timeouts *t)
{
	static const uint32_t def[FP_CT_STATE_MAX] = { FP_FOREACH_CT_STATE(FP_CT_TIMEOUT_INIT) };

	memcpy(t->s, def, sizeof(t->s));
}

static void
timeouts_store(struct fp_ct *ct, const struct fp_ct_timeouts *t)
{
	struct fp_ct_timeouts def;
	uint32_t i;

	if (t == NULL) {
		fp_ct_timeouts_default(&def);
		t = &def;
	}
	for (i = 0; i < FP_CT_STATE_MAX; i++)
		__atomic_store_n(&ct->timeout_ns[i], (uint64_t)t->s[i] * 1000000000ULL,
				 __ATOMIC_RELAXED);
}

struct fp_ct *
fp_ct_create(uint32_t size, const struct fp_ct_timeouts *timeouts, int socket_id)
{
	uint64_t n_buckets;
	struct fp_ct *ct;
	uint64_t seeds[8];
	uint32_t i;

	if (size == 0 || size > FP_CT_SIZE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	n_buckets = ((uint64_t)size * 100 + FP_CT_BUCKET_SLOTS * FP_CT_FILL_PCT - 1) /
		    (FP_CT_BUCKET_SLOTS * FP_CT_FILL_PCT);
	if (n_buckets < 2)
		n_buckets = 2;
	ct = rte_zmalloc_socket("fp_ct", sizeof(*ct), RTE_CACHE_LINE_SIZE, socket_id);
	if (ct == NULL)
		goto err_nomem;
	ct->n_buckets = (uint32_t)n_buckets;
	ct->buckets = rte_zmalloc_socket("fp_ct_buckets", n_buckets * sizeof(struct ct_bucket),
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (ct->buckets == NULL)
		goto err_buckets;
	ct->entries = rte_zmalloc_socket("fp_ct_entries",
					 n_buckets * FP_CT_BUCKET_SLOTS * sizeof(struct ct_entry),
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (ct->entries == NULL)
		goto err_entries;
	if (getrandom(seeds, sizeof(seeds), GRND_NONBLOCK) != (ssize_t)sizeof(seeds)) {
		seeds[0] = (uint64_t)(uintptr_t)ct ^ 0x9e3779b97f4a7c15ULL;
		for (i = 1; i < RTE_DIM(seeds); i++)
			seeds[i] = rte_rdtsc() * 0xff51afd7ed558ccdULL ^ seeds[i - 1];
	}
	memcpy(ct->secret, seeds, sizeof(ct->secret));
	timeouts_store(ct, timeouts);
	return ct;

err_entries:
	rte_free(ct->buckets);
err_buckets:
	rte_free(ct);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

void
fp_ct_free(struct fp_ct *ct)
{
	if (ct == NULL)
		return;
	rte_free(ct->entries);
	rte_free(ct->buckets);
	rte_free(ct);
}

void
fp_ct_timeouts_set(struct fp_ct *ct, const struct fp_ct_timeouts *timeouts)
{
	timeouts_store(ct, timeouts);
}

int
fp_ct_lookup(struct fp_ct *ct, const struct fp_ct_key *key, uint64_t now_ns, struct fp_ct_ref *ref)
{
	uint64_t k[FP_CT_KEY_WORDS];
	struct ct_hash h;

	memcpy(k, key, sizeof(k));
	ct_hash(ct, k, &h);
	rte_prefetch0(&ct->buckets[h.b2]);
	if (bucket_find(ct, h.b1, h.sig, k, now_ns, ref) == 0)
		return 0;
	return bucket_find(ct, h.b2, h.sig, k, now_ns, ref);
}

uint64_t
fp_ct_lookup_bulk(struct fp_ct *ct, const struct fp_ct_key *const keys[], uint32_t n,
		  uint64_t now_ns, struct fp_ct_ref refs[])
{
	uint64_t k[FP_CT_BULK_MAX][FP_CT_KEY_WORDS], hits = 0;
	uint32_t m1[FP_CT_BULK_MAX], m2[FP_CT_BULK_MAX], i;
	struct ct_hash h[FP_CT_BULK_MAX];

	if (n > FP_CT_BULK_MAX)
		n = FP_CT_BULK_MAX;
	/* Hash every key; prefetch both buckets' headers. */
	for (i = 0; i < n; i++) {
		memcpy(k[i], keys[i], sizeof(k[i]));
		ct_hash(ct, k[i], &h[i]);
		rte_prefetch0(&ct->buckets[h[i].b1]);
		rte_prefetch0(&ct->buckets[h[i].b2]);
	}
	/* Match the signatures; prefetch the first candidate entries. */
	for (i = 0; i < n; i++) {
		m1[i] = sig_match(&ct->buckets[h[i].b1], h[i].sig);
		m2[i] = sig_match(&ct->buckets[h[i].b2], h[i].sig);
		if (m1[i])
			rte_prefetch0(&ct->entries[h[i].b1 * FP_CT_BUCKET_SLOTS +
						   (uint32_t)__builtin_ctz(m1[i])]);
		else if (m2[i])
			rte_prefetch0(&ct->entries[h[i].b2 * FP_CT_BUCKET_SLOTS +
						   (uint32_t)__builtin_ctz(m2[i])]);
	}
	/* Read them. */
	for (i = 0; i < n; i++) {
		if (slots_find(ct, h[i].b1, m1[i], k[i], now_ns, &refs[i]) == 0 ||
		    slots_find(ct, h[i].b2, m2[i], k[i], now_ns, &refs[i]) == 0)
			hits |= 1ULL << i;
	}
	return hits;
}

static inline uint32_t
n_free(const struct ct_bucket *b)
{
	return (uint32_t)__builtin_popcount(sig_match(b, 0));
}

/* Take a slot of bucket bi for an insert: a free one, else (expired_too)
 * one whose entry expired.  The slot's seq (odd: ours now) or -ENOSPC.
 */
static int64_t
slot_claim(struct fp_ct *ct, uint32_t bi, uint64_t now, int expired_too, uint32_t *slot)
{
	uint32_t m = expired_too ? (1u << FP_CT_BUCKET_SLOTS) - 1 : sig_match(&ct->buckets[bi], 0);
	uint64_t lo, hi, last;

	while (m) {
		uint32_t s = bi * FP_CT_BUCKET_SLOTS + (uint32_t)__builtin_ctz(m);
		struct ct_entry *e = &ct->entries[s];

		m &= m - 1;
		lo = __atomic_load_n(&e->ctl.val[0], __ATOMIC_ACQUIRE);
		if (LO_SEQ(lo) & 1)
			continue;
		if (LO_LIVE(lo)) {
			if (!expired_too)
				continue;
			if (ct_read(e, &lo, &hi, &last, NULL) != 0 ||
			    !ct_expired(ct, LO_STATE(lo), last, now))
				continue;
			if (!__atomic_compare_exchange_n(&e->ctl.val[0], &lo,
							 LO_MAKE(LO_SEQ(lo) + 1, 0, 0, 0, 0), 0,
							 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				continue;
			/* The expired entry leaves (ours is counted when published);
			 * its stale signature stays until then.
			 */
			shard_add(ct, bi, -1);
		} else if (!__atomic_compare_exchange_n(&e->ctl.val[0], &lo,
							LO_MAKE(LO_SEQ(lo) + 1, 0, 0, 0, 0), 0,
							__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			continue;
		}
		*slot = s;
		return LO_SEQ(lo) + 1;
	}
	return -ENOSPC;
}

/* Free the expired entries of key in bucket bi (an insert of key). */
static void
key_expired_free(struct fp_ct *ct, uint32_t bi, uint16_t sig, const uint64_t *key, uint64_t now)
{
	uint32_t m = sig_match(&ct->buckets[bi], sig);
	uint64_t k[FP_CT_KEY_WORDS], lo, hi, last;

	while (m) {
		uint32_t slot = bi * FP_CT_BUCKET_SLOTS + (uint32_t)__builtin_ctz(m);

		m &= m - 1;
		if (ct_read(&ct->entries[slot], &lo, &hi, &last, k) == 0 && key_eq(k, key) &&
		    ct_expired(ct, LO_STATE(lo), last, now))
			slot_free(ct, slot, lo);
	}
}

int
fp_ct_insert(struct fp_ct *ct, const struct fp_ct_key *key, const struct fp_ct_val *val,
	     uint64_t now_ns, struct fp_ct_ref *ref)
{
	uint64_t k[FP_CT_KEY_WORDS];
	struct ct_bucket *home;
	uint32_t spins, slot, bi, i;
	struct ct_hash h;
	struct ct_entry *e;
	uint32_t zero = 0;
	uint64_t lo, hi;
	int64_t seq;

	memcpy(k, key, sizeof(k));
	ct_hash(ct, k, &h);
	home = &ct->buckets[h.b1];
	for (spins = 0;; spins++) {
		zero = 0;
		if (__atomic_load_n(&home->claim, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&home->claim, &zero, 1, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
		if (spins >= FP_CT_CLAIM_SPINS)
			return -EBUSY;
		rte_pause();
	}
	if (bucket_find(ct, h.b1, h.sig, k, now_ns, ref) == 0 ||
	    bucket_find(ct, h.b2, h.sig, k, now_ns, ref) == 0) {
		__atomic_store_n(&home->claim, 0, __ATOMIC_RELEASE);
		return -EEXIST;
	}
	/* An expired entry of the key goes first, so that a longer timeout
	 * (a reload) can never bring back a second entry of it.
	 */
	key_expired_free(ct, h.b1, h.sig, k, now_ns);
	key_expired_free(ct, h.b2, h.sig, k, now_ns);
	/* The emptier bucket first; then expired entries in either. */
	bi = n_free(&ct->buckets[h.b2]) > n_free(home) ? h.b2 : h.b1;
	seq = slot_claim(ct, bi, now_ns, 0, &slot);
	if (seq < 0)
		seq = slot_claim(ct, bi == h.b1 ? h.b2 : h.b1, now_ns, 0, &slot);
	if (seq < 0)
		seq = slot_claim(ct, h.b1, now_ns, 1, &slot);
	if (seq < 0)
		seq = slot_claim(ct, h.b2, now_ns, 1, &slot);
	if (seq < 0) {
		__atomic_store_n(&home->claim, 0, __ATOMIC_RELEASE);
		return -ENOSPC;
	}
	/* The slot is ours (seq odd): write it, then publish. */
	e = &ct->entries[slot];
	for (i = 0; i < FP_CT_KEY_WORDS; i++)
		st(&e->key[i], k[i]);
	hi = HI_MAKE(val->gen, val->rule_id);
	st(&e->ctl.val[1], hi);
	st(&e->last, now_ns);
	bi = slot / FP_CT_BUCKET_SLOTS;
	__atomic_store_n(&ct->buckets[bi].sig[slot % FP_CT_BUCKET_SLOTS], h.sig, __ATOMIC_RELAXED);
	lo = LO_MAKE((uint32_t)seq + 1, val->state, val->flags, 0, 1);
	__atomic_store_n(&e->ctl.val[0], lo, __ATOMIC_RELEASE);
	__atomic_store_n(&home->claim, 0, __ATOMIC_RELEASE);
	shard_add(ct, bi, 1);
	ref_fill(ref, slot, lo, hi, now_ns);
	return 0;
}

int
fp_ct_update(struct fp_ct *ct, struct fp_ct_ref *ref, const struct fp_ct_val *val, uint64_t now_ns)
{
	uint64_t lo, hi, last, nlo;
	rte_int128_t exp, des;
	struct ct_entry *e;

	if (ref->slot >= ct->n_buckets * FP_CT_BUCKET_SLOTS)
		return -ENOENT;
	if (val->state == ref->val.state && val->flags == ref->val.flags &&
	    val->gen == ref->val.gen && val->rule_id == ref->val.rule_id &&
	    now_ns - ref->val.last_ns < FP_CT_LAST_GRAIN_NS)
		return 0; /* nothing to store (the top comment) */
	e = &ct->entries[ref->slot];
	if (ct_read(e, &lo, &hi, &last, NULL) != 0 || LO_SEQ(lo) != ref->seq ||
	    ct_expired(ct, LO_STATE(lo), last, now_ns))
		return -ENOENT;
	if (LO_STATE(lo) != ref->val.state || LO_FLAGS(lo) != ref->val.flags ||
	    HI_GEN(hi) != ref->val.gen || HI_RULE(hi) != ref->val.rule_id)
		goto changed;
	if (val->state != ref->val.state || val->flags != ref->val.flags ||
	    val->gen != ref->val.gen || val->rule_id != ref->val.rule_id) {
		exp.val[0] = lo;
		exp.val[1] = hi;
		nlo = LO_MAKE(LO_SEQ(lo), val->state, val->flags, LO_VER(lo) + 1, 1);
		des.val[0] = nlo;
		des.val[1] = HI_MAKE(val->gen, val->rule_id);
		if (!rte_atomic128_cmp_exchange(&e->ctl, &exp, &des, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			/* Changed meanwhile: read it again. */
			if (ct_read(e, &lo, &hi, &last, NULL) != 0 || LO_SEQ(lo) != ref->seq)
				return -ENOENT;
			goto changed;
		}
		lo = nlo;
		hi = des.val[1];
	}
	st(&e->last, now_ns);
	ref_fill(ref, ref->slot, lo, hi, now_ns);
	return 0;

changed:
	st(&e->last, now_ns);
	ref_fill(ref, ref->slot, lo, hi, now_ns);
	return -EAGAIN;
}

int
fp_ct_remove(struct fp_ct *ct, const struct fp_ct_ref *ref)
{
	uint64_t lo, hi, last;

	if (ref->slot >= ct->n_buckets * FP_CT_BUCKET_SLOTS)
		return -ENOENT;
	for (;;) {
		if (ct_read(&ct->entries[ref->slot], &lo, &hi, &last, NULL) != 0 ||
		    LO_SEQ(lo) != ref->seq)
			return -ENOENT;
		if (slot_free(ct, ref->slot, lo) == 0)
			return 0;
		/* A state change raced us: the same entry, remove it again. */
	}
}

uint32_t
fp_ct_sweep(struct fp_ct *ct, uint64_t now_ns, uint32_t n)
{
	uint32_t b = __atomic_load_n(&ct->sweep_next, __ATOMIC_RELAXED), freed = 0, i, j;

	if (b >= ct->n_buckets)
		b = 0;
	if (n > ct->n_buckets)
		n = ct->n_buckets;
	for (i = 0; i < n; i++) {
		uint32_t m = ~sig_match(&ct->buckets[b], 0) & ((1u << FP_CT_BUCKET_SLOTS) - 1);

		while (m) {
			j = (uint32_t)__builtin_ctz(m);
			m &= m - 1;
			freed += (uint32_t)slot_expire(ct, b * FP_CT_BUCKET_SLOTS + j, now_ns);
		}
		if (++b == ct->n_buckets)
			b = 0;
	}
	__atomic_store_n(&ct->sweep_next, b, __ATOMIC_RELAXED);
	return freed;
}

uint32_t
fp_ct_count(const struct fp_ct *ct)
{
	int64_t n = 0;
	uint32_t i;

	for (i = 0; i < FP_CT_SHARDS; i++)
		n += __atomic_load_n(&ct->shards[i].n, __ATOMIC_RELAXED);
	return n < 0 ? 0 : (uint32_t)n;
}

uint32_t
fp_ct_capacity(const struct fp_ct *ct)
{
	return ct->n_buckets * FP_CT_BUCKET_SLOTS;
}

uint32_t
fp_ct_n_buckets(const struct fp_ct *ct)
{
	return ct->n_buckets;
}

int
fp_ct_walk(const struct fp_ct *ct, uint64_t now_ns, fp_ct_walk_fn *fn, void *arg)
{
	uint32_t s, n = ct->n_buckets * FP_CT_BUCKET_SLOTS;
	uint64_t k[FP_CT_KEY_WORDS], lo, hi, last;
	struct fp_ct_key key;
	struct fp_ct_ref ref;
	int rc;

	for (s = 0; s < n; s++) {
		if (ct_read(&ct->entries[s], &lo, &hi, &last, k) != 0 ||
		    ct_expired(ct, LO_STATE(lo), last, now_ns))
			continue;
		memcpy(&key, k, sizeof(key));
		ref_fill(&ref, s, lo, hi, last);
		rc = fn(&key, &ref.val, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

uint32_t
fp_ct_flush_zone(struct fp_ct *ct, uint16_t zone)
{
	uint32_t s, n = ct->n_buckets * FP_CT_BUCKET_SLOTS, removed = 0;
	uint64_t k[FP_CT_KEY_WORDS], lo, hi, last;
	struct fp_ct_key key;

	for (s = 0; s < n; s++) {
		for (;;) {
			if (ct_read(&ct->entries[s], &lo, &hi, &last, k) != 0)
				break;
			memcpy(&key, k, sizeof(key));
			if (key.zone != zone)
				break;
			if (slot_free(ct, s, lo) == 0) {
				removed++;
				break;
			}
		}
	}
	return removed;
}
