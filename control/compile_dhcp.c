/* SPDX-License-Identifier: BSD-3-Clause */
#include "compile_dhcp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compile_sg.h"
#include "dhcp4.h"
#include "dhcp6.h"
#include "ra.h"

#define ERR_SIZE 128

/* ------------------------------------------------------------------------
 * What the engine serves.
 */

/* Does the subnet ask for DHCPv6 answers (Neutron's dnsmasq serves it)? */
static int
wants_dhcp6(const struct fp_model_subnet *s)
{
	return s->ip_version == 6 && s->enable_dhcp && s->addr_mode != FP_MODEL_V6_SLAAC;
}

/* Does it ask for router advertisements (Neutron's radvd)? */
static int
wants_ra(const struct fp_model_subnet *s)
{
	return s->ip_version == 6 && s->ra_mode != FP_MODEL_V6_NONE;
}

static int
ra_served(const struct fp_compile_ctx *ctx)
{
	return ctx->ra_served && ctx->routes_carried;
}

static const char *
engine_name(const struct fp_compile_ctx *ctx)
{
	return ctx->engine != NULL ? ctx->engine : "dataplane";
}

int
fp_compile_dhcp_unserved(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			 struct fp_compile_report *rep)
{
	size_t i, n = fp_model_count(m, FP_MODEL_SUBNET);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(m, i);
		const char *what = NULL;

		if (s->ip_version == 4 && s->enable_dhcp && !ctx->dhcp_served)
			what = "answer DHCP";
		else if (wants_dhcp6(s) && !ctx->dhcp6_served && wants_ra(s) && !ra_served(ctx))
			what = "answer DHCPv6 or send router advertisements";
		else if (wants_dhcp6(s) && !ctx->dhcp6_served)
			what = "answer DHCPv6";
		else if (wants_ra(s) && !ra_served(ctx))
			what = ctx->ra_served ? "route, so it sends no router advertisements" :
						"send router advertisements";
		if (what == NULL)
			continue;
		rc = fp_compile_problem_kind(
			rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_SUBNET, s->id, "enable_dhcp",
			"not served: the %s engine does not %s; VMs need static "
			"addresses or another server on the network",
			engine_name(ctx), what);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Per subnet: what every port of it shares.  Computed once per compile
 * (a port's subnets are few; the lookups scan the model's ports).
 */

struct subnet_info {
	const struct fp_model_subnet *s; /* the subnet */
	int ok;				 /* its ports can get an entry */
	struct fp_ip server;		 /* IPv4: the server identifier */
	uint8_t server_mac[6];		 /* IPv6: the router's (or DHCP port's) MAC */
	uint8_t pad[2];			 /* zero */
};

struct drun {
	const struct fp_model *m;
	const struct fp_compile_ctx *ctx;
	struct fp_entry_set *out;
	struct fp_compile_report *rep;
	struct subnet_info *subs; /* subnets seen so far */
	size_t n_subs;		  /* valid subs */
	size_t cap_subs;	  /* allocated subs */
	uint32_t lease;		  /* seconds */
	uint32_t pad;		  /* zero */
};

/* A VM's port (not a network:* service's, a router's, a DHCP agent's). */
static int
is_vm(const struct fp_model_port *p)
{
	return strncmp(p->device_owner, "network:", 8) != 0;
}

/* Is p the network's DHCP service port: Neutron's DHCP agent's
 * (network:dhcp) or ML2/OVN's metadata port (network:distributed), the
 * two that hold an address of the subnet for the service?
 */
static int
is_service_port(const struct fp_model_port *p)
{
	return p->owner == FP_MODEL_OWNER_DHCP ||
	       strcmp(p->device_owner, "network:distributed") == 0;
}

/* The first service port of s's network with an address on s (port id
 * order); its address in *ip.
 */
static const struct fp_model_port *
service_port(const struct fp_model *m, const struct fp_model_subnet *s, struct fp_ip *ip)
{
	size_t i, n = fp_model_count(m, FP_MODEL_PORT);
	uint32_t f;

	for (i = 0; i < n; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (!is_service_port(p) || strcmp(p->network_id, s->network_id) != 0)
			continue;
		for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX; f++) {
			if (strcmp(p->fixed_ips[f].subnet_id, s->id) == 0) {
				*ip = p->fixed_ips[f].ip;
				return p;
			}
		}
	}
	return NULL;
}

static int
sub_problem(struct drun *r, const struct fp_model_subnet *s, const char *field, const char *why)
{
	return fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_SUBNET,
				       s->id, field, "%s", why);
}

/* "a, b, c": the addresses v[from..n) (as much as fits). */
static const char *
ip_list(const struct fp_ip *v, size_t from, size_t n, char *buf, size_t size)
{
	char ip[FP_ADDR_IP_STR];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = from; i < n && len < size; i++) {
		int k = snprintf(buf + len, size - len, "%s%s", i > from ? ", " : "",
				 fp_addr_ip_str(&v[i], ip));

		if (k < 0)
			break;
		len += (size_t)k;
	}
	return buf;
}

/* What no port of s can go without: a server, room for its DNS servers
 * and host routes.  Reported once per subnet.
 */
static int
subnet_check(struct drun *r, struct subnet_info *si)
{
	const struct fp_model_subnet *s = si->s;
	const struct fp_model_port *sp, *iface = NULL;
	const struct fp_model_router *rt;
	size_t dns_max = s->ip_version == 4 ? FP_DHCP_DNS_MAX : FP_DHCP6_DNS_MAX;
	char list[160], why[256];
	struct fp_ip ip;
	uint32_t i;

	for (i = 0; i < s->n_dns && i < FP_MODEL_DNS_MAX; i++) {
		if (fp_addr_ip_is_v4(&s->dns[i]) == (s->ip_version == 4))
			continue;
		snprintf(why, sizeof(why),
			 "DNS server %s is not an IPv%u address: its ports get no DHCP%s answers",
			 fp_addr_ip_str(&s->dns[i], list), s->ip_version,
			 s->ip_version == 6 ? "v6" : "");
		return sub_problem(r, s, "dns_nameservers", why);
	}
	if (s->n_dns > dns_max) {
		snprintf(why, sizeof(why),
			 "%u DNS servers, an entry holds %zu: %s %s not carried; "
			 "its ports get no DHCP%s answers",
			 s->n_dns, dns_max,
			 ip_list(s->dns, dns_max,
				 s->n_dns < FP_MODEL_DNS_MAX ? s->n_dns : FP_MODEL_DNS_MAX, list,
				 sizeof(list)),
			 s->n_dns - dns_max > 1 ? "are" : "is", s->ip_version == 6 ? "v6" : "");
		return sub_problem(r, s, "dns_nameservers", why);
	}
	if (s->ip_version == 4 && s->n_host_routes > FP_DHCP_ROUTE_MAX) {
		char ip2[FP_ADDR_IP_STR];
		const struct fp_model_route *hr = &s->host_routes[FP_DHCP_ROUTE_MAX];

		snprintf(why, sizeof(why),
			 "%u host routes, option 121 of an entry holds %u: from %s/%u on "
			 "(%u) not carried; its ports get no DHCP answers",
			 s->n_host_routes, FP_DHCP_ROUTE_MAX, fp_addr_ip_str(&hr->destination, ip2),
			 hr->plen >= 96 ? hr->plen - 96u : hr->plen,
			 s->n_host_routes - FP_DHCP_ROUTE_MAX);
		return sub_problem(r, s, "host_routes", why);
	}
	if (s->ip_version == 4) {
		/* OVN's server_id: the gateway, else the metadata port's address. */
		if (s->has_gateway) {
			si->server = s->gateway;
		} else if (service_port(r->m, s, &ip) != NULL) {
			si->server = ip;
		} else {
			return sub_problem(
				r, s, "gateway_ip",
				"no gateway_ip and no DHCP port (network:dhcp) with an "
				"address on the subnet: no DHCP server address; its ports "
				"get no DHCP answers");
		}
	} else {
		rt = fp_model_subnet_router(r->m, s->id, &iface);
		if (rt != NULL && iface != NULL && rt->admin_up && iface->admin_up) {
			memcpy(si->server_mac, iface->mac, 6);
		} else {
			sp = service_port(r->m, s, &ip);
			if (sp == NULL)
				return sub_problem(
					r, s, "ipv6_address_mode",
					"no router interface and no DHCP port (network:dhcp) on the "
					"subnet: no DHCPv6 server identity; its ports get no DHCPv6 "
					"answers");
			memcpy(si->server_mac, sp->mac, 6);
		}
	}
	si->ok = 1;
	return 0;
}

/* The subnet's shared part, checked (and reported) on first use. */
static int
subnet_get(struct drun *r, const struct fp_model_subnet *s, const struct subnet_info **out)
{
	struct subnet_info *si;
	size_t i;

	for (i = 0; i < r->n_subs; i++) {
		if (r->subs[i].s == s) {
			*out = &r->subs[i];
			return 0;
		}
	}
	if (r->n_subs == r->cap_subs) {
		size_t cap = r->cap_subs ? r->cap_subs * 2 : 16;

		si = realloc(r->subs, cap * sizeof(*si));
		if (si == NULL)
			return -ENOMEM;
		r->subs = si;
		r->cap_subs = cap;
	}
	si = &r->subs[r->n_subs++];
	memset(si, 0, sizeof(*si));
	si->s = s;
	*out = si;
	return subnet_check(r, si);
}

/* Does the port keep ip in its network (its neigh entry is the port's)? */
static int
port_keeps(const struct drun *r, const struct fp_compile_dhcp_port *dp, const struct fp_ip *ip)
{
	const struct fp_neigh_val *v;
	struct fp_neigh_key k;

	memset(&k, 0, sizeof(k));
	k.vrf = dp->n->vni;
	k.ip = *ip;
	v = fp_entry_set_find(r->out, FP_TABLE_NEIGH, &k);
	return v != NULL && memcmp(v->mac, dp->p->mac, 6) == 0 && v->vni == dp->n->vni;
}

static int
port_problem(struct drun *r, const struct fp_model_port *p, uint32_t f, const char *fmt,
	     const char *a, const char *b)
{
	char field[64];

	snprintf(field, sizeof(field), "fixed_ips[%u]", f);
	return fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_PORT, p->id,
				       field, fmt, a, b);
}

static int
entry_problem(struct drun *r, const struct fp_model_port *p, uint32_t f, const char *table,
	      const char *err)
{
	return port_problem(r, p, f, "no %s entry: %s", table, err);
}

/* The port's DHCPv4 entry from its fixed IP f on subnet s. */
static int
dhcp4_emit(struct drun *r, const struct fp_compile_dhcp_port *dp, uint32_t f,
	   const struct subnet_info *si)
{
	const struct fp_model_subnet *s = si->s;
	char err[ERR_SIZE];
	struct fp_dhcp_key k;
	struct fp_dhcp_val v;
	uint32_t i;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.port_id = dp->port_id;
	memcpy(v.mac, dp->p->mac, 6);
	v.mtu = dp->n->mtu;
	memcpy(v.addr, &dp->p->fixed_ips[f].ip.b[12], 4);
	memcpy(v.server, &si->server.b[12], 4);
	if (s->has_gateway)
		memcpy(v.router, &s->gateway.b[12], 4);
	v.lease = r->lease;
	v.plen = (uint8_t)(s->plen - 96);
	for (i = 0; i < s->n_dns && i < FP_DHCP_DNS_MAX; i++)
		memcpy(v.dns[i], &s->dns[i].b[12], 4);
	v.n_dns = (uint8_t)i;
	for (i = 0; i < s->n_host_routes && i < FP_DHCP_ROUTE_MAX; i++) {
		const struct fp_model_route *hr = &s->host_routes[i];
		struct fp_ip dst = hr->destination;

		fp_addr_prefix_mask(&dst, hr->plen);
		memcpy(v.routes[i].dst, &dst.b[12], 4);
		memcpy(v.routes[i].gw, &hr->nexthop.b[12], 4);
		v.routes[i].plen = (uint8_t)(hr->plen - 96);
	}
	v.n_routes = (uint8_t)i;
	if (fp_dhcp4_check(&v, err, sizeof(err)) < 0)
		return entry_problem(r, dp->p, f, "dhcp", err);
	return fp_entry_set_apply(r->out, FP_TABLE_DHCP, &k, &v);
}

/* The port's DHCPv6 entry from its fixed IP f on subnet s. */
static int
dhcp6_emit(struct drun *r, const struct fp_compile_dhcp_port *dp, uint32_t f,
	   const struct subnet_info *si)
{
	const struct fp_model_subnet *s = si->s;
	char err[ERR_SIZE];
	struct fp_dhcp6_key k;
	struct fp_dhcp6_val v;
	uint32_t i;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.port_id = dp->port_id;
	memcpy(v.mac, dp->p->mac, 6);
	memcpy(v.server_mac, si->server_mac, 6);
	if (s->addr_mode != FP_MODEL_V6_DHCPV6_STATELESS) {
		memcpy(v.addr, dp->p->fixed_ips[f].ip.b, 16);
		v.preferred = r->lease;
		v.valid = r->lease;
	}
	for (i = 0; i < s->n_dns && i < FP_DHCP6_DNS_MAX; i++)
		memcpy(v.dns[i], s->dns[i].b, 16);
	v.n_dns = (uint8_t)i;
	if (fp_dhcp6_check(&v, err, sizeof(err)) < 0)
		return entry_problem(r, dp->p, f, "dhcp6", err);
	return fp_entry_set_apply(r->out, FP_TABLE_DHCP6, &k, &v);
}

/* A local port's dhcp and dhcp6 entries: per family, its first kept fixed
 * IP on a subnet that asks for them.
 */
static int
port_emit(struct drun *r, const struct fp_compile_dhcp_port *dp)
{
	const struct fp_model_port *p = dp->p;
	char a[FP_ADDR_IP_STR], b[FP_ADDR_IP_STR];
	uint32_t f, first[2] = { UINT32_MAX, UINT32_MAX };
	int rc = 0;

	for (f = 0; f < p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX && rc == 0; f++) {
		const struct fp_model_fixed_ip *fi = &p->fixed_ips[f];
		const struct fp_model_subnet *s = fp_model_subnet_find(r->m, fi->subnet_id);
		const struct subnet_info *si;
		int v6;

		if (s == NULL || strcmp(s->network_id, p->network_id) != 0)
			continue; /* the model's check reports it */
		v6 = s->ip_version == 6;
		if (v6 ? !wants_dhcp6(s) || !r->ctx->dhcp6_served :
			 !s->enable_dhcp || !r->ctx->dhcp_served)
			continue;
		if (!port_keeps(r, dp, &fi->ip))
			continue; /* another port keeps it: compile.c reports it */
		if (first[v6] != UINT32_MAX) {
			rc = port_problem(r, p, f,
					  "DHCP offers one address per port and family: %s is "
					  "offered, %s is not",
					  fp_addr_ip_str(&p->fixed_ips[first[v6]].ip, a),
					  fp_addr_ip_str(&fi->ip, b));
			continue;
		}
		first[v6] = f;
		rc = subnet_get(r, s, &si);
		if (rc || !si->ok)
			continue;
		rc = v6 ? dhcp6_emit(r, dp, f, si) : dhcp4_emit(r, dp, f, si);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Router advertisements, per network with a local port.
 */

static int
net_problem(struct drun *r, const struct fp_model_network *n, const char *field, const char *why)
{
	return fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_NETWORK,
				       n->id, field, "%s", why);
}

static int
ra_emit(struct drun *r, const struct fp_model_network *n)
{
	const struct fp_model_subnet **subs = NULL;
	const struct fp_model_port *owner = NULL;
	const struct fp_model_subnet *owner_sub = NULL;
	char err[ERR_SIZE], why[512], macs[FP_ADDR_MAC_STR];
	struct fp_ip dns[FP_RA_DNS_MAX];
	size_t i, n_subs, n_dns = 0, n_dns_want = 0, n_pfx_want = 0;
	const struct fp_model_subnet *bad_dns = NULL;
	int rc = 0, gateway = 0;
	struct fp_ra_key k;
	struct fp_ra_val v;
	uint32_t d;

	n_subs = fp_model_network_subnets(r->m, n->id, NULL, 0);
	if (n_subs == 0)
		return 0;
	subs = calloc(n_subs, sizeof(*subs));
	if (subs == NULL)
		return -ENOMEM;
	fp_model_network_subnets(r->m, n->id, subs, n_subs);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vni = n->vni;
	for (i = 0; i < n_subs && rc == 0; i++) {
		const struct fp_model_subnet *s = subs[i];
		const struct fp_model_port *iface = NULL;
		const struct fp_model_router *rt;
		uint8_t ra_flags = 0, pfx_flags = 0;
		const char *mode = fp_model_v6_mode_names[s->ra_mode % FP_MODEL_V6_MODE_MAX];

		if (!wants_ra(s))
			continue;
		rt = fp_model_subnet_router(r->m, s->id, &iface);
		if (rt == NULL || iface == NULL || !rt->admin_up || !iface->admin_up)
			continue; /* no router here to advertise: Neutron sends none either */
		if (owner != NULL && memcmp(owner->mac, iface->mac, 6) != 0) {
			snprintf(
				why, sizeof(why),
				"network %s has one RA, of router %.63s's interface %s (subnet %s): "
				"this subnet's router %s is not advertised",
				n->id, owner->device_id, fp_addr_mac_str(owner->mac, macs),
				owner_sub->id, rt->id);
			rc = sub_problem(r, s, "ipv6_ra_mode", why);
			continue;
		}
		if (owner == NULL) {
			owner = iface;
			owner_sub = s;
		}
		if (fp_ra_mode_flags(mode, &ra_flags, &pfx_flags) < 0)
			continue;
		v.flags |= ra_flags;
		gateway |= s->has_gateway;
		if (n_pfx_want++ < FP_RA_PREFIX_MAX) {
			struct fp_ra_prefix *pf = &v.prefixes[v.n_prefixes++];
			struct fp_ip pfx = s->cidr;

			fp_addr_prefix_mask(&pfx, s->plen);
			memcpy(pf->prefix, pfx.b, 16);
			pf->plen = s->plen;
			pf->flags = pfx_flags;
			pf->valid = FP_COMPILE_RA_VALID;
			pf->preferred = FP_COMPILE_RA_PREFERRED;
		}
		for (d = 0; d < s->n_dns && d < FP_MODEL_DNS_MAX; d++) {
			size_t j;

			if (fp_addr_ip_is_v4(&s->dns[d])) {
				bad_dns = s;
				continue;
			}

			for (j = 0; j < n_dns && j < FP_RA_DNS_MAX; j++)
				if (memcmp(&dns[j], &s->dns[d], sizeof(dns[j])) == 0)
					break;
			if (j < n_dns && j < FP_RA_DNS_MAX)
				continue;
			if (n_dns < FP_RA_DNS_MAX)
				dns[n_dns++] = s->dns[d];
			n_dns_want++;
		}
	}
	free(subs);
	if (rc || owner == NULL)
		return rc;
	if (bad_dns != NULL) {
		snprintf(why, sizeof(why),
			 "subnet %s names an IPv4 DNS server, which RDNSS cannot carry: no router "
			 "advertisements on the network",
			 bad_dns->id);
		return net_problem(r, n, "subnets", why);
	}
	if (n_pfx_want > FP_RA_PREFIX_MAX) {
		snprintf(why, sizeof(why),
			 "%zu IPv6 subnets with ipv6_ra_mode, an RA holds %u prefixes: "
			 "no router advertisements on the network",
			 n_pfx_want, FP_RA_PREFIX_MAX);
		return net_problem(r, n, "subnets", why);
	}
	if (n_dns_want > FP_RA_DNS_MAX) {
		snprintf(why, sizeof(why),
			 "its IPv6 subnets name %zu DNS servers, an RA holds %u: "
			 "no router advertisements on the network",
			 n_dns_want, FP_RA_DNS_MAX);
		return net_problem(r, n, "subnets", why);
	}
	memcpy(v.mac, owner->mac, 6);
	v.mtu = n->mtu >= 1280 ? n->mtu : 0;
	v.router_lifetime = gateway ? FP_COMPILE_RA_LIFETIME : 0;
	v.max_interval = FP_COMPILE_RA_MAX_INTERVAL;
	v.min_interval = FP_COMPILE_RA_MIN_INTERVAL;
	v.n_dns = (uint8_t)n_dns;
	for (i = 0; i < n_dns; i++)
		memcpy(v.dns[i], dns[i].b, 16);
	v.dns_lifetime = n_dns ? 3 * FP_COMPILE_RA_MAX_INTERVAL : 0;
	if (fp_ra_check(&v, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "no router advertisements: %s", err);
		return net_problem(r, n, "subnets", why);
	}
	return fp_entry_set_apply(r->out, FP_TABLE_RA, &k, &v);
}

int
fp_compile_dhcp(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		const struct fp_compile_dhcp_port *ports, size_t n_ports, struct fp_entry_set *out,
		struct fp_compile_report *rep)
{
	struct drun r;
	size_t i, j;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.m = m;
	r.ctx = ctx;
	r.out = out;
	r.rep = rep;
	r.lease = ctx->dhcp_lease != 0 ? ctx->dhcp_lease : FP_COMPILE_DHCP_LEASE_DEFAULT;
	for (i = 0; i < n_ports && rc == 0; i++)
		if (is_vm(ports[i].p))
			rc = port_emit(&r, &ports[i]);
	/* One RA per network with a local VM port (each network once). */
	for (i = 0; i < n_ports && rc == 0 && ra_served(ctx); i++) {
		if (!is_vm(ports[i].p))
			continue;
		for (j = 0; j < i; j++)
			if (ports[j].n == ports[i].n && is_vm(ports[j].p))
				break;
		if (j == i)
			rc = ra_emit(&r, ports[i].n);
	}
	free(r.subs);
	return rc;
}
