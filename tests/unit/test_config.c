/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the fp-dpdk config loader (dataplane/config.c).
 *
 * Fixtures live in tests/fixtures/config/{valid,invalid}/ and the sample
 * configs in etc/; all are found through $FP_SRCDIR (the project root,
 * set by meson).  Every invalid fixture has a row in invalid_cases[]
 * giving the line and a substring that the error must carry, and every
 * file in invalid/ must have a row.
 */
#include "addr.h"
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../lib/conf_fixture.h"

#define FIXTURE_DIR "tests/fixtures/config"

static const struct fp_conf_fixture_bad invalid_cases[] = {
	{ "unknown_top_key.conf", 11, "logging: unknown key" },
	{ "unknown_nested_key.conf", 7, "ports[1].speed: unknown key" },
	{ "unknown_idle_key.conf", 13, "idle.poll_us: unknown key" },
	{ "wrong_type_mtu.conf", 5, "ports[0].mtu: expected an integer, got a string" },
	{ "wrong_type_float.conf", 6, "ports[1].mtu: expected an integer, got a float" },
	{ "wrong_type_bool.conf", 11, "stats.interval_s: expected an integer, got a boolean" },
	{ "wrong_type_group.conf", 4, "ports: expected a list ( ), got a group { }" },
	{ "mtu_range.conf", 6, "ports[1].mtu: 70000 out of range 68..9600" },
	{ "mtu_too_small.conf", 5, "ports[0].mtu: 67 out of range 68..9600" },
	{ "mtu_overflow.conf", 5, "ports[0].mtu: 4294968796 out of range 68..9600" },
	{ "rx_queues_range.conf", 5, "ports[0].rx_queues: 17 out of range 1..16" },
	{ "desc_not_pow2.conf", 5, "ports[0].rx_desc: 1000 is not a power of two" },
	{ "desc_range.conf", 6, "ports[1].tx_desc: 32768 out of range 64..16384" },
	{ "dup_port_name.conf", 6, "ports[1].name: duplicate port name \"vm1\" (also ports[0])" },
	{ "bad_port_name.conf", 5,
	  "ports[0].name: \"vm/1\" has a character outside [A-Za-z0-9._-]" },
	{ "bad_role.conf", 6,
	  "ports[1].role: \"router\" is not one of \"vm\", \"underlay\", \"physical\"" },
	{ "chassis_mac_multicast.conf", 11,
	  "chassis_mac: \"03:00:00:00:00:01\" is not a unicast MAC address (aa:bb:cc:dd:ee:ff)" },
	{ "bad_mac.conf", 6, "ports[1].mac: \"02:00:00:00:01\" is not a MAC address" },
	{ "multicast_mac.conf", 6, "ports[1].mac: \"01:00:5e:00:00:01\" is not a unicast MAC" },
	{ "missing_role.conf", 6, "ports[1].role: missing (required)" },
	{ "devargs_too_long.conf", 6, "ports[0].devargs: 256 chars, longer than 255" },
	{ "ports_empty.conf", 4, "ports: 0 entries, need 1..64" },
	{ "dup_lcore.conf", 10, "workers[1].lcore: lcore 1 is already used by workers[0]" },
	{ "lcore_range.conf", 9, "workers[0].lcore: 1024 out of range 0..1023" },
	{ "unknown_port.conf", 14, "workers[0].queues[2].port: no port named \"vm9\" in ports" },
	{ "queue_range.conf", 11,
	  "workers[0].queues[1].queue: 1 out of range 0..0 (port \"uplink\" has rx_queues = 1)" },
	{ "queue_unpolled.conf", 5,
	  "ports[0]: port \"vm1\" rx queue 1 is not polled by any worker" },
	{ "queue_double.conf", 11,
	  "workers[1].queues[0]: port \"vm1\" queue 0 is already polled by workers[0].queues[0]" },
	{ "queues_empty.conf", 10, "workers[1].queues: 0 entries, need 1..64" },
	{ "bad_ip.conf", 4, "vtep.addresses[1]: \"172.16.0.300\" is not an IPv4 or IPv6 address" },
	{ "multicast_v4.conf", 4,
	  "vtep.addresses[0]: \"239.1.1.1\" is a multicast address, need a unicast address" },
	{ "multicast_v6.conf", 6, "vtep.addresses[1]: \"ff02::1\" is a multicast address" },
	{ "unspecified_v6.conf", 3, "vtep.addresses[0]: \"::\" is the unspecified address" },
	{ "dup_vtep.conf", 5,
	  "vtep.addresses[1]: \"::ffff:10.0.0.1\" duplicates vtep.addresses[0]" },
	{ "too_many_vteps.conf", 4, "vtep.addresses: 5 entries, need 1..4" },
	{ "missing_host.conf", 1, "host: missing (required)" },
	{ "missing_ports.conf", 1, "ports: missing (required)" },
	{ "missing_workers.conf", 1, "workers: missing (required)" },
	{ "missing_vtep_addresses.conf", 3, "vtep.addresses: missing (required)" },
	{ "host_bad_char.conf", 2, "host: \"hv 1\" has a character outside [A-Za-z0-9._-]" },
	{ "host_too_long.conf", 2, "host: 32 chars, longer than 31" },
	{ "host_empty.conf", 3, "host: must not be empty" },
	{ "syntax_error.conf", 12, "syntax error" },
	{ "duplicate_key.conf", 12, "duplicate setting name" },
	{ "include.conf", 11, "@include is not supported" },
	{ "bad_idle_mode.conf", 11, "idle.mode: \"sleepy\" is not one of \"busy\", \"adaptive\"" },
	{ "empty_polls_range.conf", 13, "idle.empty_polls: 0 out of range 1..1000000" },
	{ "max_sleep_range.conf", 11, "idle.max_sleep_us: 100001 out of range 1..100000" },
	{ "mbufs_range.conf", 12, "mempool.mbufs: 1000 out of range 1023..16777215" },
	{ "cache_range.conf", 11, "mempool.cache: 513 out of range 0..512" },
	{ "data_size_range.conf", 11, "mempool.data_size: 512 out of range 1024..65535" },
	{ "table_range.conf", 13, "tables.fdb: 8 out of range 16..16777216" },
	{ "table_too_large.conf", 11, "tables.neigh: 16777217 out of range 16..16777216" },
	{ "table_port.conf", 12, "tables.port: the port table is fixed at 64 entries" },
	{ "drain_range.conf", 11, "tx.drain_us: 0 out of range 1..100000" },
	{ "stats_range.conf", 11, "stats.interval_s: 86401 out of range 0..86400" },
	{ "slowpath_queue_range.conf", 11, "slowpath.queue: 15 out of range 16..65536" },
	{ "slowpath_pps_range.conf", 11, "slowpath.pps: 0 out of range 1..1000000" },
	{ "socket_relative.conf", 11, "control.socket: \"run/fp.sock\" is not an absolute path" },
	{ "socket_too_long.conf", 11, "control.socket: 108 chars, longer than 107" },
	{ "eal_too_many.conf", 5, "eal.args: 33 entries, at most 32" },
	{ "eal_wrong_type.conf", 4, "eal.args[1]: expected a string, got an integer" },
	{ "ct_size_range.conf", 11, "conntrack.size: 1000 out of range 1024..16777216" },
	{ "ct_size_too_large.conf", 12, "conntrack.size: 16777217 out of range 1024..16777216" },
	{ "ct_timeout_range.conf", 11, "conntrack.timeout_established: 0 out of range 1..8640000" },
	{ "ct_timeout_too_large.conf", 11,
	  "conntrack.timeout_udp_replied: 8640001 out of range 1..8640000" },
	{ "ct_timeout_none.conf", 11, "conntrack.timeout_none: unknown key" },
	{ "ct_unknown_key.conf", 11, "conntrack.timeout_syn: unknown key" },
	{ "ct_wrong_type.conf", 11, "conntrack.size: expected an integer, got a string" },
	{ "guard_pps_range.conf", 11,
	  "guard.storm_control_pps: 10000001 out of range 0..10000000" },
	{ "guard_burst_zero.conf", 11, "guard.storm_control_burst: 0 out of range 1..1000000" },
	{ "guard_icmp_burst_zero.conf", 11, "guard.icmp_burst: 0 out of range 1..1000000" },
	{ "guard_icmp_pps_range.conf", 11, "guard.icmp_pps: 10000001 out of range 0..10000000" },
	{ "guard_not_bool.conf", 11,
	  "guard.underlay_strict_source: expected a boolean, got an integer" },
	{ "guard_unknown_key.conf", 11, "guard.storm_control: unknown key" },
	{ "guard_not_group.conf", 11, "guard: expected a group { }, got a boolean" },
	{ "guard_ethertype_ip.conf", 11,
	  "guard.permitted_ethertypes[0]: 0x0800 is always decided (IPv4, IPv6 and ARP), not a "
	  "permitted ethertype" },
	{ "guard_ethertype_vlan.conf", 11,
	  "guard.permitted_ethertypes[1]: 0x8100 is a VLAN tag (tagged frames are refused), not a "
	  "permitted ethertype" },
	{ "guard_ethertype_dup.conf", 11,
	  "guard.permitted_ethertypes[2]: 0x88b5 duplicates permitted_ethertypes[0]" },
	{ "guard_ethertype_range.conf", 11,
	  "guard.permitted_ethertypes[0]: 1500 out of range 1536..65535" },
	{ "guard_ethertype_many.conf", 11, "guard.permitted_ethertypes: 9 entries, at most 8" },
	{ "guard_ethertype_type.conf", 11,
	  "guard.permitted_ethertypes[0]: expected an integer, got a string" },
};

#define N_INVALID (sizeof(invalid_cases) / sizeof(invalid_cases[0]))

/* Per-test state. */
struct state {
	struct fp_config cfg;	   /* loaded config */
	struct fp_config want;	   /* expected config */
	char err[FP_CFG_ERR_SIZE]; /* fp_config_load() error text */
	char path[PATH_MAX];	   /* file being loaded */
};

/* The loader, as fp_conf_fixture_load_fn. */
static int
load(const char *path, void *cfg, char *err, unsigned int errsz)
{
	return fp_config_load(path, cfg, err, errsz);
}

static int
setup(void **state)
{
	return fp_conf_fixture_setup(state, sizeof(struct state));
}

/* Load dir/file into st->cfg and expect success. */
static void
load_ok(struct state *st, const char *dir, const char *file)
{
	fp_conf_fixture_load_ok(load, &st->cfg, dir, file, st->path, st->err, sizeof(st->err));
	assert_string_equal(st->cfg.path, st->path);
}

/* Load every *.conf in dir; returns how many. */
static unsigned int
load_dir_ok(struct state *st, const char *dir)
{
	return fp_conf_fixture_load_dir(load, &st->cfg, dir, st->path, st->err, sizeof(st->err));
}

static void
test_config_defaults(void **state)
{
	struct state *st = *state;
	struct fp_config *cfg = &st->cfg;

	memset(cfg, 0xa5, sizeof(*cfg));
	fp_config_defaults(cfg);
	assert_string_equal(cfg->path, "");
	assert_string_equal(cfg->host, "");
	assert_int_equal(cfg->n_local_vteps, 0);
	assert_int_equal(cfg->n_eal_args, 0);
	assert_int_equal(cfg->n_ports, 0);
	assert_int_equal(cfg->n_workers, 0);
	assert_int_equal(cfg->mbufs, 16383);
	assert_int_equal(cfg->mbuf_cache, 256);
	assert_int_equal(cfg->mbuf_data_size, 2176);
	assert_int_equal(cfg->table_size[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(cfg->table_size[FP_TABLE_VTEP], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 65536);
	assert_int_equal(cfg->table_size[FP_TABLE_FLOOD], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 65536);
	assert_int_equal(cfg->table_size[FP_TABLE_RULESET], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_ADDRSET], 65536);
	assert_int_equal(cfg->table_size[FP_TABLE_DHCP], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_RA], 1024);
	assert_int_equal(cfg->table_size[FP_TABLE_DHCP6], 4096);
	assert_int_equal(cfg->slowpath_queue, 1024);
	assert_int_equal(cfg->slowpath_pps, 200);
	assert_int_equal(cfg->idle_mode, FP_IDLE_ADAPTIVE);
	assert_int_equal(cfg->idle_empty_polls, 100);
	assert_int_equal(cfg->idle_max_sleep_us, 500);
	assert_int_equal(cfg->tx_drain_us, 100);
	assert_int_equal(cfg->stats_interval_s, 0);
	assert_string_equal(cfg->ctl_socket, "/run/flowplane/fp-dpdk.sock");
	assert_int_equal(cfg->ct_size, 262144);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_SYN_SENT], 120);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_ESTABLISHED], 432000);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_CLOSE], 10);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_UDP_REPLIED], 120);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_OTHER_REPLIED], 600);
	assert_int_equal(cfg->guard.strict_source, 1);
	assert_int_equal(cfg->guard.inner_src_mac, 1);
	assert_int_equal(cfg->guard.storm_pps, 1000);
	assert_int_equal(cfg->guard.storm_burst, 200);
	assert_int_equal(cfg->guard.icmp_pps, 1000);
	assert_int_equal(cfg->guard.icmp_burst, 50);
	assert_int_equal(cfg->guard.ethertypes[0], 0);
}

static void
port_expect(const struct fp_config_port *p, const char *name, uint16_t role, const char *devargs,
	    uint16_t mtu, uint16_t n_rxq, uint16_t rx_desc, uint16_t tx_desc)
{
	assert_string_equal(p->name, name);
	assert_int_equal(p->role, role);
	assert_string_equal(p->devargs, devargs);
	assert_int_equal(p->mtu, mtu);
	assert_int_equal(p->n_rxq, n_rxq);
	assert_int_equal(p->rx_desc, rx_desc);
	assert_int_equal(p->tx_desc, tx_desc);
	assert_int_equal(p->pad, 0);
}

static void
queue_expect(const struct fp_config_queue *q, uint16_t port, uint16_t queue)
{
	assert_int_equal(q->port, port);
	assert_int_equal(q->queue, queue);
}

static void
test_config_full_maps_every_field(void **state)
{
	static const char *const eal[] = {
		"--no-huge", "-m", "256", "--file-prefix", "full", "--no-pci", "-l", "0-3",
	};
	struct state *st = *state;
	struct fp_config *cfg = &st->cfg;
	const struct fp_config_worker *w;
	unsigned int i;

	load_ok(st, FIXTURE_DIR "/valid", "full.conf");
	assert_string_equal(cfg->host, "hv-full.example_1");

	assert_int_equal(cfg->n_local_vteps, 2);
	fp_conf_fixture_ip_expect(&cfg->local_vteps[0], "192.0.2.10");
	fp_conf_fixture_ip_expect(&cfg->local_vteps[1], "2001:db8::10");

	assert_int_equal(cfg->n_eal_args, 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(cfg->eal_args[i], eal[i]);

	assert_int_equal(cfg->n_ports, 3);
	port_expect(&cfg->ports[0], "vm1", FP_PORT_ROLE_VM,
		    "net_vhost0,iface=/run/flowplane/vhost-vm1.sock,queues=2", 1450, 2, 512, 2048);
	port_expect(&cfg->ports[1], "vm2", FP_PORT_ROLE_VM, "net_af_packet0,iface=vm2", 9000, 1, 64,
		    16384);
	port_expect(&cfg->ports[2], "uplink", FP_PORT_ROLE_UNDERLAY, "0000:3b:00.0", 1600, 3, 4096,
		    4096);
	assert_false(cfg->ports[0].has_mac);
	assert_true(cfg->ports[2].has_mac);
	assert_memory_equal(cfg->ports[2].mac, "\x02\x00\x00\x00\x01\x01", 6);

	assert_int_equal(cfg->n_workers, 3);
	w = &cfg->workers[0];
	assert_int_equal(w->lcore, 2);
	assert_int_equal(w->n_queues, 3);
	queue_expect(&w->queues[0], 0, 0);
	queue_expect(&w->queues[1], 2, 0);
	queue_expect(&w->queues[2], 1, 0);
	w = &cfg->workers[1];
	assert_int_equal(w->lcore, 3);
	assert_int_equal(w->n_queues, 2);
	queue_expect(&w->queues[0], 0, 1);
	queue_expect(&w->queues[1], 2, 1);
	w = &cfg->workers[2];
	assert_int_equal(w->lcore, 1023);
	assert_int_equal(w->n_queues, 1);
	queue_expect(&w->queues[0], 2, 2);

	assert_int_equal(cfg->mbufs, 65535);
	assert_int_equal(cfg->mbuf_cache, 512);
	assert_int_equal(cfg->mbuf_data_size, 9344);
	assert_int_equal(cfg->table_size[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(cfg->table_size[FP_TABLE_VTEP], 1024);
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 1048576);
	assert_int_equal(cfg->table_size[FP_TABLE_FLOOD], 16);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 16777216);
	assert_int_equal(cfg->table_size[FP_TABLE_RULESET], 512);
	assert_int_equal(cfg->table_size[FP_TABLE_ADDRSET], 2048);
	assert_int_equal(cfg->idle_mode, FP_IDLE_BUSY);
	assert_int_equal(cfg->idle_empty_polls, 1000000);
	assert_int_equal(cfg->idle_max_sleep_us, 100000);
	assert_int_equal(cfg->tx_drain_us, 50);
	assert_int_equal(cfg->stats_interval_s, 60);
	assert_string_equal(cfg->ctl_socket, "/var/run/fp/ctl.sock");
	assert_int_equal(cfg->ct_size, 1048576);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_ESTABLISHED], 7200);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_UDP_UNREPLIED], 20);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_OTHER_REPLIED], 300);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_SYN_SENT], 120); /* not in the file */
	assert_int_equal(cfg->guard.strict_source, 0);
	assert_int_equal(cfg->guard.inner_src_mac, 0);
	assert_int_equal(cfg->guard.storm_pps, 5000);
	assert_int_equal(cfg->guard.storm_burst, 50);
	assert_int_equal(cfg->guard.icmp_pps, 200);
	assert_int_equal(cfg->guard.icmp_burst, 10);
	assert_int_equal(cfg->guard.ethertypes[0], 0x88b5);
	assert_int_equal(cfg->guard.ethertypes[1], 0x8863);
	assert_int_equal(cfg->guard.ethertypes[2], 0);
	assert_true(cfg->has_chassis_mac);
	assert_memory_equal(cfg->chassis_mac, "\x02\x00\x00\x00\xc0\x01", 6);
}

static void
test_config_minimal_gets_defaults(void **state)
{
	struct state *st = *state;
	struct fp_config *want = &st->want;
	struct fp_config_port *p;

	load_ok(st, FIXTURE_DIR "/valid", "minimal.conf");

	/* The whole struct is the defaults plus exactly what the file says. */
	fp_config_defaults(want);
	strcpy(want->path, st->path);
	strcpy(want->host, "hv1");
	want->n_local_vteps = 1;
	assert_true(fp_addr_ip_parse("172.16.0.1", &want->local_vteps[0]) > 0);
	want->n_ports = 1;
	p = &want->ports[0];
	strcpy(p->name, "vm1");
	strcpy(p->devargs, "net_null0");
	p->role = FP_PORT_ROLE_VM;
	p->mtu = 1500;
	p->n_rxq = 1;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	want->n_workers = 1;
	want->workers[0].lcore = 1;
	want->workers[0].n_queues = 1;
	assert_memory_equal(&st->cfg, want, sizeof(*want));
}

static void
test_config_vtep_dual_stack(void **state)
{
	struct state *st = *state;
	struct fp_config *cfg = &st->cfg;

	load_ok(st, FIXTURE_DIR "/valid", "dual_stack.conf");
	assert_int_equal(cfg->n_local_vteps, 4);
	fp_conf_fixture_ip_expect(&cfg->local_vteps[0], "fd00::1");
	fp_conf_fixture_ip_expect(&cfg->local_vteps[1], "172.16.0.1");
	fp_conf_fixture_ip_expect(&cfg->local_vteps[2], "2001:db8::2");
	fp_conf_fixture_ip_expect(&cfg->local_vteps[3], "10.1.2.3");
	/* IPv4 is stored mapped: ::ffff:10.1.2.3. */
	assert_int_equal(cfg->local_vteps[3].b[10], 0xff);
	assert_int_equal(cfg->local_vteps[3].b[11], 0xff);
	assert_int_equal(cfg->local_vteps[3].b[12], 10);
	assert_int_equal(cfg->local_vteps[3].b[15], 3);
}

static void
test_config_limits_min_accepted(void **state)
{
	struct state *st = *state;
	struct fp_config *cfg = &st->cfg;

	load_ok(st, FIXTURE_DIR "/valid", "limits_min.conf");
	assert_string_equal(cfg->host, "h");
	assert_int_equal(cfg->n_eal_args, 0);
	port_expect(&cfg->ports[0], "p", FP_PORT_ROLE_VM, "x", 68, 1, 64, 64);
	assert_int_equal(cfg->workers[0].lcore, 0);
	assert_int_equal(cfg->mbufs, 1023);
	assert_int_equal(cfg->mbuf_cache, 0);
	assert_int_equal(cfg->mbuf_data_size, 1024);
	assert_int_equal(cfg->table_size[FP_TABLE_VTEP], 16);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 16);
	assert_int_equal(cfg->idle_mode, FP_IDLE_ADAPTIVE);
	assert_int_equal(cfg->idle_empty_polls, 1);
	assert_int_equal(cfg->idle_max_sleep_us, 1);
	assert_int_equal(cfg->tx_drain_us, 1);
	assert_int_equal(cfg->stats_interval_s, 0);
	assert_string_equal(cfg->ctl_socket, "/");
	assert_int_equal(cfg->ct_size, 1024);
	assert_int_equal(cfg->guard.storm_pps, 0);
	assert_int_equal(cfg->guard.storm_burst, 1);
	assert_int_equal(cfg->guard.icmp_pps, 0);
	assert_int_equal(cfg->guard.icmp_burst, 1);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_SYN_SENT], 1);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_CLOSE], 1);
}

static void
test_config_limits_max_accepted(void **state)
{
	struct state *st = *state;
	struct fp_config *cfg = &st->cfg;
	unsigned int w, q;

	load_ok(st, FIXTURE_DIR "/valid", "limits_max.conf");
	assert_int_equal(strlen(cfg->host), FP_NAME_SIZE - 1);
	assert_int_equal(cfg->n_local_vteps, FP_CFG_LOCAL_VTEP_MAX);
	assert_int_equal(cfg->n_eal_args, FP_CFG_EAL_ARGS_MAX);
	assert_int_equal(strlen(cfg->eal_args[0]), FP_CFG_STR_MAX - 1);
	assert_int_equal(cfg->n_ports, FP_PORT_MAX);
	assert_int_equal(strlen(cfg->ports[0].name), FP_NAME_SIZE - 1);
	assert_int_equal(strlen(cfg->ports[0].devargs), FP_CFG_STR_MAX - 1);
	port_expect(&cfg->ports[63], "p63", FP_PORT_ROLE_UNDERLAY, "net_null63", 9600, 16, 16384,
		    16384);
	assert_int_equal(cfg->n_workers, FP_CFG_WORKER_MAX);
	for (w = 0; w < FP_CFG_WORKER_MAX; w++) {
		assert_int_equal(cfg->workers[w].lcore, 1008 + w);
		assert_int_equal(cfg->workers[w].n_queues, FP_CFG_WORKER_QUEUE_MAX);
		for (q = 0; q < FP_CFG_WORKER_QUEUE_MAX; q++)
			queue_expect(&cfg->workers[w].queues[q], 4 * w + q / 16, q % 16);
	}
	assert_int_equal(cfg->mbufs, 16777215);
	assert_int_equal(cfg->mbuf_data_size, 65535);
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 16777216);
	assert_int_equal(cfg->stats_interval_s, 86400);
	assert_int_equal(cfg->slowpath_queue, 65536);
	assert_int_equal(cfg->slowpath_pps, 1000000);
	assert_int_equal(strlen(cfg->ctl_socket), sizeof(cfg->ctl_socket) - 1);
	assert_int_equal(cfg->ct_size, 16777216);
	assert_int_equal(cfg->guard.storm_pps, 10000000);
	assert_int_equal(cfg->guard.storm_burst, 1000000);
	assert_int_equal(cfg->guard.icmp_pps, 10000000);
	assert_int_equal(cfg->guard.icmp_burst, 1000000);
	assert_int_equal(cfg->guard.ethertypes[0], 0x0600);
	assert_int_equal(cfg->guard.ethertypes[FP_GUARD_ETHERTYPE_MAX - 1], 0xffff);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_ESTABLISHED], 8640000);
	assert_int_equal(cfg->ct_timeout_s[FP_CT_ICMP], 8640000);
}

static void
test_config_valid_fixtures_load(void **state)
{
	assert_true(load_dir_ok(*state, FIXTURE_DIR "/valid") >= 5);
}

static void
test_config_etc_examples_load(void **state)
{
	struct state *st = *state;

	load_ok(st, "etc", "flowplane.conf");
	assert_int_equal(st->cfg.idle_mode, FP_IDLE_BUSY);
	load_ok(st, "etc", "flowplane-test.conf");
	assert_int_equal(st->cfg.idle_mode, FP_IDLE_ADAPTIVE);
	assert_true(load_dir_ok(st, "etc") >= 2);
}

static void
test_config_invalid_fixtures_rejected(void **state)
{
	struct state *st = *state;

	fp_conf_fixture_bad_check(load, &st->cfg, sizeof(st->cfg), FIXTURE_DIR "/invalid",
				  invalid_cases, N_INVALID);
}

static void
test_config_invalid_fixtures_all_listed(void **state)
{
	(void)state;
	fp_conf_fixture_bad_all_listed(FIXTURE_DIR "/invalid", invalid_cases, N_INVALID);
	assert_true(N_INVALID >= 20);
}

/* A missing file, a directory, a FIFO or a device, a path too long, no
 * error buffer or a small one (lib/conf.c, the same for every loader).
 */
static void
test_config_file_errors(void **state)
{
	struct state *st = *state;

	fp_conf_fixture_file_errors_check(load, &st->cfg, sizeof(st->cfg), FIXTURE_DIR "/invalid",
					  "mtu_range.conf");
}

static void
test_config_parse_ip(void **state)
{
	static const char *const bad[] = {
		"",    "1.2.3",	   "1.2.3.4.5", "256.1.1.1", "1.2.3.4/24", "fe80::1%eth0",
		"::g", " 1.2.3.4", "1.2.3.4 ",	"hv1",
	};
	struct fp_ip ip;
	unsigned int i;

	(void)state;
	assert_true(fp_addr_ip_parse("192.0.2.1", &ip) > 0);
	fp_conf_fixture_ip_expect(&ip, "192.0.2.1");
	assert_int_equal(ip.b[10], 0xff);
	assert_int_equal(ip.b[12], 192);
	assert_true(fp_addr_ip_parse("2001:db8::1", &ip) > 0);
	fp_conf_fixture_ip_expect(&ip, "2001:db8::1");
	assert_true(fp_addr_ip_parse("::ffff:192.0.2.1", &ip) > 0);
	fp_conf_fixture_ip_expect(&ip, "192.0.2.1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fp_addr_ip_parse(bad[i], &ip) != -EINVAL)
			fail_msg("\"%s\" parsed as an address", bad[i]);
	assert_int_equal(fp_addr_ip_parse(NULL, &ip), -EINVAL);
	assert_int_equal(fp_addr_ip_parse("1.2.3.4", NULL), -EINVAL);
}

static void
test_config_port_find(void **state)
{
	struct state *st = *state;

	load_ok(st, FIXTURE_DIR "/valid", "full.conf");
	assert_int_equal(fp_config_port_find(&st->cfg, "vm1"), 0);
	assert_int_equal(fp_config_port_find(&st->cfg, "uplink"), 2);
	assert_int_equal(fp_config_port_find(&st->cfg, "vm3"), -ENOENT);
	assert_int_equal(fp_config_port_find(&st->cfg, ""), -ENOENT);
	assert_int_equal(fp_config_port_find(&st->cfg, NULL), -ENOENT);
	assert_int_equal(fp_config_port_find(NULL, "vm1"), -ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fp_conf_fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_defaults),
		T(test_config_full_maps_every_field),
		T(test_config_minimal_gets_defaults),
		T(test_config_vtep_dual_stack),
		T(test_config_limits_min_accepted),
		T(test_config_limits_max_accepted),
		T(test_config_valid_fixtures_load),
		T(test_config_etc_examples_load),
		T(test_config_invalid_fixtures_rejected),
		T(test_config_invalid_fixtures_all_listed),
		T(test_config_file_errors),
		T(test_config_parse_ip),
		T(test_config_port_find),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
