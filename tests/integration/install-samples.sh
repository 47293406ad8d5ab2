#!/bin/bash
#
# NAME		install-samples.sh - qmail2postfix install into private dirs
# DOES		installs OUT of samples/oldhost into empty temporary Postfix and
#		Dovecot directories; starts a real Dovecot from the INSTALLED
#		dovecot.conf and files (/etc/dovecot bind-mounted from the
#		private directory in a mount namespace; its auth process runs
#		as the unprivileged user dovecot) and logs in over IMAP, POP3,
#		SASL (as Postfix's SMTP AUTH asks) with the old passwords, and
#		has LMTP look a recipient up in userdb; installs a changed OUT
#		(the first install is kept as dated backups, the diff names the
#		change); checks that --dry-run changes nothing, that a broken
#		OUT (an unknown parameter, a bad value) is refused with every
#		file put back, that an existing backup is never overwritten,
#		and that a restore that fails is named, never "nothing changed"
# NEVER		touches the host's /etc/postfix, /etc/dovecot, /home or Postfix
#		spool: each is bind-mounted over only inside the namespace
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/oldhost-out.sh"
h_init install-samples

getent passwd dovecot >/dev/null || tap_bail "no user dovecot"
h_vmail_user || tap_bail "no vpopmail user"
h_oldhost_out
PF=$H_DIR/etc/postfix
DC=$H_DIR/etc/dovecot
mkdir -p "$PF" "$DC"

state() {	# every file below etc/ with checksum and mode
	(cd "$H_DIR/etc" && find . -type f -printf '%p %m\n' | sort &&
	    find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# 1: first install into empty directories
"$Q" install "$H_DIR/OUT" --only postfix,dovecot --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-120000 >"$H_DIR/i1.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ -f "$PF/main.cf" ] && [ -f "$PF/virtual_alias.db" ] &&
    [ -f "$DC/dovecot.conf" ] &&
    [ "$(stat -c '%a %G' "$DC/users")" = "640 dovecot" ] &&
    postmap -c "$PF" -q sales@example.com "hash:$PF/virtual_alias" |
    grep -q 'alice@example.com'; then
	tap_ok "first install: files in place, tables built, users 0640 group dovecot"
else
	tap_fail "first install: files in place, tables built, users 0640 group dovecot" \
	    "exit $rc" "$(stat -c '%a %U:%G' "$DC/users")" "$(tail -5 "$H_DIR/i1.out")"
fi
if grep -q '\$1\$\|\$6\$' "$H_DIR/i1.out"; then
	tap_fail "the diff shows no password hash" "$(grep -m3 '\$1\$\|\$6\$' "$H_DIR/i1.out" | cut -c1-40)"
else
	tap_ok "the diff shows no password hash"
fi
ls "$PF" "$DC" | grep -q '\.2026' &&
    tap_fail "no backups when nothing existed before" "$(ls "$PF" "$DC" | grep 2026)" ||
    tap_ok "no backups when nothing existed before"

# 1b: the installed files work: a real Dovecot from them logs users in
for f in users deny.pop3 deny.imap deny.smtp; do
	m=$(stat -c '%a %U:%G' "$DC/$f")
	if [ "${m%% *}" = 640 ] && [ "${m#* }" = root:dovecot ]; then
		tap_ok "installed $f: root:dovecot 0640 (readable by auth, by nobody else)"
	else
		tap_fail "installed $f: root:dovecot 0640 (readable by auth, by nobody else)" "got $m"
	fi
done

# passwords of the old host: vpasswd field 8 (cleartext kept by vpopmail)
vp=$H_DIR/oldhost/home/vpopmail/domains/example.com/vpasswd
pw_of() { awk -F: -v u="$1" '$1 == u { print $8 }' "$vp"; }
alice_pw=$(pw_of alice)
bob_pw=$(pw_of bob)
[ -n "$alice_pw" ] && [ -n "$bob_pw" ] || tap_bail "no cleartext in $vp"

# the certificate is the admin's part ("install the new host's
# certificate here"): a self-signed one where dovecot.conf names it
mkdir -p "$DC/private" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx1.example.com \
	-keyout "$DC/private/dovecot.key" -out "$DC/private/dovecot.pem" \
	>/dev/null 2>&1 && chmod 0600 "$DC/private/dovecot.key" ||
    tap_bail "cannot make a certificate"

# Dovecot from the installed configuration, unchanged: a wrapper includes
# it and adds only what keeps this instance private (loopback ports, its
# own base_dir and log; plain IMAP/POP3 on loopback, imaps/pop3s off)
mkdir -p "$H_DIR/dc/run" "$H_DIR/dc/state" "$H_DIR/spool" \
    "$H_DIR/home/vpopmail/domains"
chmod 0755 "$H_DIR/dc" "$H_DIR/home"
chown -R "$H_VUID:$H_VGID" "$H_DIR/home/vpopmail"
H_DC_DIR=$H_DIR/dc
H_DC_CONF=$H_DC_DIR/test.conf
H_DC_LOG=$H_DC_DIR/dovecot.log
H_IMAP_PORT=$(h_free_port) && H_POP3_PORT=$(h_free_port) &&
    H_LMTP_PORT=$(h_free_port) || tap_bail "no free port"
cat >"$H_DC_CONF" <<EOF
!include /etc/dovecot/dovecot.conf
instance_name = $(basename "$H_DIR")
base_dir = $H_DC_DIR/run
state_dir = $H_DC_DIR/state
listen = 127.0.0.1
log_path = $H_DC_LOG
info_log_path = $H_DC_LOG
auth_verbose = yes
ssl = no
auth_failure_delay = 0
service imap-login {
  inet_listener imap {
    port = $H_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $H_POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = $H_LMTP_PORT
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
# /etc/dovecot is the installed directory; Postfix's spool (the auth and
# lmtp sockets the configuration names) and /home (the Maildirs) private
H_DC_BINDS="$DC=/etc/dovecot $H_DIR/spool=/var/spool/postfix/private $H_DIR/home=/home"
h_dovecot_start || tap_bail "dovecot did not start from the installed configuration"

out=$(h_imap_login alice@example.com "$alice_pw")
tap_check "IMAP login as alice@example.com with her old password ($out)" \
    test "${out%% *}" = OK
out=$(h_pop3_login bob@example.com "$bob_pw")
tap_check "POP3 login as bob@example.com with his old password ($out)" \
    bash -c '[[ $1 == "+OK"* && $1 != *"-ERR"* ]]' _ "$out"
out=$(h_imap_login alice@example.com "not-$alice_pw")
tap_check "a wrong password is refused, not a temporary failure ($out)" \
    grep -q 'AUTHENTICATIONFAILED' <<<"$out"
out=$( (h_in_dovecot_ns doveadm -c "$H_DC_CONF" auth test bob@example.com "$bob_pw") 2>&1)
tap_check "SASL as Postfix's SMTP AUTH asks it: bob@example.com succeeds" \
    grep -q 'auth succeeded' <<<"$out"

# LMTP: a userdb lookup per recipient (Postfix's virtual_transport)
lmtp_rcpt() {
	python3 - "$H_LMTP_PORT" "$1" <<'PY'
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
c.ehlo("mx1.example.com")
c.mail("sender@remote.example")
code, msg = c.rcpt(sys.argv[2])
print(code, msg.decode(errors="replace"))
c.quit()
sys.exit(0 if code == 250 else 1)
PY
}
out=$(lmtp_rcpt carol@example.com 2>&1)
tap_check "LMTP RCPT carol@example.com accepted (userdb lookup of the installed users file: $out)" \
    test "${out%% *}" = 250

# the permission mattered: auth ran as dovecot, not root
users=$(ps -eo user:32=,ppid=,comm= | awk -v p="$H_DOVECOT_PID" '$2 == p && $3 == "auth" { print $1 }')
tap_check "Dovecot's auth process ran as dovecot (got: ${users:-none})" \
    test "$users" = dovecot
tap_check "no permission error in Dovecot's log" \
    bash -c "! grep -i 'permission denied\|EACCES' '$H_DC_LOG'"

h_dovecot_stop

# 2: a changed OUT: the first install is kept as dated backups
cp -a "$H_DIR/OUT" "$H_DIR/OUT2"
sed -i 's/^message_size_limit = .*/message_size_limit = 31457280/' "$H_DIR/OUT2/postfix/main.cf"
printf 'extra.q2p@example.com\tpostmaster@example.com\n' >>"$H_DIR/OUT2/postfix/virtual_alias"
cp "$PF/main.cf" "$H_DIR/main.cf.first"
state >"$H_DIR/state1"

"$Q" install "$H_DIR/OUT2" --only postfix,dovecot --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-130000 >"$H_DIR/i2.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$PF/main.cf.20261118-130000" "$H_DIR/main.cf.first" &&
    [ -f "$PF/virtual_alias.20261118-130000" ] &&
    grep -q '^message_size_limit = 31457280' "$PF/main.cf" &&
    postmap -c "$PF" -q extra.q2p@example.com "hash:$PF/virtual_alias" >/dev/null; then
	tap_ok "second install: previous files kept as NAME.20261118-130000, new ones in place"
else
	tap_fail "second install: previous files kept as NAME.20261118-130000, new ones in place" \
	    "exit $rc" "$(tail -5 "$H_DIR/i2.out")" "$(ls "$PF")"
fi
if grep -q '^-message_size_limit = 20971520' "$H_DIR/i2.out" &&
    grep -q '^+message_size_limit = 31457280' "$H_DIR/i2.out"; then
	tap_ok "the diff shows the changed line"
else
	tap_fail "the diff shows the changed line" "$(head -20 "$H_DIR/i2.out")"
fi
[ ! -e "$PF/master.cf.20261118-130000" ] &&
    tap_ok "unchanged files get no backup" ||
    tap_fail "unchanged files get no backup"

# 3: --dry-run changes nothing
state >"$H_DIR/state2"
sed -i 's/^message_size_limit = .*/message_size_limit = 1000/' "$H_DIR/OUT/postfix/main.cf"
"$Q" install "$H_DIR/OUT" --only postfix,dovecot --postfix-dir "$PF" --dovecot-dir "$DC" --dry-run \
    --now 20261118-140000 >"$H_DIR/i3.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && state | cmp -s - "$H_DIR/state2" &&
    grep -q '^+message_size_limit = 1000' "$H_DIR/i3.out"; then
	tap_ok "--dry-run shows the diff and changes nothing (checksums)"
else
	tap_fail "--dry-run shows the diff and changes nothing (checksums)" \
	    "exit $rc" "$(state | diff "$H_DIR/state2" - | head)"
fi

# 4: broken OUTs are refused and everything is put back
for breakage in 'smtpd_bogus_limit = 3' 'message_size_limit = many'; do
	cp -a "$H_DIR/OUT2" "$H_DIR/OUT3"
	echo "$breakage" >>"$H_DIR/OUT3/postfix/main.cf"
	printf 'broken.q2p@example.com\tpostmaster@example.com\n' >>"$H_DIR/OUT3/postfix/virtual_alias"
	"$Q" install "$H_DIR/OUT3" --only postfix,dovecot --postfix-dir "$PF" --dovecot-dir "$DC" \
	    --now 20261118-150000 >"$H_DIR/i4.out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && state | cmp -s - "$H_DIR/state2" &&
	    ! postmap -c "$PF" -q broken.q2p@example.com "hash:$PF/virtual_alias" >/dev/null; then
		tap_ok "broken OUT ($breakage) refused, every file and table as before"
	else
		tap_fail "broken OUT ($breakage) refused, every file and table as before" \
		    "exit $rc" "$(tail -3 "$H_DIR/i4.out")" "$(state | diff "$H_DIR/state2" - | head)"
	fi
	rm -rf "$H_DIR/OUT3"
done

# 5: an existing backup is never overwritten
"$Q" install "$H_DIR/OUT" --only postfix,dovecot --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-130000 >"$H_DIR/i5.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && state | cmp -s - "$H_DIR/state2" &&
    grep -q 'backup exists' "$H_DIR/i5.out"; then
	tap_ok "a second install with the same time stamp is refused (backup exists)"
else
	tap_fail "a second install with the same time stamp is refused (backup exists)" \
	    "exit $rc" "$(tail -3 "$H_DIR/i5.out")"
fi

# 6: a restore that fails is said so, names the file and exits non-zero.
# A doveconf first on PATH passes every question to the real one, but for
# the last validation (doveconf -n) it puts a directory where main.cf is
# and fails: the rename back of main.cf's backup cannot succeed.
state >"$H_DIR/state6"
mkdir -p "$H_DIR/bin"
cat >"$H_DIR/bin/doveconf" <<EOF
#!/bin/sh
case " \$* " in
*" -n "*)	rm -f "$PF/main.cf" && mkdir -p "$PF/main.cf/in-the-way"
		echo "doveconf: Fatal: broken for the test" >&2; exit 89 ;;
esac
exec $(command -v doveconf) "\$@"
EOF
chmod 755 "$H_DIR/bin/doveconf"
PATH=$H_DIR/bin:$PATH "$Q" install "$H_DIR/OUT" --only postfix,dovecot --postfix-dir "$PF" \
    --dovecot-dir "$DC" --now 20261118-160000 >"$H_DIR/i6.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
	tap_ok "a failed restore exits neither 0 nor 2 (\"nothing changed\") (exit $rc)"
else
	tap_fail "a failed restore exits neither 0 nor 2 (\"nothing changed\") (exit $rc)" \
	    "$(tail -3 "$H_DIR/i6.out")"
fi
tap_check "a failed restore never claims every file was put back" \
    bash -c "! grep -q 'every file was put back' '$H_DIR/i6.out'"
tap_check "a failed restore names the file it could not put back" \
    grep -q "NOT everything was put back: 1 file is still changed: $PF/main.cf;" "$H_DIR/i6.out"
but_main_cf() {	# state lines of every file but main.cf and its new backup
	grep -v -e '^\./postfix/main\.cf ' -e ' \./postfix/main\.cf$' \
	    -e 'main\.cf\.20261118-160000'
}
tap_check "... every other file and table was put back (checksums)" \
    diff <(but_main_cf <"$H_DIR/state6") <(state | but_main_cf)
tap_check "... the old main.cf is still in its backup" \
    cmp -s "$PF/main.cf.20261118-160000" "$H_DIR/OUT2/postfix/main.cf"

tap_done
