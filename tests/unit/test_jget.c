/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the typed JSON getters (control/jget.c).
 *
 * Each getter is run against one object, {"k": <value>}, and must either
 * store the value, say the member is absent (1), or refuse with exactly
 * the status, field path and reason fp-control answers with: these texts
 * reach API clients, so a change to one must be deliberate.
 */
#include "jget.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "addr.h"

/* One getter call's world: the error, the context, the object. */
struct fx {
	struct fp_model_err err; /* filled by a refusal */
	struct fp_jget_ctx c;	 /* root "port" */
	json_t *o;		 /* {"k": value} */
};

static int
setup(void **state)
{
	static struct fx fx;

	memset(&fx, 0, sizeof(fx));
	fp_jget_ctx_init(&fx.c, &fx.err, "port");
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	json_decref(fx->o);
	fx->o = NULL;
	return 0;
}

/* {"k": value}; value is JSON text, or NULL for {}. */
static json_t *
obj(struct fx *fx, const char *value)
{
	json_error_t jerr;
	json_t *v;

	json_decref(fx->o);
	fx->o = json_object();
	assert_non_null(fx->o);
	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, &jerr);
		if (v == NULL)
			fail_msg("test JSON %s: %s", value, jerr.text);
		assert_int_equal(json_object_set_new(fx->o, "k", v), 0);
	}
	memset(&fx->err, 0, sizeof(fx->err));
	return fx->o;
}

static void
expect_err(const struct fx *fx, int rc, int status, const char *field, const char *reason)
{
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(fx->err.status, status);
	assert_string_equal(fx->err.field, field);
	assert_string_equal(fx->err.reason, reason);
}

static void
test_jget_paths(void **state)
{
	struct fx *fx = *state;
	struct fp_model_err e;
	struct fp_jget_ctx c;

	expect_err(fx, fp_jget_fail(&fx->c, 422, "", "k", "r %d", 1), 422, "port.k", "r 1");
	expect_err(fx, fp_jget_fail(&fx->c, 400, NULL, NULL, "r"), 400, "port", "r");
	expect_err(fx, fp_jget_fail(&fx->c, 400, "", NULL, "r"), 400, "port", "r");
	expect_err(fx, fp_jget_fail(&fx->c, 404, "fixed_ips[1]", "subnet_id", "x"), 404,
		   "port.fixed_ips[1].subnet_id", "x");
	expect_err(fx, fp_jget_fail(&fx->c, 422, "fixed_ips[1]", NULL, "x"), 422,
		   "port.fixed_ips[1]", "x");
	expect_err(fx, fp_jget_err_set(&fx->err, 409, "ports[2].id", "dup %s", "p"), 409,
		   "ports[2].id", "dup p");
	assert_int_equal(fp_jget_nomem(&fx->err), -ENOMEM);
	assert_int_equal(fx->err.status, 500);
	assert_string_equal(fx->err.field, "");
	assert_string_equal(fx->err.reason, "out of memory");

	/* init clears the error; a long root is cut, not overrun */
	e.status = 7;
	fp_jget_ctx_init(&c, &e, "security_group_rules_security_group_rules_x");
	assert_int_equal(e.status, 0);
	assert_int_equal(strlen(c.root), sizeof(c.root) - 1);
}

static void
test_jget_member_absent_null_type(void **state)
{
	struct fx *fx = *state;
	json_t *v = NULL;

	assert_int_equal(fp_jget_member(&fx->c, obj(fx, NULL), "", "k", JSON_STRING, 0, &v), 1);
	expect_err(fx, fp_jget_member(&fx->c, obj(fx, NULL), "", "k", JSON_STRING, FP_JGET_REQ, &v),
		   400, "port.k", "missing (required)");
	assert_int_equal(
		fp_jget_member(&fx->c, obj(fx, "null"), "", "k", JSON_STRING, FP_JGET_NULL, &v), 1);
	expect_err(fx,
		   fp_jget_member(&fx->c, obj(fx, "null"), "", "k", JSON_STRING,
				  FP_JGET_NULL | FP_JGET_REQ, &v),
		   400, "port.k", "missing (required)");
	expect_err(fx, fp_jget_member(&fx->c, obj(fx, "null"), "", "k", JSON_STRING, 0, &v), 400,
		   "port.k", "expected a string, got null");
	assert_int_equal(fp_jget_member(&fx->c, obj(fx, "\"s\""), "", "k", JSON_STRING, 0, &v), 0);
	assert_string_equal(json_string_value(v), "s");
}

static void
test_jget_type_names(void **state)
{
	static const struct {
		const char *value; /* JSON text */
		json_type want;	   /* asked for */
		const char *why;   /* the reason */
	} rows[] = {
		{ "1", JSON_STRING, "expected a string, got an integer" },
		{ "1.5", JSON_INTEGER, "expected an integer, got a real number" },
		{ "\"1\"", JSON_INTEGER, "expected an integer, got a string" },
		{ "[]", JSON_OBJECT, "expected an object, got an array" },
		{ "{}", JSON_ARRAY, "expected an array, got an object" },
		{ "true", JSON_STRING, "expected a string, got a boolean" },
		{ "0", JSON_TRUE, "expected a boolean, got an integer" },
		{ "null", JSON_TRUE, "expected a boolean, got null" },
	};
	struct fx *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *v = json_object_get(obj(fx, rows[i].value), "k");

		expect_err(fx, fp_jget_check_type(&fx->c, v, "", "k", rows[i].want), 400, "port.k",
			   rows[i].why);
	}
	/* JSON_TRUE stands for either boolean */
	assert_int_equal(fp_jget_check_type(&fx->c, json_false(), "", "k", JSON_TRUE), 0);
	assert_string_equal(fp_jget_type_name(json_true()), "a boolean");
}

static void
test_jget_str_and_names(void **state)
{
	struct fx *fx = *state;
	char out[8];
	const char *s;
	size_t len;

	assert_int_equal(fp_jget_str(&fx->c, obj(fx, "\"abc\""), "", "k", 0, &s, &len), 0);
	assert_string_equal(s, "abc");
	assert_int_equal(len, 3);
	assert_int_equal(json_object_set_new(obj(fx, NULL), "k", json_stringn("a\0b", 3)), 0);
	expect_err(fx, fp_jget_str(&fx->c, fx->o, "", "k", 0, &s, &len), 422, "port.k",
		   "contains a NUL character");

	/* ids */
	memcpy(out, "keep", 5);
	assert_int_equal(fp_jget_name(&fx->c, obj(fx, NULL), "", "k", 0, out, sizeof(out), 1), 1);
	assert_string_equal(out, "keep");
	assert_int_equal(
		fp_jget_name(&fx->c, obj(fx, "\"a-1_B.c\""), "", "k", 0, out, sizeof(out), 1), 0);
	assert_string_equal(out, "a-1_B.c");
	expect_err(fx, fp_jget_name(&fx->c, obj(fx, "\"\""), "", "k", 0, out, sizeof(out), 1), 422,
		   "port.k", "empty");
	expect_err(fx,
		   fp_jget_name(&fx->c, obj(fx, "\"12345678\""), "", "k", 0, out, sizeof(out), 1),
		   422, "port.k", "8 characters, longer than 7");
	expect_err(
		fx, fp_jget_name(&fx->c, obj(fx, "\"a b\""), "", "k", 0, out, sizeof(out), 1), 422,
		"port.k",
		"\"a b\" has a character that an id cannot have (space, control, / \\ \" % ? #)");
	expect_err(
		fx, fp_jget_name(&fx->c, obj(fx, "\"a%b\""), "", "k", 0, out, sizeof(out), 1), 422,
		"port.k",
		"\"a%b\" has a character that an id cannot have (space, control, / \\ \" % ? #)");

	/* names: empty and spaces are fine, the length is not */
	assert_int_equal(fp_jget_name(&fx->c, obj(fx, "\"\""), "", "k", 0, out, sizeof(out), 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(fp_jget_name(&fx->c, obj(fx, "\"a b\""), "", "k", 0, out, sizeof(out), 0),
			 0);
	expect_err(fx,
		   fp_jget_name(&fx->c, obj(fx, "\"12345678\""), "", "k", 0, out, sizeof(out), 0),
		   422, "port.k", "8 characters, longer than 7");
	expect_err(
		fx, fp_jget_name_check(&fx->c, "a/b", 3, "x", "id", out, sizeof(out), 1), 422,
		"port.x.id",
		"\"a/b\" has a character that an id cannot have (space, control, / \\ \" % ? #)");
}

static void
test_jget_int_and_bool(void **state)
{
	struct fx *fx = *state;
	int64_t x = 42;
	uint8_t b = 1;

	assert_int_equal(fp_jget_int(&fx->c, obj(fx, NULL), "", "k", 0, 0, 9, &x), 1);
	assert_int_equal(x, 42);
	assert_int_equal(fp_jget_int(&fx->c, obj(fx, "9"), "", "k", 0, 0, 9, &x), 0);
	assert_int_equal(x, 9);
	expect_err(fx, fp_jget_int(&fx->c, obj(fx, "10"), "", "k", 0, 0, 9, &x), 422, "port.k",
		   "10 out of range 0..9");
	expect_err(fx, fp_jget_int(&fx->c, obj(fx, "-1"), "", "k", 0, 0, 9, &x), 422, "port.k",
		   "-1 out of range 0..9");
	assert_int_equal(x, 9);

	assert_int_equal(fp_jget_bool(&fx->c, obj(fx, NULL), "", "k", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(fp_jget_bool(&fx->c, obj(fx, "false"), "", "k", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(fp_jget_bool(&fx->c, obj(fx, "true"), "", "k", &b), 0);
	assert_int_equal(b, 1);
	expect_err(fx, fp_jget_bool(&fx->c, obj(fx, "1"), "", "k", &b), 400, "port.k",
		   "expected a boolean, got an integer");
}

static void
test_jget_ip(void **state)
{
	static const struct {
		const char *value; /* JSON text */
		unsigned int mode; /* FP_JGET_IP_* */
		const char *why;   /* the reason; NULL: accepted */
		uint8_t plen;	   /* when accepted */
	} rows[] = {
		{ "\"10.0.0.1\"", 0, NULL, 128 },
		{ "\"fd00::1\"", 0, NULL, 128 },
		{ "\"10.0.0.0/24\"", 0, "\"10.0.0.0/24\" is a prefix, need an address", 0 },
		{ "\"10.0.0.1\"", FP_JGET_IP_PREFIX, NULL, 128 },
		{ "\"10.0.0.0/24\"", FP_JGET_IP_PREFIX, NULL, 120 },
		{ "\"10.0.0.1/24\"", FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_ZERO,
		  "\"10.0.0.1/24\" has host bits set", 0 },
		{ "\"10.0.0.1/24\"", FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_MASK, NULL, 120 },
		{ "\"10.0.0.0/33\"", FP_JGET_IP_PREFIX, "\"10.0.0.0/33\" has a bad prefix length",
		  0 },
		{ "\"10.0.0.1\"", FP_JGET_IP_PREFIX | FP_JGET_IP_NEED_PREFIX,
		  "\"10.0.0.1\" is not a prefix (address/length)", 0 },
		{ "\"nope\"", 0, "\"nope\" is not an IPv4 or IPv6 address", 0 },
		{ "\"nope\"", FP_JGET_IP_PREFIX,
		  "\"nope\" is not an IPv4 or IPv6 address or prefix", 0 },
		{ "\"nope\"", FP_JGET_IP_PREFIX | FP_JGET_IP_NEED_PREFIX,
		  "\"nope\" is not an IPv4 or IPv6 prefix", 0 },
		{ "\"::ffff:10.0.0.1\"", 0,
		  "\"::ffff:10.0.0.1\" is an IPv4-mapped IPv6 address; write it as IPv4", 0 },
	};
	struct fx *fx = *state;
	struct fp_ip ip, want;
	uint8_t plen;
	int fam;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = fp_jget_ip(&fx->c, obj(fx, rows[i].value), "", "k", 0, rows[i].mode, &ip,
				    &plen, &fam);

		if (rows[i].why != NULL) {
			expect_err(fx, rc, 422, "port.k", rows[i].why);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %d %s", rows[i].value, rc, fx->err.reason);
		assert_int_equal(plen, rows[i].plen);
	}
	assert_int_equal(fp_jget_ip(&fx->c, obj(fx, "\"10.0.0.9/24\""), "", "k", 0,
				    FP_JGET_IP_PREFIX | FP_JGET_IP_HOST_MASK, &ip, &plen, &fam),
			 0);
	assert_true(fp_addr_ip_parse("10.0.0.0", &want) > 0);
	assert_memory_equal(ip.b, want.b, sizeof(want.b));
	assert_int_equal(fam, AF_INET);

	/* longer than any address or prefix (here "10.0.0.0/000...0"): not
	 * one, whatever it ends with; the text is cut at 64
	 */
	{
		char text[71], why[128];

		memset(text, '0', sizeof(text) - 1);
		memcpy(text, "10.0.0.0/", 9);
		text[sizeof(text) - 1] = '\0';
		snprintf(why, sizeof(why), "\"%.64s\" is not an IPv4 or IPv6 address or prefix",
			 text);
		expect_err(
			fx,
			fp_jget_ip_value(&fx->c, text, "", "k", FP_JGET_IP_PREFIX, &ip, NULL, NULL),
			422, "port.k", why);
	}
}

static void
test_jget_mac(void **state)
{
	struct fx *fx = *state;
	uint8_t mac[6];

	assert_int_equal(fp_jget_mac(&fx->c, obj(fx, "\"fa:16:3e:00:00:01\""), "", "k", 0, mac), 0);
	assert_int_equal(mac[0], 0xfa);
	assert_int_equal(mac[5], 0x01);
	assert_int_equal(fp_jget_mac(&fx->c, obj(fx, "null"), "", "k", FP_JGET_NULL, mac), 1);
	expect_err(fx, fp_jget_mac(&fx->c, obj(fx, "\"fa:16:3e\""), "", "k", 0, mac), 422, "port.k",
		   "\"fa:16:3e\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
	expect_err(fx, fp_jget_mac(&fx->c, obj(fx, "\"01:00:5e:00:00:01\""), "", "k", 0, mac), 422,
		   "port.k", "\"01:00:5e:00:00:01\" is a multicast MAC, need a unicast MAC");
	expect_err(fx, fp_jget_mac(&fx->c, obj(fx, "\"00:00:00:00:00:00\""), "", "k", 0, mac), 422,
		   "port.k", "\"00:00:00:00:00:00\" is the all-zero MAC");
}

static void
test_jget_array(void **state)
{
	struct fx *fx = *state;
	json_t *a = NULL;

	assert_int_equal(fp_jget_array(&fx->c, obj(fx, "[1, 2]"), "", "k", 0, 0, 2, &a), 0);
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(fp_jget_array(&fx->c, obj(fx, NULL), "", "k", 0, 0, 2, &a), 1);
	expect_err(fx, fp_jget_array(&fx->c, obj(fx, "[1, 2, 3]"), "", "k", 0, 0, 2, &a), 422,
		   "port.k", "3 entries, at most 2");
	expect_err(fx, fp_jget_array(&fx->c, obj(fx, "[]"), "", "k", 0, 1, 4, &a), 422, "port.k",
		   "0 entries, need 1..4");
	expect_err(fx, fp_jget_array(&fx->c, obj(fx, "{}"), "", "k", 0, 0, 2, &a), 400, "port.k",
		   "expected an array, got an object");
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_jget_paths),	   T(test_jget_member_absent_null_type),
		T(test_jget_type_names),   T(test_jget_str_and_names),
		T(test_jget_int_and_bool), T(test_jget_ip),
		T(test_jget_mac),	   T(test_jget_array),
	};
#undef T

	return cmocka_run_group_tests_name("jget", tests, NULL, NULL);
}
