#!/bin/sh
# Replays every fuzz target's seed corpus (tests/fuzz/corpus/TARGET/) through
# the target built with the replay driver; one TAP line per target.
# A target with no seeds fails: an empty corpus tests nothing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
targets=$(cd "$top_builddir/tests/fuzz" 2>/dev/null && ls fuzz_* 2>/dev/null |
    grep -v '\.' )
n=$(printf '%s\n' $targets | grep -c .)
echo "1..$n"
i=0
for t in $targets; do
	i=$((i + 1))
	corpus="$top_srcdir/tests/fuzz/corpus/${t#fuzz_}"
	if out=$("$top_builddir/tests/fuzz/$t" "$corpus" 2>&1); then
		echo "ok $i - $t: $out"
	else
		echo "not ok $i - $t"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 30
	fi
done
