#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate the data-driven packet cases in tests/cases/*.case.

Run with Debian's python3 (it has scapy):

    /usr/bin/python3 tests/cases/gen_cases.py          # (re)write the files
    /usr/bin/python3 tests/cases/gen_cases.py --check  # compare, exit 1 on diff

The output is deterministic: running it twice gives identical bytes.  Every
expected output is computed here, from doc/packets.md, with scapy (frames,
lengths and checksums: chksum/len fields are left unset and scapy fills them
in) and with a Python implementation of the flow hash and of the parsing
rules.  Nothing is copied from the C code's output.

Case file format (one case per file, line based, engine-neutral)
----------------------------------------------------------------
A line is a keyword and space-separated arguments.  Blank lines and lines
whose first non-blank character is '#' are comments; there are no trailing
comments.  Hex strings are lowercase, two digits per byte, no separators.

    name <name>                    the case name, [a-z0-9_]+, = file name
    desc <free text>               one-line description (optional)
    port <id> <role> <mtu> <mac>   a configured port: role is a
                                   FP_FOREACH_PORT_ROLE name (vm, underlay,
                                   gateway); mtu is the port's L3 MTU; mac is
                                   aa:bb:cc:dd:ee:ff.  Non-VM ports get their
                                   table entry from this line; VM ports get
                                   theirs from an "entry port" line.
    local_vtep <ip>                a local VTEP address (IPv4 or IPv6)
    entry <table> <key> <val>      set an entry: table is a FP_FOREACH_TABLE
                                   name (port vtep fdb flood neigh); key and
                                   val are the raw ABI structs of
                                   include/flowplane/tables.h as hex
                                   (x86_64: little-endian, pads zero)
    del <table> <key>              delete an entry
    commit                         end of a transaction: the entry/del lines
                                   before it (since the previous commit) are
                                   applied as one transaction, which must
                                   succeed; lines after it form the next
                                   one.  The last transaction needs no
                                   commit line.
    in <port> <frame>              the frame received on logical port <port>
                                   (exactly one per packet); the
                                   transactions before it are applied
                                   before it runs
    out <port> <frame>             an expected output frame and its logical
                                   egress port, in emission order (zero or
                                   more)
    tx | drop <reason> | punt      the verdict (exactly one): tx means the
                                   packet left on at least one port (stat tx
                                   == 1, no drop); drop names the one
                                   FP_FOREACH_DROP reason (drop[reason] == 1,
                                   drop == 1, tx == 0)
    stat <name> <value>            an extra counter expectation: name is a
                                   FP_FOREACH_STAT name
    next                           ends a packet of a sequence (state
                                   matters: connection tracking): the in,
                                   out, verdict and stat lines before it are
                                   one packet, checked on its own (counters
                                   count that packet only); entries after it
                                   apply before the next packet
    engines <list> <why>           the engines that can run the case
                                   (comma-separated: dpdk, xdp; default
                                   both) and why not the others: a runner
                                   not listed skips the case and says why
    conntrack <size>               the connection table's size (entries)

A runner applies the configuration first (every port line, then every
local_vtep line), then the transactions in file order, then runs the frame.
It always checks rx == 1 and rx == tx + drop + punt.  Packets the dataplane
creates itself (ICMP errors) are "out" lines but are not counted in tx.
Counters without a stat line are not checked (except by the verdict).
"""

import argparse
import difflib
import ipaddress
import logging
import os
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.contrib.geneve import GENEVE, GeneveOptions  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, IPv6, ICMPv6ND_RS,
    ICMPv6ND_RA, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, PadN)
from scapy.layers.l2 import ARP, Dot1Q, Ether  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402
from scapy.packet import Raw  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# ABI (include/flowplane/tables.h): ids and struct layouts
# ---------------------------------------------------------------------------

TABLES = ["port", "vtep", "fdb", "flood", "neigh", "ruleset", "addrset", "route", "nat",
          "dhcp", "ra", "dhcp6", "segment"]
ROLE = {"none": 0, "vm": 1, "underlay": 2, "gateway": 3, "physical": 4}
ENCAP = {"vxlan": 0, "geneve": 1}
DEST = {"none": 0, "port": 1, "vtep": 2, "router": 3, "phys": 4}
PORT_F_ANTISPOOF = 0x0001
PORT_F_SG = 0x0002
SG_EGRESS, SG_INGRESS = 0, 1
SG_RULE_F_PROTO, SG_RULE_F_PORTS, SG_RULE_F_ICMP_TYPE = 0x01, 0x02, 0x04
SG_RULE_F_ICMP_CODE, SG_RULE_F_ADDRSET = 0x08, 0x10
RULESET_F_STATEFUL = 0x0001
SG_RULE_MAX = 64
PORT_ADDR_MAX = 8
FLOOD_MEMBER_MAX = 64
STATS = ["rx", "tx", "drop", "punt", "encap", "decap", "local", "flood",
         "flood_copies", "arp_reply", "nd_reply", "icmp_too_big_sent", "ct_new", "ct_hit",
         "ct_pickup", "ct_revalidated", "ct_related", "sg_stateless_allow", "routed",
         "icmp_time_exceeded_sent", "icmp_unreachable_sent", "icmp_echo_reply",
         "icmp_rate_limited"]
DROPS = ["trunc_l2", "trunc_vlan", "too_many_vlans", "trunc_l3",
         "bad_ip_version", "bad_ip_hdr_len", "bad_ip_len", "bad_ip_csum",
         "trunc_l4", "bad_udp_len", "bad_tcp_hdr_len", "trunc_tunnel",
         "bad_vxlan_flags", "bad_geneve", "geneve_critical_option",
         "geneve_protocol", "geneve_oam", "underlay_not_tunnel",
         "underlay_fragment", "not_local_vtep", "not_our_mac", "unknown_vni",
         "port_unconfigured", "bad_src_mac", "spoofed_mac", "spoofed_ip",
         "ethertype_denied", "vlan_denied", "bad_arp", "bad_nd",
         "no_flood_list", "flood_empty", "dest_missing", "vni_mismatch",
         "dest_unsupported", "hairpin", "too_big", "no_mbuf", "no_headroom",
         "multi_segment", "sg_denied", "sg_no_ruleset", "sg_vm_dhcp_server",
         "sg_vm_router_adv", "ct_invalid", "ct_revoked", "ct_full", "vtep_not_serving",
         "inner_src_mac_spoofed", "storm_control", "ttl_exceeded", "to_router", "no_route",
         "neigh_missing", "punt_full", "punt_rate", "no_snat", "unknown_segment"]
ROUTE = {"none": 0, "local": 1, "connected": 2, "nexthop": 3, "blackhole": 4}
NEIGH_F_LOCAL_ONLY = 0x0001


def mac_bytes(mac):
    b = bytes.fromhex(mac.replace(":", ""))
    assert len(b) == 6
    return b


def fp_ip(addr):
    """struct fp_ip: IPv6, or IPv4 as ::ffff:a.b.c.d."""
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        return bytes(10) + b"\xff\xff" + a.packed
    return a.packed


def port_addr(prefix, mac=None):
    """struct fp_port_addr; prefix is 'a.b.c.d/n' or 'x::/n' (host bits 0)."""
    net = ipaddress.ip_network(prefix, strict=True)
    plen = net.prefixlen + (96 if net.version == 4 else 0)
    return (fp_ip(str(net.network_address)) +
            (mac_bytes(mac) if mac else bytes(6)) + struct.pack("<BB", plen, 0))


def port_key(port_id):
    return struct.pack("<I", port_id)


def port_val(vni, vrf, mac, flags=0, mtu=1500, addrs=(), ruleset=0):
    assert len(addrs) <= PORT_ADDR_MAX
    b = struct.pack("<HHHHII6s2xII", ROLE["vm"], flags, mtu, len(addrs), vni,
                    vrf, mac_bytes(mac), ruleset, 0)
    b += b"".join(port_addr(p, m) for p, m in addrs)
    b += bytes(24 * (PORT_ADDR_MAX - len(addrs)))
    assert len(b) == 32 + 24 * PORT_ADDR_MAX
    return b


def vtep_key(vtep_id):
    return struct.pack("<I", vtep_id)


def vtep_val(remote, local, nh_mac, encap, underlay_port):
    b = (fp_ip(remote) + fp_ip(local) + mac_bytes(nh_mac) +
         struct.pack("<HII", ENCAP[encap], underlay_port, 0))
    assert len(b) == 48
    return b


def fdb_key(vni, mac):
    return struct.pack("<I6s2x", vni, mac_bytes(mac))


def fdb_val(dest, dest_id, flags=0):
    """struct fp_fdb_val; a phys destination's VLAN id is in flags."""
    return struct.pack("<HHI", DEST[dest], flags, dest_id)


def flood_key(vni):
    return struct.pack("<I", vni)


def flood_val(members):
    assert len(members) <= FLOOD_MEMBER_MAX
    b = struct.pack("<II", len(members), 0)
    b += b"".join(struct.pack("<HHI", DEST[m[0]], m[2] if len(m) > 2 else 0, m[1])
                  for m in members)
    b += bytes(8 * (FLOOD_MEMBER_MAX - len(members)))
    assert len(b) == 8 + 8 * FLOOD_MEMBER_MAX
    return b


def segment_key(port_id, vlan):
    return struct.pack("<IHH", port_id, vlan, 0)


def segment_val(net):
    return struct.pack("<II", net, 0)


def neigh_key(vrf, ip):
    return struct.pack("<II", vrf, 0) + fp_ip(ip)


def neigh_val(mac, vni, flags=0):
    return struct.pack("<6sHI", mac_bytes(mac), flags, vni)


def route_key(vrf, prefix):
    net = ipaddress.ip_network(prefix, strict=True)
    plen = net.prefixlen + (96 if net.version == 4 else 0)
    return struct.pack("<IB3x16s", vrf, plen, fp_ip(str(net.network_address)))


def route_val(rtype, vni=0, mac=None, mtu=0, addr=None, flags=0):
    b = struct.pack("<HHI6sH16s", ROUTE[rtype], flags, vni,
                    mac_bytes(mac) if mac else bytes(6), mtu, fp_ip(addr) if addr else bytes(16))
    assert len(b) == 32
    return b


def nat_key(scope, direction, ip):
    return struct.pack("<IB3x", scope, direction) + fp_ip(ip)


def nat_val(ip, mac, scope):
    b = fp_ip(ip) + (mac_bytes(mac) if mac else bytes(6)) + struct.pack("<HI", 0, scope)
    assert len(b) == 28
    return b


def ruleset_key(rs_id, direction):
    return struct.pack("<IHH", rs_id, direction, 0)


def sg_rule(rule_id, family=4, proto=None, ports=None, icmp=None, remote=None, addrset=0):
    """struct fp_sg_rule: ports (min, max) of the destination; icmp (type,
    code or None); remote 'a.b.c.d/n' or 'x::/n'; addrset a set id.
    """
    flags, pmin, pmax, itype, icode, plen, rip = 0, 0, 0, 0, 0, 0, bytes(16)
    if proto is not None:
        flags |= SG_RULE_F_PROTO
    if ports is not None:
        flags |= SG_RULE_F_PORTS
        pmin, pmax = ports
    if icmp is not None:
        flags |= SG_RULE_F_ICMP_TYPE
        itype = icmp[0]
        if icmp[1] is not None:
            flags |= SG_RULE_F_ICMP_CODE
            icode = icmp[1]
    if addrset:
        flags |= SG_RULE_F_ADDRSET
    elif remote is not None:
        net = ipaddress.ip_network(remote, strict=True)
        plen = net.prefixlen + (96 if net.version == 4 else 0)
        rip = fp_ip(str(net.network_address))
    b = struct.pack("<16sIIHHBBBBBB6x", rip, addrset, rule_id, pmin, pmax, family,
                    proto or 0, plen, flags, itype, icode)
    assert len(b) == 40
    return b


def ruleset_val(rules, stateful=True):
    assert len(rules) <= SG_RULE_MAX
    b = struct.pack("<HHI", len(rules), RULESET_F_STATEFUL if stateful else 0, 0)
    b += b"".join(rules) + bytes(40 * (SG_RULE_MAX - len(rules)))
    assert len(b) == 8 + 40 * SG_RULE_MAX
    return b


def addrset_key(set_id, prefix):
    net = ipaddress.ip_network(prefix, strict=True)
    plen = net.prefixlen + (96 if net.version == 4 else 0)
    return struct.pack("<IB3x16s", set_id, plen, fp_ip(str(net.network_address)))


def addrset_val():
    return struct.pack("<I", 0)


# ---------------------------------------------------------------------------
# Flow hash and outer UDP source port (doc/packets.md, "Flow hash")
# ---------------------------------------------------------------------------

M32 = 0xffffffff


def rol32(w, s):
    return ((w << s) | (w >> (32 - s))) & M32


def jhash_3words(a, b, c, initval):
    """Linux include/linux/jhash.h: jhash_3words() = __jhash_final()."""
    initval = (initval + 0xdeadbeef + (3 << 2)) & M32
    a = (a + initval) & M32
    b = (b + initval) & M32
    c = (c + initval) & M32
    c ^= b
    c = (c - rol32(b, 14)) & M32
    a ^= c
    a = (a - rol32(c, 11)) & M32
    b ^= a
    b = (b - rol32(a, 25)) & M32
    c ^= b
    c = (c - rol32(b, 16)) & M32
    a ^= c
    a = (a - rol32(c, 4)) & M32
    b ^= a
    b = (b - rol32(a, 14)) & M32
    c ^= b
    c = (c - rol32(b, 24)) & M32
    return c


def be16(b, off):
    return struct.unpack_from("!H", b, off)[0]


def be32(b, off):
    return struct.unpack_from("!I", b, off)[0]


def flow_hash(f):
    """Hash of an inner frame (no VLAN: VM frames with tags are dropped)."""
    et = be16(f, 12)
    if et == 0x0800:
        ip = f[14:]
        ihl = (ip[0] & 0xf) * 4
        a, b = be32(ip, 12), be32(ip, 16)
        proto = ip[9]
        frag = be16(ip, 6) & 0x3fff  # MF or offset
        l4 = ip[ihl:]
    elif et == 0x86dd:
        ip = f[14:]
        a = be32(ip, 8) ^ be32(ip, 12) ^ be32(ip, 16) ^ be32(ip, 20)
        b = be32(ip, 24) ^ be32(ip, 28) ^ be32(ip, 32) ^ be32(ip, 36)
        proto, off, frag = ip[6], 40, 0
        for _ in range(4):
            if proto in (0, 43, 60):
                proto, off = ip[off], off + (ip[off + 1] + 1) * 8
            elif proto == 44:
                fo = be16(ip, off + 2)
                frag |= fo & 0xfff9  # offset or M
                proto, off = ip[off], off + 8
            else:
                break
        l4 = ip[off:]
    else:
        a = be32(f, 0)
        b = (be16(f, 4) << 16) | be16(f, 6)
        c = be32(f, 8)
        return jhash_3words(a, b, c, 0x666c6f77 ^ et)
    c = 0
    if proto in (6, 17) and not frag:
        c = (be16(l4, 0) << 16) | be16(l4, 2)
    return jhash_3words(a, b, c, 0x666c6f77 ^ proto)


def flow_sport(inner):
    return 49152 + ((flow_hash(inner) * 16384) >> 32)


# ---------------------------------------------------------------------------
# The test world
# ---------------------------------------------------------------------------

VNI = 1000          # the tenant network of ports 0, 2, 3
VNI2 = 2000         # another network (port 4)
VRF = 1
VM0_MAC = "02:00:00:00:00:10"   # port 0
VM2_MAC = "02:00:00:00:00:20"   # port 2
VM3_MAC = "02:00:00:00:00:30"   # port 3
VM4_MAC = "02:00:00:00:00:40"   # port 4 (VNI2)
UL_MAC = "02:00:00:00:01:01"    # port 1, the underlay
NH_MAC = "02:00:00:00:01:fe"    # the underlay next hop / peer hypervisor
REM_MAC = {1: "02:00:00:00:0a:01", 2: "02:00:00:00:0a:02",
           3: "02:00:00:00:0a:03", 4: "02:00:00:00:0a:04"}
UNKNOWN_MAC = "02:00:00:00:0e:0e"  # in no FDB
BCAST = "ff:ff:ff:ff:ff:ff"
VM0_IP, VM2_IP, VM3_IP, REM_IP = "10.0.0.10", "10.0.0.20", "10.0.0.30", "10.0.0.31"
VM0_IP6, VM2_IP6, REM_IP6 = "fd00:100::10", "fd00:100::20", "fd00:100::31"
LOCAL4, LOCAL6 = "172.16.0.1", "fd00:16::1"
VTEPS = {  # id: (remote, local, encap)
    1: ("172.16.0.2", LOCAL4, "vxlan"),
    2: ("172.16.0.3", LOCAL4, "geneve"),
    3: ("fd00:16::2", LOCAL6, "vxlan"),
    4: ("fd00:16::3", LOCAL6, "geneve"),
}
UL_PORT = 1
UL_MTU = 1600       # max_inner_l3: 1550 over IPv4, 1530 over IPv6


def eui64_lladdr(mac):
    b = bytearray(mac_bytes(mac))
    iid = bytes([b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + iid))


def max_inner_l3(vtep_id, ul_mtu=UL_MTU):
    remote = VTEPS[vtep_id][0]
    return ul_mtu - (50 if ipaddress.ip_address(remote).version == 4 else 70)


class Case:
    """One case file being built."""

    def __init__(self, name, desc):
        self.name = name
        self.desc = desc
        self.config = []     # port / local_vtep lines
        self.setup = []      # entry / del / commit lines
        self.in_line = None
        self.outs = []
        self.verdict = None
        self.stats = []
        self.earlier = []    # lines of the earlier packets of a sequence
        self.engine_line = None
        self.ct_line = None
        self.guard_line = None

    def engines(self, names, why):
        self.engine_line = "engines %s %s" % (names, why)

    def conntrack(self, size):
        self.ct_line = "conntrack %d" % size

    def guard(self, strict_source=1, inner_src_mac=1, storm_pps=1000, storm_burst=200,
              ethertypes=()):
        """The config's guard group (default: its defaults, every check on,
        no permitted_ethertypes)."""
        self.guard_line = "guard %d %d %d %d" % (strict_source, inner_src_mac, storm_pps,
                                                 storm_burst)
        self.guard_line += "".join(" 0x%04x" % e for e in ethertypes)

    def next(self):
        """End this packet of a sequence; what follows is the next one."""
        assert self.in_line and self.verdict, self.name
        self.earlier += (self.setup + [self.in_line] + self.outs + [self.verdict] +
                         self.stats + ["next"])
        self.setup, self.in_line, self.outs, self.verdict, self.stats = [], None, [], None, []

    # tables -------------------------------------------------------------
    def port(self, pid, role, mtu, mac):
        self.config.append("port %d %s %d %s" % (pid, role, mtu, mac))

    def local_vtep(self, ip):
        self.config.append("local_vtep %s" % ip)

    def entry(self, table, key, val, comment):
        self.setup.append("# %s" % comment)
        self.setup.append("entry %s %s %s" % (table, key.hex(), val.hex()))

    def delete(self, table, key, comment):
        self.setup.append("# delete %s" % comment)
        self.setup.append("del %s %s" % (table, key.hex()))

    def commit(self):
        self.setup.append("commit")

    def vm_port(self, pid, vni, mac, flags=PORT_F_ANTISPOOF, addrs=(), vrf=VRF, mtu=1500,
                ruleset=0):
        txt = ", ".join("%s%s" % (p, " mac " + m if m else "") for p, m in addrs)
        self.entry("port", port_key(pid), port_val(vni, vrf, mac, flags, mtu, addrs, ruleset),
                   "port %d: vm vni %d vrf %d mac %s%s%s addrs [%s]" %
                   (pid, vni, vrf, mac, " antispoof" if flags & PORT_F_ANTISPOOF else "",
                    " sg ruleset %d" % ruleset if flags & PORT_F_SG else "", txt))

    def vtep(self, vid, remote=None, local=None, encap=None, up=UL_PORT, nh=NH_MAC):
        r, l, e = VTEPS[vid]
        remote, local, encap = remote or r, local or l, encap or e
        self.entry("vtep", vtep_key(vid), vtep_val(remote, local, nh, encap, up),
                   "vtep %d: %s remote %s local %s nh %s via port %d" %
                   (vid, encap, remote, local, nh, up))

    def fdb(self, vni, mac, dest, dest_id, flags=0):
        """flags: FP_FDB_F_*, or a phys destination's VLAN id."""
        if dest == "phys":
            what = " vlan %d" % flags if flags else ""
        else:
            what = " external" if flags else ""
        self.entry("fdb", fdb_key(vni, mac), fdb_val(dest, dest_id, flags),
                   "fdb vni %d %s -> %s %d%s" % (vni, mac, dest, dest_id, what))

    def nat(self, direction, scope, ip, to_ip, mac, to_scope):
        self.entry("nat", nat_key(scope, direction, ip), nat_val(to_ip, mac, to_scope),
                   "nat %s %d %s -> %s%s %d" % (("snat", "dnat")[direction], scope, ip, to_ip,
                                               " mac " + mac if mac else "", to_scope))

    def flood(self, vni, members):
        self.entry("flood", flood_key(vni), flood_val(members),
                   "flood vni %d: %s" % (vni, " ".join(
                       "%s %d" % m[:2] + (" vlan %d" % m[2] if len(m) > 2 and m[2] else "")
                       for m in members)))

    def segment(self, port_id, vlan, net):
        self.entry("segment", segment_key(port_id, vlan), segment_val(net),
                   "segment port %d vlan %d -> network %d" % (port_id, vlan, net))

    def neigh(self, ip, mac, vni, vrf=VRF, flags=0):
        self.entry("neigh", neigh_key(vrf, ip), neigh_val(mac, vni, flags),
                   "neigh vrf %d %s -> %s vni %d%s" % (vrf, ip, mac, vni,
                                                       " local-only" if flags else ""))

    def route(self, vrf, prefix, rtype, vni=0, mac=None, mtu=0, addr=None, flags=0):
        self.entry("route", route_key(vrf, prefix),
                   route_val(rtype, vni, mac, mtu, addr, flags),
                   "route vrf %d %s %s%s%s" % (vrf, prefix, rtype,
                                               " vni %d mac %s mtu %d addr %s" %
                                               (vni, mac, mtu, addr) if vni else "",
                                               " flags 0x%x" % flags if flags else ""))

    def ruleset(self, rs_id, direction, rules, stateful=True, comment=""):
        self.entry("ruleset", ruleset_key(rs_id, direction), ruleset_val(rules, stateful),
                   "ruleset %d %s%s: %s" % (rs_id, ("egress", "ingress")[direction],
                                            " stateful" if stateful else "", comment))

    def addrset(self, set_id, prefix):
        self.entry("addrset", addrset_key(set_id, prefix), addrset_val(),
                   "addrset %d: member %s" % (set_id, prefix))

    # packets -----------------------------------------------------------
    def inp(self, port, frame):
        assert self.in_line is None
        self.in_line = "in %d %s" % (port, bytes(frame).hex())

    def out(self, port, frame):
        self.outs.append("out %d %s" % (port, bytes(frame).hex()))

    def tx(self):
        assert self.verdict is None
        self.verdict = "tx"

    def drop(self, reason):
        assert self.verdict is None and reason in DROPS, reason
        self.verdict = "drop %s" % reason

    def punt(self):
        assert self.verdict is None
        self.verdict = "punt"

    def stat(self, name, value):
        assert name in STATS
        self.stats.append("stat %s %d" % (name, value))

    def render(self):
        assert self.in_line and self.verdict, self.name
        lines = ["# Generated by tests/cases/gen_cases.py: do not edit, regenerate with",
                 "#   /usr/bin/python3 tests/cases/gen_cases.py",
                 "name %s" % self.name, "desc %s" % self.desc]
        if self.engine_line:
            lines.append(self.engine_line)
        if self.ct_line:
            lines.append(self.ct_line)
        if self.guard_line:
            lines.append(self.guard_line)
        lines += self.config + self.earlier
        lines += self.setup + [self.in_line] + self.outs + [self.verdict] + self.stats
        return "\n".join(lines) + "\n"


def world(c, antispoof=True, ul_mtu=UL_MTU, flood=None, vteps=(1, 2, 3, 4), sg=None):
    """The standard hypervisor: VM ports 0, 2, 3 in VNI, port 4 in VNI2,
    the underlay port 1, local VTEPs, four remote VTEPs, the FDB and a
    flood list.
    """
    c.port(0, "vm", 1500, VM0_MAC)
    c.port(1, "underlay", ul_mtu, UL_MAC)
    c.port(2, "vm", 1500, VM2_MAC)
    c.port(3, "vm", 1500, VM3_MAC)
    c.port(4, "vm", 1500, VM4_MAC)
    c.local_vtep(LOCAL4)
    c.local_vtep(LOCAL6)
    c.vm_port(0, VNI, VM0_MAC,
              (PORT_F_ANTISPOOF if antispoof else 0) | (PORT_F_SG if sg else 0),
              [(VM0_IP + "/32", None), (VM0_IP6 + "/128", None)], ruleset=sg or 0)
    c.vm_port(2, VNI, VM2_MAC, PORT_F_ANTISPOOF,
              [(VM2_IP + "/32", None), (VM2_IP6 + "/128", None)])
    c.vm_port(3, VNI, VM3_MAC, 0)
    c.vm_port(4, VNI2, VM4_MAC, 0)
    for v in vteps:
        c.vtep(v)
    c.fdb(VNI, VM0_MAC, "port", 0)
    c.fdb(VNI, VM2_MAC, "port", 2)
    c.fdb(VNI, VM3_MAC, "port", 3)
    for v in vteps:
        c.fdb(VNI, REM_MAC[v], "vtep", v)
    c.fdb(VNI2, VM4_MAC, "port", 4)
    c.flood(VNI, flood if flood is not None else [("port", 0), ("port", 2), ("vtep", 1)])


# ---------------------------------------------------------------------------
# Frame builders (scapy) and expected outputs (doc/packets.md)
# ---------------------------------------------------------------------------

def tcp4(src_mac=VM0_MAC, dst_mac=REM_MAC[1], src=VM0_IP, dst=REM_IP,
         payload=b"hello flowplane!", **ipkw):
    ipkw.setdefault("flags", "DF")
    ipkw.setdefault("id", 0x1234)
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IP(src=src, dst=dst, ttl=64, **ipkw) /
                 TCP(sport=40000, dport=80, seq=1000, ack=0, flags="S", window=64240) /
                 Raw(payload))


def udp4(src_mac=VM0_MAC, dst_mac=REM_MAC[1], src=VM0_IP, dst=REM_IP,
         sport=5000, dport=6000, payload=b"udp payload", **ipkw):
    ipkw.setdefault("flags", "DF")
    ipkw.setdefault("id", 0x2345)
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IP(src=src, dst=dst, ttl=64, **ipkw) /
                 UDP(sport=sport, dport=dport) / Raw(payload))


def udp6(src_mac=VM0_MAC, dst_mac=REM_MAC[3], src=VM0_IP6, dst=REM_IP6,
         sport=5001, dport=6001, payload=b"udp6 payload"):
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IPv6(src=src, dst=dst, hlim=64, tc=0, fl=0x12345) /
                 UDP(sport=sport, dport=dport) / Raw(payload))


def tcp6(src_mac=VM0_MAC, dst_mac=REM_MAC[4], src=VM0_IP6, dst=REM_IP6):
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IPv6(src=src, dst=dst, hlim=64, tc=0, fl=0) /
                 TCP(sport=40001, dport=443, seq=7, ack=0, flags="S", window=65535) /
                 Raw(b"tcp6 payload"))


def arp_req(spa, tpa, sha=VM0_MAC, src_mac=None, dst_mac=BCAST, pad=0, op=1, hrd=1,
            pro=0x0800, hln=6, pln=4):
    """An ARP packet; the body is laid out by hand so that malformed
    hrd/pro/hln/pln values keep the Ethernet/IPv4 layout.
    """
    body = (struct.pack("!HHBBH", hrd, pro, hln, pln, op) + mac_bytes(sha) +
            ipaddress.IPv4Address(spa).packed + bytes(6) + ipaddress.IPv4Address(tpa).packed)
    return bytes(Ether(dst=dst_mac, src=src_mac or sha, type=0x0806) / Raw(body)) + bytes(pad)


def arp_reply_of(req, mac):
    """doc/packets.md: the ARP reply built in place from a request."""
    e = Ether(req)
    a = e[ARP]
    rep = (Ether(dst=e.src, src=mac, type=0x0806) /
           ARP(hwtype=1, ptype=0x0800, hwlen=6, plen=4, op=2, hwsrc=mac,
               psrc=a.pdst, hwdst=a.hwsrc, pdst=a.psrc))
    b = bytes(rep)
    return b + req[len(b):]  # frame length and padding kept


def solicited_node(ip):
    a = ipaddress.IPv6Address(ip).packed
    return str(ipaddress.IPv6Address(b"\xff\x02" + bytes(9) + b"\x01\xff" + a[13:]))


def mcast_mac6(ip):
    a = ipaddress.IPv6Address(ip).packed
    return "33:33:" + ":".join("%02x" % x for x in a[12:])


def ns(target, src=VM0_IP6, src_mac=VM0_MAC, hlim=255, code=0, opts=None, dst=None,
       raw_icmp=None):
    dst = dst or solicited_node(target)
    ip = IPv6(src=src, dst=dst, hlim=hlim, tc=0, fl=0, nh=58)
    if raw_icmp is not None:
        body = raw_icmp
    else:
        body = ICMPv6ND_NS(code=code, tgt=target)
        body = body / (opts if opts is not None else ICMPv6NDOptSrcLLAddr(lladdr=src_mac))
    return bytes(Ether(dst=mcast_mac6(dst), src=src_mac) / ip / body)


def na_of(ns_frame, mac):
    """doc/packets.md: the 86-byte neighbour advertisement for an NS."""
    e = Ether(ns_frame)
    ip = e[IPv6]
    tgt = e[ICMPv6ND_NS].tgt
    na = (Ether(dst=e.src, src=mac, type=0x86dd) /
          IPv6(version=6, tc=0, fl=0, nh=58, hlim=255, src=tgt, dst=ip.src) /
          ICMPv6ND_NA(code=0, R=0, S=1, O=1, res=0, tgt=tgt) /
          ICMPv6NDOptDstLLAddr(type=2, len=1, lladdr=mac))
    b = bytes(na)
    assert len(b) == 86 and be16(b, 18) == 32 and b[54] == 136 and b[58] == 0x60
    return b


def encap(inner, vtep_id, vni=VNI):
    """doc/packets.md "Encapsulation": the frame sent toward a vtep."""
    remote, local, enc = VTEPS[vtep_id]
    sport = flow_sport(inner)
    dport = 4789 if enc == "vxlan" else 6081
    if ipaddress.ip_address(remote).version == 4:
        outer = (Ether(dst=NH_MAC, src=UL_MAC, type=0x0800) /
                 IP(version=4, ihl=5, tos=0, id=0, flags="DF", frag=0, ttl=64, proto=17,
                    src=local, dst=remote) /
                 UDP(sport=sport, dport=dport, chksum=0))
    else:
        outer = (Ether(dst=NH_MAC, src=UL_MAC, type=0x86dd) /
                 IPv6(version=6, tc=0, fl=0, nh=17, hlim=64, src=local, dst=remote) /
                 UDP(sport=sport, dport=dport))
    if enc == "vxlan":
        tun = VXLAN(flags=0x08, reserved1=0, vni=vni, reserved2=0)
    else:
        tun = GENEVE(version=0, optionlen=0, oam=0, critical=0, reserved=0, proto=0x6558,
                     vni=vni, reserved2=0)
    b = bytes(outer / tun / Raw(inner))
    hl = 50 if outer.haslayer(IP) else 70
    assert len(b) == hl + len(inner) and be16(b, hl - 12) == 16 + len(inner)
    return b


def underlay_frame(inner, vtep_id, vni=VNI, vxlan_flags=0x08, geneve_opts=None,
                   geneve_kw=None, sport=51000, dport=None, dst_mac=UL_MAC, trailer=b"",
                   udp_extra=b"", vlan=None, src=None):
    """A tunnel frame as the remote VTEP vtep_id sends it to us (from the
    outer source address src, if given, instead of the vtep's)."""
    remote, local, enc = VTEPS[vtep_id]
    dport = dport or (4789 if enc == "vxlan" else 6081)
    if enc == "vxlan":
        tun = VXLAN(flags=vxlan_flags, reserved1=0, vni=vni, reserved2=0)
    else:
        opts = geneve_opts or []
        olen = sum(len(bytes(o)) for o in opts) // 4
        kw = dict(version=0, optionlen=olen, oam=0, critical=0, reserved=0,
                  proto=0x6558, vni=vni, reserved2=0, options=opts)
        kw.update(geneve_kw or {})
        tun = GENEVE(**kw)
    l2 = Ether(dst=dst_mac, src=NH_MAC)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    if ipaddress.ip_address(remote).version == 4:
        ip = IP(version=4, ihl=5, tos=0, id=0x42, flags="DF", frag=0, ttl=64, proto=17,
                src=src or remote, dst=local)
    else:
        ip = IPv6(version=6, tc=0, fl=0, nh=17, hlim=64, src=src or remote, dst=local)
    f = bytes(l2 / ip / UDP(sport=sport, dport=dport) / tun / Raw(inner))
    if udp_extra:
        # Bytes inside the IP packet after the UDP datagram: the IP length
        # covers them, the UDP length does not.
        l3 = 18 if vlan is not None else 14
        f += udp_extra
        if ip.version == 4:
            f = fix_ip4(f, l3, tot=be16(f, l3 + 2) + len(udp_extra))
        else:
            f = put16(f, l3 + 4, be16(f, l3 + 4) + len(udp_extra))
    return f + trailer


def icmp4_too_big(orig, mtu):
    """doc/packets.md "ICMP errors", IPv4."""
    e = Ether(orig)
    ip = orig[14:14 + be16(orig, 16)]
    err = (Ether(dst=e.src, src=e.dst, type=0x0800) /
           IP(version=4, ihl=5, tos=0, id=0, flags=0, frag=0, ttl=64, proto=1,
              src=e[IP].dst, dst=e[IP].src) /
           ICMP(type=3, code=4, reserved=0, length=0, nexthopmtu=mtu) /
           Raw(ip[:548]))
    b = bytes(err)
    assert be16(b, 16) <= 576
    return b


def icmp6_too_big(orig, mtu):
    """doc/packets.md "ICMP errors", IPv6."""
    e = Ether(orig)
    ip = orig[14:14 + 40 + be16(orig, 18)]
    err = (Ether(dst=e.src, src=e.dst, type=0x86dd) /
           IPv6(version=6, tc=0, fl=0, nh=58, hlim=64, src=e[IPv6].dst, dst=e[IPv6].src) /
           ICMPv6PacketTooBig(code=0, mtu=mtu) / Raw(ip[:1232]))
    b = bytes(err)
    assert len(b) - 14 <= 1280
    return b


def fix_ip4(f, l3=14, tot=None, ihl=None, csum=True):
    """Rewrite an IPv4 header's total length / IHL and its checksum."""
    f = bytearray(f)
    if tot is not None:
        struct.pack_into("!H", f, l3 + 2, tot)
    if ihl is not None:
        f[l3] = (f[l3] & 0xf0) | ihl
    if csum:
        hl = (f[l3] & 0xf) * 4
        struct.pack_into("!H", f, l3 + 10, 0)
        struct.pack_into("!H", f, l3 + 10, inet_csum(bytes(f[l3:l3 + hl])))
    return bytes(f)


def inet_csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def put16(f, off, v):
    f = bytearray(f)
    struct.pack_into("!H", f, off, v)
    return bytes(f)


# ---------------------------------------------------------------------------
# A model of the parsing rules and of the paths the truncation family takes
# (doc/packets.md "Parsing", "From a VM port", "From the underlay port").
# ---------------------------------------------------------------------------

def spec_parse(f, underlay):
    """Return (drop reason or None, meta)."""
    m = {"vlans": 0, "l4": False, "frag": False}
    if len(f) < 14:
        return "trunc_l2", m
    et, off = be16(f, 12), 14
    while et in (0x8100, 0x88a8):
        if m["vlans"] == 2:
            return "too_many_vlans", m
        if off + 4 > len(f):
            return "trunc_vlan", m
        et, off = be16(f, off + 2), off + 4
        m["vlans"] += 1
    m["et"], m["l3"] = et, off
    if et == 0x0806:
        return ("trunc_l3" if off + 28 > len(f) else None), m
    if et == 0x0800:
        if off + 1 > len(f):
            return "trunc_l3", m
        if f[off] >> 4 != 4:
            return "bad_ip_version", m
        ihl = (f[off] & 0xf) * 4
        if ihl < 20:
            return "bad_ip_hdr_len", m
        if off + ihl > len(f):
            return "trunc_l3", m
        tot = be16(f, off + 2)
        if tot < ihl or off + tot > len(f):
            return "bad_ip_len", m
        if underlay and inet_csum(f[off:off + ihl]) != 0:
            return "bad_ip_csum", m
        m["dst"] = fp_ip(str(ipaddress.IPv4Address(f[off + 16:off + 20])))
        fo = be16(f, off + 6)
        proto, l4, end = f[off + 9], off + ihl, off + tot
        if fo & 0x3fff:
            m["frag"] = True
            return None, m
    elif et == 0x86dd:
        if off + 40 > len(f):
            return "trunc_l3", m
        if f[off] >> 4 != 6:
            return "bad_ip_version", m
        end = off + 40 + be16(f, off + 4)
        if end > len(f):
            return "bad_ip_len", m
        m["dst"] = bytes(f[off + 24:off + 40])
        proto, l4 = f[off + 6], off + 40
        for _ in range(4):
            if proto in (0, 43, 60):
                if l4 + 2 > end or l4 + (f[l4 + 1] + 1) * 8 > end:
                    return "trunc_l3", m
                proto, l4 = f[l4], l4 + (f[l4 + 1] + 1) * 8
            elif proto == 44:
                if l4 + 8 > end:
                    return "trunc_l3", m
                if be16(f, l4 + 2) & 0xfff9:
                    m["frag"] = True
                proto, l4 = f[l4], l4 + 8
            else:
                break
        if m["frag"]:
            return None, m
    else:
        return None, m
    m["proto"], m["l4off"], m["ipend"] = proto, l4, end
    if proto == 17:
        if l4 + 8 > end:
            return "trunc_l4", m
        ulen = be16(f, l4 + 4)
        if ulen < 8 or ulen > end - l4:
            return "bad_udp_len", m
        m["sport"], m["dport"], m["ulen"] = be16(f, l4), be16(f, l4 + 2), ulen
    elif proto == 6:
        if l4 + 20 > end:
            return "trunc_l4", m
        doff = (f[l4 + 12] >> 4) * 4
        if doff < 20 or l4 + doff > end:
            return "bad_tcp_hdr_len", m
    elif proto in (1, 58):
        if l4 + 8 > end:
            return "trunc_l4", m
    else:
        return None, m
    m["l4"] = True
    return None, m


def expect_underlay(c, f, local_vteps=(LOCAL4, LOCAL6), vnis=(VNI,)):
    """Expected result of a tunnel frame on the underlay of world(): the
    inner frame must go to VM0 (port 0).  Only the tunnel path is modelled.
    """
    r, m = spec_parse(f, True)
    if r:
        return c.drop(r)
    assert m.get("et") in (0x0800, 0x86dd)
    if f[:6] != mac_bytes(UL_MAC):
        return c.drop("not_our_mac")
    if m["dst"] not in [fp_ip(x) for x in local_vteps]:
        return c.drop("not_local_vtep")
    if m["frag"]:
        return c.drop("underlay_fragment")
    if not m["l4"] or m["proto"] != 17 or m["dport"] not in (4789, 6081):
        return c.drop("underlay_not_tunnel")
    t = m["l4off"] + 8
    end = m["l4off"] + m["ulen"]
    if t + 8 > end:
        return c.drop("trunc_tunnel")
    if m["dport"] == 4789:
        if not f[t] & 0x08:
            return c.drop("bad_vxlan_flags")
        inner = t + 8
    else:
        if f[t] >> 6:
            return c.drop("bad_geneve")
        if f[t + 1] & 0x80:
            return c.drop("geneve_oam")
        if be16(f, t + 2) != 0x6558:
            return c.drop("geneve_protocol")
        inner = t + 8 + (f[t] & 0x3f) * 4
        if inner > end:
            return c.drop("trunc_tunnel")
        o = t + 8
        while o < inner:
            if o + 4 > inner or o + 4 + (f[o + 3] & 0x1f) * 4 > inner:
                return c.drop("bad_geneve")
            if f[o + 2] & 0x80:
                return c.drop("geneve_critical_option")
            o += 4 + (f[o + 3] & 0x1f) * 4
    if inner + 14 > end:
        return c.drop("trunc_l2")
    vni = int.from_bytes(f[t + 4:t + 7], "big")
    if vni not in vnis:
        return c.drop("unknown_vni")
    frame = f[inner:end]
    assert frame[:6] == mac_bytes(VM0_MAC)
    c.out(0, frame)
    c.tx()
    c.stat("decap", 1)
    c.stat("local", 1)


def expect_vm_local(c, f):
    """Expected result of a frame from VM0 (port 0) to VM2 (port 2)."""
    r, m = spec_parse(f, False)
    if r:
        return c.drop(r)
    if m["vlans"]:
        return c.drop("vlan_denied")
    assert f[:6] == mac_bytes(VM2_MAC) and f[6:12] == mac_bytes(VM0_MAC)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

CASES = []


def case(name, desc):
    c = Case(name, desc)
    CASES.append(c)
    return c


def gen_vm_unicast():
    f = udp4(dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_to_local", "VM port 0 sends UDP to a MAC on local port 2: delivered as is")
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    for v, name, inner in ((1, "vm_to_remote_vxlan4", tcp4(dst_mac=REM_MAC[1])),
                           (2, "vm_to_remote_geneve4", tcp4(dst_mac=REM_MAC[2])),
                           (3, "vm_to_remote_vxlan6", udp6(dst_mac=REM_MAC[3])),
                           (4, "vm_to_remote_geneve6", tcp6(dst_mac=REM_MAC[4]))):
        remote, _, enc = VTEPS[v]
        c = case(name, "VM port 0 sends to a MAC behind vtep %d: %s over %s to %s, "
                 "source port from the inner flow hash" %
                 (v, enc, "IPv4" if v < 3 else "IPv6 (UDP checksum)", remote))
        world(c)
        c.inp(0, inner)
        c.out(UL_PORT, encap(inner, v))
        c.tx()
        c.stat("encap", 1)

    # A 60-byte frame with Ethernet padding: the padding is carried.
    inner = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC) /
                  IP(src=VM0_IP, dst=REM_IP, id=1, flags="DF", ttl=64) /
                  ICMP(type=8, code=0, id=0x77, seq=1)) + bytes(18)
    assert len(inner) == 60
    c = case("vm_to_remote_vxlan4_padded",
             "ICMP echo in a padded 60-byte frame: the inner frame, padding included, is "
             "encapsulated unchanged; hash with c = 0 (not TCP/UDP)")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, encap(inner, 1))
    c.tx()
    c.stat("encap", 1)

    inner = arp_req(VM0_IP, REM_IP, op=2, dst_mac=REM_MAC[1])
    c = case("vm_to_remote_arp_l2_hash",
             "a unicast ARP reply toward vtep 1: non-IP, so the flow hash uses the MACs "
             "and init = ethertype 0x0806")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, encap(inner, 1))
    c.tx()
    c.stat("encap", 1)

    inner = udp4(dst_mac=REM_MAC[2], flags="MF", frag=0, payload=b"x" * 40)
    c = case("vm_to_remote_geneve4_fragment",
             "first fragment of a UDP datagram (MF): a fragment, so c = 0 in the flow hash")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, encap(inner, 2))
    c.tx()
    c.stat("encap", 1)

    inner = bytes(Ether(dst=REM_MAC[3], src=VM0_MAC) /
                  IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0) /
                  IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0\0\0\0")]) /
                  UDP(sport=7000, dport=7001) / Raw(b"after hop-by-hop"))
    c = case("vm_to_remote_vxlan6_exthdr",
             "IPv6 with a hop-by-hop header before UDP: the hash takes the ports and "
             "init = 17 from after the extension header")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, encap(inner, 3))
    c.tx()
    c.stat("encap", 1)

    # Force the outer IPv6 UDP checksum to compute to 0: it must be sent as
    # 0xffff (RFC 8200 8.1).  The last two payload bytes are chosen so.
    base = udp6(dst_mac=REM_MAC[3], payload=b"checksum zero!\0\0")
    out = bytearray(encap(base, 3))
    udp_off = 14 + 40
    out[udp_off + 6:udp_off + 8] = b"\0\0"
    ulen = be16(out, udp_off + 4)
    pseudo = out[22:54] + struct.pack("!IxxxB", ulen, 17)
    s = (~inet_csum(pseudo + bytes(out[udp_off:udp_off + ulen]))) & 0xffff
    # s is the folded sum with the last word zero: pick w with s + w = 0xffff.
    w = (0xffff - s) & 0xffff
    inner = base[:-2] + struct.pack("!H", w)
    out = encap(inner, 3)
    assert be16(out, udp_off + 6) == 0xffff
    c = case("vm_to_remote_vxlan6_csum_ffff",
             "the outer IPv6 UDP checksum computes to 0 and is sent as 0xffff")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, out)
    c.tx()
    c.stat("encap", 1)

    # A long odd-length datagram: its outer IPv6 UDP checksum covers 512- and
    # 64-byte chunks, words, a last 16-bit word and a last odd byte.
    inner = udp6(dst_mac=REM_MAC[3], payload=bytes((i * 7 + 3) & 0xff for i in range(577)))
    out = encap(inner, 3)
    assert be16(out, 14 + 40 + 4) == 512 + 2 * 64 + 3 * 4 + 2 + 1
    c = case("vm_to_remote_vxlan6_odd_long",
             "a 639-byte frame to an IPv6 vtep: the outer UDP checksum over a 655-byte "
             "datagram (odd length)")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, out)
    c.tx()
    c.stat("encap", 1)

    # max_inner_l3 exactly: fits.
    n = max_inner_l3(1)
    inner = udp4(dst_mac=REM_MAC[1], payload=bytes(n - 28))
    assert be16(inner, 16) == n
    c = case("vm_to_remote_vxlan4_exact_mtu",
             "inner IPv4 packet of exactly max_inner_l3 (1600 - 50) bytes: encapsulated")
    world(c)
    c.inp(0, inner)
    c.out(UL_PORT, encap(inner, 1))
    c.tx()
    c.stat("encap", 1)

    f = udp4(dst_mac=VM0_MAC, dst=VM2_IP)
    c = case("vm_hairpin", "the FDB sends the frame back to its ingress port: hairpin")
    world(c)
    c.inp(0, f)
    c.drop("hairpin")

    f = udp4(dst_mac=VM4_MAC, dst=VM2_IP)
    c = case("vm_vni_mismatch", "an FDB entry of VNI 1000 points to port 4 of VNI 2000")
    world(c)
    c.fdb(VNI, VM4_MAC, "port", 4)
    c.inp(0, f)
    c.drop("vni_mismatch")

    f = udp4(dst_mac="02:00:00:00:ee:01", dst="10.0.1.1")
    c = case("vm_router_no_routes", "the destination MAC is a router's whose vrf has no "
             "route: no_route, no ICMP error (no connected route for the source)")
    world(c)
    c.fdb(VNI, "02:00:00:00:ee:01", "router", 1)
    c.inp(0, f)
    c.drop("no_route")

    f = udp4(dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_dest_missing_port",
             "the FDB points to port 2 whose entry a later transaction deleted")
    world(c)
    c.commit()
    c.delete("port", port_key(2), "port 2")
    c.inp(0, f)
    c.drop("dest_missing")

    f = tcp4(dst_mac=REM_MAC[2])
    c = case("vm_dest_missing_vtep",
             "the FDB points to vtep 2 which a later transaction deleted")
    world(c)
    c.commit()
    c.delete("vtep", vtep_key(2), "vtep 2")
    c.inp(0, f)
    c.drop("dest_missing")

    f = udp4(src_mac=VM4_MAC, dst_mac=VM2_MAC, src="10.0.9.9", dst=VM2_IP)
    c = case("vm_port_unconfigured", "a frame on port 5, which the config does not declare")
    world(c)
    c.inp(5, f)
    c.drop("port_unconfigured")

    # First fragments of a large UDP datagram: the UDP length covers the
    # whole datagram, more than the fragment holds.  Fragments have no L4
    # header parsed, so they are switched.
    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC) /
              IP(src=VM0_IP, dst=VM2_IP, id=0x51, flags="MF", frag=0, ttl=64, proto=17) /
              UDP(sport=5353, dport=5353, len=1208, chksum=0x1234) / Raw(bytes(32)))
    c = case("vm4_udp_first_fragment", "first IPv4 fragment (MF) of a 1208-byte UDP "
             "datagram: no L4 header parsed, switched to port 2")
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC) /
              IPv6(src=VM0_IP6, dst=VM2_IP6, hlim=64, tc=0, fl=0) /
              IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x55) /
              UDP(sport=5353, dport=5353, len=1208, chksum=0x1234) / Raw(bytes(32)))
    c = case("vm6_udp_first_fragment", "first IPv6 fragment (M) of a 1208-byte UDP "
             "datagram: a fragment like IPv4's, no L4 header parsed, switched to port 2")
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    c = case("vm_port_no_entry",
             "a frame on VM port 6, declared by the config but without a table entry")
    world(c)
    c.port(6, "vm", 1500, "02:00:00:00:00:60")
    c.inp(6, udp4(src_mac="02:00:00:00:00:60", dst_mac=VM2_MAC, dst=VM2_IP))
    c.drop("port_unconfigured")


def gen_flood():
    # Broadcast: DHCP discover from 0.0.0.0 (allowed by anti-spoofing).
    f = bytes(Ether(dst=BCAST, src=VM0_MAC) /
              IP(src="0.0.0.0", dst="255.255.255.255", id=0, ttl=64, flags=0) /
              UDP(sport=68, dport=67) / Raw(b"\x01\x01\x06\x00" + bytes(236)))
    members = [("port", 0), ("port", 2), ("vtep", 1), ("vtep", 3), ("port", 4),
               ("vtep", 2), ("port", 3)]
    c = case("vm_broadcast_flood",
             "DHCP discover from 0.0.0.0 (allowed for UDP 68->67) to broadcast: copies in "
             "member order to port 2, vtep 1, vtep 3, vtep 2 and port 3; the ingress port 0 "
             "and port 4 (VNI 2000) are skipped; the last target gets the original")
    world(c, flood=members)
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.out(UL_PORT, encap(f, 3))
    c.out(UL_PORT, encap(f, 2))
    c.out(3, f)
    c.tx()
    c.stat("flood", 1)
    c.stat("flood_copies", 5)

    f = tcp4(dst_mac=UNKNOWN_MAC)
    c = case("vm_unknown_unicast_flood",
             "a unicast MAC missing from the FDB is flooded: port 2 and vtep 1 (original last)")
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("flood", 1)
    c.stat("flood_copies", 2)

    f = udp4(src_mac=VM4_MAC, dst_mac=BCAST, src="10.0.9.9", dst="10.0.9.255")
    c = case("vm_flood_no_list", "broadcast in VNI 2000, which has no flood entry")
    world(c)
    c.inp(4, f)
    c.drop("no_flood_list")

    f = udp4(dst_mac=BCAST, dst="10.0.0.255")
    c = case("vm_flood_empty", "the flood list holds only the ingress port and a port of "
             "another VNI: no copy at all")
    world(c, flood=[("port", 0), ("port", 4)])
    c.inp(0, f)
    c.drop("flood_empty")

    n = max_inner_l3(3) + 1
    f = udp4(dst_mac=BCAST, dst="10.0.0.255", payload=bytes(n - 28))
    c = case("vm_flood_too_big_vtep_skipped",
             "a broadcast too big for vtep 3 (IPv6, max 1530) but not for vtep 1 (max 1550): "
             "vtep 3 is skipped silently, no ICMP error")
    world(c, flood=[("port", 2), ("vtep", 3), ("vtep", 1)])
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("flood", 1)
    c.stat("flood_copies", 2)
    c.stat("icmp_too_big_sent", 0)

    n = max_inner_l3(1) + 1
    f = udp4(dst_mac=BCAST, dst="10.0.0.255", payload=bytes(n - 28))
    c = case("vm_flood_too_big_all_skipped",
             "a broadcast too big for the only vtep of the flood list: flood_empty")
    world(c, flood=[("port", 0), ("vtep", 1)])
    c.inp(0, f)
    c.drop("flood_empty")

    inner = bytes(Ether(dst=BCAST, src=REM_MAC[1]) /
                  IP(src=REM_IP, dst="10.0.0.255", id=5, ttl=64, flags=0) /
                  UDP(sport=138, dport=138) / Raw(b"netbios"))
    c = case("ul_flood_local_only",
             "a broadcast from the underlay goes only to the flood list's local VM ports of "
             "the VNI (split horizon): port 0 a copy, port 2 the original; vteps and port 4 "
             "are skipped")
    world(c, flood=[("vtep", 1), ("port", 0), ("port", 4), ("vtep", 2), ("port", 2),
                    ("vtep", 3)])
    c.inp(UL_PORT, underlay_frame(inner, 1))
    c.out(0, inner)
    c.out(2, inner)
    c.tx()
    c.stat("decap", 1)
    c.stat("flood", 1)
    c.stat("flood_copies", 2)

    inner = tcp4(src_mac=REM_MAC[2], dst_mac=UNKNOWN_MAC, src=REM_IP, dst="10.0.0.77")
    c = case("ul_unknown_unicast_flood",
             "decapsulated unknown unicast (Geneve over IPv4) is flooded to local ports only")
    world(c, flood=[("port", 2), ("vtep", 2), ("port", 3)])
    c.inp(UL_PORT, underlay_frame(inner, 2))
    c.out(2, inner)
    c.out(3, inner)
    c.tx()
    c.stat("decap", 1)
    c.stat("flood", 1)
    c.stat("flood_copies", 2)

    c = case("ul_flood_empty", "decapsulated broadcast whose flood list has only vteps")
    world(c, flood=[("vtep", 1), ("vtep", 3)])
    c.inp(UL_PORT, underlay_frame(arp_req(REM_IP, VM0_IP, sha=REM_MAC[1]), 1))
    c.drop("flood_empty")

    req = arp_req(REM_IP, VM2_IP, sha=REM_MAC[1], pad=18)
    c = case("ul_arp_request_flooded",
             "an ARP request inside a tunnel is not answered even for a known neighbour: "
             "it is flooded to the local ports")
    world(c, flood=[("port", 0), ("port", 2)])
    c.neigh(VM2_IP, VM2_MAC, VNI)
    c.inp(UL_PORT, underlay_frame(req, 1))
    c.out(0, req)
    c.out(2, req)
    c.tx()
    c.stat("arp_reply", 0)
    c.stat("flood", 1)


def gen_arp_nd():
    req = arp_req(VM0_IP, VM2_IP)
    c = case("vm_arp_reply", "ARP request for 10.0.0.20 (neigh entry in VNI 1000) is answered "
             "on the ingress port with the neighbour's MAC")
    world(c)
    c.neigh(VM2_IP, VM2_MAC, VNI)
    c.inp(0, req)
    c.out(0, arp_reply_of(req, VM2_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    req = arp_req(VM0_IP, REM_IP, pad=18)
    assert len(req) == 60
    c = case("vm_arp_reply_padded",
             "ARP request in a padded 60-byte frame for a remote neighbour: the reply keeps "
             "the frame length and padding")
    world(c)
    c.neigh(REM_IP, REM_MAC[1], VNI)
    c.inp(0, req)
    c.out(0, arp_reply_of(req, REM_MAC[1]))
    c.tx()
    c.stat("arp_reply", 1)

    req = arp_req(VM0_IP, "10.0.0.99")
    c = case("vm_arp_unknown_flood", "ARP request for an address without a neigh entry: "
             "flooded (port 2, vtep 1)")
    world(c)
    c.neigh(VM2_IP, VM2_MAC, VNI)
    c.inp(0, req)
    c.out(2, req)
    c.out(UL_PORT, encap(req, 1))
    c.tx()
    c.stat("flood", 1)
    c.stat("arp_reply", 0)

    req = arp_req(VM0_IP, "10.0.0.44")
    c = case("vm_arp_neigh_other_vni_flood",
             "the neigh entry for the target lives in another VNI: not answered, flooded")
    world(c, flood=[("port", 2)])
    c.neigh("10.0.0.44", VM4_MAC, VNI2)
    c.inp(0, req)
    c.out(2, req)
    c.tx()
    c.stat("arp_reply", 0)

    req = arp_req(VM0_IP, VM0_IP)
    c = case("vm_arp_self_flood",
             "gratuitous ARP request for the sender's own address (neigh MAC = sender's): "
             "flooded, not answered")
    world(c, flood=[("port", 2)])
    c.neigh(VM0_IP, VM0_MAC, VNI)
    c.inp(0, req)
    c.out(2, req)
    c.tx()
    c.stat("arp_reply", 0)

    req = arp_req("0.0.0.0", "10.0.0.10")
    c = case("vm_arp_probe_flood",
             "ARP probe (sender IP 0.0.0.0, RFC 5227) passes anti-spoofing and is flooded")
    world(c, flood=[("port", 2)])
    c.inp(0, req)
    c.out(2, req)
    c.tx()

    req = arp_req(VM0_IP, VM2_IP, pro=0x86dd)
    c = case("vm_bad_arp", "broadcast ARP with protocol type 0x86dd: malformed")
    world(c)
    c.neigh(VM2_IP, VM2_MAC, VNI)
    c.inp(0, req)
    c.drop("bad_arp")

    req = arp_req(VM0_IP, VM2_IP, sha="02:00:00:00:00:99", src_mac=VM0_MAC)
    c = case("vm_arp_spoofed_sha", "ARP sender MAC differs from the Ethernet source")
    world(c)
    c.inp(0, req)
    c.drop("spoofed_mac")

    req = arp_req("10.0.0.66", VM2_IP)
    c = case("vm_arp_spoofed_spa", "ARP sender IP is not one of the port's addresses")
    world(c)
    c.inp(0, req)
    c.drop("spoofed_ip")

    # Neighbour discovery.
    f = ns(VM2_IP6)
    c = case("vm_nd_reply", "neighbour solicitation (with source link-layer option) for "
             "fd00:100::20 answered with an 86-byte advertisement")
    world(c)
    c.neigh(VM2_IP6, VM2_MAC, VNI)
    c.inp(0, f)
    c.out(0, na_of(f, VM2_MAC))
    c.tx()
    c.stat("nd_reply", 1)

    f = ns(REM_IP6, opts=Raw(b""))
    assert len(f) == 78
    c = case("vm_nd_reply_no_opt", "a 78-byte solicitation without options grows into the "
             "86-byte advertisement")
    world(c)
    c.neigh(REM_IP6, REM_MAC[3], VNI)
    c.inp(0, f)
    c.out(0, na_of(f, REM_MAC[3]))
    c.tx()
    c.stat("nd_reply", 1)

    f = ns(VM2_IP6, opts=ICMPv6NDOptSrcLLAddr(lladdr=VM0_MAC) /
           Raw(bytes([14, 1, 1, 2, 3, 4, 5, 6])))
    c = case("vm_nd_reply_nonce", "a solicitation with a source link-layer and a nonce "
             "option (94 bytes) shrinks to the 86-byte advertisement")
    world(c)
    c.neigh(VM2_IP6, VM2_MAC, VNI)
    c.inp(0, f)
    c.out(0, na_of(f, VM2_MAC))
    c.tx()
    c.stat("nd_reply", 1)

    f = ns("fd00:100::99")
    c = case("vm_ns_unknown_flood", "solicitation for an address without a neigh entry: "
             "flooded (port 2, vtep 1)")
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("nd_reply", 0)
    c.stat("flood", 1)

    f = ns(VM2_IP6, src="::", opts=Raw(b""))
    c = case("vm_ns_dad_flood", "duplicate address detection probe (source ::) for a known "
             "neighbour: flooded, never answered")
    world(c, flood=[("port", 2), ("port", 3)])
    c.neigh(VM2_IP6, VM2_MAC, VNI)
    c.inp(0, f)
    c.out(2, f)
    c.out(3, f)
    c.tx()
    c.stat("nd_reply", 0)

    bad = [
        ("vm_ns_bad_hlim", "hop limit 64", dict(hlim=64)),
        ("vm_ns_bad_code", "code 1", dict(code=1)),
        ("vm_ns_bad_mcast_target", "multicast target ff02::1", dict(target="ff02::1")),
        ("vm_ns_bad_opt_len0", "an option of length 0",
         dict(opts=Raw(bytes([1, 0, 2, 0, 0, 0, 0, 0x10])))),
        ("vm_ns_bad_opt_past_end", "an option running past the end",
         dict(opts=Raw(bytes([1, 2, 2, 0, 0, 0, 0, 0x10])))),
        ("vm_ns_bad_short", "ICMPv6 length 20 (< 24)",
         dict(raw_icmp=Raw(bytes([135, 0, 0, 0]) + bytes(16)))),
    ]
    for name, what, kw in bad:
        f = ns(kw.pop("target", VM2_IP6), **kw)
        c = case(name, "malformed neighbour solicitation (%s): bad_nd" % what)
        world(c)
        c.neigh(VM2_IP6, VM2_MAC, VNI)
        c.inp(0, f)
        c.drop("bad_nd")

    # Underlay ARP / ND for our VTEP addresses.
    req = arp_req("172.16.0.2", LOCAL4, sha=NH_MAC, pad=18)
    c = case("ul_arp_for_vtep", "ARP request on the underlay for our VTEP address "
             "172.16.0.1: answered with the underlay port's MAC")
    world(c)
    c.inp(UL_PORT, req)
    c.out(UL_PORT, arp_reply_of(req, UL_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    req = arp_req("172.16.0.2", "172.16.0.9", sha=NH_MAC, pad=18)
    c = case("ul_arp_other_target", "ARP request on the underlay for another address")
    world(c)
    c.inp(UL_PORT, req)
    c.drop("underlay_not_tunnel")

    req = arp_req("172.16.0.2", LOCAL4, sha=NH_MAC, pad=18, op=2)
    c = case("ul_arp_reply_not_tunnel", "an ARP reply on the underlay is not for us")
    world(c)
    c.inp(UL_PORT, req)
    c.drop("underlay_not_tunnel")

    req = arp_req("172.16.0.2", LOCAL4, sha=NH_MAC, pad=18, hln=8)
    c = case("ul_bad_arp", "ARP on the underlay with hardware length 8: malformed")
    world(c)
    c.inp(UL_PORT, req)
    c.drop("bad_arp")

    req = arp_req("172.16.0.2", LOCAL4, sha=NH_MAC, dst_mac=UL_MAC, pad=18)
    c = case("ul_arp_unicast_for_vtep", "a unicast ARP request (neighbour refresh) for our "
             "VTEP address: answered too")
    world(c)
    c.inp(UL_PORT, req)
    c.out(UL_PORT, arp_reply_of(req, UL_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    # A tagged underlay: parsing accepts up to 2 tags in both directions and
    # nothing in "From the underlay port" excludes them, so the request is
    # answered in place, the tag kept.
    req = arp_req("172.16.0.2", LOCAL4, sha=NH_MAC)
    tagged = bytes(Ether(dst=BCAST, src=NH_MAC) / Dot1Q(vlan=100, type=0x0806) /
                   Raw(req[14:])) + bytes(14)
    rep = arp_reply_of(req, UL_MAC)
    rep = bytes(Ether(dst=NH_MAC, src=UL_MAC) / Dot1Q(vlan=100, type=0x0806) /
                Raw(rep[14:])) + bytes(14)
    assert len(tagged) == len(rep) == 60
    c = case("ul_arp_vlan_for_vtep", "an ARP request for our VTEP address with an 802.1Q "
             "tag on the underlay: answered in place, the tag kept")
    world(c)
    c.inp(UL_PORT, tagged)
    c.out(UL_PORT, rep)
    c.tx()
    c.stat("arp_reply", 1)

    f = bytes(Ether(dst=UL_MAC, src=NH_MAC) /
              IPv6(src="fd00:16::2", dst=LOCAL6, hlim=255, tc=0, fl=0) /
              ICMPv6ND_NS(tgt=LOCAL6) / ICMPv6NDOptSrcLLAddr(lladdr=NH_MAC))
    c = case("ul_ns_unicast_not_tunnel", "a unicast neighbour solicitation to our MAC and "
             "VTEP address: only solicitations to a multicast MAC are answered, the rest "
             "must be a tunnel")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_not_tunnel")

    f = ns(LOCAL6, src="fd00:16::2", src_mac=NH_MAC)
    c = case("ul_ns_for_vtep", "neighbour solicitation on the underlay for our VTEP "
             "address fd00:16::1: advertised with the underlay port's MAC")
    world(c)
    c.inp(UL_PORT, f)
    c.out(UL_PORT, na_of(f, UL_MAC))
    c.tx()
    c.stat("nd_reply", 1)

    f = ns(LOCAL6, src="fd00:16::2", src_mac=NH_MAC, hlim=1)
    c = case("ul_bad_nd", "solicitation on the underlay with hop limit 1: malformed")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("bad_nd")

    f = ns(LOCAL6, src="::", src_mac=NH_MAC, opts=Raw(b""))
    c = case("ul_ns_dad_not_tunnel", "a DAD probe on the underlay is not answered")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_not_tunnel")


def gen_antispoof():
    f = udp4(src_mac="02:00:00:00:00:99", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_spoofed_mac", "the source MAC is not the port's")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_mac")

    f = udp4(src="10.0.0.11", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_spoofed_ip4", "the IPv4 source is not one of the port's addresses")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = udp6(src="fd00:100::11", dst_mac=VM2_MAC, dst=VM2_IP6)
    c = case("vm_spoofed_ip6", "the IPv6 source is not one of the port's addresses")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    ll = eui64_lladdr(VM0_MAC)
    f = udp6(src=ll, dst_mac=VM2_MAC, dst="fe80::ff:fe00:20")
    c = case("vm_ipv6_link_local", "the port's EUI-64 link-local source %s is allowed" % ll)
    world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = udp6(src="fe80::1", dst_mac=VM2_MAC, dst="fe80::ff:fe00:20")
    c = case("vm_ipv6_link_local_other", "a link-local source other than the port's EUI-64 "
             "address is spoofed")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = udp4(src="0.0.0.0", dst_mac=BCAST, dst="255.255.255.255", sport=1234, dport=67)
    c = case("vm_zero_src_not_dhcp", "source 0.0.0.0 is allowed only for UDP 68->67")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = bytes(Ether(dst="33:33:00:00:00:16", src=VM0_MAC) /
              IPv6(src="::", dst="ff02::16", hlim=1, tc=0, fl=0, nh=58) /
              Raw(bytes([143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0]) +
                  ipaddress.IPv6Address("ff02::1:ff00:10").packed))
    c = case("vm_mld_unspec_flood", "an MLDv2 report from :: (allowed for ICMPv6) to a "
             "multicast MAC: flooded")
    world(c, flood=[("port", 2)])
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("flood", 1)

    f = udp6(src="::", dst_mac="33:33:00:00:00:01", dst="ff02::1")
    c = case("vm_ipv6_unspec_udp", "source :: is allowed only for ICMPv6")
    world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    aap = [(VM0_IP + "/32", None), ("10.0.1.5/32", "02:00:00:00:00:99"),
           ("10.1.0.0/16", None), ("fd00:200::/64", "02:00:00:00:00:99")]

    def aap_world(c):
        world(c)
        c.commit()
        c.vm_port(0, VNI, VM0_MAC, PORT_F_ANTISPOOF, aap)

    f = udp4(src_mac="02:00:00:00:00:99", src="10.0.1.5", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_aap_own_mac", "an allowed address pair with its own MAC: "
             "10.0.1.5 from 02:00:00:00:00:99 is allowed")
    aap_world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = udp4(src="10.1.200.3", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_aap_cidr", "an allowed address pair 10.1.0.0/16 with the port's MAC: "
             "10.1.200.3 is allowed")
    aap_world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = udp6(src_mac="02:00:00:00:00:99", src="fd00:200::1234:5", dst_mac=VM2_MAC,
             dst=VM2_IP6)
    c = case("vm_aap_ipv6_prefix", "an IPv6 allowed address pair fd00:200::/64 with its own "
             "MAC is allowed")
    aap_world(c)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = udp4(src_mac="02:00:00:00:00:99", src=VM0_IP, dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_aap_mac_ip_unpaired", "the pair's MAC with the port's own address: "
             "MAC and IP are paired, so spoofed")
    aap_world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = udp4(src="10.2.0.1", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_aap_cidr_outside", "10.2.0.1 is outside 10.1.0.0/16: spoofed")
    aap_world(c)
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC, type=0x88b5) / Raw(b"local experimental"))
    c = case("vm_ethertype_denied", "an anti-spoofed port sends ethertype 0x88b5")
    world(c)
    c.inp(0, f)
    c.drop("ethertype_denied")

    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC, type=0x88b5) / Raw(b"local experimental"))
    c = case("vm_no_antispoof_ethertype", "without anti-spoofing any ethertype is switched")
    world(c, antispoof=False)
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)

    f = udp4(src="192.0.2.1", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_no_antispoof_any_ip", "without anti-spoofing any source address passes")
    world(c, antispoof=False)
    c.inp(0, f)
    c.out(2, f)
    c.tx()

    f = udp4(src_mac="03:00:00:00:00:10", dst_mac=VM2_MAC, dst=VM2_IP)
    c = case("vm_bad_src_mac", "a multicast source MAC, even without anti-spoofing")
    world(c, antispoof=False)
    c.inp(0, f)
    c.drop("bad_src_mac")

    # VLANs on a VM port.
    inner = Ether(dst=VM2_MAC, src=VM0_MAC)
    body = IP(src=VM0_IP, dst=VM2_IP, id=1, flags="DF", ttl=64) / UDP(sport=1, dport=2)
    f = bytes(inner / Dot1Q(vlan=10) / body)
    c = case("vm_vlan_denied", "a VM frame with one 802.1Q tag")
    world(c)
    c.inp(0, f)
    c.drop("vlan_denied")

    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC, type=0x88a8) / Dot1Q(vlan=10) /
              Dot1Q(vlan=20) / Dot1Q(vlan=30) / body)
    c = case("vm_too_many_vlans", "three VLAN tags (802.1ad, 802.1Q, 802.1Q)")
    world(c)
    c.inp(0, f)
    c.drop("too_many_vlans")

    f = bytes(Ether(dst=VM2_MAC, src=VM0_MAC, type=0x8100)) + b"\x00\x0a"
    c = case("vm_trunc_vlan", "an 802.1Q ethertype with only 2 bytes of tag")
    world(c)
    c.inp(0, f)
    c.drop("trunc_vlan")


def gen_too_big():
    n = max_inner_l3(1) + 1
    f = udp4(dst_mac=REM_MAC[1], payload=(bytes(range(256)) * 6)[:n - 28])
    assert be16(f, 16) == n
    c = case("vm_too_big_v4_df", "IPv4 DF packet of 1551 bytes toward vtep 1 (max 1550): "
             "dropped, ICMP fragmentation needed (MTU 1550, 548 bytes quoted) sent back")
    world(c)
    c.inp(0, f)
    c.out(0, icmp4_too_big(f, max_inner_l3(1)))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = udp4(dst_mac=REM_MAC[1], flags=0, payload=bytes(n - 28))
    c = case("vm_too_big_v4_no_df", "IPv4 packet without DF too big for vtep 1: dropped, "
             "no ICMP error")
    world(c)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC) /
              IP(src=VM0_IP, dst=REM_IP, id=9, flags="DF", ttl=64) /
              ICMP(type=3, code=1) / Raw(bytes(n - 28)))
    c = case("vm_too_big_v4_icmp_error", "an ICMP error (destination unreachable) too big "
             "for the tunnel: dropped without an ICMP error about it")
    world(c)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = tcp4(dst_mac=REM_MAC[2], payload=bytes(n - 40))
    c = case("vm_too_big_v4_geneve", "IPv4 DF TCP too big for vtep 2 (Geneve/IPv4): ICMP "
             "fragmentation needed")
    world(c)
    c.inp(0, f)
    c.out(0, icmp4_too_big(f, max_inner_l3(2)))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    n6 = max_inner_l3(3) + 1
    f = udp6(dst_mac=REM_MAC[3], payload=(bytes(range(256)) * 6)[:n6 - 48])
    assert be16(f, 18) + 40 == n6
    c = case("vm_too_big_v6", "IPv6 packet of 1531 bytes toward vtep 3 (max 1530): dropped, "
             "ICMPv6 packet too big (MTU 1530, 1232 bytes quoted) sent back")
    world(c)
    c.inp(0, f)
    c.out(0, icmp6_too_big(f, max_inner_l3(3)))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = bytes(Ether(dst=REM_MAC[4], src=VM0_MAC) /
              IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0) /
              IPv6ExtHdrFragment(nh=17, offset=185, m=0, id=0x99) / Raw(bytes(n6 - 48)))
    c = case("vm_too_big_v6_later_fragment", "a non-first IPv6 fragment too big for vtep 4: "
             "dropped, no ICMPv6 error")
    world(c)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = bytes(Ether(dst=REM_MAC[3], src=VM0_MAC) /
              IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0) /
              ICMPv6DestUnreach(code=0) / Raw(bytes(n6 - 48)))
    c = case("vm_too_big_v6_icmp_error", "an ICMPv6 error (type 1 < 128) too big for vtep 3: "
             "no ICMPv6 error about it")
    world(c)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = bytes(Ether(dst=REM_MAC[4], src=VM0_MAC) /
              IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0) /
              ICMPv6EchoRequest(id=1, seq=1) / Raw(bytes(n6 - 48)))
    c = case("vm_too_big_v6_echo", "an ICMPv6 echo request (type 128) too big for vtep 4 "
             "(Geneve/IPv6): packet too big sent")
    world(c)
    c.inp(0, f)
    c.out(0, icmp6_too_big(f, max_inner_l3(4)))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    # "not sent for ... a multicast or unspecified source": 240.0.0.0/4 is
    # neither, so the error is sent (anti-spoofing off lets it through).
    f = udp4(src="240.0.0.1", dst_mac=REM_MAC[1], payload=bytes(n - 28))
    c = case("vm_too_big_v4_src_class_e", "IPv4 DF too big from 240.0.0.1 (reserved class E, "
             "like multicast and broadcast never a sender): dropped, no ICMP error")
    world(c, antispoof=False)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = udp4(src="224.0.0.5", dst_mac=REM_MAC[1], payload=bytes(n - 28))
    c = case("vm_too_big_v4_src_multicast", "IPv4 DF too big from a multicast source: "
             "dropped, no ICMP error")
    world(c, antispoof=False)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)

    f = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC, type=0x88b5) / Raw(bytes(max_inner_l3(1) + 1)))
    c = case("vm_too_big_non_ip", "a non-IP frame whose length - 14 exceeds max_inner_l3: "
             "dropped, no ICMP error")
    world(c, antispoof=False)
    c.inp(0, f)
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 0)


def gen_underlay():
    # The inner source is the MAC the fdb places behind the sending vtep
    # (doc/packets.md "Underlay hardening").
    inner = tcp4(src_mac=REM_MAC[1], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    for v, name in ((1, "ul_vxlan4_decap"), (2, "ul_geneve4_decap"),
                    (3, "ul_vxlan6_decap"), (4, "ul_geneve6_decap")):
        remote, _, enc = VTEPS[v]
        inner_v = tcp4(src_mac=REM_MAC[v], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
        c = case(name, "%s from %s to our VTEP: decapsulated, delivered to port 0" %
                 (enc, remote))
        world(c)
        c.inp(UL_PORT, underlay_frame(inner_v, v))
        c.out(0, inner_v)
        c.tx()
        c.stat("decap", 1)
        c.stat("local", 1)

    opts = [GeneveOptions(classid=0x0102, type=0x01, length=1, data=b"\x00\x01\x02\x03"),
            GeneveOptions(classid=0xffff, type=0x7f, length=0, data=b""),
            GeneveOptions(classid=0x0104, type=0x22, length=2, data=bytes(range(8)))]
    c = case("ul_geneve6_decap_options", "Geneve over IPv6 with three non-critical options "
             "(24 bytes): decapsulated after the options")
    world(c)
    inner4 = tcp4(src_mac=REM_MAC[4], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c.inp(UL_PORT, underlay_frame(inner4, 4, geneve_opts=opts))
    c.out(0, inner4)
    c.tx()
    c.stat("decap", 1)

    c = case("ul_vxlan4_trailing_bytes", "the IP packet holds 4 bytes after the UDP datagram "
             "and the frame 6 bytes after the IP packet: both are removed")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, udp_extra=b"\xde\xad\xbe\xef",
                                  trailer=b"\x01\x02\x03\x04\x05\x06"))
    c.out(0, inner)
    c.tx()
    c.stat("decap", 1)

    c = case("ul_vxlan4_ip_options", "outer IPv4 header with options (IHL 6): decapsulated")
    world(c)
    f = underlay_frame(inner, 1)
    f = fix_ip4(f[:34] + b"\x01\x01\x01\x00" + f[34:], tot=be16(f, 16) + 4, ihl=6)
    c.inp(UL_PORT, f)
    c.out(0, inner)
    c.tx()
    c.stat("decap", 1)

    c = case("ul_vxlan4_vlan", "a VXLAN frame with an 802.1Q tag on the underlay: "
             "decapsulated (tags are parsed in both directions)")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, vlan=100))
    c.out(0, inner)
    c.tx()
    c.stat("decap", 1)

    c = case("ul_vxlan_reserved_bits", "VXLAN flags 0x0c and non-zero reserved bytes: "
             "reserved bits are ignored (RFC 7348)")
    world(c)
    f = bytearray(underlay_frame(inner, 1, vxlan_flags=0x0c))
    f[43:46] = b"\x11\x22\x33"
    f[49] = 0x44
    c.inp(UL_PORT, bytes(f))
    c.out(0, inner)
    c.tx()
    c.stat("decap", 1)

    c = case("ul_bad_vxlan_flags", "VXLAN without the I flag")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, vxlan_flags=0x00))
    c.drop("bad_vxlan_flags")

    crit = [GeneveOptions(classid=0x0102, type=0x81, length=1, data=b"\0\0\0\0")]
    c = case("ul_geneve_critical_option", "a Geneve option with the critical bit (type 0x81)")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_opts=crit, geneve_kw={"critical": 1}))
    c.drop("geneve_critical_option")

    c = case("ul_geneve_oam", "Geneve with the O (OAM) flag")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_kw={"oam": 1}))
    c.drop("geneve_oam")

    c = case("ul_geneve_protocol", "Geneve carrying protocol 0x0800 instead of 0x6558")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_kw={"proto": 0x0800}))
    c.drop("geneve_protocol")

    c = case("ul_geneve_bad_version", "Geneve version 1")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_kw={"version": 1}))
    c.drop("bad_geneve")

    badopt = [GeneveOptions(classid=0x0102, type=0x01, length=2, data=b"\0\0\0\0\0\0\0\0")]
    c = case("ul_geneve_bad_option_len", "option length 8 bytes of data in an option area "
             "of 8 bytes (the option needs 12)")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_opts=badopt,
                                  geneve_kw={"optionlen": 2}))
    c.drop("bad_geneve")

    c = case("ul_geneve_trunc_options", "option length 63 words: more than the UDP datagram")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 2, geneve_kw={"optionlen": 63}))
    c.drop("trunc_tunnel")

    c = case("ul_unknown_vni", "VXLAN with VNI 4242, which has no flood entry here")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, vni=4242))
    c.drop("unknown_vni")

    c = case("ul_not_local_vtep", "VXLAN to 172.16.0.99, not a local VTEP address")
    world(c)
    f = bytearray(underlay_frame(inner, 1))
    f[30:34] = bytes([172, 16, 0, 99])
    c.inp(UL_PORT, fix_ip4(bytes(f)))
    c.drop("not_local_vtep")

    c = case("ul_not_our_mac", "VXLAN to another MAC than the underlay port's")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, dst_mac="02:00:00:00:01:77"))
    c.drop("not_our_mac")

    c = case("ul_not_tunnel_udp_port", "UDP to port 53 of our VTEP address")
    world(c)
    c.inp(UL_PORT, underlay_frame(inner, 1, dport=53))
    c.drop("underlay_not_tunnel")

    f = bytes(Ether(dst=UL_MAC, src=NH_MAC) /
              IP(src="172.16.0.2", dst=LOCAL4, id=3, flags="DF", ttl=64) /
              TCP(sport=1234, dport=4789, flags="S", seq=1, window=1000))
    c = case("ul_not_tunnel_tcp", "TCP to our VTEP address")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_not_tunnel")

    f = bytes(Ether(dst=UL_MAC, src=NH_MAC, type=0x88cc) / Raw(bytes(46)))
    c = case("ul_not_tunnel_ethertype", "an LLDP frame on the underlay")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_not_tunnel")

    f = bytes(Ether(dst=UL_MAC, src=NH_MAC) /
              IP(src="172.16.0.2", dst=LOCAL4, id=3, flags="MF", frag=0, ttl=64, proto=17) /
              Raw(underlay_frame(inner, 1)[34:34 + 64]))
    c = case("ul_fragment4", "the first fragment of a VXLAN datagram (MF)")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_fragment")

    full = underlay_frame(inner, 3)
    f = bytes(Ether(dst=UL_MAC, src=NH_MAC) /
              IPv6(src="fd00:16::2", dst=LOCAL6, hlim=64, tc=0, fl=0) /
              IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x77) / Raw(full[54:54 + 64]))
    c = case("ul_fragment6", "an IPv6 fragment of a VXLAN datagram")
    world(c)
    c.inp(UL_PORT, f)
    c.drop("underlay_fragment")

    f = bytearray(underlay_frame(inner, 1))
    f[24] ^= 0x01
    c = case("ul_bad_ip_csum", "VXLAN over IPv4 with a wrong header checksum")
    world(c)
    c.inp(UL_PORT, bytes(f))
    c.drop("bad_ip_csum")

    hp = tcp4(src_mac=REM_MAC[1], dst_mac=REM_MAC[2], src=REM_IP, dst="10.0.0.32")
    c = case("ul_decap_hairpin", "the inner destination is behind vtep 2: no tunnel to "
             "tunnel forwarding")
    world(c)
    c.inp(UL_PORT, underlay_frame(hp, 1))
    c.drop("hairpin")

    rt = tcp4(src_mac=REM_MAC[1], dst_mac="02:00:00:00:ee:01", src=REM_IP, dst="10.0.1.1")
    c = case("ul_decap_dest_unsupported", "the inner destination is a router MAC: only "
             "frames from local VM ports are routed")
    world(c)
    c.fdb(VNI, "02:00:00:00:ee:01", "router", 1)
    c.inp(UL_PORT, underlay_frame(rt, 1))
    c.drop("dest_unsupported")

    vm = tcp4(src_mac=REM_MAC[1], dst_mac=VM4_MAC, src=REM_IP, dst="10.0.0.40")
    c = case("ul_decap_vni_mismatch", "VNI 1000's FDB points the inner destination to "
             "port 4 of VNI 2000")
    world(c)
    c.fdb(VNI, VM4_MAC, "port", 4)
    c.inp(UL_PORT, underlay_frame(vm, 1))
    c.drop("vni_mismatch")

    mc = tcp4(src_mac="01:00:5e:00:00:01", dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = case("ul_decap_bad_src_mac", "the inner source MAC is multicast")
    world(c)
    c.inp(UL_PORT, underlay_frame(mc, 1))
    c.drop("bad_src_mac")


# The truncation / lying-length family --------------------------------------

def boundaries_cases(prefix, desc, f, bounds, in_port, expect, fix=None):
    """Cut f at every header boundary and one byte before it."""
    cuts = sorted({b - 1 for b in bounds} | {b for b in bounds if b < len(f)})
    for cut in cuts:
        g = f[:cut]
        what = "raw"
        if fix is not None:
            g = fix(g)
            what = "lengths fixed"
        c = case("%s_cut%d" % (prefix, cut), "%s cut to %d bytes (%s)" % (desc, cut, what))
        world(c)
        c.inp(in_port, g)
        expect(c, g)


def gen_trunc():
    # The underlay VXLAN frame: eth 14 | ip 20 | udp 8 | vxlan 8 | inner eth 14 |
    # inner ip 20 | inner tcp 20 | 10 bytes.
    inner = tcp4(src_mac=REM_MAC[1], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP,
                 payload=b"0123456789")
    uf = underlay_frame(inner, 1)
    assert len(uf) == 114
    ub = [14, 34, 42, 50, 64, 84, 104, 114]

    def ufix(g):
        # Make the outer IPv4 total length and UDP length match the cut.
        if len(g) >= 34:
            g = fix_ip4(g, tot=len(g) - 14)
        if len(g) >= 42:
            g = put16(g, 38, len(g) - 34)
        return g

    boundaries_cases("ul_trunc", "the VXLAN/IPv4 underlay frame", uf, ub, UL_PORT,
                     expect_underlay)
    boundaries_cases("ul_trunc_fixed", "the VXLAN/IPv4 underlay frame", uf, ub, UL_PORT,
                     expect_underlay, ufix)

    lies = [
        ("ul_lie_ip_tot_long", "IPv4 total length 1 byte more than present",
         fix_ip4(uf, tot=len(uf) - 14 + 1)),
        ("ul_lie_ip_tot_lt_ihl", "IPv4 total length 19", fix_ip4(uf, tot=19)),
        ("ul_lie_ip_tot_udp_short", "IPv4 total length 24 (4 bytes of UDP)",
         fix_ip4(uf, tot=24)),
        ("ul_lie_ip_tot_udp_len", "IPv4 total length 36: UDP length 80 exceeds the IP "
         "packet", fix_ip4(uf, tot=36)),
        ("ul_lie_ihl4", "IHL 4", fix_ip4(uf, ihl=4, csum=False)),
        ("ul_lie_ihl6", "IHL 6, checksum fixed: the UDP header is read 4 bytes late",
         fix_ip4(uf, ihl=6)),
        ("ul_lie_ihl15", "IHL 15, checksum fixed: the L4 header is read 40 bytes late",
         fix_ip4(uf, ihl=15)),
        ("ul_lie_ip_version", "IPv4 ethertype with version 6",
         fix_ip4(bytes(uf[:14]) + bytes([0x65]) + bytes(uf[15:]))),
        ("ul_lie_udp_len7", "UDP length 7", put16(uf, 38, 7)),
        ("ul_lie_udp_len_long", "UDP length 1 more than the IP payload",
         put16(uf, 38, len(uf) - 34 + 1)),
        ("ul_lie_udp_len_vxlan", "UDP length 12: the VXLAN header does not fit",
         put16(uf, 38, 12)),
        ("ul_lie_udp_len_inner_eth", "UDP length 29: the inner Ethernet header does not fit",
         put16(uf, 38, 29)),
        ("ul_lie_udp_len_inner_eth_only", "UDP length 30: only the inner Ethernet header "
         "is carried, and delivered", put16(uf, 38, 30)),
    ]
    # The VXLAN/IPv6 underlay frame.
    uf6 = underlay_frame(inner, 3)
    assert len(uf6) == 134
    lies += [
        ("ul6_lie_plen_long", "IPv6 payload length 1 more than present",
         put16(uf6, 18, len(uf6) - 54 + 1)),
        ("ul6_lie_plen_udp_short", "IPv6 payload length 4", put16(uf6, 18, 4)),
        ("ul6_lie_plen_udp_len", "IPv6 payload length 16: UDP length exceeds it",
         put16(uf6, 18, 16)),
        ("ul6_lie_version", "IPv6 ethertype with version 4",
         bytes(uf6[:14]) + bytes([0x40]) + bytes(uf6[15:])),
        ("ul6_trunc_hdr", "IPv6 header cut to 39 bytes", uf6[:53]),
        ("ul6_lie_hbh_trunc", "a hop-by-hop header longer than the payload",
         bytes(Ether(dst=UL_MAC, src=NH_MAC) /
               IPv6(src="fd00:16::2", dst=LOCAL6, hlim=64, tc=0, fl=0, nh=0, plen=8) /
               Raw(bytes([17, 1]) + bytes(6) + uf6[54:]))),
    ]
    for name, desc, g in lies:
        c = case(name, "the VXLAN underlay frame with %s" % desc)
        world(c)
        c.inp(UL_PORT, g)
        expect_underlay(c, g)

    # The VM TCP frame: eth 14 | ip 20 | tcp 20 | 10 bytes, VM0 -> VM2.
    vf = tcp4(dst_mac=VM2_MAC, dst=VM2_IP, payload=b"0123456789")
    assert len(vf) == 64
    vb = [14, 34, 54, 64]
    boundaries_cases("vm_trunc", "the VM TCP frame", vf, vb, 0, expect_vm_local)
    boundaries_cases("vm_trunc_fixed", "the VM TCP frame", vf, vb, 0, expect_vm_local,
                     lambda g: fix_ip4(g, tot=len(g) - 14) if len(g) >= 34 else g)

    def doff(f, d):
        f = bytearray(f)
        f[46] = (d << 4) | (f[46] & 0xf)
        return bytes(f)

    lies = [
        ("vm_lie_ip_tot_long", "IPv4 total length 1 byte more than present",
         fix_ip4(vf, tot=51)),
        ("vm_lie_ip_tot_lt_ihl", "IPv4 total length 19", fix_ip4(vf, tot=19)),
        ("vm_lie_ip_tot_tcp_short", "IPv4 total length 39 (19 bytes of TCP)",
         fix_ip4(vf, tot=39)),
        ("vm_lie_ip_tot_padding", "IPv4 total length 45: the last 5 bytes are padding, "
         "carried unchanged", fix_ip4(vf, tot=45)),
        ("vm_lie_ihl4", "IHL 4", fix_ip4(vf, ihl=4)),
        ("vm_lie_ihl15", "IHL 15 (60 bytes, 50 present)", fix_ip4(vf, ihl=15)),
        ("vm_lie_ip_version", "IPv4 ethertype with version 5",
         bytes(vf[:14]) + bytes([0x55]) + bytes(vf[15:])),
        ("vm_lie_tcp_doff4", "TCP data offset 4", doff(vf, 4)),
        ("vm_lie_tcp_doff15", "TCP data offset 15 (60 bytes, 30 present)", doff(vf, 15)),
        ("vm_lie_tcp_doff8", "TCP data offset 8 (32 bytes, 30 present)", doff(vf, 8)),
        ("vm_lie_tcp_doff7", "TCP data offset 7 (28 bytes, 30 present): valid", doff(vf, 7)),
    ]
    uv6 = udp6(dst_mac=VM2_MAC, dst=VM2_IP6, payload=b"0123456789")
    assert len(uv6) == 72
    lies += [
        ("vm6_lie_plen_long", "IPv6 payload length 1 more than present", put16(uv6, 18, 19)),
        ("vm6_lie_plen_udp_short", "IPv6 payload length 7", put16(uv6, 18, 7)),
        ("vm6_lie_plen_udp_len", "IPv6 payload length 8 (UDP length 18 exceeds it)",
         put16(uv6, 18, 8)),
        ("vm6_lie_udp_len7", "UDP length 7", put16(uv6, 58, 7)),
        ("vm6_lie_udp_len_long", "UDP length 19 (18 present)", put16(uv6, 58, 19)),
        ("vm6_trunc_hdr", "IPv6 header cut to 39 bytes", uv6[:53]),
        ("vm6_lie_dstopt_trunc", "a destination options header longer than the payload",
         bytes(Ether(dst=VM2_MAC, src=VM0_MAC) /
               IPv6(src=VM0_IP6, dst=VM2_IP6, hlim=64, tc=0, fl=0, nh=60, plen=16) /
               Raw(bytes([17, 2]) + bytes(14)))),
        ("vm_arp_trunc", "an ARP body of 27 bytes", arp_req(VM0_IP, VM2_IP)[:41]),
        ("vm_icmp_trunc", "IPv4 total length 27: 7 bytes of ICMP",
         fix_ip4(bytes(Ether(dst=VM2_MAC, src=VM0_MAC) /
                       IP(src=VM0_IP, dst=VM2_IP, id=1, flags="DF", ttl=64) /
                       ICMP(type=8, id=1, seq=1)), tot=27)),
        ("vm_icmp6_trunc", "IPv6 payload length 7 with ICMPv6",
         put16(bytes(Ether(dst=VM2_MAC, src=VM0_MAC) /
                     IPv6(src=VM0_IP6, dst=VM2_IP6, hlim=64, tc=0, fl=0) /
                     ICMPv6EchoRequest(id=1, seq=1)), 18, 7)),
        ("vm_udp4_trunc", "IPv4 total length 27: 7 bytes of UDP",
         fix_ip4(udp4(dst_mac=VM2_MAC, dst=VM2_IP), tot=27)),
    ]
    for name, desc, g in lies:
        c = case(name, "a VM frame with %s" % desc)
        world(c)
        c.inp(0, g)
        expect_vm_local(c, g)


# ---------------------------------------------------------------------------
# Security groups (doc/security-groups.md): port 0 filtered by ruleset 1
# ---------------------------------------------------------------------------

R_TCP80 = sg_rule(101, proto=6, ports=(80, 80))          # egress: tcp 80 anywhere
R_UDP53 = sg_rule(102, proto=17, ports=(53, 53))         # egress: udp 53
R_ICMP_ECHO = sg_rule(103, proto=1, icmp=(8, None))      # egress: ping
R_TCP80_6 = sg_rule(104, family=6, proto=6, ports=(80, 80))
R_SSH_SET = sg_rule(201, proto=6, ports=(22, 22), addrset=7)   # ingress: ssh from set 7
R_ANY_OTHER = sg_rule(105, proto=6, ports=(443, 443), remote="192.0.2.0/24")


def sg_case(name, desc, egress=(R_TCP80,), ingress=(), stateful=True, ct_size=None,
            antispoof=True):
    """A case on the standard world with port 0 filtered by ruleset 1."""
    c = case(name, desc)
    if ct_size:
        c.conntrack(ct_size)
    world(c, antispoof=antispoof, sg=1)
    if egress is not None:
        c.ruleset(1, SG_EGRESS, list(egress), stateful, "port 0's groups, egress")
    c.ruleset(1, SG_INGRESS, list(ingress), stateful, "port 0's groups, ingress")
    return c


def tcp_seg(src_mac, dst_mac, src, dst, sport, dport, flags, seq=1000, ack=0, payload=b""):
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IP(src=src, dst=dst, ttl=64, id=0x77, flags="DF") /
                 TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, window=64240) /
                 Raw(payload))


def vm0_out(flags, sport=40000, dport=80, **kw):
    """A TCP segment from VM 0 to the remote behind vtep 1."""
    return tcp_seg(VM0_MAC, REM_MAC[1], VM0_IP, REM_IP, sport, dport, flags, **kw)


def rem_in(flags, sport=80, dport=40000, src=REM_IP, **kw):
    """A TCP segment from the remote (vtep 1) to VM 0: inner frame."""
    return tcp_seg(REM_MAC[1], VM0_MAC, src, VM0_IP, sport, dport, flags, **kw)


def egress_ok(c, f, stat=None):
    c.inp(0, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("encap", 1)
    if stat:
        c.stat(stat, 1)


def ingress_ok(c, inner, stat=None):
    c.inp(UL_PORT, underlay_frame(inner, 1))
    c.out(0, inner)
    c.tx()
    c.stat("decap", 1)
    if stat:
        c.stat(stat, 1)


def gen_sg():
    c = sg_case("sg_egress_allowed", "filtered port 0 sends a TCP SYN to port 80, which "
                "rule 101 allows: encapsulated, a connection opened")
    egress_ok(c, vm0_out("S"), "ct_new")

    c = sg_case("sg_egress_denied", "filtered port 0 sends a TCP SYN to port 22: no rule "
                "allows it")
    c.inp(0, vm0_out("S", dport=22))
    c.drop("sg_denied")

    c = sg_case("sg_no_ruleset", "port 0 names ruleset 1, whose egress entry is missing: "
                "no IP packet passes (fail closed)", egress=None)
    c.inp(0, vm0_out("S"))
    c.drop("sg_no_ruleset")

    f = bytes(Ether(dst=BCAST, src=VM0_MAC) /
              IP(src=VM0_IP, dst="255.255.255.255", id=1, ttl=64, flags=0) /
              UDP(sport=67, dport=68) / Raw(b"\x02\x01\x06\x00" + bytes(236)))
    c = sg_case("sg_base_vm_dhcp_server", "a DHCP answer (UDP 67 -> 68) from a filtered "
                "VM: dropped whatever the rules")
    c.inp(0, f)
    c.drop("sg_vm_dhcp_server")

    ll = "fe80::ff:fe00:10"
    f = bytes(Ether(dst="33:33:00:00:00:01", src=VM0_MAC) /
              IPv6(src=ll, dst="ff02::1", hlim=255, tc=0, fl=0) /
              ICMPv6ND_RA(chlim=64, routerlifetime=1800))
    c = sg_case("sg_base_vm_router_adv", "a router advertisement from a filtered VM: "
                "dropped whatever the rules")
    c.inp(0, f)
    c.drop("sg_vm_router_adv")

    f = bytes(Ether(dst=BCAST, src=VM0_MAC) /
              IP(src="0.0.0.0", dst="255.255.255.255", id=0, ttl=64, flags=0) /
              UDP(sport=68, dport=67) / Raw(b"\x01\x01\x06\x00" + bytes(236)))
    c = sg_case("sg_base_dhcp_client", "a DHCP discover from a filtered VM passes the base "
                "policy without a rule (flooded to port 2 and vtep 1)", egress=())
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("flood", 1)

    f = udp4(dport=53)
    c = sg_case("sg_stateless_allow", "a stateless ruleset allows UDP 53: passes, no "
                "connection opened", egress=(R_UDP53,), stateful=False)
    egress_ok(c, f, "sg_stateless_allow")
    c.stat("ct_new", 0)

    c = sg_case("sg_stateless_reply_denied", "a stateless ruleset: the reply of an allowed "
                "packet needs an ingress rule of its own", egress=(R_UDP53,), stateful=False)
    egress_ok(c, f, "sg_stateless_allow")
    c.next()
    r = bytes(Ether(dst=VM0_MAC, src=REM_MAC[1]) /
              IP(src=REM_IP, dst=VM0_IP, ttl=64, id=9, flags="DF") /
              UDP(sport=53, dport=5000) / Raw(b"answer"))
    c.inp(UL_PORT, underlay_frame(r, 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    c = sg_case("sg_udp_reply", "UDP 53 out opens a connection; the answer comes back in "
                "although no ingress rule allows it", egress=(R_UDP53,))
    egress_ok(c, f, "ct_new")
    c.next()
    ingress_ok(c, r, "ct_hit")

    c = sg_case("sg_syn_synack", "SYN out (rule 101), its SYN-ACK back in (no ingress "
                "rule: the connection lets it in), the ACK out")
    egress_ok(c, vm0_out("S"), "ct_new")
    c.next()
    ingress_ok(c, rem_in("SA", seq=5000, ack=1001), "ct_hit")
    c.next()
    egress_ok(c, vm0_out("A", seq=1001, ack=5001), "ct_hit")

    c = sg_case("sg_synack_unsolicited", "a SYN-ACK to a filtered port with no connection "
                "and no ingress rule: denied")
    c.inp(UL_PORT, underlay_frame(rem_in("SA", seq=5000, ack=1001), 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    c = sg_case("sg_stray_ack_pickup", "an ACK of no known connection from the VM that the "
                "egress rules allow: picked up as established (after an fp-dpdk restart); "
                "the reply comes in")
    egress_ok(c, vm0_out("A", seq=1001, ack=5001), "ct_pickup")
    c.next()
    ingress_ok(c, rem_in("A", seq=5001, ack=1001), "ct_hit")

    c = sg_case("sg_stray_ack_ingress_denied", "an ACK of no known connection to the VM, "
                "which no ingress rule allows: denied (no pickup without a rule)")
    c.inp(UL_PORT, underlay_frame(rem_in("A", seq=5001, ack=1001), 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    c = sg_case("sg_tcp_fin_cannot_open", "a FIN that the egress rules allow but that cannot "
                "open a connection: invalid")
    c.inp(0, vm0_out("FA"))
    c.drop("ct_invalid")

    c = sg_case("sg_tcp_invalid_move", "after the VM's SYN, a SYN-ACK from the VM itself (the "
                "original direction): an invalid move")
    egress_ok(c, vm0_out("S"), "ct_new")
    c.next()
    c.inp(0, vm0_out("SA"))
    c.drop("ct_invalid")

    syn = vm0_out("S")
    err = bytes(Ether(dst=VM0_MAC, src=REM_MAC[1]) /
                IP(src="10.0.0.1", dst=VM0_IP, ttl=64, id=3, flags=0) /
                ICMP(type=3, code=1) / Raw(syn[14:14 + 28]))
    c = sg_case("sg_icmp_related", "a host unreachable quoting the VM's SYN comes in: related "
                "to the tracked connection, passes without an ingress rule")
    egress_ok(c, syn, "ct_new")
    c.next()
    ingress_ok(c, err, "ct_related")

    c = sg_case("sg_icmp_error_unrelated", "a host unreachable quoting a SYN that opened no "
                "connection: denied")
    c.inp(UL_PORT, underlay_frame(err, 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    echo = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC) /
                 IP(src=VM0_IP, dst=REM_IP, ttl=64, id=4, flags=0) /
                 ICMP(type=8, code=0, id=0x99, seq=1) / Raw(b"ping"))
    reply = bytes(Ether(dst=VM0_MAC, src=REM_MAC[1]) /
                  IP(src=REM_IP, dst=VM0_IP, ttl=64, id=5, flags=0) /
                  ICMP(type=0, code=0, id=0x99, seq=1) / Raw(b"ping"))
    c = sg_case("sg_icmp_echo", "a ping (rule 103) and its reply, tracked by the echo id",
                egress=(R_ICMP_ECHO,))
    egress_ok(c, echo, "ct_new")
    c.next()
    ingress_ok(c, reply, "ct_hit")

    bad = bytearray(rem_in("S", sport=5555, dport=22))
    bad[14 + 20 + 12] = 0x20   # TCP data offset 2 (8 bytes): malformed
    c = sg_case("sg_malformed_inner", "a decapsulated frame for the filtered port with a TCP "
                "data offset of 8 bytes: invalid")
    c.inp(UL_PORT, underlay_frame(bytes(bad), 1))
    c.drop("ct_invalid")
    c.stat("decap", 1)

    trunc = rem_in("S", sport=5555, dport=22)[:14 + 20 + 10]
    trunc = fix_ip4(trunc, 14, tot=30)
    c = sg_case("sg_truncated_l4", "a decapsulated frame for the filtered port whose TCP "
                "header is cut after 10 bytes: invalid")
    c.inp(UL_PORT, underlay_frame(trunc, 1))
    c.drop("ct_invalid")
    c.stat("decap", 1)

    c = sg_case("sg_ct_full", "a connection table of 60 entries (two buckets of 30): the "
                "61st SYN finds it full and is dropped; the SYN-ACK of a tracked connection "
                "still passes", ct_size=1)
    for i in range(60):
        egress_ok(c, vm0_out("S", sport=41000 + i), "ct_new")
        c.next()
    c.inp(0, vm0_out("S", sport=42000))
    c.drop("ct_full")
    c.next()
    ingress_ok(c, rem_in("SA", dport=41007, seq=5000, ack=1001), "ct_hit")

    c = sg_case("sg_rule_removed_revokes", "SYN out under rule 101; then a commit removes "
                "the rule: the SYN-ACK finds the connection no longer allowed (removed), "
                "and a retransmitted SYN is denied")
    egress_ok(c, vm0_out("S"), "ct_new")
    c.next()
    c.ruleset(1, SG_EGRESS, [R_UDP53], True, "rule 101 removed")
    c.inp(UL_PORT, underlay_frame(rem_in("SA", seq=5000, ack=1001), 1))
    c.drop("ct_revoked")
    c.stat("decap", 1)
    c.next()
    c.inp(0, vm0_out("S"))
    c.drop("sg_denied")

    c = sg_case("sg_rule_change_revalidated", "SYN out under rule 101; a commit adds "
                "another rule: the SYN-ACK's connection is checked again and still allowed")
    egress_ok(c, vm0_out("S"), "ct_new")
    c.next()
    c.ruleset(1, SG_EGRESS, [R_UDP53, R_TCP80], True, "rule 102 added")
    ingress_ok(c, rem_in("SA", seq=5000, ack=1001), "ct_revalidated")
    c.stat("ct_hit", 1)

    c = sg_case("sg_port_unfiltered_flushes", "SYN out opens a connection; a commit takes "
                "the sg flag off port 0 (its connections are flushed): the SYN-ACK is "
                "delivered unfiltered; once filtered again, the next SYN-ACK finds no "
                "connection and is denied")
    egress_ok(c, vm0_out("S"), "ct_new")
    c.next()
    c.vm_port(0, VNI, VM0_MAC, PORT_F_ANTISPOOF, [(VM0_IP + "/32", None),
                                                 (VM0_IP6 + "/128", None)])
    ingress_ok(c, rem_in("SA", seq=5000, ack=1001))
    c.stat("ct_hit", 0)
    c.next()
    c.vm_port(0, VNI, VM0_MAC, PORT_F_ANTISPOOF | PORT_F_SG,
              [(VM0_IP + "/32", None), (VM0_IP6 + "/128", None)], ruleset=1)
    c.inp(UL_PORT, underlay_frame(rem_in("SA", seq=5000, ack=1001), 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    ssh = rem_in("S", sport=5555, dport=22)
    c = sg_case("sg_remote_group", "ssh in from a member of the remote group (address set 7 "
                "holds the remote's /32): allowed by rule 201", ingress=(R_SSH_SET,))
    c.addrset(7, REM_IP + "/32")
    ingress_ok(c, ssh, "ct_new")

    c = sg_case("sg_remote_group_prefix", "ssh in from 10.9.1.2, in the /16 member of "
                "address set 7 (a prefix member)", ingress=(R_SSH_SET,))
    c.addrset(7, "10.9.0.0/16")
    c.addrset(7, "10.0.0.99/32")
    ingress_ok(c, rem_in("S", sport=5555, dport=22, src="10.9.1.2"), "ct_new")

    c = sg_case("sg_remote_group_not_member", "ssh in from an address outside address set "
                "7: denied", ingress=(R_SSH_SET,))
    c.addrset(7, "10.0.0.99/32")
    c.inp(UL_PORT, underlay_frame(ssh, 1))
    c.drop("sg_denied")
    c.stat("decap", 1)

    c = sg_case("sg_remote_group_left", "ssh in from a member opens a connection; the "
                "member leaves the set: the next packet is revoked", ingress=(R_SSH_SET,))
    c.addrset(7, REM_IP + "/32")
    ingress_ok(c, ssh, "ct_new")
    c.next()
    c.delete("addrset", addrset_key(7, REM_IP + "/32"), "addrset 7: member %s" % REM_IP)
    c.addrset(7, "10.0.0.99/32")
    c.inp(UL_PORT, underlay_frame(rem_in("A", sport=5555, dport=22, seq=2), 1))
    c.drop("ct_revoked")
    c.stat("decap", 1)

    f = tcp_seg(VM2_MAC, VM0_MAC, VM2_IP, VM0_IP, 33000, 80, "S")
    c = sg_case("sg_local_ingress_denied", "port 2 (not filtered) sends a SYN to port 0 on "
                "the same host: port 0's ingress rules are checked before delivery")
    c.inp(2, f)
    c.drop("sg_denied")

    f6 = bytes(Ether(dst=REM_MAC[3], src=VM0_MAC) /
               IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0) /
               IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\x00" * 4)]) /
               TCP(sport=40001, dport=80, seq=7, ack=0, flags="S", window=65535))
    c = sg_case("sg_ipv6_exthdr", "an IPv6 SYN behind a hop-by-hop header to port 80: the "
                "rule of family 6 finds the TCP header after it", egress=(R_TCP80_6,))
    c.inp(0, f6)
    c.out(UL_PORT, encap(f6, 3))
    c.tx()
    c.stat("ct_new", 1)

    def syn6_behind(n):
        """An IPv6 SYN to port 80 behind n destination options headers."""
        pkt = IPv6(src=VM0_IP6, dst=REM_IP6, hlim=64, tc=0, fl=0)
        for _ in range(n):
            pkt = pkt / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)])
        return bytes(Ether(dst=REM_MAC[3], src=VM0_MAC) / pkt /
                     TCP(sport=40002, dport=80, seq=7, ack=0, flags="S", window=65535))

    f6 = syn6_behind(8)
    c = sg_case("sg_ipv6_exthdr_max", "an IPv6 SYN behind 8 extension headers, the most "
                "the security groups walk: allowed", egress=(R_TCP80_6,))
    c.inp(0, f6)
    c.out(UL_PORT, encap(f6, 3))
    c.tx()
    c.stat("ct_new", 1)

    c = sg_case("sg_ipv6_exthdr_too_many", "an IPv6 SYN behind 9 extension headers: more "
                "than the security groups walk, invalid", egress=(R_TCP80_6,))
    c.inp(0, syn6_behind(9))
    c.drop("ct_invalid")

    frag = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC) /
                 IP(src=VM0_IP, dst=REM_IP, ttl=64, id=0x4242, flags=0, frag=185, proto=17) /
                 Raw(b"later fragment payload, no UDP header here"))
    c = sg_case("sg_later_fragment_portless_rule", "a later IPv4 fragment (no ports) from the "
                "VM: a UDP rule without ports allows it, untracked",
                egress=(sg_rule(106, proto=17),))
    egress_ok(c, frag, "sg_stateless_allow")
    c.stat("ct_new", 0)

    c = sg_case("sg_later_fragment_port_rule", "a later IPv4 fragment of UDP 53: the rule "
                "for UDP port 53 cannot match a packet without ports: denied",
                egress=(R_UDP53,))
    c.inp(0, frag)
    c.drop("sg_denied")

    f = arp_req(VM0_IP, REM_IP)
    c = sg_case("sg_arp_not_filtered", "an ARP request from a filtered port: ARP passes the "
                "security groups (anti-spoofing checks it); flooded", egress=())
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    gen_sg_ethertype()


def other_frame(ethertype, src_mac, dst_mac=BCAST, body=b"\x11\x09\x00\x00\x00\x00"):
    """A frame of another ethertype than IP and ARP (default: a PPPoE
    discovery header as the body)."""
    return bytes(Ether(dst=dst_mac, src=src_mac, type=ethertype) / Raw(body + bytes(40)))


def rarp_announce(mac):
    """The RARP request QEMU (and DPDK's vhost library) sends for a VM after
    a live migration: op 3, sender and target hardware address the VM's."""
    body = (struct.pack("!HHBBH", 1, 0x0800, 6, 4, 3) + mac_bytes(mac) + bytes(4) +
            mac_bytes(mac) + bytes(4))
    return bytes(Ether(dst=BCAST, src=mac, type=0x8035) / Raw(body + bytes(18)))


def gen_sg_ethertype():
    """Frames neither IP nor ARP on a port with security groups
    (security-groups.md "Ethertypes"): from the VM only RARP and the
    permitted ethertypes pass, to it only the permitted ones."""
    LLDP, PPPOE_DISC, LOCAL_EXP = 0x88cc, 0x8863, 0x88b5

    f = arp_req(VM3_IP, VM0_IP, sha=VM3_MAC, dst_mac=VM0_MAC, op=2)
    c = sg_case("sg_arp_ingress", "an ARP reply from port 3 to filtered port 0: ARP passes "
                "to a filtered port whatever its rules")
    c.inp(3, f)
    c.out(0, f)
    c.tx()
    c.stat("local", 1)

    f = other_frame(PPPOE_DISC, VM0_MAC)
    c = sg_case("sg_ethertype_egress_denied", "filtered port 0 without anti-spoofing sends a "
                "PPPoE discovery broadcast (0x8863): not IP, ARP or permitted, dropped by the "
                "security groups", antispoof=False)
    c.inp(0, f)
    c.drop("ethertype_denied")

    f = bytes(Ether(dst="01:80:c2:00:00:0e", src=VM0_MAC, type=LLDP) / Raw(bytes(46)))
    c = sg_case("sg_ethertype_egress_lldp", "filtered, anti-spoofed port 0 sends LLDP "
                "(0x88cc): ethertype_denied")
    c.inp(0, f)
    c.drop("ethertype_denied")

    f = other_frame(LLDP, VM3_MAC, dst_mac=VM0_MAC)
    c = sg_case("sg_ethertype_ingress_denied", "port 3 sends an LLDP frame (0x88cc) to "
                "filtered port 0: not delivered")
    c.inp(3, f)
    c.drop("ethertype_denied")

    inner = other_frame(PPPOE_DISC, REM_MAC[1], dst_mac=VM0_MAC)
    c = sg_case("sg_ethertype_ingress_decap", "a PPPoE frame (0x8863) from behind vtep 1 to "
                "filtered port 0: decapsulated, then refused by port 0's security groups")
    c.inp(UL_PORT, underlay_frame(inner, 1))
    c.drop("ethertype_denied")
    c.stat("decap", 1)

    f = other_frame(PPPOE_DISC, VM3_MAC)
    c = sg_case("sg_ethertype_ingress_flood", "port 3 broadcasts a PPPoE discovery (0x8863): "
                "filtered port 0 gets no copy, port 2 and vtep 1 do")
    c.inp(3, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("flood_copies", 2)

    f = rarp_announce(VM0_MAC)
    c = sg_case("sg_rarp_egress", "filtered port 0 announces itself with RARP (0x8035) after "
                "a live migration: RARP from the VM passes (Neutron's OVS firewall); flooded")
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()

    f = rarp_announce(VM3_MAC)
    c = sg_case("sg_rarp_ingress", "port 3's RARP announcement: RARP to a filtered VM does "
                "not pass (Neutron's OVS firewall has no ingress RARP flow); port 2 and vtep 1 "
                "get it")
    c.inp(3, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()
    c.stat("flood_copies", 2)

    f = other_frame(LOCAL_EXP, VM0_MAC, dst_mac=VM2_MAC)
    c = sg_case("sg_ethertype_permitted", "guard.permitted_ethertypes [0x8863, 0x88b5]: "
                "anti-spoofed, filtered port 0 sends 0x88b5 to port 2, then receives it from "
                "port 3")
    c.guard(ethertypes=(PPPOE_DISC, LOCAL_EXP))
    c.inp(0, f)
    c.out(2, f)
    c.tx()
    c.stat("local", 1)
    c.next()
    f = other_frame(LOCAL_EXP, VM3_MAC, dst_mac=VM0_MAC)
    c.inp(3, f)
    c.out(0, f)
    c.tx()
    c.stat("local", 1)

    f = other_frame(PPPOE_DISC, VM0_MAC)
    c = sg_case("sg_ethertype_permitted_no_antispoof", "guard.permitted_ethertypes [0x8863]: "
                "filtered port 0 without anti-spoofing broadcasts a PPPoE discovery; flooded",
                antispoof=False)
    c.guard(ethertypes=(PPPOE_DISC,))
    c.inp(0, f)
    c.out(2, f)
    c.out(UL_PORT, encap(f, 1))
    c.tx()


# Underlay and flood hardening (doc/packets.md "Underlay hardening") -----

STORM_XDP = ("dpdk", "the XDP engine's storm-control buckets are per CPU and the runner's "
             "packets may run on different CPUs; xdp_storm_control (test_xdp_cases.c) runs "
             "this case's packets pinned to one CPU")
OTHER_MAC = "02:00:00:00:0b:01"  # in no FDB


def guard_case(name, desc):
    c = case(name, desc)
    if "storm" in name:
        c.engines(*STORM_XDP)
    return c


def gen_guard():
    to_vm0 = tcp4(src_mac=REM_MAC[1], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)

    # (a) decapsulate a VNI only from the vteps that serve it.
    c = guard_case("ul_strict_source_flood_member", "vtep 1 is a member of VNI 1000's flood "
                   "list and no fdb entry names it: its frames are decapsulated")
    world(c)
    c.commit()
    c.delete("fdb", fdb_key(VNI, REM_MAC[1]), "fdb vni %d %s" % (VNI, REM_MAC[1]))
    c.inp(UL_PORT, underlay_frame(to_vm0, 1))
    c.out(0, to_vm0)
    c.tx()
    c.stat("decap", 1)

    f = tcp4(src_mac=REM_MAC[2], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = guard_case("ul_strict_source_fdb_entry", "vtep 2 is in no flood list, an fdb entry "
                   "of VNI 1000 names it: its frames are decapsulated")
    world(c)
    c.inp(UL_PORT, underlay_frame(f, 2))
    c.out(0, f)
    c.tx()
    c.stat("decap", 1)

    c = guard_case("ul_vtep_not_serving", "VXLAN to our VTEP from 172.16.0.9, which no vtep "
                   "of VNI 1000 has: dropped before decapsulation")
    world(c)
    c.inp(UL_PORT, underlay_frame(to_vm0, 1, src="172.16.0.9"))
    c.drop("vtep_not_serving")
    c.stat("decap", 0)

    c = guard_case("ul_vtep_not_serving_v6", "Geneve over IPv6 from fd00:16::9, which no vtep "
                   "of VNI 1000 has")
    world(c)
    c.inp(UL_PORT, underlay_frame(to_vm0, 4, src="fd00:16::9"))
    c.drop("vtep_not_serving")

    f = tcp4(src_mac=OTHER_MAC, dst_mac=VM4_MAC, src=REM_IP, dst="10.0.0.40")
    c = guard_case("ul_vtep_not_serving_other_vni", "vtep 1 serves VNI 1000, not VNI 2000 "
                   "(whose flood list is port 4 alone)")
    world(c)
    c.flood(VNI2, [("port", 4)])
    c.inp(UL_PORT, underlay_frame(f, 1, vni=VNI2))
    c.drop("vtep_not_serving")

    f = tcp4(src_mac=OTHER_MAC, dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = guard_case("ul_strict_source_off", "underlay_strict_source off: a frame from "
                   "172.16.0.9 is decapsulated")
    world(c)
    c.guard(strict_source=0)
    c.inp(UL_PORT, underlay_frame(f, 1, src="172.16.0.9"))
    c.out(0, f)
    c.tx()
    c.stat("decap", 1)

    c = guard_case("ul_vtep_not_serving_vtep_deleted", "the vtep an fdb entry names is "
                   "deleted: its address serves the VNI no more")
    world(c)
    c.commit()
    c.delete("vtep", vtep_key(2), "vtep 2")
    c.inp(UL_PORT, underlay_frame(f, 2))
    c.drop("vtep_not_serving")

    f2 = tcp4(src_mac=REM_MAC[2], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = guard_case("ul_vtep_moved_old_address", "vtep 2 moves to 172.16.0.7: its old "
                   "address serves VNI 1000 no more")
    world(c)
    c.commit()
    c.vtep(2, remote="172.16.0.7")
    c.inp(UL_PORT, underlay_frame(f2, 2))
    c.drop("vtep_not_serving")

    c = guard_case("ul_vtep_moved_new_address", "vtep 2 moves to 172.16.0.7: its fdb entry "
                   "now admits the new address")
    world(c)
    c.commit()
    c.vtep(2, remote="172.16.0.7")
    c.inp(UL_PORT, underlay_frame(f2, 2, src="172.16.0.7"))
    c.out(0, f2)
    c.tx()

    c = guard_case("ul_vtep_not_serving_flood_changed", "VNI 1000's flood list loses vtep 1 "
                   "and its fdb entry goes: vtep 1 serves the VNI no more")
    world(c)
    c.commit()
    c.flood(VNI, [("port", 0), ("port", 2)])
    c.delete("fdb", fdb_key(VNI, REM_MAC[1]), "fdb vni %d %s" % (VNI, REM_MAC[1]))
    c.inp(UL_PORT, underlay_frame(to_vm0, 1))
    c.drop("vtep_not_serving")

    # (b) the inner source MAC must not be one the fdb places elsewhere.
    f = tcp4(src_mac=VM2_MAC, dst_mac=VM0_MAC, src=VM2_IP, dst=VM0_IP)
    c = guard_case("ul_inner_src_local_port", "the inner source is port 2's MAC: spoofed")
    world(c)
    c.inp(UL_PORT, underlay_frame(f, 1))
    c.drop("inner_src_mac_spoofed")

    f = tcp4(src_mac=REM_MAC[2], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = guard_case("ul_inner_src_other_vtep", "the inner source is a MAC the fdb places "
                   "behind vtep 2, sent by vtep 1: spoofed")
    world(c)
    c.inp(UL_PORT, underlay_frame(f, 1))
    c.drop("inner_src_mac_spoofed")

    f = tcp4(src_mac=REM_MAC[2], dst_mac=BCAST, src=REM_IP, dst="10.0.0.255")
    c = guard_case("ul_inner_src_other_vtep_bcast", "a broadcast whose inner source the fdb "
                   "places behind vtep 2, sent by vtep 1: spoofed, not flooded")
    world(c)
    c.inp(UL_PORT, underlay_frame(f, 1))
    c.drop("inner_src_mac_spoofed")

    f = tcp4(src_mac=OTHER_MAC, dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = guard_case("ul_inner_src_unknown", "an inner source in no fdb entry: delivered")
    world(c)
    c.inp(UL_PORT, underlay_frame(f, 1))
    c.out(0, f)
    c.tx()

    f = tcp4(src_mac=VM2_MAC, dst_mac=VM0_MAC, src=VM2_IP, dst=VM0_IP)
    c = guard_case("ul_inner_src_mac_off", "underlay_inner_src_mac off: port 2's MAC from "
                   "vtep 1 is delivered")
    world(c)
    c.guard(inner_src_mac=0)
    c.inp(UL_PORT, underlay_frame(f, 1))
    c.out(0, f)
    c.tx()

    # (c) storm control: floods from a VM port, per port.
    unk = tcp4(dst_mac=UNKNOWN_MAC)
    bc = udp4(src_mac=VM3_MAC, dst_mac=BCAST, src="10.0.0.30", dst="10.0.0.255")
    uni = tcp4(dst_mac=VM2_MAC, dst=VM2_IP)
    c = guard_case("vm_storm_control", "storm control at 1 flood/s, burst 2: port 0's third "
                   "flood in a second is dropped; its unicast and port 3's floods are not "
                   "limited")
    c.guard(storm_pps=1, storm_burst=2)
    world(c)
    for _ in range(2):
        c.inp(0, unk)
        c.out(2, unk)
        c.out(UL_PORT, encap(unk, 1))
        c.tx()
        c.stat("flood", 1)
        c.next()
    c.inp(0, unk)
    c.drop("storm_control")
    c.stat("flood", 0)
    c.next()
    c.inp(0, uni)
    c.out(2, uni)
    c.tx()
    c.next()
    c.inp(3, bc)
    c.out(0, bc)
    c.out(2, bc)
    c.out(UL_PORT, encap(bc, 1))
    c.tx()
    c.stat("flood", 1)

    c = guard_case("vm_storm_control_off", "storm_control_pps 0: three floods in a row pass")
    c.guard(storm_pps=0, storm_burst=1)
    world(c)
    for i in range(3):
        c.inp(0, unk)
        c.out(2, unk)
        c.out(UL_PORT, encap(unk, 1))
        c.tx()
        if i < 2:
            c.next()

    bcu = tcp4(src_mac=REM_MAC[1], dst_mac=BCAST, src=REM_IP, dst="10.0.0.255")
    c = guard_case("ul_storm_control_vm_only", "storm control at 1 flood/s, burst 1 limits VM "
                   "ports: two broadcasts from the underlay are both flooded")
    c.guard(storm_pps=1, storm_burst=1)
    world(c)
    for i in range(2):
        c.inp(UL_PORT, underlay_frame(bcu, 1))
        c.out(0, bcu)
        c.out(2, bcu)
        c.tx()
        if i == 0:
            c.next()


# ---------------------------------------------------------------------------
# Routing (doc/routing.md): router vrf VRF on VNI (10.0.0.0/24,
# fd00:100::/64) and VNI2 (10.0.1.0/24, fd00:200::/64)
# ---------------------------------------------------------------------------

RTR_MAC = "02:00:00:00:ee:01"
RTR_IP, RTR2_IP = "10.0.0.1", "10.0.1.1"
RTR_IP6, RTR2_IP6 = "fd00:100::1", "fd00:200::1"
VM4_IP, VM4_IP6 = "10.0.1.40", "fd00:200::40"
REM2_MAC, REM2_IP, REM2_IP6 = "02:00:00:00:0a:11", "10.0.1.50", "fd00:200::50"
GW_MAC, GW_IP = "02:00:00:00:0a:fe", "10.0.1.254"  # an extra route's next hop
RT2_MTU = 1400      # the egress MTU of VNI2's connected routes


def route_world(c):
    """world() and a router: its MAC in both networks, connected and local
    routes, an extra route via 10.0.1.254 (behind vtep 2), a blackhole,
    the neighbours of VNI2 (keyed by VNI2: a routed packet's next hop is
    looked up in the egress network's neigh table).
    """
    world(c)
    c.fdb(VNI, RTR_MAC, "router", VRF)
    c.fdb(VNI2, RTR_MAC, "router", VRF)
    c.fdb(VNI2, REM2_MAC, "vtep", 1)
    c.fdb(VNI2, GW_MAC, "vtep", 2)
    for pfx, vni, mtu, addr in (("10.0.0.0/24", VNI, 1500, RTR_IP),
                                ("10.0.1.0/24", VNI2, RT2_MTU, RTR2_IP),
                                ("fd00:100::/64", VNI, 1500, RTR_IP6),
                                ("fd00:200::/64", VNI2, RT2_MTU, RTR2_IP6)):
        c.route(VRF, pfx, "connected", vni, RTR_MAC, mtu, addr)
        c.route(VRF, addr + ("/32" if ":" not in addr else "/128"), "local", addr=addr)
    c.route(VRF, "192.168.0.0/16", "nexthop", VNI2, RTR_MAC, RT2_MTU, GW_IP)
    c.route(VRF, "10.9.0.0/16", "blackhole")
    c.neigh(RTR_IP, RTR_MAC, VNI, flags=NEIGH_F_LOCAL_ONLY)
    c.neigh(RTR_IP6, RTR_MAC, VNI, flags=NEIGH_F_LOCAL_ONLY)
    # The next hops: in the neigh table of the egress network, keyed by
    # its id (the VNI), as fp-control installs them (doc/routing.md).
    c.neigh(VM4_IP, VM4_MAC, VNI2, vrf=VNI2)
    c.neigh(VM4_IP6, VM4_MAC, VNI2, vrf=VNI2)
    c.neigh(REM2_IP, REM2_MAC, VNI2, vrf=VNI2)
    c.neigh(REM2_IP6, REM2_MAC, VNI2, vrf=VNI2)
    c.neigh(GW_IP, GW_MAC, VNI2, vrf=VNI2)


def routed(f, dst_mac):
    """doc/routing.md: the frame after the routing step (MACs rewritten,
    TTL / hop limit one less, IPv4 checksum updated)."""
    e = Ether(f)
    e.dst, e.src = dst_mac, RTR_MAC
    if IP in e:
        e[IP].ttl -= 1
        del e[IP].chksum
    else:
        e[IPv6].hlim -= 1
    return bytes(e)


def icmp4_error(orig, src, itype, code, mtu=0):
    """An ICMP error from the router's address src (doc/routing.md)."""
    e = Ether(orig)
    ip = orig[14:14 + be16(orig, 16)]
    icmp = ICMP(type=itype, code=code, reserved=0, length=0, nexthopmtu=mtu) if mtu else \
        ICMP(type=itype, code=code, unused=0)
    b = bytes(Ether(dst=e.src, src=e.dst, type=0x0800) /
              IP(version=4, ihl=5, tos=0, id=0, flags=0, frag=0, ttl=64, proto=1,
                 src=src, dst=e[IP].src) / icmp / Raw(ip[:548]))
    assert be16(b, 16) <= 576
    return b


def icmp6_error(orig, src, itype, code, mtu=0):
    e = Ether(orig)
    ip = orig[14:14 + 40 + be16(orig, 18)]
    body = struct.pack("!BBHI", itype, code, 0, mtu) + ip[:1232]
    b = bytearray(bytes(Ether(dst=e.src, src=e.dst, type=0x86dd) /
                        IPv6(version=6, tc=0, fl=0, nh=58, hlim=64, src=src, dst=e[IPv6].src,
                             plen=len(body)) / Raw(body)))
    pseudo = (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(e[IPv6].src).packed +
              struct.pack("!IxxxB", len(body), 58))
    struct.pack_into("!H", b, 56, inet_csum(pseudo + body))
    return bytes(b)


def ping4(dst, ttl=64, dst_mac=RTR_MAC):
    return bytes(Ether(dst=dst_mac, src=VM0_MAC) /
                 IP(src=VM0_IP, dst=dst, ttl=ttl, id=0x4242, flags="DF") /
                 ICMP(type=8, code=0, id=0x77, seq=3) / Raw(b"ping the router"))


def ping6(dst, hlim=64):
    return bytes(Ether(dst=RTR_MAC, src=VM0_MAC) /
                 IPv6(src=VM0_IP6, dst=dst, hlim=hlim, tc=0, fl=0) /
                 ICMPv6EchoRequest(id=0x77, seq=3) / Raw(b"ping6 the router"))


def gen_route():
    def rcase(name, desc):
        c = case(name, desc)
        route_world(c)
        return c

    f = udp4(dst_mac=RTR_MAC, dst=VM4_IP)
    c = rcase("rt_local_v4", "VM port 0 (10.0.0.0/24) sends UDP to 10.0.1.40 via the router: "
              "routed into VNI 2000, TTL 63, MACs rewritten, delivered to local port 4")
    c.inp(0, f)
    c.out(4, routed(f, VM4_MAC))
    c.tx()
    c.stat("routed", 1)
    c.stat("local", 1)

    f = tcp4(dst_mac=RTR_MAC, dst=REM2_IP)
    c = rcase("rt_vtep_v4", "TCP to 10.0.1.50 on another host: routed, encapsulated to vtep 1 "
              "with VNI 2000")
    c.inp(0, f)
    c.out(UL_PORT, encap(routed(f, REM2_MAC), 1, VNI2))
    c.tx()
    c.stat("routed", 1)
    c.stat("encap", 1)

    f = udp4(dst_mac=RTR_MAC, dst="192.168.5.5")
    c = rcase("rt_nexthop_v4", "UDP to 192.168.5.5: the extra route's next hop 10.0.1.254, "
              "behind vtep 2 (Geneve) in VNI 2000")
    c.inp(0, f)
    c.out(UL_PORT, encap(routed(f, GW_MAC), 2, VNI2))
    c.tx()
    c.stat("routed", 1)

    f = bytes(Ether(dst=RTR_MAC, src=VM0_MAC) /
              IP(src=VM0_IP, dst=VM4_IP, ttl=1, id=7, flags="DF") /
              UDP(sport=33434, dport=33435) / Raw(b"traceroute"))
    c = rcase("rt_ttl1_v4", "TTL 1 to another subnet: ICMP time exceeded from the router's "
              "address on the sender's subnet (10.0.0.1), dropped as ttl_exceeded")
    c.inp(0, f)
    c.out(0, icmp4_error(f, RTR_IP, 11, 0))
    c.drop("ttl_exceeded")
    c.stat("icmp_time_exceeded_sent", 1)
    c.stat("routed", 0)

    f = ping4(RTR_IP)
    rep = bytes(Ether(dst=VM0_MAC, src=RTR_MAC) /
                IP(src=RTR_IP, dst=VM0_IP, ttl=64, id=0x4242, flags="DF") /
                ICMP(type=0, code=0, id=0x77, seq=3) / Raw(b"ping the router"))
    c = rcase("rt_ping_router_v4", "ICMP echo to the router's address 10.0.0.1: answered")
    c.inp(0, f)
    c.out(0, rep)
    c.tx()
    c.stat("icmp_echo_reply", 1)

    f = ping4(RTR2_IP, ttl=1)
    rep = bytes(Ether(dst=VM0_MAC, src=RTR_MAC) /
                IP(src=RTR2_IP, dst=VM0_IP, ttl=64, id=0x4242, flags="DF") /
                ICMP(type=0, code=0, id=0x77, seq=3) / Raw(b"ping the router"))
    c = rcase("rt_ping_router_other_ttl1", "ICMP echo with TTL 1 to the router's address on "
              "the other subnet: answered (the router's own address, as a host would)")
    c.inp(0, f)
    c.out(0, rep)
    c.tx()
    c.stat("icmp_echo_reply", 1)

    f = udp4(dst_mac=RTR_MAC, dst=RTR_IP)
    c = rcase("rt_udp_to_router", "UDP to the router's address: dropped as to_router")
    c.inp(0, f)
    c.drop("to_router")

    f = udp4(dst_mac=RTR_MAC, dst="8.8.8.8")
    c = rcase("rt_no_route_v4", "no route to 8.8.8.8 (no default route): ICMP net "
              "unreachable from 10.0.0.1, dropped as no_route")
    c.inp(0, f)
    c.out(0, icmp4_error(f, RTR_IP, 3, 0))
    c.drop("no_route")
    c.stat("icmp_unreachable_sent", 1)

    f = udp4(dst_mac=RTR_MAC, dst="10.9.1.1")
    c = rcase("rt_blackhole_v4", "a blackhole route: dropped as no_route, no ICMP error")
    c.inp(0, f)
    c.drop("no_route")
    c.stat("icmp_unreachable_sent", 0)

    f = udp4(dst_mac=RTR_MAC, dst="10.0.1.77")
    c = rcase("rt_neigh_missing_v4", "10.0.1.77 is on a connected subnet but has no neigh "
              "entry: neigh_missing")
    c.inp(0, f)
    c.drop("neigh_missing")

    f = udp4(dst_mac=RTR_MAC, dst=VM4_IP, payload=bytes(RT2_MTU + 1 - 28))
    c = rcase("rt_too_big_v4", "1401 bytes with DF toward VNI 2000 (route MTU 1400): ICMP "
              "fragmentation needed (MTU 1400) from 10.0.0.1, dropped as too_big")
    c.inp(0, f)
    c.out(0, icmp4_error(f, RTR_IP, 3, 4, mtu=RT2_MTU))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = udp4(dst_mac=RTR_MAC, dst=VM4_IP)
    c = rcase("rt_local_sg_ingress", "routed to port 4, filtered by security groups whose "
              "ruleset is missing: the delivery runs the ingress step (sg_no_ruleset)")
    c.vm_port(4, VNI2, VM4_MAC, PORT_F_SG, ruleset=9)
    c.inp(0, f)
    c.drop("sg_no_ruleset")
    c.stat("routed", 1)

    f = udp4(dst_mac=RTR_MAC, dst=VM4_IP, payload=bytes(RT2_MTU - 28))
    c = rcase("rt_exact_mtu_v4", "exactly the route MTU (1400): routed")
    c.inp(0, f)
    c.out(4, routed(f, VM4_MAC))
    c.tx()

    f = arp_req(VM0_IP, RTR_IP, dst_mac=RTR_MAC)
    c = rcase("rt_arp_unicast_router", "a unicast ARP request to the router's MAC (a "
              "refresh): answered from the neigh table")
    c.inp(0, f)
    c.out(0, arp_reply_of(f, RTR_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    f = arp_req(VM0_IP, RTR_IP)
    c = rcase("rt_arp_router", "a broadcast ARP request for the gateway 10.0.0.1: answered "
              "with the router's MAC (local-only entry, local VM port)")
    c.inp(0, f)
    c.out(0, arp_reply_of(f, RTR_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    f = udp6(dst_mac=RTR_MAC, dst=VM4_IP6)
    c = rcase("rt_local_v6", "IPv6 UDP to fd00:200::40 via the router: hop limit 63, "
              "delivered to local port 4")
    c.inp(0, f)
    c.out(4, routed(f, VM4_MAC))
    c.tx()
    c.stat("routed", 1)

    f = tcp6(dst_mac=RTR_MAC, dst=REM2_IP6)
    c = rcase("rt_vtep_v6", "IPv6 TCP to fd00:200::50 on another host: routed, "
              "encapsulated to vtep 1 with VNI 2000")
    c.inp(0, f)
    c.out(UL_PORT, encap(routed(f, REM2_MAC), 1, VNI2))
    c.tx()
    c.stat("encap", 1)

    f = udp6(dst_mac=RTR_MAC, dst=VM4_IP6)
    f = f[:21] + bytes([1]) + f[22:]  # hop limit 1
    c = rcase("rt_hlim1_v6", "hop limit 1: ICMPv6 time exceeded from fd00:100::1, dropped "
              "as ttl_exceeded")
    c.inp(0, f)
    c.out(0, icmp6_error(f, RTR_IP6, 3, 0))
    c.drop("ttl_exceeded")
    c.stat("icmp_time_exceeded_sent", 1)

    f = ping6(RTR_IP6)
    rep = bytes(Ether(dst=VM0_MAC, src=RTR_MAC) /
                IPv6(src=RTR_IP6, dst=VM0_IP6, hlim=64, tc=0, fl=0) /
                ICMPv6EchoReply(id=0x77, seq=3) / Raw(b"ping6 the router"))
    c = rcase("rt_ping_router_v6", "ICMPv6 echo to fd00:100::1: answered")
    c.inp(0, f)
    c.out(0, rep)
    c.tx()
    c.stat("icmp_echo_reply", 1)

    f = udp6(dst_mac=RTR_MAC, dst="2001:db8::1")
    c = rcase("rt_no_route_v6", "no route to 2001:db8::1: ICMPv6 destination unreachable "
              "(no route) from fd00:100::1")
    c.inp(0, f)
    c.out(0, icmp6_error(f, RTR_IP6, 1, 0))
    c.drop("no_route")
    c.stat("icmp_unreachable_sent", 1)

    f = udp6(dst_mac=RTR_MAC, dst=VM4_IP6, payload=bytes(RT2_MTU + 1 - 48))
    c = rcase("rt_too_big_v6", "1401 bytes toward VNI 2000 (route MTU 1400): ICMPv6 packet "
              "too big from fd00:100::1")
    c.inp(0, f)
    c.out(0, icmp6_error(f, RTR_IP6, 2, 0, mtu=RT2_MTU))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = udp6(dst_mac=RTR_MAC, dst="fe80::1")
    c = rcase("rt_link_local_v6", "a link-local destination to the router's MAC: not routed "
              "(to_router)")
    c.inp(0, f)
    c.drop("to_router")

    n = max_inner_l3(1) + 1
    f = bytes(Ether(dst=RTR_MAC, src=VM0_MAC) / IP(src=VM0_IP, dst=REM2_IP, flags="DF") /
              UDP(sport=1, dport=2) / Raw(bytes(n - 28)))
    c = case("rt_tunnel_too_big_v4", "routed toward vtep 1 (inner max %d) on a route of MTU "
             "9000: ICMP fragmentation needed from the router's address on the sender's "
             "subnet, to the VM's MAC, with the tunnel's MTU (before any rewrite)"
             % max_inner_l3(1))
    world(c)
    c.fdb(VNI, RTR_MAC, "router", VRF)
    c.fdb(VNI2, REM2_MAC, "vtep", 1)
    c.route(VRF, "10.0.0.0/24", "connected", VNI, RTR_MAC, 1500, RTR_IP)
    c.route(VRF, "10.0.1.0/24", "connected", VNI2, RTR_MAC, 9000, RTR2_IP)
    c.neigh(REM2_IP, REM2_MAC, VNI2, vrf=VNI2)
    c.inp(0, f)
    c.out(0, icmp4_error(f, RTR_IP, 3, 4, mtu=max_inner_l3(1)))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = udp6(dst_mac=RTR_MAC, dst="::ffff:" + VM4_IP)
    c = rcase("rt_v4_mapped_v6", "an IPv4-mapped IPv6 destination to the router's MAC: not "
              "routed by the IPv4 routes (to_router)")
    c.inp(0, f)
    c.drop("to_router")

    for name, dst, what in (("rt_mcast_v4", "239.1.2.3", "multicast"),
                            ("rt_bcast_v4", "255.255.255.255", "limited broadcast"),
                            ("rt_loopback_v4", "127.0.0.1", "loopback")):
        f = udp4(dst_mac=RTR_MAC, dst=dst)
        c = rcase(name, "a %s IPv4 destination to the router's MAC: not routed, no ICMP "
                  "error (to_router)" % what)
        c.inp(0, f)
        c.drop("to_router")

    f = arp_req(VM0_IP, RTR_IP, dst_mac=RTR_MAC)
    c = case("rt_arp_unicast_router_vrf", "a unicast ARP refresh to a router whose vrf (7) is "
             "not the port's: answered from the port's network's neigh table, where "
             "fp-control keys the gateway's entry")
    world(c)
    c.fdb(VNI, RTR_MAC, "router", 7)
    c.route(7, RTR_IP + "/32", "local", addr=RTR_IP)
    c.neigh(RTR_IP, RTR_MAC, VNI, flags=NEIGH_F_LOCAL_ONLY)
    c.inp(0, f)
    c.out(0, arp_reply_of(f, RTR_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    inner = routed(udp4(src_mac=REM_MAC[1], dst_mac=RTR_MAC, src="10.0.1.50", dst=VM2_IP),
                   VM2_MAC)
    c = rcase("rt_from_remote_router", "a packet another host routed arrives with the "
              "router's MAC as inner source: not inner_src_mac_spoofed (the router's MAC is "
              "every host's), delivered to port 2")
    c.guard()
    c.inp(UL_PORT, underlay_frame(inner, 1))
    c.out(2, inner)
    c.tx()

    f = udp4(dst_mac=RTR_MAC, dst=VM4_IP)
    c = rcase("rt_no_route_other_vrf", "the router MAC of VNI 1000 names vrf 7, which has no "
              "routes: no_route")
    c.fdb(VNI, RTR_MAC, "router", 7)
    c.inp(0, f)
    c.drop("no_route")

    f = udp4(dst_mac=RTR_MAC, dst="8.8.8.8")
    c = rcase("rt_v6_default_not_v4", "an IPv6 default route ::/0 is no IPv4 default route: "
              "UDP to 8.8.8.8 has no route (ICMP net unreachable from 10.0.0.1)")
    c.route(VRF, "::/0", "nexthop", VNI2, RTR_MAC, RT2_MTU, "fd00:200::fe")
    c.inp(0, f)
    c.out(0, icmp4_error(f, RTR_IP, 3, 0))
    c.drop("no_route")
    c.stat("icmp_unreachable_sent", 1)
    c.stat("routed", 0)

    f = udp4(dst_mac=RTR_MAC, dst="10.0.1.60")
    c = rcase("rt_flood_v4", "routed to 10.0.1.60, whose MAC no fdb entry of VNI 2000 "
              "knows: flooded in VNI 2000 (the egress network) to port 4 and vtep 1")
    c.neigh("10.0.1.60", "02:00:00:00:0a:60", VNI2, vrf=VNI2)
    c.flood(VNI2, [("port", 4), ("vtep", 1)])
    r = routed(f, "02:00:00:00:0a:60")
    c.inp(0, f)
    c.out(4, r)
    c.out(UL_PORT, encap(r, 1, VNI2))
    c.tx()
    c.stat("routed", 1)
    c.stat("flood", 1)
    c.stat("flood_copies", 2)
    c.stat("encap", 1)


# ---------------------------------------------------------------------------
# The slow path (doc/routing.md "The slow path"): punted only with an entry
# ---------------------------------------------------------------------------

SLOWPATH_XDP = ("dpdk", "the XDP engine has no slow path (doc/routing.md): its backend "
                "refuses dhcp, ra and dhcp6 entries")
SP_SERVER, SP_RTR_MAC = "10.0.0.1", "02:00:00:00:ee:01"


def v4b(a):
    return ipaddress.IPv4Address(a).packed


def dhcp_entry(c, port=0):
    """Port 0's DHCPv4: 10.0.0.10/24 from server and router 10.0.0.1."""
    val = (mac_bytes(VM0_MAC) + struct.pack("<H", 1500) + v4b(VM0_IP) + v4b(SP_SERVER) +
           v4b(SP_SERVER) + struct.pack("<IBBBB", 86400, 24, 0, 0, 0) + bytes(16 + 8 * 12))
    c.entry("dhcp", struct.pack("<I", port), val,
            "dhcp port %d: %s/24 server %s router %s lease 86400" %
            (port, VM0_IP, SP_SERVER, SP_SERVER))


def ra_entry(c, vni=VNI):
    """The network's RA: slaac fd00:100::/64 from SP_RTR_MAC."""
    pfx = (ipaddress.IPv6Address("fd00:100::").packed + struct.pack("<IIBBH", 86400, 14400, 64,
                                                                     0xc0, 0))
    val = (mac_bytes(SP_RTR_MAC) + struct.pack("<H", 1500) + bytes(16) +
           struct.pack("<HBBHHB3sI", 300, 0, 1, 100, 30, 0, bytes(3), 0) + bytes(4 * 16) +
           pfx + bytes(3 * 28))
    c.entry("ra", struct.pack("<I", vni), val,
            "ra vni %d: mac %s slaac fd00:100::/64" % (vni, SP_RTR_MAC))


def dhcp6_entry(c, port=0):
    """Port 0's DHCPv6: VM0_IP6 from SP_RTR_MAC."""
    val = (mac_bytes(VM0_MAC) + mac_bytes(SP_RTR_MAC) +
           ipaddress.IPv6Address(VM0_IP6).packed + struct.pack("<IIB3s", 14400, 86400, 0,
                                                               bytes(3)) + bytes(4 * 16))
    c.entry("dhcp6", struct.pack("<I", port), val,
            "dhcp6 port %d: %s server mac %s" % (port, VM0_IP6, SP_RTR_MAC))


def bootp(op_type):
    """A BOOTP request of DHCP message type op_type from VM0_MAC."""
    return (b"\x01\x01\x06\x00" + b"\x12\x34\x56\x78" + bytes(20) + mac_bytes(VM0_MAC) +
            bytes(202) + b"\x63\x82\x53\x63" + bytes([53, 1, op_type, 255]))


def gen_slowpath():
    def scase(name, desc, sg=False):
        if sg:
            c = sg_case(name, desc, egress=())
        else:
            c = case(name, desc)
            world(c)
        c.engines(*SLOWPATH_XDP)
        return c

    def flooded(c, f):
        c.out(2, f)
        c.out(UL_PORT, encap(f, 1))
        c.tx()
        c.stat("flood", 1)
        c.stat("punt", 0)

    discover = bytes(Ether(dst=BCAST, src=VM0_MAC) /
                     IP(src="0.0.0.0", dst="255.255.255.255", id=0, ttl=64, flags=0) /
                     UDP(sport=68, dport=67) / Raw(bootp(1)))
    c = scase("sp_dhcp_discover_punt", "a DHCP DISCOVER from port 0, which has a dhcp entry: "
              "punted to the slow path")
    dhcp_entry(c)
    c.inp(0, discover)
    c.punt()
    c.stat("punt", 1)
    c.stat("flood", 0)

    c = scase("sp_dhcp_discover_no_entry", "a DHCP DISCOVER from port 0 without a dhcp entry: "
              "flooded as before (not punted)")
    c.inp(0, discover)
    flooded(c, discover)

    c = scase("sp_dhcp_discover_sg_punt", "a DHCP DISCOVER from a filtered port with a dhcp "
              "entry: the base policy lets it out, then punted", sg=True)
    dhcp_entry(c)
    c.inp(0, discover)
    c.punt()
    c.stat("punt", 1)

    req = bytes(Ether(dst=SP_RTR_MAC, src=VM0_MAC) /
                IP(src=VM0_IP, dst=SP_SERVER, id=1, ttl=64, flags=0) /
                UDP(sport=68, dport=67) / Raw(bootp(3)))
    c = scase("sp_dhcp_renew_punt", "a DHCP REQUEST (renewing) unicast to the entry's server "
              "10.0.0.1: punted")
    dhcp_entry(c)
    c.inp(0, req)
    c.punt()
    c.stat("punt", 1)

    other = bytes(Ether(dst=REM_MAC[1], src=VM0_MAC) /
                  IP(src=VM0_IP, dst=REM_IP, id=1, ttl=64, flags=0) /
                  UDP(sport=68, dport=67) / Raw(bootp(3)))
    c = scase("sp_dhcp_other_server", "a DHCP REQUEST unicast to another address than the "
              "entry's server: not ours, forwarded (encapsulated to vtep 1)")
    dhcp_entry(c)
    c.inp(0, other)
    c.out(UL_PORT, encap(other, 1))
    c.tx()
    c.stat("punt", 0)

    ll = eui64_lladdr(VM0_MAC)
    solicit = bytes(Ether(dst="33:33:00:01:00:02", src=VM0_MAC) /
                    IPv6(src=ll, dst="ff02::1:2", hlim=1, fl=0) /
                    UDP(sport=546, dport=547) / Raw(b"\x01\x00\x12\x34"))
    c = scase("sp_dhcp6_solicit_punt", "a DHCPv6 Solicit from port 0's link-local address to "
              "ff02::1:2 with a dhcp6 entry: punted")
    dhcp6_entry(c)
    c.inp(0, solicit)
    c.punt()
    c.stat("punt", 1)

    c = scase("sp_dhcp6_solicit_no_entry", "a DHCPv6 Solicit with a dhcp entry but no dhcp6 "
              "entry: flooded as before")
    dhcp_entry(c)
    c.inp(0, solicit)
    flooded(c, solicit)

    hbh = bytes(Ether(dst="33:33:00:01:00:02", src=VM0_MAC) /
                IPv6(src=ll, dst="ff02::1:2", hlim=1, fl=0) / IPv6ExtHdrHopByHop() /
                UDP(sport=546, dport=547) / Raw(b"\x01\x00\x12\x34"))
    c = scase("sp_dhcp6_ext_header_not_punted", "a DHCPv6 Solicit behind a hop-by-hop "
              "options header: the slow path reads DHCPv6 and RS at fixed offsets, so it is "
              "not punted (flooded as before), never answered as something else")
    dhcp6_entry(c)
    c.inp(0, hbh)
    flooded(c, hbh)

    rs = bytes(Ether(dst="33:33:00:00:00:02", src=VM0_MAC) /
               IPv6(src=ll, dst="ff02::2", hlim=255, fl=0) /
               ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=VM0_MAC))
    c = scase("sp_rs_punt", "a router solicitation from port 0, its network has an ra entry: "
              "punted")
    ra_entry(c)
    c.inp(0, rs)
    c.punt()
    c.stat("punt", 1)

    c = scase("sp_rs_no_entry", "a router solicitation without an ra entry: flooded as before")
    c.inp(0, rs)
    flooded(c, rs)

    c = scase("sp_rs_other_network", "a router solicitation with an ra entry of another "
              "network only: flooded as before")
    ra_entry(c, VNI2)
    c.inp(0, rs)
    flooded(c, rs)
# Floating IPs (doc/routing.md "Floating IPs"): route_world's router has a
# gateway on the external network EXT; the "outside" (the external
# subnet's gateway 172.24.4.1) is local port 5; VM port 0 (10.0.0.10) has
# the floating IP 172.24.4.100, port 2 (10.0.0.20) none.
# ---------------------------------------------------------------------------

EXT = 3000
NAT_SNAT, NAT_DNAT = 0, 1
ROUTE_F_EXTERNAL, ROUTE_F_SNAT = 0x0001, 0x0002
FDB_F_EXTERNAL = 0x0001
OUT_MAC, OUT_IP = "02:00:00:00:0e:01", "172.24.4.1"
RGW_MAC = "02:00:00:00:0e:0a"  # the router's gateway port on EXT
FIP, FIP_MAC = "172.24.4.100", "02:00:00:00:0e:64"


def fip_world(c, route_flags=ROUTE_F_EXTERNAL, ext_flood=(("port", 5),)):
    """route_world() and the external network EXT: the default route
    toward the outside (flags route_flags), the outside as local port 5,
    port 0's floating IP: its nat pair, fdb (EXT, FIP_MAC) -> the router
    (external) and neigh (EXT, FIP) -> FIP_MAC, as fp-control compiles
    them on the VM's host.
    """
    route_world(c)
    c.port(5, "vm", 1500, OUT_MAC)
    c.vm_port(5, EXT, OUT_MAC, 0, vrf=EXT)
    c.fdb(EXT, OUT_MAC, "port", 5)
    c.flood(EXT, list(ext_flood))
    c.neigh(VM0_IP, VM0_MAC, VNI, vrf=VNI)
    c.neigh(VM2_IP, VM2_MAC, VNI, vrf=VNI)
    c.neigh(OUT_IP, OUT_MAC, EXT, vrf=EXT)
    c.route(VRF, "0.0.0.0/0", "nexthop", EXT, RGW_MAC, 1500, OUT_IP, flags=route_flags)
    c.nat(NAT_SNAT, VRF, VM0_IP, FIP, FIP_MAC, EXT)
    c.nat(NAT_DNAT, EXT, FIP, VM0_IP, None, VRF)
    c.fdb(EXT, FIP_MAC, "router", VRF, flags=FDB_F_EXTERNAL)
    c.neigh(FIP, FIP_MAC, EXT, vrf=EXT)


def natted(f, dst_mac, src_mac, src=None, dst=None):
    """The frame after 1:1 NAT and routing, every checksum computed anew by
    scapy (the engine updates them incrementally: they must agree)."""
    e = Ether(f)
    e.dst, e.src = dst_mac, src_mac
    ip = e[IP]
    ip.ttl -= 1
    if src:
        ip.src = src
    if dst:
        ip.dst = dst
    del ip.chksum
    if TCP in ip:
        del ip[TCP].chksum
    elif UDP in ip:
        del ip[UDP].chksum
    return bytes(e)


def out_tcp(dst=FIP, dst_mac=FIP_MAC, flags="SA", src_mac=OUT_MAC, src=OUT_IP):
    return bytes(Ether(dst=dst_mac, src=src_mac) /
                 IP(src=src, dst=dst, ttl=64, id=0x5151, flags="DF") /
                 TCP(sport=80, dport=40000, seq=5000, ack=1001, flags=flags, window=29200) /
                 Raw(b"from the outside"))


FIP_XDP = ("dpdk", "the XDP engine does not translate floating IPs (doc/routing.md): its "
           "backend refuses nat entries, external routes and external fdb entries")


def gen_fip():
    def fcase(name, desc, route_flags=ROUTE_F_EXTERNAL):
        c = case(name, desc)
        c.engines(*FIP_XDP)
        fip_world(c, route_flags)
        return c

    f = out_tcp()
    c = fcase("fip_dnat_tcp", "the outside (port 5, EXT) sends TCP to the floating IP "
              "172.24.4.100 at its MAC: dnat to 10.0.0.10, routed in the router's vrf, "
              "delivered to port 0 with the IPv4 and TCP checksums updated")
    c.inp(5, f)
    c.out(0, natted(f, VM0_MAC, RTR_MAC, dst=VM0_IP))
    c.tx()
    c.stat("routed", 1)
    c.stat("local", 1)

    f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
              IP(src=OUT_IP, dst=FIP, ttl=64, id=0x5152) /
              UDP(sport=53, dport=5000) / Raw(b"an answer"))
    c = fcase("fip_dnat_udp", "UDP from the outside to the floating IP: dnat, the UDP "
              "checksum updated")
    c.inp(5, f)
    c.out(0, natted(f, VM0_MAC, RTR_MAC, dst=VM0_IP))
    c.tx()

    f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
              IP(src=OUT_IP, dst=FIP, ttl=64, id=0x5153) /
              UDP(sport=53, dport=5000, chksum=0) / Raw(b"no checksum"))
    c = fcase("fip_dnat_udp_nocsum", "UDP without a checksum (0) to the floating IP: dnat, the "
              "UDP checksum stays 0")
    c.inp(5, f)
    e = Ether(natted(f, VM0_MAC, RTR_MAC, dst=VM0_IP))
    e[UDP].chksum = 0
    c.out(0, bytes(e))
    c.tx()

    f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
              IP(src=OUT_IP, dst=FIP, ttl=64, id=0x5154) /
              ICMP(type=8, code=0, id=0x99, seq=1) / Raw(b"ping the fip"))
    c = fcase("fip_dnat_ping", "an ICMP echo from the outside to the floating IP: dnat to "
              "port 0 (the ICMP checksum covers no address: unchanged)")
    c.inp(5, f)
    c.out(0, natted(f, VM0_MAC, RTR_MAC, dst=VM0_IP))
    c.tx()

    # The router's gateway port on EXT: its connected route, the address
    # the outside sees the router's ICMP errors come from.
    rgw_ip = "172.24.4.10"
    for proto, l4 in (("ping", ICMP(type=8, code=0, id=0x99, seq=1) / Raw(b"ping the fip")),
                      ("udp", UDP(sport=53, dport=5000) / Raw(b"expires at the router"))):
        f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
                  IP(src=OUT_IP, dst=FIP, ttl=1, id=0x5155, flags="DF") / l4)
        e = bytearray(icmp4_error(f, rgw_ip, 11, 0))
        e[6:12] = mac_bytes(RGW_MAC)
        c = fcase("fip_dnat_ttl_error_" + proto,
                  "a %s with TTL 1 from the outside to the floating IP: time exceeded from "
                  "the router's external address 172.24.4.10 and MAC (EXT's connected "
                  "route), quoting the packet as sent (to the floating IP, checksums as "
                  "they were), never the fixed IP" % proto)
        c.route(VRF, "172.24.4.0/24", "connected", EXT, RGW_MAC, 1500, rgw_ip)
        c.inp(5, f)
        c.out(5, bytes(e))
        c.drop("ttl_exceeded")
        c.stat("icmp_time_exceeded_sent", 1)

    f = tcp4(dst_mac=RTR_MAC, dst=OUT_IP)
    c = fcase("fip_snat_tcp", "port 0 (floating IP 172.24.4.100) sends TCP to the outside: the "
              "default route is external: snat to the floating IP, source MAC the floating "
              "IP's, TCP checksum updated, out on port 5")
    c.inp(0, f)
    c.out(5, natted(f, OUT_MAC, FIP_MAC, src=FIP))
    c.tx()
    c.stat("routed", 1)

    f = udp4(dst_mac=RTR_MAC, dst=OUT_IP)
    c = fcase("fip_snat_udp", "UDP from port 0 to the outside: snat, UDP checksum updated")
    c.inp(0, f)
    c.out(5, natted(f, OUT_MAC, FIP_MAC, src=FIP))
    c.tx()

    f = ping4(OUT_IP)
    c = fcase("fip_snat_ping", "an ICMP echo from port 0 to the outside: snat", )
    c.inp(0, f)
    c.out(5, natted(f, OUT_MAC, FIP_MAC, src=FIP))
    c.tx()

    f = udp4(src_mac=VM2_MAC, src=VM2_IP, dst_mac=RTR_MAC, dst=OUT_IP)
    c = fcase("fip_no_snat", "port 2 (no floating IP) sends to the outside through a router "
              "with enable_snat (route flags external, snat): dropped as no_snat",
              ROUTE_F_EXTERNAL | ROUTE_F_SNAT)
    c.inp(2, f)
    c.drop("no_snat")
    c.stat("routed", 0)

    f = udp4(src_mac=VM2_MAC, src=VM2_IP, dst_mac=RTR_MAC, dst=OUT_IP)
    c = fcase("fip_no_fip_unflagged", "port 2 (no floating IP) to the outside through a "
              "router without enable_snat (external only): routed with its fixed address")
    c.inp(2, f)
    c.out(5, natted(f, OUT_MAC, RGW_MAC))
    c.tx()

    f = tcp4(dst_mac=RTR_MAC, dst=OUT_IP)
    c = fcase("fip_snat_with_snat_flag", "port 0 has a floating IP: snat even on a router "
              "with enable_snat", ROUTE_F_EXTERNAL | ROUTE_F_SNAT)
    c.inp(0, f)
    c.out(5, natted(f, OUT_MAC, FIP_MAC, src=FIP))
    c.tx()

    f = arp_req(OUT_IP, FIP, sha=OUT_MAC)
    c = fcase("fip_arp", "the outside asks ARP for the floating IP: answered with the "
              "floating IP's MAC")
    c.inp(5, f)
    c.out(5, arp_reply_of(f, FIP_MAC))
    c.tx()
    c.stat("arp_reply", 1)

    f = out_tcp(dst="172.24.4.99")
    c = fcase("fip_dnat_miss", "to the floating IP's MAC but another address (no dnat "
              "entry): no_route")
    c.inp(5, f)
    c.drop("no_route")

    f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
              IPv6(src="2001:db8::1", dst="2001:db8::64", hlim=64) /
              UDP(sport=1, dport=2) / Raw(b"v6"))
    c = fcase("fip_dnat_v6", "IPv6 to the floating IP's MAC (floating IPs are IPv4): "
              "no_route")
    c.inp(5, f)
    c.drop("no_route")

    c = case("fip_dnat_from_underlay", "an outside host on another hypervisor "
             "(172.24.4.2 behind vtep 1): its frame to the floating IP's MAC arrives "
             "encapsulated in EXT: dnat, routed, delivered to local port 0")
    c.engines(*FIP_XDP)
    fip_world(c, ext_flood=(("port", 5), ("vtep", 1)))
    c.fdb(EXT, "02:00:00:00:0e:02", "vtep", 1)
    inner = out_tcp(src_mac="02:00:00:00:0e:02", src="172.24.4.2")
    c.guard()
    c.inp(UL_PORT, underlay_frame(inner, 1, vni=EXT))
    c.out(0, natted(inner, VM0_MAC, RTR_MAC, dst=VM0_IP))
    c.tx()
    c.stat("decap", 1)

    c = case("fip_dnat_from_underlay_tagged", "a frame to the floating IP's MAC from the "
             "underlay with a VLAN tag inside the tunnel: an overlay network carries no "
             "tags, dropped as vlan_denied")
    c.engines(*FIP_XDP)
    fip_world(c, ext_flood=(("port", 5), ("vtep", 1)))
    c.fdb(EXT, "02:00:00:00:0e:02", "vtep", 1)
    c.guard()
    c.inp(UL_PORT, underlay_frame(tag(inner, 7), 1, vni=EXT))
    c.drop("vlan_denied")

    # An ICMP error about a packet port 0 sent from its floating IP: the
    # embedded packet's source is translated back to the fixed address.
    orig = bytes(IP(src=FIP, dst=OUT_IP, ttl=63, id=0x77, flags="DF") /
                 UDP(sport=5000, dport=6000) / Raw(b"udp payload"))
    f = bytes(Ether(dst=FIP_MAC, src=OUT_MAC) /
              IP(src=OUT_IP, dst=FIP, ttl=64, id=0x5155) /
              ICMP(type=3, code=3) / Raw(orig))
    c = fcase("fip_dnat_icmp_error", "an ICMP port unreachable from the outside about a UDP "
              "packet from the floating IP: dnat of the outer destination and of the "
              "embedded source, every checksum (outer IP, ICMP, embedded IP and UDP) right")
    c.inp(5, f)
    exp = Ether(f)
    exp.dst, exp.src = VM0_MAC, RTR_MAC
    exp[IP].ttl -= 1
    exp[IP].dst = VM0_IP
    del exp[IP].chksum
    emb = IP(orig)
    emb.src = VM0_IP
    del emb.chksum
    del emb[UDP].chksum
    exp[ICMP].remove_payload()
    exp[ICMP].add_payload(Raw(bytes(emb)))
    del exp[ICMP].chksum
    c.out(0, bytes(exp))
    c.tx()

    # Fragments: the first carries the UDP header (its checksum is the
    # whole datagram's: updated by the same difference); a later one only
    # its IP header.
    big = IP(src=VM0_IP, dst=OUT_IP, ttl=64, id=0x4444) / UDP(sport=7, dport=9) / \
        Raw(bytes(range(256)) * 8)
    frags = fragment(IP(bytes(big)), fragsize=1024)
    big_n = IP(bytes(big))
    big_n.src = FIP
    big_n.ttl = 63
    del big_n.chksum
    del big_n[UDP].chksum
    frags_n = fragment(IP(bytes(big_n)), fragsize=1024)
    assert len(frags) == len(frags_n) == 3
    for i, what in ((0, "first"), (1, "later")):
        f = bytes(Ether(dst=RTR_MAC, src=VM0_MAC) / frags[i])
        c = fcase("fip_snat_frag_%s" % what, "the %s fragment of a UDP datagram from port 0 "
                  "to the outside: snat%s" % (what, ", the datagram's UDP checksum updated "
                                              "in it" if i == 0 else ": IP header only"))
        c.inp(0, f)
        c.out(5, bytes(Ether(dst=OUT_MAC, src=FIP_MAC) / frags_n[i]))
        c.tx()

    # Security groups see the fixed address: port 0's stateful ruleset
    # admits its egress, and the reply from the outside to the floating IP
    # (dnat first) is the same tracked connection.
    c = case("fip_sg_reply", "port 0 filtered by a stateful ruleset with egress rules only: "
             "its SYN to the outside opens a connection (egress before snat, fixed "
             "address), the outside's SYN-ACK to the floating IP matches it after dnat "
             "(ingress after dnat) and is delivered")
    c.engines(*FIP_XDP)
    fip_world(c)
    c.vm_port(0, VNI, VM0_MAC, PORT_F_ANTISPOOF | PORT_F_SG,
              [(VM0_IP + "/32", None), (VM0_IP6 + "/128", None)], ruleset=9)
    c.ruleset(9, SG_EGRESS, [sg_rule(101, proto=6)])
    c.ruleset(9, SG_INGRESS, [])
    f = tcp4(dst_mac=RTR_MAC, dst=OUT_IP)
    c.inp(0, f)
    c.out(5, natted(f, OUT_MAC, FIP_MAC, src=FIP))
    c.tx()
    c.next()
    f = out_tcp()
    c.inp(5, f)
    c.out(0, natted(f, VM0_MAC, RTR_MAC, dst=VM0_IP))
    c.tx()

    f = out_tcp(flags="S")
    c = case("fip_sg_unsolicited", "the same ruleset: an unsolicited SYN from the outside to "
             "the floating IP is dnat'ed, then refused by port 0's ingress rules (sg_denied)")
    c.engines(*FIP_XDP)
    fip_world(c)
    c.vm_port(0, VNI, VM0_MAC, PORT_F_ANTISPOOF | PORT_F_SG,
              [(VM0_IP + "/32", None), (VM0_IP6 + "/128", None)], ruleset=9)
    c.ruleset(9, SG_EGRESS, [sg_rule(101, proto=6)])
    c.ruleset(9, SG_INGRESS, [])
    c.inp(5, f)
    c.drop("sg_denied")
# Provider networks (doc/routing.md "Provider networks"): fp-dpdk only
# ---------------------------------------------------------------------------

PROV_XDP = ("dpdk", "the XDP engine does not carry provider networks (doc/routing.md): its "
            "backend refuses segments and provider network ids")
PNET = 0x01000001   # a vlan network (VLAN 100 on physical port 5): ports 0, 2
FNET = 0x01000002   # a flat network (untagged on port 5): port 4
PVLAN = 100
PHYS_PORT = 5
PHYS_MAC = "02:00:00:00:05:05"  # port 5's MAC: the chassis MAC (none configured)


def tag(f, vlan):
    """The frame with an 802.1Q tag (PCP 0) inserted after its MACs."""
    f = bytes(f)
    return f[:12] + struct.pack("!HH", 0x8100, vlan) + f[12:]


def prov_world(c, phys_mtu=1500, router=False):
    """VM ports 0 and 2 on the vlan network PNET (VLAN 100), port 4 on
    the flat network FNET, physical port 5; remote MACs REM_MAC[1] (PNET)
    and REM_MAC[2] (FNET) behind the physical port.  router: a router in
    both (10.0.0.0/24 on PNET, 10.0.1.0/24 on FNET).
    """
    c.port(0, "vm", 1500, VM0_MAC)
    c.port(1, "underlay", UL_MTU, UL_MAC)
    c.port(2, "vm", 1500, VM2_MAC)
    c.port(4, "vm", 1500, VM4_MAC)
    c.port(PHYS_PORT, "physical", phys_mtu, PHYS_MAC)
    c.local_vtep(LOCAL4)
    c.vm_port(0, PNET, VM0_MAC, PORT_F_ANTISPOOF, [(VM0_IP + "/32", None)], vrf=PNET)
    c.vm_port(2, PNET, VM2_MAC, PORT_F_ANTISPOOF, [(VM2_IP + "/32", None)], vrf=PNET)
    c.vm_port(4, FNET, VM4_MAC, 0, vrf=FNET)
    c.fdb(PNET, VM0_MAC, "port", 0)
    c.fdb(PNET, VM2_MAC, "port", 2)
    c.fdb(PNET, REM_MAC[1], "phys", PHYS_PORT, PVLAN)
    c.fdb(FNET, VM4_MAC, "port", 4)
    c.fdb(FNET, REM_MAC[2], "phys", PHYS_PORT, 0)
    c.flood(PNET, [("port", 0), ("port", 2), ("phys", PHYS_PORT, PVLAN)])
    c.flood(FNET, [("port", 4), ("phys", PHYS_PORT, 0)])
    c.neigh(REM_IP, REM_MAC[1], PNET, vrf=PNET)
    if router:
        c.fdb(PNET, RTR_MAC, "router", VRF)
        c.fdb(FNET, RTR_MAC, "router", VRF)
        c.route(VRF, "10.0.0.0/24", "connected", PNET, RTR_MAC, 1500, RTR_IP)
        c.route(VRF, RTR_IP + "/32", "local", addr=RTR_IP)
        c.route(VRF, "10.0.1.0/24", "connected", FNET, RTR_MAC, 1500, RTR2_IP)
        c.neigh(VM0_IP, VM0_MAC, PNET, vrf=PNET)
        c.neigh(VM4_IP, VM4_MAC, FNET, vrf=FNET)
        c.neigh(REM2_IP, REM_MAC[2], FNET, vrf=FNET)
    c.segment(PHYS_PORT, PVLAN, PNET)
    c.segment(PHYS_PORT, 0, FNET)


def gen_provider():
    def pcase(name, desc, **kw):
        c = case(name, desc)
        c.engines(*PROV_XDP)
        prov_world(c, **kw)
        return c

    f = udp4(src_mac=REM_MAC[1], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = pcase("pv_vlan_in_to_vm", "a frame tagged VLAN 100 from the physical port to VM "
              "port 0 on that vlan network: the segment names the network, the tag is "
              "popped, delivered untagged")
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.out(0, f)
    c.tx()
    c.stat("local", 1)

    f = udp4(dst_mac=REM_MAC[1])
    c = pcase("pv_vm_to_remote_tagged", "VM port 0 to a MAC on another host of its vlan "
              "network: out the physical port tagged VLAN 100, not tunnelled")
    c.inp(0, f)
    c.out(PHYS_PORT, tag(f, PVLAN))
    c.tx()
    c.stat("encap", 0)

    f = arp_req(VM0_IP, "10.0.0.99")
    c = pcase("pv_vm_flood", "a broadcast from VM port 0 on the vlan network: a copy to "
              "local port 2 and one tagged out the physical port, no vtep")
    c.inp(0, f)
    c.out(2, f)
    c.out(PHYS_PORT, tag(f, PVLAN))
    c.tx()
    c.stat("flood_copies", 2)
    c.stat("encap", 0)

    f = arp_req(REM_IP, VM2_IP, sha=REM_MAC[1])
    c = pcase("pv_phys_flood_local_only", "a broadcast tagged VLAN 100 from the physical "
              "port: flooded to the local ports 0 and 2 untagged, never back out the "
              "physical port (no loop), not answered from the neigh table")
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.out(0, f)
    c.out(2, f)
    c.tx()
    c.stat("flood_copies", 2)
    c.stat("arp_reply", 0)

    f = udp4(src_mac=REM_MAC[1], dst_mac=VM0_MAC, src=REM_IP, dst=VM0_IP)
    c = pcase("pv_unknown_segment", "a frame tagged VLAN 200, which is no segment of the "
              "physical port: dropped as unknown_segment")
    c.inp(PHYS_PORT, tag(f, 200))
    c.drop("unknown_segment")

    c = pcase("pv_qinq_unknown_segment", "a frame with two tags on the physical port: no "
              "segment, unknown_segment")
    c.inp(PHYS_PORT, tag(tag(f, PVLAN), PVLAN))
    c.drop("unknown_segment")

    c = case("pv_untagged_no_flat", "an untagged frame on a physical port without a flat "
             "segment: unknown_segment")
    c.engines(*PROV_XDP)
    prov_world(c)
    c.delete("segment", segment_key(PHYS_PORT, 0), "segment port 5 vlan 0")
    c.inp(PHYS_PORT, f)
    c.drop("unknown_segment")

    f = udp4(src_mac=REM_MAC[2], dst_mac=VM4_MAC, src="10.0.1.50", dst=VM4_IP)
    c = pcase("pv_flat_in", "an untagged frame on the physical port: the flat network's "
              "segment, delivered to port 4")
    c.inp(PHYS_PORT, f)
    c.out(4, f)
    c.tx()

    f = udp4(src_mac=VM4_MAC, dst_mac=REM_MAC[2], src=VM4_IP, dst="10.0.1.50")
    c = pcase("pv_flat_out", "port 4 on the flat network to a remote MAC: out the physical "
              "port untagged")
    c.inp(4, f)
    c.out(PHYS_PORT, f)
    c.tx()

    f = udp4(src_mac=REM_MAC[2], dst_mac=REM_MAC[1], src=REM_IP, dst="10.0.0.32")
    c = pcase("pv_phys_hairpin", "a frame from the physical port to a MAC the fdb places "
              "behind the physical port: hairpin, not sent back")
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.drop("hairpin")

    f = udp4(dst_mac=REM_MAC[1], src=VM0_IP, payload=bytes(1401 - 28))
    c = pcase("pv_too_big", "1401 bytes with DF from port 0 toward a physical port of MTU "
              "1400: ICMP fragmentation needed back to the VM, dropped as too_big",
              phys_mtu=1400)
    c.inp(0, f)
    c.out(0, icmp4_too_big(f, 1400))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)

    f = udp4(src=VM2_IP, dst_mac=REM_MAC[1])
    c = pcase("pv_antispoof", "VM port 0 on a vlan network sends from port 2's address: "
              "spoofed_ip, as on an overlay network")
    c.inp(0, f)
    c.drop("spoofed_ip")

    f = udp4(src_mac=VM4_MAC, dst_mac=RTR_MAC, src=VM4_IP, dst=REM_IP)
    out = bytearray(routed(f, REM_MAC[1]))
    out[6:12] = mac_bytes(PHYS_MAC)
    c = pcase("pv_routed_into_vlan", "port 4 (flat network) to 10.0.0.31 on the vlan "
              "network via the router: routed, out the physical port tagged VLAN 100 from "
              "the chassis MAC (not the router's, every host's)", router=True)
    c.inp(4, f)
    c.out(PHYS_PORT, tag(out, PVLAN))
    c.tx()
    c.stat("routed", 1)

    f = udp4(src_mac=VM4_MAC, dst_mac=RTR_MAC, src=VM4_IP, dst=REM_IP,
             payload=bytes(1401 - 28))
    # The error leaves before any rewrite: it quotes the packet as sent.
    c = pcase("pv_routed_too_big_phys", "1401 bytes with DF from port 4 via the router (route "
              "MTU 1500) to the physical port of MTU 1400: ICMP fragmentation needed (MTU "
              "1400) from 10.0.1.1 quoting TTL 64, dropped as too_big",
              phys_mtu=1400, router=True)
    c.inp(4, f)
    c.out(4, icmp4_error(f, RTR2_IP, 3, 4, mtu=1400))
    c.drop("too_big")
    c.stat("icmp_too_big_sent", 1)
    c.stat("routed", 0)

    f = udp4(src_mac=VM4_MAC, dst_mac=RTR_MAC, src=VM4_IP, dst=VM0_IP)
    c = pcase("pv_routed_local_router_mac", "port 4 to 10.0.0.10 on local port 0 of the vlan "
              "network: routed and delivered with the router's MAC as source (the chassis "
              "MAC is for the physical port only)", router=True)
    c.inp(4, f)
    c.out(0, routed(f, VM0_MAC))
    c.tx()
    c.stat("routed", 1)

    f = udp4(src_mac=REM_MAC[1], dst_mac=RTR_MAC, src=REM_IP, dst=VM4_IP)
    c = pcase("pv_routed_from_phys", "a frame tagged VLAN 100 from the physical port to the "
              "router's MAC: routed on this host into the flat network, delivered to port "
              "4", router=True)
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.out(4, routed(f, VM4_MAC))
    c.tx()
    c.stat("routed", 1)

    f = udp4(src_mac=REM_MAC[1], dst_mac=RTR_MAC, src=REM_IP, dst="10.0.1.50")
    out = bytearray(routed(f, REM_MAC[2]))
    out[6:12] = mac_bytes(PHYS_MAC)
    c = pcase("pv_routed_phys_to_phys", "tagged VLAN 100 from the physical port to the "
              "router, to 10.0.1.50 behind the physical port on the flat network: out "
              "untagged from the chassis MAC", router=True)
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.out(PHYS_PORT, bytes(out))
    c.tx()
    c.stat("routed", 1)

    # A routed frame from the physical port whose next hop's MAC is in no
    # fdb entry floods as the physical port's frames do: local ports only,
    # never charged to storm control (a VM port's).
    unk_mac, unk_ip = "02:00:00:00:0b:33", "10.0.0.33"
    f = udp4(src_mac=REM_MAC[2], dst_mac=RTR_MAC, src="10.0.1.50", dst=unk_ip)
    c = pcase("pv_routed_from_phys_flood", "routed from the physical port to 10.0.0.33, "
              "its MAC in no fdb entry: flooded to local ports 0 and 2 only, twice under "
              "storm control burst 1 (a physical port's floods are not limited)",
              router=True)
    c.guard(storm_pps=1, storm_burst=1)
    c.neigh(unk_ip, unk_mac, PNET, vrf=PNET)
    for i in range(2):
        c.inp(PHYS_PORT, f)
        c.out(0, routed(f, unk_mac))
        c.out(2, routed(f, unk_mac))
        c.tx()
        c.stat("routed", 1)
        c.stat("flood", 1)
        if i == 0:
            c.next()

    f = bytes(Ether(dst=RTR_MAC, src=REM_MAC[1]) /
              IP(src=REM_IP, dst=RTR_IP, ttl=64, id=0x4242, flags="DF") /
              ICMP(type=8, code=0, id=0x77, seq=3) / Raw(b"ping the router"))
    rep_ = bytes(Ether(dst=REM_MAC[1], src=PHYS_MAC) /
                 IP(src=RTR_IP, dst=REM_IP, ttl=64, id=0x4242, flags="DF") /
                 ICMP(type=0, code=0, id=0x77, seq=3) / Raw(b"ping the router"))
    c = pcase("pv_ping_router_from_phys", "an ICMP echo tagged VLAN 100 to the router's "
              "address: answered back out the physical port, tagged, from the chassis MAC",
              router=True)
    c.inp(PHYS_PORT, tag(f, PVLAN))
    c.out(PHYS_PORT, tag(rep_, PVLAN))
    c.tx()
    c.stat("icmp_echo_reply", 1)


def generate():
    CASES.clear()
    gen_vm_unicast()
    gen_flood()
    gen_arp_nd()
    gen_antispoof()
    gen_too_big()
    gen_underlay()
    gen_trunc()
    gen_sg()
    gen_guard()
    gen_route()
    gen_slowpath()
    gen_fip()
    gen_provider()
    out = {}
    for c in CASES:
        fn = c.name + ".case"
        assert fn not in out, "duplicate case " + c.name
        out[fn] = c.render()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare the files on disk with the generated ones; exit 1 on a "
                    "difference")
    ap.add_argument("--dir", default=HERE, help="the cases directory (default: %(default)s)")
    args = ap.parse_args()
    files = generate()
    disk = {f for f in os.listdir(args.dir) if f.endswith(".case")}
    if args.check:
        bad = 0
        for fn in sorted(set(files) | disk):
            path = os.path.join(args.dir, fn)
            if fn not in files:
                print("%s: not generated (stale file)" % path)
                bad += 1
                continue
            if fn not in disk:
                print("%s: missing" % path)
                bad += 1
                continue
            with open(path, encoding="ascii") as fp:
                old = fp.read()
            if old != files[fn]:
                print("%s: differs from the generator's output" % path)
                for ln in difflib.unified_diff(old.splitlines(), files[fn].splitlines(),
                                               "disk", "generated", n=0, lineterm=""):
                    print("  " + ln[:160])
                bad += 1
        if bad:
            print("%d case file(s) differ; run /usr/bin/python3 tests/cases/gen_cases.py" % bad)
            return 1
        print("%d case files up to date" % len(files))
        return 0
    for fn in sorted(disk - set(files)):
        os.unlink(os.path.join(args.dir, fn))
    for fn, text in sorted(files.items()):
        path = os.path.join(args.dir, fn)
        try:
            with open(path, encoding="ascii") as fp:
                if fp.read() == text:
                    continue
        except FileNotFoundError:
            pass
        with open(path, "w", encoding="ascii", newline="\n") as fp:
            fp.write(text)
    print("%d case files in %s" % (len(files), args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
