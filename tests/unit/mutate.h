/* SPDX-License-Identifier: BSD-3-Clause */
/* Random bit flips for the answer builders' fuzz loops (test_ra.c,
 * test_dhcp6.c): a fixed linear congruential sequence, so a failure
 * repeats.
 */
#ifndef FP_TEST_MUTATE_H
#define FP_TEST_MUTATE_H

#include <stdint.h>

/* Flip 1..max_flips bits of b[from..len) (from < len), drawn from *seed. */
static inline void
fp_test_mutate(uint8_t *b, uint32_t from, uint32_t len, uint32_t max_flips, uint32_t *seed)
{
	uint32_t k, flips;

	*seed = *seed * 1103515245 + 12345;
	flips = 1 + (*seed >> 16) % max_flips;
	for (k = 0; k < flips; k++) {
		*seed = *seed * 1103515245 + 12345;
		b[from + (*seed >> 8) % (len - from)] ^= (uint8_t)(1u << ((*seed >> 4) % 8));
	}
}

#endif /* FP_TEST_MUTATE_H */
