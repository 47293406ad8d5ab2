#!/bin/bash
#
# NAME		debian13-sql.sh - --userdb sql on Dovecot 2.4 and Postfix 3.10
# DOES		migrates a fixed-up copy of samples/oldhost inside the Debian 13
#		root (tests/integration/lib/debian13.sh: Postfix 3.10 with
#		postfix-mysql, Dovecot 2.4 with dovecot-mysql, MariaDB) twice
#		with --dovecot 2.4 --postfix 3.10: the users and routes in
#		files and in MariaDB (--userdb sql); checks doveconf -n of the
#		sql output with its dovecot-sql.conf.ext in /etc/dovecot (no
#		warning; as another user too, who may not read that file),
#		then rehearses both there (the sql one in the
#		private MariaDB rehearse starts from OUT/sql, inside the root,
#		and stops by pid): both exit 0, every address of
#		samples/oldhost-expected.tsv and every login of
#		samples/oldhost-logins.tsv as on the old host in both, the
#		same result per address and per login from files and from
#		SQL, no password or hash in the report, nothing left running.
# NEVER		runs outside the root's private work directory, or without a
#		root (skipped; a failure under CI=true)
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/debian13.sh"
h_init debian13-sql
d13_require

d13_tap_project
d13_tap_workdir
R=$D13_R
W=$D13_W
S=/usr/src/qmail2postfix/samples
L=$top_srcdir/tests/integration/lib

d13 "$R" sh -c "cp -a $S/oldhost $W/old &&
    python3 $S/tools/make-oldhost.py --fixup $W/old --tree oldhost >/dev/null" ||
    tap_bail "cannot prepare the old host copy"
for kind in file sql; do
	d13 "$R" qmail2postfix --root "$W/old" -o "$W/OUT-$kind" -q \
	    --dovecot 2.4 --postfix 3.10 --userdb "$kind" >"$R$W/run-$kind.out" 2>&1
	rc=$?
	[ "$rc" -le 1 ] || tap_bail "qmail2postfix --userdb $kind exited $rc: $(tail -5 \
	    "$R$W/run-$kind.out")"
done
O=$R$W/OUT-sql

# --- the sql output as Dovecot 2.4 reads it --------------------------------
# dovecot.conf includes /etc/dovecot/dovecot-sql.conf.ext: OUT's dovecot
# directory is bound there, in a mount namespace of its own
(H_DC_BINDS="$O/dovecot=$R/etc/dovecot" h_in_dovecot_ns \
    chroot "$R" doveconf -c /etc/dovecot/dovecot.conf -n) >"$R$W/doveconf.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -qi 'warning\|deprecated\|obsolete' "$R$W/doveconf.out" &&
    grep -qx 'passdb sql {' "$R$W/doveconf.out" &&
    grep -qx 'userdb sql {' "$R$W/doveconf.out" &&
    grep -qx 'sql_driver = mysql' "$R$W/doveconf.out" &&
    grep -qx 'mysql /run/mysqld/mysqld.sock {' "$R$W/doveconf.out"; then
	tap_ok "doveconf -n (Dovecot 2.4) reads the SQL passdb, userdb and connection without a warning"
else
	tap_fail "doveconf -n (Dovecot 2.4) reads the SQL passdb, userdb and connection without a warning" \
	    "exit $rc" "$(head -c 2000 "$R$W/doveconf.out")"
fi
# the mail user's doveconf (dovecot-lda from a .qmail program) cannot
# read dovecot-sql.conf.ext: it must still read dovecot.conf
(H_DC_BINDS="$O/dovecot=$R/etc/dovecot" h_in_dovecot_ns chroot --userspec=65534:65534 \
    "$R" doveconf -c /etc/dovecot/dovecot.conf -n) >"$R$W/doveconf-nobody.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -qx 'passdb sql {' "$R$W/doveconf-nobody.out" &&
    ! grep -q '^mysql ' "$R$W/doveconf-nobody.out" &&
    tap_ok "doveconf -n as another user reads dovecot.conf without the connection file" ||
    tap_fail "doveconf -n as another user reads dovecot.conf without the connection file" \
	"exit $rc" "$(head -c 1000 "$R$W/doveconf-nobody.out")"
pw=$(cat "$O/sql/password")
[ "${#pw}" -ge 32 ] || tap_bail "no password in OUT/sql/password"
tap_check "the password is in dovecot-sql.conf.ext (0600), not in dovecot.conf or doveconf -n" \
    bash -c '[ "$(stat -c %a "$1/dovecot/dovecot-sql.conf.ext")" = 600 ] &&
	grep -qxF "  password = $2" "$1/dovecot/dovecot-sql.conf.ext" &&
	! grep -qF -- "$2" "$1/dovecot/dovecot.conf" "$3"' _ "$O" "$pw" "$R$W/doveconf.out"
tap_check "no users file, no deny lists: the users and their rules are in MariaDB" \
    bash -c '! ls "$1"/dovecot/users "$1"/dovecot/deny.* 2>/dev/null | grep -q .' _ "$O"
# config_directory named: the first postconf -c DIR after main.cf changed
# expands ${config_directory} in the mysql: map names to /etc/postfix
# (Postfix 3.10; the next run does not), where OUT is not installed here
tap_check "postconf -n (Postfix 3.10) reads the mysql: maps without a warning" \
    bash -c "chroot '$R' postconf -c '$W/OUT-sql/postfix' \
	-o config_directory='$W/OUT-sql/postfix' -n 2>&1 >/dev/null | grep . && exit 1;
	chroot '$R' postconf -c '$W/OUT-sql/postfix' -h virtual_mailbox_maps |
	grep -qx 'mysql:\${config_directory}/mysql-virtual_mailbox.cf'"

# --- both rehearsed inside the root ----------------------------------------
# oracle WHAT OUTFILE SCRIPT ARGS...: ok when the script's first line
# counts what it compared or checked and no line starts with BAD
oracle() {
	local what=$1 f=$R$W/$2
	shift 2
	python3 "$@" >"$f" 2>&1
	if grep -q '^BAD' "$f" || ! grep -Eq '^(compared|checked) [1-9]' "$f"; then
		tap_fail "$what" "$(head -30 "$f")"
	else
		tap_ok "$what ($(head -1 "$f"))"
	fi
}
probes=()
while IFS=$'\t' read -r addr _; do
	[ "$addr" = address ] || probes+=(--probe "$addr")
done <"$R$S/oldhost-expected.tsv"
for kind in file sql; do
	d13_ns "$R" env TMPDIR="$W" qmail2postfix rehearse "$W/OUT-$kind" --json \
	    "${probes[@]}" --passwords "$S/tools/known-passwords.tsv" \
	    >"$R$W/$kind.json" 2>"$R$W/$kind.err"
	rc=$?
	[ "$rc" -eq 0 ] &&
	    tap_ok "rehearse --userdb $kind on Dovecot 2.4 and Postfix 3.10: exit 0" ||
	    tap_fail "rehearse --userdb $kind on Dovecot 2.4 and Postfix 3.10: exit $rc" \
		"$(tail -n 15 "$R$W/$kind.err")"
	oracle "--userdb $kind: every oracle route as on the old host" \
	    "$kind.routes" "$L/routes-oracle.py" "$R$W/$kind.json" \
	    "$R$S/oldhost-expected.tsv"
	oracle "--userdb $kind: every oracle login as on the old host" \
	    "$kind.logins" "$L/logins-oracle.py" "$R$W/$kind.json" \
	    "$R$S/oldhost-logins.tsv" "$R$S/tools/known-passwords.tsv"
done
oracle "every address and login: the same result from files and from SQL" \
    same.out "$L/same-results.py" "$R$W/file.json" "$R$W/sql.json"
if grep -Eq 'Ivan-NoClear-5|springtime24|\$6\$|\$1\$' "$R$W/sql.json" "$R$W/sql.err" ||
    grep -qF -- "$pw" "$R$W/sql.json" "$R$W/sql.err"; then
	tap_fail "no password or hash in the sql rehearsal's report"
else
	tap_ok "no password or hash in the sql rehearsal's report"
fi

out=$(h_leftovers)
if [ -z "$out" ] && ! ls -d "$R$W"/q2p-rehearse.* >/dev/null 2>&1 &&
    ! pgrep -f "mariadbd.*$W" >/dev/null; then
	tap_ok "rehearse stopped MariaDB and its servers inside the root and removed its directory"
else
	tap_fail "rehearse stopped MariaDB and its servers inside the root and removed its directory" \
	    "$out" "$(ls -d "$R$W"/q2p-rehearse.* 2>&1)"
fi
tap_done
