# shellcheck shell=bash
# Shared functions for the integration test (tests/integration/test_overlay.sh)
# and the demo (scripts/demo.sh): one mechanism for both.
#
# The topology: two hypervisors, two tenants with the same IP addresses.
#
#   ns <P>a1 eth0 ─ hva-a1 ┐                       ┌ hvb-a2 ─ eth0 ns <P>a2   tenant A, VNI 100
#                          ├ ns <P>hva   ns <P>hvb ┤
#   ns <P>b1 eth0 ─ hva-b1 ┘ hva-ul ─────── hvb-ul └ hvb-b2 ─ eth0 ns <P>b2   tenant B, VNI 200
#                            (underlay veth pair)
#
# a1, b1 are 10.100.0.1/24 and fd00:100::1/64; a2, b2 are 10.100.0.2/24 and
# fd00:100::2/64.  Each hypervisor namespace runs one fp-dpdk with three
# af_packet ports: 0 = the tenant A VM, 1 = the tenant B VM, 2 = the underlay.
# The hypervisor namespaces have no IP addresses of their own (IPv6 is
# disabled there), so their kernels stay silent on every port.
#
# <P> is $FP_PREFIX ("fpt-" unless set before sourcing).  Everything this
# file creates carries that prefix: fp_topo_create first deletes whatever a
# previous run with the same prefix left behind.
#
# Use:
#   . tests/integration/lib.sh
#   fp_lib_init                     # root, namespaces, binaries; why not in $FP_ERR
#                                   # (1: cannot run here, a skip; 2: not built)
#   fp_install_traps                # fp_teardown on EXIT, INT, TERM
#   fp_topo_create && fp_start_all && fp_program_all vxlan 4
#   fp_vm a1 ping -c 3 10.100.0.2   # run a command in a VM namespace
#   fp_ctl hva show stats           # fpctl against one hypervisor
#   fp_teardown                     # idempotent

FP_SRC=${FP_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FP_PREFIX=${FP_PREFIX:-fpt-}
FP_START_TIMEOUT=${FP_START_TIMEOUT:-30}	# seconds for fp-dpdk to come up
FP_STOP_TIMEOUT=${FP_STOP_TIMEOUT:-15}		# seconds for fp-dpdk to exit on SIGTERM
FP_LOG_LEVEL=${FP_LOG_LEVEL:-*:warning}		# EAL --log-level
FP_TMP=${FP_TMP:-}				# run directory: configs, logs, sockets
FP_ERR=""					# why fp_lib_init or a step failed

FP_HVS="hva hvb"
FP_VMS="a1 b1 a2 b2"

# Fixed addresses, so that the table entries are known in advance.
declare -A FP_MAC=(
	[a1]=02:00:00:a1:00:01 [a2]=02:00:00:a2:00:01	# tenant A VMs (eth0)
	[b1]=02:00:00:b1:00:01 [b2]=02:00:00:b2:00:01	# tenant B VMs (eth0)
	[hva-a1]=02:00:01:a1:00:01 [hva-b1]=02:00:01:b1:00:01	# hypervisor ends
	[hvb-a2]=02:00:01:a2:00:01 [hvb-b2]=02:00:01:b2:00:01
	[hva-ul]=02:00:00:16:00:01 [hvb-ul]=02:00:00:16:00:02	# underlay
)
declare -A FP_VM_HV=([a1]=hva [b1]=hva [a2]=hvb [b2]=hvb)
declare -A FP_VM_VNI=([a1]=100 [a2]=100 [b1]=200 [b2]=200)
declare -A FP_VM_PORT=([a1]=0 [a2]=0 [b1]=1 [b2]=1)	# logical port id on its hypervisor
declare -A FP_VM_IP4=([a1]=10.100.0.1 [b1]=10.100.0.1 [a2]=10.100.0.2 [b2]=10.100.0.2)
declare -A FP_VM_IP6=([a1]=fd00:100::1 [b1]=fd00:100::1 [a2]=fd00:100::2 [b2]=fd00:100::2)
declare -A FP_HV_VTEP4=([hva]=172.16.0.1 [hvb]=172.16.0.2)
declare -A FP_HV_VTEP6=([hva]=fd00:16::1 [hvb]=fd00:16::2)
declare -A FP_HV_PEER=([hva]=hvb [hvb]=hva)
declare -A FP_HV_VMS=([hva]="a1 b1" [hvb]="a2 b2")
FP_UL_PORT=2		# logical id of the underlay port on both hypervisors
FP_VTEP_ID=1		# the vtep toward the other hypervisor
FP_VM_MTU=1500
FP_UL_MTU=1600

declare -A FP_PID=()	# hypervisor -> fp-dpdk pid (our child)

fp_note() { echo "# $*"; }
fp_ns() { echo "${FP_PREFIX}$1"; }
# A small FDB, so a test can fill it while traffic flows.
FP_FDB_LIMIT=${FP_FDB_LIMIT:-64}
FP_VTEP_LIMIT=${FP_VTEP_LIMIT:-16}
FP_FLOOD_LIMIT=${FP_FLOOD_LIMIT:-16}
FP_NEIGH_LIMIT=${FP_NEIGH_LIMIT:-64}
FP_EAL_MEM=${FP_EAL_MEM:-256}	# MiB (--no-huge -m)
FP_IDLE_CONF=${FP_IDLE_CONF:-'idle = { mode = "adaptive"; empty_polls = 50; max_sleep_us = 200; };'}
fp_sock() { echo "$FP_TMP/$1.sock"; }
fp_logfile() { echo "$FP_TMP/$1.log"; }

# fp_vm VM CMD...: run CMD in a VM's namespace.
fp_vm() {
	local vm=$1
	shift
	ip netns exec "$(fp_ns "$vm")" "$@"
}

# fp_ctl HV ARGS...: fpctl against HV's fp-dpdk.
fp_ctl() {
	local hv=$1
	shift
	"$FP_FPCTL" -s "$(fp_sock "$hv")" "$@"
}

# fp_ctl_v HV ARGS...: fp_ctl that names the command and shows its error.
fp_ctl_v() {
	local hv=$1 out rc
	shift
	out=$(fp_ctl "$hv" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# fpctl [$hv] $* failed ($rc): $out" >&2
		FP_ERR="fpctl [$hv] $* failed: $out"
	fi
	return $rc
}

# fp_lib_init: checks that we can run at all, finds the binaries and makes
# the run directory.  Returns 1 with FP_ERR set if the environment cannot
# run the topology (not root, no namespaces) and 2 if the binaries are
# missing.
fp_lib_init() {
	local probe
	if [ "$(id -u)" -ne 0 ]; then
		FP_ERR="not root: network namespaces need root"
		return 1
	fi
	for t in ip ethtool ping; do
		if ! command -v "$t" >/dev/null; then
			FP_ERR="$t not found (run scripts/install-deps.sh)"
			return 1
		fi
	done
	probe="${FP_PREFIX}probe$$"
	if ! ip netns add "$probe" 2>/dev/null; then
		FP_ERR="cannot create a network namespace (ip netns add failed)"
		return 1
	fi
	if ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null; then
		ip netns del "$probe" 2>/dev/null
		FP_ERR="cannot create a veth pair in a network namespace"
		return 1
	fi
	ip netns del "$probe"
	FP_BUILDDIR=${FP_BUILDDIR:-$FP_SRC/build}
	case $FP_BUILDDIR in /*) ;; *) FP_BUILDDIR=$FP_SRC/$FP_BUILDDIR ;; esac
	FP_DPDK=${FP_DPDK:-$FP_BUILDDIR/dataplane/fp-dpdk}
	FP_FPCTL=${FP_FPCTL:-$FP_BUILDDIR/control/fpctl}
	if [ ! -x "$FP_DPDK" ] || [ ! -x "$FP_FPCTL" ]; then
		FP_ERR="fp-dpdk or fpctl not built under $FP_BUILDDIR (FP_BUILDDIR)"
		return 2
	fi
	if [ -z "$FP_TMP" ]; then
		FP_TMP=$(mktemp -d "/tmp/${FP_PREFIX}run.XXXXXX") || {
			FP_ERR="mktemp failed"
			return 2
		}
	fi
	return 0
}

# fp_install_traps: fp_teardown on exit, and exit on Ctrl-C/SIGTERM (which
# runs the EXIT trap).  Call from the top-level script.
fp_install_traps() {
	trap 'fp_teardown' EXIT
	trap 'echo "# interrupted"; exit 130' INT
	trap 'echo "# terminated"; exit 143' TERM
}

# Kill every process in a namespace (by pid), politely first.
fp_ns_kill_pids() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < FP_STOP_TIMEOUT * 10; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	sleep 0.2
}

# fp_cleanup_stale [dirs]: delete every namespace with our prefix (debris
# of an earlier run), after stopping the processes still running inside;
# with "dirs", also the run directories of earlier runs.
fp_cleanup_stale() {
	local ns d
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$FP_PREFIX"*) ;; *) continue ;; esac
		fp_ns_kill_pids "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${1:-}" = dirs ]; then
		for d in /tmp/"${FP_PREFIX}"run.*; do
			[ -d "$d" ] && [ "$d" != "$FP_TMP" ] && rm -rf "$d"
		done
	fi
	return 0
}

# fp_ns_prepare NS KIND: sysctls before any interface is made, so that
# every interface inherits them.  KIND: hv (no IP at all) or vm.
fp_ns_prepare() {
	local ns=$1 kind=$2
	ip -n "$ns" link set lo up || return 1
	if [ "$kind" = hv ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	else
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.default.router_solicitations=0 || return 1
	fi
}

# fp_topo_create: namespaces, veth pairs, addresses.  Stale debris of an
# earlier run with the same prefix is removed first.
fp_topo_create() {
	local hv vm ns host_if
	fp_cleanup_stale dirs
	for hv in $FP_HVS; do
		ip netns add "$(fp_ns "$hv")" || { FP_ERR="ip netns add $(fp_ns "$hv")"; return 1; }
		fp_ns_prepare "$(fp_ns "$hv")" hv || { FP_ERR="sysctl in $hv"; return 1; }
	done
	for vm in $FP_VMS; do
		ip netns add "$(fp_ns "$vm")" || { FP_ERR="ip netns add $(fp_ns "$vm")"; return 1; }
		fp_ns_prepare "$(fp_ns "$vm")" vm || { FP_ERR="sysctl in $vm"; return 1; }
	done
	# VM <-> hypervisor.
	for vm in $FP_VMS; do
		hv=${FP_VM_HV[$vm]}
		ns=$(fp_ns "$vm")
		host_if="$hv-$vm"
		ip link add eth0 netns "$ns" address "${FP_MAC[$vm]}" mtu $FP_VM_MTU type veth \
			peer name "$host_if" netns "$(fp_ns "$hv")" address "${FP_MAC[$host_if]}" \
			mtu $FP_VM_MTU || { FP_ERR="veth $vm <-> $host_if"; return 1; }
		# The VM's kernel must finish its checksums: nothing offloads them.
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 ||
			{ FP_ERR="ethtool -K eth0 tx off in $ns"; return 1; }
		ip netns exec "$(fp_ns "$hv")" ethtool -K "$host_if" tx off >/dev/null 2>&1
		ip -n "$ns" addr add "${FP_VM_IP4[$vm]}/24" dev eth0 || return 1
		ip -n "$ns" addr add "${FP_VM_IP6[$vm]}/64" dev eth0 nodad || return 1
		ip -n "$ns" link set eth0 up || return 1
		ip -n "$(fp_ns "$hv")" link set "$host_if" promisc on up || return 1
	done
	# The underlay.
	ip link add hva-ul netns "$(fp_ns hva)" address "${FP_MAC[hva-ul]}" mtu $FP_UL_MTU \
		type veth peer name hvb-ul netns "$(fp_ns hvb)" address "${FP_MAC[hvb-ul]}" \
		mtu $FP_UL_MTU || { FP_ERR="underlay veth"; return 1; }
	for hv in $FP_HVS; do
		ip netns exec "$(fp_ns "$hv")" ethtool -K "$hv-ul" tx off >/dev/null 2>&1
		ip -n "$(fp_ns "$hv")" link set "$hv-ul" up || return 1
	done
	return 0
}

# fp_write_config HV: the fp-dpdk config for HV into $FP_TMP/HV.conf.
# EAL: --no-shconf, not --in-memory (--no-huge implies legacy memory, which
# EAL refuses together with --in-memory); a file prefix of its own per
# process.  Both processes share lcores 0,1 with the test: adaptive idle.
fp_write_config() {
	local hv=$1 vm1 vm2 f
	read -r vm1 vm2 <<<"${FP_HV_VMS[$hv]}"
	f="$FP_TMP/$hv.conf"
	cat >"$f" <<EOF
# fp-dpdk for $hv, written by tests/integration/lib.sh
host = "$hv";
vtep = { addresses = [ "${FP_HV_VTEP4[$hv]}", "${FP_HV_VTEP6[$hv]}" ]; };
eal = { args = [ "--no-huge", "-m", "$FP_EAL_MEM", "--no-shconf", "--no-pci",
	"--file-prefix", "fp_${hv}_$$", "-l", "0,1", "--log-level", "$FP_LOG_LEVEL" ]; };
ports = (
	{ name = "$vm1"; role = "vm"; devargs = "net_af_packet0,iface=$hv-$vm1,qpairs=1"; mtu = $FP_VM_MTU; },
	{ name = "$vm2"; role = "vm"; devargs = "net_af_packet1,iface=$hv-$vm2,qpairs=1"; mtu = $FP_VM_MTU; },
	{ name = "ul"; role = "underlay"; devargs = "net_af_packet2,iface=$hv-ul,qpairs=1"; mtu = $FP_UL_MTU; }
);
workers = ( { lcore = 1; queues = ( { port = "$vm1"; queue = 0; }, { port = "$vm2"; queue = 0; },
	{ port = "ul"; queue = 0; } ); } );
mempool = { mbufs = 8191; cache = 128; };
tables = { vtep = $FP_VTEP_LIMIT; fdb = $FP_FDB_LIMIT; flood = $FP_FLOOD_LIMIT; neigh = $FP_NEIGH_LIMIT; };
$FP_IDLE_CONF
control = { socket = "$(fp_sock "$hv")"; };
EOF
	# A test may add groups (fp-control's) by defining fp_config_extra.
	if declare -F fp_config_extra >/dev/null; then
		fp_config_extra "$hv" >>"$f" || return 1
	fi
}

# fp_log_excerpt FILE: a log's first 5 and last 25 lines (EAL prints its
# whole usage text on a bad argument), indented as TAP comments.
fp_log_excerpt() {
	local n
	n=$(wc -l <"$1")
	if [ "$n" -le 30 ]; then
		sed 's/^/#   /' "$1"
	else
		head -n 5 "$1" | sed 's/^/#   /'
		echo "#   [... $((n - 30)) lines ...]"
		tail -n 25 "$1" | sed 's/^/#   /'
	fi
}

# fp_start HV: start fp-dpdk in HV's namespace and wait until it forwards.
fp_start() {
	local hv=$1 log pid i
	log=$(fp_logfile "$hv")
	fp_write_config "$hv" || { FP_ERR="cannot write $FP_TMP/$hv.conf"; return 1; }
	if ! "$FP_DPDK" --check-config "$FP_TMP/$hv.conf" >"$log" 2>&1; then
		FP_ERR="fp-dpdk [$hv] rejects its config: $(cat "$log")"
		return 1
	fi
	rm -f "$(fp_sock "$hv")"
	ip netns exec "$(fp_ns "$hv")" "$FP_DPDK" -c "$FP_TMP/$hv.conf" >"$log" 2>&1 </dev/null &
	pid=$!
	FP_PID[$hv]=$pid
	for ((i = 0; i < FP_START_TIMEOUT * 10; i++)); do
		if grep -q "forwarding on" "$log" && [ -S "$(fp_sock "$hv")" ]; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			FP_ERR="fp-dpdk [$hv] exited ($?) during start-up; its log ($log):
$(fp_log_excerpt "$log")"
			unset "FP_PID[$hv]"
			return 1
		fi
		sleep 0.1
	done
	FP_ERR="fp-dpdk [$hv] not forwarding after ${FP_START_TIMEOUT}s; its log ($log):
$(fp_log_excerpt "$log")"
	return 1
}

fp_start_all() {
	local hv
	for hv in $FP_HVS; do
		fp_start "$hv" || return 1
	done
}

# fp_stop HV: SIGTERM, wait (bounded), SIGKILL if it hangs.  Sets
# FP_STOP_RC to fp-dpdk's exit status (or "killed"/"gone").  The final
# counters are in HV's log.
fp_stop() {
	local hv=$1 pid i
	FP_STOP_RC=gone
	pid=${FP_PID[$hv]:-}
	[ -n "$pid" ] || return 0
	unset "FP_PID[$hv]"
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < FP_STOP_TIMEOUT * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			FP_STOP_RC=$?
			return 0
		fi
		sleep 0.1
	done
	echo "# fp-dpdk [$hv] (pid $pid) still running ${FP_STOP_TIMEOUT}s after SIGTERM: SIGKILL" >&2
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	FP_STOP_RC=killed
	return 1
}

# fp_teardown: stop fp-dpdk, delete the namespaces, remove the run
# directory (kept when FP_KEEP=1).  Idempotent.
fp_teardown() {
	local hv
	for hv in "${!FP_PID[@]}"; do
		fp_stop "$hv"
	done
	fp_cleanup_stale
	if [ -n "$FP_TMP" ] && [ -d "$FP_TMP" ]; then
		if [ "${FP_KEEP:-0}" = 1 ]; then
			echo "# kept $FP_TMP"
		else
			rm -rf "$FP_TMP"
		fi
	fi
	return 0
}

# fp_vtep_add HV ENCAP FAMILY: the vtep toward the other hypervisor.
fp_vtep_add() {
	local hv=$1 encap=$2 fam=$3 peer remote src
	peer=${FP_HV_PEER[$hv]}
	if [ "$fam" = 6 ]; then
		remote=${FP_HV_VTEP6[$peer]} src=${FP_HV_VTEP6[$hv]}
	else
		remote=${FP_HV_VTEP4[$peer]} src=${FP_HV_VTEP4[$hv]}
	fi
	fp_ctl_v "$hv" add vtep $FP_VTEP_ID remote "$remote" local "$src" \
		nh-mac "${FP_MAC[$peer-ul]}" port $FP_UL_PORT encap "$encap"
}

# fp_remote_add HV: what points at the vtep: FDB entries of the remote VMs
# and the flood lists (local VM port + vtep).
fp_remote_add() {
	local hv=$1 peer vm
	peer=${FP_HV_PEER[$hv]}
	for vm in ${FP_HV_VMS[$peer]}; do
		fp_ctl_v "$hv" add fdb "${FP_VM_VNI[$vm]}" "${FP_MAC[$vm]}" vtep $FP_VTEP_ID ||
			return 1
	done
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" add flood "${FP_VM_VNI[$vm]}" port "${FP_VM_PORT[$vm]}" \
			vtep $FP_VTEP_ID || return 1
	done
}

# fp_remote_del HV: the reverse of fp_remote_add and fp_vtep_add.
fp_remote_del() {
	local hv=$1 peer vm
	peer=${FP_HV_PEER[$hv]}
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" del flood "${FP_VM_VNI[$vm]}" || return 1
	done
	for vm in ${FP_HV_VMS[$peer]}; do
		fp_ctl_v "$hv" del fdb "${FP_VM_VNI[$vm]}" "${FP_MAC[$vm]}" || return 1
	done
	fp_ctl_v "$hv" del vtep $FP_VTEP_ID
}

# fp_program HV ENCAP FAMILY: every table entry HV needs: its VM ports
# (anti-spoofing on), the vtep, the FDB, the flood lists, and the neigh
# entries for all four VMs (VRF = VNI) so that ARP and ND are answered
# locally.
fp_program() {
	local hv=$1 encap=$2 fam=$3 vm
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" add port "${FP_VM_PORT[$vm]}" vni "${FP_VM_VNI[$vm]}" \
			mac "${FP_MAC[$vm]}" vrf "${FP_VM_VNI[$vm]}" mtu $FP_VM_MTU antispoof on \
			addr "${FP_VM_IP4[$vm]}/32" addr "${FP_VM_IP6[$vm]}/128" || return 1
	done
	fp_vtep_add "$hv" "$encap" "$fam" || return 1
	for vm in ${FP_HV_VMS[$hv]}; do
		fp_ctl_v "$hv" add fdb "${FP_VM_VNI[$vm]}" "${FP_MAC[$vm]}" \
			port "${FP_VM_PORT[$vm]}" || return 1
	done
	fp_remote_add "$hv" || return 1
	for vm in $FP_VMS; do
		fp_ctl_v "$hv" add neigh "${FP_VM_VNI[$vm]}" "${FP_VM_IP4[$vm]}" \
			mac "${FP_MAC[$vm]}" vni "${FP_VM_VNI[$vm]}" || return 1
		fp_ctl_v "$hv" add neigh "${FP_VM_VNI[$vm]}" "${FP_VM_IP6[$vm]}" \
			mac "${FP_MAC[$vm]}" vni "${FP_VM_VNI[$vm]}" || return 1
	done
}

# fp_program_all ENCAP FAMILY: program both hypervisors from scratch.
fp_program_all() {
	local hv
	for hv in $FP_HVS; do
		fp_program "$hv" "$1" "$2" || return 1
	done
}

# fp_reprogram_all ENCAP FAMILY: replace the vteps (and what points at
# them) on both hypervisors, keeping ports, local FDB entries and neighbours.
fp_reprogram_all() {
	local hv
	for hv in $FP_HVS; do
		fp_remote_del "$hv" || return 1
		fp_vtep_add "$hv" "$1" "$2" || return 1
		fp_remote_add "$hv" || return 1
	done
}

# fp_vm_flush VM: forget learned neighbours in a VM.
fp_vm_flush() {
	ip -n "$(fp_ns "$1")" neigh flush dev eth0 2>/dev/null
	return 0
}

# fp_vm_ping VM DST [COUNT]: quick bounded ping from a VM; exit status of ping.
fp_vm_ping() {
	local vm=$1 dst=$2 count=${3:-3}
	fp_vm "$vm" timeout $((count + 5)) ping -q -n -c "$count" -i 0.2 -W 2 "$dst"
}

# fp_vm_snmp VM NAME: one counter from the VM's /proc/net/snmp (IPv4, e.g.
# InEchos in the Icmp group) or /proc/net/snmp6 (e.g. Icmp6InEchos).
fp_vm_snmp() {
	local vm=$1 name=$2
	case $name in
	Icmp6* | Ip6* | Udp6*)
		fp_vm "$vm" awk -v n="$name" '$1 == n { print $2 }' /proc/net/snmp6
		;;
	*)
		fp_vm "$vm" awk -v n="$name" '
			/^Icmp:/ { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
				   else for (i = 2; i <= NF; i++) if (k[i] == n) print $i }' \
			/proc/net/snmp
		;;
	esac
}

# fp_vm_neigh_mac VM IP: the MAC the VM has learned for IP (empty if none).
fp_vm_neigh_mac() {
	ip -n "$(fp_ns "$1")" neigh show "$2" dev eth0 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# --- fp-control on the hypervisors (tests/integration/test_control.sh, the
# demo, bench/control.sh).  fp_control_config HV prints HV's fp_control
# group; a script appends it to the fp-dpdk config by defining
#   fp_config_extra() { fp_control_config "$1"; }
# (and may print more).  fp-control runs in HV's namespace, so the
# namespace cleanup stops it too.

declare -A FP_CTRL_PID=()	# hypervisor -> fp-control pid
fp_api_sock() { echo "$FP_TMP/$1-api.sock"; }
fp_ctrl_log() { echo "$FP_TMP/$1-control.log"; }

fp_control_config() { # HV [LINE...]: the group, with the extra lines in it
	local line
	echo "fp_control = {"
	echo "	api_socket = \"$(fp_api_sock "$1")\";"
	echo "	state_dir = \"$FP_TMP/$1-state\";"
	echo "	health_ms = 100;"
	shift
	for line in "$@"; do
		echo "	$line"
	done
	echo "};"
}

# fp_control_start_all: fp_control_start on every hypervisor; on the first
# that fails, "not ok" with its error and finish.
fp_control_start_all() {
	local hv
	for hv in $FP_HVS; do
		if ! fp_control_start "$hv"; then
			not_ok "fp-control [$hv] starts: $FP_ERR"
			finish
		fi
	done
}

# fp_control_start HV: start fp-control with HV's config; wait for its API.
fp_control_start() {
	local hv=$1 i
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	rm -f "$(fp_api_sock "$hv")"
	# nsenter, not 'ip netns exec': that one mounts a /sys of its own,
	# which hides bpffs (/sys/fs/bpf), where an XDP backend finds its maps.
	nsenter --net="/run/netns/$(fp_ns "$hv")" "$FP_CONTROL" -c "$FP_TMP/$hv.conf" \
		>>"$(fp_ctrl_log "$hv")" 2>&1 </dev/null &
	FP_CTRL_PID[$hv]=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$(fp_api_sock "$hv")" ] && return 0
		kill -0 "${FP_CTRL_PID[$hv]}" 2>/dev/null || break
		sleep 0.05
	done
	FP_ERR="fp-control [$hv] did not start: $(tail -n 5 "$(fp_ctrl_log "$hv")")"
	return 1
}

# fp_control_stop HV [SIGNAL]: stop fp-control (TERM unless told).
fp_control_stop() {
	local hv=$1 sig=${2:-TERM}
	[ -n "${FP_CTRL_PID[$hv]:-}" ] || return 0
	kill "-$sig" "${FP_CTRL_PID[$hv]}" 2>/dev/null
	wait "${FP_CTRL_PID[$hv]}" 2>/dev/null
	unset "FP_CTRL_PID[$hv]"
}

# fp_api HV METHOD PATH [BODY]: one request to HV's fp-control; sets
# FP_CODE (HTTP status) and FP_BODY (the answer).
fp_api() {
	local hv=$1 method=$2 path=$3 data=${4:-}
	local args=(-s -o "$FP_TMP/answer" -w '%{http_code}' -X "$method" --max-time 60
		--unix-socket "$(fp_api_sock "$hv")")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	FP_CODE=$(curl "${args[@]}" "http://localhost$path")
	FP_BODY=$(cat "$FP_TMP/answer" 2>/dev/null)
}

# fp_api_all METHOD PATH [BODY]: the same request to every hypervisor's
# fp-control; true when all answer 200.
fp_api_all() {
	local hv rc=0
	for hv in $FP_HVS; do
		fp_api "$hv" "$@"
		if [ "$FP_CODE" != 200 ]; then
			echo "# $hv: $1 $2 -> $FP_CODE $FP_BODY"
			rc=1
		fi
	done
	return "$rc"
}

# fp_in_sync HV: HV's fp-control says its engine holds what it installed.
fp_in_sync() {
	fp_api "$1" GET "/v1/tables?entries=0"
	[ "$FP_CODE" = 200 ] && [ "$(jq -r .in_sync <<<"$FP_BODY")" = true ]
}

# fp_wait_in_sync HV: fp_in_sync within 10 s.
fp_wait_in_sync() {
	local hv=$1 i
	for ((i = 0; i < 100; i++)); do
		fp_in_sync "$hv" && return 0
		sleep 0.1
	done
	echo "# $hv not in sync: $FP_BODY"
	return 1
}

# fp_check_in_sync_all [WHEN]: a check per hypervisor that its fp-control
# is in sync (fp_wait_in_sync), WHEN added to its text.
fp_check_in_sync_all() {
	local hv
	for hv in $FP_HVS; do
		check "$hv in sync${1:+ $1}" fp_wait_in_sync "$hv"
	done
}

# fp_neutron_port VM [MAC [IPV4 [REVISION]]]: the Neutron port of VM, as
# Neutron's API shows it: bound to its hypervisor, naming its fp-dpdk port
# in binding:profile.  Port security on, in the security group sg-open
# (everything allowed: fp_neutron_snapshot has it), on either engine.
fp_neutron_port() {
	local vm=$1 mac=${2:-${FP_MAC[$1]}} ip4=${3:-${FP_VM_IP4[$1]}} rev=${4:-1} net=net-a
	local sec=true sgs='["sg-open"]'
	[ "${FP_VM_VNI[$vm]}" = 200 ] && net=net-b
	cat <<JSON
{"id": "port-$vm", "name": "$vm", "network_id": "$net", "mac_address": "$mac",
 "admin_state_up": true, "status": "ACTIVE", "device_owner": "compute:nova",
 "device_id": "vm-$vm", "project_id": "p-$net", "tenant_id": "p-$net",
 "fixed_ips": [{"subnet_id": "$net-v4", "ip_address": "$ip4"},
               {"subnet_id": "$net-v6", "ip_address": "${FP_VM_IP6[$vm]}"}],
 "allowed_address_pairs": [], "security_groups": $sgs, "port_security_enabled": $sec,
 "binding:host_id": "${FP_VM_HV[$vm]}", "binding:vif_type": "vhostuser",
 "binding:profile": {"flowplane_port": "$vm"}, "revision_number": $rev}
JSON
}

# fp_neutron_snapshot: the whole topology as a PUT /v1/snapshot body: both
# hosts, tenant A's network (VXLAN, VNI 100) and tenant B's (Geneve, VNI
# 200) with the same IPv4 and IPv6 subnets, the security group sg-open
# (all traffic both ways, stateful) and the four VM ports.
fp_neutron_snapshot() {
	local hv vm sep=""
	echo '{"hosts": ['
	for hv in $FP_HVS; do
		echo "$sep{\"id\": \"$hv\", \"vtep_addresses\": [\"${FP_HV_VTEP4[$hv]}\"],"
		echo " \"underlay_mac\": \"${FP_MAC[$hv-ul]}\"}"
		sep=","
	done
	cat <<JSON
], "networks": [
 {"id": "net-a", "name": "tenant-a", "provider:network_type": "vxlan",
  "provider:segmentation_id": 100, "mtu": $FP_VM_MTU, "admin_state_up": true,
  "port_security_enabled": true, "shared": false, "status": "ACTIVE", "revision_number": 1},
 {"id": "net-b", "name": "tenant-b", "provider:network_type": "geneve",
  "provider:segmentation_id": 200, "mtu": $FP_VM_MTU, "admin_state_up": true,
  "port_security_enabled": true, "shared": false, "status": "ACTIVE", "revision_number": 1}
], "security_groups": [
 {"id": "sg-open", "name": "open", "stateful": true, "security_group_rules": [
  {"id": "open-e4", "direction": "egress", "ethertype": "IPv4"},
  {"id": "open-e6", "direction": "egress", "ethertype": "IPv6"},
  {"id": "open-i4", "direction": "ingress", "ethertype": "IPv4"},
  {"id": "open-i6", "direction": "ingress", "ethertype": "IPv6"}]}
], "subnets": [
 {"id": "net-a-v4", "network_id": "net-a", "ip_version": 4, "cidr": "10.100.0.0/24",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-a-v6", "network_id": "net-a", "ip_version": 6, "cidr": "fd00:100::/64",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-b-v4", "network_id": "net-b", "ip_version": 4, "cidr": "10.100.0.0/24",
  "gateway_ip": null, "enable_dhcp": false},
 {"id": "net-b-v6", "network_id": "net-b", "ip_version": 6, "cidr": "fd00:100::/64",
  "gateway_ip": null, "enable_dhcp": false}
], "ports": [
JSON
	sep=""
	for vm in $FP_VMS; do
		echo "$sep$(fp_neutron_port "$vm")"
		sep=","
	done
	echo ']}'
}

# --- Security groups as Neutron JSON (test_sg.sh, test_sg_restart.sh).

# fp_sg_rule ID DIR ETHERTYPE [PROTO [MIN [MAX [PREFIX|group:ID]]]]: one
# security_group_rule ('' leaves a field null).
fp_sg_rule() {
	local remote=null
	case "${7:-}" in
	group:*) remote="\"${7#group:}\"" ;;
	esac
	jq -nc --arg id "$1" --arg dir "$2" --arg eth "$3" --arg proto "${4:-}" \
		--arg min "${5:-}" --arg max "${6:-}" --arg pfx "${7:-}" --argjson rg "$remote" \
		'{id: $id, direction: $dir, ethertype: $eth,
		  protocol: (if $proto == "" then null else $proto end),
		  port_range_min: (if $min == "" then null else ($min | tonumber) end),
		  port_range_max: (if $max == "" then null else ($max | tonumber) end),
		  remote_ip_prefix: (if $pfx == "" or ($pfx | startswith("group:")) then null
				     else $pfx end),
		  remote_group_id: $rg}'
}

# fp_sg_group ID STATEFUL REVISION RULE...: a security group of the rules.
fp_sg_group() {
	local id=$1 stateful=$2 rev=$3
	shift 3
	printf '%s\n' "$@" | jq -sc --arg id "$id" --argjson st "$stateful" --argjson rev "$rev" \
		'{id: $id, name: $id, stateful: $st, revision_number: $rev,
		  security_group_rules: .}'
}

# fp_sg_default: Neutron's default group, sg-default: egress anything,
# ingress from the group's members only.
fp_sg_default() {
	fp_sg_group sg-default true 1 "$(fp_sg_rule def-e4 egress IPv4)" \
		"$(fp_sg_rule def-e6 egress IPv6)" \
		"$(fp_sg_rule def-i4 ingress IPv4 '' '' '' group:sg-default)" \
		"$(fp_sg_rule def-i6 ingress IPv6 '' '' '' group:sg-default)"
}

# --- Checks both overlay tests make (they define ok and not_ok; each
# check reports through them, its text prefixed with $FP_CHECK_TAG when
# set).
FP_TCP_SIZE=${FP_TCP_SIZE:-$((10 * 1024 * 1024))}	# bytes of the TCP transfer
FP_TCP_PORT=${FP_TCP_PORT:-5001}
FP_TCP_TIMEOUT=${FP_TCP_TIMEOUT:-60}	# seconds

# fp_check_ping_to SRC DST_IP FAM RIGHT WRONG: ping from SRC; the echo requests must
# arrive at RIGHT (its InEchos grows) and never at WRONG (same IP, other
# tenant).
fp_check_ping_to() {
	local src=$1 dst=$2 fam=$3 right=$4 wrong=$5 ctr=InEchos r0 w0 r1 w1 out rc
	[ "$fam" = 6 ] && ctr=Icmp6InEchos
	r0=$(fp_vm_snmp "$right" $ctr)
	w0=$(fp_vm_snmp "$wrong" $ctr)
	out=$(fp_vm_ping "$src" "$dst" 3 2>&1)
	rc=$?
	r1=$(fp_vm_snmp "$right" $ctr)
	w1=$(fp_vm_snmp "$wrong" $ctr)
	if [ $rc -eq 0 ]; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }ping $src -> $right ($dst)"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }ping $src -> $right ($dst)"
		echo "$out" | sed 's/^/#   /'
	fi
	if [ $((r1 - r0)) -ge 1 ] && [ $((w1 - w0)) -eq 0 ]; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }echo requests from $src ($dst) reach $right only ($right +$((r1 - r0)), $wrong +0)"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }echo requests from $src ($dst) reach $right only" \
			"($right +$((r1 - r0)), $wrong +$((w1 - w0)))"
	fi
}

# fp_check_neigh_is VM IP WANT_VM: VM resolved IP to WANT_VM's MAC.
fp_check_neigh_is() {
	local vm=$1 ip=$2 want=$3 mac
	mac=$(fp_vm_neigh_mac "$vm" "$ip")
	if [ "$mac" = "${FP_MAC[$want]}" ]; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$vm resolves $ip to $want's MAC ${FP_MAC[$want]}"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$vm resolves $ip to $want's MAC ${FP_MAC[$want]} (got '${mac}')"
	fi
}

# fp_check_isolated SRC OTHER PEER: SRC aimed at OTHER's MAC (other tenant, same IP
# as SRC's PEER) by a static neighbour entry: no reply, and neither OTHER
# nor PEER sees an echo request.
fp_check_isolated() {
	local src=$1 other=$2 peer=$3 dst o0 p0 o1 p1 rc
	dst=${FP_VM_IP4[$other]}
	ip -n "$(fp_ns "$src")" neigh replace "$dst" lladdr "${FP_MAC[$other]}" dev eth0 \
		nud permanent
	o0=$(fp_vm_snmp "$other" InEchos)
	p0=$(fp_vm_snmp "$peer" InEchos)
	fp_vm "$src" timeout 8 ping -q -n -c 2 -i 0.2 -W 1 "$dst" >/dev/null 2>&1
	rc=$?
	o1=$(fp_vm_snmp "$other" InEchos)
	p1=$(fp_vm_snmp "$peer" InEchos)
	ip -n "$(fp_ns "$src")" neigh del "$dst" dev eth0 2>/dev/null
	if [ $rc -ne 0 ] && [ $((o1 - o0)) -eq 0 ] && [ $((p1 - p0)) -eq 0 ]; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$src cannot reach $other at its MAC (tenant isolation)"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$src cannot reach $other at its MAC (tenant isolation)" \
			"(ping rc $rc, $other +$((o1 - o0)), $peer +$((p1 - p0)))"
	fi
}

# fp_check_tcp_transfer SRC DST: 10 MiB SRC -> DST over TCP, sha256 compared.
fp_check_tcp_transfer() {
	local from=$1 to=$2 src=$FP_TMP/tcp.in dst=$FP_TMP/tcp.out spid i crc want got t0
	[ -f "$src" ] || head -c $FP_TCP_SIZE /dev/urandom >"$src"
	want=$(sha256sum <"$src" | cut -d' ' -f1)
	rm -f "$dst"
	fp_vm "$to" timeout $FP_TCP_TIMEOUT nc -l "${FP_VM_IP4[$to]}" $FP_TCP_PORT </dev/null \
		>"$dst" 2>/dev/null &
	spid=$!
	for ((i = 0; i < 50; i++)); do
		fp_vm "$to" ss -ltnH "sport = :$FP_TCP_PORT" 2>/dev/null | grep -q LISTEN && break
		sleep 0.1
	done
	t0=$SECONDS
	fp_vm "$from" timeout $FP_TCP_TIMEOUT nc -N -w 10 "${FP_VM_IP4[$to]}" $FP_TCP_PORT <"$src" \
		2>/dev/null
	crc=$?
	wait $spid 2>/dev/null
	got=$(sha256sum <"$dst" 2>/dev/null | cut -d' ' -f1)
	if [ $crc -eq 0 ] && [ "$got" = "$want" ]; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }TCP 10 MiB $from -> $to, sha256 matches ($((SECONDS - t0)) s)"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }TCP 10 MiB $from -> $to, sha256 matches" \
			"(client rc $crc, received $(stat -c %s "$dst" 2>/dev/null || echo 0) bytes)"
	fi
}

# fp_check_trace WHAT JSON PYEXPR: ok if PYEXPR holds over the fpctl trace
# --json object (t, and steps: step name -> its texts, in order).
fp_check_trace() {
	local what=$1 json=$2 expr=$3
	if printf '%s' "$json" | /usr/bin/python3 -c "
import json, sys
t = json.load(sys.stdin)
steps = {}
for s in t['steps']:
    steps.setdefault(s['step'], []).append(s['text'])
sys.exit(0 if ($expr) else 1)
" 2>/dev/null; then
		ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$what"
	else
		not_ok "${FP_CHECK_TAG:+$FP_CHECK_TAG: }$what"
		printf '%s\n' "$json" | sed 's/^/#   /'
	fi
}

# fp_capture_pings HV PCAP: tshark on HV's underlay veth (in HV's
# namespace) writes the VXLAN and Geneve frames to PCAP while a1 pings a2
# and b1 pings b2, 3 times each.
fp_capture_pings() {
	local hv=$1 pcap=$2 err=$FP_TMP/tshark.err tpid i
	rm -f "$pcap" "$err"
	ip netns exec "$(fp_ns "$hv")" timeout 30 tshark -i "$hv-ul" -p -q -n \
		-f "udp port 4789 or udp port 6081" -c 50 -a duration:20 -w "$pcap" 2>"$err" &
	tpid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$err" 2>/dev/null && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.2
	fp_vm_ping a1 "${FP_VM_IP4[a2]}" 3 >/dev/null 2>&1
	fp_vm_ping b1 "${FP_VM_IP4[b2]}" 3 >/dev/null 2>&1
	sleep 0.3
	kill -INT $tpid 2>/dev/null
	wait $tpid 2>/dev/null
}

# fp_check_unchanged WHAT SNAPSHOT CHECKS: runs the function CHECKS (its
# ok / not_ok lines are results) between two calls of the function
# SNAPSHOT, then ok WHAT if both printed the same.  Background frames (a
# VM's own IPv6 chatter) can move counters too, so while the snapshots
# differ it tries again, 3 times at most; only the last try's results count.
fp_check_unchanged() {
	local what=$1 snap=$2 checks=$3 before after try np nf
	for try in 1 2 3; do
		before=$($snap)
		np=$N_PASS
		nf=$N_FAIL
		$checks
		sleep 0.5
		after=$($snap)
		[ "$before" = "$after" ] && break
		if [ $try -lt 3 ]; then
			echo "# the counters moved during try $try: again"
			N_PASS=$np
			N_FAIL=$nf
		fi
	done
	if [ "$before" = "$after" ]; then
		ok "$what"
	else
		not_ok "$what"
		diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
	fi
}

# --- TAP output, for a test that sources this file and brings none of its
# own (tests/integration/test_fragments.sh): "ok - ..." / "not ok - ..."
# lines, then "N passed, M failed".  A test defining ok, not_ok, check or
# finish after sourcing this file uses its own.
N_PASS=0
N_FAIL=0
T_START=$SECONDS

ok() {
	echo "ok - $*"
	N_PASS=$((N_PASS + 1))
}

not_ok() {
	echo "not ok - $*"
	N_FAIL=$((N_FAIL + 1))
}

# check WHAT CMD...: ok if CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# finish: the summary line; exits 0 if nothing failed, else 1.  When a
# check failed, it first runs the test's fp_finish_diag, if it has one.
finish() {
	if [ "$N_FAIL" -ne 0 ] && declare -F fp_finish_diag >/dev/null; then
		fp_finish_diag
	fi
	echo "# run time $((SECONDS - T_START)) s"
	echo "$N_PASS passed, $N_FAIL failed"
	[ "$N_FAIL" -eq 0 ]
	exit $?
}

# fp_run CMD...: runs CMD with its stdout in $OUT, its stderr in $ERR and
# its status in $RC (through the files $TMP/out and $TMP/err), for a test
# that keeps its own run directory in $TMP.
# shellcheck disable=SC2034	# RC is the caller's
fp_run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# fp_run_show: fp_run's $OUT and $ERR as comment lines, blank lines left out.
fp_run_show() {
	printf '%s\n' "$OUT" "$ERR" | sed '/^$/d; s/^/#   /'
}

# fp_need_tools TOOL...: exit 77 (a skip) naming the first TOOL that is
# not on PATH.
fp_need_tools() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null; then
			echo "# skip: $t not found (scripts/install-deps.sh)"
			exit 77
		fi
	done
}

# fp_need_bpftool: exit 77 (a skip) unless $BPFTOOL can run.
fp_need_bpftool() {
	if [ ! -x "${BPFTOOL:-}" ]; then
		echo "# skip: bpftool not found (BPFTOOL)"
		exit 77
	fi
}

# fp_need_built BIN...: exit 1 (a failed set-up) naming the first BIN that
# is not built.
fp_need_built() {
	local b
	for b in "$@"; do
		if [ ! -x "$b" ]; then
			echo "not ok - set-up: $b not built (FP_BUILDDIR)"
			echo "0 passed, 1 failed"
			exit 1
		fi
	done
}

# fp_in_ns NS CMD...: run CMD in the network namespace NS (/run/netns/NS).
fp_in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# fp_bpffs_unmount: unmount every bpffs stacked on /sys/fs/bpf in this
# mount namespace.
fp_bpffs_unmount() {
	for _ in 1 2 3 4; do
		umount /sys/fs/bpf 2>/dev/null || break
	done
}

# fp_bpffs_private: a bpffs of this mount namespace's own on /sys/fs/bpf
# (call it in a private mount namespace); false if it cannot be mounted.
fp_bpffs_private() {
	fp_bpffs_unmount
	mount -t bpf bpf /sys/fs/bpf
}

# fp_init_or_exit: fp_lib_init, exiting 77 (skip) when the machine cannot
# run the topology and 1 (a failed set-up) when the binaries are missing.
fp_init_or_exit() {
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
}

# XDP-engine tests with one hypervisor namespace (test_xdp_kernel_floods.sh,
# test_xdp_tc_why.sh): fp-xdp on p0, p1 (VM ports vm0, vm1) and ul (the
# underlay, MTU 1600), VTEP address 172.16.0.1.

# fp_xdp_tools: FP_BUILDDIR (absolute; default <src>/build), FP_XDP and
# FPCTL under it unless set; "not ok" and exit 1 if one is not built.
fp_xdp_tools() {
	local b
	FP_BUILDDIR=${FP_BUILDDIR:-$FP_SRC/build}
	case $FP_BUILDDIR in /*) ;; *) FP_BUILDDIR=$FP_SRC/$FP_BUILDDIR ;; esac
	FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
	FPCTL=${FPCTL:-$FP_BUILDDIR/control/fpctl}
	for b in "$FP_XDP" "$FPCTL"; do
		if [ ! -x "$b" ]; then
			echo "not ok - not built: $b (FP_BUILDDIR)"
			echo "0 passed, 1 failed"
			exit 1
		fi
	done
}

# fp_xdp_attach_3 NS HOST INSTANCE CONF [EXTRA]: writes the config of the
# three ports (and the config text EXTRA) to CONF and runs fp-xdp attach in
# NS (native mode): "ok", or "not ok" with fp-xdp's output and finish.
fp_xdp_attach_3() {
	local ns=$1 host=$2 instance=$3 conf=$4 extra=${5:-}
	cat >"$conf" <<EOC
host = "$host";
$extra
vtep = { addresses = [ "172.16.0.1" ]; };
tables = { vtep = 64; fdb = 1024; flood = 64; neigh = 1024; };
fp_xdp = {
	instance = "$instance";
	ports = (
		{ name = "vm0"; role = "vm"; iface = "p0"; mtu = 1500; },
		{ name = "vm1"; role = "vm"; iface = "p1"; mtu = 1500; },
		{ name = "ul"; role = "underlay"; iface = "ul"; mtu = 1600; }
	);
};
EOC
	if nsenter --net="/run/netns/$ns" "$FP_XDP" -c "$conf" attach >"$conf.out" 2>&1; then
		ok "fp-xdp attach (native mode, XDP and tc) on p0, p1, ul"
	else
		not_ok "fp-xdp attach"
		sed 's/^/#   /' "$conf.out"
		finish
	fi
}

# The mixed cloud (test_mixed.sh, test_sg.sh with FP_SG_ENGINE_B=xdp): one
# hypervisor runs the XDP engine (fp-xdp on HV-<vm1>, HV-<vm2>, HV-ul as
# ports 0, 1, 2, named as fp-dpdk's) instead of fp-dpdk.

# fp_xdp_hv_config HV INSTANCE: the fp_xdp group of HV's config.
fp_xdp_hv_config() {
	local hv=$1 vm1 vm2
	read -r vm1 vm2 <<<"${FP_HV_VMS[$hv]}"
	cat <<EOF2
fp_xdp = {
	instance = "$2";
	mode = "native";
	ports = (
		{ name = "$vm1"; role = "vm"; iface = "$hv-$vm1"; mtu = $FP_VM_MTU; },
		{ name = "$vm2"; role = "vm"; iface = "$hv-$vm2"; mtu = $FP_VM_MTU; },
		{ name = "ul"; role = "underlay"; iface = "$hv-ul"; mtu = $FP_UL_MTU; }
	);
};
EOF2
}

# fp_xdp_pass_attach VM...: a pass-through XDP program on each VM's eth0,
# built with clang as fp-xdp's program is: NAPI at the peer of what an
# XDP program redirects or sends back (XDP_TX) into the VM's veth (why:
# test_mixed.sh).  False with FP_ERR set on failure.
fp_xdp_pass_attach() {
	local vm mapi
	mapi=$(gcc -print-multiarch 2>/dev/null)
	printf '%s\n' '#include <linux/bpf.h>' \
		'__attribute__((section("xdp"), used)) int fpm_pass(struct xdp_md *ctx)' \
		'{' '	return XDP_PASS;' '}' \
		'char lic[] __attribute__((section("license"), used)) = "GPL";' \
		>"$FP_TMP/pass.c"
	if ! clang -target bpf -O2 ${mapi:+-I/usr/include/$mapi} -c "$FP_TMP/pass.c" \
		-o "$FP_TMP/pass.o" 2>"$FP_TMP/pass.err"; then
		FP_ERR="clang: $(head -n 3 "$FP_TMP/pass.err")"
		return 1
	fi
	for vm in "$@"; do
		if ! ip -n "$(fp_ns "$vm")" link set dev eth0 xdp obj "$FP_TMP/pass.o" sec xdp \
			2>"$FP_TMP/pass.err"; then
			FP_ERR="ip link set dev eth0 xdp in $vm: $(head -n 3 "$FP_TMP/pass.err")"
			return 1
		fi
	done
}

# fp_bpffs_own_ns ARGS...: runs the script again (with ARGS) in a mount
# namespace of its own, then mounts a fresh bpffs on /sys/fs/bpf there, for
# fp-xdp, fp-control and bpftool alike: the host's bpffs and its pins are
# never touched, and nothing stays mounted when the test ends.  Exits 77
# (a skip) if the bpffs cannot be mounted.  Call right after sourcing.
fp_bpffs_own_ns() {
	if [ -z "${FP_BPFFS_INNER:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null
	then
		FP_BPFFS_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
	fi
	if [ -n "${FP_BPFFS_INNER:-}" ] && ! fp_bpffs_private; then
		echo "# skip: cannot mount a bpffs of our own on /sys/fs/bpf"
		exit 77
	fi
}

# --- Restarts and counters (test_sg_restart.sh, test_ul_guard.sh).

# fp_dpdk_kill HV [SIGNAL]: send SIGNAL (KILL unless told) to HV's fp-dpdk and
# reap it; fp_start HV starts a new one.
fp_dpdk_kill() {
	local hv=$1 sig=${2:-KILL} pid
	pid=${FP_PID[$hv]:-}
	[ -n "$pid" ] || return 0
	unset "FP_PID[$hv]"
	kill "-$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# fp_engine_ctl HV ARGS...: fpctl against HV's engine: its fp-dpdk, or the
# XDP instance $FP_XDP_INSTANCE when FP_HV_ENGINE[HV] (if the test has that
# array) is xdp.
fp_engine_ctl() {
	local hv=$1
	shift
	if declare -p FP_HV_ENGINE >/dev/null 2>&1 && [ "${FP_HV_ENGINE[$hv]:-}" = xdp ]; then
		"$FP_FPCTL" --xdp "$FP_XDP_INSTANCE" "$@"
	else
		fp_ctl "$hv" "$@"
	fi
}

# fp_stat HV NAME: one counter of HV's engine, a stat (rx, ct_pickup, ...)
# or a drop reason (vtep_not_serving, ...), from fpctl --json show stats;
# empty if it cannot be read.
fp_stat() {
	fp_engine_ctl "$1" --json show stats 2>/dev/null |
		jq -r --arg n "$2" '(.stats[$n] // .drops[$n]) // empty' 2>/dev/null
}

# fp_conntrack HV [WORD...]: HV's connections, one line each, sorted, the
# age (which moves by itself) left out; with WORDs, only the lines that
# have each of them as a word (e.g. a port number).
fp_conntrack() {
	local hv=$1
	shift
	fp_engine_ctl "$hv" show conntrack 2>&1 |
		awk -v want="$*" '
			BEGIN { n = split(want, w, " ") }
			{
				for (i = 1; i < NF; i++)
					if ($i == "age") { $i = ""; $(i + 1) = "" }
				for (j = 1; j <= n; j++) {
					hit = 0
					for (i = 1; i <= NF; i++)
						if ($i == w[j]) hit = 1
					if (!hit) next
				}
				$0 = $0; $1 = $1; print
			}' | sort
}

# --- An underlay more hosts can join (test_ul_guard.sh): a bridge br0 in
# the namespace <P>ul instead of the veth pair hva-ul - hvb-ul.

# Where the peer of HV-ul is ("namespace interface"): what an XDP engine
# on HV sends out of HV-ul lands there (fp_engines_start gives it NAPI).
declare -A FP_UL_PEER=([hva]="$(fp_ns hvb) hvb-ul" [hvb]="$(fp_ns hva) hva-ul")

# fp_underlay_join NS IFNAME MAC: a veth IFNAME (MAC, MTU FP_UL_MTU, up,
# tx checksum offload off) in NS, its peer u-IFNAME in br0 of <P>ul.
fp_underlay_join() {
	local ns=$1 ifname=$2 mac=$3 ul
	ul=$(fp_ns ul)
	ip link add "$ifname" netns "$ns" address "$mac" mtu $FP_UL_MTU type veth \
		peer name "u-$ifname" netns "$ul" mtu $FP_UL_MTU ||
		{ FP_ERR="veth $ifname <-> u-$ifname"; return 1; }
	ip netns exec "$ns" ethtool -K "$ifname" tx off >/dev/null 2>&1
	ip -n "$ul" link set "u-$ifname" master br0 up || return 1
	ip -n "$ns" link set "$ifname" up
}

# fp_underlay_bridge: replace the underlay pair by br0 in <P>ul (IPv6 off,
# no address) with hva-ul and hvb-ul joined to it.  Call after
# fp_topo_create, before the engines start.
fp_underlay_bridge() {
	local ul hv
	ul=$(fp_ns ul)
	ip netns add "$ul" || { FP_ERR="ip netns add $ul"; return 1; }
	fp_ns_prepare "$ul" hv || { FP_ERR="sysctl in $ul"; return 1; }
	ip -n "$ul" link add br0 type bridge || { FP_ERR="bridge in $ul"; return 1; }
	ip -n "$ul" link set br0 up || return 1
	ip -n "$(fp_ns hva)" link del hva-ul || { FP_ERR="cannot delete hva-ul"; return 1; }
	for hv in $FP_HVS; do
		fp_underlay_join "$(fp_ns "$hv")" "$hv-ul" "${FP_MAC[$hv-ul]}" || return 1
		FP_UL_PEER[$hv]="$ul u-$hv-ul"
	done
}

# --- Either engine on hvb (test_sg.sh, test_ul_guard.sh): a test sets
# FP_HV_ENGINE=([hva]=dpdk [hvb]=dpdk|xdp), FP_XDP_INSTANCE and FP_XDP; an
# XDP hvb runs fp-xdp (native mode) on its ports, as in test_mixed.sh, in
# a bpffs of the test's own (fp_bpffs_own_ns); its fp_config_extra prints
# fp_xdp_hv_config and an fp_control group on backend "xdp".
FP_XDP_ATTACHED=0

# fp_engines_config HV: the config groups of HV's engine: an fp_control
# group, and for an XDP hvb its fp_xdp group and backend "xdp" (for a
# test's fp_config_extra).
fp_engines_config() {
	if [ "${FP_HV_ENGINE[$1]}" = xdp ]; then
		fp_xdp_hv_config "$1" "$FP_XDP_INSTANCE"
		fp_control_config "$1" "backend = \"xdp\";" "xdp_instance = \"$FP_XDP_INSTANCE\";"
	else
		fp_control_config "$1"
	fi
}

# fp_engines_diag: each hypervisor's non-zero drop reasons and the end of
# its fp-control log, as comments (after a failed check).
fp_engines_diag() {
	local hv
	for hv in $FP_HVS; do
		echo "# --- $hv drops"
		fp_engine_ctl "$hv" show drops 2>&1 | grep -v " 0$" | sed 's/^/#   /'
		echo "# --- $hv fp-control log (last 15 lines)"
		tail -n 15 "$(fp_ctrl_log "$hv")" | sed 's/^/#   /'
	done
}

# fp_xdp_hvb ARGS...: fp-xdp with hvb's config in hvb's network namespace.
fp_xdp_hvb() {
	nsenter --net="/run/netns/$(fp_ns hvb)" "$FP_XDP" -c "$FP_TMP/hvb.conf" "$@"
}

# fp_engines_start: fp-dpdk on hva; on hvb fp-dpdk, or fp-xdp attached
# (with NAPI where its program sends into a veth: GRO on the peer of
# hvb-ul, a pass-through program on hvb's VMs' eth0; why: test_mixed.sh).
fp_engines_start() {
	local peer_ns peer_if
	[ "${FP_HV_ENGINE[hvb]}" = xdp ] || { fp_start_all; return; }
	read -r peer_ns peer_if <<<"${FP_UL_PEER[hvb]}"
	ip netns exec "$peer_ns" ethtool -K "$peer_if" gro on >/dev/null 2>&1 ||
		{ FP_ERR="GRO on at $peer_if failed"; return 1; }
	# shellcheck disable=SC2086	# the VM names
	fp_xdp_pass_attach ${FP_HV_VMS[hvb]} || return 1
	fp_start hva || return 1
	fp_write_config hvb || { FP_ERR="cannot write hvb's config"; return 1; }
	FP_XDP_ATTACHED=1
	if ! fp_xdp_hvb attach >"$FP_TMP/fpx.out" 2>&1; then
		FP_ERR="fp-xdp attach on hvb: $(head -n 5 "$FP_TMP/fpx.out")"
		return 1
	fi
}

# fp_engines_stop: both fp-control, fp-xdp detached, fp_teardown.
fp_engines_stop() {
	local hv
	for hv in "${!FP_CTRL_PID[@]}"; do
		fp_control_stop "$hv"
	done
	if [ "$FP_XDP_ATTACHED" = 1 ]; then
		fp_xdp_hvb detach >/dev/null 2>&1 || rm -rf "/sys/fs/bpf/flowplane/$FP_XDP_INSTANCE"
		FP_XDP_ATTACHED=0
	fi
	fp_teardown
}

# --- Shared by the fp-control tests on fp-dpdk (test_routing.sh, test_vm_boot.sh).

# fp_control_cleanup: stop every fp-control this script started, then
# fp_teardown (an EXIT trap).
fp_control_cleanup() {
	local hv
	for hv in "${!FP_CTRL_PID[@]}"; do
		fp_control_stop "$hv"
	done
	fp_teardown
}

# fp_tables HV JQ: a jq expression over HV's GET /v1/tables.
fp_tables() {
	fp_api "$1" GET /v1/tables
	jq -r "$2" <<<"$FP_BODY"
}

# fp_balanced HV: HV's fp-dpdk counters say rx = tx + drop + punt.
fp_balanced() {
	fp_ctl "$1" --json show stats 2>/dev/null |
		jq -e '.stats.rx == .stats.tx + .stats.drop + .stats.punt' >/dev/null
}
