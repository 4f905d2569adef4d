/* SPDX-License-Identifier: BSD-3-Clause */
/* The guard in front of one evhttp listener of fp-control's API: what a
 * client may hold and send before a request reaches evhttp.
 *
 *   - Connections: at most max_conns at once; one more is accepted,
 *     answered 503 (JSON) and closed.  A failing accept() (EMFILE,
 *     ENFILE, ENOMEM...) pauses the listener for one second instead of
 *     spinning on it.  Warnings are rate-limited: one a second per kind,
 *     with the number left out.
 *   - Requests: the head (request line and headers) is read as it comes,
 *     before evhttp acts on it, up to max_head bytes (else 431); then the
 *     token (when one is set: 401 before any body byte is read), the
 *     method (GET, PUT, DELETE or the listener's own list, else 405),
 *     Content-Length (digits, one
 *     value, at most max_body: else 400 or 413), no Transfer-Encoding
 *     (411) and no Expect other than 100-continue (417) are checked.
 *     A refused request gets the API's JSON error body and the
 *     connection is closed; evhttp never sees it.
 *   - Time: a request's head and body must arrive within request_ms of
 *     its first byte (else 408 and the connection is closed); with
 *     deadline_at_accept, the first request's within request_ms of the
 *     accept (a connection that sends nothing is closed then too).
 *   - max_conns_per_peer (when not 0): at most that many connections
 *     from one IP address (getpeername(); Unix sockets are not capped);
 *     one more is answered 503 and closed.
 *   - one_request: what follows the first request on a connection is
 *     left unread (the server answers with Connection: close), so a
 *     connection whose request waits for an answer (the metadata proxy's,
 *     waiting for Nova) is never refused under it.
 *
 * How: the guard makes each connection's bufferevent (evhttp_set_bevcb)
 * and watches its input buffer (an evbuffer callback, run before
 * evhttp's read callback), keeping one reference to it, dropped once
 * evhttp freed it (its callbacks are cleared then).  Concurrency: the
 * event loop's thread only.
 */
#ifndef FP_CONTROL_GUARD_H
#define FP_CONTROL_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#define FP_GUARD_FIELD_SIZE 32	 /* error field, NUL included */
#define FP_GUARD_REASON_SIZE 192 /* error reason, NUL included */

struct fp_guard_limits {
	uint32_t max_conns;	     /* connections at once */
	uint32_t max_head;	     /* request line and headers, bytes */
	uint64_t max_body;	     /* Content-Length at most */
	uint32_t request_ms;	     /* a request must be in within this of its first byte */
	const char *token;	     /* bearer token required before the body; NULL: none */
	const char *methods;	     /* the methods taken, "GET HEAD POST"; NULL: GET PUT DELETE */
	int one_request;	     /* one request per connection: bytes after it are not read */
	uint32_t max_conns_per_peer; /* connections at once from one address; 0: no cap */
	int deadline_at_accept;	     /* the first request's request_ms runs from accept */
};

/* What a request head was found to be. */
struct fp_guard_head {
	uint64_t body_len;		   /* Content-Length, 0 without */
	int status;			   /* 0: fine; else the status to refuse with */
	char field[FP_GUARD_FIELD_SIZE];   /* the error's field */
	char reason[FP_GUARD_REASON_SIZE]; /* the error's reason */
};

struct fp_guard;

/* One warning of a kind a second; the others are counted. */
struct fp_guard_rate {
	int64_t last_ms;       /* when one was last printed */
	uint64_t n_suppressed; /* left out since */
};

/**
 * May a warning of this kind be printed now?
 *
 * @param r the kind's state (zeroed at first)
 * @param n receives the number left out since the last one printed
 * @return 1: print it (with *n), 0: left out (counted)
 */
int fp_guard_rate_ok(struct fp_guard_rate *r, uint64_t *n);

/**
 * Check one request head (request line, headers and the blank line).
 * Pure: no I/O.
 *
 * @param head	the bytes
 * @param len	their number (at most lim->max_head)
 * @param lim	the limits (token, methods, max_body)
 * @param out	filled: body_len, or status, field and reason
 * @return 0 if the request may go on, else the HTTP status to refuse with
 */
int fp_guard_head_check(const char *head, size_t len, const struct fp_guard_limits *lim,
			struct fp_guard_head *out);

/**
 * Guard the connections of http (sets its bevcb).
 *
 * @param name for log messages ("unix", "tcp")
 * @return the guard, or NULL with errno
 */
struct fp_guard *fp_guard_create(struct event_base *base, struct evhttp *http, const char *name,
				 const struct fp_guard_limits *lim);

/** Watch a bound socket of the guarded evhttp: accept errors pause it. */
void fp_guard_listener_add(struct fp_guard *g, struct evhttp_bound_socket *bound);

/**
 * Serve a listening socket with the guarded evhttp and watch it
 * (fp_guard_listener_add()).
 *
 * @param fd a listening socket; closed on failure
 * @return 0, or -EIO (errno too) when evhttp cannot take it
 */
int fp_guard_serve(struct fp_guard *g, int fd);

/** Connections open now (for tests and logs). */
uint32_t fp_guard_conns(struct fp_guard *g);

/** Free the guard; call after evhttp_free() of its evhttp. Accepts NULL. */
void fp_guard_free(struct fp_guard *g);

#endif /* FP_CONTROL_GUARD_H */
