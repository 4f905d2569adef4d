/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP answers of fp-control's API: statuses and JSON bodies made
 * from what the controller (ctrl.h) says in its own terms.
 *
 * Every body the API sends is built here (doc/control.md has them):
 * errors {"error": {"status", "field", "reason"}}, a request's result,
 * GET /v1/state, /v1/<collection>[/<id>] and /v1/tables (with the
 * entries and the audit).  api.c routes requests and sends the answers;
 * guard.c refuses requests before evhttp sees them, with the same error
 * body.
 *
 * Concurrency: none; called on the event loop's thread.
 */
#ifndef FP_CONTROL_API_JSON_H
#define FP_CONTROL_API_JSON_H

#include <jansson.h>

#include "ctrl.h"
#include "metadata.h"
#include "model.h"

/**
 * An error body: {"error": {"status", "field", "reason"}}.
 *
 * @param status the HTTP status
 * @param field	 the field at fault (NULL: "")
 * @param reason why (NULL: "")
 * @return a new reference, NULL when out of memory
 */
json_t *fp_api_json_error(int status, const char *field, const char *reason);

/**
 * The answer to a PUT, DELETE or snapshot: 200 {"applied": true, "changes",
 * "problems", "compile_ms", "persist_ms", "sync_ms"}; 202 the same with
 * "applied": false and a "reason" (stored, the dataplane not connected);
 * 200 {"applied": false, "ignored": true, "reason"} (an older revision);
 * or an error: 400/404/409/422 as the model said, 422 a new compile
 * problem, 409 refused by the dataplane, 500 state file, memory, compiler.
 *
 * @param r	the controller's result
 * @param body	set to the body (a new reference; NULL when out of memory)
 * @return the HTTP status
 */
int fp_api_json_result(const struct fp_ctrl_result *r, json_t **body);

/** GET /v1/state: the desired state as a snapshot (new reference, NULL
 *  when out of memory).
 */
json_t *fp_api_json_state(const struct fp_ctrl *c);

/** GET /v1/<coll>[/<id>]: {"<collection>": [...]} or {"<singular>": {...}}
 *  (new reference); NULL when there is no such resource (or no memory).
 */
json_t *fp_api_json_resource(const struct fp_ctrl *c, enum fp_model_coll coll, const char *id);

/**
 * GET /v1/tables: {"dataplane": {"connected", "target", "host",
 * "generation", "reconnects"}, "in_sync", "sync_error", "counts",
 * "problems", "audit"} and, with entries, "entries" (per table) and
 * "shown" ("installed" or "desired").
 *
 * @param c	  the controller
 * @param entries include every entry
 * @return a new reference, NULL when out of memory
 */
json_t *fp_api_json_tables(const struct fp_ctrl *c, int entries);

/**
 * GET /v1/metadata: {"enabled", "delivered", "state", "listen", "nova_url",
 * "connections", "pending", "requests", "outcomes": {"ok": N, ...},
 * "limits": {...}} (the secret never).
 *
 * @return a new reference, NULL when out of memory
 */
json_t *fp_api_json_metadata(const struct fp_md_status *s);

#endif /* FP_CONTROL_API_JSON_H */
