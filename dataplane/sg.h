/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-dpdk's security-group step (doc/security-groups.md, "The packet's
 * way"): the per-packet filter of a filtered port (FP_PORT_F_SG), egress
 * (from the VM, after its ingress checks, before the FDB) and ingress
 * (before delivery to the VM: local switching, decapsulation, each flood
 * copy).
 *
 * The decisions are the functions of include/flowplane/sg.h and only
 * those; this module parses the inner packet into a struct fp_sg_pkt, and
 * looks rulesets and address sets up in the tables (ftable.h) and
 * connections up in the connection table (ct.h).
 *
 * A burst at a time: fp_sg_prepare() parses each packet,
 * fp_sg_lookup_bulk() looks all their connections up at once, and
 * fp_sg_decide() decides each in order, each packet as if alone in its
 * burst (struct fp_sg_burst).
 *
 * Concurrency: called by any worker; the tables are read lock-free (the
 * caller is an RCU reader), the connection table is shared lock-free.  A
 * dry run (fpctl trace) reads the tables and the connection table and
 * writes neither.
 */
#ifndef FP_SG_H
#define FP_SG_H

#include <stdint.h>

#include <flowplane/sg.h>
#include <flowplane/tables.h>

#include "ct.h"
#include "ftable.h"

/* fp_sg_parse() answers */
#define FP_SG_PARSE_IP 0     /* an IP packet: p filled */
#define FP_SG_PARSE_NOT_IP 1 /* not IP (ARP, ...): fp_sg_ethertype() decides */
#define FP_SG_PARSE_BAD (-1) /* malformed IP, or a tagged frame: invalid */

/* What fp_sg_parse() found besides the summary: where an ICMP error's
 * quoted packet is.
 */
struct fp_sg_parse_info {
	uint32_t quote_off; /* offset of the quoted IP header; 0: none */
	uint32_t quote_len; /* bytes of it in the frame */
};

/**
 * Parse an Ethernet frame into the summary the security groups match on:
 * IPv4 (options, fragments) or IPv6 (extension headers, fragments), then
 * TCP/UDP/UDP-Lite/SCTP/DCCP ports, TCP flags, ICMP(v6) type, code and echo
 * identifier.  Pure: no tables.
 *
 * @return FP_SG_PARSE_IP, FP_SG_PARSE_NOT_IP or FP_SG_PARSE_BAD (bad
 *	   version, lengths, truncated L4 header, a VLAN tag)
 */
int fp_sg_parse(const uint8_t *f, uint32_t len, struct fp_sg_pkt *p, struct fp_sg_parse_info *info);

/**
 * Parse the packet an ICMP(v6) error quotes (its IP header and at least
 * the first 8 bytes of its L4 header; the lengths in it are not checked
 * against what is quoted).
 *
 * @param b	 the quoted IP header
 * @param len	 bytes available
 * @param family the ICMP error's family (the quote must be the same)
 * @return 0, or -1 when it cannot be read
 */
int fp_sg_parse_quote(const uint8_t *b, uint32_t len, uint32_t family, struct fp_sg_pkt *p);

/**
 * The ethertype policy of a port with port security (sg.h
 * fp_sg_ethertype(), with the permitted list of t's guard settings).
 *
 * @param t   the tables
 * @param et  the frame's ethertype, host order
 * @param dir FP_SG_DIR_*
 * @return FP_DROP_MAX (passes; IPv4 and IPv6: on to the rules) or
 *	   FP_DROP_ETHERTYPE_DENIED
 */
uint32_t fp_sg_ethertype_check(const struct fp_ftables *t, uint32_t et, uint32_t dir);

/* fp_sg_result.what: how the packet was decided. */
#define FP_FOREACH_SG_WHAT(_)                               \
	_(NONE, "not decided")                              \
	_(NOT_IP, "not ip: ethertype allowed")              \
	_(ETHERTYPE, "not ip: ethertype not allowed")       \
	_(INVALID, "malformed")                             \
	_(BASE_ALLOW, "base policy: allowed")               \
	_(BASE_DROP, "base policy: dropped")                \
	_(NO_RULESET, "no ruleset")                         \
	_(RELATED, "icmp error of a tracked connection")    \
	_(HIT, "tracked connection")                        \
	_(REVALIDATED, "tracked connection, revalidated")   \
	_(REVOKED, "tracked connection, no longer allowed") \
	_(BAD_MOVE, "tracked connection, invalid move")     \
	_(NEW, "allowed, new connection")                   \
	_(PICKUP, "allowed, connection picked up")          \
	_(CANNOT_OPEN, "allowed, cannot open a connection") \
	_(FULL, "allowed, connection table full")           \
	_(STATELESS, "allowed, not tracked")                \
	_(DENIED, "no rule allows it")

#define FP_SG_WHAT_ENUM(id, text) FP_SG_WHAT_##id,
enum fp_sg_what { FP_FOREACH_SG_WHAT(FP_SG_WHAT_ENUM) FP_SG_WHAT_MAX };
#undef FP_SG_WHAT_ENUM

/** Text of an FP_SG_WHAT_* value. */
const char *fp_sg_what_str(uint32_t what);

/* The decision on one packet and what to count. */
struct fp_sg_result {
	struct fp_sg_pkt p; /* the packet as matched (valid from BASE_* on) */
	uint32_t drop;	    /* FP_DROP_* reason, or FP_DROP_MAX: passes */
	uint32_t what;	    /* FP_SG_WHAT_* */
	uint16_t stat[2];   /* FP_STAT_* to count, FP_STAT_MAX: none */
	uint32_t rule_id;   /* the rule that allowed it (or admitted its connection) */
	uint32_t state;	    /* the connection's state after it (FP_CT_*), FP_CT_STATE_MAX: none */
	uint32_t pad;	    /* zero */
};

/* What the security-group step keeps for one burst: the connections its
 * decisions changed so far (inserted, removed, moved), as a 256-bit
 * filter of their keys (a bulk lookup made before such a change no
 * longer stands for a packet of that key, which looks its connection up
 * again), and the last ruleset looked up (a burst's packets mostly share
 * one).  Zeroed at the start of each burst.
 */
struct fp_sg_burst {
	uint64_t written[4];		 /* bit per key fold (sg.c key_bit()) */
	const struct fp_ruleset_val *rs; /* ruleset (rs_id - 1, rs_dir); may be NULL */
	uint32_t rs_id;			 /* its id + 1; 0: none looked up yet */
	uint32_t rs_dir;		 /* its direction */
};

/* fp_sg_work.flags */
#define FP_SG_W_LOOKUP 0x01 /* key is set: the decision looks the connection up */
#define FP_SG_W_LOOKED 0x02 /* fp_sg_lookup_bulk() looked it up (FP_SG_W_HIT: found) */
#define FP_SG_W_HIT 0x04    /* found: ref */

/* One packet's security-group step: what fp_sg_prepare() found, the
 * bulk lookup's answer, then the decision.
 */
struct fp_sg_work {
	struct fp_sg_result res;      /* the decision; res.p the packet */
	struct fp_ct_key key;	      /* its connection key (FP_SG_W_LOOKUP) */
	struct fp_ct_ref ref;	      /* its connection (FP_SG_W_HIT) */
	struct fp_sg_parse_info info; /* an ICMP error's quote */
	const uint8_t *frame;	      /* the frame (the quote is in it) */
	uint32_t port_id;	      /* the filtered port (the connections' zone) */
	uint8_t dir;		      /* FP_SG_DIR_* */
	int8_t parsed;		      /* fp_sg_parse()'s answer (FP_SG_PARSE_*) */
	uint8_t a_first;	      /* fp_ct_key_make()'s answer */
	uint8_t flags;		      /* FP_SG_W_* */
	uint32_t base;		      /* fp_sg_base()'s answer */
};

/**
 * First step of a packet of a filtered port: parse it.  Pure: no tables.
 *
 * @param port_id the filtered port (the connections' zone)
 * @param dir	  FP_SG_DIR_EGRESS (from the VM) or FP_SG_DIR_INGRESS (to it)
 * @param f	  the (inner) Ethernet frame
 * @param len	  its bytes
 * @param w	  filled
 */
void fp_sg_prepare(uint32_t port_id, uint32_t dir, const uint8_t *f, uint32_t len,
		   struct fp_sg_work *w);

/**
 * Second step, for a burst of prepared packets: the base policy, the
 * connection keys, and one lookup of them all (fp_ct_lookup_bulk(): the
 * cache misses overlap; a packet that needs no connection is not looked
 * up).  Apart from fp_sg_prepare() so that the packets' parsed fields are
 * in memory, not in flight, when they are read again.  Never waits,
 * changes nothing.
 *
 * @param t	 the tables (t->ct NULL: keys only)
 * @param w	 n prepared packets
 * @param n	 at most FP_CT_BULK_MAX
 * @param now_ns the burst's time
 */
void fp_sg_lookup_bulk(const struct fp_ftables *t, struct fp_sg_work *const w[], uint32_t n,
		       uint64_t now_ns);

/**
 * Decide a packet after fp_sg_lookup_bulk(): the rules, its connection
 * (the bulk lookup's answer unless b says that this burst changed a
 * connection of its key since; else a lookup of its own), a new
 * connection.  Packets of one burst are decided in their order, so a
 * packet sees what the ones before it did to the connection table, as if
 * each were alone in a burst.
 *
 * @param t	  the tables (t->ct: the connection table, or NULL: every
 *		  stateful allow finds the table full)
 * @param pt	  the filtered port's entry (FP_PORT_F_SG set)
 * @param w	  prepared, keyed and looked up by fp_sg_lookup_bulk()
 * @param now_ns  CLOCK_MONOTONIC time of the burst
 * @param gen	  fp_ftables_sg_gen() read before this burst's lookups
 * @param dry	  1: change nothing (trace); 0: open, move, remove connections
 * @param b	  the burst's changes (read, and added to)
 * @return w->res.drop
 */
uint32_t fp_sg_decide(const struct fp_ftables *t, const struct fp_dp_port *pt, struct fp_sg_work *w,
		      uint64_t now_ns, uint64_t gen, int dry, struct fp_sg_burst *b);

#endif /* FP_SG_H */
