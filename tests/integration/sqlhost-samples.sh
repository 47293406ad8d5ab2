#!/bin/bash
# NAME		sqlhost-samples.sh - the SQL-backed sample hosts load into a private
#		MariaDB and say what samples/sqlhost/README.md says
# DESCRIPTION	Starts MariaDB with tests/integration/lib/sqlhost.sh, loads
#		samples/sqlhost/BUILD/vpopmail.sql for both builds and reads it
#		as vpopmail's read-only user over TCP and the socket: every
#		address of passwords.tsv has its row (per-domain: in the table
#		named by vpopmail's munching of users/assign's domain), the user
#		can read and cannot write, lastauth holds the recorded logins,
#		and the tree has no vpasswd or .qmail-ALIAS file (the rows
#		replace them). Nothing is left running.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/sqlhost.sh"
h_init sqlhost-samples
S=$top_srcdir/samples/sqlhost

h_mariadb_start || tap_bail "mariadb"

# q SQL: one query as the read-only user over TCP, rows as tab-separated lines
q() {
	mariadb --no-defaults -h 127.0.0.1 -P "$H_MDB_PORT" -u vpopmail \
	    -p"$H_MDB_SQLHOST_PW" -N -B vpopmail -e "$1"
}

# rows_for BUILD: every address of passwords.tsv has exactly one user row
rows_for() {
	local b=$1 addr local dom table n missing=""
	while IFS=$'\t' read -r addr _; do
		local=${addr%@*} dom=${addr#*@}
		if [ "$b" = per-domain ]; then
			# the domain's table: users/assign names the domain
			grep -q "^+$dom-:$dom:" "$S/$b/root/var/qmail/users/assign" ||
			    { missing="$missing $addr(assign)"; continue; }
			table=$(printf '%s' "$dom" | tr '.-' '__')
			n=$(q "SELECT COUNT(*) FROM \`$table\` WHERE pw_name = '$local'")
		else
			n=$(q "SELECT COUNT(*) FROM vpopmail WHERE pw_name = '$local' AND pw_domain = '$dom'")
		fi
		[ "$n" = 1 ] || missing="$missing $addr"
	done <"$S/$b/passwords.tsv"
	[ -z "$missing" ] || { echo "no row for:$missing"; return 1; }
}

# refused SQL: the read-only user's statement fails
refused() {
	if q "$1" 2>/dev/null; then
		echo "the read-only user could: $1"
		return 1
	fi
}

# lastauth_logins: the rows vchkpw's logins left (the others are vadduser's)
lastauth_logins() {
	local want got
	want=$(printf '%s\t%s\t%s\n' alice 192.0.2.10 1795000000 \
	    bob 198.51.100.7 1790000000 kim 203.0.113.5 1763000000 \
	    tom 192.0.2.10 1779000000)
	got=$(q "SELECT user, remote_ip, timestamp FROM lastauth
	    WHERE remote_ip <> '0.0.0.0' ORDER BY user") || return 1
	[ "$got" = "$want" ] || { printf 'got:\n%s\n' "$got"; return 1; }
}

for b in per-domain one-table; do
	h_mariadb -e 'DROP DATABASE IF EXISTS vpopmail' || tap_bail "drop"
	# not through tap_check: it sets H_SQLHOST_LINE in this shell
	if h_sqlhost_start "$b"; then
		tap_ok "$b: vpopmail.sql loads"
	else
		tap_fail "$b: vpopmail.sql loads"
	fi
	tap_check "$b: vpopmail.mysql line reaches it over TCP" \
	    test "$H_SQLHOST_LINE" = "127.0.0.1|$H_MDB_PORT|vpopmail|SsEeCcRrEeTt|vpopmail"
	tap_check "$b: the read-only user reads over the socket" bash -c \
	    'mariadb --no-defaults -S "$1" -u vpopmail -p"$2" -N vpopmail -e "SELECT COUNT(*) FROM valias" | grep -qx 21' \
	    _ "$H_MDB_SOCK" "$H_MDB_SQLHOST_PW"
	tap_check "$b: every address of passwords.tsv has its row" rows_for "$b"
	for sql in "DELETE FROM valias" "UPDATE lastauth SET remote_ip = ''" \
	    "CREATE TABLE x (a int)" "INSERT INTO valias VALUES ('a', 'b', 'c')"; do
		tap_check "$b: the read-only user cannot: $sql" refused "$sql"
	done
	tap_check "$b: lastauth: the recorded logins" lastauth_logins
	tap_check "$b: no vpasswd, .dir-control or .qmail-ALIAS file in the tree" bash -c \
	    '[ -z "$(find "$1" -mindepth 2 -maxdepth 2 \( -name "vpasswd*" -o -name .dir-control -o -name ".qmail-*" \) ! -name .qmail-default)" ]' \
	    _ "$S/$b/root/home/vpopmail/domains"
done

h_mariadb_stop
h_assert_no_leftovers
tap_done
