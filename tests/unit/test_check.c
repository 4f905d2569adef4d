/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/check: the entry validator both engines call, on its own (no DPDK,
 * no maps): every entry of tests/lib/bad_entries.c is refused with its
 * message over a view of the entries' world, good entries pass, and
 * without a view only the value checks run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <flowplane/ctl.h>

#include "../lib/bad_entries.h"
#include "check.h"

/* The world of bad_entries.h: every table empty. */
static int
none_exist(void *ctx, uint16_t type, uint32_t id)
{
	(void)ctx;
	(void)type;
	(void)id;
	return 0;
}

static void
world(struct fp_check_view *v, uint16_t role[FP_PORT_MAX], uint16_t mtu[FP_PORT_MAX],
      struct fp_ip *local)
{
	memset(role, 0, FP_PORT_MAX * sizeof(role[0]));
	memset(mtu, 0, FP_PORT_MAX * sizeof(mtu[0]));
	role[0] = role[1] = FP_PORT_ROLE_VM;
	mtu[0] = mtu[1] = 1500;
	role[2] = FP_PORT_ROLE_UNDERLAY;
	mtu[2] = 1600;
	memset(local, 0, sizeof(*local));
	local->b[10] = local->b[11] = 0xff;
	local->b[12] = 172;
	local->b[13] = 16;
	local->b[15] = 1;
	*v = (struct fp_check_view){ .port_role = role,
				     .port_mtu = mtu,
				     .local_vteps = local,
				     .n_local_vteps = 1,
				     .vtep_limit = FP_BAD_VTEP_LIMIT,
				     .exists = none_exist };
}

static void
test_check_bad_entries(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_check_view v;
	struct fp_bad_entry *bad;
	struct fp_ip local;
	size_t n, i;

	(void)state;
	world(&v, role, mtu, &local);
	bad = fp_bad_entries_build(&n);
	assert_non_null(bad);
	assert_true(n >= 50);
	for (i = 0; i < n; i++) {
		const struct fp_bad_entry *e = &bad[i];
		const void *val = e->del ? NULL : &e->val;
		char msg[FP_CTL_MSG_SIZE] = "";
		int rc;

		rc = fp_check_key(e->table, &e->key, &v, msg, sizeof(msg));
		if (rc == 0)
			rc = fp_check_entry(e->table, &e->key, val, &v, msg, sizeof(msg));
		if (e->rc == -ENOENT) {
			/* A delete of a missing entry: the engine's to find. */
			assert_int_equal(rc, 0);
			continue;
		}
		if (rc != e->rc || strcmp(msg, e->msg) != 0)
			fail_msg("%s: rc %d \"%s\", want %d \"%s\"", e->desc, rc, msg, e->rc,
				 e->msg);
	}
	free(bad);
}

static void
test_check_good_entries(void **state)
{
	uint16_t role[FP_PORT_MAX], mtu[FP_PORT_MAX];
	struct fp_port_key pk = { .port_id = 1 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
				  .vni = 7,
				  .mtu = 1450,
				  .mac = { 2, 0, 0, 0, 0, 1 },
				  .n_addrs = 1 };
	struct fp_vtep_key vk = { .vtep_id = 15 };
	struct fp_vtep_val vv = { .encap = FP_ENCAP_GENEVE,
				  .underlay_port = 2,
				  .nh_mac = { 2, 0, 0, 0, 0, 2 } };
	struct fp_check_view v;
	struct fp_ip local;
	char msg[FP_CTL_MSG_SIZE];

	(void)state;
	world(&v, role, mtu, &local);
	pv.addrs[0].ip = local;
	pv.addrs[0].plen = 120;
	assert_int_equal(fp_check_key(FP_TABLE_PORT, &pk, &v, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_PORT, &pk, &pv, &v, msg, sizeof(msg)), 0);
	vv.local = local;
	vv.remote = local;
	vv.remote.b[15] = 2;
	assert_int_equal(fp_check_key(FP_TABLE_VTEP, &vk, &v, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), 0);
	/* An underlay MTU too small for the outer headers (50 bytes). */
	mtu[2] = 50;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "vtep 15: underlay mtu 50 too small");
	mtu[2] = 51;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, NULL, 0), 0);
	/* Without a view: the references are the engine's. */
	vv.underlay_port = 0;
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(fp_check_entry(FP_TABLE_VTEP, &vk, &vv, &v, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(fp_check_entry(FP_TABLE_MAX, &vk, &vv, NULL, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "unknown table 7");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_bad_entries),
		cmocka_unit_test(test_check_good_entries),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
