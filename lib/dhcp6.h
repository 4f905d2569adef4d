/* SPDX-License-Identifier: BSD-3-Clause */
/* The DHCPv6 server of a VM port (RFC 8415, 3646), answered from a table
 * entry (struct fp_dhcp6_val) as OVN's controller does: no lease
 * database, the port's one address is the only answer.  A pure function
 * over byte ranges, shared by fp-dpdk's slow path and fp-xdp's, and
 * fuzzed without either.
 *
 * Requests: Ethernet from the port's MAC, IPv6 from a link-local address
 * to ff02::1:2 (or the server's link-local address), UDP to 547 with a
 * valid checksum, no extension header.  Every message but
 * Information-request needs a Client Identifier; Request, Renew, Release
 * and Decline need the Server Identifier, and it must be ours; Solicit,
 * Confirm and Rebind must not carry one; an Information-request may, then
 * ours, and must not carry an IA.
 *
 * Answers (the entry has an address: dhcpv6-stateful):
 *   Solicit -> Advertise, or Reply when it asks for Rapid Commit;
 *   Request, Renew, Rebind -> Reply;
 *   Confirm -> Reply, Success when every address it names is the port's,
 *     else NotOnLink; none named: nothing (RFC 8415 18.3.3);
 *   Release, Decline -> Reply, Success;
 *   Information-request -> Reply (also when the entry has no address:
 *     dhcpv6-stateless; every other message then gets nothing).
 * Relay-forward and server messages get nothing.
 *
 * Reply: from the server's link-local address (EUI-64 of server_mac) and
 * MAC to the client's, UDP 547 -> 546; the transaction id echoed;
 * options Server Identifier (DUID-LL of server_mac), the Client
 * Identifier echoed, for Solicit/Request/Renew/Rebind the client's first
 * IA_NA with the port's address (T1 = preferred / 2, T2 = preferred * 4 /
 * 5), addresses it named that are not the port's with zero lifetimes
 * (Renew, Rebind), its next IA_NAs (up to FP_DHCP6_IA_MAX in all) with
 * status NoAddrsAvail (Solicit, Request) or NoBinding (Renew, Rebind);
 * Status Code; Rapid Commit; DNS servers (option 23).
 */
#ifndef FP_DHCP6_H
#define FP_DHCP6_H

#include <stdint.h>

#include <flowplane/tables.h>

#define FP_DHCP6_CLIENT_PORT 546
#define FP_DHCP6_SERVER_PORT 547
#define FP_DHCP6_REPLY_MAX 640 /* out_size fp_dhcp6_answer() needs */
#define FP_DHCP6_IA_MAX 4      /* IA_NAs answered */
#define FP_DHCP6_IAADDR_MAX 4  /* addresses of an IA_NA answered with zero lifetimes */

/* Message types (RFC 8415 7.3) */
#define FP_DHCP6_SOLICIT 1
#define FP_DHCP6_ADVERTISE_MSG 2
#define FP_DHCP6_REQUEST 3
#define FP_DHCP6_CONFIRM 4
#define FP_DHCP6_RENEW 5
#define FP_DHCP6_REBIND 6
#define FP_DHCP6_REPLY_MSG 7
#define FP_DHCP6_RELEASE 8
#define FP_DHCP6_DECLINE 9
#define FP_DHCP6_RECONFIGURE 10
#define FP_DHCP6_INFO_REQUEST 11
#define FP_DHCP6_RELAY_FORW 12
#define FP_DHCP6_RELAY_REPL 13

/* Options (RFC 8415 21, 3646) */
#define FP_DHCP6_O_CLIENTID 1
#define FP_DHCP6_O_SERVERID 2
#define FP_DHCP6_O_IA_NA 3
#define FP_DHCP6_O_IA_TA 4
#define FP_DHCP6_O_IAADDR 5
#define FP_DHCP6_O_STATUS 13
#define FP_DHCP6_O_RAPID_COMMIT 14
#define FP_DHCP6_O_DNS 23
#define FP_DHCP6_O_IA_PD 25

/* Status codes (RFC 8415 21.13) */
#define FP_DHCP6_ST_SUCCESS 0
#define FP_DHCP6_ST_NO_ADDRS_AVAIL 2
#define FP_DHCP6_ST_NO_BINDING 3
#define FP_DHCP6_ST_NOT_ON_LINK 4

/* What fp_dhcp6_answer() made of a frame: FP_DHCP6_<ID>, "name". */
#define FP_FOREACH_DHCP6(_)                                                      \
	_(ADVERTISE, "advertise")	/* a reply */                            \
	_(REPLY, "reply")		/* a reply */                            \
	_(NOT_DHCP, "not_dhcp")		/* not IPv6 UDP to 547 at a server */    \
	_(MALFORMED, "malformed")	/* bad lengths, source or options */     \
	_(BAD_CSUM, "bad_csum")		/* UDP checksum wrong or zero */         \
	_(RELAYED, "relayed")		/* Relay-forward: not from a local VM */ \
	_(WRONG_CLIENT, "wrong_client") /* Ethernet source not the port's */     \
	_(NO_CLIENT_ID, "no_client_id") /* Client Identifier missing */          \
	_(OTHER_SERVER, "other_server") /* Server Identifier not ours, missing   \
					   or where none belongs */              \
	_(STATELESS, "stateless")	/* asks for addresses; entry has none */ \
	_(NO_REPLY, "no_reply")		/* server messages, unknown types,       \
					   Confirm naming no address */          \
	_(BAD_ENTRY, "bad_entry")	/* the table entry is not valid */

#define FP_DHCP6_ENUM(id, name) FP_DHCP6_##id,
enum fp_dhcp6_result { FP_FOREACH_DHCP6(FP_DHCP6_ENUM) FP_DHCP6_MAX };
#undef FP_DHCP6_ENUM

/** The name of a result ("advertise", ...), "?" out of range. */
const char *fp_dhcp6_result_str(uint32_t r);

/**
 * Answer the frame in[0..in_len) (Ethernet, IPv6, UDP, DHCPv6; no VLAN
 * tag) a VM port sent, for the port's entry cfg.
 *
 * @param cfg	  the port's DHCPv6 entry
 * @param out	  the reply frame, at least FP_DHCP6_REPLY_MAX bytes
 * @param out_len set to the reply's length, 0 when there is none
 * @return FP_DHCP6_*: ADVERTISE and REPLY come with a reply
 */
uint32_t fp_dhcp6_answer(const struct fp_dhcp6_val *cfg, const uint8_t *in, uint32_t in_len,
			 uint8_t *out, uint32_t out_size, uint32_t *out_len);

/**
 * Check an entry: both MACs unicast; the address zero (stateless, then
 * both lifetimes zero) or a unicast address that is not link-local, with
 * 0 < preferred <= valid; DNS servers unicast; counts within the array,
 * unused slots and pad zero.
 *
 * @return 0, or -EINVAL with err naming the field
 */
int fp_dhcp6_check(const struct fp_dhcp6_val *cfg, char *err, uint32_t errsz);

#endif /* FP_DHCP6_H */
