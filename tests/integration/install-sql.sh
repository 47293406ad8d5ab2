#!/bin/bash
#
# NAME		install-sql.sh - qmail2postfix install --only sql, with and
#		without --sql-load, against a real MariaDB
# DOES		starts a private MariaDB (lib/sqlhost.sh), migrates a fixed-up
#		copy of samples/oldhost with --userdb sql and --sql-dsn on its
#		socket, points the mariadb client at it the way an admin
#		would (~/.my.cnf) and checks: without --sql-load install
#		prints the backup and load commands, exactly, and loads and
#		writes nothing; with it, a dump of every database (0600,
#		under the target's /var/backups) made before the load, then
#		the rows: Postfix's mysql: maps (postmap -q on OUT's
#		mysql-*.cf, as the reading user) answer as the hash: tables
#		of the file output do, and Dovecot's SQL passdb and userdb
#		(OUT's dovecot-sql.conf.ext) let the sample users log in with
#		their passwords and refuse a wrong one; a second load (another
#		--now) backs up again and leaves the same rows; a second load
#		at the same --now is refused, naming the backup it would
#		overwrite
# NEVER		contacts a database other than its own private one
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/sqlhost.sh"
h_init install-sql

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
[ -x "$Q" ] || tap_bail "no $Q"
command -v mariadb-dump >/dev/null || tap_bail "mariadb-dump (package mariadb-client) missing"
postconf -m | grep -qx mysql || tap_bail "no mysql: maps (package postfix-mysql)"
[ -e /usr/lib/dovecot/modules/auth/libdriver_mysql.so ] ||
    [ -e /usr/lib/dovecot/modules/libdriver_mysql.so ] ||
    tap_bail "no Dovecot MySQL driver (package dovecot-mysql)"
h_mariadb_start || tap_bail "no private MariaDB"

cp -a "$S/oldhost" "$H_DIR/oldhost" &&
    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
    tap_bail "cannot prepare the old host copy"
DB=q2pmail
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" --dovecot 2.3 -q --userdb sql \
    --sql-dsn "socket=$H_MDB_SOCK,dbname=$DB,user=q2pread" 2>"$H_DIR/run.err"
rc=$?
[ "$rc" -le 1 ] || tap_bail "qmail2postfix --userdb sql exited $rc: $(head -5 "$H_DIR/run.err")"
# the file output, for what the mysql: maps must answer
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT-file" --dovecot 2.3 -q
[ $? -le 1 ] || tap_bail "qmail2postfix --userdb file failed"
O=$H_DIR/OUT

# the target system: only what install reads for the sql part
T=$H_DIR/root
mkdir -p "$T/etc" && cp /etc/os-release "$T/etc/" || tap_bail "no target tree"
# the mariadb client and mariadb-dump reach the private server through
# ~/.my.cnf, as on a host whose MariaDB is elsewhere
mkdir -p "$H_DIR/home" &&
    printf '[client]\nsocket = %s\nuser = root\n' "$H_MDB_SOCK" >"$H_DIR/home/.my.cnf" ||
    tap_bail "no ~/.my.cnf"
I=(env HOME="$H_DIR/home" "$Q" install "$O" --target-root "$T" --only sql)
dbs() { h_mariadb -N -e 'SHOW DATABASES' | sort | tr '\n' ' '; }
dbs0=$(dbs)

# 1: without --sql-load: the commands, nothing loaded
"${I[@]}" --now 20261204-120000 >"$H_DIR/i0.out" 2>&1
rc=$?
stamp0=$(date -u -d '2026-12-04 12:00:00' +%s)
want="sql: as MariaDB's root, back up every database, then load OUT/sql, in this order:
  mariadb-dump --all-databases > $T/var/backups/qmail2postfix-sql.$stamp0.sql
  mariadb < $O/sql/schema.sql
  mariadb < $O/sql/grant.sql
  mariadb < $O/sql/data.sql"
got=$(grep -A4 '^sql: as MariaDB' "$H_DIR/i0.out")
if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
	tap_ok "without --sql-load: exit 0, the backup and load commands printed in order"
else
	tap_fail "without --sql-load: exit 0, the backup and load commands printed in order" \
	    "exit $rc" "got:" "$got" "want:" "$want" "$(tail -5 "$H_DIR/i0.out")"
fi
tap_check "without --sql-load: no database created, no backup written" \
    bash -c '[ "$1" = "$2" ] && [ ! -e "$3/var/backups" ]' _ "$dbs0" "$(dbs)" "$T"

# 2: --sql-load: the backup first, then the load
"${I[@]}" --sql-load --now 20261204-120100 >"$H_DIR/i1.out" 2>&1
rc=$?
dump1=$T/var/backups/qmail2postfix-sql.$((stamp0 + 60)).sql
if [ "$rc" -eq 0 ] && grep -qxF "sql: backup $dump1" "$H_DIR/i1.out"; then
	tap_ok "--sql-load: exit 0, the backup named"
else
	tap_fail "--sql-load: exit 0, the backup named" "exit $rc" "$(tail -8 "$H_DIR/i1.out")"
fi
# the dump holds the server as it was: its mysql schema, not the new one
tap_check "the backup (0600) is a dump of every database taken before the load" \
    bash -c '[ "$(stat -c %a "$1")" = 600 ] && grep -q "^-- Dump completed" "$1" &&
	grep -q "^CREATE DATABASE .*\`mysql\`" "$1" && ! grep -q "\`$2\`" "$1"' _ "$dump1" "$DB"
tap_check "the database $DB is there after the load" \
    bash -c 'printf "%s\n" $1 | grep -qx "$2"' _ "$(dbs)" "$DB"
! grep -qF -- "$(cat "$O/sql/password")" "$H_DIR/i1.out" "$H_DIR/i0.out" &&
    tap_ok "the reading user's password is not printed" ||
    tap_fail "the reading user's password is not printed"

# Postfix's mysql: maps, as the reading user, against the hash: tables'
# sources of the file output: every key of each gives the same answer
maps_same() {
	local name=$1
	# the source's "key value" lines as postmap -q - prints them
	awk '/^[^#]/ && NF { k = $1; sub(/^[^ \t]+[ \t]+/, ""); sub(/[ \t]+$/, "");
	    print k "\t" $0 }' "$H_DIR/OUT-file/postfix/$name" | sort >"$H_DIR/want-$name"
	cut -f1 "$H_DIR/want-$name" |
	    postmap -q - "mysql:$O/postfix/mysql-$name.cf" 2>&1 | sort >"$H_DIR/got-$name"
	echo "$name: $(wc -l <"$H_DIR/want-$name") keys"
	[ -s "$H_DIR/want-$name" ] && diff "$H_DIR/want-$name" "$H_DIR/got-$name" |
	    sed 's/^/BAD /'
	[ -s "$H_DIR/want-$name" ] && cmp -s "$H_DIR/want-$name" "$H_DIR/got-$name"
}
for m in virtual_mailbox_domains virtual_alias_domains virtual_mailbox virtual_alias; do
	if [ ! -s "$H_DIR/OUT-file/postfix/$m" ]; then
		continue
	fi
	maps_same "$m" >"$H_DIR/maps-$m.out" 2>&1 &&
	    tap_ok "postmap -q mysql:mysql-$m.cf: every key as the file output's $m ($(head -1 "$H_DIR/maps-$m.out"))" ||
	    tap_fail "postmap -q mysql:mysql-$m.cf: every key as the file output's $m" \
		"$(grep -m 10 BAD "$H_DIR/maps-$m.out")"
done
got=$(postmap -q nobody-here@example.com "mysql:$O/postfix/mysql-virtual_mailbox.cf" 2>&1; echo "rc=$?")
tap_check "postmap -q of an unknown address: not found (got $got)" test "$got" = "rc=1"

# Dovecot's SQL passdb and userdb on OUT's dovecot-sql.conf.ext: the
# passwd-file passdb of h_dovecot_setup is empty, so every login is SQL's
cp "$O/dovecot/dovecot-sql.conf.ext" "$H_DIR/dovecot-sql.conf.ext" &&
    chown dovecot: "$H_DIR/dovecot-sql.conf.ext" && chmod 0600 "$H_DIR/dovecot-sql.conf.ext" ||
    tap_bail "cannot copy dovecot-sql.conf.ext"
# the query of OUT's dovecot.conf, with OUT's path swapped for the copy's
h_dovecot_setup "$H_DIR/dovecot" "" \
    "passdb {" "  driver = sql" "  args = $H_DIR/dovecot-sql.conf.ext" "}" \
    "userdb {" "  driver = sql" "  args = $H_DIR/dovecot-sql.conf.ext" "}" ||
    tap_bail "doveconf refused the SQL passdb: $(tail -3 "$H_DIR/dovecot/doveconf.out")"
h_dovecot_start || tap_bail "dovecot did not start"
# doveadm auth test: the passdb alone (the rows' homes are not on this
# machine); the cleartext the rehearsal logs in with
auth() { doveadm -c "$H_DC_CONF" auth test -x service=imap "$1" "$2" >/dev/null 2>&1; }
logins=0
bad=""
while IFS= read -r line; do
	addr=${line%%:*}
	pass=${line#*:}
	case $addr in ''|'#'*) continue ;; esac
	# NO_POP and NO_IMAP (the deny columns) aside: those are refused
	grep -q "^INSERT INTO mailboxes VALUES ('$addr',.*, 0, 0, [01], [01]);\$" \
	    "$O/sql/data.sql" || continue
	logins=$((logins + 1))
	auth "$addr" "$pass" || bad="$bad $addr"
	[ "$logins" -lt 8 ] || break
done <"$O/rehearse/cleartext-passwords"
[ "$logins" -gt 0 ] && [ -z "$bad" ] &&
    tap_ok "doveadm auth test through Dovecot's SQL passdb on the loaded rows ($logins users)" ||
    tap_fail "doveadm auth test through Dovecot's SQL passdb on the loaded rows ($logins users)" \
	"refused:$bad" "$(tail -5 "$H_DIR/dovecot/dovecot.log")"
tap_check "a wrong password is refused ($addr)" bash -c '! "$@"' _ \
    doveadm -c "$H_DC_CONF" auth test -x service=imap "$addr" not-the-password-1
# the userdb: carol's home and quota (vpopmail's 10 MB, 1000 messages)
doveadm -c "$H_DC_CONF" user carol@example.com >"$H_DIR/carol.user" 2>&1
tap_check "doveadm user carol@example.com: the row's home and quota rules" \
    bash -c 'grep -qE "^home[[:space:]]+/.*/example.com/carol$" "$1" &&
	grep -qE "^quota_rule[[:space:]]+\*:storage=10485760B$" "$1" &&
	grep -qE "^quota_rule2[[:space:]]+\*:messages=1000$" "$1"' _ "$H_DIR/carol.user"

# 3: a second load at another --now: a new backup, the same rows
rows() { h_mariadb -N -e "SELECT COUNT(*), SUM(CRC32(CONCAT_WS(0x09, address, password, home))) FROM \`$DB\`.mailboxes; SELECT COUNT(*) FROM \`$DB\`.aliases; SELECT COUNT(*) FROM \`$DB\`.maildirs; SELECT COUNT(*) FROM \`$DB\`.domains" | tr '\n' ' '; }
rows1=$(rows)
"${I[@]}" --sql-load --now 20261204-120200 >"$H_DIR/i2.out" 2>&1
rc=$?
dump2=$T/var/backups/qmail2postfix-sql.$((stamp0 + 120)).sql
if [ "$rc" -eq 0 ] && [ "$(rows)" = "$rows1" ] && grep -q "\`$DB\`" "$dump2"; then
	tap_ok "a second --sql-load: exit 0, a new backup (with the loaded rows), the same rows ($rows1)"
else
	tap_fail "a second --sql-load: exit 0, a new backup (with the loaded rows), the same rows" \
	    "exit $rc" "before: $rows1" "after:  $(rows)" "$(tail -5 "$H_DIR/i2.out")"
fi

# 4: the same --now again: the backup it would overwrite is kept, no load
h_mariadb -e "DELETE FROM \`$DB\`.aliases" || tap_bail "cannot change the rows"
rows3=$(rows)
sum2=$(md5sum <"$dump2")
"${I[@]}" --sql-load --now 20261204-120200 >"$H_DIR/i3.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -qF "$dump2 exists" "$H_DIR/i3.out" &&
    [ "$(md5sum <"$dump2")" = "$sum2" ] && [ "$(rows)" = "$rows3" ]; then
	tap_ok "a load at the same --now is refused (exit $rc), the older backup kept, nothing loaded"
else
	tap_fail "a load at the same --now is refused, the older backup kept, nothing loaded" \
	    "exit $rc" "$(tail -5 "$H_DIR/i3.out")"
fi

h_dovecot_stop
h_mariadb_stop
out=$(h_leftovers)
[ -z "$out" ] && tap_ok "nothing left running" || tap_fail "nothing left running" "$out"
tap_done
