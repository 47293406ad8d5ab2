#!/bin/bash
# dkim-forward.sh - the OpenDKIM set-up qmail2postfix writes (dkim/ and
# main.cf's milters), run by a real OpenDKIM behind a real Postfix, with a
# .qmail-style pipe "|srs-forward ADDRESS" that re-injects through sendmail:
#  - mail From: our domain, signed at smtpd, leaves the forward with one
#    DKIM-Signature of ours (not one from smtpd and one from the
#    re-injection), and it verifies against the key NSD serves
#  - mail From: another domain keeps its own signature and gets none of ours
#  - a local program's mail (sendmail, not a forward) is still signed once
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init dkim-forward

SRSD=srs.example.com
DKIMPL=$top_srcdir/tests/integration/srs/dkim.pl
OUT=$H_DIR/out
"$top_builddir/qmail2postfix" --root "$top_srcdir/samples/oldhost" -o "$OUT" \
    --postfix 3.7 --dovecot 2.3 --hostname mx1.example.com --ip 192.0.2.25 \
    --dkim-key "q2p:$top_srcdir/samples/dns/keys/q2p.private" \
    >"$H_DIR/run.out" 2>&1
[ -f "$OUT/dkim/opendkim.conf" ] ||
    tap_bail "qmail2postfix wrote no dkim/: $(tail -n 5 "$H_DIR/run.out")"
tap_check "main.cf: local programs and srs-forward pass the same milter" \
    grep -qx 'non_smtpd_milters = \$smtpd_milters' "$OUT/postfix/main.cf"

# the generated OpenDKIM files, with /etc/opendkim moved into the test
D=$H_DIR/etc-opendkim
mkdir -p "$D/keys"
install -m 0600 "$OUT/dkim/keys/q2p.private" "$D/keys/q2p.private"
for t in KeyTable SigningTable TrustedHosts; do
	sed "s|/etc/opendkim/|$D/|g" "$OUT/dkim/$t" >"$D/$t"
done
# RequireSafeKeys refuses a key below /tmp (world-writable); the installed
# key is under /etc/opendkim
{
	sed "s|/etc/opendkim/|$D/|g" "$OUT/dkim/opendkim.conf"
	printf 'RequireSafeKeys\tno\n'
} >"$D/opendkim.conf"
h_opendkim_start_conf "$D/opendkim.conf" ||
    tap_bail "opendkim starts: $(cat "$H_DKIM_DIR"/*.out 2>/dev/null)"
h_nsd_start || tap_bail "nsd starts"

# the secret, readable by the pipe's user (local(8) runs alias commands as
# default_privs, nobody)
openssl rand -hex 24 >"$H_DIR/secret"
chown nobody "$H_DIR/secret"
chmod 600 "$H_DIR/secret"
BIN=$H_DIR/bin
mkdir -p "$BIN"
install -m 0755 "$top_builddir/srs-forward" "$BIN/srs-forward"
E=$H_DIR/postfix/etc
mkdir -p "$E"
printf 'fwd "|%s -d %s -s %s --sendmail /usr/sbin/sendmail remote@remote.example"\n' \
    "$BIN/srs-forward" "$SRSD" "$H_DIR/secret" >"$E/aliases"
h_postfix_setup "" \
    "mydestination = example.com" \
    "alias_maps = texthash:$E/aliases" \
    "local_recipient_maps =" \
    "allow_mail_to_commands = alias" \
    "virtual_mailbox_domains = remote.example" \
    "virtual_mailbox_maps = inline:{ remote@remote.example=remote.example/remote/ }" \
    "smtpd_milters = $H_DKIM_MILTER" \
    "non_smtpd_milters = \$smtpd_milters" \
    "milter_default_action = tempfail" \
    "milter_protocol = 6" &&
    h_postfix_start || tap_bail "postfix starts"
REMOTE=$(h_postfix_mailbox remote@remote.example)
LOG=$(h_postfix_log)

file_of() { grep -ls "^Subject: $1\$" "$REMOTE"/new/* 2>/dev/null | head -n 1; }
has() { [ -n "$(file_of "$1")" ]; }
# sigs SUBJECT: one "RESULT DOMAIN SELECTOR" line per DKIM-Signature of the
# copy that reached remote@remote.example (Mail::DKIM against the test's NSD)
sigs() {
	if ! h_wait 1200 has "$1"; then
		echo "not delivered: $(tail -n 4 "$LOG" | tr '\n' ' ')"
		return
	fi
	perl "$DKIMPL" verify-all "$H_DNS_PORT" <"$(file_of "$1")"
}
# expect DESC SUBJECT WANT: the signatures are exactly WANT
expect() {
	local got
	got=$(sigs "$2")
	if [ "$got" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "want: $3" "got: $(echo $got)"
	fi
}

# 1. our user's mail (from 127.0.0.1: signed at smtpd) to a forward
swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --helo client.example.com \
    --from alice@example.com --to fwd@example.com --header "Subject: own-fwd" \
    --body "body of own-fwd" >"$H_DIR/send1.out" 2>&1
expect "From: our domain, forwarded by a pipe: one signature of ours, pass" \
    own-fwd "pass example.com q2p"

# 2. another domain's signed mail to the same forward
{
	printf 'From: Bob <bob@sender.example>\nTo: fwd@example.com\nSubject: foreign-fwd\n'
	printf 'Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <foreign-fwd@sender.example>\n'
	printf 'Content-Type: text/plain\n\nbody of foreign-fwd\n'
} | perl "$DKIMPL" sign "$top_srcdir/samples/dns/keys/s1.private" \
    sender.example s1 >"$H_DIR/foreign.eml"
swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --helo client.example.com \
    --from bob@sender.example --to fwd@example.com \
    --data "$H_DIR/foreign.eml" >"$H_DIR/send2.out" 2>&1
expect "From: another domain, forwarded: its own signature only, pass" \
    foreign-fwd "pass sender.example s1"

# 3. a local program's mail, not a forward: signed once, as before
printf 'From: alice@example.com\nTo: remote@remote.example\nSubject: local-prog\n\nbody\n' |
    h_in_postfix_ns /usr/sbin/sendmail -i -f alice@example.com remote@remote.example
expect "a local program's mail From: our domain: signed once, pass" \
    local-prog "pass example.com q2p"

h_postfix_stop
h_opendkim_stop
h_nsd_stop
h_assert_no_leftovers
tap_done
