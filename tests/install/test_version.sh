#!/bin/bash
# --version from a source tree without .git (a release tarball): git
# describe is "unknown", also when the tree is unpacked inside another
# git checkout (whose describe must not be taken).  No root needed.
#
#   test_version.sh MESON SRCDIR BUILDDIR
set -u
MESON=$1
SRC=$2
B=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tap.sh"

# The build under test, from a checkout: a real describe.
if grep -q 'FP_GIT_DESCRIBE "unknown"' "$B/lib/version_gen.h"; then
	not_ok "a build from the checkout names its commit"
else
	ok "a build from the checkout names its commit ($(grep -o 'DESCRIBE "[^"]*"' "$B/lib/version_gen.h"))"
fi

# An outer checkout with a commit of its own, the tree unpacked inside.
git init -q "$T/outer"
git -C "$T/outer" -c user.name=t -c user.email=t@t commit -q --allow-empty -m outer
mkdir "$T/outer/flowplane"
tar -C "$SRC" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$T/outer/flowplane" -xf -
if ! "$MESON" setup "$T/b" "$T/outer/flowplane" >"$T/setup.log" 2>&1; then
	not_ok "meson setup of the unpacked tree"
	tail -n 20 "$T/setup.log" | sed 's/^/# /'
	tap_end
fi
ok "meson setup of the unpacked tree"
if ninja -C "$T/b" lib/version_gen.h >"$T/ninja.log" 2>&1 &&
	grep -q 'FP_GIT_DESCRIBE "unknown"' "$T/b/lib/version_gen.h"; then
	ok "without .git, git describe is \"unknown\""
else
	not_ok "without .git, git describe is \"unknown\""
	sed 's/^/# /' "$T/ninja.log" "$T/b/lib/version_gen.h"
fi
if grep -q "FP_VERSION \"$("$MESON" introspect "$B" --projectinfo |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')\"" \
	"$T/b/lib/version_gen.h"; then
	ok "the project version is there"
else
	not_ok "the project version is there"
fi
tap_end
