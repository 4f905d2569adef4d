/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp configuration loader (libconfig): the fp_xdp group's schema.
 *
 * The file is read, pre-scanned and parsed by lib/conf.c, which also
 * checks the keys the three programs share (host, vtep, tables) with the
 * same rules and messages as fp-dpdk's and fp-control's loaders
 * (doc/config.md); this module validates the rest key by key into a struct
 * fp_xdp_config that fp_xdp_config_defaults() filled first.  Every error
 * is "file:line: key: reason"; the first one stops the load.
 */
#include "xdp_config.h"

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

#define MODE_NAME(id, name) [FP_XDP_MODE_##id] = name,
static const char *const mode_names[FP_XDP_MODE_MAX] = { FP_FOREACH_XDP_MODE(MODE_NAME) };
#undef MODE_NAME

/* State of one fp_xdp_config_load() call. */
struct loader {
	struct fp_conf *conf;	   /* the file */
	struct fp_xdp_config *cfg; /* being filled */
};

/* Copy an interface name: what the kernel's dev_valid_name() accepts. */
static int
iface_copy(struct loader *ld, const config_setting_t *s, char *dst)
{
	const char *p;
	int rc;

	rc = fp_conf_str_copy(ld->conf, s, 1, dst, FP_XDP_CFG_IFNAME_SIZE);
	if (rc < 0)
		return rc;
	if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
		return fp_conf_fail(ld->conf, s, NULL, "\"%s\" is not an interface name", dst);
	for (p = dst; *p != '\0'; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return fp_conf_fail(
				ld->conf, s, NULL,
				"\"%s\" is not an interface name (no '/', ':' or space)", dst);
	return 0;
}

void
fp_xdp_config_defaults(struct fp_xdp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	fp_conf_tables_default(cfg->table_size);
	fp_conf_conntrack_defaults(&cfg->ct_size, cfg->ct_timeout_s);
	memcpy(cfg->instance, FP_XDP_CFG_INSTANCE_DEFAULT, sizeof(FP_XDP_CFG_INSTANCE_DEFAULT));
	cfg->mode = FP_XDP_MODE_NATIVE;
	cfg->log_level = FP_LOG_INFO;
	fp_conf_guard_defaults(&cfg->guard);
}

int
fp_xdp_config_port_find(const struct fp_xdp_config *cfg, const char *name)
{
	if (cfg == NULL)
		return -ENOENT;
	return fp_conf_name_find(cfg->ports[0].name, sizeof(cfg->ports[0]),
				 cfg->n_ports < FP_PORT_MAX ? cfg->n_ports : FP_PORT_MAX, name);
}

const char *
fp_xdp_config_mode_name(uint32_t mode)
{
	return mode < FP_XDP_MODE_MAX ? mode_names[mode] : "?";
}

/* Entry idx of the list fp_xdp.ports (fp_conf_elem_fn). */
static int
port_load(struct fp_conf *c, const config_setting_t *grp, uint32_t idx, void *arg)
{
	static const char *const keys[] = { "name", "role", "iface", "mtu", NULL };
	struct loader *ld = arg;
	struct fp_xdp_config_port *p = &ld->cfg->ports[idx];
	const config_setting_t *s;
	int64_t v = 0;
	uint32_t i;
	int rc;

	rc = fp_conf_check_type(c, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(c, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	p->mtu = FP_XDP_CFG_MTU_DEFAULT;
	p->line = (uint32_t)config_setting_source_line(grp);

	rc = fp_conf_port_head_load(c, grp, "fp_xdp.ports", ld->cfg->ports[0].name,
				    sizeof(ld->cfg->ports[0]), idx, &p->role);
	if (rc < 0)
		return rc;
	if (p->role == FP_PORT_ROLE_PHYSICAL)
		return fp_conf_fail(c, config_setting_get_member(grp, "role"), NULL,
				    "\"physical\": the XDP engine does not carry provider networks "
				    "(doc/routing.md)");
	rc = fp_conf_member_get(c, grp, "iface", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = iface_copy(ld, s, p->iface);
	if (rc < 0)
		return rc;
	for (i = 0; i < idx; i++)
		if (strcmp(ld->cfg->ports[i].iface, p->iface) == 0)
			return fp_conf_fail(
				c, s, NULL,
				"interface \"%s\" is already used by fp_xdp.ports[%u] (\"%s\")",
				p->iface, i, ld->cfg->ports[i].name);
	rc = fp_conf_member_get(c, grp, "mtu", FP_CONF_T_INT, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		rc = fp_conf_int_get(c, s, FP_XDP_CFG_MTU_MIN, FP_XDP_CFG_MTU_MAX, false, &v);
		if (rc < 0)
			return rc;
		p->mtu = (uint16_t)v;
	}
	return 0;
}

static int
own_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "instance", "mode", "ports", NULL };
	struct fp_xdp_config *cfg = ld->cfg;
	const config_setting_t *grp, *s;
	int rc;

	rc = fp_conf_group_get(ld->conf, root, "fp_xdp", true, keys, NULL, 0, &grp);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "instance", FP_CONF_T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		rc = fp_conf_name_copy(ld->conf, s, cfg->instance, sizeof(cfg->instance), "_-",
				       "[A-Za-z0-9_-]");
		if (rc < 0)
			return rc;
	}
	rc = fp_conf_member_get(ld->conf, grp, "mode", FP_CONF_T_STR, false, &s);
	if (rc == 0 && s != NULL)
		rc = fp_conf_enum_parse(ld->conf, s, mode_names, FP_XDP_MODE_MAX, &cfg->mode);
	if (rc < 0)
		return rc;
	/* port_load() looks up earlier names: n_ports counts as it goes. */
	return fp_conf_list_load(ld->conf, grp, "ports", FP_PORT_MAX, port_load, ld, &cfg->n_ports);
}

static int
root_load(struct fp_conf *c, const config_setting_t *root, void *arg)
{
	struct loader *ld = arg;

	/* fp-xdp's own keys, then those of fp-dpdk (dataplane/config.c) and
	 * fp-control (control/ctrl_config.c), which check them: any other
	 * key is a typo, and an error.
	 */
	static const char *const keys[] = {
		"host",	 "vtep",     "tables",	    "fp_xdp",	 "eal",
		"ports", "workers",  "mempool",	    "idle",	 "tx",
		"stats", "control",  "fp_control",  "log_level", "conntrack",
		"guard", "slowpath", "chassis_mac", NULL,
	};
	int rc;

	ld->conf = c;
	rc = fp_conf_common_load(ld->conf, root, keys, ld->cfg->host, ld->cfg->local_vteps,
				 FP_XDP_LOCAL_VTEP_MAX, &ld->cfg->n_local_vteps);
	if (rc < 0)
		return rc;
	rc = fp_conf_tables_load(ld->conf, root, ld->cfg->table_size);
	if (rc < 0)
		return rc;
	rc = fp_conf_log_level_load(ld->conf, root, &ld->cfg->log_level);
	if (rc < 0)
		return rc;
	rc = fp_conf_conntrack_load(ld->conf, root, &ld->cfg->ct_size, ld->cfg->ct_timeout_s);
	if (rc == 0)
		rc = fp_conf_guard_load(ld->conf, root, &ld->cfg->guard);
	if (rc < 0)
		return rc;
	return own_load(ld, root);
}

int
fp_xdp_config_load(const char *path, struct fp_xdp_config *cfg, char *err, unsigned int errsz)
{
	struct loader ld = { .cfg = cfg };

	if (cfg != NULL)
		fp_xdp_config_defaults(cfg);
	return fp_conf_load_cfg(path, cfg, sizeof(*cfg), cfg != NULL ? cfg->path : NULL,
				sizeof(cfg->path), err, errsz, root_load, &ld);
}
