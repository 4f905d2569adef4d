/* SPDX-License-Identifier: BSD-3-Clause */
/* Which settings differ between two loads of a program's config: what a
 * SIGHUP reload reports as "changed: takes effect at the next start".
 * A program lists the members of its config struct that a reload does
 * not apply, each with the name the file gives it; members that share a
 * name are reported once.  Pure: no libconfig, no I/O.
 */
#ifndef FP_LIB_CONF_DIFF_H
#define FP_LIB_CONF_DIFF_H

#include <stddef.h>

/* One member of a config struct, compared as bytes. */
struct fp_conf_field {
	const char *name; /* as in the file: "ports", "fp_control.batch" */
	size_t off;	  /* offsetof() the member */
	size_t size;	  /* sizeof() the member */
};

#define FP_CONF_FIELD(type, key, member)                                                          \
	{                                                                                         \
		.name = (key), .off = offsetof(type, member), .size = sizeof(((type *)0)->member) \
	}

/**
 * Write the names of the fields that differ between a and b, ", "
 * separated, into buf ("" when none do; cut to size).
 *
 * @param a	    one config
 * @param b	    the other, same type
 * @param fields    the members to compare
 * @param n_fields  entries in fields
 * @param buf	    receives the names
 * @param size	    its size, > 0
 * @return the number of names written
 */
unsigned int fp_conf_diff_names(const void *a, const void *b, const struct fp_conf_field *fields,
				size_t n_fields, char *buf, size_t size);

/**
 * End a reload's log (lib/log.h): one warning naming the fields that
 * differ ("reload: ports, workers changed: takes effect at the next
 * start"), if any, then "reload: PATH done".
 *
 * @param old	   the config in use
 * @param new	   the one just loaded, same type
 * @param fields   the members a reload does not apply
 * @param n_fields entries in fields
 * @param path	   the config file, for the last line
 */
void fp_conf_diff_log(const void *old, const void *new, const struct fp_conf_field *fields,
		      size_t n_fields, const char *path);

#endif /* FP_LIB_CONF_DIFF_H */
