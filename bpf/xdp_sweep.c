/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp run's sweep of the connection map fp_ct: the expired entries
 * (fp_xdp_ct_expired(), the program's rule) are deleted, a bounded number
 * of batches per call.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include <flowplane/xdp.h>

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
			if (!fp_xdp_ct_expired(timeout_s, vals[i].last_ns, vals[i].state, now_ns))
				continue;
			/* Again just before the delete: a packet may have
			 * brought it back meanwhile (a new connection over it).
			 */
			if (bpf_map_lookup_elem(fd, &keys[i], &v) == 0 &&
			    fp_xdp_ct_expired(timeout_s, v.last_ns, v.state, now_ns) &&
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
