/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for control/entries.c: order, duplicates, find, apply, the
 * difference of two sets in make-before-break order, a differential test
 * against a brute-force model (fixed seed, printed; FP_TEST_SEED
 * overrides it), and the time to seal, diff and apply a million entries.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <flowplane/tables.h>

#include "clock.h"
#include "entries.h"
#include "names.h"

#define TEST_SEED 20240917U			/* differential test seed */
#define TEST_REF_KEYS 48			/* keys per table in the model's universe */
#define TEST_REF_VARIANTS 3			/* values a key can take */
#define TEST_REF_ROUNDS 200			/* rounds of the differential test */
#define TEST_KEY_MAX sizeof(union fp_table_key) /* largest key */
#define TEST_VAL_MAX sizeof(union fp_table_val) /* largest value */
#define TEST_PERF_N 1000000			/* entries in the timing test */
#define TEST_PERF_CHANGE_PCT 5			/* % of keys changed, deleted, added */
#define TEST_PERF_LIMIT_NS 2000000000ULL	/* 2 s: catches an O(n^2), not a slow box */

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SLOW 10 /* sanitizers: allow ten times the time */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SLOW 10
#endif
#endif
#ifndef TEST_SLOW
#define TEST_SLOW 1
#endif

static const uint16_t set_order[FP_TABLE_MAX] = {
	FP_TABLE_ADDRSET, FP_TABLE_RULESET, FP_TABLE_PORT,    FP_TABLE_VTEP, FP_TABLE_NEIGH,
	FP_TABLE_ROUTE,	  FP_TABLE_NAT,	    FP_TABLE_FLOOD,   FP_TABLE_FDB,  FP_TABLE_DHCP,
	FP_TABLE_RA,	  FP_TABLE_DHCP6,   FP_TABLE_SEGMENT,
};

/* One change reported by a diff, copied. */
struct change {
	uint16_t table;		   /* FP_TABLE_* */
	uint16_t del;		   /* 1: a delete */
	uint8_t key[TEST_KEY_MAX]; /* key bytes */
	uint8_t val[TEST_VAL_MAX]; /* value bytes (sets) */
};

/* A growing list of changes. */
struct changes {
	struct change *v; /* changes */
	size_t n;	  /* valid v */
	size_t cap;	  /* allocated v */
	size_t stop_at;	  /* return 99 at this call (0: never) */
};

/* Per-test state. */
struct fixture {
	struct fp_entry_set *a; /* a set */
	struct fp_entry_set *b; /* another */
	struct changes ch;	/* what a diff reported */
};

/* Random numbers (splitmix64) */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(s);
}

/* Fixture */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->a = fp_entry_set_create();
	f->b = fp_entry_set_create();
	if (f->a == NULL || f->b == NULL) {
		fp_entry_set_free(f->a);
		fp_entry_set_free(f->b);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_entry_set_free(f->a);
	fp_entry_set_free(f->b);
	free(f->ch.v);
	free(f);
	return 0;
}

static int
record(uint16_t table, const void *key, const void *val, void *arg)
{
	struct changes *ch = arg;
	struct change *c;

	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? ch->cap * 2 : 64;
		struct change *v = realloc(ch->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		ch->v = v;
		ch->cap = cap;
	}
	c = &ch->v[ch->n++];
	memset(c, 0, sizeof(*c));
	c->table = table;
	c->del = val == NULL;
	memcpy(c->key, key, fp_names_key_size[table]);
	if (val != NULL)
		memcpy(c->val, val, fp_names_val_size[table]);
	if (ch->stop_at != 0 && ch->n == ch->stop_at)
		return 99;
	return 0;
}

static void
diff(struct fixture *f, const struct fp_entry_set *from, const struct fp_entry_set *to)
{
	f->ch.n = 0;
	assert_int_equal(fp_entry_set_diff(from, to, record, &f->ch), 0);
	assert_int_equal(fp_entry_set_diff_count(from, to), f->ch.n);
}

/* Apply every recorded change to s. */
static void
apply_changes(struct fp_entry_set *s, const struct changes *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const struct change *c = &ch->v[i];

		assert_int_equal(fp_entry_set_apply(s, c->table, c->key, c->del ? NULL : c->val),
				 0);
	}
}

/* Two sealed sets hold the same entries, in the same order. */
static void
assert_sets_equal(const struct fp_entry_set *x, const struct fp_entry_set *y)
{
	struct fp_entry ex, ey;
	size_t i;
	int t;

	assert_int_equal(fp_entry_set_count(x), fp_entry_set_count(y));
	for (t = 0; t < FP_TABLE_MAX; t++)
		assert_int_equal(fp_entry_set_count_table(x, t), fp_entry_set_count_table(y, t));
	for (i = 0; i < fp_entry_set_count(x); i++) {
		assert_int_equal(fp_entry_set_at(x, i, &ex), 0);
		assert_int_equal(fp_entry_set_at(y, i, &ey), 0);
		assert_int_equal(ex.table, ey.table);
		assert_memory_equal(ex.key, ey.key, fp_names_key_size[ex.table]);
		assert_memory_equal(ex.val, ey.val, fp_names_val_size[ex.table]);
	}
	assert_int_equal(fp_entry_set_diff_count(x, y), 0);
}

/* Entries */

static void
fdb(struct fp_entry_set *s, uint32_t vni, uint8_t last, uint16_t type, uint32_t id)
{
	struct fp_fdb_key k = { .vni = vni, .mac = { 0x02, 0, 0, 0, 0, last } };
	struct fp_fdb_val v = { .type = type, .id = id };

	assert_int_equal(fp_entry_set_add(s, FP_TABLE_FDB, &k, &v), 0);
}

static void
port(struct fp_entry_set *s, uint32_t id, uint32_t vni)
{
	struct fp_port_key k = { .port_id = id };
	struct fp_port_val v = { .role = FP_PORT_ROLE_VM, .vni = vni, .vrf = vni, .mtu = 1500 };

	v.mac[0] = 0x02;
	v.mac[5] = (uint8_t)id;
	assert_int_equal(fp_entry_set_add(s, FP_TABLE_PORT, &k, &v), 0);
}

static void
vtep(struct fp_entry_set *s, uint32_t id, uint8_t remote)
{
	struct fp_vtep_key k = { .vtep_id = id };
	struct fp_vtep_val v = { .encap = FP_ENCAP_VXLAN, .underlay_port = 1 };

	v.remote.b[15] = remote;
	assert_int_equal(fp_entry_set_add(s, FP_TABLE_VTEP, &k, &v), 0);
}

static void
flood(struct fp_entry_set *s, uint32_t vni, uint32_t n_members)
{
	struct fp_flood_key k = { .vni = vni };
	struct fp_flood_val v = { .n_members = n_members };

	assert_int_equal(fp_entry_set_add(s, FP_TABLE_FLOOD, &k, &v), 0);
}

static void
neigh(struct fp_entry_set *s, uint32_t vrf, uint8_t last, uint32_t vni)
{
	struct fp_neigh_key k = { .vrf = vrf };
	struct fp_neigh_val v = { .vni = vni, .mac = { 0x02, 0, 0, 0, 1, last } };

	k.ip.b[10] = k.ip.b[11] = 0xff;
	k.ip.b[15] = last;
	assert_int_equal(fp_entry_set_add(s, FP_TABLE_NEIGH, &k, &v), 0);
}

/* Tests */

static void
test_entries_empty(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key k = { .port_id = 1 };
	struct fp_entry e;

	assert_int_equal(fp_entry_set_count(f->a), 0);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_null(fp_entry_set_find(f->a, FP_TABLE_PORT, &k));
	assert_int_equal(fp_entry_set_at(f->a, 0, &e), -ERANGE);
	diff(f, f->a, f->b);
	assert_int_equal(f->ch.n, 0);
	/* Deleting from an empty set. */
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_PORT, &k, NULL), -ENOENT);
	fp_entry_set_free(NULL);
}

static void
test_entries_bad_args(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key k = { .port_id = 1 };
	struct fp_port_val v = { .role = FP_PORT_ROLE_VM };
	struct fp_entry e;

	assert_int_equal(fp_entry_set_add(f->a, FP_TABLE_MAX, &k, &v), -EINVAL);
	assert_int_equal(fp_entry_set_add(f->a, FP_TABLE_PORT, NULL, &v), -EINVAL);
	assert_int_equal(fp_entry_set_add(f->a, FP_TABLE_PORT, &k, NULL), -EINVAL);
	assert_int_equal(fp_entry_set_count(f->a), 0);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_MAX), 0);

	/* An unsealed set: no lookups, no applies, no diffs. */
	assert_int_equal(fp_entry_set_add(f->a, FP_TABLE_PORT, &k, &v), 0);
	assert_int_equal(fp_entry_set_count(f->a), 1);
	assert_null(fp_entry_set_find(f->a, FP_TABLE_PORT, &k));
	assert_int_equal(fp_entry_set_at(f->a, 0, &e), -EINVAL);
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_PORT, &k, &v), -EINVAL);
	assert_int_equal(fp_entry_set_diff(f->a, f->b, record, &f->ch), -EINVAL);
	assert_int_equal(fp_entry_set_diff(f->b, f->a, record, &f->ch), -EINVAL);
	assert_int_equal(fp_entry_set_diff_count(f->a, f->b), 0);

	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_non_null(fp_entry_set_find(f->a, FP_TABLE_PORT, &k));
	assert_null(fp_entry_set_find(f->a, FP_TABLE_MAX, &k));
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_MAX, &k, &v), -EINVAL);
	assert_int_equal(fp_entry_set_diff(f->a, f->b, NULL, NULL), -EINVAL);
}

static void
test_entries_order_and_find(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key fk = { .vni = 100, .mac = { 0x02, 0, 0, 0, 0, 7 } };
	const struct fp_fdb_val *fv;
	struct fp_entry e, prev;
	size_t i;

	/* Added out of order, across tables. */
	neigh(f->a, 7, 9, 100);
	fdb(f->a, 100, 7, FP_DEST_PORT, 3);
	flood(f->a, 100, 2);
	port(f->a, 5, 100);
	fdb(f->a, 100, 1, FP_DEST_VTEP, 2);
	vtep(f->a, 2, 20);
	port(f->a, 1, 100);
	neigh(f->a, 7, 3, 100);
	fdb(f->a, 99, 200, FP_DEST_ROUTER, 0);
	assert_int_equal(fp_entry_set_count(f->a), 9);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_int_equal(fp_entry_set_count(f->a), 9);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_PORT), 2);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_VTEP), 1);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_FDB), 3);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_FLOOD), 1);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_NEIGH), 2);

	/* (table, key bytes) order. */
	for (i = 0; i < 9; i++) {
		assert_int_equal(fp_entry_set_at(f->a, i, &e), 0);
		assert_int_equal(e.pad, 0);
		if (i > 0) {
			assert_true(prev.table <= e.table);
			if (prev.table == e.table)
				assert_true(memcmp(prev.key, e.key, fp_names_key_size[e.table]) <
					    0);
		}
		/* Values are aligned for the ABI structs. */
		assert_int_equal((uintptr_t)e.key % 4, 0);
		assert_int_equal((uintptr_t)e.val % 4, 0);
		prev = e;
	}
	assert_int_equal(fp_entry_set_at(f->a, 9, &e), -ERANGE);
	assert_int_equal(fp_entry_set_at(f->a, 0, &e), 0);
	assert_int_equal(e.table, FP_TABLE_PORT);
	assert_int_equal(((const struct fp_port_key *)e.key)->port_id, 1);

	fv = fp_entry_set_find(f->a, FP_TABLE_FDB, &fk);
	assert_non_null(fv);
	assert_int_equal(fv->type, FP_DEST_PORT);
	assert_int_equal(fv->id, 3);
	fk.mac[5] = 8;
	assert_null(fp_entry_set_find(f->a, FP_TABLE_FDB, &fk));
	/* The same key bytes in another table are another key. */
	{
		struct fp_port_key pk = { .port_id = 2 };
		struct fp_vtep_key vk = { .vtep_id = 2 };

		assert_null(fp_entry_set_find(f->a, FP_TABLE_PORT, &pk));
		assert_non_null(fp_entry_set_find(f->a, FP_TABLE_VTEP, &vk));
	}
}

static void
test_entries_duplicates(void **state)
{
	struct fixture *f = *state;
	uint16_t dup = FP_TABLE_MAX;

	/* The same entry twice: kept once. */
	port(f->a, 1, 100);
	fdb(f->a, 100, 1, FP_DEST_PORT, 1);
	port(f->a, 1, 100);
	fdb(f->a, 100, 1, FP_DEST_PORT, 1);
	fdb(f->a, 100, 1, FP_DEST_PORT, 1);
	assert_int_equal(fp_entry_set_count(f->a), 5);
	assert_int_equal(fp_entry_set_seal(f->a, &dup), 0);
	assert_int_equal(dup, FP_TABLE_MAX);
	assert_int_equal(fp_entry_set_count(f->a), 2);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_FDB), 1);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_PORT), 1);
	/* Sealing again changes nothing. */
	assert_int_equal(fp_entry_set_seal(f->a, &dup), 0);
	assert_int_equal(fp_entry_set_count(f->a), 2);

	/* The same key with another value: refused, named. */
	vtep(f->a, 4, 1);
	vtep(f->a, 4, 2);
	assert_int_equal(fp_entry_set_seal(f->a, &dup), -EEXIST);
	assert_int_equal(dup, FP_TABLE_VTEP);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), -EEXIST);

	/* Clear keeps nothing; the set is usable again. */
	fp_entry_set_clear(f->a);
	assert_int_equal(fp_entry_set_count(f->a), 0);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_VTEP), 0);
	vtep(f->a, 4, 1);
	assert_int_equal(fp_entry_set_seal(f->a, &dup), 0);
	assert_int_equal(fp_entry_set_count(f->a), 1);
}

static void
test_entries_diff_order(void **state)
{
	struct fixture *f = *state;
	/* The tables of the expected changes, in order, and whether each is
	 * a delete.
	 */
	static const struct {
		uint16_t table; /* FP_TABLE_* */
		uint16_t del;	/* 1: a delete */
		uint32_t id;	/* port/vtep id, vni, or mac[5] / ip[15] */
	} want[] = {
		{ FP_TABLE_PORT, 0, 2 },  { FP_TABLE_PORT, 0, 3 },    { FP_TABLE_VTEP, 0, 5 },
		{ FP_TABLE_NEIGH, 0, 4 }, { FP_TABLE_FLOOD, 0, 100 }, { FP_TABLE_FDB, 0, 2 },
		{ FP_TABLE_FDB, 0, 3 },	  { FP_TABLE_FDB, 1, 1 },     { FP_TABLE_FLOOD, 1, 200 },
		{ FP_TABLE_NEIGH, 1, 1 }, { FP_TABLE_VTEP, 1, 4 },    { FP_TABLE_PORT, 1, 1 },
	};
	size_t i;

	/* from */
	port(f->a, 1, 100);
	port(f->a, 2, 100);
	vtep(f->a, 4, 4);
	fdb(f->a, 100, 1, FP_DEST_PORT, 1);
	fdb(f->a, 100, 2, FP_DEST_VTEP, 4);
	fdb(f->a, 100, 9, FP_DEST_ROUTER, 0);
	flood(f->a, 100, 2);
	flood(f->a, 200, 1);
	neigh(f->a, 7, 1, 100);
	neigh(f->a, 7, 2, 100);
	/* to: port 1 -> 3 (moved), port 2 changed, vtep 4 -> 5, fdb 2
	 * repointed, fdb 3 new, fdb 1 gone, flood 100 changed, flood 200
	 * gone, neigh 1 gone, neigh 4 new, neigh 2 and fdb 9 unchanged.
	 */
	port(f->b, 3, 100);
	port(f->b, 2, 101);
	vtep(f->b, 5, 5);
	fdb(f->b, 100, 3, FP_DEST_PORT, 3);
	fdb(f->b, 100, 2, FP_DEST_VTEP, 5);
	fdb(f->b, 100, 9, FP_DEST_ROUTER, 0);
	flood(f->b, 100, 3);
	neigh(f->b, 7, 4, 100);
	neigh(f->b, 7, 2, 100);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_int_equal(fp_entry_set_seal(f->b, NULL), 0);

	diff(f, f->a, f->b);
	assert_int_equal(f->ch.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < f->ch.n; i++) {
		const struct change *c = &f->ch.v[i];
		uint32_t id;

		assert_int_equal(c->table, want[i].table);
		assert_int_equal(c->del, want[i].del);
		switch (c->table) {
		case FP_TABLE_FDB:
			id = c->key[offsetof(struct fp_fdb_key, mac) + 5];
			break;
		case FP_TABLE_NEIGH:
			id = c->key[offsetof(struct fp_neigh_key, ip) + 15];
			break;
		default:
			memcpy(&id, c->key, sizeof(id));
			break;
		}
		assert_int_equal(id, want[i].id);
		/* A set carries the new value. */
		if (!c->del)
			assert_memory_equal(c->val, fp_entry_set_find(f->b, c->table, c->key),
					    fp_names_val_size[c->table]);
	}

	/* The way back is the mirror image; to itself is nothing. */
	diff(f, f->b, f->a);
	assert_int_equal(f->ch.n, 12);
	assert_int_equal(f->ch.v[0].table, FP_TABLE_PORT);
	assert_int_equal(f->ch.v[11].table, FP_TABLE_PORT);
	assert_int_equal(f->ch.v[11].del, 1);
	diff(f, f->a, f->a);
	assert_int_equal(f->ch.n, 0);

	/* A callback that stops the walk. */
	f->ch.n = 0;
	f->ch.stop_at = 3;
	assert_int_equal(fp_entry_set_diff(f->a, f->b, record, &f->ch), 99);
	assert_int_equal(f->ch.n, 3);
}

static void
test_entries_apply(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key k = { .vni = 100, .mac = { 0x02, 0, 0, 0, 0, 5 } };
	struct fp_fdb_val v = { .type = FP_DEST_VTEP, .id = 8 };
	const struct fp_fdb_val *got;
	struct fp_entry e;
	size_t i;

	for (i = 0; i < 10; i += 2)
		fdb(f->a, 100, (uint8_t)i, FP_DEST_PORT, (uint32_t)i);
	port(f->a, 1, 100);
	neigh(f->a, 7, 1, 100);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);

	/* A new key goes to its place; the set stays sealed. */
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, &v), 0);
	assert_int_equal(fp_entry_set_count(f->a), 8);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_FDB), 6);
	got = fp_entry_set_find(f->a, FP_TABLE_FDB, &k);
	assert_non_null(got);
	assert_int_equal(got->id, 8);
	assert_int_equal(fp_entry_set_at(f->a, 4, &e), 0);
	assert_int_equal(e.table, FP_TABLE_FDB);
	assert_memory_equal(e.key, &k, sizeof(k));

	/* A changed value replaces the old one. */
	v.id = 9;
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, &v), 0);
	assert_int_equal(fp_entry_set_count(f->a), 8);
	assert_int_equal(((const struct fp_fdb_val *)fp_entry_set_find(f->a, FP_TABLE_FDB, &k))->id,
			 9);

	/* Deletes; a missing key is -ENOENT. */
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, NULL), 0);
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, NULL), -ENOENT);
	assert_null(fp_entry_set_find(f->a, FP_TABLE_FDB, &k));
	assert_int_equal(fp_entry_set_count(f->a), 7);
	assert_int_equal(fp_entry_set_count_table(f->a, FP_TABLE_FDB), 5);

	/* Apply an entry to itself, through pointers into the set. */
	assert_int_equal(fp_entry_set_at(f->a, 0, &e), 0);
	assert_int_equal(fp_entry_set_apply(f->a, e.table, e.key, e.val), 0);
	assert_int_equal(fp_entry_set_count(f->a), 7);

	/* Everything through apply gives the same set as a fresh seal. */
	for (i = 0; i < 10; i++)
		fdb(f->b, 100, (uint8_t)i, FP_DEST_ROUTER, 0);
	port(f->b, 2, 100);
	assert_int_equal(fp_entry_set_seal(f->b, NULL), 0);
	diff(f, f->a, f->b);
	apply_changes(f->a, &f->ch);
	assert_sets_equal(f->a, f->b);

	/* An entry added after apply unseals; sealing again works. */
	fdb(f->a, 100, 77, FP_DEST_ROUTER, 0);
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_int_equal(fp_entry_set_count(f->a), fp_entry_set_count(f->b) + 1);
}

/* Many dropped records (duplicates, deletes): the arena is compacted and
 * every entry is still there, in order, with its value.
 */
static void
test_entries_compaction(void **state)
{
	struct fixture *f = *state;
	const uint32_t n = 100000;
	struct fp_fdb_key k = { .vni = 5, .mac = { 0x02 } };
	struct fp_fdb_val v = { .type = FP_DEST_ROUTER };
	const struct fp_fdb_val *got;
	struct fp_entry e;
	uint32_t i, r;

	/* Each entry three times: two thirds are dropped by the seal. */
	for (r = 0; r < 3; r++) {
		for (i = 0; i < n; i++) {
			memcpy(&k.mac[2], &i, sizeof(i));
			v.id = i;
			assert_int_equal(fp_entry_set_add(f->a, FP_TABLE_FDB, &k, &v), 0);
			if (r == 0 && i % 5 == 0)
				assert_int_equal(fp_entry_set_add(f->b, FP_TABLE_FDB, &k, &v), 0);
		}
	}
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	assert_int_equal(fp_entry_set_seal(f->b, NULL), 0);
	assert_int_equal(fp_entry_set_count(f->a), n);

	/* Delete four fifths, one by one. */
	for (i = 0; i < n; i++) {
		if (i % 5 == 0)
			continue;
		memcpy(&k.mac[2], &i, sizeof(i));
		assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, NULL), 0);
	}
	assert_sets_equal(f->a, f->b);
	for (i = 0; i < n; i += 5) {
		memcpy(&k.mac[2], &i, sizeof(i));
		got = fp_entry_set_find(f->a, FP_TABLE_FDB, &k);
		assert_non_null(got);
		assert_int_equal(got->id, i);
	}
	assert_int_equal(fp_entry_set_at(f->a, n / 5 - 1, &e), 0);
	assert_int_equal(fp_entry_set_at(f->a, n / 5, &e), -ERANGE);

	/* And it still grows. */
	i = n;
	memcpy(&k.mac[2], &i, sizeof(i));
	assert_int_equal(fp_entry_set_apply(f->a, FP_TABLE_FDB, &k, &v), 0);
	assert_int_equal(fp_entry_set_count(f->a), n / 5 + 1);
}

/* Differential test: the model */

struct model {
	uint8_t keys[FP_TABLE_MAX][TEST_REF_KEYS][TEST_KEY_MAX]; /* the key universe */
	int8_t from[FP_TABLE_MAX][TEST_REF_KEYS];		 /* variant, -1: absent */
	int8_t to[FP_TABLE_MAX][TEST_REF_KEYS];			 /* variant, -1: absent */
};

/* The value of key k of table t in a variant: bytes from its own seed. */
static void
model_val(int t, int k, int variant, uint8_t *val)
{
	uint64_t s = (uint64_t)t << 32 | (uint64_t)k << 8 | (uint64_t)variant;

	rnd_bytes(&s, val, fp_names_val_size[t]);
}

/* Keys that share long prefixes, so every compare path is taken. */
static void
model_keys(struct model *m, uint64_t *s)
{
	int t, k, j;

	for (t = 0; t < FP_TABLE_MAX; t++) {
		for (k = 0; k < TEST_REF_KEYS; k++) {
			int dup;

			do {
				rnd_bytes(s, m->keys[t][k], fp_names_key_size[t]);
				if (k > 0 && rnd(s) % 2) {
					/* Copy a prefix of another key. */
					int o = (int)(rnd(s) % (uint64_t)k);
					size_t n = rnd(s) % fp_names_key_size[t];

					memcpy(m->keys[t][k], m->keys[t][o], n);
				}
				dup = 0;
				for (j = 0; j < k; j++)
					dup |= memcmp(m->keys[t][j], m->keys[t][k],
						      fp_names_key_size[t]) == 0;
			} while (dup);
		}
	}
}

static void
model_fill(const struct model *m, const int8_t st[FP_TABLE_MAX][TEST_REF_KEYS],
	   struct fp_entry_set *s, uint64_t *rs)
{
	int order[FP_TABLE_MAX * TEST_REF_KEYS], n = 0, i;
	uint8_t val[TEST_VAL_MAX];

	fp_entry_set_clear(s);
	for (i = 0; i < FP_TABLE_MAX * TEST_REF_KEYS; i++)
		order[n++] = i;
	for (i = n - 1; i > 0; i--) {
		int j = (int)(rnd(rs) % (uint64_t)(i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < n; i++) {
		int t = order[i] / TEST_REF_KEYS, k = order[i] % TEST_REF_KEYS;

		if (st[t][k] < 0)
			continue;
		model_val(t, k, st[t][k], val);
		assert_int_equal(fp_entry_set_add(s, (uint16_t)t, m->keys[t][k], val), 0);
		/* Some twice: duplicates with the same value are kept once. */
		if (rnd(rs) % 8 == 0)
			assert_int_equal(fp_entry_set_add(s, (uint16_t)t, m->keys[t][k], val), 0);
	}
	assert_int_equal(fp_entry_set_seal(s, NULL), 0);
}

static int model_table; /* table of the keys model_key_cmp() sorts */

static int
model_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, fp_names_key_size[model_table]);
}

/* The expected changes, computed the slow way. */
static void
model_diff(const struct model *m, struct changes *out)
{
	uint8_t keys[TEST_REF_KEYS][TEST_KEY_MAX];
	int o, k, del;

	out->n = 0;
	for (del = 0; del < 2; del++) {
		for (o = 0; o < FP_TABLE_MAX; o++) {
			int t = set_order[del ? FP_TABLE_MAX - 1 - o : o], n = 0, i;

			for (k = 0; k < TEST_REF_KEYS; k++) {
				int f = m->from[t][k], to = m->to[t][k];

				if (del ? (f >= 0 && to < 0) : (to >= 0 && f != to))
					memcpy(keys[n++], m->keys[t][k], TEST_KEY_MAX);
			}
			model_table = t;
			qsort(keys, (size_t)n, sizeof(keys[0]), model_key_cmp);
			for (i = 0; i < n; i++) {
				uint8_t val[TEST_VAL_MAX];

				for (k = 0; k < TEST_REF_KEYS; k++) {
					if (memcmp(m->keys[t][k], keys[i], fp_names_key_size[t]) ==
					    0)
						break;
				}
				if (!del)
					model_val(t, k, m->to[t][k], val);
				assert_int_equal(
					record((uint16_t)t, keys[i], del ? NULL : val, out), 0);
			}
		}
	}
}

static void
test_entries_differential(void **state)
{
	struct fixture *f = *state;
	const char *env = getenv("FP_TEST_SEED");
	uint32_t seed = env != NULL ? (uint32_t)strtoul(env, NULL, 0) : TEST_SEED;
	struct model *m = calloc(1, sizeof(*m));
	struct changes want = { 0 };
	uint64_t rs = seed;
	int round, t, k;
	size_t i;

	assert_non_null(m);
	print_message("entries differential: seed %u (FP_TEST_SEED=%u reproduces)\n", seed, seed);
	model_keys(m, &rs);
	for (t = 0; t < FP_TABLE_MAX; t++)
		for (k = 0; k < TEST_REF_KEYS; k++)
			m->from[t][k] = -1;
	for (round = 0; round < TEST_REF_ROUNDS; round++) {
		/* Mutate: each key kept, changed, removed or added, with
		 * densities that vary by round (empty and full sets too).
		 */
		unsigned int churn = (unsigned int)(rnd(&rs) % 101);

		for (t = 0; t < FP_TABLE_MAX; t++) {
			for (k = 0; k < TEST_REF_KEYS; k++) {
				m->to[t][k] = m->from[t][k];
				if (rnd(&rs) % 100 >= churn)
					continue;
				if (rnd(&rs) % 3 == 0)
					m->to[t][k] = -1;
				else
					m->to[t][k] = (int8_t)(rnd(&rs) % TEST_REF_VARIANTS);
			}
		}
		model_fill(m, m->from, f->a, &rs);
		model_fill(m, m->to, f->b, &rs);

		model_diff(m, &want);
		diff(f, f->a, f->b);
		assert_int_equal(f->ch.n, want.n);
		for (i = 0; i < want.n; i++) {
			assert_int_equal(f->ch.v[i].table, want.v[i].table);
			assert_int_equal(f->ch.v[i].del, want.v[i].del);
			assert_memory_equal(f->ch.v[i].key, want.v[i].key, TEST_KEY_MAX);
			assert_memory_equal(f->ch.v[i].val, want.v[i].val, TEST_VAL_MAX);
		}

		/* Applying the changes turns from into to. */
		apply_changes(f->a, &f->ch);
		assert_sets_equal(f->a, f->b);

		/* Random single changes against the model, with lookups. */
		for (i = 0; i < 64; i++) {
			uint8_t val[TEST_VAL_MAX];
			const void *got;
			int v;

			t = (int)(rnd(&rs) % FP_TABLE_MAX);
			k = (int)(rnd(&rs) % TEST_REF_KEYS);
			v = (int)(rnd(&rs) % (TEST_REF_VARIANTS + 1)) - 1;
			if (v < 0) {
				assert_int_equal(
					fp_entry_set_apply(f->b, (uint16_t)t, m->keys[t][k], NULL),
					m->to[t][k] < 0 ? -ENOENT : 0);
			} else {
				model_val(t, k, v, val);
				assert_int_equal(
					fp_entry_set_apply(f->b, (uint16_t)t, m->keys[t][k], val),
					0);
			}
			m->to[t][k] = (int8_t)v;
			t = (int)(rnd(&rs) % FP_TABLE_MAX);
			k = (int)(rnd(&rs) % TEST_REF_KEYS);
			got = fp_entry_set_find(f->b, (uint16_t)t, m->keys[t][k]);
			if (m->to[t][k] < 0) {
				assert_null(got);
			} else {
				assert_non_null(got);
				model_val(t, k, m->to[t][k], val);
				assert_memory_equal(got, val, fp_names_val_size[t]);
			}
		}
		model_fill(m, m->to, f->a, &rs);
		assert_sets_equal(f->a, f->b);
		memcpy(m->from, m->to, sizeof(m->from));
	}
	free(want.v);
	free(m);
}

/* Timing: a million entries */

/* Entry i of the big set; variant changes the value. */
static void
perf_entry(uint32_t i, uint32_t variant, uint16_t *table, uint8_t *key, uint8_t *val)
{
	/* A bijection of i, so keys are unique and come in no order. */
	uint32_t h = i * 2654435761U;

	memset(key, 0, TEST_KEY_MAX);
	memset(val, 0, TEST_VAL_MAX);
	if (i % 100 < 8) {
		struct fp_neigh_key *k = (struct fp_neigh_key *)key;
		struct fp_neigh_val *v = (struct fp_neigh_val *)val;

		*table = FP_TABLE_NEIGH;
		k->vrf = h % 64;
		k->ip.b[10] = k->ip.b[11] = 0xff;
		memcpy(&k->ip.b[12], &h, 4);
		v->vni = variant + 1;
	} else if (i % 1000 == 8) {
		struct fp_flood_key *k = (struct fp_flood_key *)key;
		struct fp_flood_val *v = (struct fp_flood_val *)val;

		*table = FP_TABLE_FLOOD;
		k->vni = h;
		v->n_members = variant + 1;
	} else {
		struct fp_fdb_key *k = (struct fp_fdb_key *)key;
		struct fp_fdb_val *v = (struct fp_fdb_val *)val;

		*table = FP_TABLE_FDB;
		k->vni = 1 + h % 4096;
		k->mac[0] = 0x02;
		memcpy(&k->mac[2], &h, 4);
		v->type = FP_DEST_VTEP;
		v->id = variant;
	}
}

/* A change of a big diff: the key copied (a delete's key lives in the set
 * the changes are applied to), the value in the target set.
 */
struct perf_change {
	uint16_t table;		   /* FP_TABLE_* */
	uint8_t key[TEST_KEY_MAX]; /* key bytes */
	const void *val;	   /* the new value in the target set; NULL: delete */
};

struct perf_changes {
	struct perf_change *v; /* changes */
	size_t n;	       /* valid v */
};

static int
perf_record(uint16_t table, const void *key, const void *val, void *arg)
{
	struct perf_changes *pc = arg;
	struct perf_change *c = &pc->v[pc->n++];

	c->table = table;
	memcpy(c->key, key, fp_names_key_size[table]);
	c->val = val;
	return 0;
}

static void
test_entries_perf_1m(void **state)
{
	struct fixture *f = *state;
	const uint32_t n = TEST_PERF_N, pct = TEST_PERF_CHANGE_PCT;
	struct perf_changes pc = { 0 };
	uint8_t key[TEST_KEY_MAX], val[TEST_VAL_MAX];
	uint64_t t0, t_seal, t_diff, t_apply, t_count, t_fill;
	size_t n_diff, i;
	uint16_t table;

	for (i = 0; i < n; i++) {
		perf_entry((uint32_t)i, 0, &table, key, val);
		assert_int_equal(fp_entry_set_add(f->a, table, key, val), 0);
	}
	/* b: pct % changed, pct % gone, pct % new. */
	for (i = 0; i < n + n / 100 * pct; i++) {
		uint32_t r = (uint32_t)(i * 7919U % 100U);

		if (i < n && r < pct)
			continue;
		perf_entry((uint32_t)i, r < 2 * pct ? 1 : 0, &table, key, val);
		assert_int_equal(fp_entry_set_add(f->b, table, key, val), 0);
	}
	t0 = fp_clock_now_ns();
	assert_int_equal(fp_entry_set_seal(f->a, NULL), 0);
	t_seal = fp_clock_now_ns() - t0;
	assert_int_equal(fp_entry_set_seal(f->b, NULL), 0);
	assert_int_equal(fp_entry_set_count(f->a), n);

	t0 = fp_clock_now_ns();
	n_diff = fp_entry_set_diff_count(f->a, f->b);
	t_count = fp_clock_now_ns() - t0;
	pc.v = malloc(n_diff * sizeof(*pc.v));
	assert_non_null(pc.v);
	t0 = fp_clock_now_ns();
	assert_int_equal(fp_entry_set_diff(f->a, f->b, perf_record, &pc), 0);
	t_diff = fp_clock_now_ns() - t0;
	assert_int_equal(pc.n, n_diff);
	assert_int_equal(n_diff, (size_t)n / 100 * 3 * pct);

	t0 = fp_clock_now_ns();
	for (i = 0; i < pc.n; i++) {
		const struct perf_change *c = &pc.v[i];

		assert_int_equal(fp_entry_set_apply(f->a, c->table, c->key, c->val), 0);
	}
	t_apply = fp_clock_now_ns() - t0;
	assert_int_equal(fp_entry_set_diff_count(f->a, f->b), 0);
	assert_int_equal(fp_entry_set_count(f->a), fp_entry_set_count(f->b));

	/* A first install: every entry of b applied to an empty set, in
	 * diff order (tables port, vtep, neigh, flood, fdb).
	 */
	fp_entry_set_clear(f->a);
	free(pc.v);
	pc.n = 0;
	pc.v = malloc(fp_entry_set_count(f->b) * sizeof(*pc.v));
	assert_non_null(pc.v);
	assert_int_equal(fp_entry_set_diff(f->a, f->b, perf_record, &pc), 0);
	assert_int_equal(pc.n, fp_entry_set_count(f->b));
	t0 = fp_clock_now_ns();
	for (i = 0; i < pc.n; i++)
		assert_int_equal(fp_entry_set_apply(f->a, pc.v[i].table, pc.v[i].key, pc.v[i].val),
				 0);
	t_fill = fp_clock_now_ns() - t0;
	assert_int_equal(fp_entry_set_diff_count(f->a, f->b), 0);

	print_message("entries 1M: seal %.1f ms, diff_count %.1f ms, diff %zu changes %.1f ms "
		      "(copying keys), apply them %.1f ms, apply %zu to an empty set %.1f ms\n",
		      t_seal / 1e6, t_count / 1e6, n_diff, t_diff / 1e6, t_apply / 1e6, pc.n,
		      t_fill / 1e6);
	assert_true(t_fill < TEST_PERF_LIMIT_NS * TEST_SLOW);
	assert_true(t_seal < TEST_PERF_LIMIT_NS * TEST_SLOW);
	assert_true(t_diff < TEST_PERF_LIMIT_NS * TEST_SLOW);
	assert_true(t_apply < TEST_PERF_LIMIT_NS * TEST_SLOW);
	free(pc.v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_order_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_diff_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_differential, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_perf_1m, setup, teardown),
	};

	return cmocka_run_group_tests_name("entries", tests, NULL, NULL);
}
