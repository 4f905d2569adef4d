/* SPDX-License-Identifier: BSD-3-Clause */
/* Parser of the data-driven packet cases in tests/cases/ (*.case).
 *
 * A case is a table setup (configured ports, local VTEP addresses, table
 * entries in transactions), one input frame on a logical port, and what
 * must come out: the output frames with their egress ports in order, the
 * verdict (transmitted, dropped with one reason, punted) and optional
 * counter values.  Where state matters (connection tracking), a case is a
 * sequence: earlier packets, each with its own outputs, verdict and
 * counters, end with a "next" line; the transactions before a packet's
 * "in" line are applied before it runs.  The format is described in tests/cases/README.md and at
 * the top of tests/cases/gen_cases.py, which writes the files.
 *
 * Engine-neutral: no DPDK, no libbpf.  Table, role, stat and drop names
 * are resolved through the X-macros of include/flowplane/tables.h, and
 * every key and value size is checked against the ABI structs, so the DPDK
 * pipeline test and the XDP test run the very same files.
 *
 * Not thread-safe per struct fp_case; no global state.
 */
#ifndef FP_TESTS_CASE_H
#define FP_TESTS_CASE_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#define FP_CASE_NAME_SIZE 64	 /* case name, NUL included */
#define FP_CASE_DESC_SIZE 256	 /* description, NUL included */
#define FP_CASE_LOCAL_VTEP_MAX 4 /* local_vtep lines */
#define FP_CASE_FRAME_MAX 9216	 /* largest frame a case may hold */

/* The verdict of a case. */
#define FP_FOREACH_CASE_VERDICT(_) \
	_(NONE, "none")            \
	_(TX, "tx")                \
	_(DROP, "drop")            \
	_(PUNT, "punt")

#define FP_CASE_VERDICT_ENUM(id, name) FP_CASE_VERDICT_##id,
enum fp_case_verdict { FP_FOREACH_CASE_VERDICT(FP_CASE_VERDICT_ENUM) FP_CASE_VERDICT_MAX };
#undef FP_CASE_VERDICT_ENUM

/* A port the config declares ("port" line). */
struct fp_case_port {
	uint32_t id;	/* logical port id */
	uint16_t role;	/* FP_PORT_ROLE_* */
	uint16_t mtu;	/* L3 MTU */
	uint8_t mac[6]; /* device MAC */
	uint8_t pad[2]; /* zero */
};

/* A table change ("entry" or "del" line). */
struct fp_case_entry {
	uint16_t table;	   /* FP_TABLE_* */
	uint16_t key_size; /* bytes at key */
	uint16_t val_size; /* bytes at val; 0 for a delete */
	uint16_t txn;	   /* transaction index, from 0 */
	uint32_t line;	   /* line number in the file */
	uint32_t pad;	   /* zero */
	uint8_t *key;	   /* the ABI key struct */
	uint8_t *val;	   /* the ABI value struct; NULL for a delete */
};

/* A frame and its logical port ("in" or "out" line). */
struct fp_case_frame {
	uint32_t port; /* logical port id */
	uint32_t len;  /* bytes at data */
	uint32_t line; /* line number in the file */
	uint32_t pad;  /* zero */
	uint8_t *data; /* the frame, from the Ethernet header */
};

/* A counter expectation ("stat" line). */
struct fp_case_stat {
	uint16_t id;	 /* FP_STAT_* */
	uint16_t pad[3]; /* zero */
	uint64_t value;	 /* expected value */
};

/* An earlier packet of a sequence (the lines before a "next" line). */
struct fp_case_step {
	struct fp_case_frame in;    /* its input frame */
	struct fp_case_frame *outs; /* expected outputs, in order */
	uint32_t n_outs;	    /* valid outs */
	uint16_t verdict;	    /* FP_CASE_VERDICT_* */
	uint16_t drop;		    /* FP_DROP_* when verdict is DROP */
	struct fp_case_stat *stats; /* extra counter expectations */
	uint32_t n_stats;	    /* valid stats */
	uint32_t n_txns;	    /* transactions applied before it */
};

/* Engines a case runs on ("engines" line; default: all). */
#define FP_CASE_ENGINE_DPDK 0x1
#define FP_CASE_ENGINE_XDP 0x2
#define FP_CASE_ENGINE_ALL 0x3

struct fp_case {
	char name[FP_CASE_NAME_SIZE];			  /* "name" line */
	char desc[FP_CASE_DESC_SIZE];			  /* "desc" line, may be empty */
	struct fp_case_port ports[FP_PORT_MAX];		  /* "port" lines, file order */
	uint32_t n_ports;				  /* valid ports */
	struct fp_ip local_vteps[FP_CASE_LOCAL_VTEP_MAX]; /* "local_vtep" lines */
	uint32_t n_local_vteps;				  /* valid local_vteps */
	struct fp_case_entry *entries;			  /* table changes, file order */
	uint32_t n_entries;				  /* valid entries */
	uint32_t n_txns;				  /* transactions (entries' txn < n_txns) */
	struct fp_case_frame in;			  /* the input frame */
	struct fp_case_frame *outs;			  /* expected outputs, in order */
	uint32_t n_outs;				  /* valid outs */
	uint16_t verdict;				  /* FP_CASE_VERDICT_* */
	uint16_t drop;					  /* FP_DROP_* when verdict is DROP */
	struct fp_case_stat *stats;			  /* extra counter expectations */
	uint32_t n_stats;				  /* valid stats */
	struct fp_case_step *steps;			  /* earlier packets, in order */
	uint32_t n_steps;				  /* valid steps */
	uint32_t engines;				  /* FP_CASE_ENGINE_* */
	char engines_why[FP_CASE_DESC_SIZE];		  /* why not every engine */
	uint32_t ct_size;	   /* "conntrack" line: connection table size; 0: runner's */
	uint32_t pad;		   /* zero */
	struct fp_guard_cfg guard; /* "guard" line; default: the config's defaults */
};

/**
 * The case as a one-packet case for step i (0..n_steps; n_steps: the
 * last packet, the case itself): a shallow copy whose in, outs, verdict
 * and stats are that packet's.  Do not free it.
 */
void fp_case_step_view(const struct fp_case *c, uint32_t i, struct fp_case *view);

/**
 * Parse a case file.
 *
 * @param path  the file
 * @param c	filled in; release with fp_case_free() (also on error)
 * @param err	receives "path:line: message" on error
 * @param errsz size of err
 * @return 0, -EINVAL (malformed file), -ENOMEM, or -errno from fopen()
 */
int fp_case_load(const char *path, struct fp_case *c, char *err, size_t errsz);

/** Release what fp_case_load() allocated.  Accepts NULL. */
void fp_case_free(struct fp_case *c);

/** Name of a table id, "?" if out of range. */
const char *fp_case_table_name(unsigned int table);

/** Name of a stat id, "?" if out of range. */
const char *fp_case_stat_name(unsigned int id);

/** Name of a drop reason, "?" if out of range. */
const char *fp_case_drop_name(unsigned int id);

/** Name of a verdict, "?" if out of range. */
const char *fp_case_verdict_name(unsigned int v);

#endif /* FP_TESTS_CASE_H */
