#!/usr/bin/env bash
# Security groups on fp-dpdk (doc/security-groups.md), with real traffic:
# the overlay of lib.sh (vxlan over IPv4); on hva, a1's port is filtered
# by ruleset 1: egress allows ICMP echo requests (stateful), ingress is
# empty. Then:
#   - a1 pings a2: the requests pass the egress rule, the replies come
#     back through the tracked connection;
#   - a2 pings a1: no ingress rule, no connection: dropped (sg_denied),
#     counted for port 0 ingress in fpctl show ports;
#   - fpctl dump ruleset shows the rule; trace shows the sg step;
#   - fpctl show conntrack lists a1's ping connection;
#   - the rule is removed: a1's pings are dropped on egress.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root or namespaces.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# port_sg HV PORT FIELD: a port's security-group drop counter.
port_sg() {
	fp_ctl "$1" --json show ports | $PY -c '
import json, sys
doc = json.load(sys.stdin)
ports = doc["ports"] if isinstance(doc, dict) else doc
print([p for p in ports if p["id"] == int(sys.argv[1])][0][sys.argv[2]])' "$2" "$3"
}

fp_lib_init
case $? in
0) ;;
1)
	echo "# skip: $FP_ERR"
	exit 77
	;;
*)
	echo "not ok - set-up: $FP_ERR"
	echo "0 passed, 1 failed"
	exit 1
	;;
esac
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create || ! fp_start_all || ! fp_program_all vxlan 4; then
	not_ok "set up two hypervisors with vxlan over IPv4: $FP_ERR"
	finish
fi
ok "set up two hypervisors with vxlan over IPv4"

A1_PORT=${FP_VM_PORT[a1]}
if fp_ctl_v hva add ruleset 1 egress stateful rule 101 ipv4 proto icmp icmp 8 &&
	fp_ctl_v hva add ruleset 1 ingress stateful &&
	fp_ctl_v hva add port "$A1_PORT" vni "${FP_VM_VNI[a1]}" mac "${FP_MAC[a1]}" \
		vrf "${FP_VM_VNI[a1]}" mtu $FP_VM_MTU antispoof on addr "${FP_VM_IP4[a1]}/32" \
		addr "${FP_VM_IP6[a1]}/128" sg 1; then
	ok "a1's port filtered by ruleset 1 (egress: icmp echo requests, stateful)"
else
	not_ok "filter a1's port: $FP_ERR"
	finish
fi

dump=$(fp_ctl hva dump ruleset 2>&1)
printf '%s\n' "$dump" | sed 's/^/#   /'
if echo "$dump" | grep -q "^ruleset 1 egress stateful rule 101 ipv4 proto 1 icmp 8$" &&
	echo "$dump" | grep -q "^ruleset 1 ingress stateful$"; then
	ok "fpctl dump ruleset shows both directions"
else
	not_ok "fpctl dump ruleset shows both directions"
fi

if fp_vm a1 ping -c 3 -i 0.2 -W 2 "${FP_VM_IP4[a2]}" >/dev/null 2>&1; then
	ok "a1 pings a2: requests allowed by rule 101, replies by the connection"
else
	not_ok "a1 pings a2"
fi

ct=$(fp_ctl hva show conntrack zone "$A1_PORT" 2>&1)
printf '%s\n' "$ct" | sed 's/^/#   /'
if echo "$ct" | grep "^zone $A1_PORT icmp " | grep -F " ${FP_VM_IP4[a1]} " |
	grep -F " ${FP_VM_IP4[a2]} " |
	grep -q " egress replied state icmp age [0-9]* gen [0-9]* rule 101$"; then
	ok "fpctl show conntrack lists a1's ping, opened on egress by rule 101"
else
	not_ok "fpctl show conntrack lists a1's ping, opened on egress by rule 101"
fi

before=$(port_sg hva "$A1_PORT" sg_drop_ingress)
if fp_vm a2 ping -c 2 -i 0.2 -W 1 "${FP_VM_IP4[a1]}" >/dev/null 2>&1; then
	not_ok "a2 cannot ping a1 (no ingress rule): it can"
else
	ok "a2 cannot ping a1 (no ingress rule)"
fi
after=$(port_sg hva "$A1_PORT" sg_drop_ingress)
if [ -n "$after" ] && [ "$after" -ge $((before + 2)) ] 2>/dev/null; then
	ok "port $A1_PORT's sg_drop_ingress counts them ($before -> $after)"
else
	not_ok "port $A1_PORT's sg_drop_ingress counts them ($before -> $after)"
fi

out=$(fp_ctl hva trace in-port "$A1_PORT" eth "${FP_MAC[a1]}>${FP_MAC[a2]}" \
	ipv4 "${FP_VM_IP4[a1]}>${FP_VM_IP4[a2]}" udp "1024>80" 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
if echo "$out" | grep -q "sg .*port $A1_PORT egress: proto 17 1024 > 80 no rule allows it" &&
	echo "$out" | grep -q "sg_denied"; then
	ok "trace: the sg step says no rule allows UDP 80, dropped sg_denied"
else
	not_ok "trace: the sg step says no rule allows UDP 80, dropped sg_denied"
fi

# The rule goes: a1's requests are now denied on egress.
before=$(port_sg hva "$A1_PORT" sg_drop_egress)
fp_ctl_v hva add ruleset 1 egress stateful || not_ok "remove rule 101: $FP_ERR"
if fp_vm a1 ping -c 2 -i 0.2 -W 1 "${FP_VM_IP4[a2]}" >/dev/null 2>&1; then
	not_ok "rule 101 removed: a1 cannot ping a2 any more: it can"
else
	ok "rule 101 removed: a1 cannot ping a2 any more"
fi
after=$(port_sg hva "$A1_PORT" sg_drop_egress)
if [ -n "$after" ] && [ "$after" -ge $((before + 2)) ] 2>/dev/null; then
	ok "port $A1_PORT's sg_drop_egress counts them ($before -> $after)"
else
	not_ok "port $A1_PORT's sg_drop_egress counts them ($before -> $after)"
fi
finish
