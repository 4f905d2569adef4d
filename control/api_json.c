/* SPDX-License-Identifier: BSD-3-Clause */
#include "api_json.h"

#include <stdint.h>

#include "clock.h"
#include "entry_json.h"
#include "names.h"

json_t *
fp_api_json_error(int status, const char *field, const char *reason)
{
	return json_pack("{s:{s:i,s:s,s:s}}", "error", "status", status, "field",
			 field ? field : "", "reason", reason ? reason : "");
}

/* The HTTP status of a refused request. */
static int
error_status(const struct fp_ctrl_result *r)
{
	switch (r->code) {
	case FP_CTRL_E_MODEL:
		return r->model_status ? r->model_status : 400;
	case FP_CTRL_E_PROBLEM:
		return 422;
	case FP_CTRL_E_REFUSED:
		return 409;
	default:
		return 500;
	}
}

int
fp_api_json_result(const struct fp_ctrl_result *r, json_t **body)
{
	int status;

	switch (r->code) {
	case FP_CTRL_APPLIED:
	case FP_CTRL_STORED:
		status = r->code == FP_CTRL_APPLIED ? 200 : 202;
		*body = json_pack("{s:b,s:{s:I,s:I,s:i},s:I,s:f,s:f,s:f}", "applied",
				  r->code == FP_CTRL_APPLIED, "changes", "set",
				  (json_int_t)r->sync.n_set, "deleted", (json_int_t)r->sync.n_del,
				  "transactions", (int)r->sync.n_txn, "problems",
				  (json_int_t)r->n_problems, "compile_ms",
				  (double)r->compile_ns / 1e6, "persist_ms",
				  (double)r->persist_ns / 1e6, "sync_ms", (double)r->sync.ns / 1e6);
		if (r->code == FP_CTRL_STORED && *body != NULL)
			json_object_set_new(*body, "reason",
					    json_string("the dataplane is not connected; the "
							"change is stored and applied when it "
							"is back"));
		return status;
	case FP_CTRL_IGNORED:
		*body = json_pack("{s:b,s:b,s:s}", "applied", 0, "ignored", 1, "reason",
				  "revision_number is lower than the stored one");
		return 200;
	default:
		status = error_status(r);
		*body = fp_api_json_error(status, r->field, r->reason);
		return status;
	}
}

json_t *
fp_api_json_state(const struct fp_ctrl *c)
{
	return fp_model_to_snapshot(fp_ctrl_model(c));
}

json_t *
fp_api_json_resource(const struct fp_ctrl *c, enum fp_model_coll coll, const char *id)
{
	const struct fp_model *m = fp_ctrl_model(c);
	json_t *snap, *list;

	if (id != NULL) {
		json_t *r = fp_model_json(m, coll, id);

		return r ? json_pack("{s:O}", fp_model_coll_singular[coll], r) : NULL;
	}
	/* The snapshot has every collection in id order; keep ours. */
	snap = fp_model_to_snapshot(m);
	list = snap ? json_object_get(snap, fp_model_coll_names[coll]) : NULL;
	list = list ? json_incref(list) : json_array();
	json_decref(snap);
	return json_pack("{s:o}", fp_model_coll_names[coll], list);
}

/* A drifted entry: {"table", "drift", "entry"[, "held"]}. */
static json_t *
drift_json(const struct fp_ctrl_drift *d)
{
	struct fp_entry e = { .table = d->table, .key = &d->key, .val = &d->val };
	json_t *j = fp_entry_json_new(&e), *o;

	o = json_pack("{s:s,s:s,s:o}", "table", FP_NAMES_GET(fp_names_table, d->table), "drift",
		      fp_ctrl_drift_names[d->kind < FP_CTRL_DRIFT_MAX ? d->kind : 0], "entry",
		      j ? j : json_null());
	if (o != NULL && d->kind == FP_CTRL_DRIFT_CHANGED) {
		e.val = &d->held;
		json_object_set_new(o, "held", fp_entry_json_new(&e));
	}
	return o;
}

/* An audit's report: {"missing", "extra", "changed", "repaired", "ms",
 * "entries": [drift...]}.
 */
static json_t *
audit_report_json(const struct fp_ctrl_audit_report *r)
{
	json_t *samples = json_array();
	size_t i;

	for (i = 0; samples != NULL && i < r->n_samples; i++)
		json_array_append_new(samples, drift_json(&r->samples[i]));
	return json_pack("{s:I,s:I,s:I,s:b,s:f,s:o}", "missing",
			 (json_int_t)r->n_drift[FP_CTRL_DRIFT_MISSING], "extra",
			 (json_int_t)r->n_drift[FP_CTRL_DRIFT_EXTRA], "changed",
			 (json_int_t)r->n_drift[FP_CTRL_DRIFT_CHANGED], "repaired", r->repaired,
			 "ms", (double)r->ns / 1e6, "entries", samples);
}

/* GET /v1/tables' "audit": how often, how long ago, what was found. */
static json_t *
audit_json(const struct fp_ctrl_status *st)
{
	json_t *a = json_pack("{s:I,s:I,s:I,s:I,s:I}", "interval_ms", (json_int_t)st->audit_ms,
			      "audits", (json_int_t)st->n_audits, "with_drift",
			      (json_int_t)st->n_audits_drift, "drifted_entries",
			      (json_int_t)st->n_drifted, "repairs", (json_int_t)st->n_repaired);
	json_t *last;

	if (a == NULL)
		return json_null();
	json_object_set_new(a, "age_ms",
			    st->audit_ns ?
				    json_real((double)(fp_clock_now_ns() - st->audit_ns) / 1e6) :
				    json_null());
	last = st->last_audit ? audit_report_json(st->last_audit) : NULL;
	json_object_set_new(a, "last", last ? last : json_null());
	return a;
}

json_t *
fp_api_json_tables(const struct fp_ctrl *c, int entries)
{
	struct fp_ctrl_status st;
	json_t *doc, *counts, *probs, *ents = NULL;
	size_t i, n;
	int t;

	fp_ctrl_status_get(c, &st);
	counts = json_object();
	for (t = 0; t < FP_TABLE_MAX; t++)
		json_object_set_new(counts, fp_names_table[t],
				    json_integer((json_int_t)fp_entry_set_count_table(
					    st.entries, (uint16_t)t)));
	probs = json_array();
	for (i = 0; i < st.report->n_problems; i++) {
		const struct fp_compile_problem *p = &st.report->problems[i];

		json_array_append_new(probs,
				      json_pack("{s:s,s:s,s:s,s:s,s:s}", "collection",
						fp_model_coll_names[p->coll], "id", p->id, "field",
						p->field, "kind",
						p->kind < FP_COMPILE_PROBLEM_KIND_MAX ?
							fp_compile_problem_kind_names[p->kind] :
							"?",
						"reason", p->reason));
	}
	doc = json_pack("{s:{s:b,s:s,s:s,s:I,s:I},s:b,s:s,s:o,s:o,s:o}", "dataplane", "connected",
			st.connected, "target", st.target, "host", st.host, "generation",
			(json_int_t)st.generation, "reconnects", (json_int_t)st.n_reconnects,
			"in_sync", st.in_sync, "sync_error", st.sync_err, "counts", counts,
			"problems", probs, "audit", audit_json(&st));
	if (doc == NULL || !entries)
		return doc;
	ents = json_object();
	for (t = 0; t < FP_TABLE_MAX; t++)
		json_object_set_new(ents, fp_names_table[t], json_array());
	n = fp_entry_set_count(st.entries);
	for (i = 0; i < n; i++) {
		struct fp_entry e;

		if (fp_entry_set_at(st.entries, i, &e) == 0 && e.table < FP_TABLE_MAX)
			json_array_append_new(json_object_get(ents, fp_names_table[e.table]),
					      fp_entry_json_new(&e));
	}
	json_object_set_new(doc, "entries", ents);
	json_object_set_new(doc, "shown", json_string(st.connected ? "installed" : "desired"));
	return doc;
}

json_t *
fp_api_json_metadata(const struct fp_md_status *s)
{
	json_t *o = json_object(), *n = json_object();
	int i;

	if (o == NULL || n == NULL)
		goto err;
	for (i = 0; i < FP_MD_OUTCOME_MAX; i++)
		if (json_object_set_new(n, fp_md_outcome_names[i],
					json_integer((json_int_t)s->n[i])))
			goto err;
	if (json_object_set_new(o, "enabled", json_boolean(s->enabled)) ||
	    json_object_set_new(o, "delivered", json_boolean(s->delivered)) ||
	    json_object_set_new(o, "state", json_string(s->state)))
		goto err;
	if (!s->enabled) {
		json_decref(n);
		return o;
	}
	if (json_object_set_new(o, "outcomes", n) ||
	    json_object_set_new(o, "listen", json_string(s->listen)) ||
	    json_object_set_new(o, "nova_url", json_string(s->nova)) ||
	    json_object_set_new(o, "connections", json_integer(s->conns)) ||
	    json_object_set_new(o, "pending", json_integer(s->pending)) ||
	    json_object_set_new(o, "requests", json_integer((json_int_t)s->n_requests)))
		goto err_n;
	if (json_object_set_new(
		    o, "limits",
		    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "max_conns",
			      (json_int_t)s->limits.max_conns, "request_ms",
			      (json_int_t)s->limits.request_ms, "timeout_ms",
			      (json_int_t)s->limits.timeout_ms, "max_response",
			      (json_int_t)s->limits.max_response, "rate",
			      (json_int_t)s->limits.rate, "burst", (json_int_t)s->limits.burst,
			      "max_head", (json_int_t)FP_MD_HEAD_MAX, "max_body",
			      (json_int_t)FP_MD_BODY_MAX, "max_conns_per_port",
			      (json_int_t)s->limits.max_conns_per_port, "max_pending_per_port",
			      (json_int_t)s->limits.max_pending_per_port)))
		goto err_n;
	return o;
err:
	json_decref(n);
err_n:
	json_decref(o);
	return NULL;
}
