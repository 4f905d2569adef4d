/* SPDX-License-Identifier: BSD-3-Clause */
/* How the packet-case tests (test_cases.c through the DPDK pipeline,
 * test_xdp_cases.c through the XDP program) report a case that does not
 * do what its file says: one line per mismatch on stderr, prefixed with
 * the case's name, and the rows of a frame that differ, in hex.
 */
#ifndef FP_TESTS_REPORT_H
#define FP_TESTS_REPORT_H

#include <stdint.h>

#include <flowplane/xdp.h>

#include "case.h"

#define FP_REPORT_DIFF_ROWS_MAX 24 /* 16-byte rows printed per mismatching frame */

/* Mismatches found in one case. */
struct fp_report {
	const char *name; /* the case */
	const char *way;  /* how it was run, for messages; NULL: one way */
	unsigned int n;	  /* mismatches so far */
};

/* Report one mismatch ("name[, way]: message") and count it. */
void fp_mismatch(struct fp_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the 16-byte rows where two frames differ (either may be NULL with
 * length 0), at most FP_REPORT_DIFF_ROWS_MAX of them.
 */
void fp_hex_diff(const uint8_t *exp, uint32_t exp_len, const uint8_t *got, uint32_t got_len);

/* Compare a frame with the expected one: a mismatch naming what, the
 * lengths and the first differing byte, and the differing rows.
 */
void fp_frame_check(struct fp_report *r, const char *what, const uint8_t *exp, uint32_t exp_len,
		    const uint8_t *got, uint32_t got_len);

/* The counters of one case's run (struct fp_counters: fp-dpdk's are
 * copied in) against the case: its verdict (tx, one drop reason, punt), rx
 * of 1, rx = tx + drop + punt, drop = the sum of the reasons, and the
 * case's stat lines.
 */
void fp_check_counters(struct fp_report *r, const struct fp_case *c, const struct fp_counters *s);

#endif /* FP_TESTS_REPORT_H */
