/* SPDX-License-Identifier: BSD-3-Clause */
/* Keeping a dataplane in step with the compiled entries (sync.h).
 *
 * fp_sync_apply() first copies the difference into a change list (the
 * installed set changes under the walk, so its keys cannot be borrowed;
 * the values of sets stay in desired, which does not change), then sends
 * it in transactions of up to batch changes and applies each committed
 * transaction to installed.
 */
#include "sync.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <flowplane/tables.h>

#include "clock.h"
#include "names.h"
#include "log.h"

#define SYNC_KEY_MAX 24	     /* largest ABI key (neigh) */
#define SYNC_CHANGES_MIN 256 /* first allocation of the change list */
#define SYNC_ERR_SIZE 128    /* message buffer when the caller has none */
#define SYNC_VAL_LOG_MAX 768 /* values up to this size are logged (debug) */

#define KEY_FITS(id, name, stem) \
	_Static_assert(sizeof(struct fp_##stem##_key) <= SYNC_KEY_MAX, "the " name " key fits");
FP_FOREACH_TABLE(KEY_FITS)
#undef KEY_FITS

/* One change of the difference. */
struct change {
	uint16_t table;		   /* FP_TABLE_* */
	uint16_t pad;		   /* zero */
	uint32_t pad2;		   /* zero */
	const void *val;	   /* the value in desired; NULL: a delete */
	uint8_t key[SYNC_KEY_MAX]; /* the key, copied */
};

struct changes {
	struct change *v; /* the difference, in order */
	size_t n;	  /* valid v */
	size_t cap;	  /* allocated v */
};

/* Dump */

static int
dump_one(uint16_t table, const void *key, const void *val, void *arg)
{
	struct fp_entry_set *installed = arg;
	uint16_t role;

	/* Ports of other roles than vm are the dataplane config's own:
	 * fp-control neither sets nor deletes them.
	 */
	if (table == FP_TABLE_PORT) {
		memcpy(&role, (const uint8_t *)val + offsetof(struct fp_port_val, role),
		       sizeof(role));
		if (role != FP_PORT_ROLE_VM)
			return 0;
	}
	return fp_entry_set_add(installed, table, key, val);
}

int
fp_sync_dump(const struct fp_backend_ops *ops, void *handle, struct fp_entry_set *installed)
{
	uint16_t table;
	int rc;

	fp_entry_set_clear(installed);
	for (table = 0; table < FP_TABLE_MAX; table++) {
		rc = ops->dump(handle, table, dump_one, installed);
		if (rc != 0)
			goto err;
	}
	rc = fp_entry_set_seal(installed, NULL);
	if (rc != 0)
		goto err;
	return 0;

err:
	fp_entry_set_clear(installed);
	return rc;
}

/* Apply */

static int
collect(uint16_t table, const void *key, const void *val, void *arg)
{
	struct changes *ch = arg;
	struct change *c;

	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? ch->cap * 2 : SYNC_CHANGES_MIN;
		struct change *v = realloc(ch->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		ch->v = v;
		ch->cap = cap;
	}
	c = &ch->v[ch->n++];
	memset(c, 0, sizeof(*c));
	c->table = table;
	c->val = val;
	memcpy(c->key, key, fp_names_key_size[table]);
	return 0;
}

/* Bytes as hex into buf (size >= 2 * n + 1). */
static void
hex_write(char *buf, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[b[i] >> 4];
		buf[2 * i + 1] = digits[b[i] & 15];
	}
	buf[2 * n] = '\0';
}

/* A committed transaction: one info line with the count of sets and
 * deletes per table, then (debug) one line per entry, key and value in
 * hex as the ABI structs of include/flowplane/tables.h lay them out.
 */
static void
txn_log(const struct change *v, size_t n, uint32_t n_txn)
{
	uint64_t n_set[FP_TABLE_MAX] = { 0 }, n_del[FP_TABLE_MAX] = { 0 };
	char line[512], key[2 * SYNC_KEY_MAX + 1], val[2 * SYNC_VAL_LOG_MAX + 1];
	size_t i, len = 0;
	unsigned int t;

	for (i = 0; i < n; i++) {
		if (v[i].val != NULL)
			n_set[v[i].table]++;
		else
			n_del[v[i].table]++;
	}
	line[0] = '\0';
	for (t = 0; t < FP_TABLE_MAX; t++) {
		if (n_set[t] == 0 && n_del[t] == 0)
			continue;
		snprintf(line + len, sizeof(line) - len, "%s%s %" PRIu64 " set %" PRIu64 " del",
			 len ? ", " : "", fp_names_table[t], n_set[t], n_del[t]);
		len += strlen(line + len);
	}
	fp_log(FP_LOG_INFO, "sync: transaction %u committed, %zu changes: %s", n_txn, n, line);
	if (fp_log_level_get() < FP_LOG_DEBUG)
		return;
	for (i = 0; i < n; i++) {
		hex_write(key, v[i].key, fp_names_key_size[v[i].table]);
		if (v[i].val != NULL && fp_names_val_size[v[i].table] <= SYNC_VAL_LOG_MAX)
			hex_write(val, v[i].val, fp_names_val_size[v[i].table]);
		else
			val[0] = '\0';
		fp_log(FP_LOG_DEBUG, "sync: transaction %u: %s %s key %s%s%s", n_txn,
		       v[i].val != NULL ? "set" : "del", fp_names_table[v[i].table], key,
		       v[i].val != NULL ? " value " : "", val);
	}
}

/* Send changes [first, first + n) as one transaction and, once it is
 * committed, apply them to installed.
 */
static int
send_txn(const struct fp_backend_ops *ops, void *handle, struct fp_entry_set *installed,
	 const struct change *v, size_t n, struct fp_sync_result *res, char *err, size_t errsz)
{
	uint32_t failed = UINT32_MAX;
	size_t i;
	int rc;

	rc = ops->begin(handle);
	if (rc != 0) {
		snprintf(err, errsz, "begin: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < n; i++) {
		const struct change *c = &v[i];

		if (c->val != NULL)
			rc = ops->set(handle, c->table, c->key, c->val);
		else
			rc = ops->del(handle, c->table, c->key);
		if (rc != 0) {
			res->failed_table = c->table;
			snprintf(err, errsz, "%s: %s", c->val != NULL ? "set" : "del",
				 strerror(-rc));
			ops->abort(handle);
			return rc;
		}
	}
	err[0] = '\0';
	rc = ops->commit(handle, &failed, err, errsz);
	if (rc != 0) {
		res->failed_table = failed < n ? v[failed].table : FP_TABLE_MAX;
		if (err[0] == '\0')
			snprintf(err, errsz, "commit: %s", strerror(-rc));
		return rc;
	}
	res->n_txn++;
	txn_log(v, n, res->n_txn);
	for (i = 0; i < n; i++) {
		const struct change *c = &v[i];

		rc = fp_entry_set_apply(installed, c->table, c->key, c->val);
		if (rc != 0) {
			/* installed no longer mirrors the dataplane. */
			snprintf(err, errsz, "installed entries out of step (%s): dump again",
				 strerror(-rc));
			return rc;
		}
		if (c->val != NULL)
			res->n_set++;
		else
			res->n_del++;
	}
	err[0] = '\0';
	return 0;
}

int
fp_sync_apply(const struct fp_backend_ops *ops, void *handle, struct fp_entry_set *installed,
	      const struct fp_entry_set *desired, uint32_t batch, struct fp_sync_result *res,
	      char *err, size_t errsz)
{
	struct fp_sync_result local;
	struct changes ch = { 0 };
	uint64_t t0 = fp_clock_now_ns();
	char dummy[SYNC_ERR_SIZE];
	size_t first;
	int rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->failed_table = FP_TABLE_MAX;
	if (err == NULL || errsz == 0) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	if (batch == 0)
		batch = FP_SYNC_BATCH_DEFAULT;

	rc = fp_entry_set_diff(installed, desired, collect, &ch);
	if (rc != 0) {
		snprintf(err, errsz, "diff: %s", strerror(-rc));
		goto out;
	}
	/* Every transaction keeps the order of the difference: sets of
	 * referenced tables are committed before the sets that point at
	 * them, deletes of referencing entries before what they point at.
	 */
	for (first = 0; first < ch.n; first += batch) {
		size_t n = ch.n - first < batch ? ch.n - first : batch;

		rc = send_txn(ops, handle, installed, ch.v + first, n, res, err, errsz);
		if (rc != 0)
			goto out;
	}
out:
	free(ch.v);
	res->ns = fp_clock_now_ns() - t0;
	return rc;
}
