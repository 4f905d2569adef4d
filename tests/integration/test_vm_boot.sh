#!/usr/bin/env bash
# What a VM needs to boot, answered by the engine from the tables
# fp-control compiles from Neutron's subnets (doc/routing.md "The
# compiler: DHCP and router advertisements"): the lib.sh topology (two
# hypervisors with fp-dpdk and fp-control each), tenant A's net-a (VXLAN
# 100, MTU 1400) with a DHCP-enabled IPv4 subnet 10.100.0.0/24 (gateway
# .254, a DNS server, a host route) and an IPv6 slaac subnet
# fd00:100::/64, both behind the distributed router r-a.  a1 (on hva) and
# a2 (on hvb) start without addresses.  Checked:
#   - both fp-control in sync; no "not served" problem on fp-dpdk; dhcp
#     and ra entries installed;
#   - a2 gets its port's address by DHCP (udhcpc) on hvb;
#   - port-a1 created (PUT) on hva, then a1's udhcpc gets 10.100.0.1/24,
#     the gateway as default route, MTU 1400, the DNS server and the
#     classless routes (option 121); the time from the PUT to the lease is
#     printed (issue 11's target: < 100 ms of flowplane's own time; a
#     report, not an assertion);
#   - a1 makes its SLAAC address (EUI-64 of its MAC) from the router's
#     advertisement, with a default route via the router's link-local
#     address;
#   - a1 pings its gateway (IPv4, IPv6) and a2 across hosts;
#   - the subnet's dns_nameservers changed: a1's renewed lease carries the
#     new server;
#   - both engines: rx = tx + drop + punt.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces or
# udhcpc.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpvb-}
. "$(dirname "$0")/lib.sh"

NET_MTU=1400
GW4=10.100.0.254
GW6=fd00:100::fe
DNS1=10.100.0.53
DNS2=10.100.0.54
RIF_MAC=fa:16:3e:aa:00:01
RIF_LL=fe80::f816:3eff:feaa:1 # EUI-64 of RIF_MAC
DHCP_VMS="a1 a2"

fp_config_extra() { fp_control_config "$1"; }

fp_finish_diag() {
	local hv
	for hv in $FP_HVS; do
		echo "# --- $hv: fpctl show drops / dhcp / ra; fp-control log"
		{
			fp_ctl "$hv" show drops | grep -v " 0$"
			fp_ctl "$hv" dump dhcp
			fp_ctl "$hv" dump ra
			tail -n 20 "$(fp_ctrl_log "$hv")"
		} 2>&1 | sed 's/^/#   /'
	done
}

# eui64 MAC PREFIX: the SLAAC address of MAC in PREFIX (a /64, "fd00:100::"),
# as ip(8) prints it.
eui64() {
	/usr/bin/python3 -c 'import ipaddress, sys
m = bytes.fromhex(sys.argv[1].replace(":", ""))
iid = bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:6]
p = ipaddress.ip_address(sys.argv[2]).packed[:8]
print(ipaddress.ip_address(p + iid))' "$1" "$2"
}

# vm_port VM: VM's Neutron port: the subnet's address, the SLAAC one
# (Neutron gives a slaac subnet's port its EUI-64 address).
vm_port() {
	local vm=$1
	jq -nc --arg vm "$vm" --arg mac "${FP_MAC[$vm]}" --arg ip4 "${FP_VM_IP4[$vm]}" \
		--arg ip6 "$(eui64 "${FP_MAC[$vm]}" fd00:100::)" --arg hv "${FP_VM_HV[$vm]}" \
		'{id: ("port-" + $vm), network_id: "net-a", mac_address: $mac, admin_state_up: true,
		  device_owner: "compute:nova", device_id: ("vm-" + $vm),
		  fixed_ips: [{subnet_id: "net-a-v4", ip_address: $ip4},
			      {subnet_id: "net-a-v6", ip_address: $ip6}],
		  security_groups: ["sg-open"], port_security_enabled: true,
		  "binding:host_id": $hv, "binding:profile": {flowplane_port: $vm}}'
}

# subnet_v4 DNS...: net-a's IPv4 subnet with these DNS servers.
subnet_v4() {
	jq -nc --arg gw "$GW4" --args '{id: "net-a-v4", network_id: "net-a", ip_version: 4,
		cidr: "10.100.0.0/24", gateway_ip: $gw, enable_dhcp: true,
		dns_nameservers: $ARGS.positional,
		host_routes: [{destination: "10.200.0.0/16", nexthop: $gw}]}' "$@"
}

# snapshot: net-a, its subnets, r-a's interface, port-a2 (port-a1 comes later).
snapshot() {
	local hosts
	hosts=$(for hv in $FP_HVS; do
		jq -nc --arg id "$hv" --arg v "${FP_HV_VTEP4[$hv]}" --arg m "${FP_MAC[$hv-ul]}" \
			'{id: $id, vtep_addresses: [$v], underlay_mac: $m}'
	done | jq -sc .)
	jq -nc --argjson h "$hosts" --argjson mtu "$NET_MTU" --argjson s4 "$(subnet_v4 "$DNS1")" \
		--argjson a2 "$(vm_port a2)" --arg gw6 "$GW6" --arg gw4 "$GW4" --arg rmac "$RIF_MAC" \
		'{hosts: $h,
		  networks: [{id: "net-a", "provider:network_type": "vxlan",
			      "provider:segmentation_id": 100, mtu: $mtu, admin_state_up: true}],
		  subnets: [$s4, {id: "net-a-v6", network_id: "net-a", ip_version: 6,
			      cidr: "fd00:100::/64", gateway_ip: $gw6, enable_dhcp: true,
			      ipv6_ra_mode: "slaac", ipv6_address_mode: "slaac"}],
		  routers: [{id: "r-a", admin_state_up: true, distributed: true}],
		  ports: [$a2, {id: "rif-net-a", network_id: "net-a", mac_address: $rmac,
			       admin_state_up: true, device_owner: "network:router_interface_distributed",
			       device_id: "r-a", port_security_enabled: false,
			       fixed_ips: [{subnet_id: "net-a-v4", ip_address: $gw4},
					   {subnet_id: "net-a-v6", ip_address: $gw6}]}],
		  security_groups: [{id: "sg-open", stateful: true, security_group_rules: [
		    {id: "o-e4", direction: "egress", ethertype: "IPv4"},
		    {id: "o-e6", direction: "egress", ethertype: "IPv6"},
		    {id: "o-i4", direction: "ingress", ethertype: "IPv4"},
		    {id: "o-i6", direction: "ingress", ethertype: "IPv6"}]}]}'
}

# The udhcpc script: configures eth0 as busybox's default script would (no
# resolv.conf: the namespace shares the host's) and records the lease.
write_script() {
	cat >"$FP_TMP/udhcpc.sh" <<'EOF'
#!/bin/sh
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	;;
bound | renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
	[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
	{
		echo "ip=$ip"
		echo "mask=$mask"
		echo "router=$router"
		echo "dns=$dns"
		echo "mtu=$mtu"
		echo "lease=$lease"
		echo "serverid=$serverid"
		echo "staticroutes=$staticroutes"
	} >"$FP_DHCP_OUT"
	;;
esac
exit 0
EOF
	chmod +x "$FP_TMP/udhcpc.sh"
}

# dhcp VM: run udhcpc in VM until it has a lease (at most ~5 s); the lease
# in $FP_TMP/VM.lease.
dhcp() {
	local vm=$1
	rm -f "$FP_TMP/$vm.lease"
	fp_vm "$vm" env FP_DHCP_OUT="$FP_TMP/$vm.lease" timeout 10 udhcpc -i eth0 -f -q -n \
		-t 5 -T 1 -s "$FP_TMP/udhcpc.sh" -O mtu -O staticroutes \
		>>"$FP_TMP/$vm-udhcpc.log" 2>&1 && [ -s "$FP_TMP/$vm.lease" ]
}

# lease VM KEY: a value of VM's last lease.
lease() { sed -n "s/^$2=//p" "$FP_TMP/$1.lease" 2>/dev/null; }

# has_addr VM ADDR/LEN: eth0 holds it.  (The output is read whole: grep
# -q stopping early would fail the pipeline with SIGPIPE under pipefail.)
has_addr() {
	local out
	out=$(ip -n "$(fp_ns "$1")" addr show dev eth0) || return 1
	grep -qw "inet6\? $2" <<<"$out"
}

default_via() { # VM FAMILY GATEWAY: the VM's default route goes via GATEWAY
	local out
	out=$(ip -n "$(fp_ns "$1")" "-$2" route show default) || return 1
	grep -q "via $3 dev eth0" <<<"$out"
}

# slaac_on VM: IPv6 autoconfiguration on; the kernel solicits a router
# every second until one answers (the link cycled to start it).
slaac_on() {
	fp_vm "$1" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
		net.ipv6.conf.eth0.addr_gen_mode=0 net.ipv6.conf.eth0.router_solicitations=-1 \
		net.ipv6.conf.eth0.router_solicitation_interval=1 \
		net.ipv6.conf.eth0.router_solicitation_max_interval=1 || return 1
	ip -n "$(fp_ns "$1")" link set eth0 down && ip -n "$(fp_ns "$1")" link set eth0 up
}

# wait_for SECONDS CMD...: CMD true within SECONDS.
wait_for() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# now_ns: monotonic enough (wall clock, ns).
now_ns() { date +%s%N; }

# The DHCP exchange on the wire between a1 and hva: a raw socket notes the
# time each DHCP message (its type from option 53) arrives on an interface
# (the hypervisor's end sees the requests, a1's eth0 the answers: a packet
# socket does not see what another packet socket sends); prints
# "type time" lines until the ACK.  Ready when its file (argv 1) exists.
write_sniffer() {
	cat >"$FP_TMP/sniff.py" <<'EOF'
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((sys.argv[2], 0x0800))
s.settimeout(0.5)
open(sys.argv[1], "w").close()
seen, end = {}, time.time() + 15
while time.time() < end and not (5 in seen or (3 in seen and sys.argv[3] == "req")):
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    t = time.time()
    if len(f) < 14 + 20 + 8 + 240 or f[14 + 9] != 17:
        continue
    ihl = (f[14] & 15) * 4
    sport, dport = struct.unpack("!HH", f[14 + ihl:14 + ihl + 4])
    if {sport, dport} != {67, 68}:
        continue
    o = 14 + ihl + 8 + 240
    while o + 2 <= len(f) and f[o] != 255:
        if f[o] == 0:
            o += 1
            continue
        if f[o] == 53:
            seen.setdefault(f[o + 2], t)
            break
        o += 2 + f[o + 1]
for k in sorted(seen):
    print(k, "%.6f" % seen[k])
EOF
}

# sniff_start NS IFACE WHAT NAME: a sniffer in namespace NS (req: until the
# REQUEST, else until the ACK) writing $FP_TMP/NAME.times.
sniff_start() {
	rm -f "$FP_TMP/$4.ready"
	ip netns exec "$1" /usr/bin/python3 "$FP_TMP/sniff.py" "$FP_TMP/$4.ready" "$2" "$3" \
		>"$FP_TMP/$4.times" 2>&1 &
	SNIFF_PIDS+=" $!"
}

# sniffed_ms FROM TO: ms between message type FROM (the hypervisor's end)
# and TO (a1's), or "?".
sniffed_ms() {
	awk -v a="$1" -v b="$2" 'FNR == NR && $1 == a { ta = $2 } FNR != NR && $1 == b { tb = $2 }
		END { if (ta && tb) printf "%.1f\n", (tb - ta) * 1000; else print "?" }' \
		"$FP_TMP/hv.times" "$FP_TMP/vm.times"
}

# first_lease: PUT port-a1 on hva, then udhcpc in a1; sets the times (ms):
# TOTAL_MS from the PUT to the lease, PUT_MS the PUT's answer, then the
# engine's answers on the wire (OFFER_MS: DISCOVER in -> OFFER out,
# ACK_MS: REQUEST -> ACK) and fp-control's own time for the PUT (API_MS,
# its log).
first_lease() {
	local t0 t1 t2 body i times pid
	body="{\"port\": $(vm_port a1)}"
	SNIFF_PIDS=""
	sniff_start "$(fp_ns hva)" hva-a1 req hv
	sniff_start "$(fp_ns a1)" eth0 ack vm
	for ((i = 0; i < 100; i++)); do
		[ -e "$FP_TMP/hv.ready" ] && [ -e "$FP_TMP/vm.ready" ] && break
		sleep 0.05
	done
	t0=$(now_ns)
	fp_api hva PUT /v1/ports/port-a1 "$body"
	t1=$(now_ns)
	if [ "$FP_CODE" != 200 ]; then
		echo "# PUT port-a1 on hva: $FP_CODE $FP_BODY"
		return 1
	fi
	dhcp a1 || return 1
	t2=$(now_ns)
	for pid in $SNIFF_PIDS; do
		wait "$pid"
	done
	OFFER_MS=$(sniffed_ms 1 2)
	ACK_MS=$(sniffed_ms 3 5)
	PUT_MS=$(((t1 - t0) / 1000000))
	TOTAL_MS=$(((t2 - t0) / 1000000))
	times=$(grep -o 'PUT /v1/ports/port-a1 200 [0-9.]* ms' "$(fp_ctrl_log hva)" | tail -n 1)
	API_MS=$(awk '{ print $4 }' <<<"$times")
}

main() {
	local hv a1_ip6
	fp_init_or_exit
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_need_tools curl jq udhcpc
	fp_install_traps
	trap fp_control_cleanup EXIT
	if ! fp_topo_create || ! fp_start_all; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	# The DHCP VMs start bare: no address, the network's MTU unknown.
	for vm in $DHCP_VMS; do
		ip -n "$(fp_ns "$vm")" addr flush dev eth0 scope global
	done
	write_script
	write_sniffer
	if ! slaac_on a1; then
		not_ok "a1: IPv6 autoconfiguration on"
		finish
	fi
	fp_control_start_all
	ok "fp-dpdk and fp-control up on both hypervisors"

	check "snapshot (net-a, DHCP and slaac subnets, r-a, port-a2) accepted by both" \
		fp_api_all PUT /v1/snapshot "$(snapshot)"
	check "hvb knows port-a1 (bound to hva)" fp_api hvb PUT /v1/ports/port-a1 \
		"{\"port\": $(vm_port a1)}"
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
		check "$hv: no subnet problem (fp-dpdk serves DHCP and RAs)" \
			[ "$(fp_tables "$hv" '[.problems[] | select(.collection == "subnets")] |
				length')" = 0 ]
	done
	check "hvb: a dhcp entry (a2) and an ra entry (net-a)" \
		[ "$(fp_tables hvb '"\(.counts.dhcp) \(.counts.ra)"')" = "1 1" ]

	echo "# === a2 on hvb"
	check "a2 gets a lease by DHCP" dhcp a2
	check "a2 has its port's address ${FP_VM_IP4[a2]}/24" has_addr a2 "${FP_VM_IP4[a2]}/24"

	echo "# === port-a1 created on hva, a1 asks at once"
	check "PUT port-a1 on hva, then a1's udhcpc has a lease" first_lease
	echo "# port created (PUT) -> DHCP lease in a1: ${TOTAL_MS:-?} ms wall (curl's PUT" \
		"${PUT_MS:-?} ms, then udhcpc's start, exchange and script);" \
		"flowplane's own: PUT ${API_MS:-?} ms (fp-control) + OFFER ${OFFER_MS:-?} ms" \
		"+ ACK ${ACK_MS:-?} ms (request in at hva's port -> answer at a1);" \
		"load $(cut -d' ' -f1-3 /proc/loadavg)"
	check "a1's lease is its port's address" [ "$(lease a1 ip)" = "${FP_VM_IP4[a1]}" ]
	check "a1 has ${FP_VM_IP4[a1]}/24" has_addr a1 "${FP_VM_IP4[a1]}/24"
	check "a1's default route via the gateway $GW4" default_via a1 4 "$GW4"
	check "a1's MTU is the network's ($NET_MTU)" \
		[ "$(fp_vm a1 cat /sys/class/net/eth0/mtu)" = "$NET_MTU" ]
	check "a1's DNS server is the subnet's ($DNS1)" [ "$(lease a1 dns)" = "$DNS1" ]
	check "a1's lease is 86400 s" [ "$(lease a1 lease)" = 86400 ]
	check "a1's server is the gateway" [ "$(lease a1 serverid)" = "$GW4" ]
	check "a1's classless routes: default and the host route" \
		[ "$(lease a1 staticroutes)" = "0.0.0.0/0 $GW4 10.200.0.0/16 $GW4" ]

	echo "# === IPv6 by SLAAC"
	a1_ip6=$(eui64 "${FP_MAC[a1]}" fd00:100::)
	check "a1 makes its SLAAC address $a1_ip6/64" wait_for 10 has_addr a1 "$a1_ip6/64"
	check "a1's IPv6 default route via the router's link-local $RIF_LL" \
		wait_for 5 default_via a1 6 "$RIF_LL"

	echo "# === the gateway, and a2 across hosts"
	fp_vm_flush a1
	check "a1 pings its gateway $GW4" fp_vm_ping a1 "$GW4" 3
	check "a1 pings its IPv6 gateway $GW6" fp_vm_ping a1 "$GW6" 3
	check "a1 pings a2 (${FP_VM_IP4[a2]}) on hvb" fp_vm_ping a1 "${FP_VM_IP4[a2]}" 3

	echo "# === dns_nameservers changed"
	check "PUT net-a-v4 with DNS $DNS2 on both" fp_api_all PUT /v1/subnets/net-a-v4 \
		"{\"subnet\": $(subnet_v4 "$DNS2")}"
	check "hva in sync" fp_wait_in_sync hva
	check "a1's new lease carries $DNS2" dhcp a1
	check "... and only it" [ "$(lease a1 dns)" = "$DNS2" ]

	for hv in $FP_HVS; do
		check "$hv: rx = tx + drop + punt" fp_balanced "$hv"
	done
	finish
}

main "$@"
