/* SPDX-License-Identifier: BSD-3-Clause */
/* Blocking client of fp-dpdk's control socket (include/flowplane/ctl.h).
 *
 * What: one connection, one request at a time; the calls block until the
 * reply is there.  SET and DEL inside a transaction are pipelined: they are
 * buffered and sent without waiting (the server does not answer them), and
 * the COMMIT's reply says whether all of them were applied (or none).
 * Outside a transaction the server answers SET/DEL at once with -EPROTO,
 * and so does fp_ctl_client_set()/fp_ctl_client_del().
 *
 * Invariants: requests are numbered (hdr.seq) and every reply must echo
 * the number of its request; a reply that does not, a frame of the wrong
 * type or size, or a broken stream fail with -EPROTO and leave the
 * connection unusable (close it).  The last REPLY's message stays
 * available through fp_ctl_client_msg().
 *
 * Concurrency: a connection is used by one thread at a time.  No DPDK,
 * no dataplane/ code: control/ and tools link this alone.  The names and
 * sizes of the ABI's ids are in lib/names.h.
 */
#ifndef FP_CTL_CLIENT_H
#define FP_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

/* STATS_REPLY, parsed: one allocation, freed with fp_ctl_client_stats_free(). */
struct fp_ctl_client_stats {
	uint32_t n_workers;		     /* valid entries in workers */
	uint32_t n_ports;		     /* valid entries in ports */
	struct fp_ctl_worker_stats *workers; /* per worker lcore */
	struct fp_ctl_port_stats *ports;     /* per logical port */
};

struct fp_ctl_client;

/**
 * Connect to the control socket.
 *
 * @param path	socket path
 * @return the connection, or NULL with errno (ENOENT or ECONNREFUSED: no
 *	   fp-dpdk listens there; ENAMETOOLONG, EACCES, ENOMEM, ...)
 */
struct fp_ctl_client *fp_ctl_client_open(const char *path);

/** Close the connection (an open transaction is dropped).  Accepts NULL. */
void fp_ctl_client_close(struct fp_ctl_client *c);

/**
 * Fail a call that waits longer than ms for the server (0: wait forever,
 * the default).
 *
 * @return 0, or a negative errno from setsockopt()
 */
int fp_ctl_client_timeout_set(struct fp_ctl_client *c, unsigned int ms);

/** The message of the last REPLY received ("" before any). */
const char *fp_ctl_client_msg(const struct fp_ctl_client *c);

/**
 * HELLO: the server's ABI version, sizes, counts and generation.
 *
 * @param out	receives the HELLO_REPLY
 * @return 0, or the server's status, or -EPROTO (bad reply), -ETIMEDOUT,
 *	   -ECONNRESET (server closed), -EPIPE, -ENOMEM
 */
int fp_ctl_client_hello(struct fp_ctl_client *c, struct fp_ctl_hello *out);

/**
 * BEGIN a transaction.
 *
 * @return 0, -EBUSY (one is open already), or the errors of
 *	   fp_ctl_client_hello()
 */
int fp_ctl_client_begin(struct fp_ctl_client *c);

/**
 * SET an entry: stage it in the open transaction (no round trip), or
 * outside one send it and return the server's refusal.
 *
 * @param table	FP_TABLE_*
 * @param key	the table's key struct (fp_ctl_client_key_size[table] bytes)
 * @param val	the table's value struct (fp_ctl_client_val_size[table] bytes)
 * @return 0, -EINVAL (bad table), -EPROTO (no transaction open), -EPIPE,
 *	   -ECONNRESET, -ENOMEM
 */
int fp_ctl_client_set(struct fp_ctl_client *c, uint16_t table, const void *key, const void *val);

/**
 * DEL an entry; like fp_ctl_client_set().
 *
 * @return as fp_ctl_client_set()
 */
int fp_ctl_client_del(struct fp_ctl_client *c, uint16_t table, const void *key);

/**
 * COMMIT the transaction: the server applies every staged change or none.
 * The transaction is closed whatever the result.
 *
 * @param out	receives the REPLY (n: changes applied; on error index: the
 *		failing change, msg: why); may be NULL
 * @return 0, or the server's status: -EINVAL (bad change), -ENOENT
 *	   (delete of a missing entry), -EPERM (entry owned by the config),
 *	   -ENOSPC (table full), -ENOMEM, -E2BIG, -EPROTO (no transaction);
 *	   or the errors of fp_ctl_client_hello()
 */
int fp_ctl_client_commit(struct fp_ctl_client *c, struct fp_ctl_reply *out);

/**
 * ABORT the transaction: drop its staged changes.
 *
 * @return 0, or the errors of fp_ctl_client_hello()
 */
int fp_ctl_client_abort(struct fp_ctl_client *c);

/* Called by fp_ctl_client_dump() per entry; a non-zero return stops the
 * calls (the rest of the dump is read and discarded).
 */
typedef int fp_ctl_client_dump_fn(uint16_t table, const void *key, const void *val, void *arg);

/**
 * DUMP a table.
 *
 * @param table	FP_TABLE_*
 * @param fn	called for each entry
 * @param arg	passed to fn
 * @return 0, fn's non-zero return, -EINVAL (bad table), or the errors of
 *	   fp_ctl_client_hello()
 */
int fp_ctl_client_dump(struct fp_ctl_client *c, uint16_t table, fp_ctl_client_dump_fn *fn,
		       void *arg);

/**
 * STATS: per-worker counters and per-port counters.
 *
 * @return the parsed reply (free with fp_ctl_client_stats_free()), or NULL
 *	   with errno (EOPNOTSUPP: the server has no stats provider; the
 *	   errors of fp_ctl_client_hello(), positive)
 */
struct fp_ctl_client_stats *fp_ctl_client_stats(struct fp_ctl_client *c);

/** Free a STATS result.  Accepts NULL. */
void fp_ctl_client_stats_free(struct fp_ctl_client_stats *st);

/**
 * TRACE: run a frame through fp-dpdk's pipeline, sent nowhere.
 *
 * @param in_port    logical port it arrives on
 * @param frame	     len bytes from the Ethernet header
 * @param reply	     receives a malloc()ed copy of the TRACE_REPLY payload
 *		     (struct fp_ctl_trace ..., not yet checked)
 * @param reply_size receives its size
 * @return 0, -EMSGSIZE (len > FP_CTL_TRACE_FRAME_MAX), the server's
 *	   negative status (message in fp_ctl_client_msg()), -EPROTO,
 *	   -EPIPE, -ECONNRESET, -ETIMEDOUT, -ENOMEM
 */
int fp_ctl_client_trace(struct fp_ctl_client *c, uint32_t in_port, const void *frame, uint32_t len,
			void **reply, uint32_t *reply_size);

/**
 * CT_DUMP: the live connections (at most FP_CTL_CT_DUMP_MAX).
 * @param zone	only this zone (port id), or -1: all
 * @param reply	receives a malloc()ed copy of the CT_REPLY payload
 *		(struct fp_ctl_ct_reply, then its n struct fp_ctl_ct_entry)
 * @return 0, -EINVAL (zone above 65535), the server's negative status
 *	   (-EOPNOTSUPP: no connection table; message in
 *	   fp_ctl_client_msg()), -EPROTO, -EPIPE, -ECONNRESET, -ETIMEDOUT,
 *	   -ENOMEM
 */
int fp_ctl_client_ct_dump(struct fp_ctl_client *c, int zone, struct fp_ctl_ct_reply **reply);

/**
 * SLOWPATH: the slow path's rings and counters.
 * @param out receives the SLOWPATH_REPLY payload
 * @return 0, the server's negative status (-EOPNOTSUPP: no slow path),
 *	   -EPROTO, -EPIPE, -ECONNRESET, -ETIMEDOUT
 */
int fp_ctl_client_slowpath(struct fp_ctl_client *c, struct fp_ctl_slowpath *out);

/**
 * Send one raw frame (tests, diagnostics): hdr.seq is the next number.
 *
 * @param type	   FP_CTL_* (not checked)
 * @param payload  len bytes
 * @return 0, -EMSGSIZE (len > FP_CTL_MAX_PAYLOAD), -EPIPE, -ECONNRESET,
 *	   -ENOMEM
 */
int fp_ctl_client_send(struct fp_ctl_client *c, uint16_t type, const void *payload, uint32_t len);

/**
 * Receive one raw frame (tests, diagnostics).
 *
 * @param hdr	   receives the header
 * @param payload  set to hdr->len bytes, valid until the next call
 * @return 0, -EPROTO (bad magic, version or length), -ECONNRESET (closed),
 *	   -ETIMEDOUT, -ENOMEM
 */
int fp_ctl_client_recv(struct fp_ctl_client *c, struct fp_ctl_hdr *hdr, const void **payload);

#endif /* FP_CTL_CLIENT_H */
