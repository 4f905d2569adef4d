#!/usr/bin/env bash
# fp-control integration test: the lib.sh topology (two hypervisors, each
# fp-dpdk, two tenants with the same IP addresses), each hypervisor with its
# own fp-control; the test pushes Neutron JSON to both, as Neutron's ML2
# driver would, and checks what the VMs see:
#   - a snapshot (hosts, a VXLAN and a Geneve network, IPv4 and IPv6
#     subnets, ports on both hosts): VMs ping across hosts (IPv4, IPv6),
#     each tenant reaches only its own VM (the same IPs in both);
#   - GET /v1/tables: in sync, the expected entry counts;
#   - a snapshot that also holds a vlan and a gre network, a router with
#     an interface and a floating IP is taken (200): the overlay is
#     installed and forwards as without them, and they are listed as
#     problems of kind unsupported (or inconsistent), and logged;
#   - deleting a port stops traffic to it; putting it back restores it;
#   - changing a port's MAC and IP takes effect (and the old IP is gone);
#   - an update with a lower revision_number is ignored;
#   - a continuous ping a1 -> a2 loses no packet while both fp-control are
#     killed (SIGKILL) and restarted, and the restart sends no change;
#   - fp-dpdk restarted: fp-control notices and replays the whole state;
#   - malformed JSON, a missing field, an unknown network id and a wrong
#     type each get a 4xx naming the problem, and the state is unchanged;
#   - the TCP API refuses a request without the bearer token;
#   - SIGHUP to fp-dpdk and fp-control: both stay up and forwarding, and
#     log what they reloaded (log_level, stats interval, idle policy,
#     health_ms) and what waits for a restart; fp-control logs each API
#     request and, at debug level, each entry it sends.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory.
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpc-}
. "$(dirname "$0")/lib.sh"
# TAP helpers (ok, not_ok, check, finish, N_PASS, N_FAIL, T_START) come
# from lib.sh.

TOKEN=flowplane-test-token-0123456789

# fp-control's group in each hypervisor's config; hvb also listens on TCP.
fp_config_extra() {
	if [ "$1" = hvb ]; then
		fp_control_config "$1" "api_tcp = \"127.0.0.1:$TCP_PORT\";" \
			"api_token_file = \"$FP_TMP/token\";"
	else
		fp_control_config "$1"
	fi
}

# wait_fdb_count HV N: HV's fp-dpdk holds N fdb entries within 5 s.
wait_fdb_count() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(fp_ctl "$1" dump fdb | grep -c '^fdb')" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
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

answer_ignored() { [ "$FP_CODE" = 200 ] && [ "$(jq -r .ignored <<<"$FP_BODY")" = true ]; }

state_sum() {
	fp_api "$1" GET /v1/state
	sha256sum <<<"$FP_BODY" | cut -c1-16
}

# bad_request WHAT BODY_PATH BODY STATUS FIELD: refused with STATUS naming
# FIELD, and hva's state unchanged.
bad_request() {
	local what=$1 path=$2 body=$3 status=$4 field=$5 before after got
	before=$(state_sum hva)
	fp_api hva PUT "$path" "$body"
	got=$(jq -r '.error.field' <<<"$FP_BODY" 2>/dev/null)
	after=$(state_sum hva)
	if [ "$FP_CODE" = "$status" ] && [ "$got" = "$field" ] && [ "$before" = "$after" ]; then
		ok "$what: $FP_CODE, field $got, state unchanged"
	else
		not_ok "$what: want $status $field, got $FP_CODE $got ($FP_BODY); state ${before} -> ${after}"
	fi
}

# sighup_both: SIGHUP to fp-dpdk and fp-control on every hypervisor;
# true when both are still running 1 s later.
sighup_both() {
	local hv
	for hv in $FP_HVS; do
		kill -HUP "${FP_PID[$hv]}" "${FP_CTRL_PID[$hv]}" || return 1
	done
	sleep 1.5
	for hv in $FP_HVS; do
		kill -0 "${FP_PID[$hv]}" "${FP_CTRL_PID[$hv]}" 2>/dev/null || return 1
	done
}

# del_put_a2: delete port-a2 and put it back (with its new MAC and IP).
del_put_a2() {
	fp_api_all DELETE /v1/ports/port-a2 &&
		fp_api_all PUT /v1/ports/port-a2 \
			"{\"port\": $(fp_neutron_port a2 02:00:00:a2:00:99 10.100.0.22 3)}"
}

# logged FILE TEXT: FILE has a line with TEXT (fixed string).
logged() { grep -qF -- "$2" "$1"; }

# SIGHUP: reload what can change while running, say what it did.
sighup_checks() {
	local hv dlog clog
	for hv in $FP_HVS; do
		cp "$FP_TMP/$hv.conf" "$FP_TMP/$hv.conf.orig"
		sed -i 's/^idle = .*$/idle = { mode = "adaptive"; empty_polls = 60; max_sleep_us = 300; };/' \
			"$FP_TMP/$hv.conf"
		printf '%s\n' 'log_level = "debug";' 'stats = { interval_s = 1; };' >>"$FP_TMP/$hv.conf"
		sed -i 's/health_ms = 100;/health_ms = 150;/; s/batch = [0-9]*;//' "$FP_TMP/$hv.conf"
		sed -i 's/^\(fp_control = {\)$/\1\n\tbatch = 1000;/' "$FP_TMP/$hv.conf"
	done
	check "SIGHUP: fp-dpdk and fp-control still running on both hypervisors" sighup_both
	for hv in $FP_HVS; do
		dlog=$(fp_logfile "$hv")
		clog=$(fp_ctrl_log "$hv")
		check "$hv fp-dpdk logged the reload of log_level" \
			logged "$dlog" "fp-dpdk: info: reload: log_level info -> debug"
		check "$hv fp-dpdk logged the reload of stats.interval_s" \
			logged "$dlog" "fp-dpdk: info: reload: stats.interval_s 0 -> 1"
		check "$hv fp-dpdk logged the reload of the idle policy" \
			logged "$dlog" "reload: idle mode adaptive -> adaptive, empty_polls 50 -> 60, max_sleep_us 200 -> 300"
		check "$hv fp-dpdk: the periodic counters are not the final ones" \
			bash -c "grep -q 'counters (every 1 s)' '$dlog' && ! grep -q 'final counters' '$dlog'"
		check "$hv fp-control logged the reload of log_level and health_ms" \
			bash -c "grep -qF 'fp-control: info: reload: log_level info -> debug' '$clog' &&
				grep -qF 'fp-control: info: reload: fp_control.health_ms 100 -> 150' '$clog'"
		check "$hv fp-control named what waits for a restart" \
			logged "$clog" "reload: fp_control.batch changed: takes effect at the next start"
	done
	check "a1 reaches a2 after the SIGHUPs" pings a1 10.100.0.22
	check "DELETE port-a2 and PUT it back after the reload" del_put_a2
	fp_vm_flush a1
	check "a1 reaches a2 again" pings a1 10.100.0.22
	check "hva fp-control logged the request" \
		bash -c "grep -qF 'fp-control: info: api: DELETE /v1/ports/port-a2 200 ' '$(fp_ctrl_log hva)' &&
			grep -qF 'fp-control: info: api: PUT /v1/ports/port-a2 200 ' '$(fp_ctrl_log hva)'"
	check "hva fp-control logged the transaction, and each entry at debug level" \
		bash -c "grep -q 'fp-control: info: sync: transaction [0-9]* committed, [0-9]* changes: ' \
			'$(fp_ctrl_log hva)' &&
			grep -q 'fp-control: debug: sync: transaction [0-9]*: \(set\|del\) [a-z]* key [0-9a-f]*' \
			'$(fp_ctrl_log hva)'"
	# Back to the first config: the levels go back, nothing else waits.
	for hv in $FP_HVS; do
		cp "$FP_TMP/$hv.conf.orig" "$FP_TMP/$hv.conf"
	done
	check "second SIGHUP: still running" sighup_both
	for hv in $FP_HVS; do
		check "$hv fp-dpdk and fp-control went back to log_level info" \
			bash -c "grep -qF 'fp-dpdk: info: reload: log_level debug -> info' '$(fp_logfile "$hv")' &&
				grep -qF 'fp-control: info: reload: log_level debug -> info' '$(fp_ctrl_log "$hv")'"
	done
	check "a1 reaches a2 after the second SIGHUPs" pings a1 10.100.0.22
}

# The snapshot with what flowplane stores but does not carry: a vlan
# network with a port bound to hva, a gre network, an external network, a
# distributed router with an interface on net-a (whose subnet has no
# gateway_ip: inconsistent) and a floating IP of port-a1.
uncarried_snapshot() {
	fp_neutron_snapshot | jq -c --arg a1ip "${FP_VM_IP4[a1]}" '
	.networks += [
	  {"id": "net-vlan", "provider:network_type": "vlan", "provider:segmentation_id": 42,
	   "provider:physical_network": "physnet1"},
	  {"id": "net-gre", "provider:network_type": "gre", "provider:segmentation_id": 9},
	  {"id": "net-ext", "provider:network_type": "vxlan", "provider:segmentation_id": 300,
	   "router:external": true}] |
	.subnets += [{"id": "sub-ext", "network_id": "net-ext", "ip_version": 4,
	   "cidr": "172.24.4.0/24", "gateway_ip": "172.24.4.1"}] |
	.ports += [
	  {"id": "port-v", "network_id": "net-vlan", "mac_address": "02:00:00:00:42:01",
	   "binding:host_id": "hva", "binding:profile": {}},
	  {"id": "rif-a", "network_id": "net-a", "mac_address": "02:00:00:00:a0:01",
	   "device_owner": "network:router_interface_distributed", "device_id": "r1",
	   "fixed_ips": [{"subnet_id": "net-a-v4", "ip_address": "10.100.0.99"}]}] |
	.routers = [{"id": "r1", "distributed": true, "external_gateway_info":
	   {"network_id": "net-ext", "external_fixed_ips":
	    [{"subnet_id": "sub-ext", "ip_address": "172.24.4.10"}]}}] |
	.floatingips = [{"id": "fip-1", "floating_network_id": "net-ext",
	   "floating_ip_address": "172.24.4.20", "port_id": "port-a1",
	   "fixed_ip_address": $a1ip, "router_id": "r1"}]'
}

# problem_kinds HV: "<kind> <collection> <id> <field>" per problem, sorted.
problem_kinds() {
	fp_api "$1" GET '/v1/tables?entries=0'
	jq -r '.problems[] | "\(.kind) \(.collection) \(.id) \(.field)"' <<<"$FP_BODY" | sort
}

# A resource the engine cannot carry is a problem on it, never a refusal:
# the snapshot is taken and the rest of it installed and forwarding.
uncarried_checks() {
	local n kinds want
	check "a snapshot with vlan, gre, a router and a floating IP: 200 on both" \
		fp_api_all PUT /v1/snapshot "$(uncarried_snapshot)"
	# hvb's answer (the last): rif-a, net-gre, net-vlan, r1; the floating
	# IP is hva's problem (a1 is there), port-v is hva's, sub-ext's DHCP
	# is served (fp-dpdk).
	check "its answer counts the problems ($(jq -r .problems <<<"$FP_BODY"))" \
		[ "$(jq -r .problems <<<"$FP_BODY")" -eq 4 ]
	check "hva in sync" fp_wait_in_sync hva
	fp_api hva GET /v1/tables
	n=$(jq -c '[.counts.port, .counts.vtep, .counts.fdb, .counts.flood, .counts.neigh]' \
		<<<"$FP_BODY")
	# fp-dpdk routes: the router's interface on net-a adds its fdb and
	# neigh entries; the rest is the overlay as without them.
	check "hva: the overlay is installed, and r1's interface (got $n)" [ "$n" = "[2,2,5,2,9]" ]
	kinds=$(problem_kinds hva | tr '\n' ';')
	want="inconsistent ports rif-a fixed_ips[0].ip_address;"
	want+="unsupported floatingips fip-1 router_id;"
	want+="unsupported networks net-gre provider:network_type;"
	want+="unsupported networks net-vlan provider:physical_network;"
	want+="unsupported ports port-v network_id;"
	want+="unsupported routers r1 external_gateway_info;"
	[ "$kinds" = "$want" ] || fp_note "problems: $kinds"
	check "hva lists them as problems of their kind" [ "$kinds" = "$want" ]
	check "hva fp-control logged the vlan network's problem" \
		logged "$(fp_ctrl_log hva)" \
		"problem (unsupported): network net-vlan: provider:physical_network: vlan network on physical network physnet1: host hva maps no port to it"
	check "a1 -> a2 over VXLAN meanwhile" reaches_only a1 "${FP_VM_IP4[a2]}" a2 b2
	fp_api hva GET /v1/routers/r1
	check "the router is stored ($FP_CODE)" [ "$(jq -r .router.distributed <<<"$FP_BODY")" = true ]
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
	printf '%s\n' "$TOKEN" >"$FP_TMP/token"
	chmod 600 "$FP_TMP/token"
	if ! fp_topo_create || ! fp_start_all; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	fp_control_start_all
	ok "fp-dpdk and fp-control up on both hypervisors"

	check "snapshot accepted by both" fp_api_all PUT /v1/snapshot "$(fp_neutron_snapshot)"
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
	done
	uncarried_checks
	check "the snapshot without them: accepted by both" \
		fp_api_all PUT /v1/snapshot "$(fp_neutron_snapshot)"
	check "hva: no problem left" [ -z "$(problem_kinds hva)" ]
	fp_api hva GET /v1/tables
	n=$(jq -c '[.counts.port, .counts.vtep, .counts.fdb, .counts.flood, .counts.neigh]' \
		<<<"$FP_BODY")
	# 2 local ports; 2 vteps (hvb over VXLAN and over Geneve); 4 MACs;
	# 2 flood lists; 4 VMs x 2 addresses.
	check "hva tables: port 2, vtep 2, fdb 4, flood 2, neigh 8 (got $n)" \
		[ "$n" = "[2,2,4,2,8]" ]
	check "a1 -> a2 over VXLAN (IPv4), not b2" reaches_only a1 "${FP_VM_IP4[a2]}" a2 b2
	check "b1 -> b2 over Geneve (IPv4), not a2" reaches_only b1 "${FP_VM_IP4[b2]}" b2 a2
	check "a1 -> a2 (IPv6)" pings a1 "${FP_VM_IP6[a2]}"
	check "b2 -> b1 (IPv6)" pings b2 "${FP_VM_IP6[b1]}"

	# Delete a2's port: a1 no longer reaches it; put it back.
	check "DELETE /v1/ports/port-a2 on both" fp_api_all DELETE /v1/ports/port-a2
	fp_vm_flush a1
	check "a1 no longer reaches a2" no_ping a1 "${FP_VM_IP4[a2]}"
	check "b1 still reaches b2" pings b1 "${FP_VM_IP4[b2]}"
	check "PUT port-a2 back" fp_api_all PUT /v1/ports/port-a2 "{\"port\": $(fp_neutron_port a2)}"
	fp_vm_flush a1
	check "a1 reaches a2 again" pings a1 "${FP_VM_IP4[a2]}"

	# Change a2's MAC and IPv4 address: in the VM and in Neutron.
	ip -n "$(fp_ns a2)" link set eth0 address 02:00:00:a2:00:99
	ip -n "$(fp_ns a2)" addr del "${FP_VM_IP4[a2]}/24" dev eth0
	ip -n "$(fp_ns a2)" addr add 10.100.0.22/24 dev eth0
	fp_vm_flush a1
	check "a2's old port entry drops the new MAC and IP" no_ping a1 10.100.0.22
	check "PUT port-a2 with the new MAC and IP (revision 2)" fp_api_all PUT /v1/ports/port-a2 \
		"{\"port\": $(fp_neutron_port a2 02:00:00:a2:00:99 10.100.0.22 2)}"
	fp_vm_flush a1
	check "a1 reaches a2 at its new address" pings a1 10.100.0.22
	check "a1 learned a2's new MAC from the neigh table" \
		[ "$(fp_vm_neigh_mac a1 10.100.0.22)" = 02:00:00:a2:00:99 ]
	check "the old address no longer answers" no_ping a1 "${FP_VM_IP4[a2]}"
	fp_api hva PUT /v1/ports/port-a2 "{\"port\": $(fp_neutron_port a2 "${FP_MAC[a2]}" "${FP_VM_IP4[a2]}" 1)}"
	check "an older revision_number is ignored ($FP_CODE)" answer_ignored
	check "and a1 still reaches a2 at its new address" pings a1 10.100.0.22

	sighup_checks

	# Kill both fp-control while a1 pings a2 every 10 ms: no loss.
	fp_vm a1 ping -q -n -i 0.01 -c 500 -W 1 10.100.0.22 >"$FP_TMP/ping.out" 2>&1 &
	local ping_pid=$!
	sleep 0.5
	for hv in $FP_HVS; do
		fp_control_stop "$hv" KILL
	done
	sleep 0.5
	for hv in $FP_HVS; do
		fp_control_start "$hv" || not_ok "fp-control [$hv] restarts: $FP_ERR"
	done
	wait "$ping_pid"
	loss=$(grep -o '[0-9.]*% packet loss' "$FP_TMP/ping.out")
	check "500 pings across the fp-control restarts: $loss" [ "$loss" = "0% packet loss" ]
	for hv in $FP_HVS; do
		fp_wait_in_sync "$hv"
		changes=$(grep -c "in sync: 0 set, 0 deleted" "$(fp_ctrl_log "$hv")")
		check "$hv: the restarted fp-control changed nothing (restarts with 0 changes: $changes)" \
			[ "$changes" -ge 1 ]
	done

	# fp-dpdk restarts: fp-control replays the whole state.
	fp_stop hva
	fp_start hva || not_ok "fp-dpdk [hva] restarts: $FP_ERR"
	check "hva: fp-control replayed the state into the new fp-dpdk" fp_wait_in_sync hva
	check "a1 reaches a2 after the fp-dpdk restart" pings a1 10.100.0.22

	# Drift: an fdb entry deleted by hand (fpctl commits: the generation
	# moves) is reported and put back within a few health_ms ticks.
	local fdb n0
	fdb=$(fp_ctl hva dump fdb | awk '$4 == "vtep" { print $2, $3; exit }')
	n0=$(fp_ctl hva dump fdb | grep -c '^fdb')
	if [ -n "$fdb" ] && fp_ctl hva del fdb $fdb >/dev/null; then
		check "hva: fp-control put back the fdb entry deleted with fpctl ($fdb)" \
			wait_fdb_count hva "$n0"
		check "hva: fp-control logged the missing entry" \
			grep -q "fdb entry missing" "$(fp_ctrl_log hva)"
		check "hva in sync after the repair" fp_wait_in_sync hva
	else
		not_ok "hva: fpctl del fdb $fdb"
	fi
	fp_api hva GET "/v1/tables?audit=1"
	check "GET /v1/tables?audit=1: nothing missing now ($FP_CODE)" \
		[ "$FP_CODE" = 200 ] && [ "$(jq .audit.last.missing <<<"$FP_BODY")" = 0 ] &&
		[ "$(jq .audit.with_drift <<<"$FP_BODY")" -ge 1 ]
	check "a1 reaches a2 after the repair" pings a1 10.100.0.22

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
	FP_CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API without a token: 401" [ "$FP_CODE" = 401 ]
	FP_CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer wrong-token-0123456789" "http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API with a wrong token: 401" [ "$FP_CODE" = 401 ]
	FP_CODE=$(ip netns exec "$(fp_ns hvb)" curl -s -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$TCP_PORT/v1/state")
	check "TCP API with the token: 200" [ "$FP_CODE" = 200 ]
	if [ "$N_FAIL" -ne 0 ]; then
		for hv in $FP_HVS; do
			echo "# --- $hv fp-control log (last 15 lines)"
			tail -n 15 "$(fp_ctrl_log "$hv")" | sed 's/^/#   /'
		done
	fi
	finish
}

main "$@"
