/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

int
fp_eal_world_start(struct fp_eal_world *w, const char *name)
{
	char prefix[64], prog[32];
	char *argv[] = {
		prog, "--no-huge", "--no-shconf",	  "--no-pci", "-l", "0",
		"-m", "256",	   "--log-level=*:error", prefix,     NULL,
	};
	size_t sz;

	snprintf(prog, sizeof(prog), "%s", name);
	snprintf(prefix, sizeof(prefix), "--file-prefix=fp_%s_%d", name, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "%s: EAL init failed\n", name);
		return -1;
	}
	sz = rte_rcu_qsbr_get_memsize(1);
	w->rcu = rte_zmalloc("test_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (w->rcu == NULL || rte_rcu_qsbr_init(w->rcu, 1) != 0)
		return -1;
	snprintf(w->dir, sizeof(w->dir), "/tmp/fp_%s.XXXXXX", name);
	if (mkdtemp(w->dir) == NULL)
		return -1;
	return 0;
}

void
fp_eal_world_stop(struct fp_eal_world *w, const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: cannot remove %s\n", name, w->dir);
	rte_free(w->rcu);
	rte_eal_cleanup();
}

struct fp_ip
fp_eal_world_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct fp_ip ip = {
		.b = { [10] = 0xff, [11] = 0xff, [12] = a, [13] = b, [14] = c, [15] = d }
	};

	return ip;
}
