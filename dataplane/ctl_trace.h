/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's TRACE request (include/flowplane/ctl.h): one frame
 * through the pipeline with a trace recorded, sent nowhere.
 *
 * Runs on the main lcore, the tables' only writer, so the tables it reads
 * cannot change under it (the RCU rules of ftable.h hold as for a worker
 * between two quiescent states).  It uses a private struct fp_pipeline
 * (its own counters, so the data counters do not move) and one mbuf of the
 * packet pool; the frames the pipeline would send are copied into the
 * reply and freed.
 */
#ifndef FP_CTL_TRACE_H
#define FP_CTL_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include <flowplane/ctl.h>

#include "ftable.h"

/**
 * Trace the frame of a TRACE request.
 *
 * @param t	     the live tables
 * @param mp	     packet pool for the frame and its copies
 * @param req	     the TRACE payload (struct fp_ctl_trace_req and frame)
 * @param len	     its size
 * @param reply	     receives a malloc()ed TRACE_REPLY payload
 * @param reply_size receives its size
 * @param err	     receives a message on failure
 * @param err_size   size of err
 * @return 0, -EINVAL (malformed request, unknown port), -EMSGSIZE (frame
 *	   larger than an mbuf), -ENOBUFS (no mbuf), -ENOMEM
 */
int fp_ctl_trace_run(const struct fp_ftables *t, struct rte_mempool *mp, const uint8_t *req,
		     uint32_t len, uint8_t **reply, uint32_t *reply_size, char *err,
		     size_t err_size);

#endif /* FP_CTL_TRACE_H */
