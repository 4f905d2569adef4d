/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's slow path (doc/routing.md "The slow path"): the frames the
 * workers punt (DHCPv4, DHCPv6, router solicitations of VM ports that have
 * an entry) answered on the main lcore from the dhcp, dhcp6 and ra tables
 * by lib/dhcp4.c, lib/dhcp6.c and lib/ra.c, and the periodic unsolicited
 * router advertisements of every ra entry.
 *
 * Rings: per worker a punt ring (the worker produces, the main lcore
 * consumes; slowpath.queue frames; the pipeline's token bucket and
 * punt_full / punt_rate drops are the worker's side, pipeline.h) and an
 * inject ring (the main lcore produces answers, the worker consumes them
 * and sends them on its own tx queue of the answer's port, as any frame it
 * forwards): the main lcore never touches a device queue, so this works
 * with every PMD (net_af_packet, net_tap, net_ring, net_null, NICs) and
 * needs no extra tx queue.  An answer goes back through the worker that
 * punted the request; periodic RAs through the first worker.  The logical
 * port of a punted frame and of an answer is in mbuf hash.usr.
 *
 * Concurrency: fp_slowpath_run() runs on the main lcore, which is also the
 * tables' one writer (the control socket's commits): between its commits
 * nothing it reads is freed, so it reads the tables without a QSBR
 * report.  The counters are written by the main lcore only.
 */
#ifndef FP_SLOWPATH_H
#define FP_SLOWPATH_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

#include "dhcp4.h"
#include "dhcp6.h"
#include "ftable.h"
#include "ra.h"

#define FP_SLOWPATH_WORKER_MAX 16   /* workers served */
#define FP_SLOWPATH_RUN_MAX 256	    /* frames answered per fp_slowpath_run() */
#define FP_SLOWPATH_IDLE_MAX_MS 20  /* longest wait between runs when idle */
#define FP_SLOWPATH_RA_NET_MAX 1024 /* networks with periodic RAs tracked */
#define FP_SLOWPATH_QUEUE_MIN 16    /* smallest ring */
#define FP_SLOWPATH_QUEUE_MAX 65536 /* largest ring */

/* The slow path's counters (main lcore). */
struct fp_slowpath_stats {
	uint64_t dhcp4[FP_DHCP4_MAX]; /* outcomes of fp_dhcp4_answer() */
	uint64_t dhcp6[FP_DHCP6_MAX]; /* outcomes of fp_dhcp6_answer() */
	uint64_t ra[FP_RA_MAX];	      /* outcomes of fp_ra_answer() */
	uint64_t no_entry;	      /* punted, its entry gone since */
	uint64_t ra_periodic;	      /* unsolicited RAs sent (one per port) */
	uint64_t sent;		      /* answers handed to a worker */
	uint64_t inject_full;	      /* answers dropped: the worker's inject ring was full */
	uint64_t no_mbuf;	      /* answers dropped: no mbuf */
	uint32_t ra_nets_over;	      /* ra networks beyond FP_SLOWPATH_RA_NET_MAX at the
				       * last commit: no periodic RAs */
	uint32_t ra_over_logged;      /* ra_nets_over was logged once */
};

/* A network with periodic RAs. */
struct fp_slowpath_ra_net {
	uint32_t vni;	  /* network id */
	uint32_t n_sent;  /* unsolicited RAs sent */
	uint64_t next_ns; /* when the next is due */
};

struct fp_slowpath {
	const struct fp_ftables *t;			 /* tables (the main lcore writes them) */
	struct rte_mempool *mp;				 /* answers' mbufs */
	uint32_t n_workers;				 /* rings in use */
	uint32_t idle_ms;				 /* current wait when idle */
	struct rte_ring *punt[FP_SLOWPATH_WORKER_MAX];	 /* worker -> main lcore */
	struct rte_ring *inject[FP_SLOWPATH_WORKER_MAX]; /* main lcore -> worker */
	uint64_t ra_gen;				 /* table generation ra_nets is of */
	uint32_t n_ra_nets;				 /* valid ra_nets */
	uint32_t rnd;					 /* xorshift state for fp_ra_next_ms() */
	struct fp_slowpath_ra_net ra_nets[FP_SLOWPATH_RA_NET_MAX]; /* periodic RAs */
	struct fp_slowpath_stats stats;				   /* counters */
};

/**
 * Create the rings of n_workers workers.
 *
 * @param sp	    filled in
 * @param name	    prefix of the ring names (unique per process)
 * @param t	    the tables
 * @param mp	    mempool for answers
 * @param n_workers workers (1..FP_SLOWPATH_WORKER_MAX)
 * @param queue	    frames per ring (FP_SLOWPATH_QUEUE_MIN..MAX)
 * @param socket_id NUMA socket
 * @return 0, -EINVAL, or -ENOMEM (rte_errno's reason logged by DPDK)
 */
int fp_slowpath_init(struct fp_slowpath *sp, const char *name, const struct fp_ftables *t,
		     struct rte_mempool *mp, uint32_t n_workers, uint32_t queue, int socket_id);

/** Free the rings and the frames still in them. */
void fp_slowpath_free(struct fp_slowpath *sp);

/**
 * Answer what the workers punted (at most FP_SLOWPATH_RUN_MAX frames) and
 * send the periodic RAs that are due.  Never waits.
 *
 * @param sp     the slow path
 * @param now_ns CLOCK_MONOTONIC nanoseconds
 * @return milliseconds the caller may wait before the next run: 1 while
 *	   frames arrive, doubling up to FP_SLOWPATH_IDLE_MAX_MS when idle,
 *	   and no later than the next periodic RA
 */
uint32_t fp_slowpath_run(struct fp_slowpath *sp, uint64_t now_ns);

/**
 * Answer one punted frame (what fp_slowpath_run() does with each): look
 * the entry up, answer, enqueue the answer on inject; the frame is freed.
 *
 * @param sp     the slow path
 * @param m      the frame, its logical port in hash.usr
 * @param inject the ring the answer goes to
 * @return 1 if an answer was enqueued, else 0
 */
int fp_slowpath_answer(struct fp_slowpath *sp, struct rte_mbuf *m, struct rte_ring *inject);

/**
 * The counters as the control socket's SLOWPATH_REPLY gives them.
 *
 * @param sp  the slow path
 * @param out filled in (queue and pps are the caller's)
 */
void fp_slowpath_report(const struct fp_slowpath *sp, struct fp_ctl_slowpath *out);

/** Frames waiting in the punt rings (all workers). */
uint32_t fp_slowpath_queued(const struct fp_slowpath *sp);

#endif /* FP_SLOWPATH_H */
