/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's metadata proxy (control/metadata.c): the instance behind a
 * link address (on a Neutron model), the signature (against values
 * computed independently with Python's hmac and RFC 4231's vectors), and
 * whole requests through the proxy to a fake Nova on this thread's event
 * loop: the headers Nova gets, the answers the VM gets (200, 403, 404,
 * 429, 500, 502, 504), and a slow client that does not hold up others.
 *
 * The signatures were computed with:
 *   /usr/bin/python3 -c 'import hmac,hashlib; print(hmac.new(
 *     b"s3cret-of-nova", b"5e3898d7-11be-483e-9732-b2f5eccd2b2e",
 *     hashlib.sha256).hexdigest())'
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "md_link.h"
#include "metadata.h"
#include "model.h"

#define SECRET "s3cret-of-nova"
#define INSTANCE "5e3898d7-11be-483e-9732-b2f5eccd2b2e"
#define PROJECT "8f2c6f0e1a2b4c3d9e8f7a6b5c4d3e2f"
#define SIGNATURE "fa49209a2184b81f753c2af2e0f5b87d101d17ea222e931a33b502def961b9b8"

static void
test_metadata_sign(void **state)
{
	char sig[FP_MD_SIG_SIZE];

	(void)state;
	assert_int_equal(fp_md_sign(SECRET, INSTANCE, sig), 0);
	assert_string_equal(sig, SIGNATURE);
	/* RFC 4231 4.2 and 4.3 (HMAC-SHA-256). */
	assert_int_equal(fp_md_sign("\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
				    "\x0b\x0b\x0b\x0b\x0b",
				    "Hi There", sig),
			 0);
	assert_string_equal(sig,
			    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(fp_md_sign("Jefe", "what do ya want for nothing?", sig), 0);
	assert_string_equal(sig,
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* ---------------------------------------------------------------------
 * The instance behind a link address
 */

#define ID16 "0123456789abcdef"
#define ID64 ID16 ID16 ID16 ID16 /* a keystone project id may be this long */
#define ID255 ID64 ID64 ID64 ID16 ID16 ID16 "0123456789abcde" /* Neutron's device_id at most */

static const char snapshot[] =
	"{\"hosts\": [{\"id\": \"hv1\", \"vtep_addresses\": [\"172.16.0.1\"],"
	"  \"underlay_mac\": \"02:00:00:00:01:01\"}],"
	" \"networks\": [{\"id\": \"net-a\", \"provider:network_type\": \"vxlan\","
	"  \"provider:segmentation_id\": 100}],"
	" \"subnets\": [{\"id\": \"sub-a\", \"network_id\": \"net-a\", \"ip_version\": 4,"
	"  \"cidr\": \"10.0.0.0/24\"}, {\"id\": \"sub-a6\", \"network_id\": \"net-a\","
	"  \"ip_version\": 6, \"cidr\": \"fd00::/64\"}],"
	" \"ports\": ["
	"  {\"id\": \"p-vm1\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:01\","
	"   \"device_owner\": \"compute:nova\", \"device_id\": \"" INSTANCE "\","
	"   \"project_id\": \"" PROJECT "\", \"tenant_id\": \"" PROJECT "\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm1\"},"
	"   \"fixed_ips\": [{\"subnet_id\": \"sub-a6\", \"ip_address\": \"fd00::5\"},"
	"                 {\"subnet_id\": \"sub-a\", \"ip_address\": \"10.0.0.5\"}]},"
	"  {\"id\": \"p-vm2\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:02\","
	"   \"device_owner\": \"compute:nova\", \"tenant_id\": \"" PROJECT "\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm2\"}},"
	"  {\"id\": \"p-vm3a\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:03\","
	"   \"device_id\": \"i3\", \"project_id\": \"p\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm3\"}},"
	"  {\"id\": \"p-vm3b\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:04\","
	"   \"device_id\": \"i3b\", \"project_id\": \"p\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm3\"}},"
	"  {\"id\": \"p-other\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:05\","
	"   \"device_id\": \"i5\", \"project_id\": \"p\","
	"   \"binding:host_id\": \"hv2\", \"binding:profile\": {\"flowplane_port\": \"vm5\"}},"
	"  {\"id\": \"p-dhcp\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:06\","
	"   \"device_owner\": \"network:dhcp\", \"device_id\": \"dhcp1\", \"project_id\": \"p\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm6\"}},"
	"  {\"id\": \"p-vm8\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:08\","
	"   \"device_id\": \"i8\\r\\n\\r\\n Y\", \"project_id\": \"p\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm8\"}},"
	"  {\"id\": \"p-vm9\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:09\","
	"   \"device_id\": \"i9\", \"project_id\": \"p 9\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm9\"}},"
	"  {\"id\": \"p-vm10\", \"network_id\": \"net-a\", \"mac_address\": \"fa:16:3e:00:00:0a\","
	"   \"device_id\": \"" ID255 "\", \"project_id\": \"" ID64 "\","
	"   \"binding:host_id\": \"hv1\", \"binding:profile\": {\"flowplane_port\": \"vm10\"}}"
	" ]}";

static const struct fp_engine_port eports[] = {
	{ .name = "vm1", .id = 0, .role = FP_PORT_ROLE_VM },
	{ .name = "vm2", .id = 1, .role = FP_PORT_ROLE_VM },
	{ .name = "vm3", .id = 3, .role = FP_PORT_ROLE_VM },
	{ .name = "vm4", .id = 4, .role = FP_PORT_ROLE_VM },
	{ .name = "vm5", .id = 5, .role = FP_PORT_ROLE_VM },
	{ .name = "vm6", .id = 6, .role = FP_PORT_ROLE_VM },
	{ .name = "uplink", .id = 7, .role = FP_PORT_ROLE_UNDERLAY },
	{ .name = "vm8", .id = 8, .role = FP_PORT_ROLE_VM },
	{ .name = "vm9", .id = 9, .role = FP_PORT_ROLE_VM },
	{ .name = "vm10", .id = 10, .role = FP_PORT_ROLE_VM },
};

static struct fp_model *
model_load(void)
{
	struct fp_model_err err;
	json_error_t je;
	json_t *snap = json_loads(snapshot, 0, &je);
	struct fp_model *m;

	if (snap == NULL)
		fail_msg("snapshot: %s (line %d col %d)", je.text, je.line, je.column);
	m = fp_model_from_snapshot(snap, &err);
	json_decref(snap);
	if (m == NULL)
		fail_msg("snapshot: %s: %s", err.field, err.reason);
	return m;
}

static uint32_t
link_of(uint32_t port_id)
{
	uint32_t a = 0;

	assert_int_equal(fp_md_link_addr(port_id, &a), 0);
	return a;
}

static void
test_metadata_instance_find(void **state)
{
	static const struct {
		uint32_t port_id; /* engine port whose link address asks */
		int rc;		  /* expected */
	} cases[] = {
		{ 1, -ENODATA },  /* no device_id */
		{ 2, -ENOENT },	  /* no engine port 2 */
		{ 3, -EEXIST },	  /* two Neutron ports on vm3 */
		{ 4, -ENOENT },	  /* nothing bound on vm4 */
		{ 5, -ENOENT },	  /* bound on another host */
		{ 6, -ENOENT },	  /* a DHCP port is no instance */
		{ 7, -ENOENT },	  /* an underlay port */
		{ 100, -ENOENT }, /* beyond the engine's ports */
		{ 8, -EINVAL },	  /* device_id with line breaks (header injection) */
		{ 9, -EINVAL },	  /* project_id with a space */
	};
	struct fp_model *m = model_load();
	size_t n = sizeof(eports) / sizeof(eports[0]);
	struct fp_md_instance in;
	const char *why = NULL;
	size_t i;

	(void)state;
	assert_int_equal(fp_md_instance_find(m, "hv1", eports, n, link_of(0), &in, &why), 0);
	assert_int_equal(in.link_id, 0);
	assert_string_equal(in.port_id, "p-vm1");
	assert_string_equal(in.instance_id, INSTANCE);
	assert_string_equal(in.project_id, PROJECT);
	assert_string_equal(in.fixed_ip, "10.0.0.5"); /* the IPv4 one, not the first */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = fp_md_instance_find(m, "hv1", eports, n, link_of(cases[i].port_id), &in,
					     &why);

		if (rc != cases[i].rc || in.link_id != cases[i].port_id || why == NULL)
			fail_msg("port %u: %d (%s), link %u; want %d", cases[i].port_id, rc,
				 why ? why : "-", in.link_id, cases[i].rc);
	}
	/* Not a link address: the VM's own address, the proxy's, loopback. */
	assert_int_equal(fp_md_instance_find(m, "hv1", eports, n, 0x0a000005, &in, NULL),
			 -EADDRNOTAVAIL);
	assert_int_equal(fp_md_instance_find(m, "hv1", eports, n, FP_MD_ADDR, &in, NULL),
			 -EADDRNOTAVAIL);
	/* Before the engine ever answered: no ports. */
	assert_int_equal(fp_md_instance_find(m, "hv1", NULL, 0, link_of(0), &in, NULL), -ENOENT);
	/* Neutron's longest ids are kept whole. */
	assert_int_equal(fp_md_instance_find(m, "hv1", eports, n, link_of(10), &in, &why), 0);
	assert_string_equal(in.instance_id, ID255);
	assert_string_equal(in.project_id, ID64);
	/* Another host's view. */
	assert_int_equal(fp_md_instance_find(m, "hv2", eports, n, link_of(5), &in, NULL), 0);
	assert_string_equal(in.instance_id, "i5");
	assert_string_equal(in.fixed_ip, "");
	fp_model_free(m);
}

/* An id longer than Neutron's is refused, not dropped. */
static void
test_metadata_long_id(void **state)
{
	static const char *const fmt =
		"{\"hosts\": [], \"networks\": [{\"id\": \"net-a\","
		" \"provider:network_type\": \"vxlan\", \"provider:segmentation_id\": 100}],"
		" \"subnets\": [], \"ports\": [{\"id\": \"p1\", \"network_id\": \"net-a\","
		" \"mac_address\": \"fa:16:3e:00:00:01\", \"%s\": \"" ID255 "x\"}]}";
	static const char *const keys[] = { "device_id", "project_id", "tenant_id" };
	struct fp_model_err err;
	struct fp_model *m;
	char text[1024];
	json_t *snap;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), fmt, keys[i]);
		snap = json_loads(text, 0, NULL);
		assert_non_null(snap);
		m = fp_model_from_snapshot(snap, &err);
		json_decref(snap);
		if (m != NULL)
			fail_msg("%s of 256 characters taken", keys[i]);
		if (strstr(err.field, keys[i]) == NULL ||
		    strstr(err.reason, "longer than 255") == NULL)
			fail_msg("%s: %s: %s", keys[i], err.field, err.reason);
	}
}

/* ---------------------------------------------------------------------
 * Requests through the proxy to a fake Nova
 */

struct world {
	struct event_base *base;     /* one loop for all */
	struct evhttp *nova;	     /* the fake Nova */
	uint16_t nova_port;	     /* its port */
	struct fp_md *md;	     /* the proxy */
	int n_nova;		     /* requests Nova got */
	char got_instance[80];	     /* the last request's headers */
	char got_tenant[80];	     /* X-Tenant-ID */
	char got_sig[80];	     /* X-Instance-ID-Signature */
	char got_xff[80];	     /* X-Forwarded-For */
	char got_uri[128];	     /* its URI */
	char got_body[64];	     /* its body */
	struct evhttp_request *held; /* a request Nova never answers */
	int undelivered;	     /* the engine does not deliver */
};

static void
hdr_copy(struct evhttp_request *req, const char *name, char *dst, size_t size)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);

	snprintf(dst, size, "%s", v ? v : "");
}

/* Nova: checks the signature as Nova does (403 when wrong), then answers
 * by path.
 */
static void
nova_cb(struct evhttp_request *req, void *arg)
{
	struct world *w = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *b = evbuffer_new();
	char sig[FP_MD_SIG_SIZE];
	size_t n;

	w->n_nova++;
	hdr_copy(req, "X-Instance-ID", w->got_instance, sizeof(w->got_instance));
	hdr_copy(req, "X-Tenant-ID", w->got_tenant, sizeof(w->got_tenant));
	hdr_copy(req, "X-Instance-ID-Signature", w->got_sig, sizeof(w->got_sig));
	hdr_copy(req, "X-Forwarded-For", w->got_xff, sizeof(w->got_xff));
	snprintf(w->got_uri, sizeof(w->got_uri), "%s", uri);
	n = evbuffer_copyout(evhttp_request_get_input_buffer(req), w->got_body,
			     sizeof(w->got_body) - 1);
	w->got_body[n > 0 ? n : 0] = '\0';
	assert_int_equal(fp_md_sign(SECRET, w->got_instance, sig), 0);
	if (strcmp(sig, w->got_sig) != 0 || strstr(uri, "/forbidden") != NULL) {
		evhttp_send_reply(req, 403, "Forbidden", NULL);
	} else if (strstr(uri, "/hold") != NULL) {
		w->held = req;
	} else if (strstr(uri, "/missing") != NULL) {
		evhttp_send_reply(req, 404, "Not Found", NULL);
	} else if (strstr(uri, "/moved") != NULL) {
		evhttp_send_reply(req, 301, "Moved", NULL);
	} else if (strstr(uri, "/big") != NULL) {
		static char big[70000];

		memset(big, 'x', sizeof(big));
		evbuffer_add(b, big, sizeof(big));
		evhttp_send_reply(req, 200, "OK", b);
	} else {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
				  "application/json");
		evbuffer_add_printf(b, "{\"uuid\": \"%s\"}", w->got_instance);
		evhttp_send_reply(req, 200, "OK", b);
	}
	evbuffer_free(b);
}

/* The proxy's lookup: 127.0.0.1 is the instance (port 0), 127.0.0.3 a
 * link address without one (port 3), anything else no link address.
 */
static int
fake_lookup(void *arg, uint32_t peer, struct fp_md_instance *out, const char **why)
{
	(void)arg;
	memset(out, 0, sizeof(*out));
	*why = "fake";
	if (peer == 0x7f000001) {
		snprintf(out->port_id, sizeof(out->port_id), "p-vm1");
		snprintf(out->instance_id, sizeof(out->instance_id), INSTANCE);
		snprintf(out->project_id, sizeof(out->project_id), PROJECT);
		snprintf(out->fixed_ip, sizeof(out->fixed_ip), "10.0.0.5");
		return 0;
	}
	if (peer == 0x7f000003) {
		out->link_id = 3;
		return -ENODATA;
	}
	if (peer == 0x7f000004) { /* an id no header takes */
		out->link_id = 4;
		snprintf(out->instance_id, sizeof(out->instance_id), "i4\r\nX-Evil: 1");
		snprintf(out->project_id, sizeof(out->project_id), "p");
		return 0;
	}
	return -EADDRNOTAVAIL;
}

static int
fake_delivered(void *arg)
{
	const struct world *w = arg;

	return !w->undelivered;
}

static const struct fp_md_ops fake_ops = { .lookup = fake_lookup, .delivered = fake_delivered };

static struct fp_ctrl_md_config
md_cfg(uint16_t nova_port, const char *secret)
{
	struct fp_ctrl_md_config c = {
		.enabled = 1,
		.listen_addr = "127.0.0.1",
		.listen_port = 0,
		.nova_addr = "127.0.0.1",
		.nova_port = nova_port,
		.max_conns = 8,
		.request_ms = 600,
		.timeout_ms = 500,
		.max_response = 65536,
		.rate = 1,
		.burst = 100,
		.max_conns_per_port = 8,
		.max_pending_per_port = 8,
	};

	snprintf(c.secret, sizeof(c.secret), "%s", secret);
	return c;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct fp_ctrl_md_config cfg;
	struct evhttp_bound_socket *b;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char err[256];

	assert_non_null(w);
	w->base = event_base_new();
	w->nova = evhttp_new(w->base);
	evhttp_set_gencb(w->nova, nova_cb, w);
	b = evhttp_bind_socket_with_handle(w->nova, "127.0.0.1", 0);
	assert_non_null(b);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&sa, &len),
			 0);
	w->nova_port = ntohs(sa.sin_port);
	cfg = md_cfg(w->nova_port, SECRET);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	if (w->md == NULL)
		fail_msg("fp_md_create: %s", err);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	fp_md_free(w->md);
	evhttp_free(w->nova);
	event_base_free(w->base);
	free(w);
	return 0;
}

/* A client from src (127.0.0.x) to the proxy. */
static int
client(struct world *w, const char *src)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(fp_md_port(w->md)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, src, &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		assert_int_equal(errno, EINPROGRESS);
	return fd;
}

static void
send_all(struct world *w, int fd, const char *text)
{
	size_t off = 0, n = strlen(text);
	int i;

	for (i = 0; off < n && i < 200; i++) {
		ssize_t r = send(fd, text + off, n - off, MSG_NOSIGNAL);

		if (r > 0)
			off += (size_t)r;
		else
			event_base_loop(w->base, EVLOOP_NONBLOCK), usleep(1000);
	}
	assert_int_equal(off, n);
}

/* Serve until fd's answer is complete (the proxy closes), at most ms. */
static int
answer_of(struct world *w, int fd, int ms, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ms; i++) {
		ssize_t r;

		event_base_loop(w->base, EVLOOP_NONBLOCK);
		r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT);
		if (r > 0) {
			n += (size_t)r;
			buf[n] = '\0';
			continue;
		}
		if (r == 0)
			break;
		usleep(1000);
	}
	close(fd);
	return atoi(strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "0");
}

static int
request(struct world *w, const char *src, const char *text, char *buf, size_t size)
{
	int fd = client(w, src);

	send_all(w, fd, text);
	return answer_of(w, fd, 3000, buf, size);
}

static void
test_metadata_proxy_headers(void **state)
{
	struct world *w = *state;
	struct fp_md_status st;
	char buf[4096];

	assert_int_equal(
		request(w, "127.0.0.1",
			"GET /openstack/latest/meta_data.json?x=1 HTTP/1.1\r\nHost: 169.254.169.254\r\n"
			"X-Instance-ID: forged\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n",
			buf, sizeof(buf)),
		200);
	assert_non_null(strstr(buf, "{\"uuid\": \"" INSTANCE "\"}"));
	assert_non_null(strstr(buf, "Content-Type: application/json"));
	assert_int_equal(w->n_nova, 1);
	assert_string_equal(w->got_uri, "/openstack/latest/meta_data.json?x=1");
	assert_string_equal(w->got_instance, INSTANCE);
	assert_string_equal(w->got_tenant, PROJECT);
	assert_string_equal(w->got_sig, SIGNATURE);
	assert_string_equal(w->got_xff, "10.0.0.5");
	/* POST (Nova's password) passes with its body; HEAD passes. */
	assert_int_equal(request(w, "127.0.0.1",
				 "POST /openstack/latest/password HTTP/1.1\r\n"
				 "Content-Length: 6\r\n\r\nsecret",
				 buf, sizeof(buf)),
			 200);
	assert_string_equal(w->got_body, "secret");
	assert_int_equal(
		request(w, "127.0.0.1", "HEAD /latest/ HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 200);
	/* What the proxy does not take: no Nova request. */
	assert_int_equal(request(w, "127.0.0.1", "PUT /latest/ HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 405);
	assert_int_equal(w->n_nova, 3);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_OK], 3);
	assert_int_equal(st.delivered, 1);
	assert_non_null(strstr(st.state, "serving"));
	assert_string_equal(st.limits.secret, "");
}

static void
test_metadata_proxy_answers(void **state)
{
	struct world *w = *state;
	struct fp_md_status st;
	char buf[4096];
	int i;

	assert_int_equal(request(w, "127.0.0.2", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 404);
	assert_int_equal(request(w, "127.0.0.3", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 404);
	assert_int_equal(w->n_nova, 0);
	assert_int_equal(request(w, "127.0.0.1", "GET /missing HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 404);
	assert_int_equal(
		request(w, "127.0.0.1", "GET /forbidden HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 403);
	assert_int_equal(request(w, "127.0.0.1", "GET /moved HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 500);
	assert_int_equal(request(w, "127.0.0.1", "GET /big HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 502);
	/* Nova holds the request: 504 after timeout_ms (500). */
	assert_int_equal(request(w, "127.0.0.1", "GET /hold HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 504);
	assert_non_null(w->held);
	evhttp_send_reply(w->held, 200, "OK", NULL);
	for (i = 0; i < 20; i++)
		event_base_loop(w->base, EVLOOP_NONBLOCK);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_UNKNOWN_PEER], 1);
	assert_int_equal(st.n[FP_MD_UNKNOWN_PORT], 1);
	assert_int_equal(st.n[FP_MD_NOVA_REFUSED], 1);
	assert_int_equal(st.n[FP_MD_FORBIDDEN], 1);
	assert_int_equal(st.n[FP_MD_NOVA_ERROR], 1);
	assert_int_equal(st.n[FP_MD_UPSTREAM_ERROR], 1);
	assert_int_equal(st.n[FP_MD_UPSTREAM_TIMEOUT], 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.n_requests, 7);
}

/* Another secret than Nova's: Nova refuses the signature, the VM gets
 * 403.  Nova gone: 502.
 */
static void
test_metadata_proxy_wrong_secret(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, "another-secret");
	char buf[4096], err[256];

	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 403);
	assert_int_equal(w->n_nova, 1);
	evhttp_free(w->nova);
	w->nova = evhttp_new(w->base);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 502);
}

/* A port's bucket: burst, then rate; other ports are not touched. */
static void
test_metadata_proxy_rate(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, SECRET);
	char buf[4096], err[256];
	int i;

	cfg.rate = 1;
	cfg.burst = 3;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	for (i = 0; i < 3; i++)
		assert_int_equal(
			request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 200);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 429);
	assert_int_equal(w->n_nova, 3);
	/* Port 3's bucket is its own (its answer is 404, not 429). */
	assert_int_equal(request(w, "127.0.0.3", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 404);
	usleep(1100 * 1000);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 200);
}

/* A client that sends half a request, and one whose request waits for
 * Nova, do not hold up another; the slow one is closed after request_ms.
 */
static void
test_metadata_proxy_slow_client(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, SECRET);
	struct timespec t0, t1;
	char buf[4096], err[256];
	int slow, held;
	double ms;

	/* request_ms below timeout_ms: the pipelined half request behind the
	 * held one would be refused (408) while Nova holds the first, if it
	 * were read.
	 */
	cfg.request_ms = 300;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	slow = client(w, "127.0.0.1");
	held = client(w, "127.0.0.1");

	send_all(w, slow, "GET /latest/ HTTP/1.1\r\nHost: 169.2");
	/* A pipelined second request behind one Nova holds is never read. */
	send_all(w, held, "GET /hold HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nHo");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(request(w, "127.0.0.1", "GET /fast HTTP/1.1\r\n\r\n", buf, sizeof(buf)),
			 200);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (ms > 300)
		fail_msg("the fast request took %.0f ms", ms);
	assert_int_equal(answer_of(w, slow, 3000, buf, sizeof(buf)), 408);
	assert_int_equal(answer_of(w, held, 3000, buf, sizeof(buf)), 504);
}

/* max_conns: one more is refused (503), the others are served. */
static void
test_metadata_proxy_conn_limit(void **state)
{
	struct world *w = *state;
	int fds[8], extra, i;
	char buf[4096];

	for (i = 0; i < 8; i++) {
		fds[i] = client(w, "127.0.0.1");
		send_all(w, fds[i], "GET /lat");
	}
	extra = client(w, "127.0.0.1");
	assert_int_equal(answer_of(w, extra, 2000, buf, sizeof(buf)), 503);
	for (i = 0; i < 8; i++) {
		send_all(w, fds[i], "est/ HTTP/1.1\r\n\r\n");
		assert_int_equal(answer_of(w, fds[i], 2000, buf, sizeof(buf)), 200);
	}
}

/* Stopped while a request waits for Nova: nothing is answered, nothing
 * leaks (ASan), Nova's connection is closed.
 */
static void
test_metadata_proxy_free_pending(void **state)
{
	struct world *w = *state;
	int fd = client(w, "127.0.0.1"), i;
	struct fp_md_status st;
	char buf[256];

	send_all(w, fd, "GET /hold HTTP/1.1\r\n\r\n");
	for (i = 0; i < 2000 && w->held == NULL; i++) {
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	assert_non_null(w->held);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.pending, 1);
	fp_md_free(w->md);
	w->md = NULL;
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0); /* closed, unanswered */
	close(fd);
	for (i = 0; i < 20; i++)
		event_base_loop(w->base, EVLOOP_NONBLOCK);
}

/* HEAD with a Content-Length while Nova holds the request: refused by
 * the guard (400, evhttp reads no body after HEAD), never left waiting
 * for bytes evhttp does not read (a 408 would free the request the
 * proxy waits with).
 */
static void
test_metadata_proxy_head_body(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, SECRET);
	struct fp_md_status st;
	char buf[4096], err[256];
	int fd, i;

	cfg.request_ms = 150;
	cfg.timeout_ms = 1500;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	fd = client(w, "127.0.0.1");
	send_all(w, fd, "HEAD /hold HTTP/1.1\r\nContent-Length: 10\r\n\r\n");
	assert_int_equal(answer_of(w, fd, 3000, buf, sizeof(buf)), 400);
	assert_null(w->held);
	for (i = 0; i < 300; i++) { /* past request_ms */
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	fp_md_status_get(w->md, &st);
	assert_int_equal(w->n_nova, 0);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.n_requests, 0);
}

/* An instance id no header takes: 500, Nova never asked. */
static void
test_metadata_proxy_bad_id(void **state)
{
	struct world *w = *state;
	struct fp_md_status st;
	char buf[4096];

	assert_int_equal(request(w, "127.0.0.4", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 500);
	assert_int_equal(w->n_nova, 0);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_INTERNAL], 1);
	assert_int_equal(st.pending, 0);
}

/* While the engine does not deliver, the source address proves nothing:
 * 503 without asking Nova; test_assume_delivered serves anyway.
 */
static void
test_metadata_proxy_not_delivered(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, SECRET);
	struct fp_md_status st;
	char buf[4096], err[256];

	w->undelivered = 1;
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 503);
	assert_int_equal(w->n_nova, 0);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_NOT_DELIVERED], 1);
	assert_int_equal(st.delivered, 0);
	assert_non_null(strstr(st.state, "503"));
	cfg.test_assume_delivered = 1;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 200);
	assert_int_equal(w->n_nova, 1);
}

/* One peer cannot take every connection: at most max_conns_per_port
 * from one address (another is still served); a connection that sends
 * nothing is closed after request_ms; at most max_pending_per_port of a
 * port's requests wait for Nova (429 above).
 */
static void
test_metadata_proxy_per_port(void **state)
{
	struct world *w = *state;
	struct fp_ctrl_md_config cfg = md_cfg(w->nova_port, SECRET);
	struct fp_md_status st;
	char buf[4096], err[256];
	int fds[3], idle, held, i;

	cfg.max_conns_per_port = 3;
	cfg.max_pending_per_port = 1;
	cfg.request_ms = 400;
	cfg.timeout_ms = 1500;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	for (i = 0; i < 3; i++) {
		fds[i] = client(w, "127.0.0.1");
		send_all(w, fds[i], "GET /lat");
	}
	/* The fourth from 127.0.0.1: 503; 127.0.0.3 is served (its 404). */
	assert_int_equal(answer_of(w, client(w, "127.0.0.1"), 2000, buf, sizeof(buf)), 503);
	assert_non_null(strstr(buf, "limit per peer"));
	assert_int_equal(request(w, "127.0.0.3", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 404);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	/* Silent: closed after request_ms (408), not evhttp's idle timeout. */
	idle = client(w, "127.0.0.1");
	assert_int_equal(answer_of(w, idle, 2000, buf, sizeof(buf)), 408);
	/* One request of the port waits for Nova: the next one gets 429. */
	held = client(w, "127.0.0.1");
	send_all(w, held, "GET /hold HTTP/1.1\r\n\r\n");
	for (i = 0; i < 2000 && w->held == NULL; i++) {
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	assert_non_null(w->held);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 429);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_PENDING_LIMITED], 1);
	assert_int_equal(st.pending, 1);
	assert_int_equal(answer_of(w, held, 3000, buf, sizeof(buf)), 504);
	/* Its place is free again. */
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 200);
}

/* Nova's connect never completes (its listener's queue is full, SYNs
 * are dropped): 504 after timeout_ms, as a Nova that does not answer.
 */
static void
test_metadata_proxy_connect_timeout(void **state)
{
	struct world *w = *state;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct fp_ctrl_md_config cfg;
	struct fp_md_status st;
	struct timespec t0, t1;
	char buf[4096], err[256];
	int lfd, fill[4], i;
	double ms;

	sa.sin_addr.s_addr = htonl(0x7f000001);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	for (i = 0; i < 4; i++) { /* fill the accept queue; later SYNs are dropped */
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fill[i] >= 0);
		(void)connect(fill[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(50 * 1000);
	cfg = md_cfg(ntohs(sa.sin_port), SECRET);
	cfg.timeout_ms = 400;
	fp_md_free(w->md);
	w->md = fp_md_create(w->base, &cfg, &fake_ops, w, err, sizeof(err));
	assert_non_null(w->md);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(request(w, "127.0.0.1", "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf)), 504);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (ms < 350 || ms > 1000)
		fail_msg("answered after %.0f ms, want about 400", ms);
	fp_md_status_get(w->md, &st);
	assert_int_equal(st.n[FP_MD_UPSTREAM_TIMEOUT], 1);
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metadata_sign),
		cmocka_unit_test(test_metadata_instance_find),
		cmocka_unit_test(test_metadata_long_id),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_wrong_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_slow_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_conn_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_free_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_head_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_bad_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_not_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_per_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_proxy_connect_timeout, setup,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN); /* as fp-control: a peer that went away is no signal */
	return cmocka_run_group_tests_name("metadata", tests, NULL, NULL);
}
