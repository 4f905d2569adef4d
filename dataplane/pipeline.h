/* SPDX-License-Identifier: BSD-3-Clause */
/* The forwarding pipeline: parse -> classify -> act, one burst at a time.
 *
 * fp_pipeline_run_burst() takes a burst received on one logical port and
 * decides the fate of every packet: transmitted on one or more logical
 * ports (appended to struct fp_pipe_out, which the I/O layer turns into
 * per-port tx buffers), dropped with exactly one FP_DROP_* reason (freed
 * here), or punted.  It makes every forwarding decision; the I/O layer
 * makes none.  Counters: rx == tx + drop + punt after every burst.
 *
 * Concurrency: one struct fp_pipeline per worker lcore, written only by
 * that lcore.  Table lookups are lock-free; the caller reports an RCU
 * quiescent state between bursts (see ftable.h).
 *
 * Security groups: a filtered port's packets pass the step of sg.h
 * (egress after the VM port's checks, ingress before each delivery to the
 * port); the connection table is the tables' (fp_ftables_ct_attach()).
 * The clock and the security-group generation are read once per burst,
 * at its first filtered packet.
 *
 * Storm control: floods from a VM port pass a token bucket per port kept
 * in each worker's pipeline (no sharing, no atomics): a port whose queues
 * several workers poll floods at most that many times the configured
 * rate.
 *
 * Slow path (doc/routing.md "The slow path"): a frame from a VM port
 * that has an answer in the slow path's tables (DHCPv4 to UDP 67 with the
 * port's dhcp entry, DHCPv6 to UDP 547 with its dhcp6 entry, a router
 * solicitation with its network's ra entry), after the port's checks and
 * egress security groups, is punted: enqueued on this lcore's ring
 * (fp_pipeline_punt_attach()) with its logical port in mbuf hash.usr,
 * through a token bucket per port (punt_pps a second, as many at once).
 * An empty bucket drops it as punt_rate, a full ring as punt_full; the
 * lcore never waits.  A punted frame counts punt.  Without a ring (and
 * outside a trace) nothing is punted: the frame goes its way as before.
 *
 * Trace: every per-packet step takes a struct fp_trace pointer that is the
 * constant NULL in fp_pipeline_run_burst() (the step records compile away)
 * and a record in fp_pipeline_trace(), which runs the same code on one
 * frame and records each step it takes (STYLE 6: one template, constant
 * flags).
 */
#ifndef FP_PIPELINE_H
#define FP_PIPELINE_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

#include "ftable.h"
#include "route.h"
#include "sg.h"

#define FP_BURST 32
#define FP_PREFETCH_OFFSET 4
/* Output slots: every packet of a burst may flood to every member. */
#define FP_PIPE_OUT_MAX (FP_BURST * (FP_FLOOD_MEMBER_MAX + 1))
/* fp_pipeline_stats_read(): longest wait for a busy lcore's copy */
#define FP_STATS_READ_WAIT_MS 100

/* Per-lcore counters, ids from FP_FOREACH_STAT / FP_FOREACH_DROP.  The
 * owning lcore makes seq odd while a burst updates them and even again
 * after (a seqlock), so a copy taken while seq stays even is a snapshot in
 * which rx == tx + drop + punt holds.  A busy lcore keeps seq odd nearly
 * all the time, so fp_pipeline_stats_read() asks it for a copy instead
 * (struct fp_stats_snap).
 */
struct fp_stats {
	uint64_t seq;				      /* odd while a burst is counted */
	uint64_t n[FP_STAT_MAX];		      /* FP_STAT_* */
	uint64_t drop[FP_DROP_MAX];		      /* FP_DROP_* */
	uint64_t sg_drop[FP_PORT_MAX][FP_SG_DIR_MAX]; /* security-group drops per port, dir */
} __rte_cache_aligned;

/* A copy of the counters that the owning lcore publishes when asked: a
 * reader bumps req; at the end of its next burst the lcore sees req !=
 * done (one relaxed load of req's line, written only by readers), copies
 * its counters into s under s.seq (a seqlock of its own, quiet between
 * requests) and sets done = req.
 */
struct fp_stats_snap {
	uint64_t req __rte_cache_aligned;  /* readers: bumped to ask for a copy */
	uint64_t done __rte_cache_aligned; /* owning lcore: the req last answered */
	struct fp_stats s;		   /* the copy; s.seq odd while written */
};

/* What a burst produced: packets and the logical port each leaves on. */
struct fp_pipe_out {
	uint16_t n;				/* used slots */
	uint16_t port[FP_PIPE_OUT_MAX];		/* logical port ids */
	struct rte_mbuf *pkts[FP_PIPE_OUT_MAX]; /* packets to send */
};

/* A VM port's storm-control bucket in one worker (pipeline.c storm_pass()). */
struct fp_storm {
	uint64_t credit_ns; /* time credit left after the last flood */
	uint64_t last_ns;   /* the last flood's time; 0: never */
};

struct fp_pipeline {
	/* Fields used in lookup */
	const struct fp_ftables *t;  /* tables (shared, read-only here) */
	struct rte_mempool *mp;	     /* for flood copies and ICMP errors */
	uint64_t now_ns;	     /* this burst's time (read at its first filtered packet) */
	uint64_t sg_gen;	     /* fp_ftables_sg_gen() read with now_ns */
	struct fp_sg_burst sg_burst; /* connections this burst changed */
	struct fp_stats stats;	     /* this lcore's counters */
	struct fp_stats_snap snap;   /* copies of stats for readers */
	struct fp_storm storm[FP_PORT_MAX];	  /* storm control by VM port, this lcore's */
	struct fp_route_cache rt_cache;		  /* the routing step's lookups, this burst's */
	struct rte_ring *punt;			  /* the slow path's ring of this lcore, or NULL */
	uint32_t punt_pps;			  /* punts per second per port (bucket size too) */
	uint32_t pad;				  /* zero */
	struct fp_storm punt_bucket[FP_PORT_MAX]; /* punt rate by VM port, this lcore's */
	struct fp_storm icmp_bucket;		  /* ICMP errors sent, this lcore's */
};

/**
 * Initialise a pipeline for one lcore.
 *
 * @param p  pipeline to fill
 * @param t  tables
 * @param mp mempool for packets the pipeline creates
 */
void fp_pipeline_init(struct fp_pipeline *p, const struct fp_ftables *t, struct rte_mempool *mp);

/**
 * Give a pipeline the ring its lcore punts to (before it runs).
 *
 * @param p    the pipeline
 * @param ring single-producer ring the slow path drains
 * @param pps  punts per second per VM port (and the bucket's size), > 0
 */
void fp_pipeline_punt_attach(struct fp_pipeline *p, struct rte_ring *ring, uint32_t pps);

/**
 * May this lcore send one more ICMP error (time exceeded, unreachable,
 * too big)?  Its token bucket (guard.icmp_pps a second, up to
 * guard.icmp_burst at once; icmp_pps 0: always).  When not, counts
 * icmp_rate_limited: the caller then builds no error.  A trace (tr not
 * NULL, a private pipeline) takes nothing from the bucket.
 *
 * @param p  this lcore's pipeline
 * @param tr a trace record, or NULL
 * @return 1: send it, 0: do not
 */
int fp_pipeline_icmp_take(struct fp_pipeline *p, struct fp_trace *tr);

/**
 * Run a burst received on one logical port.
 *
 * @param p	  this lcore's pipeline
 * @param in_port logical port the burst came from
 * @param pkts	  received packets; all are consumed (sent via out or freed)
 * @param n	  number of packets, at most FP_BURST
 * @param out	  packets to transmit are appended (out->n is not reset)
 * @return number of packets appended to out
 */
uint16_t fp_pipeline_run_burst(struct fp_pipeline *p, uint16_t in_port, struct rte_mbuf *pkts[],
			       uint16_t n, struct fp_pipe_out *out);

/* One frame's trace: the steps the pipeline took, in order. */
struct fp_trace {
	struct fp_ctl_trace hdr;			       /* drop reason, counts */
	struct fp_ctl_trace_step steps[FP_CTL_TRACE_STEP_MAX]; /* hdr.n_steps used */
};

/**
 * Add a step to a trace record (for the steps in modules of their own,
 * such as dataplane/route.c).
 *
 * @param tr   the record
 * @param step FP_TRACE_*
 * @param fmt  printf format of the step's text
 */
void fp_pipeline_trace_add(struct fp_trace *tr, uint16_t step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Run one frame through the pipeline, as fp_pipeline_run_burst() would,
 * and record every step it takes in tr.  The frame's copies and replies
 * are appended to out, not sent; the counters are p's.  The caller gives
 * a pipeline of its own (not a worker's), so that the data counters do
 * not move, and holds the tables as a reader would.
 *
 * @param p	  a private pipeline over the live tables
 * @param in_port logical port the frame arrives on
 * @param m	  the frame; consumed (appended to out or freed)
 * @param out	  receives the frames the pipeline would send
 * @param tr	  filled in (hdr.drop FP_DROP_MAX if nothing was dropped)
 * @return number of frames appended to out
 */
uint16_t fp_pipeline_trace(struct fp_pipeline *p, uint16_t in_port, struct rte_mbuf *m,
			   struct fp_pipe_out *out, struct fp_trace *tr);

/**
 * Read another lcore's counters consistently (as they were between two of
 * its bursts).  Takes them directly when the lcore is between bursts (idle
 * or sleeping), else asks it for a copy (struct fp_stats_snap) and waits,
 * sleeping, for at most FP_STATS_READ_WAIT_MS.  For a control thread, not
 * a worker: it may sleep.  Several readers may read at once.
 *
 * @param p   the pipeline
 * @param out receives the counters
 * @return 0, or -EBUSY if the lcore neither paused between bursts nor
 *	   answered in time (stuck inside a burst; out is then no snapshot)
 */
int fp_pipeline_stats_read(const struct fp_pipeline *p, struct fp_stats *out);

/**
 * Add another lcore's counters, read with fp_pipeline_stats_read(), to
 * sum (n, drop, sg_drop; seq is left alone): a sum over lcores whose every
 * term is a snapshot, in which rx == tx + drop + punt holds.  When the
 * read fails the live counters are added as they are (perhaps mid-burst).
 * For a control thread, not a worker: it may sleep.
 *
 * @param p   the pipeline
 * @param sum receives the counters added
 * @return 0, or -EBUSY (what was added is no snapshot)
 */
int fp_pipeline_stats_add(const struct fp_pipeline *p, struct fp_stats *sum);

#endif /* FP_PIPELINE_H */
