/* SPDX-License-Identifier: BSD-3-Clause */
/* The compiler's word on the metadata service (doc/routing.md,
 * "Metadata"): while fp-control's proxy listens (fp_control.metadata)
 * but the engine does not deliver VMs' connections to 169.254.169.254 to
 * it (ctx->md_undelivered), every IPv4 subnet of a network with a VM port
 * bound to this host carries a problem of kind unsupported ("metadata not
 * served ..."), so that no host claims its VMs get metadata.  With the
 * proxy off (no config group) nothing is said: that is the operator's
 * choice (config drive), as a Neutron without a metadata agent.
 */
#ifndef FP_CONTROL_COMPILE_MD_H
#define FP_CONTROL_COMPILE_MD_H

#include "compile.h"

/**
 * Add the metadata problems of a model on ctx->host to rep.
 *
 * @return 0, or -ENOMEM
 */
int fp_compile_md(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		  struct fp_compile_report *rep);

#endif /* FP_CONTROL_COMPILE_MD_H */
