/* SPDX-License-Identifier: BSD-3-Clause */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
fp_mismatch(struct fp_report *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s%s: %s\n", r->name, r->way ? ", " : "", r->way ? r->way : "", msg);
	r->n++;
}

static void
hex_row(const char *tag, const uint8_t *b, uint32_t len, uint32_t off)
{
	char line[16 * 3 + 1];
	uint32_t i, n = 0;

	for (i = off; i < off + 16 && i < len; i++)
		n += (uint32_t)snprintf(line + n, sizeof(line) - n, " %02x", b[i]);
	line[n] = '\0';
	fprintf(stderr, "    %04x %s%s\n", off, tag, line);
}

void
fp_hex_diff(const uint8_t *exp, uint32_t exp_len, const uint8_t *got, uint32_t got_len)
{
	uint32_t off, max = exp_len > got_len ? exp_len : got_len, rows = 0;

	for (off = 0; off < max; off += 16) {
		uint32_t e = off < exp_len ? exp_len - off : 0,
			 g = off < got_len ? got_len - off : 0;

		e = e > 16 ? 16 : e;
		g = g > 16 ? 16 : g;
		if (e == g && memcmp(exp + off, got + off, e) == 0)
			continue;
		if (rows++ == FP_REPORT_DIFF_ROWS_MAX) {
			fprintf(stderr, "    ...\n");
			return;
		}
		hex_row("exp", exp, exp_len, off);
		hex_row("got", got, got_len, off);
	}
}

void
fp_frame_check(struct fp_report *r, const char *what, const uint8_t *exp, uint32_t exp_len,
	       const uint8_t *got, uint32_t got_len)
{
	uint32_t i, n = exp_len < got_len ? exp_len : got_len;

	for (i = 0; i < n && exp[i] == got[i]; i++)
		;
	if (i == n && exp_len == got_len)
		return;
	fp_mismatch(r, "%s: %u bytes, expected %u; first difference at byte offset %u", what,
		    got_len, exp_len, i);
	fp_hex_diff(exp, exp_len, got, got_len);
}
