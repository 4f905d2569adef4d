#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/control.sh: fp-control's benchmarks against real fp-dpdk processes, on
# the topology of tests/integration/lib.sh (two hypervisors, VMs in namespaces):
#   1. latency:  N_LAT times, a new Neutron port is PUT on hva's VM port a1 and
#                the time from the PUT's answer to its first frame leaving the
#                underlay (encapsulated, seen on hvb's underlay interface);
#   2. entries:  N_ENTRIES fdb entries into hva's fp-dpdk through fp-control's
#                southbound (fp_sync_apply over the control socket), then
#                removed, while a1 pings a2 every millisecond: entries/s and
#                the pings lost;
#   3. snapshot: PUT /v1/snapshot of SNAP_PORTS ports in SNAP_NETS networks on
#                SNAP_HOSTS hosts, again unchanged, again with 10% moved.
#
#   sudo bench/control.sh            # N_LAT=1000 N_ENTRIES=1000000
#   sudo N_LAT=100 N_ENTRIES=100000 bench/control.sh
#
# Both fp-dpdk busy-poll one worker each (lcore 1, shared); fp-control, the
# bench and the pings share lcore 0.  Results: $RESULTS/control_*.txt (text
# and JSON lines).  Env: FP_BUILDDIR (default <repo>/build), RESULTS.
set -uo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
N_LAT=${N_LAT:-1000}
N_ENTRIES=${N_ENTRIES:-1000000}
BATCH=${BATCH:-65536}
SNAP_PORTS=${SNAP_PORTS:-10000}
SNAP_NETS=${SNAP_NETS:-1000}
SNAP_HOSTS=${SNAP_HOSTS:-100}
RESULTS=${RESULTS:-/tmp/flowplane-bench/results}
PING_COUNT=${PING_COUNT:-$((3000 + N_ENTRIES / 200))}

FP_PREFIX=fpb-
FP_FDB_LIMIT=$((N_ENTRIES + 65536))
FP_NEIGH_LIMIT=65536
FP_VTEP_LIMIT=4096
FP_FLOOD_LIMIT=4096
FP_EAL_MEM=2048
FP_IDLE_CONF='idle = { mode = "busy"; };'
. "$REPO/tests/integration/lib.sh"

fp_config_extra() { fp_control_config "$1" "batch = $BATCH;"; }

# dp_drops HV: fp-dpdk's dropped packets so far (all workers, all reasons).
dp_drops() {
	fp_ctl "$1" --json show stats | jq '.stats.drop'
}

# api HV METHOD PATH [BODY]: fails unless fp-control answers 200.
api() {
	fp_api "$@"
	[ "$FP_CODE" = 200 ] || { echo "$FP_CODE $FP_BODY" >&2; return 1; }
}

die() {
	echo "bench/control.sh: $*" >&2
	exit 1
}

# hv_up HV: fp-dpdk and fp-control on HV, with the base state.
hv_up() {
	fp_start "$1" || die "$FP_ERR"
	fp_control_start "$1" || die "$FP_ERR"
	api "$1" PUT /v1/snapshot "$(fp_neutron_snapshot)" || die "base snapshot on $1"
}

main() {
	local ping_pid out running drops_before drops_after
	[ "$(id -u)" = 0 ] || die "run as root"
	FP_BUILDDIR=${FP_BUILDDIR:-$REPO/build}
	if [ ! -x "$FP_BUILDDIR/bench/fp-bench-control" ]; then
		meson setup "$FP_BUILDDIR" "$REPO" >/dev/null && ninja -C "$FP_BUILDDIR" >/dev/null ||
			die "build failed"
	fi
	fp_lib_init || die "$FP_ERR"
	mkdir -p "$RESULTS"
	fp_install_traps
	fp_topo_create || die "$FP_ERR"
	echo "# git $(git -C "$REPO" describe --always --dirty 2>/dev/null), $(nproc) CPUs, $(date -u +%FT%TZ)"

	# 1. latency: a1's port replaced N_LAT times.  Only hva runs: a
	# second busy-polling fp-dpdk on the same core would time-share it.
	hv_up hva
	api hva DELETE /v1/ports/port-a1 || die "delete port-a1"
	"$FP_BUILDDIR/bench/fp-bench-control" latency --api "$(fp_api_sock hva)" \
		--vm-ns "$(fp_ns a1)" --vm-if eth0 --sink-ns "$(fp_ns hvb)" --sink-if hvb-ul \
		--dst-mac "${FP_MAC[a2]}" --dst-ip "${FP_VM_IP4[a2]}" --src-ip 10.100.0.50 \
		--network net-a --subnet net-a-v4 --host hva --dp-port a1 -n "$N_LAT" |
		tee "$RESULTS/control_latency.txt"
	api hva DELETE "/v1/ports/bench-port-$((N_LAT - 1))"
	api hva PUT /v1/ports/port-a1 "{\"port\": $(fp_neutron_port a1)}" || die "port-a1 back"

	# 2. entries while a1 pings a2 every millisecond (both hypervisors
	# up; hvb sleeps when idle, so that hva's worker keeps its core).
	FP_IDLE_CONF='idle = { mode = "adaptive"; empty_polls = 50; max_sleep_us = 50; };'
	hv_up hvb
	fp_vm_flush a1
	fp_vm_ping a1 "${FP_VM_IP4[a2]}" 3 >/dev/null || die "a1 cannot ping a2"
	drops_before=$(dp_drops hva)+$(dp_drops hvb)
	# A fixed count that outlasts the updates; ping ends on its own, so
	# no echo is cut off in flight.
	fp_vm a1 ping -q -n -i 0.001 -c "$PING_COUNT" -W 1 "${FP_VM_IP4[a2]}" \
		>"$FP_TMP/ping.out" 2>&1 &
	ping_pid=$!
	sleep 0.5
	"$FP_BUILDDIR/bench/fp-bench-control" entries --dp "$(fp_sock hva)" -n "$N_ENTRIES" \
		--vni 100 --vtep 0 --batch "$BATCH" | tee "$RESULTS/control_entries.txt"
	running=0
	kill -0 "$ping_pid" 2>/dev/null && running=1
	wait "$ping_pid"
	drops_after=$(dp_drops hva)+$(dp_drops hvb)
	out=$(grep -E "packets transmitted" "$FP_TMP/ping.out")
	{
		echo "entries: a1 -> a2 pings every 1 ms meanwhile: $out"
		[ $running = 1 ] || echo "entries: WARNING: ping ended before the updates did; raise PING_COUNT"
		echo "entries: fp-dpdk drops (hva+hvb) before $drops_before, after $drops_after"
	} | tee -a "$RESULTS/control_entries.txt"

	# 3. snapshots on hva.
	"$FP_BUILDDIR/bench/fp-bench-control" snapshot --api "$(fp_api_sock hva)" --host hva \
		--dp-ports a1,b1 --ports "$SNAP_PORTS" --networks "$SNAP_NETS" --hosts "$SNAP_HOSTS" \
		--peer-mac "${FP_MAC[hvb-ul]}" | tee "$RESULTS/control_snapshot.txt"
	api hva GET "/v1/tables?entries=0"
	jq -c '{in_sync, counts, problems: (.problems | length)}' <<<"$FP_BODY" |
		tee -a "$RESULTS/control_snapshot.txt"
}

main "$@"
