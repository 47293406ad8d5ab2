#!/bin/bash
#
# NAME		rehearse-sql.sh - --userdb sql rehearsed against --userdb file
# DOES		migrates a fixed-up copy of samples/oldhost twice, with the
#		users and routes in files (passwd-file, hash:) and in MariaDB
#		(--userdb sql: OUT/sql, mysql: maps, Dovecot's SQL passdb and
#		userdb), rehearses both (the sql one in a private MariaDB that
#		rehearse starts from OUT/sql and stops by pid) and checks:
#		both exit 0; every address of samples/oldhost-expected.tsv
#		and every login of samples/oldhost-logins.tsv as on the old
#		host in both (the same oracle scripts as rehearse-samples.sh);
#		the two reports name the same addresses and logins with the
#		same results; OUT/sql's files, their modes, and the password
#		only where it belongs; nothing left running.
# NEVER		trusts rehearse's own "expected" for the oracle comparison
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init rehearse-sql

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
L=$top_srcdir/tests/integration/lib
[ -x "$Q" ] || tap_bail "no $Q"
command -v smtp-sink >/dev/null || tap_bail "smtp-sink (package postfix) missing"
for p in mariadbd mariadb-install-db mariadb; do
	command -v "$p" >/dev/null || tap_bail "$p (package mariadb-server) missing"
done
postconf -m | grep -qx mysql || tap_bail "no mysql: maps (package postfix-mysql)"
[ -e /usr/lib/dovecot/modules/auth/libdriver_mysql.so ] ||
    [ -e /usr/lib/dovecot/modules/libdriver_mysql.so ] ||
    tap_bail "no Dovecot MySQL driver (package dovecot-mysql)"

cp -a "$S/oldhost" "$H_DIR/oldhost" &&
    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
    tap_bail "cannot prepare the old host copy"
# the same versions for both: the sql output is Dovecot 2.3's
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT-file" --dovecot 2.3 -q
rc=$?
[ "$rc" -le 1 ] || tap_bail "qmail2postfix --userdb file exited $rc"
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT-sql" --dovecot 2.3 -q \
    --userdb sql --sql-dsn socket=/run/mysqld/mysqld.sock,dbname=mailq2p,user=q2pread \
    2>"$H_DIR/run-sql.err"
rc=$?
[ "$rc" -le 1 ] || tap_bail "qmail2postfix --userdb sql exited $rc: $(head -5 "$H_DIR/run-sql.err")"

# --- what --userdb sql writes ---------------------------------------------
O=$H_DIR/OUT-sql
modes=$(cd "$O" && stat -c '%n %a' sql/schema.sql sql/data.sql sql/grant.sql \
    sql/password sql/README postfix/mysql-virtual_alias.cf \
    postfix/mysql-virtual_alias_domains.cf postfix/mysql-virtual_mailbox.cf \
    postfix/mysql-virtual_mailbox_domains.cf dovecot/dovecot-sql.conf.ext 2>&1 |
    tr '\n' ' ')
want="sql/schema.sql 644 sql/data.sql 600 sql/grant.sql 600 sql/password 600 \
sql/README 644 postfix/mysql-virtual_alias.cf 640 \
postfix/mysql-virtual_alias_domains.cf 640 postfix/mysql-virtual_mailbox.cf 640 \
postfix/mysql-virtual_mailbox_domains.cf 640 dovecot/dovecot-sql.conf.ext 600 "
[ "$modes" = "$want" ] && tap_ok "OUT/sql, the mysql: maps and dovecot-sql.conf.ext, each with its mode" ||
    tap_fail "OUT/sql, the mysql: maps and dovecot-sql.conf.ext, each with its mode" \
	"got:  $modes" "want: $want"

# no passwd-file and no hash: source of what moved to MariaDB
left=$(cd "$O" && ls dovecot/users dovecot/deny.* postfix/virtual_alias \
    postfix/virtual_mailbox postfix/virtual_mailbox_domains \
    postfix/virtual_alias_domains 2>/dev/null)
[ -z "$left" ] && tap_ok "no users, deny or hash: files for what is in MariaDB" ||
    tap_fail "no users, deny or hash: files for what is in MariaDB" "$left"

got=$(postconf -c "$O/postfix" -h virtual_mailbox_domains virtual_mailbox_maps \
    virtual_alias_maps transport_maps 2>&1 | tr '\n' '|')
want="mysql:\${config_directory}/mysql-virtual_mailbox_domains.cf|\
mysql:\${config_directory}/mysql-virtual_mailbox.cf|\
mysql:\${config_directory}/mysql-virtual_alias.cf, regexp:\${config_directory}/virtual_alias_regexp|\
hash:\${config_directory}/transport|"
[ "$got" = "$want" ] && tap_ok "main.cf: mysql: maps for domains, mailboxes, aliases; transport stays hash:" ||
    tap_fail "main.cf: mysql: maps for domains, mailboxes, aliases; transport stays hash:" \
	"got:  $got" "want: $want"
tap_check "postconf -n and doveconf -n read the sql output without a warning" \
    bash -c "postconf -c '$O/postfix' -n 2>&1 >/dev/null | grep . && exit 1;
	doveconf -c '$O/dovecot/dovecot.conf' -n 2>&1 >/dev/null | grep . && exit 1; exit 0"

# the password: in the files that need it, nowhere else
pw=$(cat "$O/sql/password")
[ "${#pw}" -ge 32 ] || tap_bail "no password in OUT/sql/password"
where=$(grep -rlF -- "$pw" "$O" | sed "s|^$O/||" | sort | tr '\n' ' ')
want="dovecot/dovecot-sql.conf.ext postfix/mysql-virtual_alias.cf \
postfix/mysql-virtual_alias_domains.cf postfix/mysql-virtual_mailbox.cf \
postfix/mysql-virtual_mailbox_domains.cf sql/grant.sql sql/password "
[ "$where" = "$want" ] && ! grep -qF -- "$pw" "$H_DIR/run-sql.err" &&
    tap_ok "the password is only in the files that connect or create the user" ||
    tap_fail "the password is only in the files that connect or create the user" \
	"got:  $where" "want: $want"
grep -q "dbname=mailq2p user=q2pread password=" "$O/dovecot/dovecot-sql.conf.ext" &&
    grep -qx "hosts = unix:/run/mysqld/mysqld.sock" "$O/postfix/mysql-virtual_alias.cf" &&
    grep -q "^CREATE USER IF NOT EXISTS 'q2pread'@'localhost'" "$O/sql/grant.sql" &&
    grep -q '^CREATE DATABASE IF NOT EXISTS `mailq2p`;' "$O/sql/schema.sql" &&
    tap_ok "--sql-dsn: the socket, database and user in every file" ||
    tap_fail "--sql-dsn: the socket, database and user in every file"

# --- golden files, reviewed by hand; REGEN=1 rewrites them ---------------
# the flags of migrate-samples.sh, so that only --userdb sql differs from
# tests/golden/migrate/oldhost; the password (new on every run) masked.
# golden NAME DOVECOT FILE...: OUT-NAME written for that Dovecot, its
# FILEs against tests/golden/migrate/NAME
golden() {
	local name=$1 dv=$2 G=$top_srcdir/tests/golden/migrate/$1 gpw f bad=""
	local O=$H_DIR/OUT-$1
	shift 2
	"$Q" --root "$H_DIR/oldhost" -o "$O" --bindir /usr/local/bin \
	    --srs-secret /usr/local/etc/qmail2postfix/srs-secret \
	    --dkim-key "q2p:$S/dns/keys/q2p.private" --postfix 3.7 --dovecot "$dv" \
	    --userdb sql -q 2>/dev/null
	gpw=$(cat "$O/sql/password" 2>/dev/null)
	if [ "${REGEN:-}" = 1 ] && [ -n "$gpw" ]; then
		for f in "$@"; do
			mkdir -p "$G/$(dirname "$f")"
			sed "s/$gpw/PASSWORD/g" "$O/$f" >"$G/$f.ref"
		done
	fi
	for f in "$@"; do
		[ -n "$gpw" ] && sed "s/$gpw/PASSWORD/g" "$O/$f" |
		    diff -u "$G/$f.ref" - >>"$H_DIR/gold-$name.diff" 2>&1 ||
		    bad="$bad $f"
	done
	[ -z "$bad" ] && tap_ok "golden files match (tests/golden/migrate/$name)" ||
	    tap_fail "golden files match (tests/golden/migrate/$name)" "differ:$bad" \
		"$(head -20 "$H_DIR/gold-$name.diff")"
}
golden oldhost-sql 2.3 sql/schema.sql sql/data.sql sql/grant.sql sql/README \
    postfix/main.cf postfix/mysql-virtual_alias.cf \
    postfix/mysql-virtual_alias_domains.cf postfix/mysql-virtual_mailbox.cf \
    postfix/mysql-virtual_mailbox_domains.cf dovecot/dovecot.conf \
    dovecot/dovecot-sql.conf.ext migration-report.txt
# Dovecot 2.4: only Dovecot's files and the report differ from 2.3's
golden oldhost-sql24 2.4 dovecot/dovecot.conf dovecot/dovecot-sql.conf.ext \
    migration-report.txt

# --- both rehearsed, against the oracles and each other -----------------
probes=()
while IFS=$'\t' read -r addr _; do
	[ "$addr" = address ] || probes+=(--probe "$addr")
done <"$S/oldhost-expected.tsv"
export TMPDIR=$H_DIR
for kind in file sql; do
	t0=$(date +%s)
	"$Q" rehearse "$H_DIR/OUT-$kind" --json "${probes[@]}" \
	    --passwords "$S/tools/known-passwords.tsv" \
	    >"$H_DIR/$kind.json" 2>"$H_DIR/$kind.err"
	rc=$?
	tap_diag "rehearse (--userdb $kind) took $(($(date +%s) - t0)) s"
	[ "$rc" -eq 0 ] &&
	    tap_ok "rehearse --userdb $kind: every address and login behaved as on the old host (exit 0)" ||
	    tap_fail "rehearse --userdb $kind: every address and login behaved as on the old host (exit $rc)" \
		"$(tail -5 "$H_DIR/$kind.err")"
	python3 "$L/routes-oracle.py" "$H_DIR/$kind.json" \
	    "$S/oldhost-expected.tsv" >"$H_DIR/$kind.routes" 2>&1
	tap_report "--userdb $kind: every oracle route as on the old host" \
	    "$H_DIR/$kind.routes" compared 30
	python3 "$L/logins-oracle.py" "$H_DIR/$kind.json" "$S/oldhost-logins.tsv" \
	    "$S/tools/known-passwords.tsv" >"$H_DIR/$kind.logins" 2>&1
	tap_report "--userdb $kind: every oracle login as on the old host" \
	    "$H_DIR/$kind.logins" checked 30
done

# per address and per login: the same results from files and from SQL
python3 "$L/same-results.py" "$H_DIR/file.json" "$H_DIR/sql.json" >"$H_DIR/same.out" 2>&1
tap_report "every address and login: the same result from files and from SQL" \
    "$H_DIR/same.out" "compared [1-9]" 30
if grep -Eq 'Ivan-NoClear-5|springtime24|\$6\$|\$1\$' "$H_DIR/sql.json" "$H_DIR/sql.err" ||
    grep -qF -- "$pw" "$H_DIR/sql.json" "$H_DIR/sql.err"; then
	tap_fail "no password or hash in the sql rehearsal's report"
else
	tap_ok "no password or hash in the sql rehearsal's report"
fi

out=$(h_leftovers)
if [ -z "$out" ] && ! ls -d "$H_DIR"/q2p-rehearse.* >/dev/null 2>&1 &&
    ! pgrep -f "mariadbd.*$H_DIR" >/dev/null; then
	tap_ok "rehearse stopped MariaDB and its servers and removed its directory"
else
	tap_fail "rehearse stopped MariaDB and its servers and removed its directory" "$out" \
	    "$(ls -d "$H_DIR"/q2p-rehearse.* 2>&1)"
fi
tap_done
