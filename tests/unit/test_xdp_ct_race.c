/* SPDX-License-Identifier: BSD-3-Clause */
/* The XDP program's connection table (fp_ct, fp_sg.bpf.h) on two CPUs at
 * once: two threads, pinned to CPU 0 and CPU 1, run the loaded program
 * (bpf_prog_test_run_opts) on the two directions of the same connections.
 * Thread "vm" sends what filtered VM port 0 sends (egress, encapsulated
 * toward vtep 1); thread "ul" sends what the underlay brings back (VXLAN
 * from vtep 1 on underlay port 1, decapsulated, ingress of port 0):
 *
 *   tcp:   vm SYN; ul SYN-ACK once that SYN went; vm ACK once the SYN-ACK
 *          went; then ACKs both ways at the same time (DATA_ROUNDS); then
 *          a simultaneous close: FINs both ways at the same time, then
 *          each side's ACK once the other's FIN went.  Every connection
 *          must end in time_wait: a state move lost to the other CPU
 *          (both FINs moving established -> fin_wait) ends in close_wait.
 *   udp:   both sides send a connection's first packet at the same time
 *          (the ingress rules allow UDP, so either may open it), twice:
 *          one entry, replied, and exactly one ct_new per connection.
 *   stale: the same over expired entries of the same keys left in fp_ct
 *          (not yet swept): still one ct_new per connection.  The CPU
 *          that loses the race for an expired entry waits a bounded time
 *          for the other's new entry, then drops its packet (ct_invalid);
 *          a virtual CPU stalled mid-replacement makes that happen now
 *          and then, so this side sends such a packet again (a peer's
 *          retransmission), and the test counts it.
 *
 * The two threads meet per connection (a rendezvous on a shared counter)
 * before each packet that the other side sends at the same time, so the
 * two test runs overlap as often as the machine lets them; a packet that
 * must follow the other side's waits for it.  Checked afterwards: no
 * packet dropped (each is of a connection that is open or opened by
 * rules; but for the stale case's packets sent again), one entry per
 * connection in a consistent state, and the counters add up (rx = tx +
 * the packets sent again, drops = ct_invalid = those, ct_new = one per
 * connection, ct_hit = the rest of tx, encap, decap).
 *
 * The underlay side needs a second interface (test runs name the
 * ingress ifindex): the test moves into a network namespace of its own
 * and creates a tap device there.  Without root, CAP_BPF, a second CPU
 * or /dev/net/tun every test is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/if_tun.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/sg.h>
#include <flowplane/xdp.h>

#include "../lib/xdp_sg_maps.h"
#include "fp_xdp.skel.h"
#include "fp_xdp_abi.h"

#define N_CONN 4096	     /* connections per kind (tcp, udp, stale) */
#define DATA_ROUNDS 2	     /* ACKs each way per TCP connection, both at once */
#define CT_SIZE (4 * N_CONN) /* fp_ct entries */
#define RULESET 1	     /* port 0's */
#define VNI 100
#define PORT_VM 0	       /* filtered VM port */
#define PORT_UL 1	       /* underlay port */
#define VTEP 1		       /* the remote vtep */
#define VM_SPORT 20000	       /* connection i: the VM's port VM_SPORT + i */
#define TCP_DPORT 80	       /* the remote end of the TCP connections */
#define UDP_DPORT 53	       /* ... of the fresh UDP ones */
#define STALE_DPORT 54	       /* ... of the UDP ones over expired entries */
#define INNER_LEN 64	       /* inner frame */
#define OUTER_HLEN 50	       /* Ethernet + IPv4 + UDP + VXLAN */
#define RESEND_MAX 256	       /* stale phase: drops sent again per side, at most */
#define SPIN_YIELD 256	       /* spins before a wait yields the CPU */
#define WAIT_NS 10000000000ULL /* a wait longer than this: the other side is stuck */

enum side { SIDE_VM, SIDE_UL, SIDE_MAX };

static const uint8_t mac_vm[6] = { 2, 0, 0, 0, 0, 0x10 };    /* port 0 */
static const uint8_t mac_remote[6] = { 2, 0, 0, 0, 0xa, 1 }; /* a VM behind vtep 1 */
static const uint8_t mac_ul[6] = { 2, 0, 0, 0, 1, 1 };	     /* underlay port 1 */
static const uint8_t mac_nh[6] = { 2, 0, 0, 0, 1, 0xfe };    /* underlay next hop */
static const uint8_t ip_vm[4] = { 10, 0, 0, 1 };	     /* port 0's address */
static const uint8_t ip_remote[4] = { 10, 0, 0, 2 };	     /* the remote VM */
static const uint8_t vtep_local[4] = { 172, 16, 0, 1 };	     /* our VTEP */
static const uint8_t vtep_remote[4] = { 172, 16, 0, 2 };     /* vtep 1 */

static struct fp_xdp *skel;
static int n_cpus;
static int tap_fd = -1;
static uint32_t ifindex_of[SIDE_MAX]; /* lo for the VM port, the tap for the underlay */

/* What the two threads share. */
struct race {
	uint32_t meet[N_CONN];		 /* rendezvous count per connection */
	uint32_t step[N_CONN][SIDE_MAX]; /* per side: the last step posted */
	uint32_t abort;			 /* a side failed: the other stops waiting */
	pthread_barrier_t phase;	 /* between the phases */
};

/* One thread. */
struct side_run {
	struct race *r;	      /* shared */
	enum side side;	      /* which way it sends */
	int cpu;	      /* pinned to */
	int err;	      /* a test run's -errno, or -ETIMEDOUT of a wait */
	uint64_t sent;	      /* test runs */
	uint64_t dropped;     /* runs that did not end in XDP_REDIRECT */
	uint64_t resent;      /* stale phase: packets sent again after a drop */
	uint32_t first_drop;  /* the first dropped packet's connection ... */
	uint32_t first_phase; /* ... and phase (PHASE_*) */
	uint32_t first_act;   /* ... and XDP action */
};

enum phase { PHASE_HANDSHAKE, PHASE_DATA, PHASE_CLOSE, PHASE_UDP, PHASE_STALE };

static int
fd_of(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The inner frame of connection port vm_port: from the VM (to_vm 0) or
 * to it (to_vm 1), protocol proto (TCP with flags), remote port rport.
 */
static void
inner_frame(uint8_t *f, int to_vm, uint8_t proto, uint16_t vm_port, uint16_t rport, uint8_t flags)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;

	memset(f, 0, INNER_LEN);
	memcpy(f, to_vm ? mac_vm : mac_remote, 6);
	memcpy(f + 6, to_vm ? mac_remote : mac_vm, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	put16(ip + 2, INNER_LEN - 14);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, to_vm ? ip_remote : ip_vm, 4);
	memcpy(ip + 16, to_vm ? ip_vm : ip_remote, 4);
	put16(l4, to_vm ? rport : vm_port);
	put16(l4 + 2, to_vm ? vm_port : rport);
	if (proto == FP_SG_PROTO_TCP) {
		l4[12] = 0x50;
		l4[13] = flags;
	} else {
		put16(l4 + 4, INNER_LEN - 34);
	}
}

/* The IPv4 header checksum of h (20 bytes, its checksum field zero). */
static uint16_t
ip_csum(const uint8_t *h)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A packet of a connection as its side sends it: the VM's frame, or the
 * reply wrapped in VXLAN from vtep 1.  Returns the frame's length.
 */
static uint32_t
packet(uint8_t *f, enum side s, uint8_t proto, uint16_t vm_port, uint16_t rport, uint8_t flags)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *vx = udp + 8;

	if (s == SIDE_VM) {
		inner_frame(f, 0, proto, vm_port, rport, flags);
		return INNER_LEN;
	}
	memset(f, 0, OUTER_HLEN);
	inner_frame(f + OUTER_HLEN, 1, proto, vm_port, rport, flags);
	memcpy(f, mac_ul, 6);
	memcpy(f + 6, mac_nh, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	put16(ip + 2, OUTER_HLEN - 14 + INNER_LEN);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, vtep_remote, 4);
	memcpy(ip + 16, vtep_local, 4);
	put16(ip + 10, ip_csum(ip));
	put16(udp, 49152 + (vm_port & 0x3fff));
	put16(udp + 2, 4789);
	put16(udp + 4, 8 + 8 + INNER_LEN);
	vx[0] = 0x08;
	vx[4] = (uint8_t)(VNI >> 16);
	vx[5] = (uint8_t)(VNI >> 8);
	vx[6] = (uint8_t)VNI;
	return OUTER_HLEN + INNER_LEN;
}

/* Run one packet of this side: the XDP action, or -errno. */
static int
send_one(struct side_run *s, uint8_t proto, uint16_t vm_port, uint16_t rport, uint8_t flags)
{
	uint8_t f[OUTER_HLEN + INNER_LEN], out[256];
	uint32_t len = packet(f, s->side, proto, vm_port, rport, flags);
	struct xdp_md ctx_in = { .data_end = len, .ingress_ifindex = ifindex_of[s->side] };
	int rc;

	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .repeat = 1);
	rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fp_xdp_rx), &opts);
	if (rc < 0)
		return -errno;
	return (int)opts.retval;
}

/* Send a packet that must pass (be redirected: encapsulated or delivered). */
static void
must_pass(struct side_run *s, enum phase ph, uint32_t i, uint8_t proto, uint16_t rport,
	  uint8_t flags)
{
	int act;

	if (s->err)
		return;
	act = send_one(s, proto, (uint16_t)(VM_SPORT + i), rport, flags);
	if (act < 0) {
		s->err = act;
		__atomic_store_n(&s->r->abort, 1, __ATOMIC_RELEASE);
		return;
	}
	s->sent++;
	if (act == XDP_REDIRECT)
		return;
	if (ph == PHASE_STALE && s->resent < RESEND_MAX) {
		/* The other CPU is replacing the expired entry and took
		 * longer than this one waits (ct_invalid): as a retransmission
		 * would, send it again.
		 */
		s->resent++;
		s->sent--;
		must_pass(s, ph, i, proto, rport, flags);
		return;
	}
	if (s->dropped++ == 0) {
		s->first_drop = i;
		s->first_phase = ph;
		s->first_act = (uint32_t)act;
	}
}

/* Wait until *p >= want, or the other side aborted or is stuck. */
static void
wait_for(struct side_run *s, const uint32_t *p, uint32_t want)
{
	uint64_t t0 = 0;
	uint32_t spins = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < want) {
		if (s->err || __atomic_load_n(&s->r->abort, __ATOMIC_ACQUIRE))
			return;
		if (++spins < SPIN_YIELD)
			continue;
		sched_yield();
		if (t0 == 0) {
			t0 = mono_ns();
		} else if (mono_ns() - t0 > WAIT_NS) {
			s->err = -ETIMEDOUT;
			__atomic_store_n(&s->r->abort, 1, __ATOMIC_RELEASE);
			return;
		}
	}
}

/* Meet the other side at connection i (its n-th rendezvous there). */
static void
meet(struct side_run *s, uint32_t i, uint32_t n)
{
	__atomic_add_fetch(&s->r->meet[i], 1, __ATOMIC_ACQ_REL);
	wait_for(s, &s->r->meet[i], 2 * n);
}

/* Post step n of connection i for the other side. */
static void
post(struct side_run *s, uint32_t i, uint32_t n)
{
	__atomic_store_n(&s->r->step[i][s->side], n, __ATOMIC_RELEASE);
}

/* The other side's step n of connection i is done. */
static void
after(struct side_run *s, uint32_t i, uint32_t n)
{
	wait_for(s, &s->r->step[i][s->side == SIDE_VM ? SIDE_UL : SIDE_VM], n);
}

#define ACK FP_SG_TCP_ACK
#define SYN FP_SG_TCP_SYN
#define FIN FP_SG_TCP_FIN

static void *
side_main(void *arg)
{
	struct side_run *s = arg;
	uint32_t i, k, n_meet = 0;
	int vm = s->side == SIDE_VM;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(s->cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0) {
		s->err = -errno;
		__atomic_store_n(&s->r->abort, 1, __ATOMIC_RELEASE);
	}
	pthread_barrier_wait(&s->r->phase);
	/* Handshake: vm SYN, ul SYN-ACK after it, vm ACK after that. */
	for (i = 0; i < N_CONN; i++) {
		if (vm) {
			must_pass(s, PHASE_HANDSHAKE, i, FP_SG_PROTO_TCP, TCP_DPORT, SYN);
			post(s, i, 1);
		} else {
			after(s, i, 1);
			must_pass(s, PHASE_HANDSHAKE, i, FP_SG_PROTO_TCP, TCP_DPORT, SYN | ACK);
			post(s, i, 1);
		}
	}
	for (i = 0; vm && i < N_CONN; i++) {
		after(s, i, 1);
		must_pass(s, PHASE_HANDSHAKE, i, FP_SG_PROTO_TCP, TCP_DPORT, ACK);
	}
	pthread_barrier_wait(&s->r->phase);
	/* Established: ACKs both ways at once. */
	for (k = 0; k < DATA_ROUNDS; k++) {
		n_meet++;
		for (i = 0; i < N_CONN; i++) {
			meet(s, i, n_meet);
			must_pass(s, PHASE_DATA, i, FP_SG_PROTO_TCP, TCP_DPORT, ACK);
		}
	}
	/* Simultaneous close, then each side ACKs the other's FIN. */
	n_meet++;
	for (i = 0; i < N_CONN; i++) {
		meet(s, i, n_meet);
		must_pass(s, PHASE_CLOSE, i, FP_SG_PROTO_TCP, TCP_DPORT, FIN | ACK);
		post(s, i, 2);
	}
	for (i = 0; i < N_CONN; i++) {
		after(s, i, 2);
		must_pass(s, PHASE_CLOSE, i, FP_SG_PROTO_TCP, TCP_DPORT, ACK);
	}
	/* UDP: both sides open each connection at once, twice. */
	for (k = 0; k < 2; k++) {
		n_meet++;
		for (i = 0; i < N_CONN; i++) {
			meet(s, i, n_meet);
			must_pass(s, PHASE_UDP, i, FP_SG_PROTO_UDP, UDP_DPORT, 0);
		}
	}
	/* The same over expired entries of these keys. */
	n_meet++;
	for (i = 0; i < N_CONN; i++) {
		meet(s, i, n_meet);
		must_pass(s, PHASE_STALE, i, FP_SG_PROTO_UDP, STALE_DPORT, 0);
	}
	return NULL;
}

/* Packets each side sends in side_main(). */
#define SENT_VM (N_CONN * (2 + DATA_ROUNDS + 2 + 2 + 1))
#define SENT_UL (N_CONN * (1 + DATA_ROUNDS + 2 + 2 + 1))
#define N_NEW (3 * N_CONN) /* connections opened: tcp, udp, stale */

static void
ruleset_set(uint32_t dir, uint32_t n, const uint8_t *protos)
{
	assert_int_equal(
		fp_test_xdp_ruleset_set(fd_of(skel->maps.fp_ruleset), RULESET, dir, n, protos), 0);
}

static void
ip4_mapped(uint8_t *b, const uint8_t *v4)
{
	memset(b, 0, 16);
	b[10] = b[11] = 0xff;
	memcpy(b + 12, v4, 4);
}

/* Port 0 (VM, filtered: out TCP and UDP, in UDP, stateful) and underlay
 * port 1 with vtep 1 behind it; fdb: port 0's MAC, the remote VM's at
 * vtep 1; VNI 100 served; no guard.
 */
static void
maps_fill(void)
{
	static const uint8_t out[2] = { FP_SG_PROTO_TCP, FP_SG_PROTO_UDP };
	static const uint8_t in[1] = { FP_SG_PROTO_UDP };
	struct fp_port_val pv;
	struct fp_port_cfg pc;
	struct fp_host_cfg host;
	struct fp_vtep_key vk = { .vtep_id = VTEP };
	struct fp_vtep_val vv;
	struct fp_fdb_key fk = { .vni = VNI };
	struct fp_fdb_val fv;
	uint32_t id, zero = 0, w = FP_XDP_VNI_WORD(VNI), lo = ifindex_of[SIDE_VM];
	uint64_t bits = FP_XDP_VNI_BIT(VNI);
	enum side s;

	for (id = PORT_VM; id <= PORT_UL; id++) {
		memset(&pv, 0, sizeof(pv));
		memset(&pc, 0, sizeof(pc));
		pv.role = id == PORT_VM ? FP_PORT_ROLE_VM : FP_PORT_ROLE_UNDERLAY;
		pv.mtu = id == PORT_VM ? 1500 : 1600;
		memcpy(pv.mac, id == PORT_VM ? mac_vm : mac_ul, 6);
		if (id == PORT_VM) {
			pv.flags = FP_PORT_F_SG;
			pv.vni = VNI;
			pv.vrf = 1;
			pv.ruleset = RULESET;
		}
		pc.ifindex = 1000 + id;
		pc.role = pv.role;
		pc.mtu = pv.mtu;
		memcpy(pc.mac, pv.mac, 6);
		assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_port), &id, &pv, BPF_ANY),
				 0);
		assert_int_equal(
			bpf_map_update_elem(fd_of(skel->maps.fp_port_cfg), &id, &pc, BPF_ANY), 0);
		assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_tx), &id, &lo, BPF_ANY),
				 0);
	}
	for (s = SIDE_VM; s < SIDE_MAX; s++) {
		id = s == SIDE_VM ? PORT_VM : PORT_UL;
		assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_ifport), &ifindex_of[s],
						     &id, BPF_ANY),
				 0);
	}
	memset(&host, 0, sizeof(host));
	ip4_mapped(host.local_vteps[0].b, vtep_local);
	host.n_local_vteps = 1;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_host), &zero, &host, BPF_ANY), 0);
	memset(&vv, 0, sizeof(vv));
	ip4_mapped(vv.remote.b, vtep_remote);
	ip4_mapped(vv.local.b, vtep_local);
	memcpy(vv.nh_mac, mac_nh, 6);
	vv.encap = FP_ENCAP_VXLAN;
	vv.underlay_port = PORT_UL;
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_vtep), &vk, &vv, BPF_ANY), 0);
	memset(&fv, 0, sizeof(fv));
	fv.type = FP_DEST_PORT;
	fv.id = PORT_VM;
	memcpy(fk.mac, mac_vm, 6);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_fdb), &fk, &fv, BPF_ANY), 0);
	fv.type = FP_DEST_VTEP;
	fv.id = VTEP;
	memcpy(fk.mac, mac_remote, 6);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_fdb), &fk, &fv, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_vni), &w, &bits, BPF_ANY), 0);
	ruleset_set(FP_SG_DIR_EGRESS, 2, out);
	ruleset_set(FP_SG_DIR_INGRESS, 1, in);
}

/* The key of connection i (protocol proto, remote port rport). */
static void
conn_key(struct fp_ct_key *k, uint32_t i, uint8_t proto, uint16_t rport)
{
	struct fp_sg_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = proto;
	ip4_mapped(p.src.b, ip_vm);
	ip4_mapped(p.dst.b, ip_remote);
	p.sport = (uint16_t)(VM_SPORT + i);
	p.dport = rport;
	fp_ct_key_make(k, PORT_VM, &p);
}

/* Expired entries (last packet at 1 ns, udp_unreplied) for the stale
 * connections, as fp-xdp run's sweep may leave them for a while.
 */
static void
stale_fill(void)
{
	struct fp_ct_val v;
	struct fp_ct_key k;
	uint32_t i;

	memset(&v, 0, sizeof(v));
	v.last_ns = 1;
	v.state = FP_CT_UDP_UNREPLIED;
	v.flags = FP_CT_F_ORIG_EGRESS;
	v.rule_id = 11;
	for (i = 0; i < N_CONN; i++) {
		conn_key(&k, i, FP_SG_PROTO_UDP, STALE_DPORT);
		assert_int_equal(bpf_map_update_elem(fd_of(skel->maps.fp_ct), &k, &v, BPF_NOEXIST),
				 0);
	}
}

/* Counters summed over the CPUs. */
static void
counters_sum(struct fp_counters *sum)
{
	struct fp_counters *c = calloc((size_t)n_cpus, sizeof(*c));
	uint32_t zero = 0, j;
	int cpu;

	assert_non_null(c);
	assert_int_equal(bpf_map_lookup_elem(fd_of(skel->maps.fp_counters), &zero, c), 0);
	memset(sum, 0, sizeof(*sum));
	for (cpu = 0; cpu < n_cpus; cpu++) {
		for (j = 0; j < FP_STAT_MAX; j++)
			sum->n[j] += c[cpu].n[j];
		for (j = 0; j < FP_DROP_MAX; j++)
			sum->drop[j] += c[cpu].drop[j];
	}
	free(c);
}

static uint32_t
ct_count(void)
{
	return fp_test_xdp_ct_count(fd_of(skel->maps.fp_ct));
}

/* Connections of one kind whose entry is not (state, flags & mask). */
static uint32_t
ct_wrong(uint8_t proto, uint16_t rport, uint8_t state, uint8_t mask, uint8_t flags, uint32_t *first)
{
	struct fp_ct_key k;
	struct fp_ct_val v;
	uint32_t i, bad = 0;

	for (i = 0; i < N_CONN; i++) {
		memset(&v, 0, sizeof(v));
		conn_key(&k, i, proto, rport);
		if (bpf_map_lookup_elem(fd_of(skel->maps.fp_ct), &k, &v) == 0 && v.state == state &&
		    (v.flags & mask) == flags)
			continue;
		if (bad++ == 0) {
			*first = i;
			print_message("connection %u (proto %u port %u): %s, state %u flags 0x%x\n",
				      i, proto, rport, v.last_ns ? "found" : "missing", v.state,
				      v.flags);
		}
	}
	return bad;
}

#define NEED_SKEL()                                                                        \
	do {                                                                               \
		if (skel == NULL)                                                          \
			skip(); /* not root or CAP_BPF, one CPU, or no tap: see the top */ \
	} while (0)

static void
test_xdp_ct_race_two_cpus(void **state)
{
	struct race *r = calloc(1, sizeof(*r));
	struct side_run s[SIDE_MAX];
	pthread_t th[SIDE_MAX];
	struct fp_counters c;
	uint32_t i, first = 0, wrong;
	uint64_t tx, resent;

	(void)state;
	NEED_SKEL();
	assert_non_null(r);
	maps_fill();
	stale_fill();
	assert_int_equal(pthread_barrier_init(&r->phase, NULL, SIDE_MAX), 0);
	for (i = 0; i < SIDE_MAX; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].r = r;
		s[i].side = (enum side)i;
		s[i].cpu = (int)i;
		assert_int_equal(pthread_create(&th[i], NULL, side_main, &s[i]), 0);
	}
	for (i = 0; i < SIDE_MAX; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&r->phase);
	counters_sum(&c);
	for (i = 0; i < SIDE_MAX; i++) {
		print_message("%s side (CPU %d): %llu packets, %llu dropped (first: connection %u "
			      "phase %u action %u), %llu sent again, error %d\n",
			      i == SIDE_VM ? "vm" : "underlay", s[i].cpu,
			      (unsigned long long)s[i].sent, (unsigned long long)s[i].dropped,
			      s[i].first_drop, s[i].first_phase, s[i].first_act,
			      (unsigned long long)s[i].resent, s[i].err);
	}
	print_message("counters: rx %llu tx %llu drop %llu ct_new %llu ct_hit %llu ct_invalid "
		      "%llu sg_denied %llu ct_full %llu\n",
		      (unsigned long long)c.n[FP_STAT_RX], (unsigned long long)c.n[FP_STAT_TX],
		      (unsigned long long)c.n[FP_STAT_DROP],
		      (unsigned long long)c.n[FP_STAT_CT_NEW],
		      (unsigned long long)c.n[FP_STAT_CT_HIT],
		      (unsigned long long)c.drop[FP_DROP_CT_INVALID],
		      (unsigned long long)c.drop[FP_DROP_SG_DENIED],
		      (unsigned long long)c.drop[FP_DROP_CT_FULL]);
	for (i = 0; i < SIDE_MAX; i++) {
		assert_int_equal(s[i].err, 0);
		assert_int_equal(s[i].dropped, 0);
	}
	assert_int_equal(s[SIDE_VM].sent, SENT_VM);
	assert_int_equal(s[SIDE_UL].sent, SENT_UL);
	/* One entry per connection, each in the state its packets lead to. */
	assert_int_equal(ct_count(), N_NEW);
	wrong = ct_wrong(FP_SG_PROTO_TCP, TCP_DPORT, FP_CT_TIME_WAIT,
			 FP_CT_F_REPLIED | FP_CT_F_ORIG_EGRESS,
			 FP_CT_F_REPLIED | FP_CT_F_ORIG_EGRESS, &first);
	assert_int_equal(wrong, 0);
	wrong = ct_wrong(FP_SG_PROTO_UDP, UDP_DPORT, FP_CT_UDP_REPLIED, FP_CT_F_REPLIED,
			 FP_CT_F_REPLIED, &first);
	assert_int_equal(wrong, 0);
	wrong = ct_wrong(FP_SG_PROTO_UDP, STALE_DPORT, FP_CT_UDP_REPLIED, FP_CT_F_REPLIED,
			 FP_CT_F_REPLIED, &first);
	assert_int_equal(wrong, 0);
	/* The counters add up: every packet went out, each opened a
	 * connection or found one, exactly one opener per connection.
	 */
	tx = SENT_VM + SENT_UL;
	resent = s[SIDE_VM].resent + s[SIDE_UL].resent;
	assert_int_equal(c.n[FP_STAT_RX], tx + resent);
	assert_int_equal(c.n[FP_STAT_TX], tx);
	assert_int_equal(c.n[FP_STAT_DROP], resent);
	assert_int_equal(c.drop[FP_DROP_CT_INVALID], resent);
	assert_int_equal(c.n[FP_STAT_ENCAP], SENT_VM);
	/* Decapsulation comes before the ingress filter: a dropped packet
	 * of the underlay side was decapsulated too.
	 */
	assert_int_equal(c.n[FP_STAT_DECAP], SENT_UL + s[SIDE_UL].resent);
	assert_int_equal(c.n[FP_STAT_CT_NEW], N_NEW);
	assert_int_equal(c.n[FP_STAT_CT_HIT], tx - N_NEW);
	free(r);
}

/* A tap device in a network namespace of our own: the underlay side's
 * ingress interface.  0, or -errno.
 */
static int
tap_make(void)
{
	struct ifreq ifr;

	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tap_fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "fpct0");
	if (ioctl(tap_fd, TUNSETIFF, &ifr) != 0)
		return -errno;
	ifindex_of[SIDE_VM] = if_nametoindex("lo");
	ifindex_of[SIDE_UL] = if_nametoindex("fpct0");
	return ifindex_of[SIDE_VM] && ifindex_of[SIDE_UL] ? 0 : -ENODEV;
}

static int
group_setup(void **state)
{
	struct bpf_map *m;
	int rc;

	(void)state;
	n_cpus = libbpf_num_possible_cpus();
	if (n_cpus < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return 0;
	rc = tap_make();
	if (rc != 0) {
		print_message("no tap device in a namespace of our own: %s\n", strerror(-rc));
		return 0;
	}
	skel = fp_xdp__open();
	if (skel == NULL)
		return 0;
	bpf_object__for_each_map(m, skel->obj)
	{
		bpf_map__set_pin_path(m, NULL);
		if (bpf_map__type(m) == BPF_MAP_TYPE_HASH ||
		    bpf_map__type(m) == BPF_MAP_TYPE_LPM_TRIE)
			bpf_map__set_max_entries(m, 64);
	}
	bpf_map__set_max_entries(skel->maps.fp_ct, CT_SIZE);
	rc = fp_xdp__load(skel);
	if (rc == 0)
		return 0;
	fp_xdp__destroy(skel);
	skel = NULL; /* the tests skip */
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fp_xdp__destroy(skel);
	if (tap_fd >= 0)
		close(tap_fd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_ct_race_two_cpus),
	};

	return cmocka_run_group_tests_name("xdp_ct_race", tests, group_setup, group_teardown);
}
