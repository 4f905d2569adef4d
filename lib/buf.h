/* SPDX-License-Identifier: BSD-3-Clause */
/* Growing the byte buffers of the control socket's server and client
 * (dataplane/ctl_server.c, control/ctl_client.c): the size doubles from
 * a first size until the buffer holds what is asked, within a limit.
 */
#ifndef FP_LIB_BUF_H
#define FP_LIB_BUF_H

#include <stddef.h>
#include <stdint.h>

/**
 * Make a malloc'ed buffer hold need bytes at least: its size doubles
 * from *cap (from min when *cap is 0) until it does, but stays at most
 * max (then it holds less than need: the caller refuses what does not
 * fit).  It never shrinks; the bytes it holds are kept.
 *
 * @param buf  the buffer (NULL when *cap is 0)
 * @param cap  its size in bytes
 * @param need bytes wanted
 * @param min  first size, > 0
 * @param max  largest size (SIZE_MAX: none)
 * @return 0, or -ENOMEM (*buf and *cap unchanged)
 */
int fp_buf_reserve(uint8_t **buf, size_t *cap, size_t need, size_t min, size_t max);

#endif /* FP_LIB_BUF_H */
