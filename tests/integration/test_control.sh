#!/usr/bin/env bash
# fp-control integration test: the lib.sh topology (two hypervisors, each
# fp-dpdk, two tenants with the same IP addresses), each hypervisor with its
# own fp-control; the test pushes Neutron JSON to both, as Neutron's ML2
# driver would, and checks what the VMs see:
#   - a snapshot (hosts, a VXLAN and a Geneve network, IPv4 and IPv6
#     subnets, ports on both hosts): VMs ping across hosts (IPv4, IPv6),
#     each tenant reaches only its own VM (the same IPs in both);
#   - GET /v1/tables: in sync, the expected entry counts;
#   - deleting a port stops traffic to it; putting it back restores it;
#   - changing a port's MAC and IP takes effect (and the old IP is gone);
#   - an update with a lower revision_number is ignored;
#   - a continuous ping a1 -> a2 loses no packet while both fp-control are
#     killed (SIGKILL) and restarted, and the restart sends no change;
#   - fp-dpdk restarted: fp-control notices and replays the whole state;
#   - malformed JSON, a missing field, an unknown network id and a wrong
#     type each get a 4xx naming the problem, and the state is unchanged;
#   - the TCP API refuses a request without the bearer token.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory.
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpc-}
. "$(dirname "$0")/lib.sh"

T_START=$SECONDS
N_PASS=0
N_FAIL=0
declare -A CTRL_PID=() # hypervisor -> fp-control pid
TOKEN=flowplane-test-token-0123456789

ok() {
	echo "ok - $*"
	N_PASS=$((N_PASS + 1))
}

not_ok() {
	echo "not ok - $*"
	N_FAIL=$((N_FAIL + 1))
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

finish() {
	echo "# run time $((SECONDS - T_START)) s"
	echo "$N_PASS passed, $N_FAIL failed"
	[ "$N_FAIL" -eq 0 ]
	exit $?
}

api_sock() { echo "$FP_TMP/$1-api.sock"; }
ctrl_log() { echo "$FP_TMP/$1-control.log"; }

# fp-control's group in each hypervisor's config; hvb also listens on TCP.
fp_config_extra() {
	local hv=$1
	echo "fp_control = {"
	echo "	api_socket = \"$(api_sock "$hv")\";"
	echo "	state_dir = \"$FP_TMP/$hv-state\";"
	echo "	health_ms = 100;"
	if [ "$hv" = hvb ]; then
		echo "	api_tcp = \"127.0.0.1:$TCP_PORT\";"
		echo "	api_token_file = \"$FP_TMP/token\";"
	fi
	echo "};"
}

ctrl_start() {
	local hv=$1 i
	rm -f "$(api_sock "$hv")"
	ip netns exec "$(fp_ns "$hv")" "$FP_CONTROL" -c "$FP_TMP/$hv.conf" \
		>>"$(ctrl_log "$hv")" 2>&1 </dev/null &
	CTRL_PID[$hv]=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$(api_sock "$hv")" ] && return 0
		kill -0 "${CTRL_PID[$hv]}" 2>/dev/null || break
		sleep 0.05
	done
	FP_ERR="fp-control [$hv] did not start: $(tail -n 5 "$(ctrl_log "$hv")")"
	return 1
}

ctrl_kill() {
	local hv=$1 sig=${2:-TERM}
	[ -n "${CTRL_PID[$hv]:-}" ] || return 0
	kill "-$sig" "${CTRL_PID[$hv]}" 2>/dev/null
	wait "${CTRL_PID[$hv]}" 2>/dev/null
	unset "CTRL_PID[$hv]"
}

# api HV METHOD PATH [BODY]: sets CODE and BODY (the answer).
api() {
	local hv=$1 method=$2 path=$3 data=${4:-}
	local args=(-s -o "$FP_TMP/answer" -w '%{http_code}' -X "$method" --max-time 30
		--unix-socket "$(api_sock "$hv")")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	CODE=$(curl "${args[@]}" "http://localhost$path")
	BODY=$(cat "$FP_TMP/answer" 2>/dev/null)
}

# api_both METHOD PATH [BODY]: the same request to both fp-control; true
# when both answer 200.
api_both() {
	local hv rc=0
	for hv in $FP_HVS; do
		api "$hv" "$@"
		if [ "$CODE" != 200 ]; then
			echo "# $hv: $2 $3 -> $CODE $BODY"
			rc=1
		fi
	done
	return $rc
}

in_sync() {
	api "$1" GET "/v1/tables?entries=0"
	[ "$CODE" = 200 ] && [ "$(jq -r .in_sync <<<"$BODY")" = true ]
}

wait_in_sync() {
	local hv=$1 i
	for ((i = 0; i < 100; i++)); do
		in_sync "$hv" && return 0
		sleep 0.1
	done
	echo "# $hv not in sync: $BODY"
	return 1
}

# JSON of one port.
port_json() {
	local vm=$1 mac=${2:-${FP_MAC[$1]}} ip4=${3:-${FP_VM_IP4[$1]}} rev=${4:-1} net sub
	net=net-a
	[ "${FP_VM_VNI[$vm]}" = 200 ] && net=net-b
	cat <<EOF
{"id": "port-$vm", "name": "$vm", "network_id": "$net", "mac_address": "$mac",
 "admin_state_up": true, "status": "ACTIVE", "device_owner": "compute:nova",
 "device_id": "vm-$vm", "project_id": "p-$net", "tenant_id": "p-$net",
 "fixed_ips": [{"subnet_id": "$net-v4", "ip_address": "$ip4"},
               {"subnet_id": "$net-v6", "ip_address": "${FP_VM_IP6[$vm]}"}],
 "allowed_address_pairs": [], "security_groups": [], "port_security_enabled": true,
 "binding:host_id": "${FP_VM_HV[$vm]}", "binding:vif_type": "vhostuser",
 "binding:profile": {"flowplane_port": "$vm"}, "revision_number": $rev}
EOF
}

snapshot_json() {
	local hv vm first=1
	echo '{"hosts": ['
	for hv in $FP_HVS; do
		[ $first = 1 ] || echo ','
		first=0
		echo "{\"id\": \"$hv\", \"vtep_addresses\": [\"${FP_HV_VTEP4[$hv]}\"],"
		echo " \"underlay_mac\": \"${FP_MAC[$hv-ul]}\"}"
	done
	cat <<EOF
], "networks": [
 {"id": "net-a", "name": "tenant-a", "provider:network_type": "vxlan",
  "provider:segmentation_id": 100, "mtu": $FP_VM_MTU, "admin_state_up": true,
  "port_security_enabled": true, "shared": false, "status": "ACTIVE", "revision_number": 1},
 {"id": "net-b", "name": "tenant-b", "provider:network_type": "geneve",
  "provider:segmentation_id": 200, "mtu": $FP_VM_MTU, "admin_state_up": true,
  "port_security_enabled": true, "shared": false, "status": "ACTIVE", "revision_number": 1}
], "subnets": [
 {"id": "net-a-v4", "network_id": "net-a", "ip_version": 4, "cidr": "10.100.0.0/24",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-a-v6", "network_id": "net-a", "ip_version": 6, "cidr": "fd00:100::/64",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-b-v4", "network_id": "net-b", "ip_version": 4, "cidr": "10.100.0.0/24",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-b-v6", "network_id": "net-b", "ip_version": 6, "cidr": "fd00:100::/64",
  "gateway_ip": null, "enable_dhcp": false}
], "ports": [
EOF
	first=1
	for vm in $FP_VMS; do
		[ $first = 1 ] || echo ','
		first=0
		port_json "$vm"
	done
	echo ']}'
}

# pings SRC DST_IP [COUNT]: true if every echo came back.
pings() { fp_vm_ping "$1" "$2" "${3:-3}" >/dev/null 2>&1; }
no_ping() { ! fp_vm_ping "$1" "$2" 2 >/dev/null 2>&1; }

# reaches_only SRC DST_IP RIGHT WRONG: SRC's pings arrive at RIGHT, never
# at WRONG (the other tenant's VM with the same IP).
reaches_only() {
	local src=$1 dst=$2 right=$3 wrong=$4 r0 w0 r1 w1
	r0=$(fp_vm_snmp "$right" InEchos) w0=$(fp_vm_snmp "$wrong" InEchos)
	pings "$src" "$dst" 3 || return 1
	r1=$(fp_vm_snmp "$right" InEchos) w1=$(fp_vm_snmp "$wrong" InEchos)
	[ $((r1 - r0)) -ge 3 ] && [ "$w1" = "$w0" ]
}

answer_ignored() { [ "$CODE" = 200 ] && [ "$(jq -r .ignored <<<"$BODY")" = true ]; }

state_sum() {
	api "$1" GET /v1/state
	sha256sum <<<"$BODY" | cut -c1-16
}

# bad_request WHAT BODY_PATH BODY STATUS FIELD: refused with STATUS naming
# FIELD, and hva's state unchanged.
bad_request() {
	local what=$1 path=$2 body=$3 status=$4 field=$5 before after got
	before=$(state_sum hva)
	api hva PUT "$path" "$body"
	got=$(jq -r '.error.field' <<<"$BODY" 2>/dev/null)
	after=$(state_sum hva)
	if [ "$CODE" = "$status" ] && [ "$got" = "$field" ] && [ "$before" = "$after" ]; then
		ok "$what: $CODE, field $got, state unchanged"
	else
		not_ok "$what: want $status $field, got $CODE $got ($BODY); state ${before} -> ${after}"
	fi
}

main() {
	local rc vm hv n changes loss
	fp_lib_init
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# $FP_ERR"
		[ $rc -eq 1 ] && exit 77
		exit 1
	fi
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	[ -x "$FP_CONTROL" ] || { echo "# fp-control not built under $FP_BUILDDIR"; exit 1; }
	command -v curl >/dev/null && command -v jq >/dev/null ||
		{ echo "# curl and jq are needed (scripts/install-deps.sh)"; exit 77; }
	TCP_PORT=$((20000 + RANDOM % 20000))
	fp_install_traps
	trap 'for h in "${!CTRL_PID[@]}"; do ctrl_kill "$h"; done; fp_teardown' EXIT
	printf '%s\n' "$TOKEN" >"$FP_TMP/token"
	chmod 600 "$FP_TMP/token"
	if ! fp_topo_create || ! fp_start_all; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	for hv in $FP_HVS; do
		if ! ctrl_start "$hv"; then
			not_ok "fp-control [$hv] starts: $FP_ERR"
			finish
		fi
	done
	ok "fp-dpdk and fp-control up on both hypervisors"

	check "snapshot accepted by both" api_both PUT /v1/snapshot "$(snapshot_json)"
	for hv in $FP_HVS; do
		check "$hv in sync" wait_in_sync "$hv"
	done
	api hva GET /v1/tables
	n=$(jq -c '[.counts.port, .counts.vtep, .counts.fdb, .counts.flood, .counts.neigh]' \
		<<<"$BODY")
	# 2 local ports; 2 vteps (hvb over VXLAN and over Geneve); 4 MACs;
	# 2 flood lists; 4 VMs x 2 addresses.
	check "hva tables: port 2, vtep 2, fdb 4, flood 2, neigh 8 (got $n)" \
		[ "$n" = "[2,2,4,2,8]" ]
	check "a1 -> a2 over VXLAN (IPv4), not b2" reaches_only a1 "${FP_VM_IP4[a2]}" a2 b2
	check "b1 -> b2 over Geneve (IPv4), not a2" reaches_only b1 "${FP_VM_IP4[b2]}" b2 a2
	check "a1 -> a2 (IPv6)" pings a1 "${FP_VM_IP6[a2]}"
	check "b2 -> b1 (IPv6)" pings b2 "${FP_VM_IP6[b1]}"

	# Delete a2's port: a1 no longer reaches it; put it back.
	check "DELETE /v1/ports/port-a2 on both" api_both DELETE /v1/ports/port-a2
	fp_vm_flush a1
	check "a1 no longer reaches a2" no_ping a1 "${FP_VM_IP4[a2]}"
	check "b1 still reaches b2" pings b1 "${FP_VM_IP4[b2]}"
	check "PUT port-a2 back" api_both PUT /v1/ports/port-a2 "{\"port\": $(port_json a2)}"
	fp_vm_flush a1
	check "a1 reaches a2 again" pings a1 "${FP_VM_IP4[a2]}"

	# Change a2's MAC and IPv4 address: in the VM and in Neutron.
	ip -n "$(fp_ns a2)" link set eth0 address 02:00:00:a2:00:99
	ip -n "$(fp_ns a2)" addr del "${FP_VM_IP4[a2]}/24" dev eth0
	ip -n "$(fp_ns a2)" addr add 10.100.0.22/24 dev eth0
	fp_vm_flush a1
	check "a2's old port entry drops the new MAC and IP" no_ping a1 10.100.0.22
	check "PUT port-a2 with the new MAC and IP (revision 2)" api_both PUT /v1/ports/port-a2 \
		"{\"port\": $(port_json a2 02:00:00:a2:00:99 10.100.0.22 2)}"
	fp_vm_flush a1
	check "a1 reaches a2 at its new address" pings a1 10.100.0.22
	check "a1 learned a2's new MAC from the neigh table" \
		[ "$(fp_vm_neigh_mac a1 10.100.0.22)" = 02:00:00:a2:00:99 ]
	check "the old address no longer answers" no_ping a1 "${FP_VM_IP4[a2]}"
	api hva PUT /v1/ports/port-a2 "{\"port\": $(port_json a2 "${FP_MAC[a2]}" "${FP_VM_IP4[a2]}" 1)}"
	check "an older revision_number is ignored ($CODE)" answer_ignored
	check "and a1 still reaches a2 at its new address" pings a1 10.100.0.22

	# Kill both fp-control while a1 pings a2 every 10 ms: no loss.
	fp_vm a1 ping -q -n -i 0.01 -c 500 -W 1 10.100.0.22 >"$FP_TMP/ping.out" 2>&1 &
	local ping_pid=$!
	sleep 0.5
	for hv in $FP_HVS; do
		ctrl_kill "$hv" KILL
	done
	sleep 0.5
	for hv in $FP_HVS; do
		ctrl_start "$hv" || not_ok "fp-control [$hv] restarts: $FP_ERR"
	done
	wait "$ping_pid"
	loss=$(grep -o '[0-9.]*% packet loss' "$FP_TMP/ping.out")
	check "500 pings across the fp-control restarts: $loss" [ "$loss" = "0% packet loss" ]
	for hv in $FP_HVS; do
		wait_in_sync "$hv"
		changes=$(grep -c "in sync: 0 set, 0 deleted" "$(ctrl_log "$hv")")
		check "$hv: the restarted fp-control changed nothing (restarts with 0 changes: $changes)" \
			[ "$changes" -ge 1 ]
	done

	# fp-dpdk restarts: fp-control replays the whole state.
	fp_stop hva
	fp_start hva || not_ok "fp-dpdk [hva] restarts: $FP_ERR"
	check "hva: fp-control replayed the state into the new fp-dpdk" wait_in_sync hva
	check "a1 reaches a2 after the fp-dpdk restart" pings a1 10.100.0.22

	# Bad requests: 4xx naming the problem, nothing changed.
	bad_request "malformed JSON" /v1/ports/port-x '{"port": {"id": ' 400 body
	bad_request "missing field" /v1/ports/port-x \
		'{"port": {"id": "port-x", "mac_address": "02:00:00:00:00:77"}}' 400 port.network_id
	bad_request "unknown network id" /v1/ports/port-x \
		'{"port": {"id": "port-x", "network_id": "no-such-net", "mac_address": "02:00:00:00:00:77"}}' \
		404 port.network_id
	bad_request "wrong type" /v1/networks/net-x \
		'{"network": {"id": "net-x", "provider:network_type": "vxlan", "provider:segmentation_id": "300"}}' \
		400 network.provider:segmentation_id
	check "traffic unaffected by the refused requests" pings a1 10.100.0.22

	# The TCP API (on hvb's loopback) needs the token.
	CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API without a token: 401" [ "$CODE" = 401 ]
	CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer wrong-token-0123456789" "http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API with a wrong token: 401" [ "$CODE" = 401 ]
	CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API with the token: 200" [ "$CODE" = 200 ]
	if [ "$N_FAIL" -ne 0 ]; then
		for hv in $FP_HVS; do
			echo "# --- $hv fp-control log (last 15 lines)"
			tail -n 15 "$(ctrl_log "$hv")" | sed 's/^/#   /'
		done
	fi
	finish
}

main "$@"
