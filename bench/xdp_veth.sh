#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# xdp_veth.sh: end-to-end packets per second over veth, flowplane's XDP path
# (fp-xdp) next to the Linux kernel's own path (a bridge and a vxlan device)
# carrying the same traffic, in one run.
#
#   sudo bench/xdp_veth.sh [--quick] [--no-baseline]
#
# Per frame size (SIZES), flow count (FLOWS) and round (ROUNDS), each case on
# fresh namespaces:
#
#   VM ns                    hypervisor ns                       sink ns
#   VM_IF  <---- veth ---->  HV_IF  [case]  UL_IF  <-- veth -->  SK_IF
#   fp-bench-xdp-gen                                             fpv_sink_drop
#   (live frames, XDP_TX)                                        (count, XDP_DROP)
#
#   baseline the sink program on HV_IF itself, no forwarding: the source, one
#            veth hop and the sink, the part every case has (and the source's
#            own limit when the forwarding thread is not busy all the time)
#   xdp      fp-xdp on HV_IF (role vm) and UL_IF (role underlay), tables from
#            fpctl --xdp: VXLAN encapsulation, redirect out of UL_IF
#   kernel   HV_IF and a vxlan device (VNI 100, remote = the sink, dstport
#            4789, nolearning, noudpcsum as flowplane, static fdb entries) in a
#            bridge, UL_IF with an address and a permanent neighbour entry
#
# The "VM" sends VM1 -> VM2 Ethernet/IPv4/UDP frames, 64 or 1024 bytes on the
# wire (with the FCS), cycling through FLOWS UDP 5-tuples, from GEN_CPU, paced
# at 1.2 times what reaches the sink.  HV_IF runs threaded NAPI pinned to
# FWD_CPU: all of the hypervisor's work is that thread.  The sink runs in the
# same thread, right after it (SINK_CPU=inline), or in a NAPI thread of its
# own (SINK_CPU=N).  Reported per case: Mpps at the sink, and the forwarding
# thread's CPU time per frame.
# See bench/README.md for the knobs, the output and how to read it.
#
# Functions run from traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -u -o pipefail

usage() {
	cat <<'EOF'
usage: bench/xdp_veth.sh [--quick] [--no-baseline]
  --quick        smoke run: SIZES=64 FLOWS=1000 NWIN=2 WIN_S=1 WARM_S=1 (environment overrides)
  --no-baseline  skip the baseline runs (sink on HV_IF, no forwarding)
environment: SIZES FLOWS ROUNDS WIN_S NWIN WARM_S CASES RESULTS FP_BUILDDIR FP_NO_BUILD
             GEN_CPU FWD_CPU SINK_CPU(inline|N) SINK_HOOK(xdp|tc) FPV_PIN(on|off)
             FWD_SPIN(on|off) GEN_SCHED(normal|idle) GEN_RATE(auto|max|PPS) GEN_HEADROOM
             BATCH CHUNK FP_ANTISPOOF(on|off) FPV_BR_NF(off|on)
EOF
}

QUICK=0 DO_BASELINE=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--no-baseline) DO_BASELINE=0 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 1 ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	: "${SIZES:=64}" "${FLOWS:=1000}" "${NWIN:=2}" "${WIN_S:=1}" "${WARM_S:=1}"
fi

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
SELF=$REPO/bench/xdp_veth.sh
SIZES=${SIZES:-64 1024}
FLOWS=${FLOWS:-1 1000}
ROUNDS=${ROUNDS:-2}
WIN_S=${WIN_S:-2} NWIN=${NWIN:-5} WARM_S=${WARM_S:-2}
CASES=${CASES:-baseline xdp kernel}
[ $DO_BASELINE = 1 ] || CASES=$(echo " $CASES " | sed 's/ baseline / /; s/^ *//; s/ *$//')
RESULTS=${RESULTS:-/tmp/flowplane-bench/results}
FP_BUILDDIR=${FP_BUILDDIR:-$REPO/build}
case $FP_BUILDDIR in /*) ;; *) FP_BUILDDIR=$REPO/$FP_BUILDDIR ;; esac
GEN_CPU=${GEN_CPU:-0} FWD_CPU=${FWD_CPU:-1} SINK_CPU=${SINK_CPU:-inline} SINK_HOOK=${SINK_HOOK:-xdp}
FPV_PIN=${FPV_PIN:-on}
FWD_SPIN=${FWD_SPIN:-on}
# The source yields its CPU when the sink's thread shares it.
if [ "$SINK_CPU" = "$GEN_CPU" ]; then GEN_SCHED=${GEN_SCHED:-idle}; else GEN_SCHED=${GEN_SCHED:-normal}; fi
BATCH=${BATCH:-64} CHUNK=${CHUNK:-1073741824}
GEN_RATE=${GEN_RATE:-auto} GEN_HEADROOM=${GEN_HEADROOM:-1.2}
FP_ANTISPOOF=${FP_ANTISPOOF:-on}
FPV_BR_NF=${FPV_BR_NF:-off}
FPXDP=$FP_BUILDDIR/bpf/fp-xdp
FPCTL=$FP_BUILDDIR/control/fpctl
GEN=$FP_BUILDDIR/bench/fp-bench-xdp-gen
export SIZES FLOWS ROUNDS WIN_S NWIN WARM_S CASES RESULTS FP_BUILDDIR GEN_CPU FWD_CPU SINK_CPU SINK_HOOK
export FPV_PIN FWD_SPIN GEN_SCHED BATCH CHUNK GEN_RATE GEN_HEADROOM FP_ANTISPOOF FPV_BR_NF

say() { echo "[$(date +%T)] $*"; }
die() { say "xdp_veth: $*"; exit 1; }

# ================================================================ outside
# Build, then everything else in a mount namespace of its own with a fresh
# bpffs on /sys/fs/bpf: fp-xdp's pins and the sink's live there and vanish
# with it; the host's /sys/fs/bpf is not touched.
if [ -z "${FPV_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (namespaces, BPF, XDP)"
	for t in ip bridge ethtool nsenter unshare taskset top python3; do
		command -v $t >/dev/null || die "$t not found"
	done
	case $SINK_CPU in inline | [0-9]*) ;; *) die "SINK_CPU: inline or a CPU number" ;; esac
	case $SINK_HOOK in xdp | tc) ;; *) die "SINK_HOOK: xdp or tc" ;; esac
	SESSION=$(date -u +%Y%m%dT%H%M%SZ)-$$
	OUT=$RESULTS/xdp_veth_$SESSION
	mkdir -p "$OUT" || die "cannot create $OUT"
	export SESSION OUT
	exec > >(tee -a "$OUT/xdp_veth.log") 2>&1
	if [ "${FP_NO_BUILD:-0}" != 1 ]; then
		if [ ! -f "$FP_BUILDDIR/build.ninja" ]; then
			timeout 600 meson setup "$FP_BUILDDIR" "$REPO" >"$OUT/build.log" 2>&1 ||
				{ tail -20 "$OUT/build.log"; die "meson setup $FP_BUILDDIR failed"; }
		fi
		timeout 1200 ninja -C "$FP_BUILDDIR" bpf/fp-xdp control/fpctl bench/fp-bench-xdp-gen \
			>>"$OUT/build.log" 2>&1 ||
			{ tail -30 "$OUT/build.log"; die "build failed (log: $OUT/build.log)"; }
	fi
	for b in "$FPXDP" "$FPCTL" "$GEN"; do
		[ -x "$b" ] || die "no $b (FP_BUILDDIR, or unset FP_NO_BUILD)"
	done
	# The namespaces are made inside: their /run/netns binds live in the
	# inner mount namespace and the namespaces die with it.  What an
	# interrupted run leaves in /run/netns is removed here.
	trap 'for n in vm hv sk; do ip netns del "fpv-$$-$n" 2>/dev/null; rm -f "/run/netns/fpv-$$-$n"; done' EXIT
	trap 'say "interrupted"; exit 130' INT TERM
	FPV_INNER=1 FPV_TAG=$$ unshare -m --propagation private bash "$SELF" "$@"
	exit $?
fi

# ================================================================ inside
TAG=$FPV_TAG
NS_VM=fpv-$TAG-vm NS_HV=fpv-$TAG-hv NS_SK=fpv-$TAG-sk
# Interface names carry the tag: NAPI threads are named after their device
# (napi/IF-ID) in one namespace for the whole machine, and found by that.
VM_IF=fpv${TAG}vm HV_IF=fpv${TAG}hv UL_IF=fpv${TAG}ul SK_IF=fpv${TAG}sk HOLD_IF=fpv${TAG}g
VM1_MAC=02:00:00:00:0a:01 VM2_MAC=02:00:00:00:0a:02 # inner source, destination
HV_MAC=02:00:00:00:0a:fe                            # HV_IF (bridge port / vm port)
UL_MAC=02:00:00:00:01:01 SK_MAC=02:00:00:00:01:02   # local and remote VTEP MACs
LOCAL_VTEP=172.16.0.1 REMOTE_VTEP=172.16.0.2
INSTANCE=fpv-$TAG
SINK_PIN=/sys/fs/bpf/fpv_sink_$TAG
TMPD=$(mktemp -d /tmp/fpv.XXXXXX) || die "mktemp"

cleanup() {
	trap - EXIT INT TERM
	topo_down
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# A fresh bpffs in this mount namespace only.
umount /sys/fs/bpf 2>/dev/null
mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs in the private mount namespace"

in_ns() { # NS CMD...: CMD in network namespace NS, this mount namespace
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

write_conf() {
	cat >"$TMPD/fp.conf" <<EOF
host = "hv-fpv";
vtep = { addresses = [ "$LOCAL_VTEP" ]; };
tables = { vtep = 64; fdb = 4096; flood = 64; neigh = 1024; };
fp_xdp = {
	instance = "$INSTANCE";
	mode = "native";
	ports = (
		{ name = "vm1"; role = "vm"; iface = "$HV_IF"; },
		{ name = "uplink"; role = "underlay"; iface = "$UL_IF"; }
	);
};
EOF
}

topo_down() {
	if [ -e "/sys/fs/bpf/flowplane/$INSTANCE" ]; then
		write_conf
		in_ns "$NS_HV" "$FPXDP" -c "$TMPD/fp.conf" detach >>"$TMPD/detach.log" 2>&1
	fi
	rm -f "$SINK_PIN"
	for n in "$NS_VM" "$NS_HV" "$NS_SK"; do ip netns del "$n" 2>/dev/null; done
	return 0
}

topo_up() {
	local n
	for n in "$NS_VM" "$NS_HV" "$NS_SK"; do
		ip netns add "$n" || return 1
		# No IPv6 (router solicitations, DAD, MLD) on the test interfaces.
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$n" link set lo up
	done
	ip -n "$NS_VM" link add name "$VM_IF" address $VM1_MAC type veth \
		peer name "$HV_IF" address $HV_MAC netns "$NS_HV" || return 1
	ip -n "$NS_HV" link add name "$UL_IF" address $UL_MAC type veth \
		peer name "$SK_IF" address $SK_MAC netns "$NS_SK" || return 1
	# An idle pair (down) that only holds the source's program: see
	# fp-bench-xdp-gen --hold.
	ip -n "$NS_VM" link add name "$HOLD_IF" type veth peer name "${HOLD_IF}p" || return 1
	ip -n "$NS_VM" link set "$VM_IF" up &&
		ip -n "$NS_HV" link set "$HV_IF" up &&
		ip -n "$NS_HV" link set "$UL_IF" up &&
		ip -n "$NS_SK" link set "$SK_IF" up
}

# The hypervisor's forwarding, case xdp: fp-xdp and its tables.
setup_xdp() {
	write_conf
	in_ns "$NS_HV" "$FPXDP" -c "$TMPD/fp.conf" attach || return 1
	"$FPCTL" --xdp "$INSTANCE" add port 0 vni 100 mac $VM1_MAC antispoof "$FP_ANTISPOOF" \
		addr 10.1.0.1/32 &&
		"$FPCTL" --xdp "$INSTANCE" add vtep 1 remote $REMOTE_VTEP local $LOCAL_VTEP \
			nh-mac $SK_MAC port 1 &&
		"$FPCTL" --xdp "$INSTANCE" add fdb 100 $VM2_MAC vtep 1 &&
		"$FPCTL" --xdp "$INSTANCE" add flood 100 port 0 vtep 1 || return 1
	"$FPCTL" --xdp "$INSTANCE" show tables
}

# The hypervisor's forwarding, case kernel: bridge + vxlan.  GRO on HV_IF
# gives it the NAPI instance the source's frames need (a veth receives
# redirected frames only with an XDP program or GRO on the receiving end).
setup_kernel() {
	local h=(ip -n "$NS_HV") v=0
	# br_netfilter (built in on some kernels) passes bridged IPv4 frames
	# through the iptables hooks unless told not to; there are no rules in
	# this namespace, so that is pure cost: off unless FPV_BR_NF=on.
	if ip netns exec "$NS_HV" test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
		[ "$FPV_BR_NF" = on ] && v=1
		ip netns exec "$NS_HV" sysctl -qw net.bridge.bridge-nf-call-iptables=$v \
			net.bridge.bridge-nf-call-ip6tables=$v net.bridge.bridge-nf-call-arptables=$v ||
			return 1
	fi
	"${h[@]}" addr add $LOCAL_VTEP/24 dev "$UL_IF" &&
		"${h[@]}" neigh replace $REMOTE_VTEP lladdr $SK_MAC dev "$UL_IF" nud permanent &&
		"${h[@]}" link add name fpv-br type bridge stp_state 0 &&
		"${h[@]}" link add name fpv-vx type vxlan id 100 remote $REMOTE_VTEP \
			local $LOCAL_VTEP dstport 4789 nolearning noudpcsum dev "$UL_IF" &&
		"${h[@]}" link set "$HV_IF" master fpv-br &&
		"${h[@]}" link set fpv-vx master fpv-br &&
		"${h[@]}" link set fpv-vx up &&
		"${h[@]}" link set fpv-br up &&
		in_ns "$NS_HV" bridge fdb replace $VM2_MAC dev fpv-vx master static &&
		in_ns "$NS_HV" bridge fdb replace $VM2_MAC dev fpv-vx dst $REMOTE_VTEP self permanent &&
		in_ns "$NS_HV" ethtool -K "$HV_IF" gro on || return 1
	"${h[@]}" -d link show fpv-vx
	in_ns "$NS_HV" bridge fdb show dev fpv-vx
	ip netns exec "$NS_HV" sysctl net.bridge.bridge-nf-call-iptables 2>/dev/null
}

# napi_thread NS IF CPU: threaded NAPI on IF, its thread pinned to CPU;
# prints the thread's pid.
napi_thread() {
	local ns=$1 dev=$2 cpu=$3 pids
	ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" ||
		{ say "cannot enable threaded NAPI on $dev"; return 1; }
	pids=$(ps -eo pid=,comm= | awk -v p="napi/$dev-" 'index($2, p) == 1 {print $1}')
	if [ "$(echo "$pids" | wc -w)" != 1 ]; then
		say "expected one NAPI thread napi/$dev-*, found '$pids'"
		return 1
	fi
	if [ "$FPV_PIN" = on ]; then
		taskset -p -c "$cpu" "$pids" >/dev/null || return 1
	fi
	echo "$pids"
}

ethstats() { # NS IF: ethtool -S as "name value" lines, sorted for join
	in_ns "$1" ethtool -S "$2" 2>/dev/null |
		awk -F: 'NF == 2 {gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2}' | sort
}

ethsnap() { # SUFFIX
	ethstats "$NS_VM" "$VM_IF" >"$TMPD/vm$1"
	ethstats "$NS_HV" "$HV_IF" >"$TMPD/hv$1"
	ethstats "$NS_HV" "$UL_IF" >"$TMPD/ul$1"
	ethstats "$NS_SK" "$SK_IF" >"$TMPD/sk$1"
}

# run_case CASE SIZE FLOWS ROUND: one measurement on fresh namespaces.
run_case() {
	local c=$1 size=$2 flows=$3 round=$4 fwd_pid sink_pid='' rc sink_ns=$NS_SK sink_if=$SK_IF
	local raw=$OUT/${c}_${size}_${flows}_r$round pin=() spin=() top_pid
	say "---- $c: ${size}-byte frames, $flows flow(s), round $round"
	topo_down
	topo_up || { say "$c: cannot build the namespaces"; return 1; }
	if [ "$c" = baseline ]; then
		sink_ns=$NS_HV sink_if=$HV_IF
	fi
	# A tc sink needs GRO on its veth for NAPI (frames redirected to it).
	if [ "$SINK_HOOK" = tc ]; then
		in_ns "$sink_ns" ethtool -K "$sink_if" gro on >/dev/null || return 1
	fi
	in_ns "$sink_ns" "$GEN" sink --iface "$sink_if" --pin "$SINK_PIN" --size "$size" \
		--hook "$SINK_HOOK" >"$raw.setup.txt" 2>&1 ||
		{ cat "$raw.setup.txt"; say "$c: cannot attach the sink"; return 1; }
	case $c in
	xdp) setup_xdp >>"$raw.setup.txt" 2>&1 || { cat "$raw.setup.txt"; say "$c: setup failed"; return 1; } ;;
	kernel) setup_kernel >>"$raw.setup.txt" 2>&1 || { cat "$raw.setup.txt"; say "$c: setup failed"; return 1; } ;;
	esac
	fwd_pid=$(napi_thread "$NS_HV" "$HV_IF" "$FWD_CPU") || return 1
	if [ "$c" != baseline ] && [ "$SINK_CPU" != inline ]; then
		sink_pid=$(napi_thread "$NS_SK" "$SK_IF" "$SINK_CPU") || return 1
	fi
	ethsnap 0
	[ "$FPV_PIN" = on ] && pin=(taskset -c "$GEN_CPU")
	[ "$FPV_PIN" = on ] && [ "$FWD_SPIN" = on ] && spin=(--spin "$FWD_CPU")
	# What else runs meanwhile (the machine may be shared): top's second
	# sample, one second long, after the warm-up.
	(sleep "$WARM_S" && top -b -n 2 -d 1 -w 200 >"$raw.top.txt" 2>&1) &
	top_pid=$!
	timeout $((WARM_S + WIN_S * NWIN + 60)) "${pin[@]}" nsenter --net="/run/netns/$NS_VM" \
		"$GEN" run --iface "$VM_IF" --sink "$SINK_PIN" --size "$size" --flows "$flows" \
		--batch "$BATCH" --chunk "$CHUNK" --warm "$WARM_S" --win "$WIN_S" --nwin "$NWIN" \
		--rate "$GEN_RATE" --headroom "$GEN_HEADROOM" --hold "$HOLD_IF" --sched "$GEN_SCHED" \
		--fwd-pid "$fwd_pid" "${spin[@]}" --label "$c" >"$raw.gen.txt" 2>&1
	rc=$?
	wait $top_pid 2>/dev/null
	sleep 0.2 # the rings drain
	"$GEN" read --pin "$SINK_PIN" >"$raw.sink.json" 2>&1
	grep -v '^{' "$raw.gen.txt" | sed 's/^/    /'
	ethsnap 1
	{
		echo "# ethtool -S deltas over the whole run (warm-up included)"
		for x in vm:$VM_IF hv:$HV_IF ul:$UL_IF sk:$SK_IF; do
			join "$TMPD/${x%%:*}0" "$TMPD/${x%%:*}1" |
				awk -v d="${x%%:*}" '$3 != $2 {printf "%s %s %.0f\n", d, $1, $3 - $2}'
		done
	} >"$raw.ethtool.txt"
	if [ "$c" = xdp ]; then
		"$FPCTL" --xdp "$INSTANCE" --json show stats >"$raw.fpstats.json" 2>&1
	elif [ "$c" = kernel ]; then
		ip -n "$NS_HV" -s -s link show >"$raw.iplink.txt" 2>&1
	fi
	python3 - "$raw" "$c" "$size" "$flows" "$round" "$rc" "$fwd_pid" "$sink_pid" "$TAG" <<'PY'
import json, re, sys
raw, case, size, flows, rnd, rc, fwd_pid, sink_pid, tag = sys.argv[1:10]
r = dict(case=case, size=int(size), flows=int(flows), round=int(rnd), exit_status=int(rc),
         fwd_napi_pid=fwd_pid or None, sink_napi_pid=sink_pid or None)
try:
    r['gen'] = json.loads([l for l in open(raw + '.gen.txt') if l.startswith('{')][-1])
except (IndexError, ValueError, OSError):
    r['gen'] = None
eth = {}
for l in open(raw + '.ethtool.txt'):
    if not l.startswith('#'):
        dev, k, v = l.split()
        eth[dev + ':' + k] = int(v)
r['ethtool'] = eth
g = lambda k: eth.get(k, 0)
hv_in = g('hv:rx_queue_0_xdp_packets')
try:   # since the sink was attached
    sk = json.load(open(raw + '.sink.json'))
    sink_in = sk['rx'] if case == 'baseline' else sk['vxlan_ok']
    other = sk['rx'] - sk['vxlan_ok'] if case != 'baseline' else 0
except (OSError, ValueError, KeyError):
    sink_in = other = None
# lost_after_hv: frames the hypervisor took that did not reach the sink as
# the expected VXLAN; other_at_sink: anything else the sink got (the
# bridge's own IGMP reports, encapsulated, in the kernel case).
r['path'] = dict(source_ring_full=g('vm:tx_queue_0_xdp_xmit_errors'), into_hv=hv_in,
                 into_sink=sink_in, other_at_sink=other,
                 lost_after_hv=None if sink_in is None else hv_in - sink_in)
if case == 'xdp':
    try:
        r['fp_stats'] = json.load(open(raw + '.fpstats.json'))
    except (ValueError, OSError):
        r['fp_stats'] = None
# Other processes using >= 5% of a CPU during the measurement.
others = []
try:
    frames = open(raw + '.top.txt').read().split('\ntop - ')
    lines = frames[-1].splitlines() if len(frames) > 1 else []
    hdr = [i for i, l in enumerate(lines) if l.split()[:1] == ['PID']]
    for l in lines[hdr[0] + 1:] if hdr else []:
        f = l.split()
        if len(f) < 12: continue
        cpu, comm = float(f[8]), ' '.join(f[11:])
        ours = comm.startswith(('napi/fpv' + tag, 'fp-bench-xdp', 'top'))
        if cpu >= 5 and not ours: others.append('%s(%s) %.0f%%' % (comm, f[0], cpu))
except (OSError, ValueError, IndexError):
    others = ['top failed']
r['others_busy'] = others
json.dump(r, open(raw + '.json', 'w'))
p = r['path']
print('    into the hypervisor %s, into the sink %s (and %s other), lost after the hypervisor %s, '
      'source ring full %s%s' % (p['into_hv'], p['into_sink'], p['other_at_sink'], p['lost_after_hv'],
      p['source_ring_full'], '; busy meanwhile: ' + ', '.join(others) if others else ''))
PY
	topo_down
	return $rc
}

# ---------------------------------------------------------------- main
CPU_MODEL=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
GIT=$(git --no-optional-locks -C "$REPO" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
say "session $SESSION: SIZES='$SIZES' FLOWS='$FLOWS' ROUNDS=$ROUNDS CASES='$CASES'" \
	"WARM_S=$WARM_S WIN_S=$WIN_S NWIN=$NWIN BATCH=$BATCH rate $GEN_RATE (headroom $GEN_HEADROOM)"
say "CPUs: source $GEN_CPU ($GEN_SCHED), hypervisor $FWD_CPU (spin $FWD_SPIN), sink $SINK_CPU ($SINK_HOOK)," \
	"pinning $FPV_PIN;" \
	"antispoof $FP_ANTISPOOF, br_netfilter $FPV_BR_NF"
say "git $GIT, kernel $(uname -r), $(nproc) CPUs ($CPU_MODEL), builds in $FP_BUILDDIR, results in $OUT"
python3 - "$OUT/meta.json" "$GIT" "$CPU_MODEL" "$FPXDP" "$GEN" <<PY
import hashlib, json, os, sys
md5 = lambda p: hashlib.md5(open(p, 'rb').read()).hexdigest()[:12]
json.dump(dict(session="$SESSION", git=sys.argv[2], kernel=os.uname().release, cpu=sys.argv[3],
               n_cpus=os.cpu_count(), sizes="$SIZES", flows="$FLOWS", rounds=$ROUNDS, cases="$CASES",
               warm_s=$WARM_S, win_s=$WIN_S, nwin=$NWIN, batch=$BATCH, chunk=$CHUNK,
               gen_rate="$GEN_RATE", gen_headroom=$GEN_HEADROOM,
               pin="$FPV_PIN", gen_cpu="$GEN_CPU", fwd_cpu="$FWD_CPU", sink_cpu="$SINK_CPU",
               sink_hook="$SINK_HOOK", fwd_spin="$FWD_SPIN",
               gen_sched="$GEN_SCHED", antispoof="$FP_ANTISPOOF", br_nf="$FPV_BR_NF",
               fp_xdp=sys.argv[4], fp_xdp_md5=md5(sys.argv[4]), gen=sys.argv[5], gen_md5=md5(sys.argv[5])),
          open(sys.argv[1], 'w'))
PY
FAILED=0
for size in $SIZES; do
	for flows in $FLOWS; do
		for round in $(seq "$ROUNDS"); do
			for c in $CASES; do
				run_case "$c" "$size" "$flows" "$round" ||
					{ FAILED=1; say "$c $size $flows round $round: FAILED"; }
			done
		done
	done
done

# ---------------------------------------------------------------- summary
python3 - "$OUT" "$RESULTS" <<'PY' | tee "$OUT/summary.txt"
import json, os, re, statistics as st, sys
out, results = sys.argv[1:3]
meta = json.load(open(os.path.join(out, 'meta.json')))
CASES = ('baseline', 'xdp', 'kernel')
def runs(c, s, f):
    pat = re.compile(r'%s_%s_%s_r\d+\.json$' % (c, s, f))
    return [json.load(open(os.path.join(out, p))) for p in sorted(os.listdir(out)) if pat.match(p)]
def pool(rs, key):  # every window of every round
    return [v for r in rs if r.get('gen') for v in r['gen'].get(key, [])]
def mmm(v, scale=1.0):
    return (st.median(v) / scale, min(v) / scale, max(v) / scale) if v else None
def fmt(m, p=3): return ('%.*f [%.*f-%.*f]' % (p, m[0], p, m[1], p, m[2])) if m else 'n/a'
def total(rs, k):
    v = [r['path'][k] for r in rs]
    return None if not v or None in v else sum(v)
print('session %s, git %s, kernel %s, %s x %d CPUs' % (meta['session'], meta['git'], meta['kernel'],
      meta['cpu'], meta['n_cpus']))
print('CPUs: source %s (%s, rate %s), hypervisor %s (spin %s), sink %s (%s), pinning %s; '
      'antispoof %s, br_netfilter %s' % (meta['gen_cpu'], meta['gen_sched'], meta['gen_rate'],
      meta['fwd_cpu'], meta['fwd_spin'], meta['sink_cpu'], meta['sink_hook'], meta['pin'],
      meta['antispoof'], meta['br_nf']))
print('Mpps received by the sink and ns of the forwarding thread per frame: median [min-max] of '
      '%d window(s) of %s s after %s s, x %d round(s)' % (meta['nwin'], meta['win_s'],
      meta['warm_s'], meta['rounds']))
hdr = ('| size | flows | baseline Mpps | fp-xdp Mpps | kernel Mpps | xdp/kernel | >= 1.5x '
       '| ns/frame baseline / fp-xdp / kernel | kernel/xdp ns | fwd busy % xdp / kernel '
       '| offered Mpps xdp / kernel | lost after hv | notes |')
print(hdr); print('|' + '---|' * (hdr.count('|') - 1))
rows = []
for s in meta['sizes'].split():
    for f in meta['flows'].split():
        R = {c: runs(c, s, f) for c in CASES}
        M = {c: mmm(pool(R[c], 'rx_pps'), 1e6) for c in CASES}
        O = {c: mmm(pool(R[c], 'offered_pps'), 1e6) for c in CASES}
        N = {c: mmm(pool(R[c], 'fwd_ns_per_pkt')) for c in CASES}
        B = {c: mmm(pool(R[c], 'fwd_busy')) for c in CASES}
        x, k = M['xdp'], M['kernel']
        ratio = round(x[0] / k[0], 3) if x and k and k[0] else None
        cost = round(N['kernel'][0] / N['xdp'][0], 3) if N['xdp'] and N['kernel'] and N['xdp'][0] else None
        notes = []
        for c in CASES:
            if not R[c]:
                if c in meta['cases'].split(): notes.append('%s: no result' % c)
                continue
            for r in R[c]:
                tag = '%s r%d' % (c, r['round'])
                if r['exit_status'] or not r.get('gen'):
                    notes.append('%s: exit %d' % (tag, r['exit_status']))
                    continue
                m = r['gen']['measured']
                if c != 'baseline' and m['rx'] != m['vxlan_ok']:
                    notes.append('%s: %d frames at the sink not the expected VXLAN' % (tag, m['rx'] - m['vxlan_ok']))
                if r['path']['lost_after_hv']:
                    notes.append('%s: %s lost after the hypervisor' % (tag, r['path']['lost_after_hv']))
                lo = [b for b in r['gen'].get('fwd_busy', []) if b < 0.9]
                if lo and c != 'baseline':
                    notes.append('%s: forwarding thread below 90%% of its CPU in %d window(s): '
                                 'source-bound there' % (tag, len(lo)))
                if r['others_busy']:
                    notes.append('%s busy: %s' % (tag, ', '.join(r['others_busy'])))
                d = {n: v for n, v in ((r.get('fp_stats') or {}).get('drops') or {}).items() if v}
                if d: notes.append('%s: fp-xdp drops %s' % (tag, d))
        row = dict(session=meta['session'], git=meta['git'], kernel=meta['kernel'], cpu=meta['cpu'],
                   n_cpus=meta['n_cpus'], size=int(s), flows=int(f), rounds=meta['rounds'],
                   windows=meta['nwin'], win_s=meta['win_s'], warm_s=meta['warm_s'],
                   gen_cpu=meta['gen_cpu'], fwd_cpu=meta['fwd_cpu'], sink_cpu=meta['sink_cpu'],
                   sink_hook=meta['sink_hook'], fwd_spin=meta['fwd_spin'], gen_sched=meta['gen_sched'], gen_rate=meta['gen_rate'],
                   gen_headroom=meta['gen_headroom'], batch=meta['batch'], pin=meta['pin'],
                   antispoof=meta['antispoof'], br_nf=meta['br_nf'])
        for c in CASES:
            row[c + '_mpps'], row[c + '_min'], row[c + '_max'] = M[c] if M[c] else (None,) * 3
            row[c + '_ns_per_pkt'], row[c + '_ns_min'], row[c + '_ns_max'] = N[c] if N[c] else (None,) * 3
            row[c + '_fwd_busy'] = B[c][0] if B[c] else None
            row[c + '_offered_mpps'] = O[c][0] if O[c] else None
            row[c + '_measured'] = dict(
                offered=sum(r['gen']['measured']['offered'] for r in R[c] if r.get('gen')),
                rx=sum(r['gen']['measured']['rx'] for r in R[c] if r.get('gen')),
                vxlan_ok=sum(r['gen']['measured']['vxlan_ok'] for r in R[c] if r.get('gen')),
                into_hv=total(R[c], 'into_hv'), into_sink=total(R[c], 'into_sink'),
                lost_after_hv=total(R[c], 'lost_after_hv'),
                source_ring_full=total(R[c], 'source_ring_full')) if R[c] else None
        row.update(xdp_over_kernel=ratio, target_1_5x_met=None if ratio is None else ratio >= 1.5,
                   kernel_over_xdp_ns=cost, notes=notes)
        rows.append(row)
        o = lambda c: '%.2f' % O[c][0] if O[c] else 'n/a'
        n = lambda c: '%.0f' % N[c][0] if N[c] else 'n/a'
        b = lambda c: '%.0f' % (100 * B[c][0]) if B[c] else 'n/a'
        l = lambda c: str(row[c + '_measured']['lost_after_hv']) if row[c + '_measured'] else 'n/a'
        print('| %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s / %s | %s / %s | %s / %s | %s |' % (
            s, f, fmt(M['baseline']), fmt(x), fmt(k), '%.2f' % ratio if ratio else 'n/a',
            'n/a' if ratio is None else ('yes' if ratio >= 1.5 else 'NO'),
            n('baseline'), n('xdp'), n('kernel'), '%.2f' % cost if cost else 'n/a', b('xdp'), b('kernel'),
            o('xdp'), o('kernel'), l('xdp'), l('kernel'), '; '.join(notes) or 'ok'))
print()
with open(os.path.join(out, 'rows.jsonl'), 'w') as fo, \
     open(os.path.join(results, 'xdp_veth_history.jsonl'), 'a') as h:
    for row in rows:
        j = json.dumps(row); print(j); fo.write(j + '\n'); h.write(j + '\n')
PY
cp "$OUT/summary.txt" "$RESULTS/xdp_veth_summary.txt"
say "done: $OUT/summary.txt, rows.jsonl and the raw files of every case; history in" \
	"$RESULTS/xdp_veth_history.jsonl"
exit $FAILED
