/* SPDX-License-Identifier: BSD-3-Clause */
/* Security groups and connection tracking: the semantics both engines run.
 *
 * Pure functions over the ABI structs of tables.h and a small packet
 * summary (struct fp_sg_pkt) that each engine fills from its parse.  fp-dpdk
 * (dataplane/sg.c) and the XDP program (bpf/) call these and only these to
 * decide a packet's fate, so the two engines cannot disagree on what a rule
 * matches or on how a TCP connection moves between states; what differs is
 * where the rulesets, address sets and connections are stored.
 *
 * It compiles with gcc and with clang -target bpf: fixed-width types, no
 * libc, every loop bounded by a constant.
 *
 * The packet's way (doc/security-groups.md):
 *   0. fp_sg_ethertype(): only IPv4 and IPv6 go on; ARP, RARP from the
 *      VM and the configured ethertypes pass, anything else is dropped.
 *   1. fp_sg_base(): traffic the port always or never gets, whatever its
 *      rules (DHCP and neighbour discovery for the VM; no DHCP server and no
 *      router advertisements from the VM).
 *   2. fp_ct_key_make() + a lookup: a packet of a tracked connection passes
 *      after fp_ct_next() accepts its move (TCP flags), unless the
 *      security-group generation changed since the connection was admitted:
 *      then its opening direction is checked against the rules again
 *      (removing a rule ends the connections it alone admitted).
 *   3. A packet without a connection is matched against the port's ruleset
 *      for its direction (fp_sg_rule_match(), plus an address-set lookup
 *      where the rule names a set); if a rule allows it and the ruleset is
 *      stateful, fp_ct_first() gives the new connection's state (a TCP
 *      packet that cannot open one is invalid).
 */
#ifndef FLOWPLANE_SG_H
#define FLOWPLANE_SG_H

#include <linux/types.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>

#ifndef FP_SG_INLINE
#define FP_SG_INLINE static inline __attribute__((always_inline))
#endif

/* IP protocols and ICMP types the semantics name. */
#define FP_SG_PROTO_ICMP 1
#define FP_SG_PROTO_TCP 6
#define FP_SG_PROTO_UDP 17
#define FP_SG_PROTO_DCCP 33
#define FP_SG_PROTO_ICMPV6 58
#define FP_SG_PROTO_SCTP 132
#define FP_SG_PROTO_UDPLITE 136

/* TCP flags as in the header's 13th byte. */
#define FP_SG_TCP_FIN 0x01
#define FP_SG_TCP_SYN 0x02
#define FP_SG_TCP_RST 0x04
#define FP_SG_TCP_ACK 0x10

/* fp_sg_pkt.frag */
#define FP_SG_FRAG_NONE 0  /* not a fragment */
#define FP_SG_FRAG_FIRST 1 /* first fragment: has the L4 header */
#define FP_SG_FRAG_LATER 2 /* a later fragment: no L4 header */

/* What the security groups look at, filled by the engine's parse of the
 * inner (VM-side) packet.  Ports in host order.  An IPv4 address is
 * mapped into IPv6 as in struct fp_ip.
 */
struct fp_sg_pkt {
	struct fp_ip src; /* source address */
	struct fp_ip dst; /* destination address */
	__u16 sport;	  /* TCP/UDP/SCTP/DCCP/UDP-Lite source port, else 0 */
	__u16 dport;	  /* destination port, else 0 */
	__u16 icmp_id;	  /* ICMP(v6) echo identifier */
	__u8 family;	  /* 4 or 6 */
	__u8 proto;	  /* IP protocol (IPv6: after the extension headers) */
	__u8 icmp_type;	  /* ICMP(v6) type */
	__u8 icmp_code;	  /* ICMP(v6) code */
	__u8 tcp_flags;	  /* TCP: FP_SG_TCP_* */
	__u8 frag;	  /* FP_SG_FRAG_* */
};

/* Does the protocol carry 16-bit source and destination ports first? */
FP_SG_INLINE int
fp_sg_proto_has_ports(__u32 proto)
{
	return proto == FP_SG_PROTO_TCP || proto == FP_SG_PROTO_UDP || proto == FP_SG_PROTO_SCTP ||
	       proto == FP_SG_PROTO_DCCP || proto == FP_SG_PROTO_UDPLITE;
}

FP_SG_INLINE int
fp_sg_is_icmp(const struct fp_sg_pkt *p)
{
	return (p->family == 4 && p->proto == FP_SG_PROTO_ICMP) ||
	       (p->family == 6 && p->proto == FP_SG_PROTO_ICMPV6);
}

/* fp_sg_base() answers */
#define FP_SG_BASE_RULES FP_DROP_MAX	   /* up to the connection table and the rules */
#define FP_SG_BASE_ALLOW (FP_DROP_MAX + 1) /* always allowed, not tracked */

/**
 * What a filtered port gets whatever its rules, as Neutron's firewall
 * drivers do: DHCP (v4 and v6) from the VM as a client and to it as an
 * answer; ICMPv6 neighbour discovery and MLD both ways (RS from the VM, RA
 * to it); never a DHCP server's answer or a router advertisement from the
 * VM.
 *
 * @param p   the packet
 * @param dir FP_SG_DIR_*
 * @return FP_SG_BASE_RULES, FP_SG_BASE_ALLOW, or the FP_DROP_* reason
 */
FP_SG_INLINE __u32
fp_sg_base(const struct fp_sg_pkt *p, __u32 dir)
{
	__u32 t = p->icmp_type;

	if (p->frag == FP_SG_FRAG_LATER)
		return FP_SG_BASE_RULES;
	if (p->proto == FP_SG_PROTO_UDP) {
		if (p->family == 4 && p->sport == 67 && p->dport == 68)
			return dir == FP_SG_DIR_EGRESS ? FP_DROP_SG_VM_DHCP_SERVER :
							 FP_SG_BASE_ALLOW;
		if (p->family == 6 && p->sport == 547 && p->dport == 546)
			return dir == FP_SG_DIR_EGRESS ? FP_DROP_SG_VM_DHCP_SERVER :
							 FP_SG_BASE_ALLOW;
		if (dir == FP_SG_DIR_EGRESS &&
		    ((p->family == 4 && p->sport == 68 && p->dport == 67) ||
		     (p->family == 6 && p->sport == 546 && p->dport == 547)))
			return FP_SG_BASE_ALLOW;
		return FP_SG_BASE_RULES;
	}
	if (p->family != 6 || p->proto != FP_SG_PROTO_ICMPV6)
		return FP_SG_BASE_RULES;
	/* 130-132 MLD, 133 RS, 134 RA, 135 NS, 136 NA, 143 MLDv2 report */
	if (t == 134)
		return dir == FP_SG_DIR_EGRESS ? FP_DROP_SG_VM_ROUTER_ADV : FP_SG_BASE_ALLOW;
	if ((t >= 130 && t <= 136) || t == 143)
		return FP_SG_BASE_ALLOW;
	return FP_SG_BASE_RULES;
}

/**
 * What a filtered port does with a frame by its ethertype, as Neutron's
 * ML2/OVS firewall driver does (neutron/agent/linux/openvswitch_firewall/
 * firewall.py, _initialize_egress() and _initialize_ingress()): IPv4 and
 * IPv6 go on to fp_sg_base() and the rules; ARP passes both ways; RARP
 * passes from the VM (the announcement QEMU, or DPDK's vhost library,
 * sends for it after a live migration) but not to it; an ethertype of the
 * permitted list (the config's guard.permitted_ethertypes, Neutron's
 * [securitygroup] permitted_ethertypes) passes both ways; any other is
 * dropped.  A VLAN-tagged frame is not decided here: the parse finds it
 * malformed (ct_invalid).
 *
 * @param et	    the frame's ethertype, host order
 * @param dir	    FP_SG_DIR_*
 * @param permitted the permitted list (struct fp_guard_cfg.ethertypes: at
 *		    most FP_GUARD_ETHERTYPE_MAX, ends at a 0), or NULL: none
 * @return FP_SG_BASE_RULES, FP_SG_BASE_ALLOW or FP_DROP_ETHERTYPE_DENIED
 */
FP_SG_INLINE __u32
fp_sg_ethertype(__u32 et, __u32 dir, const __u16 *permitted)
{
	__u32 i;

	if (et == FP_ETH_P_IPV4 || et == FP_ETH_P_IPV6)
		return FP_SG_BASE_RULES;
	if (et == FP_ETH_P_ARP || (et == FP_ETH_P_RARP && dir == FP_SG_DIR_EGRESS))
		return FP_SG_BASE_ALLOW;
	for (i = 0; permitted && i < FP_GUARD_ETHERTYPE_MAX && permitted[i]; i++)
		if (permitted[i] == et)
			return FP_SG_BASE_ALLOW;
	return FP_DROP_ETHERTYPE_DENIED;
}

/* Is a in the prefix (pfx, plen) (plen in IPv6 bits)? */
FP_SG_INLINE int
fp_sg_prefix_has(const struct fp_ip *pfx, __u32 plen, const struct fp_ip *a)
{
	__u32 i, bits;
	__u8 mask;

	for (i = 0; i < 16; i++) {
		if (plen <= i * 8)
			return 1;
		bits = plen - i * 8;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((a->b[i] & mask) != pfx->b[i])
			return 0;
	}
	return 1;
}

/* fp_sg_rule_match() answers */
#define FP_SG_MATCH_NO 0
#define FP_SG_MATCH_YES 1
#define FP_SG_MATCH_ADDRSET 2 /* matches if the remote address is in r->addrset */

/**
 * Does rule r allow packet p going dir?  Everything but address-set
 * membership is checked here; the engine looks the remote address
 * (fp_sg_remote()) up in the rule's set when told FP_SG_MATCH_ADDRSET.
 * A later fragment has no ports or ICMP type: only rules without them
 * match it.
 *
 * @return FP_SG_MATCH_*
 */
FP_SG_INLINE __u32
fp_sg_rule_match(const struct fp_sg_rule *r, const struct fp_sg_pkt *p, __u32 dir)
{
	const struct fp_ip *remote = dir == FP_SG_DIR_INGRESS ? &p->src : &p->dst;
	__u32 f = r->flags;

	if (r->family != p->family)
		return FP_SG_MATCH_NO;
	if ((f & FP_SG_RULE_F_PROTO) && r->proto != p->proto)
		return FP_SG_MATCH_NO;
	if (f & (FP_SG_RULE_F_PORTS | FP_SG_RULE_F_ICMP_TYPE | FP_SG_RULE_F_ICMP_CODE)) {
		if (p->frag == FP_SG_FRAG_LATER)
			return FP_SG_MATCH_NO;
		if ((f & FP_SG_RULE_F_PORTS) && (!fp_sg_proto_has_ports(p->proto) ||
						 p->dport < r->port_min || p->dport > r->port_max))
			return FP_SG_MATCH_NO;
		if ((f & FP_SG_RULE_F_ICMP_TYPE) &&
		    (!fp_sg_is_icmp(p) || p->icmp_type != r->icmp_type))
			return FP_SG_MATCH_NO;
		if ((f & FP_SG_RULE_F_ICMP_CODE) &&
		    (!fp_sg_is_icmp(p) || p->icmp_code != r->icmp_code))
			return FP_SG_MATCH_NO;
	}
	if (f & FP_SG_RULE_F_ADDRSET)
		return FP_SG_MATCH_ADDRSET;
	if (r->plen && !fp_sg_prefix_has(&r->remote, r->plen, remote))
		return FP_SG_MATCH_NO;
	return FP_SG_MATCH_YES;
}

/* The remote end of p going dir: the address a rule's prefix or set is
 * matched against.
 */
FP_SG_INLINE const struct fp_ip *
fp_sg_remote(const struct fp_sg_pkt *p, __u32 dir)
{
	return dir == FP_SG_DIR_INGRESS ? &p->src : &p->dst;
}

/* ICMP(v6) echo: tracked by its identifier.  Returns 1 for a request, 2
 * for a reply, 0 otherwise.
 */
FP_SG_INLINE int
fp_ct_icmp_echo(const struct fp_sg_pkt *p)
{
	if (p->family == 4 && p->proto == FP_SG_PROTO_ICMP)
		return p->icmp_type == 8 ? 1 : p->icmp_type == 0 ? 2 : 0;
	if (p->family == 6 && p->proto == FP_SG_PROTO_ICMPV6)
		return p->icmp_type == 128 ? 1 : p->icmp_type == 129 ? 2 : 0;
	return 0;
}

/* An ICMP(v6) error that quotes a packet of a connection (destination
 * unreachable, time exceeded, parameter problem; ICMPv6 packet too big)?
 */
FP_SG_INLINE int
fp_ct_icmp_error(const struct fp_sg_pkt *p)
{
	__u32 t = p->icmp_type;

	if (p->frag == FP_SG_FRAG_LATER)
		return 0;
	if (p->family == 4 && p->proto == FP_SG_PROTO_ICMP)
		return t == 3 || t == 11 || t == 12;
	if (p->family == 6 && p->proto == FP_SG_PROTO_ICMPV6)
		return t >= 1 && t <= 4;
	return 0;
}

/* Compare (x, xp) with (y, yp): < 0, 0, > 0. */
FP_SG_INLINE int
fp_ct_end_cmp(const struct fp_ip *x, __u16 xp, const struct fp_ip *y, __u16 yp)
{
	__u32 i;

	for (i = 0; i < 16; i++)
		if (x->b[i] != y->b[i])
			return x->b[i] < y->b[i] ? -1 : 1;
	return xp == yp ? 0 : xp < yp ? -1 : 1;
}

/**
 * The connection key of p in zone: the same for p and for its reply.
 * ICMP echo is keyed by its identifier (both ports); other protocols
 * without ports by their addresses.
 *
 * @param k    key to fill (pad zeroed)
 * @param zone the filtered port's id
 * @param p    the packet (not a later fragment)
 * @return 1 if p goes from endpoint a to b, 0 if from b to a
 */
FP_SG_INLINE int
fp_ct_key_make(struct fp_ct_key *k, __u32 zone, const struct fp_sg_pkt *p)
{
	__u16 sp = 0, dp = 0;
	int a_first;

	if (fp_sg_proto_has_ports(p->proto)) {
		sp = p->sport;
		dp = p->dport;
	} else if (fp_ct_icmp_echo(p)) {
		sp = p->icmp_id;
		dp = p->icmp_id;
	}
	a_first = fp_ct_end_cmp(&p->src, sp, &p->dst, dp) <= 0;
	k->a = a_first ? p->src : p->dst;
	k->b = a_first ? p->dst : p->src;
	k->a_port = a_first ? sp : dp;
	k->b_port = a_first ? dp : sp;
	k->zone = (__u16)zone;
	k->proto = p->proto;
	k->pad = 0;
	return a_first;
}

/**
 * The packet that opened the connection of key k, as revalidation matches
 * it against the rules: addresses and ports the way it went (the entry's
 * FP_CT_F_ORIG_A), a TCP SYN, or an ICMP(v6) echo request.
 *
 * @param k     the connection's key
 * @param flags its entry's FP_CT_F_*
 * @param p     filled
 */
FP_SG_INLINE void
fp_ct_opener(const struct fp_ct_key *k, __u32 flags, struct fp_sg_pkt *p)
{
	int a = (flags & FP_CT_F_ORIG_A) != 0;
	__u32 i, v4 = k->a.b[10] == 0xff && k->a.b[11] == 0xff;

	for (i = 0; i < 10; i++)
		v4 = v4 && k->a.b[i] == 0;
	__builtin_memset(p, 0, sizeof(*p));
	p->src = a ? k->a : k->b;
	p->dst = a ? k->b : k->a;
	p->family = v4 ? 4 : 6;
	p->proto = k->proto;
	if (fp_sg_proto_has_ports(k->proto)) {
		p->sport = a ? k->a_port : k->b_port;
		p->dport = a ? k->b_port : k->a_port;
		p->tcp_flags = FP_SG_TCP_SYN;
	} else if (fp_sg_is_icmp(p)) {
		p->icmp_type = p->family == 4 ? 8 : 128;
		p->icmp_id = k->a_port;
	}
}

/* fp_ct_next() answers besides a state */
#define FP_CT_MOVE_INVALID FP_CT_STATE_MAX	/* drop: ct_invalid */
#define FP_CT_MOVE_IGNORE (FP_CT_STATE_MAX + 1) /* pass, state unchanged */

/* TCP flag classes of the transition table. */
#define FP_CT_TCP_SYN 0
#define FP_CT_TCP_SYNACK 1
#define FP_CT_TCP_FIN 2
#define FP_CT_TCP_ACK 3
#define FP_CT_TCP_RST 4
#define FP_CT_TCP_NONE 5

FP_SG_INLINE __u32
fp_ct_tcp_class(__u32 flags)
{
	if (flags & FP_SG_TCP_RST)
		return FP_CT_TCP_RST;
	if (flags & FP_SG_TCP_SYN)
		return (flags & FP_SG_TCP_ACK) ? FP_CT_TCP_SYNACK : FP_CT_TCP_SYN;
	if (flags & FP_SG_TCP_FIN)
		return FP_CT_TCP_FIN;
	if (flags & FP_SG_TCP_ACK)
		return FP_CT_TCP_ACK;
	return FP_CT_TCP_NONE;
}

/**
 * The TCP state after a packet of class cls (FP_CT_TCP_*) going the
 * original (reply == 0) or reply way, from state s.  Linux nf_conntrack's
 * table (tcp_conntracks[], nf_conntrack_proto_tcp.c) without the window
 * checks, with loose pickup: an ACK in the original way opens a connection
 * as established (mid-stream pickup after a restart).
 *
 * @return an FP_CT_* TCP state, FP_CT_MOVE_INVALID or FP_CT_MOVE_IGNORE
 */
FP_SG_INLINE __u32
fp_ct_tcp_next(__u32 s, __u32 reply, __u32 cls)
{
	/* Columns: NONE SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT
	 * LAST_ACK TIME_WAIT CLOSE SYN_SENT2; rows: SYN SYNACK FIN ACK RST.
	 */
#define sNO FP_CT_NONE
#define sSS FP_CT_SYN_SENT
#define sSR FP_CT_SYN_RECV
#define sES FP_CT_ESTABLISHED
#define sFW FP_CT_FIN_WAIT
#define sCW FP_CT_CLOSE_WAIT
#define sLA FP_CT_LAST_ACK
#define sTW FP_CT_TIME_WAIT
#define sCL FP_CT_CLOSE
#define sS2 FP_CT_SYN_SENT2
#define sIV FP_CT_MOVE_INVALID
#define sIG FP_CT_MOVE_IGNORE
	static const __u8 orig[5][10] = {
		/* syn */ { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
		/* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
		/* fin */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack */ { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
		/* rst */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	};
	static const __u8 rep[5][10] = {
		/* syn */ { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
		/* synack */ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
		/* fin */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack */ { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
		/* rst */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	};
#undef sNO
#undef sSS
#undef sSR
#undef sES
#undef sFW
#undef sCW
#undef sLA
#undef sTW
#undef sCL
#undef sS2
#undef sIV
#undef sIG
	if (cls >= FP_CT_TCP_NONE || s > FP_CT_SYN_SENT2)
		return FP_CT_MOVE_INVALID;
	return reply ? rep[cls][s] : orig[cls][s];
}

/**
 * The state of a new connection opened by p, or FP_CT_MOVE_INVALID when p
 * cannot open one (a TCP packet other than SYN or ACK; an ICMP echo reply;
 * an ICMP error: those are related or nothing).
 */
FP_SG_INLINE __u32
fp_ct_first(const struct fp_sg_pkt *p)
{
	if (p->proto == FP_SG_PROTO_TCP)
		return fp_ct_tcp_next(FP_CT_NONE, 0, fp_ct_tcp_class(p->tcp_flags));
	if (p->proto == FP_SG_PROTO_UDP || p->proto == FP_SG_PROTO_UDPLITE)
		return FP_CT_UDP_UNREPLIED;
	if (fp_sg_is_icmp(p))
		return fp_ct_icmp_echo(p) == 1 ? FP_CT_ICMP : FP_CT_MOVE_INVALID;
	return FP_CT_OTHER_UNREPLIED;
}

/**
 * The state of connection in state s after p went its original (reply ==
 * 0) or reply way.
 *
 * @return an FP_CT_* state, FP_CT_MOVE_INVALID or FP_CT_MOVE_IGNORE
 */
FP_SG_INLINE __u32
fp_ct_next(__u32 s, __u32 reply, const struct fp_sg_pkt *p)
{
	if (p->proto == FP_SG_PROTO_TCP)
		return fp_ct_tcp_next(s, reply, fp_ct_tcp_class(p->tcp_flags));
	if (s == FP_CT_UDP_UNREPLIED && reply)
		return FP_CT_UDP_REPLIED;
	if (s == FP_CT_OTHER_UNREPLIED && reply)
		return FP_CT_OTHER_REPLIED;
	if (s == FP_CT_ICMP && fp_ct_icmp_echo(p) != (reply ? 2 : 1))
		return FP_CT_MOVE_INVALID;
	return s;
}

/* The parse of a frame for the security groups: the decoding both engines'
 * parses share (dataplane/sg.c fp_sg_parse(), bpf/fp_sg.bpf.h
 * fp_sg_parse_frame()).  Each helper reads header bytes its caller has
 * bounded and passes in (NULL: the frame ends before them): fp-dpdk bounds
 * them by the frame's length, the XDP program by a pointer it checks
 * against data_end, as the verifier needs to see in the program itself.
 * So the walk over the frame (which bytes, where) stays with each engine;
 * what the bytes mean is written once here.  Addresses are the caller's
 * to copy: written here, a 16-byte copy from the packet compiles to 16
 * byte loads and stores in BPF (the pointer is not known to be aligned);
 * the XDP program copies with 8-byte loads instead.
 */

#define FP_SG_EXT_MAX 8 /* IPv6 extension headers walked; a 9th: invalid */

/* A parse's place in an IP packet. */
struct fp_sg_l3 {
	__u32 off;  /* the XDP program's: frame offset of the IP header (fp-dpdk: 0) */
	__u32 tot;  /* the IP packet's length, header included (a quote's: cut to len) */
	__u32 cur;  /* offset of header nh from the IP header: the L4 header at the end */
	__u32 nh;   /* the protocol of the header at cur */
	__u32 frag; /* FP_SG_FRAG_* */
	__u32 pad;  /* zero */
};

FP_SG_INLINE __u32
fp_sg_get16(const __u8 *b)
{
	return (__u32)b[0] << 8 | b[1];
}

/**
 * Start the parse of an IP header: version, lengths, IPv4 fragment.
 *
 * @param v4    its first 20 bytes, or NULL
 * @param v6    its first 40 bytes, or NULL
 * @param len   bytes of the IP packet there
 * @param quote a packet an ICMP error quotes: its lengths may exceed len
 * @param p     family 0, or the family the packet must have (a quote's);
 *		set to 4 or 6 (the caller copies the addresses: IPv4 at
 *		v4 + 12 and + 16, IPv6 at v6 + 8 and + 24)
 * @param x     filled (off untouched): the walk starts at x->cur
 * @return 4 (IPv4: x->cur is the L4 header), 6 (IPv6: extension headers
 *	   may follow, fp_sg_l3_ext()), or -1 (malformed)
 */
FP_SG_INLINE int
fp_sg_l3_start(const __u8 *v4, const __u8 *v6, __u32 len, __u32 quote, struct fp_sg_pkt *p,
	       struct fp_sg_l3 *x)
{
	__u32 hl, tot, fo;

	if (!v4 || len < 20)
		return -1;
	if ((v4[0] >> 4) == 4) {
		if (p->family == 6)
			return -1;
		hl = (__u32)(v4[0] & 0xf) * 4;
		tot = fp_sg_get16(v4 + 2);
		if (hl < 20 || hl > len || tot < hl)
			return -1;
		if (tot > len) {
			if (!quote)
				return -1;
			tot = len;
		}
		fo = fp_sg_get16(v4 + 6);
		p->family = 4;
		x->tot = tot;
		x->cur = hl;
		x->nh = v4[9];
		x->frag = (fo & 0x1fff) ? FP_SG_FRAG_LATER :
			  (fo & 0x2000) ? FP_SG_FRAG_FIRST :
					  FP_SG_FRAG_NONE;
		return 4;
	}
	if ((v4[0] >> 4) != 6 || !v6 || len < 40 || p->family == 4)
		return -1;
	tot = 40 + fp_sg_get16(v6 + 4);
	if (tot > len) {
		if (!quote)
			return -1;
		tot = len;
	}
	p->family = 6;
	x->tot = tot;
	x->cur = 40;
	x->nh = v6[6];
	x->frag = FP_SG_FRAG_NONE;
	return 6;
}

/**
 * Is the header at x->cur an IPv6 extension header to step over
 * (hop-by-hop, routing, fragment, AH, destination options)?
 *
 * @return 1 (yes: the caller bounds its first 8 bytes and calls
 *	   fp_sg_l3_ext_step()), 0 (no: x->cur is the L4 header), -1 (cut
 *	   short: malformed)
 */
FP_SG_INLINE int
fp_sg_l3_ext(const struct fp_sg_l3 *x)
{
	__u32 nh = x->nh;

	if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60)
		return 0;
	return x->cur + 8 > x->tot ? -1 : 1;
}

/**
 * Step over the extension header at x->cur.
 *
 * @param e its first 8 bytes
 * @return 1 (x moved to the next header), 0 (a later fragment: no L4
 *	   header, stop), -1 (longer than the packet)
 */
FP_SG_INLINE int
fp_sg_l3_ext_step(struct fp_sg_l3 *x, const __u8 *e)
{
	__u32 nh = x->nh, fo;

	x->nh = e[0];
	if (nh == 44) {
		fo = fp_sg_get16(e + 2);
		x->cur += 8;
		if (fo & 0xfff8) {
			x->frag = FP_SG_FRAG_LATER;
			return 0;
		}
		if (fo & 1)
			x->frag = FP_SG_FRAG_FIRST;
		return 1;
	}
	x->cur += nh == 51 ? ((__u32)e[1] + 2) * 4 : ((__u32)e[1] + 1) * 8;
	return x->cur > x->tot ? -1 : 1;
}

/* The end of the L3 walk: p's protocol and fragment. */
FP_SG_INLINE void
fp_sg_l3_end(const struct fp_sg_l3 *x, struct fp_sg_pkt *p)
{
	p->proto = (__u8)x->nh;
	p->frag = (__u8)x->frag;
}

/**
 * Decode the L4 header (after fp_sg_l3_end()): ports, TCP flags, ICMP(v6)
 * type, code and echo identifier; a later fragment has none.
 *
 * @param b8    its first 8 bytes, or NULL
 * @param b20   its first 20 bytes, or NULL
 * @param len   bytes of L4 header and payload in the IP packet
 * @param quote a quoted packet: only its first 8 bytes are there
 * @param qoff  set to 8 for an ICMP error: its quote starts there
 * @return 0, or -1 (truncated, a bad TCP data offset or UDP length)
 */
FP_SG_INLINE int
fp_sg_l4_decode(const __u8 *b8, const __u8 *b20, __u32 len, __u32 quote, struct fp_sg_pkt *p,
		__u32 *qoff)
{
	__u32 need, v;

	if (p->frag == FP_SG_FRAG_LATER)
		return 0;
	/* Ports first: fp_sg_is_icmp() reads family and proto as one 16-bit
	 * word, which stalls on the byte stores the L3 parse just made.
	 */
	if (!fp_sg_proto_has_ports(p->proto)) {
		if (!fp_sg_is_icmp(p))
			return 0;
		if (len < 8 || !b8)
			return -1;
		p->icmp_type = b8[0];
		p->icmp_code = b8[1];
		if (fp_ct_icmp_echo(p))
			p->icmp_id = (__u16)fp_sg_get16(b8 + 4);
		if (fp_ct_icmp_error(p))
			*qoff = 8;
		return 0;
	}
	if (quote)
		need = 8;
	else if (p->proto == FP_SG_PROTO_TCP)
		need = 20;
	else if (p->proto == FP_SG_PROTO_SCTP || p->proto == FP_SG_PROTO_DCCP)
		need = 12;
	else
		need = 8;
	if (len < need || !b8)
		return -1;
	p->sport = (__u16)fp_sg_get16(b8);
	p->dport = (__u16)fp_sg_get16(b8 + 2);
	if (quote)
		return 0;
	if (p->proto == FP_SG_PROTO_TCP) {
		if (!b20)
			return -1;
		v = (__u32)(b20[12] >> 4) * 4;
		if (v < 20 || v > len)
			return -1;
		p->tcp_flags = b20[13];
	} else if (p->proto == FP_SG_PROTO_UDP) {
		v = fp_sg_get16(b8 + 4);
		if (v < 8 || v > len)
			return -1;
	}
	return 0;
}

/* Default timeouts in seconds, indexed by FP_CT_*:
 *   static const __u32 t[FP_CT_STATE_MAX] = { FP_FOREACH_CT_STATE(FP_CT_TIMEOUT_INIT) };
 */
#define FP_CT_TIMEOUT_INIT(id, name, timeout) [FP_CT_##id] = timeout,

#endif /* FLOWPLANE_SG_H */
