/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/md_link: the metadata proxy's link address of an engine port, both
 * ways, at and beyond the ends of its range.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "md_link.h"

/* The address as text, to compare with what a person would write. */
static const char *
text(uint32_t addr, char *buf)
{
	struct in_addr a = { .s_addr = htonl(addr) };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void
test_md_link_addr(void **state)
{
	static const struct {
		uint32_t port_id; /* engine port */
		const char *addr; /* its link address */
	} known[] = {
		{ 0, "169.254.1.0" },	      { 1, "169.254.1.1" },   { 63, "169.254.1.63" },
		{ 255, "169.254.1.255" },     { 256, "169.254.2.0" }, { 4096, "169.254.17.0" },
		{ 32511, "169.254.127.255" },
	};
	char buf[INET_ADDRSTRLEN];
	uint32_t a, p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		a = 0;
		assert_int_equal(fp_md_link_addr(known[i].port_id, &a), 0);
		assert_string_equal(text(a, buf), known[i].addr);
		p = UINT32_MAX;
		assert_int_equal(fp_md_link_port(a, &p), 0);
		assert_int_equal(p, known[i].port_id);
	}
	/* Every port id both ways, each address once. */
	for (p = 0; p < FP_MD_LINK_N; p++) {
		uint32_t back = UINT32_MAX;

		assert_int_equal(fp_md_link_addr(p, &a), 0);
		assert_int_equal(a >> 15, FP_MD_LINK_PREFIX >> 15); /* inside 169.254.0.0/17 */
		assert_true(a != FP_MD_ADDR);
		assert_int_equal(fp_md_link_port(a, &back), 0);
		assert_int_equal(back, p);
	}
}

static void
test_md_link_bounds(void **state)
{
	static const char *const not_link[] = {
		"169.254.0.255",   "169.254.0.0", "169.254.128.0", "169.254.169.254",
		"169.254.255.255", "10.0.0.5",	  "0.0.0.0",	   "255.255.255.255",
		"169.253.1.0",	   "170.254.1.0", "127.0.0.1",	   "169.254.200.1",
	};
	uint32_t a = 0x12345678, p = 0x12345678;
	struct in_addr in;
	size_t i;

	(void)state;
	assert_int_equal(fp_md_link_addr(FP_MD_LINK_N, &a), -ERANGE);
	assert_int_equal(fp_md_link_addr(UINT32_MAX, &a), -ERANGE);
	assert_int_equal(a, 0x12345678); /* untouched */
	for (i = 0; i < sizeof(not_link) / sizeof(not_link[0]); i++) {
		assert_int_equal(inet_pton(AF_INET, not_link[i], &in), 1);
		if (fp_md_link_port(ntohl(in.s_addr), &p) != -ENOENT)
			fail_msg("%s taken as a link address (port %u)", not_link[i], p);
	}
	assert_int_equal(p, 0x12345678);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md_link_addr),
		cmocka_unit_test(test_md_link_bounds),
	};

	return cmocka_run_group_tests_name("md_link", tests, NULL, NULL);
}
