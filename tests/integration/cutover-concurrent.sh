#!/bin/bash
# cutover-report asks its DNS questions side by side: against NSD on
# loopback behind a forwarder that holds each answer 20 ms and counts
# (tests/bench/cutover-delay.py), a generated host of 60 domains and 400
# forwards is checked with --dns-concurrency 8 and with 1 (one question
# at a time, as the checks come to it). The forwarder sees more than one
# question in flight and never more than 8 in the first run, exactly one
# in the second; each question reaches it once in both; the two JSON
# reports are byte for byte the same. The same for the sample host
# (tests/data/cutover/good, whose report cutover-samples.sh compares with
# its reviewed golden file) at the default concurrency, where each
# question reaches the server as often as one at a time (twice when NSD
# refuses it: the resolver's second round). No timing is
# asserted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/bench/cutover-delay.sh"
h_init cutover-concurrent

BIN=${top_builddir:-.}/cutover-report
DATA=$top_srcdir/tests/data/cutover
command -v jq >/dev/null || tap_bail "jq is needed"
[ -x "$BIN" ] || tap_bail "no $BIN"
python3 "$top_srcdir/tests/bench/cutover-gen.py" "$H_DIR/gen" 60 400 ||
    tap_bail "generator"
h_nsd_start "$H_DIR/gen/zones" || tap_bail "nsd"

# run NAME CONCURRENCY MIGRATION [options]: the report through a fresh
# forwarder into $H_DIR/NAME.json, its counts in $H_DIR/NAME.delay
run() {
	local name=$1 conc=$2 mig=$3
	shift 3
	delay_start "$H_DNS_PORT" 20 "$H_DIR/$name.delay" ||
	    tap_bail "forwarder: $(cat "$H_DIR/delay.err")"
	"$BIN" --migration "$mig" --ip 198.51.100.25 --helo "$HELO" \
	    --now 1795000000 --dns-server "127.0.0.1@$DELAY_PORT" \
	    --dns-concurrency "$conc" --format json -o "$H_DIR/$name.json" \
	    --stats "$@" 2>"$H_DIR/$name.err"
	delay_stop || tap_bail "forwarder wrote no counts"
}

# asked_once NAME: every question reached the forwarder once over UDP
asked_once() {
	local dup
	dup=$(jq -r '.asked | to_entries[] | select(.value != 1 or
	    (.key | endswith(" tcp"))) | "\(.key): \(.value)"' "$H_DIR/$1.delay")
	[ -z "$dup" ] || { echo "$dup" | head -n 5; return 1; }
	[ "$(jq .questions "$H_DIR/$1.delay")" -gt 0 ]
}

in_flight() {	# NAME MIN MAX
	local m
	m=$(jq .max_in_flight "$H_DIR/$1.delay")
	echo "most questions in flight: $m"
	[ "$m" -ge "$2" ] && [ "$m" -le "$3" ]
}

# norm NAME: the report without the forwarder's port
norm() {
	jq -S 'del(.dns_server, .migration)' "$H_DIR/$1.json" |
	    sed -e "s|$DATA|DATA|g" -e "s|$top_srcdir|SRCDIR|g"
}

HELO=mx1.bench.test
MIG=$H_DIR/gen/migration.json
run conc 8 "$MIG" --sample-sender sender.remote.test
run seq 1 "$MIG" --sample-sender sender.remote.test
tap_check "generated host: both reports written" \
    test -s "$H_DIR/conc.json" -a -s "$H_DIR/seq.json"
tap_check "generated host: concurrent: more than 1 and at most 8 in flight" \
    in_flight conc 2 8
tap_check "generated host: one at a time: 1 in flight" in_flight seq 1 1
tap_check "generated host: concurrent: each question asked once" \
    asked_once conc
tap_check "generated host: one at a time: each question asked once" \
    asked_once seq
tap_check "generated host: the same questions reach the server" \
    diff <(jq -r '.asked | keys[]' "$H_DIR/seq.delay") \
    <(jq -r '.asked | keys[]' "$H_DIR/conc.delay")
tap_check "generated host: the JSON reports are byte for byte the same" \
    cmp "$H_DIR/seq.json" "$H_DIR/conc.json"
tap_check "generated host: the checks found what they find one at a time" \
    test "$(jq -c .counts "$H_DIR/conc.json")" = \
    "$(jq -c .counts "$H_DIR/seq.json")"
h_nsd_stop

# the sample host: the golden report, concurrently and one at a time
HELO=mx1.example.com
h_nsd_start "$DATA/good/zones" || tap_bail "nsd (good)"
run good 64 "$DATA/good/migration.json" \
    --sample-sender "$top_srcdir/samples/messages/01-newsletter-rsa.eml"
run good-seq 1 "$DATA/good/migration.json" \
    --sample-sender "$top_srcdir/samples/messages/01-newsletter-rsa.eml"
# NSD refuses the names outside its zones (_dmarc.com): those get the
# resolver's second round, one at a time too
tap_check "good: each question asked as often as one at a time" \
    diff <(jq -S .asked "$H_DIR/good-seq.delay") \
    <(jq -S .asked "$H_DIR/good.delay")
tap_check "good: concurrent: questions overlapped" in_flight good 2 64
tap_check "good: the JSON reports are byte for byte the same" \
    cmp "$H_DIR/good-seq.json" "$H_DIR/good.json"
h_nsd_stop

h_assert_no_leftovers
tap_done
