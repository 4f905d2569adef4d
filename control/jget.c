/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed getters over jansson values and the errors they report
 * (jget.h has the contract).
 */
#include "jget.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"

#define ADDR_TEXT_MAX 64 /* an address or prefix longer than this is not one */

void
fp_jget_ctx_init(struct fp_jget_ctx *c, struct fp_model_err *err, const char *root)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	snprintf(c->root, sizeof(c->root), "%s", root);
	memset(err, 0, sizeof(*err));
}

static int
err_vset(struct fp_model_err *e, int status, const char *field, const char *fmt, va_list ap)
{
	e->status = status;
	snprintf(e->field, sizeof(e->field), "%s", field);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	return -EINVAL;
}

int
fp_jget_err_set(struct fp_model_err *e, int status, const char *field, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = err_vset(e, status, field, fmt, ap);
	va_end(ap);
	return rc;
}

/* Refuse: the field is root[.sub][.key]. Returns -EINVAL. */
int
fp_jget_fail(const struct fp_jget_ctx *c, int status, const char *sub, const char *key,
	     const char *fmt, ...)
{
	char field[sizeof(c->err->field)];
	va_list ap;
	int rc;

	snprintf(field, sizeof(field), "%s%s%s%s%s", c->root, sub && sub[0] ? "." : "",
		 sub ? sub : "", key ? "." : "", key ? key : "");
	va_start(ap, fmt);
	rc = err_vset(c->err, status, field, fmt, ap);
	va_end(ap);
	return rc;
}

int
fp_jget_nomem(struct fp_model_err *e)
{
	fp_jget_err_set(e, 500, "", "out of memory");
	return -ENOMEM;
}

/* A JSON type's name for a reason; JSON_TRUE and JSON_FALSE are "a
 * boolean" (JSON_TRUE stands for one in fp_jget_check_type()).
 */
static const char *
kind_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown type";
}

const char *
fp_jget_type_name(const json_t *v)
{
	return kind_name(json_typeof(v));
}

int
fp_jget_check_type(const struct fp_jget_ctx *c, const json_t *v, const char *sub, const char *key,
		   json_type t)
{
	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return 0;
	return fp_jget_fail(c, 400, sub, key, "expected %s, got %s", kind_name(t),
			    fp_jget_type_name(v));
}

/* o[key] of type t: 0 and *out, 1 absent (or null with FP_JGET_NULL), or
 * -EINVAL.
 */
int
fp_jget_member(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	       json_type t, unsigned int flags, json_t **out)
{
	json_t *v = json_object_get(o, key);
	int rc;

	if (v == NULL || (json_is_null(v) && (flags & FP_JGET_NULL))) {
		if (flags & FP_JGET_REQ)
			return fp_jget_fail(c, 400, sub, key, "missing (required)");
		return 1;
	}
	rc = fp_jget_check_type(c, v, sub, key, t);
	if (rc < 0)
		return rc;
	*out = v;
	return 0;
}

/* A string value without NUL characters inside. */
int
fp_jget_str_value(const struct fp_jget_ctx *c, const json_t *v, const char *sub, const char *key,
		  const char **s, size_t *len)
{
	int rc = fp_jget_check_type(c, v, sub, key, JSON_STRING);

	if (rc < 0)
		return rc;
	*s = json_string_value(v);
	*len = json_string_length(v);
	if (strlen(*s) != *len)
		return fp_jget_fail(c, 422, sub, key, "contains a NUL character");
	return 0;
}

int
fp_jget_str(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	    unsigned int flags, const char **s, size_t *len)
{
	json_t *v = NULL;
	int rc = fp_jget_member(c, o, sub, key, JSON_STRING, flags, &v);

	return rc != 0 ? rc : fp_jget_str_value(c, v, sub, key, s, len);
}

static int
id_char_ok(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && strchr("/\\\"%?#", ch) == NULL;
}

/* Check and copy an id (is_id: 1..size-1 printable characters, no URL
 * or key separators) or a name (0..size-1 characters).
 */
int
fp_jget_name_check(const struct fp_jget_ctx *c, const char *s, size_t len, const char *sub,
		   const char *key, char *out, size_t size, int is_id)
{
	size_t i;

	if (is_id && len == 0)
		return fp_jget_fail(c, 422, sub, key, "empty");
	if (len >= size)
		return fp_jget_fail(c, 422, sub, key, "%zu characters, longer than %zu", len,
				    size - 1);
	for (i = 0; is_id && i < len; i++)
		if (!id_char_ok((unsigned char)s[i]))
			return fp_jget_fail(
				c, 422, sub, key,
				"\"%.64s\" has a character that an id cannot have (space, "
				"control, / \\ \" %% ? #)",
				s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
fp_jget_name_value(const struct fp_jget_ctx *c, const json_t *v, const char *sub, const char *key,
		   char *out, size_t size, int is_id)
{
	const char *s;
	size_t len;
	int rc = fp_jget_str_value(c, v, sub, key, &s, &len);

	return rc < 0 ? rc : fp_jget_name_check(c, s, len, sub, key, out, size, is_id);
}

/* An id or a name member; out is left alone when it is absent. */
int
fp_jget_name(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	     unsigned int flags, char *out, size_t size, int is_id)
{
	json_t *v = NULL;
	int rc = fp_jget_member(c, o, sub, key, JSON_STRING, flags, &v);

	return rc != 0 ? rc : fp_jget_name_value(c, v, sub, key, out, size, is_id);
}

int
fp_jget_int(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	    unsigned int flags, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = NULL;
	int64_t x;
	int rc = fp_jget_member(c, o, sub, key, JSON_INTEGER, flags, &v);

	if (rc != 0)
		return rc;
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return fp_jget_fail(c, 422, sub, key, "%lld out of range %lld..%lld", (long long)x,
				    (long long)lo, (long long)hi);
	*out = x;
	return 0;
}

/* A boolean; *out keeps its default when absent. */
int
fp_jget_bool(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	     uint8_t *out)
{
	json_t *v = NULL;
	int rc = fp_jget_member(c, o, sub, key, JSON_TRUE, 0, &v);

	if (rc == 0)
		*out = json_is_true(v) ? 1 : 0;
	return rc < 0 ? rc : 0;
}

/* An address, or with FP_JGET_IP_PREFIX an address or prefix (mode: FP_JGET_IP_*). */
int
fp_jget_ip_value(const struct fp_jget_ctx *c, const char *s, const char *sub, const char *key,
		 unsigned int mode, struct fp_ip *ip, uint8_t *plen, int *family)
{
	uint8_t len;
	int fam, rc;

	if (strlen(s) > ADDR_TEXT_MAX)
		rc = -EINVAL;
	else
		rc = fp_addr_prefix_parse(
			s, ip, &len,
			((mode & FP_JGET_IP_PREFIX) ? FP_ADDR_PREFIX : 0) |
				((mode & FP_JGET_IP_HOST_ZERO) ? FP_ADDR_HOST_ZERO : 0) |
				((mode & FP_JGET_IP_HOST_MASK) ? FP_ADDR_HOST_MASK : 0),
			&fam);
	switch (rc) {
	case 0:
		break;
	case -EPERM:
		return fp_jget_fail(c, 422, sub, key, "\"%.64s\" is a prefix, need an address", s);
	case -ERANGE:
		return fp_jget_fail(c, 422, sub, key, "\"%.64s\" has a bad prefix length", s);
	case -EDOM:
		return fp_jget_fail(c, 422, sub, key, "\"%.64s\" has host bits set", s);
	default:
		return fp_jget_fail(c, 422, sub, key, "\"%.64s\" is not an IPv4 or IPv6 %s", s,
				    (mode & FP_JGET_IP_NEED_PREFIX) ? "prefix" :
				    (mode & FP_JGET_IP_PREFIX)	    ? "address or prefix" :
								      "address");
	}
	if ((mode & FP_JGET_IP_NEED_PREFIX) && strchr(s, '/') == NULL)
		return fp_jget_fail(c, 422, sub, key, "\"%.64s\" is not a prefix (address/length)",
				    s);
	if (fam == AF_INET6 && fp_addr_ip_is_v4(ip))
		return fp_jget_fail(c, 422, sub, key,
				    "\"%.64s\" is an IPv4-mapped IPv6 address; write it as IPv4",
				    s);
	if (plen != NULL)
		*plen = (mode & FP_JGET_IP_PREFIX) ? len : 128;
	if (family != NULL)
		*family = fam;
	return 0;
}

int
fp_jget_ip(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	   unsigned int flags, unsigned int mode, struct fp_ip *ip, uint8_t *plen, int *family)
{
	const char *s;
	size_t len;
	int rc = fp_jget_str(c, o, sub, key, flags, &s, &len);

	return rc != 0 ? rc : fp_jget_ip_value(c, s, sub, key, mode, ip, plen, family);
}

/* A unicast MAC. */
int
fp_jget_mac(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	    unsigned int flags, uint8_t mac[6])
{
	static const uint8_t zero[6];
	const char *s;
	size_t len;
	int rc = fp_jget_str(c, o, sub, key, flags, &s, &len);

	if (rc != 0)
		return rc;
	if (fp_addr_mac_parse(s, mac, 0) < 0)
		return fp_jget_fail(c, 422, sub, key,
				    "\"%.32s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", s);
	if (mac[0] & 1)
		return fp_jget_fail(c, 422, sub, key,
				    "\"%s\" is a multicast MAC, need a unicast MAC", s);
	if (memcmp(mac, zero, sizeof(zero)) == 0)
		return fp_jget_fail(c, 422, sub, key, "\"%s\" is the all-zero MAC", s);
	return 0;
}

/* An array of lo..hi entries. */
int
fp_jget_array(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	      unsigned int flags, size_t lo, size_t hi, json_t **out)
{
	int rc = fp_jget_member(c, o, sub, key, JSON_ARRAY, flags, out);
	size_t n;

	if (rc != 0)
		return rc;
	n = json_array_size(*out);
	if (n < lo || n > hi) {
		if (lo == 0)
			return fp_jget_fail(c, 422, sub, key, "%zu entries, at most %zu", n, hi);
		return fp_jget_fail(c, 422, sub, key, "%zu entries, need %zu..%zu", n, lo, hi);
	}
	return 0;
}
