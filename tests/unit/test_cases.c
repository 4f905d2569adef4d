/* SPDX-License-Identifier: BSD-3-Clause */
/* The data-driven packet cases (tests/cases/NAME.case) through the DPDK
 * pipeline, in process: one cmocka test per case file, named after it.
 *
 * For each case: fresh tables, the configured ports and local VTEPs, the
 * transactions (each must commit), one mbuf with the input frame, one
 * fp_pipeline_run_burst(); then the outputs (port and bytes, in order), the
 * verdict, the extra counters and rx == tx + drop + punt are checked, and
 * every mbuf must be back in the pool.  A mismatch is reported with the
 * case name, the file line and a hex diff; the test fails once at the end
 * so that everything is freed.  FP_SRCDIR is the project root.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "../lib/case.h"
#include "../lib/report.h"
#include "ct.h"
#include "ctl_trace.h"
#include "ftable.h"
#include "pipeline.h"

#define POOL_SIZE 1023	 /* mbufs; a case uses a few */
#define TABLE_LIMIT 1024 /* entries per hash table */
#define VTEP_LIMIT 64	 /* vtep ids */
#define CT_SIZE 1024	 /* connections, unless the case says (conntrack) */

/* One case file, the state of its cmocka test. */
struct case_test {
	char path[PATH_MAX + NAME_MAX + 2]; /* the .case file */
	char name[FP_CASE_NAME_SIZE];	    /* its name, the test's name */
};

static struct rte_mempool *pool;
static struct rte_ring *punt_ring; /* the slow path's ring of the cases' pipeline */
static unsigned int run_seq;	   /* makes the table names unique */

/* Set up the tables a case describes.  Returns NULL after reporting. */
static struct fp_ftables *
tables_build(const struct fp_case *c, struct fp_report *r)
{
	uint32_t limit[FP_TABLE_MAX];
	struct fp_ftables *t;
	char name[32];
	uint32_t i;
	int rc, tb;

	for (tb = 0; tb < FP_TABLE_MAX; tb++)
		limit[tb] = TABLE_LIMIT;
	limit[FP_TABLE_PORT] = FP_PORT_MAX;
	limit[FP_TABLE_VTEP] = VTEP_LIMIT;
	snprintf(name, sizeof(name), "fpc%u", run_seq++);
	t = fp_ftables_create(name, limit, (int)rte_socket_id(), NULL);
	if (t == NULL) {
		fp_mismatch(r, "fp_ftables_create: %s", strerror(errno));
		return NULL;
	}
	for (i = 0; i < c->n_ports; i++) {
		const struct fp_case_port *p = &c->ports[i];

		rc = fp_ftables_port_config(t, p->id, p->role, p->mtu, p->mac);
		if (rc) {
			fp_mismatch(r, "port %u: fp_ftables_port_config: %s", p->id, strerror(-rc));
			goto err;
		}
	}
	fp_ftables_guard_set(t, &c->guard);
	fp_ftables_slowpath_serve(t); /* fp-dpdk serves the slow path's tables */
	for (i = 0; i < c->n_local_vteps; i++) {
		rc = fp_ftables_local_vtep_add(t, &c->local_vteps[i]);
		if (rc) {
			fp_mismatch(r, "local_vtep %u: %s", i, strerror(-rc));
			goto err;
		}
	}
	return t;

err:
	fp_ftables_free(t);
	return NULL;
}

/* Apply the case's transactions from..to-1.  0, or -1 after reporting. */
static int
txns_apply(const struct fp_case *c, struct fp_ftables *t, uint32_t from, uint32_t to,
	   struct fp_report *r)
{
	char err[256];
	uint32_t i, k;
	int rc;

	for (k = from; k < to; k++) {
		struct fp_txn *x = fp_txn_create();
		uint32_t failed = 0, first = 0, n = 0;

		if (x == NULL) {
			fp_mismatch(r, "fp_txn_create: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < c->n_entries; i++) {
			const struct fp_case_entry *e = &c->entries[i];

			if (e->txn != k)
				continue;
			if (n == 0)
				first = i;
			n++;
			rc = fp_txn_add(x, e->table, e->key, e->key_size, e->val, e->val_size);
			if (rc) {
				fp_mismatch(r, "line %u: fp_txn_add: %s", e->line, strerror(-rc));
				fp_txn_free(x);
				return -1;
			}
		}
		rc = fp_ftables_commit(t, x, &failed, err, sizeof(err));
		fp_txn_free(x);
		if (rc) {
			fp_mismatch(r, "transaction %u: commit failed at line %u: %s (%s)", k,
				    failed < n ? c->entries[first + failed].line : 0, err,
				    strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Compare the burst's outputs with the expected ones. */
static void
check_outputs(const struct fp_case *c, const struct fp_pipe_out *out, struct fp_report *r)
{
	static uint8_t buf[RTE_MBUF_DEFAULT_BUF_SIZE];
	uint32_t i, n = out->n > c->n_outs ? out->n : c->n_outs;

	if (out->n != c->n_outs)
		fp_mismatch(r, "%u output frame(s), expected %u", out->n, c->n_outs);
	for (i = 0; i < n; i++) {
		const struct fp_case_frame *e = i < c->n_outs ? &c->outs[i] : NULL;
		const uint8_t *got = NULL;
		uint32_t got_len = 0;

		if (i < out->n) {
			got_len = rte_pktmbuf_pkt_len(out->pkts[i]);
			got = rte_pktmbuf_read(out->pkts[i], 0,
					       got_len > sizeof(buf) ? sizeof(buf) : got_len, buf);
			if (got_len > sizeof(buf))
				got_len = sizeof(buf);
		}
		if (e == NULL) {
			fp_mismatch(r, "unexpected output %u: port %u, %u bytes", i, out->port[i],
				    got_len);
			fp_hex_diff(NULL, 0, got, got_len);
			continue;
		}
		if (got == NULL) {
			fp_mismatch(r, "missing output %u (line %u): port %u, %u bytes", i, e->line,
				    e->port, e->len);
			fp_hex_diff(e->data, e->len, NULL, 0);
			continue;
		}
		if (out->port[i] != e->port)
			fp_mismatch(r, "output %u (line %u): port %u, expected %u", i, e->line,
				    out->port[i], e->port);
		if (got_len != e->len || memcmp(got, e->data, got_len) != 0) {
			fp_mismatch(r,
				    "output %u (line %u): %u bytes differ from the expected %u:", i,
				    e->line, got_len, e->len);
			fp_hex_diff(e->data, e->len, got, got_len);
		}
	}
}

/* The same frame through the control socket's TRACE (fp_ctl_trace_run(),
 * which runs fp_pipeline_trace()), before the real run: a trace changes
 * no connection, so it sees the state the real run will.  Returns the
 * reply (free() it), or NULL after reporting.
 */
static uint8_t *
trace_get(const struct fp_case *c, const struct fp_ftables *t, uint32_t *size, struct fp_report *r)
{
	static uint8_t req[sizeof(struct fp_ctl_trace_req) + FP_CTL_TRACE_FRAME_MAX];
	struct fp_ctl_trace_req rq = { .in_port = c->in.port, .len = c->in.len };
	uint8_t *reply = NULL;
	char err[FP_CTL_MSG_SIZE];
	int rc;

	if (c->in.len > FP_CTL_TRACE_FRAME_MAX || c->in.len < 14)
		return NULL;
	memcpy(req, &rq, sizeof(rq));
	memcpy(req + sizeof(rq), c->in.data, c->in.len);
	rc = fp_ctl_trace_run(t, pool, req, sizeof(rq) + c->in.len, &reply, size, err, sizeof(err));
	if (rc != 0) {
		fp_mismatch(r, "trace: %s (%s)", err, strerror(-rc));
		return NULL;
	}
	return reply;
}

/* The trace's record must say what the real run did: the same drop
 * reason, the same output ports and bytes, one output step per frame.
 * One exception: a trace does not insert connections, so it cannot know
 * that the real run found the connection table full.
 */
static void
trace_check(uint8_t *reply, uint32_t size, const struct fp_pipeline *real,
	    const struct fp_pipe_out *out, struct fp_report *r)
{
	struct fp_ctl_trace h;
	uint32_t i, n_output_steps = 0, drop = FP_DROP_MAX;
	const struct fp_ctl_trace_step *st;
	uint8_t *p;

	for (i = 0; i < FP_DROP_MAX; i++)
		if (real->stats.drop[i])
			drop = i;
	memcpy(&h, reply, sizeof(h));
	if (drop == FP_DROP_CT_FULL && h.drop == FP_DROP_MAX)
		goto out;
	/* Nor a worker's storm-control bucket (it has its own, full). */
	if (drop == FP_DROP_STORM_CONTROL && h.drop == FP_DROP_MAX)
		goto out;
	if (h.drop != drop)
		fp_mismatch(r, "trace: drop %u, the real run %u", h.drop, drop);
	if (h.n_out != out->n)
		fp_mismatch(r, "trace: %u outputs, the real run %u", h.n_out, out->n);
	st = (const struct fp_ctl_trace_step *)(reply + sizeof(h));
	for (i = 0; i < h.n_steps; i++) {
		if (st[i].step == FP_TRACE_OUTPUT)
			n_output_steps++;
		if (st[i].step == FP_TRACE_DROP && drop == FP_DROP_MAX)
			fp_mismatch(r, "trace: a drop step (%s) in a run without drop", st[i].text);
	}
	if (n_output_steps != out->n)
		fp_mismatch(r, "trace: %u output steps, the real run sent %u", n_output_steps,
			    out->n);
	/* A packet the routing step decided shows that step. */
	if (real->stats.n[FP_STAT_ROUTED] || real->stats.n[FP_STAT_ICMP_ECHO_REPLY] ||
	    real->stats.n[FP_STAT_ICMP_TIME_EXCEEDED] || drop == FP_DROP_NO_ROUTE ||
	    drop == FP_DROP_NEIGH_MISSING || drop == FP_DROP_TTL_EXCEEDED) {
		for (i = 0; i < h.n_steps && st[i].step != FP_TRACE_ROUTE; i++)
			;
		if (i == h.n_steps)
			fp_mismatch(r, "trace: a routed packet without a route step");
	}
	if (h.n_steps == 0 ||
	    (drop < FP_DROP_MAX && st[h.n_steps - 1 - out->n].step != FP_TRACE_DROP))
		fp_mismatch(r, "trace: the drop is not the last step before the outputs");
	p = reply + sizeof(h) + h.n_steps * sizeof(*st);
	for (i = 0; i < h.n_out && i < out->n && !r->n; i++) {
		static uint8_t buf[RTE_MBUF_DEFAULT_BUF_SIZE];
		struct fp_ctl_trace_out o;
		uint32_t len = rte_pktmbuf_pkt_len(out->pkts[i]);
		const void *got = rte_pktmbuf_read(out->pkts[i], 0, len, buf);

		memcpy(&o, p, sizeof(o));
		p += sizeof(o);
		if (o.port != out->port[i] || o.len != len || memcmp(p, got, len) != 0)
			fp_mismatch(r,
				    "trace: output %u: port %u, %u bytes; the real run: port "
				    "%u, %u bytes (or other bytes)",
				    i, o.port, o.len, out->port[i], len);
		p += (o.len + 7U) & ~7U;
	}
	if (!r->n && p != reply + size)
		fp_mismatch(r, "trace: reply of %u bytes, %zu decoded", size, (size_t)(p - reply));
out:
	free(reply);
}

/* Run one packet of a case (c: the view of that packet) on pipeline p. */
static void
packet_run(const struct fp_case *c, struct fp_ftables *t, struct fp_pipeline *p,
	   struct fp_pipe_out *out, struct fp_report *r)
{
	struct fp_counters cnt;
	struct rte_mbuf *m;
	uint32_t size = 0, i;
	uint8_t *reply;
	uint16_t n;
	char *data;

	out->n = 0;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL) {
		fp_mismatch(r, "rte_pktmbuf_alloc failed");
		return;
	}
	data = rte_pktmbuf_append(m, (uint16_t)c->in.len);
	if (c->in.len > UINT16_MAX || data == NULL) {
		fp_mismatch(r, "input frame of %u bytes does not fit an mbuf", c->in.len);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(data, c->in.data, c->in.len);
	reply = trace_get(c, t, &size, r);
	memset(&p->stats, 0, sizeof(p->stats));
	n = fp_pipeline_run_burst(p, (uint16_t)c->in.port, &m, 1, out);
	if (n != out->n)
		fp_mismatch(r, "fp_pipeline_run_burst returned %u, appended %u", n, out->n);
	check_outputs(c, out, r);
	memcpy(cnt.n, p->stats.n, sizeof(cnt.n));
	memcpy(cnt.drop, p->stats.drop, sizeof(cnt.drop));
	fp_check_counters(r, c, &cnt);
	if (reply != NULL)
		trace_check(reply, size, p, out, r);
	for (i = 0; i < out->n; i++)
		rte_pktmbuf_free(out->pkts[i]);
	out->n = 0;
	{
		void *pm;

		/* A punted frame waits in the ring: the verdict counted it. */
		while (rte_ring_dequeue(punt_ring, &pm) == 0)
			rte_pktmbuf_free(pm);
	}
	if (rte_mempool_avail_count(pool) != POOL_SIZE)
		fp_mismatch(r, "%u mbuf(s) not returned to the pool",
			    POOL_SIZE - rte_mempool_avail_count(pool));
}

/* Run one case, packet after packet; returns the number of mismatches. */
static unsigned int
case_run(const struct fp_case *c, struct fp_report *r)
{
	struct fp_pipeline p;
	struct fp_pipe_out *out;
	struct fp_ftables *t;
	struct fp_ct *ct;
	uint32_t i, applied = 0;

	out = calloc(1, sizeof(*out));
	if (out == NULL) {
		fp_mismatch(r, "out of memory");
		return r->n;
	}
	t = tables_build(c, r);
	if (t == NULL)
		goto out_free;
	ct = fp_ct_create(c->ct_size ? c->ct_size : CT_SIZE, NULL, SOCKET_ID_ANY);
	if (ct == NULL) {
		fp_mismatch(r, "fp_ct_create: %s", strerror(errno));
		goto out_tables;
	}
	fp_ftables_ct_attach(t, ct);
	fp_pipeline_init(&p, t, pool);
	fp_pipeline_punt_attach(&p, punt_ring, 1000);
	for (i = 0; i <= c->n_steps && !r->n; i++) {
		uint32_t to = i < c->n_steps ? c->steps[i].n_txns : c->n_txns;
		struct fp_case view;

		if (txns_apply(c, t, applied, to, r) < 0)
			break;
		applied = to;
		fp_case_step_view(c, i, &view);
		if (c->n_steps)
			r->way = i < c->n_steps ? "an earlier packet of the sequence" :
						  "the last packet of the sequence";
		packet_run(&view, t, &p, out, r);
		if (r->n && c->n_steps)
			print_error("%s: packet %u of %u (line %u)\n", c->name, i + 1,
				    c->n_steps + 1, view.in.line);
	}
	fp_ct_free(ct);
out_tables:
	fp_ftables_free(t);
out_free:
	free(out);
	return r->n;
}

static void
test_cases_run(void **state)
{
	const struct case_test *ct = *state;
	struct fp_report r = { .name = ct->name };
	struct fp_case c;
	char err[512];
	int rc;

	rc = fp_case_load(ct->path, &c, err, sizeof(err));
	if (rc) {
		fp_case_free(&c);
		fail_msg("%s", err);
	}
	case_run(&c, &r);
	if (r.n)
		print_error("%s: %s (%s)\n", ct->name, c.desc, ct->path);
	fp_case_free(&c);
	if (r.n)
		fail_msg("%s: %u mismatch(es)", ct->name, r.n);
}

/* TRACE requests fp_ctl_trace_run() refuses, each with a message, and no
 * mbuf kept.
 */
static void
test_cases_trace_refused(void **state)
{
	static uint8_t req[sizeof(struct fp_ctl_trace_req) + 3000];
	struct fp_ctl_trace_req rq = { .in_port = 0, .len = 60 };
	struct fp_ftables *t;
	struct fp_report r = { .name = "trace_refused" };
	struct fp_case c;
	uint8_t *reply = NULL;
	uint32_t size = 0;
	char err[FP_CTL_MSG_SIZE];

	(void)state;
	memset(&c, 0, sizeof(c));
	t = tables_build(&c, &r);
	assert_non_null(t);
	memset(req, 0, sizeof(req));
#define REFUSED(len_, mp_, want)                                                                  \
	do {                                                                                      \
		memcpy(req, &rq, sizeof(rq));                                                     \
		err[0] = '\0';                                                                    \
		assert_int_equal(                                                                 \
			fp_ctl_trace_run(t, (mp_), req, (len_), &reply, &size, err, sizeof(err)), \
			(want));                                                                  \
		assert_null(reply);                                                               \
		assert_true(err[0] != '\0');                                                      \
		assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);                       \
	} while (0)
	REFUSED(4, pool, -EINVAL);		 /* shorter than the request header */
	REFUSED(sizeof(rq) + 59, pool, -EINVAL); /* len says 60 */
	rq.len = 10;
	REFUSED(sizeof(rq) + 10, pool, -EINVAL); /* shorter than Ethernet */
	rq.len = 60;
	rq.in_port = FP_PORT_MAX;
	REFUSED(sizeof(rq) + 60, pool, -EINVAL); /* port out of range */
	rq.in_port = 0;
	REFUSED(sizeof(rq) + 60, NULL, -EOPNOTSUPP); /* no pool */
	rq.len = 3000;
	REFUSED(sizeof(rq) + 3000, pool, -EMSGSIZE); /* larger than an mbuf */
#undef REFUSED
	/* An unconfigured port is no error: a trace that says so. */
	rq.len = 60;
	memcpy(req, &rq, sizeof(rq));
	assert_int_equal(
		fp_ctl_trace_run(t, pool, req, sizeof(rq) + 60, &reply, &size, err, sizeof(err)),
		0);
	assert_non_null(reply);
	{
		struct fp_ctl_trace h;

		memcpy(&h, reply, sizeof(h));
		assert_int_equal(h.drop, FP_DROP_PORT_UNCONFIGURED);
		assert_int_equal(h.n_out, 0);
	}
	free(reply);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	fp_ftables_free(t);
}

/* The routing cases that share one table set (gen_cases.py route_world())
 * and enter on VM port 0, run as one burst: the routing step's per-burst
 * cache (dataplane/route.h) must give every packet what it gets alone.
 * rt_local_v4 comes twice (a cache hit), next to other destinations,
 * families and verdicts.
 */
static void
test_cases_route_burst(void **state)
{
	static const char *const names[] = {
		"rt_local_v4", "rt_vtep_v4",	    "rt_local_v4",	   "rt_ttl1_v4",
		"rt_local_v6", "rt_vtep_v6",	    "rt_nexthop_v4",	   "rt_no_route_v4",
		"rt_local_v4", "rt_ping_router_v4", "rt_neigh_missing_v4", "rt_too_big_v4",
		"rt_hlim1_v6", "rt_exact_mtu_v4",   "rt_vtep_v4",	   "rt_blackhole_v4",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	struct fp_case c[N], all;
	struct rte_mbuf *pkts[N];
	struct fp_report r = { .name = "route_burst" };
	struct fp_pipe_out *out = calloc(1, sizeof(*out));
	struct fp_frame_list {
		struct fp_case_frame f[4 * N];
	} *exp = calloc(1, sizeof(*exp));
	struct fp_pipeline p;
	struct fp_ftables *t;
	const char *root = getenv("FP_SRCDIR");
	uint32_t i, k, n_out = 0, n_drop = 0;
	char path[PATH_MAX], err[512];

	(void)state;
	assert_non_null(out);
	assert_non_null(exp);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/tests/cases/%s.case", root ? root : ".", names[i]);
		if (fp_case_load(path, &c[i], err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(c[i].in.port, 0);
		for (k = 0; k < c[i].n_outs; k++)
			exp->f[n_out++] = c[i].outs[k];
		n_drop += c[i].verdict == FP_CASE_VERDICT_DROP;
	}
	t = tables_build(&c[0], &r);
	assert_non_null(t);
	assert_int_equal(txns_apply(&c[0], t, 0, c[0].n_txns, &r), 0);
	fp_pipeline_init(&p, t, pool);
	for (i = 0; i < N; i++) {
		pkts[i] = rte_pktmbuf_alloc(pool);
		assert_non_null(pkts[i]);
		memcpy(rte_pktmbuf_append(pkts[i], (uint16_t)c[i].in.len), c[i].in.data,
		       c[i].in.len);
	}
	fp_pipeline_run_burst(&p, 0, pkts, N, out);
	/* The expected outputs, in packet order, as one case's. */
	all = c[0];
	all.outs = exp->f;
	all.n_outs = n_out;
	check_outputs(&all, out, &r);
	assert_int_equal(p.stats.n[FP_STAT_RX], N);
	assert_int_equal(p.stats.n[FP_STAT_DROP], n_drop);
	assert_int_equal(p.stats.n[FP_STAT_TX] + p.stats.n[FP_STAT_DROP], N);
	for (i = 0; i < out->n; i++)
		rte_pktmbuf_free(out->pkts[i]);
	for (i = 0; i < N; i++)
		fp_case_free(&c[i]);
	fp_ftables_free(t);
	free(out);
	free(exp);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	if (r.n)
		fail_msg("route_burst: %u mismatch(es)", r.n);
}

/* ICMP error rate limit (guard.icmp_pps, icmp_burst): cases whose one
 * packet draws one ICMP error (the routing step's time exceeded, hop
 * limit, unreachable, too big; the tunnel's too big) run as one burst of
 * N copies with a bucket of 5 at 1 error/s: the burst sends exactly 5
 * errors (the case's expected one each), counts the N - 5 others
 * icmp_rate_limited, and drops every copy with the case's reason.  The
 * next burst, 2 s of credit later (the bucket's last time moved back),
 * sends 2; with icmp_pps 0 every copy gets its error.
 */
static void
test_cases_icmp_rate_limit(void **state)
{
	static const char *const names[] = {
		"rt_ttl1_v4",	 "rt_hlim1_v6",		 "rt_no_route_v4",
		"rt_too_big_v6", "rt_tunnel_too_big_v4", "vm_too_big_v4_df",
	};
	enum { N = 20, BURST = 5 };
	static const uint32_t pps[] = { 1, 0 };
	struct fp_report r = { .name = "icmp_rate_limit" };
	struct fp_pipe_out *out = calloc(1, sizeof(*out));
	const char *root = getenv("FP_SRCDIR");
	struct rte_mbuf *pkts[N];
	struct fp_pipeline p;
	struct fp_ftables *t;
	struct fp_case c;
	char path[PATH_MAX], err[512];
	uint32_t i, k, j, want, round;

	(void)state;
	assert_non_null(out);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		snprintf(path, sizeof(path), "%s/tests/cases/%s.case", root ? root : ".", names[k]);
		if (fp_case_load(path, &c, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(c.n_outs, 1);
		assert_true(c.n_stats >= 1); /* the first: the error's counter */
		assert_int_equal(c.verdict, FP_CASE_VERDICT_DROP);
		for (j = 0; j < sizeof(pps) / sizeof(pps[0]); j++) {
			c.guard.icmp_pps = pps[j];
			c.guard.icmp_burst = BURST;
			t = tables_build(&c, &r);
			assert_non_null(t);
			assert_int_equal(txns_apply(&c, t, 0, c.n_txns, &r), 0);
			fp_pipeline_init(&p, t, pool);
			for (round = 0; round < (pps[j] ? 2U : 1U); round++) {
				/* Round 1: 2 s of credit since round 0. */
				if (round == 1)
					p.icmp_bucket.last_ns -= 2000000000ULL;
				want = pps[j] == 0 ? N : round == 0 ? BURST : 2;
				for (i = 0; i < N; i++) {
					pkts[i] = rte_pktmbuf_alloc(pool);
					assert_non_null(pkts[i]);
					memcpy(rte_pktmbuf_append(pkts[i], (uint16_t)c.in.len),
					       c.in.data, c.in.len);
				}
				memset(&p.stats, 0, sizeof(p.stats));
				out->n = 0;
				fp_pipeline_run_burst(&p, (uint16_t)c.in.port, pkts, N, out);
				if (out->n != want)
					fp_mismatch(
						&r,
						"%s icmp_pps %u round %u: %u errors, expected %u",
						c.name, pps[j], round, out->n, want);
				for (i = 0; i < out->n; i++) {
					if (i < want &&
					    (out->port[i] != c.outs[0].port ||
					     rte_pktmbuf_pkt_len(out->pkts[i]) != c.outs[0].len ||
					     memcmp(rte_pktmbuf_mtod(out->pkts[i], void *),
						    c.outs[0].data, c.outs[0].len) != 0))
						fp_mismatch(&r, "%s: error %u is not the case's",
							    c.name, i);
					rte_pktmbuf_free(out->pkts[i]);
				}
				if (p.stats.n[c.stats[0].id] != want ||
				    p.stats.n[FP_STAT_ICMP_RATE_LIMITED] != N - want ||
				    p.stats.drop[c.drop] != N || p.stats.n[FP_STAT_DROP] != N)
					fp_mismatch(&r,
						    "%s icmp_pps %u round %u: sent %" PRIu64
						    ", icmp_rate_limited %" PRIu64
						    ", dropped %" PRIu64 " (expected %u, %u, %u)",
						    c.name, pps[j], round, p.stats.n[c.stats[0].id],
						    p.stats.n[FP_STAT_ICMP_RATE_LIMITED],
						    p.stats.drop[c.drop], want, N - want, N);
			}
			fp_ftables_free(t);
			assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
		}
		fp_case_free(&c);
	}
	free(out);
	if (r.n)
		fail_msg("icmp_rate_limit: %u mismatch(es)", r.n);
}

static void
test_cases_none(void **state)
{
	(void)state;
	fail_msg("no *.case files found; set FP_SRCDIR to the project root");
}

static int
group_setup(void **state)
{
	char prefix[64];
	char *argv[] = { "test_cases", "--no-huge",	      "--no-shconf",   "--no-pci", "-l",
			 "0",	       "--log-level=*:error", "--file-prefix", prefix,	   NULL };

	(void)state;
	snprintf(prefix, sizeof(prefix), "fp_cases_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		print_error("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	pool = rte_pktmbuf_pool_create("fp_cases", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	punt_ring = rte_ring_create("fp_cases_punt", 64, (int)rte_socket_id(),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || punt_ring == NULL) {
		print_error("rte_pktmbuf_pool_create / rte_ring_create: %s\n",
			    rte_strerror(rte_errno));
		rte_eal_cleanup();
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rte_ring_free(punt_ring);
	punt_ring = NULL;
	rte_mempool_free(pool);
	pool = NULL;
	rte_eal_cleanup();
	return 0;
}

static int
case_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".case") == 0;
}

int
main(void)
{
	const char *root = getenv("FP_SRCDIR");
	struct CMUnitTest *tests;
	struct case_test *cts;
	struct dirent **names = NULL;
	char dir[PATH_MAX];
	int n, i, rc;

	if (root == NULL || *root == '\0')
		root = ".";
	snprintf(dir, sizeof(dir), "%s/tests/cases", root);
	n = scandir(dir, &names, case_filter, alphasort);
	if (n <= 0) {
		const struct CMUnitTest none[] = {
			cmocka_unit_test(test_cases_none),
		};

		free(names);
		return cmocka_run_group_tests_name("cases", none, NULL, NULL);
	}
	tests = calloc((size_t)n + 3, sizeof(*tests));
	cts = calloc((size_t)n, sizeof(*cts));
	if (tests == NULL || cts == NULL) {
		fprintf(stderr, "test_cases: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name) - 5;

		snprintf(cts[i].path, sizeof(cts[i].path), "%s/%s", dir, names[i]->d_name);
		if (len >= sizeof(cts[i].name))
			len = sizeof(cts[i].name) - 1;
		memcpy(cts[i].name, names[i]->d_name, len);
		cts[i].name[len] = '\0';
		tests[i].name = cts[i].name;
		tests[i].test_func = test_cases_run;
		tests[i].initial_state = &cts[i];
		free(names[i]);
	}
	free(names);
	tests[n].name = "trace_refused";
	tests[n].test_func = test_cases_trace_refused;
	tests[n + 1].name = "route_burst";
	tests[n + 1].test_func = test_cases_route_burst;
	tests[n + 2].name = "icmp_rate_limit";
	tests[n + 2].test_func = test_cases_icmp_rate_limit;
	/* cmocka_run_group_tests_name() takes a static array; this list is
	 * built from the directory, so call what the macro expands to.
	 */
	rc = _cmocka_run_group_tests("cases", tests, (size_t)n + 3, group_setup, group_teardown);
	free(tests);
	free(cts);
	return rc;
}
