/* SPDX-License-Identifier: BSD-3-Clause */
#include "compile_prov.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_sg.h"
#include "names.h"

/* The engine port named name, or NULL. */
static const struct fp_engine_port *
engine_port(const struct fp_compile_ctx *ctx, const char *name)
{
	uint32_t i;

	for (i = 0; ctx->ports != NULL && i < ctx->n_ports; i++)
		if (strncmp(ctx->ports[i].name, name, FP_NAME_SIZE) == 0)
			return &ctx->ports[i];
	return NULL;
}

static int
unsupported(struct fp_compile_report *rep, const struct fp_model_network *n, const char *field,
	    const char *why)
{
	int rc = fp_compile_problem_kind(
		rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_NETWORK, n->id, field,
		"%s network on physical network %s: %s: the network and "
		"its ports are not installed here",
		fp_model_net_type_names[n->type % FP_MODEL_NET_TYPE_MAX], n->physnet, why);

	return rc < 0 ? rc : 1;
}

int
fp_compile_prov_place(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		      const struct fp_model_network *n, struct fp_compile_report *rep,
		      struct fp_compile_prov *out)
{
	const struct fp_model_host *h = fp_model_host_find(m, ctx->host);
	const struct fp_engine_port *ep;
	const char *port = h != NULL ? fp_model_host_bridge(h, n->physnet) : NULL;
	char key[FP_MODEL_ID_SIZE + 8], why[160];
	uint32_t id;
	int rc;

	if (!ctx->segments_carried) {
		snprintf(why, sizeof(why), "the %s engine does not carry provider networks",
			 ctx->engine != NULL ? ctx->engine : "dataplane");
		return unsupported(rep, n, "provider:network_type", why);
	}
	if (port == NULL) {
		snprintf(why, sizeof(why),
			 "host %s maps no port to it (its hosts resource's bridge_mappings)",
			 ctx->host);
		return unsupported(rep, n, "provider:physical_network", why);
	}
	ep = engine_port(ctx, port);
	if (ep == NULL || ep->role != FP_PORT_ROLE_PHYSICAL || ep->id >= FP_PORT_MAX) {
		snprintf(why, sizeof(why), "bridge_mappings names port \"%s\", %s", port,
			 ep == NULL ? "which the dataplane does not have" :
				      "which is not a physical port");
		return unsupported(rep, n, "provider:physical_network", why);
	}
	if (ctx->net_ids == NULL)
		return unsupported(rep, n, "provider:network_type", "no network id allocator");
	snprintf(key, sizeof(key), "net:%s", n->id);
	rc = fp_ids_get(ctx->net_ids, key, &id);
	if (rc == -ENOSPC)
		return unsupported(rep, n, "provider:network_type", "no free network id");
	if (rc < 0)
		return rc;
	out->id = FP_NET_PROVIDER | id;
	out->port = ep->id;
	out->vlan = n->type == FP_MODEL_NET_VLAN ? (uint16_t)n->segmentation_id : 0;
	out->mtu = ep->mtu;
	if (ep->mtu != 0 && n->mtu > ep->mtu) {
		rc = fp_compile_problem_kind(
			rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_NETWORK, n->id, "mtu",
			"MTU %u is larger than physical port %s's (%u): longer frames are dropped "
			"as too_big there",
			n->mtu, ep->name, ep->mtu);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
fp_compile_prov_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		       const struct fp_entry_set *installed)
{
	size_t i, j, cnt = installed != NULL ? fp_entry_set_count(installed) : 0;
	size_t n_nets = fp_model_count(m, FP_MODEL_NETWORK);
	const struct fp_model_host *h = fp_model_host_find(m, ctx->host);
	char key[FP_MODEL_ID_SIZE + 8];
	struct fp_entry e;

	if (ctx->net_ids == NULL)
		return 0;
	for (i = 0; i < cnt; i++) {
		const struct fp_segment_key *k;
		const struct fp_segment_val *v;
		uint32_t id;

		if (fp_entry_set_at(installed, i, &e) < 0)
			return -EINVAL;
		if (e.table != FP_TABLE_SEGMENT)
			continue;
		k = e.key;
		v = e.val;
		id = v->vni & FP_NET_PROVIDER_MAX;
		snprintf(key, sizeof(key), "stale:%u", id);
		for (j = 0; h != NULL && j < n_nets; j++) {
			const struct fp_model_network *n = fp_model_network_at(m, j);
			const struct fp_engine_port *ep;
			const char *port;

			if (!fp_compile_prov_is(n) ||
			    (n->type == FP_MODEL_NET_VLAN ? n->segmentation_id : 0) != k->vlan)
				continue;
			port = fp_model_host_bridge(h, n->physnet);
			ep = port != NULL ? engine_port(ctx, port) : NULL;
			if (ep == NULL || ep->id != k->port_id)
				continue;
			snprintf(key, sizeof(key), "net:%s", n->id);
			break;
		}
		/* -EEXIST: bound otherwise already; the first binding stays. */
		if (fp_ids_bind(ctx->net_ids, key, id) == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

/* The provider network ids s's segments use, appended to *v. */
static int
ids_collect(const struct fp_entry_set *s, uint32_t **v, size_t *n, size_t *cap)
{
	size_t i, cnt = s != NULL ? fp_entry_set_count(s) : 0;
	struct fp_entry e;

	for (i = 0; i < cnt; i++) {
		if (fp_entry_set_at(s, i, &e) < 0)
			return -EINVAL;
		if (e.table != FP_TABLE_SEGMENT)
			continue;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			uint32_t *nv = realloc(*v, c * sizeof(**v));

			if (nv == NULL)
				return -ENOMEM;
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = ((const struct fp_segment_val *)e.val)->vni & FP_NET_PROVIDER_MAX;
	}
	return 0;
}

struct used {
	const uint32_t *v; /* the ids in use */
	size_t n;	   /* valid v */
};

static int
id_used(uint32_t id, void *arg)
{
	const struct used *u = arg;
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i] == id)
			return 1;
	return 0;
}

void
fp_compile_prov_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
		       const struct fp_entry_set *desired)
{
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;

	if (ctx == NULL || ctx->net_ids == NULL)
		return;
	/* Out of memory: keep every id (gc is only an economy). */
	if (ids_collect(installed, &v, &n, &cap) == 0 && ids_collect(desired, &v, &n, &cap) == 0) {
		struct used u = { v, n };

		fp_ids_gc(ctx->net_ids, id_used, &u);
	}
	free(v);
}
