/* SPDX-License-Identifier: BSD-3-Clause */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flowplane/proto.h>

#include "addr.h"
#include "log.h"
#include "names.h"

static void
verror(struct fp_conf *c, unsigned int line, const char *key, const char *fmt, va_list ap)
{
	int n;

	if (c->err == NULL || c->errsz == 0)
		return;
	if (line == 0)
		line = 1;
	if (key != NULL && key[0] != '\0')
		n = snprintf(c->err, c->errsz, "%s:%u: %s: ", c->path, line, key);
	else
		n = snprintf(c->err, c->errsz, "%s:%u: ", c->path, line);
	if (n < 0 || (size_t)n >= c->errsz)
		return;
	vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
}

/* Report an error at a line that no setting describes; returns -EINVAL. */
int
fp_conf_fail_line(struct fp_conf *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, line, NULL, fmt, ap);
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
int
fp_conf_fail(struct fp_conf *c, const config_setting_t *s, const char *member, const char *fmt, ...)
{
	char key[FP_CONF_KEY_SIZE];
	va_list ap;
	size_t len;

	setting_path(s, key, sizeof(key));
	if (member != NULL) {
		len = strlen(key);
		snprintf(key + len, sizeof(key) - len, "%s%s", len ? "." : "", member);
	}
	va_start(ap, fmt);
	verror(c, config_setting_source_line(s), key, fmt, ap);
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
	case FP_CONF_T_INT:
		return "an integer";
	case FP_CONF_T_SEQ:
		return "an array [ ]";
	default:
		return type_name(__builtin_ctz(types));
	}
}

/* Check that s has one of the types in the mask. */
int
fp_conf_check_type(struct fp_conf *c, const config_setting_t *s, unsigned int types)
{
	int type = config_setting_type(s);

	if (types & (1u << type))
		return 0;
	return fp_conf_fail(c, s, NULL, "expected %s, got %s", types_name(types), type_name(type));
}

/* Find member name of group grp and check its type.  *out is NULL when an
 * optional member is absent.
 */
int
fp_conf_member_get(struct fp_conf *c, const config_setting_t *grp, const char *name,
		   unsigned int types, bool required, const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	*out = s;
	if (s == NULL)
		return required ? fp_conf_fail(c, grp, name, "missing (required)") : 0;
	return fp_conf_check_type(c, s, types);
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
name_in_fields(const char *name, const struct fp_conf_int_field *fields, unsigned int n_fields)
{
	unsigned int i;

	for (i = 0; i < n_fields; i++)
		if (strcmp(name, fields[i].name) == 0)
			return true;
	return false;
}

/* Reject any member of grp that is neither in names nor in fields. */
int
fp_conf_check_keys(struct fp_conf *c, const config_setting_t *grp, const char *const names[],
		   const struct fp_conf_int_field *fields, unsigned int n_fields)
{
	const config_setting_t *s;
	unsigned int i;

	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		if (!name_in(name, names) && !name_in_fields(name, fields, n_fields))
			return fp_conf_fail(c, s, NULL, "unknown key");
	}
	return 0;
}

int
fp_conf_group_get(struct fp_conf *c, const config_setting_t *grp, const char *name, bool required,
		  const char *const keys[], const struct fp_conf_int_field *fields,
		  unsigned int n_fields, const config_setting_t **out)
{
	int rc;

	rc = fp_conf_member_get(c, grp, name, FP_CONF_T_GROUP, required, out);
	if (rc < 0 || *out == NULL)
		return rc;
	return fp_conf_check_keys(c, *out, keys, fields, n_fields);
}

int
fp_conf_list_load(struct fp_conf *c, const config_setting_t *grp, const char *name, uint32_t max,
		  fp_conf_elem_fn *fn, void *arg, uint32_t *n)
{
	const config_setting_t *list;
	uint32_t i, len;
	int rc;

	rc = fp_conf_member_get(c, grp, name, FP_CONF_T_LIST, true, &list);
	if (rc < 0)
		return rc;
	len = (uint32_t)config_setting_length(list);
	if (len < 1 || len > max)
		return fp_conf_fail(c, list, NULL, "%u entries, need 1..%u", len, max);
	for (i = 0; i < len; i++) {
		*n = i;
		rc = fn(c, config_setting_get_elem(list, i), i, arg);
		if (rc < 0)
			return rc;
	}
	*n = len;
	return 0;
}

int
fp_conf_enum_parse(struct fp_conf *c, const config_setting_t *s, const char *const names[],
		   uint32_t n_names, uint32_t *out)
{
	char list[256];
	size_t len = 0;
	const char *v;
	uint32_t i;
	int rc;

	rc = fp_conf_check_type(c, s, FP_CONF_T_STR);
	if (rc < 0)
		return rc;
	v = config_setting_get_string(s);
	for (i = 0; i < n_names; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; i < n_names && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s\"%s\"", i ? ", " : "",
					names[i]);
	return fp_conf_fail(c, s, NULL, "\"%s\" is not one of %s", v, list);
}

/* The value of integer setting s, undoing libconfig 1.5's truncation of
 * literals that do not fit in 32 bits (see prescan()).
 */
int64_t
fp_conf_int_value(struct fp_conf *c, const config_setting_t *s)
{
	int64_t v = config_setting_get_int64(s);
	unsigned int line = config_setting_source_line(s);
	const char *name = config_setting_name(s);
	unsigned int i;

	for (i = 0; name != NULL && i < c->n_bigints; i++) {
		struct fp_conf_bigint *b = &c->bigints[i];

		if (!b->used && b->line == line && strcmp(b->name, name) == 0 &&
		    (uint32_t)b->value == (uint32_t)v) {
			b->used = true;
			return b->value;
		}
	}
	return v;
}

/* Read integer setting s, check min..max (and power of two). */
int
fp_conf_int_get(struct fp_conf *c, const config_setting_t *s, int64_t min, int64_t max, bool pow2,
		int64_t *out)
{
	int64_t v = 0;
	int rc;

	rc = fp_conf_check_type(c, s, FP_CONF_T_INT);
	if (rc < 0)
		return rc;
	v = fp_conf_int_value(c, s);
	if (v < min || v > max)
		return fp_conf_fail(c, s, NULL, "%" PRId64 " out of range %" PRId64 "..%" PRId64, v,
				    min, max);
	if (pow2 && (v & (v - 1)) != 0)
		return fp_conf_fail(c, s, NULL, "%" PRId64 " is not a power of two", v);
	*out = v;
	return 0;
}

/* Read the integer members of grp described by fields into base. */
int
fp_conf_ints_load(struct fp_conf *c, const config_setting_t *grp,
		  const struct fp_conf_int_field *fields, unsigned int n_fields, void *base)
{
	const config_setting_t *s;
	unsigned int i;
	int64_t v = 0;
	int rc;

	for (i = 0; i < n_fields; i++) {
		const struct fp_conf_int_field *f = &fields[i];
		uint8_t *dst = (uint8_t *)base + f->offset;

		s = config_setting_get_member(grp, f->name);
		if (s == NULL)
			continue;
		rc = fp_conf_int_get(c, s, f->min, f->max, f->pow2, &v);
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
int
fp_conf_str_copy(struct fp_conf *c, const config_setting_t *s, size_t min_len, char *dst,
		 size_t size)
{
	const char *v;
	size_t len;
	int rc;

	rc = fp_conf_check_type(c, s, FP_CONF_T_STR);
	if (rc < 0)
		return rc;
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len < min_len)
		return fp_conf_fail(c, s, NULL, "must not be empty");
	if (len >= size)
		return fp_conf_fail(c, s, NULL, "%zu chars, longer than %zu", len, size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

static bool
char_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Copy a name of 1..size-1 chars, each alphanumeric or in extra. */
int
fp_conf_name_copy(struct fp_conf *c, const config_setting_t *s, char *dst, size_t size,
		  const char *extra, const char *set)
{
	const char *p;
	int rc;

	rc = fp_conf_str_copy(c, s, 1, dst, size);
	if (rc < 0)
		return rc;
	for (p = dst; *p != '\0'; p++)
		if (!char_is_alnum(*p) && strchr(extra, *p) == NULL)
			return fp_conf_fail(c, s, NULL, "\"%s\" has a character outside %s", dst,
					    set);
	return 0;
}

int
fp_conf_host_load(struct fp_conf *c, const config_setting_t *root, char host[FP_NAME_SIZE])
{
	const config_setting_t *s;
	int rc;

	rc = fp_conf_member_get(c, root, "host", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	return fp_conf_name_copy(c, s, host, FP_NAME_SIZE, "._-", "[A-Za-z0-9._-]");
}

int
fp_conf_vtep_load(struct fp_conf *c, const config_setting_t *root, struct fp_ip *addrs,
		  uint32_t max, uint32_t *n_addrs)
{
	/* vtep is shared by the three programs: they know only addresses. */
	static const char *const keys[] = { "addresses", NULL };
	const config_setting_t *grp, *list, *s;
	unsigned int i, j, n;
	const char *why;
	int rc;

	rc = fp_conf_member_get(c, root, "vtep", FP_CONF_T_GROUP, true, &grp);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(c, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	rc = fp_conf_member_get(c, grp, "addresses", FP_CONF_T_SEQ, true, &list);
	if (rc < 0)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n < 1 || n > max)
		return fp_conf_fail(c, list, NULL, "%u entries, need 1..%u", n, max);
	for (i = 0; i < n; i++) {
		struct fp_ip *ip = &addrs[i];
		const char *v;

		s = config_setting_get_elem(list, i);
		rc = fp_conf_check_type(c, s, FP_CONF_T_STR);
		if (rc < 0)
			return rc;
		v = config_setting_get_string(s);
		if (fp_addr_ip_parse(v, ip) < 0)
			return fp_conf_fail(c, s, NULL, "\"%s\" is not an IPv4 or IPv6 address", v);
		why = fp_addr_ip_why_not_vtep(ip);
		if (why != NULL)
			return fp_conf_fail(c, s, NULL, "\"%s\" is %s, need a unicast address", v,
					    why);
		for (j = 0; j < i; j++)
			if (memcmp(ip, &addrs[j], sizeof(*ip)) == 0)
				return fp_conf_fail(c, s, NULL,
						    "\"%s\" duplicates vtep.addresses[%u]", v, j);
	}
	*n_addrs = n;
	return 0;
}

int
fp_conf_common_load(struct fp_conf *c, const config_setting_t *root, const char *const keys[],
		    char host[FP_NAME_SIZE], struct fp_ip *addrs, uint32_t max, uint32_t *n_addrs)
{
	int rc;

	if (keys != NULL) {
		rc = fp_conf_check_keys(c, root, keys, NULL, 0);
		if (rc < 0)
			return rc;
	}
	rc = fp_conf_host_load(c, root, host);
	if (rc < 0)
		return rc;
	return fp_conf_vtep_load(c, root, addrs, max, n_addrs);
}

int
fp_conf_log_level_load(struct fp_conf *c, const config_setting_t *root, uint32_t *level)
{
	const config_setting_t *s;
	int rc, l;

	rc = fp_conf_member_get(c, root, "log_level", FP_CONF_T_STR, false, &s);
	if (rc < 0 || s == NULL)
		return rc;
	l = fp_log_level_parse(config_setting_get_string(s));
	if (l < 0)
		return fp_conf_fail(c, s, NULL, "\"%s\" is not a log level (%s)",
				    config_setting_get_string(s), FP_LOG_LEVEL_NAMES);
	*level = (uint32_t)l;
	return 0;
}

int
fp_conf_name_find(const char *names, size_t stride, uint32_t n, const char *name)
{
	uint32_t i;

	if (names == NULL || name == NULL)
		return -ENOENT;
	for (i = 0; i < n; i++)
		if (strcmp(names + (size_t)i * stride, name) == 0)
			return (int)i;
	return -ENOENT;
}

int
fp_conf_port_head_load(struct fp_conf *c, const config_setting_t *grp, const char *list,
		       char *names, size_t stride, uint32_t idx, uint16_t *role)
{
	char *name = names + (size_t)idx * stride;
	const config_setting_t *s;
	int found, rc;

	rc = fp_conf_member_get(c, grp, "name", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	rc = fp_conf_name_copy(c, s, name, FP_NAME_SIZE, "._-", "[A-Za-z0-9._-]");
	if (rc < 0)
		return rc;
	found = fp_conf_name_find(names, stride, idx, name);
	if (found >= 0)
		return fp_conf_fail(c, s, NULL, "duplicate port name \"%s\" (also %s[%d])", name,
				    list, found);
	rc = fp_conf_member_get(c, grp, "role", FP_CONF_T_STR, true, &s);
	if (rc < 0)
		return rc;
	return fp_conf_role_parse(c, s, role);
}

int
fp_conf_role_parse(struct fp_conf *c, const config_setting_t *s, uint16_t *role)
{
	/* What a config may name: not "none", not (yet) "gateway";
	 * "physical" (provider networks) is fp-dpdk's only.
	 */
	const char *const names[] = { fp_names_role[FP_PORT_ROLE_VM],
				      fp_names_role[FP_PORT_ROLE_UNDERLAY],
				      fp_names_role[FP_PORT_ROLE_PHYSICAL] };
	const uint16_t roles[] = { FP_PORT_ROLE_VM, FP_PORT_ROLE_UNDERLAY, FP_PORT_ROLE_PHYSICAL };
	uint32_t r;
	int rc;

	rc = fp_conf_enum_parse(c, s, names, 3, &r);
	if (rc == 0)
		*role = roles[r];
	return rc;
}

void
fp_conf_tables_default(uint32_t table_size[FP_TABLE_MAX])
{
	table_size[FP_TABLE_PORT] = FP_PORT_MAX;
	table_size[FP_TABLE_VTEP] = FP_CONF_DEF_TABLE_VTEP;
	table_size[FP_TABLE_FDB] = FP_CONF_DEF_TABLE_FDB;
	table_size[FP_TABLE_FLOOD] = FP_CONF_DEF_TABLE_FLOOD;
	table_size[FP_TABLE_NEIGH] = FP_CONF_DEF_TABLE_NEIGH;
	table_size[FP_TABLE_RULESET] = FP_CONF_DEF_TABLE_RULESET;
	table_size[FP_TABLE_ADDRSET] = FP_CONF_DEF_TABLE_ADDRSET;
	table_size[FP_TABLE_ROUTE] = FP_CONF_DEF_TABLE_ROUTE;
	table_size[FP_TABLE_NAT] = FP_CONF_DEF_TABLE_NAT;
	table_size[FP_TABLE_DHCP] = FP_CONF_DEF_TABLE_DHCP;
	table_size[FP_TABLE_RA] = FP_CONF_DEF_TABLE_RA;
	table_size[FP_TABLE_DHCP6] = FP_CONF_DEF_TABLE_DHCP6;
	table_size[FP_TABLE_SEGMENT] = FP_CONF_DEF_TABLE_SEGMENT;
}

int
fp_conf_tables_load(struct fp_conf *c, const config_setting_t *root,
		    uint32_t table_size[FP_TABLE_MAX])
{
	const config_setting_t *grp, *s;
	unsigned int i, t;
	int64_t v = 0;
	int rc;

	rc = fp_conf_member_get(c, root, "tables", FP_CONF_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		for (t = 0; t < FP_TABLE_MAX; t++)
			if (strcmp(name, fp_names_table[t]) == 0)
				break;
		if (t == FP_TABLE_MAX)
			return fp_conf_fail(c, s, NULL, "unknown key");
		if (t == FP_TABLE_PORT)
			return fp_conf_fail(c, s, NULL, "the port table is fixed at %u entries",
					    FP_PORT_MAX);
		rc = fp_conf_int_get(c, s, FP_CONF_TABLE_MIN, FP_CONF_TABLE_MAX, false, &v);
		if (rc < 0)
			return rc;
		table_size[t] = (uint32_t)v;
	}
	return 0;
}

void
fp_conf_conntrack_defaults(uint32_t *size, uint32_t timeout_s[FP_CT_STATE_MAX])
{
#define CT_TIMEOUT(id, name, timeout) [FP_CT_##id] = timeout,
	static const uint32_t def[FP_CT_STATE_MAX] = { FP_FOREACH_CT_STATE(CT_TIMEOUT) };
#undef CT_TIMEOUT

	*size = FP_CONF_CT_SIZE_DEFAULT;
	memcpy(timeout_s, def, sizeof(def));
}

int
fp_conf_conntrack_load(struct fp_conf *c, const config_setting_t *root, uint32_t *size,
		       uint32_t timeout_s[FP_CT_STATE_MAX])
{
	const config_setting_t *grp, *s;
	unsigned int i, t;
	int64_t v = 0;
	int rc;

	rc = fp_conf_member_get(c, root, "conntrack", FP_CONF_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		if (strcmp(name, "size") == 0) {
			rc = fp_conf_int_get(c, s, FP_CONF_CT_SIZE_MIN, FP_CONF_CT_SIZE_MAX, false,
					     &v);
			if (rc < 0)
				return rc;
			*size = (uint32_t)v;
			continue;
		}
		t = FP_CT_STATE_MAX;
		if (strncmp(name, "timeout_", 8) == 0)
			for (t = FP_CT_NONE + 1; t < FP_CT_STATE_MAX; t++)
				if (strcmp(name + 8, fp_names_ct_state[t]) == 0)
					break;
		if (t == FP_CT_STATE_MAX)
			return fp_conf_fail(c, s, NULL,
					    "unknown key (size, or timeout_ and a state: "
					    "timeout_established, timeout_udp_replied, ...)");
		rc = fp_conf_int_get(c, s, 1, FP_CONF_CT_TIMEOUT_MAX, false, &v);
		if (rc < 0)
			return rc;
		timeout_s[t] = (uint32_t)v;
	}
	return 0;
}

void
fp_conf_guard_defaults(struct fp_guard_cfg *g)
{
	g->strict_source = 1;
	g->inner_src_mac = 1;
	g->storm_pps = FP_CONF_STORM_PPS_DEFAULT;
	g->storm_burst = FP_CONF_STORM_BURST_DEFAULT;
	memset(g->ethertypes, 0, sizeof(g->ethertypes));
	g->icmp_pps = FP_CONF_ICMP_PPS_DEFAULT;
	g->icmp_burst = FP_CONF_ICMP_BURST_DEFAULT;
}

/* guard.permitted_ethertypes: at most FP_GUARD_ETHERTYPE_MAX ethertypes
 * (0x0600..0xffff) besides the ones always decided (IPv4, IPv6, ARP) and
 * the VLAN tags (never permitted), no duplicates.
 */
static int
ethertypes_load(struct fp_conf *c, const config_setting_t *grp, struct fp_guard_cfg *g)
{
	const config_setting_t *list, *s;
	unsigned int i, j, n;
	int64_t v = 0;
	int rc;

	rc = fp_conf_member_get(c, grp, "permitted_ethertypes", FP_CONF_T_SEQ, false, &list);
	if (rc < 0 || list == NULL)
		return rc;
	n = (unsigned int)config_setting_length(list);
	if (n > FP_GUARD_ETHERTYPE_MAX)
		return fp_conf_fail(c, list, NULL, "%u entries, at most %u", n,
				    FP_GUARD_ETHERTYPE_MAX);
	memset(g->ethertypes, 0, sizeof(g->ethertypes));
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(list, i);
		rc = fp_conf_int_get(c, s, 0x0600, 0xffff, false, &v);
		if (rc < 0)
			return rc;
		if (v == FP_ETH_P_IPV4 || v == FP_ETH_P_IPV6 || v == FP_ETH_P_ARP)
			return fp_conf_fail(c, s, NULL,
					    "0x%04x is always decided (IPv4, IPv6 and ARP), not a "
					    "permitted ethertype",
					    (unsigned int)v);
		if (v == FP_ETH_P_8021Q || v == FP_ETH_P_8021AD)
			return fp_conf_fail(
				c, s, NULL,
				"0x%04x is a VLAN tag (tagged frames are refused), not a "
				"permitted ethertype",
				(unsigned int)v);
		for (j = 0; j < i; j++)
			if (g->ethertypes[j] == v)
				return fp_conf_fail(c, s, NULL,
						    "0x%04x duplicates permitted_ethertypes[%u]",
						    (unsigned int)v, j);
		g->ethertypes[i] = (uint16_t)v;
	}
	return 0;
}

int
fp_conf_guard_load(struct fp_conf *c, const config_setting_t *root, struct fp_guard_cfg *g)
{
	static const char *const keys[] = {
		"underlay_strict_source",
		"underlay_inner_src_mac",
		"storm_control_pps",
		"storm_control_burst",
		"permitted_ethertypes",
		"icmp_pps",
		"icmp_burst",
		NULL,
	};
	uint32_t *const bools[] = { &g->strict_source, &g->inner_src_mac };
	/* The integer keys: a rate (0: off or unlimited) and a bucket size. */
	const struct {
		const char *key;
		int64_t min, max;
		uint32_t *v;
	} ints[] = {
		{ "storm_control_pps", 0, FP_CONF_STORM_PPS_MAX, &g->storm_pps },
		{ "storm_control_burst", 1, FP_CONF_STORM_BURST_MAX, &g->storm_burst },
		{ "icmp_pps", 0, FP_CONF_STORM_PPS_MAX, &g->icmp_pps },
		{ "icmp_burst", 1, FP_CONF_STORM_BURST_MAX, &g->icmp_burst },
	};
	const config_setting_t *grp, *s;
	int64_t v = 0;
	unsigned int i;
	int rc;

	rc = fp_conf_member_get(c, root, "guard", FP_CONF_T_GROUP, false, &grp);
	if (rc < 0 || grp == NULL)
		return rc;
	rc = fp_conf_check_keys(c, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	for (i = 0; i < 2; i++) {
		rc = fp_conf_member_get(c, grp, keys[i], FP_CONF_T_BOOL, false, &s);
		if (rc < 0)
			return rc;
		if (s != NULL)
			*bools[i] = config_setting_get_bool(s) ? 1 : 0;
	}
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		rc = fp_conf_member_get(c, grp, ints[i].key, FP_CONF_T_INT, false, &s);
		if (rc == 0 && s != NULL) {
			rc = fp_conf_int_get(c, s, ints[i].min, ints[i].max, false, &v);
			if (rc == 0)
				*ints[i].v = (uint32_t)v;
		}
		if (rc < 0)
			return rc;
	}
	return ethertypes_load(c, grp, g);
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
prescan_number(struct fp_conf *c, const char **pp, unsigned int line, const char *name)
{
	const char *p = *pp, *start = p, *digits;
	bool hex = false, neg = false;
	struct fp_conf_bigint *b;
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
	if (c->n_bigints == FP_CONF_BIGINT_MAX)
		return fp_conf_fail_line(c, line,
					 "%s: too many integers that do not fit in 32 bits", name);
	b = &c->bigints[c->n_bigints++];
	b->line = line;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->value = v;
	b->used = false;
	return 0;
}

/* Scan the text before libconfig does: reject @include (the config is one
 * file), and find integer literals that libconfig 1.5 would truncate to 32
 * bits without a word, so that fp_conf_int_value() can use their real value.  Any
 * text libconfig rejects is left for it to report.
 */
static int
prescan(struct fp_conf *c, const char *text)
{
	char name[FP_CONF_KEY_SIZE] = "";
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
			return fp_conf_fail_line(
				c, line, "@include is not supported: the config is one file");
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
			rc = prescan_number(c, &p, line, name);
			if (rc < 0)
				return rc;
		} else {
			p++;
		}
	}
	return 0;
}

/* Read the whole file into a NUL-terminated buffer.  It is opened with
 * O_NONBLOCK and checked with fstat() before anything is read: a FIFO, a
 * directory or a device is refused instead of blocking the program.
 */
static int
file_read(struct fp_conf *c, char **out)
{
	size_t size = 0, cap = 4096;
	char *buf, *tmp;
	struct stat st;
	ssize_t n;
	int fd, rc;

	fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		goto err_open;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		if (c->err != NULL && c->errsz > 0)
			snprintf(c->err, c->errsz, "%s: not a regular file", c->path);
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto err_close;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto err_close;
	}
	for (;;) {
		if (size > FP_CONF_FILE_MAX) {
			rc = fp_conf_fail_line(c, 1, "file is larger than %u bytes",
					       FP_CONF_FILE_MAX);
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
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto err_io;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	buf[size] = '\0';
	if (memchr(buf, '\0', size) != NULL) {
		rc = fp_conf_fail_line(c, 1, "file contains a NUL byte");
		goto err_read;
	}
	close(fd);
	*out = buf;
	return 0;

err_io:
	if (c->err != NULL && c->errsz > 0)
		snprintf(c->err, c->errsz, "%s: %s", c->path, strerror(-rc));
err_read:
	free(buf);
err_close:
	close(fd);
err_open:
	if (c->err != NULL && c->errsz > 0 && c->err[0] == '\0')
		snprintf(c->err, c->errsz, "%s: %s", c->path, strerror(-rc));
	return rc;
}

int
fp_conf_bigints_check(struct fp_conf *c)
{
	unsigned int i;

	for (i = 0; i < c->n_bigints; i++)
		if (!c->bigints[i].used)
			return fp_conf_fail_line(c, c->bigints[i].line,
						 "%s: integer %" PRId64 " does not fit in 32 bits",
						 c->bigints[i].name, c->bigints[i].value);
	return 0;
}

int
fp_conf_open(struct fp_conf *c, const char *path, char *err, size_t errsz)
{
	char *text = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->err = err;
	c->errsz = errsz;
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (path == NULL)
		return -EINVAL;
	rc = file_read(c, &text);
	if (rc < 0) {
		if (rc == -ENOMEM && err != NULL && errsz > 0 && err[0] == '\0')
			snprintf(err, errsz, "%s: %s", path, strerror(ENOMEM));
		return rc;
	}
	rc = prescan(c, text);
	if (rc < 0)
		goto out;
	config_init(&c->cf);
	c->open = true;
	config_set_options(&c->cf, config_get_options(&c->cf) & ~CONFIG_OPTION_AUTOCONVERT);
	if (config_read_string(&c->cf, text) != CONFIG_TRUE)
		rc = fp_conf_fail_line(c, (unsigned int)config_error_line(&c->cf), "%s",
				       config_error_text(&c->cf));
out:
	free(text);
	return rc;
}

int
fp_conf_load(const char *path, char *path_copy, size_t path_size, char *err, size_t errsz,
	     fp_conf_load_fn *fn, void *arg)
{
	struct fp_conf *c;
	int rc;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (path == NULL || fn == NULL)
		return -EINVAL;
	if (path_copy != NULL) {
		if (strlen(path) >= path_size) {
			if (err != NULL && errsz > 0)
				snprintf(err, errsz, "%.64s...: %s", path, strerror(ENAMETOOLONG));
			return -ENAMETOOLONG;
		}
		memcpy(path_copy, path, strlen(path) + 1);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = fp_conf_open(c, path, err, errsz);
	if (rc == 0)
		rc = fn(c, fp_conf_root(c), arg);
	fp_conf_close(c);
	free(c);
	return rc;
}

int
fp_conf_load_cfg(const char *path, void *cfg, size_t cfg_size, char *path_copy, size_t path_size,
		 char *err, size_t errsz, fp_conf_load_fn *fn, void *arg)
{
	int rc;

	if (cfg == NULL) {
		if (err != NULL && errsz > 0)
			err[0] = '\0';
		return -EINVAL;
	}
	rc = fp_conf_load(path, path_copy, path_size, err, errsz, fn, arg);
	if (rc < 0) /* Fail closed: nothing half-loaded is left for a careless caller. */
		memset(cfg, 0, cfg_size);
	return rc;
}

const config_setting_t *
fp_conf_root(const struct fp_conf *c)
{
	return c->open ? config_root_setting(&c->cf) : NULL;
}

void
fp_conf_close(struct fp_conf *c)
{
	if (c == NULL || !c->open)
		return;
	config_destroy(&c->cf);
	c->open = false;
}
