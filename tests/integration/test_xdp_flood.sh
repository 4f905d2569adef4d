#!/usr/bin/env bash
# Flooding on the XDP engine: fp_xdp_rx decides and counts the flood and
# passes the frame up with struct fp_xdp_meta; fp_tc_flood (clsact
# ingress, bpf/fp_tc.bpf.c) makes the copies with bpf_clone_redirect.
# bpf_prog_test_run cannot observe clone targets, so this test sends real
# frames through veth pairs and captures what comes out.
#
# One network namespace, fpf-<pid>, with a veth pair per logical port of
# the packet cases (tests/cases/, ports 0..4): fpf-p<ID> (flowplane's side,
# its MAC and role from the case's port lines) - fpf-p<ID>p (the peer the
# test sends and captures on).  fp-xdp runs through nsenter --net, in a
# mount namespace of the test's own with a fresh bpffs, so nothing touches
# the host's pins.  The tables are filled with fpctl --xdp.
#
# Checked:
#   - a foreign tc filter in flowplane's place is refused, left alone;
#   - fp-xdp attaches fp_tc_flood at every port's clsact ingress, pins it,
#     and status reports it; a re-attach replaces it in place;
#   - every flood case of tests/unit/test_xdp_cases.c's tc_cases[]: the
#     case's input frame sent on its port's peer, the frames captured on
#     every peer equal the case's expected outputs byte for byte and in
#     order, per port (so: one copy per VM port of the VNI, none for the
#     input port nor the port of another VNI, one encapsulated copy per
#     vtep that fits on the underlay; from the underlay, local ports only),
#     and the counters move as the case says (flood, flood_copies, encap,
#     rx = tx + drop + punt);
#   - vteps of both families mixed in one list, for an ARP frame (room made
#     with bpf_skb_change_head, taken back by moving the frame) and an IPv6
#     frame (bpf_skb_adjust_room): the underlay gets the copies in list
#     order, checked against headers built here from doc/packets.md;
#   - generic XDP: the same copies for three of the cases;
#   - a frame without flowplane's metadata is left alone (TC_ACT_UNSPEC);
#     (counters: those named, drop, punt and every drop reason are checked)
#   - copies that cannot be sent (a member's interface is gone) are taken
#     back from flood_copies, and a flood with none sent is a drop
#     (dest_missing, the reason the tc program names for a gone
#     interface), as dataplane/pipeline.c drops one (no_mbuf);
#   - detach removes the tc filter.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces,
# bpftool or python3.  Env: FP_BUILDDIR (default: <src>/build), FP_XDP,
# FPCTL, BPFTOOL.

# Functions run through check() look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$SRC/tests/integration/lib.sh"	# TAP helpers, fp_need_*, fp_run, fp_in_ns
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
FP_BUILDDIR=${FP_BUILDDIR:-$SRC/build}
case $FP_BUILDDIR in /*) ;; *) FP_BUILDDIR=$SRC/$FP_BUILDDIR ;; esac
FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
FPCTL=${FPCTL:-$FP_BUILDDIR/control/fpctl}
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
PY=/usr/bin/python3
INSTANCE=fpf-test
PIN=/sys/fs/bpf/flowplane/$INSTANCE
CASES=$SRC/tests/cases
N_PORTS=5       # logical ports 0..4 of the cases' world
VM_MTU=3000     # VM veths: room for the too-big case's 1545-byte frame
UL_MTU=1600     # the underlay veth
# The cases test_xdp_cases.c hands to the tc program (its tc_cases[]),
# but the security-group ones (sg_*): this script's fpctl translation
# has no ruleset or addrset entries (test_xdp_sg covers sg_refused).
FLOOD_CASES=$(sed -n '/^static const struct tc_case tc_cases\[\] = {/,/^};/p' \
	"$SRC/tests/unit/test_xdp_cases.c" | sed -n 's/^[[:space:]]*{ "\([a-z0-9_]*\)".*/\1/p' |
	grep -v '^sg_')

# ---- outside: the network namespace, then the rest in a mount namespace.
if [ -z "${FPF_INNER:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "# skip: not root (network namespaces, BPF, XDP and tc need root)"
		exit 77
	fi
	fp_need_tools ip unshare nsenter mount "$PY"
	fp_need_bpftool
	fp_need_built "$FP_XDP" "$FPCTL"
	NS=fpf-$$
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	trap 'echo "# interrupted"; exit 130' INT
	trap 'echo "# terminated"; exit 143' TERM
	# Debris of an earlier run that could not clean up.
	for old in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $old in fpf-[0-9]*) ip netns del "$old" 2>/dev/null ;; esac
	done
	if ! ip netns add "$NS" 2>/dev/null; then
		echo "# skip: cannot create a network namespace"
		exit 77
	fi
	# No IPv6 autoconfiguration: the peers must send nothing of their own.
	nsenter --net="/run/netns/$NS" sh -c \
		'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
		 echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
	for id in $(seq 0 $((N_PORTS - 1))); do
		if ! ip -n "$NS" link add "fpf-p$id" type veth peer name "fpf-p${id}p"; then
			echo "# skip: cannot create a veth pair in a network namespace"
			exit 77
		fi
	done
	ip -n "$NS" link set lo up
	FPF_INNER=1 FPF_NS=$NS unshare -m --propagation private bash "$SELF"
	exit $?
fi

# ---- inside: private mount namespace.
NS=$FPF_NS
TMP=$(mktemp -d /tmp/fpf-run.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

in_ns() { fp_in_ns "$NS" "$@"; }

# fpx ARGS...: fp-xdp on $CONF; stdout in $OUT, stderr in $ERR, status in $RC.
fpx() {
	fp_run in_ns "$FP_XDP" -c "$CONF" "$@"
}

# fpc ARGS...: fpctl on the instance; the same variables.
fpc() {
	fp_run "$FPCTL" --xdp "$INSTANCE" "$@"
}

# The helper: reads case files, turns their entries into fpctl commands,
# sends and captures frames, builds encapsulated frames, compares.
cat >"$TMP/flood.py" <<'EOF'
import ipaddress, json, os, select, socket, struct, sys, time

ETH_P_ALL = 3
PACKET_OUTGOING = 4
DEST = {1: "port", 2: "vtep", 3: "router"}


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def ip_str(b, plen=None):
    if b[:12] == b"\0" * 10 + b"\xff\xff":
        s = str(ipaddress.IPv4Address(b[12:]))
        if plen is not None:
            s += "/%d" % (plen - 96)
    else:
        s = str(ipaddress.IPv6Address(b))
        if plen is not None:
            s += "/%d" % plen
    return s


def entry_cmds(table, key, val):
    """(add words, del words) of fpctl for one case entry."""
    if table == "port":
        (pid,) = struct.unpack("<I", key)
        role, flags, mtu, n_addrs, vni, vrf, mac = struct.unpack_from("<HHHHII6s", val)
        add = ["port", str(pid), "vni", str(vni), "mac", mac_str(mac), "vrf", str(vrf),
               "mtu", str(mtu), "antispoof", "on" if flags & 1 else "off"]
        for i in range(n_addrs):
            ip, amac, plen = struct.unpack_from("<16s6sB", val, 32 + 24 * i)
            a = ip_str(ip, plen)
            if amac != b"\0" * 6:
                a += "@" + mac_str(amac)
            add += ["addr", a]
        return add, ["port", str(pid)]
    if table == "vtep":
        (vid,) = struct.unpack("<I", key)
        remote, local, nh, encap, up = struct.unpack("<16s16s6sHI4x", val)
        return (["vtep", str(vid), "remote", ip_str(remote), "local", ip_str(local),
                 "nh-mac", mac_str(nh), "port", str(up), "encap",
                 "geneve" if encap == 1 else "vxlan"], ["vtep", str(vid)])
    if table == "fdb":
        vni, mac = struct.unpack("<I6s2x", key)
        typ, _, did = struct.unpack("<HHI", val)
        return (["fdb", str(vni), mac_str(mac), DEST[typ], str(did)],
                ["fdb", str(vni), mac_str(mac)])
    if table == "flood":
        (vni,) = struct.unpack("<I", key)
        (n,) = struct.unpack_from("<I", val)
        add = ["flood", str(vni)]
        for i in range(n):
            typ, _, mid = struct.unpack_from("<HHI", val, 8 + 8 * i)
            add += [DEST[typ], str(mid)]
        return add, ["flood", str(vni)]
    if table == "neigh":
        vrf, ip = struct.unpack("<I4x16s", key)
        mac, _, vni = struct.unpack("<6sHI", val)
        return (["neigh", str(vrf), ip_str(ip), "mac", mac_str(mac), "vni", str(vni)],
                ["neigh", str(vrf), ip_str(ip)])
    if table == "route":
        vrf, plen, ip = struct.unpack("<IB3x16s", key)
        typ, _, vni, mac, mtu, addr = struct.unpack("<HHI6sH16s", val)
        name = {1: "local", 2: "connected", 3: "nexthop", 4: "blackhole"}[typ]
        add = ["route", str(vrf), ip_str(ip, plen), name]
        if typ in (2, 3):
            add += ["vni", str(vni), "mac", mac_str(mac), "mtu", str(mtu), "addr",
                    ip_str(addr)]
        return add, ["route", str(vrf), ip_str(ip, plen)]
    raise ValueError("unknown table " + table)


ORDER = ["port", "vtep", "neigh", "route", "flood", "fdb"]  # FP_TABLE_SET_ORDER


def parse_case(path):
    c = {"ports": [], "local_vteps": [], "entries": [], "outs": [], "stats": {},
         "vteps": {}}
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        k = w[0]
        if k == "port":
            c["ports"].append({"id": int(w[1]), "role": w[2], "mtu": int(w[3]),
                               "mac": w[4]})
        elif k == "local_vtep":
            c["local_vteps"].append(w[1])
        elif k == "entry":
            key, val = bytes.fromhex(w[2]), bytes.fromhex(w[3])
            add, dele = entry_cmds(w[1], key, val)
            c["entries"].append({"table": w[1], "add": add, "del": dele})
            if w[1] == "vtep":
                remote, local, nh, encap, up = struct.unpack("<16s16s6sHI4x", val)
                c["vteps"][struct.unpack("<I", key)[0]] = {
                    "remote": remote.hex(), "local": local.hex(), "nh": nh.hex(),
                    "encap": encap, "port": up}
        elif k in ("del", "commit"):
            raise ValueError("%s: '%s' lines are not supported here" % (path, k))
        elif k == "in":
            c["in"] = {"port": int(w[1]), "frame": w[2]}
        elif k == "out":
            c["outs"].append({"port": int(w[1]), "frame": w[2]})
        elif k in ("tx", "punt"):
            c["verdict"] = k
        elif k == "drop":
            c["verdict"] = "drop " + w[1]
        elif k == "stat":
            c["stats"][w[1]] = int(w[2])
    # Sets in table order, deletes in the reverse one.
    c["adds"] = [e["add"] for t in ORDER for e in c["entries"] if e["table"] == t]
    c["dels"] = [e["del"] for t in reversed(ORDER) for e in c["entries"] if e["table"] == t]
    return c


def xfer(in_if, frame, ifaces, wait=0.4):
    """Send frame on in_if; the frames received on each of ifaces."""
    socks = {}
    for i in ifaces:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((i, 0))
        s.setblocking(False)
        socks[s] = i
    got = {i: [] for i in ifaces}
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((in_if, 0))
    tx.send(frame)
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select(list(socks), [], [], left)
        for s in r:
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] != PACKET_OUTGOING:
                    got[socks[s]].append(data.hex())
    return got


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def encap(inner, v, src_mac, vni, sport):
    """The encapsulated frame of doc/packets.md "Encapsulation"."""
    remote, local = bytes.fromhex(v["remote"]), bytes.fromhex(v["local"])
    tun = (struct.pack("!BBBB", 0x08, 0, 0, 0) if v["encap"] == 0
           else struct.pack("!BBH", 0, 0, 0x6558)) + struct.pack("!I", vni << 8)
    ulen = 8 + len(tun) + len(inner)
    udp = struct.pack("!HHHH", sport, 4789 if v["encap"] == 0 else 6081, ulen, 0)
    if remote[:12] == b"\0" * 10 + b"\xff\xff":
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17, 0,
                         local[12:], remote[12:])
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        etype = 0x0800
    else:
        pseudo = local + remote + struct.pack("!IxxxB", ulen, 17)
        c = csum(pseudo + udp + tun + inner) or 0xFFFF
        udp = udp[:6] + struct.pack("!H", c)
        ip = struct.pack("!IHBB", 0x60000000, ulen, 17, 64) + local + remote
        etype = 0x86DD
    return bytes.fromhex(v["nh"]) + src_mac + struct.pack("!H", etype) + ip + udp + tun + inner


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def compare(expect, got, names):
    """Per port, the expected frames vs the captured ones: problems."""
    bad = []
    for pid in sorted(set(expect) | set(got), key=int):
        e, g = expect.get(pid, []), got.get(pid, [])
        name = names.get(pid, pid)
        if len(e) != len(g):
            miss = [n for n, x in enumerate(e) if x not in g]
            extra = [n for n, y in enumerate(g) if y not in e]
            bad.append("port %s (%s): %d frames, expected %d (expected ones missing: %s; "
                       "unexpected ones captured: %s)" % (pid, name, len(g), len(e), miss,
                                                          extra))
            continue
        for n, (x, y) in enumerate(zip(e, g)):
            if x != y:
                xb, yb = bytes.fromhex(x), bytes.fromhex(y)
                bad.append("port %s (%s) frame %d: %d bytes (expected %d), first "
                           "difference at byte %d" % (pid, name, n, len(yb), len(xb),
                                                      first_diff(xb, yb)))
    return bad


def main():
    cmd = sys.argv[1]
    if cmd == "case":
        json.dump(parse_case(sys.argv[2]), sys.stdout)
    elif cmd == "field":
        # field JSON-FILE PYTHON-EXPR: print eval(EXPR) over the object c
        c = json.load(open(sys.argv[2]))
        r = eval(sys.argv[3], {"c": c, "json": json})
        print("\n".join(map(str, r)) if isinstance(r, list) else r)
    elif cmd == "xfer":
        # xfer IN-IFACE HEX IFACE... -> {iface: [hex...]}
        json.dump(xfer(sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4:]), sys.stdout)
    elif cmd == "check":
        # check EXPECT-JSON GOT-JSON NAMES-JSON: {port: [hex]} each; exit 1
        # with the problems on stdout when they differ
        bad = compare(json.load(open(sys.argv[2])), json.load(open(sys.argv[3])),
                      json.load(open(sys.argv[4])))
        print("; ".join(bad))
        sys.exit(1 if bad else 0)
    elif cmd == "mixed":
        # mixed CASE-JSON MEMBERS... -> expected {port: [hex]} of the case's
        # input flooded to MEMBERS ("port:N"/"vtep:N", in order); the
        # outer UDP source port is taken from the case's own vtep copy
        c = json.load(open(sys.argv[2]))
        inner = bytes.fromhex(c["in"]["frame"])
        ul = [p for p in c["ports"] if p["role"] == "underlay"][0]
        first = [o for o in c["outs"] if o["port"] == ul["id"]][0]
        sport = struct.unpack("!H", bytes.fromhex(first["frame"])[34:36])[0]
        vni = [e for e in c["entries"] if e["table"] == "port" and
               e["add"][1] == str(c["in"]["port"])][0]["add"][3]
        out = {}
        for m in sys.argv[3:]:
            kind, mid = m.split(":")
            if kind == "port":
                out.setdefault(mid, []).append(inner.hex())
            else:
                v = c["vteps"][mid]
                src = bytes.fromhex([p for p in c["ports"] if p["id"] == v["port"]][0]
                                    ["mac"].replace(":", ""))
                out.setdefault(str(v["port"]), []).append(
                    encap(inner, v, src, int(vni), sport).hex())
        json.dump(out, sys.stdout)
    elif cmd == "stats":
        # stats BEFORE-JSON AFTER-JSON EXPECT-JSON: the counters moved by
        # what EXPECT says ({"stats": {name: delta}, "drops": {...}}), the
        # rest of the stats and drops not at all, and they balance
        b, a, e = (json.load(open(f)) for f in sys.argv[2:5])
        bad = []
        for grp in ("stats", "drops"):
            for k in a[grp]:
                if grp == "stats" and k not in e["stats"] and k not in ("drop", "punt"):
                    continue  # not part of the expectation
                d = (a[grp][k] - b[grp][k]) % (1 << 64)
                want = e.get(grp, {}).get(k, 0) % (1 << 64)
                if d != want:
                    bad.append("%s %s moved by %d, expected %d" % (
                        grp, k, d if d < 1 << 63 else d - (1 << 64),
                        e.get(grp, {}).get(k, 0)))
        if not a["rx_eq_tx_drop_punt"]:
            bad.append("rx != tx + drop + punt")
        if not a["drop_eq_reasons"]:
            bad.append("drop != sum of the drop reasons")
        print("; ".join(bad))
        sys.exit(1 if bad else 0)


main()
EOF

flood() { # ARGS...: the helper
	"$PY" "$TMP/flood.py" "$@"
}

# A config for the ports of a case (CASE-JSON): fpf-p<ID> per port line.
conf_write() {
	local cj=$1
	{
		echo 'host = "hv-fpf";'
		printf 'vtep = { addresses = [ %s ]; };\n' \
			"$(flood field "$cj" '", ".join("\"%s\"" % v for v in c["local_vteps"])')"
		echo 'tables = { vtep = 64; fdb = 1024; flood = 64; neigh = 1024; };'
		echo 'fp_xdp = {'
		echo "	instance = \"$INSTANCE\";"
		echo "	mode = \"$MODE\";"
		echo '	ports = ('
		flood field "$cj" '",\n".join("\t\t{ name = \"p%d\"; role = \"%s\"; iface = \"fpf-p%d\"; mtu = %d; }" % (p["id"], p["role"], p["id"], p["mtu"]) for p in sorted(c["ports"], key=lambda p: p["id"]))'
		echo '	);'
		echo '};'
	} >"$CONF"
}

# The interfaces for a case's port lines: MACs, MTUs, up.  A change of a
# MAC needs a new attach (fp-xdp reads the MACs then).
LINKS=""
links_set() {
	local cj=$1 want id role mac
	want=$(flood field "$cj" '" ".join("%d/%s/%s" % (p["id"], p["role"], p["mac"]) for p in sorted(c["ports"], key=lambda p: p["id"]))')
	[ "$want" = "$LINKS" ] && return 1
	for p in $want; do
		IFS=/ read -r id role mac <<<"$p"
		ip -n "$NS" link set "fpf-p$id" down
		ip -n "$NS" link set "fpf-p$id" address "$mac"
		if [ "$role" = underlay ]; then
			ip -n "$NS" link set "fpf-p$id" mtu $UL_MTU
			ip -n "$NS" link set "fpf-p${id}p" mtu $UL_MTU
		else
			ip -n "$NS" link set "fpf-p$id" mtu $VM_MTU
			ip -n "$NS" link set "fpf-p${id}p" mtu $VM_MTU
		fi
		ip -n "$NS" link set "fpf-p$id" up
		ip -n "$NS" link set "fpf-p${id}p" up
	done
	LINKS=$want
	return 0
}

# Apply a case's tables (CASE-JSON), after removing the previous case's.
PREV_DELS=""
tables_set() {
	local cj=$1 line
	if [ -n "$PREV_DELS" ]; then
		while read -r line; do
			# shellcheck disable=SC2086
			fpc del $line
		done <"$PREV_DELS"
	fi
	flood field "$cj" '[" ".join(a) for a in c["adds"]]' >"$TMP/adds"
	flood field "$cj" '[" ".join(d) for d in c["dels"]]' >"$TMP/dels"
	while read -r line; do
		# shellcheck disable=SC2086
		fpc add $line
		if [ "$RC" != 0 ]; then
			echo "# fpctl add $line: $ERR"
			return 1
		fi
	done <"$TMP/adds"
	cp "$TMP/dels" "$TMP/prev_dels"
	PREV_DELS=$TMP/prev_dels
}

stats_get() { # FILE
	"$FPCTL" --xdp "$INSTANCE" --json show stats >"$1" 2>/dev/null
}

# run_frame CASE-JSON HEX-FRAME: send it on the case's input port's peer;
# the frames captured per port id in $TMP/got.json.
run_frame() {
	local cj=$1 frame=$2 in ifs
	in=$(flood field "$cj" 'c["in"]["port"]')
	ifs=$(flood field "$cj" '" ".join("fpf-p%dp" % p["id"] for p in c["ports"])')
	# shellcheck disable=SC2086
	in_ns "$PY" "$TMP/flood.py" xfer "fpf-p${in}p" "$frame" $ifs >"$TMP/got_if.json"
	"$PY" -c 'import json, sys
g = json.load(open(sys.argv[1]))
print(json.dumps({k[5:-1]: v for k, v in g.items()}))' "$TMP/got_if.json" >"$TMP/got.json"
}

# The JSON object of port names for messages, per port id.
names_write() {
	flood field "$1" 'json.dumps({str(p["id"]): "%s fpf-p%d" % (p["role"], p["id"]) for p in c["ports"]})' \
		>"$TMP/names.json"
}

echo "# fp-xdp $FP_XDP, fpctl $FPCTL, namespace $NS"
echo "# flood cases: $(tr '\n' ' ' <<<"$FLOOD_CASES")"
if [ -z "$FLOOD_CASES" ]; then
	not_ok "no tc_cases[] found in tests/unit/test_xdp_cases.c"
	finish
fi

# -- a bpffs of this mount namespace's own
if ! fp_bpffs_private; then
	not_ok "mount a private bpffs on /sys/fs/bpf"
	finish
fi

CONF=$TMP/fpf.conf
MODE=native
first=$(echo "$FLOOD_CASES" | head -n1)
flood case "$CASES/$first.case" >"$TMP/first.json" || {
	not_ok "read $first.case"
	finish
}
links_set "$TMP/first.json"
conf_write "$TMP/first.json"

# -- a foreign tc filter in flowplane's place: refused, left alone
if command -v clang >/dev/null && command -v tc >/dev/null; then
	cat >"$TMP/other.c" <<'EOC'
#include <linux/bpf.h>
__attribute__((section("tc"), used)) int other_tc(struct __sk_buff *skb)
{
	return -1;
}
char lic[] __attribute__((section("license"), used)) = "GPL";
EOC
	if clang -target bpf -O2 -I"/usr/include/$(gcc -print-multiarch 2>/dev/null)" \
		-c "$TMP/other.c" -o "$TMP/other.o" 2>/dev/null &&
		in_ns tc qdisc add dev fpf-p2 clsact &&
		in_ns tc filter add dev fpf-p2 ingress handle 0xf10d prio 1 bpf da \
			obj "$TMP/other.o" sec tc 2>/dev/null; then
		fpx attach
		want='"fpf-p2" has a tc ingress filter with program'
		if [ "$RC" = 1 ] && grep -qF "$want" <<<"$ERR" && grep -q "other_tc" <<<"$ERR" &&
			grep -qF "nothing was changed" <<<"$ERR"; then
			ok "a foreign tc filter at handle 0xf10d prio 1 is refused, naming it"
		else
			not_ok "a foreign tc filter at handle 0xf10d prio 1 is refused (rc $RC)"
			fp_run_show
		fi
		check "the foreign tc filter is left in place" \
			bash -c "nsenter --net=/run/netns/$NS tc filter show dev fpf-p2 ingress | grep -q other_tc"
		in_ns tc filter del dev fpf-p2 ingress handle 0xf10d prio 1 bpf
	else
		ok "a foreign tc filter is refused # SKIP cannot build or attach one"
	fi
else
	ok "a foreign tc filter is refused # SKIP no clang or tc"
fi

# -- attach: the tc program on every port
fpx attach
if [ "$RC" = 0 ]; then ok "attach"; else
	not_ok "attach (rc $RC)"
	fp_run_show
	finish
fi
check "attach names fp_tc_flood on every port ($N_PORTS)" \
	test "$(grep -c 'fp_tc_flood attached at its tc ingress' <<<"$OUT")" = $N_PORTS
check "the tc program is pinned as $PIN/fp_tc_flood" test -e "$PIN/fp_tc_flood"
tc_ids() { # the tc ingress program ids of every port, per bpftool net
	local id
	for id in $(seq 0 $((N_PORTS - 1))); do
		in_ns "$BPFTOOL" -j net show dev "fpf-p$id" 2>/dev/null | "$PY" -c 'import json, sys
try:
	t = json.load(sys.stdin)[0]["tc"]
except (ValueError, LookupError):
	sys.exit(0)  # no such interface
print(",".join("%s:%s" % (f["name"].split(":")[0], f["id"]) for f in t
	       if f["kind"] == "clsact/ingress"))'
	done | sort -u
}
ids=$(tc_ids)
tc_id=${ids#fp_tc_flood:}
check "bpftool net: fp_tc_flood, one program, at every port's clsact ingress ($ids)" \
	test -n "$ids" -a "$(wc -l <<<"$ids")" = 1 -a "$tc_id" != "$ids"
status_is() { # PYTHON-EXPR over the status JSON (s)
	fpx status --json
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out" "$1" 2>/dev/null
}
check "status --json: the tc program pinned and on every port" \
	status_is "(s['attached'] and s['tc_program']['pinned'] and s['tc_program']['id'] == $tc_id
		and all(p['tc_flowplane'] and p['tc_prog_id'] == $tc_id and p['ok'] for p in s['ports']))"
fpx status
check "status (text) shows the tc program per port" \
	test "$(grep -c "; tc prog $tc_id (fp_tc_flood)" <<<"$OUT")" = $N_PORTS
fpx attach
check "re-attach replaces the tc program in place" \
	test "$RC" = 0 -a "$(grep -c 'fp_tc_flood replaced at its tc ingress' <<<"$OUT")" = $N_PORTS
ids=$(tc_ids)
tc_id2=${ids#fp_tc_flood:}
check "re-attach: a new tc program, one filter per port ($ids, was $tc_id)" \
	test "$(wc -l <<<"$ids")" = 1 -a "$tc_id2" != "$tc_id" -a "$tc_id2" != "$ids"

# -- a frame without the metadata is not the tc program's
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(
	"ffffffffffff0200000000100806000108000604000102000000001000000000000000000000"
	"0a00000a"))' >"$TMP/plain.bin"
r=$("$BPFTOOL" prog run pinned "$PIN/fp_tc_flood" data_in "$TMP/plain.bin" 2>&1 |
	sed -n 's/^Return value: *\([0-9-]*\).*/\1/p')
check "a frame without fp_xdp_meta: TC_ACT_UNSPEC, left to the stack (retval $r)" \
	test "$r" = 4294967295 -o "$r" = -1

# -- the flood cases
for name in $FLOOD_CASES; do
	cj=$TMP/$name.json
	if ! flood case "$CASES/$name.case" >"$cj"; then
		not_ok "$name: cannot read the case"
		continue
	fi
	if links_set "$cj"; then
		conf_write "$cj"
		fpx attach
		[ "$RC" = 0 ] || { not_ok "$name: attach for its ports (rc $RC)"; fp_run_show; continue; }
	fi
	if ! tables_set "$cj"; then
		not_ok "$name: fill the tables with fpctl"
		continue
	fi
	names_write "$cj"
	flood field "$cj" 'json.dumps({str(p["id"]): [o["frame"] for o in c["outs"] if o["port"] == p["id"]] for p in c["ports"]})' \
		>"$TMP/expect.json"
	stats_get "$TMP/before.json"
	run_frame "$cj" "$(flood field "$cj" 'c["in"]["frame"]')"
	stats_get "$TMP/after.json"
	n_out=$(flood field "$cj" 'len(c["outs"])')
	if msg=$(flood check "$TMP/expect.json" "$TMP/got.json" "$TMP/names.json"); then
		ok "$name: $n_out copies, byte for byte the case's outputs on their ports, none elsewhere"
	else
		not_ok "$name: $msg"
	fi
	# Counters: one received, one flood sent, one flood_copies per copy,
	# one encap per underlay copy, and the case's own stat lines.
	flood field "$cj" 'json.dumps({"stats": dict({"rx": 1, "tx": 1, "flood": 1,
		"flood_copies": len(c["outs"]),
		"encap": len([o for o in c["outs"] if [p for p in c["ports"] if p["id"] == o["port"]][0]["role"] == "underlay"])},
		**c["stats"])})' >"$TMP/expect_stats.json"
	if msg=$(flood stats "$TMP/before.json" "$TMP/after.json" "$TMP/expect_stats.json"); then
		ok "$name: counters (flood, flood_copies, encap, the case's) and rx = tx + drop + punt"
	else
		not_ok "$name: counters: $msg"
	fi
done

# case_run NAME WHAT: run a flood case (already read) again; ok if its
# outputs come out and its counters move as before.
case_run() {
	local name=$1 what=$2 cj=$TMP/$1.json msg
	tables_set "$cj" || { not_ok "$name ($what): tables"; return; }
	names_write "$cj"
	flood field "$cj" 'json.dumps({str(p["id"]): [o["frame"] for o in c["outs"] if o["port"] == p["id"]] for p in c["ports"]})' \
		>"$TMP/expect.json"
	run_frame "$cj" "$(flood field "$cj" 'c["in"]["frame"]')"
	if msg=$(flood check "$TMP/expect.json" "$TMP/got.json" "$TMP/names.json"); then
		ok "$name ($what): the case's outputs, byte for byte"
	else
		not_ok "$name ($what): $msg"
	fi
}

# -- generic XDP hands the metadata to tc the same way
MODE=generic
conf_write "$TMP/first.json"
fpx attach
check "attach in generic mode" test "$RC" = 0
for name in vm_broadcast_flood vm_arp_unknown_flood ul_flood_local_only; do
	[ -f "$TMP/$name.json" ] && case_run "$name" "generic mode"
done
MODE=native
conf_write "$TMP/first.json"
fpx attach
check "back to native mode" test "$RC" = 0

# -- vteps of both families in one list, in list order on the underlay
for name in vm_arp_unknown_flood vm_ns_unknown_flood; do
	cj=$TMP/$name.json
	[ -f "$cj" ] || flood case "$CASES/$name.case" >"$cj"
	if links_set "$cj"; then
		conf_write "$cj"
		fpx attach
	fi
	tables_set "$cj" || { not_ok "$name (mixed vteps): tables"; continue; }
	members="port 0 vtep 3 port 2 vtep 1 vtep 4 vtep 2"
	# shellcheck disable=SC2086
	fpc add flood 1000 $members
	if [ "$RC" != 0 ]; then
		not_ok "$name (mixed vteps): fpctl add flood: $ERR"
		continue
	fi
	names_write "$cj"
	flood mixed "$cj" port:2 vtep:3 vtep:1 vtep:4 vtep:2 >"$TMP/expect.json"
	stats_get "$TMP/before.json"
	run_frame "$cj" "$(flood field "$cj" 'c["in"]["frame"]')"
	stats_get "$TMP/after.json"
	what=$([ "$name" = vm_arp_unknown_flood ] && echo "ARP" || echo "IPv6")
	if msg=$(flood check "$TMP/expect.json" "$TMP/got.json" "$TMP/names.json"); then
		ok "$name, flood list $members: $what frame, port 2 and the 4 vteps (IPv6, IPv4, IPv6, IPv4) in list order"
	else
		not_ok "$name, flood list $members ($what): $msg"
	fi
	echo '{"stats": {"rx": 1, "tx": 1, "flood": 1, "flood_copies": 5, "encap": 4}}' \
		>"$TMP/expect_stats.json"
	if msg=$(flood stats "$TMP/before.json" "$TMP/after.json" "$TMP/expect_stats.json"); then
		ok "$name, mixed vteps: counters"
	else
		not_ok "$name, mixed vteps: counters: $msg"
	fi
done

# -- copies that cannot be sent: port 3's interface is deleted
name=vm_broadcast_flood
cj=$TMP/$name.json
[ -f "$cj" ] || flood case "$CASES/$name.case" >"$cj"
if links_set "$cj"; then
	conf_write "$cj"
	fpx attach
fi
tables_set "$cj"
ip -n "$NS" link del fpf-p3
names_write "$cj"
flood field "$cj" 'json.dumps({str(p["id"]): [o["frame"] for o in c["outs"] if o["port"] == p["id"]] for p in c["ports"] if p["id"] != 3})' \
	>"$TMP/expect.json"
# (Captured on the peers that are left.)
xfer_left() {
	in_ns "$PY" "$TMP/flood.py" xfer fpf-p0p "$(flood field "$cj" 'c["in"]["frame"]')" \
		fpf-p0p fpf-p1p fpf-p2p fpf-p4p >"$TMP/got_if.json"
	"$PY" -c 'import json, sys
g = json.load(open(sys.argv[1]))
print(json.dumps({k[5:-1]: v for k, v in g.items()}))' "$TMP/got_if.json" >"$TMP/got.json"
}
stats_get "$TMP/before.json"
xfer_left
stats_get "$TMP/after.json"
if msg=$(flood check "$TMP/expect.json" "$TMP/got.json" "$TMP/names.json"); then
	ok "$name with port 3's interface gone: the other 4 copies go out"
else
	not_ok "$name with port 3's interface gone: $msg"
fi
echo '{"stats": {"rx": 1, "tx": 1, "flood": 1, "flood_copies": 4, "encap": 3}}' \
	>"$TMP/expect_stats.json"
if msg=$(flood stats "$TMP/before.json" "$TMP/after.json" "$TMP/expect_stats.json"); then
	ok "the copy not sent is taken back from flood_copies (4, not 5)"
else
	not_ok "the copy not sent is taken back from flood_copies: $msg"
fi
fpc add flood 1000 port 0 port 3
stats_get "$TMP/before.json"
xfer_left
stats_get "$TMP/after.json"
check "a flood whose only copy cannot be sent: nothing comes out" \
	"$PY" -c 'import json, sys
sys.exit(0 if not any(json.load(open(sys.argv[1])).values()) else 1)' "$TMP/got_if.json"
echo '{"stats": {"rx": 1, "drop": 1}, "drops": {"dest_missing": 1}}' >"$TMP/expect_stats.json"
if msg=$(flood stats "$TMP/before.json" "$TMP/after.json" "$TMP/expect_stats.json"); then
	ok "and it is counted as a drop (dest_missing: the interface is gone), not a flood"
else
	not_ok "a flood with no copy sent (interface gone) is a dest_missing drop: $msg"
fi
fpx stats --json
check "stats --json: rx = tx + drop + punt after all of it" \
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["rx_balanced"] and s["drops_balanced"] else 1)' "$TMP/out"

# -- detach removes the tc filter (port 3's interface is gone: skipped)
fpx detach
check "detach" test "$RC" = 0
check "detach removed fp_tc_flood from every port's tc ingress" test -z "$(tc_ids)"
check "the tc program pin is gone" test ! -e "$PIN/fp_tc_flood"

finish
