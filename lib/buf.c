/* SPDX-License-Identifier: BSD-3-Clause */
#include "buf.h"

#include <errno.h>
#include <stdlib.h>

int
fp_buf_reserve(uint8_t **buf, size_t *cap, size_t need, size_t min, size_t max)
{
	size_t n = *cap ? *cap : min;
	uint8_t *p;

	if (*cap >= need)
		return 0;
	while (n < need && n < max)
		n = n > max / 2 ? max : n * 2;
	if (n > max)
		n = max;
	if (n <= *cap)
		return 0;
	p = realloc(*buf, n);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}
