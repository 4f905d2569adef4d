/* SPDX-License-Identifier: BSD-3-Clause */
#include "dhcp6.h"

#include <errno.h>
#include <string.h>

#include <flowplane/proto.h>

#include "addr.h"
#include "csum.h"
#include "ra.h"
#include "wire.h"

#define ETH_HLEN 14
#define IP6_HLEN 40
#define UDP_HLEN 8
#define MSG_HLEN 4 /* type, transaction id */
#define OPT_HLEN 4 /* code, length */
#define IA_HLEN 12 /* IAID, T1, T2 */
#define IAADDR_LEN 24
#define DUID_MAX 130 /* type and up to 128 octets (RFC 8415 11.1) */
#define DUID_LL 3
#define HW_ETHER 1

static const uint8_t zero16[16];
static const uint8_t all_servers[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };

static const char *const result_str[FP_DHCP6_MAX] = {
#define RESULT_STR(id, name) [FP_DHCP6_##id] = name,
	FP_FOREACH_DHCP6(RESULT_STR)
#undef RESULT_STR
};

const char *
fp_dhcp6_result_str(uint32_t r)
{
	return r < FP_DHCP6_MAX ? result_str[r] : "?";
}

static int
mac_unicast(const uint8_t *m)
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

static int
link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

int
fp_dhcp6_check(const struct fp_dhcp6_val *c, char *err, uint32_t errsz)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	uint32_t i;

	if (!mac_unicast(c->mac) || !mac_unicast(c->server_mac))
		return fp_wire_fail(err, errsz, "dhcp6: mac or server_mac is not unicast");
	if (memcmp(c->addr, zero16, 16) == 0) {
		if (c->preferred || c->valid)
			return fp_wire_fail(err, errsz, "dhcp6: lifetimes without an address");
	} else {
		if (c->addr[0] == 0xff || link_local(c->addr) || memcmp(c->addr, loopback, 16) == 0)
			return fp_wire_fail(err, errsz, "dhcp6: address is not a global unicast");
		if (c->preferred == 0 || c->preferred > c->valid)
			return fp_wire_fail(err, errsz,
					    "dhcp6: lifetimes %u/%u not 0 < preferred <= valid",
					    c->preferred, c->valid);
	}
	if (c->n_dns > FP_DHCP6_DNS_MAX || c->pad[0] || c->pad[1] || c->pad[2])
		return fp_wire_fail(err, errsz, "dhcp6: n_dns %u > %u or pad", c->n_dns,
				    FP_DHCP6_DNS_MAX);
	for (i = 0; i < FP_DHCP6_DNS_MAX; i++) {
		int zero = memcmp(c->dns[i], zero16, 16) == 0;

		if (i < c->n_dns ? zero || c->dns[i][0] == 0xff : !zero)
			return fp_wire_fail(err, errsz, "dhcp6: dns %u: %s", i,
					    i < c->n_dns ? "not a unicast address" :
							   "unused, not zero");
	}
	return 0;
}

/* What the request said. */
struct req {
	const uint8_t *ip;		    /* its IPv6 header */
	const uint8_t *msg;		    /* the DHCPv6 message */
	uint32_t type;			    /* message type */
	const uint8_t *client_id;	    /* option 1's value, or NULL */
	uint32_t client_id_len;		    /* its length */
	const uint8_t *server_id;	    /* option 2's value, or NULL */
	uint32_t server_id_len;		    /* its length */
	const uint8_t *ia[FP_DHCP6_IA_MAX]; /* IA_NA values (IAID, T1, T2, options) */
	uint32_t ia_len[FP_DHCP6_IA_MAX];   /* their lengths */
	uint32_t n_ia;			    /* IA_NAs kept */
	uint32_t any_ia;		    /* an IA_NA, IA_TA or IA_PD present */
	uint32_t rapid;			    /* Rapid Commit present */
};

/* Walk the options of v[0..len); call each (code, value, length) into
 * rq, or just check the lengths when rq is NULL.  0, or -1 when one runs
 * past the end or is malformed.
 */
static int
walk(const uint8_t *v, uint32_t len, struct req *rq)
{
	uint32_t off, code, olen;

	for (off = 0; off < len; off += OPT_HLEN + olen) {
		if (off + OPT_HLEN > len)
			return -1;
		code = fp_wire_get16(v + off);
		olen = fp_wire_get16(v + off + 2);
		if (off + OPT_HLEN + olen > len)
			return -1;
		if (rq == NULL)
			continue;
		switch (code) {
		case FP_DHCP6_O_CLIENTID:
		case FP_DHCP6_O_SERVERID:
			if (olen < 2 || olen > DUID_MAX)
				return -1;
			if (code == FP_DHCP6_O_CLIENTID) {
				if (rq->client_id != NULL)
					return -1;
				rq->client_id = v + off + OPT_HLEN;
				rq->client_id_len = olen;
			} else {
				if (rq->server_id != NULL)
					return -1;
				rq->server_id = v + off + OPT_HLEN;
				rq->server_id_len = olen;
			}
			break;
		case FP_DHCP6_O_IA_NA:
			if (olen < IA_HLEN ||
			    walk(v + off + OPT_HLEN + IA_HLEN, olen - IA_HLEN, NULL) != 0)
				return -1;
			if (rq->n_ia < FP_DHCP6_IA_MAX) {
				rq->ia[rq->n_ia] = v + off + OPT_HLEN;
				rq->ia_len[rq->n_ia++] = olen;
			}
			rq->any_ia = 1;
			break;
		case FP_DHCP6_O_IA_TA:
		case FP_DHCP6_O_IA_PD:
			rq->any_ia = 1;
			break;
		case FP_DHCP6_O_RAPID_COMMIT:
			if (olen != 0)
				return -1;
			rq->rapid = 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Frame -> request.  FP_DHCP6_MAX when it is one to look at. */
static uint32_t
parse(const struct fp_dhcp6_val *cfg, const uint8_t *f, uint32_t len, struct req *rq)
{
	const uint8_t *ip, *udp;
	uint8_t ll[16];
	uint32_t plen, ulen;

	if (len < ETH_HLEN + IP6_HLEN + UDP_HLEN || fp_wire_get16(f + 12) != FP_ETH_P_IPV6)
		return FP_DHCP6_NOT_DHCP;
	ip = f + ETH_HLEN;
	udp = ip + IP6_HLEN;
	if ((ip[0] >> 4) != 6 || ip[6] != FP_IPPROTO_UDP ||
	    fp_wire_get16(udp + 2) != FP_DHCP6_SERVER_PORT)
		return FP_DHCP6_NOT_DHCP;
	fp_addr_link_local(cfg->server_mac, ll);
	if (memcmp(ip + 24, all_servers, 16) != 0 && memcmp(ip + 24, ll, 16) != 0)
		return FP_DHCP6_NOT_DHCP;
	plen = fp_wire_get16(ip + 4);
	if (plen < UDP_HLEN || plen > len - ETH_HLEN - IP6_HLEN)
		return FP_DHCP6_MALFORMED;
	ulen = fp_wire_get16(udp + 4);
	if (ulen < UDP_HLEN + MSG_HLEN || ulen > plen)
		return FP_DHCP6_MALFORMED;
	if (fp_wire_get16(udp + 6) == 0 ||
	    fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, udp, ulen) != 0)
		return FP_DHCP6_BAD_CSUM;
	if (!link_local(ip + 8) || (f[6] & 1))
		return FP_DHCP6_MALFORMED; /* clients send from their link-local address */
	if (memcmp(f + 6, cfg->mac, 6) != 0)
		return FP_DHCP6_WRONG_CLIENT;
	memset(rq, 0, sizeof(*rq));
	rq->ip = ip;
	rq->msg = udp + UDP_HLEN;
	rq->type = rq->msg[0];
	if (rq->type == FP_DHCP6_RELAY_FORW)
		return FP_DHCP6_RELAYED;
	if (walk(rq->msg + MSG_HLEN, ulen - UDP_HLEN - MSG_HLEN, rq) != 0)
		return FP_DHCP6_MALFORMED;
	return FP_DHCP6_MAX;
}

/* The server's DUID-LL (RFC 8415 11.4) into d[0..10). */
static void
duid(const struct fp_dhcp6_val *cfg, uint8_t d[10])
{
	fp_wire_put16(d, DUID_LL);
	fp_wire_put16(d + 2, HW_ETHER);
	memcpy(d + 4, cfg->server_mac, 6);
}

/* Is the request's Server Identifier ours? */
static int
server_is_us(const struct fp_dhcp6_val *cfg, const struct req *rq)
{
	uint8_t d[10];

	duid(cfg, d);
	return rq->server_id_len == sizeof(d) && memcmp(rq->server_id, d, sizeof(d)) == 0;
}

/* Does the port's address answer Confirm?  ST_* or -1 when it names no
 * address.
 */
static int
confirm_status(const struct fp_dhcp6_val *cfg, const struct req *rq)
{
	uint32_t i, off, olen, named = 0;

	for (i = 0; i < rq->n_ia; i++) {
		const uint8_t *o = rq->ia[i] + IA_HLEN;
		uint32_t len = rq->ia_len[i] - IA_HLEN;

		for (off = 0; off < len; off += OPT_HLEN + olen) {
			olen = fp_wire_get16(o + off + 2);
			if (fp_wire_get16(o + off) != FP_DHCP6_O_IAADDR || olen < IAADDR_LEN)
				continue;
			named = 1;
			if (memcmp(o + off + OPT_HLEN, cfg->addr, 16) != 0)
				return FP_DHCP6_ST_NOT_ON_LINK;
		}
	}
	return named ? FP_DHCP6_ST_SUCCESS : -1;
}

/* Reply and result for rq, or a result without reply: *type, *status
 * (top-level Status Code, -1 for none).
 */
static uint32_t
decide(const struct fp_dhcp6_val *cfg, const struct req *rq, uint32_t *type, int *status)
{
	int stateless = memcmp(cfg->addr, zero16, 16) == 0;

	*type = FP_DHCP6_REPLY_MSG;
	*status = -1;
	switch (rq->type) {
	case FP_DHCP6_INFO_REQUEST:
		if (rq->server_id != NULL && !server_is_us(cfg, rq))
			return FP_DHCP6_OTHER_SERVER;
		if (rq->any_ia)
			return FP_DHCP6_MALFORMED;
		return FP_DHCP6_REPLY;
	case FP_DHCP6_SOLICIT:
	case FP_DHCP6_CONFIRM:
	case FP_DHCP6_REBIND:
	case FP_DHCP6_REQUEST:
	case FP_DHCP6_RENEW:
	case FP_DHCP6_RELEASE:
	case FP_DHCP6_DECLINE:
		break;
	default:
		return FP_DHCP6_NO_REPLY;
	}
	if (rq->client_id == NULL)
		return FP_DHCP6_NO_CLIENT_ID;
	if (rq->type == FP_DHCP6_SOLICIT || rq->type == FP_DHCP6_CONFIRM ||
	    rq->type == FP_DHCP6_REBIND) {
		if (rq->server_id != NULL)
			return FP_DHCP6_OTHER_SERVER;
	} else if (rq->server_id == NULL || !server_is_us(cfg, rq)) {
		return FP_DHCP6_OTHER_SERVER;
	}
	if (stateless)
		return FP_DHCP6_STATELESS;
	switch (rq->type) {
	case FP_DHCP6_SOLICIT:
		if (!rq->rapid) {
			*type = FP_DHCP6_ADVERTISE_MSG;
			return FP_DHCP6_ADVERTISE;
		}
		return FP_DHCP6_REPLY;
	case FP_DHCP6_CONFIRM:
		*status = confirm_status(cfg, rq);
		return *status < 0 ? FP_DHCP6_NO_REPLY : FP_DHCP6_REPLY;
	case FP_DHCP6_RELEASE:
	case FP_DHCP6_DECLINE:
		*status = FP_DHCP6_ST_SUCCESS;
		return FP_DHCP6_REPLY;
	default:
		return FP_DHCP6_REPLY;
	}
}

/* Option writer over out[0..end). */
struct opts {
	uint8_t *p;
	uint8_t *end;
};

/* Start option code with len bytes of value v (NULL: zeros); its value,
 * or NULL when there is no room (cannot happen: FP_DHCP6_REPLY_MAX has
 * room for every option).
 */
static uint8_t *
opt(struct opts *o, uint32_t code, const void *v, uint32_t len)
{
	uint8_t *val;

	if (o->p + OPT_HLEN + len > o->end)
		return NULL;
	fp_wire_put16(o->p, code);
	fp_wire_put16(o->p + 2, len);
	val = o->p + OPT_HLEN;
	if (v != NULL)
		memcpy(val, v, len);
	else
		memset(val, 0, len);
	o->p += OPT_HLEN + len;
	return val;
}

static void
opt_status(struct opts *o, uint32_t st)
{
	uint8_t v[2];

	fp_wire_put16(v, st);
	opt(o, FP_DHCP6_O_STATUS, v, 2);
}

/* One IAADDR option of addr with the lifetimes into o. */
static void
opt_iaaddr(struct opts *o, const uint8_t *addr, uint32_t preferred, uint32_t valid)
{
	uint8_t *v = opt(o, FP_DHCP6_O_IAADDR, NULL, IAADDR_LEN);

	if (v == NULL)
		return;
	memcpy(v, addr, 16);
	fp_wire_put32(v + 16, preferred);
	fp_wire_put32(v + 20, valid);
}

/* The reply's IA_NA for the request's IA i. */
static void
opt_ia(struct opts *o, const struct fp_dhcp6_val *cfg, const struct req *rq, uint32_t i)
{
	const uint8_t *ia = rq->ia[i], *sub = ia + IA_HLEN;
	uint32_t len = rq->ia_len[i] - IA_HLEN, off, olen, n_old = 0;
	int renewing = rq->type == FP_DHCP6_RENEW || rq->type == FP_DHCP6_REBIND;
	uint8_t *head = o->p, *v = opt(o, FP_DHCP6_O_IA_NA, ia, IA_HLEN);

	if (v == NULL)
		return;
	if (i > 0) { /* one address: the first IA's */
		fp_wire_put32(v + 4, 0);
		fp_wire_put32(v + 8, 0);
		opt_status(o, renewing ? FP_DHCP6_ST_NO_BINDING : FP_DHCP6_ST_NO_ADDRS_AVAIL);
	} else {
		fp_wire_put32(v + 4, cfg->preferred / 2);
		fp_wire_put32(v + 8, (uint32_t)((uint64_t)cfg->preferred * 4 / 5));
		opt_iaaddr(o, cfg->addr, cfg->preferred, cfg->valid);
		for (off = 0; renewing && off < len; off += OPT_HLEN + olen) {
			const uint8_t *a = sub + off + OPT_HLEN;

			olen = fp_wire_get16(sub + off + 2);
			if (fp_wire_get16(sub + off) != FP_DHCP6_O_IAADDR || olen < IAADDR_LEN ||
			    memcmp(a, cfg->addr, 16) == 0 || n_old >= FP_DHCP6_IAADDR_MAX)
				continue;
			opt_iaaddr(o, a, 0, 0); /* not the port's: no longer valid */
			n_old++;
		}
	}
	fp_wire_put16(head + 2, (uint32_t)(o->p - head) - OPT_HLEN);
}

uint32_t
fp_dhcp6_answer(const struct fp_dhcp6_val *cfg, const uint8_t *in, uint32_t in_len, uint8_t *out,
		uint32_t out_size, uint32_t *out_len)
{
	uint32_t r, type, i, ulen;
	uint8_t *ip, *udp, *m, d[10];
	struct opts o;
	struct req rq;
	int status;

	*out_len = 0;
	if (out_size < FP_DHCP6_REPLY_MAX || fp_dhcp6_check(cfg, NULL, 0) != 0)
		return FP_DHCP6_BAD_ENTRY;
	r = parse(cfg, in, in_len, &rq);
	if (r != FP_DHCP6_MAX)
		return r;
	r = decide(cfg, &rq, &type, &status);
	if (r != FP_DHCP6_ADVERTISE && r != FP_DHCP6_REPLY)
		return r;

	memset(out, 0, FP_DHCP6_REPLY_MAX);
	ip = out + ETH_HLEN;
	udp = ip + IP6_HLEN;
	m = udp + UDP_HLEN;
	m[0] = (uint8_t)type;
	memcpy(m + 1, rq.msg + 1, 3); /* transaction id */
	o.p = m + MSG_HLEN;
	o.end = out + FP_DHCP6_REPLY_MAX;
	duid(cfg, d);
	opt(&o, FP_DHCP6_O_SERVERID, d, sizeof(d));
	if (rq.client_id != NULL)
		opt(&o, FP_DHCP6_O_CLIENTID, rq.client_id, rq.client_id_len);
	if (rq.type == FP_DHCP6_SOLICIT || rq.type == FP_DHCP6_REQUEST ||
	    rq.type == FP_DHCP6_RENEW || rq.type == FP_DHCP6_REBIND)
		for (i = 0; i < rq.n_ia; i++)
			opt_ia(&o, cfg, &rq, i);
	if (status >= 0)
		opt_status(&o, (uint32_t)status);
	if (rq.type == FP_DHCP6_SOLICIT && type == FP_DHCP6_REPLY_MSG)
		opt(&o, FP_DHCP6_O_RAPID_COMMIT, NULL, 0);
	if (cfg->n_dns > 0 && rq.type != FP_DHCP6_RELEASE && rq.type != FP_DHCP6_DECLINE)
		opt(&o, FP_DHCP6_O_DNS, cfg->dns, 16u * cfg->n_dns);
	ulen = (uint32_t)(o.p - udp);
	/* UDP */
	fp_wire_put16(udp, FP_DHCP6_SERVER_PORT);
	fp_wire_put16(udp + 2, FP_DHCP6_CLIENT_PORT);
	fp_wire_put16(udp + 4, ulen);
	/* IPv6 */
	ip[0] = 0x60;
	fp_wire_put16(ip + 4, ulen);
	ip[6] = FP_IPPROTO_UDP;
	ip[7] = 64;
	fp_addr_link_local(cfg->server_mac, ip + 8);
	memcpy(ip + 24, rq.ip + 8, 16);
	{
		uint16_t c = fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_UDP, udp, ulen);

		fp_wire_put16(udp + 6, c == 0 ? 0xffff : c);
	}
	/* Ethernet */
	memcpy(out, in + 6, 6);
	memcpy(out + 6, cfg->server_mac, 6);
	fp_wire_put16(out + 12, FP_ETH_P_IPV6);
	*out_len = ETH_HLEN + IP6_HLEN + ulen;
	return r;
}
