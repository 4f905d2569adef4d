/* SPDX-License-Identifier: BSD-3-Clause */
/* The group state of the unit tests that run fp-dpdk's tables and control
 * socket in their own process (test_ctl.c, test_sync.c): EAL started
 * without hugepages, shared config or PCI (STYLE 1), one RCU variable
 * with no readers, and a scratch directory for the sockets.
 */
#ifndef FP_TESTS_EAL_WORLD_H
#define FP_TESTS_EAL_WORLD_H

#include <stdint.h>

#include <flowplane/tables.h>

struct rte_rcu_qsbr;

/* Group state: EAL, the RCU variable, the scratch directory. */
struct fp_eal_world {
	struct rte_rcu_qsbr *rcu; /* no readers registered */
	char dir[64];		  /* mkdtemp() directory for sockets */
	unsigned int n_fixtures;  /* fixtures made, for unique names */
};

/**
 * Start EAL (--no-huge --no-shconf --no-pci, 256 MiB, a file prefix of
 * name and the pid), make the RCU variable and /tmp/fp_<name>.XXXXXX.
 *
 * @param name the test's name ("test_ctl"), in messages and paths
 * @return 0, or -1 (the reason on stderr)
 */
int fp_eal_world_start(struct fp_eal_world *w, const char *name);

/** Remove the scratch directory, free the RCU variable, clean EAL up. */
void fp_eal_world_stop(struct fp_eal_world *w, const char *name);

/** @return a.b.c.d as an IPv4-mapped struct fp_ip */
struct fp_ip fp_eal_world_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

#endif /* FP_TESTS_EAL_WORLD_H */
