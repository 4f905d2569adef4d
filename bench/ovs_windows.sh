# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Sourced by bench/ovs_ct.sh and bench/ovs_route.sh after the shared common.sh (now,
# NWIN, WIN_S) and ovs_env.sh (tx_pkts, appctl).

# The measurement windows of the shared 20_ovs.sh: per window the Mpps of the output
# port's tx counter and the cycles per packet of pmd-perf-show, one "Mpps cycles" line
# each into OUT, pmd-perf-show into DET.
ovs_windows() {  # OBR OPORT OUT DET
	local w c0 c1 t0 t1 P cyc mpps
	: >"$3"; : >"$4"
	for w in $(seq "$NWIN"); do
		c0=$(tx_pkts "$1" "$2"); t0=$(now)
		appctl dpif-netdev/pmd-stats-clear >/dev/null
		sleep "$WIN_S"
		c1=$(tx_pkts "$1" "$2"); t1=$(now)
		P=$(appctl dpif-netdev/pmd-perf-show)
		cyc=$(echo "$P" | awk '/Used TSC cycles:/{c=$5} /Rx packets:/{r=$3} END{if(r>0) printf "%.1f", c/r; else print "nan"}')
		mpps=$(python3 -c "print('%.3f'%(($c1-$c0)/($t1-$t0)/1e6))")
		echo "$mpps $cyc" >>"$3"
		{ echo "== window $w: tx_mpps=$mpps cycles/pkt=$cyc"; echo "$P"; } >>"$4"
	done
}
