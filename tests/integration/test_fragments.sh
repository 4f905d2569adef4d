#!/usr/bin/env bash
# IPv4 fragments on fp-dpdk's af_packet ports (doc/packets.md "Fragments
# on af_packet ports").  DPDK's af_packet PMD joins its sockets to a
# PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG, always (no devarg
# changes it, in 22.11 or later), so the kernel reassembles IPv4
# fragments before fp-dpdk sees them.  This test pins down what happens
# then, as the doc states it.
#
# The lib.sh topology with prefix fpg-, fp-dpdk on hva only (VXLAN over
# IPv4 toward hvb's VTEP).  hvb runs nothing: the test sends from hvb-ul
# with scapy (/usr/bin/python3), as a remote VTEP would, and from a1's
# eth0 as a VM would.  Checked, each with fp-dpdk's counters (fpctl
# --json show stats, deltas) and the kernel's reassembly counters of hva's
# namespace (/proc/net/snmp Ip: ReasmReqds, ReasmOKs, ReasmFails):
#   - a VXLAN packet, unfragmented: rx 1, decap 1, local 1, tx 1 (control);
#   - the same packet in 2 IPv4 fragments: fp-dpdk gets it once, whole,
#     and decapsulates it (rx 1, decap 1, tx 1; underlay_fragment 0); a1
#     receives the inner frame; the kernel counts 2 ReasmReqds, 1 ReasmOKs;
#   - only the first fragment: fp-dpdk sees nothing (rx 0); the kernel
#     counts 1 ReasmReqds, then (ipfrag_time 1 s in hva's namespace) 1
#     ReasmFails;
#   - fragments whose reassembly (2514 bytes) is longer than the ring
#     frame holds (framesz 2048: 1982 bytes): fp-dpdk gets it cut to 1982
#     bytes and drops it as bad_ip_len;
#   - IPv6 fragments to hva's IPv6 VTEP address: not reassembled, each is
#     underlay_fragment;
#   - from a VM: a 1800-byte UDP datagram a1 sends in 2 fragments to a
#     remote VM reaches fp-dpdk reassembled, longer than the tunnel's
#     max_inner_l3 (1550): one too_big drop and no ICMP error (no DF);
#   - rx = tx + drop + punt throughout.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces or
# scapy.  Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1.
#
# Functions run through check() look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpg-}
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# TAP helpers (ok, not_ok, check, finish) come from lib.sh.
fp_init_or_exit
if ! "$PY" -c 'import scapy.all' 2>/dev/null; then
	echo "# skip: no scapy for $PY (apt-get install python3-scapy)"
	exit 77
fi
fp_install_traps

# The helper: builds and sends the frames, captures on a VM, reads
# counters.
cat >"$FP_TMP/frag.py" <<'EOF'
import json, os, select, socket, sys, time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, UDP, Ether, Raw, fragment, fragment6, IPv6ExtHdrFragment
from scapy.layers.vxlan import VXLAN

MARK = b"fp-frag-test:"


def inner(src_mac, dst_mac, src_ip, dst_ip, size, tag):
    """An inner Ethernet/IPv4/UDP frame whose IP packet is size bytes."""
    pay = (MARK + tag.encode()).ljust(size - 28, b".")
    return (Ether(src=src_mac, dst=dst_mac) / IP(src=src_ip, dst=dst_ip, flags=0) /
            UDP(sport=40000, dport=9) / Raw(pay))


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for f in frames:
        s.send(bytes(f))


def main():
    a = sys.argv[1:]
    cmd = a[0]
    if cmd == "tunnel":
        # tunnel IFACE OUT-SRC-MAC OUT-DST-MAC SRC-IP DST-IP VNI NFRAGS
        #        IN-SRC-MAC IN-DST-MAC IN-SRC-IP IN-DST-IP SIZE TAG
        # NFRAGS 0: unfragmented; N: the first N fragments of 2 (IPv4, or
        # IPv6 with a fragment header)
        iface, osrc, odst, sip, dip, vni, nf = a[1:8]
        f = inner(a[8], a[9], a[10], a[11], int(a[12]), a[13])
        v6 = ":" in sip
        l3 = (IPv6(src=sip, dst=dip, hlim=64) if v6 else
              IP(src=sip, dst=dip, flags=0, id=0x4242, ttl=64))
        pkt = l3 / UDP(sport=49200, dport=4789) / VXLAN(vni=int(vni), flags=0x08) / f
        pkt = pkt.__class__(bytes(pkt))  # lengths and checksums filled in
        nf = int(nf)
        if nf == 0:
            frags = [pkt]
        elif v6:
            # the fragment header goes in front of UDP; about half each
            body = pkt[IPv6].payload
            p6 = (IPv6(src=sip, dst=dip, hlim=64) / IPv6ExtHdrFragment(id=0x4242) /
                  body.__class__(bytes(body)))
            frags = fragment6(p6, 40 + 8 + ((len(body) // 2) + 7) // 8 * 8)
        else:
            half = ((len(pkt[IP].payload) // 2) + 7) // 8 * 8
            frags = fragment(pkt[IP], fragsize=half)
        frames = [Ether(src=osrc, dst=odst) / x for x in frags]
        send(iface, frames[:max(nf, 1)])
        print(" ".join(str(len(bytes(x))) for x in frames[:max(nf, 1)]))
    elif cmd == "vm":
        # vm IFACE SRC-MAC DST-MAC SRC-IP DST-IP SIZE TAG: an IPv4/UDP
        # datagram of SIZE bytes in fragments of at most 1500
        f = inner(a[2], a[3], a[4], a[5], int(a[6]), a[7])
        frames = [Ether(src=a[2], dst=a[3]) / x for x in fragment(f[IP], fragsize=1480)]
        send(a[1], frames)
        print(" ".join(str(len(bytes(x))) for x in frames))
    elif cmd == "capture":
        # capture IFACE SECONDS OUT: frames with MARK received on IFACE,
        # as {"tag": length}, written to OUT; "ready" on stdout once open
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        s.bind((a[1], 0))
        print("ready", flush=True)
        got, end = {}, time.monotonic() + float(a[2])
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], 0.1)
            if not r:
                continue
            data, addr = s.recvfrom(65535)
            if addr[2] == 4:
                continue  # outgoing
            i = data.find(MARK)
            if i >= 0:
                tag = data[i + len(MARK):].split(b".")[0].decode()
                got[tag] = len(data)
        json.dump(got, open(a[3], "w"))
    elif cmd == "delta":
        # delta BEFORE AFTER EXPECT: fpctl --json show stats, before and
        # after; EXPECT {"stats": {...}, "drops": {...}}: those move by
        # that much, every other drop reason and drop/punt not at all
        b, c, e = (json.load(open(f)) for f in a[1:4])
        bad = []
        for grp in ("stats", "drops"):
            for k in c[grp]:
                if grp == "stats" and k not in e.get("stats", {}) and k not in ("drop", "punt"):
                    continue
                d = int(c[grp][k]) - int(b[grp][k])
                want = e.get(grp, {}).get(k, 0)
                if d != want:
                    bad.append("%s %s moved by %d, expected %d" % (grp, k, d, want))
        s = c["stats"]
        if int(s["rx"]) != int(s["tx"]) + int(s["drop"]) + int(s["punt"]):
            bad.append("rx != tx + drop + punt")
        if sum(int(v) for v in c["drops"].values()) != int(s["drop"]):
            bad.append("drop != sum of the reasons")
        print("; ".join(bad))
        sys.exit(1 if bad else 0)


main()
EOF

frag() { "$PY" "$FP_TMP/frag.py" "$@"; }

# snmp_ip NS: the Ip: counters of a namespace as NAME=VALUE lines.
snmp_ip() {
	ip netns exec "$1" awk '/^Ip:/ { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
		else for (i = 2; i <= NF; i++) print k[i] "=" $i }' /proc/net/snmp
}

# reasm NAME FILE: one counter from a snmp_ip dump.
reasm() {
	sed -n "s/^$1=//p" "$2"
}

stats_get() { # FILE
	fp_ctl hva --json show stats >"$1" 2>/dev/null
}

HVA=$(fp_ns hva)
HVB=$(fp_ns hvb)
UL_SRC=${FP_MAC[hvb-ul]}
UL_DST=${FP_MAC[hva-ul]}

# step WHAT EXPECT-JSON REQDS OKS CAPTURE-TAG CMD...: counters around CMD
# (an frag.py command), the kernel's ReasmReqds and ReasmOKs deltas, and
# (CAPTURE-TAG not "-") the inner frame received by a1.
step() {
	local what=$1 expect=$2 reqds=$3 oks=$4 tag=$5 cpid msg d_req d_ok sizes
	shift 5
	echo "$expect" >"$FP_TMP/expect.json"
	snmp_ip "$HVA" >"$FP_TMP/snmp0"
	stats_get "$FP_TMP/s0.json"
	if [ "$tag" != - ]; then
		rm -f "$FP_TMP/cap.json"
		fp_vm a1 "$PY" "$FP_TMP/frag.py" capture eth0 1.5 "$FP_TMP/cap.json" \
			>"$FP_TMP/cap.out" &
		cpid=$!
		for ((i = 0; i < 50; i++)); do
			grep -q ready "$FP_TMP/cap.out" 2>/dev/null && break
			sleep 0.1
		done
	fi
	sizes=$("$@")
	sleep 0.5
	stats_get "$FP_TMP/s1.json"
	snmp_ip "$HVA" >"$FP_TMP/snmp1"
	[ "$tag" != - ] && wait "$cpid"
	if msg=$(frag delta "$FP_TMP/s0.json" "$FP_TMP/s1.json" "$FP_TMP/expect.json"); then
		ok "$what (frames $sizes): fp-dpdk counts $expect"
	else
		not_ok "$what (frames $sizes): fp-dpdk's counters: $msg"
	fi
	d_req=$(($(reasm ReasmReqds "$FP_TMP/snmp1") - $(reasm ReasmReqds "$FP_TMP/snmp0")))
	d_ok=$(($(reasm ReasmOKs "$FP_TMP/snmp1") - $(reasm ReasmOKs "$FP_TMP/snmp0")))
	check "$what: hva's kernel counts ReasmReqds +$reqds, ReasmOKs +$oks (got +$d_req, +$d_ok)" \
		test "$d_req" = "$reqds" -a "$d_ok" = "$oks"
	if [ "$tag" != - ]; then
		check "$what: a1 receives the inner frame, whole ($(cat "$FP_TMP/cap.json" 2>/dev/null))" \
			"$PY" -c 'import json, sys
g = json.load(open(sys.argv[1]))
sys.exit(0 if g.get(sys.argv[2]) == int(sys.argv[3]) else 1)' "$FP_TMP/cap.json" "$tag" 1414
	fi
}

# tunnel NFRAGS SIZE TAG [IPV]: a VXLAN packet from hvb's VTEP to hva's,
# VNI 100, inner a2 -> a1 (an IPv4 packet of SIZE bytes to 10.100.0.99,
# which a1 drops without answering).
tunnel() {
	local nf=$1 size=$2 tag=$3 fam=${4:-4} src dst
	src=${FP_HV_VTEP4[hvb]} dst=${FP_HV_VTEP4[hva]}
	[ "$fam" = 6 ] && src=${FP_HV_VTEP6[hvb]} dst=${FP_HV_VTEP6[hva]}
	ip netns exec "$HVB" "$PY" "$FP_TMP/frag.py" tunnel hvb-ul "$UL_SRC" "$UL_DST" \
		"$src" "$dst" 100 "$nf" "${FP_MAC[a2]}" "${FP_MAC[a1]}" "${FP_VM_IP4[a2]}" \
		10.100.0.99 "$size" "$tag"
}

if ! fp_topo_create; then
	not_ok "create the namespaces and veth pairs: $FP_ERR"
	finish
fi
ok "create the namespaces and veth pairs"
# Incomplete reassemblies expire after 1 s instead of 30 in hva's namespace.
ip netns exec "$HVA" sysctl -qw net.ipv4.ipfrag_time=1
if ! fp_start hva; then
	not_ok "start fp-dpdk on hva: $FP_ERR"
	finish
fi
ok "start fp-dpdk on hva (af_packet ports)"
check "program hva's tables (VXLAN over IPv4 toward hvb)" fp_program hva vxlan 4
sleep 0.5

step "an unfragmented VXLAN packet" '{"stats": {"rx": 1, "tx": 1, "decap": 1, "local": 1}}' \
	0 0 whole0 tunnel 0 1400 whole0
step "the same packet in 2 IPv4 fragments" \
	'{"stats": {"rx": 1, "tx": 1, "decap": 1, "local": 1}}' 2 1 frag2 tunnel 2 1400 frag2
step "its first fragment alone" '{"stats": {"rx": 0}}' 1 0 - tunnel 1 1400 first
sleep 1.5
snmp_ip "$HVA" >"$FP_TMP/snmp2"
check "the lone fragment expires in hva's kernel: ReasmFails +1 ($(reasm ReasmFails "$FP_TMP/snmp0") -> $(reasm ReasmFails "$FP_TMP/snmp2"))" \
	test "$(($(reasm ReasmFails "$FP_TMP/snmp2") - $(reasm ReasmFails "$FP_TMP/snmp0")))" = 1
step "2 IPv4 fragments reassembled to 2514 bytes (the ring frame holds 1982)" \
	'{"stats": {"rx": 1, "drop": 1}, "drops": {"bad_ip_len": 1}}' 2 1 - tunnel 2 2450 long
step "2 IPv6 fragments to hva's IPv6 VTEP address" \
	'{"stats": {"rx": 2, "drop": 2}, "drops": {"underlay_fragment": 2}}' 0 0 - \
	tunnel 2 1400 six 6
step "a1's 1800-byte UDP datagram to a2 in 2 fragments" \
	'{"stats": {"rx": 1, "drop": 1, "icmp_too_big_sent": 0}, "drops": {"too_big": 1}}' 2 1 - \
	fp_vm a1 "$PY" "$FP_TMP/frag.py" vm eth0 "${FP_MAC[a1]}" "${FP_MAC[a2]}" \
	"${FP_VM_IP4[a1]}" "${FP_VM_IP4[a2]}" 1800 vm

fp_stop hva
check "hva: fp-dpdk said at start that the kernel reassembles IPv4 fragments on af_packet ports" \
	grep -q "af_packet: the kernel reassembles IPv4 fragments" "$(fp_logfile hva)"
check "hva: fp-dpdk exits 0 on SIGTERM (got $FP_STOP_RC)" test "$FP_STOP_RC" = 0
finish
