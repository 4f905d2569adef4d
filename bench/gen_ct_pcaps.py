#!/usr/bin/python3
"""Deterministic pcaps of TCP connections for the security-group benchmarks.

The framing is that of the shared OVS-DPDK baseline's gen_pcaps.py (VM1
02:00:00:00:0a:01 -> VM2 02:00:00:00:0a:02, 10.1.(i/50000).1 -> 10.2.0.1,
source port 1024 + i%50000; VXLAN VNI 100 from 172.16.0.2 to 172.16.0.1
for decap), with TCP to port 5001 instead of UDP to 5001:

  est_encap_N.pcap  N TCP ACKs, one per connection (60 bytes: Ethernet,
                    IPv4 with DF, TCP without options, 6 bytes of padding)
  est_decap_N.pcap  the same frames in VXLAN (110 bytes)
  syn_encap_N.pcap  N TCP SYNs of the same N tuples (new connections)

Connection i: sequence 0x10000000 + 7919 i, acknowledgement (ACKs)
0x20000000 + (31 i mod 65536), window 64240; valid IPv4 and TCP checksums
(OVS's userspace conntrack checks the TCP one).  bench/scenario.c builds
the same inner frames for fp-bench.

Usage: gen_ct_pcaps.py OUTDIR [N ...]      (default N = 1000 100000)
       gen_ct_pcaps.py --md5 [N ...]       (md5 of each file, nothing written)
"""
import hashlib
import os
import struct
import sys

VM1_MAC = bytes.fromhex("020000000a01")
VM2_MAC = bytes.fromhex("020000000a02")
BRPHY_MAC = bytes.fromhex("020000000101")
REMOTE_MAC = bytes.fromhex("020000000102")
LOCAL_VTEP = bytes([172, 16, 0, 1])
REMOTE_VTEP = bytes([172, 16, 0, 2])
VNI = 100
DPORT = 5001
FRAME_LEN = 60
TCP_SYN, TCP_ACK = 0x02, 0x10
PCAP_HDR = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload_len, flags_frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0, flags_frag,
                    64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def tuple_of(i):
    return bytes([10, 1, (i // 50000) & 0xff, 1]), bytes([10, 2, 0, 1]), 1024 + i % 50000


def tcp_frame(i, flags):
    sip, dip, sport = tuple_of(i)
    seq = (0x10000000 + 7919 * i) & 0xffffffff
    ack = (0x20000000 + (31 * i & 0xffff)) if flags & TCP_ACK else 0
    tcp = struct.pack("!HHIIBBHHH", sport, DPORT, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = sip + dip + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    f = VM2_MAC + VM1_MAC + b"\x08\x00" + ipv4(sip, dip, 6, len(tcp)) + tcp
    return f + bytes(FRAME_LEN - len(f))


def vxlan_frame(i, inner):
    vx = struct.pack("!II", 0x08000000, VNI << 8)
    udp_len = 8 + len(vx) + len(inner)
    udp = struct.pack("!HHHH", 49152 + i % 16384, 4789, udp_len, 0)
    return BRPHY_MAC + REMOTE_MAC + b"\x08\x00" + \
        ipv4(REMOTE_VTEP, LOCAL_VTEP, 17, udp_len) + udp + vx + inner


def pcap_chunks(frames):
    yield PCAP_HDR
    for k, fr in enumerate(frames):
        yield struct.pack("<IIII", k // 1000000, k % 1000000, len(fr), len(fr)) + fr


def files(n):
    """(name, frame generator) of the three pcaps for n connections."""
    return (("est_encap_%d.pcap" % n, (tcp_frame(i, TCP_ACK) for i in range(n))),
            ("est_decap_%d.pcap" % n, (vxlan_frame(i, tcp_frame(i, TCP_ACK)) for i in range(n))),
            ("syn_encap_%d.pcap" % n, (tcp_frame(i, TCP_SYN) for i in range(n))))


def main():
    args = sys.argv[1:]
    md5_only = bool(args) and args[0] == "--md5"
    if md5_only:
        args = args[1:]
        out = None
    else:
        out = args.pop(0) if args else "pcaps"
        os.makedirs(out, exist_ok=True)
    ns = [int(x) for x in args] or [1000, 100000]
    for n in ns:
        if not 1 <= n <= 50000 * 256:
            sys.exit("gen_ct_pcaps.py: N must be 1..12800000 (distinct tuples), not %d" % n)
        for name, frames in files(n):
            h = hashlib.md5()
            f = None if md5_only else open(os.path.join(out, name + ".tmp"), "wb")
            for c in pcap_chunks(frames):
                h.update(c)
                if f:
                    f.write(c)
            if f:
                f.close()
                os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
            print("%s  %s" % (h.hexdigest(), name))


if __name__ == "__main__":
    main()
