#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ovs_ct.sh: OVS-DPDK doing the work of Neutron's OVS firewall driver (conntrack per
# port zone) on the VXLAN topology of the shared baseline, next to the same OVS without
# the firewall, on the same TCP pcaps (bench/gen_ct_pcaps.py), in one session.
#
#   sudo bench/ovs_ct.sh [--quick] [--no-plain] [--no-new]
#
# For each N in $NS:
#   plain encap/decap  the shared 20_ovs.sh, called on est_{encap,decap}_N.pcap
#   ct encap/decap     the shared topology (ovs_env.sh setup_vxlan) plus the firewall's
#                      flows on br-int (tables 0/71/72/73 egress, 81/82 ingress)
#   ct new             SYNs of N distinct tuples (syn_encap_N.pcap): new connections
#                      per second, from the slope of dpctl/ct-get-nconns
# The shared OVS-DPDK baseline (${FP_SHARED:-<repo>/../shared}/bench/ovs-dpdk) is
# sourced and called, not copied.  See bench/README.md ("ovs_ct.sh").
set -u -o pipefail

usage() {
	cat <<'EOF'
usage: bench/ovs_ct.sh [--quick] [--no-plain] [--no-new]
  --quick     NS=1000 NEW_NS=100000 NWIN=2 WIN_S=2 WARM_S=3
  --no-plain  skip the runs without the firewall
  --no-new    skip the new-connection runs
environment: NS (1000 100000) NEW_NS (100000) WIN_S NWIN WARM_S RESULTS PCAPS FP_SHARED TSC_MHZ
             OVS_CT_SCENS (default "encap decap"; ovs_ct.sh only measures those)
EOF
}

QUICK=0 DO_PLAIN=1 DO_NEW=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--no-plain) DO_PLAIN=0 ;;
	--no-new) DO_NEW=0 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 1 ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	: "${NS:=1000}" "${NWIN:=2}" "${WIN_S:=2}" "${WARM_S:=3}"
fi

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
TOP=$(git -C "$BENCH" rev-parse --show-toplevel 2>/dev/null || (cd "$BENCH/.." && pwd))
# In a git worktree elsewhere, the main checkout's neighbour.
COMMON=$(git -C "$BENCH" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
if [ -z "${FP_SHARED:-}" ] && ! [ -d "$TOP/../shared" ] && [ -n "$COMMON" ]; then
	FP_SHARED=$(dirname "$COMMON")/../shared
fi
SHARED=${FP_SHARED:-$TOP/../shared}/bench/ovs-dpdk
RESULTS=${RESULTS:-/tmp/flowplane-bench/results}
PCAPS=${PCAPS:-/tmp/flowplane-bench/pcaps}
export RESULTS PCAPS
if ! [ -f "$SHARED/ovs_env.sh" ] || ! [ -f "$SHARED/20_ovs.sh" ]; then
	echo "ovs_ct.sh: the shared OVS-DPDK baseline is not in $SHARED (set FP_SHARED)" >&2
	exit 1
fi
# common.sh: WIN_S NWIN WARM_S defaults, now(), stats(); ovs_env.sh: ovs_start/ovs_stop,
# setup_vxlan, tx_pkts, appctl.
# shellcheck disable=SC1091
source "$SHARED/common.sh"
# shellcheck disable=SC1091
source "$SHARED/ovs_env.sh"
# shellcheck source=bench/ovs_windows.sh
source "$BENCH/ovs_windows.sh"
export WIN_S NWIN WARM_S
NS=${NS:-1000 100000}
# New connections: N SYNs must take long enough to sample (OVS opens ~10^5 per second);
# 100000 is also about the most OVS's shared mempool (131072 mbufs in 448 MiB) replays.
NEW_NS=${NEW_NS:-100000}
SCENS=${OVS_CT_SCENS:-encap decap}
[ "$(id -u)" = 0 ] || { echo "ovs_ct.sh: run as root" >&2; exit 1; }
[ -x "$VSWITCHD" ] || { echo "ovs_ct.sh: $VSWITCHD missing: apt-get install openvswitch-switch-dpdk" >&2; exit 1; }
if [ -z "${TSC_MHZ:-}" ]; then
	TSC_MHZ=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -1)
	[ -n "$TSC_MHZ" ] || TSC_MHZ=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -1)
	[ -n "$TSC_MHZ" ] || TSC_MHZ=$(awk '/cpu MHz/{print $4; exit}' /proc/cpuinfo)
fi
SESSION=${OVS_CT_SESSION:-$(date -u +%Y%m%dT%H%M%SZ)-$$}
say() { echo "[$(date +%T)] $*"; }

OVSW_EXISTED=0
[ -e "$OVSW" ] && OVSW_EXISTED=1
trap 'ovs_stop >/dev/null 2>&1; rm -rf "$PCAPS/plain"; [ $OVSW_EXISTED = 1 ] || rm -rf "$OVSW"' EXIT
trap 'say "interrupted"; exit 130' INT TERM

# Hugepages as bench/replay.sh sets them (OVS takes SOCKET_MEM = 448 MiB).
if [ "$(awk '/HugePages_Total/{print $2}' /proc/meminfo)" -lt 512 ]; then
	echo 512 >/proc/sys/vm/nr_hugepages
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs none /dev/hugepages
mkdir -p "$RESULTS" "$PCAPS"
# shellcheck disable=SC2086  # word lists
for N in $(printf '%s\n' $NS $NEW_NS | sort -nu); do
	[ -s "$PCAPS/est_encap_$N.pcap" ] && [ -s "$PCAPS/est_decap_$N.pcap" ] &&
		[ -s "$PCAPS/syn_encap_$N.pcap" ] && continue
	say "generating the pcaps for N=$N (bench/gen_ct_pcaps.py)"
	/usr/bin/python3 "$BENCH/gen_ct_pcaps.py" "$PCAPS" "$N" || exit 1
done

# Neutron's openvswitch firewall driver (neutron/agent/linux/openvswitch_firewall/
# firewall.py and rules.py) for one port, ofport 1 (vm0), zone 1 (reg6), reg5 = the port,
# on the shared topology's br-int, where vxlan0 (ofport 2) stands for the driver's
# "normal" action towards br-tun.  Security groups: egress any IPv4 (Neutron's default
# group), ingress TCP 22, 443 and 5001 from anywhere (the pcaps' port).  Egress: table 0
# (LOCAL_SWITCHING/TRANSIENT) -> 71 BASE_EGRESS: ct(table=72,zone) -> 72 RULES_EGRESS ->
# 73 ACCEPT_OR_INGRESS: ct(commit) for +new.  Ingress: 0 -> 81 BASE_INGRESS:
# ct(table=82,zone) -> 82 RULES_INGRESS: ct(commit) for +new of a rule.
fw_flows() {  # VM_MAC VM_NET
	local mac=$1 net=$2 zone='NXM_NX_REG6[0..15]' p
	cat <<EOF
table=0,priority=100,in_port=1,actions=set_field:1->reg5,set_field:1->reg6,resubmit(,71)
table=0,priority=100,in_port=2,dl_dst=$mac,actions=set_field:1->reg5,set_field:1->reg6,resubmit(,81)
table=0,priority=0,actions=drop
table=71,priority=95,reg5=1,in_port=1,dl_src=$mac,arp,arp_spa=$net,actions=output:2
table=71,priority=80,reg5=1,in_port=1,udp,tp_src=68,tp_dst=67,actions=resubmit(,73)
table=71,priority=70,reg5=1,in_port=1,udp,tp_src=67,tp_dst=68,actions=drop
table=71,priority=65,reg5=1,in_port=1,ct_state=-trk,ip,dl_src=$mac,nw_src=$net,actions=ct(table=72,zone=$zone)
table=71,priority=10,reg5=1,in_port=1,ct_state=-trk,actions=drop
table=72,priority=50,ct_state=+inv+trk,actions=drop
table=72,priority=50,reg5=1,ct_mark=0x1,actions=drop
table=72,priority=50,reg5=1,ct_state=+est-rel+rpl,ct_zone=1,ct_mark=0,actions=output:2
table=72,priority=50,reg5=1,ct_state=-new-est+rel-inv,ct_zone=1,ct_mark=0,actions=output:2
table=72,priority=70,reg5=1,ip,ct_state=+est-rel-rpl,actions=resubmit(,73)
table=72,priority=70,reg5=1,ip,ct_state=+new-est,actions=resubmit(,73)
table=72,priority=40,reg5=1,ct_state=-est,actions=drop
table=72,priority=40,reg5=1,ip,ct_state=+est,actions=ct(commit,zone=$zone,exec(set_field:0x1->ct_mark))
table=73,priority=90,reg5=1,ip,ct_state=+new-est,actions=ct(commit,zone=$zone),output:2
table=73,priority=80,reg5=1,actions=output:2
table=81,priority=100,reg5=1,arp,dl_dst=$mac,actions=output:1
table=81,priority=95,reg5=1,udp,tp_src=67,tp_dst=68,actions=output:1
table=81,priority=90,reg5=1,ip,ct_state=-trk,actions=ct(table=82,zone=$zone)
table=81,priority=80,reg5=1,ct_state=+trk,dl_dst=$mac,actions=resubmit(,82)
table=82,priority=50,ct_state=+inv+trk,actions=drop
table=82,priority=50,reg5=1,ct_mark=0x1,actions=drop
table=82,priority=50,reg5=1,dl_dst=$mac,ct_state=+est-rel+rpl,ct_zone=1,ct_mark=0,actions=output:1
table=82,priority=50,reg5=1,dl_dst=$mac,ct_state=-new-est+rel-inv,ct_zone=1,ct_mark=0,actions=output:1
table=82,priority=40,reg5=1,ct_state=-est,actions=drop
table=82,priority=40,reg5=1,ip,ct_state=+est,actions=ct(commit,zone=$zone,exec(set_field:0x1->ct_mark))
EOF
	for p in 22 443 5001; do
		echo "table=82,priority=77,reg5=1,tcp,tp_dst=$p,ct_state=+est-rel-rpl,actions=output:1"
		echo "table=82,priority=77,reg5=1,tcp,tp_dst=$p,ct_state=+new-est,actions=ct(commit,zone=$zone),output:1"
	done
}

NULL="net_null_out0,no-rx=1"
# The shared topology with the firewall flows: setup_vxlan() installs its plain
# forwarding flows and adds the replaying port last; the firewall's flows replace
# br-int's in one bundle right after (the conntrack entries of the packets forwarded
# before that are made on the next pass; the warm-up covers it).
ct_setup() {  # SCEN PCAP -> OBR OPORT
	local scen=$1 in="net_pcap_in0,rx_pcap=$2,infinite_rx=1" f=$RESULTS/ovs_ct_$1.flows
	if [ "$scen" = decap ]; then
		fw_flows 02:00:00:00:0a:02 10.2.0.1/32 >"$f"
		setup_vxlan "$NULL" "$in" phy
		OBR=br-int OPORT=1
	else
		fw_flows 02:00:00:00:0a:01 10.1.0.0/16 >"$f"
		setup_vxlan "$in" "$NULL" vm
		OBR=br-phy OPORT=1
	fi
	ovs-ofctl --bundle replace-flows br-int "$f"
}

# Established connections: like 20_ovs.sh's windows (tx of the output port, cycles/pkt
# from pmd-perf-show), plus the conntrack entries and the flow hits that show the
# packets took the firewall's +est path.
run_ct() {  # SCEN N
	local scen=$1 n=$2 tag=ovs_ct_${1}_$2
	local out=$RESULTS/$tag.txt det=$RESULTS/$tag.detail
	say "OVS-DPDK + firewall: $scen N=$n (est_${scen}_$n.pcap)"
	ovs_start >"$RESULTS/$tag.start.log" 2>&1 || { say "ovs_start failed"; return 1; }
	ct_setup "$scen" "$PCAPS/est_${scen}_$n.pcap"
	sleep "$WARM_S"
	ovs_windows $OBR $OPORT "$out" "$det"
	{
		echo "== conntrack entries: $(appctl dpctl/ct-get-nconns)"
		echo "== openflow br-int"; ovs-ofctl dump-flows br-int
		echo "== datapath flows"; appctl dpctl/dump-flows -m
	} >>"$det" 2>&1
	cp "$OVS_LOGDIR/ovs-vswitchd.log" "$RESULTS/$tag.vswitchd.log"
	ovs_stop
	read -r MED MIN MAX NW < <(awk '{print $1}' "$out" | stats)
	read -r CMED _ _ _ < <(awk '{print $2}' "$out" | stats)
	say "ovs+ct $scen N=$n Mpps median=$MED min=$MIN max=$MAX cycles/pkt median=$CMED windows=$NW" \
		"conntrack entries $(sed -n 's/== conntrack entries: //p' "$det")"
}

# New connections: each SYN of the first pass over syn_encap_N.pcap opens one (a SYN of
# a tuple already tracked is +est for OVS), so the rate is the slope of the connection
# count while it grows from 10 % to 90 % of N; the PMD is busy all along (cycles per
# connection = TSC / rate).
run_new() {  # N
	local n=$1 tag=ovs_ct_new_$1 t c
	local out=$RESULTS/$tag.txt samples=$RESULTS/$tag.samples
	say "OVS-DPDK + firewall: new connections, N=$n (syn_encap_$n.pcap)"
	ovs_start >"$RESULTS/$tag.start.log" 2>&1 || { say "ovs_start failed"; return 1; }
	: >"$samples"
	ct_setup encap "$PCAPS/syn_encap_$n.pcap"
	for _ in $(seq 600); do
		t=$(now); c=$(appctl dpctl/ct-get-nconns 2>/dev/null || echo 0)
		echo "$t $c" >>"$samples"
		[ "$c" -ge "$n" ] && break
		sleep 0.05
	done
	ovs_stop
	python3 - "$samples" "$n" "$TSC_MHZ" <<'PY' | tee "$out"
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
n, mhz = int(sys.argv[2]), float(sys.argv[3])
lo = next((r for r in rows if r[1] >= 0.1 * n), None)
hi = next((r for r in rows if r[1] >= 0.9 * n), None)
if lo and hi and hi[0] > lo[0]:
    rate = (hi[1] - lo[1]) / (hi[0] - lo[0])
    print('%.0f %.0f %d' % (rate, mhz * 1e6 / rate, len(rows)))
else:
    print('nan nan %d' % len(rows))
PY
	say "ovs+ct new N=$n: $(awk '{printf "%s connections/s, %s cycles/connection (%s samples)", $1, $2, $3}' "$out")"
}

# The same topology without the firewall: the shared 20_ovs.sh on the same TCP pcaps
# (it reads $PCAPS/{encap,decap}_N.pcap: links to est_*_N.pcap in $PCAPS/plain).
run_plain() {  # SCEN N
	local scen=$1 n=$2
	mkdir -p "$PCAPS/plain"
	ln -sf "../est_${scen}_$n.pcap" "$PCAPS/plain/${scen}_$n.pcap"
	say "OVS-DPDK plain (shared 20_ovs.sh): $scen N=$n on est_${scen}_$n.pcap"
	PCAPS=$PCAPS/plain bash "$SHARED/20_ovs.sh" "$scen" "$n" >"$RESULTS/ovs_plain_${scen}_$n.log" 2>&1
	mv "$RESULTS/ovs_${scen}_$n.txt" "$RESULTS/ovs_plain_${scen}_$n.txt"
	mv "$RESULTS/ovs_${scen}_$n.detail" "$RESULTS/ovs_plain_${scen}_$n.detail"
	rm -f "$RESULTS/ovs_${scen}_$n.vswitchd.log"
	say "$(tail -1 "$RESULTS/ovs_plain_${scen}_$n.log")"
}

say "ovs_ct.sh session $SESSION: NS='$NS' WIN_S=$WIN_S NWIN=$NWIN WARM_S=$WARM_S TSC ${TSC_MHZ} MHz," \
	"$(ovs-vswitchd --version | head -1)"
for N in $NS; do
	for S in $SCENS; do
		[ $DO_PLAIN = 1 ] && run_plain "$S" "$N"
		run_ct "$S" "$N"
	done
done
if [ $DO_NEW = 1 ]; then
	for N in $NEW_NS; do run_new "$N"; done
fi

python3 - "$RESULTS" "$SESSION" "$NS" "$SCENS" "$DO_NEW" "$NEW_NS" "$DO_PLAIN" <<'PY' | tee "$RESULTS/ovs_ct_summary_$SESSION.txt"
import json, os, statistics as st, sys
R, session, ns, scens = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
do_new, new_ns, do_plain = sys.argv[5] == '1', sys.argv[6].split(), sys.argv[7] == '1'
def col(name, i):
    p = os.path.join(R, name)
    if not os.path.exists(p): return None
    v = [float(l.split()[i]) for l in open(p) if len(l.split()) > i and l.split()[i] != 'nan']
    return st.median(v) if v else None
f = lambda x, p='%.2f': p % x if x is not None else 'n/a'
print('session %s: OVS-DPDK, one PMD core; Mpps and cycles/pkt = medians of the windows' % session)
print('| scenario | N | plain Mpps | +firewall Mpps | firewall/plain | plain cyc/pkt | +firewall cyc/pkt |')
print('|---|---|---|---|---|---|---|')
rows = []
for n in ns:
    for s in scens:
        pm, pc = (col('ovs_plain_%s_%s.txt' % (s, n), 0), col('ovs_plain_%s_%s.txt' % (s, n), 1)) if do_plain else (None, None)
        cm, cc = col('ovs_ct_%s_%s.txt' % (s, n), 0), col('ovs_ct_%s_%s.txt' % (s, n), 1)
        r = cm / pm if cm and pm else None
        print('| est %s | %s | %s | %s | %s | %s | %s |' % (s, n, f(pm), f(cm), f(r, '%.3f'), f(pc, '%.0f'), f(cc, '%.0f')))
        rows.append(dict(session=session, scenario='est_' + s, n=int(n), plain_mpps=pm, ct_mpps=cm,
                         plain_cycles_per_pkt=pc, ct_cycles_per_pkt=cc))
for n in new_ns:
    rate, cyc = col('ovs_ct_new_%s.txt' % n, 0), col('ovs_ct_new_%s.txt' % n, 1)
    if do_new and os.path.exists(os.path.join(R, 'ovs_ct_new_%s.txt' % n)):
        print('| new connections | %s | | %s conn/s | | | %s cyc/conn |' % (n, f(rate, '%.0f'), f(cyc, '%.0f')))
        rows.append(dict(session=session, scenario='new', n=int(n), conn_per_s=rate, cycles_per_conn=cyc))
with open(os.path.join(R, 'ovs_ct_rows_%s.jsonl' % session), 'w') as o:
    for r in rows: o.write(json.dumps(r) + '\n')
PY
