/* SPDX-License-Identifier: BSD-3-Clause */
/* The data-driven packet cases (tests/cases/NAME.case) through the XDP
 * program, the differential twin of test_cases.c (which runs them through
 * the DPDK pipeline): one cmocka test per case file, named after it.
 *
 * The skeleton is loaded once, with fp_trace_on set and no map pinned (the
 * test never touches /sys/fs/bpf).  For each case the maps are emptied and
 * filled as the case says: the configured ports (fp_port_cfg with fake
 * ifindexes, fp_port for non-VM ports, fp_tx to the loopback device), the
 * local VTEPs (fp_host), the transactions in order (sets in table order,
 * then deletes in reverse order, as fp-dpdk commits them; fp_vni follows
 * fp_flood as fp-control's XDP backend keeps it), and fp_ifport mapping
 * the loopback ifindex to the case's input port.  The input frame is run
 * twice with bpf_prog_test_run_opts() (ingress_ifindex 1): with the
 * interface in its fp_ifslot slot, and with another interface in the slot
 * (the program must then find it in fp_ifport).  Each time the
 * XDP action, the struct fp_trace the program wrote (egress port, drop
 * reason), the output bytes and the counters are compared with the case.
 *
 * Cases whose expectation the XDP path fulfils in two steps are listed in
 * tc_cases[] with the reason: for them the program must pass the frame up
 * (XDP_PASS) with the right struct fp_xdp_meta in front of it, and the
 * right frame and counters.  Any other difference fails the case with its
 * name and the first differing byte.  A summary line closes the run.
 *
 * Without root or CAP_BPF every test is skipped.  FP_SRCDIR is the
 * project root.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "../../control/backend.h"
#include "../lib/case.h"
#include "../lib/report.h"
#include "fp_xdp.skel.h"
#include "fp_xdp_abi.h"

#define TABLE_LIMIT 1024       /* entries per hash map */
#define IN_IFINDEX 1	       /* the loopback device: ctx_in.ingress_ifindex */
#define TX_IFINDEX 1	       /* fp_tx entries: redirects need a real device */
#define FAKE_IFINDEX 1000      /* fp_port_cfg.ifindex of port id: FAKE_IFINDEX + id */
#define OUT_MAX 16384	       /* data_out buffer */
#define VERIFIER_BUDGET 600000 /* instructions the verifier may walk (limit 1M) */
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* A case the XDP program hands to the tc program to finish. */
struct tc_case {
	const char *name;   /* the case */
	uint32_t vni;	    /* fp_xdp_meta.vni expected */
	const char *reason; /* why XDP alone cannot produce the outputs */
};

/* Flooding: the outputs are copies (bpf_clone_redirect in the tc program);
 * XDP decides and counts the flood and passes one frame up.
 */
static const struct tc_case tc_cases[] = {
	{ "ul_arp_request_flooded", 1000, "decapsulated ARP request flooded to 2 local ports" },
	{ "ul_flood_local_only", 1000, "decapsulated broadcast flooded to 2 local ports" },
	{ "ul_unknown_unicast_flood", 1000, "decapsulated unknown unicast to 2 local ports" },
	{ "vm_arp_neigh_other_vni_flood", 1000, "ARP request flooded (neighbour in another VNI)" },
	{ "vm_arp_probe_flood", 1000, "ARP probe flooded" },
	{ "vm_arp_self_flood", 1000, "gratuitous ARP flooded" },
	{ "vm_arp_unknown_flood", 1000, "ARP request flooded to a port and a vtep" },
	{ "vm_broadcast_flood", 1000, "broadcast flooded to 2 ports and 3 vteps" },
	{ "vm_flood_too_big_vtep_skipped", 1000, "broadcast flooded to a port and a vtep" },
	{ "vm_mld_unspec_flood", 1000, "MLD report flooded" },
	{ "vm_ns_dad_flood", 1000, "DAD probe flooded to a port and a vtep" },
	{ "vm_ns_unknown_flood", 1000, "solicitation flooded to a port and a vtep" },
	{ "vm_unknown_unicast_flood", 1000, "unknown unicast flooded to a port and a vtep" },
	{ "sg_arp_not_filtered", 1000, "ARP request from a filtered port flooded" },
	{ "sg_base_dhcp_client", 1000, "DHCP discover from a filtered port flooded" },
	{ "sg_ethertype_ingress_flood", 1000, "PPPoE broadcast flooded, filtered port 0 refused" },
	{ "sg_ethertype_permitted_no_antispoof", 1000, "permitted PPPoE broadcast flooded" },
	{ "sg_rarp_egress", 1000, "RARP announcement from a filtered port flooded" },
	{ "sg_rarp_ingress", 1000, "RARP announcement flooded, filtered port 0 refused" },
	{ "rt_flood_v4", 2000, "routed, then flooded in VNI 2000 to a port and a vtep" },
};

#define N_TC_CASES (sizeof(tc_cases) / sizeof(tc_cases[0]))

/* The tc cases whose flood list has members their security groups refuse:
 * fp_xdp_meta.sg_refused expected (0 for the others).
 */
static const struct {
	const char *name;    /* a case of tc_cases[] */
	uint64_t sg_refused; /* bit i: flood list member i refused */
} tc_refused[] = {
	{ "sg_ethertype_ingress_flood", 0x1 },
	{ "sg_rarp_ingress", 0x1 },
};

/* The tc cases routed before their flood: the frame passed up is the
 * routed one (the copy the first output, a local port, gets), not the
 * input.
 */
static const char *const tc_routed[] = { "rt_flood_v4" };

static int
tc_is_routed(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tc_routed) / sizeof(tc_routed[0]); i++)
		if (strcmp(tc_routed[i], name) == 0)
			return 1;
	return 0;
}

static uint64_t
tc_sg_refused(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tc_refused) / sizeof(tc_refused[0]); i++)
		if (strcmp(tc_refused[i].name, name) == 0)
			return tc_refused[i].sg_refused;
	return 0;
}

/* Cases XDP can never be given: bpf_prog_test_run_opts() refuses (EINVAL)
 * a frame shorter than an Ethernet header, as drivers never hand XDP one.
 * The program drops such a frame as trunc_l2 (fp_parse_frame()); for
 * these the test checks that the kernel refuses the frame.
 */
static const char *const short_cases[] = {
	"ul_trunc_cut13",
	"ul_trunc_fixed_cut13",
	"vm_trunc_cut13",
	"vm_trunc_fixed_cut13",
};

#define N_SHORT_CASES (sizeof(short_cases) / sizeof(short_cases[0]))
#define SHORT_REASON "a 13-byte frame: the kernel runs XDP on 14 bytes (ETH_HLEN) or more"

/* Outcome of one case, for the summary. */
#define FOREACH_RESULT(_)               \
	_(NOT_RUN, "not run")           \
	_(IDENTICAL, "identical")       \
	_(TC, "handled in tc")          \
	_(SHORT, "not runnable in XDP") \
	_(MISMATCH, "mismatch")         \
	_(SKIPPED, "skipped")

#define RESULT_ENUM(id, name) RES_##id,
enum result { FOREACH_RESULT(RESULT_ENUM) RES_MAX };
#undef RESULT_ENUM

/* One case file, the state of its cmocka test. */
struct case_test {
	char path[PATH_MAX + NAME_MAX + 2]; /* the .case file */
	char name[FP_CASE_NAME_SIZE];	    /* its name, the test's name */
	int result;			    /* enum result */
};

/* The loaded program, shared by all cases. */
struct env {
	struct fp_xdp *skel;	       /* loaded skeleton */
	int n_cpus;		       /* possible CPUs (per-CPU map values) */
	int privileged;		       /* root or CAP_BPF: else every test skips */
	int tc_seen[N_TC_CASES];       /* tc_cases[i] was found among the files */
	int short_seen[N_SHORT_CASES]; /* short_cases[i] was found */
};

static struct env env;
static struct case_test *cts;
static int n_cts;

static const struct tc_case *
tc_case_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_TC_CASES; i++) {
		if (strcmp(tc_cases[i].name, name) == 0)
			return &tc_cases[i];
	}
	return NULL;
}

static int
short_case_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_SHORT_CASES; i++) {
		if (strcmp(short_cases[i], name) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
xdp_action_name(uint32_t act)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return act < sizeof(names) / sizeof(names[0]) ? names[act] : "?";
}

/* Root, or CAP_BPF in the effective set. */
static int
privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (geteuid() == 0)
		return 1;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	return (d[CAP_BPF / 32].effective >> (CAP_BPF % 32)) & 1;
}

/* Empty a hash map. */
static int
hash_clear(struct bpf_map *map)
{
	uint8_t key[64];
	int fd = bpf_map__fd(map), rc;

	if (bpf_map__key_size(map) > sizeof(key))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, NULL, key) == 0) {
		rc = bpf_map_delete_elem(fd, key);
		if (rc)
			return rc;
	}
	return 0;
}

/* Zero every entry of an array map. */
static int
array_clear(struct bpf_map *map)
{
	size_t size = bpf_map__value_size(map);
	uint32_t i;
	void *zero;
	int rc = 0;

	zero = calloc(1, size);
	if (zero == NULL)
		return -ENOMEM;
	for (i = 0; i < bpf_map__max_entries(map) && rc == 0; i++)
		rc = bpf_map_update_elem(bpf_map__fd(map), &i, zero, BPF_ANY);
	free(zero);
	return rc;
}

/* Set key 0 of a per-CPU array to byte b on every CPU. */
static int
percpu_fill(struct bpf_map *map, int b)
{
	size_t size = ((bpf_map__value_size(map) + 7) & ~(size_t)7) * (size_t)env.n_cpus;
	uint32_t zero = 0;
	void *v;
	int rc;

	v = malloc(size);
	if (v == NULL)
		return -ENOMEM;
	memset(v, b, size);
	rc = bpf_map_update_elem(bpf_map__fd(map), &zero, v, BPF_ANY);
	free(v);
	return rc;
}

/* Empty every storm-control bucket (fp_storm, every port, every CPU) and
 * the ICMP errors' (slot FP_XDP_STORM_ICMP).
 */
static int
storm_clear(void)
{
	struct fp_storm_bucket *zero = calloc((size_t)env.n_cpus, sizeof(*zero));
	uint32_t i;
	int rc = zero == NULL ? -ENOMEM : 0;

	for (i = 0; i <= FP_XDP_STORM_ICMP && rc == 0; i++)
		rc = bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_storm), &i, zero, BPF_ANY);
	free(zero);
	return rc;
}

/* Set or clear vni's bit in fp_vni. */
static int
vni_mark(uint32_t vni, int on)
{
	int fd = bpf_map__fd(env.skel->maps.fp_vni);
	uint32_t w = FP_XDP_VNI_WORD(vni);
	uint64_t bits;
	int rc;

	rc = bpf_map_lookup_elem(fd, &w, &bits);
	if (rc)
		return rc;
	bits = on ? bits | FP_XDP_VNI_BIT(vni) : bits & ~FP_XDP_VNI_BIT(vni);
	return bpf_map_update_elem(fd, &w, &bits, BPF_ANY);
}

/* Empty fp_flood and its shadow fp_vni. */
static int
flood_clear(void)
{
	struct fp_flood_key k;
	int rc;

	while (bpf_map_get_next_key(bpf_map__fd(env.skel->maps.fp_flood), NULL, &k) == 0) {
		rc = vni_mark(k.vni, 0);
		rc = rc ?: bpf_map_delete_elem(bpf_map__fd(env.skel->maps.fp_flood), &k);
		if (rc)
			return rc;
	}
	return 0;
}

/* Empty every map, as a fresh instance. */
static int
maps_reset(void)
{
	static const struct fp_ifslot no_slot;
	struct fp_xdp *s = env.skel;
	uint32_t i;
	int rc;

	rc = array_clear(s->maps.fp_port);
	rc = rc ?: array_clear(s->maps.fp_port_cfg);
	rc = rc ?: array_clear(s->maps.fp_host);
	rc = rc ?: hash_clear(s->maps.fp_vtep);
	rc = rc ?: hash_clear(s->maps.fp_fdb);
	rc = rc ?: flood_clear();
	rc = rc ?: hash_clear(s->maps.fp_neigh);
	rc = rc ?: hash_clear(s->maps.fp_ifport);
	rc = rc ?: hash_clear(s->maps.fp_ruleset);
	rc = rc ?: hash_clear(s->maps.fp_addrset);
	rc = rc ?: hash_clear(s->maps.fp_route);
	rc = rc ?: hash_clear(s->maps.fp_ct);
	rc = rc ?: array_clear(s->maps.fp_sg_cfg);
	rc = rc ?: hash_clear(s->maps.fp_vtep_src);
	rc = rc ?: array_clear(s->maps.fp_guard);
	rc = rc ?: storm_clear();
	i = FP_XDP_IFSLOT(IN_IFINDEX);
	rc = rc ?: bpf_map_update_elem(bpf_map__fd(s->maps.fp_ifslot), &i, &no_slot, BPF_ANY);
	rc = rc ?: percpu_fill(s->maps.fp_counters, 0);
	rc = rc ?: percpu_fill(s->maps.fp_trace_map, 0xff);
	for (i = 0; i < FP_PORT_MAX; i++)
		bpf_map_delete_elem(bpf_map__fd(s->maps.fp_tx), &i); /* absent: fine */
	return rc;
}

/* The map of a table, and whether it is an array (delete = zero value). */
static struct bpf_map *
table_map(uint16_t table, int *is_array)
{
	struct fp_xdp *s = env.skel;

	*is_array = table == FP_TABLE_PORT;
	switch (table) {
	case FP_TABLE_PORT:
		return s->maps.fp_port;
	case FP_TABLE_VTEP:
		return s->maps.fp_vtep;
	case FP_TABLE_FDB:
		return s->maps.fp_fdb;
	case FP_TABLE_FLOOD:
		return s->maps.fp_flood;
	case FP_TABLE_NEIGH:
		return s->maps.fp_neigh;
	case FP_TABLE_RULESET:
		return s->maps.fp_ruleset;
	case FP_TABLE_ADDRSET:
		return s->maps.fp_addrset;
	case FP_TABLE_ROUTE:
		return s->maps.fp_route;
	default:
		return NULL;
	}
}

/* A port entry that stops a port being filtered flushes its connections
 * from fp_ct, as fp-control's XDP backend does (and fp-dpdk's commit).
 */
static void
port_flush_check(const struct fp_case_entry *e)
{
	const struct fp_port_val *nv = (const void *)e->val;
	int fd = bpf_map__fd(env.skel->maps.fp_ct);
	uint32_t id = ((const struct fp_port_key *)(const void *)e->key)->port_id;
	struct fp_ct_key k, next;
	struct fp_port_val old;
	void *prev = NULL;

	if (bpf_map_lookup_elem(bpf_map__fd(env.skel->maps.fp_port), &id, &old) ||
	    old.role == FP_PORT_ROLE_NONE || !(old.flags & FP_PORT_F_SG) ||
	    (nv != NULL && (nv->flags & FP_PORT_F_SG)))
		return;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		if (next.zone == id && bpf_map_delete_elem(fd, &next) == 0) {
			prev = NULL;
			continue;
		}
		prev = &k;
	}
}

static int
entry_apply(const struct fp_case_entry *e, struct fp_report *r)
{
	static const uint8_t zero[sizeof(union fp_table_val)];
	int is_array, rc, flood = e->table == FP_TABLE_FLOOD;
	uint32_t vni = flood ? ((const struct fp_flood_key *)e->key)->vni : 0;
	struct fp_xdp_addrset_key ak;
	struct fp_xdp_route_key rk;
	const void *key = e->key;
	struct bpf_map *map;

	map = table_map(e->table, &is_array);
	if (map == NULL) {
		fp_mismatch(r, "line %u: unknown table %u", e->line, e->table);
		return -EINVAL;
	}
	/* fp_vni: set after the flood entry is added, cleared before it is
	 * deleted.
	 */
	if (e->table == FP_TABLE_PORT)
		port_flush_check(e);
	if (e->table == FP_TABLE_ADDRSET) {
		/* The LPM trie's key, as fp-control's XDP backend writes it. */
		const struct fp_addrset_key *k = (const void *)e->key;

		memset(&ak, 0, sizeof(ak));
		ak.prefixlen = FP_XDP_ADDRSET_PLEN(k->plen);
		ak.set_id = k->set_id;
		memcpy(ak.ip, k->ip.b, sizeof(ak.ip));
		key = &ak;
	}
	if (e->table == FP_TABLE_ROUTE) {
		/* The LPM trie's key, as fp-control's XDP backend writes it. */
		const struct fp_route_key *k = (const void *)e->key;

		memset(&rk, 0, sizeof(rk));
		fp_xdp_route_key_set(&rk, k->vrf, k->plen, k->ip.b);
		key = &rk;
	}
	rc = flood && e->val == NULL ? vni_mark(vni, 0) : 0;
	if (rc == 0 && e->val != NULL)
		rc = bpf_map_update_elem(bpf_map__fd(map), key, e->val, BPF_ANY);
	else if (rc == 0 && is_array)
		rc = bpf_map_update_elem(bpf_map__fd(map), key, zero, BPF_ANY);
	else if (rc == 0)
		rc = bpf_map_delete_elem(bpf_map__fd(map), key);
	if (rc == 0 && flood && e->val != NULL)
		rc = vni_mark(vni, 1);
	if (rc)
		fp_mismatch(r, "line %u: %s %s: %s", e->line, e->val ? "set" : "delete",
			    fp_case_table_name(e->table), strerror(-rc));
	return rc;
}

/* fp_sg_cfg's generation moves, as fp-control's XDP backend moves it
 * after a commit that changed a ruleset, an address set or a port.
 */
static int
sg_gen_bump(void)
{
	int fd = bpf_map__fd(env.skel->maps.fp_sg_cfg);
	struct fp_sg_cfg cfg;
	uint32_t zero = 0;
	int rc;

	rc = bpf_map_lookup_elem(fd, &zero, &cfg);
	if (rc)
		return rc;
	cfg.gen++;
	return bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
}

/* fp_vtep_src as fp-control's XDP backend keeps it (rebuilt from the
 * tables the transactions left), fp_guard as fp-xdp writes it from the
 * config.
 */
static int
guard_fill(const struct fp_case *c, struct fp_report *r)
{
	struct fp_xdp *s = env.skel;
	uint32_t zero = 0;
	int rc;

	rc = fp_backend_xdp_vtep_src_rebuild(
		bpf_map__fd(s->maps.fp_flood), bpf_map__fd(s->maps.fp_fdb),
		bpf_map__fd(s->maps.fp_vtep), bpf_map__fd(s->maps.fp_vtep_src),
		bpf_map__max_entries(s->maps.fp_vtep), NULL);
	if (rc == 0)
		rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_guard), &zero, &c->guard, BPF_ANY);
	if (rc) {
		fp_mismatch(r, "fp_vtep_src / fp_guard: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

/* Apply transactions from..to-1 of a case. */
static int
txns_apply(const struct fp_case *c, uint32_t from, uint32_t to, struct fp_report *r)
{
	static const uint16_t order[FP_TABLE_MAX] = FP_TABLE_SET_ORDER;
	uint32_t i, k;
	int o, sg;

	/* Each transaction as fp-dpdk commits it: sets in table order,
	 * then deletes in reverse table order.
	 */
	for (k = from; k < to; k++) {
		sg = 0;
		for (i = 0; i < c->n_entries; i++)
			sg |= c->entries[i].txn == k && (c->entries[i].table == FP_TABLE_RULESET ||
							 c->entries[i].table == FP_TABLE_ADDRSET ||
							 c->entries[i].table == FP_TABLE_PORT);
		for (o = 0; o < FP_TABLE_MAX; o++) {
			for (i = 0; i < c->n_entries; i++) {
				const struct fp_case_entry *e = &c->entries[i];

				if (e->txn == k && e->val != NULL && e->table == order[o] &&
				    entry_apply(e, r))
					return -EINVAL;
			}
		}
		for (o = FP_TABLE_MAX - 1; o >= 0; o--) {
			for (i = 0; i < c->n_entries; i++) {
				const struct fp_case_entry *e = &c->entries[i];

				if (e->txn == k && e->val == NULL && e->table == order[o] &&
				    entry_apply(e, r))
					return -EINVAL;
			}
		}
		if (sg && sg_gen_bump()) {
			fp_mismatch(r, "fp_sg_cfg: cannot move the generation");
			return -EIO;
		}
	}
	return guard_fill(c, r);
}

/* conntrack N: fp_ct is loaded with TABLE_LIMIT entries, so all but N
 * are taken by live connections of a zone no port has.
 */
static int
ct_fill(const struct fp_case *c, struct fp_report *r)
{
	struct fp_ct_val v = { .last_ns = UINT64_MAX / 2, .state = FP_CT_ESTABLISHED };
	struct fp_ct_key k = { .zone = 0xffff, .proto = 6 };
	uint32_t i, n;
	int rc;

	if (c->ct_size == 0)
		return 0;
	/* The cases count on fp-dpdk's capacity for conntrack.size
	 * (dataplane/ct.c: whole buckets of 30 slots filled to 90 %, at
	 * least two); the XDP table holds exactly its size, so as many
	 * entries as that capacity are left free.
	 */
	n = (c->ct_size * 100 + 30 * 90 - 1) / (30 * 90);
	n = (n < 2 ? 2 : n) * 30;
	if (n >= TABLE_LIMIT)
		return 0;
	for (i = 0; i < TABLE_LIMIT - n; i++) {
		memcpy(k.a.b, &i, sizeof(i));
		rc = bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_ct), &k, &v, BPF_NOEXIST);
		if (rc) {
			fp_mismatch(r, "filling fp_ct: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Install what a case describes into the maps; the input interface in
 * its fp_ifslot slot (via_slot), or in fp_ifport alone with another
 * interface in the slot.
 */
static int
maps_build(const struct fp_case *c, struct fp_report *r)
{
	struct fp_xdp *s = env.skel;
	struct fp_host_cfg host;
	uint32_t i, k, tx = TX_IFINDEX;
	int rc;

	rc = maps_reset();
	if (rc) {
		fp_mismatch(r, "resetting the maps: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < c->n_ports; i++) {
		const struct fp_case_port *p = &c->ports[i];
		struct fp_port_cfg cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.ifindex = FAKE_IFINDEX + p->id;
		cfg.role = p->role;
		cfg.mtu = p->mtu;
		memcpy(cfg.mac, p->mac, 6);
		snprintf(cfg.name, sizeof(cfg.name), "port%u", p->id);
		rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_port_cfg), &p->id, &cfg, BPF_ANY);
		if (rc == 0 && p->role != FP_PORT_ROLE_VM) {
			/* fp-xdp owns the entries of non-VM ports, as fp-dpdk. */
			struct fp_port_val pv;

			memset(&pv, 0, sizeof(pv));
			pv.role = p->role;
			pv.mtu = p->mtu;
			memcpy(pv.mac, p->mac, 6);
			rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_port), &p->id, &pv,
						 BPF_ANY);
		}
		if (rc == 0)
			rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_tx), &p->id, &tx, BPF_ANY);
		if (rc) {
			fp_mismatch(r, "port %u: %s", p->id, strerror(-rc));
			return rc;
		}
	}
	memset(&host, 0, sizeof(host));
	snprintf(host.host, sizeof(host.host), "test");
	for (i = 0; i < c->n_local_vteps && i < FP_XDP_LOCAL_VTEP_MAX; i++)
		host.local_vteps[i] = c->local_vteps[i];
	host.n_local_vteps = i;
	k = 0;
	rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_host), &k, &host, BPF_ANY);
	if (rc) {
		fp_mismatch(r, "fp_host: %s", strerror(-rc));
		return rc;
	}
	return ct_fill(c, r);
}

/* The input port of the next packet: in its fp_ifslot slot (via_slot),
 * or in fp_ifport alone with another interface in the slot.
 */
static int
in_port_set(uint32_t in_port, int via_slot, struct fp_report *r)
{
	struct fp_xdp *s = env.skel;
	uint32_t k, ifindex = IN_IFINDEX;
	int rc;

	rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_ifport), &ifindex, &in_port, BPF_ANY);
	if (rc) {
		fp_mismatch(r, "fp_ifport: %s", strerror(-rc));
		return rc;
	}
	{
		struct fp_ifslot slot = { .ifindex = via_slot ? ifindex : ifindex + FP_XDP_IFSLOTS,
					  .port = via_slot ? in_port : FP_PORT_MAX - 1 };

		k = FP_XDP_IFSLOT(ifindex);
		rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_ifslot), &k, &slot, BPF_ANY);
	}
	if (rc)
		fp_mismatch(r, "fp_ifslot: %s", strerror(-rc));
	return rc;
}

/* The trace the program wrote on the CPU it ran on. */
static int
trace_read(struct fp_trace *t)
{
	uint32_t zero = 0;
	struct fp_trace *v;
	int i, rc, found = -ENOENT;

	v = calloc((size_t)env.n_cpus, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	rc = bpf_map_lookup_elem(bpf_map__fd(env.skel->maps.fp_trace_map), &zero, v);
	for (i = 0; rc == 0 && i < env.n_cpus; i++) {
		if (v[i].verdict != UINT32_MAX) {
			*t = v[i];
			found = 0;
		}
	}
	free(v);
	return rc ? rc : found;
}

/* The counters summed over CPUs. */
static int
counters_read(struct fp_counters *sum)
{
	struct fp_counters *v;
	uint32_t zero = 0;
	int i, j, rc;

	v = calloc((size_t)env.n_cpus, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	rc = bpf_map_lookup_elem(bpf_map__fd(env.skel->maps.fp_counters), &zero, v);
	for (i = 0; rc == 0 && i < env.n_cpus; i++) {
		for (j = 0; j < FP_STAT_MAX; j++)
			sum->n[j] += v[i].n[j];
		for (j = 0; j < FP_DROP_MAX; j++)
			sum->drop[j] += v[i].drop[j];
	}
	free(v);
	return rc;
}

/* Role of a configured port, FP_PORT_ROLE_NONE if the case has none. */
static uint16_t
port_role(const struct fp_case *c, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < c->n_ports; i++) {
		if (c->ports[i].id == id)
			return c->ports[i].role;
	}
	return FP_PORT_ROLE_NONE;
}

/* What XDP must do for a case that is not a flood: one output frame on
 * the ingress port is XDP_TX (a reply, an ICMP error), on another port a
 * redirect; no output is XDP_DROP.
 */
static void
check_direct(const struct fp_case *c, uint32_t act, const struct fp_trace *t, const uint8_t *frame,
	     uint32_t len, struct fp_report *r)
{
	uint32_t exp_act, exp_drop = c->verdict == FP_CASE_VERDICT_DROP ? c->drop : FP_DROP_MAX;
	const struct fp_case_frame *o = c->n_outs ? &c->outs[0] : NULL;
	char what[64];

	if (c->n_outs > 1) {
		fp_mismatch(r,
			    "%u outputs expected: replication, but the case is not in tc_cases[]",
			    c->n_outs);
		return;
	}
	if (c->verdict == FP_CASE_VERDICT_PUNT) {
		fp_mismatch(r, "punt expected: the XDP program does not punt");
		return;
	}
	if (o == NULL)
		exp_act = XDP_DROP;
	else if (o->port == c->in.port)
		exp_act = XDP_TX;
	else
		exp_act = XDP_REDIRECT;
	if (act != exp_act)
		fp_mismatch(r, "action %s, expected %s", xdp_action_name(act),
			    xdp_action_name(exp_act));
	if (t->drop != exp_drop)
		fp_mismatch(r, "trace: drop %s, expected %s", fp_case_drop_name(t->drop),
			    fp_case_drop_name(exp_drop));
	if (o == NULL)
		return;
	if (t->out_port != o->port)
		fp_mismatch(r, "trace: egress port %u, expected %u (line %u)", t->out_port, o->port,
			    o->line);
	snprintf(what, sizeof(what), "output (line %u)", o->line);
	fp_frame_check(r, what, o->data, o->len, frame, len);
}

/* What XDP must do for a flood: pass the frame up to the tc program with
 * its metadata.  The frame passed up is the one every local port gets: the
 * input frame from a VM, the decapsulated frame from the underlay.
 */
static void
check_flood(const struct fp_case *c, const struct tc_case *tc, uint32_t act,
	    const struct fp_trace *t, const uint8_t *meta, uint32_t meta_len, const uint8_t *frame,
	    uint32_t len, struct fp_report *r)
{
	int from_vm = port_role(c, c->in.port) == FP_PORT_ROLE_VM;
	struct fp_xdp_meta exp = {
		.magic = FP_XDP_META_MAGIC,
		.vni = tc->vni,
		.in_port = c->in.port,
		.flags = from_vm ? FP_XDP_META_F_FROM_VM : 0,
		.sg_refused = tc_sg_refused(tc->name),
	};
	struct fp_xdp_meta got;
	uint32_t i;

	/* Each output is one copy; those on an underlay port are the vteps'. */
	exp.copies = (uint16_t)c->n_outs;
	for (i = 0; i < c->n_outs; i++)
		if (port_role(c, c->outs[i].port) == FP_PORT_ROLE_UNDERLAY)
			exp.encaps++;
	if (c->verdict != FP_CASE_VERDICT_TX || c->n_outs == 0) {
		fp_mismatch(r, "listed in tc_cases[] but the case expects no output");
		return;
	}
	if (act != XDP_PASS)
		fp_mismatch(r, "action %s, expected XDP_PASS (flood in tc)", xdp_action_name(act));
	if (t->drop != FP_DROP_MAX || t->out_port != FP_PORT_MAX)
		fp_mismatch(r, "trace: drop %s port %u, expected none", fp_case_drop_name(t->drop),
			    t->out_port);
	if (meta_len != sizeof(got)) {
		fp_mismatch(r, "%u bytes of metadata, expected struct fp_xdp_meta (%zu)", meta_len,
			    sizeof(got));
	} else {
		memcpy(&got, meta, sizeof(got));
		exp.nonce = got.nonce; /* random */
		if (memcmp(&got, &exp, sizeof(got)) != 0)
			fp_mismatch(r,
				    "fp_xdp_meta: magic %#x vni %u in_port %u flags %#x copies %u "
				    "encaps %u sg_refused %#" PRIx64 ", expected magic %#x vni %u "
				    "in_port %u flags %#x copies %u encaps %u sg_refused %#" PRIx64,
				    got.magic, got.vni, got.in_port, got.flags, got.copies,
				    got.encaps, (uint64_t)got.sg_refused, exp.magic, exp.vni,
				    exp.in_port, exp.flags, exp.copies, exp.encaps,
				    (uint64_t)exp.sg_refused);
	}
	if (from_vm && tc_is_routed(tc->name))
		fp_frame_check(r, "frame passed up (routed: as the local port gets it)",
			       c->outs[0].data, c->outs[0].len, frame, len);
	else if (from_vm)
		fp_frame_check(r, "frame passed up (the input)", c->in.data, c->in.len, frame, len);
	else
		fp_frame_check(r, "frame passed up (as the local ports get it)", c->outs[0].data,
			       c->outs[0].len, frame, len);
}

/* Run one packet of a case (c: its view) on the maps as they are;
 * returns its result.
 */
static int
packet_run(const struct fp_case *c, const struct tc_case *tc, int is_short, struct fp_report *r)
{
	static uint8_t out[OUT_MAX];
	struct xdp_md ctx_in, ctx_out;
	struct fp_counters cnt;
	struct fp_trace t = { 0 };
	uint32_t meta_len;
	int rc;

	rc = percpu_fill(env.skel->maps.fp_counters, 0);
	rc = rc ?: percpu_fill(env.skel->maps.fp_trace_map, 0xff);
	if (rc) {
		fp_mismatch(r, "resetting the counters: %s", strerror(-rc));
		return RES_MISMATCH;
	}
	memset(&ctx_in, 0, sizeof(ctx_in));
	memset(&ctx_out, 0, sizeof(ctx_out));
	ctx_in.data_end = c->in.len;
	ctx_in.ingress_ifindex = IN_IFINDEX;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->in.data, .data_size_in = c->in.len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	rc = bpf_prog_test_run_opts(bpf_program__fd(env.skel->progs.fp_xdp_rx), &opts);
	if (is_short) {
		if (c->in.len >= 14)
			fp_mismatch(r, "listed in short_cases[] but the frame has %u bytes",
				    c->in.len);
		if (rc != -EINVAL)
			fp_mismatch(r, "bpf_prog_test_run_opts: %s, expected EINVAL (%s)",
				    rc ? strerror(-rc) : "ran", SHORT_REASON);
		return r->n ? RES_MISMATCH : RES_SHORT;
	}
	if (rc) {
		fp_mismatch(r, "bpf_prog_test_run_opts: %s", strerror(-rc));
		return RES_MISMATCH;
	}
	rc = trace_read(&t);
	if (rc) {
		fp_mismatch(r, "no fp_trace written: %s", strerror(-rc));
		return RES_MISMATCH;
	}
	if (t.verdict != opts.retval)
		fp_mismatch(r, "trace: verdict %u, the program returned %u", t.verdict,
			    opts.retval);
	meta_len = ctx_out.data;
	if (meta_len > opts.data_size_out) {
		fp_mismatch(r, "metadata of %u bytes in an output of %u", meta_len,
			    opts.data_size_out);
		return RES_MISMATCH;
	}
	if (tc != NULL)
		check_flood(c, tc, opts.retval, &t, out, meta_len, out + meta_len,
			    opts.data_size_out - meta_len, r);
	else if (meta_len != 0)
		fp_mismatch(r, "%u bytes of metadata on a frame not passed to tc", meta_len);
	else
		check_direct(c, opts.retval, &t, out, opts.data_size_out, r);
	rc = counters_read(&cnt);
	if (rc)
		fp_mismatch(r, "reading fp_counters: %s", strerror(-rc));
	else
		fp_check_counters(r, c, &cnt);
	if (r->n)
		return RES_MISMATCH;
	return tc != NULL ? RES_TC : RES_IDENTICAL;
}

/* Run one case, the input port found as via_slot says: its packets in
 * order (a sequence: the earlier ones first, each after the
 * transactions before it, on the same connection table); returns the
 * last one's result.
 */
static int
case_run(const struct fp_case *c, const struct tc_case *tc, int is_short, int via_slot,
	 struct fp_report *r)
{
	uint32_t i, to, applied = 0;
	int res = RES_MISMATCH;
	struct fp_case view;

	if (maps_build(c, r))
		return RES_MISMATCH;
	for (i = 0; i <= c->n_steps && !r->n; i++) {
		to = i < c->n_steps ? c->steps[i].n_txns : c->n_txns;
		if (txns_apply(c, applied, to, r))
			return RES_MISMATCH;
		applied = to;
		fp_case_step_view(c, i, &view);
		if (in_port_set(view.in.port, via_slot, r))
			return RES_MISMATCH;
		res = packet_run(&view, i == c->n_steps ? tc : NULL, is_short, r);
		if (r->n && c->n_steps)
			print_error("%s: packet %u of %u (line %u)\n", c->name, i + 1,
				    c->n_steps + 1, view.in.line);
	}
	return res;
}

static void
test_xdp_cases_run(void **state)
{
	struct case_test *ct = *state;
	struct fp_report r = { .name = ct->name };
	const struct tc_case *tc = tc_case_find(ct->name);
	int sh = short_case_find(ct->name);
	struct fp_case c;
	char err[512];
	int rc;

	if (!env.privileged || env.skel == NULL) {
		ct->result = RES_SKIPPED;
		skip();
	}
	rc = fp_case_load(ct->path, &c, err, sizeof(err));
	if (rc) {
		fp_case_free(&c);
		ct->result = RES_MISMATCH;
		fail_msg("%s", err);
	}
	if (!(c.engines & FP_CASE_ENGINE_XDP)) {
		/* Stated in the case file: never a silent skip. */
		print_message("%s: not run by the XDP engine: %s\n", ct->name, c.engines_why);
		fp_case_free(&c);
		ct->result = RES_SKIPPED;
		skip();
	}
	if (tc != NULL)
		env.tc_seen[tc - tc_cases] = 1;
	if (sh >= 0)
		env.short_seen[sh] = 1;
	r.way = "input port in fp_ifslot";
	ct->result = case_run(&c, tc, sh >= 0, 1, &r);
	if (!r.n) {
		r.way = "input port in fp_ifport only";
		ct->result = case_run(&c, tc, sh >= 0, 0, &r);
	}
	if (r.n)
		print_error("%s: %s (%s)\n", ct->name, c.desc, ct->path);
	fp_case_free(&c);
	if (r.n)
		fail_msg("%s: %u mismatch(es)", ct->name, r.n);
}

/* Every case of tc_cases[] and short_cases[] must exist: a stale entry
 * hides nothing.
 */
static void
test_xdp_cases_tc_list(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	if (!env.privileged || env.skel == NULL)
		skip();
	for (i = 0; i < N_TC_CASES; i++) {
		if (!env.tc_seen[i]) {
			print_error("tc_cases[]: %s: no such case file\n", tc_cases[i].name);
			bad = 1;
		}
	}
	for (i = 0; i < N_SHORT_CASES; i++) {
		if (!env.short_seen[i]) {
			print_error("short_cases[]: %s: no such case file\n", short_cases[i]);
			bad = 1;
		}
	}
	if (bad)
		fail_msg("tc_cases[] or short_cases[] name cases that do not exist");
}

/* The program verifies with room to spare: the instructions the verifier
 * walked stay under VERIFIER_BUDGET, well below the kernel's limit of 1M,
 * so a larger path or another kernel's verifier does not tip it over.
 * (Inlining the rare loops, checksums to the end, would cost 0.5M.)
 */
static void
test_xdp_verifier_budget(void **state)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	(void)state;
	if (!env.privileged || env.skel == NULL)
		skip();
	memset(&info, 0, sizeof(info));
	assert_int_equal(
		bpf_obj_get_info_by_fd(bpf_program__fd(env.skel->progs.fp_xdp_rx), &info, &len), 0);
	print_message("fp_xdp_rx: the verifier walked %u instructions (budget %u)\n",
		      info.verified_insns, VERIFIER_BUDGET);
	assert_true(info.verified_insns > 0);
	assert_true(info.verified_insns <= VERIFIER_BUDGET);
}

/* Run frame f on input port in_port (fp_ifslot and fp_ifport point the
 * test interface at it) without touching the other maps; the trace.
 */
static void
storm_run(const struct fp_case_frame *f, uint32_t in_port, struct fp_trace *t)
{
	static uint8_t out[OUT_MAX];
	struct fp_ifslot slot = { .ifindex = IN_IFINDEX, .port = in_port };
	uint32_t ifindex = IN_IFINDEX, k = FP_XDP_IFSLOT(IN_IFINDEX);
	struct xdp_md ctx_in;

	memset(&ctx_in, 0, sizeof(ctx_in));
	ctx_in.data_end = f->len;
	ctx_in.ingress_ifindex = IN_IFINDEX;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = 1);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_ifport), &ifindex, &in_port, 0),
		0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_ifslot), &k, &slot, 0),
			 0);
	assert_int_equal(percpu_fill(env.skel->maps.fp_trace_map, 0xff), 0);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(env.skel->progs.fp_xdp_rx), &opts),
			 0);
	assert_int_equal(trace_read(t), 0);
}

/* Storm control on the XDP engine (the sequence of vm_storm_control, which
 * the case runner cannot run): at 1 flood/s and burst 2, port 0's third
 * flood in a row is dropped on the CPU that ran the first two (the test
 * runs on CPU 0 alone: the buckets are per CPU); its unicast is not
 * limited, nor are port 3's floods; with storm_control_pps 0 nothing is.
 */
static void
test_xdp_storm_control(void **state)
{
	const char *root = getenv("FP_SRCDIR");
	struct fp_report r = { .name = "xdp_storm_control" };
	struct fp_case c, v0, v3, v4;
	struct fp_guard_cfg g;
	struct fp_trace t;
	char path[PATH_MAX], err[512];
	cpu_set_t cpus;
	uint32_t zero = 0;
	int i;

	(void)state;
	if (!env.privileged || env.skel == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/tests/cases/vm_storm_control.case",
		 root != NULL && *root ? root : ".");
	if (fp_case_load(path, &c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c.n_steps, 4);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	assert_int_equal(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	fp_case_step_view(&c, 0, &v0); /* port 0: unknown unicast */
	fp_case_step_view(&c, 3, &v3); /* port 0: unicast to port 2 */
	fp_case_step_view(&c, 4, &v4); /* port 3: broadcast */
	assert_int_equal(maps_build(&c, &r), 0);
	assert_int_equal(txns_apply(&c, 0, c.n_txns, &r), 0);
	for (i = 0; i < 3; i++) {
		storm_run(&v0.in, 0, &t);
		if (i < 2 && t.kind != FP_XDP_V_FLOOD)
			fail_msg("flood %d: kind %u drop %u, expected a flood", i + 1, t.kind,
				 t.drop);
		if (i == 2 && t.drop != FP_DROP_STORM_CONTROL)
			fail_msg("flood 3: drop %u, expected storm_control", t.drop);
	}
	storm_run(&v3.in, 0, &t);
	assert_int_equal(t.kind, FP_XDP_V_LOCAL);
	storm_run(&v4.in, 3, &t);
	assert_int_equal(t.kind, FP_XDP_V_FLOOD);
	/* Off: the same port floods on. */
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(env.skel->maps.fp_guard), &zero, &g), 0);
	g.storm_pps = 0;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_guard), &zero, &g, 0),
			 0);
	storm_run(&v0.in, 0, &t);
	assert_int_equal(t.kind, FP_XDP_V_FLOOD);
	CPU_ZERO(&cpus);
	for (i = 0; i < env.n_cpus && i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	assert_int_equal(r.n, 0);
	fp_case_free(&c);
}

/* ICMP error rate limit on the XDP engine (test_cases' icmp_rate_limit):
 * on CPU 0 alone (the bucket is per CPU), at 1 error/s and burst 5, N
 * copies of a case whose packet draws one ICMP error (the routing step's
 * time exceeded, unreachable, too big; the tunnel's too big) give 5
 * errors (the case's bytes) then drops with the case's reason, the
 * others counted icmp_rate_limited; with icmp_pps 0 every copy gets its
 * error.
 */
static void
test_xdp_icmp_rate_limit(void **state)
{
	static const char *const names[] = {
		"rt_ttl1_v4",	 "rt_hlim1_v6",		 "rt_no_route_v4",
		"rt_too_big_v6", "rt_tunnel_too_big_v4", "vm_too_big_v4_df",
	};
	enum { N = 12, BURST = 5 };
	static const uint32_t pps[] = { 1, 0 };
	static uint8_t out[OUT_MAX];
	const char *root = getenv("FP_SRCDIR");
	struct fp_report r = { .name = "xdp_icmp_rate_limit" };
	struct fp_counters cnt;
	struct fp_case c;
	char path[PATH_MAX], err[512];
	cpu_set_t cpus;
	uint32_t i, k, j, want, ifindex = IN_IFINDEX, slot_k = FP_XDP_IFSLOT(IN_IFINDEX);
	int cpu;

	(void)state;
	if (!env.privileged || env.skel == NULL)
		skip();
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	assert_int_equal(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		snprintf(path, sizeof(path), "%s/tests/cases/%s.case",
			 root != NULL && *root ? root : ".", names[k]);
		if (fp_case_load(path, &c, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(c.n_outs, 1);
		assert_true(c.n_stats >= 1); /* the first: the error's counter */
		assert_int_equal(c.verdict, FP_CASE_VERDICT_DROP);
		for (j = 0; j < sizeof(pps) / sizeof(pps[0]); j++) {
			struct fp_ifslot slot = { .ifindex = IN_IFINDEX, .port = c.in.port };

			c.guard.icmp_pps = pps[j];
			c.guard.icmp_burst = BURST;
			assert_int_equal(maps_build(&c, &r), 0);
			assert_int_equal(txns_apply(&c, 0, c.n_txns, &r), 0);
			assert_int_equal(bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_ifport),
							     &ifindex, &c.in.port, 0),
					 0);
			assert_int_equal(bpf_map_update_elem(bpf_map__fd(env.skel->maps.fp_ifslot),
							     &slot_k, &slot, 0),
					 0);
			want = pps[j] == 0 ? N : BURST;
			for (i = 0; i < N; i++) {
				struct xdp_md ctx_in;

				memset(&ctx_in, 0, sizeof(ctx_in));
				ctx_in.data_end = c.in.len;
				ctx_in.ingress_ifindex = IN_IFINDEX;
				LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c.in.data,
					    .data_size_in = c.in.len, .data_out = out,
					    .data_size_out = sizeof(out), .ctx_in = &ctx_in,
					    .ctx_size_in = sizeof(ctx_in), .repeat = 1);
				assert_int_equal(
					bpf_prog_test_run_opts(
						bpf_program__fd(env.skel->progs.fp_xdp_rx), &opts),
					0);
				if (i < want &&
				    (opts.retval != XDP_TX || opts.data_size_out != c.outs[0].len ||
				     memcmp(out, c.outs[0].data, c.outs[0].len) != 0))
					fp_mismatch(
						&r,
						"%s icmp_pps %u: packet %u: %s, not the case's error",
						c.name, pps[j], i, xdp_action_name(opts.retval));
				if (i >= want && opts.retval != XDP_DROP)
					fp_mismatch(
						&r,
						"%s icmp_pps %u: packet %u: %s, expected a drop",
						c.name, pps[j], i, xdp_action_name(opts.retval));
			}
			assert_int_equal(counters_read(&cnt), 0);
			if (cnt.n[c.stats[0].id] != want ||
			    cnt.n[FP_STAT_ICMP_RATE_LIMITED] != N - want || cnt.drop[c.drop] != N ||
			    cnt.n[FP_STAT_DROP] != N)
				fp_mismatch(&r,
					    "%s icmp_pps %u: sent %" PRIu64
					    ", icmp_rate_limited %" PRIu64 ", dropped %" PRIu64
					    " (expected %u, %u, %u)",
					    c.name, pps[j], (uint64_t)cnt.n[c.stats[0].id],
					    (uint64_t)cnt.n[FP_STAT_ICMP_RATE_LIMITED],
					    (uint64_t)cnt.drop[c.drop], want, N - want, N);
		}
		fp_case_free(&c);
	}
	CPU_ZERO(&cpus);
	for (cpu = 0; cpu < env.n_cpus && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (r.n)
		fail_msg("xdp_icmp_rate_limit: %u mismatch(es)", r.n);
}

/* The routing cases that share one table set (gen_cases.py route_world())
 * and enter on VM port 0, one after the other on the same maps, as
 * test_cases.c's route_burst runs them as one burst: each packet must give
 * what it gives alone (nothing a packet leaves in the per-CPU verdict or
 * the maps changes the next one's route, counters or output).
 */
static void
test_xdp_route_sequence(void **state)
{
	static const char *const names[] = {
		"rt_local_v4", "rt_vtep_v4",	    "rt_local_v4",	   "rt_ttl1_v4",
		"rt_local_v6", "rt_vtep_v6",	    "rt_nexthop_v4",	   "rt_no_route_v4",
		"rt_local_v4", "rt_ping_router_v4", "rt_neigh_missing_v4", "rt_too_big_v4",
		"rt_hlim1_v6", "rt_exact_mtu_v4",   "rt_vtep_v4",	   "rt_blackhole_v4",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	const char *root = getenv("FP_SRCDIR");
	struct fp_report r = { .name = "xdp_route_sequence", .way = "one map set" };
	struct fp_case c[N];
	char path[PATH_MAX], err[512];
	uint32_t i;

	(void)state;
	if (!env.privileged || env.skel == NULL)
		skip();
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/tests/cases/%s.case",
			 root != NULL && *root ? root : ".", names[i]);
		if (fp_case_load(path, &c[i], err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(c[i].in.port, 0);
	}
	assert_int_equal(maps_build(&c[0], &r), 0);
	assert_int_equal(txns_apply(&c[0], 0, c[0].n_txns, &r), 0);
	assert_int_equal(in_port_set(0, 1, &r), 0);
	for (i = 0; i < N && r.n == 0; i++)
		if (packet_run(&c[i], NULL, 0, &r) != RES_IDENTICAL)
			print_error("xdp_route_sequence: packet %u (%s)\n", i + 1, names[i]);
	for (i = 0; i < N; i++)
		fp_case_free(&c[i]);
	if (r.n)
		fail_msg("xdp_route_sequence: %u mismatch(es)", r.n);
}

static void
test_xdp_cases_none(void **state)
{
	(void)state;
	fail_msg("no *.case files found; set FP_SRCDIR to the project root");
}

static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int
group_setup(void **state)
{
	struct fp_xdp *s;
	struct bpf_map *map;
	int rc;

	(void)state;
	env.privileged = privileged();
	if (!env.privileged)
		return 0; /* every test skips */
	libbpf_set_print(libbpf_print);
	env.n_cpus = libbpf_num_possible_cpus();
	if (env.n_cpus <= 0) {
		print_error("libbpf_num_possible_cpus: %s\n", strerror(-env.n_cpus));
		return -1;
	}
	s = fp_xdp__open();
	if (s == NULL) {
		print_error("fp_xdp__open: %s\n", strerror(errno));
		return -1;
	}
	/* Private maps: nothing pinned, nothing reused from /sys/fs/bpf. */
	for (map = bpf_object__next_map(s->obj, NULL); map != NULL;
	     map = bpf_object__next_map(s->obj, map)) {
		rc = bpf_map__set_pin_path(map, NULL);
		if (rc == 0 && bpf_map__type(map) == BPF_MAP_TYPE_HASH &&
		    bpf_map__max_entries(map) > TABLE_LIMIT)
			rc = bpf_map__set_max_entries(map, TABLE_LIMIT);
		if (rc) {
			print_error("map %s: %s\n", bpf_map__name(map), strerror(-rc));
			fp_xdp__destroy(s);
			return -1;
		}
	}
	s->rodata->fp_trace_on = 1;
	rc = fp_xdp__load(s);
	if (rc) {
		fp_xdp__destroy(s);
		if (rc == -EPERM) {
			env.privileged = 0; /* no CAP_BPF after all: skip */
			return 0;
		}
		print_error("fp_xdp__load: %s\n", strerror(-rc));
		return -1;
	}
	env.skel = s;
	return 0;
}

static const char *const result_names[RES_MAX] = {
#define RESULT_NAME(id, name) name,
	FOREACH_RESULT(RESULT_NAME)
#undef RESULT_NAME
};

static int
group_teardown(void **state)
{
	int count[RES_MAX] = { 0 }, i;

	(void)state;
	for (i = 0; i < n_cts; i++)
		count[cts[i].result]++;
	if (count[RES_TC]) {
		print_message("handled in tc (XDP_PASS with fp_xdp_meta, copies made by tc):\n");
		for (i = 0; i < n_cts; i++) {
			const struct tc_case *tc = tc_case_find(cts[i].name);

			if (cts[i].result == RES_TC && tc != NULL)
				print_message("  %s: %s\n", tc->name, tc->reason);
		}
	}
	if (count[RES_SHORT]) {
		print_message("not runnable in XDP (%s):\n", SHORT_REASON);
		for (i = 0; i < n_cts; i++) {
			if (cts[i].result == RES_SHORT)
				print_message("  %s\n", cts[i].name);
		}
	}
	if (count[RES_MISMATCH]) {
		print_message("mismatching:\n");
		for (i = 0; i < n_cts; i++) {
			if (cts[i].result == RES_MISMATCH)
				print_message("  %s\n", cts[i].name);
		}
	}
	print_message(
		"xdp_cases: %d cases, %d identical, %d handled in tc, %d not runnable in XDP, "
		"%d %s, %d %s\n",
		n_cts, count[RES_IDENTICAL], count[RES_TC], count[RES_SHORT], count[RES_MISMATCH],
		result_names[RES_MISMATCH], count[RES_SKIPPED] + count[RES_NOT_RUN],
		result_names[RES_SKIPPED]);
	fp_xdp__destroy(env.skel);
	env.skel = NULL;
	return 0;
}

static int
case_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".case") == 0;
}

int
main(void)
{
	const char *root = getenv("FP_SRCDIR");
	struct CMUnitTest *tests;
	struct dirent **names = NULL;
	char dir[PATH_MAX];
	int n, i, rc;

	if (root == NULL || *root == '\0')
		root = ".";
	snprintf(dir, sizeof(dir), "%s/tests/cases", root);
	n = scandir(dir, &names, case_filter, alphasort);
	if (n <= 0) {
		const struct CMUnitTest none[] = {
			cmocka_unit_test(test_xdp_cases_none),
		};

		free(names);
		return cmocka_run_group_tests_name("xdp_cases", none, NULL, NULL);
	}
	tests = calloc((size_t)n + 5, sizeof(*tests));
	cts = calloc((size_t)n, sizeof(*cts));
	if (tests == NULL || cts == NULL) {
		fprintf(stderr, "test_xdp_cases: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name) - 5;

		snprintf(cts[i].path, sizeof(cts[i].path), "%s/%s", dir, names[i]->d_name);
		if (len >= sizeof(cts[i].name))
			len = sizeof(cts[i].name) - 1;
		memcpy(cts[i].name, names[i]->d_name, len);
		cts[i].name[len] = '\0';
		tests[i].name = cts[i].name;
		tests[i].test_func = test_xdp_cases_run;
		tests[i].initial_state = &cts[i];
		free(names[i]);
	}
	free(names);
	n_cts = n;
	tests[n].name = "case_lists";
	tests[n].test_func = test_xdp_cases_tc_list;
	tests[n + 1].name = "verifier_budget";
	tests[n + 1].test_func = test_xdp_verifier_budget;
	tests[n + 2].name = "xdp_storm_control";
	tests[n + 2].test_func = test_xdp_storm_control;
	tests[n + 3].name = "xdp_route_sequence";
	tests[n + 3].test_func = test_xdp_route_sequence;
	tests[n + 4].name = "xdp_icmp_rate_limit";
	tests[n + 4].test_func = test_xdp_icmp_rate_limit;
	/* cmocka_run_group_tests_name() takes a static array; this list is
	 * built from the directory, so call what the macro expands to.
	 */
	rc = _cmocka_run_group_tests("xdp_cases", tests, (size_t)n + 5, group_setup,
				     group_teardown);
	free(tests);
	free(cts);
	return rc;
}
