/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane table ABI.
 *
 * Every table's id, key struct and value struct, the limits, and the
 * counter and drop-reason ids.  This header is shared by dataplane/ (DPDK),
 * bpf/ (clang -target bpf) and control/: the same struct is the rte_hash key
 * in fp-dpdk, the BPF map key in the XDP fallback and the payload of a
 * control socket SET message.
 *
 * Rules: fixed-width types only, no pointers, no bool, no bitfields, no
 * enum-typed fields; explicit pad members that writers always zero;
 * _Static_assert on every size.  Any layout change bumps FP_ABI_VERSION and
 * the FP_ABI_LAYOUT_SUM below (the asserts fail until both are updated).
 *
 * Addresses: struct fp_ip holds an IPv6 address or an IPv4 address mapped
 * into IPv6 (::ffff:a.b.c.d, RFC 4291 2.5.5.2), in network byte order.
 */
#ifndef FLOWPLANE_TABLES_H
#define FLOWPLANE_TABLES_H

#include <linux/types.h>

#define FP_ABI_VERSION 6

/* Limits that shape the ABI structs. */
#define FP_PORT_MAX 64	       /* logical ports per dataplane */
#define FP_PORT_ADDR_MAX 8     /* source addresses a VM port may use */
#define FP_FLOOD_MEMBER_MAX 64 /* members of one VNI's flood list */
#define FP_VNI_MAX 0xffffffU   /* VNIs are 24 bits */
#define FP_NAME_SIZE 32	       /* port and host names, NUL included */
#define FP_SG_RULE_MAX 64      /* rules of one ruleset (one port's groups, one direction) */

/* Network ids.  Tables key L2 by a 32-bit network id (the fields named
 * vni): a VXLAN/Geneve network's VNI, or FP_NET_PROVIDER | n for a
 * provider (VLAN/flat) network, which no VNI can be and which never goes
 * on the wire (doc/routing.md "Network ids").
 */
#define FP_NET_PROVIDER 0x01000000U
#define FP_NET_PROVIDER_MAX 0x00ffffffU /* n of FP_NET_PROVIDER | n */
#define FP_VLAN_MAX 4094		/* 802.1Q VLAN ids 1..4094; 0: untagged */

/* Tables: FP_TABLE_<ID>, "name", and the stem of their key and value
 * structs (struct fp_<stem>_key, struct fp_<stem>_val).
 */
#define FP_FOREACH_TABLE(_)            \
	_(PORT, "port", port)          \
	_(VTEP, "vtep", vtep)          \
	_(FDB, "fdb", fdb)             \
	_(FLOOD, "flood", flood)       \
	_(NEIGH, "neigh", neigh)       \
	_(RULESET, "ruleset", ruleset) \
	_(ADDRSET, "addrset", addrset) \
	_(ROUTE, "route", route)       \
	_(NAT, "nat", nat)             \
	_(DHCP, "dhcp", dhcp)          \
	_(RA, "ra", ra)                \
	_(DHCP6, "dhcp6", dhcp6)       \
	_(SEGMENT, "segment", segment)

#define FP_TABLE_ENUM(id, name, stem) FP_TABLE_##id,
enum fp_table_id { FP_FOREACH_TABLE(FP_TABLE_ENUM) FP_TABLE_MAX };
#undef FP_TABLE_ENUM

/* An IPv6 address, or an IPv4 address as ::ffff:a.b.c.d. */
struct fp_ip {
	__u8 b[16]; /* network byte order */
};

/* Port roles. */
#define FP_FOREACH_PORT_ROLE(_) \
	_(NONE, "none")         \
	_(VM, "vm")             \
	_(UNDERLAY, "underlay") \
	_(GATEWAY, "gateway")   \
	_(PHYSICAL, "physical")

#define FP_PORT_ROLE_ENUM(id, name) FP_PORT_ROLE_##id,
enum fp_port_role { FP_FOREACH_PORT_ROLE(FP_PORT_ROLE_ENUM) FP_PORT_ROLE_MAX };
#undef FP_PORT_ROLE_ENUM

/* fp_port_val.flags */
#define FP_PORT_F_ANTISPOOF 0x0001 /* source MAC/IP must be the port's */
#define FP_PORT_F_SG 0x0002	   /* filtered by security groups: ruleset applies */

/* One address a VM port may send from. */
struct fp_port_addr {
	struct fp_ip ip; /* address or prefix (host bits zero) */
	__u8 mac[6];	 /* MAC paired with ip; all-zero: the port's MAC */
	__u8 plen;	 /* prefix length in IPv6 bits (v4 /32 is 128) */
	__u8 pad;	 /* zero */
};

struct fp_port_key {
	__u32 port_id; /* logical port id, < FP_PORT_MAX */
};

struct fp_port_val {
	__u16 role;    /* FP_PORT_ROLE_* */
	__u16 flags;   /* FP_PORT_F_* */
	__u16 mtu;     /* L3 MTU of the port (VM: the network's MTU) */
	__u16 n_addrs; /* valid entries in addrs */
	__u32 vni;     /* VM port: the VNI its traffic belongs to */
	__u32 vrf;     /* VM port: the tenant VRF (neigh lookups) */
	__u8 mac[6];   /* the port's MAC (VM) or the device MAC (underlay) */
	__u8 pad[2];   /* zero */
	__u32 ruleset; /* FP_PORT_F_SG: its ruleset id (both directions) */
	__u32 pad2;    /* zero */
	struct fp_port_addr addrs[FP_PORT_ADDR_MAX]; /* allowed sources */
};

/* Tunnel encapsulations. */
#define FP_FOREACH_ENCAP(_) \
	_(VXLAN, "vxlan")   \
	_(GENEVE, "geneve")

#define FP_ENCAP_ENUM(id, name) FP_ENCAP_##id,
enum fp_encap { FP_FOREACH_ENCAP(FP_ENCAP_ENUM) FP_ENCAP_MAX };
#undef FP_ENCAP_ENUM

#define FP_VXLAN_PORT 4789
#define FP_GENEVE_PORT 6081

struct fp_vtep_key {
	__u32 vtep_id; /* < the vtep table size */
};

struct fp_vtep_val {
	struct fp_ip remote; /* the remote VTEP's underlay address */
	struct fp_ip local;  /* our source address; a local VTEP address */
	__u8 nh_mac[6];	     /* next-hop MAC on the underlay */
	__u16 encap;	     /* FP_ENCAP_* */
	__u32 underlay_port; /* logical port id of the underlay port */
	__u32 pad;	     /* zero */
};

/* Where an FDB entry or a flood member points. */
#define FP_FOREACH_DEST(_)  \
	_(NONE, "none")     \
	_(PORT, "port")     \
	_(VTEP, "vtep")     \
	_(ROUTER, "router") \
	_(PHYS, "phys")

#define FP_DEST_ENUM(id, name) FP_DEST_##id,
enum fp_dest { FP_FOREACH_DEST(FP_DEST_ENUM) FP_DEST_MAX };
#undef FP_DEST_ENUM

struct fp_fdb_key {
	__u32 vni;   /* VNI */
	__u8 mac[6]; /* destination MAC */
	__u8 pad[2]; /* zero */
};

/* fp_fdb_val.flags */
#define FP_FDB_F_EXTERNAL 0x0001 /* FP_DEST_ROUTER on an external network: dnat first */

struct fp_fdb_val {
	__u16 type;  /* FP_DEST_PORT, FP_DEST_VTEP, FP_DEST_ROUTER or FP_DEST_PHYS */
	__u16 flags; /* FP_FDB_F_* (ROUTER); FP_DEST_PHYS: the VLAN id (0: untagged) */
	__u32 id;    /* port id, vtep id, the router's vrf, or the physical port id */
};

struct fp_flood_key {
	__u32 vni; /* VNI */
};

struct fp_flood_member {
	__u16 type; /* FP_DEST_PORT, FP_DEST_VTEP or FP_DEST_PHYS */
	__u16 vlan; /* FP_DEST_PHYS: the VLAN id (0: untagged); else zero */
	__u32 id;   /* port id, vtep id or physical port id */
};

struct fp_flood_val {
	__u32 n_members;				     /* valid entries in members */
	__u32 pad;					     /* zero */
	struct fp_flood_member members[FP_FLOOD_MEMBER_MAX]; /* copies */
};

struct fp_neigh_key {
	__u32 vrf;	 /* tenant VRF */
	__u32 pad;	 /* zero */
	struct fp_ip ip; /* the neighbour's address */
};

/* fp_neigh_val.flags */
#define FP_NEIGH_F_LOCAL_ONLY 0x0001 /* a router address: answer only local VM ports */

struct fp_neigh_val {
	__u8 mac[6]; /* the neighbour's MAC */
	__u16 flags; /* FP_NEIGH_F_* */
	__u32 vni;   /* the VNI the neighbour lives in */
};

/* Routing (doc/routing.md).  A router is a VRF (32-bit id, not 0); its
 * routes are keyed by (vrf, prefix) and looked up longest prefix first.
 * The route and nat tables are in FP_FOREACH_TABLE (fp-dpdk carries
 * them; the XDP engine's limits for them are 0 and it refuses their
 * entries); so is the segment table (provider networks: fp-dpdk
 * carries it, the XDP engine's limit is 0).
 */
#define FP_FOREACH_ROUTE_TYPE(_)  \
	_(NONE, "none")           \
	_(LOCAL, "local")         \
	_(CONNECTED, "connected") \
	_(NEXTHOP, "nexthop")     \
	_(BLACKHOLE, "blackhole")

#define FP_ROUTE_TYPE_ENUM(id, name) FP_ROUTE_##id,
enum fp_route_type { FP_FOREACH_ROUTE_TYPE(FP_ROUTE_TYPE_ENUM) FP_ROUTE_TYPE_MAX };
#undef FP_ROUTE_TYPE_ENUM

/* fp_route_val.flags */
#define FP_ROUTE_F_EXTERNAL 0x0001 /* towards the external network: floating IP snat */
#define FP_ROUTE_F_SNAT 0x0002	   /* the router has enable_snat: no floating IP, no_snat */

struct fp_route_key {
	__u32 vrf;	 /* the router's VRF, not 0 */
	__u8 plen;	 /* prefix length in IPv6 bits (v4 /n: 96 + n) */
	__u8 pad[3];	 /* zero */
	struct fp_ip ip; /* prefix, host bits zero */
};

struct fp_route_val {
	__u16 type;	   /* FP_ROUTE_* */
	__u16 flags;	   /* FP_ROUTE_F_* */
	__u32 vni;	   /* CONNECTED, NEXTHOP: the egress network id */
	__u8 mac[6];	   /* CONNECTED, NEXTHOP: the router's source MAC there */
	__u16 mtu;	   /* CONNECTED, NEXTHOP: the egress network's L3 MTU */
	struct fp_ip addr; /* CONNECTED, LOCAL: the router's address; NEXTHOP: the next hop */
};

/* NAT of floating IPs: pairs, one entry per direction. */
#define FP_NAT_SNAT 0 /* key (vrf, fixed IP): egress to the external network */
#define FP_NAT_DNAT 1 /* key (external network id, floating IP): ingress */

struct fp_nat_key {
	__u32 scope;	 /* SNAT: the vrf; DNAT: the external network id */
	__u8 dir;	 /* FP_NAT_* */
	__u8 pad[3];	 /* zero */
	struct fp_ip ip; /* SNAT: the fixed IP; DNAT: the floating IP */
};

struct fp_nat_val {
	struct fp_ip ip; /* SNAT: the floating IP; DNAT: the fixed IP */
	__u8 mac[6];	 /* SNAT: the floating IP's MAC (source MAC); DNAT: zero */
	__u16 pad;	 /* zero */
	__u32 scope;	 /* SNAT: the external network id; DNAT: the vrf */
};

/* The slow path's tables dhcp, ra and dhcp6 are in FP_FOREACH_TABLE:
 * fp-dpdk serves them (doc/routing.md "The slow path"); the XDP engine's
 * limits for them are 0 and it refuses their entries.
 *
 * DHCPv4 answers for a VM port (doc/routing.md "The slow path"), compiled
 * from the port's fixed IPv4 address and its subnet; answered by
 * lib/dhcp4.c off the workers' fast path.  Addresses are IPv4, network
 * order; all-zero: absent.
 */
#define FP_DHCP_DNS_MAX 4   /* DNS servers (option 6) */
#define FP_DHCP_ROUTE_MAX 8 /* classless static routes (option 121) */

struct fp_dhcp_route {
	__u8 dst[4]; /* destination, host bits zero */
	__u8 gw[4];  /* router */
	__u8 plen;   /* 0..32 */
	__u8 pad[3]; /* zero */
};

struct fp_dhcp_key {
	__u32 port_id; /* the VM port */
};

struct fp_dhcp_val {
	__u8 mac[6];					/* the client's MAC (the port's) */
	__u16 mtu;					/* option 26; 0: none */
	__u8 addr[4];					/* the address offered */
	__u8 server[4];					/* server identifier, reply source */
	__u8 router[4];					/* option 3 (and 121's default) */
	__u32 lease;					/* seconds, 120.. */
	__u8 plen;					/* subnet mask length 1..32 */
	__u8 n_dns;					/* valid dns */
	__u8 n_routes;					/* valid routes */
	__u8 pad;					/* zero */
	__u8 dns[FP_DHCP_DNS_MAX][4];			/* option 6 */
	struct fp_dhcp_route routes[FP_DHCP_ROUTE_MAX]; /* option 121 (host_routes) */
};

/* Router advertisements (RFC 4861, 8106) of a network's router interface,
 * compiled from its IPv6 subnets' ipv6_ra_mode (doc/routing.md "Router
 * advertisements"): answered to router solicitations and sent
 * periodically by lib/ra.c off the workers' fast path.  Addresses are
 * IPv6, network order.
 */
#define FP_RA_PREFIX_MAX 4 /* prefix information options */
#define FP_RA_DNS_MAX 4	   /* RDNSS addresses */

#define FP_RA_F_MANAGED 0x80 /* M: addresses by DHCPv6 (dhcpv6-stateful) */
#define FP_RA_F_OTHER 0x40   /* O: other configuration by DHCPv6 (dhcpv6-stateless) */

#define FP_RA_PFX_F_ONLINK 0x80 /* L: the prefix is on link */
#define FP_RA_PFX_F_AUTO 0x40	/* A: SLAAC (slaac, dhcpv6-stateless); needs a /64 */

struct fp_ra_prefix {
	__u8 prefix[16]; /* host bits zero */
	__u32 valid;	 /* valid lifetime, seconds; 0xffffffff: infinite */
	__u32 preferred; /* preferred lifetime, <= valid */
	__u8 plen;	 /* 1..128 (64 with FP_RA_PFX_F_AUTO) */
	__u8 flags;	 /* FP_RA_PFX_F_* */
	__u8 pad[2];	 /* zero */
};

struct fp_ra_key {
	__u32 vni; /* the network the router interface is on */
};

struct fp_ra_val {
	__u8 mac[6];					/* router MAC: source, SLLA option */
	__u16 mtu;					/* MTU option; 0: none, else 1280.. */
	__u8 src[16];					/* link-local source; zero: EUI-64 of mac */
	__u16 router_lifetime;				/* seconds; 0: not a default router */
	__u8 flags;					/* FP_RA_F_* */
	__u8 n_prefixes;				/* valid prefixes */
	__u16 max_interval;				/* unsolicited RAs, seconds, 4..1800 */
	__u16 min_interval;				/* seconds, 3..max_interval * 3 / 4 */
	__u8 n_dns;					/* valid dns */
	__u8 pad[3];					/* zero */
	__u32 dns_lifetime;				/* RDNSS lifetime, seconds */
	__u8 dns[FP_RA_DNS_MAX][16];			/* RDNSS (the subnets' DNS servers) */
	struct fp_ra_prefix prefixes[FP_RA_PREFIX_MAX]; /* prefix information */
};

/* DHCPv6 answers for a VM port (RFC 8415), compiled from its fixed IPv6
 * address and subnet (ipv6_address_mode dhcpv6-stateful: addr set;
 * dhcpv6-stateless: addr zero, Information-request only); answered by
 * lib/dhcp6.c.  Addresses are IPv6, network order.
 */
#define FP_DHCP6_DNS_MAX 4 /* DNS servers (option 23) */

struct fp_dhcp6_key {
	__u32 port_id; /* the VM port */
};

struct fp_dhcp6_val {
	__u8 mac[6];			/* the client's MAC (the port's) */
	__u8 server_mac[6];		/* the router's: reply source, DUID-LL */
	__u8 addr[16];			/* IA_NA address; zero: stateless */
	__u32 preferred;		/* preferred lifetime, seconds */
	__u32 valid;			/* valid lifetime, seconds, >= preferred */
	__u8 n_dns;			/* valid dns */
	__u8 pad[3];			/* zero */
	__u8 dns[FP_DHCP6_DNS_MAX][16]; /* option 23 */
};

/* Provider networks: a (physical port, VLAN id) is a network. */
struct fp_segment_key {
	__u32 port_id; /* a port with role FP_PORT_ROLE_PHYSICAL */
	__u16 vlan;    /* 1..FP_VLAN_MAX, or 0: untagged (flat) */
	__u16 pad;     /* zero */
};

struct fp_segment_val {
	__u32 vni; /* the provider network's id (FP_NET_PROVIDER | n) */
	__u32 pad; /* zero */
};

/* Security groups (doc/security-groups.md).  A filtered port
 * (FP_PORT_F_SG) names one ruleset id; the ruleset table holds its rules
 * per direction, the union of the rules of the port's groups.  A packet
 * passes a direction when a rule matches it or it belongs to a tracked
 * connection; a port whose ruleset is missing passes no IP packet.
 * Remote groups and address groups are address sets: a rule names a set,
 * a set's members (prefixes) live in the addrset table, shared by every
 * rule and port that uses the set.
 */
#define FP_SG_DIR_EGRESS 0  /* from the VM */
#define FP_SG_DIR_INGRESS 1 /* to the VM */
#define FP_SG_DIR_MAX 2

/* fp_sg_rule.flags */
#define FP_SG_RULE_F_PROTO 0x01	    /* the IP protocol must be proto */
#define FP_SG_RULE_F_PORTS 0x02	    /* destination port in port_min..port_max */
#define FP_SG_RULE_F_ICMP_TYPE 0x04 /* ICMP(v6) type must be icmp_type */
#define FP_SG_RULE_F_ICMP_CODE 0x08 /* ICMP(v6) code must be icmp_code */
#define FP_SG_RULE_F_ADDRSET 0x10   /* remote address in addrset (else in remote/plen) */
#define FP_SG_RULE_F_ALL 0x1f

/* One compiled rule.  The remote address is the source of an ingress
 * packet and the destination of an egress one; the ports are always the
 * packet's destination port (Neutron's port_range_min/max).
 */
struct fp_sg_rule {
	struct fp_ip remote; /* remote prefix, host bits zero; unused with F_ADDRSET */
	__u32 addrset;	     /* F_ADDRSET: the address set id (not 0) */
	__u32 rule_id;	     /* the compiler's number for the rule (trace), not 0 */
	__u16 port_min;	     /* F_PORTS: lowest destination port */
	__u16 port_max;	     /* F_PORTS: highest destination port */
	__u8 family;	     /* 4 or 6 (the rule's ethertype) */
	__u8 proto;	     /* F_PROTO: IP protocol number */
	__u8 plen;	     /* remote prefix length in IPv6 bits (v4 /n: 96 + n); 0: any */
	__u8 flags;	     /* FP_SG_RULE_F_* */
	__u8 icmp_type;	     /* F_ICMP_TYPE */
	__u8 icmp_code;	     /* F_ICMP_CODE */
	__u8 pad[6];	     /* zero */
};

struct fp_ruleset_key {
	__u32 ruleset_id; /* not 0 */
	__u16 dir;	  /* FP_SG_DIR_* */
	__u16 pad;	  /* zero */
};

/* fp_ruleset_val.flags */
#define FP_RULESET_F_STATEFUL 0x0001 /* allowed packets open tracked connections */

struct fp_ruleset_val {
	__u16 n_rules;				 /* valid entries in rules */
	__u16 flags;				 /* FP_RULESET_F_* */
	__u32 pad;				 /* zero */
	struct fp_sg_rule rules[FP_SG_RULE_MAX]; /* any one that matches allows */
};

struct fp_addrset_key {
	__u32 set_id;	 /* not 0 */
	__u8 plen;	 /* prefix length in IPv6 bits (v4 /n: 96 + n) */
	__u8 pad[3];	 /* zero */
	struct fp_ip ip; /* member prefix, host bits zero */
};

struct fp_addrset_val {
	__u32 pad; /* zero: membership is the key's presence */
};

/* Connection tracking (written by the engines' workers, not installed).
 * One entry per (zone, 5-tuple) for both directions: the key holds the
 * two endpoints in a fixed order (endpoint a is the lower (ip, port)), so
 * a packet and its reply build the same key; the value says which
 * endpoint opened the connection.  The zone is the filtered port's id:
 * each port tracks its own connections.
 */
#define FP_FOREACH_CT_STATE(_)                     \
	_(NONE, "none", 0)                         \
	_(SYN_SENT, "syn_sent", 120)               \
	_(SYN_RECV, "syn_recv", 60)                \
	_(ESTABLISHED, "established", 432000)      \
	_(FIN_WAIT, "fin_wait", 120)               \
	_(CLOSE_WAIT, "close_wait", 60)            \
	_(LAST_ACK, "last_ack", 30)                \
	_(TIME_WAIT, "time_wait", 120)             \
	_(CLOSE, "close", 10)                      \
	_(SYN_SENT2, "syn_sent2", 120)             \
	_(UDP_UNREPLIED, "udp_unreplied", 30)      \
	_(UDP_REPLIED, "udp_replied", 120)         \
	_(ICMP, "icmp", 30)                        \
	_(OTHER_UNREPLIED, "other_unreplied", 600) \
	_(OTHER_REPLIED, "other_replied", 600)

/* FP_CT_<ID>; the third column: default timeout in seconds, as Linux's
 * nf_conntrack (tcp_timeout_*, udp_timeout(_stream), icmp_timeout,
 * generic_timeout).
 */
#define FP_CT_STATE_ENUM(id, name, timeout) FP_CT_##id,
enum fp_ct_state { FP_FOREACH_CT_STATE(FP_CT_STATE_ENUM) FP_CT_STATE_MAX };
#undef FP_CT_STATE_ENUM

struct fp_ct_key {
	struct fp_ip a; /* endpoint a's address (the lower (address, port)) */
	struct fp_ip b; /* endpoint b's address */
	__u16 a_port;	/* a's port, host order; ICMP echo: the identifier */
	__u16 b_port;	/* b's port, host order; ICMP echo: the identifier */
	__u16 zone;	/* the filtered port's id */
	__u8 proto;	/* IP protocol */
	__u8 pad;	/* zero */
};

/* fp_ct_val.flags */
#define FP_CT_F_ORIG_A 0x01	 /* endpoint a opened the connection */
#define FP_CT_F_ORIG_EGRESS 0x02 /* opened by the VM (egress rules admitted it) */
#define FP_CT_F_REPLIED 0x04	 /* a packet went the reply way */

struct fp_ct_val {
	__u64 last_ns; /* last packet, CLOCK_MONOTONIC nanoseconds */
	__u32 gen;     /* security-group generation it was last admitted under */
	__u32 rule_id; /* the rule that admitted it (0: the base policy) */
	__u8 state;    /* FP_CT_* */
	__u8 flags;    /* FP_CT_F_* */
	__u8 pad[6];   /* zero */
};

/* The underlay and flood hardening both engines apply (the config's guard
 * group, doc/config.md): fp-dpdk's tables hold it, the XDP engine's
 * fp_guard map (xdp.h).
 */
#define FP_GUARD_ETHERTYPE_MAX 8 /* permitted_ethertypes */

struct fp_guard_cfg {
	__u32 strict_source; /* decapsulate a VNI only from the vteps serving it */
	__u32 inner_src_mac; /* refuse inner source MACs the fdb places elsewhere */
	__u32 storm_pps;     /* floods per second per VM port (per worker or CPU); 0 = off */
	__u32 storm_burst;   /* bucket size, packets */
	/* Ethertypes a port-security port may send and receive besides IPv4,
	 * IPv6 and ARP (sg.h fp_sg_ethertype()), host order; the list ends
	 * at the first 0.
	 */
	__u16 ethertypes[FP_GUARD_ETHERTYPE_MAX];
	/* The ICMP errors an engine generates (time exceeded, unreachable,
	 * too big): a token bucket per worker or CPU (RFC 4443 2.4(f),
	 * RFC 1812 4.3.2.8); over it the error is not sent and counts
	 * icmp_rate_limited.
	 */
	__u32 icmp_pps;	  /* errors per second per worker or CPU; 0 = unlimited */
	__u32 icmp_burst; /* bucket size, errors */
};

/* Pipeline counters: FP_STAT_<ID>, "name".  Packets, not bytes.
 * Invariant: rx == tx + drop + punt, where tx counts received packets that
 * left on at least one port (a flood counts once in tx and each copy in
 * flood_copies) and drop counts packets dropped for exactly one reason.
 */
#define FP_FOREACH_STAT(_)                               \
	_(RX, "rx")                                      \
	_(TX, "tx")                                      \
	_(DROP, "drop")                                  \
	_(PUNT, "punt")                                  \
	_(ENCAP, "encap")                                \
	_(DECAP, "decap")                                \
	_(LOCAL, "local")                                \
	_(FLOOD, "flood")                                \
	_(FLOOD_COPY, "flood_copies")                    \
	_(ARP_REPLY, "arp_reply")                        \
	_(ND_REPLY, "nd_reply")                          \
	_(ICMP_TOO_BIG, "icmp_too_big_sent")             \
	_(CT_NEW, "ct_new")                              \
	_(CT_HIT, "ct_hit")                              \
	_(CT_PICKUP, "ct_pickup")                        \
	_(CT_REVALIDATED, "ct_revalidated")              \
	_(CT_RELATED, "ct_related")                      \
	_(SG_STATELESS, "sg_stateless_allow")            \
	_(ROUTED, "routed")                              \
	_(ICMP_TIME_EXCEEDED, "icmp_time_exceeded_sent") \
	_(ICMP_UNREACH, "icmp_unreachable_sent")         \
	_(ICMP_ECHO_REPLY, "icmp_echo_reply")            \
	_(ICMP_RATE_LIMITED, "icmp_rate_limited")

#define FP_STAT_ENUM(id, name) FP_STAT_##id,
enum fp_stat_id { FP_FOREACH_STAT(FP_STAT_ENUM) FP_STAT_MAX };
#undef FP_STAT_ENUM

/* Drop reasons: FP_DROP_<ID>, "name".  Every dropped packet counts one. */
#define FP_FOREACH_DROP(_)                            \
	_(TRUNC_L2, "trunc_l2")                       \
	_(TRUNC_VLAN, "trunc_vlan")                   \
	_(TOO_MANY_VLANS, "too_many_vlans")           \
	_(TRUNC_L3, "trunc_l3")                       \
	_(BAD_IP_VERSION, "bad_ip_version")           \
	_(BAD_IP_HDR_LEN, "bad_ip_hdr_len")           \
	_(BAD_IP_LEN, "bad_ip_len")                   \
	_(BAD_IP_CSUM, "bad_ip_csum")                 \
	_(TRUNC_L4, "trunc_l4")                       \
	_(BAD_UDP_LEN, "bad_udp_len")                 \
	_(BAD_TCP_HDR_LEN, "bad_tcp_hdr_len")         \
	_(TRUNC_TUNNEL, "trunc_tunnel")               \
	_(BAD_VXLAN_FLAGS, "bad_vxlan_flags")         \
	_(BAD_GENEVE, "bad_geneve")                   \
	_(GENEVE_CRIT_OPT, "geneve_critical_option")  \
	_(GENEVE_PROTO, "geneve_protocol")            \
	_(GENEVE_OAM, "geneve_oam")                   \
	_(UNDERLAY_NOT_TUNNEL, "underlay_not_tunnel") \
	_(UNDERLAY_FRAG, "underlay_fragment")         \
	_(NOT_LOCAL_VTEP, "not_local_vtep")           \
	_(NOT_OUR_MAC, "not_our_mac")                 \
	_(UNKNOWN_VNI, "unknown_vni")                 \
	_(PORT_UNCONFIGURED, "port_unconfigured")     \
	_(BAD_SRC_MAC, "bad_src_mac")                 \
	_(SPOOF_MAC, "spoofed_mac")                   \
	_(SPOOF_IP, "spoofed_ip")                     \
	_(ETHERTYPE_DENIED, "ethertype_denied")       \
	_(VLAN_DENIED, "vlan_denied")                 \
	_(BAD_ARP, "bad_arp")                         \
	_(BAD_ND, "bad_nd")                           \
	_(NO_FLOOD_LIST, "no_flood_list")             \
	_(FLOOD_EMPTY, "flood_empty")                 \
	_(DEST_MISSING, "dest_missing")               \
	_(VNI_MISMATCH, "vni_mismatch")               \
	_(DEST_UNSUPPORTED, "dest_unsupported")       \
	_(HAIRPIN, "hairpin")                         \
	_(TOO_BIG, "too_big")                         \
	_(NO_MBUF, "no_mbuf")                         \
	_(NO_HEADROOM, "no_headroom")                 \
	_(MULTI_SEGMENT, "multi_segment")             \
	_(SG_DENIED, "sg_denied")                     \
	_(SG_NO_RULESET, "sg_no_ruleset")             \
	_(SG_VM_DHCP_SERVER, "sg_vm_dhcp_server")     \
	_(SG_VM_ROUTER_ADV, "sg_vm_router_adv")       \
	_(CT_INVALID, "ct_invalid")                   \
	_(CT_REVOKED, "ct_revoked")                   \
	_(CT_FULL, "ct_full")                         \
	_(VTEP_NOT_SERVING, "vtep_not_serving")       \
	_(INNER_SPOOF, "inner_src_mac_spoofed")       \
	_(STORM_CONTROL, "storm_control")             \
	_(TTL_EXCEEDED, "ttl_exceeded")               \
	_(TO_ROUTER, "to_router")                     \
	_(NO_ROUTE, "no_route")                       \
	_(NEIGH_MISSING, "neigh_missing")             \
	_(PUNT_FULL, "punt_full")                     \
	_(PUNT_RATE, "punt_rate")                     \
	_(NO_SNAT, "no_snat")                         \
	_(UNKNOWN_SEGMENT, "unknown_segment")

#define FP_DROP_ENUM(id, name) FP_DROP_##id,
enum fp_drop_id { FP_FOREACH_DROP(FP_DROP_ENUM) FP_DROP_MAX };
#undef FP_DROP_ENUM

/* Initialisers of arrays indexed by FP_TABLE_*:
 *   const __u16 key_size[FP_TABLE_MAX] = { FP_FOREACH_TABLE(FP_TABLE_KEY_SIZE) };
 */
#define FP_TABLE_KEY_SIZE(id, name, stem) [FP_TABLE_##id] = sizeof(struct fp_##stem##_key),
#define FP_TABLE_VAL_SIZE(id, name, stem) [FP_TABLE_##id] = sizeof(struct fp_##stem##_val),
#define FP_TABLE_NAME(id, name, stem) [FP_TABLE_##id] = name,

/* Make-before-break: a transaction's sets are applied in this table order
 * (referenced tables first), its deletes in the reverse order.  The one
 * order of the dataplane's commit and of fp-control's difference:
 * routes after the neigh entries they resolve through, and route and nat
 * before flood and fdb, so that an fdb router entry (a router's MAC)
 * appears only after its vrf's routes and goes before them; the slow
 * path's dhcp, ra and dhcp6 entries last (they name ports and networks).
 *   static const __u16 order[FP_TABLE_MAX] = FP_TABLE_SET_ORDER;
 */
#define FP_TABLE_SET_ORDER                                                                         \
	{                                                                                          \
		FP_TABLE_ADDRSET, FP_TABLE_RULESET, FP_TABLE_PORT, FP_TABLE_VTEP, FP_TABLE_NEIGH,  \
			FP_TABLE_ROUTE, FP_TABLE_NAT, FP_TABLE_FLOOD, FP_TABLE_FDB, FP_TABLE_DHCP, \
			FP_TABLE_RA, FP_TABLE_DHCP6, FP_TABLE_SEGMENT                              \
	}

/* Room for the key or the value of any table (copies, dump buffers). */
#define FP_TABLE_KEY_MEMBER(id, name, stem) struct fp_##stem##_key stem;
#define FP_TABLE_VAL_MEMBER(id, name, stem) struct fp_##stem##_val stem;
union fp_table_key {
	FP_FOREACH_TABLE(FP_TABLE_KEY_MEMBER)
};
union fp_table_val {
	FP_FOREACH_TABLE(FP_TABLE_VAL_MEMBER)
};
#undef FP_TABLE_KEY_MEMBER
#undef FP_TABLE_VAL_MEMBER

/* Sizes are part of the ABI: a layout change fails here until
 * FP_ABI_VERSION is bumped and the sum updated.
 */
#define FP_ABI_LAYOUT_SUM                                                                         \
	(sizeof(struct fp_ip) + sizeof(struct fp_port_addr) + sizeof(struct fp_port_key) +        \
	 sizeof(struct fp_port_val) + sizeof(struct fp_vtep_key) + sizeof(struct fp_vtep_val) +   \
	 sizeof(struct fp_fdb_key) + sizeof(struct fp_fdb_val) + sizeof(struct fp_flood_key) +    \
	 sizeof(struct fp_flood_member) + sizeof(struct fp_flood_val) +                           \
	 sizeof(struct fp_neigh_key) + sizeof(struct fp_neigh_val) + sizeof(struct fp_sg_rule) +  \
	 sizeof(struct fp_ruleset_key) + sizeof(struct fp_ruleset_val) +                          \
	 sizeof(struct fp_addrset_key) + sizeof(struct fp_addrset_val) +                          \
	 sizeof(struct fp_ct_key) + sizeof(struct fp_ct_val) + sizeof(struct fp_route_key) +      \
	 sizeof(struct fp_route_val) + sizeof(struct fp_nat_key) + sizeof(struct fp_nat_val) +    \
	 sizeof(struct fp_segment_key) + sizeof(struct fp_segment_val) +                          \
	 sizeof(struct fp_dhcp_route) + sizeof(struct fp_dhcp_key) + sizeof(struct fp_dhcp_val) + \
	 sizeof(struct fp_ra_prefix) + sizeof(struct fp_ra_key) + sizeof(struct fp_ra_val) +      \
	 sizeof(struct fp_dhcp6_key) + sizeof(struct fp_dhcp6_val))

_Static_assert(sizeof(struct fp_ip) == 16, "fp_ip");
_Static_assert(sizeof(struct fp_port_addr) == 24, "fp_port_addr");
_Static_assert(sizeof(struct fp_port_key) == 4, "fp_port_key");
_Static_assert(sizeof(struct fp_port_val) == 32 + 24 * FP_PORT_ADDR_MAX, "fp_port_val");
_Static_assert(__builtin_offsetof(struct fp_port_val, addrs) == 32, "fp_port_val.addrs");
_Static_assert(sizeof(struct fp_vtep_key) == 4, "fp_vtep_key");
_Static_assert(sizeof(struct fp_vtep_val) == 48, "fp_vtep_val");
_Static_assert(sizeof(struct fp_fdb_key) == 12, "fp_fdb_key");
_Static_assert(sizeof(struct fp_fdb_val) == 8, "fp_fdb_val");
_Static_assert(sizeof(struct fp_flood_key) == 4, "fp_flood_key");
_Static_assert(sizeof(struct fp_flood_member) == 8, "fp_flood_member");
_Static_assert(sizeof(struct fp_flood_val) == 8 + 8 * FP_FLOOD_MEMBER_MAX, "fp_flood_val");
_Static_assert(sizeof(struct fp_neigh_key) == 24, "fp_neigh_key");
_Static_assert(sizeof(struct fp_neigh_val) == 12, "fp_neigh_val");
_Static_assert(sizeof(struct fp_sg_rule) == 40, "fp_sg_rule");
_Static_assert(sizeof(struct fp_ruleset_key) == 8, "fp_ruleset_key");
_Static_assert(sizeof(struct fp_ruleset_val) == 8 + 40 * FP_SG_RULE_MAX, "fp_ruleset_val");
_Static_assert(sizeof(struct fp_addrset_key) == 24, "fp_addrset_key");
_Static_assert(sizeof(struct fp_addrset_val) == 4, "fp_addrset_val");
_Static_assert(sizeof(struct fp_ct_key) == 40, "fp_ct_key");
_Static_assert(sizeof(struct fp_ct_val) == 24, "fp_ct_val");
_Static_assert(sizeof(struct fp_route_key) == 24, "fp_route_key");
_Static_assert(sizeof(struct fp_route_val) == 32, "fp_route_val");
_Static_assert(sizeof(struct fp_nat_key) == 24, "fp_nat_key");
_Static_assert(sizeof(struct fp_nat_val) == 28, "fp_nat_val");
_Static_assert(sizeof(struct fp_segment_key) == 8, "fp_segment_key");
_Static_assert(sizeof(struct fp_segment_val) == 8, "fp_segment_val");
_Static_assert(sizeof(struct fp_dhcp_route) == 12, "fp_dhcp_route");
_Static_assert(sizeof(struct fp_dhcp_key) == 4, "fp_dhcp_key");
_Static_assert(sizeof(struct fp_dhcp_val) == 28 + 4 * FP_DHCP_DNS_MAX + 12 * FP_DHCP_ROUTE_MAX,
	       "fp_dhcp_val");
_Static_assert(sizeof(struct fp_ra_prefix) == 28, "fp_ra_prefix");
_Static_assert(sizeof(struct fp_ra_key) == 4, "fp_ra_key");
_Static_assert(sizeof(struct fp_ra_val) == 40 + 16 * FP_RA_DNS_MAX + 28 * FP_RA_PREFIX_MAX,
	       "fp_ra_val");
_Static_assert(__builtin_offsetof(struct fp_ra_val, dns) == 40, "fp_ra_val.dns");
_Static_assert(sizeof(struct fp_dhcp6_key) == 4, "fp_dhcp6_key");
_Static_assert(sizeof(struct fp_dhcp6_val) == 40 + 16 * FP_DHCP6_DNS_MAX, "fp_dhcp6_val");
/* So are the id lists: their counts size the control messages (table
 * limits and counts in the hello, the counters), and a program built
 * against other ids would misname tables and drops.  ABI 6: the dhcp, ra,
 * dhcp6 and segment tables; punt_full, punt_rate, no_snat,
 * unknown_segment and icmp_rate_limited; the guard's icmp_pps, icmp_burst.
 */
_Static_assert(FP_ABI_VERSION == 6 && FP_TABLE_MAX == 13 && FP_DROP_MAX == 58 && FP_STAT_MAX == 23,
	       "table, drop or stat ids changed: bump FP_ABI_VERSION and these counts");
_Static_assert(FP_ABI_VERSION == 6 && FP_ABI_LAYOUT_SUM == 3616 + 124 + 156 + 248 + 108,
	       "ABI layout changed: bump FP_ABI_VERSION and the sum");

#endif /* FLOWPLANE_TABLES_H */
