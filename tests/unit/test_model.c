/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the desired-state model (control/model.c).
 *
 * Fixtures live in tests/fixtures/neutron/ and are found through
 * $FP_SRCDIR (the project root, set by meson).  They are shaped like
 * neutron-lib's api-ref samples: one file per resource ({"port": {...}}),
 * and snapshot.json, which gen_snapshot.py builds from them (keys in
 * reverse dependency order, lists out of id order).
 *
 * Most tests start from the model loaded from snapshot.json.  The
 * bad-input table changes one member of a valid fixture at a time and
 * expects a 4xx naming exactly that member, with the model unchanged: the
 * same records (pointer-equal JSON) in every collection.
 */
#include "addr.h"
#include "model.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#define FIXTURE_DIR "tests/fixtures/neutron"

/* Ids used by the fixtures. */
#define NET_ID "a87cc70a-3e15-4acf-8205-9b711a3531b7"
#define NET6_ID "b2a6f3c1-5e0d-4c1a-9f3e-6d2c8b7a1e04"
#define EXT_ID "c0a2d4e6-1b3f-4a5c-8d7e-9f0a1b2c3d4e"
#define SUB4_ID "54d6f61d-db07-451c-9ab3-b9609b6b6f0b"
#define SUB6D_ID "e1c3a5b7-9d0f-4e2a-b4c6-d8e0f2a4b6c8"
#define SUB6_ID "f7b0a7e2-6d4c-4f1b-8e3a-2c5d9a0b1c6e"
#define SUBX_ID "d3e5f7a9-2b4c-4d6e-8f0a-1b3c5d7e9f1a"
#define PORT_ID "46d4bfb9-b26e-41f3-bd2e-e6dcc1ccedb2"
#define PORT6_ID "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
#define RIF_ID "8b1e0f92-4c3d-4e7a-a1b2-c3d4e5f60718"
#define NOIP_ID "9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e6f"
#define ROUTER_ID "f8a44de0-fc8e-45df-93c7-f79bf3b01c95"
#define FIP_ID "2f245a7b-796b-4f26-9cf9-9e82d248fda7"
#define SG_ID "85cc3048-abc3-43cc-89b3-377341426ac5"
#define RULE0_ID "3c0e45ff-adaf-4124-b083-bf390e5482ff"
#define SGDEF_ID "0d6a3f0e-7c1b-4f8e-9a2d-3b4c5d6e7f80"
#define SGWEB_ID "1e7b4a1f-8d2c-4a9f-8b3e-4c5d6e7f8091"
#define SGSL_ID "2f8c5b20-9e3d-4bae-9c4f-5d6e7f8091a2"
#define AG_ID "3a9d6c31-af4e-4cbf-8d5a-6e7f8091a2b3"

/* Counts in snapshot.json, by enum fp_model_coll. */
static const size_t snap_counts[FP_MODEL_COLL_MAX] = {
	[FP_MODEL_NETWORK] = 3, [FP_MODEL_SUBNET] = 4,	      [FP_MODEL_PORT] = 4,
	[FP_MODEL_ROUTER] = 1,	[FP_MODEL_FLOATINGIP] = 1,    [FP_MODEL_SECURITY_GROUP] = 4,
	[FP_MODEL_HOST] = 2,	[FP_MODEL_ADDRESS_GROUP] = 1,
};

/* The valid fixture a bad-input row starts from, by collection. */
static const char *const base_fixture[FP_MODEL_COLL_MAX] = {
	[FP_MODEL_NETWORK] = "network.json",
	[FP_MODEL_SUBNET] = "subnet_v4.json",
	[FP_MODEL_PORT] = "port.json",
	[FP_MODEL_ROUTER] = "router.json",
	[FP_MODEL_FLOATINGIP] = "floatingip.json",
	[FP_MODEL_SECURITY_GROUP] = "security_group.json",
	[FP_MODEL_HOST] = "host.json",
	[FP_MODEL_ADDRESS_GROUP] = "address_group.json",
};

/* ---------------------------------------------------------------------
 * Helpers
 */

/* A whole fixture file (new reference). */
static json_t *
load_doc(const char *name)
{
	const char *dir = getenv("FP_SRCDIR");
	json_error_t jerr;
	char path[4096];
	json_t *doc;

	if (dir == NULL)
		fail_msg("FP_SRCDIR is not set (meson sets it to the project root)");
	snprintf(path, sizeof(path), "%s/%s/%s", dir, FIXTURE_DIR, name);
	doc = json_load_file(path, 0, &jerr);
	if (doc == NULL)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

/* The resource inside a single-resource fixture (new reference). */
static json_t *
load_res(const char *name)
{
	json_t *doc = load_doc(name), *res;

	assert_int_equal(json_object_size(doc), 1);
	res = json_incref(json_object_iter_value(json_object_iter(doc)));
	json_decref(doc);
	assert_non_null(res);
	return res;
}

static int
put_file(struct fp_model *m, enum fp_model_coll coll, const char *name, struct fp_model_err *err)
{
	json_t *res = load_res(name);
	int rc = fp_model_put(m, coll, NULL, res, err);

	json_decref(res);
	return rc;
}

static int
put_text(struct fp_model *m, enum fp_model_coll coll, const char *id, const char *text,
	 struct fp_model_err *err)
{
	json_error_t jerr;
	json_t *res = json_loads(text, JSON_DECODE_ANY, &jerr);
	int rc;

	if (res == NULL)
		fail_msg("test JSON: %s: %s", text, jerr.text);
	rc = fp_model_put(m, coll, id, res, err);
	json_decref(res);
	return rc;
}

/* A model from a snapshot fixture. */
static struct fp_model *
load_snap(const char *name)
{
	struct fp_model_err err;
	json_t *snap = load_doc(name);
	struct fp_model *m = fp_model_from_snapshot(snap, &err);

	if (m == NULL)
		fail_msg("%s: %d %s: %s", name, err.status, err.field, err.reason);
	json_decref(snap);
	return m;
}

static struct fp_model *
load_snapshot(void)
{
	return load_snap("snapshot.json");
}

/* Does m still hold exactly the records of before (a to_snapshot())?
 * Pointer-equal JSON objects mean the very same records.
 */
static int
same_model(const struct fp_model *m, json_t *before)
{
	json_t *after = fp_model_to_snapshot(m);
	int k, same = 1;
	size_t i;

	assert_non_null(after);
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		json_t *a = json_object_get(before, fp_model_coll_names[k]);
		json_t *b = json_object_get(after, fp_model_coll_names[k]);

		if (json_array_size(a) != json_array_size(b) ||
		    json_array_size(b) != fp_model_count(m, (enum fp_model_coll)k)) {
			same = 0;
			continue;
		}
		for (i = 0; i < json_array_size(a); i++)
			if (json_array_get(a, i) != json_array_get(b, i))
				same = 0;
	}
	json_decref(after);
	return same;
}

static void
assert_same_model(const struct fp_model *m, json_t *before)
{
	assert_true(same_model(m, before));
}

/* Two models hold equal resources: counts, parsed structs, JSON. */
static void
assert_models_equal(const struct fp_model *a, const struct fp_model *b)
{
	json_t *sa = fp_model_to_snapshot(a), *sb = fp_model_to_snapshot(b);
	size_t i;

	assert_true(json_equal(sa, sb));
	for (i = 0; i < FP_MODEL_COLL_MAX; i++)
		assert_int_equal(fp_model_count(a, (enum fp_model_coll)i),
				 fp_model_count(b, (enum fp_model_coll)i));
	for (i = 0; i < fp_model_count(a, FP_MODEL_NETWORK); i++)
		assert_memory_equal(fp_model_network_at(a, i), fp_model_network_at(b, i),
				    sizeof(struct fp_model_network));
	for (i = 0; i < fp_model_count(a, FP_MODEL_SUBNET); i++)
		assert_memory_equal(fp_model_subnet_at(a, i), fp_model_subnet_at(b, i),
				    sizeof(struct fp_model_subnet));
	for (i = 0; i < fp_model_count(a, FP_MODEL_PORT); i++)
		assert_memory_equal(fp_model_port_at(a, i), fp_model_port_at(b, i),
				    sizeof(struct fp_model_port));
	for (i = 0; i < fp_model_count(a, FP_MODEL_ROUTER); i++)
		assert_memory_equal(fp_model_router_at(a, i), fp_model_router_at(b, i),
				    sizeof(struct fp_model_router));
	for (i = 0; i < fp_model_count(a, FP_MODEL_FLOATINGIP); i++)
		assert_memory_equal(fp_model_floatingip_at(a, i), fp_model_floatingip_at(b, i),
				    sizeof(struct fp_model_floatingip));
	for (i = 0; i < fp_model_count(a, FP_MODEL_SECURITY_GROUP); i++)
		assert_memory_equal(fp_model_secgroup_at(a, i), fp_model_secgroup_at(b, i),
				    sizeof(struct fp_model_secgroup));
	for (i = 0; i < fp_model_count(a, FP_MODEL_HOST); i++)
		assert_memory_equal(fp_model_host_at(a, i), fp_model_host_at(b, i),
				    sizeof(struct fp_model_host));
	json_decref(sa);
	json_decref(sb);
}

static struct fp_ip
ip_of(const char *s)
{
	struct fp_ip ip;

	assert_true(fp_addr_ip_parse(s, &ip) > 0);
	return ip;
}

static void
assert_ip(const struct fp_ip *ip, const char *s)
{
	struct fp_ip want = ip_of(s);

	assert_memory_equal(ip->b, want.b, sizeof(want.b));
}

static void
assert_mac(const uint8_t *mac, const char *s)
{
	uint8_t want[6];

	assert_int_equal(fp_addr_mac_parse(s, want, 0), 0);
	assert_memory_equal(mac, want, 6);
}

/* A string of n copies of ch (new reference). */
static json_t *
long_string(size_t n, char ch)
{
	char *s = malloc(n + 1);
	json_t *v;

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	v = json_string(s);
	free(s);
	assert_non_null(v);
	return v;
}

/* n generated list entries of a kind (new reference). */
static json_t *
make_list(const char *kind, int n)
{
	json_t *a = json_array();
	char buf[64];
	int i;

	for (i = 0; i < n; i++) {
		json_t *v = NULL;

		if (strcmp(kind, "FIXED") == 0) {
			snprintf(buf, sizeof(buf), "10.0.0.%d", 10 + i);
			v = json_pack("{s:s, s:s}", "subnet_id", SUB4_ID, "ip_address", buf);
		} else if (strcmp(kind, "PAIRS") == 0) {
			snprintf(buf, sizeof(buf), "10.1.%d.0/24", i);
			v = json_pack("{s:s}", "ip_address", buf);
		} else if (strcmp(kind, "SGS") == 0) {
			snprintf(buf, sizeof(buf), "sg-%d", i);
			v = json_string(buf);
		} else if (strcmp(kind, "ROUTES") == 0) {
			snprintf(buf, sizeof(buf), "192.168.%d.0/24", i);
			v = json_pack("{s:s, s:s}", "destination", buf, "nexthop", "10.0.0.10");
		} else if (strcmp(kind, "RULES") == 0) {
			snprintf(buf, sizeof(buf), "rule-%d", i);
			v = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "id", buf, "direction",
				      "ingress", "ethertype", "IPv4", "protocol", "tcp",
				      "port_range_min", i, "port_range_max", i);
		} else if (strcmp(kind, "ADDRS") == 0) {
			snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
			v = json_string(buf);
		} else if (strcmp(kind, "DNS") == 0) {
			snprintf(buf, sizeof(buf), "10.0.9.%d", 1 + i);
			v = json_string(buf);
		} else if (strcmp(kind, "EXTIPS") == 0) {
			snprintf(buf, sizeof(buf), "172.24.4.%d", 10 + i);
			v = json_pack("{s:s, s:s}", "subnet_id", SUBX_ID, "ip_address", buf);
		} else if (strcmp(kind, "VTEP") == 0) {
			snprintf(buf, sizeof(buf), "10.30.0.%d", 1 + i);
			v = json_string(buf);
		} else {
			fail_msg("unknown list kind %s", kind);
		}
		assert_non_null(v);
		assert_int_equal(json_array_append_new(a, v), 0);
	}
	return a;
}

/* A JSON value from text, or generated: "@LONG:<n>" a string of n chars,
 * "@NUL" a string with a NUL inside, "@<KIND>:<n>" a list (make_list).
 */
static json_t *
make_value(const char *text)
{
	json_error_t jerr;
	json_t *v;
	char kind[16];
	int n;

	if (strncmp(text, "@LONG:", 6) == 0)
		return long_string((size_t)atoi(text + 6), 'h');
	if (strcmp(text, "@NUL") == 0)
		return json_stringn("fa:16\0:3e", 9);
	if (sscanf(text, "@%15[A-Z]:%d", kind, &n) == 2)
		return make_list(kind, n);
	v = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("test JSON: %s: %s", text, jerr.text);
	return v;
}

/* Set (value non-NULL, stolen) or delete the member at path ("a/0/b"). */
static void
patch(json_t *root, const char *path, json_t *value)
{
	char buf[128], *tok, *next, *save = NULL;
	json_t *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	tok = strtok_r(buf, "/", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, "/", &save);
		if (next == NULL)
			break;
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(tok)) :
					   json_object_get(cur, tok);
		if (cur == NULL)
			fail_msg("patch: no %s in %s", tok, path);
		tok = next;
	}
	if (json_is_array(cur)) {
		size_t i = (size_t)atoi(tok);

		assert_int_equal(
			value ? json_array_set_new(cur, i, value) : json_array_remove(cur, i), 0);
	} else {
		assert_int_equal(value ? json_object_set_new(cur, tok, value) :
					 json_object_del(cur, tok),
				 0);
	}
}

static int
setup_snapshot(void **state)
{
	*state = load_snapshot();
	return 0;
}

static int
teardown_model(void **state)
{
	fp_model_free(*state);
	return 0;
}

/* ---------------------------------------------------------------------
 * Accepted resources
 */

static void
test_model_every_collection_accepted(void **state)
{
	static const struct {
		enum fp_model_coll coll; /* where */
		const char *file;	 /* what */
	} order[] = {
		{ FP_MODEL_HOST, "host.json" },
		{ FP_MODEL_HOST, "host_v6.json" },
		{ FP_MODEL_NETWORK, "network.json" },
		{ FP_MODEL_NETWORK, "network_v6.json" },
		{ FP_MODEL_NETWORK, "network_external.json" },
		{ FP_MODEL_ADDRESS_GROUP, "address_group.json" },
		{ FP_MODEL_SECURITY_GROUP, "security_group.json" },
		{ FP_MODEL_SECURITY_GROUP, "security_group_default.json" },
		{ FP_MODEL_SECURITY_GROUP, "security_group_web.json" },
		{ FP_MODEL_SECURITY_GROUP, "security_group_stateless.json" },
		{ FP_MODEL_SUBNET, "subnet_v4.json" },
		{ FP_MODEL_SUBNET, "subnet_v6_dual.json" },
		{ FP_MODEL_SUBNET, "subnet_v6_only.json" },
		{ FP_MODEL_SUBNET, "subnet_external.json" },
		{ FP_MODEL_PORT, "port.json" },
		{ FP_MODEL_PORT, "port_v6_only.json" },
		{ FP_MODEL_PORT, "port_router_interface.json" },
		{ FP_MODEL_PORT, "port_no_ip.json" },
		{ FP_MODEL_ROUTER, "router.json" },
		{ FP_MODEL_FLOATINGIP, "floatingip.json" },
	};
	struct fp_model *m = fp_model_create();
	struct fp_model_err err;
	size_t i;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int rc = put_file(m, order[i].coll, order[i].file, &err);

		if (rc != 0)
			fail_msg("%s: rc %d, %d %s: %s", order[i].file, rc, err.status, err.field,
				 err.reason);
	}
	for (i = 0; i < FP_MODEL_COLL_MAX; i++)
		assert_int_equal(fp_model_count(m, (enum fp_model_coll)i), snap_counts[i]);

	/* The same as loading snapshot.json. */
	{
		struct fp_model *s = load_snapshot();

		assert_models_equal(m, s);
		fp_model_free(s);
	}
	fp_model_free(m);
}

static void
test_model_snapshot_fixture_matches_singles(void **state)
{
	static const char *const files[] = {
		"host.json",
		"host_v6.json",
		"network.json",
		"network_v6.json",
		"network_external.json",
		"address_group.json",
		"security_group.json",
		"security_group_default.json",
		"security_group_web.json",
		"security_group_stateless.json",
		"subnet_v4.json",
		"subnet_v6_dual.json",
		"subnet_v6_only.json",
		"subnet_external.json",
		"port.json",
		"port_v6_only.json",
		"port_router_interface.json",
		"port_no_ip.json",
		"router.json",
		"floatingip.json",
	};
	struct fp_model *m = *state;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		json_t *doc = load_doc(files[i]);
		const char *key = json_object_iter_key(json_object_iter(doc));
		json_t *res = json_object_get(doc, key);
		int coll;

		for (coll = 0; coll < FP_MODEL_COLL_MAX; coll++)
			if (strcmp(fp_model_coll_singular[coll], key) == 0)
				break;
		assert_true(coll < FP_MODEL_COLL_MAX);
		if (!json_equal(res, fp_model_json(m, (enum fp_model_coll)coll,
						   json_string_value(json_object_get(res, "id")))))
			fail_msg("%s differs from its snapshot.json entry; run gen_snapshot.py",
				 files[i]);
		json_decref(doc);
	}
}

static void
test_model_network_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_network *n = fp_model_network_find(m, NET_ID);
	struct fp_model_err err;

	assert_non_null(n);
	assert_string_equal(n->id, NET_ID);
	assert_int_equal(n->revision, 3);
	assert_int_equal(n->vni, 1001);
	assert_int_equal(n->encap, FP_ENCAP_VXLAN);
	assert_int_equal(n->mtu, 1450);
	assert_int_equal(n->port_security, 1);
	assert_int_equal(n->admin_up, 1);

	n = fp_model_network_find(m, NET6_ID);
	assert_non_null(n);
	assert_int_equal(n->encap, FP_ENCAP_GENEVE);
	assert_int_equal(n->vni, 2002);
	assert_int_equal(n->mtu, 1400);
	assert_int_equal(n->port_security, 0);

	/* Defaults. */
	assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL,
				  "{\"id\": \"n-min\", \"provider:network_type\": \"geneve\","
				  " \"provider:segmentation_id\": 16777215}",
				  &err),
			 0);
	n = fp_model_network_find(m, "n-min");
	assert_non_null(n);
	assert_int_equal(n->revision, 0);
	assert_int_equal(n->vni, 16777215);
	assert_int_equal(n->mtu, 1450);
	assert_int_equal(n->port_security, 1);
	assert_int_equal(n->admin_up, 1);

	assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL,
				  "{\"id\": \"n-edge\", \"provider:network_type\": \"vxlan\","
				  " \"provider:segmentation_id\": 1, \"mtu\": 68,"
				  " \"admin_state_up\": false}",
				  &err),
			 0);
	n = fp_model_network_find(m, "n-edge");
	assert_int_equal(n->vni, 1);
	assert_int_equal(n->mtu, 68);
	assert_int_equal(n->admin_up, 0);
	assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL,
				  "{\"id\": \"n-jumbo\", \"provider:network_type\": \"vxlan\","
				  " \"provider:segmentation_id\": 7, \"mtu\": 9000}",
				  &err),
			 0);
	assert_int_equal(fp_model_network_find(m, "n-jumbo")->mtu, 9000);
}

/* Neutron's network types are stored, each with what its type takes;
 * anything else is refused.
 */
static void
test_model_network_types(void **state)
{
	static const struct {
		const char *body; /* the network, without its id */
		uint8_t type;	  /* FP_MODEL_NET_* */
		uint32_t seg;	  /* segmentation_id */
		uint32_t vni;	  /* vni */
		const char *phys; /* physnet */
	} ok[] = {
		{ "\"provider:network_type\": \"vlan\", \"provider:physical_network\": \"physnet1\","
		  " \"provider:segmentation_id\": 4094",
		  FP_MODEL_NET_VLAN, 4094, 0, "physnet1" },
		{ "\"provider:network_type\": \"flat\", \"provider:physical_network\": \"ext\","
		  " \"provider:segmentation_id\": null",
		  FP_MODEL_NET_FLAT, 0, 0, "ext" },
		{ "\"provider:network_type\": \"gre\", \"provider:segmentation_id\": 4294967295",
		  FP_MODEL_NET_GRE, 4294967295u, 0, "" },
		{ "\"provider:network_type\": \"local\", \"provider:physical_network\": null",
		  FP_MODEL_NET_LOCAL, 0, 0, "" },
		{ "\"provider:network_type\": \"geneve\", \"provider:segmentation_id\": 16777215",
		  FP_MODEL_NET_GENEVE, 16777215, 16777215, "" },
		{ "\"segments\": [{\"provider:network_type\": \"vlan\"},"
		  " {\"provider:network_type\": \"vxlan\"}]",
		  FP_MODEL_NET_SEGMENTS, 0, 0, "" },
		{ "\"provider:network_type\": null, \"segments\": [{}]", FP_MODEL_NET_SEGMENTS, 0,
		  0, "" },
		{ "\"provider:network_type\": \"vxlan\", \"provider:segmentation_id\": 5,"
		  " \"segments\": [{}]",
		  FP_MODEL_NET_VXLAN, 5, 5, "" },
	};
	static const struct {
		const char *body;  /* the network, without its id */
		int status;	   /* expected */
		const char *field; /* expected, after "network." */
	} bad[] = {
		{ "\"provider:network_type\": \"vlan\", \"provider:physical_network\": \"p\","
		  " \"provider:segmentation_id\": 4095",
		  422, "provider:segmentation_id" },
		{ "\"provider:network_type\": \"vlan\", \"provider:physical_network\": \"p\","
		  " \"provider:segmentation_id\": 0",
		  422, "provider:segmentation_id" },
		{ "\"provider:network_type\": \"vlan\", \"provider:physical_network\": \"p\"", 400,
		  "provider:segmentation_id" },
		{ "\"provider:network_type\": \"vlan\", \"provider:segmentation_id\": 5", 400,
		  "provider:physical_network" },
		{ "\"provider:network_type\": \"flat\"", 400, "provider:physical_network" },
		{ "\"provider:network_type\": \"flat\", \"provider:physical_network\": \"a:b\"",
		  422, "provider:physical_network" },
		{ "\"provider:network_type\": \"flat\", \"provider:physical_network\": \"\"", 422,
		  "provider:physical_network" },
		{ "\"provider:network_type\": \"gre\"", 400, "provider:segmentation_id" },
		{ "\"provider:network_type\": \"gre\", \"provider:segmentation_id\": 4294967296",
		  422, "provider:segmentation_id" },
		{ "\"provider:network_type\": \"gre\", \"provider:segmentation_id\": 5,"
		  " \"provider:physical_network\": \"p\"",
		  422, "provider:physical_network" },
		{ "\"provider:network_type\": \"local\", \"provider:segmentation_id\": 5", 422,
		  "provider:segmentation_id" },
		{ "\"segments\": []", 422, "segments" },
		{ "\"segments\": null", 400, "segments" },
		{ "\"segments\": [5]", 400, "segments[0]" },
		{ "\"provider:network_type\": \"segments\", \"segments\": [{}]", 422,
		  "provider:network_type" },
		{ "\"provider:network_type\": \"Vlan\", \"provider:physical_network\": \"p\","
		  " \"provider:segmentation_id\": 5",
		  422, "provider:network_type" },
	};
	struct fp_model *m = *state;
	const struct fp_model_network *n;
	struct fp_model_err err;
	json_t *before;
	char body[512], field[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(body, sizeof(body), "{\"id\": \"n-ok\", %s}", ok[i].body);
		assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL, body, &err), 0);
		n = fp_model_network_find(m, "n-ok");
		assert_non_null(n);
		assert_int_equal(n->type, ok[i].type);
		assert_int_equal(n->segmentation_id, ok[i].seg);
		assert_int_equal(n->vni, ok[i].vni);
		assert_string_equal(n->physnet, ok[i].phys);
		assert_int_equal(fp_model_network_is_overlay(n), ok[i].vni != 0);
		if (ok[i].vni == 0)
			assert_int_equal(n->encap, FP_ENCAP_MAX);
		assert_int_equal(n->external, 0);
	}
	before = fp_model_to_snapshot(m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"id\": \"n-bad\", %s}", bad[i].body);
		assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL, body, &err), -EINVAL);
		snprintf(field, sizeof(field), "network.%s", bad[i].field);
		if (err.status != bad[i].status || strcmp(err.field, field) != 0)
			fail_msg("bad[%zu]: %d %s: %s", i, err.status, err.field, err.reason);
	}
	assert_same_model(m, before);
	json_decref(before);
	/* The external network of the fixtures. */
	n = fp_model_network_find(m, EXT_ID);
	assert_int_equal(n->external, 1);
	assert_int_equal(n->type, FP_MODEL_NET_VXLAN);
}

static void
test_model_subnets_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_subnet *s = fp_model_subnet_find(m, SUB4_ID);

	assert_non_null(s);
	assert_string_equal(s->network_id, NET_ID);
	assert_int_equal(s->ip_version, 4);
	assert_int_equal(s->plen, 96 + 24);
	assert_ip(&s->cidr, "10.0.0.0");
	assert_int_equal(s->has_gateway, 1);
	assert_ip(&s->gateway, "10.0.0.1");
	assert_int_equal(s->revision, 2);

	s = fp_model_subnet_find(m, SUBX_ID);
	assert_non_null(s);
	assert_int_equal(s->has_gateway, 0); /* "gateway_ip": null */

	s = fp_model_subnet_find(m, SUB6D_ID);
	assert_int_equal(s->ip_version, 6);
	assert_string_equal(s->network_id, NET_ID);
}

static void
test_model_ipv6_only_subnet(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_subnet *s = fp_model_subnet_find(m, SUB6_ID);
	const struct fp_model_port *p;
	size_t i, n = 0;

	assert_non_null(s);
	assert_string_equal(s->network_id, NET6_ID);
	assert_int_equal(s->ip_version, 6);
	assert_int_equal(s->plen, 64);
	assert_ip(&s->cidr, "fd00:1::");
	assert_ip(&s->gateway, "fd00:1::1");
	assert_false(fp_addr_ip_is_v4(&s->cidr));

	/* The only subnet of its network. */
	for (i = 0; i < fp_model_count(m, FP_MODEL_SUBNET); i++)
		n += strcmp(fp_model_subnet_at(m, i)->network_id, NET6_ID) == 0;
	assert_int_equal(n, 1);

	p = fp_model_port_find(m, PORT6_ID);
	assert_non_null(p);
	assert_int_equal(p->n_fixed_ips, 1);
	assert_ip(&p->fixed_ips[0].ip, "fd00:1::5");
	assert_string_equal(p->fixed_ips[0].subnet_id, SUB6_ID);
}

static void
test_model_port_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_port *p = fp_model_port_find(m, PORT_ID);
	json_t *res = load_res("port.json");

	assert_non_null(p);
	assert_string_equal(p->id, PORT_ID);
	assert_string_equal(p->network_id, NET_ID);
	assert_int_equal(p->revision, 4);
	assert_string_equal(p->host, "compute-01");
	assert_string_equal(p->dp_port, "vm0");
	assert_string_equal(p->device_owner, "compute:nova");
	assert_mac(p->mac, "fa:16:3e:23:fd:d7");
	assert_int_equal(p->port_security, 1);
	assert_int_equal(p->admin_up, 1);
	assert_int_equal(p->n_fixed_ips, 2);
	assert_ip(&p->fixed_ips[0].ip, "10.0.0.5");
	assert_string_equal(p->fixed_ips[0].subnet_id, SUB4_ID);
	assert_ip(&p->fixed_ips[1].ip, "fd00:2::5");
	assert_string_equal(p->fixed_ips[1].subnet_id, SUB6D_ID);
	assert_int_equal(p->n_security_groups, 1);
	assert_string_equal(p->security_groups[0], SG_ID);

	/* Every field Neutron sent is kept, ours and the others. */
	assert_true(json_equal(fp_model_json(m, FP_MODEL_PORT, PORT_ID), res));
	assert_non_null(
		json_object_get(fp_model_json(m, FP_MODEL_PORT, PORT_ID), "dns_assignment"));
	assert_non_null(
		json_object_get(fp_model_json(m, FP_MODEL_PORT, PORT_ID), "binding:vif_details"));
	json_decref(res);
}

static void
test_model_allowed_address_pairs(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_port *p = fp_model_port_find(m, PORT_ID);
	struct fp_model_err err;

	/* port.json: a CIDR with a MAC, an address with one, one without. */
	assert_int_equal(p->n_pairs, 3);
	assert_ip(&p->pairs[0].ip, "10.0.0.128");
	assert_int_equal(p->pairs[0].plen, 96 + 25);
	assert_int_equal(p->pairs[0].has_mac, 1);
	assert_mac(p->pairs[0].mac, "fa:16:3e:23:fd:d7");
	assert_ip(&p->pairs[1].ip, "10.0.0.201");
	assert_int_equal(p->pairs[1].plen, 128);
	assert_int_equal(p->pairs[1].has_mac, 1);
	assert_mac(p->pairs[1].mac, "fa:16:3e:77:88:99");
	assert_ip(&p->pairs[2].ip, "fd00:2::100");
	assert_int_equal(p->pairs[2].plen, 128);
	assert_int_equal(p->pairs[2].has_mac, 0);

	/* Host bits of a pair's CIDR are cleared (Neutron accepts them);
	 * a null mac_address is no MAC.
	 */
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p-pairs\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:77\","
				  " \"allowed_address_pairs\": ["
				  "  {\"ip_address\": \"10.9.8.7/16\", \"mac_address\": null},"
				  "  {\"ip_address\": \"fd00:77::1/64\","
				  "   \"mac_address\": \"FA:16:3E:00:00:78\"}]}",
				  &err),
			 0);
	p = fp_model_port_find(m, "p-pairs");
	assert_int_equal(p->n_pairs, 2);
	assert_ip(&p->pairs[0].ip, "10.9.0.0");
	assert_int_equal(p->pairs[0].plen, 96 + 16);
	assert_int_equal(p->pairs[0].has_mac, 0);
	assert_ip(&p->pairs[1].ip, "fd00:77::");
	assert_int_equal(p->pairs[1].plen, 64);
	assert_int_equal(p->pairs[1].has_mac, 1);
	assert_mac(p->pairs[1].mac, "fa:16:3e:00:00:78");
}

static void
test_model_port_without_fixed_ips(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_port *p = fp_model_port_find(m, NOIP_ID);
	struct fp_model_err err;

	assert_non_null(p);
	assert_int_equal(p->n_fixed_ips, 0);
	assert_int_equal(p->n_pairs, 0);
	assert_int_equal(p->admin_up, 0);
	assert_string_equal(p->host, "");
	assert_string_equal(p->dp_port, "");
	assert_int_equal(p->revision, 0);

	/* No fixed_ips member at all, nulls for the optional strings. */
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p-bare\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:0b\","
				  " \"binding:host_id\": null, \"binding:profile\": null,"
				  " \"device_owner\": null, \"device_id\": null,"
				  " \"allowed_address_pairs\": null, \"security_groups\": null}",
				  &err),
			 0);
	p = fp_model_port_find(m, "p-bare");
	assert_int_equal(p->n_fixed_ips, 0);
	assert_int_equal(p->admin_up, 1);
	assert_int_equal(p->port_security, 1);
}

static void
test_model_port_security_inherited(void **state)
{
	struct fp_model *m = *state;
	struct fp_model_err err;

	/* port_v6_only.json has none and its network has false. */
	assert_int_equal(fp_model_port_find(m, PORT6_ID)->port_security, 0);
	/* port_no_ip.json has none and its network has true. */
	assert_int_equal(fp_model_port_find(m, NOIP_ID)->port_security, 1);
	/* port_router_interface.json says false on a true network. */
	assert_int_equal(fp_model_port_find(m, RIF_ID)->port_security, 0);
	/* true on a false network. */
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p-sec\", \"network_id\": \"" NET6_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:0c\","
				  " \"port_security_enabled\": true}",
				  &err),
			 0);
	assert_int_equal(fp_model_port_find(m, "p-sec")->port_security, 1);
}

static void
test_model_fixed_ip_outside_subnet(void **state)
{
	struct fp_model *m = *state;
	json_t *before = fp_model_to_snapshot(m);
	struct fp_model_err err;

	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p-out\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:0d\","
				  " \"fixed_ips\": [{\"subnet_id\": \"" SUB4_ID "\","
				  "  \"ip_address\": \"10.0.1.5\"}]}",
				  &err),
			 -EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "port.fixed_ips[0].ip_address");
	assert_non_null(strstr(err.reason, "not inside subnet " SUB4_ID " (10.0.0.0/24)"));

	/* An IPv4 address on an IPv6 subnet is outside it too. */
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p-out\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:0d\","
				  " \"fixed_ips\": [{\"subnet_id\": \"" SUB4_ID "\","
				  "  \"ip_address\": \"10.0.0.6\"},"
				  " {\"subnet_id\": \"" SUB6D_ID
				  "\", \"ip_address\": \"10.0.0.7\"}]}",
				  &err),
			 -EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "port.fixed_ips[1].ip_address");
	assert_null(fp_model_port_find(m, "p-out"));
	assert_same_model(m, before);
	json_decref(before);
}

static void
test_model_router_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_router *r = fp_model_router_at(m, 0);
	const struct fp_model_port *p = fp_model_port_find(m, RIF_ID);
	struct fp_model_err err;

	assert_non_null(r);
	assert_string_equal(r->id, ROUTER_ID);
	assert_string_equal(r->ext_network_id, EXT_ID);
	assert_int_equal(r->revision, 5);
	assert_int_equal(r->admin_up, 1);
	assert_int_equal(r->n_routes, 2);
	assert_ip(&r->routes[0].destination, "192.168.100.0");
	assert_int_equal(r->routes[0].plen, 96 + 24);
	assert_ip(&r->routes[0].nexthop, "10.0.0.10");
	assert_ip(&r->routes[1].destination, "fd00:99::");
	assert_int_equal(r->routes[1].plen, 48);
	assert_ip(&r->routes[1].nexthop, "fd00:2::10");

	/* Its interface is a port. */
	assert_non_null(p);
	assert_string_equal(p->device_owner, "network:router_interface");
	assert_string_equal(json_string_value(json_object_get(
				    fp_model_json(m, FP_MODEL_PORT, RIF_ID), "device_id")),
			    ROUTER_ID);

	/* No gateway, no routes. */
	assert_int_equal(put_text(m, FP_MODEL_ROUTER, "r2",
				  "{\"external_gateway_info\": null, \"routes\": [],"
				  " \"admin_state_up\": false}",
				  &err),
			 0);
	r = fp_model_router_at(m, 1);
	assert_string_equal(r->id, "r2");
	assert_string_equal(r->ext_network_id, "");
	assert_int_equal(r->n_routes, 0);
	assert_int_equal(r->admin_up, 0);
}

static void
test_model_floatingip_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_floatingip *f = fp_model_floatingip_at(m, 0);
	struct fp_model_err err;

	assert_non_null(f);
	assert_string_equal(f->id, FIP_ID);
	assert_string_equal(f->floating_network_id, EXT_ID);
	assert_string_equal(f->port_id, PORT_ID);
	assert_string_equal(f->router_id, ROUTER_ID);
	assert_ip(&f->floating_ip, "172.24.4.228");
	assert_int_equal(f->has_fixed_ip, 1);
	assert_ip(&f->fixed_ip, "10.0.0.5");
	assert_int_equal(f->revision, 1);

	/* Not associated. */
	assert_int_equal(put_text(m, FP_MODEL_FLOATINGIP, NULL,
				  "{\"id\": \"fip2\", \"floating_network_id\": \"" EXT_ID "\","
				  " \"floating_ip_address\": \"172.24.4.229\", \"port_id\": null,"
				  " \"fixed_ip_address\": null, \"router_id\": null}",
				  &err),
			 0);
	f = fp_model_floatingip_at(m, 1);
	assert_string_equal(f->id, "fip2");
	assert_string_equal(f->port_id, "");
	assert_string_equal(f->router_id, "");
	assert_int_equal(f->has_fixed_ip, 0);
}

static void
test_model_secgroup_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_secgroup *g = fp_model_secgroup_find(m, SG_ID);
	const struct fp_model_rule *r;
	struct fp_model_err err;

	assert_non_null(g);
	assert_string_equal(g->id, SG_ID);
	assert_int_equal(g->revision, 8);
	assert_int_equal(g->n_rules, 8);
	assert_int_equal(g->stateful, 1);

	r = &g->rules[0]; /* egress IPv6, anything */
	assert_string_equal(r->id, RULE0_ID);
	assert_int_equal(r->ingress, 0);
	assert_int_equal(r->ipv6, 1);
	assert_int_equal(r->protocol, -1);
	assert_int_equal(r->port_min, 0);
	assert_int_equal(r->port_max, 65535);
	assert_int_equal(r->has_prefix, 0);
	assert_string_equal(r->remote_group_id, "");
	assert_string_equal(r->remote_address_group_id, "");

	r = &g->rules[2]; /* ingress IPv6 from the group itself */
	assert_int_equal(r->ingress, 1);
	assert_string_equal(r->remote_group_id, SG_ID);

	r = &g->rules[3]; /* ssh */
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->port_min, 22);
	assert_int_equal(r->port_max, 22);
	assert_int_equal(r->has_prefix, 1);
	assert_ip(&r->remote_prefix, "0.0.0.0");
	assert_int_equal(r->remote_plen, 96);

	r = &g->rules[4]; /* icmp echo request: type 8 code 0 */
	assert_int_equal(r->protocol, 1);
	assert_int_equal(r->port_min, 8);
	assert_int_equal(r->port_max, 0);
	assert_int_equal(r->remote_plen, 96 + 16);

	r = &g->rules[5]; /* ipv6-icmp, any type */
	assert_int_equal(r->protocol, 58);
	assert_int_equal(r->port_min, 0xffff);
	assert_int_equal(r->port_max, 0xffff);
	assert_ip(&r->remote_prefix, "fd00::");
	assert_int_equal(r->remote_plen, 8);

	r = &g->rules[6]; /* "17" as a string */
	assert_int_equal(r->protocol, 17);
	assert_int_equal(r->port_min, 5000);
	assert_int_equal(r->port_max, 5100);

	r = &g->rules[7]; /* 112 as a number */
	assert_int_equal(r->protocol, 112);

	/* "icmp" with IPv6 means ICMPv6; a missing ethertype is IPv4; names
	 * are case-insensitive; a prefix's host bits are cleared.
	 */
	assert_int_equal(
		put_text(m, FP_MODEL_SECURITY_GROUP, NULL,
			 "{\"id\": \"sg2\", \"security_group_rules\": ["
			 " {\"id\": \"a\", \"direction\": \"ingress\", \"ethertype\": \"IPv6\","
			 "  \"protocol\": \"icmp\"},"
			 " {\"id\": \"b\", \"direction\": \"egress\", \"protocol\": \"UDP\","
			 "  \"port_range_min\": 53, \"remote_ip_prefix\": \"10.1.2.3/8\"},"
			 " {\"id\": \"c\", \"direction\": \"egress\", \"protocol\": \"0\"}]}",
			 &err),
		0);
	g = fp_model_secgroup_find(m, "sg2");
	assert_non_null(g);
	assert_string_equal(g->id, "sg2");
	assert_int_equal(g->stateful, 1);
	assert_int_equal(g->n_rules, 3);
	assert_int_equal(g->rules[0].protocol, 58);
	assert_int_equal(g->rules[1].ipv6, 0);
	assert_int_equal(g->rules[1].protocol, 17);
	assert_int_equal(g->rules[1].port_min, 53);
	assert_int_equal(g->rules[1].port_max, 65535);
	assert_ip(&g->rules[1].remote_prefix, "10.0.0.0");
	assert_int_equal(g->rules[2].protocol, 0);

	/* A stateless group; a rule naming an address group. */
	g = fp_model_secgroup_find(m, SGSL_ID);
	assert_non_null(g);
	assert_int_equal(g->stateful, 0);
	assert_int_equal(g->n_rules, 3);
	assert_string_equal(g->rules[2].remote_address_group_id, AG_ID);
	assert_string_equal(g->rules[2].remote_group_id, "");
	assert_int_equal(g->rules[2].has_prefix, 0);
	assert_int_equal(g->rules[2].protocol, 58);
	g = fp_model_secgroup_find(m, SGWEB_ID);
	assert_non_null(g);
	assert_int_equal(g->stateful, 1);
	assert_string_equal(g->rules[4].remote_group_id, SGWEB_ID);
	assert_string_equal(g->rules[6].remote_address_group_id, AG_ID);
	g = fp_model_secgroup_find(m, SGDEF_ID);
	assert_non_null(g);
	assert_int_equal(g->n_rules, 4);

	/* A group without rules, stateless. */
	assert_int_equal(put_text(m, FP_MODEL_SECURITY_GROUP, NULL,
				  "{\"id\": \"sg3\", \"stateful\": false}", &err),
			 0);
	assert_int_equal(fp_model_secgroup_find(m, "sg3")->stateful, 0);
	assert_int_equal(fp_model_secgroup_find(m, "sg3")->n_rules, 0);
}

static void
test_model_addrgroup_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_addrgroup *g = fp_model_addrgroup_find(m, AG_ID);
	struct fp_model_err err;

	assert_non_null(g);
	assert_ptr_equal(fp_model_addrgroup_at(m, 0), g);
	assert_int_equal(g->revision, 2);
	assert_int_equal(g->n_addrs, 4);
	assert_ip(&g->addrs[0].ip, "10.0.0.0");
	assert_int_equal(g->addrs[0].plen, 96 + 24);
	assert_ip(&g->addrs[1].ip, "2001:db8::");
	assert_int_equal(g->addrs[1].plen, 64);
	assert_ip(&g->addrs[2].ip, "192.0.2.7");
	assert_int_equal(g->addrs[2].plen, 128);
	assert_int_equal(g->addrs[3].plen, 128);

	/* A bare address is a host; host bits are cleared; none is empty. */
	assert_int_equal(put_text(m, FP_MODEL_ADDRESS_GROUP, "ag2",
				  "{\"addresses\": [\"10.1.2.3\", \"10.9.9.9/16\", \"fd00::1\"]}",
				  &err),
			 0);
	g = fp_model_addrgroup_find(m, "ag2");
	assert_non_null(g);
	assert_int_equal(g->n_addrs, 3);
	assert_int_equal(g->addrs[0].plen, 128);
	assert_ip(&g->addrs[1].ip, "10.9.0.0");
	assert_int_equal(g->addrs[1].plen, 96 + 16);
	assert_int_equal(g->addrs[2].plen, 128);
	assert_int_equal(put_text(m, FP_MODEL_ADDRESS_GROUP, "ag3", "{}", &err), 0);
	assert_int_equal(fp_model_addrgroup_find(m, "ag3")->n_addrs, 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_ADDRESS_GROUP, "ag3", &err), 0);
	assert_null(fp_model_addrgroup_find(m, "ag3"));
}

static void
test_model_host_parsed(void **state)
{
	struct fp_model *m = *state;
	const struct fp_model_host *h = fp_model_host_find(m, "compute-01");

	assert_non_null(h);
	assert_int_equal(h->revision, 1);
	assert_int_equal(h->n_addrs, 2);
	assert_ip(&h->vtep_addrs[0], "10.20.0.11");
	assert_ip(&h->vtep_addrs[1], "fd00:20::11");
	assert_int_equal(h->has_mac, 1);
	assert_mac(h->mac, "02:00:00:00:01:01");

	h = fp_model_host_find(m, "compute-02");
	assert_non_null(h);
	assert_int_equal(h->n_addrs, 1);
	assert_int_equal(h->has_mac, 0);
	assert_null(fp_model_host_find(m, "compute-03"));
}

/* ---------------------------------------------------------------------
 * Routers, provider networks, and the lookups (routed.json)
 */

static struct fp_model *
load_routed(void)
{
	return load_snap("routed.json");
}

static void
test_model_routed_parsed(void **state)
{
	struct fp_model *m = load_routed();
	const struct fp_model_host *h = fp_model_host_find(m, "hv1");
	const struct fp_model_subnet *s;
	const struct fp_model_network *n;
	const struct fp_model_router *r;
	const struct fp_model_port *p;
	const struct fp_model_floatingip *f;

	(void)state;
	assert_int_equal(h->n_bridges, 2);
	assert_string_equal(h->bridges[0].physnet, "physnet1");
	assert_string_equal(h->bridges[0].port, "vm2");
	assert_string_equal(fp_model_host_bridge(h, "extnet"), "uplink");
	assert_null(fp_model_host_bridge(h, "physnet2"));
	assert_int_equal(fp_model_host_find(m, "hv2")->n_bridges, 0);

	n = fp_model_network_find(m, "net-vlan");
	assert_int_equal(n->type, FP_MODEL_NET_VLAN);
	assert_int_equal(n->segmentation_id, 42);
	assert_string_equal(n->physnet, "physnet1");
	assert_int_equal(n->mtu, 1500);
	n = fp_model_network_find(m, "net-flat");
	assert_int_equal(n->type, FP_MODEL_NET_FLAT);
	assert_int_equal(n->external, 1);
	assert_int_equal(fp_model_network_find(m, "net-b")->encap, FP_ENCAP_GENEVE);

	s = fp_model_subnet_find(m, "sub-a");
	assert_int_equal(s->enable_dhcp, 1);
	assert_int_equal(s->n_dns, 1);
	assert_ip(&s->dns[0], "10.0.9.53");
	assert_int_equal(s->n_host_routes, 1);
	assert_ip(&s->host_routes[0].destination, "10.8.0.0");
	assert_int_equal(s->host_routes[0].plen, 96 + 16);
	assert_ip(&s->host_routes[0].nexthop, "10.1.0.254");
	assert_int_equal(s->ra_mode, FP_MODEL_V6_NONE);
	s = fp_model_subnet_find(m, "sub-a6");
	assert_int_equal(s->ra_mode, FP_MODEL_V6_SLAAC);
	assert_int_equal(s->addr_mode, FP_MODEL_V6_SLAAC);
	assert_int_equal(fp_model_subnet_find(m, "sub-b")->enable_dhcp, 0);
	assert_int_equal(fp_model_subnet_find(m, "sub-vlan")->has_gateway, 0);

	p = fp_model_port_find(m, "rif-a");
	assert_int_equal(p->owner, FP_MODEL_OWNER_ROUTER_INTERFACE_DISTRIBUTED);
	assert_string_equal(p->device_id, "r1");
	assert_true(fp_model_port_is_router_iface(p));
	p = fp_model_port_find(m, "rif-b");
	assert_int_equal(p->owner, FP_MODEL_OWNER_ROUTER_INTERFACE);
	p = fp_model_port_find(m, "rgw-1");
	assert_int_equal(p->owner, FP_MODEL_OWNER_ROUTER_GATEWAY);
	assert_false(fp_model_port_is_router_iface(p));
	assert_true(fp_model_port_is_router_port(p));
	p = fp_model_port_find(m, "dhcp-a");
	assert_int_equal(p->owner, FP_MODEL_OWNER_DHCP);
	assert_false(fp_model_port_is_router_port(p));
	p = fp_model_port_find(m, "vm-a1");
	assert_int_equal(p->owner, FP_MODEL_OWNER_VM);
	assert_string_equal(p->device_id, "5e3898d7-11be-483e-9732-b2f5eccd2b2e");

	r = fp_model_router_find(m, "r1");
	assert_int_equal(r->has_gateway, 1);
	assert_string_equal(r->ext_network_id, "net-ext");
	assert_int_equal(r->enable_snat, 0);
	assert_int_equal(r->distributed, 1);
	assert_int_equal(r->n_ext_ips, 1);
	assert_string_equal(r->ext_ips[0].subnet_id, "sub-ext");
	assert_ip(&r->ext_ips[0].ip, "172.24.4.10");

	f = fp_model_floatingip_find(m, "fip-1");
	assert_string_equal(f->router_id, "r1");
	fp_model_free(m);
}

/* Defaults, and the IPv6 modes as Neutron combines them. */
static void
test_model_subnet_v6_modes(void **state)
{
	static const struct {
		const char *extra; /* members added to an IPv6 subnet */
		int status;	   /* 0: accepted */
		const char *field; /* refused: the field */
	} cases[] = {
		{ "", 0, NULL },
		{ ", \"ipv6_ra_mode\": \"slaac\"", 0, NULL },
		{ ", \"ipv6_address_mode\": \"dhcpv6-stateful\"", 0, NULL },
		{ ", \"ipv6_ra_mode\": \"dhcpv6-stateless\", \"ipv6_address_mode\": "
		  "\"dhcpv6-stateless\"",
		  0, NULL },
		{ ", \"ipv6_ra_mode\": \"slaac\", \"ipv6_address_mode\": \"dhcpv6-stateful\"", 422,
		  "subnet.ipv6_address_mode" },
		{ ", \"ipv6_address_mode\": \"slaac\", \"enable_dhcp\": false", 422,
		  "subnet.ipv6_address_mode" },
		{ ", \"ipv6_ra_mode\": null, \"ipv6_address_mode\": null, \"enable_dhcp\": false",
		  0, NULL },
		{ ", \"ipv6_address_mode\": \"SLAAC\"", 422, "subnet.ipv6_address_mode" },
	};
	struct fp_model *m = *state;
	const struct fp_model_subnet *s;
	struct fp_model_err err;
	char body[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"id\": \"s6\", \"network_id\": \"" NET6_ID "\", \"ip_version\": 6,"
			 " \"cidr\": \"fd00:77::/64\"%s}",
			 cases[i].extra);
		rc = put_text(m, FP_MODEL_SUBNET, NULL, body, &err);
		if (cases[i].status == 0 && rc != 0)
			fail_msg("cases[%zu]: %d %s: %s", i, err.status, err.field, err.reason);
		if (cases[i].status != 0 && (rc != -EINVAL || err.status != cases[i].status ||
					     strcmp(err.field, cases[i].field) != 0))
			fail_msg("cases[%zu]: rc %d, %d %s: %s", i, rc, err.status, err.field,
				 err.reason);
	}
	/* Not a /64: no EUI-64 addresses, so no slaac or stateless. */
	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s7\", \"network_id\": \"" NET6_ID "\","
				  " \"ip_version\": 6, \"cidr\": \"fd00:78::/80\","
				  " \"ipv6_ra_mode\": \"slaac\"}",
				  &err),
			 -EINVAL);
	assert_string_equal(err.field, "subnet.ipv6_ra_mode");
	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s7\", \"network_id\": \"" NET6_ID "\","
				  " \"ip_version\": 6, \"cidr\": \"fd00:78::/80\","
				  " \"ipv6_address_mode\": \"dhcpv6-stateful\","
				  " \"gateway_ip\": \"fd00:78::\"}",
				  &err),
			 -EINVAL);
	assert_string_equal(err.field, "subnet.gateway_ip");
	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s7\", \"network_id\": \"" NET6_ID "\","
				  " \"ip_version\": 6, \"cidr\": \"fd00:78::/80\","
				  " \"ipv6_address_mode\": \"dhcpv6-stateful\"}",
				  &err),
			 0);
	s = fp_model_subnet_find(m, "s7");
	assert_int_equal(s->addr_mode, FP_MODEL_V6_DHCPV6_STATEFUL);
	assert_int_equal(s->ra_mode, FP_MODEL_V6_NONE);
	assert_int_equal(s->enable_dhcp, 1);
	assert_int_equal(s->n_dns, 0);
	assert_int_equal(s->n_host_routes, 0);
	/* /31 and /32: the gateway may be the first address. */
	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s8\", \"network_id\": \"" NET_ID "\","
				  " \"ip_version\": 4, \"cidr\": \"10.7.0.0/31\","
				  " \"gateway_ip\": \"10.7.0.0\"}",
				  &err),
			 0);
}

/* A router's port must name its router; other ports' device_ids are kept
 * up to Neutron's 255 characters, longer ones refused (422).
 */
static void
test_model_port_owner(void **state)
{
	struct fp_model *m = *state;
	struct fp_model_err err;
	char body[1024];
	json_t *id = long_string(200, 'd');

	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"rp\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:71\","
				  " \"device_owner\": \"network:router_gateway\"}",
				  &err),
			 -EINVAL);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.field, "port.device_id");
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"rp\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:71\","
				  " \"device_owner\": \"network:router_centralized_snat\","
				  " \"device_id\": \"a b\"}",
				  &err),
			 -EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "port.device_id");
	snprintf(body, sizeof(body),
		 "{\"id\": \"vp\", \"network_id\": \"" NET_ID "\","
		 " \"mac_address\": \"fa:16:3e:00:00:72\", \"device_owner\": \"compute:az1\","
		 " \"device_id\": \"%s\"}",
		 json_string_value(id));
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL, body, &err), 0);
	assert_string_equal(fp_model_port_find(m, "vp")->device_id, json_string_value(id));
	assert_int_equal(fp_model_port_find(m, "vp")->owner, FP_MODEL_OWNER_VM);
	json_decref(id);
	id = long_string(256, 'd');
	snprintf(body, sizeof(body),
		 "{\"id\": \"vq\", \"network_id\": \"" NET_ID "\","
		 " \"mac_address\": \"fa:16:3e:00:00:75\", \"device_owner\": \"compute:az1\","
		 " \"device_id\": \"%s\"}",
		 json_string_value(id));
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL, body, &err), -EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "port.device_id");
	assert_non_null(strstr(err.reason, "longer than 255"));
	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"hp\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:73\","
				  " \"device_owner\": \"network:ha_router_replicated_interface\","
				  " \"device_id\": \"r-ha\"}",
				  &err),
			 0);
	assert_int_equal(fp_model_port_find(m, "hp")->owner, FP_MODEL_OWNER_ROUTER_HA_INTERFACE);
	json_decref(id);
}

/* project_id, else tenant_id: kept for the metadata proxy's X-Tenant-ID;
 * the two must agree; up to 255 characters (a keystone id may be 64).
 */
static void
test_model_port_project(void **state)
{
	static const struct {
		const char *fields; /* the port's project fields */
		int rc;		    /* fp_model_put() */
		const char *want;   /* project_id kept */
	} cases[] = {
		{ "", 0, "" },
		{ ", \"project_id\": null", 0, "" },
		{ ", \"project_id\": \"p1\"", 0, "p1" },
		{ ", \"tenant_id\": \"t1\"", 0, "t1" },
		{ ", \"project_id\": \"p1\", \"tenant_id\": \"p1\"", 0, "p1" },
		{ ", \"project_id\": \"p1\", \"tenant_id\": \"t1\"", -EINVAL, NULL },
		{ ", \"project_id\": 7", -EINVAL, NULL },
		{ ", \"project_id\": \"0123456789012345678901234567890123456789012345678901234567890123\"",
		  0, "0123456789012345678901234567890123456789012345678901234567890123" },
	};
	struct fp_model *m = *state;
	struct fp_model_err err;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(body, sizeof(body),
			 "{\"id\": \"pp\", \"network_id\": \"" NET_ID "\","
			 " \"mac_address\": \"fa:16:3e:00:00:74\"%s}",
			 cases[i].fields);
		rc = put_text(m, FP_MODEL_PORT, NULL, body, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %d (%s: %s), want %d", i, rc, err.field, err.reason,
				 cases[i].rc);
		if (rc == 0)
			assert_string_equal(fp_model_port_find(m, "pp")->project_id, cases[i].want);
		else
			assert_int_equal(err.status, i == 5 ? 422 : 400);
	}
}

static void
test_model_routed_lookups(void **state)
{
	struct fp_model *m = load_routed();
	const struct fp_model_subnet *subs[4] = { NULL };
	const struct fp_model_port *ports[4] = { NULL }, *iface;
	const struct fp_model_floatingip *fips[2] = { NULL };
	const struct fp_model_router *routers[2] = { NULL };
	struct fp_model_err err;
	struct fp_ip ip;

	(void)state;
	assert_int_equal(fp_model_router_ifaces(m, "r1", ports, 4), 2);
	assert_string_equal(ports[0]->id, "rif-a");
	assert_string_equal(ports[1]->id, "rif-b");
	ports[0] = NULL;
	assert_int_equal(fp_model_router_ifaces(m, "r1", ports, 1), 2);
	assert_string_equal(ports[0]->id, "rif-a");
	assert_int_equal(fp_model_router_ifaces(m, "r2", NULL, 0), 0);

	assert_int_equal(fp_model_router_subnets(m, "r1", subs, 4), 3);
	assert_string_equal(subs[0]->id, "sub-a");
	assert_string_equal(subs[1]->id, "sub-a6");
	assert_string_equal(subs[2]->id, "sub-b");
	assert_int_equal(fp_model_network_subnets(m, "net-a", subs, 4), 2);
	assert_string_equal(subs[1]->id, "sub-a6");

	assert_int_equal(fp_model_network_ports(m, "net-a", FP_MODEL_OWNER_DHCP, ports, 4), 1);
	assert_string_equal(ports[0]->id, "dhcp-a");
	assert_int_equal(fp_model_network_ports(m, "net-a", FP_MODEL_OWNER_MAX, ports, 4), 3);
	assert_string_equal(ports[0]->id, "dhcp-a");
	assert_string_equal(ports[1]->id, "rif-a");
	assert_string_equal(ports[2]->id, "vm-a1");
	assert_int_equal(fp_model_network_ports(m, "net-b", FP_MODEL_OWNER_DHCP, NULL, 0), 0);
	assert_int_equal(fp_model_network_routers(m, "net-ext", routers, 2), 1);
	assert_string_equal(routers[0]->id, "r1");
	assert_int_equal(fp_model_network_routers(m, "net-a", routers, 2), 0);

	assert_string_equal(fp_model_router_gw_port(m, "r1")->id, "rgw-1");
	assert_null(fp_model_router_gw_port(m, "r2"));

	assert_string_equal(fp_model_subnet_router(m, "sub-b", &iface)->id, "r1");
	assert_string_equal(iface->id, "rif-b");
	assert_null(fp_model_subnet_router(m, "sub-ext", &iface)); /* the gateway's */
	assert_null(iface);
	assert_null(fp_model_subnet_router(m, "sub-vlan", NULL));
	assert_null(fp_model_subnet_router(m, "nope", NULL));

	/* The interface holding the gateway address wins over one (of
	 * another router) that sorts first.
	 */
	assert_int_equal(put_text(m, FP_MODEL_ROUTER, NULL, "{\"id\": \"r0\"}", &err), 0);
	assert_int_equal(
		put_text(m, FP_MODEL_PORT, NULL,
			 "{\"id\": \"aaa\", \"network_id\": \"net-b\","
			 " \"mac_address\": \"fa:16:3e:00:0b:aa\","
			 " \"device_owner\": \"network:router_interface\","
			 " \"device_id\": \"r0\", \"fixed_ips\": [{\"subnet_id\": \"sub-b\","
			 " \"ip_address\": \"10.2.0.99\"}]}",
			 &err),
		0);
	assert_string_equal(fp_model_subnet_router(m, "sub-b", &iface)->id, "r1");
	assert_string_equal(iface->id, "rif-b");
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, "rif-b", &err), 0);
	assert_string_equal(fp_model_subnet_router(m, "sub-b", &iface)->id, "r0");
	assert_string_equal(iface->id, "aaa");

	assert_int_equal(fp_model_port_fips(m, "vm-a1", fips, 2), 1);
	assert_string_equal(fips[0]->id, "fip-1");
	assert_int_equal(fp_model_port_fips(m, "vm-b1", fips, 2), 0);
	assert_int_equal(fp_model_fip_fixed_ip(m, fips[0], &ip), 0);
	assert_ip(&ip, "10.1.0.5");
	/* Without fixed_ip_address: the port's only IPv4 address. */
	assert_int_equal(
		put_text(m, FP_MODEL_FLOATINGIP, NULL,
			 "{\"id\": \"fip-2\", \"floating_network_id\": \"net-ext\","
			 " \"floating_ip_address\": \"172.24.4.21\", \"port_id\": \"vm-a1\"}",
			 &err),
		0);
	assert_int_equal(fp_model_fip_fixed_ip(m, fp_model_floatingip_find(m, "fip-2"), &ip), 0);
	assert_ip(&ip, "10.1.0.5");
	assert_int_equal(fp_model_port_fips(m, "vm-a1", fips, 2), 2);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, "vm-a1", &err), 0);
	assert_int_equal(fp_model_fip_fixed_ip(m, fips[0], &ip), -ENOENT);
	fp_model_free(m);
}

/* What fp_model_check() reported. */
struct faults {
	size_t n;	    /* reported */
	char what[16][200]; /* "<coll> <id> <field>: <reason>" */
};

static int
fault_note(void *arg, enum fp_model_coll coll, const char *id, const char *field,
	   const char *reason)
{
	struct faults *f = arg;

	if (f->n < 16)
		snprintf(f->what[f->n], sizeof(f->what[f->n]), "%s %s %s: %s",
			 fp_model_coll_singular[coll], id, field, reason);
	f->n++;
	return 0;
}

/* Was "<coll> <id> <field>" reported? */
static int
faulted(const struct faults *f, const char *prefix)
{
	size_t i;

	for (i = 0; i < f->n && i < 16; i++)
		if (strncmp(f->what[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static void
faults_print(const struct faults *f)
{
	size_t i;

	for (i = 0; i < f->n && i < 16; i++)
		print_error("  %s\n", f->what[i]);
}

static void
test_model_check_references(void **state)
{
	/* One change (PUT of a body, or DELETE when body is NULL) and a
	 * fault it must cause.
	 */
	static const struct {
		enum fp_model_coll coll; /* what is changed */
		const char *id;		 /* its id */
		const char *body;	 /* new body, NULL: delete */
		const char *fault;	 /* "<coll> <id> <field>" reported */
	} cases[] = {
		{ FP_MODEL_PORT, "rif-b",
		  "{\"network_id\": \"net-b\", \"mac_address\": \"fa:16:3e:00:0b:fe\","
		  " \"device_owner\": \"network:router_interface\", \"device_id\": \"r9\","
		  " \"fixed_ips\": [{\"subnet_id\": \"sub-b\", \"ip_address\": \"10.2.0.1\"}]}",
		  "port rif-b device_id" },
		{ FP_MODEL_PORT, "rif-b",
		  "{\"network_id\": \"net-b\", \"mac_address\": \"fa:16:3e:00:0b:fe\","
		  " \"device_owner\": \"network:router_interface\", \"device_id\": \"r1\","
		  " \"fixed_ips\": [{\"subnet_id\": \"sub-b\", \"ip_address\": \"10.2.0.7\"}]}",
		  "port rif-b fixed_ips[0].ip_address" },
		{ FP_MODEL_PORT, "rif-b",
		  "{\"network_id\": \"net-b\", \"mac_address\": \"fa:16:3e:00:0b:fe\","
		  " \"device_owner\": \"network:router_interface\", \"device_id\": \"r1\"}",
		  "port rif-b fixed_ips" },
		{ FP_MODEL_SUBNET, "sub-b",
		  "{\"network_id\": \"net-b\", \"ip_version\": 4, \"cidr\": \"10.2.0.0/24\"}",
		  "port rif-b fixed_ips[0].ip_address" },
		{ FP_MODEL_SUBNET, "sub-b", NULL, "port rif-b fixed_ips[0].subnet_id" },
		{ FP_MODEL_SUBNET, "sub-b", NULL, "router r1 routes[0].nexthop" },
		{ FP_MODEL_SUBNET, "sub-a2",
		  "{\"network_id\": \"net-a\", \"ip_version\": 4, \"cidr\": \"10.1.1.0/24\","
		  " \"gateway_ip\": \"10.1.1.1\"}",
		  NULL },
		{ FP_MODEL_PORT, "rif-a",
		  "{\"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:0a:fe\","
		  " \"device_owner\": \"network:router_interface_distributed\","
		  " \"device_id\": \"r1\", \"fixed_ips\": ["
		  "{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.1.0.1\"},"
		  "{\"subnet_id\": \"sub-a2\", \"ip_address\": \"10.1.1.1\"}]}",
		  "port rif-a fixed_ips[1].subnet_id" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-flat\"}}",
		  "port rgw-1 network_id" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-flat\"}}",
		  "floatingip fip-1 router_id" },
		{ FP_MODEL_ROUTER, "r1", "{\"external_gateway_info\": {\"network_id\": \"nope\"}}",
		  "router r1 external_gateway_info.network_id" },
		{ FP_MODEL_ROUTER, "r1", "{\"external_gateway_info\": {\"network_id\": \"net-a\"}}",
		  "router r1 external_gateway_info.network_id" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-ext\","
		  " \"external_fixed_ips\": [{\"subnet_id\": \"sub-b\","
		  " \"ip_address\": \"10.2.0.9\"}]}}",
		  "router r1 external_gateway_info.external_fixed_ips[0]" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-ext\","
		  " \"external_fixed_ips\": [{\"subnet_id\": \"sub-ext\","
		  " \"ip_address\": \"172.25.0.9\"}]}}",
		  "router r1 external_gateway_info.external_fixed_ips[0]" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-ext\","
		  " \"external_fixed_ips\": [{\"subnet_id\": \"nope\","
		  " \"ip_address\": \"172.24.4.9\"}]}}",
		  "router r1 external_gateway_info.external_fixed_ips[0]" },
		{ FP_MODEL_ROUTER, "r1",
		  "{\"external_gateway_info\": {\"network_id\": \"net-ext\"},"
		  " \"routes\": [{\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.7.0.1\"}]}",
		  "router r1 routes[0].nexthop" },
		{ FP_MODEL_NETWORK, "net-ext",
		  "{\"provider:network_type\": \"vxlan\", \"provider:segmentation_id\": 300}",
		  "floatingip fip-1 floating_network_id" },
		{ FP_MODEL_FLOATINGIP, "fip-1",
		  "{\"floating_network_id\": \"net-ext\", \"floating_ip_address\": \"172.25.0.1\","
		  " \"port_id\": \"vm-a1\", \"router_id\": \"r1\"}",
		  "floatingip fip-1 floating_ip_address" },
		{ FP_MODEL_FLOATINGIP, "fip-1",
		  "{\"floating_network_id\": \"net-ext\", \"floating_ip_address\": \"172.24.4.20\","
		  " \"port_id\": \"vm-a1\"}",
		  "floatingip fip-1 router_id" },
		{ FP_MODEL_FLOATINGIP, "fip-1",
		  "{\"floating_network_id\": \"net-ext\", \"floating_ip_address\": \"172.24.4.20\","
		  " \"port_id\": \"vm-a1\", \"router_id\": \"r9\"}",
		  "floatingip fip-1 router_id" },
		{ FP_MODEL_PORT, "rif-a", NULL, "floatingip fip-1 router_id" },
		{ FP_MODEL_PORT, "vm-a1",
		  "{\"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:0a:01\","
		  " \"fixed_ips\": [{\"subnet_id\": \"sub-a\", \"ip_address\": \"10.1.0.6\"}]}",
		  "floatingip fip-1 fixed_ip_address" },
		{ FP_MODEL_PORT, "vm-a1", NULL, "floatingip fip-1 port_id" },
	};
	struct fp_model *base = load_routed(), *m;
	struct fp_model_err err;
	struct faults f;
	size_t i, n_bad = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(fp_model_check(base, fault_note, &f), 0);
	if (f.n != 0)
		faults_print(&f);
	assert_int_equal(f.n, 0);
	m = NULL;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* A case without a fault prepares the next one. */
		if (i == 0 || cases[i - 1].fault != NULL) {
			fp_model_free(m);
			m = fp_model_clone(base);
		}
		if (cases[i].body == NULL)
			assert_int_equal(fp_model_delete(m, cases[i].coll, cases[i].id, &err), 0);
		else if (put_text(m, cases[i].coll, cases[i].id, cases[i].body, &err) < 0)
			fail_msg("cases[%zu]: %d %s: %s", i, err.status, err.field, err.reason);
		if (cases[i].fault == NULL)
			continue;
		memset(&f, 0, sizeof(f));
		assert_int_equal(fp_model_check(m, fault_note, &f), 0);
		if (!faulted(&f, cases[i].fault)) {
			print_error("cases[%zu]: no \"%s\" among %zu faults:\n", i, cases[i].fault,
				    f.n);
			faults_print(&f);
			n_bad++;
		}
	}
	fp_model_free(m);
	fp_model_free(base);
	assert_int_equal(n_bad, 0);
}

/* A reporter's error stops the walk and is returned. */
static int
fault_stop(void *arg, enum fp_model_coll coll, const char *id, const char *field,
	   const char *reason)
{
	(void)coll;
	(void)id;
	(void)field;
	(void)reason;
	++*(int *)arg;
	return -ENOMEM;
}

static void
test_model_check_stops(void **state)
{
	struct fp_model *m = load_routed();
	struct fp_model_err err;
	int calls = 0;

	(void)state;
	assert_int_equal(fp_model_delete(m, FP_MODEL_SUBNET, "sub-b", &err), 0);
	assert_int_equal(fp_model_check(m, fault_stop, &calls), -ENOMEM);
	assert_int_equal(calls, 1);
	assert_int_equal(fp_model_check(NULL, fault_stop, &calls), 0);
	fp_model_free(m);
}

static void
test_model_unknown_fields_kept(void **state)
{
	struct fp_model *m = *state;
	json_t *res = load_res("network.json"), *stored;
	struct fp_model_err err;

	assert_int_equal(json_object_set_new(res, "x_future_extension",
					     json_pack("{s:[i,i], s:n}", "a", 1, 2, "b")),
			 0);
	assert_int_equal(json_object_set_new(res, "segments", json_array()), 0);
	assert_int_equal(fp_model_put(m, FP_MODEL_NETWORK, NET_ID, res, &err), 0);
	stored = fp_model_json(m, FP_MODEL_NETWORK, NET_ID);
	assert_true(json_equal(stored, res));
	assert_non_null(json_object_get(stored, "x_future_extension"));
	json_decref(res);
}

static void
test_model_limits_max_accepted(void **state)
{
	struct fp_model *m = *state;
	struct fp_model_err err;
	json_t *res;

	res = load_res("port.json");
	patch(res, "fixed_ips", make_list("FIXED", FP_MODEL_FIXED_IP_MAX));
	patch(res, "allowed_address_pairs", make_list("PAIRS", FP_MODEL_PAIR_MAX));
	patch(res, "security_groups", make_list("SGS", FP_MODEL_SG_MAX));
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, NULL, res, &err), 0);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->n_fixed_ips, FP_MODEL_FIXED_IP_MAX);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->n_pairs, FP_MODEL_PAIR_MAX);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->n_security_groups, FP_MODEL_SG_MAX);
	json_decref(res);

	res = load_res("router.json");
	patch(res, "routes", make_list("ROUTES", FP_MODEL_ROUTE_MAX));
	assert_int_equal(fp_model_put(m, FP_MODEL_ROUTER, NULL, res, &err), 0);
	assert_int_equal(fp_model_router_at(m, 0)->n_routes, FP_MODEL_ROUTE_MAX);
	json_decref(res);

	res = load_res("security_group.json");
	patch(res, "security_group_rules", make_list("RULES", FP_MODEL_RULE_MAX));
	assert_int_equal(fp_model_put(m, FP_MODEL_SECURITY_GROUP, NULL, res, &err), 0);
	assert_int_equal(fp_model_secgroup_find(m, SG_ID)->n_rules, FP_MODEL_RULE_MAX);
	json_decref(res);

	res = load_res("address_group.json");
	patch(res, "addresses", make_list("ADDRS", FP_MODEL_AGROUP_ADDR_MAX));
	assert_int_equal(fp_model_put(m, FP_MODEL_ADDRESS_GROUP, NULL, res, &err), 0);
	assert_int_equal(fp_model_addrgroup_find(m, AG_ID)->n_addrs, FP_MODEL_AGROUP_ADDR_MAX);
	json_decref(res);

	res = load_res("host.json");
	patch(res, "vtep_addresses", make_list("VTEP", FP_MODEL_HOST_ADDR_MAX));
	assert_int_equal(fp_model_put(m, FP_MODEL_HOST, NULL, res, &err), 0);
	assert_int_equal(fp_model_host_find(m, "compute-01")->n_addrs, FP_MODEL_HOST_ADDR_MAX);
	json_decref(res);

	/* The longest id, and the longest host name. */
	res = load_res("network.json");
	patch(res, "id", long_string(FP_MODEL_ID_SIZE - 1, 'n'));
	assert_int_equal(fp_model_put(m, FP_MODEL_NETWORK, NULL, res, &err), 0);
	json_decref(res);
	res = load_res("host.json");
	patch(res, "id", long_string(FP_NAME_SIZE - 1, 'h'));
	assert_int_equal(fp_model_put(m, FP_MODEL_HOST, NULL, res, &err), 0);
	json_decref(res);
	assert_int_equal(fp_model_count(m, FP_MODEL_NETWORK), 4);
	assert_int_equal(fp_model_count(m, FP_MODEL_HOST), 3);
}

/* ---------------------------------------------------------------------
 * Refused resources
 */

/* One bad input: a valid fixture with one member changed. */
struct bad_case {
	enum fp_model_coll coll; /* collection; base_fixture[] is the body */
	const char *path;	 /* member to change: "fixed_ips/1/ip_address" */
	const char *value;	 /* new JSON value or make_value() marker; NULL deletes */
	int status;		 /* expected err.status */
	const char *field;	 /* expected err.field */
};

#define N FP_MODEL_NETWORK
#define S FP_MODEL_SUBNET
#define P FP_MODEL_PORT
#define R FP_MODEL_ROUTER
#define F FP_MODEL_FLOATINGIP
#define G FP_MODEL_SECURITY_GROUP
#define H FP_MODEL_HOST
#define A FP_MODEL_ADDRESS_GROUP
#define RULE "security_group_rules"

static const struct bad_case bad_cases[] = {
	/* id, common to all */
	{ N, "id", NULL, 400, "network.id" },
	{ N, "id", "42", 400, "network.id" },
	{ N, "id", "null", 400, "network.id" },
	{ N, "id", "\"\"", 422, "network.id" },
	{ N, "id", "@LONG:64", 422, "network.id" },
	{ N, "id", "@LONG:1048576", 422, "network.id" },
	{ N, "id", "\"a/b\"", 422, "network.id" },
	{ N, "id", "\"a b\"", 422, "network.id" },
	{ N, "id", "@NUL", 422, "network.id" },
	{ P, "id", "[]", 400, "port.id" },
	{ H, "id", "@LONG:32", 422, "host.id" },
	{ H, "id", "\"compute 01\"", 422, "host.id" },
	{ H, "id", "\"compute:01\"", 422, "host.id" },
	{ N, "revision_number", "-1", 422, "network.revision_number" },
	{ N, "revision_number", "\"3\"", 400, "network.revision_number" },
	{ N, "revision_number", "1.5", 400, "network.revision_number" },
	{ N, "revision_number", "null", 400, "network.revision_number" },
	{ P, "revision_number", "{}", 400, "port.revision_number" },

	/* network */
	{ N, "provider:network_type", NULL, 400, "network.provider:network_type" },
	{ N, "provider:network_type", "null", 400, "network.provider:network_type" },
	{ N, "provider:network_type", "5", 400, "network.provider:network_type" },
	{ N, "provider:network_type", "\"\"", 422, "network.provider:network_type" },
	{ N, "provider:network_type", "\"VXLAN\"", 422, "network.provider:network_type" },
	{ N, "provider:network_type", "\"vxlan-gpe\"", 422, "network.provider:network_type" },
	{ N, "provider:network_type", "\"vlan\"", 400, "network.provider:physical_network" },
	{ N, "provider:network_type", "\"flat\"", 422, "network.provider:segmentation_id" },
	{ N, "provider:network_type", "\"local\"", 422, "network.provider:segmentation_id" },
	{ N, "provider:physical_network", "\"physnet1\"", 422,
	  "network.provider:physical_network" },
	{ N, "provider:physical_network", "5", 400, "network.provider:physical_network" },
	{ N, "router:external", "1", 400, "network.router:external" },
	{ N, "provider:segmentation_id", NULL, 400, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "null", 400, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "\"1001\"", 400, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "1001.0", 400, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "true", 400, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "0", 422, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "-1", 422, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "16777216", 422, "network.provider:segmentation_id" },
	{ N, "provider:segmentation_id", "9223372036854775807", 422,
	  "network.provider:segmentation_id" },
	{ N, "mtu", "67", 422, "network.mtu" },
	{ N, "mtu", "9001", 422, "network.mtu" },
	{ N, "mtu", "0", 422, "network.mtu" },
	{ N, "mtu", "\"1450\"", 400, "network.mtu" },
	{ N, "mtu", "null", 400, "network.mtu" },
	{ N, "port_security_enabled", "\"true\"", 400, "network.port_security_enabled" },
	{ N, "port_security_enabled", "1", 400, "network.port_security_enabled" },
	{ N, "port_security_enabled", "null", 400, "network.port_security_enabled" },
	{ N, "admin_state_up", "\"up\"", 400, "network.admin_state_up" },

	/* subnet */
	{ S, "network_id", NULL, 400, "subnet.network_id" },
	{ S, "network_id", "7", 400, "subnet.network_id" },
	{ S, "network_id", "\"\"", 422, "subnet.network_id" },
	{ S, "network_id", "\"no-such-network\"", 404, "subnet.network_id" },
	{ S, "ip_version", NULL, 400, "subnet.ip_version" },
	{ S, "ip_version", "\"4\"", 400, "subnet.ip_version" },
	{ S, "ip_version", "5", 422, "subnet.ip_version" },
	{ S, "ip_version", "7", 422, "subnet.ip_version" },
	{ S, "ip_version", "6", 422, "subnet.cidr" },
	{ S, "cidr", NULL, 400, "subnet.cidr" },
	{ S, "cidr", "10", 400, "subnet.cidr" },
	{ S, "cidr", "null", 400, "subnet.cidr" },
	{ S, "cidr", "\"\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"banana\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.1/24\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0/33\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0/\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0/-1\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0/24 \"", 422, "subnet.cidr" },
	{ S, "cidr", "\"10.0.0.0/0024\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"fd00::/64\"", 422, "subnet.cidr" },
	{ S, "cidr", "\"::ffff:10.0.0.0/120\"", 422, "subnet.cidr" },
	{ S, "cidr", "@LONG:100000", 422, "subnet.cidr" },
	{ S, "gateway_ip", "\"10.0.1.1\"", 422, "subnet.gateway_ip" },
	{ S, "gateway_ip", "\"fd00::1\"", 422, "subnet.gateway_ip" },
	{ S, "gateway_ip", "\"10.0.0.1/24\"", 422, "subnet.gateway_ip" },
	{ S, "gateway_ip", "\"10.0.0.256\"", 422, "subnet.gateway_ip" },
	{ S, "gateway_ip", "5", 400, "subnet.gateway_ip" },
	{ S, "gateway_ip", "{}", 400, "subnet.gateway_ip" },
	{ S, "gateway_ip", "\"10.0.0.0\"", 422, "subnet.gateway_ip" },
	{ S, "gateway_ip", "\"10.0.0.255\"", 422, "subnet.gateway_ip" },
	{ S, "host_routes", "{}", 400, "subnet.host_routes" },
	{ S, "host_routes", "@ROUTES:33", 422, "subnet.host_routes" },
	{ S, "host_routes", "[5]", 400, "subnet.host_routes[0]" },
	{ S, "host_routes", "[{\"destination\": \"10.9.0.0/16\"}]", 400,
	  "subnet.host_routes[0].nexthop" },
	{ S, "host_routes", "[{\"destination\": \"fd00:9::/64\", \"nexthop\": \"fd00::9\"}]", 422,
	  "subnet.host_routes[0].destination" },
	{ S, "host_routes",
	  "[{\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.0.0.9\"},"
	  " {\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.0.0.9\"}]",
	  422, "subnet.host_routes[1]" },
	{ S, "dns_nameservers", "\"8.8.8.8\"", 400, "subnet.dns_nameservers" },
	{ S, "dns_nameservers", "@DNS:9", 422, "subnet.dns_nameservers" },
	{ S, "dns_nameservers", "[\"x\"]", 422, "subnet.dns_nameservers[0]" },
	{ S, "dns_nameservers", "[8]", 400, "subnet.dns_nameservers[0]" },
	{ S, "dns_nameservers", "[\"8.8.8.8\", \"8.8.8.8\"]", 422, "subnet.dns_nameservers[1]" },
	{ S, "enable_dhcp", "1", 400, "subnet.enable_dhcp" },
	{ S, "ipv6_ra_mode", "\"slaac\"", 422, "subnet.ipv6_ra_mode" },
	{ S, "ipv6_address_mode", "\"dhcpv6-stateful\"", 422, "subnet.ipv6_address_mode" },
	{ S, "ipv6_address_mode", "\"stateful\"", 422, "subnet.ipv6_address_mode" },
	{ S, "ipv6_ra_mode", "6", 400, "subnet.ipv6_ra_mode" },

	/* port */
	{ P, "network_id", NULL, 400, "port.network_id" },
	{ P, "network_id", "null", 400, "port.network_id" },
	{ P, "network_id", "[]", 400, "port.network_id" },
	{ P, "network_id", "\"no-such-network\"", 404, "port.network_id" },
	{ P, "network_id", "@LONG:64", 422, "port.network_id" },
	{ P, "mac_address", NULL, 400, "port.mac_address" },
	{ P, "mac_address", "12", 400, "port.mac_address" },
	{ P, "mac_address", "\"\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"01:00:5e:00:00:01\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"ff:ff:ff:ff:ff:ff\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"00:00:00:00:00:00\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"fa:16:3e:23:fd\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"fa-16-3e-23-fd-d7\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"fa:16:3e:23:fd:d7x\"", 422, "port.mac_address" },
	{ P, "mac_address", "\"fa:16:3e:23:fd:g7\"", 422, "port.mac_address" },
	{ P, "mac_address", "@NUL", 422, "port.mac_address" },
	{ P, "mac_address", "@LONG:1048576", 422, "port.mac_address" },
	{ P, "admin_state_up", "\"true\"", 400, "port.admin_state_up" },
	{ P, "admin_state_up", "null", 400, "port.admin_state_up" },
	{ P, "port_security_enabled", "0", 400, "port.port_security_enabled" },
	{ P, "device_owner", "5", 400, "port.device_owner" },
	{ P, "device_owner", "@LONG:64", 422, "port.device_owner" },
	{ P, "device_id", "5", 400, "port.device_id" },
	{ P, "device_id", "{}", 400, "port.device_id" },
	{ P, "binding:host_id", "7", 400, "port.binding:host_id" },
	{ P, "binding:host_id", "@LONG:32", 422, "port.binding:host_id" },
	{ P, "binding:profile", "\"vm0\"", 400, "port.binding:profile" },
	{ P, "binding:profile", "[]", 400, "port.binding:profile" },
	{ P, "binding:profile/flowplane_port", "3", 400, "port.binding:profile.flowplane_port" },
	{ P, "binding:profile/flowplane_port", "@LONG:32", 422,
	  "port.binding:profile.flowplane_port" },
	{ P, "fixed_ips", "{}", 400, "port.fixed_ips" },
	{ P, "fixed_ips", "\"10.0.0.5\"", 400, "port.fixed_ips" },
	{ P, "fixed_ips", "@FIXED:17", 422, "port.fixed_ips" },
	{ P, "fixed_ips/0", "\"10.0.0.5\"", 400, "port.fixed_ips[0]" },
	{ P, "fixed_ips/1", "null", 400, "port.fixed_ips[1]" },
	{ P, "fixed_ips/0/subnet_id", NULL, 400, "port.fixed_ips[0].subnet_id" },
	{ P, "fixed_ips/0/subnet_id", "5", 400, "port.fixed_ips[0].subnet_id" },
	{ P, "fixed_ips/0/subnet_id", "\"no-such-subnet\"", 404, "port.fixed_ips[0].subnet_id" },
	{ P, "fixed_ips/1/subnet_id", "\"" SUB6_ID "\"", 422, "port.fixed_ips[1].subnet_id" },
	{ P, "fixed_ips/0/ip_address", NULL, 400, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/0/ip_address", "10", 400, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/0/ip_address", "\"300.0.0.1\"", 422, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/0/ip_address", "\"10.0.0.5/32\"", 422, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/0/ip_address", "\"10.0.1.5\"", 422, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/0/ip_address", "\"fe80::1%eth0\"", 422, "port.fixed_ips[0].ip_address" },
	{ P, "fixed_ips/1/ip_address", "\"fd00:3::5\"", 422, "port.fixed_ips[1].ip_address" },
	{ P, "fixed_ips/1/ip_address", "\"10.0.0.6\"", 422, "port.fixed_ips[1].ip_address" },
	{ P, "fixed_ips/1", "{\"subnet_id\": \"" SUB4_ID "\", \"ip_address\": \"10.0.0.5\"}", 422,
	  "port.fixed_ips[1].ip_address" },
	{ P, "allowed_address_pairs", "{}", 400, "port.allowed_address_pairs" },
	{ P, "allowed_address_pairs", "@PAIRS:17", 422, "port.allowed_address_pairs" },
	{ P, "allowed_address_pairs/0", "5", 400, "port.allowed_address_pairs[0]" },
	{ P, "allowed_address_pairs/0/ip_address", NULL, 400,
	  "port.allowed_address_pairs[0].ip_address" },
	{ P, "allowed_address_pairs/0/ip_address", "null", 400,
	  "port.allowed_address_pairs[0].ip_address" },
	{ P, "allowed_address_pairs/0/ip_address", "\"10.0.0.0/40\"", 422,
	  "port.allowed_address_pairs[0].ip_address" },
	{ P, "allowed_address_pairs/2/ip_address", "\"x\"", 422,
	  "port.allowed_address_pairs[2].ip_address" },
	{ P, "allowed_address_pairs/1/mac_address", "\"01:00:00:00:00:01\"", 422,
	  "port.allowed_address_pairs[1].mac_address" },
	{ P, "allowed_address_pairs/1/mac_address", "5", 400,
	  "port.allowed_address_pairs[1].mac_address" },
	{ P, "security_groups", "\"" SG_ID "\"", 400, "port.security_groups" },
	{ P, "security_groups", "@SGS:17", 422, "port.security_groups" },
	{ P, "security_groups/0", "5", 400, "port.security_groups[0]" },
	{ P, "security_groups/0", "\"\"", 422, "port.security_groups[0]" },
	{ P, "security_groups", "[\"a\", \"b\", \"a\"]", 422, "port.security_groups[2]" },

	/* router */
	{ R, "external_gateway_info/enable_snat", "1", 400,
	  "router.external_gateway_info.enable_snat" },
	{ R, "external_gateway_info/external_fixed_ips", "{}", 400,
	  "router.external_gateway_info.external_fixed_ips" },
	{ R, "external_gateway_info/external_fixed_ips", "@EXTIPS:9", 422,
	  "router.external_gateway_info.external_fixed_ips" },
	{ R, "external_gateway_info/external_fixed_ips/0", "5", 400,
	  "router.external_gateway_info.external_fixed_ips[0]" },
	{ R, "external_gateway_info/external_fixed_ips/0/subnet_id", NULL, 400,
	  "router.external_gateway_info.external_fixed_ips[0].subnet_id" },
	{ R, "external_gateway_info/external_fixed_ips/0/ip_address", NULL, 400,
	  "router.external_gateway_info.external_fixed_ips[0].ip_address" },
	{ R, "external_gateway_info/external_fixed_ips/0/ip_address", "\"x\"", 422,
	  "router.external_gateway_info.external_fixed_ips[0].ip_address" },
	{ R, "external_gateway_info/external_fixed_ips",
	  "[{\"subnet_id\": \"s\", \"ip_address\": \"172.24.4.6\"},"
	  " {\"subnet_id\": \"s\", \"ip_address\": \"172.24.4.6\"}]",
	  422, "router.external_gateway_info.external_fixed_ips[1].ip_address" },
	{ R, "distributed", "\"yes\"", 400, "router.distributed" },
	{ R, "routes",
	  "[{\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.0.0.10\"},"
	  " {\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.0.0.10\"}]",
	  422, "router.routes[1]" },
	{ R, "external_gateway_info", "\"ext\"", 400, "router.external_gateway_info" },
	{ R, "external_gateway_info", "[]", 400, "router.external_gateway_info" },
	{ R, "external_gateway_info/network_id", NULL, 400,
	  "router.external_gateway_info.network_id" },
	{ R, "external_gateway_info/network_id", "5", 400,
	  "router.external_gateway_info.network_id" },
	{ R, "routes", "{}", 400, "router.routes" },
	{ R, "routes", "@ROUTES:65", 422, "router.routes" },
	{ R, "routes/0", "\"x\"", 400, "router.routes[0]" },
	{ R, "routes/0/destination", NULL, 400, "router.routes[0].destination" },
	{ R, "routes/0/destination", "\"192.168.100.0\"", 422, "router.routes[0].destination" },
	{ R, "routes/1/destination", "\"bad\"", 422, "router.routes[1].destination" },
	{ R, "routes/0/nexthop", "\"fd00::1\"", 422, "router.routes[0].nexthop" },
	{ R, "routes/0/nexthop", "\"10.0.0.10/32\"", 422, "router.routes[0].nexthop" },
	{ R, "routes/1/nexthop", NULL, 400, "router.routes[1].nexthop" },
	{ R, "admin_state_up", "1", 400, "router.admin_state_up" },

	/* floatingip */
	{ F, "floating_network_id", NULL, 400, "floatingip.floating_network_id" },
	{ F, "floating_network_id", "\"no-such-net\"", 404, "floatingip.floating_network_id" },
	{ F, "floating_ip_address", NULL, 400, "floatingip.floating_ip_address" },
	{ F, "floating_ip_address", "5", 400, "floatingip.floating_ip_address" },
	{ F, "floating_ip_address", "\"x\"", 422, "floatingip.floating_ip_address" },
	{ F, "port_id", "\"no-such-port\"", 404, "floatingip.port_id" },
	{ F, "port_id", "5", 400, "floatingip.port_id" },
	{ F, "port_id", "null", 422, "floatingip.fixed_ip_address" },
	{ F, "fixed_ip_address", "\"10.0.0.99\"", 422, "floatingip.fixed_ip_address" },
	{ F, "fixed_ip_address", "[]", 400, "floatingip.fixed_ip_address" },
	{ F, "router_id", "5", 400, "floatingip.router_id" },
	{ F, "floating_ip_address", "\"fd00::5\"", 422, "floatingip.floating_ip_address" },
	{ F, "fixed_ip_address", "\"fd00::5\"", 422, "floatingip.fixed_ip_address" },

	/* security_group */
	{ G, RULE, "{}", 400, "security_group.security_group_rules" },
	{ G, RULE, "@RULES:257", 422, "security_group.security_group_rules" },
	{ G, RULE "/0", "5", 400, "security_group.security_group_rules[0]" },
	{ G, RULE "/0/id", NULL, 400, "security_group.security_group_rules[0].id" },
	{ G, RULE "/1/id", "\"" RULE0_ID "\"", 422, "security_group.security_group_rules[1].id" },
	{ G, RULE "/0/security_group_id", "\"other\"", 422,
	  "security_group.security_group_rules[0].security_group_id" },
	{ G, RULE "/0/direction", NULL, 400, "security_group.security_group_rules[0].direction" },
	{ G, RULE "/0/direction", "5", 400, "security_group.security_group_rules[0].direction" },
	{ G, RULE "/0/direction", "\"in\"", 422,
	  "security_group.security_group_rules[0].direction" },
	{ G, RULE "/0/ethertype", "\"ipv4\"", 422,
	  "security_group.security_group_rules[0].ethertype" },
	{ G, RULE "/0/ethertype", "4", 400, "security_group.security_group_rules[0].ethertype" },
	{ G, RULE "/3/protocol", "\"tcpx\"", 422,
	  "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "\"\"", 422, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "\"256\"", 422,
	  "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "\"-6\"", 422, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "256", 422, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "-1", 422, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "true", 400, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "{}", 400, "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/protocol", "\"ipv6-icmp\"", 422,
	  "security_group.security_group_rules[3].protocol" },
	{ G, RULE "/3/port_range_min", "70000", 422,
	  "security_group.security_group_rules[3].port_range_min" },
	{ G, RULE "/3/port_range_min", "-1", 422,
	  "security_group.security_group_rules[3].port_range_min" },
	{ G, RULE "/3/port_range_min", "\"22\"", 400,
	  "security_group.security_group_rules[3].port_range_min" },
	{ G, RULE "/3/port_range_max", "21", 422,
	  "security_group.security_group_rules[3].port_range_max" },
	{ G, RULE "/0/port_range_min", "22", 422,
	  "security_group.security_group_rules[0].port_range_min" },
	{ G, RULE "/4/port_range_min", "256", 422,
	  "security_group.security_group_rules[4].port_range_min" },
	{ G, RULE "/4/port_range_max", "300", 422,
	  "security_group.security_group_rules[4].port_range_max" },
	{ G, RULE "/5/port_range_max", "0", 422,
	  "security_group.security_group_rules[5].port_range_max" },
	{ G, RULE "/7/port_range_min", "1", 422,
	  "security_group.security_group_rules[7].port_range_min" },
	{ G, RULE "/3/remote_ip_prefix", "\"fd00::/8\"", 422,
	  "security_group.security_group_rules[3].remote_ip_prefix" },
	{ G, RULE "/3/remote_ip_prefix", "\"10.0.0.0/33\"", 422,
	  "security_group.security_group_rules[3].remote_ip_prefix" },
	{ G, RULE "/3/remote_ip_prefix", "5", 400,
	  "security_group.security_group_rules[3].remote_ip_prefix" },
	{ G, RULE "/3/remote_group_id", "\"" SG_ID "\"", 422,
	  "security_group.security_group_rules[3].remote_group_id" },
	{ G, RULE "/2/remote_group_id", "5", 400,
	  "security_group.security_group_rules[2].remote_group_id" },
	{ G, RULE "/3/remote_address_group_id", "\"ag\"", 422,
	  "security_group.security_group_rules[3].remote_address_group_id" },
	{ G, RULE "/2/remote_address_group_id", "\"ag\"", 422,
	  "security_group.security_group_rules[2].remote_address_group_id" },
	{ G, RULE "/0/remote_address_group_id", "5", 400,
	  "security_group.security_group_rules[0].remote_address_group_id" },
	{ G, RULE "/0/remote_address_group_id", "\"\"", 422,
	  "security_group.security_group_rules[0].remote_address_group_id" },
	{ G, "stateful", "null", 400, "security_group.stateful" },
	{ G, "stateful", "\"false\"", 400, "security_group.stateful" },
	{ G, "stateful", "0", 400, "security_group.stateful" },

	/* address_group */
	{ A, "addresses", "\"10.0.0.0/8\"", 400, "address_group.addresses" },
	{ A, "addresses", "{}", 400, "address_group.addresses" },
	{ A, "addresses", "@ADDRS:1025", 422, "address_group.addresses" },
	{ A, "addresses/1", "5", 400, "address_group.addresses[1]" },
	{ A, "addresses/1", "null", 400, "address_group.addresses[1]" },
	{ A, "addresses/1", "\"x\"", 422, "address_group.addresses[1]" },
	{ A, "addresses/1", "\"10.0.0.0/33\"", 422, "address_group.addresses[1]" },
	{ A, "addresses/1", "\"2001:db8::/129\"", 422, "address_group.addresses[1]" },
	{ A, "addresses/2", "\"10.0.0.9/24\"", 422, "address_group.addresses[2]" },

	/* host */
	{ H, "vtep_addresses", NULL, 400, "host.vtep_addresses" },
	{ H, "vtep_addresses", "null", 400, "host.vtep_addresses" },
	{ H, "vtep_addresses", "\"10.20.0.11\"", 400, "host.vtep_addresses" },
	{ H, "vtep_addresses", "[]", 422, "host.vtep_addresses" },
	{ H, "vtep_addresses", "@VTEP:5", 422, "host.vtep_addresses" },
	{ H, "vtep_addresses/0", "5", 400, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/0", "\"224.0.0.1\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/1", "\"ff02::1\"", 422, "host.vtep_addresses[1]" },
	{ H, "vtep_addresses/0", "\"0.0.0.0\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/1", "\"::\"", 422, "host.vtep_addresses[1]" },
	{ H, "vtep_addresses/1", "\"10.20.0.11\"", 422, "host.vtep_addresses[1]" },
	{ H, "vtep_addresses/0", "\"10.0.0.0/8\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/0", "\"::ffff:10.1.1.1\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/0", "\"255.255.255.255\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/0", "\"127.0.0.1\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/1", "\"::1\"", 422, "host.vtep_addresses[1]" },
	{ H, "vtep_addresses/0", "\"240.0.0.1\"", 422, "host.vtep_addresses[0]" },
	{ H, "vtep_addresses/0", "\"0.1.2.3\"", 422, "host.vtep_addresses[0]" },
	{ H, "underlay_mac", "\"x\"", 422, "host.underlay_mac" },
	{ H, "underlay_mac", "5", 400, "host.underlay_mac" },
	{ H, "bridge_mappings", "[]", 400, "host.bridge_mappings" },
	{ H, "bridge_mappings", "{\"a:b\": \"eth1\"}", 422, "host.bridge_mappings" },
	{ H, "bridge_mappings", "{\"a,b\": \"eth1\"}", 422, "host.bridge_mappings" },
	{ H, "bridge_mappings", "{\"a b\": \"eth1\"}", 422, "host.bridge_mappings" },
	{ H, "bridge_mappings", "{\"physnet1\": 5}", 400, "host.bridge_mappings.physnet1" },
	{ H, "bridge_mappings", "{\"physnet1\": \"\"}", 422, "host.bridge_mappings.physnet1" },
	{ H, "bridge_mappings", "{\"physnet1\": \"eth 1\"}", 422, "host.bridge_mappings.physnet1" },
	{ H, "bridge_mappings", "{\"physnet1\": \"eth:1\"}", 422, "host.bridge_mappings.physnet1" },
	{ H, "bridge_mappings", "{\"physnet1\": \"uplink-with-a-name-of-32-charsxx\"}", 422,
	  "host.bridge_mappings.physnet1" },
	{ H, "bridge_mappings", "{\"p1\": \"eth1\", \"p2\": \"eth1\"}", 422,
	  "host.bridge_mappings.p2" },
	{ H, "underlay_mac", "\"03:00:00:00:00:01\"", 422, "host.underlay_mac" },
};

#undef N
#undef S
#undef P
#undef R
#undef F
#undef G
#undef H
#undef A
#undef RULE

static void
test_model_bad_inputs_refused(void **state)
{
	struct fp_model *m = *state;
	json_t *before = fp_model_to_snapshot(m);
	json_t *bases[FP_MODEL_COLL_MAX];
	unsigned int n_bad = 0;
	size_t i;

	for (i = 0; i < FP_MODEL_COLL_MAX; i++)
		bases[i] = load_res(base_fixture[i]);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		json_t *body = json_deep_copy(bases[bc->coll]);
		struct fp_model_err err;
		int rc;

		assert_non_null(body);
		patch(body, bc->path, bc->value ? make_value(bc->value) : NULL);
		memset(&err, 0xa5, sizeof(err));
		rc = fp_model_put(m, bc->coll, NULL, body, &err);
		if (rc != -EINVAL || err.status != bc->status ||
		    strcmp(err.field, bc->field) != 0 || err.reason[0] == '\0' ||
		    !same_model(m, before)) {
			print_error("bad_cases[%zu] %s %s=%.40s: rc %d, %d %.128s: %.256s\n", i,
				    fp_model_coll_singular[bc->coll], bc->path,
				    bc->value ? bc->value : "(deleted)", rc, err.status, err.field,
				    err.reason);
			n_bad++;
		}
		json_decref(body);
	}
	for (i = 0; i < FP_MODEL_COLL_MAX; i++) {
		json_decref(bases[i]);
		assert_int_equal(fp_model_count(m, (enum fp_model_coll)i), snap_counts[i]);
	}
	assert_same_model(m, before);
	json_decref(before);
	assert_int_equal(n_bad, 0);
}

static void
test_model_error_reasons(void **state)
{
	struct fp_model *m = *state;
	struct fp_model_err err;

	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p1\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"fa:16:3e:00:00:01\","
				  " \"fixed_ips\": [{\"subnet_id\": \"" SUB4_ID "\","
				  "  \"ip_address\": \"10.0.0.9\"}, {\"subnet_id\": \"1234\","
				  "  \"ip_address\": \"10.0.0.8\"}]}",
				  &err),
			 -EINVAL);
	assert_int_equal(err.status, 404);
	assert_string_equal(err.field, "port.fixed_ips[1].subnet_id");
	assert_string_equal(err.reason, "no such subnet: 1234");

	assert_int_equal(
		put_text(m, FP_MODEL_HOST, NULL,
			 "{\"id\": \"h9\", \"vtep_addresses\": [\"10.0.0.1\", \"10.0.0.x\"]}",
			 &err),
		-EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "host.vtep_addresses[1]");
	assert_string_equal(err.reason, "\"10.0.0.x\" is not an IPv4 or IPv6 address");

	assert_int_equal(put_text(m, FP_MODEL_PORT, NULL,
				  "{\"id\": \"p1\", \"network_id\": \"" NET_ID "\","
				  " \"mac_address\": \"01:16:3e:00:00:01\"}",
				  &err),
			 -EINVAL);
	assert_string_equal(err.field, "port.mac_address");
	assert_non_null(strstr(err.reason, "multicast"));

	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s1\", \"network_id\": \"" NET_ID "\","
				  " \"ip_version\": 4, \"cidr\": 10}",
				  &err),
			 -EINVAL);
	assert_string_equal(err.reason, "expected a string, got an integer");
	assert_int_equal(put_text(m, FP_MODEL_SUBNET, NULL,
				  "{\"id\": \"s1\", \"network_id\": \"" NET_ID
				  "\", \"ip_version\": 4}",
				  &err),
			 -EINVAL);
	assert_string_equal(err.field, "subnet.cidr");
	assert_string_equal(err.reason, "missing (required)");
	assert_null(fp_model_subnet_find(m, "s1"));
}

static void
test_model_put_bad_body(void **state)
{
	static const char *const bodies[] = { "[]", "\"port\"", "null", "5", "true" };
	struct fp_model *m = *state;
	json_t *before = fp_model_to_snapshot(m);
	struct fp_model_err err;
	size_t i;

	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, NULL, NULL, &err), -EINVAL);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.field, "port");
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(put_text(m, FP_MODEL_PORT, PORT_ID, bodies[i], &err), -EINVAL);
		assert_int_equal(err.status, 400);
		assert_string_equal(err.field, "port");
	}
	/* {"port": {...}} is the request body, not the resource. */
	{
		json_t *doc = load_doc("port.json");

		assert_int_equal(fp_model_put(m, FP_MODEL_PORT, NULL, doc, &err), -EINVAL);
		assert_int_equal(err.status, 400);
		assert_string_equal(err.field, "port.id");
		json_decref(doc);
	}
	assert_same_model(m, before);
	json_decref(before);
}

static void
test_model_put_id_mismatch(void **state)
{
	struct fp_model *m = *state;
	json_t *before = fp_model_to_snapshot(m);
	json_t *res = load_res("port.json");
	struct fp_model_err err;

	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT6_ID, res, &err), -EINVAL);
	assert_int_equal(err.status, 409);
	assert_string_equal(err.field, "port.id");
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, "not-this-one", res, &err), -EINVAL);
	assert_int_equal(err.status, 409);
	assert_same_model(m, before);
	/* Agreeing ids are fine. */
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), 0);
	assert_ptr_equal(fp_model_json(m, FP_MODEL_PORT, PORT_ID), res);
	json_decref(res);
	json_decref(before);
}

static void
test_model_put_id_from_url(void **state)
{
	struct fp_model *m = *state;
	json_t *res = json_pack("{s:s, s:i}", "provider:network_type", "vxlan",
				"provider:segmentation_id", 77);
	struct fp_model_err err;
	json_t *stored, *snap;
	struct fp_model *m2;

	/* The body has no id: the URL's is used and stored. */
	assert_int_equal(fp_model_put(m, FP_MODEL_NETWORK, "net-from-url", res, &err), 0);
	assert_null(json_object_get(res, "id")); /* the caller's object is not changed */
	stored = fp_model_json(m, FP_MODEL_NETWORK, "net-from-url");
	assert_non_null(stored);
	assert_string_equal(json_string_value(json_object_get(stored, "id")), "net-from-url");
	assert_int_equal(fp_model_network_find(m, "net-from-url")->vni, 77);

	/* So it survives a snapshot round trip. */
	snap = fp_model_to_snapshot(m);
	m2 = fp_model_from_snapshot(snap, &err);
	assert_non_null(m2);
	assert_models_equal(m, m2);
	fp_model_free(m2);
	json_decref(snap);

	/* An invalid URL id is refused like a body id. */
	assert_int_equal(fp_model_put(m, FP_MODEL_NETWORK, "", res, &err), -EINVAL);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "network.id");
	json_decref(res);
}

static void
test_model_revision_order(void **state)
{
	struct fp_model *m = *state;
	json_t *res = load_res("port.json"), *stored = fp_model_json(m, FP_MODEL_PORT, PORT_ID);
	json_t *before = fp_model_to_snapshot(m);
	struct fp_model_err err;

	assert_int_equal(fp_model_port_find(m, PORT_ID)->revision, 4);

	/* Lower: ignored, nothing changes. */
	patch(res, "revision_number", json_integer(3));
	patch(res, "name", json_string("older"));
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), 1);
	assert_ptr_equal(fp_model_json(m, FP_MODEL_PORT, PORT_ID), stored);
	assert_same_model(m, before);

	/* Absent is 0: lower too. */
	patch(res, "revision_number", NULL);
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), 1);
	assert_same_model(m, before);

	/* Equal: replaces. */
	patch(res, "revision_number", json_integer(4));
	patch(res, "name", json_string("same"));
	patch(res, "admin_state_up", json_false());
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), 0);
	assert_string_equal(json_string_value(json_object_get(
				    fp_model_json(m, FP_MODEL_PORT, PORT_ID), "name")),
			    "same");
	assert_int_equal(fp_model_port_find(m, PORT_ID)->admin_up, 0);
	json_decref(res);

	/* Higher: replaces. */
	res = load_res("port.json");
	patch(res, "revision_number", json_integer(5));
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), 0);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->revision, 5);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->admin_up, 1);
	assert_int_equal(fp_model_count(m, FP_MODEL_PORT), snap_counts[FP_MODEL_PORT]);

	/* A lower revision that is also invalid is still refused. */
	patch(res, "revision_number", json_integer(1));
	patch(res, "mac_address", json_string("nope"));
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, PORT_ID, res, &err), -EINVAL);
	assert_int_equal(err.status, 422);
	json_decref(res);
	json_decref(before);
}

static void
test_model_delete_network_keeps_ports(void **state)
{
	struct fp_model *m = *state;
	struct fp_model_err err;

	assert_int_equal(fp_model_delete(m, FP_MODEL_NETWORK, NET_ID, &err), 0);
	assert_null(fp_model_network_find(m, NET_ID));
	assert_null(fp_model_json(m, FP_MODEL_NETWORK, NET_ID));
	assert_int_equal(fp_model_count(m, FP_MODEL_NETWORK), snap_counts[FP_MODEL_NETWORK] - 1);
	/* Its ports and subnets stay (the compiler skips orphans). */
	assert_int_equal(fp_model_count(m, FP_MODEL_PORT), snap_counts[FP_MODEL_PORT]);
	assert_int_equal(fp_model_count(m, FP_MODEL_SUBNET), snap_counts[FP_MODEL_SUBNET]);
	assert_string_equal(fp_model_port_find(m, PORT_ID)->network_id, NET_ID);
	/* A new port on it is refused. */
	assert_int_equal(put_file(m, FP_MODEL_PORT, "port_no_ip.json", &err), -EINVAL);
	assert_int_equal(err.status, 404);
	assert_string_equal(err.field, "port.network_id");
	assert_string_equal(err.reason, "no such network: " NET_ID);

	/* Every other collection deletes the same way. */
	assert_int_equal(fp_model_delete(m, FP_MODEL_SUBNET, SUB4_ID, &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, PORT_ID, &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_ROUTER, ROUTER_ID, &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_FLOATINGIP, FIP_ID, &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_SECURITY_GROUP, SG_ID, &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_HOST, "compute-01", &err), 0);
	assert_int_equal(fp_model_count(m, FP_MODEL_FLOATINGIP), 0);
	assert_int_equal(fp_model_count(m, FP_MODEL_HOST), 1);
}

static void
test_model_delete_missing(void **state)
{
	struct fp_model *m = *state;
	json_t *before = fp_model_to_snapshot(m);
	struct fp_model_err err;

	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, "no-such-port", &err), -ENOENT);
	assert_int_equal(err.status, 404);
	assert_string_equal(err.field, "port.id");
	assert_string_equal(err.reason, "no such port: no-such-port");
	/* A network id is not a port id. */
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, NET_ID, &err), -ENOENT);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, NULL, &err), -ENOENT);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, "", NULL), -ENOENT);
	assert_same_model(m, before);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, PORT_ID, NULL), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, PORT_ID, &err), -ENOENT);
	json_decref(before);
}

static void
test_model_clone_independent(void **state)
{
	struct fp_model *m = *state, *c, *c2;
	json_t *before = fp_model_to_snapshot(m);
	json_t *res = load_res("port.json");
	struct fp_model_err err;

	c = fp_model_clone(m);
	assert_non_null(c);
	assert_models_equal(m, c);
	/* Records are shared, not copied. */
	assert_ptr_equal(fp_model_port_find(c, PORT_ID), fp_model_port_find(m, PORT_ID));

	/* Changes to the clone stay there. */
	patch(res, "revision_number", json_integer(9));
	patch(res, "admin_state_up", json_false());
	assert_int_equal(fp_model_put(c, FP_MODEL_PORT, NULL, res, &err), 0);
	assert_int_equal(fp_model_delete(c, FP_MODEL_NETWORK, NET6_ID, &err), 0);
	assert_int_equal(fp_model_delete(c, FP_MODEL_HOST, "compute-02", &err), 0);
	assert_int_equal(put_text(c, FP_MODEL_HOST, NULL,
				  "{\"id\": \"compute-09\", \"vtep_addresses\": [\"10.20.0.19\"]}",
				  &err),
			 0);
	assert_int_equal(fp_model_port_find(c, PORT_ID)->admin_up, 0);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->admin_up, 1);
	assert_int_equal(fp_model_port_find(m, PORT_ID)->revision, 4);
	assert_non_null(fp_model_network_find(m, NET6_ID));
	assert_null(fp_model_network_find(c, NET6_ID));
	assert_null(fp_model_host_find(m, "compute-09"));
	assert_same_model(m, before);

	/* And the other way round. */
	assert_int_equal(fp_model_delete(m, FP_MODEL_PORT, NOIP_ID, &err), 0);
	assert_non_null(fp_model_port_find(c, NOIP_ID));

	/* Free the original first: the clone still holds its records. */
	c2 = fp_model_clone(c);
	assert_non_null(c2);
	fp_model_free(m);
	*state = NULL;
	assert_int_equal(fp_model_port_find(c, PORT_ID)->admin_up, 0);
	assert_string_equal(fp_model_port_find(c, PORT6_ID)->network_id, NET6_ID);
	assert_non_null(fp_model_json(c, FP_MODEL_PORT, NOIP_ID));
	fp_model_free(c);
	/* And the clone of the clone outlives both. */
	assert_models_equal(c2, c2);
	assert_int_equal(fp_model_port_find(c2, PORT_ID)->revision, 9);
	fp_model_free(c2);

	json_decref(res);
	json_decref(before);
}

static void
test_model_sorted_by_id(void **state)
{
	static const char *const ids[] = { "m", "c", "x", "a", "k", "b", "zz", "z", "aa", "A" };
	struct fp_model *m = fp_model_create();
	struct fp_model_err err;
	char body[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"id\": \"%s\", \"provider:network_type\": \"vxlan\","
			 " \"provider:segmentation_id\": %zu}",
			 ids[i], 10 + i);
		assert_int_equal(put_text(m, FP_MODEL_NETWORK, NULL, body, &err), 0);
	}
	assert_int_equal(fp_model_count(m, FP_MODEL_NETWORK), 10);
	assert_null(fp_model_network_at(m, 10));
	for (i = 1; i < 10; i++)
		assert_true(strcmp(fp_model_network_at(m, i - 1)->id,
				   fp_model_network_at(m, i)->id) < 0);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_non_null(fp_model_network_find(m, ids[i]));
		assert_int_equal(fp_model_network_find(m, ids[i])->vni, 10 + i);
	}
	assert_string_equal(fp_model_network_at(m, 0)->id, "A");
	assert_string_equal(fp_model_network_at(m, 9)->id, "zz");
	assert_int_equal(fp_model_delete(m, FP_MODEL_NETWORK, "k", &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_NETWORK, "A", &err), 0);
	assert_int_equal(fp_model_delete(m, FP_MODEL_NETWORK, "zz", &err), 0);
	assert_int_equal(fp_model_count(m, FP_MODEL_NETWORK), 7);
	for (i = 1; i < 7; i++)
		assert_true(strcmp(fp_model_network_at(m, i - 1)->id,
				   fp_model_network_at(m, i)->id) < 0);
	assert_null(fp_model_network_find(m, "k"));
	assert_non_null(fp_model_network_find(m, "m"));
	fp_model_free(m);
}

/* A collection's typed accessors reach that collection: _at() in id
 * order, as the snapshot lists it, _find() by id; NULL past the end, for
 * an unknown id, and without a model.
 */
#define CHECK_ACCESSORS(m, snap, type, coll)                                                    \
	do {                                                                                    \
		json_t *list = json_object_get(snap, fp_model_coll_names[coll]);                \
		const char *id = NULL;                                                          \
		size_t i;                                                                       \
                                                                                                \
		assert_true(json_array_size(list) > 0);                                         \
		assert_int_equal(fp_model_count(m, coll), json_array_size(list));               \
		for (i = 0; i < json_array_size(list); i++) {                                   \
			id = json_string_value(json_object_get(json_array_get(list, i), "id")); \
			assert_string_equal(fp_model_##type##_at(m, i)->id, id);                \
			assert_ptr_equal(fp_model_##type##_find(m, id),                         \
					 fp_model_##type##_at(m, i));                           \
		}                                                                               \
		assert_null(fp_model_##type##_at(m, i));                                        \
		assert_null(fp_model_##type##_find(m, "no-such-id"));                           \
		assert_null(fp_model_##type##_at(NULL, 0));                                     \
		assert_null(fp_model_##type##_find(NULL, id));                                  \
	} while (0)

static void
test_model_accessors_every_collection(void **state)
{
	struct fp_model *m = *state;
	json_t *snap = fp_model_to_snapshot(m);

	assert_non_null(snap);
	CHECK_ACCESSORS(m, snap, network, FP_MODEL_NETWORK);
	CHECK_ACCESSORS(m, snap, subnet, FP_MODEL_SUBNET);
	CHECK_ACCESSORS(m, snap, port, FP_MODEL_PORT);
	CHECK_ACCESSORS(m, snap, router, FP_MODEL_ROUTER);
	CHECK_ACCESSORS(m, snap, floatingip, FP_MODEL_FLOATINGIP);
	CHECK_ACCESSORS(m, snap, secgroup, FP_MODEL_SECURITY_GROUP);
	CHECK_ACCESSORS(m, snap, host, FP_MODEL_HOST);
	CHECK_ACCESSORS(m, snap, addrgroup, FP_MODEL_ADDRESS_GROUP);
	json_decref(snap);
}

#undef CHECK_ACCESSORS

/* ---------------------------------------------------------------------
 * Snapshots
 */

static void
test_model_snapshot_round_trip(void **state)
{
	struct fp_model *m = *state, *m2;
	json_t *snap = fp_model_to_snapshot(m), *snap2;
	struct fp_model_err err;
	int k;

	assert_non_null(snap);
	/* Every collection is listed, in id order. */
	assert_int_equal(json_object_size(snap), FP_MODEL_COLL_MAX);
	for (k = 0; k < FP_MODEL_COLL_MAX; k++) {
		json_t *list = json_object_get(snap, fp_model_coll_names[k]);
		size_t i;

		assert_true(json_is_array(list));
		assert_int_equal(json_array_size(list), snap_counts[k]);
		for (i = 1; i < json_array_size(list); i++)
			assert_true(strcmp(json_string_value(json_object_get(
						   json_array_get(list, i - 1), "id")),
					   json_string_value(json_object_get(
						   json_array_get(list, i), "id"))) < 0);
	}
	m2 = fp_model_from_snapshot(snap, &err);
	assert_non_null(m2);
	assert_models_equal(m, m2);
	snap2 = fp_model_to_snapshot(m2);
	assert_true(json_equal(snap, snap2));
	json_decref(snap2);
	fp_model_free(m2);

	/* Through text too, as the state file does. */
	{
		char *text = json_dumps(snap, JSON_COMPACT);
		json_t *back = json_loads(text, 0, NULL);

		m2 = fp_model_from_snapshot(back, &err);
		assert_non_null(m2);
		assert_models_equal(m, m2);
		fp_model_free(m2);
		json_decref(back);
		free(text);
	}
	json_decref(snap);

	/* An empty snapshot is an empty model. */
	snap = json_object();
	m2 = fp_model_from_snapshot(snap, &err);
	assert_non_null(m2);
	for (k = 0; k < FP_MODEL_COLL_MAX; k++)
		assert_int_equal(fp_model_count(m2, (enum fp_model_coll)k), 0);
	snap2 = fp_model_to_snapshot(m2);
	assert_int_equal(json_object_size(snap2), FP_MODEL_COLL_MAX);
	json_decref(snap2);
	fp_model_free(m2);
	json_decref(snap);
}

/* from_snapshot() of text refuses with status and field. */
static void
expect_snapshot_refused(const char *text, int status, const char *field)
{
	json_t *snap = json_loads(text, JSON_DECODE_ANY, NULL);
	struct fp_model_err err;

	assert_non_null(snap);
	errno = 0;
	assert_null(fp_model_from_snapshot(snap, &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.status, status);
	assert_string_equal(err.field, field);
	assert_true(err.reason[0] != '\0');
	json_decref(snap);
}

#define SNAP_NET(id, vni) \
	"{\"id\": \"" id  \
	"\", \"provider:network_type\": \"vxlan\", \"provider:segmentation_id\": " #vni "}"

static void
test_model_snapshot_unknown_key(void **state)
{
	(void)state;
	expect_snapshot_refused("{\"networks\": [], \"vms\": []}", 400, "vms");
	expect_snapshot_refused("{\"network\": []}", 400, "network");
	expect_snapshot_refused("{\"networks\": {}}", 400, "networks");
	expect_snapshot_refused("{\"ports\": null}", 400, "ports");
	expect_snapshot_refused("[]", 400, "");
	expect_snapshot_refused("\"snapshot\"", 400, "");
	expect_snapshot_refused("{\"networks\": [5]}", 400, "networks[0]");
	expect_snapshot_refused("{\"networks\": [" SNAP_NET("n1", 1) ", null]}", 400,
				"networks[1]");
}

static void
test_model_snapshot_duplicate_id(void **state)
{
	struct fp_model_err err;
	json_t *snap;

	(void)state;
	expect_snapshot_refused("{\"networks\": [" SNAP_NET("n1", 1) ", " SNAP_NET(
					"n2", 2) ", " SNAP_NET("n1", 3) "]}",
				409, "networks[2].id");
	snap = json_loads("{\"hosts\": [{\"id\": \"h\", \"vtep_addresses\": [\"10.0.0.1\"]},"
			  " {\"id\": \"h\", \"vtep_addresses\": [\"10.0.0.2\"]}]}",
			  0, NULL);
	assert_null(fp_model_from_snapshot(snap, &err));
	assert_int_equal(err.status, 409);
	assert_string_equal(err.field, "hosts[1].id");
	assert_non_null(strstr(err.reason, "also hosts[0]"));
	json_decref(snap);

	/* The same id in two collections is fine. */
	snap = json_loads(
		"{\"networks\": [" SNAP_NET(
			"x",
			1) "],"
			   " \"hosts\": [{\"id\": \"x\", \"vtep_addresses\": [\"10.0.0.1\"]}]}",
		0, NULL);
	{
		struct fp_model *m = fp_model_from_snapshot(snap, &err);

		assert_non_null(m);
		fp_model_free(m);
	}
	json_decref(snap);
}

static void
test_model_snapshot_dangling_reference(void **state)
{
	(void)state;
	/* A port whose network is not in the snapshot. */
	expect_snapshot_refused(
		"{\"networks\": [" SNAP_NET(
			"n1", 1) "],"
				 " \"ports\": [{\"id\": \"p1\", \"network_id\": \"n1\","
				 "  \"mac_address\": \"fa:16:3e:00:00:01\"},"
				 " {\"id\": \"p2\", \"network_id\": \"n2\","
				 "  \"mac_address\": \"fa:16:3e:00:00:02\"}]}",
		404, "ports[1].network_id");
	/* A subnet's network; a fixed IP's subnet; a floating IP's port. */
	expect_snapshot_refused("{\"subnets\": [{\"id\": \"s1\", \"network_id\": \"n1\","
				" \"ip_version\": 4, \"cidr\": \"10.0.0.0/24\"}]}",
				404, "subnets[0].network_id");
	expect_snapshot_refused(
		"{\"networks\": [" SNAP_NET(
			"n1", 1) "],"
				 " \"ports\": [{\"id\": \"p1\", \"network_id\": \"n1\","
				 "  \"mac_address\": \"fa:16:3e:00:00:01\","
				 "  \"fixed_ips\": [{\"subnet_id\": \"s1\","
				 "   \"ip_address\": \"10.0.0.5\"}]}]}",
		404, "ports[0].fixed_ips[0].subnet_id");
	expect_snapshot_refused(
		"{\"networks\": [" SNAP_NET(
			"n1",
			1) "],"
			   " \"floatingips\": [{\"id\": \"f1\", \"floating_network_id\": \"n1\","
			   "  \"floating_ip_address\": \"172.24.4.3\", \"port_id\": \"p9\"}]}",
		404, "floatingips[0].port_id");
	/* And a plain bad value names the entry too. */
	expect_snapshot_refused("{\"networks\": [" SNAP_NET("n1", 1) ", " SNAP_NET("n2", 0) "]}",
				422, "networks[1].provider:segmentation_id");
}

/* ---------------------------------------------------------------------
 * Helpers and odd arguments
 */

static void
test_model_coll_names(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < FP_MODEL_COLL_MAX; k++)
		assert_int_equal(fp_model_coll_find(fp_model_coll_names[k]), k);
	assert_int_equal(fp_model_coll_find("ports"), FP_MODEL_PORT);
	assert_int_equal(fp_model_coll_find("security_groups"), FP_MODEL_SECURITY_GROUP);
	assert_int_equal(fp_model_coll_find("address_groups"), FP_MODEL_ADDRESS_GROUP);
	assert_string_equal(fp_model_coll_singular[FP_MODEL_ADDRESS_GROUP], "address_group");
	assert_string_equal(fp_model_coll_singular[FP_MODEL_FLOATINGIP], "floatingip");
	assert_int_equal(fp_model_coll_find("port"), -1);
	assert_int_equal(fp_model_coll_find(""), -1);
	assert_int_equal(fp_model_coll_find(NULL), -1);
}

static void
test_model_null_arguments(void **state)
{
	struct fp_model *m = *state;
	json_t *res = load_res("network.json");
	struct fp_model_err err;

	(void)state;
	fp_model_free(NULL);
	errno = 0;
	assert_null(fp_model_clone(NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(fp_model_to_snapshot(NULL));
	assert_null(fp_model_from_snapshot(NULL, &err));
	assert_int_equal(err.status, 400);
	assert_null(fp_model_from_snapshot(NULL, NULL));
	assert_int_equal(fp_model_count(NULL, FP_MODEL_PORT), 0);
	assert_int_equal(fp_model_count(m, FP_MODEL_COLL_MAX), 0);
	assert_null(fp_model_port_at(NULL, 0));
	assert_null(fp_model_port_find(NULL, PORT_ID));
	assert_null(fp_model_port_find(m, NULL));
	assert_null(fp_model_json(NULL, FP_MODEL_PORT, PORT_ID));
	assert_null(fp_model_json(m, FP_MODEL_COLL_MAX, PORT_ID));
	assert_null(fp_model_json(m, FP_MODEL_PORT, NULL));
	assert_int_equal(fp_model_put(NULL, FP_MODEL_NETWORK, NULL, res, &err), -EINVAL);
	assert_int_equal(err.status, 400);
	assert_int_equal(fp_model_put(m, FP_MODEL_COLL_MAX, NULL, res, &err), -EINVAL);
	assert_int_equal(fp_model_put(m, (enum fp_model_coll) - 1, NULL, res, &err), -EINVAL);
	assert_int_equal(fp_model_delete(NULL, FP_MODEL_NETWORK, NET_ID, &err), -ENOENT);
	assert_int_equal(fp_model_delete(m, FP_MODEL_COLL_MAX, NET_ID, &err), -ENOENT);
	/* err is optional. */
	assert_int_equal(fp_model_put(m, FP_MODEL_PORT, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fp_model_put(m, FP_MODEL_NETWORK, NULL, res, NULL), 0);
	json_decref(res);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_snapshot, teardown_model)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_every_collection_accepted),
		T(test_model_snapshot_fixture_matches_singles),
		T(test_model_network_parsed),
		T(test_model_network_types),
		T(test_model_subnets_parsed),
		T(test_model_ipv6_only_subnet),
		T(test_model_port_parsed),
		T(test_model_allowed_address_pairs),
		T(test_model_port_without_fixed_ips),
		T(test_model_port_security_inherited),
		T(test_model_fixed_ip_outside_subnet),
		T(test_model_router_parsed),
		T(test_model_floatingip_parsed),
		T(test_model_secgroup_parsed),
		T(test_model_addrgroup_parsed),
		T(test_model_host_parsed),
		T(test_model_unknown_fields_kept),
		cmocka_unit_test(test_model_routed_parsed),
		T(test_model_subnet_v6_modes),
		T(test_model_port_owner),
		T(test_model_port_project),
		cmocka_unit_test(test_model_routed_lookups),
		cmocka_unit_test(test_model_check_references),
		cmocka_unit_test(test_model_check_stops),
		T(test_model_limits_max_accepted),
		T(test_model_bad_inputs_refused),
		T(test_model_error_reasons),
		T(test_model_put_bad_body),
		T(test_model_put_id_mismatch),
		T(test_model_put_id_from_url),
		T(test_model_revision_order),
		T(test_model_delete_network_keeps_ports),
		T(test_model_delete_missing),
		T(test_model_clone_independent),
		cmocka_unit_test(test_model_sorted_by_id),
		T(test_model_accessors_every_collection),
		T(test_model_snapshot_round_trip),
		cmocka_unit_test(test_model_snapshot_unknown_key),
		cmocka_unit_test(test_model_snapshot_duplicate_id),
		cmocka_unit_test(test_model_snapshot_dangling_reference),
		cmocka_unit_test(test_model_coll_names),
		T(test_model_null_arguments),
	};
#undef T

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
