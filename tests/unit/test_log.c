/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/log.c: level names, the threshold, the line format, the log file
 * and its reopening after a rotation; lib/conf_diff.c: the names of the
 * settings that changed; lib/daemon.c: the daemons' command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_diff.h"
#include "daemon.h"
#include "log.h"

struct state {
	char dir[64];	  /* mkdtemp() */
	char path[128];	  /* the log file */
	int saved_stderr; /* fd 2 before the test */
};

static int
setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	snprintf(s->dir, sizeof(s->dir), "/tmp/fp_test_log.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/fp.log", s->dir);
	s->saved_stderr = dup(STDERR_FILENO);
	assert_true(s->saved_stderr >= 0);
	fp_log_init("fp-test", FP_LOG_INFO);
	*st = s;
	return 0;
}

static int
teardown(void **st)
{
	struct state *s = *st;
	char p[160];

	dup2(s->saved_stderr, STDERR_FILENO);
	close(s->saved_stderr);
	snprintf(p, sizeof(p), "%s.1", s->path);
	unlink(p);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

/* The whole file, NUL-terminated (static buffer). */
static const char *
slurp(const char *path)
{
	static char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int
count_lines(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void
test_log_level_names(void **st)
{
	(void)st;
	assert_int_equal(fp_log_level_parse("error"), FP_LOG_ERR);
	assert_int_equal(fp_log_level_parse("warning"), FP_LOG_WARN);
	assert_int_equal(fp_log_level_parse("warn"), FP_LOG_WARN);
	assert_int_equal(fp_log_level_parse("info"), FP_LOG_INFO);
	assert_int_equal(fp_log_level_parse("debug"), FP_LOG_DEBUG);
	assert_int_equal(fp_log_level_parse("Debug"), -EINVAL);
	assert_int_equal(fp_log_level_parse(""), -EINVAL);
	assert_int_equal(fp_log_level_parse(NULL), -EINVAL);
	assert_string_equal(fp_log_level_name(FP_LOG_WARN), "warning");
	assert_string_equal(fp_log_level_name(7), "?");
	fp_log_level_set(99);
	assert_int_equal(fp_log_level_get(), FP_LOG_DEBUG);
	fp_log_level_set(-3);
	assert_int_equal(fp_log_level_get(), FP_LOG_ERR);
}

static void
test_log_format_and_threshold(void **st)
{
	struct state *s = *st;
	const char *text;
	regex_t re;

	assert_int_equal(fp_log_file_open(s->path), 0);
	assert_string_equal(fp_log_file_path(), s->path);
	fp_log_level_set(FP_LOG_INFO);
	fp_log(FP_LOG_INFO, "hello %d", 42);
	fp_log(FP_LOG_DEBUG, "not shown");
	fp_log(FP_LOG_ERR, "bad %s", "thing");
	fp_log_level_set(FP_LOG_WARN);
	fp_log(FP_LOG_INFO, "not shown either");
	fp_log(FP_LOG_WARN, "careful");
	text = slurp(s->path);
	assert_int_equal(count_lines(text), 3);
	assert_null(strstr(text, "not shown"));
	assert_int_equal(regcomp(&re,
				 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}"
				 "[+-][0-9]{4} fp-test: info: hello 42\n"
				 "[^ ]+ fp-test: error: bad thing\n"
				 "[^ ]+ fp-test: warning: careful\n$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
	regfree(&re);
}

static void
test_log_text_lines(void **st)
{
	struct state *s = *st;
	static const char msg[] = "EAL: one\nEAL: two\n\n";
	const char *text;

	assert_int_equal(fp_log_file_open(s->path), 0);
	fp_log_level_set(FP_LOG_INFO);
	fp_log_text(FP_LOG_INFO, msg, sizeof(msg) - 1);
	fp_log_text(FP_LOG_DEBUG, msg, sizeof(msg) - 1);
	fp_log_text(FP_LOG_WARN, "no newline", 10);
	text = slurp(s->path);
	assert_int_equal(count_lines(text), 3);
	assert_non_null(strstr(text, " fp-test: info: EAL: one\n"));
	assert_non_null(strstr(text, " fp-test: info: EAL: two\n"));
	assert_non_null(strstr(text, " fp-test: warning: no newline\n"));
}

static void
test_log_reopen_after_rotation(void **st)
{
	struct state *s = *st;
	char rotated[160];

	assert_int_equal(fp_log_file_open(s->path), 0);
	fp_log_level_set(FP_LOG_INFO);
	fp_log(FP_LOG_INFO, "before");
	snprintf(rotated, sizeof(rotated), "%s.1", s->path);
	assert_int_equal(rename(s->path, rotated), 0);
	fp_log(FP_LOG_INFO, "still the old file");
	assert_int_equal(fp_log_file_reopen(), 0);
	fp_log(FP_LOG_INFO, "after");
	assert_non_null(strstr(slurp(rotated), "still the old file"));
	assert_null(strstr(slurp(rotated), "after"));
	assert_non_null(strstr(slurp(s->path), "fp-test: info: after\n"));
	assert_int_equal(count_lines(slurp(s->path)), 1);
	/* A directory cannot be a log file: the old file stays. */
	assert_int_equal(fp_log_file_open(s->dir), -EISDIR);
}

static void
test_log_opts_and_reload(void **st)
{
	struct state *s = *st;
	struct fp_log_opts o = { .level = -1, .file = NULL };
	char rotated[160];

	assert_true(fp_log_opt(&o, 'q', NULL));
	assert_int_equal(o.level, FP_LOG_WARN);
	assert_true(fp_log_opt(&o, 'q', NULL));
	assert_int_equal(o.level, FP_LOG_ERR);
	assert_true(fp_log_opt(&o, 'v', NULL));
	assert_int_equal(o.level, FP_LOG_DEBUG);
	assert_true(fp_log_opt(&o, FP_LOG_OPT_FILE, s->path));
	assert_ptr_equal(o.file, s->path);
	assert_false(fp_log_opt(&o, 'c', "x"));

	/* No -v/-q: the reloaded level is taken, and said. */
	o.level = -1;
	assert_int_equal(fp_log_file_open(s->path), 0);
	fp_log_level_set(FP_LOG_INFO);
	snprintf(rotated, sizeof(rotated), "%s.1", s->path);
	assert_int_equal(rename(s->path, rotated), 0);
	assert_int_equal(fp_log_reload(FP_LOG_WARN, &o), FP_LOG_WARN);
	assert_int_equal(fp_log_level_get(), FP_LOG_WARN);
	assert_non_null(strstr(slurp(s->path), "info: reload: log file "));
	assert_non_null(strstr(slurp(s->path), "info: reload: log_level info -> warning\n"));
	/* A config that did not load: the level stays. */
	assert_int_equal(fp_log_reload(-1, &o), FP_LOG_WARN);
	/* -v/-q given: the config's level is not taken. */
	o.level = FP_LOG_WARN;
	assert_int_equal(fp_log_reload(FP_LOG_DEBUG, &o), FP_LOG_WARN);
	assert_null(strstr(slurp(s->path), "-> debug"));
}

struct cfg {
	uint32_t a;   /* "alpha" */
	uint32_t b;   /* "beta" (with c) */
	uint32_t c;   /* "beta" */
	char d[8];    /* "delta" */
	uint32_t pad; /* not compared */
};

static void
test_conf_diff_names(void **st)
{
	static const struct fp_conf_field fields[] = {
		FP_CONF_FIELD(struct cfg, "alpha", a),
		FP_CONF_FIELD(struct cfg, "beta", b),
		FP_CONF_FIELD(struct cfg, "beta", c),
		FP_CONF_FIELD(struct cfg, "delta", d),
	};
	struct cfg x = { 1, 2, 3, "x", 0 }, y = x;
	char buf[64];

	(void)st;
	assert_int_equal(fp_conf_diff_names(&x, &y, fields, 4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	y.pad = 9;
	assert_int_equal(fp_conf_diff_names(&x, &y, fields, 4, buf, sizeof(buf)), 0);
	y.b = 5;
	y.c = 6;
	y.d[1] = 'y';
	assert_int_equal(fp_conf_diff_names(&x, &y, fields, 4, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "beta, delta");
	y = x;
	y.c = 7;
	y.a = 0;
	assert_int_equal(fp_conf_diff_names(&x, &y, fields, 4, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "alpha, beta");
	/* Cut to the buffer, still a string. */
	y.d[0] = 'q';
	assert_int_equal(fp_conf_diff_names(&x, &y, fields, 4, buf, 8), 3);
	assert_string_equal(buf, "alpha, ");
}

static int n_usage; /* usage() calls since the last parse() */

static void
usage(FILE *f)
{
	(void)f;
	n_usage++;
}

/* fp_daemon_args_parse() over a NULL-terminated argv, from a fresh getopt. */
static int
parse(struct fp_daemon_args *a, bool check_takes_file, const char *const args[])
{
	const struct fp_daemon_spec spec = {
		.prog = "fp-test",
		.usage = usage,
		.check_takes_file = check_takes_file,
		.usage_status = 2,
	};
	char *argv[16];
	int argc = 0;

	while (args[argc] != NULL && argc < 15) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	*a = (struct fp_daemon_args){ .path = "default.conf", .log = { .level = -1 } };
	n_usage = 0;
	optind = 0; /* glibc: start over */
	opterr = 0;
	return fp_daemon_args_parse(a, argc, argv, &spec);
}

static void
test_daemon_args(void **st)
{
	struct fp_daemon_args a;

	(void)st;
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", NULL }), -1);
	assert_string_equal(a.path, "default.conf");
	assert_false(a.check);
	assert_int_equal(a.log.level, -1);
	assert_null(a.log.file);

	assert_int_equal(parse(&a, true,
			       (const char *const[]){ "p", "-c", "x.conf", "-q", "-q", "--log-file",
						      "f.log", NULL }),
			 -1);
	assert_string_equal(a.path, "x.conf");
	assert_int_equal(a.log.level, FP_LOG_ERR);
	assert_string_equal(a.log.file, "f.log");

	/* --check-config FILE as the option's argument (fp-dpdk) ... */
	assert_int_equal(
		parse(&a, true, (const char *const[]){ "p", "--check-config", "y.conf", NULL }),
		-1);
	assert_true(a.check);
	assert_string_equal(a.path, "y.conf");
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", "--check-config", NULL }), 2);
	assert_int_equal(n_usage, 1);

	/* ... or an optional operand (fp-control), -c's file without it. */
	assert_int_equal(
		parse(&a, false, (const char *const[]){ "p", "--check-config", "y.conf", NULL }),
		-1);
	assert_true(a.check);
	assert_string_equal(a.path, "y.conf");
	assert_int_equal(
		parse(&a, false,
		      (const char *const[]){ "p", "-c", "x.conf", "--check-config", NULL }),
		-1);
	assert_true(a.check);
	assert_string_equal(a.path, "x.conf");
	assert_int_equal(
		parse(&a, false, (const char *const[]){ "p", "--check-config", "a", "b", NULL }),
		2);

	/* Usage errors: an unknown option, an operand; -h prints the usage, exits 0. */
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", "--bogus", NULL }), 2);
	assert_int_equal(n_usage, 1);
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", "x.conf", NULL }), 2);
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", "-h", NULL }), 0);
	assert_int_equal(n_usage, 1);
	assert_int_equal(parse(&a, true, (const char *const[]){ "p", "-v", NULL }), -1);
	assert_int_equal(a.log.level, FP_LOG_DEBUG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log_level_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_format_and_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_text_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_reopen_after_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_opts_and_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_diff_names, setup, teardown),
		cmocka_unit_test(test_daemon_args),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
