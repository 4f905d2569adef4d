/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: load flowplane's XDP program and its tc companion, keep their
 * pinned maps, attach them to the configured interfaces, and report on
 * them.
 *
 *   fp-xdp [-c FILE] [-v] attach
 *   fp-xdp [-c FILE] [-v] detach [--keep-maps]
 *   fp-xdp [-c FILE] status [--json]
 *   fp-xdp [-c FILE] stats [--json]
 *   fp-xdp [-c FILE] --check-config [FILE]
 *   fp-xdp --version
 *
 * The maps of an instance are pinned under FP_XDP_PIN_ROOT/<instance>
 * (include/flowplane/xdp.h) and outlive this process: attach reuses them
 * (libbpf's pinning by name), so a re-attach keeps every table entry and
 * replaces the program on each interface atomically (XDP_FLAGS_REPLACE),
 * without a gap in forwarding.  The program itself is pinned next to the
 * maps as fp_xdp_rx; it stays attached (no bpf_link) after fp-xdp exits.
 *
 * The tc program fp_tc_flood (bpf/fp_tc.bpf.c, an object of its own that
 * reuses the same pinned maps) makes the copies of a flood, which XDP
 * cannot: it sits at each interface's clsact ingress hook as the cls_bpf
 * filter (FP_TC_HANDLE, FP_TC_PRIO), is attached before the XDP program
 * (which passes it the frames to flood) and replaced in place
 * (BPF_TC_F_REPLACE); it is pinned as fp_tc_flood.
 *
 * attach checks everything it can before it changes anything: that every
 * interface exists and carries no XDP program but flowplane's, and that
 * maps pinned by an earlier attach have the shape this program needs.
 * Entries are written make-before-break: the new ports' entries, then the
 * program, then the removal of ports the config no longer has.
 *
 * Exit status: 0 done; 1 error; 2 usage; status: 3 when a port is not
 * attached as configured or a map is not pinned.  Documentation:
 * doc/xdp.md.
 */
#include "fp_tc.skel.h"
#include "fp_xdp.skel.h"
#include "names.h"
#include "xdp_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf_check.h"
#include "log.h"
#include "version.h"

#define FP_XDP_CONF_DEFAULT "/etc/flowplane/flowplane.conf" /* -c default */
#define FP_XDP_BPFFS "/sys/fs/bpf"			    /* where bpffs is mounted */
#define FP_XDP_PROG_NAME "fp_xdp_rx"			    /* the program, its pin */
#define FP_XDP_PROG_PIN_TMP "fp_xdp_rx_new"		    /* pinned, then renamed */
#define FP_TC_PROG_NAME "fp_tc_flood"			    /* the tc program, its pin */
#define FP_TC_PROG_PIN_TMP "fp_tc_flood_new"		    /* pinned, then renamed */
#define FP_TC_HANDLE 0xf10dU				    /* its cls_bpf filter handle */
#define FP_TC_PRIO 1					    /* and priority: the first */
#define FP_XDP_KEY_SIZE_MAX 64				    /* largest map key */
#define FP_XDP_DIR_SIZE (sizeof(FP_XDP_PIN_ROOT) + FP_XDP_INSTANCE_SIZE) /* pin directory */
#define FP_XDP_PATH_SIZE (FP_XDP_DIR_SIZE + 32)				 /* a pin in it */

#define EXIT_USAGE 2	    /* bad command line */
#define EXIT_NOT_ATTACHED 3 /* status: not attached as configured */

/* Commands. */
enum cmd {
	CMD_NONE,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_STATUS,
	CMD_STATS,
	CMD_CHECK,
};

/* Command line and loaded state of one run. */
struct tool {
	const char *conf;	   /* -c FILE */
	enum cmd cmd;		   /* what to do */
	bool json;		   /* --json */
	bool keep_maps;		   /* detach --keep-maps */
	bool verbose;		   /* -v: libbpf's debug messages */
	int level;		   /* -v/-q: FP_LOG_*; -1: log_level */
	unsigned int parts;	   /* --check-config: FP_CONF_PART_* checked */
	struct fp_xdp_config cfg;  /* the loaded config */
	char dir[FP_XDP_DIR_SIZE]; /* FP_XDP_PIN_ROOT/<instance> */
};

/* What an interface's XDP hook holds. */
struct hook {
	uint32_t prog_id;		  /* attached program, 0: none */
	uint32_t flags;			  /* XDP_FLAGS_DRV_MODE or _SKB_MODE it sits in */
	uint32_t hw_prog_id;		  /* offloaded program, 0: none */
	bool ours;			  /* the program is flowplane's fp_xdp_rx */
	char prog_name[BPF_OBJ_NAME_LEN]; /* its name */
};

/* What an interface's tc ingress hook holds in flowplane's filter slot
 * (FP_TC_HANDLE, FP_TC_PRIO).
 */
struct tc_slot {
	uint32_t prog_id;		  /* the filter's program, 0: no filter */
	bool ours;			  /* the program is flowplane's fp_tc_flood */
	char prog_name[BPF_OBJ_NAME_LEN]; /* its name */
};

/* A configured port, resolved at attach. */
struct port_dev {
	uint32_t ifindex;   /* 0: the interface does not exist */
	uint8_t mac[6];	    /* device MAC */
	uint16_t pad;	    /* zero */
	uint32_t iface_mtu; /* the interface's MTU */
	struct hook hook;   /* what is attached now */
	struct tc_slot tc;  /* what sits in the tc slot now */
};

/* The pinned maps of an instance, opened by path. */
struct pins {
	int fd[FP_XDP_MAP_MAX];			  /* -1: not pinned */
	struct bpf_map_info info[FP_XDP_MAP_MAX]; /* valid where fd >= 0 */
};

/* Key and value sizes of each map: the ABI of include/flowplane/xdp.h. */
struct map_abi {
	uint32_t key_size; /* bytes */
	uint32_t val_size; /* bytes (per CPU for fp_counters) */
};

static const struct map_abi map_abi[FP_XDP_MAP_MAX] = {
	[FP_XDP_MAP_PORT] = { sizeof(struct fp_port_key), sizeof(struct fp_port_val) },
	[FP_XDP_MAP_VTEP] = { sizeof(struct fp_vtep_key), sizeof(struct fp_vtep_val) },
	[FP_XDP_MAP_FDB] = { sizeof(struct fp_fdb_key), sizeof(struct fp_fdb_val) },
	[FP_XDP_MAP_FLOOD] = { sizeof(struct fp_flood_key), sizeof(struct fp_flood_val) },
	[FP_XDP_MAP_NEIGH] = { sizeof(struct fp_neigh_key), sizeof(struct fp_neigh_val) },
	[FP_XDP_MAP_PORT_CFG] = { sizeof(__u32), sizeof(struct fp_port_cfg) },
	[FP_XDP_MAP_HOST] = { sizeof(__u32), sizeof(struct fp_host_cfg) },
	[FP_XDP_MAP_TX] = { sizeof(__u32), sizeof(__u32) },
	[FP_XDP_MAP_IFPORT] = { sizeof(__u32), sizeof(__u32) },
	[FP_XDP_MAP_IFSLOT] = { sizeof(__u32), sizeof(struct fp_ifslot) },
	[FP_XDP_MAP_VNI] = { sizeof(__u32), sizeof(__u64) },
	[FP_XDP_MAP_COUNTERS] = { sizeof(__u32), sizeof(struct fp_counters) },
	[FP_XDP_MAP_VTEP_SRC] = { sizeof(struct fp_vtep_src_key), sizeof(__u32) },
	[FP_XDP_MAP_GUARD] = { sizeof(__u32), sizeof(struct fp_guard_cfg) },
	[FP_XDP_MAP_STORM] = { sizeof(__u32), sizeof(struct fp_storm_bucket) },
};

static bool verbose;
static bool libbpf_quiet; /* drop libbpf's warnings too (an expected error) */

static void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fp_vlog(FP_LOG_ERR, fmt, ap);
	va_end(ap);
}

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

static void
usage(FILE *f)
{
	fprintf(f, "usage: fp-xdp [-c FILE] [-v] attach\n"
		   "       fp-xdp [-c FILE] [-v] detach [--keep-maps]\n"
		   "       fp-xdp [-c FILE] status [--json]\n"
		   "       fp-xdp [-c FILE] stats [--json]\n"
		   "       fp-xdp [-c FILE] --check-config [FILE]\n"
		   "       fp-xdp --version | --help\n"
		   "\n"
		   "  -c, --config FILE  config file (default " FP_XDP_CONF_DEFAULT ")\n"
		   "  -v, --verbose      log level debug, libbpf's debug messages too\n"
		   "  -q, --quiet        log level warning; twice: error (overrides log_level)\n"
		   "  --keep-maps        detach: keep the pinned maps and their entries\n"
		   "  --json             status, stats: one JSON object on stdout\n"
		   "  --check-config [FILE] check the whole config file (every program's part)\n"
		   "                     and exit\n"
		   "  -V, --version      print the version and exit\n"
		   "  -h, --help         this text\n"
		   "\n"
		   "Maps are pinned under " FP_XDP_PIN_ROOT "/<instance>; see doc/xdp.md.\n");
}

/* Print s as a JSON string. */
static void
json_str(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int
need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	errmsg("%s needs root (CAP_BPF, CAP_SYS_ADMIN and CAP_NET_ADMIN): run it with sudo", what);
	return -EPERM;
}

static bool
bpffs_mounted(void)
{
	struct statfs st;

	return statfs(FP_XDP_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Make sure bpffs is mounted at /sys/fs/bpf, mounting it if it is not (as
 * iproute2 and libxdp do).
 */
static int
bpffs_ensure(void)
{
	struct stat st;
	int rc;

	if (bpffs_mounted())
		return 0;
	if (stat(FP_XDP_BPFFS, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errmsg("%s does not exist: is sysfs mounted on /sys?", FP_XDP_BPFFS);
		return -ENOENT;
	}
	if (mount("bpf", FP_XDP_BPFFS, "bpf", 0, "mode=0700") < 0) {
		rc = -errno;
		errmsg("no bpffs on %s and mounting it failed: %s; mount it with: "
		       "mount -t bpf bpf %s",
		       FP_XDP_BPFFS, strerror(-rc), FP_XDP_BPFFS);
		return rc;
	}
	fp_log(FP_LOG_INFO,
	       "bpffs was not mounted; mounted it on %s.  Make it permanent "
	       "(fstab: \"bpf %s bpf defaults 0 0\"), and do not run fp-xdp under "
	       "'ip netns exec', whose private /sys drops the mount and the pins on exit "
	       "(use nsenter --net=/run/netns/NAME)",
	       FP_XDP_BPFFS, FP_XDP_BPFFS);
	return 0;
}

/* Serialise the commands that change things (attach, detach) on this
 * host: an exclusive flock on the bpffs root, which is never removed.
 * Returns the fd to close, or a negative errno.
 */
static int
change_lock(void)
{
	int fd, rc;

	fd = open(FP_XDP_BPFFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		errmsg("%s: %s", FP_XDP_BPFFS, strerror(-rc));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		errmsg("another fp-xdp attach or detach is running; waiting for it");
		if (flock(fd, LOCK_EX) < 0) {
			rc = -errno;
			errmsg("flock %s: %s", FP_XDP_BPFFS, strerror(-rc));
			close(fd);
			return rc;
		}
	}
	return fd;
}

/* mkdir -p for the pin directory (bpffs directories, mode 0700). */
static int
dir_make(const char *dir)
{
	char buf[FP_XDP_PATH_SIZE];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void
pin_path(const struct tool *t, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

static const char *
mode_flag_name(uint32_t flags)
{
	if (flags & XDP_FLAGS_DRV_MODE)
		return "native";
	if (flags & XDP_FLAGS_SKB_MODE)
		return "generic";
	return "none";
}

static uint32_t
cfg_mode_flag(const struct fp_xdp_config *cfg)
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
static int
hook_get(uint32_t ifindex, struct hook *h)
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
static int
hook_detach(uint32_t ifindex, const struct hook *h)
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
static int
tc_get(uint32_t ifindex, struct tc_slot *s)
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
static int
tc_attach(uint32_t ifindex, int prog_fd)
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
static int
tc_detach(uint32_t ifindex)
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
static int
iface_read(const char *iface, uint8_t mac[6], uint32_t *mtu)
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

static void
pins_open(const struct tool *t, struct pins *p)
{
	char path[FP_XDP_PATH_SIZE];
	uint32_t len;
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		pin_path(t, fp_names_xdp_map[i], path, sizeof(path));
		memset(&p->info[i], 0, sizeof(p->info[i]));
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0) {
			p->fd[i] = -1;
			continue;
		}
		len = sizeof(p->info[i]);
		if (bpf_obj_get_info_by_fd(p->fd[i], &p->info[i], &len) < 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
	}
}

static void
pins_close(struct pins *p)
{
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
}

/* A pinned map fd usable as map id, or -1 (not pinned, or not the ABI this
 * fp-xdp was built with).
 */
static int
pins_fd(const struct pins *p, enum fp_xdp_map id)
{
	if (p->fd[id] < 0 || p->info[id].key_size != map_abi[id].key_size ||
	    p->info[id].value_size != map_abi[id].val_size)
		return -1;
	return p->fd[id];
}

/* Entries in a map: keys of a hash, set slots of a devmap, non-zero values
 * of an array (fp_vni: set bits, the VNIs served); -1 for a per-CPU map
 * (not a table).  Arrays are read in one batch (fp_vni has 262144 words).
 */
static long
map_count(int fd, const struct bpf_map_info *info, bool bits)
{
	uint8_t key[FP_XDP_KEY_SIZE_MAX], next[FP_XDP_KEY_SIZE_MAX];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t i, n_read = info->max_entries, out;
	uint8_t *vals = NULL, *zero = NULL;
	uint32_t *keys = NULL;
	void *prev = NULL;
	long n = 0;

	switch (info->type) {
	case BPF_MAP_TYPE_HASH:
		if (info->key_size > sizeof(key))
			return -1;
		while (bpf_map_get_next_key(fd, prev, next) == 0) {
			memcpy(key, next, info->key_size);
			prev = key;
			n++;
		}
		return n;
	case BPF_MAP_TYPE_DEVMAP: {
		uint64_t dv[2]; /* ifindex, or struct bpf_devmap_val */

		if (info->value_size > sizeof(dv))
			return -1;
		for (i = 0; i < info->max_entries; i++)
			if (bpf_map_lookup_elem(fd, &i, dv) == 0)
				n++;
		return n;
	}
	case BPF_MAP_TYPE_ARRAY:
		keys = calloc(info->max_entries, sizeof(*keys));
		vals = calloc(info->max_entries, info->value_size);
		zero = calloc(1, info->value_size);
		if (keys == NULL || vals == NULL || zero == NULL ||
		    (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &n_read, &opts) < 0 &&
		     errno != ENOENT)) {
			n = -1;
		} else {
			for (i = 0; i < n_read; i++) {
				const uint8_t *v = vals + (size_t)i * info->value_size;

				if (bits && info->value_size == sizeof(uint64_t)) {
					uint64_t w;

					memcpy(&w, v, sizeof(w));
					n += __builtin_popcountll(w);
				} else if (memcmp(v, zero, info->value_size) != 0) {
					n++;
				}
			}
		}
		free(keys);
		free(vals);
		free(zero);
		return n;
	default:
		return -1;
	}
}

/* The map of table t: "fp_<table name>". */
static int
table_map(unsigned int t)
{
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		if (strncmp(fp_names_xdp_map[i], "fp_", 3) == 0 &&
		    strcmp(fp_names_xdp_map[i] + 3, fp_names_table[t]) == 0)
			return i;
	return -1;
}

static uint32_t
map_max_entries(const struct fp_xdp_config *cfg, int id)
{
	unsigned int t;

	for (t = 0; t < FP_TABLE_MAX; t++)
		if (t != FP_TABLE_PORT && table_map(t) == id)
			return cfg->table_size[t];
	if (id == FP_XDP_MAP_VTEP_SRC) {
		/* A key per reference at most: fdb entries, flood members. */
		uint64_t n = (uint64_t)cfg->table_size[FP_TABLE_FDB] +
			     (uint64_t)cfg->table_size[FP_TABLE_FLOOD] * FP_FLOOD_MEMBER_MAX;

		return n > (1U << 24) ? 1U << 24 : (uint32_t)n;
	}
	return 0; /* fixed by the program */
}

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
		rc = iface_read(p->iface, d->mac, &d->iface_mtu);
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
		rc = hook_get(d->ifindex, &d->hook);
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
		rc = tc_get(d->ifindex, &d->tc);
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

/* A map already pinned must have the shape this program creates, or libbpf
 * refuses it with a terse message: say what differs and what to do.
 */
static int
pins_check(const struct tool *t, struct bpf_object *obj)
{
	struct pins p;
	int i, rc = 0;

	pins_open(t, &p);
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, fp_names_xdp_map[i]);
		const struct bpf_map_info *in = &p.info[i];

		if (p.fd[i] < 0 || m == NULL)
			continue;
		if (in->type != bpf_map__type(m) || in->key_size != bpf_map__key_size(m) ||
		    in->value_size != bpf_map__value_size(m)) {
			errmsg("%s/%s is pinned with another layout (type %u, key %u, value %u "
			       "bytes; this fp-xdp needs type %u, %u, %u): an older flowplane? "
			       "'fp-xdp detach' (without --keep-maps) drops the maps, then attach",
			       t->dir, fp_names_xdp_map[i], in->type, in->key_size, in->value_size,
			       bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m));
			rc = -EINVAL;
		} else if (in->max_entries != bpf_map__max_entries(m)) {
			errmsg("%s/%s is pinned with %u entries, the config asks for %u: a table "
			       "size changes only with new maps ('fp-xdp detach', which drops the "
			       "entries, then attach)",
			       t->dir, fp_names_xdp_map[i], in->max_entries,
			       bpf_map__max_entries(m));
			rc = -EINVAL;
		} else if (in->type == BPF_MAP_TYPE_DEVMAP &&
			   in->map_flags == (bpf_map__map_flags(m) | BPF_F_RDONLY_PROG)) {
			/* The kernel adds BPF_F_RDONLY_PROG to a devmap, and
			 * libbpf 1.1 then finds the pin incompatible: compare
			 * as the kernel stored it.
			 */
			bpf_map__set_map_flags(m, in->map_flags);
		}
	}
	pins_close(&p);
	return rc;
}

/* Point every map of a BPF object at its pin and size the tables; check
 * that the object has the maps of the ABI and its program.
 */
static int
obj_prepare(const struct tool *t, struct bpf_object *obj, const char *prog)
{
	char path[FP_XDP_PATH_SIZE];
	struct bpf_map *m;
	uint32_t max;
	int i, rc;

	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		m = bpf_object__find_map_by_name(obj, fp_names_xdp_map[i]);
		if (m == NULL) {
			errmsg("the BPF object of %s has no map %s (include/flowplane/xdp.h)", prog,
			       fp_names_xdp_map[i]);
			return -ENOENT;
		}
		if (bpf_map__key_size(m) != map_abi[i].key_size ||
		    bpf_map__value_size(m) != map_abi[i].val_size) {
			errmsg("map %s of the BPF object of %s has key %u, value %u bytes; the ABI "
			       "says %u, %u: rebuild",
			       fp_names_xdp_map[i], prog, bpf_map__key_size(m),
			       bpf_map__value_size(m), map_abi[i].key_size, map_abi[i].val_size);
			return -EINVAL;
		}
		pin_path(t, fp_names_xdp_map[i], path, sizeof(path));
		rc = bpf_map__set_pin_path(m, path);
		if (rc < 0) {
			errmsg("%s: cannot set the pin path: %s", fp_names_xdp_map[i],
			       strerror(-rc));
			return rc;
		}
		max = map_max_entries(&t->cfg, i);
		if (max != 0) {
			rc = bpf_map__set_max_entries(m, max);
			if (rc < 0) {
				errmsg("%s: cannot size to %u entries: %s", fp_names_xdp_map[i],
				       max, strerror(-rc));
				return rc;
			}
		}
	}
	if (bpf_object__find_program_by_name(obj, prog) == NULL) {
		errmsg("the BPF object has no program %s", prog);
		return -ENOENT;
	}
	return 0;
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
	rc = obj_prepare(t, (*xdp)->obj, FP_XDP_PROG_NAME);
	if (rc < 0)
		goto err_tc;
	rc = obj_prepare(t, (*tc)->obj, FP_TC_PROG_NAME);
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

/* Remove the map pins a failed attach created (those not in pinned[]),
 * and the directories if they are left empty: nothing was changed.
 */
static void
pins_undo(const struct tool *t, const bool pinned[FP_XDP_MAP_MAX])
{
	char path[FP_XDP_PATH_SIZE];
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		if (pinned[i])
			continue;
		pin_path(t, fp_names_xdp_map[i], path, sizeof(path));
		unlink(path);
	}
	if (rmdir(t->dir) == 0)
		rmdir(FP_XDP_PIN_ROOT);
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
	return map_set(skel, FP_XDP_MAP_HOST, &zero, &host);
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
			if (hook_get(old[i].ifindex, &h) == 0 && h.ours) {
				rc = hook_detach(old[i].ifindex, &h);
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
			if (tc_get(old[i].ifindex, &ts) == 0 && ts.ours) {
				rc = tc_detach(old[i].ifindex);
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
	uint32_t mode = cfg_mode_flag(&t->cfg);
	struct tc_slot ts;
	struct hook h;
	int old_fd = -1, rc;

	/* Look again: an earlier check may be stale by now. */
	rc = tc_get(d->ifindex, &ts);
	if (rc < 0)
		return rc;
	if (ts.prog_id != 0 && !ts.ours) {
		errmsg("interface \"%s\": tc ingress filter with program %u (\"%s\") appeared "
		       "in flowplane's place, not flowplane's",
		       p->iface, ts.prog_id, ts.prog_name);
		return -EBUSY;
	}
	rc = tc_attach(d->ifindex, tc_fd);
	if (rc < 0) {
		errmsg("port \"%s\": attaching %s to the tc ingress of interface \"%s\" "
		       "failed: %s",
		       p->name, FP_TC_PROG_NAME, p->iface, strerror(-rc));
		return rc;
	}
	rc = hook_get(d->ifindex, &h);
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
		       p->iface, mode_flag_name(h.flags), mode_flag_name(mode));
		rc = hook_detach(d->ifindex, &h);
		if (rc < 0) {
			errmsg("interface \"%s\": detaching the %s program failed: %s", p->iface,
			       mode_flag_name(h.flags), strerror(-rc));
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
		       p->name, p->iface, mode_flag_name(mode), strerror(-rc),
		       (rc == -EOPNOTSUPP && (mode & XDP_FLAGS_DRV_MODE)) ?
			       " (the driver has no native XDP: set fp_xdp.mode = \"generic\")" :
			       "");
		return rc;
	}
	printf("%s %s %s %s (port %u \"%s\", %s mode), %s %s at its tc ingress\n",
	       old_fd >= 0 ? "replaced" : "attached", FP_XDP_PROG_NAME, old_fd >= 0 ? "on" : "to",
	       p->iface, i, p->name, mode_flag_name(mode), FP_TC_PROG_NAME,
	       ts.prog_id != 0 ? "replaced" : "attached");
	return 0;
}

/* Pin a program as <dir>/<name>, replacing the older pin. */
static int
prog_pin(const struct tool *t, struct bpf_program *prog, const char *name, const char *tmp_name)
{
	char path[FP_XDP_PATH_SIZE], tmp[FP_XDP_PATH_SIZE];
	int rc;

	pin_path(t, name, path, sizeof(path));
	pin_path(t, tmp_name, tmp, sizeof(tmp));
	unlink(tmp);
	rc = bpf_obj_pin(bpf_program__fd(prog), tmp);
	if (rc < 0)
		goto err;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		goto err;
	}
	return 0;
err:
	errmsg("pinning the program at %s failed: %s", path, strerror(-rc));
	return rc;
}

static void
mode_warn(const struct fp_xdp_config *cfg)
{
	if (cfg->mode == FP_XDP_MODE_GENERIC)
		fp_log(FP_LOG_WARN,
		       "%s: fp_xdp.mode = \"generic\": the program runs after the "
		       "kernel has built an skb, far slower than native XDP; use it only where "
		       "a driver has no native XDP",
		       cfg->path);
}

static int
cmd_attach(struct tool *t)
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

	rc = need_root("attach");
	if (rc < 0)
		return rc;
	mode_warn(&t->cfg);
	memset(devs, 0, sizeof(devs));
	rc = ports_resolve(t, devs);
	if (rc < 0) {
		errmsg("nothing was changed");
		return rc;
	}
	rc = bpffs_ensure();
	if (rc < 0)
		return rc;
	lock = change_lock();
	if (lock < 0)
		return lock;
	rc = skel_prepare(t, &skel, &tc);
	if (rc < 0)
		goto err_lock;
	rc = pins_check(t, skel->obj);
	if (rc < 0) {
		errmsg("nothing was changed");
		goto out;
	}
	pins_open(t, &p);
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		pinned[i] = p.fd[i] >= 0;
	pins_close(&p);
	rc = dir_make(t->dir);
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
		pins_undo(t, pinned);
		errmsg("nothing was changed");
		goto out;
	}
	/* The tc object reuses the maps the XDP object pinned. */
	rc = pins_check(t, tc->obj);
	if (rc == 0)
		rc = fp_tc__load(tc);
	if (rc < 0) {
		errmsg("loading the BPF object of %s failed: %s (libbpf says why above; a "
		       "program the verifier rejects comes with its log)",
		       FP_TC_PROG_NAME, strerror(-rc));
		pins_undo(t, pinned);
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
	rc = prog_pin(t, prog, FP_XDP_PROG_NAME, FP_XDP_PROG_PIN_TMP);
	if (rc < 0)
		goto out;
	rc = prog_pin(t, tc_prog, FP_TC_PROG_NAME, FP_TC_PROG_PIN_TMP);
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

	rc = hook_get(ifindex, &h);
	if (rc == 0)
		rc = tc_get(ifindex, &ts);
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
		rc = hook_detach(ifindex, &h);
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
	rc = tc_detach(ifindex);
	if (rc < 0) {
		errmsg("%s: removing %s from the tc ingress of %s failed: %s", what,
		       FP_TC_PROG_NAME, name, strerror(-rc));
		return rc;
	}
	printf("%s: detached %s from %s's tc ingress\n", what, FP_TC_PROG_NAME, name);
	return 0;
}

/* detach, under change_lock() when there is a bpffs to lock. */
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
	if (!bpffs_mounted()) {
		printf("no bpffs on %s: no pinned maps\n", FP_XDP_BPFFS);
		return ret;
	}
	pins_open(t, &p);
	fd = pins_fd(&p, FP_XDP_MAP_PORT_CFG);
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
	pins_close(&p);
	if (ret < 0) {
		errmsg("not every interface was detached: the pins are kept");
		return ret;
	}

	/* A program pin without an attachment serves nothing. */
	pin_path(t, FP_XDP_PROG_NAME, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		errmsg("%s: %s", path, strerror(errno));
	}
	pin_path(t, FP_TC_PROG_NAME, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		errmsg("%s: %s", path, strerror(errno));
	}
	if (t->keep_maps) {
		printf("maps kept under %s\n", t->dir);
		return ret;
	}
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		pin_path(t, fp_names_xdp_map[i], path, sizeof(path));
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

static int
cmd_detach(struct tool *t)
{
	int lock = -1, rc, ret;

	rc = need_root("detach");
	if (rc < 0)
		return rc;
	if (bpffs_mounted()) {
		lock = change_lock();
		if (lock < 0)
			return lock;
	}
	ret = detach_locked(t);
	if (lock >= 0)
		close(lock);
	return ret;
}

/* Status of one port, for both outputs. */
struct port_status {
	uint32_t ifindex;  /* 0: no such interface */
	struct hook hook;  /* what is attached */
	struct tc_slot tc; /* what is in flowplane's tc slot */
	bool ok;	   /* flowplane's programs, XDP in the configured mode */
	int slot_holder;   /* ifindex in its fp_ifslot slot; -1: unknown */
};

/* The id of the program pinned as <dir>/name, 0 if none. */
static uint32_t
prog_pin_id(const struct tool *t, const char *name)
{
	char path[FP_XDP_PATH_SIZE];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), id = 0;
	int fd;

	pin_path(t, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		id = info.id;
	close(fd);
	return id;
}

static int
cmd_status(struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;
	struct port_status ps[FP_PORT_MAX];
	uint32_t prog_id = 0, tc_id = 0, i, want = cfg_mode_flag(cfg);
	long counts[FP_XDP_MAP_MAX];
	bool mounted, healthy = true;
	struct pins p;
	int rc;

	rc = need_root("status");
	if (rc < 0)
		return rc;
	mounted = bpffs_mounted();
	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		p.fd[i] = -1;
	if (mounted)
		pins_open(t, &p);
	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		counts[i] = p.fd[i] >= 0 ? map_count(p.fd[i], &p.info[i], i == FP_XDP_MAP_VNI) : -1;
		if (p.fd[i] < 0)
			healthy = false;
	}
	if (mounted) {
		prog_id = prog_pin_id(t, FP_XDP_PROG_NAME);
		tc_id = prog_pin_id(t, FP_TC_PROG_NAME);
	}
	for (i = 0; i < cfg->n_ports; i++) {
		memset(&ps[i], 0, sizeof(ps[i]));
		ps[i].ifindex = if_nametoindex(cfg->ports[i].iface);
		if (ps[i].ifindex != 0) {
			hook_get(ps[i].ifindex, &ps[i].hook);
			tc_get(ps[i].ifindex, &ps[i].tc);
		}
		ps[i].ok = ps[i].hook.ours && ps[i].hook.flags == want && ps[i].tc.ours;
		if (!ps[i].ok)
			healthy = false;
		ps[i].slot_holder = -1;
		if (ps[i].ifindex != 0 && p.fd[FP_XDP_MAP_IFSLOT] >= 0) {
			uint32_t key = FP_XDP_IFSLOT(ps[i].ifindex);
			struct fp_ifslot slot;

			if (bpf_map_lookup_elem(p.fd[FP_XDP_MAP_IFSLOT], &key, &slot) == 0)
				ps[i].slot_holder = (int)slot.ifindex;
		}
	}

	if (t->json) {
		printf("{\"instance\":");
		json_str(cfg->instance);
		printf(",\"mode\":\"%s\",\"pin_dir\":", fp_xdp_config_mode_name(cfg->mode));
		json_str(t->dir);
		printf(",\"bpffs\":%s,\"program\":{\"pinned\":%s,\"id\":%u},"
		       "\"tc_program\":{\"pinned\":%s,\"id\":%u},\"attached\":%s,\"ports\":[",
		       mounted ? "true" : "false", prog_id ? "true" : "false", prog_id,
		       tc_id ? "true" : "false", tc_id, healthy ? "true" : "false");
		for (i = 0; i < cfg->n_ports; i++) {
			const struct fp_xdp_config_port *cp = &cfg->ports[i];

			printf("%s{\"id\":%u,\"name\":", i ? "," : "", i);
			json_str(cp->name);
			printf(",\"role\":\"%s\",\"iface\":", fp_names_role[cp->role]);
			json_str(cp->iface);
			printf(",\"ifindex\":%u,\"mtu\":%u,\"xdp_mode\":\"%s\",\"prog_id\":%u,"
			       "\"prog_name\":",
			       ps[i].ifindex, cp->mtu, mode_flag_name(ps[i].hook.flags),
			       ps[i].hook.prog_id);
			json_str(ps[i].hook.prog_name);
			printf(",\"flowplane\":%s,\"tc_prog_id\":%u,\"tc_prog_name\":",
			       ps[i].hook.ours ? "true" : "false", ps[i].tc.prog_id);
			json_str(ps[i].tc.prog_name);
			printf(",\"tc_flowplane\":%s,\"ok\":%s", ps[i].tc.ours ? "true" : "false",
			       ps[i].ok ? "true" : "false");
			if (ps[i].slot_holder >= 0)
				printf(",\"ifslot\":%s,\"ifslot_holder\":%d",
				       (uint32_t)ps[i].slot_holder == ps[i].ifindex ? "true" :
										      "false",
				       ps[i].slot_holder);
			printf("}");
		}
		printf("],\"maps\":[");
		for (i = 0; i < FP_XDP_MAP_MAX; i++) {
			printf("%s{\"name\":\"%s\",\"pinned\":%s", i ? "," : "",
			       fp_names_xdp_map[i], p.fd[i] >= 0 ? "true" : "false");
			if (p.fd[i] >= 0)
				printf(",\"id\":%u,\"max_entries\":%u", p.info[i].id,
				       p.info[i].max_entries);
			if (counts[i] >= 0)
				printf(",\"entries\":%ld", counts[i]);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("instance %s, mode %s, pins %s%s\n", cfg->instance,
		       fp_xdp_config_mode_name(cfg->mode), t->dir,
		       mounted ? "" : " (no bpffs on " FP_XDP_BPFFS ")");
		if (prog_id != 0)
			printf("program %s: pinned, id %u\n", FP_XDP_PROG_NAME, prog_id);
		else
			printf("program %s: not pinned\n", FP_XDP_PROG_NAME);
		if (tc_id != 0)
			printf("program %s: pinned, id %u\n", FP_TC_PROG_NAME, tc_id);
		else
			printf("program %s: not pinned\n", FP_TC_PROG_NAME);
		printf("\n%-4s %-16s %-9s %-15s %-7s %s\n", "port", "name", "role", "iface",
		       "ifindex", "xdp; tc ingress");
		for (i = 0; i < cfg->n_ports; i++) {
			const struct fp_xdp_config_port *cp = &cfg->ports[i];
			const struct tc_slot *ts = &ps[i].tc;
			const struct hook *h = &ps[i].hook;

			printf("%-4u %-16s %-9s %-15s ", i, cp->name, fp_names_role[cp->role],
			       cp->iface);
			if (ps[i].ifindex == 0) {
				printf("%-7s no such interface\n", "-");
				continue;
			}
			if (h->prog_id == 0)
				printf("%-7u none", ps[i].ifindex);
			else
				printf("%-7u %s, prog %u (%s)%s", ps[i].ifindex,
				       mode_flag_name(h->flags), h->prog_id, h->prog_name,
				       !h->ours		? ", not flowplane's" :
				       h->flags != want ? ", not the configured mode" :
							  "");
			if (ts->prog_id == 0)
				printf("; tc none");
			else
				printf("; tc prog %u (%s)%s", ts->prog_id, ts->prog_name,
				       ts->ours ? "" : ", not flowplane's");
			/* Works, one hash lookup slower per frame. */
			if (ps[i].slot_holder >= 0 && (uint32_t)ps[i].slot_holder != ps[i].ifindex)
				printf("; found through fp_ifport (its fp_ifslot slot %s)",
				       ps[i].slot_holder ? "holds another ifindex" : "is empty");
			printf("\n");
		}
		printf("\n%-12s %-7s %s\n", "map", "pinned", "entries");
		for (i = 0; i < FP_XDP_MAP_MAX; i++) {
			printf("%-12s %-7s ", fp_names_xdp_map[i], p.fd[i] >= 0 ? "yes" : "no");
			if (counts[i] >= 0)
				printf("%ld/%u\n", counts[i], p.info[i].max_entries);
			else
				printf("-\n");
		}
		printf("\n%s\n", healthy ? "attached: every port, maps pinned" :
					   "not attached as configured");
	}
	if (mounted)
		pins_close(&p);
	return healthy ? 0 : EXIT_NOT_ATTACHED;
}

static int
cmd_stats(struct tool *t)
{
	uint64_t stats[FP_STAT_MAX] = { 0 }, drops[FP_DROP_MAX] = { 0 }, drop_sum = 0;
	size_t stride = (sizeof(struct fp_counters) + 7) & ~(size_t)7;
	struct fp_counters *c;
	uint8_t *buf = NULL;
	uint32_t zero = 0;
	struct pins p;
	int ncpu, fd, i, j, rc;
	bool ok_rx, ok_drop;

	rc = need_root("stats");
	if (rc < 0)
		return rc;
	if (!bpffs_mounted()) {
		errmsg("no bpffs on %s: nothing is pinned (not attached?)", FP_XDP_BPFFS);
		return -ENOENT;
	}
	pins_open(t, &p);
	fd = pins_fd(&p, FP_XDP_MAP_COUNTERS);
	if (fd < 0) {
		errmsg("%s/%s is not pinned%s: not attached?", t->dir,
		       fp_names_xdp_map[FP_XDP_MAP_COUNTERS],
		       p.fd[FP_XDP_MAP_COUNTERS] >= 0 ? " with this fp-xdp's layout" : "");
		rc = -ENOENT;
		goto out;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		rc = ncpu < 0 ? ncpu : -EINVAL;
		errmsg("cannot count the CPUs: %s", strerror(-rc));
		goto out;
	}
	buf = calloc((size_t)ncpu, stride);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = bpf_map_lookup_elem(fd, &zero, buf);
	if (rc < 0) {
		errmsg("%s: lookup failed: %s", fp_names_xdp_map[FP_XDP_MAP_COUNTERS],
		       strerror(-rc));
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		c = (struct fp_counters *)(buf + (size_t)i * stride);
		for (j = 0; j < FP_STAT_MAX; j++)
			stats[j] += c->n[j];
		for (j = 0; j < FP_DROP_MAX; j++)
			drops[j] += c->drop[j];
	}
	for (j = 0; j < FP_DROP_MAX; j++)
		drop_sum += drops[j];
	ok_rx = stats[FP_STAT_RX] == stats[FP_STAT_TX] + stats[FP_STAT_DROP] + stats[FP_STAT_PUNT];
	ok_drop = stats[FP_STAT_DROP] == drop_sum;

	if (t->json) {
		printf("{\"instance\":");
		json_str(t->cfg.instance);
		printf(",\"cpus\":%d,\"stats\":{", ncpu);
		for (j = 0; j < FP_STAT_MAX; j++)
			printf("%s\"%s\":%" PRIu64, j ? "," : "", fp_names_stat[j], stats[j]);
		printf("},\"drops\":{");
		for (j = 0; j < FP_DROP_MAX; j++)
			printf("%s\"%s\":%" PRIu64, j ? "," : "", fp_names_drop[j], drops[j]);
		printf("},\"rx_balanced\":%s,\"drops_balanced\":%s}\n", ok_rx ? "true" : "false",
		       ok_drop ? "true" : "false");
	} else {
		printf("instance %s, summed over %d CPUs\n", t->cfg.instance, ncpu);
		for (j = 0; j < FP_STAT_MAX; j++)
			printf("  %-22s %" PRIu64 "\n", fp_names_stat[j], stats[j]);
		printf("drops (non-zero):\n");
		for (j = 0; j < FP_DROP_MAX; j++)
			if (drops[j] != 0)
				printf("  %-22s %" PRIu64 "\n", fp_names_drop[j], drops[j]);
		printf("rx = tx + drop + punt: %s\n", ok_rx ? "ok" : "MISMATCH");
		printf("drop = sum of drop reasons: %s\n", ok_drop ? "ok" : "MISMATCH");
	}
	rc = 0;
out:
	free(buf);
	pins_close(&p);
	return rc;
}

static int
cmd_check(const struct tool *t)
{
	const struct fp_xdp_config *cfg = &t->cfg;

	mode_warn(cfg);
	printf("%s: ok (instance \"%s\", %s mode, %u ports, maps under %s)\n", cfg->path,
	       cfg->instance, fp_xdp_config_mode_name(cfg->mode), cfg->n_ports, t->dir);
	fp_conf_check_report(cfg->path, t->parts);
	return 0;
}

static int
args_parse(struct tool *t, int argc, char **argv)
{
	enum { OPT_KEEP_MAPS = 256, OPT_JSON, OPT_CHECK };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep-maps", no_argument, NULL, OPT_KEEP_MAPS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name; /* command word */
		enum cmd cmd;	  /* its command */
	} cmds[] = {
		{ "attach", CMD_ATTACH },
		{ "detach", CMD_DETACH },
		{ "status", CMD_STATUS },
		{ "stats", CMD_STATS },
	};
	bool check = false;
	unsigned int k;
	int c;

	t->conf = FP_XDP_CONF_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:vqVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			t->conf = optarg;
			break;
		case 'v':
			t->verbose = true;
			t->level = FP_LOG_DEBUG;
			break;
		case 'q':
			t->level = t->level == FP_LOG_WARN ? FP_LOG_ERR : FP_LOG_WARN;
			break;
		case 'V':
			fp_version_print(stdout, "fp-xdp");
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_KEEP_MAPS:
			t->keep_maps = true;
			break;
		case OPT_JSON:
			t->json = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (check) {
		/* --check-config FILE: the file may follow the option. */
		if (optind + 1 == argc)
			t->conf = argv[optind++];
		if (optind != argc) {
			errmsg("--check-config takes no command");
			return -EINVAL;
		}
		t->cmd = CMD_CHECK;
	} else {
		if (optind + 1 != argc) {
			errmsg(optind == argc ? "no command" : "one command at a time");
			return -EINVAL;
		}
		for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
			if (strcmp(argv[optind], cmds[k].name) == 0)
				t->cmd = cmds[k].cmd;
		if (t->cmd == CMD_NONE) {
			errmsg("unknown command \"%s\"", argv[optind]);
			return -EINVAL;
		}
	}
	if (t->keep_maps && t->cmd != CMD_DETACH) {
		errmsg("--keep-maps goes with detach");
		return -EINVAL;
	}
	if (t->json && t->cmd != CMD_STATUS && t->cmd != CMD_STATS) {
		errmsg("--json goes with status and stats");
		return -EINVAL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[FP_XDP_CFG_ERR_SIZE];
	struct tool *t;
	int rc;

	fp_log_init("fp-xdp", FP_LOG_INFO);
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		errmsg("%s", strerror(ENOMEM));
		return 1;
	}
	t->level = -1;
	if (args_parse(t, argc, argv) < 0) {
		usage(stderr);
		free(t);
		return EXIT_USAGE;
	}
	verbose = t->verbose;
	libbpf_set_print(libbpf_print);

	/* --check-config: the whole file, every program's part first
	 * (conf_check.h), then fp-xdp's own again for the report.
	 */
	if (t->cmd == CMD_CHECK &&
	    fp_conf_check(t->conf, FP_CONF_PART_XDP, &t->parts, err, sizeof(err)) < 0) {
		errmsg("%s", err);
		free(t);
		return 1;
	}
	rc = fp_xdp_config_load(t->conf, &t->cfg, err, sizeof(err));
	if (rc < 0) {
		errmsg("%s", err);
		free(t);
		return 1;
	}
	fp_log_level_set(t->level >= 0 ? t->level : (int)t->cfg.log_level);
	snprintf(t->dir, sizeof(t->dir), "%s/%s", FP_XDP_PIN_ROOT, t->cfg.instance);

	switch (t->cmd) {
	case CMD_ATTACH:
		rc = cmd_attach(t);
		break;
	case CMD_DETACH:
		rc = cmd_detach(t);
		break;
	case CMD_STATUS:
		rc = cmd_status(t);
		break;
	case CMD_STATS:
		rc = cmd_stats(t);
		break;
	case CMD_CHECK:
		rc = cmd_check(t);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	free(t);
	if (rc > 0)
		return rc;
	return rc < 0 ? 1 : 0;
}
