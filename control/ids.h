/* SPDX-License-Identifier: BSD-3-Clause */
/* Stable ids for fp-control: a string key -> a small number, the id of a
 * table entry others point at (a vtep, a ruleset, an address set).
 *
 * An id, once given to a key, stays the key's until fp_ids_gc() finds
 * that neither the installed nor the desired entries use it (the caller
 * says which ids are used), so a changing model never reuses an id that
 * installed entries still point at: a packet never meets another key's
 * entry under an id it looked up (make-before-break).  New keys get the
 * lowest free id.  After an fp-control restart the caller binds the ids it
 * finds installed (fp_ids_bind()) before it compiles, so a restart
 * rewrites nothing.
 *
 * Storage: a hash of the keys with separate chaining, a key per id, and
 * a bitmap of bound ids searched from a hint below which no id is free.
 *
 * Concurrency: none.
 */
#ifndef FP_CONTROL_IDS_H
#define FP_CONTROL_IDS_H

#include <stddef.h>
#include <stdint.h>

struct fp_ids;

/**
 * An allocator of the ids first..limit-1.
 *
 * @return the allocator, or NULL with errno EINVAL (first >= limit) or
 *	   ENOMEM
 */
struct fp_ids *fp_ids_create(uint32_t first, uint32_t limit);

/** Accepts NULL. */
void fp_ids_free(struct fp_ids *ids);

/**
 * The id of key, allocating the lowest free one if it has none.
 *
 * @return 0, or -ENOSPC (no free id), -ENOMEM, -EINVAL (NULL argument)
 */
int fp_ids_get(struct fp_ids *ids, const char *key, uint32_t *id);

/**
 * The id of key without allocating one.
 *
 * @return 0, -ENOENT (unbound), -EINVAL (NULL argument)
 */
int fp_ids_find(const struct fp_ids *ids, const char *key, uint32_t *id);

/**
 * Bind id to key (an id found installed).
 *
 * @return 0 (also when already bound so), -EEXIST (key or id bound
 *	   otherwise), -ERANGE (id outside first..limit-1), -ENOMEM,
 *	   -EINVAL (NULL argument)
 */
int fp_ids_bind(struct fp_ids *ids, const char *key, uint32_t id);

/** The key bound to id, or NULL. */
const char *fp_ids_key(const struct fp_ids *ids, uint32_t id);

/* Is id used by the installed or the desired entries?  Non-zero: yes. */
typedef int fp_ids_used_fn(uint32_t id, void *arg);

/** Release every bound id that used() says is not used. */
void fp_ids_gc(struct fp_ids *ids, fp_ids_used_fn *used, void *arg);

/** Bound ids. */
size_t fp_ids_count(const struct fp_ids *ids);

/** The 32-bit FNV-1a hash of a string (the allocator's key hash). */
uint32_t fp_ids_hash(const char *s);

#endif /* FP_CONTROL_IDS_H */
