/* SPDX-License-Identifier: BSD-3-Clause */
#include "ra.h"

#include <errno.h>
#include <string.h>

#include <flowplane/proto.h>

#include "addr.h"
#include "csum.h"
#include "wire.h"

#define ETH_HLEN 14
#define IP6_HLEN 40
#define ICMP_HLEN 8 /* type, code, checksum, 4 bytes of the message */
#define RA_HLEN 16  /* type .. retrans timer */
#define CUR_HOP_LIMIT 64
#define MTU_MIN 1280
#define LIFETIME_MAX 9000	  /* router lifetime, seconds */
#define INITIAL_ADVERTS 3	  /* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define INITIAL_INTERVAL_MS 16000 /* MAX_INITIAL_RTR_ADVERT_INTERVAL */

/* ND options (RFC 4861 4.6, 8106 5.1) */
#define O_SLLA FP_ND_OPT_SLLA
#define O_PREFIX 3
#define O_MTU 5
#define O_RDNSS 25

static const uint8_t zero16[16];
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

static const char *const result_str[FP_RA_MAX] = {
#define RESULT_STR(id, name) [FP_RA_##id] = name,
	FP_FOREACH_RA(RESULT_STR)
#undef RESULT_STR
};

const char *
fp_ra_result_str(uint32_t r)
{
	return r < FP_RA_MAX ? result_str[r] : "?";
}

int
fp_ra_mode_flags(const char *mode, uint8_t *ra_flags, uint8_t *pfx_flags)
{
	if (strcmp(mode, "slaac") == 0) {
		*ra_flags = 0;
		*pfx_flags = FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO;
	} else if (strcmp(mode, "dhcpv6-stateless") == 0) {
		*ra_flags = FP_RA_F_OTHER;
		*pfx_flags = FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO;
	} else if (strcmp(mode, "dhcpv6-stateful") == 0) {
		*ra_flags = FP_RA_F_MANAGED;
		*pfx_flags = FP_RA_PFX_F_ONLINK;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Are the bits of a[0..16) past plen zero? */
static int
host_bits_zero(const uint8_t *a, uint32_t plen)
{
	uint32_t i;

	for (i = plen / 8; i < 16; i++) {
		uint8_t keep = i == plen / 8 ? (uint8_t)(0xff00 >> (plen % 8)) : 0;

		if (a[i] & ~keep)
			return 0;
	}
	return 1;
}

static int
check_prefix(const struct fp_ra_prefix *p, uint32_t i, char *err, uint32_t errsz)
{
	if (p->plen < 1 || p->plen > 128 || !host_bits_zero(p->prefix, p->plen))
		return fp_wire_fail(err, errsz, "ra: prefix %u: bad prefix", i);
	if (p->flags & ~(FP_RA_PFX_F_ONLINK | FP_RA_PFX_F_AUTO) || p->pad[0] || p->pad[1])
		return fp_wire_fail(err, errsz, "ra: prefix %u: unknown flags or pad", i);
	if ((p->flags & FP_RA_PFX_F_AUTO) && p->plen != 64)
		return fp_wire_fail(err, errsz, "ra: prefix %u: autoconfiguration needs a /64", i);
	if (p->preferred > p->valid)
		return fp_wire_fail(err, errsz, "ra: prefix %u: preferred lifetime above valid", i);
	return 0;
}

int
fp_ra_check(const struct fp_ra_val *c, char *err, uint32_t errsz)
{
	static const struct fp_ra_prefix none;
	uint32_t i;
	int rc;

	if ((c->mac[0] & 1) || memcmp(c->mac, zero16, 6) == 0)
		return fp_wire_fail(err, errsz, "ra: mac is not unicast");
	if (memcmp(c->src, zero16, 16) != 0 && (c->src[0] != 0xfe || (c->src[1] & 0xc0) != 0x80))
		return fp_wire_fail(err, errsz, "ra: source is not link-local");
	if (c->mtu != 0 && c->mtu < MTU_MIN)
		return fp_wire_fail(err, errsz, "ra: mtu %u below %u", c->mtu, MTU_MIN);
	if (c->flags & ~(FP_RA_F_MANAGED | FP_RA_F_OTHER))
		return fp_wire_fail(err, errsz, "ra: unknown flags 0x%x", c->flags);
	if (c->max_interval < 4 || c->max_interval > 1800)
		return fp_wire_fail(err, errsz, "ra: max_interval %u out of range 4..1800",
				    c->max_interval);
	if (c->min_interval < 3 || c->min_interval > c->max_interval * 3u / 4)
		return fp_wire_fail(err, errsz, "ra: min_interval %u out of range 3..%u",
				    c->min_interval, c->max_interval * 3u / 4);
	if (c->router_lifetime != 0 &&
	    (c->router_lifetime < c->max_interval || c->router_lifetime > LIFETIME_MAX))
		return fp_wire_fail(err, errsz, "ra: router_lifetime %u out of range 0, %u..%u",
				    c->router_lifetime, c->max_interval, LIFETIME_MAX);
	if (c->n_prefixes > FP_RA_PREFIX_MAX || c->n_dns > FP_RA_DNS_MAX || c->pad[0] ||
	    c->pad[1] || c->pad[2])
		return fp_wire_fail(err, errsz, "ra: n_prefixes %u > %u or n_dns %u > %u or pad",
				    c->n_prefixes, FP_RA_PREFIX_MAX, c->n_dns, FP_RA_DNS_MAX);
	if (c->n_dns > 0 && c->dns_lifetime < c->max_interval)
		return fp_wire_fail(err, errsz, "ra: dns_lifetime %u below max_interval %u",
				    c->dns_lifetime, c->max_interval);
	for (i = 0; i < FP_RA_DNS_MAX; i++) {
		int zero = memcmp(c->dns[i], zero16, 16) == 0;

		if (i < c->n_dns ? zero || c->dns[i][0] == 0xff : !zero)
			return fp_wire_fail(err, errsz, "ra: dns %u: %s", i,
					    i < c->n_dns ? "not a unicast address" :
							   "unused, not zero");
	}
	for (i = 0; i < FP_RA_PREFIX_MAX; i++) {
		if (i >= c->n_prefixes) {
			if (memcmp(&c->prefixes[i], &none, sizeof(none)) != 0)
				return fp_wire_fail(err, errsz, "ra: unused prefix %u not zero", i);
			continue;
		}
		rc = check_prefix(&c->prefixes[i], i, err, errsz);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Write the RA of cfg to dst_ip at dst_mac into out; its length. */
static uint32_t
build(const struct fp_ra_val *cfg, const uint8_t dst_ip[16], const uint8_t dst_mac[6], uint8_t *out)
{
	uint8_t *ip = out + ETH_HLEN, *icmp = ip + IP6_HLEN, *o = icmp + RA_HLEN;
	uint32_t i, len;

	memset(out, 0, FP_RA_REPLY_MAX);
	/* RA header (RFC 4861 4.2) */
	icmp[0] = FP_ICMP6_RA;
	icmp[4] = CUR_HOP_LIMIT;
	icmp[5] = cfg->flags;
	fp_wire_put16(icmp + 6, cfg->router_lifetime);
	/* reachable time, retrans timer: 0, unspecified */
	o[0] = O_SLLA;
	o[1] = 1;
	memcpy(o + 2, cfg->mac, 6);
	o += 8;
	if (cfg->mtu != 0) {
		o[0] = O_MTU;
		o[1] = 1;
		fp_wire_put32(o + 4, cfg->mtu);
		o += 8;
	}
	for (i = 0; i < cfg->n_prefixes; i++) {
		const struct fp_ra_prefix *p = &cfg->prefixes[i];

		o[0] = O_PREFIX;
		o[1] = 4;
		o[2] = p->plen;
		o[3] = p->flags;
		fp_wire_put32(o + 4, p->valid);
		fp_wire_put32(o + 8, p->preferred);
		memcpy(o + 16, p->prefix, 16);
		o += 32;
	}
	if (cfg->n_dns > 0) {
		o[0] = O_RDNSS;
		o[1] = (uint8_t)(1 + 2 * cfg->n_dns);
		fp_wire_put32(o + 4, cfg->dns_lifetime);
		memcpy(o + 8, cfg->dns, 16u * cfg->n_dns);
		o += 8 + 16u * cfg->n_dns;
	}
	len = (uint32_t)(o - icmp);
	/* IPv6 */
	ip[0] = 0x60;
	fp_wire_put16(ip + 4, len);
	ip[6] = FP_IPPROTO_ICMPV6;
	ip[7] = 255;
	if (memcmp(cfg->src, zero16, 16) != 0)
		memcpy(ip + 8, cfg->src, 16);
	else
		fp_addr_link_local(cfg->mac, ip + 8);
	memcpy(ip + 24, dst_ip, 16);
	fp_wire_put16(icmp + 2, fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, icmp, len));
	/* Ethernet */
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, cfg->mac, 6);
	fp_wire_put16(out + 12, FP_ETH_P_IPV6);
	return ETH_HLEN + IP6_HLEN + len;
}

int
fp_ra_build(const struct fp_ra_val *cfg, uint8_t *out, uint32_t out_size, uint32_t *out_len)
{
	*out_len = 0;
	if (out_size < FP_RA_REPLY_MAX || fp_ra_check(cfg, NULL, 0) != 0)
		return -EINVAL;
	*out_len = build(cfg, all_nodes, all_nodes_mac, out);
	return 0;
}

uint32_t
fp_ra_next_ms(const struct fp_ra_val *cfg, uint32_t n_sent, uint32_t rnd)
{
	uint32_t ms = cfg->min_interval * 1000u +
		      rnd % ((cfg->max_interval - cfg->min_interval) * 1000u + 1);

	if (n_sent < INITIAL_ADVERTS && ms > INITIAL_INTERVAL_MS)
		ms = INITIAL_INTERVAL_MS;
	return ms;
}

/* Is f[0..len) a valid RS (RFC 4861 6.1.1) to cfg's router?  FP_RA_MAX
 * when it is.
 */
static uint32_t
parse(const struct fp_ra_val *cfg, const uint8_t *f, uint32_t len)
{
	const uint8_t *ip, *icmp;
	uint8_t ll[16];
	uint32_t plen, off, slla = 0;

	if (len < ETH_HLEN + IP6_HLEN + ICMP_HLEN || fp_wire_get16(f + 12) != FP_ETH_P_IPV6)
		return FP_RA_NOT_RS;
	ip = f + ETH_HLEN;
	icmp = ip + IP6_HLEN;
	if ((ip[0] >> 4) != 6 || ip[6] != FP_IPPROTO_ICMPV6 || icmp[0] != FP_ICMP6_RS)
		return FP_RA_NOT_RS;
	plen = fp_wire_get16(ip + 4);
	if (plen < ICMP_HLEN || plen > len - ETH_HLEN - IP6_HLEN || icmp[1] != 0)
		return FP_RA_MALFORMED;
	if (ip[7] != 255)
		return FP_RA_BAD_HOP_LIMIT;
	if (fp_csum_l4_v6(ip + 8, ip + 24, FP_IPPROTO_ICMPV6, icmp, plen) != 0)
		return FP_RA_BAD_CSUM;
	if (ip[8] == 0xff || (f[6] & 1)) /* a multicast source */
		return FP_RA_MALFORMED;
	if (memcmp(cfg->src, zero16, 16) != 0)
		memcpy(ll, cfg->src, 16);
	else
		fp_addr_link_local(cfg->mac, ll);
	if (memcmp(ip + 24, all_routers, 16) != 0 && memcmp(ip + 24, ll, 16) != 0)
		return FP_RA_OTHER_DST;
	for (off = ICMP_HLEN; off < plen;) {
		uint32_t olen;

		if (off + 2 > plen)
			return FP_RA_MALFORMED;
		olen = icmp[off + 1] * 8u;
		if (olen == 0 || off + olen > plen)
			return FP_RA_MALFORMED;
		if (icmp[off] == O_SLLA)
			slla = 1;
		off += olen;
	}
	if (slla && memcmp(ip + 8, zero16, 16) == 0)
		return FP_RA_MALFORMED;
	return FP_RA_MAX;
}

uint32_t
fp_ra_answer(const struct fp_ra_val *cfg, const uint8_t *in, uint32_t in_len, uint8_t *out,
	     uint32_t out_size, uint32_t *out_len)
{
	const uint8_t *src;
	uint32_t r;

	*out_len = 0;
	if (out_size < FP_RA_REPLY_MAX || fp_ra_check(cfg, NULL, 0) != 0)
		return FP_RA_BAD_ENTRY;
	r = parse(cfg, in, in_len);
	if (r != FP_RA_MAX)
		return r;
	src = in + ETH_HLEN + 8;
	if (memcmp(src, zero16, 16) == 0)
		*out_len = build(cfg, all_nodes, all_nodes_mac, out);
	else
		*out_len = build(cfg, src, in + 6, out);
	return FP_RA_ADVERTISE;
}
