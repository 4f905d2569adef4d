/* SPDX-License-Identifier: BSD-3-Clause */
/* The API guard's request-head check (control/guard.c): what is refused
 * before evhttp reads a request, with which status and field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "guard.h"
#include "unix_addr.h"

#define TOKEN "0123456789abcdef0123"

static const struct fp_guard_limits lim = {
	.max_conns = 4,
	.max_head = 8192,
	.max_body = 1000,
	.request_ms = 1000,
	.token = NULL,
};

static const struct fp_guard_limits lim_token = {
	.max_conns = 4,
	.max_head = 8192,
	.max_body = 1000,
	.request_ms = 1000,
	.token = TOKEN,
};

static int
check(const struct fp_guard_limits *l, const char *head, struct fp_guard_head *out)
{
	return fp_guard_head_check(head, strlen(head), l, out);
}

static void
test_guard_head_accepted(void **state)
{
	struct fp_guard_head h;

	(void)state;
	assert_int_equal(check(&lim, "GET /v1/state HTTP/1.1\r\nHost: x\r\n\r\n", &h), 0);
	assert_int_equal(h.body_len, 0);
	assert_int_equal(check(&lim,
			       "\r\nPUT /v1/ports/p1 HTTP/1.1\r\ncontent-length:  1000 \r\n"
			       "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
			       &h),
			 0);
	assert_int_equal(h.body_len, 1000);
	assert_int_equal(check(&lim, "DELETE /v1/ports/p1 HTTP/1.0\n\n", &h), 0);
	assert_int_equal(check(&lim_token,
			       "GET /v1/state HTTP/1.1\r\nAuthorization: Bearer " TOKEN "\r\n\r\n",
			       &h),
			 0);
}

static void
test_guard_head_refused(void **state)
{
	static const struct {
		int token;	   /* with lim_token */
		const char *head;  /* the request head */
		int status;	   /* expected */
		const char *field; /* expected */
	} bad[] = {
		{ 0, "\r\n\r\n", 400, "request" },
		{ 0, "GARBAGE\r\n\r\n", 400, "request" },
		{ 0, "GET /v1/state\r\n\r\n", 400, "request" },
		{ 0, "GET /v1/a\x01 HTTP/1.1\r\n\r\n", 400, "path" },
		{ 0, "GET /v1/state HTTP/1.1\r\nno colon\r\n\r\n", 400, "headers" },
		{ 0, "POST /v1/state HTTP/1.1\r\n\r\n", 405, "method" },
		{ 0, "HEAD /v1/state HTTP/1.1\r\n\r\n", 405, "method" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 413, "body" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
		  400, "Content-Length" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400,
		  "Content-Length" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400,
		  "Content-Length" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		  400, "Content-Length" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
		  "Content-Length" },
		{ 0, "PUT /v1/snapshot HTTP/1.1\r\nExpect: something\r\n\r\n", 417, "Expect" },
		{ 1, "GET /v1/state HTTP/1.1\r\n\r\n", 401, "Authorization" },
		{ 1, "GET /v1/state HTTP/1.1\r\nAuthorization: Bearer " TOKEN "x\r\n\r\n", 401,
		  "Authorization" },
		{ 1, "GET /v1/state HTTP/1.1\r\nAuthorization: Basic " TOKEN "\r\n\r\n", 401,
		  "Authorization" },
		/* The token is checked before the method and the size. */
		{ 1, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n", 401,
		  "Authorization" },
		{ 1, "POST /v1/state HTTP/1.1\r\n\r\n", 401, "Authorization" },
	};
	struct fp_guard_head h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = check(bad[i].token ? &lim_token : &lim, bad[i].head, &h);

		if (rc != bad[i].status || h.status != rc || strcmp(h.field, bad[i].field) != 0 ||
		    h.reason[0] == '\0')
			fail_msg("case %zu: %d %s (%s); want %d %s", i, rc, h.field, h.reason,
				 bad[i].status, bad[i].field);
	}
}

/* A listener's own methods (the metadata proxy's GET HEAD POST). */
static void
test_guard_head_methods(void **state)
{
	static const struct fp_guard_limits lim_md = {
		.max_conns = 4,
		.max_head = 4096,
		.max_body = 100,
		.request_ms = 1000,
		.methods = "GET HEAD POST",
	};
	struct fp_guard_head h;

	(void)state;
	assert_int_equal(check(&lim_md, "GET /latest/meta-data/ HTTP/1.1\r\n\r\n", &h), 0);
	assert_int_equal(check(&lim_md, "HEAD / HTTP/1.0\r\n\r\n", &h), 0);
	assert_int_equal(
		check(&lim_md,
		      "POST /openstack/latest/password HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &h),
		0);
	assert_int_equal(check(&lim_md, "PUT / HTTP/1.1\r\n\r\n", &h), 405);
	assert_non_null(strstr(h.reason, "use GET HEAD POST"));
	assert_int_equal(check(&lim_md, "DELETE / HTTP/1.1\r\n\r\n", &h), 405);
	assert_int_equal(check(&lim_md, "GE / HTTP/1.1\r\n\r\n", &h), 405);
	assert_int_equal(check(&lim_md, "GETX / HTTP/1.1\r\n\r\n", &h), 405);
	assert_int_equal(check(&lim, "POST / HTTP/1.1\r\n\r\n", &h), 405);
	/* evhttp reads no body after HEAD: a Content-Length would keep the
	 * request's deadline running while the request is served.
	 */
	assert_int_equal(check(&lim_md, "HEAD / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", &h), 400);
	assert_string_equal(h.field, "Content-Length");
	assert_int_equal(check(&lim_md, "HEAD / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &h), 0);
}

/* A guarded evhttp on a Unix socket, served by this thread. */
struct server {
	struct event_base *base; /* the loop */
	struct evhttp *http;	 /* the server */
	struct fp_guard *g;	 /* its guard */
	char path[108];		 /* the socket */
};

static void
ok_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
server_start(struct server *s, const struct fp_guard_limits *l)
{
	struct sockaddr_un sa;
	int fd;

	s->base = event_base_new();
	assert_non_null(s->base);
	s->http = evhttp_new(s->base);
	assert_non_null(s->http);
	evhttp_set_gencb(s->http, ok_cb, NULL);
	s->g = fp_guard_create(s->base, s->http, "test", l);
	assert_non_null(s->g);
	snprintf(s->path, sizeof(s->path), "/tmp/fp_test_guard_%d.sock", (int)getpid());
	unlink(s->path);
	assert_int_equal(fp_unix_addr_set(&sa, s->path), 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	fp_guard_listener_add(s->g, evhttp_accept_socket_with_handle(s->http, fd));
}

static void
server_stop(struct server *s)
{
	evhttp_free(s->http);
	fp_guard_free(s->g);
	event_base_free(s->base);
	unlink(s->path);
}

static int
client(const struct server *s)
{
	int fd = fp_unix_connect(s->path, SOCK_NONBLOCK);

	assert_true(fd >= 0);
	return fd;
}

/* Serve until fd has an answer (or ms pass); the answer in buf. */
static void
serve_until_answer(struct server *s, int fd, int ms, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ms / 5; i++) {
		ssize_t r;

		event_base_loop(s->base, EVLOOP_NONBLOCK);
		r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT);
		if (r > 0) {
			n += (size_t)r;
			buf[n] = '\0';
		} else if (r == 0 || (n > 0 && errno == EAGAIN)) {
			return;
		}
		usleep(5000);
	}
}

/* Over the connection limit: 503 with the JSON error; the others are
 * served.
 */
static void
test_guard_connection_limit(void **state)
{
	struct fp_guard_limits l = lim;
	struct server s;
	char buf[2048];
	int fd[3], i;

	(void)state;
	l.max_conns = 2;
	server_start(&s, &l);
	for (i = 0; i < 3; i++) {
		fd[i] = client(&s);
		serve_until_answer(&s, fd[i], 50, buf, sizeof(buf));
	}
	assert_non_null(strstr(buf, "HTTP/1.1 503 "));
	assert_non_null(strstr(buf, "\"field\":\"connections\""));
	assert_int_equal(fp_guard_conns(s.g), 2);
	assert_int_equal(send(fd[0], "GET / HTTP/1.1\r\n\r\n", 18, 0), 18);
	serve_until_answer(&s, fd[0], 1000, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 200 "));
	/* A closed connection frees its place. */
	close(fd[1]);
	serve_until_answer(&s, fd[0], 300, buf, sizeof(buf));
	assert_int_equal(fp_guard_conns(s.g), 1);
	for (i = 0; i < 3; i++)
		if (i != 1)
			close(fd[i]);
	server_stop(&s);
}

/* A request that does not arrive in time: 408 with the JSON error. */
static void
test_guard_slow_request(void **state)
{
	struct fp_guard_limits l = lim;
	struct server s;
	char buf[2048];
	int fd;

	(void)state;
	l.request_ms = 300;
	server_start(&s, &l);
	fd = client(&s);
	assert_int_equal(
		send(fd, "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 10\r\n\r\n{", 50, 0), 50);
	serve_until_answer(&s, fd, 3000, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 408 "));
	assert_non_null(strstr(buf, "\"status\":408"));
	close(fd);
	server_stop(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_head_accepted),
		cmocka_unit_test(test_guard_head_refused),
		cmocka_unit_test(test_guard_connection_limit),
		cmocka_unit_test(test_guard_slow_request),
		cmocka_unit_test(test_guard_head_methods),
	};

	return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}
