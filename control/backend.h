/* SPDX-License-Identifier: BSD-3-Clause */
/* The southbound interface of fp-control: one dataplane engine's tables.
 *
 * struct fp_backend_ops is what every engine implements (fp-dpdk over its
 * control socket here; the XDP maps later).  A backend holds one
 * transaction at a time: begin, set/del..., commit (all or nothing) or
 * abort.  set/del may buffer; commit reports the first failing change.
 *
 * Errors are negative errnos; a backend that lost its dataplane (fp-dpdk
 * exited) returns -ENOTCONN / -EPIPE / -ECONNRESET from any call and
 * must be closed and opened again.
 */
#ifndef FP_CONTROL_BACKEND_H
#define FP_CONTROL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#include "ctl_client.h"
#include "engine_port.h"

#define FP_BACKEND_PORT_MAX FP_PORT_MAX

/* What a backend reports about its dataplane. */
struct fp_backend_info {
	char host[FP_NAME_SIZE];	    /* host name of the dataplane */
	uint32_t abi_version;		    /* its FP_ABI_VERSION */
	uint32_t n_ports;		    /* valid ports */
	uint32_t table_limit[FP_TABLE_MAX]; /* table sizes */
	uint32_t table_count[FP_TABLE_MAX]; /* entries installed */
	uint64_t generation;		    /* commits so far */
	uint32_t sg_enforced;	   /* it filters FP_PORT_F_SG ports (stores rulesets, addrsets) */
	uint32_t routes_carried;   /* it routes (a route table): doc/routing.md */
	uint32_t md_delivered;	   /* it hands VMs' 169.254.169.254 to the host (no engine yet) */
	uint32_t nat_carried;	   /* it translates floating IPs (a nat table) */
	uint32_t segments_carried; /* it carries provider networks (a segment table) */
	struct fp_engine_port ports[FP_BACKEND_PORT_MAX]; /* its ports */
};

/* Called by dump for each entry; non-zero stops the dump and is returned. */
typedef int fp_backend_dump_fn(uint16_t table, const void *key, const void *val, void *arg);

struct fp_backend_ops {
	const char *name; /* "dpdk", "xdp" */

	/** Connect; *handle on success. 0 or -errno (-ENOENT, -ECONNREFUSED:
	 *  the dataplane is not running).
	 */
	int (*open)(const char *target, void **handle);
	/** Ports, table sizes, host. */
	int (*info)(void *handle, struct fp_backend_info *out);
	int (*begin)(void *handle);
	int (*set)(void *handle, uint16_t table, const void *key, const void *val);
	int (*del)(void *handle, uint16_t table, const void *key);
	/** Apply the transaction.  On failure nothing was applied; *failed
	 *  is the index of the failing change (UINT32_MAX when no change is
	 *  at fault, e.g. the connection failed) and err says why.
	 */
	int (*commit)(void *handle, uint32_t *failed, char *err, size_t errsz);
	int (*abort)(void *handle);
	/** Every entry of one table. */
	int (*dump)(void *handle, uint16_t table, fp_backend_dump_fn *fn, void *arg);
	/** The engine's counters (per worker lcore, or per CPU for XDP) and
	 *  ports, in the shape of fp-dpdk's STATS reply.  *out is freed with
	 *  fp_ctl_client_stats_free().  0, or -errno (-ENOMEM, the backend's).
	 */
	int (*stats)(void *handle, struct fp_ctl_client_stats **out);
	/** Is the dataplane still the one we opened?  0, or -errno when it
	 *  is gone (then close and open again).  *generation (when not
	 *  NULL) is set to its table generation: the commits it has taken,
	 *  from anyone (fp-control's audit notices foreign ones by it).
	 */
	int (*ping)(void *handle, uint64_t *generation);
	/** Accepts NULL. */
	void (*close)(void *handle);
};

/** fp-dpdk over its control socket; target is the socket path. */
extern const struct fp_backend_ops fp_backend_dpdk;

/** The XDP engine's pinned maps; target is the fp-xdp instance name (or
 *  an absolute pin directory).
 */
extern const struct fp_backend_ops fp_backend_xdp;

/* Called by fp_backend_xdp_ct_walk() per connection; non-zero stops it. */
typedef int fp_backend_ct_fn(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg);

/**
 * Visit the live connections of an XDP instance's fp_ct map (fpctl show
 * conntrack): bpf_map_get_next_key() and lookups, so entries the program
 * adds or removes meanwhile may or may not be seen.  Entries that expired
 * but are not yet swept by fp-xdp run are skipped, by the program's rule
 * (fp_xdp_ct_expired() with fp_sg_cfg's timeouts and the time now), as
 * fp-dpdk's walk skips them.
 *
 * @param h	a handle from fp_backend_xdp.open()
 * @return 0, fn's non-zero return, or a negative errno of the lookups
 */
int fp_backend_xdp_ct_walk(void *h, fp_backend_ct_fn *fn, void *arg);

/** The values the XDP backend writes, in order, to take a VM port's
 *  fp_port slot from cur to val (NULL: clear it): while the role is vm,
 *  only the role changes from one write to the next (the slot is copied
 *  over in place while programs may read it).  Returns how many (0..3).
 */
size_t fp_backend_xdp_port_steps(const struct fp_port_val *cur, const struct fp_port_val *val,
				 struct fp_port_val steps[3]);

/**
 * Recompute fp_vtep_src, the underlay source shadow, from fp_flood,
 * fp_fdb and fp_vtep (include/flowplane/xdp.h): every count that differs
 * is written first, then the keys no reference holds are deleted.  The
 * XDP backend runs it when it opens an instance (a commit that failed
 * half way in an earlier fp-control is repaired there), tests after
 * writing maps directly.
 *
 * @param flood_fd, fdb_fd, vtep_fd, src_fd  the maps
 * @param vtep_limit  vtep ids are below it (refs' length)
 * @param refs	      receives per vtep id its flood members and fdb entries; may be NULL
 * @return 0, -ENOMEM, or the -errno of a map operation
 */
int fp_backend_xdp_vtep_src_rebuild(int flood_fd, int fdb_fd, int vtep_fd, int src_fd,
				    uint32_t vtep_limit, uint32_t *refs);

#endif /* FP_CONTROL_BACKEND_H */
