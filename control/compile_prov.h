/* SPDX-License-Identifier: BSD-3-Clause */
/* Provider networks in the compiler (doc/routing.md "Provider networks").
 *
 * A vlan network on physical network P with segmentation id T, or a flat
 * network on P (T = 0), is carried on this host when the engine carries
 * segments (ctx->segments_carried) and this host's hosts resource maps P
 * (bridge_mappings) to an engine port of role physical: its network id is
 * FP_NET_PROVIDER | n, n from ctx->net_ids ("net:<network id>", stable
 * across compiles and, through fp_compile_prov_rebind(), restarts), and
 * its segment is (that port, T).  compile.c then gives it the entries of
 * any present network under that id, with phys destinations (the port,
 * the tag) where an overlay network has vteps.
 *
 * Everything else is a problem of kind unsupported on the network (not
 * installed): an engine without segments (the XDP engine), P not mapped
 * here, mapped to a port the engine lacks or that is not physical, no
 * free id.  A network larger than its physical port's MTU is installed
 * with a problem (longer frames are dropped as too_big).
 */
#ifndef FP_CONTROL_COMPILE_PROV_H
#define FP_CONTROL_COMPILE_PROV_H

#include <stdint.h>

#include "compile.h"
#include "entries.h"
#include "model.h"

/* Provider network ids n of FP_NET_PROVIDER | n: 1..FP_COMPILE_PROV_IDS_LIMIT-1. */
#define FP_COMPILE_PROV_IDS_LIMIT (1u << 16)

/* Where a provider network leaves this host. */
struct fp_compile_prov {
	uint32_t id;   /* its network id, FP_NET_PROVIDER | n */
	uint32_t port; /* the physical port's id */
	uint16_t vlan; /* the tag (vlan), 0 (flat) */
	uint16_t mtu;  /* the physical port's MTU */
};

/** Is the network a provider network (vlan or flat)? */
static inline int
fp_compile_prov_is(const struct fp_model_network *n)
{
	return n->type == FP_MODEL_NET_VLAN || n->type == FP_MODEL_NET_FLAT;
}

/**
 * Place provider network n on this host.
 *
 * @return 0 (placed: out filled), 1 (not carried here: a problem on n is
 *	   reported), or a negative errno (ENOMEM)
 */
int fp_compile_prov_place(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			  const struct fp_model_network *n, struct fp_compile_report *rep,
			  struct fp_compile_prov *out);

/**
 * After a restart: bind each provider network id an installed segment
 * entry holds to the network of that (physical port, vlan) here, so a
 * restart rewrites nothing; an id no network claims is bound to
 * "stale:<n>" until fp_compile_prov_ids_gc() finds it unused.
 *
 * @return 0, or a negative errno
 */
int fp_compile_prov_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			   const struct fp_entry_set *installed);

/** Release the provider network ids neither installed nor desired segments use. */
void fp_compile_prov_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
			    const struct fp_entry_set *desired);

#endif /* FP_CONTROL_COMPILE_PROV_H */
