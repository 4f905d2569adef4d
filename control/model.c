/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state model's store: records, collections, put, delete,
 * clone, snapshots and lookups (model.h has the contract).
 *
 * Storage: one array per collection of pointers to records, sorted by id
 * (strcmp).  A record holds the parsed struct and the JSON object it came
 * from and is never changed once built; it is reference counted, so a
 * clone copies only the pointer arrays.  Lookups are binary searches, a
 * put or a delete moves the tail of one array, and a snapshot sorts each
 * collection once.
 *
 * Validation is model_parse.c's (one parser per collection, over the
 * typed getters of jget.c): a record is built only from a resource that
 * parsed whole, so nothing is stored when a parser refuses.
 */
#include "model.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <flowplane/tables.h>

#include "jget.h"
#include "model_parse.h"

#define NAMES_PLURAL(id, plural, singular) [FP_MODEL_##id] = plural,
#define NAMES_SINGULAR(id, plural, singular) [FP_MODEL_##id] = singular,
const char *const fp_model_coll_names[FP_MODEL_COLL_MAX] = { FP_FOREACH_MODEL_COLL(NAMES_PLURAL) };
const char *const fp_model_coll_singular[FP_MODEL_COLL_MAX] = { FP_FOREACH_MODEL_COLL(
	NAMES_SINGULAR) };
#undef NAMES_PLURAL
#undef NAMES_SINGULAR

#define NAME_ROW(id, name) name,
const char *const fp_model_net_type_names[FP_MODEL_NET_TYPE_MAX] = { FP_FOREACH_MODEL_NET_TYPE(
	NAME_ROW) };
const char *const fp_model_v6_mode_names[FP_MODEL_V6_MODE_MAX] = { FP_FOREACH_MODEL_V6_MODE(
	NAME_ROW) };
const char *const fp_model_owner_names[FP_MODEL_OWNER_MAX] = { FP_FOREACH_MODEL_OWNER(NAME_ROW) };
#undef NAME_ROW

/* Every resource struct starts with its id: a record's id is its data. */
_Static_assert(offsetof(struct fp_model_network, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_subnet, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_port, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_router, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_floatingip, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_secgroup, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_host, id) == 0, "id first");
_Static_assert(offsetof(struct fp_model_addrgroup, id) == 0, "id first");

/* One stored resource, shared by every model that holds it. */
struct rec {
	size_t refcount;		   /* models holding this record */
	json_t *json;			   /* the resource object as stored */
	_Alignas(16) unsigned char data[]; /* struct fp_model_<coll>, id first */
};

/* One collection: records sorted by id. */
struct coll {
	struct rec **recs; /* sorted by strcmp of their ids */
	size_t n;	   /* valid recs */
	size_t cap;	   /* allocated recs */
};

struct fp_model {
	struct coll colls[FP_MODEL_COLL_MAX]; /* by enum fp_model_coll */
};

/* Snapshot order: references point only to earlier collections. */
static const enum fp_model_coll snap_order[FP_MODEL_COLL_MAX] = {
	FP_MODEL_HOST,	 FP_MODEL_NETWORK, FP_MODEL_ADDRESS_GROUP, FP_MODEL_SECURITY_GROUP,
	FP_MODEL_SUBNET, FP_MODEL_PORT,	   FP_MODEL_ROUTER,	   FP_MODEL_FLOATINGIP,
};

/* ---------------------------------------------------------------------
 * Records and collections
 */

static const char *
rec_id(const struct rec *r)
{
	return (const char *)r->data;
}

static void
rec_put(struct rec *r)
{
	if (r != NULL && --r->refcount == 0) {
		json_decref(r->json);
		free(r);
	}
}

/* Index of the first record whose id is >= id; *found if equal. */
static size_t
coll_lower_bound(const struct coll *cl, const char *id, int *found)
{
	size_t lo = 0, hi = cl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(rec_id(cl->recs[mid]), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < cl->n && strcmp(rec_id(cl->recs[lo]), id) == 0;
	return lo;
}

static const struct rec *
rec_find(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct coll *cl;
	size_t i;
	int found;

	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX || id == NULL)
		return NULL;
	cl = &m->colls[coll];
	i = coll_lower_bound(cl, id, &found);
	return found ? cl->recs[i] : NULL;
}

static const void *
data_find(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct rec *r = rec_find(m, coll, id);

	return r ? r->data : NULL;
}

static const void *
data_at(const struct fp_model *m, enum fp_model_coll coll, size_t i)
{
	if (m == NULL || i >= m->colls[coll].n)
		return NULL;
	return m->colls[coll].recs[i]->data;
}

static int
coll_reserve(struct coll *cl, size_t n)
{
	struct rec **recs;
	size_t cap;

	if (n <= cl->cap)
		return 0;
	cap = cl->cap ? cl->cap : 16;
	while (cap < n)
		cap *= 2;
	recs = realloc(cl->recs, cap * sizeof(*recs));
	if (recs == NULL)
		return -ENOMEM;
	cl->recs = recs;
	cl->cap = cap;
	return 0;
}

/* Validate res against its schema and c->m, and build a record (refcount
 * 1).  url_id, when given, must match the body's id; a body without an id
 * is stored as a shallow copy that has it.
 */
static int
rec_build(struct fp_model_parse_ctx *c, enum fp_model_coll coll, const char *url_id, json_t *res,
	  struct rec **out)
{
	const struct fp_model_parse_coll *pc = &fp_model_parse_colls[coll];
	char id[FP_MODEL_ID_SIZE] = { 0 };
	int64_t rev = 0;
	struct rec *r;
	int rc;

	rc = fp_model_parse_head(c, url_id, res, id, &rev);
	if (rc < 0)
		return rc;
	r = calloc(1, sizeof(*r) + pc->size);
	if (r == NULL)
		return fp_jget_nomem(c->jg.err);
	c->id = id; /* for the parser; cleared before returning */
	rc = pc->parse(c, res, r->data);
	c->id = NULL;
	if (rc < 0)
		goto err_parse;
	memcpy(r->data, id, sizeof(id));
	memcpy(r->data + pc->rev_off, &rev, sizeof(rev));
	if (json_object_get(res, "id") != NULL) {
		r->json = json_incref(res);
	} else {
		r->json = json_copy(res);
		if (r->json == NULL || json_object_set_new(r->json, "id", json_string(id)) < 0) {
			rc = fp_jget_nomem(c->jg.err);
			goto err_json;
		}
	}
	r->refcount = 1;
	*out = r;
	return 0;

err_json:
	json_decref(r->json);
err_parse:
	free(r);
	return rc;
}

/* ---------------------------------------------------------------------
 * The model
 */

struct fp_model *
fp_model_create(void)
{
	struct fp_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		errno = ENOMEM;
	return m;
}

void
fp_model_free(struct fp_model *m)
{
	size_t i;
	int k;

	if (m == NULL)
		return;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		for (i = 0; i < m->colls[k].n; i++)
			rec_put(m->colls[k].recs[i]);
		free(m->colls[k].recs);
	}
	free(m);
}

struct fp_model *
fp_model_clone(const struct fp_model *m)
{
	struct fp_model *c;
	size_t i;
	int k;

	if (m == NULL) {
		errno = EINVAL;
		return NULL;
	}
	c = fp_model_create();
	if (c == NULL)
		return NULL;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		const struct coll *from = &m->colls[k];

		if (from->n == 0)
			continue;
		if (coll_reserve(&c->colls[k], from->n) < 0)
			goto err_alloc;
		memcpy(c->colls[k].recs, from->recs, from->n * sizeof(*from->recs));
		for (i = 0; i < from->n; i++)
			from->recs[i]->refcount++;
		c->colls[k].n = from->n;
	}
	return c;

err_alloc:
	fp_model_free(c);
	errno = ENOMEM;
	return NULL;
}

int
fp_model_coll_find(const char *plural)
{
	int k;

	for (k = 0; plural != NULL && k < FP_MODEL_COLL_MAX; k++)
		if (strcmp(plural, fp_model_coll_names[k]) == 0)
			return k;
	return -1;
}

int
fp_model_put(struct fp_model *m, enum fp_model_coll coll, const char *id, json_t *res,
	     struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct rec *r, *old;
	struct coll *cl;
	struct fp_model_parse_ctx c;
	size_t i;
	int rc, found;

	if (err == NULL)
		err = &scratch;
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX) {
		memset(err, 0, sizeof(*err));
		return fp_jget_err_set(err, m == NULL ? 400 : 404, "",
				       "no such model or collection");
	}
	fp_model_parse_ctx_init(&c, m, err, fp_model_coll_singular[coll]);
	rc = rec_build(&c, coll, id, res, &r);
	if (rc < 0)
		return rc;

	cl = &m->colls[coll];
	i = coll_lower_bound(cl, rec_id(r), &found);
	if (found) {
		old = cl->recs[i];
		if (*(const int64_t *)(old->data + fp_model_parse_colls[coll].rev_off) >
		    *(const int64_t *)(r->data + fp_model_parse_colls[coll].rev_off)) {
			rec_put(r);
			return 1;
		}
		cl->recs[i] = r;
		rec_put(old);
		return 0;
	}
	if (coll_reserve(cl, cl->n + 1) < 0) {
		rec_put(r);
		return fp_jget_nomem(err);
	}
	memmove(&cl->recs[i + 1], &cl->recs[i], (cl->n - i) * sizeof(*cl->recs));
	cl->recs[i] = r;
	cl->n++;
	return 0;
}

int
fp_model_delete(struct fp_model *m, enum fp_model_coll coll, const char *id,
		struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct coll *cl;
	struct rec *r;
	size_t i;
	int found;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX || id == NULL) {
		fp_jget_err_set(err, 404, "", "no such resource");
		return -ENOENT;
	}
	cl = &m->colls[coll];
	i = coll_lower_bound(cl, id, &found);
	if (!found) {
		char field[64];

		snprintf(field, sizeof(field), "%s.id", fp_model_coll_singular[coll]);
		fp_jget_err_set(err, 404, field, "no such %s: %.64s", fp_model_coll_singular[coll],
				id);
		return -ENOENT;
	}
	r = cl->recs[i];
	memmove(&cl->recs[i], &cl->recs[i + 1], (cl->n - i - 1) * sizeof(*cl->recs));
	cl->n--;
	rec_put(r);
	return 0;
}

/* A record and where it was in the snapshot's list. */
struct snap_ent {
	struct rec *rec; /* built from the list entry */
	size_t idx;	 /* its index in the list */
};

static int
snap_ent_cmp(const void *a, const void *b)
{
	const struct snap_ent *x = a, *y = b;
	int r = strcmp(rec_id(x->rec), rec_id(y->rec));

	if (r != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Validate one snapshot list into m (empty in that collection): build
 * every record, sort once, refuse duplicate ids.
 */
static int
snap_load(struct fp_model *m, enum fp_model_coll coll, json_t *list, struct fp_model_err *err)
{
	const char *plural = fp_model_coll_names[coll];
	size_t n = json_array_size(list), i;
	struct coll *cl = &m->colls[coll];
	struct snap_ent *ents;
	char root[40];
	struct fp_model_parse_ctx c;
	int rc;

	if (n == 0)
		return 0;
	ents = calloc(n, sizeof(*ents));
	if (ents == NULL)
		return fp_jget_nomem(err);
	if (coll_reserve(cl, n) < 0) {
		rc = fp_jget_nomem(err);
		goto err_reserve;
	}
	for (i = 0; i < n; i++) {
		snprintf(root, sizeof(root), "%s[%zu]", plural, i);
		fp_model_parse_ctx_init(&c, m, err, root);
		rc = rec_build(&c, coll, NULL, json_array_get(list, i), &ents[i].rec);
		if (rc < 0)
			goto err_recs;
		ents[i].idx = i;
	}
	qsort(ents, n, sizeof(*ents), snap_ent_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(rec_id(ents[i - 1].rec), rec_id(ents[i].rec)) == 0) {
			char field[64];

			snprintf(field, sizeof(field), "%s[%zu].id", plural, ents[i].idx);
			rc = fp_jget_err_set(err, 409, field, "duplicate id \"%s\" (also %s[%zu])",
					     rec_id(ents[i].rec), plural, ents[i - 1].idx);
			goto err_recs;
		}
	}
	for (i = 0; i < n; i++)
		cl->recs[i] = ents[i].rec;
	cl->n = n;
	free(ents);
	return 0;

err_recs:
	/* Entries not built yet are NULL (calloc). */
	for (i = 0; i < n; i++)
		rec_put(ents[i].rec);
err_reserve:
	free(ents);
	return rc;
}

struct fp_model *
fp_model_from_snapshot(json_t *snap, struct fp_model_err *err)
{
	struct fp_model_err scratch;
	struct fp_model *m;
	const char *key;
	json_t *v = NULL;
	int k, rc;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (snap == NULL || !json_is_object(snap)) {
		fp_jget_err_set(err, 400, "", "the snapshot must be an object, got %s",
				snap ? fp_jget_type_name(snap) : "nothing");
		errno = EINVAL;
		return NULL;
	}
	json_object_foreach(snap, key, v)
	{
		if (fp_model_coll_find(key) < 0) {
			fp_jget_err_set(err, 400, key,
					"unknown key; expected hosts, networks, address_groups, "
					"security_groups, subnets, ports, routers or floatingips");
			errno = EINVAL;
			return NULL;
		}
		if (!json_is_array(v)) {
			fp_jget_err_set(err, 400, key, "expected an array, got %s",
					fp_jget_type_name(v));
			errno = EINVAL;
			return NULL;
		}
	}
	m = fp_model_create();
	if (m == NULL) {
		fp_jget_nomem(err);
		return NULL;
	}
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		enum fp_model_coll coll = snap_order[k];

		rc = snap_load(m, coll, json_object_get(snap, fp_model_coll_names[coll]), err);
		if (rc < 0)
			goto err_load;
	}
	return m;

err_load:
	fp_model_free(m);
	errno = -rc;
	return NULL;
}

json_t *
fp_model_to_snapshot(const struct fp_model *m)
{
	json_t *snap, *list;
	size_t i;
	int k;

	if (m == NULL)
		return NULL;
	snap = json_object();
	if (snap == NULL)
		return NULL;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		enum fp_model_coll coll = snap_order[k];
		const struct coll *cl = &m->colls[coll];

		list = json_array();
		if (json_object_set_new(snap, fp_model_coll_names[coll], list) < 0)
			goto err_alloc;
		for (i = 0; i < cl->n; i++)
			if (json_array_append(list, cl->recs[i]->json) < 0)
				goto err_alloc;
	}
	return snap;

err_alloc:
	json_decref(snap);
	return NULL;
}

json_t *
fp_model_json(const struct fp_model *m, enum fp_model_coll coll, const char *id)
{
	const struct rec *r = rec_find(m, coll, id);

	return r ? r->json : NULL;
}

size_t
fp_model_count(const struct fp_model *m, enum fp_model_coll coll)
{
	if (m == NULL || (unsigned int)coll >= FP_MODEL_COLL_MAX)
		return 0;
	return m->colls[coll].n;
}

/* The typed accessors of model.h: fp_model_<type>_at() and
 * fp_model_<type>_find() for each collection.
 */
#define ACCESSORS(type, coll)                                                                  \
	const struct fp_model_##type *fp_model_##type##_at(const struct fp_model *m, size_t i) \
	{                                                                                      \
		return data_at(m, FP_MODEL_##coll, i);                                         \
	}                                                                                      \
	const struct fp_model_##type *fp_model_##type##_find(const struct fp_model *m,         \
							     const char *id)                   \
	{                                                                                      \
		return data_find(m, FP_MODEL_##coll, id);                                      \
	}

ACCESSORS(network, NETWORK)
ACCESSORS(subnet, SUBNET)
ACCESSORS(port, PORT)
ACCESSORS(router, ROUTER)
ACCESSORS(floatingip, FLOATINGIP)
ACCESSORS(secgroup, SECURITY_GROUP)
ACCESSORS(host, HOST)
ACCESSORS(addrgroup, ADDRESS_GROUP)

#undef ACCESSORS
