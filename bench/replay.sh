#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# replay.sh: the packet rate of a real fp-dpdk, next to the dpdk-testpmd io ceiling and
# to Open vSwitch with DPDK, in one session, on the same replayed pcaps.
#
#   sudo bench/replay.sh [--quick] [--no-ovs] [--no-testpmd] [--no-verify] [--verify-only]
#   sudo bench/replay.sh --sg [--quick] [--no-ovs] [--no-testpmd]
#   sudo bench/replay.sh --route [--quick] [--no-ovs] [--no-testpmd]
#
# For each N in $NS and each scenario (encap, decap), back to back on the same pcap:
#   1. dpdk-testpmd io  (shared 10_testpmd_io.sh): net_pcap(infinite_rx) -> net_null
#   2. fp-dpdk          (here): the same vdevs, one worker on lcore 1, tables from fpctl
#   3. OVS-DPDK         (shared 20_ovs.sh): the same VXLAN work on one PMD core
# then a functional check of fp-dpdk's output (tx_pcap capture) and a summary table.
# --sg (security groups): TCP ACKs of N established connections (bench/gen_ct_pcaps.py,
# est_{encap,decap}_N.pcap) through fp-dpdk without and with a filtered VM port (a
# ruleset allowing the tuples), then OVS-DPDK without and with Neutron's firewall flows
# (bench/ovs_ct.sh), and the ratios fp-dpdk/OVS, filtered/plain.
# The shared OVS-DPDK baseline scripts are called, not copied:
#   ${FP_SHARED:-<repo>/../shared}/bench/ovs-dpdk
# See bench/README.md for the knobs, the output and how to read it.
set -u -o pipefail

usage() {
	cat <<'EOF'
usage: bench/replay.sh [--quick] [--no-ovs] [--no-testpmd] [--no-verify] [--verify-only] [--sg]
                       [--route]
  --quick        smoke run: NS=1000 NWIN=2 WIN_S=2 WARM_S=2 (environment still overrides)
  --no-ovs       skip the OVS-DPDK runs
  --no-testpmd   skip the testpmd io ceiling runs
  --no-verify    skip the functional check (tx_pcap capture of fp-dpdk's output)
  --verify-only  only the functional check
  --sg           security groups: established TCP connections (est_*_N.pcap), fp-dpdk
                 plain and filtered, OVS-DPDK plain and with Neutron's firewall flows
                 (bench/ovs_ct.sh); NS defaults to "1000 100000"; no functional check
  --route        routed encap: route_N.pcap (encap_N.pcap to the router's MAC), fp-dpdk
                 routing it (VM -> router -> VM behind a vtep, another VNI) next to
                 OVS-DPDK's OpenFlow routing flows (bench/ovs_route.sh); NS defaults to
                 "1000 100000"; no functional check
environment: NS WIN_S NWIN WARM_S RESULTS PCAPS FP_SHARED FP_BUILD FP_NO_BUILD
             FP_ANTISPOOF(on|off) FP_DECAP_MAC(auto|set|rewrite) VERIFY_N CAPTURE_S
             FP_MBUF_EXTRA TSC_MHZ TSHARK_MAX
EOF
}

QUICK=0 DO_OVS=1 DO_TESTPMD=1 DO_FP=1 DO_VERIFY=1 SG=0 ROUTE=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--no-ovs) DO_OVS=0 ;;
	--no-testpmd) DO_TESTPMD=0 ;;
	--no-verify) DO_VERIFY=0 ;;
	--verify-only) DO_OVS=0 DO_TESTPMD=0 DO_FP=0 ;;
	--sg) SG=1 ;;
	--route) ROUTE=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 1 ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	: "${NS:=1000}" "${NWIN:=2}" "${WIN_S:=2}" "${WARM_S:=2}"
fi

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
TOP=$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null || echo "$REPO")
# In a git worktree elsewhere: the shared folder next to the main checkout.
COMMON=$(git -C "$REPO" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
if [ -z "${FP_SHARED:-}" ] && ! [ -d "$TOP/../shared" ] && [ -n "$COMMON" ]; then
	FP_SHARED=$(dirname "$COMMON")/../shared
fi
SHARED=${FP_SHARED:-$TOP/../shared}/bench/ovs-dpdk
RESULTS=${RESULTS:-/tmp/flowplane-bench/results}
PCAPS=${PCAPS:-/tmp/flowplane-bench/pcaps}
export RESULTS PCAPS
[ -n "${WIN_S:-}" ] && export WIN_S
[ -n "${NWIN:-}" ] && export NWIN
[ -n "${WARM_S:-}" ] && export WARM_S
HAVE_SHARED=0
if [ -f "$SHARED/common.sh" ] && [ -f "$SHARED/gen_pcaps.py" ]; then
	HAVE_SHARED=1
	# The window knobs and their defaults (WIN_S=5 NWIN=6 WARM_S=6) come from there.
	# shellcheck disable=SC1091
	source "$SHARED/common.sh"
fi
WIN_S=${WIN_S:-5} NWIN=${NWIN:-6} WARM_S=${WARM_S:-6}
export WIN_S NWIN WARM_S
if [ $SG = 1 ] || [ $ROUTE = 1 ]; then
	NS=${NS:-1000 100000} DO_VERIFY=0
fi
# The scenarios of the plain (and --route) runs; a route_N.pcap is encap_N.pcap to the
# router's MAC.
SCENS='encap decap'
[ $ROUTE = 1 ] && SCENS=route
NS=${NS:-1 1000 100000}
# The pcaps replayed: encap_N/decap_N (shared gen_pcaps.py), with --sg est_encap_N and
# est_decap_N (bench/gen_ct_pcaps.py).  FP_SG=1: the VM port is filtered.
PFX='' FP_SG=0
[ $SG = 1 ] && PFX=est_
FP_BUILD=${FP_BUILD:-$REPO/build-bench}
FP_ANTISPOOF=${FP_ANTISPOOF:-on}
FP_DECAP_MAC=${FP_DECAP_MAC:-auto}
FP_MBUF_EXTRA=${FP_MBUF_EXTRA:-32768}
CAPTURE_S=${CAPTURE_S:-1}
VERIFY_N=${VERIFY_N:-$(echo $NS | tr ' ' '\n' | sort -n | tail -1)}
FPDPDK=$FP_BUILD/dataplane/fp-dpdk
FPCTL=$FP_BUILD/control/fpctl
VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
PREFIX=fp_bench_$$                      # EAL file prefix of every fp-dpdk run here
PCAP_DEV_MAC=02:70:63:61:70:00          # DPDK 22.11 net_pcap's MAC for the first pcap port
UNDERLAY_MAC=02:00:00:00:01:01          # local VTEP MAC (OVS br-phy), outer dst of decap_N
REMOTE_MAC=02:00:00:00:01:02
VM1_MAC=02:00:00:00:0a:01 VM2_MAC=02:00:00:00:0a:02
RTR_MAC=02:00:00:00:ee:01               # --route: the router's MAC (route_N.pcap's destination)
SESSION=$(date -u +%Y%m%dT%H%M%SZ)-$$

mkdir -p "$RESULTS" "$PCAPS" || exit 1
exec > >(tee -a "$RESULTS/replay.log") 2>&1
now() { date +%s.%N; }
say() { echo "[$(date +%T)] $*"; }
die() { say "replay: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
TMPS=() FP_TPID='' FP_RC=0 OVSW_EXISTED=0
[ -e /tmp/anchor-ovs ] && OVSW_EXISTED=1
fp_kill() {   # stop the running fp-dpdk (SIGINT through timeout, then KILL)
	[ -n "$FP_TPID" ] || return 0
	if kill -0 "$FP_TPID" 2>/dev/null; then
		kill -INT "$FP_TPID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$FP_TPID" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$FP_TPID" 2>/dev/null && kill -KILL "$FP_TPID" 2>/dev/null
	fi
	wait "$FP_TPID" 2>/dev/null
	FP_RC=$?
	FP_TPID=''
	return 0
}
cleanup() {
	trap - EXIT INT TERM
	fp_kill
	for d in "${TMPS[@]}"; do rm -rf "$d"; done
	rm -rf "/var/run/dpdk/$PREFIX" "/dev/hugepages/${PREFIX}"map_* 2>/dev/null
	if [ $HAVE_SHARED = 1 ] && [ -f /tmp/anchor-ovs/run/ovs-vswitchd.pid ] &&
		[ -d "/proc/$(cat /tmp/anchor-ovs/run/ovs-vswitchd.pid 2>/dev/null)" ]; then
		(source "$SHARED/ovs_env.sh" && ovs_stop) >/dev/null 2>&1
	fi
	[ $OVSW_EXISTED = 0 ] && rm -rf /tmp/anchor-ovs
	return 0
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
mktmp() { TMPD=$(mktemp -d /tmp/fp-bench.XXXXXX) || die "mktemp"; TMPS+=("$TMPD"); }   # -> TMPD

# ---------------------------------------------------------------- setup
[ "$(id -u)" = 0 ] || die "needs root (hugepages, DPDK vdevs, OVS)"
say "session $SESSION: NS='$NS' WIN_S=$WIN_S NWIN=$NWIN WARM_S=$WARM_S RESULTS=$RESULTS PCAPS=$PCAPS"
if [ $HAVE_SHARED = 1 ]; then
	say "shared OVS-DPDK baseline scripts: $(cd "$SHARED" && pwd)"
else
	say "WARNING: shared baseline folder $SHARED is missing: no OVS runs, testpmd is run" \
		"by this script with the same command line, pcaps must already be in $PCAPS"
	DO_OVS=0
fi

# Debian packages (the shared 00_setup.sh installs the same list, but it always runs
# apt-get update and its hugepage step assumes /dev/hugepages exists).
need=()
# dpdk-testpmd is in dpdk-dev on Debian 12, not in dpdk
[ $DO_TESTPMD = 1 ] && ! command -v dpdk-testpmd >/dev/null && need+=(dpdk-dev)
command -v tshark >/dev/null || need+=(tshark)
python3 -c 'import scapy' 2>/dev/null || dpkg -s python3-scapy >/dev/null 2>&1 || need+=(python3-scapy)
[ $DO_OVS = 1 ] && [ ! -x "$VSWITCHD" ] && need+=(openvswitch-switch-dpdk)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	timeout 900 apt-get update -q >/dev/null && timeout 1800 apt-get install -y -q "${need[@]}" >/dev/null ||
		die "apt-get install ${need[*]} failed"
fi
[ $DO_TESTPMD = 0 ] || command -v dpdk-testpmd >/dev/null ||
	die "no dpdk-testpmd after installing dpdk-dev: no io ceiling (--no-testpmd to run without it)"

# fp-dpdk and fpctl
if [ "${FP_NO_BUILD:-0}" != 1 ]; then
	if [ ! -f "$FP_BUILD/build.ninja" ]; then
		timeout 600 meson setup "$FP_BUILD" "$REPO" >"$RESULTS/build.log" 2>&1 ||
			{ tail -20 "$RESULTS/build.log"; die "meson setup $FP_BUILD failed"; }
	fi
	timeout 1200 ninja -C "$FP_BUILD" dataplane/fp-dpdk control/fpctl >>"$RESULTS/build.log" 2>&1 ||
		{ tail -30 "$RESULTS/build.log"; die "build failed (log: $RESULTS/build.log)"; }
fi
[ -x "$FPDPDK" ] && [ -x "$FPCTL" ] || die "no $FPDPDK or $FPCTL (set FP_BUILD)"

# Hugepages: 2 MiB pages, the runs are sequential and the largest takes 448 MiB (OVS).
HP_WANT=512
if [ "$(awk '/HugePages_Total/{print $2}' /proc/meminfo)" -lt $HP_WANT ]; then
	echo $HP_WANT >/proc/sys/vm/nr_hugepages || true
fi
if ! mountpoint -q /dev/hugepages; then
	mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages || die "cannot mount hugetlbfs"
fi
HP_FREE=$(awk '/HugePages_Free/{print $2}' /proc/meminfo)
say "hugepages: $(awk '/HugePages_Total/{t=$2} /HugePages_Free/{f=$2} END{print t" total, "f" free"}' /proc/meminfo) (2 MiB)"
[ "$HP_FREE" -ge 230 ] || say "WARNING: only $HP_FREE free hugepages, OVS needs 224 and fp-dpdk/testpmd 200"

# Pcaps: the shared deterministic generator; the md5 of the 100000-flow files is in
# the shared README.  100000 is always made so that the generator itself is checked.
want_ns=$(printf '%s\n' $NS 100000 | sort -nu | tr '\n' ' ')
missing=()
for n in $want_ns; do
	[ -s "$PCAPS/encap_$n.pcap" ] && [ -s "$PCAPS/decap_$n.pcap" ] || missing+=("$n")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ $HAVE_SHARED = 1 ] || die "pcaps for N=${missing[*]} missing in $PCAPS and no gen_pcaps.py"
	timeout 600 python3 "$SHARED/gen_pcaps.py" "$PCAPS" "${missing[@]}" || die "gen_pcaps.py failed"
fi
MD5_OK=1
for f in encap_100000:6d1ee62299ce671c213250f59dde5b88 decap_100000:cabba7af5bb15f87d5f4a63524a3250d; do
	got=$(md5sum <"$PCAPS/${f%%:*}.pcap" | cut -d' ' -f1)
	if [ "$got" != "${f#*:}" ]; then
		MD5_OK=0
		say "WARNING: md5 of ${f%%:*}.pcap is $got, the shared README says ${f#*:}"
	fi
done
if [ $SG = 1 ]; then
	for n in $NS; do
		[ -s "$PCAPS/est_encap_$n.pcap" ] && [ -s "$PCAPS/est_decap_$n.pcap" ] && continue
		timeout 1200 /usr/bin/python3 "$REPO/bench/gen_ct_pcaps.py" "$PCAPS" "$n" ||
			die "gen_ct_pcaps.py failed"
	done
fi
(cd "$PCAPS" && md5sum *.pcap) >"$RESULTS/pcaps.md5"
say "pcaps in $PCAPS, md5 check of encap/decap_100000 against the shared README: $([ $MD5_OK = 1 ] && echo ok || echo MISMATCH)"

TSC_MHZ=${TSC_MHZ:-$( (dmesg 2>/dev/null | grep -oE 'tsc: Refined TSC clocksource calibration: [0-9.]+' ||
	dmesg 2>/dev/null | grep -oE 'tsc: Detected [0-9.]+ MHz') | grep -oE '[0-9]+\.[0-9]+' | tail -1)}
TSC_MHZ=${TSC_MHZ:-$(awk -F': ' '/cpu MHz/{print $2; exit}' /proc/cpuinfo)}
TSC_MHZ=${TSC_MHZ:-0}

# What else runs: this machine is shared, so record it next to the numbers.
others=$(pgrep -a 'fp-dpdk|dpdk-testpmd|ovs-vswitchd|fp-bench' 2>/dev/null | grep -v -- "$PREFIX" || true)
[ -n "$others" ] && say "WARNING: other DPDK processes are running and may share the cores:" &&
	echo "$others" | sed 's/^/    /'
python3 - "$RESULTS/meta_$SESSION.json" <<PY
import json, subprocess, sys, hashlib, os, platform
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e: return str(e)
m = dict(session="$SESSION", date=sh("date -u +%FT%TZ"), host=platform.node(), kernel=platform.release(),
         cpu=sh("awk -F': ' '/model name/{print \$2; exit}' /proc/cpuinfo"), ncpu=os.cpu_count(),
         tsc_mhz="$TSC_MHZ", ns="$NS", win_s=$WIN_S, nwin=$NWIN, warm_s=$WARM_S,
         fp_dpdk="$FPDPDK", fp_dpdk_md5=hashlib.md5(open("$FPDPDK","rb").read()).hexdigest(),
         repo_head=sh("git -C '$REPO' rev-parse --short=12 HEAD 2>/dev/null") or "none",
         repo_dirty_files=len(sh("git -C '$REPO' status --porcelain 2>/dev/null").splitlines()),
         dpdk=sh("dpkg-query -W -f='\${Version}' dpdk"), ovs=sh("dpkg-query -W -f='\${Version}' openvswitch-switch-dpdk"),
         shared="$SHARED" if $HAVE_SHARED else None, pcaps_md5_ok=bool($MD5_OK),
         antispoof="$FP_ANTISPOOF", loadavg=open("/proc/loadavg").read().split()[:3],
         top_cpu=sh("ps -eo pid,pcpu,comm --sort=-pcpu | head -6").splitlines())
json.dump(m, open(sys.argv[1], "w"), indent=1)
PY

# ---------------------------------------------------------------- helpers
npkts() { python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); f.read(24); n = 0
while True:
    h = f.read(16)
    if len(h) < 16: break
    f.seek(struct.unpack('<IIII', h)[2], 1); n += 1
print(n)
PY
}

# decap_N.pcap with only the outer destination MAC changed (see FP_DECAP_MAC)
rewrite_dst_mac() {  # IN OUT MAC
	python3 - "$@" <<'PY'
import struct, sys
src, dst, mac = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3].replace(':', ''))
with open(src, 'rb') as f, open(dst + '.tmp', 'wb') as o:
    o.write(f.read(24))
    while True:
        h = f.read(16)
        if len(h) < 16: break
        p = f.read(struct.unpack('<IIII', h)[2])
        o.write(h + mac + p[6:])
import os; os.rename(dst + '.tmp', dst)
PY
}

# "show" is retried: fp-dpdk answers -EBUSY when its stats reader keeps finding a
# worker in the middle of a burst (seen with filtered ports' longer bursts).
ctl() {
	local i
	case " $* " in
	*" show "*)
		for i in 1 2 3 4 5; do
			timeout 10 "$FPCTL" -s "$FP_SOCK" "$@" 2>>"$RESULTS/fpctl_show_retries.log" && return 0
			sleep 0.05
		done
		return 1 ;;
	esac
	timeout 10 "$FPCTL" -s "$FP_SOCK" "$@"
}

# Processes that use >= 10 % of a CPU right now (1 s sample; command names only).  Taken
# before each measurement: on this 2-CPU machine anything busy shares the cores.
BUSY=''
busy_check() {  # TAG
	BUSY=$(timeout 10 top -b -n 2 -d 1 -w 200 2>/dev/null | awk '/^top -/{n++}
		n==2 && $1 ~ /^[0-9]+$/ && $9+0 >= 10 {printf "%s(pid %s, %s%%) ", $12, $1, $9}')
	echo "$BUSY" >"$RESULTS/$1.concurrent.txt"
	[ -z "$BUSY" ] || say "WARNING: busy while starting $1: $BUSY"
}

# DPDK runtime dirs that a shared script leaves behind (testpmd stopped by SIGINT keeps
# /var/run/dpdk/anchor_tpmd_<pid>): remove the ones that appeared during the step.
rundirs() { ls -d /var/run/dpdk/anchor_* 2>/dev/null | sort; }
rundirs_clean() {  # BEFORE_LIST
	local d
	for d in $(comm -13 <(echo "$1") <(rundirs)); do rm -rf "$d"; done
}

# A config like etc/flowplane-test.conf: port 0 is always the pcap source, port 1 the sink.
fp_write_conf() {  # FILE SOCK MBUFS  P0_NAME P0_ROLE P0_DEVARGS P0_MAC  P1_NAME P1_ROLE P1_DEVARGS P1_MAC
	local macl0='' macl1=''
	[ -n "$7" ] && macl0=" mac = \"$7\";"
	[ -n "${11}" ] && macl1=" mac = \"${11}\";"
	cat >"$1" <<EOF
# written by bench/replay.sh (session $SESSION)
host = "bench";
vtep = { addresses = [ "172.16.0.1" ]; };
eal = { args = [ "-l", "0-1", "-n", "4", "--no-pci", "--file-prefix", "$PREFIX", "--huge-unlink",
                 "-m", "400", "--log-level", "*:warning" ]; };
ports = (
	{ name = "$4"; role = "$5"; devargs = "$6";$macl0 },
	{ name = "$8"; role = "$9"; devargs = "${10}";$macl1 }
);
# The loader wants every rx queue polled; the sink is net_null no-rx=1 (or an empty
# rx_pcap), whose rx returns nothing, like testpmd io polling both ports.
workers = ( { lcore = 1; queues = ( { port = "$4"; queue = 0; }, { port = "$8"; queue = 0; } ); } );
mempool = { mbufs = $3; cache = 256; };
idle = { mode = "busy"; };
control = { socket = "$2"; };
EOF
	# --sg: room for twice the connections of the pcap ($3 = N + FP_MBUF_EXTRA)
	[ "$FP_SG" = 1 ] && echo "conntrack = { size = $((2 * $3)); };" >>"$1"
	return 0
}

# Start fp-dpdk for SCEN with the given port-0 (source) and port-1 (sink) devargs and
# program the tables.  Sets FP_SOCK, FP_TPID, FP_LOG, FP_IN_MAC_NOTE.  Returns 0 when
# it forwards, 1 on a failure (evidence in $FP_LOG), 2 when the source port could not
# take the configured MAC.
fp_start() {  # SCEN N SRC_DEVARGS SRC_MAC SINK_DEVARGS LOG DURATION
	local scen=$1 n=$2 src=$3 srcmac=$4 sink=$5 dur=$7 tmp conf vm ul vmmac
	FP_LOG=$6
	mktmp; tmp=$TMPD
	conf=$tmp/fp.conf FP_SOCK=$tmp/fp.sock
	if [ "$scen" != decap ]; then
		fp_write_conf "$conf" "$FP_SOCK" $((n + FP_MBUF_EXTRA)) vm0 vm "$src" "$srcmac" \
			ul0 underlay "$sink" "$( [[ $sink == net_null* ]] && echo $UNDERLAY_MAC)"
		vm=0 ul=1 vmmac=$VM1_MAC
	else
		fp_write_conf "$conf" "$FP_SOCK" $((n + FP_MBUF_EXTRA)) ul0 underlay "$src" "$srcmac" \
			vm0 vm "$sink" ""
		vm=1 ul=0 vmmac=$VM2_MAC
	fi
	cp "$conf" "${FP_LOG%.log}.conf"; rm -f "${FP_LOG%.log}.fpctl"
	"$FPDPDK" --check-config "$conf" >"$FP_LOG" 2>&1 || { say "fp-dpdk: config refused"; cat "$FP_LOG"; return 1; }
	timeout -s INT -k 15 "$dur" "$FPDPDK" -c "$conf" >>"$FP_LOG" 2>&1 &
	FP_TPID=$!
	for _ in $(seq 300); do
		kill -0 "$FP_TPID" 2>/dev/null || break
		[ -S "$FP_SOCK" ] && ctl show ports >/dev/null 2>&1 && break
		sleep 0.2
	done
	if ! kill -0 "$FP_TPID" 2>/dev/null || ! ctl show ports >/dev/null 2>&1; then
		fp_kill
		echo "[replay.sh] fp-dpdk exit status $FP_RC$( [ "$FP_RC" = 139 ] && echo ' (SIGSEGV)')" >>"$FP_LOG"
		say "fp-dpdk did not start (exit status $FP_RC); log $FP_LOG:"
		sed 's/^/    /' "$FP_LOG" | tail -15
		grep -q 'cannot set MAC' "$FP_LOG" && return 2
		return 1
	fi
	local sg=()
	if [ "$FP_SG" = 1 ]; then
		# Neutron's default group (egress any IPv4) and a web group (ingress TCP 22 and
		# 443), plus ingress TCP 5001: the pcaps' destination port (as bench/ovs_ct.sh).
		sg=(sg 1)
		{
			ctl add ruleset 1 egress stateful rule 1 ipv4 &&
				ctl add ruleset 1 ingress stateful rule 2 ipv4 proto 6 ports 22-22 \
					rule 3 ipv4 proto 6 ports 443-443 rule 4 ipv4 proto 6 ports 5001-5001
		} >>"${FP_LOG%.log}.fpctl" 2>&1 || {
			say "fpctl refused the rulesets:"; sed 's/^/    /' "${FP_LOG%.log}.fpctl"; fp_kill; return 1; }
	fi
	{
		ctl add port $vm vni 100 mac $vmmac antispoof "$FP_ANTISPOOF" addr 10.1.0.0/16 "${sg[@]}" &&
			ctl add vtep 1 remote 172.16.0.2 local 172.16.0.1 nh-mac $REMOTE_MAC port $ul encap vxlan &&
			if [ "$scen" = route ]; then
				# Router 7 between the VM's network (VNI 100, 10.1.0.0/16) and
				# VNI 200 (10.2.0.0/16), where VM2 is behind vtep 1: the
				# destination's neigh entry and fdb entry there, the two connected
				# routes, the router's MAC in the VM's network.
				ctl add neigh 200 10.2.0.1 mac $VM2_MAC vni 200 &&
					ctl add fdb 200 $VM2_MAC vtep 1 &&
					ctl add route 7 10.2.0.0/16 connected vni 200 mac $RTR_MAC mtu 1500 addr 10.2.0.254 &&
					ctl add route 7 10.1.0.0/16 connected vni 100 mac $RTR_MAC mtu 1500 addr 10.1.0.254 &&
					ctl add fdb 100 $RTR_MAC router 7
			elif [ "$scen" = encap ]; then ctl add fdb 100 $VM2_MAC vtep 1; else ctl add fdb 100 $VM2_MAC port $vm; fi &&
			ctl add flood 100 port $vm
	} >>"${FP_LOG%.log}.fpctl" 2>&1 || {
		say "fpctl refused the tables:"; sed 's/^/    /' "${FP_LOG%.log}.fpctl"; fp_kill; return 1; }
	return 0
}

# The sink port's live counters: "tx hw_opackets tx_dropped"
fp_sink_tx() {
	ctl --json show ports | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin) if x["id"] == 1][0]
print(p["tx"], p["hw_opackets"], p["tx_dropped"])'
}

# Decap source: the real decap_N.pcap with mac = 02:00:00:00:01:01 on the net_pcap port,
# unless net_pcap cannot take a MAC (DPDK 22.11 has no mac_addr_set for it); then a
# copy whose outer destination MAC is net_pcap's own (FP_DECAP_MAC=auto|rewrite).
DECAP_MODE=$FP_DECAP_MAC
DECAP_NOTE=''
decap_source() {  # N -> sets SRC_PCAP SRC_MAC
	SRC_PCAP=$PCAPS/${PFX}decap_$1.pcap SRC_MAC=$UNDERLAY_MAC
	if [ "$DECAP_MODE" = rewrite ]; then
		SRC_PCAP=$PCAPS/${PFX}decap_$1.dst-${PCAP_DEV_MAC//:/}.pcap SRC_MAC=''
		[ -s "$SRC_PCAP" ] || rewrite_dst_mac "$PCAPS/${PFX}decap_$1.pcap" "$SRC_PCAP" $PCAP_DEV_MAC
	fi
}

# Start fp-dpdk for decap (see decap_source), falling back from mac= to the rewritten
# pcap when FP_DECAP_MAC=auto and the net_pcap port cannot take the MAC.
fp_start_decap() {  # N SINK_DEVARGS LOG DURATION
	local rc mac0
	decap_source "$1"
	fp_start decap "$1" "net_pcap0,rx_pcap=$SRC_PCAP,infinite_rx=1" "$SRC_MAC" "$2" "$3" "$4"
	rc=$?
	if [ $rc = 2 ] && [ "$DECAP_MODE" = auto ]; then
		cp "$3" "${3%.log}.macfail.log"
		DECAP_NOTE="fp-dpdk refused mac=$UNDERLAY_MAC on the net_pcap source ('cannot set MAC ...: Operation not supported', log ${3%.log}.macfail.log); fp-dpdk replayed decap_N.pcap with the outer dst MAC rewritten to the net_pcap port's own $PCAP_DEV_MAC, all other bytes identical; testpmd and OVS replayed the original"
		say "NOTE: $DECAP_NOTE"
		DECAP_MODE=rewrite
		decap_source "$1"
		fp_start decap "$1" "net_pcap0,rx_pcap=$SRC_PCAP,infinite_rx=1" "$SRC_MAC" "$2" "$3" "$4"
		rc=$?
	fi
	if [ $rc = 0 ] && [ "$DECAP_MODE" = rewrite ]; then
		mac0=$(ctl --json show ports | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mac"])')
		[ "$mac0" = $PCAP_DEV_MAC ] ||
			say "WARNING: the net_pcap port's MAC is $mac0, not $PCAP_DEV_MAC: expect not_our_mac drops"
		[ -n "$DECAP_NOTE" ] ||
			DECAP_NOTE="FP_DECAP_MAC=rewrite: fp-dpdk replayed decap_N.pcap with the outer dst MAC rewritten to $PCAP_DEV_MAC"
	fi
	return $rc
}

# ---------------------------------------------------------------- the three runs
run_testpmd() {  # SCEN N
	local pcap=$PCAPS/${PFX}${1}_$2.pcap tag=${1}_$2
	rm -f "$RESULTS/testpmd_$tag".{txt,log,concurrent.txt}
	busy_check "testpmd_$tag"
	say "testpmd io $tag"
	if [ $HAVE_SHARED = 1 ]; then
		local before
		before=$(rundirs)
		timeout -k 15 $((WARM_S + WIN_S * NWIN + 3 * WIN_S + 90)) bash "$SHARED/10_testpmd_io.sh" "$pcap" ||
			say "testpmd run failed (rc $?)"
		rundirs_clean "$before"
		return 0
	fi
	# Fallback, the command line of the shared README (10_testpmd_io.sh).
	local mb=$(($(npkts "$pcap") + 32768)) log=$RESULTS/testpmd_$tag.log
	timeout -s INT -k 15 $((WARM_S + WIN_S * NWIN + 3 * WIN_S)) dpdk-testpmd -l 0-1 -n 4 --no-pci \
		--file-prefix anchor_tpmd_$$ --huge-unlink -m 400 \
		--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev "net_null0,no-rx=1" \
		-- --forward-mode=io --nb-cores=1 --total-num-mbufs=$mb --stats-period "$WIN_S" >"$log" 2>&1
	python3 - "$log" $(((WARM_S + WIN_S - 1) / WIN_S + 1)) "$NWIN" >"$RESULTS/testpmd_$tag.txt" <<'PY'
import re, sys
v = []
for b in open(sys.argv[1], errors='replace').read().split('Port statistics')[1:]:
    m = re.findall(r'NIC statistics for port 1.*?Tx-pps:\s+(\d+)', b, re.S)
    if m: v.append(int(m[0]) / 1e6)
for x in v[int(sys.argv[2]):][:int(sys.argv[3])]: print("%.3f" % x)
PY
	rm -rf "/var/run/dpdk/anchor_tpmd_$$"
	say "testpmd-io $tag Mpps (median min max windows): $(python3 -c '
import sys, statistics as s; v = [float(x) for x in sys.stdin.read().split()]
print("%.3f %.3f %.3f %d" % (s.median(v), min(v), max(v), len(v)) if v else "none")' <"$RESULTS/testpmd_$tag.txt")"
}

run_ovs() {  # SCEN N
	local rc before
	rm -f "$RESULTS/ovs_${1}_$2".{txt,detail,vswitchd.log,concurrent.txt}
	busy_check "ovs_${1}_$2"
	say "OVS-DPDK $1 N=$2"
	before=$(rundirs)
	if [ "$1" = route ]; then
		OVS_SHARED=$SHARED NS=$2 RTR_MAC=$RTR_MAC VM2_MAC=$VM2_MAC \
			timeout -k 30 $((WARM_S + NWIN * (WIN_S + 10) + 240)) bash "$REPO/bench/ovs_route.sh"
	else
		timeout -k 30 $((WARM_S + NWIN * (WIN_S + 10) + 240)) bash "$SHARED/20_ovs.sh" "$1" "$2"
	fi
	rc=$?
	if [ $rc != 0 ]; then
		say "OVS run failed (rc $rc); stopping OVS"
		(source "$SHARED/ovs_env.sh" && ovs_stop) >/dev/null 2>&1
	fi
	rundirs_clean "$before"
}

run_fp() {  # SCEN N [SIDE]   (the results' prefix: fp; with --sg fptcp and fpsg)
	local scen=$1 n=$2 tag=${3:-fp}_${1}_$2 src rc w c0 c1 t0 t1 out
	local log=$RESULTS/$tag.log
	rm -f "$RESULTS/$tag".*
	out=$RESULTS/$tag.txt
	busy_check "$tag"
	say "fp-dpdk $scen N=$n$( [ "$FP_SG" = 1 ] && echo ', filtered VM port (security groups)')"
	local dur=$((WARM_S + NWIN * (WIN_S + 3) + 120))
	if [ "$scen" != decap ]; then
		fp_start "$scen" "$n" "net_pcap0,rx_pcap=$PCAPS/${PFX}${scen}_$n.pcap,infinite_rx=1" '' \
			"net_null0,no-rx=1" "$log" $dur
	else
		fp_start_decap "$n" "net_null0,no-rx=1" "$log" $dur
	fi
	rc=$?
	if [ $rc != 0 ]; then
		echo "{\"scenario\":\"$scen\",\"n\":$n,\"error\":\"fp-dpdk did not start or refused the tables, see $log\"}" >"$RESULTS/$tag.json"
		return 0
	fi
	ctl --json show stats >"$RESULTS/$tag.stats_configured.json"
	sleep "$WARM_S"
	: >"$out"
	ctl --json show stats >"$RESULTS/$tag.stats_begin.json"
	for w in $(seq "$NWIN"); do
		c0='' c1=''
		read -r c0 h0 _ < <(fp_sink_tx); t0=$(now)
		sleep "$WIN_S"
		read -r c1 h1 _ < <(fp_sink_tx); t1=$(now)
		if [ -z "$c0" ] || [ -z "$c1" ]; then
			say "fp-dpdk stopped answering during window $w (alive: $(kill -0 "$FP_TPID" 2>/dev/null && echo yes || echo no)); log:"
			tail -20 "$log" | sed 's/^/    /'
			break
		fi
		python3 -c "
d=$t1-$t0; p=($c1-$c0)/d
print('%.3f %.1f %.3f' % (p/1e6, ($TSC_MHZ*1e6)/p if p and $TSC_MHZ else float('nan'), ($h1-$h0)/d/1e6))" >>"$out"
		say "  window $w: $(tail -1 "$out" | awk '{print $1" Mpps (~"$2" cycles/pkt at '"$TSC_MHZ"' MHz, hw_opackets "$3" Mpps)"}')"
	done
	ctl --json show stats >"$RESULTS/$tag.stats_end.json"
	ctl --json show ports >"$RESULTS/$tag.ports_end.json"
	ctl show drops >"$RESULTS/$tag.drops_end.txt" 2>&1
	fp_kill
	rm -rf "${FP_SOCK%/*}"
	say "  fp-dpdk exit status $FP_RC (SIGINT); final counters in $log"
	python3 - "$RESULTS" "$tag" "$scen" "$n" "$FP_RC" "$FP_ANTISPOOF" "$DECAP_NOTE" <<'PY' >"$RESULTS/$tag.json"
import json, os, re, statistics as st, sys
R, tag, scen, n, rc, anti, note = sys.argv[1:8]
def L(s):
    try: return json.load(open(os.path.join(R, tag + s)))
    except Exception: return None
cfg, beg, end, ports = L('.stats_configured.json'), L('.stats_begin.json'), L('.stats_end.json'), L('.ports_end.json')
problems = []
if not (cfg and beg and end and ports):
    problems.append('fpctl show stats/ports failed (fp-dpdk gone?)')
    empty = dict(stats={k: 0 for k in ('rx', 'tx', 'drop', 'punt', 'encap', 'decap')}, drops={})
    cfg, beg, end = cfg or empty, beg or empty, end or empty
    ports = ports or [dict(id=1, tx_dropped=0)]
win = [l.split() for l in open(os.path.join(R, tag + '.txt')) if l.strip()]
mp = [float(w[0]) for w in win]; cy = [float(w[1]) for w in win]
log = open(os.path.join(R, tag + '.log'), errors='replace').read()
fin = {}
m = re.search(r'final counters\n(.*)', log, re.S)
if m:
    for l in m.group(1).splitlines():
        k = re.match(r'\s+(drop \S+|\S+)\s+(\d+)$', l)
        if k: fin[k.group(1)] = int(k.group(2))
meas_drops = {k: end['drops'][k] - beg['drops'][k] for k in end['drops'] if end['drops'][k] != beg['drops'][k]}
setup_drops = {k: v for k, v in cfg['drops'].items() if v}
d = lambda k: end['stats'][k] - beg['stats'][k]
sink = [p for p in ports if p['id'] == 1][0]
if meas_drops: problems.append('drops while measuring: %s' % meas_drops)
# The live snapshots are read while the worker runs (a burst may be half counted), so
# the exact invariant is checked on the final counters printed after SIGINT.
fin_ok = bool(fin) and fin.get('rx') == fin.get('tx', 0) + fin.get('drop', 0) + fin.get('punt', 0)
if not fin: problems.append('no final counters in the log')
elif not fin_ok or 'rx = tx + drop + punt: ok' not in log: problems.append('final counters: rx != tx + drop + punt')
if sink['tx_dropped']: problems.append('sink tx_dropped %d' % sink['tx_dropped'])
if rc != '0': problems.append('exit status %s after SIGINT' % rc)
want = 'decap' if scen == 'decap' else 'encap'
if abs(d(want) - d('rx')) > 64: problems.append('%s %d != rx %d while measuring' % (want, d(want), d('rx')))
if scen == 'route' and abs(end['stats'].get('routed', 0) - beg['stats'].get('routed', 0) - d('rx')) > 64:
    problems.append('routed %d != rx %d while measuring' % (end['stats'].get('routed', 0) - beg['stats'].get('routed', 0), d('rx')))
if not mp or max(mp) == 0: problems.append('no packets forwarded')
r = dict(scenario=scen, n=int(n), windows_mpps=mp,
         mpps=st.median(mp) if mp else None, mpps_min=min(mp) if mp else None, mpps_max=max(mp) if mp else None,
         cycles_per_pkt=st.median(cy) if cy else None,
         measured=dict(rx=d('rx'), tx=d('tx'), drop=d('drop'), punt=d('punt'), encap=d('encap'), decap=d('decap')),
         drops_while_measuring=meas_drops, drops_before_tables=setup_drops,
         rx_eq_tx_drop_punt_final=fin_ok, rx_eq_tx_drop_punt_live=end.get('rx_eq_tx_drop_punt'), final_counters=fin, exit_status=int(rc),
         sink_port=sink, antispoof=anti, note=note or None, problems=problems)
print(json.dumps(r))
PY
	python3 -c "
import json; r=json.load(open('$RESULTS/$tag.json'))
f = lambda x: float('nan') if x is None else x
print('fp-dpdk %s N=%s Mpps median=%.3f min=%.3f max=%.3f ~cycles/pkt=%.0f windows=%d measured: rx %d tx %d drop %d; %s' % (
  r['scenario'], r['n'], f(r['mpps']), f(r['mpps_min']), f(r['mpps_max']), f(r['cycles_per_pkt']), len(r['windows_mpps']),
  r['measured']['rx'], r['measured']['tx'], r['measured']['drop'], 'PROBLEMS: ' + '; '.join(r['problems']) if r['problems'] else 'no drops, rx = tx + drop + punt'))
if r['drops_before_tables']: print('  (before the tables were programmed: %s)' % r['drops_before_tables'])" 2>&1
}

# ---------------------------------------------------------------- functional check
verify_fp() {  # SCEN N
	local scen=$1 n=$2 tmp cap rc V=$RESULTS/verify
	mkdir -p "$V"
	rm -f "$V/fp_${scen}".*
	mktmp; tmp=$TMPD
	python3 -c "import struct; open('$tmp/empty.pcap','wb').write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))"
	cap=$tmp/${scen}_out.pcap
	local sink="net_pcap1,rx_pcap=$tmp/empty.pcap,tx_pcap=$cap"
	say "verify: fp-dpdk $scen N=$n, output captured by $sink for ${CAPTURE_S}s"
	if [ "$scen" = encap ]; then
		fp_start encap "$n" "net_pcap0,rx_pcap=$PCAPS/encap_$n.pcap,infinite_rx=1" '' "$sink" \
			"$V/fp_$scen.log" $((CAPTURE_S + 120))
	else
		fp_start_decap "$n" "$sink" "$V/fp_$scen.log" $((CAPTURE_S + 120))
	fi
	rc=$?
	[ $rc = 0 ] || { say "verify $scen: fp-dpdk did not run"; return 1; }
	local umac
	umac=$(ctl --json show ports | python3 -c "import json,sys; print([p for p in json.load(sys.stdin) if p['role']=='underlay'][0]['mac'])")
	sleep "$CAPTURE_S"
	ctl --json show stats >"$V/fp_$scen.stats.json"
	ctl show drops >"$V/fp_$scen.drops.txt" 2>&1
	fp_kill     # SIGINT: fp-dpdk closes the port, which flushes the tx_pcap file
	say "verify $scen: $(python3 -c "
import json; s=json.load(open('$V/fp_$scen.stats.json'))
print('rx %d tx %d drop %d (%s) rx=tx+drop+punt %s' % (s['stats']['rx'], s['stats']['tx'], s['stats']['drop'],
  {k:v for k,v in s['drops'].items() if v}, s['rx_eq_tx_drop_punt']))"); exit status $FP_RC"
	[ -s "$cap" ] || { say "verify $scen: no capture"; return 1; }
	if [ "$scen" = encap ]; then
		# tshark needs ~30 s per million packets here: it reads the first TSHARK_MAX;
		# the two checks below read every captured packet.  occurrence=f: the outer VNI
		# only, because tshark also decodes the inner UDP of the flows whose inner source
		# port is 4789 or 4790 (flows 3765, 3766, 53765, 53766) as VXLAN (VNI 0).
		say "verify encap: tshark -r OUT.pcap -c ${TSHARK_MAX:-500000} -Y vxlan -T fields -e vxlan.vni -E occurrence=f | sort | uniq -c"
		timeout 600 tshark -r "$cap" -c "${TSHARK_MAX:-500000}" -Y vxlan -T fields -e vxlan.vni -E occurrence=f 2>/dev/null |
			sort | uniq -c | tee "$V/fp_encap.tshark_vni.txt"
		timeout 60 tshark -r "$cap" -c 1 -V 2>/dev/null | grep -E '^Frame|Ethernet II|Internet Protocol|User Datagram|Virtual eXtensible|VXLAN Network Identifier|Flags:|Time to Live|Identification' |
			tee "$V/fp_encap.tshark_first.txt"
	fi
	if [ $HAVE_SHARED = 1 ]; then
		say "verify $scen: shared check_pcap.py $scen OUT.pcap encap_$n.pcap"
		timeout 900 python3 "$SHARED/check_pcap.py" "$scen" "$cap" "$PCAPS/encap_$n.pcap" | tee "$V/fp_$scen.check_pcap.txt"
	fi
	say "verify $scen: field-by-field check against doc/packets.md (outer headers, flow-hash source port)"
	timeout 900 python3 - "$scen" "$cap" "$PCAPS/encap_$n.pcap" "$umac" "$V/fp_${scen}_out_first1000.pcap" <<'PY' | tee "$V/fp_$scen.fields.txt"
import struct, sys, collections
mode, out, ref, umac, keep = sys.argv[1:6]
umac = bytes.fromhex(umac.replace(':', ''))
def frames(p):
    with open(p, 'rb') as f:
        hdr = f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16: return
            yield h, f.read(struct.unpack('<IIII', h)[2])
def rol(w, s): return ((w << s) | (w >> (32 - s))) & 0xffffffff
def jhash3(a, b, c, iv):
    M = 0xffffffff; iv = (iv + 0xdeadbeef + 12) & M
    a, b, c = (a + iv) & M, (b + iv) & M, (c + iv) & M
    c ^= b; c = (c - rol(b, 14)) & M
    a ^= c; a = (a - rol(c, 11)) & M
    b ^= a; b = (b - rol(a, 25)) & M
    c ^= b; c = (c - rol(b, 16)) & M
    a ^= c; a = (a - rol(c, 4)) & M
    b ^= a; b = (b - rol(a, 14)) & M
    c ^= b; c = (c - rol(b, 24)) & M
    return c
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def sport_of(inner):   # IPv4/UDP inner frames only (that is what encap_N.pcap holds)
    ip = inner[14:]
    a, b = struct.unpack('!II', ip[12:20]); sp, dp = struct.unpack('!HH', ip[20:24])
    h = jhash3(a, b, sp << 16 | dp, 0x666c6f77 ^ ip[9])
    return 49152 + ((h * 16384) >> 32)
refset = set(p for _, p in frames(ref))
n = 0; bad = collections.Counter(); seen = set(); sports = set(); first_bad = None
with open(keep, 'wb') as k:
    k.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for h, p in frames(out):
        if n < 1000: k.write(h + p)
        n += 1
        errs = []
        if mode == 'decap':
            if p not in refset: errs.append('not an input inner frame')
            else: seen.add(p)
        else:
            inner = p[50:]
            if len(p) < 50: errs.append('short')
            else:
                if p[0:6] != bytes.fromhex('020000000102'): errs.append('eth dst')
                if p[6:12] != umac: errs.append('eth src != underlay port MAC')
                if p[12:14] != b'\x08\x00': errs.append('ethertype')
                ip = p[14:34]
                if ip[0] != 0x45 or ip[1] != 0: errs.append('ip ver/ihl/tos')
                if struct.unpack('!H', ip[2:4])[0] != len(p) - 14: errs.append('ip total length')
                if ip[4:6] != b'\0\0': errs.append('ip id != 0')
                if ip[6:8] != b'\x40\x00': errs.append('ip flags/frag != DF')
                if ip[8] != 64: errs.append('ttl != 64')
                if ip[9] != 17: errs.append('ip proto')
                if csum(ip) != 0: errs.append('ip checksum')
                if ip[12:16] != bytes([172, 16, 0, 1]) or ip[16:20] != bytes([172, 16, 0, 2]): errs.append('ip addrs')
                sp, dp, ul, uc = struct.unpack('!HHHH', p[34:42])
                sports.add(sp)
                if not 49152 <= sp <= 65535: errs.append('udp sport out of 49152-65535')
                elif inner in refset and sp != sport_of(inner): errs.append('udp sport != doc flow hash')
                if dp != 4789: errs.append('udp dport')
                if ul != 16 + len(inner): errs.append('udp length')
                if uc != 0: errs.append('udp checksum != 0')
                if p[42:50] != b'\x08\0\0\0' + struct.pack('!I', 100 << 8): errs.append('vxlan header / VNI 100')
                if inner not in refset: errs.append('inner frame not from the input')
                else: seen.add(inner)
        for e in errs: bad[e] += 1
        if errs and first_bad is None: first_bad = (errs, p.hex())
print('%s: %d packets checked, %d distinct input flows of %d seen%s' % (mode, n, len(seen), len(refset),
      (', %d distinct outer UDP source ports (min %d max %d)' % (len(sports), min(sports), max(sports))) if sports else ''))
if bad:
    for e, c in bad.most_common(): print('  MISMATCH %-32s %d packets' % (e, c))
    print('  first bad packet (%s): %s' % (', '.join(first_bad[0]), first_bad[1]))
else:
    print('  every packet matches doc/packets.md' + (' (outer headers, DF, TTL 64, id 0, sport = flow hash, VNI 100, inner unchanged)' if mode == 'encap' else ' (byte-identical inner frame)'))
sys.exit(1 if bad or n == 0 else 0)
PY
	rm -f "$cap"     # the first 1000 captured packets are kept in $V
	return 0
}

# ---------------------------------------------------------------- main
# A side that was asked for and measured nothing is a failure of the run,
# named here and in the exit status, never a silent n/a or nan.
FAILED=()
measured() { # SIDE SCEN N: the side's windows file has at least one number
	local f=$RESULTS/${1}_${2}_$3.txt
	if [ -s "$f" ] && awk '$1 + 0 > 0 { ok = 1 } END { exit !ok }' "$f"; then
		return 0
	fi
	say "FAILED: $1 $2 N=$3 measured nothing (see $RESULTS/${1}_${2}_$3.log and replay.log)"
	FAILED+=("$1 $2 N=$3")
}
say "fp-dpdk: $FPDPDK ($(md5sum <"$FPDPDK" | cut -c1-12)), TSC ${TSC_MHZ} MHz"
if [ $SG = 1 ]; then
	# Security groups: each (N, scenario) on est_<scen>_N.pcap, back to back: the testpmd
	# ceiling, fp-dpdk plain, fp-dpdk filtered, OVS-DPDK plain and with the firewall.
	for N in $NS; do
		for SCEN in encap decap; do
			# the shared 10_testpmd_io.sh names its output after the pcap
			[ $DO_TESTPMD = 1 ] && { run_testpmd $SCEN "$N"; measured testpmd "est_$SCEN" "$N"; }
			if [ $DO_FP = 1 ]; then
				FP_SG=0; run_fp $SCEN "$N" fptcp; measured fptcp $SCEN "$N"
				FP_SG=1; run_fp $SCEN "$N" fpsg; measured fpsg $SCEN "$N"
				FP_SG=0
			fi
			if [ $DO_OVS = 1 ]; then
				busy_check "ovs_ct_${SCEN}_$N"
				before=$(rundirs)
				NS=$N OVS_CT_SCENS=$SCEN OVS_CT_SESSION=$SESSION timeout -k 30 \
					$((2 * (WARM_S + NWIN * (WIN_S + 10) + 240))) \
					bash "$REPO/bench/ovs_ct.sh" --no-new || say "ovs_ct.sh failed (rc $?)"
				rundirs_clean "$before"
				measured ovs_plain $SCEN "$N"; measured ovs_ct $SCEN "$N"
			fi
		done
	done
	python3 - "$RESULTS" "$SESSION" "$NS" "$FP_ANTISPOOF" <<'PY' | tee "$RESULTS/summary_sg_$SESSION.txt"
import json, os, statistics as st, sys
R, session, ns, anti = sys.argv[1:5]
def col(name, i=0):
    p = os.path.join(R, name)
    if not os.path.exists(p): return None
    v = [float(l.split()[i]) for l in open(p) if len(l.split()) > i and l.split()[i] != 'nan']
    return st.median(v) if v else None
def ratio(a, b): return a / b if a and b else None
f = lambda x, p='%.2f': p % x if x is not None else 'n/a'
print('session %s (--sg): Mpps = median of the windows; cycles/pkt: fp-dpdk TSC/pps, OVS pmd-perf-show' % session)
hdr = ('| scenario | N | testpmd io | fp plain | fp + sg | OVS plain | OVS + firewall | fp+sg / OVS+fw '
       '| fp sg/plain cyc | OVS fw/plain cyc | fp plain cyc | fp+sg cyc | OVS plain cyc | OVS+fw cyc | notes |')
print(hdr); print('|' + '---|' * (hdr.count('|') - 1))
for n in ns.split():
    for s in ('encap', 'decap'):
        tp = col('testpmd_est_%s_%s.txt' % (s, n))
        fpm, fpc = col('fptcp_%s_%s.txt' % (s, n)), col('fptcp_%s_%s.txt' % (s, n), 1)
        sgm, sgc = col('fpsg_%s_%s.txt' % (s, n)), col('fpsg_%s_%s.txt' % (s, n), 1)
        opm, opc = col('ovs_plain_%s_%s.txt' % (s, n)), col('ovs_plain_%s_%s.txt' % (s, n), 1)
        ocm, occ = col('ovs_ct_%s_%s.txt' % (s, n)), col('ovs_ct_%s_%s.txt' % (s, n), 1)
        notes = []
        for side in ('fptcp', 'fpsg'):
            p = os.path.join(R, '%s_%s_%s.json' % (side, s, n))
            if os.path.exists(p):
                j = json.load(open(p))
                notes += ['%s: %s' % (side, x) for x in j.get('problems', []) + ([j['error']] if 'error' in j else [])]
        if anti != 'on': notes.append('antispoof ' + anti)
        row = dict(session=session, scenario='est_' + s, n=int(n), testpmd_mpps=tp, fp_mpps=fpm, fp_sg_mpps=sgm,
                   ovs_mpps=opm, ovs_ct_mpps=ocm, fp_sg_over_ovs_ct=ratio(sgm, ocm),
                   fp_sg_over_plain_cycles=ratio(sgc, fpc), ovs_ct_over_plain_cycles=ratio(occ, opc),
                   fp_cycles_per_pkt=fpc, fp_sg_cycles_per_pkt=sgc, ovs_cycles_per_pkt=opc,
                   ovs_ct_cycles_per_pkt=occ, notes=notes)
        print('| est %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            s, n, f(tp), f(fpm), f(sgm), f(opm), f(ocm), f(row['fp_sg_over_ovs_ct'], '%.3f'),
            f(row['fp_sg_over_plain_cycles'], '%.3f'), f(row['ovs_ct_over_plain_cycles'], '%.3f'),
            f(fpc, '%.0f'), f(sgc, '%.0f'), f(opc, '%.0f'), f(occ, '%.0f'), '; '.join(notes) or 'ok'))
        with open(os.path.join(R, 'history_sg.jsonl'), 'a') as h: h.write(json.dumps(row) + '\n')
PY
	say "done: $RESULTS/summary_sg_$SESSION.txt, history_sg.jsonl, meta_$SESSION.json, replay.log"
	if [ ${#FAILED[@]} -gt 0 ]; then
		say "replay: ${#FAILED[@]} side(s) measured nothing: ${FAILED[*]}"
		exit 1
	fi
	exit 0
fi
if [ $DO_FP = 1 ] || [ $DO_TESTPMD = 1 ] || [ $DO_OVS = 1 ]; then
	for N in $NS; do
		[ $ROUTE = 1 ] && [ ! -s "$PCAPS/route_$N.pcap" ] &&
			rewrite_dst_mac "$PCAPS/encap_$N.pcap" "$PCAPS/route_$N.pcap" $RTR_MAC
		for SCEN in $SCENS; do
			[ $DO_TESTPMD = 1 ] && { run_testpmd $SCEN "$N"; measured testpmd $SCEN "$N"; }
			[ $DO_FP = 1 ] && { run_fp $SCEN "$N"; measured fp $SCEN "$N"; }
			[ $DO_OVS = 1 ] && { run_ovs $SCEN "$N"; measured ovs $SCEN "$N"; }
		done
	done
fi
if [ $DO_VERIFY = 1 ]; then
	for SCEN in encap decap; do verify_fp $SCEN "$VERIFY_N"; done
fi

# ---------------------------------------------------------------- summary
python3 - "$RESULTS" "$SESSION" "$NS" "$DECAP_NOTE" "$FP_ANTISPOOF" "$SCENS" <<'PY' | tee "$RESULTS/summary_$SESSION.txt"
import json, os, statistics as st, sys
R, session, ns, decap_note, anti, scens = sys.argv[1:7]
def col(name, i=0):
    p = os.path.join(R, name)
    if not os.path.exists(p): return None
    v = [float(l.split()[i]) for l in open(p) if l.strip() and l.split()[i] != 'nan']
    return (st.median(v), min(v), max(v)) if v else None
def fmt(m): return '%.2f [%.2f-%.2f]' % m if m else 'n/a'
def ratio(a, b): return round(a[0] / b[0], 3) if a and b and b[0] else None
rows = []
hdr = '| scenario | N | testpmd io Mpps | fp-dpdk Mpps | OVS-DPDK Mpps | fp/OVS | fp/testpmd | OVS/testpmd | fp cyc/pkt | OVS cyc/pkt | notes |'
print('session %s: Mpps = median [min-max] of the windows; ratios of medians' % session)
print(hdr); print('|' + '---|' * (hdr.count('|') - 1))
for n in ns.split():
    for scen in scens.split():
        tp = col('testpmd_%s_%s.txt' % (scen, n)); fp = col('fp_%s_%s.txt' % (scen, n))
        ov = col('ovs_%s_%s.txt' % (scen, n))
        fpc = col('fp_%s_%s.txt' % (scen, n), 1); ovc = col('ovs_%s_%s.txt' % (scen, n), 1)
        fj = {}
        p = os.path.join(R, 'fp_%s_%s.json' % (scen, n))
        if os.path.exists(p): fj = json.load(open(p))
        notes = list(fj.get('problems', [])) + ([fj['error']] if 'error' in fj else [])
        if scen == 'decap' and fj.get('note'): notes.append('decap pcap dst MAC rewritten (see log)')
        if anti != 'on': notes.append('antispoof ' + anti)
        busy = []
        for t in ('testpmd_%s_%s', 'fp_%s_%s', 'ovs_%s_%s'):
            p = os.path.join(R, (t % (scen, n)) + '.concurrent.txt')
            if os.path.exists(p) and open(p).read().strip(): busy.append(t.split('_')[0])
        if busy: notes.append('other busy processes before: ' + ','.join(busy))
        row = dict(session=session, scenario=scen, n=int(n),
                   testpmd_mpps=tp and tp[0], testpmd_min=tp and tp[1], testpmd_max=tp and tp[2],
                   fp_mpps=fp and fp[0], fp_min=fp and fp[1], fp_max=fp and fp[2],
                   ovs_mpps=ov and ov[0], ovs_min=ov and ov[1], ovs_max=ov and ov[2],
                   fp_over_ovs=ratio(fp, ov), fp_over_testpmd=ratio(fp, tp), ovs_over_testpmd=ratio(ov, tp),
                   fp_cycles_per_pkt=fpc and fpc[0], ovs_cycles_per_pkt=ovc and ovc[0],
                   fp_drops_while_measuring=fj.get('drops_while_measuring'), fp_antispoof=anti,
                   fp_note=fj.get('note'), notes=notes)
        rows.append(row)
        r = lambda x: '%.3f' % x if x is not None else 'n/a'
        c = lambda x: '%.0f' % x[0] if x else 'n/a'
        print('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (scen, n, fmt(tp), fmt(fp), fmt(ov),
              r(row['fp_over_ovs']), r(row['fp_over_testpmd']), r(row['ovs_over_testpmd']), c(fpc), c(ovc),
              '; '.join(notes) or 'ok'))
if decap_note: print('note: ' + decap_note)
print()
with open(os.path.join(R, 'rows_%s.jsonl' % session), 'w') as f, open(os.path.join(R, 'history.jsonl'), 'a') as h:
    for row in rows:
        s = json.dumps(row); print(s); f.write(s + '\n'); h.write(s + '\n')
PY
cp "$RESULTS/summary_$SESSION.txt" "$RESULTS/summary.txt"
say "done: $RESULTS/summary_$SESSION.txt, rows_$SESSION.jsonl, meta_$SESSION.json, replay.log"
if [ ${#FAILED[@]} -gt 0 ]; then
	say "replay: ${#FAILED[@]} side(s) measured nothing: ${FAILED[*]}"
	exit 1
fi
