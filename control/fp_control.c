/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control: takes Neutron's resources over a local HTTP/JSON API,
 * compiles them into flowplane's tables and keeps fp-dpdk in step with
 * them (control/ctrl.h has the rules; doc/control.md the API).
 *
 *   fp-control [-c FILE] [-v | -q] [--log-file FILE]
 *   fp-control [-c FILE] --check-config [FILE]
 *
 * SIGINT/SIGTERM stop it; SIGHUP reopens the log file and reloads what can
 * change while it runs (on_reload()).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include <event2/event.h>

#include "api.h"
#include "backend.h"
#include "conf_check.h"
#include "conf_diff.h"
#include "ctrl.h"
#include "ctrl_config.h"
#include "daemon.h"
#include "log.h"
#include "metadata.h"

#define DEFAULT_CONFIG "/etc/flowplane/flowplane.conf"

/* What the signal handlers need. */
struct daemon {
	struct event_base *base;     /* stopped by SIGINT/SIGTERM */
	struct event *tick;	     /* re-armed when health_ms changes */
	struct fp_ctrl_config cfg;   /* as loaded (and reloaded) */
	const char *path;	     /* config file */
	struct fp_log_opts log_opts; /* -v, -q, --log-file */
};

/* The metadata proxy's lookups, on the controller's state. */
struct md_glue {
	struct fp_ctrl *ctrl;		  /* the state */
	const struct fp_ctrl_config *cfg; /* this host */
};

static int
md_lookup(void *arg, uint32_t peer, struct fp_md_instance *out, const char **why)
{
	const struct md_glue *g = arg;
	const struct fp_backend_info *info = fp_ctrl_engine_info(g->ctrl);

	return fp_md_instance_find(fp_ctrl_model(g->ctrl), g->cfg->host, info ? info->ports : NULL,
				   info ? info->n_ports : 0, peer, out, why);
}

static int
md_delivered(void *arg)
{
	const struct md_glue *g = arg;
	const struct fp_backend_info *info = fp_ctrl_engine_info(g->ctrl);

	return info != NULL && info->md_delivered;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-control [-c FILE] [-v | -q] [--log-file FILE]\n"
		   "       fp-control [-c FILE] --check-config [FILE]\n"
		   "       fp-control --version | --help\n"
		   "  -c, --config FILE    configuration (default " DEFAULT_CONFIG ")\n"
		   "  --check-config [FILE] validate the whole file (every program's part) and\n"
		   "                       exit (0: valid)\n"
		   "  -v, --verbose        log level debug (overrides log_level)\n"
		   "  -q, --quiet          log level warning; twice: error (overrides log_level)\n"
		   "  --log-file FILE      log to FILE (appending) instead of stderr; SIGHUP\n"
		   "                       reopens it\n"
		   "  -V, --version        print the version and exit\n"
		   "  -h, --help           this text\n"
		   "signals: SIGINT, SIGTERM stop; SIGHUP reopens the log file and reloads\n"
		   "log_level and fp_control.health_ms\n");
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fp_ctrl_tick(arg);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)what;
	fp_log(FP_LOG_INFO, "signal %d: stopping", (int)sig);
	event_base_loopbreak(dm->base);
}

static void
tick_arm(struct daemon *dm)
{
	struct timeval tv;

	tv.tv_sec = dm->cfg.health_ms / 1000;
	tv.tv_usec = (dm->cfg.health_ms % 1000) * 1000;
	event_add(dm->tick, &tv);
}

/* The settings a reload does not take: reported when they change. */
static const struct fp_conf_field restart_fields[] = {
	FP_CONF_FIELD(struct fp_ctrl_config, "host", host),
	FP_CONF_FIELD(struct fp_ctrl_config, "vtep.addresses", local_vteps),
	FP_CONF_FIELD(struct fp_ctrl_config, "vtep.addresses", n_local_vteps),
	FP_CONF_FIELD(struct fp_ctrl_config, "control.socket", dp_socket),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.backend", backend),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.xdp_instance", xdp_instance),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.api_socket", api_socket),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.api_tcp", api_tcp_addr),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.api_tcp", api_tcp_port),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.api_token_file", api_token),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.state_dir", state_dir),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.underlay_port", underlay_port),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.underlay_gateway_mac", has_gw_mac),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.underlay_gateway_mac", gw_mac),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.batch", batch),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.max_body", max_body),
	FP_CONF_FIELD(struct fp_ctrl_config, "fp_control.metadata", md),
};

/* SIGHUP: reopen the log file, reload the config, say what changed and
 * what waits for a restart.  A config that does not load changes nothing.
 */
static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *dm = arg;
	struct fp_ctrl_config n;
	char err[512];
	int rc;

	(void)sig;
	(void)what;
	rc = fp_ctrl_config_load(dm->path, &n, err, sizeof(err));
	/* The log file first, so that what follows lands in the new one. */
	dm->cfg.log_level = fp_log_reload(rc == 0 ? n.log_level : -1, &dm->log_opts);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "reload: %s; nothing changed", err);
		return;
	}
	n.log_level = dm->cfg.log_level;
	if (n.health_ms != dm->cfg.health_ms) {
		fp_log(FP_LOG_INFO, "reload: fp_control.health_ms %u -> %u", dm->cfg.health_ms,
		       n.health_ms);
		dm->cfg.health_ms = n.health_ms;
		tick_arm(dm);
	}
	fp_conf_diff_log(&dm->cfg, &n, restart_fields,
			 sizeof(restart_fields) / sizeof(restart_fields[0]), dm->path);
}

int
main(int argc, char **argv)
{
	static const struct fp_daemon_spec spec = {
		.prog = "fp-control", .usage = usage, .check_takes_file = false, .usage_status = 2
	};
	struct fp_daemon_args a = { .path = DEFAULT_CONFIG, .log = { .level = -1 } };
	struct event *sint = NULL, *sterm = NULL, *shup = NULL;
	struct daemon dm = { 0 };
	struct fp_ctrl *ctrl = NULL;
	struct fp_api *api = NULL;
	static const struct fp_md_ops md_ops = { .lookup = md_lookup, .delivered = md_delivered };
	struct md_glue md_glue = { 0 };
	struct fp_md *md = NULL;
	char err[512];
	int rc = 1;

	fp_log_init("fp-control", FP_LOG_INFO);
	rc = fp_daemon_args_parse(&a, argc, argv, &spec);
	if (rc >= 0)
		return rc;
	if (a.check)
		return fp_conf_check_run(a.path, FP_CONF_PART_CONTROL);
	if (fp_daemon_log_file_open(&a) != 0)
		return 1;
	rc = 1;
	dm.path = a.path;
	dm.log_opts = a.log;
	if (fp_ctrl_config_load(dm.path, &dm.cfg, err, sizeof(err)) < 0) {
		fp_log(FP_LOG_ERR, "%s", err);
		return 1;
	}
	dm.cfg.log_level = fp_daemon_log_start(&a, "fp-control", dm.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	dm.base = event_base_new();
	if (dm.base == NULL) {
		fp_log(FP_LOG_ERR, "event_base_new failed");
		return 1;
	}
	ctrl = fp_ctrl_create(
		&dm.cfg, strcmp(dm.cfg.backend, "xdp") == 0 ? &fp_backend_xdp : &fp_backend_dpdk,
		err, sizeof(err));
	if (ctrl == NULL) {
		fp_log(FP_LOG_ERR, "%s", err);
		goto out;
	}
	api = fp_api_create(dm.base, ctrl, &dm.cfg, err, sizeof(err));
	if (api == NULL) {
		fp_log(FP_LOG_ERR, "%s", err);
		goto out;
	}
	if (dm.cfg.md.enabled) {
		md_glue.ctrl = ctrl;
		md_glue.cfg = &dm.cfg;
		md = fp_md_create(dm.base, &dm.cfg.md, &md_ops, &md_glue, err, sizeof(err));
		if (md == NULL) {
			fp_log(FP_LOG_ERR, "%s", err);
			goto out;
		}
		fp_api_md_set(api, md);
	}
	dm.tick = event_new(dm.base, -1, EV_PERSIST, on_tick, ctrl);
	sint = evsignal_new(dm.base, SIGINT, on_signal, &dm);
	sterm = evsignal_new(dm.base, SIGTERM, on_signal, &dm);
	shup = evsignal_new(dm.base, SIGHUP, on_reload, &dm);
	if (dm.tick == NULL || sint == NULL || sterm == NULL || shup == NULL) {
		fp_log(FP_LOG_ERR, "event_new failed");
		goto out;
	}
	tick_arm(&dm);
	event_add(sint, NULL);
	event_add(sterm, NULL);
	event_add(shup, NULL);
	fp_log(FP_LOG_INFO, "host %s, dataplane %s %s, state %s", dm.cfg.host, dm.cfg.backend,
	       strcmp(dm.cfg.backend, "xdp") == 0 ? dm.cfg.xdp_instance : dm.cfg.dp_socket,
	       dm.cfg.state_dir);
	fp_ctrl_tick(ctrl);
	event_base_dispatch(dm.base);
	rc = 0;
out:
	if (dm.tick != NULL)
		event_free(dm.tick);
	if (sint != NULL)
		event_free(sint);
	if (sterm != NULL)
		event_free(sterm);
	if (shup != NULL)
		event_free(shup);
	fp_api_free(api);
	fp_md_free(md);
	fp_ctrl_free(ctrl);
	event_base_free(dm.base);
	return rc;
}
