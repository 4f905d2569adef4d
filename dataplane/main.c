/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk: the DPDK fast path daemon.
 *
 *   fp-dpdk [-c FILE] [-v|-q] [--log-file FILE]   run (default /etc/flowplane/flowplane.conf)
 *   fp-dpdk --check-config FILE  validate the whole FILE and exit
 *   fp-dpdk --version
 *
 * Start-up order: config (fails closed, file:line errors) -> EAL -> mempool
 * -> ports -> tables (underlay ports and local VTEPs from the config) ->
 * control socket -> workers.  SIGINT/SIGTERM stop the workers, print the
 * final counters and release everything.  SIGHUP reopens the log file and
 * reloads what can change while running (reload_config()).  Messages,
 * DPDK's among them, go through lib/log.h (eal_log.h).
 */
#include <errno.h>
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
#include "conf.h"
#include "conf_check.h"
#include "conf_diff.h"
#include "clock.h"
#include "ct.h"
#include "daemon.h"
#include "ctl_server.h"
#include "eal_log.h"
#include "ftable.h"
#include "io.h"
#include "names.h"
#include "log.h"
#include "pipeline.h"
#include "slowpath.h"

#define FP_DEFAULT_CONFIG "/etc/flowplane/flowplane.conf"
/* The sweeper visits the whole connection table once per this period
 * (the shortest default timeout is 10 s), a slice per main-loop tick.
 */
#define FP_CT_SWEEP_PERIOD_NS (10ULL * 1000000000ULL)
#define FP_CT_SWEEP_MAX_BUCKETS 65536U /* per tick: bounded work (~2M slots) */

_Static_assert(FP_CONF_CT_SIZE_MAX <= FP_CT_SIZE_MAX, "conntrack.size beyond fp_ct_create()");
_Static_assert(FP_CFG_WORKER_MAX <= FP_SLOWPATH_WORKER_MAX, "a slow path ring per worker");
#define FP_WORKER_MAX_REPORT 128

struct fp_dpdk {
	struct fp_config cfg;		      /* loaded config */
	struct rte_mempool *mp;		      /* packet buffers */
	struct fp_io_port ports[FP_PORT_MAX]; /* by logical id */
	struct rte_rcu_qsbr *rcu;	      /* tables' QSBR variable */
	struct fp_ftables *tables;	      /* flow tables */
	struct fp_ct *ct;		      /* connection table */
	uint64_t ct_swept_ns;		      /* last fp_ct_sweep() */
	struct fp_worker *workers;	      /* one per worker lcore */
	struct fp_ctl_server *ctl;	      /* control socket */
	struct fp_slowpath *sp;		      /* punt and inject rings, DHCP/RA answers */
	struct fp_log_opts log_opts;	      /* -v, -q, --log-file */
};

static volatile sig_atomic_t reload_pending; /* SIGHUP seen */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_pending = 1;
	else
		fp_io_quit = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: fp-dpdk [-c FILE] [-v | -q] [--log-file FILE]\n"
		"       fp-dpdk --check-config FILE\n"
		"       fp-dpdk --version | --help\n"
		"  -c, --config FILE       config file (default " FP_DEFAULT_CONFIG ")\n"
		"      --check-config FILE validate the whole FILE (every program's part) and\n"
		"                          exit (0: valid)\n"
		"  -v, --verbose           log level debug (overrides log_level)\n"
		"  -q, --quiet             log level warning; twice: error (overrides log_level)\n"
		"      --log-file FILE     log to FILE (appending) instead of stderr; SIGHUP\n"
		"                          reopens it\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              this text\n"
		"signals: SIGINT, SIGTERM stop (final counters on stdout); SIGHUP reopens\n"
		"the log file and reloads log_level, stats.interval_s, idle.* and\n"
		"conntrack.timeout_*\n");
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
		ps->sg_drop_egress += d->workers[w].pipe.stats.sg_drop[i][FP_SG_DIR_EGRESS];
		ps->sg_drop_ingress += d->workers[w].pipe.stats.sg_drop[i][FP_SG_DIR_INGRESS];
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
ctl_slowpath(void *arg, struct fp_ctl_slowpath *out)
{
	const struct fp_dpdk *d = arg;

	fp_slowpath_report(d->sp, out);
	out->queue = d->cfg.slowpath_queue;
	out->pps = d->cfg.slowpath_pps;
	return 0;
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

/* The slow path's counters (print_counters()). */
static void
print_slowpath(const struct fp_dpdk *d)
{
	const struct fp_slowpath_stats *s = &d->sp->stats;
	uint32_t i;

	printf("  slowpath queued %u sent %" PRIu64 " inject_full %" PRIu64 " no_mbuf %" PRIu64
	       " no_entry %" PRIu64 " ra_periodic %" PRIu64 "\n",
	       fp_slowpath_queued(d->sp), s->sent, s->inject_full, s->no_mbuf, s->no_entry,
	       s->ra_periodic);
	for (i = 0; i < FP_DHCP4_MAX; i++)
		if (s->dhcp4[i])
			printf("  slowpath dhcp4 %-12s %" PRIu64 "\n", fp_dhcp4_result_str(i),
			       s->dhcp4[i]);
	for (i = 0; i < FP_DHCP6_MAX; i++)
		if (s->dhcp6[i])
			printf("  slowpath dhcp6 %-12s %" PRIu64 "\n", fp_dhcp6_result_str(i),
			       s->dhcp6[i]);
	for (i = 0; i < FP_RA_MAX; i++)
		if (s->ra[i])
			printf("  slowpath ra %-15s %" PRIu64 "\n", fp_ra_result_str(i), s->ra[i]);
}

/* The counters, printed on stdout every stats.interval_s ("counters")
 * and at exit ("final counters").  The workers count while this runs:
 * each worker's counters are read as a snapshot (fp_pipeline_stats_add(),
 * the way the STATS reply reads them), else the sum could show a burst
 * half counted (rx moved, tx not yet) and a false MISMATCH.
 */
static void
print_counters(const struct fp_dpdk *d, const char *label)
{
	static struct fp_stats sum;
	const uint64_t *st = sum.n, *dr = sum.drop;
	uint32_t i, w, busy = 0;

	memset(&sum, 0, sizeof(sum));
	for (w = 0; w < d->cfg.n_workers; w++)
		busy += fp_pipeline_stats_add(&d->workers[w].pipe, &sum) != 0;
	printf("fp-dpdk %s: %s\n", d->cfg.host, label);
	for (i = 0; i < FP_STAT_MAX; i++)
		printf("  %-20s %" PRIu64 "\n", fp_names_stat[i], st[i]);
	for (i = 0; i < FP_DROP_MAX; i++) {
		if (dr[i])
			printf("  drop %-15s %" PRIu64 "\n", fp_names_drop[i], dr[i]);
	}
	if (busy)
		printf("  rx = tx + drop + punt: not checked (%u workers stuck in a burst)\n",
		       busy);
	else
		printf("  rx = tx + drop + punt: %s\n",
		       st[FP_STAT_RX] == st[FP_STAT_TX] + st[FP_STAT_DROP] + st[FP_STAT_PUNT] ?
			       "ok" :
			       "MISMATCH");
	if (d->sp != NULL)
		print_slowpath(d);
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
		fp_log(FP_LOG_ERR, "%s: EAL init failed: %s", cfg->path, rte_strerror(rte_errno));
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
			fp_log(FP_LOG_ERR,
			       "%s: workers[%u].lcore %u is not an enabled worker lcore "
			       "(check eal.args -l/--lcores; the main lcore is %u)",
			       cfg->path, i, l, rte_get_main_lcore());
			return -EINVAL;
		}
	}
	return 0;
}

/* The connection table, conntrack.size connections; the workers get it
 * through the pipeline (dataplane/pipeline.c).
 */
static int
ct_start(struct fp_dpdk *d)
{
	struct fp_ct_timeouts t;

	memcpy(t.s, d->cfg.ct_timeout_s, sizeof(t.s));
	d->ct = fp_ct_create(d->cfg.ct_size, &t, (int)rte_socket_id());
	if (d->ct == NULL) {
		fp_log(FP_LOG_ERR,
		       "%s: cannot create the connection table of %u connections (about %u MiB "
		       "of EAL memory): %s",
		       d->cfg.path, d->cfg.ct_size, (uint32_t)((uint64_t)d->cfg.ct_size * 74 >> 20),
		       strerror(errno));
		return -errno;
	}
	d->ct_swept_ns = fp_clock_now_ns();
	fp_log(FP_LOG_INFO, "connection table: %u connections (%u slots)", d->cfg.ct_size,
	       fp_ct_capacity(d->ct));
	return 0;
}

/* A slice of the sweep: the buckets due since the last call, so the
 * whole table is visited every FP_CT_SWEEP_PERIOD_NS whatever the tick.
 */
static void
ct_sweep(struct fp_dpdk *d)
{
	uint64_t now = fp_clock_now_ns(), dt = now - d->ct_swept_ns;
	uint64_t n = (uint64_t)fp_ct_n_buckets(d->ct) * dt / FP_CT_SWEEP_PERIOD_NS;

	if (n == 0)
		return;
	d->ct_swept_ns = now;
	fp_ct_sweep(d->ct, now,
		    n > FP_CT_SWEEP_MAX_BUCKETS ? FP_CT_SWEEP_MAX_BUCKETS : (uint32_t)n);
}

/* The config's guard group into the tables (start and reload). */
static void
guard_apply(struct fp_dpdk *d)
{
	const struct fp_guard_cfg g = d->cfg.guard;
	char ets[8 * FP_GUARD_ETHERTYPE_MAX + 8] = "none";
	uint32_t i, n = 0;

	for (i = 0; i < FP_GUARD_ETHERTYPE_MAX && g.ethertypes[i]; i++)
		n += (uint32_t)snprintf(ets + n, sizeof(ets) - n, "%s0x%04x", i ? " " : "",
					g.ethertypes[i]);
	fp_ftables_guard_set(d->tables, &g);
	fp_log(FP_LOG_INFO,
	       "guard: underlay_strict_source %s, underlay_inner_src_mac %s, storm control %u/s "
	       "burst %u, icmp errors %u/s burst %u, permitted ethertypes %s",
	       g.strict_source ? "on" : "off", g.inner_src_mac ? "on" : "off", g.storm_pps,
	       g.storm_burst, g.icmp_pps, g.icmp_burst, ets);
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
		fp_log(FP_LOG_ERR, "cannot create tables: %s", strerror(errno));
		return -errno;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		rc = fp_ftables_port_config(d->tables, i, d->ports[i].role, d->ports[i].mtu,
					    d->ports[i].mac);
		if (rc != 0)
			return rc;
	}
	/* Else the first physical port's MAC (fp_ftables_port_config()). */
	if (cfg->has_chassis_mac)
		memcpy(d->tables->chassis_mac, cfg->chassis_mac, 6);
	for (i = 0; i < cfg->n_local_vteps; i++) {
		rc = fp_ftables_local_vtep_add(d->tables, &cfg->local_vteps[i]);
		if (rc != 0)
			return rc;
	}
	guard_apply(d);
	rc = ct_start(d);
	if (rc == 0)
		fp_ftables_ct_attach(d->tables, d->ct); /* the pipeline's, via the tables */
	return rc;
}

/* The slow path's rings; from then on the tables take dhcp, ra and dhcp6
 * entries (fp_ftables_slowpath_serve()).
 */
static int
slowpath_start(struct fp_dpdk *d)
{
	char name[32];
	int rc;

	d->sp = rte_zmalloc("fp_slowpath", sizeof(*d->sp), RTE_CACHE_LINE_SIZE);
	if (d->sp == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "fpsp%d", (int)getpid());
	rc = fp_slowpath_init(d->sp, name, d->tables, d->mp, d->cfg.n_workers,
			      d->cfg.slowpath_queue, (int)rte_socket_id());
	if (rc != 0) {
		fp_log(FP_LOG_ERR, "cannot create the slow path's rings (%u frames each): %s",
		       d->cfg.slowpath_queue, rte_strerror(rte_errno));
		return rc;
	}
	fp_ftables_slowpath_serve(d->tables);
	fp_log(FP_LOG_INFO, "slow path: %u frames per worker, %u punts/s per port",
	       d->cfg.slowpath_queue, d->cfg.slowpath_pps);
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
		fp_pipeline_punt_attach(&d->workers[i].pipe, d->sp->punt[i], d->cfg.slowpath_pps);
		d->workers[i].inject = d->sp->inject[i];
	}
	for (i = 0; i < d->cfg.n_workers; i++) {
		rc = rte_eal_remote_launch(fp_io_worker_main, &d->workers[i], d->workers[i].lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* What SIGHUP re-reads: the settings a running fp-dpdk can take. */
static void
reload_apply(struct fp_dpdk *d, const struct fp_config *n)
{
	struct fp_config *c = &d->cfg;
	int changed = 0;
	uint32_t i;

	if ((int)c->log_level != fp_log_level_get()) {
		c->log_level = (uint32_t)fp_log_level_get();
		fp_eal_log_level_set(fp_log_level_get());
	}
	if (n->stats_interval_s != c->stats_interval_s) {
		fp_log(FP_LOG_INFO, "reload: stats.interval_s %u -> %u", c->stats_interval_s,
		       n->stats_interval_s);
		c->stats_interval_s = n->stats_interval_s;
	}
	if (n->idle_mode != c->idle_mode || n->idle_empty_polls != c->idle_empty_polls ||
	    n->idle_max_sleep_us != c->idle_max_sleep_us) {
		fp_log(FP_LOG_INFO,
		       "reload: idle mode %s -> %s, empty_polls %u -> %u, max_sleep_us %u -> %u",
		       c->idle_mode == FP_IDLE_BUSY ? "busy" : "adaptive",
		       n->idle_mode == FP_IDLE_BUSY ? "busy" : "adaptive", c->idle_empty_polls,
		       n->idle_empty_polls, c->idle_max_sleep_us, n->idle_max_sleep_us);
		c->idle_mode = n->idle_mode;
		c->idle_empty_polls = n->idle_empty_polls;
		c->idle_max_sleep_us = n->idle_max_sleep_us;
		/* Each worker reads its copy once per loop. */
		for (i = 0; i < c->n_workers; i++) {
			__atomic_store_n(&d->workers[i].idle_empty_polls, c->idle_empty_polls,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&d->workers[i].idle_max_sleep_us, c->idle_max_sleep_us,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&d->workers[i].idle_mode, c->idle_mode, __ATOMIC_RELAXED);
		}
	}
	for (i = 0; i < FP_CT_STATE_MAX; i++) {
		if (n->ct_timeout_s[i] == c->ct_timeout_s[i])
			continue;
		fp_log(FP_LOG_INFO, "reload: conntrack.timeout_%s %u -> %u", fp_names_ct_state[i],
		       c->ct_timeout_s[i], n->ct_timeout_s[i]);
		c->ct_timeout_s[i] = n->ct_timeout_s[i];
		changed = 1;
	}
	if (memcmp(&n->guard, &c->guard, sizeof(c->guard)) != 0) {
		c->guard = n->guard;
		fp_log(FP_LOG_INFO, "reload: guard changed");
		guard_apply(d);
	}
	if (changed) {
		struct fp_ct_timeouts t;

		memcpy(t.s, c->ct_timeout_s, sizeof(t.s));
		fp_ct_timeouts_set(d->ct, &t);
	}
}

/* The settings a reload does not take: reported when they change. */
static const struct fp_conf_field restart_fields[] = {
	FP_CONF_FIELD(struct fp_config, "host", host),
	FP_CONF_FIELD(struct fp_config, "vtep", local_vteps),
	FP_CONF_FIELD(struct fp_config, "vtep", n_local_vteps),
	FP_CONF_FIELD(struct fp_config, "eal", eal_args),
	FP_CONF_FIELD(struct fp_config, "eal", n_eal_args),
	FP_CONF_FIELD(struct fp_config, "ports", ports),
	FP_CONF_FIELD(struct fp_config, "ports", n_ports),
	FP_CONF_FIELD(struct fp_config, "workers", workers),
	FP_CONF_FIELD(struct fp_config, "workers", n_workers),
	FP_CONF_FIELD(struct fp_config, "mempool", mbufs),
	FP_CONF_FIELD(struct fp_config, "mempool", mbuf_cache),
	FP_CONF_FIELD(struct fp_config, "mempool", mbuf_data_size),
	FP_CONF_FIELD(struct fp_config, "tables", table_size),
	FP_CONF_FIELD(struct fp_config, "tx", tx_drain_us),
	FP_CONF_FIELD(struct fp_config, "control", ctl_socket),
	FP_CONF_FIELD(struct fp_config, "conntrack.size", ct_size),
	FP_CONF_FIELD(struct fp_config, "slowpath", slowpath_queue),
	FP_CONF_FIELD(struct fp_config, "slowpath", slowpath_pps),
	FP_CONF_FIELD(struct fp_config, "chassis_mac", chassis_mac),
	FP_CONF_FIELD(struct fp_config, "chassis_mac", has_chassis_mac),
};

/* SIGHUP: reopen the log file, reload the config, say what changed and
 * what waits for a restart.  A config that does not load changes nothing.
 */
static void
reload_config(struct fp_dpdk *d)
{
	char err[FP_CFG_ERR_SIZE];
	struct fp_config *n;
	int rc;

	n = malloc(sizeof(*n));
	rc = n != NULL ? fp_config_load(d->cfg.path, n, err, sizeof(err)) : -ENOMEM;
	/* The log file first, so that what follows lands in the new one. */
	fp_log_reload(rc == 0 ? (int)n->log_level : -1, &d->log_opts);
	if (rc != 0) {
		fp_log(FP_LOG_ERR, "reload: %s; nothing changed", n != NULL ? err : strerror(-rc));
		free(n);
		return;
	}
	reload_apply(d, n);
	fp_conf_diff_log(&d->cfg, n, restart_fields,
			 sizeof(restart_fields) / sizeof(restart_fields[0]), d->cfg.path);
	free(n);
}

static void
run(struct fp_dpdk *d)
{
	const struct fp_ctl_server_ops ops = {
		.stats = ctl_stats, .slowpath = ctl_slowpath, .arg = d, .trace_mp = d->mp
	};
	char label[64];
	time_t last = time(NULL);

	d->ctl = fp_ctl_server_create(d->cfg.ctl_socket, d->tables, d->cfg.host, d->cfg.n_ports,
				      d->cfg.n_workers, &ops);
	if (d->ctl == NULL) {
		fp_log(FP_LOG_ERR, "control socket %s: %s", d->cfg.ctl_socket, strerror(errno));
		fp_io_quit = 1;
		return;
	}
	fp_log(FP_LOG_INFO, "%s: forwarding on %u ports with %u workers; control socket %s",
	       d->cfg.host, d->cfg.n_ports, d->cfg.n_workers, d->cfg.ctl_socket);
	while (!fp_io_quit) {
		/* The slow path sets the pace: 1 ms while frames arrive. */
		uint32_t wait_ms = fp_slowpath_run(d->sp, fp_clock_now_ns());

		fp_ctl_server_poll(d->ctl, (int)RTE_MIN(wait_ms, 100U));
		if (reload_pending) {
			reload_pending = 0;
			reload_config(d);
		}
		ct_sweep(d);
		if (d->cfg.stats_interval_s && time(NULL) - last >= d->cfg.stats_interval_s) {
			last = time(NULL);
			snprintf(label, sizeof(label), "counters (every %u s)",
				 d->cfg.stats_interval_s);
			print_counters(d, label);
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct fp_daemon_spec spec = {
		.prog = "fp-dpdk", .usage = usage, .check_takes_file = true, .usage_status = 1
	};
	struct fp_daemon_args a = { .path = FP_DEFAULT_CONFIG, .log = { .level = -1 } };
	char err[FP_CFG_ERR_SIZE];
	struct fp_dpdk *d;
	uint32_t i;
	int rc;

	fp_log_init("fp-dpdk", FP_LOG_INFO);
	rc = fp_daemon_args_parse(&a, argc, argv, &spec);
	if (rc >= 0)
		return rc;
	if (a.check)
		return fp_conf_check_run(a.path, FP_CONF_PART_DPDK);
	if (fp_daemon_log_file_open(&a) != 0)
		return 1;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return 1;
	for (i = 0; i < FP_PORT_MAX; i++)
		d->ports[i].dpdk_port = RTE_MAX_ETHPORTS;
	if (fp_config_load(a.path, &d->cfg, err, sizeof(err)) != 0) {
		fp_log(FP_LOG_ERR, "%s", err);
		free(d);
		return 1;
	}
	d->log_opts = a.log;
	d->cfg.log_level = (uint32_t)fp_daemon_log_start(&a, "fp-dpdk", (int)d->cfg.log_level);
	rc = fp_eal_log_open();
	if (rc != 0)
		fp_log(FP_LOG_WARN, "DPDK's log stays on its own stream: %s", strerror(-rc));
	fp_eal_log_level_set(fp_log_level_get());
	rc = 1;
	signal(SIGHUP, on_signal);
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
		fp_log(FP_LOG_ERR, "cannot create mempool of %u mbufs: %s", d->cfg.mbufs,
		       rte_strerror(rte_errno));
		goto out_eal;
	}
	if (fp_io_ports_start(&d->cfg, d->mp, (uint16_t)d->cfg.n_workers, d->ports) != 0) {
		fp_log(FP_LOG_ERR, "port setup failed (see the log above)");
		goto out_ports;
	}
	rc = tables_start(d);
	if (rc == 0)
		rc = slowpath_start(d);
	if (rc == 0)
		rc = workers_start(d);
	if (rc != 0) {
		fp_log(FP_LOG_ERR, "start-up failed: %s", strerror(-rc));
		fp_io_quit = 1;
		rc = 1;
	} else {
		run(d);
		rc = d->ctl != NULL ? 0 : 1;
	}
	rte_eal_mp_wait_lcore();
	if (d->workers != NULL) {
		print_counters(d, "final counters");
		for (i = 0; i < d->cfg.n_workers; i++)
			fp_io_worker_free(&d->workers[i]);
	}
	fp_ctl_server_free(d->ctl);
	if (d->sp != NULL)
		fp_slowpath_free(d->sp);
	rte_free(d->sp);
	fp_ftables_free(d->tables);
	fp_ct_free(d->ct);
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
