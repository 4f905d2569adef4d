/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk: the DPDK fast path daemon.
 *
 *   fp-dpdk [-c FILE]            run with FILE (default /etc/flowplane/flowplane.conf)
 *   fp-dpdk --check-config FILE  validate FILE and exit
 *
 * Start-up order: config (fails closed, file:line errors) -> EAL -> mempool
 * -> ports -> tables (underlay ports and local VTEPs from the config) ->
 * control socket -> workers.  SIGINT/SIGTERM stop the workers, print the
 * final counters and release everything.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <flowplane/ctl.h>

#include "config.h"
#include "ctl_server.h"
#include "ftable.h"
#include "io.h"
#include "names.h"
#include "pipeline.h"

#define FP_DEFAULT_CONFIG "/etc/flowplane/flowplane.conf"
#define FP_WORKER_MAX_REPORT 128

struct fp_dpdk {
	struct fp_config cfg;		      /* loaded config */
	struct rte_mempool *mp;		      /* packet buffers */
	struct fp_io_port ports[FP_PORT_MAX]; /* by logical id */
	struct rte_rcu_qsbr *rcu;	      /* tables' QSBR variable */
	struct fp_ftables *tables;	      /* flow tables */
	struct fp_worker *workers;	      /* one per worker lcore */
	struct fp_ctl_server *ctl;	      /* control socket */
};

static void
on_signal(int sig)
{
	(void)sig;
	fp_io_quit = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-dpdk [-c FILE]\n"
		   "       fp-dpdk --check-config FILE\n"
		   "  -c, --config FILE      config file (default " FP_DEFAULT_CONFIG ")\n"
		   "      --check-config FILE validate FILE and exit (0: valid)\n"
		   "  -h, --help             this text\n");
}

static void
port_stats(const struct fp_dpdk *d, uint32_t i, struct fp_ctl_port_stats *ps)
{
	const struct fp_io_port *io = &d->ports[i];
	struct rte_eth_link link;
	struct rte_eth_stats es;
	uint32_t w;

	memset(ps, 0, sizeof(*ps));
	ps->port_id = i;
	ps->role = io->role;
	ps->dpdk_port = io->dpdk_port;
	ps->mtu = io->mtu;
	memcpy(ps->mac, io->mac, 6);
	snprintf(ps->name, sizeof(ps->name), "%s", io->name);
	for (w = 0; w < d->cfg.n_workers; w++) {
		ps->rx_pkts += d->workers[w].port_rx[i];
		ps->tx_pkts += d->workers[w].port_tx[i];
		ps->tx_dropped += d->workers[w].port_tx_drop[i];
	}
	if (rte_eth_link_get_nowait(io->dpdk_port, &link) == 0 && link.link_status)
		ps->flags |= FP_CTL_PORT_F_LINK_UP;
	if (rte_eth_stats_get(io->dpdk_port, &es) == 0) {
		ps->hw_ipackets = es.ipackets;
		ps->hw_opackets = es.opackets;
		ps->hw_imissed = es.imissed;
		ps->hw_ierrors = es.ierrors;
		ps->hw_oerrors = es.oerrors;
	}
}

static int
ctl_stats(void *arg, struct fp_ctl_worker_stats *ws, uint32_t max_w, uint32_t *n_w,
	  struct fp_ctl_port_stats *ps, uint32_t max_p, uint32_t *n_p)
{
	const struct fp_dpdk *d = arg;
	uint32_t i;

	*n_w = RTE_MIN(d->cfg.n_workers, max_w);
	for (i = 0; i < *n_w; i++) {
		const struct fp_worker *w = &d->workers[i];

		struct fp_stats st;

		memset(&ws[i], 0, sizeof(ws[i]));
		ws[i].lcore = w->lcore;
		ws[i].idle_sleeps = w->idle_sleeps;
		if (fp_pipeline_stats_read(&w->pipe, &st) != 0)
			return -EBUSY;
		memcpy(ws[i].stats, st.n, sizeof(ws[i].stats));
		memcpy(ws[i].drops, st.drop, sizeof(ws[i].drops));
	}
	*n_p = RTE_MIN(d->cfg.n_ports, max_p);
	for (i = 0; i < *n_p; i++)
		port_stats(d, i, &ps[i]);
	return 0;
}

/* The final counters, printed on stdout at exit. */
static void
print_counters(const struct fp_dpdk *d)
{
	uint64_t st[FP_STAT_MAX] = { 0 }, dr[FP_DROP_MAX] = { 0 };
	uint32_t i, w;

	for (w = 0; w < d->cfg.n_workers; w++) {
		for (i = 0; i < FP_STAT_MAX; i++)
			st[i] += d->workers[w].pipe.stats.n[i];
		for (i = 0; i < FP_DROP_MAX; i++)
			dr[i] += d->workers[w].pipe.stats.drop[i];
	}
	printf("fp-dpdk %s: final counters\n", d->cfg.host);
	for (i = 0; i < FP_STAT_MAX; i++)
		printf("  %-20s %" PRIu64 "\n", fp_names_stat[i], st[i]);
	for (i = 0; i < FP_DROP_MAX; i++) {
		if (dr[i])
			printf("  drop %-15s %" PRIu64 "\n", fp_names_drop[i], dr[i]);
	}
	printf("  rx = tx + drop + punt: %s\n",
	       st[FP_STAT_RX] == st[FP_STAT_TX] + st[FP_STAT_DROP] + st[FP_STAT_PUNT] ? "ok" :
											"MISMATCH");
	for (i = 0; i < d->cfg.n_ports; i++) {
		struct fp_ctl_port_stats ps;

		port_stats(d, i, &ps);
		printf("  port %u %-12s %-8s rx %llu tx %llu tx_dropped %llu\n", i, ps.name,
		       fp_names_role[ps.role], (unsigned long long)ps.rx_pkts,
		       (unsigned long long)ps.tx_pkts, (unsigned long long)ps.tx_dropped);
	}
	fflush(stdout);
}

static int
eal_start(const struct fp_config *cfg)
{
	char *argv[FP_CFG_EAL_ARGS_MAX + 2];
	int argc = 0, rc;
	uint32_t i;

	argv[argc++] = (char *)"fp-dpdk";
	for (i = 0; i < cfg->n_eal_args; i++)
		argv[argc++] = (char *)cfg->eal_args[i];
	argv[argc] = NULL;
	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "fp-dpdk: %s: EAL init failed: %s\n", cfg->path,
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int
check_lcores(const struct fp_config *cfg)
{
	uint32_t i;

	for (i = 0; i < cfg->n_workers; i++) {
		uint32_t l = cfg->workers[i].lcore;

		if (l >= RTE_MAX_LCORE || !rte_lcore_is_enabled(l) || l == rte_get_main_lcore()) {
			fprintf(stderr,
				"fp-dpdk: %s: workers[%u].lcore %u is not an enabled worker lcore "
				"(check eal.args -l/--lcores; the main lcore is %u)\n",
				cfg->path, i, l, rte_get_main_lcore());
			return -EINVAL;
		}
	}
	return 0;
}

static int
tables_start(struct fp_dpdk *d)
{
	const struct fp_config *cfg = &d->cfg;
	size_t sz = rte_rcu_qsbr_get_memsize(cfg->n_workers);
	char name[64];
	uint32_t i;
	int rc;

	d->rcu = rte_zmalloc("fp_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (d->rcu == NULL || rte_rcu_qsbr_init(d->rcu, cfg->n_workers) != 0)
		return -ENOMEM;
	snprintf(name, sizeof(name), "fp%d", (int)getpid());
	d->tables = fp_ftables_create(name, cfg->table_size, (int)rte_socket_id(), d->rcu);
	if (d->tables == NULL) {
		fprintf(stderr, "fp-dpdk: cannot create tables: %s\n", strerror(errno));
		return -errno;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		rc = fp_ftables_port_config(d->tables, i, d->ports[i].role, d->ports[i].mtu,
					    d->ports[i].mac);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < cfg->n_local_vteps; i++) {
		rc = fp_ftables_local_vtep_add(d->tables, &cfg->local_vteps[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
workers_start(struct fp_dpdk *d)
{
	uint32_t i;
	int rc;

	d->workers = rte_zmalloc("fp_workers", sizeof(*d->workers) * d->cfg.n_workers,
				 RTE_CACHE_LINE_SIZE);
	if (d->workers == NULL)
		return -ENOMEM;
	for (i = 0; i < d->cfg.n_workers; i++) {
		rc = fp_io_worker_init(&d->workers[i], &d->cfg, i, d->ports, d->tables, d->mp,
				       d->rcu);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < d->cfg.n_workers; i++) {
		rc = rte_eal_remote_launch(fp_io_worker_main, &d->workers[i], d->workers[i].lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
run(struct fp_dpdk *d)
{
	const struct fp_ctl_server_ops ops = { .stats = ctl_stats, .arg = d, .trace_mp = d->mp };
	time_t last = time(NULL);

	d->ctl = fp_ctl_server_create(d->cfg.ctl_socket, d->tables, d->cfg.host, d->cfg.n_ports,
				      d->cfg.n_workers, &ops);
	if (d->ctl == NULL) {
		fprintf(stderr, "fp-dpdk: control socket %s: %s\n", d->cfg.ctl_socket,
			strerror(errno));
		fp_io_quit = 1;
		return;
	}
	printf("fp-dpdk %s: forwarding on %u ports with %u workers; control socket %s\n",
	       d->cfg.host, d->cfg.n_ports, d->cfg.n_workers, d->cfg.ctl_socket);
	fflush(stdout);
	while (!fp_io_quit) {
		fp_ctl_server_poll(d->ctl, 100);
		if (d->cfg.stats_interval_s && time(NULL) - last >= d->cfg.stats_interval_s) {
			last = time(NULL);
			print_counters(d);
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = FP_DEFAULT_CONFIG;
	char err[FP_CFG_ERR_SIZE];
	struct fp_dpdk *d;
	int check = 0, opt, rc = 1;
	uint32_t i;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			path = optarg;
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return 1;
	for (i = 0; i < FP_PORT_MAX; i++)
		d->ports[i].dpdk_port = RTE_MAX_ETHPORTS;
	if (fp_config_load(path, &d->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "fp-dpdk: %s\n", err);
		free(d);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", path);
		free(d);
		return 0;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (eal_start(&d->cfg) != 0) {
		free(d);
		return 1;
	}
	if (check_lcores(&d->cfg) != 0)
		goto out_eal;
	d->mp = rte_pktmbuf_pool_create("fp_mbufs", d->cfg.mbufs, d->cfg.mbuf_cache, 0,
					(uint16_t)d->cfg.mbuf_data_size, (int)rte_socket_id());
	if (d->mp == NULL) {
		fprintf(stderr, "fp-dpdk: cannot create mempool of %u mbufs: %s\n", d->cfg.mbufs,
			rte_strerror(rte_errno));
		goto out_eal;
	}
	if (fp_io_ports_start(&d->cfg, d->mp, (uint16_t)d->cfg.n_workers, d->ports) != 0) {
		fprintf(stderr, "fp-dpdk: port setup failed (see the log above)\n");
		goto out_ports;
	}
	rc = tables_start(d);
	if (rc == 0)
		rc = workers_start(d);
	if (rc != 0) {
		fprintf(stderr, "fp-dpdk: start-up failed: %s\n", strerror(-rc));
		fp_io_quit = 1;
		rc = 1;
	} else {
		run(d);
		rc = d->ctl != NULL ? 0 : 1;
	}
	rte_eal_mp_wait_lcore();
	if (d->workers != NULL) {
		print_counters(d);
		for (i = 0; i < d->cfg.n_workers; i++)
			fp_io_worker_free(&d->workers[i]);
	}
	fp_ctl_server_free(d->ctl);
	fp_ftables_free(d->tables);
	rte_free(d->workers);
	rte_free(d->rcu);
out_ports:
	fp_io_ports_stop(&d->cfg, d->ports);
	rte_mempool_free(d->mp);
out_eal:
	rte_eal_cleanup();
	free(d);
	return rc;
}
