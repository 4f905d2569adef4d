/* SPDX-License-Identifier: BSD-3-Clause */
#include "dhcp4.h"

#include <errno.h>
#include <string.h>

#include <flowplane/proto.h>

#include "csum.h"
#include "wire.h"

#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define BOOTP_FIXED 236 /* op .. file */
#define BOOTP_MIN 300	/* the smallest BOOTP message clients must accept */
#define OPT_OFF 240	/* options, after the magic cookie */
#define LEASE_MIN 120	/* seconds */
#define LEASE_MAX 0x7fffffffU

/* BOOTP field offsets */
#define B_OP 0
#define B_HTYPE 1
#define B_HLEN 2
#define B_XID 4
#define B_FLAGS 10
#define B_CIADDR 12
#define B_YIADDR 16
#define B_GIADDR 24
#define B_CHADDR 28
#define B_COOKIE 236

#define FLAG_BROADCAST 0x8000

/* Message types */
#define DISCOVER FP_DHCP4_DISCOVER
#define OFFER FP_DHCP4_OFFER_MSG
#define REQUEST FP_DHCP4_REQUEST
#define ACK FP_DHCP4_ACK_MSG
#define NAK FP_DHCP4_NAK_MSG
#define INFORM FP_DHCP4_INFORM

/* Options */
#define O_PAD 0
#define O_MASK 1
#define O_ROUTER 3
#define O_DNS 6
#define O_MTU 26
#define O_REQ_IP 50
#define O_LEASE 51
#define O_MSG 53
#define O_SERVER 54
#define O_T1 58
#define O_T2 59
#define O_CLASSLESS 121
#define O_END 255

static const uint8_t cookie[4] = { 99, 130, 83, 99 };
static const uint8_t zero4[4];

static const char *const result_str[FP_DHCP4_MAX] = {
#define RESULT_STR(id, name) [FP_DHCP4_##id] = name,
	FP_FOREACH_DHCP4(RESULT_STR)
#undef RESULT_STR
};

const char *
fp_dhcp4_result_str(uint32_t r)
{
	return r < FP_DHCP4_MAX ? result_str[r] : "?";
}

static uint32_t
mask_of(uint32_t plen)
{
	return plen == 0 ? 0 : ~0U << (32 - plen);
}

int
fp_dhcp4_check(const struct fp_dhcp_val *c, char *err, uint32_t errsz)
{
	uint32_t i, m;

	if (c->plen < 1 || c->plen > 32)
		return fp_wire_fail(err, errsz, "dhcp: plen %u out of range 1..32", c->plen);
	m = mask_of(c->plen);
	if (memcmp(c->addr, zero4, 4) == 0 || memcmp(c->server, zero4, 4) == 0)
		return fp_wire_fail(err, errsz, "dhcp: address and server must be set");
	if (memcmp(c->addr, c->server, 4) == 0)
		return fp_wire_fail(err, errsz, "dhcp: address is the server's");
	if (memcmp(c->router, zero4, 4) != 0 &&
	    (fp_wire_get32(c->router) & m) != (fp_wire_get32(c->addr) & m))
		return fp_wire_fail(err, errsz, "dhcp: router is not in the address's subnet");
	if (c->mac[0] & 1)
		return fp_wire_fail(err, errsz, "dhcp: mac is not unicast");
	if (c->lease < LEASE_MIN || c->lease > LEASE_MAX)
		return fp_wire_fail(err, errsz, "dhcp: lease %u out of range %u..%u", c->lease,
				    LEASE_MIN, LEASE_MAX);
	if (c->mtu != 0 && c->mtu < 68)
		return fp_wire_fail(err, errsz, "dhcp: mtu %u below 68", c->mtu);
	if (c->n_dns > FP_DHCP_DNS_MAX || c->n_routes > FP_DHCP_ROUTE_MAX || c->pad)
		return fp_wire_fail(err, errsz, "dhcp: n_dns %u > %u or n_routes %u > %u or pad",
				    c->n_dns, FP_DHCP_DNS_MAX, c->n_routes, FP_DHCP_ROUTE_MAX);
	for (i = c->n_dns; i < FP_DHCP_DNS_MAX; i++)
		if (memcmp(c->dns[i], zero4, 4) != 0)
			return fp_wire_fail(err, errsz, "dhcp: unused dns %u not zero", i);
	for (i = 0; i < FP_DHCP_ROUTE_MAX; i++) {
		const struct fp_dhcp_route *r = &c->routes[i];
		static const struct fp_dhcp_route none;

		if (i >= c->n_routes) {
			if (memcmp(r, &none, sizeof(none)) != 0)
				return fp_wire_fail(err, errsz, "dhcp: unused route %u not zero",
						    i);
			continue;
		}
		if (r->plen > 32 || (fp_wire_get32(r->dst) & ~mask_of(r->plen)) != 0 || r->pad[0] ||
		    r->pad[1] || r->pad[2])
			return fp_wire_fail(err, errsz, "dhcp: route %u: bad prefix", i);
		if (memcmp(r->gw, zero4, 4) == 0)
			return fp_wire_fail(err, errsz, "dhcp: route %u: no router", i);
	}
	return 0;
}

/* What the request said. */
struct req {
	const uint8_t *bootp;  /* the BOOTP message */
	uint32_t type;	       /* option 53 */
	const uint8_t *server; /* option 54, or NULL */
	const uint8_t *req_ip; /* option 50, or NULL */
};

/* Frame -> request.  FP_DHCP4_MAX when it is one to answer. */
static uint32_t
parse(const struct fp_dhcp_val *cfg, const uint8_t *f, uint32_t len, struct req *rq)
{
	const uint8_t *ip, *udp, *b;
	uint32_t ihl, tot, ulen, blen, off;

	if (len < ETH_HLEN + IP_HLEN + UDP_HLEN || fp_wire_get16(f + 12) != FP_ETH_P_IPV4)
		return FP_DHCP4_NOT_DHCP;
	ip = f + ETH_HLEN;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	if ((ip[0] >> 4) != 4 || ip[9] != FP_IPPROTO_UDP)
		return FP_DHCP4_NOT_DHCP;
	tot = fp_wire_get16(ip + 2);
	if (ihl < IP_HLEN || tot < ihl + UDP_HLEN || tot > len - ETH_HLEN)
		return FP_DHCP4_MALFORMED;
	if (fp_wire_get16(ip + 6) & 0x3fff) /* a fragment */
		return FP_DHCP4_MALFORMED;
	udp = ip + ihl;
	if (fp_wire_get16(udp + 2) != FP_DHCP4_SERVER_PORT)
		return FP_DHCP4_NOT_DHCP;
	ulen = fp_wire_get16(udp + 4);
	if (ulen < UDP_HLEN || ulen > tot - ihl)
		return FP_DHCP4_MALFORMED;
	b = udp + UDP_HLEN;
	blen = ulen - UDP_HLEN;
	if (blen < OPT_OFF || memcmp(b + B_COOKIE, cookie, 4) != 0 || b[B_OP] != 1 ||
	    b[B_HTYPE] != 1 || b[B_HLEN] != 6)
		return FP_DHCP4_MALFORMED;
	memset(rq, 0, sizeof(*rq));
	rq->bootp = b;
	for (off = OPT_OFF; off < blen;) {
		uint32_t code = b[off], olen;

		if (code == O_END)
			break;
		if (code == O_PAD) {
			off++;
			continue;
		}
		if (off + 2 > blen)
			return FP_DHCP4_MALFORMED;
		olen = b[off + 1];
		if (off + 2 + olen > blen)
			return FP_DHCP4_MALFORMED;
		if (code == O_MSG) {
			if (olen != 1)
				return FP_DHCP4_MALFORMED;
			rq->type = b[off + 2];
		} else if (code == O_SERVER || code == O_REQ_IP) {
			if (olen != 4)
				return FP_DHCP4_MALFORMED;
			if (code == O_SERVER)
				rq->server = b + off + 2;
			else
				rq->req_ip = b + off + 2;
		}
		off += 2 + olen;
	}
	if (rq->type == 0)
		return FP_DHCP4_MALFORMED; /* BOOTP without DHCP: not served */
	if (memcmp(b + B_GIADDR, zero4, 4) != 0)
		return FP_DHCP4_RELAYED;
	if (memcmp(b + B_CHADDR, cfg->mac, 6) != 0)
		return FP_DHCP4_WRONG_CLIENT;
	return FP_DHCP4_MAX;
}

/* The reply's message type for rq, or a result without reply. */
static uint32_t
decide(const struct fp_dhcp_val *cfg, const struct req *rq, uint32_t *type)
{
	const uint8_t *ciaddr = rq->bootp + B_CIADDR;

	switch (rq->type) {
	case DISCOVER:
		*type = OFFER;
		return FP_DHCP4_OFFER;
	case INFORM:
		*type = ACK;
		return FP_DHCP4_ACK;
	case REQUEST:
		if (rq->server != NULL && memcmp(rq->server, cfg->server, 4) != 0)
			return FP_DHCP4_OTHER_SERVER;
		if (rq->req_ip != NULL)
			*type = memcmp(rq->req_ip, cfg->addr, 4) == 0 ? ACK : NAK; /* selecting,
										      init-reboot */
		else
			*type = memcmp(ciaddr, cfg->addr, 4) == 0 ? ACK : NAK; /* renew, rebind */
		return *type == ACK ? FP_DHCP4_ACK : FP_DHCP4_NAK;
	default:
		return FP_DHCP4_NO_REPLY;
	}
}

/* Option writer over out[0..end). */
struct opts {
	uint8_t *p;
	uint8_t *end;
};

static void
opt(struct opts *o, uint32_t code, const void *v, uint32_t len)
{
	if (o->p + 2 + len > o->end)
		return; /* cannot happen: FP_DHCP4_REPLY_MAX has room for every option */
	o->p[0] = (uint8_t)code;
	o->p[1] = (uint8_t)len;
	memcpy(o->p + 2, v, len);
	o->p += 2 + len;
}

static void
opt32(struct opts *o, uint32_t code, uint32_t v)
{
	uint8_t b[4];

	fp_wire_put32(b, v);
	opt(o, code, b, 4);
}

/* Option 121: each route as plen, the significant octets, the router. */
static void
opt_classless(struct opts *o, const struct fp_dhcp_val *cfg)
{
	uint8_t v[255];
	uint32_t n = 0, i;

	if (memcmp(cfg->router, zero4, 4) != 0) {
		v[n++] = 0;
		memcpy(v + n, cfg->router, 4);
		n += 4;
	}
	for (i = 0; i < cfg->n_routes && i < FP_DHCP_ROUTE_MAX; i++) {
		const struct fp_dhcp_route *r = &cfg->routes[i];
		uint32_t sig = (r->plen + 7u) / 8;

		v[n++] = r->plen;
		memcpy(v + n, r->dst, sig);
		n += sig;
		memcpy(v + n, r->gw, 4);
		n += 4;
	}
	opt(o, O_CLASSLESS, v, n);
}

uint32_t
fp_dhcp4_answer(const struct fp_dhcp_val *cfg, const uint8_t server_mac[6], const uint8_t *in,
		uint32_t in_len, uint8_t *out, uint32_t out_size, uint32_t *out_len)
{
	static const uint8_t bcast4[4] = { 255, 255, 255, 255 };
	static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t r, type = 0, blen, ulen, flags;
	const uint8_t *dst_ip, *dst_mac, *ciaddr;
	uint8_t *ip, *udp, *b, mb;
	struct opts o;
	struct req rq;

	*out_len = 0;
	if (out_size < FP_DHCP4_REPLY_MAX || fp_dhcp4_check(cfg, NULL, 0) != 0)
		return FP_DHCP4_BAD_ENTRY;
	r = parse(cfg, in, in_len, &rq);
	if (r != FP_DHCP4_MAX)
		return r;
	r = decide(cfg, &rq, &type);
	if (r != FP_DHCP4_OFFER && r != FP_DHCP4_ACK && r != FP_DHCP4_NAK)
		return r;

	memset(out, 0, FP_DHCP4_REPLY_MAX);
	ip = out + ETH_HLEN;
	udp = ip + IP_HLEN;
	b = udp + UDP_HLEN;
	/* BOOTP */
	b[B_OP] = 2;
	b[B_HTYPE] = 1;
	b[B_HLEN] = 6;
	memcpy(b + B_XID, rq.bootp + B_XID, 4);
	flags = fp_wire_get16(rq.bootp + B_FLAGS) & FLAG_BROADCAST;
	fp_wire_put16(b + B_FLAGS, flags);
	ciaddr = rq.bootp + B_CIADDR;
	if (type != NAK)
		memcpy(b + B_CIADDR, ciaddr, 4);
	if (type != NAK && rq.type != INFORM)
		memcpy(b + B_YIADDR, cfg->addr, 4);
	memcpy(b + B_CHADDR, rq.bootp + B_CHADDR, 6);
	memcpy(b + B_COOKIE, cookie, 4);
	/* Options */
	o.p = b + OPT_OFF;
	o.end = out + FP_DHCP4_REPLY_MAX - 1; /* room for O_END */
	mb = (uint8_t)type;
	opt(&o, O_MSG, &mb, 1);
	opt(&o, O_SERVER, cfg->server, 4);
	if (type != NAK) {
		if (rq.type != INFORM) {
			opt32(&o, O_LEASE, cfg->lease);
			opt32(&o, O_T1, cfg->lease / 2);
			opt32(&o, O_T2, (uint32_t)((uint64_t)cfg->lease * 7 / 8));
		}
		opt32(&o, O_MASK, mask_of(cfg->plen));
		if (memcmp(cfg->router, zero4, 4) != 0)
			opt(&o, O_ROUTER, cfg->router, 4);
		if (cfg->n_dns > 0)
			opt(&o, O_DNS, cfg->dns, 4u * cfg->n_dns);
		if (cfg->mtu != 0) {
			uint8_t m[2];

			fp_wire_put16(m, cfg->mtu);
			opt(&o, O_MTU, m, 2);
		}
		if (cfg->n_routes > 0)
			opt_classless(&o, cfg);
	}
	*o.p++ = O_END;
	blen = (uint32_t)(o.p - b);
	if (blen < BOOTP_MIN)
		blen = BOOTP_MIN;
	ulen = UDP_HLEN + blen;
	/* Where it goes */
	if (type != NAK && memcmp(ciaddr, zero4, 4) != 0) {
		dst_ip = ciaddr;
		dst_mac = rq.bootp + B_CHADDR;
	} else if (type == NAK || flags) {
		dst_ip = bcast4;
		dst_mac = bcast_mac;
	} else {
		dst_ip = cfg->addr;
		dst_mac = rq.bootp + B_CHADDR;
	}
	/* UDP */
	fp_wire_put16(udp, FP_DHCP4_SERVER_PORT);
	fp_wire_put16(udp + 2, FP_DHCP4_CLIENT_PORT);
	fp_wire_put16(udp + 4, ulen);
	fp_wire_put16(udp + 6, 0);
	{
		uint16_t c = fp_csum_l4_v4(cfg->server, dst_ip, FP_IPPROTO_UDP, udp, ulen);

		fp_wire_put16(udp + 6, c == 0 ? 0xffff : c);
	}
	/* IPv4 */
	ip[0] = 0x45;
	fp_wire_put16(ip + 2, IP_HLEN + ulen);
	ip[8] = 64;
	ip[9] = FP_IPPROTO_UDP;
	memcpy(ip + 12, cfg->server, 4);
	memcpy(ip + 16, dst_ip, 4);
	fp_wire_put16(ip + 10, fp_csum_fold(fp_csum_partial(ip, IP_HLEN, 0)));
	/* Ethernet */
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, server_mac, 6);
	fp_wire_put16(out + 12, FP_ETH_P_IPV4);
	*out_len = ETH_HLEN + IP_HLEN + ulen;
	return r;
}
