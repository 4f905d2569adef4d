/* SPDX-License-Identifier: BSD-3-Clause */
/* fpctl --xdp INSTANCE trace: one frame through a test run of a copy of
 * the XDP program over the instance's pinned tables (see trace_xdp.c and
 * doc/trace.md).  Needs CAP_BPF and the port's interface in this network
 * namespace.
 */
#ifndef FP_TRACE_XDP_H
#define FP_TRACE_XDP_H

#include <stddef.h>
#include <stdint.h>

#include "trace_pkt.h"

/**
 * Trace a frame through the XDP engine of an instance, sending nothing and
 * counting nothing in the live counters.
 *
 * @param instance instance name, or the absolute pin directory
 * @param in_port  logical port the frame arrives on (it needs an interface)
 * @param frame	   len bytes
 * @param t	   filled in; t->out[].bytes point into out
 * @param out	   buffer for the frame the program made
 * @param out_size its size, at least len + 512
 * @param err	   receives a message on failure
 * @param err_size size of err
 * @return 0, -ENOENT (instance not attached), -EINVAL (port without an
 *	   interface), -EPERM (no CAP_BPF), another errno of libbpf
 */
int fpctl_trace_xdp(const char *instance, uint32_t in_port, const uint8_t *frame, uint32_t len,
		    struct fpctl_trace *t, uint8_t *out, uint32_t out_size, char *err,
		    size_t err_size);

#endif /* FP_TRACE_XDP_H */
