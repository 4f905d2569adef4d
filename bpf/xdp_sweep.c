/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp run's sweep of the connection map fp_ct: the expired entries
 * (last packet + the state's timeout < now, the program's test in
 * fp_sg.bpf.h) are deleted, a bounded number of batches per call.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include <flowplane/sg.h>

/* A state's timeout in ns: timeout_s[state], 0 there: Linux's default. */
static uint64_t
timeout_ns(const uint32_t timeout_s[FP_XDP_CT_STATES], uint32_t state)
{
	static const uint32_t def[FP_XDP_CT_STATES] = { FP_FOREACH_CT_STATE(FP_CT_TIMEOUT_INIT) };
	uint32_t s;

	if (state >= FP_XDP_CT_STATES)
		return 0;
	s = timeout_s[state] ? timeout_s[state] : def[state];
	return (uint64_t)s * 1000000000ULL;
}

int
fp_xdp_ct_sweep(int fd, const uint32_t timeout_s[FP_XDP_CT_STATES], uint64_t now_ns,
		struct fp_xdp_sweep *sw)
{
	struct fp_ct_key *keys = NULL;
	struct fp_ct_val *vals = NULL, v;
	uint32_t b, i, n;
	int rc = 0;

	keys = calloc(FP_XDP_SWEEP_BATCH, sizeof(*keys));
	vals = calloc(FP_XDP_SWEEP_BATCH, sizeof(*vals));
	if (keys == NULL || vals == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (b = 0; b < FP_XDP_SWEEP_BATCHES; b++) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		n = FP_XDP_SWEEP_BATCH;
		rc = bpf_map_lookup_batch(fd, sw->started ? &sw->cursor : NULL, &sw->cursor, keys,
					  vals, &n, &opts);
		if (rc < 0 && errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (!(vals[i].last_ns + timeout_ns(timeout_s, vals[i].state) < now_ns))
				continue;
			/* Again just before the delete: a packet may have
			 * brought it back meanwhile (a new connection over it).
			 */
			if (bpf_map_lookup_elem(fd, &keys[i], &v) == 0 &&
			    v.last_ns + timeout_ns(timeout_s, v.state) < now_ns &&
			    bpf_map_delete_elem(fd, &keys[i]) == 0)
				sw->n_deleted++;
		}
		sw->n_seen += n;
		if (rc < 0) {
			/* ENOENT: the walk is done; the next one starts over. */
			sw->started = 0;
			sw->n_rounds++;
			rc = 0;
			break;
		}
		sw->started = 1;
	}
out:
	free(keys);
	free(vals);
	return rc;
}
