/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp run's sweep of fp_ct (bpf/xdp_sweep.c) on a map of its shape:
 * the expired entries go, the live ones stay, a configured timeout
 * counts, and a walk bounded per call goes on where it stopped.  Without
 * root or CAP_BPF every test is skipped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>

#include "../lib/xdp_sg_maps.h"
#include "xdp_tool.h"

#define N_ENTRIES 5000 /* more than one call's batches */
#define NOW (1000ULL * 1000000000ULL)
#define SEC 1000000000ULL

static int
ct_map(uint32_t n)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct fp_ct_key k;
	struct fp_ct_val v;
	uint32_t i;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fp_ct", sizeof(k), sizeof(v), 2 * n, &opts);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		memcpy(k.a.b, &i, sizeof(i));
		k.proto = 17;
		/* Even: expired UDP (31 s old, timeout 30 s); odd: 29 s old. */
		v.state = FP_CT_UDP_UNREPLIED;
		v.last_ns = NOW - (i % 2 ? 29 : 31) * SEC;
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	return fd;
}

static uint32_t
count(int fd)
{
	return fp_test_xdp_ct_count(fd);
}

static void
test_xdp_sweep_expired_go(void **state)
{
	uint32_t timeouts[FP_XDP_CT_STATES] = { 0 }, calls = 0;
	struct fp_xdp_sweep sw = { 0 };
	int fd;

	(void)state;
	fd = ct_map(N_ENTRIES);
	if (fd == -EPERM)
		skip(); /* not root or CAP_BPF */
	assert_true(fd >= 0);
	/* One call reads at most FP_XDP_SWEEP_BATCHES batches. */
	while (sw.n_rounds == 0 && calls++ < 100)
		assert_int_equal(fp_xdp_ct_sweep(fd, timeouts, NOW, &sw), 0);
	assert_int_equal(sw.n_rounds, 1);
	assert_int_equal(sw.n_deleted, N_ENTRIES / 2);
	assert_int_equal(count(fd), N_ENTRIES / 2);
	/* A configured timeout of 20 s: the rest have expired too. */
	timeouts[FP_CT_UDP_UNREPLIED] = 20;
	do
		assert_int_equal(fp_xdp_ct_sweep(fd, timeouts, NOW, &sw), 0);
	while (sw.n_rounds < 2);
	assert_int_equal(count(fd), 0);
	close(fd);
}

static void
test_xdp_sweep_bounded(void **state)
{
	uint32_t timeouts[FP_XDP_CT_STATES] = { 0 };
	struct fp_xdp_sweep sw = { 0 };
	int fd;

	(void)state;
	fd = ct_map(FP_XDP_SWEEP_BATCH * FP_XDP_SWEEP_BATCHES + 100);
	if (fd == -EPERM)
		skip();
	assert_true(fd >= 0);
	assert_int_equal(fp_xdp_ct_sweep(fd, timeouts, NOW, &sw), 0);
	assert_int_equal(sw.n_rounds, 0);
	assert_true(sw.n_seen <= (uint64_t)FP_XDP_SWEEP_BATCH * FP_XDP_SWEEP_BATCHES);
	assert_int_equal(fp_xdp_ct_sweep(fd, timeouts, NOW, &sw), 0);
	assert_int_equal(sw.n_rounds, 1);
	assert_int_equal(count(fd), (FP_XDP_SWEEP_BATCH * FP_XDP_SWEEP_BATCHES + 100) / 2);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_sweep_expired_go),
		cmocka_unit_test(test_xdp_sweep_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
