/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-xdp: bpffs and the pins of an instance (xdp_tool.h).
 *
 * The maps of an instance are pinned by name under t->dir,
 * FP_XDP_PIN_ROOT/<instance>, next to the programs fp_xdp_rx and
 * fp_tc_flood.  This module mounts bpffs when it is missing, takes the
 * host-wide lock of the commands that change things, opens the pinned
 * maps by path and counts their entries, checks that pins left by an
 * earlier attach have the shape a BPF object creates, points an object's
 * maps at the pins, and pins a program in place.
 */
#include "xdp_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "names.h"

#define FP_XDP_KEY_SIZE_MAX 64 /* largest map key */

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
	[FP_XDP_MAP_RULESET] = { sizeof(struct fp_ruleset_key), sizeof(struct fp_ruleset_val) },
	[FP_XDP_MAP_ADDRSET] = { sizeof(struct fp_xdp_addrset_key), sizeof(struct fp_addrset_val) },
	[FP_XDP_MAP_CT] = { sizeof(struct fp_ct_key), sizeof(struct fp_ct_val) },
	[FP_XDP_MAP_SG_CFG] = { sizeof(__u32), sizeof(struct fp_sg_cfg) },
	[FP_XDP_MAP_SG_DROPS] = { sizeof(__u32), sizeof(struct fp_sg_drops) },
	[FP_XDP_MAP_VTEP_SRC] = { sizeof(struct fp_vtep_src_key), sizeof(__u32) },
	[FP_XDP_MAP_GUARD] = { sizeof(__u32), sizeof(struct fp_guard_cfg) },
	[FP_XDP_MAP_STORM] = { sizeof(__u32), sizeof(struct fp_storm_bucket) },
	[FP_XDP_MAP_ROUTE] = { sizeof(struct fp_xdp_route_key), sizeof(struct fp_route_val) },
};

bool
fp_xdp_pins_mounted(void)
{
	struct statfs st;

	return statfs(FP_XDP_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Make sure bpffs is mounted at /sys/fs/bpf, mounting it if it is not (as
 * iproute2 and libxdp do).
 */
int
fp_xdp_pins_mount(void)
{
	struct stat st;
	int rc;

	if (fp_xdp_pins_mounted())
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
int
fp_xdp_pins_lock(void)
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
int
fp_xdp_pins_dir_make(const char *dir)
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

void
fp_xdp_pins_path(const struct tool *t, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

void
fp_xdp_pins_open(const struct tool *t, struct pins *p)
{
	char path[FP_XDP_PATH_SIZE];
	uint32_t len;
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		fp_xdp_pins_path(t, fp_names_xdp_map[i], path, sizeof(path));
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

void
fp_xdp_pins_close(struct pins *p)
{
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
}

/* A pinned map fd usable as map id, or -1 (not pinned, or not the ABI this
 * fp-xdp was built with).
 */
int
fp_xdp_pins_fd(const struct pins *p, enum fp_xdp_map id)
{
	if (p->fd[id] < 0 || p->info[id].key_size != map_abi[id].key_size ||
	    p->info[id].value_size != map_abi[id].val_size)
		return -1;
	return p->fd[id];
}

/* Entries in a map: keys of a hash or an LPM trie, set slots of a devmap, non-zero values
 * of an array (fp_vni: set bits, the VNIs served); -1 for a per-CPU map
 * (not a table).  Arrays are read in one batch (fp_vni has 262144 words).
 */
long
fp_xdp_pins_map_count(int fd, const struct bpf_map_info *info, bool bits)
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
	case BPF_MAP_TYPE_LPM_TRIE: /* fp_addrset, fp_route */
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

	if (id == FP_XDP_MAP_CT)
		return cfg->ct_size;
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

/* A map already pinned must have the shape this program creates, or libbpf
 * refuses it with a terse message: say what differs and what to do.
 */
int
fp_xdp_pins_check(const struct tool *t, struct bpf_object *obj)
{
	struct pins p;
	int i, rc = 0;

	fp_xdp_pins_open(t, &p);
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
	fp_xdp_pins_close(&p);
	return rc;
}

/* Point every map of a BPF object at its pin and size the tables; check
 * that the object has the maps of the ABI and its program.
 */
int
fp_xdp_pins_obj_prepare(const struct tool *t, struct bpf_object *obj, const char *prog)
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
		fp_xdp_pins_path(t, fp_names_xdp_map[i], path, sizeof(path));
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

/* Remove the map pins a failed attach created (those not in pinned[]),
 * and the directories if they are left empty: nothing was changed.
 */
void
fp_xdp_pins_undo(const struct tool *t, const bool pinned[FP_XDP_MAP_MAX])
{
	char path[FP_XDP_PATH_SIZE];
	int i;

	for (i = 0; i < FP_XDP_MAP_MAX; i++) {
		if (pinned[i])
			continue;
		fp_xdp_pins_path(t, fp_names_xdp_map[i], path, sizeof(path));
		unlink(path);
	}
	if (rmdir(t->dir) == 0)
		rmdir(FP_XDP_PIN_ROOT);
}

/* Pin a program as <dir>/<name>, replacing the older pin. */
int
fp_xdp_pins_prog_pin(const struct tool *t, struct bpf_program *prog, const char *name,
		     const char *tmp_name)
{
	char path[FP_XDP_PATH_SIZE], tmp[FP_XDP_PATH_SIZE];
	int rc;

	fp_xdp_pins_path(t, name, path, sizeof(path));
	fp_xdp_pins_path(t, tmp_name, tmp, sizeof(tmp));
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

/* The id of the program pinned as <dir>/name, 0 if none. */
uint32_t
fp_xdp_pins_prog_id(const struct tool *t, const char *name)
{
	char path[FP_XDP_PATH_SIZE];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), id = 0;
	int fd;

	fp_xdp_pins_path(t, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		id = info.id;
	close(fd);
	return id;
}
