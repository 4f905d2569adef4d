/* SPDX-License-Identifier: BSD-3-Clause */
#include "ftable.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <flowplane/ctl.h>

#include "addr.h"
#include "check.h"
#include "ct.h"
#include "names.h"

#define TXN_ALIGN 8
#define RCU_SPINS 256 /* busy checks before yielding the CPU */

/* One staged change in struct fp_txn's buffer, followed by the key and
 * (for a set) the value, padded to TXN_ALIGN.
 */
struct txn_rec {
	uint16_t table;	   /* FP_TABLE_* */
	uint16_t key_size; /* bytes of key */
	uint16_t val_size; /* bytes of value; 0 = delete */
	uint16_t pad;	   /* zero */
};

struct fp_txn {
	uint8_t *buf; /* records */
	size_t len;   /* bytes used */
	size_t cap;   /* bytes allocated */
	uint32_t n;   /* records */
};

/* Something replaced or deleted by a commit, freed after the grace period. */
struct retired {
	struct rte_hash *h;  /* hash whose key slot to free, or NULL */
	int32_t pos;	     /* key position in h */
	void *ptr;	     /* value to rte_free, or NULL */
	struct rte_fib *fib; /* an rte_fib to free, or NULL */
};

struct retire_list {
	struct retired *v; /* entries */
	uint32_t n;	   /* used */
	uint32_t cap;	   /* allocated */
};

/* Commit marks per port/vtep id. */
#define MARK_SET 0x1
#define MARK_DEL 0x2

static inline size_t
rec_size(const struct txn_rec *r)
{
	return RTE_ALIGN_CEIL(sizeof(*r) + r->key_size + r->val_size, TXN_ALIGN);
}

static inline const void *
rec_key(const struct txn_rec *r)
{
	return r + 1;
}

static inline const void *
rec_val(const struct txn_rec *r)
{
	return r->val_size ? (const uint8_t *)(r + 1) + r->key_size : NULL;
}

static struct rte_hash *
hash_create(const char *prefix, const char *table, uint32_t key_len, uint32_t limit, int socket_id)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		/* Twice the limit: a commit installs its sets before it
		 * removes its deletes, and deleted slots are reused only
		 * after the grace period.
		 */
		.entries = RTE_MAX(2 * limit, 64U),
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "%s_%s", prefix, table);
	return rte_hash_create(&p);
}

/* Keys of the underlay source shadow: at most one per reference (fdb
 * entries and flood members), capped at 2^24 (hash_create() doubles it).
 */
static uint32_t
vtep_src_limit(const uint32_t limit[FP_TABLE_MAX])
{
	uint64_t n = (uint64_t)limit[FP_TABLE_FDB] +
		     (uint64_t)limit[FP_TABLE_FLOOD] * FP_FLOOD_MEMBER_MAX;

	return n > (1U << 24) ? 1U << 24 : (uint32_t)n;
}

struct fp_ftables *
fp_ftables_create(const char *name, const uint32_t limit[FP_TABLE_MAX], int socket_id,
		  struct rte_rcu_qsbr *rcu)
{
	struct fp_ftables *t;
	int i;

	for (i = 0; i < FP_TABLE_MAX; i++) {
		if (limit[i] == 0 || limit[i] > (1U << 24)) {
			errno = EINVAL;
			return NULL;
		}
	}
	t = rte_zmalloc_socket("fp_ftables", sizeof(*t), RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL)
		goto err_nomem;
	t->rcu = rcu;
	t->socket_id = socket_id;
	memcpy(t->limit, limit, sizeof(t->limit));
	t->limit[FP_TABLE_PORT] = FP_PORT_MAX;
	t->vteps = rte_zmalloc_socket("fp_vteps", sizeof(*t->vteps) * limit[FP_TABLE_VTEP],
				      RTE_CACHE_LINE_SIZE, socket_id);
	t->scratch = rte_zmalloc_socket("fp_scratch", limit[FP_TABLE_VTEP], 0, socket_id);
	t->vni_served = rte_zmalloc_socket("fp_vni_served", sizeof(uint64_t) * FP_VNI_WORDS,
					   RTE_CACHE_LINE_SIZE, socket_id);
	t->vtep_refs = rte_zmalloc_socket("fp_vtep_refs", sizeof(uint32_t) * limit[FP_TABLE_VTEP],
					  0, socket_id);
	if (t->vteps == NULL || t->scratch == NULL || t->vni_served == NULL || t->vtep_refs == NULL)
		goto err_free;
	t->fdb = hash_create(name, "fdb", sizeof(struct fp_fdb_key), limit[FP_TABLE_FDB],
			     socket_id);
	t->flood = hash_create(name, "flood", sizeof(struct fp_flood_key), limit[FP_TABLE_FLOOD],
			       socket_id);
	t->neigh = hash_create(name, "neigh", sizeof(struct fp_neigh_key), limit[FP_TABLE_NEIGH],
			       socket_id);
	t->ruleset = hash_create(name, "ruleset", sizeof(struct fp_ruleset_key),
				 limit[FP_TABLE_RULESET], socket_id);
	t->addrset.keys = hash_create(name, "addrset", sizeof(struct fp_addrset_key),
				      limit[FP_TABLE_ADDRSET], socket_id);
	t->addrset.plens = hash_create(name, "asplen", sizeof(uint32_t), limit[FP_TABLE_ADDRSET],
				       socket_id);
	t->route.keys = hash_create(name, "route", sizeof(struct fp_route_key),
				    limit[FP_TABLE_ROUTE], socket_id);
	t->route.plens = hash_create(name, "rtplen", sizeof(uint32_t), limit[FP_TABLE_ROUTE],
				     socket_id);
	if (t->route.keys != NULL)
		t->route_pos = rte_zmalloc_socket("fp_route_pos",
						  ((size_t)rte_hash_max_key_id(t->route.keys) + 1) *
							  sizeof(*t->route_pos),
						  RTE_CACHE_LINE_SIZE, socket_id);
	t->nat = hash_create(name, "nat", sizeof(struct fp_nat_key), limit[FP_TABLE_NAT],
			     socket_id);
	t->dhcp = hash_create(name, "dhcp", sizeof(struct fp_dhcp_key), limit[FP_TABLE_DHCP],
			      socket_id);
	t->ra = hash_create(name, "ra", sizeof(struct fp_ra_key), limit[FP_TABLE_RA], socket_id);
	t->dhcp6 = hash_create(name, "dhcp6", sizeof(struct fp_dhcp6_key), limit[FP_TABLE_DHCP6],
			       socket_id);
	t->segment = hash_create(name, "segment", sizeof(struct fp_segment_key),
				 limit[FP_TABLE_SEGMENT], socket_id);
	t->vtep_src = hash_create(name, "vsrc", sizeof(struct fp_dp_vtep_src),
				  vtep_src_limit(limit), socket_id);
	if (t->fdb == NULL || t->flood == NULL || t->neigh == NULL || t->ruleset == NULL ||
	    t->addrset.keys == NULL || t->addrset.plens == NULL || t->route.keys == NULL ||
	    t->route.plens == NULL || t->route_pos == NULL || t->nat == NULL || t->dhcp == NULL ||
	    t->ra == NULL || t->dhcp6 == NULL || t->segment == NULL || t->vtep_src == NULL) {
		int err = rte_errno;

		fp_ftables_free(t);
		errno = err ? err : ENOMEM;
		return NULL;
	}
	return t;

err_free:
	fp_ftables_free(t);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

static void
hash_free_values(struct rte_hash *h)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	while (rte_hash_iterate(h, &key, &data, &iter) >= 0)
		rte_free(data);
}

void
fp_ftables_free(struct fp_ftables *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < FP_PORT_MAX; i++)
		rte_free(t->ports[i]);
	if (t->vteps != NULL) {
		for (i = 0; i < t->limit[FP_TABLE_VTEP]; i++)
			rte_free(t->vteps[i]);
	}
	if (t->flood != NULL)
		hash_free_values(t->flood);
	if (t->neigh != NULL)
		hash_free_values(t->neigh);
	if (t->ruleset != NULL)
		hash_free_values(t->ruleset);
	if (t->addrset.plens != NULL)
		hash_free_values(t->addrset.plens);
	if (t->route.keys != NULL)
		hash_free_values(t->route.keys);
	if (t->route.plens != NULL) {
		const void *key;
		void *data;
		uint32_t iter = 0;

		while (rte_hash_iterate(t->route.plens, &key, &data, &iter) >= 0)
			rte_fib_free(((struct fp_dp_plens *)data)->fib);
		hash_free_values(t->route.plens);
	}
	if (t->nat != NULL)
		hash_free_values(t->nat);
	if (t->dhcp != NULL)
		hash_free_values(t->dhcp);
	if (t->ra != NULL)
		hash_free_values(t->ra);
	if (t->dhcp6 != NULL)
		hash_free_values(t->dhcp6);
	if (t->segment != NULL)
		hash_free_values(t->segment);
	rte_hash_free(t->fdb);
	rte_hash_free(t->flood);
	rte_hash_free(t->neigh);
	rte_hash_free(t->ruleset);
	rte_hash_free(t->addrset.keys);
	rte_hash_free(t->addrset.plens);
	rte_hash_free(t->route.keys);
	rte_hash_free(t->route.plens);
	rte_free(t->route_pos);
	rte_hash_free(t->nat);
	rte_hash_free(t->dhcp);
	rte_hash_free(t->ra);
	rte_hash_free(t->dhcp6);
	rte_hash_free(t->segment);
	rte_hash_free(t->vtep_src);
	rte_free(t->vtep_refs);
	rte_free(t->vteps);
	rte_free(t->scratch);
	rte_free(t->vni_served);
	rte_free(t);
}

static uint64_t
be64_load(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* Mask of the first bits (0..64) of a 64-bit half. */
static uint64_t
prefix_mask64(unsigned int bits)
{
	if (bits == 0)
		return 0;
	if (bits >= 64)
		return UINT64_MAX;
	return UINT64_MAX << (64 - bits);
}

/* Fill in what the pipeline derives from the entry p->v. */
static void
dp_port_prepare(struct fp_dp_port *p)
{
	static const uint8_t zero[6];
	uint32_t i;

	fp_addr_link_local(p->v.mac, p->lladdr);
	p->n_addrs = RTE_MIN((uint32_t)p->v.n_addrs, (uint32_t)FP_PORT_ADDR_MAX);
	for (i = 0; i < p->n_addrs; i++) {
		const struct fp_port_addr *a = &p->v.addrs[i];
		struct fp_dp_addr *d = &p->addrs[i];
		unsigned int plen = RTE_MIN(a->plen, 128);

		d->mask_hi = prefix_mask64(plen);
		d->mask_lo = prefix_mask64(plen > 64 ? plen - 64 : 0);
		d->hi = be64_load(a->ip.b) & d->mask_hi;
		d->lo = be64_load(a->ip.b + 8) & d->mask_lo;
		memcpy(d->mac, memcmp(a->mac, zero, 6) == 0 ? p->v.mac : a->mac, 6);
	}
}

int
fp_ftables_port_config(struct fp_ftables *t, uint32_t port_id, uint16_t role, uint16_t mtu,
		       const uint8_t mac[6])
{
	struct fp_dp_port *p;

	if (port_id >= FP_PORT_MAX || role == FP_PORT_ROLE_NONE || role >= FP_PORT_ROLE_MAX ||
	    t->port_role[port_id] != FP_PORT_ROLE_NONE)
		return -EINVAL;
	t->port_role[port_id] = role;
	t->port_mtu[port_id] = mtu;
	memcpy(t->port_mac[port_id], mac, 6);
	/* The chassis MAC until the config names one: the first physical
	 * port's.
	 */
	if (role == FP_PORT_ROLE_PHYSICAL && fp_addr_mac_is_zero(t->chassis_mac))
		memcpy(t->chassis_mac, mac, 6);
	if (role == FP_PORT_ROLE_VM)
		return 0;
	p = rte_zmalloc_socket("fp_port", sizeof(*p), RTE_CACHE_LINE_SIZE, t->socket_id);
	if (p == NULL)
		return -ENOMEM;
	p->v.role = role;
	p->v.mtu = mtu;
	memcpy(p->v.mac, mac, 6);
	dp_port_prepare(p);
	__atomic_store_n(&t->ports[port_id], p, __ATOMIC_RELEASE);
	t->count[FP_TABLE_PORT]++;
	return 0;
}

int
fp_ftables_local_vtep_add(struct fp_ftables *t, const struct fp_ip *ip)
{
	uint32_t i;

	for (i = 0; i < t->n_local_vteps; i++) {
		if (memcmp(&t->local_vteps[i], ip, sizeof(*ip)) == 0)
			return -EEXIST;
	}
	if (t->n_local_vteps == FP_FTABLES_LOCAL_VTEP_MAX)
		return -ENOSPC;
	t->local_vteps[t->n_local_vteps++] = *ip;
	return 0;
}

void
fp_ftables_guard_set(struct fp_ftables *t, const struct fp_guard_cfg *g)
{
	uint32_t i;

	__atomic_store_n(&t->guard.strict_source, g->strict_source, __ATOMIC_RELAXED);
	__atomic_store_n(&t->guard.inner_src_mac, g->inner_src_mac, __ATOMIC_RELAXED);
	__atomic_store_n(&t->guard.storm_pps, g->storm_pps, __ATOMIC_RELAXED);
	__atomic_store_n(&t->guard.storm_burst, g->storm_burst, __ATOMIC_RELAXED);
	__atomic_store_n(&t->guard.icmp_pps, g->icmp_pps, __ATOMIC_RELAXED);
	__atomic_store_n(&t->guard.icmp_burst, g->icmp_burst, __ATOMIC_RELAXED);
	/* Element by element: a reader may see a mix of the old and the new
	 * list, no ethertype that is in neither.
	 */
	for (i = 0; i < FP_GUARD_ETHERTYPE_MAX; i++)
		__atomic_store_n(&t->guard.ethertypes[i], g->ethertypes[i], __ATOMIC_RELAXED);
}

uint32_t
fp_ftables_vtep_src_refs(const struct fp_ftables *t, uint32_t vni, const struct fp_ip *ip)
{
	struct fp_dp_vtep_src k = { .vni = vni };
	void *data;

	k.ip = *ip;
	if (rte_hash_lookup_data(t->vtep_src, &k, &data) < 0)
		return 0;
	return (uint32_t)(uintptr_t)data;
}

void
fp_ftables_slowpath_serve(struct fp_ftables *t)
{
	t->slowpath = 1;
}

void
fp_ftables_ct_attach(struct fp_ftables *t, struct fp_ct *ct)
{
	t->ct = ct;
}

struct fp_txn *
fp_txn_create(void)
{
	return calloc(1, sizeof(struct fp_txn));
}

void
fp_txn_free(struct fp_txn *x)
{
	if (x == NULL)
		return;
	free(x->buf);
	free(x);
}

void
fp_txn_reset(struct fp_txn *x)
{
	x->len = 0;
	x->n = 0;
}

uint32_t
fp_txn_len(const struct fp_txn *x)
{
	return x->n;
}

int
fp_txn_add(struct fp_txn *x, uint16_t table, const void *key, uint16_t key_size, const void *val,
	   uint16_t val_size)
{
	struct txn_rec r = { .table = table, .key_size = key_size };
	size_t need;

	if (table >= FP_TABLE_MAX || key_size != fp_names_key_size[table] ||
	    (val != NULL && val_size != fp_names_val_size[table]))
		return -EINVAL;
	if (x->n >= FP_CTL_TXN_MAX)
		return -E2BIG;
	r.val_size = val != NULL ? val_size : 0;
	need = rec_size(&r);
	if (x->len + need > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4096;
		uint8_t *buf;

		while (cap < x->len + need)
			cap *= 2;
		buf = realloc(x->buf, cap);
		if (buf == NULL)
			return -ENOMEM;
		x->buf = buf;
		x->cap = cap;
	}
	memset(x->buf + x->len, 0, need);
	memcpy(x->buf + x->len, &r, sizeof(r));
	memcpy(x->buf + x->len + sizeof(r), key, key_size);
	if (val != NULL)
		memcpy(x->buf + x->len + sizeof(r) + key_size, val, val_size);
	x->len += need;
	x->n++;
	return 0;
}

/* Commit */

/* An id of a prefix table (an address set, a vrf's routes) a commit
 * changes: its prefix-length shadow, worked on (work) and published
 * twice: after the sets (snap: the lengths of old and new keys) and after
 * the deletes (work).
 */
struct set_work {
	uint32_t table;		  /* FP_TABLE_ADDRSET or FP_TABLE_ROUTE */
	uint32_t set_id;	  /* the set or the vrf */
	struct fp_dp_plens *work; /* the shadow after the commit */
	struct fp_dp_plens *snap; /* the shadow after the sets */
};

struct commit {
	struct fp_ftables *t;	      /* tables */
	const struct fp_txn *x;	      /* changes */
	uint8_t pmark[FP_PORT_MAX];   /* MARK_* per port id */
	int64_t delta[FP_TABLE_MAX];  /* entries added minus removed */
	uint32_t added[FP_TABLE_MAX]; /* new keys (capacity check) */
	void **objs;		      /* preallocated value per record */
	struct retire_list ret;	      /* freed after the grace period */
	struct fp_check_view view;    /* what lib/check.h checks against */
	struct set_work *sets;	      /* prefix table ids changed, by (table, id) */
	uint32_t n_sets;	      /* valid sets */
	int sg_changed;		      /* a ruleset, addrset or port entry changes */
	uint64_t flush_zones;	      /* ports no longer filtered: their connections go */
	uint32_t fail_idx;	      /* change that failed validation */
	char *err;		      /* message buffer */
	size_t errsz;		      /* its size */
};

#define FOREACH_REC(x, r, off, i)                                                       \
	for ((off) = 0, (i) = 0;                                                        \
	     (off) < (x)->len && ((r) = (const struct txn_rec *)((x)->buf + (off)), 1); \
	     (off) += rec_size(r), (i)++)

static int __rte_format_printf(4, 5)
	fail(struct commit *c, uint32_t idx, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->fail_idx = idx;
	n = snprintf(c->err, c->errsz, "change %u: ", idx);
	if (n < 0 || (size_t)n >= c->errsz)
		return rc;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errsz - n, fmt, ap);
	va_end(ap);
	return rc;
}

static int
port_after(const struct commit *c, uint32_t id)
{
	const struct fp_ftables *t = c->t;

	if (id >= FP_PORT_MAX || t->port_role[id] != FP_PORT_ROLE_VM)
		return 0;
	return (t->ports[id] != NULL || (c->pmark[id] & MARK_SET)) && !(c->pmark[id] & MARK_DEL);
}

static int
vtep_after(const struct commit *c, uint32_t id)
{
	const struct fp_ftables *t = c->t;

	if (id >= t->limit[FP_TABLE_VTEP])
		return 0;
	return (t->vteps[id] != NULL || (t->scratch[id] & MARK_SET)) &&
	       !(t->scratch[id] & MARK_DEL);
}

/* fp_check_exists_fn over the tables as the commit leaves them. */
static int
dest_after(void *ctx, uint16_t type, uint32_t id)
{
	const struct commit *c = ctx;

	return type == FP_DEST_PORT ? port_after(c, id) : vtep_after(c, id);
}

/* What the entry validator (lib/check.h) needs to know of the tables. */
static void
view_init(struct commit *c)
{
	struct fp_ftables *t = c->t;

	c->view = (struct fp_check_view){
		.port_role = t->port_role,
		.port_mtu = t->port_mtu,
		.local_vteps = t->local_vteps,
		.n_local_vteps = t->n_local_vteps,
		.vtep_limit = t->limit[FP_TABLE_VTEP],
		.exists = dest_after,
		.ctx = c,
		.sg_enforced = 1,
		.routes = 1,
		.slowpath = t->slowpath,
		.nat = 1,
		.segments = 1,
	};
}

/* The validator's verdict on change idx as this commit's error. */
static int
check_fail(struct commit *c, uint32_t idx, int rc, const char *msg)
{
	return fail(c, idx, rc, "%s", msg);
}

static struct rte_hash *
table_hash(const struct fp_ftables *t, uint16_t table)
{
	switch (table) {
	case FP_TABLE_FDB:
		return t->fdb;
	case FP_TABLE_FLOOD:
		return t->flood;
	case FP_TABLE_NEIGH:
		return t->neigh;
	case FP_TABLE_RULESET:
		return t->ruleset;
	case FP_TABLE_ADDRSET:
		return t->addrset.keys;
	case FP_TABLE_ROUTE:
		return t->route.keys;
	case FP_TABLE_NAT:
		return t->nat;
	case FP_TABLE_DHCP:
		return t->dhcp;
	case FP_TABLE_RA:
		return t->ra;
	case FP_TABLE_DHCP6:
		return t->dhcp6;
	case FP_TABLE_SEGMENT:
		return t->segment;
	default:
		return NULL;
	}
}

/* Does the entry exist now (before the commit)? */
static int
exists_now(const struct fp_ftables *t, uint16_t table, const void *key)
{
	switch (table) {
	case FP_TABLE_PORT: {
		uint32_t id = ((const struct fp_port_key *)key)->port_id;

		return t->ports[id] != NULL;
	}
	case FP_TABLE_VTEP:
		return t->vteps[((const struct fp_vtep_key *)key)->vtep_id] != NULL;
	default:
		return rte_hash_lookup(table_hash(t, table), key) >= 0;
	}
}

/* Is the key of record r set by an earlier record of the transaction? */
static int
rec_staged_before(const struct commit *c, const struct txn_rec *r, uint32_t idx)
{
	const struct txn_rec *q;
	size_t off;
	uint32_t i;

	FOREACH_REC (c->x, q, off, i) {
		if (i >= idx)
			break;
		if (q->table == r->table && q->val_size &&
		    memcmp(rec_key(q), rec_key(r), r->key_size) == 0)
			return 1;
	}
	return 0;
}

/* Pass 1: ids in range, marks for the reference checks. */
static int
mark_ids(struct commit *c)
{
	char msg[FP_CTL_MSG_SIZE];
	const struct txn_rec *r;
	size_t off;
	uint32_t i;
	int rc;

	FOREACH_REC (c->x, r, off, i) {
		uint8_t mark = r->val_size ? MARK_SET : MARK_DEL;

		if (r->table == FP_TABLE_PORT) {
			uint32_t id = ((const struct fp_port_key *)rec_key(r))->port_id;

			rc = fp_check_key(r->table, rec_key(r), &c->view, msg, sizeof(msg));
			if (rc < 0)
				return check_fail(c, i, rc, msg);
			c->pmark[id] |= mark;
		} else if (r->table == FP_TABLE_VTEP) {
			uint32_t id = ((const struct fp_vtep_key *)rec_key(r))->vtep_id;

			rc = fp_check_key(r->table, rec_key(r), &c->view, msg, sizeof(msg));
			if (rc < 0)
				return check_fail(c, i, rc, msg);
			c->t->scratch[id] |= mark;
		}
	}
	return 0;
}

/* Pass 2: values, references, existence and limits. */
static int
check_all(struct commit *c)
{
	char msg[FP_CTL_MSG_SIZE];
	const struct txn_rec *r;
	size_t off;
	uint32_t i;
	int rc = 0, tb;

	FOREACH_REC (c->x, r, off, i) {
		const void *k = rec_key(r), *v = rec_val(r);
		int now;

		rc = fp_check_entry(r->table, k, v, &c->view, msg, sizeof(msg));
		if (rc)
			return check_fail(c, i, rc, msg);
		now = exists_now(c->t, r->table, k);
		if (v != NULL && !now) {
			c->delta[r->table]++;
			c->added[r->table]++;
		} else if (v == NULL && now) {
			c->delta[r->table]--;
		} else if (v == NULL && !now) {
			/* A delete must name an entry that exists, or one
			 * this transaction sets first.
			 */
			int staged = 0;

			if (r->table == FP_TABLE_PORT)
				staged = c->pmark[((const struct fp_port_key *)k)->port_id] &
					 MARK_SET;
			else if (r->table == FP_TABLE_VTEP)
				staged = c->t->scratch[((const struct fp_vtep_key *)k)->vtep_id] &
					 MARK_SET;
			if (!staged && !rec_staged_before(c, r, i))
				return fail(c, i, -ENOENT, "delete %s: no such entry",
					    fp_names_table[r->table]);
		}
	}
	for (tb = 0; tb < FP_TABLE_MAX; tb++) {
		if ((int64_t)c->t->count[tb] + c->delta[tb] > (int64_t)c->t->limit[tb] ||
		    (uint64_t)c->t->count[tb] + c->added[tb] > 2ULL * c->t->limit[tb]) {
			snprintf(c->err, c->errsz, "%s table full: %u entries, limit %u",
				 fp_names_table[tb], c->t->count[tb], c->t->limit[tb]);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Is table a prefix table (struct fp_dp_pfx)? */
static int
pfx_table(uint16_t table)
{
	return table == FP_TABLE_ADDRSET || table == FP_TABLE_ROUTE;
}

static struct fp_dp_pfx *
pfx_of(struct fp_ftables *t, uint32_t table)
{
	return table == FP_TABLE_ROUTE ? &t->route : &t->addrset;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
set_work_cmp(const void *key, const void *elem)
{
	const struct set_work *w = elem;
	uint64_t x = *(const uint64_t *)key, y = (uint64_t)w->table << 32 | w->set_id;

	return x < y ? -1 : x > y;
}

static struct set_work *
set_work_find(const struct commit *c, uint32_t table, uint32_t set_id)
{
	uint64_t k = (uint64_t)table << 32 | set_id;

	return bsearch(&k, c->sets, c->n_sets, sizeof(*c->sets), set_work_cmp);
}

/* The published shadow of an id of a prefix table, or NULL. */
static struct fp_dp_plens *
pfx_shadow(struct fp_ftables *t, uint32_t table, uint32_t set_id)
{
	void *data;

	if (rte_hash_lookup_data(pfx_of(t, table)->plens, &set_id, &data) < 0)
		return NULL;
	return data;
}

/* Pass 3a: a shadow pair for every prefix table id the commit changes. */
static int
prealloc_sets(struct commit *c)
{
	struct fp_ftables *t = c->t;
	const struct txn_rec *r;
	uint64_t *ids;
	uint32_t n = 0, i, j;
	size_t off;

	FOREACH_REC (c->x, r, off, i)
		n += pfx_table(r->table);
	if (n == 0)
		return 0;
	ids = malloc(n * sizeof(*ids));
	c->sets = calloc(n, sizeof(*c->sets));
	if (ids == NULL || c->sets == NULL) {
		free(ids);
		return -ENOMEM;
	}
	n = 0;
	FOREACH_REC (c->x, r, off, i) {
		if (pfx_table(r->table))
			ids[n++] = (uint64_t)r->table << 32 |
				   ((const struct fp_dp_pfx_key *)rec_key(r))->id;
	}
	qsort(ids, n, sizeof(*ids), u64_cmp);
	for (i = 0, j = 0; i < n; i++) {
		struct set_work *w;
		const struct fp_dp_plens *old;

		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		w = &c->sets[j++];
		c->n_sets = j;
		w->table = (uint32_t)(ids[i] >> 32);
		w->set_id = (uint32_t)ids[i];
		w->work = rte_zmalloc_socket("fp_plens", sizeof(*w->work), 0, t->socket_id);
		w->snap = rte_zmalloc_socket("fp_plens", sizeof(*w->snap), 0, t->socket_id);
		if (w->work == NULL || w->snap == NULL) {
			free(ids);
			return -ENOMEM;
		}
		old = pfx_shadow(t, w->table, w->set_id);
		if (old != NULL)
			memcpy(w->work, old, sizeof(*old));
	}
	free(ids);
	return 0;
}

static void
free_sets(struct commit *c)
{
	uint32_t i;

	for (i = 0; i < c->n_sets; i++) {
		rte_free(c->sets[i].work);
		rte_free(c->sets[i].snap);
	}
	free(c->sets);
}

/* Pass 3: allocate every new value, so applying cannot fail. */
static int
prealloc(struct commit *c)
{
	struct fp_ftables *t = c->t;
	const struct txn_rec *r;
	size_t off;
	uint32_t i;

	if (prealloc_sets(c) < 0)
		return fail(c, 0, -ENOMEM, "out of memory");
	FOREACH_REC (c->x, r, off, i) {
		const void *v = rec_val(r);

		if (r->table == FP_TABLE_RULESET || r->table == FP_TABLE_ADDRSET ||
		    r->table == FP_TABLE_PORT)
			c->sg_changed = 1;
		if (v == NULL || r->table == FP_TABLE_FDB || r->table == FP_TABLE_ADDRSET)
			continue;
		if (r->table == FP_TABLE_PORT) {
			struct fp_dp_port *p = rte_zmalloc_socket(
				"fp_port", sizeof(*p), RTE_CACHE_LINE_SIZE, t->socket_id);

			if (p == NULL)
				goto err_nomem;
			memcpy(&p->v, v, sizeof(p->v));
			dp_port_prepare(p);
			c->objs[i] = p;
		} else if (r->table == FP_TABLE_VTEP) {
			struct fp_dp_vtep *d = rte_zmalloc_socket(
				"fp_vtep", sizeof(*d), RTE_CACHE_LINE_SIZE, t->socket_id);
			uint32_t up;

			if (d == NULL)
				goto err_nomem;
			memcpy(&d->v, v, sizeof(d->v));
			up = d->v.underlay_port;
			/* Cannot fail: check_vtep() built it once already. */
			fp_encap_tmpl_init(&d->tmpl, &d->v, t->port_mac[up], t->port_mtu[up]);
			c->objs[i] = d;
		} else {
			void *p = rte_malloc_socket("fp_val", r->val_size, 0, t->socket_id);

			if (p == NULL)
				goto err_nomem;
			memcpy(p, v, r->val_size);
			c->objs[i] = p;
		}
	}
	return 0;

err_nomem:
	return fail(c, i, -ENOMEM, "out of memory");
}

/* Wait until every online reader has passed a quiescent state.  Unlike
 * rte_rcu_qsbr_synchronize() it yields the CPU while it waits, so a
 * reader sharing this core (a shared host, a test) gets to run.
 */
static void
rcu_wait(struct rte_rcu_qsbr *rcu)
{
	uint64_t token;
	unsigned int spins = 0;

	if (rcu == NULL)
		return;
	token = rte_rcu_qsbr_start(rcu);
	while (!rte_rcu_qsbr_check(rcu, token, false)) {
		if (++spins < RCU_SPINS)
			rte_pause();
		else
			sched_yield();
	}
}

static void
retire(struct commit *c, struct rte_hash *h, int32_t pos, void *ptr)
{
	struct retire_list *l = &c->ret;

	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		struct retired *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			/* Cannot defer: wait for the readers now. */
			rcu_wait(c->t->rcu);
			if (h != NULL)
				rte_hash_free_key_with_position(h, pos);
			rte_free(ptr);
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct retired){ .h = h, .pos = pos, .ptr = ptr };
}

/* An rte_fib no reader may use after the grace period. */
static void
retire_fib(struct commit *c, struct rte_fib *fib)
{
	struct retire_list *l = &c->ret;
	uint32_t n = l->n;

	c->t->n_fib--;
	retire(c, NULL, 0, NULL);
	if (l->n > n)
		l->v[l->n - 1].fib = fib;
	else /* retire() waited for the readers: nobody uses it */
		rte_fib_free(fib);
}

/* Set or clear a VNI's bit in the served bitmap (the flood table's
 * shadow; only the writer changes it).
 */
static void
vni_mark(struct fp_ftables *t, uint32_t vni, int served)
{
	uint64_t bit = 1ULL << (vni % 64);

	/* A provider network is never decapsulated: not in the bitmap. */
	if (vni > FP_VNI_MAX)
		return;
	if (served)
		__atomic_fetch_or(&t->vni_served[vni / 64], bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&t->vni_served[vni / 64], ~bit, __ATOMIC_RELEASE);
}

/* Count one reference more (delta 1) or less (-1) to (vni, ip) in the
 * underlay source shadow.  A key is added at its first reference and
 * deleted at its last (its slot freed after the grace period).
 */
static void
src_ref(struct commit *c, uint32_t vni, const struct fp_ip *ip, int delta)
{
	struct fp_ftables *t = c->t;
	struct fp_dp_vtep_src k = { .vni = vni };
	uintptr_t n = 0;
	void *data;
	int32_t pos;

	k.ip = *ip;
	if (rte_hash_lookup_data(t->vtep_src, &k, &data) >= 0)
		n = (uintptr_t)data;
	if (delta > 0) {
		/* Cannot fail: one key per reference fits (vtep_src_limit()). */
		rte_hash_add_key_data(t->vtep_src, &k, (void *)(n + 1));
		return;
	}
	if (n > 1) {
		rte_hash_add_key_data(t->vtep_src, &k, (void *)(n - 1));
		return;
	}
	if (n == 0)
		return;
	pos = rte_hash_del_key(t->vtep_src, &k);
	if (pos >= 0)
		retire(c, t->vtep_src, pos, NULL);
}

/* One reference more or less from vni to vtep id (a flood member or an
 * fdb entry): counted for the vtep, and for its address if it exists.
 */
static void
vtep_ref(struct commit *c, uint32_t vni, uint32_t id, int delta)
{
	struct fp_ftables *t = c->t;
	const struct fp_dp_vtep *v;

	if (id >= t->limit[FP_TABLE_VTEP])
		return;
	t->vtep_refs[id] += (uint32_t)delta;
	v = t->vteps[id];
	if (v != NULL)
		src_ref(c, vni, &v->v.remote, delta);
}

static void
flood_refs(struct commit *c, uint32_t vni, const struct fp_flood_val *fl, int delta)
{
	uint32_t i;

	for (i = 0; i < fl->n_members && i < FP_FLOOD_MEMBER_MAX; i++)
		if (fl->members[i].type == FP_DEST_VTEP)
			vtep_ref(c, vni, fl->members[i].id, delta);
}

static void
fdb_ref(struct commit *c, uint32_t vni, const struct fp_fdb_val *v, int delta)
{
	if (v->type == FP_DEST_VTEP)
		vtep_ref(c, vni, v->id, delta);
}

/* Vtep id's address goes from from (NULL: it did not exist) to to (NULL:
 * deleted): move the references of the flood members and fdb entries
 * that name it, the new address first.
 */
static void
vtep_refs_move(struct commit *c, uint32_t id, const struct fp_ip *from, const struct fp_ip *to)
{
	struct fp_ftables *t = c->t;
	const void *key;
	void *data;
	uint32_t iter = 0, i;

	if (t->vtep_refs[id] == 0 ||
	    (from != NULL && to != NULL && memcmp(from, to, sizeof(*to)) == 0))
		return;
	while (rte_hash_iterate(t->flood, &key, &data, &iter) >= 0) {
		const struct fp_flood_val *fl = data;
		uint32_t vni = ((const struct fp_flood_key *)key)->vni;

		for (i = 0; i < fl->n_members && i < FP_FLOOD_MEMBER_MAX; i++) {
			if (fl->members[i].type != FP_DEST_VTEP || fl->members[i].id != id)
				continue;
			if (to != NULL)
				src_ref(c, vni, to, 1);
			if (from != NULL)
				src_ref(c, vni, from, -1);
		}
	}
	iter = 0;
	while (rte_hash_iterate(t->fdb, &key, &data, &iter) >= 0) {
		struct fp_fdb_val v = fp_ftables_fdb_decode(data);
		uint32_t vni = ((const struct fp_fdb_key *)key)->vni;

		if (v.type != FP_DEST_VTEP || v.id != id)
			continue;
		if (to != NULL)
			src_ref(c, vni, to, 1);
		if (from != NULL)
			src_ref(c, vni, from, -1);
	}
}

/* A route key's IPv4 address (host order) if it is an IPv4 route (a
 * length >= 96 in ::ffff:0:0/96: what an IPv4 lookup may match).
 */
static int
route_key_v4(const struct fp_dp_pfx_key *k, uint32_t *a)
{
	static const uint8_t v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (k->plen < 96 || k->plen > 128 || memcmp(k->ip.b, v4map, 12) != 0)
		return 0;
	*a = (uint32_t)k->ip.b[12] << 24 | (uint32_t)k->ip.b[13] << 16 |
	     (uint32_t)k->ip.b[14] << 8 | k->ip.b[15];
	return 1;
}

/* Route key k at hash position pos into the vrf's fib (s: its shadow). */
static void
fib_route_add(struct fp_dp_plens *s, const struct fp_dp_pfx_key *k, int32_t pos)
{
	uint32_t a;

	if (s == NULL || s->fib == NULL || !route_key_v4(k, &a))
		return;
	if (rte_fib_add(s->fib, a, (uint8_t)(k->plen - 96), (uint64_t)pos) < 0)
		s->fib_broken = 1;
}

/* Route key k out of the vrf's fib (s: its shadow). */
static void
fib_route_del(struct fp_dp_plens *s, const struct fp_dp_pfx_key *k)
{
	uint32_t a;

	if (s->fib == NULL || !route_key_v4(k, &a))
		return;
	if (rte_fib_delete(s->fib, a, (uint8_t)(k->plen - 96)) < 0)
		s->fib_broken = 1;
}

/* A route's value at its hash position (before a fib can name the
 * position); a new key (w: its vrf's shadow) also goes into the fib.
 */
static void
route_pos_set(struct commit *c, const struct fp_dp_pfx_key *k, const struct fp_route_val *v,
	      struct fp_dp_plens *w)
{
	struct fp_ftables *t = c->t;
	int32_t pos = rte_hash_lookup(t->route.keys, k);

	if (pos < 0)
		return;
	t->route_pos[pos].plen = k->plen;
	__atomic_store_n(&t->route_pos[pos].val, v, __ATOMIC_RELEASE);
	fib_route_add(w, k, pos);
}

/* A new rte_fib of vrf's IPv4 routes (n4 routes at most, n_long of them
 * longer than /24), filled from the route hash.  NULL if it cannot be
 * made.
 */
static struct rte_fib *
fib_make(struct fp_ftables *t, uint32_t vrf, uint32_t n4, uint32_t n_long)
{
	struct rte_fib_conf cfg = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FP_FTABLES_FIB_NONE,
		.max_routes = (int)RTE_MIN(2ULL * n4 + 1024, (uint64_t)INT32_MAX),
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B,
			     .num_tbl8 = RTE_MIN(2 * n_long + 256, 1U << 24) },
	};
	char name[32]; /* RTE_FIB_NAMESIZE, private in DPDK 22.11 */
	struct rte_fib *fib;
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;

	snprintf(name, sizeof(name), "fp_fib_%u", t->fib_seq++);
	fib = rte_fib_create(name, t->socket_id, &cfg);
	if (fib == NULL)
		return NULL;
	while ((pos = rte_hash_iterate(t->route.keys, &key, &data, &iter)) >= 0) {
		const struct fp_dp_pfx_key *k = key;
		uint32_t a;

		if (k->id != vrf || !route_key_v4(k, &a))
			continue;
		if (rte_fib_add(fib, a, (uint8_t)(k->plen - 96), (uint64_t)pos) < 0) {
			rte_fib_free(fib);
			return NULL;
		}
	}
	t->n_fib++;
	return fib;
}

/* Before a vrf's shadow s is published: make its fib when the vrf has
 * grown to need one (or a new one when an add failed), take it away when
 * the vrf has no IPv4 route left.
 */
static void
route_fib_update(struct commit *c, uint32_t vrf, struct fp_dp_plens *s)
{
	struct fp_ftables *t = c->t;
	uint32_t n4 = 0, n_long = 0, n_len = 0, l;
	struct rte_fib *fib;

	for (l = 96; l <= 128; l++) {
		n4 += s->n_members[l];
		n_long += l > 120 ? s->n_members[l] : 0;
		n_len += s->n_members[l] != 0;
	}
	if (n4 == 0 && s->fib != NULL) {
		retire_fib(c, s->fib);
		s->fib = NULL;
	}
	if (s->fib == NULL) {
		s->fib_broken = 0;
		if (n4 < FP_FTABLES_FIB_MIN_ROUTES || n_len < FP_FTABLES_FIB_MIN_PLENS ||
		    t->n_fib >= FP_FTABLES_FIB_MAX || (s->fib_fail_n4 && n4 < 2 * s->fib_fail_n4))
			return;
	} else if (!s->fib_broken) {
		return;
	}
	fib = fib_make(t, vrf, n4, n_long);
	if (s->fib != NULL)
		retire_fib(c, s->fib);
	s->fib = fib;
	s->fib_broken = 0;
	/* Without memory for it, the vrf stays on the probes for a while. */
	s->fib_fail_n4 = fib == NULL ? n4 : 0;
}

static void
apply_set(struct commit *c, const struct txn_rec *r, uint32_t i)
{
	struct fp_ftables *t = c->t;
	const void *k = rec_key(r);
	void *old;

	switch (r->table) {
	case FP_TABLE_PORT: {
		uint32_t id = ((const struct fp_port_key *)k)->port_id;
		const struct fp_dp_port *np = c->objs[i];

		old = __atomic_exchange_n(&t->ports[id], c->objs[i], __ATOMIC_ACQ_REL);
		if (old != NULL && (((struct fp_dp_port *)old)->v.flags & FP_PORT_F_SG) &&
		    !(np->v.flags & FP_PORT_F_SG))
			c->flush_zones |= 1ULL << id;
		break;
	}
	case FP_TABLE_VTEP: {
		uint32_t id = ((const struct fp_vtep_key *)k)->vtep_id;
		const struct fp_dp_vtep *nv = c->objs[i], *ov = t->vteps[id];

		vtep_refs_move(c, id, ov != NULL ? &ov->v.remote : NULL, &nv->v.remote);
		old = __atomic_exchange_n(&t->vteps[id], c->objs[i], __ATOMIC_ACQ_REL);
		break;
	}
	case FP_TABLE_FDB: {
		uint32_t vni = ((const struct fp_fdb_key *)k)->vni;
		struct fp_fdb_val nv, ov;
		uintptr_t w = 0;
		void *data;
		int had;

		memcpy(&w, rec_val(r), sizeof(struct fp_fdb_val));
		memcpy(&nv, rec_val(r), sizeof(nv));
		had = rte_hash_lookup_data(t->fdb, k, &data) >= 0;
		if (!had)
			t->count[FP_TABLE_FDB]++;
		fdb_ref(c, vni, &nv, 1);
		/* Replaces the data word atomically if the key exists. */
		rte_hash_add_key_data(t->fdb, k, (void *)w);
		if (had) {
			ov = fp_ftables_fdb_decode(data);
			fdb_ref(c, vni, &ov, -1);
		}
		return;
	}
	case FP_TABLE_ADDRSET:
	case FP_TABLE_ROUTE: {
		const struct fp_dp_pfx_key *pk = k;
		struct rte_hash *h = pfx_of(t, r->table)->keys;

		struct fp_dp_plens *w = NULL;

		if (rte_hash_lookup_data(h, k, &old) < 0) {
			old = NULL;
			w = set_work_find(c, r->table, pk->id)->work;
			w->n_members[pk->plen]++;
			t->count[r->table]++;
		} else if (r->table == FP_TABLE_ADDRSET) {
			return;
		}
		/* Replaces the data word atomically if the key exists. */
		rte_hash_add_key_data(h, k, c->objs[i]);
		if (r->table == FP_TABLE_ROUTE)
			route_pos_set(c, pk, c->objs[i], w);
		c->objs[i] = NULL;
		if (old != NULL)
			retire(c, NULL, 0, old);
		return;
	}
	default: {
		struct rte_hash *h = table_hash(t, r->table);

		if (rte_hash_lookup_data(h, k, &old) < 0)
			old = NULL;
		if (r->table == FP_TABLE_FLOOD)
			flood_refs(c, ((const struct fp_flood_key *)k)->vni, c->objs[i], 1);
		rte_hash_add_key_data(h, k, c->objs[i]);
		if (r->table == FP_TABLE_FLOOD) {
			vni_mark(t, ((const struct fp_flood_key *)k)->vni, 1);
			if (old != NULL)
				flood_refs(c, ((const struct fp_flood_key *)k)->vni, old, -1);
		}
		break;
	}
	}
	c->objs[i] = NULL;
	if (old != NULL)
		retire(c, NULL, 0, old);
	else
		t->count[r->table]++;
}

static void
apply_del(struct commit *c, const struct txn_rec *r)
{
	struct fp_ftables *t = c->t;
	const void *k = rec_key(r);
	void *old = NULL;

	switch (r->table) {
	case FP_TABLE_PORT: {
		uint32_t id = ((const struct fp_port_key *)k)->port_id;

		old = __atomic_exchange_n(&t->ports[id], NULL, __ATOMIC_ACQ_REL);
		if (old != NULL && (((struct fp_dp_port *)old)->v.flags & FP_PORT_F_SG))
			c->flush_zones |= 1ULL << id;
		if (old != NULL) {
			retire(c, NULL, 0, old);
			t->count[r->table]--;
		}
		return;
	}
	case FP_TABLE_VTEP:
		old = __atomic_exchange_n(&t->vteps[((const struct fp_vtep_key *)k)->vtep_id], NULL,
					  __ATOMIC_ACQ_REL);
		if (old != NULL)
			vtep_refs_move(c, ((const struct fp_vtep_key *)k)->vtep_id,
				       &((struct fp_dp_vtep *)old)->v.remote, NULL);
		if (old != NULL) {
			retire(c, NULL, 0, old);
			t->count[r->table]--;
		}
		return;
	default: {
		struct rte_hash *h = table_hash(t, r->table);
		int32_t pos;

		if (rte_hash_lookup_data(h, k, &old) < 0)
			return;
		if (r->table == FP_TABLE_FLOOD)
			vni_mark(t, ((const struct fp_flood_key *)k)->vni, 0);
		pos = rte_hash_del_key(h, k);
		if (pos < 0)
			return;
		if (r->table == FP_TABLE_FLOOD) {
			flood_refs(c, ((const struct fp_flood_key *)k)->vni, old, -1);
		} else if (r->table == FP_TABLE_FDB) {
			struct fp_fdb_val ov = fp_ftables_fdb_decode(old);

			fdb_ref(c, ((const struct fp_fdb_key *)k)->vni, &ov, -1);
		}
		if (pfx_table(r->table)) {
			const struct fp_dp_pfx_key *pk = k;

			struct fp_dp_plens *w = set_work_find(c, r->table, pk->id)->work;

			w->n_members[pk->plen]--;
			if (r->table == FP_TABLE_ROUTE)
				fib_route_del(w, pk);
		}
		retire(c, h, pos, r->table == FP_TABLE_FDB ? NULL : old);
		t->count[r->table]--;
		return;
	}
	}
}

/* Sets in this order, deletes in the reverse: referenced tables first. */
static const uint16_t apply_order[FP_TABLE_MAX] = FP_TABLE_SET_ORDER;

/* The lengths with members, longest first. */
static void
plens_fill(struct fp_dp_plens *s)
{
	int l;

	s->n_plens = 0;
	for (l = 128; l >= 0; l--) {
		if (s->n_members[l])
			s->plens[s->n_plens++] = (uint8_t)l;
	}
}

/* Publish the shadow of every changed id of prefix table table: after
 * the sets (final false: the snapshot, lengths of old and new keys, so
 * that no key is missed meanwhile), then after the deletes (final: the
 * work copy, or the id's removal when it has no key left).
 */
static void
pfx_publish(struct commit *c, uint32_t table, int final)
{
	struct fp_ftables *t = c->t;
	struct rte_hash *plens = pfx_of(t, table)->plens;
	uint32_t i;

	for (i = 0; i < c->n_sets; i++) {
		struct set_work *w = &c->sets[i];
		struct fp_dp_plens *s = w->work, *old;

		if (w->table != table)
			continue;
		old = pfx_shadow(t, table, w->set_id);
		plens_fill(w->work);
		if (table == FP_TABLE_ROUTE)
			route_fib_update(c, w->set_id, w->work);
		if (!final) {
			memcpy(w->snap, w->work, sizeof(*w->snap));
			s = w->snap;
			w->snap = NULL;
		} else {
			w->work = NULL;
		}
		if (s->n_plens == 0) {
			int32_t pos;

			rte_free(s);
			if (old == NULL)
				continue;
			pos = rte_hash_del_key(plens, &w->set_id);
			if (pos >= 0)
				retire(c, plens, pos, old);
			continue;
		}
		rte_hash_add_key_data(plens, &w->set_id, s);
		if (old != NULL)
			retire(c, NULL, 0, old);
	}
}

static void
apply_all(struct commit *c)
{
	const struct txn_rec *r;
	size_t off;
	uint32_t i;
	int o;

	for (o = 0; o < FP_TABLE_MAX; o++) {
		FOREACH_REC (c->x, r, off, i) {
			if (r->table == apply_order[o] && r->val_size)
				apply_set(c, r, i);
		}
		if (pfx_table(apply_order[o]))
			pfx_publish(c, apply_order[o], 0);
	}
	for (o = FP_TABLE_MAX - 1; o >= 0; o--) {
		FOREACH_REC (c->x, r, off, i) {
			if (r->table == apply_order[o] && !r->val_size)
				apply_del(c, r);
		}
		if (pfx_table(apply_order[o]))
			pfx_publish(c, apply_order[o], 1);
	}
}

static void
release(struct commit *c)
{
	struct retire_list *l = &c->ret;
	uint32_t i;

	if (l->n)
		rcu_wait(c->t->rcu);
	for (i = 0; i < l->n; i++) {
		if (l->v[i].h != NULL)
			rte_hash_free_key_with_position(l->v[i].h, l->v[i].pos);
		rte_free(l->v[i].ptr);
		rte_fib_free(l->v[i].fib);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int
fp_ftables_commit(struct fp_ftables *t, const struct fp_txn *x, uint32_t *failed, char *err,
		  size_t errsz)
{
	struct commit *c;
	char dummy[1];
	uint32_t i;
	int rc;

	if (err == NULL || errsz == 0) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	if (failed != NULL)
		*failed = 0;
	if (x->n == 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->t = t;
	c->x = x;
	c->err = err;
	c->errsz = errsz;
	c->objs = calloc(x->n, sizeof(*c->objs));
	if (c->objs == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memset(t->scratch, 0, t->limit[FP_TABLE_VTEP]);
	view_init(c);
	rc = mark_ids(c);
	if (rc == 0)
		rc = check_all(c);
	if (rc == 0)
		rc = prealloc(c);
	if (rc == 0) {
		apply_all(c);
		if (c->sg_changed)
			__atomic_fetch_add(&t->sg_gen, 1, __ATOMIC_RELEASE);
		__atomic_fetch_add(&t->generation, 1, __ATOMIC_RELEASE);
		release(c);
		/* After the grace period no worker filters these ports any
		 * more: their connections cannot come back.
		 */
		for (i = 0; i < FP_PORT_MAX && t->ct != NULL; i++) {
			if (c->flush_zones & (1ULL << i))
				fp_ct_flush_zone(t->ct, (uint16_t)i);
		}
	} else if (failed != NULL) {
		*failed = c->fail_idx;
	}
	for (i = 0; i < x->n; i++)
		rte_free(c->objs[i]);
	free_sets(c);
out:
	free(c->objs);
	free(c);
	return rc;
}

int
fp_ftables_walk(const struct fp_ftables *t, uint16_t table, fp_ftables_walk_fn *fn, void *arg)
{
	uint32_t i, iter = 0;
	const void *key;
	void *data;
	int rc;

	switch (table) {
	case FP_TABLE_PORT:
		for (i = 0; i < FP_PORT_MAX; i++) {
			struct fp_port_key k = { .port_id = i };

			if (t->ports[i] != NULL && (rc = fn(table, &k, &t->ports[i]->v, arg)) != 0)
				return rc;
		}
		return 0;
	case FP_TABLE_VTEP:
		for (i = 0; i < t->limit[FP_TABLE_VTEP]; i++) {
			struct fp_vtep_key k = { .vtep_id = i };

			if (t->vteps[i] != NULL && (rc = fn(table, &k, &t->vteps[i]->v, arg)) != 0)
				return rc;
		}
		return 0;
	case FP_TABLE_FDB:
		while (rte_hash_iterate(t->fdb, &key, &data, &iter) >= 0) {
			struct fp_fdb_val v = fp_ftables_fdb_decode(data);

			if ((rc = fn(table, key, &v, arg)) != 0)
				return rc;
		}
		return 0;
	case FP_TABLE_ADDRSET:
		while (rte_hash_iterate(t->addrset.keys, &key, &data, &iter) >= 0) {
			struct fp_addrset_val v = { 0 };

			if ((rc = fn(table, key, &v, arg)) != 0)
				return rc;
		}
		return 0;
	case FP_TABLE_FLOOD:
	case FP_TABLE_NEIGH:
	case FP_TABLE_RULESET:
	case FP_TABLE_ROUTE:
	case FP_TABLE_NAT:
	case FP_TABLE_DHCP:
	case FP_TABLE_RA:
	case FP_TABLE_DHCP6:
	case FP_TABLE_SEGMENT:
		while (rte_hash_iterate(table_hash(t, table), &key, &data, &iter) >= 0) {
			if ((rc = fn(table, key, data, arg)) != 0)
				return rc;
		}
		return 0;
	default:
		return -EINVAL;
	}
}
