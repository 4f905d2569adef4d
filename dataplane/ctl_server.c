/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's control socket server.
 *
 * One listening Unix stream socket and up to CTL_CLIENT_MAX clients, all
 * non-blocking and driven by one poll() per fp_ctl_server_poll() call on
 * the main lcore.  Each client has:
 *   - an input buffer that accumulates bytes until a whole frame (header
 *     and hdr.len payload bytes) is there; it grows up to one frame of
 *     FP_CTL_MAX_PAYLOAD and shrinks back when idle;
 *   - an output buffer flushed when the socket is writable; while more
 *     than CTL_OUT_HIGH bytes wait, the client's requests are not read
 *     (back-pressure), so a client that never reads cannot grow it;
 *   - its own transaction (struct fp_txn), staged by SET/DEL and applied
 *     by COMMIT with fp_ftables_commit() (all or nothing).
 *
 * Protocol rules on top of include/flowplane/ctl.h:
 *   - A frame with a bad magic (-EPROTO), version (-EPROTONOSUPPORT) or a
 *     length above FP_CTL_MAX_PAYLOAD (-EMSGSIZE) gets an error REPLY and
 *     the client is disconnected: the stream cannot be resynced.
 *   - SET/DEL outside a transaction get an immediate REPLY -EPROTO.  Inside
 *     one they get no reply; a malformed one (table id, sizes, pad) marks
 *     the transaction failed with its index and a message, and the COMMIT
 *     then replies with that error and applies nothing.  COMMIT ends the
 *     transaction whatever its result.
 *   - BEGIN inside a transaction: -EBUSY (the transaction stays open).
 *     COMMIT outside one: -EPROTO.  ABORT outside one: 0, nothing to do.
 *   - HELLO, BEGIN, COMMIT, ABORT and STATS carry no payload, DUMP exactly
 *     a struct fp_ctl_dump; anything else is -EINVAL.  Unknown types, and
 *     the server's own reply types, get -EOPNOTSUPP.
 *
 * TRACE (ctl_trace.h) runs one frame through the pipeline here, on a
 * private mbuf and private counters, and answers TRACE_REPLY; its errors
 * (bad length, port out of range, no mbuf) get a REPLY.
 *
 * CT_DUMP walks the connection table (fp_ct_walk()) here and answers one
 * CT_REPLY with at most FP_CTL_CT_DUMP_MAX connections (640 KB).
 *
 * DUMP is answered synchronously: the table is walked in one go (a
 * consistent snapshot, since this is the tables' only writer) and the
 * output buffer is flushed with a blocking wait whenever it holds more
 * than CTL_DUMP_CHUNK bytes.  Memory stays bounded whatever the table
 * size, at the price of the main loop waiting for the dumping client; a
 * client that takes nothing for CTL_STALL_MS is disconnected, which bounds
 * the wait per chunk.  The workers never wait.
 *
 * Idle clients: one that sends nothing for CTL_IDLE_MS is closed, and
 * when all CTL_CLIENT_MAX slots are taken a new client takes the slot of
 * the one idle longest, if that one is idle CTL_EVICT_MS at least (so
 * idle clients cannot lock everyone out; fp-control pings every
 * health_ms, at most 60 s).  A client closed for this, or refused when
 * none is idle, gets a REPLY with seq 0 saying why before the close.
 */
#include "ctl_server.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "ctl_trace.h"
#include "buf.h"
#include "clock.h"
#include "ct.h"
#include "names.h"
#include "unix_addr.h"

#define CTL_CLIENT_MAX 16	    /* clients served at once */
#define CTL_BACKLOG 16		    /* listen() backlog */
#define CTL_IN_MIN (64U << 10)	    /* initial input buffer */
#define CTL_IN_IDLE_MAX (64U << 10) /* larger idle input buffers are freed */
#define CTL_READS_PER_POLL 16	    /* recv() calls per client per poll */
#define CTL_OUT_HIGH (256U << 10)   /* stop reading requests above this */
#define CTL_DUMP_CHUNK (64U << 10)  /* a dump flushes above this */
#define CTL_STALL_MS 5000	    /* a client with output must take some this often */
#define CTL_IDLE_MS 120000	    /* a client that sends nothing this long is closed */
#define CTL_EVICT_MS 5000	    /* when full, a client idle this long makes room */
#define CTL_STATS_WORKER_MAX 128    /* worker blocks in a STATS_REPLY */
#define CTL_FRAME_MAX (sizeof(struct fp_ctl_hdr) + FP_CTL_MAX_PAYLOAD)

static int fp_ctl_logtype = RTE_LOGTYPE_USER1;

#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, fp_ctl_logtype, "fp.ctl: " fmt "\n", ##__VA_ARGS__)

RTE_INIT(fp_ctl_log_init)
{
	int t = rte_log_register_type_and_pick_level("user.fp.ctl", RTE_LOG_INFO);

	if (t >= 0)
		fp_ctl_logtype = t;
}

struct ctl_client {
	int fd;				/* socket; -1: free slot */
	uint32_t id;			/* connection number, for logs */
	uint8_t *in;			/* received bytes */
	size_t in_off;			/* bytes of in already handled */
	size_t in_len;			/* bytes in in */
	size_t in_cap;			/* bytes allocated for in */
	uint8_t *out;			/* bytes to send */
	size_t out_off;			/* bytes of out already sent */
	size_t out_len;			/* bytes in out */
	size_t out_cap;			/* bytes allocated for out */
	struct fp_txn *txn;		/* staged changes; NULL before BEGIN */
	int in_txn;			/* between BEGIN and COMMIT/ABORT */
	int fail_rc;			/* 0, or why a staged change was refused */
	uint32_t n_changes;		/* SET/DEL received in the transaction */
	uint32_t fail_idx;		/* index of the refused change */
	int64_t last_tx;		/* ms: output queued on empty, or sent */
	int64_t last_rx;		/* ms: connected, or bytes received */
	int eof;			/* the peer sent all it will send */
	int closing;			/* protocol error: flush, then close */
	char fail_msg[FP_CTL_MSG_SIZE]; /* message for the refused change */
};

struct fp_ctl_server {
	int lfd;						/* listening socket */
	uint32_t n_accepted;					/* connections so far */
	uint32_t idle_ms;					/* CTL_IDLE_MS */
	uint32_t evict_ms;					/* CTL_EVICT_MS */
	struct fp_ftables *t;					/* tables served */
	struct fp_ctl_server_ops ops;				/* stats provider */
	uint32_t n_ports;					/* HELLO: configured ports */
	uint32_t n_workers;					/* HELLO: worker lcores */
	char host[FP_NAME_SIZE];				/* HELLO: host name */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* socket file */
	struct fp_ctl_worker_stats *wstats;			/* STATS scratch */
	struct fp_ctl_port_stats *pstats;			/* STATS scratch */
	struct ctl_client clients[CTL_CLIENT_MAX];		/* by slot */
	struct pollfd pfds[1 + CTL_CLIENT_MAX];			/* listener, then slots */
	int slot_of[1 + CTL_CLIENT_MAX];			/* pfds index -> slot */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
out_pending(const struct ctl_client *c)
{
	return c->out_len - c->out_off;
}

static void
client_drop(struct ctl_client *c, const char *why)
{
	if (c->fd < 0)
		return;
	CTL_LOG(DEBUG, "client %u: disconnected (%s)", c->id, why);
	close(c->fd);
	free(c->in);
	free(c->out);
	fp_txn_free(c->txn);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Make room for n more output bytes; 0 or -ENOMEM. */
static int
out_reserve(struct ctl_client *c, size_t n)
{
	if (c->out_off == c->out_len) {
		c->out_off = 0;
		c->out_len = 0;
	}
	if (c->out_len + n <= c->out_cap)
		return 0;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_len + n <= c->out_cap)
			return 0;
	}
	return fp_buf_reserve(&c->out, &c->out_cap, c->out_len + n, 4096, SIZE_MAX);
}

/* Queue one frame whose payload is the concatenation of iov[0..n). */
static int
queue_frame(struct ctl_client *c, uint16_t type, uint32_t seq, const struct iovec *iov, int n)
{
	struct fp_ctl_hdr h = {
		.magic = FP_CTL_MAGIC,
		.version = FP_CTL_VERSION,
		.type = type,
		.seq = seq,
	};
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	h.len = (uint32_t)len;
	if (out_pending(c) == 0)
		c->last_tx = now_ms();
	if (out_reserve(c, sizeof(h) + len) != 0) {
		CTL_LOG(WARNING, "client %u: out of memory for a reply", c->id);
		c->closing = 1;
		return -ENOMEM;
	}
	memcpy(c->out + c->out_len, &h, sizeof(h));
	c->out_len += sizeof(h);
	for (i = 0; i < n; i++) {
		memcpy(c->out + c->out_len, iov[i].iov_base, iov[i].iov_len);
		c->out_len += iov[i].iov_len;
	}
	return 0;
}

static int __rte_format_printf(6, 7) reply(struct ctl_client *c, uint32_t seq, int status,
					   uint32_t n, uint32_t index, const char *fmt, ...)
{
	struct fp_ctl_reply r;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	va_list ap;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.n = n;
	r.index = index;
	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	return queue_frame(c, FP_CTL_REPLY, seq, &iov, 1);
}

/* Send what the socket takes now: 0 (maybe some left) or a negative errno. */
static int
flush(struct ctl_client *c)
{
	while (out_pending(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, out_pending(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->out_off += (size_t)n;
		c->last_tx = now_ms();
	}
	c->out_off = 0;
	c->out_len = 0;
	return 0;
}

/* Block until at most keep bytes wait; -ETIMEDOUT if the client takes
 * nothing for CTL_STALL_MS, or the send error.
 */
static int
flush_wait(struct ctl_client *c, size_t keep)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		int64_t left;
		int rc;

		rc = flush(c);
		if (rc != 0)
			return rc;
		if (out_pending(c) <= keep)
			return 0;
		left = c->last_tx + CTL_STALL_MS - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
			return -EPIPE;
	}
}

static void
do_hello(struct fp_ctl_server *s, struct ctl_client *c, uint32_t seq)
{
	struct fp_ctl_hello h;
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };

	memset(&h, 0, sizeof(h));
	h.abi_version = FP_ABI_VERSION;
	h.n_ports = s->n_ports;
	h.n_workers = s->n_workers;
	memcpy(h.table_limit, s->t->limit, sizeof(h.table_limit));
	memcpy(h.table_count, s->t->count, sizeof(h.table_count));
	h.generation = __atomic_load_n(&s->t->generation, __ATOMIC_ACQUIRE);
	memcpy(h.host, s->host, sizeof(h.host));
	queue_frame(c, FP_CTL_HELLO_REPLY, seq, &iov, 1);
}

static void
txn_end(struct ctl_client *c)
{
	c->in_txn = 0;
	c->fail_rc = 0;
	c->fail_idx = 0;
	c->n_changes = 0;
	c->fail_msg[0] = '\0';
	if (c->txn != NULL)
		fp_txn_reset(c->txn);
}

static void
do_begin(struct ctl_client *c, uint32_t seq)
{
	if (c->in_txn) {
		reply(c, seq, -EBUSY, 0, 0, "begin: a transaction is already open");
		return;
	}
	if (c->txn == NULL) {
		c->txn = fp_txn_create();
		if (c->txn == NULL) {
			reply(c, seq, -ENOMEM, 0, 0, "begin: out of memory");
			return;
		}
	}
	txn_end(c);
	c->in_txn = 1;
	reply(c, seq, 0, 0, 0, "transaction open");
}

static void __rte_format_printf(4, 5)
	txn_fail(struct ctl_client *c, uint32_t idx, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->fail_rc = rc;
	c->fail_idx = idx;
	n = snprintf(c->fail_msg, sizeof(c->fail_msg), "change %u: ", idx);
	if (n < 0 || (size_t)n >= sizeof(c->fail_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(c->fail_msg + n, sizeof(c->fail_msg) - n, fmt, ap);
	va_end(ap);
}

/* SET or DEL: stage into the transaction, or remember why not. */
static void
do_stage(struct ctl_client *c, const struct fp_ctl_hdr *h, const uint8_t *p)
{
	const char *what = h->type == FP_CTL_SET ? "set" : "del";
	struct fp_ctl_entry e;
	uint32_t idx;
	size_t want;
	int rc;

	if (!c->in_txn) {
		reply(c, h->seq, -EPROTO, 0, 0, "%s outside a transaction: send begin first", what);
		return;
	}
	idx = c->n_changes;
	if (c->n_changes < UINT32_MAX)
		c->n_changes++;
	if (c->fail_rc != 0)
		return;
	if (h->len < sizeof(e)) {
		txn_fail(c, idx, -EINVAL, "%s: payload of %u bytes, shorter than an entry header",
			 what, h->len);
		return;
	}
	memcpy(&e, p, sizeof(e));
	if (e.table >= FP_TABLE_MAX) {
		txn_fail(c, idx, -EINVAL, "%s: unknown table %u", what, e.table);
		return;
	}
	if (e.pad != 0) {
		txn_fail(c, idx, -EINVAL, "%s %s: entry pad not zero", what,
			 fp_names_table[e.table]);
		return;
	}
	if (e.key_size != fp_names_key_size[e.table]) {
		txn_fail(c, idx, -EINVAL, "%s %s: key_size %u, expected %u", what,
			 fp_names_table[e.table], e.key_size, fp_names_key_size[e.table]);
		return;
	}
	want = h->type == FP_CTL_SET ? fp_names_val_size[e.table] : 0;
	if (e.val_size != want) {
		txn_fail(c, idx, -EINVAL, "%s %s: val_size %u, expected %zu", what,
			 fp_names_table[e.table], e.val_size, want);
		return;
	}
	if (h->len != sizeof(e) + e.key_size + e.val_size) {
		txn_fail(c, idx, -EINVAL, "%s %s: payload of %u bytes, expected %zu", what,
			 fp_names_table[e.table], h->len, sizeof(e) + e.key_size + e.val_size);
		return;
	}
	rc = fp_txn_add(c->txn, e.table, p + sizeof(e), e.key_size,
			h->type == FP_CTL_SET ? p + sizeof(e) + e.key_size : NULL, e.val_size);
	if (rc == -E2BIG)
		txn_fail(c, idx, rc, "%s %s: more than %u changes in one transaction", what,
			 fp_names_table[e.table], FP_CTL_TXN_MAX);
	else if (rc != 0)
		txn_fail(c, idx, rc, "%s %s: %s", what, fp_names_table[e.table], strerror(-rc));
}

static void
do_commit(struct fp_ctl_server *s, struct ctl_client *c, uint32_t seq)
{
	char msg[FP_CTL_MSG_SIZE];
	uint32_t n, idx = 0;
	uint64_t gen;
	int rc;

	if (!c->in_txn) {
		reply(c, seq, -EPROTO, 0, 0, "commit without begin");
		return;
	}
	if (c->fail_rc != 0) {
		CTL_LOG(NOTICE, "client %u: commit refused: %s", c->id, c->fail_msg);
		reply(c, seq, c->fail_rc, 0, c->fail_idx, "%s", c->fail_msg);
		txn_end(c);
		return;
	}
	n = fp_txn_len(c->txn);
	msg[0] = '\0';
	rc = fp_ftables_commit(s->t, c->txn, &idx, msg, sizeof(msg));
	if (rc != 0) {
		if (msg[0] == '\0')
			snprintf(msg, sizeof(msg), "commit: %s", strerror(-rc));
		CTL_LOG(NOTICE, "client %u: commit of %u changes refused: %s", c->id, n, msg);
		reply(c, seq, rc, 0, idx, "%s", msg);
	} else {
		gen = __atomic_load_n(&s->t->generation, __ATOMIC_ACQUIRE);
		CTL_LOG(DEBUG, "client %u: committed %u changes, generation %" PRIu64, c->id, n,
			gen);
		reply(c, seq, 0, n, 0, "committed %u changes, generation %" PRIu64, n, gen);
	}
	txn_end(c);
}

static void
do_abort(struct ctl_client *c, uint32_t seq)
{
	uint32_t n = c->in_txn ? c->n_changes : 0;

	if (!c->in_txn) {
		reply(c, seq, 0, 0, 0, "no transaction");
		return;
	}
	txn_end(c);
	reply(c, seq, 0, n, 0, "transaction aborted, %u changes dropped", n);
}

struct dump_ctx {
	struct ctl_client *c; /* the client dumped to */
	uint32_t seq;	      /* the DUMP's seq */
	uint32_t n;	      /* entries queued */
	int rc;		      /* 0, or why the dump stopped */
};

static int
dump_one(uint16_t table, const void *key, const void *val, void *arg)
{
	struct dump_ctx *d = arg;
	struct fp_ctl_entry e = {
		.table = table,
		.key_size = fp_names_key_size[table],
		.val_size = fp_names_val_size[table],
	};
	struct iovec iov[3] = {
		{ .iov_base = &e, .iov_len = sizeof(e) },
		{ .iov_base = (void *)(uintptr_t)key, .iov_len = e.key_size },
		{ .iov_base = (void *)(uintptr_t)val, .iov_len = e.val_size },
	};

	d->rc = queue_frame(d->c, FP_CTL_ENTRY, d->seq, iov, 3);
	if (d->rc != 0)
		return d->rc;
	d->n++;
	if (out_pending(d->c) > CTL_DUMP_CHUNK)
		d->rc = flush_wait(d->c, CTL_DUMP_CHUNK / 2);
	return d->rc;
}

static void
do_dump(struct fp_ctl_server *s, struct ctl_client *c, const struct fp_ctl_hdr *h, const uint8_t *p)
{
	struct dump_ctx d = { .c = c, .seq = h->seq };
	struct fp_ctl_dump req;

	if (h->len != sizeof(req)) {
		reply(c, h->seq, -EINVAL, 0, 0, "dump: payload of %u bytes, expected %zu", h->len,
		      sizeof(req));
		return;
	}
	memcpy(&req, p, sizeof(req));
	if (req.table >= FP_TABLE_MAX) {
		reply(c, h->seq, -EINVAL, 0, 0, "dump: unknown table %u", req.table);
		return;
	}
	if (req.pad[0] || req.pad[1] || req.pad[2]) {
		reply(c, h->seq, -EINVAL, 0, 0, "dump: pad not zero");
		return;
	}
	fp_ftables_walk(s->t, req.table, dump_one, &d);
	if (d.rc != 0) {
		CTL_LOG(NOTICE, "client %u: dump of %s stopped after %u entries: %s", c->id,
			fp_names_table[req.table], d.n, strerror(-d.rc));
		/* The stream is cut inside the dump: nothing more can follow. */
		c->out_off = c->out_len = 0;
		c->closing = 1;
		return;
	}
	reply(c, h->seq, 0, d.n, 0, "%u %s entries", d.n, fp_names_table[req.table]);
}

static void
do_stats(struct fp_ctl_server *s, struct ctl_client *c, uint32_t seq)
{
	struct fp_ctl_stats st = { .n_stat = FP_STAT_MAX, .n_drop = FP_DROP_MAX };
	uint32_t n_w = 0, n_p = 0;
	struct iovec iov[3];
	int rc;

	if (s->ops.stats == NULL) {
		reply(c, seq, -EOPNOTSUPP, 0, 0, "stats: no provider");
		return;
	}
	memset(s->wstats, 0, sizeof(*s->wstats) * CTL_STATS_WORKER_MAX);
	memset(s->pstats, 0, sizeof(*s->pstats) * FP_PORT_MAX);
	rc = s->ops.stats(s->ops.arg, s->wstats, CTL_STATS_WORKER_MAX, &n_w, s->pstats, FP_PORT_MAX,
			  &n_p);
	if (rc < 0) {
		reply(c, seq, rc, 0, 0, "stats: %s", strerror(-rc));
		return;
	}
	st.n_workers = RTE_MIN(n_w, (uint32_t)CTL_STATS_WORKER_MAX);
	st.n_ports = RTE_MIN(n_p, (uint32_t)FP_PORT_MAX);
	iov[0] = (struct iovec){ .iov_base = &st, .iov_len = sizeof(st) };
	iov[1] = (struct iovec){ .iov_base = s->wstats,
				 .iov_len = sizeof(*s->wstats) * st.n_workers };
	iov[2] = (struct iovec){ .iov_base = s->pstats,
				 .iov_len = sizeof(*s->pstats) * st.n_ports };
	queue_frame(c, FP_CTL_STATS_REPLY, seq, iov, 3);
}

static void
do_slowpath(struct fp_ctl_server *s, struct ctl_client *c, uint32_t seq)
{
	struct fp_ctl_slowpath sp;
	struct iovec iov = { .iov_base = &sp, .iov_len = sizeof(sp) };
	int rc;

	if (s->ops.slowpath == NULL) {
		reply(c, seq, -EOPNOTSUPP, 0, 0, "slowpath: no slow path");
		return;
	}
	memset(&sp, 0, sizeof(sp));
	rc = s->ops.slowpath(s->ops.arg, &sp);
	if (rc < 0) {
		reply(c, seq, rc, 0, 0, "slowpath: %s", strerror(-rc));
		return;
	}
	queue_frame(c, FP_CTL_SLOWPATH_REPLY, seq, &iov, 1);
}

/* TRACE: one frame through the pipeline, sent nowhere (ctl_trace.h). */
static void
do_trace(struct fp_ctl_server *s, struct ctl_client *c, const struct fp_ctl_hdr *h,
	 const uint8_t *p)
{
	char err[FP_CTL_MSG_SIZE] = "";
	uint8_t *buf = NULL;
	uint32_t size = 0;
	struct iovec iov;
	int rc;

	rc = fp_ctl_trace_run(s->t, s->ops.trace_mp, p, h->len, &buf, &size, err, sizeof(err));
	if (rc != 0) {
		reply(c, h->seq, rc, 0, 0, "%s", err);
		return;
	}
	iov = (struct iovec){ .iov_base = buf, .iov_len = size };
	queue_frame(c, FP_CTL_TRACE_REPLY, h->seq, &iov, 1);
	free(buf);
}

struct ct_dump_ctx {
	struct fp_ctl_ct_entry *e; /* FP_CTL_CT_DUMP_MAX entries */
	uint32_t n;		   /* entries filled */
	uint32_t flags;		   /* FP_CTL_CT_F_TRUNCATED */
	int zone;		   /* only this zone, or -1 */
};

static int
ct_dump_one(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg)
{
	struct ct_dump_ctx *d = arg;

	if (d->zone >= 0 && key->zone != d->zone)
		return 0;
	if (d->n == FP_CTL_CT_DUMP_MAX) {
		d->flags |= FP_CTL_CT_F_TRUNCATED;
		return 1;
	}
	d->e[d->n].key = *key;
	d->e[d->n].val = *val;
	d->n++;
	return 0;
}

/* CT_DUMP: the live connections, walked here (the workers never wait). */
static void
do_ct_dump(struct fp_ctl_server *s, struct ctl_client *c, const struct fp_ctl_hdr *h,
	   const uint8_t *p)
{
	struct fp_ctl_ct_reply r = { .now_ns = fp_clock_now_ns() };
	struct ct_dump_ctx d = { .zone = -1 };
	struct fp_ctl_ct_dump req;
	struct iovec iov[2];

	if (h->len != sizeof(req)) {
		reply(c, h->seq, -EINVAL, 0, 0, "ct_dump: payload of %u bytes, expected %zu",
		      h->len, sizeof(req));
		return;
	}
	memcpy(&req, p, sizeof(req));
	if ((req.flags & ~FP_CTL_CT_F_ZONE) != 0 || req.pad != 0) {
		reply(c, h->seq, -EINVAL, 0, 0, "ct_dump: unknown flags or pad not zero");
		return;
	}
	if (s->t->ct == NULL) {
		reply(c, h->seq, -EOPNOTSUPP, 0, 0, "ct_dump: no connection table");
		return;
	}
	if (req.flags & FP_CTL_CT_F_ZONE)
		d.zone = req.zone;
	d.e = malloc(sizeof(*d.e) * FP_CTL_CT_DUMP_MAX);
	if (d.e == NULL) {
		reply(c, h->seq, -ENOMEM, 0, 0, "ct_dump: out of memory");
		return;
	}
	fp_ct_walk(s->t->ct, r.now_ns, ct_dump_one, &d);
	r.n = d.n;
	r.flags = d.flags;
	iov[0] = (struct iovec){ .iov_base = &r, .iov_len = sizeof(r) };
	iov[1] = (struct iovec){ .iov_base = d.e, .iov_len = sizeof(*d.e) * d.n };
	queue_frame(c, FP_CTL_CT_REPLY, h->seq, iov, 2);
	free(d.e);
}

static int
empty_payload(struct ctl_client *c, const struct fp_ctl_hdr *h, const char *what)
{
	if (h->len == 0)
		return 1;
	reply(c, h->seq, -EINVAL, 0, 0, "%s: payload of %u bytes, expected none", what, h->len);
	return 0;
}

static void
handle(struct fp_ctl_server *s, struct ctl_client *c, const struct fp_ctl_hdr *h, const uint8_t *p)
{
	switch (h->type) {
	case FP_CTL_HELLO:
		if (empty_payload(c, h, "hello"))
			do_hello(s, c, h->seq);
		break;
	case FP_CTL_BEGIN:
		if (empty_payload(c, h, "begin"))
			do_begin(c, h->seq);
		break;
	case FP_CTL_SET:
	case FP_CTL_DEL:
		do_stage(c, h, p);
		break;
	case FP_CTL_COMMIT:
		if (empty_payload(c, h, "commit"))
			do_commit(s, c, h->seq);
		break;
	case FP_CTL_ABORT:
		if (empty_payload(c, h, "abort"))
			do_abort(c, h->seq);
		break;
	case FP_CTL_DUMP:
		do_dump(s, c, h, p);
		break;
	case FP_CTL_TRACE:
		do_trace(s, c, h, p);
		break;
	case FP_CTL_CT_DUMP:
		do_ct_dump(s, c, h, p);
		break;
	case FP_CTL_STATS:
		if (empty_payload(c, h, "stats"))
			do_stats(s, c, h->seq);
		break;
	case FP_CTL_SLOWPATH:
		if (empty_payload(c, h, "slowpath"))
			do_slowpath(s, c, h->seq);
		break;
	default:
		reply(c, h->seq, -EOPNOTSUPP, 0, 0, "unsupported message type %u", h->type);
		break;
	}
}

/* Refuse a frame that cannot be skipped, then disconnect. */
static void __rte_format_printf(4, 5)
	proto_error(struct ctl_client *c, uint32_t seq, int status, const char *fmt, ...)
{
	char msg[FP_CTL_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CTL_LOG(NOTICE, "client %u: %s; disconnecting", c->id, msg);
	reply(c, seq, status, 0, 0, "%s", msg);
	c->closing = 1;
}

/* Handle every complete frame in the input buffer. */
static void
process(struct fp_ctl_server *s, struct ctl_client *c)
{
	while (!c->closing && out_pending(c) < CTL_OUT_HIGH) {
		size_t avail = c->in_len - c->in_off;
		struct fp_ctl_hdr h;

		if (avail < sizeof(h))
			break;
		memcpy(&h, c->in + c->in_off, sizeof(h));
		if (h.magic != FP_CTL_MAGIC) {
			proto_error(c, h.seq, -EPROTO, "bad magic 0x%08x, expected 0x%08x", h.magic,
				    FP_CTL_MAGIC);
			break;
		}
		if (h.version != FP_CTL_VERSION) {
			proto_error(c, h.seq, -EPROTONOSUPPORT,
				    "protocol version %u, server speaks %u", h.version,
				    FP_CTL_VERSION);
			break;
		}
		if (h.len > FP_CTL_MAX_PAYLOAD) {
			proto_error(c, h.seq, -EMSGSIZE, "payload of %u bytes, limit %u", h.len,
				    FP_CTL_MAX_PAYLOAD);
			break;
		}
		if (avail < sizeof(h) + h.len)
			break;
		handle(s, c, &h, c->in + c->in_off + sizeof(h));
		c->in_off += sizeof(h) + h.len;
	}
	if (c->in_off == c->in_len) {
		c->in_off = 0;
		c->in_len = 0;
		if (c->in_cap > CTL_IN_IDLE_MAX) {
			free(c->in);
			c->in = NULL;
			c->in_cap = 0;
		}
	}
}

/* Is a whole frame (or a header to refuse) waiting in the input buffer? */
static int
frame_ready(const struct ctl_client *c)
{
	size_t avail = c->in_len - c->in_off;
	struct fp_ctl_hdr h;

	if (avail < sizeof(h))
		return 0;
	memcpy(&h, c->in + c->in_off, sizeof(h));
	return h.magic != FP_CTL_MAGIC || h.version != FP_CTL_VERSION ||
	       h.len > FP_CTL_MAX_PAYLOAD || avail >= sizeof(h) + h.len;
}

/* Handle the waiting frames and send the replies, until the frames run
 * out or the client stops taking replies: 0, or the send error.
 */
static int
serve(struct fp_ctl_server *s, struct ctl_client *c)
{
	int rc;

	do {
		process(s, c);
		rc = flush(c);
		if (rc != 0)
			return rc;
	} while (!c->closing && out_pending(c) == 0 && frame_ready(c));
	return 0;
}

/* Room for the rest of the current frame, at least; 0 or -ENOMEM. */
static int
in_reserve(struct ctl_client *c)
{
	size_t need = CTL_IN_MIN;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_len >= sizeof(struct fp_ctl_hdr)) {
		struct fp_ctl_hdr h;

		memcpy(&h, c->in, sizeof(h));
		/* process() refuses a larger frame before it gets here. */
		need = sizeof(h) + RTE_MIN(h.len, FP_CTL_MAX_PAYLOAD);
	}
	/* Room for one more byte at least, within CTL_FRAME_MAX. */
	return fp_buf_reserve(&c->in, &c->in_cap, RTE_MAX(need, c->in_len + 1), CTL_IN_MIN,
			      CTL_FRAME_MAX);
}

/* Read what arrived and handle the complete frames. */
static void
client_read(struct fp_ctl_server *s, struct ctl_client *c)
{
	int i;

	for (i = 0; i < CTL_READS_PER_POLL && !c->closing && !c->eof; i++) {
		ssize_t n;

		if (out_pending(c) >= CTL_OUT_HIGH)
			break;
		if (in_reserve(c) != 0) {
			CTL_LOG(WARNING, "client %u: out of memory for a request", c->id);
			c->closing = 1;
			break;
		}
		if (c->in_len == c->in_cap)
			break;
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->eof = 1;
			break;
		}
		if (n == 0) {
			c->eof = 1;
			break;
		}
		c->last_rx = now_ms();
		c->in_len += (size_t)n;
		process(s, c);
	}
}

/* Tell a client why it is closed (a REPLY with seq 0, best effort) and
 * close it.
 */
static void __rte_format_printf(3, 4)
	client_goodbye(struct ctl_client *c, int status, const char *fmt, ...)
{
	char msg[FP_CTL_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CTL_LOG(NOTICE, "client %u: %s; disconnecting", c->id, msg);
	if (reply(c, 0, status, 0, 0, "%s", msg) == 0)
		flush(c);
	client_drop(c, msg);
}

/* The slot of the client idle longest, if it is idle evict_ms at least
 * and owes it nothing; else NULL.
 */
static struct ctl_client *
client_evictable(struct fp_ctl_server *s, int64_t now)
{
	struct ctl_client *best = NULL;
	int i;

	for (i = 0; i < CTL_CLIENT_MAX; i++) {
		struct ctl_client *c = &s->clients[i];

		if (c->fd < 0 || out_pending(c) > 0 || now - c->last_rx < (int64_t)s->evict_ms)
			continue;
		if (best == NULL || c->last_rx < best->last_rx)
			best = c;
	}
	return best;
}

static void
client_accept(struct fp_ctl_server *s)
{
	for (;;) {
		struct ctl_client *c = NULL;
		int fd, i;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				CTL_LOG(WARNING, "accept: %s", strerror(errno));
			return;
		}
		s->n_accepted++;
		for (i = 0; i < CTL_CLIENT_MAX; i++) {
			if (s->clients[i].fd < 0) {
				c = &s->clients[i];
				break;
			}
		}
		if (c == NULL) {
			c = client_evictable(s, now_ms());
			if (c != NULL)
				client_goodbye(c, -ETIMEDOUT,
					       "idle for %" PRId64 " ms: closed to make room for "
					       "another client",
					       now_ms() - c->last_rx);
		}
		if (c == NULL) {
			struct ctl_client tmp = { .fd = fd, .id = s->n_accepted };

			CTL_LOG(WARNING, "client %u refused: %d clients already", s->n_accepted,
				CTL_CLIENT_MAX);
			if (reply(&tmp, 0, -EBUSY, 0, 0,
				  "too many clients (%d), none idle for %u ms; try again later",
				  CTL_CLIENT_MAX, s->evict_ms) == 0)
				flush(&tmp);
			client_drop(&tmp, "refused");
			continue;
		}
		c->fd = fd;
		c->id = s->n_accepted;
		c->last_rx = now_ms();
		CTL_LOG(DEBUG, "client %u: connected", c->id);
	}
}

/* Create the directories above path that are missing (mode 0755). */
static int
mkdir_parents(const char *path)
{
	char dir[FP_UNIX_PATH_MAX + 1];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a socket file no server listens on; -EADDRINUSE if one does,
 * -EEXIST if path is not a socket.
 */
static int
remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (unlink(sa->sun_path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

struct fp_ctl_server *
fp_ctl_server_create(const char *path, struct fp_ftables *t, const char *host, uint32_t n_ports,
		     uint32_t n_workers, const struct fp_ctl_server_ops *ops)
{
	struct sockaddr_un sa;
	struct fp_ctl_server *s;
	mode_t old_mask;
	int i, rc;

	rc = fp_unix_addr_set(&sa, path);
	if (rc == 0 && t == NULL)
		rc = -EINVAL;
	if (rc != 0) {
		errno = -rc;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	s->lfd = -1;
	s->t = t;
	s->idle_ms = CTL_IDLE_MS;
	s->evict_ms = CTL_EVICT_MS;
	if (ops != NULL)
		s->ops = *ops;
	s->n_ports = n_ports;
	s->n_workers = n_workers;
	snprintf(s->host, sizeof(s->host), "%s", host != NULL ? host : "");
	snprintf(s->path, sizeof(s->path), "%s", path);
	for (i = 0; i < CTL_CLIENT_MAX; i++)
		s->clients[i].fd = -1;
	s->wstats = calloc(CTL_STATS_WORKER_MAX, sizeof(*s->wstats));
	s->pstats = calloc(FP_PORT_MAX, sizeof(*s->pstats));
	if (s->wstats == NULL || s->pstats == NULL) {
		rc = -ENOMEM;
		goto err_free;
	}
	rc = mkdir_parents(path);
	if (rc != 0) {
		CTL_LOG(ERR, "%s: cannot create the parent directory: %s", path, strerror(-rc));
		goto err_free;
	}
	rc = remove_stale(&sa);
	if (rc != 0) {
		CTL_LOG(ERR, "%s: %s", path,
			rc == -EADDRINUSE ? "another server is listening" :
			rc == -EEXIST	  ? "exists and is not a socket" :
					    strerror(-rc));
		goto err_free;
	}
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0) {
		rc = -errno;
		goto err_free;
	}
	/* No window in which the socket file is wider than 0600. */
	old_mask = umask(0177);
	rc = bind(s->lfd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc != 0) {
		rc = -errno;
		CTL_LOG(ERR, "%s: bind: %s", path, strerror(-rc));
		goto err_close;
	}
	if (chmod(path, 0600) != 0 || listen(s->lfd, CTL_BACKLOG) != 0) {
		rc = -errno;
		CTL_LOG(ERR, "%s: %s", path, strerror(-rc));
		goto err_unlink;
	}
	CTL_LOG(INFO, "listening on %s", path);
	return s;

err_unlink:
	unlink(path);
err_close:
	close(s->lfd);
err_free:
	free(s->wstats);
	free(s->pstats);
	free(s);
err:
	errno = -rc;
	return NULL;
}

int
fp_ctl_server_poll(struct fp_ctl_server *s, int timeout_ms)
{
	int i, n = 0, rc;
	int64_t now;

	s->pfds[n] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	s->slot_of[n++] = -1;
	for (i = 0; i < CTL_CLIENT_MAX; i++) {
		struct ctl_client *c = &s->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->closing && !c->eof && out_pending(c) < CTL_OUT_HIGH)
			ev |= POLLIN;
		if (out_pending(c) > 0)
			ev |= POLLOUT;
		s->pfds[n] = (struct pollfd){ .fd = c->fd, .events = ev };
		s->slot_of[n++] = i;
	}
	rc = poll(s->pfds, (nfds_t)n, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 1; i < n; i++) {
		struct ctl_client *c = &s->clients[s->slot_of[i]];
		short rev = s->pfds[i].revents;

		if (rev == 0)
			continue;
		if (rev & POLLNVAL) {
			client_drop(c, "invalid descriptor");
			continue;
		}
		if (flush(c) != 0) {
			client_drop(c, "send failed");
			continue;
		}
		if (rev & (POLLIN | POLLHUP | POLLERR))
			client_read(s, c);
		if (serve(s, c) != 0) {
			client_drop(c, "send failed");
			continue;
		}
		if (out_pending(c) == 0 && (c->closing || c->eof))
			client_drop(c, c->closing ? "protocol error" : "closed by peer");
	}
	now = now_ms();
	for (i = 0; i < CTL_CLIENT_MAX; i++) {
		struct ctl_client *c = &s->clients[i];

		if (c->fd >= 0 && out_pending(c) > 0 && now - c->last_tx > CTL_STALL_MS) {
			CTL_LOG(NOTICE, "client %u: took no output for %d ms", c->id, CTL_STALL_MS);
			client_drop(c, "stalled");
		} else if (c->fd >= 0 && out_pending(c) == 0 &&
			   now - c->last_rx > (int64_t)s->idle_ms) {
			client_goodbye(c, -ETIMEDOUT, "idle for %u ms: closed", s->idle_ms);
		}
	}
	if (s->pfds[0].revents & (POLLERR | POLLNVAL))
		return -EIO;
	if (s->pfds[0].revents & POLLIN)
		client_accept(s);
	return 0;
}

void
fp_ctl_server_idle_set(struct fp_ctl_server *s, uint32_t idle_ms, uint32_t evict_ms)
{
	s->idle_ms = idle_ms;
	s->evict_ms = evict_ms;
}

void
fp_ctl_server_free(struct fp_ctl_server *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < CTL_CLIENT_MAX; i++)
		client_drop(&s->clients[i], "server stopped");
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(s->path);
	}
	free(s->wstats);
	free(s->pstats);
	free(s);
}
