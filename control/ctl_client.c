/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "names.h"
#include "unix_addr.h"

#define CLIENT_OUT_FLUSH (64U << 10) /* pipelined requests are sent above this */
#define CLIENT_IN_MIN 4096	     /* initial payload buffer */

_Static_assert(__builtin_offsetof(struct fp_ctl_worker_stats, stats) == 16, "worker stats head");
_Static_assert(sizeof(struct fp_ctl_worker_stats) == 16 + 8 * (FP_STAT_MAX + FP_DROP_MAX),
	       "worker stats layout");

struct fp_ctl_client {
	int fd;			   /* connected socket */
	uint32_t seq;		   /* number of the last request sent */
	int in_txn;		   /* a BEGIN succeeded, no COMMIT/ABORT since */
	int broken;		   /* the stream is out of step: refuse calls */
	uint8_t *out;		   /* requests not sent yet */
	size_t out_len;		   /* bytes in out */
	size_t out_cap;		   /* bytes allocated for out */
	uint8_t *in;		   /* payload of the last frame received */
	size_t in_cap;		   /* bytes allocated for in */
	char msg[FP_CTL_MSG_SIZE]; /* message of the last REPLY */
};

struct fp_ctl_client *
fp_ctl_client_open(const char *path)
{
	struct fp_ctl_client *c;
	int fd;

	fd = fp_unix_connect(path, SOCK_CLOEXEC);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->fd = fd;
	return c;
}

void
fp_ctl_client_close(struct fp_ctl_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->out);
	free(c->in);
	free(c);
}

int
fp_ctl_client_timeout_set(struct fp_ctl_client *c, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return -errno;
	return 0;
}

const char *
fp_ctl_client_msg(const struct fp_ctl_client *c)
{
	return c->msg;
}

/* Mark the stream unusable and pass the error on. */
static int
broken(struct fp_ctl_client *c, int rc)
{
	c->broken = 1;
	return rc;
}

static int
flush(struct fp_ctl_client *c)
{
	size_t off = 0;

	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return broken(c, errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT :
										   -errno);
		}
		off += (size_t)n;
	}
	c->out_len = 0;
	return 0;
}

/* Queue a frame whose payload is iov[0..n); returns its seq in *seq. */
static int
queue(struct fp_ctl_client *c, uint16_t type, const struct iovec *iov, int n, uint32_t *seq)
{
	struct fp_ctl_hdr h = {
		.magic = FP_CTL_MAGIC,
		.version = FP_CTL_VERSION,
		.type = type,
	};
	size_t len = 0;
	int i;

	if (c->broken)
		return -ENOTCONN;
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len > FP_CTL_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (fp_buf_reserve(&c->out, &c->out_cap, c->out_len + sizeof(h) + len, 4096, SIZE_MAX) != 0)
		return -ENOMEM;
	h.len = (uint32_t)len;
	h.seq = ++c->seq;
	memcpy(c->out + c->out_len, &h, sizeof(h));
	c->out_len += sizeof(h);
	for (i = 0; i < n; i++) {
		memcpy(c->out + c->out_len, iov[i].iov_base, iov[i].iov_len);
		c->out_len += iov[i].iov_len;
	}
	if (seq != NULL)
		*seq = h.seq;
	return 0;
}

static int
read_exact(struct fp_ctl_client *c, void *buf, size_t size)
{
	uint8_t *p = buf;
	size_t off = 0;

	while (off < size) {
		ssize_t n = recv(c->fd, p + off, size - off, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return broken(c, errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT :
										   -errno);
		}
		if (n == 0)
			return broken(c, -ECONNRESET);
		off += (size_t)n;
	}
	return 0;
}

/* The server closed the connection: if it said why first (a REPLY with
 * seq 0 waiting to be read), take its message and status; else rc.
 */
static int
goodbye(struct fp_ctl_client *c, int rc)
{
	struct {
		struct fp_ctl_hdr h;
		struct fp_ctl_reply r;
	} __attribute__((packed)) f;
	ssize_t n = recv(c->fd, &f, sizeof(f), MSG_DONTWAIT | MSG_PEEK);

	if (n != (ssize_t)sizeof(f) || f.h.magic != FP_CTL_MAGIC || f.h.type != FP_CTL_REPLY ||
	    f.h.seq != 0 || f.h.len != sizeof(f.r) || f.r.status >= 0)
		return rc;
	f.r.msg[sizeof(f.r.msg) - 1] = '\0';
	memcpy(c->msg, f.r.msg, sizeof(c->msg));
	return broken(c, f.r.status);
}

int
fp_ctl_client_recv(struct fp_ctl_client *c, struct fp_ctl_hdr *hdr, const void **payload)
{
	int rc;

	if (c->broken)
		return -ENOTCONN;
	rc = flush(c);
	if (rc == -EPIPE || rc == -ECONNRESET)
		return goodbye(c, rc);
	if (rc != 0)
		return rc;
	rc = read_exact(c, hdr, sizeof(*hdr));
	if (rc != 0)
		return rc;
	if (hdr->magic != FP_CTL_MAGIC || hdr->version != FP_CTL_VERSION ||
	    hdr->len > FP_CTL_MAX_PAYLOAD)
		return broken(c, -EPROTO);
	if (fp_buf_reserve(&c->in, &c->in_cap, hdr->len, CLIENT_IN_MIN, SIZE_MAX) != 0)
		return broken(c, -ENOMEM);
	rc = read_exact(c, c->in, hdr->len);
	if (rc != 0)
		return rc;
	*payload = c->in;
	return 0;
}

int
fp_ctl_client_send(struct fp_ctl_client *c, uint16_t type, const void *payload, uint32_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)payload, .iov_len = len };
	int rc;

	rc = queue(c, type, &iov, len ? 1 : 0, NULL);
	if (rc != 0)
		return rc;
	return flush(c);
}

/* Parse a REPLY frame into r (msg NUL-terminated); returns its status. */
static int
parse_reply(struct fp_ctl_client *c, const struct fp_ctl_hdr *h, const void *p, uint32_t seq,
	    struct fp_ctl_reply *r)
{
	if (h->type != FP_CTL_REPLY || h->len != sizeof(*r))
		return broken(c, -EPROTO);
	memcpy(r, p, sizeof(*r));
	r->msg[sizeof(r->msg) - 1] = '\0';
	/* seq 0: the server closes the connection and says why. */
	if (h->seq == 0 && h->seq != seq && r->status < 0) {
		memcpy(c->msg, r->msg, sizeof(c->msg));
		return broken(c, r->status);
	}
	if (h->seq != seq)
		return broken(c, -EPROTO);
	memcpy(c->msg, r->msg, sizeof(c->msg));
	if (r->status > 0)
		return broken(c, -EPROTO);
	return r->status;
}

/* Send a request without payload and wait for its REPLY. */
static int
simple(struct fp_ctl_client *c, uint16_t type, struct fp_ctl_reply *out)
{
	struct fp_ctl_reply r;
	struct fp_ctl_hdr h;
	const void *p;
	uint32_t seq;
	int rc;

	rc = queue(c, type, NULL, 0, &seq);
	if (rc != 0)
		return rc;
	rc = fp_ctl_client_recv(c, &h, &p);
	if (rc != 0)
		return rc;
	rc = parse_reply(c, &h, p, seq, &r);
	if (out != NULL)
		*out = r;
	return rc;
}

int
fp_ctl_client_hello(struct fp_ctl_client *c, struct fp_ctl_hello *out)
{
	struct fp_ctl_reply r;
	struct fp_ctl_hdr h;
	const void *p;
	uint32_t seq;
	int rc;

	rc = queue(c, FP_CTL_HELLO, NULL, 0, &seq);
	if (rc != 0)
		return rc;
	rc = fp_ctl_client_recv(c, &h, &p);
	if (rc != 0)
		return rc;
	if (h.type == FP_CTL_REPLY)
		return parse_reply(c, &h, p, seq, &r);
	if (h.type != FP_CTL_HELLO_REPLY || h.len != sizeof(*out) || h.seq != seq)
		return broken(c, -EPROTO);
	memcpy(out, p, sizeof(*out));
	out->host[sizeof(out->host) - 1] = '\0';
	return 0;
}

int
fp_ctl_client_begin(struct fp_ctl_client *c)
{
	int rc = simple(c, FP_CTL_BEGIN, NULL);

	/* -EBUSY: the server has one open already. */
	if (rc == 0 || rc == -EBUSY)
		c->in_txn = 1;
	return rc;
}

static int
stage(struct fp_ctl_client *c, uint16_t type, uint16_t table, const void *key, const void *val)
{
	struct fp_ctl_entry e = { .table = table };
	struct iovec iov[3];
	struct fp_ctl_reply r;
	struct fp_ctl_hdr h;
	const void *p;
	uint32_t seq;
	int rc;

	if (table >= FP_TABLE_MAX || key == NULL || (type == FP_CTL_SET && val == NULL))
		return -EINVAL;
	e.key_size = fp_names_key_size[table];
	e.val_size = type == FP_CTL_SET ? fp_names_val_size[table] : 0;
	iov[0] = (struct iovec){ .iov_base = &e, .iov_len = sizeof(e) };
	iov[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)key, .iov_len = e.key_size };
	iov[2] = (struct iovec){ .iov_base = (void *)(uintptr_t)val, .iov_len = e.val_size };
	rc = queue(c, type, iov, type == FP_CTL_SET ? 3 : 2, &seq);
	if (rc != 0)
		return rc;
	if (c->in_txn)
		return c->out_len >= CLIENT_OUT_FLUSH ? flush(c) : 0;
	/* Outside a transaction the server answers (with a refusal). */
	rc = fp_ctl_client_recv(c, &h, &p);
	if (rc != 0)
		return rc;
	return parse_reply(c, &h, p, seq, &r);
}

int
fp_ctl_client_set(struct fp_ctl_client *c, uint16_t table, const void *key, const void *val)
{
	return stage(c, FP_CTL_SET, table, key, val);
}

int
fp_ctl_client_del(struct fp_ctl_client *c, uint16_t table, const void *key)
{
	return stage(c, FP_CTL_DEL, table, key, NULL);
}

int
fp_ctl_client_commit(struct fp_ctl_client *c, struct fp_ctl_reply *out)
{
	int rc = simple(c, FP_CTL_COMMIT, out);

	c->in_txn = 0;
	return rc;
}

int
fp_ctl_client_abort(struct fp_ctl_client *c)
{
	int rc = simple(c, FP_CTL_ABORT, NULL);

	c->in_txn = 0;
	return rc;
}

int
fp_ctl_client_dump(struct fp_ctl_client *c, uint16_t table, fp_ctl_client_dump_fn *fn, void *arg)
{
	struct fp_ctl_dump req = { .table = table };
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	union fp_table_key key;
	union fp_table_val val;
	uint32_t seq, n = 0;
	int rc, stop = 0;

	if (table >= FP_TABLE_MAX)
		return -EINVAL;
	rc = queue(c, FP_CTL_DUMP, &iov, 1, &seq);
	if (rc != 0)
		return rc;
	for (;;) {
		struct fp_ctl_reply r;
		struct fp_ctl_entry e;
		struct fp_ctl_hdr h;
		const uint8_t *p;

		rc = fp_ctl_client_recv(c, &h, (const void **)&p);
		if (rc != 0)
			return rc;
		if (h.type == FP_CTL_REPLY) {
			rc = parse_reply(c, &h, p, seq, &r);
			if (rc != 0)
				return rc;
			if (r.n != n)
				return broken(c, -EPROTO);
			return stop;
		}
		if (h.type != FP_CTL_ENTRY || h.seq != seq || h.len < sizeof(e))
			return broken(c, -EPROTO);
		memcpy(&e, p, sizeof(e));
		if (e.table != table || e.key_size != fp_names_key_size[table] ||
		    e.val_size != fp_names_val_size[table] ||
		    h.len != sizeof(e) + e.key_size + e.val_size)
			return broken(c, -EPROTO);
		n++;
		if (stop)
			continue;
		memcpy(&key, p + sizeof(e), e.key_size);
		memcpy(&val, p + sizeof(e) + e.key_size, e.val_size);
		stop = fn(table, &key, &val, arg);
	}
}

struct fp_ctl_client_stats *
fp_ctl_client_stats(struct fp_ctl_client *c)
{
	struct fp_ctl_client_stats *st;
	struct fp_ctl_reply r;
	struct fp_ctl_stats sh;
	struct fp_ctl_hdr h;
	const uint8_t *p;
	uint64_t wsize, size;
	uint32_t seq, i, n_s, n_d;
	int rc;

	rc = queue(c, FP_CTL_STATS, NULL, 0, &seq);
	if (rc != 0)
		goto err;
	rc = fp_ctl_client_recv(c, &h, (const void **)&p);
	if (rc != 0)
		goto err;
	if (h.type == FP_CTL_REPLY) {
		rc = parse_reply(c, &h, p, seq, &r);
		if (rc == 0)
			rc = broken(c, -EPROTO);
		goto err;
	}
	if (h.type != FP_CTL_STATS_REPLY || h.seq != seq || h.len < sizeof(sh)) {
		rc = broken(c, -EPROTO);
		goto err;
	}
	memcpy(&sh, p, sizeof(sh));
	if (sh.n_workers > h.len || sh.n_ports > h.len || sh.n_stat > h.len || sh.n_drop > h.len) {
		rc = broken(c, -EPROTO);
		goto err;
	}
	/* The server's counter lists may be longer or shorter than ours:
	 * take the common prefix of each.
	 */
	wsize = 16 + 8ULL * ((uint64_t)sh.n_stat + sh.n_drop);
	size = sizeof(sh) + wsize * sh.n_workers +
	       (uint64_t)sizeof(struct fp_ctl_port_stats) * sh.n_ports;
	if (size != h.len) {
		rc = broken(c, -EPROTO);
		goto err;
	}
	st = calloc(1, sizeof(*st) + sizeof(*st->workers) * (size_t)sh.n_workers +
			       sizeof(*st->ports) * (size_t)sh.n_ports);
	if (st == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	st->n_workers = sh.n_workers;
	st->n_ports = sh.n_ports;
	st->workers = (struct fp_ctl_worker_stats *)(st + 1);
	st->ports = (struct fp_ctl_port_stats *)(st->workers + sh.n_workers);
	n_s = sh.n_stat < FP_STAT_MAX ? sh.n_stat : FP_STAT_MAX;
	n_d = sh.n_drop < FP_DROP_MAX ? sh.n_drop : FP_DROP_MAX;
	p += sizeof(sh);
	for (i = 0; i < sh.n_workers; i++, p += wsize) {
		struct fp_ctl_worker_stats *w = &st->workers[i];

		memcpy(w, p, 16);
		memcpy(w->stats, p + 16, 8 * n_s);
		memcpy(w->drops, p + 16 + 8 * sh.n_stat, 8 * n_d);
	}
	memcpy(st->ports, p, sizeof(*st->ports) * sh.n_ports);
	for (i = 0; i < sh.n_ports; i++)
		st->ports[i].name[sizeof(st->ports[i].name) - 1] = '\0';
	return st;

err:
	errno = -rc;
	return NULL;
}

void
fp_ctl_client_stats_free(struct fp_ctl_client_stats *st)
{
	free(st);
}

/* Send a request and receive its answer of type want (at least min_len
 * bytes, payload in *p until the next call); a REPLY instead gives its
 * status.
 */
static int
request(struct fp_ctl_client *c, uint16_t type, const struct iovec *iov, int n, uint16_t want,
	uint32_t min_len, struct fp_ctl_hdr *h, const uint8_t **p)
{
	struct fp_ctl_reply r;
	uint32_t seq;
	int rc;

	rc = queue(c, type, iov, n, &seq);
	if (rc != 0)
		return rc;
	rc = fp_ctl_client_recv(c, h, (const void **)p);
	if (rc != 0)
		return rc;
	if (h->type == FP_CTL_REPLY) {
		rc = parse_reply(c, h, *p, seq, &r);
		return rc != 0 ? rc : broken(c, -EPROTO);
	}
	if (h->type != want || h->seq != seq || h->len < min_len)
		return broken(c, -EPROTO);
	return 0;
}

int
fp_ctl_client_trace(struct fp_ctl_client *c, uint32_t in_port, const void *frame, uint32_t len,
		    void **reply, uint32_t *reply_size)
{
	struct fp_ctl_trace_req req = { .in_port = in_port, .len = len };
	struct iovec iov[2] = { { .iov_base = &req, .iov_len = sizeof(req) },
				{ .iov_base = (void *)(uintptr_t)frame, .iov_len = len } };
	struct fp_ctl_hdr h;
	const uint8_t *p;
	int rc;

	if (len > FP_CTL_TRACE_FRAME_MAX)
		return -EMSGSIZE;
	rc = request(c, FP_CTL_TRACE, iov, 2, FP_CTL_TRACE_REPLY, sizeof(struct fp_ctl_trace), &h,
		     &p);
	if (rc != 0)
		return rc;
	*reply = malloc(h.len);
	if (*reply == NULL)
		return -ENOMEM;
	memcpy(*reply, p, h.len);
	*reply_size = h.len;
	return 0;
}

int
fp_ctl_client_ct_dump(struct fp_ctl_client *c, int zone, struct fp_ctl_ct_reply **reply)
{
	struct fp_ctl_ct_dump req = { 0 };
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct fp_ctl_ct_reply hdr;
	struct fp_ctl_hdr h;
	const uint8_t *p;
	int rc;

	if (zone > UINT16_MAX)
		return -EINVAL;
	if (zone >= 0) {
		req.zone = (uint16_t)zone;
		req.flags = FP_CTL_CT_F_ZONE;
	}
	rc = request(c, FP_CTL_CT_DUMP, &iov, 1, FP_CTL_CT_REPLY, sizeof(hdr), &h, &p);
	if (rc != 0)
		return rc;
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.n > FP_CTL_CT_DUMP_MAX ||
	    h.len != sizeof(hdr) + (size_t)hdr.n * sizeof(struct fp_ctl_ct_entry))
		return broken(c, -EPROTO);
	*reply = malloc(h.len);
	if (*reply == NULL)
		return -ENOMEM;
	memcpy(*reply, p, h.len);
	return 0;
}

int
fp_ctl_client_slowpath(struct fp_ctl_client *c, struct fp_ctl_slowpath *out)
{
	struct fp_ctl_hdr h;
	const uint8_t *p;
	int rc;

	rc = request(c, FP_CTL_SLOWPATH, NULL, 0, FP_CTL_SLOWPATH_REPLY, sizeof(*out), &h, &p);
	if (rc != 0)
		return rc;
	if (h.len != sizeof(*out))
		return broken(c, -EPROTO);
	memcpy(out, p, sizeof(*out));
	if (out->n_dhcp4 > FP_CTL_SLOWPATH_OUTCOME_MAX ||
	    out->n_dhcp6 > FP_CTL_SLOWPATH_OUTCOME_MAX || out->n_ra > FP_CTL_SLOWPATH_OUTCOME_MAX)
		return broken(c, -EPROTO);
	return 0;
}
