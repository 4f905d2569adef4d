/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's config loader on the fixtures in tests/fixtures/control/:
 * the valid ones give the values they say, each invalid one fails with
 * "file:line: ..." naming the problem and leaves the config zeroed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctrl_config.h"

static char fixture_dir[512];

static const char *
fixture(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	return path;
}

static int
is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void
test_ctrl_config_full(void **state)
{
	static const uint8_t gw[6] = { 0x02, 0, 0, 0, 0, 0xfe };
	struct fp_ctrl_config c;
	char err[512] = "";

	(void)state;
	assert_int_equal(fp_ctrl_config_load(fixture("valid-full.conf"), &c, err, sizeof(err)), 0);
	assert_string_equal(c.host, "compute-01");
	assert_int_equal(c.n_local_vteps, 2);
	assert_int_equal(c.local_vteps[0].b[10], 0xff);
	assert_int_equal(c.local_vteps[0].b[15], 11);
	assert_int_equal(c.local_vteps[1].b[0], 0xfd);
	assert_string_equal(c.dp_socket, "/run/flowplane/dp.sock");
	assert_string_equal(c.api_socket, "/run/flowplane/api.sock");
	assert_string_equal(c.state_dir, "/var/lib/flowplane-test");
	assert_string_equal(c.underlay_port, "uplink");
	assert_int_equal(c.has_gw_mac, 1);
	assert_memory_equal(c.gw_mac, gw, 6);
	assert_int_equal(c.batch, 1024);
	assert_int_equal(c.health_ms, 100);
	assert_int_equal(c.max_body, 65536);
	assert_int_equal(c.audit_ms, 0);
	assert_int_equal(c.dhcp_lease, 3600);
	assert_string_equal(c.api_tcp_addr, "");
}

static void
test_ctrl_config_defaults(void **state)
{
	struct fp_ctrl_config c;
	char err[512] = "";

	(void)state;
	assert_int_equal(fp_ctrl_config_load(fixture("valid-minimal.conf"), &c, err, sizeof(err)),
			 0);
	assert_string_equal(c.host, "hv1");
	assert_string_equal(c.dp_socket, "/run/flowplane/fp-dpdk.sock");
	assert_string_equal(c.api_socket, "/run/flowplane/fp-control.sock");
	assert_string_equal(c.state_dir, "/var/lib/flowplane");
	assert_int_equal(c.has_gw_mac, 0);
	assert_int_equal(c.batch, 65536);
	assert_int_equal(c.health_ms, 500);
	assert_int_equal(c.audit_ms, 60000);
	assert_int_equal(c.dhcp_lease, 86400);
}

/* The TCP API with a token file: loopback only, token file mode 0600. */
static void
test_ctrl_config_tcp_token(void **state)
{
	char dir[] = "/tmp/fp_ctrl_cfg_XXXXXX", conf[600], tok[600], err[512];
	struct fp_ctrl_config c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(tok, sizeof(tok), "%s/token", dir);
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	f = fopen(tok, "w");
	assert_non_null(f);
	fputs("0123456789abcdef0123\n", f);
	fclose(f);
	chmod(tok, 0644);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"host = \"hv1\";\nvtep = { addresses = [ \"172.16.0.1\" ]; };\n"
		"fp_control = {\n\tapi_tcp = \"[::1]:9697\";\n\tapi_token_file = \"%s\";\n};\n",
		tok);
	fclose(f);
	/* Readable by others: refused. */
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "chmod 600"));
	assert_non_null(strstr(err, ":5:"));
	chmod(tok, 0600);
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), 0);
	assert_string_equal(c.api_tcp_addr, "::1");
	assert_int_equal(c.api_tcp_port, 9697);
	assert_string_equal(c.api_token, "0123456789abcdef0123");
	/* Too short a token. */
	f = fopen(tok, "w");
	assert_non_null(f);
	fputs("short\n", f);
	fclose(f);
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "16..256"));
	unlink(tok);
	unlink(conf);
	rmdir(dir);
}

static void
test_ctrl_config_invalid(void **state)
{
	static const struct {
		const char *file;   /* fixture */
		const char *where;  /* ":line:" or "" */
		const char *reason; /* part of the message */
	} bad[] = {
		{ "bad-unknown-key.conf", ":4:", "api_sockett: unknown key" },
		{ "bad-batch-range.conf", ":4:", "0 out of range 1..1048576" },
		{ "bad-batch-type.conf",
		  ":4:", "fp_control.batch: expected an integer, got a string" },
		{ "bad-audit-below-health.conf", ":4:", "100: 0 (no periodic audit) or at least" },
		{ "bad-tcp-not-loopback.conf", ":4:", "loopback only" },
		{ "bad-tcp-no-token.conf", ":4:", "needs api_token_file" },
		{ "bad-gw-mac-multicast.conf", ":4:", "not a unicast MAC" },
		{ "bad-dhcp-lease-range.conf", ":4:", "60 out of range 120..2147483647" },
		{ "bad-state-dir-relative.conf", ":4:", "absolute path" },
		{ "bad-backend.conf", ":4:", "\"vpp\": \"dpdk\" (fp-dpdk) or \"xdp\"" },
		{ "bad-no-host.conf", "", "host: missing (required)" },
		{ "bad-vtep-address.conf", ":2:", "is not an IPv4 or IPv6 address" },
		{ "bad-host-chars.conf", ":1:", "\"hv 1\" has a character outside" },
		{ "bad-include.conf", "", "@include is not supported" },
		{ "bad-syntax.conf", ":2:", "syntax error" },
		{ "no-such-file.conf", "", "No such file" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fp_ctrl_config c;
		char err[512] = "";
		int rc = fp_ctrl_config_load(fixture(bad[i].file), &c, err, sizeof(err));

		if (rc == 0 || strstr(err, bad[i].file) == NULL ||
		    strstr(err, bad[i].where) == NULL || strstr(err, bad[i].reason) == NULL)
			fail_msg("%s: rc %d, message \"%s\"; want \"%s\" and \"%s\"", bad[i].file,
				 rc, err, bad[i].where, bad[i].reason);
		assert_true(is_zero(&c, sizeof(c)));
	}
}

/* A FIFO (nobody writing) or a device as the config file is refused at
 * once: fp-control used to block for ever in fopen().
 */
static void
test_ctrl_config_fifo(void **state)
{
	char dir[] = "/tmp/fp_ctrl_cfg_XXXXXX", conf[600], want[700], err[512];
	struct fp_ctrl_config c;
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(conf, 0600), 0);
	rc = fp_ctrl_config_load(conf, &c, err, sizeof(err));
	unlink(conf);
	rmdir(dir);
	assert_int_equal(rc, -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", conf);
	assert_string_equal(err, want);
	assert_true(is_zero(&c, sizeof(c)));
	assert_int_equal(fp_ctrl_config_load("/dev/null", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/null: not a regular file");
	assert_int_equal(fp_ctrl_config_load(fixture_dir, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": not a regular file"));
}

/* The keys the three programs share are checked as fp-dpdk checks them:
 * fp-control no longer takes a host name or a VTEP address fp-dpdk refuses.
 */
static void
test_ctrl_config_shared_keys(void **state)
{
	static const struct {
		const char *text;   /* the file */
		const char *reason; /* part of the message */
	} bad[] = {
		{ "host = \"hv 1\";\nvtep = { addresses = [ \"172.16.0.1\" ]; };\n",
		  ":1: host: \"hv 1\" has a character outside [A-Za-z0-9._-]" },
		{ "host = \"hv1\";\nvtep = { addresses = [ \"127.0.0.1\" ]; };\n",
		  "vtep.addresses[0]: \"127.0.0.1\" is a loopback address" },
		{ "host = \"hv1\";\nvtep = { addresses = [ \"255.255.255.255\" ]; };\n",
		  "is the broadcast address" },
		{ "host = \"hv1\";\nvtep = { addresses = [ \"10.0.0.1\", \"10.0.0.1\" ]; };\n",
		  "duplicates vtep.addresses[0]" },
		{ "host = \"hv1\";\nvtep = { addresses = [ \"10.0.0.1\" ]; port = 1; };\n",
		  "vtep.port: unknown key" },
		{ "host = \"hv1\";\nvtep = { addresses = [ \"10.0.0.1\" ]; };\n"
		  "fp_control = { batch = 4294967297; };\n",
		  "fp_control.batch: 4294967297 out of range 1..1048576" },
	};
	char dir[] = "/tmp/fp_ctrl_cfg_XXXXXX", conf[600], err[512];
	struct fp_ctrl_config c;
	unsigned int i;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		f = fopen(conf, "w");
		assert_non_null(f);
		fputs(bad[i].text, f);
		fclose(f);
		rc = fp_ctrl_config_load(conf, &c, err, sizeof(err));
		if (rc != -EINVAL || strstr(err, bad[i].reason) == NULL)
			fail_msg("case %u: rc %d, message \"%s\"; want \"%s\"", i, rc, err,
				 bad[i].reason);
	}
	unlink(conf);
	rmdir(dir);
}

/* fp_control.metadata: off without the group; with it, nova_url and a
 * shared_secret_file (mode 0600) are required; listen IPv4; limits in
 * range.
 */
static void
test_ctrl_config_metadata(void **state)
{
	static const struct {
		const char *group;  /* the metadata group's keys */
		const char *reason; /* part of the message; NULL: valid */
	} cases[] = {
		{ "nova_url = \"http://192.0.2.10:8775\"; shared_secret_file = \"%s\";", NULL },
		{ "shared_secret_file = \"%s\";", "fp_control.metadata: nova_url is required" },
		{ "nova_url = \"http://192.0.2.10:8775\";",
		  "fp_control.metadata: shared_secret_file is required" },
		{ "nova_url = \"https://192.0.2.10:8775\"; shared_secret_file = \"%s\";",
		  "https is not supported yet" },
		{ "nova_url = \"http://192.0.2.10:8775/x\"; shared_secret_file = \"%s\";",
		  "without a path" },
		{ "nova_url = \"http://nova:8775\"; shared_secret_file = \"%s\";",
		  "nova: not an IP address" },
		{ "nova_url = \"http://192.0.2.10:0\"; shared_secret_file = \"%s\";",
		  "port must be 1..65535" },
		{ "listen = \"[fe80::a9fe:a9fe]:80\"; nova_url = \"http://192.0.2.10\";"
		  " shared_secret_file = \"%s\";",
		  "IPv4 only" },
		{ "listen = \"[::ffff:169.254.169.254]:80\"; nova_url = \"http://192.0.2.10\";"
		  " shared_secret_file = \"%s\";",
		  "IPv4 only" },
		{ "nova_url = \"http://192.0.2.10\"; shared_secret_file = \"%s\";"
		  " max_conns_per_port = 0;",
		  "0 out of range 1..4096" },
		{ "nova_url = \"http://192.0.2.10\"; shared_secret_file = \"%s\";"
		  " test_assume_delivered = 1;",
		  "must be true or false" },
		{ "nova_url = \"http://192.0.2.10\"; shared_secret_file = \"%s\"; rate = 0;",
		  "0 out of range 1..100000" },
		{ "nova_url = \"http://192.0.2.10\"; shared_secret_file = \"%s\"; nova = 1;",
		  "nova: unknown key" },
		{ "nova_url = \"http://192.0.2.10\"; shared_secret_file = \"%s.none\";",
		  "No such file" },
	};
	char dir[] = "/tmp/fp_ctrl_cfg_XXXXXX", conf[600], sec[600], grp[1400], err[512];
	struct fp_ctrl_config c;
	unsigned int i;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sec, sizeof(sec), "%s/secret", dir);
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	f = fopen(sec, "w");
	assert_non_null(f);
	fputs("s3cret-of-nova\n", f);
	fclose(f);
	chmod(sec, 0600);
	/* No group: off, with the defaults. */
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("host = \"hv1\";\nvtep = { addresses = [ \"172.16.0.1\" ]; };\n", f);
	fclose(f);
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), 0);
	assert_int_equal(c.md.enabled, 0);
	assert_int_equal(c.md.max_conns_per_port, 4);
	assert_int_equal(c.md.max_pending_per_port, 4);
	assert_int_equal(c.md.test_assume_delivered, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(grp, sizeof(grp), cases[i].group, sec);
		f = fopen(conf, "w");
		assert_non_null(f);
		fprintf(f,
			"host = \"hv1\";\nvtep = { addresses = [ \"172.16.0.1\" ]; };\n"
			"fp_control = {\n\tmetadata = { %s };\n};\n",
			grp);
		fclose(f);
		rc = fp_ctrl_config_load(conf, &c, err, sizeof(err));
		if (cases[i].reason == NULL ?
			    rc != 0 :
			    rc != -EINVAL || strstr(err, cases[i].reason) == NULL ||
				    strstr(err, ":4:") == NULL)
			fail_msg("case %u: rc %d, message \"%s\"; want \"%s\"", i, rc, err,
				 cases[i].reason ? cases[i].reason : "valid");
	}
	/* The valid one's values. */
	snprintf(grp, sizeof(grp),
		 "listen = \"10.0.0.1:8080\"; nova_url = \"http://[fd00::1]/\";"
		 " shared_secret_file = \"%s\"; max_conns = 8; request_ms = 500;"
		 " timeout_ms = 700; max_response = 65536; rate = 2; burst = 3;"
		 " max_conns_per_port = 5; max_pending_per_port = 6; test_assume_delivered = true;",
		 sec);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"host = \"hv1\";\nvtep = { addresses = [ \"172.16.0.1\" ]; };\n"
		"fp_control = {\n\tmetadata = { %s };\n};\n",
		grp);
	fclose(f);
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), 0);
	assert_int_equal(c.md.enabled, 1);
	assert_string_equal(c.md.listen_addr, "10.0.0.1");
	assert_int_equal(c.md.listen_port, 8080);
	assert_string_equal(c.md.nova_addr, "fd00::1");
	assert_int_equal(c.md.nova_port, 80);
	assert_string_equal(c.md.secret, "s3cret-of-nova");
	assert_int_equal(c.md.max_conns, 8);
	assert_int_equal(c.md.request_ms, 500);
	assert_int_equal(c.md.timeout_ms, 700);
	assert_int_equal(c.md.max_response, 65536);
	assert_int_equal(c.md.rate, 2);
	assert_int_equal(c.md.burst, 3);
	assert_int_equal(c.md.max_conns_per_port, 5);
	assert_int_equal(c.md.max_pending_per_port, 6);
	assert_int_equal(c.md.test_assume_delivered, 1);
	/* The secret readable by others: refused. */
	chmod(sec, 0640);
	assert_int_equal(fp_ctrl_config_load(conf, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "chmod 600"));
	unlink(sec);
	unlink(conf);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctrl_config_full),
		cmocka_unit_test(test_ctrl_config_defaults),
		cmocka_unit_test(test_ctrl_config_tcp_token),
		cmocka_unit_test(test_ctrl_config_invalid),
		cmocka_unit_test(test_ctrl_config_fifo),
		cmocka_unit_test(test_ctrl_config_shared_keys),
		cmocka_unit_test(test_ctrl_config_metadata),
	};
	const char *src = getenv("FP_SRCDIR");

	snprintf(fixture_dir, sizeof(fixture_dir), "%s/tests/fixtures/control", src ? src : ".");
	return cmocka_run_group_tests_name("ctrl_config", tests, NULL, NULL);
}
