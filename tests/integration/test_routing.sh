#!/usr/bin/env bash
# The distributed router end to end (doc/routing.md): the lib.sh topology
# (two hypervisors with fp-dpdk and fp-control each), re-addressed so that
# each tenant has two subnets behind one router, one subnet per host:
#   tenant A: net-a (VXLAN 100, 10.100.0.0/24, fd00:100::/64) with a1 on
#             hva, net-a2 (VXLAN 101, 10.101.0.0/24, fd00:101::/64) with a2
#             on hvb, router r-a on both;
#   tenant B: the same subnets on net-b (Geneve 200) and net-b2 (Geneve
#             201) with b1 and b2, router r-b.
# The routers' interfaces are unbound distributed ports (as Neutron DVR's
# and OVN's): every hypervisor routes for its VMs.  Checked:
#   - both fp-control in sync, route entries installed, no router problem;
#   - a1 resolves its gateway to r-a's interface MAC and pings it (the
#     router answers on a1's own host);
#   - a1 -> a2 across subnets and hosts, IPv4 and IPv6: the echo requests
#     reach a2 only, never b2 (same address, other tenant); the same for
#     tenant B;
#   - TTL 1 from a1 to a2: time exceeded from 10.100.0.254; from a2 to a1:
#     from 10.101.0.254 (hvb's router);
#   - a2 pings its gateways (answered on hvb);
#   - 10 MiB over TCP a1 -> a2 and a2 -> a1 with sha256;
#   - both engines count routed packets, and rx = tx + drop + punt;
#   - r-a's interface on net-a2 removed: a1 no longer reaches a2, while
#     tenant B still routes.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory,
# FP_ROUTING_ENGINE_B=xdp: the mixed cloud (test 'routing_mixed'), hvb on the
# XDP engine as in test_sg.sh's sg_mixed (fp-xdp on hvb-a2, hvb-b2, hvb-ul in
# a bpffs of the test's own, hvb's fp-control on backend "xdp"): a2 and b2
# are routed by the XDP program (their gateway pings, TTL 1, the way back,
# TCP a2 -> a1), a1 and b1 by fp-dpdk; the same checks.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_ROUTING_ENGINE_B=${FP_ROUTING_ENGINE_B:-dpdk}
case $FP_ROUTING_ENGINE_B in
dpdk) ;;
xdp)
	FP_PREFIX=${FP_PREFIX:-fprx-}
	;;
*)
	echo "not ok - FP_ROUTING_ENGINE_B: dpdk or xdp, not '$FP_ROUTING_ENGINE_B'"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac

FP_PREFIX=${FP_PREFIX:-fprt-}
. "$(dirname "$0")/lib.sh"
[ "$FP_ROUTING_ENGINE_B" = dpdk ] || fp_bpffs_own_ns "$@" # a bpffs of the test's own

FP_XDP_INSTANCE="${FP_PREFIX}rt-$$" # hvb's XDP instance (FP_ROUTING_ENGINE_B=xdp)
declare -A FP_HV_ENGINE=([hva]=dpdk [hvb]=$FP_ROUTING_ENGINE_B)

# The second subnet of each tenant is on hvb.
FP_VM_IP4[a2]=10.101.0.2
FP_VM_IP4[b2]=10.101.0.2
FP_VM_IP6[a2]=fd00:101::2
FP_VM_IP6[b2]=fd00:101::2
FP_VM_VNI[a2]=101
FP_VM_VNI[b2]=201
declare -A VM_NET=([a1]=net-a [a2]=net-a2 [b1]=net-b [b2]=net-b2)
# The gateways: .254 / ::fe (lib.sh's VMs hold .1 and .2).
declare -A VM_GW4=([a1]=10.100.0.254 [b1]=10.100.0.254 [a2]=10.101.0.254 [b2]=10.101.0.254)
declare -A VM_GW6=([a1]=fd00:100::fe [b1]=fd00:100::fe [a2]=fd00:101::fe [b2]=fd00:101::fe)
# The routers' interface MACs (Neutron gives each interface port its own).
declare -A RIF_MAC=([net-a]=fa:16:3e:aa:00:01 [net-a2]=fa:16:3e:aa:00:02
	[net-b]=fa:16:3e:bb:00:01 [net-b2]=fa:16:3e:bb:00:02)

fp_config_extra() { fp_engines_config "$1"; }

cleanup() { fp_engines_stop; }

fp_finish_diag() {
	local hv
	for hv in $FP_HVS; do
		echo "# --- $hv (${FP_HV_ENGINE[$hv]}): fpctl show drops / routes; fp-control log"
		{
			fp_engine_ctl "$hv" show drops | grep -v " 0$"
			fp_engine_ctl "$hv" dump route
			tail -n 20 "$(fp_ctrl_log "$hv")"
		} 2>&1 | sed 's/^/#   /'
	done
}

# network ID TYPE VNI
network() {
	jq -nc --arg id "$1" --arg t "$2" --argjson vni "$3" --argjson mtu "$FP_VM_MTU" \
		'{id: $id, "provider:network_type": $t, "provider:segmentation_id": $vni,
		  mtu: $mtu, admin_state_up: true, port_security_enabled: true}'
}

# subnets NET V4_PREFIX V6_PREFIX: the IPv4 and IPv6 subnets of NET (.254 the gateway).
subnets() {
	jq -nc --arg n "$1" --arg p4 "$2" --arg p6 "$3" \
		'[{id: ($n + "-v4"), network_id: $n, ip_version: 4, cidr: ($p4 + ".0/24"),
		   gateway_ip: ($p4 + ".254"), enable_dhcp: false},
		  {id: ($n + "-v6"), network_id: $n, ip_version: 6, cidr: ($p6 + "::/64"),
		   gateway_ip: ($p6 + "::fe"), enable_dhcp: false}]'
}

# rif ROUTER NET V4_PREFIX V6_PREFIX: ROUTER's interface on NET.
rif() {
	jq -nc --arg r "$1" --arg n "$2" --arg p4 "$3" --arg p6 "$4" --arg mac "${RIF_MAC[$2]}" \
		'{id: ("rif-" + $n), network_id: $n, mac_address: $mac, admin_state_up: true,
		  device_owner: "network:router_interface_distributed", device_id: $r,
		  fixed_ips: [{subnet_id: ($n + "-v4"), ip_address: ($p4 + ".254")},
			      {subnet_id: ($n + "-v6"), ip_address: ($p6 + "::fe")}],
		  port_security_enabled: false}'
}

# vm_port VM: VM's port, bound to its hypervisor, in the allow-all group.
vm_port() {
	local vm=$1
	jq -nc --arg vm "$vm" --arg n "${VM_NET[$vm]}" --arg mac "${FP_MAC[$vm]}" \
		--arg ip4 "${FP_VM_IP4[$vm]}" --arg ip6 "${FP_VM_IP6[$vm]}" \
		--arg hv "${FP_VM_HV[$vm]}" \
		'{id: ("port-" + $vm), network_id: $n, mac_address: $mac, admin_state_up: true,
		  device_owner: "compute:nova", device_id: ("vm-" + $vm),
		  fixed_ips: [{subnet_id: ($n + "-v4"), ip_address: $ip4},
			      {subnet_id: ($n + "-v6"), ip_address: $ip6}],
		  security_groups: ["sg-open"], port_security_enabled: true,
		  "binding:host_id": $hv, "binding:profile": {flowplane_port: $vm}}'
}

snapshot() {
	local hosts nets subs ports vm
	hosts=$(for hv in $FP_HVS; do
		jq -nc --arg id "$hv" --arg v "${FP_HV_VTEP4[$hv]}" --arg m "${FP_MAC[$hv-ul]}" \
			'{id: $id, vtep_addresses: [$v], underlay_mac: $m}'
	done | jq -sc .)
	nets=$(for n in "net-a vxlan 100" "net-a2 vxlan 101" "net-b geneve 200" \
		"net-b2 geneve 201"; do
		# shellcheck disable=SC2086
		network $n
	done | jq -sc .)
	subs=$(for n in "net-a 10.100.0 fd00:100" "net-a2 10.101.0 fd00:101" \
		"net-b 10.100.0 fd00:100" "net-b2 10.101.0 fd00:101"; do
		# shellcheck disable=SC2086
		subnets $n
	done | jq -sc 'add')
	ports=$({
		for vm in $FP_VMS; do vm_port "$vm"; done
		rif r-a net-a 10.100.0 fd00:100
		rif r-a net-a2 10.101.0 fd00:101
		rif r-b net-b 10.100.0 fd00:100
		rif r-b net-b2 10.101.0 fd00:101
	} | jq -sc .)
	# Both routers have a gateway on the shared external network net-ext
	# (VXLAN 300): r-a without SNAT, r-b with SNAT (not carried: a
	# problem; on fp-dpdk its VMs without a floating IP are no_snat, on
	# the XDP engine it has no default route).
	jq -nc --argjson h "$hosts" --argjson n "$nets" --argjson s "$subs" --argjson p "$ports" \
		'def gw($r; $ip; $snat): {network_id: "net-ext", enable_snat: $snat,
		    external_fixed_ips: [{subnet_id: "sub-ext", ip_address: $ip}]};
		 def gwport($r; $ip; $mac): {id: ("rgw-" + $r), network_id: "net-ext",
		    mac_address: $mac, admin_state_up: true, device_owner: "network:router_gateway",
		    device_id: $r, fixed_ips: [{subnet_id: "sub-ext", ip_address: $ip}],
		    port_security_enabled: false};
		{hosts: $h,
		  networks: ($n + [{id: "net-ext", "provider:network_type": "vxlan",
		    "provider:segmentation_id": 300, "router:external": true, mtu: 1500}]),
		  subnets: ($s + [{id: "sub-ext", network_id: "net-ext", ip_version: 4,
		    cidr: "172.24.4.0/24", gateway_ip: "172.24.4.1", enable_dhcp: false}]),
		  ports: ($p + [gwport("r-a"; "172.24.4.10"; "fa:16:3e:ee:00:0a"),
			      gwport("r-b"; "172.24.4.11"; "fa:16:3e:ee:00:0b")]),
		  routers: [{id: "r-a", admin_state_up: true, distributed: true,
			     external_gateway_info: gw("r-a"; "172.24.4.10"; false)},
			    {id: "r-b", admin_state_up: true, distributed: true,
			     external_gateway_info: gw("r-b"; "172.24.4.11"; true)}],
		  security_groups: [{id: "sg-open", stateful: true, security_group_rules: [
		    {id: "o-e4", direction: "egress", ethertype: "IPv4"},
		    {id: "o-e6", direction: "egress", ethertype: "IPv6"},
		    {id: "o-i4", direction: "ingress", ethertype: "IPv4"},
		    {id: "o-i6", direction: "ingress", ethertype: "IPv6"}]}]}'
}

# vm_routes: each VM's default routes through its gateway.
vm_routes() {
	local vm
	for vm in $FP_VMS; do
		ip -n "$(fp_ns "$vm")" route replace default via "${VM_GW4[$vm]}" dev eth0 || return 1
		ip -n "$(fp_ns "$vm")" -6 route replace default via "${VM_GW6[$vm]}" dev eth0 ||
			return 1
	done
}

# tables HV JQ: a jq expression over HV's GET /v1/tables.
tables() {
	fp_api "$1" GET /v1/tables
	jq -r "$2" <<<"$FP_BODY"
}

# stat HV NAME: one of HV's engine's counters.
stat() { fp_stat "$@"; }

balanced() {
	fp_engine_ctl "$1" --json show stats 2>/dev/null |
		jq -e '.stats.rx == .stats.tx + .stats.drop + .stats.punt' >/dev/null
}

# ttl_exceeded FROM TO: TTL 1 from FROM to TO: time exceeded from FROM's
# gateway (the router on FROM's host).
ttl_exceeded() {
	local out
	out=$(fp_vm "$1" timeout 5 ping -n -c 1 -t 1 -W 2 "${FP_VM_IP4[$2]}" 2>&1)
	grep -q "From ${VM_GW4[$1]} .*Time to live exceeded" <<<"$out" && return 0
	sed 's/^/#   /' <<<"$out"
	return 1
}

no_ping() { ! fp_vm_ping "$1" "$2" 2 >/dev/null 2>&1; }

# default_route HV: HV holds the routers' default routes toward net-ext's
# gateway through their gateway ports. Where the engine translates
# floating IPs (fp-dpdk) they are flagged external: r-a's 0x1, r-b's 0x3
# (enable_snat: a VM without a floating IP is dropped as no_snat, SNAT is
# not carried). Where it does not (the XDP engine), only r-a's, unflagged
# (r-b's SNAT is not carried: no default route).
default_route() {
	local routes
	routes=$(fp_engine_ctl "$1" dump route | grep ' 0.0.0.0/0 ')
	if declare -p FP_HV_ENGINE >/dev/null 2>&1 && [ "${FP_HV_ENGINE[$1]:-}" = xdp ]; then
		grep -q 'nexthop vni 300 mac fa:16:3e:ee:00:0a .*addr 172.24.4.1$' <<<"$routes" &&
			[ "$(wc -l <<<"$routes")" = 1 ]
		return
	fi
	grep -q 'nexthop vni 300 mac fa:16:3e:ee:00:0a .*addr 172.24.4.1 flags 0x1$' \
		<<<"$routes" &&
		grep -q 'nexthop vni 300 mac fa:16:3e:ee:00:0b .*addr 172.24.4.1 flags 0x3$' \
			<<<"$routes" &&
		[ "$(wc -l <<<"$routes")" = 2 ]
}

main() {
	local hv r0 r1
	fp_init_or_exit
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_need_tools curl jq nc
	if [ "$FP_ROUTING_ENGINE_B" = xdp ]; then
		FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
		fp_need_tools nsenter clang
		fp_need_built "$FP_XDP"
	fi
	fp_install_traps
	trap cleanup EXIT
	if ! fp_topo_create || ! fp_engines_start; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	if ! vm_routes; then
		not_ok "the VMs' default routes through their gateways"
		finish
	fi
	fp_control_start_all
	ok "engines (hva ${FP_HV_ENGINE[hva]}, hvb ${FP_HV_ENGINE[hvb]}) and fp-control up on both hypervisors"

	check "snapshot with two routers, four networks accepted by both" \
		fp_api_all PUT /v1/snapshot "$(snapshot)"
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
		check "$hv: route entries installed" [ "$(tables "$hv" '.counts.route')" -gt 0 ]
		check "$hv: the routers' only problem is r-b's SNAT (not carried)" \
			[ "$(tables "$hv" '[.problems[] | select(.collection == "routers") |
				"\(.id) \(.field)"] | join(",")')" = \
				"r-b external_gateway_info.enable_snat" ]
		check "$hv: the default routes via 172.24.4.1 (fp-dpdk: r-a, r-b external; xdp: r-a)" \
			default_route "$hv"
	done

	echo "# === the gateway, on the VM's own host"
	for vm in $FP_VMS; do fp_vm_flush "$vm"; done
	check "a1 pings its gateway ${VM_GW4[a1]}" fp_vm_ping a1 "${VM_GW4[a1]}" 3
	check "a1 resolves its gateway to r-a's MAC on net-a" \
		[ "$(fp_vm_neigh_mac a1 "${VM_GW4[a1]}")" = "${RIF_MAC[net-a]}" ]
	check "a1 pings its IPv6 gateway ${VM_GW6[a1]}" fp_vm_ping a1 "${VM_GW6[a1]}" 3
	check "a2 pings its gateway ${VM_GW4[a2]} (on hvb, ${FP_HV_ENGINE[hvb]})" \
		fp_vm_ping a2 "${VM_GW4[a2]}" 3
	check "a2 resolves its gateway to r-a's MAC on net-a2" \
		[ "$(fp_vm_neigh_mac a2 "${VM_GW4[a2]}")" = "${RIF_MAC[net-a2]}" ]
	check "a2 pings its IPv6 gateway ${VM_GW6[a2]}" fp_vm_ping a2 "${VM_GW6[a2]}" 3

	echo "# === across subnets and hosts"
	FP_CHECK_TAG="tenant A, IPv4" fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2
	FP_CHECK_TAG="tenant A, IPv6" fp_check_ping_to a1 "${FP_VM_IP6[a2]}" 6 a2 b2
	FP_CHECK_TAG="tenant A, back" fp_check_ping_to a2 "${FP_VM_IP4[a1]}" 4 a1 b1
	FP_CHECK_TAG="tenant B, IPv4" fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
	FP_CHECK_TAG="tenant B, IPv6" fp_check_ping_to b2 "${FP_VM_IP6[b1]}" 6 b1 a1
	FP_CHECK_TAG="tenant A, from hvb, IPv6" fp_check_ping_to a2 "${FP_VM_IP6[a1]}" 6 a1 b1
	check "TTL 1 a1 -> a2: time exceeded from ${VM_GW4[a1]}" ttl_exceeded a1 a2
	check "TTL 1 a2 -> a1: time exceeded from ${VM_GW4[a2]} (hvb)" ttl_exceeded a2 a1
	fp_check_tcp_transfer a1 a2
	fp_check_tcp_transfer a2 a1
	for hv in $FP_HVS; do
		check "$hv counts routed packets ($(stat "$hv" routed))" [ "$(stat "$hv" routed)" -gt 0 ]
		check "$hv: rx = tx + drop + punt" balanced "$hv"
	done

	echo "# === r-a leaves net-a2"
	check "DELETE r-a's interface on net-a2" fp_api_all DELETE /v1/ports/rif-net-a2
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
	done
	r0=$(fp_vm_snmp a2 InEchos)
	check "a1 no longer reaches a2" no_ping a1 "${FP_VM_IP4[a2]}"
	r1=$(fp_vm_snmp a2 InEchos)
	check "no echo request reached a2 (+$((r1 - r0)))" [ "$r1" = "$r0" ]
	check "tenant B still routes: b1 -> b2" fp_vm_ping b1 "${FP_VM_IP4[b2]}" 3
	finish
}

main "$@"
