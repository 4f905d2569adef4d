/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk configuration: one libconfig file -> struct fp_config.
 *
 * fp_config_defaults() fills every default in C; fp_config_load() reads a
 * file on top of them, range-checks every value, rejects unknown keys,
 * duplicate names and bad references, and fails closed: on error the
 * message names file:line and the config must not be used.  No DPDK and
 * no libconfig types leak out of this module; the struct is plain data.
 */
#ifndef FP_CONFIG_H
#define FP_CONFIG_H

#include <stdint.h>

#include <flowplane/tables.h>

#define FP_CFG_LOCAL_VTEP_MAX 4	   /* local VTEP addresses */
#define FP_CFG_EAL_ARGS_MAX 32	   /* EAL arguments */
#define FP_CFG_STR_MAX 256	   /* devargs, EAL argument, path */
#define FP_CFG_WORKER_MAX 16	   /* worker lcores */
#define FP_CFG_WORKER_QUEUE_MAX 64 /* (port, queue) pairs per worker */
#define FP_CFG_ERR_SIZE 512	   /* fp_config_load() error text */

#define FP_FOREACH_IDLE_MODE(_) \
	_(BUSY, "busy")         \
	_(ADAPTIVE, "adaptive")

#define FP_IDLE_ENUM(id, name) FP_IDLE_##id,
enum fp_idle_mode { FP_FOREACH_IDLE_MODE(FP_IDLE_ENUM) FP_IDLE_MAX };
#undef FP_IDLE_ENUM

struct fp_config_port {
	char name[FP_NAME_SIZE];      /* unique; used by workers[].queues */
	char devargs[FP_CFG_STR_MAX]; /* DPDK devargs: PCI address or vdev */
	uint16_t role;		      /* FP_PORT_ROLE_VM, _UNDERLAY or _PHYSICAL */
	uint16_t mtu;		      /* L3 MTU, 68..9600, default 1500 */
	uint16_t n_rxq;		      /* rx queues, 1..16, default 1 */
	uint16_t rx_desc;	      /* rx ring size, 64..16384, default 1024 */
	uint16_t tx_desc;	      /* tx ring size, 64..16384, default 1024 */
	uint8_t mac[6];		      /* MAC to set on the device (has_mac) */
	uint8_t has_mac;	      /* mac given: set it at start */
	uint8_t pad;		      /* zero */
};

struct fp_config_queue {
	uint16_t port;	/* index into fp_config.ports */
	uint16_t queue; /* rx queue id, < that port's n_rxq */
};

struct fp_config_worker {
	uint32_t lcore;						/* EAL lcore id */
	uint32_t n_queues;					/* entries in queues */
	struct fp_config_queue queues[FP_CFG_WORKER_QUEUE_MAX]; /* polled */
};

struct fp_config {
	char path[FP_CFG_STR_MAX];			    /* file it came from */
	char host[FP_NAME_SIZE];			    /* host name, required */
	struct fp_ip local_vteps[FP_CFG_LOCAL_VTEP_MAX];    /* our VTEP addresses */
	uint32_t n_local_vteps;				    /* at least one */
	char eal_args[FP_CFG_EAL_ARGS_MAX][FP_CFG_STR_MAX]; /* argv[1..] for EAL */
	uint32_t n_eal_args;				    /* entries in eal_args */
	struct fp_config_port ports[FP_PORT_MAX];	    /* logical port id = index */
	uint32_t n_ports;				    /* at least one */
	struct fp_config_worker workers[FP_CFG_WORKER_MAX]; /* worker lcores */
	uint32_t n_workers;				    /* at least one */
	uint32_t mbufs;					    /* mempool size, default 16383 */
	uint32_t mbuf_cache;				    /* per-lcore cache, default 256 */
	uint32_t mbuf_data_size;			    /* default 2048 + headroom */
	uint32_t table_size[FP_TABLE_MAX];		    /* limits; port is fixed */
	uint32_t idle_mode;				    /* FP_IDLE_*, default adaptive */
	uint32_t idle_empty_polls;			    /* empty polls before sleeping */
	uint32_t idle_max_sleep_us;			    /* longest sleep, 1..100000 */
	uint32_t tx_drain_us;				    /* tx buffer flush timer */
	uint32_t stats_interval_s;			    /* log counters every N s; 0 off */
	char ctl_socket[108];				    /* control socket path */
	uint32_t log_level;				    /* FP_LOG_* (lib/log.h), default info */
	uint32_t ct_size;				    /* conntrack.size: connections */
	uint32_t ct_timeout_s[FP_CT_STATE_MAX];		    /* conntrack.timeout_<state> */
	struct fp_guard_cfg guard;			    /* the guard group */
	uint32_t slowpath_queue; /* slowpath.queue: punted frames per worker */
	uint32_t slowpath_pps;	 /* slowpath.pps: punts per second per port (per worker) */
	uint8_t chassis_mac[6];	 /* chassis_mac: routed frames' source on physical ports */
	uint8_t has_chassis_mac; /* chassis_mac given (else a physical port's MAC) */
	uint8_t pad;		 /* zero */
};

/**
 * Fill a config with the defaults.
 *
 * @param cfg config to fill
 */
void fp_config_defaults(struct fp_config *cfg);

/**
 * Load and validate a config file on top of the defaults.
 *
 * Calls fp_config_defaults() itself, then overrides from the file.  The
 * schema is in doc/config.md.  On error cfg is zeroed and err names
 * "file:line: key: reason" (or "file: strerror" if it cannot be read).
 *
 * @param path  file to read
 * @param cfg   filled in; not to be used on error
 * @param err   receives the error text; may be NULL
 * @param errsz size of err
 * @return 0, -ENOENT if the file does not exist, another negative errno
 *	   from open/read (-EACCES, -EISDIR, ...) if it cannot be read,
 *	   -ENAMETOOLONG if path does not fit in fp_config.path, -ENOMEM,
 *	   -EINVAL if it is invalid
 */
int fp_config_load(const char *path, struct fp_config *cfg, char *err, unsigned int errsz);

/**
 * Find a port by name.
 *
 * @return its index, or -ENOENT
 */
int fp_config_port_find(const struct fp_config *cfg, const char *name);

#endif /* FP_CONFIG_H */
