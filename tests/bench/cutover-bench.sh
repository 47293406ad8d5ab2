#!/bin/bash
# NAME		cutover-bench - cutover-report on 1,000 domains, 10,000 forwards
# DOES		generates the migration and its zones (tests/bench/
#		cutover-gen.py), serves them with NSD on loopback (the
#		integration harness), times cutover-report start to exit
#		(JSON and HTML) and, in one process, a cold run (every
#		question to NSD once) against a warm one (every answer from
#		the per-run cache: our code without DNS round trips); checks
#		that no question went to the server twice
# NEVER		keeps the generated files
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/lib/harness.sh"
h_init cutover-bench
NDOM=${CUTOVER_BENCH_DOMAINS:-1000}
NFWD=${CUTOVER_BENCH_FORWARDS:-10000}
python3 "$top_srcdir/tests/bench/cutover-gen.py" "$H_DIR/gen" "$NDOM" "$NFWD" ||
    tap_bail "generator"
h_nsd_start "$H_DIR/gen/zones" 2>/dev/null || tap_bail "nsd"
S=127.0.0.1@$H_DNS_PORT
now() { date +%s.%N; }
run() {	# FORMAT
	"$top_builddir/cutover-report" --migration "$H_DIR/gen/migration.json" \
	    --ip 198.51.100.25 --helo mx1.bench.test --dns-server "$S" \
	    --now 1795000000 --sample-sender sender.remote.test --stats \
	    --format "$1" -o "$H_DIR/report.$1" 2>"$H_DIR/stats.$1"
}
t0=$(now); run json; rc=$?; t1=$(now); run html; t2=$(now)
json_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
html_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
inproc=$("$top_builddir/tests/bench/cutover_inproc" \
    "$H_DIR/gen/migration.json" "$S") || tap_bail "cutover_inproc"
h_nsd_stop
val() { printf '%s\n' "$inproc" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
echo "cutover-report, $NDOM domains, $NFWD forwards (exit $rc)"
printf '  %-44s %8s s   %s\n' "process, --format json" "$json_s" \
    "$(sed 's/^cutover-report: stats: //' "$H_DIR/stats.json")"
printf '  %-44s %8s s   (%s bytes)\n' "process, --format html" "$html_s" \
    "$(stat -c %s "$H_DIR/report.html")"
printf '  %-44s %8s s\n' "in process: read migration.json" "$(val read_s)"
printf '  %-44s %8s s   %s questions to NSD, %s packets, %s timeouts\n' \
    "in process: checks, cold cache" "$(val cold_s)" \
    "$(( $(val cold_queries) - $(val cold_cache_hits) ))" "$(val cold_sent)" \
    "$(val cold_timeouts)"
printf '  %-44s %8s s   %s packets\n' "in process: checks, warm cache (no DNS)" \
    "$(val warm_s)" "$(val warm_sent)"
printf '  %-44s %8s s   (%s bytes)\n' "in process: JSON rendering" \
    "$(val json_s)" "$(val json_bytes)"
awk -v c="$(val cold_s)" -v w="$(val warm_s)" -v q="$(( $(val cold_queries) - $(val cold_cache_hits) ))" 'BEGIN {
	printf "  DNS share of the cold run: %.0f%% (%.0f us per question)\n",
	    100 * (c - w) / c, 1e6 * (c - w) / q }'
# each question at most once: a cache miss sends exactly one packet
if [ "$(val cold_sent)" = "$(( $(val cold_queries) - $(val cold_cache_hits) ))" ] &&
    [ "$(val cold_timeouts)" = 0 ] && [ "$(val warm_sent)" = 0 ]; then
	echo "  each DNS question went to the server once: yes"
else
	echo "  each DNS question went to the server once: NO"; exit 1
fi
