/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and sizes indexed by the ids of include/flowplane/: each table is
 * built once from its X-macro (FP_FOREACH_TABLE, _STAT, _DROP, _PORT_ROLE,
 * _ENCAP, _DEST, _CTL_MSG, _XDP_MAP), so a new id gets its name where it
 * is declared and nowhere else.  Read-only data.
 */
#ifndef FP_LIB_NAMES_H
#define FP_LIB_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>
#include <flowplane/xdp.h>

extern const char *const fp_names_table[FP_TABLE_MAX];		 /* "port", "vtep", ... */
extern const char *const fp_names_stat[FP_STAT_MAX];		 /* counters */
extern const char *const fp_names_drop[FP_DROP_MAX];		 /* drop reasons */
extern const char *const fp_names_role[FP_PORT_ROLE_MAX];	 /* port roles */
extern const char *const fp_names_encap[FP_ENCAP_MAX];		 /* "vxlan", "geneve" */
extern const char *const fp_names_dest[FP_DEST_MAX];		 /* fdb/flood destination types */
extern const char *const fp_names_route_type[FP_ROUTE_TYPE_MAX]; /* "local", "connected", ... */
extern const char *const fp_names_ctl_msg[FP_CTL_MSG_MAX];	 /* control socket messages */
extern const char *const fp_names_xdp_map[FP_XDP_MAP_MAX];	 /* pinned map names */

/* Connection states (FP_FOREACH_CT_STATE): "syn_sent", ..., conntrack.timeout_<name> */
extern const char *const fp_names_ct_state[FP_CT_STATE_MAX];

extern const uint16_t fp_names_key_size[FP_TABLE_MAX]; /* sizeof each table's key struct */
extern const uint16_t fp_names_val_size[FP_TABLE_MAX]; /* sizeof each table's value struct */

/**
 * Find a name in one of the name tables.
 *
 * @param names a name table
 * @param n     its length
 * @param name  the name to find (exact match)
 * @return its index, or -ENOENT
 */
int fp_names_find(const char *const names[], size_t n, const char *name);

/**
 * A name by index, safe for ids read from outside.
 *
 * @param names a name table
 * @param n     its length
 * @param i     the id
 * @return names[i], or "?" when i is out of range or has no name
 */
const char *fp_names_get(const char *const names[], size_t n, unsigned int i);

/* fp_names_get() over a whole array: FP_NAMES_GET(fp_names_drop, id). */
#define FP_NAMES_GET(names, i) fp_names_get((names), sizeof(names) / sizeof((names)[0]), (i))

#endif /* FP_LIB_NAMES_H */
