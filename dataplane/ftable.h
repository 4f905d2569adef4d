/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow tables of fp-dpdk: port, vtep, fdb, flood, neigh, ruleset, addrset.
 *
 * Storage: ports and vteps are arrays of pointers indexed by id; fdb,
 * flood and neigh are rte_hash tables with lock-free readers
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, extendable buckets).  FDB
 * values (8 bytes) live inline in the hash's data word; the other values
 * are rte_malloc'd copies that are replaced whole.
 *
 * Prefix tables (struct fp_dp_pfx): address set members and routes are
 * one mechanism.  Their keys have one layout, (id, prefix length, masked
 * address) (struct fp_dp_pfx_key: an address set's id, a route's vrf), in
 * an rte_hash whose data word is the value (a route: an rte_malloc'd
 * fp_route_val; a member: nothing); a second rte_hash maps an id to the
 * prefix lengths it holds (struct fp_dp_plens, the keys' shadow kept by
 * the writer, replaced whole), so a lookup probes only the lengths
 * present, longest first, the host length (/128, or /32 of IPv4) before
 * even reading the shadow: one probe for a host member or a host route.
 * The first hit is the longest prefix (fp_ftables_pfx_lookup()).
 *
 * Routes of large IPv4 tables: a vrf with FP_FTABLES_FIB_MIN_ROUTES
 * IPv4 routes or more in at least FP_FTABLES_FIB_MIN_PLENS lengths (and
 * at most FP_FTABLES_FIB_MAX such vrfs) also gets an rte_fib (DIR24_8,
 * 4-byte next hops) of its IPv4 routes (fp_dp_plens.fib; 64 MiB of tbl24
 * each, plus a tbl8 group of 1 KiB per /24 holding longer prefixes and
 * the rte_rib's nodes), made by the commit that crosses the bounds and
 * kept until the vrf has no IPv4 route left.  The hash stays the routes'
 * storage: the fib's next hop is the key's position in the route hash,
 * route_pos the value and length at each position, and an IPv4 lookup is
 * then one DIR24_8 lookup whatever the lengths.  The commit adds and
 * deletes the fib's routes where it adds and deletes the keys (same
 * make-before-break order); an add that fails (routes or tbl8 groups
 * exhausted) has the commit build a larger fib and publish it with the
 * shadow; a fib that cannot be made (memory) is tried again when the
 * vrf's IPv4 routes have doubled.  rte_fib (unlike rte_lpm, whose adds scan a length's rules
 * linearly: minutes for 1M routes) has no RCU hook in DPDK 22.11: a tbl8
 * group its delete frees may be reused by an add of the same commit
 * while a reader is inside it, so during such a commit a lookup may
 * return another live route (never freed memory: a position's value is
 * freed after the grace period).
 *
 * Security groups: rulesets are an rte_hash (fp_ruleset_key -> an
 * rte_malloc'd fp_ruleset_val); address sets are a prefix table.  The nat
 * table is an rte_hash (fp_nat_key -> an rte_malloc'd fp_nat_val), and so
 * are the slow path's dhcp, ra and dhcp6 tables, read by the main lcore's
 * slow path (a registered reader like a worker), accepted only once a slow
 * path serves them (fp_ftables_slowpath_serve()), and so is the segment
 * table (fp_segment_key -> fp_segment_val: a physical port's VLAN id is a
 * provider network).  Every commit
 * that changes a ruleset, addrset or port entry bumps sg_gen (after the
 * changes are visible), which tracked connections compare to know that
 * they must be checked against the rules again.  A commit that deletes a
 * filtered port or takes its sg flag off removes its connections (zone)
 * from the attached connection table after the grace period.
 *
 * Concurrency: any number of readers (workers) and one writer (the main
 * lcore's control server).  Readers must be registered with the RCU QSBR
 * variable given at creation and report a quiescent state between bursts;
 * a pointer returned by a lookup is valid until the reader's next
 * quiescent report.  The writer changes tables only through
 * fp_ftables_commit(): it validates the whole transaction first (sizes,
 * values, references, limits, memory), so a transaction is applied
 * entirely or not at all; then it applies sets in table order (addrset,
 * ruleset, port, vtep, neigh, route, nat, flood, fdb, segment) and deletes in reverse order
 * (make before break),
 * bumps the generation, waits for every online reader to pass a quiescent
 * state (yielding the CPU while it waits) and frees what was replaced.
 *
 * Underlay sources (doc/packets.md, "Underlay hardening"): vtep_src is
 * the writer's shadow of which remote VTEP addresses serve a VNI, an
 * rte_hash of (VNI, address) whose data word is its reference count: the
 * flood members and fdb entries of that VNI naming a vtep (that exists)
 * with that remote address.  The commit that changes a flood, fdb or vtep
 * entry changes the counts, in the same make-before-break order (a new
 * reference is counted before the old one is dropped; a key whose count
 * falls to zero is deleted and its slot freed after the grace period).  A
 * vtep whose address changes (or that appears or goes while referenced)
 * moves its references: the writer keeps per vtep id the number of
 * references to it (vtep_refs), and walks the flood and fdb tables only
 * for a referenced vtep.
 *
 * Ports are declared by the config (fp_ftables_port_config()); only VM
 * ports' entries may be set or deleted by the control socket.  Underlay
 * ports' entries are owned by the config.
 */
#ifndef FP_FTABLE_H
#define FP_FTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_fib.h>
#include <rte_rcu_qsbr.h>

#include <flowplane/tables.h>

#include "pkt/build.h"

#define FP_FTABLES_LOCAL_VTEP_MAX 4	     /* local VTEP addresses */
#define FP_VNI_WORDS ((FP_VNI_MAX + 1) / 64) /* 64-bit words of a VNI bitmap (2 MiB) */
#define FP_FTABLES_FIB_MIN_ROUTES 64	     /* a vrf's IPv4 routes for an rte_fib */
#define FP_FTABLES_FIB_MIN_PLENS 3	     /* ... in at least this many lengths */
#define FP_FTABLES_FIB_MAX 16		     /* vrfs with an rte_fib at most */
#define FP_FTABLES_FIB_NONE 0x7fffffffU	     /* the fibs' "no route" next hop */

/* An allowed source address prepared for the check: the prefix as
 * host-order halves with their masks, the MAC resolved.
 */
struct fp_dp_addr {
	uint64_t hi, lo;	   /* address bytes 0..7 and 8..15 */
	uint64_t mask_hi, mask_lo; /* prefix masks of the halves */
	uint8_t mac[6];		   /* the entry's MAC, or the port's */
	uint8_t pad[2];		   /* zero */
};

/* A port as the pipeline sees it. */
struct fp_dp_port {
	struct fp_port_val v;			   /* the installed entry */
	uint8_t lladdr[16];			   /* fe80::/64 EUI-64 address of v.mac */
	uint32_t n_addrs;			   /* valid addrs */
	struct fp_dp_addr addrs[FP_PORT_ADDR_MAX]; /* v.addrs, prepared */
};

/* The prefix lengths an id of a prefix table holds: readers use n_plens
 * and plens, the writer keeps the key count per length.
 */
struct fp_dp_plens {
	uint32_t n_plens;	 /* valid plens */
	uint8_t plens[129];	 /* lengths present, longest first */
	uint8_t pad[3];		 /* zero */
	struct rte_fib *fib;	 /* routes: the vrf's IPv4 routes, or NULL (probe) */
	uint32_t fib_broken;	 /* writer: a fib add failed, make a new one */
	uint32_t fib_fail_n4;	 /* writer: IPv4 routes when no fib could be made */
	uint32_t n_members[129]; /* writer: keys per length */
};

/* A route hash position's value, for the fibs' next hops. */
struct fp_dp_route_pos {
	const struct fp_route_val *val; /* the key's value */
	uint32_t plen;			/* the key's prefix length (IPv6 bits) */
	uint32_t pad;			/* zero */
};

/* The key of a prefix table: the layout of fp_addrset_key and
 * fp_route_key.
 */
struct fp_dp_pfx_key {
	uint32_t id;	 /* address set id, or vrf */
	uint8_t plen;	 /* prefix length in IPv6 bits */
	uint8_t pad[3];	 /* zero */
	struct fp_ip ip; /* prefix, host bits zero */
};

_Static_assert(sizeof(struct fp_dp_pfx_key) == sizeof(struct fp_addrset_key) &&
		       sizeof(struct fp_dp_pfx_key) == sizeof(struct fp_route_key) &&
		       offsetof(struct fp_addrset_key, plen) ==
			       offsetof(struct fp_dp_pfx_key, plen) &&
		       offsetof(struct fp_route_key, plen) ==
			       offsetof(struct fp_dp_pfx_key, plen) &&
		       offsetof(struct fp_addrset_key, ip) == offsetof(struct fp_dp_pfx_key, ip) &&
		       offsetof(struct fp_route_key, ip) == offsetof(struct fp_dp_pfx_key, ip),
	       "prefix table keys share one layout");

/* A prefix table: keys and, per id, the lengths present. */
struct fp_dp_pfx {
	struct rte_hash *keys;	/* fp_dp_pfx_key -> the value (or nothing) */
	struct rte_hash *plens; /* id -> struct fp_dp_plens * */
};

struct fp_ct;

/* A key of the underlay source shadow (vtep_src). */
struct fp_dp_vtep_src {
	uint32_t vni;	 /* VNI */
	uint32_t pad;	 /* zero */
	struct fp_ip ip; /* a remote vtep address serving it */
};

/* A vtep as the pipeline sees it. */
struct fp_dp_vtep {
	struct fp_encap_tmpl tmpl; /* precomputed outer headers */
	struct fp_vtep_val v;	   /* the installed entry */
};

struct fp_ftables {
	/* Fields used in lookup */
	struct fp_dp_port *ports[FP_PORT_MAX]; /* by port id; NULL = none */
	struct fp_dp_vtep **vteps;	       /* by vtep id; NULL = none */
	struct rte_hash *fdb;		       /* fp_fdb_key -> fp_fdb_val inline */
	struct rte_hash *flood;		       /* fp_flood_key -> fp_flood_val * */
	struct rte_hash *neigh;		       /* fp_neigh_key -> fp_neigh_val * */
	struct rte_hash *ruleset;	       /* fp_ruleset_key -> fp_ruleset_val * */
	struct fp_dp_pfx addrset;	       /* fp_addrset_key -> nothing (presence) */
	struct fp_dp_pfx route;		       /* fp_route_key -> fp_route_val * */
	struct fp_dp_route_pos *route_pos;     /* by route hash position */
	struct rte_hash *nat;		       /* fp_nat_key -> fp_nat_val * */
	struct rte_hash *dhcp;		       /* fp_dhcp_key -> fp_dhcp_val * */
	struct rte_hash *ra;		       /* fp_ra_key -> fp_ra_val * */
	struct rte_hash *dhcp6;		       /* fp_dhcp6_key -> fp_dhcp6_val * */
	struct rte_hash *segment;	       /* fp_segment_key -> fp_segment_val * */
	struct fp_ct *ct;		       /* connection table (not owned), or NULL */
	struct rte_hash *vtep_src;	       /* fp_dp_vtep_src -> reference count inline */
	struct fp_guard_cfg guard; /* the config's guard group; read relaxed, field by field */
	uint64_t *vni_served;	   /* bitmap by VNI: has a flood entry (FP_VNI_WORDS words) */
	struct fp_ip local_vteps[FP_FTABLES_LOCAL_VTEP_MAX]; /* our addresses */
	uint32_t n_local_vteps;				     /* valid local_vteps */
	uint8_t chassis_mac[6]; /* routed frames leave physical ports from it (set at start) */
	uint8_t pad[2];		/* zero */
	uint64_t generation;	/* bumped by every commit */
	uint64_t sg_gen;	/* bumped by commits changing a ruleset, addrset or port */

	/* Writer-only state */
	struct rte_rcu_qsbr *rcu;	  /* readers' QSBR variable */
	uint32_t limit[FP_TABLE_MAX];	  /* entries allowed */
	uint32_t count[FP_TABLE_MAX];	  /* entries installed */
	uint16_t port_role[FP_PORT_MAX];  /* configured role, NONE = absent */
	uint16_t port_mtu[FP_PORT_MAX];	  /* configured MTU */
	uint8_t port_mac[FP_PORT_MAX][6]; /* device MAC */
	uint8_t *scratch;		  /* per-commit marks, by vtep id */
	uint32_t *vtep_refs;		  /* by vtep id: flood members and fdb entries naming it */
	int socket_id;			  /* NUMA socket for memory */
	uint32_t slowpath;		  /* a slow path serves dhcp, ra, dhcp6: accept them */
	uint32_t n_fib;			  /* vrfs with an rte_fib */
	uint32_t fib_seq;		  /* names of the rte_fib made */
};

/**
 * Create the tables.
 *
 * @param name	    prefix for the rte_hash names (unique per process)
 * @param limit	    entries per table (FP_TABLE_*); port is FP_PORT_MAX
 * @param socket_id NUMA socket
 * @param rcu	    QSBR variable the readers report to
 * @return the tables, or NULL with errno (EINVAL, ENOMEM, EEXIST)
 */
struct fp_ftables *fp_ftables_create(const char *name, const uint32_t limit[FP_TABLE_MAX],
				     int socket_id, struct rte_rcu_qsbr *rcu);

/** Free the tables and every value.  Accepts NULL. */
void fp_ftables_free(struct fp_ftables *t);

/**
 * Declare a configured port.  Non-VM ports get their entry installed here
 * (role, MTU, MAC) and are read-only for the control socket.  The first
 * physical port's MAC is the chassis MAC until the caller sets another.
 *
 * @return 0, -EINVAL (bad id or role), -ENOMEM
 */
int fp_ftables_port_config(struct fp_ftables *t, uint32_t port_id, uint16_t role, uint16_t mtu,
			   const uint8_t mac[6]);

/**
 * Add a local VTEP address (decapsulated traffic must be addressed to one).
 *
 * @return 0, -ENOSPC, -EEXIST
 */
int fp_ftables_local_vtep_add(struct fp_ftables *t, const struct fp_ip *ip);

/**
 * Set the hardening settings (start, reload; all off until then).  The
 * workers see each field change on its own.
 */
void fp_ftables_guard_set(struct fp_ftables *t, const struct fp_guard_cfg *g);

/**
 * The reference count of (vni, ip) in the underlay source shadow (writer
 * side, for tests and fpctl): the flood members and fdb entries of vni
 * that name a vtep whose remote address is ip.
 */
uint32_t fp_ftables_vtep_src_refs(const struct fp_ftables *t, uint32_t vni, const struct fp_ip *ip);

/**
 * Give the tables the connection table the pipeline tracks connections
 * in (before any worker runs).  The tables do not own it.
 */
void fp_ftables_ct_attach(struct fp_ftables *t, struct fp_ct *ct);

/**
 * Say that a slow path serves the dhcp, ra and dhcp6 tables (before the
 * control socket opens): from then on their entries are accepted; until
 * then they are refused, naming the table (never stored and ignored).
 */
void fp_ftables_slowpath_serve(struct fp_ftables *t);

/* A transaction: staged changes, applied by fp_ftables_commit(). */
struct fp_txn;

/** Create an empty transaction; NULL with errno ENOMEM. */
struct fp_txn *fp_txn_create(void);

/** Free a transaction.  Accepts NULL. */
void fp_txn_free(struct fp_txn *x);

/** Drop every staged change. */
void fp_txn_reset(struct fp_txn *x);

/** Number of staged changes. */
uint32_t fp_txn_len(const struct fp_txn *x);

/**
 * Stage a set (val != NULL) or a delete (val == NULL).  Only the shape is
 * checked here (table id, sizes); values are validated at commit.
 *
 * @return 0, -EINVAL (bad table or size), -E2BIG (FP_CTL_TXN_MAX changes),
 *	   -ENOMEM
 */
int fp_txn_add(struct fp_txn *x, uint16_t table, const void *key, uint16_t key_size,
	       const void *val, uint16_t val_size);

/**
 * Validate and apply a transaction, all or nothing.  The transaction is
 * left as it was.
 *
 * @param t	 the tables
 * @param x	 the changes
 * @param failed set to the index of the offending change on error
 * @param err	 receives a message naming the change and the reason
 * @param errsz	 size of err
 * @return 0, -EINVAL (invalid value, dangling reference), -ENOENT (delete of
 *	   a missing entry), -EPERM (entry owned by the config), -ENOSPC (table
 *	   full), -ENOMEM
 */
int fp_ftables_commit(struct fp_ftables *t, const struct fp_txn *x, uint32_t *failed, char *err,
		      size_t errsz);

/* Called for each entry by fp_ftables_walk(); a non-zero return stops it. */
typedef int fp_ftables_walk_fn(uint16_t table, const void *key, const void *val, void *arg);

/**
 * Visit every entry of a table (writer side).
 *
 * @return 0, -EINVAL (bad table), or the callback's non-zero return
 */
int fp_ftables_walk(const struct fp_ftables *t, uint16_t table, fp_ftables_walk_fn *fn, void *arg);

/* Reader side: lookups for the pipeline. */

static inline const struct fp_dp_port *
fp_ftables_port(const struct fp_ftables *t, uint32_t id)
{
	if (id >= FP_PORT_MAX)
		return NULL;
	return __atomic_load_n(&t->ports[id], __ATOMIC_ACQUIRE);
}

static inline const struct fp_dp_vtep *
fp_ftables_vtep(const struct fp_ftables *t, uint32_t id)
{
	if (id >= t->limit[FP_TABLE_VTEP])
		return NULL;
	return __atomic_load_n(&t->vteps[id], __ATOMIC_ACQUIRE);
}

/** Decode an FDB hash data word. */
static inline struct fp_fdb_val
fp_ftables_fdb_decode(const void *data)
{
	struct fp_fdb_val v;
	uintptr_t w = (uintptr_t)data;

	memcpy(&v, &w, sizeof(v));
	return v;
}

static inline const struct fp_flood_val *
fp_ftables_flood(const struct fp_ftables *t, uint32_t vni)
{
	struct fp_flood_key k = { .vni = vni };
	void *data;

	if (rte_hash_lookup_data(t->flood, &k, &data) < 0)
		return NULL;
	return data;
}

/* Is the VNI served here (does it have a flood entry)?  One bit test: the
 * decapsulation check of every packet, instead of a hash lookup.
 */
static inline int
fp_ftables_vni_served(const struct fp_ftables *t, uint32_t vni)
{
	uint64_t w;

	if (vni > FP_VNI_MAX)
		return 0;
	w = __atomic_load_n(&t->vni_served[vni / 64], __ATOMIC_RELAXED);
	return (w >> (vni % 64)) & 1;
}

/* Does a remote vtep with address ip serve vni (a flood member or an fdb
 * entry of vni names it)?  One hash probe.
 */
static inline int
fp_ftables_vtep_src_has(const struct fp_ftables *t, uint32_t vni, const struct fp_ip *ip)
{
	struct fp_dp_vtep_src k = { .vni = vni };

	k.ip = *ip;
	return rte_hash_lookup(t->vtep_src, &k) >= 0;
}

static inline const struct fp_neigh_val *
fp_ftables_neigh(const struct fp_ftables *t, uint32_t vrf, const struct fp_ip *ip)
{
	struct fp_neigh_key k = { .vrf = vrf };
	void *data;

	k.ip = *ip;
	if (rte_hash_lookup_data(t->neigh, &k, &data) < 0)
		return NULL;
	return data;
}

/** The DHCPv4 entry of a VM port, or NULL. */
static inline const struct fp_dhcp_val *
fp_ftables_dhcp(const struct fp_ftables *t, uint32_t port_id)
{
	struct fp_dhcp_key k = { .port_id = port_id };
	void *data;

	if (rte_hash_lookup_data(t->dhcp, &k, &data) < 0)
		return NULL;
	return data;
}

/** The RA entry of a network, or NULL. */
static inline const struct fp_ra_val *
fp_ftables_ra(const struct fp_ftables *t, uint32_t vni)
{
	struct fp_ra_key k = { .vni = vni };
	void *data;

	if (rte_hash_lookup_data(t->ra, &k, &data) < 0)
		return NULL;
	return data;
}

/** The DHCPv6 entry of a VM port, or NULL. */
static inline const struct fp_dhcp6_val *
fp_ftables_dhcp6(const struct fp_ftables *t, uint32_t port_id)
{
	struct fp_dhcp6_key k = { .port_id = port_id };
	void *data;

	if (rte_hash_lookup_data(t->dhcp6, &k, &data) < 0)
		return NULL;
	return data;
}

/** The ruleset of id for direction dir (FP_SG_DIR_*), or NULL. */
static inline const struct fp_ruleset_val *
fp_ftables_ruleset(const struct fp_ftables *t, uint32_t id, uint32_t dir)
{
	struct fp_ruleset_key k = { .ruleset_id = id, .dir = (uint16_t)dir };
	void *data;

	if (rte_hash_lookup_data(t->ruleset, &k, &data) < 0)
		return NULL;
	return data;
}

/* Clear the bits of ip beyond plen (IPv6 bits). */
static inline void
fp_ftables_ip_mask(struct fp_ip *ip, uint32_t plen)
{
	uint32_t i;

	for (i = plen / 8; i < 16; i++) {
		uint32_t keep = plen > i * 8 ? plen - i * 8 : 0;

		ip->b[i] &= (uint8_t)(keep >= 8 ? 0xff : 0xff << (8 - keep));
	}
}

/**
 * Longest-prefix probes of an id's lengths s in a prefix table (the
 * second half of fp_ftables_pfx_lookup(), for a caller that read s).
 */
static inline int
fp_ftables_pfx_probe(const struct fp_dp_pfx *x, const struct fp_dp_plens *s, uint32_t id,
		     const struct fp_ip *ip, uint32_t min_plen, int host_first, void **data)
{
	struct fp_dp_pfx_key k = { .id = id };
	void *d = NULL;
	uint32_t i;

	for (i = 0; i < s->n_plens && i < 129; i++) {
		if (s->plens[i] == 128 && host_first)
			continue;
		if (s->plens[i] < min_plen)
			break;
		k.plen = s->plens[i];
		k.ip = *ip;
		fp_ftables_ip_mask(&k.ip, k.plen);
		if (rte_hash_lookup_data(x->keys, &k, &d) >= 0) {
			if (data != NULL)
				*data = d;
			return k.plen;
		}
	}
	return -1;
}

/**
 * Longest-prefix lookup in a prefix table: the entry of id whose prefix
 * holds ip with the longest length >= min_plen.  With host_first, one
 * probe when a host entry (/128) matches, before the lengths are read
 * (address sets: mostly host members); else one per length id holds,
 * longest first (routes: mostly subnets).
 *
 * @param x	   the prefix table
 * @param id	   address set id or vrf
 * @param ip	   the address
 * @param min_plen shortest length to consider (96 for an IPv4 address
 *		   among routes: an IPv6 ::/0 is no IPv4 default route)
 * @param host_first probe the host length before reading the lengths
 * @param data	   receives the entry's data word, or NULL
 * @return the entry's prefix length, or -1 (no entry)
 */
static inline int
fp_ftables_pfx_lookup(const struct fp_dp_pfx *x, uint32_t id, const struct fp_ip *ip,
		      uint32_t min_plen, int host_first, void **data)
{
	struct fp_dp_pfx_key k = { .id = id, .plen = 128 };
	void *sd, *d = NULL;

	k.ip = *ip;
	if (host_first && rte_hash_lookup_data(x->keys, &k, &d) >= 0) {
		if (data != NULL)
			*data = d;
		return 128;
	}
	if (rte_hash_lookup_data(x->plens, &id, &sd) < 0)
		return -1;
	return fp_ftables_pfx_probe(x, sd, id, ip, min_plen, host_first, data);
}

/**
 * Is ip a member of address set set_id (in one of its prefixes)?  One
 * probe when ip is a host member; else one per prefix length the set
 * holds.
 */
static inline int
fp_ftables_addrset_has(const struct fp_ftables *t, uint32_t set_id, const struct fp_ip *ip)
{
	return fp_ftables_pfx_lookup(&t->addrset, set_id, ip, 0, 1, NULL) >= 0;
}

/**
 * The route of vrf for ip, longest prefix first (an IPv4-mapped address
 * matches IPv4 routes only), or NULL: one rte_fib lookup for an IPv4
 * address in a vrf that has a fib, else the length probes.
 *
 * @param plen receives the route's prefix length, or NULL
 */
static inline const struct fp_route_val *
fp_ftables_route(const struct fp_ftables *t, uint32_t vrf, const struct fp_ip *ip, int *plen)
{
	static const uint8_t v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct fp_dp_plens *s;
	void *sd, *data = NULL;
	int v4 = memcmp(ip->b, v4map, 12) == 0, l = -1;

	if (rte_hash_lookup_data(t->route.plens, &vrf, &sd) >= 0) {
		s = sd;
		if (v4 && s->fib != NULL) {
			uint32_t a = (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 |
				     (uint32_t)ip->b[14] << 8 | ip->b[15];
			uint64_t nh;

			rte_fib_lookup_bulk(s->fib, &a, &nh, 1);
			if (nh != FP_FTABLES_FIB_NONE) {
				const struct fp_dp_route_pos *e = &t->route_pos[nh];

				data = (void *)(uintptr_t)__atomic_load_n(&e->val,
									  __ATOMIC_ACQUIRE);
				l = (int)e->plen;
			}
		} else {
			l = fp_ftables_pfx_probe(&t->route, s, vrf, ip, v4 ? 96 : 0, 0, &data);
		}
	}
	if (plen != NULL)
		*plen = l;
	return l < 0 ? NULL : data;
}

/** The nat entry of (scope, dir, ip), or NULL. */
static inline const struct fp_nat_val *
fp_ftables_nat(const struct fp_ftables *t, uint32_t scope, uint32_t dir, const struct fp_ip *ip)
{
	struct fp_nat_key k = { .scope = scope, .dir = (uint8_t)dir };
	void *data;

	k.ip = *ip;
	if (rte_hash_lookup_data(t->nat, &k, &data) < 0)
		return NULL;
	return data;
}

/**
 * The provider network of a frame received on physical port port_id with
 * VLAN id vlan (0: untagged), or 0 (no such segment).
 */
static inline uint32_t
fp_ftables_segment(const struct fp_ftables *t, uint32_t port_id, uint32_t vlan)
{
	struct fp_segment_key k = { .port_id = port_id, .vlan = (uint16_t)vlan };
	void *data;

	if (rte_hash_lookup_data(t->segment, &k, &data) < 0)
		return 0;
	return ((const struct fp_segment_val *)data)->vni;
}

/** The security-group generation (acquire: read it before the rules). */
static inline uint64_t
fp_ftables_sg_gen(const struct fp_ftables *t)
{
	return __atomic_load_n(&t->sg_gen, __ATOMIC_ACQUIRE);
}

#endif /* FP_FTABLE_H */
