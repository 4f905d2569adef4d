/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp configuration: the shared libconfig file -> struct fp_xdp_config.
 *
 * fp-xdp reads the same file as fp-dpdk and fp-control
 * (/etc/flowplane/flowplane.conf).  It checks the shared keys it needs
 * (host, vtep.addresses, tables) by fp-dpdk's rules and its own group
 * fp_xdp strictly: unknown keys, wrong types and out-of-range values are
 * errors naming file:line, and nothing is silently skipped.  The groups
 * of fp-dpdk (eal, ports, workers, ...) and of fp-control (fp_control)
 * belong to them and are not looked into; any other top-level key is an
 * unknown key.  Schema: doc/xdp.md.
 *
 * The module is pure: no BPF, no interface look-ups (an interface is
 * checked when fp-xdp attaches, not when the file is loaded).  The struct
 * is plain data; libconfig types do not leak out.
 */
#ifndef FP_BPF_XDP_CONFIG_H
#define FP_BPF_XDP_CONFIG_H

#include <stdint.h>

#include <flowplane/tables.h>
#include <flowplane/xdp.h>

#define FP_XDP_CFG_PATH_SIZE 256	      /* config file path, NUL included */
#define FP_XDP_CFG_IFNAME_SIZE 16	      /* interface names (IFNAMSIZ), NUL included */
#define FP_XDP_CFG_ERR_SIZE 512		      /* fp_xdp_config_load() error text */
#define FP_XDP_CFG_MTU_MIN 68		      /* smallest port MTU */
#define FP_XDP_CFG_MTU_MAX 9000		      /* largest port MTU */
#define FP_XDP_CFG_MTU_DEFAULT 1500	      /* port MTU when none is given */
#define FP_XDP_CFG_INSTANCE_DEFAULT "default" /* fp_xdp.instance when none is given */

/* fp_xdp.mode: how the program is attached. */
#define FP_FOREACH_XDP_MODE(_) \
	_(NATIVE, "native")    \
	_(GENERIC, "generic")

#define FP_XDP_MODE_ENUM(id, name) FP_XDP_MODE_##id,
enum fp_xdp_mode { FP_FOREACH_XDP_MODE(FP_XDP_MODE_ENUM) FP_XDP_MODE_MAX };
#undef FP_XDP_MODE_ENUM

/* One fp_xdp.ports[i]; its logical port id is i. */
struct fp_xdp_config_port {
	char name[FP_NAME_SIZE];	    /* unique among ports */
	char iface[FP_XDP_CFG_IFNAME_SIZE]; /* kernel interface, unique among ports */
	uint16_t role;			    /* FP_PORT_ROLE_VM or _UNDERLAY */
	uint16_t mtu;			    /* L3 MTU, 68..9000, default 1500 */
	uint32_t line;			    /* line of the port in the file, for messages */
};

struct fp_xdp_config {
	char path[FP_XDP_CFG_PATH_SIZE];		 /* file it came from */
	char host[FP_NAME_SIZE];			 /* host name, required */
	struct fp_ip local_vteps[FP_XDP_LOCAL_VTEP_MAX]; /* vtep.addresses */
	uint32_t n_local_vteps;				 /* at least one */
	uint32_t table_size[FP_TABLE_MAX];		 /* map sizes; port is fixed */
	char instance[FP_XDP_INSTANCE_SIZE];		 /* pin directory name */
	uint32_t mode;					 /* FP_XDP_MODE_*, default native */
	uint32_t n_ports;				 /* at least one */
	struct fp_xdp_config_port ports[FP_PORT_MAX];	 /* logical port id = index */
	uint32_t log_level;				 /* FP_LOG_* (lib/log.h), default info */
	uint32_t ct_size;				 /* conntrack.size: fp_ct's entries */
	uint32_t ct_timeout_s[FP_CT_STATE_MAX];		 /* conntrack.timeout_<state>: fp_sg_cfg */
	struct fp_guard_cfg guard;			 /* the guard group (fp_guard) */
};

/**
 * Fill a config with the defaults (no host, no address, no port).
 *
 * @param cfg config to fill
 */
void fp_xdp_config_defaults(struct fp_xdp_config *cfg);

/**
 * Load and validate a config file on top of the defaults.
 *
 * Calls fp_xdp_config_defaults() itself, then overrides from the file.
 * On error cfg is zeroed and err holds "file:line: key: reason" (or
 * "file: strerror" if the file cannot be read).
 *
 * @param path  file to read
 * @param cfg   filled in; not to be used on error
 * @param err   receives the error text, "" on success; may be NULL
 * @param errsz size of err
 * @return 0; -ENOENT if the file does not exist; another negative errno
 *	   from open/read (-EACCES, -EISDIR, ...) if it cannot be read;
 *	   -ENAMETOOLONG if path does not fit in fp_xdp_config.path;
 *	   -ENOMEM; -EINVAL if it is invalid
 */
int fp_xdp_config_load(const char *path, struct fp_xdp_config *cfg, char *err, unsigned int errsz);

/**
 * Find a port by name.
 *
 * @param cfg  a loaded config
 * @param name port name
 * @return its index (logical port id), or -ENOENT
 */
int fp_xdp_config_port_find(const struct fp_xdp_config *cfg, const char *name);

/**
 * The name of a mode, "native" or "generic".
 *
 * @param mode FP_XDP_MODE_*
 * @return a static string; "?" for an unknown mode
 */
const char *fp_xdp_config_mode_name(uint32_t mode);

#endif /* FP_BPF_XDP_CONFIG_H */
