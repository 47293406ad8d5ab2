#!/bin/bash
# The README's first command ends here: migrate samples/oldhost with the
# freshly built qmail2postfix and print the migration report.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/_build}
prog=$build/qmail2postfix
if [ ! -x "$prog" ]; then
	echo "demo: $prog was not built" >&2
	exit 2
fi
out=$build/demo-out
rm -rf "$out"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
# git keeps neither empty Maildir folders nor file modes: rebuild them
cp -a "$src/samples/oldhost" "$tree/oldhost"
python3 "$src/samples/tools/make-oldhost.py" --fixup "$tree/oldhost" \
    --tree oldhost >/dev/null || exit 2
"$prog" --root "$tree/oldhost" -o "$out"
rc=$?
[ -f "$out/migration-report.txt" ] && cat "$out/migration-report.txt"
echo "demo: qmail2postfix exited $rc; output in $out"
[ "$rc" -le 1 ]
