#!/usr/bin/env bash
# Security groups end to end: the lib.sh topology (two hypervisors, each
# fp-dpdk with its own fp-control), Neutron JSON with Neutron's default
# group, a web group (ssh and https from anywhere, all from the group's
# members) and a stateless group; what the VMs see:
#   - a1 (default) -> a2 (web): TCP 22 and 443 pass both ways (10 MiB with
#     sha256 on 22); TCP 5001 times out; pings fail both ways;
#   - a1 joins the web group: a1 pings a2 and reaches TCP ports without a rule, and hvb's
#     rulesets did not change (only the web group's address set);
#   - removing the 443 rule cuts an established connection to 443;
#   - both fp-control killed and restarted: nothing is rewritten (the
#     installed ruleset and address set ids are bound back);
#   - a2 in a stateless group with an ICMP ingress rule only: the echo
#     request arrives, the reply does not leave; with an egress rule too,
#     the ping passes;
#   - port_security_enabled false on a2: everything reaches it.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory,
# FP_SG_ENGINE_B=xdp: the mixed cloud (test 'sg_mixed'), hvb on the XDP
# engine as in test_mixed.sh (fp-xdp on hvb-a2, hvb-b2, hvb-ul in a bpffs
# of the test's own, hvb's fp-control on backend "xdp"); the same checks.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_SG_ENGINE_B=${FP_SG_ENGINE_B:-dpdk}
case $FP_SG_ENGINE_B in
dpdk) ;;
xdp)
	FP_PREFIX=${FP_PREFIX:-fpsx-}
	;;
*)
	echo "not ok - FP_SG_ENGINE_B: dpdk or xdp, not '$FP_SG_ENGINE_B'"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac

FP_PREFIX=${FP_PREFIX:-fpsg-}
. "$(dirname "$0")/lib.sh"
[ "$FP_SG_ENGINE_B" = dpdk ] || fp_bpffs_own_ns "$@"	# a bpffs of the test's own

FP_XDP_INSTANCE="${FP_PREFIX}sg-$$"	# hvb's XDP instance (FP_SG_ENGINE_B=xdp)
declare -A FP_HV_ENGINE=([hva]=dpdk [hvb]=$FP_SG_ENGINE_B)

fp_config_extra() { fp_engines_config "$1"; }

cleanup() { fp_engines_stop; }

pings() { fp_vm_ping "$1" "$2" 3 >/dev/null 2>&1; }
no_ping() { ! fp_vm_ping "$1" "$2" 2 >/dev/null 2>&1; }

# tcp_reaches FROM TO PORT: a line sent from FROM to TO:PORT arrives.
tcp_reaches() {
	local from=$1 to=$2 port=$3 out=$FP_TMP/tcp.$3 spid i
	rm -f "$out"
	fp_vm "$to" timeout 8 nc -l "${FP_VM_IP4[$to]}" "$port" </dev/null >"$out" 2>/dev/null &
	spid=$!
	for ((i = 0; i < 50; i++)); do
		fp_vm "$to" ss -ltnH "sport = :$port" 2>/dev/null | grep -q LISTEN && break
		sleep 0.1
	done
	echo "hello $port" | fp_vm "$from" timeout 6 nc -N -w 3 "${FP_VM_IP4[$to]}" "$port" \
		>/dev/null 2>&1
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	grep -q "hello $port" "$out" 2>/dev/null
}

tcp_blocked() { ! tcp_reaches "$@"; }

# port_json VM REVISION SECURITY GROUPS_JSON: VM's Neutron port.
port_json() {
	fp_neutron_port "$1" "${FP_MAC[$1]}" "${FP_VM_IP4[$1]}" "$2" |
		jq -c --argjson sec "$3" --argjson g "$4" \
			'.port_security_enabled = $sec | .security_groups = $g'
}

put_port() { fp_api_all PUT "/v1/ports/port-$1" "{\"port\": $(port_json "$@")}"; }

sg_web() { # REVISION [without-443]
	local r443=""
	[ "${2:-}" = without-443 ] ||
		r443=$(fp_sg_rule web-443 ingress IPv4 tcp 443 443 0.0.0.0/0)
	fp_sg_group sg-web true "$1" "$(fp_sg_rule web-e4 egress IPv4)" \
		"$(fp_sg_rule web-e6 egress IPv6)" \
		"$(fp_sg_rule web-22 ingress IPv4 tcp 22 22 0.0.0.0/0)" ${r443:+"$r443"} \
		"$(fp_sg_rule web-i4 ingress IPv4 '' '' '' group:sg-web)" \
		"$(fp_sg_rule web-i6 ingress IPv6 '' '' '' group:sg-web)"
}

sg_stateless() { # REVISION [with-egress]
	local eg=""
	[ "${2:-}" = with-egress ] && eg=$(fp_sg_rule sl-e egress IPv4 icmp)
	fp_sg_group sg-sl false "$1" "$(fp_sg_rule sl-i ingress IPv4 icmp)" ${eg:+"$eg"}
}

snapshot() {
	fp_neutron_snapshot | jq -c --argjson d "$(fp_sg_default)" --argjson w "$(sg_web 1)" \
		--argjson s "$(sg_stateless 1)" \
		'.security_groups += [$d, $w, $s] |
		 (.ports[] | select(.id == "port-a1") | .security_groups) = ["sg-default"] |
		 (.ports[] | select(.id == "port-a2") | .security_groups) = ["sg-web"]'
}

tables() { fp_api "$1" GET /v1/tables && jq -c "$2" <<<"$FP_BODY"; }

# A connection a1 -> a2:443 that sends a line every 0.2 s; how many bytes
# a2 received.
stream_start() {
	rm -f "$FP_TMP/stream.out"
	fp_vm a2 timeout 10 nc -l "${FP_VM_IP4[a2]}" 443 </dev/null >"$FP_TMP/stream.out" \
		2>/dev/null &
	STREAM_SRV=$!
	sleep 0.5
	(for ((i = 0; i < 40; i++)); do echo "line $i"; sleep 0.2; done) |
		fp_vm a1 timeout 10 nc "${FP_VM_IP4[a2]}" 443 >/dev/null 2>&1 &
	STREAM_CLI=$!
}
stream_bytes() { stat -c %s "$FP_TMP/stream.out" 2>/dev/null || echo 0; }
stream_stop() { wait "$STREAM_CLI" "$STREAM_SRV" 2>/dev/null; } # both end within 10 s

main() {
	local rc hv s0 s1 s2 rs0 rs1 as0 as1 e0 e1
	fp_lib_init
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# $FP_ERR"
		[ $rc -eq 1 ] && exit 77
		exit 1
	fi
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	[ -x "$FP_CONTROL" ] || { echo "# fp-control not built under $FP_BUILDDIR"; exit 1; }
	command -v curl >/dev/null && command -v jq >/dev/null && command -v nc >/dev/null ||
		{ echo "# curl, jq and nc are needed (scripts/install-deps.sh)"; exit 77; }
	if [ "$FP_SG_ENGINE_B" = xdp ]; then
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
	fp_control_start_all
	ok "engines (hva ${FP_HV_ENGINE[hva]}, hvb ${FP_HV_ENGINE[hvb]}) and fp-control up on both hypervisors"

	check "snapshot with the default, web and stateless groups accepted by both" \
		fp_api_all PUT /v1/snapshot "$(snapshot)"
	for hv in $FP_HVS; do
		check "$hv in sync" fp_wait_in_sync "$hv"
	done
	check "hvb: a2's port is filtered (sg flag, a ruleset)" \
		[ "$(tables hvb '[.entries.port[] | select(.sg) | .port_id] | length')" = 2 ]

	echo "# === a1 (default) -> a2 (web)"
	for vm in $FP_VMS; do fp_vm_flush "$vm"; done
	check "TCP 22 a1 -> a2 passes (ssh from anywhere)" tcp_reaches a1 a2 22
	check "TCP 443 a1 -> a2 passes (https from anywhere)" tcp_reaches a1 a2 443
	FP_TCP_PORT=22 fp_check_tcp_transfer a1 a2
	check "TCP 5001 a1 -> a2 times out (no rule)" tcp_blocked a1 a2 5001
	check "ping a1 -> a2 fails (a1 is not in the web group)" no_ping a1 "${FP_VM_IP4[a2]}"
	check "ping a2 -> a1 fails (a2 is not in the default group)" no_ping a2 "${FP_VM_IP4[a1]}"
	check "tenant B (open group) unaffected: b1 -> b2" pings b1 "${FP_VM_IP4[b2]}"

	echo "# === an established connection, then its rule removed"
	stream_start
	sleep 1.5
	s0=$(stream_bytes)
	check "a streaming connection a1 -> a2:443 flows ($s0 bytes)" [ "$s0" -gt 0 ]
	check "PUT sg-web without the 443 rule" fp_api_all PUT /v1/security_groups/sg-web \
		"{\"security_group\": $(sg_web 2 without-443)}"
	sleep 1
	s1=$(stream_bytes)
	sleep 2
	s2=$(stream_bytes)
	check "the connection is cut: no byte after the removal ($s1 then $s2)" [ "$s1" = "$s2" ]
	stream_stop
	check "a new connection to 443 times out" tcp_blocked a1 a2 443
	check "PUT sg-web with the 443 rule again" fp_api_all PUT /v1/security_groups/sg-web \
		"{\"security_group\": $(sg_web 3)}"

	echo "# === a1 joins the web group: no rule changes"
	rs0=$(tables hvb .entries.ruleset)
	as0=$(tables hvb '[.entries.addrset[] | .ip] | sort')
	check "PUT port-a1 in default and web" put_port a1 2 true '["sg-default", "sg-web"]'
	for hv in $FP_HVS; do fp_wait_in_sync "$hv" >/dev/null; done
	rs1=$(tables hvb .entries.ruleset)
	as1=$(tables hvb '[.entries.addrset[] | .ip] | sort')
	check "hvb: no ruleset changed" [ "$rs0" = "$rs1" ]
	check "hvb: a1's addresses joined the web group's set" \
		bash -c "[ '$as0' != '$as1' ] && grep -q '\"${FP_VM_IP4[a1]}\"' <<<'$as1'"
	check "ping a1 -> a2 passes now" pings a1 "${FP_VM_IP4[a2]}"
	check "ping a1 -> a2 (IPv6) passes now" pings a1 "${FP_VM_IP6[a2]}"
	check "TCP 5002 a1 -> a2 passes now" tcp_reaches a1 a2 5002
	check "ping a2 -> a1 passes (a2 is in a1's web group now)" pings a2 "${FP_VM_IP4[a1]}"

	echo "# === fp-control restarted: rulesets and address sets keep their ids"
	for hv in $FP_HVS; do
		fp_control_stop "$hv" KILL
		fp_control_start "$hv" || not_ok "fp-control [$hv] restarts: $FP_ERR"
	done
	for hv in $FP_HVS; do
		fp_wait_in_sync "$hv" >/dev/null
		check "$hv: the restarted fp-control rewrote nothing" \
			grep -q "in sync: 0 set, 0 deleted" "$(fp_ctrl_log "$hv")"
	done
	check "hvb: the same rulesets after the restart" [ "$(tables hvb .entries.ruleset)" = "$rs1" ]
	check "ping a1 -> a2 still passes" pings a1 "${FP_VM_IP4[a2]}"

	echo "# === a stateless group"
	check "PUT port-a2 in the stateless group (ICMP in, nothing out)" \
		put_port a2 2 true '["sg-sl"]'
	e0=$(fp_vm_snmp a2 InEchos)
	check "ping a1 -> a2 fails: the reply is not allowed out" no_ping a1 "${FP_VM_IP4[a2]}"
	e1=$(fp_vm_snmp a2 InEchos)
	check "but the echo requests reached a2 ($((e1 - e0)))" [ $((e1 - e0)) -ge 1 ]
	check "PUT sg-sl with an ICMP egress rule" fp_api_all PUT /v1/security_groups/sg-sl \
		"{\"security_group\": $(sg_stateless 2 with-egress)}"
	check "ping a1 -> a2 passes" pings a1 "${FP_VM_IP4[a2]}"
	check "TCP 5003 a1 -> a2 times out (stateless: no rule for it)" tcp_blocked a1 a2 5003

	echo "# === port security off"
	check "PUT port-a2 with port_security_enabled false" put_port a2 3 false '[]'
	check "hvb: a2's port is not filtered" \
		[ "$(tables hvb '[.entries.port[] | select(.sg) | .port_id] | length')" = 1 ]
	check "TCP 5004 a1 -> a2 passes" tcp_reaches a1 a2 5004
	check "ping a1 -> a2 passes" pings a1 "${FP_VM_IP4[a2]}"

	[ "$N_FAIL" -eq 0 ] || fp_engines_diag
	finish
}

main "$@"
