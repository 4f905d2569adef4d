#!/usr/bin/env bash
# Floating IPs end to end (doc/routing.md "Floating IPs"): the lib.sh
# topology (two hypervisors with fp-dpdk and fp-control each), re-addressed:
#   a1 on hva: net-a (VXLAN 100, 10.100.0.0/24), floating IP 172.24.4.100;
#   a2 on hvb: net-a2 (VXLAN 101, 10.101.0.0/24), no floating IP;
#   b1 on hva: an "outside" host on the external network net-ext (VXLAN
#              300, 172.24.4.0/24), 172.24.4.2;
#   b2 on hvb: another outside host, 172.24.4.1, the external subnet's
#              gateway;
#   router r-a (distributed) between net-a and net-a2, its gateway on
#   net-ext (172.24.4.10) with enable_snat: VMs without a floating IP do
#   not reach the outside (no gateway SNAT in flowplane: no_snat).
# The floating IP's own port (device_owner network:floatingip) gives its
# MAC.  Checked:
#   - both fp-control in sync, hva holds the nat pair, no floating IP
#     problem; hvb sends the floating IP's MAC to hva's vtep;
#   - b1 (same host) and b2 (other host) resolve the floating IP to its
#     MAC and ping it: the replies come from 172.24.4.100;
#   - TCP a1 -> b2 and a1 -> b1: the server sees 172.24.4.100 as the peer;
#   - a2 cannot reach the outside (hvb counts no_snat), and no echo request
#     reaches b2;
#   - rx = tx + drop + punt on both;
#   - the floating IP deleted: b2 no longer reaches 172.24.4.100 and a1 no
#     longer reaches the outside.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpfip-}
. "$(dirname "$0")/lib.sh"

FIP=172.24.4.100
FIP_MAC=fa:16:3e:f1:00:01
# lib.sh's associative arrays, re-addressed (shellcheck takes them for
# indexed ones here).
# shellcheck disable=SC2154
{
	FP_VM_IP4[a2]=10.101.0.2
	FP_VM_IP6[a2]=fd00:101::2
	FP_VM_IP4[b1]=172.24.4.2
	FP_VM_IP4[b2]=172.24.4.1
}
declare -A VM_NET=([a1]=net-a [a2]=net-a2 [b1]=net-ext [b2]=net-ext)
declare -A VM_GW4=([a1]=10.100.0.254 [a2]=10.101.0.254)
declare -A RIF_MAC=([net-a]=fa:16:3e:aa:00:01 [net-a2]=fa:16:3e:aa:00:02)

fp_config_extra() { fp_control_config "$1"; }

cleanup() {
	local hv
	for hv in "${!FP_CTRL_PID[@]}"; do
		fp_control_stop "$hv"
	done
	fp_teardown
}

fp_finish_diag() {
	local hv
	for hv in $FP_HVS; do
		echo "# --- $hv: fpctl show drops / nat / routes; fp-control log"
		{
			fp_ctl "$hv" show drops | grep -v " 0$"
			fp_ctl "$hv" dump nat
			fp_ctl "$hv" dump route
			tail -n 20 "$(fp_ctrl_log "$hv")"
		} 2>&1 | sed 's/^/#   /'
	done
}

# vm_port VM: VM's port, bound to its hypervisor, in the allow-all group;
# the outside hosts' ports have only the external subnet's IPv4 address.
vm_port() {
	local vm=$1 n=${VM_NET[$1]}
	jq -nc --arg vm "$vm" --arg n "$n" --arg mac "${FP_MAC[$vm]}" \
		--arg ip4 "${FP_VM_IP4[$vm]}" --arg ip6 "${FP_VM_IP6[$vm]}" \
		--arg hv "${FP_VM_HV[$vm]}" \
		'{id: ("port-" + $vm), network_id: $n, mac_address: $mac, admin_state_up: true,
		  device_owner: "compute:nova", device_id: ("vm-" + $vm),
		  fixed_ips: (if $n == "net-ext" then
				[{subnet_id: "sub-ext", ip_address: $ip4}]
			      else
				[{subnet_id: ($n + "-v4"), ip_address: $ip4},
				 {subnet_id: ($n + "-v6"), ip_address: $ip6}] end),
		  security_groups: ["sg-open"], port_security_enabled: true,
		  "binding:host_id": $hv, "binding:profile": {flowplane_port: $vm}}'
}

snapshot() {
	local hosts ports vm
	hosts=$(for hv in $FP_HVS; do
		jq -nc --arg id "$hv" --arg v "${FP_HV_VTEP4[$hv]}" --arg m "${FP_MAC[$hv-ul]}" \
			'{id: $id, vtep_addresses: [$v], underlay_mac: $m}'
	done | jq -sc .)
	ports=$(for vm in $FP_VMS; do vm_port "$vm"; done | jq -sc .)
	jq -nc --argjson h "$hosts" --argjson p "$ports" --arg fip "$FIP" --arg fmac "$FIP_MAC" \
		--arg ma "${RIF_MAC[net-a]}" --arg ma2 "${RIF_MAC[net-a2]}" --argjson mtu "$FP_VM_MTU" \
		'def net($id; $vni; $ext): {id: $id, "provider:network_type": "vxlan",
		    "provider:segmentation_id": $vni, mtu: $mtu, admin_state_up: true,
		    "router:external": $ext, port_security_enabled: true};
		 def subs($n; $p4; $p6): [{id: ($n + "-v4"), network_id: $n, ip_version: 4,
		    cidr: ($p4 + ".0/24"), gateway_ip: ($p4 + ".254"), enable_dhcp: false},
		   {id: ($n + "-v6"), network_id: $n, ip_version: 6, cidr: ($p6 + "::/64"),
		    gateway_ip: ($p6 + "::fe"), enable_dhcp: false}];
		 def rif($n; $p4; $p6; $mac): {id: ("rif-" + $n), network_id: $n, mac_address: $mac,
		    admin_state_up: true, device_owner: "network:router_interface_distributed",
		    device_id: "r-a", fixed_ips: [{subnet_id: ($n + "-v4"), ip_address: ($p4 + ".254")},
		      {subnet_id: ($n + "-v6"), ip_address: ($p6 + "::fe")}],
		    port_security_enabled: false};
		{hosts: $h,
		 networks: [net("net-a"; 100; false), net("net-a2"; 101; false),
			    net("net-ext"; 300; true)],
		 subnets: (subs("net-a"; "10.100.0"; "fd00:100") + subs("net-a2"; "10.101.0"; "fd00:101") +
		   [{id: "sub-ext", network_id: "net-ext", ip_version: 4, cidr: "172.24.4.0/24",
		     gateway_ip: "172.24.4.1", enable_dhcp: false}]),
		 ports: ($p + [rif("net-a"; "10.100.0"; "fd00:100"; $ma),
			       rif("net-a2"; "10.101.0"; "fd00:101"; $ma2),
			       {id: "rgw-r-a", network_id: "net-ext", mac_address: "fa:16:3e:ee:00:0a",
				admin_state_up: true, device_owner: "network:router_gateway",
				device_id: "r-a", port_security_enabled: false,
				fixed_ips: [{subnet_id: "sub-ext", ip_address: "172.24.4.10"}]},
			       {id: "fipport-a1", network_id: "net-ext", mac_address: $fmac,
				admin_state_up: true, device_owner: "network:floatingip",
				device_id: "fip-a1", port_security_enabled: false,
				fixed_ips: [{subnet_id: "sub-ext", ip_address: $fip}]}]),
		 routers: [{id: "r-a", admin_state_up: true, distributed: true,
			    external_gateway_info: {network_id: "net-ext", enable_snat: true,
			      external_fixed_ips: [{subnet_id: "sub-ext",
						    ip_address: "172.24.4.10"}]}}],
		 floatingips: [{id: "fip-a1", floating_network_id: "net-ext",
				floating_ip_address: $fip, port_id: "port-a1",
				fixed_ip_address: "10.100.0.1", router_id: "r-a"}],
		 security_groups: [{id: "sg-open", stateful: true, security_group_rules: [
		    {id: "o-e4", direction: "egress", ethertype: "IPv4"},
		    {id: "o-e6", direction: "egress", ethertype: "IPv6"},
		    {id: "o-i4", direction: "ingress", ethertype: "IPv4"},
		    {id: "o-i6", direction: "ingress", ethertype: "IPv6"}]}]}'
}

vm_routes() {
	local vm
	for vm in a1 a2; do
		ip -n "$(fp_ns "$vm")" route replace default via "${VM_GW4[$vm]}" dev eth0 || return 1
	done
}

tables() {
	fp_api "$1" GET /v1/tables
	jq -r "$2" <<<"$FP_BODY"
}

stat() {
	fp_ctl "$1" --json show stats 2>/dev/null | jq -r --arg n "$2" '.stats[$n] // empty'
}

drops() {
	fp_ctl "$1" --json show drops 2>/dev/null | jq -r --arg n "$2" '.drops[$n] // 0'
}

balanced() {
	fp_ctl "$1" --json show stats 2>/dev/null |
		jq -e '.stats.rx == .stats.tx + .stats.drop + .stats.punt' >/dev/null
}

# ping_from_fip VM: VM pings the floating IP; every reply comes from it.
ping_from_fip() {
	local out
	out=$(fp_vm "$1" timeout 8 ping -n -c 3 -i 0.2 -W 2 "$FIP" 2>&1)
	if grep -q "3 received" <<<"$out" && ! grep "bytes from" <<<"$out" | grep -vq "from $FIP:"
	then
		return 0
	fi
	sed 's/^/#   /' <<<"$out"
	return 1
}

# tcp_peer SERVER CLIENT: a TCP connection CLIENT -> SERVER:8080; prints
# the peer address SERVER's listener saw.
tcp_peer() {
	local srv=$1 cli=$2 out="$FP_TMP/peer-$1" i
	rm -f "$out"
	fp_vm "$srv" timeout 10 /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(1)
c, a = s.accept()
c.sendall(b"hello\n")
print(a[0], flush=True)
c.close()' >"$out" 2>&1 &
	for ((i = 0; i < 50; i++)); do
		fp_vm "$srv" ss -ltn 2>/dev/null | grep -q ':8080 ' && break
		sleep 0.1
	done
	fp_vm "$cli" timeout 5 /usr/bin/python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 8080), 3)
c.recv(16)
c.close()' "${FP_VM_IP4[$srv]}" >/dev/null 2>&1
	wait $! 2>/dev/null
	cat "$out"
}

peer_is_fip() {
	local peer
	peer=$(tcp_peer "$1" "$2")
	[ "$peer" = "$FIP" ] && return 0
	echo "#   peer seen by $1: '$peer'"
	return 1
}

no_ping() { ! fp_vm_ping "$1" "$2" 2 >/dev/null 2>&1; }

main() {
	local hv r0 r1 d0
	fp_init_or_exit
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_need_tools curl jq ss
	fp_install_traps
	trap cleanup EXIT
	if ! fp_topo_create || ! fp_start_all; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	if ! vm_routes; then
		not_ok "the VMs' default routes through their gateways"
		finish
	fi
	fp_control_start_all
	ok "fp-dpdk and fp-control up on both hypervisors"

	check "snapshot with a router, a floating IP, an external network accepted by both" \
		fp_api_all PUT /v1/snapshot "$(snapshot)"
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
		check "$hv: no floating IP problem" \
			[ "$(tables "$hv" '[.problems[] | select(.collection == "floatingips")] |
				length')" = 0 ]
	done
	check "hva holds the nat pair of 10.100.0.1 <-> $FIP" \
		[ "$(fp_ctl hva dump nat | grep -c "$FIP")" = 2 ]
	check "hvb holds no nat entry (a1 is on hva)" [ -z "$(fp_ctl hvb dump nat)" ]

	echo "# === the outside reaches the floating IP"
	for vm in $FP_VMS; do fp_vm_flush "$vm"; done
	check "b1 (hva, a1's host) pings $FIP, replies from $FIP" ping_from_fip b1
	check "b1 resolves $FIP to the floating IP's MAC" \
		[ "$(fp_vm_neigh_mac b1 "$FIP")" = "$FIP_MAC" ]
	check "b2 (hvb, another host) pings $FIP, replies from $FIP" ping_from_fip b2
	check "b2 resolves $FIP to the floating IP's MAC" \
		[ "$(fp_vm_neigh_mac b2 "$FIP")" = "$FIP_MAC" ]

	echo "# === a1 reaches the outside from its floating IP"
	check "TCP a1 -> b2 (other host): b2 sees $FIP as the peer" peer_is_fip b2 a1
	check "TCP a1 -> b1 (same host): b1 sees $FIP as the peer" peer_is_fip b1 a1

	echo "# === a VM without a floating IP, router with enable_snat"
	d0=$(drops hvb no_snat)
	r0=$(fp_vm_snmp b2 InEchos)
	check "a2 does not reach the outside (172.24.4.1)" no_ping a2 172.24.4.1
	r1=$(fp_vm_snmp b2 InEchos)
	check "no echo request from a2 reached b2 (+$((r1 - r0)))" [ "$r1" = "$r0" ]
	check "hvb counts no_snat ($d0 -> $(drops hvb no_snat))" \
		[ "$(drops hvb no_snat)" -gt "$d0" ]
	check "a2 still reaches a1 across subnets" fp_vm_ping a2 "${FP_VM_IP4[a1]}" 3
	for hv in $FP_HVS; do
		check "$hv counts routed packets ($(stat "$hv" routed))" [ "$(stat "$hv" routed)" -gt 0 ]
		check "$hv: rx = tx + drop + punt" balanced "$hv"
	done

	echo "# === the floating IP deleted"
	check "DELETE fip-a1" fp_api_all DELETE /v1/floatingips/fip-a1
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
	done
	check "hva holds no nat entry" [ -z "$(fp_ctl hva dump nat)" ]
	check "b2 no longer reaches $FIP" no_ping b2 "$FIP"
	check "a1 no longer reaches the outside (no_snat)" no_ping a1 172.24.4.1
	finish
}

main "$@"
