#!/usr/bin/python3
"""bench/gen_ct_pcaps.py is deterministic, writes valid frames, and fp-bench
builds the same frames (bench/scenario.c, through fp-bench-frames).

Usage: test_gen_ct_pcaps.py GEN_CT_PCAPS_PY FP_BENCH_FRAMES
"""
import os
import struct
import subprocess
import sys
import tempfile

# md5 of the N = 1000 files; bench/README.md quotes them.
MD5_1000 = {
    "est_encap_1000.pcap": "99744e651d1b58d4164c2e8159a2e46b",
    "est_decap_1000.pcap": "ccece697399b2bbff6dd13880de981ae",
    "syn_encap_1000.pcap": "94b252ffce143e02e31ed2151c28cbfe",
}
N = 1000
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def frames(path):
    with open(path, "rb") as f:
        b = f.read()
    check(b[:4] == struct.pack("<I", 0xa1b2c3d4), "%s: pcap magic" % path)
    off, out = 24, []
    while off < len(b):
        _, _, cap, ln = struct.unpack("<IIII", b[off:off + 16])
        out.append(b[off + 16:off + 16 + cap])
        off += 16 + cap
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s  # 0xffff when the checksum in b is right


def inner_ok(f, flags, name, i):
    ip = f[14:34]
    tcp = f[34:54]
    ok = (f[12:14] == b"\x08\x00" and ip[0] == 0x45 and ip[9] == 6 and
          struct.unpack("!H", ip[2:4])[0] == 40 and csum(ip) == 0xffff and
          csum(ip[12:20] + struct.pack("!BBH", 0, 6, 20) + tcp) == 0xffff and
          tcp[13] == flags and struct.unpack("!H", tcp[2:4])[0] == 5001)
    check(ok, "%s frame %d: bad IPv4/TCP header or checksum" % (name, i))
    return ip[12:20] + tcp[0:4]


def main():
    gen, dumper = sys.argv[1], sys.argv[2]
    py = "/usr/bin/python3"
    md5 = [subprocess.run([py, gen, "--md5", str(N)], check=True, capture_output=True,
                          text=True).stdout for _ in range(2)]
    check(md5[0] == md5[1], "two --md5 runs differ")
    got = dict(reversed(l.split()) for l in md5[0].splitlines())
    check(got == MD5_1000, "md5 of the N=1000 files changed: %s" % got)
    check(subprocess.run([py, gen, "--md5", "0"], capture_output=True).returncode != 0,
          "N = 0 accepted")
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([py, gen, d, str(N)], check=True, capture_output=True, text=True)
        check(out.stdout == md5[0], "files written differ from --md5")
        est = frames(os.path.join(d, "est_encap_%d.pcap" % N))
        syn = frames(os.path.join(d, "syn_encap_%d.pcap" % N))
        dec = frames(os.path.join(d, "est_decap_%d.pcap" % N))
        check(len(est) == len(syn) == len(dec) == N, "frame counts")
        check(all(len(f) == 60 for f in est + syn) and all(len(f) == 110 for f in dec),
              "frame lengths (60, decap 110)")
        tuples = set(inner_ok(f, 0x10, "est_encap", i) for i, f in enumerate(est))
        check(len(tuples) == N, "est_encap: %d distinct tuples, not %d" % (len(tuples), N))
        check(set(inner_ok(f, 0x02, "syn_encap", i) for i, f in enumerate(syn)) == tuples,
              "syn_encap: not the tuples of est_encap")
        check(all(dec[i][50:] == est[i] for i in range(N)), "est_decap: inner != est_encap")
        check(all(csum(f[14:34]) == 0xffff and f[36:38] == b"\x12\xb5" for f in dec),
              "est_decap: outer IPv4 checksum or UDP port")
        for kind, ref in (("est", est), ("new", syn)):
            p = os.path.join(d, "c_%s.pcap" % kind)
            with open(p, "wb") as f:
                subprocess.run([dumper, kind, str(N)], check=True, stdout=f)
            c = frames(p)
            same = len(c) == N and all(c[i][12:] == ref[i][12:] for i in range(N))
            check(same, "fp-bench %s frames differ from gen_ct_pcaps.py's after the MACs" % kind)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("ok: deterministic, valid, and fp-bench builds the same frames (N=%d)" % N)


if __name__ == "__main__":
    main()
