# TAP for the shell tests of the unit suite (meson protocol 'tap'):
#   ok TEXT, not_ok TEXT, check TEXT COMMAND..., tap_end (plan, exit).
N=0
FAIL=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAIL=1; echo "not ok $N - $1"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
tap_end() {
	echo "1..$N"
	exit $FAIL
}
