/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dataplane/ctl_server.c, control/ctl_client.c and fpctl.
 *
 * EAL runs in-process without hugepages.  Each test gets fresh tables
 * (port 0 vm, port 1 underlay with mtu 1600, local VTEP 172.16.0.1), a
 * server on its own socket and a thread that polls it; the test body is
 * the client, in the main thread, where cmocka's asserts belong.  The RCU
 * variable has no registered reader, so commits never wait.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <flowplane/ctl.h>
#include <flowplane/sg.h>
#include <flowplane/tables.h>

#include "clock.h"
#include "ct.h"
#include "ctl_client.h"
#include "ctl_server.h"
#include "ftable.h"
#include "../lib/eal_world.h"
#include "log.h"
#include "names.h"
#include "unix_addr.h"

#define TEST_TIMEOUT_MS 10000 /* a client call that takes longer fails */
#define TEST_LIMIT_VTEP 16    /* table sizes of the fixture */
#define TEST_LIMIT_FDB 32768
#define TEST_LIMIT_FLOOD 16
#define TEST_LIMIT_NEIGH 4
#define TEST_BIG_DUMP 20000	 /* entries in the large dump */
#define TEST_FUZZ_SEED 20240601U /* fixed seed of the garbage test */
#define TEST_FUZZ_ROUNDS 300
#define TEST_CLIENT_MAX 16  /* the server's client limit */
#define TEST_OUT_SIZE 65536 /* captured fpctl output */

/* What the fake stats provider returns. */
struct fake_stats {
	int rc;		/* returned; < 0 to fail */
	uint32_t n_w;	/* worker blocks to fill */
	uint32_t n_p;	/* port blocks to fill */
	uint32_t calls; /* times called */
};

/* Per-test state. */
struct fixture {
	struct fp_ftables *t;	 /* tables served */
	struct fp_ctl_server *s; /* the server */
	pthread_t thr;		 /* polls the server */
	int stop;		 /* tells thr to return */
	struct fake_stats fs;	 /* stats provider state */
	struct fp_ctl_client *c; /* a connected client */
	char path[108];		 /* socket path */
};

static struct fp_eal_world w;

/* Fixtures */

static int
fake_slowpath(void *arg, struct fp_ctl_slowpath *sp)
{
	struct fake_stats *fs = arg;

	if (fs->rc != 0)
		return fs->rc;
	sp->queue = 1024;
	sp->pps = 200;
	sp->queued = 3;
	sp->n_dhcp4 = 10;
	sp->dhcp4[1] = 7;
	sp->n_ra = 7;
	sp->ra[0] = 9;
	sp->inject_full = 2;
	return 0;
}

static int
fake_stats(void *arg, struct fp_ctl_worker_stats *ws, uint32_t max_w, uint32_t *n_w,
	   struct fp_ctl_port_stats *ps, uint32_t max_p, uint32_t *n_p)
{
	struct fake_stats *fs = arg;
	uint32_t i, j;

	fs->calls++;
	if (fs->rc < 0)
		return fs->rc;
	*n_w = fs->n_w < max_w ? fs->n_w : max_w;
	*n_p = fs->n_p < max_p ? fs->n_p : max_p;
	for (i = 0; i < *n_w; i++) {
		uint64_t k = i + 1;

		ws[i].lcore = i + 1;
		ws[i].idle_sleeps = 7 * k;
		for (j = 0; j < FP_STAT_MAX; j++)
			ws[i].stats[j] = 1000 + j;
		/* rx = tx + drop + punt, and drop = the sum of reasons. */
		ws[i].stats[FP_STAT_RX] = 100 * k;
		ws[i].stats[FP_STAT_TX] = 60 * k;
		ws[i].stats[FP_STAT_DROP] = 30 * k;
		ws[i].stats[FP_STAT_PUNT] = 10 * k;
		ws[i].drops[FP_DROP_SPOOF_IP] = 20 * k;
		ws[i].drops[FP_DROP_TRUNC_L2] = 10 * k;
	}
	for (i = 0; i < *n_p; i++) {
		ps[i].port_id = i;
		ps[i].role = i == 0 ? FP_PORT_ROLE_VM : FP_PORT_ROLE_UNDERLAY;
		ps[i].flags = i == 0 ? FP_CTL_PORT_F_LINK_UP : 0;
		ps[i].dpdk_port = (uint16_t)(10 + i);
		ps[i].mtu = i == 0 ? 1500 : 1600;
		ps[i].mac[0] = 0x02;
		ps[i].mac[5] = (uint8_t)(0x10 + i);
		snprintf(ps[i].name, sizeof(ps[i].name), "port\"%u", i);
		ps[i].rx_pkts = 11 + i;
		ps[i].tx_pkts = 22 + i;
		ps[i].tx_dropped = 3;
		ps[i].hw_ipackets = 44;
		ps[i].hw_oerrors = 5;
	}
	return fs->rc;
}

static void *
server_main(void *arg)
{
	struct fixture *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
		fp_ctl_server_poll(f->s, 5);
	return NULL;
}

static struct fp_ctl_client *
connect_client(const char *path)
{
	struct fp_ctl_client *c = fp_ctl_client_open(path);

	if (c != NULL)
		fp_ctl_client_timeout_set(c, TEST_TIMEOUT_MS);
	return c;
}

static int
setup(void **state)
{
	const uint32_t limit[FP_TABLE_MAX] = {
		[FP_TABLE_PORT] = FP_PORT_MAX,
		[FP_TABLE_VTEP] = TEST_LIMIT_VTEP,
		[FP_TABLE_FDB] = TEST_LIMIT_FDB,
		[FP_TABLE_FLOOD] = TEST_LIMIT_FLOOD,
		[FP_TABLE_NEIGH] = TEST_LIMIT_NEIGH,
		[FP_TABLE_RULESET] = 16,
		[FP_TABLE_ADDRSET] = 16,
		[FP_TABLE_ROUTE] = 16,
		[FP_TABLE_NAT] = 16,
		[FP_TABLE_DHCP] = 16,
		[FP_TABLE_RA] = 16,
		[FP_TABLE_DHCP6] = 16,
		[FP_TABLE_SEGMENT] = 16,
	};
	const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x10 }, mac1[6] = { 0x02, 0, 0, 0, 1, 1 };
	const struct fp_ctl_server_ops ops = { .stats = fake_stats, .slowpath = fake_slowpath };
	struct fp_ctl_server_ops o = ops;
	struct fp_ip local = fp_eal_world_ip4(172, 16, 0, 1);
	struct fixture *f;
	char name[32];

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	w.n_fixtures++;
	snprintf(name, sizeof(name), "ctl%u", w.n_fixtures);
	f->t = fp_ftables_create(name, limit, SOCKET_ID_ANY, w.rcu);
	if (f->t == NULL)
		goto err_free;
	if (fp_ftables_port_config(f->t, 0, FP_PORT_ROLE_VM, 1500, mac0) != 0 ||
	    fp_ftables_port_config(f->t, 1, FP_PORT_ROLE_UNDERLAY, 1600, mac1) != 0 ||
	    fp_ftables_local_vtep_add(f->t, &local) != 0)
		goto err_tables;
	/* The parent directory does not exist yet: the server makes it. */
	snprintf(f->path, sizeof(f->path), "%s/run%u/fp.sock", w.dir, w.n_fixtures);
	f->fs = (struct fake_stats){ .n_w = 2, .n_p = 2 };
	o.arg = &f->fs;
	f->s = fp_ctl_server_create(f->path, f->t, "testhost", 2, 2, &o);
	if (f->s == NULL)
		goto err_tables;
	if (pthread_create(&f->thr, NULL, server_main, f) != 0)
		goto err_server;
	f->c = connect_client(f->path);
	if (f->c == NULL)
		goto err_thread;
	*state = f;
	return 0;

err_thread:
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->thr, NULL);
err_server:
	fp_ctl_server_free(f->s);
err_tables:
	fp_ftables_free(f->t);
err_free:
	free(f);
	return -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_ctl_client_close(f->c);
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->thr, NULL);
	fp_ctl_server_free(f->s);
	fp_ftables_free(f->t);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return fp_eal_world_start(&w, "test_ctl");
}

static int
group_teardown(void **state)
{
	(void)state;
	fp_eal_world_stop(&w, "test_ctl");
	return 0;
}

/* Entries */

static void
mk_port(struct fp_port_key *k, struct fp_port_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->port_id = 0;
	v->role = FP_PORT_ROLE_VM;
	v->flags = FP_PORT_F_ANTISPOOF;
	v->mtu = 1450;
	v->vni = 100;
	v->vrf = 7;
	v->mac[0] = 0x02;
	v->mac[5] = 0x10;
	v->n_addrs = 2;
	v->addrs[0].ip = fp_eal_world_ip4(10, 0, 0, 1);
	v->addrs[0].plen = 128;
	v->addrs[1].ip.b[0] = 0x20;
	v->addrs[1].ip.b[1] = 0x01;
	v->addrs[1].ip.b[2] = 0x0d;
	v->addrs[1].ip.b[3] = 0xb8;
	v->addrs[1].plen = 64;
	v->addrs[1].mac[0] = 0x02;
	v->addrs[1].mac[5] = 0x99;
}

static void
mk_vtep(struct fp_vtep_key *k, struct fp_vtep_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->vtep_id = 3;
	v->remote = fp_eal_world_ip4(172, 16, 0, 2);
	v->local = fp_eal_world_ip4(172, 16, 0, 1);
	v->nh_mac[0] = 0x02;
	v->nh_mac[5] = 0x22;
	v->encap = FP_ENCAP_GENEVE;
	v->underlay_port = 1;
}

static void
mk_fdb(struct fp_fdb_key *k, struct fp_fdb_val *v, uint32_t vni, uint32_t n, uint16_t type,
       uint32_t id)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->vni = vni;
	k->mac[0] = 0x02;
	k->mac[2] = (uint8_t)(n >> 16);
	k->mac[3] = (uint8_t)(n >> 8);
	k->mac[4] = (uint8_t)n;
	k->mac[5] = 0x01;
	v->type = type;
	v->id = id;
}

static void
mk_flood(struct fp_flood_key *k, struct fp_flood_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->vni = 100;
	v->n_members = 2;
	v->members[0].type = FP_DEST_PORT;
	v->members[0].id = 0;
	v->members[1].type = FP_DEST_VTEP;
	v->members[1].id = 3;
}

static void
mk_neigh(struct fp_neigh_key *k, struct fp_neigh_val *v, uint32_t vrf, uint8_t host)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->vrf = vrf;
	k->ip = fp_eal_world_ip4(10, 0, 0, host);
	v->mac[0] = 0x02;
	v->mac[5] = host;
	v->vni = 100;
}

/* Dump collection */

#define COLLECT_MAX 8

struct collect {
	uint16_t table;					       /* table expected */
	uint32_t n;					       /* entries seen */
	uint8_t keys[COLLECT_MAX][sizeof(union fp_table_key)]; /* first COLLECT_MAX keys */
	uint8_t vals[COLLECT_MAX][sizeof(union fp_table_val)]; /* and values */
};

static int
collect_one(uint16_t table, const void *key, const void *val, void *arg)
{
	struct collect *cl = arg;

	if (table != cl->table)
		return -EBADMSG;
	if (cl->n < COLLECT_MAX) {
		memcpy(cl->keys[cl->n], key, fp_names_key_size[table]);
		memcpy(cl->vals[cl->n], val, fp_names_val_size[table]);
	}
	cl->n++;
	return 0;
}

static uint32_t
dump(struct fp_ctl_client *c, uint16_t table, struct collect *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->table = table;
	assert_int_equal(fp_ctl_client_dump(c, table, collect_one, cl), 0);
	return cl->n;
}

/* The index in cl of the entry with this key, or -1. */
static int
find_key(const struct collect *cl, const void *key)
{
	uint32_t i;

	for (i = 0; i < cl->n && i < COLLECT_MAX; i++) {
		if (memcmp(cl->keys[i], key, fp_names_key_size[cl->table]) == 0)
			return (int)i;
	}
	return -1;
}

static uint32_t
table_count(struct fp_ctl_client *c, uint16_t table)
{
	struct fp_ctl_hello h;

	assert_int_equal(fp_ctl_client_hello(c, &h), 0);
	return h.table_count[table];
}

static uint64_t
generation(struct fp_ctl_client *c)
{
	struct fp_ctl_hello h;

	assert_int_equal(fp_ctl_client_hello(c, &h), 0);
	return h.generation;
}

/* Raw sockets */

static int
raw_connect(const char *path)
{
	struct timeval tv = { .tv_sec = TEST_TIMEOUT_MS / 1000 };
	int fd = fp_unix_connect(path, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
raw_write(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void
raw_frame(int fd, uint32_t magic, uint16_t version, uint16_t type, uint32_t len, uint32_t seq)
{
	struct fp_ctl_hdr h = {
		.magic = magic,
		.version = version,
		.type = type,
		.len = len,
		.seq = seq,
	};

	raw_write(fd, &h, sizeof(h));
}

static int
raw_read(int fd, void *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = recv(fd, (uint8_t *)p + off, n - off, 0);

		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		off += (size_t)r;
	}
	return 0;
}

/* Read one REPLY; returns its status. */
static int
raw_reply(int fd, uint32_t seq, struct fp_ctl_reply *r)
{
	struct fp_ctl_hdr h;

	assert_int_equal(raw_read(fd, &h, sizeof(h)), 0);
	assert_int_equal(h.magic, FP_CTL_MAGIC);
	assert_int_equal(h.type, FP_CTL_REPLY);
	assert_int_equal(h.len, sizeof(*r));
	assert_int_equal(h.seq, seq);
	assert_int_equal(raw_read(fd, r, sizeof(*r)), 0);
	assert_non_null(memchr(r->msg, '\0', sizeof(r->msg)));
	return r->status;
}

/* The server closes the connection: recv() sees EOF. */
static void
raw_expect_eof(int fd)
{
	uint8_t b[256];
	ssize_t r;

	do {
		r = recv(fd, b, sizeof(b), 0);
	} while (r > 0);
	assert_int_equal(r, 0);
}

/* Tests */

static void
test_ctl_hello(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_hello h;

	assert_int_equal(fp_ctl_client_hello(f->c, &h), 0);
	assert_int_equal(h.abi_version, FP_ABI_VERSION);
	assert_int_equal(h.n_ports, 2);
	assert_int_equal(h.n_workers, 2);
	assert_string_equal(h.host, "testhost");
	assert_int_equal(h.table_limit[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(h.table_limit[FP_TABLE_FDB], TEST_LIMIT_FDB);
	assert_int_equal(h.table_limit[FP_TABLE_NEIGH], TEST_LIMIT_NEIGH);
	/* The underlay port's entry comes from the config. */
	assert_int_equal(h.table_count[FP_TABLE_PORT], 1);
	assert_int_equal(h.table_count[FP_TABLE_FDB], 0);
	assert_int_equal(h.generation, 0);
	assert_int_equal(h.pad, 0);
}

static void
test_ctl_socket_file(void **state)
{
	struct fixture *f = *state;
	char dir[sizeof(f->path)], path[sizeof(f->path) + 1];
	struct sockaddr_un sa;
	struct fp_ctl_server *s;
	struct stat st;
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s", f->path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);

	/* A live server's socket is not taken over. */
	s = fp_ctl_server_create(f->path, f->t, "x", 0, 0, NULL);
	assert_null(s);
	assert_int_equal(errno, EADDRINUSE);

	/* A stale socket (nobody listens) is replaced. */
	assert_true(snprintf(path, sizeof(path), "%s/stale.sock", dir) < (int)sizeof(path));
	assert_int_equal(fp_unix_addr_set(&sa, path), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	s = fp_ctl_server_create(path, f->t, "x", 0, 0, NULL);
	assert_non_null(s);
	fp_ctl_server_free(s);
	assert_int_not_equal(stat(path, &st), 0);

	/* A file that is not a socket is left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	s = fp_ctl_server_create(path, f->t, "x", 0, 0, NULL);
	assert_null(s);
	assert_int_equal(errno, EEXIST);
	unlink(path);

	/* A path longer than sun_path holds is refused, not cut. */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	s = fp_ctl_server_create(path, f->t, "x", 0, 0, NULL);
	assert_null(s);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_null(fp_ctl_client_open(path));
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_ctl_roundtrip_every_table(void **state)
{
	struct fixture *f = *state;
	struct fp_port_key pk;
	struct fp_port_val pv;
	struct fp_vtep_key vk;
	struct fp_vtep_val vv;
	struct fp_fdb_key fk[2];
	struct fp_fdb_val fv[2];
	struct fp_flood_key lk;
	struct fp_flood_val lv;
	struct fp_neigh_key nk;
	struct fp_neigh_val nv;
	struct fp_ctl_reply r;
	struct collect *cl = malloc(sizeof(*cl));
	int i;

	assert_non_null(cl);
	mk_port(&pk, &pv);
	mk_vtep(&vk, &vv);
	mk_fdb(&fk[0], &fv[0], 100, 1, FP_DEST_PORT, 0);
	mk_fdb(&fk[1], &fv[1], 100, 2, FP_DEST_VTEP, 3);
	mk_flood(&lk, &lv);
	mk_neigh(&nk, &nv, 7, 5);

	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	/* Referencing entries first: the commit orders them. */
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk[0], &fv[0]), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk[1], &fv[1]), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FLOOD, &lk, &lv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk, &nv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_VTEP, &vk, &vv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_PORT, &pk, &pv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n, 6);
	assert_non_null(strstr(r.msg, "committed 6"));
	assert_int_equal(generation(f->c), 1);

	/* Port: the VM port set here and the underlay port of the config. */
	assert_int_equal(dump(f->c, FP_TABLE_PORT, cl), 2);
	i = find_key(cl, &pk);
	assert_true(i >= 0);
	assert_memory_equal(cl->vals[i], &pv, sizeof(pv));
	assert_int_equal(dump(f->c, FP_TABLE_VTEP, cl), 1);
	assert_memory_equal(cl->keys[0], &vk, sizeof(vk));
	assert_memory_equal(cl->vals[0], &vv, sizeof(vv));
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 2);
	for (i = 0; i < 2; i++) {
		int j = find_key(cl, &fk[i]);

		assert_true(j >= 0);
		assert_memory_equal(cl->vals[j], &fv[i], sizeof(fv[i]));
	}
	assert_int_equal(dump(f->c, FP_TABLE_FLOOD, cl), 1);
	assert_memory_equal(cl->keys[0], &lk, sizeof(lk));
	assert_memory_equal(cl->vals[0], &lv, sizeof(lv));
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 1);
	assert_memory_equal(cl->keys[0], &nk, sizeof(nk));
	assert_memory_equal(cl->vals[0], &nv, sizeof(nv));

	/* Replace one, delete others, in one transaction. */
	fv[0].id = 1;
	fv[0].type = FP_DEST_ROUTER;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk[0], &fv[0]), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_FDB, &fk[1]), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_NEIGH, &nk), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 1);
	assert_memory_equal(cl->keys[0], &fk[0], sizeof(fk[0]));
	assert_memory_equal(cl->vals[0], &fv[0], sizeof(fv[0]));
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 0);
	assert_int_equal(table_count(f->c, FP_TABLE_FDB), 1);
	assert_int_equal(generation(f->c), 2);

	/* An empty transaction commits nothing. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, 0);
	free(cl);
}

/* The security-group tables through the socket: a ruleset per direction,
 * an address-set member and a filtered port set in one transaction,
 * dumped back, counted by HELLO, deleted.
 */
static void
test_ctl_roundtrip_sg_tables(void **state)
{
	struct fixture *f = *state;
	struct fp_ruleset_key rk[2] = { { .ruleset_id = 4, .dir = FP_SG_DIR_EGRESS },
					{ .ruleset_id = 4, .dir = FP_SG_DIR_INGRESS } };
	struct fp_ruleset_val rv = { .n_rules = 1, .flags = FP_RULESET_F_STATEFUL };
	struct fp_addrset_key ak = { .set_id = 9, .plen = 96 + 24 };
	struct fp_addrset_val av = { 0 };
	struct fp_port_key pk;
	struct fp_port_val pv;
	struct fp_ctl_reply r;
	struct collect *cl = malloc(sizeof(*cl));

	assert_non_null(cl);
	rv.rules[0] = (struct fp_sg_rule){ .rule_id = 77,
					   .family = 4,
					   .proto = 6,
					   .flags = FP_SG_RULE_F_PROTO | FP_SG_RULE_F_PORTS |
						    FP_SG_RULE_F_ADDRSET,
					   .port_min = 22,
					   .port_max = 22,
					   .addrset = 9 };
	ak.ip = fp_eal_world_ip4(10, 1, 2, 0);
	mk_port(&pk, &pv);
	pv.flags |= FP_PORT_F_SG;
	pv.ruleset = 4;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_PORT, &pk, &pv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_RULESET, &rk[0], &rv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_RULESET, &rk[1], &rv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_ADDRSET, &ak, &av), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(dump(f->c, FP_TABLE_RULESET, cl), 2);
	assert_true(find_key(cl, &rk[0]) >= 0 && find_key(cl, &rk[1]) >= 0);
	assert_memory_equal(cl->vals[0], &rv, sizeof(rv));
	assert_int_equal(dump(f->c, FP_TABLE_ADDRSET, cl), 1);
	assert_memory_equal(cl->keys[0], &ak, sizeof(ak));
	assert_int_equal(table_count(f->c, FP_TABLE_RULESET), 2);
	assert_int_equal(table_count(f->c, FP_TABLE_ADDRSET), 1);
	assert_int_equal(dump(f->c, FP_TABLE_PORT, cl), 2);
	assert_memory_equal(cl->vals[find_key(cl, &pk)], &pv, sizeof(pv));

	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_PORT, &pk), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_RULESET, &rk[0]), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_ADDRSET, &ak), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(dump(f->c, FP_TABLE_RULESET, cl), 1);
	assert_int_equal(dump(f->c, FP_TABLE_ADDRSET, cl), 0);
	free(cl);
}

static void
test_ctl_commit_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key fk;
	struct fp_fdb_val fv;
	struct fp_neigh_key nk[2];
	struct fp_neigh_val nv[2];
	struct fp_ctl_reply r;
	struct collect *cl = malloc(sizeof(*cl));
	uint8_t raw[sizeof(struct fp_ctl_entry) + sizeof(fk) + sizeof(fv) + 4];
	struct fp_ctl_entry e;

	assert_non_null(cl);
	mk_fdb(&fk, &fv, 100, 1, FP_DEST_ROUTER, 1);
	mk_neigh(&nk[0], &nv[0], 1, 5);
	mk_neigh(&nk[1], &nv[1], 1, 6);
	nv[1].mac[0] = 0x01; /* multicast: invalid */

	/* An invalid value: the commit names it and applies nothing. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk[0], &nv[0]), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk[1], &nv[1]), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -EINVAL);
	assert_int_equal(r.status, -EINVAL);
	assert_int_equal(r.index, 2);
	assert_int_equal(r.n, 0);
	assert_non_null(strstr(r.msg, "change 2"));
	assert_non_null(strstr(r.msg, "mac"));
	assert_string_equal(fp_ctl_client_msg(f->c), r.msg);
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 0);
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 0);
	assert_int_equal(generation(f->c), 0);

	/* A dangling reference (fdb to a vtep that does not exist). */
	fv.type = FP_DEST_VTEP;
	fv.id = 9;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk[0], &nv[0]), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -EINVAL);
	assert_int_equal(r.index, 1);
	assert_non_null(strstr(r.msg, "vtep 9"));
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 0);

	/* A malformed SET (wrong key size) inside the transaction marks it
	 * failed at its index; the rest is staged but nothing is applied.
	 */
	fv.type = FP_DEST_ROUTER;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk[0], &nv[0]), 0);
	e = (struct fp_ctl_entry){ .table = FP_TABLE_FDB,
				   .key_size = sizeof(fk) + 4,
				   .val_size = sizeof(fv) };
	memset(raw, 0, sizeof(raw));
	memcpy(raw, &e, sizeof(e));
	assert_int_equal(fp_ctl_client_send(f->c, FP_CTL_SET, raw, sizeof(raw)), 0);
	/* A bad table id after it: the first error is the one reported. */
	e = (struct fp_ctl_entry){ .table = 77, .key_size = 4 };
	assert_int_equal(fp_ctl_client_send(f->c, FP_CTL_DEL, &e, sizeof(e)), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -EINVAL);
	assert_int_equal(r.index, 1);
	assert_non_null(strstr(r.msg, "change 1"));
	assert_non_null(strstr(r.msg, "key_size"));
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 0);
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 0);

	/* A config-owned port cannot be changed. */
	{
		struct fp_port_key pk = { .port_id = 1 };

		assert_int_equal(fp_ctl_client_begin(f->c), 0);
		assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_PORT, &pk), 0);
		assert_int_equal(fp_ctl_client_commit(f->c, &r), -EPERM);
		assert_int_equal(table_count(f->c, FP_TABLE_PORT), 1);
	}

	/* After all that the same client commits fine. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk[0], &nv[0]), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 1);
	assert_int_equal(generation(f->c), 1);
	free(cl);
}

static void
test_ctl_table_full(void **state)
{
	struct fixture *f = *state;
	struct fp_neigh_key nk;
	struct fp_neigh_val nv;
	struct fp_ctl_reply r;
	struct collect *cl = malloc(sizeof(*cl));
	uint8_t i;

	assert_non_null(cl);
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	for (i = 1; i <= TEST_LIMIT_NEIGH + 1; i++) {
		mk_neigh(&nk, &nv, 1, i);
		assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk, &nv), 0);
	}
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -ENOSPC);
	assert_int_equal(r.n, 0);
	assert_non_null(strstr(r.msg, "neigh table full"));
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), 0);
	assert_int_equal(table_count(f->c, FP_TABLE_NEIGH), 0);

	/* Exactly the limit fits; one more in a later commit does not. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	for (i = 1; i <= TEST_LIMIT_NEIGH; i++) {
		mk_neigh(&nk, &nv, 1, i);
		assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk, &nv), 0);
	}
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, TEST_LIMIT_NEIGH);
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	mk_neigh(&nk, &nv, 2, 1);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk, &nv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -ENOSPC);
	assert_int_equal(dump(f->c, FP_TABLE_NEIGH, cl), TEST_LIMIT_NEIGH);
	assert_int_equal(find_key(cl, &nk), -1);

	/* Replacing an entry of a full table is fine. */
	mk_neigh(&nk, &nv, 1, 1);
	nv.vni = 200;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_NEIGH, &nk, &nv), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(table_count(f->c, FP_TABLE_NEIGH), TEST_LIMIT_NEIGH);
	free(cl);
}

static void
test_ctl_delete_missing(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key fk;
	struct fp_fdb_val fv;
	struct fp_flood_key lk = { .vni = 100 };
	struct fp_ctl_reply r;

	mk_fdb(&fk, &fv, 100, 1, FP_DEST_ROUTER, 1);
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_FLOOD, &lk), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -ENOENT);
	assert_int_equal(r.index, 1);
	assert_non_null(strstr(r.msg, "no such entry"));
	assert_int_equal(table_count(f->c, FP_TABLE_FDB), 0);
}

static void
test_ctl_outside_txn(void **state)
{
	struct fixture *f = *state;
	struct fp_fdb_key fk;
	struct fp_fdb_val fv;
	struct fp_ctl_reply r;
	struct collect *cl = malloc(sizeof(*cl));

	assert_non_null(cl);
	mk_fdb(&fk, &fv, 100, 1, FP_DEST_ROUTER, 1);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), -EPROTO);
	assert_non_null(strstr(fp_ctl_client_msg(f->c), "outside a transaction"));
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_FDB, &fk), -EPROTO);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), -EPROTO);
	assert_int_equal(fp_ctl_client_abort(f->c), 0);
	assert_int_equal(table_count(f->c, FP_TABLE_FDB), 0);

	/* BEGIN twice: refused, the open transaction is kept. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	assert_int_equal(fp_ctl_client_begin(f->c), -EBUSY);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, 1);

	/* ABORT drops what was staged. */
	fv.type = FP_DEST_VTEP;
	fv.id = 12345;
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_del(f->c, FP_TABLE_FDB, &fk), 0);
	assert_int_equal(fp_ctl_client_abort(f->c), 0);
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 1);
	/* And the next transaction starts empty. */
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 1);
	free(cl);
}

static void
test_ctl_bad_frames(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_reply r;
	struct fp_ctl_hello h;
	struct fp_ctl_hdr hdr;
	const void *p;
	uint8_t buf[64];
	unsigned int i;
	int fd;

	/* Bad magic: error reply, then disconnect. */
	fd = raw_connect(f->path);
	raw_frame(fd, 0xdeadbeef, FP_CTL_VERSION, FP_CTL_HELLO, 0, 7);
	assert_int_equal(raw_reply(fd, 7, &r), -EPROTO);
	assert_non_null(strstr(r.msg, "magic"));
	raw_expect_eof(fd);
	close(fd);

	/* Bad version. */
	fd = raw_connect(f->path);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION + 1, FP_CTL_HELLO, 0, 8);
	assert_int_equal(raw_reply(fd, 8, &r), -EPROTONOSUPPORT);
	raw_expect_eof(fd);
	close(fd);

	/* Oversized length: refused before any payload is read. */
	fd = raw_connect(f->path);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_SET, FP_CTL_MAX_PAYLOAD + 1, 9);
	assert_int_equal(raw_reply(fd, 9, &r), -EMSGSIZE);
	raw_expect_eof(fd);
	close(fd);

	/* Plain text garbage: the reply echoes what stood in seq. */
	{
		static const char get[] = "GET / HTTP/1.0\r\n\r\n";

		memcpy(&hdr, get, sizeof(hdr));
		fd = raw_connect(f->path);
		raw_write(fd, get, sizeof(get) - 1);
		assert_int_equal(raw_reply(fd, hdr.seq, &r), -EPROTO);
	}
	raw_expect_eof(fd);
	close(fd);

	/* Unknown types and bad payload sizes: error replies, the
	 * connection stays usable.
	 */
	fd = raw_connect(f->path);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, 999, 4, 1);
	raw_write(fd, "abcd", 4);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_REPLY, 0, 2);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_HELLO, 3, 3);
	raw_write(fd, "xyz", 3);
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_DUMP, 2, 4);
	raw_write(fd, "\0\0", 2);
	memset(buf, 0, sizeof(buf));
	buf[0] = 42; /* table 42 */
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_DUMP, sizeof(struct fp_ctl_dump), 5);
	raw_write(fd, buf, sizeof(struct fp_ctl_dump));
	assert_int_equal(raw_reply(fd, 1, &r), -EOPNOTSUPP);
	assert_int_equal(raw_reply(fd, 2, &r), -EOPNOTSUPP);
	assert_int_equal(raw_reply(fd, 3, &r), -EINVAL);
	assert_int_equal(raw_reply(fd, 4, &r), -EINVAL);
	assert_int_equal(raw_reply(fd, 5, &r), -EINVAL);
	/* A frame written one byte at a time. */
	{
		struct fp_ctl_hdr q = { .magic = FP_CTL_MAGIC,
					.version = FP_CTL_VERSION,
					.type = FP_CTL_BEGIN,
					.seq = 6 };

		for (i = 0; i < sizeof(q); i++) {
			raw_write(fd, (uint8_t *)&q + i, 1);
			usleep(1000);
		}
		assert_int_equal(raw_reply(fd, 6, &r), 0);
	}
	/* A truncated frame, then the peer goes away. */
	raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_SET, 100, 7);
	raw_write(fd, buf, 10);
	close(fd);

	/* Seeded garbage on fresh connections; each one closes its end. */
	srand(TEST_FUZZ_SEED);
	for (i = 0; i < TEST_FUZZ_ROUNDS; i++) {
		uint8_t blob[512];
		size_t n = 1 + (size_t)rand() % sizeof(blob), j;

		for (j = 0; j < n; j++)
			blob[j] = (uint8_t)rand();
		if (i % 2 == 0 && n >= sizeof(hdr)) {
			/* A valid header over random content reaches the
			 * message handlers.
			 */
			hdr = (struct fp_ctl_hdr){ .magic = FP_CTL_MAGIC,
						   .version = FP_CTL_VERSION,
						   .type = (uint16_t)(rand() %
								      (FP_CTL_MSG_MAX + 2)),
						   .len = (uint32_t)(n - sizeof(hdr)) };
			if (i % 4 == 0 && n >= sizeof(hdr) + sizeof(struct fp_ctl_entry)) {
				struct fp_ctl_entry e = {
					.table = (uint16_t)(rand() % (FP_TABLE_MAX + 1)),
				};

				e.key_size = e.table < FP_TABLE_MAX ? fp_names_key_size[e.table] :
								      4;
				memcpy(blob + sizeof(hdr), &e, sizeof(e));
			}
			memcpy(blob, &hdr, sizeof(hdr));
		}
		fd = raw_connect(f->path);
		raw_write(fd, blob, n);
		shutdown(fd, SHUT_WR);
		raw_expect_eof(fd);
		close(fd);
		if (i % 50 == 0)
			assert_int_equal(fp_ctl_client_hello(f->c, &h), 0);
	}
	print_message("garbage: seed %u, %u rounds\n", TEST_FUZZ_SEED, TEST_FUZZ_ROUNDS);

	/* The first client was served all along and still is. */
	assert_int_equal(fp_ctl_client_hello(f->c, &h), 0);
	assert_int_equal(h.abi_version, FP_ABI_VERSION);
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	assert_int_equal(fp_ctl_client_abort(f->c), 0);

	/* The client library refuses a stream that is out of step. */
	assert_int_equal(fp_ctl_client_send(f->c, FP_CTL_HELLO, NULL, 0), 0);
	assert_int_equal(fp_ctl_client_hello(f->c, &h), -EPROTO);
	assert_int_equal(fp_ctl_client_recv(f->c, &hdr, &p), -ENOTCONN);
}

/* A client refused because every slot is busy learns why from
 * fp_ctl_client_hello() (what fpctl prints), not a broken pipe.
 */
static void
test_ctl_client_refusal_reason(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client *c[TEST_CLIENT_MAX + 1] = { NULL };
	struct fp_ctl_hello h;
	int i;

	c[0] = f->c;
	for (i = 1; i < TEST_CLIENT_MAX; i++) {
		c[i] = connect_client(f->path);
		assert_non_null(c[i]);
		assert_int_equal(fp_ctl_client_hello(c[i], &h), 0);
	}
	c[TEST_CLIENT_MAX] = connect_client(f->path);
	assert_non_null(c[TEST_CLIENT_MAX]);
	assert_int_equal(fp_ctl_client_hello(c[TEST_CLIENT_MAX], &h), -EBUSY);
	assert_non_null(strstr(fp_ctl_client_msg(c[TEST_CLIENT_MAX]), "too many clients"));
	for (i = 1; i <= TEST_CLIENT_MAX; i++)
		fp_ctl_client_close(c[i]);
}

/* Idle clients cannot lock everyone out: when every slot is taken, the
 * one idle longest makes room, and learns why on its next request; one
 * idle past the idle time is closed.
 */
static void
test_ctl_idle_clients(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client *c[TEST_CLIENT_MAX + 1] = { NULL };
	struct fp_ctl_hello h;
	int i, n_evicted = 0;

	fp_ctl_server_idle_set(f->s, 60000, 200);
	c[0] = f->c;
	for (i = 1; i < TEST_CLIENT_MAX; i++) {
		c[i] = connect_client(f->path);
		assert_non_null(c[i]);
		assert_int_equal(fp_ctl_client_hello(c[i], &h), 0);
	}
	usleep(300000);
	c[TEST_CLIENT_MAX] = connect_client(f->path);
	assert_non_null(c[TEST_CLIENT_MAX]);
	assert_int_equal(fp_ctl_client_hello(c[TEST_CLIENT_MAX], &h), 0);
	for (i = 0; i < TEST_CLIENT_MAX; i++) {
		int rc = fp_ctl_client_hello(c[i], &h);

		if (rc == 0)
			continue;
		assert_int_equal(rc, -ETIMEDOUT);
		assert_non_null(strstr(fp_ctl_client_msg(c[i]), "make room"));
		n_evicted++;
	}
	assert_int_equal(n_evicted, 1);
	/* Idle past the idle time: closed, with the reason. */
	fp_ctl_server_idle_set(f->s, 200, 200);
	usleep(400000);
	assert_int_equal(fp_ctl_client_hello(c[TEST_CLIENT_MAX], &h), -ETIMEDOUT);
	assert_non_null(strstr(fp_ctl_client_msg(c[TEST_CLIENT_MAX]), "idle for"));
	for (i = 1; i <= TEST_CLIENT_MAX; i++)
		fp_ctl_client_close(c[i]);
}

static void
test_ctl_client_limit(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client *c[TEST_CLIENT_MAX + 1] = { NULL };
	struct fp_fdb_key fk[2];
	struct fp_fdb_val fv[2];
	struct fp_ctl_reply r;
	struct fp_ctl_hello h;
	struct fp_ctl_hdr hdr;
	struct collect *cl = malloc(sizeof(*cl));
	const void *p;
	int i;

	assert_non_null(cl);
	/* f->c is one; fill the other slots. */
	c[0] = f->c;
	for (i = 1; i < TEST_CLIENT_MAX; i++) {
		c[i] = connect_client(f->path);
		assert_non_null(c[i]);
		assert_int_equal(fp_ctl_client_hello(c[i], &h), 0);
	}
	c[TEST_CLIENT_MAX] = connect_client(f->path);
	assert_non_null(c[TEST_CLIENT_MAX]);
	assert_int_equal(fp_ctl_client_recv(c[TEST_CLIENT_MAX], &hdr, &p), 0);
	assert_int_equal(hdr.type, FP_CTL_REPLY);
	memcpy(&r, p, sizeof(r));
	assert_int_equal(r.status, -EBUSY);
	assert_int_equal(fp_ctl_client_recv(c[TEST_CLIENT_MAX], &hdr, &p), -ECONNRESET);
	fp_ctl_client_close(c[TEST_CLIENT_MAX]);

	/* Transactions are per client. */
	mk_fdb(&fk[0], &fv[0], 100, 1, FP_DEST_ROUTER, 1);
	mk_fdb(&fk[1], &fv[1], 100, 2, FP_DEST_ROUTER, 1);
	assert_int_equal(fp_ctl_client_begin(c[1]), 0);
	assert_int_equal(fp_ctl_client_begin(c[2]), 0);
	assert_int_equal(fp_ctl_client_set(c[1], FP_TABLE_FDB, &fk[0], &fv[0]), 0);
	assert_int_equal(fp_ctl_client_set(c[2], FP_TABLE_FDB, &fk[1], &fv[1]), 0);
	assert_int_equal(fp_ctl_client_commit(c[2], &r), 0);
	assert_int_equal(r.n, 1);
	/* A client that goes away loses its transaction. */
	fp_ctl_client_close(c[1]);
	c[1] = NULL;
	assert_int_equal(dump(f->c, FP_TABLE_FDB, cl), 1);
	assert_memory_equal(cl->keys[0], &fk[1], sizeof(fk[1]));

	/* The freed slot takes a new client (the server may see the close
	 * a moment after the new connection).
	 */
	for (i = 0; i < 100; i++) {
		c[1] = connect_client(f->path);
		assert_non_null(c[1]);
		if (fp_ctl_client_hello(c[1], &h) == 0)
			break;
		fp_ctl_client_close(c[1]);
		c[1] = NULL;
		usleep(10000);
	}
	assert_non_null(c[1]);
	for (i = 1; i < TEST_CLIENT_MAX; i++)
		fp_ctl_client_close(c[i]);
	free(cl);
}

/* SLOWPATH: the provider's counters reach the client as they are. */
static void
test_ctl_slowpath(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_slowpath sp;

	memset(&sp, 0xff, sizeof(sp));
	assert_int_equal(fp_ctl_client_slowpath(f->c, &sp), 0);
	assert_int_equal(sp.queue, 1024);
	assert_int_equal(sp.pps, 200);
	assert_int_equal(sp.queued, 3);
	assert_int_equal(sp.n_dhcp4, 10);
	assert_int_equal(sp.dhcp4[1], 7);
	assert_int_equal(sp.ra[0], 9);
	assert_int_equal(sp.inject_full, 2);
	assert_int_equal(sp.ra_nets_over, 0);
	f->fs.rc = -EIO;
	assert_int_equal(fp_ctl_client_slowpath(f->c, &sp), -EIO);
	assert_non_null(strstr(fp_ctl_client_msg(f->c), "slowpath"));
}

static void
test_ctl_stats(void **state)
{
	struct fixture *f = *state;
	struct fp_ctl_client_stats *st;
	uint32_t i;

	f->fs.n_w = 3;
	st = fp_ctl_client_stats(f->c);
	assert_non_null(st);
	assert_int_equal(st->n_workers, 3);
	assert_int_equal(st->n_ports, 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(st->workers[i].lcore, i + 1);
		assert_int_equal(st->workers[i].idle_sleeps, 7 * (i + 1));
		assert_int_equal(st->workers[i].stats[FP_STAT_RX], 100 * (i + 1));
		assert_int_equal(st->workers[i].stats[FP_STAT_ICMP_TOO_BIG],
				 1000 + FP_STAT_ICMP_TOO_BIG);
		assert_int_equal(st->workers[i].drops[FP_DROP_SPOOF_IP], 20 * (i + 1));
		assert_int_equal(st->workers[i].drops[FP_DROP_MULTI_SEGMENT], 0);
	}
	assert_int_equal(st->ports[1].port_id, 1);
	assert_int_equal(st->ports[1].role, FP_PORT_ROLE_UNDERLAY);
	assert_int_equal(st->ports[1].mtu, 1600);
	assert_int_equal(st->ports[1].dpdk_port, 11);
	assert_string_equal(st->ports[1].name, "port\"1");
	assert_int_equal(st->ports[0].flags, FP_CTL_PORT_F_LINK_UP);
	assert_int_equal(st->ports[0].hw_oerrors, 5);
	fp_ctl_client_stats_free(st);

	/* More workers than a reply holds are cut to the maximum. */
	f->fs.n_w = 1000;
	st = fp_ctl_client_stats(f->c);
	assert_non_null(st);
	assert_int_equal(st->n_workers, 128);
	fp_ctl_client_stats_free(st);

	/* A provider error reaches the client. */
	f->fs.rc = -EIO;
	st = fp_ctl_client_stats(f->c);
	assert_null(st);
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(fp_ctl_client_msg(f->c), "stats"));
	assert_true(f->fs.calls == 3);
}

static int
count_fdb(uint16_t table, const void *key, const void *val, void *arg)
{
	const struct fp_fdb_key *k = key;
	const struct fp_fdb_val *v = val;
	uint8_t *seen = arg;
	uint32_t n = (uint32_t)k->mac[2] << 16 | (uint32_t)k->mac[3] << 8 | k->mac[4];

	if (table != FP_TABLE_FDB || k->vni != 100 || n >= TEST_BIG_DUMP || seen[n] ||
	    v->type != FP_DEST_ROUTER || v->id != n + 1)
		return -EBADMSG;
	seen[n] = 1;
	return 0;
}

static int
stop_early(uint16_t table, const void *key, const void *val, void *arg)
{
	uint32_t *n = arg;

	(void)table;
	(void)key;
	(void)val;
	return ++*n == 10 ? 42 : 0;
}

static void
test_ctl_dump_large(void **state)
{
	struct fixture *f = *state;
	uint8_t *seen = calloc(TEST_BIG_DUMP, 1);
	struct fp_fdb_key fk;
	struct fp_fdb_val fv;
	struct fp_ctl_reply r;
	struct fp_ctl_hello h;
	uint32_t i, n = 0;

	assert_non_null(seen);
	assert_int_equal(fp_ctl_client_begin(f->c), 0);
	for (i = 0; i < TEST_BIG_DUMP; i++) {
		mk_fdb(&fk, &fv, 100, i, FP_DEST_ROUTER, i + 1);
		assert_int_equal(fp_ctl_client_set(f->c, FP_TABLE_FDB, &fk, &fv), 0);
	}
	assert_int_equal(fp_ctl_client_commit(f->c, &r), 0);
	assert_int_equal(r.n, TEST_BIG_DUMP);
	assert_int_equal(table_count(f->c, FP_TABLE_FDB), TEST_BIG_DUMP);

	/* Every entry exactly once, through the flow-controlled dump. */
	assert_int_equal(fp_ctl_client_dump(f->c, FP_TABLE_FDB, count_fdb, seen), 0);
	for (i = 0; i < TEST_BIG_DUMP; i++)
		assert_int_equal(seen[i], 1);

	/* A callback that stops early: the rest is drained, the stream
	 * stays in step.
	 */
	assert_int_equal(fp_ctl_client_dump(f->c, FP_TABLE_FDB, stop_early, &n), 42);
	assert_int_equal(n, 10);
	assert_int_equal(fp_ctl_client_hello(f->c, &h), 0);

	/* A client that goes away in the middle of a dump is dropped; the
	 * others are served on.
	 */
	{
		struct fp_ctl_dump d = { .table = FP_TABLE_FDB };
		uint8_t buf[4096];
		int fd = raw_connect(f->path);

		raw_frame(fd, FP_CTL_MAGIC, FP_CTL_VERSION, FP_CTL_DUMP, sizeof(d), 1);
		raw_write(fd, &d, sizeof(d));
		assert_int_equal(raw_read(fd, buf, sizeof(buf)), 0);
		close(fd);
	}
	assert_int_equal(fp_ctl_client_dump(f->c, FP_TABLE_FDB, stop_early, &n), 0);
	assert_int_equal(n, TEST_BIG_DUMP + 10);
	free(seen);
}

/* fpctl, run as a program against the fixture's server. */

static int
fpctl_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p;
	int i;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	/* build/tests/unit/test_ctl -> build/control/fpctl */
	for (i = 0; i < 3; i++) {
		p = strrchr(exe, '/');
		if (p == NULL)
			return -1;
		*p = '\0';
	}
	if (snprintf(buf, size, "%s/control/fpctl", exe) >= (int)size)
		return -1;
	return access(buf, X_OK);
}

/* Run "fpctl ARGS" (stdout and stderr into out); returns the exit status. */
static int __attribute__((format(printf, 3, 4)))
fpctl(const struct fixture *f, char *out, const char *fmt, ...)
{
	char bin[PATH_MAX], args[1024], cmd[PATH_MAX + 1400];
	size_t n = 0;
	va_list ap;
	FILE *pp;
	int st;

	if (fpctl_path(bin, sizeof(bin)) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "FP_CTL_SOCKET='%s' '%s' %s 2>&1", f->path, bin, args);
	pp = popen(cmd, "r");
	assert_non_null(pp);
	while (n < TEST_OUT_SIZE - 1) {
		size_t r = fread(out + n, 1, TEST_OUT_SIZE - 1 - n, pp);

		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	st = pclose(pp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* out is one line of lib/log.h: "<time> fpctl: <level>: text\n". */
static void
assert_log_line(const char *out, int level, const char *text)
{
	char want[512];
	const char *p = strchr(out, ' ');

	assert_non_null(p);
	assert_true(p - out >= 19 && out[4] == '-' && out[10] == 'T'); /* 2026-12-03T10:41:35 */
	snprintf(want, sizeof(want), " fpctl: %s: %s\n", fp_log_level_name(level), text);
	assert_string_equal(p, want);
}

static void
test_ctl_fpctl_changes(void **state)
{
	struct fixture *f = *state;
	char *out = malloc(TEST_OUT_SIZE), bin[PATH_MAX];
	struct collect *cl = malloc(sizeof(*cl));
	struct fp_port_val *pv;

	assert_non_null(out);
	assert_non_null(cl);
	if (fpctl_path(bin, sizeof(bin)) != 0) {
		free(out);
		free(cl);
		skip();
	}
	assert_int_equal(fpctl(f, out,
			       "add port 0 vni 100 mac 02:00:00:00:00:10 vrf 7 "
			       "mtu 1450 antispoof on addr 10.0.0.1 "
			       "addr 10.0.1.0/24@02:00:00:00:00:99 addr 2001:db8::/64"),
			 0);
	assert_string_equal(out, "");
	assert_int_equal(fpctl(f, out,
			       "add vtep 3 remote 172.16.0.2 local 172.16.0.1 "
			       "nh-mac 02:00:00:00:00:22 port 1 encap geneve"),
			 0);
	assert_int_equal(fpctl(f, out, "add fdb 100 02:00:00:00:00:02 vtep 3"), 0);
	assert_int_equal(fpctl(f, out, "add flood 100 port 0 vtep 3"), 0);
	assert_int_equal(fpctl(f, out, "add neigh 7 10.0.0.5 mac 02:00:00:00:00:05 vni 100"), 0);
	assert_int_equal(fpctl(f, out, "add neigh 7 2001:db8::5 vni 100 mac 02:00:00:00:00:06"), 0);

	/* What fpctl built is what the ABI says (plen in IPv6 bits, pads). */
	assert_int_equal(dump(f->c, FP_TABLE_PORT, cl), 2);
	{
		struct fp_port_key pk = { .port_id = 0 };
		int i = find_key(cl, &pk);

		assert_true(i >= 0);
		pv = (struct fp_port_val *)cl->vals[i];
	}
	assert_int_equal(pv->role, FP_PORT_ROLE_VM);
	assert_int_equal(pv->flags, FP_PORT_F_ANTISPOOF);
	assert_int_equal(pv->mtu, 1450);
	assert_int_equal(pv->vrf, 7);
	assert_int_equal(pv->n_addrs, 3);
	assert_int_equal(pv->addrs[0].plen, 128);
	assert_int_equal(pv->addrs[1].plen, 96 + 24);
	assert_int_equal(pv->addrs[1].mac[5], 0x99);
	assert_int_equal(pv->addrs[1].ip.b[14], 1);
	assert_int_equal(pv->addrs[2].plen, 64);

	/* Dumps read back in the add syntax. */
	assert_int_equal(fpctl(f, out, "dump fdb"), 0);
	assert_string_equal(out, "fdb 100 02:00:00:00:00:02 vtep 3\n");
	assert_int_equal(fpctl(f, out, "dump flood"), 0);
	assert_string_equal(out, "flood 100 port 0 vtep 3\n");
	assert_int_equal(fpctl(f, out, "dump vtep"), 0);
	assert_string_equal(out, "vtep 3 remote 172.16.0.2 local 172.16.0.1 nh-mac "
				 "02:00:00:00:00:22 port 1 encap geneve\n");
	assert_int_equal(fpctl(f, out, "dump port"), 0);
	assert_non_null(strstr(out, "port 0 role vm vni 100 vrf 7 mac 02:00:00:00:00:10 mtu 1450 "
				    "antispoof on addr 10.0.0.1/32 addr "
				    "10.0.1.0/24@02:00:00:00:00:99 addr 2001:db8::/64\n"));
	assert_non_null(strstr(out, "port 1 role underlay"));
	assert_int_equal(fpctl(f, out, "dump neigh"), 0);
	assert_non_null(strstr(out, "neigh 7 10.0.0.5 mac 02:00:00:00:00:05 vni 100\n"));
	assert_non_null(strstr(out, "neigh 7 2001:db8::5 mac 02:00:00:00:00:06 vni 100\n"));
	assert_int_equal(fpctl(f, out, "dump fdb --json"), 0);
	assert_string_equal(out, "[\n{\"vni\":100,\"mac\":\"02:00:00:00:00:02\","
				 "\"type\":\"vtep\",\"id\":3}\n]\n");
	assert_int_equal(fpctl(f, out, "--json dump vtep"), 0);
	assert_non_null(strstr(out, "\"encap\":\"geneve\""));

	/* Values no engine takes are refused before anything is sent, with the
	 * engines' message (lib/check.h), exit 1: no connection is tried.
	 */
	assert_int_equal(fpctl(f, out, "-s /nonexistent add port 0 vni 5 mac 01:00:00:00:00:05"),
			 1);
	assert_log_line(out, FP_LOG_ERR, "port 0: mac is not a unicast address");
	assert_int_equal(fpctl(f, out,
			       "-s /nonexistent add vtep 3 remote 224.0.0.1 local 10.0.0.1 nh-mac "
			       "02:00:00:00:00:01 port 2"),
			 1);
	assert_log_line(out, FP_LOG_ERR, "vtep 3: remote is not a unicast address");
	assert_int_equal(fpctl(f, out, "-s /nonexistent add fdb 100 02:00:00:00:00:03 vtep 9"), 2);

	/* A refused commit: the server's message, exit 1. */
	assert_int_equal(fpctl(f, out, "add fdb 100 02:00:00:00:00:03 vtep 9"), 1);
	assert_non_null(strstr(out, "vtep 9 does not exist"));
	assert_int_equal(fpctl(f, out, "del fdb 100 02:00:00:00:00:04"), 1);
	assert_non_null(strstr(out, "no such entry"));

	/* Deletes. */
	assert_int_equal(fpctl(f, out, "del fdb 100 02:00:00:00:00:02"), 0);
	assert_int_equal(fpctl(f, out, "del flood 100"), 0);
	assert_int_equal(fpctl(f, out, "del neigh 7 10.0.0.5"), 0);
	assert_int_equal(fpctl(f, out, "del vtep 3"), 0);
	assert_int_equal(fpctl(f, out, "del port 0"), 0);
	assert_int_equal(fpctl(f, out, "dump fdb --json"), 0);
	assert_string_equal(out, "[]\n");
	assert_int_equal(table_count(f->c, FP_TABLE_NEIGH), 1);
	assert_int_equal(table_count(f->c, FP_TABLE_PORT), 1);
	free(out);
	free(cl);
}

/* A connection of zone between 10.0.0.a:ap and 10.0.0.b:bp (a < b). */
static int
ct_add(struct fp_ct *ct, uint16_t zone, uint8_t proto, uint8_t a, uint16_t ap, uint8_t b,
       uint16_t bp, uint8_t state, uint64_t now_ns)
{
	struct fp_sg_pkt p;
	struct fp_ct_key k;
	struct fp_ct_val v;
	struct fp_ct_ref ref;

	/* The key as the engines make it from a packet a -> b. */
	memset(&p, 0, sizeof(p));
	memset(&v, 0, sizeof(v));
	p.src = fp_eal_world_ip4(10, 0, 0, a);
	p.dst = fp_eal_world_ip4(10, 0, 0, b);
	p.sport = ap;
	p.dport = bp;
	p.family = 4;
	p.proto = proto;
	fp_ct_key_make(&k, zone, &p);
	v.last_ns = now_ns;
	v.gen = 7;
	v.rule_id = 42;
	v.state = state;
	v.flags = FP_CT_F_ORIG_A | FP_CT_F_ORIG_EGRESS | FP_CT_F_REPLIED;
	return fp_ct_insert(ct, &k, &v, now_ns, &ref);
}

/* CT_DUMP through the socket, and fpctl show conntrack on its answer. */
static void
test_ctl_ct_dump(void **state)
{
	struct fixture *f = *state;
	const struct fp_ctl_ct_entry *e;
	struct fp_ctl_ct_reply *r = NULL;
	struct fp_ctl_ct_dump bad = { .flags = 2 };
	const struct fp_ctl_reply *rep;
	struct fp_ctl_hdr h;
	const void *p;
	uint64_t now = fp_clock_now_ns();
	char *out = malloc(TEST_OUT_SIZE), bin[PATH_MAX];
	struct fp_ct *ct;
	uint32_t i;

	assert_non_null(out);
	/* No connection table: refused, the connection stays usable. */
	assert_int_equal(fp_ctl_client_ct_dump(f->c, -1, &r), -EOPNOTSUPP);
	assert_non_null(strstr(fp_ctl_client_msg(f->c), "no connection table"));

	ct = fp_ct_create(65536, NULL, SOCKET_ID_ANY);
	assert_non_null(ct);
	fp_ftables_ct_attach(f->t, ct);
	assert_int_equal(fp_ctl_client_ct_dump(f->c, -1, &r), 0);
	assert_int_equal(r->n, 0);
	free(r);
	assert_int_equal(ct_add(ct, 0, 6, 1, 34567, 2, 22, FP_CT_ESTABLISHED, now), 0);
	assert_int_equal(ct_add(ct, 5, 17, 3, 53, 4, 5353, FP_CT_UDP_REPLIED, now), 0);
	/* Expired (close: 10 s): not shown. */
	assert_int_equal(ct_add(ct, 0, 6, 5, 80, 6, 81, FP_CT_CLOSE, now - 20000000000ULL), 0);

	assert_int_equal(fp_ctl_client_ct_dump(f->c, -1, &r), 0);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->flags, 0);
	assert_true(r->now_ns >= now);
	free(r);
	assert_int_equal(fp_ctl_client_ct_dump(f->c, 5, &r), 0);
	assert_int_equal(r->n, 1);
	e = (const struct fp_ctl_ct_entry *)(r + 1);
	assert_int_equal(e->key.zone, 5);
	assert_int_equal(e->key.proto, 17);
	assert_int_equal(e->key.b_port, 5353);
	assert_int_equal(e->val.state, FP_CT_UDP_REPLIED);
	assert_int_equal(e->val.rule_id, 42);
	free(r);
	assert_int_equal(fp_ctl_client_ct_dump(f->c, 9, &r), 0);
	assert_int_equal(r->n, 0);
	free(r);

	/* Malformed requests: a REPLY saying why. */
	assert_int_equal(fp_ctl_client_send(f->c, FP_CTL_CT_DUMP, &bad, sizeof(bad)), 0);
	assert_int_equal(fp_ctl_client_recv(f->c, &h, &p), 0);
	assert_int_equal(h.type, FP_CTL_REPLY);
	rep = p;
	assert_int_equal(rep->status, -EINVAL);
	assert_int_equal(fp_ctl_client_send(f->c, FP_CTL_CT_DUMP, &bad, 3), 0);
	assert_int_equal(fp_ctl_client_recv(f->c, &h, &p), 0);
	assert_int_equal(h.type, FP_CTL_REPLY);
	rep = p;
	assert_int_equal(rep->status, -EINVAL);

	if (fpctl_path(bin, sizeof(bin)) == 0) {
		assert_int_equal(fpctl(f, out, "show conntrack"), 0);
		assert_non_null(strstr(out, "zone 0 tcp 10.0.0.1 34567 10.0.0.2 22 orig a egress "
					    "replied state established age 0 gen 7 rule 42\n"));
		assert_non_null(strstr(out, "zone 5 udp 10.0.0.3 53 10.0.0.4 5353"));
		assert_null(strstr(out, "truncated"));
		assert_int_equal(fpctl(f, out, "--json show conntrack zone 5"), 0);
		assert_non_null(strstr(out, "{\"zone\":5,\"proto\":\"udp\",\"a\":\"10.0.0.3\","
					    "\"a_port\":53,"));
		assert_non_null(strstr(out, "\"state\":\"udp_replied\",\"age\":0,\"gen\":7,"
					    "\"rule_id\":42}"));
		assert_non_null(strstr(out, "\"truncated\":false"));
		assert_null(strstr(out, "\"zone\":0"));
		assert_int_equal(fpctl(f, out, "show conntrack zone 64"), 1);
		assert_int_equal(fpctl(f, out, "show conntrack bogus"), 1);
	}

	/* More than FP_CTL_CT_DUMP_MAX: the first ones and the mark. */
	for (i = 0; i < FP_CTL_CT_DUMP_MAX; i++)
		assert_int_equal(ct_add(ct, 1, 17, 7, (uint16_t)(1024 + i % 60000), 8,
					(uint16_t)(1 + i / 60000), FP_CT_UDP_UNREPLIED, now),
				 0);
	assert_int_equal(fp_ctl_client_ct_dump(f->c, -1, &r), 0);
	assert_int_equal(r->n, FP_CTL_CT_DUMP_MAX);
	assert_int_equal(r->flags, FP_CTL_CT_F_TRUNCATED);
	free(r);
	assert_int_equal(fp_ctl_client_ct_dump(f->c, 5, &r), 0);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->flags, 0);
	free(r);
	if (fpctl_path(bin, sizeof(bin)) == 0) {
		assert_int_equal(fpctl(f, out, "--json show conntrack zone 0"), 0);
		assert_non_null(strstr(out, "\"truncated\":false"));
	}

	fp_ftables_ct_attach(f->t, NULL);
	fp_ct_free(ct);
	free(out);
}

static void
test_ctl_fpctl_show_and_usage(void **state)
{
	struct fixture *f = *state;
	char *out = malloc(TEST_OUT_SIZE), bin[PATH_MAX];

	assert_non_null(out);
	if (fpctl_path(bin, sizeof(bin)) != 0) {
		free(out);
		skip();
	}
	assert_int_equal(fpctl(f, out, "show tables"), 0);
	assert_non_null(strstr(out, "host testhost"));
	assert_non_null(strstr(out, "generation 0"));
	assert_non_null(strstr(out, "fdb"));
	assert_int_equal(fpctl(f, out, "show tables --json"), 0);
	assert_non_null(strstr(out, "{\"name\":\"neigh\",\"count\":0,\"limit\":4}"));

	/* Two workers: rx 100 + 200, tx 60 + 120, ... */
	assert_int_equal(fpctl(f, out, "show stats"), 0);
	assert_non_null(strstr(out, "rx "));
	assert_non_null(strstr(out, " 300\n"));
	assert_non_null(strstr(out, "icmp_too_big_sent"));
	assert_non_null(strstr(out, "drop spoofed_ip"));
	assert_null(strstr(out, "drop bad_arp"));
	assert_non_null(strstr(out, "rx = tx + drop + punt: ok\n"));
	assert_int_equal(fpctl(f, out, "show stats --workers"), 0);
	assert_non_null(strstr(out, "worker 1 lcore 2"));
	assert_int_equal(fpctl(f, out, "--json show stats"), 0);
	assert_non_null(strstr(out, "\"rx\":300"));
	assert_non_null(strstr(out, "\"rx_eq_tx_drop_punt\":true"));
	assert_int_equal(fpctl(f, out, "show drops"), 0);
	assert_non_null(strstr(out, "bad_arp"));
	assert_non_null(strstr(out, "total"));
	assert_int_equal(fpctl(f, out, "show ports"), 0);
	assert_non_null(strstr(out, "underlay"));
	assert_non_null(strstr(out, "02:00:00:00:00:11"));
	assert_int_equal(fpctl(f, out, "show ports --json"), 0);
	assert_non_null(strstr(out, "\"name\":\"port\\\"0\""));

	/* Usage errors exit 1 before connecting. */
	assert_int_equal(fpctl(f, out, "%s", ""), 1);
	assert_non_null(strstr(out, "usage:"));
	assert_int_equal(fpctl(f, out, "show nothing"), 1);
	assert_int_equal(fpctl(f, out, "add port 0 vni 100"), 1);
	assert_non_null(strstr(out, "required"));
	assert_int_equal(fpctl(f, out, "add port 0 vni 100 mac 02:00:00:00:00:1g"), 1);
	assert_int_equal(fpctl(f, out, "add port 0 vni 100 mac 02:00:00:00:00:10 addr 10.0.0.1/33"),
			 1);
	assert_int_equal(fpctl(f, out, "add port 0 vni 100 mac 02:00:00:00:00:10 addr 10.0.0.1/24"),
			 1);
	assert_non_null(strstr(out, "host bits"));
	assert_int_equal(fpctl(f, out, "add fdb 0 02:00:00:00:00:02 vtep 3"), 1);
	assert_int_equal(fpctl(f, out, "add flood 100 port"), 1);
	assert_int_equal(fpctl(f, out, "del neigh 7"), 1);
	assert_int_equal(fpctl(f, out, "dump bogus"), 1);
	assert_int_equal(fpctl(f, out, "--bogus show ports"), 1);
	assert_int_equal(fpctl(f, out, "show ports --workers"), 1);

	/* -s wins over FP_CTL_SOCKET; no server there: exit 2. */
	assert_int_equal(fpctl(f, out, "-s %s/none.sock show ports", w.dir), 2);
	assert_non_null(strstr(out, "cannot connect to"));
	assert_non_null(strstr(out, "No such file or directory (is fp-dpdk running?)"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_socket_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_roundtrip_every_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_roundtrip_sg_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_commit_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_delete_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_outside_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_bad_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_client_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_client_refusal_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_idle_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_slowpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_dump_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_fpctl_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_fpctl_show_and_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_ct_dump, setup, teardown),
	};

	return cmocka_run_group_tests_name("ctl", tests, group_setup, group_teardown);
}
