#!/bin/sh
# db.sh start|stop|dump FILE - the MariaDB of a SQL-backed sample host.
# Runs inside the build root (see samples/realhost/tools/record.sh), as
# root, in the root's private PID and network namespaces.
#   start       initialise /var/lib/mysql when empty, start mariadbd on the
#               Debian socket (/run/mysqld/mysqld.sock) and 127.0.0.1:3306,
#               with the settings of an old CentOS server (latin1, no strict
#               mode: over-long values are cut, as they were there), and
#               make vpopmail's database and user as QmailToaster does
#               (vpopmail.mysql: localhost|0|vpopmail|SsEeCcRrEeTt|vpopmail)
#   stop        stop it by its pid
#   dump FILE   mariadb-dump of the vpopmail database into FILE
set -eu
PIDF=/run/mysqld/mysqld.pid
case $1 in
start)
	mkdir -p /run/mysqld
	chown mysql:mysql /run/mysqld
	if [ ! -d /var/lib/mysql/mysql ]; then
		mariadb-install-db --user=mysql --datadir=/var/lib/mysql \
		    >/root/mariadb-install.log 2>&1
	fi
	mariadbd --user=mysql --datadir=/var/lib/mysql \
	    --socket=/run/mysqld/mysqld.sock --pid-file=$PIDF \
	    --bind-address=127.0.0.1 --port=3306 \
	    --character-set-server=latin1 --collation-server=latin1_swedish_ci \
	    --sql-mode="" --log-error=/run/mysqld/mariadbd.log &
	i=0
	until mariadb-admin --silent ping >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "db.sh: mariadbd did not start" >&2; exit 1; }
		sleep 0.1
	done
	mariadb <<'SQL'
CREATE DATABASE IF NOT EXISTS vpopmail;
CREATE USER IF NOT EXISTS 'vpopmail'@'localhost' IDENTIFIED BY 'SsEeCcRrEeTt';
GRANT ALL PRIVILEGES ON vpopmail.* TO 'vpopmail'@'localhost';
SQL
	;;
stop)
	[ -s $PIDF ] || exit 0
	pid=$(cat $PIDF)
	kill "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	;;
dump)
	mariadb-dump --skip-dump-date --order-by-primary \
	    vpopmail >"$2"
	;;
*)
	echo "usage: db.sh start|stop|dump FILE" >&2
	exit 64
	;;
esac
