/* SPDX-License-Identifier: BSD-3-Clause */
#include "guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "api_json.h"
#include "log.h"

#define GUARD_TICK_MS 250	/* deadlines are checked this often */
#define GUARD_PAUSE_MS 1000	/* a listener whose accept() failed rests this long */
#define GUARD_WARN_MS 1000	/* one warning of a kind this often at most */
#define GUARD_RESPONSE_MAX 1024 /* a refusal, head and body */

struct conn {
	struct fp_guard *g;	      /* owner; NULL once it is freed */
	struct bufferevent *bev;      /* the connection (one reference is ours) */
	TAILQ_ENTRY(conn) link;	      /* in g->conns */
	TAILQ_ENTRY(conn) refusal;    /* in g->refusals while pending */
	char *head;		      /* the request head so far */
	size_t head_len;	      /* bytes in head */
	uint64_t body_left;	      /* body bytes still to come */
	int64_t deadline_ms;	      /* the request must be in by then; 0: none under way */
	int refused;		      /* 0, or the status it is refused with */
	int done;		      /* one_request: its request is in; nothing more is read */
	int pending;		      /* on g->refusals */
	int fresh;		      /* its peer not looked at yet (max_conns_per_peer) */
	socklen_t peer_len;	      /* 0: no IP peer */
	struct sockaddr_storage peer; /* the peer's address, port zeroed */
	struct fp_guard_head why;     /* the refusal's field and reason */
};

TAILQ_HEAD(conn_list, conn);

struct fp_guard {
	struct event_base *base;	   /* the loop */
	struct evhttp *http;		   /* guarded */
	char name[16];			   /* for messages */
	struct fp_guard_limits lim;	   /* limits (token points into token) */
	char token[512];		   /* copy of lim.token */
	char methods[64];		   /* copy of lim.methods */
	struct conn_list conns;		   /* every connection we hold */
	struct conn_list refusals;	   /* waiting for refuse_ev */
	struct event *refuse_ev;	   /* answers and closes refused connections */
	struct event *admit_ev;		   /* counts new connections per peer */
	struct event *tick;		   /* deadlines and freed connections */
	struct event *resume;		   /* re-enables a paused listener */
	struct evconnlistener *lev;	   /* the listener, once added */
	struct fp_guard_rate warn_accept;  /* accept() failures */
	struct fp_guard_rate warn_full;	   /* connections over max_conns */
	struct fp_guard_rate warn_refused; /* refused requests */
	struct fp_guard_rate warn_peer;	   /* connections over max_conns_per_peer */
	LIST_ENTRY(fp_guard) link;	   /* in guards */
};

/* Every guard, to find one from its listener: a listener's error
 * callback gets evhttp's argument, not ours.
 */
static LIST_HEAD(, fp_guard) guards = LIST_HEAD_INITIALIZER(guards);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
fp_guard_rate_ok(struct fp_guard_rate *r, uint64_t *n)
{
	int64_t t = now_ms();

	if (r->last_ms != 0 && t - r->last_ms < GUARD_WARN_MS) {
		r->n_suppressed++;
		return 0;
	}
	*n = r->n_suppressed;
	r->n_suppressed = 0;
	r->last_ms = t;
	return 1;
}

/* Constant-time comparison: the token is a secret. */
static int
token_eq(const char *have, size_t have_len, const char *want)
{
	size_t i, n = strlen(want);
	unsigned char d = 0;

	if (have_len != n)
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(have[i] ^ want[i]);
	return d == 0;
}

static int head_fail(struct fp_guard_head *out, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
head_fail(struct fp_guard_head *out, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	snprintf(out->field, sizeof(out->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return status;
}

/* The next line of [*p, end): its start and length without CR LF;
 * 0 at the end.
 */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL)
		nl = end;
	*line = *p;
	*len = (size_t)(nl - *p);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	*p = nl < end ? nl + 1 : end;
	return 1;
}

static int
name_is(const char *line, size_t name_len, const char *name)
{
	return name_len == strlen(name) && strncasecmp(line, name, name_len) == 0;
}

/* Is the method m[0..n) one of the space-separated list? */
static int
method_ok(const char *list, const char *m, size_t n)
{
	const char *p = list;

	while (*p != '\0') {
		size_t k = strcspn(p, " ");

		if (k == n && strncmp(p, m, n) == 0)
			return 1;
		p += k;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int
fp_guard_head_check(const char *head, size_t len, const struct fp_guard_limits *lim,
		    struct fp_guard_head *out)
{
	const char *p = head, *end = head + len, *line, *req, *sp1, *sp2, *auth = NULL;
	size_t n, auth_len = 0, i;
	int have_len = 0;

	memset(out, 0, sizeof(*out));
	/* Empty lines before the request line are allowed (RFC 9112 2.2). */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (!next_line(&p, end, &line, &n) || n == 0)
		return head_fail(out, 400, "request", "no request line");
	req = line;
	sp1 = memchr(line, ' ', n);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line + n - sp1 - 1)) : NULL;
	if (sp1 == NULL || sp2 == NULL || sp2 == sp1 + 1 || (size_t)(line + n - sp2 - 1) != 8 ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return head_fail(out, 400, "request",
				 "the request line must be \"METHOD /path HTTP/1.x\"");
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return head_fail(out, 400, "path",
					 "the request line holds a control character");
	/* Headers: syntax first, then what they say. */
	while (next_line(&p, end, &line, &n) && n > 0) {
		const char *colon = memchr(line, ':', n), *v;
		size_t nl, vl;

		if (colon == NULL || colon == line)
			return head_fail(out, 400, "headers", "a header line without a name");
		nl = (size_t)(colon - line);
		v = colon + 1;
		vl = (size_t)(line + n - v);
		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		if (name_is(line, nl, "Authorization")) {
			auth = v;
			auth_len = vl;
		} else if (name_is(line, nl, "Content-Length")) {
			uint64_t x = 0;

			if (vl == 0 || vl > 19)
				return head_fail(out, 400, "Content-Length",
						 "must be a decimal number of bytes");
			for (i = 0; i < vl; i++) {
				if (v[i] < '0' || v[i] > '9')
					return head_fail(out, 400, "Content-Length",
							 "must be a decimal number of bytes");
				x = x * 10 + (uint64_t)(v[i] - '0');
			}
			if (have_len && x != out->body_len)
				return head_fail(out, 400, "Content-Length",
						 "given twice with different values");
			out->body_len = x;
			have_len = 1;
		} else if (name_is(line, nl, "Transfer-Encoding")) {
			return head_fail(out, 411, "Content-Length",
					 "a body needs Content-Length (Transfer-Encoding is not "
					 "supported)");
		} else if (name_is(line, nl, "Expect")) {
			if (vl != 12 || strncasecmp(v, "100-continue", 12) != 0)
				return head_fail(out, 417, "Expect",
						 "only 100-continue is supported");
		}
	}
	if (lim->token != NULL &&
	    (auth == NULL || auth_len < 7 || strncmp(auth, "Bearer ", 7) != 0 ||
	     !token_eq(auth + 7, auth_len - 7, lim->token))) {
		out->body_len = 0;
		return head_fail(out, 401, "Authorization", "a valid bearer token is required");
	}
	n = (size_t)(sp1 - req);
	if (!method_ok(lim->methods ? lim->methods : "GET PUT DELETE", req, n))
		return head_fail(out, 405, "method", "%.*s: use %s", (int)(n < 16 ? n : 16), req,
				 lim->methods ? lim->methods : "GET, PUT or DELETE");
	/* evhttp reads no body after HEAD or TRACE: bytes said to follow
	 * would be left unread, keeping the request's deadline running.
	 */
	if (out->body_len > 0 &&
	    ((n == 4 && strncmp(req, "HEAD", 4) == 0) || (n == 5 && strncmp(req, "TRACE", 5) == 0)))
		return head_fail(out, 400, "Content-Length", "%.*s takes no body", (int)n, req);
	if (out->body_len > lim->max_body)
		return head_fail(out, 413, "body",
				 "%" PRIu64 " bytes: larger than max_body (%" PRIu64 " bytes)",
				 out->body_len, lim->max_body);
	return 0;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 411:
		return "Length Required";
	case 413:
		return "Payload Too Large";
	case 417:
		return "Expectation Failed";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

/* Has evhttp freed the connection?  Its callbacks are cleared then. */
static void *
conn_evcon(const struct conn *c)
{
	bufferevent_event_cb ecb = NULL;
	void *arg = NULL;

	bufferevent_getcb(c->bev, NULL, NULL, &ecb, &arg);
	return ecb != NULL ? arg : NULL;
}

static void in_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg);

static void
conn_free(struct conn *c)
{
	struct fp_guard *g = c->g;

	if (g != NULL) {
		TAILQ_REMOVE(&g->conns, c, link);
		if (c->pending)
			TAILQ_REMOVE(&g->refusals, c, refusal);
	}
	evbuffer_remove_cb(bufferevent_get_input(c->bev), in_cb, c);
	bufferevent_decref(c->bev);
	free(c->head);
	free(c);
}

/* Drop the connections evhttp is done with; the number left. */
static uint32_t
sweep(struct fp_guard *g)
{
	struct conn *c, *next;
	uint32_t n = 0;

	for (c = TAILQ_FIRST(&g->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (conn_evcon(c) == NULL)
			conn_free(c);
		else if (!c->refused)
			n++;
	}
	return n;
}

static void
refuse(struct conn *c, int status, const char *field, const char *reason)
{
	struct fp_guard *g = c->g;
	uint64_t n;

	if (c->refused)
		return;
	c->refused = status;
	c->why.status = status;
	if (field != c->why.field)
		snprintf(c->why.field, sizeof(c->why.field), "%s", field);
	if (reason != c->why.reason)
		snprintf(c->why.reason, sizeof(c->why.reason), "%s", reason);
	if (status != 503 && fp_guard_rate_ok(&g->warn_refused, &n))
		fp_log(FP_LOG_WARN, "API %s: request refused: %d %s: %s (%" PRIu64 " more since)",
		       g->name, status, c->why.field, c->why.reason, n);
	c->pending = 1;
	TAILQ_INSERT_TAIL(&g->refusals, c, refusal);
	event_active(g->refuse_ev, EV_TIMEOUT, 0);
}

/* Answer and close the refused connections. */
static void
on_refuse(evutil_socket_t fd, short what, void *arg)
{
	struct fp_guard *g = arg;
	struct conn *c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&g->refusals)) != NULL) {
		struct evhttp_connection *evcon = conn_evcon(c);
		char msg[GUARD_RESPONSE_MAX];
		json_t *body;
		char *text;
		int len;

		TAILQ_REMOVE(&g->refusals, c, refusal);
		c->pending = 0;
		if (evcon == NULL)
			continue;
		body = fp_api_json_error(c->refused, c->why.field, c->why.reason);
		text = body ? json_dumps(body, JSON_COMPACT) : NULL;
		len = snprintf(msg, sizeof(msg),
			       "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			       "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s\n",
			       c->refused, status_text(c->refused), text ? strlen(text) + 1 : 1,
			       c->refused == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
			       text ? text : "");
		free(text);
		json_decref(body);
		/* Only when nothing else waits to go out, so the answers
		 * stay in order; the socket buffer takes this much.
		 */
		if (len > 0 && (size_t)len < sizeof(msg) &&
		    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			(void)send(bufferevent_getfd(c->bev), msg, (size_t)len,
				   MSG_NOSIGNAL | MSG_DONTWAIT);
		evbuffer_drain(bufferevent_get_input(c->bev), (size_t)-1);
		evhttp_connection_free(evcon);
	}
	sweep(g);
}

/* Where the head ends in h[0..len) (the byte after the blank line), or 0.
 * from: where to start looking.
 */
static size_t
head_end(const char *h, size_t len, size_t from)
{
	size_t i;

	for (i = from; i < len; i++) {
		if (h[i] != '\n' || i == 0)
			continue;
		/* A line ending here that is empty: "\n\n" or "\n\r\n". */
		if (h[i - 1] == '\n')
			return i + 1;
		if (h[i - 1] == '\r' && i >= 2 && h[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

/* Bytes arrived (before evhttp reads them): follow the requests' framing
 * and check each head as it completes.
 */
static void
in_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;
	struct fp_guard *g = c->g;
	size_t len, off;

	if (info->n_added == 0 || g == NULL)
		return;
	if (conn_evcon(c) == NULL) {
		/* evhttp is done with it; the next sweep frees it. */
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	if (c->refused) {
		evbuffer_drain(b, evbuffer_get_length(b));
		return;
	}
	if (c->done)
		return;
	len = evbuffer_get_length(b);
	off = len >= info->n_added ? len - info->n_added : 0;
	while (off < len && !c->refused) {
		struct evbuffer_ptr pos;
		size_t n, from, e;

		if (c->body_left > 0) {
			n = len - off < c->body_left ? len - off : (size_t)c->body_left;
			c->body_left -= n;
			off += n;
			if (c->body_left == 0) {
				c->deadline_ms = 0;
				c->done = g->lim.one_request;
			}
			continue;
		}
		if (c->done)
			break;
		if (c->deadline_ms == 0)
			c->deadline_ms = now_ms() + g->lim.request_ms;
		if (c->head == NULL) {
			c->head = malloc(g->lim.max_head);
			if (c->head == NULL) {
				refuse(c, 503, "", "out of memory");
				break;
			}
		}
		n = len - off;
		if (n > g->lim.max_head - c->head_len)
			n = g->lim.max_head - c->head_len;
		if (evbuffer_ptr_set(b, &pos, off, EVBUFFER_PTR_SET) < 0 ||
		    evbuffer_copyout_from(b, &pos, c->head + c->head_len, n) != (ev_ssize_t)n) {
			refuse(c, 400, "request", "unreadable request");
			break;
		}
		from = c->head_len;
		c->head_len += n;
		e = head_end(c->head, c->head_len, from > 2 ? from - 2 : 0);
		if (e == 0) {
			if (c->head_len >= g->lim.max_head) {
				char why[64];

				snprintf(why, sizeof(why), "the request head is over %u bytes",
					 g->lim.max_head);
				refuse(c, 431, "headers", why);
			}
			off += n;
			continue;
		}
		off += e - from;
		if (fp_guard_head_check(c->head, e, &g->lim, &c->why) != 0) {
			refuse(c, c->why.status, c->why.field, c->why.reason);
			break;
		}
		c->head_len = 0;
		c->body_left = c->why.body_len;
		if (c->body_left == 0) {
			c->deadline_ms = 0;
			c->done = g->lim.one_request;
		}
	}
	if (c->refused)
		evbuffer_drain(b, evbuffer_get_length(b));
	else if (c->head_len == 0 && c->head != NULL) {
		free(c->head);
		c->head = NULL;
	}
}

/* The peer's address of c, port zeroed; 0 when it is no IP peer. */
static socklen_t
peer_of(struct conn *c)
{
	struct sockaddr_storage *ss = &c->peer;
	socklen_t len = sizeof(*ss);
	int fd = bufferevent_getfd(c->bev);

	if (fd < 0 || getpeername(fd, (struct sockaddr *)ss, &len) < 0)
		return 0;
	if (ss->ss_family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = 0;
		return sizeof(struct sockaddr_in);
	}
	if (ss->ss_family == AF_INET6) {
		((struct sockaddr_in6 *)ss)->sin6_port = 0;
		((struct sockaddr_in6 *)ss)->sin6_flowinfo = 0;
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

/* New connections (evhttp gave them their socket since): over
 * max_conns_per_peer from their address, refused.
 */
static void
on_admit(evutil_socket_t fd, short what, void *arg)
{
	struct fp_guard *g = arg;
	struct conn *c, *o;

	(void)fd;
	(void)what;
	sweep(g);
	TAILQ_FOREACH(c, &g->conns, link)
	{
		char addr[INET6_ADDRSTRLEN], why[160];
		uint32_t n = 0;
		uint64_t left;

		if (!c->fresh)
			continue;
		c->fresh = 0;
		if (c->refused || (c->peer_len = peer_of(c)) == 0)
			continue;
		TAILQ_FOREACH(o, &g->conns, link)
		if (o != c && !o->refused && !o->fresh && o->peer_len == c->peer_len &&
		    memcmp(&o->peer, &c->peer, c->peer_len) == 0)
			n++;
		if (n < g->lim.max_conns_per_peer)
			continue;
		if (c->peer.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&c->peer)->sin_addr, addr,
				  sizeof(addr));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&c->peer)->sin6_addr, addr,
				  sizeof(addr));
		if (fp_guard_rate_ok(&g->warn_peer, &left))
			fp_log(FP_LOG_WARN,
			       "API %s: %u connections from %s open, the limit per peer: refusing "
			       "more (%" PRIu64 " more refused since)",
			       g->name, n, addr, left);
		snprintf(why, sizeof(why),
			 "%u connections from %s open, the limit per peer; try again later", n,
			 addr);
		refuse(c, 503, "connections", why);
	}
}

/* evhttp's new connection: counted, watched, or refused over the limit. */
static struct bufferevent *
on_new_conn(struct event_base *base, void *arg)
{
	struct fp_guard *g = arg;
	uint32_t n = sweep(g);
	struct conn *c = calloc(1, sizeof(*c));
	uint64_t left;

	if (c == NULL)
		return NULL;
	c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		free(c);
		return NULL;
	}
	c->g = g;
	bufferevent_incref(c->bev);
	TAILQ_INSERT_TAIL(&g->conns, c, link);
	if (evbuffer_add_cb(bufferevent_get_input(c->bev), in_cb, c) == NULL) {
		refuse(c, 503, "", "out of memory");
		return c->bev;
	}
	if (n >= g->lim.max_conns) {
		char why[96];

		if (fp_guard_rate_ok(&g->warn_full, &left))
			fp_log(FP_LOG_WARN,
			       "API %s: %u connections open, the limit: refusing more (%" PRIu64
			       " more refused since)",
			       g->name, n, left);
		snprintf(why, sizeof(why), "%u connections open, the limit; try again later", n);
		refuse(c, 503, "connections", why);
		return c->bev;
	}
	if (g->lim.deadline_at_accept)
		c->deadline_ms = now_ms() + g->lim.request_ms;
	/* Its socket is set after this returns: looked at from the loop. */
	if (g->lim.max_conns_per_peer > 0) {
		c->fresh = 1;
		event_active(g->admit_ev, EV_TIMEOUT, 0);
	}
	return c->bev;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct fp_guard *g = arg;
	int64_t t = now_ms();
	struct conn *c;

	(void)fd;
	(void)what;
	sweep(g);
	TAILQ_FOREACH(c, &g->conns, link)
	{
		if (!c->refused && c->deadline_ms != 0 && t > c->deadline_ms) {
			char why[96];

			snprintf(why, sizeof(why), "the request did not arrive within %u ms",
				 g->lim.request_ms);
			refuse(c, 408, "request", why);
		}
	}
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct fp_guard *g = arg;

	(void)fd;
	(void)what;
	if (g->lev != NULL)
		evconnlistener_enable(g->lev);
}

/* accept() failed (out of descriptors, say): rest instead of spinning. */
static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct fp_guard *g;
	struct timeval tv = { .tv_sec = GUARD_PAUSE_MS / 1000,
			      .tv_usec = (GUARD_PAUSE_MS % 1000) * 1000 };
	int e = EVUTIL_SOCKET_ERROR();
	uint64_t n;

	(void)arg;
	LIST_FOREACH(g, &guards, link)
	if (g->lev == lev)
		break;
	if (g == NULL) {
		evconnlistener_disable(lev);
		return;
	}
	if (fp_guard_rate_ok(&g->warn_accept, &n))
		fp_log(FP_LOG_WARN,
		       "API %s: accept: %s; not accepting for %d ms (%" PRIu64 " more since)",
		       g->name, strerror(e), GUARD_PAUSE_MS, n);
	evconnlistener_disable(lev);
	evtimer_add(g->resume, &tv);
}

struct fp_guard *
fp_guard_create(struct event_base *base, struct evhttp *http, const char *name,
		const struct fp_guard_limits *lim)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = GUARD_TICK_MS * 1000 };
	struct fp_guard *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->base = base;
	g->http = http;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->lim = *lim;
	if (lim->token != NULL) {
		snprintf(g->token, sizeof(g->token), "%s", lim->token);
		g->lim.token = g->token;
	}
	if (lim->methods != NULL) {
		snprintf(g->methods, sizeof(g->methods), "%s", lim->methods);
		g->lim.methods = g->methods;
	}
	if (g->lim.max_head < 64)
		g->lim.max_head = 64;
	TAILQ_INIT(&g->conns);
	TAILQ_INIT(&g->refusals);
	LIST_INSERT_HEAD(&guards, g, link);
	g->refuse_ev = event_new(base, -1, 0, on_refuse, g);
	g->tick = event_new(base, -1, EV_PERSIST, on_tick, g);
	g->admit_ev = event_new(base, -1, 0, on_admit, g);
	g->resume = evtimer_new(base, on_resume, g);
	if (g->refuse_ev == NULL || g->tick == NULL || g->resume == NULL || g->admit_ev == NULL ||
	    event_add(g->tick, &tv) < 0) {
		fp_guard_free(g);
		errno = ENOMEM;
		return NULL;
	}
	evhttp_set_bevcb(http, on_new_conn, g);
	return g;
}

void
fp_guard_listener_add(struct fp_guard *g, struct evhttp_bound_socket *bound)
{
	g->lev = evhttp_bound_socket_get_listener(bound);
	evconnlistener_set_error_cb(g->lev, on_accept_error);
}

int
fp_guard_serve(struct fp_guard *g, int fd)
{
	struct evhttp_bound_socket *bound = evhttp_accept_socket_with_handle(g->http, fd);

	if (bound == NULL) {
		close(fd);
		errno = EIO;
		return -EIO;
	}
	fp_guard_listener_add(g, bound);
	return 0;
}

uint32_t
fp_guard_conns(struct fp_guard *g)
{
	return sweep(g);
}

void
fp_guard_free(struct fp_guard *g)
{
	struct conn *c;

	if (g == NULL)
		return;
	LIST_REMOVE(g, link);
	while ((c = TAILQ_FIRST(&g->conns)) != NULL)
		conn_free(c);
	if (g->refuse_ev != NULL)
		event_free(g->refuse_ev);
	if (g->tick != NULL)
		event_free(g->tick);
	if (g->admit_ev != NULL)
		event_free(g->admit_ev);
	if (g->resume != NULL)
		event_free(g->resume);
	free(g);
}
