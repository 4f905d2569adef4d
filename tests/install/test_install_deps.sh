#!/usr/bin/env bash
# scripts/install-deps.sh against stub apt tools: which packages it asks
# apt-get for, on machines with and without bpftool's package, and that
# every package it names has a candidate in this machine's real apt lists.
#
# The stubs make apt-cache's answer long (a version table of thousands of
# lines, as on a machine with many sources), so a `apt-cache | grep -q`
# under pipefail gets SIGPIPE here as it did on a fresh Debian 12.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
script=$src/scripts/install-deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
BASH_BIN=$(command -v bash)

n_ok=0
n_fail=0
ok() { n_ok=$((n_ok + 1)); echo "ok - $*"; }
fail() { n_fail=$((n_fail + 1)); echo "FAIL - $*"; }

# stubs DIR: apt tools driven by files in DIR/state:
#   installed     packages dpkg-query reports installed (one per line)
#   candidates    packages apt-cache policy gives a candidate
#   uid           what id -u prints
# and logging what apt-get is asked into DIR/state/apt-get.log.
stubs() {
	local d=$1
	mkdir -p "$d/bin" "$d/state"
	: >"$d/state/installed"
	: >"$d/state/candidates"
	: >"$d/state/apt-get.log"
	echo 0 >"$d/state/uid"
	cat >"$d/bin/id" <<STUB
#!$BASH_BIN
[ "\$1" = -u ] && { read -r uid <"$d/state/uid"; echo "\$uid"; }
STUB
	cat >"$d/bin/uname" <<STUB
#!$BASH_BIN
echo 6.1.0-test-amd64
STUB
	cat >"$d/bin/dpkg-query" <<STUB
#!$BASH_BIN
pkg=\${!#}
while read -r p; do
	[ "\$p" = "\$pkg" ] && { printf 'install ok installed'; exit 0; }
done <"$d/state/installed"
echo "dpkg-query: no packages found matching \$pkg" >&2
exit 1
STUB
	cat >"$d/bin/apt-cache" <<STUB
#!$BASH_BIN
[ "\$1" = policy ] || exit 100
pkg=\$2
echo "\$pkg:"
echo "  Installed: (none)"
cand=
while read -r p; do [ "\$p" = "\$pkg" ] && cand=1; done <"$d/state/candidates"
if [ -n "\$cand" ]; then
	echo "  Candidate: 7.1.0+6.1.0-1"
else
	echo "  Candidate: (none)"
fi
echo "  Version table:"
i=0
while [ \$i -lt 1200 ]; do
	echo "     7.1.0+6.1.0-\$i 500 http://deb.debian.org/debian bookworm/main amd64 Packages"
	i=\$((i + 1))
done
STUB
	cat >"$d/bin/apt-get" <<STUB
#!$BASH_BIN
echo "\$*" >>"$d/state/apt-get.log"
STUB
	cat >"$d/bin/debconf-set-selections" <<STUB
#!$BASH_BIN
while read -r line; do :; done
STUB
	chmod +x "$d/bin"/*
	# the ordinary tools a script may use, but not bpftool
	local t
	for t in grep sed awk cat tr head tail sort uniq wc cut; do
		ln -s "$(command -v $t)" "$d/bin/$t"
	done
}

# run DIR: install-deps.sh with only the stubs on PATH (no real bpftool)
run() {
	local d=$1
	PATH="$d/bin" "$BASH_BIN" "$script" >"$d/out" 2>&1
	echo $? >"$d/rc"
}
installs() { # DIR: the packages of the apt-get install line, one per line
	grep '^install ' "$1/state/apt-get.log" | tr ' ' '\n' |
		grep -v -e '^install$' -e '^-' -e '^$'
}
has() { installs "$1" | grep -qx -- "$2"; }

# 1. Debian 12: bpftool has a candidate and is not installed.
d=$work/deb12
stubs "$d"
echo bpftool >"$d/state/candidates"
echo linux-tools-common >>"$d/state/candidates"
run "$d"
if [ "$(cat "$d/rc")" = 0 ] && has "$d" bpftool && ! has "$d" linux-tools-common; then
	ok "bpftool with a candidate is installed as bpftool"
else
	fail "bpftool with a candidate: rc $(cat "$d/rc"), asked: $(installs "$d" | tr '\n' ' ')"
	sed 's/^/  | /' "$d/out"
fi
if has "$d" meson && has "$d" libdpdk-dev && has "$d" libbpf-dev && has "$d" libssl-dev; then
	ok "a machine with nothing installed gets the build packages"
else
	fail "build packages missing from: $(installs "$d" | tr '\n' ' ')"
fi

# 2. An older release: bpftool only in linux-tools-common (+ the kernel's).
d=$work/old
stubs "$d"
printf 'linux-tools-common\nlinux-tools-6.1.0-test-amd64\n' >"$d/state/candidates"
run "$d"
if [ "$(cat "$d/rc")" = 0 ] && has "$d" linux-tools-common &&
	has "$d" linux-tools-6.1.0-test-amd64 && ! has "$d" bpftool; then
	ok "without a bpftool package, linux-tools-common and the kernel's tools"
else
	fail "linux-tools fallback: rc $(cat "$d/rc"), asked: $(installs "$d" | tr '\n' ' ')"
	sed 's/^/  | /' "$d/out"
fi

# 3. No package provides bpftool: a clear error, nothing installed.
d=$work/none
stubs "$d"
run "$d"
if [ "$(cat "$d/rc")" != 0 ] && grep -q 'no package provides bpftool' "$d/out" &&
	! grep -q '^install ' "$d/state/apt-get.log"; then
	ok "no bpftool anywhere: refused with a message, nothing installed"
else
	fail "no bpftool anywhere: rc $(cat "$d/rc"), out: $(cat "$d/out")"
fi

# 4. Everything installed: silent, no apt-get at all.
d=$work/all
stubs "$d"
echo bpftool >"$d/state/candidates"
run "$d" # learn the package list from a first run
installs "$d" >"$d/state/installed"
: >"$d/state/apt-get.log"
run "$d"
if [ "$(cat "$d/rc")" = 0 ] && [ ! -s "$d/state/apt-get.log" ] && [ ! -s "$d/out" ]; then
	ok "everything installed: no apt-get, no output"
else
	fail "everything installed: rc $(cat "$d/rc"), apt-get: $(cat "$d/state/apt-get.log"), out: $(cat "$d/out")"
fi

# 5. Not root: refused before anything.
d=$work/user
stubs "$d"
echo bpftool >"$d/state/candidates"
echo 1000 >"$d/state/uid"
run "$d"
if [ "$(cat "$d/rc")" != 0 ] && grep -q 'needs root' "$d/out" && [ ! -s "$d/state/apt-get.log" ]; then
	ok "not root: refused, no apt-get"
else
	fail "not root: rc $(cat "$d/rc"), out: $(cat "$d/out")"
fi

# 6. Every package named has a candidate in this machine's real apt lists
#    (the class of mistake that shipped: a package Debian 12 lacks).
d=$work/deb12
re='Candidate: [^(]'
if [[ $(apt-cache policy bash 2>/dev/null) =~ $re ]]; then
	# one apt-cache call for all of them (each call reads the lists: ~0.7 s)
	# (a package apt does not know at all prints nothing on stdout)
	have=$(apt-cache policy $(installs "$d") 2>/dev/null | awk '
		/^[^ ]/ { pkg = $1; sub(":$", "", pkg) }
		/^  Candidate: [^(]/ { print pkg }')
	bad=
	for p in $(installs "$d"); do
		grep -qx -- "$p" <<<"$have" || bad="$bad $p"
	done
	if [ -z "$bad" ]; then
		ok "every package install-deps names has a candidate here ($(installs "$d" | wc -l))"
	else
		fail "packages without a candidate here:$bad"
	fi
else
	echo "skip - no apt lists on this machine for the real-candidate check"
fi

echo "$n_ok passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
