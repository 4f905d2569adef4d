/* SPDX-License-Identifier: BSD-3-Clause */
#include "ids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX	   /* no id */
#define IDS_BUCKETS_MIN 64 /* initial hash buckets */

/* One bound key -> id. */
struct binding {
	struct binding *next; /* next in the bucket's chain */
	uint32_t hash;	      /* hash of key */
	uint32_t id;	      /* the id */
	char key[];	      /* NUL-terminated */
};

struct fp_ids {
	struct binding **buckets; /* chains, indexed by hash & (n_buckets - 1) */
	struct binding **by_id;	  /* binding per id - first, or NULL */
	uint64_t *used;		  /* bit per id - first: bound */
	uint32_t n_buckets;	  /* a power of two */
	uint32_t first;		  /* lowest id */
	uint32_t limit;		  /* ids are first..limit-1 */
	uint32_t hint;		  /* no id below it is free */
	size_t n_bound;		  /* bindings */
};

uint32_t
fp_ids_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct binding *
lookup(const struct fp_ids *ids, const char *key, uint32_t hash)
{
	struct binding *b;

	for (b = ids->buckets[hash & (ids->n_buckets - 1)]; b != NULL; b = b->next)
		if (b->hash == hash && strcmp(b->key, key) == 0)
			return b;
	return NULL;
}

/* The lowest free id, or NONE. */
static uint32_t
lowest_free(const struct fp_ids *ids)
{
	uint32_t n = ids->limit - ids->first, h = ids->hint - ids->first;
	uint32_t w = h / 64, n_words = (n + 63) / 64;
	uint64_t free_bits;

	if (h >= n)
		return NONE;
	free_bits = ~ids->used[w] & (~0ULL << (h % 64));
	for (;;) {
		if (free_bits != 0) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(free_bits);

			return i < n ? ids->first + i : NONE;
		}
		if (++w >= n_words)
			return NONE;
		free_bits = ~ids->used[w];
	}
}

/* Double the buckets when the chains get long; 0 or -ENOMEM. */
static int
grow(struct fp_ids *ids)
{
	uint32_t n = ids->n_buckets * 2, i;
	struct binding **nb;

	if (ids->n_bound < ids->n_buckets)
		return 0;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return -ENOMEM;
	for (i = 0; i < ids->n_buckets; i++) {
		struct binding *b = ids->buckets[i], *next;

		for (; b != NULL; b = next) {
			next = b->next;
			b->next = nb[b->hash & (n - 1)];
			nb[b->hash & (n - 1)] = b;
		}
	}
	free(ids->buckets);
	ids->buckets = nb;
	ids->n_buckets = n;
	return 0;
}

static int
add(struct fp_ids *ids, const char *key, uint32_t hash, uint32_t id)
{
	size_t len = strlen(key);
	uint32_t i = id - ids->first;
	struct binding *b;
	int rc;

	rc = grow(ids);
	if (rc)
		return rc;
	b = malloc(sizeof(*b) + len + 1);
	if (b == NULL)
		return -ENOMEM;
	b->hash = hash;
	b->id = id;
	memcpy(b->key, key, len + 1);
	b->next = ids->buckets[hash & (ids->n_buckets - 1)];
	ids->buckets[hash & (ids->n_buckets - 1)] = b;
	ids->by_id[i] = b;
	ids->used[i / 64] |= 1ULL << (i % 64);
	ids->n_bound++;
	return 0;
}

struct fp_ids *
fp_ids_create(uint32_t first, uint32_t limit)
{
	struct fp_ids *ids;
	size_t n = (size_t)limit - first;

	if (first >= limit) {
		errno = EINVAL;
		return NULL;
	}
	ids = calloc(1, sizeof(*ids));
	if (ids == NULL)
		goto err_ids;
	ids->n_buckets = IDS_BUCKETS_MIN;
	ids->buckets = calloc(ids->n_buckets, sizeof(*ids->buckets));
	if (ids->buckets == NULL)
		goto err_buckets;
	ids->by_id = calloc(n, sizeof(*ids->by_id));
	if (ids->by_id == NULL)
		goto err_by_id;
	ids->used = calloc((n + 63) / 64, sizeof(*ids->used));
	if (ids->used == NULL)
		goto err_used;
	ids->first = first;
	ids->limit = limit;
	ids->hint = first;
	return ids;

err_used:
	free(ids->by_id);
err_by_id:
	free(ids->buckets);
err_buckets:
	free(ids);
err_ids:
	errno = ENOMEM;
	return NULL;
}

void
fp_ids_free(struct fp_ids *ids)
{
	uint32_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < ids->n_buckets; i++) {
		struct binding *b = ids->buckets[i], *next;

		for (; b != NULL; b = next) {
			next = b->next;
			free(b);
		}
	}
	free(ids->buckets);
	free(ids->by_id);
	free(ids->used);
	free(ids);
}

int
fp_ids_get(struct fp_ids *ids, const char *key, uint32_t *id)
{
	const struct binding *b;
	uint32_t hash, free_id;
	int rc;

	if (ids == NULL || key == NULL || id == NULL)
		return -EINVAL;
	hash = fp_ids_hash(key);
	b = lookup(ids, key, hash);
	if (b != NULL) {
		*id = b->id;
		return 0;
	}
	free_id = lowest_free(ids);
	if (free_id == NONE)
		return -ENOSPC;
	rc = add(ids, key, hash, free_id);
	if (rc)
		return rc;
	/* free_id was the lowest free one. */
	ids->hint = free_id + 1;
	*id = free_id;
	return 0;
}

int
fp_ids_find(const struct fp_ids *ids, const char *key, uint32_t *id)
{
	const struct binding *b;

	if (ids == NULL || key == NULL || id == NULL)
		return -EINVAL;
	b = lookup(ids, key, fp_ids_hash(key));
	if (b == NULL)
		return -ENOENT;
	*id = b->id;
	return 0;
}

int
fp_ids_bind(struct fp_ids *ids, const char *key, uint32_t id)
{
	const struct binding *b;
	uint32_t hash;

	if (ids == NULL || key == NULL)
		return -EINVAL;
	if (id < ids->first || id >= ids->limit)
		return -ERANGE;
	hash = fp_ids_hash(key);
	b = lookup(ids, key, hash);
	if (b != NULL)
		return b->id == id ? 0 : -EEXIST;
	if (ids->by_id[id - ids->first] != NULL)
		return -EEXIST;
	return add(ids, key, hash, id);
}

const char *
fp_ids_key(const struct fp_ids *ids, uint32_t id)
{
	if (ids == NULL || id < ids->first || id >= ids->limit)
		return NULL;
	return ids->by_id[id - ids->first] ? ids->by_id[id - ids->first]->key : NULL;
}

void
fp_ids_gc(struct fp_ids *ids, fp_ids_used_fn *used, void *arg)
{
	uint32_t i;

	if (ids == NULL || used == NULL)
		return;
	for (i = 0; i < ids->n_buckets; i++) {
		struct binding **pb = &ids->buckets[i], *b;

		while ((b = *pb) != NULL) {
			uint32_t k = b->id - ids->first;

			if (used(b->id, arg)) {
				pb = &b->next;
				continue;
			}
			*pb = b->next;
			ids->by_id[k] = NULL;
			ids->used[k / 64] &= ~(1ULL << (k % 64));
			if (b->id < ids->hint)
				ids->hint = b->id;
			ids->n_bound--;
			free(b);
		}
	}
}

size_t
fp_ids_count(const struct fp_ids *ids)
{
	return ids != NULL ? ids->n_bound : 0;
}
