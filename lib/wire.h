/* SPDX-License-Identifier: BSD-3-Clause */
/* Big-endian field access and entry-check messages for the slow path's
 * answer builders (lib/ra.c, lib/dhcp6.c): byte ranges, no alignment.
 */
#ifndef FP_WIRE_H
#define FP_WIRE_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/** The big-endian 16 bits at b. */
static inline uint32_t
fp_wire_get16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

/** The big-endian 32 bits at b. */
static inline uint32_t
fp_wire_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/** Store v's low 16 bits big-endian at b. */
static inline void
fp_wire_put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/** Store v big-endian at b. */
static inline void
fp_wire_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/** Format a check's message into err[0..errsz) (err may be NULL); -EINVAL. */
static inline int __attribute__((format(printf, 3, 4)))
fp_wire_fail(char *err, uint32_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#endif /* FP_WIRE_H */
