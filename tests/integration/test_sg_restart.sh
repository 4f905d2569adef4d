#!/usr/bin/env bash
# Connection tracking across restarts (issue 10, item 3): the lib.sh
# topology (two hypervisors, each with fp-dpdk and its fp-control), a1 in
# Neutron's default group (egress anything, ingress from the group only),
# a2 in sg-srv (egress anything, ingress TCP 5001-5004 from anywhere).
# So a1 -> a2:500x is allowed by a1's egress rules and a2's ingress rules,
# and nothing from a2 may open anything toward a1: the replies reach a1
# only as packets of the tracked connection.  Each case runs a slow TCP
# stream a1 -> a2 (tcp_stream.py, FP_STREAM_SIZE bytes at FP_STREAM_RATE
# bytes/s, sha256 compared at the end) and, once a2 has received a
# quarter of it, restarts something:
#   - both fp-control killed (SIGKILL) and restarted: the stream never
#     stops (no 1 s without bytes at a2), and fpctl show conntrack lists
#     the same connection, state, flags, generation and rule on both hosts
#     before and after (the restart rewrote nothing);
#   - hva's fp-dpdk (the client's side) killed (SIGKILL) and restarted:
#     its table is empty, fp-control replays the state, and the stream
#     completes: a1's next segment, allowed by a1's egress rules, picks
#     the connection up as established (ct_pickup on hva; the entry says
#     egress: a1's ingress rules could not have admitted a2's packets);
#   - a download (a1 fetches from a2:5004, tcp_stream.py fetch/serve) and
#     hva's fp-dpdk killed and restarted: a1 has nothing to send, a2's
#     segments are sg_denied at a1's ingress, and the download stalls (4 s
#     without a byte, no pickup); a1 sends one byte, allowed by its egress
#     rules: picked up (ct_pickup, egress), the download completes;
#   - hvb's fp-dpdk (the server's side) killed and restarted: the same as
#     hva's first case, ct_pickup on hvb.
# With FP_SG_RESTART_ENGINE_B=xdp (test 'sg_restart_mixed') hvb runs the
# XDP engine (fp_engines_start, as test_sg.sh): the fp-control restart
# (hvb's on backend "xdp": fp_ct untouched) and hva's fp-dpdk restarts.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run
# directory, FP_STREAM_SIZE (default 2 MiB), FP_STREAM_RATE (200 KiB/s),
# FP_SG_RESTART_ENGINE_B (dpdk or xdp: hvb's engine).
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_SG_RESTART_ENGINE_B=${FP_SG_RESTART_ENGINE_B:-dpdk}
case $FP_SG_RESTART_ENGINE_B in
dpdk) FP_PREFIX=${FP_PREFIX:-fpcr-} ;;
xdp) FP_PREFIX=${FP_PREFIX:-fpcrx-} ;;
*)
	echo "not ok - FP_SG_RESTART_ENGINE_B: dpdk or xdp, not '$FP_SG_RESTART_ENGINE_B'"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac
. "$(dirname "$0")/lib.sh"
[ "$FP_SG_RESTART_ENGINE_B" = dpdk ] || fp_bpffs_own_ns "$@"	# a bpffs of the test's own

FP_XDP_INSTANCE="${FP_PREFIX}cr-$$"	# hvb's XDP instance (FP_SG_RESTART_ENGINE_B=xdp)
declare -A FP_HV_ENGINE=([hva]=dpdk [hvb]=$FP_SG_RESTART_ENGINE_B)

PY=/usr/bin/python3
STREAM_PY="$FP_SRC/tests/integration/tcp_stream.py"
FP_STREAM_SIZE=${FP_STREAM_SIZE:-$((2 * 1024 * 1024))}
FP_STREAM_RATE=${FP_STREAM_RATE:-$((200 * 1024))}
STALL_S=40	# tcp_stream.py gives up after this long without progress

fp_config_extra() { fp_engines_config "$1"; }
declare -A LOGN=()	# hypervisor -> lines in its fp-control log before a restart

cleanup() { fp_engines_stop; }

# sg-srv: egress anything, ingress TCP 5001-5004 from anywhere.
sg_srv() {
	fp_sg_group sg-srv true 1 "$(fp_sg_rule srv-e4 egress IPv4)" \
		"$(fp_sg_rule srv-e6 egress IPv6)" \
		"$(fp_sg_rule srv-tcp ingress IPv4 tcp 5001 5004 0.0.0.0/0)"
}

snapshot() {
	fp_neutron_snapshot | jq -c --argjson d "$(fp_sg_default)" --argjson s "$(sg_srv)" \
		'.security_groups += [$d, $s] |
		 (.ports[] | select(.id == "port-a1") | .security_groups) = ["sg-default"] |
		 (.ports[] | select(.id == "port-a2") | .security_groups) = ["sg-srv"]'
}

# stream_start PORT: a2 receives on PORT, a1 sends the stream to it.
stream_start() {
	local port=$1 i
	STREAM_PORT=$port
	STREAM_OUT=$FP_TMP/stream.$port
	STREAM_WHAT="a1 -> a2:$port"
	rm -f "$STREAM_OUT"
	fp_vm a2 "$PY" "$STREAM_PY" recv "${FP_VM_IP4[a2]}" "$port" "$STREAM_OUT" $STALL_S \
		2>"$FP_TMP/recv.$port.err" &
	STREAM_RCV=$!
	for ((i = 0; i < 50; i++)); do
		fp_vm a2 ss -ltnH "sport = :$port" 2>/dev/null | grep -q LISTEN && break
		sleep 0.1
	done
	STREAM_T0=$SECONDS
	fp_vm a1 "$PY" "$STREAM_PY" send "${FP_VM_IP4[a2]}" "$port" "$FP_TMP/stream.in" \
		"$FP_STREAM_RATE" $STALL_S 2>"$FP_TMP/send.$port.err" &
	STREAM_SND=$!
}

stream_bytes() { stat -c %s "$STREAM_OUT" 2>/dev/null || echo 0; }

# stream_wait_bytes N: until a2 has N bytes (false after 20 s).
stream_wait_bytes() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(stream_bytes)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# stream_check WHAT: wait for both ends; ok if both exited 0 and the
# receiver got the stream whole (sha256).
stream_check() {
	local what=$1 src dst got
	wait "$STREAM_SND"
	src=$?
	wait "$STREAM_RCV"
	dst=$?
	got=$(sha256sum <"$STREAM_OUT" 2>/dev/null | cut -d' ' -f1)
	if [ $src -eq 0 ] && [ $dst -eq 0 ] && [ "$got" = "$STREAM_SHA" ]; then
		ok "$what: $FP_STREAM_SIZE bytes $STREAM_WHAT, sha256 matches" \
			"($((SECONDS - STREAM_T0)) s)"
	else
		not_ok "$what: $FP_STREAM_SIZE bytes $STREAM_WHAT, sha256 matches" \
			"(sender rc $src, receiver rc $dst, $(stream_bytes) bytes received)"
		cat "$FP_TMP/send.$STREAM_PORT.err" "$FP_TMP/recv.$STREAM_PORT.err" 2>/dev/null |
			sed 's/^/#   /'
	fi
}

# watch_progress SECONDS FILE: a2's byte count every 0.1 s for SECONDS,
# as "time bytes" lines in FILE (run it in the background).
watch_progress() {
	local end=$((SECONDS + $1))
	: >"$2"
	while [ $SECONDS -lt $end ]; do
		echo "$(date +%s.%N) $(stream_bytes)" >>"$2"
		sleep 0.1
	done
}

# longest_stall FILE: the longest time (s) a2's byte count stood still
# before the stream was whole.
longest_stall() {
	awk -v all="$FP_STREAM_SIZE" '
	     NR == 1 { t0 = $1; b = $2; m = 0; next }
	     $2 >= all { exit }
	     $2 != b { b = $2; t0 = $1; next }
	     { if ($1 - t0 > m) m = $1 - t0 }
	     END { printf "%.2f\n", m }' "$1"
}

no_ping() { ! fp_vm_ping "$1" "$2" 2 >/dev/null 2>&1; }

# log_after HV LINES: HV's fp-control log after its first LINES lines.
log_after() { tail -n "+$(($2 + 1))" "$(fp_ctrl_log "$1")"; }

# ct_entry HV: HV's connection of the running stream (its port as a word).
ct_entry() { fp_conntrack "$1" tcp "$STREAM_PORT"; }

# restart_dpdk_case HV SIDE PORT: the stream to PORT, HV's fp-dpdk killed
# and restarted once a2 has a quarter of it.
restart_dpdk_case() {
	local hv=$1 side=$2 port=$3 e b
	echo "# === $hv's fp-dpdk ($side's side) killed and restarted mid-stream"
	stream_start "$port"
	if ! stream_wait_bytes $((FP_STREAM_SIZE / 4)); then
		not_ok "$hv: the stream to $port flows before the restart ($(stream_bytes) bytes)"
		stream_check "$hv restart"
		return
	fi
	e=$(ct_entry "$hv")
	check "$hv: the stream is tracked before the restart ($e)" \
		grep -q "state established" <<<"$e"
	b=$(stream_bytes)
	fp_dpdk_kill "$hv" KILL
	check "$hv's fp-dpdk SIGKILLed mid-stream (a2 had $b of $FP_STREAM_SIZE bytes)" \
		[ "$b" -lt "$FP_STREAM_SIZE" ]
	if ! fp_start "$hv"; then
		not_ok "fp-dpdk [$hv] restarts: $FP_ERR"
		stream_check "$hv restart"
		return
	fi
	check "$hv: fp-control replays the state into the new fp-dpdk" fp_wait_in_sync "$hv"
	stream_check "$hv's fp-dpdk restarted mid-stream"
	e=$(ct_entry "$hv")
	check "$hv: ct_pickup counted ($(fp_stat "$hv" ct_pickup)) on the restarted fp-dpdk" \
		[ "$(fp_stat "$hv" ct_pickup)" -ge 1 ]
	check "$hv: the picked-up connection is tracked ($e)" grep -q "tcp.* $port orig" <<<"$e"
	if [ "$side" = client ]; then
		check "$hv: picked up by a1's egress (a1's ingress rules admit nothing of a2's)" \
			grep -q "egress" <<<"$e"
	fi
}

# download_case PORT: a1 fetches the stream from a2:PORT (a1 opens the
# connection, the data goes the other way); hva's fp-dpdk killed and
# restarted once a1 has a quarter of it.  a1 has nothing to send, and a2's
# segments cannot open a connection at a1's ingress: the download stalls
# until a1 sends a byte, which its egress rules allow.
download_case() {
	local port=$1 b0 b1 d0 d1 n e nudge=$FP_TMP/nudge.$1 i stalled
	echo "# === a1 downloads from a2; hva's fp-dpdk killed and restarted mid-way"
	STREAM_PORT=$port
	STREAM_OUT=$FP_TMP/stream.$port
	STREAM_WHAT="a2:$port -> a1 (a download)"
	rm -f "$STREAM_OUT" "$nudge"
	fp_vm a2 "$PY" "$STREAM_PY" serve "${FP_VM_IP4[a2]}" "$port" "$FP_TMP/stream.in" \
		"$FP_STREAM_RATE" $STALL_S 2>"$FP_TMP/send.$port.err" &
	STREAM_SND=$!
	for ((i = 0; i < 50; i++)); do
		fp_vm a2 ss -ltnH "sport = :$port" 2>/dev/null | grep -q LISTEN && break
		sleep 0.1
	done
	STREAM_T0=$SECONDS
	fp_vm a1 "$PY" "$STREAM_PY" fetch "${FP_VM_IP4[a2]}" "$port" "$STREAM_OUT" "$nudge" \
		$STALL_S 2>"$FP_TMP/recv.$port.err" &
	STREAM_RCV=$!
	if ! stream_wait_bytes $((FP_STREAM_SIZE / 4)); then
		not_ok "the download from $port flows ($(stream_bytes) bytes)"
		touch "$nudge"
		stream_check "download"
		return
	fi
	fp_dpdk_kill hva KILL
	fp_start hva || not_ok "fp-dpdk [hva] restarts: $FP_ERR"
	fp_wait_in_sync hva
	b0=$(stream_bytes)
	d0=$(fp_stat hva sg_denied)
	sleep 4
	b1=$(stream_bytes)
	d1=$(fp_stat hva sg_denied)
	n=$(fp_stat hva ct_pickup)
	stalled=0
	[ "$b0" = "$b1" ] && [ "$b0" -lt "$FP_STREAM_SIZE" ] && [ $((d1 - d0)) -ge 1 ] &&
		[ "$n" = 0 ] && stalled=1
	check "the download stalls: a1 got $b0 then $b1 bytes in 4 s, a2's segments are sg_denied at a1's ingress (+$((d1 - d0))), no pickup ($n)" \
		[ $stalled = 1 ]
	touch "$nudge"
	stream_check "a1 sends one byte, allowed by its egress rules"
	e=$(ct_entry hva)
	check "hva: ct_pickup counted ($(fp_stat hva ct_pickup)) for it" \
		[ "$(fp_stat hva ct_pickup)" -ge 1 ]
	check "hva: picked up by a1's egress ($e)" grep -q "tcp.* $port orig .* egress" <<<"$e"
}

main() {
	local hv e0 e1 stall n0 n1
	fp_init_or_exit
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_need_tools curl jq ss sha256sum "$PY"
	if [ "$FP_SG_RESTART_ENGINE_B" = xdp ]; then
		FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
		fp_need_tools nsenter clang
		fp_need_built "$FP_XDP"
	fi
	fp_install_traps
	trap cleanup EXIT
	head -c "$FP_STREAM_SIZE" /dev/urandom >"$FP_TMP/stream.in"
	STREAM_SHA=$(sha256sum <"$FP_TMP/stream.in" | cut -d' ' -f1)
	if ! fp_topo_create || ! fp_engines_start; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	fp_control_start_all
	ok "engines (hva ${FP_HV_ENGINE[hva]}, hvb ${FP_HV_ENGINE[hvb]}) and both fp-control up"
	check "snapshot: a1 in the default group, a2 in sg-srv" fp_api_all PUT /v1/snapshot \
		"$(snapshot)"
	fp_check_in_sync_all
	check "a2 cannot ping a1 (a1's ingress admits its group only)" no_ping a2 "${FP_VM_IP4[a1]}"

	echo "# === both fp-control killed and restarted mid-stream"
	stream_start 5001
	if stream_wait_bytes $((FP_STREAM_SIZE / 4)); then
		e0=$(for hv in $FP_HVS; do echo "$hv: $(ct_entry "$hv")"; done)
		n0=$(fp_stat hva ct_pickup)/$(fp_stat hvb ct_pickup)
		for hv in $FP_HVS; do
			LOGN[$hv]=$(wc -l <"$(fp_ctrl_log "$hv")")
		done
		watch_progress 4 "$FP_TMP/progress" &
		local wpid=$!
		sleep 0.5
		for hv in $FP_HVS; do
			fp_control_stop "$hv" KILL
		done
		for hv in $FP_HVS; do
			fp_control_start "$hv" || not_ok "fp-control [$hv] restarts: $FP_ERR"
		done
		fp_check_in_sync_all "after the fp-control restart"
		wait $wpid
		stall=$(longest_stall "$FP_TMP/progress")
		check "the stream never stopped (longest pause at a2: $stall s)" \
			awk -v s="$stall" 'BEGIN { exit !(s < 1.0) }'
		e1=$(for hv in $FP_HVS; do echo "$hv: $(ct_entry "$hv")"; done)
		n1=$(fp_stat hva ct_pickup)/$(fp_stat hvb ct_pickup)
		echo "$e1" | sed 's/^/#   /'
		check "both hosts track the stream" [ "$(grep -c "state established" <<<"$e1")" = 2 ]
		check "conntrack unchanged by the fp-control restart (same entries, gen, rule)" \
			[ "$e0" = "$e1" ]
		[ "$e0" = "$e1" ] || diff <(echo "$e0") <(echo "$e1") | sed 's/^/#   /'
		check "no pickup on either host ($n0 -> $n1)" [ "$n0" = "$n1" ]
		for hv in $FP_HVS; do
			check "$hv: the restarted fp-control rewrote nothing" \
				grep -q "in sync: 0 set, 0 deleted" <(log_after "$hv" "${LOGN[$hv]}")
		done
	else
		not_ok "the stream to 5001 flows ($(stream_bytes) bytes)"
	fi
	stream_check "fp-control restarted mid-stream"

	restart_dpdk_case hva client 5002
	download_case 5004
	if [ "${FP_HV_ENGINE[hvb]}" = dpdk ]; then
		restart_dpdk_case hvb server 5003
	fi

	[ "$N_FAIL" -eq 0 ] || fp_engines_diag
	finish
}

main "$@"
