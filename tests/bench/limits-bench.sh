#!/bin/sh
# NAME		limits-bench - the log scanner on 1 GB of old-host logs
# DOES		generates the logs in a temporary directory (deleted after),
#		times wc -l, grep -c and limits-tool --logs on the same file
#		(page cache warm for all three), reports MB/s and the scanner's
#		peak RSS; the target is at least half of grep's speed
# NEVER		keeps the generated file
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
SIZE_MB=${LIMITS_BENCH_MB:-1024}
tmp=$(mktemp -d -p "${TMPDIR:-/tmp}") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
log=$tmp/maillog
python3 "$top_srcdir/tests/bench/limits-gen.py" "$log" "$SIZE_MB" || exit 1
bytes=$(stat -c %s "$log")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
cat "$log" >/dev/null
now() { date +%s.%N; }
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
t0=$(now); lines=$(wc -l <"$log"); t1=$(now)
wc_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now); hits=$(grep -c 'tcpserver: ' "$log"); t1=$(now)
grep_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
mkdir -p "$tmp/out"
t0=$(now)
/usr/bin/time -f '%M' -o "$tmp/rss" "$top_builddir/migrate/limits-tool" \
    --root "$tmp/none" -o "$tmp/out" --logs "$log" 2>"$tmp/err" || {
	cat "$tmp/err"; exit 1; }
t1=$(now)
scan_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
rss=$(tail -n 1 "$tmp/rss")
echo "limits log scan, $mb MB, $lines lines ($hits tcpserver lines)"
printf '  %-28s %8.2f s %6s MB/s\n' "wc -l" "$wc_s" "$(rate "$wc_s")"
printf '  %-28s %8.2f s %6s MB/s\n' "grep -c 'tcpserver: '" "$grep_s" "$(rate "$grep_s")"
printf '  %-28s %8.2f s %6s MB/s  peak RSS %s KB\n' "limits-tool --logs" \
    "$scan_s" "$(rate "$scan_s")" "$rss"
awk -v g="$grep_s" -v s="$scan_s" 'BEGIN {
	r = g / s
	printf "  scanner / grep speed: %.2f (target >= 0.50): %s\n", r,
	    (r >= 0.5 ? "met" : "NOT met") }'
