/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk configuration loader (libconfig).
 *
 * The file is read into memory, scanned once for what libconfig 1.5 would
 * get wrong silently (integer literals that do not fit in 32 bits are
 * truncated, not promoted) or that the schema does not allow (@include),
 * then parsed with config_read_string() and validated key by key into a
 * struct fp_config that fp_config_defaults() filled first.  Every error
 * is "file:line: key: reason"; the first one found stops the load.
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

#include "log.h"

#define FP_CFG_FILE_MAX (1024 * 1024)	    /* largest config file, bytes */
#define FP_CFG_KEY_SIZE 128		    /* "workers[15].queues[63].queue" */
#define FP_CFG_BIGINT_MAX 16		    /* out-of-range literals remembered */
#define FP_CFG_RXQ_MAX 16		    /* rx queues per port */
#define FP_CFG_LCORE_MAX 1023		    /* largest EAL lcore id */
#define FP_CFG_TABLE_MIN 16		    /* smallest table */
#define FP_CFG_TABLE_MAX (16 * 1024 * 1024) /* largest table */
#define FP_CFG_SOCKET_SIZE sizeof(((struct fp_config *)0)->ctl_socket)

/* Defaults; doc/config.md lists the same values. */
#define FP_CFG_DEF_MTU 1500
#define FP_CFG_DEF_RXQ 1
#define FP_CFG_DEF_DESC 1024
#define FP_CFG_DEF_MBUFS 16383
#define FP_CFG_DEF_MBUF_CACHE 256
#define FP_CFG_DEF_MBUF_DATA_SIZE 2176 /* 2048 + RTE_PKTMBUF_HEADROOM */
#define FP_CFG_DEF_TABLE_VTEP 4096
#define FP_CFG_DEF_TABLE_FDB 65536
#define FP_CFG_DEF_TABLE_FLOOD 4096
#define FP_CFG_DEF_TABLE_NEIGH 65536
#define FP_CFG_DEF_EMPTY_POLLS 100
#define FP_CFG_DEF_MAX_SLEEP_US 500
#define FP_CFG_DEF_TX_DRAIN_US 100
#define FP_CFG_DEF_CTL_SOCKET "/run/flowplane/fp-dpdk.sock"

/* Setting type masks, by (1u << CONFIG_TYPE_*). */
#define FP_CFG_T_GROUP (1u << CONFIG_TYPE_GROUP)
#define FP_CFG_T_INT ((1u << CONFIG_TYPE_INT) | (1u << CONFIG_TYPE_INT64))
#define FP_CFG_T_STR (1u << CONFIG_TYPE_STRING)
#define FP_CFG_T_LIST (1u << CONFIG_TYPE_LIST)
#define FP_CFG_T_SEQ ((1u << CONFIG_TYPE_ARRAY) | FP_CFG_T_LIST)

static const char *const table_names[FP_TABLE_MAX] = { FP_FOREACH_TABLE(FP_TABLE_NAME) };

#define ROLE_NAME(id, name) [FP_PORT_ROLE_##id] = name,
static const char *const role_names[FP_PORT_ROLE_MAX] = { FP_FOREACH_PORT_ROLE(ROLE_NAME) };
#undef ROLE_NAME

#define IDLE_NAME(id, name) [FP_IDLE_##id] = name,
static const char *const idle_names[FP_IDLE_MAX] = { FP_FOREACH_IDLE_MODE(IDLE_NAME) };
#undef IDLE_NAME

/* An integer literal that libconfig 1.5 would truncate to 32 bits. */
struct bigint {
	unsigned int line;	    /* line of the literal */
	char name[FP_CFG_KEY_SIZE]; /* setting name just before it */
	int64_t value;		    /* its value, clamped to int64 */
	bool used;		    /* matched to a setting */
};

/* One integer key of a group, written into a struct at offset. */
struct int_field {
	const char *name; /* key */
	int64_t min;	  /* smallest value */
	int64_t max;	  /* largest value */
	size_t offset;	  /* offsetof() the destination */
	size_t size;	  /* sizeof() the destination: 2 or 4 */
	bool pow2;	  /* value must be a power of two */
};

#define FP_CFG_INT_FIELD(key, lo, hi, type, member, p2)                                    \
	{                                                                                  \
		.name = (key), .min = (lo), .max = (hi), .offset = offsetof(type, member), \
		.size = sizeof(((type *)0)->member), .pow2 = (p2),                         \
	}

/* State of one fp_config_load() call. */
struct loader {
	const char *path;				   /* file being loaded */
	char *err;					   /* error text, or NULL */
	unsigned int errsz;				   /* size of err */
	struct fp_config *cfg;				   /* being filled */
	struct bigint bigints[FP_CFG_BIGINT_MAX];	   /* found by prescan() */
	unsigned int n_bigints;				   /* entries in bigints */
	int16_t owner_worker[FP_PORT_MAX][FP_CFG_RXQ_MAX]; /* worker polling it, -1 */
	int16_t owner_entry[FP_PORT_MAX][FP_CFG_RXQ_MAX];  /* its queues[] index */
};

static const struct int_field port_ints[] = {
	FP_CFG_INT_FIELD("mtu", 68, 9600, struct fp_config_port, mtu, false),
	FP_CFG_INT_FIELD("rx_queues", 1, FP_CFG_RXQ_MAX, struct fp_config_port, n_rxq, false),
	FP_CFG_INT_FIELD("rx_desc", 64, 16384, struct fp_config_port, rx_desc, true),
	FP_CFG_INT_FIELD("tx_desc", 64, 16384, struct fp_config_port, tx_desc, true),
};

static const struct int_field mempool_ints[] = {
	FP_CFG_INT_FIELD("mbufs", 1023, 16777215, struct fp_config, mbufs, false),
	FP_CFG_INT_FIELD("cache", 0, 512, struct fp_config, mbuf_cache, false),
	FP_CFG_INT_FIELD("data_size", 1024, 65535, struct fp_config, mbuf_data_size, false),
};

static const struct int_field idle_ints[] = {
	FP_CFG_INT_FIELD("empty_polls", 1, 1000000, struct fp_config, idle_empty_polls, false),
	FP_CFG_INT_FIELD("max_sleep_us", 1, 100000, struct fp_config, idle_max_sleep_us, false),
};

static const struct int_field tx_ints[] = {
	FP_CFG_INT_FIELD("drain_us", 1, 100000, struct fp_config, tx_drain_us, false),
};

static const struct int_field stats_ints[] = {
	FP_CFG_INT_FIELD("interval_s", 0, 86400, struct fp_config, stats_interval_s, false),
};

#define FP_CFG_N_FIELDS(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

static void
verror(struct loader *ld, unsigned int line, const char *key, const char *fmt, va_list ap)
{
	int n;

	if (ld->err == NULL || ld->errsz == 0)
		return;
	if (line == 0)
		line = 1;
	if (key != NULL && key[0] != '\0')
		n = snprintf(ld->err, ld->errsz, "%s:%u: %s: ", ld->path, line, key);
	else
		n = snprintf(ld->err, ld->errsz, "%s:%u: ", ld->path, line);
	if (n < 0 || (unsigned int)n >= ld->errsz)
		return;
	vsnprintf(ld->err + n, ld->errsz - (unsigned int)n, fmt, ap);
}

/* Report an error at a line that no setting describes; returns -EINVAL. */
static int __attribute__((format(printf, 3, 4)))
fail_line(struct loader *ld, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ld, line, NULL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Write the key of s ("ports[1].mtu") into buf; the root is "". */
static void
setting_path(const config_setting_t *s, char *buf, size_t size)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t len;

	buf[0] = '\0';
	if (parent == NULL)
		return;
	setting_path(parent, buf, size);
	len = strlen(buf);
	if (config_setting_name(s) != NULL)
		snprintf(buf + len, size - len, "%s%s", len ? "." : "", config_setting_name(s));
	else
		snprintf(buf + len, size - len, "[%d]", config_setting_index(s));
}

/* Report an error about s, or about its member if member is not NULL;
 * returns -EINVAL.
 */
static int __attribute__((format(printf, 4, 5)))
fail(struct loader *ld, const config_setting_t *s, const char *member, const char *fmt, ...)
{
	char key[FP_CFG_KEY_SIZE];
	va_list ap;
	size_t len;

	setting_path(s, key, sizeof(key));
	if (member != NULL) {
		len = strlen(key);
		snprintf(key + len, sizeof(key) - len, "%s%s", len ? "." : "", member);
	}
	va_start(ap, fmt);
	verror(ld, config_setting_source_line(s), key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	default:
		return "nothing";
	}
}

static const char *
types_name(unsigned int types)
{
	switch (types) {
	case FP_CFG_T_INT:
		return "an integer";
	case FP_CFG_T_SEQ:
		return "an array [ ]";
	default:
		return type_name(__builtin_ctz(types));
	}
}

/* Check that s has one of the types in the mask. */
static int
check_type(struct loader *ld, const config_setting_t *s, unsigned int types)
{
	int type = config_setting_type(s);

	if (types & (1u << type))
		return 0;
	return fail(ld, s, NULL, "expected %s, got %s", types_name(types), type_name(type));
}

/* Find member name of group grp and check its type.  *out is NULL when an
 * optional member is absent.
 */
static int
member_get(struct loader *ld, const config_setting_t *grp, const char *name, unsigned int types,
	   bool required, const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	*out = s;
	if (s == NULL)
		return required ? fail(ld, grp, name, "missing (required)") : 0;
	return check_type(ld, s, types);
}

static bool
name_in(const char *name, const char *const names[])
{
	unsigned int i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool
name_in_fields(const char *name, const struct int_field *fields, unsigned int n_fields)
{
	unsigned int i;

	for (i = 0; i < n_fields; i++)
		if (strcmp(name, fields[i].name) == 0)
			return true;
	return false;
}

/* Reject any member of grp that is neither in names nor in fields. */
static int
check_keys(struct loader *ld, const config_setting_t *grp, const char *const names[],
	   const struct int_field *fields, unsigned int n_fields)
{
	const config_setting_t *s;
	unsigned int i;

	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		if (!name_in(name, names) && !name_in_fields(name, fields, n_fields))
			return fail(ld, s, NULL, "unknown key");
	}
	return 0;
}

/* The value of integer setting s, undoing libconfig 1.5's truncation of
 * literals that do not fit in 32 bits (see prescan()).
 */
static int64_t
int_value(struct loader *ld, const config_setting_t *s)
{
	int64_t v = config_setting_get_int64(s);
	unsigned int line = config_setting_source_line(s);
	const char *name = config_setting_name(s);
	unsigned int i;

	for (i = 0; name != NULL && i < ld->n_bigints; i++) {
		struct bigint *b = &ld->bigints[i];

		if (!b->used && b->line == line && strcmp(b->name, name) == 0 &&
		    (uint32_t)b->value == (uint32_t)v) {
			b->used = true;
			return b->value;
		}
	}
	return v;
}

/* Read integer setting s, check min..max (and power of two). */
static int
int_get(struct loader *ld, const config_setting_t *s, int64_t min, int64_t max, bool pow2,
	int64_t *out)
{
	int64_t v = 0;
	int rc;

	rc = check_type(ld, s, FP_CFG_T_INT);
	if (rc < 0)
		return rc;
	v = int_value(ld, s);
	if (v < min || v > max)
		return fail(ld, s, NULL, "%" PRId64 " out of range %" PRId64 "..%" PRId64, v, min,
			    max);
	if (pow2 && (v & (v - 1)) != 0)
		return fail(ld, s, NULL, "%" PRId64 " is not a power of two", v);
	*out = v;
	return 0;
}

/* Read the integer members of grp described by fields into base. */
static int
ints_load(struct loader *ld, const config_setting_t *grp, const struct int_field *fields,
	  unsigned int n_fields, void *base)
{
	const config_setting_t *s;
	unsigned int i;
	int64_t v = 0;
	int rc;

	for (i = 0; i < n_fields; i++) {
		const struct int_field *f = &fields[i];
		uint8_t *dst = (uint8_t *)base + f->offset;

		s = config_setting_get_member(grp, f->name);
		if (s == NULL)
			continue;
		rc = int_get(ld, s, f->min, f->max, f->pow2, &v);
		if (rc < 0)
			return rc;
		if (f->size == sizeof(uint16_t)) {
			uint16_t v16 = (uint16_t)v;

			memcpy(dst, &v16, sizeof(v16));
		} else {
			uint32_t v32 = (uint32_t)v;

			memcpy(dst, &v32, sizeof(v32));
		}
	}
	return 0;
}

/* Copy string setting s into dst (size bytes), checking its length. */
static int
str_copy(struct loader *ld, const config_setting_t *s, size_t min_len, char *dst, size_t size)
{
	const char *v;
	size_t len;
	int rc;

	rc = check_type(ld, s, FP_CFG_T_STR);
	if (rc < 0)
		return rc;
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len < min_len)
		return fail(ld, s, NULL, "must not be empty");
	if (len >= size)
		return fail(ld, s, NULL, "%zu chars, longer than %zu", len, size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

/* Copy a host or port name: 1..31 chars of [A-Za-z0-9._-]. */
static int
name_copy(struct loader *ld, const config_setting_t *s, char *dst)
{
	const char *p;
	int rc;

	rc = str_copy(ld, s, 1, dst, FP_NAME_SIZE);
	if (rc < 0)
		return rc;
	for (p = dst; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')
			continue;
		return fail(ld, s, NULL, "\"%s\" has a character outside [A-Za-z0-9._-]", dst);
	}
	return 0;
}

static bool
ip_is_v4(const struct fp_ip *ip)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip->b, prefix, sizeof(prefix)) == 0;
}

/* Why ip cannot be a VTEP address, or NULL if it can. */
static const char *
ip_not_unicast(const struct fp_ip *ip)
{
	static const uint8_t zero[16];
	const uint8_t *b = ip->b;

	if (ip_is_v4(ip)) {
		if (b[12] >= 224 && b[12] <= 239)
			return "a multicast address";
		if (b[12] == 255 && b[13] == 255 && b[14] == 255 && b[15] == 255)
			return "the broadcast address";
		if (b[12] >= 240)
			return "a reserved (class E) address";
		if (b[12] == 0)
			return "in 0.0.0.0/8 (this network)";
		if (b[12] == 127)
			return "a loopback address";
		return NULL;
	}
	if (b[0] == 0xff)
		return "a multicast address";
	if (memcmp(b, zero, 16) == 0)
		return "the unspecified address";
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return "the loopback address";
	return NULL;
}

int
fp_config_parse_ip(const char *s, struct fp_ip *ip)
{
	struct in_addr a4;

	if (s == NULL || ip == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(ip->b, 0, 10);
		ip->b[10] = 0xff;
		ip->b[11] = 0xff;
		memcpy(&ip->b[12], &a4, sizeof(a4));
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->b) == 1)
		return 0;
	return -EINVAL;
}

int
fp_config_port_find(const struct fp_config *cfg, const char *name)
{
	uint32_t i;

	if (cfg == NULL || name == NULL)
		return -ENOENT;
	for (i = 0; i < cfg->n_ports && i < FP_PORT_MAX; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

void
fp_config_defaults(struct fp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mbufs = FP_CFG_DEF_MBUFS;
	cfg->mbuf_cache = FP_CFG_DEF_MBUF_CACHE;
	cfg->mbuf_data_size = FP_CFG_DEF_MBUF_DATA_SIZE;
	cfg->table_size[FP_TABLE_PORT] = FP_PORT_MAX;
	cfg->table_size[FP_TABLE_VTEP] = FP_CFG_DEF_TABLE_VTEP;
	cfg->table_size[FP_TABLE_FDB] = FP_CFG_DEF_TABLE_FDB;
	cfg->table_size[FP_TABLE_FLOOD] = FP_CFG_DEF_TABLE_FLOOD;
	cfg->table_size[FP_TABLE_NEIGH] = FP_CFG_DEF_TABLE_NEIGH;
	cfg->idle_mode = FP_IDLE_ADAPTIVE;
	cfg->idle_empty_polls = FP_CFG_DEF_EMPTY_POLLS;
	cfg->idle_max_sleep_us = FP_CFG_DEF_MAX_SLEEP_US;
	cfg->tx_drain_us = FP_CFG_DEF_TX_DRAIN_US;
	cfg->stats_interval_s = 0;
	cfg->log_level = FP_LOG_INFO;
	memcpy(cfg->ctl_socket, FP_CFG_DEF_CTL_SOCKET, sizeof(FP_CFG_DEF_CTL_SOCKET));
}

static int
host_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	int rc;

	rc = member_get(ld, root, "host", FP_CFG_T_STR, true, &s);
	if (rc < 0)
		return rc;
	return name_copy(ld, s, ld->cfg->host);
}

static int
vtep_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "addresses", NULL };
	struct fp_config *cfg = ld->cfg;
	const config_setting_t *grp, *list, *s;
	unsigned int i, j, n;
	const char *why;
	int rc;

	rc = member_get(ld, root, "vtep", FP_CFG_T_GROUP, true, &grp);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "addresses", FP_CFG_T_SEQ, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_CFG_LOCAL_VTEP_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_CFG_LOCAL_VTEP_MAX);
	for (i = 0; i < n; i++) {
		struct fp_ip *ip = &cfg->local_vteps[i];
		const char *v;

		s = config_setting_get_elem(list, i);
		rc = check_type(ld, s, FP_CFG_T_STR);
		if (rc < 0)
			return rc;
		v = config_setting_get_string(s);
		if (fp_config_parse_ip(v, ip) < 0)
			return fail(ld, s, NULL, "\"%s\" is not an IPv4 or IPv6 address", v);
		why = ip_not_unicast(ip);
		if (why != NULL)
			return fail(ld, s, NULL, "\"%s\" is %s, need a unicast address", v, why);
		for (j = 0; j < i; j++)
			if (memcmp(ip, &cfg->local_vteps[j], sizeof(*ip)) == 0)
				return fail(ld, s, NULL, "\"%s\" duplicates vtep.addresses[%u]", v,
					    j);
	}
	cfg->n_local_vteps = n;
	return 0;
}

static int
eal_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "args", NULL };
	struct fp_config *cfg = ld->cfg;
	const config_setting_t *grp, *list, *s;
	unsigned int i, n;
	int rc;

	rc = member_get(ld, root, "eal", FP_CFG_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "args", FP_CFG_T_SEQ, false, &list);
	if (rc < 0 || list == NULL)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n > FP_CFG_EAL_ARGS_MAX)
		return fail(ld, list, NULL, "%u entries, at most %u", n, FP_CFG_EAL_ARGS_MAX);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(list, i);
		rc = str_copy(ld, s, 1, cfg->eal_args[i], FP_CFG_STR_MAX);
		if (rc < 0)
			return rc;
	}
	cfg->n_eal_args = n;
	return 0;
}

static int
role_parse(struct loader *ld, const config_setting_t *s, uint16_t *role)
{
	const char *v;
	int rc;

	rc = check_type(ld, s, FP_CFG_T_STR);
	if (rc < 0)
		return rc;
	v = config_setting_get_string(s);
	if (strcmp(v, role_names[FP_PORT_ROLE_VM]) == 0)
		*role = FP_PORT_ROLE_VM;
	else if (strcmp(v, role_names[FP_PORT_ROLE_UNDERLAY]) == 0)
		*role = FP_PORT_ROLE_UNDERLAY;
	else
		return fail(ld, s, NULL, "\"%s\" is not one of \"%s\", \"%s\"", v,
			    role_names[FP_PORT_ROLE_VM], role_names[FP_PORT_ROLE_UNDERLAY]);
	return 0;
}

static int
port_load(struct loader *ld, const config_setting_t *grp, uint32_t idx)
{
	static const char *const keys[] = { "name", "role", "devargs", "mac", NULL };
	struct fp_config_port *p = &ld->cfg->ports[idx];
	const config_setting_t *s;
	int found;
	uint32_t i;
	int rc;

	rc = check_type(ld, grp, FP_CFG_T_GROUP);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys, port_ints, FP_CFG_N_FIELDS(port_ints));
	if (rc < 0)
		return rc;
	p->mtu = FP_CFG_DEF_MTU;
	p->n_rxq = FP_CFG_DEF_RXQ;
	p->rx_desc = FP_CFG_DEF_DESC;
	p->tx_desc = FP_CFG_DEF_DESC;

	rc = member_get(ld, grp, "name", FP_CFG_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = name_copy(ld, s, p->name);
	if (rc < 0)
		return rc;
	found = fp_config_port_find(ld->cfg, p->name);
	if (found >= 0 && (uint32_t)found < idx)
		return fail(ld, s, NULL, "duplicate port name \"%s\" (also ports[%d])", p->name,
			    found);
	rc = member_get(ld, grp, "role", FP_CFG_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = role_parse(ld, s, &p->role);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "devargs", FP_CFG_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = str_copy(ld, s, 1, p->devargs, sizeof(p->devargs));
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "mac", FP_CFG_T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		const char *v = config_setting_get_string(s);
		unsigned int b[6];
		char end;

		if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
			   &end) != 6 ||
		    strlen(v) != 17)
			return fail(ld, s, NULL, "\"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
				    v);
		if ((b[0] & 1) || (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0)
			return fail(ld, s, NULL, "\"%s\" is not a unicast MAC address", v);
		for (i = 0; i < 6; i++)
			p->mac[i] = (uint8_t)b[i];
		p->has_mac = 1;
	}
	rc = ints_load(ld, grp, port_ints, FP_CFG_N_FIELDS(port_ints), p);
	if (rc < 0)
		return rc;
	for (i = 0; i < FP_CFG_RXQ_MAX; i++) {
		ld->owner_worker[idx][i] = -1;
		ld->owner_entry[idx][i] = -1;
	}
	return 0;
}

static int
ports_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *list;
	unsigned int i, n;
	int rc;

	rc = member_get(ld, root, "ports", FP_CFG_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_PORT_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_PORT_MAX);
	for (i = 0; i < n; i++) {
		/* port_load() looks up earlier names: count as we go. */
		ld->cfg->n_ports = i;
		rc = port_load(ld, config_setting_get_elem(list, i), i);
		if (rc < 0)
			return rc;
	}
	ld->cfg->n_ports = n;
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

	rc = check_type(ld, grp, FP_CFG_T_GROUP);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "port", FP_CFG_T_STR, true, &s);
	if (rc < 0)
		return rc;
	name = config_setting_get_string(s);
	idx = fp_config_port_find(ld->cfg, name);
	if (idx < 0)
		return fail(ld, s, NULL, "no port named \"%s\" in ports", name);
	p = &ld->cfg->ports[idx];
	rc = member_get(ld, grp, "queue", FP_CFG_T_INT, true, &s);
	if (rc < 0)
		return rc;
	v = int_value(ld, s);
	if (v < 0 || v >= p->n_rxq)
		return fail(ld, s, NULL,
			    "%" PRId64 " out of range 0..%u (port \"%s\" has rx_queues = %u)", v,
			    p->n_rxq - 1u, p->name, p->n_rxq);
	if (ld->owner_worker[idx][v] >= 0)
		return fail(ld, grp, NULL,
			    "port \"%s\" queue %" PRId64
			    " is already polled by workers[%d].queues[%d]",
			    p->name, v, ld->owner_worker[idx][v], ld->owner_entry[idx][v]);
	ld->owner_worker[idx][v] = (int16_t)widx;
	ld->owner_entry[idx][v] = (int16_t)qidx;
	q->port = (uint16_t)idx;
	q->queue = (uint16_t)v;
	return 0;
}

static int
worker_load(struct loader *ld, const config_setting_t *grp, uint32_t widx)
{
	static const char *const keys[] = { "lcore", "queues", NULL };
	struct fp_config_worker *w = &ld->cfg->workers[widx];
	const config_setting_t *s, *list;
	unsigned int i, n;
	int64_t v = 0;
	int rc;

	rc = check_type(ld, grp, FP_CFG_T_GROUP);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "lcore", FP_CFG_T_INT, true, &s);
	if (rc < 0)
		return rc;
	rc = int_get(ld, s, 0, FP_CFG_LCORE_MAX, false, &v);
	if (rc < 0)
		return rc;
	for (i = 0; i < widx; i++)
		if (ld->cfg->workers[i].lcore == v)
			return fail(ld, s, NULL, "lcore %" PRId64 " is already used by workers[%u]",
				    v, i);
	w->lcore = (uint32_t)v;
	rc = member_get(ld, grp, "queues", FP_CFG_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_CFG_WORKER_QUEUE_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_CFG_WORKER_QUEUE_MAX);
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
	const config_setting_t *list, *ports;
	uint32_t i, q, n;
	int rc;

	rc = member_get(ld, root, "workers", FP_CFG_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_CFG_WORKER_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_CFG_WORKER_MAX);
	for (i = 0; i < n; i++) {
		rc = worker_load(ld, config_setting_get_elem(list, i), i);
		if (rc < 0)
			return rc;
	}
	ld->cfg->n_workers = n;

	/* Every rx queue of every port is polled by exactly one worker. */
	ports = config_setting_get_member(root, "ports");
	for (i = 0; i < ld->cfg->n_ports; i++) {
		const struct fp_config_port *p = &ld->cfg->ports[i];

		for (q = 0; q < p->n_rxq; q++)
			if (ld->owner_worker[i][q] < 0)
				return fail(ld, config_setting_get_elem(ports, i), NULL,
					    "port \"%s\" rx queue %u is not polled by any worker",
					    p->name, q);
	}
	return 0;
}

/* Load an optional group that holds only integer keys. */
static int
int_group_load(struct loader *ld, const config_setting_t *root, const char *name,
	       const struct int_field *fields, unsigned int n_fields)
{
	const config_setting_t *grp;
	int rc;

	rc = member_get(ld, root, name, FP_CFG_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = check_keys(ld, grp, NULL, fields, n_fields);
	if (rc < 0)
		return rc;
	return ints_load(ld, grp, fields, n_fields, ld->cfg);
}

static int
tables_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *grp, *s;
	unsigned int i, t;
	int64_t v = 0;
	int rc;

	rc = member_get(ld, root, "tables", FP_CFG_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		for (t = 0; t < FP_TABLE_MAX; t++)
			if (strcmp(name, table_names[t]) == 0)
				break;
		if (t == FP_TABLE_MAX)
			return fail(ld, s, NULL, "unknown key");
		if (t == FP_TABLE_PORT)
			return fail(ld, s, NULL, "the port table is fixed at %u entries",
				    FP_PORT_MAX);
		rc = int_get(ld, s, FP_CFG_TABLE_MIN, FP_CFG_TABLE_MAX, false, &v);
		if (rc < 0)
			return rc;
		ld->cfg->table_size[t] = (uint32_t)v;
	}
	return 0;
}

static int
idle_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "mode", NULL };
	const config_setting_t *grp, *s;
	const char *v;
	unsigned int m;
	int rc;

	rc = member_get(ld, root, "idle", FP_CFG_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = check_keys(ld, grp, keys, idle_ints, FP_CFG_N_FIELDS(idle_ints));
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "mode", FP_CFG_T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		v = config_setting_get_string(s);
		for (m = 0; m < FP_IDLE_MAX; m++)
			if (strcmp(v, idle_names[m]) == 0)
				break;
		if (m == FP_IDLE_MAX)
			return fail(ld, s, NULL, "\"%s\" is not one of \"%s\", \"%s\"", v,
				    idle_names[FP_IDLE_BUSY], idle_names[FP_IDLE_ADAPTIVE]);
		ld->cfg->idle_mode = m;
	}
	return ints_load(ld, grp, idle_ints, FP_CFG_N_FIELDS(idle_ints), ld->cfg);
}

static int
control_load(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "socket", NULL };
	const config_setting_t *grp, *s;
	char path[FP_CFG_SOCKET_SIZE];
	int rc;

	rc = member_get(ld, root, "control", FP_CFG_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "socket", FP_CFG_T_STR, false, &s);
	if (rc < 0 || s == NULL)
		return rc;
	rc = str_copy(ld, s, 1, path, sizeof(path));
	if (rc < 0)
		return rc;
	if (path[0] != '/')
		return fail(ld, s, NULL, "\"%s\" is not an absolute path", path);
	memcpy(ld->cfg->ctl_socket, path, sizeof(path));
	return 0;
}

/* log_level: common to the three programs (lib/log.h names). */
static int
log_level_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	int rc, level;

	rc = member_get(ld, root, "log_level", FP_CFG_T_STR, false, &s);
	if (rc < 0 || s == NULL)
		return rc;
	level = fp_log_level_parse(config_setting_get_string(s));
	if (level < 0)
		return fail(ld, s, NULL, "\"%s\" is not a log level (%s)",
			    config_setting_get_string(s), FP_LOG_LEVEL_NAMES);
	ld->cfg->log_level = (uint32_t)level;
	return 0;
}

static int
root_load(struct loader *ld, const config_setting_t *root)
{
	/* fp_control and fp_xdp are fp-control's and fp-xdp's groups in
	 * the same file; they check them (control/ctrl_config.c,
	 * bpf/xdp_config.c).
	 */
	static const char *const keys[] = {
		"host", "vtep",	 "eal",	    "ports",	  "workers", "mempool",	  "tables", "idle",
		"tx",	"stats", "control", "fp_control", "fp_xdp",  "log_level", NULL,
	};
	unsigned int i;
	int rc;

	rc = check_keys(ld, root, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = host_load(ld, root);
	if (rc < 0)
		return rc;
	rc = vtep_load(ld, root);
	if (rc < 0)
		return rc;
	rc = eal_load(ld, root);
	if (rc < 0)
		return rc;
	rc = ports_load(ld, root);
	if (rc < 0)
		return rc;
	rc = workers_load(ld, root);
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "mempool", mempool_ints, FP_CFG_N_FIELDS(mempool_ints));
	if (rc < 0)
		return rc;
	rc = tables_load(ld, root);
	if (rc < 0)
		return rc;
	rc = idle_load(ld, root);
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "tx", tx_ints, FP_CFG_N_FIELDS(tx_ints));
	if (rc < 0)
		return rc;
	rc = int_group_load(ld, root, "stats", stats_ints, FP_CFG_N_FIELDS(stats_ints));
	if (rc < 0)
		return rc;
	rc = control_load(ld, root);
	if (rc < 0)
		return rc;
	rc = log_level_load(ld, root);
	if (rc < 0)
		return rc;
	/* Every out-of-range literal must have been seen by int_get(). */
	for (i = 0; i < ld->n_bigints; i++)
		if (!ld->bigints[i].used)
			return fail_line(ld, ld->bigints[i].line,
					 "%s: integer %" PRId64 " does not fit in 32 bits",
					 ld->bigints[i].name, ld->bigints[i].value);
	return 0;
}

static bool
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Scan one number at *pp; remember it if libconfig 1.5 would truncate it. */
static int
prescan_number(struct loader *ld, const char **pp, unsigned int line, const char *name)
{
	const char *p = *pp, *start = p, *digits;
	bool hex = false, neg = false;
	struct bigint *b;
	int64_t v = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_hex(p[2])) {
		hex = true;
		digits = p + 2;
		for (p = digits; is_hex(*p); p++)
			;
	} else {
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) {
		/* A float: libconfig reads it whole. */
		while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
		       ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
			p++;
		*pp = p;
		return 0;
	}
	*pp = p;
	if (*p == 'L')
		return 0; /* a 64-bit literal: libconfig reads it whole */
	errno = 0;
	if (hex) {
		unsigned long long u = strtoull(digits, NULL, 16);

		if (errno == ERANGE || u > INT64_MAX)
			u = INT64_MAX;
		v = neg ? -(int64_t)u : (int64_t)u;
		if (u <= INT32_MAX)
			return 0;
	} else {
		v = strtoll(start, NULL, 10);
		if (v >= INT32_MIN && v <= INT32_MAX)
			return 0;
	}
	if (ld->n_bigints == FP_CFG_BIGINT_MAX)
		return fail_line(ld, line, "%s: too many integers that do not fit in 32 bits",
				 name);
	b = &ld->bigints[ld->n_bigints++];
	b->line = line;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->value = v;
	b->used = false;
	return 0;
}

/* Scan the text before libconfig does: reject @include (the config is one
 * file), and find integer literals that libconfig 1.5 would truncate to 32
 * bits without a word, so that int_value() can use their real value.  Any
 * text libconfig rejects is left for it to report.
 */
static int
prescan(struct loader *ld, const char *text)
{
	char name[FP_CFG_KEY_SIZE] = "";
	unsigned int line = 1;
	const char *p = text;
	int rc;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\n')
					line++;
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p != '\0')
				p++;
		} else if (*p == '@') {
			return fail_line(ld, line,
					 "@include is not supported: the config is one file");
		} else if (is_name_start(*p)) {
			size_t len = 0;

			while (is_name_char(*p)) {
				if (len < sizeof(name) - 1)
					name[len++] = *p;
				p++;
			}
			name[len] = '\0';
		} else if ((*p >= '0' && *p <= '9') ||
			   ((*p == '-' || *p == '+') && p[1] >= '0' && p[1] <= '9')) {
			rc = prescan_number(ld, &p, line, name);
			if (rc < 0)
				return rc;
		} else {
			p++;
		}
	}
	return 0;
}

/* Read the whole file into a NUL-terminated buffer. */
static int
file_read(struct loader *ld, char **out)
{
	size_t size = 0, cap = 4096, n;
	char *buf, *tmp;
	FILE *f;
	int rc;

	f = fopen(ld->path, "r");
	if (f == NULL) {
		rc = -errno;
		goto err_open;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto err_alloc;
	}
	errno = 0;
	for (;;) {
		if (size > FP_CFG_FILE_MAX) {
			rc = fail_line(ld, 1, "file is larger than %u bytes", FP_CFG_FILE_MAX);
			goto err_read;
		}
		if (size + 1 == cap) {
			tmp = realloc(buf, cap * 2);
			if (tmp == NULL) {
				rc = -ENOMEM;
				goto err_io;
			}
			buf = tmp;
			cap *= 2;
		}
		n = fread(buf + size, 1, cap - size - 1, f);
		if (n == 0)
			break;
		size += n;
	}
	if (ferror(f)) {
		rc = errno ? -errno : -EIO;
		goto err_io;
	}
	buf[size] = '\0';
	if (memchr(buf, '\0', size) != NULL) {
		rc = fail_line(ld, 1, "file contains a NUL byte");
		goto err_read;
	}
	fclose(f);
	*out = buf;
	return 0;

err_io:
	if (ld->err != NULL && ld->errsz > 0)
		snprintf(ld->err, ld->errsz, "%s: %s", ld->path, strerror(-rc));
err_read:
	free(buf);
err_alloc:
	fclose(f);
	return rc;
err_open:
	if (ld->err != NULL && ld->errsz > 0)
		snprintf(ld->err, ld->errsz, "%s: %s", ld->path, strerror(-rc));
	return rc;
}

int
fp_config_load(const char *path, struct fp_config *cfg, char *err, unsigned int errsz)
{
	struct loader *ld;
	char *text = NULL;
	config_t c;
	int rc;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (path == NULL || cfg == NULL)
		return -EINVAL;
	fp_config_defaults(cfg);
	if (strlen(path) >= sizeof(cfg->path)) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%.64s...: %s", path, strerror(ENAMETOOLONG));
		rc = -ENAMETOOLONG;
		goto err_path;
	}
	memcpy(cfg->path, path, strlen(path) + 1);

	ld = calloc(1, sizeof(*ld));
	if (ld == NULL) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s: %s", path, strerror(ENOMEM));
		rc = -ENOMEM;
		goto err_path;
	}
	ld->path = path;
	ld->err = err;
	ld->errsz = errsz;
	ld->cfg = cfg;

	rc = file_read(ld, &text);
	if (rc < 0)
		goto err_read;
	rc = prescan(ld, text);
	if (rc < 0)
		goto err_prescan;

	config_init(&c);
	config_set_options(&c, config_get_options(&c) & ~CONFIG_OPTION_AUTOCONVERT);
	if (config_read_string(&c, text) != CONFIG_TRUE) {
		rc = fail_line(ld, (unsigned int)config_error_line(&c), "%s",
			       config_error_text(&c));
		goto err_parse;
	}
	rc = root_load(ld, config_root_setting(&c));
	if (rc < 0)
		goto err_parse;

	config_destroy(&c);
	free(text);
	free(ld);
	return 0;

err_parse:
	config_destroy(&c);
err_prescan:
	free(text);
err_read:
	free(ld);
err_path:
	/* Fail closed: nothing half-loaded is left for a careless caller. */
	memset(cfg, 0, sizeof(*cfg));
	return rc;
}
