/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane XDP engine ABI: the pinned BPF maps shared by the programs in
 * bpf/, the fp-xdp tool that loads them and fp-control's XDP backend.
 *
 * An instance is one set of maps pinned under FP_XDP_PIN_ROOT/<instance>/
 * (one per host, usually "default").  Programs attached to the host's
 * interfaces share them, and they outlive fp-xdp and fp-control, so
 * forwarding goes on while either restarts.
 *
 * The table maps are keyed by the ABI structs of tables.h, as the DPDK
 * tables are:
 *   fp_port   ARRAY  FP_PORT_MAX   __u32 port id   -> struct fp_port_val
 *             (role FP_PORT_ROLE_NONE: no entry; underlay entries belong
 *             to fp-xdp's configuration, as in fp-dpdk)
 *   fp_vtep   HASH   vtep limit    struct fp_vtep_key  -> struct fp_vtep_val
 *   fp_fdb    HASH   fdb limit     struct fp_fdb_key   -> struct fp_fdb_val
 *   fp_flood  HASH   flood limit   struct fp_flood_key -> struct fp_flood_val
 *   fp_neigh  HASH   neigh limit   struct fp_neigh_key -> struct fp_neigh_val
 * and the engine's own:
 *   fp_port_cfg  ARRAY FP_PORT_MAX  __u32 port id -> struct fp_port_cfg
 *   fp_host      ARRAY 1            __u32 0       -> struct fp_host_cfg
 *   fp_tx        DEVMAP FP_PORT_MAX __u32 port id -> ifindex (redirects)
 *   fp_ifport    HASH  FP_PORT_MAX  __u32 ifindex -> __u32 port id
 *   fp_ifslot    ARRAY FP_XDP_IFSLOTS  ifindex % FP_XDP_IFSLOTS -> struct fp_ifslot
 *                (fp_ifport's direct-mapped index, looked up first: an
 *                interface whose slot another one holds is found in
 *                fp_ifport alone)
 *   fp_vni       ARRAY FP_XDP_VNI_WORDS  vni / 64 -> __u64, bit vni % 64:
 *                the VNIs fp_flood has an entry for (its shadow; set
 *                after the entry is added, cleared before it is deleted)
 *   fp_counters  PERCPU_ARRAY 1     __u32 0       -> struct fp_counters
 * and the security groups' (doc/security-groups.md, doc/xdp.md):
 *   fp_ruleset   HASH  ruleset limit  struct fp_ruleset_key -> struct fp_ruleset_val
 *   fp_addrset   LPM_TRIE addrset limit  struct fp_xdp_addrset_key -> struct fp_addrset_val
 *                (fp-control's struct fp_addrset_key, translated: a set's
 *                members never match another set's addresses)
 *   fp_ct        HASH (preallocated) conntrack.size  struct fp_ct_key -> struct fp_ct_val
 *                (written by the programs; expired entries are freed by
 *                fp-xdp run's sweep; not LRU: a full table refuses new
 *                connections, it never evicts live ones)
 *   fp_sg_cfg    ARRAY 1            __u32 0       -> struct fp_sg_cfg
 *   fp_sg_drops  PERCPU_ARRAY FP_PORT_MAX  __u32 port id -> struct fp_sg_drops
 *   fp_vtep_src  HASH  fdb + 64 * flood limit (not preallocated)
 *                struct fp_vtep_src_key -> __u32 references: the remote
 *                vtep addresses serving a VNI (flood members and fdb
 *                entries of the VNI naming a vtep with that address),
 *                fp-control's XDP backend's shadow of fp_flood, fp_fdb and
 *                fp_vtep (a reference is counted before the entry that
 *                makes it is written, and dropped after the entry that
 *                held it is replaced)
 *   fp_guard     ARRAY 1            __u32 0       -> struct fp_guard_cfg
 *                (fp-xdp writes it from the config's guard group)
 *   fp_storm     PERCPU_ARRAY FP_PORT_MAX + 1  port id -> struct fp_storm_bucket
 *                (the program's own: storm control per VM port, per CPU;
 *                slot FP_XDP_STORM_ICMP: the ICMP errors' bucket, per CPU)
 * and the distributed router's (doc/routing.md, doc/xdp.md "Routing"):
 *   fp_route     LPM_TRIE route limit  struct fp_xdp_route_key -> struct fp_route_val
 *                (fp-control's struct fp_route_key, translated: the
 *                family is part of the key, so an IPv4 destination only
 *                matches IPv4 routes, as in fp-dpdk)
 *
 * Updates: entries are changed in make-before-break order
 * (FP_TABLE_SET_ORDER), so a packet never finds an entry pointing at
 * something missing.  A hash map entry is replaced whole (the kernel swaps
 * in a new element), a program never sees it half written; an array entry
 * is copied over in place, and a program reading it meanwhile may see
 * some bytes old and some new.  So the tables a changed entry may be
 * read from while traffic flows are hashes, and the arrays are written so
 * that a half-written entry is harmless: fp_vni changes one bit at a time,
 * fp_ifslot one field at a time (see struct fp_ifslot), and a VM port's
 * fp_port entry changes only while its role is none (the role goes to
 * none; once every program run that may have read the old role has ended,
 * an RCU grace period, the fields change; the role comes back: the port's
 * frames are dropped as unconfigured meanwhile, ~10 ms).
 */
#ifndef FLOWPLANE_XDP_H
#define FLOWPLANE_XDP_H

#include <linux/types.h>

#include "tables.h"

#define FP_XDP_PIN_ROOT "/sys/fs/bpf/flowplane" /* pinned maps: <root>/<instance>/<map> */
#define FP_XDP_INSTANCE_SIZE 32			/* instance names, NUL included */
#define FP_XDP_LOCAL_VTEP_MAX 4			/* local VTEP addresses */
#define FP_XDP_IFSLOTS 4096			/* fp_ifslot entries (a power of 2) */
#define FP_XDP_IFSLOT(ifindex) ((__u32)(ifindex) & (FP_XDP_IFSLOTS - 1)) /* its fp_ifslot key */
#define FP_XDP_VNI_WORDS ((FP_VNI_MAX + 1) / 64)			 /* fp_vni entries */
/* fp_vni: VNI vni is the bit FP_XDP_VNI_BIT(vni) of word FP_XDP_VNI_WORD(vni). */
#define FP_XDP_VNI_WORD(vni) ((__u32)(((vni)&FP_VNI_MAX) / 64))
#define FP_XDP_VNI_BIT(vni) (1ULL << ((vni) % 64))

/* Pinned map names: FP_XDP_MAP_<ID>, "name". */
#define FP_FOREACH_XDP_MAP(_)      \
	_(PORT, "fp_port")         \
	_(VTEP, "fp_vtep")         \
	_(FDB, "fp_fdb")           \
	_(FLOOD, "fp_flood")       \
	_(NEIGH, "fp_neigh")       \
	_(PORT_CFG, "fp_port_cfg") \
	_(HOST, "fp_host")         \
	_(TX, "fp_tx")             \
	_(IFPORT, "fp_ifport")     \
	_(IFSLOT, "fp_ifslot")     \
	_(VNI, "fp_vni")           \
	_(COUNTERS, "fp_counters") \
	_(RULESET, "fp_ruleset")   \
	_(ADDRSET, "fp_addrset")   \
	_(CT, "fp_ct")             \
	_(SG_CFG, "fp_sg_cfg")     \
	_(SG_DROPS, "fp_sg_drops") \
	_(VTEP_SRC, "fp_vtep_src") \
	_(GUARD, "fp_guard")       \
	_(STORM, "fp_storm")       \
	_(ROUTE, "fp_route")

#define FP_XDP_MAP_ENUM(id, name) FP_XDP_MAP_##id,
enum fp_xdp_map { FP_FOREACH_XDP_MAP(FP_XDP_MAP_ENUM) FP_XDP_MAP_MAX };
#undef FP_XDP_MAP_ENUM

/* A port's device, as fp-xdp configured it (fp_port_cfg, by port id). */
struct fp_port_cfg {
	__u32 ifindex;		 /* kernel interface; 0: no such port */
	__u16 role;		 /* FP_PORT_ROLE_* */
	__u16 mtu;		 /* L3 MTU */
	__u8 mac[6];		 /* device MAC */
	__u16 flags;		 /* reserved, zero */
	char name[FP_NAME_SIZE]; /* name from the config */
};

/* An fp_ifslot entry: interface ifindex is port port (ifindex 0: free).
 * fp-xdp writes a slot after the fp_ifport entry on attach and before it
 * on removal, changing one field per write: the ifindex to 0 (the slot
 * matches nothing), then the port, then the new ifindex.  The program
 * reads the slot with one 8-byte load.  So whatever it reads while a
 * slot is rewritten in place, a slot that matches an ifindex carries that
 * interface's port, old or new.
 */
struct fp_ifslot {
	__u32 ifindex; /* the interface; 0: the slot is free */
	__u32 port;    /* its logical port id */
};

/* The host (fp_host, key 0). */
struct fp_host_cfg {
	char host[FP_NAME_SIZE];			 /* host name (binding:host_id) */
	struct fp_ip local_vteps[FP_XDP_LOCAL_VTEP_MAX]; /* our VTEP addresses */
	__u32 n_local_vteps;				 /* valid local_vteps */
	__u32 generation;				 /* bumped by fp-xdp on every attach */
};

/* One CPU's counters (fp_counters): the ids of FP_FOREACH_STAT and
 * FP_FOREACH_DROP, as fp-dpdk's workers count them.
 */
struct fp_counters {
	__u64 n[FP_STAT_MAX];	 /* FP_STAT_* */
	__u64 drop[FP_DROP_MAX]; /* FP_DROP_* */
};

/* An address-set member as the LPM trie fp_addrset holds it: the set id
 * is the key's first 32 bits, always matched (prefixlen = 32 + the
 * member's prefix length in IPv6 bits), so a lookup of (set, address)
 * with prefixlen 160 finds a member of that set only.
 */
struct fp_xdp_addrset_key {
	__u32 prefixlen; /* 32 + fp_addrset_key.plen */
	__u32 set_id;	 /* fp_addrset_key.set_id */
	__u8 ip[16];	 /* fp_addrset_key.ip */
};

#define FP_XDP_ADDRSET_PLEN(plen) (32 + (__u32)(plen)) /* prefixlen of a member */

/* A route as the LPM trie fp_route holds it: the vrf and the family (and
 * the pad, always zero, which puts the address on an 8-byte boundary) are
 * always matched (prefixlen = 96 + fp_route_key.plen), so a lookup of
 * (vrf, family, address) with prefixlen FP_XDP_ROUTE_PLEN(128) finds the
 * longest route of that vrf and family only.  An IPv4 route (plen >= 96
 * over ::ffff:0:0/96, as struct fp_route_key stores it) has family
 * FP_XDP_ROUTE_V4: without it an IPv6 ::/0 (or any IPv6 prefix shorter
 * than 96 bits over ::) would be a route for every IPv4 destination,
 * which fp-dpdk's lookup (IPv4: lengths >= 96 only) never gives.
 */
struct fp_xdp_route_key {
	__u32 prefixlen; /* FP_XDP_ROUTE_PLEN(fp_route_key.plen) */
	__u32 vrf;	 /* fp_route_key.vrf */
	__u32 family;	 /* FP_XDP_ROUTE_V4 or FP_XDP_ROUTE_V6 */
	__u32 pad;	 /* zero (matched) */
	__u8 ip[16];	 /* fp_route_key.ip */
};

#define FP_XDP_ROUTE_V6 0			     /* fp_xdp_route_key.family: IPv6 */
#define FP_XDP_ROUTE_V4 1			     /* IPv4 (::ffff:a.b.c.d, plen >= 96) */
#define FP_XDP_ROUTE_PLEN(plen) (96 + (__u32)(plen)) /* prefixlen of a route */

/**
 * The fp_route key of route (vrf, plen, ip) (struct fp_route_key's
 * fields), or of a lookup of address ip in vrf (plen 128).
 */
static inline __attribute__((always_inline)) void
fp_xdp_route_key_set(struct fp_xdp_route_key *k, __u32 vrf, __u32 plen, const __u8 *ip)
{
	__u32 i, v4 = plen >= 96 && ip[10] == 0xff && ip[11] == 0xff;

	for (i = 0; i < 10; i++)
		v4 = v4 && ip[i] == 0;
	k->prefixlen = FP_XDP_ROUTE_PLEN(plen);
	k->vrf = vrf;
	k->family = v4 ? FP_XDP_ROUTE_V4 : FP_XDP_ROUTE_V6;
	k->pad = 0;
	for (i = 0; i < 16; i++)
		k->ip[i] = ip[i];
}

#define FP_XDP_CT_STATES 16 /* room for the FP_CT_* states in struct fp_sg_cfg */

/* The security groups' settings (fp_sg_cfg, key 0).  gen is written
 * alone (one aligned 4-byte store) by fp-control's XDP backend after each
 * commit that changed a ruleset, an address set or a port; the timeouts
 * by fp-xdp (conntrack.timeout_*, at start and on SIGHUP).
 */
struct fp_sg_cfg {
	__u32 gen;			   /* security-group generation */
	__u32 pad;			   /* zero */
	__u32 timeout_s[FP_XDP_CT_STATES]; /* per FP_CT_* state, seconds (unused: zero) */
};

#define FP_XDP_CT_INLINE static inline __attribute__((always_inline))

/**
 * A connection state's timeout in nanoseconds: timeout_s[state] (fp_sg_cfg,
 * the configured conntrack.timeout_*) or, where that is 0 or timeout_s is
 * NULL, Linux's default (FP_FOREACH_CT_STATE); 0 for an unknown state.
 */
FP_XDP_CT_INLINE __u64
fp_xdp_ct_timeout_ns(const __u32 *timeout_s, __u32 state)
{
#define FP_XDP_CT_TIMEOUT_DEF(id, name, timeout) [FP_CT_##id] = timeout,
	static const __u32 def[FP_XDP_CT_STATES] = { FP_FOREACH_CT_STATE(FP_XDP_CT_TIMEOUT_DEF) };
#undef FP_XDP_CT_TIMEOUT_DEF
	__u32 s = 0;

	if (state >= FP_XDP_CT_STATES)
		return 0;
	if (timeout_s)
		s = timeout_s[state];
	if (s == 0)
		s = def[state];
	return (__u64)s * 1000000000ULL;
}

/**
 * The XDP engine's expiry rule, the program's (fp_sg.bpf.h), fp-xdp run's
 * sweep's and fpctl show conntrack's: a connection whose last packet
 * (last_ns) is older than its state's timeout at now_ns (CLOCK_MONOTONIC,
 * as bpf_ktime_get_ns()) is expired: absent for packets, swept, not
 * listed.
 */
FP_XDP_CT_INLINE int
fp_xdp_ct_expired(const __u32 *timeout_s, __u64 last_ns, __u32 state, __u64 now_ns)
{
	return last_ns + fp_xdp_ct_timeout_ns(timeout_s, state) < now_ns;
}

/* One port's security-group drops on one CPU (fp_sg_drops, by port id). */
struct fp_sg_drops {
	__u64 n[FP_SG_DIR_MAX]; /* drops per FP_SG_DIR_* */
};

/* A key of fp_vtep_src: a remote vtep address serving a VNI. */
struct fp_vtep_src_key {
	__u32 vni;	 /* VNI */
	__u32 pad;	 /* zero */
	struct fp_ip ip; /* the remote vtep's address */
};

/* fp_storm's slot of the ICMP errors' bucket (guard icmp_pps, icmp_burst),
 * after the ports'.
 */
#define FP_XDP_STORM_ICMP FP_PORT_MAX

/* A VM port's storm-control bucket on one CPU (fp_storm). */
struct fp_storm_bucket {
	__u64 credit_ns; /* time credit left after the last flood */
	__u64 last_ns;	 /* the last flood's time (bpf_ktime_get_ns); 0: never */
};

#define FP_XDP_LAYOUT_SUM                                                                          \
	(sizeof(struct fp_port_cfg) + sizeof(struct fp_host_cfg) + sizeof(struct fp_counters) +    \
	 sizeof(struct fp_ifslot) + sizeof(struct fp_xdp_addrset_key) + sizeof(struct fp_sg_cfg) + \
	 sizeof(struct fp_sg_drops) + sizeof(struct fp_vtep_src_key) +                             \
	 sizeof(struct fp_guard_cfg) + sizeof(struct fp_storm_bucket))

_Static_assert(sizeof(struct fp_port_cfg) == 48, "fp_port_cfg");
_Static_assert(sizeof(struct fp_host_cfg) == 32 + 16 * FP_XDP_LOCAL_VTEP_MAX + 8, "fp_host_cfg");
_Static_assert(sizeof(struct fp_counters) == 8 * (FP_STAT_MAX + FP_DROP_MAX), "fp_counters");
_Static_assert(sizeof(struct fp_ifslot) == 8, "fp_ifslot");
_Static_assert(sizeof(struct fp_vtep_src_key) == 24, "fp_vtep_src_key");
_Static_assert(sizeof(struct fp_guard_cfg) == 24 + 2 * FP_GUARD_ETHERTYPE_MAX, "fp_guard_cfg");
_Static_assert(sizeof(struct fp_storm_bucket) == 16, "fp_storm_bucket");
_Static_assert((FP_XDP_IFSLOTS & (FP_XDP_IFSLOTS - 1)) == 0, "FP_XDP_IFSLOTS");
_Static_assert(sizeof(struct fp_xdp_addrset_key) == 24, "fp_xdp_addrset_key");
_Static_assert(sizeof(struct fp_sg_cfg) == 8 + 4 * FP_XDP_CT_STATES, "fp_sg_cfg");
_Static_assert(FP_CT_STATE_MAX <= FP_XDP_CT_STATES, "FP_XDP_CT_STATES");
_Static_assert(sizeof(struct fp_sg_drops) == 8 * FP_SG_DIR_MAX, "fp_sg_drops");
_Static_assert(sizeof(struct fp_xdp_route_key) == 32, "fp_xdp_route_key"); /* a new map's */
_Static_assert(__builtin_offsetof(struct fp_xdp_route_key, ip) == 16, "fp_xdp_route_key.ip");
_Static_assert(FP_ABI_VERSION == 6 && FP_XDP_LAYOUT_SUM == 48 + 104 +
								   8 * (FP_STAT_MAX + FP_DROP_MAX) +
								   8 + 24 + 72 + 16 + 24 + 40 + 16,
	       "XDP ABI layout changed: bump FP_ABI_VERSION and the sum");

#endif /* FLOWPLANE_XDP_H */
