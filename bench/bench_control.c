/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench-control: fp-control and the southbound under load, against a
 * real fp-dpdk (bench/control.sh builds the topology and runs it).
 *
 *   fp-bench-control latency  --api SOCK --vm-ns NS --vm-if IF --sink-ns NS
 *                             --sink-if IF --dst-mac MAC --dst-ip IP --src-ip IP
 *                             --network ID --subnet ID --host H --dp-port NAME [--n N]
 *     N times: DELETE the previous port, PUT a new port (new id, new MAC) bound
 *     to the dataplane port the "VM" sends from, and time from the PUT's answer
 *     to the first frame from that MAC leaving the underlay encapsulated.
 *     The VM sends a frame every 10 us from the PUT's answer on; the
 *     resolution of the result is about that.
 *
 *   fp-bench-control snapshot --api SOCK --host H --dp-ports A,B --ports N
 *                             --networks N --hosts N --peer H --peer-mac MAC
 *     PUT /v1/snapshot of N ports in N networks over N hosts (the local
 *     ports on the named dataplane ports), then the same again (no change),
 *     then with 10% of the ports moved to other hosts; wall time of each
 *     request and the sync time fp-control reports.
 *
 *   fp-bench-control entries  --dp SOCK --n N --vni V --vtep ID [--batch B]
 *     N fdb entries (VNI V, distinct MACs -> vtep ID) into fp-dpdk through
 *     fp-control's southbound (fp_sync_apply), then deleted again: entries/s
 *     each way.  bench/control.sh keeps traffic flowing meanwhile and counts
 *     what was lost.
 *
 * Each result is a line of text and a JSON line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "backend.h"
#include "entries.h"
#include "log.h"
#include "sync.h"
#include "unix_addr.h"
#include "version.h"

#define HTTP_MAX (64U << 20) /* largest answer read */
#define FRAME_LEN 64
#define WAIT_MAX_NS 2000000000ULL /* give up on one port after 2 s */
#define SEND_GAP_NS 10000	  /* the VM sends a frame every 10 us */

struct opts {
	const char *api, *dp, *vm_ns, *vm_if, *sink_ns, *sink_if; /* where */
	const char *dst_mac, *dst_ip, *src_ip, *network, *subnet; /* latency frames */
	const char *host, *dp_port, *dp_ports, *peer, *peer_mac;  /* names */
	uint32_t n, ports, networks, hosts, vni, vtep, batch;	  /* sizes */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One HTTP/1.1 request over the Unix socket; returns the status (or -1)
 * and the body in *body (malloc'ed, NUL-terminated) when non-NULL.
 */
static int
http(const char *sock, const char *method, const char *path, const char *data, char **body)
{
	size_t len = data ? strlen(data) : 0, got = 0, cap = 65536;
	char hdr[512], *buf, *p;
	int fd, status = -1;
	ssize_t n;

	fd = fp_unix_connect(sock, SOCK_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", sock, fp_unix_strerror(fd));
		return -1;
	}
	n = snprintf(hdr, sizeof(hdr),
		     "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		     method, path, len);
	if (write(fd, hdr, (size_t)n) != n)
		goto out;
	for (size_t off = 0; off < len; off += (size_t)n) {
		n = write(fd, data + off, len - off);
		if (n <= 0)
			goto out;
	}
	buf = malloc(cap + 1);
	if (buf == NULL)
		goto out;
	while ((n = read(fd, buf + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got == cap) {
			char *nb;

			if (cap >= HTTP_MAX)
				break;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL)
				break;
			buf = nb;
		}
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	if (body != NULL) {
		p = strstr(buf, "\r\n\r\n");
		*body = strdup(p ? p + 4 : "");
	}
	free(buf);
out:
	close(fd);
	return status;
}

/* A socket made inside another network namespace (/run/netns/NAME). */
static int
socket_in_ns(const char *ns, int domain, int type, int proto)
{
	char path[256];
	int self, target, fd;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
		perror(path);
		exit(1);
	}
	fd = socket(domain, type, proto);
	if (setns(self, CLONE_NEWNET) < 0) {
		perror("setns back");
		exit(1);
	}
	close(self);
	close(target);
	return fd;
}

/* A raw packet socket bound to an interface of a namespace. */
static int
packet_socket(const char *ns, const char *ifname)
{
	int fd = socket_in_ns(ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			      htons(ETH_P_ALL));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	char path[256];
	int self, target;

	if (fd < 0) {
		perror("AF_PACKET");
		exit(1);
	}
	/* if_nametoindex must run in the namespace too. */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (setns(target, CLONE_NEWNET) < 0)
		exit(1);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (setns(self, CLONE_NEWNET) < 0)
		exit(1);
	close(self);
	close(target);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "%s in %s: %s\n", ifname, ns, strerror(errno));
		exit(1);
	}
	return fd;
}

static uint16_t
csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An Ethernet/IPv4/UDP frame from src to dst (UDP checksum 0). */
static void
frame_build(uint8_t *f, const uint8_t src[6], const uint8_t dst[6], struct in_addr sip,
	    struct in_addr dip)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t c;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = FRAME_LEN - 14;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	c = csum16(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = 0x30;
	udp[1] = 0x39;
	udp[2] = 0x30;
	udp[3] = 0x3a;
	udp[5] = FRAME_LEN - 14 - 20;
}

/* Is f a VXLAN/Geneve frame (outer IPv4) whose inner source is mac? */
static int
encap_from(const uint8_t *f, ssize_t n, const uint8_t mac[6])
{
	if (n < 14 + 20 + 8 + 8 + 14 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 17)
		return 0;
	return memcmp(f + 14 + 20 + 8 + 8 + 6, mac, 6) == 0;
}

static void
port_body(char *buf, size_t size, const struct opts *o, uint32_t i, const uint8_t mac[6])
{
	snprintf(buf, size,
		 "{\"port\": {\"id\": \"bench-port-%u\", \"network_id\": \"%s\", "
		 "\"mac_address\": \"%02x:%02x:%02x:%02x:%02x:%02x\", "
		 "\"fixed_ips\": [{\"subnet_id\": \"%s\", \"ip_address\": \"%s\"}], "
		 "\"binding:host_id\": \"%s\", \"binding:profile\": {\"flowplane_port\": \"%s\"}, "
		 "\"device_owner\": \"compute:nova\", \"admin_state_up\": true}}",
		 i, o->network, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], o->subnet,
		 o->src_ip, o->host, o->dp_port);
}

static int
run_latency(const struct opts *o)
{
	uint8_t dst[6], mac[6], frame[FRAME_LEN], rx[2048];
	struct in_addr sip, dip;
	uint64_t *lat = calloc(o->n, sizeof(uint64_t)), sum = 0;
	char body[1024], path[128];
	uint32_t i, n_ok = 0, n_sent = 0;
	int tx, sink;

	if (lat == NULL || fp_addr_mac_parse(o->dst_mac, dst, FP_ADDR_MAC_SHORT) < 0 ||
	    inet_pton(AF_INET, o->dst_ip, &dip) != 1 || inet_pton(AF_INET, o->src_ip, &sip) != 1) {
		fprintf(stderr, "latency: bad --dst-mac/--dst-ip/--src-ip\n");
		return 1;
	}
	tx = packet_socket(o->vm_ns, o->vm_if);
	sink = packet_socket(o->sink_ns, o->sink_if);
	for (i = 0; i < o->n; i++) {
		uint64_t t0, t1 = 0, next, now;
		int st;

		mac[0] = 0x02;
		mac[1] = 0xbe;
		mac[2] = 0x00;
		mac[3] = (uint8_t)(i >> 16);
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		frame_build(frame, mac, dst, sip, dip);
		if (i > 0) {
			snprintf(path, sizeof(path), "/v1/ports/bench-port-%u", i - 1);
			if ((st = http(o->api, "DELETE", path, NULL, NULL)) != 200) {
				fprintf(stderr, "DELETE %s: %d\n", path, st);
				return 1;
			}
		}
		while (recv(sink, rx, sizeof(rx), 0) > 0)
			;
		snprintf(path, sizeof(path), "/v1/ports/bench-port-%u", i);
		port_body(body, sizeof(body), o, i, mac);
		st = http(o->api, "PUT", path, body, NULL);
		t0 = now_ns();
		if (st != 200) {
			fprintf(stderr, "PUT %s: %d\n", path, st);
			return 1;
		}
		/* Spin: a frame every SEND_GAP_NS, the sink read in between. */
		for (next = t0; t1 == 0 && (now = now_ns()) - t0 < WAIT_MAX_NS;) {
			ssize_t r;

			if (now >= next) {
				if (send(tx, frame, FRAME_LEN, 0) == FRAME_LEN)
					n_sent++;
				next = now + SEND_GAP_NS;
			}
			while ((r = recv(sink, rx, sizeof(rx), 0)) > 0)
				if (encap_from(rx, r, mac)) {
					t1 = now_ns();
					break;
				}
		}
		if (t1 == 0) {
			fprintf(stderr, "port %u: no frame within %llu ms\n", i,
				(unsigned long long)(WAIT_MAX_NS / 1000000));
			continue;
		}
		lat[n_ok++] = t1 - t0;
		sum += t1 - t0;
	}
	if (n_ok == 0)
		return 1;
	qsort(lat, n_ok, sizeof(lat[0]), cmp_u64);
	printf("latency: %u ports, %u forwarded; PUT answered -> first frame out: p50 %.1f us, "
	       "p99 %.1f us, max %.1f us, mean %.1f us (%u frames sent)\n",
	       o->n, n_ok, lat[n_ok / 2] / 1e3, lat[(size_t)(n_ok * 0.99)] / 1e3,
	       lat[n_ok - 1] / 1e3, (double)sum / n_ok / 1e3, n_sent);
	printf("{\"bench\":\"control_latency\",\"ports\":%u,\"forwarded\":%u,\"p50_us\":%.1f,"
	       "\"p99_us\":%.1f,\"max_us\":%.1f,\"git\":\"%s\"}\n",
	       o->n, n_ok, lat[n_ok / 2] / 1e3, lat[(size_t)(n_ok * 0.99)] / 1e3,
	       lat[n_ok - 1] / 1e3, fp_version_git());
	free(lat);
	return n_ok == o->n ? 0 : 1;
}

/* Append to a growing string. */
struct sbuf {
	char *p;     /* text */
	size_t len;  /* used */
	size_t size; /* allocated */
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < b->size - b->len)
			break;
		b->size = 2 * b->size + (size_t)n;
		b->p = realloc(b->p, b->size);
		if (b->p == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	b->len += (size_t)n;
}

/* The snapshot: hosts h0..h{H-1} plus the local host and the peer;
 * networks n0..; ports spread round-robin over the hosts; the first port
 * of the first networks sit on the local dataplane ports.  moved: every
 * tenth port on the next host.
 */
static char *
snapshot_build(const struct opts *o, int moved)
{
	char dp[16][FP_NAME_SIZE];
	struct sbuf b = { .p = malloc(1 << 20), .size = 1 << 20 };
	uint32_t n_dp = 0, i, per_net = o->ports / o->networks;
	const char *s = o->dp_ports;

	while (*s && n_dp < 16) {
		size_t l = strcspn(s, ",");

		snprintf(dp[n_dp++], FP_NAME_SIZE, "%.*s", (int)l, s);
		s += l + (s[l] == ',');
	}
	sb_printf(&b,
		  "{\"hosts\": [{\"id\": \"%s\", \"vtep_addresses\": [\"172.16.0.1\"], "
		  "\"underlay_mac\": \"02:00:00:16:00:01\"}",
		  o->host);
	for (i = 0; i < o->hosts; i++)
		sb_printf(&b,
			  ",{\"id\": \"h%u\", \"vtep_addresses\": [\"172.17.%u.%u\"], "
			  "\"underlay_mac\": \"%s\"}",
			  i, i / 250, i % 250 + 1, o->peer_mac);
	sb_printf(&b, "], \"networks\": [");
	for (i = 0; i < o->networks; i++)
		sb_printf(&b,
			  "%s{\"id\": \"n%u\", \"provider:network_type\": \"vxlan\", "
			  "\"provider:segmentation_id\": %u, \"mtu\": 1450, \"name\": \"net%u\"}",
			  i ? "," : "", i, 1000 + i, i);
	sb_printf(&b, "], \"subnets\": [");
	for (i = 0; i < o->networks; i++)
		sb_printf(&b,
			  "%s{\"id\": \"s%u\", \"network_id\": \"n%u\", \"ip_version\": 4, "
			  "\"cidr\": \"10.%u.%u.0/24\", \"gateway_ip\": null}",
			  i ? "," : "", i, i, i / 250, i % 250);
	sb_printf(&b, "], \"ports\": [");
	for (i = 0; i < o->ports; i++) {
		uint32_t net = i % o->networks, k = i / o->networks;
		uint32_t host = (i + (moved && i % 10 == 0)) % o->hosts;

		(void)per_net;
		sb_printf(
			&b,
			"%s{\"id\": \"p%u\", \"network_id\": \"n%u\", "
			"\"mac_address\": \"fa:16:3e:%02x:%02x:%02x\", "
			"\"fixed_ips\": [{\"subnet_id\": \"s%u\", \"ip_address\": \"10.%u.%u.%u\"}], ",
			i ? "," : "", i, net, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, net,
			net / 250, net % 250, k + 2);
		if (k == 0 && net < n_dp)
			sb_printf(&b,
				  "\"binding:host_id\": \"%s\", "
				  "\"binding:profile\": {\"flowplane_port\": \"%s\"}}",
				  o->host, dp[net]);
		else
			sb_printf(&b, "\"binding:host_id\": \"h%u\"}", host);
	}
	sb_printf(&b, "]}");
	return b.p;
}

static int
run_snapshot(const struct opts *o)
{
	static const char *const what[] = { "install", "again (no change)", "10% moved" };
	int step;

	for (step = 0; step < 3; step++) {
		char *snap = snapshot_build(o, step == 2), *body = NULL, *p;
		uint64_t t0 = now_ns(), t1;
		double sync_ms = -1;
		int st;

		st = http(o->api, "PUT", "/v1/snapshot", snap, &body);
		t1 = now_ns();
		if (body != NULL && (p = strstr(body, "\"sync_ms\":")) != NULL)
			sync_ms = strtod(p + 10, NULL);
		printf("snapshot %s: %u ports, %u networks, %u hosts, %zu bytes: HTTP %d in %.1f ms "
		       "(dataplane sync %.1f ms): %s\n",
		       what[step], o->ports, o->networks, o->hosts, strlen(snap), st,
		       (t1 - t0) / 1e6, sync_ms, body ? body : "");
		printf("{\"bench\":\"control_snapshot\",\"step\":\"%s\",\"ports\":%u,\"networks\":%u,"
		       "\"hosts\":%u,\"status\":%d,\"ms\":%.2f,\"sync_ms\":%.2f,\"git\":\"%s\"}\n",
		       what[step], o->ports, o->networks, o->hosts, st, (t1 - t0) / 1e6, sync_ms,
		       fp_version_git());
		free(snap);
		free(body);
		if (st != 200)
			return 1;
	}
	return 0;
}

/* A copy of src plus, when n > 0, n fdb entries (VNI vni, MACs
 * 06:be:.., to vtep) the bench owns.
 */
static struct fp_entry_set *
target_build(const struct fp_entry_set *src, uint32_t n, uint32_t vni, uint32_t vtep)
{
	struct fp_entry_set *t = fp_entry_set_create();
	struct fp_entry e;
	uint32_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < fp_entry_set_count(src); i++) {
		fp_entry_set_at(src, i, &e);
		fp_entry_set_add(t, e.table, e.key, e.val);
	}
	for (i = 0; i < n; i++) {
		struct fp_fdb_key k = { .vni = vni,
					.mac = { 0x06, 0xbe, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
						 (uint8_t)(i >> 8), (uint8_t)i } };
		struct fp_fdb_val v = { .type = FP_DEST_VTEP, .id = vtep };

		fp_entry_set_add(t, FP_TABLE_FDB, &k, &v);
	}
	if (fp_entry_set_seal(t, NULL) < 0) {
		fp_entry_set_free(t);
		return NULL;
	}
	return t;
}

static int
run_entries(const struct opts *o)
{
	struct fp_entry_set *installed = fp_entry_set_create(), *before, *target;
	void *h = NULL;
	int rc, pass;

	if (installed == NULL)
		return 1;
	rc = fp_backend_dpdk.open(o->dp, &h);
	if (rc == 0)
		rc = fp_sync_dump(&fp_backend_dpdk, h, installed);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", o->dp, strerror(-rc));
		return 1;
	}
	before = target_build(installed, 0, 0, 0);
	for (pass = 0; pass < 2; pass++) {
		struct fp_sync_result res = { 0 };
		char err[256] = "";
		uint64_t t0, t1, n;

		target = pass == 0 ? target_build(installed, o->n, o->vni, o->vtep) : before;
		if (target == NULL)
			return 1;
		t0 = now_ns();
		rc = fp_sync_apply(&fp_backend_dpdk, h, installed, target, o->batch, &res, err,
				   sizeof(err));
		t1 = now_ns();
		if (target != before)
			fp_entry_set_free(target);
		if (rc < 0) {
			fprintf(stderr, "sync: %s\n", err);
			return 1;
		}
		n = pass ? res.n_del : res.n_set;
		printf("entries %s: %" PRIu64 " in %u transactions of <= %u, %.1f ms: %.0f "
		       "entries/s\n",
		       pass ? "deleted" : "added", n, res.n_txn, o->batch, (t1 - t0) / 1e6,
		       (double)n * 1e9 / (double)(t1 - t0));
		printf("{\"bench\":\"control_entries\",\"op\":\"%s\",\"entries\":%" PRIu64
		       ",\"transactions\":%u,\"batch\":%u,\"ms\":%.2f,\"entries_per_s\":%.0f,"
		       "\"git\":\"%s\"}\n",
		       pass ? "delete" : "add", n, res.n_txn, o->batch, (t1 - t0) / 1e6,
		       (double)n * 1e9 / (double)(t1 - t0), fp_version_git());
		fflush(stdout);
	}
	fp_backend_dpdk.close(h);
	fp_entry_set_free(before);
	fp_entry_set_free(installed);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fp-bench-control latency|snapshot|entries [options] "
			"(see bench/bench_control.c and bench/control.sh)\n"
			"       fp-bench-control --version\n");
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "api", required_argument, NULL, 'a' },
		{ "dp", required_argument, NULL, 'd' },
		{ "vm-ns", required_argument, NULL, 1 },
		{ "vm-if", required_argument, NULL, 2 },
		{ "sink-ns", required_argument, NULL, 3 },
		{ "sink-if", required_argument, NULL, 4 },
		{ "dst-mac", required_argument, NULL, 5 },
		{ "dst-ip", required_argument, NULL, 6 },
		{ "src-ip", required_argument, NULL, 7 },
		{ "network", required_argument, NULL, 8 },
		{ "subnet", required_argument, NULL, 9 },
		{ "host", required_argument, NULL, 10 },
		{ "dp-port", required_argument, NULL, 11 },
		{ "dp-ports", required_argument, NULL, 12 },
		{ "peer", required_argument, NULL, 13 },
		{ "peer-mac", required_argument, NULL, 14 },
		{ "n", required_argument, NULL, 'n' },
		{ "ports", required_argument, NULL, 15 },
		{ "networks", required_argument, NULL, 16 },
		{ "hosts", required_argument, NULL, 17 },
		{ "vni", required_argument, NULL, 18 },
		{ "vtep", required_argument, NULL, 19 },
		{ "batch", required_argument, NULL, 20 },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .n = 1000,
			  .ports = 10000,
			  .networks = 1000,
			  .hosts = 100,
			  .vni = 100,
			  .vtep = 0,
			  .batch = FP_SYNC_BATCH_DEFAULT,
			  .peer_mac = "02:00:00:16:00:02",
			  .dp_ports = "" };
	const char *cmd;
	int opt;

	if (argc < 2) {
		usage();
		return 2;
	}
	/* The per-transaction lines of sync.c would be timed too. */
	fp_log_init("fp-bench-control", FP_LOG_WARN);
	cmd = argv[1];
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		fp_version_print(stdout, "fp-bench-control");
		return 0;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "a:d:n:", lopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			o.api = optarg;
			break;
		case 'd':
			o.dp = optarg;
			break;
		case 1:
			o.vm_ns = optarg;
			break;
		case 2:
			o.vm_if = optarg;
			break;
		case 3:
			o.sink_ns = optarg;
			break;
		case 4:
			o.sink_if = optarg;
			break;
		case 5:
			o.dst_mac = optarg;
			break;
		case 6:
			o.dst_ip = optarg;
			break;
		case 7:
			o.src_ip = optarg;
			break;
		case 8:
			o.network = optarg;
			break;
		case 9:
			o.subnet = optarg;
			break;
		case 10:
			o.host = optarg;
			break;
		case 11:
			o.dp_port = optarg;
			break;
		case 12:
			o.dp_ports = optarg;
			break;
		case 13:
			o.peer = optarg;
			break;
		case 14:
			o.peer_mac = optarg;
			break;
		case 'n':
			o.n = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 15:
			o.ports = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 16:
			o.networks = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 17:
			o.hosts = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 18:
			o.vni = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 19:
			o.vtep = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 20:
			o.batch = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
			return 2;
		}
	}
	if (strcmp(cmd, "latency") == 0 && o.api && o.vm_ns && o.vm_if && o.sink_ns && o.sink_if &&
	    o.dst_mac && o.dst_ip && o.src_ip && o.network && o.subnet && o.host && o.dp_port &&
	    o.n > 0)
		return run_latency(&o);
	if (strcmp(cmd, "snapshot") == 0 && o.api && o.host && o.networks > 0 && o.hosts > 0 &&
	    o.ports >= o.networks)
		return run_snapshot(&o);
	if (strcmp(cmd, "entries") == 0 && o.dp && o.n > 0 && o.batch > 0)
		return run_entries(&o);
	usage();
	return 2;
}
