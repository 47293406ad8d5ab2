#!/bin/bash
#
# NAME		hostile-dovecot.sh - hostile old hosts against the Dovecot,
#		JSON and report writers
# DOES		builds hostile trees at run time from copies of
#		samples/oldhost (names with newlines cannot be committed;
#		the cdb files are made with tinycdb's cdb tool) and checks
#		OUT with the real tools: a users/cdb home whose newlines
#		spell a passwd-file line gives no login (doveadm auth test
#		against a real Dovecot reading the generated users file,
#		while a real user still logs in); a vpasswd.cdb pw_dir with
#		a newline and a vpasswd hash or home with a CR are listed
#		with file:line and are in neither virtual_mailbox nor
#		dovecot/users; users/assign's uid and gid reach the users
#		file and first_valid_uid; non-UTF-8 bytes in tcp.smtp, a
#		control file and an xinetd file leave a run that finishes,
#		a migration.json that parses, and no raw control byte on
#		stderr or in the report; a run-script directory name with
#		newlines adds no line to dovecot.conf
# NEVER		commits a hostile file name
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init hostile-dovecot

: "${top_builddir:=$(pwd)}"
PATH=$PATH:/usr/sbin:/sbin
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
[ -x "$Q" ] || tap_bail "no $Q"
command -v cdb >/dev/null || tap_bail "cdb (package tinycdb) missing"
command -v tcprules >/dev/null || tap_bail "tcprules (package ucspi-tcp) missing"
command -v jq >/dev/null || tap_bail "jq is needed"
command -v doveadm >/dev/null || tap_bail "doveadm (package dovecot-core) missing"

VP=home/vpopmail/domains
NL=$'\n'
CR=$'\r'

# prepare NAME: a private, completed copy of samples/oldhost at $H_DIR/NAME
prepare() {
	cp -a "$S/oldhost" "$H_DIR/$1" &&
	python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/$1" \
	    --tree oldhost >/dev/null
}

# cdbmake FILE: records "KEY<TAB>DATA" on stdin (Python string escapes
# allowed in both) into FILE with tinycdb's cdb -c
cdbmake() {
	python3 -c '
import sys
out = sys.stdout.buffer
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    k, d = line.split("\t", 1)
    k = k.encode().decode("unicode_escape").encode("latin-1")
    d = d.encode().decode("unicode_escape").encode("latin-1")
    out.write(b"+%d,%d:%s->%s\n" % (len(k), len(d), k, d))
out.write(b"\n")
' | cdb -c "$1"
}

# run NAME: qmail2postfix on $H_DIR/NAME into $H_DIR/NAME.out; $rc
run() {
	"$Q" --root "$H_DIR/$1" -o "$H_DIR/$1.out" --no-dkim --no-srs \
	    --dovecot-dir /etc/dovecot >"$H_DIR/$1.stdout" 2>"$H_DIR/$1.stderr"
	rc=$?
}

# listed NAME FILEPART REASONPART: migration.json lists an item whose
# source contains FILEPART and whose reason contains REASONPART
listed() {
	python3 - "$H_DIR/$1.out/migration.json" "$2" "$3" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if any(sys.argv[2] in (i["source"] or "") and
    sys.argv[3] in i["reason"] for i in j["listed"]) else 1)
EOF
}

# --- 1. users/cdb only; a domain home whose newlines spell a passdb line
prepare cdbhome || tap_bail "cannot copy samples/oldhost"
inject="evil@example.com:{PLAIN}secret:89:89::::"
evil="/$VP/example.net${NL}${inject}${NL}#"
mv "$H_DIR/cdbhome/$VP/example.net" "$H_DIR/cdbhome$evil"
rm -f "$H_DIR/cdbhome/var/qmail/users/assign" "$H_DIR/cdbhome/var/qmail/users/cdb"
printf '%s\n' \
    '!example.com-	example.com\x0089\x0089\x00/home/vpopmail/domains/example.com\x00-\x00\x00' \
    "!example.net-	example.net\\x0089\\x0089\\x00/$VP/example.net\\n$inject\\n#\\x00-\\x00\\x00" |
    cdbmake "$H_DIR/cdbhome/var/qmail/users/cdb" || tap_bail "cdb -c"
run cdbhome
tap_check "users/cdb home with newlines: run ends (exit 0 or 1)" \
    test "$rc" -le 1 -a -s "$H_DIR/cdbhome.out/dovecot/users"
tap_check "users/cdb home with newlines: no line of dovecot/users starts with it" \
    bash -c "! grep -q '^evil@' '$H_DIR/cdbhome.out/dovecot/users'"
tap_check "users/cdb home with newlines: the provenance comment shows \\x0a" \
    grep -q '^# from /home/vpopmail/domains/example.net\\x0aevil@example.com' \
    "$H_DIR/cdbhome.out/dovecot/users"
tap_check "users/cdb home with newlines: example.net's mailboxes kept" \
    grep -q '^info@example.net:' "$H_DIR/cdbhome.out/dovecot/users"
tap_check "doveconf -n accepts dovecot.conf" \
    doveconf -c "$H_DIR/cdbhome.out/dovecot/dovecot.conf" -n

# a real Dovecot reads the generated users file: the injected login is
# refused, a real one (alice's DES hash, password from the samples) works
if h_dovecot_setup "" "$H_DIR/cdbhome.out/dovecot/users" && h_dovecot_start; then
	da() { doveadm -c "$H_DC_CONF" auth test "$@" >"$H_DIR/da.out" 2>&1; }
	tap_check "doveadm auth test alice@example.com (real user) succeeds" \
	    da alice@example.com tea4two9
	tap_check "doveadm auth test evil@example.com secret fails" \
	    bash -c "! doveadm -c '$H_DC_CONF' auth test evil@example.com secret"
	h_dovecot_stop
else
	tap_fail "dovecot with the generated users file" "$(tail -5 "$H_DC_LOG" 2>/dev/null)"
fi

# --- 2. vpasswd.cdb only; a pw_dir with a newline
prepare cdbdir || tap_bail "cannot copy samples/oldhost"
d=$H_DIR/cdbdir/$VP/example.net
rm -f "$d/vpasswd" "$d/vpasswd.cdb"
{
	sed -n 's/^\([^:#][^:]*\):\(.*\)$/\1\t\2/p' "$S/oldhost/$VP/example.net/vpasswd"
	printf '%s\n' "mallory	x:1:0:M:/$VP/example.net/mallory\\nmallory@example.net example.net/mallory/:NOQUOTA"
} | cdbmake "$d/vpasswd.cdb" || tap_bail "cdb -c"
run cdbdir
o=$H_DIR/cdbdir.out
tap_check "vpasswd.cdb pw_dir with a newline: exit 1 (listed)" test "$rc" = 1
tap_check "vpasswd.cdb pw_dir with a newline: listed with file:record and pw_dir" \
    listed cdbdir "example.net/vpasswd.cdb:" "pw_dir holds a newline"
tap_check "vpasswd.cdb pw_dir with a newline: not in virtual_mailbox nor dovecot/users" \
    bash -c "! grep -q mallory@example.net '$o/postfix/virtual_mailbox' &&
	! grep -q '^mallory@example.net' '$o/dovecot/users'"
tap_check "vpasswd.cdb: the other mailboxes of the domain kept" \
    grep -q '^info@example.net:' "$o/dovecot/users"

# --- 3. a CR in a vpasswd hash and in a home; users/assign's uid/gid
prepare cr || tap_bail "cannot copy samples/oldhost"
v=$H_DIR/cr/$VP/example.com/vpasswd
sed -i "s|^\\(alice:[^:]*\\):|\\1${CR}:|; s|^\\(bob:\\([^:]*:\\)\\{4\\}[^:]*\\):|\\1${CR}:|" "$v"
# and a quota that overflows a 64-bit byte count
sed -i 's|^\(dave:\([^:]*:\)\{5\}\)[^:]*|\19999999999999999G|' "$v"
grep -q '^dave:.*:9999999999999999G' "$v" || tap_bail "quota edit"
rm -f "$H_DIR/cr/$VP/example.com/vpasswd.cdb"
sed -i -e 's/:89:89:/:100:101:/' \
    -e 's/^+example.net-:example.net:100:101:/+example.net-:example.net:1234:1235:/' \
    "$H_DIR/cr/var/qmail/users/assign"
rm -f "$H_DIR/cr/var/qmail/users/cdb"
run cr
o=$H_DIR/cr.out
tap_check "CR in a hash: listed (pw_passwd, carriage return)" \
    listed cr "example.com/vpasswd:" "pw_passwd holds a carriage return"
tap_check "CR in a home: listed (pw_dir, carriage return)" \
    listed cr "example.com/vpasswd:" "pw_dir holds a carriage return"
tap_check "CR: alice and bob in neither virtual_mailbox nor dovecot/users" \
    bash -c "! grep -q '^\\(alice\\|bob\\)@example.com' '$o/postfix/virtual_mailbox' &&
	! grep -q '^\\(alice\\|bob\\)@example.com' '$o/dovecot/users'"
tap_check "quota 9999999999999999G: run ends, a note, no quota rule for dave" \
    bash -c "test '$rc' = 1 &&
	grep -q '^dave@example.com:{CRYPT}[^:]*:100:101::[^:]*::\$' '$o/dovecot/users' &&
	jq -e '[.notes[] | select((.source | test(\"example.com/vpasswd:5$\")) and
	    (.reason | startswith(\"unreadable quota field\")))] | length == 1' \
	    '$o/migration.json' >/dev/null"
tap_check "CR: the counts add up" python3 - "$o/migration.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if all(c["read"] == c["converted"] + c["listed"] + c["skipped"]
    for c in j["counts"].values()) else 1)
EOF
tap_check "users/assign uid/gid 1234:1235 in dovecot/users" \
    grep -q '^info@example.net:{CRYPT}[^:]*:1234:1235::' "$o/dovecot/users"
tap_check "users/assign uid/gid 100:101 for example.com" \
    grep -q '^carol@example.com:{CRYPT}[^:]*:100:101::' "$o/dovecot/users"
tap_check "first_valid_uid/gid: the lowest uid/gid of the old host (100/101)" \
    bash -c "doveconf -c '$o/dovecot/dovecot.conf' -h first_valid_uid | grep -qx 100 &&
	doveconf -c '$o/dovecot/dovecot.conf' -h first_valid_gid | grep -qx 101"

# --- 4. non-UTF-8 bytes (Latin-1) in tcp.smtp, a control file and xinetd
prepare latin1 || tap_bail "cannot copy samples/oldhost"
r=$H_DIR/latin1
printf '198.51.100.77:allow,RBLSMTPD="Zugriff verweigert: gesch\xe4ftlich gesperrt"\n' >>"$r/etc/tcp.smtp"
tcprules "$r/etc/tcp.smtp.cdb" "$r/etc/tcp.smtp.tmp" <"$r/etc/tcp.smtp" ||
    tap_bail "tcprules"
printf '4\xe9\n' >"$r/var/qmail/control/concurrencylocal"
sed -i "s/^\\(\\s*per_source\\s*=\\s*5\\)$/\\1\\n\\tbanner\\t\\t= \\/etc\\/b\\xe9\\x1b[2J/" "$r/etc/xinetd.d/imap"
grep -q $'\xe9' "$r/etc/xinetd.d/imap" || tap_bail "xinetd edit"
# a file name with ESC that is listed: its warning on stderr
printf './Mailbox\n' >"$r/$VP/example.com/.qmail-esc"$'\e''[2J'
run latin1
o=$H_DIR/latin1.out
tap_check "non-UTF-8 input: the run ends with exit 0 or 1, OUT written" \
    test "$rc" -le 1 -a -s "$o/migration.json" -a -s "$o/migration-report.txt"
tap_check "non-UTF-8 input: migration.json is valid JSON (UTF-8)" \
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))' "$o/migration.json"
tap_check "non-UTF-8 input: the RBLSMTPD text carried as \\xe4 in migration.json" \
    grep -qF 'gesch\\xe4ftlich' "$o/migration.json"
tap_check "a listed file whose name holds ESC: named with \\x1b on stderr" \
    grep -qF '.qmail-esc\x1b[2J' "$H_DIR/latin1.stderr"
tap_check "non-UTF-8 input: no byte >= 0x80 nor ESC in the report, stderr or JSON" \
    bash -c "test -s '$o/migration-report.txt' -a -s '$H_DIR/latin1.stderr' &&
	! LC_ALL=C grep -qP '[\\x80-\\xff\\x1b]' '$o/migration-report.txt' '$H_DIR/latin1.stderr' '$o/migration.json'"

# --- 5. a run-script directory whose name spells a dovecot.conf line
prepare svcname || tap_bail "cannot copy samples/oldhost"
mv "$H_DIR/svcname/service/qmail-pop3d" \
    "$H_DIR/svcname/service/qmail-pop3d${NL}auth_mechanisms = anonymous${NL}#"
run svcname
o=$H_DIR/svcname.out
tap_check "run-script dir with newlines: the limit still read (pop3-login 40)" \
    grep -q '^  # from service/qmail-pop3d\\x0aauth_mechanisms = anonymous\\x0a#/run:3 (tcpserver -c 40)$' \
    "$o/dovecot/dovecot.conf"
tap_check "run-script dir with newlines: no line of it in dovecot.conf" \
    bash -c "test \"\$(doveconf -c '$o/dovecot/dovecot.conf' -h auth_mechanisms)\" = 'plain login'"

h_stop_all
h_assert_no_leftovers
tap_done
