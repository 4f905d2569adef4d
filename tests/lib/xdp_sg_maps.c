/* SPDX-License-Identifier: BSD-3-Clause */
#include "xdp_sg_maps.h"

#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include <flowplane/tables.h>

int
fp_test_xdp_ruleset_set(int fd, uint32_t id, uint32_t dir, uint32_t n, const uint8_t *protos)
{
	struct fp_ruleset_key k = { .ruleset_id = id, .dir = (uint16_t)dir };
	struct fp_ruleset_val v;
	uint32_t i;

	if (n > FP_SG_RULE_MAX)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.n_rules = (uint16_t)n;
	v.flags = FP_RULESET_F_STATEFUL;
	for (i = 0; i < n; i++) {
		v.rules[i].family = 4;
		v.rules[i].flags = FP_SG_RULE_F_PROTO;
		v.rules[i].proto = protos[i];
		v.rules[i].rule_id = 10 + i;
	}
	return bpf_map_update_elem(fd, &k, &v, BPF_ANY) == 0 ? 0 : -errno;
}

uint32_t
fp_test_xdp_ct_count(int fd)
{
	struct fp_ct_key k, next;
	void *prev = NULL;
	uint32_t n = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}
