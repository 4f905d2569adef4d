#!/usr/bin/env bash
# flowplane demo (README, first command): two hypervisors, two tenants with
# the same IP addresses, VXLAN over an IPv4 underlay, all in network
# namespaces on this machine.
#
#   sudo ./scripts/demo.sh
#
# Installs the Debian packages it needs, builds into build/, starts one
# fp-dpdk and one fp-control per hypervisor, pushes Neutron's view of the
# cloud (hosts, networks, subnets, ports, as Neutron's API shows them) to
# both fp-control, which compile and install the tables; shows pings within
# each tenant crossing the overlay (VXLAN for tenant A, Geneve for tenant B)
# and pings between tenants failing, prints what fp-control installed and
# fpctl's view of both hypervisors, and cleans up (also on Ctrl-C).
# Exit 0 if everything behaved as expected, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
src=$PWD

heading() {
	if [ -t 1 ]; then printf "\n\033[1m== %s\033[0m\n" "$*"; else printf "\n== %s\n" "$*"; fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces): sudo $0" >&2
	exit 1
fi

heading "installing dependencies and building (${FP_DEMO_BUILDDIR:-build}/)"
bash scripts/install-deps.sh || { echo "demo: install-deps failed" >&2; exit 1; }
builddir=${FP_DEMO_BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" >/dev/null || { echo "demo: meson setup failed" >&2; exit 1; }
fi
ninja -C "$builddir" >/dev/null || { ninja -C "$builddir"; echo "demo: build failed" >&2; exit 1; }
echo "built $builddir/dataplane/fp-dpdk, $builddir/control/fp-control and $builddir/control/fpctl"

FP_PREFIX=fpd-
FP_BUILDDIR=$src/$builddir
# shellcheck source=../tests/integration/lib.sh
. "$src/tests/integration/lib.sh"

fp_lib_init || { echo "demo: $FP_ERR" >&2; exit 1; }
fp_install_traps
fp_config_extra() { fp_control_config "$1"; }

failures=0

# cross SRC OTHER: SRC pings 10.100.0.2 at OTHER's MAC (the other tenant).
cross() { # SRC OTHER
	local src=$1 other=$2 rc
	ip -n "$(fp_ns "$src")" neigh replace 10.100.0.2 lladdr "${FP_MAC[$other]}" dev eth0 \
		nud permanent
	fp_vm "$src" timeout 8 ping -q -n -c 2 -i 0.2 -W 1 10.100.0.2 >/dev/null 2>&1
	rc=$?
	ip -n "$(fp_ns "$src")" neigh del 10.100.0.2 dev eth0 2>/dev/null
	return "$rc"
}

expect() { # WHAT WANT(ok|fail) CMD...: run CMD, compare, say so
	local what=$1 want=$2 got
	shift 2
	echo "\$ $what"
	if "$@"; then got=ok; else got=fail; fi
	if [ "$got" = "$want" ]; then
		if [ "$want" = ok ]; then
			echo "   -> replies, as expected"
		else
			echo "   -> no reply, as expected"
		fi
	else
		if [ "$want" = ok ]; then
			echo "   -> UNEXPECTED: no reply"
		else
			echo "   -> UNEXPECTED: got a reply"
		fi
		failures=$((failures + 1))
	fi
}

heading "topology"
cat <<EOF
  tenant A (VNI 100):  a1 10.100.0.1 fd00:100::1 on hva   a2 10.100.0.2 fd00:100::2 on hvb
  tenant B (VNI 200):  b1 10.100.0.1 fd00:100::1 on hva   b2 10.100.0.2 fd00:100::2 on hvb
  underlay:            hva 172.16.0.1 <-- VXLAN over a veth pair --> hvb 172.16.0.2
  namespaces:          ${FP_PREFIX}hva ${FP_PREFIX}hvb (fp-dpdk) and ${FP_PREFIX}a1 ${FP_PREFIX}a2 ${FP_PREFIX}b1 ${FP_PREFIX}b2 (VMs)
EOF
fp_topo_create || { echo "demo: $FP_ERR" >&2; exit 1; }

heading "starting fp-dpdk on hva and hvb"
fp_start_all || { echo "demo: $FP_ERR" >&2; exit 1; }
for hv in $FP_HVS; do
	grep "forwarding on" "$(fp_logfile "$hv")"
done

heading "starting fp-control on hva and hvb"
for hv in $FP_HVS; do
	fp_control_start "$hv" || { echo "demo: $FP_ERR" >&2; exit 1; }
	echo "$hv: API on $(fp_api_sock "$hv")"
done

heading "pushing Neutron's view to both: PUT /v1/snapshot"
echo "2 hosts; net-a (VXLAN, VNI 100) and net-b (Geneve, VNI 200) with the same subnets"
echo "10.100.0.0/24 and fd00:100::/64; ports a1, b1 on hva and a2, b2 on hvb"
for hv in $FP_HVS; do
	fp_api "$hv" PUT /v1/snapshot "$(fp_neutron_snapshot)"
	echo "$hv: HTTP $FP_CODE $FP_BODY"
	[ "$FP_CODE" = 200 ] || failures=$((failures + 1))
done
for hv in $FP_HVS; do
	fp_api "$hv" GET "/v1/tables?entries=0"
	echo "$hv: $(jq -c '{in_sync, counts, problems: (.problems | length)}' <<<"$FP_BODY")"
done
echo "hva, as fpctl dumps it:"
fp_ctl hva dump vtep 2>&1 | sed 's/^/  /'
fp_ctl hva dump fdb 2>&1 | sed 's/^/  /'

heading "within tenant A: a1 (hva) -> a2 (hvb)"
expect "a1: ping 10.100.0.2" ok fp_vm_ping a1 10.100.0.2 3
expect "a1: ping fd00:100::2" ok fp_vm_ping a1 fd00:100::2 3
echo "a1 reached MAC $(fp_vm_neigh_mac a1 10.100.0.2) (a2 is ${FP_MAC[a2]}, b2 is ${FP_MAC[b2]})"
[ "$(fp_vm_neigh_mac a1 10.100.0.2)" = "${FP_MAC[a2]}" ] || failures=$((failures + 1))

heading "within tenant B: b1 (hva) -> b2 (hvb), the same IP addresses"
expect "b1: ping 10.100.0.2" ok fp_vm_ping b1 10.100.0.2 3
expect "b1: ping fd00:100::2" ok fp_vm_ping b1 fd00:100::2 3
echo "b1 reached MAC $(fp_vm_neigh_mac b1 10.100.0.2) (b2 is ${FP_MAC[b2]}, a2 is ${FP_MAC[a2]})"
[ "$(fp_vm_neigh_mac b1 10.100.0.2)" = "${FP_MAC[b2]}" ] || failures=$((failures + 1))

heading "across tenants: a1 -> b2 and b1 -> a2 must fail"
echo "(the VM is pointed at the other tenant's MAC with a static neighbour entry)"
expect "a1: ping 10.100.0.2 at b2's MAC ${FP_MAC[b2]}" fail cross a1 b2
expect "b1: ping 10.100.0.2 at a2's MAC ${FP_MAC[a2]}" fail cross b1 a2

for hv in $FP_HVS; do
	for what in ports stats drops; do
		heading "$hv: fpctl show $what"
		fp_ctl "$hv" show $what 2>&1 || failures=$((failures + 1))
	done
done

heading "stopping fp-control and fp-dpdk"
for hv in $FP_HVS; do
	fp_control_stop "$hv"
	fp_stop "$hv"
	[ "$FP_STOP_RC" = 0 ] || failures=$((failures + 1))
	sed -n '/final counters/,$p' "$(fp_logfile "$hv")"
	sed -n '/final counters/,$p' "$(fp_logfile "$hv")" |
		grep -q "rx = tx + drop + punt: ok" || failures=$((failures + 1))
done

heading "result"
if [ $failures -eq 0 ]; then
	echo "demo: everything behaved as expected"
	exit 0
fi
echo "demo: $failures unexpected result(s)"
exit 1
