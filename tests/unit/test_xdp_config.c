/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for fp-xdp's config loader (bpf/xdp_config.c).
 *
 * Fixtures live in tests/fixtures/xdp/{valid,invalid}/, found through
 * $FP_SRCDIR (the project root, set by meson).  Every invalid fixture has
 * a row in invalid_cases[] giving the line and a substring the error must
 * carry, and every file in invalid/ must have a row.  valid/shared.conf is
 * also loaded by fp-dpdk's loader (dataplane/config.c), which must skip
 * the fp_xdp group as fp-xdp skips fp-dpdk's.
 */
#include "xdp_config.h"

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

#include "addr.h"

#include "config.h"

#define FIXTURE_DIR "tests/fixtures/xdp"

static const struct fp_conf_fixture_bad invalid_cases[] = {
	{ "unknown_top_key.conf", 3, "fp_xpd: unknown key" },
	{ "guard_burst_range.conf", 3,
	  "guard.storm_control_burst: 1000001 out of range 1..1000000" },
	{ "unknown_own_key.conf", 4, "fp_xdp.attach_mode: unknown key" },
	{ "unknown_port_key.conf", 5, "fp_xdp.ports[0].devargs: unknown key" },
	{ "missing_fp_xdp.conf", 1, "fp_xdp: missing (required)" },
	{ "fp_xdp_not_group.conf", 3, "fp_xdp: expected a group { }, got a string" },
	{ "missing_ports.conf", 3, "fp_xdp.ports: missing (required)" },
	{ "ports_empty.conf", 4, "fp_xdp.ports: 0 entries, need 1..64" },
	{ "too_many_ports.conf", 4, "fp_xdp.ports: 65 entries, need 1..64" },
	{ "ports_not_list.conf", 4, "fp_xdp.ports: expected a list ( ), got a group { }" },
	{ "port_not_group.conf", 5, "fp_xdp.ports[0]: expected a group { }, got a string" },
	{ "bad_instance_char.conf", 4,
	  "fp_xdp.instance: \"edge.1\" has a character outside [A-Za-z0-9_-]" },
	{ "instance_too_long.conf", 4, "fp_xdp.instance: 32 chars, longer than 31" },
	{ "instance_empty.conf", 4, "fp_xdp.instance: must not be empty" },
	{ "bad_mode.conf", 4, "fp_xdp.mode: \"offload\" is not one of \"native\", \"generic\"" },
	{ "mode_wrong_type.conf", 4, "fp_xdp.mode: expected a string, got an integer" },
	{ "dup_port_name.conf", 7,
	  "fp_xdp.ports[2].name: duplicate port name \"vm1\" (also fp_xdp.ports[0])" },
	{ "bad_port_name.conf", 5,
	  "fp_xdp.ports[0].name: \"vm/1\" has a character outside [A-Za-z0-9._-]" },
	{ "port_name_too_long.conf", 5, "fp_xdp.ports[0].name: 32 chars, longer than 31" },
	{ "bad_role.conf", 5,
	  "fp_xdp.ports[0].role: \"gateway\" is not one of \"vm\", \"underlay\", \"physical\"" },
	{ "physical_role.conf", 5,
	  "fp_xdp.ports[0].role: \"physical\": the XDP engine does not carry provider networks "
	  "(doc/routing.md)" },
	{ "missing_role.conf", 5, "fp_xdp.ports[0].role: missing (required)" },
	{ "missing_iface.conf", 5, "fp_xdp.ports[0].iface: missing (required)" },
	{ "iface_too_long.conf", 5, "fp_xdp.ports[0].iface: 16 chars, longer than 15" },
	{ "iface_slash.conf", 5, "fp_xdp.ports[0].iface: \"tap/vm1\" is not an interface name" },
	{ "iface_dotdot.conf", 5, "fp_xdp.ports[0].iface: \"..\" is not an interface name" },
	{ "dup_iface.conf", 7,
	  "fp_xdp.ports[2].iface: interface \"eth1\" is already used by fp_xdp.ports[1] "
	  "(\"uplink\")" },
	{ "mtu_range.conf", 5, "fp_xdp.ports[0].mtu: 9001 out of range 68..9000" },
	{ "mtu_too_small.conf", 5, "fp_xdp.ports[0].mtu: 67 out of range 68..9000" },
	{ "mtu_overflow.conf", 5, "fp_xdp.ports[0].mtu: 4294968796 out of range 68..9000" },
	{ "mtu_string.conf", 5, "fp_xdp.ports[0].mtu: expected an integer, got a string" },
	{ "mtu_float.conf", 5, "fp_xdp.ports[0].mtu: expected an integer, got a float" },
	{ "table_range.conf", 3, "tables.fdb: 8 out of range 16..16777216" },
	{ "table_too_large.conf", 4, "tables.neigh: 16777217 out of range 16..16777216" },
	{ "table_port.conf", 3, "tables.port: the port table is fixed at 64 entries" },
	{ "table_unknown.conf", 3, "tables.routes: unknown key" },
	{ "missing_host.conf", 1, "host: missing (required)" },
	{ "host_bad_char.conf", 1, "host: \"hv 1\" has a character outside [A-Za-z0-9._-]" },
	{ "missing_vtep.conf", 1, "vtep: missing (required)" },
	{ "vtep_multicast.conf", 2,
	  "vtep.addresses[0]: \"239.1.1.1\" is a multicast address, need a unicast address" },
	{ "vtep_bad_ip.conf", 2,
	  "vtep.addresses[1]: \"172.16.0.300\" is not an IPv4 or IPv6 address" },
	{ "vtep_dup.conf", 2,
	  "vtep.addresses[1]: \"::ffff:10.0.0.1\" duplicates vtep.addresses[0]" },
	{ "vtep_too_many.conf", 2, "vtep.addresses: 5 entries, need 1..4" },
	{ "vtep_unknown_key.conf", 2, "vtep.port: unknown key" },
	{ "syntax_error.conf", 6, "syntax error" },
	{ "duplicate_key.conf", 5, "duplicate setting name" },
	{ "include.conf", 3, "@include is not supported" },
};

#define N_INVALID (sizeof(invalid_cases) / sizeof(invalid_cases[0]))

/* Per-test state. */
struct state {
	struct fp_xdp_config cfg;      /* loaded config */
	struct fp_xdp_config want;     /* expected config */
	char err[FP_XDP_CFG_ERR_SIZE]; /* fp_xdp_config_load() error text */
	char path[PATH_MAX];	       /* file being loaded */
};

/* The loader, as fp_conf_fixture_load_fn. */
static int
load(const char *path, void *cfg, char *err, unsigned int errsz)
{
	return fp_xdp_config_load(path, cfg, err, errsz);
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

static void
port_expect(const struct fp_xdp_config_port *p, const char *name, uint16_t role, const char *iface,
	    uint16_t mtu)
{
	assert_string_equal(p->name, name);
	assert_int_equal(p->role, role);
	assert_string_equal(p->iface, iface);
	assert_int_equal(p->mtu, mtu);
}

static void
test_xdp_config_defaults(void **state)
{
	struct state *st = *state;
	struct fp_xdp_config *cfg = &st->cfg;

	memset(cfg, 0xa5, sizeof(*cfg));
	fp_xdp_config_defaults(cfg);
	assert_string_equal(cfg->path, "");
	assert_string_equal(cfg->host, "");
	assert_int_equal(cfg->n_local_vteps, 0);
	assert_int_equal(cfg->n_ports, 0);
	assert_string_equal(cfg->instance, "default");
	assert_int_equal(cfg->mode, FP_XDP_MODE_NATIVE);
	assert_int_equal(cfg->table_size[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(cfg->table_size[FP_TABLE_VTEP], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 65536);
	assert_int_equal(cfg->table_size[FP_TABLE_FLOOD], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 65536);
	assert_true(fp_conf_fixture_is_zero(cfg->ports, sizeof(cfg->ports)));
	assert_int_equal(cfg->guard.strict_source, 1);
	assert_int_equal(cfg->guard.inner_src_mac, 1);
	assert_int_equal(cfg->guard.storm_pps, 1000);
	assert_int_equal(cfg->guard.storm_burst, 200);
}

static void
test_xdp_config_full_maps_every_field(void **state)
{
	struct state *st = *state;
	struct fp_xdp_config *cfg = &st->cfg;

	load_ok(st, FIXTURE_DIR "/valid", "full.conf");
	assert_string_equal(cfg->host, "hv-full.example_1");
	assert_int_equal(cfg->n_local_vteps, 2);
	fp_conf_fixture_ip_expect(&cfg->local_vteps[0], "192.0.2.10");
	fp_conf_fixture_ip_expect(&cfg->local_vteps[1], "2001:db8::10");
	assert_int_equal(cfg->table_size[FP_TABLE_PORT], FP_PORT_MAX);
	assert_int_equal(cfg->table_size[FP_TABLE_VTEP], 1024);
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 1048576);
	assert_int_equal(cfg->table_size[FP_TABLE_FLOOD], 16);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 16777216);
	assert_string_equal(cfg->instance, "edge_2-b");
	assert_int_equal(cfg->mode, FP_XDP_MODE_GENERIC);
	assert_int_equal(cfg->n_ports, 3);
	port_expect(&cfg->ports[0], "vm1", FP_PORT_ROLE_VM, "tap-vm1", 1450);
	port_expect(&cfg->ports[1], "vm2", FP_PORT_ROLE_VM, "tapdeadbeef-01", 68);
	port_expect(&cfg->ports[2], "uplink", FP_PORT_ROLE_UNDERLAY, "eth1.100", 9000);
	assert_int_equal(cfg->ports[0].line, 19);
	assert_int_equal(cfg->ports[2].line, 21);
	assert_true(fp_conf_fixture_is_zero(&cfg->ports[3],
					    sizeof(cfg->ports) - 3 * sizeof(cfg->ports[0])));
	assert_int_equal(cfg->guard.strict_source, 0);
	assert_int_equal(cfg->guard.inner_src_mac, 1); /* not in the file */
	assert_int_equal(cfg->guard.storm_pps, 300);
	assert_int_equal(cfg->guard.storm_burst, 30);
	assert_int_equal(cfg->guard.ethertypes[0], 0x88cc);
	assert_int_equal(cfg->guard.ethertypes[1], 0);
}

static void
test_xdp_config_minimal_gets_defaults(void **state)
{
	struct state *st = *state;
	struct fp_xdp_config *want = &st->want;

	load_ok(st, FIXTURE_DIR "/valid", "minimal.conf");

	/* The whole struct is the defaults plus exactly what the file says. */
	fp_xdp_config_defaults(want);
	strcpy(want->path, st->path);
	strcpy(want->host, "hv1");
	want->n_local_vteps = 1;
	assert_int_equal(fp_addr_ip_parse("172.16.0.1", &want->local_vteps[0]), AF_INET);
	want->n_ports = 1;
	strcpy(want->ports[0].name, "vm1");
	strcpy(want->ports[0].iface, "tap-vm1");
	want->ports[0].role = FP_PORT_ROLE_VM;
	want->ports[0].mtu = FP_XDP_CFG_MTU_DEFAULT;
	want->ports[0].line = 5;
	assert_memory_equal(&st->cfg, want, sizeof(*want));
}

static void
test_xdp_config_shared_file_skips_other_groups(void **state)
{
	struct state *st = *state;
	struct fp_xdp_config *cfg = &st->cfg;
	struct fp_config *dpdk;
	char err[FP_CFG_ERR_SIZE];

	load_ok(st, FIXTURE_DIR "/valid", "shared.conf");
	assert_int_equal(cfg->n_local_vteps, 2);
	fp_conf_fixture_ip_expect(&cfg->local_vteps[1], "fd00:16::1");
	assert_int_equal(cfg->table_size[FP_TABLE_FDB], 4096);
	assert_int_equal(cfg->table_size[FP_TABLE_NEIGH], 65536);
	assert_int_equal(cfg->n_ports, 2);
	port_expect(&cfg->ports[0], "vm1", FP_PORT_ROLE_VM, "tap-vm1", 1500);
	port_expect(&cfg->ports[1], "uplink", FP_PORT_ROLE_UNDERLAY, "eth1", 1600);

	/* And fp-dpdk reads the same file, leaving fp_xdp to fp-xdp. */
	dpdk = calloc(1, sizeof(*dpdk));
	assert_non_null(dpdk);
	if (fp_config_load(st->path, dpdk, err, sizeof(err)) != 0)
		fail_msg("fp-dpdk's loader: %s", err);
	assert_int_equal(dpdk->n_ports, 2);
	assert_int_equal(dpdk->table_size[FP_TABLE_FDB], 4096);
	free(dpdk);
}

static void
test_xdp_config_limits_max_accepted(void **state)
{
	struct state *st = *state;
	struct fp_xdp_config *cfg = &st->cfg;
	unsigned int t;

	load_ok(st, FIXTURE_DIR "/valid", "limits_max.conf");
	assert_int_equal(strlen(cfg->host), FP_NAME_SIZE - 1);
	assert_int_equal(strlen(cfg->instance), FP_XDP_INSTANCE_SIZE - 1);
	assert_int_equal(cfg->n_local_vteps, FP_XDP_LOCAL_VTEP_MAX);
	for (t = 0; t < FP_TABLE_MAX; t++)
		if (t != FP_TABLE_PORT)
			assert_int_equal(cfg->table_size[t], 16777216);
	assert_int_equal(cfg->n_ports, FP_PORT_MAX);
	assert_int_equal(strlen(cfg->ports[0].name), FP_NAME_SIZE - 1);
	assert_int_equal(strlen(cfg->ports[0].iface), FP_XDP_CFG_IFNAME_SIZE - 1);
	assert_int_equal(cfg->ports[0].mtu, FP_XDP_CFG_MTU_MIN);
	port_expect(&cfg->ports[63], "p63", FP_PORT_ROLE_UNDERLAY, "if63", FP_XDP_CFG_MTU_MAX);
	assert_int_equal(fp_xdp_config_port_find(cfg, "p63"), 63);
}

static void
test_xdp_config_every_valid_fixture_loads(void **state)
{
	struct state *st = *state;

	assert_true(fp_conf_fixture_load_dir(load, &st->cfg, FIXTURE_DIR "/valid", st->path,
					     st->err, sizeof(st->err)) >= 4);
}

static void
test_xdp_config_invalid_fixtures_name_file_line(void **state)
{
	struct state *st = *state;

	fp_conf_fixture_bad_check(load, &st->cfg, sizeof(st->cfg), FIXTURE_DIR "/invalid",
				  invalid_cases, N_INVALID);
}

static void
test_xdp_config_every_invalid_fixture_has_a_row(void **state)
{
	(void)state;
	fp_conf_fixture_bad_all_listed(FIXTURE_DIR "/invalid", invalid_cases, N_INVALID);
}

/* A missing file, a directory, a FIFO or a device, a path too long, no
 * error buffer or a small one (lib/conf.c, the same for every loader).
 */
static void
test_xdp_config_file_errors(void **state)
{
	struct state *st = *state;

	fp_conf_fixture_file_errors_check(load, &st->cfg, sizeof(st->cfg), FIXTURE_DIR "/invalid",
					  "bad_mode.conf");
	/* No error buffer on success either. */
	fp_conf_fixture_path(st->path, FIXTURE_DIR "/valid", "minimal.conf");
	assert_int_equal(fp_xdp_config_load(st->path, &st->cfg, NULL, 0), 0);
}

static void
test_xdp_config_port_find_and_mode_name(void **state)
{
	struct state *st = *state;

	load_ok(st, FIXTURE_DIR "/valid", "full.conf");
	assert_int_equal(fp_xdp_config_port_find(&st->cfg, "vm1"), 0);
	assert_int_equal(fp_xdp_config_port_find(&st->cfg, "uplink"), 2);
	assert_int_equal(fp_xdp_config_port_find(&st->cfg, "vm9"), -ENOENT);
	assert_int_equal(fp_xdp_config_port_find(NULL, "vm1"), -ENOENT);
	assert_string_equal(fp_xdp_config_mode_name(FP_XDP_MODE_NATIVE), "native");
	assert_string_equal(fp_xdp_config_mode_name(FP_XDP_MODE_GENERIC), "generic");
	assert_string_equal(fp_xdp_config_mode_name(FP_XDP_MODE_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_xdp_config_defaults, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_full_maps_every_field, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_minimal_gets_defaults, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_shared_file_skips_other_groups,
						setup, fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_limits_max_accepted, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_every_valid_fixture_loads, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_invalid_fixtures_name_file_line,
						setup, fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_every_invalid_fixture_has_a_row,
						setup, fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_file_errors, setup,
						fp_conf_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_config_port_find_and_mode_name, setup,
						fp_conf_fixture_teardown),
	};

	return cmocka_run_group_tests_name("xdp_config", tests, NULL, NULL);
}
