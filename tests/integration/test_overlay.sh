#!/usr/bin/env bash
# Overlay integration test: two hypervisors running fp-dpdk in network
# namespaces, two tenants with the same IP addresses (topology: lib.sh).
#
# For each of (vxlan, IPv4) (vxlan, IPv6) (geneve, IPv4) (geneve, IPv6)
# underlays, with the vteps reprogrammed through fpctl in between:
#   - ping a1 -> a2 and b1 -> b2 over IPv4 and IPv6, and the echo requests
#     arrive at the right VM only (the VMs' ICMP counters);
#   - the VMs learned the right MACs (answered by fp-dpdk's neigh table);
#   - a1 aimed at b2's MAC (and b1 at a2's) reaches nobody;
#   - 10 MiB over TCP a1 -> a2 arrive intact (sha256);
#   - the underlay carries VXLAN/Geneve with VNI 100 and 200 (tshark);
#   - fpctl --json show stats: rx == tx + drop + punt on both hypervisors.
# Once: hva's FDB is filled to its limit while a1 pings a2 every 5 ms; the
# entry past the limit is refused with "fdb table full" and no ping is lost.
# Then both fp-dpdk stop on SIGTERM and print "rx = tx + drop + punt: ok".
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory,
# FP_COMBOS="vxlan:4 geneve:6" to run a subset.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
# TAP helpers (ok, not_ok, check, finish, N_PASS, N_FAIL, T_START) come
# from lib.sh; this test keeps its own not_ok.

COMBO_FAIL=0

not_ok() {
	echo "not ok - $*"
	N_FAIL=$((N_FAIL + 1))
	COMBO_FAIL=1
}

# Diagnostics for a failed combination: what fp-dpdk thinks.
diag() {
	local hv
	for hv in $FP_HVS; do
		echo "# --- $hv: fpctl show stats / show drops / show ports"
		{
			fp_ctl "$hv" show stats
			fp_ctl "$hv" show drops | grep -v " 0$"
			fp_ctl "$hv" show ports
		} 2>&1 | sed 's/^/#   /'
		echo "# --- $hv: fp-dpdk log (last 20 lines)"
		tail -n 20 "$(fp_logfile "$hv")" 2>/dev/null | sed 's/^/#   /'
	done
}

# underlay_capture ENCAP FAM: tshark on hva's underlay veth while a1 and b1
# ping; the packets decode as ENCAP with VNI 100 and 200 between the two
# VTEP addresses of family FAM.  Either direction counts: fp-dpdk's
# af_packet ports send with PACKET_QDISC_BYPASS, so the sender's own
# capture misses what it sends and sees only what it receives (the replies).
underlay_capture() {
	local encap=$1 fam=$2 pcap=$FP_TMP/ul-$1-$2.pcap
	local outer n100 n200 ip=ip
	fp_capture_pings hva "$pcap"
	[ "$fam" = 6 ] && ip=ipv6
	outer="$ip.addr == ${FP_HV_VTEP6[hva]} && $ip.addr == ${FP_HV_VTEP6[hvb]}"
	[ "$fam" = 4 ] && outer="ip.addr == ${FP_HV_VTEP4[hva]} && ip.addr == ${FP_HV_VTEP4[hvb]}"
	n100=$(tshark -r "$pcap" -n -Y "$outer && $encap.vni == 100 && icmp" 2>/dev/null | wc -l)
	n200=$(tshark -r "$pcap" -n -Y "$outer && $encap.vni == 200 && icmp" 2>/dev/null | wc -l)
	if [ "$n100" -ge 1 ]; then
		ok "$TAG: underlay capture decodes as $encap.vni == 100 over IPv$fam ($n100 packets)"
	else
		not_ok "$TAG: underlay capture decodes as $encap.vni == 100 over IPv$fam"
		sed 's/^/#   tshark: /' "$err"
		tshark -r "$pcap" -n 2>/dev/null | head -20 | sed 's/^/#   /'
	fi
	if [ "$n200" -ge 1 ]; then
		ok "$TAG: underlay capture decodes as $encap.vni == 200 over IPv$fam ($n200 packets)"
	else
		not_ok "$TAG: underlay capture decodes as $encap.vni == 200 over IPv$fam"
	fi
}

# stats_balance HV: fpctl --json show stats says rx == tx + drop + punt.
# Counters are read while the workers run: a burst in flight can make them
# disagree for a moment, so read up to 5 times.
stats_balance() {
	local hv=$1 i json res
	for ((i = 0; i < 5; i++)); do
		json=$(fp_ctl "$hv" --json show stats 2>&1)
		res=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
# {"n_workers":N,"stats":{"rx":..,"tx":..,...},"drops":{"<reason>":..,...},...}
try:
    doc = json.load(sys.stdin)
    s, drops = doc["stats"], doc["drops"]
    rx, tx, drop, punt = (int(s[k]) for k in ("rx", "tx", "drop", "punt"))
    reasons = sum(int(v) for v in drops.values())
except (ValueError, KeyError, TypeError, AttributeError) as e:
    print("unexpected JSON: %r" % e)
    sys.exit(2)
print("rx %d tx %d drop %d punt %d, drop reasons sum %d" % (rx, tx, drop, punt, reasons))
sys.exit(0 if rx == tx + drop + punt and reasons == drop and rx > 0 else 1)
' 2>&1)
		case $? in
		0)
			ok "$TAG: $hv fpctl --json show stats: rx == tx + drop + punt ($res)"
			return 0
			;;
		2) break ;;
		esac
		sleep 0.3
	done
	not_ok "$TAG: $hv fpctl --json show stats: rx == tx + drop + punt ($res)"
	printf '%s\n' "$json" | head -40 | sed 's/^/#   /'
}

# table_full_under_traffic: fill hva's FDB to its limit with fpctl while
# a1 pings a2 fast; one more entry is refused, and no ping is lost.
table_full_under_traffic() {
	local n=0 i mac out rc=0 pid log
	log="$FP_TMP/ping-full.log"
	fp_vm a1 ping -q -i 0.005 -c 600 -W 1 "${FP_VM_IP4[a2]}" >"$log" 2>&1 &
	pid=$!
	sleep 0.3
	for ((i = 0; i < FP_FDB_LIMIT + 1; i++)); do
		mac=$(printf '02:ee:00:00:%02x:%02x' $((i / 256)) $((i % 256)))
		out=$(fp_ctl hva add fdb "${FP_VM_VNI[a1]}" "$mac" port 0 2>&1) || {
			rc=1
			break
		}
		n=$((n + 1))
	done
	if [ $rc -eq 1 ] && echo "$out" | grep -q "fdb table full"; then
		ok "hva: the FDB fills to its limit of $FP_FDB_LIMIT and the next entry is refused" \
			"($n added: $out)"
	else
		not_ok "hva: the FDB fills to its limit and the next entry is refused" \
			"($n added, last: $out)"
	fi
	for ((i = 0; i < n; i++)); do
		mac=$(printf '02:ee:00:00:%02x:%02x' $((i / 256)) $((i % 256)))
		fp_ctl hva del fdb "${FP_VM_VNI[a1]}" "$mac" >/dev/null 2>&1
	done
	wait $pid
	if grep -q " 0% packet loss" "$log"; then
		ok "hva: no ping lost while the FDB was filled and emptied ($(grep -o '[0-9]* received' "$log"))"
	else
		not_ok "hva: no ping lost while the FDB was filled and emptied"
		sed 's/^/#   /' "$log"
	fi
}

run_combo() {
	local encap=$1 fam=$2 first=$3
	TAG="$encap/IPv$fam"
	FP_CHECK_TAG=$TAG
	COMBO_FAIL=0
	echo "# === $encap over an IPv$fam underlay"
	if [ "$first" = 1 ]; then
		check "$TAG: program tables with fpctl" fp_program_all "$encap" "$fam"
	else
		check "$TAG: reprogram vteps with fpctl (del + add)" fp_reprogram_all "$encap" "$fam"
	fi
	for vm in $FP_VMS; do fp_vm_flush "$vm"; done
	fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2
	fp_check_ping_to a1 "${FP_VM_IP6[a2]}" 6 a2 b2
	fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
	fp_check_ping_to b1 "${FP_VM_IP6[b2]}" 6 b2 a2
	fp_check_ping_to a2 "${FP_VM_IP4[a1]}" 4 a1 b1
	fp_check_neigh_is a1 "${FP_VM_IP4[a2]}" a2
	fp_check_neigh_is a1 "${FP_VM_IP6[a2]}" a2
	fp_check_neigh_is b1 "${FP_VM_IP4[b2]}" b2
	fp_check_neigh_is b1 "${FP_VM_IP6[b2]}" b2
	fp_check_isolated a1 b2 a2
	fp_check_isolated b1 a2 b2
	fp_check_tcp_transfer a1 a2
	underlay_capture "$encap" "$fam"
	sleep 0.3
	stats_balance hva
	stats_balance hvb
	[ $COMBO_FAIL -eq 0 ] || diag
}

# --- main
fp_init_or_exit
for t in tshark nc ss sha256sum timeout; do
	command -v $t >/dev/null || { echo "# $t is missing: run scripts/install-deps.sh"; }
done
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create; then
	not_ok "create the namespaces and veth pairs: $FP_ERR"
	finish
fi
ok "create the namespaces and veth pairs"
if ! fp_start_all; then
	not_ok "start fp-dpdk on hva and hvb"
	printf '# %s\n' "$FP_ERR"
	finish
fi
ok "start fp-dpdk on hva and hvb"

first=1
for combo in ${FP_COMBOS:-vxlan:4 vxlan:6 geneve:4 geneve:6}; do
	run_combo "${combo%:*}" "${combo#*:}" $first
	[ $first = 1 ] && table_full_under_traffic
	first=0
done

for hv in $FP_HVS; do
	log=$(fp_logfile "$hv")
	fp_stop "$hv"
	check "$hv: fp-dpdk exits 0 on SIGTERM (got $FP_STOP_RC)" test "$FP_STOP_RC" = 0
	if sed -n '/final counters/,$p' "$log" | grep -q "rx = tx + drop + punt: ok"; then
		ok "$hv: final counters say rx = tx + drop + punt: ok"
	else
		not_ok "$hv: final counters say rx = tx + drop + punt: ok"
		tail -n 60 "$log" | sed 's/^/#   /'
	fi
	sed -n '/final counters/,$p' "$log" | sed "s/^/# $hv: /"
done
finish
