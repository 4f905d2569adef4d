/* SPDX-License-Identifier: BSD-3-Clause */
/* What the config loaders' unit tests (test_config.c for fp-dpdk,
 * test_xdp_config.c for fp-xdp) share: fixture paths under $FP_SRCDIR
 * (the project root, set by meson), and the checks every loader must
 * pass over a fixture directory: each valid file loads; each invalid
 * file has a row saying the line and a text its error must carry, is
 * refused with -EINVAL and "file:line: ...", and leaves the config
 * struct all zero (fail closed).  cmocka asserts; call from a test.
 */
#ifndef FP_TESTS_CONF_FIXTURE_H
#define FP_TESTS_CONF_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* One invalid fixture and what the loader must say about it. */
struct fp_conf_fixture_bad {
	const char *file;      /* under the invalid/ directory */
	unsigned int line;     /* line the error names */
	const char *substring; /* text the error contains */
};

/* A loader under test, e.g. fp_config_load() behind a wrapper. */
typedef int fp_conf_fixture_load_fn(const char *path, void *cfg, char *err, unsigned int errsz);

/**
 * A cmocka setup: *state = a zeroed allocation of size bytes.
 *
 * @return 0, or -1 (no memory)
 */
int fp_conf_fixture_setup(void **state, size_t size);

/** A cmocka teardown: frees *state. */
int fp_conf_fixture_teardown(void **state);

/** @return $FP_SRCDIR, or "." */
const char *fp_conf_fixture_srcdir(void);

/** buf (PATH_MAX bytes) = $FP_SRCDIR/dir/file; asserts that it fits. */
void fp_conf_fixture_path(char *buf, const char *dir, const char *file);

/** @return whether s ends with suffix (and is longer) */
bool fp_conf_fixture_has_suffix(const char *s, const char *suffix);

/** Assert that ip is the address s. */
void fp_conf_fixture_ip_expect(const struct fp_ip *ip, const char *s);

/** @return whether the n bytes at p are all zero */
bool fp_conf_fixture_is_zero(const void *p, size_t n);

/**
 * Load $FP_SRCDIR/dir/file into cfg and expect success with err empty.
 *
 * @param path receives the file's path (PATH_MAX bytes)
 * @param err  the error buffer (errsz bytes)
 */
void fp_conf_fixture_load_ok(fp_conf_fixture_load_fn *load, void *cfg, const char *dir,
			     const char *file, char *path, char *err, unsigned int errsz);

/**
 * Load every *.conf of $FP_SRCDIR/dir with fp_conf_fixture_load_ok().
 *
 * @return how many
 */
unsigned int fp_conf_fixture_load_dir(fp_conf_fixture_load_fn *load, void *cfg, const char *dir,
				      char *path, char *err, unsigned int errsz);

/**
 * Each row of bad: $FP_SRCDIR/dir/row.file is refused with -EINVAL, the
 * error starts "path:line: " and carries row.substring, and cfg (filled
 * with garbage first) is all zero after.
 *
 * @param cfg_size sizeof(*cfg)
 */
void fp_conf_fixture_bad_check(fp_conf_fixture_load_fn *load, void *cfg, size_t cfg_size,
			       const char *dir, const struct fp_conf_fixture_bad *bad,
			       unsigned int n_bad);

/**
 * Every *.conf of $FP_SRCDIR/dir has a row in bad, and bad has no other
 * row.
 */
void fp_conf_fixture_bad_all_listed(const char *dir, const struct fp_conf_fixture_bad *bad,
				    unsigned int n_bad);

/**
 * The file errors every loader answers alike, each leaving cfg all zero:
 * a missing file (-ENOENT, "path: No such file or directory"), a
 * directory (-EISDIR), a FIFO nobody writes and a device (-EINVAL, "path:
 * not a regular file", at once), a path longer than PATH_MAX
 * (-ENAMETOOLONG), a NULL path or cfg (-EINVAL); and an error buffer that
 * may be NULL or too small (then cut, NUL-terminated).
 *
 * @param bad_dir  a directory under $FP_SRCDIR holding bad_file
 * @param bad_file a fixture the loader refuses
 */
void fp_conf_fixture_file_errors_check(fp_conf_fixture_load_fn *load, void *cfg, size_t cfg_size,
				       const char *bad_dir, const char *bad_file);

#endif /* FP_TESTS_CONF_FIXTURE_H */
