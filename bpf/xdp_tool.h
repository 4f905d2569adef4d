/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp's own modules (private to bpf/fp_xdp_main.c and its parts; not
 * a library): the state of one run and what each module exports.
 *
 *   fp_xdp_main.c  command line, usage, the root check, dispatch
 *   xdp_pins.c     bpffs, the instance's pin directory, the pinned maps and
 *                  programs, pointing a BPF object's maps at the pins
 *   xdp_hook.c     what sits at an interface's XDP and tc ingress hooks,
 *                  putting programs there and taking them off, the
 *                  interface's MAC and MTU, libbpf's messages
 *   xdp_attach.c   the attach and detach commands: ports, entries,
 *                  make-before-break order, stale ports
 *   xdp_report.c   the status, stats and --check-config reports
 *   xdp_run.c      the run command: attach, then sweep fp_ct until SIGTERM
 *   xdp_sweep.c    the sweep of expired connections
 *
 * One process, one thread: nothing here is shared with another thread.
 * The only state besides struct tool is xdp_hook.c's file-local pair of
 * libbpf logging flags.  Functions log what failed through lib/log.h and
 * return 0 or a negative errno.  Behaviour and exit status: doc/xdp.md.
 */
#ifndef FP_BPF_XDP_TOOL_H
#define FP_BPF_XDP_TOOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include <flowplane/xdp.h>

#include "log.h"
#include "xdp_config.h"

#define FP_XDP_BPFFS "/sys/fs/bpf"	     /* where bpffs is mounted */
#define FP_XDP_PROG_NAME "fp_xdp_rx"	     /* the program, its pin */
#define FP_XDP_PROG_PIN_TMP "fp_xdp_rx_new"  /* pinned, then renamed */
#define FP_TC_PROG_NAME "fp_tc_flood"	     /* the tc program, its pin */
#define FP_TC_PROG_PIN_TMP "fp_tc_flood_new" /* pinned, then renamed */
#define FP_TC_HANDLE 0xf10dU		     /* its cls_bpf filter handle */
#define FP_TC_PRIO 1			     /* and priority: the first */
#define FP_XDP_DIR_SIZE (sizeof(FP_XDP_PIN_ROOT) + FP_XDP_INSTANCE_SIZE) /* pin directory */
#define FP_XDP_PATH_SIZE (FP_XDP_DIR_SIZE + 32)				 /* a pin in it */

struct bpf_object;
struct bpf_program;

/* Commands. */
enum cmd {
	CMD_NONE,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_STATUS,
	CMD_STATS,
	CMD_CHECK,
	CMD_RUN,
};

#define FP_XDP_SWEEP_BATCH 1024 /* fp_ct entries read per batch */
#define FP_XDP_SWEEP_BATCHES 64 /* batches per sweep call (fp-xdp run: per second) */

/* Where the sweep of fp_ct is (fp_xdp_ct_sweep()), between calls. */
struct fp_xdp_sweep {
	uint64_t cursor;    /* the batch position (a bucket index) */
	uint32_t started;   /* cursor is valid: the walk goes on from it */
	uint32_t n_rounds;  /* whole walks done */
	uint64_t n_seen;    /* entries read */
	uint64_t n_deleted; /* expired entries deleted */
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

/* The pinned maps of an instance, opened by path. */
struct pins {
	int fd[FP_XDP_MAP_MAX];			  /* -1: not pinned */
	struct bpf_map_info info[FP_XDP_MAP_MAX]; /* valid where fd >= 0 */
};

/* Log an error (FP_LOG_ERR). */
static inline void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fp_vlog(FP_LOG_ERR, fmt, ap);
	va_end(ap);
}

/* xdp_pins.c: bpffs, the pin directory t->dir and what is pinned in it. */

/** @return whether bpffs is mounted at FP_XDP_BPFFS */
bool fp_xdp_pins_mounted(void);

/**
 * Make sure bpffs is mounted at FP_XDP_BPFFS, mounting it if it is not (as
 * iproute2 and libxdp do).
 *
 * @return 0, -ENOENT (no FP_XDP_BPFFS directory), or the -errno of mount(2)
 */
int fp_xdp_pins_mount(void);

/**
 * Serialise the commands that change things (attach, detach) on this host:
 * an exclusive flock on the bpffs root, which is never removed; waits for
 * the holder, saying so.
 *
 * @return the fd to close to release it, or the -errno of open(2), flock(2)
 */
int fp_xdp_pins_lock(void);

/**
 * mkdir -p for the pin directory (bpffs directories, mode 0700).
 *
 * @param dir the directory
 * @return 0, or the -errno of mkdir(2)
 */
int fp_xdp_pins_dir_make(const char *dir);

/**
 * The path of pin name in the instance's directory: "<t->dir>/<name>".
 *
 * @param t    the run
 * @param name a map or program name
 * @param buf  receives the path (cut to size)
 * @param size its size, FP_XDP_PATH_SIZE
 */
void fp_xdp_pins_path(const struct tool *t, const char *name, char *buf, size_t size);

/**
 * Open every map pinned in t->dir by path; p->fd[i] is -1 where map i is
 * not pinned (or its info cannot be read).
 *
 * @param t the run
 * @param p filled in; close with fp_xdp_pins_close()
 */
void fp_xdp_pins_open(const struct tool *t, struct pins *p);

/**
 * Close the maps of fp_xdp_pins_open().
 *
 * @param p the pins
 */
void fp_xdp_pins_close(struct pins *p);

/**
 * A pinned map fd usable as map id.
 *
 * @param p  open pins
 * @param id the map
 * @return its fd, or -1 (not pinned, or not the key and value sizes this
 *	   fp-xdp was built with)
 */
int fp_xdp_pins_fd(const struct pins *p, enum fp_xdp_map id);

/**
 * Entries in a map: keys of a hash, set slots of a devmap, non-zero values
 * of an array (bits: the set bits of an array of u64 words, as fp_vni's
 * VNIs).  Arrays are read in one batch.
 *
 * @param fd   the map
 * @param info its info
 * @param bits count set bits instead of non-zero values
 * @return the count, or -1 (a per-CPU map, which is not a table, or a
 *	   read that failed)
 */
long fp_xdp_pins_map_count(int fd, const struct bpf_map_info *info, bool bits);

/**
 * Check that the maps already pinned have the shape the object creates
 * (type, key and value sizes, max_entries), saying what differs and what
 * to do; a devmap pinned with the kernel's BPF_F_RDONLY_PROG is made to
 * match.
 *
 * @param t   the run
 * @param obj an opened, not yet loaded BPF object
 * @return 0, or -EINVAL (a pin does not match)
 */
int fp_xdp_pins_check(const struct tool *t, struct bpf_object *obj);

/**
 * Point every map of a BPF object at its pin in t->dir and size the
 * tables from the config; check that the object has the maps of the ABI
 * and the program prog.
 *
 * @param t    the run
 * @param obj  an opened, not yet loaded BPF object
 * @param prog the program it must have
 * @return 0, -ENOENT (a map or the program is missing), -EINVAL (a map's
 *	   key or value size is not the ABI's), or libbpf's -errno
 */
int fp_xdp_pins_obj_prepare(const struct tool *t, struct bpf_object *obj, const char *prog);

/**
 * Remove the map pins a failed attach created (those not in pinned[]),
 * and the directories if they are left empty.
 *
 * @param t      the run
 * @param pinned which maps were pinned before the attach
 */
/**
 * Write the connection timeouts of the config (conntrack.timeout_*) into
 * fp_sg_cfg (map fd), leaving its generation alone.
 *
 * @return 0, or a negative errno (printed)
 */
int fp_xdp_timeouts_write(const struct tool *t, int fd);

void fp_xdp_pins_undo(const struct tool *t, const bool pinned[FP_XDP_MAP_MAX]);

/**
 * Pin a loaded program as <t->dir>/<name>, replacing the older pin
 * atomically (pinned as tmp_name, then renamed).
 *
 * @param t        the run
 * @param prog     the loaded program
 * @param name     its pin
 * @param tmp_name the temporary pin
 * @return 0, or the -errno of the pin or rename(2)
 */
int fp_xdp_pins_prog_pin(const struct tool *t, struct bpf_program *prog, const char *name,
			 const char *tmp_name);

/**
 * The id of the program pinned as <t->dir>/<name>.
 *
 * @param t    the run
 * @param name the pin
 * @return the program id, 0 if none is pinned there
 */
uint32_t fp_xdp_pins_prog_id(const struct tool *t, const char *name);

/* xdp_hook.c: an interface's XDP hook and flowplane's tc ingress slot. */

/**
 * Route libbpf's messages through lib/log.h: warnings (the verifier's log
 * among them) always, the rest with verbose.
 *
 * @param debug   -v: libbpf's debug messages too
 */
void fp_xdp_hook_log_init(bool debug);

/**
 * The name of an XDP attach mode.
 *
 * @param flags XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE
 * @return "native", "generic", or "none"
 */
const char *fp_xdp_hook_mode_name(uint32_t flags);

/**
 * The XDP attach mode the config asks for.
 *
 * @param cfg the config
 * @return XDP_FLAGS_SKB_MODE (generic) or XDP_FLAGS_DRV_MODE (native)
 */
uint32_t fp_xdp_hook_mode_flag(const struct fp_xdp_config *cfg);

/**
 * Warn that generic mode is slow, when the config asks for it.
 *
 * @param cfg the config
 */
void fp_xdp_hook_mode_warn(const struct fp_xdp_config *cfg);

/**
 * Read what sits at ifindex's XDP hook.
 *
 * @param ifindex the interface
 * @param h       filled in (zeroed first)
 * @return 0 (a program detached meanwhile reads as none), or libbpf's
 *	   -errno
 */
int fp_xdp_hook_get(uint32_t ifindex, struct hook *h);

/**
 * Detach the flowplane program h describes from ifindex, only if it is
 * still the one attached (XDP_FLAGS_REPLACE).
 *
 * @param ifindex the interface
 * @param h       what fp_xdp_hook_get() found
 * @return 0 (also when the program is gone), or libbpf's -errno
 */
int fp_xdp_hook_detach(uint32_t ifindex, const struct hook *h);

/**
 * Read flowplane's filter slot (FP_TC_HANDLE, FP_TC_PRIO) at ifindex's tc
 * ingress hook.  No clsact qdisc, or no filter there, is an empty slot.
 *
 * @param ifindex the interface
 * @param s       filled in (zeroed first)
 * @return 0, or libbpf's -errno
 */
int fp_xdp_hook_tc_get(uint32_t ifindex, struct tc_slot *s);

/**
 * Put prog_fd in flowplane's tc slot of ifindex, creating the clsact qdisc
 * if there is none, and replacing the filter there in place.
 *
 * @param ifindex the interface
 * @param prog_fd the tc program
 * @return 0, or libbpf's -errno
 */
int fp_xdp_hook_tc_attach(uint32_t ifindex, int prog_fd);

/**
 * Remove flowplane's tc filter from ifindex (the clsact qdisc stays: other
 * filters may use it).
 *
 * @param ifindex the interface
 * @return 0 (also when there is none), or libbpf's -errno
 */
int fp_xdp_hook_tc_detach(uint32_t ifindex);

/**
 * The interface's MAC and MTU, through ioctls: they see the network
 * namespace fp-xdp runs in, as if_nametoindex() does.
 *
 * @param iface the interface name
 * @param mac   receives its MAC
 * @param mtu   receives its MTU
 * @return 0, -EPFNOSUPPORT (not Ethernet), or the -errno of socket(2),
 *	   ioctl(2)
 */
int fp_xdp_hook_iface_read(const char *iface, uint8_t mac[6], uint32_t *mtu);

/* xdp_attach.c: the commands that change things.  The caller has checked
 * that the process is root.
 */

/**
 * attach: check every configured interface and the pins, load both
 * programs over the pinned maps, write the entries, attach to each port
 * (make-before-break), pin the programs, then remove the ports the config
 * no longer has.  A failure before the first attach changes nothing.
 *
 * @param t the run, its config loaded
 * @return 0, or the negative errno of the step that failed (logged)
 */
int fp_xdp_cmd_attach(struct tool *t);

/**
 * detach: take flowplane's programs off the configured interfaces and off
 * those of the last attach, then unpin the programs and (unless
 * t->keep_maps) the maps and the directory; anything not flowplane's is
 * left alone.
 *
 * @param t the run, its config loaded
 * @return 0, or the negative errno of a step that failed (logged; the
 *	   pins are kept when an interface could not be detached)
 */
int fp_xdp_cmd_detach(struct tool *t);

/* xdp_report.c: the reports, as text or (t->json) one JSON object on
 * stdout.  status and stats need root (checked by the caller).
 */

/**
 * status: the pins, the programs, each port's hooks and each map's
 * entries.
 *
 * @param t the run, its config loaded
 * @return 0 when every port is attached as configured and every map is
 *	   pinned, 3 otherwise
 */
int fp_xdp_cmd_status(struct tool *t);

/**
 * stats: fp_counters summed over the CPUs, and whether they balance.
 *
 * @param t the run, its config loaded
 * @return 0, -ENOENT (no bpffs, or fp_counters not pinned with this
 *	   layout), -ENOMEM, -EINVAL (no CPU count), or libbpf's -errno
 */
int fp_xdp_cmd_stats(struct tool *t);

/**
 * --check-config: report the config checked by the caller.
 *
 * @param t the run, its config loaded and t->parts set
 * @return 0
 */
int fp_xdp_cmd_check(const struct tool *t);

/**
 * Delete expired entries of fp_ct (fd): at most FP_XDP_SWEEP_BATCHES
 * batches of FP_XDP_SWEEP_BATCH entries, from where sw's walk is.  An
 * entry is expired when last_ns + its state's timeout (timeout_s, 0:
 * Linux's default) < now_ns, checked again just before its delete.
 *
 * @return 0, or a negative errno (the map cannot be read; -ENOMEM)
 */
int fp_xdp_ct_sweep(int fd, const uint32_t timeout_s[FP_XDP_CT_STATES], uint64_t now_ns,
		    struct fp_xdp_sweep *sw);

/**
 * The run command: attach (as attach does: a re-attach replaces the
 * programs without a gap), then sweep fp_ct every second until SIGTERM
 * or SIGINT, which end it without detaching; SIGHUP reads the config
 * again and writes its conntrack timeouts into fp_sg_cfg.
 *
 * @return 0 (stopped by a signal), or a negative errno (attach failed)
 */
int fp_xdp_cmd_run(struct tool *t);

#endif /* FP_BPF_XDP_TOOL_H */
