/* SPDX-License-Identifier: BSD-3-Clause */
/* The compiler's security-group part (compile.h's top comment has the
 * rules): the ports a host filters -> their ruleset ids, the ruleset and
 * address set entries; and the rebinding of installed ruleset and address
 * set ids after an fp-control restart.  Private to the compiler and
 * fp-control.
 *
 * Concurrency: none.
 */
#ifndef FP_CONTROL_COMPILE_SG_H
#define FP_CONTROL_COMPILE_SG_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "entries.h"
#include "model.h"

/* One local port that gets a port entry, in and out of fp_compile_sg(). */
struct fp_compile_sg_port {
	const struct fp_model_port *p; /* in: the port */
	uint32_t ruleset;	       /* out: its ruleset id (FP_PORT_F_SG), 0: not filtered */
	uint8_t drop;		       /* out: it gets no entries at all (fail closed) */
	uint8_t pad[3];		       /* zero */
};

/**
 * Filter the local ports: decide each one's ruleset, add the ruleset and
 * address set entries to out, report problems.
 *
 * @param m     the model
 * @param ctx   this host (ruleset_ids, addrset_ids, sg_enforced, engine)
 * @param ports the local ports (p set, the rest zero)
 * @param n     valid ports
 * @param out   the entries (unsealed)
 * @param rep   problems
 * @return 0, -ENOMEM, -EINVAL (ctx without id allocators while a port
 *	   needs one)
 */
int fp_compile_sg(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		  struct fp_compile_sg_port *ports, size_t n, struct fp_entry_set *out,
		  struct fp_compile_report *rep);

/**
 * After a dump of a dataplane fp-control did not program in this process
 * (a restart): bind the installed address set ids and ruleset ids in
 * ctx->addrset_ids and ctx->ruleset_ids to the keys whose desired
 * content they already hold (an address set by its members; then a
 * ruleset by its rules, with the rebound set ids, and flags), so the next
 * compile rewrites nothing that did not change.  Installed ids no key
 * takes are bound to placeholder keys ("stale:<id>"), so no other key gets
 * them while entries still use them; fp_compile_sg_ids_gc() frees them
 * once they are deleted.
 *
 * @param m         the model
 * @param ctx       this host, as the next compile will use it
 * @param installed what the dataplane holds (sealed)
 * @return 0, -ENOMEM, -EINVAL
 */
int fp_compile_sg_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			 const struct fp_entry_set *installed);

/** Give back the ruleset and address set ids neither set uses (sealed;
 *  either may be NULL).
 */
void fp_compile_sg_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
			  const struct fp_entry_set *desired);

/** The compiler's problem reporter (compile.c): 0 or -ENOMEM. */
int fp_compile_problem(struct fp_compile_report *r, uint16_t coll, const char *id,
		       const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** The same, of a kind other than FP_COMPILE_PROBLEM_CONFLICT. */
int fp_compile_problem_kind(struct fp_compile_report *r, uint16_t kind, uint16_t coll,
			    const char *id, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif /* FP_CONTROL_COMPILE_SG_H */
