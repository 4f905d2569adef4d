/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench-frames: the inner frames of an fp-bench scenario as a pcap, for
 * the check that fp-bench's security-group frames are those of
 * bench/gen_ct_pcaps.py (tests/unit/test_gen_ct_pcaps.py).
 *
 *   fp-bench-frames est|new|udp N > frames.pcap
 *
 * Encap scenario, one VNI: frame i is flow i (i < N).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int
main(int argc, char **argv)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	struct fp_bench_scenario_opts o = { .encap = FP_ENCAP_VXLAN, .vnis = 1, .min_frames = 1 };
	struct fp_bench_scenario s;
	uint32_t i;

	if (argc != 3 || (o.flows = (uint32_t)strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: fp-bench-frames est|new|udp N\n");
		return 1;
	}
	if (strcmp(argv[1], "est") == 0) {
		o.sg = FP_BENCH_SG_EST;
	} else if (strcmp(argv[1], "new") == 0) {
		o.sg = FP_BENCH_SG_NEW;
	} else if (strcmp(argv[1], "udp") != 0) {
		fprintf(stderr, "fp-bench-frames: unknown kind '%s'\n", argv[1]);
		return 1;
	}
	if (fp_bench_scenario_build(&s, &o) != 0) {
		fprintf(stderr, "fp-bench-frames: cannot build the scenario\n");
		return 1;
	}
	fwrite(hdr, sizeof(hdr), 1, stdout);
	for (i = 0; i < s.n; i++) {
		uint32_t rec[4] = { i / 1000000, i % 1000000, s.frame_len, s.frame_len };

		fwrite(rec, sizeof(rec), 1, stdout);
		fwrite(s.frames + (size_t)i * s.frame_len, s.frame_len, 1, stdout);
	}
	fp_bench_scenario_free(&s);
	return fflush(stdout) == 0 ? 0 : 1;
}
