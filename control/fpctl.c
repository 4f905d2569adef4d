/* SPDX-License-Identifier: BSD-3-Clause */
/* fpctl: the operator's CLI for fp-dpdk's control socket, or for the
 * XDP engine's pinned maps (--xdp INSTANCE).
 *
 *   fpctl [-s SOCKET | --xdp INSTANCE] [--json] show ports|stats [--workers]|drops|tables
 *   fpctl [-s SOCKET | --xdp INSTANCE] [--json] dump port|vtep|fdb|flood|neigh
 *   fpctl [-s SOCKET | --xdp INSTANCE] [--json] show conntrack [zone N]
 *   fpctl [-s SOCKET | --xdp INSTANCE] add|del TABLE ...
 *
 * The socket is -s, else $FP_CTL_SOCKET, else FPCTL_DEFAULT_SOCKET.  Options
 * may stand anywhere on the line.  Each add or del is one transaction (on
 * XDP: checked whole, then written in make-before-break order).  For XDP,
 * "workers" are CPUs (the per-CPU counters).
 * A dump prints each entry in the syntax of the add that makes it.
 *
 * Results go to stdout; errors go through lib/log.h (stderr, the
 * daemons' line format, level error).  Exit status: 0 done; 1 bad usage,
 * or the server refused; 2 cannot connect.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flowplane/ctl.h>
#include <flowplane/tables.h>

#include <bpf/libbpf.h>

#include <flowplane/xdp.h>

#include "addr.h"
#include "backend.h"
#include "check.h"
#include "clock.h"
#include "ctl_client.h"
#include "log.h"
#include "trace_pkt.h"
#include "trace_xdp.h"
#include "unix_addr.h"
#include "names.h"
#include "dhcp4.h"
#include "dhcp6.h"
#include "ra.h"
#include "version.h"

#define FPCTL_DEFAULT_SOCKET "/run/flowplane/fp-dpdk.sock"
#define FPCTL_EXIT_FAIL 1    /* bad usage, refused change, server error */
#define FPCTL_EXIT_CONNECT 2 /* no fp-dpdk at the socket */
#define FPCTL_REFUSED 1	     /* build_change(): the entry validator refused it */
#define FPCTL_ADDR_STR (FP_ADDR_IP_STR + 4 + FP_ADDR_MAC_STR + 1) /* ip/plen@mac */

/* The command line, options taken out. */
struct fpctl_opts {
	const char *socket; /* control socket path */
	const char *xdp;    /* --xdp instance, or NULL: fp-dpdk */
	int json;	    /* --json */
	int workers;	    /* --workers */
	int hex;	    /* --hex: trace output bytes */
	int help;	    /* -h, --help */
	int version;	    /* -V, --version */
	int n_args;	    /* words in args */
	char **args;	    /* the command words */
};

/* One change built from the command line. */
struct fpctl_change {
	uint16_t table; /* FP_TABLE_* */
	int del;	/* delete, not set */
	union {
		struct fp_port_key port;       /* FP_TABLE_PORT */
		struct fp_vtep_key vtep;       /* FP_TABLE_VTEP */
		struct fp_fdb_key fdb;	       /* FP_TABLE_FDB */
		struct fp_flood_key flood;     /* FP_TABLE_FLOOD */
		struct fp_neigh_key neigh;     /* FP_TABLE_NEIGH */
		struct fp_ruleset_key ruleset; /* FP_TABLE_RULESET */
		struct fp_addrset_key addrset; /* FP_TABLE_ADDRSET */
		struct fp_route_key route;     /* FP_TABLE_ROUTE */
		struct fp_nat_key nat;	       /* FP_TABLE_NAT */
		struct fp_dhcp_key dhcp;       /* FP_TABLE_DHCP */
		struct fp_ra_key ra;	       /* FP_TABLE_RA */
		struct fp_dhcp6_key dhcp6;     /* FP_TABLE_DHCP6 */
		struct fp_segment_key segment; /* FP_TABLE_SEGMENT */
	} key;				       /* the entry's key, pads zero */
	union {
		struct fp_port_val port;       /* FP_TABLE_PORT */
		struct fp_vtep_val vtep;       /* FP_TABLE_VTEP */
		struct fp_fdb_val fdb;	       /* FP_TABLE_FDB */
		struct fp_flood_val flood;     /* FP_TABLE_FLOOD */
		struct fp_neigh_val neigh;     /* FP_TABLE_NEIGH */
		struct fp_ruleset_val ruleset; /* FP_TABLE_RULESET */
		struct fp_addrset_val addrset; /* FP_TABLE_ADDRSET */
		struct fp_route_val route;     /* FP_TABLE_ROUTE */
		struct fp_nat_val nat;	       /* FP_TABLE_NAT */
		struct fp_dhcp_val dhcp;       /* FP_TABLE_DHCP */
		struct fp_ra_val ra;	       /* FP_TABLE_RA */
		struct fp_dhcp6_val dhcp6;     /* FP_TABLE_DHCP6 */
		struct fp_segment_val segment; /* FP_TABLE_SEGMENT */
	} val;				       /* the value for a set, pads zero */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: fpctl [-s SOCKET | --xdp INSTANCE] [--json] COMMAND\n"
		"  -s, --socket PATH   control socket (default $FP_CTL_SOCKET, else " FPCTL_DEFAULT_SOCKET
		")\n"
		"      --xdp INSTANCE  the XDP engine's maps (" FP_XDP_PIN_ROOT "/INSTANCE)\n"
		"      --json          machine-readable output (show, dump)\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version and exit\n"
		"commands:\n"
		"  show ports | stats [--workers] | drops | tables\n"
		"  show conntrack [zone PORT_ID]   (at most 10000 connections)\n"
		"  show slowpath   (fp-dpdk: punted DHCP/RA answered, ring depth, drops)\n"
		"  dump port | vtep | fdb | flood | neigh | ruleset | addrset | route | nat\n"
		"      | dhcp | ra | dhcp6 | segment\n"
		"  add port ID vni VNI mac MAC [vrf N] [mtu N] [antispoof on|off]\n"
		"           [addr IP[/PLEN][@MAC]]... [sg RULESET_ID]\n"
		"  add vtep ID remote IP local IP nh-mac MAC port UNDERLAY_PORT_ID\n"
		"           [encap vxlan|geneve]\n"
		"  add fdb VNI MAC port ID | vtep ID | router ID | phys ID [vlan V]\n"
		"  add flood VNI [port ID | vtep ID | phys ID [vlan V]]...\n"
		"      (VNI: a VNI, or a provider network 16777217.. (0x1000000 + n))\n"
		"  add neigh VRF IP mac MAC vni VNI [local-only on|off]\n"
		"  add ruleset ID egress|ingress [stateful] [rule RULE_ID ipv4|ipv6 [proto P]\n"
		"           [ports MIN-MAX] [icmp TYPE[/CODE]] [remote IP[/PLEN] | set SET_ID]]...\n"
		"  add addrset SET_ID IP[/PLEN]\n"
		"  add route VRF IP[/PLEN] local | blackhole\n"
		"      | connected|nexthop vni VNI mac MAC mtu MTU addr IP\n"
		"  add nat snat VRF FIXED_IP to FLOATING_IP net NET mac MAC\n"
		"      | dnat NET FLOATING_IP to FIXED_IP vrf VRF  (fp-dpdk only)\n"
		"  add dhcp PORT mac MAC addr IP/PLEN server IP [router IP] [lease S] [mtu N]\n"
		"           [dns IP]... [route PREFIX,GW]...  (fp-dpdk only)\n"
		"  add ra NET mac MAC mode slaac|dhcpv6-stateless|dhcpv6-stateful\n"
		"           [prefix PREFIX]... [src IP] [mtu N] [lifetime S] [interval MIN-MAX]\n"
		"           [dns IP]...  (fp-dpdk only)\n"
		"  add dhcp6 PORT mac MAC server-mac MAC [addr IP] [preferred S] [valid S]\n"
		"           [dns IP]...  (fp-dpdk only)\n"
		"  add segment PHYS_PORT_ID VLAN NET  (VLAN 0: untagged; fp-dpdk only)\n"
		"  del port ID | vtep ID | fdb VNI MAC | flood VNI | neigh VRF IP\n"
		"      | ruleset ID egress|ingress | addrset SET_ID IP[/PLEN]\n"
		"      | route VRF IP[/PLEN] | nat snat|dnat SCOPE IP | dhcp PORT | ra NET\n"
		"      | dhcp6 PORT | segment PORT_ID VLAN\n"
		"  trace in-port ID [--hex] hex BYTES | pcap FILE | eth SRC>DST ...\n"
		"           (see doc/trace.md: runs the packet through the engine, sends nothing)\n"
		"exit status: 0 ok, 1 usage or refused, 2 cannot connect\n");
}

/* A usage error or a refused value: logged, -EINVAL. */
static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fp_vlog(FP_LOG_ERR, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Parsing */

static int
parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* IP[/PLEN][@MAC]; plen is stored in IPv6 bits (IPv4 /n is 96 + n). */
static int
parse_port_addr(const char *arg, struct fp_port_addr *a)
{
	char buf[FPCTL_ADDR_STR];
	char *at, *slash;
	uint32_t plen, max;
	int v4, bit;

	memset(a, 0, sizeof(*a));
	if (strlen(arg) >= sizeof(buf))
		return bad("addr '%s': too long", arg);
	memcpy(buf, arg, strlen(arg) + 1);
	at = strchr(buf, '@');
	if (at != NULL) {
		*at++ = '\0';
		if (fp_addr_mac_parse(at, a->mac, FP_ADDR_MAC_SHORT) != 0)
			return bad("addr '%s': bad MAC '%s'", arg, at);
	}
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	v4 = fp_addr_ip_parse(buf, &a->ip);
	if (v4 < 0)
		return bad("addr '%s': bad IP address '%s'", arg, buf);
	v4 = v4 == AF_INET;
	max = v4 ? 32 : 128;
	plen = max;
	if (slash != NULL && parse_u32(slash, max, &plen) != 0)
		return bad("addr '%s': prefix length must be 0..%u", arg, max);
	a->plen = (uint8_t)(v4 ? 96 + plen : plen);
	for (bit = a->plen; bit < 128; bit++) {
		if (a->ip.b[bit / 8] & (0x80 >> (bit % 8)))
			return bad("addr '%s': host bits set beyond /%u", arg, plen);
	}
	return 0;
}

/* Keyword-value pairs after the positional words: words[i] is a keyword
 * from kw[], words[i + 1] its value.  Sets seen[k] and returns the values.
 */
static int
parse_kv(char **words, int n, const char *const kw[], int n_kw, const char *what,
	 const char *vals[], int multi)
{
	int i, k;

	for (i = 0; i < n; i += 2) {
		for (k = 0; k < n_kw; k++) {
			if (strcmp(words[i], kw[k]) == 0)
				break;
		}
		if (k == n_kw)
			return bad("%s: unknown keyword '%s'", what, words[i]);
		if (i + 1 >= n)
			return bad("%s: '%s' needs a value", what, words[i]);
		if (vals[k] != NULL && !(multi & (1 << k)))
			return bad("%s: '%s' given twice", what, words[i]);
		vals[k] = words[i + 1];
	}
	return 0;
}

enum { PK_VNI, PK_MAC, PK_VRF, PK_MTU, PK_ANTISPOOF, PK_ADDR, PK_SG, PK_MAX };

/* A network id: a VNI, or a provider network's FP_NET_PROVIDER | n
 * (16777217..33554431); the engine's check says whether it carries it.
 */
static int
parse_vni(const char *s, uint32_t *vni)
{
	return parse_u32(s, FP_NET_PROVIDER | FP_NET_PROVIDER_MAX, vni) == 0 && *vni != 0 &&
			       *vni != FP_NET_PROVIDER ?
		       0 :
		       -EINVAL;
}

static int
build_port(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[PK_MAX] = { "vni",	     "mac",  "vrf", "mtu",
						"antispoof", "addr", "sg" };
	const char *v[PK_MAX] = { NULL };
	struct fp_port_val *pv = &ch->val.port;
	uint32_t x;
	int i, rc;

	if (n < 1 || parse_u32(w[0], FP_PORT_MAX - 1, &ch->key.port.port_id) != 0)
		return bad("add port: ID must be 0..%u", FP_PORT_MAX - 1);
	rc = parse_kv(w + 1, n - 1, kw, PK_MAX, "add port", v, 1 << PK_ADDR);
	if (rc != 0)
		return rc;
	if (v[PK_VNI] == NULL || v[PK_MAC] == NULL)
		return bad("add port: 'vni' and 'mac' are required");
	pv->role = FP_PORT_ROLE_VM;
	if (parse_vni(v[PK_VNI], &pv->vni) != 0)
		return bad("add port: vni must be 1..%u or a provider network", FP_VNI_MAX);
	if (fp_addr_mac_parse(v[PK_MAC], pv->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add port: bad MAC '%s'", v[PK_MAC]);
	if (v[PK_VRF] != NULL && parse_u32(v[PK_VRF], UINT32_MAX, &pv->vrf) != 0)
		return bad("add port: bad vrf '%s'", v[PK_VRF]);
	if (v[PK_MTU] != NULL) {
		if (parse_u32(v[PK_MTU], UINT16_MAX, &x) != 0)
			return bad("add port: bad mtu '%s'", v[PK_MTU]);
		pv->mtu = (uint16_t)x;
	}
	if (v[PK_ANTISPOOF] != NULL) {
		if (strcmp(v[PK_ANTISPOOF], "on") == 0)
			pv->flags |= FP_PORT_F_ANTISPOOF;
		else if (strcmp(v[PK_ANTISPOOF], "off") != 0)
			return bad("add port: antispoof must be on or off");
	}
	if (v[PK_SG] != NULL) {
		if (parse_u32(v[PK_SG], UINT32_MAX, &pv->ruleset) != 0 || pv->ruleset == 0)
			return bad("add port: sg takes a ruleset id 1..%u", UINT32_MAX);
		pv->flags |= FP_PORT_F_SG;
	}
	/* Every addr, in command-line order. */
	for (i = 1; i + 1 < n; i += 2) {
		if (strcmp(w[i], "addr") != 0)
			continue;
		if (pv->n_addrs == FP_PORT_ADDR_MAX)
			return bad("add port: at most %u addr", FP_PORT_ADDR_MAX);
		rc = parse_port_addr(w[i + 1], &pv->addrs[pv->n_addrs]);
		if (rc != 0)
			return rc;
		pv->n_addrs++;
	}
	return 0;
}

enum { VK_REMOTE, VK_LOCAL, VK_NH_MAC, VK_PORT, VK_ENCAP, VK_MAX };

static int
build_vtep(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[VK_MAX] = { "remote", "local", "nh-mac", "port", "encap" };
	const char *v[VK_MAX] = { NULL };
	struct fp_vtep_val *vv = &ch->val.vtep;
	int rc, e;

	if (n < 1 || parse_u32(w[0], UINT32_MAX, &ch->key.vtep.vtep_id) != 0)
		return bad("add vtep: bad ID '%s'", n < 1 ? "" : w[0]);
	rc = parse_kv(w + 1, n - 1, kw, VK_MAX, "add vtep", v, 0);
	if (rc != 0)
		return rc;
	if (v[VK_REMOTE] == NULL || v[VK_LOCAL] == NULL || v[VK_NH_MAC] == NULL ||
	    v[VK_PORT] == NULL)
		return bad("add vtep: 'remote', 'local', 'nh-mac' and 'port' are required");
	if (fp_addr_ip_parse(v[VK_REMOTE], &vv->remote) < 0)
		return bad("add vtep: bad remote IP '%s'", v[VK_REMOTE]);
	if (fp_addr_ip_parse(v[VK_LOCAL], &vv->local) < 0)
		return bad("add vtep: bad local IP '%s'", v[VK_LOCAL]);
	if (fp_addr_mac_parse(v[VK_NH_MAC], vv->nh_mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add vtep: bad nh-mac '%s'", v[VK_NH_MAC]);
	if (parse_u32(v[VK_PORT], FP_PORT_MAX - 1, &vv->underlay_port) != 0)
		return bad("add vtep: port must be 0..%u", FP_PORT_MAX - 1);
	vv->encap = FP_ENCAP_VXLAN;
	if (v[VK_ENCAP] != NULL) {
		e = fp_names_find(fp_names_encap, FP_ENCAP_MAX, v[VK_ENCAP]);
		if (e < 0)
			return bad("add vtep: encap must be vxlan or geneve");
		vv->encap = (uint16_t)e;
	}
	return 0;
}

/* "port ID" / "vtep ID" (/ "router ID" if router) into type and id. */
static int
parse_dest(const char *type, const char *id, int router, uint16_t *t, uint32_t *out)
{
	int d = fp_names_find(fp_names_dest, FP_DEST_MAX, type);

	if (d != FP_DEST_PORT && d != FP_DEST_VTEP && !(router && d == FP_DEST_ROUTER))
		return -EINVAL;
	if (id == NULL || parse_u32(id, UINT32_MAX, out) != 0)
		return -EINVAL;
	*t = (uint16_t)d;
	return 0;
}

/* "phys ID [vlan V]" at w[0..n): the words used (2 or 4), or -EINVAL. */
static int
parse_phys(char **w, int n, uint32_t *id, uint16_t *vlan)
{
	uint32_t v = 0;

	if (n < 2 || strcmp(w[0], "phys") != 0 || parse_u32(w[1], FP_PORT_MAX - 1, id) != 0)
		return -EINVAL;
	if (n >= 4 && strcmp(w[2], "vlan") == 0) {
		if (parse_u32(w[3], FP_VLAN_MAX, &v) != 0)
			return -EINVAL;
		*vlan = (uint16_t)v;
		return 4;
	}
	*vlan = 0;
	return 2;
}

static int
build_fdb_key(char **w, int n, const char *what, struct fp_fdb_key *k)
{
	if (n < 2)
		return bad("%s fdb: VNI and MAC are required", what);
	if (parse_vni(w[0], &k->vni) != 0)
		return bad("%s fdb: vni must be 1..%u or a provider network", what, FP_VNI_MAX);
	if (fp_addr_mac_parse(w[1], k->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("%s fdb: bad MAC '%s'", what, w[1]);
	return 0;
}

static int
build_fdb(char **w, int n, struct fpctl_change *ch)
{
	int rc = build_fdb_key(w, n, "add", &ch->key.fdb);

	if (rc != 0)
		return rc;
	if (parse_phys(w + 2, n - 2, &ch->val.fdb.id, &ch->val.fdb.flags) == n - 2) {
		ch->val.fdb.type = FP_DEST_PHYS;
		return 0;
	}
	if (n != 4 || parse_dest(w[2], w[3], 1, &ch->val.fdb.type, &ch->val.fdb.id) != 0)
		return bad("add fdb: expected VNI MAC port ID | vtep ID | router ID | phys ID "
			   "[vlan V]");
	return 0;
}

static int
build_flood(char **w, int n, struct fpctl_change *ch)
{
	struct fp_flood_val *fv = &ch->val.flood;
	int i;

	if (n < 1 || parse_vni(w[0], &ch->key.flood.vni) != 0)
		return bad("add flood: vni must be 1..%u or a provider network", FP_VNI_MAX);
	for (i = 1; i < n; i += 2) {
		struct fp_flood_member *m = &fv->members[fv->n_members];
		int used;

		if (fv->n_members == FP_FLOOD_MEMBER_MAX)
			return bad("add flood: at most %u members", FP_FLOOD_MEMBER_MAX);
		used = parse_phys(w + i, n - i, &m->id, &m->vlan);
		if (used > 0) {
			m->type = FP_DEST_PHYS;
			fv->n_members++;
			i += used - 2;
			continue;
		}
		if (parse_dest(w[i], i + 1 < n ? w[i + 1] : NULL, 0, &m->type, &m->id) != 0)
			return bad("add flood: members are 'port ID', 'vtep ID' or 'phys ID [vlan "
				   "V]', not '%s'",
				   w[i]);
		fv->n_members++;
	}
	return 0;
}

static int
build_neigh_key(char **w, int n, const char *what, struct fp_neigh_key *k)
{
	if (n < 2)
		return bad("%s neigh: VRF and IP are required", what);
	if (parse_u32(w[0], UINT32_MAX, &k->vrf) != 0)
		return bad("%s neigh: bad vrf '%s'", what, w[0]);
	if (fp_addr_ip_parse(w[1], &k->ip) < 0)
		return bad("%s neigh: bad IP address '%s'", what, w[1]);
	return 0;
}

enum { NK_MAC, NK_VNI, NK_LOCAL_ONLY, NK_MAX };

static int
build_neigh(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[NK_MAX] = { "mac", "vni", "local-only" };
	const char *v[NK_MAX] = { NULL };
	int rc;

	rc = build_neigh_key(w, n, "add", &ch->key.neigh);
	if (rc != 0)
		return rc;
	rc = parse_kv(w + 2, n - 2, kw, NK_MAX, "add neigh", v, 0);
	if (rc != 0)
		return rc;
	if (v[NK_MAC] == NULL || v[NK_VNI] == NULL)
		return bad("add neigh: 'mac' and 'vni' are required");
	if (fp_addr_mac_parse(v[NK_MAC], ch->val.neigh.mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add neigh: bad MAC '%s'", v[NK_MAC]);
	if (parse_vni(v[NK_VNI], &ch->val.neigh.vni) != 0)
		return bad("add neigh: vni must be 1..%u or a provider network", FP_VNI_MAX);
	if (v[NK_LOCAL_ONLY] != NULL && strcmp(v[NK_LOCAL_ONLY], "on") != 0 &&
	    strcmp(v[NK_LOCAL_ONLY], "off") != 0)
		return bad("add neigh: local-only must be on or off");
	if (v[NK_LOCAL_ONLY] != NULL && strcmp(v[NK_LOCAL_ONLY], "on") == 0)
		ch->val.neigh.flags = FP_NEIGH_F_LOCAL_ONLY;
	return 0;
}

/* A prefix (IP or IP/PLEN, host bits zero) in IPv6 bits. */
static int
parse_prefix(const char *what, const char *s, struct fp_ip *ip, uint8_t *plen)
{
	if (fp_addr_prefix_parse(s, ip, plen, FP_ADDR_PREFIX | FP_ADDR_HOST_ZERO, NULL) != 0)
		return bad("%s: bad prefix '%s' (IP or IP/PLEN, host bits zero)", what, s);
	return 0;
}

static int
parse_dir(const char *what, const char *s, uint16_t *dir)
{
	if (s != NULL && strcmp(s, "egress") == 0)
		*dir = FP_SG_DIR_EGRESS;
	else if (s != NULL && strcmp(s, "ingress") == 0)
		*dir = FP_SG_DIR_INGRESS;
	else
		return bad("%s ruleset: direction must be egress or ingress", what);
	return 0;
}

static int
build_ruleset_key(char **w, int n, const char *what, struct fp_ruleset_key *k)
{
	if (n < 2 || parse_u32(w[0], UINT32_MAX, &k->ruleset_id) != 0 || k->ruleset_id == 0)
		return bad("%s ruleset: ID must be 1..%u", what, UINT32_MAX);
	return parse_dir(what, w[1], &k->dir);
}

/* "rule ID ipv4|ipv6 [proto P] [ports MIN-MAX] [icmp T[/C]] [remote PFX | set N]":
 * w[0] is the rule id; returns the words used, or -EINVAL.
 */
static int
parse_rule(char **w, int n, struct fp_sg_rule *r)
{
	uint32_t a, b;
	char *dash;
	int i;

	if (n < 2 || parse_u32(w[0], UINT32_MAX, &r->rule_id) != 0 || r->rule_id == 0)
		return bad("add ruleset: rule needs an ID 1..%u and ipv4 or ipv6", UINT32_MAX);
	if (strcmp(w[1], "ipv4") == 0)
		r->family = 4;
	else if (strcmp(w[1], "ipv6") == 0)
		r->family = 6;
	else
		return bad("add ruleset: rule %u: family must be ipv4 or ipv6", r->rule_id);
	for (i = 2; i < n && strcmp(w[i], "rule") != 0; i += 2) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (v == NULL)
			return bad("add ruleset: rule %u: '%s' needs a value", r->rule_id, k);
		if (strcmp(k, "proto") == 0) {
			if (strcmp(v, "tcp") == 0)
				a = 6;
			else if (strcmp(v, "udp") == 0)
				a = 17;
			else if (strcmp(v, "icmp") == 0)
				a = 1;
			else if (strcmp(v, "icmpv6") == 0)
				a = 58;
			else if (parse_u32(v, 255, &a) != 0)
				return bad("add ruleset: rule %u: bad proto '%s'", r->rule_id, v);
			r->flags |= FP_SG_RULE_F_PROTO;
			r->proto = (uint8_t)a;
		} else if (strcmp(k, "ports") == 0) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%s", v);
			dash = strchr(buf, '-');
			if (dash != NULL)
				*dash++ = '\0';
			if (parse_u32(buf, 65535, &a) != 0 ||
			    parse_u32(dash != NULL ? dash : buf, 65535, &b) != 0)
				return bad("add ruleset: rule %u: ports must be MIN-MAX",
					   r->rule_id);
			r->flags |= FP_SG_RULE_F_PORTS;
			r->port_min = (uint16_t)a;
			r->port_max = (uint16_t)b;
		} else if (strcmp(k, "icmp") == 0) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%s", v);
			dash = strchr(buf, '/');
			if (dash != NULL)
				*dash++ = '\0';
			if (parse_u32(buf, 255, &a) != 0 ||
			    (dash != NULL && parse_u32(dash, 255, &b) != 0))
				return bad("add ruleset: rule %u: icmp must be TYPE[/CODE]",
					   r->rule_id);
			r->flags |= FP_SG_RULE_F_ICMP_TYPE;
			r->icmp_type = (uint8_t)a;
			if (dash != NULL) {
				r->flags |= FP_SG_RULE_F_ICMP_CODE;
				r->icmp_code = (uint8_t)b;
			}
		} else if (strcmp(k, "remote") == 0) {
			if (parse_prefix("add ruleset", v, &r->remote, &r->plen) != 0)
				return -EINVAL;
		} else if (strcmp(k, "set") == 0) {
			if (parse_u32(v, UINT32_MAX, &r->addrset) != 0 || r->addrset == 0)
				return bad("add ruleset: rule %u: set must be 1..%u", r->rule_id,
					   UINT32_MAX);
			r->flags |= FP_SG_RULE_F_ADDRSET;
		} else {
			return bad("add ruleset: rule %u: unknown keyword '%s'", r->rule_id, k);
		}
	}
	return i;
}

static int
build_ruleset(char **w, int n, struct fpctl_change *ch)
{
	struct fp_ruleset_val *rv = &ch->val.ruleset;
	int i = 2, used;

	if (build_ruleset_key(w, n, "add", &ch->key.ruleset) != 0)
		return -EINVAL;
	if (i < n && strcmp(w[i], "stateful") == 0) {
		rv->flags |= FP_RULESET_F_STATEFUL;
		i++;
	}
	while (i < n) {
		if (strcmp(w[i], "rule") != 0)
			return bad("add ruleset: expected 'rule', got '%s'", w[i]);
		if (rv->n_rules == FP_SG_RULE_MAX)
			return bad("add ruleset: at most %u rules", FP_SG_RULE_MAX);
		used = parse_rule(w + i + 1, n - i - 1, &rv->rules[rv->n_rules]);
		if (used < 0)
			return used;
		rv->n_rules++;
		i += 1 + used;
	}
	return 0;
}

static int
build_addrset_key(char **w, int n, const char *what, struct fp_addrset_key *k)
{
	if (n != 2 || parse_u32(w[0], UINT32_MAX, &k->set_id) != 0 || k->set_id == 0)
		return bad("%s addrset: expected SET_ID (1..%u) IP[/PLEN]", what, UINT32_MAX);
	return parse_prefix(strcmp(what, "add") == 0 ? "add addrset" : "del addrset", w[1], &k->ip,
			    &k->plen) != 0 ?
		       -EINVAL :
		       0;
}

static int
build_route_key(char **w, int n, const char *what, struct fp_route_key *k)
{
	if (n < 2 || parse_u32(w[0], UINT32_MAX, &k->vrf) != 0 || k->vrf == 0)
		return bad("%s route: expected VRF (1..%u) IP[/PLEN]", what, UINT32_MAX);
	return parse_prefix(strcmp(what, "add") == 0 ? "add route" : "del route", w[1], &k->ip,
			    &k->plen) != 0 ?
		       -EINVAL :
		       0;
}

enum { RK_VNI, RK_MAC, RK_MTU, RK_ADDR, RK_MAX };

/* "VRF PREFIX TYPE [vni N] [mac MAC] [mtu N] [addr IP]" */
static int
build_route(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[RK_MAX] = { "vni", "mac", "mtu", "addr" };
	const char *v[RK_MAX] = { NULL };
	struct fp_route_val *rv = &ch->val.route;
	uint32_t x;
	int t, rc;

	rc = build_route_key(w, n, "add", &ch->key.route);
	if (rc != 0)
		return rc;
	t = n > 2 ? fp_names_find(fp_names_route_type, FP_ROUTE_TYPE_MAX, w[2]) : -ENOENT;
	if (t <= FP_ROUTE_NONE)
		return bad("add route: type must be local, connected, nexthop or blackhole");
	rv->type = (uint16_t)t;
	rc = parse_kv(w + 3, n - 3, kw, RK_MAX, "add route", v, 0);
	if (rc != 0)
		return rc;
	if (t == FP_ROUTE_LOCAL)
		rv->addr = ch->key.route.ip;
	if (v[RK_VNI] != NULL && parse_vni(v[RK_VNI], &rv->vni) != 0)
		return bad("add route: vni must be 1..%u or a provider network", FP_VNI_MAX);
	if (v[RK_MAC] != NULL && fp_addr_mac_parse(v[RK_MAC], rv->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add route: bad MAC '%s'", v[RK_MAC]);
	if (v[RK_MTU] != NULL) {
		if (parse_u32(v[RK_MTU], UINT16_MAX, &x) != 0)
			return bad("add route: bad mtu '%s'", v[RK_MTU]);
		rv->mtu = (uint16_t)x;
	}
	if (v[RK_ADDR] != NULL && fp_addr_ip_parse(v[RK_ADDR], &rv->addr) < 0)
		return bad("add route: bad IP address '%s'", v[RK_ADDR]);
	return 0;
}

static int
build_nat_key(char **w, int n, const char *what, struct fp_nat_key *k)
{
	if (n < 3 || (strcmp(w[0], "snat") != 0 && strcmp(w[0], "dnat") != 0))
		return bad("%s nat: expected snat VRF IP or dnat NET IP", what);
	k->dir = strcmp(w[0], "snat") == 0 ? FP_NAT_SNAT : FP_NAT_DNAT;
	if (parse_u32(w[1], UINT32_MAX, &k->scope) != 0)
		return bad("%s nat: bad %s '%s'", what, k->dir == FP_NAT_SNAT ? "vrf" : "network",
			   w[1]);
	if (fp_addr_ip_parse(w[2], &k->ip) < 0)
		return bad("%s nat: bad IP address '%s'", what, w[2]);
	return 0;
}

/* "snat VRF FIXED to FLOATING net NET mac MAC" | "dnat NET FLOATING to FIXED vrf VRF" */
static int
build_nat(char **w, int n, struct fpctl_change *ch)
{
	struct fp_nat_val *nv = &ch->val.nat;
	int snat, rc;

	rc = build_nat_key(w, n, "add", &ch->key.nat);
	if (rc != 0)
		return rc;
	snat = ch->key.nat.dir == FP_NAT_SNAT;
	if (n != (snat ? 9 : 7) || strcmp(w[3], "to") != 0 ||
	    strcmp(w[5], snat ? "net" : "vrf") != 0 || (snat && strcmp(w[7], "mac") != 0))
		return bad("add nat: expected snat VRF FIXED_IP to FLOATING_IP net NET mac MAC, or "
			   "dnat NET FLOATING_IP to FIXED_IP vrf VRF");
	if (fp_addr_ip_parse(w[4], &nv->ip) < 0)
		return bad("add nat: bad IP address '%s'", w[4]);
	if (parse_u32(w[6], UINT32_MAX, &nv->scope) != 0)
		return bad("add nat: bad %s '%s'", snat ? "network" : "vrf", w[6]);
	if (snat && fp_addr_mac_parse(w[8], nv->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add nat: bad MAC '%s'", w[8]);
	return 0;
}

/* The slow path's tables (doc/routing.md "The slow path"). */

/* An IPv4 address (family 4) or an IPv6 one (6) into out. */
static int
parse_ip_family(const char *s, int family, uint8_t *out)
{
	struct fp_ip ip;
	int af = fp_addr_ip_parse(s, &ip);

	if (family == 4 && af == AF_INET)
		memcpy(out, ip.b + 12, 4);
	else if (family == 6 && af == AF_INET6)
		memcpy(out, ip.b, 16);
	else
		return -EINVAL;
	return 0;
}

/* Every value of keyword kw in w[0..n), parsed as addresses of family into
 * out[max][len]; *count set.
 */
static int
parse_ip_list(char **w, int n, const char *kw, const char *what, int family, uint8_t *out,
	      uint32_t max, uint8_t *count)
{
	uint32_t len = family == 4 ? 4 : 16;
	int i;

	*count = 0;
	for (i = 0; i + 1 < n; i += 2) {
		if (strcmp(w[i], kw) != 0)
			continue;
		if (*count == max)
			return bad("%s: at most %u %s", what, max, kw);
		if (parse_ip_family(w[i + 1], family, out + *count * len) != 0)
			return bad("%s: bad IPv%d address '%s'", what, family, w[i + 1]);
		(*count)++;
	}
	return 0;
}

static int
parse_u32_opt(const char *s, uint32_t max, uint32_t *out, const char *what, const char *kw)
{
	if (s != NULL && parse_u32(s, max, out) != 0)
		return bad("%s: bad %s '%s'", what, kw, s);
	return 0;
}

enum { DK_MAC, DK_ADDR, DK_SERVER, DK_ROUTER, DK_LEASE, DK_MTU, DK_DNS, DK_ROUTE, DK_MAX };

/* "PORT mac MAC addr IP/PLEN server IP [router IP] [lease S] [mtu N]
 * [dns IP]... [route PREFIX,GW]..."
 */
static int
build_dhcp(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[DK_MAX] = { "mac",	 "addr", "server", "router",
						"lease", "mtu",	 "dns",	   "route" };
	const char *v[DK_MAX] = { NULL };
	struct fp_dhcp_val *dv = &ch->val.dhcp;
	struct fp_ip ip;
	uint32_t x = 86400;
	uint8_t plen;
	int i, rc;

	if (n < 1 || parse_u32(w[0], FP_PORT_MAX - 1, &ch->key.dhcp.port_id) != 0)
		return bad("add dhcp: PORT must be 0..%u", FP_PORT_MAX - 1);
	rc = parse_kv(w + 1, n - 1, kw, DK_MAX, "add dhcp", v, 1 << DK_DNS | 1 << DK_ROUTE);
	if (rc != 0)
		return rc;
	if (v[DK_MAC] == NULL || v[DK_ADDR] == NULL || v[DK_SERVER] == NULL)
		return bad("add dhcp: 'mac', 'addr' and 'server' are required");
	if (fp_addr_mac_parse(v[DK_MAC], dv->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add dhcp: bad MAC '%s'", v[DK_MAC]);
	if (fp_addr_prefix_parse(v[DK_ADDR], &ip, &plen, FP_ADDR_PREFIX, NULL) != 0 ||
	    !fp_addr_ip_is_v4(&ip) || plen <= 96)
		return bad("add dhcp: addr must be IPv4 IP/PLEN, not '%s'", v[DK_ADDR]);
	memcpy(dv->addr, ip.b + 12, 4);
	dv->plen = (uint8_t)(plen - 96);
	if (parse_ip_family(v[DK_SERVER], 4, dv->server) != 0)
		return bad("add dhcp: bad server '%s'", v[DK_SERVER]);
	if (v[DK_ROUTER] != NULL && parse_ip_family(v[DK_ROUTER], 4, dv->router) != 0)
		return bad("add dhcp: bad router '%s'", v[DK_ROUTER]);
	if (parse_u32_opt(v[DK_LEASE], UINT32_MAX, &x, "add dhcp", "lease") != 0)
		return -EINVAL;
	dv->lease = x;
	x = 0;
	if (parse_u32_opt(v[DK_MTU], UINT16_MAX, &x, "add dhcp", "mtu") != 0)
		return -EINVAL;
	dv->mtu = (uint16_t)x;
	rc = parse_ip_list(w + 1, n - 1, "dns", "add dhcp", 4, dv->dns[0], FP_DHCP_DNS_MAX,
			   &dv->n_dns);
	if (rc != 0)
		return rc;
	/* Every route PREFIX,GW, in command-line order. */
	for (i = 1; i + 1 < n; i += 2) {
		struct fp_dhcp_route *r = &dv->routes[dv->n_routes];
		char buf[FPCTL_ADDR_STR], *comma;

		if (strcmp(w[i], "route") != 0)
			continue;
		if (dv->n_routes == FP_DHCP_ROUTE_MAX)
			return bad("add dhcp: at most %u route", FP_DHCP_ROUTE_MAX);
		if (strlen(w[i + 1]) >= sizeof(buf))
			return bad("add dhcp: route '%s': too long", w[i + 1]);
		memcpy(buf, w[i + 1], strlen(w[i + 1]) + 1);
		comma = strchr(buf, ',');
		if (comma == NULL)
			return bad("add dhcp: route '%s': expected PREFIX,GW", w[i + 1]);
		*comma++ = '\0';
		if (fp_addr_prefix_parse(buf, &ip, &plen, FP_ADDR_PREFIX | FP_ADDR_HOST_ZERO,
					 NULL) != 0 ||
		    !fp_addr_ip_is_v4(&ip) || plen < 96 || parse_ip_family(comma, 4, r->gw) != 0)
			return bad("add dhcp: route '%s': expected IPv4 PREFIX,GW", w[i + 1]);
		memcpy(r->dst, ip.b + 12, 4);
		r->plen = (uint8_t)(plen - 96);
		dv->n_routes++;
	}
	return 0;
}

enum { AK_MAC, AK_MODE, AK_PREFIX, AK_SRC, AK_MTU, AK_LIFETIME, AK_INTERVAL, AK_DNS, AK_MAX };

/* "NET mac MAC mode MODE [prefix PREFIX]... [src IP] [mtu N] [lifetime S]
 * [interval MIN-MAX] [dns IP]..."; Neutron's radvd values by default.
 */
static int
build_ra(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[AK_MAX] = { "mac", "mode",	   "prefix",   "src",
						"mtu", "lifetime", "interval", "dns" };
	const char *v[AK_MAX] = { NULL };
	struct fp_ra_val *av = &ch->val.ra;
	uint32_t x, lo = 30, hi = 100;
	uint8_t pfx_flags;
	int i, rc;

	if (n < 1 || parse_vni(w[0], &ch->key.ra.vni) != 0)
		return bad("add ra: NET must be 1..%u", FP_VNI_MAX);
	rc = parse_kv(w + 1, n - 1, kw, AK_MAX, "add ra", v, 1 << AK_PREFIX | 1 << AK_DNS);
	if (rc != 0)
		return rc;
	if (v[AK_MAC] == NULL || v[AK_MODE] == NULL)
		return bad("add ra: 'mac' and 'mode' are required");
	if (fp_addr_mac_parse(v[AK_MAC], av->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add ra: bad MAC '%s'", v[AK_MAC]);
	if (fp_ra_mode_flags(v[AK_MODE], &av->flags, &pfx_flags) != 0)
		return bad("add ra: mode must be slaac, dhcpv6-stateless or dhcpv6-stateful");
	if (v[AK_SRC] != NULL && parse_ip_family(v[AK_SRC], 6, av->src) != 0)
		return bad("add ra: bad src '%s'", v[AK_SRC]);
	x = 0;
	if (parse_u32_opt(v[AK_MTU], UINT16_MAX, &x, "add ra", "mtu") != 0)
		return -EINVAL;
	av->mtu = (uint16_t)x;
	if (v[AK_INTERVAL] != NULL &&
	    (sscanf(v[AK_INTERVAL], "%u-%u", &lo, &hi) != 2 || lo > UINT16_MAX || hi > UINT16_MAX))
		return bad("add ra: interval must be MIN-MAX seconds, not '%s'", v[AK_INTERVAL]);
	av->min_interval = (uint16_t)lo;
	av->max_interval = (uint16_t)hi;
	x = 3 * hi > UINT16_MAX ? UINT16_MAX : 3 * hi;
	if (parse_u32_opt(v[AK_LIFETIME], UINT16_MAX, &x, "add ra", "lifetime") != 0)
		return -EINVAL;
	av->router_lifetime = (uint16_t)x;
	rc = parse_ip_list(w + 1, n - 1, "dns", "add ra", 6, av->dns[0], FP_RA_DNS_MAX, &av->n_dns);
	if (rc != 0)
		return rc;
	if (av->n_dns)
		av->dns_lifetime = 2 * hi;
	for (i = 1; i + 1 < n; i += 2) {
		struct fp_ra_prefix *p = &av->prefixes[av->n_prefixes];
		struct fp_ip ip;

		if (strcmp(w[i], "prefix") != 0)
			continue;
		if (av->n_prefixes == FP_RA_PREFIX_MAX)
			return bad("add ra: at most %u prefix", FP_RA_PREFIX_MAX);
		if (fp_addr_prefix_parse(w[i + 1], &ip, &p->plen,
					 FP_ADDR_PREFIX | FP_ADDR_HOST_ZERO, NULL) != 0 ||
		    fp_addr_ip_is_v4(&ip))
			return bad("add ra: prefix '%s': expected an IPv6 PREFIX/PLEN", w[i + 1]);
		memcpy(p->prefix, ip.b, 16);
		p->flags = p->plen == 64 ? pfx_flags : pfx_flags & ~FP_RA_PFX_F_AUTO;
		p->valid = 86400;
		p->preferred = 14400;
		av->n_prefixes++;
	}
	return 0;
}

enum { SK_MAC, SK_SERVER_MAC, SK_ADDR, SK_PREFERRED, SK_VALID, SK_DNS, SK_MAX };

/* "PORT mac MAC server-mac MAC [addr IP] [preferred S] [valid S] [dns IP]..." */
static int
build_dhcp6(char **w, int n, struct fpctl_change *ch)
{
	static const char *const kw[SK_MAX] = { "mac",	     "server-mac", "addr",
						"preferred", "valid",	   "dns" };
	const char *v[SK_MAX] = { NULL };
	struct fp_dhcp6_val *sv = &ch->val.dhcp6;
	int rc;

	if (n < 1 || parse_u32(w[0], FP_PORT_MAX - 1, &ch->key.dhcp6.port_id) != 0)
		return bad("add dhcp6: PORT must be 0..%u", FP_PORT_MAX - 1);
	rc = parse_kv(w + 1, n - 1, kw, SK_MAX, "add dhcp6", v, 1 << SK_DNS);
	if (rc != 0)
		return rc;
	if (v[SK_MAC] == NULL || v[SK_SERVER_MAC] == NULL)
		return bad("add dhcp6: 'mac' and 'server-mac' are required");
	if (fp_addr_mac_parse(v[SK_MAC], sv->mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add dhcp6: bad MAC '%s'", v[SK_MAC]);
	if (fp_addr_mac_parse(v[SK_SERVER_MAC], sv->server_mac, FP_ADDR_MAC_SHORT) != 0)
		return bad("add dhcp6: bad server-mac '%s'", v[SK_SERVER_MAC]);
	if (v[SK_ADDR] != NULL) {
		if (parse_ip_family(v[SK_ADDR], 6, sv->addr) != 0)
			return bad("add dhcp6: bad IPv6 addr '%s'", v[SK_ADDR]);
		sv->preferred = 14400;
		sv->valid = 86400;
	}
	if (parse_u32_opt(v[SK_PREFERRED], UINT32_MAX, &sv->preferred, "add dhcp6", "preferred") !=
		    0 ||
	    parse_u32_opt(v[SK_VALID], UINT32_MAX, &sv->valid, "add dhcp6", "valid") != 0)
		return -EINVAL;
	return parse_ip_list(w + 1, n - 1, "dns", "add dhcp6", 6, sv->dns[0], FP_DHCP6_DNS_MAX,
			     &sv->n_dns);
}

/* "PORT_ID VLAN" (0: untagged) */
static int
build_segment_key(char **w, int n, const char *what, struct fp_segment_key *k)
{
	uint32_t v;

	if (n < 2 || parse_u32(w[0], FP_PORT_MAX - 1, &k->port_id) != 0 ||
	    parse_u32(w[1], FP_VLAN_MAX, &v) != 0)
		return bad("%s segment: expected PORT_ID (0..%u) VLAN (0..%u, 0: untagged)", what,
			   FP_PORT_MAX - 1, FP_VLAN_MAX);
	k->vlan = (uint16_t)v;
	return 0;
}

/* "PORT_ID VLAN NET" */
static int
build_segment(char **w, int n, struct fpctl_change *ch)
{
	int rc = build_segment_key(w, n, "add", &ch->key.segment);

	if (rc != 0)
		return rc;
	if (n != 3 || parse_vni(w[2], &ch->val.segment.vni) != 0)
		return bad("add segment: expected PORT_ID VLAN NET (a provider network %u..%u)",
			   FP_NET_PROVIDER + 1, FP_NET_PROVIDER | FP_NET_PROVIDER_MAX);
	return 0;
}

static int
build_del(char **w, int n, struct fpctl_change *ch)
{
	static const int n_words[FP_TABLE_MAX] = {
		[FP_TABLE_PORT] = 1,	[FP_TABLE_VTEP] = 1,  [FP_TABLE_FDB] = 2,
		[FP_TABLE_FLOOD] = 1,	[FP_TABLE_NEIGH] = 2, [FP_TABLE_RULESET] = 2,
		[FP_TABLE_ADDRSET] = 2, [FP_TABLE_ROUTE] = 2, [FP_TABLE_NAT] = 3,
		[FP_TABLE_DHCP] = 1,	[FP_TABLE_RA] = 1,    [FP_TABLE_DHCP6] = 1,
		[FP_TABLE_SEGMENT] = 2,
	};
	const char *table = fp_names_table[ch->table];

	if (n != n_words[ch->table])
		return bad("del %s: expected %d argument%s", table, n_words[ch->table],
			   n_words[ch->table] > 1 ? "s" : "");
	switch (ch->table) {
	case FP_TABLE_PORT:
		if (parse_u32(w[0], FP_PORT_MAX - 1, &ch->key.port.port_id) != 0)
			return bad("del port: ID must be 0..%u", FP_PORT_MAX - 1);
		return 0;
	case FP_TABLE_VTEP:
		if (parse_u32(w[0], UINT32_MAX, &ch->key.vtep.vtep_id) != 0)
			return bad("del vtep: bad ID '%s'", w[0]);
		return 0;
	case FP_TABLE_FDB:
		return build_fdb_key(w, n, "del", &ch->key.fdb);
	case FP_TABLE_FLOOD:
		if (parse_vni(w[0], &ch->key.flood.vni) != 0)
			return bad("del flood: vni must be 1..%u or a provider network",
				   FP_VNI_MAX);
		return 0;
	case FP_TABLE_RULESET:
		return build_ruleset_key(w, n, "del", &ch->key.ruleset);
	case FP_TABLE_ADDRSET:
		return build_addrset_key(w, n, "del", &ch->key.addrset);
	case FP_TABLE_ROUTE:
		return build_route_key(w, n, "del", &ch->key.route);
	case FP_TABLE_NAT:
		return build_nat_key(w, n, "del", &ch->key.nat);
	case FP_TABLE_DHCP:
	case FP_TABLE_DHCP6:
		/* The two keys are one port id. */
		if (parse_u32(w[0], FP_PORT_MAX - 1, &ch->key.dhcp.port_id) != 0)
			return bad("del %s: PORT must be 0..%u", table, FP_PORT_MAX - 1);
		return 0;
	case FP_TABLE_RA:
		if (parse_vni(w[0], &ch->key.ra.vni) != 0)
			return bad("del ra: NET must be 1..%u", FP_VNI_MAX);
		return 0;
	case FP_TABLE_SEGMENT:
		return build_segment_key(w, n, "del", &ch->key.segment);
	default:
		return build_neigh_key(w, n, "del", &ch->key.neigh);
	}
}

/* "add|del TABLE ARGS..." into a change; all pads zero. */
static int
build_change(char **w, int n, struct fpctl_change *ch)
{
	char msg[FP_CTL_MSG_SIZE];
	int t, rc;

	memset(ch, 0, sizeof(*ch));
	ch->del = strcmp(w[0], "del") == 0;
	if (n < 2)
		return bad("%s: which table?", w[0]);
	t = fp_names_find(fp_names_table, FP_TABLE_MAX, w[1]);
	if (t < 0)
		return bad("%s: unknown table '%s'", w[0], w[1]);
	ch->table = (uint16_t)t;
	if (ch->del)
		rc = build_del(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_PORT)
		rc = build_port(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_VTEP)
		rc = build_vtep(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_FDB)
		rc = build_fdb(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_FLOOD)
		rc = build_flood(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_RULESET)
		rc = build_ruleset(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_ADDRSET)
		rc = build_addrset_key(w + 2, n - 2, "add", &ch->key.addrset);
	else if (ch->table == FP_TABLE_ROUTE)
		rc = build_route(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_NAT)
		rc = build_nat(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_DHCP)
		rc = build_dhcp(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_RA)
		rc = build_ra(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_DHCP6)
		rc = build_dhcp6(w + 2, n - 2, ch);
	else if (ch->table == FP_TABLE_SEGMENT)
		rc = build_segment(w + 2, n - 2, ch);
	else
		rc = build_neigh(w + 2, n - 2, ch);
	if (rc != 0)
		return rc;
	/* The engines' own value checks (lib/check.h), with their message,
	 * before anything is sent; the engine checks the references.
	 */
	rc = fp_check_entry(ch->table, &ch->key, ch->del ? NULL : &ch->val, NULL, msg, sizeof(msg));
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "%s", msg);
		return FPCTL_REFUSED;
	}
	return 0;
}

/* Printing */

/* Prefix length in the address family's own bits. */
static unsigned int
family_plen(const struct fp_port_addr *a)
{
	return fp_addr_ip_is_v4(&a->ip) && a->plen >= 96 ? a->plen - 96U : a->plen;
}

/* names[v], or the number when out of range. */
static const char *
name_of(const char *const names[], uint32_t n, uint32_t v, char buf[16])
{
	if (v < n)
		return names[v];
	snprintf(buf, 16, "%u", v);
	return buf;
}

/* A JSON string literal. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

struct dump_ctx {
	int json;   /* --json */
	uint32_t n; /* entries printed */
};

static void
print_port(const struct fp_port_key *k, const struct fp_port_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], ip[FP_ADDR_IP_STR], nb[16];
	const char *role = name_of(fp_names_role, FP_PORT_ROLE_MAX, v->role, nb);
	uint32_t i, n = v->n_addrs < FP_PORT_ADDR_MAX ? v->n_addrs : FP_PORT_ADDR_MAX;

	if (json) {
		printf("{\"port\":%u,\"role\":", k->port_id);
		json_str(role);
		printf(",\"vni\":%u,\"vrf\":%u,\"mac\":\"%s\",\"mtu\":%u,\"flags\":%u,"
		       "\"antispoof\":%s,\"addrs\":[",
		       v->vni, v->vrf, fp_addr_mac_str(v->mac, mac), v->mtu, v->flags,
		       v->flags & FP_PORT_F_ANTISPOOF ? "true" : "false");
		for (i = 0; i < n; i++) {
			const struct fp_port_addr *a = &v->addrs[i];

			printf("%s{\"ip\":\"%s\",\"plen\":%u", i ? "," : "",
			       fp_addr_ip_str(&a->ip, ip), family_plen(a));
			if (!fp_addr_mac_is_zero(a->mac))
				printf(",\"mac\":\"%s\"", fp_addr_mac_str(a->mac, mac));
			putchar('}');
		}
		printf("]}");
		return;
	}
	printf("port %u role %s vni %u vrf %u mac %s mtu %u antispoof %s", k->port_id, role, v->vni,
	       v->vrf, fp_addr_mac_str(v->mac, mac), v->mtu,
	       v->flags & FP_PORT_F_ANTISPOOF ? "on" : "off");
	if (v->flags & FP_PORT_F_SG)
		printf(" sg %u", v->ruleset);
	if (v->flags & ~(FP_PORT_F_ANTISPOOF | FP_PORT_F_SG))
		printf(" flags 0x%x", v->flags);
	for (i = 0; i < n; i++) {
		const struct fp_port_addr *a = &v->addrs[i];

		printf(" addr %s/%u", fp_addr_ip_str(&a->ip, ip), family_plen(a));
		if (!fp_addr_mac_is_zero(a->mac))
			printf("@%s", fp_addr_mac_str(a->mac, mac));
	}
}

static void
print_vtep(const struct fp_vtep_key *k, const struct fp_vtep_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], rip[FP_ADDR_IP_STR], lip[FP_ADDR_IP_STR], nb[16];
	const char *encap = name_of(fp_names_encap, FP_ENCAP_MAX, v->encap, nb);

	if (json)
		printf("{\"vtep\":%u,\"remote\":\"%s\",\"local\":\"%s\",\"nh_mac\":\"%s\","
		       "\"port\":%u,\"encap\":\"%s\"}",
		       k->vtep_id, fp_addr_ip_str(&v->remote, rip), fp_addr_ip_str(&v->local, lip),
		       fp_addr_mac_str(v->nh_mac, mac), v->underlay_port, encap);
	else
		printf("vtep %u remote %s local %s nh-mac %s port %u encap %s", k->vtep_id,
		       fp_addr_ip_str(&v->remote, rip), fp_addr_ip_str(&v->local, lip),
		       fp_addr_mac_str(v->nh_mac, mac), v->underlay_port, encap);
}

static void
print_fdb(const struct fp_fdb_key *k, const struct fp_fdb_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], nb[16];
	const char *type = name_of(fp_names_dest, FP_DEST_MAX, v->type, nb);

	if (json)
		printf("{\"vni\":%u,\"mac\":\"%s\",\"type\":\"%s\",\"id\":%u", k->vni,
		       fp_addr_mac_str(k->mac, mac), type, v->id);
	else
		printf("fdb %u %s %s %u", k->vni, fp_addr_mac_str(k->mac, mac), type, v->id);
	if (v->type == FP_DEST_PHYS && v->flags)
		printf(json ? ",\"vlan\":%u" : " vlan %u", v->flags);
	if (v->type == FP_DEST_ROUTER && (v->flags & FP_FDB_F_EXTERNAL))
		printf(json ? ",\"external\":true" : " external");
	if (json)
		putchar('}');
}

static void
print_flood(const struct fp_flood_key *k, const struct fp_flood_val *v, int json)
{
	uint32_t i, n = v->n_members < FP_FLOOD_MEMBER_MAX ? v->n_members : FP_FLOOD_MEMBER_MAX;
	char nb[16];

	printf(json ? "{\"vni\":%u,\"members\":[" : "flood %u", k->vni);
	for (i = 0; i < n; i++) {
		const struct fp_flood_member *m = &v->members[i];
		const char *type = name_of(fp_names_dest, FP_DEST_MAX, m->type, nb);

		if (json)
			printf("%s{\"type\":\"%s\",\"id\":%u", i ? "," : "", type, m->id);
		else
			printf(" %s %u", type, m->id);
		if (m->type == FP_DEST_PHYS && m->vlan)
			printf(json ? ",\"vlan\":%u" : " vlan %u", m->vlan);
		if (json)
			putchar('}');
	}
	if (json)
		printf("]}");
}

static void
print_neigh(const struct fp_neigh_key *k, const struct fp_neigh_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], ip[FP_ADDR_IP_STR];

	if (json)
		printf("{\"vrf\":%u,\"ip\":\"%s\",\"mac\":\"%s\",\"vni\":%u%s}", k->vrf,
		       fp_addr_ip_str(&k->ip, ip), fp_addr_mac_str(v->mac, mac), v->vni,
		       (v->flags & FP_NEIGH_F_LOCAL_ONLY) ? ",\"local_only\":true" : "");
	else
		printf("neigh %u %s mac %s vni %u%s", k->vrf, fp_addr_ip_str(&k->ip, ip),
		       fp_addr_mac_str(v->mac, mac), v->vni,
		       (v->flags & FP_NEIGH_F_LOCAL_ONLY) ? " local-only on" : "");
}

/* A prefix as IP/PLEN in its family's bits. */
static const char *
prefix_str(const struct fp_ip *ip, uint32_t plen, char buf[FP_ADDR_IP_STR + 8])
{
	char a[FP_ADDR_IP_STR];

	snprintf(buf, FP_ADDR_IP_STR + 8, "%s/%u", fp_addr_ip_str(ip, a),
		 fp_addr_ip_is_v4(ip) && plen >= 96 ? plen - 96 : plen);
	return buf;
}

static void
print_ruleset(const struct fp_ruleset_key *k, const struct fp_ruleset_val *v, int json)
{
	const char *dir = k->dir == FP_SG_DIR_EGRESS ? "egress" : "ingress";
	uint32_t i, n = v->n_rules < FP_SG_RULE_MAX ? v->n_rules : FP_SG_RULE_MAX;
	char pfx[FP_ADDR_IP_STR + 8];

	if (json)
		printf("{\"ruleset\":%u,\"dir\":\"%s\",\"stateful\":%s,\"rules\":[", k->ruleset_id,
		       dir, v->flags & FP_RULESET_F_STATEFUL ? "true" : "false");
	else
		printf("ruleset %u %s%s", k->ruleset_id, dir,
		       v->flags & FP_RULESET_F_STATEFUL ? " stateful" : "");
	for (i = 0; i < n; i++) {
		const struct fp_sg_rule *r = &v->rules[i];

		if (json) {
			printf("%s{\"id\":%u,\"family\":%u", i ? "," : "", r->rule_id, r->family);
			if (r->flags & FP_SG_RULE_F_PROTO)
				printf(",\"proto\":%u", r->proto);
			if (r->flags & FP_SG_RULE_F_PORTS)
				printf(",\"port_min\":%u,\"port_max\":%u", r->port_min,
				       r->port_max);
			if (r->flags & FP_SG_RULE_F_ICMP_TYPE)
				printf(",\"icmp_type\":%u", r->icmp_type);
			if (r->flags & FP_SG_RULE_F_ICMP_CODE)
				printf(",\"icmp_code\":%u", r->icmp_code);
			if (r->flags & FP_SG_RULE_F_ADDRSET)
				printf(",\"set\":%u", r->addrset);
			else if (r->plen)
				printf(",\"remote\":\"%s\"", prefix_str(&r->remote, r->plen, pfx));
			putchar('}');
			continue;
		}
		printf(" rule %u ipv%u", r->rule_id, r->family);
		if (r->flags & FP_SG_RULE_F_PROTO)
			printf(" proto %u", r->proto);
		if (r->flags & FP_SG_RULE_F_PORTS)
			printf(" ports %u-%u", r->port_min, r->port_max);
		if (r->flags & FP_SG_RULE_F_ICMP_TYPE)
			printf(" icmp %u", r->icmp_type);
		if (r->flags & FP_SG_RULE_F_ICMP_CODE)
			printf("/%u", r->icmp_code);
		if (r->flags & FP_SG_RULE_F_ADDRSET)
			printf(" set %u", r->addrset);
		else if (r->plen)
			printf(" remote %s", prefix_str(&r->remote, r->plen, pfx));
	}
	if (json)
		printf("]}");
}

static void
print_addrset(const struct fp_addrset_key *k, int json)
{
	char pfx[FP_ADDR_IP_STR + 8];

	if (json)
		printf("{\"set\":%u,\"member\":\"%s\"}", k->set_id,
		       prefix_str(&k->ip, k->plen, pfx));
	else
		printf("addrset %u %s", k->set_id, prefix_str(&k->ip, k->plen, pfx));
}

static void
print_route(const struct fp_route_key *k, const struct fp_route_val *v, int json)
{
	char pfx[FP_ADDR_IP_STR + 8], mac[FP_ADDR_MAC_STR], addr[FP_ADDR_IP_STR];
	const char *type = FP_NAMES_GET(fp_names_route_type, v->type);
	int far = v->type == FP_ROUTE_CONNECTED || v->type == FP_ROUTE_NEXTHOP;

	prefix_str(&k->ip, k->plen, pfx);
	fp_addr_mac_str(v->mac, mac);
	fp_addr_ip_str(&v->addr, addr);
	if (json) {
		printf("{\"vrf\":%u,\"prefix\":\"%s\",\"type\":\"%s\"", k->vrf, pfx, type);
		if (far)
			printf(",\"vni\":%u,\"mac\":\"%s\",\"mtu\":%u", v->vni, mac, v->mtu);
		if (v->type != FP_ROUTE_BLACKHOLE)
			printf(",\"addr\":\"%s\"", addr);
		printf(",\"flags\":%u}", v->flags);
		return;
	}
	printf("route %u %s %s", k->vrf, pfx, type);
	if (far)
		printf(" vni %u mac %s mtu %u addr %s", v->vni, mac, v->mtu, addr);
	if (v->flags)
		printf(" flags 0x%x", v->flags);
}

static void
print_nat(const struct fp_nat_key *k, const struct fp_nat_val *v, int json)
{
	char ip[FP_ADDR_IP_STR], to[FP_ADDR_IP_STR], mac[FP_ADDR_MAC_STR];
	int snat = k->dir == FP_NAT_SNAT;

	fp_addr_ip_str(&k->ip, ip);
	fp_addr_ip_str(&v->ip, to);
	fp_addr_mac_str(v->mac, mac);
	if (json) {
		printf("{\"dir\":\"%s\",\"%s\":%u,\"ip\":\"%s\",\"to\":\"%s\",\"%s\":%u",
		       snat ? "snat" : "dnat", snat ? "vrf" : "net", k->scope, ip, to,
		       snat ? "net" : "vrf", v->scope);
		if (snat)
			printf(",\"mac\":\"%s\"", mac);
		putchar('}');
		return;
	}
	printf("nat %s %u %s to %s %s %u", snat ? "snat" : "dnat", k->scope, ip, to,
	       snat ? "net" : "vrf", v->scope);
	if (snat)
		printf(" mac %s", mac);
}

/* An IPv4 (len 4) or IPv6 (16) address of an entry as text. */
static const char *
raw_ip_str(const uint8_t *b, uint32_t len, char buf[FP_ADDR_IP_STR])
{
	struct fp_ip ip;

	fp_addr_ip_set_bytes(&ip, b, len);
	return fp_addr_ip_str(&ip, buf);
}

/* " kw IP" per address, or ",\"kw\":[...]" in JSON. */
static void
print_ip_list(const char *kw, const uint8_t *b, uint32_t len, uint32_t n, int json)
{
	char ip[FP_ADDR_IP_STR];
	uint32_t i;

	if (json)
		printf(",\"%s\":[", kw);
	for (i = 0; i < n; i++) {
		raw_ip_str(b + i * len, len, ip);
		if (json)
			printf("%s\"%s\"", i ? "," : "", ip);
		else
			printf(" %s %s", kw, ip);
	}
	if (json)
		putchar(']');
}

static void
print_dhcp(const struct fp_dhcp_key *k, const struct fp_dhcp_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], a[FP_ADDR_IP_STR], s[FP_ADDR_IP_STR], r[FP_ADDR_IP_STR];
	uint32_t i, n = v->n_routes < FP_DHCP_ROUTE_MAX ? v->n_routes : FP_DHCP_ROUTE_MAX;

	fp_addr_mac_str(v->mac, mac);
	raw_ip_str(v->addr, 4, a);
	raw_ip_str(v->server, 4, s);
	raw_ip_str(v->router, 4, r);
	if (json)
		printf("{\"port\":%u,\"mac\":\"%s\",\"addr\":\"%s/%u\",\"server\":\"%s\","
		       "\"router\":\"%s\",\"lease\":%u,\"mtu\":%u",
		       k->port_id, mac, a, v->plen, s, r, v->lease, v->mtu);
	else
		printf("dhcp %u mac %s addr %s/%u server %s router %s lease %u mtu %u", k->port_id,
		       mac, a, v->plen, s, r, v->lease, v->mtu);
	print_ip_list("dns", v->dns[0], 4, v->n_dns < FP_DHCP_DNS_MAX ? v->n_dns : 0, json);
	if (json)
		fputs(",\"routes\":[", stdout);
	for (i = 0; i < n; i++) {
		raw_ip_str(v->routes[i].dst, 4, a);
		raw_ip_str(v->routes[i].gw, 4, r);
		if (json)
			printf("%s\"%s/%u,%s\"", i ? "," : "", a, v->routes[i].plen, r);
		else
			printf(" route %s/%u,%s", a, v->routes[i].plen, r);
	}
	if (json)
		fputs("]}", stdout);
}

static const char *
ra_mode(const struct fp_ra_val *v)
{
	if (v->flags & FP_RA_F_MANAGED)
		return "dhcpv6-stateful";
	return v->flags & FP_RA_F_OTHER ? "dhcpv6-stateless" : "slaac";
}

static void
print_ra(const struct fp_ra_key *k, const struct fp_ra_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], src[FP_ADDR_IP_STR], p[FP_ADDR_IP_STR];
	uint32_t i, n = v->n_prefixes < FP_RA_PREFIX_MAX ? v->n_prefixes : FP_RA_PREFIX_MAX;

	fp_addr_mac_str(v->mac, mac);
	raw_ip_str(v->src, 16, src);
	if (json)
		printf("{\"net\":%u,\"mac\":\"%s\",\"mode\":\"%s\",\"src\":\"%s\",\"mtu\":%u,"
		       "\"lifetime\":%u,\"interval\":\"%u-%u\",\"dns_lifetime\":%u,\"prefixes\":[",
		       k->vni, mac, ra_mode(v), src, v->mtu, v->router_lifetime, v->min_interval,
		       v->max_interval, v->dns_lifetime);
	else
		printf("ra %u mac %s mode %s src %s mtu %u lifetime %u interval %u-%u", k->vni, mac,
		       ra_mode(v), src, v->mtu, v->router_lifetime, v->min_interval,
		       v->max_interval);
	for (i = 0; i < n; i++) {
		const struct fp_ra_prefix *x = &v->prefixes[i];

		raw_ip_str(x->prefix, 16, p);
		if (json)
			printf("%s{\"prefix\":\"%s/%u\",\"flags\":%u,\"valid\":%u,"
			       "\"preferred\":%u}",
			       i ? "," : "", p, x->plen, x->flags, x->valid, x->preferred);
		else
			printf(" prefix %s/%u", p, x->plen);
	}
	if (json)
		putchar(']');
	print_ip_list("dns", v->dns[0], 16, v->n_dns < FP_RA_DNS_MAX ? v->n_dns : 0, json);
	if (json)
		putchar('}');
}

static void
print_dhcp6(const struct fp_dhcp6_key *k, const struct fp_dhcp6_val *v, int json)
{
	char mac[FP_ADDR_MAC_STR], smac[FP_ADDR_MAC_STR], a[FP_ADDR_IP_STR];

	fp_addr_mac_str(v->mac, mac);
	fp_addr_mac_str(v->server_mac, smac);
	raw_ip_str(v->addr, 16, a);
	if (json)
		printf("{\"port\":%u,\"mac\":\"%s\",\"server_mac\":\"%s\",\"addr\":\"%s\","
		       "\"preferred\":%u,\"valid\":%u",
		       k->port_id, mac, smac, a, v->preferred, v->valid);
	else
		printf("dhcp6 %u mac %s server-mac %s addr %s preferred %u valid %u", k->port_id,
		       mac, smac, a, v->preferred, v->valid);
	print_ip_list("dns", v->dns[0], 16, v->n_dns < FP_DHCP6_DNS_MAX ? v->n_dns : 0, json);
	if (json)
		putchar('}');
}

static void
print_segment(const struct fp_segment_key *k, const struct fp_segment_val *v, int json)
{
	if (json)
		printf("{\"port\":%u,\"vlan\":%u,\"vni\":%u}", k->port_id, k->vlan, v->vni);
	else
		printf("segment %u %u %u", k->port_id, k->vlan, v->vni);
}

static int
dump_entry(uint16_t table, const void *key, const void *val, void *arg)
{
	struct dump_ctx *d = arg;

	if (d->json)
		fputs(d->n ? ",\n" : "\n", stdout);
	d->n++;
	switch (table) {
	case FP_TABLE_PORT:
		print_port(key, val, d->json);
		break;
	case FP_TABLE_VTEP:
		print_vtep(key, val, d->json);
		break;
	case FP_TABLE_FDB:
		print_fdb(key, val, d->json);
		break;
	case FP_TABLE_FLOOD:
		print_flood(key, val, d->json);
		break;
	case FP_TABLE_RULESET:
		print_ruleset(key, val, d->json);
		break;
	case FP_TABLE_ADDRSET:
		print_addrset(key, d->json);
		break;
	case FP_TABLE_ROUTE:
		print_route(key, val, d->json);
		break;
	case FP_TABLE_NAT:
		print_nat(key, val, d->json);
		break;
	case FP_TABLE_DHCP:
		print_dhcp(key, val, d->json);
		break;
	case FP_TABLE_RA:
		print_ra(key, val, d->json);
		break;
	case FP_TABLE_DHCP6:
		print_dhcp6(key, val, d->json);
		break;
	case FP_TABLE_SEGMENT:
		print_segment(key, val, d->json);
		break;
	default:
		print_neigh(key, val, d->json);
		break;
	}
	if (!d->json)
		putchar('\n');
	return 0;
}

/* Commands */

static int
server_error(const struct fpctl_opts *o, struct fp_ctl_client *c, const char *what, int rc)
{
	const char *msg = c != NULL ? fp_ctl_client_msg(c) : "";

	if (msg[0] != '\0')
		fp_log(FP_LOG_ERR, "%s: %s (%s)", what, msg, strerror(-rc));
	else
		fp_log(FP_LOG_ERR, "%s: %s: %s", o->socket, what, strerror(-rc));
	return FPCTL_EXIT_FAIL;
}

static int
cmd_dump(const struct fpctl_opts *o, struct fp_ctl_client *c, uint16_t table)
{
	struct dump_ctx d = { .json = o->json };
	int rc;

	if (o->json)
		putchar('[');
	rc = fp_ctl_client_dump(c, table, dump_entry, &d);
	if (o->json)
		printf("%s]\n", d.n ? "\n" : "");
	if (rc != 0)
		return server_error(o, c, "dump", rc);
	return 0;
}

static int
cmd_change(const struct fpctl_opts *o, struct fp_ctl_client *c, const struct fpctl_change *ch)
{
	struct fp_ctl_reply r;
	int rc;

	rc = fp_ctl_client_begin(c);
	if (rc != 0)
		return server_error(o, c, "begin", rc);
	if (ch->del)
		rc = fp_ctl_client_del(c, ch->table, &ch->key);
	else
		rc = fp_ctl_client_set(c, ch->table, &ch->key, &ch->val);
	if (rc != 0)
		return server_error(o, c, ch->del ? "del" : "set", rc);
	rc = fp_ctl_client_commit(c, &r);
	if (rc != 0)
		return server_error(o, c, "commit", rc);
	return 0;
}

static int
cmd_tables(const struct fpctl_opts *o, const struct fp_ctl_hello *h)
{
	int i;

	if (o->json) {
		printf("{\"host\":");
		json_str(h->host);
		printf(",\"abi_version\":%u,\"n_ports\":%u,\"n_workers\":%u,\"generation\":%" PRIu64
		       ",\"tables\":[",
		       h->abi_version, h->n_ports, h->n_workers, (uint64_t)h->generation);
		for (i = 0; i < FP_TABLE_MAX; i++)
			printf("%s{\"name\":\"%s\",\"count\":%u,\"limit\":%u}", i ? "," : "",
			       fp_names_table[i], h->table_count[i], h->table_limit[i]);
		printf("]}\n");
		return 0;
	}
	printf("host %s  abi %u  ports %u  workers %u  generation %" PRIu64 "\n", h->host,
	       h->abi_version, h->n_ports, h->n_workers, (uint64_t)h->generation);
	printf("%-8s %10s %10s\n", "table", "count", "limit");
	for (i = 0; i < FP_TABLE_MAX; i++)
		printf("%-8s %10u %10u\n", fp_names_table[i], h->table_count[i], h->table_limit[i]);
	return 0;
}

static void
print_counters(const struct fpctl_opts *o, const uint64_t st[FP_STAT_MAX],
	       const uint64_t dr[FP_DROP_MAX], const char *indent)
{
	uint64_t sum = 0;
	int i, ok;

	for (i = 0; i < FP_DROP_MAX; i++)
		sum += dr[i];
	ok = st[FP_STAT_RX] == st[FP_STAT_TX] + st[FP_STAT_DROP] + st[FP_STAT_PUNT];
	if (o->json) {
		printf("\"stats\":{");
		for (i = 0; i < FP_STAT_MAX; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "", fp_names_stat[i], st[i]);
		printf("},\"drops\":{");
		for (i = 0; i < FP_DROP_MAX; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "", fp_names_drop[i], dr[i]);
		printf("},\"rx_eq_tx_drop_punt\":%s,\"drop_eq_reasons\":%s", ok ? "true" : "false",
		       sum == st[FP_STAT_DROP] ? "true" : "false");
		return;
	}
	for (i = 0; i < FP_STAT_MAX; i++)
		printf("%s%-28s %20" PRIu64 "\n", indent, fp_names_stat[i], st[i]);
	for (i = 0; i < FP_DROP_MAX; i++) {
		if (dr[i] != 0)
			printf("%sdrop %-23s %20" PRIu64 "\n", indent, fp_names_drop[i], dr[i]);
	}
	printf("%srx = tx + drop + punt: %s\n", indent, ok ? "ok" : "MISMATCH");
	printf("%sdrop = sum of drop reasons: %s\n", indent,
	       sum == st[FP_STAT_DROP] ? "ok" : "MISMATCH");
}

static int
cmd_stats(const struct fpctl_opts *o, const struct fp_ctl_client_stats *st)
{
	uint64_t s[FP_STAT_MAX] = { 0 }, d[FP_DROP_MAX] = { 0 };
	uint32_t w;
	int i;

	if (o->workers) {
		if (o->json)
			printf("{\"workers\":[");
		for (w = 0; w < st->n_workers; w++) {
			const struct fp_ctl_worker_stats *ws = &st->workers[w];

			if (o->json)
				printf("%s{\"worker\":%u,\"lcore\":%u,\"idle_sleeps\":%" PRIu64 ",",
				       w ? "," : "", w, ws->lcore, (uint64_t)ws->idle_sleeps);
			else
				printf("%sworker %u lcore %u idle_sleeps %" PRIu64 "\n",
				       w ? "\n" : "", w, ws->lcore, (uint64_t)ws->idle_sleeps);
			for (i = 0; i < FP_STAT_MAX; i++)
				s[i] = ws->stats[i];
			for (i = 0; i < FP_DROP_MAX; i++)
				d[i] = ws->drops[i];
			print_counters(o, s, d, "  ");
			if (o->json)
				putchar('}');
		}
		if (o->json)
			printf("]}\n");
		return 0;
	}
	for (w = 0; w < st->n_workers; w++) {
		for (i = 0; i < FP_STAT_MAX; i++)
			s[i] += st->workers[w].stats[i];
		for (i = 0; i < FP_DROP_MAX; i++)
			d[i] += st->workers[w].drops[i];
	}
	if (o->json)
		printf("{\"n_workers\":%u,", st->n_workers);
	print_counters(o, s, d, "");
	if (o->json)
		printf("}\n");
	return 0;
}

static int
cmd_drops(const struct fpctl_opts *o, const struct fp_ctl_client_stats *st)
{
	uint64_t d[FP_DROP_MAX] = { 0 }, total = 0;
	uint32_t w;
	int i;

	for (w = 0; w < st->n_workers; w++) {
		for (i = 0; i < FP_DROP_MAX; i++)
			d[i] += st->workers[w].drops[i];
	}
	for (i = 0; i < FP_DROP_MAX; i++)
		total += d[i];
	if (o->json) {
		printf("{\"drops\":{");
		for (i = 0; i < FP_DROP_MAX; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "", fp_names_drop[i], d[i]);
		printf("},\"total\":%" PRIu64 "}\n", total);
		return 0;
	}
	for (i = 0; i < FP_DROP_MAX; i++)
		printf("%-28s %20" PRIu64 "\n", fp_names_drop[i], d[i]);
	printf("%-28s %20" PRIu64 "\n", "total", total);
	return 0;
}

static int
cmd_ports(const struct fpctl_opts *o, const struct fp_ctl_client_stats *st)
{
	char mac[FP_ADDR_MAC_STR], nb[16];
	uint32_t i;

	if (o->json)
		putchar('[');
	else
		printf("%-3s %-16s %-9s %-5s %-17s %-5s %-4s %12s %12s %12s %12s %12s %12s %12s "
		       "%12s %14s %15s\n",
		       "id", "name", "role", "dpdk", "mac", "mtu", "link", "rx", "tx", "tx_dropped",
		       "hw_ipackets", "hw_opackets", "hw_imissed", "hw_ierrors", "hw_oerrors",
		       "sg_drop_egress", "sg_drop_ingress");
	for (i = 0; i < st->n_ports; i++) {
		const struct fp_ctl_port_stats *p = &st->ports[i];
		const char *role = name_of(fp_names_role, FP_PORT_ROLE_MAX, p->role, nb);
		const char *link = p->flags & FP_CTL_PORT_F_LINK_UP ? "up" : "down";

		if (o->json) {
			printf("%s\n{\"id\":%u,\"name\":", i ? "," : "", p->port_id);
			json_str(p->name);
			printf(",\"role\":\"%s\",\"dpdk_port\":%u,\"mac\":\"%s\",\"mtu\":%u,"
			       "\"link\":\"%s\",\"rx\":%" PRIu64 ",\"tx\":%" PRIu64
			       ",\"tx_dropped\":%" PRIu64 ",\"hw_ipackets\":%" PRIu64
			       ",\"hw_opackets\":%" PRIu64 ",\"hw_imissed\":%" PRIu64
			       ",\"hw_ierrors\":%" PRIu64 ",\"hw_oerrors\":%" PRIu64
			       ",\"sg_drop_egress\":%" PRIu64 ",\"sg_drop_ingress\":%" PRIu64 "}",
			       role, p->dpdk_port, fp_addr_mac_str(p->mac, mac), p->mtu, link,
			       (uint64_t)p->rx_pkts, (uint64_t)p->tx_pkts, (uint64_t)p->tx_dropped,
			       (uint64_t)p->hw_ipackets, (uint64_t)p->hw_opackets,
			       (uint64_t)p->hw_imissed, (uint64_t)p->hw_ierrors,
			       (uint64_t)p->hw_oerrors, (uint64_t)p->sg_drop_egress,
			       (uint64_t)p->sg_drop_ingress);
			continue;
		}
		printf("%-3u %-16s %-9s %-5u %-17s %-5u %-4s %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		       " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		       " %14" PRIu64 " %15" PRIu64 "\n",
		       p->port_id, p->name, role, p->dpdk_port, fp_addr_mac_str(p->mac, mac),
		       p->mtu, link, (uint64_t)p->rx_pkts, (uint64_t)p->tx_pkts,
		       (uint64_t)p->tx_dropped, (uint64_t)p->hw_ipackets, (uint64_t)p->hw_opackets,
		       (uint64_t)p->hw_imissed, (uint64_t)p->hw_ierrors, (uint64_t)p->hw_oerrors,
		       (uint64_t)p->sg_drop_egress, (uint64_t)p->sg_drop_ingress);
	}
	if (o->json)
		printf("%s]\n", st->n_ports ? "\n" : "");
	return 0;
}

/* What a command needs, checked before connecting. */
enum fpctl_cmd {
	CMD_PORTS,
	CMD_STATS,
	CMD_DROPS,
	CMD_TABLES,
	CMD_DUMP,
	CMD_CHANGE,
};

static int
parse_command(const struct fpctl_opts *o, enum fpctl_cmd *cmd, uint16_t *table,
	      struct fpctl_change *ch)
{
	char **w = o->args;
	int n = o->n_args, t;

	if (n == 0)
		return bad("no command");
	if (o->workers && !(n == 2 && strcmp(w[0], "show") == 0 && strcmp(w[1], "stats") == 0))
		return bad("--workers goes with 'show stats' only");
	if (strcmp(w[0], "show") == 0) {
		static const char *const what[] = { "ports", "stats", "drops", "tables" };

		if (n != 2)
			return bad("show: expected one of ports, stats, drops, tables");
		for (t = 0; t < 4; t++) {
			if (strcmp(w[1], what[t]) == 0) {
				*cmd = (enum fpctl_cmd)(CMD_PORTS + t);
				return 0;
			}
		}
		return bad("show: unknown object '%s'", w[1]);
	}
	if (strcmp(w[0], "dump") == 0) {
		if (n != 2)
			return bad("dump: expected one table: port, vtep, fdb, flood, neigh");
		t = fp_names_find(fp_names_table, FP_TABLE_MAX, w[1]);
		if (t < 0)
			return bad("dump: unknown table '%s'", w[1]);
		*cmd = CMD_DUMP;
		*table = (uint16_t)t;
		return 0;
	}
	if (strcmp(w[0], "add") == 0 || strcmp(w[0], "del") == 0) {
		*cmd = CMD_CHANGE;
		return build_change(w, n, ch);
	}
	return bad("unknown command '%s'", w[0]);
}

static int
parse_opts(int argc, char **argv, struct fpctl_opts *o)
{
	const char *env = getenv("FP_CTL_SOCKET");
	int i, only_args = 0;

	memset(o, 0, sizeof(*o));
	o->socket = env != NULL && env[0] != '\0' ? env : FPCTL_DEFAULT_SOCKET;
	o->args = calloc((size_t)argc + 1, sizeof(*o->args));
	if (o->args == NULL)
		return bad("out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_args || a[0] != '-' || a[1] == '\0') {
			o->args[o->n_args++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
			if (i + 1 >= argc)
				return bad("%s needs a path", a);
			o->socket = argv[++i];
		} else if (strncmp(a, "--socket=", 9) == 0) {
			o->socket = a + 9;
		} else if (strncmp(a, "-s", 2) == 0) {
			o->socket = a + 2;
		} else if (strcmp(a, "--xdp") == 0) {
			if (i + 1 >= argc)
				return bad("%s needs an instance name", a);
			o->xdp = argv[++i];
		} else if (strncmp(a, "--xdp=", 6) == 0) {
			o->xdp = a + 6;
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--workers") == 0) {
			o->workers = 1;
		} else if (strcmp(a, "--hex") == 0) {
			o->hex = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			o->version = 1;
		} else {
			return bad("unknown option '%s'", a);
		}
	}
	if (o->socket[0] == '\0')
		return bad("empty socket path");
	return 0;
}

/* show ports, stats or drops from the counters of either engine. */
static int
stats_print(const struct fpctl_opts *o, enum fpctl_cmd cmd, const struct fp_ctl_client_stats *st)
{
	if (cmd == CMD_PORTS)
		return cmd_ports(o, st);
	if (cmd == CMD_STATS)
		return cmd_stats(o, st);
	return cmd_drops(o, st);
}

/* Connect to fp-dpdk's socket, or log why not (NULL). */
static struct fp_ctl_client *
client_open(const struct fpctl_opts *o)
{
	struct fp_ctl_client *c = fp_ctl_client_open(o->socket);

	if (c == NULL)
		fp_log(FP_LOG_ERR, "cannot connect to %s: %s%s", o->socket,
		       fp_unix_strerror(-errno),
		       errno == ENOENT || errno == ECONNREFUSED ? " (is fp-dpdk running?)" : "");
	return c;
}

static int
run_xdp(const struct fpctl_opts *o, enum fpctl_cmd cmd, uint16_t table,
	const struct fpctl_change *ch)
{
	struct fp_ctl_client_stats *st = NULL;
	struct fp_backend_info *info = calloc(1, sizeof(*info));
	void *h = NULL;
	int rc;

	if (info == NULL)
		return bad("out of memory");
	rc = fp_backend_xdp.open(o->xdp, &h);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "XDP instance %s: %s%s", o->xdp, strerror(-rc),
		       rc == -ECONNREFUSED ? " (is it attached? fp-xdp attach)" : "");
		free(info);
		return FPCTL_EXIT_CONNECT;
	}
	rc = fp_backend_xdp.info(h, info);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "XDP instance %s: %s", o->xdp, strerror(-rc));
		rc = FPCTL_EXIT_FAIL;
		goto out;
	}
	switch (cmd) {
	case CMD_TABLES: {
		struct fp_ctl_hello hello = { .abi_version = info->abi_version,
					      .n_ports = info->n_ports,
					      .n_workers = (uint32_t)libbpf_num_possible_cpus(),
					      .generation = info->generation };

		memcpy(hello.table_limit, info->table_limit, sizeof(hello.table_limit));
		memcpy(hello.table_count, info->table_count, sizeof(hello.table_count));
		snprintf(hello.host, sizeof(hello.host), "%s", info->host);
		rc = cmd_tables(o, &hello);
		break;
	}
	case CMD_DUMP: {
		struct dump_ctx d = { .json = o->json };

		if (o->json)
			putchar('[');
		rc = fp_backend_xdp.dump(h, table, dump_entry, &d);
		if (o->json)
			printf("%s]\n", d.n ? "\n" : "");
		if (rc != 0) {
			fp_log(FP_LOG_ERR, "dump: %s", strerror(-rc));
			rc = FPCTL_EXIT_FAIL;
		}
		break;
	}
	case CMD_CHANGE: {
		char err[FP_CTL_MSG_SIZE] = "";
		uint32_t failed;

		rc = fp_backend_xdp.begin(h);
		if (rc == 0)
			rc = ch->del ? fp_backend_xdp.del(h, ch->table, &ch->key) :
				       fp_backend_xdp.set(h, ch->table, &ch->key, &ch->val);
		if (rc == 0)
			rc = fp_backend_xdp.commit(h, &failed, err, sizeof(err));
		if (rc != 0) {
			fp_log(FP_LOG_ERR, "%s: %s (%s)", ch->del ? "del" : "add",
			       err[0] ? err : strerror(-rc), strerror(-rc));
			rc = FPCTL_EXIT_FAIL;
		}
		break;
	}
	default:
		rc = fp_backend_xdp.stats(h, &st);
		if (rc < 0) {
			fp_log(FP_LOG_ERR, "XDP instance %s: counters: %s", o->xdp, strerror(-rc));
			rc = FPCTL_EXIT_FAIL;
			break;
		}
		rc = stats_print(o, cmd, st);
		break;
	}
out:
	fp_ctl_client_stats_free(st);
	fp_backend_xdp.close(h);
	free(info);
	return rc;
}

static int
run(const struct fpctl_opts *o, enum fpctl_cmd cmd, uint16_t table, const struct fpctl_change *ch)
{
	struct fp_ctl_client_stats *st = NULL;
	struct fp_ctl_client *c;
	struct fp_ctl_hello h;
	int rc;

	if (o->xdp != NULL)
		return run_xdp(o, cmd, table, ch);
	c = client_open(o);
	if (c == NULL)
		return FPCTL_EXIT_CONNECT;
	rc = fp_ctl_client_hello(c, &h);
	if (rc != 0) {
		rc = server_error(o, c, "hello", rc);
		goto out;
	}
	if (h.abi_version != FP_ABI_VERSION) {
		fp_log(FP_LOG_ERR, "%s: fp-dpdk speaks ABI %u, fpctl %u", o->socket, h.abi_version,
		       FP_ABI_VERSION);
		rc = FPCTL_EXIT_FAIL;
		goto out;
	}
	switch (cmd) {
	case CMD_TABLES:
		rc = cmd_tables(o, &h);
		break;
	case CMD_DUMP:
		rc = cmd_dump(o, c, table);
		break;
	case CMD_CHANGE:
		rc = cmd_change(o, c, ch);
		break;
	default:
		st = fp_ctl_client_stats(c);
		if (st == NULL) {
			rc = server_error(o, c, "stats", -errno);
			break;
		}
		rc = stats_print(o, cmd, st);
		break;
	}
out:
	fp_ctl_client_stats_free(st);
	fp_ctl_client_close(c);
	return rc;
}

/* show conntrack: the connections collected from either engine. */
struct ct_list {
	struct fp_ctl_ct_entry *e; /* FP_CTL_CT_DUMP_MAX entries */
	uint32_t n;		   /* entries in e */
	int truncated;		   /* more than FP_CTL_CT_DUMP_MAX were found */
	int zone;		   /* only this zone, or -1 */
};

static int
ct_collect(const struct fp_ct_key *key, const struct fp_ct_val *val, void *arg)
{
	struct ct_list *l = arg;

	if (l->zone >= 0 && key->zone != l->zone)
		return 0;
	if (l->n == FP_CTL_CT_DUMP_MAX) {
		l->truncated = 1;
		return 1;
	}
	l->e[l->n].key = *key;
	l->e[l->n].val = *val;
	l->n++;
	return 0;
}

static const char *
ct_proto(uint8_t proto, char buf[16])
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, 16, "%u", proto);
		return buf;
	}
}

/* One connection: text (the add syntax's style) or a JSON object. */
static void
print_ct(const struct fp_ctl_ct_entry *e, uint64_t now_ns, int json)
{
	const struct fp_ct_key *k = &e->key;
	const struct fp_ct_val *v = &e->val;
	char a[FP_ADDR_IP_STR], b[FP_ADDR_IP_STR], pb[16], sb[16];
	const char *proto = ct_proto(k->proto, pb);
	const char *state = name_of(fp_names_ct_state, FP_CT_STATE_MAX, v->state, sb);
	uint64_t age = now_ns > v->last_ns ? (now_ns - v->last_ns) / 1000000000ULL : 0;
	const char *orig = v->flags & FP_CT_F_ORIG_A ? "a" : "b";
	const char *dir = v->flags & FP_CT_F_ORIG_EGRESS ? "egress" : "ingress";

	fp_addr_ip_str(&k->a, a);
	fp_addr_ip_str(&k->b, b);
	if (json) {
		printf("{\"zone\":%u,\"proto\":", k->zone);
		json_str(proto);
		printf(",\"a\":\"%s\",\"a_port\":%u,\"b\":\"%s\",\"b_port\":%u,"
		       "\"orig\":\"%s\",\"dir\":\"%s\",\"replied\":%s,\"state\":",
		       a, k->a_port, b, k->b_port, orig, dir,
		       v->flags & FP_CT_F_REPLIED ? "true" : "false");
		json_str(state);
		printf(",\"age\":%" PRIu64 ",\"gen\":%u,\"rule_id\":%u}", age, v->gen, v->rule_id);
		return;
	}
	printf("zone %u %s %s %u %s %u orig %s %s%s state %s age %" PRIu64 " gen %u rule %u\n",
	       k->zone, proto, a, k->a_port, b, k->b_port, orig, dir,
	       v->flags & FP_CT_F_REPLIED ? " replied" : "", state, age, v->gen, v->rule_id);
}

static void
print_ct_list(const struct ct_list *l, uint64_t now_ns, int json)
{
	uint32_t i;

	if (json)
		printf("{\"connections\":[");
	for (i = 0; i < l->n; i++) {
		if (json)
			printf("%s\n", i ? "," : "");
		print_ct(&l->e[i], now_ns, json);
	}
	if (json)
		printf("%s],\"truncated\":%s,\"limit\":%u}\n", l->n ? "\n" : "",
		       l->truncated ? "true" : "false", FP_CTL_CT_DUMP_MAX);
	else if (l->truncated)
		printf("truncated: the first %u connections shown\n", FP_CTL_CT_DUMP_MAX);
}

/* The XDP instance's fp_ct map into l. */
static int
ct_xdp(const struct fpctl_opts *o, struct ct_list *l)
{
	void *h = NULL;
	int rc;

	rc = fp_backend_xdp.open(o->xdp, &h);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "XDP instance %s: %s%s", o->xdp, strerror(-rc),
		       rc == -ECONNREFUSED ? " (is it attached? fp-xdp attach)" : "");
		return FPCTL_EXIT_CONNECT;
	}
	rc = fp_backend_xdp_ct_walk(h, ct_collect, l);
	fp_backend_xdp.close(h);
	if (rc < 0) {
		fp_log(FP_LOG_ERR, "XDP instance %s: fp_ct: %s", o->xdp, strerror(-rc));
		return FPCTL_EXIT_FAIL;
	}
	return 0;
}

/* fp-dpdk's CT_DUMP into l; *now_ns from its reply. */
static int
ct_dpdk(const struct fpctl_opts *o, struct ct_list *l, uint64_t *now_ns)
{
	struct fp_ctl_ct_reply *r = NULL;
	struct fp_ctl_client *c = client_open(o);
	int rc;

	if (c == NULL)
		return FPCTL_EXIT_CONNECT;
	rc = fp_ctl_client_ct_dump(c, l->zone, &r);
	if (rc != 0) {
		rc = server_error(o, c, "show conntrack", rc);
		goto out;
	}
	memcpy(l->e, r + 1, sizeof(*l->e) * r->n);
	l->n = r->n;
	l->truncated = !!(r->flags & FP_CTL_CT_F_TRUNCATED);
	*now_ns = r->now_ns;
out:
	free(r);
	fp_ctl_client_close(c);
	return rc;
}

/* "name count" per outcome (JSON: "name":count), names from fn. */
static void
print_outcomes(const char *what, const __u64 *n, uint32_t count, const char *(*fn)(uint32_t),
	       int json)
{
	uint32_t i;

	printf(json ? ",\"%s\":{" : "  %s", what);
	for (i = 0; i < count; i++)
		printf(json ? "%s\"%s\":%llu" : "%s %s %llu", json && i ? "," : "", fn(i),
		       (unsigned long long)n[i]);
	fputs(json ? "}" : "\n", stdout);
}

/* fpctl show slowpath: doc/routing.md "The slow path". */
static int
cmd_slowpath(const struct fpctl_opts *o)
{
	struct fp_ctl_slowpath sp;
	struct fp_ctl_client *c;
	int rc;

	if (o->n_args != 2) {
		bad("show slowpath: expected nothing more");
		return FPCTL_EXIT_FAIL;
	}
	if (o->xdp != NULL) {
		fp_log(FP_LOG_ERR, "show slowpath: the xdp engine has no slow path");
		return FPCTL_EXIT_FAIL;
	}
	c = client_open(o);
	if (c == NULL)
		return FPCTL_EXIT_CONNECT;
	rc = fp_ctl_client_slowpath(c, &sp);
	if (rc != 0) {
		rc = server_error(o, c, "show slowpath", rc);
		fp_ctl_client_close(c);
		return rc;
	}
	fp_ctl_client_close(c);
	if (o->json)
		printf("{\"queue\":%u,\"pps\":%u,\"workers\":%u,\"queued\":%u,\"sent\":%llu"
		       ",\"inject_full\":%llu"
		       ",\"no_mbuf\":%llu"
		       ",\"no_entry\":%llu"
		       ",\"ra_periodic\":%llu,\"ra_nets_over\":%u",
		       sp.queue, sp.pps, sp.n_workers, sp.queued, sp.sent, sp.inject_full,
		       sp.no_mbuf, sp.no_entry, sp.ra_periodic, sp.ra_nets_over);
	else
		printf("slowpath: %u workers, queue %u each, %u punts/s per port, %u queued\n"
		       "  answers sent %llu"
		       " inject_full %llu"
		       " no_mbuf %llu"
		       " no_entry %llu"
		       " ra_periodic %llu"
		       " ra_nets_over %u"
		       "\n",
		       sp.n_workers, sp.queue, sp.pps, sp.queued, sp.sent, sp.inject_full,
		       sp.no_mbuf, sp.no_entry, sp.ra_periodic, sp.ra_nets_over);
	print_outcomes("dhcp4", sp.dhcp4, sp.n_dhcp4 < FP_DHCP4_MAX ? sp.n_dhcp4 : FP_DHCP4_MAX,
		       fp_dhcp4_result_str, o->json);
	print_outcomes("dhcp6", sp.dhcp6, sp.n_dhcp6 < FP_DHCP6_MAX ? sp.n_dhcp6 : FP_DHCP6_MAX,
		       fp_dhcp6_result_str, o->json);
	print_outcomes("ra", sp.ra, sp.n_ra < FP_RA_MAX ? sp.n_ra : FP_RA_MAX, fp_ra_result_str,
		       o->json);
	if (o->json)
		puts("}");
	return 0;
}

/* fpctl show conntrack [zone N]: doc/security-groups.md "Connections". */
static int
cmd_conntrack(const struct fpctl_opts *o)
{
	struct ct_list l = { .zone = -1 };
	uint64_t now_ns;
	uint32_t zone;
	int rc;

	if (o->n_args == 4 && strcmp(o->args[2], "zone") == 0 &&
	    parse_u32(o->args[3], FP_PORT_MAX - 1, &zone) == 0) {
		l.zone = (int)zone;
	} else if (o->n_args != 2) {
		bad("show conntrack: expected nothing or 'zone PORT_ID' (0..%u)", FP_PORT_MAX - 1);
		return FPCTL_EXIT_FAIL;
	}
	l.e = malloc(sizeof(*l.e) * FP_CTL_CT_DUMP_MAX);
	if (l.e == NULL) {
		bad("out of memory");
		return FPCTL_EXIT_FAIL;
	}
	now_ns = fp_clock_now_ns();
	rc = o->xdp != NULL ? ct_xdp(o, &l) : ct_dpdk(o, &l, &now_ns);
	if (rc == 0)
		print_ct_list(&l, now_ns, o->json);
	free(l.e);
	return rc;
}

/* fpctl trace in-port ID PACKET...: see trace_pkt.h and doc/trace.md. */
static int
cmd_trace(const struct fpctl_opts *o)
{
	static uint8_t frame[FP_CTL_TRACE_FRAME_MAX];
	char err[256];
	struct fpctl_trace *t = NULL;
	struct fp_ctl_client *c = NULL;
	void *buf = NULL;
	uint32_t in_port, len, size;
	int rc;

	if (o->n_args < 3 || strcmp(o->args[1], "in-port") != 0 ||
	    parse_u32(o->args[2], FP_PORT_MAX - 1, &in_port) != 0) {
		bad("trace: expected 'in-port ID' (0..%u), then the packet", FP_PORT_MAX - 1);
		return FPCTL_EXIT_FAIL;
	}
	rc = fpctl_trace_frame_build(o->args + 3, o->n_args - 3, frame, sizeof(frame), &len, err,
				     sizeof(err));
	if (rc != 0) {
		bad("trace: %s", err[0] ? err : strerror(-rc));
		return FPCTL_EXIT_FAIL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		bad("out of memory");
		return FPCTL_EXIT_FAIL;
	}
	if (o->xdp != NULL) {
		static uint8_t xout[FP_CTL_TRACE_FRAME_MAX + 512];

		rc = fpctl_trace_xdp(o->xdp, in_port, frame, len, t, xout, sizeof(xout), err,
				     sizeof(err));
		if (rc != 0) {
			fp_log(FP_LOG_ERR, "trace: XDP instance %s: %s", o->xdp, err);
			rc = rc == -ENOENT ? FPCTL_EXIT_CONNECT : FPCTL_EXIT_FAIL;
			goto out;
		}
		goto print;
	}
	c = client_open(o);
	if (c == NULL) {
		rc = FPCTL_EXIT_CONNECT;
		goto out;
	}
	rc = fp_ctl_client_trace(c, in_port, frame, len, &buf, &size);
	if (rc != 0) {
		rc = server_error(o, c, "trace", rc);
		goto out;
	}
	if (fpctl_trace_decode(buf, size, t) != 0) {
		fp_log(FP_LOG_ERR, "trace: malformed reply from %s", o->socket);
		rc = FPCTL_EXIT_FAIL;
		goto out;
	}
print:
	t->in_len = len;
	fpctl_trace_print(stdout, t, o->json, o->hex);
	rc = 0;
out:
	free(buf);
	free(t);
	fp_ctl_client_close(c);
	return rc;
}

int
main(int argc, char **argv)
{
	enum fpctl_cmd cmd = CMD_TABLES;
	struct fpctl_change ch;
	struct fpctl_opts o;
	uint16_t table = 0;
	int rc;

	fp_log_init("fpctl", FP_LOG_INFO);
	memset(&ch, 0, sizeof(ch));
	if (parse_opts(argc, argv, &o) != 0) {
		usage(stderr);
		rc = FPCTL_EXIT_FAIL;
		goto out;
	}
	if (o.help) {
		usage(stdout);
		rc = 0;
		goto out;
	}
	if (o.version) {
		fp_version_print(stdout, "fpctl");
		rc = 0;
		goto out;
	}
	if (o.n_args > 0 && strcmp(o.args[0], "trace") == 0) {
		rc = cmd_trace(&o);
		goto out;
	}
	if (o.n_args >= 2 && strcmp(o.args[0], "show") == 0 && strcmp(o.args[1], "slowpath") == 0) {
		rc = cmd_slowpath(&o);
		goto out;
	}
	if (o.n_args >= 2 && strcmp(o.args[0], "show") == 0 &&
	    strcmp(o.args[1], "conntrack") == 0) {
		rc = cmd_conntrack(&o);
		goto out;
	}
	rc = parse_command(&o, &cmd, &table, &ch);
	if (rc != 0) {
		if (rc != FPCTL_REFUSED) /* a valid command, an entry no engine takes */
			usage(stderr);
		rc = FPCTL_EXIT_FAIL;
		goto out;
	}
	rc = run(&o, cmd, table, &ch);
out:
	free(o.args);
	if (fflush(stdout) != 0 && rc == 0)
		rc = FPCTL_EXIT_FAIL;
	return rc;
}
