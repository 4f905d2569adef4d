/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's XDP backend (control/backend_xdp.c) on real BPF maps of
 * the shapes include/flowplane/xdp.h describes, pinned in a bpffs of
 * our own (a private mount namespace; no program is loaded): sync from empty, a
 * changed set, refused transactions that leave the maps as they were, and
 * an instance that goes away.  Needs root (CAP_BPF) and bpffs; skips
 * otherwise.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "../lib/bad_entries.h"
#include "addr.h"
#include "backend.h"
#include "clock.h"
#include "entries.h"
#include "names.h"
#include "sync.h"

#define FDB_LIMIT 8
#define ROUTE_LIMIT 16 /* fp_route entries */
#define VTEP_LIMIT 16  /* fp_vtep entries, vtep ids */

struct fixture {
	char dir[128];			/* pin directory */
	int fd[FP_XDP_MAP_MAX];		/* our map fds */
	void *h;			/* backend handle */
	struct fp_entry_set *installed; /* what the maps hold */
};

static int
map_make_flags(struct fixture *f, int id, enum bpf_map_type type, uint32_t ks, uint32_t vs,
	       uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	char path[256];
	int fd = bpf_map_create(type, fp_names_xdp_map[id], ks, vs, max, &opts);

	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", f->dir, fp_names_xdp_map[id]);
	if (bpf_obj_pin(fd, path) < 0) {
		close(fd);
		return -errno;
	}
	f->fd[id] = fd;
	return 0;
}

static int
map_make(struct fixture *f, int id, enum bpf_map_type type, uint32_t ks, uint32_t vs, uint32_t max)
{
	return map_make_flags(f, id, type, ks, vs, max, 0);
}

/* A bpffs of our own at /sys/fs/bpf: in a private mount namespace (made
 * once), so the host's bpffs and its pins are never touched or mounted.
 */
static int
bpffs_ready(void)
{
	static int done;
	struct statfs st;

	if (done)
		return statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC ? 0 : -ENODEV;
	done = 1;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	return mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0 ? -errno : 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fp_host_cfg host = { 0 };
	uint32_t i, zero = 0;
	int rc = 0;

	if (f == NULL)
		return -1;
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		f->fd[i] = -1;
	snprintf(f->dir, sizeof(f->dir), "/sys/fs/bpf/fp-test-backend-%d", (int)getpid());
	if (geteuid() != 0 || bpffs_ready() < 0 || mkdir(f->dir, 0700) < 0) {
		free(f);
		*state = NULL;
		return 0; /* the tests skip */
	}
	rc |= map_make(f, FP_XDP_MAP_PORT, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct fp_port_val),
		       FP_PORT_MAX);
	rc |= map_make(f, FP_XDP_MAP_VTEP, BPF_MAP_TYPE_HASH, sizeof(struct fp_vtep_key),
		       sizeof(struct fp_vtep_val), VTEP_LIMIT);
	rc |= map_make(f, FP_XDP_MAP_FDB, BPF_MAP_TYPE_HASH, sizeof(struct fp_fdb_key),
		       sizeof(struct fp_fdb_val), FDB_LIMIT);
	rc |= map_make(f, FP_XDP_MAP_FLOOD, BPF_MAP_TYPE_HASH, sizeof(struct fp_flood_key),
		       sizeof(struct fp_flood_val), 16);
	rc |= map_make(f, FP_XDP_MAP_NEIGH, BPF_MAP_TYPE_HASH, sizeof(struct fp_neigh_key),
		       sizeof(struct fp_neigh_val), 16);
	rc |= map_make(f, FP_XDP_MAP_PORT_CFG, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct fp_port_cfg),
		       FP_PORT_MAX);
	rc |= map_make(f, FP_XDP_MAP_HOST, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct fp_host_cfg), 1);
	rc |= map_make(f, FP_XDP_MAP_VNI, BPF_MAP_TYPE_ARRAY, 4, 8, FP_XDP_VNI_WORDS);
	rc |= map_make(f, FP_XDP_MAP_RULESET, BPF_MAP_TYPE_HASH, sizeof(struct fp_ruleset_key),
		       sizeof(struct fp_ruleset_val), 16);
	rc |= map_make_flags(f, FP_XDP_MAP_ADDRSET, BPF_MAP_TYPE_LPM_TRIE,
			     sizeof(struct fp_xdp_addrset_key), sizeof(struct fp_addrset_val), 16,
			     BPF_F_NO_PREALLOC);
	rc |= map_make(f, FP_XDP_MAP_CT, BPF_MAP_TYPE_HASH, sizeof(struct fp_ct_key),
		       sizeof(struct fp_ct_val), 16);
	rc |= map_make_flags(f, FP_XDP_MAP_SG_CFG, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct fp_sg_cfg),
			     1, BPF_F_MMAPABLE);
	rc |= map_make(f, FP_XDP_MAP_VTEP_SRC, BPF_MAP_TYPE_HASH, sizeof(struct fp_vtep_src_key), 4,
		       256);
	rc |= map_make_flags(f, FP_XDP_MAP_ROUTE, BPF_MAP_TYPE_LPM_TRIE,
			     sizeof(struct fp_xdp_route_key), sizeof(struct fp_route_val),
			     ROUTE_LIMIT, BPF_F_NO_PREALLOC);
	assert_int_equal(rc, 0);
	snprintf(host.host, sizeof(host.host), "hv1");
	fp_addr_ip_set_v4(&host.local_vteps[0], 0xac100001);
	host.n_local_vteps = 1;
	assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_HOST], &zero, &host, BPF_ANY), 0);
	for (i = 0; i < 3; i++) {
		struct fp_port_cfg pc = { .ifindex = 10 + i,
					  .role = i < 2 ? FP_PORT_ROLE_VM : FP_PORT_ROLE_UNDERLAY,
					  .mtu = i < 2 ? 1500 : 1600,
					  .mac = { 2, 0, 0, 0, 0, (uint8_t)(0x10 + i) } };
		struct fp_port_val pv = { .role = FP_PORT_ROLE_UNDERLAY, .mtu = 1600 };

		snprintf(pc.name, sizeof(pc.name), i < 2 ? "vm%u" : "ul", i);
		assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_PORT_CFG], &i, &pc, BPF_ANY),
				 0);
		if (i == 2)
			assert_int_equal(
				bpf_map_update_elem(f->fd[FP_XDP_MAP_PORT], &i, &pv, BPF_ANY), 0);
	}
	assert_int_equal(fp_backend_xdp.open(f->dir, &f->h), 0);
	f->installed = fp_entry_set_create();
	assert_non_null(f->installed);
	assert_int_equal(fp_sync_dump(&fp_backend_xdp, f->h, f->installed), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char path[256];
	int i;

	if (f == NULL)
		return 0;
	fp_backend_xdp.close(f->h);
	fp_entry_set_free(f->installed);
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		if (f->fd[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, fp_names_xdp_map[i]);
		unlink(path);
		close(f->fd[i]);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

#define NEED_BPF(f)                                                        \
	do {                                                               \
		if ((f) == NULL)                                           \
			skip(); /* not root, or no bpffs at /sys/fs/bpf */ \
	} while (0)

/* A small desired state: port 0 (vni 100, L3 MTU mtu), vtep 1, fdb x2,
 * flood, neigh.
 */
static struct fp_entry_set *
desired_build_mtu(uint32_t n_extra_fdb, uint32_t fdb_vtep, uint16_t mtu)
{
	struct fp_entry_set *d = fp_entry_set_create();
	struct fp_port_key pk = { .port_id = 0 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
				  .mtu = mtu,
				  .vni = 100,
				  .vrf = 100,
				  .mac = { 2, 0, 0, 0, 0xa, 1 } };
	struct fp_vtep_key vk = { .vtep_id = 1 };
	struct fp_vtep_val vv = { .encap = FP_ENCAP_VXLAN,
				  .underlay_port = 2,
				  .nh_mac = { 2, 0, 0, 0, 1, 2 } };
	struct fp_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0xa, 1 } };
	struct fp_fdb_val fv = { .type = FP_DEST_PORT, .id = 0 };
	struct fp_flood_key flk = { .vni = 100 };
	struct fp_flood_val flv = { .n_members = 2 };
	struct fp_neigh_key nk = { .vrf = 100 };
	struct fp_neigh_val nv = { .mac = { 2, 0, 0, 0, 0xa, 1 }, .vni = 100 };
	uint32_t i;

	assert_non_null(d);
	fp_addr_ip_set_v4(&vv.remote, 0xac100002);
	fp_addr_ip_set_v4(&vv.local, 0xac100001);
	fp_addr_ip_set_v4(&nk.ip, 0x0a000001);
	flv.members[0].type = FP_DEST_PORT;
	flv.members[1].type = FP_DEST_VTEP;
	flv.members[1].id = 1;
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_PORT, &pk, &pv), 0);
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_VTEP, &vk, &vv), 0);
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_FLOOD, &flk, &flv), 0);
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_NEIGH, &nk, &nv), 0);
	for (i = 0; i < n_extra_fdb; i++) {
		struct fp_fdb_key k = { .vni = 100, .mac = { 2, 0, 0, 0, 0xb, (uint8_t)i } };
		struct fp_fdb_val v = { .type = FP_DEST_VTEP, .id = fdb_vtep };

		assert_int_equal(fp_entry_set_add(d, FP_TABLE_FDB, &k, &v), 0);
	}
	assert_int_equal(fp_entry_set_seal(d, NULL), 0);
	return d;
}

static struct fp_entry_set *
desired_build(uint32_t n_extra_fdb, uint32_t fdb_vtep)
{
	return desired_build_mtu(n_extra_fdb, fdb_vtep, 1500);
}

/* Is vni's bit set in fp_vni? */
static int
vni_bit(struct fixture *f, uint32_t vni)
{
	uint32_t w = FP_XDP_VNI_WORD(vni);
	uint64_t bits = 0;

	assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_VNI], &w, &bits), 0);
	return (bits & FP_XDP_VNI_BIT(vni)) != 0;
}

/* The maps, dumped afresh, hold exactly set s. */
static void
assert_maps_hold(struct fixture *f, const struct fp_entry_set *s)
{
	struct fp_entry_set *now = fp_entry_set_create();

	assert_int_equal(fp_sync_dump(&fp_backend_xdp, f->h, now), 0);
	assert_int_equal(fp_entry_set_diff_count(now, s), 0);
	fp_entry_set_free(now);
}

/* Every key of map a is in map b with the same count, and the other way. */
static void
assert_src_maps_equal(int a, int b, unsigned int round)
{
	struct fp_vtep_src_key k, next;
	uint32_t va, vb;
	void *prev;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int x = pass ? b : a, y = pass ? a : b;

		prev = NULL;
		while (bpf_map_get_next_key(x, prev, &next) == 0) {
			k = next;
			prev = &k;
			assert_int_equal(bpf_map_lookup_elem(x, &k, &va), 0);
			if (bpf_map_lookup_elem(y, &k, &vb) < 0)
				fail_msg("round %u: vni %u key in one shadow only (count %u)",
					 round, k.vni, va);
			if (va != vb)
				fail_msg("round %u: vni %u count %u vs %u", round, k.vni, va, vb);
		}
	}
}

/* fp_vtep_src as the backend keeps it, commit after commit, against a
 * shadow rebuilt from the tables: random transactions of flood lists,
 * fdb entries and vteps (three addresses, vteps moving between them,
 * deleted while referenced), some refused.  A reopened backend (the
 * rebuild at open) finds nothing to change.
 */
static void
test_backend_xdp_vtep_src(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key pk = { .port_id = 0 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
				  .mtu = 1500,
				  .vni = 100,
				  .vrf = 100,
				  .mac = { 2, 0, 0, 0, 0xa, 1 } };
	static const uint32_t addrs[3] = { 0xac100002, 0xac100003, 0xac100004 };
	unsigned int round, n_ok = 0;
	uint32_t failed, i;
	char err[256];
	int ref;

	NEED_BPF(f);
	ref = bpf_map_create(BPF_MAP_TYPE_HASH, "fp_src_ref", sizeof(struct fp_vtep_src_key), 4,
			     256, NULL);
	assert_true(ref >= 0);
	assert_int_equal(fp_backend_xdp.begin(f->h), 0);
	assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_PORT, &pk, &pv), 0);
	assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
	srand(4242);
	for (round = 0; round < 300; round++) {
		uint32_t n = 1 + (uint32_t)rand() % 4;

		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		for (i = 0; i < n; i++) {
			uint32_t what = (uint32_t)rand() % 6, vni = 100 + (uint32_t)rand() % 2;
			struct fp_vtep_key vk = { .vtep_id = 1 + (uint32_t)rand() % 4 };
			struct fp_fdb_key fk = { .vni = vni, .mac = { 2, 0, 0, 0, 0xb, 0 } };
			struct fp_flood_key flk = { .vni = vni };
			int del = rand() % 4 == 0;

			fk.mac[5] = (uint8_t)(rand() % 3);
			if (what < 2 && !del) {
				struct fp_vtep_val vv = { .encap = FP_ENCAP_VXLAN,
							  .underlay_port = 2,
							  .nh_mac = { 2, 0, 0, 0, 1, 2 } };

				fp_addr_ip_set_v4(&vv.remote, addrs[rand() % 3]);
				fp_addr_ip_set_v4(&vv.local, 0xac100001);
				fp_backend_xdp.set(f->h, FP_TABLE_VTEP, &vk, &vv);
			} else if (what < 2) {
				fp_backend_xdp.del(f->h, FP_TABLE_VTEP, &vk);
			} else if (what == 2 && !del) {
				struct fp_flood_val flv = { .n_members = 1 };
				uint32_t m = (uint32_t)rand() % 16, id;

				flv.members[0].type = FP_DEST_PORT;
				for (id = 1; id <= 4; id++) {
					if (!(m & (1U << (id - 1))))
						continue;
					flv.members[flv.n_members].type = FP_DEST_VTEP;
					flv.members[flv.n_members++].id = id;
				}
				fp_backend_xdp.set(f->h, FP_TABLE_FLOOD, &flk, &flv);
			} else if (what == 2) {
				fp_backend_xdp.del(f->h, FP_TABLE_FLOOD, &flk);
			} else if (!del) {
				struct fp_fdb_val fv = { .type = rand() % 3 ? FP_DEST_VTEP :
									      FP_DEST_PORT,
							 .id = vk.vtep_id };

				if (fv.type == FP_DEST_PORT)
					fv.id = 0;
				fp_backend_xdp.set(f->h, FP_TABLE_FDB, &fk, &fv);
			} else {
				fp_backend_xdp.del(f->h, FP_TABLE_FDB, &fk);
			}
		}
		n_ok += fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)) == 0;
		assert_int_equal(fp_backend_xdp_vtep_src_rebuild(
					 f->fd[FP_XDP_MAP_FLOOD], f->fd[FP_XDP_MAP_FDB],
					 f->fd[FP_XDP_MAP_VTEP], ref, VTEP_LIMIT, NULL),
				 0);
		assert_src_maps_equal(f->fd[FP_XDP_MAP_VTEP_SRC], ref, round);
	}
	assert_true(n_ok > 30 && n_ok < 300);
	/* A wrong count and a stale key: the rebuild at open repairs both. */
	{
		struct fp_vtep_src_key k = { .vni = 999 };
		uint32_t one = 1;
		void *h2 = NULL;

		fp_addr_ip_set_v4(&k.ip, 0x0a0a0a0a);
		assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_VTEP_SRC], &k, &one, BPF_ANY),
				 0);
		assert_int_equal(fp_backend_xdp.open(f->dir, &h2), 0);
		assert_src_maps_equal(f->fd[FP_XDP_MAP_VTEP_SRC], ref, round);
		fp_backend_xdp.close(h2);
	}
	close(ref);
}

static void
test_backend_xdp_info_and_sync(void **state)
{
	struct fixture *f = *state;
	struct fp_backend_info info;
	struct fp_sync_result res;
	struct fp_entry_set *d;
	char err[256];

	NEED_BPF(f);
	assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
	assert_string_equal(info.host, "hv1");
	assert_int_equal(info.n_ports, 3);
	assert_string_equal(info.ports[2].name, "ul");
	assert_int_equal(info.ports[2].role, FP_PORT_ROLE_UNDERLAY);
	assert_int_equal(info.table_limit[FP_TABLE_FDB], FDB_LIMIT);
	/* The underlay port's entry is the config's: not dumped. */
	assert_int_equal(fp_entry_set_count(f->installed), 0);

	d = desired_build(3, 1);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 2, &res, err, sizeof(err)),
		0);
	assert_int_equal(res.n_set, 8);
	assert_int_equal(res.n_txn, 4);
	assert_maps_hold(f, d);
	fp_entry_set_free(d);
	/* fp_vni shadows fp_flood; one vtep. */
	assert_int_equal(vni_bit(f, 100), 1);
	assert_int_equal(vni_bit(f, 101), 0);
	assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
	assert_int_equal(info.table_count[FP_TABLE_VTEP], 1);
	assert_int_equal(info.table_limit[FP_TABLE_VTEP], VTEP_LIMIT);

	/* Fewer fdb entries: deletes. */
	d = desired_build(1, 1);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		0);
	assert_int_equal(res.n_del, 2);
	assert_maps_hold(f, d);
	fp_entry_set_free(d);

	/* The VM port's entry changes in place (through role none). */
	d = desired_build_mtu(1, 1, 1400);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		0);
	assert_int_equal(res.n_set, 1);
	assert_maps_hold(f, d);
	fp_entry_set_free(d);

	/* Nothing: the flood entry and its bit go, and the vtep. */
	d = fp_entry_set_create();
	assert_non_null(d);
	assert_int_equal(fp_entry_set_seal(d, NULL), 0);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		0);
	assert_maps_hold(f, d);
	assert_int_equal(vni_bit(f, 100), 0);
	assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
	assert_int_equal(info.table_count[FP_TABLE_VTEP], 0);
	fp_entry_set_free(d);
}

/* fp_sg_cfg's generation. */
static uint32_t
sg_gen(struct fixture *f)
{
	struct fp_sg_cfg c;
	uint32_t zero = 0;

	assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_SG_CFG], &zero, &c), 0);
	return c.gen;
}

/* Security groups: a filtered port, its rulesets and an address set go
 * into the maps (the address set's key as the LPM trie's: set id first),
 * come back from a dump as the tables' entries, and every commit that
 * changes one of them moves the generation, one that does not leaves it.
 */
static void
test_backend_xdp_sg(void **state)
{
	struct fixture *f = *state;
	struct fp_xdp_addrset_key mk = { 0 };
	struct fp_ruleset_key rk = { .ruleset_id = 7, .dir = FP_SG_DIR_INGRESS };
	struct fp_ruleset_val rv = { .n_rules = 1, .flags = FP_RULESET_F_STATEFUL };
	struct fp_addrset_key ak = { .set_id = 3, .plen = 120 };
	struct fp_addrset_val av = { 0 }, got;
	struct fp_sg_cfg cfg = { 0 };
	struct fp_sync_result res;
	struct fp_entry_set *d;
	struct fp_backend_info info;
	uint32_t gen, zero = 0;
	char err[256];

	NEED_BPF(f);
	cfg.timeout_s[FP_CT_ESTABLISHED] = 77;
	assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_SG_CFG], &zero, &cfg, BPF_ANY), 0);
	rv.rules[0].family = 4;
	rv.rules[0].rule_id = 1;
	rv.rules[0].flags = FP_SG_RULE_F_ADDRSET;
	rv.rules[0].addrset = 3;
	fp_addr_ip_set_v4(&ak.ip, 0x0a000100); /* 10.0.1.0/24 */
	d = fp_entry_set_create();
	assert_non_null(d);
	{
		struct fp_port_key pk = { .port_id = 0 };
		struct fp_port_val pv = { .role = FP_PORT_ROLE_VM,
					  .flags = FP_PORT_F_SG,
					  .mtu = 1500,
					  .vni = 100,
					  .vrf = 100,
					  .ruleset = 7,
					  .mac = { 2, 0, 0, 0, 0xa, 1 } };

		assert_int_equal(fp_entry_set_add(d, FP_TABLE_PORT, &pk, &pv), 0);
	}
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_RULESET, &rk, &rv), 0);
	rk.dir = FP_SG_DIR_EGRESS;
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_RULESET, &rk, &rv), 0);
	assert_int_equal(fp_entry_set_add(d, FP_TABLE_ADDRSET, &ak, &av), 0);
	assert_int_equal(fp_entry_set_seal(d, NULL), 0);
	gen = sg_gen(f);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		0);
	assert_int_equal(res.n_set, 4);
	assert_maps_hold(f, d);
	assert_int_not_equal(sg_gen(f), gen);
	/* The timeouts next to the generation are fp-xdp's: untouched. */
	assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_SG_CFG], &zero, &cfg), 0);
	assert_int_equal(cfg.timeout_s[FP_CT_ESTABLISHED], 77);
	/* The member as the LPM trie holds it: set id, then the prefix. */
	mk.prefixlen = 32 + 120;
	mk.set_id = 3;
	memcpy(mk.ip, ak.ip.b, sizeof(mk.ip));
	assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ADDRSET], &mk, &got), 0);
	mk.prefixlen = 160;
	mk.ip[15] = 9; /* 10.0.1.9 */
	assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ADDRSET], &mk, &got), 0);
	mk.set_id = 4; /* the same address in another set */
	assert_int_not_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ADDRSET], &mk, &got), 0);
	assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
	assert_int_equal(info.table_count[FP_TABLE_RULESET], 2);
	assert_int_equal(info.table_count[FP_TABLE_ADDRSET], 1);
	assert_int_equal(info.table_limit[FP_TABLE_ADDRSET], 16);

	/* A commit of other tables: the generation stays. */
	gen = sg_gen(f);
	{
		struct fp_neigh_key nk = { .vrf = 100 };
		struct fp_neigh_val nv = { .mac = { 2, 0, 0, 0, 0xa, 1 }, .vni = 100 };
		uint32_t failed;

		fp_addr_ip_set_v4(&nk.ip, 0x0a000001);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_NEIGH, &nk, &nv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
		assert_int_equal(sg_gen(f), gen);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_NEIGH, &nk), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
	}
	fp_entry_set_free(d);

	/* Routing (doc/xdp.md "Routing"): fp_route carries the route table
	 * (an LPM trie keyed by vrf, family and prefix), fdb router entries
	 * are accepted; nat is not carried (floating IPs are not translated).
	 */
	assert_int_equal(info.table_limit[FP_TABLE_ROUTE], ROUTE_LIMIT);
	assert_true(info.routes_carried);
	assert_int_equal(info.table_limit[FP_TABLE_NAT], 0);
	assert_int_equal(info.table_limit[FP_TABLE_SEGMENT], 0);
	assert_int_equal(info.segments_carried, 0);
	assert_int_equal(info.table_count[FP_TABLE_ROUTE], 0);
	{
		struct fp_route_key rtk = { .vrf = 7, .plen = 96 + 24 }, rtk6 = { .vrf = 7 };
		struct fp_route_val rtv = { .type = FP_ROUTE_BLACKHOLE };
		struct fp_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0xee, 1 } };
		struct fp_fdb_val fv = { .type = FP_DEST_ROUTER, .id = 7 };
		struct fp_nat_key nk = { .scope = 7, .dir = FP_NAT_SNAT };
		struct fp_nat_val nv = { .scope = 300, .mac = { 2, 0, 0, 0, 0xf, 1 } };
		struct fp_xdp_route_key mk;
		struct fp_route_val got;
		struct fp_entry_set *now;
		struct fp_ip a;
		uint32_t failed;

		fp_addr_ip_set_v4(&rtk.ip, 0x0a000100);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_ROUTE, &rtk, &rtv), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_ROUTE, &rtk6, &rtv), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_FDB, &fk, &fv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
		assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
		assert_int_equal(info.table_count[FP_TABLE_ROUTE], 2);
		/* The map's keys: 10.0.1.5 is in 10.0.1.0/24; 8.8.8.8 is not in
		 * the IPv6 ::/0 (the family is part of the key); 2001:db8::1 is.
		 */
		fp_addr_ip_set_v4(&a, 0x0a000105);
		fp_xdp_route_key_set(&mk, 7, 128, a.b);
		assert_int_equal(mk.prefixlen, FP_XDP_ROUTE_PLEN(128));
		assert_int_equal(mk.family, FP_XDP_ROUTE_V4);
		assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ROUTE], &mk, &got), 0);
		fp_addr_ip_set_v4(&a, 0x08080808);
		fp_xdp_route_key_set(&mk, 7, 128, a.b);
		assert_int_not_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ROUTE], &mk, &got), 0);
		assert_true(fp_addr_ip_parse("2001:db8::1", &a) > 0);
		fp_xdp_route_key_set(&mk, 7, 128, a.b);
		assert_int_equal(mk.family, FP_XDP_ROUTE_V6);
		assert_int_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ROUTE], &mk, &got), 0);
		/* The dump gives the table's keys back. */
		now = fp_entry_set_create();
		assert_non_null(now);
		assert_int_equal(fp_sync_dump(&fp_backend_xdp, f->h, now), 0);
		assert_int_equal(fp_entry_set_count_table(now, FP_TABLE_ROUTE), 2);
		assert_non_null(fp_entry_set_find(now, FP_TABLE_ROUTE, &rtk));
		assert_non_null(fp_entry_set_find(now, FP_TABLE_ROUTE, &rtk6));
		fp_entry_set_free(now);
		/* nat: refused, named. */
		fp_addr_ip_set_v4(&nk.ip, 0x0a000105);
		fp_addr_ip_set_v4(&nv.ip, 0xac180405);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_NAT, &nk, &nv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "does not translate floating IPs yet"));
		/* Deleted: the map is empty again. */
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_FDB, &fk), 0);
		assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_ROUTE, &rtk), 0);
		assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_ROUTE, &rtk6), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
		assert_int_equal(fp_backend_xdp.info(f->h, &info), 0);
		assert_int_equal(info.table_count[FP_TABLE_ROUTE], 0);
		assert_int_not_equal(bpf_map_get_next_key(f->fd[FP_XDP_MAP_ROUTE], NULL, &mk), 0);
	}
	/* So is the slow path: limits 0, dhcp, ra, dhcp6 refused by name. */
	assert_int_equal(info.table_limit[FP_TABLE_DHCP], 0);
	assert_int_equal(info.table_limit[FP_TABLE_RA], 0);
	assert_int_equal(info.table_limit[FP_TABLE_DHCP6], 0);
	{
		struct fp_dhcp_key dk = { .port_id = 0 };
		struct fp_ra_key ak = { .vni = 100 };
		struct fp_dhcp6_key sk = { .port_id = 0 };
		struct fp_dhcp_val dv;
		struct fp_ra_val av;
		struct fp_dhcp6_val sv;
		uint32_t failed;

		fp_good_dhcp(&dv);
		fp_good_ra(&av);
		fp_good_dhcp6(&sv);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_DHCP, &dk, &dv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(
			strstr(err, "dhcp port 0: this engine does not serve the dhcp table"));
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_RA, &ak, &av), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "ra network 100: this engine does not serve the ra"));
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_DHCP6, &sk), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "dhcp6 port 0: this engine does not serve the dhcp6"));
		(void)sv;
		assert_int_equal(fp_backend_xdp.dump(f->h, FP_TABLE_DHCP, NULL, NULL), 0);
	}

	/* Everything goes: the address set's member too (its map key). */
	d = fp_entry_set_create();
	assert_non_null(d);
	assert_int_equal(fp_entry_set_seal(d, NULL), 0);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		0);
	assert_maps_hold(f, d);
	assert_int_not_equal(sg_gen(f), gen);
	mk.prefixlen = 160;
	mk.set_id = 3;
	assert_int_not_equal(bpf_map_lookup_elem(f->fd[FP_XDP_MAP_ADDRSET], &mk, &got), 0);
	fp_entry_set_free(d);
}

/* Refused transactions write nothing. */
/* Every entry of tests/lib/bad_entries.c is refused by the XDP backend on
 * real maps with the message fp-dpdk's commit gives (test_ftable), and
 * the maps are left as they were.
 */
static void
test_backend_xdp_bad_entries(void **state)
{
	struct fixture *f = *state;
	struct fp_bad_entry *bad;
	size_t n, i;

	NEED_BPF(f);
	bad = fp_bad_entries_build(&n);
	assert_non_null(bad);
	for (i = 0; i < n; i++) {
		const struct fp_bad_entry *e = &bad[i];
		char want[sizeof(e->msg) + 16], err[256] = "";
		uint32_t failed = 99;
		int rc;

		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		if (e->del)
			assert_int_equal(fp_backend_xdp.del(f->h, e->table, &e->key), 0);
		else
			assert_int_equal(fp_backend_xdp.set(f->h, e->table, &e->key, &e->val), 0);
		rc = fp_backend_xdp.commit(f->h, &failed, err, sizeof(err));
		snprintf(want, sizeof(want), "change 0: %s", e->msg);
		if (rc != e->rc || strcmp(err, want) != 0)
			fail_msg("%s: rc %d \"%s\", want %d \"%s\"", e->desc, rc, err, e->rc, want);
		assert_int_equal(failed, 0);
		assert_maps_hold(f, f->installed);
	}
	free(bad);
}

static void
test_backend_xdp_refused(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key ul = { .port_id = 2 };
	struct fp_port_val pv = { .role = FP_PORT_ROLE_VM, .vni = 5 };
	struct fp_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0xc, 1 } };
	struct fp_sync_result res;
	struct fp_entry_set *d, *good;
	uint64_t gen0 = 0, gen1 = 0;
	uint32_t failed;
	char err[256];

	NEED_BPF(f);
	good = desired_build(0, 1);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, good, 0, &res, err, sizeof(err)),
		0);

	/* fdb entries pointing at a vtep that does not exist. */
	d = desired_build(2, 7);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "vtep 7 does not exist"));
	assert_maps_hold(f, good);
	fp_entry_set_free(d);

	/* More fdb entries than the map holds. */
	d = desired_build(FDB_LIMIT, 1);
	assert_int_equal(
		fp_sync_apply(&fp_backend_xdp, f->h, f->installed, d, 0, &res, err, sizeof(err)),
		-ENOSPC);
	assert_non_null(strstr(err, "table full"));
	assert_maps_hold(f, good);
	fp_entry_set_free(d);

	/* As fp-dpdk: a vtep id beyond the table's size, a vtep without a
	 * remote address are refused.
	 */
	{
		struct fp_vtep_key vk = { .vtep_id = VTEP_LIMIT };
		struct fp_vtep_val vv = { .encap = FP_ENCAP_VXLAN, .underlay_port = 2 };

		fp_addr_ip_set_v4(&vv.remote, 0xac100009);
		fp_addr_ip_set_v4(&vv.local, 0xac100001);
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_VTEP, &vk, &vv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "out of range"));
		vk.vtep_id = 3;
		memset(&vv.remote, 0, sizeof(vv.remote));
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_VTEP, &vk, &vv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "not a unicast address"));
		assert_maps_hold(f, good);
	}

	/* A flood entry of a VNI beyond 24 bits (fp_vni has no bit for it). */
	{
		struct fp_flood_key k = { .vni = FP_VNI_MAX + 1 };
		struct fp_flood_val v = { .n_members = 0 };

		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_FLOOD, &k, &v), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "out of range (a VNI 1.."));
		assert_maps_hold(f, good);
	}

	/* A provider network's flood entry, a segment: not carried. */
	{
		struct fp_flood_key k = { .vni = FP_NET_PROVIDER | 1 };
		struct fp_flood_val v = { .n_members = 0 };
		struct fp_segment_key sk = { .port_id = 0, .vlan = 100 };
		struct fp_segment_val sv = { .vni = FP_NET_PROVIDER | 1 };

		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_FLOOD, &k, &v), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "does not carry provider networks"));
		assert_int_equal(fp_backend_xdp.begin(f->h), 0);
		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_SEGMENT, &sk, &sv), 0);
		assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "segment port 0 vlan 100: this engine does not carry"));
		assert_maps_hold(f, good);
	}

	/* The underlay port's entry belongs to the config. */
	assert_int_equal(fp_backend_xdp.begin(f->h), 0);
	assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_PORT, &ul, &pv), 0);
	assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -EPERM);
	assert_int_equal(failed, 0);

	/* A delete of what is not there; but a set then a delete of one key
	 * in one transaction is fine, and the delete wins.
	 */
	assert_int_equal(fp_backend_xdp.begin(f->h), 0);
	assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_FDB, &fk), 0);
	assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), -ENOENT);
	assert_int_equal(fp_backend_xdp.begin(f->h), 0);
	{
		struct fp_fdb_val fv = { .type = FP_DEST_PORT, .id = 0 };

		assert_int_equal(fp_backend_xdp.set(f->h, FP_TABLE_FDB, &fk, &fv), 0);
	}
	assert_int_equal(fp_backend_xdp.del(f->h, FP_TABLE_FDB, &fk), 0);
	assert_int_equal(fp_backend_xdp.ping(f->h, &gen0), 0);
	assert_int_equal(fp_backend_xdp.commit(f->h, &failed, err, sizeof(err)), 0);
	assert_maps_hold(f, good);
	/* A commit is a generation, seen by ping (fp-control's audit). */
	assert_int_equal(fp_backend_xdp.ping(f->h, &gen1), 0);
	assert_int_equal(gen1, gen0 + 1);
	fp_entry_set_free(good);
}

/* The counters per CPU and the ports, through the backend (fpctl --xdp
 * show stats): fp_counters is fp-xdp's map; without it, not connected.
 */
static void
test_backend_xdp_stats(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client_stats *st = NULL;
	struct fp_counters *per_cpu;
	uint32_t i, zero = 0;
	int ncpu = libbpf_num_possible_cpus();

	NEED_BPF(f);
	assert_true(ncpu > 0);
	assert_int_equal(fp_backend_xdp.stats(f->h, &st), -ENOTCONN);
	assert_null(st);
	assert_int_equal(map_make(f, FP_XDP_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				  sizeof(struct fp_counters), 1),
			 0);
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	assert_non_null(per_cpu);
	for (i = 0; i < (uint32_t)ncpu; i++) {
		per_cpu[i].n[FP_STAT_RX] = 10 + i;
		per_cpu[i].drop[FP_DROP_MAX - 1] = i;
	}
	assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_COUNTERS], &zero, per_cpu, BPF_ANY),
			 0);
	assert_int_equal(fp_backend_xdp.stats(f->h, &st), 0);
	assert_non_null(st);
	assert_int_equal(st->n_workers, ncpu);
	for (i = 0; i < (uint32_t)ncpu; i++) {
		assert_int_equal(st->workers[i].lcore, i);
		assert_int_equal(st->workers[i].stats[FP_STAT_RX], 10 + i);
		assert_int_equal(st->workers[i].drops[FP_DROP_MAX - 1], i);
	}
	assert_int_equal(st->n_ports, 3);
	assert_string_equal(st->ports[0].name, "vm0");
	assert_string_equal(st->ports[2].name, "ul");
	assert_int_equal(st->ports[2].role, FP_PORT_ROLE_UNDERLAY);
	assert_int_equal(st->ports[1].mac[5], 0x11);
	fp_ctl_client_stats_free(st);
	free(per_cpu);
}

/* fp-xdp detached (the pins are gone): the backend says so. */
/* An instance an older fp-xdp attached has no fp_route: the backend opens
 * it, says it does not route (limit 0) and refuses route and fdb router
 * entries by name, as an engine that does not route.
 */
static void
test_backend_xdp_no_route_map(void **state)
{
	struct fixture *f = *state;
	struct fp_route_key rtk = { .vrf = 7, .plen = 96 + 24 };
	struct fp_route_val rtv = { .type = FP_ROUTE_BLACKHOLE };
	struct fp_fdb_key fk = { .vni = 100, .mac = { 2, 0, 0, 0, 0xee, 1 } };
	struct fp_fdb_val fv = { .type = FP_DEST_ROUTER, .id = 7 };
	struct fp_backend_info info;
	char path[320], err[256];
	uint32_t failed;
	void *h;

	NEED_BPF(f);
	snprintf(path, sizeof(path), "%s/%s", f->dir, fp_names_xdp_map[FP_XDP_MAP_ROUTE]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fp_backend_xdp.open(f->dir, &h), 0);
	assert_int_equal(fp_backend_xdp.info(h, &info), 0);
	assert_int_equal(info.table_limit[FP_TABLE_ROUTE], 0);
	assert_false(info.routes_carried);
	fp_addr_ip_set_v4(&rtk.ip, 0x0a000100);
	assert_int_equal(fp_backend_xdp.begin(h), 0);
	assert_int_equal(fp_backend_xdp.set(h, FP_TABLE_ROUTE, &rtk, &rtv), 0);
	assert_int_equal(fp_backend_xdp.commit(h, &failed, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not carry the route table"));
	assert_int_equal(fp_backend_xdp.begin(h), 0);
	assert_int_equal(fp_backend_xdp.set(h, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_backend_xdp.commit(h, &failed, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "router entries: this engine does not route"));
	assert_int_equal(fp_backend_xdp.dump(h, FP_TABLE_ROUTE, NULL, NULL), 0);
	fp_backend_xdp.close(h);
}

static void
test_backend_xdp_instance_gone(void **state)
{
	struct fixture *f = *state;
	char path[256];
	void *h2;

	NEED_BPF(f);
	assert_int_equal(fp_backend_xdp.ping(f->h, NULL), 0);
	snprintf(path, sizeof(path), "%s/%s", f->dir, fp_names_xdp_map[FP_XDP_MAP_HOST]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fp_backend_xdp.ping(f->h, NULL), -ENOTCONN);
	assert_int_equal(fp_backend_xdp.open(f->dir, &h2), -ECONNREFUSED);
	assert_int_equal(bpf_obj_pin(f->fd[FP_XDP_MAP_HOST], path), 0);
	assert_int_equal(fp_backend_xdp.ping(f->h, NULL), 0);
}

/* Every write while the role is vm changes nothing but the role. */
static void
steps_check(const struct fp_port_val *cur, const struct fp_port_val *val)
{
	struct fp_port_val steps[3], prev = *cur, none;
	size_t i, n = fp_backend_xdp_port_steps(cur, val, steps);

	memset(&none, 0, sizeof(none));
	assert_true(n <= 3);
	for (i = 0; i < n; i++) {
		if (prev.role != FP_PORT_ROLE_NONE || steps[i].role != FP_PORT_ROLE_NONE) {
			struct fp_port_val a = prev, b = steps[i];

			a.role = b.role = FP_PORT_ROLE_NONE;
			assert_memory_equal(&a, &b, sizeof(a));
		}
		prev = steps[i];
	}
	assert_memory_equal(&prev, val != NULL ? val : &none, sizeof(prev));
}

static void
test_backend_xdp_port_steps(void **state)
{
	struct fp_port_val none, a, b;
	struct fp_port_val steps[3];

	(void)state;
	memset(&none, 0, sizeof(none));
	memset(&a, 0, sizeof(a));
	a.role = FP_PORT_ROLE_VM;
	a.vni = 100;
	a.mtu = 1500;
	a.n_addrs = 1;
	a.mac[0] = 2;
	fp_addr_ip_set_v4(&a.addrs[0].ip, 0x0a000001);
	a.addrs[0].plen = 128;
	b = a;
	b.vni = 0x123456;
	fp_addr_ip_set_v4(&b.addrs[0].ip, 0x0a000002);
	steps_check(&none, &a); /* a new port: fields, then the role */
	steps_check(&a, &b);	/* a change: role none, fields, role back */
	steps_check(&a, NULL);	/* a delete: role none, then zeros */
	steps_check(&b, &a);
	assert_int_equal(fp_backend_xdp_port_steps(&a, &a, steps), 0);
	assert_int_equal(fp_backend_xdp_port_steps(&a, &b, steps), 3);
	assert_int_equal(fp_backend_xdp_port_steps(&none, &a, steps), 2);
	assert_int_equal(fp_backend_xdp_port_steps(&a, NULL, steps), 2);
}

static int
ct_walk_count(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg)
{
	uint32_t *seen = arg;

	assert_int_equal(val->rule_id, 100 + key->zone);
	seen[0]++;
	seen[1] |= 1U << key->zone;
	return seen[0] == seen[2] ? 7 : 0;
}

/* fp_backend_xdp_ct_walk() (fpctl show conntrack --xdp): every entry of
 * fp_ct once; the callback's non-zero return stops it.
 */
static void
test_backend_xdp_ct_walk(void **state)
{
	struct fixture *f = *state;
	uint32_t seen[3] = { 0 }, i;

	NEED_BPF(f);
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_count, seen), 0);
	assert_int_equal(seen[0], 0);
	for (i = 0; i < 5; i++) {
		struct fp_ct_key k = { .zone = (uint16_t)i, .proto = 6 };
		struct fp_ct_val v = { .rule_id = 100 + i, .state = FP_CT_ESTABLISHED };

		assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_CT], &k, &v, BPF_ANY), 0);
	}
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_count, seen), 0);
	assert_int_equal(seen[0], 5);
	assert_int_equal(seen[1], 0x1f);
	memset(seen, 0, sizeof(seen));
	seen[2] = 2;
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_count, seen), 7);
	assert_int_equal(seen[0], 2);
}

static int
ct_walk_zones(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg)
{
	uint32_t *zones = arg;

	(void)val;
	*zones |= 1U << key->zone;
	return 0;
}

/* The walk skips what the program counts as expired (fpctl show
 * conntrack --xdp does not list it): by the state's default timeout, then
 * by fp_sg_cfg's configured one.
 */
static void
test_backend_xdp_ct_walk_expired(void **state)
{
	struct fixture *f = *state;
	uint64_t now = fp_clock_now_ns(), ago = 60ULL * 1000000000ULL;
	struct fp_sg_cfg cfg = { 0 };
	uint32_t zones = 0, zero = 0, i;

	NEED_BPF(f);
	if (now <= ago)
		skip(); /* booted less than a minute ago */
	for (i = 0; i < 3; i++) {
		struct fp_ct_key k = { .zone = (uint16_t)i, .proto = 17 };
		/* zone 0: now; 1: a minute ago (udp_unreplied: 30 s);
		 * 2: a minute ago, udp_replied (120 s).
		 */
		struct fp_ct_val v = { .last_ns = i == 0 ? now : now - ago,
				       .state = i == 2 ? FP_CT_UDP_REPLIED : FP_CT_UDP_UNREPLIED };

		assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_CT], &k, &v, BPF_ANY), 0);
	}
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_zones, &zones), 0);
	assert_int_equal(zones, 0x5);
	/* A configured udp_unreplied timeout of 20 s: zone 0 only... */
	cfg.timeout_s[FP_CT_UDP_UNREPLIED] = 20;
	cfg.timeout_s[FP_CT_UDP_REPLIED] = 20;
	assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_SG_CFG], &zero, &cfg, BPF_ANY), 0);
	zones = 0;
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_zones, &zones), 0);
	assert_int_equal(zones, 0x1);
	/* ... of 90 s: all three. */
	cfg.timeout_s[FP_CT_UDP_UNREPLIED] = 90;
	cfg.timeout_s[FP_CT_UDP_REPLIED] = 90;
	assert_int_equal(bpf_map_update_elem(f->fd[FP_XDP_MAP_SG_CFG], &zero, &cfg, BPF_ANY), 0);
	zones = 0;
	assert_int_equal(fp_backend_xdp_ct_walk(f->h, ct_walk_zones, &zones), 0);
	assert_int_equal(zones, 0x7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_xdp_info_and_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_ct_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_ct_walk_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_vtep_src, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_sg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_instance_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_xdp_no_route_map, setup, teardown),
		cmocka_unit_test(test_backend_xdp_port_steps),
	};

	return cmocka_run_group_tests_name("backend_xdp", tests, NULL, NULL);
}
