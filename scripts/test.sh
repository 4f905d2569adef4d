#!/usr/bin/env bash
# The whole test suite, as CI runs it (README, second command):
#   installs the Debian packages it needs (idempotent), builds, runs the
#   unit, bpf and integration suites, then the unit suite again under
#   ASan+UBSan, and ends with one "N passed, M failed" line.
# Needs root for the integration tests (namespaces); they skip otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD

bash scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

fail=0
setup() { # dir, options...
	local dir=$1; shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
	else
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" || return 1
}

echo "== build (release)"
setup build --buildtype=release || { echo "0 passed, 1 failed"; exit 1; }
echo "== tests: unit + bpf + integration"
meson test -C build --print-errorlogs --suite unit --suite bpf --suite integration --num-processes 2 || fail=1

echo "== build (ASan+UBSan)"
setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
	|| { echo "0 passed, 1 failed"; exit 1; }
echo "== tests: unit under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs --suite unit --num-processes 2 || fail=1

# One closing line over both runs, from meson's own logs.
/usr/bin/python3 - "$src/build/meson-logs/testlog.json" "$src/build-asan/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $fail
