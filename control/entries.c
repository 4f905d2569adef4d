/* SPDX-License-Identifier: BSD-3-Clause */
/* Entry sets (entries.h).
 *
 * Records: key bytes then value bytes, at an 8-byte aligned offset of one
 * arena (so the ABI structs can be read in place).  A record that is
 * dropped (a duplicate, a delete) stays in the arena as dead bytes until a
 * compaction copies the live records into a new arena.
 *
 * Index: one element per entry, holding the record's offset and the table
 * id and the first key bytes as two big-endian words, so that comparing
 * two elements is two integer compares in nearly every case (the rest of a
 * long key is compared with memcmp) and the order is (table, key bytes).
 *
 * The index is a gap buffer: logical position i is ix[i] below the gap and
 * ix[i + gap length] above it.  fp_entry_set_apply() moves the gap to the
 * change's position and inserts or deletes there; the changes of a diff
 * come in key order within a table, so a whole diff costs O(n + changes)
 * instead of one memmove of the index per change.
 */
#include "entries.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define IX_MIN 64	       /* first index allocation, elements */
#define ARENA_MIN 4096	       /* first arena allocation, bytes */
#define ARENA_ALIGN 8	       /* record alignment in the arena */
#define IX_KEY_BYTES 14	       /* key bytes held in an index element */
#define SORT_RUN 32	       /* insertion-sorted run before merging */
#define COMPACT_MIN (1U << 20) /* dead bytes below which we never compact */

/* Sets go out in this order (referenced tables first), deletes in the
 * reverse one.
 */
static const uint16_t set_order[FP_TABLE_MAX] = FP_TABLE_SET_ORDER;

/* One index element. */
struct ix {
	uint64_t hi;  /* table << 48 | key bytes 0..5, big-endian */
	uint64_t lo;  /* key bytes 6..13, big-endian (zero past the key) */
	uint64_t off; /* the record's offset in the arena */
};

struct fp_entry_set {
	struct ix *ix;		      /* index, a gap buffer of cap elements */
	size_t n;		      /* entries (elements outside the gap) */
	size_t cap;		      /* allocated elements */
	size_t gap;		      /* logical position of the gap */
	uint8_t *arena;		      /* records */
	size_t arena_len;	      /* bytes used */
	size_t arena_cap;	      /* bytes allocated */
	size_t dead;		      /* bytes of dropped records */
	size_t n_table[FP_TABLE_MAX]; /* entries per table */
	int sealed;		      /* sorted, unique, no add since */
};

/* Index and records */

static inline size_t
rec_size(uint16_t table)
{
	size_t n = (size_t)fp_names_key_size[table] + fp_names_val_size[table];

	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static inline uint16_t
ix_table(const struct ix *e)
{
	return (uint16_t)(e->hi >> 48);
}

static inline struct ix *
ix_at(const struct fp_entry_set *s, size_t i)
{
	return &s->ix[i < s->gap ? i : i + (s->cap - s->n)];
}

static inline const uint8_t *
ix_key(const struct fp_entry_set *s, const struct ix *e)
{
	return s->arena + e->off;
}

static inline const uint8_t *
ix_val(const struct fp_entry_set *s, const struct ix *e)
{
	return s->arena + e->off + fp_names_key_size[ix_table(e)];
}

static inline uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The index words of a key. */
static inline void
ix_words(uint16_t table, const void *key, struct ix *e)
{
	uint8_t b[IX_KEY_BYTES + 2] = { 0 };
	size_t n = fp_names_key_size[table] < IX_KEY_BYTES ? fp_names_key_size[table] :
							     IX_KEY_BYTES;

	memcpy(b, key, n);
	e->hi = (uint64_t)table << 48 | load_be64(b) >> 16;
	e->lo = load_be64(b + 6);
}

/* Order of two elements: (table, key bytes), like memcmp. */
static inline int
ix_cmp(const struct ix *a, const uint8_t *ka, const struct ix *b, const uint8_t *kb)
{
	size_t size;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	size = fp_names_key_size[ix_table(a)];
	if (size <= IX_KEY_BYTES)
		return 0;
	return memcmp(ka + IX_KEY_BYTES, kb + IX_KEY_BYTES, size - IX_KEY_BYTES);
}

/* Move the gap to logical position p. */
static void
gap_move(struct fp_entry_set *s, size_t p)
{
	size_t gl = s->cap - s->n;

	if (gl == 0 || p == s->gap) {
		s->gap = p;
		return;
	}
	if (p < s->gap)
		memmove(s->ix + p + gl, s->ix + p, (s->gap - p) * sizeof(*s->ix));
	else
		memmove(s->ix + s->gap, s->ix + s->gap + gl, (p - s->gap) * sizeof(*s->ix));
	s->gap = p;
}

/* Room for one more index element (the gap may move). */
static int
ix_reserve(struct fp_entry_set *s)
{
	struct ix *ix;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	/* No gap: the elements are in order whatever s->gap says. */
	s->gap = s->n;
	cap = s->cap ? s->cap * 2 : IX_MIN;
	ix = realloc(s->ix, cap * sizeof(*ix));
	if (ix == NULL)
		return -ENOMEM;
	s->ix = ix;
	s->cap = cap;
	return 0;
}

/* Room for size more arena bytes (the arena may move). */
static int
arena_reserve(struct fp_entry_set *s, size_t size)
{
	uint8_t *a;
	size_t cap;

	if (s->arena_len + size <= s->arena_cap)
		return 0;
	cap = s->arena_cap ? s->arena_cap : ARENA_MIN;
	while (cap < s->arena_len + size)
		cap *= 2;
	a = realloc(s->arena, cap);
	if (a == NULL)
		return -ENOMEM;
	s->arena = a;
	s->arena_cap = cap;
	return 0;
}

/* Append a record (room reserved); returns its offset. */
static size_t
rec_append(struct fp_entry_set *s, uint16_t table, const void *key, const void *val)
{
	size_t off = s->arena_len, size = rec_size(table);
	uint8_t *p = s->arena + off;

	memcpy(p, key, fp_names_key_size[table]);
	memcpy(p + fp_names_key_size[table], val, fp_names_val_size[table]);
	memset(p + fp_names_key_size[table] + fp_names_val_size[table], 0,
	       size - fp_names_key_size[table] - fp_names_val_size[table]);
	s->arena_len += size;
	return off;
}

/* Copy the live records into a fresh arena when most bytes are dead. */
static void
maybe_compact(struct fp_entry_set *s)
{
	size_t i, len = 0, live;
	uint8_t *a;

	if (s->dead < COMPACT_MIN || s->dead < s->arena_len / 2)
		return;
	live = s->arena_len - s->dead;
	a = malloc(live ? live : ARENA_ALIGN);
	if (a == NULL)
		return; /* not an error: the old arena stays valid */
	for (i = 0; i < s->n; i++) {
		struct ix *e = ix_at(s, i);
		size_t size = rec_size(ix_table(e));

		memcpy(a + len, s->arena + e->off, size);
		e->off = len;
		len += size;
	}
	free(s->arena);
	s->arena = a;
	s->arena_len = len;
	s->arena_cap = live ? live : ARENA_ALIGN;
	s->dead = 0;
}

/* Sorting */

static void
insertion_sort(struct ix *a, size_t n, const uint8_t *arena)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct ix t = a[i];

		for (j = i; j > 0 && ix_cmp(&a[j - 1], arena + a[j - 1].off, &t, arena + t.off) > 0;
		     j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

static void
merge(const struct ix *l, size_t nl, const struct ix *r, size_t nr, struct ix *out,
      const uint8_t *arena)
{
	size_t i = 0, j = 0, k = 0;

	/* Runs already in order (a sorted or nearly sorted input) are copied. */
	if (nr == 0 || ix_cmp(&l[nl - 1], arena + l[nl - 1].off, &r[0], arena + r[0].off) <= 0) {
		memcpy(out, l, nl * sizeof(*l));
		memcpy(out + nl, r, nr * sizeof(*r));
		return;
	}
	while (i < nl && j < nr) {
		if (ix_cmp(&r[j], arena + r[j].off, &l[i], arena + l[i].off) < 0)
			out[k++] = r[j++];
		else
			out[k++] = l[i++];
	}
	memcpy(out + k, l + i, (nl - i) * sizeof(*l));
	k += nl - i;
	memcpy(out + k, r + j, (nr - j) * sizeof(*r));
}

/* Sort ix[0..n) (no gap inside): insertion-sorted runs, then bottom-up
 * merge passes between the index and a scratch array.
 */
static int
sort_ix(struct fp_entry_set *s)
{
	struct ix *src = s->ix, *dst, *tmp;
	size_t n = s->n, lo, w;

	for (lo = 0; lo < n; lo += SORT_RUN)
		insertion_sort(s->ix + lo, n - lo < SORT_RUN ? n - lo : SORT_RUN, s->arena);
	if (n <= SORT_RUN)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	dst = tmp;
	for (w = SORT_RUN; w < n; w *= 2) {
		struct ix *t;

		for (lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;

			merge(src + lo, mid - lo, src + mid, hi - mid, dst + lo, s->arena);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != s->ix)
		memcpy(s->ix, src, n * sizeof(*src));
	free(tmp);
	return 0;
}

/* Search */

/* The first logical position whose element is not below (table, key);
 * *found when it is equal.
 */
static size_t
lower_bound(const struct fp_entry_set *s, uint16_t table, const void *key, int *found)
{
	size_t lo = 0, hi = s->n;
	struct ix probe;

	ix_words(table, key, &probe);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ix *e = ix_at(s, mid);

		if (ix_cmp(e, ix_key(s, e), &probe, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->n && ix_cmp(ix_at(s, lo), ix_key(s, ix_at(s, lo)), &probe, key) == 0;
	return lo;
}

/* Logical position of a table's first entry (the index is in table order). */
static size_t
table_start(const struct fp_entry_set *s, uint16_t table)
{
	size_t start = 0;
	uint16_t t;

	for (t = 0; t < table; t++)
		start += s->n_table[t];
	return start;
}

/* API */

struct fp_entry_set *
fp_entry_set_create(void)
{
	struct fp_entry_set *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->sealed = 1; /* the empty set */
	return s;
}

void
fp_entry_set_free(struct fp_entry_set *s)
{
	if (s == NULL)
		return;
	free(s->ix);
	free(s->arena);
	free(s);
}

void
fp_entry_set_clear(struct fp_entry_set *s)
{
	s->n = 0;
	s->gap = 0;
	s->arena_len = 0;
	s->dead = 0;
	memset(s->n_table, 0, sizeof(s->n_table));
	s->sealed = 1;
}

int
fp_entry_set_add(struct fp_entry_set *s, uint16_t table, const void *key, const void *val)
{
	struct ix e;
	int rc;

	if (table >= FP_TABLE_MAX || key == NULL || val == NULL)
		return -EINVAL;
	rc = ix_reserve(s);
	if (rc != 0)
		return rc;
	rc = arena_reserve(s, rec_size(table));
	if (rc != 0)
		return rc;
	/* Appends go after the last element: close the gap there. */
	gap_move(s, s->n);
	ix_words(table, key, &e);
	e.off = rec_append(s, table, key, val);
	s->ix[s->n++] = e;
	s->gap = s->n;
	s->n_table[table]++;
	s->sealed = 0;
	return 0;
}

int
fp_entry_set_seal(struct fp_entry_set *s, uint16_t *dup_table)
{
	size_t i, out;
	int rc;

	if (s->sealed)
		return 0;
	gap_move(s, s->n);
	rc = sort_ix(s);
	if (rc != 0)
		return rc;
	/* First look for conflicts, so a refused set is left as it was. */
	for (i = 1; i < s->n; i++) {
		const struct ix *a = &s->ix[i - 1], *b = &s->ix[i];
		uint16_t t = ix_table(b);

		if (ix_cmp(a, ix_key(s, a), b, ix_key(s, b)) == 0 &&
		    memcmp(ix_val(s, a), ix_val(s, b), fp_names_val_size[t]) != 0) {
			if (dup_table != NULL)
				*dup_table = t;
			return -EEXIST;
		}
	}
	for (i = 1, out = 1; i < s->n; i++) {
		const struct ix *a = &s->ix[out - 1], *b = &s->ix[i];

		if (ix_cmp(a, ix_key(s, a), b, ix_key(s, b)) == 0) {
			s->n_table[ix_table(b)]--;
			s->dead += rec_size(ix_table(b));
			continue;
		}
		s->ix[out++] = *b;
	}
	if (s->n > 0)
		s->n = out;
	s->gap = s->n;
	s->sealed = 1;
	maybe_compact(s);
	return 0;
}

size_t
fp_entry_set_count(const struct fp_entry_set *s)
{
	return s->n;
}

size_t
fp_entry_set_count_table(const struct fp_entry_set *s, uint16_t table)
{
	return table < FP_TABLE_MAX ? s->n_table[table] : 0;
}

int
fp_entry_set_at(const struct fp_entry_set *s, size_t i, struct fp_entry *out)
{
	const struct ix *e;

	if (!s->sealed)
		return -EINVAL;
	if (i >= s->n)
		return -ERANGE;
	e = ix_at(s, i);
	out->table = ix_table(e);
	out->pad = 0;
	out->key = ix_key(s, e);
	out->val = ix_val(s, e);
	return 0;
}

const void *
fp_entry_set_find(const struct fp_entry_set *s, uint16_t table, const void *key)
{
	size_t pos;
	int found;

	if (!s->sealed || table >= FP_TABLE_MAX || key == NULL)
		return NULL;
	pos = lower_bound(s, table, key, &found);
	return found ? ix_val(s, ix_at(s, pos)) : NULL;
}

int
fp_entry_set_apply(struct fp_entry_set *s, uint16_t table, const void *key, const void *val)
{
	union fp_table_key kc;
	union fp_table_val vc;
	size_t pos;
	struct ix e;
	int found, rc;

	if (!s->sealed || table >= FP_TABLE_MAX || key == NULL)
		return -EINVAL;
	pos = lower_bound(s, table, key, &found);
	if (val == NULL) {
		if (!found)
			return -ENOENT;
		/* The element right above the gap joins it. */
		gap_move(s, pos);
		s->n--;
		s->n_table[table]--;
		s->dead += rec_size(table);
		maybe_compact(s);
		return 0;
	}
	if (found) {
		/* Values have a fixed size: replace in place. */
		memmove((void *)(uintptr_t)ix_val(s, ix_at(s, pos)), val, fp_names_val_size[table]);
		return 0;
	}
	/* key and val may point into this arena, which may move. */
	memcpy(&kc, key, fp_names_key_size[table]);
	memcpy(&vc, val, fp_names_val_size[table]);
	rc = ix_reserve(s);
	if (rc != 0)
		return rc;
	rc = arena_reserve(s, rec_size(table));
	if (rc != 0)
		return rc;
	ix_words(table, &kc, &e);
	e.off = rec_append(s, table, &kc, &vc);
	gap_move(s, pos);
	s->ix[s->gap++] = e;
	s->n++;
	s->n_table[table]++;
	return 0;
}

/* Changes of one table: sets (phase 0) or deletes (phase 1), in key order. */
static int
diff_table(const struct fp_entry_set *from, const struct fp_entry_set *to, uint16_t table, int del,
	   fp_entry_diff_fn *fn, void *arg, size_t *count)
{
	size_t i = table_start(from, table), fe = i + from->n_table[table];
	size_t j = table_start(to, table), te = j + to->n_table[table];
	uint16_t vs = fp_names_val_size[table];
	int rc;

	while (i < fe || j < te) {
		const struct ix *a = i < fe ? ix_at(from, i) : NULL;
		const struct ix *b = j < te ? ix_at(to, j) : NULL;
		int c;

		if (a == NULL)
			c = 1;
		else if (b == NULL)
			c = -1;
		else
			c = ix_cmp(a, ix_key(from, a), b, ix_key(to, b));
		if (c < 0) {
			/* Only in from: a delete. */
			i++;
			if (!del)
				continue;
			if (count != NULL)
				++*count;
			else if ((rc = fn(table, ix_key(from, a), NULL, arg)) != 0)
				return rc;
		} else if (c > 0) {
			/* Only in to: a set. */
			j++;
			if (del)
				continue;
			if (count != NULL)
				++*count;
			else if ((rc = fn(table, ix_key(to, b), ix_val(to, b), arg)) != 0)
				return rc;
		} else {
			i++;
			j++;
			if (del || memcmp(ix_val(from, a), ix_val(to, b), vs) == 0)
				continue;
			if (count != NULL)
				++*count;
			else if ((rc = fn(table, ix_key(to, b), ix_val(to, b), arg)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
diff_all(const struct fp_entry_set *from, const struct fp_entry_set *to, fp_entry_diff_fn *fn,
	 void *arg, size_t *count)
{
	int o, rc;

	if (!from->sealed || !to->sealed)
		return -EINVAL;
	for (o = 0; o < FP_TABLE_MAX; o++) {
		rc = diff_table(from, to, set_order[o], 0, fn, arg, count);
		if (rc != 0)
			return rc;
	}
	for (o = FP_TABLE_MAX - 1; o >= 0; o--) {
		rc = diff_table(from, to, set_order[o], 1, fn, arg, count);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
fp_entry_set_diff(const struct fp_entry_set *from, const struct fp_entry_set *to,
		  fp_entry_diff_fn *fn, void *arg)
{
	if (fn == NULL)
		return -EINVAL;
	return diff_all(from, to, fn, arg, NULL);
}

size_t
fp_entry_set_diff_count(const struct fp_entry_set *from, const struct fp_entry_set *to)
{
	size_t n = 0;

	if (diff_all(from, to, NULL, NULL, &n) != 0)
		return 0;
	return n;
}
