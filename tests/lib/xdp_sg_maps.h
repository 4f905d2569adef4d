/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the XDP security-group tests (test_xdp_sg.c,
 * test_xdp_ct_race.c) on a loaded program's maps, by file descriptor:
 * write a ruleset of one rule per protocol, count fp_ct's entries.
 * libbpf only; no cmocka (the callers assert).
 */
#ifndef FP_TESTS_XDP_SG_MAPS_H
#define FP_TESTS_XDP_SG_MAPS_H

#include <stdint.h>

/**
 * Write ruleset (id, dir) into fp_ruleset: stateful, rule i allows IPv4
 * protocol protos[i] (rule id 10 + i), n rules.
 *
 * @return 0, or -errno of the update
 */
int fp_test_xdp_ruleset_set(int fd, uint32_t id, uint32_t dir, uint32_t n, const uint8_t *protos);

/** The number of entries of the hash map fp_ct (fd). */
uint32_t fp_test_xdp_ct_count(int fd);

#endif /* FP_TESTS_XDP_SG_MAPS_H */
