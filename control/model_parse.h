/* SPDX-License-Identifier: BSD-3-Clause */
/* The Neutron resource parsers: JSON object -> struct fp_model_<coll>.
 * Private to the model (model.c stores what they parse).
 *
 * Each collection has one parser, listed in fp_model_parse_colls[] with
 * its struct's size and where the struct keeps its revision.  A parser
 * reads the fields flowplane uses (and only those: every other member is
 * kept as it came, in the stored JSON) and checks references against the
 * model it is given.  It stops at the first fault and fills struct
 * fp_model_err (HTTP status, the field's path, a plain-English reason)
 * through the getters of jget.h.  To add a collection: a struct and an
 * FP_FOREACH_MODEL_COLL row in model.h, a parser and a row of
 * fp_model_parse_colls[] here, and its place in model.c's snapshot order.
 *
 * The envelope every resource shares ("id", "revision_number") is
 * fp_model_parse_head()'s; the parsers fill everything else, and the store
 * writes id and revision into the struct afterwards.
 *
 * Concurrency: none; a context belongs to one parse.
 */
#ifndef FP_CONTROL_MODEL_PARSE_H
#define FP_CONTROL_MODEL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "jget.h"
#include "model.h"

/* What a parser needs: where to report, where references resolve. */
struct fp_model_parse_ctx {
	struct fp_jget_ctx jg;	  /* errors and the path root */
	const struct fp_model *m; /* references resolve here */
	const char *id;		  /* the resource's id, once known */
};

/**
 * Parse one resource of a collection.
 *
 * @param c   the context; c->id is the resource's id
 * @param o   the resource object (its envelope already checked)
 * @param out the collection's struct, zeroed; id and revision are left
 *            to the caller
 * @return 0 or -EINVAL (c->jg.err filled)
 */
typedef int fp_model_parse_fn(const struct fp_model_parse_ctx *c, json_t *o, void *out);

/* One collection's parsing. */
struct fp_model_parse_coll {
	size_t size;		  /* sizeof(struct fp_model_<coll>) */
	size_t rev_off;		  /* offsetof(struct fp_model_<coll>, revision) */
	fp_model_parse_fn *parse; /* fills everything but id and revision */
};

/* By enum fp_model_coll. */
extern const struct fp_model_parse_coll fp_model_parse_colls[FP_MODEL_COLL_MAX];

/**
 * Start a context for one resource.
 *
 * @param c    the context
 * @param m    the model references resolve in
 * @param err  where errors go (cleared here)
 * @param root the path root: "port", or "ports[12]" in a snapshot
 */
void fp_model_parse_ctx_init(struct fp_model_parse_ctx *c, const struct fp_model *m,
			     struct fp_model_err *err, const char *root);

/**
 * Check a resource's envelope: an object, with an "id" (or the URL's),
 * and an optional "revision_number" >= 0.
 *
 * @param c      the context
 * @param url_id the id from the URL, or NULL; when the body has an id
 *               too they must agree (409)
 * @param res    the resource (may be NULL: 400)
 * @param id     the resource's id, FP_MODEL_ID_SIZE bytes
 * @param rev    its revision; left alone when absent
 * @return 0 or -EINVAL (c->jg.err filled: 400, 409 or 422)
 */
int fp_model_parse_head(const struct fp_model_parse_ctx *c, const char *url_id, json_t *res,
			char id[FP_MODEL_ID_SIZE], int64_t *rev);

#endif /* FP_CONTROL_MODEL_PARSE_H */
