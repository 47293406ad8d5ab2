#!/bin/bash
#
# NAME		sync-hostile.sh - hostile courier and Dovecot state against
#		qmail2postfix sync
# DOES		builds a hostile Maildir at run time in a copy of
#		samples/oldhost (names with newlines cannot be committed):
#		folder directories with an empty hierarchy level and with a
#		newline, message file names with a newline and a space,
#		courierimapsubscribed lines that climb ("../") or hold a '/',
#		courier keywords with a space and a control byte, an old
#		Dovecot's dovecot-keywords and dovecot-uidlist lines with a
#		control byte, a '/' name and a field with a tab; then syncs
#		and requires: each refusal listed with file:line (stderr and
#		--json's "problems"), every line of every dovecot-uidlist,
#		dovecot-keywords, subscriptions and qmail2postfix-sync of the
#		new side whole and in its syntax, no folder directory with an
#		empty level, the good folders and messages copied, and a real
#		Dovecot (OUT's namespace) listing the folders and reading
#		every uidlist without an error in its log
# NEVER		commits a hostile file name
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init sync-hostile

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
[ -x "$Q" ] || tap_bail "no $Q"
command -v jq >/dev/null || tap_bail "jq is needed"
old=$H_DIR/old
new=$H_DIR/new
out=$H_DIR/out
A=home/vpopmail/domains/example.com/alice/Maildir
NL=$'\n'

cp -a "$top_srcdir/samples/oldhost" "$old" &&
    python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$old" \
    --tree oldhost || tap_bail "no copy of samples/oldhost"

msg() {	# msg FILE ID
	printf 'From: a@example.org\nSubject: %s\nMessage-ID: <%s@test>\n\n%s\n' \
	    "$2" "$2" "$2" >"$1"
}
folder() {	# folder NAME: a Maildir++ folder of alice with one message
	mkdir -p "$old/$A/.$1/cur" "$old/$A/.$1/new" "$old/$A/.$1/tmp" &&
	    msg "$old/$A/.$1/cur/1794900100.1.mail.example.com:2,S" "f$RANDOM"
}
mk_hostile() {
	local a=$old/$A k=$old/$A/courierimapkeywords
	folder 'Empty..Level' && folder 'Good' && folder "New${NL}line" &&
	    folder 'Dove' || return 1
	msg "$a/cur/1794900101.1.mail.example.com${NL}7 :evil:2,S" nl1
	msg "$a/cur/1794900102.1 a:2,S" sp1
	printf 'INBOX.Good\nINBOX.../../etc\nINBOX.a/b\nINBOX.x..y\nINBOX.Sent\n' \
	    >"$a/courierimapsubscribed"
	mkdir -p "$k" || return 1
	printf 'Fine\nbad kw\nctl\001kw\n\n%s:0 1 2\n' \
	    '1794209461.4211.mail.example.com,S=545' >"$k/:list"
	# a Dovecot of the old host numbered .Dove (keyword 0 on its message)
	mv "$a/.Dove/cur/1794900100.1.mail.example.com:2,S" \
	    "$a/.Dove/cur/1794900100.1.mail.example.com:2,Sa" || return 1
	printf '0 OldGood\n1 Bad\001Word\n2 sp ace\n' \
	    >"$a/.Dove/dovecot-keywords"
	printf '3 V1234 N9\n7 :1794900100.1.mail.example.com:2,Sa\n8 :../../x\n8 P\tx :y\n' \
	    >"$a/.Dove/dovecot-uidlist"
}
mk_hostile || tap_bail "cannot build the hostile tree"

"$Q" --root "$old" -o "$out" --dovecot 2.3 --postfix 3.7 --no-dkim -q \
    --bindir /usr/local/bin --srs-secret /etc/qmail2postfix/srs-secret
[ -f "$out/dovecot/dovecot.conf" ] || tap_bail "qmail2postfix wrote no OUT"
"$Q" sync "$out" --root "$old" --dest-root "$new" --json \
    >"$H_DIR/sync.json" 2>"$H_DIR/sync.err"
rc=$?
tap_check "sync finishes, exit 1 (problems listed), JSON parses" \
    bash -c "[ $rc = 1 ] && jq -e '.problems | length > 0' '$H_DIR/sync.json' >/dev/null"

listed() {	# listed PATTERN...: each on stderr and in JSON's problems
	local p
	for p in "$@"; do
		grep -qE -- "$p" "$H_DIR/sync.err" ||
		    { echo "not on stderr: $p"; return 1; }
		jq -r '.problems[]' "$H_DIR/sync.json" | grep -qE -- "$p" ||
		    { echo "not in JSON: $p"; return 1; }
	done
}
t_level() {
	listed "$A/.Empty..Level: folder name has an empty hierarchy level.*not copied" &&
	    [ ! -e "$new/$A/.Empty..Level" ]
}
tap_check "folder with an empty level: listed, not copied" t_level
t_newline() {
	listed '/.New\\x0aline: folder name is not valid modified UTF-7' &&
	    [ -d "$new/$A/.New&AAo-line/cur" ] &&
	    ls "$new/$A/.New&AAo-line/cur" | grep -q .
}
tap_check "folder name with a newline: encoded in modified UTF-7, copied" \
    t_newline
t_names() {
	listed 'com\\x0a7\\x20:evil:2,S: the name holds a space or a control byte; not copied' \
	    '1794900102.1\\x20a:2,S: the name holds a space' &&
	    ! find "$new" -name '*evil*' | grep -q . &&
	    ! find "$new" -name '* *' | grep -q .
}
tap_check "message names with a newline or a space: listed, not copied" \
    t_names
tap_check "subscriptions that climb or hold a '/': listed with file:line" \
    listed 'courierimapsubscribed:2: .*empty hierarchy level.*not subscribed' \
    'courierimapsubscribed:3: .*/.*not subscribed' \
    'courierimapsubscribed:4: .*not subscribed'
tap_check "subscriptions: exactly the good names" \
    test "$(cat "$new/$A/subscriptions" 2>&1)" = "Good${NL}Sent"
tap_check "courier keywords with a space or a control byte: listed, dropped" \
    listed 'courierimapkeywords/:list:2: .*not a keyword' \
    'courierimapkeywords/:list:3: .*not a keyword'
tap_check "an old Dovecot's broken keyword and uidlist lines: listed with file:line" \
    listed '.Dove/dovecot-keywords:2: .*not carried over' \
    '.Dove/dovecot-keywords:3: .*not carried over' \
    '.Dove/dovecot-uidlist:3: .*not carried over' \
    '.Dove/dovecot-uidlist:4: .*not carried over'

# every line of the files sync wrote, in the syntax of its file
syntax() {
	local f bad=0
	while IFS= read -r -d '' f; do
		case $f in
		*/dovecot-uidlist) LC_ALL=C grep -vqE \
		    '^(3( [A-Z][!-~]*)+|[1-9][0-9]*( [A-Z][!-~]*)* :[!-.0-~]+)$' "$f" ;;
		*/dovecot-keywords) LC_ALL=C grep -vqE \
		    '^[0-9]+ [^][(){%*"\\[:cntrl:] ]+$' "$f" ;;
		*/subscriptions) LC_ALL=C grep -vqE \
		    '^(INBOX|[!-~]+)$' "$f" || LC_ALL=C grep -qE \
		    '(^\.|\.$|\.\.|/)' "$f" ;;
		*/qmail2postfix-sync) LC_ALL=C grep -vqE \
		    '^[!-.0-~]+ (cur|new)/[!-.0-~]+$' "$f" ;;
		*) false ;;
		esac && { echo "a line out of syntax in $f:"; cat -A "$f"; bad=1; }
	done < <(find "$new" -type f \( -name dovecot-uidlist -o -name \
	    dovecot-keywords -o -name subscriptions -o -name \
	    qmail2postfix-sync \) -print0)
	return $bad
}
tap_check "every line of uidlist, keywords, subscriptions and state in syntax" syntax
tap_check "no folder directory with an empty level or a control byte" \
    bash -c "! find '$new' -type d -name '.*' | LC_ALL=C grep -E '/\\.[^/]*(\\.\\.|\\.$)|[[:cntrl:]]'"
tap_check "the old Dovecot's good lines kept" \
    bash -c "grep -qx '0 OldGood' '$new/$A/.Dove/dovecot-keywords' &&
    grep -qx '7 :1794900100.1.mail.example.com:2,Sa' '$new/$A/.Dove/dovecot-uidlist'"

# a real Dovecot with OUT's namespace reads what sync wrote
pw=$(h_crypt sha512 hostile-secret)
printf 'alice@example.com:%s:89:89::%s::\n' "$pw" \
    "$new/home/vpopmail/domains/example.com/alice" >"$H_DIR/passwd"
ns=$(sed -n '/^namespace inbox {/,/^}/p' "$out/dovecot/dovecot.conf")
[ -n "$ns" ] || tap_bail "OUT has no namespace"
h_dovecot_setup "" "$H_DIR/passwd" "$ns" && h_dovecot_start ||
    tap_bail "dovecot"
Q2P_PW=hostile-secret python3 - "$H_IMAP_PORT" >"$H_DIR/imap" 2>&1 <<'EOF'
import imaplib, os, sys
im = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
im.login('alice@example.com', os.environ['Q2P_PW'])
names = [l.decode().rsplit(' ', 1)[1].strip('"') for l in im.list()[1]]
for n in names:
    typ, st = im.status('"%s"' % n, '(MESSAGES UIDNEXT)')
    print('STATUS', n, typ, st[0].decode() if typ == 'OK' else st)
for l in im.lsub()[1]:
    print('LSUB', l.decode().rsplit(' ', 1)[1].strip('"'))
im.select('"INBOX.Dove"', readonly=True)
print('DOVE', im.uid('FETCH', '1:*', '(FLAGS)')[1])
im.logout()
EOF
tap_check "Dovecot lists the good folders and opens each" \
    bash -c "grep -q '^STATUS INBOX.Good OK' '$H_DIR/imap' &&
    grep -q '^STATUS INBOX.New&AAo-line OK' '$H_DIR/imap' &&
    ! grep -q 'Empty' '$H_DIR/imap' && ! grep -q ' NO' '$H_DIR/imap'" ||
    cat "$H_DIR/imap" >&2
tap_check "Dovecot: the old Dovecot's UID and good keyword" \
    grep -q "DOVE .*UID 7 FLAGS (.*OldGood" "$H_DIR/imap"
h_stop_all
tap_check "Dovecot's log: no broken uidlist or keywords file" \
    bash -c "! grep -iE 'broken|corrupt|invalid' '$H_DC_LOG'"
h_assert_no_leftovers
tap_done
