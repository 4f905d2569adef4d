/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dataplane/ftable.c: validation, all-or-nothing commits,
 * limits, make-before-break, a differential test against a linear model,
 * and a reader racing the writer under RCU.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <flowplane/ctl.h>

#include "../lib/bad_entries.h"
#include "addr.h"
#include "check.h"
#include "ftable.h"
#include "names.h"

#define SEED 1124

static const uint8_t ul_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static const uint8_t vm_mac[6] = { 0x02, 0, 0, 0, 0x0a, 0x01 };
static unsigned int table_seq;

struct fixture {
	struct fp_ftables *t; /* tables under test */
	struct fp_txn *x;     /* a transaction */
	char err[256];	      /* last commit message */
	uint32_t failed;      /* last failing index */
};

/* The fixture's tables, room for n_routes routes. */
static struct fp_ftables *
tables_create(uint32_t n_routes)
{
	uint32_t limits[FP_TABLE_MAX] = { [FP_TABLE_PORT] = FP_PORT_MAX, [FP_TABLE_VTEP] = 16,
					  [FP_TABLE_FDB] = 64,		 [FP_TABLE_FLOOD] = 8,
					  [FP_TABLE_NEIGH] = 8,		 [FP_TABLE_RULESET] = 8,
					  [FP_TABLE_ADDRSET] = 16,	 [FP_TABLE_NAT] = 8,
					  [FP_TABLE_DHCP] = 16,		 [FP_TABLE_RA] = 16,
					  [FP_TABLE_DHCP6] = 16,	 [FP_TABLE_SEGMENT] = 8 };
	char name[32];

	limits[FP_TABLE_ROUTE] = n_routes;
	snprintf(name, sizeof(name), "ft%u", table_seq++);
	return fp_ftables_create(name, limits, 0, NULL);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fp_ip local;

	f->t = tables_create(64);
	assert_non_null(f->t);
	assert_int_equal(fp_ftables_port_config(f->t, 0, FP_PORT_ROLE_VM, 1500, vm_mac), 0);
	assert_int_equal(fp_ftables_port_config(f->t, 1, FP_PORT_ROLE_VM, 1500, vm_mac), 0);
	assert_int_equal(fp_ftables_port_config(f->t, 2, FP_PORT_ROLE_UNDERLAY, 1600, ul_mac), 0);
	fp_addr_ip_set_v4(&local, 0xac100001);
	assert_int_equal(fp_ftables_local_vtep_add(f->t, &local), 0);
	assert_int_equal(fp_ftables_local_vtep_add(f->t, &local), -EEXIST);
	f->x = fp_txn_create();
	assert_non_null(f->x);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_txn_free(f->x);
	fp_ftables_free(f->t);
	free(f);
	return 0;
}

static int
commit(struct fixture *f)
{
	int rc = fp_ftables_commit(f->t, f->x, &f->failed, f->err, sizeof(f->err));

	fp_txn_reset(f->x);
	return rc;
}

static void
stage_port(struct fixture *f, uint32_t id, uint32_t vni)
{
	struct fp_port_key k = { .port_id = id };
	struct fp_port_val v = { .role = FP_PORT_ROLE_VM, .vni = vni, .vrf = vni, .mtu = 1500 };

	memcpy(v.mac, vm_mac, 6);
	v.mac[5] = (uint8_t)id;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &k, sizeof(k), &v, sizeof(v)), 0);
}

static void
stage_vtep(struct fixture *f, uint32_t id, uint32_t remote)
{
	struct fp_vtep_key k = { .vtep_id = id };
	struct fp_vtep_val v = { .encap = FP_ENCAP_VXLAN, .underlay_port = 2 };

	fp_addr_ip_set_v4(&v.local, 0xac100001);
	fp_addr_ip_set_v4(&v.remote, remote);
	memcpy(v.nh_mac, ul_mac, 6);
	v.nh_mac[5] = 2;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_VTEP, &k, sizeof(k), &v, sizeof(v)), 0);
}

static void
stage_fdb(struct fixture *f, uint32_t vni, uint8_t last, uint16_t type, uint32_t id)
{
	struct fp_fdb_key k = { .vni = vni };
	struct fp_fdb_val v = { .type = type, .id = id };

	memcpy(k.mac, vm_mac, 6);
	k.mac[5] = last;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FDB, &k, sizeof(k), &v, sizeof(v)), 0);
}

static void
stage_fdb_del(struct fixture *f, uint32_t vni, uint8_t last)
{
	struct fp_fdb_key k = { .vni = vni };

	memcpy(k.mac, vm_mac, 6);
	k.mac[5] = last;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FDB, &k, sizeof(k), NULL, 0), 0);
}

static int
lookup_fdb(const struct fp_ftables *t, uint32_t vni, uint8_t last, struct fp_fdb_val *out)
{
	struct fp_fdb_key k = { .vni = vni };
	void *data;

	memcpy(k.mac, vm_mac, 6);
	k.mac[5] = last;
	if (rte_hash_lookup_data(t->fdb, &k, &data) < 0)
		return 0;
	*out = fp_ftables_fdb_decode(data);
	return 1;
}

static void
test_ftable_shapes_refused_at_stage(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key k = { .vni = 1 };
	struct fp_fdb_val v = { 0 };

	assert_int_equal(fp_txn_add(f->x, FP_TABLE_MAX, &k, sizeof(k), &v, sizeof(v)), -EINVAL);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FDB, &k, sizeof(k) - 1, &v, sizeof(v)), -EINVAL);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FDB, &k, sizeof(k), &v, sizeof(v) + 1), -EINVAL);
	assert_int_equal(fp_txn_len(f->x), 0);
}

static int
count_entry(uint16_t table, const void *key, const void *val, void *arg)
{
	(void)table;
	(void)key;
	(void)val;
	(*(uint32_t *)arg)++;
	return 0;
}

static void
test_ftable_commit_and_walk(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_val v;
	uint64_t gen = f->t->generation;

	/* References inside one transaction: fdb -> vtep and port, staged
	 * in the "wrong" order, applied in table order.
	 */
	stage_fdb(f, 100, 9, FP_DEST_VTEP, 3);
	stage_fdb(f, 100, 1, FP_DEST_PORT, 0);
	stage_vtep(f, 3, 0xac100002);
	stage_port(f, 0, 100);
	assert_int_equal(commit(f), 0);
	assert_int_equal(f->t->generation, gen + 1);
	assert_int_equal(f->t->count[FP_TABLE_FDB], 2);
	assert_int_equal(f->t->count[FP_TABLE_VTEP], 1);
	/* Port count: the configured underlay port plus the new VM port. */
	assert_int_equal(f->t->count[FP_TABLE_PORT], 2);
	assert_true(lookup_fdb(f->t, 100, 9, &v));
	assert_int_equal(v.type, FP_DEST_VTEP);
	assert_int_equal(v.id, 3);
	assert_non_null(fp_ftables_vtep(f->t, 3));
	assert_int_equal(fp_ftables_vtep(f->t, 3)->tmpl.len, 50);
	assert_non_null(fp_ftables_port(f->t, 0));
	assert_int_equal(fp_ftables_port(f->t, 0)->lladdr[0], 0xfe);
	{
		uint32_t n_fdb = 0, n_port = 0, n_vtep = 0;

		assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_FDB, count_entry, &n_fdb), 0);
		assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_PORT, count_entry, &n_port), 0);
		assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_VTEP, count_entry, &n_vtep), 0);
		assert_int_equal(n_fdb, 2);
		assert_int_equal(n_port, 2);
		assert_int_equal(n_vtep, 1);
		assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_MAX, count_entry, &n_fdb), -EINVAL);
	}
}

static void
stage_flood(struct fixture *f, uint32_t vni, uint32_t port, int del)
{
	struct fp_flood_key k = { .vni = vni };
	struct fp_flood_val v = { .n_members = 1 };

	v.members[0].type = FP_DEST_PORT;
	v.members[0].id = port;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FLOOD, &k, sizeof(k), del ? NULL : &v,
				    del ? 0 : sizeof(v)),
			 0);
}

/* The served-VNI bitmap follows the flood table through sets, replaces,
 * deletes and refused transactions.
 */
static void
test_ftable_vni_served(void **state)
{
	struct fixture *f = *state;

	assert_false(fp_ftables_vni_served(f->t, 100));
	assert_false(fp_ftables_vni_served(f->t, FP_VNI_MAX + 1));
	stage_port(f, 0, 100);
	stage_port(f, 1, FP_VNI_MAX);
	stage_flood(f, 100, 0, 0);
	stage_flood(f, FP_VNI_MAX, 1, 0);
	assert_int_equal(commit(f), 0);
	assert_true(fp_ftables_vni_served(f->t, 100));
	assert_true(fp_ftables_vni_served(f->t, FP_VNI_MAX));
	assert_false(fp_ftables_vni_served(f->t, 101));
	assert_false(fp_ftables_vni_served(f->t, 99));
	assert_false(fp_ftables_vni_served(f->t, 64 + 100));

	/* Replacing keeps it served. */
	stage_flood(f, 100, 0, 0);
	assert_int_equal(commit(f), 0);
	assert_true(fp_ftables_vni_served(f->t, 100));

	/* A refused transaction changes nothing: the delete of 100 and the
	 * set of 101 are not applied.
	 */
	stage_flood(f, 100, 0, 1);
	stage_flood(f, 101, 0, 0);
	stage_fdb(f, 100, 2, FP_DEST_VTEP, 7); /* no vtep 7 */
	assert_int_equal(commit(f), -EINVAL);
	assert_true(fp_ftables_vni_served(f->t, 100));
	assert_false(fp_ftables_vni_served(f->t, 101));

	/* Delete: no longer served; the neighbour bit is untouched. */
	stage_flood(f, 100, 0, 1);
	assert_int_equal(commit(f), 0);
	assert_false(fp_ftables_vni_served(f->t, 100));
	assert_true(fp_ftables_vni_served(f->t, FP_VNI_MAX));
	assert_null(fp_ftables_flood(f->t, 100));
}

static void
test_ftable_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_val v;

	stage_port(f, 0, 100);
	stage_fdb(f, 100, 1, FP_DEST_PORT, 0);
	stage_fdb(f, 100, 2, FP_DEST_VTEP, 7); /* no vtep 7 */
	assert_int_equal(commit(f), -EINVAL);
	assert_int_equal(f->failed, 2);
	assert_non_null(strstr(f->err, "change 2"));
	assert_non_null(strstr(f->err, "vtep 7 does not exist"));
	/* Nothing was applied. */
	assert_int_equal(f->t->count[FP_TABLE_FDB], 0);
	assert_null(fp_ftables_port(f->t, 0));
	assert_false(lookup_fdb(f->t, 100, 1, &v));
}

static void
test_ftable_values_validated(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key pk = { .port_id = 2 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM, .vni = 5, .mac = { 2 } };
	struct fp_neigh_key nk = { .vrf = 1 };
	struct fp_neigh_val nv = { .vni = 1 << 24, .mac = { 2 } };
	struct fp_vtep_key vk = { .vtep_id = 99 };
	struct fp_vtep_val vv = { 0 };

	/* The underlay port is owned by the config. */
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &pk, sizeof(pk), &pv, sizeof(pv)), 0);
	assert_int_equal(commit(f), -EPERM);
	/* Port 9 is not configured. */
	pk.port_id = 9;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &pk, sizeof(pk), &pv, sizeof(pv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_non_null(strstr(f->err, "not configured"));
	/* A non-zero pad. */
	pk.port_id = 0;
	pv.pad[1] = 1;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &pk, sizeof(pk), &pv, sizeof(pv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	/* VNI out of range. */
	fp_addr_ip_set_v4(&nk.ip, 0x0a000001);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NEIGH, &nk, sizeof(nk), &nv, sizeof(nv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	/* Vtep id past the table. */
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_VTEP, &vk, sizeof(vk), &vv, sizeof(vv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	/* A vtep whose local address is not ours. */
	stage_vtep(f, 1, 0xac100002);
	{
		struct fp_vtep_key k = { .vtep_id = 2 };
		struct fp_vtep_val v = { .encap = FP_ENCAP_GENEVE, .underlay_port = 2 };

		fp_addr_ip_set_v4(&v.local, 0xac100009);
		fp_addr_ip_set_v4(&v.remote, 0xac100002);
		v.nh_mac[0] = 2;
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_VTEP, &k, sizeof(k), &v, sizeof(v)), 0);
	}
	assert_int_equal(commit(f), -EINVAL);
	assert_int_equal(f->failed, 1);
	assert_null(fp_ftables_vtep(f->t, 1));
}

static void
test_ftable_delete_missing_and_staged(void **state)
{
	struct fixture *f = *state;

	stage_fdb_del(f, 100, 1);
	assert_int_equal(commit(f), -ENOENT);
	/* Set then delete in one transaction: allowed, ends deleted. */
	stage_port(f, 0, 100);
	stage_fdb(f, 100, 1, FP_DEST_PORT, 0);
	stage_fdb_del(f, 100, 1);
	assert_int_equal(commit(f), 0);
	assert_int_equal(f->t->count[FP_TABLE_FDB], 0);
}

static void
test_ftable_full_refused(void **state)
{
	struct fixture *f = *state;
	uint32_t i;

	stage_port(f, 0, 100);
	assert_int_equal(commit(f), 0);
	for (i = 0; i < 64; i++)
		stage_fdb(f, 100 + i / 200, (uint8_t)i, FP_DEST_PORT, 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(f->t->count[FP_TABLE_FDB], 64);
	/* One more: refused, nothing changes. */
	stage_fdb(f, 101, 1, FP_DEST_PORT, 0);
	assert_int_equal(commit(f), -ENOSPC);
	assert_non_null(strstr(f->err, "fdb table full"));
	assert_int_equal(f->t->count[FP_TABLE_FDB], 64);
	/* Replace one and delete one in the same transaction as an add:
	 * the count after the commit fits.
	 */
	stage_fdb_del(f, 100, 5);
	stage_fdb(f, 101, 1, FP_DEST_PORT, 0);
	stage_fdb(f, 100, 6, FP_DEST_PORT, 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(f->t->count[FP_TABLE_FDB], 64);
}

/* Differential: random sets and deletes against a linear model. */
static void
test_ftable_fdb_vs_model(void **state)
{
	struct fixture *f = *state;
	struct {
		uint8_t present;     /* in the model */
		struct fp_fdb_val v; /* value */
	} model[2][32];
	unsigned int seed = SEED, round;
	uint32_t vni, i;

	memset(model, 0, sizeof(model));
	stage_port(f, 0, 100);
	stage_port(f, 1, 100);
	stage_vtep(f, 4, 0xac100002);
	assert_int_equal(commit(f), 0);
	srand(seed);
	for (round = 0; round < 300; round++) {
		uint32_t n = 1 + (uint32_t)rand() % 6;
		uint8_t set_seen[2][32] = { { 0 } }, del_seen[2][32] = { { 0 } };
		struct fp_fdb_val last[2][32];
		int ok = 1, rc;

		/* The commit contract: every delete names an entry that exists
		 * or that the transaction sets before it; sets apply before
		 * deletes, so for one key a delete wins over a set.
		 */
		for (i = 0; i < n; i++) {
			uint32_t v = (uint32_t)rand() % 2, m = (uint32_t)rand() % 32;

			if (rand() % 3 == 0) {
				stage_fdb_del(f, 100 + v, (uint8_t)m);
				if (!model[v][m].present && !set_seen[v][m])
					ok = 0;
				del_seen[v][m] = 1;
			} else {
				struct fp_fdb_val fv = { .type = rand() % 2 ? FP_DEST_PORT :
									      FP_DEST_VTEP };

				fv.id = fv.type == FP_DEST_PORT ? (uint32_t)rand() % 2 : 4;
				stage_fdb(f, 100 + v, (uint8_t)m, fv.type, fv.id);
				set_seen[v][m] = 1;
				last[v][m] = fv;
			}
		}
		rc = commit(f);
		if ((rc == 0) != ok)
			fail_msg("seed %u round %u: commit %d, model expects %s (%s)", seed, round,
				 rc, ok ? "success" : "failure", f->err);
		if (rc == 0) {
			for (vni = 0; vni < 2; vni++) {
				for (i = 0; i < 32; i++) {
					if (del_seen[vni][i]) {
						model[vni][i].present = 0;
					} else if (set_seen[vni][i]) {
						model[vni][i].present = 1;
						model[vni][i].v = last[vni][i];
					}
				}
			}
		}
		for (vni = 0; vni < 2; vni++) {
			for (i = 0; i < 32; i++) {
				struct fp_fdb_val got;
				int present = lookup_fdb(f->t, 100 + vni, (uint8_t)i, &got);

				if (present != model[vni][i].present)
					fail_msg(
						"seed %u round %u: vni %u mac %u present %d, model %d",
						seed, round, 100 + vni, i, present,
						model[vni][i].present);
				if (present && memcmp(&got, &model[vni][i].v, sizeof(got)) != 0)
					fail_msg("seed %u round %u: value differs", seed, round);
			}
		}
	}
}

/* The underlay source shadow against a model recomputed from the tables
 * after every commit: random transactions set and delete flood lists
 * (vtep and port members), fdb entries and vteps (three addresses, so
 * that vteps share one and move between them), some refused.  The count
 * of every (VNI, address) must be the number of flood members and fdb
 * entries of the VNI naming an existing vtep with that address, and the
 * shadow holds no other key.
 */
struct src_model {
	const struct fp_ftables *t; /* tables */
	uint32_t n[2][3];	    /* by vni - 100, address index */
	uint32_t addrs[3];	    /* the vteps' addresses */
};

static int
src_addr_index(const struct src_model *m, uint32_t id)
{
	const struct fp_dp_vtep *v = fp_ftables_vtep(m->t, id);
	struct fp_ip ip;
	int a;

	if (v == NULL)
		return -1;
	for (a = 0; a < 3; a++) {
		fp_addr_ip_set_v4(&ip, m->addrs[a]);
		if (memcmp(&ip, &v->v.remote, sizeof(ip)) == 0)
			return a;
	}
	return -1;
}

static int
src_count(uint16_t table, const void *key, const void *val, void *arg)
{
	struct src_model *m = arg;
	int a;

	if (table == FP_TABLE_FLOOD) {
		const struct fp_flood_val *fl = val;
		uint32_t vni = ((const struct fp_flood_key *)key)->vni, i;

		for (i = 0; i < fl->n_members; i++)
			if (fl->members[i].type == FP_DEST_VTEP &&
			    (a = src_addr_index(m, fl->members[i].id)) >= 0)
				m->n[vni - 100][a]++;
	} else {
		const struct fp_fdb_val *fv = val;
		uint32_t vni = ((const struct fp_fdb_key *)key)->vni;

		if (fv->type == FP_DEST_VTEP && (a = src_addr_index(m, fv->id)) >= 0)
			m->n[vni - 100][a]++;
	}
	return 0;
}

static void
stage_flood_vteps(struct fixture *f, uint32_t vni, uint32_t mask, int del)
{
	struct fp_flood_key k = { .vni = vni };
	struct fp_flood_val v = { .n_members = 1 };
	uint32_t id;

	v.members[0].type = FP_DEST_PORT;
	for (id = 0; id < 4; id++) {
		if (!(mask & (1U << id)))
			continue;
		v.members[v.n_members].type = FP_DEST_VTEP;
		v.members[v.n_members++].id = id;
	}
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FLOOD, &k, sizeof(k), del ? NULL : &v,
				    del ? 0 : sizeof(v)),
			 0);
}

static void
test_ftable_vtep_src_vs_model(void **state)
{
	struct fixture *f = *state;
	struct src_model m = { .t = f->t, .addrs = { 0xac100002, 0xac100003, 0xac100004 } };
	unsigned int seed = SEED, round, n_ok = 0;
	uint32_t vni, a, i;

	stage_port(f, 0, 100);
	assert_int_equal(commit(f), 0);
	srand(seed);
	for (round = 0; round < 400; round++) {
		uint32_t n = 1 + (uint32_t)rand() % 5, keys = 0;

		for (i = 0; i < n; i++) {
			uint32_t what = (uint32_t)rand() % 7, v = 100 + (uint32_t)rand() % 2;
			uint32_t id = (uint32_t)rand() % 4;
			int del = rand() % 4 == 0;

			if (what < 2)
				stage_vtep(f, id, m.addrs[rand() % 3]);
			else if (what == 2 && del)
				assert_int_equal(fp_txn_add(f->x, FP_TABLE_VTEP,
							    &(struct fp_vtep_key){ .vtep_id = id },
							    sizeof(struct fp_vtep_key), NULL, 0),
						 0);
			else if (what == 3)
				stage_flood_vteps(f, v, (uint32_t)rand() % 16, del);
			else if (del)
				stage_fdb_del(f, v, (uint8_t)(rand() % 8));
			else
				stage_fdb(f, v, (uint8_t)(rand() % 8),
					  rand() % 3 ? FP_DEST_VTEP : FP_DEST_PORT,
					  rand() % 3 ? id : 0);
		}
		n_ok += commit(f) == 0;
		memset(m.n, 0, sizeof(m.n));
		fp_ftables_walk(f->t, FP_TABLE_FLOOD, src_count, &m);
		fp_ftables_walk(f->t, FP_TABLE_FDB, src_count, &m);
		for (vni = 0; vni < 2; vni++) {
			for (a = 0; a < 3; a++) {
				struct fp_ip ip;

				fp_addr_ip_set_v4(&ip, m.addrs[a]);
				if (fp_ftables_vtep_src_refs(f->t, 100 + vni, &ip) != m.n[vni][a])
					fail_msg("seed %u round %u: vni %u address %u: %u refs, "
						 "model %u",
						 seed, round, 100 + vni, a,
						 fp_ftables_vtep_src_refs(f->t, 100 + vni, &ip),
						 m.n[vni][a]);
				if (fp_ftables_vtep_src_has(f->t, 100 + vni, &ip) !=
				    (m.n[vni][a] > 0))
					fail_msg("seed %u round %u: lookup disagrees", seed, round);
				keys += m.n[vni][a] > 0;
			}
		}
		if ((uint32_t)rte_hash_count(f->t->vtep_src) != keys)
			fail_msg("seed %u round %u: %d keys in the shadow, model %u", seed, round,
				 rte_hash_count(f->t->vtep_src), keys);
	}
	/* Both kinds of transaction were exercised. */
	assert_true(n_ok > 50 && n_ok < 400);
}

/* A reader thread hammers lookups while the writer replaces and deletes
 * values; every value it sees must be one the writer installed.
 */
struct race {
	struct fp_ftables *t;	  /* tables */
	struct rte_rcu_qsbr *rcu; /* QSBR */
	volatile int stop;	  /* writer done */
	volatile int started;	  /* reader running */
	uint64_t seen;		  /* lookups that hit */
	int bad;		  /* torn or freed values seen */
};

static void *
reader(void *arg)
{
	struct race *r = arg;

	rte_rcu_qsbr_thread_register(r->rcu, 0);
	rte_rcu_qsbr_thread_online(r->rcu, 0);
	r->started = 1;
	while (!r->stop) {
		const struct fp_neigh_val *n;
		struct fp_ip ip;
		uint32_t i;

		for (i = 0; i < 4; i++) {
			fp_addr_ip_set_v4(&ip, 0x0a000001 + i);
			n = fp_ftables_neigh(r->t, 1, &ip);
			if (n != NULL) {
				/* Values are written with mac[5] == vni & 0xff. */
				if (n->mac[0] != 0x02 || n->mac[5] != (uint8_t)n->vni)
					r->bad++;
				r->seen++;
			}
		}
		rte_rcu_qsbr_quiescent(r->rcu, 0);
	}
	rte_rcu_qsbr_thread_offline(r->rcu, 0);
	rte_rcu_qsbr_thread_unregister(r->rcu, 0);
	return NULL;
}

static void
test_ftable_rcu_reader_race(void **state)
{
	uint32_t limits[FP_TABLE_MAX] = { FP_PORT_MAX, 4, 16, 4, 16, 4, 16, 16, 16, 16, 16, 16, 16 };
	struct race r = { 0 };
	struct fp_txn *x = fp_txn_create();
	pthread_t th;
	uint32_t round, i;
	char name[32];

	(void)state;
	r.rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	assert_int_equal(rte_rcu_qsbr_init(r.rcu, 1), 0);
	snprintf(name, sizeof(name), "race%u", table_seq++);
	r.t = fp_ftables_create(name, limits, 0, r.rcu);
	assert_non_null(r.t);
	assert_int_equal(pthread_create(&th, NULL, reader, &r), 0);
	{
		/* EAL pinned this thread to lcore 0's CPU and the reader
		 * inherited it; let it run anywhere, like a worker lcore.
		 */
		cpu_set_t all;
		long i, n = sysconf(_SC_NPROCESSORS_ONLN);

		CPU_ZERO(&all);
		for (i = 0; i < n; i++)
			CPU_SET(i, &all);
		pthread_setaffinity_np(th, sizeof(all), &all);
	}
	while (!r.started)
		usleep(100);
	/* At least 2000 rounds, and until the reader has really raced (it
	 * shares 2 cores with everything else), for at most 1M rounds.
	 */
	for (round = 0; round < 1000000 && (round < 2000 || *(volatile uint64_t *)&r.seen < 100000);
	     round++) {
		for (i = 0; i < 4; i++) {
			struct fp_neigh_key k = { .vrf = 1 };
			struct fp_neigh_val v = { .mac = { 0x02 } };

			fp_addr_ip_set_v4(&k.ip, 0x0a000001 + i);
			v.vni = 1 + (round * 4 + i) % 200;
			v.mac[5] = (uint8_t)v.vni;
			if (round % 5 == 4)
				fp_txn_add(x, FP_TABLE_NEIGH, &k, sizeof(k), NULL, 0);
			else
				fp_txn_add(x, FP_TABLE_NEIGH, &k, sizeof(k), &v, sizeof(v));
		}
		assert_int_equal(fp_ftables_commit(r.t, x, NULL, NULL, 0), 0);
		fp_txn_reset(x);
	}
	r.stop = 1;
	pthread_join(th, NULL);
	print_message("reader saw %llu values\n", (unsigned long long)r.seen);
	assert_int_equal(r.bad, 0);
	assert_true(r.seen > 0);
	fp_txn_free(x);
	fp_ftables_free(r.t);
	rte_free(r.rcu);
}

/* Every entry of tests/lib/bad_entries.c is refused by fp-dpdk's commit
 * with the message the XDP backend gives (test_backend_xdp), and by the
 * validator alone (lib/check.h) with the same; fpctl's view-less check
 * refuses it too or leaves it to the engine.  Nothing is applied.
 */
static void
test_ftable_bad_entries(void **state)
{
	struct fixture *f = *state;
	struct fp_bad_entry *bad;
	size_t n, i;

	bad = fp_bad_entries_build(&n);
	assert_non_null(bad);
	for (i = 0; i < n; i++) {
		const struct fp_bad_entry *e = &bad[i];
		char want[sizeof(e->msg) + 16], msg[FP_CTL_MSG_SIZE] = "";
		int rc, vrc;

		assert_int_equal(fp_txn_add(f->x, e->table, &e->key, fp_names_key_size[e->table],
					    e->del ? NULL : &e->val,
					    e->del ? 0 : fp_names_val_size[e->table]),
				 0);
		rc = commit(f);
		snprintf(want, sizeof(want), "change 0: %s", e->msg);
		if (rc != e->rc || strcmp(f->err, want) != 0)
			fail_msg("%s: rc %d \"%s\", want %d \"%s\"", e->desc, rc, f->err, e->rc,
				 want);
		assert_int_equal(f->failed, 0);
		vrc = fp_check_entry(e->table, &e->key, e->del ? NULL : &e->val, NULL, msg,
				     sizeof(msg));
		if (vrc != 0 && (vrc != e->rc || strcmp(msg, e->msg) != 0))
			fail_msg("%s: without a view: rc %d \"%s\"", e->desc, vrc, msg);
	}
	for (i = 0; i < FP_TABLE_MAX; i++)
		assert_int_equal(f->t->count[i], i == FP_TABLE_PORT ? 1 : 0);
	free(bad);
}

static void
stage_member(struct fixture *f, uint32_t set, uint32_t v4, uint8_t plen4, int del)
{
	struct fp_addrset_key k = { .set_id = set, .plen = (uint8_t)(96 + plen4) };
	struct fp_addrset_val v = { 0 };

	fp_addr_ip_set_v4(&k.ip, v4);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_ADDRSET, &k, sizeof(k), del ? NULL : &v,
				    del ? 0 : sizeof(v)),
			 0);
}

static int
has4(const struct fixture *f, uint32_t set, uint32_t v4)
{
	struct fp_ip ip;

	fp_addr_ip_set_v4(&ip, v4);
	return fp_ftables_addrset_has(f->t, set, &ip);
}

/* Rulesets by (id, direction); address-set members by prefix, one probe
 * list per set; sg_gen moves with ruleset, addrset and port commits only.
 */
static void
test_ftable_ruleset_addrset(void **state)
{
	struct fixture *f = *state;
	struct fp_ruleset_key rk = { .ruleset_id = 3, .dir = FP_SG_DIR_INGRESS };
	struct fp_ruleset_val rv = { .n_rules = 1, .flags = FP_RULESET_F_STATEFUL };
	struct fp_port_key pk = { .port_id = 0 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM, .vni = 5, .vrf = 5 };
	const struct fp_ruleset_val *got;
	uint64_t gen = fp_ftables_sg_gen(f->t);
	uint32_t n, id = 7;

	rv.rules[0] = (struct fp_sg_rule){
		.rule_id = 9, .family = 4, .flags = FP_SG_RULE_F_ADDRSET, .addrset = 7
	};
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_RULESET, &rk, sizeof(rk), &rv, sizeof(rv)), 0);
	stage_member(f, 7, 0x0a000005, 32, 0); /* 10.0.0.5/32 */
	stage_member(f, 7, 0x0a010000, 16, 0); /* 10.1.0.0/16 */
	stage_member(f, 8, 0x0a020000, 24, 0); /* 10.2.0.0/24 in another set */
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_sg_gen(f->t), gen + 1);
	got = fp_ftables_ruleset(f->t, 3, FP_SG_DIR_INGRESS);
	assert_non_null(got);
	assert_int_equal(got->rules[0].rule_id, 9);
	assert_null(fp_ftables_ruleset(f->t, 3, FP_SG_DIR_EGRESS));
	assert_null(fp_ftables_ruleset(f->t, 4, FP_SG_DIR_INGRESS));
	assert_true(has4(f, 7, 0x0a000005));
	assert_false(has4(f, 7, 0x0a000006));
	assert_true(has4(f, 7, 0x0a01ff01));
	assert_false(has4(f, 7, 0x0a020001)); /* set 8's member */
	assert_true(has4(f, 8, 0x0a0200fe));
	assert_false(has4(f, 9, 0x0a000005));
	n = 0;
	assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_ADDRSET, count_entry, &n), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_RULESET, count_entry, &n), 0);
	assert_int_equal(n, 1);

	/* An fdb-only commit leaves sg_gen. */
	stage_fdb(f, 100, 1, FP_DEST_ROUTER, 1);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_sg_gen(f->t), gen + 1);

	/* Replace the /16 by a /8 in one commit. */
	stage_member(f, 7, 0x0a010000, 16, 1);
	stage_member(f, 7, 0x0a000000, 8, 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_sg_gen(f->t), gen + 2);
	assert_true(has4(f, 7, 0x0a7f0001));
	assert_true(has4(f, 7, 0x0a01ff01));
	stage_member(f, 7, 0x0a000000, 8, 1);
	assert_int_equal(commit(f), 0);
	assert_false(has4(f, 7, 0x0a01ff01));
	assert_true(has4(f, 7, 0x0a000005));
	/* Last member gone: the set's length list goes too. */
	stage_member(f, 7, 0x0a000005, 32, 1);
	assert_int_equal(commit(f), 0);
	assert_false(has4(f, 7, 0x0a000005));
	assert_true(rte_hash_lookup(f->t->addrset.plens, &id) < 0);
	assert_int_equal(f->t->count[FP_TABLE_ADDRSET], 1);

	/* Past the table's limit (16): refused, nothing applied. */
	for (n = 0; n < 16; n++)
		stage_member(f, 9, 0x0b000000 + n, 32, 0);
	assert_int_equal(commit(f), -ENOSPC);
	assert_false(has4(f, 9, 0x0b000000));

	/* A port filtered by security groups is taken (fp-dpdk enforces). */
	pv.flags = FP_PORT_F_SG;
	pv.ruleset = 3;
	memcpy(pv.mac, vm_mac, 6);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_PORT, &pk, sizeof(pk), &pv, sizeof(pv)), 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_sg_gen(f->t), gen + 5);
}

/* xorshift32: the route test's own sequence from its printed seed. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A route entry of the model and of the table. */
struct route_ref {
	struct fp_route_key k; /* vrf, plen, prefix */
	struct fp_route_val v; /* the value installed */
	int live;	       /* installed */
};

#define ROUTE_REF_N 40 /* the key universe of the random test */

/* The longest live prefix of vrf holding ip, the linear way (IPv4-mapped
 * addresses match IPv4 prefixes only), or -1.
 */
static int
route_model(const struct route_ref *m, uint32_t n, uint32_t vrf, const struct fp_ip *ip)
{
	int best = -1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct fp_ip x = *ip;

		if (!m[i].live || m[i].k.vrf != vrf)
			continue;
		if (fp_addr_ip_is_v4(ip) && m[i].k.plen < 96)
			continue;
		fp_ftables_ip_mask(&x, m[i].k.plen);
		if (memcmp(&x, &m[i].k.ip, sizeof(x)) == 0 &&
		    (best < 0 || m[i].k.plen > m[(uint32_t)best].k.plen))
			best = (int)i;
	}
	return best;
}

/* Does vrf have an rte_fib now? */
static int
route_has_fib(const struct fp_ftables *t, uint32_t vrf)
{
	void *data;

	return rte_hash_lookup_data(t->route.plens, &vrf, &data) >= 0 &&
	       ((const struct fp_dp_plens *)data)->fib != NULL;
}

/* Random route keys over n slots: IPv4 prefixes 10.0-(span-1).x.y/8..32
 * (and IPv4 default routes) and IPv6 ones in 2001:db8::/32 (and ::/0),
 * vrf 1 or 2; duplicate keys go to vrfs nobody looks up.
 */
static void
route_keys(struct route_ref *m, uint32_t n, uint32_t span, uint32_t *rs)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		struct route_ref *r = &m[i];
		uint32_t x = rnd(rs);

		r->k.vrf = 1 + x % 2;
		if (i % 3 == 2) {
			/* IPv6: 2001:db8:X::/plen, or ::/0 */
			r->k.plen = (uint8_t)(i == 2 ? 0 : 32 + rnd(rs) % 97);
			r->k.ip.b[0] = 0x20;
			r->k.ip.b[1] = 0x01;
			r->k.ip.b[2] = 0x0d;
			r->k.ip.b[3] = 0xb8;
			r->k.ip.b[4] = (uint8_t)(rnd(rs) % 2);
			r->k.ip.b[15] = (uint8_t)(rnd(rs) % 4);
		} else {
			r->k.plen = (uint8_t)(i % 50 == 0 ? 96 : 96 + 8 + rnd(rs) % 25);
			fp_addr_ip_set_v4(&r->k.ip, 0x0a000000 | (rnd(rs) % span) << 16 |
							    (rnd(rs) % span) << 8 | rnd(rs) % span);
		}
		fp_ftables_ip_mask(&r->k.ip, r->k.plen);
		r->v.type = FP_ROUTE_CONNECTED;
		r->v.vni = 100;
		r->v.mtu = 1500;
		r->v.mac[0] = 2;
		r->v.addr = r->k.ip;
		r->v.addr.b[15] |= 1;
	}
	for (i = 0; i < n; i++) {
		/* Duplicate keys: one model slot per key. */
		for (j = 0; j < i; j++)
			if (memcmp(&m[j].k, &m[i].k, sizeof(m[i].k)) == 0)
				m[i].k.vrf = 3 + i;
	}
}

/* 200 lookups in vrfs 1 and 2 against the model. */
static void
route_check(struct fixture *f, const struct route_ref *m, uint32_t n, uint32_t *rs, uint32_t seed,
	    uint32_t round)
{
	uint32_t i;

	for (i = 0; i < 200; i++) {
		uint32_t vrf = 1 + rnd(rs) % 2;
		struct fp_ip ip = m[rnd(rs) % n].k.ip;
		const struct fp_route_val *got;
		int want, plen;

		ip.b[15] ^= (uint8_t)(rnd(rs) % 4);
		if (fp_addr_ip_is_v4(&ip))
			ip.b[13] ^= (uint8_t)(rnd(rs) % 2);
		want = route_model(m, n, vrf, &ip);
		got = fp_ftables_route(f->t, vrf, &ip, &plen);
		if ((want < 0) != (got == NULL) ||
		    (want >= 0 && (plen != m[want].k.plen || got->vni != m[want].v.vni)))
			fail_msg("seed %u round %u: vrf %u lookup: want %d, got %d", seed, round,
				 vrf, want >= 0 ? m[want].k.plen : -1, got != NULL ? plen : -1);
	}
}

/* rounds commits of up to max_changes random sets, replaces and deletes
 * over n keys, each followed by lookups against the model; returns the
 * rounds after which vrf 1 or 2 had an rte_fib.
 */
static uint32_t
route_vs_model(struct fixture *f, struct route_ref *m, uint32_t n, uint32_t span, uint32_t rounds,
	       uint32_t max_changes)
{
	uint32_t seed = SEED, rs = seed, round, i, with_fib = 0;
	uint8_t *picked = calloc(n, 1);

	assert_non_null(picked);
	memset(m, 0, n * sizeof(*m));
	route_keys(m, n, span, &rs);
	for (round = 0; round < rounds; round++) {
		uint32_t k = 1 + rnd(&rs) % max_changes;

		memset(picked, 0, n);
		for (i = 0; i < k; i++) {
			uint32_t at = rnd(&rs) % n;
			struct route_ref *r = &m[at];
			int del = r->live && rnd(&rs) % 3 == 0;

			/* One change per key and commit (fp-control's way). */
			if (picked[at]++)
				continue;

			r->v.vni = 100 + rnd(&rs) % 50;
			assert_int_equal(fp_txn_add(f->x, FP_TABLE_ROUTE, &r->k, sizeof(r->k),
						    del ? NULL : &r->v, del ? 0 : sizeof(r->v)),
					 0);
			r->live = !del;
		}
		if (commit(f) != 0)
			fail_msg("seed %u round %u: %s", seed, round, f->err);
		route_check(f, m, n, &rs, seed, round);
		with_fib += (uint32_t)(route_has_fib(f->t, 1) || route_has_fib(f->t, 2));
	}
	{
		uint32_t cnt = 0, live = 0;

		for (i = 0; i < n; i++)
			live += (uint32_t)m[i].live;
		assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_ROUTE, count_entry, &cnt), 0);
		assert_int_equal(cnt, live);
		assert_int_equal(f->t->count[FP_TABLE_ROUTE], live);
	}
	free(picked);
	return with_fib;
}

/* Routes share the address sets' prefix machinery: longest prefix first
 * per vrf, against a linear model over random sets, replaces and deletes
 * (IPv4 and IPv6, an IPv6 default route never taken by IPv4).
 */
static void
test_ftable_route_lpm_vs_model(void **state)
{
	struct route_ref m[ROUTE_REF_N];

	/* Too few routes for an rte_fib: the length probes. */
	assert_int_equal(route_vs_model(*state, m, ROUTE_REF_N, 4, 60, 6), 0);
}

/* Vrfs with many IPv4 routes get an rte_fib (dataplane/ftable.h): the
 * same model, with hundreds of routes set, replaced and deleted in large
 * commits (the fib made, its routes added and deleted, /25../32 in tbl8
 * groups, default routes beside it), then every route of both vrfs
 * deleted (the fibs taken away) and set again (made again).
 */
static void
test_ftable_route_rte_fib_vs_model(void **state)
{
	struct fixture *f = *state;
	const uint32_t n = 1000;
	struct route_ref *m = calloc(n, sizeof(*m));
	uint32_t i, with_fib, seed = SEED, rs = seed ^ 0x5a5a5a5a;

	assert_non_null(m);
	fp_ftables_free(f->t);
	f->t = tables_create(1200);
	assert_non_null(f->t);
	with_fib = route_vs_model(f, m, n, 16, 40, 300);
	assert_true(with_fib >= 30);
	/* Everything away: no fib left, no route found. */
	for (i = 0; i < n; i++) {
		if (!m[i].live)
			continue;
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_ROUTE, &m[i].k, sizeof(m[i].k), NULL, 0),
				 0);
		m[i].live = 0;
	}
	assert_int_equal(commit(f), 0);
	assert_false(route_has_fib(f->t, 1) || route_has_fib(f->t, 2));
	assert_int_equal(f->t->n_fib, 0);
	route_check(f, m, n, &rs, seed, 1000);
	/* And back in one commit: made again. */
	for (i = 0; i < n; i++) {
		m[i].live = 1;
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_ROUTE, &m[i].k, sizeof(m[i].k), &m[i].v,
					    sizeof(m[i].v)),
				 0);
	}
	assert_int_equal(commit(f), 0);
	assert_true(route_has_fib(f->t, 1) && route_has_fib(f->t, 2));
	for (i = 0; i < 5; i++)
		route_check(f, m, n, &rs, seed, 1001 + i);
	free(m);
}

/* The nat table: exact keys, a value per direction (fp-dpdk translates
 * floating IPs: the view's nat is 1); an IPv6 pair is refused.
 */
static void
test_ftable_nat(void **state)
{
	struct fixture *f = *state;
	struct fp_nat_key sk = { .scope = 7, .dir = FP_NAT_SNAT },
			  dk = { .scope = 500, .dir = FP_NAT_DNAT };
	struct fp_nat_val sv = { .scope = 500, .mac = { 2, 0, 0, 0, 0, 0x55 } },
			  dv = { .scope = 7 };
	const struct fp_nat_val *got;
	uint32_t n = 0;

	fp_addr_ip_set_v4(&sk.ip, 0x0a000005);
	fp_addr_ip_set_v4(&sv.ip, 0xcb007105);
	dk.ip = sv.ip;
	dv.ip = sk.ip;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NAT, &sk, sizeof(sk), &sv, sizeof(sv)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NAT, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(commit(f), 0);
	got = fp_ftables_nat(f->t, 7, FP_NAT_SNAT, &sk.ip);
	assert_non_null(got);
	assert_memory_equal(got, &sv, sizeof(sv));
	got = fp_ftables_nat(f->t, 500, FP_NAT_DNAT, &dk.ip);
	assert_non_null(got);
	assert_memory_equal(got, &dv, sizeof(dv));
	assert_null(fp_ftables_nat(f->t, 7, FP_NAT_DNAT, &sk.ip));
	assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_NAT, count_entry, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NAT, &sk, sizeof(sk), NULL, 0), 0);
	assert_int_equal(commit(f), 0);
	assert_null(fp_ftables_nat(f->t, 7, FP_NAT_SNAT, &sk.ip));
	assert_int_equal(f->t->count[FP_TABLE_NAT], 1);
	/* A dnat whose vrf is 0 is refused by the validator. */
	dv.scope = 0;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NAT, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_string_equal(f->err, "change 0: nat dnat 500: vrf 0 or mac not zero");
	assert_true(fp_addr_ip_parse("2001:db8::5", &sk.ip) > 0);
	assert_true(fp_addr_ip_parse("2001:db8::6", &sv.ip) > 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_NAT, &sk, sizeof(sk), &sv, sizeof(sv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_string_equal(f->err, "change 0: nat snat 7: IPv6: floating IPs are IPv4 "
				    "(Neutron's), IPv6 is not translated");
}

/* The slow path's tables: refused by name until a slow path serves them,
 * then stored, looked up, replaced, walked, counted, limited and deleted.
 */
static void
test_ftable_slowpath(void **state)
{
	struct fixture *f = *state;
	struct fp_dhcp_key dk = { .port_id = 1 };
	struct fp_ra_key ak = { .vni = 100 };
	struct fp_dhcp6_key sk = { .port_id = 0 };
	struct fp_dhcp_val dv;
	struct fp_ra_val av;
	struct fp_dhcp6_val sv;
	uint32_t i, n = 0;

	fp_good_dhcp(&dv);
	fp_good_ra(&av);
	fp_good_dhcp6(&sv);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_string_equal(f->err, "change 0: dhcp port 1: this engine does not serve the dhcp "
				    "table (doc/routing.md \"The slow path\")");
	assert_null(fp_ftables_dhcp(f->t, 1));

	fp_ftables_slowpath_serve(f->t);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &ak, sizeof(ak), &av, sizeof(av)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP6, &sk, sizeof(sk), &sv, sizeof(sv)), 0);
	assert_int_equal(commit(f), 0);
	assert_memory_equal(fp_ftables_dhcp(f->t, 1), &dv, sizeof(dv));
	assert_memory_equal(fp_ftables_ra(f->t, 100), &av, sizeof(av));
	assert_memory_equal(fp_ftables_dhcp6(f->t, 0), &sv, sizeof(sv));
	assert_null(fp_ftables_dhcp(f->t, 0));
	assert_null(fp_ftables_ra(f->t, 101));
	assert_null(fp_ftables_dhcp6(f->t, 1));
	assert_int_equal(f->t->count[FP_TABLE_DHCP], 1);
	assert_int_equal(f->t->count[FP_TABLE_RA], 1);
	assert_int_equal(f->t->count[FP_TABLE_DHCP6], 1);
	assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_RA, count_entry, &n), 0);
	assert_int_equal(n, 1);

	/* Replaced whole; a bad value refused with its entry named. */
	dv.lease = 3600;
	fp_txn_reset(f->x);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_dhcp(f->t, 1)->lease, 3600);
	assert_int_equal(f->t->count[FP_TABLE_DHCP], 1);
	dv.plen = 33;
	fp_txn_reset(f->x);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_string_equal(f->err, "change 0: dhcp port 1: plen 33 out of range 1..32");
	assert_int_equal(fp_ftables_dhcp(f->t, 1)->plen, 24);

	/* The ra table holds 16. */
	fp_txn_reset(f->x);
	for (i = 0; i < 16; i++) {
		ak.vni = 200 + i;
		assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &ak, sizeof(ak), &av, sizeof(av)),
				 0);
	}
	assert_int_equal(commit(f), -ENOSPC);
	assert_string_equal(f->err, "ra table full: 1 entries, limit 16");

	/* Deletes. */
	ak.vni = 100;
	fp_txn_reset(f->x);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP, &dk, sizeof(dk), NULL, 0), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_RA, &ak, sizeof(ak), NULL, 0), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_DHCP6, &sk, sizeof(sk), NULL, 0), 0);
	assert_int_equal(commit(f), 0);
	assert_null(fp_ftables_dhcp(f->t, 1));
	assert_null(fp_ftables_ra(f->t, 100));
	assert_null(fp_ftables_dhcp6(f->t, 0));
	assert_int_equal(f->t->count[FP_TABLE_DHCP] + f->t->count[FP_TABLE_RA] +
				 f->t->count[FP_TABLE_DHCP6],
			 0);
}

/* The segment table: (physical port, vlan) -> a provider network, found
 * by fp_ftables_segment(); the provider network's flood entry and phys
 * destinations are stored (never in the served-VNI bitmap: a provider
 * network is never decapsulated); deleted, gone.
 */
static void
test_ftable_segment(void **state)
{
	struct fixture *f = *state;
	const uint32_t net = FP_NET_PROVIDER | 9;
	struct fp_segment_key sk = { .port_id = 3, .vlan = 100 }, fk0 = { .port_id = 3 };
	struct fp_segment_val sv = { .vni = net }, fv0 = { .vni = FP_NET_PROVIDER | 10 };
	struct fp_flood_key lk = { .vni = net };
	struct fp_flood_val lv = { .n_members = 1 };
	struct fp_fdb_key dk = { .vni = net, .mac = { 2, 0, 0, 0, 9, 9 } };
	struct fp_fdb_val dv = { .type = FP_DEST_PHYS, .id = 3, .flags = 100 };
	const uint8_t phys_mac[6] = { 2, 0, 0, 0, 3, 3 };
	uint32_t n = 0, w;
	void *data;

	assert_int_equal(fp_ftables_port_config(f->t, 3, FP_PORT_ROLE_PHYSICAL, 1500, phys_mac), 0);
	lv.members[0] = (struct fp_flood_member){ .type = FP_DEST_PHYS, .id = 3, .vlan = 100 };
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FLOOD, &lk, sizeof(lk), &lv, sizeof(lv)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FDB, &dk, sizeof(dk), &dv, sizeof(dv)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_SEGMENT, &sk, sizeof(sk), &sv, sizeof(sv)), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_SEGMENT, &fk0, sizeof(fk0), &fv0, sizeof(fv0)),
			 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_segment(f->t, 3, 100), net);
	assert_int_equal(fp_ftables_segment(f->t, 3, 0), FP_NET_PROVIDER | 10);
	assert_int_equal(fp_ftables_segment(f->t, 3, 101), 0);
	assert_int_equal(fp_ftables_segment(f->t, 2, 100), 0);
	assert_int_equal(f->t->count[FP_TABLE_SEGMENT], 2);
	assert_int_equal(fp_ftables_walk(f->t, FP_TABLE_SEGMENT, count_entry, &n), 0);
	assert_int_equal(n, 2);
	assert_non_null(fp_ftables_flood(f->t, net));
	assert_int_equal(fp_ftables_vni_served(f->t, net), 0);
	for (w = 0; w < FP_VNI_WORDS; w++)
		assert_int_equal(f->t->vni_served[w], 0);
	assert_true(rte_hash_lookup_data(f->t->fdb, &dk, &data) >= 0);
	assert_int_equal(fp_ftables_fdb_decode(data).type, FP_DEST_PHYS);
	assert_int_equal(fp_ftables_fdb_decode(data).flags, 100);
	/* A segment on a port that is not physical is refused. */
	fp_txn_reset(f->x);
	sk.port_id = 2;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_SEGMENT, &sk, sizeof(sk), &sv, sizeof(sv)), 0);
	assert_int_equal(commit(f), -EINVAL);
	assert_string_equal(f->err, "change 0: segment port 2 vlan 100: not a physical port");
	/* Deleted: gone, and the flood entry's delete leaves the bitmap alone. */
	fp_txn_reset(f->x);
	sk.port_id = 3;
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_SEGMENT, &sk, sizeof(sk), NULL, 0), 0);
	assert_int_equal(fp_txn_add(f->x, FP_TABLE_FLOOD, &lk, sizeof(lk), NULL, 0), 0);
	assert_int_equal(commit(f), 0);
	assert_int_equal(fp_ftables_segment(f->t, 3, 100), 0);
	assert_int_equal(f->t->count[FP_TABLE_SEGMENT], 1);
	assert_null(fp_ftables_flood(f->t, net));
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m",	     "512",	"--no-shconf", "--no-pci",
			"-l",	 "0",	      "--log-level", "*:error", prefix,	       NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ftable_shapes_refused_at_stage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ftable_slowpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_commit_and_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_vni_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_values_validated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_delete_missing_and_staged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ftable_full_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_fdb_vs_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_vtep_src_vs_model, setup, teardown),
		cmocka_unit_test(test_ftable_rcu_reader_race),
		cmocka_unit_test_setup_teardown(test_ftable_ruleset_addrset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_route_lpm_vs_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ftable_route_rte_fib_vs_model, setup,
						teardown),
	};
	int rc;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fp_ftable_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("ftable", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
