/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/addr, lib/names, lib/clock, lib/unix_addr and lib/buf: the address
 * parsers and printers, the X-macro name tables, the monotonic clock, the
 * Unix socket addresses and the growing buffers every program shares.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "buf.h"
#include "clock.h"
#include "names.h"
#include "unix_addr.h"

/* fp_addr_prefix_parse() as the model calls it: "/len" allowed when plen
 * is given; host_zero requires the host bits to be zero.
 */
static int
pfx(const char *s, struct fp_ip *ip, uint8_t *plen, int host_zero)
{
	return fp_addr_prefix_parse(
		s, ip, plen, (plen ? FP_ADDR_PREFIX : 0) | (host_zero ? FP_ADDR_HOST_ZERO : 0),
		NULL);
}

static void
test_addr_prefix_parse(void **state)
{
	static const uint8_t v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3 };
	struct fp_ip ip;
	uint8_t plen = 0;
	int fam = 0;

	(void)state;
	assert_int_equal(pfx("10.1.2.3", &ip, NULL, 0), 0);
	assert_memory_equal(ip.b, v4, 16);
	assert_true(fp_addr_ip_is_v4(&ip));
	assert_int_equal(pfx("10.1.2.3", &ip, &plen, 0), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(pfx("10.1.2.3/8", &ip, &plen, 0), 0);
	assert_int_equal(plen, 104);
	assert_memory_equal(ip.b, v4, 16); /* host bits kept without host_zero */
	assert_int_equal(pfx("10.1.2.3/8", &ip, &plen, 1), -EDOM);
	assert_int_equal(pfx("10.0.0.0/8", &ip, &plen, 1), 0);
	assert_int_equal(pfx("0.0.0.0/0", &ip, &plen, 1), 0);
	assert_int_equal(plen, 96);
	assert_int_equal(pfx("10.1.2.3/8", &ip, NULL, 0), -EPERM);
	assert_int_equal(fp_addr_prefix_parse("10.1.2.3/8", &ip, &plen,
					      FP_ADDR_PREFIX | FP_ADDR_HOST_MASK, &fam),
			 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(ip.b[12], 10);
	assert_int_equal(ip.b[13], 0);
	assert_int_equal(ip.b[15], 0);

	assert_int_equal(pfx("fd00::1", &ip, &plen, 0), 0);
	assert_int_equal(plen, 128);
	assert_false(fp_addr_ip_is_v4(&ip));
	assert_int_equal(ip.b[0], 0xfd);
	assert_int_equal(ip.b[15], 1);
	assert_int_equal(pfx("fd00::/8", &ip, &plen, 1), 0);
	assert_int_equal(plen, 8);
	assert_int_equal(pfx("fd00::/7", &ip, &plen, 1), -EDOM);
	assert_int_equal(pfx("::/0", &ip, &plen, 1), 0);
	assert_int_equal(plen, 0);
	assert_int_equal(pfx("fd00::/129", &ip, &plen, 0), -ERANGE);
	assert_int_equal(pfx("10.0.0.0/33", &ip, &plen, 0), -ERANGE);

	assert_int_equal(pfx("", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("/8", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("10.0.0", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("10.0.0.01", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx(" 10.0.0.1", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("10.0.0.1/8/8", &ip, &plen, 0), -ERANGE);
	assert_int_equal(pfx("10.0.0.1/+8", &ip, &plen, 0), -ERANGE);
	assert_int_equal(pfx("fe80::1%eth0", &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("::ffff:10.1.2.3", &ip, NULL, 0), 0);
	assert_memory_equal(ip.b, v4, 16);
	assert_int_equal(pfx(NULL, &ip, &plen, 0), -EINVAL);
	assert_int_equal(pfx("10.0.0.1", NULL, &plen, 0), -EINVAL);
	assert_false(fp_addr_ip_is_v4(NULL));
}

static void
test_addr_ip_parse_str(void **state)
{
	char buf[FP_ADDR_IP_STR];
	struct fp_ip ip;

	(void)state;
	assert_int_equal(fp_addr_ip_parse("192.0.2.1", &ip), AF_INET);
	assert_string_equal(fp_addr_ip_str(&ip, buf), "192.0.2.1");
	assert_int_equal(fp_addr_ip_parse("2001:db8::1", &ip), AF_INET6);
	assert_string_equal(fp_addr_ip_str(&ip, buf), "2001:db8::1");
	/* Written as IPv6, stored mapped, printed as IPv4. */
	assert_int_equal(fp_addr_ip_parse("::ffff:192.0.2.1", &ip), AF_INET6);
	assert_true(fp_addr_ip_is_v4(&ip));
	assert_string_equal(fp_addr_ip_str(&ip, buf), "192.0.2.1");
	memset(&ip, 0xee, sizeof(ip));
	fp_addr_ip_set_v4(&ip, 0xc0000201);
	assert_string_equal(fp_addr_ip_str(&ip, buf), "192.0.2.1");
	assert_true(fp_addr_ip_is_v4(&ip));
	assert_int_equal(fp_addr_ip_parse("192.0.2.256", &ip), -EINVAL);
	assert_true(fp_addr_ip_is_zero(&ip)); /* zeroed on failure */
	assert_int_equal(fp_addr_ip_parse("192.0.2.1/24", &ip), -EINVAL);
	assert_int_equal(fp_addr_ip_parse(NULL, &ip), -EINVAL);
	assert_int_equal(fp_addr_ip_parse("192.0.2.1", NULL), -EINVAL);
}

static void
test_addr_ip_kinds(void **state)
{
	static const struct {
		const char *s;	 /* address */
		int mcast;	 /* fp_addr_ip_is_multicast() */
		int unspec;	 /* fp_addr_ip_is_unspecified() */
		const char *why; /* fp_addr_ip_why_not_vtep() */
	} cases[] = {
		{ "192.0.2.1", 0, 0, NULL },
		{ "224.0.0.1", 1, 0, "a multicast address" },
		{ "239.255.255.255", 1, 0, "a multicast address" },
		{ "255.255.255.255", 0, 0, "the broadcast address" },
		{ "240.0.0.1", 0, 0, "a reserved (class E) address" },
		{ "0.0.0.0", 0, 1, "in 0.0.0.0/8 (this network)" },
		{ "0.1.2.3", 0, 0, "in 0.0.0.0/8 (this network)" },
		{ "127.0.0.1", 0, 0, "a loopback address" },
		{ "2001:db8::1", 0, 0, NULL },
		{ "ff02::1", 1, 0, "a multicast address" },
		{ "::", 0, 1, "the unspecified address" },
		{ "::1", 0, 0, "the loopback address" },
	};
	struct fp_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(fp_addr_ip_parse(cases[i].s, &ip) > 0);
		assert_int_equal(fp_addr_ip_is_multicast(&ip), cases[i].mcast);
		assert_int_equal(fp_addr_ip_is_unspecified(&ip), cases[i].unspec);
		if (cases[i].why == NULL)
			assert_null(fp_addr_ip_why_not_vtep(&ip));
		else
			assert_string_equal(fp_addr_ip_why_not_vtep(&ip), cases[i].why);
	}
	memset(&ip, 0, sizeof(ip));
	assert_true(fp_addr_ip_is_zero(&ip));
	assert_false(fp_addr_ip_is_v4(&ip));
}

static void
test_addr_prefix_contains(void **state)
{
	struct fp_ip pfx, ip;
	uint8_t plen;

	(void)state;
	assert_int_equal(fp_addr_prefix_parse("10.1.0.0/16", &pfx, &plen, FP_ADDR_PREFIX, NULL), 0);
	assert_int_equal(fp_addr_ip_parse("10.1.200.3", &ip), AF_INET);
	assert_true(fp_addr_prefix_contains(&pfx, plen, &ip));
	assert_int_equal(fp_addr_ip_parse("10.2.0.1", &ip), AF_INET);
	assert_false(fp_addr_prefix_contains(&pfx, plen, &ip));
	fp_addr_prefix_mask(&ip, 96 + 8);
	assert_int_equal(ip.b[12], 10);
	assert_int_equal(ip.b[13], 0);
}

static void
test_addr_mac_parse(void **state)
{
	static const uint8_t want[6] = { 0xfa, 0x16, 0x3e, 0x0a, 0xbc, 0xde };
	static const uint8_t shrt[6] = { 2, 0, 0, 0, 0, 0x1f };
	char buf[FP_ADDR_MAC_STR];
	uint8_t mac[6] = { 0 };

	(void)state;
	assert_int_equal(fp_addr_mac_parse("fa:16:3e:0a:bc:de", mac, 0), 0);
	assert_memory_equal(mac, want, 6);
	assert_string_equal(fp_addr_mac_str(mac, buf), "fa:16:3e:0a:bc:de");
	memset(mac, 0, sizeof(mac));
	assert_int_equal(fp_addr_mac_parse("FA:16:3E:0A:BC:DE", mac, 0), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(fp_addr_mac_parse("fa:16:3e:0a:bc", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("fa:16:3e:0a:bc:de:01", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("fa-16-3e-0a-bc-de", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("fa:16:3e:0a:bc:dg", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("f:a16:3e:0a:bc:de", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("2:0:0:0:0:1f", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("", mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse(NULL, mac, 0), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("fa:16:3e:0a:bc:de", NULL, 0), -EINVAL);
	/* A failed parse leaves mac alone. */
	assert_memory_equal(mac, want, 6);
	assert_int_equal(fp_addr_mac_parse("2:0:0:0:0:1f", mac, FP_ADDR_MAC_SHORT), 0);
	assert_memory_equal(mac, shrt, 6);
	assert_int_equal(fp_addr_mac_parse("2:0:0:0:0:", mac, FP_ADDR_MAC_SHORT), -EINVAL);
	assert_int_equal(fp_addr_mac_parse("200:0:0:0:0:1", mac, FP_ADDR_MAC_SHORT), -EINVAL);

	assert_int_equal(fp_addr_hex_digit('0'), 0);
	assert_int_equal(fp_addr_hex_digit('a'), 10);
	assert_int_equal(fp_addr_hex_digit('F'), 15);
	assert_int_equal(fp_addr_hex_digit('g'), -1);
	assert_int_equal(fp_addr_hex_digit(':'), -1);

	assert_true(fp_addr_mac_is_unicast(want));
	assert_false(fp_addr_mac_is_unicast((const uint8_t[6]){ 0x01, 0, 0x5e, 0, 0, 1 }));
	assert_false(fp_addr_mac_is_unicast((const uint8_t[6]){ 0 }));
	assert_true(fp_addr_mac_is_zero((const uint8_t[6]){ 0 }));
	assert_false(fp_addr_mac_is_zero(want));
}

static void
test_addr_names(void **state)
{
	(void)state;
	assert_string_equal(fp_names_table[FP_TABLE_FDB], "fdb");
	assert_string_equal(fp_names_role[FP_PORT_ROLE_UNDERLAY], "underlay");
	assert_string_equal(fp_names_encap[FP_ENCAP_GENEVE], "geneve");
	assert_string_equal(fp_names_dest[FP_DEST_VTEP], "vtep");
	assert_string_equal(fp_names_ctl_msg[FP_CTL_COMMIT], "commit");
	assert_string_equal(fp_names_xdp_map[FP_XDP_MAP_FLOOD], "fp_flood");
	assert_int_equal(fp_names_key_size[FP_TABLE_FDB], sizeof(struct fp_fdb_key));
	assert_int_equal(fp_names_val_size[FP_TABLE_VTEP], sizeof(struct fp_vtep_val));
	for (int i = 0; i < FP_STAT_MAX; i++)
		assert_non_null(fp_names_stat[i]);
	for (int i = 0; i < FP_DROP_MAX; i++) {
		assert_non_null(fp_names_drop[i]);
		assert_int_equal(fp_names_find(fp_names_drop, FP_DROP_MAX, fp_names_drop[i]), i);
	}
	assert_int_equal(fp_names_find(fp_names_table, FP_TABLE_MAX, "nope"), -ENOENT);
	assert_int_equal(fp_names_find(fp_names_table, FP_TABLE_MAX, NULL), -ENOENT);
	assert_string_equal(FP_NAMES_GET(fp_names_encap, FP_ENCAP_VXLAN), "vxlan");
	assert_string_equal(FP_NAMES_GET(fp_names_encap, FP_ENCAP_MAX), "?");
}

static void
test_addr_clock(void **state)
{
	uint64_t a, b;

	(void)state;
	a = fp_clock_now_ns();
	b = fp_clock_now_ns();
	assert_true(a > 0);
	assert_true(b >= a);
	assert_true(fp_clock_now_ms() >= (int64_t)(a / 1000000));
}

/* A socket path fits sun_path with its NUL or is refused, never cut. */
static void
test_addr_unix(void **state)
{
	char path[FP_UNIX_PATH_MAX + 2];
	struct sockaddr_un sa;
	int lfd, fd;

	(void)state;
	assert_int_equal(FP_UNIX_PATH_MAX, sizeof(sa.sun_path) - 1);
	assert_int_equal(fp_unix_addr_set(&sa, NULL), -EINVAL);
	assert_int_equal(fp_unix_addr_set(&sa, ""), -EINVAL);
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[FP_UNIX_PATH_MAX] = '\0';
	assert_int_equal(fp_unix_addr_set(&sa, path), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, path);
	path[FP_UNIX_PATH_MAX] = 'a';
	path[FP_UNIX_PATH_MAX + 1] = '\0';
	assert_int_equal(fp_unix_addr_set(&sa, path), -ENAMETOOLONG);
	assert_int_equal(fp_unix_connect(path, 0), -ENAMETOOLONG);
	assert_string_equal(fp_unix_strerror(-ENAMETOOLONG), "socket path longer than 107 bytes");
	assert_string_equal(fp_unix_strerror(-ENOENT), strerror(ENOENT));

	/* Nobody listens: -ENOENT; then a listener takes the connection. */
	snprintf(path, sizeof(path), "/tmp/fp_test_addr_%d.sock", (int)getpid());
	unlink(path);
	assert_int_equal(fp_unix_connect(path, SOCK_CLOEXEC), -ENOENT);
	assert_int_equal(fp_unix_addr_set(&sa, path), 0);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (const struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	fd = fp_unix_connect(path, SOCK_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	close(lfd);
	unlink(path);
}

/* Doubling from the first size, within the limit, never shrinking. */
static void
test_addr_buf_reserve(void **state)
{
	uint8_t *buf = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(fp_buf_reserve(&buf, &cap, 100, 16, 200), 0);
	assert_int_equal(cap, 128);
	assert_non_null(buf);
	buf[127] = 0x5a;
	assert_int_equal(fp_buf_reserve(&buf, &cap, 128, 16, 200), 0);
	assert_int_equal(cap, 128);
	/* Past the limit: the limit, and then nothing more. */
	assert_int_equal(fp_buf_reserve(&buf, &cap, 300, 16, 200), 0);
	assert_int_equal(cap, 200);
	assert_int_equal(buf[127], 0x5a);
	assert_int_equal(fp_buf_reserve(&buf, &cap, 300, 16, 200), 0);
	assert_int_equal(cap, 200);
	assert_int_equal(fp_buf_reserve(&buf, &cap, 1000, 16, SIZE_MAX), 0);
	assert_int_equal(cap, 1600);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_prefix_parse),
		cmocka_unit_test(test_addr_ip_parse_str),
		cmocka_unit_test(test_addr_ip_kinds),
		cmocka_unit_test(test_addr_prefix_contains),
		cmocka_unit_test(test_addr_mac_parse),
		cmocka_unit_test(test_addr_names),
		cmocka_unit_test(test_addr_clock),
		cmocka_unit_test(test_addr_unix),
		cmocka_unit_test(test_addr_buf_reserve),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
