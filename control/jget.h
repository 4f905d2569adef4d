/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed getters over jansson values, and the errors they report: the
 * vocabulary of fp-control's resource parsers (model_parse.c).  Private to
 * control/.
 *
 * A getter reads one member of an object (or one value), checks its JSON
 * type and its value, and either stores the result or fills the context's
 * struct fp_model_err with an HTTP status, the field's path and a
 * plain-English reason.  A path is root[.sub][.key]: root is the
 * resource ("port", or "ports[12]" in a snapshot), sub the object inside
 * it ("fixed_ips[1]", or "" at the top), key the member.
 *
 * Statuses: 400 for a shape fault (missing member, wrong JSON type), 422
 * for a bad value.  Getters with flags return 1 when the member is absent
 * (and not FP_JGET_REQ): the output is then left alone, so a caller sets
 * its default first.
 *
 * Depends only on jansson, lib/ (addr.h) and struct fp_model_err.
 * Concurrency: none; a context belongs to one parse.
 */
#ifndef FP_CONTROL_JGET_H
#define FP_CONTROL_JGET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <flowplane/tables.h>

#include "model.h"

/* Member flags */
#define FP_JGET_REQ 0x1	 /* absent is an error (400) */
#define FP_JGET_NULL 0x2 /* null counts as absent */

/* fp_jget_ip() modes */
#define FP_JGET_IP_PREFIX 0x1	   /* "/len" allowed (bare address: /128) */
#define FP_JGET_IP_NEED_PREFIX 0x2 /* "/len" required */
#define FP_JGET_IP_HOST_ZERO 0x4   /* host bits must be zero */
#define FP_JGET_IP_HOST_MASK 0x8   /* host bits are cleared */

/* Where a getter reports, and the root of its paths. */
struct fp_jget_ctx {
	struct fp_model_err *err; /* filled by fp_jget_fail() */
	char root[40];		  /* path root: "port", or "ports[12]" in a snapshot */
};

/**
 * Start a context: clear *err, set the root.
 *
 * @param c    the context
 * @param err  where errors go (cleared here)
 * @param root the path root (cut to fit root[])
 */
void fp_jget_ctx_init(struct fp_jget_ctx *c, struct fp_model_err *err, const char *root);

/**
 * Fill an error.
 *
 * @param e      the error
 * @param status its HTTP status
 * @param field  the whole path of the field ("" for none)
 * @param fmt    the reason, printf style
 * @return -EINVAL
 */
int fp_jget_err_set(struct fp_model_err *e, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * Refuse a field: fill c->err with the path root[.sub][.key].
 *
 * @param c      the context
 * @param status its HTTP status
 * @param sub    the object inside the resource, "" or NULL for the top
 * @param key    the member, or NULL for sub itself
 * @param fmt    the reason, printf style
 * @return -EINVAL
 */
int fp_jget_fail(const struct fp_jget_ctx *c, int status, const char *sub, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/**
 * Fill an out-of-memory error (status 500, no field).
 *
 * @return -ENOMEM
 */
int fp_jget_nomem(struct fp_model_err *e);

/** A value's JSON type for a reason: "an object", "a string", "null" ... */
const char *fp_jget_type_name(const json_t *v);

/**
 * Check a value's JSON type (400 "expected X, got Y" otherwise).
 *
 * @param t the type; JSON_TRUE stands for a boolean
 * @return 0 or -EINVAL
 */
int fp_jget_check_type(const struct fp_jget_ctx *c, const json_t *v, const char *sub,
		       const char *key, json_type t);

/**
 * o[key] of type t.
 *
 * @param flags FP_JGET_REQ, FP_JGET_NULL
 * @param out   the value (borrowed) when found
 * @return 0 found, 1 absent (or null with FP_JGET_NULL), or -EINVAL
 */
int fp_jget_member(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		   json_type t, unsigned int flags, json_t **out);

/**
 * A string value without NUL characters inside (422 otherwise).
 *
 * @param s   the string (borrowed from v)
 * @param len its length
 * @return 0 or -EINVAL
 */
int fp_jget_str_value(const struct fp_jget_ctx *c, const json_t *v, const char *sub,
		      const char *key, const char **s, size_t *len);

/**
 * A string member: fp_jget_member() then fp_jget_str_value().
 *
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_str(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		unsigned int flags, const char **s, size_t *len);

/**
 * Check and copy an id or a name.  An id (is_id) has 1..size-1 printable
 * characters and none of space, control, / \ " % ? #; a name has
 * 0..size-1 characters.
 *
 * @param s     the text, len characters (no NUL inside)
 * @param out   size bytes, NUL-terminated on success
 * @param is_id 1 for an id, 0 for a name
 * @return 0 or -EINVAL (422)
 */
int fp_jget_name_check(const struct fp_jget_ctx *c, const char *s, size_t len, const char *sub,
		       const char *key, char *out, size_t size, int is_id);

/**
 * A string value checked and copied as fp_jget_name_check() does.
 *
 * @return 0 or -EINVAL
 */
int fp_jget_name_value(const struct fp_jget_ctx *c, const json_t *v, const char *sub,
		       const char *key, char *out, size_t size, int is_id);

/**
 * An id or a name member; out is left alone when it is absent.
 *
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_name(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		 unsigned int flags, char *out, size_t size, int is_id);

/**
 * An integer member in lo..hi (422 "x out of range lo..hi" otherwise).
 *
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_int(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		unsigned int flags, int64_t lo, int64_t hi, int64_t *out);

/**
 * A boolean member, optional: *out keeps its default when absent.
 *
 * @return 0 or -EINVAL
 */
int fp_jget_bool(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		 uint8_t *out);

/**
 * An IPv4 or IPv6 address, or with FP_JGET_IP_PREFIX an address or
 * prefix.  IPv4-mapped IPv6 is refused (write it as IPv4).
 *
 * @param s      the text
 * @param mode   FP_JGET_IP_*
 * @param ip     the address (IPv4-mapped for IPv4)
 * @param plen   NULL, or the prefix length in IPv6 bits (128 without
 *               FP_JGET_IP_PREFIX)
 * @param family NULL, or AF_INET / AF_INET6
 * @return 0 or -EINVAL (422)
 */
int fp_jget_ip_value(const struct fp_jget_ctx *c, const char *s, const char *sub, const char *key,
		     unsigned int mode, struct fp_ip *ip, uint8_t *plen, int *family);

/**
 * An address or prefix member: fp_jget_str() then fp_jget_ip_value().
 *
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_ip(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
	       unsigned int flags, unsigned int mode, struct fp_ip *ip, uint8_t *plen, int *family);

/**
 * A unicast, non-zero MAC member ("aa:bb:cc:dd:ee:ff").
 *
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_mac(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		unsigned int flags, uint8_t mac[6]);

/**
 * An array member of lo..hi entries.
 *
 * @param out the array (borrowed) when found
 * @return 0, 1 absent, or -EINVAL
 */
int fp_jget_array(const struct fp_jget_ctx *c, const json_t *o, const char *sub, const char *key,
		  unsigned int flags, size_t lo, size_t hi, json_t **out);

#endif /* FP_CONTROL_JGET_H */
