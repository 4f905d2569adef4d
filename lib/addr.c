/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
fp_addr_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
fp_addr_mac_parse(const char *s, uint8_t mac[6], unsigned int flags)
{
	uint8_t tmp[6];
	int i;

	if (s == NULL || mac == NULL)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = fp_addr_hex_digit(*s), lo;

		if (hi < 0)
			return -EINVAL;
		s++;
		lo = fp_addr_hex_digit(*s);
		if (lo >= 0) {
			tmp[i] = (uint8_t)(hi << 4 | lo);
			s++;
		} else if (flags & FP_ADDR_MAC_SHORT) {
			tmp[i] = (uint8_t)hi;
		} else {
			return -EINVAL;
		}
		if (*s != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		if (i < 5)
			s++;
	}
	memcpy(mac, tmp, sizeof(tmp));
	return 0;
}

const char *
fp_addr_mac_str(const uint8_t mac[6], char buf[FP_ADDR_MAC_STR])
{
	snprintf(buf, FP_ADDR_MAC_STR, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

int
fp_addr_mac_is_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, sizeof(zero)) == 0;
}

int
fp_addr_mac_is_unicast(const uint8_t mac[6])
{
	return !(mac[0] & 1) && !fp_addr_mac_is_zero(mac);
}

int
fp_addr_ip_parse(const char *s, struct fp_ip *ip)
{
	if (ip == NULL)
		return -EINVAL;
	memset(ip, 0, sizeof(*ip));
	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &ip->b[12]) == 1) {
		memcpy(ip->b, v4_mapped, sizeof(v4_mapped));
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, ip->b) == 1)
		return AF_INET6;
	memset(ip, 0, sizeof(*ip));
	return -EINVAL;
}

const char *
fp_addr_ip_str(const struct fp_ip *ip, char buf[FP_ADDR_IP_STR])
{
	if (fp_addr_ip_is_v4(ip))
		inet_ntop(AF_INET, &ip->b[12], buf, FP_ADDR_IP_STR);
	else
		inet_ntop(AF_INET6, ip->b, buf, FP_ADDR_IP_STR);
	return buf;
}

void
fp_addr_ip_set_v4(struct fp_ip *ip, uint32_t a)
{
	memcpy(ip->b, v4_mapped, sizeof(v4_mapped));
	ip->b[12] = (uint8_t)(a >> 24);
	ip->b[13] = (uint8_t)(a >> 16);
	ip->b[14] = (uint8_t)(a >> 8);
	ip->b[15] = (uint8_t)a;
}

void
fp_addr_ip_set_bytes(struct fp_ip *ip, const uint8_t *b, uint32_t len)
{
	if (len == 4) {
		memcpy(ip->b, v4_mapped, sizeof(v4_mapped));
		memcpy(ip->b + 12, b, 4);
	} else {
		memcpy(ip->b, b, 16);
	}
}

int
fp_addr_ip_is_v4(const struct fp_ip *ip)
{
	return ip != NULL && memcmp(ip->b, v4_mapped, sizeof(v4_mapped)) == 0;
}

int
fp_addr_ip_is_zero(const struct fp_ip *ip)
{
	static const struct fp_ip zero;

	return memcmp(ip, &zero, sizeof(zero)) == 0;
}

int
fp_addr_ip_is_multicast(const struct fp_ip *ip)
{
	return fp_addr_ip_is_v4(ip) ? (ip->b[12] & 0xf0) == 0xe0 : ip->b[0] == 0xff;
}

int
fp_addr_ip_is_unspecified(const struct fp_ip *ip)
{
	static const struct fp_ip zero;
	size_t from = fp_addr_ip_is_v4(ip) ? 12 : 0;

	return memcmp(&ip->b[from], &zero.b[from], 16 - from) == 0;
}

const char *
fp_addr_ip_why_not_vtep(const struct fp_ip *ip)
{
	static const uint8_t zero[16];
	const uint8_t *b = ip->b;

	if (fp_addr_ip_is_v4(ip)) {
		if (b[12] >= 224 && b[12] <= 239)
			return "a multicast address";
		if (b[12] == 255 && b[13] == 255 && b[14] == 255 && b[15] == 255)
			return "the broadcast address";
		if (b[12] >= 240)
			return "a reserved (class E) address";
		if (b[12] == 0)
			return "in 0.0.0.0/8 (this network)";
		if (b[12] == 127)
			return "a loopback address";
		return NULL;
	}
	if (b[0] == 0xff)
		return "a multicast address";
	if (memcmp(b, zero, 16) == 0)
		return "the unspecified address";
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return "the loopback address";
	return NULL;
}

void
fp_addr_prefix_mask(struct fp_ip *ip, uint8_t plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int bits = i * 8 >= plen ? 0 : plen - i * 8;

		if (bits < 8)
			ip->b[i] &= (uint8_t)(0xff00 >> bits);
	}
}

int
fp_addr_prefix_contains(const struct fp_ip *pfx, uint8_t plen, const struct fp_ip *ip)
{
	struct fp_ip a = *ip;

	fp_addr_prefix_mask(&a, plen);
	return memcmp(a.b, pfx->b, sizeof(a.b)) == 0;
}

int
fp_addr_prefix_parse(const char *s, struct fp_ip *ip, uint8_t *plen, unsigned int flags,
		     int *family)
{
	char buf[FP_ADDR_IP_STR];
	const char *slash;
	unsigned int len = 128, max = 128, v = 0;
	size_t alen;
	int fam;

	if (s == NULL || ip == NULL || ((flags & FP_ADDR_PREFIX) && plen == NULL))
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	fam = fp_addr_ip_parse(buf, ip);
	if (fam < 0)
		return -EINVAL;
	if (fam == AF_INET)
		max = 32;
	if (slash != NULL) {
		const char *p = slash + 1;
		size_t n = strlen(p), i;

		if (!(flags & FP_ADDR_PREFIX))
			return -EPERM;
		if (n == 0 || n > 3)
			return -ERANGE;
		for (i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -ERANGE;
			v = v * 10 + (unsigned int)(p[i] - '0');
		}
		if (v > max)
			return -ERANGE;
		len = fam == AF_INET ? 96 + v : v;
		if (flags & FP_ADDR_HOST_ZERO) {
			struct fp_ip z = *ip;

			fp_addr_prefix_mask(&z, (uint8_t)len);
			if (memcmp(z.b, ip->b, sizeof(z.b)) != 0)
				return -EDOM;
		} else if (flags & FP_ADDR_HOST_MASK) {
			fp_addr_prefix_mask(ip, (uint8_t)len);
		}
	}
	if (plen != NULL)
		*plen = (uint8_t)len;
	if (family != NULL)
		*family = fam;
	return 0;
}

void
fp_addr_link_local(const uint8_t mac[6], uint8_t ll[16])
{
	memset(ll, 0, 16);
	ll[0] = 0xfe;
	ll[1] = 0x80;
	ll[8] = mac[0] ^ 0x02;
	ll[9] = mac[1];
	ll[10] = mac[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = mac[3];
	ll[14] = mac[4];
	ll[15] = mac[5];
}
