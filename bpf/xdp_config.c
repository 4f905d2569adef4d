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

#define FP_XDP_CFG_TABLE_MIN 16			/* smallest table */
#define FP_XDP_CFG_TABLE_MAX (16 * 1024 * 1024) /* largest table */

/* Table defaults: doc/config.md (fp-dpdk uses the same). */
#define FP_XDP_CFG_DEF_TABLE_VTEP 4096
#define FP_XDP_CFG_DEF_TABLE_FDB 65536
#define FP_XDP_CFG_DEF_TABLE_FLOOD 4096
#define FP_XDP_CFG_DEF_TABLE_NEIGH 65536
#define FP_XDP_CFG_DEF_TABLE_RULESET 4096
#define FP_XDP_CFG_DEF_TABLE_ADDRSET 65536

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
	cfg->table_size[FP_TABLE_PORT] = FP_PORT_MAX;
	cfg->table_size[FP_TABLE_VTEP] = FP_XDP_CFG_DEF_TABLE_VTEP;
	cfg->table_size[FP_TABLE_FDB] = FP_XDP_CFG_DEF_TABLE_FDB;
	cfg->table_size[FP_TABLE_FLOOD] = FP_XDP_CFG_DEF_TABLE_FLOOD;
	cfg->table_size[FP_TABLE_NEIGH] = FP_XDP_CFG_DEF_TABLE_NEIGH;
	cfg->table_size[FP_TABLE_RULESET] = FP_XDP_CFG_DEF_TABLE_RULESET;
	cfg->table_size[FP_TABLE_ADDRSET] = FP_XDP_CFG_DEF_TABLE_ADDRSET;
	memcpy(cfg->instance, FP_XDP_CFG_INSTANCE_DEFAULT, sizeof(FP_XDP_CFG_INSTANCE_DEFAULT));
	cfg->mode = FP_XDP_MODE_NATIVE;
	cfg->log_level = FP_LOG_INFO;
	fp_conf_guard_defaults(&cfg->guard);
}

int
fp_xdp_config_port_find(const struct fp_xdp_config *cfg, const char *name)
{
	uint32_t i;

	if (cfg == NULL || name == NULL)
		return -ENOENT;
	for (i = 0; i < cfg->n_ports && i < FP_PORT_MAX; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

const char *
fp_xdp_config_mode_name(uint32_t mode)
{
	return mode < FP_XDP_MODE_MAX ? mode_names[mode] : "?";
}

static int
port_load(struct loader *ld, const config_setting_t *grp, uint32_t idx)
{
	static const char *const keys[] = { "name", "role", "iface", "mtu", NULL };
	struct fp_xdp_config_port *p = &ld->cfg->ports[idx];
	const config_setting_t *s;
	int64_t v = 0;
	uint32_t i;
	int found;
	int rc;

	rc = fp_conf_check_type(ld->conf, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(ld->conf, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	p->mtu = FP_XDP_CFG_MTU_DEFAULT;
	p->line = (uint32_t)config_setting_source_line(grp);

	rc = fp_conf_member_get(ld->conf, grp, "name", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = fp_conf_name_copy(ld->conf, s, p->name, sizeof(p->name), "._-", "[A-Za-z0-9._-]");
	if (rc < 0)
		return rc;
	found = fp_xdp_config_port_find(ld->cfg, p->name);
	if (found >= 0 && (uint32_t)found < idx)
		return fp_conf_fail(ld->conf, s, NULL,
				    "duplicate port name \"%s\" (also fp_xdp.ports[%d])", p->name,
				    found);
	rc = fp_conf_member_get(ld->conf, grp, "role", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = fp_conf_role_parse(ld->conf, s, &p->role);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(ld->conf, grp, "iface", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = iface_copy(ld, s, p->iface);
	if (rc < 0)
		return rc;
	for (i = 0; i < idx; i++)
		if (strcmp(ld->cfg->ports[i].iface, p->iface) == 0)
			return fp_conf_fail(
				ld->conf, s, NULL,
				"interface \"%s\" is already used by fp_xdp.ports[%u] (\"%s\")",
				p->iface, i, ld->cfg->ports[i].name);
	rc = fp_conf_member_get(ld->conf, grp, "mtu", FP_CONF_T_INT, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		rc = fp_conf_int_get(ld->conf, s, FP_XDP_CFG_MTU_MIN, FP_XDP_CFG_MTU_MAX, false,
				     &v);
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
	const config_setting_t *grp, *s, *list;
	unsigned int i, n, m;
	const char *v;
	int rc;

	rc = fp_conf_member_get(ld->conf, root, "fp_xdp", FP_CONF_T_GROUP, true, &grp);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(ld->conf, grp, keys, NULL, 0);
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
	if (rc < 0)
		return rc;
	if (s != NULL) {
		v = config_setting_get_string(s);
		for (m = 0; m < FP_XDP_MODE_MAX; m++)
			if (strcmp(v, mode_names[m]) == 0)
				break;
		if (m == FP_XDP_MODE_MAX)
			return fp_conf_fail(
				ld->conf, s, NULL, "\"%s\" is not one of \"%s\", \"%s\"", v,
				mode_names[FP_XDP_MODE_NATIVE], mode_names[FP_XDP_MODE_GENERIC]);
		cfg->mode = m;
	}
	rc = fp_conf_member_get(ld->conf, grp, "ports", FP_CONF_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_PORT_MAX)
		return fp_conf_fail(ld->conf, list, NULL, "%u entries, need 1..%u", n, FP_PORT_MAX);
	for (i = 0; i < n; i++) {
		/* port_load() looks up earlier names: count as we go. */
		cfg->n_ports = i;
		rc = port_load(ld, config_setting_get_elem(list, i), i);
		if (rc < 0)
			return rc;
	}
	cfg->n_ports = n;
	return 0;
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
		"host",	      "vtep",	   "tables",	"fp_xdp", "eal",   "ports",
		"workers",    "mempool",   "idle",	"tx",	  "stats", "control",
		"fp_control", "log_level", "conntrack", "guard",  NULL,
	};
	int rc;

	ld->conf = c;
	rc = fp_conf_common_load(ld->conf, root, keys, ld->cfg->host, ld->cfg->local_vteps,
				 FP_XDP_LOCAL_VTEP_MAX, &ld->cfg->n_local_vteps);
	if (rc < 0)
		return rc;
	rc = fp_conf_tables_load(ld->conf, root, FP_XDP_CFG_TABLE_MIN, FP_XDP_CFG_TABLE_MAX,
				 ld->cfg->table_size);
	if (rc < 0)
		return rc;
	rc = fp_conf_log_level_load(ld->conf, root, &ld->cfg->log_level);
	if (rc < 0)
		return rc;
	rc = fp_conf_guard_load(ld->conf, root, &ld->cfg->guard);
	if (rc < 0)
		return rc;
	return own_load(ld, root);
}

int
fp_xdp_config_load(const char *path, struct fp_xdp_config *cfg, char *err, unsigned int errsz)
{
	struct loader ld = { .cfg = cfg };
	int rc;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (cfg == NULL)
		return -EINVAL;
	fp_xdp_config_defaults(cfg);
	rc = fp_conf_load(path, cfg->path, sizeof(cfg->path), err, errsz, root_load, &ld);
	if (rc < 0) /* Fail closed: nothing half-loaded is left for a careless caller. */
		memset(cfg, 0, sizeof(*cfg));
	return rc;
}
