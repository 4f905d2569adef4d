#!/usr/bin/env bash
# Routing on fp-dpdk (doc/routing.md), with real traffic: the overlay of
# lib.sh (vxlan over IPv4), tenant B's VMs moved to 10.200.0.0/24 and a
# distributed router (vrf 7, one MAC on both hosts) between tenant A's
# network (VNI 100, 10.100.0.0/24) and B's (VNI 200), installed by fpctl
# on both hypervisors. Then:
#   - fpctl dump route / neigh show the router's entries;
#   - a1 (hva) pings its gateway 10.100.0.254: answered by hva;
#   - a1 pings b2 (hvb, other subnet): routed on hva into VNI 200,
#     encapsulated to hvb; b2's replies are routed on hvb;
#   - a TTL 1 ping gets ICMP time exceeded from 10.100.0.254;
#   - fpctl trace shows the route step; the counters move;
#   - the route to 10.200.0.0/24 goes: no_route, ICMP net unreachable.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
VRF=7	# the router's vrf: not a VNI (neigh entries are keyed by the VNI)
RTR_MAC=02:00:00:ee:00:01
GW_A=10.100.0.254
GW_B=10.200.0.254
declare -A B_IP=([b1]=10.200.0.1 [b2]=10.200.0.2)

# stat HV NAME: one of fp-dpdk's counters (or drop reasons).
stat() {
	fp_ctl "$1" --json show stats | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(d.get("stats", {}).get(sys.argv[1], d.get("drops", {}).get(sys.argv[1], -1)))' "$2"
}

# router HV: the router's entries on one hypervisor, made before broken:
# the neighbours of both networks (every VM, local or not) and the
# gateway addresses, each in its network's neigh table (keyed by the VNI,
# as the ports' vrf), the routes, then the fdb entries of its MAC.
router() {
	local hv=$1 vm
	for vm in a1 a2; do
		fp_ctl_v "$hv" add neigh 100 "${FP_VM_IP4[$vm]}" mac "${FP_MAC[$vm]}" vni 100 ||
			return 1
	done
	for vm in b1 b2; do
		fp_ctl_v "$hv" add neigh 200 "${B_IP[$vm]}" mac "${FP_MAC[$vm]}" vni 200 ||
			return 1
	done
	fp_ctl_v "$hv" add neigh 100 $GW_A mac $RTR_MAC vni 100 local-only on &&
		fp_ctl_v "$hv" add neigh 200 $GW_B mac $RTR_MAC vni 200 local-only on &&
		fp_ctl_v "$hv" add route $VRF 10.100.0.0/24 connected vni 100 mac $RTR_MAC \
			mtu $FP_VM_MTU addr $GW_A &&
		fp_ctl_v "$hv" add route $VRF 10.200.0.0/24 connected vni 200 mac $RTR_MAC \
			mtu $FP_VM_MTU addr $GW_B &&
		fp_ctl_v "$hv" add route $VRF $GW_A local &&
		fp_ctl_v "$hv" add route $VRF $GW_B local &&
		fp_ctl_v "$hv" add fdb 100 $RTR_MAC router $VRF &&
		fp_ctl_v "$hv" add fdb 200 $RTR_MAC router $VRF
}

# move_b VM: tenant B's VM to 10.200.0.0/24 (its port's vrf, the key of
# its network's neigh entries, stays its VNI).
move_b() {
	local vm=$1 hv=${FP_VM_HV[$1]} ns
	ns=$(fp_ns "$vm")
	ip -n "$ns" addr flush dev eth0 scope global &&
		ip -n "$ns" addr add "${B_IP[$vm]}/24" dev eth0 &&
		ip -n "$ns" route add default via $GW_B &&
		fp_ctl_v "$hv" add port "${FP_VM_PORT[$vm]}" vni 200 mac "${FP_MAC[$vm]}" \
			vrf 200 mtu $FP_VM_MTU antispoof on addr "${B_IP[$vm]}/32"
}

fp_lib_init
case $? in
0) ;;
1)
	echo "# skip: $FP_ERR"
	exit 77
	;;
*)
	echo "not ok - set-up: $FP_ERR"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create || ! fp_start_all || ! fp_program_all vxlan 4; then
	not_ok "set up two hypervisors with vxlan over IPv4: $FP_ERR"
	finish
fi
ok "set up two hypervisors with vxlan over IPv4"

if move_b b1 && move_b b2 && router hva && router hvb &&
	ip -n "$(fp_ns a1)" route add default via $GW_A &&
	ip -n "$(fp_ns a2)" route add default via $GW_A; then
	ok "router vrf $VRF between 10.100.0.0/24 (vni 100) and 10.200.0.0/24 (vni 200) on both hosts"
else
	not_ok "install the router: $FP_ERR"
	finish
fi

dump=$(fp_ctl hva dump route 2>&1)
printf '%s\n' "$dump" | sed 's/^/#   /'
if echo "$dump" | grep -q "^route $VRF 10.200.0.0/24 connected vni 200 mac $RTR_MAC mtu $FP_VM_MTU addr $GW_B$" &&
	echo "$dump" | grep -q "^route $VRF $GW_A/32 local$" &&
	fp_ctl hva dump neigh | grep -q "^neigh 100 $GW_A mac $RTR_MAC vni 100 local-only on$"; then
	ok "fpctl dump route and neigh show the router's entries"
else
	not_ok "fpctl dump route and neigh show the router's entries"
fi

before=$(stat hva icmp_echo_reply)
if fp_vm a1 ping -c 2 -i 0.2 -W 2 $GW_A >/dev/null 2>&1; then
	ok "a1 pings its gateway $GW_A (answered by hva)"
else
	not_ok "a1 pings its gateway $GW_A"
fi
after=$(stat hva icmp_echo_reply)
[ "$after" -ge $((before + 2)) ] 2>/dev/null && ok "icmp_echo_reply counts them ($before -> $after)" ||
	not_ok "icmp_echo_reply counts them ($before -> $after)"

before=$(stat hva routed)
if fp_vm a1 ping -c 3 -i 0.2 -W 2 "${B_IP[b2]}" >/dev/null 2>&1; then
	ok "a1 (hva, 10.100.0.1) pings b2 (hvb, ${B_IP[b2]}): routed on both hosts, across the overlay"
else
	not_ok "a1 (hva) pings b2 (hvb, ${B_IP[b2]}) through the router"
fi
after=$(stat hva routed)
[ "$after" -ge $((before + 3)) ] 2>/dev/null && ok "hva's routed counts a1's requests ($before -> $after)" ||
	not_ok "hva's routed counts a1's requests ($before -> $after)"
if fp_vm b1 ping -c 2 -i 0.2 -W 2 "${FP_VM_IP4[a2]}" >/dev/null 2>&1; then
	ok "b1 (hva, ${B_IP[b1]}) pings a2 (hvb, ${FP_VM_IP4[a2]})"
else
	not_ok "b1 (hva) pings a2 (hvb)"
fi

out=$(fp_vm a1 ping -c 1 -t 1 -W 2 "${B_IP[b2]}" 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
if echo "$out" | grep -qi "from $GW_A .*time to live exceeded"; then
	ok "a TTL 1 ping to b2: ICMP time exceeded from $GW_A"
else
	not_ok "a TTL 1 ping to b2: ICMP time exceeded from $GW_A"
fi

out=$(fp_ctl hva trace in-port "${FP_VM_PORT[a1]}" eth "${FP_MAC[a1]}>$RTR_MAC" \
	ipv4 "${FP_VM_IP4[a1]}>${B_IP[b2]}" udp "1024>80" 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
if echo "$out" | grep -q "route .*route 10.200.0.0/24 connected" &&
	echo "$out" | grep -q "route .*into vni 200"; then
	ok "trace: the route step names the route and the egress network"
else
	not_ok "trace: the route step names the route and the egress network"
fi

fp_ctl_v hva del route $VRF 10.200.0.0/24 || not_ok "del route: $FP_ERR"
before=$(stat hva no_route)
out=$(fp_vm a1 ping -c 1 -W 2 "${B_IP[b2]}" 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
after=$(stat hva no_route)
if echo "$out" | grep -qi "from $GW_A .*unreachable" && [ "$after" -gt "$before" ] 2>/dev/null; then
	ok "route deleted: no_route ($before -> $after), ICMP net unreachable from $GW_A"
else
	not_ok "route deleted: no_route ($before -> $after), ICMP net unreachable from $GW_A"
fi
finish
