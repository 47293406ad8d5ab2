#!/bin/sh
# populate.sh - what a SQL-backed sample host has beyond samples/realhost's
# host.  Runs inside the build root (see samples/realhost/tools/record.sh)
# after samples/realhost/tools/populate.sh, with db.sh's MariaDB running.
# Every step that is not a vpopmail program is marked HAND below and listed
# in samples/sqlhost/README.md.
set -eu
V=/home/vpopmail/bin
D=/home/vpopmail/domains
DUMP=/usr/local/bin/dumpenv

# --- valias rows a reader must cope with (qmailadmin writes these) ---------
# a valias row named like a user overrides the user's mailbox (a forward)
"$V/valias" -i '&user01.fwd@remote.example' user01@example.com
# "forward and keep a copy": the forward and the user's own Maildir
"$V/valias" -i '&user02.copy@remote.example' user02@example.com
"$V/valias" -i "$D/example.com/user02/Maildir/" user02@example.com
# an extension alias of a user: user03-ANYTHING goes to a program
"$V/valias" -i "|$DUMP user03-default" user03-default@example.com

# --- lastauth: logins with the real vchkpw from known addresses -----------
login() {	# login ADDRESS PASSWORD PORT CLIENT
	printf '%s\0%s\0\0' "$1" "$2" |
	    env -i PATH=/usr/bin:/bin TCPLOCALPORT="$3" TCPREMOTEIP="$4" \
	    TCPLOCALIP=127.0.0.1 sh -c 'exec "$0" /bin/true 3<&0 </dev/null' \
	    "$V/vchkpw"
}
login alice@example.com Alice-Pass-1 110 192.0.2.10
login bob@example.com Bob-Pass-2 143 198.51.100.7
login kim@example.com Kim-Pass-11 25 203.0.113.5
login tom@shop.example Tom-Pass-23 110 192.0.2.10
# HAND: fixed times instead of the recording's clock, so that the dump is
# the same at every recording and "unused for a year" (before 2026-11-18)
# has cases on both sides: vadduser's rows (0.0.0.0) 2023-11-14, alice
# 2026-11-18, bob 2026-09-21, kim 2025-11-13, tom 2026-05-17
mariadb vpopmail <<'SQL'
UPDATE lastauth SET timestamp = 1700000000 WHERE remote_ip = '0.0.0.0';
UPDATE lastauth SET timestamp = 1795000000 WHERE user = 'alice' AND domain = 'example.com';
UPDATE lastauth SET timestamp = 1790000000 WHERE user = 'bob' AND domain = 'example.com';
UPDATE lastauth SET timestamp = 1763000000 WHERE user = 'kim' AND domain = 'example.com';
UPDATE lastauth SET timestamp = 1779000000 WHERE user = 'tom' AND domain = 'shop.example';
SQL
