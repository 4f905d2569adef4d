/* SPDX-License-Identifier: BSD-3-Clause */
#include "metadata.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "addr.h"
#include "guard.h"
#include "log.h"
#include "md_link.h"

#define MD_BACKLOG 128
#define MD_IDLE_S 30	     /* evhttp's own idle timeout (the guard's limits come first) */
#define MD_UP_HEAD_MAX 16384 /* Nova's answer head, bytes */
#define MD_STATE_SERVED "serving: the engine delivers VMs' metadata connections"
#define MD_STATE_NOT_DELIVERED                                                          \
	"proxy listening, answering 503: the engine does not deliver VMs' connections " \
	"(doc/routing.md)"

#define FP_MD_OUTCOME_NAME(id, name, status) [FP_MD_##id] = name,
const char *const fp_md_outcome_names[FP_MD_OUTCOME_MAX] = { FP_FOREACH_MD_OUTCOME(
	FP_MD_OUTCOME_NAME) };
#undef FP_MD_OUTCOME_NAME

/* A port's token bucket: milli-requests, refilled at rate per second. */
struct bucket {
	int64_t t_ms;	    /* last refill; 0: never used (full) */
	uint64_t milli;	    /* tokens x 1000 */
	uint32_t n_pending; /* the port's requests waiting for Nova */
	uint32_t pad;	    /* zero */
};

/* A request waiting for Nova. */
struct pending {
	struct fp_md *md;	      /* owner */
	struct evhttp_request *req;   /* the VM's, answered once; NULL once gone */
	struct evhttp_connection *vm; /* its connection while we watch its end */
	struct evhttp_connection *up; /* to Nova; NULL once libevent freed it */
	struct event *deadline;	      /* timeout_ms for Nova's whole answer */
	int up_error;		      /* the evhttp_request_error Nova's side failed with, or -1 */
	int in_make;		      /* inside evhttp_make_request() */
	int done_early;		      /* up_done() ran inside it */
	struct timespec t0;	      /* when the request came */
	struct fp_md_instance inst;   /* who asked */
	char peer[INET_ADDRSTRLEN];   /* the link address */
	LIST_ENTRY(pending) link;     /* in md->pendings */
};

struct fp_md {
	struct event_base *base;		      /* the loop */
	struct evhttp *http;			      /* the listener */
	struct fp_guard *guard;			      /* limits in front of it */
	struct fp_ctrl_md_config cfg;		      /* the configuration */
	struct fp_md_ops ops;			      /* lookups */
	void *arg;				      /* for ops */
	uint16_t port;				      /* bound port */
	char nova_host[80];			      /* Host: header of upstream requests */
	struct bucket *buckets;			      /* per engine port (link id) */
	LIST_HEAD(, pending) pendings;		      /* waiting for Nova */
	uint32_t n_pending;			      /* on pendings */
	uint64_t n_requests;			      /* handled */
	uint64_t n[FP_MD_OUTCOME_MAX];		      /* per outcome */
	struct fp_guard_rate warn[FP_MD_OUTCOME_MAX]; /* warnings per outcome */
};

/* ---------------------------------------------------------------------
 * Who is behind a peer address; the signature.
 */

/* Printable ASCII without spaces, as UUIDs and keystone ids are. */
static int
id_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return 0;
	return 1;
}

int
fp_md_instance_find(const struct fp_model *m, const char *host, const struct fp_engine_port *ports,
		    size_t n_ports, uint32_t peer, struct fp_md_instance *out, const char **why)
{
	const struct fp_engine_port *ep = NULL;
	const struct fp_model_port *found = NULL;
	const char *dummy;
	size_t i, n, n_found = 0;
	uint32_t link;

	memset(out, 0, sizeof(*out));
	if (why == NULL)
		why = &dummy;
	if (fp_md_link_port(peer, &link) < 0) {
		*why = "not a link address (169.254.1.0 .. 169.254.127.255)";
		return -EADDRNOTAVAIL;
	}
	out->link_id = link;
	for (i = 0; i < n_ports && ep == NULL; i++)
		if (ports[i].id == link && ports[i].role == FP_PORT_ROLE_VM)
			ep = &ports[i];
	if (ep == NULL) {
		*why = "no VM port of the engine has that id";
		return -ENOENT;
	}
	n = fp_model_count(m, FP_MODEL_PORT);
	for (i = 0; i < n; i++) {
		const struct fp_model_port *p = fp_model_port_at(m, i);

		if (p->owner != FP_MODEL_OWNER_VM || strcmp(p->host, host) != 0 ||
		    strcmp(p->dp_port, ep->name) != 0)
			continue;
		found = p;
		n_found++;
	}
	if (n_found == 0) {
		*why = "no Neutron port is bound to that engine port";
		return -ENOENT;
	}
	if (n_found > 1) {
		*why = "more than one Neutron port is bound to that engine port";
		return -EEXIST;
	}
	snprintf(out->port_id, sizeof(out->port_id), "%s", found->id);
	if (found->device_id[0] == '\0' || found->project_id[0] == '\0') {
		*why = found->device_id[0] == '\0' ? "the port has no device_id (no instance)" :
						     "the port has no project_id";
		return -ENODATA;
	}
	/* They go into Nova's request's headers: printable ASCII only. */
	if (!id_ok(found->device_id) || !id_ok(found->project_id)) {
		*why = !id_ok(found->device_id) ?
			       "the port's device_id holds a space, a control or a non-ASCII "
			       "character" :
			       "the port's project_id holds a space, a control or a non-ASCII "
			       "character";
		return -EINVAL;
	}
	snprintf(out->instance_id, sizeof(out->instance_id), "%s", found->device_id);
	snprintf(out->project_id, sizeof(out->project_id), "%s", found->project_id);
	/* The first IPv4 fixed IP (the VM asked over IPv4), else the first. */
	for (i = 0; i < found->n_fixed_ips && out->fixed_ip[0] == '\0'; i++)
		if (fp_addr_ip_is_v4(&found->fixed_ips[i].ip))
			fp_addr_ip_str(&found->fixed_ips[i].ip, out->fixed_ip);
	if (out->fixed_ip[0] == '\0' && found->n_fixed_ips > 0)
		fp_addr_ip_str(&found->fixed_ips[0].ip, out->fixed_ip);
	return 0;
}

int
fp_md_sign(const char *secret, const char *instance_id, char out[FP_MD_SIG_SIZE])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)instance_id,
		 strlen(instance_id), mac, &len) == NULL ||
	    len != 32) {
		out[0] = '\0';
		return -ENOMEM;
	}
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

/* ---------------------------------------------------------------------
 * Answers
 */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
status_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 429:
		return "Too Many Requests";
	case 502:
		return "Bad Gateway";
	case 504:
		return "Gateway Timeout";
	default:
		return "Internal Server Error";
	}
}

/* Answer the VM, count, log.  body: Nova's (moved out), or NULL for a
 * short text one.  The connection closes after it (one request each).
 */
static void
answer(struct fp_md *md, struct evhttp_request *req, const struct timespec *t0, const char *peer,
       const struct fp_md_instance *inst, enum fp_md_outcome o, int status, struct evbuffer *body,
       const char *ctype, const char *detail)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = body ? body : evbuffer_new();
	const char *uri = evhttp_request_get_uri(req);
	int text = body == NULL;
	uint64_t n;

	md->n[o]++;
	/* Answered: the connection's end no longer concerns a pending. */
	if (evhttp_request_get_connection(req) != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	evhttp_add_header(h, "Connection", "close");
	if (!text && ctype != NULL && evhttp_add_header(h, "Content-Type", ctype) < 0) {
		/* Nova's Content-Type is no header value: not passed on. */
		md->n[o]--;
		o = FP_MD_INTERNAL;
		md->n[o]++;
		status = 500;
		detail = "Nova's Content-Type is not a valid header value";
		if (b != NULL)
			evbuffer_drain(b, evbuffer_get_length(b));
		text = 1;
	}
	if (text && b != NULL) {
		evbuffer_add_printf(b, "%d %s\n", status, status_reason(status));
		evhttp_add_header(h, "Content-Type", "text/plain; charset=UTF-8");
	}
	evhttp_send_reply(req, status, status_reason(status), b);
	if (b != NULL && b != body)
		evbuffer_free(b);
	if (inst != NULL && !id_ok(inst->instance_id))
		inst = NULL; /* not logged: it may hold line breaks */
	if (o == FP_MD_OK || o == FP_MD_NOVA_REFUSED)
		fp_log(FP_LOG_DEBUG,
		       "metadata: %s from %s (port %s, instance %s): %d %s %.3f ms%s%s",
		       uri ? uri : "", peer, inst && inst->port_id[0] ? inst->port_id : "-",
		       inst && inst->instance_id[0] ? inst->instance_id : "-", status,
		       fp_md_outcome_names[o], ms_since(t0), detail ? ": " : "",
		       detail ? detail : "");
	else if (fp_guard_rate_ok(&md->warn[o], &n))
		fp_log(FP_LOG_WARN,
		       "metadata: request from %s (port %s, instance %s): %d %s%s%s (%" PRIu64
		       " more since)",
		       peer, inst && inst->port_id[0] ? inst->port_id : "-",
		       inst && inst->instance_id[0] ? inst->instance_id : "-", status,
		       fp_md_outcome_names[o], detail ? ": " : "", detail ? detail : "", n);
}

static void
pending_free(struct pending *p)
{
	LIST_REMOVE(p, link);
	p->md->n_pending--;
	p->md->buckets[p->inst.link_id % FP_MD_LINK_N].n_pending--;
	if (p->vm != NULL)
		evhttp_connection_set_closecb(p->vm, NULL, NULL);
	if (p->deadline != NULL)
		event_free(p->deadline);
	if (p->up != NULL)
		evhttp_connection_free(p->up); /* frees its request, no callback */
	free(p);
}

static void
conn_free_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

/* Nova's answer (resp), or its failure.  libevent 2.1 frees the
 * connection (free_on_completion) after an answer and before a failure
 * it reports with resp NULL, but not when the connection could not be
 * made (resp with status 0): that one is freed here, once libevent is
 * done with it.
 */
static void
up_done(struct evhttp_request *resp, void *arg)
{
	struct pending *p = arg;
	struct fp_md *md = p->md;
	int code = resp ? evhttp_request_get_response_code(resp) : 0;
	struct timeval now = { 0, 0 };
	char detail[192];

	if (resp != NULL && code == 0 &&
	    event_base_once(md->base, -1, EV_TIMEOUT, conn_free_cb, p->up, &now) < 0)
		fp_log(FP_LOG_WARN, "metadata: cannot free a connection to Nova: out of memory");
	p->up = NULL;
	if (p->in_make) {
		p->done_early = 1;
		return;
	}
	if (code == 0) {
		int timeout = p->up_error == EVREQ_HTTP_TIMEOUT;

		snprintf(detail, sizeof(detail), "Nova %s:%u %s", md->cfg.nova_addr,
			 md->cfg.nova_port,
			 timeout ? "did not answer in time" :
			 p->up_error == EVREQ_HTTP_DATA_TOO_LONG ?
				   "answered more than max_response" :
				   "unreachable or no HTTP answer");
		answer(md, p->req, &p->t0, p->peer, &p->inst,
		       timeout ? FP_MD_UPSTREAM_TIMEOUT : FP_MD_UPSTREAM_ERROR, timeout ? 504 : 502,
		       NULL, NULL, detail);
	} else if (code == 200) {
		const char *ct = evhttp_find_header(evhttp_request_get_input_headers(resp),
						    "Content-Type");
		struct evbuffer *b = evbuffer_new();

		if (b == NULL) {
			answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_INTERNAL, 500, NULL,
			       NULL, "out of memory");
		} else {
			evbuffer_add_buffer(b, evhttp_request_get_input_buffer(resp));
			answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_OK, 200, b, ct, NULL);
			evbuffer_free(b);
		}
	} else if (code == 400 || code == 404 || code == 409) {
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_NOVA_REFUSED, code, NULL, NULL,
		       NULL);
	} else if (code == 403) {
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_FORBIDDEN, 403, NULL, NULL,
		       "Nova refused the signature: do shared_secret_file and Nova's "
		       "metadata_proxy_shared_secret agree?");
	} else {
		snprintf(detail, sizeof(detail), "Nova answered %d", code);
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_NOVA_ERROR, 500, NULL, NULL,
		       detail);
	}
	pending_free(p);
}

static void
up_error(enum evhttp_request_error e, void *arg)
{
	struct pending *p = arg;

	p->up_error = (int)e;
}

/* Nova took longer than timeout_ms for the whole answer. */
static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	char detail[192];

	(void)fd;
	(void)what;
	snprintf(detail, sizeof(detail), "Nova %s:%u did not answer within %u ms",
		 p->md->cfg.nova_addr, p->md->cfg.nova_port, p->md->cfg.timeout_ms);
	answer(p->md, p->req, &p->t0, p->peer, &p->inst, FP_MD_UPSTREAM_TIMEOUT, 504, NULL, NULL,
	       detail);
	pending_free(p);
}

/* The VM's connection went away (closed, or refused by the guard) while
 * its request waits for Nova: evhttp frees the request after this, so
 * Nova's side is cancelled and nothing answers it.
 */
static void
vm_gone(struct evhttp_connection *evcon, void *arg)
{
	struct pending *p = arg;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	/* evhttp frees the request with the connection, unless it let go
	 * of it (a timeout or EOF while we held it): then it is ours.
	 */
	if (evhttp_request_get_connection(p->req) == NULL)
		evhttp_request_free(p->req);
	p->req = NULL;
	p->vm = NULL;
	fp_log(FP_LOG_DEBUG, "metadata: %s went away before Nova answered (%.3f ms)", p->peer,
	       ms_since(&p->t0));
	pending_free(p);
}

/* Take a token from the port's bucket; 0 when it is empty. */
static int
bucket_take(struct fp_md *md, uint32_t link)
{
	struct bucket *b = &md->buckets[link];
	uint64_t cap = (uint64_t)md->cfg.burst * 1000;
	int64_t t = now_ms();

	if (b->t_ms == 0) {
		b->milli = cap;
	} else if (t > b->t_ms) {
		uint64_t add = (uint64_t)(t - b->t_ms) * md->cfg.rate;

		b->milli = b->milli + add > cap ? cap : b->milli + add;
	}
	b->t_ms = t;
	if (b->milli < 1000)
		return 0;
	b->milli -= 1000;
	return 1;
}

/* The path and query to ask Nova for: the request's, when it is
 * origin-form ("/..."); else the path of an absolute URI.
 */
static char *
up_uri(struct evhttp_request *req)
{
	const char *uri = evhttp_request_get_uri(req);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path, *query;
	char *out;
	size_t n;

	if (uri == NULL)
		return NULL;
	if (uri[0] == '/')
		return strdup(uri);
	path = u ? evhttp_uri_get_path(u) : NULL;
	query = u ? evhttp_uri_get_query(u) : NULL;
	if (path == NULL || path[0] != '/')
		return NULL;
	n = strlen(path) + (query ? strlen(query) + 1 : 0) + 1;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s%s%s", path, query ? "?" : "", query ? query : "");
	return out;
}

/* Ask Nova; 0, or -errno after answering the VM. */
static int
up_send(struct fp_md *md, struct pending *p, enum evhttp_cmd_type cmd)
{
	struct timeval tv = { .tv_sec = md->cfg.timeout_ms / 1000,
			      .tv_usec = (md->cfg.timeout_ms % 1000) * 1000 };
	struct timeval backstop = { .tv_sec = tv.tv_sec + 1, .tv_usec = tv.tv_usec };
	struct evhttp_request *ur;
	struct evkeyvalq *h;
	char sig[FP_MD_SIG_SIZE];
	const char *ct;
	char *uri;
	int rc;

	uri = up_uri(p->req);
	if (uri == NULL) {
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_BAD_REQUEST, 400, NULL, NULL,
		       "no path in the request");
		return -EINVAL;
	}
	if (fp_md_sign(md->cfg.secret, p->inst.instance_id, sig) < 0)
		goto err_nomem;
	p->up = evhttp_connection_base_new(md->base, NULL, md->cfg.nova_addr, md->cfg.nova_port);
	ur = p->up ? evhttp_request_new(up_done, p) : NULL;
	p->deadline = evtimer_new(md->base, on_deadline, p);
	if (ur == NULL || p->deadline == NULL) {
		if (ur != NULL)
			evhttp_request_free(ur);
		goto err_nomem;
	}
	/* Our deadline (tv) ends the whole exchange with a 504; libevent's
	 * timeouts (connect included, which it reports without an error
	 * code) are a backstop a second later.
	 */
	evhttp_connection_set_timeout_tv(p->up, &backstop);
	evhttp_connection_set_retries(p->up, 0);
	evhttp_connection_set_max_headers_size(p->up, MD_UP_HEAD_MAX);
	evhttp_connection_set_max_body_size(p->up, md->cfg.max_response);
	evhttp_request_set_error_cb(ur, up_error);
	h = evhttp_request_get_output_headers(ur);
	ct = evhttp_find_header(evhttp_request_get_input_headers(p->req), "Content-Type");
	/* A header evhttp does not take (a line break in a value) fails
	 * the request: Nova never gets one without its identity.
	 */
	if (evhttp_add_header(h, "Host", md->nova_host) < 0 ||
	    evhttp_add_header(h, "Connection", "close") < 0 ||
	    (p->inst.fixed_ip[0] != '\0' &&
	     evhttp_add_header(h, "X-Forwarded-For", p->inst.fixed_ip) < 0) ||
	    evhttp_add_header(h, "X-Instance-ID", p->inst.instance_id) < 0 ||
	    evhttp_add_header(h, "X-Tenant-ID", p->inst.project_id) < 0 ||
	    evhttp_add_header(h, "X-Instance-ID-Signature", sig) < 0 ||
	    (ct != NULL && evhttp_add_header(h, "Content-Type", ct) < 0)) {
		evhttp_request_free(ur);
		free(uri);
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_INTERNAL, 500, NULL, NULL,
		       "a header of Nova's request is not valid (the instance's ids?)");
		return -EINVAL;
	}
	if (evbuffer_get_length(evhttp_request_get_input_buffer(p->req)) > 0)
		evbuffer_add_buffer(evhttp_request_get_output_buffer(ur),
				    evhttp_request_get_input_buffer(p->req));
	evhttp_connection_free_on_completion(p->up);
	p->in_make = 1;
	rc = evhttp_make_request(p->up, ur, cmd, uri);
	p->in_make = 0;
	free(uri);
	uri = NULL;
	if (rc < 0 || p->done_early) {
		/* Failed at once (no socket): the request is gone, and the
		 * connection too if up_done() ran.
		 */
		answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_UPSTREAM_ERROR, 502, NULL, NULL,
		       "cannot connect to Nova");
		return -EIO;
	}
	evtimer_add(p->deadline, &tv);
	return 0;

err_nomem:
	free(uri);
	answer(md, p->req, &p->t0, p->peer, &p->inst, FP_MD_INTERNAL, 500, NULL, NULL,
	       "out of memory");
	return -ENOMEM;
}

/* Are VMs' connections delivered by the engine (or assumed to be, in tests)? */
static int
md_delivered(struct fp_md *md)
{
	return md->cfg.test_assume_delivered || md->ops.delivered(md->arg);
}

/* A VM's request. */
static void
handle(struct evhttp_request *req, void *arg)
{
	struct fp_md *md = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct sockaddr *sa = evcon ? evhttp_connection_get_addr(evcon) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct pending *p = calloc(1, sizeof(*p));
	const char *why = NULL;
	struct timespec t0;
	uint32_t peer = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	md->n_requests++;
	if (p == NULL) {
		answer(md, req, &t0, "?", NULL, FP_MD_INTERNAL, 500, NULL, NULL, "out of memory");
		return;
	}
	p->md = md;
	p->req = req;
	p->t0 = t0;
	p->up_error = -1;
	snprintf(p->peer, sizeof(p->peer), "?");
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		peer = ntohl(s4->sin_addr.s_addr);
		inet_ntop(AF_INET, &s4->sin_addr, p->peer, sizeof(p->peer));
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD && cmd != EVHTTP_REQ_POST) {
		answer(md, req, &t0, p->peer, NULL, FP_MD_BAD_REQUEST, 405, NULL, NULL,
		       "use GET, HEAD or POST");
		free(p);
		return;
	}
	/* Only the engine's delivery (after the port's anti-spoofing check)
	 * makes the source address a port's: without it, nothing is served.
	 */
	if (!md_delivered(md)) {
		answer(md, req, &t0, p->peer, NULL, FP_MD_NOT_DELIVERED, 503, NULL, NULL,
		       "the engine does not deliver VMs' metadata connections (yet)");
		free(p);
		return;
	}
	rc = sa != NULL && sa->sa_family == AF_INET ?
		     md->ops.lookup(md->arg, peer, &p->inst, &why) :
		     -EADDRNOTAVAIL;
	if (rc == -EADDRNOTAVAIL) {
		answer(md, req, &t0, p->peer, NULL, FP_MD_UNKNOWN_PEER, 404, NULL, NULL,
		       why ? why : "not an IPv4 peer");
		free(p);
		return;
	}
	if (!bucket_take(md, p->inst.link_id % FP_MD_LINK_N)) {
		answer(md, req, &t0, p->peer, &p->inst, FP_MD_RATE_LIMITED, 429, NULL, NULL,
		       "over the port's rate");
		free(p);
		return;
	}
	if (rc < 0) {
		answer(md, req, &t0, p->peer, &p->inst, FP_MD_UNKNOWN_PORT, 404, NULL, NULL, why);
		free(p);
		return;
	}
	if (md->buckets[p->inst.link_id % FP_MD_LINK_N].n_pending >= md->cfg.max_pending_per_port) {
		char detail[96];

		snprintf(detail, sizeof(detail),
			 "%u requests of the port wait for Nova (max_pending_per_port)",
			 md->buckets[p->inst.link_id % FP_MD_LINK_N].n_pending);
		answer(md, req, &t0, p->peer, &p->inst, FP_MD_PENDING_LIMITED, 429, NULL, NULL,
		       detail);
		free(p);
		return;
	}
	LIST_INSERT_HEAD(&md->pendings, p, link);
	md->n_pending++;
	md->buckets[p->inst.link_id % FP_MD_LINK_N].n_pending++;
	if (up_send(md, p, cmd) < 0)
		pending_free(p);
	else if (evcon != NULL) {
		p->vm = evcon;
		evhttp_connection_set_closecb(evcon, vm_gone, p);
	}
}

/* ---------------------------------------------------------------------
 * The listener
 */

static int
listen_socket(const struct fp_ctrl_md_config *cfg, uint16_t *port, char *err, size_t errsz)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(cfg->listen_port) };
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	if (inet_pton(AF_INET, cfg->listen_addr, &sa.sin_addr) != 1) {
		snprintf(err, errsz, "metadata: %s: not an IPv4 address", cfg->listen_addr);
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	/* FREEBIND: the address may not exist yet (the TAP comes with the
	 * dataplane).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, MD_BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		goto err;
	}
	*port = ntohs(sa.sin_port);
	return fd;
err:
	snprintf(err, errsz, "metadata: listen %s:%u: %s", cfg->listen_addr, cfg->listen_port,
		 strerror(errno));
	return -errno;
}

struct fp_md *
fp_md_create(struct event_base *base, const struct fp_ctrl_md_config *cfg,
	     const struct fp_md_ops *ops, void *arg, char *err, size_t errsz)
{
	struct fp_md *md = calloc(1, sizeof(*md));
	struct fp_guard_limits lim = {
		.max_conns = cfg->max_conns,
		.max_head = FP_MD_HEAD_MAX,
		.max_body = FP_MD_BODY_MAX,
		.request_ms = cfg->request_ms,
		.methods = "GET HEAD POST",
		.one_request = 1,
		.max_conns_per_peer = cfg->max_conns_per_port,
		.deadline_at_accept = 1,
	};
	uint32_t idle_s;
	int fd;

	if (md == NULL)
		goto err_nomem;
	md->base = base;
	md->cfg = *cfg;
	md->ops = *ops;
	md->arg = arg;
	LIST_INIT(&md->pendings);
	snprintf(md->nova_host, sizeof(md->nova_host),
		 strchr(cfg->nova_addr, ':') ? "[%s]:%u" : "%s:%u", cfg->nova_addr, cfg->nova_port);
	md->buckets = calloc(FP_MD_LINK_N, sizeof(*md->buckets));
	md->http = evhttp_new(base);
	if (md->buckets == NULL || md->http == NULL)
		goto err_nomem;
	evhttp_set_max_headers_size(md->http, FP_MD_HEAD_MAX + 1024);
	evhttp_set_max_body_size(md->http, FP_MD_BODY_MAX);
	evhttp_set_allowed_methods(md->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
	/* evhttp's idle timeout must not cut a request the guard allows,
	 * nor one waiting for Nova.
	 */
	idle_s = (cfg->request_ms > cfg->timeout_ms ? cfg->request_ms : cfg->timeout_ms) / 1000 + 1;
	evhttp_set_timeout(md->http, idle_s > MD_IDLE_S ? (int)idle_s : MD_IDLE_S);
	evhttp_set_gencb(md->http, handle, md);
	md->guard = fp_guard_create(base, md->http, "metadata", &lim);
	if (md->guard == NULL)
		goto err_nomem;
	fd = listen_socket(cfg, &md->port, err, errsz);
	if (fd < 0) {
		errno = -fd;
		goto err_free;
	}
	if (fp_guard_serve(md->guard, fd) < 0) {
		snprintf(err, errsz, "metadata: %s:%u: cannot serve on it", cfg->listen_addr,
			 md->port);
		goto err_free;
	}
	fp_log(FP_LOG_INFO, "metadata: proxy on %s:%u to Nova %s (%s)", cfg->listen_addr, md->port,
	       md->nova_host, md_delivered(md) ? MD_STATE_SERVED : MD_STATE_NOT_DELIVERED);
	return md;

err_nomem:
	snprintf(err, errsz, "metadata: %s", strerror(ENOMEM));
	errno = ENOMEM;
err_free:
	fp_md_free(md);
	return NULL;
}

uint16_t
fp_md_port(const struct fp_md *md)
{
	return md->port;
}

void
fp_md_status_get(struct fp_md *md, struct fp_md_status *out)
{
	memset(out, 0, sizeof(*out));
	if (md == NULL) {
		out->state = "off (no fp_control.metadata group)";
		return;
	}
	out->enabled = 1;
	out->delivered = md_delivered(md);
	out->state = out->delivered ? MD_STATE_SERVED : MD_STATE_NOT_DELIVERED;
	snprintf(out->listen, sizeof(out->listen), "%s:%u", md->cfg.listen_addr, md->port);
	snprintf(out->nova, sizeof(out->nova), "http://%s", md->nova_host);
	out->conns = fp_guard_conns(md->guard);
	out->pending = md->n_pending;
	out->n_requests = md->n_requests;
	memcpy(out->n, md->n, sizeof(out->n));
	out->limits = md->cfg;
	memset(out->limits.secret, 0, sizeof(out->limits.secret));
}

void
fp_md_free(struct fp_md *md)
{
	struct pending *p;

	if (md == NULL)
		return;
	/* Nova's side first (no callbacks), then the VMs' connections. */
	while ((p = LIST_FIRST(&md->pendings)) != NULL)
		pending_free(p);
	if (md->http != NULL)
		evhttp_free(md->http);
	fp_guard_free(md->guard);
	free(md->buckets);
	explicit_bzero(md->cfg.secret, sizeof(md->cfg.secret));
	free(md);
}
