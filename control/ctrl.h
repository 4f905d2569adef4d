/* SPDX-License-Identifier: BSD-3-Clause */
/* The heart of fp-control: the desired state (model), what it compiles
 * to, what the dataplane holds, and the rules that keep them in step.
 *
 * A request (PUT/DELETE of one resource, or a whole snapshot) is applied
 * to a clone of the model and compiled; the clone is written to the state
 * file, then sent to the dataplane as the difference from what it holds,
 * and only when the dataplane took it is the clone swapped in.  A state
 * file that cannot be written refuses the request before anything is
 * sent; a change the dataplane refuses is rolled back (the old entries
 * are sent again) and the old state file put back.  So the answer, the
 * dataplane and the file agree.
 * A request that adds a compile problem of kind conflict (doc/control.md)
 * is refused (other kinds are stored, reported and logged); a
 * DELETE never is (its consequences are reported in GET /v1/tables).
 *
 * The controller speaks in its own terms: a request gets a code, a field
 * and a reason (struct fp_ctrl_result); its state, problems and audits
 * are read as plain structures (struct fp_ctrl_status, the entry sets).
 * HTTP statuses and JSON bodies are the API's (control/api_json.h).
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
#include "compile.h"
#include "ctrl_config.h"
#include "entries.h"
#include "model.h"
#include "sync.h"

struct fp_ctrl;

/* What became of a request (PUT, DELETE, snapshot). */
enum fp_ctrl_code {
	FP_CTRL_APPLIED,   /* taken; the dataplane holds it */
	FP_CTRL_STORED,	   /* taken; sent when the dataplane is connected again */
	FP_CTRL_IGNORED,   /* an update older than the stored one: nothing done */
	FP_CTRL_E_MODEL,   /* refused by the model (shape, reference, value) */
	FP_CTRL_E_PROBLEM, /* refused: it compiles to a problem not there before */
	FP_CTRL_E_REFUSED, /* refused by the dataplane; what went out was undone */
	FP_CTRL_E_STATE,   /* the state file cannot be written; nothing was sent */
	FP_CTRL_E_NOMEM,   /* out of memory */
	FP_CTRL_E_COMPILE, /* the compiler failed (not a problem of the request) */
};

/* A request's result, in the controller's terms (control/api_json.c
 * makes the HTTP answer of it).  Refused (FP_CTRL_E_*): nothing changed,
 * field and reason say why.  Taken: what was sent, and how long it took.
 */
struct fp_ctrl_result {
	enum fp_ctrl_code code;	    /* what became of it */
	int model_status;	    /* FP_CTRL_E_MODEL: struct fp_model_err's status */
	char field[256];	    /* refused: the field at fault ("" if none) */
	char reason[512];	    /* refused: why */
	struct fp_sync_result sync; /* taken: the changes sent (none when stored) */
	size_t n_problems;	    /* taken: problems of the new desired state */
	uint64_t compile_ns;	    /* taken: time to compile */
	uint64_t persist_ns;	    /* taken: time to write the state file */
};

/* How an entry found by an audit differs from what fp-control installed. */
enum fp_ctrl_drift_kind {
	FP_CTRL_DRIFT_MISSING, /* installed, not held: deleted by hand */
	FP_CTRL_DRIFT_EXTRA,   /* held, not installed: added by hand */
	FP_CTRL_DRIFT_CHANGED, /* held with another value */
	FP_CTRL_DRIFT_MAX,
};

/* "missing", "extra", "changed": how logs and the API name them. */
extern const char *const fp_ctrl_drift_names[FP_CTRL_DRIFT_MAX];

#define FP_CTRL_AUDIT_SAMPLES 16 /* drifted entries an audit logs and keeps */

#define FP_CTRL_KEY_MEMBER(id, name, stem) struct fp_##stem##_key stem;
#define FP_CTRL_VAL_MEMBER(id, name, stem) struct fp_##stem##_val stem;
/* Room for the key, or the value, of any table. */
union fp_ctrl_key {
	FP_FOREACH_TABLE(FP_CTRL_KEY_MEMBER)
};
union fp_ctrl_val {
	FP_FOREACH_TABLE(FP_CTRL_VAL_MEMBER)
};
#undef FP_CTRL_KEY_MEMBER
#undef FP_CTRL_VAL_MEMBER

/* One drifted entry (a copy: it outlives the dump it came from). */
struct fp_ctrl_drift {
	uint16_t table;		/* FP_TABLE_* */
	uint16_t kind;		/* enum fp_ctrl_drift_kind */
	union fp_ctrl_key key;	/* its key */
	union fp_ctrl_val val;	/* as it should be held; an extra one as held */
	union fp_ctrl_val held; /* changed: as held */
};

/* What one audit found. */
struct fp_ctrl_audit_report {
	uint64_t n_drift[FP_CTRL_DRIFT_MAX];		     /* entries, per kind */
	int repaired;					     /* drift, put back */
	uint64_t ns;					     /* time it took */
	size_t n_samples;				     /* valid samples */
	struct fp_ctrl_drift samples[FP_CTRL_AUDIT_SAMPLES]; /* the first drifted */
};

/* The controller as GET /v1/tables shows it.  Pointers stay valid until
 * the controller is next called (tick, request, audit).
 */
struct fp_ctrl_status {
	int connected;				/* the dataplane answered */
	const char *target;			/* its socket or instance */
	const char *host;			/* its host name ("" before) */
	uint64_t generation;			/* its generation at connect */
	uint64_t n_reconnects;			/* connections made */
	int in_sync;				/* connected and holds the state */
	const char *sync_err;			/* why the last sync failed, or "" */
	const struct fp_entry_set *entries;	/* installed, or desired if not connected */
	const struct fp_compile_report *report; /* problems of the desired state */
	uint32_t audit_ms;			/* the periodic audit's interval */
	uint64_t n_audits;			/* audits made */
	uint64_t n_audits_drift;		/* audits that found drift */
	uint64_t n_drifted;			/* drifted entries, all audits */
	uint64_t n_repaired;			/* audits whose repair went through */
	uint64_t audit_ns;			/* monotonic time of the last audit, 0: none */
	const struct fp_ctrl_audit_report *last_audit; /* the last audit's report, or NULL */
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

/** The desired state (GET /v1/state, GET /v1/<coll>): valid until the
 *  next request.
 */
const struct fp_model *fp_ctrl_model(const struct fp_ctrl *c);

/**
 * Audit: dump what the dataplane holds and compare it with what
 * fp-control installed.  Each drifted entry (missing: deleted behind
 * fp-control's back; extra: added; changed) is logged (the first
 * FP_CTRL_AUDIT_SAMPLES) and counted; then what it holds becomes the
 * starting point and the desired state is sent again, which puts it back.
 * in_sync is false from the moment drift is suspected (a foreign
 * generation) or found until the repair went through.  Runs every
 * audit_ms, after a foreign commit, after each connect, and on
 * GET /v1/tables?audit=1.  The report is the status' last_audit.
 *
 * @param c	 the controller
 * @return 0, -ENOTCONN (no dataplane), -ENOMEM, or the backend's -errno
 *	   from the dump
 */
int fp_ctrl_audit(struct fp_ctrl *c);

/** The controller's state, counts and last audit (GET /v1/tables). */
void fp_ctrl_status_get(const struct fp_ctrl *c, struct fp_ctrl_status *out);

/** The dataplane's ports and what it carries, as it last said (kept while
 *  it is away), or NULL before it ever answered.
 */
const struct fp_backend_info *fp_ctrl_engine_info(const struct fp_ctrl *c);

#endif /* FP_CONTROL_CTRL_H */
