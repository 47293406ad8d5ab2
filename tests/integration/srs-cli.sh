#!/bin/bash
# srs-cli.sh - srs-map on the command line and as a socketmap server (with
# Postfix's own client, postmap -q socketmap:...): vectors, exit codes,
# NOTFOUND (never PERM) for forged/expired/foreign keys, 32 concurrent
# connections, the 100000-octet request limit, request and idle timeouts,
# privilege drop, loopback-only inet, clean SIGTERM.
. "$top_srcdir/tests/integration/srs/lib.sh"
set -u
W=$(mktemp -d)
chmod 755 "$W"
trap 'stop_all; rm -rf "$W"' EXIT
MAP="$top_builddir/srs-map"
FWD="$top_builddir/srs-forward"
SMC="python3 $top_srcdir/tests/integration/srs/smclient.py"
PATH=$PATH:/usr/sbin
DOC_T=1577836860		# 2020-01-01 00:01:00 UTC
printf 'tops3cr3t\n' > "$W/doc-secret"
printf 'lab-srs-secret-0123456789\n' > "$W/secret"
chmod 600 "$W/doc-secret" "$W/secret"
LAB_T=$((20779 * 86400 + 3600))
M="$MAP -s $W/secret -d fwd.test --now $LAB_T"

for p in srs-map srs-forward; do
	check "$p --help exits 0" "$top_builddir/$p" --help
	check "$p --version exits 0" "$top_builddir/$p" --version
done
is "postsrsd's documented example" \
    "$($MAP -s "$W/doc-secret" -d example.com --now $DOC_T forward test@otherdomain.com)" \
    "SRS0=vmyz=2W=otherdomain.com=test@example.com"
is "SRS0 of a relay becomes SRS1 (postsrsd 1.10 vector)" \
    "$($M forward 'SRS0=abcd=AB=orig.test=dave@relay.test')" \
    "SRS1=5Nyu=relay.test==abcd=AB=orig.test=dave@fwd.test"
out=$($M reverse SRS0=BDg3=JL=example.test=alice@fwd.test SRS0=BDg4=JL=example.test=alice@fwd.test 2>"$W/err")
rc=$?
is "reverse: one line per input, empty for the failure, exit 65" "$rc:$(printf '%s|' $out)" "65:alice@example.test|"
check "reverse: the reason is on stderr" grep -q 'SRS0=BDg4.*hash invalid' "$W/err"
$MAP -s "$W/none" -d fwd.test forward a@b.test 2>/dev/null
is "missing secret file: exit 78 (EX_CONFIG)" "$?" 78
$MAP -s "$W/secret" forward a@b.test 2>/dev/null
is "no SRS domain: usage, exit 64" "$?" 64
$M forward "$(printf 'a%.0s' $(seq 40))@example.org" >/dev/null 2>"$W/err"
is "over-long SRS local part: exit 75 (tempfail policy)" "$?" 75
check "over-long: the log line says why" grep -q 'would exceed 64 octets' "$W/err"
is "stdin batch: one result per line" \
    "$(printf 'a@b.test\nalice@example.test\n' | $M forward | tail -1)" \
    "SRS0=BDg3=JL=example.test=alice@fwd.test"

# ---- serve ----
mkdir -p "$W/run"
chown nobody "$W/run" "$W/secret"
SOCK="unix:$W/run/srs.sock"
$M serve --socketmap "$SOCK" 2>"$W/root.err"
is "serve as root without --user: refused (78)" "$?" 78
$M serve --socketmap inet:0.0.0.0:1 --user nobody 2>"$W/nl.err"
is "serve on a non-loopback address: refused (78)" "$?" 78
check "non-loopback: the reason names --allow-nonlocal" grep -q allow-nonlocal "$W/nl.err"

$M serve --socketmap "$SOCK" --user nobody --request-timeout 1 \
    --idle-timeout 3 2>"$W/serve.log" &
SPID=$!
track $SPID
wait_file "$W/run/srs.sock" || not_ok "unix socket appears" "$(cat "$W/serve.log")"
is "privileges dropped to nobody after bind" \
    "$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$SPID/status)" \
    "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)"
is "postmap -q ... socketmap:...:forward" \
    "$(postmap -q alice@example.test "socketmap:$SOCK:forward")" \
    "SRS0=BDg3=JL=example.test=alice@fwd.test"
is "postmap -q ... socketmap:...:reverse" \
    "$(postmap -q SRS0=BDg3=JL=example.test=alice@fwd.test "socketmap:$SOCK:reverse")" \
    "alice@example.test"
postmap -q SRS0=BDg4=JL=example.test=alice@fwd.test "socketmap:$SOCK:reverse" >/dev/null 2>&1
is "postmap: a forged key is not found (1), not an error" "$?" 1
is "forged, expired, foreign, malformed, our own: NOTFOUND, never PERM" \
    "$($SMC query "$SOCK" 'reverse SRS0=BDg4=JL=example.test=alice@fwd.test' \
	'reverse SRS0=gARm=IV=example.test=alice@fwd.test' \
	'reverse SRS0=BDg3=JL=example.test=alice@other.test' \
	'reverse SRS0=BDg3=JLA=example.test=alice@fwd.test' \
	'reverse nosign' 'forward bob@fwd.test' | sort -u)" "NOTFOUND "
is "over-long forward: TEMP with the reason" \
    "$($SMC query "$SOCK" "forward $(printf 'a%.0s' $(seq 40))@example.org")" \
    "TEMP SRS local part would exceed 64 octets"
is "32 concurrent connections, 100 round trips each, all correct" \
    "$($SMC concurrent "$SOCK" 32 100)" ok
big=$(head -c 99990 /dev/zero | tr '\0' a)	# "reverse " + big + "@x"
is "a request of exactly 100000 octets is answered" \
    "$($SMC raw "$SOCK" "100000:reverse $big@x," 5)" "9:NOTFOUND ,"
is "two maximal requests in one write are both answered" \
    "$(printf '100000:reverse %s@x,100000:reverse %s@x,' "$big" "$big" | $SMC raw "$SOCK" - 5 2)" "9:NOTFOUND ,9:NOTFOUND ,"
is "a request over 100000 octets closes the connection" \
    "$($SMC raw "$SOCK" "100001:reverse " 5)" CLOSED
is "an unfinished request is cut after --request-timeout" \
    "$($SMC raw "$SOCK" "30:forward al" 4)" CLOSED
is "an idle connection is closed after --idle-timeout" \
    "$($SMC raw "$SOCK" "" 6)" CLOSED
is "still serving after all that" \
    "$($SMC query "$SOCK" 'reverse SRS0=BDg3=JL=example.test=alice@fwd.test')" \
    "OK alice@example.test"
kill -TERM $SPID
wait $SPID
is "SIGTERM: exit 0" "$?" 0
is "SIGTERM: the unix socket is removed" "$([ -e "$W/run/srs.sock" ] && echo left || echo gone)" gone

# inet on loopback, with Postfix's client
PORT=$(free_port)
$M serve --socketmap "inet:127.0.0.1:$PORT" --user nobody 2>"$W/inet.log" &
IPID=$!
track $IPID
wait_tcp "$PORT"
is "inet:127.0.0.1: postmap reverse" \
    "$(postmap -q SRS1=5Nyu=relay.test==abcd=AB=orig.test=dave@fwd.test "socketmap:inet:127.0.0.1:$PORT:reverse")" \
    "SRS0=abcd=AB=orig.test=dave@relay.test"
stop_pid $IPID

# srs-forward refuses root and bad setups with 75 and a 4.x.x line
out=$(printf 'From a@b.test  x\n\nhi\n' | "$FWD" -d fwd.test -s "$W/secret" r@x.test 2>&1)
is "srs-forward as root: 75" "$?" 75
check "srs-forward as root: a 4.x.x line" grep -q '^4\.3\.0 srs-forward: refusing to run as root' <<<"$out"

stop_all
done_testing
