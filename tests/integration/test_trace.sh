#!/usr/bin/env bash
# fpctl trace integration test (doc/trace.md): the overlay of lib.sh with
# vxlan over IPv4, and on hva:
#   - a1 -> a2 unicast: the trace says forward, fdb -> vtep 1, encap, out
#     on the underlay port;
#   - a1 broadcast: flood, with a copy for the vtep (the flood list's own
#     port, the ingress, skipped);
#   - a1 with a spoofed source address: drop, spoof_ip;
#   - hvb -> a1 over the underlay (a vxlan description): decap, port 0;
#   - --json, --hex, a pcap input, and a bad description refused;
# and none of these frames was sent: hva's counters (rx, tx, drops) and
# its ports' rx/tx did not move, and a2 received no UDP datagram.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
#
# Functions run through fp_check_unchanged look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# TAP helpers (ok, not_ok, check, finish, N_PASS, N_FAIL, T_START) come
# from lib.sh.

PY=/usr/bin/python3

# The counters a sent (or counted) frame would move: hva's pipeline
# counters and drops, its ports' rx/tx, and a2's UDP counters.
snapshot() {
	{
		fp_ctl hva --json show stats | $PY -c '
import json, sys
doc = json.load(sys.stdin)
print(json.dumps([doc["stats"], doc["drops"]], sort_keys=True))'
		fp_ctl hva --json show ports | $PY -c '
import json, sys
doc = json.load(sys.stdin)
ports = doc["ports"] if isinstance(doc, dict) else doc
print(json.dumps([[p["id"], p["rx"], p["tx"], p["hw_opackets"]] for p in ports]))'
		fp_vm a2 awk '/^Udp:/ { print }' /proc/net/snmp
	} 2>&1
}

A1=${FP_MAC[a1]}
A2=${FP_MAC[a2]}
UNI="in-port 0 eth $A1>$A2 ipv4 ${FP_VM_IP4[a1]}>${FP_VM_IP4[a2]} udp 1024>80"
BCAST="in-port 0 eth $A1>ff:ff:ff:ff:ff:ff ipv4 ${FP_VM_IP4[a1]}>255.255.255.255 udp 1024>80"
SPOOF="in-port 0 eth $A1>$A2 ipv4 10.100.0.9>${FP_VM_IP4[a2]} udp 1024>80"
DECAP="in-port 2 eth ${FP_MAC[hvb-ul]}>${FP_MAC[hva-ul]} ipv4 ${FP_HV_VTEP4[hvb]}>${FP_HV_VTEP4[hva]}"
DECAP="$DECAP vxlan 100 eth $A2>$A1 ipv4 ${FP_VM_IP4[a2]}>${FP_VM_IP4[a1]} udp 1024>80"

traces() {
	local out
	# shellcheck disable=SC2086
	out=$(fp_ctl hva --json trace $UNI 2>&1)
	fp_check_trace "forwarded: verdict forward, fdb -> vtep 1, encap, out on port $FP_UL_PORT" "$out" \
		"t['verdict'] == 'forward' and t['drop'] is None and
		 [o['port'] for o in t['outputs']] == [$FP_UL_PORT] and
		 t['outputs'][0]['len'] == t['len'] + 50 and
		 any(x.endswith('-> vtep $FP_VTEP_ID') for x in steps['fdb']) and 'encap' in steps"
	# shellcheck disable=SC2086
	out=$(fp_ctl hva --json trace $BCAST 2>&1)
	fp_check_trace "flooded: verdict flood, the ingress port skipped, a copy for vtep 1" "$out" \
		"t['verdict'] == 'flood' and [o['port'] for o in t['outputs']] == [$FP_UL_PORT] and
		 any('port 0: skipped (ingress port)' in x for x in steps['flood']) and
		 any(x.startswith('vtep $FP_VTEP_ID: copy') for x in steps['flood'])"
	# shellcheck disable=SC2086
	out=$(fp_ctl hva --json trace $SPOOF 2>&1)
	fp_check_trace "dropped: verdict drop, spoofed_ip, after the source check" "$out" \
		"t['verdict'] == 'drop' and t['drop'] == 'spoofed_ip' and t['outputs'] == [] and
		 'refused' in steps['source'][0] and steps['drop'] == ['spoofed_ip']"
	# shellcheck disable=SC2086
	out=$(fp_ctl hva --json trace $DECAP 2>&1)
	fp_check_trace "from the underlay: tunnel vxlan vni 100, decap, fdb -> port 0, out on port 0" \
		"$out" \
		"t['verdict'] == 'forward' and [o['port'] for o in t['outputs']] == [0] and
		 'vni 100' in steps['tunnel'][0] and 'decap' in steps and
		 t['outputs'][0]['len'] == t['len'] - 50"
}

# --- main
fp_init_or_exit
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create || ! fp_start_all || ! fp_program_all vxlan 4; then
	not_ok "set up two hypervisors with vxlan over IPv4: $FP_ERR"
	finish
fi
ok "set up two hypervisors with vxlan over IPv4"
sleep 1

# The traces, between two snapshots.
fp_check_unchanged "nothing was sent or counted: hva's counters and ports, a2's UDP counters" \
	snapshot traces

# The snapshot does see a frame that is really sent: a1 -> a2 UDP port 80.
before=$(snapshot)
fp_vm a1 bash -c "echo x > /dev/udp/${FP_VM_IP4[a2]}/80" 2>/dev/null
sleep 0.5
after=$(snapshot)
if [ "$before" != "$after" ]; then
	ok "the snapshot sees a frame really sent (a1 -> a2 UDP)"
else
	not_ok "the snapshot sees a frame really sent (a1 -> a2 UDP): it did not move"
fi

# The text form names each step and the verdict.
# shellcheck disable=SC2086
text=$(fp_ctl hva --hex trace $BCAST 2>&1)
printf '%s\n' "$text" | sed 's/^/#   /'
if echo "$text" | grep -q "^  flood .*vtep $FP_VTEP_ID: copy" &&
	echo "$text" | grep -q "^verdict: flood -> port $FP_UL_PORT" &&
	echo "$text" | grep -q "^  0000  "; then
	ok "text output: steps, verdict and --hex bytes"
else
	not_ok "text output: steps, verdict and --hex bytes"
fi

# A pcap's first frame: the unicast frame, written by hand.
# shellcheck disable=SC2086
hex=$(fp_ctl hva --json trace $UNI | $PY -c '
import json, sys, struct
t = json.load(sys.stdin)
print(t["outputs"][0]["hex"])')
pcap=$FP_TMP/trace.pcap
# shellcheck disable=SC2086
frame_hex=$(fp_ctl hva --json --hex trace in-port 2 hex "$hex" | $PY -c '
import json, sys
print(json.load(sys.stdin)["len"])')
$PY - "$pcap" "$hex" <<'EOF'
import struct, sys
frame = bytes.fromhex(sys.argv[2])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)))
    f.write(frame)
EOF
out=$(fp_ctl hva --json trace in-port 2 pcap "$pcap" 2>&1)
fp_check_trace "pcap input: hva's own encapsulated frame ($frame_hex bytes) back on its underlay: not_our_mac" \
	"$out" "t['verdict'] == 'drop' and t['drop'] == 'not_our_mac' and t['len'] == $frame_hex"

if out=$(fp_ctl hva trace in-port 0 eth "$A1" ipv4 2>&1); then
	not_ok "a bad description is refused"
elif echo "$out" | grep -q "expected 'eth SRC_MAC>DST_MAC'"; then
	ok "a bad description is refused: $out"
else
	not_ok "a bad description is refused with its reason: $out"
fi
finish
