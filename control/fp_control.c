/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control: takes Neutron's resources over a local HTTP/JSON API,
 * compiles them into flowplane's tables and keeps fp-dpdk in step with
 * them (control/ctrl.h has the rules; doc/control.md the API).
 *
 *   fp-control [-c FILE] [--check-config] [-v]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "api.h"
#include "backend.h"
#include "ctrl.h"
#include "ctrl_config.h"
#include "log.h"

#define DEFAULT_CONFIG "/etc/flowplane/flowplane.conf"

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-control [-c FILE] [--check-config] [-v]\n"
		   "  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
		   "  --check-config     validate the configuration and exit\n"
		   "  -v, --verbose      debug logging\n");
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
	(void)what;
	fp_log(FP_LOG_INFO, "signal %d: stopping", (int)sig);
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct event *tick = NULL, *sint = NULL, *sterm = NULL;
	struct fp_ctrl_config cfg;
	struct event_base *base = NULL;
	struct fp_ctrl *ctrl = NULL;
	struct fp_api *api = NULL;
	int opt, check = 0, level = FP_LOG_INFO, rc = 1;
	char err[512];
	struct timeval tv;

	while ((opt = getopt_long(argc, argv, "c:vh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'v':
			level = FP_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	fp_log_init("fp-control", level);
	if (fp_ctrl_config_load(path, &cfg, err, sizeof(err)) < 0) {
		fp_log(FP_LOG_ERR, "%s", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", path);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL) {
		fp_log(FP_LOG_ERR, "event_base_new failed");
		return 1;
	}
	ctrl = fp_ctrl_create(&cfg,
			      strcmp(cfg.backend, "xdp") == 0 ? &fp_backend_xdp : &fp_backend_dpdk,
			      err, sizeof(err));
	if (ctrl == NULL) {
		fp_log(FP_LOG_ERR, "%s", err);
		goto out;
	}
	api = fp_api_create(base, ctrl, &cfg, err, sizeof(err));
	if (api == NULL) {
		fp_log(FP_LOG_ERR, "%s", err);
		goto out;
	}
	tick = event_new(base, -1, EV_PERSIST, on_tick, ctrl);
	sint = evsignal_new(base, SIGINT, on_signal, base);
	sterm = evsignal_new(base, SIGTERM, on_signal, base);
	if (tick == NULL || sint == NULL || sterm == NULL) {
		fp_log(FP_LOG_ERR, "event_new failed");
		goto out;
	}
	tv.tv_sec = cfg.health_ms / 1000;
	tv.tv_usec = (cfg.health_ms % 1000) * 1000;
	event_add(tick, &tv);
	event_add(sint, NULL);
	event_add(sterm, NULL);
	fp_log(FP_LOG_INFO, "host %s, dataplane %s %s, state %s", cfg.host, cfg.backend,
	       strcmp(cfg.backend, "xdp") == 0 ? cfg.xdp_instance : cfg.dp_socket, cfg.state_dir);
	fp_ctrl_tick(ctrl);
	event_base_dispatch(base);
	rc = 0;
out:
	if (tick != NULL)
		event_free(tick);
	if (sint != NULL)
		event_free(sint);
	if (sterm != NULL)
		event_free(sterm);
	fp_api_free(api);
	fp_ctrl_free(ctrl);
	event_base_free(base);
	return rc;
}
