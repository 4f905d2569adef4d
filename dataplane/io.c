/* SPDX-License-Identifier: BSD-3-Clause */
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_log.h>
#include <rte_malloc.h>

#define FP_IO_SLEEP_MIN_US 1

volatile int fp_io_quit;

static int fp_io_logtype = RTE_LOGTYPE_USER1;

#define IO_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, fp_io_logtype, "fp.io: " fmt "\n", ##__VA_ARGS__)

RTE_INIT(fp_io_log_init)
{
	int t = rte_log_register_type_and_pick_level("user.fp.io", RTE_LOG_INFO);

	if (t >= 0)
		fp_io_logtype = t;
}

/* The ethdev name a devargs string creates: what precedes the first ','. */
static void
devargs_name(const char *devargs, char *name, size_t size)
{
	size_t n = strcspn(devargs, ",");

	if (n >= size)
		n = size - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int
port_start(const struct fp_config_port *pc, uint32_t id, struct rte_mempool *mp, uint16_t n_txq,
	   struct fp_io_port *io)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid, q;
	int rc;

	devargs_name(pc->devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		rc = rte_dev_probe(pc->devargs);
		if (rc < 0) {
			IO_LOG(ERR, "port %u (%s): cannot probe '%s': %s", id, pc->name,
			       pc->devargs, strerror(-rc));
			return rc;
		}
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			IO_LOG(ERR, "port %u (%s): '%s' probed but no ethdev named '%s'", id,
			       pc->name, pc->devargs, name);
			return -ENODEV;
		}
	}
	/* Known from here on, so fp_io_ports_stop() closes it whatever
	 * fails next (a device holds mbufs of the mempool).
	 */
	io->dpdk_port = pid;
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		goto err;
	if (pc->n_rxq > info.max_rx_queues || n_txq > info.max_tx_queues) {
		IO_LOG(ERR, "port %u (%s): needs %u rx and %u tx queues, device has %u and %u", id,
		       pc->name, pc->n_rxq, n_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(pid, pc->n_rxq, n_txq, &conf);
	if (rc != 0)
		goto err;
	rc = rte_eth_dev_set_mtu(pid, pc->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		IO_LOG(WARNING,
		       "port %u (%s): the device refused MTU %u (%s); tunnels are still sized for "
		       "%u: make sure the device really carries such frames",
		       id, pc->name, pc->mtu, strerror(-rc), pc->mtu);
	for (q = 0; q < pc->n_rxq; q++) {
		uint16_t nb = pc->rx_desc;

		rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb, NULL);
		if (rc == 0)
			rc = rte_eth_rx_queue_setup(pid, q, nb, rte_eth_dev_socket_id(pid), NULL,
						    mp);
		if (rc != 0)
			goto err;
	}
	for (q = 0; q < n_txq; q++) {
		uint16_t nb = pc->tx_desc;

		rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, NULL, &nb);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, nb, rte_eth_dev_socket_id(pid), NULL);
		if (rc != 0)
			goto err;
	}
	if (pc->has_mac) {
		memcpy(mac.addr_bytes, pc->mac, 6);
		rc = rte_eth_dev_default_mac_addr_set(pid, &mac);
		if (rc == -ENOTSUP) {
			/* The port is promiscuous and the pipeline compares
			 * and writes MACs itself: the configured MAC works in
			 * software.
			 */
			IO_LOG(WARNING,
			       "port %u (%s): the device cannot change its MAC; using " RTE_ETHER_ADDR_PRT_FMT
			       " in software",
			       id, pc->name, RTE_ETHER_ADDR_BYTES(&mac));
		} else if (rc != 0) {
			IO_LOG(ERR, "port %u (%s): cannot set MAC " RTE_ETHER_ADDR_PRT_FMT ": %s",
			       id, pc->name, RTE_ETHER_ADDR_BYTES(&mac), strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		goto err;
	/* VM ports carry frames for other MACs; underlay ports need
	 * multicast for IPv6 neighbour discovery.
	 */
	rc = rte_eth_promiscuous_enable(pid);
	if (rc != 0 && rc != -ENOTSUP)
		IO_LOG(WARNING, "port %u (%s): promiscuous mode: %s", id, pc->name, strerror(-rc));
	if (pc->has_mac)
		memcpy(mac.addr_bytes, pc->mac, 6);
	else if ((rc = rte_eth_macaddr_get(pid, &mac)) != 0)
		goto err;
	io->role = pc->role;
	io->mtu = pc->mtu;
	memcpy(io->mac, mac.addr_bytes, 6);
	snprintf(io->name, sizeof(io->name), "%s", pc->name);
	IO_LOG(INFO, "port %u (%s): %s, dpdk port %u, " RTE_ETHER_ADDR_PRT_FMT ", mtu %u", id,
	       pc->name, pc->devargs, pid, RTE_ETHER_ADDR_BYTES(&mac), pc->mtu);
	/* DPDK's af_packet PMD always joins a PACKET_FANOUT group with
	 * PACKET_FANOUT_FLAG_DEFRAG (no devarg changes it, and a socket's
	 * fanout cannot be changed once set): doc/packets.md.
	 */
	if (strncmp(name, "net_af_packet", 13) == 0 || strncmp(name, "eth_af_packet", 13) == 0)
		IO_LOG(WARNING,
		       "port %u (%s): af_packet: the kernel reassembles IPv4 fragments before "
		       "fp-dpdk sees them (counted in the namespace's Ip Reasm* counters, not as "
		       "underlay_fragment); a reassembled packet longer than the ring frame is "
		       "cut and dropped as bad_ip_len",
		       id, pc->name);
	return 0;

err:
	IO_LOG(ERR, "port %u (%s): setup failed: %s", id, pc->name, strerror(-rc));
	return rc;
}

int
fp_io_ports_start(const struct fp_config *cfg, struct rte_mempool *mp, uint16_t n_txq,
		  struct fp_io_port *ports)
{
	uint32_t i;
	int rc;

	for (i = 0; i < cfg->n_ports; i++) {
		ports[i].dpdk_port = RTE_MAX_ETHPORTS;
		rc = port_start(&cfg->ports[i], i, mp, n_txq, &ports[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
fp_io_ports_stop(const struct fp_config *cfg, struct fp_io_port *ports)
{
	uint32_t i;

	for (i = 0; i < cfg->n_ports; i++) {
		if (ports[i].dpdk_port >= RTE_MAX_ETHPORTS)
			continue;
		rte_eth_dev_stop(ports[i].dpdk_port);
		rte_eth_dev_close(ports[i].dpdk_port);
	}
}

int
fp_io_worker_init(struct fp_worker *w, const struct fp_config *cfg, uint32_t index,
		  const struct fp_io_port *ports, const struct fp_ftables *t,
		  struct rte_mempool *mp, struct rte_rcu_qsbr *rcu)
{
	uint32_t i;

	memset(w, 0, sizeof(*w));
	fp_pipeline_init(&w->pipe, t, mp);
	w->cfg = &cfg->workers[index];
	w->ports = ports;
	w->n_ports = cfg->n_ports;
	w->lcore = cfg->workers[index].lcore;
	w->txq = (uint16_t)index;
	w->rcu_id = index;
	w->rcu = rcu;
	w->idle_mode = cfg->idle_mode;
	w->idle_empty_polls = cfg->idle_empty_polls;
	w->idle_max_sleep_us = cfg->idle_max_sleep_us;
	w->drain_tsc = (rte_get_tsc_hz() + 999999) / 1000000 * cfg->tx_drain_us;
	for (i = 0; i < cfg->n_ports; i++) {
		w->txb[i] = rte_zmalloc_socket("fp_txb", RTE_ETH_TX_BUFFER_SIZE(FP_BURST), 0,
					       rte_lcore_to_socket_id(w->lcore));
		if (w->txb[i] == NULL)
			goto err_nomem;
		rte_eth_tx_buffer_init(w->txb[i], FP_BURST);
		rte_eth_tx_buffer_set_err_callback(w->txb[i], rte_eth_tx_buffer_count_callback,
						   &w->port_tx_drop[i]);
	}
	return 0;

err_nomem:
	fp_io_worker_free(w);
	return -ENOMEM;
}

void
fp_io_worker_free(struct fp_worker *w)
{
	uint32_t i;

	for (i = 0; i < FP_PORT_MAX; i++) {
		rte_free(w->txb[i]);
		w->txb[i] = NULL;
	}
}

static void
flush_all(struct fp_worker *w)
{
	uint32_t i;

	for (i = 0; i < w->n_ports; i++) {
		if (w->txb[i]->length)
			w->port_tx[i] += rte_eth_tx_buffer_flush(w->ports[i].dpdk_port, w->txq,
								 w->txb[i]);
	}
}

static inline void
dispatch(struct fp_worker *w)
{
	struct fp_pipe_out *out = &w->out;
	uint16_t i;

	for (i = 0; i < out->n; i++) {
		uint16_t p = out->port[i];

		w->port_tx[p] += rte_eth_tx_buffer(w->ports[p].dpdk_port, w->txq, w->txb[p],
						   out->pkts[i]);
	}
	out->n = 0;
}

/* Send the slow path's answers: each on its port's tx buffer, as a
 * forwarded frame.
 */
static __rte_noinline void
inject_drain(struct fp_worker *w)
{
	struct rte_mbuf *pkts[FP_BURST];
	uint32_t n, i;

	n = rte_ring_sc_dequeue_burst(w->inject, (void **)pkts, FP_BURST, NULL);
	for (i = 0; i < n; i++) {
		uint32_t p = pkts[i]->hash.usr;

		if (p >= w->n_ports) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		w->port_tx[p] += rte_eth_tx_buffer(w->ports[p].dpdk_port, w->txq, w->txb[p],
						   pkts[i]);
	}
	w->injected += n;
}

int
fp_io_worker_main(void *arg)
{
	struct fp_worker *w = arg;
	const struct fp_config_worker *c = w->cfg;
	struct rte_mbuf *pkts[FP_BURST];
	uint64_t last_drain = rte_rdtsc(), now;
	uint32_t empty = 0, sleep_us = FP_IO_SLEEP_MIN_US, q;

	rte_rcu_qsbr_thread_register(w->rcu, w->rcu_id);
	rte_rcu_qsbr_thread_online(w->rcu, w->rcu_id);
	IO_LOG(INFO, "worker on lcore %u: %u queues, idle %s", w->lcore, c->n_queues,
	       w->idle_mode == FP_IDLE_BUSY ? "busy" : "adaptive");
	while (!fp_io_quit) {
		uint32_t got = 0;

		for (q = 0; q < c->n_queues; q++) {
			uint16_t port = c->queues[q].port;
			uint16_t n = rte_eth_rx_burst(w->ports[port].dpdk_port, c->queues[q].queue,
						      pkts, FP_BURST);

			if (n == 0)
				continue;
			got += n;
			w->port_rx[port] += n;
			fp_pipeline_run_burst(&w->pipe, port, pkts, n, &w->out);
			dispatch(w);
		}
		if (w->inject != NULL && unlikely(!rte_ring_empty(w->inject)))
			inject_drain(w);
		now = rte_rdtsc();
		if (now - last_drain >= w->drain_tsc) {
			flush_all(w);
			last_drain = now;
		}
		rte_rcu_qsbr_quiescent(w->rcu, w->rcu_id);
		if (got) {
			empty = 0;
			sleep_us = FP_IO_SLEEP_MIN_US;
			continue;
		}
		if (w->idle_mode != FP_IDLE_ADAPTIVE || ++empty < w->idle_empty_polls)
			continue;
		/* Idle: send what is buffered, then sleep offline so table
		 * updates need not wait for this lcore.
		 */
		flush_all(w);
		rte_rcu_qsbr_thread_offline(w->rcu, w->rcu_id);
		rte_delay_us_sleep(sleep_us);
		rte_rcu_qsbr_thread_online(w->rcu, w->rcu_id);
		w->idle_sleeps++;
		if (sleep_us < w->idle_max_sleep_us)
			sleep_us = RTE_MIN(sleep_us * 2, w->idle_max_sleep_us);
	}
	flush_all(w);
	rte_rcu_qsbr_thread_offline(w->rcu, w->rcu_id);
	rte_rcu_qsbr_thread_unregister(w->rcu, w->rcu_id);
	return 0;
}
