#!/bin/bash
#
# NAME		hostile-keys.sh - DKIM keys that are FIFOs or encrypted
# DOES		qmail2postfix --dkim-key and cutover-report (migration.json's
#		key_file, a real NSD serving the good zones) given a FIFO
#		finish at once and say "not a regular file"; given an
#		encrypted key (no terminal) they never print OpenSSL's
#		"Enter PEM pass phrase" prompt and say "encrypted key"
# NEVER		waits on a FIFO for longer than the timeout that proves it
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init hostile-keys

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
C=$top_builddir/cutover-report
DATA=$top_srcdir/tests/data/cutover
[ -x "$Q" ] || tap_bail "no $Q"
[ -x "$C" ] || tap_bail "no $C"
command -v jq >/dev/null || tap_bail "jq is needed"

mkfifo "$H_DIR/fifo" || tap_bail "mkfifo"
openssl genrsa -aes128 -passout pass:sesame -out "$H_DIR/enc.pem" 2048 \
    2>/dev/null || tap_bail "openssl genrsa"

# q NAME KEY: qmail2postfix on samples/oldhost with --dkim-key q2p:KEY,
# no terminal, at most 20 s; sets RC, stderr in $H_DIR/NAME.err
q() {
	timeout 20 setsid "$Q" --root "$top_srcdir/samples/oldhost" \
	    -o "$H_DIR/$1.out" --dkim-key "q2p:$2" </dev/null \
	    >/dev/null 2>"$H_DIR/$1.err"
	RC=$?
}

q fifo "$H_DIR/fifo"
tap_check "--dkim-key FIFO: exit 2 at once (no wait for a writer)" test "$RC" = 2
tap_check "--dkim-key FIFO: \"not a regular file\", nothing written" \
    bash -c "grep -q 'dkim-key .*fifo: not a regular file' '$H_DIR/fifo.err' &&
	test ! -e '$H_DIR/fifo.out'"
q enc "$H_DIR/enc.pem"
tap_check "--dkim-key encrypted: exit 2" test "$RC" = 2
tap_check "--dkim-key encrypted: \"encrypted key\", no pass phrase prompt" \
    bash -c "grep -q 'enc.pem: encrypted key' '$H_DIR/enc.err' &&
	! grep -qi 'pass phrase:' '$H_DIR/enc.err'"

# cutover-report NAME KEY: good/migration.json whose key_file is KEY
h_nsd_start "$DATA/good/zones" || tap_bail "nsd"
cr() {
	mkdir -p "$H_DIR/$1"
	jq --arg k "$2" '(.. | objects | select(has("key_file")) | .key_file) |= $k' \
	    "$DATA/good/migration.json" >"$H_DIR/$1/migration.json" ||
	    tap_bail "jq"
	timeout 20 setsid "$C" --migration "$H_DIR/$1/migration.json" \
	    --ip 198.51.100.25 --helo mx1.example.com --now 1795000000 \
	    --dns-server "127.0.0.1@$H_DNS_PORT" --format json \
	    -o "$H_DIR/$1.json" </dev/null >/dev/null 2>"$H_DIR/$1.err"
	RC=$?
}
cr crfifo "$H_DIR/fifo"
tap_check "cutover-report, key_file a FIFO: ends (exit 0-2), report written" \
    test "$RC" -le 2 -a -s "$H_DIR/crfifo.json"
tap_check "cutover-report, key_file a FIFO: says \"not a regular file\"" \
    grep -q 'fifo: not a regular file' "$H_DIR/crfifo.json"
cr crenc "$H_DIR/enc.pem"
tap_check "cutover-report, key_file encrypted: ends (exit 0-2), no prompt" \
    bash -c "test '$RC' -le 2 -a -s '$H_DIR/crenc.json' &&
	! grep -qi 'pass phrase:' '$H_DIR/crenc.err'"
tap_check "cutover-report, key_file encrypted: says \"encrypted key\"" \
    grep -q 'enc.pem: encrypted key' "$H_DIR/crenc.json"

h_stop_all
h_assert_no_leftovers
tap_done
