/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state model: validation of Neutron resources and their
 * storage (model.h has the contract).
 *
 * Storage: one array per collection of pointers to records, sorted by id
 * (strcmp).  A record holds the parsed struct and the JSON object it came
 * from and is never changed once built; it is reference counted, so a
 * clone copies only the pointer arrays.  Lookups are binary searches, a
 * put or a delete moves the tail of one array, and a snapshot sorts each
 * collection once.
 *
 * Validation: each collection has a parser that reads the fields flowplane
 * uses (and only those: every other member is kept as it came) into its
 * struct.  A parser stops at the first fault and fills struct fp_model_err
 * with the field's path and a plain-English reason; nothing is stored
 * until the whole resource parsed.
 */
#include "model.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <flowplane/tables.h>

#include "addr.h"
#include "jget.h"

#define MTU_DEFAULT 1450 /* network mtu when absent (1500 underlay - VXLAN) */
#define MTU_MIN 68	 /* RFC 791 minimum */
#define MTU_MAX 9000	 /* jumbo */

#define NAMES_PLURAL(id, plural, singular) [FP_MODEL_##id] = plural,
#define NAMES_SINGULAR(id, plural, singular) [FP_MODEL_##id] = singular,
const char *const fp_model_coll_names[FP_MODEL_COLL_MAX] = { FP_FOREACH_MODEL_COLL(NAMES_PLURAL) };
const char *const fp_model_coll_singular[FP_MODEL_COLL_MAX] = { FP_FOREACH_MODEL_COLL(
	NAMES_SINGULAR) };
#undef NAMES_PLURAL
#undef NAMES_SINGULAR

/* Every resource struct starts with its id: a record's id is its data. */
_Static_assert(offsetof(struct fp_model_network, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_subnet, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_port, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_router, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_floatingip, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_secgroup, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_host, id) == 0, "id first");

/* One stored resource, shared by every model that holds it. */
struct rec {
	size_t refcount;		   /* models holding this record */
	json_t *json;			   /* the resource object as stored */
	_Alignas(16) unsigned char data[]; /* struct fp_model_<coll>, id first */
};

/* One collection: records sorted by id. */
struct coll {
	struct rec **recs; /* sorted by strcmp of their ids */
	size_t n;	   /* valid recs */
	size_t cap;	   /* allocated recs */
};

struct fp_model {
	struct coll colls[FP_MODEL_COLL_MAX]; /* by enum fp_model_coll */
};

/* What a parser needs: where to look references up and where to report. */
struct vctx {
	struct fp_jget_ctx jg;	  /* errors and the path root */
	const struct fp_model *m; /* references resolve here */
	const char *id;		  /* the resource's id, once known */
};

typedef int parse_fn(const struct vctx *c, json_t *o, void *out);

/* Per collection: struct size, where its revision lives, its parser. */
struct coll_ops {
	size_t size;	 /* sizeof(struct fp_model_<coll>) */
	size_t rev_off;	 /* offsetof(..., revision) */
	parse_fn *parse; /* fills everything but id and revision */
};

/* Snapshot order: references point only to earlier collections. */
static const enum fp_model_coll snap_order[FP_MODEL_COLL_MAX] = {
	FP_MODEL_HOST, FP_MODEL_NETWORK, FP_MODEL_SECURITY_GROUP, FP_MODEL_SUBNET,
	FP_MODEL_PORT, FP_MODEL_ROUTER,	 FP_MODEL_FLOATINGIP,
};

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

/* ---------------------------------------------------------------------
 * Records and collections
 */

static const char *
rec_id(const struct rec *r)
{
	return (const char *)r->data;
}

static void
rec_put(struct rec *r)
{
	if (r != NULL && --r->refcount == 0) {
		json_decref(r->json);
		free(r);
	}
}

/* Index of the first record whose id is >= id; *found if equal. */
static size_t
coll_lower_bound(const struct coll *cl, const char *id, int *found)
{
	size_t lo = 0, hi = cl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(rec_id(cl->recs[mid]), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < cl->n && strcmp(rec_id(cl->recs[lo]), id) == 0;
	return lo;
}

static const struct rec *
rec_find(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct coll *cl;
	size_t i;
	int found;

	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX || id == NULL)
		return NULL;
	cl = &m->colls[coll];
	i = coll_lower_bound(cl, id, &found);
	return found ? cl->recs[i] : NULL;
}

static const void *
data_find(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct rec *r = rec_find(m, coll, id);

	return r ? r->data : NULL;
}

static const void *
data_at(const struct fp_model *m, enum fp_model_coll coll, size_t i)
{
	if (m == NULL || i >= m->colls[coll].n)
		return NULL;
	return m->colls[coll].recs[i]->data;
}

static int
coll_reserve(struct coll *cl, size_t n)
{
	struct rec **recs;
	size_t cap;

	if (n <= cl->cap)
		return 0;
	cap = cl->cap ? cl->cap : 16;
	while (cap < n)
		cap *= 2;
	recs = realloc(cl->recs, cap * sizeof(*recs));
	if (recs == NULL)
		return -ENOMEM;
	cl->recs = recs;
	cl->cap = cap;
	return 0;
}

/* ---------------------------------------------------------------------
 * Parsers, one per collection
 */

static int
parse_network(const struct vctx *c, json_t *o, void *out)
{
	struct fp_model_network *n = out;
	const char *type;
	size_t len;
	int64_t v;
	int rc;

	rc = fp_jget_str(&c->jg, o, "", "provider:network_type", FP_JGET_REQ, &type, &len);
	if (rc < 0)
		return rc;
	if (strcmp(type, "vxlan") == 0)
		n->encap = FP_ENCAP_VXLAN;
	else if (strcmp(type, "geneve") == 0)
		n->encap = FP_ENCAP_GENEVE;
	else
		return fp_jget_fail(
			&c->jg, 422, "", "provider:network_type",
			"\"%.32s\" is not supported: only vxlan and geneve are supported", type);
	rc = fp_jget_int(&c->jg, o, "", "provider:segmentation_id", FP_JGET_REQ, 1, FP_VNI_MAX, &v);
	if (rc < 0)
		return rc;
	n->vni = (uint32_t)v;
	v = MTU_DEFAULT;
	rc = fp_jget_int(&c->jg, o, "", "mtu", 0, MTU_MIN, MTU_MAX, &v);
	if (rc < 0)
		return rc;
	n->mtu = (uint16_t)v;
	n->port_security = 1;
	rc = fp_jget_bool(&c->jg, o, "", "port_security_enabled", &n->port_security);
	if (rc < 0)
		return rc;
	n->admin_up = 1;
	return fp_jget_bool(&c->jg, o, "", "admin_state_up", &n->admin_up);
}

/* The network id in o[key], which must exist. */
static int
get_network_ref(const struct vctx *c, const json_t *o, const char *sub, const char *key, char *out,
		const struct fp_model_network **net)
{
	int rc = fp_jget_name(&c->jg, o, sub, key, FP_JGET_REQ, out, FP_MODEL_ID_SIZE, 1);

	if (rc < 0)
		return rc;
	*net = data_find(c->m, FP_MODEL_NETWORK, out);
	if (*net == NULL)
		return fp_jget_fail(&c->jg, 404, sub, key, "no such network: %s", out);
	return 0;
}

static int
parse_subnet(const struct vctx *c, json_t *o, void *out)
{
	struct fp_model_subnet *s = out;
	const struct fp_model_network *net;
	const char *cidr;
	int64_t ver;
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
	rc = fp_jget_ip(&c->jg, o, "", "gateway_ip", FP_JGET_NULL, 0, &s->gateway, NULL, &fam);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if ((fam == AF_INET) != (ver == 4) ||
		    !fp_addr_prefix_contains(&s->cidr, s->plen, &s->gateway))
			return fp_jget_fail(
				&c->jg, 422, "", "gateway_ip", "\"%s\" is not inside cidr %s",
				json_string_value(json_object_get(o, "gateway_ip")), cidr);
		s->has_gateway = 1;
	}
	return 0;
}

static int
parse_fixed_ip(const struct vctx *c, json_t *item, const char *sub, const struct fp_model_port *p,
	       struct fp_model_fixed_ip *f)
{
	const struct fp_model_subnet *sn;
	const struct rec *r;
	int rc;

	rc = fp_jget_check_type(&c->jg, item, sub, NULL, JSON_OBJECT);
	if (rc < 0)
		return rc;
	rc = fp_jget_name(&c->jg, item, sub, "subnet_id", FP_JGET_REQ, f->subnet_id,
			  sizeof(f->subnet_id), 1);
	if (rc < 0)
		return rc;
	r = rec_find(c->m, FP_MODEL_SUBNET, f->subnet_id);
	if (r == NULL)
		return fp_jget_fail(&c->jg, 404, sub, "subnet_id", "no such subnet: %s",
				    f->subnet_id);
	sn = (const struct fp_model_subnet *)r->data;
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
			json_string_value(json_object_get(r->json, "cidr")));
	return 0;
}

static int
parse_pair(const struct vctx *c, json_t *item, const char *sub, struct fp_model_pair *pr)
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

static int
parse_port(const struct vctx *c, json_t *o, void *out)
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
	rc = fp_jget_name(&c->jg, o, "", "device_owner", FP_JGET_NULL, p->device_owner,
			  sizeof(p->device_owner), 0);
	if (rc < 0)
		return rc;
	rc = fp_jget_member(&c->jg, o, "", "device_id", JSON_STRING, FP_JGET_NULL, &v);
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

static int
parse_router(const struct vctx *c, json_t *o, void *out)
{
	struct fp_model_router *r = out;
	json_t *a = NULL, *v = NULL;
	char sub[64];
	size_t i;
	int rc;

	rc = fp_jget_member(&c->jg, o, "", "external_gateway_info", JSON_OBJECT, FP_JGET_NULL, &v);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = fp_jget_name(&c->jg, v, "external_gateway_info", "network_id", FP_JGET_REQ,
				  r->ext_network_id, sizeof(r->ext_network_id), 1);
		if (rc < 0)
			return rc;
	}
	rc = fp_jget_array(&c->jg, o, "", "routes", FP_JGET_NULL, 0, FP_MODEL_ROUTE_MAX, &a);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		struct fp_model_route *rt = &r->routes[i];
		json_t *item = json_array_get(a, i);
		int fd, fn;

		snprintf(sub, sizeof(sub), "routes[%zu]", i);
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
		r->n_routes = (uint32_t)(i + 1);
	}
	r->admin_up = 1;
	return fp_jget_bool(&c->jg, o, "", "admin_state_up", &r->admin_up);
}

static int
parse_floatingip(const struct vctx *c, json_t *o, void *out)
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
	rc = fp_jget_name(&c->jg, o, "", "port_id", FP_JGET_NULL, f->port_id, sizeof(f->port_id),
			  1);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		port = data_find(c->m, FP_MODEL_PORT, f->port_id);
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
parse_protocol(const struct vctx *c, json_t *item, const char *sub, struct fp_model_rule *r)
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
parse_rule_ports(const struct vctx *c, json_t *item, const char *sub, struct fp_model_rule *r)
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
parse_rule(const struct vctx *c, json_t *item, const char *sub, struct fp_model_rule *r)
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
	return 0;
}

static int
parse_secgroup(const struct vctx *c, json_t *o, void *out)
{
	struct fp_model_secgroup *g = out;
	char sub[64];
	json_t *a = NULL;
	size_t i, j;
	int rc;

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
parse_host(const struct vctx *c, json_t *o, void *out)
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
	for (i = 0; c->id[i] != '\0'; i++)
		if (!isalnum((unsigned char)c->id[i]) && !strchr("._-", c->id[i]))
			return fp_jget_fail(
				&c->jg, 422, "", "id",
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
	return 0;
}

static const struct coll_ops coll_ops[FP_MODEL_COLL_MAX] = {
	[FP_MODEL_NETWORK] = { sizeof(struct fp_model_network),
			       offsetof(struct fp_model_network, revision), parse_network },
	[FP_MODEL_SUBNET] = { sizeof(struct fp_model_subnet),
			      offsetof(struct fp_model_subnet, revision), parse_subnet },
	[FP_MODEL_PORT] = { sizeof(struct fp_model_port), offsetof(struct fp_model_port, revision),
			    parse_port },
	[FP_MODEL_ROUTER] = { sizeof(struct fp_model_router),
			      offsetof(struct fp_model_router, revision), parse_router },
	[FP_MODEL_FLOATINGIP] = { sizeof(struct fp_model_floatingip),
				  offsetof(struct fp_model_floatingip, revision),
				  parse_floatingip },
	[FP_MODEL_SECURITY_GROUP] = { sizeof(struct fp_model_secgroup),
				      offsetof(struct fp_model_secgroup, revision),
				      parse_secgroup },
	[FP_MODEL_HOST] = { sizeof(struct fp_model_host), offsetof(struct fp_model_host, revision),
			    parse_host },
};

/* Validate res against its schema and c->m, and build a record (refcount
 * 1).  url_id, when given, must match the body's id; a body without an id
 * is stored as a shallow copy that has it.
 */
static int
rec_build(struct vctx *c, enum fp_model_coll coll, const char *url_id, json_t *res,
	  struct rec **out)
{
	const struct coll_ops *ops = &coll_ops[coll];
	char id[FP_MODEL_ID_SIZE] = { 0 };
	int64_t rev = 0;
	struct rec *r;
	json_t *v = NULL;
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
		rc = fp_jget_name_value(&c->jg, v, "", "id", id, sizeof(id), 1);
		if (rc < 0)
			return rc;
		if (url_id != NULL && strcmp(url_id, id) != 0)
			return fp_jget_fail(&c->jg, 409, "", "id",
					    "\"%s\" does not match the id in the URL \"%.64s\"", id,
					    url_id);
	} else {
		rc = fp_jget_name_check(&c->jg, url_id, strlen(url_id), "", "id", id, sizeof(id),
					1);
		if (rc < 0)
			return rc;
	}
	rc = fp_jget_int(&c->jg, res, "", "revision_number", 0, 0, INT64_MAX, &rev);
	if (rc < 0)
		return rc;
	c->id = id; /* for the parsers; cleared before returning */

	r = calloc(1, sizeof(*r) + ops->size);
	if (r == NULL)
		return fp_jget_nomem(c->jg.err);
	rc = ops->parse(c, res, r->data);
	if (rc < 0)
		goto err_parse;
	memcpy(r->data, id, sizeof(id));
	memcpy(r->data + ops->rev_off, &rev, sizeof(rev));
	if (v != NULL) {
		r->json = json_incref(res);
	} else {
		r->json = json_copy(res);
		if (r->json == NULL || json_object_set_new(r->json, "id", json_string(id)) < 0) {
			rc = fp_jget_nomem(c->jg.err);
			goto err_json;
		}
	}
	r->refcount = 1;
	c->id = NULL;
	*out = r;
	return 0;

err_json:
	json_decref(r->json);
err_parse:
	free(r);
	c->id = NULL;
	return rc;
}

/* ---------------------------------------------------------------------
 * The model
 */

struct fp_model *
fp_model_create(void)
{
	struct fp_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		errno = ENOMEM;
	return m;
}

void
fp_model_free(struct fp_model *m)
{
	size_t i;
	int k;

	if (m == NULL)
		return;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		for (i = 0; i < m->colls[k].n; i++)
			rec_put(m->colls[k].recs[i]);
		free(m->colls[k].recs);
	}
	free(m);
}

struct fp_model *
fp_model_clone(const struct fp_model *m)
{
	struct fp_model *c;
	size_t i;
	int k;

	if (m == NULL) {
		errno = EINVAL;
		return NULL;
	}
	c = fp_model_create();
	if (c == NULL)
		return NULL;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		const struct coll *from = &m->colls[k];

		if (from->n == 0)
			continue;
		if (coll_reserve(&c->colls[k], from->n) < 0)
			goto err_alloc;
		memcpy(c->colls[k].recs, from->recs, from->n * sizeof(*from->recs));
		for (i = 0; i < from->n; i++)
			from->recs[i]->refcount++;
		c->colls[k].n = from->n;
	}
	return c;

err_alloc:
	fp_model_free(c);
	errno = ENOMEM;
	return NULL;
}

int
fp_model_coll_find(const char *plural)
{
	int k;

	for (k = 0; plural != NULL && k < FP_MODEL_COLL_MAX; k++)
		if (strcmp(plural, fp_model_coll_names[k]) == 0)
			return k;
	return -1;
}

/* Start a vctx for one resource; err may be NULL (a scratch is used). */
static void
vctx_init(struct vctx *c, const struct fp_model *m, struct fp_model_err *err, const char *root)
{
	fp_jget_ctx_init(&c->jg, err, root);
	c->m = m;
	c->id = NULL;
}

int
fp_model_put(struct fp_model *m, enum fp_model_coll coll, const char *id, json_t *res,
	     struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct rec *r, *old;
	struct coll *cl;
	struct vctx c;
	size_t i;
	int rc, found;

	if (err == NULL)
		err = &scratch;
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX) {
		memset(err, 0, sizeof(*err));
		return fp_jget_err_set(err, m == NULL ? 400 : 404, "",
				       "no such model or collection");
	}
	vctx_init(&c, m, err, fp_model_coll_singular[coll]);
	rc = rec_build(&c, coll, id, res, &r);
	if (rc < 0)
		return rc;

	cl = &m->colls[coll];
	i = coll_lower_bound(cl, rec_id(r), &found);
	if (found) {
		old = cl->recs[i];
		if (*(const int64_t *)(old->data + coll_ops[coll].rev_off) >
		    *(const int64_t *)(r->data + coll_ops[coll].rev_off)) {
			rec_put(r);
			return 1;
		}
		cl->recs[i] = r;
		rec_put(old);
		return 0;
	}
	if (coll_reserve(cl, cl->n + 1) < 0) {
		rec_put(r);
		return fp_jget_nomem(err);
	}
	memmove(&cl->recs[i + 1], &cl->recs[i], (cl->n - i) * sizeof(*cl->recs));
	cl->recs[i] = r;
	cl->n++;
	return 0;
}

int
fp_model_delete(struct fp_model *m, enum fp_model_coll coll, const char *id,
		struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct coll *cl;
	struct rec *r;
	size_t i;
	int found;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX || id == NULL) {
		fp_jget_err_set(err, 404, "", "no such resource");
		return -ENOENT;
	}
	cl = &m->colls[coll];
	i = coll_lower_bound(cl, id, &found);
	if (!found) {
		char field[64];

		snprintf(field, sizeof(field), "%s.id", fp_model_coll_singular[coll]);
		fp_jget_err_set(err, 404, field, "no such %s: %.64s", fp_model_coll_singular[coll],
				id);
		return -ENOENT;
	}
	r = cl->recs[i];
	memmove(&cl->recs[i], &cl->recs[i + 1], (cl->n - i - 1) * sizeof(*cl->recs));
	cl->n--;
	rec_put(r);
	return 0;
}

/* A record and where it was in the snapshot's list. */
struct snap_ent {
	struct rec *rec; /* built from the list entry */
	size_t idx;	 /* its index in the list */
};

static int
snap_ent_cmp(const void *a, const void *b)
{
	const struct snap_ent *x = a, *y = b;
	int r = strcmp(rec_id(x->rec), rec_id(y->rec));

	if (r != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Validate one snapshot list into m (empty in that collection): build
 * every record, sort once, refuse duplicate ids.
 */
static int
snap_load(struct fp_model *m, enum fp_model_coll coll, json_t *list, struct fp_model_err *err)
{
	const char *plural = fp_model_coll_names[coll];
	size_t n = json_array_size(list), i;
	struct coll *cl = &m->colls[coll];
	struct snap_ent *ents;
	char root[40];
	struct vctx c;
	int rc;

	if (n == 0)
		return 0;
	ents = calloc(n, sizeof(*ents));
	if (ents == NULL)
		return fp_jget_nomem(err);
	if (coll_reserve(cl, n) < 0) {
		rc = fp_jget_nomem(err);
		goto err_reserve;
	}
	for (i = 0; i < n; i++) {
		snprintf(root, sizeof(root), "%s[%zu]", plural, i);
		vctx_init(&c, m, err, root);
		rc = rec_build(&c, coll, NULL, json_array_get(list, i), &ents[i].rec);
		if (rc < 0)
			goto err_recs;
		ents[i].idx = i;
	}
	qsort(ents, n, sizeof(*ents), snap_ent_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(rec_id(ents[i - 1].rec), rec_id(ents[i].rec)) == 0) {
			char field[64];

			snprintf(field, sizeof(field), "%s[%zu].id", plural, ents[i].idx);
			rc = fp_jget_err_set(err, 409, field, "duplicate id \"%s\" (also %s[%zu])",
					     rec_id(ents[i].rec), plural, ents[i - 1].idx);
			goto err_recs;
		}
	}
	for (i = 0; i < n; i++)
		cl->recs[i] = ents[i].rec;
	cl->n = n;
	free(ents);
	return 0;

err_recs:
	/* Entries not built yet are NULL (calloc). */
	for (i = 0; i < n; i++)
		rec_put(ents[i].rec);
err_reserve:
	free(ents);
	return rc;
}

struct fp_model *
fp_model_from_snapshot(json_t *snap, struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct fp_model *m;
	const char *key;
	json_t *v = NULL;
	int k, rc;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (snap == NULL || !json_is_object(snap)) {
		fp_jget_err_set(err, 400, "", "the snapshot must be an object, got %s",
				snap ? fp_jget_type_name(snap) : "nothing");
		errno = EINVAL;
		return NULL;
	}
	json_object_foreach(snap, key, v)
	{
		if (fp_model_coll_find(key) < 0) {
			fp_jget_err_set(
				err, 400, key,
				"unknown key; expected hosts, networks, security_groups, subnets, "
				"ports, routers or floatingips");
			errno = EINVAL;
			return NULL;
		}
		if (!json_is_array(v)) {
			fp_jget_err_set(err, 400, key, "expected an array, got %s",
					fp_jget_type_name(v));
			errno = EINVAL;
			return NULL;
		}
	}
	m = fp_model_create();
	if (m == NULL) {
		fp_jget_nomem(err);
		return NULL;
	}
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		enum fp_model_coll coll = snap_order[k];

		rc = snap_load(m, coll, json_object_get(snap, fp_model_coll_names[coll]), err);
		if (rc < 0)
			goto err_load;
	}
	return m;

err_load:
	fp_model_free(m);
	errno = -rc;
	return NULL;
}

json_t *
fp_model_to_snapshot(const struct fp_model *m)
{
	json_t *snap, *list;
	size_t i;
	int k;

	if (m == NULL)
		return NULL;
	snap = json_object();
	if (snap == NULL)
		return NULL;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		enum fp_model_coll coll = snap_order[k];
		const struct coll *cl = &m->colls[coll];

		list = json_array();
		if (json_object_set_new(snap, fp_model_coll_names[coll], list) < 0)
			goto err_alloc;
		for (i = 0; i < cl->n; i++)
			if (json_array_append(list, cl->recs[i]->json) < 0)
				goto err_alloc;
	}
	return snap;

err_alloc:
	json_decref(snap);
	return NULL;
}

json_t *
fp_model_json(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct rec *r = rec_find(m, coll, id);

	return r ? r->json : NULL;
}

size_t
fp_model_count(const struct fp_model *m, enum fp_model_coll coll)
{
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX)
		return 0;
	return m->colls[coll].n;
}

const struct fp_model_network *
fp_model_network_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_NETWORK, i);
}

const struct fp_model_subnet *
fp_model_subnet_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_SUBNET, i);
}

const struct fp_model_port *
fp_model_port_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_PORT, i);
}

const struct fp_model_router *
fp_model_router_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_ROUTER, i);
}

const struct fp_model_floatingip *
fp_model_floatingip_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_FLOATINGIP, i);
}

const struct fp_model_secgroup *
fp_model_secgroup_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_SECURITY_GROUP, i);
}

const struct fp_model_host *
fp_model_host_at(const struct fp_model *m, size_t i)
{
	return data_at(m, FP_MODEL_HOST, i);
}

const struct fp_model_network *
fp_model_network_find(const struct fp_model *m, const char *id)
{
	return data_find(m, FP_MODEL_NETWORK, id);
}

const struct fp_model_subnet *
fp_model_subnet_find(const struct fp_model *m, const char *id)
{
	return data_find(m, FP_MODEL_SUBNET, id);
}

const struct fp_model_port *
fp_model_port_find(const struct fp_model *m, const char *id)
{
	return data_find(m, FP_MODEL_PORT, id);
}

const struct fp_model_host *
fp_model_host_find(const struct fp_model *m, const char *id)
{
	return data_find(m, FP_MODEL_HOST, id);
}
