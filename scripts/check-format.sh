#!/usr/bin/env bash
# Fails when a C file differs from what clang-format (.clang-format, the
# kernel-derived style of STYLE.md 3) makes of it.  Fix with:
#   clang-format -i $(git ls-files '*.c' '*.h')
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find include dataplane control bpf bench tests -name '*.[ch]')
fi
bad=0
for f in "${files[@]}"; do
	if ! clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f differs from clang-format; run: clang-format -i $f"
		bad=1
	fi
done
[ "$bad" = 0 ] && echo "format: ${#files[@]} files ok"
exit "$bad"
