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
# byte-identical throughout. Quota: with OUT's quota settings GETQUOTAROOT
# INBOX gives alice's vpasswd limit and the synced mail as Dovecot's maildir
# quota counts it, after each sync. The same against Dovecot 2.4 in the
# Debian 13 root when its tarball is there.
#
# Where Dovecot cannot say what courier said, the test compares what it
# can: NAMESPACE only the personal namespace (courier also announces its
# empty #shared./shared. ones); LIST no \Marked (courier marks folders
# with new mail), and not INBOX's \HasChildren for a user without folders
# (Dovecot shows it under the "INBOX." prefix, courier did not); LSUB only the subscribed names, stale ones
# included (courier's LSUB "*" also lists every unsubscribed parent of a
# subscription as \Noselect, INBOX too; Dovecot lists subscriptions only);
# UIDVALIDITY only where courier had stored one (a folder courier never
# opened has none a client can have kept); \Recent not at all (it belongs
# to the session); POP3 LIST sizes not (qmail-pop3d counts LF bytes,
# Dovecot CRLF; pop3_fast_size_lookups would give LF bytes only until an
# IMAP session caches the size), only the number of messages. The reasons
# no Dovecot setting closes these gaps: migrate/sync/README.md.
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
# dump N [IMAP_PORT POP3_PORT]: what IMAP and POP3 clients see on the new side
dump() {
	python3 "$CLIENT" dump "${2:-$H_IMAP_PORT}" >"$H_DIR/imap$1.json" &&
	    python3 "$CLIENT" pop3 "${3:-$H_POP3_PORT}" >"$H_DIR/pop3$1.json"
}
# compare RECORDING N [EXTRA]: one TAP line per property ($P before each)
compare() {
	local st desc detail
	while IFS=$'\t' read -r st desc detail; do
		if [ "$st" = ok ]; then
			tap_ok "$P$desc"
		else
			tap_fail "$P$desc" "$detail"
		fi
	done < <(python3 "$CLIENT" compare "$S/$1" "$H_DIR/imap$2.json" \
	    "$H_DIR/pop3$2.json" "$old" ${3:+"$3"})
}
. "$src/tests/integration/lib/sync-quota.sh"
# quota_is PORT DEST: alice's GETQUOTAROOT INBOX is OUT's root with her
# vpasswd limit (50000000S) and what her synced Maildir holds
quota_is() {
	local u q
	u=$(usage "$2/$D/alice/Maildir")
	q=$(getquota alice@example.com Tea4Two-alice "$1" 2>&1)
	echo "GETQUOTAROOT: $q; the synced files: $u"
	[ "$q" = "User quota $(kb "${u#* }") $(kb 50000000)" ]
}
# new_store PORT: the new side sets a flag and a keyword on a message the
# old side leaves alone
new_store() {
	python3 - "$1" <<'EOF'
import imaplib, sys
im = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
im.login("alice@example.com", "Tea4Two-alice")
im.select("INBOX")
assert im.uid("STORE", "2", "+FLAGS", "(\\Flagged NewSide)")[0] == "OK"
im.logout()
EOF
}
echo '{"alice@example.com INBOX 2": ["NewSide", "\\Flagged"]}' >"$H_DIR/extra.json"
# once DEST: each new delivery of the second state is in DEST exactly once
once() {
	local m n
	for m in "alice 50 31337" "bob 51 6001" "carol 52 779"; do
		set -- $m
		n=$(grep -rl "^Message-ID: <courier-$2@sample.example>" "$dest/$D/$1/Maildir" | wc -l)
		tap_check "${P}second sync: $1's new delivery (pid $3) is there exactly once" \
		    test "$n" = 1
	done
}

# ------------------------------------------------------------ Dovecot 2.3
P=""
dest=$new
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
quota=$(grep '^mail_plugins' "$out/dovecot/dovecot.conf"
    sed -n '/^plugin {/,/^}/p' "$out/dovecot/dovecot.conf"
    sed -n '/^protocol imap {/,/^}/p' "$out/dovecot/dovecot.conf")
[ -n "$ns" ] && [ -n "$uidl" ] || tap_bail "OUT has no namespace or UIDL line"
h_dovecot_setup "" "$H_DIR/passwd" "$ns" "$uidl" "$quota" &&
    h_dovecot_start || tap_bail "dovecot"

dump 1 || tap_bail "no dump of the new side"
compare recording.json 1
tap_check "first sync: quota is vpasswd's limit and the synced mail" \
    quota_is "$H_IMAP_PORT" "$new"
new_store "$H_IMAP_PORT" || tap_fail "IMAP STORE on the new side"
h_dovecot_stop

# the old side's second state: courier numbered what waited in new/,
# changed flags and keywords; qmail delivered more
old_tree second || tap_bail "no copy of samples/courierhost/second"
sum2=$(old_sum)
"$q2p" sync "$out" --root "$old" --dest-root "$new" --json \
    >"$H_DIR/sync2.json" 2>"$H_DIR/sync2.err"
rc=$?
tap_check "second sync: exit 0" test "$rc" = 0 || cat "$H_DIR/sync2.err" >&2
once
sum2b=$(old_sum)
h_dovecot_start || tap_bail "dovecot again"
dump 2 || tap_bail "no second dump of the new side"
compare recording-second.json 2 "$H_DIR/extra.json"
tap_check "second sync: quota counts the new mail too" \
    quota_is "$H_IMAP_PORT" "$new"
tap_check "the old tree is byte-identical after each sync" \
    test "$sum0 $sum2" = "$sum1 $sum2b"
h_dovecot_stop

# ------------------------------------------------------------ Dovecot 2.4
# the same in the Debian 13 root, with OUT written for 2.4 and booted by
# qmail2postfix rehearse (its configuration, then Dovecot 2.4 again from it
# on the synced Maildirs)
. "$src/tests/integration/lib/debian13.sh"
if why=$(d13_available); then
	P="Dovecot 2.4: "
	d13_tap_project
	R=$D13_R
	d13_tap_workdir
	W=$D13_W
	old=$R$W/old
	old_tree root || tap_bail "no copy of samples/courierhost/root in the root"
	d13 "$R" qmail2postfix --root "$W/old" -o "$W/OUT" -q --dovecot 2.4 \
	    --postfix 3.10 >"$R$W/run.out" 2>&1
	[ $? -le 1 ] || tap_bail "qmail2postfix in the root: $(tail -3 "$R$W/run.out")"
	d13_ns "$R" env TMPDIR="$W" qmail2postfix rehearse "$W/OUT" --json --keep \
	    >"$R$W/report.json" 2>"$R$W/rehearse.err"
	K=$(sed -n 's/^qmail2postfix: kept //p' "$R$W/rehearse.err")
	[ -n "$K" ] && [ -f "$R$K/dovecot/dovecot.conf" ] ||
	    tap_bail "rehearse kept no configuration: $(tail -3 "$R$W/rehearse.err")"
	# the rehearsal's own mailboxes go; the sync writes them. Its users
	# file gives every mailbox one unprivileged user (the root has no
	# vpopmail): the synced files become that user's
	rm -rf "${R:?}$K/mail/home"
	dest=$R$K/mail
	mu=$(awk -F: '!/^#/ && NF > 4 { print $3 ":" $4; exit }' "$R$K/dovecot/users")
	[ -n "$mu" ] || tap_bail "no users file in the rehearsal's configuration"
	d13 "$R" qmail2postfix sync "$W/OUT" --root "$W/old" --dest-root "$K/mail" \
	    --json >"$R$W/sync1.json" 2>"$R$W/sync1.err"
	tap_check "${P}first sync: exit 0" test $? = 0 || cat "$R$W/sync1.err" >&2
	chown -R "$mu" "$dest/home"
	i4=$(h_free_port) && p4=$(h_free_port) || tap_bail "no free loopback port"
	sed -e "/inet_listener imap {/,/}/s/port = [0-9]*/port = $i4/" \
	    -e "/inet_listener pop3 {/,/}/s/port = [0-9]*/port = $p4/" \
	    "$R$K/dovecot/dovecot.conf" >"$R$W/live.conf"
	live_start() {
		d13_ns "$R" dovecot -F -c "$W/live.conf" >"$R$W/live.out" 2>&1 &
		dpid=$!
		_h_register live_stop
		h_wait_tcp "$i4" && h_wait_tcp "$p4"
	}
	live_stop() {	# d13_ns execs: $dpid is dovecot -F itself
		_h_kill_tree "$dpid"
		_h_unregister live_stop
	}
	live_log() {
		tail -n 15 "$R$W/live.out" "$R$(sed -n 's/^log_path = //p' "$R$W/live.conf")"
	}
	live_start || tap_bail "Dovecot 2.4: $(live_log)"
	dump 3 "$i4" "$p4" || { live_log >&2; tap_bail "no dump of Dovecot 2.4"; }
	compare recording.json 3
	tap_check "${P}first sync: quota is vpasswd's limit and the synced mail" \
	    quota_is "$i4" "$dest"
	new_store "$i4" || tap_fail "${P}IMAP STORE on the new side"
	live_stop
	old_tree second || tap_bail "no copy of samples/courierhost/second in the root"
	d13 "$R" qmail2postfix sync "$W/OUT" --root "$W/old" --dest-root "$K/mail" \
	    --json >"$R$W/sync2.json" 2>"$R$W/sync2.err"
	tap_check "${P}second sync: exit 0" test $? = 0 || cat "$R$W/sync2.err" >&2
	chown -R "$mu" "$dest/home"
	once
	live_start || tap_bail "Dovecot 2.4 again: $(tail -5 "$R$W/live.out")"
	dump 4 "$i4" "$p4" || tap_bail "no second dump of Dovecot 2.4"
	compare recording-second.json 4 "$H_DIR/extra.json"
	tap_check "${P}second sync: quota counts the new mail too" \
	    quota_is "$i4" "$dest"
	live_stop
else
	tap_diag "Dovecot 2.4 part not run: $why"
fi

h_stop_all
h_assert_no_leftovers
tap_done
