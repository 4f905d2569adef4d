/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the fp-control compiler (control/compile.c).
 *
 * Each test starts from tests/fixtures/neutron/compile_base.json (found
 * through $FP_SRCDIR), compiled for host h1 whose dataplane has an
 * underlay port up0 (id 0) and VM ports vm1..vm3 (ids 1..3), and changes
 * it with Neutron-shaped resources written inline (single quotes stand for
 * double quotes).  The base compiles to:
 *   vtep 0 = h2 (vxlan), vtep 1 = h3 (vxlan, its IPv4 address);
 *   port 1 = pa1 (net-a, anti-spoofing), port 2 = pa4 (port security off);
 *   fdb (100, pa1..pa4); flood 100 = port 1, port 2, vtep 0, vtep 1;
 *   neigh (100, 192.168.1.11..14).
 * net-b has only a port on h2, so h1 gets nothing of it; pa5 is unbound.
 */
#include "addr.h"
#include "compile.h"
#include "compile_prov.h"
#include "compile_l3.h"
#include "compile_sg.h"
#include "dhcp4.h"
#include "dhcp6.h"
#include "names.h"
#include "ra.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIXTURE_DIR "tests/fixtures/neutron"
#define VTEP_LIMIT 4096 /* ids of the test allocator */
#define SG_ID_LIMIT 64	/* ruleset and address set ids 1..63 */
#define JSON_MAX 4096	/* longest inline resource */

#define MAC_A1 "fa:16:3e:00:00:01"
#define MAC_A2 "fa:16:3e:00:00:02"
#define MAC_A3 "fa:16:3e:00:00:03"
#define MAC_A4 "fa:16:3e:00:00:04"
#define MAC_H2 "02:00:00:00:01:02"
#define MAC_H3 "02:00:00:00:01:03"

/* One test's world. */
struct world {
	struct fp_model *m;		/* the model */
	struct fp_engine_port ports[7]; /* h1's dataplane ports */
	struct fp_compile_ctx ctx;	/* compiling for h1 */
	struct fp_entry_set *out;	/* the last compile */
	struct fp_compile_report rep;	/* its problems */
};

static const char *
fixture_path(const char *name, char *buf, size_t size)
{
	const char *root = getenv("FP_SRCDIR");

	snprintf(buf, size, "%s/%s/%s", root != NULL ? root : ".", FIXTURE_DIR, name);
	return buf;
}

/* Parse JSON written with single quotes. */
static json_t *
js(const char *text)
{
	char buf[JSON_MAX];
	json_error_t jerr;
	json_t *j;
	size_t i;

	assert_true(strlen(text) < sizeof(buf));
	for (i = 0; text[i] != '\0'; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = '\0';
	j = json_loads(buf, 0, &jerr);
	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", jerr.text, buf);
	return j;
}

static void
put(struct world *w, enum fp_model_coll coll, const char *text)
{
	struct fp_model_err err;
	json_t *j = js(text);
	int rc;

	rc = fp_model_put(w->m, coll, NULL, j, &err);
	json_decref(j);
	if (rc != 0)
		fail_msg("put %s: %d: %s: %s", fp_model_coll_names[coll], rc, err.field,
			 err.reason);
}

static void
del(struct world *w, enum fp_model_coll coll, const char *id)
{
	struct fp_model_err err;

	assert_int_equal(fp_model_delete(w->m, coll, id, &err), 0);
}

static struct fp_ip
ip(const char *s)
{
	struct fp_ip a;

	assert_true(fp_addr_ip_parse(s, &a) > 0);
	return a;
}

static void
mac(const char *s, uint8_t out[6])
{
	assert_int_equal(fp_addr_mac_parse(s, out, 0), 0);
}

static void
set_port(struct fp_engine_port *p, const char *name, uint32_t id, uint16_t role)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->id = id;
	p->role = role;
	p->mtu = 1500;
	p->mac[0] = 0x02;
	p->mac[5] = (uint8_t)id;
}

static int
setup(void **state)
{
	char path[4096];
	struct fp_model_err err;
	json_error_t jerr;
	struct world *w;
	json_t *snap;

	w = calloc(1, sizeof(*w));
	assert_non_null(w);
	snap = json_load_file(fixture_path("compile_base.json", path, sizeof(path)), 0, &jerr);
	if (snap == NULL)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	w->m = fp_model_from_snapshot(snap, &err);
	json_decref(snap);
	if (w->m == NULL)
		fail_msg("%s: %s: %s", path, err.field, err.reason);
	set_port(&w->ports[0], "up0", 0, FP_PORT_ROLE_UNDERLAY);
	set_port(&w->ports[1], "vm1", 1, FP_PORT_ROLE_VM);
	set_port(&w->ports[2], "vm2", 2, FP_PORT_ROLE_VM);
	set_port(&w->ports[3], "vm3", 3, FP_PORT_ROLE_VM);
	w->ctx.host = "h1";
	w->ctx.local_vteps[0] = ip("10.0.0.1");
	w->ctx.n_local_vteps = 1;
	w->ctx.underlay_port = 0;
	w->ctx.ports = w->ports;
	w->ctx.n_ports = 4;
	w->ctx.ids = fp_vtep_ids_create(VTEP_LIMIT);
	assert_non_null(w->ctx.ids);
	w->ctx.ruleset_ids = fp_ids_create(1, SG_ID_LIMIT);
	w->ctx.addrset_ids = fp_ids_create(1, SG_ID_LIMIT);
	assert_non_null(w->ctx.ruleset_ids);
	assert_non_null(w->ctx.addrset_ids);
	w->ctx.sg_enforced = 1;
	w->ctx.engine = "test";
	w->out = fp_entry_set_create();
	assert_non_null(w->out);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	fp_compile_report_free(&w->rep);
	fp_entry_set_free(w->out);
	fp_vtep_ids_free(w->ctx.ids);
	fp_ids_free(w->ctx.ruleset_ids);
	fp_ids_free(w->ctx.addrset_ids);
	fp_model_free(w->m);
	free(w);
	return 0;
}

/* Compile for h1 into w->out; fails on an error, not on problems. */
static void
compile(struct world *w)
{
	assert_int_equal(fp_compile(w->m, &w->ctx, w->out, &w->rep), 0);
}

static void
assert_counts(const struct fp_entry_set *s, size_t port, size_t vtep, size_t fdb, size_t flood,
	      size_t neigh)
{
	assert_int_equal(fp_entry_set_count_table(s, FP_TABLE_PORT), port);
	assert_int_equal(fp_entry_set_count_table(s, FP_TABLE_VTEP), vtep);
	assert_int_equal(fp_entry_set_count_table(s, FP_TABLE_FDB), fdb);
	assert_int_equal(fp_entry_set_count_table(s, FP_TABLE_FLOOD), flood);
	assert_int_equal(fp_entry_set_count_table(s, FP_TABLE_NEIGH), neigh);
	assert_int_equal(fp_entry_set_count(s) - fp_entry_set_count_table(s, FP_TABLE_RULESET) -
				 fp_entry_set_count_table(s, FP_TABLE_ADDRSET),
			 port + vtep + fdb + flood + neigh);
}

static const struct fp_compile_problem *
find_problem(const struct fp_compile_report *r, uint16_t coll, const char *id, const char *field)
{
	size_t i;

	for (i = 0; i < r->n_problems; i++) {
		const struct fp_compile_problem *p = &r->problems[i];

		if (p->coll == coll && strcmp(p->id, id) == 0 && strcmp(p->field, field) == 0)
			return p;
	}
	return NULL;
}

/* The problem exists and its reason contains text. */
static void
assert_problem(const struct fp_compile_report *r, uint16_t coll, const char *id, const char *field,
	       const char *text)
{
	const struct fp_compile_problem *p = find_problem(r, coll, id, field);

	if (p == NULL)
		fail_msg("no problem %s %s %s (%zu problems)", fp_model_coll_names[coll], id, field,
			 r->n_problems);
	if (strstr(p->reason, text) == NULL)
		fail_msg("problem %s %s %s: \"%s\" lacks \"%s\"", fp_model_coll_names[coll], id,
			 field, p->reason, text);
}

static void
assert_no_problems(const struct fp_compile_report *r)
{
	if (r->n_problems != 0)
		fail_msg("%zu problems, first: %s %s: %s", r->n_problems, r->problems[0].id,
			 r->problems[0].field, r->problems[0].reason);
}

static const struct fp_port_val *
find_port(const struct fp_entry_set *s, uint32_t id)
{
	struct fp_port_key k;

	memset(&k, 0, sizeof(k));
	k.port_id = id;
	return fp_entry_set_find(s, FP_TABLE_PORT, &k);
}

/* A VM port's expected value with no addresses yet. */
static void
port_val(struct fp_port_val *v, uint32_t vni, uint16_t mtu, const char *mac_s, int antispoof)
{
	memset(v, 0, sizeof(*v));
	v->role = FP_PORT_ROLE_VM;
	v->flags = antispoof ? FP_PORT_F_ANTISPOOF : 0;
	v->mtu = mtu;
	v->vni = vni;
	v->vrf = vni;
	mac(mac_s, v->mac);
}

static void
port_addr(struct fp_port_val *v, const char *ip_s, uint8_t plen, const char *mac_s)
{
	struct fp_port_addr *a = &v->addrs[v->n_addrs++];

	a->ip = ip(ip_s);
	a->plen = plen;
	if (mac_s != NULL)
		mac(mac_s, a->mac);
}

static void
assert_port(const struct fp_entry_set *s, uint32_t id, const struct fp_port_val *want)
{
	const struct fp_port_val *v = find_port(s, id);
	struct fp_port_val got;

	assert_non_null(v);
	assert_int_equal(v->n_addrs, want->n_addrs);
	got = *v;
	/* Tests that do not look at security groups: port security on means
	 * filtered (the sg flag and a ruleset), whatever the id.
	 */
	if (!(want->flags & FP_PORT_F_SG) && (want->flags & FP_PORT_F_ANTISPOOF)) {
		assert_true(got.flags & FP_PORT_F_SG);
		assert_int_not_equal(got.ruleset, 0);
		got.flags &= (uint16_t)~FP_PORT_F_SG;
		got.ruleset = 0;
	}
	assert_memory_equal(&got, want, sizeof(*want));
}

static const struct fp_fdb_val *
find_fdb(const struct fp_entry_set *s, uint32_t vni, const char *mac_s)
{
	struct fp_fdb_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	mac(mac_s, k.mac);
	return fp_entry_set_find(s, FP_TABLE_FDB, &k);
}

static void
assert_fdb(const struct fp_entry_set *s, uint32_t vni, const char *mac_s, uint16_t type,
	   uint32_t id)
{
	const struct fp_fdb_val *v = find_fdb(s, vni, mac_s);
	struct fp_fdb_val want;

	if (v == NULL)
		fail_msg("no fdb entry (%u, %s)", vni, mac_s);
	memset(&want, 0, sizeof(want));
	want.type = type;
	want.id = id;
	assert_memory_equal(v, &want, sizeof(want));
}

static const struct fp_neigh_val *
find_neigh(const struct fp_entry_set *s, uint32_t vrf, const char *ip_s)
{
	struct fp_neigh_key k;

	memset(&k, 0, sizeof(k));
	k.vrf = vrf;
	k.ip = ip(ip_s);
	return fp_entry_set_find(s, FP_TABLE_NEIGH, &k);
}

static void
assert_neigh(const struct fp_entry_set *s, uint32_t vrf, const char *ip_s, const char *mac_s,
	     uint32_t vni)
{
	const struct fp_neigh_val *v = find_neigh(s, vrf, ip_s);
	struct fp_neigh_val want;

	if (v == NULL)
		fail_msg("no neigh entry (%u, %s)", vrf, ip_s);
	memset(&want, 0, sizeof(want));
	mac(mac_s, want.mac);
	want.vni = vni;
	assert_memory_equal(v, &want, sizeof(want));
}

/* Members as (type, id) pairs: P(1) is port 1, V(0) vtep 0. */
#define P(id) FP_DEST_PORT, (id)
#define V(id) FP_DEST_VTEP, (id)

static void
assert_flood(const struct fp_entry_set *s, uint32_t vni, uint32_t n, ...)
{
	const struct fp_flood_val *v;
	struct fp_flood_key k;
	struct fp_flood_val want;
	va_list ap;
	uint32_t i;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	v = fp_entry_set_find(s, FP_TABLE_FLOOD, &k);
	if (v == NULL)
		fail_msg("no flood entry for vni %u", vni);
	memset(&want, 0, sizeof(want));
	want.n_members = n;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		want.members[i].type = (uint16_t)va_arg(ap, int);
		want.members[i].id = va_arg(ap, uint32_t);
	}
	va_end(ap);
	assert_int_equal(v->n_members, n);
	assert_memory_equal(v, &want, sizeof(want));
}

static void
assert_vtep(const struct fp_entry_set *s, uint32_t id, const char *remote, const char *local,
	    const char *nh_mac, uint16_t encap)
{
	const struct fp_vtep_val *v;
	struct fp_vtep_key k;
	struct fp_vtep_val want;

	memset(&k, 0, sizeof(k));
	k.vtep_id = id;
	v = fp_entry_set_find(s, FP_TABLE_VTEP, &k);
	if (v == NULL)
		fail_msg("no vtep %u", id);
	memset(&want, 0, sizeof(want));
	want.remote = ip(remote);
	want.local = ip(local);
	mac(nh_mac, want.nh_mac);
	want.encap = encap;
	want.underlay_port = 0;
	assert_memory_equal(v, &want, sizeof(want));
}

/* The base model's net-a entries, as the header comment lists them. */
static void
assert_base(const struct world *w)
{
	struct fp_port_val pv;

	assert_counts(w->out, 2, 2, 4, 1, 4);
	assert_vtep(w->out, 0, "10.0.0.2", "10.0.0.1", MAC_H2, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 1, "10.0.0.3", "10.0.0.1", MAC_H3, FP_ENCAP_VXLAN);
	port_val(&pv, 100, 1450, MAC_A1, 1);
	port_addr(&pv, "192.168.1.11", 128, NULL);
	assert_port(w->out, 1, &pv);
	port_val(&pv, 100, 1450, MAC_A4, 0);
	port_addr(&pv, "192.168.1.14", 128, NULL);
	assert_port(w->out, 2, &pv);
	assert_fdb(w->out, 100, MAC_A1, FP_DEST_PORT, 1);
	assert_fdb(w->out, 100, MAC_A2, FP_DEST_VTEP, 0);
	assert_fdb(w->out, 100, MAC_A3, FP_DEST_VTEP, 1);
	assert_fdb(w->out, 100, MAC_A4, FP_DEST_PORT, 2);
	assert_flood(w->out, 100, 4, P(1), P(2), V(0), V(1));
	assert_neigh(w->out, 100, "192.168.1.11", MAC_A1, 100);
	assert_neigh(w->out, 100, "192.168.1.12", MAC_A2, 100);
	assert_neigh(w->out, 100, "192.168.1.13", MAC_A3, 100);
	assert_neigh(w->out, 100, "192.168.1.14", MAC_A4, 100);
}

static void
test_compile_base(void **state)
{
	struct world *w = *state;

	compile(w);
	assert_no_problems(&w->rep);
	assert_base(w);
	assert_int_equal(w->rep.n_networks_present, 1);
	assert_int_equal(w->rep.n_local_ports, 2);
	assert_int_equal(w->rep.n_remote_hosts, 2);
	/* Nothing of net-b (only on h2) or of the unbound pa5. */
	assert_null(find_fdb(w->out, 200, "fa:16:3e:00:01:01"));
	assert_null(find_fdb(w->out, 100, "fa:16:3e:00:00:05"));
	assert_null(find_neigh(w->out, 100, "192.168.1.15"));
	assert_int_equal(fp_vtep_ids_count(w->ctx.ids), 2);
}

/* The metadata proxy on, the engine not delivering: a problem on each
 * IPv4 subnet of a network with a VM port bound here (sub-a, not sub-b:
 * net-b's port is on h2); none with the proxy off.  The entries are the
 * same either way.
 */
static void
test_compile_metadata_undelivered(void **state)
{
	struct world *w = *state;

	w->ctx.md_undelivered = 1;
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a", "", "metadata not served on h1");
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a", "", "test engine does not deliver");
	assert_int_equal(w->rep.problems[0].kind, FP_COMPILE_PROBLEM_UNSUPPORTED);
	assert_base(w);
	w->ctx.md_undelivered = 0;
	compile(w);
	assert_no_problems(&w->rep);
}

/* Two compiles gave the same entries, byte for byte, and problems. */
static void
assert_same(const struct fp_entry_set *x, const struct fp_compile_report *rx,
	    const struct fp_entry_set *y, const struct fp_compile_report *ry)
{
	size_t i;

	assert_int_equal(fp_entry_set_count(x), fp_entry_set_count(y));
	for (i = 0; i < fp_entry_set_count(x); i++) {
		struct fp_entry a, b;

		assert_int_equal(fp_entry_set_at(x, i, &a), 0);
		assert_int_equal(fp_entry_set_at(y, i, &b), 0);
		assert_int_equal(a.table, b.table);
		assert_memory_equal(a.key, b.key, fp_names_key_size[a.table]);
		assert_memory_equal(a.val, b.val, fp_names_val_size[a.table]);
	}
	assert_int_equal(fp_entry_set_diff_count(x, y), 0);
	assert_int_equal(rx->n_problems, ry->n_problems);
	for (i = 0; i < rx->n_problems; i++)
		assert_memory_equal(&rx->problems[i], &ry->problems[i], sizeof(rx->problems[i]));
}

/* The same model compiles to the same bytes, again and from a clone. */
static void
test_compile_deterministic(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *again = fp_entry_set_create();
	struct fp_compile_report rep2 = { 0 };
	struct fp_model *clone;

	assert_non_null(again);
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa0', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:02',"
	    " 'binding:host_id': 'h3'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_int_equal(fp_compile(w->m, &w->ctx, again, &rep2), 0);
	assert_same(w->out, &w->rep, again, &rep2);
	clone = fp_model_clone(w->m);
	assert_non_null(clone);
	assert_int_equal(fp_compile(clone, &w->ctx, again, &rep2), 0);
	assert_same(w->out, &w->rep, again, &rep2);
	fp_compile_report_free(&rep2);
	fp_model_free(clone);
	fp_entry_set_free(again);
}

/* pa1 moves from h1 to h2, then pa2 from h2 to h1. */
static void
test_compile_port_moves_host(void **state)
{
	struct world *w = *state;
	struct fp_port_val pv;

	compile(w);
	assert_base(w);

	/* local -> remote: port 1 is gone, its MAC goes to h2's vtep. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
	    " 'binding:host_id': 'h2', 'binding:profile': {'flowplane_port': 'vm5'},"
	    " 'revision_number': 2}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 1, 2, 4, 1, 4);
	assert_null(find_port(w->out, 1));
	assert_fdb(w->out, 100, MAC_A1, FP_DEST_VTEP, 0);
	assert_fdb(w->out, 100, MAC_A4, FP_DEST_PORT, 2);
	assert_flood(w->out, 100, 3, P(2), V(0), V(1));
	assert_neigh(w->out, 100, "192.168.1.11", MAC_A1, 100);

	/* remote -> local: pa2 comes to vm3; h2 still has pa1. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa2', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.12'}],"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'},"
	    " 'revision_number': 2}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 2, 2, 4, 1, 4);
	port_val(&pv, 100, 1450, MAC_A2, 1);
	port_addr(&pv, "192.168.1.12", 128, NULL);
	assert_port(w->out, 3, &pv);
	assert_fdb(w->out, 100, MAC_A2, FP_DEST_PORT, 3);
	assert_flood(w->out, 100, 4, P(2), P(3), V(0), V(1));

	/* pa1 back home: h2 has no port in a present network, no vtep. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm1'},"
	    " 'revision_number': 3}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 3, 1, 4, 1, 4);
	assert_fdb(w->out, 100, MAC_A1, FP_DEST_PORT, 1);
	assert_flood(w->out, 100, 4, P(1), P(2), P(3), V(1));
	assert_int_equal(w->rep.n_remote_hosts, 1);
}

/* Neutron deleted net-a before its ports and subnet. */
static void
test_compile_network_deleted(void **state)
{
	static const char *const orphans[] = { "pa1", "pa2", "pa3", "pa4", "pa5" };
	struct world *w = *state;
	size_t i;

	del(w, FP_MODEL_NETWORK, "net-a");
	compile(w);
	assert_counts(w->out, 0, 0, 0, 0, 0);
	assert_int_equal(w->rep.n_problems, 6);
	for (i = 0; i < sizeof(orphans) / sizeof(orphans[0]); i++)
		assert_problem(&w->rep, FP_MODEL_PORT, orphans[i], "network_id",
			       "network net-a does not exist");
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a", "network_id",
		       "network net-a does not exist");
	assert_int_equal(w->rep.n_networks_present, 0);
	assert_int_equal(fp_vtep_ids_count(w->ctx.ids), 0);

	/* A local port of net-b makes it present; net-a's orphans stay out. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pb2', 'network_id': 'net-b', 'mac_address': 'fa:16:3e:00:01:02',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 6);
	assert_counts(w->out, 1, 1, 2, 1, 1);
	assert_flood(w->out, 200, 2, P(3), V(0));
	assert_neigh(w->out, 200, "192.168.1.11", "fa:16:3e:00:01:01", 200);
}

/* Two ports of net-a with one MAC: the lower id keeps it. */
static void
test_compile_duplicate_mac(void **state)
{
	struct world *w = *state;
	struct fp_port_val pv;

	/* pa9 (higher id than pa2) on h3 with pa2's MAC: pa9 gets nothing. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa9', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.19'}],"
	    " 'binding:host_id': 'h3'}");
	/* pa0 (lower id than pa4) on h3 with pa4's MAC: pa4 loses it. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa0', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:04',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.10'}],"
	    " 'binding:host_id': 'h3'}");
	/* The same MAC in another network is no conflict. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pb0', 'network_id': 'net-b', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'binding:host_id': 'h2'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 2);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa9", "mac_address",
		       "MAC fa:16:3e:00:00:02 is also the MAC of port pa2 in network net-a");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa4", "mac_address",
		       "MAC fa:16:3e:00:00:04 is also the MAC of port pa0 in network net-a");
	assert_counts(w->out, 1, 2, 4, 1, 4);
	port_val(&pv, 100, 1450, MAC_A1, 1);
	port_addr(&pv, "192.168.1.11", 128, NULL);
	assert_port(w->out, 1, &pv);
	assert_null(find_port(w->out, 2));
	assert_fdb(w->out, 100, MAC_A2, FP_DEST_VTEP, 0);
	assert_fdb(w->out, 100, MAC_A4, FP_DEST_VTEP, 1);
	assert_null(find_neigh(w->out, 100, "192.168.1.19"));
	assert_null(find_neigh(w->out, 100, "192.168.1.14"));
	assert_neigh(w->out, 100, "192.168.1.10", MAC_A4, 100);
	assert_flood(w->out, 100, 3, P(1), V(0), V(1));
}

/* Two ports of net-a with one IP: the lower id keeps the neigh entry. */
static void
test_compile_duplicate_ip(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pa9', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:09',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.19'},"
	    "               {'subnet_id': 'sub-a', 'ip_address': '192.168.1.12'}],"
	    " 'binding:host_id': 'h3'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa9", "fixed_ips[1].ip_address",
		       "IP 192.168.1.12 is also a fixed IP of port pa2 in network net-a");
	assert_counts(w->out, 2, 2, 5, 1, 5);
	assert_neigh(w->out, 100, "192.168.1.12", MAC_A2, 100);
	assert_neigh(w->out, 100, "192.168.1.19", "fa:16:3e:00:00:09", 100);
	assert_fdb(w->out, 100, "fa:16:3e:00:00:09", FP_DEST_VTEP, 1);
}

/* A remote host claiming one of this host's VTEP addresses: a problem of
 * that host, and no tunnel to this host itself.
 */
static void
test_compile_host_claims_own_vtep(void **state)
{
	struct world *w = *state;
	struct fp_ip own = ip("10.0.0.1");
	struct fp_entry e;
	size_t i, n_vteps = 0;

	put(w, FP_MODEL_HOST,
	    "{'id': 'h2', 'vtep_addresses': ['10.0.0.1', '10.0.0.2'],"
	    " 'underlay_mac': '" MAC_H2 "'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_HOST, "h2", "vtep_addresses[0]",
		       "10.0.0.1 is a VTEP address of this host (h1)");
	for (i = 0; i < fp_entry_set_count(w->out); i++) {
		const struct fp_vtep_val *v;

		assert_int_equal(fp_entry_set_at(w->out, i, &e), 0);
		if (e.table != FP_TABLE_VTEP)
			continue;
		v = e.val;
		n_vteps++;
		assert_memory_not_equal(&v->remote, &own, sizeof(own));
	}
	assert_int_equal(n_vteps, 2);
}

/* A network with only an IPv6 subnet. */
static void
test_compile_ipv6_only(void **state)
{
	struct world *w = *state;
	struct fp_port_val pv;

	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-c', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 300,"
	    " 'mtu': 1450}");
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c', 'network_id': 'net-c', 'ip_version': 6, 'cidr': 'fd00:c::/64',"
	    " 'gateway_ip': 'fd00:c::1', 'enable_dhcp': false}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pc1', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:03:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c', 'ip_address': 'fd00:c::11'}],"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pc2', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:03:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c', 'ip_address': 'fd00:c::12'}],"
	    " 'binding:host_id': 'h2'}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 3, 2, 6, 2, 6);
	port_val(&pv, 300, 1450, "fa:16:3e:00:03:01", 1);
	port_addr(&pv, "fd00:c::11", 128, NULL);
	assert_port(w->out, 3, &pv);
	assert_neigh(w->out, 300, "fd00:c::11", "fa:16:3e:00:03:01", 300);
	assert_neigh(w->out, 300, "fd00:c::12", "fa:16:3e:00:03:02", 300);
	assert_fdb(w->out, 300, "fa:16:3e:00:03:02", FP_DEST_VTEP, 0);
	assert_flood(w->out, 300, 2, P(3), V(0));
}

/* allowed_address_pairs: CIDR and single address, with and without MAC. */
static void
test_compile_allowed_address_pairs(void **state)
{
	struct world *w = *state;
	struct fp_port_val pv;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
	    " 'allowed_address_pairs': ["
	    "   {'ip_address': '192.168.1.0/28'},"
	    "   {'ip_address': '192.168.1.200', 'mac_address': 'fa:16:3e:00:00:aa'},"
	    "   {'ip_address': '192.168.1.201'},"
	    "   {'ip_address': '10.9.0.0/16', 'mac_address': 'fa:16:3e:00:00:bb'},"
	    "   {'ip_address': 'fd00:9::/64'}],"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm1'},"
	    " 'revision_number': 2}");
	compile(w);
	assert_no_problems(&w->rep);
	port_val(&pv, 100, 1450, MAC_A1, 1);
	port_addr(&pv, "192.168.1.11", 128, NULL);
	port_addr(&pv, "192.168.1.0", 96 + 28, NULL);
	port_addr(&pv, "192.168.1.200", 128, "fa:16:3e:00:00:aa");
	port_addr(&pv, "192.168.1.201", 128, NULL);
	port_addr(&pv, "10.9.0.0", 96 + 16, "fa:16:3e:00:00:bb");
	port_addr(&pv, "fd00:9::", 64, NULL);
	assert_port(w->out, 1, &pv);
	/* Address pairs move between ports (VRRP): no neigh entries. */
	assert_counts(w->out, 2, 2, 4, 1, 4);
	assert_null(find_neigh(w->out, 100, "192.168.1.200"));
	assert_null(find_neigh(w->out, 100, "192.168.1.201"));
	assert_null(find_fdb(w->out, 100, "fa:16:3e:00:00:aa"));
}

/* More allowed sources than a port entry holds: cut, and a problem. */
static void
test_compile_port_addrs_overflow(void **state)
{
	struct world *w = *state;
	const struct fp_port_val *v;
	struct fp_ip first, last;
	char res[JSON_MAX];
	int n, i;

	n = snprintf(res, sizeof(res),
		     "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
		     " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
		     " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm1'},"
		     " 'revision_number': 2, 'allowed_address_pairs': [");
	for (i = 0; i < FP_PORT_ADDR_MAX; i++)
		n += snprintf(res + n, sizeof(res) - n, "%s{'ip_address': '10.1.0.%d'}",
			      i ? ", " : "", i + 1);
	snprintf(res + n, sizeof(res) - n, "]}");
	put(w, FP_MODEL_PORT, res);
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "allowed_address_pairs", "9 allowed sources");
	v = find_port(w->out, 1);
	assert_non_null(v);
	assert_int_equal(v->n_addrs, FP_PORT_ADDR_MAX);
	/* The fixed IP comes first; the last pair is the one left out. */
	first = ip("192.168.1.11");
	last = ip("10.1.0.7");
	assert_memory_equal(&v->addrs[0].ip, &first, sizeof(first));
	assert_memory_equal(&v->addrs[FP_PORT_ADDR_MAX - 1].ip, &last, sizeof(last));
}

/* A port without fixed IPs: port and fdb entries, no neigh. */
static void
test_compile_no_fixed_ips(void **state)
{
	struct world *w = *state;
	struct fp_port_val pv;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pa6', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:06',"
	    " 'fixed_ips': [], 'binding:host_id': 'h1',"
	    " 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_no_problems(&w->rep);
	port_val(&pv, 100, 1450, "fa:16:3e:00:00:06", 1);
	assert_port(w->out, 3, &pv);
	assert_fdb(w->out, 100, "fa:16:3e:00:00:06", FP_DEST_PORT, 3);
	assert_counts(w->out, 3, 2, 5, 1, 4);
	assert_flood(w->out, 100, 5, P(1), P(2), P(3), V(0), V(1));
}

/* Two tenants, the same addresses: neigh entries in separate VRFs. */
static void
test_compile_tenants_same_ips(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pb2', 'network_id': 'net-b', 'mac_address': 'fa:16:3e:00:01:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-b', 'ip_address': '192.168.1.12'}],"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 3, 2, 6, 2, 6);
	assert_int_equal(w->rep.n_networks_present, 2);
	assert_neigh(w->out, 100, "192.168.1.11", MAC_A1, 100);
	assert_neigh(w->out, 100, "192.168.1.12", MAC_A2, 100);
	assert_neigh(w->out, 200, "192.168.1.11", "fa:16:3e:00:01:01", 200);
	assert_neigh(w->out, 200, "192.168.1.12", "fa:16:3e:00:01:02", 200);
	assert_fdb(w->out, 200, "fa:16:3e:00:01:01", FP_DEST_VTEP, 0);
	assert_fdb(w->out, 200, "fa:16:3e:00:01:02", FP_DEST_PORT, 3);
	assert_flood(w->out, 200, 2, P(3), V(0));
	assert_flood(w->out, 100, 4, P(1), P(2), V(0), V(1));
}

/* A Geneve and a VXLAN network on the same hosts: one vtep per encap. */
static void
test_compile_geneve_and_vxlan(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-g', 'provider:network_type': 'geneve', 'provider:segmentation_id': 400,"
	    " 'mtu': 1400}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pg1', 'network_id': 'net-g', 'mac_address': 'fa:16:3e:00:04:01',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pg2', 'network_id': 'net-g', 'mac_address': 'fa:16:3e:00:04:02',"
	    " 'binding:host_id': 'h2'}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 3, 3, 6, 2, 4);
	assert_int_equal(w->rep.n_remote_hosts, 3);
	/* Ids in (host, encap) order: h2 vxlan, h2 geneve, h3 vxlan. */
	assert_vtep(w->out, 0, "10.0.0.2", "10.0.0.1", MAC_H2, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 1, "10.0.0.2", "10.0.0.1", MAC_H2, FP_ENCAP_GENEVE);
	assert_vtep(w->out, 2, "10.0.0.3", "10.0.0.1", MAC_H3, FP_ENCAP_VXLAN);
	assert_fdb(w->out, 400, "fa:16:3e:00:04:02", FP_DEST_VTEP, 1);
	assert_fdb(w->out, 100, MAC_A2, FP_DEST_VTEP, 0);
	assert_flood(w->out, 400, 2, P(3), V(1));
	assert_flood(w->out, 100, 4, P(1), P(2), V(0), V(2));
	assert_int_equal(find_port(w->out, 3)->mtu, 1400);
}

/* Two networks with one VNI: the lower id keeps it. */
static void
test_compile_duplicate_vni(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-z', 'provider:network_type': 'geneve', 'provider:segmentation_id': 100}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pz1', 'network_id': 'net-z', 'mac_address': 'fa:16:3e:00:09:01',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_NETWORK, "net-z", "provider:segmentation_id",
		       "VNI 100 is already used by network net-a");
	assert_base(w);
}

/* Remote hosts that cannot be reached, and the choice of family. */
static void
test_compile_host_unusable(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_HOST,
	    "{'id': 'h4', 'vtep_addresses': ['fd00::4'],"
	    " 'underlay_mac': '02:00:00:00:01:04'}");
	put(w, FP_MODEL_HOST, "{'id': 'h5', 'vtep_addresses': ['10.0.0.5']}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa7', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:07',"
	    " 'binding:host_id': 'h4'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa8', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:08',"
	    " 'binding:host_id': 'h5'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa9', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:09',"
	    " 'binding:host_id': 'h9'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 3);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa7", "binding:host_id",
		       "host h4 has no usable vtep_addresses of a family this host has a VTEP "
		       "address of (IPv4)");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa8", "binding:host_id", "host h5 has no next hop");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa9", "binding:host_id", "host h9 is unknown");
	assert_base(w);

	/* With an IPv6 VTEP here, h4 and h3 go over IPv6. */
	w->ctx.local_vteps[1] = ip("fd00::1");
	w->ctx.n_local_vteps = 2;
	compile(w);
	assert_int_equal(w->rep.n_problems, 2);
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "pa7", "binding:host_id"));
	assert_vtep(w->out, 1, "fd00::3", "fd00::1", MAC_H3, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 2, "fd00::4", "fd00::1", "02:00:00:00:01:04", FP_ENCAP_VXLAN);
	assert_fdb(w->out, 100, "fa:16:3e:00:00:07", FP_DEST_VTEP, 2);

	/* Without a VTEP address here no host can be reached. */
	w->ctx.n_local_vteps = 0;
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa2", "binding:host_id",
		       "host h2 cannot be reached: this host has no VTEP address");
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_VTEP), 0);
	w->ctx.n_local_vteps = 2;

	/* Without an underlay port no host can be reached. */
	w->ports[0].role = FP_PORT_ROLE_VM;
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa2", "binding:host_id",
		       "dataplane port 0 is not an underlay port");
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_VTEP), 0);
	assert_flood(w->out, 100, 2, P(1), P(2));
}

/* A configured gateway MAC is every vtep's next hop. */
static void
test_compile_gw_mac(void **state)
{
	static const char gw[] = "02:00:00:00:ff:fe";
	struct world *w = *state;

	put(w, FP_MODEL_HOST, "{'id': 'h5', 'vtep_addresses': ['10.0.0.5']}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa8', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:08',"
	    " 'binding:host_id': 'h5'}");
	w->ctx.has_gw_mac = 1;
	mac(gw, w->ctx.gw_mac);
	compile(w);
	assert_no_problems(&w->rep);
	assert_vtep(w->out, 0, "10.0.0.2", "10.0.0.1", gw, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 1, "10.0.0.3", "10.0.0.1", gw, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 2, "10.0.0.5", "10.0.0.1", gw, FP_ENCAP_VXLAN);
	assert_fdb(w->out, 100, "fa:16:3e:00:00:08", FP_DEST_VTEP, 2);

	/* A multicast gateway MAC is no next hop: every remote port is out. */
	mac("01:00:5e:00:00:01", w->ctx.gw_mac);
	compile(w);
	assert_int_equal(w->rep.n_problems, 4);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa2", "binding:host_id",
		       "host h2 has no next hop: the gateway MAC 01:00:5e:00:00:01 is not unicast");
	assert_problem(&w->rep, FP_MODEL_PORT, "pb1", "binding:host_id", "host h2 has no next hop");
	assert_counts(w->out, 2, 0, 2, 1, 2);
	assert_flood(w->out, 100, 2, P(1), P(2));
}

/* Local ports naming dataplane ports that are unknown, not vm, taken. */
static void
test_compile_bad_dataplane_port(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm9'},"
	    " 'revision_number': 2}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa6', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:06',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'up0'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa7', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:07',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm2'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa8', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:08',"
	    " 'binding:host_id': 'h1'}");
	compile(w);
	assert_int_equal(w->rep.n_problems, 4);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "binding:profile.flowplane_port",
		       "no dataplane port named \"vm9\"");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa6", "binding:profile.flowplane_port",
		       "dataplane port \"up0\" has role underlay, not vm");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa7", "binding:profile.flowplane_port",
		       "dataplane port \"vm2\" is already used by port pa4");
	assert_problem(&w->rep, FP_MODEL_PORT, "pa8", "binding:profile.flowplane_port",
		       "names no dataplane port");
	/* Only pa4 (vm2) is local; the others get nothing. */
	assert_counts(w->out, 1, 2, 3, 1, 3);
	assert_null(find_port(w->out, 0));
	assert_null(find_port(w->out, 1));
	assert_null(find_fdb(w->out, 100, MAC_A1));
	assert_null(find_fdb(w->out, 100, "fa:16:3e:00:00:07"));
	assert_fdb(w->out, 100, MAC_A4, FP_DEST_PORT, 2);
	assert_flood(w->out, 100, 3, P(2), V(0), V(1));
}

/* More flood members than FP_FLOOD_MEMBER_MAX: cut, and a problem. */
static void
test_compile_flood_overflow(void **state)
{
	struct world *w = *state;
	const struct fp_flood_val *v;
	struct fp_flood_key k;
	char res[JSON_MAX];
	uint32_t i, n = FP_FLOOD_MEMBER_MAX + 4;

	/* Hosts x00..x67 (ids 2.. after h2 and h3 sort before x). */
	for (i = 0; i < n - 4; i++) {
		snprintf(res, sizeof(res),
			 "{'id': 'x%02u', 'vtep_addresses': ['10.1.0.%u'],"
			 " 'underlay_mac': '02:00:00:00:02:%02x'}",
			 i, i + 1, i);
		put(w, FP_MODEL_HOST, res);
		snprintf(res, sizeof(res),
			 "{'id': 'px%02u', 'network_id': 'net-a',"
			 " 'mac_address': 'fa:16:3e:00:02:%02x', 'binding:host_id': 'x%02u'}",
			 i, i, i);
		put(w, FP_MODEL_PORT, res);
	}
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_NETWORK, "net-a", "ports",
		       "needs 68 members (2 local ports, 66 remote hosts), more than 64");
	/* Every remote port still has its fdb entry and its host a vtep. */
	assert_counts(w->out, 2, 66, 68, 1, 4);
	memset(&k, 0, sizeof(k));
	k.vni = 100;
	v = fp_entry_set_find(w->out, FP_TABLE_FLOOD, &k);
	assert_non_null(v);
	assert_int_equal(v->n_members, FP_FLOOD_MEMBER_MAX);
	assert_int_equal(v->members[0].type, FP_DEST_PORT);
	assert_int_equal(v->members[0].id, 1);
	assert_int_equal(v->members[1].id, 2);
	for (i = 2; i < FP_FLOOD_MEMBER_MAX; i++) {
		assert_int_equal(v->members[i].type, FP_DEST_VTEP);
		assert_int_equal(v->members[i].id, i - 2);
	}
}

/* Ids stay with their (host, encap) and come back only through gc. */
static void
test_compile_vtep_ids_stable(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *installed = fp_entry_set_create();
	struct fp_compile_report rep = { 0 };

	assert_non_null(installed);
	compile(w);
	assert_base(w);
	/* The dataplane took it. */
	assert_int_equal(fp_compile(w->m, &w->ctx, installed, &rep), 0);
	assert_int_equal(fp_entry_set_diff_count(installed, w->out), 0);

	/* A new host that sorts first gets the next id; the others keep theirs. */
	put(w, FP_MODEL_HOST,
	    "{'id': 'h0', 'vtep_addresses': ['10.0.0.9'],"
	    " 'underlay_mac': '02:00:00:00:01:09'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa0', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:10',"
	    " 'binding:host_id': 'h0'}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_vtep(w->out, 0, "10.0.0.2", "10.0.0.1", MAC_H2, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 1, "10.0.0.3", "10.0.0.1", MAC_H3, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 2, "10.0.0.9", "10.0.0.1", "02:00:00:00:01:09", FP_ENCAP_VXLAN);
	assert_fdb(w->out, 100, "fa:16:3e:00:00:10", FP_DEST_VTEP, 2);

	/* h2 leaves net-a (pa2 moves to h3): vtep 0 is no longer desired. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa2', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.12'}],"
	    " 'binding:host_id': 'h3', 'revision_number': 2}");
	compile(w);
	assert_counts(w->out, 2, 2, 5, 1, 4);
	assert_fdb(w->out, 100, MAC_A2, FP_DEST_VTEP, 1);
	assert_flood(w->out, 100, 4, P(1), P(2), V(1), V(2));
	/* ... but installed: gc keeps it, and a new host does not get it. */
	fp_vtep_ids_gc(w->ctx.ids, installed, w->out);
	assert_int_equal(fp_vtep_ids_count(w->ctx.ids), 3);
	put(w, FP_MODEL_HOST,
	    "{'id': 'h6', 'vtep_addresses': ['10.0.0.6'],"
	    " 'underlay_mac': '02:00:00:00:01:06'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa6', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:06',"
	    " 'binding:host_id': 'h6'}");
	compile(w);
	assert_vtep(w->out, 3, "10.0.0.6", "10.0.0.1", "02:00:00:00:01:06", FP_ENCAP_VXLAN);
	assert_int_equal(fp_vtep_ids_count(w->ctx.ids), 4);

	/* The dataplane took that too: vtep 0 is in neither set, gc frees it. */
	assert_int_equal(fp_compile(w->m, &w->ctx, installed, &rep), 0);
	fp_vtep_ids_gc(w->ctx.ids, installed, w->out);
	assert_int_equal(fp_vtep_ids_count(w->ctx.ids), 3);
	put(w, FP_MODEL_HOST,
	    "{'id': 'h7', 'vtep_addresses': ['10.0.0.7'],"
	    " 'underlay_mac': '02:00:00:00:01:07'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa7', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:07',"
	    " 'binding:host_id': 'h7'}");
	compile(w);
	assert_vtep(w->out, 0, "10.0.0.7", "10.0.0.1", "02:00:00:00:01:07", FP_ENCAP_VXLAN);
	assert_vtep(w->out, 1, "10.0.0.3", "10.0.0.1", MAC_H3, FP_ENCAP_VXLAN);
	assert_vtep(w->out, 2, "10.0.0.9", "10.0.0.1", "02:00:00:00:01:09", FP_ENCAP_VXLAN);
	assert_vtep(w->out, 3, "10.0.0.6", "10.0.0.1", "02:00:00:00:01:06", FP_ENCAP_VXLAN);
	fp_compile_report_free(&rep);
	fp_entry_set_free(installed);
}

/* The allocator on its own: lowest free id, bind after a dump, limits. */
static void
test_compile_vtep_ids_alloc(void **state)
{
	struct fp_vtep_ids *ids = fp_vtep_ids_create(3);
	uint32_t id = 99;

	(void)state;
	assert_non_null(ids);
	assert_int_equal(fp_vtep_ids_get(ids, "a", FP_ENCAP_VXLAN, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(fp_vtep_ids_get(ids, "b", FP_ENCAP_VXLAN, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(fp_vtep_ids_get(ids, "a", FP_ENCAP_GENEVE, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(fp_vtep_ids_get(ids, "a", FP_ENCAP_VXLAN, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(fp_vtep_ids_get(ids, "c", FP_ENCAP_VXLAN, &id), -ENOSPC);
	assert_int_equal(fp_vtep_ids_get(ids, "c", FP_ENCAP_MAX, &id), -EINVAL);
	assert_int_equal(fp_vtep_ids_count(ids), 3);
	/* bind: the same binding again is fine; any other is not. */
	assert_int_equal(fp_vtep_ids_bind(ids, "b", FP_ENCAP_VXLAN, 1), 0);
	assert_int_equal(fp_vtep_ids_bind(ids, "b", FP_ENCAP_VXLAN, 2), -EEXIST);
	assert_int_equal(fp_vtep_ids_bind(ids, "c", FP_ENCAP_VXLAN, 1), -EEXIST);
	assert_int_equal(fp_vtep_ids_bind(ids, "c", FP_ENCAP_VXLAN, 3), -ERANGE);
	/* Neither set holds any vtep: everything goes. */
	fp_vtep_ids_gc(ids, NULL, NULL);
	assert_int_equal(fp_vtep_ids_count(ids), 0);
	/* After a dump: ids bound as found, new ones fill the holes. */
	assert_int_equal(fp_vtep_ids_bind(ids, "c", FP_ENCAP_VXLAN, 1), 0);
	assert_int_equal(fp_vtep_ids_get(ids, "d", FP_ENCAP_VXLAN, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(fp_vtep_ids_get(ids, "e", FP_ENCAP_VXLAN, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(fp_vtep_ids_count(ids), 3);
	fp_vtep_ids_free(ids);
	fp_vtep_ids_free(NULL);
	errno = 0;
	assert_null(fp_vtep_ids_create(0));
	assert_int_equal(errno, EINVAL);
}

/* No free vtep id: the ports toward that host get nothing. */
static void
test_compile_vtep_ids_full(void **state)
{
	struct world *w = *state;

	fp_vtep_ids_free(w->ctx.ids);
	w->ctx.ids = fp_vtep_ids_create(1);
	assert_non_null(w->ctx.ids);
	compile(w);
	assert_int_equal(w->rep.n_problems, 1);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa3", "binding:host_id",
		       "no free vtep id for host h3 (vxlan)");
	assert_counts(w->out, 2, 1, 3, 1, 3);
	assert_vtep(w->out, 0, "10.0.0.2", "10.0.0.1", MAC_H2, FP_ENCAP_VXLAN);
	assert_null(find_fdb(w->out, 100, MAC_A3));
	assert_null(find_neigh(w->out, 100, "192.168.1.13"));
	assert_flood(w->out, 100, 3, P(1), P(2), V(0));
}

/* Many hosts: the allocator stays correct past its first hash sizes. */
static void
test_compile_vtep_ids_many(void **state)
{
	struct fp_vtep_ids *ids = fp_vtep_ids_create(20000);
	char host[32];
	uint32_t i, id;

	(void)state;
	assert_non_null(ids);
	for (i = 0; i < 10000; i++) {
		snprintf(host, sizeof(host), "host-%05u", i);
		assert_int_equal(fp_vtep_ids_get(ids, host, FP_ENCAP_VXLAN, &id), 0);
		assert_int_equal(id, i);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(host, sizeof(host), "host-%05u", i);
		assert_int_equal(fp_vtep_ids_get(ids, host, FP_ENCAP_VXLAN, &id), 0);
		assert_int_equal(id, i);
		assert_int_equal(fp_vtep_ids_get(ids, host, FP_ENCAP_GENEVE, &id), 0);
		assert_int_equal(id, 10000 + i);
	}
	assert_int_equal(fp_vtep_ids_count(ids), 20000);
	fp_vtep_ids_free(ids);
}

/* admin_state_up false: a local or remote port gets nothing. */
static void
test_compile_admin_down(void **state)
{
	struct world *w = *state;

	put(w, FP_MODEL_PORT,
	    "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
	    " 'admin_state_up': false, 'binding:host_id': 'h1',"
	    " 'binding:profile': {'flowplane_port': 'vm1'}, 'revision_number': 2}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa2', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:02',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.12'}],"
	    " 'admin_state_up': false, 'binding:host_id': 'h2', 'revision_number': 2}");
	/* A down port claims nothing: pa6 may use vm1 and pa1's MAC. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa6', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:01',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm1'}}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 2, 1, 3, 1, 2);
	assert_null(find_fdb(w->out, 100, MAC_A2));
	assert_null(find_neigh(w->out, 100, "192.168.1.11"));
	assert_null(find_neigh(w->out, 100, "192.168.1.12"));
	assert_int_equal(find_port(w->out, 1)->n_addrs, 0);
	assert_fdb(w->out, 100, MAC_A1, FP_DEST_PORT, 1);
	/* h2 has no other port in net-a: no vtep for it, h3 gets the first id. */
	assert_vtep(w->out, 0, "10.0.0.3", "10.0.0.1", MAC_H3, FP_ENCAP_VXLAN);
	assert_flood(w->out, 100, 3, P(1), P(2), V(0));

	/* The only local ports down: net-a is not present at all. */
	del(w, FP_MODEL_PORT, "pa6");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa4', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:04',"
	    " 'admin_state_up': false, 'binding:host_id': 'h1',"
	    " 'binding:profile': {'flowplane_port': 'vm2'}, 'revision_number': 2}");
	compile(w);
	assert_no_problems(&w->rep);
	assert_counts(w->out, 0, 0, 0, 0, 0);
}

#define SCALE_HOSTS 100	       /* hosts h000.. */
#define SCALE_NETS 1000	       /* networks net0000.., one /24 each */
#define SCALE_PORTS 10000      /* ports port00000.. */
#define SCALE_PORTS_PER_NET 10 /* SCALE_PORTS / SCALE_NETS */

/* Port i is in network n = i % 1000 and bound to host (7n + i / 1000) %
 * 100: ten hosts per network.  h000 has one port in each of 100 networks;
 * the first 63 name vm1..vm63, the rest name dataplane ports h000 lacks.
 */
static struct fp_model *
scale_model(void)
{
	json_t *snap = json_object(), *hosts = json_array(), *nets = json_array();
	json_t *subnets = json_array(), *ports = json_array();
	struct fp_model_err err;
	struct fp_model *m;
	uint32_t i, n_local = 0;
	char a[32], b[32], c[32], d[32];

	assert_true(snap && hosts && nets && subnets && ports);
	for (i = 0; i < SCALE_HOSTS; i++) {
		snprintf(a, sizeof(a), "h%03u", i);
		snprintf(b, sizeof(b), "10.0.1.%u", i + 1);
		json_array_append_new(hosts,
				      json_pack("{s:s, s:[s], s:s}", "id", a, "vtep_addresses", b,
						"underlay_mac", "02:00:00:00:01:01"));
	}
	for (i = 0; i < SCALE_NETS; i++) {
		snprintf(a, sizeof(a), "net%04u", i);
		snprintf(b, sizeof(b), "sub%04u", i);
		snprintf(c, sizeof(c), "10.%u.%u.0/24", i / 250, i % 250);
		json_array_append_new(nets,
				      json_pack("{s:s, s:s, s:i, s:i}", "id", a,
						"provider:network_type", i % 2 ? "geneve" : "vxlan",
						"provider:segmentation_id", 1000 + i, "mtu", 1450));
		json_array_append_new(subnets,
				      json_pack("{s:s, s:s, s:i, s:s, s:b}", "id", b, "network_id",
						a, "ip_version", 4, "cidr", c, "enable_dhcp", 0));
	}
	for (i = 0; i < SCALE_PORTS; i++) {
		uint32_t n = i % SCALE_NETS, k = i / SCALE_NETS, h = (7 * n + k) % SCALE_HOSTS;
		char id[32], mac_s[32];
		json_t *p;

		snprintf(id, sizeof(id), "port%05u", i);
		snprintf(a, sizeof(a), "net%04u", n);
		snprintf(b, sizeof(b), "sub%04u", n);
		snprintf(c, sizeof(c), "10.%u.%u.%u", n / 250, n % 250, 10 + k);
		snprintf(d, sizeof(d), "h%03u", h);
		snprintf(mac_s, sizeof(mac_s), "fa:16:3e:01:%02x:%02x", i >> 8, i & 0xff);
		p = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:s}", "id", id, "network_id", a,
			      "mac_address", mac_s, "fixed_ips", "subnet_id", b, "ip_address", c,
			      "binding:host_id", d);
		assert_non_null(p);
		if (h == 0) {
			snprintf(c, sizeof(c), "vm%u", ++n_local);
			json_object_set_new(p, "binding:profile",
					    json_pack("{s:s}", "flowplane_port", c));
		}
		json_array_append_new(ports, p);
	}
	json_object_set_new(snap, "hosts", hosts);
	json_object_set_new(snap, "networks", nets);
	json_object_set_new(snap, "subnets", subnets);
	json_object_set_new(snap, "ports", ports);
	m = fp_model_from_snapshot(snap, &err);
	json_decref(snap);
	if (m == NULL)
		fail_msg("scale model: %s: %s", err.field, err.reason);
	return m;
}

/* h000's dataplane: underlay port 0 and vm1..vm63. */
static void
scale_ctx(struct fp_compile_ctx *ctx, struct fp_engine_port ports[FP_PORT_MAX],
	  struct fp_vtep_ids *ids)
{
	uint32_t i;
	char name[FP_NAME_SIZE];

	memset(ctx, 0, sizeof(*ctx));
	set_port(&ports[0], "up0", 0, FP_PORT_ROLE_UNDERLAY);
	for (i = 1; i < FP_PORT_MAX; i++) {
		snprintf(name, sizeof(name), "vm%u", i);
		set_port(&ports[i], name, i, FP_PORT_ROLE_VM);
	}
	ctx->host = "h000";
	ctx->local_vteps[0] = ip("10.0.1.1");
	ctx->n_local_vteps = 1;
	ctx->ports = ports;
	ctx->n_ports = FP_PORT_MAX;
	ctx->ids = ids;
}

/* The scale test's context with the world's security-group allocators. */
static void
scale_ctx_sg(struct fp_compile_ctx *ctx, const struct world *w)
{
	ctx->ruleset_ids = w->ctx.ruleset_ids;
	ctx->addrset_ids = w->ctx.addrset_ids;
	ctx->sg_enforced = 1;
}

/* 10k ports in 1k networks over 100 hosts, compiled for one of them. */
static void
test_compile_scale(void **state)
{
	struct world *w = *state;
	struct fp_engine_port ports[FP_PORT_MAX];
	struct fp_compile_report rep = { 0 };
	struct fp_entry_set *again = fp_entry_set_create();
	struct fp_model *m = scale_model();
	struct fp_compile_ctx ctx;

	assert_non_null(again);
	scale_ctx(&ctx, ports, w->ctx.ids);
	scale_ctx_sg(&ctx, w);
	assert_int_equal(fp_compile(m, &ctx, w->out, &w->rep), 0);
	/* 100 local ports, 37 without a dataplane port; 63 networks, each
	 * with nine remote ports on nine hosts.
	 */
	assert_int_equal(w->rep.n_problems, 100 - (FP_PORT_MAX - 1));
	assert_problem(&w->rep, FP_MODEL_PORT, "port09913", "binding:profile.flowplane_port",
		       "no dataplane port named \"vm100\"");
	assert_int_equal(w->rep.n_local_ports, FP_PORT_MAX - 1);
	assert_int_equal(w->rep.n_networks_present, FP_PORT_MAX - 1);
	assert_counts(w->out, FP_PORT_MAX - 1, w->rep.n_remote_hosts,
		      (FP_PORT_MAX - 1) * SCALE_PORTS_PER_NET, FP_PORT_MAX - 1,
		      (FP_PORT_MAX - 1) * SCALE_PORTS_PER_NET);
	/* Hosts (7n + k) % 100 of the present networks n, by encap n % 2. */
	assert_int_equal(w->rep.n_remote_hosts, 28);
	assert_int_equal(fp_compile(m, &ctx, again, &rep), 0);
	assert_int_equal(fp_entry_set_diff_count(w->out, again), 0);
	fp_compile_report_free(&rep);
	fp_entry_set_free(again);
	fp_model_free(m);
}

/* NULL arguments are refused; an error leaves an empty set. */
static void
test_compile_bad_args(void **state)
{
	struct world *w = *state;
	struct fp_compile_ctx ctx = w->ctx;

	assert_int_equal(fp_compile(NULL, &w->ctx, w->out, &w->rep), -EINVAL);
	assert_int_equal(fp_compile(w->m, NULL, w->out, &w->rep), -EINVAL);
	assert_int_equal(fp_compile(w->m, &w->ctx, NULL, &w->rep), -EINVAL);
	assert_int_equal(fp_compile(w->m, &w->ctx, w->out, NULL), -EINVAL);
	ctx.ids = NULL;
	assert_int_equal(fp_compile(w->m, &ctx, w->out, &w->rep), -EINVAL);
	ctx = w->ctx;
	ctx.host = NULL;
	assert_int_equal(fp_compile(w->m, &ctx, w->out, &w->rep), -EINVAL);
	fp_compile_report_free(NULL);
}

/* ------------------------------------------------------------------------
 * Security groups (compile_sg.c).
 */

#define SG_DEF                                                                                     \
	"{'id': 'sg-def', 'security_group_rules': ["                                               \
	" {'id': 'd1', 'direction': 'egress', 'ethertype': 'IPv4'},"                               \
	" {'id': 'd2', 'direction': 'egress', 'ethertype': 'IPv6'},"                               \
	" {'id': 'd3', 'direction': 'ingress', 'ethertype': 'IPv4', 'remote_group_id': 'sg-def'}," \
	" {'id': 'd4', 'direction': 'ingress', 'ethertype': 'IPv6', 'remote_group_id': 'sg-def'}]}"
#define SG_WEB                                                                                     \
	"{'id': 'sg-web', 'security_group_rules': ["                                               \
	" {'id': 'w1', 'direction': 'egress', 'ethertype': 'IPv4'},"                               \
	" {'id': 'w2', 'direction': 'egress', 'ethertype': 'IPv6'},"                               \
	" {'id': 'w3', 'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 22,"           \
	"  'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0'},"                                \
	" {'id': 'w4', 'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 443,"          \
	"  'port_range_max': 443, 'remote_ip_prefix': '0.0.0.0/0'},"                               \
	" {'id': 'w5', 'direction': 'ingress', 'ethertype': 'IPv4', 'remote_group_id': 'sg-web'}," \
	" {'id': 'w6', 'direction': 'ingress', 'ethertype': 'IPv6', 'remote_group_id': 'sg-web'}]}"

/* Port px: a local port on vm3 in net-a with these groups. */
static void
put_px(struct world *w, const char *groups)
{
	char buf[JSON_MAX];

	snprintf(buf, sizeof(buf),
		 "{'id': 'px', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:00:09',"
		 " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.19'}],"
		 " 'security_groups': %s, 'binding:host_id': 'h1', 'revision_number': 5,"
		 " 'binding:profile': {'flowplane_port': 'vm3'}}",
		 groups);
	put(w, FP_MODEL_PORT, buf);
}

static void
put_pa1(struct world *w, const char *groups)
{
	char buf[JSON_MAX];

	snprintf(buf, sizeof(buf),
		 "{'id': 'pa1', 'network_id': 'net-a', 'mac_address': '" MAC_A1 "',"
		 " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.11'}],"
		 " 'allowed_address_pairs': [{'ip_address': '10.9.0.0/16'}],"
		 " 'security_groups': %s, 'binding:host_id': 'h1', 'revision_number': 5,"
		 " 'binding:profile': {'flowplane_port': 'vm1'}}",
		 groups);
	put(w, FP_MODEL_PORT, buf);
}

static const struct fp_ruleset_val *
find_ruleset(const struct fp_entry_set *s, uint32_t id, uint16_t dir)
{
	struct fp_ruleset_key k;

	memset(&k, 0, sizeof(k));
	k.ruleset_id = id;
	k.dir = dir;
	return fp_entry_set_find(s, FP_TABLE_RULESET, &k);
}

static int
addrset_has(const struct fp_entry_set *s, uint32_t set, const char *ip_s, uint8_t plen)
{
	struct fp_addrset_key k;

	memset(&k, 0, sizeof(k));
	k.set_id = set;
	k.plen = plen;
	k.ip = ip(ip_s);
	return fp_entry_set_find(s, FP_TABLE_ADDRSET, &k) != NULL;
}

static size_t
addrset_size(const struct fp_entry_set *s, uint32_t set)
{
	size_t i, n = 0;
	struct fp_entry e;

	for (i = 0; i < fp_entry_set_count(s); i++) {
		assert_int_equal(fp_entry_set_at(s, i, &e), 0);
		n += e.table == FP_TABLE_ADDRSET &&
		     ((const struct fp_addrset_key *)e.key)->set_id == set;
	}
	return n;
}

/* The id allocated to an address set key. */
static uint32_t
set_id(const struct world *w, const char *key)
{
	uint32_t id = 0;

	assert_int_equal(fp_ids_find(w->ctx.addrset_ids, key, &id), 0);
	return id;
}

/* The default group and the web group on pa1: one ruleset, the union of
 * the rules, duplicates removed; the remote groups are address sets.
 */
static void
test_compile_sg_union(void **state)
{
	struct world *w = *state;
	const struct fp_port_val *pv;
	const struct fp_ruleset_val *eg, *in;
	uint32_t def, web, i, n_tcp = 0, n_set = 0;

	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put(w, FP_MODEL_SECURITY_GROUP, SG_WEB);
	put_pa1(w, "['sg-web', 'sg-def']");
	compile(w);
	assert_no_problems(&w->rep);
	pv = find_port(w->out, 1);
	assert_non_null(pv);
	assert_int_equal(pv->flags, FP_PORT_F_ANTISPOOF | FP_PORT_F_SG);
	assert_int_not_equal(pv->ruleset, 0);
	eg = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_EGRESS);
	in = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS);
	assert_non_null(eg);
	assert_non_null(in);
	assert_int_equal(eg->flags, FP_RULESET_F_STATEFUL);
	/* Egress: any IPv4, any IPv6, each once though both groups have them. */
	assert_int_equal(eg->n_rules, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(eg->rules[i].flags, 0);
		assert_int_equal(eg->rules[i].plen, 0);
		assert_int_not_equal(eg->rules[i].rule_id, 0);
	}
	assert_int_not_equal(eg->rules[0].family, eg->rules[1].family);
	/* Ingress: tcp 22, tcp 443 from anywhere; IPv4 and IPv6 from each
	 * group's set.
	 */
	assert_int_equal(in->n_rules, 6);
	def = set_id(w, "group:sg-def");
	web = set_id(w, "group:sg-web");
	assert_int_not_equal(def, web);
	for (i = 0; i < in->n_rules; i++) {
		const struct fp_sg_rule *r = &in->rules[i];

		if (r->flags & FP_SG_RULE_F_PORTS) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS);
			assert_int_equal(r->proto, 6);
			assert_int_equal(r->port_min, r->port_max);
			assert_true(r->port_min == 22 || r->port_min == 443);
			assert_int_equal(r->family, 4);
			assert_int_equal(r->plen, 0); /* 0.0.0.0/0 */
			n_tcp++;
		} else {
			assert_int_equal(r->flags, FP_SG_RULE_F_ADDRSET);
			assert_true(r->addrset == def || r->addrset == web);
			n_set++;
		}
	}
	assert_int_equal(n_tcp, 2);
	assert_int_equal(n_set, 4);
	/* Members: pa1's fixed IP (/32) and its allowed address pair. */
	assert_int_equal(addrset_size(w->out, def), 2);
	assert_true(addrset_has(w->out, def, "192.168.1.11", 128));
	assert_true(addrset_has(w->out, def, "10.9.0.0", 96 + 16));
	assert_int_equal(addrset_size(w->out, web), 2);
	/* pa4 has port security off: not filtered. */
	pv = find_port(w->out, 2);
	assert_non_null(pv);
	assert_int_equal(pv->flags, 0);
	assert_int_equal(pv->ruleset, 0);
}

/* Ports with the same groups (in any order) share one ruleset; other
 * groups, another; no groups, an empty ruleset.
 */
static void
test_compile_sg_shared_and_empty(void **state)
{
	struct world *w = *state;
	const struct fp_port_val *a, *x;
	const struct fp_ruleset_val *v;
	uint32_t d;

	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put(w, FP_MODEL_SECURITY_GROUP, SG_WEB);
	put_pa1(w, "['sg-web', 'sg-def']");
	put_px(w, "['sg-def', 'sg-web']");
	compile(w);
	assert_no_problems(&w->rep);
	a = find_port(w->out, 1);
	x = find_port(w->out, 3);
	assert_int_equal(a->ruleset, x->ruleset);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RULESET), 2);

	put_px(w, "['sg-def']");
	compile(w);
	a = find_port(w->out, 1);
	x = find_port(w->out, 3);
	assert_int_not_equal(a->ruleset, x->ruleset);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RULESET), 4);
	/* The remote group px is in has it as a member too. */
	assert_int_equal(addrset_size(w->out, set_id(w, "group:sg-def")), 3);

	put_px(w, "[]");
	compile(w);
	x = find_port(w->out, 3);
	assert_int_equal(x->flags, FP_PORT_F_ANTISPOOF | FP_PORT_F_SG);
	for (d = 0; d < FP_SG_DIR_MAX; d++) {
		v = find_ruleset(w->out, x->ruleset, (uint16_t)d);
		assert_non_null(v);
		assert_int_equal(v->n_rules, 0);
		assert_int_equal(v->flags, FP_RULESET_F_STATEFUL);
	}
}

/* Neutron rule fields -> fp_sg_rule. */
static void
test_compile_sg_rule_conversion(void **state)
{
	struct world *w = *state;
	const struct fp_ruleset_val *in, *eg;
	const struct fp_port_val *pv;
	uint32_t i, seen = 0;

	put(w, FP_MODEL_ADDRESS_GROUP,
	    "{'id': 'ag1', 'addresses': ['10.0.0.0/24', '2001:db8::/64', '192.0.2.7']}");
	put(w, FP_MODEL_SECURITY_GROUP,
	    "{'id': 'sg-x', 'security_group_rules': ["
	    " {'id': 'r1', 'direction': 'ingress', 'protocol': 'tcp'},"
	    " {'id': 'r2', 'direction': 'ingress', 'protocol': 'udp', 'port_range_min': 53,"
	    "  'port_range_max': 54, 'remote_ip_prefix': '10.1.0.0/16'},"
	    " {'id': 'r3', 'direction': 'ingress', 'protocol': 'icmp', 'port_range_min': 8,"
	    "  'port_range_max': 0},"
	    " {'id': 'r4', 'direction': 'ingress', 'ethertype': 'IPv6', 'protocol': 'icmp',"
	    "  'port_range_min': 128},"
	    " {'id': 'r5', 'direction': 'ingress', 'ethertype': 'IPv6', 'protocol': 58,"
	    "  'remote_ip_prefix': 'fd00::/8'},"
	    " {'id': 'r6', 'direction': 'egress', 'protocol': 'gre',"
	    "  'remote_address_group_id': 'ag1'},"
	    " {'id': 'r7', 'direction': 'egress', 'ethertype': 'IPv6', 'protocol': 'sctp',"
	    "  'port_range_min': 0, 'port_range_max': 65535}]}");
	put_pa1(w, "['sg-x']");
	compile(w);
	assert_no_problems(&w->rep);
	pv = find_port(w->out, 1);
	in = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS);
	eg = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_EGRESS);
	assert_int_equal(in->n_rules, 5);
	assert_int_equal(eg->n_rules, 2);
	for (i = 0; i < in->n_rules; i++) {
		const struct fp_sg_rule *r = &in->rules[i];

		assert_int_not_equal(r->rule_id, 0);
		if (r->proto == 6) { /* tcp, every port: no port flag */
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO);
			seen |= 1;
		} else if (r->proto == 17) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS);
			assert_int_equal(r->port_min, 53);
			assert_int_equal(r->port_max, 54);
			assert_int_equal(r->plen, 96 + 16);
			{
				struct fp_ip want = ip("10.1.0.0");

				assert_memory_equal(&r->remote, &want, sizeof(want));
			}
			seen |= 2;
		} else if (r->proto == 1) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_TYPE |
							   FP_SG_RULE_F_ICMP_CODE);
			assert_int_equal(r->icmp_type, 8);
			assert_int_equal(r->icmp_code, 0);
			seen |= 4;
		} else if (r->proto == 58 && (r->flags & FP_SG_RULE_F_ICMP_TYPE)) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ICMP_TYPE);
			assert_int_equal(r->icmp_type, 128);
			assert_int_equal(r->family, 6);
			seen |= 8;
		} else if (r->proto == 58) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO);
			assert_int_equal(r->plen, 8);
			seen |= 16;
		}
	}
	assert_int_equal(seen, 31);
	for (i = 0; i < eg->n_rules; i++) {
		const struct fp_sg_rule *r = &eg->rules[i];

		if (r->proto == 47) {
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO | FP_SG_RULE_F_ADDRSET);
			assert_int_equal(r->addrset, set_id(w, "agroup:ag1"));
		} else {
			assert_int_equal(r->proto, 132);
			assert_int_equal(r->flags, FP_SG_RULE_F_PROTO);
			assert_int_equal(r->family, 6);
		}
	}
	assert_int_equal(addrset_size(w->out, set_id(w, "agroup:ag1")), 3);
	assert_true(addrset_has(w->out, set_id(w, "agroup:ag1"), "2001:db8::", 64));
	assert_true(addrset_has(w->out, set_id(w, "agroup:ag1"), "192.0.2.7", 128));
	/* The rule ids are a function of the Neutron ids: stable. */
	{
		struct fp_sg_rule before = in->rules[0];

		compile(w);
		pv = find_port(w->out, 1);
		in = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS);
		assert_memory_equal(&in->rules[0], &before, sizeof(before));
	}
}

/* What cannot be filtered as it must be is not installed, or is
 * installed more restrictive: never less.
 */
static void
test_compile_sg_fail_closed(void **state)
{
	struct world *w = *state;
	const struct fp_port_val *pv;
	const struct fp_ruleset_val *in;

	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put(w, FP_MODEL_SECURITY_GROUP,
	    "{'id': 'sg-sl', 'stateful': false, 'security_group_rules': ["
	    " {'id': 's1', 'direction': 'ingress', 'protocol': 'udp'}]}");
	/* Stateful and stateless groups on one port: no entry at all. */
	put_pa1(w, "['sg-def', 'sg-sl']");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "security_groups", "stateful and stateless");
	assert_null(find_port(w->out, 1));
	assert_null(find_fdb(w->out, 100, MAC_A1));
	/* A stateless group alone: a stateless ruleset. */
	put_pa1(w, "['sg-sl']");
	compile(w);
	assert_no_problems(&w->rep);
	pv = find_port(w->out, 1);
	in = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS);
	assert_int_equal(in->flags, 0);
	assert_int_equal(in->n_rules, 1);

	/* An unknown group: its (unknown) rules are left out, the others stay. */
	put_pa1(w, "['sg-def', 'sg-nope']");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "security_groups[1]",
		       "security group sg-nope does not exist");
	pv = find_port(w->out, 1);
	assert_non_null(pv);
	assert_int_equal(find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS)->n_rules, 2);

	/* A rule naming an unknown remote group or address group: left out. */
	put(w, FP_MODEL_SECURITY_GROUP,
	    "{'id': 'sg-def', 'security_group_rules': ["
	    " {'id': 'd3', 'direction': 'ingress', 'remote_group_id': 'sg-gone'},"
	    " {'id': 'd4', 'direction': 'ingress', 'remote_address_group_id': 'ag-gone'},"
	    " {'id': 'd5', 'direction': 'ingress', 'protocol': 'tcp'}]}");
	put_pa1(w, "['sg-def']");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_SECURITY_GROUP, "sg-def",
		       "security_group_rules[0].remote_group_id",
		       "security group sg-gone does not exist: rule d3 is left out");
	assert_problem(&w->rep, FP_MODEL_SECURITY_GROUP, "sg-def",
		       "security_group_rules[1].remote_address_group_id",
		       "address group ag-gone does not exist");
	pv = find_port(w->out, 1);
	in = find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS);
	assert_int_equal(in->n_rules, 1);
	assert_int_equal(in->rules[0].proto, 6);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_ADDRSET), 0);
}

/* An engine that does not enforce security groups gets no filtered port. */
static void
test_compile_sg_not_enforced(void **state)
{
	struct world *w = *state;

	w->ctx.sg_enforced = 0;
	w->ctx.engine = "xdp";
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "port_security_enabled",
		       "security groups are not enforced by the xdp engine: port not installed");
	assert_null(find_port(w->out, 1));
	assert_null(find_fdb(w->out, 100, MAC_A1));
	/* Port security off: installed as before. */
	assert_non_null(find_port(w->out, 2));
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RULESET), 0);
}

/* More rules than a ruleset holds: that direction is not installed (the
 * engine drops it: sg_no_ruleset), the other is.
 */
static void
test_compile_sg_too_many_rules(void **state)
{
	struct world *w = *state;
	char buf[JSON_MAX * 4], *p = buf;
	const struct fp_port_val *pv;
	json_t *j;
	int i;

	p += sprintf(p, "{\"id\": \"sg-big\", \"security_group_rules\": [");
	for (i = 0; i < FP_SG_RULE_MAX + 1; i++)
		p += sprintf(p,
			     "%s{\"id\": \"b%d\", \"direction\": \"ingress\", \"protocol\": "
			     "\"tcp\", \"port_range_min\": %d, \"port_range_max\": %d}",
			     i ? "," : "", i, 1000 + i, 1000 + i);
	sprintf(p, ", {\"id\": \"e\", \"direction\": \"egress\"}]}");
	j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(fp_model_put(w->m, FP_MODEL_SECURITY_GROUP, NULL, j, NULL), 0);
	json_decref(j);
	put_pa1(w, "['sg-big']");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "pa1", "security_groups",
		       "65 ingress rules, more than a ruleset holds (64)");
	pv = find_port(w->out, 1);
	assert_non_null(pv);
	assert_true(pv->flags & FP_PORT_F_SG);
	assert_null(find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS));
	assert_non_null(find_ruleset(w->out, pv->ruleset, FP_SG_DIR_EGRESS));
}

/* A port joining a group changes that group's address set, no rule; ids
 * stay across compiles.
 */
static void
test_compile_sg_join_changes_only_the_set(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *before = fp_entry_set_create();
	struct fp_entry e;
	size_t i;

	assert_non_null(before);
	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put_pa1(w, "['sg-def']");
	compile(w);
	assert_int_equal(fp_compile(w->m, &w->ctx, before, &w->rep), 0);
	/* pa2 (on h2) joins the default group. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'pa2', 'network_id': 'net-a', 'mac_address': '" MAC_A2 "',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '192.168.1.12'}],"
	    " 'security_groups': ['sg-def'], 'binding:host_id': 'h2', 'revision_number': 5,"
	    " 'binding:profile': {'flowplane_port': 'vm1'}}");
	compile(w);
	assert_int_equal(fp_entry_set_diff_count(before, w->out), 1);
	for (i = 0; i < fp_entry_set_count(w->out); i++) {
		assert_int_equal(fp_entry_set_at(w->out, i, &e), 0);
		if (e.table == FP_TABLE_ADDRSET)
			continue;
		assert_non_null(fp_entry_set_find(before, e.table, e.key));
		assert_memory_equal(fp_entry_set_find(before, e.table, e.key), e.val,
				    fp_names_val_size[e.table]);
	}
	assert_true(addrset_has(w->out, set_id(w, "group:sg-def"), "192.168.1.12", 128));
	fp_entry_set_free(before);
}

/* After an fp-control restart (new allocators, the dataplane's entries
 * dumped), the ids installed are bound back and nothing is rewritten.
 */
static void
test_compile_sg_rebind_after_restart(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *installed = fp_entry_set_create();
	struct fp_ids *rs2, *as2;
	uint32_t id;

	assert_non_null(installed);
	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put(w, FP_MODEL_SECURITY_GROUP, SG_WEB);
	put(w, FP_MODEL_ADDRESS_GROUP, "{'id': 'ag1', 'addresses': ['10.0.0.0/24']}");
	put(w, FP_MODEL_SECURITY_GROUP,
	    "{'id': 'sg-e', 'security_group_rules': ["
	    " {'id': 'x1', 'direction': 'ingress', 'remote_group_id': 'sg-empty'},"
	    " {'id': 'x2', 'direction': 'egress', 'remote_address_group_id': 'ag1'}]}");
	put(w, FP_MODEL_SECURITY_GROUP, "{'id': 'sg-empty'}");
	/* Ids taken in an order a fresh allocator would not repeat. */
	assert_int_equal(fp_ids_get(w->ctx.ruleset_ids, "junk", &id), 0);
	assert_int_equal(fp_ids_get(w->ctx.addrset_ids, "junk", &id), 0);
	put_pa1(w, "['sg-web', 'sg-def']");
	put_px(w, "['sg-e']");
	compile(w);
	assert_no_problems(&w->rep);
	assert_int_equal(fp_compile(w->m, &w->ctx, installed, &w->rep), 0);

	/* The restart: new allocators, with an id the old run did not use
	 * taken first (as an allocator after other keys would).
	 */
	rs2 = fp_ids_create(1, SG_ID_LIMIT);
	as2 = fp_ids_create(1, SG_ID_LIMIT);
	assert_non_null(rs2);
	assert_non_null(as2);
	fp_ids_free(w->ctx.ruleset_ids);
	fp_ids_free(w->ctx.addrset_ids);
	w->ctx.ruleset_ids = rs2;
	w->ctx.addrset_ids = as2;
	compile(w);
	assert_int_not_equal(fp_entry_set_diff_count(installed, w->out), 0);
	fp_ids_free(w->ctx.ruleset_ids);
	fp_ids_free(w->ctx.addrset_ids);
	w->ctx.ruleset_ids = fp_ids_create(1, SG_ID_LIMIT);
	w->ctx.addrset_ids = fp_ids_create(1, SG_ID_LIMIT);
	assert_int_equal(fp_compile_sg_rebind(w->m, &w->ctx, installed), 0);
	compile(w);
	assert_int_equal(fp_entry_set_diff_count(installed, w->out), 0);

	/* Ids no key took stay reserved until gc says nothing uses them. */
	fp_ids_free(w->ctx.ruleset_ids);
	w->ctx.ruleset_ids = fp_ids_create(1, SG_ID_LIMIT);
	del(w, FP_MODEL_PORT, "px");
	assert_int_equal(fp_compile_sg_rebind(w->m, &w->ctx, installed), 0);
	compile(w);
	assert_int_equal(fp_ids_count(w->ctx.ruleset_ids), 2);
	fp_compile_sg_ids_gc(&w->ctx, installed, w->out);
	assert_int_equal(fp_ids_count(w->ctx.ruleset_ids), 2);
	fp_compile_sg_ids_gc(&w->ctx, w->out, w->out);
	assert_int_equal(fp_ids_count(w->ctx.ruleset_ids), 1);
	fp_entry_set_free(installed);
}

/* Out of address set ids: the rules that need one more are left out. */
static void
test_compile_sg_no_free_set_id(void **state)
{
	struct world *w = *state;
	const struct fp_port_val *pv;

	fp_ids_free(w->ctx.addrset_ids);
	w->ctx.addrset_ids = fp_ids_create(1, 2); /* one id */
	assert_non_null(w->ctx.addrset_ids);
	put(w, FP_MODEL_SECURITY_GROUP, SG_DEF);
	put(w, FP_MODEL_SECURITY_GROUP, SG_WEB);
	put_pa1(w, "['sg-def', 'sg-web']");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_SECURITY_GROUP, "sg-web", "security_group_rules[4]",
		       "no free address set id: rule w5 is left out");
	pv = find_port(w->out, 1);
	assert_non_null(pv);
	/* tcp 22, 443 and the default group's two: the web group's are out. */
	assert_int_equal(find_ruleset(w->out, pv->ruleset, FP_SG_DIR_INGRESS)->n_rules, 4);
}

/* The allocator: lowest free id, stable keys, bind, gc. */
static int
used_odd(uint32_t id, void *arg)
{
	(void)arg;
	return id & 1;
}

static void
test_compile_ids_alloc(void **state)
{
	struct fp_ids *ids = fp_ids_create(1, 4);
	uint32_t id;

	(void)state;
	assert_non_null(ids);
	assert_int_equal(fp_ids_get(ids, "a", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(fp_ids_get(ids, "b", &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(fp_ids_get(ids, "a", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(fp_ids_bind(ids, "c", 3), 0);
	assert_int_equal(fp_ids_bind(ids, "c", 3), 0);
	assert_int_equal(fp_ids_bind(ids, "d", 3), -EEXIST);
	assert_int_equal(fp_ids_bind(ids, "c", 2), -EEXIST);
	assert_int_equal(fp_ids_bind(ids, "e", 4), -ERANGE);
	assert_int_equal(fp_ids_bind(ids, "e", 0), -ERANGE);
	assert_int_equal(fp_ids_get(ids, "d", &id), -ENOSPC);
	assert_string_equal(fp_ids_key(ids, 3), "c");
	assert_null(fp_ids_key(ids, 0));
	assert_int_equal(fp_ids_find(ids, "zz", &id), -ENOENT);
	fp_ids_gc(ids, used_odd, NULL);
	assert_int_equal(fp_ids_count(ids), 2);
	assert_null(fp_ids_key(ids, 2));
	assert_int_equal(fp_ids_get(ids, "d", &id), 0);
	assert_int_equal(id, 2);
	fp_ids_free(ids);
	fp_ids_free(NULL);
	assert_null(fp_ids_create(3, 3));
}

/* The problem exists, of this kind. */
static void
assert_problem_kind(const struct fp_compile_report *r, uint16_t coll, const char *id,
		    const char *field, uint16_t kind, const char *text)
{
	assert_problem(r, coll, id, field, text);
	assert_int_equal(find_problem(r, coll, id, field)->kind, kind);
}

/* The segment entry of (port, vlan), or NULL. */
static const struct fp_segment_val *
find_segment(const struct fp_entry_set *s, uint32_t port, uint16_t vlan)
{
	struct fp_segment_key k = { .port_id = port, .vlan = vlan };

	return fp_entry_set_find(s, FP_TABLE_SEGMENT, &k);
}

/* A vlan and a flat network on physnet1, which h1 maps to its physical
 * port phys0 (id 6): segments (6, 100) and (6, 0) name their ids
 * (FP_NET_PROVIDER | n, stable), local ports get those ids, a remote
 * port's fdb entry is phys 6 with the tag, flood lists are the local
 * ports and the physical port (tagged), no vtep.  A vlan network on an
 * unmapped physnet is a problem naming it (and its local port's); an
 * engine without segments reports every provider network.
 */
static void
test_compile_provider(void **state)
{
	struct world *w = *state;
	const struct fp_segment_val *sv;
	const struct fp_flood_val *fl;
	const struct fp_fdb_val *fv;
	struct fp_flood_key fk;
	uint32_t nv, nf, again, i;

	set_port(&w->ports[4], "vm4", 4, FP_PORT_ROLE_VM);
	set_port(&w->ports[5], "vm5", 5, FP_PORT_ROLE_VM);
	set_port(&w->ports[6], "phys0", 6, FP_PORT_ROLE_PHYSICAL);
	w->ctx.n_ports = 7;
	w->ctx.segments_carried = 1;
	w->ctx.net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	assert_non_null(w->ctx.net_ids);
	put(w, FP_MODEL_HOST,
	    "{'id': 'h1', 'vtep_addresses': ['10.0.0.1'], 'underlay_mac': '02:00:00:00:01:01',"
	    " 'bridge_mappings': {'physnet1': 'phys0'}}");
	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-v', 'provider:network_type': 'vlan', 'provider:physical_network': "
	    "'physnet1', 'provider:segmentation_id': 100, 'mtu': 1500}");
	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-f', 'provider:network_type': 'flat', 'provider:physical_network': "
	    "'physnet1', 'mtu': 1500}");
	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-u', 'provider:network_type': 'vlan', 'provider:physical_network': "
	    "'physnet9', 'provider:segmentation_id': 5}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pv1', 'network_id': 'net-v', 'mac_address': 'fa:16:3e:00:70:01',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm4'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pv2', 'network_id': 'net-v', 'mac_address': 'fa:16:3e:00:70:02',"
	    " 'binding:host_id': 'h2'}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pf1', 'network_id': 'net-f', 'mac_address': 'fa:16:3e:00:70:03',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm5'}}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'pu1', 'network_id': 'net-u', 'mac_address': 'fa:16:3e:00:70:04',"
	    " 'binding:host_id': 'h1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.net_ids, "net:net-v", &nv), 0);
	assert_int_equal(fp_ids_find(w->ctx.net_ids, "net:net-f", &nf), 0);
	nv |= FP_NET_PROVIDER;
	nf |= FP_NET_PROVIDER;
	assert_int_not_equal(nv, nf);
	sv = find_segment(w->out, 6, 100);
	assert_non_null(sv);
	assert_int_equal(sv->vni, nv);
	sv = find_segment(w->out, 6, 0);
	assert_non_null(sv);
	assert_int_equal(sv->vni, nf);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_SEGMENT), 2);
	assert_non_null(find_port(w->out, 4));
	assert_int_equal(find_port(w->out, 4)->vni, nv);
	assert_int_equal(find_port(w->out, 5)->vni, nf);
	assert_fdb(w->out, nv, "fa:16:3e:00:70:01", FP_DEST_PORT, 4);
	fv = find_fdb(w->out, nv, "fa:16:3e:00:70:02");
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_PHYS);
	assert_int_equal(fv->id, 6);
	assert_int_equal(fv->flags, 100);
	/* Flood lists: the local port, then the physical port (tagged). */
	for (i = 0; i < 2; i++) {
		memset(&fk, 0, sizeof(fk));
		fk.vni = i == 0 ? nv : nf;
		fl = fp_entry_set_find(w->out, FP_TABLE_FLOOD, &fk);
		assert_non_null(fl);
		assert_int_equal(fl->n_members, 2);
		assert_int_equal(fl->members[0].type, FP_DEST_PORT);
		assert_int_equal(fl->members[0].id, i == 0 ? 4 : 5);
		assert_int_equal(fl->members[1].type, FP_DEST_PHYS);
		assert_int_equal(fl->members[1].id, 6);
		assert_int_equal(fl->members[1].vlan, i == 0 ? 100 : 0);
	}
	/* No tunnel for a provider network's remote port. */
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "pv2", "binding:host_id"));
	assert_null(find_problem(&w->rep, FP_MODEL_NETWORK, "net-v", "provider:network_type"));
	/* The unmapped physnet: a problem naming it, and its local port's. */
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-u", "provider:physical_network",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "physnet9");
	assert_problem_kind(&w->rep, FP_MODEL_PORT, "pu1", "network_id",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "not carried here");
	assert_null(find_port(w->out, 3));
	/* Stable ids. */
	compile(w);
	assert_int_equal(find_segment(w->out, 6, 100)->vni, nv);
	assert_int_equal(fp_ids_find(w->ctx.net_ids, "net:net-f", &again), 0);
	assert_int_equal(again | FP_NET_PROVIDER, nf);
	/* A physical MTU below the network's: installed, with a problem. */
	w->ports[6].mtu = 1400;
	compile(w);
	assert_non_null(find_segment(w->out, 6, 100));
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-v", "mtu",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "larger than physical port phys0");
	/* An engine without segments (the XDP engine). */
	w->ctx.segments_carried = 0;
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_SEGMENT), 0);
	assert_null(find_port(w->out, 4));
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-v", "provider:network_type",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "the test engine does not carry provider networks");
	fp_ids_free(w->ctx.net_ids);
	w->ctx.net_ids = NULL;
}

/* Replace w's model by a fixture's, compiling for hv1 (10.99.0.1). */
static void
load_fixture(struct world *w, const char *name)
{
	char path[4096];
	struct fp_model_err err;
	json_error_t jerr;
	json_t *snap;

	snap = json_load_file(fixture_path(name, path, sizeof(path)), 0, &jerr);
	if (snap == NULL)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	fp_model_free(w->m);
	w->m = fp_model_from_snapshot(snap, &err);
	json_decref(snap);
	if (w->m == NULL)
		fail_msg("%s: %s: %s", name, err.field, err.reason);
	w->ctx.host = "hv1";
	w->ctx.local_vteps[0] = ip("10.99.0.1");
}

/* Load routed.json into w, compiling for hv1 (vm1 = vm-a1 on net-a). */
static void
load_routed(struct world *w)
{
	load_fixture(w, "routed.json");
}

/* routed.json on hv1 (vm1 = vm-a1 on net-a, vm2 = vm-v1 on the vlan
 * network): the overlay is installed; what this flowplane does not carry
 * (vlan, flat, gre networks and their local ports, the router, its
 * ports, the floating IP) is a problem of kind unsupported each, and
 * nothing is a conflict.
 */
static void
test_compile_uncarried(void **state)
{
	struct world *w = *state;
	size_t i, n_unsupported = 0;
	const char *const router_ports[] = { "rif-a", "rif-b", "rgw-1" };

	load_routed(w);
	compile(w);
	assert_counts(w->out, 1, 0, 1, 1, 2);
	assert_non_null(find_port(w->out, 1));
	assert_null(find_port(w->out, 2));
	assert_int_equal(find_port(w->out, 1)->vni, 100);

	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-vlan", "provider:network_type",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "the test engine does not carry provider networks");
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-flat", "provider:network_type",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "the test engine does not carry provider networks");
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-gre", "provider:network_type",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "gre is not supported by flowplane");
	assert_problem_kind(&w->rep, FP_MODEL_PORT, "vm-v1", "network_id",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "port not installed");
	assert_problem_kind(&w->rep, FP_MODEL_ROUTER, "r1", "", FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "not enforced: the test engine does not route");
	assert_problem_kind(&w->rep, FP_MODEL_FLOATINGIP, "fip-1", "",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "does not translate floating IPs");
	for (i = 0; i < sizeof(router_ports) / sizeof(router_ports[0]); i++)
		assert_problem_kind(&w->rep, FP_MODEL_PORT, router_ports[i], "device_owner",
				    FP_COMPILE_PROBLEM_UNSUPPORTED, "of router r1");
	for (i = 0; i < w->rep.n_problems; i++) {
		assert_int_equal(w->rep.problems[i].kind, FP_COMPILE_PROBLEM_UNSUPPORTED);
		n_unsupported++;
	}
	/* DHCP is not served: sub-a, sub-a6 and sub-vlan ask for it. */
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-a", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "not served: the test engine does not answer DHCP;");
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-a6", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "the test engine does not send router advertisements;");
	assert_null(find_problem(&w->rep, FP_MODEL_SUBNET, "sub-b", "enable_dhcp"));
	assert_int_equal(n_unsupported, 3 + 1 + 1 + 1 + 3 + 3);
	/* A port of a vlan network on another host is that host's concern. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-v2', 'network_id': 'net-vlan', 'mac_address': 'fa:16:3e:00:50:02',"
	    " 'binding:host_id': 'hv2'}");
	compile(w);
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "vm-v2", "network_id"));
	assert_int_equal(w->rep.n_problems, n_unsupported);
	/* A network of several segments. */
	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-seg', 'segments': [{'provider:network_type': 'vlan',"
	    " 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 7}]}");
	compile(w);
	assert_problem_kind(&w->rep, FP_MODEL_NETWORK, "net-seg", "segments",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "several segments");

	/* What the model finds inconsistent is a problem of its own kind. */
	del(w, FP_MODEL_SUBNET, "sub-b");
	compile(w);
	assert_problem_kind(&w->rep, FP_MODEL_PORT, "rif-b", "fixed_ips[0].subnet_id",
			    FP_COMPILE_PROBLEM_INCONSISTENT, "does not exist");
	assert_problem_kind(&w->rep, FP_MODEL_ROUTER, "r1", "routes[0].nexthop",
			    FP_COMPILE_PROBLEM_INCONSISTENT, "none of the router's subnets");
	assert_counts(w->out, 1, 0, 1, 1, 2);
	assert_string_equal(fp_compile_problem_kind_names[FP_COMPILE_PROBLEM_CONFLICT], "conflict");
	/* The problems a compile had before stay conflicts. */
	del(w, FP_MODEL_NETWORK, "net-a");
	compile(w);
	assert_problem_kind(&w->rep, FP_MODEL_PORT, "vm-a1", "network_id",
			    FP_COMPILE_PROBLEM_CONFLICT, "does not exist");
}

#define T(name) cmocka_unit_test_setup_teardown(test_compile_##name, setup, teardown)

static const struct fp_route_val *
find_route(const struct fp_entry_set *s, uint32_t vrf, const char *pfx_s, uint8_t plen)
{
	struct fp_route_key k;

	memset(&k, 0, sizeof(k));
	k.vrf = vrf;
	k.plen = plen;
	k.ip = ip(pfx_s);
	return fp_entry_set_find(s, FP_TABLE_ROUTE, &k);
}

static void
assert_route(const struct fp_entry_set *s, uint32_t vrf, const char *pfx_s, uint8_t plen,
	     uint16_t type, uint16_t flags, uint32_t vni, const char *mac_s, const char *addr_s)
{
	const struct fp_route_val *v = find_route(s, vrf, pfx_s, plen);
	struct fp_route_val want;

	if (v == NULL)
		fail_msg("no route vrf %u %s/%u", vrf, pfx_s, plen);
	memset(&want, 0, sizeof(want));
	want.type = type;
	want.flags = flags;
	want.addr = ip(addr_s);
	if (type != FP_ROUTE_LOCAL) { /* a local route is the address alone */
		want.vni = vni;
		mac(mac_s, want.mac);
		want.mtu = 1450;
	}
	assert_memory_equal(v, &want, sizeof(want));
}

/* The nat entry (scope, dir, ip), or NULL. */
static const struct fp_nat_val *
find_nat(const struct fp_entry_set *s, uint32_t scope, uint8_t dir, const char *ip_s)
{
	struct fp_nat_key k;

	memset(&k, 0, sizeof(k));
	k.scope = scope;
	k.dir = dir;
	k.ip = ip(ip_s);
	return fp_entry_set_find(s, FP_TABLE_NAT, &k);
}

static void
assert_nat(const struct fp_entry_set *s, uint32_t scope, uint8_t dir, const char *ip_s,
	   const char *to_s, const char *mac_s, uint32_t to_scope)
{
	const struct fp_nat_val *v = find_nat(s, scope, dir, ip_s);
	struct fp_nat_val want;

	if (v == NULL)
		fail_msg("no nat entry (%u, %u, %s)", scope, dir, ip_s);
	memset(&want, 0, sizeof(want));
	want.ip = ip(to_s);
	if (mac_s != NULL)
		mac(mac_s, want.mac);
	want.scope = to_scope;
	assert_memory_equal(v, &want, sizeof(want));
}

/* routed_fip.json compiled for host (hv1 or hv2, vm1 and vm2 its ports). */
static void
load_routed_fip(struct world *w, const char *host, const char *vtep, int nat)
{
	load_fixture(w, "routed_fip.json");
	w->ctx.host = host;
	w->ctx.local_vteps[0] = ip(vtep);
	w->ctx.routes_carried = 1;
	w->ctx.nat_carried = nat;
	if (w->ctx.vrf_ids == NULL)
		w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_non_null(w->ctx.vrf_ids);
}

/* Floating IPs (doc/routing.md "Floating IPs"), routed_fip.json: r1 with
 * enable_snat on net-a and net-ext; fip-1 on vm-a1 (hv1), fip-2 on vm-a2
 * (hv2), both with their own ports (device_owner network:floatingip,
 * their MACs); fip-3 on vm-a3 (hv1) without one; the outside out-1 on
 * net-ext at hv2.
 */
static void
test_compile_fip(void **state)
{
	struct world *w = *state;
	const struct fp_fdb_val *fv;
	const struct fp_compile_problem *pb;
	uint32_t vrf;

	/* hv1: fip-1 is translated here. */
	load_routed_fip(w, "hv1", "10.99.0.1", 1);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf), 0);
	assert_nat(w->out, vrf, FP_NAT_SNAT, "10.1.0.5", "172.24.4.20", "fa:16:3e:00:f1:01", 300);
	assert_nat(w->out, 300, FP_NAT_DNAT, "172.24.4.20", "10.1.0.5", NULL, vrf);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_NAT), 2);
	fv = find_fdb(w->out, 300, "fa:16:3e:00:f1:01");
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_ROUTER);
	assert_int_equal(fv->flags, FP_FDB_F_EXTERNAL);
	assert_int_equal(fv->id, vrf);
	assert_neigh(w->out, 300, "172.24.4.20", "fa:16:3e:00:f1:01", 300);
	/* enable_snat: the default route is external and snat (VMs without a
	 * floating IP: no_snat), and the router keeps its problem.
	 */
	assert_route(w->out, vrf, "0.0.0.0", 96, FP_ROUTE_NEXTHOP,
		     FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT, 300, "fa:16:3e:00:ee:01", "172.24.4.1");
	/* The external subnet is connected (the outside hosts on it). */
	assert_route(w->out, vrf, "172.24.4.0", 120, FP_ROUTE_CONNECTED,
		     FP_ROUTE_F_EXTERNAL | FP_ROUTE_F_SNAT, 300, "fa:16:3e:00:ee:01",
		     "172.24.4.10");
	assert_problem_kind(&w->rep, FP_MODEL_ROUTER, "r1", "external_gateway_info.enable_snat",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "dropped as no_snat");
	assert_null(find_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-1", ""));
	/* fip-2's VM is on hv2: the outside reaches it there (its port's
	 * entries point at hv2's vtep), nothing is translated here.
	 */
	fv = find_fdb(w->out, 300, "fa:16:3e:00:f1:02");
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_VTEP);
	assert_neigh(w->out, 300, "172.24.4.21", "fa:16:3e:00:f1:02", 300);
	assert_null(find_nat(w->out, vrf, FP_NAT_SNAT, "10.1.0.6"));
	assert_null(find_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-2", ""));
	/* fip-3 has no port of its own: its MAC is unknown. */
	assert_null(find_nat(w->out, vrf, FP_NAT_SNAT, "10.1.0.7"));
	assert_problem_kind(&w->rep, FP_MODEL_FLOATINGIP, "fip-3", "",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "network:floatingip");
	assert_null(find_neigh(w->out, 300, "172.24.4.22"));

	/* hv2: fip-2 here, fip-1 toward hv1's vtep; hv2 has the outside. */
	load_routed_fip(w, "hv2", "10.99.0.2", 1);
	compile(w);
	assert_nat(w->out, vrf, FP_NAT_SNAT, "10.1.0.6", "172.24.4.21", "fa:16:3e:00:f1:02", 300);
	assert_nat(w->out, 300, FP_NAT_DNAT, "172.24.4.21", "10.1.0.6", NULL, vrf);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_NAT), 2);
	fv = find_fdb(w->out, 300, "fa:16:3e:00:f1:01");
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_VTEP);
	assert_neigh(w->out, 300, "172.24.4.20", "fa:16:3e:00:f1:01", 300);
	assert_neigh(w->out, 300, "172.24.4.1", "fa:16:3e:00:e0:01", 300);
	/* fip-3's VM is on hv1: no problem of hv2's. */
	assert_null(find_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-3", ""));

	/* An engine that routes but does not translate: no nat, no flags, no
	 * default route with enable_snat; the local floating IPs are problems.
	 */
	load_routed_fip(w, "hv1", "10.99.0.1", 0);
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_NAT), 0);
	assert_null(find_route(w->out, vrf, "0.0.0.0", 96));
	assert_null(find_route(w->out, vrf, "172.24.4.0", 120));
	assert_null(find_fdb(w->out, 300, "fa:16:3e:00:f1:01"));
	pb = find_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-1", "");
	assert_non_null(pb);
	assert_non_null(strstr(pb->reason, "does not translate floating IPs"));
	fp_ids_free(w->ctx.vrf_ids);
}

/* The router r1 of routed.json, on an engine that routes: hv1 hosts
 * vm-a1 on net-a, so r1 is here, with its whole route table, and the
 * networks it reaches (net-b, whose only port is on hv2, and the external
 * net-ext) are present.
 */
static void
test_compile_routed(void **state)
{
	struct world *w = *state;
	const struct fp_neigh_val *nv;
	struct fp_entry_set *first;
	uint32_t vrf;

	load_routed(w);
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_non_null(w->ctx.vrf_ids);
	/* Another router took vrf 1 once: r1 gets 2. */
	assert_int_equal(fp_ids_get(w->ctx.vrf_ids, "router:gone", &vrf), 0);
	assert_int_equal(vrf, 1);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf), 0);
	assert_int_equal(vrf, 2);

	/* Connected, local (with the IPv6 link-local), extra and default routes. */
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_ROUTE), 9);
	assert_route(w->out, 2, "10.1.0.0", 120, FP_ROUTE_CONNECTED, 0, 100, "fa:16:3e:00:0a:fe",
		     "10.1.0.1");
	assert_route(w->out, 2, "10.1.0.1", 128, FP_ROUTE_LOCAL, 0, 100, "fa:16:3e:00:0a:fe",
		     "10.1.0.1");
	assert_route(w->out, 2, "fd00:a::", 64, FP_ROUTE_CONNECTED, 0, 100, "fa:16:3e:00:0a:fe",
		     "fd00:a::1");
	assert_route(w->out, 2, "fd00:a::1", 128, FP_ROUTE_LOCAL, 0, 100, "fa:16:3e:00:0a:fe",
		     "fd00:a::1");
	assert_route(w->out, 2, "fe80::f816:3eff:fe00:afe", 128, FP_ROUTE_LOCAL, 0, 100,
		     "fa:16:3e:00:0a:fe", "fe80::f816:3eff:fe00:afe");
	assert_route(w->out, 2, "10.2.0.0", 120, FP_ROUTE_CONNECTED, 0, 200, "fa:16:3e:00:0b:fe",
		     "10.2.0.1");
	assert_route(w->out, 2, "10.2.0.1", 128, FP_ROUTE_LOCAL, 0, 200, "fa:16:3e:00:0b:fe",
		     "10.2.0.1");
	assert_route(w->out, 2, "10.9.0.0", 112, FP_ROUTE_NEXTHOP, 0, 200, "fa:16:3e:00:0b:fe",
		     "10.2.0.50");
	assert_route(w->out, 2, "0.0.0.0", 96, FP_ROUTE_NEXTHOP, 0, 300, "fa:16:3e:00:ee:01",
		     "172.24.4.1");

	/* The interfaces in their networks; net-b is present for the router. */
	assert_fdb(w->out, 100, "fa:16:3e:00:0a:fe", FP_DEST_ROUTER, 2);
	assert_fdb(w->out, 200, "fa:16:3e:00:0b:fe", FP_DEST_ROUTER, 2);
	assert_null(find_fdb(w->out, 300, "fa:16:3e:00:ee:01")); /* the gateway's MAC: SNAT */
	nv = find_neigh(w->out, 100, "10.1.0.1");
	assert_non_null(nv);
	assert_int_equal(nv->flags, FP_NEIGH_F_LOCAL_ONLY);
	assert_non_null(find_neigh(w->out, 100, "fd00:a::1"));
	assert_non_null(find_neigh(w->out, 100, "fe80::f816:3eff:fe00:afe"));
	assert_non_null(find_neigh(w->out, 200, "10.2.0.1"));
	assert_neigh(w->out, 200, "10.2.0.5", "fa:16:3e:00:0b:01", 200);
	/* hv2 (vm-b1 on net-b) sends routed packets into r1's other networks:
	 * its vtep serves them too (vxlan: vtep 0, geneve: vtep 1).
	 */
	assert_fdb(w->out, 200, "fa:16:3e:00:0b:01", FP_DEST_VTEP, 1);
	assert_flood(w->out, 200, 1, FP_DEST_VTEP, 1);
	assert_flood(w->out, 100, 2, FP_DEST_PORT, 1, FP_DEST_VTEP, 0);
	assert_flood(w->out, 300, 1, FP_DEST_VTEP, 0);

	/* No router or router port problem; the floating IP still is one. */
	assert_null(find_problem(&w->rep, FP_MODEL_ROUTER, "r1", ""));
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "rif-a", "device_owner"));
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "rgw-1", "device_owner"));
	assert_problem_kind(&w->rep, FP_MODEL_FLOATINGIP, "fip-1", "",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "does not translate floating IPs");

	/* After a restart: a fresh allocator, bound from what is installed,
	 * gives r1 the same vrf (a fresh one alone would give 1).
	 */
	first = fp_entry_set_create();
	assert_non_null(first);
	{
		struct fp_entry e;
		size_t i;

		for (i = 0; i < fp_entry_set_count(w->out); i++) {
			assert_int_equal(fp_entry_set_at(w->out, i, &e), 0);
			assert_int_equal(fp_entry_set_add(first, e.table, e.key, e.val), 0);
		}
		assert_int_equal(fp_entry_set_seal(first, NULL), 0);
	}
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_int_equal(fp_compile_l3_rebind(w->m, &w->ctx, first), 0);
	compile(w);
	assert_non_null(find_route(w->out, 2, "10.1.0.0", 120));
	assert_null(find_route(w->out, 1, "10.1.0.0", 120));

	/* enable_snat: not carried yet: no default route (the engines refuse
	 * snat routes), and the router has a problem.
	 */
	put(w, FP_MODEL_ROUTER,
	    "{'id': 'r1', 'external_gateway_info': {'network_id': 'net-ext', 'enable_snat': true,"
	    " 'external_fixed_ips': [{'subnet_id': 'sub-ext', 'ip_address': '172.24.4.10'}]},"
	    " 'routes': [{'destination': '10.9.0.0/16', 'nexthop': '10.2.0.50'}]}");
	compile(w);
	assert_null(find_route(w->out, 2, "0.0.0.0", 96));
	assert_problem_kind(&w->rep, FP_MODEL_ROUTER, "r1", "external_gateway_info.enable_snat",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "SNAT is a gateway's job (issue 12), not carried yet");

	/* A router port bound to a host (an HA or legacy router's) is still
	 * the router's: not placed as an L2 port there.
	 */
	put(w, FP_MODEL_PORT,
	    "{'id': 'rif-a', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:fe',"
	    " 'device_owner': 'network:router_interface', 'device_id': 'r1',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.1.0.1'},"
	    " {'subnet_id': 'sub-a6', 'ip_address': 'fd00:a::1'}],"
	    " 'port_security_enabled': false, 'binding:host_id': 'hv2'}");
	compile(w);
	assert_fdb(w->out, 100, "fa:16:3e:00:0a:fe", FP_DEST_ROUTER, 2);
	assert_null(find_problem(&w->rep, FP_MODEL_PORT, "rif-a", "mac_address"));

	/* A VM port holding the interface's MAC keeps it; the interface is a problem. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-a9', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:fe',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.1.0.9'}],"
	    " 'port_security_enabled': false,"
	    " 'binding:host_id': 'hv1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_fdb(w->out, 100, "fa:16:3e:00:0a:fe", FP_DEST_PORT, 3);
	assert_problem(&w->rep, FP_MODEL_PORT, "rif-a", "mac_address", "the port keeps it");
	/* ... and is not routed at all: no route of it is left. */
	assert_null(find_route(w->out, 2, "10.1.0.0", 120));
	assert_null(find_route(w->out, 2, "10.1.0.1", 128));
	assert_null(find_neigh(w->out, 100, "10.1.0.1"));
	del(w, FP_MODEL_PORT, "vm-a9");

	/* A VM port holding the interface's address keeps it: the router has
	 * no local route for it, the subnet stays connected.
	 */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-a8', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:08',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.1.0.1'}],"
	    " 'port_security_enabled': false,"
	    " 'binding:host_id': 'hv1', 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "rif-a", "fixed_ips", "the port keeps it");
	assert_neigh(w->out, 100, "10.1.0.1", "fa:16:3e:00:0a:08", 100);
	assert_null(find_route(w->out, 2, "10.1.0.1", 128));
	assert_non_null(find_route(w->out, 2, "10.1.0.0", 120));
	del(w, FP_MODEL_PORT, "vm-a8");

	/* The router is not here when no port of its networks is. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-a1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.1.0.5'}],"
	    " 'port_security_enabled': false, 'binding:host_id': 'hv2'}");
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_ROUTE), 0);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_FLOOD), 0);

	/* The vrf ids the installed entries still use stay; the others go. */
	fp_compile_l3_ids_gc(&w->ctx, first, w->out);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf), 0);
	fp_compile_l3_ids_gc(&w->ctx, w->out, w->out);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf), -ENOENT);

	/* An engine that does not route: nothing routed, the router a problem. */
	w->ctx.routes_carried = 0;
	load_routed(w);
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_ROUTE), 0);
	assert_null(find_fdb(w->out, 100, "fa:16:3e:00:0a:fe"));
	{
		struct fp_flood_key fk = { .vni = 200 };

		assert_null(fp_entry_set_find(w->out, FP_TABLE_FLOOD, &fk));
	}
	assert_problem_kind(&w->rep, FP_MODEL_ROUTER, "r1", "", FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "the test engine does not route");
	fp_entry_set_free(first);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

/* A copy of a sealed set (what an engine holds after an install). */
static struct fp_entry_set *
set_copy(const struct fp_entry_set *s)
{
	struct fp_entry_set *c = fp_entry_set_create();
	struct fp_entry e;
	size_t i;

	assert_non_null(c);
	for (i = 0; i < fp_entry_set_count(s); i++) {
		assert_int_equal(fp_entry_set_at(s, i, &e), 0);
		assert_int_equal(fp_entry_set_add(c, e.table, e.key, e.val), 0);
	}
	assert_int_equal(fp_entry_set_seal(c, NULL), 0);
	return c;
}

/* Two tenants whose gateways share 10.1.0.1: after a restart each router
 * gets its own vrf back (bound by its interfaces' fdb entries, not by an
 * address), and nothing is rewritten.
 */
static void
test_compile_routed_rebind_same_gateway(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *inst;
	uint32_t r0, r1, v;

	load_routed(w);
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	put(w, FP_MODEL_NETWORK,
	    "{'id': 'net-c', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 400}");
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c', 'network_id': 'net-c', 'ip_version': 4, 'cidr': '10.1.0.0/24',"
	    " 'gateway_ip': '10.1.0.1', 'enable_dhcp': false}");
	put(w, FP_MODEL_ROUTER, "{'id': 'r0', 'admin_state_up': true}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'rif-z', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:0c:fe',"
	    " 'device_owner': 'network:router_interface', 'device_id': 'r0',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c', 'ip_address': '10.1.0.1'}]}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-c1', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:0c:01',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c', 'ip_address': '10.1.0.7'}],"
	    " 'port_security_enabled': false, 'binding:host_id': 'hv1',"
	    " 'binding:profile': {'flowplane_port': 'vm3'}}");
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r0", &r0), 0);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &r1), 0);
	inst = set_copy(w->out);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	assert_int_equal(fp_compile_l3_rebind(w->m, &w->ctx, inst), 0);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r0", &v), 0);
	assert_int_equal(v, r0);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &v), 0);
	assert_int_equal(v, r1);
	assert_int_equal(fp_entry_set_diff_count(inst, w->out), 0);
	fp_entry_set_free(inst);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

/* A router deleted while fp-control was down: its vrf is not given to a
 * new router while its routes are still installed.
 */
static void
test_compile_routed_stale_vrf(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *inst;
	uint32_t old, v;

	load_routed(w);
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &old), 0);
	inst = set_copy(w->out);
	del(w, FP_MODEL_ROUTER, "r1");
	del(w, FP_MODEL_PORT, "rif-a");
	del(w, FP_MODEL_PORT, "rif-b");
	del(w, FP_MODEL_PORT, "rgw-1");
	put(w, FP_MODEL_ROUTER, "{'id': 'r2', 'admin_state_up': true}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'rif-2', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:fd',"
	    " 'device_owner': 'network:router_interface', 'device_id': 'r2',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.1.0.1'}]}");
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	assert_int_equal(fp_compile_l3_rebind(w->m, &w->ctx, inst), 0);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r2", &v), 0);
	assert_int_not_equal(v, old);
	assert_null(find_route(inst, v, "10.9.0.0", 112));
	/* Once the old entries are gone, the stale id is free again. */
	fp_compile_l3_ids_gc(&w->ctx, w->out, w->out);
	assert_null(fp_ids_key(w->ctx.vrf_ids, old));
	fp_entry_set_free(inst);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

/* Routes whose keys collide: the connected route and the gateway's
 * default stay, the extra routes that would replace them are problems;
 * the default route takes the subnet of the router's external fixed IP.
 */
static void
test_compile_routed_collisions(void **state)
{
	struct world *w = *state;

	load_routed(w);
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	put(w, FP_MODEL_ROUTER,
	    "{'id': 'r1', 'external_gateway_info': {'network_id': 'net-ext', 'enable_snat': false,"
	    " 'external_fixed_ips': [{'subnet_id': 'sub-ext', 'ip_address': '172.24.4.10'}]},"
	    " 'routes': [{'destination': '0.0.0.0/0', 'nexthop': '10.2.0.50'},"
	    " {'destination': '10.1.0.0/24', 'nexthop': '10.2.0.50'}]}");
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-ext2', 'network_id': 'net-ext', 'ip_version': 4,"
	    " 'cidr': '172.24.5.0/24', 'gateway_ip': '172.24.5.1', 'enable_dhcp': false}");
	compile(w);
	assert_route(w->out, 1, "10.1.0.0", 120, FP_ROUTE_CONNECTED, 0, 100, "fa:16:3e:00:0a:fe",
		     "10.1.0.1");
	assert_route(w->out, 1, "0.0.0.0", 96, FP_ROUTE_NEXTHOP, 0, 300, "fa:16:3e:00:ee:01",
		     "172.24.4.1");
	{
		const char *want[] = { "nexthop route 0.0.0.0/0 is also a nexthop route",
				       "nexthop route 10.1.0.0/24 is also a connected route of the "
				       "router: the connected one is kept" };
		size_t i, k, found = 0;

		for (k = 0; k < 2; k++)
			for (i = 0; i < w->rep.n_problems; i++)
				if (w->rep.problems[i].kind == FP_COMPILE_PROBLEM_INCONSISTENT &&
				    strcmp(w->rep.problems[i].id, "r1") == 0 &&
				    strstr(w->rep.problems[i].reason, want[k]) != NULL) {
					found++;
					break;
				}
		assert_int_equal(found, 2);
	}
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

/* Hosts with VMs on the router's external network only do not have the
 * router: they are not added to its tenant networks' flood lists.
 */
static void
test_compile_routed_external_hosts(void **state)
{
	struct world *w = *state;
	char buf[512];
	int h;

	load_routed(w);
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 64);
	for (h = 10; h < 80; h++) {
		snprintf(buf, sizeof(buf),
			 "{'id': 'hx%d', 'vtep_addresses': ['10.98.0.%d'],"
			 " 'underlay_mac': '02:00:00:00:98:%02x'}",
			 h, h, h);
		put(w, FP_MODEL_HOST, buf);
		snprintf(
			buf, sizeof(buf),
			"{'id': 'vx%d', 'network_id': 'net-ext', 'mac_address': 'fa:16:3e:00:ef:%02x',"
			" 'fixed_ips': [{'subnet_id': 'sub-ext', 'ip_address': '172.24.4.%d'}],"
			" 'port_security_enabled': false, 'binding:host_id': 'hx%d'}",
			h, h, 100 + h, h);
		put(w, FP_MODEL_PORT, buf);
	}
	compile(w);
	assert_null(find_problem(&w->rep, FP_MODEL_NETWORK, "net-a", "ports"));
	assert_flood(w->out, 100, 2, FP_DEST_PORT, 1, FP_DEST_VTEP, 0);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

/* ------------------------------------------------------------------------
 * DHCP, DHCPv6 and router advertisements (compile_dhcp.c).
 */

/* Load dhcp.json into w, compiling for hv1 on an engine that routes and
 * serves the three tables: vm1 = vm-a1 (net-a: IPv4 with a gateway, IPv6
 * slaac), vm2 = vm-b1 (net-b: IPv4 without a gateway but a DHCP port,
 * IPv6 dhcpv6-stateful), vm3 = vm-c1 (net-c: IPv4 without DHCP, IPv6
 * dhcpv6-stateless); router r1 has an interface on each IPv6 subnet.
 */
static void
load_dhcp(struct world *w)
{
	load_fixture(w, "dhcp.json");
	w->ctx.routes_carried = 1;
	w->ctx.dhcp_served = 1;
	w->ctx.dhcp6_served = 1;
	w->ctx.ra_served = 1;
	fp_ids_free(w->ctx.vrf_ids); /* loaded again: a fresh allocator */
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_non_null(w->ctx.vrf_ids);
}

static void
unload_dhcp(struct world *w)
{
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
}

static const struct fp_dhcp_val *
find_dhcp(const struct fp_entry_set *s, uint32_t port)
{
	struct fp_dhcp_key k;

	memset(&k, 0, sizeof(k));
	k.port_id = port;
	return fp_entry_set_find(s, FP_TABLE_DHCP, &k);
}

static const struct fp_dhcp6_val *
find_dhcp6(const struct fp_entry_set *s, uint32_t port)
{
	struct fp_dhcp6_key k;

	memset(&k, 0, sizeof(k));
	k.port_id = port;
	return fp_entry_set_find(s, FP_TABLE_DHCP6, &k);
}

static const struct fp_ra_val *
find_ra(const struct fp_entry_set *s, uint32_t vni)
{
	struct fp_ra_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	return fp_entry_set_find(s, FP_TABLE_RA, &k);
}

static void
ip4(const char *s, uint8_t out[4])
{
	struct fp_ip a = ip(s);

	assert_true(fp_addr_ip_is_v4(&a));
	memcpy(out, &a.b[12], 4);
}

static void
ip6(const char *s, uint8_t out[16])
{
	struct fp_ip a = ip(s);

	memcpy(out, a.b, 16);
}

/* vm-a1's dhcp entry as dhcp.json gives it, with lease. */
static void
dhcp_val_a1(struct fp_dhcp_val *v, uint32_t lease)
{
	memset(v, 0, sizeof(*v));
	mac("fa:16:3e:00:0a:01", v->mac);
	v->mtu = 1450;
	ip4("10.1.0.5", v->addr);
	ip4("10.1.0.1", v->server);
	ip4("10.1.0.1", v->router);
	v->lease = lease;
	v->plen = 24;
	v->n_dns = 2;
	ip4("10.0.9.53", v->dns[0]);
	ip4("10.0.9.54", v->dns[1]);
	v->n_routes = 2;
	ip4("10.8.0.0", v->routes[0].dst);
	ip4("10.1.0.254", v->routes[0].gw);
	v->routes[0].plen = 16;
	ip4("192.168.7.0", v->routes[1].dst);
	ip4("10.1.0.253", v->routes[1].gw);
	v->routes[1].plen = 24;
}

/* An RA entry with Neutron's radvd values and one prefix. */
static void
ra_val(struct fp_ra_val *v, const char *mac_s, uint16_t mtu, uint8_t flags, const char *pfx,
       uint8_t pfx_flags)
{
	memset(v, 0, sizeof(*v));
	mac(mac_s, v->mac);
	v->mtu = mtu;
	v->router_lifetime = 300;
	v->flags = flags;
	v->max_interval = 100;
	v->min_interval = 30;
	v->n_prefixes = 1;
	ip6(pfx, v->prefixes[0].prefix);
	v->prefixes[0].plen = 64;
	v->prefixes[0].flags = pfx_flags;
	v->prefixes[0].valid = 86400;
	v->prefixes[0].preferred = 14400;
}

static void
ra_dns(struct fp_ra_val *v, const char *dns_s)
{
	ip6(dns_s, v->dns[v->n_dns++]);
	v->dns_lifetime = 300;
}

/* dhcp.json's entries, field by field, per subnet mode. */
static void
test_compile_dhcp(void **state)
{
	struct world *w = *state;
	struct fp_dhcp_val d4;
	struct fp_dhcp6_val d6;
	struct fp_ra_val ra;
	size_t i;

	load_dhcp(w);
	compile(w);
	assert_no_problems(&w->rep);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP), 2);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP6), 2);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RA), 3);

	/* IPv4 with a gateway: router and server are the gateway. */
	dhcp_val_a1(&d4, 86400);
	assert_non_null(find_dhcp(w->out, 1));
	assert_memory_equal(find_dhcp(w->out, 1), &d4, sizeof(d4));
	/* No gateway: no router, the DHCP port's address serves (OVN: the
	 * metadata port's), a /23.
	 */
	memset(&d4, 0, sizeof(d4));
	mac("fa:16:3e:00:0b:01", d4.mac);
	d4.mtu = 8950;
	ip4("10.2.1.5", d4.addr);
	ip4("10.2.0.2", d4.server);
	d4.lease = 86400;
	d4.plen = 23;
	assert_non_null(find_dhcp(w->out, 2));
	assert_memory_equal(find_dhcp(w->out, 2), &d4, sizeof(d4));
	/* sub-c4 has no DHCP: vm-c1 gets no dhcp entry. */
	assert_null(find_dhcp(w->out, 3));

	/* slaac: no DHCPv6 for vm-a1. */
	assert_null(find_dhcp6(w->out, 1));
	/* dhcpv6-stateful: the address, lifetimes = the lease, the router's MAC. */
	memset(&d6, 0, sizeof(d6));
	mac("fa:16:3e:00:0b:01", d6.mac);
	mac("fa:16:3e:00:0b:fe", d6.server_mac);
	ip6("fd00:b::5", d6.addr);
	d6.preferred = 86400;
	d6.valid = 86400;
	d6.n_dns = 2;
	ip6("fd00:53::2", d6.dns[0]);
	ip6("fd00:53::3", d6.dns[1]);
	assert_non_null(find_dhcp6(w->out, 2));
	assert_memory_equal(find_dhcp6(w->out, 2), &d6, sizeof(d6));
	/* dhcpv6-stateless: no address, no lifetimes. */
	memset(&d6, 0, sizeof(d6));
	mac("fa:16:3e:00:0c:01", d6.mac);
	mac("fa:16:3e:00:0c:fe", d6.server_mac);
	d6.n_dns = 1;
	ip6("fd00:53::4", d6.dns[0]);
	assert_non_null(find_dhcp6(w->out, 3));
	assert_memory_equal(find_dhcp6(w->out, 3), &d6, sizeof(d6));

	/* RAs: per mode, M/O and the prefix's A. */
	ra_val(&ra, "fa:16:3e:00:0a:fe", 1450, 0,
	       "fd00:a::", FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO);
	ra_dns(&ra, "fd00:53::1");
	assert_non_null(find_ra(w->out, 100));
	assert_memory_equal(find_ra(w->out, 100), &ra, sizeof(ra));
	ra_val(&ra, "fa:16:3e:00:0b:fe", 8950, FP_RA_F_MANAGED, "fd00:b::", FP_RA_PFX_F_ONLINK);
	ra_dns(&ra, "fd00:53::2");
	ra_dns(&ra, "fd00:53::3");
	assert_non_null(find_ra(w->out, 200));
	assert_memory_equal(find_ra(w->out, 200), &ra, sizeof(ra));
	ra_val(&ra, "fa:16:3e:00:0c:fe", 1442, FP_RA_F_OTHER,
	       "fd00:c::", FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO);
	ra_dns(&ra, "fd00:53::4");
	assert_non_null(find_ra(w->out, 300));
	assert_memory_equal(find_ra(w->out, 300), &ra, sizeof(ra));

	/* Every entry is one the engines take. */
	for (i = 0; i < fp_entry_set_count(w->out); i++) {
		char err[128];
		struct fp_entry e;

		assert_int_equal(fp_entry_set_at(w->out, i, &e), 0);
		if (e.table == FP_TABLE_DHCP)
			assert_int_equal(fp_dhcp4_check(e.val, err, sizeof(err)), 0);
		else if (e.table == FP_TABLE_DHCP6)
			assert_int_equal(fp_dhcp6_check(e.val, err, sizeof(err)), 0);
		else if (e.table == FP_TABLE_RA)
			assert_int_equal(fp_ra_check(e.val, err, sizeof(err)), 0);
	}

	/* The lease is fp-control's dhcp_lease_duration. */
	w->ctx.dhcp_lease = 600;
	compile(w);
	dhcp_val_a1(&d4, 600);
	assert_memory_equal(find_dhcp(w->out, 1), &d4, sizeof(d4));
	assert_int_equal(find_dhcp6(w->out, 2)->preferred, 600);
	assert_int_equal(find_dhcp6(w->out, 2)->valid, 600);
	unload_dhcp(w);
}

/* Count the problems of a kind on a subnet's field. */
static size_t
count_problems(const struct fp_compile_report *r, uint16_t coll, const char *field)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_problems; i++)
		n += r->problems[i].coll == coll && strcmp(r->problems[i].field, field) == 0;
	return n;
}

/* An engine without the tables (the XDP engine: limits 0): no entries,
 * and "not served" stays on exactly the subnets that ask for them.
 */
static void
test_compile_dhcp_unserved(void **state)
{
	struct world *w = *state;

	load_dhcp(w);
	w->ctx.dhcp_served = 0;
	w->ctx.dhcp6_served = 0;
	w->ctx.ra_served = 0;
	w->ctx.routes_carried = 0;
	w->ctx.engine = "xdp";
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP), 0);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP6), 0);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RA), 0);
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-a4", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "not served: the xdp engine does not answer DHCP;");
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-b4", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "does not answer DHCP;");
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-a6", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED, "does not send router advertisements;");
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-b6", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "does not answer DHCPv6 or send router advertisements");
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-c6", "enable_dhcp",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "does not answer DHCPv6 or send router advertisements");
	assert_null(find_problem(&w->rep, FP_MODEL_SUBNET, "sub-c4", "enable_dhcp"));
	assert_int_equal(count_problems(&w->rep, FP_MODEL_SUBNET, "enable_dhcp"), 5);

	/* DHCPv4 served, the rest not: the IPv4 subnets lose their problem. */
	w->ctx.dhcp_served = 1;
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP), 2);
	assert_null(find_problem(&w->rep, FP_MODEL_SUBNET, "sub-a4", "enable_dhcp"));
	assert_null(find_problem(&w->rep, FP_MODEL_SUBNET, "sub-b4", "enable_dhcp"));
	assert_int_equal(count_problems(&w->rep, FP_MODEL_SUBNET, "enable_dhcp"), 3);

	/* The ra table without routing: the router is not advertised. */
	w->ctx.dhcp6_served = 1;
	w->ctx.ra_served = 1;
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RA), 0);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP6), 2);
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a6", "enable_dhcp",
		       "does not route, so it sends no router advertisements");
	assert_int_equal(count_problems(&w->rep, FP_MODEL_SUBNET, "enable_dhcp"), 3);

	/* All served: none left. */
	w->ctx.routes_carried = 1;
	compile(w);
	assert_int_equal(count_problems(&w->rep, FP_MODEL_SUBNET, "enable_dhcp"), 0);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RA), 3);
	unload_dhcp(w);
}

/* Order of a difference: each change's table, in order. */
struct diff_log {
	uint16_t table[64]; /* tables of the changes */
	uint8_t set[64];    /* 1 set, 0 delete */
	size_t n;	    /* changes */
};

static int
diff_log_fn(uint16_t table, const void *key, const void *val, void *arg)
{
	struct diff_log *d = arg;

	(void)key;
	if (d->n < 64) {
		d->table[d->n] = table;
		d->set[d->n] = val != NULL;
	}
	d->n++;
	return 0;
}

/* Position of the first change of (table, set) in d, or -1. */
static int
diff_pos(const struct diff_log *d, uint16_t table, int set)
{
	size_t i;

	for (i = 0; i < d->n && i < 64; i++)
		if (d->table[i] == table && d->set[i] == set)
			return (int)i;
	return -1;
}

/* Entries follow the model: options changed, a port added, removed or
 * moved, make before break.
 */
static void
test_compile_dhcp_changes(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *before;
	struct fp_dhcp_val d4;
	struct diff_log d;

	load_dhcp(w);
	compile(w);
	before = set_copy(w->out);

	/* dns_nameservers changed: exactly vm-a1's dhcp entry changes. */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-a4', 'network_id': 'net-a', 'ip_version': 4, 'cidr': '10.1.0.0/24',"
	    " 'gateway_ip': '10.1.0.1', 'dns_nameservers': ['10.0.9.99'],"
	    " 'host_routes': [{'destination': '10.8.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '192.168.7.0/24', 'nexthop': '10.1.0.253'}]}");
	compile(w);
	assert_no_problems(&w->rep);
	dhcp_val_a1(&d4, 86400);
	d4.n_dns = 1;
	ip4("10.0.9.99", d4.dns[0]);
	memset(d4.dns[1], 0, 4);
	assert_memory_equal(find_dhcp(w->out, 1), &d4, sizeof(d4));
	memset(&d, 0, sizeof(d));
	assert_int_equal(fp_entry_set_diff(before, w->out, diff_log_fn, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.table[0], FP_TABLE_DHCP);
	assert_int_equal(d.set[0], 1);

	/* More DNS servers than an entry holds: the subnet's ports get no
	 * entry, a problem names the ones in excess; the rest is installed.
	 */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-a4', 'network_id': 'net-a', 'ip_version': 4, 'cidr': '10.1.0.0/24',"
	    " 'gateway_ip': '10.1.0.1', 'dns_nameservers': ['10.0.9.1', '10.0.9.2', '10.0.9.3',"
	    " '10.0.9.4', '10.0.9.5', '10.0.9.6']}");
	compile(w);
	assert_null(find_dhcp(w->out, 1));
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-a4", "dns_nameservers",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "6 DNS servers, an entry holds 4: 10.0.9.5, 10.0.9.6 are not carried");
	assert_non_null(find_dhcp(w->out, 2));
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_DHCP6), 2);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_RA), 3);
	assert_non_null(find_port(w->out, 1));

	/* More host routes than option 121 of an entry holds. */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-a4', 'network_id': 'net-a', 'ip_version': 4, 'cidr': '10.1.0.0/24',"
	    " 'gateway_ip': '10.1.0.1', 'host_routes': ["
	    " {'destination': '10.81.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.82.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.83.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.84.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.85.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.86.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.87.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.88.0.0/16', 'nexthop': '10.1.0.254'},"
	    " {'destination': '10.89.0.0/16', 'nexthop': '10.1.0.254'}]}");
	compile(w);
	assert_null(find_dhcp(w->out, 1));
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a4", "host_routes",
		       "9 host routes, option 121 of an entry holds 8: from 10.89.0.0/16 on (1)");
	assert_non_null(find_dhcp(w->out, 2));

	/* No gateway and no DHCP port: no server address, no entry. */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-a4', 'network_id': 'net-a', 'ip_version': 4, 'cidr': '10.1.0.0/24',"
	    " 'gateway_ip': null}");
	compile(w);
	assert_null(find_dhcp(w->out, 1));
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-a4", "gateway_ip",
		       "no gateway_ip and no DHCP port");
	/* OVN's metadata port (network:distributed) serves as well. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'md-a', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:0d',"
	    " 'device_owner': 'network:distributed', 'device_id': 'ovnmeta-net-a',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a4', 'ip_address': '10.1.0.2'}]}");
	compile(w);
	assert_non_null(find_dhcp(w->out, 1));
	assert_memory_equal(find_dhcp(w->out, 1)->server, "\x0a\x01\x00\x02", 4);
	assert_memory_equal(find_dhcp(w->out, 1)->router, "\0\0\0\0", 4);

	/* Back to the fixture; then vm-a1 leaves: its entries go, and net-a's
	 * RA with it (no local port left there), deleted before its port.
	 */
	load_dhcp(w);
	compile(w);
	fp_entry_set_free(before);
	before = set_copy(w->out);
	del(w, FP_MODEL_PORT, "vm-a1");
	compile(w);
	assert_null(find_dhcp(w->out, 1));
	assert_null(find_ra(w->out, 100));
	assert_non_null(find_ra(w->out, 200));
	memset(&d, 0, sizeof(d));
	assert_int_equal(fp_entry_set_diff(before, w->out, diff_log_fn, &d), 0);
	assert_true(diff_pos(&d, FP_TABLE_DHCP, 0) >= 0);
	assert_true(diff_pos(&d, FP_TABLE_RA, 0) >= 0);
	assert_true(diff_pos(&d, FP_TABLE_DHCP, 0) < diff_pos(&d, FP_TABLE_PORT, 0));
	/* ... and comes back: its port first, then its entries. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(fp_entry_set_diff(w->out, before, diff_log_fn, &d), 0);
	assert_true(diff_pos(&d, FP_TABLE_PORT, 1) >= 0);
	assert_true(diff_pos(&d, FP_TABLE_PORT, 1) < diff_pos(&d, FP_TABLE_DHCP, 1));

	/* vm-b1 moves to hv2: its entries leave hv1. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-b1', 'network_id': 'net-b', 'mac_address': 'fa:16:3e:00:0b:01',"
	    " 'device_owner': 'compute:nova',"
	    " 'fixed_ips': [{'subnet_id': 'sub-b4', 'ip_address': '10.2.1.5'},"
	    " {'subnet_id': 'sub-b6', 'ip_address': 'fd00:b::5'}], 'binding:host_id': 'hv2'}");
	compile(w);
	assert_null(find_dhcp(w->out, 2));
	assert_null(find_dhcp6(w->out, 2));
	assert_null(find_ra(w->out, 200));
	assert_non_null(find_dhcp6(w->out, 3));
	fp_entry_set_free(before);
	unload_dhcp(w);
}

/* What a port or network cannot have: a second IPv4 address offered, a
 * second router advertising on a network, the address another port keeps.
 */
static void
test_compile_dhcp_port_limits(void **state)
{
	struct world *w = *state;

	load_dhcp(w);
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-a1', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:01',"
	    " 'device_owner': 'compute:nova',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a4', 'ip_address': '10.1.0.5'},"
	    " {'subnet_id': 'sub-a4', 'ip_address': '10.1.0.15'}],"
	    " 'binding:host_id': 'hv1', 'binding:profile': {'flowplane_port': 'vm1'}}");
	compile(w);
	assert_memory_equal(find_dhcp(w->out, 1)->addr, "\x0a\x01\x00\x05", 4);
	assert_problem_kind(
		&w->rep, FP_MODEL_PORT, "vm-a1", "fixed_ips[1]", FP_COMPILE_PROBLEM_UNSUPPORTED,
		"one address per port and family: 10.1.0.5 is offered, 10.1.0.15 is not");

	/* Another router's interface on net-c's second IPv6 subnet: one RA per
	 * network, the first subnet's router keeps it.
	 */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c7', 'network_id': 'net-c', 'ip_version': 6, 'cidr': 'fd00:c7::/64',"
	    " 'gateway_ip': 'fd00:c7::1', 'ipv6_ra_mode': 'slaac', 'ipv6_address_mode': 'slaac'}");
	put(w, FP_MODEL_ROUTER, "{'id': 'r2', 'admin_state_up': true}");
	put(w, FP_MODEL_PORT,
	    "{'id': 'rif-c7', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:c7:fe',"
	    " 'device_owner': 'network:router_interface', 'device_id': 'r2',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c7', 'ip_address': 'fd00:c7::1'}]}");
	compile(w);
	assert_memory_equal(find_ra(w->out, 300)->mac, "\xfa\x16\x3e\x00\x0c\xfe", 6);
	assert_int_equal(find_ra(w->out, 300)->n_prefixes, 1);
	assert_problem_kind(&w->rep, FP_MODEL_SUBNET, "sub-c7", "ipv6_ra_mode",
			    FP_COMPILE_PROBLEM_UNSUPPORTED,
			    "this subnet's router r2 is not advertised");
	/* The same router's second prefix joins the RA. */
	put(w, FP_MODEL_PORT,
	    "{'id': 'rif-c7', 'network_id': 'net-c', 'mac_address': 'fa:16:3e:00:0c:fe',"
	    " 'device_owner': 'network:router_interface', 'device_id': 'r1',"
	    " 'fixed_ips': [{'subnet_id': 'sub-c7', 'ip_address': 'fd00:c7::1'}]}");
	compile(w);
	assert_int_equal(find_ra(w->out, 300)->n_prefixes, 2);
	assert_int_equal(find_ra(w->out, 300)->flags, FP_RA_F_OTHER);
	assert_int_equal(find_ra(w->out, 300)->prefixes[1].flags,
			 FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO);
	assert_int_equal(find_ra(w->out, 300)->router_lifetime, 300);

	/* Without a gateway_ip on any of them, the RA names no default router. */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c6', 'network_id': 'net-c', 'ip_version': 6, 'cidr': 'fd00:c::/64',"
	    " 'gateway_ip': null, 'ipv6_ra_mode': 'dhcpv6-stateless',"
	    " 'ipv6_address_mode': 'dhcpv6-stateless', 'dns_nameservers': ['fd00:53::4']}");
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c7', 'network_id': 'net-c', 'ip_version': 6, 'cidr': 'fd00:c7::/64',"
	    " 'gateway_ip': null, 'ipv6_ra_mode': 'slaac', 'ipv6_address_mode': 'slaac'}");
	compile(w);
	assert_int_equal(find_ra(w->out, 300)->router_lifetime, 0);
	assert_int_equal(find_ra(w->out, 300)->n_prefixes, 2);

	/* A port whose address another port keeps (the lower id) is not
	 * offered it.
	 */
	put(w, FP_MODEL_PORT,
	    "{'id': 'vm-a0', 'network_id': 'net-a', 'mac_address': 'fa:16:3e:00:0a:00',"
	    " 'device_owner': 'compute:nova',"
	    " 'fixed_ips': [{'subnet_id': 'sub-a4', 'ip_address': '10.1.0.5'}],"
	    " 'binding:host_id': 'hv2'}");
	compile(w);
	assert_problem(&w->rep, FP_MODEL_PORT, "vm-a1", "fixed_ips[0].ip_address",
		       "which keeps it");
	assert_memory_equal(find_dhcp(w->out, 1)->addr, "\x0a\x01\x00\x0f", 4);

	/* DHCPv6 without a router interface or a DHCP port: no server
	 * identity, no entry; no router, no RA (nor in Neutron).
	 */
	del(w, FP_MODEL_PORT, "rif-b");
	compile(w);
	assert_null(find_dhcp6(w->out, 2));
	assert_null(find_ra(w->out, 200));
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-b6", "ipv6_address_mode",
		       "no DHCPv6 server identity");
	assert_non_null(find_dhcp(w->out, 2));

	/* An IPv4 DNS server on an IPv6 subnet fits neither option 23 nor RDNSS. */
	put(w, FP_MODEL_SUBNET,
	    "{'id': 'sub-c6', 'network_id': 'net-c', 'ip_version': 6, 'cidr': 'fd00:c::/64',"
	    " 'gateway_ip': 'fd00:c::1', 'ipv6_ra_mode': 'dhcpv6-stateless',"
	    " 'ipv6_address_mode': 'dhcpv6-stateless', 'dns_nameservers': ['10.0.9.53']}");
	compile(w);
	assert_null(find_dhcp6(w->out, 3));
	assert_null(find_ra(w->out, 300));
	assert_problem(&w->rep, FP_MODEL_SUBNET, "sub-c6", "dns_nameservers",
		       "DNS server 10.0.9.53 is not an IPv6 address");
	assert_problem(&w->rep, FP_MODEL_NETWORK, "net-c", "subnets",
		       "subnet sub-c6 names an IPv4 DNS server");
	unload_dhcp(w);
}

/* A router's host through a provider network (routed_provider.json): r1
 * has interfaces on vlan net-a and vxlan net-o; vm-a2 (net-a) is on hv2,
 * vm-o1 (net-o) on hv1.  hv2 has r1 only through vm-a2 and routes into
 * net-o by tunnel, so hv1's flood list of VNI 500 names hv2's vtep (the
 * underlay guard decapsulates only from those); a host that cannot be
 * reached is a problem on the router.
 */
static void
test_compile_routed_provider_peer(void **state)
{
	struct world *w = *state;
	const struct fp_flood_val *fl;
	struct fp_flood_key fk;
	uint32_t hv2, i, found = 0;

	load_fixture(w, "routed_provider.json");
	w->ctx.routes_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_non_null(w->ctx.vrf_ids);
	set_port(&w->ports[6], "phys0", 6, FP_PORT_ROLE_PHYSICAL);
	w->ctx.n_ports = 7;
	w->ctx.segments_carried = 1;
	w->ctx.net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	assert_non_null(w->ctx.net_ids);
	compile(w);
	assert_int_equal(w->rep.n_problems, 0);
	assert_int_equal(fp_vtep_ids_get(w->ctx.ids, "hv2", FP_ENCAP_VXLAN, &hv2), 0);
	assert_vtep(w->out, hv2, "10.99.0.2", "10.99.0.1", "02:00:00:00:99:02", FP_ENCAP_VXLAN);
	memset(&fk, 0, sizeof(fk));
	fk.vni = 500;
	fl = fp_entry_set_find(w->out, FP_TABLE_FLOOD, &fk);
	assert_non_null(fl);
	for (i = 0; i < fl->n_members; i++)
		if (fl->members[i].type == FP_DEST_VTEP && fl->members[i].id == hv2)
			found++;
	assert_int_equal(found, 1);

	/* hv2 cannot be reached by tunnel (an IPv6 VTEP only): no vtep, a
	 * problem on r1 naming it.
	 */
	put(w, FP_MODEL_HOST,
	    "{'id': 'hv2', 'vtep_addresses': ['fd00::2'], 'underlay_mac': '02:00:00:00:99:02',"
	    " 'bridge_mappings': {'physnet1': 'phys0'}}");
	compile(w);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_VTEP), 0);
	assert_problem(&w->rep, FP_MODEL_ROUTER, "r1", "",
		       "host hv2 has this router (port vm-a2 on provider network net-a) but "
		       "cannot be reached by tunnel");
	assert_int_equal(w->rep.n_problems, 1);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
	fp_ids_free(w->ctx.net_ids);
	w->ctx.net_ids = NULL;
}

/* A provider (vlan) external network (routed_provider_ext.json: r1 on
 * vxlan net-a with its gateway on vlan net-ext, enable_snat false,
 * floating IPs fip-1 and fip-3 on hv1's VMs): not carried yet
 * (doc/routing.md "Not yet"), so no nat, no default or external
 * connected route, and a problem on the router and each floating IP.
 */
static void
test_compile_routed_provider_external(void **state)
{
	struct world *w = *state;
	uint32_t vrf;

	load_fixture(w, "routed_provider_ext.json");
	w->ctx.routes_carried = 1;
	w->ctx.nat_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	assert_non_null(w->ctx.vrf_ids);
	set_port(&w->ports[6], "phys0", 6, FP_PORT_ROLE_PHYSICAL);
	w->ctx.n_ports = 7;
	w->ctx.segments_carried = 1;
	w->ctx.net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	assert_non_null(w->ctx.net_ids);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf), 0);
	assert_non_null(find_route(w->out, vrf, "10.1.0.0", 120));
	assert_null(find_route(w->out, vrf, "0.0.0.0", 96));
	assert_null(find_route(w->out, vrf, "172.24.4.0", 120));
	assert_int_equal(w->rep.n_problems, 3);
	assert_int_equal(fp_entry_set_count_table(w->out, FP_TABLE_NAT), 0);
	assert_problem(&w->rep, FP_MODEL_ROUTER, "r1", "external_gateway_info.network_id",
		       "routing to a provider external network is not carried yet");
	assert_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-1", "floating_network_id",
		       "floating IPs on a provider external network are not carried yet "
		       "(doc/routing.md)");
	assert_problem(&w->rep, FP_MODEL_FLOATINGIP, "fip-3", "floating_network_id",
		       "floating IPs on a provider external network are not carried yet "
		       "(doc/routing.md)");
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
	fp_ids_free(w->ctx.net_ids);
	w->ctx.net_ids = NULL;
}

static struct fp_entry_set *
entry_set_copy(const struct fp_entry_set *src)
{
	struct fp_entry_set *c = fp_entry_set_create();
	struct fp_entry e;
	size_t i;

	assert_non_null(c);
	for (i = 0; i < fp_entry_set_count(src); i++) {
		assert_int_equal(fp_entry_set_at(src, i, &e), 0);
		assert_int_equal(fp_entry_set_add(c, e.table, e.key, e.val), 0);
	}
	assert_int_equal(fp_entry_set_seal(c, NULL), 0);
	return c;
}

/* A router whose interfaces are on provider networks keeps its vrf
 * across an fp-control restart (routed_provider_vrf.json: r1 on vlan
 * net-a, its gateway on vlan net-ext; another router took vrf 1 first):
 * fresh ids, bound again from the installed entries (provider ids
 * first, as ctrl.c), then the same vrf.
 */
static void
test_compile_routed_provider_vrf_rebind(void **state)
{
	struct world *w = *state;
	struct fp_entry_set *first;
	uint32_t vrf1, vrf2;

	load_fixture(w, "routed_provider_vrf.json");
	w->ctx.routes_carried = 1;
	w->ctx.nat_carried = 1;
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	set_port(&w->ports[6], "phys0", 6, FP_PORT_ROLE_PHYSICAL);
	w->ctx.n_ports = 7;
	w->ctx.segments_carried = 1;
	w->ctx.net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	assert_int_equal(fp_ids_get(w->ctx.vrf_ids, "router:zz-old", &vrf1), 0);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf1), 0);
	assert_int_not_equal(vrf1, 1);
	first = entry_set_copy(w->out);
	fp_ids_free(w->ctx.vrf_ids);
	fp_ids_free(w->ctx.net_ids);
	w->ctx.vrf_ids = fp_ids_create(1, 16);
	w->ctx.net_ids = fp_ids_create(1, FP_COMPILE_PROV_IDS_LIMIT);
	assert_int_equal(fp_compile_prov_rebind(w->m, &w->ctx, first), 0);
	assert_int_equal(fp_compile_l3_rebind(w->m, &w->ctx, first), 0);
	compile(w);
	assert_int_equal(fp_ids_find(w->ctx.vrf_ids, "router:r1", &vrf2), 0);
	assert_int_equal(vrf2, vrf1);
	fp_entry_set_free(first);
	fp_ids_free(w->ctx.vrf_ids);
	w->ctx.vrf_ids = NULL;
	fp_ids_free(w->ctx.net_ids);
	w->ctx.net_ids = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(base),
		T(metadata_undelivered),
		T(deterministic),
		T(port_moves_host),
		T(network_deleted),
		T(duplicate_mac),
		T(duplicate_ip),
		T(host_claims_own_vtep),
		T(ipv6_only),
		T(allowed_address_pairs),
		T(port_addrs_overflow),
		T(no_fixed_ips),
		T(tenants_same_ips),
		T(geneve_and_vxlan),
		T(duplicate_vni),
		T(host_unusable),
		T(gw_mac),
		T(bad_dataplane_port),
		T(flood_overflow),
		T(vtep_ids_stable),
		T(vtep_ids_full),
		cmocka_unit_test(test_compile_vtep_ids_alloc),
		cmocka_unit_test(test_compile_vtep_ids_many),
		T(admin_down),
		T(scale),
		T(bad_args),
		T(sg_union),
		T(sg_shared_and_empty),
		T(sg_rule_conversion),
		T(sg_fail_closed),
		T(sg_not_enforced),
		T(sg_too_many_rules),
		T(sg_join_changes_only_the_set),
		T(sg_rebind_after_restart),
		T(sg_no_free_set_id),
		cmocka_unit_test(test_compile_ids_alloc),
		T(uncarried),
		T(provider),
		T(routed),
		T(routed_rebind_same_gateway),
		T(routed_stale_vrf),
		T(routed_collisions),
		T(routed_external_hosts),
		T(dhcp),
		T(dhcp_unserved),
		T(dhcp_changes),
		T(dhcp_port_limits),
		T(fip),
		T(routed_provider_peer),
		T(routed_provider_external),
		T(routed_provider_vrf_rebind),
	};

	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
