#!/bin/bash
# meson install into a DESTDIR (doc/operations.md): the programs, the
# example config, the systemd units and the man pages are there; the
# programs print their version; each program's --help and man page name
# the same long options; systemd-analyze verify accepts the units.  No
# root needed.
#
#   test_install.sh MESON BUILDDIR
set -u
MESON=$1
B=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/tap.sh"

info=$("$MESON" introspect "$B" --buildoptions --projectinfo) || {
	echo "Bail out! meson introspect $B failed"
	exit 1
}
read -r PREFIX BINDIR SYSCONFDIR MANDIR UNITDIR BENCH VERSION < <(/usr/bin/python3 -c '
import json, sys
info = json.load(sys.stdin)
opts, proj = info["buildoptions"], info["projectinfo"]
o = {x["name"]: x["value"] for x in opts}
unit = o["systemdunitdir"] or o["prefix"] + "/lib/systemd/system"
print(o["prefix"], o["bindir"], o["sysconfdir"], o["mandir"], unit,
      str(o["install_bench"]).lower(), proj["version"])' <<<"$info")
abs() { case $1 in /*) echo "$1" ;; *) echo "$PREFIX/$1" ;; esac; }
D=$T/root
BIN=$D$(abs "$BINDIR")
ETC=$D$(abs "$SYSCONFDIR")
MAN=$D$(abs "$MANDIR")
UNITS=$D$UNITDIR

if "$MESON" install -C "$B" --destdir "$D" --no-rebuild --quiet >"$T/install.log" 2>&1; then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir"
	sed 's/^/# /' "$T/install.log"
	tap_end
fi

# Programs: the four, and the bench tools only with -Dinstall_bench=true.
for p in fp-dpdk fp-xdp fp-control fpctl; do
	check "$p installed in $(abs "$BINDIR")" test -x "$BIN/$p"
	out=$("$BIN/$p" --version 2>&1)
	check "$p --version: \"$out\"" grep -qE "^$p $VERSION \(git [^ )]+\)$" <<<"$out"
done
for p in fp-bench fp-bench-control fp-bench-xdp fp-bench-xdp-gen; do
	if [ "$BENCH" = true ]; then
		check "$p installed (install_bench=true)" test -x "$BIN/$p"
	else
		check "$p not installed (install_bench=false)" test ! -e "$BIN/$p"
	fi
done

# The example config, valid for the installed programs.
check "example config installed" test -f "$ETC/flowplane/flowplane.conf.example"
check "the example config passes fp-dpdk --check-config" \
	sh -c '"$0" --check-config "$1" >/dev/null' "$BIN/fp-dpdk" \
	"$ETC/flowplane/flowplane.conf.example"

# Man pages: there, rendered without warnings, and naming the same long
# options as --help.
long_opts() { grep -oE -- '--[a-z][a-z-]*' | sort -u; }
for m in man8/fp-dpdk.8 man8/fp-xdp.8 man8/fp-control.8 man8/fpctl.8 man5/flowplane.conf.5; do
	check "man page $m installed" test -f "$MAN/$m"
	warn=$(groff -man -Tascii -ww -z "$MAN/$m" 2>&1)
	check "man page $m renders without warnings" test -z "$warn"
done
for p in fp-dpdk fp-xdp fp-control fpctl; do
	h=$("$BIN/$p" --help 2>&1 | long_opts)
	m=$(groff -man -Tascii -rLL=250n "$MAN/man8/$p.8" 2>/dev/null | col -b | long_opts)
	if [ -n "$h" ] && [ "$h" = "$m" ]; then
		ok "$p: --help and $p(8) name the same options ($(echo $h))"
	else
		not_ok "$p: --help and $p(8) name the same options"
		diff <(echo "$h") <(echo "$m") | sed 's/^/# /'
	fi
done

# Units: there, and accepted by systemd-analyze verify, silently.  verify
# checks that ExecStart= programs exist: it reads copies that point at the
# DESTDIR's programs, and finds the man pages of Documentation= there.
mkdir "$T/units"
for u in fp-dpdk.service fp-xdp.service fp-control@.service; do
	check "unit $u installed in $UNITDIR" test -f "$UNITS/$u"
	sed "s|$(abs "$BINDIR")/|$BIN/|g" "$UNITS/$u" >"$T/units/$u"
done
cp "$T/units/fp-control@.service" "$T/units/fp-control@dpdk.service"
cp "$T/units/fp-control@.service" "$T/units/fp-control@xdp.service"
for u in fp-dpdk.service fp-xdp.service fp-control@dpdk.service fp-control@xdp.service; do
	out=$(cd "$T/units" && MANPATH=$MAN SYSTEMD_LOG_LEVEL=notice \
		/usr/bin/systemd-analyze verify "./$u" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ -z "$out" ]; then
		ok "systemd-analyze verify $u"
	else
		not_ok "systemd-analyze verify $u (exit $rc)"
		sed 's/^/# /' <<<"$out"
	fi
done
check "fp-control@.service wants and follows its engine" \
	grep -qx 'Wants=fp-%i.service' "$UNITS/fp-control@.service"
for u in fp-dpdk.service fp-control@.service; do
	check "$u: Restart=on-failure, ExecReload sends SIGHUP" \
		grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$UNITS/$u" &&
		grep -qx 'Restart=on-failure' "$UNITS/$u"
done

tap_end
