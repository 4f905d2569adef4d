/* SPDX-License-Identifier: BSD-3-Clause */
/* Table entries that both engines refuse, with the one message each gives
 * (lib/check.c): gathered from the refused entries of the unit suites
 * (test_ftable, test_ctl, test_backend_xdp, test_sync) and completed so
 * that every check of the validator is hit once.  test_ftable feeds them
 * to fp-dpdk's commit, test_backend_xdp to the XDP backend on real maps:
 * each must be refused with "change 0: " and the same message.
 *
 * The world they are checked against (both tests' fixtures): ports 0 and
 * 1 are vm ports (MTU 1500) without entries, port 2 the underlay port
 * (MTU 1600), port 3 and up are not configured; the local VTEP address
 * is 172.16.0.1; the vtep table holds FP_BAD_VTEP_LIMIT entries; every
 * table is empty.
 */
#ifndef FP_TESTS_BAD_ENTRIES_H
#define FP_TESTS_BAD_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#define FP_BAD_VTEP_LIMIT 16 /* vtep table size of the world */

struct fp_bad_entry {
	const char *desc;	/* what is wrong with it */
	uint16_t table;		/* FP_TABLE_* */
	int del;		/* a delete (val unused) */
	union fp_table_key key; /* key */
	union fp_table_val val; /* value of a set */
	int rc;			/* the -errno both engines return */
	char msg[128];		/* their message, without "change 0: " */
};

/**
 * Build the bad entries.
 *
 * @param n set to their number
 * @return a calloc()ed array (free() it), or NULL
 */
struct fp_bad_entry *fp_bad_entries_build(size_t *n);

/* Good slow path values (for port 0 or 1 of the world, MAC 02:00:00:00:00:01;
 * network 100): DHCPv4 10.0.0.5/24 from server and router 10.0.0.1; an RA
 * of 2001:db8::/64 (slaac) from router MAC 02:00:00:00:ee:01; DHCPv6
 * 2001:db8::5 from that router MAC.
 */
void fp_good_dhcp(struct fp_dhcp_val *v);
void fp_good_ra(struct fp_ra_val *v);
void fp_good_dhcp6(struct fp_dhcp6_val *v);

#endif /* FP_TESTS_BAD_ENTRIES_H */
