/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk configuration loader (libconfig): fp-dpdk's keys.
 *
 * The file is read (never blocking on a FIFO or device), scanned for what
 * libconfig 1.5 would get wrong silently (integer literals that do not fit
 * in 32 bits are truncated, not promoted) or that the schema does not
 * allow (@include) and parsed by lib/conf.c, which also checks the keys
 * the three programs share (host, vtep, tables); this module validates
 * the rest key by key into a struct fp_config that fp_config_defaults()
 * filled first.  Every error is "file:line: key: reason"; the first one
 * found stops the load.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "addr.h"
#include "conf.h"
#include "names.h"
#include "log.h"

#define FP_CFG_RXQ_MAX 16     /* rx queues per port */
#define FP_CFG_LCORE_MAX 1023 /* largest EAL lcore id */
#define FP_CFG_SOCKET_SIZE sizeof(((struct fp_config *)0)->ctl_socket)

/* Defaults; doc/config.md lists the same values. */
#define FP_CFG_DEF_MTU 1500
#define FP_CFG_DEF_RXQ 1
#define FP_CFG_DEF_DESC 1024
#define FP_CFG_DEF_MBUFS 16383
#define FP_CFG_DEF_MBUF_CACHE 256
#define FP_CFG_DEF_MBUF_DATA_SIZE 2176 /* 2048 + RTE_PKTMBUF_HEADROOM */
#define FP_CFG_DEF_EMPTY_POLLS 100
#define FP_CFG_DEF_MAX_SLEEP_US 500
#define FP_CFG_DEF_TX_DRAIN_US 100
#define FP_CFG_DEF_SLOWPATH_QUEUE 1024 /* punted frames per worker */
#define FP_CFG_DEF_SLOWPATH_PPS 200    /* punts per second per port and worker */
#define FP_CFG_DEF_CTL_SOCKET "/run/flowplane/fp-dpdk.sock"

#define IDLE_NAME(id, name) [FP_IDLE_##id] = name,
static const char *const idle_names[FP_IDLE_MAX] = { FP_FOREACH_IDLE_MODE(IDLE_NAME) };
#undef IDLE_NAME

/* State of one fp_config_load() call. */
struct loader {
	struct fp_conf *conf;				   /* the file */
	struct fp_config *cfg;				   /* being filled */
	int16_t owner_worker[FP_PORT_MAX][FP_CFG_RXQ_MAX]; /* worker polling it, -1 */
	int16_t owner_entry[FP_PORT_MAX][FP_CFG_RXQ_MAX];  /* its queues[] index */
};

static const struct fp_conf_int_field port_ints[] = {
	FP_CONF_INT_FIELD("mtu", 68, 9600, struct fp_config_port, mtu, false),
	FP_CONF_INT_FIELD("rx_queues", 1, FP_CFG_RXQ_MAX, struct fp_config_port, n_rxq, false),
	FP_CONF_INT_FIELD("rx_desc", 64, 16384, struct fp_config_port, rx_desc, true),
	FP_CONF_INT_FIELD("tx_desc", 64, 16384, struct fp_config_port, tx_desc, true),
};

static const struct fp_conf_int_field mempool_ints[] = {
	FP_CONF_INT_FIELD("mbufs", 1023, 16777215, struct fp_config, mbufs, false),
	FP_CONF_INT_FIELD("cache", 0, 512, struct fp_config, mbuf_cache, false),
	FP_CONF_INT_FIELD("data_size", 1024, 65535, struct fp_config, mbuf_data_size, false),
};

static const struct fp_conf_int_field idle_ints[] = {
	FP_CONF_INT_FIELD("empty_polls", 1, 1000000, struct fp_config, idle_empty_polls, false),
	FP_CONF_INT_FIELD("max_sleep_us", 1, 100000, struct fp_config, idle_max_sleep_us, false),
};

static const struct fp_conf_int_field tx_ints[] = {
	FP_CONF_INT_FIELD("drain_us", 1, 100000, struct fp_config, tx_drain_us, false),
};

static const struct fp_conf_int_field slowpath_ints[] = {
	FP_CONF_INT_FIELD("queue", 16, 65536, struct fp_config, slowpath_queue, false),
	FP_CONF_INT_FIELD("pps", 1, 1000000, struct fp_config, slowpath_pps, false),
};

static const struct fp_conf_int_field stats_ints[] = {
	FP_CONF_INT_FIELD("interval_s", 0, 86400, struct fp_config, stats_interval_s, false),
};

int
fp_config_port_find(const struct fp_config *cfg, const char *name)
{
	if (cfg == NULL)
		return -ENOENT;
	return fp_conf_name_find(cfg->ports[0].name, sizeof(cfg->ports[0]),
				 cfg->n_ports < FP_PORT_MAX ? cfg->n_ports : FP_PORT_MAX, name);
}

void
fp_config_defaults(struct fp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mbufs = FP_CFG_DEF_MBUFS;
	cfg->mbuf_cache = FP_CFG_DEF_MBUF_CACHE;
	cfg->mbuf_data_size = FP_CFG_DEF_MBUF_DATA_SIZE;
	fp_conf_tables_default(cfg->table_size);
	cfg->idle_mode = FP_IDLE_ADAPTIVE;
	cfg->idle_empty_polls = FP_CFG_DEF_EMPTY_POLLS;
	cfg->idle_max_sleep_us = FP_CFG_DEF_MAX_SLEEP_US;
	cfg->tx_drain_us = FP_CFG_DEF_TX_DRAIN_US;
	cfg->stats_interval_s = 0;
	cfg->slowpath_queue = FP_CFG_DEF_SLOWPATH_QUEUE;
	cfg->slowpath_pps = FP_CFG_DEF_SLOWPATH_PPS;
	cfg->log_level = FP_LOG_INFO;
	fp_conf_conntrack_defaults(&cfg->ct_size, cfg->ct_timeout_s);
	fp_conf_guard_defaults(&cfg->guard);
	memcpy(cfg->ctl_socket, FP_CFG_DEF_CTL_SOCKET, sizeof(FP_CFG_DEF_CTL_SOCKET));
}

static int
eal_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "args", NULL };
	struct fp_config *cfg = ld->cfg;
	const config_setting_t *grp, *list, *s;
	unsigned int i, n;
	int rc;

	rc = fp_conf_group_get(ld->conf, root, "eal", false, keys, NULL, 0, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "args", FP_CONF_T_SEQ, false, &list);
	if (rc < 0 || list == NULL)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n > FP_CFG_EAL_ARGS_MAX)
		return fp_conf_fail(ld->conf, list, NULL, "%u entries, at most %u", n,
				    FP_CFG_EAL_ARGS_MAX);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(list, i);
		rc = fp_conf_str_copy(ld->conf, s, 1, cfg->eal_args[i], FP_CFG_STR_MAX);
		if (rc < 0)
			return rc;
	}
	cfg->n_eal_args = n;
	return 0;
}

/* Entry idx of the list ports (fp_conf_elem_fn). */
static int
port_load(struct fp_conf *c, const config_setting_t *grp, uint32_t idx, void *arg)
{
	static const char *const keys[] = { "name", "role", "devargs", "mac", NULL };
	struct loader *ld = arg;
	struct fp_config_port *p = &ld->cfg->ports[idx];
	const config_setting_t *s;
	uint32_t i;
	int rc;

	rc = fp_conf_check_type(c, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(c, grp, keys, port_ints, FP_CONF_N_FIELDS(port_ints));
	if (rc < 0)
		return rc;
	p->mtu = FP_CFG_DEF_MTU;
	p->n_rxq = FP_CFG_DEF_RXQ;
	p->rx_desc = FP_CFG_DEF_DESC;
	p->tx_desc = FP_CFG_DEF_DESC;

	rc = fp_conf_port_head_load(c, grp, "ports", ld->cfg->ports[0].name,
				    sizeof(ld->cfg->ports[0]), idx, &p->role);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(c, grp, "devargs", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = fp_conf_str_copy(c, s, 1, p->devargs, sizeof(p->devargs));
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(c, grp, "mac", FP_CONF_T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		const char *v = config_setting_get_string(s);

		if (fp_addr_mac_parse(v, p->mac, 0) < 0)
			return fp_conf_fail(c, s, NULL,
					    "\"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", v);
		if (!fp_addr_mac_is_unicast(p->mac))
			return fp_conf_fail(c, s, NULL, "\"%s\" is not a unicast MAC address", v);
		p->has_mac = 1;
	}
	rc = fp_conf_ints_load(c, grp, port_ints, FP_CONF_N_FIELDS(port_ints), p);
	if (rc < 0)
		return rc;
	for (i = 0; i < FP_CFG_RXQ_MAX; i++) {
		ld->owner_worker[idx][i] = -1;
		ld->owner_entry[idx][i] = -1;
	}
	return 0;
}

static int
queue_load(struct loader *ld, const config_setting_t *grp, uint32_t widx, uint32_t qidx)
{
	static const char *const keys[] = { "port", "queue", NULL };
	struct fp_config_queue *q = &ld->cfg->workers[widx].queues[qidx];
	const struct fp_config_port *p;
	const config_setting_t *s;
	const char *name;
	int64_t v = 0;
	int idx;
	int rc;

	rc = fp_conf_check_type(ld->conf, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(ld->conf, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "port", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	name = config_setting_get_string(s);
	idx = fp_config_port_find(ld->cfg, name);
	if (idx < 0)
		return fp_conf_fail(ld->conf, s, NULL, "no port named \"%s\" in ports", name);
	p = &ld->cfg->ports[idx];
	rc = fp_conf_member_get(ld->conf, grp, "queue", FP_CONF_T_INT, true, &s);
	if (rc < 0)
		return rc;
	v = fp_conf_int_value(ld->conf, s);
	if (v < 0 || v >= p->n_rxq)
		return fp_conf_fail(ld->conf, s, NULL,
				    "%" PRId64
				    " out of range 0..%u (port \"%s\" has rx_queues = %u)",
				    v, p->n_rxq - 1u, p->name, p->n_rxq);
	if (ld->owner_worker[idx][v] >= 0)
		return fp_conf_fail(ld->conf, grp, NULL,
				    "port \"%s\" queue %" PRId64
				    " is already polled by workers[%d].queues[%d]",
				    p->name, v, ld->owner_worker[idx][v], ld->owner_entry[idx][v]);
	ld->owner_worker[idx][v] = (int16_t)widx;
	ld->owner_entry[idx][v] = (int16_t)qidx;
	q->port = (uint16_t)idx;
	q->queue = (uint16_t)v;
	return 0;
}

/* Entry widx of the list workers (fp_conf_elem_fn). */
static int
worker_load(struct fp_conf *c, const config_setting_t *grp, uint32_t widx, void *arg)
{
	static const char *const keys[] = { "lcore", "queues", NULL };
	struct loader *ld = arg;
	struct fp_config_worker *w = &ld->cfg->workers[widx];
	const config_setting_t *s, *list;
	unsigned int i, n;
	int64_t v = 0;
	int rc;

	rc = fp_conf_check_type(c, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(c, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(c, grp, "lcore", FP_CONF_T_INT, true, &s);
	if (rc < 0)
		return rc;
	rc = fp_conf_int_get(c, s, 0, FP_CFG_LCORE_MAX, false, &v);
	if (rc < 0)
		return rc;
	for (i = 0; i < widx; i++)
		if (ld->cfg->workers[i].lcore == v)
			return fp_conf_fail(c, s, NULL,
					    "lcore %" PRId64 " is already used by workers[%u]", v,
					    i);
	w->lcore = (uint32_t)v;
	rc = fp_conf_member_get(c, grp, "queues", FP_CONF_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_CFG_WORKER_QUEUE_MAX)
		return fp_conf_fail(c, list, NULL, "%u entries, need 1..%u", n,
				    FP_CFG_WORKER_QUEUE_MAX);
	for (i = 0; i < n; i++) {
		rc = queue_load(ld, config_setting_get_elem(list, i), widx, i);
		if (rc < 0)
			return rc;
	}
	w->n_queues = n;
	return 0;
}

static int
workers_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *ports;
	uint32_t i, q;
	int rc;

	rc = fp_conf_list_load(ld->conf, root, "workers", FP_CFG_WORKER_MAX, worker_load, ld,
			       &ld->cfg->n_workers);
	if (rc < 0)
		return rc;

	/* Every rx queue of every port is polled by exactly one worker. */
	ports = config_setting_get_member(root, "ports");
	for (i = 0; i < ld->cfg->n_ports; i++) {
		const struct fp_config_port *p = &ld->cfg->ports[i];

		for (q = 0; q < p->n_rxq; q++)
			if (ld->owner_worker[i][q] < 0)
				return fp_conf_fail(
					ld->conf, config_setting_get_elem(ports, i), NULL,
					"port \"%s\" rx queue %u is not polled by any worker",
					p->name, q);
	}
	return 0;
}

/* Load an optional group that holds only integer keys. */
static int
int_group_load(struct loader *ld, const config_setting_t *root, const char *name,
	       const struct fp_conf_int_field *fields, unsigned int n_fields)
{
	const config_setting_t *grp;
	int rc;

	rc = fp_conf_group_get(ld->conf, root, name, false, NULL, fields, n_fields, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	return fp_conf_ints_load(ld->conf, grp, fields, n_fields, ld->cfg);
}

static int
idle_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "mode", NULL };
	const config_setting_t *grp, *s;
	int rc;

	rc = fp_conf_group_get(ld->conf, root, "idle", false, keys, idle_ints,
			       FP_CONF_N_FIELDS(idle_ints), &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "mode", FP_CONF_T_STR, false, &s);
	if (rc == 0 && s != NULL)
		rc = fp_conf_enum_parse(ld->conf, s, idle_names, FP_IDLE_MAX, &ld->cfg->idle_mode);
	if (rc < 0)
		return rc;
	return fp_conf_ints_load(ld->conf, grp, idle_ints, FP_CONF_N_FIELDS(idle_ints), ld->cfg);
}

static int
control_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "socket", NULL };
	const config_setting_t *grp, *s;
	char path[FP_CFG_SOCKET_SIZE];
	int rc;

	rc = fp_conf_group_get(ld->conf, root, "control", false, keys, NULL, 0, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "socket", FP_CONF_T_STR, false, &s);
	if (rc < 0 || s == NULL)
		return rc;
	rc = fp_conf_str_copy(ld->conf, s, 1, path, sizeof(path));
	if (rc < 0)
		return rc;
	if (path[0] != '/')
		return fp_conf_fail(ld->conf, s, NULL, "\"%s\" is not an absolute path", path);
	memcpy(ld->cfg->ctl_socket, path, sizeof(path));
	return 0;
}

/* chassis_mac: the host's own MAC on provider networks (as OVN's
 * ovn-chassis-mac-mappings): the source of frames the distributed router
 * sends out a physical port, so that the physical switches never see a
 * router's MAC (every host's) on many ports.
 */
static int
chassis_mac_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	const char *v;
	int rc;

	rc = fp_conf_member_get(ld->conf, root, "chassis_mac", FP_CONF_T_STR, false, &s);
	if (rc < 0 || s == NULL)
		return rc;
	v = config_setting_get_string(s);
	if (fp_addr_mac_parse(v, ld->cfg->chassis_mac, 0) < 0 ||
	    !fp_addr_mac_is_unicast(ld->cfg->chassis_mac))
		return fp_conf_fail(ld->conf, s, NULL,
				    "\"%s\" is not a unicast MAC address (aa:bb:cc:dd:ee:ff)", v);
	ld->cfg->has_chassis_mac = 1;
	return 0;
}

static int
root_load(struct fp_conf *c, const config_setting_t *root, void *arg)
{
	struct loader *ld = arg;

	/* fp_control and fp_xdp are fp-control's and fp-xdp's groups in
	 * the same file; they check them (control/ctrl_config.c,
	 * bpf/xdp_config.c).
	 */
	static const char *const keys[] = {
		"host",	   "vtep",	 "eal",		"ports",     "workers",
		"mempool", "tables",	 "idle",	"tx",	     "stats",
		"control", "fp_control", "fp_xdp",	"log_level", "conntrack",
		"guard",   "slowpath",	 "chassis_mac", NULL,
	};
	int rc;

	ld->conf = c;
	rc = fp_conf_common_load(ld->conf, root, keys, ld->cfg->host, ld->cfg->local_vteps,
				 FP_CFG_LOCAL_VTEP_MAX, &ld->cfg->n_local_vteps);
	if (rc < 0)
		return rc;
	rc = eal_load(ld, root);
	if (rc < 0)
		return rc;
	rc = fp_conf_list_load(ld->conf, root, "ports", FP_PORT_MAX, port_load, ld,
			       &ld->cfg->n_ports);
	if (rc < 0)
		return rc;
	rc = workers_load(ld, root);
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "mempool", mempool_ints, FP_CONF_N_FIELDS(mempool_ints));
	if (rc < 0)
		return rc;
	rc = fp_conf_tables_load(ld->conf, root, ld->cfg->table_size);
	if (rc < 0)
		return rc;
	rc = idle_load(ld, root);
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "tx", tx_ints, FP_CONF_N_FIELDS(tx_ints));
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "stats", stats_ints, FP_CONF_N_FIELDS(stats_ints));
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "slowpath", slowpath_ints, FP_CONF_N_FIELDS(slowpath_ints));
	if (rc < 0)
		return rc;
	rc = control_load(ld, root);
	if (rc < 0)
		return rc;
	rc = fp_conf_log_level_load(ld->conf, root, &ld->cfg->log_level);
	if (rc < 0)
		return rc;
	rc = fp_conf_conntrack_load(ld->conf, root, &ld->cfg->ct_size, ld->cfg->ct_timeout_s);
	if (rc < 0)
		return rc;
	rc = fp_conf_guard_load(ld->conf, root, &ld->cfg->guard);
	if (rc < 0)
		return rc;
	rc = chassis_mac_load(ld, root);
	if (rc < 0)
		return rc;
	/* Every out-of-range literal must have been seen by int_get(). */
	return fp_conf_bigints_check(ld->conf);
}

int
fp_config_load(const char *path, struct fp_config *cfg, char *err, unsigned int errsz)
{
	struct loader ld = { .cfg = cfg };

	if (cfg != NULL)
		fp_config_defaults(cfg);
	return fp_conf_load_cfg(path, cfg, sizeof(*cfg), cfg != NULL ? cfg->path : NULL,
				sizeof(cfg->path), err, errsz, root_load, &ld);
}
