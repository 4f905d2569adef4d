/* SPDX-License-Identifier: BSD-3-Clause */
/* flowplane control socket ABI.
 *
 * fp-dpdk listens on a Unix stream socket (config: control.socket).  Every
 * message is a struct fp_ctl_hdr followed by hdr.len payload bytes.  All
 * integers are in host byte order (the socket is local).
 *
 * Conversation:
 *   HELLO                      -> HELLO_REPLY (struct fp_ctl_hello)
 *   BEGIN                      -> REPLY
 *   SET / DEL ... (no replies; staged in the client's transaction)
 *   COMMIT                     -> REPLY: all staged changes applied, or none
 *   ABORT                      -> REPLY
 *   DUMP (struct fp_ctl_dump)  -> ENTRY ... then REPLY (n = entries sent)
 *   STATS                      -> STATS_REPLY (struct fp_ctl_stats ...)
 *   TRACE (struct fp_ctl_trace_req + frame) -> TRACE_REPLY (struct fp_ctl_trace ...)
 *   CT_DUMP (struct fp_ctl_ct_dump) -> CT_REPLY (struct fp_ctl_ct_reply ...)
 *   SLOWPATH                   -> SLOWPATH_REPLY (struct fp_ctl_slowpath)
 * A failed or malformed request gets REPLY with a negative errno in status
 * and a NUL-terminated message.  A commit applies sets in table order
 * (port, vtep, neigh, flood, fdb) and then deletes in reverse order, so no
 * packet sees an entry that points at something missing (make before
 * break).
 *
 * Rules:
 *   - A bad magic (-EPROTO), version (-EPROTONOSUPPORT) or a length above
 *     FP_CTL_MAX_PAYLOAD (-EMSGSIZE) gets an error REPLY, then the server
 *     closes the connection (the stream cannot be resynced).
 *   - SET/DEL outside a transaction get REPLY -EPROTO.  Inside one they get
 *     no reply; a malformed one marks the transaction failed and COMMIT
 *     reports it (with its index) and applies nothing.
 *   - COMMIT ends the transaction whatever its result; COMMIT outside one
 *     is -EPROTO; BEGIN inside one is -EBUSY; ABORT outside one is 0.
 *   - Unknown types get -EOPNOTSUPP; a payload where none belongs, -EINVAL.
 *   - Changes of one transaction form a set: for one key a delete wins over
 *     a set; a delete must name an entry that exists or is set before it.
 */
#ifndef FLOWPLANE_CTL_H
#define FLOWPLANE_CTL_H

#include <linux/types.h>

#include "tables.h"

#define FP_CTL_MAGIC 0x4650434cU /* "FPCL" */
#define FP_CTL_VERSION 1
#define FP_CTL_MAX_PAYLOAD (1U << 20) /* larger frames are refused */
#define FP_CTL_MSG_SIZE 128	      /* reply message text, NUL included */
#define FP_CTL_TXN_MAX 1048576	      /* staged changes per transaction */

/* Message types: FP_CTL_<ID>, "name". */
#define FP_FOREACH_CTL_MSG(_)         \
	_(HELLO, "hello")             \
	_(HELLO_REPLY, "hello_reply") \
	_(BEGIN, "begin")             \
	_(SET, "set")                 \
	_(DEL, "del")                 \
	_(COMMIT, "commit")           \
	_(ABORT, "abort")             \
	_(DUMP, "dump")               \
	_(ENTRY, "entry")             \
	_(STATS, "stats")             \
	_(STATS_REPLY, "stats_reply") \
	_(REPLY, "reply")             \
	_(TRACE, "trace")             \
	_(TRACE_REPLY, "trace_reply") \
	_(CT_DUMP, "ct_dump")         \
	_(CT_REPLY, "ct_reply")       \
	_(SLOWPATH, "slowpath")       \
	_(SLOWPATH_REPLY, "slowpath_reply")

#define FP_CTL_ENUM(id, name) FP_CTL_##id,
enum fp_ctl_msg { FP_FOREACH_CTL_MSG(FP_CTL_ENUM) FP_CTL_MSG_MAX };
#undef FP_CTL_ENUM

struct fp_ctl_hdr {
	__u32 magic;   /* FP_CTL_MAGIC */
	__u16 version; /* FP_CTL_VERSION */
	__u16 type;    /* FP_CTL_* */
	__u32 len;     /* payload bytes that follow */
	__u32 seq;     /* echoed in the reply */
};

/* REPLY payload. */
struct fp_ctl_reply {
	__s32 status;		   /* 0 or a negative errno */
	__u32 n;		   /* changes applied, entries dumped */
	__u32 index;		   /* failing change in the transaction */
	__u32 pad;		   /* zero */
	char msg[FP_CTL_MSG_SIZE]; /* human-readable result */
};

/* HELLO_REPLY payload. */
struct fp_ctl_hello {
	__u32 abi_version;		 /* FP_ABI_VERSION of the server */
	__u32 n_ports;			 /* configured ports */
	__u32 n_workers;		 /* worker lcores */
	__u32 pad;			 /* zero */
	__u32 table_limit[FP_TABLE_MAX]; /* configured sizes */
	__u32 table_count[FP_TABLE_MAX]; /* entries installed */
	__u64 generation;		 /* table generation (commits) */
	char host[FP_NAME_SIZE];	 /* host name from the config */
};

/* SET, DEL and ENTRY payload: this header, then key_size key bytes, then
 * (SET, ENTRY) val_size value bytes.  Sizes must equal the ABI sizes.
 */
struct fp_ctl_entry {
	__u16 table;	/* FP_TABLE_* */
	__u16 key_size; /* sizeof the table's key struct */
	__u16 val_size; /* sizeof the value struct; 0 for DEL */
	__u16 pad;	/* zero */
};

/* DUMP payload. */
struct fp_ctl_dump {
	__u16 table;  /* FP_TABLE_* */
	__u16 pad[3]; /* zero */
};

/* STATS_REPLY payload: this header, n_workers struct fp_ctl_worker_stats,
 * then n_ports struct fp_ctl_port_stats.
 */
struct fp_ctl_stats {
	__u32 n_workers; /* worker blocks that follow */
	__u32 n_ports;	 /* port blocks that follow */
	__u32 n_stat;	 /* FP_STAT_MAX of the server */
	__u32 n_drop;	 /* FP_DROP_MAX of the server */
};

struct fp_ctl_worker_stats {
	__u32 lcore;		  /* lcore id */
	__u32 pad;		  /* zero */
	__u64 idle_sleeps;	  /* adaptive idle: times it slept */
	__u64 stats[FP_STAT_MAX]; /* FP_STAT_* */
	__u64 drops[FP_DROP_MAX]; /* FP_DROP_* */
};

#define FP_CTL_PORT_F_LINK_UP 0x1

struct fp_ctl_port_stats {
	__u32 port_id;		 /* logical port id */
	__u16 role;		 /* FP_PORT_ROLE_* */
	__u16 flags;		 /* FP_CTL_PORT_F_* */
	__u16 dpdk_port;	 /* DPDK port id */
	__u16 mtu;		 /* configured MTU */
	__u8 mac[6];		 /* device MAC */
	__u8 pad[2];		 /* zero */
	char name[FP_NAME_SIZE]; /* name from the config */
	__u64 rx_pkts;		 /* received by the workers */
	__u64 tx_pkts;		 /* accepted by the device */
	__u64 tx_dropped;	 /* refused by the device, freed */
	__u64 hw_ipackets;	 /* rte_eth_stats.ipackets */
	__u64 hw_opackets;	 /* rte_eth_stats.opackets */
	__u64 hw_imissed;	 /* rte_eth_stats.imissed */
	__u64 hw_ierrors;	 /* rte_eth_stats.ierrors */
	__u64 hw_oerrors;	 /* rte_eth_stats.oerrors */
	__u64 sg_drop_egress;	 /* security-group drops of packets from the VM */
	__u64 sg_drop_ingress;	 /* security-group drops of packets to the VM */
};

/* Packet trace ("why was this packet dropped?").  TRACE runs one frame
 * through the pipeline as if it had arrived on in_port, on the main lcore,
 * with a private mbuf and private counters: nothing is transmitted and the
 * data counters do not move.  TRACE_REPLY: struct fp_ctl_trace, n_steps
 * struct fp_ctl_trace_step, then n_out times a struct fp_ctl_trace_out
 * followed by its len frame bytes, padded with zeros to a multiple of 8.
 * Step names are shared with the XDP engine's trace (fpctl trace --xdp).
 */
#define FP_CTL_TRACE_FRAME_MAX 9216		       /* largest frame TRACE takes */
#define FP_CTL_TRACE_STEP_MAX 48		       /* steps recorded; more are cut */
#define FP_CTL_TRACE_TEXT_SIZE 124		       /* a step's text, NUL included */
#define FP_CTL_TRACE_OUT_MAX (FP_FLOOD_MEMBER_MAX + 1) /* output frames returned */

/* Trace steps: FP_TRACE_<ID>, "name". */
#define FP_FOREACH_TRACE_STEP(_) \
	_(PORT, "port")          \
	_(PARSE, "parse")        \
	_(SOURCE, "source")      \
	_(CLASSIFY, "classify")  \
	_(NEIGH, "neigh")        \
	_(REPLY, "reply")        \
	_(TUNNEL, "tunnel")      \
	_(DECAP, "decap")        \
	_(FDB, "fdb")            \
	_(VTEP, "vtep")          \
	_(FLOOD, "flood")        \
	_(ENCAP, "encap")        \
	_(DELIVER, "deliver")    \
	_(OUTPUT, "output")      \
	_(DROP, "drop")          \
	_(SG, "sg")              \
	_(ROUTE, "route")

#define FP_TRACE_ENUM(id, name) FP_TRACE_##id,
enum fp_trace_step_id { FP_FOREACH_TRACE_STEP(FP_TRACE_ENUM) FP_TRACE_STEP_ID_MAX };
#undef FP_TRACE_ENUM

/* TRACE payload: this header, then len frame bytes. */
struct fp_ctl_trace_req {
	__u32 in_port; /* logical port the frame arrives on */
	__u32 len;     /* frame bytes that follow, 14..FP_CTL_TRACE_FRAME_MAX */
};

/* TRACE_REPLY payload header. */
struct fp_ctl_trace {
	__u32 in_port; /* as requested */
	__u16 drop;    /* FP_DROP_* the frame was dropped with, else FP_DROP_MAX */
	__u16 n_steps; /* struct fp_ctl_trace_step that follow */
	__u16 n_out;   /* output frames after the steps */
	__u16 n_cut;   /* steps (or outputs) not recorded: record full */
	__u32 pad;     /* zero */
};

struct fp_ctl_trace_step {
	__u16 step;			   /* FP_TRACE_* */
	__u16 pad;			   /* zero */
	char text[FP_CTL_TRACE_TEXT_SIZE]; /* what the step saw or did */
};

struct fp_ctl_trace_out {
	__u32 port; /* logical port it would be sent on */
	__u32 len;  /* frame bytes that follow (then zeros up to 8) */
};

/* Connection dump (fpctl show conntrack).  CT_DUMP asks for the live
 * connections, of one zone (port) with FP_CTL_CT_F_ZONE; CT_REPLY is one
 * struct fp_ctl_ct_reply then n struct fp_ctl_ct_entry: the first
 * FP_CTL_CT_DUMP_MAX found, FP_CTL_CT_F_TRUNCATED when there were more.
 * fp-dpdk walks its table on the main lcore (fp_ct_walk()); the workers
 * never wait.  Errors (no connection table, bad request) get a REPLY.
 */
#define FP_CTL_CT_DUMP_MAX 10000  /* connections in one CT_REPLY */
#define FP_CTL_CT_F_ZONE 0x1	  /* CT_DUMP: only connections of zone */
#define FP_CTL_CT_F_TRUNCATED 0x1 /* CT_REPLY: more than n connections */

/* CT_DUMP payload. */
struct fp_ctl_ct_dump {
	__u16 zone;  /* the port, with FP_CTL_CT_F_ZONE */
	__u16 flags; /* FP_CTL_CT_F_ZONE */
	__u32 pad;   /* zero */
};

/* CT_REPLY payload header. */
struct fp_ctl_ct_reply {
	__u32 n;      /* struct fp_ctl_ct_entry that follow */
	__u32 flags;  /* FP_CTL_CT_F_TRUNCATED */
	__u64 now_ns; /* the server's CLOCK_MONOTONIC time (ages: now - last_ns) */
};

struct fp_ctl_ct_entry {
	struct fp_ct_key key; /* as in the table */
	struct fp_ct_val val; /* as in the table */
};

/* SLOWPATH_REPLY payload: the slow path's rings and counters
 * (doc/routing.md "The slow path").  The outcome counters are indexed by
 * the results of lib/dhcp4.h, dhcp6.h and ra.h (FP_DHCP4_*, ...; their
 * names fp_dhcp4_result_str(), ...), n_* of them valid.
 */
#define FP_CTL_SLOWPATH_OUTCOME_MAX 16 /* outcome counters per protocol */

struct fp_ctl_slowpath {
	__u32 queue;	    /* slowpath.queue: frames per worker ring */
	__u32 pps;	    /* slowpath.pps: punts per second per port (per worker) */
	__u32 queued;	    /* frames waiting in the punt rings now */
	__u32 n_workers;    /* rings (one per worker) */
	__u32 n_dhcp4;	    /* valid dhcp4 */
	__u32 n_dhcp6;	    /* valid dhcp6 */
	__u32 n_ra;	    /* valid ra */
	__u32 ra_nets_over; /* networks with an ra entry beyond the slow path's
			     * room at the last commit: no periodic RAs */
	__u64 sent;	    /* answers handed to a worker */
	__u64 inject_full;  /* answers dropped: the worker's inject ring was full */
	__u64 no_mbuf;	    /* answers dropped: no mbuf */
	__u64 no_entry;	    /* punted frames whose entry was gone */
	__u64 ra_periodic;  /* unsolicited RAs sent (one per port) */
	__u64 dhcp4[FP_CTL_SLOWPATH_OUTCOME_MAX]; /* DHCPv4 outcomes */
	__u64 dhcp6[FP_CTL_SLOWPATH_OUTCOME_MAX]; /* DHCPv6 outcomes */
	__u64 ra[FP_CTL_SLOWPATH_OUTCOME_MAX];	  /* router solicitation outcomes */
};

_Static_assert(sizeof(struct fp_ctl_slowpath) == 72 + 3 * 8 * FP_CTL_SLOWPATH_OUTCOME_MAX,
	       "slowpath reply");
_Static_assert(sizeof(struct fp_ctl_ct_dump) == 8, "ct dump");
_Static_assert(sizeof(struct fp_ctl_ct_reply) == 16, "ct reply");
_Static_assert(sizeof(struct fp_ctl_ct_entry) == 64, "ct entry");
_Static_assert(sizeof(struct fp_ctl_ct_reply) +
			       FP_CTL_CT_DUMP_MAX * sizeof(struct fp_ctl_ct_entry) <=
		       FP_CTL_MAX_PAYLOAD,
	       "ct reply fits a frame");
_Static_assert(sizeof(struct fp_ctl_trace_req) == 8, "trace req");
_Static_assert(sizeof(struct fp_ctl_trace) == 16, "trace");
_Static_assert(sizeof(struct fp_ctl_trace_step) == 128, "trace step");
_Static_assert(sizeof(struct fp_ctl_trace_out) == 8, "trace out");
_Static_assert(sizeof(struct fp_ctl_hdr) == 16, "ctl hdr");
_Static_assert(sizeof(struct fp_ctl_reply) == 16 + FP_CTL_MSG_SIZE, "reply");
_Static_assert(sizeof(struct fp_ctl_entry) == 8, "ctl entry");
_Static_assert(sizeof(struct fp_ctl_dump) == 8, "ctl dump");
_Static_assert(sizeof(struct fp_ctl_stats) == 16, "ctl stats");
_Static_assert(sizeof(struct fp_ctl_worker_stats) % 8 == 0, "worker stats");
_Static_assert(sizeof(struct fp_ctl_port_stats) == 136, "port stats");

#endif /* FLOWPLANE_CTL_H */
