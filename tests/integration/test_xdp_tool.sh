#!/usr/bin/env bash
# fp-xdp integration test: the tool that loads flowplane's XDP program,
# pins its maps and attaches it (bpf/fp_xdp_main.c and bpf/xdp_*.c, doc/xdp.md).
#
# One network namespace, fpx-<pid>, with three veth pairs:
#   fpx-vm1 - fpx-vm1p    port 0 "vm1" (role vm)
#   fpx-ul  - fpx-ulp     port 1 "uplink" (role underlay, MTU 1600)
#   fpx-vm2 - fpx-vm2p    port 2 "vm2", only in some configs
# fp-xdp runs in it through nsenter --net (not 'ip netns exec', whose
# private /sys would hide bpffs), and the test runs in a mount namespace
# of its own whose /sys/fs/bpf starts without bpffs: fp-xdp must mount it,
# and nothing pinned here outlives the test.
#
# Checked: --check-config; a bad config is refused with file:line; attach
# mounts bpffs, attaches in native mode to every port and pins the maps
# and the program; status (text and --json); the ports' entries; an FDB
# entry inserted with bpftool survives a re-attach, which replaces the
# program in place (new id, old one released) and bumps fp_host's
# generation; a port removed from the config is detached and its entries
# cleared; a missing interface, a table size change and a foreign XDP
# program are refused with nothing changed; generic mode on request and
# back to native; stats --json balances (rx = tx + drop + punt); run
# (attaches, sweeps an expired fp_ct entry and keeps a live one, SIGHUP
# writes the timeouts, SIGTERM leaves the programs attached); detach
# --keep-maps keeps the pins and the entries; detach removes them.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces or
# bpftool.  Env: FP_BUILDDIR (default: <src>/build), FP_XDP (the binary),
# BPFTOOL.

# Functions run through check() look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$SRC/tests/integration/lib.sh"	# TAP helpers, fp_need_*, fp_run, fp_in_ns
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
FP_BUILDDIR=${FP_BUILDDIR:-$SRC/build}
case $FP_BUILDDIR in /*) ;; *) FP_BUILDDIR=$SRC/$FP_BUILDDIR ;; esac
FP_XDP=${FP_XDP:-$FP_BUILDDIR/bpf/fp-xdp}
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
INSTANCE=fpx-test
PIN=/sys/fs/bpf/flowplane/$INSTANCE
MAPS="fp_port fp_vtep fp_fdb fp_flood fp_neigh fp_port_cfg fp_host fp_tx fp_ifport fp_ifslot fp_vni fp_counters"
# An FDB entry: VNI 100 (host order), MAC 02:00:00:00:00:01 -> port 0.
FDB_KEY=(64 00 00 00 02 00 00 00 00 01 00 00)
FDB_VAL=(01 00 00 00 00 00 00 00)
# fp_ct entries (struct fp_ct_key, fp_ct_val): UDP connections of zone 0,
# one whose last packet was at boot (expired), one in the far future.
CT_OLD_KEY=(00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 $(printf '00 %.0s' {1..16}) 00 00 00 00 00 00 11 00)
CT_NEW_KEY=(00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 $(printf '00 %.0s' {1..16}) 00 00 00 00 00 00 11 00)
CT_OLD_VAL=(01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00)
CT_NEW_VAL=(ff ff ff ff ff ff ff 3f 00 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00)

# ---- outside: the network namespace, then the rest in a mount namespace.
if [ -z "${FPX_INNER:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "# skip: not root (network namespaces, BPF and XDP need root)"
		exit 77
	fi
	fp_need_tools ip unshare nsenter python3
	fp_need_bpftool
	fp_need_built "$FP_XDP"
	NS=fpx-$$
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	trap 'echo "# interrupted"; exit 130' INT
	trap 'echo "# terminated"; exit 143' TERM
	# Debris of an earlier run that could not clean up.
	for old in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $old in fpx-[0-9]*) ip netns del "$old" 2>/dev/null ;; esac
	done
	if ! ip netns add "$NS" 2>/dev/null; then
		echo "# skip: cannot create a network namespace"
		exit 77
	fi
	for p in vm1 ul vm2; do
		if ! ip -n "$NS" link add "fpx-$p" type veth peer name "fpx-${p}p"; then
			echo "# skip: cannot create a veth pair in a network namespace"
			exit 77
		fi
	done
	ip -n "$NS" link set fpx-ul mtu 1600
	ip -n "$NS" link set fpx-ulp mtu 1600
	for p in lo fpx-vm1 fpx-vm1p fpx-ul fpx-ulp fpx-vm2 fpx-vm2p; do
		ip -n "$NS" link set "$p" up
	done
	FPX_INNER=1 FPX_NS=$NS FP_XDP=$FP_XDP BPFTOOL=$BPFTOOL \
		unshare -m --propagation private bash "$SELF"
	exit $?
fi

# ---- inside: private mount namespace.
NS=$FPX_NS
TMP=$(mktemp -d /tmp/fpx-run.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# in_ns CMD...: run CMD in the test's network namespace.
in_ns() { fp_in_ns "$NS" "$@"; }

# fpx CONF ARGS...: run fp-xdp; stdout in $OUT, stderr in $ERR, status in $RC.
fpx() {
	local conf=$1
	shift
	fp_run in_ns "$FP_XDP" -c "$conf" "$@"
}

# A config with the given fp_xdp extra lines and ports.
conf_write() {
	local file=$1 mode=$2
	shift 2
	{
		echo 'host = "hv-fpx";'
		echo 'vtep = { addresses = [ "172.16.0.1", "fd00:16::1" ]; };'
		echo 'tables = { vtep = 64; fdb = 1024; flood = 64; neigh = 1024; };'
		echo 'fp_xdp = {'
		echo "	instance = \"$INSTANCE\";"
		echo "	mode = \"$mode\";"
		echo '	ports = ('
		local sep=""
		for p in "$@"; do
			printf '%s\t\t%s' "$sep" "$p"
			sep=$',\n'
		done
		echo
		echo '	);'
		echo '};'
	} >"$file"
}

P_VM1='{ name = "vm1"; role = "vm"; iface = "fpx-vm1"; }'
P_UL='{ name = "uplink"; role = "underlay"; iface = "fpx-ul"; mtu = 1600; }'
P_VM2='{ name = "vm2"; role = "vm"; iface = "fpx-vm2"; mtu = 1450; }'
P_NOSUCH='{ name = "vm3"; role = "vm"; iface = "fpx-nosuch"; }'
CONF=$TMP/fpx.conf
conf_write "$CONF" native "$P_VM1" "$P_UL"

# status_json CONF PYTHON-EXPR: evaluate EXPR over the status JSON (as s).
status_is() {
	local conf=$1 expr=$2
	fpx "$conf" status --json
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out" "$expr" 2>/dev/null
}

# map_entries NAME [CONF]: the entry count status reports for a map.
map_entries() {
	fpx "${2:-$CONF}" status --json
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print([m.get("entries", -1) for m in s["maps"] if m["name"] == sys.argv[2]][0])' \
		"$TMP/out" "$1" 2>/dev/null
}

# xdp_of IFACE: "native ID", "generic ID" or "none", from ip link.
xdp_of() {
	local l id
	l=$(ip -n "$NS" -d link show dev "$1" 2>/dev/null)
	id=$(echo "$l" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n1)
	if echo "$l" | head -n1 | grep -q ' xdpgeneric '; then
		echo "generic $id"
	elif echo "$l" | head -n1 | grep -q ' xdp '; then
		echo "native $id"
	else
		echo none
	fi
}

fdb_present() {
	"$BPFTOOL" map lookup pinned "$PIN/fp_fdb" key hex "${FDB_KEY[@]}" >/dev/null 2>&1
}

generation() {
	"$BPFTOOL" -j map lookup pinned "$PIN/fp_host" key hex 00 00 00 00 2>/dev/null |
		python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]
print(int.from_bytes(bytes(int(x, 16) for x in v[100:104]), "little"))' 2>/dev/null
}

pins_all() {
	local m
	for m in $MAPS; do
		[ -e "$PIN/$m" ] || return 1
	done
}

echo "# fp-xdp $FP_XDP, bpftool $BPFTOOL, namespace $NS"

# -- config checks, before anything is attached
fpx "$CONF" --check-config
check "--check-config accepts a good config" test "$RC" = 0
check "--check-config names the instance" grep -q "instance \"$INSTANCE\"" <<<"$OUT"

BAD=$TMP/bad.conf
conf_write "$BAD" native "$P_VM1" \
	'{ name = "uplink"; role = "underlay"; iface = "fpx-ul"; mtu = 70000; }'
for cmd in --check-config attach; do
	fpx "$BAD" $cmd
	if [ "$RC" = 1 ] &&
		grep -qF "$BAD:9: fp_xdp.ports[1].mtu: 70000 out of range 68..9000" <<<"$ERR"; then
		ok "a bad config is refused with file:line ($cmd)"
	else
		not_ok "a bad config is refused with file:line ($cmd, rc $RC)"
		fp_run_show
	fi
done
fpx "$CONF" status --keep-maps
check "a misplaced option is a usage error (exit 2)" test "$RC" = 2

# -- bpffs: this mount namespace starts without it
# (unmounted here only: the host's bpffs, and what is pinned in it, is
# untouched, and the bpffs fp-xdp mounts is a new, empty instance).
fp_bpffs_unmount
if [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; then
	not_ok "start without bpffs on /sys/fs/bpf: cannot unmount it here"
	finish
fi
fpx "$CONF" stats
check "stats before attach fails (nothing pinned)" test "$RC" = 1

# -- attach
fpx "$CONF" attach
if [ "$RC" = 0 ]; then ok "attach"; else
	not_ok "attach (rc $RC)"
	fp_run_show
	finish
fi
check "attach mounted bpffs on /sys/fs/bpf" test "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs
check "attach said it mounted bpffs" grep -q "mounted it on /sys/fs/bpf" <<<"$ERR"
check "every map is pinned under $PIN" pins_all
check "the program is pinned as $PIN/fp_xdp_rx" test -e "$PIN/fp_xdp_rx"
read -r m1 id1 <<<"$(xdp_of fpx-vm1)"
read -r m2 id2 <<<"$(xdp_of fpx-ul)"
check "ip link: native XDP on fpx-vm1 and fpx-ul ($m1 $id1, $m2 $id2)" \
	test "$m1 $m2" = "native native" -a -n "$id1" -a "$id1" = "$id2"
check "fpx-vm2 (not configured) has no XDP program" test "$(xdp_of fpx-vm2)" = none
if status_is "$CONF" 's["attached"] and len(s["ports"]) == 2 and all(
	p["xdp_mode"] == "native" and p["flowplane"] and p["ok"] for p in s["ports"])'; then
	ok "status --json: native mode and flowplane's program on every port"
else
	not_ok "status --json: native mode and flowplane's program on every port"
	fp_run_show
fi
check "status --json: prog_id is the attached program" \
	status_is "$CONF" "(s['program']['id'] == $id1 and
		all(p['prog_id'] == $id1 for p in s['ports']))"
check "status --json: every map pinned" status_is "$CONF" 'all(m["pinned"] for m in s["maps"])'
fpx "$CONF" status
check "status exits 0 when attached" test "$RC" = 0
check "status (text) shows native mode per port" \
	test "$(grep -c "native, prog $id1 (fp_xdp_rx)" <<<"$OUT")" = 2
check "fp_port_cfg, fp_ifport, fp_ifslot, fp_tx: 2 entries each" \
	test "$(map_entries fp_port_cfg) $(map_entries fp_ifport) $(map_entries fp_ifslot) \
$(map_entries fp_tx)" = "2 2 2 2"
check "fp_port: the underlay port's entry only" test "$(map_entries fp_port)" = 1
check "fp_vtep is sized from the config (64)" \
	status_is "$CONF" '[m["max_entries"] for m in s["maps"] if m["name"] == "fp_vtep"] == [64]'
check "fp_host generation 1" test "$(generation)" = 1

# -- re-attach keeps the tables and replaces the program in place
if "$BPFTOOL" map update pinned "$PIN/fp_fdb" \
	key hex "${FDB_KEY[@]}" value hex "${FDB_VAL[@]}"; then
	ok "bpftool inserts an FDB entry into the pinned fp_fdb"
else
	not_ok "bpftool inserts an FDB entry into the pinned fp_fdb"
fi
fpx "$CONF" attach
check "re-attach" test "$RC" = 0
check "re-attach replaced the program on both ports" test "$(grep -c '^replaced' <<<"$OUT")" = 2
read -r m1 id1b <<<"$(xdp_of fpx-vm1)"
check "re-attach: a new program, still native ($m1 $id1b, was $id1)" \
	test "$m1" = native -a -n "$id1b" -a "$id1b" != "$id1"
check "re-attach: the pin is the new program" status_is "$CONF" "s['program']['id'] == $id1b"
check "re-attach: the old program is released" \
	bash -c "! '$BPFTOOL' prog show id $id1 >/dev/null 2>&1"
check "re-attach keeps the FDB entry inserted with bpftool" fdb_present
check "re-attach bumps fp_host's generation to 2" test "$(generation)" = 2

# -- fp_ifslot: an interface whose slot holds another ifindex is found
# through fp_ifport (status says so); attach takes back a slot whose
# holder is no configured port.
le32() { # N: 4 bytes, little-endian, for bpftool's hex
	printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 24 & 255))
}
ifx=$(ip -n "$NS" -o link show fpx-vm1 | cut -d: -f1)
other=$((ifx + 4096))
# shellcheck disable=SC2046 # the bytes are separate words
"$BPFTOOL" map update pinned "$PIN/fp_ifslot" key hex $(le32 $((ifx & 4095))) \
	value hex $(le32 "$other") $(le32 7)
check "status --json: port vm1 found through fp_ifport (slot held by ifindex $other)" \
	status_is "$CONF" "s['ports'][0].get('ifslot') is False and s['ports'][0]['ifslot_holder'] == $other"
fpx "$CONF" status
check "status (text) says port vm1 is found through fp_ifport" \
	grep -q "found through fp_ifport" <<<"$OUT"
fpx "$CONF" attach
check "re-attach takes the slot back from the unconfigured ifindex" \
	status_is "$CONF" 'all(p.get("ifslot") is True for p in s["ports"])'

# -- a port removed from the config is detached and cleared
conf_write "$TMP/three.conf" native "$P_VM1" "$P_UL" "$P_VM2"
fpx "$TMP/three.conf" attach
check "attach a third port" test "$RC" = 0 -a "$(xdp_of fpx-vm2 | cut -d' ' -f1)" = native
conf_write "$TMP/one.conf" native "$P_VM1"
fpx "$TMP/one.conf" attach
check "attach with ports removed" test "$RC" = 0
check "the removed ports' interfaces are detached" \
	test "$(xdp_of fpx-ul) $(xdp_of fpx-vm2)" = "none none"
check "the remaining port stays attached" test "$(xdp_of fpx-vm1 | cut -d' ' -f1)" = native
ONE=$TMP/one.conf
n_cfg=$(map_entries fp_port_cfg "$ONE")
n_ifport=$(map_entries fp_ifport "$ONE")
n_ifslot=$(map_entries fp_ifslot "$ONE")
n_tx=$(map_entries fp_tx "$ONE")
check "removed ports' fp_port_cfg, fp_ifport, fp_ifslot, fp_tx entries are cleared" \
	test "$n_cfg $n_ifport $n_ifslot $n_tx" = "1 1 1 1"
check "the removed underlay port's fp_port entry is cleared" \
	test "$(map_entries fp_port "$ONE")" = 0
check "the FDB entry survives" fdb_present
fpx "$CONF" attach
check "attach the two ports again" test "$RC" = 0 -a "$(xdp_of fpx-ul | cut -d' ' -f1)" = native

# -- a missing interface: refused, nothing changed
read -r _ id_before <<<"$(xdp_of fpx-vm1)"
gen_before=$(generation)
conf_write "$TMP/missing.conf" native "$P_VM1" "$P_UL" "$P_NOSUCH"
fpx "$TMP/missing.conf" attach
want='missing.conf:10: fp_xdp.ports[2] ("vm3"): interface "fpx-nosuch" does not exist'
if [ "$RC" = 1 ] && grep -qF "$want" <<<"$ERR"; then
	ok "a missing interface is refused, naming it and its file:line"
else
	not_ok "a missing interface is refused, naming it and its file:line (rc $RC)"
	fp_run_show
fi
read -r _ id_after <<<"$(xdp_of fpx-vm1)"
check "nothing changed: same program, same generation, same entries" \
	test "$id_after $(generation) $(map_entries fp_port_cfg)" = "$id_before $gen_before 2"

# -- a table size change needs new maps: refused, nothing changed
sed 's/fdb = 1024;/fdb = 2048;/' "$CONF" >"$TMP/resize.conf"
fpx "$TMP/resize.conf" attach
want="fp_fdb is pinned with 1024 entries, the config asks for 2048"
if [ "$RC" = 1 ] && grep -qF "$want" <<<"$ERR"; then
	ok "a table size change is refused, saying what differs"
else
	not_ok "a table size change is refused, saying what differs (rc $RC)"
	fp_run_show
fi
read -r _ id_after <<<"$(xdp_of fpx-vm1)"
check "nothing changed: same program, same generation, the FDB entry" \
	test "$id_after $(generation)" = "$id_before $gen_before" -a "$(map_entries fp_fdb)" = 1

# -- a foreign XDP program: refused, left alone
if command -v clang >/dev/null; then
	cat >"$TMP/other.c" <<'EOF'
#include <linux/bpf.h>
__attribute__((section("xdp"), used)) int other_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}
char lic[] __attribute__((section("license"), used)) = "GPL";
EOF
	if clang -target bpf -O2 -I"/usr/include/$(gcc -print-multiarch 2>/dev/null)" \
		-c "$TMP/other.c" -o "$TMP/other.o" 2>/dev/null &&
		ip -n "$NS" link set dev fpx-vm2 xdp obj "$TMP/other.o" sec xdp 2>/dev/null; then
		read -r _ id_other <<<"$(xdp_of fpx-vm2)"
		fpx "$TMP/three.conf" attach
		want="\"fpx-vm2\" has XDP program $id_other (\"other_xdp\")"
		if [ "$RC" = 1 ] && grep -qF "$want" <<<"$ERR"; then
			ok "a foreign XDP program is refused, naming it"
		else
			not_ok "a foreign XDP program is refused, naming it (rc $RC)"
			fp_run_show
		fi
		check "the foreign program is left in place" \
			test "$(xdp_of fpx-vm2)" = "native $id_other"
		ip -n "$NS" link set dev fpx-vm2 xdp off
	else
		ok "a foreign XDP program is refused # SKIP cannot build or attach one"
	fi
else
	ok "a foreign XDP program is refused # SKIP no clang"
fi

# -- stats: traffic into fpx-vm1 (ARP from its peer)
ip -n "$NS" addr add 10.99.0.1/24 dev fpx-vm1p
in_ns ping -c 3 -i 0.2 -W 1 -I fpx-vm1p 10.99.0.2 >/dev/null 2>&1
fpx "$CONF" stats --json
if [ "$RC" = 0 ] && python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
n = s["stats"]
sys.exit(0 if n["rx"] > 0 and n["rx"] == n["tx"] + n["drop"] + n["punt"] and
	 s["rx_balanced"] and n["drop"] == sum(s["drops"].values()) else 1)' "$TMP/out"; then
	ok "stats --json: rx > 0 and rx = tx + drop + punt"
else
	not_ok "stats --json: rx > 0 and rx = tx + drop + punt (rc $RC)"
	fp_run_show
fi
fpx "$CONF" stats
check "stats (text) checks rx = tx + drop + punt" grep -q "rx = tx + drop + punt: ok" <<<"$OUT"

# -- fpctl --xdp: the same operator CLI on the XDP engine's maps (show
# conntrack on a connection written with bpftool)
FPCTL=${FPCTL:-$FP_BUILDDIR/control/fpctl}
fpc() { # ARGS...: fpctl on this instance; $OUT, $ERR, $RC
	fp_run "$FPCTL" --xdp "$INSTANCE" "$@"
}
if [ -x "$FPCTL" ]; then
	fpc show tables
	check "fpctl --xdp show tables: the host and the fdb table" \
		test "$RC" = 0 -a -n "$(grep -E '^host ' <<<"$OUT")" -a -n "$(grep -E '^fdb ' <<<"$OUT")"
	fpc show stats
	check "fpctl --xdp show stats: rx = tx + drop + punt" grep -q "rx = tx + drop + punt: ok" <<<"$OUT"
	fpc add port 0 vni 100 mac 02:00:00:00:00:01 antispoof on addr 10.99.0.2/32
	check "fpctl --xdp add port 0 (vm)" test "$RC" = 0
	fpc add fdb 100 02:00:00:00:00:09 port 0
	check "fpctl --xdp add fdb" test "$RC" = 0
	fpc dump fdb
	check "fpctl --xdp dump fdb shows it" grep -q "02:00:00:00:00:09 port 0" <<<"$OUT"
	fpc add fdb 100 02:00:00:00:00:0a vtep 9
	check "fpctl --xdp: an fdb entry to a missing vtep is refused ($ERR)" \
		test "$RC" = 1 -a -n "$(grep 'vtep 9 does not exist' <<<"$ERR")"
	fpc add port 1 vni 5 mac 02:00:00:00:00:05
	check "fpctl --xdp: the underlay port's entry is the config's ($ERR)" \
		test "$RC" = 1 -a -n "$(grep 'port 1: not a VM port; its entry is owned' <<<"$ERR")"
	fpc add flood 100 port 0
	check "fpctl --xdp add flood: fp_vni has VNI 100" \
		test "$RC" = 0 -a "$(map_entries fp_vni)" = 1
	fpc del flood 100
	check "fpctl --xdp del flood: fp_vni has none" \
		test "$RC" = 0 -a "$(map_entries fp_vni)" = 0
	fpc del fdb 100 02:00:00:00:00:09
	fpc dump fdb
	check "fpctl --xdp del fdb" test "$RC" = 0 -a -z "$(grep 02:00:00:00:00:09 <<<"$OUT")"
	check "and the FDB entry put there with bpftool is untouched" fdb_present
	# Routes (doc/routing.md): fp_route, an LPM trie; an fdb router entry.
	fpc add route 7 10.98.0.0/24 connected vni 100 mac 02:00:00:00:ee:01 mtu 1500 \
		addr 10.98.0.1
	check "fpctl --xdp add route (connected) ($ERR)" test "$RC" = 0
	fpc add route 7 10.98.0.1 local
	check "fpctl --xdp add route (local) ($ERR)" test "$RC" = 0
	fpc add fdb 100 02:00:00:00:ee:01 router 7
	check "fpctl --xdp add fdb ... router 7 ($ERR)" test "$RC" = 0
	fpc dump route
	check "fpctl --xdp dump route shows both, as table keys" \
		test "$(grep -c '^route 7 10.98.0.0/24 connected\|^route 7 10.98.0.1/32 local' \
			<<<"$OUT")" = 2
	check "status: fp_route holds 2 entries" test "$(map_entries fp_route)" = 2
	fpc add nat snat 7 10.98.0.5 to 172.24.4.5 net 300 mac 02:00:00:00:0f:01
	check "fpctl --xdp: nat refused ($ERR)" \
		test "$RC" = 1 -a -n "$(grep 'does not translate floating IPs' <<<"$ERR")"
	fpc del fdb 100 02:00:00:00:ee:01
	fpc del route 7 10.98.0.1
	fpc del route 7 10.98.0.0/24
	check "fpctl --xdp del route: fp_route is empty ($ERR)" \
		test "$RC" = 0 -a "$(map_entries fp_route)" = 0
	# A connection put into fp_ct with bpftool: zone 0, tcp 10.99.0.1:1024 ->
	# 10.99.0.2:80, established, opened by a on egress, rule 42 (ports in
	# host order, as the engines write them); its last packet now
	# (/proc/uptime, close to CLOCK_MONOTONIC): fpctl lists live
	# connections only.
	read -r CT_UP _ </proc/uptime
	CT_NS=$((${CT_UP%%.*} * 1000000000 + 10#${CT_UP#*.} * 10000000))
	CT_LAST=()
	for i in 0 1 2 3 4 5 6 7; do
		CT_LAST+=("$(printf '%02x' $(((CT_NS >> (8 * i)) & 255)))")
	done
	CT_IP=(00 00 00 00 00 00 00 00 00 00 ff ff 0a 63 00)
	"$BPFTOOL" map update pinned "$PIN/fp_ct" key hex "${CT_IP[@]}" 01 "${CT_IP[@]}" 02 \
		00 04 50 00 00 00 06 00 value hex "${CT_LAST[@]}" 00 00 00 00 \
		2a 00 00 00 03 03 00 00 00 00 00 00
	fpc show conntrack zone 0
	CT_LINE="^zone 0 tcp 10.99.0.1 1024 10.99.0.2 80 orig a egress state established"
	check "fpctl --xdp show conntrack lists a connection of fp_ct" \
		grep -Eq "$CT_LINE age [0-9]+ gen 0 rule 42$" <<<"$OUT"
	"$BPFTOOL" map delete pinned "$PIN/fp_ct" key hex "${CT_IP[@]}" 01 "${CT_IP[@]}" 02 \
		00 04 50 00 00 00 06 00
	fpc --json show conntrack
	check "fpctl --xdp show conntrack: none left" \
		grep -q '^{"connections":\[\],"truncated":false,"limit":10000}$' <<<"$OUT"
else
	not_ok "fpctl not built: $FPCTL"
fi

# -- generic mode, on request, and back
conf_write "$TMP/generic.conf" generic "$P_VM1" "$P_UL"
fpx "$TMP/generic.conf" attach
check "attach in generic mode" test "$RC" = 0
check "generic mode is warned about" grep -q 'mode = "generic"' <<<"$ERR"
check "ip link: generic XDP on both ports" test \
	"$(xdp_of fpx-vm1 | cut -d' ' -f1) $(xdp_of fpx-ul | cut -d' ' -f1)" = "generic generic"
check "status --json says generic" \
	status_is "$TMP/generic.conf" \
	'all(p["xdp_mode"] == "generic" and p["ok"] for p in s["ports"])'
fpx "$CONF" status
check "status exits 3 when the mode is not the configured one" test "$RC" = 3
fpx "$CONF" attach
check "back to native mode" test "$RC" = 0 -a \
	"$(xdp_of fpx-vm1 | cut -d' ' -f1) $(xdp_of fpx-ul | cut -d' ' -f1)" = "native native"
check "the FDB entry survives the mode changes" fdb_present

# -- detach --keep-maps
fpx "$CONF" detach --keep-maps
check "detach --keep-maps" test "$RC" = 0
check "no XDP program on the ports" test "$(xdp_of fpx-vm1) $(xdp_of fpx-ul)" = "none none"
check "the map pins are kept" pins_all
check "the program pin is gone" test ! -e "$PIN/fp_xdp_rx"
check "the FDB entry is kept" fdb_present
fpx "$CONF" status
check "status exits 3 when detached" test "$RC" = 3
fpx "$CONF" attach
attached_with_fdb() {
	[ "$RC" = 0 ] && fdb_present
}
check "attach after detach --keep-maps finds the FDB entry" attached_with_fdb

# -- run: attach, sweep expired connections every second, SIGHUP, and
# SIGTERM without detaching
ct_present() { # KEY...
	"$BPFTOOL" map lookup pinned "$PIN/fp_ct" key hex "$@" >/dev/null 2>&1
}
ct_absent() { # KEY...
	! ct_present "$@"
}
"$BPFTOOL" map update pinned "$PIN/fp_ct" key hex "${CT_OLD_KEY[@]}" value hex "${CT_OLD_VAL[@]}" &&
	"$BPFTOOL" map update pinned "$PIN/fp_ct" key hex "${CT_NEW_KEY[@]}" value hex "${CT_NEW_VAL[@]}"
check "bpftool inserts an expired and a live connection into fp_ct" test $? = 0
read -r _ id_run <<<"$(xdp_of fpx-vm1)"
# nsenter execs fp-xdp: $! is its pid, the signals reach it.
nsenter --net="/run/netns/$NS" "$FP_XDP" -c "$CONF" run >"$TMP/run.out" 2>&1 &
RUN_PID=$!
sleep 3
check "run: the expired connection is swept out" ct_absent "${CT_OLD_KEY[@]}"
check "run: the live connection stays" ct_present "${CT_NEW_KEY[@]}"
check "run: still running after 3 s" kill -0 "$RUN_PID"
kill -HUP "$RUN_PID"
sleep 1.5
check "run: SIGHUP writes the conntrack timeouts" grep -q "reload: conntrack timeouts" "$TMP/run.out"
check "run: SIGHUP writes the guard group" grep -q "reload: guard written" "$TMP/run.out"
check "run: an unchanged config waits for no attach" \
	sh -c '! grep -q "take effect at the next attach" "$1"' _ "$TMP/run.out"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
check "run: SIGTERM ends it with status 0" test $? = 0
kill -KILL "$RUN_PID" 2>/dev/null # never left behind
read -r m_run id_run2 <<<"$(xdp_of fpx-vm1)"
check "run: it attached, and the programs stay after SIGTERM ($m_run $id_run2)" \
	test "$m_run" = native -a -n "$id_run2" -a "$id_run2" != "$id_run"
check "run: the live connection survives it" ct_present "${CT_NEW_KEY[@]}"
sed 's/^/#   /' "$TMP/run.out"

# -- detach
fpx "$CONF" detach
check "detach" test "$RC" = 0
check "no XDP program on the ports" test "$(xdp_of fpx-vm1) $(xdp_of fpx-ul)" = "none none"
check "the instance directory $PIN is removed" test ! -e "$PIN"
fpx "$CONF" detach
check "a second detach is harmless" test "$RC" = 0

finish
