#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ovs_route.sh: OVS-DPDK routing with OpenFlow flows, as a distributed router's
# flows route (Neutron DVR's shape), on the VXLAN topology of the shared baseline: a frame
# from vm0 to the router's MAC for 10.2.0.0/16 gets dec_ttl, the router's MAC as source,
# the destination VM's MAC, the egress network's VNI (200) as tunnel id, and leaves
# through vxlan0 (options:key=flow).  The work fp-dpdk does on `bench/replay.sh --route`,
# on the same pcap (route_N.pcap: encap_N.pcap to the router's MAC), same core.
#
#   bench/replay.sh --route runs it, for each N of $NS:
#   OVS_SHARED=<shared>/bench/ovs-dpdk NS=N [OVS_ROUTE_SESSION=...] bench/ovs_route.sh
# Results: $RESULTS/ovs_route_N.{txt,detail,flows,vswitchd.log} (txt: "Mpps cycles/pkt"
# per window, as the shared 20_ovs.sh writes them).
set -u -o pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SHARED=${OVS_SHARED:?OVS_SHARED: the shared bench/ovs-dpdk folder (bench/replay.sh sets it)}
RESULTS=${RESULTS:-/tmp/flowplane-bench/results}
PCAPS=${PCAPS:-/tmp/flowplane-bench/pcaps}
export RESULTS PCAPS
# shellcheck disable=SC1091
source "$SHARED/common.sh"
# shellcheck disable=SC1091
source "$SHARED/ovs_env.sh"
# shellcheck source=bench/ovs_windows.sh
source "$BENCH/ovs_windows.sh"
NS=${NS:-1000}
RTR_MAC=${RTR_MAC:-02:00:00:00:ee:01} VM2_MAC=${VM2_MAC:-02:00:00:00:0a:02}
say() { echo "[$(date +%T)] $*"; }
[ "$(id -u)" = 0 ] || { echo "ovs_route.sh: run as root" >&2; exit 1; }
[ -x "$VSWITCHD" ] || { echo "ovs_route.sh: $VSWITCHD missing" >&2; exit 1; }
trap 'ovs_stop >/dev/null 2>&1' EXIT

# The router's flows on br-int: only IPv4 to its MAC and a routed prefix is routed,
# everything else dropped (fp-dpdk drops it too: to_router / no_route).
route_flows() {
	cat <<EOF2
table=0,priority=100,in_port=1,ip,dl_dst=$RTR_MAC,nw_dst=10.2.0.0/16,actions=dec_ttl,mod_dl_src:$RTR_MAC,mod_dl_dst:$VM2_MAC,set_field:200->tun_id,output:2
table=0,priority=0,actions=drop
EOF2
}

for N in $NS; do
	tag=ovs_route_$N
	pcap=$PCAPS/route_$N.pcap
	[ -s "$pcap" ] || { say "ovs_route.sh: $pcap missing (bench/replay.sh --route makes it)"; exit 1; }
	say "OVS-DPDK routed encap N=$N ($pcap)"
	ovs_start >"$RESULTS/$tag.start.log" 2>&1 || { say "ovs_start failed"; exit 1; }
	setup_vxlan "net_pcap_in0,rx_pcap=$pcap,infinite_rx=1" "net_null_out0,no-rx=1" vm
	vsctl set Interface vxlan0 options:key=flow
	route_flows >"$RESULTS/$tag.flows"
	ovs-ofctl --bundle replace-flows br-int "$RESULTS/$tag.flows"
	sleep "$WARM_S"
	ovs_windows br-phy 1 "$RESULTS/$tag.txt" "$RESULTS/$tag.detail"
	{
		echo "== openflow br-int"; ovs-ofctl dump-flows br-int
		echo "== datapath flows"; appctl dpctl/dump-flows -m
	} >>"$RESULTS/$tag.detail" 2>&1
	cp "$OVS_LOGDIR/ovs-vswitchd.log" "$RESULTS/$tag.vswitchd.log"
	ovs_stop
	# Routed: the router flow took the packets, and the datapath pushed VNI 200 (0xc8)
	# with TTL 63.
	routed=no
	grep -q 'n_packets=[1-9].*dec_ttl' "$RESULTS/$tag.detail" &&
		grep -q 'vni=0xc8' "$RESULTS/$tag.detail" && grep -q 'ttl=63' "$RESULTS/$tag.detail" &&
		routed=yes
	read -r MED MIN MAX NW < <(awk '{print $1}' "$RESULTS/$tag.txt" | stats)
	read -r CMED _ _ _ < <(awk '{print $2}' "$RESULTS/$tag.txt" | stats)
	say "ovs route N=$N Mpps median=$MED min=$MIN max=$MAX cycles/pkt median=$CMED windows=$NW routed=$routed"
	[ $routed = yes ] || say "WARNING: the datapath flows do not show the routed action (see $RESULTS/$tag.detail)"
done
