/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for control/sync.c and control/backend_dpdk.c.
 *
 * Against the real thing: fp-dpdk's tables (dataplane/ftable.c) behind its
 * control socket server (dataplane/ctl_server.c), in-process, with EAL
 * started without hugepages.  Each test gets fresh tables (ports 0..7 vm,
 * port 8 underlay, local VTEP 172.16.0.1), a server on its own socket
 * polled by a thread, and a backend handle; the test body, in the main
 * thread, is fp-control.  The RCU variable has no reader, so commits
 * never wait.
 *
 * Against a fake backend that records its calls: the exact order of sets
 * and deletes and where the transactions begin and end.
 */
#include <errno.h>
#include <pthread.h>
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
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

#include "backend.h"
#include "ctl_client.h"
#include "ctl_server.h"
#include "entries.h"
#include "ftable.h"
#include "../lib/eal_world.h"
#include "names.h"
#include "sync.h"

#define TEST_TIMEOUT_MS 10000 /* a raw client call that takes longer fails */
#define TEST_LIMIT_VTEP 16    /* table sizes of the fixture */
#define TEST_LIMIT_FDB 4096
#define TEST_LIMIT_FLOOD 16
#define TEST_LIMIT_NEIGH 64
#define TEST_N_VM_PORTS 8  /* ports 0..7 are vm ports */
#define TEST_UNDERLAY 8	   /* port 8 is the underlay */
#define TEST_N_VM 6	   /* VMs of a layout */
#define TEST_N_RM 240	   /* remote MACs of a layout */
#define TEST_N_RM_NEIGH 40 /* remote MACs that also get a neigh entry */
#define TEST_N_VTEP 8	   /* vtep ids a layout may use */
#define TEST_LOG_SIZE 8192 /* fake backend's call log */

/* Per-test state. */
struct fixture {
	struct fp_ftables *t;		/* the dataplane's tables */
	struct fp_ctl_server *s;	/* its control socket; NULL once gone */
	pthread_t thr;			/* polls the server */
	int running;			/* thr runs */
	int stop;			/* tells thr to return */
	void *h;			/* the backend handle */
	struct fp_entry_set *installed; /* what fp-control thinks is there */
	struct fp_entry_set *desired;	/* what should be there */
	struct fp_entry_set *other;	/* another desired set */
	char path[108];			/* socket path */
};

static struct fp_eal_world w;

/* The dataplane */

/* The I/O layer's part of STATS: the configured ports. */
static int
port_stats(void *arg, struct fp_ctl_worker_stats *ws, uint32_t max_w, uint32_t *n_w,
	   struct fp_ctl_port_stats *ps, uint32_t max_p, uint32_t *n_p)
{
	const struct fp_ftables *t = arg;
	uint32_t id, n = 0;

	(void)ws;
	(void)max_w;
	*n_w = 0;
	for (id = 0; id < FP_PORT_MAX && n < max_p; id++) {
		struct fp_ctl_port_stats *p = &ps[n];

		if (t->port_role[id] == FP_PORT_ROLE_NONE)
			continue;
		p->port_id = id;
		p->role = t->port_role[id];
		p->mtu = t->port_mtu[id];
		memcpy(p->mac, t->port_mac[id], sizeof(p->mac));
		snprintf(p->name, sizeof(p->name), "%s%u",
			 p->role == FP_PORT_ROLE_VM ? "vm" : "uplink", id);
		n++;
	}
	*n_p = n;
	return 0;
}

static void *
server_main(void *arg)
{
	struct fixture *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
		fp_ctl_server_poll(f->s, 5);
	return NULL;
}

static void
server_stop(struct fixture *f)
{
	if (!f->running)
		return;
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->thr, NULL);
	f->running = 0;
}

static int
setup(void **state)
{
	const uint32_t limit[FP_TABLE_MAX] = {
		[FP_TABLE_PORT] = FP_PORT_MAX,
		[FP_TABLE_VTEP] = TEST_LIMIT_VTEP,
		[FP_TABLE_FDB] = TEST_LIMIT_FDB,
		[FP_TABLE_FLOOD] = TEST_LIMIT_FLOOD,
		[FP_TABLE_NEIGH] = TEST_LIMIT_NEIGH,
		[FP_TABLE_RULESET] = 16,
		[FP_TABLE_ADDRSET] = 16,
		[FP_TABLE_ROUTE] = 16,
		[FP_TABLE_NAT] = 16,
		[FP_TABLE_DHCP] = 16,
		[FP_TABLE_RA] = 16,
		[FP_TABLE_DHCP6] = 16,
		[FP_TABLE_SEGMENT] = 16,
	};
	const uint8_t ul_mac[6] = { 0x02, 0, 0, 0, 1, 1 };
	struct fp_ctl_server_ops ops = { .stats = port_stats };
	struct fp_ip local = fp_eal_world_ip4(172, 16, 0, 1);
	struct fixture *f;
	char name[32];
	uint32_t id;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	w.n_fixtures++;
	snprintf(name, sizeof(name), "sync%u", w.n_fixtures);
	f->t = fp_ftables_create(name, limit, SOCKET_ID_ANY, w.rcu);
	if (f->t == NULL)
		goto err_free;
	for (id = 0; id < TEST_N_VM_PORTS; id++) {
		const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + id) };

		if (fp_ftables_port_config(f->t, id, FP_PORT_ROLE_VM, 1500, mac) != 0)
			goto err_tables;
	}
	if (fp_ftables_port_config(f->t, TEST_UNDERLAY, FP_PORT_ROLE_UNDERLAY, 1600, ul_mac) != 0 ||
	    fp_ftables_local_vtep_add(f->t, &local) != 0)
		goto err_tables;
	snprintf(f->path, sizeof(f->path), "%s/run%u/fp.sock", w.dir, w.n_fixtures);
	ops.arg = f->t;
	f->s = fp_ctl_server_create(f->path, f->t, "hv-test", TEST_N_VM_PORTS + 1, 0, &ops);
	if (f->s == NULL)
		goto err_tables;
	if (pthread_create(&f->thr, NULL, server_main, f) != 0)
		goto err_server;
	f->running = 1;
	if (fp_backend_dpdk.open(f->path, &f->h) != 0)
		goto err_thread;
	f->installed = fp_entry_set_create();
	f->desired = fp_entry_set_create();
	f->other = fp_entry_set_create();
	if (f->installed == NULL || f->desired == NULL || f->other == NULL)
		goto err_sets;
	*state = f;
	return 0;

err_sets:
	fp_entry_set_free(f->installed);
	fp_entry_set_free(f->desired);
	fp_entry_set_free(f->other);
	fp_backend_dpdk.close(f->h);
err_thread:
	server_stop(f);
err_server:
	fp_ctl_server_free(f->s);
err_tables:
	fp_ftables_free(f->t);
err_free:
	free(f);
	return -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_backend_dpdk.close(f->h);
	server_stop(f);
	fp_ctl_server_free(f->s);
	fp_ftables_free(f->t);
	fp_entry_set_free(f->installed);
	fp_entry_set_free(f->desired);
	fp_entry_set_free(f->other);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return fp_eal_world_start(&w, "test_sync");
}

static int
group_teardown(void **state)
{
	(void)state;
	fp_eal_world_stop(&w, "test_sync");
	return 0;
}

/* Layouts: what one host's tables hold, in a few numbers */

struct layout {
	int vm_port[TEST_N_VM];	      /* port id of VM i; -1: not here */
	uint32_t vm_vni[TEST_N_VM];   /* its network */
	int rm_vtep[TEST_N_RM];	      /* vtep of remote MAC j; -1: none */
	uint32_t rm_vni[TEST_N_RM];   /* its network */
	int vtep_on[TEST_N_VTEP];     /* the vtep is installed */
	uint8_t vtep_nh[TEST_N_VTEP]; /* last byte of its next-hop MAC */
	uint32_t n_extra_neigh;	      /* more neigh entries (over a limit) */
	int bad_fdb_vtep;	      /* > 0: one fdb entry points at this vtep */
};

static void
add(struct fp_entry_set *s, uint16_t table, const void *key, const void *val)
{
	assert_int_equal(fp_entry_set_add(s, table, key, val), 0);
}

static void
vm_mac(int i, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x02, 0, 0, 0xaa, 0, (uint8_t)i };

	memcpy(mac, m, 6);
}

static void
rm_mac(int j, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x02, 0, 0, 0xbb, (uint8_t)(j >> 8), (uint8_t)j };

	memcpy(mac, m, 6);
}

static void
add_neigh(struct fp_entry_set *s, uint32_t vni, struct fp_ip ip, const uint8_t mac[6])
{
	struct fp_neigh_key k = { .vrf = vni, .ip = ip };
	struct fp_neigh_val v = { .vni = vni };

	memcpy(v.mac, mac, 6);
	add(s, FP_TABLE_NEIGH, &k, &v);
}

static void
add_fdb(struct fp_entry_set *s, uint32_t vni, const uint8_t mac[6], uint16_t type, uint32_t id)
{
	struct fp_fdb_key k = { .vni = vni };
	struct fp_fdb_val v = { .type = type, .id = id };

	memcpy(k.mac, mac, 6);
	add(s, FP_TABLE_FDB, &k, &v);
}

/* The entries of a layout, valid for the fixture's dataplane. */
static void
build(const struct layout *l, struct fp_entry_set *s)
{
	static const uint32_t vnis[] = { 100, 200 };
	uint8_t mac[6];
	uint32_t x;
	int i, j, v;

	fp_entry_set_clear(s);
	for (i = 0; i < TEST_N_VM; i++) {
		struct fp_port_key k = { .port_id = (uint32_t)l->vm_port[i] };
		struct fp_port_val pv = {
			.role = FP_PORT_ROLE_VM,
			.flags = FP_PORT_F_ANTISPOOF,
			.mtu = 1450,
			.vni = l->vm_vni[i],
			.vrf = l->vm_vni[i],
			.n_addrs = 1,
		};

		if (l->vm_port[i] < 0)
			continue;
		vm_mac(i, pv.mac);
		pv.addrs[0].ip = fp_eal_world_ip4(10, (uint8_t)l->vm_vni[i], 0, (uint8_t)(i + 1));
		pv.addrs[0].plen = 128;
		add(s, FP_TABLE_PORT, &k, &pv);
		add_fdb(s, l->vm_vni[i], pv.mac, FP_DEST_PORT, k.port_id);
		add_neigh(s, l->vm_vni[i], pv.addrs[0].ip, pv.mac);
	}
	for (v = 0; v < TEST_N_VTEP; v++) {
		struct fp_vtep_key k = { .vtep_id = (uint32_t)v };
		struct fp_vtep_val vv = { .encap = FP_ENCAP_VXLAN, .underlay_port = TEST_UNDERLAY };
		const uint8_t nh[6] = { 0x02, 0, 0, 0, 2, l->vtep_nh[v] };

		if (!l->vtep_on[v])
			continue;
		vv.remote = fp_eal_world_ip4(172, 16, 1, (uint8_t)(v + 1));
		vv.local = fp_eal_world_ip4(172, 16, 0, 1);
		memcpy(vv.nh_mac, nh, 6);
		add(s, FP_TABLE_VTEP, &k, &vv);
	}
	for (j = 0; j < TEST_N_RM; j++) {
		if (l->rm_vtep[j] < 0)
			continue;
		rm_mac(j, mac);
		add_fdb(s, l->rm_vni[j], mac, FP_DEST_VTEP, (uint32_t)l->rm_vtep[j]);
		if (j < TEST_N_RM_NEIGH)
			add_neigh(s, l->rm_vni[j],
				  fp_eal_world_ip4(10, (uint8_t)l->rm_vni[j], 1, (uint8_t)(j + 1)),
				  mac);
	}
	/* Flood: the network's local ports, then the vteps its remote MACs
	 * sit behind.
	 */
	for (x = 0; x < 2; x++) {
		struct fp_flood_key k = { .vni = vnis[x] };
		struct fp_flood_val fv = { 0 };
		int p;

		for (p = 0; p < TEST_N_VM_PORTS; p++) {
			for (i = 0; i < TEST_N_VM; i++) {
				if (l->vm_port[i] == p && l->vm_vni[i] == vnis[x]) {
					fv.members[fv.n_members].type = FP_DEST_PORT;
					fv.members[fv.n_members++].id = (uint32_t)p;
				}
			}
		}
		for (v = 0; v < TEST_N_VTEP; v++) {
			for (j = 0; j < TEST_N_RM; j++) {
				if (l->rm_vtep[j] == v && l->rm_vni[j] == vnis[x])
					break;
			}
			if (j == TEST_N_RM)
				continue;
			fv.members[fv.n_members].type = FP_DEST_VTEP;
			fv.members[fv.n_members++].id = (uint32_t)v;
		}
		if (fv.n_members > 0)
			add(s, FP_TABLE_FLOOD, &k, &fv);
	}
	for (x = 0; x < l->n_extra_neigh; x++) {
		vm_mac(100, mac);
		add_neigh(s, 300, fp_eal_world_ip4(10, 30, (uint8_t)(x >> 8), (uint8_t)(x + 1)),
			  mac);
	}
	if (l->bad_fdb_vtep > 0) {
		rm_mac(999, mac);
		add_fdb(s, 100, mac, FP_DEST_VTEP, (uint32_t)l->bad_fdb_vtep);
	}
	assert_int_equal(fp_entry_set_seal(s, NULL), 0);
}

/* A: VMs 0..5 on ports 0..5 (vni 100, 200), vteps 0..2, remote MACs
 * spread over the vteps and both networks.
 */
static void
layout_a(struct layout *l)
{
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < TEST_N_VM; i++) {
		l->vm_port[i] = i;
		l->vm_vni[i] = i < 3 ? 100 : 200;
	}
	for (i = 0; i < TEST_N_VTEP; i++) {
		l->vtep_on[i] = i < 3;
		l->vtep_nh[i] = 1;
	}
	for (i = 0; i < TEST_N_RM; i++) {
		l->rm_vtep[i] = i % 3;
		l->rm_vni[i] = i % 2 ? 200 : 100;
	}
}

/* B, from A: VM 1 moved from port 1 to port 6; the MACs behind vtep 2
 * now sit behind vtep 1 and vtep 2 is gone; remote MACs 200.. left.
 */
static void
layout_b(struct layout *l)
{
	int j;

	layout_a(l);
	l->vm_port[1] = 6;
	l->vtep_on[2] = 0;
	for (j = 0; j < TEST_N_RM; j++) {
		if (l->rm_vtep[j] == 2)
			l->rm_vtep[j] = 1;
		if (j >= 200)
			l->rm_vtep[j] = -1;
	}
}

/* C, from A: a bigger change.  Vteps 3..5 replace vtep 0 and 2 (vtep 1
 * gets a new next hop), VM 0 leaves, VM 5 moves to port 7, VM 2 changes
 * network, a fifth of the remote MACs go.
 */
static void
layout_c(struct layout *l)
{
	int j;

	layout_a(l);
	l->vtep_on[0] = l->vtep_on[2] = 0;
	l->vtep_on[3] = l->vtep_on[4] = l->vtep_on[5] = 1;
	l->vtep_nh[1] = 7;
	l->vm_port[0] = -1;
	l->vm_port[5] = 7;
	l->vm_vni[2] = 200;
	for (j = 0; j < TEST_N_RM; j++) {
		l->rm_vtep[j] = j % 5 == 0 ? -1 : j % 4 == 0 ? 1 : 3 + j % 3;
		l->rm_vni[j] = j % 3 ? 200 : 100;
	}
}

/* Checks */

/* Two sealed sets hold the same entries. */
static void
assert_same(const struct fp_entry_set *a, const struct fp_entry_set *b)
{
	int t;

	assert_int_equal(fp_entry_set_count(a), fp_entry_set_count(b));
	for (t = 0; t < FP_TABLE_MAX; t++)
		assert_int_equal(fp_entry_set_count_table(a, t), fp_entry_set_count_table(b, t));
	assert_int_equal(fp_entry_set_diff_count(a, b), 0);
}

/* What the dataplane holds now equals want. */
static void
assert_dataplane(struct fixture *f, const struct fp_entry_set *want)
{
	struct fp_entry_set *fresh = fp_entry_set_create();

	assert_non_null(fresh);
	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, fresh), 0);
	assert_same(fresh, want);
	fp_entry_set_free(fresh);
}

static uint64_t
generation(struct fixture *f)
{
	struct fp_backend_info *info = malloc(sizeof(*info));
	uint64_t gen;

	assert_non_null(info);
	assert_int_equal(fp_backend_dpdk.info(f->h, info), 0);
	gen = info->generation;
	free(info);
	return gen;
}

static int
is_gone(int rc)
{
	return rc == -ENOTCONN || rc == -EPIPE || rc == -ECONNRESET;
}

/* Apply a layout from the fixture's installed state; expect success. */
static void
apply_layout(struct fixture *f, void (*layout)(struct layout *), uint32_t batch,
	     struct fp_sync_result *res)
{
	struct layout l;
	char err[128];

	layout(&l);
	build(&l, f->desired);
	assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, batch, res,
				       err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
	assert_same(f->installed, f->desired);
	assert_dataplane(f, f->desired);
}

/* Tests: the DPDK backend */

static void
test_sync_info(void **state)
{
	struct fixture *f = *state;
	struct fp_backend_info *info = malloc(sizeof(*info));
	struct fp_sync_result res;
	uint32_t i;

	assert_non_null(info);
	assert_string_equal(fp_backend_dpdk.name, "dpdk");
	assert_int_equal(fp_backend_dpdk.ping(f->h, NULL), 0);
	assert_int_equal(fp_backend_dpdk.info(f->h, info), 0);
	assert_string_equal(info->host, "hv-test");
	assert_int_equal(info->abi_version, FP_ABI_VERSION);
	assert_int_equal(info->table_limit[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(info->table_limit[FP_TABLE_VTEP], TEST_LIMIT_VTEP);
	assert_int_equal(info->table_limit[FP_TABLE_FDB], TEST_LIMIT_FDB);
	assert_int_equal(info->table_limit[FP_TABLE_FLOOD], TEST_LIMIT_FLOOD);
	assert_int_equal(info->table_limit[FP_TABLE_NEIGH], TEST_LIMIT_NEIGH);
	/* The underlay port's entry is the config's. */
	assert_int_equal(info->table_count[FP_TABLE_PORT], 1);
	assert_int_equal(info->table_count[FP_TABLE_FDB], 0);
	assert_int_equal(info->generation, 0);
	assert_int_equal(info->n_ports, TEST_N_VM_PORTS + 1);
	for (i = 0; i < info->n_ports; i++) {
		const struct fp_engine_port *p = &info->ports[i];
		char name[FP_NAME_SIZE];

		assert_int_equal(p->id, i);
		snprintf(name, sizeof(name), "%s%u", i == TEST_UNDERLAY ? "uplink" : "vm", i);
		assert_string_equal(p->name, name);
		if (i == TEST_UNDERLAY) {
			assert_int_equal(p->role, FP_PORT_ROLE_UNDERLAY);
			assert_int_equal(p->mtu, 1600);
			assert_int_equal(p->mac[4], 1);
			assert_int_equal(p->mac[5], 1);
		} else {
			assert_int_equal(p->role, FP_PORT_ROLE_VM);
			assert_int_equal(p->mtu, 1500);
			assert_int_equal(p->mac[5], 0x10 + i);
		}
	}

	/* Counts and generation follow commits. */
	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);
	assert_int_equal(fp_backend_dpdk.info(f->h, info), 0);
	assert_int_equal(info->generation, 1);
	assert_int_equal(info->table_count[FP_TABLE_FDB],
			 fp_entry_set_count_table(f->desired, FP_TABLE_FDB));
	assert_int_equal(info->table_count[FP_TABLE_PORT], TEST_N_VM + 1);
	free(info);
}

static void
test_sync_open_refused(void **state)
{
	struct fixture *f = *state;
	char path[sizeof(f->path) + 16];
	void *h = NULL;

	snprintf(path, sizeof(path), "%s/none.sock", w.dir);
	assert_int_equal(fp_backend_dpdk.open(path, &h), -ENOENT);
	assert_null(h);
	fp_backend_dpdk.close(NULL);
}

static void
test_sync_dump_empty(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key k = { .port_id = TEST_UNDERLAY };

	/* Stale content is replaced. */
	add_neigh(f->installed, 1, fp_eal_world_ip4(10, 0, 0, 1),
		  (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 });
	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	/* The underlay port is the dataplane config's, not ours. */
	assert_int_equal(fp_entry_set_count(f->installed), 0);
	assert_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &k));
	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	assert_int_equal(fp_entry_set_count(f->installed), 0);
}

static void
test_sync_dump_filled(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client *c = fp_ctl_client_open(f->path);
	struct fp_ctl_reply r;
	struct layout l;
	struct fp_entry e;
	size_t i;

	/* Filled by someone else (fpctl, a previous fp-control). */
	assert_non_null(c);
	assert_int_equal(fp_ctl_client_timeout_set(c, TEST_TIMEOUT_MS), 0);
	layout_a(&l);
	build(&l, f->desired);
	assert_int_equal(fp_ctl_client_begin(c), 0);
	for (i = fp_entry_set_count(f->desired); i-- > 0;) {
		assert_int_equal(fp_entry_set_at(f->desired, i, &e), 0);
		assert_int_equal(fp_ctl_client_set(c, e.table, e.key, e.val), 0);
	}
	assert_int_equal(fp_ctl_client_commit(c, &r), 0);
	assert_int_equal(r.n, fp_entry_set_count(f->desired));
	fp_ctl_client_close(c);

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	assert_same(f->installed, f->desired);
	/* Nothing to do then. */
	{
		struct fp_sync_result res;
		uint64_t gen = generation(f);

		assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 0,
					       &res, NULL, 0),
				 0);
		assert_int_equal(res.n_txn, 0);
		assert_int_equal(res.n_set + res.n_del, 0);
		assert_int_equal(generation(f), gen);
	}
}

static void
test_sync_apply_from_empty(void **state)
{
	struct fixture *f = *state;
	struct fp_sync_result res;

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);
	assert_int_equal(res.n_set, fp_entry_set_count(f->desired));
	assert_int_equal(res.n_del, 0);
	assert_int_equal(res.n_txn, 1);
	assert_int_equal(res.failed_table, FP_TABLE_MAX);
	assert_true(res.ns > 0);
	assert_int_equal(generation(f), 1);
}

static void
test_sync_apply_changes(void **state)
{
	struct fixture *f = *state;
	struct fp_sync_result res;
	struct fp_port_key p1 = { .port_id = 1 }, p6 = { .port_id = 6 };
	struct fp_vtep_key v2 = { .vtep_id = 2 };
	struct fp_fdb_key fk = { .vni = 100 };
	const struct fp_fdb_val *fv;
	size_t n_diff;

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);

	/* A port moved, fdb entries repointed to another vtep, a vtep
	 * deleted, fdb entries deleted: one transaction.
	 */
	{
		struct layout l;

		layout_b(&l);
		build(&l, f->other);
		n_diff = fp_entry_set_diff_count(f->installed, f->other);
	}
	apply_layout(f, layout_b, 0, &res);
	assert_int_equal(res.n_txn, 1);
	assert_int_equal(res.n_set + res.n_del, n_diff);
	assert_true(res.n_del >= 2 + 40); /* port 1, vtep 2, remote MACs 200.. */
	assert_int_equal(generation(f), 2);
	assert_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &p1));
	assert_non_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &p6));
	assert_null(fp_entry_set_find(f->installed, FP_TABLE_VTEP, &v2));
	/* Remote MAC 2 was behind vtep 2, now vtep 1. */
	rm_mac(2, fk.mac);
	fv = fp_entry_set_find(f->installed, FP_TABLE_FDB, &fk);
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_VTEP);
	assert_int_equal(fv->id, 1);
	/* VM 1's MAC now leads to port 6. */
	vm_mac(1, fk.mac);
	fv = fp_entry_set_find(f->installed, FP_TABLE_FDB, &fk);
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_PORT);
	assert_int_equal(fv->id, 6);

	/* And back. */
	apply_layout(f, layout_a, 0, &res);
	assert_int_equal(res.n_set + res.n_del, n_diff);
}

static void
test_sync_batching(void **state)
{
	struct fixture *f = *state;
	struct fp_sync_result res;
	struct layout l;
	uint64_t gen;
	size_t n;

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);

	/* From empty in transactions of 3: every one must commit, so
	 * vteps and ports are there before the fdb and flood entries that
	 * name them.
	 */
	layout_a(&l);
	build(&l, f->other);
	n = fp_entry_set_count(f->other);
	apply_layout(f, layout_a, 3, &res);
	assert_int_equal(res.n_set, n);
	assert_int_equal(res.n_txn, (n + 2) / 3);
	assert_int_equal(generation(f), res.n_txn);

	/* A bigger change (vteps replaced, ports moved, MACs repointed and
	 * deleted): deletes of fdb and flood entries go out before the
	 * vteps and ports they name.
	 */
	layout_c(&l);
	build(&l, f->other);
	n = fp_entry_set_diff_count(f->installed, f->other);
	assert_true(n > 300);
	gen = generation(f);
	apply_layout(f, layout_c, 3, &res);
	assert_int_equal(res.n_set + res.n_del, n);
	assert_true(res.n_del > 0);
	assert_int_equal(res.n_txn, (n + 2) / 3);
	assert_int_equal(generation(f), gen + res.n_txn);

	/* The same end state whatever the batch size. */
	layout_a(&l);
	build(&l, f->other);
	n = fp_entry_set_diff_count(f->installed, f->other);
	apply_layout(f, layout_a, 7, &res);
	assert_int_equal(res.n_txn, (n + 6) / 7);
	apply_layout(f, layout_c, 1, &res);
	apply_layout(f, layout_b, 0, &res);
	assert_int_equal(res.n_txn, 1);
}

static void
test_sync_refused_dangling(void **state)
{
	struct fixture *f = *state;
	struct fp_sync_result res;
	struct layout l;
	char err[128];
	uint64_t gen;

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);
	gen = generation(f);

	/* An fdb entry naming a vtep that does not exist: nothing applied. */
	layout_b(&l);
	l.bad_fdb_vtep = 9;
	build(&l, f->desired);
	assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 0, &res,
				       err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(res.failed_table, FP_TABLE_FDB);
	assert_non_null(strstr(err, "vtep 9 does not exist"));
	assert_int_equal(res.n_txn, 0);
	assert_int_equal(res.n_set + res.n_del, 0);
	assert_int_equal(generation(f), gen);
	layout_a(&l);
	build(&l, f->other);
	assert_same(f->installed, f->other);
	assert_dataplane(f, f->installed);

	/* In small transactions: those before the bad one are committed
	 * and installed follows them exactly.
	 */
	layout_c(&l);
	l.bad_fdb_vtep = 9;
	build(&l, f->desired);
	assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 3, &res,
				       err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(res.failed_table, FP_TABLE_FDB);
	assert_non_null(strstr(err, "vtep 9"));
	assert_true(res.n_txn > 0);
	assert_int_equal(res.n_set, 3 * res.n_txn);
	assert_int_equal(res.n_del, 0);
	assert_int_equal(generation(f), gen + res.n_txn);
	assert_dataplane(f, f->installed);
	assert_true(fp_entry_set_diff_count(f->installed, f->other) > 0);

	/* The next apply picks up from there. */
	apply_layout(f, layout_c, 3, &res);
}

static void
test_sync_refused_full(void **state)
{
	struct fixture *f = *state;
	struct fp_sync_result res;
	struct layout l;
	char err[128];

	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);

	/* More neigh entries than the table holds. */
	layout_a(&l);
	l.n_extra_neigh = TEST_LIMIT_NEIGH;
	build(&l, f->desired);
	assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 0, &res,
				       err, sizeof(err)),
			 -ENOSPC);
	assert_int_equal(res.failed_table, FP_TABLE_NEIGH);
	assert_non_null(strstr(err, "neigh table full"));
	assert_int_equal(res.n_txn, 0);
	layout_a(&l);
	build(&l, f->other);
	assert_same(f->installed, f->other);
	assert_dataplane(f, f->installed);

	/* A vtep id past the table: the vtep entry is named. */
	{
		struct fp_vtep_key k = { .vtep_id = TEST_LIMIT_VTEP };
		struct fp_vtep_val v = { .encap = FP_ENCAP_VXLAN, .underlay_port = TEST_UNDERLAY };

		v.remote = fp_eal_world_ip4(172, 16, 1, 99);
		v.local = fp_eal_world_ip4(172, 16, 0, 1);
		v.nh_mac[0] = 0x02;
		v.nh_mac[5] = 0x01;
		build(&l, f->desired);
		add(f->desired, FP_TABLE_VTEP, &k, &v);
		assert_int_equal(fp_entry_set_seal(f->desired, NULL), 0);
	}
	assert_int_equal(fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 0, &res,
				       err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(res.failed_table, FP_TABLE_VTEP);
	assert_non_null(strstr(err, "out of range"));
	assert_dataplane(f, f->installed);
}

static void
test_sync_dataplane_gone(void **state)
{
	struct fixture *f = *state;
	struct fp_backend_info *info = malloc(sizeof(*info));
	struct fp_sync_result res;
	struct layout l;
	char err[128];
	void *h = NULL;
	int rc;

	assert_non_null(info);
	assert_int_equal(fp_sync_dump(&fp_backend_dpdk, f->h, f->installed), 0);
	apply_layout(f, layout_a, 0, &res);

	/* fp-dpdk exits. */
	server_stop(f);
	fp_ctl_server_free(f->s);
	f->s = NULL;

	rc = fp_backend_dpdk.ping(f->h, NULL);
	assert_true(is_gone(rc));
	layout_b(&l);
	build(&l, f->desired);
	rc = fp_sync_apply(&fp_backend_dpdk, f->h, f->installed, f->desired, 0, &res, err,
			   sizeof(err));
	assert_true(is_gone(rc));
	assert_int_equal(res.n_txn, 0);
	assert_int_equal(res.failed_table, FP_TABLE_MAX);
	assert_true(err[0] != '\0');
	/* installed still says what the dataplane held. */
	layout_a(&l);
	build(&l, f->other);
	assert_same(f->installed, f->other);
	assert_true(is_gone(fp_backend_dpdk.info(f->h, info)));
	rc = fp_sync_dump(&fp_backend_dpdk, f->h, f->other);
	assert_true(is_gone(rc));
	assert_int_equal(fp_entry_set_count(f->other), 0);
	assert_true(is_gone(fp_backend_dpdk.ping(f->h, NULL)));

	/* Nobody listens any more. */
	rc = fp_backend_dpdk.open(f->path, &h);
	assert_true(rc == -ENOENT || rc == -ECONNREFUSED);
	free(info);
}

static void
test_sync_ping_timeout(void **state)
{
	struct fixture *f = *state;
	int rc;

	/* fp-dpdk hangs: the socket is there, nobody answers. */
	server_stop(f);
	rc = fp_backend_dpdk.ping(f->h, NULL);
	assert_int_equal(rc, -ETIMEDOUT);
	/* The stream is out of step: every later call says so. */
	assert_int_equal(fp_backend_dpdk.ping(f->h, NULL), -ENOTCONN);
	assert_int_equal(fp_backend_dpdk.begin(f->h), -ENOTCONN);
}

/* Tests: the order of calls, with a fake backend */

/* Records calls as text; refuses what it is told to. */
struct fake {
	char log[TEST_LOG_SIZE];	    /* "begin set port 1 ... commit " */
	size_t len;			    /* bytes in log */
	int n_commit;			    /* commits seen */
	int n_change;			    /* set/del calls seen */
	int fail_commit;		    /* refuse this commit (1-based); 0: none */
	uint32_t fail_index;		    /* the index it reports */
	int fail_change;		    /* this set/del fails (1-based); 0: none */
	const struct fp_entry_set *content; /* what dump returns */
	uint16_t fail_dump;		    /* dump of this table fails (FP_TABLE_MAX: none) */
};

static void __attribute__((format(printf, 2, 3))) fake_log(struct fake *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(k->log + k->len, sizeof(k->log) - k->len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(k->log) - k->len);
	k->len += (size_t)n;
}

/* The number that names an entry of the fake tests. */
static uint32_t
entry_id(uint16_t table, const void *key)
{
	const uint8_t *k = key;
	uint32_t id;

	switch (table) {
	case FP_TABLE_FDB:
		return k[offsetof(struct fp_fdb_key, mac) + 5];
	case FP_TABLE_NEIGH:
		return k[offsetof(struct fp_neigh_key, ip) + 15];
	default:
		memcpy(&id, key, sizeof(id));
		return id;
	}
}

static int
fake_begin(void *handle)
{
	fake_log(handle, "begin ");
	return 0;
}

static int
fake_change(struct fake *k, const char *what, uint16_t table, const void *key)
{
	fake_log(k, "%s %s %u ", what, fp_names_table[table], entry_id(table, key));
	return ++k->n_change == k->fail_change ? -ENOTCONN : 0;
}

static int
fake_set(void *handle, uint16_t table, const void *key, const void *val)
{
	assert_non_null(val);
	return fake_change(handle, "set", table, key);
}

static int
fake_del(void *handle, uint16_t table, const void *key)
{
	return fake_change(handle, "del", table, key);
}

static int
fake_commit(void *handle, uint32_t *failed, char *err, size_t errsz)
{
	struct fake *k = handle;

	fake_log(k, "commit ");
	if (++k->n_commit != k->fail_commit)
		return 0;
	*failed = k->fail_index;
	snprintf(err, errsz, "refused by the fake");
	return -EINVAL;
}

static int
fake_abort(void *handle)
{
	fake_log(handle, "abort ");
	return 0;
}

static int
fake_dump(void *handle, uint16_t table, fp_backend_dump_fn *fn, void *arg)
{
	struct fake *k = handle;
	struct fp_entry e;
	size_t i;
	int rc;

	if (table == k->fail_dump)
		return -ECONNRESET;
	for (i = 0; i < fp_entry_set_count(k->content); i++) {
		assert_int_equal(fp_entry_set_at(k->content, i, &e), 0);
		if (e.table == table && (rc = fn(table, e.key, e.val, arg)) != 0)
			return rc;
	}
	return 0;
}

static const struct fp_backend_ops fake_ops = {
	.name = "fake",
	.begin = fake_begin,
	.set = fake_set,
	.del = fake_del,
	.commit = fake_commit,
	.abort = fake_abort,
	.dump = fake_dump,
};

static void
s_port(struct fp_entry_set *s, uint32_t id, uint32_t vni)
{
	struct fp_port_key k = { .port_id = id };
	struct fp_port_val v = { .role = FP_PORT_ROLE_VM, .vni = vni };

	add(s, FP_TABLE_PORT, &k, &v);
}

static void
s_vtep(struct fp_entry_set *s, uint32_t id)
{
	struct fp_vtep_key k = { .vtep_id = id };
	struct fp_vtep_val v = { .underlay_port = TEST_UNDERLAY };

	add(s, FP_TABLE_VTEP, &k, &v);
}

static void
s_fdb(struct fp_entry_set *s, uint8_t last, uint32_t vtep)
{
	struct fp_fdb_key k = { .vni = 100, .mac = { 2, 0, 0, 0, 0, last } };
	struct fp_fdb_val v = { .type = FP_DEST_VTEP, .id = vtep };

	add(s, FP_TABLE_FDB, &k, &v);
}

static void
s_flood(struct fp_entry_set *s, uint32_t vni, uint32_t n)
{
	struct fp_flood_key k = { .vni = vni };
	struct fp_flood_val v = { .n_members = n };

	add(s, FP_TABLE_FLOOD, &k, &v);
}

static void
s_neigh(struct fp_entry_set *s, uint8_t last)
{
	add_neigh(s, 7, fp_eal_world_ip4(10, 0, 0, last),
		  (const uint8_t[6]){ 2, 0, 0, 0, 0, last });
}

/* from: port 1, 2; vtep 4; fdb 1, 2, 9; flood 100, 200; neigh 1, 2.
 * to: port 2 changed, port 3 new; vtep 5; fdb 2 repointed, fdb 3 new;
 * flood 100 changed; neigh 4 new; the rest of from gone but fdb 9 and
 * neigh 2.
 */
static void
fake_sets(struct fp_entry_set *from, struct fp_entry_set *to)
{
	fp_entry_set_clear(from);
	fp_entry_set_clear(to);
	s_port(from, 1, 100);
	s_port(from, 2, 100);
	s_vtep(from, 4);
	s_fdb(from, 1, 4);
	s_fdb(from, 2, 4);
	s_fdb(from, 9, 4);
	s_flood(from, 100, 2);
	s_flood(from, 200, 1);
	s_neigh(from, 1);
	s_neigh(from, 2);
	s_port(to, 3, 100);
	s_port(to, 2, 101);
	s_vtep(to, 5);
	s_fdb(to, 3, 5);
	s_fdb(to, 2, 5);
	s_fdb(to, 9, 4);
	s_flood(to, 100, 3);
	s_neigh(to, 4);
	s_neigh(to, 2);
	assert_int_equal(fp_entry_set_seal(from, NULL), 0);
	assert_int_equal(fp_entry_set_seal(to, NULL), 0);
}

#define FAKE_TXN1 "begin set port 2 set port 3 set vtep 5 set neigh 4 commit "
#define FAKE_TXN2 "begin set flood 100 set fdb 2 set fdb 3 del fdb 1 commit "
#define FAKE_TXN3 "begin del flood 200 del neigh 1 del vtep 4 del port 1 commit "

static void
test_sync_order_batches(void **state)
{
	struct fixture *f = *state;
	struct fake *k = calloc(1, sizeof(*k));
	struct fp_sync_result res;
	char err[64];

	assert_non_null(k);
	fake_sets(f->installed, f->desired);
	assert_int_equal(
		fp_sync_apply(&fake_ops, k, f->installed, f->desired, 4, &res, err, sizeof(err)),
		0);
	assert_string_equal(k->log, FAKE_TXN1 FAKE_TXN2 FAKE_TXN3);
	assert_int_equal(res.n_txn, 3);
	assert_int_equal(res.n_set, 7);
	assert_int_equal(res.n_del, 5);
	assert_same(f->installed, f->desired);

	/* Nothing to do: no call at all. */
	memset(k, 0, sizeof(*k));
	assert_int_equal(fp_sync_apply(&fake_ops, k, f->installed, f->desired, 4, &res, NULL, 0),
			 0);
	assert_string_equal(k->log, "");
	assert_int_equal(res.n_txn, 0);

	/* batch 0: one transaction; res and err may be NULL. */
	fake_sets(f->installed, f->desired);
	memset(k, 0, sizeof(*k));
	assert_int_equal(fp_sync_apply(&fake_ops, k, f->installed, f->desired, 0, NULL, NULL, 0),
			 0);
	assert_string_equal(k->log, "begin set port 2 set port 3 set vtep 5 set neigh 4 "
				    "set flood 100 set fdb 2 set fdb 3 del fdb 1 del flood 200 "
				    "del neigh 1 del vtep 4 del port 1 commit ");
	assert_same(f->installed, f->desired);

	/* One per transaction. */
	fake_sets(f->installed, f->desired);
	memset(k, 0, sizeof(*k));
	assert_int_equal(fp_sync_apply(&fake_ops, k, f->installed, f->desired, 1, &res, NULL, 0),
			 0);
	assert_int_equal(res.n_txn, 12);
	assert_true(strncmp(k->log, "begin set port 2 commit begin set port 3 commit ", 48) == 0);
	free(k);
}

static void
test_sync_order_refused(void **state)
{
	struct fixture *f = *state;
	struct fake *k = calloc(1, sizeof(*k));
	struct fp_port_key p1 = { .port_id = 1 }, p3 = { .port_id = 3 };
	struct fp_flood_key fl = { .vni = 100 };
	const struct fp_flood_val *fv;
	struct fp_sync_result res;
	char err[64];

	assert_non_null(k);
	/* The second commit is refused at its change 1 (set fdb 2): the
	 * first stays applied, nothing more is sent.
	 */
	fake_sets(f->installed, f->desired);
	k->fail_commit = 2;
	k->fail_index = 1;
	assert_int_equal(
		fp_sync_apply(&fake_ops, k, f->installed, f->desired, 4, &res, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(k->log, FAKE_TXN1 FAKE_TXN2);
	assert_string_equal(err, "refused by the fake");
	assert_int_equal(res.failed_table, FP_TABLE_FDB);
	assert_int_equal(res.n_txn, 1);
	assert_int_equal(res.n_set, 4);
	assert_int_equal(res.n_del, 0);
	assert_non_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &p3));
	assert_non_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &p1));
	fv = fp_entry_set_find(f->installed, FP_TABLE_FLOOD, &fl);
	assert_non_null(fv);
	assert_int_equal(fv->n_members, 2);
	assert_int_equal(fp_entry_set_diff_count(f->installed, f->desired), 12 - 4);

	/* A refusal that names no change. */
	fake_sets(f->installed, f->desired);
	memset(k, 0, sizeof(*k));
	k->fail_commit = 1;
	k->fail_index = UINT32_MAX;
	assert_int_equal(
		fp_sync_apply(&fake_ops, k, f->installed, f->desired, 0, &res, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(res.failed_table, FP_TABLE_MAX);
	assert_int_equal(res.n_txn, 0);

	/* A set that fails (the dataplane went away): the transaction is
	 * aborted, the error returned, the change's table named.
	 */
	fake_sets(f->installed, f->desired);
	memset(k, 0, sizeof(*k));
	k->fail_change = 6;
	assert_int_equal(
		fp_sync_apply(&fake_ops, k, f->installed, f->desired, 4, &res, err, sizeof(err)),
		-ENOTCONN);
	assert_string_equal(k->log, FAKE_TXN1 "begin set flood 100 set fdb 2 abort ");
	assert_int_equal(res.failed_table, FP_TABLE_FDB);
	assert_int_equal(res.n_txn, 1);
	assert_non_null(strstr(err, "set"));
	assert_int_equal(fp_entry_set_diff_count(f->installed, f->desired), 12 - 4);

	/* Unsealed sets are refused before any call. */
	memset(k, 0, sizeof(*k));
	s_port(f->desired, 7, 1);
	assert_int_equal(
		fp_sync_apply(&fake_ops, k, f->installed, f->desired, 4, &res, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(k->log, "");
	free(k);
}

static void
test_sync_dump_fake(void **state)
{
	struct fixture *f = *state;
	struct fake *k = calloc(1, sizeof(*k));
	struct fp_port_key ul = { .port_id = TEST_UNDERLAY };
	struct fp_port_val uv = { .role = FP_PORT_ROLE_UNDERLAY, .mtu = 1600 };

	assert_non_null(k);
	fake_sets(f->other, f->desired);
	k->content = f->other;
	k->fail_dump = FP_TABLE_MAX;
	assert_int_equal(fp_sync_dump(&fake_ops, k, f->installed), 0);
	assert_same(f->installed, f->other);

	/* A config-owned port is not ours. */
	add(f->other, FP_TABLE_PORT, &ul, &uv);
	assert_int_equal(fp_entry_set_seal(f->other, NULL), 0);
	assert_int_equal(fp_sync_dump(&fake_ops, k, f->installed), 0);
	assert_int_equal(fp_entry_set_count(f->installed), fp_entry_set_count(f->other) - 1);
	assert_null(fp_entry_set_find(f->installed, FP_TABLE_PORT, &ul));

	/* A failing dump leaves installed empty. */
	k->fail_dump = FP_TABLE_FLOOD;
	assert_int_equal(fp_sync_dump(&fake_ops, k, f->installed), -ECONNRESET);
	assert_int_equal(fp_entry_set_count(f->installed), 0);
	free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_open_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_dump_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_dump_filled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_apply_from_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_apply_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_batching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_refused_dangling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_refused_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_dataplane_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_ping_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_order_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_order_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_dump_fake, setup, teardown),
	};

	return cmocka_run_group_tests_name("sync", tests, group_setup, group_teardown);
}
