/* SPDX-License-Identifier: BSD-3-Clause */
/* Keeping a dataplane in step with the compiled entries.
 *
 * fp-control keeps what the dataplane holds as an entry set ("installed"):
 * read with fp_sync_dump() when it connects, then changed by every commit
 * it makes.  fp_sync_apply() sends the difference installed -> desired in
 * make-before-break order (fp_entry_set_diff()).  Port entries of other
 * roles than vm belong to the dataplane's own config: they are left out of
 * installed and never set or deleted.
 *
 * Transactions: up to batch changes per transaction; when the whole
 * difference fits one transaction it is atomic.  A larger one goes out as
 * several transactions in order (sets of referenced tables first, deletes
 * of referencing tables first), so each intermediate state is consistent:
 * no entry points at something missing.  After each successful commit the
 * installed set is updated; on a failure it still matches the dataplane
 * (the failed transaction applied nothing), and the error is returned.
 */
#ifndef FP_CONTROL_SYNC_H
#define FP_CONTROL_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "entries.h"

#define FP_SYNC_BATCH_DEFAULT 65536 /* changes per transaction */

struct fp_sync_result {
	uint64_t n_set;	       /* entries set (new or changed) */
	uint64_t n_del;	       /* entries deleted */
	uint32_t n_txn;	       /* transactions committed */
	uint32_t failed_table; /* on failure: FP_TABLE_* of the failing change, or FP_TABLE_MAX */
	uint64_t ns;	       /* wall time spent, nanoseconds */
};

/**
 * Read every table of the dataplane into installed (cleared, then
 * sealed; left empty on failure).
 *
 * @return 0, or the backend's -errno, -ENOMEM
 */
int fp_sync_dump(const struct fp_backend_ops *ops, void *handle, struct fp_entry_set *installed);

/**
 * Send installed -> desired.
 *
 * @param ops	    the backend
 * @param handle    its handle
 * @param installed what the dataplane holds (sealed); updated
 * @param desired   what it should hold (sealed)
 * @param batch	    changes per transaction (0: FP_SYNC_BATCH_DEFAULT)
 * @param res	    filled in (may be NULL)
 * @param err	    message on failure
 * @param errsz	    its size
 * @return 0, or the backend's -errno (-EINVAL/-ENOSPC from a refused
 *	   commit, -ENOTCONN etc. when the dataplane is gone), -ENOMEM
 */
int fp_sync_apply(const struct fp_backend_ops *ops, void *handle, struct fp_entry_set *installed,
		  const struct fp_entry_set *desired, uint32_t batch, struct fp_sync_result *res,
		  char *err, size_t errsz);

#endif /* FP_CONTROL_SYNC_H */
