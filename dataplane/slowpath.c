/* SPDX-License-Identifier: BSD-3-Clause */
#include "slowpath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>

#include <flowplane/proto.h>

#include "addr.h"

/* Source MAC of DHCPv4 answers when the server address has no neigh entry
 * in the port's vrf (a subnet without a router): locally administered.
 */
static const uint8_t dhcp_fallback_mac[6] = { 0x02, 0x66, 0x70, 0x00, 0x00, 0x43 };

int
fp_slowpath_init(struct fp_slowpath *sp, const char *name, const struct fp_ftables *t,
		 struct rte_mempool *mp, uint32_t n_workers, uint32_t queue, int socket_id)
{
	char rn[RTE_RING_NAMESIZE];
	uint32_t i;

	memset(sp, 0, sizeof(*sp));
	if (n_workers == 0 || n_workers > FP_SLOWPATH_WORKER_MAX || queue < FP_SLOWPATH_QUEUE_MIN ||
	    queue > FP_SLOWPATH_QUEUE_MAX)
		return -EINVAL;
	sp->t = t;
	sp->mp = mp;
	sp->n_workers = n_workers;
	sp->idle_ms = 1;
	sp->rnd = 0x9e3779b9U;
	sp->ra_gen = UINT64_MAX;
	for (i = 0; i < n_workers; i++) {
		snprintf(rn, sizeof(rn), "%s_p%u", name, i);
		sp->punt[i] = rte_ring_create(rn, queue, socket_id,
					      RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		snprintf(rn, sizeof(rn), "%s_i%u", name, i);
		sp->inject[i] = rte_ring_create(rn, queue, socket_id,
						RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (sp->punt[i] == NULL || sp->inject[i] == NULL) {
			fp_slowpath_free(sp);
			return -ENOMEM;
		}
	}
	return 0;
}

static void
ring_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
fp_slowpath_free(struct fp_slowpath *sp)
{
	uint32_t i;

	for (i = 0; i < FP_SLOWPATH_WORKER_MAX; i++) {
		ring_free(sp->punt[i]);
		ring_free(sp->inject[i]);
		sp->punt[i] = sp->inject[i] = NULL;
	}
}

uint32_t
fp_slowpath_queued(const struct fp_slowpath *sp)
{
	uint32_t i, n = 0;

	for (i = 0; i < sp->n_workers; i++)
		n += rte_ring_count(sp->punt[i]);
	return n;
}

/* Hand an answer of len bytes to a worker for port. */
static int
send_frame(struct fp_slowpath *sp, struct rte_ring *inject, uint32_t port, const uint8_t *frame,
	   uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sp->mp);
	char *d;

	if (m == NULL) {
		sp->stats.no_mbuf++;
		return 0;
	}
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		sp->stats.no_mbuf++;
		return 0;
	}
	memcpy(d, frame, len);
	m->hash.usr = port;
	if (rte_ring_sp_enqueue(inject, m) != 0) {
		rte_pktmbuf_free(m);
		sp->stats.inject_full++;
		return 0;
	}
	sp->stats.sent++;
	return 1;
}

/* The source MAC of a port's DHCPv4 answers: the server address's neigh
 * entry in the port's vrf (the router's MAC when the server is the
 * gateway), else dhcp_fallback_mac.
 */
static const uint8_t *
dhcp_server_mac(const struct fp_slowpath *sp, const struct fp_dp_port *pt,
		const struct fp_dhcp_val *d)
{
	const struct fp_neigh_val *n;
	struct fp_ip ip;

	fp_addr_ip_set_bytes(&ip, d->server, 4);
	n = fp_ftables_neigh(sp->t, pt->v.vrf, &ip);
	return n != NULL ? n->mac : dhcp_fallback_mac;
}

int
fp_slowpath_answer(struct fp_slowpath *sp, struct rte_mbuf *m, struct rte_ring *inject)
{
	uint8_t out[FP_DHCP6_REPLY_MAX > FP_DHCP4_REPLY_MAX ? FP_DHCP6_REPLY_MAX :
							      FP_DHCP4_REPLY_MAX];
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), port = m->hash.usr, out_len = 0, r;
	const struct fp_dp_port *pt = fp_ftables_port(sp->t, port);
	uint16_t et = len >= 14 ? (uint16_t)(f[12] << 8 | f[13]) : 0;
	int sent = 0;

	_Static_assert(FP_RA_REPLY_MAX <= sizeof(out), "answer buffer");
	if (pt == NULL || pt->v.role != FP_PORT_ROLE_VM || m->nb_segs != 1) {
		sp->stats.no_entry++;
	} else if (et == FP_ETH_P_IPV4) {
		const struct fp_dhcp_val *d = fp_ftables_dhcp(sp->t, port);

		if (d == NULL) {
			sp->stats.no_entry++;
		} else {
			r = fp_dhcp4_answer(d, dhcp_server_mac(sp, pt, d), f, len, out, sizeof(out),
					    &out_len);
			sp->stats.dhcp4[r < FP_DHCP4_MAX ? r : FP_DHCP4_MALFORMED]++;
		}
	} else if (et == FP_ETH_P_IPV6 && len >= 14 + 40 && f[14 + 6] == FP_IPPROTO_UDP) {
		/* The workers punt IPv6 without extension headers only
		 * (punt_wanted()): the next header is the parsed l4_proto.
		 */
		const struct fp_dhcp6_val *d = fp_ftables_dhcp6(sp->t, port);

		if (d == NULL) {
			sp->stats.no_entry++;
		} else {
			r = fp_dhcp6_answer(d, f, len, out, sizeof(out), &out_len);
			sp->stats.dhcp6[r < FP_DHCP6_MAX ? r : FP_DHCP6_MALFORMED]++;
		}
	} else if (et == FP_ETH_P_IPV6) {
		const struct fp_ra_val *a = fp_ftables_ra(sp->t, pt->v.vni);

		if (a == NULL) {
			sp->stats.no_entry++;
		} else {
			r = fp_ra_answer(a, f, len, out, sizeof(out), &out_len);
			sp->stats.ra[r < FP_RA_MAX ? r : FP_RA_MALFORMED]++;
		}
	} else {
		sp->stats.no_entry++;
	}
	rte_pktmbuf_free(m);
	if (out_len != 0)
		sent = send_frame(sp, inject, port, out, out_len);
	return sent;
}

static uint32_t
rnd_next(struct fp_slowpath *sp)
{
	uint32_t x = sp->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sp->rnd = x;
	return x;
}

/* ra_nets after a commit: the networks of the ra table, their schedule
 * kept; a new one sends its first RA within fp_ra_next_ms(0).
 */
struct ra_sync {
	struct fp_slowpath *sp;
	struct fp_slowpath_ra_net *nets; /* the new list */
	uint32_t n;			 /* valid nets */
	uint32_t over;			 /* networks that found no room */
	uint64_t now_ns;		 /* the time */
};

static int
ra_sync_one(uint16_t table, const void *key, const void *val, void *arg)
{
	const struct fp_ra_key *k = key;
	struct ra_sync *s = arg;
	struct fp_slowpath *sp = s->sp;
	uint32_t i;

	(void)table;
	if (s->n == FP_SLOWPATH_RA_NET_MAX) {
		s->over++;
		return 0;
	}
	for (i = 0; i < sp->n_ra_nets; i++) {
		if (sp->ra_nets[i].vni == k->vni) {
			s->nets[s->n++] = sp->ra_nets[i];
			return 0;
		}
	}
	s->nets[s->n++] = (struct fp_slowpath_ra_net){
		.vni = k->vni,
		.next_ns = s->now_ns + (uint64_t)fp_ra_next_ms(val, 0, rnd_next(sp)) * 1000000ULL,
	};
	return 0;
}

static void
ra_sync(struct fp_slowpath *sp, uint64_t now_ns)
{
	static struct fp_slowpath_ra_net nets[FP_SLOWPATH_RA_NET_MAX];
	struct ra_sync s = { .sp = sp, .nets = nets, .now_ns = now_ns };
	uint64_t gen = __atomic_load_n(&sp->t->generation, __ATOMIC_ACQUIRE);

	if (gen == sp->ra_gen)
		return;
	sp->ra_gen = gen;
	fp_ftables_walk(sp->t, FP_TABLE_RA, ra_sync_one, &s);
	memcpy(sp->ra_nets, nets, sizeof(nets[0]) * s.n);
	sp->n_ra_nets = s.n;
	sp->stats.ra_nets_over = s.over;
	if (s.over != 0 && !sp->stats.ra_over_logged) {
		sp->stats.ra_over_logged = 1;
		RTE_LOG(WARNING, USER1,
			"fp.slowpath: %u networks with an ra entry beyond %u: no periodic RAs "
			"for them (fpctl show slowpath: ra_nets_over)\n",
			s.over, FP_SLOWPATH_RA_NET_MAX);
	}
}

/* The unsolicited RA of net to every local VM port on it. */
static void
ra_send(struct fp_slowpath *sp, struct fp_slowpath_ra_net *net, uint64_t now_ns)
{
	const struct fp_ra_val *a = fp_ftables_ra(sp->t, net->vni);
	uint8_t out[FP_RA_REPLY_MAX];
	uint32_t len, i;

	if (a == NULL || fp_ra_build(a, out, sizeof(out), &len) != 0) {
		net->next_ns = now_ns + FP_SLOWPATH_IDLE_MAX_MS * 1000000ULL;
		return;
	}
	for (i = 0; i < FP_PORT_MAX; i++) {
		const struct fp_dp_port *pt = fp_ftables_port(sp->t, i);

		if (pt != NULL && pt->v.role == FP_PORT_ROLE_VM && pt->v.vni == net->vni &&
		    send_frame(sp, sp->inject[0], i, out, len))
			sp->stats.ra_periodic++;
	}
	net->next_ns = now_ns +
		       (uint64_t)fp_ra_next_ms(a, ++net->n_sent, rnd_next(sp)) * 1000000ULL;
}

uint32_t
fp_slowpath_run(struct fp_slowpath *sp, uint64_t now_ns)
{
	struct rte_mbuf *pkts[32];
	uint32_t w, i, n, done = 0, wait;
	uint64_t next = UINT64_MAX;

	for (w = 0; w < sp->n_workers; w++) {
		while (done < FP_SLOWPATH_RUN_MAX) {
			n = rte_ring_sc_dequeue_burst(sp->punt[w], (void **)pkts, 32, NULL);
			if (n == 0)
				break;
			for (i = 0; i < n; i++)
				fp_slowpath_answer(sp, pkts[i], sp->inject[w]);
			done += n;
		}
	}
	ra_sync(sp, now_ns);
	for (i = 0; i < sp->n_ra_nets; i++) {
		struct fp_slowpath_ra_net *net = &sp->ra_nets[i];

		if (net->next_ns <= now_ns)
			ra_send(sp, net, now_ns);
		if (net->next_ns < next)
			next = net->next_ns;
	}
	if (done) {
		sp->idle_ms = 1;
	} else if (sp->idle_ms < FP_SLOWPATH_IDLE_MAX_MS) {
		sp->idle_ms *= 2;
		if (sp->idle_ms > FP_SLOWPATH_IDLE_MAX_MS)
			sp->idle_ms = FP_SLOWPATH_IDLE_MAX_MS;
	}
	wait = done ? 1 : sp->idle_ms;
	if (next != UINT64_MAX) {
		uint64_t due = next > now_ns ? (next - now_ns + 999999) / 1000000 : 0;

		if (due < wait)
			wait = (uint32_t)due;
	}
	return wait;
}

_Static_assert(FP_DHCP4_MAX <= FP_CTL_SLOWPATH_OUTCOME_MAX &&
		       FP_DHCP6_MAX <= FP_CTL_SLOWPATH_OUTCOME_MAX &&
		       FP_RA_MAX <= FP_CTL_SLOWPATH_OUTCOME_MAX,
	       "outcomes fit the SLOWPATH reply");

void
fp_slowpath_report(const struct fp_slowpath *sp, struct fp_ctl_slowpath *out)
{
	const struct fp_slowpath_stats *s = &sp->stats;

	out->queued = fp_slowpath_queued(sp);
	out->n_workers = sp->n_workers;
	out->n_dhcp4 = FP_DHCP4_MAX;
	out->n_dhcp6 = FP_DHCP6_MAX;
	out->n_ra = FP_RA_MAX;
	out->sent = s->sent;
	out->inject_full = s->inject_full;
	out->no_mbuf = s->no_mbuf;
	out->no_entry = s->no_entry;
	out->ra_periodic = s->ra_periodic;
	out->ra_nets_over = s->ra_nets_over;
	memcpy(out->dhcp4, s->dhcp4, sizeof(s->dhcp4));
	memcpy(out->dhcp6, s->dhcp6, sizeof(s->dhcp6));
	memcpy(out->ra, s->ra, sizeof(s->ra));
}
