/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dataplane/ct.c, fp-dpdk's connection table: insert,
 * lookup, update, remove, -EEXIST, expiry per state, the sweep, a full
 * table, zone flush, walk, a differential test against a linear model,
 * and two workers seeing the two directions of the same connections.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include <flowplane/sg.h>

#include "ct.h"

#define SEED 1010
#define S_NS 1000000000ULL /* one second in ns */
#define T0 (1000 * S_NS)   /* the tests' clock starts here */

/* Packet i of zone: 10.<i>:<port> -> 192.168.<i>:80 TCP (reply: the
 * other way round).
 */
static void
pkt_make(struct fp_sg_pkt *p, uint32_t i, int reply)
{
	struct fp_ip x, y;

	memset(p, 0, sizeof(*p));
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.b[10] = y.b[10] = 0xff;
	x.b[11] = y.b[11] = 0xff;
	x.b[12] = 10;
	x.b[13] = (uint8_t)(i >> 16);
	x.b[14] = (uint8_t)(i >> 8);
	x.b[15] = (uint8_t)i;
	y.b[12] = 192;
	y.b[13] = 168;
	y.b[14] = (uint8_t)(i >> 8);
	y.b[15] = (uint8_t)(i * 7);
	p->family = 4;
	p->proto = FP_SG_PROTO_TCP;
	p->tcp_flags = reply ? FP_SG_TCP_SYN | FP_SG_TCP_ACK : FP_SG_TCP_SYN;
	p->src = reply ? y : x;
	p->dst = reply ? x : y;
	p->sport = reply ? 80 : (uint16_t)(1024 + (i % 50000));
	p->dport = reply ? (uint16_t)(1024 + (i % 50000)) : 80;
}

/* The key of connection i in zone, seen from the original or reply way. */
static int
key_make(struct fp_ct_key *k, uint16_t zone, uint32_t i, int reply)
{
	struct fp_sg_pkt p;

	pkt_make(&p, i, reply);
	return fp_ct_key_make(k, zone, &p);
}

static struct fp_ct_val
val_make(uint32_t state, uint32_t gen, uint32_t rule)
{
	struct fp_ct_val v;

	memset(&v, 0, sizeof(v));
	v.state = (uint8_t)state;
	v.gen = gen;
	v.rule_id = rule;
	return v;
}

static void
test_ct_insert_lookup_update_remove(void **state)
{
	struct fp_ct *ct = fp_ct_create(1024, NULL, SOCKET_ID_ANY);
	struct fp_ct_val v = val_make(FP_CT_SYN_SENT, 3, 17);
	struct fp_ct_ref r, r2, stale;
	struct fp_ct_key k, kr;

	(void)state;
	assert_non_null(ct);
	assert_true(fp_ct_capacity(ct) >= 1024);
	/* Both directions build one key. */
	assert_int_equal(key_make(&k, 5, 1, 0) != key_make(&kr, 5, 1, 1), 1);
	assert_memory_equal(&k, &kr, sizeof(k));

	assert_int_equal(fp_ct_lookup(ct, &k, T0, &r), -ENOENT);
	v.flags = FP_CT_F_ORIG_EGRESS;
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	assert_int_equal(r.val.state, FP_CT_SYN_SENT);
	assert_int_equal(r.val.gen, 3);
	assert_int_equal(r.val.rule_id, 17);
	assert_int_equal(r.val.last_ns, T0);
	assert_int_equal(fp_ct_count(ct), 1);

	/* The reply finds it; another zone does not. */
	assert_int_equal(fp_ct_lookup(ct, &kr, T0 + 1, &r2), 0);
	assert_int_equal(r2.slot, r.slot);
	assert_int_equal(r2.val.flags, FP_CT_F_ORIG_EGRESS);
	kr.zone = 6;
	assert_int_equal(fp_ct_lookup(ct, &kr, T0 + 1, &r2), -ENOENT);

	/* Update: state moves, time follows. */
	v = r.val;
	v.state = FP_CT_SYN_RECV;
	v.flags |= FP_CT_F_REPLIED;
	stale = r;
	assert_int_equal(fp_ct_update(ct, &r, &v, T0 + 5), 0);
	assert_int_equal(r.val.state, FP_CT_SYN_RECV);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 6, &r2), 0);
	assert_int_equal(r2.val.state, FP_CT_SYN_RECV);
	assert_int_equal(r2.val.flags, FP_CT_F_ORIG_EGRESS | FP_CT_F_REPLIED);
	assert_int_equal(r2.val.last_ns, T0 + 5);

	/* A stale ref: -EAGAIN, refreshed, and the time is set anyway. */
	v = stale.val;
	v.state = FP_CT_ESTABLISHED;
	assert_int_equal(fp_ct_update(ct, &stale, &v, T0 + 7), -EAGAIN);
	assert_int_equal(stale.val.state, FP_CT_SYN_RECV);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 8, &r2), 0);
	assert_int_equal(r2.val.state, FP_CT_SYN_RECV);
	assert_int_equal(r2.val.last_ns, T0 + 7);
	/* Decide again from the refreshed ref: it goes through. */
	v = stale.val;
	v.state = FP_CT_ESTABLISHED;
	v.gen = 4;
	v.rule_id = 18;
	assert_int_equal(fp_ct_update(ct, &stale, &v, T0 + 9), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 9, &r2), 0);
	assert_int_equal(r2.val.state, FP_CT_ESTABLISHED);
	assert_int_equal(r2.val.gen, 4);
	assert_int_equal(r2.val.rule_id, 18);
	/* A no-change update stores nothing while the ref's time is less
	 * than FP_CT_LAST_GRAIN_NS old, then only the time.
	 */
	assert_int_equal(fp_ct_update(ct, &r2, &r2.val, T0 + 10), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 11, &r2), 0);
	assert_int_equal(r2.val.last_ns, T0 + 9);
	assert_int_equal(fp_ct_update(ct, &r2, &r2.val, T0 + 9 + FP_CT_LAST_GRAIN_NS), 0);
	assert_int_equal(r2.val.last_ns, T0 + 9 + FP_CT_LAST_GRAIN_NS);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 11 + FP_CT_LAST_GRAIN_NS, &r2), 0);
	assert_int_equal(r2.val.last_ns, T0 + 9 + FP_CT_LAST_GRAIN_NS);

	/* Remove: gone; a second remove and an update of it: -ENOENT (a
	 * no-change update within the grain does not look: 0).
	 */
	r = r2;
	assert_int_equal(fp_ct_remove(ct, &r2), 0);
	assert_int_equal(fp_ct_count(ct), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 12, &r2), -ENOENT);
	assert_int_equal(fp_ct_remove(ct, &r), -ENOENT);
	assert_int_equal(fp_ct_update(ct, &r, &r.val, T0 + 12 + FP_CT_LAST_GRAIN_NS), 0);
	assert_int_equal(fp_ct_update(ct, &r, &r.val, T0 + 9 + 2 * FP_CT_LAST_GRAIN_NS), -ENOENT);
	assert_int_equal(fp_ct_update(ct, &r, &v, T0 + 12), -ENOENT);
	/* The slot taken again by the same key: the old ref names nothing. */
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0 + 13, &r2), 0);
	assert_int_equal(fp_ct_update(ct, &r, &v, T0 + 14), -ENOENT);
	assert_int_equal(fp_ct_remove(ct, &r), -ENOENT);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 15, &r2), 0);
	r.slot = 0xffffffff;
	assert_int_equal(fp_ct_update(ct, &r, &v, T0 + 15), -ENOENT);
	fp_ct_free(ct);
	fp_ct_free(NULL);
	assert_null(fp_ct_create(0, NULL, SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
	assert_null(fp_ct_create(FP_CT_SIZE_MAX + 1, NULL, SOCKET_ID_ANY));
}

static void
test_ct_exists(void **state)
{
	struct fp_ct *ct = fp_ct_create(1024, NULL, SOCKET_ID_ANY);
	struct fp_ct_val v = val_make(FP_CT_UDP_UNREPLIED, 1, 2);
	struct fp_ct_ref r, r2;
	struct fp_ct_key k;

	(void)state;
	key_make(&k, 1, 9, 0);
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	v = val_make(FP_CT_ICMP, 5, 6);
	key_make(&k, 1, 9, 1);
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0 + 1, &r2), -EEXIST);
	assert_int_equal(r2.slot, r.slot);
	assert_int_equal(r2.val.state, FP_CT_UDP_UNREPLIED);
	assert_int_equal(r2.val.gen, 1);
	assert_int_equal(fp_ct_count(ct), 1);
	fp_ct_free(ct);
}

struct key_count {
	struct fp_ct_key k; /* key looked for */
	uint32_t n;	    /* entries with it */
};

/* fp_ct_walk() callback: count the entries of one key. */
static int
count_key(const struct fp_ct_key *k, const struct fp_ct_val *v, void *arg)
{
	struct key_count *c = arg;

	(void)v;
	c->n += memcmp(k, &c->k, sizeof(*k)) == 0;
	return 0;
}

static void
test_ct_expiry_per_state(void **state)
{
	struct fp_ct_timeouts t;
	struct fp_ct *ct;
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;
	struct key_count kc;
	uint32_t i, n;

	(void)state;
	fp_ct_timeouts_default(&t);
	assert_int_equal(t.s[FP_CT_ESTABLISHED], 432000);
	assert_int_equal(t.s[FP_CT_CLOSE], 10);
	t.s[FP_CT_SYN_SENT] = 2;
	t.s[FP_CT_ESTABLISHED] = 100;
	ct = fp_ct_create(1024, &t, SOCKET_ID_ANY);
	assert_non_null(ct);
	for (i = 0; i < FP_CT_STATE_MAX; i++) {
		key_make(&k, 2, i, 0);
		v = val_make(i, 0, 0);
		assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	}
	/* Each state lives exactly its timeout: alive at +timeout, gone after. */
	for (i = 0; i < FP_CT_STATE_MAX; i++) {
		uint64_t to = (uint64_t)t.s[i] * S_NS;

		key_make(&k, 2, i, 1);
		assert_int_equal(fp_ct_lookup(ct, &k, T0 + to, &r), 0);
		assert_int_equal(fp_ct_lookup(ct, &k, T0 + to + 1, &r), -ENOENT);
	}
	/* An update pushes the deadline; an expired entry cannot be updated. */
	key_make(&k, 2, FP_CT_SYN_SENT, 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + S_NS, &r), 0);
	assert_int_equal(fp_ct_update(ct, &r, &r.val, T0 + S_NS), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 3 * S_NS, &r), 0);
	assert_int_equal(fp_ct_update(ct, &r, &r.val, T0 + 4 * S_NS), -ENOENT);
	/* Moving to established takes established's timeout. */
	key_make(&k, 2, FP_CT_SYN_RECV, 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0, &r), 0);
	v = r.val;
	v.state = FP_CT_ESTABLISHED;
	assert_int_equal(fp_ct_update(ct, &r, &v, T0), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 100 * S_NS, &r), 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 100 * S_NS + 1, &r), -ENOENT);
	/* A reload applies to existing entries. */
	t.s[FP_CT_ESTABLISHED] = 1000;
	fp_ct_timeouts_set(ct, &t);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 500 * S_NS, &r), 0);
	fp_ct_timeouts_set(ct, NULL);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 400000 * S_NS, &r), 0);
	/* An expired key can be inserted again; the expired entry goes, so a
	 * longer timeout cannot bring it back beside the new one.
	 */
	key_make(&k, 2, FP_CT_CLOSE, 0);
	v = val_make(FP_CT_SYN_SENT, 0, 0);
	n = fp_ct_count(ct);
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0 + 11 * S_NS, &r), 0);
	assert_int_equal(fp_ct_count(ct), n);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 12 * S_NS, &r), 0);
	assert_int_equal(r.val.state, FP_CT_SYN_SENT);
	t.s[FP_CT_CLOSE] = 100000;
	fp_ct_timeouts_set(ct, &t);
	kc.k = k;
	kc.n = 0;
	assert_int_equal(fp_ct_walk(ct, T0 + 12 * S_NS, count_key, &kc), 0);
	assert_int_equal(kc.n, 1);
	fp_ct_free(ct);
}

static void
test_ct_sweep(void **state)
{
	struct fp_ct *ct = fp_ct_create(20000, NULL, SOCKET_ID_ANY);
	uint32_t i, n, freed, calls, nb = fp_ct_n_buckets(ct);
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;

	(void)state;
	/* 10000 short-lived (close: 10 s), 5000 long-lived entries. */
	for (i = 0; i < 15000; i++) {
		key_make(&k, 3, i, 0);
		v = val_make(i < 10000 ? FP_CT_CLOSE : FP_CT_ESTABLISHED, 0, 0);
		assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	}
	assert_int_equal(fp_ct_count(ct), 15000);
	/* Nothing expired yet: a full pass frees nothing. */
	assert_int_equal(fp_ct_sweep(ct, T0 + 10 * S_NS, nb), 0);
	/* Bounded work per call: 16 buckets free at most 16 * 30 entries. */
	freed = fp_ct_sweep(ct, T0 + 11 * S_NS, 16);
	assert_true(freed > 0 && freed <= 16 * 30);
	for (calls = 1, n = freed; calls * 16 < nb; calls++)
		n += fp_ct_sweep(ct, T0 + 11 * S_NS, 16);
	assert_int_equal(n, 10000);
	assert_int_equal(fp_ct_count(ct), 5000);
	/* Round robin: the next pass starts over and finds nothing. */
	assert_int_equal(fp_ct_sweep(ct, T0 + 11 * S_NS, nb * 2), 0);
	for (i = 0; i < 15000; i++) {
		key_make(&k, 3, i, 1);
		assert_int_equal(fp_ct_lookup(ct, &k, T0 + 11 * S_NS, &r), i < 10000 ? -ENOENT : 0);
	}
	fp_ct_free(ct);
}

static void
test_ct_full_keeps_old(void **state)
{
	struct fp_ct *ct = fp_ct_create(3000, NULL, SOCKET_ID_ANY);
	uint32_t i, n, cap = fp_ct_capacity(ct), refused = 0;
	struct fp_ct_val v = val_make(FP_CT_ESTABLISHED, 0, 0);
	struct fp_ct_ref r;
	struct fp_ct_key k;
	int rc;

	(void)state;
	for (n = 0, i = 0; i < cap; i++) {
		key_make(&k, 4, i, 0);
		rc = fp_ct_insert(ct, &k, &v, T0, &r);
		if (rc == -ENOSPC)
			break;
		assert_int_equal(rc, 0);
		n++;
	}
	print_message("first -ENOSPC after %u of %u slots (%.1f %%)\n", n, cap, 100.0 * n / cap);
	assert_true(n >= 3000 * 9 / 10);
	assert_true(n < cap);
	/* The rest: mostly refused, none evicts a live entry. */
	for (i = n; i < n + 2000; i++) {
		key_make(&k, 4, i, 0);
		rc = fp_ct_insert(ct, &k, &v, T0, &r);
		assert_true(rc == 0 || rc == -ENOSPC);
		refused += rc == -ENOSPC;
	}
	assert_true(refused > 0);
	assert_int_equal(fp_ct_count(ct), n + 2000 - refused);
	for (i = 0; i < n; i++) {
		key_make(&k, 4, i, 1);
		assert_int_equal(fp_ct_lookup(ct, &k, T0 + S_NS, &r), 0);
	}
	/* A removed entry's key fits again; an expired entry's slot is reused
	 * by a new key.
	 */
	key_make(&k, 4, 0, 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0, &r), 0);
	assert_int_equal(fp_ct_remove(ct, &r), 0);
	assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	v.state = FP_CT_CLOSE;
	assert_int_equal(fp_ct_update(ct, &r, &v, T0), 0);
	for (i = n + 2000; i < n + 2000 + cap; i++) {
		key_make(&k, 4, i, 0);
		if (fp_ct_insert(ct, &k, &v, T0 + 11 * S_NS, &r) == 0)
			break;
	}
	assert_true(i < n + 2000 + cap);
	key_make(&k, 4, 0, 0);
	assert_int_equal(fp_ct_lookup(ct, &k, T0 + 11 * S_NS, &r), -ENOENT);
	fp_ct_free(ct);
}

static int
walk_cb(const struct fp_ct_key *k, const struct fp_ct_val *v, void *arg)
{
	uint32_t *seen = arg;

	assert_int_equal(k->zone, 7);
	assert_int_equal(v->state, FP_CT_ESTABLISHED);
	assert_int_equal(v->gen, v->rule_id + 1);
	seen[v->rule_id]++;
	return 0;
}

static int
walk_stop(const struct fp_ct_key *k, const struct fp_ct_val *v, void *arg)
{
	(void)k;
	(void)v;
	return ++*(int *)arg == 3 ? 42 : 0;
}

static void
test_ct_walk_and_flush(void **state)
{
	struct fp_ct *ct = fp_ct_create(4096, NULL, SOCKET_ID_ANY);
	uint32_t seen[1000] = { 0 }, i;
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;
	int n = 0;

	(void)state;
	for (i = 0; i < 1000; i++) {
		key_make(&k, 7, i, 0);
		v = val_make(FP_CT_ESTABLISHED, i + 1, i);
		assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
		key_make(&k, 8, i, 0);
		v = val_make(i % 2 ? FP_CT_CLOSE : FP_CT_ESTABLISHED, i + 1, i);
		assert_int_equal(fp_ct_insert(ct, &k, &v, T0, &r), 0);
	}
	/* Zone 8 leaves; at +11 s its expired (close) half is not seen either. */
	assert_int_equal(fp_ct_flush_zone(ct, 8), 1000);
	assert_int_equal(fp_ct_flush_zone(ct, 8), 0);
	assert_int_equal(fp_ct_count(ct), 1000);
	assert_int_equal(fp_ct_walk(ct, T0 + 11 * S_NS, walk_cb, seen), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(fp_ct_walk(ct, T0, walk_stop, &n), 42);
	assert_int_equal(n, 3);
	for (i = 0; i < 1000; i++) {
		key_make(&k, 7, i, 1);
		assert_int_equal(fp_ct_lookup(ct, &k, T0, &r), 0);
		key_make(&k, 8, i, 1);
		assert_int_equal(fp_ct_lookup(ct, &k, T0, &r), -ENOENT);
	}
	fp_ct_free(ct);
}

static void
test_ct_lookup_bulk(void **state)
{
	struct fp_ct *ct = fp_ct_create(4096, NULL, SOCKET_ID_ANY);
	struct fp_ct_key keys[FP_CT_BULK_MAX + 1];
	const struct fp_ct_key *kp[FP_CT_BULK_MAX + 1];
	struct fp_ct_ref refs[FP_CT_BULK_MAX + 1], r;
	struct fp_ct_val v;
	uint64_t hits;
	uint32_t i;

	(void)state;
	/* Every third key in, one of them expired (close, 10 s). */
	for (i = 0; i <= FP_CT_BULK_MAX; i++) {
		key_make(&keys[i], 11, i, 0);
		kp[i] = &keys[i];
		v = val_make(i == 30 ? FP_CT_CLOSE : FP_CT_ESTABLISHED, i, i * 2);
		if (i % 3 == 0)
			assert_int_equal(fp_ct_insert(ct, &keys[i], &v, T0, &r), 0);
	}
	key_make(&keys[7], 11, 6, 1); /* the reply way of key 6 */
	hits = fp_ct_lookup_bulk(ct, kp, FP_CT_BULK_MAX + 1, T0 + 11 * S_NS, refs);
	for (i = 0; i < FP_CT_BULK_MAX; i++) {
		int in = (i % 3 == 0 && i != 30) || i == 7;

		assert_int_equal(!!(hits & (1ULL << i)), in);
		if (!in)
			continue;
		assert_int_equal(fp_ct_lookup(ct, &keys[i], T0 + 11 * S_NS, &r), 0);
		assert_int_equal(refs[i].slot, r.slot);
		assert_int_equal(refs[i].seq, r.seq);
		assert_memory_equal(&refs[i].val, &r.val, sizeof(r.val));
		assert_int_equal(refs[i].val.gen, i == 7 ? 6 : i);
	}
	assert_int_equal(fp_ct_lookup_bulk(ct, kp, 0, T0, refs), 0);
	fp_ct_free(ct);
}

/* Random operations against a linear model (one thread). */
#define MODEL_KEYS 3000
static void
test_ct_vs_model(void **state)
{
	static struct {
		int present;
		struct fp_ct_val v;
	} m[MODEL_KEYS];
	struct fp_ct *ct = fp_ct_create(2048, NULL, SOCKET_ID_ANY);
	uint32_t i, op, n_live = 0, cap_hits = 0;
	unsigned int seed = SEED;
	uint64_t now = T0;
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;
	int rc;

	(void)state;
	memset(m, 0, sizeof(m));
	for (op = 0; op < 200000; op++) {
		i = (uint32_t)rand_r(&seed) % MODEL_KEYS;
		key_make(&k, 9, i, rand_r(&seed) & 1);
		now += (uint64_t)(rand_r(&seed) % 1000);
		rc = fp_ct_lookup(ct, &k, now, &r);
		if (rc != (m[i].present ? 0 : -ENOENT))
			fail_msg("seed %d op %u key %u: lookup %d, model %d", SEED, op, i, rc,
				 m[i].present);
		switch (rand_r(&seed) % 3) {
		case 0: /* insert */
			v = val_make(FP_CT_ESTABLISHED, op, i);
			rc = fp_ct_insert(ct, &k, &v, now, &r);
			if (m[i].present) {
				assert_int_equal(rc, -EEXIST);
				assert_int_equal(r.val.gen, m[i].v.gen);
			} else if (rc == -ENOSPC) {
				cap_hits++;
			} else {
				assert_int_equal(rc, 0);
				m[i].present = 1;
				m[i].v = v;
				n_live++;
			}
			break;
		case 1: /* update */
			if (!m[i].present)
				break;
			v = r.val;
			v.gen++;
			v.state = (uint8_t)(rand_r(&seed) % 2 ? FP_CT_ESTABLISHED : FP_CT_FIN_WAIT);
			assert_int_equal(fp_ct_update(ct, &r, &v, now), 0);
			m[i].v.gen = v.gen;
			break;
		default: /* remove */
			if (!m[i].present)
				break;
			assert_int_equal(fp_ct_remove(ct, &r), 0);
			m[i].present = 0;
			n_live--;
			break;
		}
		assert_int_equal(fp_ct_count(ct), n_live);
	}
	print_message("model: %u live at the end, %u inserts refused (full)\n", n_live, cap_hits);
	fp_ct_free(ct);
}

/* Two workers: one sees connections the original way, the other the
 * reply way, both insert when they find nothing (racing inserts of the
 * same keys), both update by compare-and-swap.  Each update adds one to
 * gen and keeps rule_id == gen * 3 + 1 and state == race_state(gen), so
 * a torn read or a lost update shows.
 */
#define RACE_CONNS 8
#define RACE_ROUNDS 2000
#define RACE_UPDATES 64

#define RACE_MIN_ROUNDS 100
#define RACE_SECONDS 1.0 /* rounds after RACE_MIN_ROUNDS stop after this long */

static int race_go;   /* the workers meet here at each round's start */
static int race_stop; /* set by the main thread: no more rounds */

struct race {
	struct fp_ct *ct;	      /* shared table */
	pthread_barrier_t *bar;	      /* round start and end */
	int reply;		      /* the reply way */
	uint64_t n_updates;	      /* successful updates, this round */
	uint64_t n_inserted;	      /* inserts that returned 0 */
	uint64_t n_exists;	      /* inserts that returned -EEXIST */
	uint64_t n_again;	      /* updates that returned -EAGAIN */
	uint64_t n_bad;		      /* inconsistent reads or errors */
	uint64_t n_busy;	      /* inserts that returned -EBUSY */
	uint64_t updates[RACE_CONNS]; /* per connection, this round */
	uint64_t total_inserted;      /* over all rounds */
};

/* The state an entry has after its gen-th update: lo and hi agree. */
static uint32_t
race_state(uint32_t gen)
{
	return gen & 1 ? FP_CT_ESTABLISHED : FP_CT_CLOSE_WAIT;
}

/* One packet of connection i the worker's way: look up (insert if
 * absent), check the entry reads consistent, then add one to gen by
 * compare-and-swap (deciding again on -EAGAIN).
 */
static void
race_pkt(struct race *w, uint16_t zone, uint32_t i)
{
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;
	int rc, a_first;

	a_first = key_make(&k, zone, i, w->reply);
	rc = fp_ct_lookup(w->ct, &k, T0, &r);
	if (rc == -ENOENT) {
		v = val_make(w->reply ? FP_CT_SYN_RECV : FP_CT_SYN_SENT, 0, 1);
		v.flags = (uint8_t)(a_first == !w->reply ? FP_CT_F_ORIG_A : 0);
		do {
			rc = fp_ct_insert(w->ct, &k, &v, T0, &r);
			/* -EBUSY: the other thread was descheduled holding the
			 * bucket's insert claim (a loaded machine); the packet
			 * would be dropped, its retransmission comes here.
			 */
			w->n_busy += rc == -EBUSY;
		} while (rc == -EBUSY);
		if (rc == 0)
			w->n_inserted++;
		else if (rc == -EEXIST)
			w->n_exists++;
		else {
			w->n_bad++;
			return;
		}
	}
	for (;;) {
		if (r.val.rule_id != r.val.gen * 3 + 1 ||
		    (r.val.gen > 0 && r.val.state != race_state(r.val.gen)))
			w->n_bad++;
		v = r.val;
		v.gen++;
		v.rule_id = v.gen * 3 + 1;
		v.state = (uint8_t)race_state(v.gen);
		v.flags |= w->reply ? FP_CT_F_REPLIED : 0;
		rc = fp_ct_update(w->ct, &r, &v, T0);
		if (rc == 0) {
			w->n_updates++;
			w->updates[i]++;
			return;
		}
		if (rc != -EAGAIN) {
			w->n_bad++;
			return;
		}
		w->n_again++;
	}
}

/* Both workers open the round's connections at once (the reply worker
 * backwards half the rounds), then send RACE_UPDATES packets on each.
 */
static void
race_round(struct race *w, uint16_t zone)
{
	uint32_t n, u;

	for (u = 0; u < RACE_UPDATES; u++)
		for (n = 0; n < RACE_CONNS; n++)
			race_pkt(w, zone, w->reply && (zone & 1) ? RACE_CONNS - 1 - n : n);
}

static void *
race_worker(void *arg)
{
	struct race *w = arg;
	uint32_t spins;
	int z;

	for (z = 1;; z++) {
		memset(w->updates, 0, sizeof(w->updates));
		w->n_inserted = 0;
		pthread_barrier_wait(w->bar);
		if (__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE))
			break;
		/* Start together (a barrier's wake-up is slower than a round). */
		__atomic_add_fetch(&race_go, 1, __ATOMIC_ACQ_REL);
		for (spins = 0; __atomic_load_n(&race_go, __ATOMIC_ACQUIRE) < 2 * z; spins++)
			if (spins % 256 == 255)
				sched_yield();
		race_round(w, z);
		w->total_inserted += w->n_inserted;
		pthread_barrier_wait(w->bar); /* main checks */
		pthread_barrier_wait(w->bar); /* main flushed */
	}
	return NULL;
}

struct race_check {
	struct race *w; /* the two workers */
	uint32_t seen;	/* entries walked */
	uint32_t bad;	/* entries that do not add up */
};

static int
race_walk(const struct fp_ct_key *k, const struct fp_ct_val *v, void *arg)
{
	struct race_check *c = arg;
	struct fp_ct_key o;
	uint32_t i;

	c->seen++;
	/* Which connection: find i whose key is k (the sport says it). */
	i = (uint32_t)(k->a_port == 80 ? k->b_port : k->a_port) - 1024;
	if (i >= RACE_CONNS) {
		c->bad++;
		return 0;
	}
	key_make(&o, k->zone, i, 0);
	if (memcmp(&o, k, sizeof(o)) != 0 || v->state != race_state(v->gen) ||
	    v->gen != c->w[0].updates[i] + c->w[1].updates[i] || v->rule_id != v->gen * 3 + 1 ||
	    !(v->flags & FP_CT_F_REPLIED))
		c->bad++;
	return 0;
}

/* Removal racing updates: one thread updates a few connections (gen + 1,
 * rule_id == gen * 3 + 1) while the other removes and re-inserts them.
 * An update must end in 0, -EAGAIN or -ENOENT, never touch a later
 * entry of the slot, and every key must end with at most one entry.
 */
#define RM_CONNS 16

struct rm_race {
	struct fp_ct *ct;   /* shared table */
	int stop;	    /* set by the main thread */
	uint64_t n_ok;	    /* updates done (the updater's) */
	uint64_t n_gone;    /* updates that found the entry removed */
	uint64_t n_bad;	    /* an answer that must not be (the updater's) */
	uint64_t n_removed; /* removals (the remover's) */
	uint64_t n_rm_bad;  /* an answer that must not be (the remover's) */
};

static void *
rm_updater(void *arg)
{
	struct rm_race *x = arg;
	struct fp_ct_ref r;
	struct fp_ct_key k;
	struct fp_ct_val v;
	uint32_t i = 0;
	int rc;

	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		key_make(&k, 12, i++ % RM_CONNS, 1);
		if (fp_ct_lookup(x->ct, &k, T0, &r) != 0)
			continue;
		do {
			if (r.val.rule_id != r.val.gen * 3 + 1)
				x->n_bad++;
			v = r.val;
			v.gen++;
			v.rule_id = v.gen * 3 + 1;
			rc = fp_ct_update(x->ct, &r, &v, T0);
		} while (rc == -EAGAIN);
		if (rc == 0)
			x->n_ok++;
		else if (rc == -ENOENT)
			x->n_gone++;
		else
			x->n_bad++;
	}
	return NULL;
}

static void *
rm_remover(void *arg)
{
	struct rm_race *x = arg;
	struct fp_ct_val v = val_make(FP_CT_ESTABLISHED, 1000, 3001);
	struct fp_ct_ref r;
	struct fp_ct_key k;
	uint32_t i = 0;
	int rc;

	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		key_make(&k, 12, i++ % RM_CONNS, 0);
		if (fp_ct_lookup(x->ct, &k, T0, &r) == 0) {
			rc = fp_ct_remove(x->ct, &r);
			if (rc == 0)
				x->n_removed++;
			else
				x->n_rm_bad++; /* nobody else removes */
		}
		do
			rc = fp_ct_insert(x->ct, &k, &v, T0, &r);
		while (rc == -EBUSY);
		if (rc != 0)
			x->n_rm_bad++;
	}
	return NULL;
}

static void
test_ct_remove_races_update(void **state)
{
	struct fp_ct *ct = fp_ct_create(1024, NULL, SOCKET_ID_ANY);
	long cpu, n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct rm_race x = { .ct = ct };
	struct key_count kc;
	pthread_t th[2];
	cpu_set_t all;
	uint32_t i;

	(void)state;
	CPU_ZERO(&all);
	for (cpu = 0; cpu < n_cpus; cpu++)
		CPU_SET(cpu, &all);
	assert_int_equal(pthread_create(&th[0], NULL, rm_updater, &x), 0);
	pthread_setaffinity_np(th[0], sizeof(all), &all);
	assert_int_equal(pthread_create(&th[1], NULL, rm_remover, &x), 0);
	pthread_setaffinity_np(th[1], sizeof(all), &all);
	usleep(300000);
	__atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	print_message("removal vs update: %" PRIu64 " updates, %" PRIu64 " removals, %" PRIu64
		      " updates found their entry gone\n",
		      x.n_ok, x.n_removed, x.n_gone);
	assert_int_equal(x.n_bad, 0);
	assert_int_equal(x.n_rm_bad, 0);
	assert_int_equal(fp_ct_count(ct), RM_CONNS);
	for (i = 0; i < RM_CONNS; i++) {
		key_make(&kc.k, 12, i, 0);
		kc.n = 0;
		fp_ct_walk(ct, T0, count_key, &kc);
		assert_int_equal(kc.n, 1);
	}
	fp_ct_free(ct);
}

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* After round zone: one entry per connection with both workers' updates
 * in it; then the zone is flushed.  0, or 1 (printed) if not.
 */
static int
race_check_round(struct fp_ct *ct, struct race *w, uint16_t zone)
{
	struct race_check c;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	c.w = w;
	if (w[0].n_inserted + w[1].n_inserted != RACE_CONNS || fp_ct_count(ct) != RACE_CONNS) {
		print_message("round %u: %" PRIu64 " + %" PRIu64 " inserts, %u entries\n", zone,
			      w[0].n_inserted, w[1].n_inserted, fp_ct_count(ct));
		return 1;
	}
	fp_ct_walk(ct, T0, race_walk, &c);
	if (c.seen != RACE_CONNS || c.bad != 0 || w[0].n_bad + w[1].n_bad != 0) {
		print_message("round %u: %u entries walked, %u wrong, %" PRIu64 " bad reads\n",
			      zone, c.seen, c.bad, w[0].n_bad + w[1].n_bad);
		return 1;
	}
	for (i = 0; i < RACE_CONNS; i++) {
		if (w[0].updates[i] + w[1].updates[i] != 2 * RACE_UPDATES) {
			print_message("round %u: connection %u: %" PRIu64 " updates\n", zone, i,
				      w[0].updates[i] + w[1].updates[i]);
			return 1;
		}
	}
	if (fp_ct_flush_zone(ct, zone) != RACE_CONNS || fp_ct_count(ct) != 0) {
		print_message("round %u: flush left %u entries\n", zone, fp_ct_count(ct));
		return 1;
	}
	return 0;
}

static void
test_ct_two_workers_two_directions(void **state)
{
	struct fp_ct *ct = fp_ct_create(RACE_CONNS * 2, NULL, SOCKET_ID_ANY);
	static struct race w[2];
	pthread_barrier_t bar;
	pthread_t th[2];
	struct timespec t0, t1;
	uint64_t exists = 0, again = 0, busy = 0;
	long cpu, n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t all;
	int z, rounds, err = 0;
	uint32_t i;

	(void)state;
	assert_non_null(ct);
	CPU_ZERO(&all);
	for (cpu = 0; cpu < n_cpus; cpu++)
		CPU_SET(cpu, &all);
	memset(w, 0, sizeof(w));
	race_go = 0;
	race_stop = 0;
	pthread_barrier_init(&bar, NULL, 3);
	for (i = 0; i < 2; i++) {
		w[i].ct = ct;
		w[i].bar = &bar;
		w[i].reply = (int)i;
		assert_int_equal(pthread_create(&th[i], NULL, race_worker, &w[i]), 0);
		/* EAL pinned this thread (-l 0); the workers may run on any CPU. */
		pthread_setaffinity_np(th[i], sizeof(all), &all);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (z = 1; err == 0; z++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (z > RACE_ROUNDS || (z > RACE_MIN_ROUNDS && elapsed(&t0, &t1) > RACE_SECONDS))
			break;
		pthread_barrier_wait(&bar);
		/* The sweeper runs meanwhile: nothing is expired, nothing goes. */
		for (i = 0; i < 200; i++)
			if (fp_ct_sweep(ct, T0, 8) != 0)
				err = 1;
		pthread_barrier_wait(&bar);
		err = err ? err : race_check_round(ct, w, (uint16_t)z);
		pthread_barrier_wait(&bar);
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&bar);
	rounds = z - 1;
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].n_bad, 0);
		exists += w[i].n_exists;
		again += w[i].n_again;
		busy += w[i].n_busy;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("two workers: %d rounds of %u connections in %.2f s; inserts won "
		      "%" PRIu64 "/%" PRIu64 ", lost (-EEXIST) %" PRIu64
		      ", updates retried (-EAGAIN) %" PRIu64 ", inserts -EBUSY %" PRIu64 "\n",
		      rounds, RACE_CONNS, elapsed(&t0, &t1), w[0].total_inserted,
		      w[1].total_inserted, exists, again, busy);
	pthread_barrier_destroy(&bar);
	fp_ct_free(ct);
	assert_int_equal(err, 0);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m",	     "128",	"--no-shconf", "--no-pci",
			"-l",	 "0",	      "--log-level", "*:error", prefix,	       NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_insert_lookup_update_remove),
		cmocka_unit_test(test_ct_exists),
		cmocka_unit_test(test_ct_expiry_per_state),
		cmocka_unit_test(test_ct_sweep),
		cmocka_unit_test(test_ct_full_keeps_old),
		cmocka_unit_test(test_ct_walk_and_flush),
		cmocka_unit_test(test_ct_lookup_bulk),
		cmocka_unit_test(test_ct_vs_model),
		cmocka_unit_test(test_ct_two_workers_two_directions),
		cmocka_unit_test(test_ct_remove_races_update),
	};
	int rc;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fp_ct_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("ct", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
