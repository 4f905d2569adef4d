/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: an interface's hooks (xdp_tool.h).
 *
 * What sits at an interface's XDP hook (the program, its mode) and in
 * flowplane's filter slot of its tc ingress hook (FP_TC_HANDLE,
 * FP_TC_PRIO), whether it is flowplane's (by program name), and taking it
 * off; the interface's MAC and MTU.  libbpf's messages go through
 * lib/log.h from here, as the tc query is the one call whose libbpf
 * warning is expected and dropped.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static bool verbose;
static bool libbpf_quiet; /* drop libbpf's warnings too (an expected error) */

/* libbpf's messages, through lib/log.h: warnings (the verifier's log
 * among them) always, the rest with -v.
 */
static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	if ((level != LIBBPF_WARN || libbpf_quiet) && !verbose)
		return 0;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return n;
	fp_log_text(level == LIBBPF_WARN ? FP_LOG_WARN : FP_LOG_DEBUG, buf,
		    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

void
fp_xdp_hook_log_init(bool debug)
{
	verbose = debug;
	libbpf_set_print(libbpf_print);
}

const char *
fp_xdp_hook_mode_name(uint32_t flags)
{
	if (flags & XDP_FLAGS_DRV_MODE)
		return "native";
	if (flags & XDP_FLAGS_SKB_MODE)
		return "generic";
	return "none";
}

uint32_t
fp_xdp_hook_mode_flag(const struct fp_xdp_config *cfg)
{
	return cfg->mode == FP_XDP_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

/* The name of program id: 0, -ENOENT if it is gone, or another -errno. */
static int
prog_name_get(uint32_t id, char name[BPF_OBJ_NAME_LEN])
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, rc;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	rc = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (rc < 0)
		return rc;
	snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
	return 0;
}

/* Read what sits at ifindex's XDP hook. */
int
fp_xdp_hook_get(uint32_t ifindex, struct hook *h)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int rc;

	memset(h, 0, sizeof(*h));
	rc = bpf_xdp_query((int)ifindex, 0, &q);
	if (rc < 0)
		return rc;
	h->hw_prog_id = q.hw_prog_id;
	if (q.drv_prog_id != 0) {
		h->prog_id = q.drv_prog_id;
		h->flags = XDP_FLAGS_DRV_MODE;
	} else if (q.skb_prog_id != 0) {
		h->prog_id = q.skb_prog_id;
		h->flags = XDP_FLAGS_SKB_MODE;
	}
	if (h->prog_id == 0)
		return 0;
	rc = prog_name_get(h->prog_id, h->prog_name);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc; /* detached meanwhile */
	h->ours = strcmp(h->prog_name, FP_XDP_PROG_NAME) == 0;
	return 0;
}

/* Detach the flowplane program described by h from ifindex, only if it
 * is still the one attached (XDP_FLAGS_REPLACE).
 */
int
fp_xdp_hook_detach(uint32_t ifindex, const struct hook *h)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int fd, rc;

	fd = bpf_prog_get_fd_by_id(h->prog_id);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	opts.old_prog_fd = fd;
	rc = bpf_xdp_detach((int)ifindex, h->flags | XDP_FLAGS_REPLACE, &opts);
	close(fd);
	return rc;
}

/* Read flowplane's filter slot at ifindex's tc ingress hook.  No clsact
 * qdisc, or no filter there, is an empty slot.
 */
int
fp_xdp_hook_tc_get(uint32_t ifindex, struct tc_slot *s)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
	int rc;

	memset(s, 0, sizeof(*s));
	/* Without a clsact qdisc the kernel says so, and libbpf repeats it. */
	libbpf_quiet = true;
	rc = bpf_tc_query(&hook, &opts);
	libbpf_quiet = false;
	if (rc == -ENOENT || rc == -EINVAL)
		return 0;
	if (rc < 0)
		return rc;
	s->prog_id = opts.prog_id;
	rc = prog_name_get(s->prog_id, s->prog_name);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	s->ours = strcmp(s->prog_name, FP_TC_PROG_NAME) == 0;
	return 0;
}

/* Put prog_fd in flowplane's tc slot of ifindex, creating the clsact
 * qdisc if there is none, and replacing the filter there in place.
 */
int
fp_xdp_hook_tc_attach(uint32_t ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE,
		    .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
	int rc;

	rc = bpf_tc_hook_create(&hook);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	return bpf_tc_attach(&hook, &opts);
}

/* Remove flowplane's tc filter from ifindex (the clsact qdisc stays: other
 * filters may use it).
 */
int
fp_xdp_hook_tc_detach(uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FP_TC_HANDLE, .priority = FP_TC_PRIO);
	int rc;

	rc = bpf_tc_detach(&hook, &opts);
	return rc == -ENOENT ? 0 : rc;
}

/* The interface's MAC (Ethernet only) and MTU, through ioctls: they see the
 * network namespace fp-xdp runs in, as if_nametoindex() does.
 */
int
fp_xdp_hook_iface_read(const char *iface, uint8_t mac[6], uint32_t *mtu)
{
	struct ifreq ifr;
	int sk, rc = 0;

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(sk, SIOCGIFHWADDR, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		rc = -EPFNOSUPPORT;
		goto out;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(sk, SIOCGIFMTU, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	*mtu = (uint32_t)ifr.ifr_mtu;
out:
	close(sk);
	return rc;
}

void
fp_xdp_hook_mode_warn(const struct fp_xdp_config *cfg)
{
	if (cfg->mode == FP_XDP_MODE_GENERIC)
		fp_log(FP_LOG_WARN,
		       "%s: fp_xdp.mode = \"generic\": the program runs after the "
		       "kernel has built an skb, far slower than native XDP; use it only where "
		       "a driver has no native XDP",
		       cfg->path);
}
