/* SPDX-License-Identifier: BSD-3-Clause */
/* The Neutron resource parsers: one function per collection reads the
 * fields flowplane uses from a resource's JSON object into its struct
 * fp_model_<coll> (model_parse.h has the contract).
 */
#include "model_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <flowplane/tables.h>

#include "addr.h"
#include "jget.h"
#include "model.h"

#define MTU_DEFAULT 1450 /* network mtu when absent (1500 underlay - VXLAN) */
#define MTU_MIN 68	 /* RFC 791 minimum */
#define MTU_MAX 9000	 /* jumbo */

/* ---------------------------------------------------------------------
 * Networks and subnets
 */

/* A name of [A-Za-z0-9._-] only (host and engine port names). */
static int
name_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/* A physical network's name at o[key] (sub: its path): an id of 1..64
 * characters without ',' or ':' (Neutron's bridge_mappings separators).
 */
static int
physnet_check(const struct fp_model_parse_ctx *c, const char *sub, const char *key,
	      const char *name)
{
	if (strpbrk(name, ",:") != NULL)
		return fp_jget_fail(&c->jg, 422, sub, key,
				    "\"%s\" has a ',' or ':': not a physical network name", name);
	return 0;
}

/* What each network type takes (Neutron's ML2 type drivers). */
struct net_type_rule {
	int64_t seg_max; /* provider:segmentation_id 1..seg_max; 0: prohibited */
	uint8_t physnet; /* provider:physical_network required (else prohibited) */
	uint16_t encap;	 /* FP_ENCAP_* of an overlay, FP_ENCAP_MAX otherwise */
};

static const struct net_type_rule net_type_rules[FP_MODEL_NET_TYPE_MAX] = {
	[FP_MODEL_NET_VXLAN] = { FP_VNI_MAX, 0, FP_ENCAP_VXLAN },
	[FP_MODEL_NET_GENEVE] = { FP_VNI_MAX, 0, FP_ENCAP_GENEVE },
	[FP_MODEL_NET_VLAN] = { 4094, 1, FP_ENCAP_MAX },
	[FP_MODEL_NET_FLAT] = { 0, 1, FP_ENCAP_MAX },
	[FP_MODEL_NET_GRE] = { UINT32_MAX, 0, FP_ENCAP_MAX },
	[FP_MODEL_NET_LOCAL] = { 0, 0, FP_ENCAP_MAX },
	[FP_MODEL_NET_SEGMENTS] = { 0, 0, FP_ENCAP_MAX },
};

#define SEGMENTS_MAX 16 /* segments of a multi-segment network */

/* A network of several segments: "segments", a list of objects, instead
 * of provider:*.
 */
static int
parse_segments(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_network *n)
{
	json_t *a = NULL, *v;
	char sub[32];
	size_t i;
	int rc;

	rc = fp_jget_array(&c->jg, o, "", "segments", FP_JGET_REQ | FP_JGET_NULL, 1, SEGMENTS_MAX,
			   &a);
	if (rc < 0)
		return rc;
	json_array_foreach(a, i, v)
	{
		snprintf(sub, sizeof(sub), "segments[%zu]", i);
		rc = fp_jget_check_type(&c->jg, v, sub, NULL, JSON_OBJECT);
		if (rc < 0)
			return rc;
	}
	n->type = FP_MODEL_NET_SEGMENTS;
	n->encap = FP_ENCAP_MAX;
	return 0;
}

static int
parse_network_type(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_network *n)
{
	const struct net_type_rule *rule;
	const char *type;
	json_t *v = NULL;
	size_t len;
	int64_t seg;
	int rc, t;

	rc = fp_jget_str(&c->jg, o, "", "provider:network_type",
			 json_object_get(o, "segments") != NULL ? FP_JGET_NULL : FP_JGET_REQ, &type,
			 &len);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return parse_segments(c, o, n);
	for (t = 0; t < FP_MODEL_NET_SEGMENTS; t++)
		if (strcmp(type, fp_model_net_type_names[t]) == 0)
			break;
	if (t == FP_MODEL_NET_SEGMENTS)
		return fp_jget_fail(&c->jg, 422, "", "provider:network_type",
				    "\"%.32s\" is not a Neutron network type (vxlan, geneve, "
				    "vlan, flat, gre, local)",
				    type);
	rule = &net_type_rules[t];
	n->type = (uint8_t)t;
	n->encap = rule->encap;
	if (rule->seg_max != 0) {
		rc = fp_jget_int(&c->jg, o, "", "provider:segmentation_id", FP_JGET_REQ, 1,
				 rule->seg_max, &seg);
		if (rc < 0)
			return rc;
		n->segmentation_id = (uint32_t)seg;
		if (rule->encap != FP_ENCAP_MAX)
			n->vni = (uint32_t)seg;
	} else {
		rc = fp_jget_member(&c->jg, o, "", "provider:segmentation_id", JSON_INTEGER,
				    FP_JGET_NULL, &v);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return fp_jget_fail(&c->jg, 422, "", "provider:segmentation_id",
					    "a %s network has no segmentation id",
					    fp_model_net_type_names[t]);
	}
	rc = fp_jget_name(&c->jg, o, "", "provider:physical_network", FP_JGET_NULL, n->physnet,
			  sizeof(n->physnet), 1);
	if (rc < 0)
		return rc;
	if (rc == 1 && rule->physnet)
		return fp_jget_fail(&c->jg, 400, "", "provider:physical_network",
				    "missing (a %s network needs one)", fp_model_net_type_names[t]);
	if (rc == 0 && !rule->physnet)
		return fp_jget_fail(&c->jg, 422, "", "provider:physical_network",
				    "a %s network has no physical network",
				    fp_model_net_type_names[t]);
	if (rc == 0)
		return physnet_check(c, "", "provider:physical_network", n->physnet);
	return 0;
}

static int
parse_network(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_network *n = out;
	int64_t v;
	int rc;

	rc = parse_network_type(c, o, n);
	if (rc < 0)
		return rc;
	v = MTU_DEFAULT;
	rc = fp_jget_int(&c->jg, o, "", "mtu", 0, MTU_MIN, MTU_MAX, &v);
	if (rc < 0)
		return rc;
	n->mtu = (uint16_t)v;
	n->port_security = 1;
	rc = fp_jget_bool(&c->jg, o, "", "port_security_enabled", &n->port_security);
	if (rc < 0)
		return rc;
	rc = fp_jget_bool(&c->jg, o, "", "router:external", &n->external);
	if (rc < 0)
		return rc;
	n->admin_up = 1;
	return fp_jget_bool(&c->jg, o, "", "admin_state_up", &n->admin_up);
}

/* The network id in o[key], which must exist. */
static int
get_network_ref(const struct fp_model_parse_ctx *c, const json_t *o, const char *sub,
		const char *key, char *out, const struct fp_model_network **net)
{
	int rc = fp_jget_name(&c->jg, o, sub, key, FP_JGET_REQ, out, FP_MODEL_ID_SIZE, 1);

	if (rc < 0)
		return rc;
	*net = fp_model_network_find(c->m, out);
	if (*net == NULL)
		return fp_jget_fail(&c->jg, 404, sub, key, "no such network: %s", out);
	return 0;
}

/* A list of {destination, nexthop} (routes, host_routes): prefixes and
 * next hops of one family; ver 4 or 6 forces it, 0 takes any.  Each
 * route whole once.
 */
static int
parse_routes(const struct fp_model_parse_ctx *c, json_t *o, const char *key, size_t max, int ver,
	     struct fp_model_route *routes, uint32_t *n_routes)
{
	json_t *a = NULL;
	char sub[64];
	size_t i, j;
	int rc;

	rc = fp_jget_array(&c->jg, o, "", key, FP_JGET_NULL, 0, max, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		struct fp_model_route *rt = &routes[i];
		json_t *item = json_array_get(a, i);
		int fd, fn;

		snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
		rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip(&c->jg, item, sub, "destination", FP_JGET_REQ,
				FP_JGET_IP_PREFIX | FP_JGET_IP_NEED_PREFIX | FP_JGET_IP_HOST_MASK,
				&rt->destination, &rt->plen, &fd);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip(&c->jg, item, sub, "nexthop", FP_JGET_REQ, 0, &rt->nexthop, NULL,
				&fn);
		if (rc < 0)
			return rc;
		if (fd != fn)
			return fp_jget_fail(&c->jg, 422, sub, "nexthop",
					    "an IPv%d next hop for an IPv%d destination",
					    fn == AF_INET ? 4 : 6, fd == AF_INET ? 4 : 6);
		if (ver != 0 && (fd == AF_INET) != (ver == 4))
			return fp_jget_fail(&c->jg, 422, sub, "destination",
					    "an IPv%d route on an IPv%d subnet",
					    fd == AF_INET ? 4 : 6, ver);
		for (j = 0; j < i; j++)
			if (memcmp(&routes[j], rt, sizeof(*rt)) == 0)
				return fp_jget_fail(&c->jg, 422, sub, NULL, "duplicates %s[%zu]",
						    key, j);
		*n_routes = (uint32_t)(i + 1);
	}
	return 0;
}

/* ipv6_ra_mode / ipv6_address_mode: null or one of Neutron's names. */
static int
parse_v6_mode(const struct fp_model_parse_ctx *c, json_t *o, const char *key, uint8_t *out)
{
	const char *s;
	size_t len;
	int rc, i;

	rc = fp_jget_str(&c->jg, o, "", key, FP_JGET_NULL, &s, &len);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (i = 1; i < FP_MODEL_V6_MODE_MAX; i++)
		if (strcmp(s, fp_model_v6_mode_names[i]) == 0)
			break;
	if (i == FP_MODEL_V6_MODE_MAX)
		return fp_jget_fail(&c->jg, 422, "", key,
				    "\"%.32s\" is not slaac, dhcpv6-stateful or dhcpv6-stateless",
				    s);
	*out = (uint8_t)i;
	return 0;
}

/* Neutron's rules for the IPv6 modes (doc at struct fp_model_subnet). */
static int
check_v6_modes(const struct fp_model_parse_ctx *c, const struct fp_model_subnet *s)
{
	const char *key = s->ra_mode ? "ipv6_ra_mode" : "ipv6_address_mode";
	uint8_t m;

	if (s->ra_mode == FP_MODEL_V6_NONE && s->addr_mode == FP_MODEL_V6_NONE)
		return 0;
	if (s->ip_version != 6)
		return fp_jget_fail(&c->jg, 422, "", key, "set on an IPv4 subnet");
	if (!s->enable_dhcp)
		return fp_jget_fail(&c->jg, 422, "", key,
				    "set while enable_dhcp is false (Neutron refuses it)");
	if (s->ra_mode && s->addr_mode && s->ra_mode != s->addr_mode)
		return fp_jget_fail(&c->jg, 422, "", "ipv6_address_mode",
				    "\"%s\" with ipv6_ra_mode \"%s\": when both are set they "
				    "must be the same",
				    fp_model_v6_mode_names[s->addr_mode],
				    fp_model_v6_mode_names[s->ra_mode]);
	m = s->addr_mode ? s->addr_mode : s->ra_mode;
	if ((m == FP_MODEL_V6_SLAAC || m == FP_MODEL_V6_DHCPV6_STATELESS) && s->plen != 64)
		return fp_jget_fail(&c->jg, 422, "", key,
				    "%s needs a /64 (EUI-64 addresses); cidr is /%u",
				    fp_model_v6_mode_names[m], s->plen);
	return 0;
}

/* gateway_ip: null, or an address inside cidr that is neither its
 * network address nor (IPv4) its broadcast address, except on /31, /32,
 * /127, /128 (as Neutron's check_gateway_invalid_in_subnet).
 */
static int
parse_gateway(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_subnet *s)
{
	const char *cidr = json_string_value(json_object_get(o, "cidr"));
	const char *gw;
	struct fp_ip last;
	int fam, rc, i;

	rc = fp_jget_ip(&c->jg, o, "", "gateway_ip", FP_JGET_NULL, 0, &s->gateway, NULL, &fam);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	gw = json_string_value(json_object_get(o, "gateway_ip"));
	if ((fam == AF_INET) != (s->ip_version == 4) ||
	    !fp_addr_prefix_contains(&s->cidr, s->plen, &s->gateway))
		return fp_jget_fail(&c->jg, 422, "", "gateway_ip", "\"%s\" is not inside cidr %s",
				    gw, cidr);
	last = s->cidr;
	for (i = 0; i < 16; i++) {
		int bits = s->plen - i * 8;

		if (bits <= 0)
			last.b[i] = 0xff;
		else if (bits < 8)
			last.b[i] |= (uint8_t)(0xff >> bits);
	}
	if (s->plen < 127 &&
	    (memcmp(&s->gateway, &s->cidr, sizeof(s->cidr)) == 0 ||
	     (s->ip_version == 4 && memcmp(&s->gateway, &last, sizeof(last)) == 0)))
		return fp_jget_fail(
			&c->jg, 422, "", "gateway_ip", "\"%s\" is the %s address of %s", gw,
			memcmp(&s->gateway, &s->cidr, sizeof(s->cidr)) == 0 ? "network" :
									      "broadcast",
			cidr);
	s->has_gateway = 1;
	return 0;
}

static int
parse_subnet(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_subnet *s = out;
	const struct fp_model_network *net;
	const char *cidr;
	json_t *a = NULL;
	char sub[64];
	int64_t ver;
	size_t i, j;
	int fam, rc;

	rc = get_network_ref(c, o, "", "network_id", s->network_id, &net);
	if (rc < 0)
		return rc;
	rc = fp_jget_int(&c->jg, o, "", "ip_version", FP_JGET_REQ, INT64_MIN, INT64_MAX, &ver);
	if (rc < 0)
		return rc;
	if (ver != 4 && ver != 6)
		return fp_jget_fail(&c->jg, 422, "", "ip_version", "%lld is not 4 or 6",
				    (long long)ver);
	s->ip_version = (uint8_t)ver;
	rc = fp_jget_ip(&c->jg, o, "", "cidr", FP_JGET_REQ,
			FP_JGET_IP_PREFIX | FP_JGET_IP_NEED_PREFIX | FP_JGET_IP_HOST_ZERO, &s->cidr,
			&s->plen, &fam);
	if (rc < 0)
		return rc;
	cidr = json_string_value(json_object_get(o, "cidr"));
	if ((fam == AF_INET) != (ver == 4))
		return fp_jget_fail(&c->jg, 422, "", "cidr",
				    "\"%s\" is an IPv%d prefix but ip_version is %d", cidr,
				    fam == AF_INET ? 4 : 6, (int)ver);
	rc = parse_gateway(c, o, s);
	if (rc < 0)
		return rc;
	rc = parse_routes(c, o, "host_routes", FP_MODEL_HOST_ROUTE_MAX, (int)ver, s->host_routes,
			  &s->n_host_routes);
	if (rc < 0)
		return rc;
	rc = fp_jget_array(&c->jg, o, "", "dns_nameservers", FP_JGET_NULL, 0, FP_MODEL_DNS_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		const char *str;
		size_t len;

		snprintf(sub, sizeof(sub), "dns_nameservers[%zu]", i);
		rc = fp_jget_str_value(&c->jg, json_array_get(a, i), "", sub, &str, &len);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip_value(&c->jg, str, "", sub, 0, &s->dns[i], NULL, NULL);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (memcmp(&s->dns[j], &s->dns[i], sizeof(s->dns[i])) == 0)
				return fp_jget_fail(&c->jg, 422, "", sub,
						    "duplicates dns_nameservers[%zu]", j);
		s->n_dns = (uint32_t)(i + 1);
	}
	s->enable_dhcp = 1;
	rc = fp_jget_bool(&c->jg, o, "", "enable_dhcp", &s->enable_dhcp);
	if (rc < 0)
		return rc;
	rc = parse_v6_mode(c, o, "ipv6_ra_mode", &s->ra_mode);
	if (rc < 0)
		return rc;
	rc = parse_v6_mode(c, o, "ipv6_address_mode", &s->addr_mode);
	if (rc < 0)
		return rc;
	return check_v6_modes(c, s);
}

/* ---------------------------------------------------------------------
 * Ports
 */

static int
parse_fixed_ip(const struct fp_model_parse_ctx *c, json_t *item, const char *sub,
	       const struct fp_model_port *p, struct fp_model_fixed_ip *f)
{
	const struct fp_model_subnet *sn;
	int rc;

	rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);
	if (rc < 0)
		return rc;
	rc = fp_jget_name(&c->jg, item, sub, "subnet_id", FP_JGET_REQ, f->subnet_id,
			  sizeof(f->subnet_id), 1);
	if (rc < 0)
		return rc;
	sn = fp_model_subnet_find(c->m, f->subnet_id);
	if (sn == NULL)
		return fp_jget_fail(&c->jg, 404, sub, "subnet_id", "no such subnet: %s",
				    f->subnet_id);
	if (strcmp(sn->network_id, p->network_id) != 0)
		return fp_jget_fail(&c->jg, 422, sub, "subnet_id",
				    "subnet %s is on network %s, not on %s", f->subnet_id,
				    sn->network_id, p->network_id);
	rc = fp_jget_ip(&c->jg, item, sub, "ip_address", FP_JGET_REQ, 0, &f->ip, NULL, NULL);
	if (rc < 0)
		return rc;
	if (fp_addr_ip_is_v4(&f->ip) != (sn->ip_version == 4) ||
	    !fp_addr_prefix_contains(&sn->cidr, sn->plen, &f->ip))
		return fp_jget_fail(
			&c->jg, 422, sub, "ip_address", "\"%s\" is not inside subnet %s (%s)",
			json_string_value(json_object_get(item, "ip_address")), f->subnet_id,
			json_string_value(json_object_get(
				fp_model_json(c->m, FP_MODEL_SUBNET, f->subnet_id), "cidr")));
	return 0;
}

static int
parse_pair(const struct fp_model_parse_ctx *c, json_t *item, const char *sub,
	   struct fp_model_pair *pr)
{
	int rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);

	if (rc < 0)
		return rc;
	rc = fp_jget_ip(&c->jg, item, sub, "ip_address", FP_JGET_REQ,
			FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_MASK, &pr->ip, &pr->plen, NULL);
	if (rc < 0)
		return rc;
	rc = fp_jget_mac(&c->jg, item, sub, "mac_address", FP_JGET_NULL, pr->mac);
	if (rc < 0)
		return rc;
	pr->has_mac = rc == 0;
	return 0;
}

/* An optional string naming something outside flowplane (an instance,
 * a project): kept in dst; longer than size - 1 characters: 422 (null or
 * absent: "").
 */
static int
get_kept_id(const struct fp_model_parse_ctx *c, json_t *o, const char *name, char *dst, size_t size)
{
	json_t *v = NULL;
	const char *s;
	size_t len;
	int rc = fp_jget_member(&c->jg, o, "", name, JSON_STRING, FP_JGET_NULL, &v);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = fp_jget_str_value(&c->jg, v, "", name, &s, &len);
	if (rc < 0)
		return rc;
	if (len >= size)
		return fp_jget_fail(&c->jg, 422, "", name, "longer than %zu characters", size - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

/* device_owner (its kind) and device_id: a router's port names its
 * router, an id; any other port's device_id is kept (up to 255 characters).
 */
static int
parse_owner(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_port *p)
{
	int rc, k;

	rc = fp_jget_name(&c->jg, o, "", "device_owner", FP_JGET_NULL, p->device_owner,
			  sizeof(p->device_owner), 0);
	if (rc < 0)
		return rc;
	p->owner = FP_MODEL_OWNER_VM;
	for (k = 1; k < FP_MODEL_OWNER_MAX; k++)
		if (strcmp(p->device_owner, fp_model_owner_names[k]) == 0)
			p->owner = (uint8_t)k;
	if (fp_model_port_is_router_port(p))
		return fp_jget_name(&c->jg, o, "", "device_id", FP_JGET_REQ | FP_JGET_NULL,
				    p->device_id, FP_MODEL_ID_SIZE, 1);
	return get_kept_id(c, o, "device_id", p->device_id, sizeof(p->device_id));
}

/* project_id, else tenant_id (Neutron sends both, equal), kept as
 * get_kept_id() keeps them.
 */
static int
parse_project(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_port *p)
{
	char tenant[FP_MODEL_LONG_ID_SIZE] = "";
	int rc, has_project, has_tenant;

	rc = get_kept_id(c, o, "project_id", p->project_id, sizeof(p->project_id));
	if (rc < 0)
		return rc;
	has_project = json_is_string(json_object_get(o, "project_id"));
	rc = get_kept_id(c, o, "tenant_id", tenant, sizeof(tenant));
	if (rc < 0)
		return rc;
	has_tenant = json_is_string(json_object_get(o, "tenant_id"));
	if (!has_project) {
		memcpy(p->project_id, tenant, sizeof(tenant));
		return 0;
	}
	if (has_tenant && strcmp(json_string_value(json_object_get(o, "project_id")),
				 json_string_value(json_object_get(o, "tenant_id"))) != 0)
		return fp_jget_fail(&c->jg, 422, "", "tenant_id", "differs from project_id");
	return 0;
}

static int
parse_port(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_port *p = out;
	const struct fp_model_network *net;
	json_t *a = NULL, *v = NULL;
	char sub[64];
	size_t i, j;
	int rc;

	rc = get_network_ref(c, o, "", "network_id", p->network_id, &net);
	if (rc < 0)
		return rc;
	rc = fp_jget_mac(&c->jg, o, "", "mac_address", FP_JGET_REQ, p->mac);
	if (rc < 0)
		return rc;
	p->admin_up = 1;
	rc = fp_jget_bool(&c->jg, o, "", "admin_state_up", &p->admin_up);
	if (rc < 0)
		return rc;
	p->port_security = net->port_security;
	rc = fp_jget_bool(&c->jg, o, "", "port_security_enabled", &p->port_security);
	if (rc < 0)
		return rc;
	rc = parse_owner(c, o, p);
	if (rc < 0)
		return rc;
	rc = parse_project(c, o, p);
	if (rc < 0)
		return rc;
	rc = fp_jget_name(&c->jg, o, "", "binding:host_id", FP_JGET_NULL, p->host, sizeof(p->host),
			  0);
	if (rc < 0)
		return rc;
	rc = fp_jget_member(&c->jg, o, "", "binding:profile", JSON_OBJECT, FP_JGET_NULL, &v);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = fp_jget_name(&c->jg, v, "binding:profile", "flowplane_port", FP_JGET_NULL,
				  p->dp_port, sizeof(p->dp_port), 0);
		if (rc < 0)
			return rc;
	}

	rc = fp_jget_array(&c->jg, o, "", "fixed_ips", FP_JGET_NULL, 0, FP_MODEL_FIXED_IP_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		snprintf(sub, sizeof(sub), "fixed_ips[%zu]", i);
		rc = parse_fixed_ip(c, json_array_get(a, i), sub, p, &p->fixed_ips[i]);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (memcmp(&p->fixed_ips[j].ip, &p->fixed_ips[i].ip,
				   sizeof(struct fp_ip)) == 0)
				return fp_jget_fail(&c->jg, 422, sub, "ip_address",
						    "duplicates fixed_ips[%zu].ip_address", j);
		p->n_fixed_ips = (uint32_t)(i + 1);
	}

	rc = fp_jget_array(&c->jg, o, "", "allowed_address_pairs", FP_JGET_NULL, 0,
			   FP_MODEL_PAIR_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		snprintf(sub, sizeof(sub), "allowed_address_pairs[%zu]", i);
		rc = parse_pair(c, json_array_get(a, i), sub, &p->pairs[i]);
		if (rc < 0)
			return rc;
		p->n_pairs = (uint32_t)(i + 1);
	}

	rc = fp_jget_array(&c->jg, o, "", "security_groups", FP_JGET_NULL, 0, FP_MODEL_SG_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		snprintf(sub, sizeof(sub), "security_groups[%zu]", i);
		rc = fp_jget_name_value(&c->jg, json_array_get(a, i), "", sub,
					p->security_groups[i], FP_MODEL_ID_SIZE, 1);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(p->security_groups[j], p->security_groups[i]) == 0)
				return fp_jget_fail(&c->jg, 422, "", sub,
						    "duplicates security_groups[%zu]", j);
		p->n_security_groups = (uint32_t)(i + 1);
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Routers and floating IPs
 */

static int
parse_gateway_info(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_router *r)
{
	const char *g = "external_gateway_info";
	json_t *v = NULL, *a = NULL;
	char sub[64];
	size_t i, j;
	int rc;

	rc = fp_jget_member(&c->jg, o, "", g, JSON_OBJECT, FP_JGET_NULL, &v);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	r->has_gateway = 1;
	rc = fp_jget_name(&c->jg, v, g, "network_id", FP_JGET_REQ, r->ext_network_id,
			  sizeof(r->ext_network_id), 1);
	if (rc < 0)
		return rc;
	r->enable_snat = 1;
	rc = fp_jget_bool(&c->jg, v, g, "enable_snat", &r->enable_snat);
	if (rc < 0)
		return rc;
	rc = fp_jget_array(&c->jg, v, g, "external_fixed_ips", FP_JGET_NULL, 0, FP_MODEL_EXT_IP_MAX,
			   &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		struct fp_model_fixed_ip *f = &r->ext_ips[i];
		json_t *item = json_array_get(a, i);

		snprintf(sub, sizeof(sub), "%s.external_fixed_ips[%zu]", g, i);
		rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);
		if (rc < 0)
			return rc;
		rc = fp_jget_name(&c->jg, item, sub, "subnet_id", FP_JGET_REQ, f->subnet_id,
				  sizeof(f->subnet_id), 1);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip(&c->jg, item, sub, "ip_address", FP_JGET_REQ, 0, &f->ip, NULL,
				NULL);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (memcmp(&r->ext_ips[j].ip, &f->ip, sizeof(f->ip)) == 0)
				return fp_jget_fail(&c->jg, 422, sub, "ip_address",
						    "duplicates external_fixed_ips[%zu]", j);
		r->n_ext_ips = (uint32_t)(i + 1);
	}
	return 0;
}

static int
parse_router(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_router *r = out;
	int rc;

	rc = parse_gateway_info(c, o, r);
	if (rc < 0)
		return rc;
	rc = parse_routes(c, o, "routes", FP_MODEL_ROUTE_MAX, 0, r->routes, &r->n_routes);
	if (rc < 0)
		return rc;
	rc = fp_jget_bool(&c->jg, o, "", "distributed", &r->distributed);
	if (rc < 0)
		return rc;
	r->admin_up = 1;
	return fp_jget_bool(&c->jg, o, "", "admin_state_up", &r->admin_up);
}

static int
parse_floatingip(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_floatingip *f = out;
	const struct fp_model_network *net;
	const struct fp_model_port *port = NULL;
	uint32_t i;
	int rc;

	rc = get_network_ref(c, o, "", "floating_network_id", f->floating_network_id, &net);
	if (rc < 0)
		return rc;
	rc = fp_jget_ip(&c->jg, o, "", "floating_ip_address", FP_JGET_REQ, 0, &f->floating_ip, NULL,
			NULL);
	if (rc < 0)
		return rc;
	if (!fp_addr_ip_is_v4(&f->floating_ip))
		return fp_jget_fail(&c->jg, 422, "", "floating_ip_address",
				    "\"%s\" is not IPv4 (floating IPs are IPv4, as in Neutron)",
				    json_string_value(json_object_get(o, "floating_ip_address")));
	rc = fp_jget_name(&c->jg, o, "", "port_id", FP_JGET_NULL, f->port_id, sizeof(f->port_id),
			  1);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		port = fp_model_port_find(c->m, f->port_id);
		if (port == NULL)
			return fp_jget_fail(&c->jg, 404, "", "port_id", "no such port: %s",
					    f->port_id);
	}
	rc = fp_jget_ip(&c->jg, o, "", "fixed_ip_address", FP_JGET_NULL, 0, &f->fixed_ip, NULL,
			NULL);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (port == NULL)
			return fp_jget_fail(&c->jg, 422, "", "fixed_ip_address",
					    "given without a port_id");
		if (!fp_addr_ip_is_v4(&f->fixed_ip))
			return fp_jget_fail(
				&c->jg, 422, "", "fixed_ip_address",
				"\"%s\" is not IPv4 (floating IPs are IPv4, as in Neutron)",
				json_string_value(json_object_get(o, "fixed_ip_address")));
		for (i = 0; i < port->n_fixed_ips; i++)
			if (memcmp(&port->fixed_ips[i].ip, &f->fixed_ip, sizeof(f->fixed_ip)) == 0)
				break;
		if (i == port->n_fixed_ips)
			return fp_jget_fail(
				&c->jg, 422, "", "fixed_ip_address",
				"\"%s\" is not a fixed IP of port %s",
				json_string_value(json_object_get(o, "fixed_ip_address")),
				f->port_id);
		f->has_fixed_ip = 1;
	}
	rc = fp_jget_name(&c->jg, o, "", "router_id", FP_JGET_NULL, f->router_id,
			  sizeof(f->router_id), 1);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------------
 * Security groups
 */

/* IP protocol names Neutron accepts in a security group rule. */
struct proto_name {
	const char *name; /* lower case, as Neutron stores it */
	int16_t num;	  /* IP protocol number; -1 any */
	uint8_t v6_only;  /* refused with ethertype IPv4 */
};

static const struct proto_name proto_names[] = {
	{ "any", -1, 0 },	{ "ah", 51, 0 },	 { "dccp", 33, 0 },
	{ "egp", 8, 0 },	{ "esp", 50, 0 },	 { "gre", 47, 0 },
	{ "hopopt", 0, 0 },	{ "icmp", 1, 0 },	 { "igmp", 2, 0 },
	{ "ipip", 4, 0 },	{ "ipv6-encap", 41, 1 }, { "ipv6-frag", 44, 1 },
	{ "ipv6-icmp", 58, 1 }, { "icmpv6", 58, 1 },	 { "ipv6-nonxt", 59, 1 },
	{ "ipv6-opts", 60, 1 }, { "ipv6-route", 43, 1 }, { "ospf", 89, 0 },
	{ "pgm", 113, 0 },	{ "rsvp", 46, 0 },	 { "sctp", 132, 0 },
	{ "tcp", 6, 0 },	{ "udp", 17, 0 },	 { "udplite", 136, 0 },
	{ "vrrp", 112, 0 },
};

#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define ICMP_ANY 0xffff /* port_min/port_max of an ICMP rule without type/code */

static const struct proto_name *
proto_by_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (strcasecmp(s, proto_names[i].name) == 0)
			return &proto_names[i];
	return NULL;
}

/* "protocol": null, a name, a number 0..255 or its decimal string. */
static int
parse_protocol(const struct fp_model_parse_ctx *c, json_t *item, const char *sub,
	       struct fp_model_rule *r)
{
	json_t *v = json_object_get(item, "protocol");
	const struct proto_name *pn;
	const char *s;
	size_t len, i;
	int rc, num = 0;

	r->protocol = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > 255)
			return fp_jget_fail(&c->jg, 422, sub, "protocol",
					    "%lld out of range 0..255",
					    (long long)json_integer_value(v));
		r->protocol = (int16_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return fp_jget_fail(&c->jg, 400, sub, "protocol",
				    "expected a string, an integer or null, got %s",
				    fp_jget_type_name(v));
	rc = fp_jget_str_value(&c->jg, v, sub, "protocol", &s, &len);
	if (rc < 0)
		return rc;
	pn = proto_by_name(s);
	if (pn != NULL) {
		if (pn->v6_only && !r->ipv6)
			return fp_jget_fail(&c->jg, 422, sub, "protocol",
					    "\"%s\" is an IPv6 protocol but ethertype is IPv4", s);
		r->protocol = pn->num;
		/* Neutron takes "icmp" with IPv6 to mean ICMPv6. */
		if (r->ipv6 && pn->num == PROTO_ICMP)
			r->protocol = PROTO_ICMPV6;
		return 0;
	}
	for (i = 0; i < len && i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		num = num * 10 + (s[i] - '0');
	}
	if (len == 0 || len > 3 || i != len || num > 255)
		return fp_jget_fail(&c->jg, 422, sub, "protocol",
				    "\"%.32s\" is not a protocol name or number 0..255", s);
	r->protocol = (int16_t)num;
	return 0;
}

static int
parse_rule_ports(const struct fp_model_parse_ctx *c, json_t *item, const char *sub,
		 struct fp_model_rule *r)
{
	int64_t min = -1, max = -1;
	const char *key;
	int rc;

	rc = fp_jget_int(&c->jg, item, sub, "port_range_min", FP_JGET_NULL, 0, 65535, &min);
	if (rc < 0)
		return rc;
	rc = fp_jget_int(&c->jg, item, sub, "port_range_max", FP_JGET_NULL, 0, 65535, &max);
	if (rc < 0)
		return rc;
	key = min >= 0 ? "port_range_min" : "port_range_max";
	switch (r->protocol) {
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* Neutron: port_range_min is the ICMP type, _max the code. */
		if (min > 255)
			return fp_jget_fail(&c->jg, 422, sub, "port_range_min",
					    "ICMP type %lld out of range 0..255", (long long)min);
		if (max > 255)
			return fp_jget_fail(&c->jg, 422, sub, "port_range_max",
					    "ICMP code %lld out of range 0..255", (long long)max);
		if (min < 0 && max >= 0)
			return fp_jget_fail(&c->jg, 422, sub, "port_range_max",
					    "an ICMP code needs an ICMP type in port_range_min");
		r->port_min = min >= 0 ? (uint16_t)min : ICMP_ANY;
		r->port_max = max >= 0 ? (uint16_t)max : ICMP_ANY;
		return 0;
	case 6:	  /* tcp */
	case 17:  /* udp */
	case 33:  /* dccp */
	case 132: /* sctp */
	case 136: /* udplite */
		if (min >= 0 && max >= 0 && min > max)
			return fp_jget_fail(&c->jg, 422, sub, "port_range_max",
					    "%lld is less than port_range_min %lld", (long long)max,
					    (long long)min);
		break;
	case -1:
		if (min >= 0 || max >= 0)
			return fp_jget_fail(&c->jg, 422, sub, key, "a port range needs a protocol");
		break;
	default:
		if (min >= 0 || max >= 0)
			return fp_jget_fail(&c->jg, 422, sub, key, "protocol %d has no ports",
					    r->protocol);
		break;
	}
	r->port_min = min >= 0 ? (uint16_t)min : 0;
	r->port_max = max >= 0 ? (uint16_t)max : 65535;
	return 0;
}

static int
parse_rule(const struct fp_model_parse_ctx *c, json_t *item, const char *sub,
	   struct fp_model_rule *r)
{
	char sg_id[FP_MODEL_ID_SIZE];
	const char *s;
	size_t len;
	int rc, fam;

	rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);
	if (rc < 0)
		return rc;
	rc = fp_jget_name(&c->jg, item, sub, "id", FP_JGET_REQ, r->id, sizeof(r->id), 1);
	if (rc < 0)
		return rc;
	rc = fp_jget_name(&c->jg, item, sub, "security_group_id", FP_JGET_NULL, sg_id,
			  sizeof(sg_id), 1);
	if (rc < 0)
		return rc;
	if (rc == 0 && strcmp(sg_id, c->id) != 0)
		return fp_jget_fail(&c->jg, 422, sub, "security_group_id",
				    "\"%s\" is not this group's id (%s)", sg_id, c->id);
	rc = fp_jget_str(&c->jg, item, sub, "direction", FP_JGET_REQ, &s, &len);
	if (rc < 0)
		return rc;
	if (strcmp(s, "ingress") != 0 && strcmp(s, "egress") != 0)
		return fp_jget_fail(&c->jg, 422, sub, "direction",
				    "\"%.32s\" is not ingress or egress", s);
	r->ingress = strcmp(s, "ingress") == 0;
	rc = fp_jget_str(&c->jg, item, sub, "ethertype", FP_JGET_NULL, &s, &len);
	if (rc < 0)
		return rc;
	if (rc == 0 && strcmp(s, "IPv4") != 0 && strcmp(s, "IPv6") != 0)
		return fp_jget_fail(&c->jg, 422, sub, "ethertype", "\"%.32s\" is not IPv4 or IPv6",
				    s);
	r->ipv6 = rc == 0 && strcmp(s, "IPv6") == 0;
	rc = parse_protocol(c, item, sub, r);
	if (rc < 0)
		return rc;
	rc = parse_rule_ports(c, item, sub, r);
	if (rc < 0)
		return rc;
	rc = fp_jget_ip(&c->jg, item, sub, "remote_ip_prefix", FP_JGET_NULL,
			FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_MASK, &r->remote_prefix,
			&r->remote_plen, &fam);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if ((fam == AF_INET6) != r->ipv6)
			return fp_jget_fail(
				&c->jg, 422, sub, "remote_ip_prefix",
				"\"%s\" is an IPv%d prefix but ethertype is IPv%d",
				json_string_value(json_object_get(item, "remote_ip_prefix")),
				fam == AF_INET ? 4 : 6, r->ipv6 ? 6 : 4);
		r->has_prefix = 1;
	}
	rc = fp_jget_name(&c->jg, item, sub, "remote_group_id", FP_JGET_NULL, r->remote_group_id,
			  sizeof(r->remote_group_id), 1);
	if (rc < 0)
		return rc;
	if (rc == 0 && r->has_prefix)
		return fp_jget_fail(&c->jg, 422, sub, "remote_group_id",
				    "given together with remote_ip_prefix");
	rc = fp_jget_name(&c->jg, item, sub, "remote_address_group_id", FP_JGET_NULL,
			  r->remote_address_group_id, sizeof(r->remote_address_group_id), 1);
	if (rc < 0)
		return rc;
	if (rc == 0 && (r->has_prefix || r->remote_group_id[0] != '\0'))
		return fp_jget_fail(&c->jg, 422, sub, "remote_address_group_id",
				    "given together with %s",
				    r->has_prefix ? "remote_ip_prefix" : "remote_group_id");
	return 0;
}

static int
parse_secgroup(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_secgroup *g = out;
	char sub[64];
	json_t *a = NULL;
	size_t i, j;
	int rc;

	g->stateful = 1;
	rc = fp_jget_bool(&c->jg, o, "", "stateful", &g->stateful);
	if (rc < 0)
		return rc;
	rc = fp_jget_array(&c->jg, o, "", "security_group_rules", FP_JGET_NULL, 0,
			   FP_MODEL_RULE_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		snprintf(sub, sizeof(sub), "security_group_rules[%zu]", i);
		rc = parse_rule(c, json_array_get(a, i), sub, &g->rules[i]);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(g->rules[j].id, g->rules[i].id) == 0)
				return fp_jget_fail(&c->jg, 422, sub, "id",
						    "duplicates security_group_rules[%zu].id", j);
		g->n_rules = (uint32_t)(i + 1);
	}
	return 0;
}

static int
parse_addrgroup(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_addrgroup *g = out;
	char sub[64];
	json_t *a = NULL;
	size_t i, j;
	int rc;

	rc = fp_jget_array(&c->jg, o, "", "addresses", FP_JGET_NULL, 0, FP_MODEL_AGROUP_ADDR_MAX,
			   &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		struct fp_model_prefix *pf = &g->addrs[i];
		const char *s;
		size_t len;

		snprintf(sub, sizeof(sub), "addresses[%zu]", i);
		rc = fp_jget_str_value(&c->jg, json_array_get(a, i), "", sub, &s, &len);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip_value(&c->jg, s, "", sub, FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_MASK,
				      &pf->ip, &pf->plen, NULL);
		if (rc < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (g->addrs[j].plen == pf->plen &&
			    memcmp(&g->addrs[j].ip, &pf->ip, sizeof(pf->ip)) == 0)
				return fp_jget_fail(&c->jg, 422, "", sub,
						    "\"%.64s\" duplicates addresses[%zu]", s, j);
		g->n_addrs = (uint32_t)(i + 1);
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Hosts
 */

/* bridge_mappings: {"<physnet>": "<engine port>", ...}. */
static int
parse_bridges(const struct fp_model_parse_ctx *c, json_t *o, struct fp_model_host *h)
{
	const char *key, *g = "bridge_mappings";
	json_t *v = NULL, *val;
	char sub[128];
	uint32_t j;
	int rc;

	rc = fp_jget_member(&c->jg, o, "", g, JSON_OBJECT, FP_JGET_NULL, &v);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (json_object_size(v) > FP_MODEL_BRIDGE_MAX)
		return fp_jget_fail(&c->jg, 422, "", g, "%zu mappings, more than %d",
				    json_object_size(v), FP_MODEL_BRIDGE_MAX);
	json_object_foreach(v, key, val)
	{
		struct fp_model_bridge *b = &h->bridges[h->n_bridges];

		snprintf(sub, sizeof(sub), "%s.%.64s", g, key);
		rc = fp_jget_name_check(&c->jg, key, strlen(key), g, NULL, b->physnet,
					sizeof(b->physnet), 1);
		if (rc < 0)
			return rc;
		rc = physnet_check(c, g, NULL, b->physnet);
		if (rc < 0)
			return rc;
		rc = fp_jget_name_value(&c->jg, val, "", sub, b->port, sizeof(b->port), 1);
		if (rc < 0)
			return rc;
		if (!name_chars_ok(b->port))
			return fp_jget_fail(
				&c->jg, 422, "", sub,
				"\"%s\" has a character outside [A-Za-z0-9._-] (engine port names)",
				b->port);
		for (j = 0; j < h->n_bridges; j++)
			if (strcmp(h->bridges[j].port, b->port) == 0)
				return fp_jget_fail(&c->jg, 422, "", sub,
						    "port \"%s\" is already mapped to %s: one "
						    "physical network per port",
						    b->port, h->bridges[j].physnet);
		h->n_bridges++;
	}
	return 0;
}

static int
parse_host(const struct fp_model_parse_ctx *c, json_t *o, void *out)
{
	struct fp_model_host *h = out;
	const char *why;
	char sub[64];
	json_t *a = NULL;
	size_t i, j;
	int rc;

	/* Hosts are matched against binding:host_id, which holds less,
	 * and against fp-dpdk's host, which holds only these characters.
	 */
	if (strlen(c->id) >= FP_NAME_SIZE)
		return fp_jget_fail(&c->jg, 422, "", "id",
				    "%zu characters, longer than %d (host names)", strlen(c->id),
				    FP_NAME_SIZE - 1);
	if (!name_chars_ok(c->id))
		return fp_jget_fail(&c->jg, 422, "", "id",
				    "\"%s\" has a character outside [A-Za-z0-9._-] (host names)",
				    c->id);
	rc = fp_jget_array(&c->jg, o, "", "vtep_addresses", FP_JGET_REQ, 1, FP_MODEL_HOST_ADDR_MAX,
			   &a);
	if (rc < 0)
		return rc;
	for (i = 0; i < json_array_size(a); i++) {
		struct fp_ip *ip = &h->vtep_addrs[i];
		const char *s;
		size_t len;

		snprintf(sub, sizeof(sub), "vtep_addresses[%zu]", i);
		rc = fp_jget_str_value(&c->jg, json_array_get(a, i), "", sub, &s, &len);
		if (rc < 0)
			return rc;
		rc = fp_jget_ip_value(&c->jg, s, "", sub, 0, ip, NULL, NULL);
		if (rc < 0)
			return rc;
		why = fp_addr_ip_why_not_vtep(ip);
		if (why != NULL)
			return fp_jget_fail(&c->jg, 422, "", sub,
					    "\"%s\" is %s: not a VTEP address", s, why);
		for (j = 0; j < i; j++)
			if (memcmp(&h->vtep_addrs[j], ip, sizeof(*ip)) == 0)
				return fp_jget_fail(&c->jg, 422, "", sub,
						    "duplicates vtep_addresses[%zu]", j);
		h->n_addrs = (uint32_t)(i + 1);
	}
	rc = fp_jget_mac(&c->jg, o, "", "underlay_mac", FP_JGET_NULL, h->mac);
	if (rc < 0)
		return rc;
	h->has_mac = rc == 0;
	return parse_bridges(c, o, h);
}

/* ---------------------------------------------------------------------
 * The table of collections, and the envelope they share
 */

/* One row of fp_model_parse_colls[]: the struct, its parser. */
#define COLL(id, type, fn) \
	[FP_MODEL_##id] = { sizeof(struct type), offsetof(struct type, revision), fn }

const struct fp_model_parse_coll fp_model_parse_colls[FP_MODEL_COLL_MAX] = {
	COLL(NETWORK, fp_model_network, parse_network),
	COLL(SUBNET, fp_model_subnet, parse_subnet),
	COLL(PORT, fp_model_port, parse_port),
	COLL(ROUTER, fp_model_router, parse_router),
	COLL(FLOATINGIP, fp_model_floatingip, parse_floatingip),
	COLL(SECURITY_GROUP, fp_model_secgroup, parse_secgroup),
	COLL(HOST, fp_model_host, parse_host),
	COLL(ADDRESS_GROUP, fp_model_addrgroup, parse_addrgroup),
};

#undef COLL

void
fp_model_parse_ctx_init(struct fp_model_parse_ctx *c, const struct fp_model *m,
			struct fp_model_err *err, const char *root)
{
	fp_jget_ctx_init(&c->jg, err, root);
	c->m = m;
	c->id = NULL;
}

int
fp_model_parse_head(const struct fp_model_parse_ctx *c, const char *url_id, json_t *res,
		    char id[FP_MODEL_ID_SIZE], int64_t *rev)
{
	json_t *v;
	int rc;

	if (res == NULL)
		return fp_jget_fail(&c->jg, 400, "", NULL, "missing (expected an object)");
	rc = fp_jget_check_type(&c->jg, res, "", NULL, JSON_OBJECT);
	if (rc < 0)
		return rc;
	v = json_object_get(res, "id");
	if (v == NULL && url_id == NULL)
		return fp_jget_fail(&c->jg, 400, "", "id", "missing (required)");
	if (v != NULL) {
		rc = fp_jget_name_value(&c->jg, v, "", "id", id, FP_MODEL_ID_SIZE, 1);
		if (rc < 0)
			return rc;
		if (url_id != NULL && strcmp(url_id, id) != 0)
			return fp_jget_fail(&c->jg, 409, "", "id",
					    "\"%s\" does not match the id in the URL \"%.64s\"", id,
					    url_id);
	} else {
		rc = fp_jget_name_check(&c->jg, url_id, strlen(url_id), "", "id", id,
					FP_MODEL_ID_SIZE, 1);
		if (rc < 0)
			return rc;
	}
	rc = fp_jget_int(&c->jg, res, "", "revision_number", 0, 0, INT64_MAX, rev);
	return rc < 0 ? rc : 0;
}
