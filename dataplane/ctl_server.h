/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's control socket server (include/flowplane/ctl.h).
 *
 * Runs on the main lcore only: fp_ctl_server_poll() accepts clients,
 * reads complete frames, stages SET/DEL into the client's transaction
 * (struct fp_txn) and applies it with fp_ftables_commit() on COMMIT.
 * Each client has its own transaction; a client that disconnects loses
 * its uncommitted changes.  Malformed frames get a REPLY with a negative
 * status and the client is disconnected if the stream cannot be resynced
 * (bad magic, version, or oversized length).  The workers are never paused.
 */
#ifndef FP_CTL_SERVER_H
#define FP_CTL_SERVER_H

#include <stdint.h>

#include <flowplane/ctl.h>

#include <rte_mempool.h>

#include "ftable.h"

/* Fills the STATS_REPLY blocks; provided by the I/O layer. */
struct fp_ctl_server_ops {
	/* Fill at most max_w worker blocks and max_p port blocks; set the
	 * numbers filled.  Returns 0 or a negative errno.
	 */
	int (*stats)(void *arg, struct fp_ctl_worker_stats *w, uint32_t max_w, uint32_t *n_w,
		     struct fp_ctl_port_stats *p, uint32_t max_p, uint32_t *n_p);
	/* SLOWPATH: the slow path's counters; NULL: SLOWPATH refused */
	int (*slowpath)(void *arg, struct fp_ctl_slowpath *out);
	void *arg;		      /* passed to stats and slowpath */
	struct rte_mempool *trace_mp; /* mbufs for TRACE; NULL: TRACE refused */
};

struct fp_ctl_server;

/**
 * Create the server and listen on a Unix stream socket (mode 0600; the
 * parent directory is created if missing; a stale socket file is replaced).
 *
 * @param path	    socket path
 * @param t	    tables to serve
 * @param host	    host name for HELLO
 * @param n_ports   configured ports (HELLO)
 * @param n_workers worker lcores (HELLO)
 * @param ops	    stats provider
 * @return the server, or NULL with errno set
 */
struct fp_ctl_server *fp_ctl_server_create(const char *path, struct fp_ftables *t, const char *host,
					   uint32_t n_ports, uint32_t n_workers,
					   const struct fp_ctl_server_ops *ops);

/**
 * Serve: wait up to timeout_ms for activity and handle what arrived.
 *
 * @return 0, or a negative errno on a listening-socket failure
 */
int fp_ctl_server_poll(struct fp_ctl_server *s, int timeout_ms);

/**
 * Set the idle rules (defaults: 120000 and 5000 ms): a client that sends
 * nothing for idle_ms is closed; when every slot is taken, a new client
 * takes the slot of the one idle longest if it is idle evict_ms at least.
 */
void fp_ctl_server_idle_set(struct fp_ctl_server *s, uint32_t idle_ms, uint32_t evict_ms);

/** Close every client, remove the socket file, free.  Accepts NULL. */
void fp_ctl_server_free(struct fp_ctl_server *s);

#endif /* FP_CTL_SERVER_H */
