#!/bin/bash
# End to end against the real courier-imap: samples/courierhost's Maildirs
# (state made through courier by an IMAP client, qmail deliveries waiting in
# new/) are migrated and synced, a real Dovecot 2.3 boots with OUT's
# namespace and POP3 UIDL setting on the synced Maildirs, and every answer
# courier gave (samples/courierhost/recording.json: NAMESPACE, LIST, LSUB,
# STATUS, UIDVALIDITY, per message UID, FLAGS, size, Message-ID, INTERNALDATE)
# and qmail-pop3d's UIDLs must come back the same, one TAP line per folder
# and message property. Then the old side's second state (courier numbered
# the new mail, flags and keywords changed, new deliveries) is applied, a
# flag is set on the new side, a second sync runs: recording-second.json
# again, the new side's flag kept, each new message once, the old tree
# byte-identical throughout.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init sync-courier

src=$top_srcdir
S=$src/samples/courierhost
CLIENT=$src/tests/integration/lib/courier-client.py
q2p=${top_builddir:-$src/_build}/qmail2postfix
old=$H_DIR/old
new=$H_DIR/new
out=$H_DIR/out
D=home/vpopmail/domains/example.com

# old_tree STATE: the old host's / is samples/courierhost/STATE, completed
old_tree() {
	rm -rf "$old" && cp -a "$S/$1" "$old" &&
	    python3 "$CLIENT" fixup "$old" "$S/$1.fixup" &&
	    chown -R 89:89 "$old/home/vpopmail"
}
# the old tree, every name, mode, mtime and byte
old_sum() {
	(cd "$old" && find . -printf '%p %m %T@ %s %l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat) | sha256sum
}
# dump N: what IMAP and POP3 clients see on the new side
dump() {
	python3 "$CLIENT" dump "$H_IMAP_PORT" >"$H_DIR/imap$1.json" &&
	    python3 "$CLIENT" pop3 "$H_POP3_PORT" >"$H_DIR/pop3$1.json"
}
# compare RECORDING N [EXTRA]: one TAP line per property
compare() {
	local st desc detail
	while IFS=$'\t' read -r st desc detail; do
		if [ "$st" = ok ]; then
			tap_ok "$desc"
		else
			tap_fail "$desc" "$detail"
		fi
	done < <(python3 "$CLIENT" compare "$S/$1" "$H_DIR/imap$2.json" \
	    "$H_DIR/pop3$2.json" "$old" ${3:+"$3"})
}

h_vmail_user || tap_bail "no vpopmail user"
old_tree root || tap_bail "no copy of samples/courierhost/root"
sum0=$(old_sum)

"$q2p" --root "$old" -o "$out" --dovecot 2.3 --postfix 3.7 --no-dkim -q \
    --bindir /usr/local/bin --srs-secret /etc/qmail2postfix/srs-secret
[ -f "$out/dovecot/dovecot.conf" ] && [ -f "$out/dovecot/users" ] ||
    tap_bail "qmail2postfix wrote no OUT"

"$q2p" sync "$out" --root "$old" --dest-root "$new" --json \
    >"$H_DIR/sync1.json" 2>"$H_DIR/sync1.err"
rc=$?
tap_check "first sync: exit 0, every courier state converted" test "$rc" = 0 ||
    cat "$H_DIR/sync1.err" >&2
sum1=$(old_sum)

# Dovecot with OUT's users (homes under the destination root), namespace
# and POP3 UIDL format
sed "s|^\([^:]*:[^:]*:[^:]*:[^:]*:[^:]*:\)/|\1$new/|" "$out/dovecot/users" \
    >"$H_DIR/passwd"
ns=$(sed -n '/^namespace inbox {/,/^}/p' "$out/dovecot/dovecot.conf")
uidl=$(grep '^pop3_uidl_format' "$out/dovecot/dovecot.conf")
[ -n "$ns" ] && [ -n "$uidl" ] || tap_bail "OUT has no namespace or UIDL line"
h_dovecot_setup "" "$H_DIR/passwd" "$ns" "$uidl" &&
    h_dovecot_start || tap_bail "dovecot"

dump 1 || tap_bail "no dump of the new side"
compare recording.json 1

# the new side changes a message the old side leaves alone
python3 - "$H_IMAP_PORT" <<'EOF' || tap_fail "IMAP STORE on the new side"
import imaplib, sys
im = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
im.login("alice@example.com", "Tea4Two-alice")
im.select("INBOX")
assert im.uid("STORE", "2", "+FLAGS", "(\\Flagged NewSide)")[0] == "OK"
im.logout()
EOF
echo '{"alice@example.com INBOX 2": ["NewSide", "\\Flagged"]}' >"$H_DIR/extra.json"
h_dovecot_stop

# the old side's second state: courier numbered what waited in new/,
# changed flags and keywords; qmail delivered more
old_tree second || tap_bail "no copy of samples/courierhost/second"
sum2=$(old_sum)
"$q2p" sync "$out" --root "$old" --dest-root "$new" --json \
    >"$H_DIR/sync2.json" 2>"$H_DIR/sync2.err"
rc=$?
tap_check "second sync: exit 0" test "$rc" = 0 || cat "$H_DIR/sync2.err" >&2
for m in "alice 50 31337" "bob 51 6001" "carol 52 779"; do
	set -- $m
	tap_check "second sync: $1's new delivery (pid $3) is there exactly once" \
	    test "$(grep -rl "^Message-ID: <courier-$2@sample.example>" "$new/$D/$1/Maildir" |
	    wc -l)" = 1
done
sum2b=$(old_sum)
h_dovecot_start || tap_bail "dovecot again"
dump 2 || tap_bail "no second dump of the new side"
compare recording-second.json 2 "$H_DIR/extra.json"
tap_check "the old tree is byte-identical after each sync" \
    test "$sum0 $sum2" = "$sum1 $sum2b"

h_stop_all
h_assert_no_leftovers
tap_done
