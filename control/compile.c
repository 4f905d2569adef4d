/* SPDX-License-Identifier: BSD-3-Clause */
#include "compile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compile_dhcp.h"
#include "compile_l3.h"
#include "compile_md.h"
#include "compile_prov.h"
#include "compile_sg.h"
#include "names.h"

#define NONE UINT32_MAX /* no index, no id */

/* ------------------------------------------------------------------------
 * The report.
 */

void
fp_compile_report_free(struct fp_compile_report *r)
{
	if (r == NULL)
		return;
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

#define KIND_NAME(id, name) [FP_COMPILE_PROBLEM_##id] = name,
const char *const fp_compile_problem_kind_names[FP_COMPILE_PROBLEM_KIND_MAX] = {
	FP_FOREACH_COMPILE_PROBLEM(KIND_NAME)
};
#undef KIND_NAME

static int problem_add(struct fp_compile_report *r, uint16_t kind, uint16_t coll, const char *id,
		       const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static int
problem_add(struct fp_compile_report *r, uint16_t kind, uint16_t coll, const char *id,
	    const char *field, const char *fmt, va_list ap)
{
	struct fp_compile_problem *p;

	if (r->n_problems == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;

		p = realloc(r->problems, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		r->problems = p;
		r->cap = cap;
	}
	p = &r->problems[r->n_problems++];
	memset(p, 0, sizeof(*p));
	p->coll = coll;
	p->kind = kind;
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->field, sizeof(p->field), "%s", field);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	return 0;
}

int
fp_compile_problem(struct fp_compile_report *r, uint16_t coll, const char *id, const char *field,
		   const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = problem_add(r, FP_COMPILE_PROBLEM_CONFLICT, coll, id, field, fmt, ap);
	va_end(ap);
	return rc;
}

int
fp_compile_problem_kind(struct fp_compile_report *r, uint16_t kind, uint16_t coll, const char *id,
			const char *field, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = problem_add(r, kind, coll, id, field, fmt, ap);
	va_end(ap);
	return rc;
}

/* ------------------------------------------------------------------------
 * Addresses.
 */

/* Neither zero nor multicast: what the dataplane takes as a vtep remote
 * or a neighbour.
 */
static int
ip_is_unicast(const struct fp_ip *ip)
{
	return !fp_addr_ip_is_zero(ip) && !fp_addr_ip_is_multicast(ip);
}

/* ------------------------------------------------------------------------
 * The compiler.  One run holds the model's resources as arrays in id
 * order and decides per port, in phases, each over the survivors of the
 * one before:
 *   1. networks: a VNI used by two networks stays with the lower id;
 *   2. ports: network, binding, admin state, then for local ports the
 *      dataplane port (its first claimant in id order keeps it) and for
 *      remote ports the host (known, a family, a next hop);
 *   3. MACs: per network, the lowest port id with a MAC keeps it;
 *   3b. security groups: each local port's ruleset (compile_sg.c); a
 *      port that cannot be filtered as it must gets nothing;
 *   4. presence: networks with a local port; vtep ids for the (host,
 *      encap) pairs their remote ports need, in host order;
 *   5. IPs: per network, the lowest port id with a fixed IP keeps it;
 *   6. entries.
 * Conflicts are resolved among ports that would otherwise get entries:
 * an unbound or admin-down port claims nothing.
 */

/* What a port gets. */
enum port_kind {
	PORT_SKIP,   /* nothing */
	PORT_LOCAL,  /* port, fdb, neigh entries; a flood member */
	PORT_REMOTE, /* fdb and neigh entries; its host's vtep floods */
};

/* Why a host cannot be reached from here. */
enum host_status {
	HOST_OK,	  /* remote, local and nh_mac are set */
	HOST_NO_FAMILY,	  /* no vtep address of a family we have */
	HOST_NO_NH,	  /* no next-hop MAC */
	HOST_NO_UNDERLAY, /* ctx->underlay_port is not an underlay port */
};

struct net_state {
	const struct fp_model_network *n; /* the network (a provider one: a copy, vni its id) */
	uint32_t keeper;		  /* the network that keeps its VNI, or NONE */
	uint8_t usable;			  /* its VNI is its own */
	uint8_t present;		  /* a local port is placed in it */
	uint8_t provider;		  /* a provider network carried here (phys, vlan) */
	uint8_t pad;			  /* zero */
	uint32_t phys;			  /* provider: the physical port's id */
	uint32_t vlan;			  /* provider: its tag, 0: flat */
};

struct host_state {
	const struct fp_model_host *h; /* the host */
	struct fp_ip remote;	       /* its address we tunnel to */
	struct fp_ip local;	       /* our address we tunnel from */
	uint32_t vtep[FP_ENCAP_MAX];   /* vtep id per encap, or NONE */
	uint8_t need[FP_ENCAP_MAX];    /* a present network needs the vtep */
	uint8_t nh_mac[6];	       /* next hop toward it */
	uint8_t status;		       /* HOST_* */
	uint8_t pad;		       /* zero */
};

struct port_state {
	const struct fp_model_port *p; /* the port */
	uint32_t net;		       /* network index, or NONE */
	uint32_t where;		       /* LOCAL: dataplane port id; REMOTE: host index */
	uint32_t kind;		       /* PORT_* */
	uint32_t ruleset;	       /* LOCAL: its ruleset id (FP_PORT_F_SG), or 0 */
	uint32_t phost;		       /* REMOTE on a provider network: host index, or NONE */
};

/* A placed port's MAC in its network. */
struct mac_claim {
	uint32_t net;	/* network index */
	uint32_t port;	/* port index (id order) */
	uint8_t mac[6]; /* the port's MAC */
	uint8_t pad[2]; /* zero */
};

/* A placed port's fixed IP in its network. */
struct ip_claim {
	struct fp_ip ip; /* the address */
	uint32_t net;	 /* network index */
	uint32_t port;	 /* port index (id order) */
	uint32_t fip;	 /* index in its fixed_ips */
	uint32_t pad;	 /* zero */
};

/* A host whose vtep must serve a network because a router on this host
 * links the network with one of the host's (it sends routed packets in).
 */
struct rpeer {
	uint32_t net;  /* network index */
	uint32_t host; /* host index */
};

/* One compile run. */
struct run {
	const struct fp_model *m;		  /* the model */
	const struct fp_compile_ctx *ctx;	  /* this host */
	struct fp_entry_set *out;		  /* the entries */
	struct fp_compile_report *rep;		  /* the problems */
	struct net_state *nets;			  /* networks in id order */
	size_t n_nets;				  /* valid nets */
	struct host_state *hosts;		  /* hosts in id order */
	size_t n_hosts;				  /* valid hosts */
	struct port_state *ports;		  /* ports in id order */
	size_t n_ports;				  /* valid ports */
	const struct fp_engine_port **dp_by_name; /* ctx->ports sorted by name */
	uint32_t n_dp;				  /* valid dp_by_name */
	uint32_t dp_owner[FP_PORT_MAX];		  /* port index per dataplane port, or NONE */
	struct mac_claim *macs;			  /* placed ports by (network, MAC, id) */
	size_t n_macs;				  /* valid macs */
	struct ip_claim *ips;			  /* fixed IPs by (network, IP, id) */
	size_t n_ips;				  /* valid ips */
	uint32_t local_v4;			  /* index of our first IPv4 VTEP, or NONE */
	uint32_t local_v6;			  /* index of our first IPv6 VTEP, or NONE */
	int underlay_ok;			  /* ctx->underlay_port is an underlay port */
	struct fp_compile_l3_net *l3nets;	  /* nets for compile_l3.c, same order */
	struct fp_compile_l3_index l3ix;	  /* router ports by router (routes carried) */
	struct fp_model_network *pnets;		  /* provider networks' copies, by model index */
	struct rpeer *rpeers;			  /* (network, host) a router here links */
	size_t n_rpeers;			  /* valid rpeers */
	size_t cap_rpeers;			  /* allocated rpeers */
};

static const char *
port_id(const struct run *r, uint32_t port)
{
	return r->ports[port].p->id;
}

/* bsearch() comparators: an id against an entry. */
static int
net_key_cmp(const void *id, const void *elem)
{
	return strcmp(id, ((const struct net_state *)elem)->n->id);
}

static int
host_key_cmp(const void *id, const void *elem)
{
	return strcmp(id, ((const struct host_state *)elem)->h->id);
}

/* Index of the network with this id, or NONE (nets are in id order). */
static uint32_t
net_index(const struct run *r, const char *id)
{
	const struct net_state *e;

	if (r->n_nets == 0)
		return NONE; /* bsearch() takes no NULL array */
	e = bsearch(id, r->nets, r->n_nets, sizeof(*e), net_key_cmp);
	return e != NULL ? (uint32_t)(e - r->nets) : NONE;
}

/* Index of the host with this id, or NONE (hosts are in id order). */
static uint32_t
host_index(const struct run *r, const char *id)
{
	const struct host_state *e;

	if (r->n_hosts == 0)
		return NONE;
	e = bsearch(id, r->hosts, r->n_hosts, sizeof(*e), host_key_cmp);
	return e != NULL ? (uint32_t)(e - r->hosts) : NONE;
}

static int
dp_cmp(const void *a, const void *b)
{
	const struct fp_engine_port *const *x = a, *const *y = b;

	return strncmp((*x)->name, (*y)->name, FP_NAME_SIZE);
}

static const struct fp_engine_port *
dp_find(const struct run *r, const char *name)
{
	uint32_t lo = 0, hi = r->n_dp;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strncmp(name, r->dp_by_name[mid]->name, FP_NAME_SIZE);

		if (c == 0)
			return r->dp_by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int
net_vni_cmp(const void *a, const void *b)
{
	const struct net_state *const *x = a, *const *y = b;

	if ((*x)->n->vni != (*y)->n->vni)
		return (*x)->n->vni < (*y)->n->vni ? -1 : 1;
	/* One array in id order. */
	return (*x > *y) - (*x < *y);
}

static int
mac_claim_cmp(const void *a, const void *b)
{
	const struct mac_claim *x = a, *y = b;
	int c;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	c = memcmp(x->mac, y->mac, sizeof(x->mac));
	if (c != 0)
		return c;
	return (x->port > y->port) - (x->port < y->port);
}

static int
ip_claim_cmp(const void *a, const void *b)
{
	const struct ip_claim *x = a, *y = b;
	int c;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	c = memcmp(&x->ip, &y->ip, sizeof(x->ip));
	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->fip > y->fip) - (x->fip < y->fip);
}

static int
net_id_cmp(const void *a, const void *b)
{
	const struct net_state *x = a, *y = b;

	return strcmp(x->n->id, y->n->id);
}

static int
host_id_cmp(const void *a, const void *b)
{
	const struct host_state *x = a, *y = b;

	return strcmp(x->h->id, y->h->id);
}

static int
port_id_cmp(const void *a, const void *b)
{
	const struct port_state *x = a, *y = b;

	return strcmp(x->p->id, y->p->id);
}

/* The model lists resources in id order; the lookups here and "the lower
 * id wins" need strcmp() order, so make sure (O(n) when it already is).
 */
static void
sort_by_id(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *b = base;
	size_t i;

	for (i = 1; i < n; i++) {
		if (cmp(b + (i - 1) * size, b + i * size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
	}
}

/* One provider network per (physical port, vlan): the lowest id keeps
 * it (Neutron refuses two, but a model may hold them).
 */
static int
dedup_segments(struct run *r)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < r->n_nets && rc == 0; i++) {
		struct net_state *ns = &r->nets[i];

		if (!ns->provider)
			continue;
		for (j = 0; j < i; j++) {
			const struct net_state *k = &r->nets[j];

			if (!k->provider || k->phys != ns->phys || k->vlan != ns->vlan)
				continue;
			ns->usable = 0;
			ns->provider = 0;
			rc = fp_compile_problem(
				r->rep, FP_MODEL_NETWORK, ns->n->id, "provider:segmentation_id",
				"physical network %s %s %u is already network %s's, "
				"which keeps it",
				ns->n->physnet, ns->vlan ? "vlan" : "flat", ns->vlan, k->n->id);
			break;
		}
	}
	return rc;
}

/* Phase 1: networks in id order; a VNI shared by networks stays with the
 * lowest id (the dataplane keys fdb and flood entries by VNI alone).
 */
static int
load_networks(struct run *r)
{
	struct net_state **by_vni, *first = NULL;
	size_t i;
	int rc = 0, placed;

	r->n_nets = fp_model_count(r->m, FP_MODEL_NETWORK);
	if (r->n_nets == 0)
		return 0;
	r->nets = calloc(r->n_nets, sizeof(*r->nets));
	by_vni = calloc(r->n_nets, sizeof(*by_vni));
	if (r->nets == NULL || by_vni == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	r->pnets = calloc(r->n_nets, sizeof(*r->pnets));
	if (r->pnets == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->n_nets && rc == 0; i++) {
		struct net_state *ns = &r->nets[i];
		struct fp_compile_prov pv;

		ns->n = fp_model_network_at(r->m, i);
		ns->keeper = NONE;
		ns->usable = fp_model_network_is_overlay(ns->n) && ns->n->vni != 0 &&
			     ns->n->vni <= FP_VNI_MAX && ns->n->encap < FP_ENCAP_MAX;
		if (!fp_compile_prov_is(ns->n))
			continue;
		/* A provider network carried here: its entries use its id. */
		placed = fp_compile_prov_place(r->m, r->ctx, ns->n, r->rep, &pv);
		if (placed < 0)
			rc = placed;
		if (placed != 0)
			continue;
		r->pnets[i] = *ns->n;
		r->pnets[i].vni = pv.id;
		ns->n = &r->pnets[i];
		ns->usable = 1;
		ns->provider = 1;
		ns->phys = pv.port;
		ns->vlan = pv.vlan;
	}
	if (rc < 0)
		goto out;
	sort_by_id(r->nets, r->n_nets, sizeof(*r->nets), net_id_cmp);
	rc = dedup_segments(r);
	if (rc)
		goto out;
	for (i = 0; i < r->n_nets; i++)
		by_vni[i] = &r->nets[i];
	qsort(by_vni, r->n_nets, sizeof(*by_vni), net_vni_cmp);
	for (i = 0; i < r->n_nets; i++) {
		struct net_state *ns = by_vni[i];

		if (!ns->usable)
			continue;
		if (first != NULL && first->n->vni == ns->n->vni) {
			ns->usable = 0;
			ns->keeper = (uint32_t)(first - r->nets);
		} else {
			first = ns;
		}
	}
	/* Report in id order. */
	for (i = 0; i < r->n_nets && rc == 0; i++) {
		const struct net_state *ns = &r->nets[i];
		const char *field = "provider:segmentation_id";

		if (ns->usable || !fp_model_network_is_overlay(ns->n))
			continue;
		if (ns->keeper == NONE)
			rc = fp_compile_problem(r->rep, FP_MODEL_NETWORK, ns->n->id, field,
						"VNI %u or network type %u out of range",
						ns->n->vni, ns->n->encap);
		else
			rc = fp_compile_problem(
				r->rep, FP_MODEL_NETWORK, ns->n->id, field,
				"VNI %u is already used by network %s, which keeps it", ns->n->vni,
				r->nets[ns->keeper].n->id);
	}
out:
	free(by_vni);
	return rc;
}

/* Is a one of this host's own VTEP addresses? */
static int
ip_is_local(const struct fp_compile_ctx *ctx, const struct fp_ip *a)
{
	uint32_t i;

	for (i = 0; i < ctx->n_local_vteps && i < FP_COMPILE_LOCAL_VTEP_MAX; i++)
		if (memcmp(&ctx->local_vteps[i], a, sizeof(*a)) == 0)
			return 1;
	return 0;
}

/* Where the tunnel to a host starts and ends, and its next hop.  An
 * address of this host's own is never a remote end.
 */
static void
host_resolve(const struct run *r, struct host_state *hs)
{
	const struct fp_compile_ctx *ctx = r->ctx;
	const struct fp_model_host *h = hs->h;
	uint32_t i, e;

	for (e = 0; e < FP_ENCAP_MAX; e++)
		hs->vtep[e] = NONE;
	hs->status = HOST_NO_FAMILY;
	for (i = 0; i < h->n_addrs && i < FP_MODEL_HOST_ADDR_MAX; i++) {
		const struct fp_ip *a = &h->vtep_addrs[i];
		uint32_t l = fp_addr_ip_is_v4(a) ? r->local_v4 : r->local_v6;

		if (l == NONE || !ip_is_unicast(a) || ip_is_local(ctx, a))
			continue;
		hs->remote = *a;
		hs->local = ctx->local_vteps[l];
		hs->status = HOST_OK;
		break;
	}
	if (hs->status != HOST_OK)
		return;
	if (ctx->has_gw_mac)
		memcpy(hs->nh_mac, ctx->gw_mac, sizeof(hs->nh_mac));
	else if (h->has_mac)
		memcpy(hs->nh_mac, h->mac, sizeof(hs->nh_mac));
	if (!fp_addr_mac_is_unicast(hs->nh_mac))
		hs->status = HOST_NO_NH;
	else if (!r->underlay_ok)
		hs->status = HOST_NO_UNDERLAY;
}

/* Our VTEP families, the underlay port, the dataplane ports by name. */
static int
load_ctx(struct run *r)
{
	const struct fp_compile_ctx *ctx = r->ctx;
	uint32_t i, n_local = ctx->n_local_vteps;

	r->local_v4 = NONE;
	r->local_v6 = NONE;
	if (n_local > FP_COMPILE_LOCAL_VTEP_MAX)
		n_local = FP_COMPILE_LOCAL_VTEP_MAX;
	for (i = 0; i < n_local; i++) {
		uint32_t *l = fp_addr_ip_is_v4(&ctx->local_vteps[i]) ? &r->local_v4 : &r->local_v6;

		if (*l == NONE)
			*l = i;
	}
	for (i = 0; i < FP_PORT_MAX; i++)
		r->dp_owner[i] = NONE;
	if (ctx->ports == NULL || ctx->n_ports == 0)
		return 0;
	r->dp_by_name = malloc(ctx->n_ports * sizeof(*r->dp_by_name));
	if (r->dp_by_name == NULL)
		return -ENOMEM;
	for (i = 0; i < ctx->n_ports; i++) {
		const struct fp_engine_port *dp = &ctx->ports[i];

		r->dp_by_name[i] = dp;
		if (dp->id == ctx->underlay_port && dp->role == FP_PORT_ROLE_UNDERLAY)
			r->underlay_ok = 1;
	}
	r->n_dp = ctx->n_ports;
	qsort(r->dp_by_name, r->n_dp, sizeof(*r->dp_by_name), dp_cmp);
	return 0;
}

static int
load_hosts(struct run *r)
{
	size_t i;

	r->n_hosts = fp_model_count(r->m, FP_MODEL_HOST);
	if (r->n_hosts == 0)
		return 0;
	r->hosts = calloc(r->n_hosts, sizeof(*r->hosts));
	if (r->hosts == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_hosts; i++)
		r->hosts[i].h = fp_model_host_at(r->m, i);
	sort_by_id(r->hosts, r->n_hosts, sizeof(*r->hosts), host_id_cmp);
	for (i = 0; i < r->n_hosts; i++)
		host_resolve(r, &r->hosts[i]);
	return 0;
}

/* Another host that claims one of this host's VTEP addresses would get
 * a tunnel to this host itself: a problem of that host.
 */
static int
check_hosts(struct run *r)
{
	size_t i;
	uint32_t a;
	int rc = 0;

	for (i = 0; i < r->n_hosts && rc == 0; i++) {
		const struct fp_model_host *h = r->hosts[i].h;

		if (strcmp(h->id, r->ctx->host) == 0)
			continue;
		for (a = 0; a < h->n_addrs && a < FP_MODEL_HOST_ADDR_MAX && rc == 0; a++) {
			char field[32], ip[FP_ADDR_IP_STR];

			if (!ip_is_local(r->ctx, &h->vtep_addrs[a]))
				continue;
			snprintf(field, sizeof(field), "vtep_addresses[%u]", a);
			rc = fp_compile_problem(
				r->rep, FP_MODEL_HOST, h->id, field,
				"%s is a VTEP address of this host (%s), not of host %s",
				fp_addr_ip_str(&h->vtep_addrs[a], ip), r->ctx->host, h->id);
		}
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * What this flowplane stores but does not carry yet, in one place: each
 * is a problem of kind unsupported (never refuses a request), on the
 * resource and on the ports that depend on it.  The routing compiler
 * takes out the part of a kind it carries.
 */

#define NOT_ROUTED "the %s engine does not route"

static int
report_uncarried(struct run *r)
{
	const char *engine = r->ctx->engine != NULL ? r->ctx->engine : "dataplane";
	size_t i, n;
	int rc = 0;

	/* Networks other than vxlan and geneve: not installed, nor their
	 * ports that would be installed here.
	 */
	for (i = 0; i < r->n_nets && rc == 0; i++) {
		const struct fp_model_network *net = r->nets[i].n;
		const char *type = fp_model_net_type_names[net->type % FP_MODEL_NET_TYPE_MAX];

		/* Provider networks: fp_compile_prov_place() said why not. */
		if (fp_model_network_is_overlay(net) || fp_compile_prov_is(net))
			continue;
		if (net->type == FP_MODEL_NET_SEGMENTS)
			rc = fp_compile_problem_kind(
				r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_NETWORK, net->id,
				"segments",
				"a network of several segments is not supported by flowplane: "
				"the network and its ports are not installed");
		else
			rc = fp_compile_problem_kind(
				r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_NETWORK, net->id,
				"provider:network_type",
				"provider network type %s is not supported by flowplane: the network "
				"and its ports are not installed",
				type);
	}
	n = fp_model_count(r->m, FP_MODEL_PORT);
	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_port *p = fp_model_port_at(r->m, i);
		const struct fp_model_network *net = fp_model_network_find(r->m, p->network_id);
		uint32_t ni = net_index(r, p->network_id);

		if (net != NULL && fp_compile_prov_is(net) && ni != NONE && !r->nets[ni].usable &&
		    strcmp(p->host, r->ctx->host) == 0)
			rc = fp_compile_problem_kind(
				r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_PORT, p->id,
				"network_id",
				"%s network %s on physical network %s is not carried here (the "
				"network's problem says why): port not installed",
				fp_model_net_type_names[net->type % FP_MODEL_NET_TYPE_MAX], net->id,
				net->physnet);
		else if (net != NULL && !fp_model_network_is_overlay(net) &&
			 !fp_compile_prov_is(net) && strcmp(p->host, r->ctx->host) == 0)
			rc = fp_compile_problem_kind(
				r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_PORT, p->id,
				"network_id",
				"network %s is of type %s, which is not carried: port not "
				"installed",
				net->id,
				fp_model_net_type_names[net->type % FP_MODEL_NET_TYPE_MAX]);
		else if (fp_model_port_is_router_port(p) && r->ctx->routes_carried &&
			 p->owner == FP_MODEL_OWNER_ROUTER_SNAT)
			rc = fp_compile_problem_kind(
				r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_PORT, p->id,
				"device_owner",
				"%s of router %s: centralized SNAT needs gateway "
				"nodes, which this flowplane does not have yet",
				p->device_owner, p->device_id);
		else if (fp_model_port_is_router_port(p) && !r->ctx->routes_carried)
			rc = fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED,
						     FP_MODEL_PORT, p->id, "device_owner",
						     "%s of router %s: not routed, " NOT_ROUTED
						     " (bound to a host, the port gets "
						     "only its L2 entries there)",
						     p->device_owner, p->device_id, engine);
	}
	n = r->ctx->routes_carried ? 0 : fp_model_count(r->m, FP_MODEL_ROUTER);
	for (i = 0; i < n && rc == 0; i++)
		rc = fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED,
					     FP_MODEL_ROUTER, fp_model_router_at(r->m, i)->id, "",
					     "not enforced: " NOT_ROUTED
					     "; ports on this router's networks reach only "
					     "their own network",
					     engine);
	/* DHCP and router advertisements an engine does not serve. */
	if (rc == 0)
		rc = fp_compile_dhcp_unserved(r->m, r->ctx, r->rep);
	/* Floating IPs are translated on their port's host: where the engine
	 * routes, compile_l3.c serves them or says why not.
	 */
	n = r->ctx->routes_carried ? 0 : fp_model_count(r->m, FP_MODEL_FLOATINGIP);
	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_floatingip *f = fp_model_floatingip_at(r->m, i);
		const struct fp_model_port *p = f->port_id[0] ?
							fp_model_port_find(r->m, f->port_id) :
							NULL;

		if (p != NULL && strcmp(p->host, r->ctx->host) == 0)
			rc = fp_compile_problem_kind(r->rep, FP_COMPILE_PROBLEM_UNSUPPORTED,
						     FP_MODEL_FLOATINGIP, f->id, "",
						     "not translated: " NOT_ROUTED
						     " and does not translate floating IPs",
						     engine);
	}
	return rc;
}

/* fp_model_check()'s faults: problems of kind inconsistent. */
static int
model_fault(void *arg, enum fp_model_coll coll, const char *id, const char *field,
	    const char *reason)
{
	return fp_compile_problem_kind(arg, FP_COMPILE_PROBLEM_INCONSISTENT, (uint16_t)coll, id,
				       field, "%s", reason);
}

/* A subnet whose network is gone gives nothing; say so. */
static int
check_subnets(struct run *r)
{
	size_t i, n = fp_model_count(r->m, FP_MODEL_SUBNET);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(r->m, i);

		if (net_index(r, s->network_id) == NONE)
			rc = fp_compile_problem(r->rep, FP_MODEL_SUBNET, s->id, "network_id",
						"network %s does not exist", s->network_id);
	}
	return rc;
}

static int
host_problem(struct run *r, const struct fp_model_port *p, const struct host_state *hs)
{
	const struct fp_compile_ctx *ctx = r->ctx;
	char mac[FP_ADDR_MAC_STR];
	const char *fam;

	switch (hs->status) {
	case HOST_NO_FAMILY:
		if (r->local_v4 != NONE && r->local_v6 != NONE)
			fam = "IPv4 or IPv6";
		else if (r->local_v4 != NONE)
			fam = "IPv4";
		else if (r->local_v6 != NONE)
			fam = "IPv6";
		else
			return fp_compile_problem(
				r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
				"host %s cannot be reached: this host has no VTEP address",
				p->host);
		return fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
			"host %s has no usable vtep_addresses of a family this host has a "
			"VTEP address of (%s)",
			p->host, fam);
	case HOST_NO_NH:
		if (ctx->has_gw_mac)
			return fp_compile_problem(
				r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
				"host %s has no next hop: the gateway MAC %s is not unicast",
				p->host, fp_addr_mac_str(ctx->gw_mac, mac));
		return fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
			"host %s has no next hop: it has no unicast underlay_mac and no "
			"gateway MAC is configured",
			p->host);
	default:
		return fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
			"host %s cannot be reached: dataplane port %u is not an underlay "
			"port",
			p->host, ctx->underlay_port);
	}
}

static int
place_local(struct run *r, uint32_t i)
{
	struct port_state *ps = &r->ports[i];
	const struct fp_model_port *p = ps->p;
	const char *field = "binding:profile.flowplane_port";
	const struct fp_engine_port *dp;

	if (p->dp_port[0] == '\0')
		return fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id, field,
			"the port is bound to this host (%s) but names no dataplane port",
			r->ctx->host);
	dp = dp_find(r, p->dp_port);
	if (dp == NULL)
		return fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, field,
					  "no dataplane port named \"%s\" on this host",
					  p->dp_port);
	if (dp->role != FP_PORT_ROLE_VM)
		return fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, field,
					  "dataplane port \"%s\" has role %s, not vm", p->dp_port,
					  dp->role < FP_PORT_ROLE_MAX ? fp_names_role[dp->role] :
									"unknown");
	if (dp->id >= FP_PORT_MAX)
		return fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, field,
					  "dataplane port \"%s\" has id %u, out of range 0..%u",
					  p->dp_port, dp->id, FP_PORT_MAX - 1);
	if (r->dp_owner[dp->id] != NONE)
		return fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, field,
					  "dataplane port \"%s\" is already used by port %s",
					  p->dp_port, port_id(r, r->dp_owner[dp->id]));
	r->dp_owner[dp->id] = i;
	ps->kind = PORT_LOCAL;
	ps->where = dp->id;
	return 0;
}

static int
place_remote(struct run *r, uint32_t i, const char *host)
{
	struct port_state *ps = &r->ports[i];
	const struct fp_model_port *p = ps->p;
	uint32_t h = host_index(r, host);

	if (h == NONE)
		return fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, "binding:host_id",
					  "host %s is unknown: no hosts resource has that id",
					  host);
	if (r->hosts[h].status != HOST_OK)
		return host_problem(r, p, &r->hosts[h]);
	ps->kind = PORT_REMOTE;
	ps->where = h;
	return 0;
}

/* Phase 2: what each port would get on its own. */
static int
load_ports(struct run *r)
{
	char mac[FP_ADDR_MAC_STR];
	size_t i;
	int rc = 0;

	r->n_ports = fp_model_count(r->m, FP_MODEL_PORT);
	if (r->n_ports == 0)
		return 0;
	r->ports = calloc(r->n_ports, sizeof(*r->ports));
	if (r->ports == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_ports; i++)
		r->ports[i].p = fp_model_port_at(r->m, i);
	sort_by_id(r->ports, r->n_ports, sizeof(*r->ports), port_id_cmp);
	for (i = 0; i < r->n_ports && rc == 0; i++) {
		struct port_state *ps = &r->ports[i];
		const struct fp_model_port *p = ps->p;

		ps->kind = PORT_SKIP;
		ps->where = NONE;
		ps->phost = NONE;
		ps->net = net_index(r, p->network_id);
		if (ps->net == NONE) {
			rc = fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, "network_id",
						"network %s does not exist", p->network_id);
			continue;
		}
		if (!r->nets[ps->net].usable || p->host[0] == '\0' || !p->admin_up)
			continue;
		/* A routed router's ports are the router's (compile_l3.c). */
		if (r->ctx->routes_carried && fp_model_port_is_router_port(p))
			continue;
		if (!fp_addr_mac_is_unicast(p->mac)) {
			rc = fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, "mac_address",
						"%s is not a unicast MAC",
						fp_addr_mac_str(p->mac, mac));
			continue;
		}
		if (strcmp(p->host, r->ctx->host) == 0) {
			rc = place_local(r, (uint32_t)i);
		} else if (r->nets[ps->net].provider) {
			/* Behind the physical port: no tunnel, no host needed;
			 * its host is kept for router_peers() (that host has
			 * the port's routers and tunnels into their overlay
			 * networks).
			 */
			ps->kind = PORT_REMOTE;
			ps->where = NONE;
			ps->phost = host_index(r, p->host);
		} else {
			rc = place_remote(r, (uint32_t)i, p->host);
		}
	}
	return rc;
}

/* The host a floating IP's own port (device_owner network:floatingip,
 * unbound in Neutron) is at: its floating IP's port's host, where the
 * floating IP is translated (compile_l3.h); NULL if none (no such
 * floating IP, not associated, its port unbound or down).
 */
static const char *
fip_port_host(const struct run *r, const struct fp_model_port *p)
{
	const struct fp_model_floatingip *f = fp_model_floatingip_find(r->m, p->device_id);
	const struct fp_model_port *vm;

	if (f == NULL || f->port_id[0] == '\0')
		return NULL;
	vm = fp_model_port_find(r->m, f->port_id);
	if (vm == NULL || vm->host[0] == '\0' || !vm->admin_up)
		return NULL;
	return vm->host;
}

/* Phase 2b: a floating IP's own port is placed at its VM's host, as a
 * port of the external network there: other hosts get fdb (external
 * network, its MAC) -> that host's vtep and neigh (external network,
 * floating IP) -> its MAC, as for a port, so the outside reaches the
 * floating IP on the VM's host (OVN's distributed dnat_and_snat).  On
 * the VM's host itself it gets nothing here: compile_l3.c emits its
 * router entries.
 */
static int
place_fip_ports(struct run *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n_ports && rc == 0; i++) {
		struct port_state *ps = &r->ports[i];
		const struct fp_model_port *p = ps->p;
		const char *host;

		if (p->owner != FP_MODEL_OWNER_FLOATINGIP || ps->kind != PORT_SKIP ||
		    ps->net == NONE || !r->nets[ps->net].usable || !p->admin_up ||
		    !fp_addr_mac_is_unicast(p->mac))
			continue;
		/* Provider external networks carry no floating IPs yet
		 * (doc/routing.md "Not yet"): nothing to place behind a vtep.
		 */
		if (r->nets[ps->net].provider)
			continue;
		host = fip_port_host(r, p);
		if (host == NULL || strcmp(host, r->ctx->host) == 0)
			continue;
		rc = place_remote(r, (uint32_t)i, host);
	}
	return rc;
}

/* Phase 3: one port per MAC in a network, the lowest id. */
static int
dedup_macs(struct run *r)
{
	char mac[FP_ADDR_MAC_STR];
	size_t i, first, n = 0;
	int rc = 0;

	for (i = 0; i < r->n_ports; i++)
		n += r->ports[i].kind != PORT_SKIP;
	if (n == 0)
		return 0;
	r->macs = calloc(n, sizeof(*r->macs));
	if (r->macs == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_ports; i++) {
		const struct port_state *ps = &r->ports[i];
		struct mac_claim *mc;

		if (ps->kind == PORT_SKIP)
			continue;
		mc = &r->macs[r->n_macs++];
		mc->net = ps->net;
		mc->port = (uint32_t)i;
		memcpy(mc->mac, ps->p->mac, sizeof(mc->mac));
	}
	qsort(r->macs, r->n_macs, sizeof(*r->macs), mac_claim_cmp);
	for (i = 1, first = 0; i < r->n_macs && rc == 0; i++) {
		const struct mac_claim *mc = &r->macs[i], *keeper = &r->macs[first];

		if (mc->net != keeper->net || memcmp(mc->mac, keeper->mac, sizeof(mc->mac)) != 0) {
			first = i;
			continue;
		}
		r->ports[mc->port].kind = PORT_SKIP;
		rc = fp_compile_problem(
			r->rep, FP_MODEL_PORT, port_id(r, mc->port), "mac_address",
			"MAC %s is also the MAC of port %s in network %s, which keeps it",
			fp_addr_mac_str(mc->mac, mac), port_id(r, keeper->port),
			r->nets[mc->net].n->id);
	}
	return rc;
}

/* Phase 3b: security groups: the local ports' rulesets; the ruleset and
 * address set entries.
 */
static int
filter_ports(struct run *r)
{
	struct fp_compile_sg_port *sp;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < r->n_ports; i++)
		n += r->ports[i].kind == PORT_LOCAL;
	if (n == 0)
		return 0;
	sp = calloc(n, sizeof(*sp));
	if (sp == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; i < r->n_ports; i++)
		if (r->ports[i].kind == PORT_LOCAL)
			sp[n++].p = r->ports[i].p;
	rc = fp_compile_sg(r->m, r->ctx, sp, n, r->out, r->rep);
	for (i = 0, n = 0; i < r->n_ports && rc == 0; i++) {
		struct port_state *ps = &r->ports[i];

		if (ps->kind != PORT_LOCAL)
			continue;
		ps->ruleset = sp[n].ruleset;
		if (sp[n].drop) {
			r->dp_owner[ps->where] = NONE;
			ps->kind = PORT_SKIP;
		}
		n++;
	}
	free(sp);
	return rc;
}

/* Networks a router on this host reaches are present too (compile_l3.h). */
static int
routed_present(struct run *r)
{
	size_t i;
	int rc;

	if (r->n_nets == 0)
		return 0;
	r->l3nets = calloc(r->n_nets, sizeof(*r->l3nets));
	if (r->l3nets == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_nets; i++) {
		r->l3nets[i].n = r->nets[i].n;
		r->l3nets[i].usable = r->nets[i].usable;
		r->l3nets[i].provider = r->nets[i].provider;
		r->l3nets[i].present = r->nets[i].present;
	}
	if (r->ctx->routes_carried) {
		rc = fp_compile_l3_index_build(r->m, &r->l3ix);
		if (rc)
			return rc;
	}
	rc = fp_compile_l3_present(r->m, r->ctx, &r->l3ix, r->l3nets, r->n_nets);
	if (rc < 0)
		return rc;
	for (i = 0; i < r->n_nets; i++)
		r->nets[i].present = r->l3nets[i].present;
	return 0;
}

static int
rpeer_add(struct run *r, uint32_t net, uint32_t host)
{
	if (r->n_rpeers == r->cap_rpeers) {
		size_t cap = r->cap_rpeers ? r->cap_rpeers * 2 : 16;
		struct rpeer *v = realloc(r->rpeers, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		r->rpeers = v;
		r->cap_rpeers = cap;
	}
	r->rpeers[r->n_rpeers].net = net;
	r->rpeers[r->n_rpeers++].host = host;
	return 0;
}

/* One router here, reaching the networks idx: every host with a port
 * placed in one of its interfaces' networks (idx[0..n_src)) has the
 * router and sends routed packets into all of them.
 */
static int
router_peers(void *arg, const struct fp_model_router *rt, const uint32_t *idx, size_t n_src,
	     size_t n)
{
	struct run *r = arg;
	uint8_t *seen;
	size_t i, j;
	uint32_t h;
	int rc = 0;

	if (r->n_hosts == 0)
		return 0;
	seen = calloc(r->n_hosts, 1);
	if (seen == NULL)
		return -ENOMEM;
	/* The hosts of the router: those with a port in an interface's
	 * network (overlay: its vtep host; provider: its binding host).
	 */
	for (i = 0; i < r->n_macs && rc == 0; i++) {
		const struct mac_claim *mc = &r->macs[i];
		const struct port_state *ps = &r->ports[mc->port];

		if (ps->kind != PORT_REMOTE)
			continue;
		h = ps->where != NONE ? ps->where : ps->phost;
		if (h == NONE || seen[h])
			continue;
		for (j = 0; j < n_src; j++)
			if (idx[j] == mc->net)
				break;
		if (j == n_src)
			continue;
		if (r->hosts[h].status == HOST_OK) {
			seen[h] = 1;
			continue;
		}
		/* Once per host: seen[] marks it reported too (2). */
		seen[h] = 2;
		rc = fp_compile_problem(
			r->rep, FP_MODEL_ROUTER, rt->id, "",
			"host %s has this router (port %s on provider network %s) but cannot be "
			"reached by tunnel: its routed packets into the router's overlay networks "
			"are dropped",
			r->hosts[h].h->id, ps->p->id, ps->p->network_id);
	}
	/* Each serves every network the router reaches (once per host; the
	 * flood list drops the hosts a port of the network already names).
	 */
	for (i = 0; i < r->n_hosts && rc == 0; i++) {
		if (seen[i] != 1)
			continue;
		for (j = 0; j < n && rc == 0; j++) {
			if (!r->nets[idx[j]].present || r->nets[idx[j]].provider)
				continue;
			r->hosts[i].need[r->nets[idx[j]].n->encap] = 1;
			rc = rpeer_add(r, idx[j], (uint32_t)i);
		}
	}
	free(seen);
	return rc;
}

/* Phase 4: networks with a local port, and the vtep ids their remote
 * ports need, allocated in (host, encap) order.
 */
static int
place_vteps(struct run *r)
{
	size_t i, h;
	uint32_t e;
	int rc = 0;

	for (i = 0; i < r->n_macs; i++) {
		const struct mac_claim *mc = &r->macs[i];

		if (r->ports[mc->port].kind == PORT_LOCAL)
			r->nets[mc->net].present = 1;
	}
	rc = routed_present(r);
	if (rc == 0 && r->l3nets != NULL)
		rc = fp_compile_l3_routers(r->m, r->ctx, &r->l3ix, r->l3nets, r->n_nets,
					   router_peers, r);
	if (rc)
		return rc;
	for (i = 0; i < r->n_macs; i++) {
		const struct mac_claim *mc = &r->macs[i];
		const struct port_state *ps = &r->ports[mc->port];

		if (ps->kind == PORT_REMOTE && r->nets[mc->net].present &&
		    !r->nets[mc->net].provider)
			r->hosts[ps->where].need[r->nets[mc->net].n->encap] = 1;
	}
	for (h = 0; h < r->n_hosts; h++) {
		struct host_state *hs = &r->hosts[h];

		for (e = 0; e < FP_ENCAP_MAX; e++) {
			if (!hs->need[e])
				continue;
			rc = fp_vtep_ids_get(r->ctx->ids, hs->h->id, (uint16_t)e, &hs->vtep[e]);
			if (rc == -ENOSPC) {
				hs->vtep[e] = NONE;
				rc = 0;
			} else if (rc) {
				return rc;
			}
		}
	}
	/* Ports toward a host that got no id get nothing. */
	for (i = 0; i < r->n_macs && rc == 0; i++) {
		const struct mac_claim *mc = &r->macs[i];
		struct port_state *ps = &r->ports[mc->port];
		uint16_t encap = r->nets[mc->net].n->encap;
		const struct host_state *hs;

		if (ps->kind != PORT_REMOTE || !r->nets[mc->net].present ||
		    r->nets[mc->net].provider)
			continue;
		hs = &r->hosts[ps->where];
		if (hs->vtep[encap] != NONE)
			continue;
		ps->kind = PORT_SKIP;
		rc = fp_compile_problem(r->rep, FP_MODEL_PORT, ps->p->id, "binding:host_id",
					"no free vtep id for host %s (%s): the vtep table is full",
					hs->h->id, fp_names_encap[encap]);
	}
	return rc;
}

/* Phase 5: one port per fixed IP in a network, the lowest id. */
static int
dedup_ips(struct run *r)
{
	char ip[FP_ADDR_IP_STR];
	size_t i, first, n = 0;
	uint32_t f;
	int rc = 0;

	for (i = 0; i < r->n_ports; i++) {
		const struct port_state *ps = &r->ports[i];

		if (ps->kind != PORT_SKIP)
			n += ps->p->n_fixed_ips;
	}
	if (n == 0)
		return 0;
	r->ips = calloc(n, sizeof(*r->ips));
	if (r->ips == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_ports && rc == 0; i++) {
		const struct port_state *ps = &r->ports[i];

		if (ps->kind == PORT_SKIP)
			continue;
		for (f = 0; f < ps->p->n_fixed_ips && f < FP_MODEL_FIXED_IP_MAX && rc == 0; f++) {
			const struct fp_ip *a = &ps->p->fixed_ips[f].ip;
			struct ip_claim *ic;
			char field[64];

			if (!ip_is_unicast(a)) {
				snprintf(field, sizeof(field), "fixed_ips[%u].ip_address", f);
				rc = fp_compile_problem(r->rep, FP_MODEL_PORT, ps->p->id, field,
							"%s is not a unicast address",
							fp_addr_ip_str(a, ip));
				continue;
			}
			ic = &r->ips[r->n_ips++];
			ic->ip = *a;
			ic->net = ps->net;
			ic->port = (uint32_t)i;
			ic->fip = f;
		}
	}
	if (rc)
		return rc;
	qsort(r->ips, r->n_ips, sizeof(*r->ips), ip_claim_cmp);
	for (i = 1, first = 0; i < r->n_ips && rc == 0; i++) {
		struct ip_claim *ic = &r->ips[i];
		const struct ip_claim *keeper = &r->ips[first];
		char field[64];

		if (ic->net != keeper->net || memcmp(&ic->ip, &keeper->ip, sizeof(ic->ip)) != 0) {
			first = i;
			continue;
		}
		f = ic->fip;
		ic->fip = NONE;
		/* The same address twice in one port is one entry. */
		if (ic->port == keeper->port)
			continue;
		snprintf(field, sizeof(field), "fixed_ips[%u].ip_address", f);
		rc = fp_compile_problem(
			r->rep, FP_MODEL_PORT, port_id(r, ic->port), field,
			"IP %s is also a fixed IP of port %s in network %s, which keeps it",
			fp_addr_ip_str(&ic->ip, ip), port_id(r, keeper->port),
			r->nets[ic->net].n->id);
	}
	return rc;
}

/* A local port's entry: its network, MAC and allowed sources. */
static int
emit_port(struct run *r, const struct port_state *ps)
{
	const struct fp_model_port *p = ps->p;
	const struct fp_model_network *n = r->nets[ps->net].n;
	uint32_t i, n_want = 0, n_fixed = p->n_fixed_ips, n_pairs = p->n_pairs;
	struct fp_port_key k;
	struct fp_port_val v;
	char field[64];
	int rc;

	if (n_fixed > FP_MODEL_FIXED_IP_MAX)
		n_fixed = FP_MODEL_FIXED_IP_MAX;
	if (n_pairs > FP_MODEL_PAIR_MAX)
		n_pairs = FP_MODEL_PAIR_MAX;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.port_id = ps->where;
	v.role = FP_PORT_ROLE_VM;
	v.flags = p->port_security ? FP_PORT_F_ANTISPOOF : 0;
	if (ps->ruleset != 0) {
		v.flags |= FP_PORT_F_SG;
		v.ruleset = ps->ruleset;
	}
	v.mtu = n->mtu;
	v.vni = n->vni;
	v.vrf = n->vni;
	memcpy(v.mac, p->mac, sizeof(v.mac));
	for (i = 0; i < n_fixed; i++, n_want++) {
		struct fp_port_addr *a = &v.addrs[v.n_addrs];

		if (v.n_addrs == FP_PORT_ADDR_MAX)
			continue;
		a->ip = p->fixed_ips[i].ip;
		a->plen = 128;
		v.n_addrs++;
	}
	for (i = 0; i < n_pairs; i++) {
		const struct fp_model_pair *pp = &p->pairs[i];
		struct fp_port_addr *a = &v.addrs[v.n_addrs];
		int v4 = fp_addr_ip_is_v4(&pp->ip);

		if (pp->plen > 128 || (v4 && pp->plen < 96) || (pp->has_mac && pp->mac[0] & 1)) {
			snprintf(field, sizeof(field), "allowed_address_pairs[%u]", i);
			rc = fp_compile_problem(r->rep, FP_MODEL_PORT, p->id, field,
						"prefix length %u (IPv6 bits) or a multicast MAC",
						pp->plen);
			if (rc)
				return rc;
			continue;
		}
		n_want++;
		if (v.n_addrs == FP_PORT_ADDR_MAX)
			continue;
		a->ip = pp->ip;
		a->plen = pp->plen;
		if (pp->has_mac)
			memcpy(a->mac, pp->mac, sizeof(a->mac));
		v.n_addrs++;
	}
	if (n_want > FP_PORT_ADDR_MAX) {
		rc = fp_compile_problem(
			r->rep, FP_MODEL_PORT, p->id,
			n_fixed > FP_PORT_ADDR_MAX ? "fixed_ips" : "allowed_address_pairs",
			"%u allowed sources (fixed IPs, then address pairs), more than a port "
			"entry holds (%u): the last %u are left out",
			n_want, FP_PORT_ADDR_MAX, n_want - FP_PORT_ADDR_MAX);
		if (rc)
			return rc;
	}
	r->rep->n_local_ports++;
	return fp_entry_set_add(r->out, FP_TABLE_PORT, &k, &v);
}

static int
emit_fdb(struct run *r, const struct mac_claim *mc, uint16_t type, uint32_t id, uint16_t vlan)
{
	struct fp_fdb_key k;
	struct fp_fdb_val v;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vni = r->nets[mc->net].n->vni;
	memcpy(k.mac, mc->mac, sizeof(k.mac));
	v.type = type;
	v.flags = vlan; /* FP_DEST_PHYS: the tag */
	v.id = id;
	return fp_entry_set_add(r->out, FP_TABLE_FDB, &k, &v);
}

/* Flood list: local ports by port id, then vteps by id. */
static int
emit_flood(struct run *r, uint32_t net, uint32_t *ports, uint32_t n_ports, uint32_t *vteps,
	   uint32_t n_vteps)
{
	const struct fp_model_network *n = r->nets[net].n;
	struct fp_flood_key k;
	struct fp_flood_val v;
	uint32_t i, j, n_want;
	int rc;

	qsort(ports, n_ports, sizeof(*ports), u32_cmp);
	qsort(vteps, n_vteps, sizeof(*vteps), u32_cmp);
	for (i = 0, j = 0; i < n_vteps; i++) {
		if (j == 0 || vteps[j - 1] != vteps[i])
			vteps[j++] = vteps[i];
	}
	n_vteps = j;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.vni = n->vni;
	for (i = 0; i < n_ports + n_vteps && v.n_members < FP_FLOOD_MEMBER_MAX; i++) {
		struct fp_flood_member *fm = &v.members[v.n_members++];

		fm->type = i < n_ports ? FP_DEST_PORT : FP_DEST_VTEP;
		fm->id = i < n_ports ? ports[i] : vteps[i - n_ports];
	}
	n_want = n_ports + n_vteps;
	/* A provider network: the physical port (tagged), never a vtep. */
	if (r->nets[net].provider) {
		n_want++;
		if (v.n_members < FP_FLOOD_MEMBER_MAX)
			v.members[v.n_members++] = (struct fp_flood_member){
				.type = FP_DEST_PHYS,
				.vlan = (uint16_t)r->nets[net].vlan,
				.id = r->nets[net].phys,
			};
	}
	if (n_want > FP_FLOOD_MEMBER_MAX) {
		rc = fp_compile_problem(
			r->rep, FP_MODEL_NETWORK, n->id, "ports",
			"the flood list of VNI %u needs %u members (%u local ports, %u remote "
			"hosts), more than %u: the last %u remote hosts are left out",
			n->vni, n_want, n_ports, n_vteps, FP_FLOOD_MEMBER_MAX,
			n_want - FP_FLOOD_MEMBER_MAX);
		if (rc)
			return rc;
	}
	return fp_entry_set_add(r->out, FP_TABLE_FLOOD, &k, &v);
}

/* A present provider network's segment: (physical port, tag) -> its id. */
static int
emit_segment(struct run *r, uint32_t net)
{
	struct fp_segment_key k;
	struct fp_segment_val v;

	if (!r->nets[net].provider)
		return 0;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.port_id = r->nets[net].phys;
	k.vlan = (uint16_t)r->nets[net].vlan;
	v.vni = r->nets[net].n->vni;
	return fp_entry_set_add(r->out, FP_TABLE_SEGMENT, &k, &v);
}

static int
emit_vteps(struct run *r)
{
	size_t h;
	uint32_t e;
	int rc;

	for (h = 0; h < r->n_hosts; h++) {
		const struct host_state *hs = &r->hosts[h];

		for (e = 0; e < FP_ENCAP_MAX; e++) {
			struct fp_vtep_key k;
			struct fp_vtep_val v;

			if (!hs->need[e] || hs->vtep[e] == NONE)
				continue;
			memset(&k, 0, sizeof(k));
			memset(&v, 0, sizeof(v));
			k.vtep_id = hs->vtep[e];
			v.remote = hs->remote;
			v.local = hs->local;
			memcpy(v.nh_mac, hs->nh_mac, sizeof(v.nh_mac));
			v.encap = (uint16_t)e;
			v.underlay_port = r->ctx->underlay_port;
			rc = fp_entry_set_add(r->out, FP_TABLE_VTEP, &k, &v);
			if (rc)
				return rc;
			r->rep->n_remote_hosts++;
		}
	}
	return 0;
}

/* Phase 6: port, fdb and flood entries per present network (the MAC
 * claims are grouped by network), then neigh entries.
 */
/* The vteps of the hosts a router here links net with (struct rpeer),
 * written to out; how many.
 */
static uint32_t
peer_vteps(const struct run *r, uint32_t net, uint32_t *out)
{
	uint16_t encap = r->nets[net].n->encap;
	uint32_t n = 0;
	size_t i;

	if (r->nets[net].provider)
		return 0;
	for (i = 0; i < r->n_rpeers; i++) {
		uint32_t id = r->hosts[r->rpeers[i].host].vtep[encap];

		if (r->rpeers[i].net == net && id != NONE)
			out[n++] = id;
	}
	return n;
}

static int
emit_entries(struct run *r)
{
	uint32_t *ports = NULL, *vteps = NULL;
	uint8_t *flooded = NULL;
	size_t i, first;
	int rc;

	rc = emit_vteps(r);
	if (rc)
		return rc;
	ports = malloc((r->n_macs + 1) * sizeof(*ports));
	vteps = malloc((r->n_macs + r->n_rpeers + 1) * sizeof(*vteps));
	flooded = calloc(r->n_nets + 1, 1);
	if (ports == NULL || vteps == NULL || flooded == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (first = 0; first < r->n_macs && rc == 0; first = i) {
		uint32_t net = r->macs[first].net, n_ports = 0, n_vteps = 0;

		for (i = first; i < r->n_macs && r->macs[i].net == net && rc == 0; i++) {
			const struct mac_claim *mc = &r->macs[i];
			const struct port_state *ps = &r->ports[mc->port];
			uint32_t id;

			if (!r->nets[net].present || ps->kind == PORT_SKIP)
				continue;
			if (ps->kind == PORT_LOCAL) {
				rc = emit_port(r, ps);
				if (rc == 0)
					rc = emit_fdb(r, mc, FP_DEST_PORT, ps->where, 0);
				ports[n_ports++] = ps->where;
				continue;
			}
			if (r->nets[net].provider) {
				rc = emit_fdb(r, mc, FP_DEST_PHYS, r->nets[net].phys,
					      (uint16_t)r->nets[net].vlan);
				continue;
			}
			id = r->hosts[ps->where].vtep[r->nets[net].n->encap];
			rc = emit_fdb(r, mc, FP_DEST_VTEP, id, 0);
			vteps[n_vteps++] = id;
		}
		if (rc == 0 && r->nets[net].present) {
			n_vteps += peer_vteps(r, net, vteps + n_vteps);
			rc = emit_flood(r, net, ports, n_ports, vteps, n_vteps);
			if (rc == 0)
				rc = emit_segment(r, net);
			flooded[net] = 1;
			r->rep->n_networks_present++;
		}
	}
	/* A network present for a router (compile_l3.h) may have no port
	 * placed: it is served all the same.
	 */
	for (i = 0; i < r->n_nets && rc == 0; i++) {
		if (!r->nets[i].present || flooded[i])
			continue;
		rc = emit_flood(r, (uint32_t)i, ports, 0, vteps, peer_vteps(r, (uint32_t)i, vteps));
		if (rc == 0)
			rc = emit_segment(r, (uint32_t)i);
		r->rep->n_networks_present++;
	}
	for (i = 0; i < r->n_ips && rc == 0; i++) {
		const struct ip_claim *ic = &r->ips[i];
		const struct port_state *ps = &r->ports[ic->port];
		const struct fp_model_network *n = r->nets[ic->net].n;
		struct fp_neigh_key k;
		struct fp_neigh_val v;

		if (ic->fip == NONE || ps->kind == PORT_SKIP || !r->nets[ic->net].present)
			continue;
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.vrf = n->vni;
		k.ip = ic->ip;
		memcpy(v.mac, ps->p->mac, sizeof(v.mac));
		v.vni = n->vni;
		rc = fp_entry_set_add(r->out, FP_TABLE_NEIGH, &k, &v);
	}
out:
	free(flooded);
	free(vteps);
	free(ports);
	return rc;
}

/* The local ports' DHCP entries (compile_dhcp.h), in port id order. */
static int
emit_dhcp(struct run *r)
{
	struct fp_compile_dhcp_port *v;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < r->n_ports; i++)
		n += r->ports[i].kind == PORT_LOCAL && r->nets[r->ports[i].net].present;
	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; i < r->n_ports; i++) {
		const struct port_state *ps = &r->ports[i];

		if (ps->kind != PORT_LOCAL || !r->nets[ps->net].present)
			continue;
		v[n].p = ps->p;
		v[n].n = r->nets[ps->net].n;
		v[n++].port_id = ps->where;
	}
	rc = fp_compile_dhcp(r->m, r->ctx, v, n, r->out, r->rep);
	free(v);
	return rc;
}

static void
run_free(struct run *r)
{
	free(r->ips);
	free(r->macs);
	free(r->dp_by_name);
	free(r->ports);
	free(r->hosts);
	free(r->nets);
	free(r->pnets);
	free(r->l3nets);
	fp_compile_l3_index_free(&r->l3ix);
	free(r->rpeers);
}

int
fp_compile(const struct fp_model *m, const struct fp_compile_ctx *ctx, struct fp_entry_set *out,
	   struct fp_compile_report *rep)
{
	struct run r;
	int rc;

	if (m == NULL || ctx == NULL || ctx->host == NULL || ctx->ids == NULL || out == NULL ||
	    rep == NULL)
		return -EINVAL;
	fp_compile_report_free(rep);
	fp_entry_set_clear(out);
	memset(&r, 0, sizeof(r));
	r.m = m;
	r.ctx = ctx;
	r.out = out;
	r.rep = rep;
	rc = load_ctx(&r);
	if (rc)
		goto err;
	rc = load_networks(&r);
	if (rc)
		goto err;
	rc = report_uncarried(&r);
	if (rc)
		goto err;
	rc = fp_model_check(m, model_fault, rep);
	if (rc)
		goto err;
	rc = check_subnets(&r);
	if (rc)
		goto err;
	rc = load_hosts(&r);
	if (rc)
		goto err;
	rc = check_hosts(&r);
	if (rc)
		goto err;
	rc = load_ports(&r);
	if (rc)
		goto err;
	rc = place_fip_ports(&r);
	if (rc)
		goto err;
	rc = dedup_macs(&r);
	if (rc)
		goto err;
	rc = filter_ports(&r);
	if (rc)
		goto err;
	rc = place_vteps(&r);
	if (rc)
		goto err;
	rc = dedup_ips(&r);
	if (rc)
		goto err;
	rc = emit_entries(&r);
	if (rc)
		goto err;
	rc = fp_entry_set_seal(out, NULL);
	if (rc)
		goto err;
	/* Into the sealed set (they check what the ports hold). */
	rc = fp_compile_l3(m, ctx, &r.l3ix, r.l3nets, r.l3nets != NULL ? r.n_nets : 0, out, rep);
	if (rc)
		goto err;
	rc = fp_compile_md(m, ctx, rep);
	if (rc)
		goto err;
	rc = emit_dhcp(&r);
	if (rc)
		goto err;
	run_free(&r);
	return 0;

err:
	run_free(&r);
	fp_entry_set_clear(out);
	fp_compile_report_free(rep);
	return rc;
}
