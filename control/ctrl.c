/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctrl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "compile.h"
#include "compile_l3.h"
#include "compile_prov.h"
#include "compile_sg.h"
#include "entries.h"
#include "entry_json.h"
#include "log.h"
#include "names.h"
#include "state.h"
#include "sync.h"

#define STALE_HOST_FMT "(stale vtep %u)" /* binds installed vteps no host claims */
#define FP_VTEP_IDS_UNKNOWN 4096	 /* vtep ids before a dataplane said its size */
#define FP_SG_IDS_LIMIT (1u << 16)	 /* ruleset and address set ids are 1..65535 */
#define FP_VRF_IDS_LIMIT (1u << 20)	 /* router vrf ids are 1..2^20-1 */
#define FP_CTRL_PROBLEMS_LOGGED 16	 /* problems logged at a connect */

struct fp_ctrl {
	struct fp_ctrl_config cfg;		 /* configuration */
	const struct fp_backend_ops *ops;	 /* the backend */
	const char *target;			 /* what it opens: cfg's socket or instance */
	void *be;				 /* its handle while connected */
	int connected;				 /* be is open and answered */
	int have_info;				 /* info is from a dataplane (now or before) */
	int have_state;				 /* a desired state exists (file or request) */
	int in_sync;				 /* installed == desired after the last sync */
	int last_open_err;			 /* last open() error logged, to log changes only */
	struct fp_backend_info info;		 /* the dataplane's ports and tables */
	struct fp_compile_ctx ctx;		 /* compile context from cfg + info */
	struct fp_model *model;			 /* desired state */
	struct fp_entry_set *desired;		 /* model compiled */
	struct fp_entry_set *installed;		 /* what the dataplane holds (when connected) */
	struct fp_compile_report report;	 /* problems of desired */
	struct fp_vtep_ids *ids;		 /* vtep id allocator */
	struct fp_ids *ruleset_ids;		 /* ruleset id allocator */
	struct fp_ids *addrset_ids;		 /* address set id allocator */
	struct fp_ids *vrf_ids;			 /* router vrf id allocator */
	struct fp_ids *net_ids;			 /* provider network id allocator */
	uint32_t ids_limit;			 /* its size: the dataplane's vtep table */
	char sync_err[256];			 /* why the last sync failed, "" if it did not */
	uint64_t n_syncs;			 /* successful syncs */
	uint64_t n_reconnects;			 /* connections made */
	uint64_t gen_seen;			 /* dataplane generation after our last change */
	int gen_known;				 /* gen_seen is valid for this connection */
	int audit_due;				 /* audit at the next tick (foreign commit seen) */
	uint64_t audit_ns;			 /* monotonic time of the last audit, 0: none */
	uint64_t n_audits;			 /* audits made */
	uint64_t n_audits_drift;		 /* audits that found drift */
	uint64_t n_drifted;			 /* drifted entries found, all audits */
	uint64_t n_repaired;			 /* audits whose repair went through */
	struct fp_ctrl_audit_report *last_audit; /* the last audit's report, or NULL */
};

static void result_error(struct fp_ctrl_result *out, enum fp_ctrl_code code, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
result_error(struct fp_ctrl_result *out, enum fp_ctrl_code code, const char *field, const char *fmt,
	     ...)
{
	va_list ap;

	out->code = code;
	snprintf(out->field, sizeof(out->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static int
conn_lost(int rc)
{
	return rc == -ENOTCONN || rc == -EPIPE || rc == -ECONNRESET || rc == -ECONNREFUSED ||
	       rc == -ETIMEDOUT || rc == -EPROTO || rc == -EIO;
}

static void
disconnect(struct fp_ctrl *c, const char *why)
{
	if (c->be != NULL)
		c->ops->close(c->be);
	c->be = NULL;
	if (c->connected)
		fp_log(FP_LOG_WARN, "dataplane %s: %s; reconnecting", c->target, why);
	c->connected = 0;
	c->gen_known = 0;
	fp_entry_set_clear(c->installed);
	fp_entry_set_seal(c->installed, NULL);
}

static void
ctx_reset(struct fp_ctrl *c)
{
	memset(&c->ctx, 0, sizeof(c->ctx));
	c->ctx.host = c->cfg.host;
	memcpy(c->ctx.local_vteps, c->cfg.local_vteps, sizeof(c->ctx.local_vteps));
	c->ctx.n_local_vteps = c->cfg.n_local_vteps;
	c->ctx.ports = c->info.ports;
	c->ctx.n_ports = c->have_info ? c->info.n_ports : 0;
	c->ctx.has_gw_mac = c->cfg.has_gw_mac;
	memcpy(c->ctx.gw_mac, c->cfg.gw_mac, 6);
	c->ctx.ids = c->ids;
	c->ctx.ruleset_ids = c->ruleset_ids;
	c->ctx.addrset_ids = c->addrset_ids;
	c->ctx.sg_enforced = c->have_info && c->info.sg_enforced;
	c->ctx.routes_carried = c->have_info && c->info.routes_carried;
	c->ctx.nat_carried = c->have_info && c->info.nat_carried;
	c->ctx.segments_carried = c->have_info && c->info.segments_carried;
	c->ctx.vrf_ids = c->vrf_ids;
	c->ctx.net_ids = c->net_ids;
	c->ctx.engine = c->ops->name;
	c->ctx.md_undelivered = c->cfg.md.enabled && !(c->have_info && c->info.md_delivered);
	/* An engine answers what it has a table for (compile_dhcp.h). */
	c->ctx.dhcp_served = c->have_info && c->info.table_limit[FP_TABLE_DHCP] > 0;
	c->ctx.dhcp6_served = c->have_info && c->info.table_limit[FP_TABLE_DHCP6] > 0;
	c->ctx.ra_served = c->have_info && c->info.table_limit[FP_TABLE_RA] > 0;
	c->ctx.dhcp_lease = c->cfg.dhcp_lease;
}

/* The port vteps send through: the one named in the config, or the only
 * underlay port, or FP_PORT_MAX when the dataplane has none (provider
 * networks only).  0 or -ENOENT (message in err).
 */
static int
underlay_resolve(struct fp_ctrl *c, const struct fp_backend_info *info, uint32_t *id, char *err,
		 size_t errsz)
{
	uint32_t i, n = 0;

	for (i = 0; i < info->n_ports; i++) {
		const struct fp_engine_port *p = &info->ports[i];

		if (p->role != FP_PORT_ROLE_UNDERLAY)
			continue;
		if (c->cfg.underlay_port[0] != '\0') {
			if (strcmp(p->name, c->cfg.underlay_port) == 0) {
				*id = p->id;
				return 0;
			}
			continue;
		}
		*id = p->id;
		n++;
	}
	if (c->cfg.underlay_port[0] != '\0') {
		snprintf(err, errsz, "the dataplane has no underlay port \"%s\"",
			 c->cfg.underlay_port);
		return -ENOENT;
	}
	/* None: a host on provider networks only; overlay networks' remote
	 * ports are then problems (HOST_NO_UNDERLAY), nothing is tunnelled.
	 */
	if (n == 0) {
		*id = FP_PORT_MAX;
		return 0;
	}
	if (n != 1) {
		snprintf(err, errsz,
			 "the dataplane has %u underlay ports: name one in "
			 "fp_control.underlay_port",
			 n);
		return -ENOENT;
	}
	return 0;
}

/* Give every installed vtep an owner so no new (host, encap) gets its id
 * while entries still point at it: the host whose address and
 * encapsulation it has, else a placeholder the next sync deletes.
 */
static void
ids_seed(struct fp_ctrl *c)
{
	size_t i, n = fp_entry_set_count(c->installed);
	struct fp_entry e;

	for (i = 0; i < n; i++) {
		const struct fp_vtep_val *v;
		const struct fp_vtep_key *k;
		const char *owner = NULL;
		char stale[48];
		size_t h;

		if (fp_entry_set_at(c->installed, i, &e) < 0 || e.table != FP_TABLE_VTEP)
			continue;
		k = e.key;
		v = e.val;
		for (h = 0; h < fp_model_count(c->model, FP_MODEL_HOST) && owner == NULL; h++) {
			const struct fp_model_host *ho = fp_model_host_at(c->model, h);
			uint32_t a;

			for (a = 0; a < ho->n_addrs; a++)
				if (memcmp(&ho->vtep_addrs[a], &v->remote, sizeof(v->remote)) == 0)
					owner = ho->id;
		}
		if (owner == NULL || fp_vtep_ids_bind(c->ids, owner, v->encap, k->vtep_id) < 0) {
			snprintf(stale, sizeof(stale), STALE_HOST_FMT, k->vtep_id);
			fp_vtep_ids_bind(c->ids, stale, v->encap, k->vtep_id);
		}
	}
}

/* Remember the dataplane's generation after a change of ours: a later
 * ping that sees another one means someone else committed (fpctl by
 * hand): the next tick audits.
 */
static void
gen_note(struct fp_ctrl *c)
{
	uint64_t gen;

	c->gen_known = c->ops->ping(c->be, &gen) == 0;
	if (c->gen_known)
		c->gen_seen = gen;
}

/* Send installed -> desired.  0, or the backend's -errno. */
static int
sync_now(struct fp_ctrl *c, const struct fp_entry_set *desired, struct fp_sync_result *res)
{
	char err[256] = "";
	int rc;

	rc = fp_sync_apply(c->ops, c->be, c->installed, desired, c->cfg.batch, res, err,
			   sizeof(err));
	if (rc < 0) {
		snprintf(c->sync_err, sizeof(c->sync_err), "%s", err[0] ? err : strerror(-rc));
		c->in_sync = 0;
		/* Not a refused change: the connection itself failed. */
		if (conn_lost(rc) || res->failed_table >= FP_TABLE_MAX)
			disconnect(c, c->sync_err);
		return rc;
	}
	c->sync_err[0] = '\0';
	c->in_sync = 1;
	c->n_syncs++;
	fp_vtep_ids_gc(c->ids, c->installed, desired);
	fp_compile_sg_ids_gc(&c->ctx, c->installed, desired);
	fp_compile_l3_ids_gc(&c->ctx, c->installed, desired);
	fp_compile_prov_ids_gc(&c->ctx, c->installed, desired);
	gen_note(c);
	return 0;
}

static void
problem_log(const struct fp_compile_problem *p)
{
	fp_log(FP_LOG_WARN, "problem (%s): %s %s: %s%s%s",
	       p->kind < FP_COMPILE_PROBLEM_KIND_MAX ? fp_compile_problem_kind_names[p->kind] : "?",
	       p->coll < FP_MODEL_COLL_MAX ? fp_model_coll_singular[p->coll] : "?", p->id, p->field,
	       p->field[0] != '\0' ? ": " : "", p->reason);
}

/* Say what the compile of the state left out (a filtered port an engine
 * cannot filter, an unknown dataplane port...): at most a screenful.
 */
static void
problems_log(const struct fp_ctrl *c)
{
	const struct fp_compile_report *r = &c->report;
	size_t i;

	for (i = 0; i < r->n_problems && i < FP_CTRL_PROBLEMS_LOGGED; i++) {
		const struct fp_compile_problem *p = &r->problems[i];

		problem_log(p);
	}
	if (r->n_problems > FP_CTRL_PROBLEMS_LOGGED)
		fp_log(FP_LOG_WARN, "problem: %zu more (GET /v1/tables lists them all)",
		       r->n_problems - FP_CTRL_PROBLEMS_LOGGED);
}

static void
connect_try(struct fp_ctrl *c)
{
	struct fp_backend_info info;
	struct fp_sync_result res;
	char err[256];
	uint32_t ul = 0;
	int rc;

	rc = c->ops->open(c->target, &c->be);
	if (rc < 0) {
		if (rc != c->last_open_err)
			fp_log(FP_LOG_WARN, "dataplane %s: %s; retrying every %u ms", c->target,
			       strerror(-rc), c->cfg.health_ms);
		c->last_open_err = rc;
		c->be = NULL;
		return;
	}
	c->last_open_err = 0;
	rc = c->ops->info(c->be, &info);
	if (rc < 0) {
		fp_log(FP_LOG_WARN, "dataplane %s: info: %s", c->target, strerror(-rc));
		goto err_close;
	}
	if (info.abi_version != FP_ABI_VERSION) {
		fp_log(FP_LOG_ERR, "dataplane %s speaks ABI %u, fp-control ABI %u", c->target,
		       info.abi_version, FP_ABI_VERSION);
		goto err_close;
	}
	if (strcmp(info.host, c->cfg.host) != 0) {
		fp_log(FP_LOG_ERR,
		       "dataplane %s serves host \"%s\" but fp-control is configured for \"%s\"; "
		       "not programming it",
		       c->target, info.host, c->cfg.host);
		goto err_close;
	}
	if (underlay_resolve(c, &info, &ul, err, sizeof(err)) < 0) {
		fp_log(FP_LOG_ERR, "dataplane %s: %s; not programming it", c->target, err);
		goto err_close;
	}
	rc = fp_sync_dump(c->ops, c->be, c->installed);
	if (rc < 0) {
		fp_log(FP_LOG_WARN, "dataplane %s: dump: %s", c->target, strerror(-rc));
		goto err_close;
	}
	if (info.table_limit[FP_TABLE_VTEP] != c->ids_limit) {
		/* Ids up to the dataplane's vtep table size, rebuilt from
		 * what it holds (ids_seed() below).
		 */
		struct fp_vtep_ids *ids = fp_vtep_ids_create(info.table_limit[FP_TABLE_VTEP]);

		if (ids == NULL) {
			fp_log(FP_LOG_ERR, "vtep ids: %s", strerror(errno));
			goto err_close;
		}
		fp_vtep_ids_free(c->ids);
		c->ids = ids;
		c->ids_limit = info.table_limit[FP_TABLE_VTEP];
	}
	c->info = info;
	c->have_info = 1;
	c->connected = 1;
	c->n_reconnects++;
	ctx_reset(c);
	c->ctx.underlay_port = ul;
	ids_seed(c);
	/* Rulesets and address sets: keep the ids of what is installed
	 * (an fp-control restart rewrites nothing), reserve the rest.
	 */
	rc = fp_compile_sg_rebind(c->model, &c->ctx, c->installed);
	if (rc < 0)
		fp_log(FP_LOG_WARN, "dataplane %s: ruleset and address set ids: %s", c->target,
		       strerror(-rc));
	/* Provider network ids first: the vrf rebind names a router by its
	 * interfaces' fdb entries, whose network is a provider id there.
	 */
	rc = fp_compile_prov_rebind(c->model, &c->ctx, c->installed);
	if (rc < 0)
		fp_log(FP_LOG_WARN, "dataplane %s: provider network ids: %s", c->target,
		       strerror(-rc));
	rc = fp_compile_l3_rebind(c->model, &c->ctx, c->installed);
	if (rc < 0)
		fp_log(FP_LOG_WARN, "dataplane %s: vrf ids: %s", c->target, strerror(-rc));
	fp_log(FP_LOG_INFO, "dataplane %s connected: host %s, %zu entries installed", c->target,
	       info.host, fp_entry_set_count(c->installed));
	/* The next tick checks that what was sent below is what it holds. */
	c->audit_due = 1;
	if (!c->have_state) {
		fp_log(FP_LOG_INFO, "no desired state yet: leaving the dataplane as it is");
		c->in_sync = 0;
		gen_note(c);
		return;
	}
	/* The dataplane's ports may differ from the last time: compile again. */
	rc = fp_compile(c->model, &c->ctx, c->desired, &c->report);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "compile: %s", strerror(-rc));
		return;
	}
	problems_log(c);
	memset(&res, 0, sizeof(res));
	rc = sync_now(c, c->desired, &res);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "dataplane %s refused the desired state: %s", c->target,
		       c->sync_err);
		return;
	}
	fp_log(FP_LOG_INFO,
	       "dataplane %s in sync: %" PRIu64 " set, %" PRIu64 " deleted in %u transactions "
	       "(%.3f ms)",
	       c->target, res.n_set, res.n_del, res.n_txn, (double)res.ns / 1e6);
	return;

err_close:
	c->ops->close(c->be);
	c->be = NULL;
}

/* Send the desired state again after the dataplane refused it (a table
 * too small, say): logged when the reason changes, retried every tick.
 */
static void
resync(struct fp_ctrl *c)
{
	struct fp_sync_result res = { 0 };
	char before[sizeof(c->sync_err)];

	snprintf(before, sizeof(before), "%s", c->sync_err);
	if (sync_now(c, c->desired, &res) == 0) {
		fp_log(FP_LOG_INFO,
		       "dataplane %s in sync again: %" PRIu64 " set, %" PRIu64 " deleted",
		       c->target, res.n_set, res.n_del);
		return;
	}
	if (c->connected && strcmp(before, c->sync_err) != 0)
		fp_log(FP_LOG_ERR, "dataplane %s refuses the desired state: %s", c->target,
		       c->sync_err);
}

void
fp_ctrl_tick(struct fp_ctrl *c)
{
	uint64_t gen, now;
	int rc;

	if (!c->connected) {
		connect_try(c);
		return;
	}
	rc = c->ops->ping(c->be, &gen);
	if (rc < 0) {
		disconnect(c, strerror(-rc));
		return;
	}
	if (c->gen_known && gen != c->gen_seen) {
		fp_log(FP_LOG_WARN,
		       "dataplane %s: generation %" PRIu64 ", %" PRIu64 " after fp-control's last "
		       "change: someone else changed its tables; auditing",
		       c->target, gen, c->gen_seen);
		c->in_sync = 0;
		c->audit_due = 1;
	}
	now = fp_clock_now_ns();
	if (c->cfg.audit_ms != 0 &&
	    (c->audit_ns == 0 || now - c->audit_ns >= (uint64_t)c->cfg.audit_ms * 1000000ULL))
		c->audit_due = 1;
	if (c->audit_due) {
		rc = fp_ctrl_audit(c);
		if (rc < 0 && rc != -ENOTCONN)
			fp_log(FP_LOG_ERR, "dataplane %s: audit: %s", c->target, strerror(-rc));
		return;
	}
	if (c->have_state && !c->in_sync)
		resync(c);
}

int
fp_ctrl_connected(const struct fp_ctrl *c)
{
	return c->connected;
}

static int
problem_cmp(const struct fp_compile_problem *a, const struct fp_compile_problem *b)
{
	int r;

	if (a->coll != b->coll)
		return a->coll < b->coll ? -1 : 1;
	if ((r = strcmp(a->id, b->id)) != 0 || (r = strcmp(a->field, b->field)) != 0)
		return r;
	return strcmp(a->reason, b->reason);
}

static int
problem_ptr_cmp(const void *a, const void *b)
{
	return problem_cmp(*(const struct fp_compile_problem *const *)a,
			   *(const struct fp_compile_problem *const *)b);
}

/* Pointers to a report's problems, sorted; NULL with n 0 when empty. */
static const struct fp_compile_problem **
problems_sorted(const struct fp_compile_report *r)
{
	const struct fp_compile_problem **v;
	size_t i;

	if (r->n_problems == 0)
		return NULL;
	v = malloc(r->n_problems * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < r->n_problems; i++)
		v[i] = &r->problems[i];
	qsort(v, r->n_problems, sizeof(*v), problem_ptr_cmp);
	return v;
}

/* The first problem (in sorted order) of rep that old does not have,
 * of one of the kinds (a bit per FP_COMPILE_PROBLEM_*), or NULL.  *nomem
 * is set when the comparison could not be made.
 */
static const struct fp_compile_problem *
problem_new(const struct fp_compile_report *old, const struct fp_compile_report *rep,
	    unsigned int kinds, int *nomem)
{
	const struct fp_compile_problem **o = problems_sorted(old), **n = problems_sorted(rep);
	const struct fp_compile_problem *found = NULL;
	size_t i = 0, j = 0;

	*nomem = (old->n_problems && o == NULL) || (rep->n_problems && n == NULL);
	while (!*nomem && i < rep->n_problems) {
		int r = j < old->n_problems ? problem_cmp(n[i], o[j]) : -1;

		if (r < 0 && (kinds & (1u << n[i]->kind))) {
			found = n[i];
			break;
		}
		if (r < 0) {
			i++;
			continue;
		}
		if (r == 0)
			i++;
		j++;
	}
	free(o);
	free(n);
	return found;
}

/* Log the problems of an accepted change that the state before it did
 * not have (at most FP_CTRL_PROBLEMS_LOGGED): what a request stored but
 * the engine does not carry is said where operators look.
 */
static void
problems_log_new(const struct fp_compile_report *old, const struct fp_compile_report *rep)
{
	const struct fp_compile_problem **o = problems_sorted(old), **n = problems_sorted(rep);
	size_t i = 0, j = 0, logged = 0, more = 0;

	if ((old->n_problems && o == NULL) || (rep->n_problems && n == NULL))
		goto out;
	for (i = 0; i < rep->n_problems; i++) {
		while (j < old->n_problems && problem_cmp(o[j], n[i]) < 0)
			j++;
		if (j < old->n_problems && problem_cmp(o[j], n[i]) == 0)
			continue;
		if (logged < FP_CTRL_PROBLEMS_LOGGED) {
			problem_log(n[i]);
			logged++;
		} else {
			more++;
		}
	}
	if (more != 0)
		fp_log(FP_LOG_WARN, "problem: %zu more new ones (GET /v1/tables lists them all)",
		       more);
out:
	free(o);
	free(n);
}

/* Write m as the state file: 0, or -errno after logging why (the
 * message in err).
 */
static int
state_write(struct fp_ctrl *c, const struct fp_model *m, char *err, size_t errsz)
{
	json_t *doc = fp_model_to_snapshot(m);
	int rc;

	if (doc == NULL) {
		snprintf(err, errsz, "%s", strerror(ENOMEM));
		rc = -ENOMEM;
	} else {
		rc = fp_state_save(c->cfg.state_dir, doc, err, errsz);
	}
	json_decref(doc);
	if (rc < 0)
		fp_log(FP_LOG_ERR, "state not saved: %s", err);
	return rc;
}

/* Put the state file back to the current desired state after a refused
 * change: the old model, or no file when there was no state.
 */
static void
state_restore(struct fp_ctrl *c)
{
	char err[512];
	int rc;

	if (c->have_state) {
		state_write(c, c->model, err, sizeof(err));
		return;
	}
	rc = fp_state_remove(c->cfg.state_dir, err, sizeof(err));
	if (rc < 0)
		fp_log(FP_LOG_ERR, "state file not removed: %s", err);
}

/* Make m the desired state (taking it), or refuse it and free it.
 * The state file is written first, then the dataplane changed, so the
 * answer, the dataplane and the file agree: a file that cannot be
 * written refuses the change (FP_CTRL_E_STATE) before anything is
 * sent, and a change the dataplane refuses puts the old file back.
 * Returns 1 when m was taken, 0 when refused.
 */
static int
change(struct fp_ctrl *c, struct fp_model *m, int is_delete, struct fp_ctrl_result *out)
{
	struct fp_compile_report rep = { 0 };
	struct fp_sync_result res = { 0 };
	const struct fp_compile_problem *p;
	struct fp_entry_set *d = fp_entry_set_create();
	uint64_t t0 = fp_clock_now_ns(), t_compiled, t_persisted;
	int rc, applied = 0, nomem = 0;
	char err[512];

	if (d == NULL) {
		fp_model_free(m);
		result_error(out, FP_CTRL_E_NOMEM, "", "out of memory");
		return 0;
	}
	rc = fp_compile(m, &c->ctx, d, &rep);
	t_compiled = fp_clock_now_ns();
	if (rc < 0) {
		result_error(out, FP_CTRL_E_COMPILE, "", "compile: %s", strerror(-rc));
		goto err;
	}
	/* Without the dataplane's ports (never connected) local ports
	 * cannot be checked: store now, check when it connects.
	 */
	/* Only a conflict refuses; the other kinds are stored and reported. */
	if (!is_delete && c->have_info &&
	    (p = problem_new(&c->report, &rep, 1u << FP_COMPILE_PROBLEM_CONFLICT, &nomem)) !=
		    NULL) {
		char field[256];

		snprintf(field, sizeof(field), "%s.%s", fp_model_coll_singular[p->coll], p->field);
		result_error(out, FP_CTRL_E_PROBLEM, field, "%s %s: %s",
			     fp_model_coll_singular[p->coll], p->id, p->reason);
		goto err;
	}
	if (nomem) {
		result_error(out, FP_CTRL_E_NOMEM, "", "out of memory");
		goto err;
	}
	if (state_write(c, m, err, sizeof(err)) < 0) {
		result_error(out, FP_CTRL_E_STATE, "state_dir",
			     "the state file cannot be written (%s): nothing was changed", err);
		goto err;
	}
	t_persisted = fp_clock_now_ns();
	if (c->connected) {
		rc = sync_now(c, d, &res);
		if (rc < 0 && c->connected) {
			/* Refused: whatever went out before the refused
			 * transaction goes back, and so does the file.
			 */
			struct fp_sync_result back;
			char why[256];

			snprintf(why, sizeof(why), "%s", c->sync_err);
			if (sync_now(c, c->desired, &back) < 0)
				fp_log(FP_LOG_ERR, "rollback after a refused change failed: %s",
				       c->sync_err);
			state_restore(c);
			result_error(out, FP_CTRL_E_REFUSED, "dataplane",
				     "the dataplane refused the change: %s", why);
			goto err;
		}
		applied = rc == 0;
	}
	problems_log_new(&c->report, &rep);
	fp_model_free(c->model);
	c->model = m;
	fp_entry_set_free(c->desired);
	c->desired = d;
	fp_compile_report_free(&c->report);
	c->report = rep;
	c->have_state = 1;
	out->code = applied ? FP_CTRL_APPLIED : FP_CTRL_STORED;
	out->sync = res;
	out->n_problems = rep.n_problems;
	out->compile_ns = t_compiled - t0;
	out->persist_ns = t_persisted - t_compiled;
	return 1;

err:
	fp_compile_report_free(&rep);
	fp_entry_set_free(d);
	fp_model_free(m);
	return 0;
}

static void
model_error(struct fp_ctrl_result *out, const struct fp_model_err *e)
{
	out->code = FP_CTRL_E_MODEL;
	out->model_status = e->status;
	snprintf(out->field, sizeof(out->field), "%s", e->field);
	snprintf(out->reason, sizeof(out->reason), "%s", e->reason);
}

void
fp_ctrl_put(struct fp_ctrl *c, enum fp_model_coll coll, const char *id, json_t *res,
	    struct fp_ctrl_result *out)
{
	struct fp_model_err e = { 0 };
	struct fp_model *m = fp_model_clone(c->model);
	int rc;

	memset(out, 0, sizeof(*out));
	if (m == NULL) {
		result_error(out, FP_CTRL_E_NOMEM, "", "out of memory");
		return;
	}
	rc = fp_model_put(m, coll, id, res, &e);
	if (rc < 0) {
		fp_model_free(m);
		model_error(out, &e);
		return;
	}
	if (rc == 1) {
		fp_model_free(m);
		out->code = FP_CTRL_IGNORED;
		return;
	}
	change(c, m, 0, out);
}

void
fp_ctrl_delete(struct fp_ctrl *c, enum fp_model_coll coll, const char *id,
	       struct fp_ctrl_result *out)
{
	struct fp_model_err e = { 0 };
	struct fp_model *m = fp_model_clone(c->model);

	memset(out, 0, sizeof(*out));
	if (m == NULL) {
		result_error(out, FP_CTRL_E_NOMEM, "", "out of memory");
		return;
	}
	if (fp_model_delete(m, coll, id, &e) < 0) {
		fp_model_free(m);
		model_error(out, &e);
		return;
	}
	change(c, m, 1, out);
}

void
fp_ctrl_snapshot(struct fp_ctrl *c, json_t *snap, struct fp_ctrl_result *out)
{
	struct fp_model_err e = { 0 };
	struct fp_compile_report none = { 0 };
	struct fp_compile_report saved;
	struct fp_model *m = fp_model_from_snapshot(snap, &e);

	memset(out, 0, sizeof(*out));
	if (m == NULL) {
		if (errno == ENOMEM)
			result_error(out, FP_CTRL_E_NOMEM, "", "out of memory");
		else
			model_error(out, &e);
		return;
	}
	/* A snapshot must compile without any conflict, old or new. */
	saved = c->report;
	c->report = none;
	/* Refused: the model is the old one, so is its report. */
	if (!change(c, m, 0, out)) {
		c->report = saved;
		return;
	}
	fp_compile_report_free(&saved);
}

const struct fp_model *
fp_ctrl_model(const struct fp_ctrl *c)
{
	return c->model;
}

struct audit_walk {
	const struct fp_entry_set *held;     /* what the dataplane holds */
	struct fp_ctrl_audit_report *report; /* counts and samples */
	const char *target;		     /* for the log */
};

const char *const fp_ctrl_drift_names[FP_CTRL_DRIFT_MAX] = { "missing", "extra", "changed" };

/* One change of held -> installed is one drifted entry: a set of a key
 * held does not have (missing: deleted by hand), a set of a key it has
 * (changed), or a delete (extra: added by hand).
 */
static int
audit_one(uint16_t table, const void *key, const void *val, void *arg)
{
	struct audit_walk *w = arg;
	struct fp_ctrl_audit_report *r = w->report;
	const void *held = fp_entry_set_find(w->held, table, key);
	struct fp_entry e = { .table = table, .key = key };
	enum fp_ctrl_drift_kind kind = val == NULL  ? FP_CTRL_DRIFT_EXTRA :
				       held != NULL ? FP_CTRL_DRIFT_CHANGED :
						      FP_CTRL_DRIFT_MISSING;
	struct fp_ctrl_drift *d;
	json_t *j;
	char *s;

	r->n_drift[kind]++;
	if (r->n_samples >= FP_CTRL_AUDIT_SAMPLES || table >= FP_TABLE_MAX)
		return 0;
	/* The entry as the dataplane should hold it; an extra one as it is. */
	e.val = val != NULL ? val : held;
	d = &r->samples[r->n_samples++];
	d->table = table;
	d->kind = (uint16_t)kind;
	memcpy(&d->key, key, fp_names_key_size[table]);
	memcpy(&d->val, e.val, fp_names_val_size[table]);
	if (kind == FP_CTRL_DRIFT_CHANGED)
		memcpy(&d->held, held, fp_names_val_size[table]);
	j = fp_entry_json_new(&e);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	fp_log(FP_LOG_WARN, "dataplane %s: %s entry %s: %s", w->target,
	       FP_NAMES_GET(fp_names_table, table), fp_ctrl_drift_names[kind], s ? s : "?");
	free(s);
	json_decref(j);
	return 0;
}

int
fp_ctrl_audit(struct fp_ctrl *c)
{
	struct audit_walk w = { .target = c->target };
	struct fp_ctrl_audit_report *r = NULL;
	struct fp_entry_set *held;
	uint64_t t0 = fp_clock_now_ns(), gen = 0, total;
	int rc;

	c->audit_due = 0;
	c->audit_ns = t0;
	if (!c->connected)
		return -ENOTCONN;
	held = fp_entry_set_create();
	r = calloc(1, sizeof(*r));
	if (held == NULL || r == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* The generation before the dump: a commit of someone else's after
	 * it is seen by the next ping.
	 */
	rc = c->ops->ping(c->be, &gen);
	if (rc == 0)
		rc = fp_sync_dump(c->ops, c->be, held);
	if (rc < 0) {
		if (conn_lost(rc))
			disconnect(c, strerror(-rc));
		goto out;
	}
	w.held = held;
	w.report = r;
	rc = fp_entry_set_diff(held, c->installed, audit_one, &w);
	if (rc < 0)
		goto out;
	total = r->n_drift[FP_CTRL_DRIFT_MISSING] + r->n_drift[FP_CTRL_DRIFT_EXTRA] +
		r->n_drift[FP_CTRL_DRIFT_CHANGED];
	c->n_audits++;
	c->gen_seen = gen;
	c->gen_known = 1;
	if (total > 0) {
		struct fp_entry_set *tmp = c->installed;

		fp_log(FP_LOG_WARN,
		       "dataplane %s differs from what fp-control installed: %" PRIu64
		       " missing, %" PRIu64 " extra, %" PRIu64 " changed; putting it back",
		       c->target, r->n_drift[FP_CTRL_DRIFT_MISSING],
		       r->n_drift[FP_CTRL_DRIFT_EXTRA], r->n_drift[FP_CTRL_DRIFT_CHANGED]);
		c->n_audits_drift++;
		c->n_drifted += total;
		/* What it holds is the starting point of the repair. */
		c->installed = held;
		held = tmp;
		c->in_sync = 0;
		if (c->have_state) {
			struct fp_sync_result res = { 0 };

			if (sync_now(c, c->desired, &res) == 0) {
				c->n_repaired++;
				fp_log(FP_LOG_INFO,
				       "dataplane %s repaired: %" PRIu64 " set, %" PRIu64
				       " deleted",
				       c->target, res.n_set, res.n_del);
			} else {
				fp_log(FP_LOG_ERR, "dataplane %s: repair failed: %s", c->target,
				       c->sync_err);
			}
		}
	} else if (c->have_state && c->sync_err[0] == '\0') {
		/* It holds what we installed, and that is the desired state. */
		c->in_sync = fp_entry_set_diff_count(c->installed, c->desired) == 0;
	}
	r->repaired = total > 0 && c->in_sync;
	r->ns = fp_clock_now_ns() - t0;
	free(c->last_audit);
	c->last_audit = r;
	r = NULL;
	rc = 0;
out:
	free(r);
	fp_entry_set_free(held);
	return rc;
}

void
fp_ctrl_status_get(const struct fp_ctrl *c, struct fp_ctrl_status *out)
{
	memset(out, 0, sizeof(*out));
	out->connected = c->connected;
	out->target = c->target;
	out->host = c->info.host;
	out->generation = c->info.generation;
	out->n_reconnects = c->n_reconnects;
	out->in_sync = c->connected && c->in_sync;
	out->sync_err = c->sync_err;
	out->entries = c->connected ? c->installed : c->desired;
	out->report = &c->report;
	out->audit_ms = c->cfg.audit_ms;
	out->n_audits = c->n_audits;
	out->n_audits_drift = c->n_audits_drift;
	out->n_drifted = c->n_drifted;
	out->n_repaired = c->n_repaired;
	out->audit_ns = c->audit_ns;
	out->last_audit = c->last_audit;
}

struct fp_ctrl *
fp_ctrl_create(const struct fp_ctrl_config *cfg, const struct fp_backend_ops *ops, char *err,
	       size_t errsz)
{
	struct fp_model_err e = { 0 };
	struct fp_ctrl *c = calloc(1, sizeof(*c));
	json_t *doc = NULL;
	int rc;

	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	c->ops = ops;
	c->target = strcmp(c->cfg.backend, "xdp") == 0 ? c->cfg.xdp_instance : c->cfg.dp_socket;
	c->ids_limit = FP_VTEP_IDS_UNKNOWN;
	c->ids = fp_vtep_ids_create(c->ids_limit);
	c->ruleset_ids = fp_ids_create(1, FP_SG_IDS_LIMIT);
	c->addrset_ids = fp_ids_create(1, FP_SG_IDS_LIMIT);
	c->vrf_ids = fp_ids_create(1, FP_VRF_IDS_LIMIT);
	c->net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	c->desired = fp_entry_set_create();
	c->installed = fp_entry_set_create();
	if (c->ids == NULL || c->ruleset_ids == NULL || c->addrset_ids == NULL ||
	    c->vrf_ids == NULL || c->net_ids == NULL || c->desired == NULL || c->installed == NULL)
		goto err_nomem;
	fp_entry_set_seal(c->desired, NULL);
	fp_entry_set_seal(c->installed, NULL);
	rc = fp_state_load(cfg->state_dir, &doc, err, errsz);
	if (rc < 0) {
		errno = -rc;
		goto err_free;
	}
	if (doc != NULL) {
		c->model = fp_model_from_snapshot(doc, &e);
		json_decref(doc);
		if (c->model == NULL) {
			snprintf(err, errsz, "%s/%s: %s: %s", cfg->state_dir, FP_STATE_FILE,
				 e.field, e.reason);
			errno = EINVAL;
			goto err_free;
		}
		c->have_state = 1;
		fp_log(FP_LOG_INFO, "state %s/%s: %zu networks, %zu ports, %zu hosts",
		       cfg->state_dir, FP_STATE_FILE, fp_model_count(c->model, FP_MODEL_NETWORK),
		       fp_model_count(c->model, FP_MODEL_PORT),
		       fp_model_count(c->model, FP_MODEL_HOST));
	} else {
		c->model = fp_model_create();
		if (c->model == NULL)
			goto err_nomem;
	}
	ctx_reset(c);
	return c;

err_nomem:
	snprintf(err, errsz, "%s", strerror(ENOMEM));
	errno = ENOMEM;
err_free:
	fp_ctrl_free(c);
	return NULL;
}

void
fp_ctrl_free(struct fp_ctrl *c)
{
	if (c == NULL)
		return;
	if (c->be != NULL)
		c->ops->close(c->be);
	fp_model_free(c->model);
	fp_entry_set_free(c->desired);
	fp_entry_set_free(c->installed);
	fp_compile_report_free(&c->report);
	fp_vtep_ids_free(c->ids);
	fp_ids_free(c->ruleset_ids);
	fp_ids_free(c->addrset_ids);
	fp_ids_free(c->vrf_ids);
	fp_ids_free(c->net_ids);
	free(c->last_audit);
	free(c);
}

const struct fp_backend_info *
fp_ctrl_engine_info(const struct fp_ctrl *c)
{
	return c->have_info ? &c->info : NULL;
}
