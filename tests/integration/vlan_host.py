#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An "outside" host on a VLAN of the physical network, for
tests/integration/test_provider.sh, on kernels without 802.1Q devices
(no 8021q module, no bridge VLAN filtering): it speaks tagged Ethernet
itself on a raw socket (the interface's rx VLAN offload must be off, so
tags stay in the frames).

    vlan_host.py serve IFACE VLAN IP MAC
        answer ARP requests for IP and ICMP echo requests to IP arriving
        with VLAN id VLAN (0: untagged), until killed
    vlan_host.py ping IFACE VLAN IP MAC DST COUNT
        resolve DST by ARP and send it COUNT echo requests from IP, tagged
        VLAN; exit 0 if every one was answered (2 s each), 1 if not
"""

import ipaddress
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
AUXDATA = struct.Struct("IIIHHHH")  # struct tpacket_auxdata
MY_MAC = [b""]


def mac_b(s):
    return bytes.fromhex(s.replace(":", ""))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, src, vlan, etype, payload):
    if vlan:
        return dst + src + struct.pack("!HHH", ETH_P_8021Q, vlan, etype) + payload
    return dst + src + struct.pack("!H", etype) + payload


def parse(f, vlan):
    """(dst, src, ethertype, payload) of a frame on VLAN vlan, else None."""
    if len(f) < 14 or f[6:12] == MY_MAC[0]:
        return None
    etype = struct.unpack("!H", f[12:14])[0]
    if etype == ETH_P_8021Q:
        if len(f) < 18 or (struct.unpack("!H", f[14:16])[0] & 0xfff) != vlan or not vlan:
            return None
        return f[:6], f[6:12], struct.unpack("!H", f[16:18])[0], f[18:]
    if vlan:
        return None
    return f[:6], f[6:12], etype, f[14:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, op, sha, spa, tha, tpa)


def ip4(src, dst, proto, payload, ident=0x1234):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def icmp(itype, ident, seq, data):
    h = struct.pack("!BBHHH", itype, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def answer(s, f, vlan, ip, mac):
    p = parse(f, vlan)
    if p is None:
        return
    dst, src, etype, pl = p
    if etype == ETH_P_ARP and len(pl) >= 28:
        op = struct.unpack("!H", pl[6:8])[0]
        if op == 1 and pl[24:28] == ip:
            s.send(eth(src, mac, vlan, ETH_P_ARP, arp(2, mac, ip, pl[8:14], pl[14:18])))
    elif etype == ETH_P_IP and dst == mac and len(pl) >= 28 and pl[9] == 1 and pl[16:20] == ip:
        ihl = (pl[0] & 0xf) * 4
        tot = struct.unpack("!H", pl[2:4])[0]
        ic = pl[ihl:tot]
        if len(ic) >= 8 and ic[0] == 8:
            ident, seq = struct.unpack("!HH", ic[4:8])
            s.send(eth(src, mac, vlan, ETH_P_IP,
                       ip4(ip, pl[12:16], 1, icmp(0, ident, seq, ic[8:]))))


def recv(s):
    """A frame, its 802.1Q tag put back: the kernel takes a received tag
    out of the frame into the packet's metadata (PACKET_AUXDATA)."""
    f, anc, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(AUXDATA.size))
    for level, ctype, data in anc:
        if level == SOL_PACKET and ctype == PACKET_AUXDATA and len(data) >= AUXDATA.size:
            status, _, _, _, _, tci, tpid = AUXDATA.unpack(data[:AUXDATA.size])
            if status & TP_STATUS_VLAN_VALID:
                f = f[:12] + struct.pack("!HH", tpid or ETH_P_8021Q, tci) + f[12:]
    return f


def recv_until(s, deadline, want):
    while True:
        left = deadline - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if r:
            v = want(recv(s))
            if v is not None:
                return v


def main():
    mode, iface, vlan, ip, mac = sys.argv[1:6]
    vlan = int(vlan)
    ip = ipaddress.IPv4Address(ip).packed
    mac = mac_b(mac)
    MY_MAC[0] = mac  # our own frames, as the socket sees them go out, are not answers
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    if mode == "serve":
        while True:
            answer(s, recv(s), vlan, ip, mac)
    dst = ipaddress.IPv4Address(sys.argv[6]).packed
    count = int(sys.argv[7])
    bcast = b"\xff" * 6

    def arp_reply(f):
        p = parse(f, vlan)
        if p and p[2] == ETH_P_ARP and p[3][6:8] == b"\0\2" and p[3][14:18] == dst:
            return p[3][8:14]
        return None

    s.send(eth(bcast, mac, vlan, ETH_P_ARP, arp(1, mac, ip, b"\0" * 6, dst)))
    peer = recv_until(s, time.time() + 2, arp_reply)
    if peer is None:
        print("no ARP reply from %s" % sys.argv[6])
        return 1
    got = 0
    for seq in range(1, count + 1):
        s.send(eth(peer, mac, vlan, ETH_P_IP,
                   ip4(ip, dst, 1, icmp(8, 0x4242, seq, b"outside host"), seq)))

        def echo_reply(f, seq=seq):
            p = parse(f, vlan)
            if p and p[2] == ETH_P_IP and len(p[3]) >= 28 and p[3][9] == 1 and \
                    p[3][12:16] == dst:
                ic = p[3][(p[3][0] & 0xf) * 4:]
                if ic[0] == 0 and struct.unpack("!H", ic[6:8])[0] == seq:
                    return True
            return None
        if recv_until(s, time.time() + 2, echo_reply):
            got += 1
    print("%d/%d echo replies from %s" % (got, count, sys.argv[6]))
    return 0 if got == count else 1


if __name__ == "__main__":
    sys.exit(main())
