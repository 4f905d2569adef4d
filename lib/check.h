/* SPDX-License-Identifier: BSD-3-Clause */
/* The one entry validator of both engines: fp-dpdk's commit
 * (dataplane/ftable.c), the XDP backend (control/backend_xdp.c) and fpctl
 * (before it sends) check a table entry here, so an entry that one engine
 * refuses the other refuses too, with the same message.
 *
 * Two kinds of checks, both pure functions over the ABI structs of
 * include/flowplane/tables.h:
 *   - value checks: pad bytes zero, VNI range, MTU range, unicast MACs and
 *     addresses, address families, encap, flags, counts and unused slots;
 *   - reference checks over a struct fp_check_view that the engine fills
 *     in: which ports exist and their roles, the underlay ports' MTUs, the
 *     local VTEP addresses, the vtep table's size, and (a callback) which
 *     ports and vteps exist once the transaction is applied, and whether
 *     the engine enforces security groups (a port with FP_PORT_F_SG is
 *     refused by an engine that does not: never left open silently), and
 *     whether it routes (route and nat entries and fdb router entries are
 *     refused by an engine that does not, naming the table), and whether
 *     it translates nat entries (a nat set is refused by an engine that
 *     stores but does not translate them: never accepted and ignored),
 *     whether it serves the slow path (dhcp, ra and dhcp6 entries are
 *     refused by an engine that does not, naming the table), and whether
 *     it carries provider networks (segment entries, provider network ids
 *     and physical destinations are refused by an engine that does not).
 * With no view (NULL), only the value checks run (fpctl, which does not
 * know the engine's state).
 *
 * Messages name the entry ("vtep 3: next-hop mac is not unicast") without
 * the "change N: " prefix the engines add.  No state: thread-safe.
 */
#ifndef FP_LIB_CHECK_H
#define FP_LIB_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#define FP_CHECK_MTU_MIN 68   /* smallest port MTU (IPv4's minimum) */
#define FP_CHECK_MTU_MAX 9600 /* largest port MTU */

/* Will destination (FP_DEST_PORT: a vm port, FP_DEST_VTEP) id exist once
 * the transaction is applied?  1 yes, 0 no.
 */
typedef int fp_check_exists_fn(void *ctx, uint16_t type, uint32_t id);

/* What an engine knows about the objects entries point at. */
struct fp_check_view {
	const uint16_t *port_role;	 /* [FP_PORT_MAX] configured role; NONE: no port */
	const uint16_t *port_mtu;	 /* [FP_PORT_MAX] configured L3 MTU */
	const struct fp_ip *local_vteps; /* this host's VTEP addresses */
	uint32_t n_local_vteps;		 /* valid local_vteps */
	uint32_t vtep_limit;		 /* vtep ids are 0..vtep_limit-1 */
	fp_check_exists_fn *exists;	 /* after the transaction; NULL: not checked */
	uint32_t sg_enforced;		 /* the engine filters FP_PORT_F_SG ports */
	uint32_t routes;		 /* the engine routes: route, nat, fdb router entries */
	uint32_t nat;			 /* the engine translates nat entries (floating IPs) */
	uint32_t slowpath;		 /* the engine serves dhcp, ra and dhcp6 entries */
	uint32_t segments;		 /* the engine carries provider networks (segment) */
	uint32_t pad;			 /* zero */
	void *ctx;			 /* for exists */
};

/**
 * Check the id of an entry's key against the view: a port entry's port is
 * configured, a vtep entry's id is within the vtep table.
 *
 * @param table FP_TABLE_*
 * @param key   the key struct of table
 * @param view  the engine's view (NULL: nothing to check)
 * @param err   message buffer, or NULL
 * @param errsz its size
 * @return 0, or -EINVAL
 */
int fp_check_key(uint16_t table, const void *key, const struct fp_check_view *view, char *err,
		 size_t errsz);

/**
 * Check a set (val not NULL) or a delete (val NULL) of one entry.
 *
 * @param table FP_TABLE_*
 * @param key   the key struct of table
 * @param val   the value struct of table, or NULL for a delete
 * @param view  the engine's view, or NULL for the value checks alone
 * @param err   message buffer, or NULL
 * @param errsz its size
 * @return 0, -EPERM (a port entry for a port that is not a vm port: the
 *         config owns it), or -EINVAL (the message says why)
 */
int fp_check_entry(uint16_t table, const void *key, const void *val,
		   const struct fp_check_view *view, char *err, size_t errsz);

#endif /* FP_LIB_CHECK_H */
