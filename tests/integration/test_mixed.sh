#!/usr/bin/env bash
# Mixed cloud integration test: the lib.sh topology (two hypervisors, two
# tenants with the same IP addresses), but only hva runs fp-dpdk; hvb runs
# the XDP fallback: fp-xdp attaches fp_xdp_rx to hvb-a2, hvb-b2 and hvb-ul
# (ports 0, 1, 2, as fp-dpdk's would be).  Each hypervisor has its own
# fp-control (hva: backend "dpdk"; hvb: backend "xdp" on this run's
# instance), and both get the same Neutron snapshot (tenant A on VXLAN,
# VNI 100; tenant B on Geneve, VNI 200).  Checked:
#   - both fp-control in sync, with the same table counts (port 2, vtep 2,
#     fdb 4, flood 2, neigh 8), and hvb's pinned maps hold them (bpftool);
#   - VMs ping across the two engines, both ways, IPv4 and IPv6, and the
#     echo requests reach the right VM only (the VMs' ICMP counters); ARP
#     and ND are answered from the neigh table on both sides (the VMs
#     learn the right MACs, and the XDP engine counts its replies);
#   - a VM aimed at the other tenant's VM (same IP, its MAC) reaches nobody;
#   - 10 MiB over TCP a1 -> a2 and a2 -> a1 arrive intact (sha256);
#   - the underlay carries VXLAN with VNI 100 and Geneve with VNI 200, as
#     the XDP program encapsulates them (tshark on hva-ul);
#   - counters balance on both engines: fpctl -s <hva> --json show stats
#     and fpctl --xdp <instance> --json show stats (per CPU, summed):
#     rx = tx + drop + punt, drop = the sum of the reasons;
#   - fp-xdp detach removes the instance.
# The test does not depend on flooding: the XDP program hands broadcast
# and unknown unicast to a tc program (bpf/fp_maps.bpf.h), and passes
# whether fp-xdp attaches one or not.  The VMs' ARP and ND are answered
# from the neigh table; a flood hand-off counts as tx in the XDP counters.
# What hvb's program sends into a veth needs NAPI at the peer: a
# pass-through XDP program on a2's and b2's eth0, GRO on hva-ul (why: in
# the main part, before the set-up).
#
# The XDP instance is fpm-mixed-<pid> under /sys/fs/bpf/flowplane, in a
# bpffs of the test's own (a private mount namespace): detached (pins
# removed) on exit, even on failure.  fp-xdp and
# fp-control run through nsenter --net (not 'ip netns exec', whose
# private /sys hides bpffs).
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces,
# bpftool, clang, curl or jq.  Env: FP_BUILDDIR (default: <src>/build),
# FP_XDP (the fp-xdp binary), BPFTOOL, FP_KEEP=1 keeps the run directory.
#
# Functions run through check() and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpm-}
. "$(dirname "$0")/lib.sh"
fp_bpffs_own_ns "$@"	# a bpffs of the test's own
# TAP helpers (ok, not_ok, check, finish, N_PASS, N_FAIL, T_START) come
# from lib.sh; finish runs diag (fp_finish_diag) when a check failed.

INSTANCE="${FP_PREFIX}mixed-$$"		# 1..31 of [A-Za-z0-9_-]
PIN_DIR=/sys/fs/bpf/flowplane/$INSTANCE
XDP_ATTACHED=0
DIAG_DONE=0		# diag() ran (once is enough)

# fp_finish_diag: what finish shows when a check failed.
fp_finish_diag() {
	diag
}

# Config groups appended to each hypervisor's config by fp_write_config.
# hvb: fp-xdp's ports in the order of fp-dpdk's (a2 = 0, b2 = 1, ul = 2,
# named as fp-dpdk's, which is what binding:profile's flowplane_port
# names), and fp-control on this run's XDP instance.
fp_config_extra() {
	local hv=$1
	if [ "$hv" = hvb ]; then
		fp_xdp_hv_config "$hv" "$INSTANCE"
		fp_control_config "$hv" "backend = \"xdp\";" "xdp_instance = \"$INSTANCE\";"
	else
		fp_control_config "$hv"
	fi
}

# fpx ARGS...: fp-xdp with hvb's config in hvb's network namespace (host
# mount namespace, so the pins are in the host's bpffs); output in
# $FP_TMP/fpx.out and .err, status in $RC.
fpx() {
	nsenter --net="/run/netns/$(fp_ns hvb)" "$FP_XDP" -c "$FP_TMP/hvb.conf" "$@" \
		>"$FP_TMP/fpx.out" 2>"$FP_TMP/fpx.err"
	RC=$?
}

fpx_show() {
	cat "$FP_TMP/fpx.out" "$FP_TMP/fpx.err" 2>/dev/null | sed '/^$/d; s/^/#   /'
}

# fpctl on the XDP instance.
fp_xctl() {
	"$FP_FPCTL" --xdp "$INSTANCE" "$@"
}

# fpctl --xdp trace on hvb, from hvb's network namespace (the test run
# needs the port's interface): a forwarded, a flooded and a dropped frame
# from a2; the instance's counters do not move, a1 gets no UDP datagram.
xtrace() {
	nsenter --net="/run/netns/$(fp_ns hvb)" "$FP_FPCTL" --xdp "$INSTANCE" --json trace "$@" 2>&1
}

xtrace_snapshot() {
	fp_xctl --json show stats 2>&1 | /usr/bin/python3 -c '
import json, sys
doc = json.load(sys.stdin)
print(json.dumps([doc["stats"], doc["drops"]], sort_keys=True))' 2>&1
	fp_vm a1 awk '/^Udp:/ { print }' /proc/net/snmp
}

xtraces() {
	local a1=${FP_MAC[a1]} a2=${FP_MAC[a2]} out
	out=$(xtrace in-port 0 eth "$a2>$a1" ipv4 "${FP_VM_IP4[a2]}>${FP_VM_IP4[a1]}" \
		udp "1024>80")
	fp_check_trace "xdp trace: forwarded a2 -> a1: fdb -> vtep, encap, XDP_REDIRECT to port 2" \
		"$out" "t['engine'] == 'xdp' and t['verdict'] == 'forward' and
		 t['xdp_action'] == 'XDP_REDIRECT' and
		 [o['port'] for o in t['outputs']] == [2] and
		 t['outputs'][0]['len'] == t['len'] + 50 and
		 ' -> vtep ' in steps['fdb'][0] and 'encap' in steps and 'vtep' in steps"
	out=$(xtrace in-port 0 eth "$a2>ff:ff:ff:ff:ff:ff" ipv4 \
		"${FP_VM_IP4[a2]}>255.255.255.255" udp "1024>80")
	fp_check_trace "xdp trace: flooded broadcast: flood list, 1 copy to a vtep, XDP_PASS to tc" \
		"$out" "t['verdict'] == 'flood' and t['xdp_action'] == 'XDP_PASS' and
		 t['drop'] is None and steps['flood'][0].startswith('vni 100: list') and
		 steps['flood'][1].startswith('1 copies (1 to vteps)')"
	out=$(xtrace in-port 0 eth "$a2>$a1" ipv4 "10.100.0.9>${FP_VM_IP4[a1]}" udp "1024>80")
	fp_check_trace "xdp trace: dropped spoofed source: spoofed_ip, XDP_DROP" "$out" \
		"t['verdict'] == 'drop' and t['drop'] == 'spoofed_ip' and
		 t['xdp_action'] == 'XDP_DROP' and steps['drop'] == ['spoofed_ip']"
}

trace_xdp() {
	local a1=${FP_MAC[a1]} a2=${FP_MAC[a2]}
	fp_check_unchanged "xdp trace: nothing sent or counted (instance counters, a1's UDP counters)" \
		xtrace_snapshot xtraces
	nsenter --net="/run/netns/$(fp_ns hvb)" "$FP_FPCTL" --xdp "$INSTANCE" trace in-port 0 \
		eth "$a2>$a1" ipv4 "${FP_VM_IP4[a2]}>${FP_VM_IP4[a1]}" udp "1024>80" 2>&1 |
		sed 's/^/#   /'
}

# xdp_detach: detach this run's instance (idempotent); if fp-xdp cannot
# (interfaces gone, say), remove this run's pins by hand.
xdp_detach() {
	if [ -d "$PIN_DIR" ] || [ "$XDP_ATTACHED" = 1 ]; then
		if [ -e "/run/netns/$(fp_ns hvb)" ] && [ -f "$FP_TMP/hvb.conf" ]; then
			fpx detach
		else
			RC=1
		fi
		if [ -d "$PIN_DIR" ]; then
			echo "# fp-xdp detach left $PIN_DIR (rc $RC): removing its pins" >&2
			rm -rf "$PIN_DIR"
			rmdir /sys/fs/bpf/flowplane 2>/dev/null
		fi
	fi
	XDP_ATTACHED=0
	return 0
}

cleanup() {
	local hv
	for hv in "${!FP_CTRL_PID[@]}"; do
		fp_control_stop "$hv"
	done
	xdp_detach
	fp_teardown
}

# Debris of earlier runs of this test: instances fpm-mixed-<pid> whose
# test is gone (never another test's instance, nor a live run's).
cleanup_stale_instances() {
	local d pid
	for d in /sys/fs/bpf/flowplane/"${FP_PREFIX}"mixed-*; do
		[ -d "$d" ] || continue
		pid=${d##*-}
		case $pid in *[!0-9]* | "") continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		echo "# removing stale instance $d"
		rm -rf "$d"
	done
	rmdir /sys/fs/bpf/flowplane 2>/dev/null
	return 0
}

# What went wrong, after a failure: both engines' counters, fp-control's
# logs, the XDP status.
diag() {
	local hv i
	[ "$DIAG_DONE" = 0 ] || return 0
	DIAG_DONE=1
	echo "# --- hva: fpctl show stats / drops"
	{
		fp_ctl hva show stats
		fp_ctl hva show drops | grep -v " 0$"
	} 2>&1 | sed 's/^/#   /'
	echo "# --- hvb ($INSTANCE): fpctl --xdp show stats / drops"
	{
		fp_xctl show stats
		fp_xctl show drops | grep -v " 0$"
	} 2>&1 | sed 's/^/#   /'
	echo "# --- veth counters (xdp_redirect, xdp_tx, xmit errors, drops)"
	for i in a2 b2; do
		ip netns exec "$(fp_ns "$i")" ethtool -S eth0 2>/dev/null |
			grep -E 'xdp|drop' | grep -v ' 0$' | sed "s/^/#   $i eth0: /"
	done
	for i in a2 b2 ul; do
		ip netns exec "$(fp_ns hvb)" ethtool -S "hvb-$i" 2>/dev/null |
			grep -E 'xdp|drop' | grep -v ' 0$' | sed "s/^/#   hvb-$i: /"
	done
	for hv in $FP_HVS; do
		echo "# --- $hv fp-control log (last 10 lines)"
		tail -n 10 "$(fp_ctrl_log "$hv")" 2>/dev/null | sed 's/^/#   /'
	done
	echo "# --- hva fp-dpdk log (last 10 lines)"
	tail -n 10 "$(fp_logfile hva)" 2>/dev/null | sed 's/^/#   /'
}

# --- the checks

# table_counts HV: fp-control's entry counts, as [port,vtep,fdb,flood,neigh].
table_counts() {
	fp_api "$1" GET /v1/tables
	jq -c '[.counts.port, .counts.vtep, .counts.fdb, .counts.flood, .counts.neigh]' \
		<<<"$FP_BODY" 2>/dev/null
}





# underlay_capture: tshark on hva-ul (hva's namespace) while a1 and b1 ping
# a2 and b2.  Not on hvb-ul: the XDP program takes every frame hvb-ul
# receives before the packet taps, and what it redirects out of hvb-ul
# (ndo_xdp_xmit) bypasses them too, so a capture there sees nothing.  On
# hva-ul, fp-dpdk's own sends are not seen either (af_packet with
# PACKET_QDISC_BYPASS), so the capture holds exactly the frames hvb's XDP
# program encapsulated: the echo replies of a2 (VXLAN, VNI 100) and b2
# (Geneve, VNI 200), from hvb's VTEP to hva's.
underlay_capture() {
	local pcap=$FP_TMP/ul.pcap outer n100 n200 bad
	fp_capture_pings hva "$pcap"
	outer="ip.src == ${FP_HV_VTEP4[hvb]} && ip.dst == ${FP_HV_VTEP4[hva]}"
	n100=$(tshark -r "$pcap" -n -Y "$outer && vxlan.vni == 100 && icmp.type == 0 &&
		ip.src == ${FP_VM_IP4[a2]} && eth.src == ${FP_MAC[a2]}" 2>/dev/null | wc -l)
	n200=$(tshark -r "$pcap" -n -Y "$outer && geneve.vni == 200 && icmp.type == 0 &&
		ip.src == ${FP_VM_IP4[b2]} && eth.src == ${FP_MAC[b2]}" 2>/dev/null | wc -l)
	# Anything else: a VNI mixed up, a malformed header, a wrong checksum.
	bad=$(tshark -r "$pcap" -n -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y "_ws.malformed || _ws.expert.severity >= warning ||
		(vxlan && vxlan.vni != 100) || (geneve && geneve.vni != 200)" 2>/dev/null | wc -l)
	if [ "$n100" -ge 1 ]; then
		ok "underlay (hva-ul): hvb's XDP encapsulation decodes as VXLAN, VNI 100, a2's replies ($n100 packets)"
	else
		not_ok "underlay (hva-ul): hvb's XDP encapsulation decodes as VXLAN, VNI 100, a2's replies"
		sed 's/^/#   tshark: /' "$err"
		tshark -r "$pcap" -n 2>/dev/null | head -20 | sed 's/^/#   /'
	fi
	if [ "$n200" -ge 1 ]; then
		ok "underlay (hva-ul): hvb's XDP encapsulation decodes as Geneve, VNI 200, b2's replies ($n200 packets)"
	else
		not_ok "underlay (hva-ul): hvb's XDP encapsulation decodes as Geneve, VNI 200, b2's replies"
	fi
	if [ "$bad" -eq 0 ]; then
		ok "underlay (hva-ul): no malformed packet, bad checksum or other VNI"
	else
		not_ok "underlay (hva-ul): no malformed packet, bad checksum or other VNI ($bad)"
		tshark -r "$pcap" -n -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
			-Y "_ws.malformed || _ws.expert.severity >= warning" 2>/dev/null |
			head -10 | sed 's/^/#   /'
	fi
}

# stats_balance WHAT ARGS...: fpctl ARGS --json show stats balances:
# rx == tx + drop + punt, drop == the sum of the reasons, rx > 0.  For the
# XDP engine (ARGS --xdp ...), whose counters are per CPU and summed by
# fpctl: the per-CPU values (--workers) add up to the totals and balance
# each, and its ARP and ND replies, encapsulations and decapsulations were
# counted.  A flood hand-off to tc counts as sent (tx and flood) when the
# program passes the frame up, so the balance holds with or without the
# tc program.  Read while idle, but a stray frame (an IPv6 MLD report)
# may be in flight between the reads: up to 5 tries.
stats_balance() {
	local what=$1 xdp=0 i res
	shift
	[ "$1" = --xdp ] && xdp=1
	for ((i = 0; i < 5; i++)); do
		"$FP_FPCTL" "$@" --json show stats >"$FP_TMP/stats.json" 2>&1
		"$FP_FPCTL" "$@" --json show stats --workers >"$FP_TMP/workers.json" 2>&1
		res=$(XDP=$xdp python3 - "$FP_TMP/stats.json" "$FP_TMP/workers.json" <<'EOF' 2>&1
import json, os, sys
xdp = os.environ["XDP"] == "1"
KEYS = ("rx", "tx", "drop", "punt")
try:
    doc = json.load(open(sys.argv[1]))
    s, drops = doc["stats"], doc["drops"]
    rx, tx, drop, punt = (int(s[k]) for k in KEYS)
    reasons = sum(int(v) for v in drops.values())
    workers = json.load(open(sys.argv[2]))["workers"]
    per = [{k: int(w["stats"][k]) for k in KEYS} for w in workers]
except (ValueError, KeyError, TypeError, AttributeError, OSError) as e:
    print("unexpected JSON: %r" % e)
    sys.exit(2)
msg = "rx %d tx %d drop %d punt %d, reasons %d" % (rx, tx, drop, punt, reasons)
good = rx > 0 and rx == tx + drop + punt and reasons == drop
if xdp:
    extra = ("flood", "arp_reply", "nd_reply", "encap", "decap")
    msg += "; " + ", ".join("%s %d" % (k, int(s.get(k, 0))) for k in extra)
    good = good and all(int(s.get(k, 0)) > 0 for k in extra[1:])
    sums = {k: sum(p[k] for p in per) for k in KEYS}
    msg += "; %d CPUs: %s" % (len(per), " + ".join(str(p["rx"]) for p in per))
    good = (good and sums == {"rx": rx, "tx": tx, "drop": drop, "punt": punt} and
            all(p["rx"] == p["tx"] + p["drop"] + p["punt"] for p in per))
nz = ", ".join("%s %s" % (k, v) for k, v in sorted(drops.items()) if int(v))
if nz:
    msg += " (drops: %s)" % nz
print(msg)
sys.exit(0 if good else 1)
EOF
		)
		case $? in
		0)
			ok "$what: rx = tx + drop + punt, drop = sum of reasons ($res)"
			return 0
			;;
		2) break ;;
		esac
		sleep 0.3
	done
	not_ok "$what: rx = tx + drop + punt, drop = sum of reasons ($res)"
	head -c 2000 "$FP_TMP/stats.json" | sed 's/^/#   /'
	echo
}

# --- main
declare -A FP_HV_ENGINE=([hva]=dpdk [hvb]=xdp)

fp_init_or_exit
FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
fp_need_tools curl jq nsenter python3 clang
fp_need_bpftool
fp_need_built "$FP_XDP" "$FP_CONTROL"
for t in tshark nc ss sha256sum timeout; do
	command -v $t >/dev/null || echo "# $t is missing: run scripts/install-deps.sh"
done
fp_install_traps
trap 'cleanup' EXIT
echo "# fp-dpdk $FP_DPDK, fp-xdp $FP_XDP, instance $INSTANCE, run directory $FP_TMP"
cleanup_stale_instances

if ! fp_topo_create; then
	not_ok "create the namespaces and veth pairs: $FP_ERR"
	finish
fi
ok "create the namespaces and veth pairs"

# What hvb's XDP program sends into a veth (XDP_REDIRECT to another port,
# XDP_TX back out of the ingress port) goes into the veth peer's ring
# (veth_xdp_xmit), from which the peer's NAPI takes it.  On this kernel
# (6.18) a veth has NAPI when it has an XDP program or GRO on (veth starts
# with GRO off); without either, veth_xdp_xmit drops the frame (-ENXIO,
# seen only in ethtool -S), after our program counted it as sent.  GRO is
# not enough for XDP_TX, though: veth_xdp_flush(), which ends an XDP_TX
# batch, schedules the peer's NAPI only if the peer has an XDP program
# ("xdp_ring is initialized on receive side?"), so with GRO alone the
# ARP and ND answers sit in the peer's ring until the next redirect into
# it happens to flush them (a2's pings of a1 fail, while a1's pings of a2
# work).  Redirects are always flushed (xdp_do_flush).  Hence:
#   - a2's and b2's eth0 (redirect targets, and XDP_TX of the ARP and ND
#     answers): a pass-through XDP program;
#   - hva-ul (redirect target of the encapsulated frames; fp-dpdk does not
#     ARP for hvb's VTEP, so no XDP_TX goes there): GRO on.  GRO does not
#     merge the VXLAN/Geneve datagrams (no UDP tunnel socket in hva's
#     namespace): fp-dpdk's af_packet port sees one frame per packet.
if ! ip netns exec "$(fp_ns hva)" ethtool -K hva-ul gro on >/dev/null 2>&1; then
	not_ok "GRO on at hva-ul (NAPI for what hvb's program redirects there)"
	finish
fi
ok "GRO on at hva-ul (NAPI for what hvb's program redirects there)"
if ! fp_xdp_pass_attach a2 b2; then
	not_ok "pass-through XDP program on a2's and b2's eth0: $FP_ERR"
	finish
fi
ok "pass-through XDP program on a2's and b2's eth0 (NAPI that XDP_TX kicks)"

if ! fp_start hva; then
	not_ok "start fp-dpdk on hva"
	printf '# %s\n' "$FP_ERR"
	finish
fi
ok "start fp-dpdk on hva"

# hvb: its config (fp-dpdk's groups are written but not used), fp-xdp
# attach in native mode.
if ! fp_write_config hvb; then
	not_ok "write hvb's config"
	finish
fi
fpx --check-config
if [ "$RC" = 0 ]; then ok "fp-xdp --check-config accepts hvb's config"; else
	not_ok "fp-xdp --check-config accepts hvb's config (rc $RC)"
	fpx_show
fi
XDP_ATTACHED=1
fpx attach
if [ "$RC" = 0 ]; then
	ok "fp-xdp attach on hvb ($INSTANCE)"
else
	not_ok "fp-xdp attach on hvb ($INSTANCE) (rc $RC)"
	fpx_show
	finish
fi
fpx status --json
if python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["attached"] and [p["iface"] for p in s["ports"]] == ["hvb-a2", "hvb-b2", "hvb-ul"]
	 and all(p["xdp_mode"] == "native" and p["flowplane"] and p["ok"] for p in s["ports"])
	 else 1)' "$FP_TMP/fpx.out" 2>/dev/null; then
	ok "fp-xdp status: native mode on hvb-a2 (0), hvb-b2 (1), hvb-ul (2)"
else
	not_ok "fp-xdp status: native mode on hvb-a2 (0), hvb-b2 (1), hvb-ul (2)"
	fpx_show
fi

fp_control_start_all
ok "fp-control up on hva (backend dpdk) and hvb (backend xdp, $INSTANCE)"

check "the same Neutron snapshot accepted by both" \
	fp_api_all PUT /v1/snapshot "$(fp_neutron_snapshot)"
for hv in $FP_HVS; do
	check "$hv (${FP_HV_ENGINE[$hv]}): fp-control in sync" fp_wait_in_sync "$hv"
done
# 2 local ports; 2 vteps (the other host over VXLAN and over Geneve);
# 4 MACs; 2 flood lists; 4 VMs x 2 addresses.
for hv in $FP_HVS; do
	n=$(table_counts "$hv")
	check "$hv (${FP_HV_ENGINE[$hv]}) tables: port 2, vtep 2, fdb 4, flood 2, neigh 8 (got $n)" \
		[ "$n" = "[2,2,4,2,8]" ]
done

# The kernel's side of hvb's counts: the pinned maps, read with bpftool
# (fp_vtep is an array: its empty slots are all zero).
n=""
for m in fp_vtep fp_fdb fp_flood fp_neigh; do
	n="$n $("$BPFTOOL" -j map dump pinned "$PIN_DIR/$m" 2>/dev/null |
		jq '[.[] | select(.value | map(. != "0x00") | any)] | length' 2>/dev/null)"
done
check "hvb's pinned maps (bpftool): fp_vtep 2, fp_fdb 4, fp_flood 2, fp_neigh 8 (got$n)" \
	[ "$n" = " 2 4 2 8" ]

echo "# === ping across the engines"
# a1 and b1 ask fp-dpdk for their peers' MACs (ARP, ND); a2 and b2 ask
# hvb's XDP program (XDP_TX): every neighbour table is emptied first.
for vm in $FP_VMS; do fp_vm_flush "$vm"; done
fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2
fp_check_ping_to a1 "${FP_VM_IP6[a2]}" 6 a2 b2
fp_check_ping_to b1 "${FP_VM_IP4[b2]}" 4 b2 a2
fp_check_ping_to b1 "${FP_VM_IP6[b2]}" 6 b2 a2
fp_check_neigh_is a1 "${FP_VM_IP4[a2]}" a2
fp_check_neigh_is a1 "${FP_VM_IP6[a2]}" a2
fp_check_neigh_is b1 "${FP_VM_IP4[b2]}" b2
fp_check_neigh_is b1 "${FP_VM_IP6[b2]}" b2
for vm in $FP_VMS; do fp_vm_flush "$vm"; done
fp_check_ping_to a2 "${FP_VM_IP4[a1]}" 4 a1 b1
fp_check_ping_to a2 "${FP_VM_IP6[a1]}" 6 a1 b1
fp_check_ping_to b2 "${FP_VM_IP4[b1]}" 4 b1 a1
fp_check_ping_to b2 "${FP_VM_IP6[b1]}" 6 b1 a1
fp_check_neigh_is a2 "${FP_VM_IP4[a1]}" a1
fp_check_neigh_is a2 "${FP_VM_IP6[a1]}" a1
fp_check_neigh_is b2 "${FP_VM_IP4[b1]}" b1
fp_check_neigh_is b2 "${FP_VM_IP6[b1]}" b1

echo "# === tenant isolation with the same IPs"
fp_check_isolated a1 b2 a2
fp_check_isolated b1 a2 b2
fp_check_isolated a2 b1 a1
fp_check_isolated b2 a1 b1

echo "# === TCP"
fp_check_tcp_transfer a1 a2
fp_check_tcp_transfer a2 a1

echo "# === underlay"
underlay_capture

echo "# === fpctl --xdp trace (doc/trace.md)"
trace_xdp

echo "# === counters"
sleep 0.3
stats_balance "hva (fp-dpdk) fpctl --json show stats" -s "$(fp_sock hva)"
stats_balance "hvb (XDP) fpctl --xdp $INSTANCE --json show stats" --xdp "$INSTANCE"
fpx stats
if [ "$RC" = 0 ] && grep -q "rx = tx + drop + punt: ok" "$FP_TMP/fpx.out"; then
	ok "fp-xdp stats agrees: rx = tx + drop + punt: ok"
else
	not_ok "fp-xdp stats agrees: rx = tx + drop + punt: ok (rc $RC)"
	fpx_show
fi
for hv in $FP_HVS; do
	check "$hv (${FP_HV_ENGINE[$hv]}): fp-control still in sync" fp_in_sync "$hv"
done

echo "# === drift: an fdb entry deleted behind fp-control's back (bpftool)"
fdb_count() {
	"$BPFTOOL" -j map dump pinned "$PIN_DIR/fp_fdb" 2>/dev/null | jq length 2>/dev/null
}
key=$("$BPFTOOL" -j map dump pinned "$PIN_DIR/fp_fdb" 2>/dev/null | jq -r '.[0].key | join(" ")')
if [ -n "$key" ] && "$BPFTOOL" map delete pinned "$PIN_DIR/fp_fdb" key $key 2>/dev/null; then
	check "hvb: fp_fdb holds 3 after the hand delete (got $(fdb_count))" [ "$(fdb_count)" = 3 ]
	fp_api hvb GET "/v1/tables?audit=1"
	check "hvb: GET /v1/tables?audit=1 reports 1 missing entry and repairs it ($FP_CODE $(jq -c .audit.last <<<"$FP_BODY" 2>/dev/null | cut -c1-200))" \
		[ "$FP_CODE" = 200 ] && [ "$(jq .audit.last.missing <<<"$FP_BODY")" = 1 ] &&
		[ "$(jq .audit.last.repaired <<<"$FP_BODY")" = true ] &&
		[ "$(jq .in_sync <<<"$FP_BODY")" = true ]
	check "hvb: fp_fdb holds 4 again (got $(fdb_count))" [ "$(fdb_count)" = 4 ]
	check "hvb: fp-control logged the missing fdb entry" \
		grep -q "fdb entry missing" "$(fp_ctrl_log hvb)"
	fp_api hvb GET "/v1/tables?audit=1"
	check "hvb: a second audit finds nothing" \
		[ "$FP_CODE" = 200 ] && [ "$(jq .audit.last.missing <<<"$FP_BODY")" = 0 ]
else
	not_ok "hvb: bpftool map delete of an fp_fdb entry (key '$key')"
fi
fp_check_ping_to a1 "${FP_VM_IP4[a2]}" 4 a2 b2

[ "$N_FAIL" -eq 0 ] || diag	# while everything still runs
echo "# === the end"
for hv in $FP_HVS; do
	fp_control_stop "$hv"
done
fpx detach
if [ "$RC" = 0 ] && [ ! -e "$PIN_DIR" ]; then
	ok "fp-xdp detach removes $PIN_DIR"
else
	not_ok "fp-xdp detach removes $PIN_DIR (rc $RC)"
	fpx_show
fi
XDP_ATTACHED=0
attached=$(ip -n "$(fp_ns hvb)" -d link show 2>/dev/null | grep -c 'prog/xdp')
check "no XDP program left on hvb's interfaces ($attached)" test "$attached" = 0
fp_stop hva
check "hva: fp-dpdk exits 0 on SIGTERM (got $FP_STOP_RC)" test "$FP_STOP_RC" = 0
finish
