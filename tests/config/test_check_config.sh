#!/bin/bash
# Every program's --check-config checks the whole file (control/conf_check.h):
# each fixture of tests/fixtures/config/whole/ says, in "# expect PROGRAM:"
# lines, what fp-dpdk, fp-control and fp-xdp answer: "ok", or the exact
# error text after "PROGRAM: error: " (file:line: prefix removed), which
# names the part.  No root needed.
#
#   test_check_config.sh BUILDDIR SRCDIR
set -u
B=$1
SRC=$2
declare -A BIN=([fp-dpdk]=$B/dataplane/fp-dpdk [fp-control]=$B/control/fp-control
	[fp-xdp]=$B/bpf/fp-xdp)
. "$(dirname "$0")/../install/tap.sh"

for f in "$SRC"/tests/fixtures/config/whole/*.conf; do
	name=$(basename "$f")
	for p in fp-dpdk fp-control fp-xdp; do
		want=$(sed -n "s/^# expect $p: //p" "$f")
		if [ -z "$want" ]; then
			not_ok "$name: no \"# expect $p:\" line"
			continue
		fi
		out=$("${BIN[$p]}" --check-config "$f" 2>&1)
		rc=$?
		if [ "$want" = ok ]; then
			if [ $rc = 0 ] && grep -q "^$f: ok (checked:" <<<"$out"; then
				ok "$name: $p --check-config: ok ($(grep -o 'checked:[^)]*' <<<"$out"))"
			else
				not_ok "$name: $p --check-config: want ok, got exit $rc"
				sed 's/^/# /' <<<"$out"
			fi
			continue
		fi
		got=$(sed -n "s/^.* $p: error: $(sed 's/[][\.*^$/]/\\&/g' <<<"$f"):[0-9]*: //p" <<<"$out")
		if [ $rc = 1 ] && [ "$got" = "$want" ]; then
			ok "$name: $p --check-config: $want"
		else
			not_ok "$name: $p --check-config: want exit 1 and \"$want\""
			sed 's/^/# got: /' <<<"$out"
		fi
	done
done
tap_end
