/* SPDX-License-Identifier: BSD-3-Clause */
/* The vtep ids are a user of the stable id allocator (ids.h): the key of
 * (host, encap) is "<encap>/<host>".
 */
#include "vtep_ids.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/tables.h>

#include "ids.h"

#define VTEP_KEY_SIZE 160 /* "<encap>/<host>" */

struct fp_vtep_ids {
	struct fp_ids *ids; /* "<encap>/<host>" -> vtep id */
};

/* The allocator's key of (host, encap); 0 or -EINVAL (too long). */
static int
vtep_key(char key[VTEP_KEY_SIZE], const char *host, uint16_t encap)
{
	int n = snprintf(key, VTEP_KEY_SIZE, "%u/%s", encap, host);

	return n < 0 || n >= VTEP_KEY_SIZE ? -EINVAL : 0;
}

struct fp_vtep_ids *
fp_vtep_ids_create(uint32_t limit)
{
	struct fp_vtep_ids *v;

	if (limit == 0) {
		errno = EINVAL;
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	v->ids = fp_ids_create(0, limit);
	if (v->ids == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

void
fp_vtep_ids_free(struct fp_vtep_ids *ids)
{
	if (ids == NULL)
		return;
	fp_ids_free(ids->ids);
	free(ids);
}

int
fp_vtep_ids_get(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t *id)
{
	char key[VTEP_KEY_SIZE];

	if (ids == NULL || host == NULL || id == NULL || encap >= FP_ENCAP_MAX ||
	    vtep_key(key, host, encap) < 0)
		return -EINVAL;
	return fp_ids_get(ids->ids, key, id);
}

int
fp_vtep_ids_bind(struct fp_vtep_ids *ids, const char *host, uint16_t encap, uint32_t id)
{
	char key[VTEP_KEY_SIZE];

	if (ids == NULL || host == NULL || encap >= FP_ENCAP_MAX || vtep_key(key, host, encap) < 0)
		return -EINVAL;
	return fp_ids_bind(ids->ids, key, id);
}

/* The sets a vtep id may be used by. */
struct vtep_sets {
	const struct fp_entry_set *installed; /* or NULL */
	const struct fp_entry_set *desired;   /* or NULL */
};

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

static int
vtep_used(uint32_t id, void *arg)
{
	const struct vtep_sets *s = arg;

	return vtep_in(s->installed, id) || vtep_in(s->desired, id);
}

void
fp_vtep_ids_gc(struct fp_vtep_ids *ids, const struct fp_entry_set *installed,
	       const struct fp_entry_set *desired)
{
	struct vtep_sets s = { installed, desired };

	if (ids != NULL)
		fp_ids_gc(ids->ids, vtep_used, &s);
}

size_t
fp_vtep_ids_count(const struct fp_vtep_ids *ids)
{
	return ids != NULL ? fp_ids_count(ids->ids) : 0;
}
