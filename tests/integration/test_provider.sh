#!/usr/bin/env bash
# Provider networks on fp-dpdk (doc/routing.md "Provider networks"), with
# real traffic over a physical network, not tunnels:
#
#   ns <P>a1 ─ hva ─ hva-ph ┐   ns <P>sw: br0 (a plain Linux bridge:   ┌ hvb-ph ─ hvb ─ ns <P>a2
#   ns <P>b1 ─┘             └── sw-hva      the physical switch)  sw-hvb ┘             └─ ns <P>b2
#                                          sw-out ── out0 (ns <P>out: the outside host)
#
# Each hypervisor runs fp-dpdk with VM ports a1/b1 (a2/b2) and a port of
# role physical (an af_packet port on a veth whose peer is on the bridge).
# Tenant A's network is VLAN 100, tenant B's VLAN 200, with the same
# addresses (10.100.0.0/24); an outside host is on VLAN 100 through a
# VLAN subinterface.  Installed with fpctl: segments (physical port,
# vlan) -> the provider network (FP_NET_PROVIDER | n), the remote VMs'
# fdb entries -> phys (tagged), flood lists = the local port + the
# physical port.  The outside host is tests/integration/vlan_host.py on
# out0: this machine's kernel has no 802.1Q devices (no 8021q, no bridge
# VLAN filtering), so it speaks tagged Ethernet itself (ARP and ICMP
# echo, answering and asking).  Then:
#   - a1 pings a2 and b1 pings b2 across hosts: the echo requests reach
#     the right VM only (VLAN isolation, same addresses), tagged on the
#     wire (tshark on the switch: VLAN 100 and 200 ICMP), no
#     encapsulation (fp-dpdk's encap counter stays 0);
#   - a1 pings the outside host on VLAN 100; b1 cannot (VLAN 200);
#   - a frame on VLAN 300 (no segment) is dropped as unknown_segment;
#   - tenant B moved to a flat network (the untagged segment): b1 pings
#     b2 and the outside host on out0, untagged on the wire;
#   - fp-control then compiles the same from Neutron's resources (vlan
#     networks on physnet1, the hosts' bridge_mappings, security groups
#     on the VM ports): segments installed, pings across hosts tagged.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
NET_A=$((0x1000001))	# FP_NET_PROVIDER | 1: tenant A's vlan network
NET_B=$((0x1000002))	# FP_NET_PROVIDER | 2: tenant B's network
VLAN_A=100
VLAN_B=200
PH_PORT=2		# the physical port's logical id on both hypervisors
OUT_IP=10.100.0.9
VLAN_HOST=$(dirname "$0")/vlan_host.py
OUT_MAC=02:00:00:0e:00:09
declare -A PH_MAC=([hva]=02:00:00:0f:00:01 [hvb]=02:00:00:0f:00:02)
declare -A CHASSIS=([hva]=02:00:00:cc:00:01 [hvb]=02:00:00:cc:00:02)
declare -A NET=([a1]=$NET_A [a2]=$NET_A [b1]=$NET_B [b2]=$NET_B)
declare -A VLAN=([a1]=$VLAN_A [a2]=$VLAN_A [b1]=$VLAN_B [b2]=$VLAN_B)

# The hypervisors' fp-dpdk config: two VM ports and the physical port
# (lib.sh's fp_start writes it through this function).
fp_write_config() {
	local hv=$1 vm1 vm2
	read -r vm1 vm2 <<<"${FP_HV_VMS[$hv]}"
	cat >"$FP_TMP/$hv.conf" <<EOF
# fp-dpdk for $hv, written by tests/integration/test_provider.sh
host = "$hv";
vtep = { addresses = [ "${FP_HV_VTEP4[$hv]}" ]; };
eal = { args = [ "--no-huge", "-m", "$FP_EAL_MEM", "--no-shconf", "--no-pci",
	"--file-prefix", "fp_${hv}_$$", "-l", "0,1", "--log-level", "$FP_LOG_LEVEL" ]; };
ports = (
	{ name = "$vm1"; role = "vm"; devargs = "net_af_packet0,iface=$hv-$vm1,qpairs=1"; mtu = $FP_VM_MTU; },
	{ name = "$vm2"; role = "vm"; devargs = "net_af_packet1,iface=$hv-$vm2,qpairs=1"; mtu = $FP_VM_MTU; },
	{ name = "ph"; role = "physical"; devargs = "net_af_packet2,iface=$hv-ph,qpairs=1"; mtu = $FP_VM_MTU; }
);
workers = ( { lcore = 1; queues = ( { port = "$vm1"; queue = 0; }, { port = "$vm2"; queue = 0; },
	{ port = "ph"; queue = 0; } ); } );
mempool = { mbufs = 8191; cache = 128; };
tables = { vtep = $FP_VTEP_LIMIT; fdb = $FP_FDB_LIMIT; segment = 16; };
$FP_IDLE_CONF
control = { socket = "$(fp_sock "$hv")"; };
chassis_mac = "${CHASSIS[$hv]}";
$(fp_control_config "$hv")
EOF
}

# snapshot: lib.sh's Neutron snapshot with tenant A's network on VLAN
# 100 and tenant B's on VLAN 200 of physnet1, which both hosts map to
# their physical port (bridge_mappings); the VM ports keep port security
# and the open security group (filtered as on an overlay network).
snapshot() {
	fp_neutron_snapshot | $PY -c '
import json, sys
d = json.load(sys.stdin)
for h in d["hosts"]:
    h["bridge_mappings"] = {"physnet1": "ph"}
for n, vlan in zip(d["networks"], (100, 200)):
    n["provider:network_type"] = "vlan"
    n["provider:physical_network"] = "physnet1"
    n["provider:segmentation_id"] = vlan
json.dump(d, sys.stdout)'
}

# The physical network: a bridge in its own namespace, each hypervisor's
# physical port and the outside host on it.
phys_create() {
	local sw out hv
	sw=$(fp_ns sw)
	out=$(fp_ns out)
	ip netns add "$sw" && fp_ns_prepare "$sw" hv || return 1
	ip netns add "$out" && fp_ns_prepare "$out" vm || return 1
	ip -n "$sw" link add br0 type bridge || return 1
	for hv in $FP_HVS; do
		ip link add "$hv-ph" netns "$(fp_ns "$hv")" address "${PH_MAC[$hv]}" \
			mtu $FP_VM_MTU type veth peer name "sw-$hv" netns "$sw" mtu $FP_VM_MTU ||
			return 1
		ip netns exec "$(fp_ns "$hv")" ethtool -K "$hv-ph" tx off >/dev/null 2>&1
		ip -n "$(fp_ns "$hv")" link set "$hv-ph" promisc on up || return 1
		ip -n "$sw" link set "sw-$hv" master br0 up || return 1
	done
	ip link add out0 netns "$out" address $OUT_MAC mtu $FP_VM_MTU type veth \
		peer name sw-out netns "$sw" mtu $FP_VM_MTU || return 1
	# Tags stay in the frames (vlan_host.py and fp-dpdk's af_packet read them).
	ip netns exec "$out" ethtool -K out0 rxvlan off txvlan off >/dev/null 2>&1
	for hv in $FP_HVS; do
		ip netns exec "$(fp_ns "$hv")" ethtool -K "$hv-ph" rxvlan off txvlan off \
			>/dev/null 2>&1
	done
	ip -n "$sw" link set sw-out master br0 up || return 1
	ip -n "$sw" link set br0 up || return 1
	ip -n "$out" link set out0 up
}

# outside_serve VLAN: the outside host answers ARP and ping for $OUT_IP
# on VLAN (0: untagged), in the background.
OUT_PID=""
outside_serve() {
	[ -n "$OUT_PID" ] && kill "$OUT_PID" 2>/dev/null && wait "$OUT_PID" 2>/dev/null
	ip netns exec "$(fp_ns out)" $PY "$VLAN_HOST" serve out0 "$1" $OUT_IP $OUT_MAC \
		>"$FP_TMP/vlan_host.log" 2>&1 &
	OUT_PID=$!
	sleep 0.3
	kill -0 "$OUT_PID" 2>/dev/null
}

# outside_ping VLAN DST COUNT: the outside host pings DST on VLAN.
outside_ping() {
	ip netns exec "$(fp_ns out)" timeout 20 $PY "$VLAN_HOST" ping out0 "$1" $OUT_IP $OUT_MAC \
		"$2" "$3"
}

# program HV: the VM ports on their provider networks, the local and
# remote fdb entries, flood lists, neighbours and segments.
program() {
	local hv=$1 peer vm
	peer=${FP_HV_PEER[$hv]}
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" add port "${FP_VM_PORT[$vm]}" vni "${NET[$vm]}" \
			mac "${FP_MAC[$vm]}" vrf "${NET[$vm]}" mtu $FP_VM_MTU antispoof on \
			addr "${FP_VM_IP4[$vm]}/32" &&
			fp_ctl_v "$hv" add fdb "${NET[$vm]}" "${FP_MAC[$vm]}" \
				port "${FP_VM_PORT[$vm]}" || return 1
	done
	for vm in ${FP_HV_VMS[$peer]}; do
		fp_ctl_v "$hv" add fdb "${NET[$vm]}" "${FP_MAC[$vm]}" phys $PH_PORT \
			vlan "${VLAN[$vm]}" || return 1
	done
	for vm in $FP_VMS; do
		fp_ctl_v "$hv" add neigh "${NET[$vm]}" "${FP_VM_IP4[$vm]}" mac "${FP_MAC[$vm]}" \
			vni "${NET[$vm]}" || return 1
	done
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" add flood "${NET[$vm]}" port "${FP_VM_PORT[$vm]}" \
			phys $PH_PORT vlan "${VLAN[$vm]}" || return 1
	done
	fp_ctl_v "$hv" add segment $PH_PORT $VLAN_A $NET_A &&
		fp_ctl_v "$hv" add segment $PH_PORT $VLAN_B $NET_B
}

# b_flat HV: tenant B's network becomes flat: the untagged segment, its
# remote VM and flood list untagged.
b_flat() {
	local hv=$1 peer vm
	peer=${FP_HV_PEER[$hv]}
	fp_ctl_v "$hv" del segment $PH_PORT $VLAN_B || return 1
	for vm in ${FP_HV_VMS[$peer]}; do
		[ "${NET[$vm]}" = $NET_B ] || continue
		fp_ctl_v "$hv" add fdb $NET_B "${FP_MAC[$vm]}" phys $PH_PORT || return 1
	done
	for vm in ${FP_HV_VMS[$hv]}; do
		[ "${NET[$vm]}" = $NET_B ] || continue
		fp_ctl_v "$hv" add flood $NET_B port "${FP_VM_PORT[$vm]}" phys $PH_PORT || return 1
	done
	fp_ctl_v "$hv" add segment $PH_PORT 0 $NET_B
}

# stat HV NAME: one of fp-dpdk's counters or drop reasons.
stat() {
	fp_ctl "$1" --json show stats | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(d.get("stats", {}).get(sys.argv[1], d.get("drops", {}).get(sys.argv[1], -1)))' "$2"
}

# capture FILTER CMD...: tshark on the switch's port toward hva while CMD
# runs; prints the number of frames matching the display FILTER.
capture() {
	local filter=$1 pcap=$FP_TMP/sw.pcap err=$FP_TMP/tshark.err tpid i
	shift
	rm -f "$pcap" "$err"
	ip netns exec "$(fp_ns sw)" timeout 30 tshark -i sw-hva -p -q -n -a duration:20 \
		-w "$pcap" 2>"$err" &
	tpid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$err" 2>/dev/null && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.2
	"$@" >/dev/null 2>&1
	sleep 0.3
	kill -INT $tpid 2>/dev/null
	wait $tpid 2>/dev/null
	tshark -r "$pcap" -n -Y "$filter" 2>/dev/null | wc -l
}

fp_init_or_exit
fp_need_tools tshark
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create || ! phys_create || ! fp_start_all || ! outside_serve $VLAN_A; then
	not_ok "set up two hypervisors on a physical network: $FP_ERR"
	finish
fi
if program hva && program hvb; then
	ok "two hypervisors, physical ports on one bridge; VLAN $VLAN_A (tenant A), $VLAN_B (tenant B)"
else
	not_ok "program the provider networks: $FP_ERR"
	finish
fi
fp_ctl hva dump segment | sed 's/^/#   /'

# VM to VM across hosts, over the physical network, isolated by VLAN.
FP_CHECK_TAG="vlan"
fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2
fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
n=$(capture "vlan.id == $VLAN_A && icmp" fp_vm_ping a1 "${FP_VM_IP4[a2]}" 3)
[ "$n" -ge 6 ] 2>/dev/null && ok "a1 <-> a2 ICMP is tagged VLAN $VLAN_A on the physical network ($n frames)" ||
	not_ok "a1 <-> a2 ICMP is tagged VLAN $VLAN_A on the physical network ($n frames, want >= 6)"
n=$(capture "vlan.id == $VLAN_B && icmp" fp_vm_ping b1 "${FP_VM_IP4[b2]}" 3)
[ "$n" -ge 6 ] 2>/dev/null && ok "b1 <-> b2 ICMP is tagged VLAN $VLAN_B ($n frames)" ||
	not_ok "b1 <-> b2 ICMP is tagged VLAN $VLAN_B ($n frames, want >= 6)"
for hv in $FP_HVS; do
	e=$(stat "$hv" encap)
	[ "$e" = 0 ] && ok "$hv encapsulated nothing (encap $e): no tunnel" ||
		not_ok "$hv encapsulated nothing (encap $e)"
done
fp_check_isolated a1 b2 a2

# The outside host on VLAN 100: a1 reaches it, b1 (VLAN 200) does not.
if fp_vm_ping a1 $OUT_IP 3 >/dev/null 2>&1; then
	ok "a1 pings the outside host $OUT_IP on VLAN $VLAN_A"
else
	not_ok "a1 pings the outside host $OUT_IP on VLAN $VLAN_A"
fi
if out=$(outside_ping $VLAN_A "${FP_VM_IP4[a2]}" 3 2>&1); then
	ok "the outside host pings a2 (hvb) on VLAN $VLAN_A ($out)"
else
	not_ok "the outside host pings a2 (hvb) on VLAN $VLAN_A ($out)"
fi
fp_vm_flush b1
if fp_vm_ping b1 $OUT_IP 2 >/dev/null 2>&1; then
	not_ok "b1 (VLAN $VLAN_B) cannot reach the outside host on VLAN $VLAN_A"
else
	ok "b1 (VLAN $VLAN_B) cannot reach the outside host on VLAN $VLAN_A"
fi

# A VLAN no segment names: unknown_segment.
before=$(stat hva unknown_segment)
outside_ping 300 10.100.0.1 1 >/dev/null 2>&1
after=$(stat hva unknown_segment)
[ "$after" -gt "$before" ] 2>/dev/null &&
	ok "frames on VLAN 300 (no segment) are dropped as unknown_segment ($before -> $after)" ||
	not_ok "frames on VLAN 300 (no segment) are dropped as unknown_segment ($before -> $after)"

# Tenant B on a flat network: the untagged segment.
FP_CHECK_TAG="flat"
if b_flat hva && b_flat hvb; then
	ok "tenant B's network is now flat (untagged) on both hosts"
else
	not_ok "make tenant B's network flat: $FP_ERR"
	finish
fi
outside_serve 0 || not_ok "the outside host answers untagged"
fp_vm_flush b1
fp_vm_flush b2
fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
n=$(capture "!vlan && icmp" fp_vm_ping b1 "${FP_VM_IP4[b2]}" 3)
[ "$n" -ge 6 ] 2>/dev/null && ok "b1 <-> b2 ICMP is untagged on the physical network ($n frames)" ||
	not_ok "b1 <-> b2 ICMP is untagged on the physical network ($n frames, want >= 6)"
if fp_vm_ping b1 $OUT_IP 3 >/dev/null 2>&1; then
	ok "b1 pings the outside host $OUT_IP untagged (flat)"
else
	not_ok "b1 pings the outside host $OUT_IP untagged (flat)"
fi
fp_vm_flush a1
if fp_vm_ping a1 $OUT_IP 2 >/dev/null 2>&1; then
	not_ok "a1 (VLAN $VLAN_A) no longer reaches the outside host (now untagged)"
else
	ok "a1 (VLAN $VLAN_A) no longer reaches the outside host (now untagged)"
fi
FP_CHECK_TAG="vlan"
fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2

# fp-control compiles the same from Neutron's resources: vlan networks on
# physnet1, mapped to the physical port by each host's bridge_mappings.
FP_CHECK_TAG="fp-control"
fp_control_start_all
body=$(snapshot)
if fp_api_all PUT /v1/snapshot "$body"; then
	ok "fp-control takes a snapshot with two vlan networks on physnet1"
else
	not_ok "fp-control takes a snapshot with two vlan networks on physnet1"
fi
fp_check_in_sync_all "after the snapshot"
fp_api hva GET /v1/tables
probs=$(jq -c '.problems' <<<"$FP_BODY")
echo "# hva problems: $probs"
seg=$(fp_ctl hva dump segment)
printf '%s\n' "$seg" | sed 's/^/#   /'
if grep -q "^segment $PH_PORT $VLAN_A 167772[0-9][0-9]$" <<<"$seg" &&
	grep -q "^segment $PH_PORT $VLAN_B 167772[0-9][0-9]$" <<<"$seg" &&
	! jq -e '.[] | select(.collection == "networks")' <<<"$probs" >/dev/null; then
	ok "fp-control installed the segments (port $PH_PORT, VLAN $VLAN_A and $VLAN_B), no network problem"
else
	not_ok "fp-control installed the segments (port $PH_PORT, VLAN $VLAN_A and $VLAN_B), no network problem"
fi
for vm in a1 b1; do
	fp_vm_flush $vm
done
fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2
fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
n=$(capture "vlan.id == $VLAN_B && icmp" fp_vm_ping b1 "${FP_VM_IP4[b2]}" 3)
[ "$n" -ge 6 ] 2>/dev/null && ok "fp-control: b1 <-> b2 ICMP is tagged VLAN $VLAN_B ($n frames)" ||
	not_ok "fp-control: b1 <-> b2 ICMP is tagged VLAN $VLAN_B ($n frames, want >= 6)"
outside_serve $VLAN_A || not_ok "the outside host answers on VLAN $VLAN_A"
if fp_vm_ping a1 $OUT_IP 3 >/dev/null 2>&1; then
	ok "fp-control: a1 pings the outside host on VLAN $VLAN_A"
else
	not_ok "fp-control: a1 pings the outside host on VLAN $VLAN_A"
fi
for hv in $FP_HVS; do
	e=$(stat "$hv" encap)
	[ "$e" = 0 ] && ok "$hv encapsulated nothing (encap $e)" ||
		not_ok "$hv encapsulated nothing (encap $e)"
done

for hv in $FP_HVS; do
	fp_ctl "$hv" show drops | sed "s/^/#   $hv: /"
done
finish
