/* SPDX-License-Identifier: BSD-3-Clause */
#include "conf_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

int
fp_conf_fixture_setup(void **state, size_t size)
{
	*state = calloc(1, size);
	return *state != NULL ? 0 : -1;
}

int
fp_conf_fixture_teardown(void **state)
{
	free(*state);
	return 0;
}

const char *
fp_conf_fixture_srcdir(void)
{
	const char *dir = getenv("FP_SRCDIR");

	return dir != NULL && dir[0] != '\0' ? dir : ".";
}

void
fp_conf_fixture_path(char *buf, const char *dir, const char *file)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s/%s", fp_conf_fixture_srcdir(), dir, file);

	assert_true(n > 0 && n < PATH_MAX);
}

bool
fp_conf_fixture_has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len > slen && strcmp(s + len - slen, suffix) == 0;
}

void
fp_conf_fixture_ip_expect(const struct fp_ip *ip, const char *s)
{
	struct fp_ip want;

	assert_true(fp_addr_ip_parse(s, &want) > 0);
	assert_memory_equal(ip->b, want.b, sizeof(want.b));
}

bool
fp_conf_fixture_is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

void
fp_conf_fixture_load_ok(fp_conf_fixture_load_fn *load, void *cfg, const char *dir, const char *file,
			char *path, char *err, unsigned int errsz)
{
	int rc;

	fp_conf_fixture_path(path, dir, file);
	rc = load(path, cfg, err, errsz);
	if (rc != 0)
		fail_msg("%s: rc %d: %s", path, rc, err);
	assert_string_equal(err, "");
}

/* Open $FP_SRCDIR/dir. */
static DIR *
dir_open(const char *dir)
{
	char dirpath[PATH_MAX];
	DIR *d;

	snprintf(dirpath, sizeof(dirpath), "%s/%s", fp_conf_fixture_srcdir(), dir);
	d = opendir(dirpath);
	if (d == NULL)
		fail_msg("%s: %s", dirpath, strerror(errno));
	return d;
}

unsigned int
fp_conf_fixture_load_dir(fp_conf_fixture_load_fn *load, void *cfg, const char *dir, char *path,
			 char *err, unsigned int errsz)
{
	DIR *d = dir_open(dir);
	unsigned int n = 0;
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		if (!fp_conf_fixture_has_suffix(de->d_name, ".conf"))
			continue;
		fp_conf_fixture_load_ok(load, cfg, dir, de->d_name, path, err, errsz);
		n++;
	}
	closedir(d);
	return n;
}

void
fp_conf_fixture_bad_check(fp_conf_fixture_load_fn *load, void *cfg, size_t cfg_size,
			  const char *dir, const struct fp_conf_fixture_bad *bad,
			  unsigned int n_bad)
{
	char path[PATH_MAX], prefix[PATH_MAX + 32], err[512];
	unsigned int i;
	int rc;

	for (i = 0; i < n_bad; i++) {
		const struct fp_conf_fixture_bad *c = &bad[i];

		fp_conf_fixture_path(path, dir, c->file);
		memset(cfg, 0x5a, cfg_size);
		memset(err, 0, sizeof(err));
		rc = load(path, cfg, err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "%s:%u: ", path, c->line);
		if (rc != -EINVAL || strncmp(err, prefix, strlen(prefix)) != 0 ||
		    strstr(err, c->substring) == NULL)
			fail_msg("%s: rc %d, error \"%s\"; want -EINVAL and \"%s...%s\"", c->file,
				 rc, err, prefix, c->substring);
		/* Fail closed: nothing half-loaded is left behind. */
		if (!fp_conf_fixture_is_zero(cfg, cfg_size))
			fail_msg("%s: the config is not zeroed after the error", c->file);
	}
}

void
fp_conf_fixture_bad_all_listed(const char *dir, const struct fp_conf_fixture_bad *bad,
			       unsigned int n_bad)
{
	DIR *d = dir_open(dir);
	unsigned int n = 0, i;
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		if (!fp_conf_fixture_has_suffix(de->d_name, ".conf"))
			continue;
		for (i = 0; i < n_bad; i++)
			if (strcmp(de->d_name, bad[i].file) == 0)
				break;
		if (i == n_bad)
			fail_msg("%s/%s has no row in the table of invalid fixtures", dir,
				 de->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, n_bad);
}

/* load(path) returns want, says "path<suffix>" and leaves cfg all zero. */
static void
load_fails(fp_conf_fixture_load_fn *load, void *cfg, size_t cfg_size, const char *path, int want,
	   const char *suffix)
{
	char err[PATH_MAX + 64], text[PATH_MAX + 64];
	int rc;

	memset(cfg, 0x5a, cfg_size);
	rc = load(path, cfg, err, sizeof(err));
	if (rc != want)
		fail_msg("%.64s: rc %d, want %d (\"%s\")", path, rc, want, err);
	if (suffix != NULL) {
		snprintf(text, sizeof(text), "%s%s", path, suffix);
		assert_string_equal(err, text);
	}
	assert_true(fp_conf_fixture_is_zero(cfg, cfg_size));
}

void
fp_conf_fixture_file_errors_check(fp_conf_fixture_load_fn *load, void *cfg, size_t cfg_size,
				  const char *bad_dir, const char *bad_file)
{
	char dir[] = "/tmp/fp-test-conf-XXXXXX", path[PATH_MAX + 8], small[8];

	fp_conf_fixture_path(path, "tests/fixtures", "no-such-file.conf");
	load_fails(load, cfg, cfg_size, path, -ENOENT, ": No such file or directory");
	snprintf(path, sizeof(path), "%s/tests/fixtures", fp_conf_fixture_srcdir());
	load_fails(load, cfg, cfg_size, path, -EISDIR, ": not a regular file");

	/* The old fopen() of a FIFO blocked the program for ever. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	load_fails(load, cfg, cfg_size, path, -EINVAL, ": not a regular file");
	unlink(path);
	rmdir(dir);
	load_fails(load, cfg, cfg_size, "/dev/null", -EINVAL, ": not a regular file");
	load_fails(load, cfg, cfg_size, "/dev/zero", -EINVAL, ": not a regular file");

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	load_fails(load, cfg, cfg_size, path, -ENAMETOOLONG, NULL);

	fp_conf_fixture_path(path, bad_dir, bad_file);
	assert_int_equal(load(path, cfg, NULL, 0), -EINVAL);
	memset(small, 'x', sizeof(small));
	assert_int_equal(load(path, cfg, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, path, sizeof(small) - 1);
	assert_int_equal(load(NULL, cfg, small, sizeof(small)), -EINVAL);
	assert_int_equal(load(path, NULL, small, sizeof(small)), -EINVAL);
}
