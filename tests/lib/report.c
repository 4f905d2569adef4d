/* SPDX-License-Identifier: BSD-3-Clause */
#include "report.h"

#include <inttypes.h>
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

/* The verdict as the counters tell it, for messages. */
static void
verdict_str(const struct fp_counters *s, char *buf, size_t size)
{
	size_t n;
	int d;

	n = (size_t)snprintf(buf, size, "tx %" PRIu64 " punt %" PRIu64 " drop %" PRIu64,
			     (uint64_t)s->n[FP_STAT_TX], (uint64_t)s->n[FP_STAT_PUNT],
			     (uint64_t)s->n[FP_STAT_DROP]);
	for (d = 0; d < FP_DROP_MAX && n < size; d++) {
		if (s->drop[d])
			n += (size_t)snprintf(buf + n, size - n, " %s=%" PRIu64,
					      fp_case_drop_name((unsigned int)d),
					      (uint64_t)s->drop[d]);
	}
}

void
fp_check_counters(struct fp_report *r, const struct fp_case *c, const struct fp_counters *s)
{
	uint64_t drops = 0;
	char got[512];
	uint32_t i;
	int d, ok;

	for (d = 0; d < FP_DROP_MAX; d++)
		drops += s->drop[d];
	verdict_str(s, got, sizeof(got));
	switch (c->verdict) {
	case FP_CASE_VERDICT_TX:
		ok = s->n[FP_STAT_TX] == 1 && s->n[FP_STAT_DROP] == 0 && drops == 0 &&
		     s->n[FP_STAT_PUNT] == 0;
		if (!ok)
			fp_mismatch(r, "counters: expected tx, got %s", got);
		break;
	case FP_CASE_VERDICT_DROP:
		ok = s->drop[c->drop] == 1 && s->n[FP_STAT_DROP] == 1 && drops == 1 &&
		     s->n[FP_STAT_TX] == 0 && s->n[FP_STAT_PUNT] == 0;
		if (!ok)
			fp_mismatch(r, "counters: expected drop %s, got %s",
				    fp_case_drop_name(c->drop), got);
		break;
	default:
		ok = s->n[FP_STAT_PUNT] == 1 && s->n[FP_STAT_TX] == 0 && s->n[FP_STAT_DROP] == 0;
		if (!ok)
			fp_mismatch(r, "counters: expected punt, got %s", got);
		break;
	}
	if (s->n[FP_STAT_RX] != 1)
		fp_mismatch(r, "rx %" PRIu64 ", expected 1", (uint64_t)s->n[FP_STAT_RX]);
	if (s->n[FP_STAT_RX] != s->n[FP_STAT_TX] + s->n[FP_STAT_DROP] + s->n[FP_STAT_PUNT])
		fp_mismatch(r, "rx %" PRIu64 " != tx + drop + punt (%s)",
			    (uint64_t)s->n[FP_STAT_RX], got);
	if (s->n[FP_STAT_DROP] != drops)
		fp_mismatch(r, "drop %" PRIu64 " != sum of the drop reasons %" PRIu64,
			    (uint64_t)s->n[FP_STAT_DROP], drops);
	for (i = 0; i < c->n_stats; i++) {
		const struct fp_case_stat *e = &c->stats[i];

		if (s->n[e->id] != e->value)
			fp_mismatch(r, "stat %s: %" PRIu64 ", expected %" PRIu64,
				    fp_case_stat_name(e->id), (uint64_t)s->n[e->id], e->value);
	}
}
