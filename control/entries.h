/* SPDX-License-Identifier: BSD-3-Clause */
/* A set of table entries (table, key, value) in the ABI structs of
 * include/flowplane/tables.h, and the difference between two sets.
 *
 * fp-control compiles the model into one set (what should be installed)
 * and keeps another (what the dataplane holds: a dump, then every change
 * it committed).  The difference is a list of sets and deletes in
 * make-before-break order: sets of the tables port, vtep, neigh, flood,
 * fdb (referenced tables first), then deletes in the reverse order.
 *
 * Storage: key and value bytes in one growing arena; an index sorted by
 * (table, key bytes) once the set is sealed.  Lookups and the difference
 * are merges over sorted indexes, O(n).  Keys of one table have the ABI
 * key size, values the ABI value size.
 *
 * Concurrency: none.
 */
#ifndef FP_CONTROL_ENTRIES_H
#define FP_CONTROL_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

/* One entry; key and val point into the set's arena and stay valid until
 * the set is next changed (add, seal, apply, clear).
 */
struct fp_entry {
	uint16_t table;	 /* FP_TABLE_* */
	uint16_t pad;	 /* zero */
	const void *key; /* fp_table key struct */
	const void *val; /* fp_table value struct */
};

struct fp_entry_set;

/** An empty set; NULL with errno ENOMEM. */
struct fp_entry_set *fp_entry_set_create(void);

/** Free a set. Accepts NULL. */
void fp_entry_set_free(struct fp_entry_set *s);

/** Empty the set (keeps its memory). */
void fp_entry_set_clear(struct fp_entry_set *s);

/**
 * Add an entry (copied).  The set becomes unsealed.
 *
 * @return 0, -EINVAL (table out of range), -ENOMEM
 */
int fp_entry_set_add(struct fp_entry_set *s, uint16_t table, const void *key, const void *val);

/**
 * Sort the index and check keys are unique.  Adding the same key twice
 * with the same value keeps one; with different values it is an error.
 *
 * @return 0, -EEXIST (the first duplicate key's table in *dup_table
 *	   when non-NULL; the set stays unsealed), or -ENOMEM
 */
int fp_entry_set_seal(struct fp_entry_set *s, uint16_t *dup_table);

/** Entries in the set. */
size_t fp_entry_set_count(const struct fp_entry_set *s);

/** Entries of one table. */
size_t fp_entry_set_count_table(const struct fp_entry_set *s, uint16_t table);

/** The i-th entry in (table, key) order of a sealed set; 0, -ERANGE, or
 *  -EINVAL (not sealed).
 */
int fp_entry_set_at(const struct fp_entry_set *s, size_t i, struct fp_entry *out);

/** Find a key in a sealed set: the value, or NULL. */
const void *fp_entry_set_find(const struct fp_entry_set *s, uint16_t table, const void *key);

/**
 * Apply one change to a set (as the dataplane applied it): val NULL
 * deletes.  The set stays sealed.
 *
 * @return 0, -ENOENT (delete of a missing key), -EINVAL (not sealed, bad
 *	   table), -ENOMEM
 */
int fp_entry_set_apply(struct fp_entry_set *s, uint16_t table, const void *key, const void *val);

/* Called for each change; val is NULL for a delete.  Non-zero stops the
 * walk and is returned.
 */
typedef int fp_entry_diff_fn(uint16_t table, const void *key, const void *val, void *arg);

/**
 * The changes that turn sealed set from into sealed set to: sets (new
 * keys and changed values) in table order port, vtep, neigh, flood, fdb,
 * then deletes in the reverse table order; within a table in key order.
 *
 * @return 0, or what fn returned, or -EINVAL (a set is not sealed)
 */
int fp_entry_set_diff(const struct fp_entry_set *from, const struct fp_entry_set *to,
		      fp_entry_diff_fn *fn, void *arg);

/** Changes fp_entry_set_diff() would report (0 if a set is not sealed). */
size_t fp_entry_set_diff_count(const struct fp_entry_set *from, const struct fp_entry_set *to);

#endif /* FP_CONTROL_ENTRIES_H */
