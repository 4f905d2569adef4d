/* SPDX-License-Identifier: BSD-3-Clause */
/* Stable vtep ids for fp-control: (host, encapsulation) -> the id of the
 * vtep entry that reaches it.  The compiler asks for ids; fp-control binds
 * the ids it finds installed after a dump and gives ids back once neither
 * the installed nor the desired entries use them.
 *
 * Storage: the stable id allocator of ids.h, keyed "<encap>/<host>".
 *
 * Concurrency: none.
 */
#ifndef FP_CONTROL_VTEP_IDS_H
#define FP_CONTROL_VTEP_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "entries.h"

/* Stable vtep ids: (host, encap) -> id, lowest free id first.  An id is
 * given back only by fp_vtep_ids_gc(), when neither the installed nor the
 * desired entries use it, so a changing set never reuses an id that
 * installed fdb entries still point at.
 */
struct fp_vtep_ids;

/** Ids 0..limit-1 (the vtep table size); NULL with errno. */
struct fp_vtep_ids *fp_vtep_ids_create(uint32_t limit);

/** Accepts NULL. */
void fp_vtep_ids_free(struct fp_vtep_ids *ids);

/**
 * The id of (host, encap), allocating one if it has none.
 *
 * @return 0, or -ENOSPC (no free id), -ENOMEM, -EINVAL (NULL argument or
 *	   encap out of range)
 */
int fp_vtep_ids_get(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t *id);

/**
 * Bind an id found installed (after a dump) to (host, encap).
 *
 * @return 0, -EEXIST (id or pair bound otherwise), -ERANGE, -ENOMEM,
 *	   -EINVAL (NULL argument or encap out of range)
 */
int fp_vtep_ids_bind(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t id);

/** Release every id whose vtep entry is in neither set (sealed). */
void fp_vtep_ids_gc(struct fp_vtep_ids *ids, const struct fp_entry_set *installed,
		    const struct fp_entry_set *desired);

/** Bound ids. */
size_t fp_vtep_ids_count(const struct fp_vtep_ids *ids);

#endif /* FP_CONTROL_VTEP_IDS_H */
