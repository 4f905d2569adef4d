/* SPDX-License-Identifier: BSD-3-Clause */
/* Strict reading of the one libconfig file (/etc/flowplane/flowplane.conf)
 * that fp-dpdk, fp-xdp and fp-control share.  Each program's loader keeps
 * its own group's schema and calls these helpers for the rest:
 *
 *   struct fp_conf c;
 *   rc = fp_conf_open(&c, path, err, errsz);     read, pre-scan, parse
 *   rc = fp_conf_member_get(&c, root, "host", FP_CONF_T_STR, true, &s); ...
 *   fp_conf_close(&c);
 *
 * The file is opened without following it into a FIFO or device (O_NONBLOCK,
 * then fstat(): anything but a regular file is "file: not a regular file"),
 * read whole (at most FP_CONF_FILE_MAX bytes, no NUL byte), scanned for
 * what libconfig 1.5 would get wrong silently (integer literals that do not
 * fit in 32 bits are truncated, not promoted) or that the schema does not
 * allow (@include), and parsed with AUTOCONVERT off.  Every error is
 * "file:line: key: reason" (the key as a path, "ports[1].mtu"); the first
 * one stops the load: every helper returns 0 or a negative errno, and on
 * error has written the message.
 *
 * Not thread-safe per struct fp_conf; separate loads are independent.
 */
#ifndef FP_LIB_CONF_H
#define FP_LIB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include <flowplane/tables.h>

#define FP_CONF_FILE_MAX (1024 * 1024)	     /* largest config file, bytes */
#define FP_CONF_KEY_SIZE 128		     /* "workers[15].queues[63].queue" */
#define FP_CONF_BIGINT_MAX 16		     /* out-of-range literals remembered */
#define FP_CONF_TABLE_MIN 16		     /* smallest table */
#define FP_CONF_TABLE_MAX (16 * 1024 * 1024) /* largest table */
#define FP_CONF_DEF_TABLE_VTEP 4096	     /* default table sizes */
#define FP_CONF_DEF_TABLE_FDB 65536
#define FP_CONF_DEF_TABLE_FLOOD 4096
#define FP_CONF_DEF_TABLE_NEIGH 65536
#define FP_CONF_DEF_TABLE_RULESET 4096	/* rulesets (security groups) */
#define FP_CONF_DEF_TABLE_ADDRSET 65536 /* address set members */
#define FP_CONF_DEF_TABLE_ROUTE 65536	/* routes, all vrfs together */
#define FP_CONF_DEF_TABLE_NAT 4096	/* nat entries (two per floating IP) */
#define FP_CONF_DEF_TABLE_DHCP 4096	/* DHCPv4 entries (one per VM port) */
#define FP_CONF_DEF_TABLE_RA 1024	/* RA entries (one per network with a router) */
#define FP_CONF_DEF_TABLE_DHCP6 4096	/* DHCPv6 entries (one per VM port) */
#define FP_CONF_DEF_TABLE_SEGMENT 4096	/* provider network segments (port, vlan) */

/* Setting type masks, by (1u << CONFIG_TYPE_*). */
#define FP_CONF_T_GROUP (1u << CONFIG_TYPE_GROUP)
#define FP_CONF_T_INT ((1u << CONFIG_TYPE_INT) | (1u << CONFIG_TYPE_INT64))
#define FP_CONF_T_STR (1u << CONFIG_TYPE_STRING)
#define FP_CONF_T_BOOL (1u << CONFIG_TYPE_BOOL)
#define FP_CONF_T_LIST (1u << CONFIG_TYPE_LIST)
#define FP_CONF_T_SEQ ((1u << CONFIG_TYPE_ARRAY) | FP_CONF_T_LIST)

/* An integer literal that libconfig 1.5 would truncate to 32 bits. */
struct fp_conf_bigint {
	unsigned int line;	     /* line of the literal */
	char name[FP_CONF_KEY_SIZE]; /* setting name just before it */
	int64_t value;		     /* its value, clamped to int64 */
	bool used;		     /* matched to a setting */
};

/* One load of one file. */
struct fp_conf {
	const char *path;				   /* file being loaded */
	char *err;					   /* error text, or NULL */
	size_t errsz;					   /* size of err */
	struct fp_conf_bigint bigints[FP_CONF_BIGINT_MAX]; /* found by the pre-scan */
	unsigned int n_bigints;				   /* entries in bigints */
	config_t cf;					   /* the parsed file */
	bool open;					   /* cf is initialised */
};

/* One integer key of a group, written into a struct at offset. */
struct fp_conf_int_field {
	const char *name; /* key */
	int64_t min;	  /* smallest value */
	int64_t max;	  /* largest value */
	size_t offset;	  /* offsetof() the destination */
	size_t size;	  /* sizeof() the destination: 2 or 4 */
	bool pow2;	  /* value must be a power of two */
};

#define FP_CONF_INT_FIELD(key, lo, hi, type, member, p2)                                   \
	{                                                                                  \
		.name = (key), .min = (lo), .max = (hi), .offset = offsetof(type, member), \
		.size = sizeof(((type *)0)->member), .pow2 = (p2),                         \
	}

#define FP_CONF_N_FIELDS(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

/**
 * Read, pre-scan and parse a config file.
 *
 * @param c     the load, filled in; fp_conf_close() it whether this fails or not
 * @param path  the file
 * @param err   message buffer ("file:line: reason", "file: reason"), or NULL
 * @param errsz its size
 * @return 0; -ENOENT, -EACCES ... (cannot open: "file: strerror"); -EINVAL
 *         (not a regular file, too large, a NUL byte, @include, a syntax
 *         error); -ENOMEM
 */
int fp_conf_open(struct fp_conf *c, const char *path, char *err, size_t errsz);

/* What a program's loader does with the parsed file: 0 or -EINVAL. */
typedef int fp_conf_load_fn(struct fp_conf *c, const config_setting_t *root, void *arg);

/**
 * Load a config file whole: fp_conf_open(), fn over its root, fp_conf_close().
 *
 * @param path      the file
 * @param path_copy where to copy path (for the program's struct), or NULL
 * @param path_size its size; a longer path is -ENAMETOOLONG
 * @param err       message buffer, or NULL
 * @param errsz     its size
 * @param fn        the program's schema
 * @param arg       passed to fn
 * @return 0, what fp_conf_open() or fn returns, -ENAMETOOLONG or -ENOMEM
 */
int fp_conf_load(const char *path, char *path_copy, size_t path_size, char *err, size_t errsz,
		 fp_conf_load_fn *fn, void *arg);

/**
 * fp_conf_load() into a program's config struct, which the caller filled
 * with its defaults first; it fails closed: on error the struct is zeroed,
 * so nothing half-loaded is left for a careless caller.
 *
 * @param cfg       the struct, or NULL (then -EINVAL)
 * @param cfg_size  its size
 * @return what fp_conf_load() returns, or -EINVAL
 */
int fp_conf_load_cfg(const char *path, void *cfg, size_t cfg_size, char *path_copy,
		     size_t path_size, char *err, size_t errsz, fp_conf_load_fn *fn, void *arg);

/** @return the root group of an opened file */
const config_setting_t *fp_conf_root(const struct fp_conf *c);

/** Free what fp_conf_open() holds; safe on a failed or closed load. */
void fp_conf_close(struct fp_conf *c);

/**
 * Report an error about setting s, or about its member when member is
 * not NULL: "file:line: key[.member]: message".
 *
 * @return -EINVAL
 */
int fp_conf_fail(struct fp_conf *c, const config_setting_t *s, const char *member, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/**
 * Report an error at a line no setting describes: "file:line: message".
 *
 * @return -EINVAL
 */
int fp_conf_fail_line(struct fp_conf *c, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Check that s has one of the types in the mask FP_CONF_T_*.
 *
 * @return 0, or -EINVAL ("expected an integer, got a string")
 */
int fp_conf_check_type(struct fp_conf *c, const config_setting_t *s, unsigned int types);

/**
 * Find member name of group grp and check its type.
 *
 * @param out the member, NULL when an optional member is absent
 * @return 0, or -EINVAL (missing and required, or of another type)
 */
int fp_conf_member_get(struct fp_conf *c, const config_setting_t *grp, const char *name,
		       unsigned int types, bool required, const config_setting_t **out);

/**
 * Find group name of grp and check its keys: fp_conf_member_get(), then
 * fp_conf_check_keys() over keys and fields.
 *
 * @param out the group, NULL when an optional group is absent
 * @return 0, or -EINVAL (missing and required, not a group, an unknown key)
 */
int fp_conf_group_get(struct fp_conf *c, const config_setting_t *grp, const char *name,
		      bool required, const char *const keys[],
		      const struct fp_conf_int_field *fields, unsigned int n_fields,
		      const config_setting_t **out);

/* What fp_conf_list_load() does with entry idx of a list: 0 or -EINVAL. */
typedef int fp_conf_elem_fn(struct fp_conf *c, const config_setting_t *s, uint32_t idx, void *arg);

/**
 * The required list name of grp: 1..max entries, fn called on each in
 * order.  *n counts the entries loaded so far while fn runs (so fn can
 * look at the earlier ones), and all of them at the end.
 *
 * @return 0, -EINVAL ("N entries, need 1..max"), or what fn returns
 */
int fp_conf_list_load(struct fp_conf *c, const config_setting_t *grp, const char *name,
		      uint32_t max, fp_conf_elem_fn *fn, void *arg, uint32_t *n);

/**
 * A string setting that must be one of names.
 *
 * @param out the index of the name in names
 * @return 0, or -EINVAL (not a string; "\"x\" is not one of \"a\", \"b\"")
 */
int fp_conf_enum_parse(struct fp_conf *c, const config_setting_t *s, const char *const names[],
		       uint32_t n_names, uint32_t *out);

/**
 * Reject any member of grp that is neither in names (NULL-terminated, may
 * be NULL) nor in fields.
 *
 * @return 0, or -EINVAL ("unknown key")
 */
int fp_conf_check_keys(struct fp_conf *c, const config_setting_t *grp, const char *const names[],
		       const struct fp_conf_int_field *fields, unsigned int n_fields);

/**
 * The value of integer setting s (its type already checked), read whole
 * where libconfig 1.5 truncated the literal to 32 bits.
 *
 * @return the value
 */
int64_t fp_conf_int_value(struct fp_conf *c, const config_setting_t *s);

/**
 * Read integer setting s and check min..max (and a power of two).  A
 * literal libconfig 1.5 truncated to 32 bits is read whole.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_int_get(struct fp_conf *c, const config_setting_t *s, int64_t min, int64_t max,
		    bool pow2, int64_t *out);

/**
 * Read the integer members of grp described by fields into the struct at
 * base; absent members are left alone.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_ints_load(struct fp_conf *c, const config_setting_t *grp,
		      const struct fp_conf_int_field *fields, unsigned int n_fields, void *base);

/**
 * Copy string setting s into dst (size bytes), at least min_len chars.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_str_copy(struct fp_conf *c, const config_setting_t *s, size_t min_len, char *dst,
		     size_t size);

/**
 * Copy a name of 1..size-1 chars, each alphanumeric or in extra.
 *
 * @param set how the message names the allowed set ("[A-Za-z0-9._-]")
 * @return 0, or -EINVAL
 */
int fp_conf_name_copy(struct fp_conf *c, const config_setting_t *s, char *dst, size_t size,
		      const char *extra, const char *set);

/**
 * Check that every integer literal that does not fit in 32 bits was read
 * by fp_conf_int_get() (one in a setting no helper read is an error).
 *
 * @return 0, or -EINVAL
 */
int fp_conf_bigints_check(struct fp_conf *c);

/**
 * The shared key host: 1..FP_NAME_SIZE-1 chars of [A-Za-z0-9._-].
 *
 * @return 0, or -EINVAL
 */
int fp_conf_host_load(struct fp_conf *c, const config_setting_t *root, char host[FP_NAME_SIZE]);

/**
 * The shared group vtep { addresses = [ ... ] }: 1..max unicast addresses
 * that can be tunnel endpoints, none twice.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_vtep_load(struct fp_conf *c, const config_setting_t *root, struct fp_ip *addrs,
		      uint32_t max, uint32_t *n_addrs);

/**
 * What the three programs read first: the root's keys (each program lists
 * every key of the file, its own and the others', so that a typo is an
 * error), then host and vtep (fp_conf_host_load(), fp_conf_vtep_load()).
 *
 * @param keys  NULL-terminated root keys, or NULL not to check them
 * @return 0, or -EINVAL
 */
int fp_conf_common_load(struct fp_conf *c, const config_setting_t *root, const char *const keys[],
			char host[FP_NAME_SIZE], struct fp_ip *addrs, uint32_t max,
			uint32_t *n_addrs);

/**
 * The root's optional log_level (lib/log.h's names), common to the three
 * programs.
 *
 * @param level set when log_level is present (FP_LOG_*), else unchanged
 * @return 0, or -EINVAL (not a string, not a level)
 */
int fp_conf_log_level_load(struct fp_conf *c, const config_setting_t *root, uint32_t *level);

/* The shared group conntrack { size = N; timeout_<state> = S; ... }. */
#define FP_CONF_CT_SIZE_MIN 1024
#define FP_CONF_CT_SIZE_MAX 16777216
#define FP_CONF_CT_SIZE_DEFAULT 262144
#define FP_CONF_CT_TIMEOUT_MAX 8640000 /* 100 days, in seconds */

/**
 * The defaults of the conntrack group: FP_CONF_CT_SIZE_DEFAULT and
 * Linux's timeouts (FP_FOREACH_CT_STATE).
 */
void fp_conf_conntrack_defaults(uint32_t *size, uint32_t timeout_s[FP_CT_STATE_MAX]);

/**
 * The shared group conntrack: size (connections, FP_CONF_CT_SIZE_MIN..MAX)
 * and timeout_<state> (seconds, 1..FP_CONF_CT_TIMEOUT_MAX) for each state
 * name of FP_FOREACH_CT_STATE but "none".  Absent keys are left alone.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_conntrack_load(struct fp_conf *c, const config_setting_t *root, uint32_t *size,
			   uint32_t timeout_s[FP_CT_STATE_MAX]);

/* The shared group guard { ... }: the underlay and flood hardening both
 * engines apply (doc/config.md).
 */
#define FP_CONF_STORM_PPS_DEFAULT 1000	/* flood packets per second per VM port */
#define FP_CONF_STORM_BURST_DEFAULT 200 /* flood packets in one burst */
#define FP_CONF_STORM_PPS_MAX 10000000	/* largest storm_control_pps */
#define FP_CONF_STORM_BURST_MAX 1000000 /* largest storm_control_burst */
#define FP_CONF_ICMP_PPS_DEFAULT 1000	/* ICMP errors per second per worker or CPU */
#define FP_CONF_ICMP_BURST_DEFAULT 50	/* ICMP errors in one burst (Linux's icmp_msgs_burst) */

/** The defaults of the guard group: every check on, floods 1000 pps burst
 * 200, ICMP errors 1000 pps burst 50.
 */
void fp_conf_guard_defaults(struct fp_guard_cfg *g);

/**
 * The shared group guard: underlay_strict_source and underlay_inner_src_mac
 * (booleans), storm_control_pps (0..FP_CONF_STORM_PPS_MAX, 0 = off) and
 * storm_control_burst (1..FP_CONF_STORM_BURST_MAX), icmp_pps (the same
 * range as storm_control_pps, 0 = unlimited) and icmp_burst (as
 * storm_control_burst), permitted_ethertypes
 * (an array of at most FP_GUARD_ETHERTYPE_MAX ethertypes 0x0600..0xffff,
 * not IPv4, IPv6, ARP or a VLAN tag, no duplicates).  Absent keys are left
 * alone.
 *
 * @return 0, or -EINVAL
 */
int fp_conf_guard_load(struct fp_conf *c, const config_setting_t *root, struct fp_guard_cfg *g);

/**
 * The table sizes both engines start from (doc/config.md): the port
 * table FP_PORT_MAX, the others FP_CONF_DEF_TABLE_*.
 */
void fp_conf_tables_default(uint32_t table_size[FP_TABLE_MAX]);

/**
 * The shared group tables { fdb = N; ... }: sizes FP_CONF_TABLE_MIN..
 * FP_CONF_TABLE_MAX by table name (the port table's size is fixed).
 *
 * @return 0, or -EINVAL
 */
int fp_conf_tables_load(struct fp_conf *c, const config_setting_t *root,
			uint32_t table_size[FP_TABLE_MAX]);

/**
 * Find a name among n entries of an array of structs, each holding a
 * NUL-terminated name at the same offset.
 *
 * @param names  the first entry's name
 * @param stride sizeof() an entry
 * @return the index of the first entry so named, or -ENOENT
 */
int fp_conf_name_find(const char *names, size_t stride, uint32_t n, const char *name);

/**
 * The keys every port entry of both engines has: name, 1..FP_NAME_SIZE-1
 * chars of [A-Za-z0-9._-] that no earlier entry has, and role
 * (fp_conf_role_parse()).
 *
 * @param grp    the entry
 * @param list   the list's key, for the message ("ports")
 * @param names  the name of entry 0 in an array of port structs; entry
 *               idx's name is written, entries 0..idx-1 are compared
 * @param stride sizeof() a port struct
 * @param role   receives the role
 * @return 0, or -EINVAL ("duplicate port name \"x\" (also LIST[i])", ...)
 */
int fp_conf_port_head_load(struct fp_conf *c, const config_setting_t *grp, const char *list,
			   char *names, size_t stride, uint32_t idx, uint16_t *role);

/**
 * A port role in the config: "vm" or "underlay".
 *
 * @return 0, or -EINVAL
 */
int fp_conf_role_parse(struct fp_conf *c, const config_setting_t *s, uint16_t *role);

#endif /* FP_LIB_CONF_H */
