/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's I/O layer: ports, queues and the worker lcore loop.
 *
 * Every configured port is probed from its devargs (any ethdev: PCI NICs,
 * net_vhost, net_af_packet, net_tap, net_pcap, net_ring, net_null),
 * configured with the configured rx queues and one tx queue per worker,
 * and started.  A worker polls its (port, queue) list: rx burst ->
 * fp_pipeline_run_burst() -> per-port tx buffers, flushed when full or on
 * the drain timer.  It reports an RCU quiescent state once per loop and,
 * in adaptive idle mode, goes offline and sleeps (doubling up to the
 * configured maximum) after a run of empty polls.  It makes no forwarding
 * decision: the pipeline does.  It also sends what the slow path
 * answered (its inject ring, dataplane/slowpath.h) on its own tx queues.
 *
 * Concurrency: struct fp_worker is written by its own lcore only; the
 * main lcore reads its counters (64-bit loads) for STATS.
 */
#ifndef FP_IO_H
#define FP_IO_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>

#include "config.h"
#include "pipeline.h"

/* A configured port once probed. */
struct fp_io_port {
	uint16_t dpdk_port;	 /* DPDK port id */
	uint16_t role;		 /* FP_PORT_ROLE_* */
	uint16_t mtu;		 /* configured MTU */
	uint16_t pad;		 /* zero */
	uint8_t mac[6];		 /* device MAC */
	uint8_t pad2[2];	 /* zero */
	char name[FP_NAME_SIZE]; /* config name */
};

struct fp_worker {
	struct fp_pipeline pipe;			/* pipeline state and stats */
	struct fp_pipe_out out;				/* one burst's output */
	struct rte_eth_dev_tx_buffer *txb[FP_PORT_MAX]; /* per logical port */
	uint64_t port_rx[FP_PORT_MAX];			/* packets received */
	uint64_t port_tx[FP_PORT_MAX];			/* packets the device took */
	uint64_t port_tx_drop[FP_PORT_MAX];		/* refused by the device */
	uint64_t idle_sleeps;				/* adaptive idle sleeps */
	const struct fp_config_worker *cfg;		/* (port, queue) list */
	const struct fp_io_port *ports;			/* all ports, by logical id */
	uint32_t n_ports;				/* configured ports */
	uint32_t lcore;					/* lcore id */
	uint16_t txq;					/* tx queue on every port */
	uint16_t pad;					/* zero */
	uint32_t rcu_id;				/* QSBR thread id */
	struct rte_rcu_qsbr *rcu;			/* tables' QSBR variable */
	uint32_t idle_mode;				/* FP_IDLE_* */
	uint32_t idle_empty_polls;			/* empty polls before sleeping */
	uint32_t idle_max_sleep_us;			/* longest sleep */
	uint64_t drain_tsc;				/* tx drain period in TSC */
	struct rte_ring *inject; /* the slow path's answers to send (slowpath.h), or NULL */
	uint64_t injected;	 /* answers taken from inject */
} __rte_cache_aligned;

/**
 * Probe, configure and start every configured port.
 *
 * @param cfg	    the config
 * @param mp	    rx mempool
 * @param n_txq	    tx queues per port (one per worker)
 * @param ports	    filled, indexed by logical port id
 * @return 0, or a negative errno (logged, naming the port)
 */
int fp_io_ports_start(const struct fp_config *cfg, struct rte_mempool *mp, uint16_t n_txq,
		      struct fp_io_port *ports);

/** Stop and close the ports that were started. */
void fp_io_ports_stop(const struct fp_config *cfg, struct fp_io_port *ports);

/**
 * Prepare a worker: pipeline, tx buffers (freed by fp_io_worker_free()).
 *
 * @return 0, or -ENOMEM
 */
int fp_io_worker_init(struct fp_worker *w, const struct fp_config *cfg, uint32_t index,
		      const struct fp_io_port *ports, const struct fp_ftables *t,
		      struct rte_mempool *mp, struct rte_rcu_qsbr *rcu);

/** Free a worker's tx buffers (after it stopped). */
void fp_io_worker_free(struct fp_worker *w);

/**
 * The worker lcore's main loop, for rte_eal_remote_launch(); runs until
 * *quit becomes non-zero.
 *
 * @param arg a struct fp_worker
 */
int fp_io_worker_main(void *arg);

/** Set by the signal handler; read by the loops. */
extern volatile int fp_io_quit;

#endif /* FP_IO_H */
