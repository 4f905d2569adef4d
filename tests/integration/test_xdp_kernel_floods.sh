#!/usr/bin/env bash
# Floods on the XDP engine of frames that kernels send on their own (issue
# 9, item 7): the IPv6 neighbour solicitations, MLD reports and router
# solicitations a VM's kernel sends when its interface comes up, and the
# frames of a kernel VXLAN VTEP (the vxlan device's own IPv6 traffic when
# it comes up).  Each must be flooded and counted as dataplane/pipeline.c
# counts it: one flood per frame, one flood_copies per member that gets a
# copy (the other VM port, and the vtep for a frame from a VM), the copies
# delivered, and never no_mbuf (which the tc program counts when no copy
# of a flood could be sent).
#
# Namespaces fpk-<pid>-{hv,vm0,vm1,rem}: hv runs fp-xdp (native mode) on
# p0 and p1 (VM ports 0 and 1, VNI 100, their peers eth0 in vm0 and vm1)
# and ul (the underlay, its peer in rem).  rem is the remote VTEP: a
# kernel vxlan device vx (VNI 100) toward hv's VTEP.  hv has IPv6 off; the
# VMs and rem have it on, as any guest has.  The flood list of VNI 100 is
# port 0, port 1, vtep 1 (rem).  A private mount namespace with a bpffs of
# its own holds the pins.
#
# Checked, from the deltas of fpctl --xdp --json show stats and of the
# interfaces' rx_packets:
#   - vm1's frames while vm0 is down, then vm0's when its eth0 comes up:
#     rx = flood, no drop, flood_copies = 2 x flood (vm1's frames: the
#     copy to port 0 is sent into a veth without carrier, which the kernel
#     drops, as fp-dpdk's tx to a down port), encap = flood, vm1 receives
#     each of vm0's floods, rem's vx each encapsulated copy;
#   - the kernel VTEP's own frames when vx comes up: rx = decap = flood,
#     flood_copies = 2 x flood, each reaches both VMs;
#   - 2 MB over TCP from vm0 to vm1 with GRO on p0 and p1, every segment
#     and ack unknown unicast: received whole, each frame one flood with
#     2 copies, one encapsulated (GRO, between the XDP and the tc program,
#     merged none: the metadata's nonce);
#   - no_mbuf stays 0; rx = tx + drop + punt.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces or
# bpftool.  Env: FP_BUILDDIR (default: <src>/build).
#
# Functions run through check() look unreachable to shellcheck.
# shellcheck disable=SC2317
# The D_* counters are assigned by eval in phase().
# shellcheck disable=SC2154
set -uo pipefail

. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	echo "# skip: not root (namespaces, BPF, XDP and tc need root)"
	exit 77
fi
fp_bpffs_own_ns "$@"
fp_xdp_tools

P=fpk-$$
HV=$P-hv VM0=$P-vm0 VM1=$P-vm1 REM=$P-rem
INSTANCE=fpk-test
TMP=$(mktemp -d /tmp/fpk-tmp.XXXXXX)
cleanup() {
	local n
	for n in $HV $VM0 $VM1 $REM; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM
for old in $(ip netns list 2>/dev/null | awk '{print $1}'); do
	case $old in fpk-[0-9]*-*) ip netns del "$old" 2>/dev/null ;; esac
done
for n in $HV $VM0 $VM1 $REM; do
	if ! ip netns add "$n"; then
		echo "# skip: cannot create a network namespace"
		exit 77
	fi
	ip -n "$n" link set lo up
done
ip netns exec "$HV" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
ip -n "$HV" link add p0 type veth peer name eth0 netns "$VM0" || exit 77
ip -n "$HV" link add p1 type veth peer name eth0 netns "$VM1"
ip -n "$HV" link add ul address 02:00:00:16:00:01 mtu 1600 type veth \
	peer name ul netns "$REM" address 02:00:00:16:00:02 mtu 1600
# One router solicitation, not three 4 s apart: each phase's frames fit in it.
for n in $VM0 $VM1; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.default.router_solicitations=1
done
ip -n "$VM0" link set eth0 address 02:00:00:a0:00:01
ip -n "$VM1" link set eth0 address 02:00:00:a1:00:01
for i in p0 p1 ul; do ip -n "$HV" link set "$i" up; done

# Storm control off: the GRO phase floods 2 MB of TCP unknown unicast on
# purpose, far above the default 1000 floods/s (doc/packets.md).
fp_xdp_attach_3 "$HV" hv-fpk "$INSTANCE" "$TMP/c.conf" "guard = { storm_control_pps = 0; };"
fpc() { "$FPCTL" --xdp "$INSTANCE" "$@"; }
check "tables: VM ports 0 and 1 in VNI 100, vtep 1 toward rem, flood 100 = port 0, port 1, vtep 1" \
	eval 'fpc add port 0 vni 100 mac 02:00:00:a0:00:01 antispoof off &&
	fpc add port 1 vni 100 mac 02:00:00:a1:00:01 antispoof off &&
	fpc add vtep 1 remote 172.16.0.2 local 172.16.0.1 nh-mac 02:00:00:16:00:02 port 2 &&
	fpc add flood 100 port 0 port 1 vtep 1'

# The remote VTEP: the underlay (IPv6 off: its own frames would be
# underlay_not_tunnel, not floods), then vx, down for now.
ip netns exec "$REM" sysctl -qw net.ipv6.conf.ul.disable_ipv6=1
ip -n "$REM" addr add 172.16.0.2/24 dev ul
ip -n "$REM" link set ul up
ip -n "$REM" neigh add 172.16.0.1 lladdr 02:00:00:16:00:01 dev ul
ip -n "$REM" link add vx address 02:00:00:bb:00:01 type vxlan id 100 remote 172.16.0.1 \
	local 172.16.0.2 dstport 4789 dev ul
sleep 2

# snap FILE: counters and the receivers' rx_packets.
snap() {
	fpc --json show stats >"$1.json"
	{
		echo "vm0=$(ip netns exec "$VM0" cat /sys/class/net/eth0/statistics/rx_packets)"
		echo "vm1=$(ip netns exec "$VM1" cat /sys/class/net/eth0/statistics/rx_packets)"
		echo "rem=$(ip netns exec "$REM" cat /sys/class/net/ul/statistics/rx_packets)"
	} >"$1.if"
}

# phase WHAT CMD...: counters around CMD (and 4 s of what it makes the
# kernels send); sets D_<name> for the stats, drops and interfaces.
phase() {
	local what=$1
	shift
	snap "$TMP/a"
	"$@"
	sleep 4
	snap "$TMP/b"
	eval "$("$PY" - "$TMP/a" "$TMP/b" <<'EOF'
import json, sys
a, b = (json.load(open(f + ".json")) for f in sys.argv[1:3])
for k in ("rx", "tx", "drop", "punt", "flood", "flood_copies", "encap", "decap"):
    print("D_%s=%d" % (k, int(b["stats"][k]) - int(a["stats"][k])))
print("D_no_mbuf=%d" % (int(b["drops"]["no_mbuf"]) - int(a["drops"]["no_mbuf"])))
nz = ["%s+%d" % (k, int(b["drops"][k]) - int(a["drops"][k])) for k in b["drops"]
      if int(b["drops"][k]) != int(a["drops"][k])]
print("D_reasons='%s'" % " ".join(nz))
unt = int(b["drops"]["underlay_not_tunnel"]) - int(a["drops"]["underlay_not_tunnel"])
print("D_unt=%d" % unt)
print("BAL=%d" % (int(b["stats"]["rx"]) == int(b["stats"]["tx"]) + int(b["stats"]["drop"]) +
                  int(b["stats"]["punt"])))
ia, ib = ({l.split("=")[0]: int(l.split("=")[1]) for l in open(f + ".if")}
          for f in sys.argv[1:3])
for k in ia:
    print("D_if_%s=%d" % (k, ib[k] - ia[k]))
EOF
)"
	echo "# $what: rx $D_rx tx $D_tx drop $D_drop flood $D_flood flood_copies $D_flood_copies" \
		"encap $D_encap decap $D_decap no_mbuf $D_no_mbuf${D_reasons:+ (drops: $D_reasons)};" \
		"received: vm0 $D_if_vm0, vm1 $D_if_vm1, rem ul $D_if_rem"
}

# While vx is down, rem's kernel answers each encapsulated copy with an
# ICMP port unreachable: those come in on the underlay and are
# underlay_not_tunnel (in fp-dpdk too), not counted below as frames sent.
# Every flood has 2 copies here: from a VM, the other VM port and the
# vtep; from the underlay, both VM ports.  A copy into a veth without
# carrier (vm0's while it is down) is dropped by the kernel after it was
# sent, as fp-dpdk's tx to a port that is down.
floods_ok() { # WHAT
	local n=$((D_rx - D_unt))
	check "$1: some were sent ($n)" test "$n" -gt 0
	check "$1: every one flooded, none dropped, no no_mbuf" \
		test "$D_flood" = "$n" -a "$D_tx" = "$n" -a "$D_drop" = "$D_unt" -a "$D_no_mbuf" = 0
	D_rx=$n
}

# Frames of one phase may come late into the next (a second MLD report):
# the checks hold for any mix of sources.
phase "vm1's eth0 comes up (vm0's is down)" ip -n "$VM1" link set eth0 up
floods_ok "vm1's own frames"
check "vm1's own frames: 2 copies each, one encapsulated, which reaches rem" \
	test "$D_flood_copies" = $((2 * D_rx)) -a "$D_encap" = "$D_rx" -a "$D_if_rem" = "$D_rx"

phase "vm0's eth0 comes up" ip -n "$VM0" link set eth0 up
floods_ok "vm0's own frames (NS, MLD, RS)"
check "vm0's own frames: 2 copies each, one encapsulated" \
	test "$D_flood_copies" = $((2 * D_rx)) -a "$D_encap" = "$D_rx"
check "vm0's own frames: every copy received (by vm1 and rem)" \
	test $((D_if_vm0 + D_if_vm1 + D_if_rem)) = "$D_flood_copies"

phase "the kernel VTEP's vx comes up" ip -n "$REM" link set vx up
floods_ok "the kernel VTEP's own frames"
check "the kernel VTEP's own frames: each decapsulated (or a VM's late one encapsulated)" \
	test "$D_decap" -gt 0 -a $((D_decap + D_encap)) = "$D_rx"
check "the kernel VTEP's own frames: 2 copies each" test "$D_flood_copies" = $((2 * D_rx))
check "the kernel VTEP's own frames: every copy received (by vm0, vm1, rem)" \
	test $((D_if_vm0 + D_if_vm1 + D_if_rem)) = "$D_flood_copies"

# A VM's TCP segments to a MAC that no fdb entry names (unknown unicast,
# vm1's replies too): each one flood, as in fp-dpdk.  With GRO on the VM
# ports (a NIC's default; veth's once set), the kernel's GRO, between the
# XDP program and the tc program, would merge segments of one flow whose
# metadata is the same into one frame too big for the tunnel: the vtep
# copies of all of them lost (a flood with only vteps: no_mbuf), the
# floods counted one per segment all the same.
ip -n "$VM0" addr add 10.0.0.1/24 dev eth0
ip -n "$VM1" addr add 10.0.0.2/24 dev eth0
ip -n "$VM0" neigh add 10.0.0.2 lladdr 02:00:00:a1:00:01 dev eth0
ip -n "$VM1" neigh add 10.0.0.1 lladdr 02:00:00:a0:00:01 dev eth0
ip netns exec "$HV" ethtool -K p0 gro on >/dev/null 2>&1
ip netns exec "$HV" ethtool -K p1 gro on >/dev/null 2>&1
tcp_xfer() {
	ip netns exec "$VM1" timeout 20 "$PY" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", 5001))
s.listen(1)
c, _ = s.accept()
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
print(n)' >"$TMP/tcp.out" 2>&1 &
	sleep 1
	ip netns exec "$VM0" timeout 15 "$PY" -c '
import socket
s = socket.create_connection(("10.0.0.2", 5001), timeout=10)
s.sendall(b"x" * 2000000)
s.close()' >/dev/null 2>&1
	wait
}
phase "2 MB over TCP from vm0 to vm1, unknown unicast, GRO on p0 and p1" tcp_xfer
check "TCP: vm1 received the 2000000 bytes" test "$(cat "$TMP/tcp.out")" = 2000000
floods_ok "TCP segments"
check "TCP segments: 2 copies each, one encapsulated (GRO merged none)" \
	test "$D_flood_copies" = $((2 * D_rx)) -a "$D_encap" = $((D_rx - D_decap))
check "rx = tx + drop + punt" test "$BAL" = 1

nsenter --net="/run/netns/$HV" "$FP_XDP" -c "$TMP/c.conf" detach >/dev/null 2>&1
check "fp-xdp detach" test $? = 0
finish
