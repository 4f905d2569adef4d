/* SPDX-License-Identifier: BSD-3-Clause */
/* Addresses as the programs read and print them: MAC addresses
 * ("aa:bb:cc:dd:ee:ff"), IP addresses as struct fp_ip (IPv4 mapped into
 * ::ffff:0:0/96, as in every ABI struct) and prefixes (an IPv4 /n is
 * stored as /96+n).  Pure functions over caller memory: no allocation, no
 * state, safe from any thread.
 */
#ifndef FP_LIB_ADDR_H
#define FP_LIB_ADDR_H

#include <stdint.h>

#include <flowplane/tables.h>

#define FP_ADDR_MAC_STR 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define FP_ADDR_IP_STR 46  /* INET6_ADDRSTRLEN */

/* fp_addr_mac_parse() flags */
#define FP_ADDR_MAC_SHORT 0x1 /* a byte may be one hex digit ("2:0:0:0:0:1") */

/* fp_addr_prefix_parse() flags */
#define FP_ADDR_PREFIX 0x1    /* "/len" allowed; without it the address is a /128 */
#define FP_ADDR_HOST_ZERO 0x2 /* host bits must be zero */
#define FP_ADDR_HOST_MASK 0x4 /* host bits are cleared */

/**
 * The value of one hex digit.
 *
 * @param ch a character
 * @return 0..15, or -1 when ch is not a hex digit
 */
int fp_addr_hex_digit(char ch);

/**
 * Parse a MAC address of six ':'-separated bytes of two hex digits.
 *
 * @param s     the text
 * @param mac   written on success only
 * @param flags FP_ADDR_MAC_SHORT or 0
 * @return 0, or -EINVAL (NULL or not a MAC address)
 */
int fp_addr_mac_parse(const char *s, uint8_t mac[6], unsigned int flags);

/**
 * Print a MAC address as "aa:bb:cc:dd:ee:ff".
 *
 * @param mac the address
 * @param buf FP_ADDR_MAC_STR bytes
 * @return buf
 */
const char *fp_addr_mac_str(const uint8_t mac[6], char buf[FP_ADDR_MAC_STR]);

/** @return 1 if mac is 00:00:00:00:00:00, else 0 */
int fp_addr_mac_is_zero(const uint8_t mac[6]);

/** @return 1 if mac is neither multicast (nor broadcast) nor zero, else 0 */
int fp_addr_mac_is_unicast(const uint8_t mac[6]);

/**
 * Parse an IPv4 or IPv6 address (no prefix, no zone).
 *
 * @param s  the text
 * @param ip filled (IPv4 mapped); zeroed on failure
 * @return AF_INET or AF_INET6 (how it was written), or -EINVAL
 */
int fp_addr_ip_parse(const char *s, struct fp_ip *ip);

/**
 * Print an address: dotted quad for a mapped IPv4 address, else IPv6.
 *
 * @param ip  the address
 * @param buf FP_ADDR_IP_STR bytes
 * @return buf
 */
const char *fp_addr_ip_str(const struct fp_ip *ip, char buf[FP_ADDR_IP_STR]);

/**
 * Set ip to an IPv4 address (mapped).
 *
 * @param ip the address
 * @param a  the IPv4 address in host order (0x0a000001 is 10.0.0.1)
 */
void fp_addr_ip_set_v4(struct fp_ip *ip, uint32_t a);

/**
 * Set ip to the address in b: 4 bytes (IPv4, mapped) or 16 (IPv6), network
 * order, as the slow path's entries hold them (struct fp_dhcp_val, ...).
 */
void fp_addr_ip_set_bytes(struct fp_ip *ip, const uint8_t *b, uint32_t len);

/** @return 1 if ip is an IPv4 address (in ::ffff:0:0/96), else 0 (also for NULL) */
int fp_addr_ip_is_v4(const struct fp_ip *ip);

/** @return 1 if all 16 bytes of ip are zero, else 0 */
int fp_addr_ip_is_zero(const struct fp_ip *ip);

/** @return 1 if ip is multicast (224.0.0.0/4 or ff00::/8), else 0 */
int fp_addr_ip_is_multicast(const struct fp_ip *ip);

/** @return 1 if ip is 0.0.0.0 or :: (the unspecified address of its family), else 0 */
int fp_addr_ip_is_unspecified(const struct fp_ip *ip);

/**
 * Why ip cannot be a tunnel endpoint (a VTEP address).
 *
 * @param ip the address
 * @return NULL if it can, else the reason ("a multicast address",
 *         "the broadcast address", "a loopback address", ...)
 */
const char *fp_addr_ip_why_not_vtep(const struct fp_ip *ip);

/**
 * Clear the host bits of ip beyond plen (IPv6 bits).
 *
 * @param ip   the address
 * @param plen 0..128
 */
void fp_addr_prefix_mask(struct fp_ip *ip, uint8_t plen);

/** ll = fe80::/64 with the modified EUI-64 interface id of mac (RFC 4291
 *  2.5.1, appendix A): a router's or a port's IPv6 link-local address.
 */
void fp_addr_link_local(const uint8_t mac[6], uint8_t ll[16]);

/** @return 1 if ip is in pfx/plen (IPv6 bits), else 0 */
int fp_addr_prefix_contains(const struct fp_ip *pfx, uint8_t plen, const struct fp_ip *ip);

/**
 * Parse "ADDRESS" or "ADDRESS/LEN".
 *
 * @param s      the text
 * @param ip     filled (IPv4 mapped)
 * @param plen   the prefix length in IPv6 bits (IPv4 /n: 96 + n; 128 without "/");
 *               may be NULL without FP_ADDR_PREFIX
 * @param flags  FP_ADDR_PREFIX, FP_ADDR_HOST_ZERO, FP_ADDR_HOST_MASK
 * @param family AF_INET or AF_INET6 by how the address was written; may be NULL
 * @return 0, -EINVAL (not an address), -EPERM ("/len" without FP_ADDR_PREFIX),
 *         -ERANGE ("/len" malformed or too long for the family), -EDOM (host
 *         bits set with FP_ADDR_HOST_ZERO)
 */
int fp_addr_prefix_parse(const char *s, struct fp_ip *ip, uint8_t *plen, unsigned int flags,
			 int *family);

#endif /* FP_LIB_ADDR_H */
