/* SPDX-License-Identifier: BSD-3-Clause */
/* The DHCPv4 server of a VM port (RFC 2131, 2132, 3442), answered from a
 * table entry (struct fp_dhcp_val) as OVN's controller does: no lease
 * database, the port's one address is the only answer.  A pure function
 * over byte ranges, shared by fp-dpdk's slow path and fp-xdp's, and
 * fuzzed without either.
 *
 * Answers: DISCOVER -> OFFER; REQUEST -> ACK, or NAK when it asks for
 * another address (RFC 2131 4.3.2: selecting, init-reboot, renewing and
 * rebinding), nothing when it selects another server; INFORM -> ACK
 * without lease; DECLINE, RELEASE -> nothing.  Relayed messages (giaddr
 * set) and clients whose chaddr is not the port's MAC get nothing.
 *
 * Reply: from the entry's server address and the given MAC, UDP 67 -> 68,
 * to ciaddr when the client has one, else to 255.255.255.255 when the
 * client asked for broadcast (and for every NAK), else to the offered
 * address at the client's MAC.  Options: 53, 54, 51/58/59 (lease, T1 =
 * lease / 2, T2 = lease * 7 / 8), 1, 3, 6, 26, 121 (with the default route
 * first when the entry has a router, as RFC 3442 asks), padded to the
 * 300-byte BOOTP minimum.
 */
#ifndef FP_DHCP4_H
#define FP_DHCP4_H

#include <stdint.h>

#include <flowplane/tables.h>

#define FP_DHCP4_SERVER_PORT 67
#define FP_DHCP4_CLIENT_PORT 68
#define FP_DHCP4_REPLY_MAX 600 /* out_size fp_dhcp4_answer() needs */

/* Message types (option 53, RFC 2132 9.6) */
#define FP_DHCP4_DISCOVER 1
#define FP_DHCP4_OFFER_MSG 2
#define FP_DHCP4_REQUEST 3
#define FP_DHCP4_DECLINE 4
#define FP_DHCP4_ACK_MSG 5
#define FP_DHCP4_NAK_MSG 6
#define FP_DHCP4_RELEASE 7
#define FP_DHCP4_INFORM 8

/* What fp_dhcp4_answer() made of a frame: FP_DHCP4_<ID>, "name". */
#define FP_FOREACH_DHCP4(_)                                                    \
	_(OFFER, "offer")		/* a reply */                          \
	_(ACK, "ack")			/* a reply */                          \
	_(NAK, "nak")			/* a reply */                          \
	_(NOT_DHCP, "not_dhcp")		/* not IPv4 UDP to port 67 */          \
	_(MALFORMED, "malformed")	/* bad lengths, header or options */   \
	_(RELAYED, "relayed")		/* giaddr set: not from a local VM */  \
	_(WRONG_CLIENT, "wrong_client") /* chaddr is not the port's MAC */     \
	_(OTHER_SERVER, "other_server") /* REQUEST selecting another server */ \
	_(NO_REPLY, "no_reply")		/* DECLINE, RELEASE, unknown type */   \
	_(BAD_ENTRY, "bad_entry")	/* the table entry is not valid */

#define FP_DHCP4_ENUM(id, name) FP_DHCP4_##id,
enum fp_dhcp4_result { FP_FOREACH_DHCP4(FP_DHCP4_ENUM) FP_DHCP4_MAX };
#undef FP_DHCP4_ENUM

/** The name of a result ("offer", ...), "?" out of range. */
const char *fp_dhcp4_result_str(uint32_t r);

/**
 * Answer the frame in[0..in_len) (Ethernet, IPv4, UDP, BOOTP; no VLAN
 * tag) a VM port sent, for the port's entry cfg.
 *
 * @param cfg	     the port's DHCP entry
 * @param server_mac source MAC of the reply (the router's on the network)
 * @param out	     the reply frame, at least FP_DHCP4_REPLY_MAX bytes
 * @param out_len    set to the reply's length, 0 when there is none
 * @return FP_DHCP4_*: OFFER, ACK and NAK come with a reply
 */
uint32_t fp_dhcp4_answer(const struct fp_dhcp_val *cfg, const uint8_t server_mac[6],
			 const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_size,
			 uint32_t *out_len);

/**
 * Check an entry: plen 1..32, lease 120 s .. 2^31 s, counts within their
 * arrays and unused slots zero, routes' host bits zero, an address and a
 * server address set and in the same subnet as each other.
 *
 * @return 0, or -EINVAL with err naming the field
 */
int fp_dhcp4_check(const struct fp_dhcp_val *cfg, char *err, uint32_t errsz);

#endif /* FP_DHCP4_H */
