/* SPDX-License-Identifier: BSD-3-Clause */
/* The heart of fp-control: the desired state (model), what it compiles
 * to, what the dataplane holds, and the rules that keep them in step.
 *
 * A request (PUT/DELETE of one resource, or a whole snapshot) is applied
 * to a clone of the model and compiled; the clone is written to the state
 * file, then sent to the dataplane as the difference from what it holds,
 * and only when the dataplane took it is the clone swapped in.  A state
 * file that cannot be written refuses the request (500) before anything
 * is sent; a change the dataplane refuses is rolled back (the old entries
 * are sent again) and the old state file put back.  So the answer, the
 * dataplane and the file agree.
 * A request that adds a compile problem (doc/control.md) is refused; a
 * DELETE never is (its consequences are reported in GET /v1/tables).
 *
 * Lifecycle (fp_ctrl_tick(), every health_ms):
 *   - not connected: open the backend; check the dataplane's host name;
 *     dump its tables; when a desired state exists, send the difference.
 *     So a restarted fp-dpdk (empty tables) gets the whole state, and a
 *     restarted fp-control (state read from its file) sends only what
 *     changed while it was away: forwarding is never flushed.
 *   - connected: ping; a dataplane that went away is closed and reopened
 *     on the next tick.  A generation that moved without a change of
 *     fp-control's, or audit_ms passing, makes the tick an audit
 *     (fp_ctrl_audit()): drift is reported and repaired.
 * Without a state file (first start) the dataplane is left alone until
 * the first request.
 *
 * Concurrency: one thread (the event loop).
 */
#ifndef FP_CONTROL_CTRL_H
#define FP_CONTROL_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "backend.h"
#include "ctrl_config.h"
#include "model.h"

struct fp_ctrl;

/* What a request got: an HTTP status and a JSON body (new reference). */
struct fp_ctrl_result {
	int status;   /* 200, 202 (stored, dataplane not connected), 4xx, 500 */
	json_t *body; /* response body */
};

/**
 * Create the controller; reads the state file.
 *
 * @param cfg	configuration (copied)
 * @param ops	the backend
 * @param err	message on failure
 * @param errsz its size
 * @return the controller, or NULL with errno (EINVAL: bad state file,
 *	   message in err; ENOMEM)
 */
struct fp_ctrl *fp_ctrl_create(const struct fp_ctrl_config *cfg, const struct fp_backend_ops *ops,
			       char *err, size_t errsz);

/** Close the backend and free everything. Accepts NULL. */
void fp_ctrl_free(struct fp_ctrl *c);

/** Connect, check, reconcile (see above). */
void fp_ctrl_tick(struct fp_ctrl *c);

/** Is the dataplane connected? */
int fp_ctrl_connected(const struct fp_ctrl *c);

/** PUT /v1/<coll>/<id> with the resource object (not the wrapper). */
void fp_ctrl_put(struct fp_ctrl *c, enum fp_model_coll coll, const char *id, json_t *res,
		 struct fp_ctrl_result *out);

/** DELETE /v1/<coll>/<id>. */
void fp_ctrl_delete(struct fp_ctrl *c, enum fp_model_coll coll, const char *id,
		    struct fp_ctrl_result *out);

/** PUT /v1/snapshot. */
void fp_ctrl_snapshot(struct fp_ctrl *c, json_t *snap, struct fp_ctrl_result *out);

/** GET /v1/state: the model as a snapshot (new reference). */
json_t *fp_ctrl_state_json(const struct fp_ctrl *c);

/**
 * Audit: dump what the dataplane holds and compare it with what
 * fp-control installed.  Each drifted entry (missing: deleted behind
 * fp-control's back; extra: added; changed) is logged (the first
 * AUDIT_SAMPLES) and counted; then what it holds becomes the starting
 * point and the desired state is sent again, which puts it back.
 * in_sync is false from the moment drift is suspected (a foreign
 * generation) or found until the repair went through.  Runs every
 * audit_ms, after a foreign commit, after each connect, and on
 * GET /v1/tables?audit=1.
 *
 * @param c	 the controller
 * @param report the audit's report (new reference) when not NULL
 * @return 0, -ENOTCONN (no dataplane), -ENOMEM, or the backend's -errno
 *	   from the dump
 */
int fp_ctrl_audit(struct fp_ctrl *c, json_t **report);

/** GET /v1/tables: dataplane, counts, problems and (with entries) every
 *  installed entry (new reference).
 */
json_t *fp_ctrl_tables_json(const struct fp_ctrl *c, int entries);

/** GET /v1/<coll>[/<id>]: stored resources (new reference), NULL if absent. */
json_t *fp_ctrl_resource_json(const struct fp_ctrl *c, enum fp_model_coll coll, const char *id);

/** An error body: {"error": {"status", "field", "reason"}} (new reference). */
json_t *fp_ctrl_error_json(int status, const char *field, const char *reason);

#endif /* FP_CONTROL_CTRL_H */
