/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's request handling and lifecycle (control/ctrl.c) against a
 * fake dataplane: an in-memory table store behind struct fp_backend_ops
 * that refuses commits over its table limits, can go away and come back
 * empty (a restarted fp-dpdk), and counts the changes it was sent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "api_json.h"
#include "backend.h"
#include "ctrl.h"
#include "entries.h"
#include "names.h"
#include "state.h"

struct change {
	uint16_t table;				 /* FP_TABLE_* */
	uint8_t del;				 /* a delete */
	uint8_t key[64];			 /* key bytes */
	uint8_t val[sizeof(union fp_table_val)]; /* value bytes (set) */
};

/* The fake dataplane (one per test). */
static struct fake {
	struct fp_entry_set *tables;	  /* what it holds */
	struct change *staged;		  /* the open transaction */
	size_t n_staged, cap;		  /* staged changes, allocated */
	int in_txn;			  /* begin seen */
	int up;				  /* reachable */
	uint32_t epoch;			  /* bumped when it "restarts" */
	uint32_t limit[FP_TABLE_MAX];	  /* entries allowed */
	uint64_t n_set, n_del, n_commits; /* applied */
	char host[FP_NAME_SIZE];	  /* its host name */
	int no_sg;			  /* it does not enforce security groups */
	int md_delivered;		  /* it delivers VMs' metadata connections */
} fk;

struct handle {
	uint32_t epoch; /* the fake's epoch when opened */
};

static int
fake_open(const char *target, void **h)
{
	struct handle *hd;

	(void)target;
	if (!fk.up)
		return -ECONNREFUSED;
	hd = calloc(1, sizeof(*hd));
	if (hd == NULL)
		return -ENOMEM;
	hd->epoch = fk.epoch;
	*h = hd;
	return 0;
}

static int
alive(void *h)
{
	return fk.up && ((struct handle *)h)->epoch == fk.epoch;
}

static int
fake_info(void *h, struct fp_backend_info *out)
{
	static const char *const names[] = { "vm1", "vm2", "ul" };
	uint32_t i;

	if (!alive(h))
		return -ENOTCONN;
	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", fk.host);
	out->abi_version = FP_ABI_VERSION;
	out->n_ports = 3;
	for (i = 0; i < 3; i++) {
		snprintf(out->ports[i].name, sizeof(out->ports[i].name), "%s", names[i]);
		out->ports[i].id = i;
		out->ports[i].role = i < 2 ? FP_PORT_ROLE_VM : FP_PORT_ROLE_UNDERLAY;
		out->ports[i].mtu = i < 2 ? 1500 : 1600;
		out->ports[i].mac[0] = 0x02;
		out->ports[i].mac[5] = (uint8_t)(0x10 + i);
	}
	memcpy(out->table_limit, fk.limit, sizeof(fk.limit));
	out->sg_enforced = !fk.no_sg;
	out->md_delivered = (uint32_t)fk.md_delivered;
	return 0;
}

static int
fake_begin(void *h)
{
	if (!alive(h))
		return -ENOTCONN;
	fk.in_txn = 1;
	fk.n_staged = 0;
	return 0;
}

static int
stage(uint16_t table, const void *key, const void *val)
{
	struct change *c;

	if (fk.n_staged == fk.cap) {
		size_t cap = fk.cap ? 2 * fk.cap : 64;
		struct change *n = realloc(fk.staged, cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		fk.staged = n;
		fk.cap = cap;
	}
	c = &fk.staged[fk.n_staged++];
	memset(c, 0, sizeof(*c));
	c->table = table;
	c->del = val == NULL;
	memcpy(c->key, key, fp_names_key_size[table]);
	if (val != NULL)
		memcpy(c->val, val, fp_names_val_size[table]);
	return 0;
}

static int
fake_set(void *h, uint16_t table, const void *key, const void *val)
{
	if (!alive(h))
		return -ENOTCONN;
	return stage(table, key, val);
}

static int
fake_del(void *h, uint16_t table, const void *key)
{
	if (!alive(h))
		return -ENOTCONN;
	return stage(table, key, NULL);
}

/* All or nothing: refused when a table would exceed its limit. */
static int
fake_commit(void *h, uint32_t *failed, char *err, size_t errsz)
{
	int64_t count[FP_TABLE_MAX];
	size_t i;
	int t;

	if (!alive(h))
		return -ENOTCONN;
	fk.in_txn = 0;
	for (t = 0; t < FP_TABLE_MAX; t++)
		count[t] = (int64_t)fp_entry_set_count_table(fk.tables, (uint16_t)t);
	for (i = 0; i < fk.n_staged; i++) {
		const struct change *c = &fk.staged[i];
		int there = fp_entry_set_find(fk.tables, c->table, c->key) != NULL;

		if (c->del && !there) {
			*failed = (uint32_t)i;
			snprintf(err, errsz, "change %zu: delete: no such entry", i);
			return -ENOENT;
		}
		count[c->table] += c->del ? -1 : !there;
		if (count[c->table] > fk.limit[c->table]) {
			*failed = (uint32_t)i;
			snprintf(err, errsz, "table %u full: limit %u", c->table,
				 fk.limit[c->table]);
			return -ENOSPC;
		}
	}
	for (i = 0; i < fk.n_staged; i++) {
		const struct change *c = &fk.staged[i];

		assert_int_equal(
			fp_entry_set_apply(fk.tables, c->table, c->key, c->del ? NULL : c->val), 0);
		if (c->del)
			fk.n_del++;
		else
			fk.n_set++;
	}
	fk.n_commits++;
	fk.n_staged = 0;
	return 0;
}

static int
fake_abort(void *h)
{
	(void)h;
	fk.in_txn = 0;
	fk.n_staged = 0;
	return 0;
}

static int
fake_dump(void *h, uint16_t table, fp_backend_dump_fn *fn, void *arg)
{
	size_t i, n = fp_entry_set_count(fk.tables);
	struct fp_entry e;
	int rc;

	if (!alive(h))
		return -ENOTCONN;
	for (i = 0; i < n; i++) {
		assert_int_equal(fp_entry_set_at(fk.tables, i, &e), 0);
		if (e.table == table && (rc = fn(e.table, e.key, e.val, arg)) != 0)
			return rc;
	}
	return 0;
}

static int
fake_ping(void *h, uint64_t *generation)
{
	if (!alive(h))
		return -ENOTCONN;
	if (generation != NULL)
		*generation = fk.n_commits;
	return 0;
}

static void
fake_close(void *h)
{
	free(h);
}

static const struct fp_backend_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.info = fake_info,
	.begin = fake_begin,
	.set = fake_set,
	.del = fake_del,
	.commit = fake_commit,
	.abort = fake_abort,
	.dump = fake_dump,
	.ping = fake_ping,
	.close = fake_close,
};

/* A restarted fp-dpdk: empty tables but its config-owned underlay port. */
static void
fake_restart(void)
{
	struct fp_port_key k = { .port_id = 2 };
	struct fp_port_val v = { .role = FP_PORT_ROLE_UNDERLAY, .mtu = 1600 };

	fk.epoch++;
	fk.up = 1;
	fp_entry_set_clear(fk.tables);
	assert_int_equal(fp_entry_set_seal(fk.tables, NULL), 0);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_PORT, &k, &v), 0);
}

struct fixture {
	char dir[64];		   /* state dir */
	struct fp_ctrl_config cfg; /* controller config */
	struct fp_ctrl *c;	   /* controller under test */
	struct fp_ctrl_result r;   /* last result */
	int status;		   /* its HTTP status (api_json.c) */
	json_t *body;		   /* and body */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	int t;

	assert_non_null(f);
	memset(&fk, 0, sizeof(fk));
	fk.tables = fp_entry_set_create();
	assert_non_null(fk.tables);
	snprintf(fk.host, sizeof(fk.host), "hv1");
	for (t = 0; t < FP_TABLE_MAX; t++)
		fk.limit[t] = 1000;
	fake_restart();
	snprintf(f->dir, sizeof(f->dir), "/tmp/fp_test_ctrl_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	fp_ctrl_config_defaults(&f->cfg);
	snprintf(f->cfg.host, sizeof(f->cfg.host), "hv1");
	f->cfg.local_vteps[0].b[10] = f->cfg.local_vteps[0].b[11] = 0xff;
	f->cfg.local_vteps[0].b[12] = 172;
	f->cfg.local_vteps[0].b[13] = 16;
	f->cfg.local_vteps[0].b[15] = 1;
	f->cfg.n_local_vteps = 1;
	snprintf(f->cfg.state_dir, sizeof(f->cfg.state_dir), "%s", f->dir);
	f->c = fp_ctrl_create(&f->cfg, &fake_ops, err, sizeof(err));
	assert_non_null(f->c);
	*state = f;
	return 0;
}

static void
result_clear(struct fixture *f)
{
	json_decref(f->body);
	f->body = NULL;
	f->status = 0;
	memset(&f->r, 0, sizeof(f->r));
}

/* The API's answer to the last request. */
static void
answer(struct fixture *f)
{
	f->status = fp_api_json_result(&f->r, &f->body);
	assert_non_null(f->body);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	result_clear(f);
	fp_ctrl_free(f->c);
	snprintf(path, sizeof(path), "%s/%s", f->dir, FP_STATE_FILE);
	unlink(path);
	rmdir(f->dir);
	fp_entry_set_free(fk.tables);
	free(fk.staged);
	free(f);
	return 0;
}

static const char *snapshot_text =
	"{\"hosts\": ["
	" {\"id\": \"hv1\", \"vtep_addresses\": [\"172.16.0.1\"], \"underlay_mac\": "
	"\"02:00:00:00:01:01\"},"
	" {\"id\": \"hv2\", \"vtep_addresses\": [\"172.16.0.2\"], \"underlay_mac\": "
	"\"02:00:00:00:01:02\"}],"
	" \"networks\": [{\"id\": \"net-a\", \"provider:network_type\": \"vxlan\","
	"  \"provider:segmentation_id\": 100, \"mtu\": 1450, \"name\": \"a\"}],"
	" \"subnets\": [{\"id\": \"sub-a\", \"network_id\": \"net-a\", \"ip_version\": 4,"
	"  \"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\", \"enable_dhcp\": false}],"
	" \"ports\": ["
	"  {\"id\": \"p1\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:01\","
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.11\"}],"
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm1\"}},"
	"  {\"id\": \"p2\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:02\","
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.12\"}],"
	"   \"binding:host_id\": \"hv2\", \"binding:profile\": {}}]}";

static json_t *
parse(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s at %d:%d", je.text, je.line, je.column);
	return j;
}

static void
snapshot(struct fixture *f, const char *text)
{
	json_t *j = parse(text);

	result_clear(f);
	fp_ctrl_snapshot(f->c, j, &f->r);
	json_decref(j);
	answer(f);
}

static void
put(struct fixture *f, enum fp_model_coll coll, const char *id, const char *res)
{
	json_t *j = parse(res);

	result_clear(f);
	fp_ctrl_put(f->c, coll, id, j, &f->r);
	json_decref(j);
	answer(f);
}

static void
delete_one(struct fixture *f, enum fp_model_coll coll, const char *id)
{
	result_clear(f);
	fp_ctrl_delete(f->c, coll, id, &f->r);
	answer(f);
}

/* Audit; *rep is GET /v1/tables' audit.last (new reference) on success. */
static int
audit(struct fixture *f, json_t **rep)
{
	int rc = fp_ctrl_audit(f->c);
	json_t *t;

	if (rc < 0)
		return rc;
	t = fp_api_json_tables(f->c, 0);
	assert_non_null(t);
	*rep = json_incref(json_object_get(json_object_get(t, "audit"), "last"));
	json_decref(t);
	return 0;
}

static const char *
err_field(const struct fixture *f)
{
	return json_string_value(json_object_get(json_object_get(f->body, "error"), "field"));
}

static size_t
fk_count(uint16_t table)
{
	return fp_entry_set_count_table(fk.tables, table);
}

/* The state file's document (new reference), NULL if there is none. */
static json_t *
state_file(const struct fixture *f)
{
	char err[256];
	json_t *doc = NULL;

	assert_int_equal(fp_state_load(f->dir, &doc, err, sizeof(err)), 0);
	return doc;
}

/* Expected tables of snapshot_text on hv1: port p1, vtep to hv2, fdb x2,
 * flood, neigh x2 (and the fake's own underlay port entry).
 */
static void
assert_snapshot_installed(void)
{
	assert_int_equal(fk_count(FP_TABLE_PORT), 2);
	assert_int_equal(fk_count(FP_TABLE_VTEP), 1);
	assert_int_equal(fk_count(FP_TABLE_FDB), 2);
	assert_int_equal(fk_count(FP_TABLE_FLOOD), 1);
	assert_int_equal(fk_count(FP_TABLE_NEIGH), 2);
}

/* Without a state file the dataplane is left alone; a snapshot installs. */
static void
test_ctrl_first_start_then_snapshot(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key k = { .vni = 7, .mac = { 2, 0, 0, 0, 0, 9 } };
	struct fp_fdb_val v = { .type = FP_DEST_PORT, .id = 1 };
	struct stat st;
	char path[128];

	/* An entry put there by hand (fpctl) before fp-control ever ran. */
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &k, &v), 0);
	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	assert_int_equal(fk.n_commits, 0);
	assert_non_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &k));

	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	assert_true(json_is_true(json_object_get(f->body, "applied")));
	/* The snapshot is the whole state: the hand-made entry is gone. */
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &k));
	assert_snapshot_installed();
	snprintf(path, sizeof(path), "%s/%s", f->dir, FP_STATE_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void ctrl_recreate(struct fixture *f, uint32_t audit_ms);

/* The number of problems of the desired state whose reason starts with
 * text.
 */
static size_t
problems_starting(const struct fp_ctrl *c, const char *text)
{
	struct fp_ctrl_status st;
	size_t i, n = 0;

	fp_ctrl_status_get(c, &st);
	for (i = 0; i < st.report->n_problems; i++)
		n += strncmp(st.report->problems[i].reason, text, strlen(text)) == 0;
	return n;
}

/* The metadata proxy on: until the engine delivers, sub-a (p1 on hv1)
 * says "metadata not served"; once it does, nothing.  Off: nothing.  The
 * engine's ports are there for the proxy's lookups, also after it left.
 */
static void
test_ctrl_metadata_undelivered(void **state)
{
	struct fixture *f = *state;
	const struct fp_backend_info *info;

	assert_null(fp_ctrl_engine_info(f->c));
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	assert_int_equal(problems_starting(f->c, "metadata not served"), 0);
	f->cfg.md.enabled = 1;
	ctrl_recreate(f, f->cfg.audit_ms);
	fp_ctrl_tick(f->c);
	assert_int_equal(problems_starting(f->c, "metadata not served on hv1"), 1);
	info = fp_ctrl_engine_info(f->c);
	assert_non_null(info);
	assert_int_equal(info->n_ports, 3);
	assert_string_equal(info->ports[0].name, "vm1");
	fk.md_delivered = 1;
	ctrl_recreate(f, f->cfg.audit_ms);
	fp_ctrl_tick(f->c);
	assert_int_equal(problems_starting(f->c, "metadata not served"), 0);
	fake_restart();
	fk.up = 0;
	fp_ctrl_tick(f->c);
	assert_non_null(fp_ctrl_engine_info(f->c));
}

/* An engine that does not enforce security groups: a port with port
 * security is refused (a problem, never accepted and left open); without
 * it, the port is installed.
 */
static void
test_ctrl_sg_not_enforced_refused(void **state)
{
	struct fixture *f = *state;
	const char *reason;
	json_t *t, *p;

	fk.no_sg = 1;
	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 422);
	reason = json_string_value(json_object_get(json_object_get(f->body, "error"), "reason"));
	assert_non_null(reason);
	assert_non_null(strstr(reason, "security groups are not enforced by the fake engine: "
				       "port not installed"));
	assert_int_equal(fk.n_commits, 0);
	assert_int_equal(fk_count(FP_TABLE_RULESET), 0);

	/* A state stored while the engine filtered, loaded by an fp-control
	 * that meets an engine that does not: the port is taken out (its
	 * problem is listed), not left open.
	 */
	fk.no_sg = 0;
	ctrl_recreate(f, 0);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	assert_int_equal(fk_count(FP_TABLE_PORT), 2);
	assert_int_equal(fk_count(FP_TABLE_RULESET), 2);
	fk.no_sg = 1;
	ctrl_recreate(f, 0);
	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	assert_int_equal(fk_count(FP_TABLE_PORT), 1); /* the underlay port */
	assert_int_equal(fk_count(FP_TABLE_RULESET), 0);
	t = fp_api_json_tables(f->c, 0);
	p = json_array_get(json_object_get(t, "problems"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "field")),
			    "port_security_enabled");
	assert_non_null(strstr(json_string_value(json_object_get(p, "reason")),
			       "not enforced by the fake engine"));
	json_decref(t);
}

/* snapshot_text with what this flowplane stores but does not carry: a
 * vlan network with a port bound here, a gre network, a router with an
 * interface on sub-a and its gateway on an external network, a floating
 * IP of p1.
 */
static const char *uncarried_text =
	"{\"hosts\": ["
	" {\"id\": \"hv1\", \"vtep_addresses\": [\"172.16.0.1\"], \"underlay_mac\": "
	"\"02:00:00:00:01:01\", \"bridge_mappings\": {\"physnet1\": \"vm2\"}},"
	" {\"id\": \"hv2\", \"vtep_addresses\": [\"172.16.0.2\"], \"underlay_mac\": "
	"\"02:00:00:00:01:02\"}],"
	" \"networks\": [{\"id\": \"net-a\", \"provider:network_type\": \"vxlan\","
	"  \"provider:segmentation_id\": 100, \"mtu\": 1450, \"name\": \"a\"},"
	"  {\"id\": \"net-v\", \"provider:network_type\": \"vlan\","
	"   \"provider:physical_network\": \"physnet1\", \"provider:segmentation_id\": 42},"
	"  {\"id\": \"net-g\", \"provider:network_type\": \"gre\", \"provider:segmentation_id\": 9},"
	"  {\"id\": \"net-x\", \"provider:network_type\": \"vxlan\","
	"   \"provider:segmentation_id\": 300, \"router:external\": true}],"
	" \"subnets\": [{\"id\": \"sub-a\", \"network_id\": \"net-a\", \"ip_version\": 4,"
	"  \"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\", \"enable_dhcp\": false},"
	"  {\"id\": \"sub-x\", \"network_id\": \"net-x\", \"ip_version\": 4,"
	"  \"cidr\": \"172.24.4.0/24\", \"gateway_ip\": \"172.24.4.1\","
	"   \"enable_dhcp\": false}],"
	" \"ports\": ["
	"  {\"id\": \"p1\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:01\","
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.11\"}],"
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm1\"}},"
	"  {\"id\": \"p2\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:02\","
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.12\"}],"
	"   \"binding:host_id\": \"hv2\", \"binding:profile\": {}},"
	"  {\"id\": \"pv\", \"network_id\": \"net-v\", \"mac_address\": \"fa:16:3e:00:00:05\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm2\"}},"
	"  {\"id\": \"rif\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:fe\","
	"   \"device_owner\": \"network:router_interface_distributed\", \"device_id\": \"r1\","
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.1\"}]}],"
	" \"routers\": [{\"id\": \"r1\", \"distributed\": true,"
	"  \"external_gateway_info\": {\"network_id\": \"net-x\", \"external_fixed_ips\":"
	"   [{\"subnet_id\": \"sub-x\", \"ip_address\": \"172.24.4.10\"}]}}],"
	" \"floatingips\": [{\"id\": \"fip1\", \"floating_network_id\": \"net-x\","
	"  \"floating_ip_address\": \"172.24.4.20\", \"port_id\": \"p1\","
	"  \"fixed_ip_address\": \"10.0.0.11\", \"router_id\": \"r1\"}]}";

/* What the engine cannot carry is stored with a problem on it (and on
 * its local ports), never refused: a snapshot holding a vlan network, a
 * gre network, a router and a floating IP installs the rest; PUTs of such
 * resources are taken.  A conflict is still refused.
 */
static void
test_ctrl_uncarried_stored(void **state)
{
	struct fixture *f = *state;
	json_t *t, *probs, *p, *doc;
	size_t i, n_unsupported = 0;
	int vlan_seen = 0;

	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	snapshot(f, uncarried_text);
	assert_int_equal(f->status, 200);
	assert_true(json_is_true(json_object_get(f->body, "applied")));
	assert_snapshot_installed(); /* pv (vm2) is not installed */
	/* net-v, net-g, pv, r1, rif, fip1 */
	assert_int_equal(json_integer_value(json_object_get(f->body, "problems")), 6);
	t = fp_api_json_tables(f->c, 0);
	probs = json_object_get(t, "problems");
	assert_int_equal(json_array_size(probs), 6);
	json_array_foreach(probs, i, p)
	{
		n_unsupported += strcmp(json_string_value(json_object_get(p, "kind")),
					"unsupported") == 0;
		if (strcmp(json_string_value(json_object_get(p, "id")), "net-v") == 0) {
			vlan_seen = 1;
			assert_non_null(strstr(json_string_value(json_object_get(p, "reason")),
					       "the fake engine does not carry provider networks"));
		}
	}
	assert_int_equal(n_unsupported, 6);
	assert_true(vlan_seen);
	json_decref(t);
	/* Stored: the state file has them. */
	doc = state_file(f);
	assert_int_equal(json_array_size(json_object_get(doc, "networks")), 4);
	assert_int_equal(json_array_size(json_object_get(doc, "floatingips")), 1);
	json_decref(doc);

	/* One at a time: taken, with its problem. */
	put(f, FP_MODEL_NETWORK, "net-f",
	    "{\"id\": \"net-f\", \"provider:network_type\": \"flat\","
	    " \"provider:physical_network\": \"physnet1\"}");
	assert_int_equal(f->status, 200);
	assert_int_equal(json_integer_value(json_object_get(f->body, "problems")), 7);
	put(f, FP_MODEL_ROUTER, "r2", "{\"id\": \"r2\", \"routes\": []}");
	assert_int_equal(f->status, 200);
	assert_int_equal(json_integer_value(json_object_get(f->body, "problems")), 8);
	/* Inconsistent references are taken too. */
	put(f, FP_MODEL_PORT, "rif2",
	    "{\"id\": \"rif2\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:fd\","
	    " \"device_owner\": \"network:router_interface\", \"device_id\": \"r3\"}");
	assert_int_equal(f->status, 200);
	assert_snapshot_installed();
	/* A conflict is not. */
	put(f, FP_MODEL_PORT, "p9",
	    "{\"id\": \"p9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:01\","
	    " \"binding:host_id\": \"hv2\"}");
	assert_int_equal(f->status, 422);
	assert_string_equal(err_field(f), "port.mac_address");
}

/* Refused requests: the status and field name the problem; neither the
 * dataplane nor the state changes.
 */
static void
test_ctrl_bad_requests_change_nothing(void **state)
{
	static const struct {
		enum fp_model_coll coll; /* collection */
		const char *id;		 /* URL id */
		const char *body;	 /* resource */
		int status;		 /* expected */
		const char *field;	 /* expected */
	} bad[] = {
		{ FP_MODEL_PORT, "p9", "{\"id\": \"p9\", \"mac_address\": \"fa:16:3e:00:00:09\"}",
		  400, "port.network_id" },
		{ FP_MODEL_PORT, "p9",
		  "{\"id\": \"p9\", \"network_id\": \"nope\", \"mac_address\": \"fa:16:3e:00:00:09\"}",
		  404, "port.network_id" },
		{ FP_MODEL_NETWORK, "n9",
		  "{\"id\": \"n9\", \"provider:network_type\": \"vxlan\", "
		  "\"provider:segmentation_id\": \"9\"}",
		  400, "network.provider:segmentation_id" },
		/* Compiles to a problem: a local port naming no dataplane port. */
		{ FP_MODEL_PORT, "p9",
		  "{\"id\": \"p9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:09\", "
		  "\"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm9\"}}",
		  422, "port.binding:profile.flowplane_port" },
		/* A port on a host nobody told us about. */
		{ FP_MODEL_PORT, "p9",
		  "{\"id\": \"p9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:09\", "
		  "\"binding:host_id\": \"hv7\"}",
		  422, "port.binding:host_id" },
		/* Another port's MAC in the same network. */
		{ FP_MODEL_PORT, "p9",
		  "{\"id\": \"p9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:02\", "
		  "\"binding:host_id\": \"hv2\"}",
		  422, "port.mac_address" },
	};
	struct fixture *f = *state;
	json_t *before, *after;
	uint64_t commits;
	unsigned int i;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	commits = fk.n_commits;
	before = fp_api_json_state(f->c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(f, bad[i].coll, bad[i].id, bad[i].body);
		if (f->status != bad[i].status || err_field(f) == NULL ||
		    strcmp(err_field(f), bad[i].field) != 0) {
			char *s = json_dumps(f->body, 0);

			fail_msg("case %u: want %d %s, got %d %s", i, bad[i].status, bad[i].field,
				 f->status, s);
		}
		after = fp_api_json_state(f->c);
		assert_true(json_equal(before, after));
		json_decref(after);
	}
	assert_int_equal(fk.n_commits, commits);
	assert_snapshot_installed();
	json_decref(before);
}

/* A commit the dataplane refuses (a table full): 409, and whatever went
 * out is rolled back; the model is unchanged.
 */
static void
test_ctrl_refused_commit_rolls_back(void **state)
{
	struct fixture *f = *state;
	json_t *before, *after;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fk.limit[FP_TABLE_FDB] = 2;
	before = fp_api_json_state(f->c);
	put(f, FP_MODEL_PORT, "p3",
	    "{\"id\": \"p3\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:03\", "
	    "\"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.13\"}], "
	    "\"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm2\"}}");
	assert_int_equal(f->status, 409);
	assert_string_equal(err_field(f), "dataplane");
	after = fp_api_json_state(f->c);
	assert_true(json_equal(before, after));
	assert_snapshot_installed();
	json_decref(after);
	/* The state file was written before the dataplane refused: it is
	 * the old one again.
	 */
	after = state_file(f);
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	/* Room again: the same request goes through. */
	fk.limit[FP_TABLE_FDB] = 1000;
	put(f, FP_MODEL_PORT, "p3",
	    "{\"id\": \"p3\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:03\", "
	    "\"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.13\"}], "
	    "\"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm2\"}}");
	assert_int_equal(f->status, 200);
	assert_int_equal(fk_count(FP_TABLE_FDB), 3);
	assert_int_equal(fk_count(FP_TABLE_PORT), 3);
}

/* The dataplane goes away: requests are stored (202); when it comes back
 * empty (restarted) the whole state is replayed.
 */
static void
test_ctrl_dataplane_restart_replays(void **state)
{
	struct fixture *f = *state;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fk.up = 0;
	fp_ctrl_tick(f->c);
	assert_false(fp_ctrl_connected(f->c));
	put(f, FP_MODEL_PORT, "p3",
	    "{\"id\": \"p3\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:03\", "
	    "\"binding:host_id\": \"hv2\"}");
	assert_int_equal(f->status, 202);
	assert_true(json_is_false(json_object_get(f->body, "applied")));
	fake_restart();
	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	assert_int_equal(fk_count(FP_TABLE_FDB), 3);
	assert_int_equal(fk_count(FP_TABLE_VTEP), 1);
	assert_int_equal(fk_count(FP_TABLE_PORT), 2);
}

/* A restarted fp-control reads its state file and sends nothing to a
 * dataplane that already holds it; with a change made meanwhile, only
 * that change.
 */
static void
test_ctrl_restart_sends_only_the_difference(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key k = { .vni = 100, .mac = { 0xfa, 0x16, 0x3e, 0, 0, 2 } };
	uint64_t set, del;
	char err[256];

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_free(f->c);
	set = fk.n_set;
	del = fk.n_del;
	f->c = fp_ctrl_create(&f->cfg, &fake_ops, err, sizeof(err));
	assert_non_null(f->c);
	fp_ctrl_tick(f->c);
	assert_true(fp_ctrl_connected(f->c));
	assert_int_equal(fk.n_set, set);
	assert_int_equal(fk.n_del, del);
	/* While fp-control was away, someone deleted an entry by hand. */
	fp_ctrl_free(f->c);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &k, NULL), 0);
	f->c = fp_ctrl_create(&f->cfg, &fake_ops, err, sizeof(err));
	assert_non_null(f->c);
	fp_ctrl_tick(f->c);
	assert_int_equal(fk.n_set, set + 1);
	assert_int_equal(fk.n_del, del);
	assert_non_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &k));
}

/* Deleting a network with ports is accepted; its entries go, and the
 * orphaned ports are reported as problems.
 */
static void
test_ctrl_delete_network_with_ports(void **state)
{
	struct fixture *f = *state;
	json_t *t;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	delete_one(f, FP_MODEL_NETWORK, "net-a");
	assert_int_equal(f->status, 200);
	assert_int_equal(fk_count(FP_TABLE_FDB), 0);
	assert_int_equal(fk_count(FP_TABLE_FLOOD), 0);
	assert_int_equal(fk_count(FP_TABLE_PORT), 1); /* the underlay port's own */
	t = fp_api_json_tables(f->c, 0);
	assert_true(json_array_size(json_object_get(t, "problems")) >= 2);
	json_decref(t);
	/* Problems already there do not block an unrelated request. */
	put(f, FP_MODEL_HOST, "hv3",
	    "{\"id\": \"hv3\", \"vtep_addresses\": [\"172.16.0.3\"], "
	    "\"underlay_mac\": \"02:00:00:00:01:03\"}");
	assert_int_equal(f->status, 200);
	/* And a DELETE of something unknown is a 404. */
	delete_one(f, FP_MODEL_NETWORK, "net-a");
	assert_int_equal(f->status, 404);
}

static int
tables_in_sync(const struct fixture *f)
{
	json_t *t = fp_api_json_tables(f->c, 0);
	int r = json_is_true(json_object_get(t, "in_sync"));

	json_decref(t);
	return r;
}

/* A dataplane (re)started with tables too small for the state refuses
 * it; fp-control keeps trying and gets in sync once there is room.
 */
static void
test_ctrl_refused_state_retried(void **state)
{
	struct fixture *f = *state;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fake_restart();
	fk.limit[FP_TABLE_NEIGH] = 1;
	fp_ctrl_tick(f->c); /* the old connection is gone */
	fp_ctrl_tick(f->c); /* reconnects; the state is refused */
	assert_true(fp_ctrl_connected(f->c));
	assert_false(tables_in_sync(f));
	assert_int_equal(fk_count(FP_TABLE_FDB), 0);
	fp_ctrl_tick(f->c);
	assert_false(tables_in_sync(f));
	fk.limit[FP_TABLE_NEIGH] = 1000;
	fp_ctrl_tick(f->c);
	assert_true(tables_in_sync(f));
	assert_snapshot_installed();
}

/* The fdb entry of p2 (on hv2) as snapshot_text compiles it. */
static const struct fp_fdb_key p2_fdb = { .vni = 100, .mac = { 0xfa, 0x16, 0x3e, 0, 0, 2 } };

/* The first neigh entry the fake holds (changed by hand in the tests). */
static void
neigh_first(struct fp_neigh_key *k, struct fp_neigh_val *v)
{
	size_t i, n = fp_entry_set_count(fk.tables);
	struct fp_entry e;

	for (i = 0; i < n; i++) {
		assert_int_equal(fp_entry_set_at(fk.tables, i, &e), 0);
		if (e.table == FP_TABLE_NEIGH) {
			memcpy(k, e.key, sizeof(*k));
			memcpy(v, e.val, sizeof(*v));
			return;
		}
	}
	fail_msg("no neigh entry");
}

/* A controller of f's config with audit_ms changed (the fixture's is
 * replaced; the fake and the state dir stay).
 */
static void
ctrl_recreate(struct fixture *f, uint32_t audit_ms)
{
	char err[256];

	fp_ctrl_free(f->c);
	f->cfg.audit_ms = audit_ms;
	f->c = fp_ctrl_create(&f->cfg, &fake_ops, err, sizeof(err));
	assert_non_null(f->c);
}

static json_int_t
audit_num(json_t *rep, const char *key)
{
	return json_integer_value(json_object_get(rep, key));
}

/* Entries deleted, added and changed behind fp-control's back (bpftool on
 * the XDP maps: no commit, no generation) are found by an audit, reported
 * one by one, and put back.
 */
static void
test_ctrl_audit_repairs_hand_changes(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key extra = { .vni = 100, .mac = { 2, 0, 0, 0, 0, 0x99 } };
	struct fp_fdb_val ev = { .type = FP_DEST_PORT, .id = 1 };
	struct fp_neigh_key nk;
	struct fp_neigh_val nv, nv_hand;
	json_t *rep = NULL, *t, *a;
	const struct fp_fdb_val *fv;

	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_tick(f->c);
	assert_true(tables_in_sync(f));
	neigh_first(&nk, &nv);
	nv_hand = nv;
	nv_hand.mac[5] ^= 0x55;
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &p2_fdb, NULL), 0);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &extra, &ev), 0);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_NEIGH, &nk, &nv_hand), 0);

	assert_int_equal(audit(f, &rep), 0);
	assert_non_null(rep);
	assert_int_equal(audit_num(rep, "missing"), 1);
	assert_int_equal(audit_num(rep, "extra"), 1);
	assert_int_equal(audit_num(rep, "changed"), 1);
	assert_true(json_is_true(json_object_get(rep, "repaired")));
	assert_int_equal(json_array_size(json_object_get(rep, "entries")), 3);
	json_decref(rep);

	fv = fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb);
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_VTEP);
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &extra));
	assert_memory_equal(fp_entry_set_find(fk.tables, FP_TABLE_NEIGH, &nk), &nv, sizeof(nv));
	assert_snapshot_installed();
	assert_true(tables_in_sync(f));
	t = fp_api_json_tables(f->c, 0);
	a = json_object_get(t, "audit");
	assert_int_equal(audit_num(a, "with_drift"), 1);
	assert_int_equal(audit_num(a, "drifted_entries"), 3);
	assert_int_equal(audit_num(a, "repairs"), 1);
	json_decref(t);

	/* A second audit finds nothing. */
	assert_int_equal(audit(f, &rep), 0);
	assert_int_equal(
		audit_num(rep, "missing") + audit_num(rep, "extra") + audit_num(rep, "changed"), 0);
	json_decref(rep);
}

/* A route installed by hand (fpctl) is drift too: reported with its
 * fields (the API's entry JSON knows the route table) and removed.
 */
static void
test_ctrl_audit_reports_hand_route(void **state)
{
	struct fixture *f = *state;
	struct fp_route_key rk = { .vrf = 7, .plen = 96 + 24 };
	struct fp_route_val rv = {
		.type = FP_ROUTE_CONNECTED, .vni = 200, .mac = { 2, 0, 0, 0, 0xee, 1 }, .mtu = 1450
	};
	json_t *rep = NULL, *ent;
	char *txt;

	fp_addr_ip_set_v4(&rk.ip, 0x0a000100);
	fp_addr_ip_set_v4(&rv.addr, 0x0a000101);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_tick(f->c);
	assert_true(tables_in_sync(f));
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_ROUTE, &rk, &rv), 0);
	assert_int_equal(audit(f, &rep), 0);
	assert_non_null(rep);
	assert_int_equal(audit_num(rep, "extra"), 1);
	ent = json_object_get(json_array_get(json_object_get(rep, "entries"), 0), "entry");
	txt = json_dumps(ent, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(txt);
	assert_string_equal(txt, "{\"addr\":\"10.0.1.1\",\"flags\":0,\"ip\":\"10.0.1.0\","
				 "\"mac\":\"02:00:00:00:ee:01\",\"mtu\":1450,\"plen\":120,"
				 "\"type\":\"connected\",\"vni\":200,\"vrf\":7}");
	free(txt);
	json_decref(rep);
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_ROUTE, &rk));
}

/* A commit of someone else's (fpctl by hand) moves the generation: the
 * next tick audits and repairs, even with the periodic audit off.  A
 * change that bypasses commits is found only by an audit.
 */
static void
test_ctrl_audit_after_foreign_commit(void **state)
{
	struct fixture *f = *state;

	ctrl_recreate(f, 0);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_tick(f->c); /* the audit after connecting */

	/* Bypassed, audit off: not seen by a tick. */
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &p2_fdb, NULL), 0);
	fp_ctrl_tick(f->c);
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb));

	/* The same as a commit: the generation moves. */
	fk.n_commits++;
	fp_ctrl_tick(f->c);
	assert_non_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb));
	assert_true(tables_in_sync(f));
}

/* in_sync is false while the dataplane differs: a repair the dataplane
 * refuses leaves it false and retried until it goes through.
 */
static void
test_ctrl_audit_in_sync_false_until_repaired(void **state)
{
	struct fixture *f = *state;
	json_t *t, *last;

	ctrl_recreate(f, 0);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_tick(f->c);
	assert_true(tables_in_sync(f));
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &p2_fdb, NULL), 0);
	fk.limit[FP_TABLE_FDB] = 1; /* the repair is refused */
	fk.n_commits++;
	fp_ctrl_tick(f->c);
	assert_false(tables_in_sync(f));
	t = fp_api_json_tables(f->c, 0);
	last = json_object_get(json_object_get(t, "audit"), "last");
	assert_int_equal(audit_num(last, "missing"), 1);
	assert_true(json_is_false(json_object_get(last, "repaired")));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(last, "entries"), 0), "drift")),
			    "missing");
	json_decref(t);
	fp_ctrl_tick(f->c);
	assert_false(tables_in_sync(f));
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb));
	fk.limit[FP_TABLE_FDB] = 1000;
	fp_ctrl_tick(f->c);
	assert_true(tables_in_sync(f));
	assert_non_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb));
}

/* With audit_ms set, a tick audits once that much time has passed. */
static void
test_ctrl_audit_periodic(void **state)
{
	struct fixture *f = *state;

	ctrl_recreate(f, 20);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	fp_ctrl_tick(f->c);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &p2_fdb, NULL), 0);
	usleep(30 * 1000);
	fp_ctrl_tick(f->c);
	assert_non_null(fp_entry_set_find(fk.tables, FP_TABLE_FDB, &p2_fdb));
	assert_true(tables_in_sync(f));
}

/* Not connected: nothing to audit. */
static void
test_ctrl_audit_not_connected(void **state)
{
	struct fixture *f = *state;
	json_t *rep = NULL;

	fk.up = 0;
	fp_ctrl_tick(f->c);
	assert_int_equal(audit(f, &rep), -ENOTCONN);
	assert_null(rep);
}

/* A dataplane of another host is never programmed. */
static void
test_ctrl_wrong_host_not_programmed(void **state)
{
	struct fixture *f = *state;

	snprintf(fk.host, sizeof(fk.host), "hv2");
	fp_ctrl_tick(f->c);
	assert_false(fp_ctrl_connected(f->c));
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 202);
	assert_int_equal(fk.n_commits, 0);
}

/* A state file that cannot be written refuses the change before the
 * dataplane sees it (500, field state_dir): the answer, the dataplane and
 * the file agree, also after a restart.
 */
static void
test_ctrl_unwritable_state_changes_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t commits;
	char tmp[160];
	json_t *doc;

	fp_ctrl_tick(f->c);
	/* A directory where the temporary file goes: every write fails. */
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", f->dir, FP_STATE_FILE);
	assert_int_equal(mkdir(tmp, 0700), 0);
	commits = fk.n_commits;
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 500);
	assert_string_equal(err_field(f), "state_dir");
	assert_int_equal(fk.n_commits, commits);
	assert_int_equal(fk_count(FP_TABLE_FDB), 0);
	assert_null(state_file(f));
	doc = fp_api_json_state(f->c);
	assert_int_equal(json_array_size(json_object_get(doc, "ports")), 0);
	json_decref(doc);
	/* Writable again: the same request is applied and stored. */
	assert_int_equal(rmdir(tmp), 0);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	assert_snapshot_installed();
	doc = state_file(f);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "ports")), 2);
	json_decref(doc);
}

/* A change the dataplane refuses on the first request (no state before)
 * leaves no state file behind: the next start still leaves the dataplane
 * alone.
 */
static void
test_ctrl_refused_first_change_leaves_no_file(void **state)
{
	struct fixture *f = *state;

	fp_ctrl_tick(f->c);
	fk.limit[FP_TABLE_FDB] = 1;
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 409);
	assert_null(state_file(f));
}

/* state.json.tmp is created anew: a link planted at its name is replaced,
 * never written through.
 */
static void
test_ctrl_state_tmp_link_not_followed(void **state)
{
	struct fixture *f = *state;
	char tmp[160], victim[160], path[160], buf[16] = "";
	struct stat st;
	FILE *v;

	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	v = fopen(victim, "w");
	assert_non_null(v);
	fputs("keep", v);
	fclose(v);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", f->dir, FP_STATE_FILE);
	assert_int_equal(symlink(victim, tmp), 0);
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_int_equal(f->status, 200);
	v = fopen(victim, "r");
	assert_non_null(v);
	assert_non_null(fgets(buf, sizeof(buf), v));
	fclose(v);
	assert_string_equal(buf, "keep");
	snprintf(path, sizeof(path), "%s/%s", f->dir, FP_STATE_FILE);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(lstat(tmp, &st), -1);
	unlink(victim);
}

/* Timings ("..._ms", "ms") set to 0.0: the rest of a body is exact. */
static void
timings_zero(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v) timings_zero(v);
		return;
	}
	json_object_foreach(j, k, v)
	{
		size_t n = strlen(k);

		if (n >= 2 && strcmp(k + n - 2, "ms") == 0 && json_is_real(v))
			json_object_set_new(j, k, json_real(0));
		else
			timings_zero(v);
	}
}

/* A body as the API sends it (compact, timings 0.0); takes body. */
static void
assert_body(json_t *body, const char *want)
{
	char *s;

	assert_non_null(body);
	timings_zero(body);
	s = json_dumps(body, JSON_COMPACT);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("body\n got  %s\n want %s", s, want);
	free(s);
	json_decref(body);
}

static void
assert_answer(struct fixture *f, int status, enum fp_ctrl_code code, const char *want)
{
	assert_int_equal(f->r.code, code);
	assert_int_equal(f->status, status);
	assert_body(json_incref(f->body), want);
}

/* The controller says what became of a request in its own terms
 * (struct fp_ctrl_result, struct fp_ctrl_status); api_json.c makes of
 * it the HTTP answer the API has always sent, byte for byte.
 */
static void
test_ctrl_api_answers_exact(void **state)
{
	static const char *const net_b =
		"{\"id\": \"net-b\", \"provider:network_type\": \"vxlan\", "
		"\"provider:segmentation_id\": 200, \"revision_number\": 5}";
	static const char *const net_b_old =
		"{\"id\": \"net-b\", \"provider:network_type\": \"vxlan\", "
		"\"provider:segmentation_id\": 201, \"revision_number\": 3}";
	struct fp_fdb_key extra = { .vni = 100, .mac = { 2, 0, 0, 0, 0, 0x99 } };
	struct fp_fdb_val ev = { .type = FP_DEST_PORT, .id = 1 };
	struct fixture *f = *state;
	struct fp_ctrl_status st;
	struct fp_neigh_key nk;
	struct fp_neigh_val nv;

	ctrl_recreate(f, 0);
	fk.up = 0;
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_answer(f, 202, FP_CTRL_STORED,
		      "{\"applied\":false,\"changes\":{\"set\":0,\"deleted\":0,\"transactions\":0},"
		      "\"problems\":2,\"compile_ms\":0.0,\"persist_ms\":0.0,\"sync_ms\":0.0,"
		      "\"reason\":\"the dataplane is not connected; the change is stored and "
		      "applied when it is back\"}");
	assert_body(
		fp_api_json_tables(f->c, 0),
		"{\"dataplane\":{\"connected\":false,\"target\":\"/run/flowplane/fp-dpdk.sock\","
		"\"host\":\"\",\"generation\":0,\"reconnects\":0},\"in_sync\":false,"
		"\"sync_error\":\"\",\"counts\":{\"port\":0,\"vtep\":0,\"fdb\":0,\"flood\":0,"
		"\"neigh\":0,\"ruleset\":0,\"addrset\":0,\"route\":0,\"nat\":0,\"dhcp\":0,\"ra\":0,\"dhcp6\":0,\"segment\":0},\"problems\":[{\"collection\":\"ports\",\"id\":\"p1\",\"field\":"
		"\"binding:profile.flowplane_port\",\"kind\":\"conflict\",\"reason\":\"no dataplane port named "
		"\\\"vm1\\\" on this host\"},{\"collection\":\"ports\",\"id\":\"p2\",\"field\":"
		"\"binding:host_id\",\"kind\":\"conflict\",\"reason\":\"host hv2 cannot be reached: dataplane port 0 "
		"is not an underlay port\"}],\"audit\":{\"interval_ms\":0,\"audits\":0,"
		"\"with_drift\":0,\"drifted_entries\":0,\"repairs\":0,\"age_ms\":null,"
		"\"last\":null}}");
	fake_restart();
	fp_ctrl_tick(f->c);
	snapshot(f, snapshot_text);
	assert_answer(f, 200, FP_CTRL_APPLIED,
		      "{\"applied\":true,\"changes\":{\"set\":0,\"deleted\":0,\"transactions\":0},"
		      "\"problems\":0,\"compile_ms\":0.0,\"persist_ms\":0.0,\"sync_ms\":0.0}");
	put(f, FP_MODEL_PORT, "p9", "{\"id\": \"p9\", \"network_id\": \"nope\"}");
	assert_answer(f, 404, FP_CTRL_E_MODEL,
		      "{\"error\":{\"status\":404,\"field\":\"port.network_id\","
		      "\"reason\":\"no such network: nope\"}}");
	put(f, FP_MODEL_PORT, "p9",
	    "{\"id\": \"p9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:09\", "
	    "\"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm9\"}}");
	assert_answer(
		f, 422, FP_CTRL_E_PROBLEM,
		"{\"error\":{\"status\":422,\"field\":\"port.binding:profile.flowplane_port\","
		"\"reason\":\"port p9: no dataplane port named \\\"vm9\\\" on this host\"}}");
	put(f, FP_MODEL_NETWORK, "net-b", net_b);
	assert_int_equal(f->r.code, FP_CTRL_APPLIED);
	put(f, FP_MODEL_NETWORK, "net-b", net_b_old);
	assert_answer(f, 200, FP_CTRL_IGNORED,
		      "{\"applied\":false,\"ignored\":true,"
		      "\"reason\":\"revision_number is lower than the stored one\"}");
	fk.limit[FP_TABLE_FDB] = 2;
	put(f, FP_MODEL_PORT, "p3",
	    "{\"id\": \"p3\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:03\", "
	    "\"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm2\"}}");
	assert_answer(f, 409, FP_CTRL_E_REFUSED,
		      "{\"error\":{\"status\":409,\"field\":\"dataplane\",\"reason\":\"the "
		      "dataplane refused the change: table 2 full: limit 2\"}}");
	fk.limit[FP_TABLE_FDB] = 1000;
	fp_ctrl_tick(f->c);

	/* Drift of each kind, found by an audit and kept as plain copies. */
	neigh_first(&nk, &nv);
	nv.mac[5] ^= 0x55;
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &p2_fdb, NULL), 0);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_FDB, &extra, &ev), 0);
	assert_int_equal(fp_entry_set_apply(fk.tables, FP_TABLE_NEIGH, &nk, &nv), 0);
	assert_int_equal(fp_ctrl_audit(f->c), 0);
	fp_ctrl_status_get(f->c, &st);
	assert_non_null(st.last_audit);
	assert_int_equal(st.last_audit->n_samples, 3);
	assert_int_equal(st.last_audit->samples[0].kind, FP_CTRL_DRIFT_CHANGED);
	assert_memory_equal(&st.last_audit->samples[0].held.neigh, &nv, sizeof(nv));
	assert_int_equal(st.last_audit->samples[1].kind, FP_CTRL_DRIFT_MISSING);
	assert_memory_equal(&st.last_audit->samples[1].key.fdb, &p2_fdb, sizeof(p2_fdb));
	assert_int_equal(st.last_audit->samples[2].kind, FP_CTRL_DRIFT_EXTRA);
	assert_memory_equal(&st.last_audit->samples[2].val.fdb, &ev, sizeof(ev));
	assert_body(
		fp_api_json_tables(f->c, 1),
		"{\"dataplane\":{\"connected\":true,\"target\":\"/run/flowplane/fp-dpdk.sock\","
		"\"host\":\"hv1\",\"generation\":0,\"reconnects\":1},\"in_sync\":true,"
		"\"sync_error\":\"\",\"counts\":{\"port\":1,\"vtep\":1,\"fdb\":2,\"flood\":1,"
		"\"neigh\":2,\"ruleset\":2,\"addrset\":0,\"route\":0,\"nat\":0,\"dhcp\":0,\"ra\":0,\"dhcp6\":0,\"segment\":0},\"problems\":[],\"audit\":{\"interval_ms\":0,\"audits\":2,"
		"\"with_drift\":1,\"drifted_entries\":3,\"repairs\":1,\"age_ms\":0.0,\"last\":"
		"{\"missing\":1,\"extra\":1,\"changed\":1,\"repaired\":true,\"ms\":0.0,"
		"\"entries\":[{\"table\":\"neigh\",\"drift\":\"changed\",\"entry\":{\"vrf\":100,"
		"\"ip\":\"10.0.0.11\",\"mac\":\"fa:16:3e:00:00:01\",\"vni\":100},\"held\":"
		"{\"vrf\":100,\"ip\":\"10.0.0.11\",\"mac\":\"fa:16:3e:00:00:54\",\"vni\":100}},"
		"{\"table\":\"fdb\",\"drift\":\"missing\",\"entry\":{\"vni\":100,\"mac\":"
		"\"fa:16:3e:00:00:02\",\"type\":\"vtep\",\"id\":0}},{\"table\":\"fdb\",\"drift\":"
		"\"extra\",\"entry\":{\"vni\":100,\"mac\":\"02:00:00:00:00:99\",\"type\":\"port\","
		"\"id\":1}}]}},\"entries\":{\"port\":[{\"port_id\":0,\"vni\":100,\"vrf\":100,"
		"\"mtu\":1450,\"mac\":\"fa:16:3e:00:00:01\",\"antispoof\":true,\"sg\":true,"
		"\"ruleset\":1,\"addrs\":[{\"ip\":"
		"\"10.0.0.11\",\"plen\":128,\"mac\":\"00:00:00:00:00:00\"}]}],\"vtep\":[{\"vtep_id\":"
		"0,\"remote\":\"172.16.0.2\",\"local\":\"172.16.0.1\",\"encap\":\"vxlan\",\"nh_mac\":"
		"\"02:00:00:00:01:02\",\"underlay_port\":2}],\"fdb\":[{\"vni\":100,\"mac\":"
		"\"fa:16:3e:00:00:01\",\"type\":\"port\",\"id\":0},{\"vni\":100,\"mac\":"
		"\"fa:16:3e:00:00:02\",\"type\":\"vtep\",\"id\":0}],\"flood\":[{\"vni\":100,"
		"\"members\":[{\"type\":\"port\",\"id\":0},{\"type\":\"vtep\",\"id\":0}]}],\"neigh\":"
		"[{\"vrf\":100,\"ip\":\"10.0.0.11\",\"mac\":\"fa:16:3e:00:00:01\",\"vni\":100},"
		"{\"vrf\":100,\"ip\":\"10.0.0.12\",\"mac\":\"fa:16:3e:00:00:02\",\"vni\":100}],"
		"\"ruleset\":[{\"ruleset_id\":1,\"dir\":\"egress\",\"stateful\":true,\"n_rules\":0},"
		"{\"ruleset_id\":1,\"dir\":\"ingress\",\"stateful\":true,\"n_rules\":0}],"
		"\"addrset\":[],\"route\":[],\"nat\":[],\"dhcp\":[],\"ra\":[],\"dhcp6\":[],\"segment\":[]},\"shown\":\"installed\"}");
	assert_body(fp_api_json_resource(f->c, FP_MODEL_HOST, NULL),
		    "{\"hosts\":[{\"id\":\"hv1\",\"vtep_addresses\":[\"172.16.0.1\"],"
		    "\"underlay_mac\":\"02:00:00:00:01:01\"},{\"id\":\"hv2\",\"vtep_addresses\":"
		    "[\"172.16.0.2\"],\"underlay_mac\":\"02:00:00:00:01:02\"}]}");
	assert_body(fp_api_json_resource(f->c, FP_MODEL_HOST, "hv2"),
		    "{\"host\":{\"id\":\"hv2\",\"vtep_addresses\":[\"172.16.0.2\"],"
		    "\"underlay_mac\":\"02:00:00:00:01:02\"}}");
	assert_null(fp_api_json_resource(f->c, FP_MODEL_HOST, "hv9"));
}

/* A subnet with enable_dhcp and a local port on it. */
static const char dhcp_text[] =
	"{\"networks\": [{\"id\": \"net-a\", \"provider:network_type\": \"vxlan\","
	"  \"provider:segmentation_id\": 100, \"mtu\": 1450}],"
	" \"subnets\": [{\"id\": \"sub-a\", \"network_id\": \"net-a\", \"ip_version\": 4,"
	"  \"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\", \"enable_dhcp\": true}],"
	" \"ports\": [{\"id\": \"p1\", \"network_id\": \"net-a\","
	"  \"mac_address\": \"fa:16:3e:00:00:01\", \"port_security_enabled\": false,"
	"  \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.11\"}],"
	"  \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm1\"}}]}";

/* DHCP is compiled as the engine serves it: an engine whose dhcp table's
 * limit is 0 gets no entry and the subnet a problem; the same state on an
 * engine that serves it installs the port's entry, without a problem.
 */
static void
test_ctrl_dhcp_follows_engine(void **state)
{
	struct fixture *f = *state;
	struct fp_dhcp_key k = { .port_id = 0 };
	const struct fp_dhcp_val *v;
	json_t *t;
	int i;

	fk.limit[FP_TABLE_DHCP] = 0;
	fp_ctrl_tick(f->c);
	snapshot(f, dhcp_text);
	assert_int_equal(f->status, 200);
	assert_int_equal(json_integer_value(json_object_get(f->body, "problems")), 1);
	assert_null(fp_entry_set_find(fk.tables, FP_TABLE_DHCP, &k));
	t = fp_api_json_tables(f->c, 0);
	assert_non_null(
		strstr(json_string_value(json_object_get(
			       json_array_get(json_object_get(t, "problems"), 0), "reason")),
		       "not served: the fake engine does not answer DHCP"));
	json_decref(t);

	fk.limit[FP_TABLE_DHCP] = 1000;
	fake_restart();
	for (i = 0; i < 3 && fp_entry_set_find(fk.tables, FP_TABLE_DHCP, &k) == NULL; i++)
		fp_ctrl_tick(f->c);
	v = fp_entry_set_find(fk.tables, FP_TABLE_DHCP, &k);
	assert_non_null(v);
	assert_int_equal(v->lease, 86400);
	assert_memory_equal(v->addr, "\x0a\x00\x00\x0b", 4);
	t = fp_api_json_tables(f->c, 0);
	assert_int_equal(json_array_size(json_object_get(t, "problems")), 0);
	json_decref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctrl_first_start_then_snapshot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_sg_not_enforced_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_metadata_undelivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_uncarried_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_bad_requests_change_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_refused_commit_rolls_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_dataplane_restart_replays, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_restart_sends_only_the_difference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_delete_network_with_ports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_wrong_host_not_programmed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_refused_state_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_repairs_hand_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_reports_hand_route, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_after_foreign_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_in_sync_false_until_repaired, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_audit_not_connected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_unwritable_state_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_refused_first_change_leaves_no_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_state_tmp_link_not_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_api_answers_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_dhcp_follows_engine, setup, teardown),
	};

	return cmocka_run_group_tests_name("ctrl", tests, NULL, NULL);
}
