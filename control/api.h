/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's local API: HTTP/1.1 + JSON (libevent's evhttp, jansson).
 *
 * Listeners: a Unix socket (fp_control.api_socket, mode 0600: root only)
 * and, when configured, TCP on a loopback address, where every request
 * must carry "Authorization: Bearer <token>" (fp_control.api_token_file).
 *
 * Routes (doc/control.md has the bodies and answers):
 *   PUT    /v1/snapshot                  replace the whole state
 *   PUT    /v1/<collection>/<id>         {"<singular>": {...}}
 *   DELETE /v1/<collection>/<id>
 *   GET    /v1/<collection>[/<id>]       stored resources
 *   GET    /v1/state                     the state as a snapshot
 *   GET    /v1/tables[?entries=0]        compiled and installed entries
 *   GET    /v1/metadata                  the metadata proxy's state and counters
 * collections: networks subnets ports routers floatingips
 * security_groups hosts.  Errors: 4xx/5xx with {"error": {"status",
 * "field", "reason"}}; a refused request changes nothing.  This file
 * routes requests and sends the answers; the statuses and bodies are
 * made by api_json.h from what the controller (ctrl.h) says.
 *
 * Each listener has a guard (guard.h) in front of evhttp: connection
 * limits, request head size, the token before the body, methods,
 * lengths, time limits (doc/control.md, "Limits").  One fp-control per
 * socket: an exclusive lock on <api_socket>.lock.
 */
#ifndef FP_CONTROL_API_H
#define FP_CONTROL_API_H

#include <stddef.h>

#include <event2/event.h>

#include "ctrl.h"
#include "ctrl_config.h"

struct fp_api;

/**
 * Listen and serve on base.
 *
 * @return the API, or NULL with errno and a message in err
 */
struct fp_api *fp_api_create(struct event_base *base, struct fp_ctrl *ctrl,
			     const struct fp_ctrl_config *cfg, char *err, size_t errsz);

struct fp_md;

/** The metadata proxy GET /v1/metadata reports (NULL: off). */
void fp_api_md_set(struct fp_api *a, struct fp_md *md);

/** Stop listening, remove the Unix socket. Accepts NULL. */
void fp_api_free(struct fp_api *a);

#endif /* FP_CONTROL_API_H */
