/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp run: the long-running mode (the systemd service).  It attaches
 * as attach does, then once a second sweeps the expired connections out
 * of fp_ct (xdp_sweep.c) so that a long-lived host does not fill its
 * table with dead ones.  SIGHUP reads the config again and writes its
 * conntrack timeouts into fp_sg_cfg and its guard group into fp_guard, as
 * fp-dpdk's reload does; any other change is logged as waiting for the
 * next attach;
 * SIGTERM and SIGINT end it WITHOUT detaching: the programs and maps stay,
 * so a restart of the service does not disturb traffic.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "names.h"

static volatile sig_atomic_t run_stop;	 /* SIGTERM, SIGINT */
static volatile sig_atomic_t run_reload; /* SIGHUP */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		run_reload = 1;
	else
		run_stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns()'s clock. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* SIGHUP: the config's conntrack timeouts into fp_sg_cfg and its guard
 * group into fp_guard; other changes are named as needing an attach.
 */
static void
reload(struct tool *t)
{
	char err[FP_XDP_CFG_ERR_SIZE];
	struct fp_xdp_config *cfg;
	struct pins p;
	int fd;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return;
	if (fp_xdp_config_load(t->conf, cfg, err, sizeof(err)) < 0) {
		errmsg("reload: %s; the timeouts stay", err);
		free(cfg);
		return;
	}
	memcpy(t->cfg.ct_timeout_s, cfg->ct_timeout_s, sizeof(t->cfg.ct_timeout_s));
	t->cfg.guard = cfg->guard;
	if (memcmp(cfg, &t->cfg, sizeof(*cfg)) != 0)
		fp_log(FP_LOG_WARN,
		       "reload: changes besides conntrack timeouts and guard take "
		       "effect at the next attach (systemctl reload fp-xdp re-attaches)");
	free(cfg);
	fp_xdp_pins_open(t, &p);
	fd = fp_xdp_pins_fd(&p, FP_XDP_MAP_SG_CFG);
	if (fd >= 0 && fp_xdp_timeouts_write(t, fd) == 0)
		fp_log(FP_LOG_INFO, "reload: conntrack timeouts written to %s/%s", t->dir,
		       fp_names_xdp_map[FP_XDP_MAP_SG_CFG]);
	fd = fp_xdp_pins_fd(&p, FP_XDP_MAP_GUARD);
	if (fd >= 0 && bpf_map_update_elem(fd, &(uint32_t){ 0 }, &t->cfg.guard, BPF_ANY) == 0)
		fp_log(FP_LOG_INFO, "reload: guard written to %s/%s", t->dir,
		       fp_names_xdp_map[FP_XDP_MAP_GUARD]);
	else
		errmsg("reload: guard not written to %s/%s", t->dir,
		       fp_names_xdp_map[FP_XDP_MAP_GUARD]);
	fp_xdp_pins_close(&p);
}

/* One sweep slice over the pinned fp_ct (opened for it: an attach by
 * another fp-xdp may have replaced the maps).
 */
static void
sweep(struct tool *t, struct fp_xdp_sweep *sw)
{
	uint32_t timeouts[FP_XDP_CT_STATES] = { 0 }, zero = 0;
	struct fp_sg_cfg cfg;
	struct pins p;
	int ct, sg, rc;

	fp_xdp_pins_open(t, &p);
	ct = fp_xdp_pins_fd(&p, FP_XDP_MAP_CT);
	sg = fp_xdp_pins_fd(&p, FP_XDP_MAP_SG_CFG);
	if (ct < 0) {
		fp_xdp_pins_close(&p);
		return;
	}
	/* The timeouts the programs use now. */
	if (sg >= 0 && bpf_map_lookup_elem(sg, &zero, &cfg) == 0)
		memcpy(timeouts, cfg.timeout_s, sizeof(timeouts));
	rc = fp_xdp_ct_sweep(ct, timeouts, now_ns(), sw);
	if (rc < 0)
		fp_log(FP_LOG_WARN, "sweep of %s/%s: %s", t->dir, fp_names_xdp_map[FP_XDP_MAP_CT],
		       strerror(-rc));
	fp_xdp_pins_close(&p);
}

int
fp_xdp_cmd_run(struct tool *t)
{
	struct fp_xdp_sweep sw = { 0 };
	struct sigaction sa;
	uint64_t deleted = 0;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the second's sleep ends at a signal. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = fp_xdp_cmd_attach(t);
	if (rc < 0)
		return rc;
	fp_log(FP_LOG_INFO, "running: sweeping expired connections of %s/%s every second", t->dir,
	       fp_names_xdp_map[FP_XDP_MAP_CT]);
	while (!run_stop) {
		if (run_reload) {
			run_reload = 0;
			reload(t);
		}
		sweep(t, &sw);
		if (sw.n_deleted != deleted) {
			fp_log(FP_LOG_DEBUG, "sweep: %llu expired connections deleted",
			       (unsigned long long)(sw.n_deleted - deleted));
			deleted = sw.n_deleted;
		}
		if (!run_stop && !run_reload)
			sleep(1);
	}
	fp_log(FP_LOG_INFO,
	       "stopped: the programs stay attached, the maps pinned "
	       "(%llu expired connections deleted)",
	       (unsigned long long)sw.n_deleted);
	return 0;
}
