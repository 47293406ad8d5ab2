#!/bin/bash
# Hostile old-host names against the Postfix side of qmail2postfix: .qmail
# file names with newlines or a space, a run-script directory name with
# newlines, '$' in a -default forward, .qmail-Sales beside .qmail-sales
# (and .qmail-john.smith beside .qmail-john:smith),
# users/assign domains with '_' and UTF-8, tcprules RELAYCLIENT rules that
# are host names, malformed or the catch-all.  The trees are built here at
# run time (git cannot hold such names) from samples/oldhost; the output is
# read with the real postconf and postmap and compared with the unchanged
# samples: no injected line or service, the victims route as before, each
# refused item listed with file:line in the report and migration.json.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
: "${top_builddir:=$top_srcdir/_build}"
PATH=$PATH:/usr/sbin:/sbin
h_init hostile-postfix
prog=$top_builddir/qmail2postfix

prepare() {	# prepare DIR: a private, completed copy of samples/oldhost
	cp -a "$top_srcdir/samples/oldhost" "$1" &&
	python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$1" \
	    --tree oldhost >/dev/null
}
migrate() {	# migrate ROOT OUT: exit code in $rc, stderr in OUT.err
	"$prog" --root "$1" -o "$2" --bindir /usr/local/bin \
	    --srs-secret /usr/local/etc/qmail2postfix/srs-secret \
	    --dkim-key "q2p:$top_srcdir/samples/dns/keys/q2p.private" \
	    2>"$2.err"
	rc=$?
}
maps() {	# maps OUT PF: PF is a copy of OUT/postfix with the hash: maps made
	cp -a "$1/postfix" "$2" &&
	for t in virtual_alias virtual_mailbox virtual_mailbox_domains \
	    virtual_alias_domains transport sender_access recipient_access; do
		postmap -c "$2" "hash:$2/$t" || return 1
	done
}
q() {		# q PF KEY TYPE TABLE: what Postfix answers
	postmap -c "$1" -q "$2" "$3:$1/$4" 2>&1
}

base=$H_DIR/base
root=$H_DIR/root
prepare "$base" && prepare "$root" || tap_bail "cannot prepare samples/oldhost"
dom=$root/home/vpopmail/domains/example.com
nl=$'\n'

# (':' in a name stands for '.' of the address, as qmail-local looks
# files up; a '.' itself makes a name qmail never read, see 5a)
# 1. a name that adds a virtual_alias line redirecting alice
printf '&bob@example.com\n' >"$dom/.qmail-x${nl}alice@example:com attacker@evil:example${nl}#"
# 2. a name that adds an open-relay smtpd service to master.cf (through the
#    pipe's provenance comment)
printf '|/bin/true\n' >"$dom/.qmail-y${nl}relay2525 inet n - n - - smtpd${nl}  -o smtpd_relay_restrictions=permit${nl}#"
# 3. a space splits the map key: root@ every domain to the attacker
printf '&postmaster@example.com\n' >"$dom/.qmail-root attacker@evil:example,"
# 4. '$' in the target of a -default forward (a regexp: replacement)
printf '&orders$shop@example.net\n' >"$dom/.qmail-shop-default"
# 5. qmail-local lowercases the address: .qmail-Sales was never read
printf '&attacker@evil.example\n' >"$dom/.qmail-Sales"
# 5a. '.' becomes ':' before qmail-local looks: .qmail-john.smith was never
#     read (.qmail-john:smith is the file for john.smith@)
printf '&attacker@evil.example\n' >"$dom/.qmail-john.smith"
# 5b. braces in a -default prefix would end the pipe's argv={ ... }
printf '|/bin/true\n' >"$dom/.qmail-p{x}-default"
# 5c. a badmailfrom address with a space would split the sender_access key
printf 'a b@x.example\n' >>"$root/var/qmail/control/badmailfrom"
# 6. users/assign domains: '_' (Postfix takes it) and UTF-8 (it does not)
vp=/home/vpopmail/domains
for d in ex_ample.com "b$(printf '\303\274')cher.example"; do
	mkdir -p "$root$vp/$d/kim"
	printf 'kim:x7Jq5bD3pQ9mE:1:0:Kim:%s/%s/kim:NOQUOTA\n' "$vp" "$d" \
	    >"$root$vp/$d/vpasswd"
	printf '&kim@%s\n' "$d" >"$root$vp/$d/.qmail-info"
	sed -i "\$i +$d-:$d:89:89:$vp/$d:-::" "$root/var/qmail/users/assign"
done
# 7. tcprules: a host name, a malformed key and the catch-all relay rule
rm -f "$root/etc/tcp.smtp.cdb"
sed -i 's/^:allow,QMAILQUEUE/:allow,RELAYCLIENT="",QMAILQUEUE/' "$root/etc/tcp.smtp"
printf '=relay.partner.example:allow,RELAYCLIENT=""\n10.1.2.300:allow,RELAYCLIENT=""\n' \
    >>"$root/etc/tcp.smtp"
# 8. a run-script directory whose name puts a parameter into main.cf (the
#    smtpd_timeout comment) and master.cf (the smtp maxproc comment)
sv="$root/service/qmail-smtpx${nl}smtpd_relay_restrictions = permit${nl}#"
mkdir -p "$sv"
printf '#!/bin/sh\nQMAIL_SMTPD_TIMEOUT=120\nexport QMAIL_SMTPD_TIMEOUT\nexec /usr/bin/tcpserver -v -c 7 0 smtp /var/qmail/bin/qmail-smtpd\n' >"$sv/run"

migrate "$base" "$H_DIR/BASE"
[ "$rc" = 1 ] || tap_bail "samples/oldhost: exit $rc"
migrate "$root" "$H_DIR/OUT"
out=$H_DIR/OUT
tap_check "exit 1: converted, with items listed" test "$rc" = 1
postconf -c "$out/postfix" -n >"$H_DIR/pc.out" 2>"$H_DIR/pc.err"
tap_check "postconf -n reads main.cf without a warning" \
    test $? = 0 -a ! -s "$H_DIR/pc.err"
tap_check "main.cf: no smtpd_relay_restrictions line but its own (run-script name)" \
    bash -c "[ \$(grep -c '^smtpd_relay_restrictions' '$out/postfix/main.cf') = 1 ] &&
	! grep -q '^smtpd_relay_restrictions = permit\$' '$out/postfix/main.cf' &&
	grep -x \"smtpd_relay_restrictions = \$(postconf -c '$H_DIR/BASE/postfix' \
	    -h smtpd_relay_restrictions)\" '$H_DIR/pc.out' |
	grep -q 'permit_sasl_authenticated, .*reject_unauth_destination\$'"
vis='^# from service/qmail-smtpx\\x0asmtpd_relay_restrictions = permit\\x0a#/run:4 '
tap_check "main.cf: the run script's name is one comment line" \
    grep -q "$vis(QMAIL_SMTPD_TIMEOUT" "$out/postfix/main.cf"
tap_check "master.cf: the run script's name is one comment line" \
    grep -q "$vis(tcpserver -c 7)" "$out/postfix/master.cf"
svcs() { postconf -c "$1/postfix" -M | awk '{ print $1 "/" $2 }'; }
svcs "$H_DIR/BASE" >"$H_DIR/svcs.base"
svcs "$out" >"$H_DIR/svcs.out"
tap_check "master.cf: the same services as samples/oldhost (no relay2525)" \
    diff "$H_DIR/svcs.base" "$H_DIR/svcs.out"
tap_check "master.cf: no service relays for everyone" \
    bash -c "postconf -c '$out/postfix' -P >'$H_DIR/pP' &&
	! grep -q 'smtpd_relay_restrictions = permit\$' '$H_DIR/pP'"
tap_check "no generated line outside a comment names the attacker" \
    bash -c "! grep -rh -v '^[[:space:]]*#' '$out/postfix' | grep -q evil.example"
tap_check "postmap: every table builds without a warning" \
    bash -c "cp -a '$out/postfix' '$H_DIR/pfw' && for t in virtual_alias \
	virtual_mailbox virtual_mailbox_domains virtual_alias_domains \
	transport sender_access recipient_access; do
	postmap -c '$H_DIR/pfw' hash:'$H_DIR/pfw'/\$t || exit 1; done 2>&1 |
	grep . && exit 1; postmap -c '$H_DIR/pfw' -q x@x regexp:'$H_DIR/pfw/virtual_alias_regexp' 2>&1 | grep . && exit 1; exit 0"

maps "$H_DIR/BASE" "$H_DIR/pfb" && maps "$out" "$H_DIR/pf" ||
    tap_bail "postmap cannot build the tables"
same() {	# same KEY TYPE TABLE: the hostile tree routes KEY as the samples do
	local a b
	a=$(q "$H_DIR/pfb" "$1" "$2" "$3")
	b=$(q "$H_DIR/pf" "$1" "$2" "$3")
	[ "$a" = "$b" ] || { echo "samples: $a"; echo "hostile: $b"; return 1; }
}
tap_check "alice@example.com routes as before" same alice@example.com hash virtual_alias
tap_check "root@example.com routes as before (space in a .qmail name)" \
    same root@example.com hash virtual_alias
# the bare local part: virtual(8) looks it up for the mydestination domains
tap_check "root of the local domains routes as before (key \"root\")" \
    same root hash virtual_alias
tap_check "sales@example.com: .qmail-sales, not the never-read .qmail-Sales" \
    test "$(q "$H_DIR/pf" sales@example.com hash virtual_alias)" = \
    "alice@example.com, judy@example.com"
tap_check "john.smith@example.com: .qmail-john:smith, not the never-read .qmail-john.smith" \
    same john.smith@example.com hash virtual_alias
tap_check "shop-x@example.com: the forward with '\$' (postmap -q on the regexp: table)" \
    test "$(q "$H_DIR/pf" shop-x@example.com regexp virtual_alias_regexp)" = \
    'orders$shop@example.net'
tap_check "ex_ample.com: domain and mailbox converted" \
    test "$(q "$H_DIR/pf" ex_ample.com hash virtual_mailbox_domains)|$(q "$H_DIR/pf" kim@ex_ample.com hash virtual_mailbox)|$(q "$H_DIR/pf" info@ex_ample.com hash virtual_alias)" = \
    "OK|$vp/ex_ample.com/kim/Maildir/|kim@ex_ample.com"
tap_check "mynetworks as before: no host name, malformed or catch-all rule" \
    test "$(postconf -h -c "$out/postfix" mynetworks)" = "$(postconf -h -c "$H_DIR/BASE/postfix" mynetworks)"

# each refused item: listed with file:line in the report and in migration.json
rep=$out/migration-report.txt
listed() {	# listed DESC SOURCE-REGEX REASON-REGEX
	local desc=$1
	shift
	tap_check "listed: $desc" python3 - "$out/migration.json" "$rep" "$@" <<'EOF'
import json, re, sys
j = json.load(open(sys.argv[1]))
rep = open(sys.argv[2], encoding="utf-8", errors="replace").read()
src, why = re.compile(sys.argv[3], re.S), re.compile(sys.argv[4], re.S)
hits = [x for x in j["listed"] if src.search(x["source"]) and why.search(x["reason"])]
assert hits, "not in migration.json"
for x in hits:
    line = re.search(r":(\d+)$", x["source"])
    assert line, "no line: " + x["source"]
    # the report renders the name its own way; its line and reason show
    assert any(":%s: " % line.group(1) in l and why.search(l)
               for l in rep.splitlines()), "not in the report: " + x["source"]
for k, c in j["counts"].items():
    assert c["read"] == c["converted"] + c["listed"] + c["skipped"], k
EOF
}
# a newline in a source may be shown raw or as \x0a
n='(\n|\\x0a)'
listed ".qmail-x<newline>... (alias line)" "\\.qmail-x${n}alice@example:com attacker@evil:example$n#:1\$" 'newline'
listed ".qmail-y<newline>... (master.cf service)" "\\.qmail-y${n}relay2525 inet.*#:1\$" 'newline'
listed ".qmail-root attacker@evil:example," '\.qmail-root attacker@evil:example,:1$' 'space'
listed ".qmail-p{x}-default pipe, braces" '/\.qmail-p\{x\}-default:1$' 'master\.cf cannot hold it'
listed "badmailfrom address with a space" '/control/badmailfrom:\d+$' 'space'
listed ".qmail-john.smith, never read by qmail" '/\.qmail-john\.smith:1$' "'\\.' in the file name.*never read"
listed ".qmail-Sales, never read by qmail" '/\.qmail-Sales:1$' 'upper case.*never read'
listed "bücher.example in users/assign" '/var/qmail/users/assign:\d+$' 'non-ASCII domain'
listed "its mailbox kim" 'cher\.example/vpasswd:1$' 'its domain is not converted'
listed "its alias .qmail-info" 'cher\.example/\.qmail-info:1$' 'its domain is not converted'
listed "tcprules catch-all relay rule, loudly" '^/etc/tcp\.smtp:\d+$' 'OPEN RELAY'
listed "tcprules host name relay rule" '^/etc/tcp\.smtp:\d+$' 'host name or ident rule'
listed "tcprules malformed relay rule" '^/etc/tcp\.smtp:\d+$' 'not an address or prefix'
tap_check "report: the counts add up" grep -q "The counts add up." "$rep"

# 9. a virtualdomains prefix with a brace: the q2p-dotqmail services of
#    the domain cannot be written; their mail waits (retry), never bounces
root9=$H_DIR/root9
prepare "$root9" || tap_bail "cannot prepare samples/oldhost"
sed -i 's/^example\.org:example\.org$/example.org:exa}mple.org/' \
    "$root9/var/qmail/control/virtualdomains"
migrate "$root9" "$H_DIR/OUT9"
rc9=$rc
tap_check "virtualdomains brace: converted (exit 1), pipes not written" \
    eval '[ "$rc9" = 1 ] && grep -q "^# q2p-pipe1 not written: " "$H_DIR/OUT9/postfix/master.cf" && ! grep -q "^q2p-pipe1 " "$H_DIR/OUT9/postfix/master.cf"'
tap_check "virtualdomains brace: the pipe's mail is deferred (retry:4.3.5)" \
    grep -q "^pipe1@qmail2postfix.invalid	retry:4.3.5 " "$H_DIR/OUT9/postfix/transport"
tap_check "virtualdomains brace: master.cf still reads" \
    postconf -c "$H_DIR/OUT9/postfix" -M
tap_done
