#!/bin/bash
# srs-forward.sh - srs-forward against a fake sendmail, as an unprivileged
# user: the sender source (From_, Return-Path, qmail env, never Postfix's
# filtered $SENDER), byte-exact streaming (8-bit, CRLF, big), loops, the
# 64-octet policy, and every failure ending in exit 75 with a 4.x.x line.
. "$top_srcdir/tests/integration/srs/lib.sh"
set -u
W=$(mktemp -d)
chmod 755 "$W"
trap 'stop_all; rm -rf "$W"' EXIT
cp "$top_builddir/srs-forward" "$W/srs-forward"
cp "$top_srcdir/tests/integration/srs/fake-sendmail" "$W/sendmail"
chmod 755 "$W/srs-forward" "$W/sendmail"
printf 'lab-srs-secret-0123456789\n' > "$W/secret"
chown nobody "$W/secret"
chmod 600 "$W/secret"
mkdir "$W/q"
chown nobody "$W/q"
LAB_T=$((20779 * 86400 + 3600))
ASNOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
export FAKE_DIR="$W/q"
unset SENDER NEWSENDER DTLINE RPLINE

# fwd [srs-forward args...] < message: runs as nobody; rc in $rc, stderr in $W/err
fwd() {
	rm -f "$W/q/msg" "$W/q/args" "$W/q/msg.tmp"
	$ASNOBODY "$W/srs-forward" -d fwd.test -s "$W/secret" --now "$LAB_T" \
	    --sendmail "$W/sendmail" "$@" 2>"$W/err"
	rc=$?
}
args() { tr '\n' ' ' < "$W/q/args" 2>/dev/null | sed 's/ $//'; }
first_err() { head -1 "$W/err"; }

# 1. Postfix local(8): From_ line, Return-Path, Delivered-To
printf 'From alice@example.test  Mon Nov 23 10:00:00 2026\nReturn-Path: <alice@example.test>\nX-Original-To: pflab@example.com\nDelivered-To: pflab@example.com\nSubject: t1\n\nbody\n' > "$W/m1"
fwd remote@other.test < "$W/m1"
is "postfix input: exit 0" "$rc" 0
is "postfix input: sendmail -i -f SRS0 -- recipient" "$(args)" \
    "-i -f SRS0=BDg3=JL=example.test=alice@fwd.test -- remote@other.test"
is "postfix input: From_ and Return-Path removed, the rest byte for byte" \
    "$(cmp "$W/q/msg" <(tail -n +3 "$W/m1") && echo same)" same

# 2. null sender stays null
fwd a@other.test b@other.test < <(printf 'From MAILER-DAEMON  Mon Nov 23 10:00:00 2026\nReturn-Path: <>\nSubject: bounce\n\nx\n')
is "null sender: -f '' and both recipients" "$rc:$(args)" "0:-i -f  -- a@other.test b@other.test"
fwd a@other.test < <(printf 'From MAILER-DAEMON  Mon Nov 23 10:00:00 2026\nSubject: bounce\n\nx\n')
is "null sender from the From_ line alone" "$rc:$(args)" "0:-i -f  -- a@other.test"

# 3. the sender with shell characters: Postfix's $SENDER is filtered, we ignore it
SENDER=o_brien_co@example.test fwd r@other.test < <(printf "From o'brien&co@example.test  Mon Nov 23 10:00:00 2026\nReturn-Path: <o'brien&co@example.test>\n\nx\n")
is "garbled \$SENDER ignored: the true sender is encoded" "$(sed -n 3p "$W/q/args")" \
    "SRS0=$(perl -MDigest::HMAC_SHA1=hmac_sha1 -MMIME::Base64 -e 'print substr(encode_base64(hmac_sha1("jlexample.testo'"'"'brien&co","lab-srs-secret-0123456789")),0,4)')=JL=example.test=o'brien&co@fwd.test"
fwd r@other.test < <(printf 'From "john smith"@example.test  Mon Nov 23 10:00:00 2026\n\nx\n')
is "quoted local part in the From_ line, no SENDER at all: a valid quoted SRS address" \
    "$rc:$(sed -n 3p "$W/q/args")" "0:\"SRS0=$(perl -MDigest::HMAC_SHA1=hmac_sha1 -MMIME::Base64 -e 'print substr(encode_base64(hmac_sha1("jlexample.testjohn smith","lab-srs-secret-0123456789")),0,4)')=JL=example.test=john smith\"@fwd.test"

# 4. qmail: no From_ line; NEWSENDER and DTLINE from qmail-local
DT='Delivered-To: bob-fwd@example.com
'
NEWSENDER=bob@example.test DTLINE=$DT fwd r@other.test < <(printf 'Subject: q\n\nqmail body\n')
is "qmail: sender from \$NEWSENDER" "$rc:$(sed -n 3p "$W/q/args")" \
    "0:SRS0=$(perl -MDigest::HMAC_SHA1=hmac_sha1 -MMIME::Base64 -e 'print substr(encode_base64(hmac_sha1("jlexample.testbob","lab-srs-secret-0123456789")),0,4)')=JL=example.test=bob@fwd.test"
is "qmail: \$DTLINE written first, as qmail's forward does" "$(head -1 "$W/q/msg")" "Delivered-To: bob-fwd@example.com"
NEWSENDER=bob@example.test DTLINE=$DT fwd r@other.test < <(printf 'From bob@example.test  x\nReturn-Path: <bob@example.test>\nDelivered-To: bob-fwd@example.com\n\nb\n')
is "qmail with preline: no second Delivered-To" "$(grep -c '^Delivered-To' "$W/q/msg")" 1

# 5. no way to tell the sender: 75, sendmail never runs
SENDER=x@y.test fwd r@other.test < <(printf 'Subject: none\n\nx\n')
is "no From_, no Return-Path, not qmail: 75 with 4.3.0, nothing sent" \
    "$rc:$(first_err | cut -c1-5):$([ -e "$W/q/args" ] && echo ran || echo no)" "75:4.3.0:no"

# 6. byte-exact streaming: 8-bit, CRLF, NUL-free binary-ish, 3 MB
{
	printf 'From alice@example.test  Mon Nov 23 10:00:00 2026\nReturn-Path: <alice@example.test>\n'
	printf 'Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
	printf 'Gr\xc3\xbc\xc3\x9fe \xff\xfe\r\nline with CR\r only\r\n\r\n.\r\n..\nFrom the body\n'
	head -c 3000000 /dev/urandom | base64
	printf 'no newline at the end'
} > "$W/m6"
fwd r@other.test < "$W/m6"
is "8-bit + CRLF + 3 MB body: exit 0, byte for byte" \
    "$rc:$(cmp "$W/q/msg" <(tail -n +3 "$W/m6") && echo same)" "0:same"

# 7. failures: every one ends in 75 and a 4.x.x first line
for mode in 75 1 kill early; do
	FAKE_MODE=$mode fwd r@other.test < "$W/m6"
	is "sendmail mode $mode: exit 75, 4.x.x line, nothing queued" \
	    "$rc:$(first_err | grep -c '^4\.[0-9]\.[0-9] srs-forward: '):$([ -e "$W/q/msg" ] && echo queued || echo none)" \
	    "75:1:none"
done
{ head -3 "$W/m1"; printf '\n'; head -c 20000 /dev/zero | tr '\0' y | fold -w 70; } > "$W/m20k"
FAKE_MODE=early fwd r@other.test < "$W/m20k"
is "sendmail exits 0 after reading 100 octets of 20 KB (all fit the socket buffer): 75" \
    "$rc:$(first_err | cut -c1-5)" "75:4.3.0"
check "...and says so" grep -q 'exited 0 without reading the whole message' "$W/err"
grep -q 'exited with status 1: fake-sendmail: exit 1' "$W/err" 2>/dev/null ||
    FAKE_MODE=1 fwd r@other.test < "$W/m1"
check "exit 1: sendmail's own words are in the status line" grep -q 'exited with status 1: fake-sendmail: exit 1' "$W/err"
fwd --sendmail "$W/missing" r@other.test < "$W/m1"
is "sendmail missing: 75 + 4.3.0" "$rc:$(first_err | cut -c1-5)" "75:4.3.0"
check "sendmail missing: the reason" grep -q 'No such file' "$W/err"
touch "$W/noexec"
fwd --sendmail "$W/noexec" r@other.test < "$W/m1"
is "sendmail not executable: 75 + 4.3.0" "$rc:$(first_err | cut -c1-5)" "75:4.3.0"
fwd --sendmail sendmail r@other.test < "$W/m1"
is "relative sendmail path: 75 + 4.3.5" "$rc:$(first_err | cut -c1-5)" "75:4.3.5"
t0=$(date +%s)
FAKE_MODE=hang fwd --timeout 2 r@other.test < "$W/m6"
t1=$(date +%s)
is "sendmail hangs: 75 + 4.4.7 after --timeout" "$rc:$(first_err | cut -c1-5)" "75:4.4.7"
is "sendmail hangs: given up within 2..6 s" "$([ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 6 ] && echo yes)" yes
hp=$(cat "$W/q/hang.pid" 2>/dev/null)
is "sendmail hangs: it is killed, not left behind" "$([ -n "$hp" ] && kill -0 "$hp" 2>/dev/null && echo alive || echo gone)" gone

# killed from outside (local(8)'s command_time_limit): sendmail goes too,
# and never sees the EOF that would queue a cut message
mkfifo "$W/fifo"
chmod 666 "$W/fifo"
rm -f "$W/q/msg" "$W/q/msg.tmp"
$ASNOBODY "$W/srs-forward" -d fwd.test -s "$W/secret" --sendmail "$W/sendmail" r@other.test < "$W/fifo" 2>"$W/err" &
FPID=$!
exec 7>"$W/fifo"
head -c 200000 "$W/m6" >&7
sleep 0.5
kill -TERM $FPID
wait $FPID
rc=$?
exec 7>&-
sleep 0.3
is "srs-forward killed by SIGTERM: 75, nothing queued" \
    "$rc:$([ -e "$W/q/msg" ] && echo queued || echo none)" "75:none"

# 8. loops
fwd r@other.test < <(printf 'From alice@example.test  x\nReturn-Path: <alice@example.test>\nDelivered-To: pflab@example.com\nDelivered-To: R@Other.Test\n\nx\n')
is "loop: a Delivered-To naming the target: 65 + 5.4.6" "$rc:$(first_err | cut -c1-5)" "65:5.4.6"
{ printf 'From alice@example.test  x\n'; for i in $(seq 20); do printf 'Delivered-To: u%d@example.com\n' "$i"; done; printf '\nx\n'; } > "$W/m8"
fwd r@other.test < "$W/m8"
is "loop: 20 Delivered-To lines: 65 + 5.4.6" "$rc:$(first_err | cut -c1-5)" "65:5.4.6"
fwd --hop-limit 21 r@other.test < "$W/m8"
is "loop: --hop-limit 21 lets 20 pass" "$rc" 0

# 9. SRS inputs and our own domain
fwd r@other.test < <(printf 'From SRS0=abcd=AB=orig.test=dave@relay.test  x\n\nx\n')
is "an SRS0 sender of a relay becomes SRS1" "$(sed -n 3p "$W/q/args")" "SRS1=5Nyu=relay.test==abcd=AB=orig.test=dave@fwd.test"
fwd r@other.test < <(printf 'From SRS0=BDg3=JL=example.test=alice@fwd.test  x\n\nx\n')
is "a sender in our SRS domain is kept" "$(sed -n 3p "$W/q/args")" "SRS0=BDg3=JL=example.test=alice@fwd.test"

# 10. the 64-octet policy
long=$(printf 'a%.0s' $(seq 40))@example.org
fwd r@other.test < <(printf 'From %s  x\n\nx\n' "$long")
is "over-long, default tempfail: 75 + 4.1.7, nothing sent" \
    "$rc:$(first_err | cut -c1-5):$([ -e "$W/q/args" ] && echo ran || echo no)" "75:4.1.7:no"
fwd --long-local=plain r@other.test < <(printf 'From %s  x\n\nx\n' "$long")
is "over-long, --long-local=plain: sent with the original sender" "$rc:$(sed -n 3p "$W/q/args")" "0:$long"
check "over-long, plain: a warning" grep -q 'warning: forwarded with the original sender' "$W/err"

# 11. configuration errors are temporary
$ASNOBODY "$W/srs-forward" -d fwd.test -s "$W/nonexistent" --sendmail "$W/sendmail" r@x.test < "$W/m1" 2>"$W/err"
is "no secret: 75 + 4.3.5" "$?:$(first_err | cut -c1-5)" "75:4.3.5"
$ASNOBODY "$W/srs-forward" -s "$W/secret" r@x.test < "$W/m1" 2>"$W/err"
is "no SRS domain: 75 + 4.3.5" "$?:$(first_err | cut -c1-5)" "75:4.3.5"
$ASNOBODY "$W/srs-forward" -d fwd.test -s "$W/secret" < "$W/m1" 2>"$W/err"
is "no recipient: 75 + 4.3.5" "$?:$(first_err | cut -c1-5)" "75:4.3.5"
check "never a 5.x.x line but for loops" bash -c "! grep -q '^5\.' '$W/err'"

# 12. memory is flat: 1 MB and 40 MB messages, max RSS within 4 MB
for sz in 1 40; do
	{ head -3 "$W/m1"; printf '\n'; head -c $((sz * 1024 * 1024)) /dev/zero | tr '\0' x | fold -w 998; } > "$W/big"
	rm -f "$W/q/msg"
	FAKE_MODE=null /usr/bin/time -f %M -o "$W/rss.$sz" $ASNOBODY "$W/srs-forward" -d fwd.test \
	    -s "$W/secret" --sendmail "$W/sendmail" r@other.test < "$W/big" 2>/dev/null
done
is "max RSS 1 MB vs 40 MB message differs by < 4 MB ($(cat "$W/rss.1") / $(cat "$W/rss.40") KiB)" \
    "$([ $(( $(cat "$W/rss.40") - $(cat "$W/rss.1") )) -lt 4096 ] && echo flat)" flat

stop_all
done_testing
