/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/dhcp4: the DHCPv4 answers of a VM port, byte by byte, and what
 * malformed, relayed, foreign and truncated requests get (nothing, with a
 * named result, never a crash).
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
#include "dhcp4.h"

#define DISCOVER FP_DHCP4_DISCOVER
#define OFFER FP_DHCP4_OFFER_MSG
#define REQUEST FP_DHCP4_REQUEST
#define DECLINE FP_DHCP4_DECLINE
#define ACK FP_DHCP4_ACK_MSG
#define NAK FP_DHCP4_NAK_MSG
#define RELEASE FP_DHCP4_RELEASE
#define INFORM FP_DHCP4_INFORM

static const uint8_t vm_mac[6] = { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 };
static const uint8_t rtr_mac[6] = { 0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01 };
static const uint8_t addr[4] = { 10, 0, 0, 5 };
static const uint8_t server[4] = { 10, 0, 0, 1 };
static const uint8_t other[4] = { 10, 0, 0, 9 };

static struct fp_dhcp_val
entry(void)
{
	struct fp_dhcp_val c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, vm_mac, 6);
	memcpy(c.addr, addr, 4);
	memcpy(c.server, server, 4);
	memcpy(c.router, server, 4);
	c.plen = 24;
	c.lease = 86400;
	c.mtu = 1450;
	c.n_dns = 2;
	memcpy(c.dns[0], (uint8_t[]){ 10, 0, 0, 2 }, 4);
	memcpy(c.dns[1], (uint8_t[]){ 192, 0, 2, 53 }, 4);
	c.n_routes = 2;
	c.routes[0] = (struct fp_dhcp_route){ .dst = { 172, 16, 0, 0 },
					      .gw = { 10, 0, 0, 254 },
					      .plen = 12 };
	c.routes[1] = (struct fp_dhcp_route){ .dst = { 169, 254, 169, 254 },
					      .gw = { 10, 0, 0, 1 },
					      .plen = 32 };
	return c;
}

/* A client's request. */
struct rq {
	uint32_t type;	       /* option 53; 0: none */
	const uint8_t *server; /* option 54 */
	const uint8_t *req_ip; /* option 50 */
	const uint8_t *ciaddr; /* or 0.0.0.0 */
	const uint8_t *giaddr; /* or 0.0.0.0 */
	const uint8_t *chaddr; /* or vm_mac */
	uint32_t broadcast;    /* the flag */
	uint32_t dport;	       /* or 67 */
};

static void
put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint32_t
get16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Build rq as a frame in f; its length. */
static uint32_t
build(const struct rq *r, uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o = b + 240;
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint32_t blen, ulen;

	memset(f, 0, 600);
	memset(f, 0xff, 6);
	memcpy(f + 6, vm_mac, 6);
	put16(f + 12, FP_ETH_P_IPV4);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, "\x12\x34\x56\x78", 4);
	if (r->broadcast)
		put16(b + 10, 0x8000);
	if (r->ciaddr)
		memcpy(b + 12, r->ciaddr, 4);
	if (r->giaddr)
		memcpy(b + 24, r->giaddr, 4);
	memcpy(b + 28, r->chaddr ? r->chaddr : vm_mac, 6);
	memcpy(b + 236, cookie, 4);
	if (r->type) {
		*o++ = 53;
		*o++ = 1;
		*o++ = (uint8_t)r->type;
	}
	if (r->server) {
		*o++ = 54;
		*o++ = 4;
		memcpy(o, r->server, 4);
		o += 4;
	}
	if (r->req_ip) {
		*o++ = 50;
		*o++ = 4;
		memcpy(o, r->req_ip, 4);
		o += 4;
	}
	*o++ = 55; /* parameter request list: ignored */
	*o++ = 3;
	*o++ = 1;
	*o++ = 3;
	*o++ = 6;
	*o++ = 0; /* pad */
	*o++ = 255;
	blen = (uint32_t)(o - b);
	ulen = 8 + blen;
	put16(udp, 68);
	put16(udp + 2, r->dport ? r->dport : 67);
	put16(udp + 4, ulen);
	ip[0] = 0x45;
	put16(ip + 2, 20 + ulen);
	ip[8] = 64;
	ip[9] = FP_IPPROTO_UDP;
	memset(ip + 16, 0xff, 4);
	return 14 + 20 + ulen;
}

/* The reply's option code, its value in *v and length; 0 if absent. */
static uint32_t
find_opt(const uint8_t *f, uint32_t len, uint32_t code, const uint8_t **v)
{
	const uint8_t *b = f + 14 + 20 + 8;
	uint32_t blen = len - 42, off = 240;

	while (off < blen && b[off] != 255) {
		if (b[off] == 0) {
			off++;
			continue;
		}
		assert_true(off + 2 + b[off + 1] <= blen);
		if (b[off] == code) {
			*v = b + off + 2;
			return b[off + 1];
		}
		off += 2 + b[off + 1];
	}
	assert_true(off < blen); /* the end option is there */
	return 0;
}

/* Checks every reply must pass: lengths, checksums, ports, source. */
static void
check_reply(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t ulen;

	assert_true(len >= 14 + 20 + 8 + 300);
	assert_true(len <= FP_DHCP4_REPLY_MAX);
	assert_memory_equal(f + 6, rtr_mac, 6);
	assert_int_equal(get16(f + 12), FP_ETH_P_IPV4);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(get16(ip + 2), len - 14);
	assert_int_equal(fp_csum_fold(fp_csum_partial(ip, 20, 0)), 0);
	assert_memory_equal(ip + 12, server, 4);
	assert_int_equal(get16(udp), 67);
	assert_int_equal(get16(udp + 2), 68);
	ulen = get16(udp + 4);
	assert_int_equal(ulen, len - 34);
	assert_int_equal(fp_csum_l4_v4(ip + 12, ip + 16, FP_IPPROTO_UDP, udp, ulen), 0);
	assert_int_equal(udp[8], 2);				 /* op: reply */
	assert_memory_equal(udp + 8 + 4, "\x12\x34\x56\x78", 4); /* xid */
	assert_memory_equal(udp + 8 + 28, vm_mac, 6);		 /* chaddr */
}

static uint32_t
answer(const struct fp_dhcp_val *c, const struct rq *r, uint8_t *out, uint32_t *out_len)
{
	uint8_t in[600];
	uint32_t n = build(r, in);

	return fp_dhcp4_answer(c, rtr_mac, in, n, out, FP_DHCP4_REPLY_MAX, out_len);
}

static uint32_t
msg_type(const uint8_t *f, uint32_t len)
{
	const uint8_t *v;

	assert_int_equal(find_opt(f, len, 53, &v), 1);
	return v[0];
}

static void
test_discover_offer(void **state)
{
	struct fp_dhcp_val c = entry();
	struct rq r = { .type = DISCOVER };
	const uint8_t *v, *b;
	uint8_t out[FP_DHCP4_REPLY_MAX];
	uint32_t n;
	static const uint8_t classless[] = { 0,	 10,  0,   0,	1, /* default via the router */
					     12, 172, 16,  10,	0,   0,	 254, /* 172.16/12 */
					     32, 169, 254, 169, 254, 10, 0,   0, 1 };

	(void)state;
	assert_int_equal(answer(&c, &r, out, &n), FP_DHCP4_OFFER);
	check_reply(out, n);
	b = out + 42;
	assert_memory_equal(out, vm_mac, 6);	     /* unicast to the client */
	assert_memory_equal(out + 14 + 16, addr, 4); /* to the offered address */
	assert_memory_equal(b + 16, addr, 4);	     /* yiaddr */
	assert_int_equal(msg_type(out, n), OFFER);
	assert_int_equal(find_opt(out, n, 54, &v), 4);
	assert_memory_equal(v, server, 4);
	assert_int_equal(find_opt(out, n, 51, &v), 4);
	assert_int_equal(get32(v), 86400);
	assert_int_equal(find_opt(out, n, 58, &v), 4);
	assert_int_equal(get32(v), 43200);
	assert_int_equal(find_opt(out, n, 59, &v), 4);
	assert_int_equal(get32(v), 75600);
	assert_int_equal(find_opt(out, n, 1, &v), 4);
	assert_int_equal(get32(v), 0xffffff00);
	assert_int_equal(find_opt(out, n, 3, &v), 4);
	assert_memory_equal(v, server, 4);
	assert_int_equal(find_opt(out, n, 6, &v), 8);
	assert_memory_equal(v, "\x0a\x00\x00\x02\xc0\x00\x02\x35", 8);
	assert_int_equal(find_opt(out, n, 26, &v), 2);
	assert_int_equal(get16(v), 1450);
	assert_int_equal(find_opt(out, n, 121, &v), sizeof(classless));
	assert_memory_equal(v, classless, sizeof(classless));
}

static void
test_discover_broadcast(void **state)
{
	struct fp_dhcp_val c = entry();
	struct rq r = { .type = DISCOVER, .broadcast = 1 };
	uint8_t out[FP_DHCP4_REPLY_MAX];
	uint32_t n;

	(void)state;
	assert_int_equal(answer(&c, &r, out, &n), FP_DHCP4_OFFER);
	check_reply(out, n);
	assert_memory_equal(out, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(out + 14 + 16, "\xff\xff\xff\xff", 4);
	assert_int_equal(get16(out + 42 + 10), 0x8000); /* flags echoed */
}

static void
test_minimal_entry(void **state)
{
	struct fp_dhcp_val c = entry();
	struct rq r = { .type = DISCOVER };
	uint8_t out[FP_DHCP4_REPLY_MAX];
	const uint8_t *v;
	uint32_t n;

	(void)state;
	memset(c.router, 0, 4); /* gateway_ip null */
	memset(c.dns, 0, sizeof(c.dns));
	memset(c.routes, 0, sizeof(c.routes));
	c.n_dns = 0;
	c.n_routes = 0;
	c.mtu = 0;
	assert_int_equal(answer(&c, &r, out, &n), FP_DHCP4_OFFER);
	check_reply(out, n);
	assert_int_equal(find_opt(out, n, 3, &v), 0);
	assert_int_equal(find_opt(out, n, 6, &v), 0);
	assert_int_equal(find_opt(out, n, 26, &v), 0);
	assert_int_equal(find_opt(out, n, 121, &v), 0);
	assert_int_equal(n, 14 + 20 + 8 + 300); /* padded to the BOOTP minimum */
}

static void
test_request(void **state)
{
	struct fp_dhcp_val c = entry();
	uint8_t out[FP_DHCP4_REPLY_MAX];
	const uint8_t *v;
	uint32_t n;

	(void)state;
	/* Selecting: our server id, our address. */
	struct rq sel = { .type = REQUEST, .server = server, .req_ip = addr };
	assert_int_equal(answer(&c, &sel, out, &n), FP_DHCP4_ACK);
	check_reply(out, n);
	assert_int_equal(msg_type(out, n), ACK);
	assert_memory_equal(out + 42 + 16, addr, 4);
	assert_int_equal(find_opt(out, n, 51, &v), 4);

	/* Selecting another server: not ours to answer. */
	struct rq away = { .type = REQUEST, .server = other, .req_ip = other };
	assert_int_equal(answer(&c, &away, out, &n), FP_DHCP4_OTHER_SERVER);
	assert_int_equal(n, 0);

	/* Another address: NAK, broadcast, no address, no lease. */
	struct rq wrong = { .type = REQUEST, .server = server, .req_ip = other };
	assert_int_equal(answer(&c, &wrong, out, &n), FP_DHCP4_NAK);
	check_reply(out, n);
	assert_int_equal(msg_type(out, n), NAK);
	assert_memory_equal(out, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(out + 14 + 16, "\xff\xff\xff\xff", 4);
	assert_memory_equal(out + 42 + 16, "\0\0\0\0", 4);
	assert_int_equal(find_opt(out, n, 51, &v), 0);
	assert_int_equal(find_opt(out, n, 1, &v), 0);

	/* Init-reboot: no server id, the address it had. */
	struct rq reboot = { .type = REQUEST, .req_ip = addr };
	assert_int_equal(answer(&c, &reboot, out, &n), FP_DHCP4_ACK);
	struct rq reboot_bad = { .type = REQUEST, .req_ip = other };
	assert_int_equal(answer(&c, &reboot_bad, out, &n), FP_DHCP4_NAK);

	/* Renewing: ciaddr, answered to it. */
	struct rq renew = { .type = REQUEST, .ciaddr = addr };
	assert_int_equal(answer(&c, &renew, out, &n), FP_DHCP4_ACK);
	check_reply(out, n);
	assert_memory_equal(out, vm_mac, 6);
	assert_memory_equal(out + 14 + 16, addr, 4);
	assert_memory_equal(out + 42 + 12, addr, 4); /* ciaddr echoed */
	struct rq renew_bad = { .type = REQUEST, .ciaddr = other };
	assert_int_equal(answer(&c, &renew_bad, out, &n), FP_DHCP4_NAK);
	struct rq nothing = { .type = REQUEST };
	assert_int_equal(answer(&c, &nothing, out, &n), FP_DHCP4_NAK);
}

static void
test_inform_release(void **state)
{
	struct fp_dhcp_val c = entry();
	uint8_t out[FP_DHCP4_REPLY_MAX];
	const uint8_t *v;
	uint32_t n;

	(void)state;
	struct rq inform = { .type = INFORM, .ciaddr = addr };
	assert_int_equal(answer(&c, &inform, out, &n), FP_DHCP4_ACK);
	check_reply(out, n);
	assert_memory_equal(out + 42 + 16, "\0\0\0\0", 4); /* no yiaddr */
	assert_int_equal(find_opt(out, n, 51, &v), 0);	   /* no lease */
	assert_int_equal(find_opt(out, n, 1, &v), 4);	   /* but the mask */
	assert_memory_equal(out + 14 + 16, addr, 4);

	struct rq release = { .type = RELEASE, .ciaddr = addr, .server = server };
	assert_int_equal(answer(&c, &release, out, &n), FP_DHCP4_NO_REPLY);
	assert_int_equal(n, 0);
	struct rq decline = { .type = DECLINE, .req_ip = addr, .server = server };
	assert_int_equal(answer(&c, &decline, out, &n), FP_DHCP4_NO_REPLY);
	struct rq offer = { .type = OFFER }; /* a VM acting as a server */
	assert_int_equal(answer(&c, &offer, out, &n), FP_DHCP4_NO_REPLY);
}

static void
test_not_answered(void **state)
{
	struct fp_dhcp_val c = entry();
	static const uint8_t relay[4] = { 10, 9, 9, 9 };
	static const uint8_t stranger[6] = { 0xfa, 0x16, 0x3e, 0, 0, 2 };
	uint8_t out[FP_DHCP4_REPLY_MAX], in[600];
	uint32_t n, len;

	(void)state;
	struct rq relayed = { .type = DISCOVER, .giaddr = relay };
	assert_int_equal(answer(&c, &relayed, out, &n), FP_DHCP4_RELAYED);
	assert_int_equal(n, 0);
	struct rq foreign = { .type = DISCOVER, .chaddr = stranger };
	assert_int_equal(answer(&c, &foreign, out, &n), FP_DHCP4_WRONG_CLIENT);
	struct rq dns = { .type = DISCOVER, .dport = 53 };
	assert_int_equal(answer(&c, &dns, out, &n), FP_DHCP4_NOT_DHCP);
	struct rq bootp = { .type = 0 }; /* plain BOOTP: not served */
	assert_int_equal(answer(&c, &bootp, out, &n), FP_DHCP4_MALFORMED);

	struct rq d = { .type = DISCOVER };
	len = build(&d, in);
	put16(in + 12, FP_ETH_P_IPV6);
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_NOT_DHCP);
	len = build(&d, in);
	in[14 + 6] = 0x20; /* more fragments */
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_MALFORMED);
	len = build(&d, in);
	in[42 + 236] = 0; /* no magic cookie */
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_MALFORMED);
	len = build(&d, in);
	in[42 + 241] = 200; /* option 53's length runs past the end */
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_MALFORMED);
	len = build(&d, in);
	put16(in + 14 + 20 + 4, 600); /* UDP length beyond the IP packet */
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_MALFORMED);
	/* A small output buffer or a bad entry: no reply. */
	len = build(&d, in);
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, 300, &n), FP_DHCP4_BAD_ENTRY);
	c.plen = 0;
	assert_int_equal(fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n),
			 FP_DHCP4_BAD_ENTRY);
	assert_int_equal(n, 0);
}

/* Every truncation of every request, and random byte flips: no crash, no
 * read past the frame (ASan), every reply well formed.
 */
static void
test_truncated_and_mutated(void **state)
{
	struct fp_dhcp_val c = entry();
	static const uint32_t types[] = { DISCOVER, REQUEST, INFORM, RELEASE };
	uint8_t out[FP_DHCP4_REPLY_MAX], in[600];
	uint32_t t, len, cut, i, n, r, seed = 12345;

	(void)state;
	for (t = 0; t < 4; t++) {
		struct rq q = { .type = types[t], .server = server, .req_ip = addr };

		len = build(&q, in);
		for (cut = 0; cut < len; cut++) {
			uint8_t *f = malloc(cut ? cut : 1);

			assert_non_null(f);
			memcpy(f, in, cut);
			r = fp_dhcp4_answer(&c, rtr_mac, f, cut, out, sizeof(out), &n);
			assert_true(r == FP_DHCP4_NOT_DHCP || r == FP_DHCP4_MALFORMED);
			assert_int_equal(n, 0);
			free(f);
		}
	}
	for (i = 0; i < 200000; i++) {
		struct rq q = { .type = 1 + i % 8, .server = server, .req_ip = addr };
		uint32_t k, flips;

		len = build(&q, in);
		seed = seed * 1103515245 + 12345;
		flips = 1 + (seed >> 16) % 4;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245 + 12345;
			in[34 + (seed >> 8) % (len - 34)] ^= (uint8_t)(1u << ((seed >> 4) % 8));
		}
		r = fp_dhcp4_answer(&c, rtr_mac, in, len, out, sizeof(out), &n);
		assert_true(r < FP_DHCP4_MAX);
		if (r == FP_DHCP4_OFFER || r == FP_DHCP4_ACK || r == FP_DHCP4_NAK) {
			const uint8_t *ip = out + 14;

			assert_true(n >= 342 && n <= FP_DHCP4_REPLY_MAX);
			assert_int_equal(fp_csum_fold(fp_csum_partial(ip, 20, 0)), 0);
			assert_int_equal(
				fp_csum_l4_v4(ip + 12, ip + 16, FP_IPPROTO_UDP, ip + 20, n - 34),
				0);
		} else {
			assert_int_equal(n, 0);
		}
	}
}

static void
test_check(void **state)
{
	struct fp_dhcp_val c;
	char err[128];

	(void)state;
	c = entry();
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), 0);
	c.plen = 33;
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp: plen 33 out of range 1..32");
	c = entry();
	c.lease = 60;
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp: lease 60 out of range 120..2147483647");
	c = entry();
	memcpy(c.router, (uint8_t[]){ 10, 0, 1, 1 }, 4);
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp: router is not in the address's subnet");
	c = entry();
	memcpy(c.server, addr, 4);
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.routes[0].dst[3] = 1; /* host bits */
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp: route 0: bad prefix");
	c = entry();
	c.routes[5].plen = 8; /* unused slot */
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp: unused route 5 not zero");
	c = entry();
	c.n_dns = FP_DHCP_DNS_MAX + 1;
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.mtu = 67;
	assert_int_equal(fp_dhcp4_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(fp_dhcp4_result_str(FP_DHCP4_OFFER), "offer");
	assert_string_equal(fp_dhcp4_result_str(FP_DHCP4_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_offer),
		cmocka_unit_test(test_discover_broadcast),
		cmocka_unit_test(test_minimal_entry),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_inform_release),
		cmocka_unit_test(test_not_answered),
		cmocka_unit_test(test_truncated_and_mutated),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
