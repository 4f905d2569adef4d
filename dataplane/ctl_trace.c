/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "pipeline.h"

#define PAD8(n) (((n) + 7U) & ~7U)

/* Copy the trace and the output frames into one reply payload. */
static int
reply_build(const struct fp_trace *tr, const struct fp_pipe_out *out, uint16_t first,
	    uint8_t **reply, uint32_t *reply_size)
{
	struct fp_ctl_trace hdr = tr->hdr;
	uint32_t size, i, n_out;
	uint8_t *b, *p;

	n_out = RTE_MIN((uint32_t)(out->n - first), (uint32_t)FP_CTL_TRACE_OUT_MAX);
	hdr.n_cut += (uint16_t)(out->n - first - n_out);
	hdr.n_out = (uint16_t)n_out;
	size = sizeof(hdr) + hdr.n_steps * sizeof(tr->steps[0]);
	for (i = 0; i < n_out; i++)
		size += sizeof(struct fp_ctl_trace_out) +
			PAD8(rte_pktmbuf_pkt_len(out->pkts[first + i]));
	b = calloc(1, size);
	if (b == NULL)
		return -ENOMEM;
	memcpy(b, &hdr, sizeof(hdr));
	p = b + sizeof(hdr);
	memcpy(p, tr->steps, hdr.n_steps * sizeof(tr->steps[0]));
	p += hdr.n_steps * sizeof(tr->steps[0]);
	for (i = 0; i < n_out; i++) {
		const struct rte_mbuf *m = out->pkts[first + i];
		struct fp_ctl_trace_out o = { .port = out->port[first + i],
					      .len = rte_pktmbuf_pkt_len(m) };
		const void *d;

		memcpy(p, &o, sizeof(o));
		p += sizeof(o);
		d = rte_pktmbuf_read(m, 0, o.len, p);
		if (d != NULL && d != p)
			memcpy(p, d, o.len);
		p += PAD8(o.len);
	}
	*reply = b;
	*reply_size = size;
	return 0;
}

int
fp_ctl_trace_run(const struct fp_ftables *t, struct rte_mempool *mp, const uint8_t *req,
		 uint32_t len, uint8_t **reply, uint32_t *reply_size, char *err, size_t err_size)
{
	struct fp_ctl_trace_req rq;
	struct fp_pipeline *p = NULL;
	struct fp_pipe_out *out = NULL;
	struct fp_trace *tr = NULL;
	struct rte_mbuf *m;
	uint16_t i;
	int rc;

	if (len < sizeof(rq)) {
		snprintf(err, err_size, "trace: payload of %u bytes, too short", len);
		return -EINVAL;
	}
	memcpy(&rq, req, sizeof(rq));
	if (rq.len != len - sizeof(rq) || rq.len < 14 || rq.len > FP_CTL_TRACE_FRAME_MAX) {
		snprintf(err, err_size, "trace: frame of %u bytes in a payload of %u (14..%u)",
			 rq.len, len, FP_CTL_TRACE_FRAME_MAX);
		return -EINVAL;
	}
	if (rq.in_port >= FP_PORT_MAX) {
		snprintf(err, err_size, "trace: port %u out of range (0..%u)", rq.in_port,
			 FP_PORT_MAX - 1);
		return -EINVAL;
	}
	if (mp == NULL) {
		snprintf(err, err_size, "trace: no packet pool");
		return -EOPNOTSUPP;
	}
	p = rte_zmalloc("fp_trace_pipe", sizeof(*p), RTE_CACHE_LINE_SIZE);
	out = calloc(1, sizeof(*out));
	tr = calloc(1, sizeof(*tr));
	if (p == NULL || out == NULL || tr == NULL) {
		snprintf(err, err_size, "trace: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		snprintf(err, err_size, "trace: no free mbuf");
		rc = -ENOBUFS;
		goto out;
	}
	if (rte_pktmbuf_append(m, (uint16_t)rq.len) == NULL) {
		snprintf(err, err_size, "trace: a frame of %u bytes does not fit an mbuf (%u)",
			 rq.len, rte_pktmbuf_tailroom(m));
		rte_pktmbuf_free(m);
		rc = -EMSGSIZE;
		goto out;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), req + sizeof(rq), rq.len);
	fp_pipeline_init(p, t, mp);
	fp_pipeline_trace(p, (uint16_t)rq.in_port, m, out, tr);
	rc = reply_build(tr, out, 0, reply, reply_size);
	if (rc != 0)
		snprintf(err, err_size, "trace: out of memory");
	for (i = 0; i < out->n; i++)
		rte_pktmbuf_free(out->pkts[i]);
out:
	rte_free(p);
	free(out);
	free(tr);
	return rc;
}
