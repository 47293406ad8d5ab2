#!/bin/bash
#
# NAME		migrate-webmail.sh - vchkpw's webmail rule in the Dovecot 2.3 output
# DOES		migrates a copy of samples/oldhost where kim is NO_WEBMAIL (dave
#		is NO_POP, erin NO_IMAP), puts OUT's deny passdbs (its files)
#		in front of a real Dovecot's passdb on loopback and asks it
#		with doveadm auth test, as vchkpw classed each login: POP3 or
#		IMAP from 127.0.0.1 is webmail (NO_WEBMAIL applies, NO_POP and
#		NO_IMAP do not); from elsewhere NO_POP/NO_IMAP apply and
#		NO_WEBMAIL does not; SMTP AUTH is never webmail. Then the same
#		with --userdb sql: OUT/sql in a private MariaDB, OUT's SQL
#		passdb asked instead of the deny passdbs
# NEVER		contacts anything but its own Dovecot
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init migrate-webmail

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
[ -x "$Q" ] || tap_bail "no $Q"
command -v doveadm >/dev/null || tap_bail "doveadm (package dovecot-core) missing"

cp -a "$S/oldhost" "$H_DIR/oldhost" &&
    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
    tap_bail "cannot prepare the old host copy"
vp=$H_DIR/oldhost/home/vpopmail/domains/example.com/vpasswd
# kim: pw_gid 0x04, NO_WEBMAIL
sed -i 's/^\(kim:[^:]*:[^:]*:\)0:/\14:/' "$vp" && grep -q '^kim:[^:]*:[^:]*:4:' "$vp" ||
    tap_bail "cannot set NO_WEBMAIL for kim"
pw() { awk -F: -v u="$1" '$1 == u { print $8 }' "$vp"; }

"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" -q --postfix 3.7 --dovecot 2.3 \
    --no-logs --dovecot-dir /etc/dovecot >/dev/null 2>&1
[ -s "$H_DIR/OUT/dovecot/dovecot.conf" ] || tap_bail "no dovecot.conf written"
tap_check "OUT: deny.webmail lists kim for pop3 and imap only" \
    bash -c "grep -v '^#' '$H_DIR/OUT/dovecot/deny.webmail' | sort | tr '\n' ' ' |
	grep -qx 'imap/kim@example.com pop3/kim@example.com '"

h_dovecot_setup "" "$H_DIR/OUT/dovecot/users" || tap_bail "dovecot setup"
# OUT's deny passdbs, as written (files rebased to OUT), before the
# harness's passdb: a deny passdb is consulted first
awk -v d="$H_DIR/OUT/dovecot" '
	/^passdb \{/ { inb = 1; blk = "" }
	inb { blk = blk $0 "\n" }
	inb && /^\}/ { inb = 0; if (blk ~ /deny = yes/) { gsub("/etc/dovecot", d, blk); printf "%s", blk } }
' "$H_DIR/OUT/dovecot/dovecot.conf" >"$H_DIR/deny.conf"
grep -q deny.webmail "$H_DIR/deny.conf" || tap_bail "no deny.webmail passdb in dovecot.conf"
awk -v f="$H_DIR/deny.conf" '
	!done && /^passdb \{/ { while ((getline l < f) > 0) print l; done = 1 }
	{ print }
' "$H_DC_CONF" >"$H_DIR/dc.conf" && cat "$H_DIR/dc.conf" >"$H_DC_CONF" ||
    tap_bail "cannot put the deny passdbs in"
h_dovecot_start || tap_bail "dovecot: $(tail -5 "$H_DC_LOG" 2>/dev/null)"

# auth SERVICE RIP USER: 0 when Dovecot lets USER in
auth() {
	doveadm -c "$H_DC_CONF" auth test -x service="$1" -x rip="$2" \
	    "$3@example.com" "$(pw "$3")" >"$H_DIR/auth.out" 2>&1
}
check() {	# check DESC WANT(ok|denied) SERVICE RIP USER
	local got=denied
	auth "$3" "$4" "$5" && got=ok
	[ "$got" = "$2" ] && tap_ok "$1" ||
	    tap_fail "$1" "want $2, got $got" "$(cat "$H_DIR/auth.out")"
}
rules() {	# rules PREFIX: vchkpw's classes of each login
	check "$1NO_POP dave: POP3 from 127.0.0.1 is webmail, allowed" ok pop3 127.0.0.1 dave
	check "$1NO_POP dave: POP3 from elsewhere refused" denied pop3 192.0.2.7 dave
	check "$1NO_IMAP erin: IMAP from 127.0.0.1 is webmail, allowed" ok imap 127.0.0.1 erin
	check "$1NO_IMAP erin: IMAP from elsewhere refused" denied imap 192.0.2.7 erin
	check "$1NO_WEBMAIL kim: IMAP from 127.0.0.1 refused" denied imap 127.0.0.1 kim
	check "$1NO_WEBMAIL kim: POP3 from 127.0.0.1 refused" denied pop3 127.0.0.1 kim
	check "$1NO_WEBMAIL kim: IMAP from elsewhere allowed" ok imap 192.0.2.7 kim
	check "$1NO_WEBMAIL kim: SMTP AUTH from 127.0.0.1 allowed (never webmail)" ok smtp 127.0.0.1 kim
}
rules ""

# --- the same rules from MariaDB (--userdb sql): OUT/sql loaded into a
# private MariaDB, OUT's SQL passdb (the rules are its password query)
# in place of the harness's passdb
. "$top_srcdir/tests/integration/lib/sqlhost.sh"
h_dovecot_stop
h_mariadb_start || tap_bail "mariadb: see the harness log"
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT-sql" -q --postfix 3.7 --dovecot 2.3 \
    --no-logs --userdb sql --sql-dsn "socket=$H_MDB_SOCK,dbname=q2pmail,user=q2pread" \
    >/dev/null 2>&1
for f in schema grant data; do
	h_mariadb <"$H_DIR/OUT-sql/sql/$f.sql" >"$H_DIR/load.out" 2>&1 ||
	    tap_bail "cannot load OUT/sql/$f.sql: $(head -3 "$H_DIR/load.out")"
done
h_dovecot_setup "$H_DIR/dovecot-sql" "" || tap_bail "dovecot setup (sql)"
awk -v f="$H_DIR/OUT-sql/dovecot/dovecot-sql.conf.ext" '
	!done && /^passdb \{/ { print "passdb {\n  driver = sql\n  args = " f "\n}"; skip = 1; done = 1 }
	skip { if (/^\}/) skip = 0; next }
	{ print }
' "$H_DC_CONF" >"$H_DIR/dc-sql.conf" && cat "$H_DIR/dc-sql.conf" >"$H_DC_CONF" ||
    tap_bail "cannot put the SQL passdb in"
grep -q "driver = sql" "$H_DC_CONF" || tap_bail "no SQL passdb in the test's dovecot.conf"
h_dovecot_start || tap_bail "dovecot (sql): $(tail -5 "$H_DC_LOG" 2>/dev/null)"
rules "--userdb sql: "

h_stop_all
h_assert_no_leftovers
tap_done
