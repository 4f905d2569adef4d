/* SPDX-License-Identifier: BSD-3-Clause */
#include "vtep_ids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/tables.h>

#define NONE UINT32_MAX /* no id */

#define VTEP_IDS_BUCKETS_MIN 64 /* initial hash buckets */

/* One bound (host, encap) -> id. */
struct vtep_binding {
	struct vtep_binding *next; /* next in the bucket's chain */
	uint32_t hash;		   /* hash of (host, encap) */
	uint32_t id;		   /* the vtep id */
	uint16_t encap;		   /* FP_ENCAP_* */
	char host[];		   /* the host name, NUL-terminated */
};

struct fp_vtep_ids {
	struct vtep_binding **buckets; /* chains, indexed by hash & (n_buckets - 1) */
	uint32_t n_buckets;	       /* a power of two */
	uint32_t limit;		       /* ids are 0..limit-1 */
	size_t n_bound;		       /* bindings */
	uint64_t *used;		       /* bit per id: bound */
	uint32_t hint;		       /* no id below it is free */
};

static uint32_t
vtep_hash(const char *host, uint16_t encap)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *host != '\0'; host++)
		h = (h ^ (uint8_t)*host) * 16777619u;
	h = (h ^ (encap & 0xff)) * 16777619u;
	h = (h ^ (encap >> 8)) * 16777619u;
	return h;
}

static struct vtep_binding *
vtep_lookup(const struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t hash)
{
	struct vtep_binding *b;

	for (b = ids->buckets[hash & (ids->n_buckets - 1)]; b != NULL; b = b->next) {
		if (b->hash == hash && b->encap == encap && strcmp(b->host, host) == 0)
			return b;
	}
	return NULL;
}

static int
id_used(const struct fp_vtep_ids *ids, uint32_t id)
{
	return (ids->used[id / 64] >> (id % 64)) & 1;
}

/* The lowest free id, or NONE. */
static uint32_t
id_lowest_free(const struct fp_vtep_ids *ids)
{
	uint32_t w = ids->hint / 64, n_words = (ids->limit + 63) / 64;
	uint64_t free_bits;

	if (ids->hint >= ids->limit)
		return NONE;
	free_bits = ~ids->used[w] & (~0ULL << (ids->hint % 64));
	for (;;) {
		if (free_bits != 0) {
			uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(free_bits);

			return id < ids->limit ? id : NONE;
		}
		if (++w >= n_words)
			return NONE;
		free_bits = ~ids->used[w];
	}
}

/* Double the buckets when the chains get long; 0 or -ENOMEM. */
static int
vtep_grow(struct fp_vtep_ids *ids)
{
	uint32_t n = ids->n_buckets * 2, i;
	struct vtep_binding **nb;

	if (ids->n_bound < ids->n_buckets)
		return 0;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return -ENOMEM;
	for (i = 0; i < ids->n_buckets; i++) {
		struct vtep_binding *b = ids->buckets[i], *next;

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
vtep_add(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t hash, uint32_t id)
{
	size_t len = strlen(host);
	struct vtep_binding *b;
	int rc;

	rc = vtep_grow(ids);
	if (rc)
		return rc;
	b = malloc(sizeof(*b) + len + 1);
	if (b == NULL)
		return -ENOMEM;
	b->hash = hash;
	b->id = id;
	b->encap = encap;
	memcpy(b->host, host, len + 1);
	b->next = ids->buckets[hash & (ids->n_buckets - 1)];
	ids->buckets[hash & (ids->n_buckets - 1)] = b;
	ids->used[id / 64] |= 1ULL << (id % 64);
	ids->n_bound++;
	return 0;
}

struct fp_vtep_ids *
fp_vtep_ids_create(uint32_t limit)
{
	struct fp_vtep_ids *ids;

	if (limit == 0) {
		errno = EINVAL;
		return NULL;
	}
	ids = calloc(1, sizeof(*ids));
	if (ids == NULL)
		goto err_ids;
	ids->n_buckets = VTEP_IDS_BUCKETS_MIN;
	ids->buckets = calloc(ids->n_buckets, sizeof(*ids->buckets));
	if (ids->buckets == NULL)
		goto err_buckets;
	ids->used = calloc(((size_t)limit + 63) / 64, sizeof(*ids->used));
	if (ids->used == NULL)
		goto err_used;
	ids->limit = limit;
	return ids;

err_used:
	free(ids->buckets);
err_buckets:
	free(ids);
err_ids:
	errno = ENOMEM;
	return NULL;
}

void
fp_vtep_ids_free(struct fp_vtep_ids *ids)
{
	uint32_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < ids->n_buckets; i++) {
		struct vtep_binding *b = ids->buckets[i], *next;

		for (; b != NULL; b = next) {
			next = b->next;
			free(b);
		}
	}
	free(ids->buckets);
	free(ids->used);
	free(ids);
}

int
fp_vtep_ids_get(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t *id)
{
	const struct vtep_binding *b;
	uint32_t hash, free_id;
	int rc;

	if (ids == NULL || host == NULL || id == NULL || encap >= FP_ENCAP_MAX)
		return -EINVAL;
	hash = vtep_hash(host, encap);
	b = vtep_lookup(ids, host, encap, hash);
	if (b != NULL) {
		*id = b->id;
		return 0;
	}
	free_id = id_lowest_free(ids);
	if (free_id == NONE)
		return -ENOSPC;
	rc = vtep_add(ids, host, encap, hash, free_id);
	if (rc)
		return rc;
	/* free_id was the lowest free one. */
	ids->hint = free_id + 1;
	*id = free_id;
	return 0;
}

int
fp_vtep_ids_bind(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t id)
{
	const struct vtep_binding *b;
	uint32_t hash;

	if (ids == NULL || host == NULL || encap >= FP_ENCAP_MAX)
		return -EINVAL;
	if (id >= ids->limit)
		return -ERANGE;
	hash = vtep_hash(host, encap);
	b = vtep_lookup(ids, host, encap, hash);
	if (b != NULL)
		return b->id == id ? 0 : -EEXIST;
	if (id_used(ids, id))
		return -EEXIST;
	return vtep_add(ids, host, encap, hash, id);
}

static int
vtep_in(const struct fp_entry_set *s, uint32_t id)
{
	struct fp_vtep_key k;

	if (s == NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	k.vtep_id = id;
	return fp_entry_set_find(s, FP_TABLE_VTEP, &k) != NULL;
}

void
fp_vtep_ids_gc(struct fp_vtep_ids *ids, const struct fp_entry_set *installed,
	       const struct fp_entry_set *desired)
{
	uint32_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < ids->n_buckets; i++) {
		struct vtep_binding **pb = &ids->buckets[i], *b;

		while ((b = *pb) != NULL) {
			if (vtep_in(installed, b->id) || vtep_in(desired, b->id)) {
				pb = &b->next;
				continue;
			}
			*pb = b->next;
			ids->used[b->id / 64] &= ~(1ULL << (b->id % 64));
			if (b->id < ids->hint)
				ids->hint = b->id;
			ids->n_bound--;
			free(b);
		}
	}
}

size_t
fp_vtep_ids_count(const struct fp_vtep_ids *ids)
{
	return ids != NULL ? ids->n_bound : 0;
}
