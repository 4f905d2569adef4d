/* SPDX-License-Identifier: BSD-3-Clause */
#include "trace_pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/ether.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/proto.h>
#include <flowplane/tables.h>

#include "addr.h"
#include "names.h"

#define PAYLOAD_MAX 9000 /* "payload N" */

#define STEP_NAME(id, name) name,
static const char *const step_names[FP_TRACE_STEP_ID_MAX] = { FP_FOREACH_TRACE_STEP(STEP_NAME) };
#undef STEP_NAME
static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "A>B": split at '>' into a and b (copies of at most size - 1 chars). */
static int
pair(const char *s, char *a, char *b, size_t size)
{
	const char *gt = s != NULL ? strchr(s, '>') : NULL;

	if (gt == NULL || (size_t)(gt - s) >= size || strlen(gt + 1) >= size || gt == s ||
	    gt[1] == '\0')
		return -EINVAL;
	memcpy(a, s, (size_t)(gt - s));
	a[gt - s] = '\0';
	strcpy(b, gt + 1);
	return 0;
}

static int
u16_parse(const char *s, uint16_t *v)
{
	char *end;
	unsigned long x;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end != '\0' || x > 0xffff)
		return -EINVAL;
	*v = (uint16_t)x;
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One's-complement sum of len bytes, added to sum. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* What the description builder knows about the L3 header it wrote. */
struct l3_info {
	int v6;		 /* IPv6, else IPv4 */
	uint8_t src[16]; /* source address (4 or 16 bytes) */
	uint8_t dst[16]; /* destination address */
	uint8_t *hdr;	 /* the IP header in the frame */
	uint8_t *l4;	 /* first byte after it */
};

static uint32_t
pseudo_sum(const struct l3_info *ip, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum = csum_add(0, ip->src, ip->v6 ? 16 : 4);

	sum = csum_add(sum, ip->dst, ip->v6 ? 16 : 4);
	return sum + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

static int build(char **w, int n, uint8_t *f, size_t cap, uint32_t *len, char *err, size_t err_size,
		 int depth);

/* The L4 words (udp, tcp, icmp, payload, vxlan/geneve + inner) at w,
 * written at ip->l4.  Returns the L4 length or a negative errno.
 */
static long
build_l4(char **w, int n, struct l3_info *ip, uint8_t *end, char *err, size_t err_size, int depth,
	 uint8_t *proto)
{
	uint8_t *l4 = ip->l4;
	uint16_t sport = 0, dport = 0, plen = 0, vni_hi = 0;
	uint32_t inner_len = 0, hl = 0, vni = 0;
	char a[64], b[64];
	int i = 0, tunnel = 0, rc;

	*proto = FP_IPPROTO_NONE;
	if (i < n && (strcmp(w[i], "udp") == 0 || strcmp(w[i], "tcp") == 0)) {
		*proto = w[i][0] == 'u' ? FP_IPPROTO_UDP : FP_IPPROTO_TCP;
		if (i + 1 >= n || pair(w[i + 1], a, b, sizeof(a)) != 0 || u16_parse(a, &sport) ||
		    u16_parse(b, &dport))
			return fail(err, err_size, "%s: expected SPORT>DPORT", w[i]);
		hl = *proto == FP_IPPROTO_UDP ? 8 : 20;
		i += 2;
	} else if (i < n && strcmp(w[i], "icmp") == 0) {
		*proto = ip->v6 ? FP_IPPROTO_ICMPV6 : FP_IPPROTO_ICMP;
		hl = 8;
		i++;
	} else if (i < n && (strcmp(w[i], "vxlan") == 0 || strcmp(w[i], "geneve") == 0)) {
		*proto = FP_IPPROTO_UDP;
		hl = 8;
		tunnel = 1;
	}
	if (i < n && strcmp(w[i], "payload") == 0) {
		if (i + 1 >= n || u16_parse(w[i + 1], &plen) || plen > PAYLOAD_MAX)
			return fail(err, err_size, "payload: expected 0..%u bytes", PAYLOAD_MAX);
		i += 2;
	}
	if (i < n && (strcmp(w[i], "vxlan") == 0 || strcmp(w[i], "geneve") == 0)) {
		int geneve = w[i][0] == 'g';
		char *e;

		if (*proto != FP_IPPROTO_UDP || plen)
			return fail(err, err_size, "%s: goes after the outer IP header", w[i]);
		errno = 0;
		vni = i + 1 < n ? (uint32_t)strtoul(w[i + 1], &e, 10) : 0;
		if (i + 1 >= n || errno || *e != '\0' || w[i + 1][0] < '0' || w[i + 1][0] > '9' ||
		    vni > FP_VNI_MAX)
			return fail(err, err_size, "%s: expected a VNI (0..%u)", w[i], FP_VNI_MAX);
		if (depth > 0)
			return fail(err, err_size, "%s: tunnels do not nest", w[i]);
		sport = 49152;
		dport = geneve ? FP_GENEVE_PORT : FP_VXLAN_PORT;
		if (l4 + 16 > end)
			return -ENOSPC;
		memset(l4 + 8, 0, 8);
		if (geneve) {
			put16(l4 + 10, FP_ETH_P_TEB);
		} else {
			l4[8] = FP_VXLAN_F_I;
		}
		vni_hi = (uint16_t)(vni >> 8);
		put16(l4 + 12, vni_hi);
		l4[14] = (uint8_t)vni;
		rc = build(w + i + 2, n - i - 2, l4 + 16, (size_t)(end - l4 - 16), &inner_len, err,
			   err_size, depth + 1);
		if (rc != 0)
			return rc;
		plen = (uint16_t)(8 + inner_len);
		i = n;
		tunnel = 1;
	}
	if (i < n)
		return fail(err, err_size, "unexpected '%s'", w[i]);
	if (l4 + hl + plen > end)
		return -ENOSPC;
	if (!tunnel)
		memset(l4 + hl, 0, plen);
	memset(l4, 0, hl);
	if (*proto == FP_IPPROTO_UDP) {
		put16(l4, sport);
		put16(l4 + 2, dport);
		put16(l4 + 4, (uint16_t)(hl + plen));
	} else if (*proto == FP_IPPROTO_TCP) {
		put16(l4, sport);
		put16(l4 + 2, dport);
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN */
		put16(l4 + 14, 65535);
	} else if (*proto != FP_IPPROTO_NONE) {
		l4[0] = ip->v6 ? 128 : 8; /* echo request */
	}
	if (*proto != FP_IPPROTO_NONE) {
		uint32_t sum = *proto == FP_IPPROTO_ICMP ? 0 : pseudo_sum(ip, *proto, hl + plen);
		uint16_t c = csum_fold(csum_add(sum, l4, hl + plen));
		int off = *proto == FP_IPPROTO_UDP ? 6 : *proto == FP_IPPROTO_TCP ? 16 : 2;

		if (c == 0 && *proto == FP_IPPROTO_UDP)
			c = 0xffff;
		put16(l4 + off, c);
	}
	return (long)(hl + plen);
}

static int
build(char **w, int n, uint8_t *f, size_t cap, uint32_t *len, char *err, size_t err_size, int depth)
{
	struct l3_info ip = { 0 };
	char a[64], b[64];
	struct ether_addr ea;
	uint8_t *end = f + cap, proto;
	long l4_len;
	int i = 0;

	if (n < 2 || strcmp(w[0], "eth") != 0 || pair(w[1], a, b, sizeof(a)) != 0)
		return fail(err, err_size, "expected 'eth SRC_MAC>DST_MAC' first");
	if (cap < 14)
		return -ENOSPC;
	if (ether_aton_r(a, &ea) == NULL)
		return fail(err, err_size, "eth: bad source MAC '%s'", a);
	memcpy(f + 6, ea.ether_addr_octet, 6);
	if (ether_aton_r(b, &ea) == NULL)
		return fail(err, err_size, "eth: bad destination MAC '%s'", b);
	memcpy(f, ea.ether_addr_octet, 6);
	i = 2;
	if (i >= n)
		return fail(err, err_size, "expected ipv4, ipv6 or arp after eth");
	if (strcmp(w[i], "arp") == 0) {
		uint8_t *arp = f + 14;

		if (i + 2 >= n || strcmp(w[i + 1], "request") != 0 ||
		    pair(w[i + 2], a, b, sizeof(a)) != 0)
			return fail(err, err_size, "arp: expected 'request SENDER_IP>TARGET_IP'");
		if (i + 3 < n)
			return fail(err, err_size, "unexpected '%s'", w[i + 3]);
		if (cap < 14 + 28)
			return -ENOSPC;
		put16(f + 12, FP_ETH_P_ARP);
		put16(arp, 1);
		put16(arp + 2, FP_ETH_P_IPV4);
		arp[4] = 6;
		arp[5] = 4;
		put16(arp + 6, 1);
		memcpy(arp + 8, f + 6, 6);
		memset(arp + 18, 0, 6);
		if (inet_pton(AF_INET, a, arp + 14) != 1 || inet_pton(AF_INET, b, arp + 24) != 1)
			return fail(err, err_size, "arp: bad IPv4 address in '%s'", w[i + 2]);
		*len = 14 + 28;
		return 0;
	}
	if (strcmp(w[i], "ipv4") != 0 && strcmp(w[i], "ipv6") != 0)
		return fail(err, err_size, "expected ipv4, ipv6 or arp, not '%s'", w[i]);
	ip.v6 = w[i][3] == '6';
	if (i + 1 >= n || pair(w[i + 1], a, b, sizeof(a)) != 0 ||
	    inet_pton(ip.v6 ? AF_INET6 : AF_INET, a, ip.src) != 1 ||
	    inet_pton(ip.v6 ? AF_INET6 : AF_INET, b, ip.dst) != 1)
		return fail(err, err_size, "%s: expected SRC_IP>DST_IP", w[i]);
	ip.hdr = f + 14;
	ip.l4 = ip.hdr + (ip.v6 ? 40 : 20);
	if (ip.l4 > end)
		return -ENOSPC;
	l4_len = build_l4(w + i + 2, n - i - 2, &ip, end, err, err_size, depth, &proto);
	if (l4_len < 0)
		return (int)l4_len;
	memset(ip.hdr, 0, ip.v6 ? 40 : 20);
	if (ip.v6) {
		put16(f + 12, FP_ETH_P_IPV6);
		ip.hdr[0] = 0x60;
		put16(ip.hdr + 4, (uint16_t)l4_len);
		ip.hdr[6] = proto;
		ip.hdr[7] = 64;
		memcpy(ip.hdr + 8, ip.src, 16);
		memcpy(ip.hdr + 24, ip.dst, 16);
		*len = (uint32_t)(14 + 40 + l4_len);
	} else {
		put16(f + 12, FP_ETH_P_IPV4);
		ip.hdr[0] = 0x45;
		put16(ip.hdr + 2, (uint16_t)(20 + l4_len));
		ip.hdr[6] = 0x40; /* DF */
		ip.hdr[8] = 64;
		ip.hdr[9] = proto;
		memcpy(ip.hdr + 12, ip.src, 4);
		memcpy(ip.hdr + 16, ip.dst, 4);
		put16(ip.hdr + 10, csum_fold(csum_add(0, ip.hdr, 20)));
		*len = (uint32_t)(14 + 20 + l4_len);
	}
	return 0;
}

static int
hex_build(char **w, int n, uint8_t *f, size_t cap, uint32_t *len, char *err, size_t err_size)
{
	uint32_t k = 0;
	int i, hi = -1;

	for (i = 0; i < n; i++) {
		const char *s = w[i];

		if (strncmp(s, "0x", 2) == 0)
			s += 2;
		for (; *s; s++) {
			int v = fp_addr_hex_digit(*s);

			if (*s == ':' || *s == '-' || *s == ' ')
				continue;
			if (v < 0)
				return fail(err, err_size, "hex: bad digit '%c'", *s);
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (k >= cap)
				return -ENOSPC;
			f[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		return fail(err, err_size, "hex: odd number of digits");
	*len = k;
	return 0;
}

static uint32_t
rd32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int
pcap_build(const char *path, uint8_t *f, size_t cap, uint32_t *len, char *err, size_t err_size)
{
	uint8_t gh[24], rh[16];
	FILE *fp = fopen(path, "rb");
	uint32_t magic, incl;
	int swap, rc = 0;

	if (fp == NULL) {
		rc = -errno;
		snprintf(err, err_size, "pcap %s: %s", path, strerror(errno));
		return rc;
	}
	if (fread(gh, 1, sizeof(gh), fp) != sizeof(gh)) {
		rc = fail(err, err_size, "pcap %s: no pcap header", path);
		goto out;
	}
	memcpy(&magic, gh, 4);
	if (magic == 0xa1b2c3d4U || magic == 0xa1b23c4dU) {
		swap = 0;
	} else if (magic == 0xd4c3b2a1U || magic == 0x4d3cb2a1U) {
		swap = 1;
	} else {
		rc = fail(err, err_size, "pcap %s: not a pcap file (pcapng is not read)", path);
		goto out;
	}
	if (rd32(gh + 20, swap) != 1) {
		rc = fail(err, err_size, "pcap %s: link type %u, not Ethernet", path,
			  rd32(gh + 20, swap));
		goto out;
	}
	if (fread(rh, 1, sizeof(rh), fp) != sizeof(rh)) {
		rc = fail(err, err_size, "pcap %s: no frame", path);
		goto out;
	}
	incl = rd32(rh + 8, swap);
	if (incl > cap) {
		rc = -ENOSPC;
		goto out;
	}
	if (fread(f, 1, incl, fp) != incl) {
		rc = fail(err, err_size, "pcap %s: first frame cut short", path);
		goto out;
	}
	*len = incl;
out:
	fclose(fp);
	return rc;
}

int
fpctl_trace_frame_build(char **w, int n, uint8_t *frame, size_t cap, uint32_t *len, char *err,
			size_t err_size)
{
	int rc;

	err[0] = '\0';
	if (n == 0)
		return fail(err, err_size, "no packet: hex BYTES, pcap FILE or eth ...");
	if (strcmp(w[0], "hex") == 0)
		rc = hex_build(w + 1, n - 1, frame, cap, len, err, err_size);
	else if (strcmp(w[0], "pcap") == 0)
		rc = n == 2 ? pcap_build(w[1], frame, cap, len, err, err_size) :
			      fail(err, err_size, "pcap: expected one file");
	else
		rc = build(w, n, frame, cap, len, err, err_size, 0);
	if (rc == -ENOSPC && err[0] == '\0')
		snprintf(err, err_size, "frame larger than %zu bytes", cap);
	if (rc == 0 && *len < 14)
		return fail(err, err_size, "frame of %u bytes: shorter than an Ethernet header",
			    *len);
	return rc;
}

int
fpctl_trace_decode(const void *buf, uint32_t size, struct fpctl_trace *t)
{
	const uint8_t *p = buf, *end = p + size;
	struct fp_ctl_trace h;
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->engine = "dpdk";
	if (size < sizeof(h))
		return -EPROTO;
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	if (h.n_steps > FP_CTL_TRACE_STEP_MAX || h.n_out > FP_CTL_TRACE_OUT_MAX ||
	    (h.drop > FP_DROP_MAX) || (size_t)(end - p) < h.n_steps * sizeof(t->steps[0]))
		return -EPROTO;
	t->in_port = h.in_port;
	t->drop = h.drop;
	t->n_steps = h.n_steps;
	t->n_out = h.n_out;
	t->n_cut = h.n_cut;
	memcpy(t->steps, p, h.n_steps * sizeof(t->steps[0]));
	p += h.n_steps * sizeof(t->steps[0]);
	for (i = 0; i < h.n_steps; i++) {
		if (t->steps[i].step >= FP_TRACE_STEP_ID_MAX)
			return -EPROTO;
		t->steps[i].text[sizeof(t->steps[i].text) - 1] = '\0';
	}
	for (i = 0; i < h.n_out; i++) {
		struct fp_ctl_trace_out o;

		if ((size_t)(end - p) < sizeof(o))
			return -EPROTO;
		memcpy(&o, p, sizeof(o));
		p += sizeof(o);
		if (o.len > FP_CTL_TRACE_FRAME_MAX + 256 ||
		    (size_t)(end - p) < ((o.len + 7U) & ~7U))
			return -EPROTO;
		t->out[i].port = o.port;
		t->out[i].len = o.len;
		t->out[i].bytes = p;
		p += (o.len + 7U) & ~7U;
	}
	return p == end ? 0 : -EPROTO;
}

const char *
fpctl_trace_verdict(const struct fpctl_trace *t)
{
	uint32_t i;

	if (t->drop < FP_DROP_MAX)
		return "drop";
	for (i = 0; i < t->n_steps; i++) {
		if (t->steps[i].step == FP_TRACE_REPLY && t->n_out)
			return "reply";
		if (t->steps[i].step == FP_TRACE_FLOOD)
			return "flood";
	}
	return t->n_out ? "forward" : "drop";
}

const char *
fpctl_trace_drop_name(uint16_t drop)
{
	return drop < FP_DROP_MAX ? fp_names_drop[drop] : "none";
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The bytes as hex: one string, or (lines) 16 bytes a line with offsets. */
static void
hex_print(FILE *f, const uint8_t *b, uint32_t len, int lines)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (lines && i % 16 == 0)
			fprintf(f, "%s  %04x ", i ? "\n" : "", i);
		fprintf(f, lines ? " %02x" : "%02x", b[i]);
	}
	if (lines)
		fputc('\n', f);
}

void
fpctl_trace_print(FILE *f, const struct fpctl_trace *t, int json, int hex)
{
	const char *drop = t->drop < FP_DROP_MAX ? fp_names_drop[t->drop] : NULL;
	uint32_t i;

	if (json) {
		fprintf(f, "{\"engine\":\"%s\",\"in_port\":%u,\"len\":%u,\"verdict\":\"%s\",",
			t->engine, t->in_port, t->in_len, fpctl_trace_verdict(t));
		fprintf(f, "\"drop\":");
		if (drop != NULL)
			json_str(f, drop);
		else
			fputs("null", f);
		if (t->xdp_action != NULL)
			fprintf(f, ",\"xdp_action\":\"%s\"", t->xdp_action);
		fprintf(f, ",\"cut\":%u,\"steps\":[", t->n_cut);
		for (i = 0; i < t->n_steps; i++) {
			fprintf(f, "%s{\"step\":\"%s\",\"text\":", i ? "," : "",
				step_names[t->steps[i].step]);
			json_str(f, t->steps[i].text);
			fputc('}', f);
		}
		fputs("],\"outputs\":[", f);
		for (i = 0; i < t->n_out; i++) {
			fprintf(f, "%s{\"port\":%u,\"len\":%u", i ? "," : "", t->out[i].port,
				t->out[i].len);
			if (t->out[i].bytes != NULL) {
				fputs(",\"hex\":\"", f);
				hex_print(f, t->out[i].bytes, t->out[i].len, 0);
				fputc('"', f);
			}
			fputc('}', f);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "trace (%s): %u bytes in on port %u\n", t->engine, t->in_len, t->in_port);
	for (i = 0; i < t->n_steps; i++)
		fprintf(f, "  %-9s %s\n", step_names[t->steps[i].step], t->steps[i].text);
	if (t->n_cut)
		fprintf(f, "  (%u more steps or outputs not recorded)\n", t->n_cut);
	if (t->xdp_action != NULL)
		fprintf(f, "xdp action: %s\n", t->xdp_action);
	fprintf(f, "verdict: %s", fpctl_trace_verdict(t));
	if (drop != NULL)
		fprintf(f, " (%s)", drop);
	for (i = 0; i < t->n_out; i++)
		fprintf(f, "%s%u", i ? ", " : " -> port ", t->out[i].port);
	fputc('\n', f);
	for (i = 0; hex && i < t->n_out; i++) {
		if (t->out[i].bytes == NULL)
			continue;
		fprintf(f, "output %u: port %u, %u bytes\n", i, t->out[i].port, t->out[i].len);
		hex_print(f, t->out[i].bytes, t->out[i].len, 1);
	}
}
