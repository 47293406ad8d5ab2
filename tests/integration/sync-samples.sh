#!/bin/bash
# qmail2postfix sync on a copy of samples/oldhost, then a real Dovecot 2.3
# with OUT's namespace and POP3 UIDL setting on the synced Maildirs: the
# UIDVALIDITY, UIDs, UIDNEXT, keywords and subscriptions the courier files
# say (worked out by hand below), qmail-pop3d's UIDLs, a corrupt uiddb and a
# bad folder name listed with file:line while the folder is still copied;
# then a delivery and flag changes on the old side, a flag change on the new
# side, a second sync: the new message once, the new side's change kept,
# the old tree byte-identical throughout.  Quota: Dovecot with OUT's quota
# settings and the users file's limits reports the synced mail (count and
# bytes as its maildir quota counts them) against the old vpasswd limit,
# and exactly the new mail more after the second sync; frank, over his
# quota on the old host, is listed, keeps all his mail, and Dovecot
# refuses new mail for him.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init sync-samples

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
src=$top_srcdir
q2p=$top_builddir/qmail2postfix
old=$H_DIR/old
new=$H_DIR/new
out=$H_DIR/out
A=home/vpopmail/domains/example.com/alice/Maildir
M1=1794209461.4211.mail.example.com,S=545
M2=1794820440.9021.mail.example.com,S=543
M3=1794988862.8984.mail.example.com,S=542
M4=1799999999.1.mail.example.com,S=58
F=home/vpopmail/domains/example.com/frank/Maildir
FM=1794900200.1.mail.example.com,S=1100000

cp -a "$src/samples/oldhost" "$old" &&
    python3 "$src/samples/tools/make-oldhost.py" --fixup "$old" \
    --tree oldhost || tap_bail "no copy of samples/oldhost"

# msg FILE ID: a small message whose Message-ID names it
msg() {
	printf 'From: a@example.org\nSubject: %s\nMessage-ID: <%s@test>\n\n%s\n' \
	    "$2" "$2" "$2" >"$1"
}
# the state courier would have left (the recording of a real courier is
# samples/courierhost's job; these are the file formats it writes)
mk_old() {
	local a=$old/$A k=$old/$A/courierimapkeywords
	mkdir -p "$k" || return 1
	printf '$Label1\nNonJunk\nWork\n\n%s:0 1\n' "$M1" >"$k/:list"
	printf 'work\n' >"$k/.1.$M2"	# pending update, courier-folded
	# courier 5: a UTF-8 folder below a parent; two unseen messages with
	# the same time prefix (byte order: pid 10001 before 9999)
	mkdir -p "$a/.Archiv.Büro/cur" "$a/.Archiv.Büro/new" \
	    "$a/.Archiv.Büro/tmp" || return 1
	: >"$a/.Archiv.Büro/maildirfolder"
	msg "$a/.Archiv.Büro/cur/1794900000.1.mail.example.com,S=61:2,S" ab1
	msg "$a/.Archiv.Büro/new/1794900001.9999.mail.example.com,S=61" ab3
	msg "$a/.Archiv.Büro/new/1794900001.10001.mail.example.com,S=61" ab2
	printf '1 1700000000 8\n7 1794900000.1.mail.example.com,S=61\n' \
	    >"$a/.Archiv.Büro/courierimapuiddb"
	# a uiddb with a duplicate UID and a last line cut short
	mkdir -p "$a/.Bad/cur" "$a/.Bad/new" "$a/.Bad/tmp" || return 1
	msg "$a/.Bad/cur/1794900002.1.mail.example.com:2,S" bad1
	msg "$a/.Bad/cur/1794900002.2.mail.example.com:2,S" bad2
	msg "$a/.Bad/cur/1794900002.3.mail.example.com:2,S" bad3
	msg "$a/.Bad/cur/1794900002.4 a b:2,S" bad4	# no line could carry it
	printf '1 1700000001 5\n1 1794900002.1.mail.example.com\n1 1794900002.2.mail.example.com\n3 1794900002.3.mail.exa' \
	    >"$a/.Bad/courierimapuiddb"
	# a folder name that is no modified UTF-7
	mkdir -p "$a/.R&D/cur" "$a/.R&D/new" "$a/.R&D/tmp" || return 1
	msg "$a/.R&D/cur/1794900003.1.mail.example.com:2,S" rd1
	printf 'INBOX.Sent\nINBOX.Archiv.B\303\274ro\n' \
	    >"$a/courierimapsubscribed"
	# a folder a Dovecot of the old host numbered: its files stay
	mkdir -p "$a/.Dove/cur" "$a/.Dove/new" "$a/.Dove/tmp" || return 1
	msg "$a/.Dove/cur/1794900004.1.mail.example.com:2,Sa" dv1
	printf '3 V1234 N9\n7 :1794900004.1.mail.example.com:2,Sa\n' \
	    >"$a/.Dove/dovecot-uidlist"
	printf '0 OldKeyword\n' >"$a/.Dove/dovecot-keywords"
	# qmail-pop3d numbers by mtime: UID 1, the newest file, comes last
	touch -d @1796000000 "$a/cur/$M1:2,S"
	# frank (vpasswd 1024KB) over his quota on the old host
	head -c 1100000 /dev/zero | tr '\0' x >"$old/$F/new/$FM"
}
I=home/vpopmail/domains/example.net/info/Maildir
IM1=1794834300.9354.mail.example.com,S=583
IM2=1794920700.9391.mail.example.com,S=554
# info@example.net read mail with courier's pop3d (/2: UID:UIDVALIDITY)
mk_pop3() {
	printf '/2 3 1700000500\n%s:2,S 583 1:1700000500\n%s 554 2:1700000500\n' \
	    "$IM1" "$IM2" >"$old/$I/courierpop3dsizelist"
}
mk_old && mk_pop3 || tap_bail "cannot build the old state"
# the old tree, every byte, name, mode and mtime
old_sum() {
	(cd "$old" && find . -printf '%p %m %T@ %s %l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat) |
	    sha256sum
}
sum0=$(old_sum)

"$q2p" --root "$old" -o "$out" --dovecot 2.3 --postfix 3.7 --no-dkim -q \
    --bindir /usr/local/bin --srs-secret /etc/qmail2postfix/srs-secret
[ -f "$out/dovecot/dovecot.conf" ] || tap_bail "qmail2postfix wrote no OUT"

"$q2p" sync "$out" --root "$old" --dest-root "$new" --json \
    >"$H_DIR/sync1.json" 2>"$H_DIR/sync1.err"
rc=$?
tap_check "first sync: exit 1, the untrusted lines listed with file:line" \
    bash -c "[ $rc = 1 ] &&
    grep -q '$A/.Bad/courierimapuiddb:3: UID used before (line 2)' '$H_DIR/sync1.err' &&
    grep -q '$A/.Bad/courierimapuiddb:4: .*cut short' '$H_DIR/sync1.err' &&
    grep -q '$A/.Bad/cur/1794900002.4.x20a.x20b:2,S: the name holds a space or a control byte; not copied' '$H_DIR/sync1.err' &&
    grep -q '$A/.R&D: folder name is not valid modified UTF-7 (taken as UTF-8); copied as \".R&-D\"' '$H_DIR/sync1.err' &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=[f for m in d[\"mailboxes\"] for f in m[\"folders\"] if f[\"name\"]==\"INBOX.Bad\"][0]; sys.exit(len(f[\"untrusted\"])!=2 or f[\"copied\"]!=3)' '$H_DIR/sync1.json'" ||
    cat "$H_DIR/sync1.err" >&2
over() {	# over ADDRESS true|false: --json's over_quota of the mailbox
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=[m for m in d["mailboxes"] if m["address"]==sys.argv[2]][0]; print(json.dumps(m["over_quota"]))' \
	    "$H_DIR/sync1.json" "$1" | grep -qx "$2"
}
tap_check "first sync: frank over his old quota is said, his mail all copied" \
    bash -c "grep -q 'frank@example.com: over its quota on the old host: 2 messages, 1100545 bytes (quota: 1048576 bytes' '$H_DIR/sync1.err' &&
    [ -f '$new/$F/new/$FM' ] && ! grep -q 'alice@example.com: over' '$H_DIR/sync1.err'"
tap_check "first sync: --json says over_quota for frank only" \
    eval 'over frank@example.com true && over alice@example.com false'
sum_after1=$(old_sum)
tap_check "first sync: owned by the users file's uid and gid, 0600" \
    bash -c "[ \"\$(stat -c '%u:%g %a' '$new/$A/cur/$M1:2,Sab')\" = '89:89 600' ] &&
    [ \"\$(stat -c '%u:%g %a' '$new/$A/.Archiv.B&APw-ro')\" = '89:89 700' ]"
tap_check "first sync: names kept, mtime kept (INTERNALDATE)" \
    bash -c "[ \"\$(stat -c %Y '$new/$A/new/$M3')\" = \"\$(stat -c %Y '$old/$A/new/$M3')\" ]"

# Dovecot with OUT's namespace and UIDL format, on the new side
pw=$(h_crypt sha512 sync-secret)
# the quota fields of OUT's users file (vpasswd's pw_shell)
xf() { grep "^$1:" "$out/dovecot/users" | cut -d: -f8-; }
printf 'alice@example.com:%s:89:89::%s::%s\ninfo@example.net:%s:89:89::%s::\nfrank@example.com:%s:89:89::%s::%s\n' \
    "$pw" "$new/home/vpopmail/domains/example.com/alice" \
    "$(xf alice@example.com)" "$pw" \
    "$new/home/vpopmail/domains/example.net/info" "$pw" \
    "$new/home/vpopmail/domains/example.com/frank" \
    "$(xf frank@example.com)" >"$H_DIR/passwd"
conf=$out/dovecot/dovecot.conf
ns=$(sed -n '/^namespace inbox {/,/^}/p' "$conf")
uidl=$(grep '^pop3_uidl_format' "$conf")
# OUT's quota: the plugin, its backend, imap_quota
quota=$(grep '^mail_plugins' "$conf"; sed -n '/^plugin {/,/^}/p' "$conf";
    sed -n '/^protocol imap {/,/^}/p' "$conf")
[ -n "$ns" ] && [ -n "$uidl" ] || tap_bail "OUT has no namespace or UIDL line"
tap_check "OUT's dovecot.conf enables the maildir quota where vpasswd had quotas" \
    bash -c "grep -qx 'mail_plugins = \$mail_plugins quota' '$conf' &&
    grep -qx '  quota = maildir:User quota' '$conf' &&
    grep -q 'imap_quota' '$conf' && grep -q 'userdb_quota_rule=\*:storage=50000000B' '$out/dovecot/users'"
h_dovecot_setup "" "$H_DIR/passwd" "$ns" "$uidl" "$quota" &&
    h_dovecot_start || tap_bail "dovecot"

# dump: one line per fact, as an IMAP client and a POP3 client see it
dump() {
	Q2P_PW=sync-secret python3 - "$H_IMAP_PORT" "$H_POP3_PORT" <<'EOF'
import imaplib, poplib, os, re, sys
im = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
im.login('alice@example.com', os.environ['Q2P_PW'])
print('NAMESPACE', im.namespace()[1][0].decode())
names = []
for l in im.list()[1]:
    n = l.decode().rsplit(' ', 1)[1].strip('"')
    names.append(n)
    print('LIST', n)
for l in im.lsub()[1]:
    print('LSUB', l.decode().rsplit(' ', 1)[1].strip('"'))
for n in sorted(names):
    typ, st = im.status('"%s"' % n, '(UIDVALIDITY UIDNEXT)')
    if typ != 'OK':
        continue
    print('STATUS', n, st[0].decode().split('(', 1)[1].rstrip(')'))
    im.select('"%s"' % n, readonly=True)
    typ, d = im.uid('FETCH', '1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])')
    for it in d:
        if not isinstance(it, tuple):
            continue
        m = re.search(rb'UID (\d+)', it[0]); f = re.search(rb'FLAGS \(([^)]*)\)', it[0])
        mid = re.search(rb'<([^>]*)>', it[1])
        fl = ' '.join(sorted(x for x in f.group(1).decode().split() if x != '\\Recent'))
        print('MSG', n, m.group(1).decode(), mid.group(1).decode() if mid else '-', fl)
im.logout()
p = poplib.POP3('127.0.0.1', int(sys.argv[2]))
p.user('alice@example.com'); p.pass_(os.environ['Q2P_PW'])
for l in p.uidl()[1]:
    print('UIDL', l.decode().split()[1])
p.quit()
EOF
}
dump >"$H_DIR/dump1" 2>&1 || { cat "$H_DIR/dump1" >&2; tap_bail "no IMAP dump"; }
# doveadm: which file is which UID (Maildir's GUID is the base name)
guids() {
	doveadm -c "$H_DC_CONF" fetch -u alice@example.com 'uid guid' \
	    mailbox INBOX | paste -d' ' - - - | awk '{print $2, $4}'
}
has() {	# has FILE LINE...: every LINE is in FILE
	local f=$1 l
	shift
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || { echo "missing: $l"; cat "$f"; return 1; }
	done
}
tap_check "NAMESPACE is courier's (\"INBOX.\" \".\")" \
    has "$H_DIR/dump1" 'NAMESPACE (("INBOX." ".")) NIL NIL'
tap_check "LIST: INBOX and the folders as courier named them (modified UTF-7)" \
    has "$H_DIR/dump1" 'LIST INBOX' 'LIST INBOX.Sent' \
    'LIST INBOX.Archiv.B&APw-ro' 'LIST INBOX.Bad' 'LIST INBOX.R&-D'
tap_check "LSUB: courierimapsubscribed's folders" \
    has "$H_DIR/dump1" 'LSUB INBOX.Sent' 'LSUB INBOX.Archiv.B&APw-ro'
tap_check "INBOX: UIDVALIDITY and UIDNEXT of courierimapuiddb" \
    has "$H_DIR/dump1" 'STATUS INBOX UIDNEXT 4 UIDVALIDITY 1600000000'
mid() {	# the Message-ID of an old-side file, as the dump prints it
	sed -n 's/^Message-I[Dd]: *<\([^>]*\)>.*/\1/p' "$1" | head -n 1
}
I1=$(mid "$old/$A/cur/$M1:2,S")
I2=$(mid "$old/$A/cur/$M2:2,RS")
I3=$(mid "$old/$A/new/$M3")
tap_check "INBOX: each message's UID and flags, keywords folded as courier does" \
    has "$H_DIR/dump1" "MSG INBOX 1 $I1 \$Label1 NonJunk \\Seen" \
    "MSG INBOX 2 $I2 Work \\Answered \\Seen" "MSG INBOX 3 $I3 "
tap_check "no keyword shown as unknown-N" \
    bash -c "! grep -q unknown '$H_DIR/dump1'"
tap_check "INBOX: UID 1, 2, 3 are the files courier numbered so" \
    bash -c "[ \"\$(doveadm -c '$H_DC_CONF' fetch -u alice@example.com 'uid guid' mailbox INBOX |
    awk '/^uid:/{u=\$2} /^guid:/{print u, \$2}' | tr '\n' ' ')\" = '1 $M1 2 $M2 3 $M3 ' ]"
tap_check "courier 5 folder: its UIDs; the unseen in courier's order from NEXTUID" \
    has "$H_DIR/dump1" \
    'STATUS INBOX.Archiv.B&APw-ro UIDNEXT 10 UIDVALIDITY 1700000000' \
    'MSG INBOX.Archiv.B&APw-ro 7 ab1@test \Seen' \
    'MSG INBOX.Archiv.B&APw-ro 8 ab2@test ' \
    'MSG INBOX.Archiv.B&APw-ro 9 ab3@test '
tap_check "corrupt uiddb: the trusted UID kept, the others new from NEXTUID" \
    has "$H_DIR/dump1" 'STATUS INBOX.Bad UIDNEXT 7 UIDVALIDITY 1700000001' \
    'MSG INBOX.Bad 1 bad1@test \Seen' 'MSG INBOX.Bad 5 bad2@test \Seen' \
    'MSG INBOX.Bad 6 bad3@test \Seen'
tap_check "a Dovecot of the old host: its UIDs and keywords kept" \
    has "$H_DIR/dump1" 'STATUS INBOX.Dove UIDNEXT 9 UIDVALIDITY 1234' \
    'MSG INBOX.Dove 7 dv1@test OldKeyword \Seen'
tap_check "courier pop3d's UIDLs kept (courierpop3dsizelist)" \
    test "$(Q2P_PW=sync-secret python3 -c '
import os, poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]))
p.user("info@example.net"); p.pass_(os.environ["Q2P_PW"])
print(" ".join(l.decode().split()[1] for l in p.uidl()[1])); p.quit()' \
    "$H_POP3_PORT")" = "UID1-1700000500 UID2-1700000500"
tap_check "POP3 UIDLs and order: qmail-pop3d's (the name up to ':', by mtime)" \
    test "$(sed -n 's/^UIDL //p' "$H_DIR/dump1" | tr '\n' ' ')" = "$M2 $M3 $M1 "

# quota: Dovecot's maildir quota rebuilds maildirsize (sync removed the
# old one) from the synced files and the users file's limit
. "$src/tests/integration/lib/sync-quota.sh"
q1=$(getquota alice@example.com sync-secret 2>&1)
u1=$(usage "$new/$A")
tap_check "quota: GETQUOTAROOT INBOX is OUT's root, vpasswd's 50000000 bytes as the limit" \
    test "$q1" = "User quota $(kb "${u1#* }") $(kb 50000000)"
tap_check "quota: Dovecot counts the synced messages and bytes ($u1)" \
    test "$(mdsize "$new/$A")" = "$u1"
t_frank() {
	local q r a
	q=$(getquota frank@example.com sync-secret 2>&1)
	r=$(python3 -c 'import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
c.ehlo("test")
c.mail("a@example.org")
c.rcpt("frank@example.com")
print(*c.data(b"Subject: x\r\n\r\nx\r\n"))' "$H_LMTP_PORT" 2>&1)
	a=$(Q2P_PW=sync-secret python3 -c 'import imaplib, os, sys
im = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
im.login("frank@example.com", os.environ["Q2P_PW"])
try:
    print(*im.append("INBOX", None, None, b"Subject: x\r\n\r\nx\r\n"))
except imaplib.IMAP4.error as e:
    print("NO", e)' "$H_IMAP_PORT" 2>&1)
	echo "GETQUOTA: $q; LMTP RCPT: $r; APPEND: $a"
	[ "$q" = "User quota $(kb 1100545) 1024" ] &&
	    case $r in "552 "*[Qq]uota*) true ;; *) false ;; esac &&
	    case $a in NO*[Qq]uota*) true ;; *) false ;; esac
}
tap_check "quota: frank over quota keeps his mail; Dovecot refuses new mail (LMTP 552, APPEND NO)" \
    t_frank

# the new side changes a flag; the old side gets a delivery, a flag change
# on the same message and another one, and a keyword update
Q2P_PW=sync-secret python3 - "$H_IMAP_PORT" <<'EOF' || tap_fail "IMAP STORE"
import imaplib, os, sys
im = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
im.login('alice@example.com', os.environ['Q2P_PW'])
im.select('INBOX')
assert im.uid('STORE', '2', '+FLAGS', '(\\Flagged)')[0] == 'OK'
im.logout()
EOF
h_dovecot_stop
msg "$old/$A/new/$M4" m4
mv "$old/$A/cur/$M1:2,S" "$old/$A/cur/$M1:2,FS"
mv "$old/$A/cur/$M2:2,RS" "$old/$A/cur/$M2:2,S"
# courier's SELECT moved M3 to cur/ and a client read it, while Dovecot's
# SELECT above moved the new side's copy to cur/ without a flag
mv "$old/$A/new/$M3" "$old/$A/cur/$M3:2,S"
printf 'NonJunk\n' >"$old/$A/courierimapkeywords/.2.$M1"
sum1=$(old_sum)

"$q2p" sync "$out" --root "$old" --dest-root "$new" >"$H_DIR/sync2.out" \
    2>"$H_DIR/sync2.err"
rc=$?
tap_check "second sync: one message copied, two flag changes carried" \
    bash -c "[ $rc = 1 ] && grep -q ': 1 messages copied (58 bytes), [0-9]* already there, 2 flag changes carried over' '$H_DIR/sync2.out'" ||
    cat "$H_DIR/sync2.out" "$H_DIR/sync2.err" >&2
tap_check "second sync: the new message is there exactly once" \
    bash -c "[ \$(find '$new/$A' -name '$M4*' | wc -l) = 1 ]"
tap_check "second sync: the stale maildirsize removed" \
    test ! -e "$new/$A/maildirsize"
h_dovecot_start || tap_bail "dovecot again"
dump >"$H_DIR/dump2" 2>&1 || cat "$H_DIR/dump2" >&2
q2=$(getquota alice@example.com sync-secret 2>&1)
read -r n1 b1 <<<"$u1"
tap_check "quota after the second sync: exactly the new message more (1, 58 bytes)" \
    test "$(mdsize "$new/$A")" = "$((n1 + 1)) $((b1 + 58))" -a \
    "$q2" = "User quota $(kb $((b1 + 58))) $(kb 50000000)"
tap_check "second sync: the delivery has UID 4, UIDNEXT 5, is last in POP3" \
    has "$H_DIR/dump2" 'STATUS INBOX UIDNEXT 5 UIDVALIDITY 1600000000' \
    'MSG INBOX 4 m4@test '
tap_check "second sync: POP3 order kept, the delivery last" \
    test "$(sed -n 's/^UIDL //p' "$H_DIR/dump2" | tr '\n' ' ')" = "$M2 $M3 $M1 $M4 "
tap_check "second sync: the old side's flag and keyword change carried over" \
    has "$H_DIR/dump2" "MSG INBOX 1 $I1 NonJunk \\Flagged \\Seen" \
    "MSG INBOX 3 $I3 \\Seen"
tap_check "second sync: the new side's change is not overwritten" \
    has "$H_DIR/dump2" "MSG INBOX 2 $I2 Work \\Answered \\Flagged \\Seen"
sum_after2=$(old_sum)
tap_check "the old tree is byte-identical after each sync" \
    test "$sum0 $sum1" = "$sum_after1 $sum_after2"
"$q2p" sync "$out" --root "$old" --dest-root "$new" --dry-run \
    >"$H_DIR/sync3.out" 2>&1
tap_check "a third run (dry) finds nothing to copy" \
    grep -q ': 0 messages copied (0 bytes), [0-9]* already there, 0 flag changes' \
    "$H_DIR/sync3.out"

h_stop_all
h_assert_no_leftovers
tap_done
