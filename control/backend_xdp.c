/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's XDP backend: the table maps an fp-xdp instance pinned under
 * FP_XDP_PIN_ROOT/<instance>/ (include/flowplane/xdp.h).
 *
 * BPF maps have no transactions.  A commit therefore checks the whole
 * transaction first (deletes name entries that exist, port entries are
 * for configured vm ports, every table stays within its size, fdb and
 * flood entries point at ports and vteps that exist after the commit),
 * then writes it in make-before-break order (sets in FP_TABLE_SET_ORDER,
 * deletes in the reverse order), remembering each entry's old value; if
 * the kernel refuses a write half way, what was written is put back in
 * reverse order.  The programs read each entry atomically, so a packet
 * never sees a half-written entry, and never an entry pointing at
 * something missing.
 *
 * target: an instance name ("default"), or an absolute path of a pin
 * directory (tests).
 */
#include "backend.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/ctl.h>
#include <flowplane/xdp.h>

#include "check.h"
#include "clock.h"
#include "names.h"

static const uint16_t set_order[FP_TABLE_MAX] = FP_TABLE_SET_ORDER;

/* The map of each table; NO_MAP: a table the program does not carry
 * (limit 0 in the backend's info, its entries refused by the check).
 * fp_route may be missing from an instance an older fp-xdp attached: its
 * fd is then -1, its limit 0, and routes are refused as on an engine that
 * does not route.  nat: the program does not translate floating IPs yet.
 */
#define NO_MAP FP_XDP_MAP_MAX
static const uint16_t table_map[FP_TABLE_MAX] = {
	[FP_TABLE_PORT] = FP_XDP_MAP_PORT,
	[FP_TABLE_VTEP] = FP_XDP_MAP_VTEP,
	[FP_TABLE_FDB] = FP_XDP_MAP_FDB,
	[FP_TABLE_FLOOD] = FP_XDP_MAP_FLOOD,
	[FP_TABLE_NEIGH] = FP_XDP_MAP_NEIGH,
	[FP_TABLE_RULESET] = FP_XDP_MAP_RULESET,
	[FP_TABLE_ADDRSET] = FP_XDP_MAP_ADDRSET,
	[FP_TABLE_ROUTE] = FP_XDP_MAP_ROUTE,
	[FP_TABLE_NAT] = NO_MAP,
	[FP_TABLE_DHCP] = NO_MAP,
	[FP_TABLE_RA] = NO_MAP,
	[FP_TABLE_DHCP6] = NO_MAP,
	[FP_TABLE_SEGMENT] = NO_MAP,
};

/* A map key: room for what map_key() makes of any table's key. */
union map_key_buf {
	union fp_table_key table;	   /* the tables' own keys */
	struct fp_xdp_addrset_key addrset; /* address sets */
	struct fp_xdp_route_key route;	   /* routes */
};

/* The map key of a table key: the same bytes, but for an address set,
 * whose LPM trie key (struct fp_xdp_addrset_key) puts the set id in front
 * of the address, and for a route, whose LPM trie key (struct
 * fp_xdp_route_key) puts the vrf and the family in front of it
 * (include/flowplane/xdp.h).
 */
static const void *
map_key(uint16_t table, const void *key, union map_key_buf *buf)
{
	const struct fp_addrset_key *k = key;
	const struct fp_route_key *rk = key;

	if (table == FP_TABLE_ROUTE) {
		memset(&buf->route, 0, sizeof(buf->route));
		fp_xdp_route_key_set(&buf->route, rk->vrf, rk->plen, rk->ip.b);
		return buf;
	}
	if (table != FP_TABLE_ADDRSET)
		return key;
	memset(&buf->addrset, 0, sizeof(buf->addrset));
	buf->addrset.prefixlen = FP_XDP_ADDRSET_PLEN(k->plen);
	buf->addrset.set_id = k->set_id;
	memcpy(buf->addrset.ip, k->ip.b, sizeof(buf->addrset.ip));
	return buf;
}

/* The table key of a map key (map_key()'s inverse). */
static void
table_key(uint16_t table, const void *mkey, union fp_table_key *out)
{
	const struct fp_xdp_addrset_key *m = mkey;
	const struct fp_xdp_route_key *r = mkey;

	if (table == FP_TABLE_ROUTE) {
		memset(&out->route, 0, sizeof(out->route));
		out->route.vrf = r->vrf;
		out->route.plen = (uint8_t)(r->prefixlen - FP_XDP_ROUTE_PLEN(0));
		memcpy(out->route.ip.b, r->ip, sizeof(r->ip));
		return;
	}
	if (table != FP_TABLE_ADDRSET) {
		memcpy(out, mkey, fp_names_key_size[table]);
		return;
	}
	memset(&out->addrset, 0, sizeof(out->addrset));
	out->addrset.set_id = m->set_id;
	out->addrset.plen = (uint8_t)(m->prefixlen - FP_XDP_ADDRSET_PLEN(0));
	memcpy(out->addrset.ip.b, m->ip, sizeof(m->ip));
}

/* Does a change of table move the security-group generation (fp_sg_cfg)? */
static int
sg_table(uint16_t table)
{
	return table == FP_TABLE_RULESET || table == FP_TABLE_ADDRSET || table == FP_TABLE_PORT;
}

/* One staged change, and what the entry held before it was written. */
struct change {
	uint16_t table;		/* FP_TABLE_* */
	uint8_t del;		/* a delete */
	uint8_t had;		/* the entry existed before (commit) */
	uint8_t win;		/* the change of its key that is written */
	uint8_t set_before;	/* a set of the same key is staged before it */
	uint8_t pad[2];		/* zero */
	uint32_t seq;		/* staging order */
	union fp_table_key key; /* key */
	union fp_table_val val; /* new value (set) */
	union fp_table_val old; /* old value when had */
};

struct xdp_handle {
	char dir[256];		      /* pin directory */
	int fd[FP_XDP_MAP_MAX];	      /* map fds */
	uint32_t id[FP_XDP_MAP_MAX];  /* their kernel ids */
	uint32_t max[FP_XDP_MAP_MAX]; /* their max_entries */
	int64_t n[FP_TABLE_MAX];      /* entries per table, once counted */
	int counted;		      /* n is valid (counted on first use, kept by commits) */
	uint32_t *vtep_refs;	      /* by vtep id: flood members and fdb entries naming it */
	struct change *staged;	      /* the open transaction */
	struct change **sorted;	      /* staged, by (table, key, seq) at commit */
	size_t n_staged;	      /* staged changes */
	size_t cap;		      /* allocated */
	int in_txn;		      /* begin seen */
};

static int
map_open(const char *dir, const char *name, uint32_t *id, uint32_t *max)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	char path[320];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*id = info.id;
	*max = info.max_entries;
	return fd;
}

static void
xdp_close(void *h)
{
	struct xdp_handle *x = h;
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		if (x->fd[i] >= 0)
			close(x->fd[i]);
	free(x->staged);
	free(x->sorted);
	free(x->vtep_refs);
	free(x);
}

static int
xdp_open(const char *target, void **handle)
{
	struct xdp_handle *x = calloc(1, sizeof(*x));
	int i, rc;

	if (x == NULL)
		return -ENOMEM;
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		x->fd[i] = -1;
	if (target[0] == '/')
		snprintf(x->dir, sizeof(x->dir), "%s", target);
	else
		snprintf(x->dir, sizeof(x->dir), "%s/%s", FP_XDP_PIN_ROOT, target);
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		if (i == FP_XDP_MAP_TX || i == FP_XDP_MAP_IFPORT || i == FP_XDP_MAP_IFSLOT ||
		    i == FP_XDP_MAP_COUNTERS || i == FP_XDP_MAP_SG_DROPS || i == FP_XDP_MAP_GUARD ||
		    i == FP_XDP_MAP_STORM)
			continue; /* fp-xdp's or the programs' business, not the tables' */
		rc = map_open(x->dir, fp_names_xdp_map[i], &x->id[i], &x->max[i]);
		if (rc == -ENOENT && i == FP_XDP_MAP_ROUTE) {
			x->max[i] = 0; /* an older instance: it does not route */
			continue;
		}
		if (rc < 0) {
			/* No instance (not attached): as a dataplane that is
			 * not running.
			 */
			xdp_close(x);
			return rc == -ENOENT ? -ECONNREFUSED : rc;
		}
		x->fd[i] = rc;
	}
	x->vtep_refs = calloc(x->max[FP_XDP_MAP_VTEP] + 1, sizeof(*x->vtep_refs));
	rc = x->vtep_refs == NULL ?
		     -ENOMEM :
		     fp_backend_xdp_vtep_src_rebuild(
			     x->fd[FP_XDP_MAP_FLOOD], x->fd[FP_XDP_MAP_FDB], x->fd[FP_XDP_MAP_VTEP],
			     x->fd[FP_XDP_MAP_VTEP_SRC], x->max[FP_XDP_MAP_VTEP], x->vtep_refs);
	if (rc < 0) {
		xdp_close(x);
		return rc;
	}
	*handle = x;
	return 0;
}

/* Is the instance still the one we opened (fp-xdp may have detached and
 * removed it, or attached a new one)?
 */
static int
xdp_ping(void *h, uint64_t *generation)
{
	struct xdp_handle *x = h;
	struct fp_host_cfg host;
	uint32_t id = 0, max = 0, zero = 0;
	int fd = map_open(x->dir, fp_names_xdp_map[FP_XDP_MAP_HOST], &id, &max);

	if (fd < 0)
		return -ENOTCONN;
	close(fd);
	if (id != x->id[FP_XDP_MAP_HOST])
		return -ENOTCONN;
	if (generation != NULL) {
		if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_HOST], &zero, &host) != 0)
			return -errno;
		*generation = host.generation;
	}
	return 0;
}

static int
lookup(const struct xdp_handle *x, uint16_t table, const void *key, void *val)
{
	union map_key_buf ak;

	if (table_map[table] == NO_MAP || x->fd[table_map[table]] < 0 ||
	    bpf_map_lookup_elem(x->fd[table_map[table]], map_key(table, key, &ak), val) < 0)
		return 0;
	/* The port table is an array: role none is no entry. */
	if (table == FP_TABLE_PORT)
		return ((const struct fp_port_val *)val)->role != FP_PORT_ROLE_NONE;
	return 1;
}

/* Entries of one table. */
static int
count(const struct xdp_handle *x, uint16_t table, uint32_t *n)
{
	union map_key_buf k, next;
	union fp_table_val v;
	int fd;
	void *prev = NULL;

	*n = 0;
	if (table_map[table] == NO_MAP || x->fd[table_map[table]] < 0)
		return 0;
	fd = x->fd[table_map[table]];
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		union fp_table_key tk;

		table_key(table, &next, &tk);
		if (lookup(x, table, &tk, &v))
			(*n)++;
		k = next;
		prev = &k;
	}
	return 0;
}

/* The entries of every table, counted by walking the maps the first time
 * they are needed (a dump or a show need not pay for it) and kept up to
 * date by every commit since.
 */
static void
counts(struct xdp_handle *x)
{
	uint32_t c;
	int t;

	if (x->counted)
		return;
	for (t = 0; t < FP_TABLE_MAX; t++) {
		count(x, (uint16_t)t, &c);
		x->n[t] = c;
	}
	x->counted = 1;
}

static int
xdp_info(void *h, struct fp_backend_info *out)
{
	struct xdp_handle *x = h;
	struct fp_host_cfg host;
	uint32_t i, zero = 0;
	int t;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_HOST], &zero, &host) < 0)
		return -errno;
	snprintf(out->host, sizeof(out->host), "%.*s", FP_NAME_SIZE - 1, host.host);
	out->abi_version = FP_ABI_VERSION;
	out->generation = host.generation;
	for (i = 0; i < FP_PORT_MAX; i++) {
		struct fp_port_cfg pc;
		struct fp_engine_port *p = &out->ports[out->n_ports];

		if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_PORT_CFG], &i, &pc) < 0 || pc.ifindex == 0)
			continue;
		snprintf(p->name, sizeof(p->name), "%.*s", FP_NAME_SIZE - 1, pc.name);
		p->id = i;
		p->role = pc.role;
		p->mtu = pc.mtu;
		memcpy(p->mac, pc.mac, 6);
		out->n_ports++;
	}
	counts(x);
	for (t = 0; t < FP_TABLE_MAX; t++) {
		out->table_limit[t] = table_map[t] == NO_MAP ? 0 : x->max[table_map[t]];
		out->table_count[t] = (uint32_t)x->n[t];
	}
	/* The program filters FP_PORT_F_SG ports from its ruleset, addrset
	 * and connection maps (doc/xdp.md "Security groups").
	 */
	out->routes_carried = out->table_limit[FP_TABLE_ROUTE] > 0;
	out->nat_carried = out->routes_carried && out->table_limit[FP_TABLE_NAT] > 0;
	out->segments_carried = out->table_limit[FP_TABLE_SEGMENT] > 0;
	out->sg_enforced = out->table_limit[FP_TABLE_RULESET] > 0 &&
			   out->table_limit[FP_TABLE_ADDRSET] > 0;
	return 0;
}

static int
xdp_begin(void *h)
{
	struct xdp_handle *x = h;

	if (x->in_txn)
		return -EBUSY;
	x->in_txn = 1;
	x->n_staged = 0;
	return 0;
}

static int
stage(struct xdp_handle *x, uint16_t table, const void *key, const void *val)
{
	struct change *c;

	if (!x->in_txn)
		return -EPROTO;
	if (table >= FP_TABLE_MAX)
		return -EINVAL;
	if (x->n_staged == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		struct change *n = realloc(x->staged, cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		x->staged = n;
		x->cap = cap;
	}
	c = &x->staged[x->n_staged];
	memset(c, 0, sizeof(*c));
	c->seq = (uint32_t)x->n_staged++;
	c->table = table;
	c->del = val == NULL;
	memcpy(&c->key, key, fp_names_key_size[table]);
	if (val != NULL)
		memcpy(&c->val, val, fp_names_val_size[table]);
	return 0;
}

static int
xdp_set(void *h, uint16_t table, const void *key, const void *val)
{
	return stage(h, table, key, val);
}

static int
xdp_del(void *h, uint16_t table, const void *key)
{
	return stage(h, table, key, NULL);
}

static int
change_cmp(const struct change *a, const struct change *b)
{
	int r;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	r = memcmp(&a->key, &b->key, fp_names_key_size[a->table]);
	if (r != 0)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
change_ptr_cmp(const void *a, const void *b)
{
	return change_cmp(*(struct change *const *)a, *(struct change *const *)b);
}

/* Sort the staged changes by key and mark, per key, the change that is
 * written (a delete wins over a set, as in fp-dpdk; else the last set)
 * and the deletes that follow a set of their key.
 */
static int
staged_sort(struct xdp_handle *x)
{
	size_t i, j;

	free(x->sorted);
	x->sorted = malloc((x->n_staged ? x->n_staged : 1) * sizeof(*x->sorted));
	if (x->sorted == NULL)
		return -ENOMEM;
	for (i = 0; i < x->n_staged; i++)
		x->sorted[i] = &x->staged[i];
	qsort(x->sorted, x->n_staged, sizeof(*x->sorted), change_ptr_cmp);
	for (i = 0; i < x->n_staged; i = j) {
		struct change *win = NULL;
		int seen_set = 0;

		for (j = i; j < x->n_staged && x->sorted[j]->table == x->sorted[i]->table &&
			    memcmp(&x->sorted[j]->key, &x->sorted[i]->key,
				   fp_names_key_size[x->sorted[i]->table]) == 0;
		     j++) {
			struct change *c = x->sorted[j];

			c->set_before = (uint8_t)seen_set;
			seen_set |= !c->del;
			if (win == NULL || !win->del)
				win = c;
		}
		win->win = 1;
	}
	return 0;
}

/* The staged change for (table, key) that is written, or NULL. */
static const struct change *
staged_find(const struct xdp_handle *x, uint16_t table, const void *key)
{
	size_t lo = 0, hi = x->n_staged;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct change *c = x->sorted[mid];
		int r = c->table != table ? (c->table < table ? -1 : 1) :
					    memcmp(&c->key, key, fp_names_key_size[table]);

		if (r < 0) {
			lo = mid + 1;
		} else if (r > 0) {
			hi = mid;
		} else {
			/* Walk to the winner among the equal keys. */
			size_t k = mid;

			while (k > 0 && x->sorted[k - 1]->table == table &&
			       memcmp(&x->sorted[k - 1]->key, key, fp_names_key_size[table]) == 0)
				k--;
			for (; k < x->n_staged && x->sorted[k]->table == table &&
			       memcmp(&x->sorted[k]->key, key, fp_names_key_size[table]) == 0;
			     k++)
				if (x->sorted[k]->win)
					return x->sorted[k];
			return NULL;
		}
	}
	return NULL;
}

/* Will (table, key) exist after the commit? */
static int
exists_after(const struct xdp_handle *x, uint16_t table, const void *key)
{
	const struct change *c = staged_find(x, table, key);
	union fp_table_val v;

	if (c != NULL)
		return !c->del;
	return lookup(x, table, key, &v);
}

static int fail(uint32_t *failed, char *err, size_t errsz, size_t i, int rc, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int
fail(uint32_t *failed, char *err, size_t errsz, size_t i, int rc, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*failed = (uint32_t)i;
	snprintf(err, errsz, "change %zu: %s", i, msg);
	return rc;
}

/* What the entry validator (lib/check.h) needs to know of the maps:
 * fp-xdp's port config (ports and roles), fp_host (local VTEPs), sizes.
 */
struct xdp_view {
	struct fp_check_view view;	 /* for fp_check_*() */
	const struct xdp_handle *x;	 /* the maps */
	uint16_t port_role[FP_PORT_MAX]; /* configured role, NONE: no port */
	uint16_t port_mtu[FP_PORT_MAX];	 /* configured MTU */
	struct fp_host_cfg host;	 /* local VTEP addresses */
};

/* fp_check_exists_fn over the maps as the commit leaves them: a vm port
 * with an entry (as fp-dpdk), a vtep with an entry.
 */
static int
dest_ok(void *ctx, uint16_t type, uint32_t id)
{
	const struct xdp_view *v = ctx;

	if (type == FP_DEST_PORT) {
		struct fp_port_key k = { .port_id = id };

		return id < FP_PORT_MAX && v->port_role[id] == FP_PORT_ROLE_VM &&
		       exists_after(v->x, FP_TABLE_PORT, &k);
	}
	if (type == FP_DEST_VTEP) {
		struct fp_vtep_key k = { .vtep_id = id };

		return exists_after(v->x, FP_TABLE_VTEP, &k);
	}
	return 0;
}

static int
view_init(struct xdp_handle *x, struct xdp_view *v)
{
	uint32_t i, zero = 0;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < FP_PORT_MAX; i++) {
		struct fp_port_cfg pc;

		if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_PORT_CFG], &i, &pc) < 0 || pc.ifindex == 0)
			continue;
		v->port_role[i] = pc.role;
		v->port_mtu[i] = pc.mtu;
	}
	if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_HOST], &zero, &v->host) < 0)
		return -errno;
	v->view = (struct fp_check_view){
		.port_role = v->port_role,
		.port_mtu = v->port_mtu,
		.local_vteps = v->host.local_vteps,
		.n_local_vteps = v->host.n_local_vteps < FP_XDP_LOCAL_VTEP_MAX ?
					 v->host.n_local_vteps :
					 FP_XDP_LOCAL_VTEP_MAX,
		.vtep_limit = x->max[FP_XDP_MAP_VTEP],
		.sg_enforced = 1,
		.routes = x->fd[FP_XDP_MAP_ROUTE] >= 0,
		.nat = 0, /* the program does not translate floating IPs yet */
		.exists = dest_ok,
		.ctx = v,
	};
	v->x = x;
	return 0;
}

/* The whole transaction, before anything is written: the same checks as
 * fp-dpdk's commit (lib/check.h), then existence and sizes.
 */
static int
check(struct xdp_handle *x, int64_t n[FP_TABLE_MAX], uint32_t *failed, char *err, size_t errsz)
{
	char msg[FP_CTL_MSG_SIZE];
	struct xdp_view *v;
	size_t i;
	int t, rc;

	rc = staged_sort(x);
	if (rc < 0)
		return rc;
	v = malloc(sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	rc = view_init(x, v);
	if (rc < 0)
		goto out;
	counts(x);
	memcpy(n, x->n, sizeof(x->n));
	for (i = 0; i < x->n_staged; i++) {
		rc = fp_check_key(x->staged[i].table, &x->staged[i].key, &v->view, msg,
				  sizeof(msg));
		if (rc < 0) {
			rc = fail(failed, err, errsz, i, rc, "%s", msg);
			goto out;
		}
	}
	for (i = 0; i < x->n_staged; i++) {
		struct change *c = &x->staged[i];

		rc = fp_check_entry(c->table, &c->key, c->del ? NULL : &c->val, &v->view, msg,
				    sizeof(msg));
		if (rc < 0) {
			rc = fail(failed, err, errsz, i, rc, "%s", msg);
			goto out;
		}
		c->had = (uint8_t)lookup(x, c->table, &c->key, &c->old);
		if (c->del && !c->had && !c->set_before) {
			rc = fail(failed, err, errsz, i, -ENOENT, "delete %s: no such entry",
				  fp_names_table[c->table]);
			goto out;
		}
		if (!c->win)
			continue;
		if (c->del && c->had)
			n[c->table]--;
		else if (!c->del && !c->had)
			n[c->table]++;
	}
	for (t = 0; t < FP_TABLE_MAX; t++) {
		if (t != FP_TABLE_PORT && table_map[t] != NO_MAP &&
		    n[t] > (int64_t)x->max[table_map[t]]) {
			*failed = UINT32_MAX;
			snprintf(err, errsz, "%s table full: limit %u",
				 fp_names_xdp_map[table_map[t]], x->max[table_map[t]]);
			rc = -ENOSPC;
			goto out;
		}
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* Set or clear vni's bit in fp_vni, the shadow of fp_flood. */
static int
vni_mark(struct xdp_handle *x, uint32_t vni, int on)
{
	uint32_t w = FP_XDP_VNI_WORD(vni);
	uint64_t bits, bit = FP_XDP_VNI_BIT(vni);
	int fd = x->fd[FP_XDP_MAP_VNI];

	if (bpf_map_lookup_elem(fd, &w, &bits) < 0)
		return -errno;
	if (!!(bits & bit) == !!on)
		return 0;
	bits = on ? bits | bit : bits & ~bit;
	return bpf_map_update_elem(fd, &w, &bits, BPF_ANY) < 0 ? -errno : 0;
}

size_t
fp_backend_xdp_port_steps(const struct fp_port_val *cur, const struct fp_port_val *val,
			  struct fp_port_val steps[3])
{
	struct fp_port_val now = *cur, next;
	size_t n = 0;

	if (val != NULL && memcmp(&now, val, sizeof(now)) == 0)
		return 0;
	if (now.role != FP_PORT_ROLE_NONE) {
		now.role = FP_PORT_ROLE_NONE;
		steps[n++] = now;
	}
	memset(&next, 0, sizeof(next));
	if (val != NULL) {
		next = *val;
		next.role = FP_PORT_ROLE_NONE;
	}
	if (memcmp(&now, &next, sizeof(now)) != 0)
		steps[n++] = next;
	if (val != NULL && val->role != FP_PORT_ROLE_NONE)
		steps[n++] = *val;
	return n;
}

/* Wait until every XDP program run that began before now has ended: an
 * RCU grace period (programs run inside RCU read-side sections), which
 * membarrier(MEMBARRIER_CMD_GLOBAL) waits for (~10 ms here).  Where it is
 * not available (nohz_full CPUs) a pause of 50 ms, far longer than a
 * program runs, has to do.
 */
static void
programs_drain(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(50 * 1000);
}

/* Write a VM port's entry (val NULL: clear it).  fp_port is an array: a
 * slot is copied over in place, and a program reading it meanwhile could
 * see some fields old and some new (anti-spoofing addresses, the VNI).  So
 * nothing but the role changes while the role says vm
 * (fp_backend_xdp_port_steps()): the role goes to none first (the program
 * then drops the port's frames as unconfigured), then, once no program
 * that read the old role can still be reading the rest
 * (programs_drain()), the other fields change, then the role comes back.
 * A role is one byte that differs, written whole or not at all.
 */
static int
port_write(int fd, const void *key, const struct fp_port_val *val)
{
	struct fp_port_val cur, steps[3];
	size_t i, n;

	if (bpf_map_lookup_elem(fd, key, &cur) < 0)
		return -errno;
	n = fp_backend_xdp_port_steps(&cur, val, steps);
	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(fd, key, &steps[i], BPF_ANY) < 0)
			return -errno;
		if (i == 0 && cur.role != FP_PORT_ROLE_NONE && n > 1)
			programs_drain();
	}
	return 0;
}

/* The underlay source shadow (fp_vtep_src): a count per (VNI, remote
 * address) of the flood members and fdb entries of the VNI that name a
 * vtep with that address.  write_entry() counts the references of a new
 * value before it writes it and drops those of the old value after, and
 * moves a referenced vtep's references when its address changes, so a
 * program never refuses a vtep the tables name.  A count that cannot be
 * written fails the change before its entry is written; one that cannot
 * be dropped is left too high (the vtep stays admitted) until the next
 * fp_backend_xdp_vtep_src_rebuild().
 */
struct src_pair {
	struct fp_vtep_src_key k; /* (VNI, address) */
	uint32_t n;		  /* references */
};

static int
src_pair_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct src_pair *)a)->k, &((const struct src_pair *)b)->k,
		      sizeof(struct fp_vtep_src_key));
}

/* One reference more (delta 1) or less (-1) to (vni, ip). */
static int
src_ref(int src_fd, uint32_t vni, const struct fp_ip *ip, int delta)
{
	struct fp_vtep_src_key k = { .vni = vni };
	uint32_t n = 0;

	k.ip = *ip;
	if (bpf_map_lookup_elem(src_fd, &k, &n) < 0)
		n = 0;
	if (delta < 0 && n <= 1) {
		if (bpf_map_delete_elem(src_fd, &k) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	n = delta > 0 ? n + 1 : n - 1;
	return bpf_map_update_elem(src_fd, &k, &n, BPF_ANY) < 0 ? -errno : 0;
}

/* The remote address of vtep id, or -ENOENT. */
static int
vtep_remote(int vtep_fd, uint32_t id, struct fp_ip *ip)
{
	struct fp_vtep_key k = { .vtep_id = id };
	struct fp_vtep_val v;

	if (bpf_map_lookup_elem(vtep_fd, &k, &v) < 0)
		return -ENOENT;
	*ip = v.remote;
	return 0;
}

/* The references of a flood or fdb value of vni: the vtep ids it names. */
static uint32_t
value_vteps(uint16_t table, const void *val, uint32_t ids[FP_FLOOD_MEMBER_MAX])
{
	uint32_t i, n = 0;

	if (table == FP_TABLE_FDB) {
		const struct fp_fdb_val *fv = val;

		if (fv->type == FP_DEST_VTEP)
			ids[n++] = fv->id;
		return n;
	}
	for (i = 0; i < ((const struct fp_flood_val *)val)->n_members && i < FP_FLOOD_MEMBER_MAX;
	     i++) {
		const struct fp_flood_member *m = &((const struct fp_flood_val *)val)->members[i];

		if (m->type == FP_DEST_VTEP)
			ids[n++] = m->id;
	}
	return n;
}

/* Count (delta 1) or drop (-1) the references of a flood or fdb value. */
static int
value_refs(struct xdp_handle *x, uint16_t table, const void *key, const void *val, int delta)
{
	uint32_t ids[FP_FLOOD_MEMBER_MAX], n, i, vni = *(const uint32_t *)key;
	struct fp_ip ip;
	int rc;

	if (val == NULL || (table != FP_TABLE_FDB && table != FP_TABLE_FLOOD))
		return 0;
	n = value_vteps(table, val, ids);
	for (i = 0; i < n; i++) {
		if (vtep_remote(x->fd[FP_XDP_MAP_VTEP], ids[i], &ip) < 0)
			continue;
		rc = src_ref(x->fd[FP_XDP_MAP_VTEP_SRC], vni, &ip, delta);
		if (rc < 0 && delta > 0) {
			/* Take back what this value counted. */
			while (i-- > 0)
				if (vtep_remote(x->fd[FP_XDP_MAP_VTEP], ids[i], &ip) == 0)
					src_ref(x->fd[FP_XDP_MAP_VTEP_SRC], vni, &ip, -1);
			return rc;
		}
	}
	for (i = 0; i < n; i++)
		if (ids[i] <= x->max[FP_XDP_MAP_VTEP])
			x->vtep_refs[ids[i]] += (uint32_t)delta;
	return 0;
}

/* Called by refs_walk() for each vtep a flood member or fdb entry of vni
 * names; a negative return stops the walk.
 */
typedef int ref_fn(uint32_t vni, uint32_t id, void *arg);

/* Visit every reference of the flood (flood_fd) and fdb (fdb_fd) maps. */
static int
refs_walk(int flood_fd, int fdb_fd, ref_fn *fn, void *arg)
{
	static const uint16_t tables[2] = { FP_TABLE_FLOOD, FP_TABLE_FDB };
	uint32_t ids[FP_FLOOD_MEMBER_MAX], n, i, t;
	union fp_table_key k, next;
	union fp_table_val v;
	void *prev;
	int rc;

	for (t = 0; t < 2; t++) {
		int fd = t == 0 ? flood_fd : fdb_fd;

		prev = NULL;
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fd, &k, &v) < 0)
				continue;
			n = value_vteps(tables[t], &v, ids);
			for (i = 0; i < n; i++)
				if ((rc = fn(*(const uint32_t *)&k, ids[i], arg)) < 0)
					return rc;
		}
	}
	return 0;
}

/* vtep_move()'s walk: the references to one vtep. */
struct move_arg {
	int src_fd;		/* fp_vtep_src */
	uint32_t id;		/* the vtep */
	int delta;		/* 1 or -1 */
	const struct fp_ip *ip; /* the address they count at */
};

static int
move_one(uint32_t vni, uint32_t id, void *arg)
{
	const struct move_arg *a = arg;
	int rc;

	if (id != a->id)
		return 0;
	rc = src_ref(a->src_fd, vni, a->ip, a->delta);
	return rc < 0 && a->delta > 0 ? rc : 0;
}

/* Count (delta 1) or drop (-1) at address ip the references of the flood
 * members and fdb entries naming vtep id (a walk of both maps).
 */
static int
vtep_move(struct xdp_handle *x, uint32_t id, const struct fp_ip *ip, int delta)
{
	struct move_arg a = {
		.src_fd = x->fd[FP_XDP_MAP_VTEP_SRC], .id = id, .delta = delta, .ip = ip
	};

	return refs_walk(x->fd[FP_XDP_MAP_FLOOD], x->fd[FP_XDP_MAP_FDB], move_one, &a);
}

/* fp_backend_xdp_vtep_src_rebuild()'s walk: every (VNI, address) pair. */
struct rebuild_arg {
	int vtep_fd;		/* fp_vtep */
	uint32_t vtep_limit;	/* refs' length - 1 */
	uint32_t *refs;		/* per vtep id, or NULL */
	struct src_pair *pairs; /* the pairs found, one per reference */
	size_t n, cap;		/* used, allocated */
};

static int
rebuild_one(uint32_t vni, uint32_t id, void *arg)
{
	struct rebuild_arg *a = arg;
	struct fp_ip ip;

	if (a->refs != NULL && id <= a->vtep_limit)
		a->refs[id]++;
	if (vtep_remote(a->vtep_fd, id, &ip) < 0)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		struct src_pair *p = realloc(a->pairs, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		a->pairs = p;
		a->cap = cap;
	}
	memset(&a->pairs[a->n], 0, sizeof(a->pairs[a->n]));
	a->pairs[a->n].k.vni = vni;
	a->pairs[a->n].k.ip = ip;
	a->pairs[a->n++].n = 1;
	return 0;
}

int
fp_backend_xdp_vtep_src_rebuild(int flood_fd, int fdb_fd, int vtep_fd, int src_fd,
				uint32_t vtep_limit, uint32_t *refs)
{
	struct rebuild_arg a = { .vtep_fd = vtep_fd, .vtep_limit = vtep_limit, .refs = refs };
	struct fp_vtep_src_key sk, snext, *stale = NULL;
	size_t n, n_stale = 0, cap_stale = 0, i, j;
	void *prev;
	uint32_t cur;
	int rc;

	if (refs != NULL)
		memset(refs, 0, (size_t)(vtep_limit + 1) * sizeof(*refs));
	rc = refs_walk(flood_fd, fdb_fd, rebuild_one, &a);
	if (rc < 0)
		goto out;
	if (a.n > 0)
		qsort(a.pairs, a.n, sizeof(*a.pairs), src_pair_cmp);
	for (i = 0, j = 0; i < a.n; i++) {
		if (j > 0 && src_pair_cmp(&a.pairs[j - 1], &a.pairs[i]) == 0)
			a.pairs[j - 1].n++;
		else
			a.pairs[j++] = a.pairs[i];
	}
	n = j;
	/* Make: every count that differs. */
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(src_fd, &a.pairs[i].k, &cur) == 0 && cur == a.pairs[i].n)
			continue;
		if (bpf_map_update_elem(src_fd, &a.pairs[i].k, &a.pairs[i].n, BPF_ANY) < 0) {
			rc = -errno;
			goto out;
		}
	}
	/* Break: the keys nothing references. */
	prev = NULL;
	while (bpf_map_get_next_key(src_fd, prev, &snext) == 0) {
		struct src_pair key = { .k = snext };

		sk = snext;
		prev = &sk;
		if (n > 0 && bsearch(&key, a.pairs, n, sizeof(*a.pairs), src_pair_cmp) != NULL)
			continue;
		if (n_stale == cap_stale) {
			struct fp_vtep_src_key *s;

			cap_stale = cap_stale ? 2 * cap_stale : 64;
			s = realloc(stale, cap_stale * sizeof(*stale));
			if (s == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			stale = s;
		}
		stale[n_stale++] = snext;
	}
	for (i = 0; i < n_stale; i++)
		if (bpf_map_delete_elem(src_fd, &stale[i]) < 0 && errno != ENOENT)
			rc = -errno;
out:
	free(a.pairs);
	free(stale);
	return rc;
}

static int vtep_write(struct xdp_handle *x, const void *key, const void *val, const void *old);
static int table_write(struct xdp_handle *x, uint16_t table, const void *key, const void *val,
		       const void *old);

/* Write one entry (val NULL: delete it).  old is what it held (NULL: no
 * entry), to put back if its second write fails: a flood entry is added
 * before its fp_vni bit is set, and deleted after the bit is cleared.
 */
static int
write_entry(struct xdp_handle *x, uint16_t table, const void *key, const void *val, const void *old)
{
	int fd = x->fd[table_map[table]];
	int rc;

	if (table == FP_TABLE_PORT)
		return port_write(fd, key, val);
	if (table == FP_TABLE_VTEP)
		return vtep_write(x, key, val, old);
	rc = value_refs(x, table, key, val, 1);
	if (rc < 0)
		return rc;
	rc = table_write(x, table, key, val, old);
	value_refs(x, table, key, rc < 0 ? val : old, -1);
	return rc;
}

/* A vtep: when its address changes (or it comes or goes) while flood
 * members or fdb entries name it, their references move: counted at the
 * new address before the write, dropped at the old one after.
 */
static int
vtep_write(struct xdp_handle *x, const void *key, const void *val, const void *old)
{
	uint32_t id = ((const struct fp_vtep_key *)key)->vtep_id;
	const struct fp_vtep_val *nv = val, *ov = old;
	int fd = x->fd[FP_XDP_MAP_VTEP], move, rc;

	move = id <= x->max[FP_XDP_MAP_VTEP] && x->vtep_refs[id] > 0 &&
	       !(nv != NULL && ov != NULL &&
		 memcmp(&nv->remote, &ov->remote, sizeof(nv->remote)) == 0);
	if (move && nv != NULL) {
		rc = vtep_move(x, id, &nv->remote, 1);
		if (rc < 0)
			return rc; /* counts left high: the next rebuild repairs them */
	}
	if (val != NULL)
		rc = bpf_map_update_elem(fd, key, val, BPF_ANY);
	else if ((rc = bpf_map_delete_elem(fd, key)) < 0 && errno == ENOENT)
		rc = 0;
	rc = rc < 0 ? -errno : 0;
	if (move && rc < 0 && nv != NULL)
		vtep_move(x, id, &nv->remote, -1);
	else if (move && ov != NULL)
		vtep_move(x, id, &ov->remote, -1);
	return rc;
}

/* Write a flood, fdb or neigh entry (its fp_vni bit for a flood entry). */
static int
table_write(struct xdp_handle *x, uint16_t table, const void *key, const void *val, const void *old)
{
	int fd = x->fd[table_map[table]];
	union map_key_buf ak;
	int rc;

	key = map_key(table, key, &ak);

	if (table == FP_TABLE_FLOOD && val == NULL) {
		rc = vni_mark(x, ((const struct fp_flood_key *)key)->vni, 0);
		if (rc < 0)
			return rc;
	}
	if (val != NULL) {
		rc = bpf_map_update_elem(fd, key, val, BPF_ANY);
	} else {
		rc = bpf_map_delete_elem(fd, key);
		if (rc < 0 && errno == ENOENT)
			rc = 0;
	}
	rc = rc < 0 ? -errno : 0;
	if (table == FP_TABLE_FLOOD) {
		uint32_t vni = ((const struct fp_flood_key *)key)->vni;

		if (rc < 0 && val == NULL && old != NULL)
			vni_mark(x, vni, 1); /* the entry stays */
		if (rc == 0 && val != NULL) {
			rc = vni_mark(x, vni, 1);
			if (rc < 0 && old == NULL)
				bpf_map_delete_elem(fd, key);
			else if (rc < 0)
				bpf_map_update_elem(fd, key, old, BPF_ANY);
		}
	}
	return rc;
}

/* A commit changed a ruleset, an address set or a port: move the
 * security-group generation, so the programs check each connection's
 * opening packet again at its next packet (doc/security-groups.md).  One
 * aligned 4-byte store in the mmap()ed fp_sg_cfg: the timeouts fp-xdp
 * writes next to it are not touched.  Without the mapping (an old map),
 * the value is read and written whole.
 */
static void
sg_gen_bump(struct xdp_handle *x)
{
	struct fp_sg_cfg *cfg, c;
	uint32_t zero = 0;
	long page = sysconf(_SC_PAGESIZE);

	cfg = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, x->fd[FP_XDP_MAP_SG_CFG],
		   0);
	if (cfg != MAP_FAILED) {
		__atomic_fetch_add(&cfg->gen, 1, __ATOMIC_RELEASE);
		munmap(cfg, (size_t)page);
		return;
	}
	if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_SG_CFG], &zero, &c) == 0) {
		c.gen++;
		bpf_map_update_elem(x->fd[FP_XDP_MAP_SG_CFG], &zero, &c, BPF_EXIST);
	}
}

/* Delete the connections of zone (a port) from fp_ct. */
static void
ct_flush_zone(struct xdp_handle *x, uint32_t zone)
{
	int fd = x->fd[FP_XDP_MAP_CT];
	struct fp_ct_key k, next;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		if (next.zone == zone && bpf_map_delete_elem(fd, &next) == 0) {
			prev = NULL; /* the walk starts again past a delete */
			continue;
		}
		prev = &k;
	}
}

int
fp_backend_xdp_ct_walk(void *h, fp_backend_ct_fn *fn, void *arg)
{
	struct xdp_handle *x = h;
	int fd = x->fd[FP_XDP_MAP_CT];
	struct fp_sg_cfg cfg = { 0 };
	struct fp_ct_key k, next;
	struct fp_ct_val v;
	void *prev = NULL;
	uint32_t zero = 0;
	uint64_t now;
	int rc;

	/* The timeouts the program uses now (none: its defaults), and its
	 * clock (bpf_ktime_get_ns() is CLOCK_MONOTONIC).
	 */
	if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_SG_CFG], &zero, &cfg) != 0)
		memset(&cfg, 0, sizeof(cfg));
	now = fp_clock_now_ns();
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &v) != 0) {
			if (errno == ENOENT) /* removed meanwhile */
				continue;
			return -errno;
		}
		if (fp_xdp_ct_expired(cfg.timeout_s, v.last_ns, v.state, now))
			continue; /* not yet swept: gone for the program */
		rc = fn(&k, &v, arg);
		if (rc != 0)
			return rc;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* A port that stops being filtered (its entry deleted, or set without
 * the sg flag) loses its connections, as in fp-dpdk: once no program
 * run can still filter it (programs_drain()), none comes back, and it
 * finds none if it is filtered again.
 */
static void
ct_flush_unfiltered(struct xdp_handle *x)
{
	uint64_t zones = 0;
	uint32_t id;
	size_t i;

	for (i = 0; i < x->n_staged; i++) {
		const struct change *c = &x->staged[i];

		if (!c->win || c->table != FP_TABLE_PORT || !c->had ||
		    !(c->old.port.flags & FP_PORT_F_SG))
			continue;
		if (c->del || !(c->val.port.flags & FP_PORT_F_SG))
			zones |= 1ULL << (c->key.port.port_id % FP_PORT_MAX);
	}
	if (zones == 0)
		return;
	programs_drain();
	for (id = 0; id < FP_PORT_MAX; id++)
		if (zones & (1ULL << id))
			ct_flush_zone(x, id);
}

/* Put back the first n written changes, newest first. */
static void
undo(struct xdp_handle *x, struct change **done, size_t n)
{
	while (n-- > 0) {
		struct change *c = done[n];

		write_entry(x, c->table, &c->key, c->had ? (const void *)&c->old : NULL,
			    c->del ? NULL : &c->val);
	}
}

static int
xdp_commit(void *h, uint32_t *failed, char *err, size_t errsz)
{
	struct xdp_handle *x = h;
	struct change **done = NULL;
	int64_t n[FP_TABLE_MAX];
	size_t i, n_done = 0;
	int o, rc, pass;

	if (!x->in_txn)
		return -EPROTO;
	x->in_txn = 0;
	*failed = UINT32_MAX;
	rc = check(x, n, failed, err, errsz);
	if (rc < 0)
		return rc;
	done = malloc((x->n_staged ? x->n_staged : 1) * sizeof(*done));
	if (done == NULL)
		return -ENOMEM;
	/* Sets in table order, then deletes in reverse; only the change
	 * that wins for a key is written.
	 */
	for (pass = 0; pass < 2; pass++) {
		for (o = 0; o < FP_TABLE_MAX; o++) {
			uint16_t t = set_order[pass ? FP_TABLE_MAX - 1 - o : o];

			for (i = 0; i < x->n_staged; i++) {
				struct change *c = &x->staged[i];

				if (c->table != t || c->del != pass || !c->win)
					continue;
				rc = write_entry(x, t, &c->key, c->del ? NULL : &c->val,
						 c->had ? &c->old : NULL);
				if (rc < 0) {
					undo(x, done, n_done);
					free(done);
					return fail(failed, err, errsz, i, rc, "%s: %s",
						    fp_names_xdp_map[table_map[t]], strerror(-rc));
				}
				done[n_done++] = c;
			}
		}
	}
	for (i = 0; i < x->n_staged; i++)
		if (x->staged[i].win && sg_table(x->staged[i].table))
			break;
	if (i < x->n_staged)
		sg_gen_bump(x);
	ct_flush_unfiltered(x);
	free(done);
	memcpy(x->n, n, sizeof(x->n));
	if (x->n_staged > 0) {
		struct fp_host_cfg host;
		uint32_t zero = 0;

		/* A commit is a generation, as in fp-dpdk. */
		if (bpf_map_lookup_elem(x->fd[FP_XDP_MAP_HOST], &zero, &host) == 0) {
			host.generation++;
			bpf_map_update_elem(x->fd[FP_XDP_MAP_HOST], &zero, &host, BPF_EXIST);
		}
	}
	x->n_staged = 0;
	return 0;
}

static int
xdp_abort(void *h)
{
	struct xdp_handle *x = h;

	x->in_txn = 0;
	x->n_staged = 0;
	return 0;
}

static int
xdp_dump(void *h, uint16_t table, fp_backend_dump_fn *fn, void *arg)
{
	struct xdp_handle *x = h;
	union map_key_buf k, next;
	union fp_table_val v;
	void *prev = NULL;
	int rc;

	if (table >= FP_TABLE_MAX)
		return -EINVAL;
	if (table_map[table] == NO_MAP || x->fd[table_map[table]] < 0)
		return 0;
	while (bpf_map_get_next_key(x->fd[table_map[table]], prev, &next) == 0) {
		union fp_table_key tk;

		table_key(table, &next, &tk);
		if (lookup(x, table, &tk, &v)) {
			/* Underlay port entries belong to fp-xdp's config. */
			if (!(table == FP_TABLE_PORT && v.port.role != FP_PORT_ROLE_VM) &&
			    (rc = fn(table, &tk, &v, arg)) != 0)
				return rc;
		}
		k = next;
		prev = &k;
	}
	return 0;
}

/* Port p's security-group drops (fp_sg_drops, summed over the CPUs). */
static void
sg_drops(const struct xdp_handle *x, struct fp_ctl_port_stats *p)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c;
	struct fp_sg_drops *per_cpu;
	uint32_t id, max, key = p->port_id;

	fd = map_open(x->dir, fp_names_xdp_map[FP_XDP_MAP_SG_DROPS], &id, &max);
	if (fd < 0 || ncpu <= 0)
		goto out;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (per_cpu != NULL && bpf_map_lookup_elem(fd, &key, per_cpu) == 0) {
		for (c = 0; c < ncpu; c++) {
			p->sg_drop_egress += per_cpu[c].n[FP_SG_DIR_EGRESS];
			p->sg_drop_ingress += per_cpu[c].n[FP_SG_DIR_INGRESS];
		}
	}
	free(per_cpu);
out:
	if (fd >= 0)
		close(fd);
}

/* The counters (per CPU, as "workers") and ports, in the shape of a
 * STATS reply.  fp_counters is fp-xdp's map, opened for the call.
 */
static int
xdp_stats(void *h, struct fp_ctl_client_stats **out)
{
	struct xdp_handle *x = h;
	int ncpu = libbpf_num_possible_cpus(), fd, rc = 0;
	struct fp_backend_info *info = NULL;
	struct fp_ctl_client_stats *st = NULL;
	struct fp_counters *per_cpu = NULL;
	uint32_t i, id, max, zero = 0;

	*out = NULL;
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	fd = map_open(x->dir, fp_names_xdp_map[FP_XDP_MAP_COUNTERS], &id, &max);
	if (fd < 0)
		return fd == -ENOENT ? -ENOTCONN : fd;
	info = calloc(1, sizeof(*info));
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (info == NULL || per_cpu == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = xdp_info(h, info);
	if (rc < 0)
		goto out;
	if (bpf_map_lookup_elem(fd, &zero, per_cpu) < 0) {
		rc = -errno;
		goto out;
	}
	st = calloc(1, sizeof(*st) + (size_t)ncpu * sizeof(*st->workers) +
			       info->n_ports * sizeof(*st->ports));
	if (st == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	st->workers = (struct fp_ctl_worker_stats *)(st + 1);
	st->ports = (struct fp_ctl_port_stats *)(st->workers + ncpu);
	st->n_workers = (uint32_t)ncpu;
	for (i = 0; i < (uint32_t)ncpu; i++) {
		st->workers[i].lcore = i;
		memcpy(st->workers[i].stats, per_cpu[i].n, sizeof(per_cpu[i].n));
		memcpy(st->workers[i].drops, per_cpu[i].drop, sizeof(per_cpu[i].drop));
	}
	st->n_ports = info->n_ports;
	for (i = 0; i < info->n_ports; i++) {
		struct fp_ctl_port_stats *p = &st->ports[i];

		p->port_id = info->ports[i].id;
		p->role = info->ports[i].role;
		p->mtu = info->ports[i].mtu;
		memcpy(p->mac, info->ports[i].mac, 6);
		snprintf(p->name, sizeof(p->name), "%s", info->ports[i].name);
		p->flags = FP_CTL_PORT_F_LINK_UP;
		sg_drops(x, p);
	}
	*out = st;
out:
	close(fd);
	free(per_cpu);
	free(info);
	return rc;
}

const struct fp_backend_ops fp_backend_xdp = {
	.name = "xdp",
	.open = xdp_open,
	.info = xdp_info,
	.begin = xdp_begin,
	.set = xdp_set,
	.del = xdp_del,
	.commit = xdp_commit,
	.abort = xdp_abort,
	.dump = xdp_dump,
	.stats = xdp_stats,
	.ping = xdp_ping,
	.close = xdp_close,
};
