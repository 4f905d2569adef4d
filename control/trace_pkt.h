/* SPDX-License-Identifier: BSD-3-Clause */
/* fpctl trace: the packet to trace, and the trace record both engines
 * return, decoded and printed in one format.
 *
 * A packet is given as hex bytes ("hex 0200..."), the first frame of a
 * pcap file ("pcap FILE"), or a short description, e.g.
 *   eth 02:00:00:00:00:01>02:00:00:00:00:02 ipv4 10.0.0.1>10.0.0.2 udp 1024>80
 *   eth A>B ipv6 fd00::1>fd00::2 tcp 1>2 | icmp
 *   eth A>ff:ff:ff:ff:ff:ff arp request 10.0.0.1>10.0.0.2
 *   eth A>B ipv4 192.0.2.1>192.0.2.2 vxlan 100 | geneve 100  eth ... (inner)
 * with "payload N" after the L4 word for N zero bytes of payload.  The
 * builder fills lengths and checksums (IPv4 header, UDP, TCP, ICMP).
 *
 * The record (struct fpctl_trace) is decoded from fp-dpdk's TRACE_REPLY,
 * or filled from the XDP engine's test run; both print with the same step
 * names (FP_FOREACH_TRACE_STEP).
 */
#ifndef FP_TRACE_PKT_H
#define FP_TRACE_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <flowplane/ctl.h>

/* A decoded trace record. */
struct fpctl_trace {
	const char *engine;	/* "dpdk" or "xdp" */
	uint32_t in_port;	/* port the frame arrived on */
	uint32_t in_len;	/* frame bytes */
	uint16_t drop;		/* FP_DROP_*, FP_DROP_MAX: none */
	uint16_t n_steps;	/* used steps */
	uint16_t n_out;		/* used outputs */
	uint16_t n_cut;		/* steps or outputs the engine could not record */
	const char *xdp_action; /* XDP: the program's verdict, else NULL */
	struct fp_ctl_trace_step steps[FP_CTL_TRACE_STEP_MAX]; /* in order */
	struct {
		uint32_t port;	      /* logical output port */
		uint32_t len;	      /* frame bytes (0: unknown) */
		const uint8_t *bytes; /* len bytes, or NULL */
	} out[FP_CTL_TRACE_OUT_MAX];  /* frames the engine would send */
};

/**
 * Build a frame from a description, hex words or a pcap file.
 *
 * @param w	   the words after "in-port N"
 * @param n	   number of words
 * @param frame	   receives the frame
 * @param cap	   size of frame
 * @param len	   receives its length
 * @param err	   receives a message on failure
 * @param err_size size of err
 * @return 0, -EINVAL (bad word, with err), -ENOSPC (frame larger than cap),
 *	   -ENOENT or another errno of the pcap file
 */
int fpctl_trace_frame_build(char **w, int n, uint8_t *frame, size_t cap, uint32_t *len, char *err,
			    size_t err_size);

/**
 * Decode a TRACE_REPLY payload.  t's out[].bytes point into buf.
 *
 * @return 0, or -EPROTO if the record is inconsistent
 */
int fpctl_trace_decode(const void *buf, uint32_t size, struct fpctl_trace *t);

/**
 * What happened to the frame, in one word: "drop", "reply", "flood",
 * "forward".
 */
const char *fpctl_trace_verdict(const struct fpctl_trace *t);

/** The name of drop reason drop ("none" for FP_DROP_MAX and above). */
const char *fpctl_trace_drop_name(uint16_t drop);

/**
 * Print a trace, as text or as one JSON object.
 *
 * @param hex  also print the output frames' bytes (JSON: always)
 */
void fpctl_trace_print(FILE *f, const struct fpctl_trace *t, int json, int hex);

#endif /* FP_TRACE_PKT_H */
