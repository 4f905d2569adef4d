/* SPDX-License-Identifier: BSD-3-Clause */
#include "compile_l3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compile_sg.h"
#include "names.h"

#define VRF_KEY_SIZE (sizeof("router:") + FP_MODEL_ID_SIZE)

static int
net_cmp(const void *id, const void *elem)
{
	return strcmp(id, ((const struct fp_compile_l3_net *)elem)->n->id);
}

/* The network with this id (nets are in id order), or NULL. */
static const struct fp_compile_l3_net *
net_find(const struct fp_compile_l3_net *nets, size_t n, const char *id)
{
	if (n == 0)
		return NULL;
	return bsearch(id, nets, n, sizeof(*nets), net_cmp);
}

static int
port_router_cmp(const void *a, const void *b)
{
	const struct fp_model_port *x = *(const struct fp_model_port *const *)a;
	const struct fp_model_port *y = *(const struct fp_model_port *const *)b;
	int c = strcmp(x->device_id, y->device_id);

	return c != 0 ? c : strcmp(x->id, y->id);
}

int
fp_compile_l3_index_build(const struct fp_model *m, struct fp_compile_l3_index *ix)
{
	size_t i, n = fp_model_count(m, FP_MODEL_PORT);

	memset(ix, 0, sizeof(*ix));
	ix->ifs = calloc(n + 1, sizeof(*ix->ifs));
	ix->gws = calloc(n + 1, sizeof(*ix->gws));
	ix->fips = calloc(n + 1, sizeof(*ix->fips));
	if (ix->ifs == NULL || ix->gws == NULL || ix->fips == NULL) {
		fp_compile_l3_index_free(ix);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (fp_model_port_is_router_iface(p) && p->admin_up)
			ix->ifs[ix->n_ifs++] = p;
		else if (p->owner == FP_MODEL_OWNER_ROUTER_GATEWAY)
			ix->gws[ix->n_gws++] = p;
		else if (p->owner == FP_MODEL_OWNER_FLOATINGIP)
			ix->fips[ix->n_fips++] = p;
	}
	qsort(ix->ifs, ix->n_ifs, sizeof(*ix->ifs), port_router_cmp);
	qsort(ix->gws, ix->n_gws, sizeof(*ix->gws), port_router_cmp);
	qsort(ix->fips, ix->n_fips, sizeof(*ix->fips), port_router_cmp);
	return 0;
}

void
fp_compile_l3_index_free(struct fp_compile_l3_index *ix)
{
	free(ix->ifs);
	free(ix->gws);
	free(ix->fips);
	memset(ix, 0, sizeof(*ix));
}

/* The ports of v[0..n) (sorted by device_id) whose device_id is
 * router_id: the first, *cnt of them.
 */
static const struct fp_model_port *const *
ports_of(const struct fp_model_port *const *v, size_t n, const char *router_id, size_t *cnt)
{
	size_t lo = 0, hi = n, k;

	*cnt = 0;
	if (n == 0)
		return v; /* no index (no network, or routes not carried) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid]->device_id, router_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < n && strcmp(v[k]->device_id, router_id) == 0; k++)
		;
	*cnt = k - lo;
	return v + lo;
}

/* A router's interfaces (admin up), in port id order; *n their number. */
static const struct fp_model_port *const *
ifaces_of(const struct fp_compile_l3_index *ix, const char *router_id, size_t *n)
{
	return ports_of(ix->ifs, ix->n_ifs, router_id, n);
}

/* Is the router on this host: up, with an interface on a usable network
 * that has a local port?  Uses .local (the local ports alone).
 */
static int
router_here(const struct fp_compile_l3_net *nets, size_t n_nets, const struct fp_model_router *rt,
	    const struct fp_model_port *const *ifs, size_t n_ifs)
{
	size_t i;

	if (!rt->admin_up)
		return 0;
	for (i = 0; i < n_ifs; i++) {
		const struct fp_compile_l3_net *ns = net_find(nets, n_nets, ifs[i]->network_id);

		if (ns != NULL && ns->usable && ns->local)
			return 1;
	}
	return 0;
}

/* The router's gateway network if it is carried, else NULL. */
static const struct fp_compile_l3_net *
gw_net(const struct fp_compile_l3_index *ix, const struct fp_compile_l3_net *nets, size_t n_nets,
       const struct fp_model_router *rt, const struct fp_model_port **gw)
{
	const struct fp_compile_l3_net *ns;
	size_t n_gw = 0;
	const struct fp_model_port *const *g = ports_of(ix->gws, ix->n_gws, rt->id, &n_gw);

	*gw = rt->has_gateway && n_gw > 0 ? g[0] : NULL;
	if (*gw == NULL)
		return NULL;
	ns = net_find(nets, n_nets, (*gw)->network_id);
	return ns != NULL && ns->usable ? ns : NULL;
}

int
fp_compile_l3_present(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		      const struct fp_compile_l3_index *ix, struct fp_compile_l3_net *nets,
		      size_t n_nets)
{
	size_t i, j, n_ifs, n = fp_model_count(m, FP_MODEL_ROUTER);
	int added = 0;

	for (i = 0; i < n_nets; i++)
		nets[i].local = nets[i].present;
	if (!ctx->routes_carried)
		return 0;
	for (i = 0; i < n; i++) {
		const struct fp_model_router *rt = fp_model_router_at(m, i);
		const struct fp_model_port *const *ifs = ifaces_of(ix, rt->id, &n_ifs), *gw;
		struct fp_compile_l3_net *ns;

		if (router_here(nets, n_nets, rt, ifs, n_ifs)) {
			for (j = 0; j <= n_ifs; j++) {
				const char *id = j < n_ifs ? ifs[j]->network_id : NULL;

				if (id == NULL) {
					ns = (struct fp_compile_l3_net *)gw_net(ix, nets, n_nets,
										rt, &gw);
				} else {
					ns = (struct fp_compile_l3_net *)net_find(nets, n_nets, id);
				}
				if (ns != NULL && ns->usable && !ns->present) {
					ns->present = 1;
					added++;
				}
			}
		}
	}
	return added;
}

int
fp_compile_l3_routers(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		      const struct fp_compile_l3_index *ix, const struct fp_compile_l3_net *nets,
		      size_t n_nets, fp_compile_l3_router_fn *fn, void *arg)
{
	size_t i, j, n_ifs, n = fp_model_count(m, FP_MODEL_ROUTER);
	uint32_t *idx;
	int rc = 0;

	if (!ctx->routes_carried || n_nets == 0)
		return 0;
	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_router *rt = fp_model_router_at(m, i);
		const struct fp_model_port *const *ifs = ifaces_of(ix, rt->id, &n_ifs), *gw;
		const struct fp_compile_l3_net *ns;
		size_t k = 0;

		idx = calloc(n_ifs + 1, sizeof(*idx));
		if (idx == NULL)
			return -ENOMEM;
		if (router_here(nets, n_nets, rt, ifs, n_ifs)) {
			size_t n_src;

			/* The interfaces' networks first (their hosts have the
			 * router), then the external one (a target only).
			 */
			for (j = 0; j < n_ifs; j++) {
				ns = net_find(nets, n_nets, ifs[j]->network_id);
				if (ns != NULL && ns->usable)
					idx[k++] = (uint32_t)(ns - nets);
			}
			n_src = k;
			ns = gw_net(ix, nets, n_nets, rt, &gw);
			if (ns != NULL)
				idx[k++] = (uint32_t)(ns - nets);
			rc = fn(arg, rt, idx, n_src, k);
		}
		free(idx);
	}
	return rc;
}

/* One compile of one router. */
struct l3run {
	const struct fp_model *m;
	const struct fp_compile_ctx *ctx;
	const struct fp_compile_l3_index *ix;
	const struct fp_compile_l3_net *nets;
	size_t n_nets;
	struct fp_entry_set *out;
	struct fp_compile_report *rep;
	const struct fp_model_router *rt;
	uint32_t vrf;
};

static int
route_add(struct l3run *r, const struct fp_ip *pfx, uint8_t plen, uint16_t type, uint16_t flags,
	  const struct fp_model_network *n, const uint8_t mac[6], const struct fp_ip *addr)
{
	const struct fp_route_val *old;
	struct fp_route_key k;
	struct fp_route_val v;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vrf = r->vrf;
	k.plen = plen;
	k.ip = *pfx;
	fp_addr_prefix_mask(&k.ip, plen);
	v.type = type;
	v.flags = flags;
	v.addr = *addr;
	if (type != FP_ROUTE_LOCAL) { /* a local route is the address alone */
		v.vni = n->vni;
		memcpy(v.mac, mac, 6);
		v.mtu = n->mtu;
	}
	old = fp_entry_set_find(r->out, FP_TABLE_ROUTE, &k);
	if (old != NULL && memcmp(old, &v, sizeof(v)) != 0) {
		char ip[FP_ADDR_IP_STR];
		int v4 = fp_addr_ip_is_v4(&k.ip);

		/* The first kept: connected and local, the gateway's default,
		 * then extra routes (the order they are emitted in).
		 */
		return fp_compile_problem_kind(
			r->rep, FP_COMPILE_PROBLEM_INCONSISTENT, FP_MODEL_ROUTER, r->rt->id,
			"routes",
			"%s route %s/%u is also a %s route of the router: the %s one is kept",
			fp_names_route_type[type % FP_ROUTE_TYPE_MAX], fp_addr_ip_str(&k.ip, ip),
			v4 ? plen - 96u : plen, fp_names_route_type[old->type % FP_ROUTE_TYPE_MAX],
			fp_names_route_type[old->type % FP_ROUTE_TYPE_MAX]);
	}
	return fp_entry_set_apply(r->out, FP_TABLE_ROUTE, &k, &v);
}

/* fdb (VNI, MAC) -> the router, unless a port holds the MAC: then 1 (a
 * problem is reported).
 */
static int
fdb_add(struct l3run *r, const struct fp_model_port *p, const struct fp_model_network *n)
{
	char mac[FP_ADDR_MAC_STR];
	struct fp_fdb_key k;
	struct fp_fdb_val v;
	const struct fp_fdb_val *old;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vni = n->vni;
	memcpy(k.mac, p->mac, 6);
	v.type = FP_DEST_ROUTER;
	v.id = r->vrf;
	old = fp_entry_set_find(r->out, FP_TABLE_FDB, &k);
	if (old != NULL && memcmp(old, &v, sizeof(v)) != 0) {
		int rc = fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, "mac_address",
			"MAC %s of router %s's interface is also a port's in "
			"network %s: the port keeps it, the interface is not routed",
			fp_addr_mac_str(p->mac, mac), r->rt->id, n->id);

		return rc < 0 ? rc : 1;
	}
	return fp_entry_set_apply(r->out, FP_TABLE_FDB, &k, &v);
}

/* neigh (VNI, ip) -> the interface's MAC, local only, unless a port holds
 * ip: then 1 (a problem is reported).
 */
static int
neigh_add(struct l3run *r, const struct fp_model_port *p, const struct fp_model_network *n,
	  const struct fp_ip *ip)
{
	char s[FP_ADDR_IP_STR];
	struct fp_neigh_key k;
	struct fp_neigh_val v;
	const struct fp_neigh_val *old;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vrf = n->vni;
	k.ip = *ip;
	memcpy(v.mac, p->mac, 6);
	v.flags = FP_NEIGH_F_LOCAL_ONLY;
	v.vni = n->vni;
	old = fp_entry_set_find(r->out, FP_TABLE_NEIGH, &k);
	if (old != NULL && memcmp(old, &v, sizeof(v)) != 0) {
		int rc = fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, "fixed_ips",
			"address %s of router %s's interface is also a port's in "
			"network %s: the port keeps it",
			fp_addr_ip_str(ip, s), r->rt->id, n->id);

		return rc < 0 ? rc : 1;
	}
	return fp_entry_set_apply(r->out, FP_TABLE_NEIGH, &k, &v);
}

/* The connected and local routes of an interface; its fdb and neigh
 * entries when its network is present.
 */
static int
iface_emit(struct l3run *r, const struct fp_model_port *p)
{
	const struct fp_compile_l3_net *ns = net_find(r->nets, r->n_nets, p->network_id);
	int rc = 0, has_v6 = 0;
	struct fp_ip ll;
	uint32_t f;

	if (ns == NULL || !ns->usable)
		return 0; /* compile.c reports the network */
	/* A port holding the interface's MAC keeps it: the interface is not
	 * routed at all (no route would lead anywhere).
	 */
	if (ns->present) {
		rc = fdb_add(r, p, ns->n);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX && rc == 0; f++) {
		const struct fp_model_fixed_ip *fi = &p->fixed_ips[f];
		const struct fp_model_subnet *s = fp_model_subnet_find(r->m, fi->subnet_id);

		if (s == NULL || strcmp(s->network_id, p->network_id) != 0)
			continue; /* fp_model_check() reports it */
		has_v6 |= s->ip_version == 6;
		rc = route_add(r, &s->cidr, s->plen, FP_ROUTE_CONNECTED, 0, ns->n, p->mac, &fi->ip);
		/* A port holding the address keeps it: no local route for it. */
		if (rc == 0 && ns->present)
			rc = neigh_add(r, p, ns->n, &fi->ip);
		if (rc == 0)
			rc = route_add(r, &fi->ip, 128, FP_ROUTE_LOCAL, 0, ns->n, p->mac, &fi->ip);
		else if (rc == 1)
			rc = 0;
	}
	if (rc == 0 && has_v6) {
		fp_addr_link_local(p->mac, ll.b);
		if (ns->present)
			rc = neigh_add(r, p, ns->n, &ll);
		if (rc == 0)
			rc = route_add(r, &ll, 128, FP_ROUTE_LOCAL, 0, ns->n, p->mac, &ll);
		else if (rc == 1)
			rc = 0;
	}
	return rc;
}

/* The interface whose subnet holds ip, and that subnet; NULL if none. */
static const struct fp_model_port *
iface_for(struct l3run *r, const struct fp_model_port *const *ifs, size_t n_ifs,
	  const struct fp_ip *ip)
{
	size_t i;
	uint32_t f;

	for (i = 0; i < n_ifs; i++) {
		const struct fp_compile_l3_net *ns = net_find(r->nets, r->n_nets,
							      ifs[i]->network_id);

		if (ns == NULL || !ns->usable)
			continue;
		for (f = 0; f < ifs[i]->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++) {
			const struct fp_model_subnet *s = fp_model_subnet_find(
				r->m, ifs[i]->fixed_ips[f].subnet_id);

			if (s != NULL && fp_addr_prefix_contains(&s->cidr, s->plen, ip))
				return ifs[i];
		}
	}
	return NULL;
}

/* The router's extra routes: through the interface on the next hop's subnet. */
static int
extra_routes_emit(struct l3run *r, const struct fp_model_port *const *ifs, size_t n_ifs)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < r->rt->n_routes && i < FP_MODEL_ROUTE_MAX && rc == 0; i++) {
		const struct fp_model_route *rt = &r->rt->routes[i];
		const struct fp_model_port *p = iface_for(r, ifs, n_ifs, &rt->nexthop);
		const struct fp_compile_l3_net *ns;

		if (p == NULL)
			continue; /* fp_model_check() reports it */
		ns = net_find(r->nets, r->n_nets, p->network_id);
		rc = route_add(r, &rt->destination, rt->plen, FP_ROUTE_NEXTHOP, 0, ns->n, p->mac,
			       &rt->nexthop);
	}
	return rc;
}

/* The default routes toward the external network, and what of it is
 * not carried.
 */
static int
gateway_emit(struct l3run *r)
{
	const struct fp_model_port *gw;
	const struct fp_compile_l3_net *ns = gw_net(r->ix, r->nets, r->n_nets, r->rt, &gw);
	int rc = 0, done[2] = { 0, 0 };
	uint16_t flags = 0;
	uint32_t i;

	if (!r->rt->has_gateway)
		return 0;
	if (ns == NULL)
		return fp_compile_problem_kind(
			r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_ROUTER, r->rt->id,
			"external_gateway_info",
			gw == NULL ? "no gateway port (network:router_gateway): no default route" :
				     "the external network is not carried: no default route");
	/* A provider external network: the engines answer no ARP for the
	 * router from a physical port and send its frames from the chassis
	 * MAC (doc/routing.md "Not yet").
	 */
	if (ns->provider)
		return fp_compile_problem_kind(
			r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_ROUTER, r->rt->id,
			"external_gateway_info.network_id",
			"external network %s is a provider network: routing to a provider "
			"external network is not carried yet (doc/routing.md), no default route",
			ns->n->id);
	/* Where the engine translates, the default route is external: a VM
	 * with a floating IP leaves with it; one without leaves with its
	 * fixed address (enable_snat false, as Neutron) or, with
	 * enable_snat, is dropped (no_snat): SNAT is a gateway's job (issue
	 * 12), not carried.  Elsewhere the engine refuses the flags: without
	 * SNAT the tenants' addresses are routed as they are, with it there
	 * is no default route (they would leave with their fixed addresses).
	 */
	if (r->rt->enable_snat) {
		rc = fp_compile_problem_kind(
			r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_ROUTER, r->rt->id,
			"external_gateway_info.enable_snat",
			r->ctx->nat_carried ?
				"SNAT is a gateway's job (issue 12), not carried yet (this "
				"flowplane has no gateway nodes): the router's VMs without a "
				"floating IP do not reach the external network (dropped as "
				"no_snat)" :
				"SNAT is a gateway's job (issue 12), not carried yet (this "
				"flowplane has no gateway nodes): no default route, the router's "
				"VMs do not reach the external network");
		if (rc != 0 || !r->ctx->nat_carried)
			return rc;
		flags = FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT;
	} else if (r->ctx->nat_carried) {
		flags = FP_ROUTE_F_EXTERNAL;
	}
	/* The default route per family: through the gateway of the subnet
	 * of the router's first external fixed IP of that family.
	 */
	for (i = 0; i < r->rt->n_ext_ips && i < FP_MODEL_EXT_IP_MAX && rc == 0; i++) {
		const struct fp_model_subnet *sub = fp_model_subnet_find(
			r->m, r->rt->ext_ips[i].subnet_id);
		struct fp_ip any;
		int v4;

		if (sub == NULL || strcmp(sub->network_id, ns->n->id) != 0)
			continue;
		v4 = sub->ip_version == 4;
		/* Where the engine translates, the external subnet is connected
		 * (the gateway port is the router's interface there, as
		 * Neutron's qg- device): the outside hosts on it are reached
		 * directly, with the same flags as the default route.
		 */
		if (r->ctx->nat_carried)
			rc = route_add(r, &sub->cidr, sub->plen, FP_ROUTE_CONNECTED, v4 ? flags : 0,
				       ns->n, gw->mac, &r->rt->ext_ips[i].ip);
		if (rc != 0 || !sub->has_gateway)
			continue;
		if (done[v4])
			continue;
		done[v4] = 1;
		memset(&any, 0, sizeof(any));
		if (v4)
			fp_addr_ip_set_v4(&any, 0);
		/* Floating IPs are IPv4: IPv6 is routed as it is (Neutron). */
		rc = route_add(r, &any, v4 ? 96 : 0, FP_ROUTE_NEXTHOP, v4 ? flags : 0, ns->n,
			       gw->mac, &sub->gateway);
	}
	return rc;
}

/* A problem on floating IP f. */
static int
fip_problem(struct l3run *r, const struct fp_model_floatingip *f, const char *field,
	    const char *fmt, const char *arg)
{
	return fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_FLOATINGIP,
				       f->id, field, fmt, arg);
}

/* Floating IP f of router r->rt, whose port is bound to this host: its
 * nat pair, and fdb and neigh entries for its MAC and address on the
 * external network (compile_l3.h).
 */
static int
fip_emit(struct l3run *r, const struct fp_model_floatingip *f)
{
	const struct fp_model_port *gw, *const *fp;
	const struct fp_compile_l3_net *ns = gw_net(r->ix, r->nets, r->n_nets, r->rt, &gw);
	char s[FP_ADDR_IP_STR];
	struct fp_nat_key nk;
	struct fp_nat_val nv;
	struct fp_fdb_key fk;
	struct fp_fdb_val fv;
	struct fp_neigh_key ek;
	struct fp_neigh_val ev;
	const void *old;
	struct fp_ip fixed;
	size_t n_fp;
	int rc;

	if (ns == NULL || strcmp(ns->n->id, f->floating_network_id) != 0)
		return fip_problem(r, f, "router_id",
				   "not translated: router %s has no carried gateway on the "
				   "floating network",
				   r->rt->id);
	if (ns->provider)
		return fip_problem(r, f, "floating_network_id",
				   "not translated: floating IPs on a provider external network "
				   "are not carried yet (doc/routing.md): %s is a provider network",
				   ns->n->id);
	if (fp_model_fip_fixed_ip(r->m, f, &fixed) != 0)
		return 0; /* fp_model_check() reports it */
	fp = ports_of(r->ix->fips, r->ix->n_fips, f->id, &n_fp);
	if (n_fp == 0)
		return fip_problem(r, f, "",
				   "not translated: the snapshot has no port with device_owner "
				   "network:floatingip and device_id %s (the floating IP's own "
				   "port): its MAC is unknown",
				   f->id);
	if (!fp_addr_mac_is_unicast(fp[0]->mac) || strcmp(fp[0]->network_id, ns->n->id) != 0)
		return fip_problem(r, f, "",
				   "not translated: its port %s is not on the floating network or "
				   "has no unicast MAC",
				   fp[0]->id);
	/* Another port or router already holds the MAC or the address in
	 * the external network: it keeps it.
	 */
	memset(&fk, 0, sizeof(fk));
	memset(&fv, 0, sizeof(fv));
	fk.vni = ns->n->vni;
	memcpy(fk.mac, fp[0]->mac, 6);
	fv.type = FP_DEST_ROUTER;
	fv.flags = FP_FDB_F_EXTERNAL;
	fv.id = r->vrf;
	memset(&ek, 0, sizeof(ek));
	memset(&ev, 0, sizeof(ev));
	ek.vrf = ns->n->vni;
	ek.ip = f->floating_ip;
	memcpy(ev.mac, fp[0]->mac, 6);
	ev.vni = ns->n->vni;
	old = fp_entry_set_find(r->out, FP_TABLE_FDB, &fk);
	if (old == NULL)
		old = fp_entry_set_find(r->out, FP_TABLE_NEIGH, &ek);
	if (old != NULL)
		return fip_problem(r, f, "floating_ip_address",
				   "not translated: its MAC or address %s is also another port's "
				   "in the floating network, which keeps it",
				   fp_addr_ip_str(&f->floating_ip, s));
	memset(&nk, 0, sizeof(nk));
	memset(&nv, 0, sizeof(nv));
	nk.scope = r->vrf;
	nk.dir = FP_NAT_SNAT;
	nk.ip = fixed;
	nv.ip = f->floating_ip;
	memcpy(nv.mac, fp[0]->mac, 6);
	nv.scope = ns->n->vni;
	if (fp_entry_set_find(r->out, FP_TABLE_NAT, &nk) != NULL)
		return fip_problem(r, f, "fixed_ip_address",
				   "not translated: fixed IP %s has another floating IP here "
				   "(Neutron allows one per fixed IP)",
				   fp_addr_ip_str(&fixed, s));
	rc = fp_entry_set_apply(r->out, FP_TABLE_NAT, &nk, &nv);
	memset(&nk, 0, sizeof(nk));
	memset(&nv, 0, sizeof(nv));
	nk.scope = ns->n->vni;
	nk.dir = FP_NAT_DNAT;
	nk.ip = f->floating_ip;
	nv.ip = fixed;
	nv.scope = r->vrf;
	if (rc == 0)
		rc = fp_entry_set_apply(r->out, FP_TABLE_NAT, &nk, &nv);
	if (rc == 0)
		rc = fp_entry_set_apply(r->out, FP_TABLE_FDB, &fk, &fv);
	if (rc == 0)
		rc = fp_entry_set_apply(r->out, FP_TABLE_NEIGH, &ek, &ev);
	return rc;
}

/* The floating IPs of router r->rt whose port is bound to this host. */
static int
fips_emit(struct l3run *r)
{
	size_t i, n = fp_model_count(r->m, FP_MODEL_FLOATINGIP);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_floatingip *f = fp_model_floatingip_at(r->m, i);
		const struct fp_model_port *p;

		if (f->port_id[0] == '\0' || strcmp(f->router_id, r->rt->id) != 0)
			continue;
		p = fp_model_port_find(r->m, f->port_id);
		if (p == NULL || strcmp(p->host, r->ctx->host) != 0)
			continue;
		rc = r->ctx->nat_carried ?
			     fip_emit(r, f) :
			     fip_problem(
				     r, f, "",
				     "not translated: the %s engine does not translate floating "
				     "IPs",
				     r->ctx->engine != NULL ? r->ctx->engine : "dataplane");
	}
	return rc;
}

/* A floating IP whose port is bound to this host but whose router is not
 * routed here (missing, down, or without an interface on a network with
 * a local port): a problem.
 */
static int
fips_unrouted(const struct fp_model *m, const struct fp_compile_ctx *ctx,
	      const struct fp_compile_l3_index *ix, const struct fp_compile_l3_net *nets,
	      size_t n_nets, struct fp_compile_report *rep)
{
	size_t i, n_ifs, n = fp_model_count(m, FP_MODEL_FLOATINGIP);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_floatingip *f = fp_model_floatingip_at(m, i);
		const struct fp_model_port *p = f->port_id[0] ? fp_model_port_find(m, f->port_id) :
								NULL;
		const struct fp_model_router *rt;

		if (p == NULL || strcmp(p->host, ctx->host) != 0)
			continue;
		rt = fp_model_router_find(m, f->router_id);
		if (rt != NULL) {
			const struct fp_model_port *const *ifs = ifaces_of(ix, rt->id, &n_ifs);

			if (router_here(nets, n_nets, rt, ifs, n_ifs))
				continue;
		}
		rc = fp_compile_problem_kind(
			rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_FLOATINGIP, f->id,
			"router_id",
			"not translated: router %s is not routed on this host (missing, down, or "
			"without an interface on the port's network)",
			f->router_id[0] ? f->router_id : "(none)");
	}
	return rc;
}

int
fp_compile_l3(const struct fp_model *m, const struct fp_compile_ctx *ctx,
	      const struct fp_compile_l3_index *ix, const struct fp_compile_l3_net *nets,
	      size_t n_nets, struct fp_entry_set *out, struct fp_compile_report *rep)
{
	size_t i, j, n_ifs, n = fp_model_count(m, FP_MODEL_ROUTER);
	char key[VRF_KEY_SIZE];
	int rc = 0;

	if (!ctx->routes_carried)
		return 0;
	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_router *rt = fp_model_router_at(m, i);
		const struct fp_model_port *const *ifs = ifaces_of(ix, rt->id, &n_ifs);
		struct l3run r = { m, ctx, ix, nets, n_nets, out, rep, rt, 0 };

		if (!router_here(nets, n_nets, rt, ifs, n_ifs))
			continue;
		snprintf(key, sizeof(key), "router:%s", rt->id);
		rc = fp_ids_get(ctx->vrf_ids, key, &r.vrf);
		if (rc == -ENOSPC) {
			rc = fp_compile_problem(rep, FP_MODEL_ROUTER, rt->id, "",
						"no free vrf id: the router is not routed here");
			continue;
		}
		for (j = 0; j < n_ifs && rc == 0; j++)
			rc = iface_emit(&r, ifs[j]);
		if (rc == 0)
			rc = gateway_emit(&r);
		if (rc == 0)
			rc = extra_routes_emit(&r, ifs, n_ifs);
		if (rc == 0)
			rc = fips_emit(&r);
	}
	if (rc == 0)
		rc = fips_unrouted(m, ctx, ix, nets, n_nets, rep);
	return rc;
}

/* ------------------------------------------------------------------------
 * Ids
 */

static int vrfs_collect(const struct fp_entry_set *s, uint32_t **v, size_t *n, size_t *cap);

/* Is installed network id vni network net's?  An overlay network's is
 * its VNI, a provider network's FP_NET_PROVIDER | n with n bound to
 * "net:<its id>" (fp_compile_prov_rebind() runs first).
 */
static int
rebind_net_is(const struct fp_compile_ctx *ctx, const struct fp_model_network *net, uint32_t vni)
{
	const char *key;

	if (fp_model_network_is_overlay(net))
		return net->vni == vni;
	if ((vni & ~FP_NET_PROVIDER_MAX) != FP_NET_PROVIDER || ctx->net_ids == NULL)
		return 0;
	key = fp_ids_key(ctx->net_ids, vni & FP_NET_PROVIDER_MAX);
	return key != NULL && strncmp(key, "net:", 4) == 0 && strcmp(key + 4, net->id) == 0;
}

int
fp_compile_l3_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		     const struct fp_entry_set *installed)
{
	size_t i, n = installed != NULL ? fp_entry_set_count(installed) : 0;
	size_t p, n_ports = fp_model_count(m, FP_MODEL_PORT);
	size_t n_used = 0, cap = 0;
	char key[VRF_KEY_SIZE];
	uint32_t *used = NULL;
	struct fp_entry e;

	/* A router is named by its interfaces' fdb entries: (network, MAC)
	 * is one interface of one router (an address is not: tenants reuse
	 * their gateways' addresses).
	 */
	for (i = 0; i < n; i++) {
		const struct fp_fdb_key *k;
		const struct fp_fdb_val *v;

		if (fp_entry_set_at(installed, i, &e) < 0)
			return -EINVAL;
		if (e.table != FP_TABLE_FDB)
			continue;
		k = e.key;
		v = e.val;
		if (v->type != FP_DEST_ROUTER)
			continue;
		for (p = 0; p < n_ports; p++) {
			const struct fp_model_port *pt = fp_model_port_at(m, p);
			const struct fp_model_network *net;

			if (!fp_model_port_is_router_iface(pt) || memcmp(pt->mac, k->mac, 6) != 0)
				continue;
			net = fp_model_network_find(m, pt->network_id);
			if (net == NULL || !rebind_net_is(ctx, net, k->vni))
				continue;
			/* A router port's device_id is an id (model_parse.c). */
			snprintf(key, sizeof(key), "router:%.*s", FP_MODEL_ID_SIZE - 1,
				 pt->device_id);
			/* -EEXIST: bound otherwise already; the first binding stays. */
			if (fp_ids_bind(ctx->vrf_ids, key, v->id) == -ENOMEM)
				return -ENOMEM;
			break;
		}
	}
	/* A vrf the installed entries use whose router is gone stays taken
	 * until those entries are (fp_compile_l3_ids_gc()), so no new router
	 * gets it while the old routes are still there.
	 */
	if (vrfs_collect(installed, &used, &n_used, &cap) != 0) {
		free(used);
		return -ENOMEM;
	}
	for (i = 0; i < n_used; i++) {
		if (fp_ids_key(ctx->vrf_ids, used[i]) != NULL)
			continue;
		snprintf(key, sizeof(key), "stale:%u", used[i]);
		if (fp_ids_bind(ctx->vrf_ids, key, used[i]) == -ENOMEM) {
			free(used);
			return -ENOMEM;
		}
	}
	free(used);
	return 0;
}

/* The vrf ids s's entries use, appended to *v (*n valid, *cap room). */
static int
vrfs_collect(const struct fp_entry_set *s, uint32_t **v, size_t *n, size_t *cap)
{
	size_t i, cnt = s != NULL ? fp_entry_set_count(s) : 0;
	struct fp_entry e;

	for (i = 0; i < cnt; i++) {
		uint32_t vrf;

		if (fp_entry_set_at(s, i, &e) < 0)
			return -EINVAL;
		if (e.table == FP_TABLE_ROUTE)
			vrf = ((const struct fp_route_key *)e.key)->vrf;
		else if (e.table == FP_TABLE_FDB &&
			 ((const struct fp_fdb_val *)e.val)->type == FP_DEST_ROUTER)
			vrf = ((const struct fp_fdb_val *)e.val)->id;
		else
			continue;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			uint32_t *nv = realloc(*v, c * sizeof(*nv));

			if (nv == NULL)
				return -ENOMEM;
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = vrf;
	}
	return 0;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct used {
	const uint32_t *v; /* sorted */
	size_t n;
};

static int
vrf_used(uint32_t id, void *arg)
{
	const struct used *u = arg;

	return u->n != 0 && bsearch(&id, u->v, u->n, sizeof(*u->v), u32_cmp) != NULL;
}

void
fp_compile_l3_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
		     const struct fp_entry_set *desired)
{
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;

	if (ctx == NULL || ctx->vrf_ids == NULL)
		return;
	/* Out of memory: keep every id (gc is only an economy). */
	if (vrfs_collect(installed, &v, &n, &cap) == 0 &&
	    vrfs_collect(desired, &v, &n, &cap) == 0) {
		struct used u = { v, n };

		if (n > 1)
			qsort(v, n, sizeof(*v), u32_cmp);
		fp_ids_gc(ctx->vrf_ids, vrf_used, &u);
	}
	free(v);
}
