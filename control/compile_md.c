/* SPDX-License-Identifier: BSD-3-Clause */
#include "compile_md.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile_sg.h"

int
fp_compile_md(const struct fp_model *m, const struct fp_compile_ctx *ctx,
	      struct fp_compile_report *rep)
{
	size_t i, j, n, n_nets = 0, cap = 0;
	const char **nets = NULL;
	int rc = 0;

	if (!ctx->md_undelivered)
		return 0;
	/* The networks of the VM ports bound here (a few: one engine's). */
	n = fp_model_count(m, FP_MODEL_PORT);
	for (i = 0; i < n; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (p->owner != FP_MODEL_OWNER_VM || strcmp(p->host, ctx->host) != 0)
			continue;
		for (j = 0; j < n_nets && strcmp(nets[j], p->network_id) != 0; j++)
			;
		if (j < n_nets)
			continue;
		if (n_nets == cap) {
			const char **g = realloc(nets, (cap ? cap * 2 : 16) * sizeof(*nets));

			if (g == NULL) {
				free(nets);
				return -ENOMEM;
			}
			nets = g;
			cap = cap ? cap * 2 : 16;
		}
		nets[n_nets++] = p->network_id;
	}
	n = fp_model_count(m, FP_MODEL_SUBNET);
	for (i = 0; i < n && rc == 0 && n_nets > 0; i++) {
		const struct fp_model_subnet *s = fp_model_subnet_at(m, i);

		if (s->ip_version != 4)
			continue;
		for (j = 0; j < n_nets && strcmp(nets[j], s->network_id) != 0; j++)
			;
		if (j < n_nets)
			rc = fp_compile_problem_kind(
				rep, FP_COMPILE_PROBLEM_UNSUPPORTED, FP_MODEL_SUBNET, s->id, "",
				"metadata not served on %s: fp-control's proxy listens, but the %s "
				"engine does not deliver VMs' 169.254.169.254 to it yet "
				"(doc/routing.md)",
				ctx->host, ctx->engine ? ctx->engine : "dataplane's");
	}
	free(nets);
	return rc;
}
