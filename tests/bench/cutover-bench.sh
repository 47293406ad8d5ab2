#!/bin/bash
# NAME		cutover-bench - cutover-report on 1,000 domains, 10,000 forwards
# DOES		generates the migration and its zones (tests/bench/
#		cutover-gen.py), serves them with NSD on loopback (the
#		integration harness), times cutover-report start to exit
#		(JSON and HTML) and, in one process, a cold run (every
#		question to NSD once) against a warm one (every answer from
#		the per-run cache: our code without DNS round trips); checks
#		that no question went to the server twice. Then against a
#		resolver DELAY ms away (NSD behind tests/bench/
#		cutover-delay.py): RUNS runs with the questions side by side
#		and one run one at a time, each next to its floor (round
#		trips x delay / concurrency; round trips x delay), the same
#		JSON both ways, each question to the server once
# NEVER		keeps the generated files
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/bench/cutover-delay.sh"
h_init cutover-bench
NDOM=${CUTOVER_BENCH_DOMAINS:-1000}
NFWD=${CUTOVER_BENCH_FORWARDS:-10000}
DELAY=${CUTOVER_BENCH_DELAY_MS:-20}
CONC=${CUTOVER_BENCH_CONCURRENCY:-64}
RUNS=${CUTOVER_BENCH_RUNS:-3}
SEQ=${CUTOVER_BENCH_SEQUENTIAL:-1}	# 0: no run one at a time (minutes)
python3 "$top_srcdir/tests/bench/cutover-gen.py" "$H_DIR/gen" "$NDOM" "$NFWD" ||
    tap_bail "generator"
h_nsd_start "$H_DIR/gen/zones" 2>/dev/null || tap_bail "nsd"
S=127.0.0.1@$H_DNS_PORT
now() { date +%s.%N; }
run() {	# FORMAT [SERVER [NAME [options]]]
	local fmt=$1 srv=${2:-$S} name=${3:-$1}
	shift 3 2>/dev/null || shift $#
	/usr/bin/time -f '%U %S' -o "$H_DIR/cpu.$name" \
	    "$top_builddir/cutover-report" --migration "$H_DIR/gen/migration.json" \
	    --ip 198.51.100.25 --helo mx1.bench.test --dns-server "$srv" \
	    --now 1795000000 --sample-sender sender.remote.test --stats \
	    --format "$fmt" -o "$H_DIR/report.$name" "$@" 2>"$H_DIR/stats.$name"
}
t0=$(now); run json; rc=$?; t1=$(now); run html; t2=$(now)
json_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
html_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
inproc=$("$top_builddir/tests/bench/cutover_inproc" \
    "$H_DIR/gen/migration.json" "$S") || tap_bail "cutover_inproc"

# against a resolver $DELAY ms away: NSD behind the delaying forwarder
delayed() {	# NAME CONCURRENCY
	local t0 t1
	delay_start "$H_DNS_PORT" "$DELAY" "$H_DIR/delay.$1" ||
	    tap_bail "forwarder: $(cat "$H_DIR/delay.err")"
	t0=$(now)
	run json "127.0.0.1@$DELAY_PORT" "$1" --dns-concurrency "$2"
	t1=$(now)
	delay_stop || tap_bail "forwarder wrote no counts"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }' \
	    >"$H_DIR/time.$1"
}
for i in $(seq "$RUNS"); do delayed "conc$i" "$CONC"; done
[ "$SEQ" = 1 ] && delayed seq 1
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

# the delayed runs, each next to its floor
dval() { jq -r ".$2" "$H_DIR/delay.$1"; }
rounds() { sed -n 's/.* in \([0-9]*\) rounds.*/\1/p' "$H_DIR/stats.$1"; }
echo "cutover-report against a resolver $DELAY ms away (NSD behind" \
    "tests/bench/cutover-delay.py), $CONC questions in flight at most"
ok=yes
for name in $(cd "$H_DIR" && ls time.* | sed 's/^time\.//'); do
	p=$(dval "$name" packets)
	c=$CONC; [ "$name" = seq ] && c=1
	awk -v t="$(cat "$H_DIR/time.$name")" -v p="$p" -v d="$DELAY" \
	    -v cpu="$(tail -n 1 "$H_DIR/cpu.$name" | awk '{ print $1 + $2 }')" \
	    -v fcpu="$(dval "$name" cpu_s)" \
	    -v c="$c" -v r="$(rounds "$name")" -v m="$(dval "$name" max_in_flight)" \
	    -v q="$(dval "$name" questions)" -v n="$name" 'BEGIN {
		f = p * d / 1000 / c
		printf "  %-14s %8.3f s   floor %.3f s (%d round trips x %d ms / %d)", \
		    n == "seq" ? "one at a time" : n, t, f, p, d, c
		if (n != "seq")
			printf ", %d rounds (%.2f s)", r, r * d / 1000
		printf "; %d questions, %d most in flight; %.2fx the floor; " \
		    "CPU %.2f s (forwarder %.2f s)\n", q, m, t / f, cpu, fcpu }'
	# each question once: one UDP packet per question, none over TCP
	[ "$(jq '[.asked[] | select(. != 1)] | length' "$H_DIR/delay.$name")" = 0 ] &&
	    [ "$(dval "$name" questions)" = "$p" ] || ok=NO
	cmp -s "$H_DIR/report.$name" "$H_DIR/report.conc1" || ok=NO
done
echo "  each question to the server once, the same JSON every run: $ok"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
[ "$ok" = yes ]
