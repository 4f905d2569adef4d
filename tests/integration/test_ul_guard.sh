#!/usr/bin/env bash
# The underlay guard against a real kernel VTEP (issue 10, item 5): the
# lib.sh topology with its underlay on a bridge (fp_underlay_bridge) and a
# third host on it, kv: a Linux namespace with a kernel vxlan device vx0
# (VNI 100, the served VNI of tenant A, toward hvb's VTEP 172.16.0.2) from
# its underlay address 172.16.0.9, and 10.100.0.9/24 on vx0.  fp-control on
# both hypervisors, every port in sg-open (security groups do not matter
# here).  The guard group is the default (both checks on) unless
# FP_UL_GUARD_CONF replaces it (e.g. to see the test fail with the guard
# off).
#   - kv not in the model (not in VNI 100's flood list, no fdb entry): its
#     pings of a2 are dropped on hvb as vtep_not_serving, one per frame,
#     and no echo request reaches a2; a1 (behind the listed VTEP of hva)
#     still pings a2;
#   - kv added to the model through fp-control (PUT /v1/hosts/kv and a
#     port of net-a bound to kv): kv and a2 ping each other;
#   - from kv, now a listed VTEP, vx0 sending with a2's MAC (a local port
#     of hvb), then with a1's MAC (which hvb's fdb places behind hva): the
#     frames are dropped as inner_src_mac_spoofed and reach no VM;
#   - vx0 back on its own MAC: kv pings a2 again.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run
# directory, FP_UL_GUARD_ENGINE_B=xdp: hvb on the XDP engine (test
# 'ul_guard_mixed'; fp-xdp in a bpffs of the test's own, as test_sg.sh),
# FP_UL_GUARD_CONF: config text in place of the default guard group.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_UL_GUARD_ENGINE_B=${FP_UL_GUARD_ENGINE_B:-dpdk}
case $FP_UL_GUARD_ENGINE_B in
dpdk) FP_PREFIX=${FP_PREFIX:-fpug-} ;;
xdp) FP_PREFIX=${FP_PREFIX:-fpugx-} ;;
*)
	echo "not ok - FP_UL_GUARD_ENGINE_B: dpdk or xdp, not '$FP_UL_GUARD_ENGINE_B'"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac
. "$(dirname "$0")/lib.sh"
[ "$FP_UL_GUARD_ENGINE_B" = dpdk ] || fp_bpffs_own_ns "$@"	# a bpffs of the test's own

FP_XDP_INSTANCE="${FP_PREFIX}ug-$$"	# hvb's XDP instance (FP_UL_GUARD_ENGINE_B=xdp)
declare -A FP_HV_ENGINE=([hva]=dpdk [hvb]=$FP_UL_GUARD_ENGINE_B)
FP_UL_GUARD_CONF=${FP_UL_GUARD_CONF:-}

KV_UL_IP=172.16.0.9		# kv's underlay address: its VTEP
KV_UL_MAC=02:00:00:16:00:09
KV_MAC=02:00:00:c9:00:01	# vx0's
KV_IP=10.100.0.9

fp_config_extra() {
	[ -z "$FP_UL_GUARD_CONF" ] || echo "$FP_UL_GUARD_CONF"
	fp_engines_config "$1"
}

cleanup() { fp_engines_stop; }

# kv_create: kv's namespace (IPv6 off), its underlay port eth0 on the
# bridge, vx0 (VNI 100 to hvb's VTEP, port 4789) with KV_IP; hvb's VTEP
# and a2 as static neighbours (no ARP across).
kv_create() {
	local kv
	kv=$(fp_ns kv)
	ip netns add "$kv" || { FP_ERR="ip netns add $kv"; return 1; }
	fp_ns_prepare "$kv" hv || { FP_ERR="sysctl in $kv"; return 1; }
	fp_underlay_join "$kv" eth0 "$KV_UL_MAC" || return 1
	ip -n "$kv" addr add "$KV_UL_IP/24" dev eth0 || return 1
	ip -n "$kv" neigh replace "${FP_HV_VTEP4[hvb]}" lladdr "${FP_MAC[hvb-ul]}" dev eth0 \
		nud permanent || return 1
	ip -n "$kv" link add vx0 address "$KV_MAC" mtu $FP_VM_MTU type vxlan id 100 \
		remote "${FP_HV_VTEP4[hvb]}" local "$KV_UL_IP" dstport 4789 dev eth0 ||
		{ FP_ERR="kernel vxlan device in $kv"; return 1; }
	ip -n "$kv" addr add "$KV_IP/24" dev vx0 || return 1
	ip -n "$kv" link set vx0 up || return 1
	ip -n "$kv" neigh replace "${FP_VM_IP4[a2]}" lladdr "${FP_MAC[a2]}" dev vx0 nud permanent
}

kv() { ip netns exec "$(fp_ns kv)" "$@"; }

# kv_mac MAC: vx0's MAC (and a2 as its static neighbour again: the
# link going down flushed it).
kv_mac() {
	local kv
	kv=$(fp_ns kv)
	ip -n "$kv" link set vx0 down && ip -n "$kv" link set vx0 address "$1" &&
		ip -n "$kv" link set vx0 up &&
		ip -n "$kv" neigh replace "${FP_VM_IP4[a2]}" lladdr "${FP_MAC[a2]}" dev vx0 \
			nud permanent
}

pings() { fp_vm_ping "$1" "$2" 3 >/dev/null 2>&1; }
kv_pings() { kv timeout 8 ping -q -n -c 3 -i 0.2 -W 2 "${FP_VM_IP4[a2]}" >/dev/null 2>&1; }

# kv_blocked WHAT REASON: kv pings a2 3 times; ok if no ping is answered,
# hvb counts at least 3 REASON drops and no echo request reaches a2 or a1.
kv_blocked() {
	local what=$1 why=$2 d0 d1 a0 a1 b0 b1 rc
	d0=$(fp_stat hvb "$why")
	a0=$(fp_vm_snmp a2 InEchos)
	b0=$(fp_vm_snmp a1 InEchos)
	kv_pings
	rc=$?
	d1=$(fp_stat hvb "$why")
	a1=$(fp_vm_snmp a2 InEchos)
	b1=$(fp_vm_snmp a1 InEchos)
	if [ $rc -ne 0 ] && [ $((d1 - d0)) -ge 3 ] && [ "$a0" = "$a1" ] && [ "$b0" = "$b1" ]; then
		ok "$what: hvb drops them as $why (+$((d1 - d0))), no echo request reaches a VM"
	else
		not_ok "$what: hvb drops them as $why" \
			"(ping rc $rc, $why +$((d1 - d0)), a2 InEchos +$((a1 - a0)), a1 +$((b1 - b0)))"
	fi
}

# kv_passes WHAT: kv pings a2; ok if answered and a2 saw the requests.
kv_passes() {
	local what=$1 a0 a1 rc
	a0=$(fp_vm_snmp a2 InEchos)
	kv_pings
	rc=$?
	a1=$(fp_vm_snmp a2 InEchos)
	if [ $rc -eq 0 ] && [ $((a1 - a0)) -ge 3 ]; then
		ok "$what: kv pings a2 (a2 InEchos +$((a1 - a0)))"
	else
		not_ok "$what: kv pings a2 (ping rc $rc, a2 InEchos +$((a1 - a0)))"
	fi
}

host_kv() {
	echo "{\"host\": {\"id\": \"kv\", \"vtep_addresses\": [\"$KV_UL_IP\"]," \
		"\"underlay_mac\": \"$KV_UL_MAC\"}}"
}

port_kv() {
	fp_neutron_port a1 "$KV_MAC" "$KV_IP" | jq -c '.id = "port-kv" | .name = "kv" |
		.device_id = "vm-kv" | .["binding:host_id"] = "kv" |
		.["binding:profile"] = {} | .fixed_ips |= [.[0]] | {port: .}'
}

main() {
	fp_init_or_exit
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_need_tools curl jq
	if [ "$FP_UL_GUARD_ENGINE_B" = xdp ]; then
		FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
		fp_need_tools nsenter clang
		fp_need_built "$FP_XDP"
	fi
	fp_install_traps
	trap cleanup EXIT
	if ! fp_topo_create || ! fp_underlay_bridge || ! kv_create || ! fp_engines_start; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	fp_control_start_all
	ok "hva on fp-dpdk, hvb on ${FP_HV_ENGINE[hvb]}, kv a kernel VTEP, on one underlay bridge"
	check "snapshot without kv accepted by both" fp_api_all PUT /v1/snapshot \
		"$(fp_neutron_snapshot)"
	fp_check_in_sync_all
	check "a1 (behind the listed VTEP of hva) pings a2" pings a1 "${FP_VM_IP4[a2]}"

	echo "# === kv is not in the model"
	kv_blocked "kv's VXLAN frames for VNI 100 from an unlisted VTEP" vtep_not_serving

	echo "# === kv added to the model through fp-control"
	check "PUT /v1/hosts/kv ($KV_UL_IP)" fp_api_all PUT /v1/hosts/kv "$(host_kv)"
	check "PUT port-kv: a port of net-a bound to kv ($KV_MAC, $KV_IP)" \
		fp_api_all PUT /v1/ports/port-kv "$(port_kv)"
	fp_check_in_sync_all
	kv_passes "kv a listed VTEP"
	check "a2 pings kv (hvb encapsulates to the kernel VTEP)" pings a2 "$KV_IP"

	echo "# === inner source MACs hvb's fdb places elsewhere, from the listed kv"
	check "vx0 takes a2's MAC (${FP_MAC[a2]}, a local port of hvb)" kv_mac "${FP_MAC[a2]}"
	kv_blocked "kv's frames with a2's MAC as source" inner_src_mac_spoofed
	check "vx0 takes a1's MAC (${FP_MAC[a1]}, behind hva)" kv_mac "${FP_MAC[a1]}"
	kv_blocked "kv's frames with a1's MAC as source" inner_src_mac_spoofed
	check "vx0 back on its own MAC" kv_mac "$KV_MAC"
	kv_passes "vx0 on its own MAC again"

	[ "$N_FAIL" -eq 0 ] || fp_engines_diag
	finish
}

main "$@"
