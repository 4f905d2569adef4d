/* SPDX-License-Identifier: BSD-3-Clause */
/* The API guard's request-head check (control/guard.c): what is refused
 * before evhttp reads a request, with which status and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_head_accepted),
		cmocka_unit_test(test_guard_head_refused),
	};

	return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}
