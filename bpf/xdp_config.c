/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp configuration loader (libconfig).
 *
 * Same rules and same messages as fp-dpdk's loader (dataplane/config.c,
 * doc/config.md), which bpf/ may not include: the file is read into
 * memory, scanned for what libconfig 1.5 would get wrong silently (integer
 * literals that do not fit in 32 bits are truncated) or that the schema
 * does not allow (@include), parsed with AUTOCONVERT off and validated key
 * by key into a struct fp_xdp_config that fp_xdp_config_defaults() filled
 * first.  Every error is "file:line: key: reason"; the first one stops the
 * load.
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

#include "log.h"

#define FP_XDP_CFG_FILE_MAX (1024 * 1024)	/* largest config file, bytes */
#define FP_XDP_CFG_KEY_SIZE 128			/* "fp_xdp.ports[63].iface" */
#define FP_XDP_CFG_BIGINT_MAX 16		/* out-of-range literals remembered */
#define FP_XDP_CFG_TABLE_MIN 16			/* smallest table */
#define FP_XDP_CFG_TABLE_MAX (16 * 1024 * 1024) /* largest table */

/* Table defaults: doc/config.md (fp-dpdk uses the same). */
#define FP_XDP_CFG_DEF_TABLE_VTEP 4096
#define FP_XDP_CFG_DEF_TABLE_FDB 65536
#define FP_XDP_CFG_DEF_TABLE_FLOOD 4096
#define FP_XDP_CFG_DEF_TABLE_NEIGH 65536

/* Setting type masks, by (1u << CONFIG_TYPE_*). */
#define T_GROUP (1u << CONFIG_TYPE_GROUP)
#define T_INT ((1u << CONFIG_TYPE_INT) | (1u << CONFIG_TYPE_INT64))
#define T_STR (1u << CONFIG_TYPE_STRING)
#define T_LIST (1u << CONFIG_TYPE_LIST)
#define T_SEQ ((1u << CONFIG_TYPE_ARRAY) | T_LIST)

static const char *const table_names[FP_TABLE_MAX] = { FP_FOREACH_TABLE(FP_TABLE_NAME) };

#define ROLE_NAME(id, name) [FP_PORT_ROLE_##id] = name,
static const char *const role_names[FP_PORT_ROLE_MAX] = { FP_FOREACH_PORT_ROLE(ROLE_NAME) };
#undef ROLE_NAME

#define MODE_NAME(id, name) [FP_XDP_MODE_##id] = name,
static const char *const mode_names[FP_XDP_MODE_MAX] = { FP_FOREACH_XDP_MODE(MODE_NAME) };
#undef MODE_NAME

/* An integer literal that libconfig 1.5 would truncate to 32 bits. */
struct bigint {
	unsigned int line;		/* line of the literal */
	char name[FP_XDP_CFG_KEY_SIZE]; /* setting name just before it */
	int64_t value;			/* its value, clamped to int64 */
	bool used;			/* matched to a setting */
};

/* State of one fp_xdp_config_load() call. */
struct loader {
	const char *path;			      /* file being loaded */
	char *err;				      /* error text, or NULL */
	unsigned int errsz;			      /* size of err */
	struct fp_xdp_config *cfg;		      /* being filled */
	struct bigint bigints[FP_XDP_CFG_BIGINT_MAX]; /* found by prescan() */
	unsigned int n_bigints;			      /* entries in bigints */
};

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

/* Write the key of s ("fp_xdp.ports[1].mtu") into buf; the root is "". */
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
	char key[FP_XDP_CFG_KEY_SIZE];
	va_list ap;
	size_t len;

	setting_path(s, key, sizeof(key));
	if (member != NULL) {
		len = strlen(key);
		snprintf(key + len, sizeof(key) - len, "%s%s", len ? "." : "", member);
	}
	va_start(ap, fmt);
	verror(ld, (unsigned int)config_setting_source_line(s), key, fmt, ap);
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
	case T_INT:
		return "an integer";
	case T_SEQ:
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

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Reject any member of grp that is not in names. */
static int
check_keys(struct loader *ld, const config_setting_t *grp, const char *const names[])
{
	const config_setting_t *s;
	unsigned int i;

	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++)
		if (!name_in(config_setting_name(s), names))
			return fail(ld, s, NULL, "unknown key");
	return 0;
}

/* The value of integer setting s, undoing libconfig 1.5's truncation of
 * literals that do not fit in 32 bits (see prescan()).
 */
static int64_t
int_value(struct loader *ld, const config_setting_t *s)
{
	int64_t v = config_setting_get_int64(s);
	unsigned int line = (unsigned int)config_setting_source_line(s);
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

/* Read integer setting s and check min..max. */
static int
int_get(struct loader *ld, const config_setting_t *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	int rc;

	rc = check_type(ld, s, T_INT);
	if (rc < 0)
		return rc;
	v = int_value(ld, s);
	if (v < min || v > max)
		return fail(ld, s, NULL, "%" PRId64 " out of range %" PRId64 "..%" PRId64, v, min,
			    max);
	*out = v;
	return 0;
}

/* Copy string setting s into dst (size bytes), checking its length. */
static int
str_copy(struct loader *ld, const config_setting_t *s, char *dst, size_t size)
{
	const char *v;
	size_t len;
	int rc;

	rc = check_type(ld, s, T_STR);
	if (rc < 0)
		return rc;
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len == 0)
		return fail(ld, s, NULL, "must not be empty");
	if (len >= size)
		return fail(ld, s, NULL, "%zu chars, longer than %zu", len, size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

static bool
char_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Copy a name of 1..size-1 chars, each alphanumeric or in extra. */
static int
name_copy(struct loader *ld, const config_setting_t *s, char *dst, size_t size, const char *extra,
	  const char *set)
{
	const char *p;
	int rc;

	rc = str_copy(ld, s, dst, size);
	if (rc < 0)
		return rc;
	for (p = dst; *p != '\0'; p++)
		if (!char_is_alnum(*p) && strchr(extra, *p) == NULL)
			return fail(ld, s, NULL, "\"%s\" has a character outside %s", dst, set);
	return 0;
}

/* Copy an interface name: what the kernel's dev_valid_name() accepts. */
static int
iface_copy(struct loader *ld, const config_setting_t *s, char *dst)
{
	const char *p;
	int rc;

	rc = str_copy(ld, s, dst, FP_XDP_CFG_IFNAME_SIZE);
	if (rc < 0)
		return rc;
	if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
		return fail(ld, s, NULL, "\"%s\" is not an interface name", dst);
	for (p = dst; *p != '\0'; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return fail(ld, s, NULL,
				    "\"%s\" is not an interface name (no '/', ':' or space)", dst);
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

static int
ip_parse(const char *s, struct fp_ip *ip)
{
	struct in_addr a4;

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

void
fp_xdp_config_defaults(struct fp_xdp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->table_size[FP_TABLE_PORT] = FP_PORT_MAX;
	cfg->table_size[FP_TABLE_VTEP] = FP_XDP_CFG_DEF_TABLE_VTEP;
	cfg->table_size[FP_TABLE_FDB] = FP_XDP_CFG_DEF_TABLE_FDB;
	cfg->table_size[FP_TABLE_FLOOD] = FP_XDP_CFG_DEF_TABLE_FLOOD;
	cfg->table_size[FP_TABLE_NEIGH] = FP_XDP_CFG_DEF_TABLE_NEIGH;
	memcpy(cfg->instance, FP_XDP_CFG_INSTANCE_DEFAULT, sizeof(FP_XDP_CFG_INSTANCE_DEFAULT));
	cfg->mode = FP_XDP_MODE_NATIVE;
	cfg->log_level = FP_LOG_INFO;
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
host_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	int rc;

	rc = member_get(ld, root, "host", T_STR, true, &s);
	if (rc < 0)
		return rc;
	return name_copy(ld, s, ld->cfg->host, FP_NAME_SIZE, "._-", "[A-Za-z0-9._-]");
}

static int
vtep_load(struct loader *ld, const config_setting_t *root)
{
	/* vtep is shared with fp-dpdk and fp-control: its keys are theirs
	 * too, and fp-dpdk knows only addresses.
	 */
	static const char *const keys[] = { "addresses", NULL };
	struct fp_xdp_config *cfg = ld->cfg;
	const config_setting_t *grp, *list, *s;
	unsigned int i, j, n;
	const char *why;
	int rc;

	rc = member_get(ld, root, "vtep", T_GROUP, true, &grp);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "addresses", T_SEQ, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_XDP_LOCAL_VTEP_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_XDP_LOCAL_VTEP_MAX);
	for (i = 0; i < n; i++) {
		struct fp_ip *ip = &cfg->local_vteps[i];
		const char *v;

		s = config_setting_get_elem(list, i);
		rc = check_type(ld, s, T_STR);
		if (rc < 0)
			return rc;
		v = config_setting_get_string(s);
		if (ip_parse(v, ip) < 0)
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
tables_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *grp, *s;
	unsigned int i, t;
	int64_t v = 0;
	int rc;

	rc = member_get(ld, root, "tables", T_GROUP, false, &grp);
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
		rc = int_get(ld, s, FP_XDP_CFG_TABLE_MIN, FP_XDP_CFG_TABLE_MAX, &v);
		if (rc < 0)
			return rc;
		ld->cfg->table_size[t] = (uint32_t)v;
	}
	return 0;
}

static int
role_parse(struct loader *ld, const config_setting_t *s, uint16_t *role)
{
	const char *v;
	int rc;

	rc = check_type(ld, s, T_STR);
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
	static const char *const keys[] = { "name", "role", "iface", "mtu", NULL };
	struct fp_xdp_config_port *p = &ld->cfg->ports[idx];
	const config_setting_t *s;
	int64_t v = 0;
	uint32_t i;
	int found;
	int rc;

	rc = check_type(ld, grp, T_GROUP);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys);
	if (rc < 0)
		return rc;
	p->mtu = FP_XDP_CFG_MTU_DEFAULT;
	p->line = (uint32_t)config_setting_source_line(grp);

	rc = member_get(ld, grp, "name", T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = name_copy(ld, s, p->name, sizeof(p->name), "._-", "[A-Za-z0-9._-]");
	if (rc < 0)
		return rc;
	found = fp_xdp_config_port_find(ld->cfg, p->name);
	if (found >= 0 && (uint32_t)found < idx)
		return fail(ld, s, NULL, "duplicate port name \"%s\" (also fp_xdp.ports[%d])",
			    p->name, found);
	rc = member_get(ld, grp, "role", T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = role_parse(ld, s, &p->role);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "iface", T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = iface_copy(ld, s, p->iface);
	if (rc < 0)
		return rc;
	for (i = 0; i < idx; i++)
		if (strcmp(ld->cfg->ports[i].iface, p->iface) == 0)
			return fail(ld, s, NULL,
				    "interface \"%s\" is already used by fp_xdp.ports[%u] (\"%s\")",
				    p->iface, i, ld->cfg->ports[i].name);
	rc = member_get(ld, grp, "mtu", T_INT, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		rc = int_get(ld, s, FP_XDP_CFG_MTU_MIN, FP_XDP_CFG_MTU_MAX, &v);
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

	rc = member_get(ld, root, "fp_xdp", T_GROUP, true, &grp);
	if (rc < 0)
		return rc;
	rc = check_keys(ld, grp, keys);
	if (rc < 0)
		return rc;
	rc = member_get(ld, grp, "instance", T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		rc = name_copy(ld, s, cfg->instance, sizeof(cfg->instance), "_-", "[A-Za-z0-9_-]");
		if (rc < 0)
			return rc;
	}
	rc = member_get(ld, grp, "mode", T_STR, false, &s);
	if (rc < 0)
		return rc;
	if (s != NULL) {
		v = config_setting_get_string(s);
		for (m = 0; m < FP_XDP_MODE_MAX; m++)
			if (strcmp(v, mode_names[m]) == 0)
				break;
		if (m == FP_XDP_MODE_MAX)
			return fail(ld, s, NULL, "\"%s\" is not one of \"%s\", \"%s\"", v,
				    mode_names[FP_XDP_MODE_NATIVE],
				    mode_names[FP_XDP_MODE_GENERIC]);
		cfg->mode = m;
	}
	rc = member_get(ld, grp, "ports", T_LIST, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > FP_PORT_MAX)
		return fail(ld, list, NULL, "%u entries, need 1..%u", n, FP_PORT_MAX);
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

/* log_level: common to the three programs (lib/log.h names). */
static int
log_level_load(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	int rc, level;

	rc = member_get(ld, root, "log_level", T_STR, false, &s);
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
	/* fp-xdp's own keys, then those of fp-dpdk (dataplane/config.c) and
	 * fp-control (control/ctrl_config.c), which check them: any other
	 * key is a typo, and an error.
	 */
	static const char *const keys[] = {
		"host",	 "vtep",    "tables",	  "fp_xdp",    "eal",
		"ports", "workers", "mempool",	  "idle",      "tx",
		"stats", "control", "fp_control", "log_level", NULL,
	};
	int rc;

	rc = check_keys(ld, root, keys);
	if (rc < 0)
		return rc;
	rc = host_load(ld, root);
	if (rc < 0)
		return rc;
	rc = vtep_load(ld, root);
	if (rc < 0)
		return rc;
	rc = tables_load(ld, root);
	if (rc < 0)
		return rc;
	rc = log_level_load(ld, root);
	if (rc < 0)
		return rc;
	return own_load(ld, root);
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
	const char *p = *pp, *start = p, *digits = NULL;
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
	if (ld->n_bigints == FP_XDP_CFG_BIGINT_MAX)
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
	char name[FP_XDP_CFG_KEY_SIZE] = "";
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

	f = fopen(ld->path, "re");
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
		if (size > FP_XDP_CFG_FILE_MAX) {
			rc = fail_line(ld, 1, "file is larger than %u bytes", FP_XDP_CFG_FILE_MAX);
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
fp_xdp_config_load(const char *path, struct fp_xdp_config *cfg, char *err, unsigned int errsz)
{
	struct loader *ld;
	char *text = NULL;
	config_t c;
	int rc;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (path == NULL || cfg == NULL)
		return -EINVAL;
	fp_xdp_config_defaults(cfg);
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
