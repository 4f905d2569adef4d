/* SPDX-License-Identifier: BSD-3-Clause */
/* Router advertisements of a network's router interface (RFC 4861 4.2,
 * 6.2, 8106), answered from a table entry (struct fp_ra_val) as OVN's
 * controller does and as Neutron's radvd is configured: a pure function
 * over byte ranges, shared by fp-dpdk's slow path and fp-xdp's, and
 * fuzzed without either.
 *
 * Answers: a router solicitation (RFC 4861 6.1.1: hop limit 255, ICMPv6
 * checksum valid, code 0, ICMP length >= 8, every option's length > 0, no
 * source link-layer option from the unspecified address) to ff02::2 or to
 * the router's link-local address gets a solicited RA, unicast to the
 * solicitor (its address and MAC), or to ff02::1 (33:33:00:00:00:01) when
 * it came from ::.  fp_ra_build() makes the unsolicited RA a periodic
 * sender multicasts to ff02::1 every min_interval..max_interval seconds.
 *
 * The RA: from the entry's link-local source (EUI-64 of the router MAC
 * when zero) and the router MAC, hop limit 255, cur hop limit 64, flags
 * M/O, router lifetime, reachable and retrans 0; options SLLA (the router
 * MAC), MTU (when set), a prefix information option per prefix (L, A,
 * lifetimes) and RDNSS (when there are DNS servers).
 *
 * Neutron's modes (ipv6_ra_mode; the RA is ours only when the subnet has
 * one, and the router interface): slaac: A, M=O=0; dhcpv6-stateless:
 * A, O; dhcpv6-stateful: M, no A; fp_ra_mode_flags() maps them.
 */
#ifndef FP_RA_H
#define FP_RA_H

#include <stdint.h>

#include <flowplane/tables.h>

#define FP_ICMP6_RS 133
#define FP_ICMP6_RA 134
#define FP_RA_REPLY_MAX 512 /* out_size fp_ra_answer() and fp_ra_build() need */

/* What fp_ra_answer() made of a frame: FP_RA_<ID>, "name". */
#define FP_FOREACH_RA(_)                                                        \
	_(ADVERTISE, "advertise")	  /* a reply */                         \
	_(NOT_RS, "not_rs")		  /* not an IPv6 ICMPv6 solicitation */ \
	_(MALFORMED, "malformed")	  /* bad lengths, code or options */    \
	_(BAD_HOP_LIMIT, "bad_hop_limit") /* hop limit not 255 */               \
	_(BAD_CSUM, "bad_csum")		  /* ICMPv6 checksum wrong */           \
	_(OTHER_DST, "other_dst")	  /* to another router's address */     \
	_(BAD_ENTRY, "bad_entry")	  /* the table entry is not valid */

#define FP_RA_ENUM(id, name) FP_RA_##id,
enum fp_ra_result { FP_FOREACH_RA(FP_RA_ENUM) FP_RA_MAX };
#undef FP_RA_ENUM

/** The name of a result ("advertise", ...), "?" out of range. */
const char *fp_ra_result_str(uint32_t r);

/**
 * The RA flags and prefix flags of a Neutron ipv6_ra_mode (or
 * ipv6_address_mode): "slaac", "dhcpv6-stateless", "dhcpv6-stateful".
 *
 * @param mode	    the mode's name
 * @param ra_flags  set to FP_RA_F_* of the RA header
 * @param pfx_flags set to FP_RA_PFX_F_* of the subnet's prefix
 * @return 0, or -EINVAL for another name
 */
int fp_ra_mode_flags(const char *mode, uint8_t *ra_flags, uint8_t *pfx_flags);

/**
 * Answer the frame in[0..in_len) (Ethernet, IPv6, ICMPv6 with no
 * extension header; no VLAN tag) a VM port sent on the entry's network.
 *
 * @param cfg	  the network's RA entry
 * @param out	  the reply frame, at least FP_RA_REPLY_MAX bytes
 * @param out_len set to the reply's length, 0 when there is none
 * @return FP_RA_*: ADVERTISE comes with a reply
 */
uint32_t fp_ra_answer(const struct fp_ra_val *cfg, const uint8_t *in, uint32_t in_len, uint8_t *out,
		      uint32_t out_size, uint32_t *out_len);

/**
 * Build the unsolicited RA of an entry, to ff02::1.
 *
 * @param cfg	  the network's RA entry
 * @param out	  the frame, at least FP_RA_REPLY_MAX bytes
 * @param out_len set to its length
 * @return 0, or -EINVAL when the entry is not valid or out too small
 */
int fp_ra_build(const struct fp_ra_val *cfg, uint8_t *out, uint32_t out_size, uint32_t *out_len);

/**
 * When a periodic sender sends its next unsolicited RA (RFC 4861
 * 6.2.4): uniformly in min_interval..max_interval seconds, and at most
 * 16 s after each of the first 3.
 *
 * @param cfg	 the network's RA entry (checked)
 * @param n_sent unsolicited RAs sent so far on the network
 * @param rnd	 a random number
 * @return milliseconds until the next RA
 */
uint32_t fp_ra_next_ms(const struct fp_ra_val *cfg, uint32_t n_sent, uint32_t rnd);

/**
 * Check an entry: the router MAC unicast; a given source link-local
 * (fe80::/10); mtu 0 or >= 1280; flags only M and O; max_interval
 * 4..1800, min_interval 3..max * 3 / 4; router lifetime 0 or
 * max_interval..9000; prefixes with plen 1..128, host bits zero, only L
 * and A flags, A only on a /64, preferred <= valid; dns_lifetime >=
 * max_interval when there are DNS servers; counts within their arrays,
 * unused slots and pads zero.
 *
 * @return 0, or -EINVAL with err naming the field
 */
int fp_ra_check(const struct fp_ra_val *cfg, char *err, uint32_t errsz);

#endif /* FP_RA_H */
