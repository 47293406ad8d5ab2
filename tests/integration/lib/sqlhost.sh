#!/bin/bash
# sqlhost.sh - a private MariaDB for the tests, and the SQL-backed sample
# hosts (samples/sqlhost) loaded into it.  Sourced after harness.sh and
# h_init:
#
#   h_mariadb_start [DIR]     a fresh data dir in DIR (default $H_DIR/mariadb:
#                             a copy of what mariadb-install-db made once,
#                             cached), then mariadbd as user mysql
#                             on 127.0.0.1:$H_MDB_PORT (h_free_port) and the
#                             socket $H_MDB_SOCK, reading only DIR/my.cnf
#                             (never /etc/mysql); stopped at exit.  Set
#                             H_MDB_CONF to extra [mariadbd] lines first
#                             (e.g. "character-set-server = utf8mb4").
#                             Sets H_MDB_DIR, H_MDB_PORT, H_MDB_SOCK,
#                             H_MDB_PID, H_MDB_LOG.
#   h_mariadb [ARGS...]       the mariadb client as the server's root (unix
#                             socket authentication: run as root)
#   h_mariadb_user USER PASSWORD DB [ro|rw]
#                             USER@localhost and USER@127.0.0.1 with
#                             PASSWORD: SELECT on DB.* (ro, the default) or
#                             ALL on DB.* (rw)
#   h_mariadb_load DB FILE    create DB (when missing) and load the SQL FILE
#                             (a mariadb-dump) into it
#   h_mariadb_stop            stop mariadbd by its pid
#   h_sqlhost_start per-domain|one-table
#                             h_mariadb_start (unless running), then load
#                             samples/sqlhost/BUILD/vpopmail.sql into the
#                             database vpopmail and make the read-only user
#                             vpopmail with the password of the sample's
#                             vpopmail.mysql; sets H_SQLHOST_LINE, the
#                             vpopmail.mysql line that reaches this server
#                             over TCP (127.0.0.1|PORT|vpopmail|...|vpopmail)
#
# The server looks like an old CentOS one by default, as
# samples/sqlhost/tools/db.sh runs it: latin1, sql_mode '' (over-long values
# are cut without an error).  mariadb-install-db takes 5 to 60 s; it runs
# once per mariadbd version (and H_MDB_CONF) into $H_MDB_CACHE
# (QPM_MDB_CACHE, default /var/cache/qmail2postfix, beside the Debian
# roots), and each test copies that data directory.

H_MDB_SQLHOST_PW=SsEeCcRrEeTt	# QmailToaster's vpopmail.mysql password
# fresh data directories, one per mariadbd version (see _h_mariadb_install_db)
H_MDB_CACHE=${QPM_MDB_CACHE:-${QPM_D13_CACHE:-/var/cache/qmail2postfix}}

h_mariadb_start() {
	local d=${1:-$H_DIR/mariadb} bin
	_h_need_init
	case ":$PATH:" in
	*:/usr/sbin:*) ;;
	*) PATH=$PATH:/usr/sbin ;;
	esac
	for bin in mariadbd mariadb-install-db mariadb; do
		command -v "$bin" >/dev/null ||
		    { h_log "$bin is not installed (Debian: mariadb-server, mariadb-client)"; return 1; }
	done
	id mysql >/dev/null 2>&1 || { h_log "no user mysql (Debian: mariadb-server)"; return 1; }
	H_MDB_DIR=$d
	H_MDB_PORT=$(h_free_port) || return 1
	# mariadbd writes only under data, tmp and run (owned by mysql)
	H_MDB_SOCK=$d/run/mysqld.sock
	H_MDB_LOG=$d/run/mariadbd.log
	mkdir -p "$d/data" "$d/tmp" "$d/run" || return 1
	cat >"$d/my.cnf" <<EOF || return 1
[mariadbd]
user = mysql
datadir = $d/data
tmpdir = $d/tmp
socket = $H_MDB_SOCK
pid-file = $d/run/mariadbd.pid
log-error = $H_MDB_LOG
bind-address = 127.0.0.1
port = $H_MDB_PORT
skip-name-resolve
skip-log-bin
innodb-buffer-pool-size = 16M
innodb-log-file-size = 8M
character-set-server = latin1
collation-server = latin1_swedish_ci
sql-mode = ''
${H_MDB_CONF:-}
EOF
	chown -R mysql:mysql "$d/data" "$d/tmp" "$d/run" && chmod 0755 "$d" || return 1
	_h_mariadb_install_db "$d" ||
	    { h_log "mariadb-install-db failed: $(tail -5 "$d/install-db.log")"; return 1; }
	mariadbd --defaults-file="$d/my.cnf" >/dev/null 2>&1 &
	H_MDB_PID=$!
	H_PIDS+=("$H_MDB_PID")
	_h_register h_mariadb_stop
	h_wait 300 eval '! _h_alive "$H_MDB_PID" || h_mariadb -e "SELECT 1" >/dev/null 2>&1' &&
	    _h_alive "$H_MDB_PID" ||
	    { h_log "mariadbd did not start: $(tail -5 "$H_MDB_LOG")"; return 1; }
	h_log "mariadbd pid $H_MDB_PID: 127.0.0.1:$H_MDB_PORT, $H_MDB_SOCK"
}

# _h_mariadb_install_db DIR: DIR/data as mariadb-install-db makes it for
# DIR/my.cnf.  The first test builds it once (under a lock) into
# $H_MDB_CACHE/mariadb-data-KEY, KEY naming mariadbd's version and my.cnf
# (its own paths and port aside, so H_MDB_CONF counts); every test copies
# that, a few seconds instead of install-db's 20 to 60 under load.
_h_mariadb_install_db() {
	local d=$1 c
	c=$H_MDB_CACHE/mariadb-data-$( { mariadbd --version
	    sed "s|$d/|DIR/|; /^port = /d" "$d/my.cnf"; } | sha256sum | cut -c1-12)
	if [ ! -d "$c" ]; then
		mkdir -p "$H_MDB_CACHE" || return 1
		(
			flock 9 || exit 1
			[ -d "$c" ] && exit 0
			t=$(mktemp -d "$c.XXXXXX") || exit 1
			# install-db runs as mysql: it must reach $t/data
			chmod 0755 "$t" && mkdir "$t/data" &&
			    chown mysql:mysql "$t/data" &&
			    sed "s|^datadir = .*|datadir = $t/data|" "$d/my.cnf" >"$t/my.cnf" &&
			    mariadb-install-db --defaults-file="$t/my.cnf" \
			    --auth-root-authentication-method=socket --skip-test-db \
			    >"$d/install-db.log" 2>&1 &&
			    mv "$t/data" "$c"
			rc=$?
			rm -rf "$t"
			exit $rc
		) 9>"$H_MDB_CACHE/.mariadb-data.lock" || return 1
	fi
	echo "copied from $c" >>"$d/install-db.log"
	rm -rf "$d/data" && cp -a --reflink=auto "$c" "$d/data"
}

h_mariadb() {
	mariadb --no-defaults --socket="$H_MDB_SOCK" --user=root "$@"
}

h_mariadb_user() {
	local user=$1 pw=$2 db=$3 grant=SELECT host
	[ "${4:-ro}" = rw ] && grant="ALL PRIVILEGES"
	for host in localhost 127.0.0.1; do
		h_mariadb <<EOF || return 1
CREATE USER IF NOT EXISTS '$user'@'$host' IDENTIFIED BY '$pw';
GRANT $grant ON \`$db\`.* TO '$user'@'$host';
EOF
	done
}

h_mariadb_load() {
	h_mariadb -e "CREATE DATABASE IF NOT EXISTS \`$1\`" &&
	    h_mariadb "$1" <"$2"
}

h_mariadb_stop() {
	h_stop_pid H_MDB_PID
}

h_sqlhost_start() {
	local dump=${top_srcdir:?}/samples/sqlhost/$1/vpopmail.sql
	[ -r "$dump" ] || { h_log "no sample $dump"; return 1; }
	if [ -z "${H_MDB_PID:-}" ]; then
		h_mariadb_start || return 1
	fi
	h_mariadb_load vpopmail "$dump" &&
	    h_mariadb_user vpopmail "$H_MDB_SQLHOST_PW" vpopmail ro || return 1
	H_SQLHOST_LINE="127.0.0.1|$H_MDB_PORT|vpopmail|$H_MDB_SQLHOST_PW|vpopmail"
}
