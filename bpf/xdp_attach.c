/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: the attach and detach commands (xdp_tool.h).
 *
 * attach checks everything it can before it changes anything: that every
 * interface exists and carries no XDP program but flowplane's, and that
 * maps pinned by an earlier attach have the shape this program needs.
 * Entries are written make-before-break: the new ports' entries, then the
 * program, then the removal of ports the config no longer has.  detach
 * takes flowplane's programs off the interfaces it finds (configured, or
 * of the last attach) and leaves anything else alone.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fp_tc.skel.h"
#include "fp_xdp.skel.h"
#include "names.h"

/* A configured port, resolved at attach. */
struct port_dev {
	uint32_t ifindex;   /* 0: the interface does not exist */
	uint8_t mac[6];	    /* device MAC */
	uint16_t pad;	    /* zero */
	uint32_t iface_mtu; /* the interface's MTU */
	struct hook hook;   /* what is attached now */
	struct tc_slot tc;  /* what sits in the tc slot now */
};

/* Check every configured interface before anything changes: it exists,
 * it is Ethernet, no two ports share it, and its hook holds nothing but
 * flowplane's program.
 */
static int
ports_resolve(const struct tool *t, struct port_dev *devs)
{
	const struct fp_xdp_config *cfg = &t->cfg;
	uint32_t i, j;
	int rc, bad = 0;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct fp_xdp_config_port *p = &cfg->ports[i];
		struct port_dev *d = &devs[i];

		d->ifindex = if_nametoindex(p->iface);
		if (d->ifindex == 0) {
			errmsg("%s:%u: fp_xdp.ports[%u] (\"%s\"): interface \"%s\" does not exist",
			       cfg->path, p->line, i, p->name, p->iface);
			bad = 1;
			continue;
		}
		rc = fp_xdp_hook_iface_read(p->iface, d->mac, &d->iface_mtu);
		if (rc == -EPFNOSUPPORT) {
			errmsg("port \"%s\": interface \"%s\" is not an Ethernet interface",
			       p->name, p->iface);
			bad = 1;
			continue;
		}
		if (rc < 0) {
			errmsg("port \"%s\": interface \"%s\": %s", p->name, p->iface,
			       strerror(-rc));
			bad = 1;
			continue;
		}
		for (j = 0; j < i; j++)
			if (devs[j].ifindex == d->ifindex) {
				errmsg("ports \"%s\" and \"%s\" name the same interface "
				       "(ifindex %u)",
				       cfg->ports[j].name, p->name, d->ifindex);
				bad = 1;
			}
		rc = fp_xdp_hook_get(d->ifindex, &d->hook);
		if (rc < 0) {
			errmsg("interface \"%s\": cannot query its XDP program: %s", p->iface,
			       strerror(-rc));
			bad = 1;
			continue;
		}
		if (d->hook.hw_prog_id != 0) {
			errmsg("interface \"%s\" has an offloaded XDP program (id %u); fp-xdp "
			       "does not manage offload: remove it first",
			       p->iface, d->hook.hw_prog_id);
			bad = 1;
		}
		if (d->hook.prog_id != 0 && !d->hook.ours) {
			errmsg("interface \"%s\" has XDP program %u (\"%s\") attached, not "
			       "flowplane's: fp-xdp does not replace it; detach it first "
			       "(ip link set dev %s xdp off)",
			       p->iface, d->hook.prog_id, d->hook.prog_name, p->iface);
			bad = 1;
		}
		rc = fp_xdp_hook_tc_get(d->ifindex, &d->tc);
		if (rc < 0) {
			errmsg("interface \"%s\": cannot query its tc ingress filters: %s",
			       p->iface, strerror(-rc));
			bad = 1;
		} else if (d->tc.prog_id != 0 && !d->tc.ours) {
			errmsg("interface \"%s\" has a tc ingress filter with program %u (\"%s\") "
			       "at handle 0x%x priority %u, flowplane's place: fp-xdp does not "
			       "replace it; remove it first (tc filter del dev %s ingress "
			       "handle 0x%x prio %u bpf)",
			       p->iface, d->tc.prog_id, d->tc.prog_name, FP_TC_HANDLE, FP_TC_PRIO,
			       p->iface, FP_TC_HANDLE, FP_TC_PRIO);
			bad = 1;
		}
		if (d->iface_mtu < p->mtu)
			fp_log(FP_LOG_WARN,
			       "port \"%s\": interface \"%s\" has MTU %u, below the "
			       "port's %u",
			       p->name, p->iface, d->iface_mtu, p->mtu);
	}
	return bad ? -EINVAL : 0;
}

/* Open both skeletons (the XDP program, the tc program), their maps
 * pointed at the same pins.
 */
static int
skel_prepare(const struct tool *t, struct fp_xdp **xdp, struct fp_tc **tc)
{
	int rc;

	*xdp = fp_xdp__open();
	if (*xdp == NULL) {
		rc = -errno;
		errmsg("cannot open the BPF object of %s: %s", FP_XDP_PROG_NAME, strerror(-rc));
		return rc;
	}
	*tc = fp_tc__open();
	if (*tc == NULL) {
		rc = -errno;
		errmsg("cannot open the BPF object of %s: %s", FP_TC_PROG_NAME, strerror(-rc));
		goto err_xdp;
	}
	rc = fp_xdp_pins_obj_prepare(t, (*xdp)->obj, FP_XDP_PROG_NAME);
	if (rc < 0)
		goto err_tc;
	rc = fp_xdp_pins_obj_prepare(t, (*tc)->obj, FP_TC_PROG_NAME);
	if (rc < 0)
		goto err_tc;
	return 0;

err_tc:
	fp_tc__destroy(*tc);
	*tc = NULL;
err_xdp:
	fp_xdp__destroy(*xdp);
	*xdp = NULL;
	return rc;
}

static int
map_fd(struct fp_xdp *skel, enum fp_xdp_map id)
{
	return bpf_map__fd(bpf_object__find_map_by_name(skel->obj, fp_names_xdp_map[id]));
}

static int
map_set(struct fp_xdp *skel, enum fp_xdp_map id, const void *key, const void *val)
{
	int rc = bpf_map_update_elem(map_fd(skel, id), key, val, BPF_ANY);

	if (rc < 0)
		errmsg("%s: update failed: %s", fp_names_xdp_map[id], strerror(-rc));
	return rc;
}

/* Delete an entry; an array slot is zeroed instead. */
static int
map_clear(struct fp_xdp *skel, enum fp_xdp_map id, uint32_t key)
{
	struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, fp_names_xdp_map[id]);
	uint8_t zero[sizeof(struct fp_port_val)];
	int rc;

	if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY) {
		memset(zero, 0, sizeof(zero));
		if (bpf_map__value_size(m) > sizeof(zero))
			return -EINVAL;
		rc = bpf_map_update_elem(bpf_map__fd(m), &key, zero, BPF_ANY);
	} else {
		rc = bpf_map_delete_elem(bpf_map__fd(m), &key);
		if (rc == -ENOENT)
			rc = 0;
	}
	if (rc < 0)
		errmsg("%s: clearing entry %u failed: %s", fp_names_xdp_map[id], key,
		       strerror(-rc));
	return rc;
}

static bool ifindex_configured(const struct tool *t, const struct port_dev *devs, uint32_t ifindex);

/* Rewrite fp_ifslot slot key from cur to want one field per write (see
 * struct fp_ifslot): the ifindex to 0, then the port, then the new
 * ifindex; want.ifindex 0 clears the slot.
 */
static int
ifslot_write(struct fp_xdp *skel, uint32_t key, struct fp_ifslot cur, const struct fp_ifslot *want)
{
	int rc;

	if (cur.ifindex == want->ifindex && cur.port == want->port)
		return 0;
	if (cur.ifindex != 0) {
		cur.ifindex = 0;
		rc = map_set(skel, FP_XDP_MAP_IFSLOT, &key, &cur);
		if (rc < 0)
			return rc;
	}
	if (cur.port != want->port) {
		cur.port = want->port;
		rc = map_set(skel, FP_XDP_MAP_IFSLOT, &key, &cur);
		if (rc < 0)
			return rc;
	}
	return want->ifindex != 0 ? map_set(skel, FP_XDP_MAP_IFSLOT, &key, want) : 0;
}

/* Port i's fp_ifslot entry, after its fp_ifport entry: unless another
 * configured interface holds the slot (then the program finds this one in
 * fp_ifport).
 */
static int
ifslot_set(const struct tool *t, struct fp_xdp *skel, const struct port_dev *devs, uint32_t i)
{
	struct fp_ifslot slot, want = { .ifindex = devs[i].ifindex, .port = i };
	uint32_t key = FP_XDP_IFSLOT(devs[i].ifindex);
	int rc;

	rc = bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_IFSLOT), &key, &slot);
	if (rc < 0) {
		errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_IFSLOT], strerror(-rc));
		return rc;
	}
	if (slot.ifindex != 0 && slot.ifindex != want.ifindex &&
	    ifindex_configured(t, devs, slot.ifindex))
		return 0;
	return ifslot_write(skel, key, slot, &want);
}

/* Clear ifindex's fp_ifslot entry if it holds it, before its fp_ifport
 * entry goes.
 */
static int
ifslot_clear(struct fp_xdp *skel, uint32_t ifindex)
{
	static const struct fp_ifslot none;
	uint32_t key = FP_XDP_IFSLOT(ifindex);
	struct fp_ifslot slot;

	if (bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_IFSLOT), &key, &slot) < 0 ||
	    slot.ifindex != ifindex)
		return 0;
	return ifslot_write(skel, key, slot, &none);
}

/* Write the configured ports' entries and the host (before the program is
 * attached: make-before-break).
 */
int
fp_xdp_timeouts_write(const struct tool *t, int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fp_sg_cfg *cfg, c;
	uint32_t i, zero = 0;

	/* Each timeout is one 4-byte store; fp-control's generation, next
	 * to them, is left alone.
	 */
	cfg = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cfg != MAP_FAILED) {
		for (i = 0; i < FP_CT_STATE_MAX; i++)
			__atomic_store_n(&cfg->timeout_s[i], t->cfg.ct_timeout_s[i],
					 __ATOMIC_RELAXED);
		munmap(cfg, (size_t)page);
		return 0;
	}
	if (bpf_map_lookup_elem(fd, &zero, &c) < 0) {
		errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_SG_CFG],
		       strerror(errno));
		return -errno;
	}
	memcpy(c.timeout_s, t->cfg.ct_timeout_s, sizeof(t->cfg.ct_timeout_s));
	if (bpf_map_update_elem(fd, &zero, &c, BPF_EXIST) < 0) {
		errmsg("%s: update failed: %s", fp_names_xdp_map[FP_XDP_MAP_SG_CFG],
		       strerror(errno));
		return -errno;
	}
	return 0;
}

static int
entries_write(const struct tool *t, struct fp_xdp *skel, const struct port_dev *devs,
	      const struct fp_port_cfg *old)
{
	const struct fp_xdp_config *cfg = &t->cfg;
	struct fp_host_cfg host;
	struct fp_port_val pv;
	struct fp_port_cfg pc;
	uint32_t i, zero = 0;
	int rc;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct fp_xdp_config_port *p = &cfg->ports[i];

		memset(&pc, 0, sizeof(pc));
		pc.ifindex = devs[i].ifindex;
		pc.role = p->role;
		pc.mtu = p->mtu;
		memcpy(pc.mac, devs[i].mac, sizeof(pc.mac));
		snprintf(pc.name, sizeof(pc.name), "%s", p->name);
		rc = map_set(skel, FP_XDP_MAP_PORT_CFG, &i, &pc);
		if (rc < 0)
			return rc;
		rc = map_set(skel, FP_XDP_MAP_TX, &i, &devs[i].ifindex);
		if (rc < 0)
			return rc;
		rc = map_set(skel, FP_XDP_MAP_IFPORT, &devs[i].ifindex, &i);
		if (rc < 0)
			return rc;
		rc = ifslot_set(t, skel, devs, i);
		if (rc < 0)
			return rc;
		if (p->role == FP_PORT_ROLE_UNDERLAY) {
			/* Underlay entries belong to the config, as in fp-dpdk. */
			memset(&pv, 0, sizeof(pv));
			pv.role = FP_PORT_ROLE_UNDERLAY;
			pv.mtu = p->mtu;
			memcpy(pv.mac, devs[i].mac, sizeof(pv.mac));
			rc = map_set(skel, FP_XDP_MAP_PORT, &i, &pv);
			if (rc < 0)
				return rc;
		} else if (old[i].role == FP_PORT_ROLE_UNDERLAY) {
			/* Was our underlay port: the entry is ours to drop. */
			if (bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_PORT), &i, &pv) == 0 &&
			    pv.role == FP_PORT_ROLE_UNDERLAY) {
				rc = map_clear(skel, FP_XDP_MAP_PORT, i);
				if (rc < 0)
					return rc;
			}
		}
	}

	memset(&host, 0, sizeof(host));
	rc = bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_HOST), &zero, &host);
	if (rc < 0) {
		errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_HOST], strerror(-rc));
		return rc;
	}
	i = host.generation + 1;
	memset(&host, 0, sizeof(host));
	snprintf(host.host, sizeof(host.host), "%s", cfg->host);
	memcpy(host.local_vteps, cfg->local_vteps, sizeof(host.local_vteps));
	host.n_local_vteps = cfg->n_local_vteps;
	host.generation = i;
	rc = map_set(skel, FP_XDP_MAP_GUARD, &zero, &cfg->guard);
	if (rc < 0)
		return rc;
	rc = map_set(skel, FP_XDP_MAP_HOST, &zero, &host);
	if (rc < 0)
		return rc;
	return fp_xdp_timeouts_write(t, map_fd(skel, FP_XDP_MAP_SG_CFG));
}

static bool
ifindex_configured(const struct tool *t, const struct port_dev *devs, uint32_t ifindex)
{
	uint32_t i;

	for (i = 0; i < t->cfg.n_ports; i++)
		if (devs[i].ifindex == ifindex)
			return true;
	return false;
}

/* Ports the last attach had and this config has not (or whose interface
 * changed): detach their interfaces, then clear their entries.
 */
static int
stale_remove(const struct tool *t, struct fp_xdp *skel, const struct port_dev *devs,
	     const struct fp_port_cfg *old)
{
	struct fp_port_val pv;
	char name[IF_NAMESIZE];
	struct tc_slot ts;
	struct hook h;
	uint32_t i;
	int rc, ret = 0;

	for (i = 0; i < FP_PORT_MAX; i++) {
		bool gone = i >= t->cfg.n_ports;

		if (old[i].ifindex == 0 || (!gone && old[i].ifindex == devs[i].ifindex))
			continue;
		if (!ifindex_configured(t, devs, old[i].ifindex)) {
			if (fp_xdp_hook_get(old[i].ifindex, &h) == 0 && h.ours) {
				rc = fp_xdp_hook_detach(old[i].ifindex, &h);
				if (rc < 0) {
					errmsg("port \"%.31s\" (removed or moved): detaching ifindex %u "
					       "failed: %s",
					       old[i].name, old[i].ifindex, strerror(-rc));
					ret = rc;
				} else {
					printf("detached %s from %s (port \"%.31s\" removed or moved)\n",
					       FP_XDP_PROG_NAME,
					       if_indextoname(old[i].ifindex, name) ? name : "?",
					       old[i].name);
				}
			}
			/* After the XDP program: it passes floods to this one. */
			if (fp_xdp_hook_tc_get(old[i].ifindex, &ts) == 0 && ts.ours) {
				rc = fp_xdp_hook_tc_detach(old[i].ifindex);
				if (rc < 0) {
					errmsg("port \"%.31s\" (removed or moved): removing %s from "
					       "ifindex %u failed: %s",
					       old[i].name, FP_TC_PROG_NAME, old[i].ifindex,
					       strerror(-rc));
					ret = rc;
				} else {
					printf("detached %s from %s's tc ingress (port \"%.31s\" "
					       "removed or moved)\n",
					       FP_TC_PROG_NAME,
					       if_indextoname(old[i].ifindex, name) ? name : "?",
					       old[i].name);
				}
			}
			rc = ifslot_clear(skel, old[i].ifindex);
			if (rc < 0)
				ret = rc;
			rc = map_clear(skel, FP_XDP_MAP_IFPORT, old[i].ifindex);
			if (rc < 0)
				ret = rc;
		}
		if (!gone)
			continue;
		rc = map_clear(skel, FP_XDP_MAP_TX, i);
		if (rc < 0)
			ret = rc;
		rc = map_clear(skel, FP_XDP_MAP_PORT_CFG, i);
		if (rc < 0)
			ret = rc;
		if (old[i].role == FP_PORT_ROLE_UNDERLAY &&
		    bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_PORT), &i, &pv) == 0 &&
		    pv.role == FP_PORT_ROLE_UNDERLAY) {
			rc = map_clear(skel, FP_XDP_MAP_PORT, i);
			if (rc < 0)
				ret = rc;
		}
	}
	return ret;
}

/* Attach the programs to one port, replacing flowplane's older ones in
 * place: the tc program first, as the XDP program passes it the frames to
 * flood.
 */
static int
port_attach(const struct tool *t, uint32_t i, const struct port_dev *d, int prog_fd, int tc_fd)
{
	const struct fp_xdp_config_port *p = &t->cfg.ports[i];
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t mode = fp_xdp_hook_mode_flag(&t->cfg);
	struct tc_slot ts;
	struct hook h;
	int old_fd = -1, rc;

	/* Look again: an earlier check may be stale by now. */
	rc = fp_xdp_hook_tc_get(d->ifindex, &ts);
	if (rc < 0)
		return rc;
	if (ts.prog_id != 0 && !ts.ours) {
		errmsg("interface \"%s\": tc ingress filter with program %u (\"%s\") appeared "
		       "in flowplane's place, not flowplane's",
		       p->iface, ts.prog_id, ts.prog_name);
		return -EBUSY;
	}
	rc = fp_xdp_hook_tc_attach(d->ifindex, tc_fd);
	if (rc < 0) {
		errmsg("port \"%s\": attaching %s to the tc ingress of interface \"%s\" "
		       "failed: %s",
		       p->name, FP_TC_PROG_NAME, p->iface, strerror(-rc));
		return rc;
	}
	rc = fp_xdp_hook_get(d->ifindex, &h);
	if (rc < 0)
		return rc;
	if (h.prog_id != 0 && !h.ours) {
		errmsg("interface \"%s\": XDP program %u (\"%s\") appeared, not flowplane's",
		       p->iface, h.prog_id, h.prog_name);
		return -EBUSY;
	}
	if (h.prog_id != 0 && h.flags != mode) {
		fp_log(FP_LOG_WARN,
		       "interface \"%s\": moving from %s to %s mode; forwarding "
		       "stops until the new program is attached",
		       p->iface, fp_xdp_hook_mode_name(h.flags), fp_xdp_hook_mode_name(mode));
		rc = fp_xdp_hook_detach(d->ifindex, &h);
		if (rc < 0) {
			errmsg("interface \"%s\": detaching the %s program failed: %s", p->iface,
			       fp_xdp_hook_mode_name(h.flags), strerror(-rc));
			return rc;
		}
		h.prog_id = 0;
	}
	if (h.prog_id != 0) {
		old_fd = bpf_prog_get_fd_by_id(h.prog_id);
		if (old_fd < 0 && old_fd != -ENOENT)
			return old_fd;
	}
	if (old_fd >= 0) {
		opts.old_prog_fd = old_fd;
		mode |= XDP_FLAGS_REPLACE;
	} else {
		mode |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	rc = bpf_xdp_attach((int)d->ifindex, prog_fd, mode, &opts);
	if (old_fd >= 0)
		close(old_fd);
	if (rc < 0) {
		errmsg("port \"%s\": attaching to interface \"%s\" in %s mode failed: %s%s",
		       p->name, p->iface, fp_xdp_hook_mode_name(mode), strerror(-rc),
		       (rc == -EOPNOTSUPP && (mode & XDP_FLAGS_DRV_MODE)) ?
			       " (the driver has no native XDP: set fp_xdp.mode = \"generic\")" :
			       "");
		return rc;
	}
	printf("%s %s %s %s (port %u \"%s\", %s mode), %s %s at its tc ingress\n",
	       old_fd >= 0 ? "replaced" : "attached", FP_XDP_PROG_NAME, old_fd >= 0 ? "on" : "to",
	       p->iface, i, p->name, fp_xdp_hook_mode_name(mode), FP_TC_PROG_NAME,
	       ts.prog_id != 0 ? "replaced" : "attached");
	return 0;
}

int
fp_xdp_cmd_attach(struct tool *t)
{
	struct fp_port_cfg old[FP_PORT_MAX];
	struct port_dev devs[FP_PORT_MAX];
	bool pinned[FP_XDP_MAP_MAX];
	struct bpf_program *prog, *tc_prog;
	struct fp_xdp *skel = NULL;
	struct fp_tc *tc = NULL;
	struct pins p;
	uint32_t i;
	int lock, rc;

	fp_xdp_hook_mode_warn(&t->cfg);
	memset(devs, 0, sizeof(devs));
	rc = ports_resolve(t, devs);
	if (rc < 0) {
		errmsg("nothing was changed");
		return rc;
	}
	rc = fp_xdp_pins_mount();
	if (rc < 0)
		return rc;
	lock = fp_xdp_pins_lock();
	if (lock < 0)
		return lock;
	rc = skel_prepare(t, &skel, &tc);
	if (rc < 0)
		goto err_lock;
	rc = fp_xdp_pins_check(t, skel->obj);
	if (rc < 0) {
		errmsg("nothing was changed");
		goto out;
	}
	fp_xdp_pins_open(t, &p);
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		pinned[i] = p.fd[i] >= 0;
	fp_xdp_pins_close(&p);
	rc = fp_xdp_pins_dir_make(t->dir);
	if (rc < 0) {
		errmsg("cannot create %s: %s", t->dir, strerror(-rc));
		goto out;
	}
	rc = fp_xdp__load(skel);
	if (rc < 0) {
		errmsg("loading the BPF object of %s failed: %s (libbpf says why above; a "
		       "program the verifier rejects comes with its log)",
		       FP_XDP_PROG_NAME, strerror(-rc));
		/* libbpf unpinned the maps it had created: leave no empty
		 * directory either.
		 */
		fp_xdp_pins_undo(t, pinned);
		errmsg("nothing was changed");
		goto out;
	}
	/* The tc object reuses the maps the XDP object pinned. */
	rc = fp_xdp_pins_check(t, tc->obj);
	if (rc == 0)
		rc = fp_tc__load(tc);
	if (rc < 0) {
		errmsg("loading the BPF object of %s failed: %s (libbpf says why above; a "
		       "program the verifier rejects comes with its log)",
		       FP_TC_PROG_NAME, strerror(-rc));
		fp_xdp_pins_undo(t, pinned);
		errmsg("nothing was changed");
		goto out;
	}
	prog = bpf_object__find_program_by_name(skel->obj, FP_XDP_PROG_NAME);
	tc_prog = bpf_object__find_program_by_name(tc->obj, FP_TC_PROG_NAME);

	/* The entries of the previous attach, to find ports since removed. */
	for (i = 0; i < FP_PORT_MAX; i++) {
		rc = bpf_map_lookup_elem(map_fd(skel, FP_XDP_MAP_PORT_CFG), &i, &old[i]);
		if (rc < 0) {
			errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_PORT_CFG],
			       strerror(-rc));
			goto out;
		}
	}
	rc = entries_write(t, skel, devs, old);
	if (rc < 0)
		goto out;
	for (i = 0; i < t->cfg.n_ports; i++) {
		rc = port_attach(t, i, &devs[i], bpf_program__fd(prog), bpf_program__fd(tc_prog));
		if (rc < 0)
			goto out;
	}
	rc = fp_xdp_pins_prog_pin(t, prog, FP_XDP_PROG_NAME, FP_XDP_PROG_PIN_TMP);
	if (rc < 0)
		goto out;
	rc = fp_xdp_pins_prog_pin(t, tc_prog, FP_TC_PROG_NAME, FP_TC_PROG_PIN_TMP);
	if (rc < 0)
		goto out;
	rc = stale_remove(t, skel, devs, old);
	if (rc < 0)
		goto out;
	printf("instance \"%s\": %u ports, maps pinned under %s\n", t->cfg.instance, t->cfg.n_ports,
	       t->dir);
out:
	fp_tc__destroy(tc);
	fp_xdp__destroy(skel);
err_lock:
	close(lock);
	return rc;
}

/* Detach flowplane's XDP program, then its tc filter, from ifindex where
 * they are there; anything else is left alone.
 */
static int
detach_one(uint32_t ifindex, const char *what)
{
	char name[IF_NAMESIZE];
	struct tc_slot ts;
	struct hook h;
	int rc;

	rc = fp_xdp_hook_get(ifindex, &h);
	if (rc == 0)
		rc = fp_xdp_hook_tc_get(ifindex, &ts);
	if (rc < 0) {
		errmsg("%s: cannot query ifindex %u: %s", what, ifindex, strerror(-rc));
		return rc;
	}
	if (if_indextoname(ifindex, name) == NULL)
		snprintf(name, sizeof(name), "ifindex %u", ifindex);
	if (h.prog_id == 0) {
		printf("%s: %s has no XDP program\n", what, name);
	} else if (!h.ours) {
		printf("%s: %s has XDP program %u (\"%s\"), not flowplane's: left alone\n", what,
		       name, h.prog_id, h.prog_name);
	} else {
		rc = fp_xdp_hook_detach(ifindex, &h);
		if (rc < 0) {
			errmsg("%s: detaching from %s failed: %s", what, name, strerror(-rc));
			return rc;
		}
		printf("%s: detached %s from %s\n", what, FP_XDP_PROG_NAME, name);
	}
	if (ts.prog_id == 0)
		return 0;
	if (!ts.ours) {
		printf("%s: %s has tc ingress program %u (\"%s\") in flowplane's place, not "
		       "flowplane's: left alone\n",
		       what, name, ts.prog_id, ts.prog_name);
		return 0;
	}
	rc = fp_xdp_hook_tc_detach(ifindex);
	if (rc < 0) {
		errmsg("%s: removing %s from the tc ingress of %s failed: %s", what,
		       FP_TC_PROG_NAME, name, strerror(-rc));
		return rc;
	}
	printf("%s: detached %s from %s's tc ingress\n", what, FP_TC_PROG_NAME, name);
	return 0;
}

/* detach, under fp_xdp_pins_lock() when there is a bpffs to lock. */
static int
detach_locked(struct tool *t)
{
	uint32_t done[2 * FP_PORT_MAX], n_done = 0, i, j, ifindex;
	char path[FP_XDP_PATH_SIZE], what[64], name[IF_NAMESIZE];
	struct fp_port_cfg pc;
	struct pins p;
	int fd, rc, ret = 0;

	for (i = 0; i < t->cfg.n_ports; i++) {
		const struct fp_xdp_config_port *cp = &t->cfg.ports[i];

		snprintf(what, sizeof(what), "port \"%s\"", cp->name);
		ifindex = if_nametoindex(cp->iface);
		if (ifindex == 0) {
			printf("%s: interface %s does not exist: skipped\n", what, cp->iface);
			continue;
		}
		rc = detach_one(ifindex, what);
		if (rc < 0)
			ret = rc;
		done[n_done++] = ifindex;
	}

	/* Ports of the last attach that the config no longer names. */
	if (!fp_xdp_pins_mounted()) {
		printf("no bpffs on %s: no pinned maps\n", FP_XDP_BPFFS);
		return ret;
	}
	fp_xdp_pins_open(t, &p);
	fd = fp_xdp_pins_fd(&p, FP_XDP_MAP_PORT_CFG);
	for (i = 0; fd >= 0 && i < FP_PORT_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, &pc) < 0 || pc.ifindex == 0)
			continue;
		for (j = 0; j < n_done && done[j] != pc.ifindex; j++)
			;
		if (j < n_done)
			continue;
		if (if_indextoname(pc.ifindex, name) == NULL) {
			/* Deleted: its programs went with it. */
			printf("port \"%.31s\": ifindex %u no longer exists: skipped\n", pc.name,
			       pc.ifindex);
			continue;
		}
		snprintf(what, sizeof(what), "port \"%.31s\" (no longer configured)", pc.name);
		rc = detach_one(pc.ifindex, what);
		if (rc < 0)
			ret = rc;
		done[n_done++] = pc.ifindex;
	}
	fp_xdp_pins_close(&p);
	if (ret < 0) {
		errmsg("not every interface was detached: the pins are kept");
		return ret;
	}

	/* A program pin without an attachment serves nothing. */
	fp_xdp_pins_path(t, FP_XDP_PROG_NAME, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		errmsg("%s: %s", path, strerror(errno));
	}
	fp_xdp_pins_path(t, FP_TC_PROG_NAME, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		errmsg("%s: %s", path, strerror(errno));
	}
	if (t->keep_maps) {
		printf("maps kept under %s\n", t->dir);
		return ret;
	}
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		fp_xdp_pins_path(t, fp_names_xdp_map[i], path, sizeof(path));
		if (unlink(path) < 0 && errno != ENOENT) {
			ret = -errno;
			errmsg("%s: %s", path, strerror(errno));
		}
	}
	if (rmdir(t->dir) < 0 && errno != ENOENT) {
		ret = -errno;
		errmsg("%s: %s (something else is pinned there)", t->dir, strerror(errno));
		return ret;
	}
	rmdir(FP_XDP_PIN_ROOT); /* only if no other instance is left */
	printf("maps unpinned, %s removed\n", t->dir);
	return ret;
}

int
fp_xdp_cmd_detach(struct tool *t)
{
	int lock = -1, ret;

	if (fp_xdp_pins_mounted()) {
		lock = fp_xdp_pins_lock();
		if (lock < 0)
			return lock;
	}
	ret = detach_locked(t);
	if (lock >= 0)
		close(lock);
	return ret;
}
