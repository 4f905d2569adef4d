/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for control/trace_pkt.c: the packet builder of fpctl trace
 * (descriptions checked with the pipeline's own parser, checksums
 * recomputed), hex and pcap input, and the trace record decoder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pkt/build.h"
#include "pkt/parse.h"
#include "trace_pkt.h"

static uint8_t frame[FP_CTL_TRACE_FRAME_MAX];
static char err[256];

/* Build from a space-separated description; returns the rc. */
static int
build(const char *desc, uint32_t *len)
{
	char buf[512], *w[64], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", desc);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && n < 64;
	     tok = strtok_r(NULL, " ", &save))
		w[n++] = tok;
	return fpctl_trace_frame_build(w, n, frame, sizeof(frame), len, err, sizeof(err));
}

static uint32_t
sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The L4 checksum of a parsed frame verifies (sum 0xffff). */
static void
l4_csum_ok(const uint8_t *f, const struct fp_pkt_meta *m)
{
	const uint8_t *ip = f + m->l3_off;
	uint32_t s = 0;

	if (m->ethertype == 0x0800) {
		if (m->l4_proto != 1)
			s = sum16(sum16(0, ip + 12, 8), NULL, 0) + m->l4_proto + m->l4_len;
	} else {
		s = sum16(0, ip + 8, 32) + m->l4_proto + m->l4_len;
	}
	assert_int_equal(fold(sum16(s, f + m->l4_off, m->l4_len)), 0xffff);
}

static void
test_trace_pkt_udp4(void **state)
{
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 }, dst[6] = { 2, 0, 0, 0, 0, 2 };
	struct fp_pkt_meta m;
	uint32_t len;

	(void)state;
	assert_int_equal(build("eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 10.0.0.1>10.0.0.2 "
			       "udp 1024>80 payload 10",
			       &len),
			 0);
	assert_int_equal(len, 14 + 20 + 8 + 10);
	assert_memory_equal(frame, dst, 6);
	assert_memory_equal(frame + 6, src, 6);
	assert_int_equal(fp_parse_frame(frame, len, FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
	assert_int_equal(m.ethertype, 0x0800);
	assert_int_equal(m.l4_proto, 17);
	assert_int_equal(m.sport, 1024);
	assert_int_equal(m.dport, 80);
	assert_int_equal(m.l3_len, 20 + 8 + 10);
	assert_int_equal(frame[14 + 12], 10);
	assert_int_equal(frame[14 + 19], 2);
	l4_csum_ok(frame, &m);
}

static void
test_trace_pkt_ipv6_tcp_icmp(void **state)
{
	struct fp_pkt_meta m;
	uint32_t len;

	(void)state;
	assert_int_equal(build("eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv6 fd00::1>fd00::2 "
			       "tcp 1>2",
			       &len),
			 0);
	assert_int_equal(len, 14 + 40 + 20);
	assert_int_equal(fp_parse_frame(frame, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.l4_proto, 6);
	assert_int_equal(m.dport, 2);
	l4_csum_ok(frame, &m);
	assert_int_equal(
		build("eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv6 fd00::1>fd00::2 icmp", &len),
		0);
	assert_int_equal(fp_parse_frame(frame, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.l4_proto, 58);
	assert_int_equal(frame[m.l4_off], 128);
	l4_csum_ok(frame, &m);
	assert_int_equal(
		build("eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 icmp", &len),
		0);
	assert_int_equal(fp_parse_frame(frame, len, FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
	assert_int_equal(m.l4_proto, 1);
	assert_int_equal(frame[m.l4_off], 8);
	l4_csum_ok(frame, &m);
}

static void
test_trace_pkt_arp(void **state)
{
	struct fp_pkt_meta m;
	uint32_t len;

	(void)state;
	assert_int_equal(build("eth 02:00:00:00:00:01>ff:ff:ff:ff:ff:ff arp request "
			       "10.0.0.1>10.0.0.2",
			       &len),
			 0);
	assert_int_equal(len, 42);
	assert_int_equal(fp_parse_frame(frame, len, 0, &m), FP_PARSE_OK);
	assert_int_equal(m.ethertype, 0x0806);
	assert_int_equal(fp_arp_is_request(frame, &m), 1);
	assert_memory_equal(frame + 14 + 8, frame + 6, 6);
	assert_int_equal(frame[14 + 27], 2);
}

static void
test_trace_pkt_vxlan_geneve(void **state)
{
	static const char *const encaps[] = { "vxlan", "geneve" };
	struct fp_tunnel_meta tm;
	struct fp_pkt_meta m;
	char desc[400];
	uint32_t len;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		snprintf(desc, sizeof(desc),
			 "eth 02:00:00:16:00:02>02:00:00:16:00:01 ipv4 172.16.0.2>172.16.0.1 "
			 "%s 100 eth 02:00:00:a2:00:01>02:00:00:a1:00:01 ipv4 "
			 "10.100.0.2>10.100.0.1 udp 5>6",
			 encaps[i]);
		assert_int_equal(build(desc, &len), 0);
		assert_int_equal(len, 14 + 20 + 8 + 8 + 14 + 20 + 8);
		assert_int_equal(fp_parse_frame(frame, len, FP_PARSE_F_IP_CSUM, &m), FP_PARSE_OK);
		assert_int_equal(m.dport, i ? 6081 : 4789);
		l4_csum_ok(frame, &m);
		assert_int_equal(fp_parse_tunnel(frame, len, &m, &tm), FP_PARSE_OK);
		assert_int_equal(tm.vni, 100);
		assert_int_equal(tm.inner_off, 50);
		assert_int_equal(frame[tm.inner_off + 5], 1);
	}
	assert_int_equal(build("eth 02:00:00:16:00:02>02:00:00:16:00:01 ipv6 fd00:16::2>fd00:16::1 "
			       "vxlan 16777215 eth 02:00:00:a2:00:01>02:00:00:a1:00:01 ipv6 "
			       "fd00::2>fd00::1 icmp",
			       &len),
			 0);
	assert_int_equal(fp_parse_frame(frame, len, 0, &m), FP_PARSE_OK);
	l4_csum_ok(frame, &m);
	assert_int_equal(fp_parse_tunnel(frame, len, &m, &tm), FP_PARSE_OK);
	assert_int_equal(tm.vni, 16777215);
}

static void
test_trace_pkt_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"ipv4 1.1.1.1>2.2.2.2",
		"eth 02:00:00:00:00:01",
		"eth 02:00:00:00:00:0g>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>fd00::1",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 udp 1>65536",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 udp 1",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 udp 1>2 extra",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 payload 9001",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 vxlan 16777216 eth "
		"02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 vxlan 1 eth "
		"02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2 vxlan 2 eth "
		"02:00:00:00:00:01>02:00:00:00:00:02 ipv4 1.1.1.1>2.2.2.2",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 arp request 1.1.1.1",
		"eth 02:00:00:00:00:01>02:00:00:00:00:02 arp reply 1.1.1.1>2.2.2.2",
		"hex 0200000000",
		"hex 02000000000202000000000108",
		"hex 02zz",
		"pcap",
	};
	uint32_t len, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (build(bad[i], &len) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
		if (err[0] == '\0')
			fail_msg("no message for '%s'", bad[i]);
	}
	/* Larger than the buffer: -ENOSPC with a message, never an overrun. */
	{
		char *w[] = { "eth",	 "02:00:00:00:00:01>02:00:00:00:00:02",
			      "ipv4",	 "1.1.1.1>2.2.2.2",
			      "udp",	 "1>2",
			      "payload", "100" };

		assert_int_equal(fpctl_trace_frame_build(w, 8, frame, 64, &len, err, sizeof(err)),
				 -ENOSPC);
		assert_true(err[0] != '\0');
	}
}

static void
test_trace_pkt_hex_pcap(void **state)
{
	static const uint8_t pcap_hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2,    0,	  4, 0, 0, 0, 0, 0,
					      0,    0,	  0,	0,    0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	char path[] = "/tmp/fp-test-trace-XXXXXX";
	uint8_t rec[16] = { 0 }, pkt[60];
	char *w[] = { "pcap", path };
	uint32_t len, i;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(build("hex 0200000000:02 02-00-00-00-00-01 0x0800 ab", &len), 0);
	assert_int_equal(len, 15);
	assert_int_equal(frame[5], 2);
	assert_int_equal(frame[12], 8);
	assert_int_equal(frame[14], 0xab);

	for (i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	rec[8] = rec[12] = sizeof(pkt);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pcap_hdr, 1, sizeof(pcap_hdr), f), sizeof(pcap_hdr));
	assert_int_equal(fwrite(rec, 1, sizeof(rec), f), sizeof(rec));
	assert_int_equal(fwrite(pkt, 1, sizeof(pkt), f), sizeof(pkt));
	/* A second frame: only the first one is taken. */
	assert_int_equal(fwrite(rec, 1, sizeof(rec), f), sizeof(rec));
	fclose(f);
	assert_int_equal(
		fpctl_trace_frame_build(w, 2, frame, sizeof(frame), &len, err, sizeof(err)), 0);
	assert_int_equal(len, sizeof(pkt));
	assert_memory_equal(frame, pkt, sizeof(pkt));
	/* Cut short, then not a pcap. */
	assert_int_equal(truncate(path, 24 + 16 + 10), 0);
	assert_int_equal(
		fpctl_trace_frame_build(w, 2, frame, sizeof(frame), &len, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(truncate(path, 10), 0);
	assert_int_equal(
		fpctl_trace_frame_build(w, 2, frame, sizeof(frame), &len, err, sizeof(err)),
		-EINVAL);
	unlink(path);
	assert_int_equal(
		fpctl_trace_frame_build(w, 2, frame, sizeof(frame), &len, err, sizeof(err)),
		-ENOENT);
}

/* A record: header, steps, outputs of the given lengths. */
static uint32_t
record(uint8_t *b, uint16_t drop, uint16_t n_steps, const uint32_t *out_lens, uint16_t n_out)
{
	struct fp_ctl_trace h = { .in_port = 3, .drop = drop, .n_steps = n_steps, .n_out = n_out };
	uint32_t off = sizeof(h), i;

	memcpy(b, &h, sizeof(h));
	for (i = 0; i < n_steps; i++) {
		struct fp_ctl_trace_step st = { .step = (uint16_t)(i % FP_TRACE_STEP_ID_MAX) };

		snprintf(st.text, sizeof(st.text), "step %u", i);
		memcpy(b + off, &st, sizeof(st));
		off += sizeof(st);
	}
	for (i = 0; i < n_out; i++) {
		struct fp_ctl_trace_out o = { .port = i + 1, .len = out_lens[i] };

		memcpy(b + off, &o, sizeof(o));
		off += sizeof(o);
		memset(b + off, (int)i + 1, (out_lens[i] + 7) & ~7U);
		off += (out_lens[i] + 7) & ~7U;
	}
	return off;
}

static void
test_trace_pkt_decode(void **state)
{
	static uint8_t b[16384];
	static const uint32_t lens[2] = { 60, 64 };
	struct fpctl_trace *t = calloc(1, sizeof(*t));
	struct fp_ctl_trace_step st;
	uint32_t size;

	(void)state;
	assert_non_null(t);
	size = record(b, FP_DROP_MAX, 3, lens, 2);
	assert_int_equal(fpctl_trace_decode(b, size, t), 0);
	assert_int_equal(t->in_port, 3);
	assert_int_equal(t->n_steps, 3);
	assert_string_equal(t->steps[2].text, "step 2");
	assert_int_equal(t->n_out, 2);
	assert_int_equal(t->out[1].port, 2);
	assert_int_equal(t->out[1].len, 64);
	assert_int_equal(t->out[1].bytes[63], 2);
	assert_string_equal(fpctl_trace_verdict(t), "forward");

	size = record(b, FP_DROP_HAIRPIN, 2, lens, 0);
	assert_int_equal(fpctl_trace_decode(b, size, t), 0);
	assert_string_equal(fpctl_trace_verdict(t), "drop");

	/* Inconsistent records. */
	size = record(b, FP_DROP_MAX, 3, lens, 2);
	assert_int_equal(fpctl_trace_decode(b, size - 1, t), -EPROTO);
	assert_int_equal(fpctl_trace_decode(b, size + 8, t), -EPROTO);
	assert_int_equal(fpctl_trace_decode(b, 8, t), -EPROTO);
	size = record(b, FP_DROP_MAX + 1, 1, lens, 0);
	assert_int_equal(fpctl_trace_decode(b, size, t), -EPROTO);
	size = record(b, FP_DROP_MAX, FP_CTL_TRACE_STEP_MAX + 1, lens, 0);
	assert_int_equal(fpctl_trace_decode(b, size, t), -EPROTO);
	size = record(b, FP_DROP_MAX, 1, lens, 0);
	memcpy(&st, b + sizeof(struct fp_ctl_trace), sizeof(st));
	st.step = FP_TRACE_STEP_ID_MAX;
	memcpy(b + sizeof(struct fp_ctl_trace), &st, sizeof(st));
	assert_int_equal(fpctl_trace_decode(b, size, t), -EPROTO);
	/* An unterminated text is cut, not read past. */
	size = record(b, FP_DROP_MAX, 1, lens, 0);
	memset(b + sizeof(struct fp_ctl_trace) + 4, 'x', FP_CTL_TRACE_TEXT_SIZE);
	assert_int_equal(fpctl_trace_decode(b, size, t), 0);
	assert_int_equal(strlen(t->steps[0].text), FP_CTL_TRACE_TEXT_SIZE - 1);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_pkt_udp4),
		cmocka_unit_test(test_trace_pkt_ipv6_tcp_icmp),
		cmocka_unit_test(test_trace_pkt_arp),
		cmocka_unit_test(test_trace_pkt_vxlan_geneve),
		cmocka_unit_test(test_trace_pkt_refused),
		cmocka_unit_test(test_trace_pkt_hex_pcap),
		cmocka_unit_test(test_trace_pkt_decode),
	};

	return cmocka_run_group_tests_name("trace_pkt", tests, NULL, NULL);
}
