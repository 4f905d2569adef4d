/* SPDX-License-Identifier: BSD-3-Clause */
/* The model across collections: the lookups the compiler needs (a
 * router's interfaces and subnets, a subnet's router, a port's floating
 * IPs...) and fp_model_check(), which reports the references that do not
 * agree (model.h has the contract).  Everything here reads the model
 * through its public accessors; every lookup is a scan in id order.
 */
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* ---------------------------------------------------------------------
 * Lookups
 */

const char *
fp_model_host_bridge(const struct fp_model_host *h, const char *physnet)
{
	uint32_t i;

	for (i = 0; h != NULL && physnet != NULL && i < h->n_bridges; i++)
		if (strcmp(h->bridges[i].physnet, physnet) == 0)
			return h->bridges[i].port;
	return NULL;
}

size_t
fp_model_network_subnets(const struct fp_model *m, const char *network_id,
			 const struct fp_model_subnet **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_SUBNET);

	for (i = 0; i < count; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(m, i);

		if (strcmp(s->network_id, network_id) != 0)
			continue;
		if (n < max)
			out[n] = s;
		n++;
	}
	return n;
}

size_t
fp_model_network_ports(const struct fp_model *m, const char *network_id, unsigned int owner,
		       const struct fp_model_port **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_PORT);

	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (strcmp(p->network_id, network_id) != 0 ||
		    (owner < FP_MODEL_OWNER_MAX && p->owner != owner))
			continue;
		if (n < max)
			out[n] = p;
		n++;
	}
	return n;
}

size_t
fp_model_network_routers(const struct fp_model *m, const char *network_id,
			 const struct fp_model_router **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_ROUTER);

	for (i = 0; i < count; i++) {
		const struct fp_model_router *r = fp_model_router_at(m, i);

		if (!r->has_gateway || strcmp(r->ext_network_id, network_id) != 0)
			continue;
		if (n < max)
			out[n] = r;
		n++;
	}
	return n;
}

size_t
fp_model_router_ifaces(const struct fp_model *m, const char *router_id,
		       const struct fp_model_port **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_PORT);

	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (!fp_model_port_is_router_iface(p) || strcmp(p->device_id, router_id) != 0)
			continue;
		if (n < max)
			out[n] = p;
		n++;
	}
	return n;
}

/* Is the subnet one of the router's interfaces' subnets? */
static int
router_has_subnet(const struct fp_model *m, const char *router_id, const char *subnet_id)
{
	size_t i, count = fp_model_count(m, FP_MODEL_PORT);
	uint32_t f;

	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (!fp_model_port_is_router_iface(p) || strcmp(p->device_id, router_id) != 0)
			continue;
		for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++)
			if (strcmp(p->fixed_ips[f].subnet_id, subnet_id) == 0)
				return 1;
	}
	return 0;
}

size_t
fp_model_router_subnets(const struct fp_model *m, const char *router_id,
			const struct fp_model_subnet **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_SUBNET);

	for (i = 0; i < count; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(m, i);

		if (!router_has_subnet(m, router_id, s->id))
			continue;
		if (n < max)
			out[n] = s;
		n++;
	}
	return n;
}

const struct fp_model_port *
fp_model_router_gw_port(const struct fp_model *m, const char *router_id)
{
	size_t i, count = fp_model_count(m, FP_MODEL_PORT);

	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (p->owner == FP_MODEL_OWNER_ROUTER_GATEWAY &&
		    strcmp(p->device_id, router_id) == 0)
			return p;
	}
	return NULL;
}

const struct fp_model_router *
fp_model_subnet_router(const struct fp_model *m, const char *subnet_id,
		       const struct fp_model_port **iface)
{
	const struct fp_model_subnet *s = fp_model_subnet_find(m, subnet_id);
	const struct fp_model_router *first = NULL, *r;
	const struct fp_model_port *first_p = NULL;
	size_t i, count = fp_model_count(m, FP_MODEL_PORT);
	uint32_t f;

	if (iface != NULL)
		*iface = NULL;
	if (s == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (!fp_model_port_is_router_iface(p))
			continue;
		r = fp_model_router_find(m, p->device_id);
		if (r == NULL)
			continue;
		for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++) {
			const struct fp_model_fixed_ip *fi = &p->fixed_ips[f];

			if (strcmp(fi->subnet_id, subnet_id) != 0)
				continue;
			if (s->has_gateway && memcmp(&fi->ip, &s->gateway, sizeof(fi->ip)) == 0) {
				if (iface != NULL)
					*iface = p;
				return r;
			}
			if (first == NULL) {
				first = r;
				first_p = p;
			}
		}
	}
	if (iface != NULL)
		*iface = first_p;
	return first;
}

size_t
fp_model_port_fips(const struct fp_model *m, const char *port_id,
		   const struct fp_model_floatingip **out, size_t max)
{
	size_t i, n = 0, count = fp_model_count(m, FP_MODEL_FLOATINGIP);

	for (i = 0; i < count; i++) {
		const struct fp_model_floatingip *f = fp_model_floatingip_at(m, i);

		if (strcmp(f->port_id, port_id) != 0)
			continue;
		if (n < max)
			out[n] = f;
		n++;
	}
	return n;
}

/* Index of ip among the port's fixed IPs, or -1. */
static int
port_fixed_index(const struct fp_model_port *p, const struct fp_ip *ip)
{
	uint32_t i;

	for (i = 0; i < p->n_fixed_ips && i < FP_MODEL_FIXED_IP_MAX; i++)
		if (memcmp(&p->fixed_ips[i].ip, ip, sizeof(*ip)) == 0)
			return (int)i;
	return -1;
}

/* The fixed IP (index) a floating IP translates to, or -1. */
static int
fip_fixed_index(const struct fp_model_port *p, const struct fp_model_floatingip *f)
{
	uint32_t i;
	int found = -1;

	if (f->has_fixed_ip)
		return port_fixed_index(p, &f->fixed_ip);
	for (i = 0; i < p->n_fixed_ips && i < FP_MODEL_FIXED_IP_MAX; i++) {
		if (!fp_addr_ip_is_v4(&p->fixed_ips[i].ip))
			continue;
		if (found >= 0)
			return -1;
		found = (int)i;
	}
	return found;
}

int
fp_model_fip_fixed_ip(const struct fp_model *m, const struct fp_model_floatingip *f,
		      struct fp_ip *out)
{
	const struct fp_model_port *p = fp_model_port_find(m, f->port_id);
	int i;

	if (p == NULL)
		return -ENOENT;
	i = fip_fixed_index(p, f);
	if (i < 0)
		return -ENOENT;
	*out = p->fixed_ips[i].ip;
	return 0;
}

/* ---------------------------------------------------------------------
 * fp_model_check()
 */

/* One walk: where faults go, and the routers' ports by router. */
struct walk {
	const struct fp_model *m;	     /* the model */
	fp_model_check_fn *fn;		     /* the reporter */
	void *arg;			     /* its argument */
	const struct fp_model_port **rports; /* router ports by (device_id, id) */
	size_t n_rports;		     /* valid rports */
};

static int
rport_cmp(const void *a, const void *b)
{
	const struct fp_model_port *x = *(const struct fp_model_port *const *)a;
	const struct fp_model_port *y = *(const struct fp_model_port *const *)b;
	int c = strcmp(x->device_id, y->device_id);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Index the routers' ports (fp_model_port_is_router_port()) by router:
 * the walk's lookups are then O(log n) instead of a scan of every port.
 */
static int
rports_load(struct walk *w)
{
	size_t i, count = fp_model_count(w->m, FP_MODEL_PORT);

	for (i = 0; i < count; i++)
		w->n_rports += fp_model_port_is_router_port(fp_model_port_at(w->m, i));
	if (w->n_rports == 0)
		return 0;
	w->rports = malloc(w->n_rports * sizeof(*w->rports));
	if (w->rports == NULL)
		return -ENOMEM;
	w->n_rports = 0;
	for (i = 0; i < count; i++) {
		const struct fp_model_port *p = fp_model_port_at(w->m, i);

		if (fp_model_port_is_router_port(p))
			w->rports[w->n_rports++] = p;
	}
	qsort(w->rports, w->n_rports, sizeof(*w->rports), rport_cmp);
	return 0;
}

/* The first of the router's ports in w->rports (the others follow), or
 * w->n_rports.
 */
static size_t
rports_first(const struct walk *w, const char *router_id)
{
	size_t lo = 0, hi = w->n_rports;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(w->rports[mid]->device_id, router_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is the subnet one of the router's interfaces' subnets? */
static int
walk_router_has_subnet(const struct walk *w, const char *router_id, const char *subnet_id)
{
	size_t i;
	uint32_t f;

	for (i = rports_first(w, router_id);
	     i < w->n_rports && strcmp(w->rports[i]->device_id, router_id) == 0; i++) {
		const struct fp_model_port *p = w->rports[i];

		if (!fp_model_port_is_router_iface(p))
			continue;
		for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++)
			if (strcmp(p->fixed_ips[f].subnet_id, subnet_id) == 0)
				return 1;
	}
	return 0;
}

static int fault(const struct walk *w, enum fp_model_coll coll, const char *id, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fault(const struct walk *w, enum fp_model_coll coll, const char *id, const char *field,
      const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return w->fn(w->arg, coll, id, field, reason);
}

/* Is ip on one of the router's subnets (its ports' and gateway's)? */
static int
router_reaches(const struct walk *w, const struct fp_model_router *r, const struct fp_ip *ip)
{
	const struct fp_model *m = w->m;
	size_t i;
	uint32_t f;

	for (i = rports_first(w, r->id);
	     i < w->n_rports && strcmp(w->rports[i]->device_id, r->id) == 0; i++) {
		const struct fp_model_port *p = w->rports[i];

		for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++) {
			const struct fp_model_subnet *s = fp_model_subnet_find(
				m, p->fixed_ips[f].subnet_id);

			if (s != NULL && fp_addr_prefix_contains(&s->cidr, s->plen, ip))
				return 1;
		}
	}
	for (f = 0; f < r->n_ext_ips && f < FP_MODEL_EXT_IP_MAX; f++) {
		const struct fp_model_subnet *s = fp_model_subnet_find(m, r->ext_ips[f].subnet_id);

		if (s != NULL && fp_addr_prefix_contains(&s->cidr, s->plen, ip))
			return 1;
	}
	return 0;
}

static int
check_iface(const struct walk *w, const struct fp_model_port *p)
{
	char ip[FP_ADDR_IP_STR], gw[FP_ADDR_IP_STR], field[64];
	uint32_t f, n_v4 = 0;
	int rc;

	if (p->n_fixed_ips == 0)
		return fault(w, FP_MODEL_PORT, p->id, "fixed_ips",
			     "a router interface (%s of router %s) without a fixed IP",
			     p->device_owner, p->device_id);
	for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++) {
		const struct fp_model_fixed_ip *fi = &p->fixed_ips[f];
		const struct fp_model_subnet *s = fp_model_subnet_find(w->m, fi->subnet_id);

		snprintf(field, sizeof(field), "fixed_ips[%u].subnet_id", f);
		if (s == NULL) {
			rc = fault(w, FP_MODEL_PORT, p->id, field,
				   "router %s's interface is on subnet %s, which does not exist",
				   p->device_id, fi->subnet_id);
			if (rc < 0)
				return rc;
			continue;
		}
		n_v4 += s->ip_version == 4;
		if (n_v4 == 2) {
			rc = fault(w, FP_MODEL_PORT, p->id, field,
				   "a second IPv4 subnet on one router interface (Neutron "
				   "allows one)");
			if (rc < 0)
				return rc;
		}
		snprintf(field, sizeof(field), "fixed_ips[%u].ip_address", f);
		fp_addr_ip_str(&fi->ip, ip);
		if (!s->has_gateway)
			rc = fault(w, FP_MODEL_PORT, p->id, field,
				   "router %s's interface address %s is not the gateway of subnet "
				   "%s, which has no gateway_ip",
				   p->device_id, ip, s->id);
		else if (memcmp(&fi->ip, &s->gateway, sizeof(fi->ip)) != 0)
			rc = fault(w, FP_MODEL_PORT, p->id, field,
				   "router %s's interface address %s is not the gateway_ip %s of "
				   "subnet %s",
				   p->device_id, ip, fp_addr_ip_str(&s->gateway, gw), s->id);
		else
			rc = 0;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
check_ports(const struct walk *w)
{
	size_t i, count = fp_model_count(w->m, FP_MODEL_PORT);
	int rc = 0;

	for (i = 0; i < count && rc == 0; i++) {
		const struct fp_model_port *p = fp_model_port_at(w->m, i);
		const struct fp_model_router *r;

		if (!fp_model_port_is_router_port(p))
			continue;
		r = fp_model_router_find(w->m, p->device_id);
		if (r == NULL) {
			rc = fault(w, FP_MODEL_PORT, p->id, "device_id",
				   "%s of router %s, which does not exist", p->device_owner,
				   p->device_id);
			continue;
		}
		if (fp_model_port_is_router_iface(p))
			rc = check_iface(w, p);
		else if (p->owner == FP_MODEL_OWNER_ROUTER_GATEWAY &&
			 (!r->has_gateway || strcmp(r->ext_network_id, p->network_id) != 0))
			rc = fault(w, FP_MODEL_PORT, p->id, "network_id",
				   "router %s's gateway port is on network %s, but the router's "
				   "gateway network is %s",
				   r->id, p->network_id,
				   r->has_gateway ? r->ext_network_id : "none");
	}
	return rc;
}

static int
check_router(const struct walk *w, const struct fp_model_router *r)
{
	const struct fp_model_network *n = NULL;
	char field[96], ip[FP_ADDR_IP_STR];
	uint32_t i;
	int rc = 0;

	if (r->has_gateway) {
		n = fp_model_network_find(w->m, r->ext_network_id);
		if (n == NULL)
			rc = fault(w, FP_MODEL_ROUTER, r->id, "external_gateway_info.network_id",
				   "network %s does not exist", r->ext_network_id);
		else if (!n->external)
			rc = fault(w, FP_MODEL_ROUTER, r->id, "external_gateway_info.network_id",
				   "network %s is not external (router:external is false)", n->id);
	}
	for (i = 0; i < r->n_ext_ips && i < FP_MODEL_EXT_IP_MAX && rc == 0; i++) {
		const struct fp_model_fixed_ip *fi = &r->ext_ips[i];
		const struct fp_model_subnet *s = fp_model_subnet_find(w->m, fi->subnet_id);

		snprintf(field, sizeof(field), "external_gateway_info.external_fixed_ips[%u]", i);
		fp_addr_ip_str(&fi->ip, ip);
		if (s == NULL)
			rc = fault(w, FP_MODEL_ROUTER, r->id, field, "subnet %s does not exist",
				   fi->subnet_id);
		else if (strcmp(s->network_id, r->ext_network_id) != 0)
			rc = fault(w, FP_MODEL_ROUTER, r->id, field,
				   "subnet %s is on network %s, not on the gateway network %s",
				   s->id, s->network_id, r->ext_network_id);
		else if (fp_addr_ip_is_v4(&fi->ip) != (s->ip_version == 4) ||
			 !fp_addr_prefix_contains(&s->cidr, s->plen, &fi->ip))
			rc = fault(w, FP_MODEL_ROUTER, r->id, field, "%s is not inside subnet %s",
				   ip, s->id);
	}
	for (i = 0; i < r->n_routes && i < FP_MODEL_ROUTE_MAX && rc == 0; i++) {
		if (router_reaches(w, r, &r->routes[i].nexthop))
			continue;
		snprintf(field, sizeof(field), "routes[%u].nexthop", i);
		rc = fault(w, FP_MODEL_ROUTER, r->id, field,
			   "%s is on none of the router's subnets",
			   fp_addr_ip_str(&r->routes[i].nexthop, ip));
	}
	return rc;
}

/* Is ip inside a subnet of the network? */
static int
network_holds(const struct fp_model *m, const char *network_id, const struct fp_ip *ip)
{
	size_t i, count = fp_model_count(m, FP_MODEL_SUBNET);

	for (i = 0; i < count; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(m, i);

		if (strcmp(s->network_id, network_id) == 0 &&
		    fp_addr_prefix_contains(&s->cidr, s->plen, ip))
			return 1;
	}
	return 0;
}

/* A floating IP's port side: the port, its fixed IP, the router. */
static int
check_fip_port(const struct walk *w, const struct fp_model_floatingip *f)
{
	const struct fp_model_port *p = fp_model_port_find(w->m, f->port_id);
	const struct fp_model_router *r;
	char ip[FP_ADDR_IP_STR];
	int i;

	if (p == NULL)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "port_id", "port %s does not exist",
			     f->port_id);
	i = fip_fixed_index(p, f);
	if (i < 0 && f->has_fixed_ip)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "fixed_ip_address",
			     "%s is not a fixed IP of port %s", fp_addr_ip_str(&f->fixed_ip, ip),
			     p->id);
	if (i < 0)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "fixed_ip_address",
			     "not given, and port %s has not exactly one IPv4 fixed IP", p->id);
	if (f->router_id[0] == '\0')
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "router_id",
			     "associated with port %s but with no router", p->id);
	r = fp_model_router_find(w->m, f->router_id);
	if (r == NULL)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "router_id", "router %s does not exist",
			     f->router_id);
	if (!r->has_gateway || strcmp(r->ext_network_id, f->floating_network_id) != 0)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "router_id",
			     "router %s has no gateway on the floating network %s", r->id,
			     f->floating_network_id);
	if (!walk_router_has_subnet(w, r->id, p->fixed_ips[i].subnet_id))
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "router_id",
			     "router %s has no interface on subnet %s of port %s's fixed IP %s",
			     r->id, p->fixed_ips[i].subnet_id, p->id,
			     fp_addr_ip_str(&p->fixed_ips[i].ip, ip));
	return 0;
}

static int
check_fip(const struct walk *w, const struct fp_model_floatingip *f)
{
	const struct fp_model_network *n = fp_model_network_find(w->m, f->floating_network_id);
	char ip[FP_ADDR_IP_STR];

	if (n == NULL)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "floating_network_id",
			     "network %s does not exist", f->floating_network_id);
	if (!n->external)
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "floating_network_id",
			     "network %s is not external (router:external is false)", n->id);
	if (!network_holds(w->m, n->id, &f->floating_ip))
		return fault(w, FP_MODEL_FLOATINGIP, f->id, "floating_ip_address",
			     "%s is inside no subnet of network %s",
			     fp_addr_ip_str(&f->floating_ip, ip), n->id);
	if (f->port_id[0] == '\0')
		return 0;
	return check_fip_port(w, f);
}

int
fp_model_check(const struct fp_model *m, fp_model_check_fn *fn, void *arg)
{
	struct walk w = { .m = m, .fn = fn, .arg = arg };
	size_t i;
	int rc;

	if (m == NULL || fn == NULL)
		return 0;
	rc = rports_load(&w);
	/* Collections in enum order: ports, routers, floating IPs. */
	if (rc == 0)
		rc = check_ports(&w);
	for (i = 0; i < fp_model_count(m, FP_MODEL_ROUTER) && rc == 0; i++)
		rc = check_router(&w, fp_model_router_at(m, i));
	for (i = 0; i < fp_model_count(m, FP_MODEL_FLOATINGIP) && rc == 0; i++)
		rc = check_fip(&w, fp_model_floatingip_at(m, i));
	free(w.rports);
	return rc;
}
