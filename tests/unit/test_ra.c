/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/ra: router advertisements answered to solicitations and built for
 * the periodic sender, byte by byte, per Neutron mode; what malformed,
 * misdirected and truncated solicitations get (nothing, with a named
 * result, never a crash).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <flowplane/proto.h>

#include "csum.h"
#include "mutate.h"
#include "ra.h"
#include "wire.h"

static const uint8_t vm_mac[6] = { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 };
static const uint8_t rtr_mac[6] = { 0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01 };
/* fe80::f816:3eff:fe00:1, the VM's link-local address */
static const uint8_t vm_ll[16] = {
	0xfe, 0x80, [8] = 0xf8, 0x16, 0x3e, 0xff, 0xfe, 0x00, 0x00, 0x01
};
/* fe80::f816:3eff:feff:1, the router's */
static const uint8_t rtr_ll[16] = {
	0xfe, 0x80, [8] = 0xf8, 0x16, 0x3e, 0xff, 0xfe, 0xff, 0x00, 0x01
};
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

/* A slaac subnet 2001:db8:1::/64 with a gateway and a DNS server, as
 * Neutron's radvd has it (intervals 30..100 s, router lifetime 3 * 100).
 */
static struct fp_ra_val
entry(void)
{
	struct fp_ra_val c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, rtr_mac, 6);
	c.mtu = 1450;
	c.router_lifetime = 300;
	c.max_interval = 100;
	c.min_interval = 30;
	c.n_prefixes = 1;
	c.prefixes[0] = (struct fp_ra_prefix){
		.prefix = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 },
		.valid = 86400,
		.preferred = 14400,
		.plen = 64,
		.flags = FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO,
	};
	c.n_dns = 1;
	c.dns_lifetime = 300;
	memcpy(c.dns[0], (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [14] = 0, 0x53 }, 16);
	return c;
}

/* A solicitation. */
struct rs {
	const uint8_t *src; /* or vm_ll */
	const uint8_t *dst; /* or ff02::2 */
	uint32_t no_slla;   /* leave out the source link-layer option */
	uint32_t hop_limit; /* or 255 */
};

/* Build s as a frame in f; its length. */
static uint32_t
build(const struct rs *s, uint8_t *f)
{
	uint8_t *ip = f + 14, *icmp = ip + 40;
	uint32_t len = s->no_slla ? 8 : 16;

	memset(f, 0, 128);
	memcpy(f, "\x33\x33\x00\x00\x00\x02", 6);
	memcpy(f + 6, vm_mac, 6);
	fp_wire_put16(f + 12, FP_ETH_P_IPV6);
	ip[0] = 0x60;
	fp_wire_put16(ip + 4, len);
	ip[6] = FP_IPPROTO_ICMPV6;
	ip[7] = (uint8_t)(s->hop_limit ? s->hop_limit : 255);
	memcpy(ip + 8, s->src ? s->src : vm_ll, 16);
	memcpy(ip + 24, s->dst ? s->dst : all_routers, 16);
	icmp[0] = FP_ICMP6_RS;
	if (!s->no_slla) {
		icmp[8] = 1;
		icmp[9] = 1;
		memcpy(icmp + 10, vm_mac, 6);
	}
	fp_wire_put16(icmp + 2, fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, icmp, len));
	return 14 + 40 + len;
}

/* Re-checksum the ICMPv6 of a frame built by build() and changed. */
static void
resum(uint8_t *f, uint32_t len)
{
	uint8_t *ip = f + 14, *icmp = ip + 40;

	fp_wire_put16(icmp + 2, 0);
	fp_wire_put16(icmp + 2, fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, icmp, len - 54));
}

/* The RA of entry(), from the ICMPv6 type on, checksum zeroed. */
static const uint8_t ra_slaac[] = {
	134,  0,    0,	  0,	64,   0x00, 0x01, 0x2c, 0,    0,    0,	  0,	0, 0, 0, 0, /* hop
											       64,
											       M=O=0,
											       300 s
											     */
	1,    1,    0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01,				/* SLLA */
	5,    1,    0,	  0,	0,    0,    0x05, 0xaa,				/* MTU 1450 */
	3,    4,    64,	  0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, /* /64 L A 86400
										   14400 */
	0,    0,    0,	  0,	0x20, 0x01, 0x0d, 0xb8, 0,    1,    0,	  0,	0, 0, 0, 0,    0,
	0,    0,    0,	  25,	3,    0,    0,	  0,	0,    0x01, 0x2c, /* RDNSS, 300 s */
	0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,	  0,	0,    0,    0,	  0,	0, 0, 0, 0x53,
};

/* Checks every RA must pass; the ICMPv6 message is returned. */
static const uint8_t *
check_ra(const uint8_t *f, uint32_t len, const uint8_t *dst_mac, const uint8_t *dst_ip)
{
	const uint8_t *ip = f + 14;

	assert_true(len >= 14 + 40 + 16 && len <= FP_RA_REPLY_MAX);
	assert_memory_equal(f, dst_mac, 6);
	assert_memory_equal(f + 6, rtr_mac, 6);
	assert_int_equal(fp_wire_get16(f + 12), FP_ETH_P_IPV6);
	assert_int_equal(ip[0], 0x60);
	assert_int_equal(fp_wire_get16(ip + 4), len - 54);
	assert_int_equal(ip[6], FP_IPPROTO_ICMPV6);
	assert_int_equal(ip[7], 255);
	assert_memory_equal(ip + 8, rtr_ll, 16);
	assert_memory_equal(ip + 24, dst_ip, 16);
	assert_int_equal(fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, ip + 40, len - 54), 0);
	assert_int_equal(ip[40], FP_ICMP6_RA);
	return ip + 40;
}

/* The ICMPv6 message with its checksum zeroed into buf. */
static const uint8_t *
unsummed(const uint8_t *icmp, uint32_t len, uint8_t *buf)
{
	memcpy(buf, icmp, len);
	buf[2] = buf[3] = 0;
	return buf;
}

static void
test_solicited(void **state)
{
	struct fp_ra_val c = entry();
	struct rs s = { 0 };
	uint8_t in[128], out[FP_RA_REPLY_MAX], buf[FP_RA_REPLY_MAX];
	const uint8_t *icmp;
	uint32_t n;

	(void)state;
	assert_int_equal(fp_ra_answer(&c, in, build(&s, in), out, sizeof(out), &n),
			 FP_RA_ADVERTISE);
	icmp = check_ra(out, n, vm_mac, vm_ll); /* unicast to the solicitor */
	assert_int_equal(n - 54, sizeof(ra_slaac));
	assert_memory_equal(unsummed(icmp, n - 54, buf), ra_slaac, sizeof(ra_slaac));

	/* To the router's link-local address, without SLLA: the same. */
	struct rs uni = { .dst = rtr_ll, .no_slla = 1 };
	assert_int_equal(fp_ra_answer(&c, in, build(&uni, in), out, sizeof(out), &n),
			 FP_RA_ADVERTISE);
	icmp = check_ra(out, n, vm_mac, vm_ll);
	assert_memory_equal(unsummed(icmp, n - 54, buf), ra_slaac, sizeof(ra_slaac));

	/* From ::, no SLLA: to all nodes. */
	static const uint8_t unspec[16];
	struct rs anon = { .src = unspec, .no_slla = 1 };
	assert_int_equal(fp_ra_answer(&c, in, build(&anon, in), out, sizeof(out), &n),
			 FP_RA_ADVERTISE);
	check_ra(out, n, (const uint8_t *)"\x33\x33\x00\x00\x00\x01", all_nodes);

	/* A given source address. */
	static const uint8_t given[16] = { 0xfe, 0x80, [15] = 1 };
	memcpy(c.src, given, 16);
	assert_int_equal(fp_ra_answer(&c, in, build(&uni, in), out, sizeof(out), &n),
			 FP_RA_OTHER_DST); /* sent to the EUI-64 one */
	struct rs to_given = { .dst = given };
	assert_int_equal(fp_ra_answer(&c, in, build(&to_given, in), out, sizeof(out), &n),
			 FP_RA_ADVERTISE);
	assert_memory_equal(out + 14 + 8, given, 16);
}

static void
test_unsolicited_and_modes(void **state)
{
	struct fp_ra_val c = entry();
	uint8_t out[FP_RA_REPLY_MAX], buf[FP_RA_REPLY_MAX];
	const uint8_t *icmp;
	uint8_t ra_flags, pfx_flags;
	uint32_t n;

	(void)state;
	assert_int_equal(fp_ra_build(&c, out, sizeof(out), &n), 0);
	icmp = check_ra(out, n, (const uint8_t *)"\x33\x33\x00\x00\x00\x01", all_nodes);
	assert_memory_equal(unsummed(icmp, n - 54, buf), ra_slaac, sizeof(ra_slaac));

	/* The periodic sender's timer: 30..100 s, 16 s at most for the first 3. */
	assert_int_equal(fp_ra_next_ms(&c, 5, 0), 30000);
	assert_int_equal(fp_ra_next_ms(&c, 5, 70000), 100000);
	assert_int_equal(fp_ra_next_ms(&c, 5, 70001), 30000);
	assert_int_equal(fp_ra_next_ms(&c, 5, 12345), 42345);
	assert_int_equal(fp_ra_next_ms(&c, 2, 12345), 16000);
	assert_int_equal(fp_ra_next_ms(&c, 3, 12345), 42345);
	c.min_interval = 3;
	c.max_interval = 4;
	assert_int_equal(fp_ra_next_ms(&c, 0, 500), 3500);
	c = entry();

	assert_int_equal(fp_ra_mode_flags("slaac", &ra_flags, &pfx_flags), 0);
	assert_int_equal(ra_flags, 0);
	assert_int_equal(pfx_flags, 0xc0);
	assert_int_equal(fp_ra_mode_flags("dhcpv6-stateless", &ra_flags, &pfx_flags), 0);
	assert_int_equal(ra_flags, 0x40);
	assert_int_equal(pfx_flags, 0xc0);
	assert_int_equal(fp_ra_mode_flags("dhcpv6-stateful", &ra_flags, &pfx_flags), 0);
	assert_int_equal(ra_flags, 0x80);
	assert_int_equal(pfx_flags, 0x80);
	assert_int_equal(fp_ra_mode_flags("stateful", &ra_flags, &pfx_flags), -EINVAL);

	/* dhcpv6-stateful, no gateway, no MTU, no DNS, a second prefix. */
	c.flags = ra_flags;
	c.prefixes[0].flags = pfx_flags;
	c.router_lifetime = 0;
	c.mtu = 0;
	c.n_dns = 0;
	memset(c.dns, 0, sizeof(c.dns));
	c.n_prefixes = 2;
	c.prefixes[1] = (struct fp_ra_prefix){ .prefix = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 },
					       .valid = 0xffffffff,
					       .preferred = 0xffffffff,
					       .plen = 48,
					       .flags = FP_RA_PFX_F_ONLINK };
	assert_int_equal(fp_ra_build(&c, out, sizeof(out), &n), 0);
	icmp = check_ra(out, n, (const uint8_t *)"\x33\x33\x00\x00\x00\x01", all_nodes);
	assert_int_equal(n - 54, 16 + 8 + 32 + 32);
	assert_int_equal(icmp[5], 0x80);			    /* M */
	assert_int_equal(fp_wire_get16(icmp + 6), 0);		    /* not a default router */
	assert_int_equal(icmp[16], 1);				    /* SLLA, then */
	assert_int_equal(icmp[24], 3);				    /* the prefixes */
	assert_int_equal(icmp[24 + 3], 0x80);			    /* L, no A */
	assert_int_equal(icmp[56 + 2], 48);			    /* plen */
	assert_int_equal(fp_wire_get32(icmp + 56 + 4), 0xffffffff); /* infinite */
	assert_memory_equal(icmp + 56 + 16, "\x20\x01\x0d\xb8\x00\x02", 6);
}

static void
test_not_answered(void **state)
{
	struct fp_ra_val c = entry();
	struct rs s = { 0 };
	static const uint8_t unspec[16];
	static const uint8_t other_rtr[16] = { 0xfe, 0x80, [15] = 9 };
	uint8_t in[128], out[FP_RA_REPLY_MAX];
	uint32_t n, len;

	(void)state;
	struct rs hop = { .hop_limit = 254 }; /* routed from elsewhere */
	assert_int_equal(fp_ra_answer(&c, in, build(&hop, in), out, sizeof(out), &n),
			 FP_RA_BAD_HOP_LIMIT);
	assert_int_equal(n, 0);
	struct rs anon_slla = { .src = unspec }; /* SLLA from :: */
	assert_int_equal(fp_ra_answer(&c, in, build(&anon_slla, in), out, sizeof(out), &n),
			 FP_RA_MALFORMED);
	struct rs away = { .dst = other_rtr };
	assert_int_equal(fp_ra_answer(&c, in, build(&away, in), out, sizeof(out), &n),
			 FP_RA_OTHER_DST);

	len = build(&s, in);
	in[54 + 2] ^= 1; /* checksum */
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_BAD_CSUM);
	len = build(&s, in);
	in[54 + 1] = 1; /* code */
	resum(in, len);
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_MALFORMED);
	len = build(&s, in);
	in[54 + 9] = 0; /* option length 0 */
	resum(in, len);
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_MALFORMED);
	len = build(&s, in);
	in[54 + 9] = 2; /* option past the end */
	resum(in, len);
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_MALFORMED);
	len = build(&s, in);
	fp_wire_put16(in + 14 + 4, 24); /* payload length past the frame */
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_MALFORMED);
	len = build(&s, in);
	in[6] = 0x01; /* a multicast source MAC */
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_MALFORMED);
	len = build(&s, in);
	in[54] = FP_ICMP6_NS;
	resum(in, len);
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_NOT_RS);
	len = build(&s, in);
	in[14 + 6] = FP_IPPROTO_HOPOPTS;
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_NOT_RS);
	len = build(&s, in);
	fp_wire_put16(in + 12, FP_ETH_P_IPV4);
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_NOT_RS);
	/* A small output buffer or a bad entry: no reply. */
	len = build(&s, in);
	assert_int_equal(fp_ra_answer(&c, in, len, out, 100, &n), FP_RA_BAD_ENTRY);
	assert_int_equal(fp_ra_build(&c, out, 100, &n), -EINVAL);
	c.max_interval = 2;
	assert_int_equal(fp_ra_answer(&c, in, len, out, sizeof(out), &n), FP_RA_BAD_ENTRY);
	assert_int_equal(fp_ra_build(&c, out, sizeof(out), &n), -EINVAL);
	assert_int_equal(n, 0);
}

/* Every truncation, and random bit flips (with and without a fixed
 * checksum): no crash, no read past the frame (ASan), every reply well
 * formed.
 */
static void
test_truncated_and_mutated(void **state)
{
	struct fp_ra_val c = entry();
	struct rs s = { 0 };
	uint8_t out[FP_RA_REPLY_MAX], in[128];
	uint32_t len, cut, i, n, r, seed = 4321, counts[FP_RA_MAX] = { 0 };

	(void)state;
	len = build(&s, in);
	for (cut = 0; cut < len; cut++) {
		uint8_t *f = malloc(cut ? cut : 1);

		assert_non_null(f);
		memcpy(f, in, cut);
		r = fp_ra_answer(&c, f, cut, out, sizeof(out), &n);
		assert_true(r == FP_RA_NOT_RS || r == FP_RA_MALFORMED);
		assert_int_equal(n, 0);
		free(f);
	}
	for (i = 0; i < 200000; i++) {
		struct rs q = { .no_slla = i & 1 };
		uint8_t *f;

		len = build(&q, in);
		fp_test_mutate(in, 14, len, 3, &seed);
		if (i & 2)
			resum(in, len);
		f = malloc(len); /* exactly the frame, for ASan */
		assert_non_null(f);
		memcpy(f, in, len);
		r = fp_ra_answer(&c, f, len, out, sizeof(out), &n);
		free(f);
		assert_true(r < FP_RA_MAX);
		counts[r]++;
		if (r == FP_RA_ADVERTISE) {
			const uint8_t *ip = out + 14;

			assert_true(n >= 70 && n <= FP_RA_REPLY_MAX);
			assert_int_equal(
				fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, ip + 40, n - 54),
				0);
		} else {
			assert_int_equal(n, 0);
		}
	}
	/* The flips reach every check. */
	for (r = 0; r < FP_RA_MAX; r++)
		if (r != FP_RA_BAD_ENTRY)
			assert_true(counts[r] > 0);
}

static void
test_check(void **state)
{
	struct fp_ra_val c;
	char err[128];

	(void)state;
	c = entry();
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), 0);
	c.mac[0] = 1;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: mac is not unicast");
	c = entry();
	c.src[0] = 0x20;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: source is not link-local");
	c = entry();
	c.mtu = 1279;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: mtu 1279 below 1280");
	c = entry();
	c.flags = 0x20;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.min_interval = 76;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: min_interval 76 out of range 3..75");
	c = entry();
	c.router_lifetime = 99;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: router_lifetime 99 out of range 0, 100..9000");
	c = entry();
	c.dns_lifetime = 10;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.dns[2][0] = 0x20; /* unused slot */
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: dns 2: unused, not zero");
	c = entry();
	c.prefixes[0].plen = 48; /* A on a /48 */
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: prefix 0: autoconfiguration needs a /64");
	c = entry();
	c.prefixes[0].prefix[15] = 1;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: prefix 0: bad prefix");
	c = entry();
	c.prefixes[0].preferred = 86401;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.prefixes[3].plen = 64;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ra: unused prefix 3 not zero");
	c = entry();
	c.n_prefixes = FP_RA_PREFIX_MAX + 1;
	assert_int_equal(fp_ra_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(fp_ra_result_str(FP_RA_ADVERTISE), "advertise");
	assert_string_equal(fp_ra_result_str(FP_RA_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicited),    cmocka_unit_test(test_unsolicited_and_modes),
		cmocka_unit_test(test_not_answered), cmocka_unit_test(test_truncated_and_mutated),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
