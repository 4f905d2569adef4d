#!/usr/bin/env bash
# Why the tc program sends no copy of a flood (issue 9, item 7): the
# drop reason it counts then, and its correction of the copies fp_xdp_rx
# counted.  fp_tc_flood trusts the metadata in front of a frame; here a
# test XDP program writes it (the 32 bytes after the Ethernet header,
# struct fp_xdp_meta) on an interface "inj" of hv that is no flowplane
# port, where the instance's pinned fp_tc_flood is attached at the tc
# ingress.  So each case reaches the tc program with the metadata it
# names, without fp_xdp_rx counting it: the counters' deltas are the tc
# program's corrections alone.
#
# Namespaces fpw-<pid>-{hv,vm0,vm1,rem,src}: hv runs fp-xdp (native mode)
# on p0 and p1 (VM ports 0 and 1, VNI 100) and ul (the underlay, toward
# rem); inj's peer is in src, whose frames carry the metadata.  Cases:
#   - a VNI without a flood list: no_flood_list (was no_mbuf);
#   - a flood list whose only member is the ingress port: flood_empty;
#   - a vtep member, but the frame does not parse as the IPv4 packet its
#     ethertype says: its reason, bad_ip_version;
#   - a port member whose interface is gone: dest_missing;
#   - one copy sent where the metadata says 3 were counted: flood_copies
#     takes back 2, encap 1, and it stays a flood (vm0 gets the copy).
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces,
# clang or bpftool.  Env: FP_BUILDDIR (default: <src>/build).
#
# Functions run through check() look unreachable to shellcheck.
# shellcheck disable=SC2317
# The D_* counters are assigned by eval in tc_case().
# shellcheck disable=SC2154
set -uo pipefail

. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	echo "# skip: not root (namespaces, BPF, XDP and tc need root)"
	exit 77
fi
fp_bpffs_own_ns "$@"
CLANG=$(command -v clang) || { echo "# skip: no clang"; exit 77; }
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
[ -x "$BPFTOOL" ] || { echo "# skip: no bpftool"; exit 77; }
fp_xdp_tools

P=fpw-$$
HV=$P-hv VM0=$P-vm0 VM1=$P-vm1 REM=$P-rem SRC=$P-src
INSTANCE=fpw-test
PIN=/sys/fs/bpf/flowplane/$INSTANCE
TMP=$(mktemp -d /tmp/fpw-tmp.XXXXXX)
cleanup() {
	local n
	for n in $HV $VM0 $VM1 $REM $SRC; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM
for old in $(ip netns list 2>/dev/null | awk '{print $1}'); do
	case $old in fpw-[0-9]*-*) ip netns del "$old" 2>/dev/null ;; esac
done
for n in $HV $VM0 $VM1 $REM $SRC; do
	if ! ip netns add "$n"; then
		echo "# skip: cannot create a network namespace"
		exit 77
	fi
	ip -n "$n" link set lo up
	# Silent kernels: only the test's frames.
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$HV" link add p0 type veth peer name eth0 netns "$VM0" || exit 77
ip -n "$HV" link add p1 type veth peer name eth0 netns "$VM1"
ip -n "$HV" link add ul address 02:00:00:16:00:01 mtu 1600 type veth \
	peer name ul netns "$REM" address 02:00:00:16:00:02 mtu 1600
ip -n "$HV" link add inj type veth peer name inj netns "$SRC"
for n in $VM0 $VM1; do ip -n "$n" link set eth0 up; done
ip -n "$REM" link set ul up
ip -n "$SRC" link set inj up
for i in p0 p1 ul inj; do ip -n "$HV" link set "$i" up; done

fp_xdp_attach_3 "$HV" hv-fpw "$INSTANCE" "$TMP/c.conf"
fpc() { "$FPCTL" --xdp "$INSTANCE" "$@"; }
check "tables: VM ports 0 and 1 in VNI 100, vtep 1 toward rem" \
	eval 'fpc add port 0 vni 100 mac 02:00:00:a0:00:01 antispoof off &&
	fpc add port 1 vni 100 mac 02:00:00:a1:00:01 antispoof off &&
	fpc add vtep 1 remote 172.16.0.2 local 172.16.0.1 nh-mac 02:00:00:16:00:02 port 2'

# The test XDP program: a frame from 02:00:00:ee:ee:ee gets the 32 bytes
# after its Ethernet header as metadata (struct fp_xdp_meta) and goes up
# to the tc hook; any other frame is dropped.
cat >"$TMP/inj.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define META_LEN 32

SEC("xdp")
int
fpw_inject(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char m[META_LEN], *meta;

	if (p + 14 + META_LEN > end)
		return XDP_DROP;
	if (p[6] != 0x02 || p[7] || p[8] || p[9] != 0xee || p[10] != 0xee || p[11] != 0xee)
		return XDP_DROP;
	__builtin_memcpy(m, p + 14, META_LEN);
	if (bpf_xdp_adjust_meta(ctx, -META_LEN))
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	if (meta + META_LEN > (unsigned char *)(long)ctx->data)
		return XDP_DROP;
	__builtin_memcpy(meta, m, META_LEN);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
EOF
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
if "$CLANG" -target bpf -O2 -g -I"/usr/include/$multiarch" -c "$TMP/inj.bpf.c" \
	-o "$TMP/inj.bpf.o" 2>"$TMP/clang.err" &&
	nsenter --net="/run/netns/$HV" "$BPFTOOL" prog load "$TMP/inj.bpf.o" /sys/fs/bpf/fpw_inject \
		type xdp 2>"$TMP/load.err" &&
	nsenter --net="/run/netns/$HV" "$BPFTOOL" net attach xdpdrv pinned /sys/fs/bpf/fpw_inject \
		dev inj 2>>"$TMP/load.err" &&
	nsenter --net="/run/netns/$HV" tc qdisc add dev inj clsact 2>>"$TMP/load.err" &&
	nsenter --net="/run/netns/$HV" tc filter add dev inj ingress bpf object-pinned \
		"$PIN/fp_tc_flood" da 2>>"$TMP/load.err"; then
	ok "inj: the test XDP program (native) and the pinned fp_tc_flood at its tc ingress"
else
	not_ok "inj: test XDP program and fp_tc_flood"
	sed 's/^/#   /' "$TMP/clang.err" "$TMP/load.err"
	finish
fi

snap() {
	fpc --json show stats >"$1.json"
	echo "vm0=$(ip netns exec "$VM0" cat /sys/class/net/eth0/statistics/rx_packets)" >"$1.if"
}

# tc_case WHAT ETHERTYPE VNI IN_PORT FLAGS COPIES ENCAPS: one frame from
# src with that metadata; sets D_<stat>, D_<reason> (drops that moved)
# and D_vm0 (frames vm0 received).
tc_case() {
	local what=$1
	shift
	snap "$TMP/a"
	ip netns exec "$SRC" "$PY" - "$@" <<'EOF' >"$TMP/send.err" 2>&1
import socket, struct, sys
etype, vni, in_port, flags, copies, encaps = (int(a, 0) for a in sys.argv[1:7])
meta = struct.pack("<IIIIHHIQ", 0x66706d31, vni, in_port, flags, copies, encaps, 0, 0)
frame = (b"\xff" * 6 + bytes.fromhex("020000eeeeee") + struct.pack(">H", etype) + meta +
         bytes(40))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("inj", 0))
s.send(frame)
EOF
	sleep 0.5
	snap "$TMP/b"
	eval "$("$PY" - "$TMP/a" "$TMP/b" <<'EOF'
import json, sys
a, b = (json.load(open(f + ".json")) for f in sys.argv[1:3])
M = 1 << 64
def d(x, y):  # per-CPU sums modulo 2^64, as the counters wrap
    v = (int(y) - int(x)) % M
    return v - M if v >= M // 2 else v
for k in ("rx", "tx", "drop", "flood", "flood_copies", "encap"):
    print("D_%s=%d" % (k, d(a["stats"][k], b["stats"][k])))
moved = {k: d(a["drops"][k], b["drops"][k]) for k in b["drops"]}
print("D_reasons='%s'" % " ".join("%s%+d" % (k, v) for k, v in moved.items() if v))
ia, ib = ({l.split("=")[0]: int(l.split("=")[1]) for l in open(f + ".if")}
          for f in sys.argv[1:3])
print("D_vm0=%d" % (ib["vm0"] - ia["vm0"]))
EOF
)"
	echo "# $what: tx $D_tx drop $D_drop flood $D_flood flood_copies $D_flood_copies" \
		"encap $D_encap, drops: ${D_reasons:-none}; vm0 received $D_vm0"
}

# dropped_for WHAT REASON COPIES ENCAPS: the flood became one drop for
# REASON, and the COPIES and ENCAPS fp_xdp_rx would have counted are
# taken back.
dropped_for() {
	check "$1: a drop for $2, not a flood (flood -1, tx -1, drop +1, $2 +1)" \
		test "$D_flood" = -1 -a "$D_tx" = -1 -a "$D_drop" = 1 -a "$D_reasons" = "$2+1"
	check "$1: flood_copies -$3, encap -$4" \
		test "$D_flood_copies" -eq "$((-$3))" -a "$D_encap" -eq "$((-$4))"
}

fpc add flood 100 port 0 >/dev/null
tc_case "VNI 300, which has no flood list" 0x88b5 300 9 0 1 0
dropped_for "no flood list" no_flood_list 1 0

tc_case "VNI 100 from port 0, flood list: port 0" 0x88b5 100 0 0 1 0
dropped_for "only the ingress port in the list" flood_empty 1 0

fpc del flood 100 >/dev/null
fpc add flood 100 vtep 1 >/dev/null
tc_case "VNI 100 from a VM, flood list: vtep 1; IPv4 ethertype, version 3" 0x0800 100 0 1 1 1
dropped_for "a frame the encapsulation cannot parse" bad_ip_version 1 1

fpc del flood 100 >/dev/null
fpc add flood 100 port 0 >/dev/null
tc_case "VNI 100 from port 9, 3 copies counted, flood list: port 0" 0x88b5 100 9 1 3 1
check "one copy of 3 sent: still a flood, flood_copies -2, encap -1, no drop" \
	test "$D_flood" = 0 -a "$D_tx" = 0 -a "$D_drop" = 0 -a "$D_flood_copies" = -2 \
	-a "$D_encap" = -1
check "and vm0 received it" test "$D_vm0" = 1

fpc del flood 100 >/dev/null
fpc add flood 100 port 1 >/dev/null
ip -n "$HV" link del p1
tc_case "VNI 100 from port 9, flood list: port 1, whose interface is gone" 0x88b5 100 9 0 1 0
dropped_for "the member's interface gone" dest_missing 1 0

finish
