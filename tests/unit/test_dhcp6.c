/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/dhcp6: the DHCPv6 answers of a VM port, stateful and stateless,
 * byte by byte, and what malformed, relayed, foreign and truncated
 * requests get (nothing, with a named result, never a crash).
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
#include "dhcp6.h"
#include "wire.h"

#define SOLICIT FP_DHCP6_SOLICIT
#define ADVERTISE FP_DHCP6_ADVERTISE_MSG
#define REQUEST FP_DHCP6_REQUEST
#define CONFIRM FP_DHCP6_CONFIRM
#define RENEW FP_DHCP6_RENEW
#define REBIND FP_DHCP6_REBIND
#define REPLY FP_DHCP6_REPLY_MSG
#define RELEASE FP_DHCP6_RELEASE
#define DECLINE FP_DHCP6_DECLINE
#define INFO FP_DHCP6_INFO_REQUEST

static const uint8_t vm_mac[6] = { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 };
static const uint8_t rtr_mac[6] = { 0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01 };
static const uint8_t vm_ll[16] = {
	0xfe, 0x80, [8] = 0xf8, 0x16, 0x3e, 0xff, 0xfe, 0x00, 0x00, 0x01
};
static const uint8_t rtr_ll[16] = {
	0xfe, 0x80, [8] = 0xf8, 0x16, 0x3e, 0xff, 0xfe, 0xff, 0x00, 0x01
};
static const uint8_t servers[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };
static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 };
static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 9 };
static const uint8_t our_duid[10] = { 0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01 };
static const uint8_t other_duid[10] = { 0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0xff, 0x00, 0x02 };
static const uint8_t client_duid[10] = { 0, 3, 0, 1, 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 };

/* dhcpv6-stateful: 2001:db8:1::5, preferred 3600 s, valid 7200 s, two
 * DNS servers.
 */
static struct fp_dhcp6_val
entry(void)
{
	struct fp_dhcp6_val c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, vm_mac, 6);
	memcpy(c.server_mac, rtr_mac, 6);
	memcpy(c.addr, addr, 16);
	c.preferred = 3600;
	c.valid = 7200;
	c.n_dns = 2;
	memcpy(c.dns[0], (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 }, 16);
	memcpy(c.dns[1], (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x54 }, 16);
	return c;
}

/* A client's message. */
struct rq {
	uint32_t type;		 /* message type */
	uint32_t no_client_id;	 /* leave out the Client Identifier */
	uint32_t two_client_ids; /* send it twice */
	const uint8_t *server;	 /* a Server Identifier (10-byte DUID), or none */
	uint32_t n_ia;		 /* IA_NAs, IAID 1.. */
	const uint8_t *ia_addr;	 /* an IAADDR in the first IA_NA */
	uint32_t rapid;		 /* Rapid Commit */
	uint32_t ia_pd;		 /* an IA_PD */
	const uint8_t *dst;	 /* or ff02::1:2 */
};

static uint8_t *
put_opt(uint8_t *o, uint32_t code, const void *v, uint32_t len)
{
	fp_wire_put16(o, code);
	fp_wire_put16(o + 2, len);
	if (len)
		memcpy(o + 4, v, len);
	return o + 4 + len;
}

/* Build r as a frame in f; its length. */
static uint32_t
build(const struct rq *r, uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 40, *m = udp + 8, *o = m + 4;
	uint32_t i, ulen;

	memset(f, 0, 512);
	memcpy(f, "\x33\x33\x00\x01\x00\x02", 6);
	memcpy(f + 6, vm_mac, 6);
	fp_wire_put16(f + 12, FP_ETH_P_IPV6);
	m[0] = (uint8_t)r->type;
	memcpy(m + 1, "\x12\x34\x56", 3);
	if (!r->no_client_id)
		o = put_opt(o, FP_DHCP6_O_CLIENTID, client_duid, 10);
	if (r->two_client_ids)
		o = put_opt(o, FP_DHCP6_O_CLIENTID, client_duid, 10);
	o = put_opt(o, 8, "\x00\x00", 2); /* elapsed time: ignored */
	o = put_opt(o, 6, "\x00\x17", 2); /* option request: ignored */
	if (r->server)
		o = put_opt(o, FP_DHCP6_O_SERVERID, r->server, 10);
	for (i = 0; i < r->n_ia; i++) {
		uint8_t ia[12 + 28] = { 0, 0, 0, (uint8_t)(i + 1) };
		uint32_t len = 12;

		if (i == 0 && r->ia_addr) {
			put_opt(ia + 12, FP_DHCP6_O_IAADDR, NULL, 0);
			fp_wire_put16(ia + 14, 24);
			memcpy(ia + 16, r->ia_addr, 16);
			len += 28;
		}
		o = put_opt(o, FP_DHCP6_O_IA_NA, ia, len);
	}
	if (r->rapid)
		o = put_opt(o, FP_DHCP6_O_RAPID_COMMIT, NULL, 0);
	if (r->ia_pd)
		o = put_opt(o, FP_DHCP6_O_IA_PD, "\0\0\0\1\0\0\0\0\0\0\0\0", 12);
	ulen = (uint32_t)(o - udp);
	fp_wire_put16(udp, 546);
	fp_wire_put16(udp + 2, 547);
	fp_wire_put16(udp + 4, ulen);
	ip[0] = 0x60;
	fp_wire_put16(ip + 4, ulen);
	ip[6] = FP_IPPROTO_UDP;
	ip[7] = 1;
	memcpy(ip + 8, vm_ll, 16);
	memcpy(ip + 24, r->dst ? r->dst : servers, 16);
	fp_wire_put16(udp + 6, fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, udp, ulen));
	return 14 + 40 + ulen;
}

/* Re-checksum the UDP of a frame of len bytes built by build() and
 * changed (over its UDP length, at most the frame).
 */
static void
resum(uint8_t *f, uint32_t len)
{
	uint8_t *ip = f + 14, *udp = ip + 40;
	uint32_t ulen = fp_wire_get16(udp + 4);

	if (ulen > len - 54)
		ulen = len - 54;

	fp_wire_put16(udp + 6, 0);
	fp_wire_put16(udp + 6, fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, udp, ulen));
}

/* Checks every reply must pass; the DHCPv6 message is returned. */
static const uint8_t *
check_reply(const uint8_t *f, uint32_t len, uint32_t type)
{
	const uint8_t *ip = f + 14, *udp = ip + 40;

	assert_true(len >= 14 + 40 + 8 + 4 && len <= FP_DHCP6_REPLY_MAX);
	assert_memory_equal(f, vm_mac, 6);
	assert_memory_equal(f + 6, rtr_mac, 6);
	assert_int_equal(fp_wire_get16(f + 12), FP_ETH_P_IPV6);
	assert_int_equal(ip[0], 0x60);
	assert_int_equal(fp_wire_get16(ip + 4), len - 54);
	assert_int_equal(ip[6], FP_IPPROTO_UDP);
	assert_memory_equal(ip + 8, rtr_ll, 16);
	assert_memory_equal(ip + 24, vm_ll, 16);
	assert_int_equal(fp_wire_get16(udp), 547);
	assert_int_equal(fp_wire_get16(udp + 2), 546);
	assert_int_equal(fp_wire_get16(udp + 4), len - 54);
	assert_int_equal(fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, udp, len - 54), 0);
	assert_int_equal(udp[8], type);
	assert_memory_equal(udp + 9, "\x12\x34\x56", 3);
	return udp + 8;
}

/* The value of the reply's option code in its top level, its length in
 * *len; NULL if absent.
 */
static const uint8_t *
find_opt(const uint8_t *m, uint32_t mlen, uint32_t code, uint32_t *len)
{
	uint32_t off = 4, olen;

	for (; off < mlen; off += 4 + olen) {
		assert_true(off + 4 <= mlen);
		olen = fp_wire_get16(m + off + 2);
		assert_true(off + 4 + olen <= mlen);
		if (fp_wire_get16(m + off) == code) {
			*len = olen;
			return m + off + 4;
		}
	}
	return NULL;
}

static uint32_t
answer(const struct fp_dhcp6_val *c, const struct rq *r, uint8_t *out, uint32_t *out_len)
{
	uint8_t in[512];
	uint32_t n = build(r, in);

	return fp_dhcp6_answer(c, in, n, out, FP_DHCP6_REPLY_MAX, out_len);
}

/* The Reply to a Request, whole. */
static const uint8_t
	reply_request[] = {
		REPLY, 0x12, 0x34, 0x56, 0,    2,    0,	   10,	 0,    3,
		0,     1,    0xfa, 0x16, 0x3e, 0xff, 0x00, 0x01, /* server id */
		0,     1,    0,	   10,	 0,    3,    0,	   1,	 0xfa, 0x16,
		0x3e,  0x00, 0x00, 0x01, /* client id */
		0,     3,    0,	   40,	 0,    0,    0,	   1,	 0,    0,
		0x07,  0x08, 0,	   0,	 0x0b, 0x40, /* IA_NA 1 */
		0,     5,    0,	   24,	 0x20, 0x01, 0x0d, 0xb8, 0,    1,
		0,     0,    0,	   0,	 0,    0,    0,	   0,	 0,    5,
		0,     0,    0x0e, 0x10, 0,    0,    0x1c, 0x20, /* 3600 s, 7200 s */
		0,     23,   0,	   32,	 0x20, 0x01, 0x0d, 0xb8, 0,    0,
		0,     0,    0,	   0,	 0,    0,    0,	   0,	 0,    0x53, /* DNS */
		0x20,  0x01, 0x0d, 0xb8, 0,    0,    0,	   0,	 0,    0,
		0,     0,    0,	   0,	 0,    0x54,
	};

static void
test_stateful(void **state)
{
	struct fp_dhcp6_val c = entry();
	uint8_t out[FP_DHCP6_REPLY_MAX];
	const uint8_t *m, *v;
	uint32_t n, len;

	(void)state;
	struct rq req = { .type = REQUEST, .server = our_duid, .n_ia = 1, .ia_addr = addr };
	assert_int_equal(answer(&c, &req, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	assert_int_equal(n - 62, sizeof(reply_request));
	assert_memory_equal(m, reply_request, sizeof(reply_request));

	/* Solicit: the same as an Advertise; with Rapid Commit a Reply. */
	struct rq sol = { .type = SOLICIT, .n_ia = 1 };
	assert_int_equal(answer(&c, &sol, out, &n), FP_DHCP6_ADVERTISE);
	m = check_reply(out, n, ADVERTISE);
	assert_memory_equal(m + 4, reply_request + 4, sizeof(reply_request) - 4);
	assert_null(find_opt(m, n - 62, FP_DHCP6_O_RAPID_COMMIT, &len));
	struct rq rapid = { .type = SOLICIT, .n_ia = 1, .rapid = 1 };
	assert_int_equal(answer(&c, &rapid, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	assert_non_null(find_opt(m, n - 62, FP_DHCP6_O_RAPID_COMMIT, &len));
	assert_int_equal(len, 0);

	/* Renew of the port's address: the same Reply. */
	struct rq renew = { .type = RENEW, .server = our_duid, .n_ia = 1, .ia_addr = addr };
	assert_int_equal(answer(&c, &renew, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	assert_memory_equal(m, reply_request, sizeof(reply_request));

	/* Rebind of another address: ours, and that one with zero lifetimes. */
	struct rq rebind = { .type = REBIND, .n_ia = 1, .ia_addr = other };
	assert_int_equal(answer(&c, &rebind, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	v = find_opt(m, n - 62, FP_DHCP6_O_IA_NA, &len);
	assert_non_null(v);
	assert_int_equal(len, 12 + 28 + 28);
	assert_memory_equal(v + 12 + 4, addr, 16);
	assert_int_equal(fp_wire_get32(v + 12 + 20), 3600);
	assert_memory_equal(v + 40 + 4, other, 16);
	assert_int_equal(fp_wire_get32(v + 40 + 20), 0);
	assert_int_equal(fp_wire_get32(v + 40 + 24), 0);

	/* Two IA_NAs: the second gets NoAddrsAvail. */
	struct rq two = { .type = REQUEST, .server = our_duid, .n_ia = 2 };
	assert_int_equal(answer(&c, &two, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	v = find_opt(m, n - 62, FP_DHCP6_O_IA_NA, &len);
	assert_int_equal(len, 40);
	v += len; /* the next option: IA_NA 2 */
	assert_int_equal(fp_wire_get16(v), FP_DHCP6_O_IA_NA);
	assert_int_equal(fp_wire_get16(v + 2), 12 + 6);
	assert_memory_equal(v + 4, "\0\0\0\2\0\0\0\0\0\0\0\0", 12);
	assert_memory_equal(v + 16, "\x00\x0d\x00\x02\x00\x02", 6);

	/* Confirm: Success for the port's address, NotOnLink for another. */
	struct rq conf = { .type = CONFIRM, .n_ia = 1, .ia_addr = addr };
	assert_int_equal(answer(&c, &conf, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	v = find_opt(m, n - 62, FP_DHCP6_O_STATUS, &len);
	assert_int_equal(len, 2);
	assert_int_equal(fp_wire_get16(v), FP_DHCP6_ST_SUCCESS);
	assert_null(find_opt(m, n - 62, FP_DHCP6_O_IA_NA, &len));
	conf.ia_addr = other;
	assert_int_equal(answer(&c, &conf, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	v = find_opt(m, n - 62, FP_DHCP6_O_STATUS, &len);
	assert_int_equal(fp_wire_get16(v), FP_DHCP6_ST_NOT_ON_LINK);
	conf.ia_addr = NULL;
	assert_int_equal(answer(&c, &conf, out, &n), FP_DHCP6_NO_REPLY);
	assert_int_equal(n, 0);

	/* Release, Decline: Success, no DNS. */
	struct rq rel = { .type = RELEASE, .server = our_duid, .n_ia = 1, .ia_addr = addr };
	assert_int_equal(answer(&c, &rel, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	v = find_opt(m, n - 62, FP_DHCP6_O_STATUS, &len);
	assert_int_equal(fp_wire_get16(v), FP_DHCP6_ST_SUCCESS);
	assert_null(find_opt(m, n - 62, FP_DHCP6_O_DNS, &len));
	rel.type = DECLINE;
	assert_int_equal(answer(&c, &rel, out, &n), FP_DHCP6_REPLY);
}

static void
test_stateless(void **state)
{
	struct fp_dhcp6_val c = entry();
	uint8_t out[FP_DHCP6_REPLY_MAX];
	const uint8_t *m, *v;
	uint32_t n, len;

	(void)state;
	memset(c.addr, 0, 16);
	c.preferred = c.valid = 0;
	struct rq info = { .type = INFO };
	assert_int_equal(answer(&c, &info, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	/* server id, client id, DNS: nothing else */
	assert_int_equal(n - 62, 4 + 14 + 14 + 36);
	assert_memory_equal(m + 4, reply_request + 4, 28);
	v = find_opt(m, n - 62, FP_DHCP6_O_DNS, &len);
	assert_int_equal(len, 32);
	assert_memory_equal(v, c.dns, 32);
	/* Without a client id, with our server id: still answered. */
	struct rq anon = { .type = INFO, .no_client_id = 1, .server = our_duid };
	assert_int_equal(answer(&c, &anon, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	assert_null(find_opt(m, n - 62, FP_DHCP6_O_CLIENTID, &len));
	/* Addresses: not here. */
	struct rq sol = { .type = SOLICIT, .n_ia = 1 };
	assert_int_equal(answer(&c, &sol, out, &n), FP_DHCP6_STATELESS);
	assert_int_equal(n, 0);
	struct rq req = { .type = REQUEST, .server = our_duid, .n_ia = 1 };
	assert_int_equal(answer(&c, &req, out, &n), FP_DHCP6_STATELESS);
	/* A stateful entry answers Information-request too. */
	c = entry();
	assert_int_equal(answer(&c, &info, out, &n), FP_DHCP6_REPLY);
	m = check_reply(out, n, REPLY);
	assert_null(find_opt(m, n - 62, FP_DHCP6_O_IA_NA, &len));
}

static void
test_not_answered(void **state)
{
	struct fp_dhcp6_val c = entry();
	static const uint8_t other_ll[16] = { 0xfe, 0x80, [15] = 7 };
	uint8_t out[FP_DHCP6_REPLY_MAX], in[512];
	uint32_t n, len;

	(void)state;
	struct rq no_id = { .type = SOLICIT, .no_client_id = 1, .n_ia = 1 };
	assert_int_equal(answer(&c, &no_id, out, &n), FP_DHCP6_NO_CLIENT_ID);
	assert_int_equal(n, 0);
	struct rq sol_sid = { .type = SOLICIT, .server = our_duid, .n_ia = 1 };
	assert_int_equal(answer(&c, &sol_sid, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq req_other = { .type = REQUEST, .server = other_duid, .n_ia = 1 };
	assert_int_equal(answer(&c, &req_other, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq req_none = { .type = REQUEST, .n_ia = 1 };
	assert_int_equal(answer(&c, &req_none, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq renew_none = { .type = RENEW, .n_ia = 1 };
	assert_int_equal(answer(&c, &renew_none, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq rebind_sid = { .type = REBIND, .server = our_duid, .n_ia = 1 };
	assert_int_equal(answer(&c, &rebind_sid, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq rel_other = { .type = RELEASE, .server = other_duid, .n_ia = 1 };
	assert_int_equal(answer(&c, &rel_other, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq info_other = { .type = INFO, .server = other_duid };
	assert_int_equal(answer(&c, &info_other, out, &n), FP_DHCP6_OTHER_SERVER);
	struct rq info_ia = { .type = INFO, .ia_pd = 1 };
	assert_int_equal(answer(&c, &info_ia, out, &n), FP_DHCP6_MALFORMED);
	struct rq relay = { .type = FP_DHCP6_RELAY_FORW };
	assert_int_equal(answer(&c, &relay, out, &n), FP_DHCP6_RELAYED);
	struct rq adv = { .type = ADVERTISE, .server = our_duid }; /* a VM acting as a server */
	assert_int_equal(answer(&c, &adv, out, &n), FP_DHCP6_NO_REPLY);
	struct rq rep = { .type = REPLY };
	assert_int_equal(answer(&c, &rep, out, &n), FP_DHCP6_NO_REPLY);
	struct rq away = { .type = SOLICIT, .n_ia = 1, .dst = other_ll };
	assert_int_equal(answer(&c, &away, out, &n), FP_DHCP6_NOT_DHCP);
	struct rq to_us = { .type = SOLICIT, .n_ia = 1, .dst = rtr_ll };
	assert_int_equal(answer(&c, &to_us, out, &n), FP_DHCP6_ADVERTISE);

	struct rq s = { .type = SOLICIT, .n_ia = 1 };
	len = build(&s, in);
	in[6 + 5] = 2; /* another VM's MAC */
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_WRONG_CLIENT);
	len = build(&s, in);
	in[14 + 40 + 7] ^= 1; /* checksum */
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_BAD_CSUM);
	len = build(&s, in);
	fp_wire_put16(in + 14 + 40 + 6, 0); /* no checksum: not allowed over IPv6 */
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_BAD_CSUM);
	len = build(&s, in);
	in[14 + 8] = 0x20; /* a global source */
	resum(in, len);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_MALFORMED);
	len = build(&s, in);
	fp_wire_put16(in + 62 + 4 + 2, 200); /* client id past the end */
	resum(in, len);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_MALFORMED);
	len = build(&s, in);
	fp_wire_put16(in + 62 + 4 + 2, 1); /* client id too short */
	resum(in, len);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_MALFORMED);
	len = build(&s, in);
	fp_wire_put16(in + 62 + 4 + 2, 0); /* an empty client id, then option 255 */
	fp_wire_put16(in + 62 + 4 + 4, 255);
	fp_wire_put16(in + 62 + 4 + 6, 6);
	resum(in, len);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_MALFORMED);
	struct rq dup = { .type = SOLICIT, .n_ia = 1, .two_client_ids = 1 };
	assert_int_equal(answer(&c, &dup, out, &n), FP_DHCP6_MALFORMED);
	/* A zero checksum field where the sum is right: still not allowed. */
	len = build(&s, in);
	fp_wire_put16(in + 14 + 40 + 6, 0);
	fp_wire_put16(in + 62 + 4 + 14 + 4,
		      fp_csum_l4_v6(in + 22, in + 38, FP_IPPROTO_UDP, in + 54, len - 54));
	assert_int_equal(fp_csum_l4_v6(in + 22, in + 38, FP_IPPROTO_UDP, in + 54, len - 54), 0);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_BAD_CSUM);
	fp_wire_put16(in + 14 + 40 + 6, 0xffff); /* the same sum, sent: answered */
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_ADVERTISE);
	len = build(&s, in);
	fp_wire_put16(in + 14 + 40 + 4, 600); /* UDP length past the packet */
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_MALFORMED);
	len = build(&s, in);
	fp_wire_put16(in + 14 + 40 + 2, 53);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_NOT_DHCP);
	len = build(&s, in);
	in[14 + 6] = FP_IPPROTO_HOPOPTS;
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_NOT_DHCP);
	len = build(&s, in);
	fp_wire_put16(in + 12, FP_ETH_P_IPV4);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_NOT_DHCP);
	/* A small output buffer or a bad entry: no reply. */
	len = build(&s, in);
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, 300, &n), FP_DHCP6_BAD_ENTRY);
	c.valid = 1;
	assert_int_equal(fp_dhcp6_answer(&c, in, len, out, sizeof(out), &n), FP_DHCP6_BAD_ENTRY);
	assert_int_equal(n, 0);
}

/* Every truncation of every message, and random bit flips (with and
 * without a fixed checksum): no crash, no read past the frame (ASan),
 * every reply well formed.
 */
static void
test_truncated_and_mutated(void **state)
{
	struct fp_dhcp6_val c = entry();
	static const uint32_t types[] = { SOLICIT, REQUEST, RENEW,   REBIND,
					  CONFIRM, RELEASE, DECLINE, INFO };
	uint8_t out[FP_DHCP6_REPLY_MAX], in[512];
	uint32_t t, len, cut, i, n, r, seed = 777, counts[FP_DHCP6_MAX] = { 0 };

	(void)state;
	for (t = 0; t < 8; t++) {
		int sid = types[t] != SOLICIT && types[t] != REBIND && types[t] != CONFIRM;
		struct rq q = { .type = types[t],
				.server = sid ? our_duid : NULL,
				.n_ia = types[t] == INFO ? 0 : 2,
				.ia_addr = other };

		len = build(&q, in);
		for (cut = 0; cut < len; cut++) {
			uint8_t *f = malloc(cut ? cut : 1);

			assert_non_null(f);
			memcpy(f, in, cut);
			r = fp_dhcp6_answer(&c, f, cut, out, sizeof(out), &n);
			assert_true(r == FP_DHCP6_NOT_DHCP || r == FP_DHCP6_MALFORMED);
			assert_int_equal(n, 0);
			free(f);
		}
	}
	for (i = 0; i < 200000; i++) {
		uint32_t type = types[i % 8];
		int sid = type != SOLICIT && type != REBIND && type != CONFIRM;
		struct rq q = { .type = type,
				.server = sid ? our_duid : NULL,
				.n_ia = type == INFO ? 0 : 1 + (i / 8) % 3,
				.ia_addr = (i & 16) ? other : addr,
				.rapid = (i / 32) & 1 };
		uint8_t *f;

		len = build(&q, in);
		fp_test_mutate(in, 6, len, 3, &seed);
		if (i & 64)
			resum(in, len);
		f = malloc(len); /* exactly the frame, for ASan */
		assert_non_null(f);
		memcpy(f, in, len);
		r = fp_dhcp6_answer(&c, f, len, out, sizeof(out), &n);
		free(f);
		assert_true(r < FP_DHCP6_MAX);
		counts[r]++;
		if (r == FP_DHCP6_ADVERTISE || r == FP_DHCP6_REPLY) {
			const uint8_t *ip = out + 14;
			uint32_t ulen = fp_wire_get16(ip + 40 + 4);

			assert_true(n >= 66 && n <= FP_DHCP6_REPLY_MAX);
			assert_int_equal(ulen, n - 54);
			assert_int_equal(
				fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, ip + 40, ulen), 0);
			find_opt(ip + 48, ulen - 8, 0xffff, &len); /* the options are well formed */
		} else {
			assert_int_equal(n, 0);
		}
	}
	/* The flips reach every check but the entry's and stateless. */
	for (r = 0; r < FP_DHCP6_MAX; r++)
		if (r != FP_DHCP6_BAD_ENTRY && r != FP_DHCP6_STATELESS)
			assert_true(counts[r] > 0);
}

static void
test_check(void **state)
{
	struct fp_dhcp6_val c;
	char err[128];

	(void)state;
	c = entry();
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), 0);
	c.server_mac[0] = 1;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp6: mac or server_mac is not unicast");
	c = entry();
	memcpy(c.addr, vm_ll, 16);
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp6: address is not a global unicast");
	c = entry();
	c.preferred = 7201;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp6: lifetimes 7201/7200 not 0 < preferred <= valid");
	c = entry();
	memset(c.addr, 0, 16);
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp6: lifetimes without an address");
	c = entry();
	c.dns[3][15] = 1;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dhcp6: dns 3: unused, not zero");
	c = entry();
	c.dns[1][0] = 0xff;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.n_dns = FP_DHCP6_DNS_MAX + 1;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	c = entry();
	c.pad[1] = 1;
	assert_int_equal(fp_dhcp6_check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(fp_dhcp6_result_str(FP_DHCP6_REPLY), "reply");
	assert_string_equal(fp_dhcp6_result_str(FP_DHCP6_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stateful),     cmocka_unit_test(test_stateless),
		cmocka_unit_test(test_not_answered), cmocka_unit_test(test_truncated_and_mutated),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
