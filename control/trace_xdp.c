/* SPDX-License-Identifier: BSD-3-Clause */
/* fpctl --xdp INSTANCE trace: a test run of the XDP program on one frame.
 *
 * The attached program is never run: its fp_trace_on is a frozen 0 and
 * its counters are the live ones.  Instead a second instance of the same
 * program is loaded with fp_trace_on = 1, every table map reused from the
 * instance's pins (FP_XDP_PIN_ROOT/<instance>), and a private fp_counters
 * and trace map.  bpf_prog_test_run_opts() runs it once on the frame
 * without BPF_F_TEST_XDP_LIVE_FRAMES: a redirect or XDP_TX is returned,
 * never performed, and the live counters do not move.  The steps are
 * built from the program's struct fp_trace and the table entries it names
 * (read from the pinned maps).  The copies of a flood are made by the tc
 * program, which is not run: the trace gives their number and the flood
 * list.
 */
#include "trace_xdp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "addr.h"
#include "fp_xdp.skel.h"
#include "fp_xdp_abi.h"

#define OUT_ROOM 512 /* bytes the program may add (encap, ICMP error, metadata) */

#define MAP_NAME(id, name) name,
static const char *const pinned_names[FP_XDP_MAP_MAX] = { FP_FOREACH_XDP_MAP(MAP_NAME) };
#undef MAP_NAME

static void __attribute__((format(printf, 3, 4)))
step(struct fpctl_trace *t, uint16_t id, const char *fmt, ...)
{
	struct fp_ctl_trace_step *st;
	va_list ap;

	if (t->n_steps >= FP_CTL_TRACE_STEP_MAX) {
		t->n_cut++;
		return;
	}
	st = &t->steps[t->n_steps++];
	memset(st, 0, sizeof(*st));
	st->step = id;
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
}

static const char *
action_name(uint32_t act)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return act < 5 ? names[act] : "?";
}

static const char *
dest_name(uint32_t type)
{
	return type == FP_DEST_PORT ? "port" : type == FP_DEST_VTEP ? "vtep" : "router";
}

/* The trace copy's fp_ct starts as a copy of the instance's (as many
 * entries as it holds, up to the pinned map's size: the same
 * conntrack.size), so a traced packet finds its connection; the trace
 * run's changes stay in the copy.
 */
static void
ct_copy(const char *dir, struct fp_xdp *s)
{
	struct fp_ct_key k, next;
	struct fp_ct_val v;
	void *prev = NULL;
	char path[512];
	int from, to = bpf_map__fd(s->maps.fp_ct);
	uint32_t n = 0, max = bpf_map__max_entries(s->maps.fp_ct);

	snprintf(path, sizeof(path), "%s/%s", dir, pinned_names[FP_XDP_MAP_CT]);
	from = bpf_obj_get(path);
	if (from < 0)
		return;
	while (n++ < max && bpf_map_get_next_key(from, prev, &next) == 0) {
		if (bpf_map_lookup_elem(from, &next, &v) == 0)
			bpf_map_update_elem(to, &next, &v, BPF_ANY);
		k = next;
		prev = &k;
	}
	close(from);
}

/* The trace copy's fp_ct as large as the instance's. */
static void
ct_size(const char *dir, struct fp_xdp *s)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, pinned_names[FP_XDP_MAP_CT]);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.max_entries > 0)
		bpf_map__set_max_entries(s->maps.fp_ct, info.max_entries);
	close(fd);
}

/* Load the trace instance over the pinned tables of dir. */
static struct fp_xdp *
load(const char *dir, char *err, size_t err_size)
{
	struct bpf_map *map;
	struct fp_xdp *s;
	char path[512];
	int rc, i, fd;

	s = fp_xdp__open();
	if (s == NULL) {
		snprintf(err, err_size, "cannot open the program: %s", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(map, s->obj)
	{
		const char *name = bpf_map__name(map);

		rc = bpf_map__set_pin_path(map, NULL);
		for (i = 0; rc == 0 && i < FP_XDP_MAP_MAX; i++) {
			/* The connections and the counters the trace run
			 * writes are its own: a trace changes nothing.
			 */
			if (i == FP_XDP_MAP_COUNTERS || i == FP_XDP_MAP_CT ||
			    i == FP_XDP_MAP_SG_DROPS || strcmp(name, pinned_names[i]) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			fd = bpf_obj_get(path);
			if (fd < 0) {
				rc = -errno;
				snprintf(err, err_size, "%s: %s (is the instance attached?)", path,
					 strerror(-rc));
				goto err;
			}
			rc = bpf_map__reuse_fd(map, fd);
			close(fd);
		}
		if (rc != 0) {
			snprintf(err, err_size, "map %s: %s", name, strerror(-rc));
			goto err;
		}
	}
	ct_size(dir, s);
	s->rodata->fp_trace_on = 1;
	rc = fp_xdp__load(s);
	if (rc != 0) {
		snprintf(err, err_size, "cannot load the trace copy of the program: %s%s",
			 strerror(-rc), rc == -EPERM ? " (needs CAP_BPF)" : "");
		goto err;
	}
	ct_copy(dir, s);
	return s;
err:
	fp_xdp__destroy(s);
	errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}

static int
pinned_lookup(const char *dir, const char *name, const void *key, void *val)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	rc = bpf_map_lookup_elem(fd, key, val) ? -errno : 0;
	close(fd);
	return rc;
}

/* Mark every CPU's trace unwritten. */
static int
trace_reset(struct fp_xdp *s)
{
	int n = libbpf_num_possible_cpus(), rc;
	uint32_t zero = 0;
	struct fp_trace *v;

	if (n <= 0)
		return -EINVAL;
	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	memset(v, 0xff, (size_t)n * sizeof(*v));
	rc = bpf_map_update_elem(bpf_map__fd(s->maps.fp_trace_map), &zero, v, BPF_ANY) ? -errno : 0;
	free(v);
	return rc;
}

/* The struct fp_trace the program wrote, on whichever CPU it ran. */
static int
trace_take(struct fp_xdp *s, struct fp_trace *tr)
{
	int n = libbpf_num_possible_cpus(), i, found = -ENOENT;
	uint32_t zero = 0;
	struct fp_trace *v;

	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.fp_trace_map), &zero, v) != 0) {
		free(v);
		return -errno;
	}
	for (i = 0; i < n; i++) {
		if (v[i].verdict != UINT32_MAX) {
			*tr = v[i];
			found = 0;
		}
	}
	free(v);
	return found;
}

/* The steps of struct fp_trace, with the entries it names. */
static void
steps_build(const char *dir, const struct fp_trace *tr, const uint8_t *in, const uint8_t *after,
	    uint32_t after_len, struct fpctl_trace *t)
{
	char m1[FP_ADDR_MAC_STR], m2[FP_ADDR_MAC_STR], a1[FP_ADDR_IP_STR], a2[FP_ADDR_IP_STR];
	struct fp_port_val pv;
	uint32_t i;

	if (tr->in_port >= FP_PORT_MAX) {
		step(t, FP_TRACE_PORT, "ingress interface is no port of the instance");
	} else if (pinned_lookup(dir, "fp_port", &tr->in_port, &pv) == 0) {
		if (pv.role == FP_PORT_ROLE_VM)
			step(t, FP_TRACE_PORT, "port %u: vm, vni %u vrf %u mac %s", tr->in_port,
			     pv.vni, pv.vrf, fp_addr_mac_str(pv.mac, m1));
		else if (pv.role != FP_PORT_ROLE_NONE)
			step(t, FP_TRACE_PORT, "port %u: underlay, mac %s", tr->in_port,
			     fp_addr_mac_str(pv.mac, m1));
		else
			step(t, FP_TRACE_PORT, "port %u: not configured", tr->in_port);
	}
	if (tr->decap)
		step(t, FP_TRACE_DECAP, "vni %u inner %s > %s", tr->vni,
		     after_len >= 12 ? fp_addr_mac_str(after + 6, m1) : "?",
		     after_len >= 12 ? fp_addr_mac_str(after, m2) : "?");
	if (tr->fdb == FP_XDP_TRACE_FDB_MISS || tr->fdb == FP_XDP_TRACE_FDB_HIT) {
		const uint8_t *dst = tr->decap ? (after_len >= 6 ? after : NULL) : in;

		if (tr->fdb == FP_XDP_TRACE_FDB_MISS)
			step(t, FP_TRACE_FDB, "vni %u %s: miss: flood", tr->vni,
			     dst ? fp_addr_mac_str(dst, m1) : "?");
		else
			step(t, FP_TRACE_FDB, "vni %u %s -> %s %u", tr->vni,
			     dst ? fp_addr_mac_str(dst, m1) : "?", dest_name(tr->fdb_type),
			     tr->fdb_id);
	}
	switch (tr->kind) {
	case FP_XDP_V_LOCAL:
		step(t, FP_TRACE_DELIVER, "local port %u (vni %u)", tr->out_port, tr->vni);
		break;
	case FP_XDP_V_ENCAP:
	case FP_XDP_V_ICMP: {
		struct fp_vtep_key k = { .vtep_id = tr->fdb_id };
		struct fp_vtep_val vv;

		if (tr->fdb == FP_XDP_TRACE_FDB_HIT && tr->fdb_type == FP_DEST_VTEP &&
		    pinned_lookup(dir, "fp_vtep", &k, &vv) == 0)
			step(t, FP_TRACE_VTEP, "vtep %u: remote %s local %s nh-mac %s port %u",
			     tr->fdb_id, fp_addr_ip_str(&vv.remote, a1),
			     fp_addr_ip_str(&vv.local, a2), fp_addr_mac_str(vv.nh_mac, m1),
			     vv.underlay_port);
		if (tr->kind == FP_XDP_V_ENCAP)
			step(t, FP_TRACE_ENCAP, "vni %u, to port %u", tr->vni, tr->out_port);
		else
			step(t, FP_TRACE_REPLY, "icmp too big back on port %u", tr->in_port);
		break;
	}
	case FP_XDP_V_ARP:
	case FP_XDP_V_ND:
		step(t, FP_TRACE_REPLY, "%s reply back on port %u",
		     tr->kind == FP_XDP_V_ARP ? "arp" : "neighbour advertisement", tr->in_port);
		break;
	case FP_XDP_V_FLOOD: {
		struct fp_flood_key k = { .vni = tr->vni };
		struct fp_flood_val fv;
		char list[96] = "";
		size_t off = 0;

		if (pinned_lookup(dir, "fp_flood", &k, &fv) == 0) {
			for (i = 0; i < fv.n_members && i < FP_FLOOD_MEMBER_MAX; i++) {
				int n = snprintf(list + off, sizeof(list) - off, "%s%s %u",
						 i ? ", " : "", dest_name(fv.members[i].type),
						 fv.members[i].id);

				if (n < 0 || (size_t)n >= sizeof(list) - off)
					break;
				off += (size_t)n;
			}
		}
		step(t, FP_TRACE_FLOOD, "vni %u: list %s", tr->vni, list[0] ? list : "(none)");
		step(t, FP_TRACE_FLOOD,
		     "%u copies (%u to vteps) made by the tc program fp_tc_flood, not run here",
		     tr->copies, tr->encaps);
		break;
	}
	default:
		break;
	}
}

int
fpctl_trace_xdp(const char *instance, uint32_t in_port, const uint8_t *frame, uint32_t len,
		struct fpctl_trace *t, uint8_t *out, uint32_t out_size, char *err, size_t err_size)
{
	struct xdp_md ctx_in, ctx_out;
	struct fp_port_cfg pc;
	struct fp_trace tr;
	struct fp_xdp *s;
	char dir[320];
	uint32_t meta;
	int rc;

	if (instance[0] == '/')
		snprintf(dir, sizeof(dir), "%s", instance);
	else
		snprintf(dir, sizeof(dir), "%s/%s", FP_XDP_PIN_ROOT, instance);
	if (out_size < len + OUT_ROOM) {
		snprintf(err, err_size, "output buffer too small");
		return -EINVAL;
	}
	rc = pinned_lookup(dir, "fp_port_cfg", &in_port, &pc);
	if (rc != 0) {
		snprintf(err, err_size, "%s/fp_port_cfg: %s (is the instance attached?)", dir,
			 strerror(-rc));
		return rc;
	}
	if (pc.ifindex == 0) {
		snprintf(err, err_size, "port %u has no interface in instance %s", in_port,
			 instance);
		return -EINVAL;
	}
	s = load(dir, err, err_size);
	if (s == NULL)
		return -errno;
	rc = trace_reset(s);
	memset(&ctx_in, 0, sizeof(ctx_in));
	memset(&ctx_out, 0, sizeof(ctx_out));
	ctx_in.data_end = len;
	ctx_in.ingress_ifindex = pc.ifindex;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = out_size, .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	if (rc == 0)
		rc = bpf_prog_test_run_opts(bpf_program__fd(s->progs.fp_xdp_rx), &opts);
	if (rc != 0) {
		snprintf(err, err_size, "test run on %s (ifindex %u): %s", pc.name, pc.ifindex,
			 strerror(-rc));
		goto out;
	}
	rc = trace_take(s, &tr);
	if (rc != 0) {
		snprintf(err, err_size, "the program wrote no trace: %s", strerror(-rc));
		goto out;
	}
	memset(t, 0, sizeof(*t));
	t->engine = "xdp";
	t->in_port = in_port;
	t->drop = tr.drop < FP_DROP_MAX ? (uint16_t)tr.drop : FP_DROP_MAX;
	t->xdp_action = action_name(opts.retval);
	meta = ctx_out.data <= opts.data_size_out ? ctx_out.data : 0;
	steps_build(dir, &tr, frame, out + meta, opts.data_size_out - meta, t);
	if (tr.kind == FP_XDP_V_LOCAL || tr.kind == FP_XDP_V_ENCAP || tr.kind == FP_XDP_V_ARP ||
	    tr.kind == FP_XDP_V_ND || tr.kind == FP_XDP_V_ICMP) {
		t->n_out = 1;
		t->out[0].port = tr.kind == FP_XDP_V_LOCAL || tr.kind == FP_XDP_V_ENCAP ?
					 tr.out_port :
					 in_port;
		t->out[0].len = opts.data_size_out - meta;
		t->out[0].bytes = out + meta;
		step(t, FP_TRACE_OUTPUT, "port %u, %u bytes (%s)", t->out[0].port, t->out[0].len,
		     t->xdp_action);
	} else if (tr.kind == FP_XDP_V_FLOOD) {
		step(t, FP_TRACE_OUTPUT, "passed up to tc with the flood metadata (%s)",
		     t->xdp_action);
	}
	if (t->drop < FP_DROP_MAX)
		step(t, FP_TRACE_DROP, "%s", fpctl_trace_drop_name(t->drop));
out:
	fp_xdp__destroy(s);
	return rc;
}
