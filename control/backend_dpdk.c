/* SPDX-License-Identifier: BSD-3-Clause */
/* fp_backend_dpdk: fp-dpdk's tables over its control socket.
 *
 * A thin adapter over the blocking client (ctl_client.h): one connection
 * per handle, one transaction at a time.  open() says HELLO and refuses a
 * dataplane of another ABI version; every call waits at most
 * DPDK_TIMEOUT_MS for the server, ping() at most DPDK_PING_TIMEOUT_MS.
 *
 * Errors are the client's: -ECONNRESET (fp-dpdk closed the connection),
 * -EPIPE (it was gone when we wrote), -ETIMEDOUT or -EPROTO (the stream
 * is out of step), then -ENOTCONN from every later call; close the handle
 * and open it again.
 *
 * The server reports a full table (-ENOSPC) without the index of a change,
 * naming the table in its message; commit() then reports the first set of
 * that table in the transaction, so the caller still learns the table.
 */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

#include "ctl_client.h"
#include "names.h"

#define DPDK_TIMEOUT_MS 30000	  /* any call: the server is gone after this */
#define DPDK_PING_TIMEOUT_MS 1000 /* ping: a live server answers faster */
#define DPDK_STAGED_MIN 1024	  /* first allocation of the staged tables */

/* One connection to fp-dpdk. */
struct dpdk {
	struct fp_ctl_client *c; /* the control socket */
	uint8_t *staged;	 /* table (and set/del) of each staged change */
	uint32_t n_staged;	 /* valid staged */
	uint32_t cap_staged;	 /* allocated staged */
	int in_txn;		 /* begin() succeeded, no commit/abort since */
};

#define STAGED_DEL 0x80 /* staged[] flag: a delete */

static int
dpdk_open(const char *target, void **handle)
{
	struct fp_ctl_hello hello;
	struct dpdk *d;
	int rc;

	if (target == NULL || handle == NULL)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->c = fp_ctl_client_open(target);
	if (d->c == NULL) {
		rc = -errno;
		goto err_free;
	}
	rc = fp_ctl_client_timeout_set(d->c, DPDK_TIMEOUT_MS);
	if (rc != 0)
		goto err_close;
	rc = fp_ctl_client_hello(d->c, &hello);
	if (rc != 0)
		goto err_close;
	if (hello.abi_version != FP_ABI_VERSION) {
		rc = -EPROTONOSUPPORT;
		goto err_close;
	}
	*handle = d;
	return 0;

err_close:
	fp_ctl_client_close(d->c);
err_free:
	free(d);
	return rc;
}

static int
dpdk_info(void *handle, struct fp_backend_info *out)
{
	struct dpdk *d = handle;
	struct fp_ctl_client_stats *st;
	struct fp_ctl_hello hello;
	uint32_t i, n;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = fp_ctl_client_hello(d->c, &hello);
	if (rc != 0)
		return rc;
	snprintf(out->host, sizeof(out->host), "%s", hello.host);
	out->abi_version = hello.abi_version;
	memcpy(out->table_limit, hello.table_limit, sizeof(out->table_limit));
	memcpy(out->table_count, hello.table_count, sizeof(out->table_count));
	out->generation = hello.generation;
	/* fp-dpdk filters by security groups when it stores their tables. */
	out->routes_carried = out->table_limit[FP_TABLE_ROUTE] > 0;
	out->nat_carried = out->routes_carried && out->table_limit[FP_TABLE_NAT] > 0;
	out->segments_carried = out->table_limit[FP_TABLE_SEGMENT] > 0;
	out->sg_enforced = out->table_limit[FP_TABLE_RULESET] > 0 &&
			   out->table_limit[FP_TABLE_ADDRSET] > 0;

	st = fp_ctl_client_stats(d->c);
	if (st == NULL)
		return -errno;
	n = st->n_ports < FP_BACKEND_PORT_MAX ? st->n_ports : FP_BACKEND_PORT_MAX;
	for (i = 0; i < n; i++) {
		const struct fp_ctl_port_stats *ps = &st->ports[i];
		struct fp_engine_port *p = &out->ports[i];

		snprintf(p->name, sizeof(p->name), "%s", ps->name);
		p->id = ps->port_id;
		p->role = ps->role;
		p->mtu = ps->mtu;
		memcpy(p->mac, ps->mac, sizeof(p->mac));
	}
	out->n_ports = n;
	fp_ctl_client_stats_free(st);
	return 0;
}

static int
dpdk_begin(void *handle)
{
	struct dpdk *d = handle;
	int rc;

	rc = fp_ctl_client_begin(d->c);
	if (rc != 0)
		return rc;
	d->in_txn = 1;
	d->n_staged = 0;
	return 0;
}

/* Remember a staged change's table (for a -ENOSPC commit). */
static int
stage_note(struct dpdk *d, uint16_t table, int del)
{
	if (!d->in_txn)
		return 0;
	if (d->n_staged == d->cap_staged) {
		uint32_t cap = d->cap_staged ? d->cap_staged * 2 : DPDK_STAGED_MIN;
		uint8_t *p = realloc(d->staged, cap);

		if (p == NULL)
			return -ENOMEM;
		d->staged = p;
		d->cap_staged = cap;
	}
	d->staged[d->n_staged++] = (uint8_t)(table | (del ? STAGED_DEL : 0));
	return 0;
}

static int
dpdk_set(void *handle, uint16_t table, const void *key, const void *val)
{
	struct dpdk *d = handle;
	int rc;

	if (table >= FP_TABLE_MAX)
		return -EINVAL;
	rc = stage_note(d, table, 0);
	if (rc != 0)
		return rc;
	return fp_ctl_client_set(d->c, table, key, val);
}

static int
dpdk_del(void *handle, uint16_t table, const void *key)
{
	struct dpdk *d = handle;
	int rc;

	if (table >= FP_TABLE_MAX)
		return -EINVAL;
	rc = stage_note(d, table, 1);
	if (rc != 0)
		return rc;
	return fp_ctl_client_del(d->c, table, key);
}

/* The first set of the table a "<table> table full" message names. */
static uint32_t
full_table_index(const struct dpdk *d, const char *msg)
{
	uint32_t i;
	int t;

	for (t = 0; t < FP_TABLE_MAX; t++) {
		const char *name = fp_names_table[t];
		size_t len = strlen(name);

		if (strncmp(msg, name, len) != 0 || strncmp(msg + len, " table full", 11) != 0)
			continue;
		for (i = 0; i < d->n_staged; i++) {
			if (d->staged[i] == t)
				return i;
		}
	}
	return UINT32_MAX;
}

static int
dpdk_commit(void *handle, uint32_t *failed, char *err, size_t errsz)
{
	struct dpdk *d = handle;
	struct fp_ctl_reply r;
	uint32_t idx = UINT32_MAX;
	int rc;

	memset(&r, 0, sizeof(r));
	r.status = 1; /* no REPLY came */
	rc = fp_ctl_client_commit(d->c, &r);
	d->in_txn = 0;
	if (rc == 0) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s", r.msg);
		return 0;
	}
	if (r.status == rc) {
		/* The server refused: its index and message. */
		idx = r.index;
		if (rc == -ENOSPC)
			idx = full_table_index(d, r.msg);
		else if (idx >= d->n_staged)
			idx = UINT32_MAX;
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s", r.msg);
	} else if (err != NULL && errsz > 0) {
		snprintf(err, errsz, "commit: control socket: %s", strerror(-rc));
	}
	if (failed != NULL)
		*failed = idx;
	return rc;
}

static int
dpdk_abort(void *handle)
{
	struct dpdk *d = handle;

	d->in_txn = 0;
	return fp_ctl_client_abort(d->c);
}

static int
dpdk_dump(void *handle, uint16_t table, fp_backend_dump_fn *fn, void *arg)
{
	struct dpdk *d = handle;

	return fp_ctl_client_dump(d->c, table, fn, arg);
}

static int
dpdk_stats(void *handle, struct fp_ctl_client_stats **out)
{
	struct dpdk *d = handle;

	*out = fp_ctl_client_stats(d->c);
	return *out != NULL ? 0 : -errno;
}

static int
dpdk_ping(void *handle, uint64_t *generation)
{
	struct dpdk *d = handle;
	struct fp_ctl_hello hello;
	int rc, rc2;

	rc = fp_ctl_client_timeout_set(d->c, DPDK_PING_TIMEOUT_MS);
	if (rc != 0)
		return rc;
	rc = fp_ctl_client_hello(d->c, &hello);
	rc2 = fp_ctl_client_timeout_set(d->c, DPDK_TIMEOUT_MS);
	if (rc == 0 && hello.abi_version != FP_ABI_VERSION)
		rc = -EPROTONOSUPPORT;
	if (rc == 0 && generation != NULL)
		*generation = hello.generation;
	return rc != 0 ? rc : rc2;
}

static void
dpdk_close(void *handle)
{
	struct dpdk *d = handle;

	if (d == NULL)
		return;
	fp_ctl_client_close(d->c);
	free(d->staged);
	free(d);
}

const struct fp_backend_ops fp_backend_dpdk = {
	.name = "dpdk",
	.open = dpdk_open,
	.info = dpdk_info,
	.begin = dpdk_begin,
	.set = dpdk_set,
	.del = dpdk_del,
	.commit = dpdk_commit,
	.abort = dpdk_abort,
	.dump = dpdk_dump,
	.stats = dpdk_stats,
	.ping = dpdk_ping,
	.close = dpdk_close,
};
