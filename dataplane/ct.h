/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's connection table (doc/security-groups.md "Connections").
 *
 * One table shared by every worker lcore, keyed by struct fp_ct_key (zone =
 * the filtered port, endpoints in a fixed order: a packet and its reply
 * build the same key, so the two directions of a connection meet one entry
 * whichever workers see them).  Workers look up, insert and update entries
 * without locks: lookups never wait, an insert claims a free slot with a
 * compare-and-swap, a state change is a compare-and-swap on the entry's
 * state word, the last-seen time a relaxed store.  Two inserts of one key
 * at once end with one entry: inserts take turns per bucket (ct.c's top
 * comment says how and why).  Expiry is incremental
 * (fp_ct_sweep() visits a bounded number of buckets per call), so no call
 * stalls a worker; an expired entry found by a lookup counts as absent and
 * its slot may be taken again.
 *
 * The table has a fixed number of entries (config `conntrack.size`); an
 * insert that finds no free slot fails with -ENOSPC (the caller drops the
 * packet as ct_full); tracked connections keep flowing.
 *
 * Times are CLOCK_MONOTONIC nanoseconds (lib/clock.h); the caller reads the
 * clock once per burst and passes it in.
 */
#ifndef FP_CT_H
#define FP_CT_H

#include <stdint.h>

#include <flowplane/tables.h>

struct fp_ct;

#define FP_CT_SIZE_MIN 1024	/* conntrack.size, smallest accepted by the config */
#define FP_CT_SIZE_MAX 16777216 /* conntrack.size, largest; fp_ct_create()'s limit */
#define FP_CT_SIZE_DEFAULT 262144

/* What a lookup found: the entry's value as read (a consistent copy) and
 * a handle to change it with.
 */
struct fp_ct_ref {
	struct fp_ct_val val; /* the entry when it was read */
	uint32_t slot;	      /* the entry's slot (handle for fp_ct_update()) */
	uint32_t seq;	      /* the slot's version when read (names this entry) */
};

/** Timeouts in seconds per FP_CT_* state (from the config). */
struct fp_ct_timeouts {
	uint32_t s[FP_CT_STATE_MAX];
};

/** Fill t with Linux's defaults (the third column of FP_FOREACH_CT_STATE). */
void fp_ct_timeouts_default(struct fp_ct_timeouts *t);

/**
 * Create a table of size entries (rounded up as the layout needs: about
 * size / 0.9 slots, fp_ct_capacity(); inserts start to find no free slot
 * at about 92 % of them, i.e. near size).  Memory: 66 bytes per slot.
 *
 * @param size	    entries (connections) the table holds, 1..FP_CT_SIZE_MAX
 * @param timeouts  per-state timeouts; NULL: Linux's defaults
 * @param socket_id NUMA socket for the memory (SOCKET_ID_ANY)
 * @return the table, or NULL with errno (EINVAL, ENOMEM)
 */
struct fp_ct *fp_ct_create(uint32_t size, const struct fp_ct_timeouts *timeouts, int socket_id);

/** Free the table.  Accepts NULL.  No worker may use it any more. */
void fp_ct_free(struct fp_ct *ct);

/**
 * Change the per-state timeouts (a reload).  Entries keep their last-seen
 * time; the new timeouts apply from their next check.
 */
void fp_ct_timeouts_set(struct fp_ct *ct, const struct fp_ct_timeouts *timeouts);

/**
 * Find the live connection of key at time now_ns.  Never waits.  The key
 * is compared as raw bytes: build it with fp_ct_key_make() (pad zero).
 *
 * @return 0 and *ref filled, or -ENOENT (absent or expired)
 */
int fp_ct_lookup(struct fp_ct *ct, const struct fp_ct_key *key, uint64_t now_ns,
		 struct fp_ct_ref *ref);

#define FP_CT_BULK_MAX 64 /* keys per fp_ct_lookup_bulk() */

/**
 * Look up a burst of keys: fp_ct_lookup() of each, with every key's
 * buckets and candidate entry prefetched before any is read, so the
 * cache misses of a large table overlap.  Never waits.
 *
 * @param keys	 n keys (built with fp_ct_key_make())
 * @param n	 keys, at most FP_CT_BULK_MAX (more are ignored)
 * @param refs	 n refs; refs[i] is filled where bit i of the answer is set
 * @return bit i set: keys[i] found (refs[i]); clear: absent or expired
 */
uint64_t fp_ct_lookup_bulk(struct fp_ct *ct, const struct fp_ct_key *const keys[], uint32_t n,
			   uint64_t now_ns, struct fp_ct_ref refs[]);

/**
 * Insert a new connection.  If another worker inserted the same key
 * meanwhile, that entry wins: *ref is filled from it and -EEXIST returned
 * (the caller then treats the packet as one of that connection).
 *
 * Inserts of keys with the same primary bucket (among them every insert
 * of the same key) take turns on that bucket's claim word; lookups,
 * updates and removals never wait for it.
 *
 * @return 0 (*ref is the new entry), -EEXIST (*ref the existing one),
 *	   -ENOSPC (no free slot in the key's two buckets: table full), or
 *	   -EBUSY (another insert held the key's bucket for over ~1 ms: its
 *	   worker was descheduled mid-insert; drop the packet like -ENOSPC)
 */
int fp_ct_insert(struct fp_ct *ct, const struct fp_ct_key *key, const struct fp_ct_val *val,
		 uint64_t now_ns, struct fp_ct_ref *ref);

/* fp_ct_update() stores an unchanged entry's last-seen time at most this
 * often (ns): timeouts hold to this grain.
 */
#define FP_CT_LAST_GRAIN_NS 1000000

/**
 * Move the entry ref names from ref->val to *val (state, flags, gen,
 * rule_id) if nobody changed it since ref was read, and set its last-seen
 * time to now_ns either way.  When *val is ref->val and ref's last-seen
 * time is less than FP_CT_LAST_GRAIN_NS before now_ns, there is nothing
 * to store and the entry is not read: 0 (the established path).
 *
 * @return 0, or -EAGAIN (it changed: ref is refreshed, decide again), or
 *	   -ENOENT (it was removed or expired)
 */
int fp_ct_update(struct fp_ct *ct, struct fp_ct_ref *ref, const struct fp_ct_val *val,
		 uint64_t now_ns);

/** Remove the entry ref names (a revoked connection).  0 or -ENOENT. */
int fp_ct_remove(struct fp_ct *ct, const struct fp_ct_ref *ref);

/**
 * Free the slots of expired entries in the next n buckets (round robin;
 * a bucket is 30 slots).  Called by one thread at a time (the main
 * lcore's loop); safe while workers run.
 *
 * @return the number of entries freed
 */
uint32_t fp_ct_sweep(struct fp_ct *ct, uint64_t now_ns, uint32_t n);

/** Live entries (approximate while workers insert). */
uint32_t fp_ct_count(const struct fp_ct *ct);

/** Entries the table holds at most (its slots). */
uint32_t fp_ct_capacity(const struct fp_ct *ct);

/** Buckets: fp_ct_sweep() calls needed for one pass is this / n. */
uint32_t fp_ct_n_buckets(const struct fp_ct *ct);

/* Called for each live entry by fp_ct_walk(); non-zero stops the walk. */
typedef int fp_ct_walk_fn(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg);

/**
 * Visit every live entry (fpctl's connection dump); entries inserted or
 * removed meanwhile may or may not be seen.  Walks the whole table: not
 * for a worker.
 *
 * @return 0 or the callback's non-zero return
 */
int fp_ct_walk(const struct fp_ct *ct, uint64_t now_ns, fp_ct_walk_fn *fn, void *arg);

/**
 * Remove every entry of a zone (a port that is no longer filtered or
 * gone).  Safe while workers run; walks the whole table: not for a
 * worker.
 *
 * @return entries removed
 */
uint32_t fp_ct_flush_zone(struct fp_ct *ct, uint16_t zone);

#endif /* FP_CT_H */
