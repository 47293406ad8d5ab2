#!/bin/bash
# Smoke test: a private Dovecot from the harness logs users in over IMAP,
# POP3 and their TLS ports with vpopmail-style crypt(3) hashes (DES,
# MD5-crypt, SHA-512-crypt), refuses a wrong password, and delivers over
# LMTP into a Maildir that POP3 and IMAP then see.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-dovecot

# name:password:scheme. The DES password is 8 characters: DES ignores the rest.
users="des@example.com:desPass1:des md5@example.com:md5-Pass2:md5 sha@example.net:sha512-Pass3:sha512"
pw=$H_DIR/passwd.in
(umask 077; : >"$pw")
h_vmail_user
for u in $users; do
	IFS=: read -r name pass scheme <<<"$u"
	hash=$(h_crypt "$scheme" "$pass")
	# vpopmail-like line: hash without {SCHEME}, uid/gid 89, default home
	printf '%s:%s:%s:%s::::\n' "$name" "$hash" "$H_VUID" "$H_VGID" >>"$pw"
done
tap_check "hashes have the expected crypt(3) forms" \
    grep -qE '^des@example.com:[./0-9A-Za-z]{13}:' "$pw"
tap_check "MD5-crypt and SHA-512-crypt prefixes" \
    bash -c "grep -q '^md5@example.com:\\\$1\\\$' '$pw' && grep -q '^sha@example.net:\\\$6\\\$' '$pw'"

if ! H_DC_SSL=1 h_dovecot_setup "" "$pw"; then
	tap_fail "dovecot setup" "$(cat "$H_DC_DIR/doveconf.out" 2>/dev/null)"
	tap_done
fi
tap_check "passwd file is 0600" test "$(stat -c %a "$H_DC_PASSWD")" = 600
if ! h_dovecot_start; then
	tap_fail "dovecot starts" "$(tail -n 5 "$H_DC_LOG" 2>/dev/null)"
	tap_done
fi
tap_ok "dovecot starts: imap $H_IMAP_PORT pop3 $H_POP3_PORT lmtp $H_LMTP_PORT imaps $H_IMAPS_PORT pop3s $H_POP3S_PORT"

for u in $users; do
	IFS=: read -r name pass scheme <<<"$u"
	tap_check "IMAP login $name ($scheme)" h_imap_login "$name" "$pass"
	tap_check "POP3 login $name ($scheme)" h_pop3_login "$name" "$pass"
done
tap_check "IMAPS login sha@example.net" h_imap_login sha@example.net sha512-Pass3 "$H_IMAPS_PORT" ssl
tap_check "POP3S login md5@example.com" h_pop3_login md5@example.com md5-Pass2 "$H_POP3S_PORT" ssl

out=$(h_imap_login md5@example.com wrong-Pass2)
rc=$?
if [ "$rc" -eq 1 ] && [[ $out == *AUTHENTICATIONFAILED* ]]; then
	tap_ok "IMAP: wrong password refused"
else
	tap_fail "IMAP: wrong password refused" "exit $rc: $out"
fi
out=$(h_pop3_login sha@example.net sha512-Pass4)
rc=$?
if [ "$rc" -eq 1 ] && [[ $out == -ERR* ]]; then
	tap_ok "POP3: wrong password refused"
else
	tap_fail "POP3: wrong password refused" "exit $rc: $out"
fi
out=$(h_imap_login nobody@example.com desPass1)
if [ $? -eq 1 ]; then
	tap_ok "IMAP: unknown user refused"
else
	tap_fail "IMAP: unknown user refused" "$out"
fi
# vpopmail's DES hashes see only the first 8 characters, and so does Dovecot
tap_check "DES: characters past the 8th are ignored (as on the old host)" \
    h_imap_login des@example.com desPass1-and-more

# LMTP delivery, then the message through POP3 and IMAP
lmtp_out=$(python3 - "$H_LMTP_PORT" <<'EOF'
import smtplib, sys
s = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("alice@sender.example", ["sha@example.net"],
           b"From: alice@sender.example\r\nTo: sha@example.net\r\n"
           b"Subject: smoke-lmtp\r\n\r\nover lmtp\r\n")
s.quit()
print("delivered")
EOF
)
tap_check "LMTP delivery to sha@example.net" test "$lmtp_out" = delivered
stat_out=$(Q2P_PW=sha512-Pass3 python3 - "$H_POP3_PORT" <<'EOF'
import os, poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("sha@example.net"); p.pass_(os.environ["Q2P_PW"])
n, size = p.stat()
body = b"\n".join(p.retr(1)[1]) if n else b""
p.quit()
print(n, b"Subject: smoke-lmtp" in body)
EOF
)
tap_check "POP3 sees the LMTP message" test "$stat_out" = "1 True"
md=$H_DC_DIR/home/example.net/sha/Maildir
tap_check "Maildir under the test dir, owned by uid $H_VUID" \
    test "$(stat -c %u "$md" 2>/dev/null)" = "$H_VUID"
tap_check "IMAP: INBOX holds it" bash -c "Q2P_PW=sha512-Pass3 python3 -c '
import imaplib, os
m = imaplib.IMAP4(\"127.0.0.1\", $H_IMAP_PORT)
m.login(\"sha@example.net\", os.environ[\"Q2P_PW\"])
t, d = m.select(\"INBOX\")
print(d[0].decode()); m.logout()' | grep -qx 1"

listen=$(ss -Hlnt | awk '{print $4}' |
    grep -E ":($H_IMAP_PORT|$H_POP3_PORT|$H_LMTP_PORT|$H_IMAPS_PORT|$H_POP3S_PORT)\$")
if [ -n "$listen" ] && ! grep -vqE '^(127\.0\.0\.1|\[::1\]):' <<<"$listen"; then
	tap_ok "dovecot listens on loopback only"
else
	tap_fail "dovecot listens on loopback only" "$listen"
fi
tap_check "no listener on the standard ports 143/110/993/995/24" \
    bash -c "! ss -Hlntp | grep -E ':(143|110|993|995|24) ' | grep -q dovecot"

h_dovecot_stop
h_assert_no_leftovers
tap_done
