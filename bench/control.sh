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

declare -A CTRL_PID=()
api_sock() { echo "$FP_TMP/$1-api.sock"; }

fp_config_extra() {
	echo "fp_control = { api_socket = \"$(api_sock "$1")\"; state_dir = \"$FP_TMP/$1-state\";"
	echo "	health_ms = 100; batch = $BATCH; };"
}

# dp_drops HV: fp-dpdk's dropped packets so far (all workers, all reasons).
dp_drops() {
	fp_ctl "$1" --json show stats | jq '.stats.drop'
}

api() { # HV METHOD PATH [BODY]: prints the answer, fails unless 200
	local code
	code=$(curl -s -o "$FP_TMP/answer" -w '%{http_code}' -X "$2" --max-time 120 \
		--unix-socket "$(api_sock "$1")" ${4:+--data-binary "$4"} "http://localhost$3")
	cat "$FP_TMP/answer"
	echo
	[ "$code" = 200 ]
}

die() {
	echo "bench/control.sh: $*" >&2
	exit 1
}

port_json() { # VM
	local vm=$1 net=net-a
	[ "${FP_VM_VNI[$vm]}" = 200 ] && net=net-b
	echo "{\"id\": \"port-$vm\", \"network_id\": \"$net\", \"mac_address\": \"${FP_MAC[$vm]}\",
	 \"fixed_ips\": [{\"subnet_id\": \"$net-v4\", \"ip_address\": \"${FP_VM_IP4[$vm]}\"}],
	 \"binding:host_id\": \"${FP_VM_HV[$vm]}\", \"binding:profile\": {\"flowplane_port\": \"$vm\"}}"
}

base_snapshot() {
	local vm sep=""
	echo "{\"hosts\": ["
	echo " {\"id\": \"hva\", \"vtep_addresses\": [\"${FP_HV_VTEP4[hva]}\"], \"underlay_mac\": \"${FP_MAC[hva-ul]}\"},"
	echo " {\"id\": \"hvb\", \"vtep_addresses\": [\"${FP_HV_VTEP4[hvb]}\"], \"underlay_mac\": \"${FP_MAC[hvb-ul]}\"}],"
	echo " \"networks\": [{\"id\": \"net-a\", \"provider:network_type\": \"vxlan\", \"provider:segmentation_id\": 100, \"mtu\": 1500},"
	echo "  {\"id\": \"net-b\", \"provider:network_type\": \"geneve\", \"provider:segmentation_id\": 200, \"mtu\": 1500}],"
	echo " \"subnets\": [{\"id\": \"net-a-v4\", \"network_id\": \"net-a\", \"ip_version\": 4, \"cidr\": \"10.100.0.0/24\"},"
	echo "  {\"id\": \"net-b-v4\", \"network_id\": \"net-b\", \"ip_version\": 4, \"cidr\": \"10.100.0.0/24\"}],"
	echo " \"ports\": ["
	for vm in $FP_VMS; do
		echo "$sep$(port_json "$vm")"
		sep=","
	done
	echo "]}"
}

# hv_up HV: fp-dpdk and fp-control on HV, with the base state.
hv_up() {
	local hv=$1 i
	fp_start "$hv" || die "$FP_ERR"
	ip netns exec "$(fp_ns "$hv")" "$FP_BUILDDIR/control/fp-control" -c "$FP_TMP/$hv.conf" \
		>"$FP_TMP/$hv-control.log" 2>&1 &
	CTRL_PID[$hv]=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$(api_sock "$hv")" ] && break
		sleep 0.05
	done
	api "$hv" PUT /v1/snapshot "$(base_snapshot)" >/dev/null ||
		die "base snapshot on $hv: $(cat "$FP_TMP/answer")"
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
	trap 'for h in "${!CTRL_PID[@]}"; do kill "${CTRL_PID[$h]}" 2>/dev/null; done; fp_teardown' EXIT
	fp_topo_create || die "$FP_ERR"
	echo "# git $(git -C "$REPO" describe --always --dirty 2>/dev/null), $(nproc) CPUs, $(date -u +%FT%TZ)"

	# 1. latency: a1's port replaced N_LAT times.  Only hva runs: a
	# second busy-polling fp-dpdk on the same core would time-share it.
	hv_up hva
	api hva DELETE /v1/ports/port-a1 >/dev/null || die "delete port-a1"
	"$FP_BUILDDIR/bench/fp-bench-control" latency --api "$(api_sock hva)" \
		--vm-ns "$(fp_ns a1)" --vm-if eth0 --sink-ns "$(fp_ns hvb)" --sink-if hvb-ul \
		--dst-mac "${FP_MAC[a2]}" --dst-ip "${FP_VM_IP4[a2]}" --src-ip 10.100.0.50 \
		--network net-a --subnet net-a-v4 --host hva --dp-port a1 -n "$N_LAT" |
		tee "$RESULTS/control_latency.txt"
	api hva DELETE "/v1/ports/bench-port-$((N_LAT - 1))" >/dev/null
	api hva PUT /v1/ports/port-a1 "{\"port\": $(port_json a1)}" >/dev/null || die "port-a1 back"

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
	"$FP_BUILDDIR/bench/fp-bench-control" snapshot --api "$(api_sock hva)" --host hva \
		--dp-ports a1,b1 --ports "$SNAP_PORTS" --networks "$SNAP_NETS" --hosts "$SNAP_HOSTS" \
		--peer-mac "${FP_MAC[hvb-ul]}" | tee "$RESULTS/control_snapshot.txt"
	api hva GET "/v1/tables?entries=0" | tee -a "$RESULTS/control_snapshot.txt" |
		jq -c '{in_sync, counts, problems: (.problems | length)}'
}

main "$@"
