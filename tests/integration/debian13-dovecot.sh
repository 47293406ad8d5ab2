#!/bin/bash
#
# NAME		debian13-dovecot.sh - the Dovecot 2.4 output in the Debian 13 root
# DOES		migrates a fixed-up copy of samples/oldhost inside the Debian 13
#		root (tests/integration/lib/debian13.sh: Postfix 3.10, Dovecot
#		2.4) with --dovecot 2.4 --postfix 3.10 and checks: doveconf -n
#		clean (no warning); qmail2postfix rehearse OUT there, with Dovecot
#		2.4 and Postfix 3.10 on loopback: every login of the login oracle
#		samples/oldhost-logins.tsv as on the old host (DES, MD5-crypt and
#		SHA-512-crypt; IMAP, POP3 and SMTP AUTH on submission and on the
#		TLS wrapper-mode smtps, NO_SMTP refused), every address of the
#		routing oracle probed and none behaving otherwise than
#		migration.json says (the remote next hops of the transport map
#		in the capture sink), every mailbox delivery of the oracle over
#		LMTP (extension addresses included); then Dovecot 2.4 again from the
#		rehearsal's configuration: qmail-pop3d's UIDL, the quota reported
#		by GETQUOTAROOT and enforced (an APPEND over it refused), the
#		user+IP limit (the 21st IMAP session of one user refused); and
#		qmail2postfix install into private directories there.
# NEVER		runs outside the root's private work directory, or without a
#		root (skipped; a failure under CI=true)
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/debian13.sh"
h_init debian13-dovecot
d13_require

d13_tap_samples_out
R=$D13_R
W=$D13_W
S=/usr/src/qmail2postfix/samples
OUT=$R$W/OUT

# --- the files as Dovecot 2.4 reads them ---------------------------------
d13 "$R" doveconf -c "$W/OUT/dovecot/dovecot.conf" -n >"$R$W/doveconf.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -qi 'warning\|deprecated\|obsolete' "$R$W/doveconf.out"; then
	tap_ok "doveconf -n (Dovecot 2.4) accepts dovecot.conf without a warning"
else
	tap_fail "doveconf -n (Dovecot 2.4) accepts dovecot.conf without a warning" \
	    "exit $rc" "$(grep -i 'warning\|deprecated\|obsolete\|fatal\|error' \
	    "$R$W/doveconf.out" | head -10)"
fi
# vpopmail's quotas in the fields 2.4 reads (it ignores quota_rule silently)
carol=$(grep '^carol@example.com:' "$OUT/dovecot/users")
tap_check "users: carol's quota as userdb_quota_storage_size/_message_count" \
    test "${carol##*::}" = \
    "userdb_quota_storage_size=10240K userdb_quota_message_count=1000"
nweak=$(awk -F'\t' '$2 == "des-crypt" || $2 == "md5-crypt"' \
    "$R$S/oldhost-logins.tsv" | wc -l)
tap_check "weak schemes allowed, and the report names the $nweak users" \
    sh -c "grep -qx 'auth_allow_weak_schemes = yes' '$OUT/dovecot/dovecot.conf' &&
	grep -q '  $nweak users still have a DES or MD5-crypt hash' \
	'$OUT/migration-report.txt'"

# --- rehearse inside the root: Postfix 3.10 and Dovecot 2.4 ---------------
probes=()
while IFS=$'\t' read -r addr _; do
	[ "$addr" = address ] || probes+=(--probe "$addr")
done <"$R$S/oldhost-expected.tsv"
d13_ns "$R" env TMPDIR="$W" qmail2postfix rehearse "$W/OUT" --json --keep \
    "${probes[@]}" --passwords "$S/tools/known-passwords.tsv" \
    >"$R$W/report.json" 2>"$R$W/rehearse.err"
rc=$?
K=$(sed -n 's/^qmail2postfix: kept //p' "$R$W/rehearse.err")
if [ "$rc" -le 1 ] && [ -s "$R$W/report.json" ] && [ -n "$K" ]; then
	tap_ok "qmail2postfix rehearse runs the 2.4 output in the root (exit $rc)"
else
	tap_fail "qmail2postfix rehearse runs the 2.4 output in the root (exit $rc)" \
	    "$(tail -n 15 "$R$W/rehearse.err")"
	tap_done
fi
python3 "$top_srcdir/tests/integration/lib/logins-oracle.py" "$R$W/report.json" \
    "$R$S/oldhost-logins.tsv" "$R$S/tools/known-passwords.tsv" \
    >"$R$W/logins.out"
tap_report "logins on Dovecot 2.4 (IMAP, POP3, SMTP AUTH on 587 and 465): as on the old host (samples/oldhost-logins.tsv)" \
    "$R$W/logins.out" checked 40 "$(grep '^qmail2postfix: smtps' "$R$W/rehearse.err")"
# 465 runs in TLS wrapper mode with a throw-away certificate (OUT's
# /etc/postfix/tls is not in the root), and the rehearsal says so
tap_check "smtps (465) rehearsed with a throw-away certificate, and the output says so" \
    grep -q "^qmail2postfix: smtps: OUT's certificate .* is not readable here: a throw-away self-signed one" \
    "$R$W/rehearse.err"
# every address of the oracle probed, none otherwise than migration.json
# says: no mismatch tolerated (exit 0)
python3 - "$R$W/report.json" "$R$S/oldhost-expected.tsv" \
    >"$R$W/routes.out" <<'EOF'
import csv, json, sys
rep = json.load(open(sys.argv[1]))
seen = {a["address"] for a in rep["addresses"]}
rows = [r["address"] for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")]
print("%d addresses probed, the %d of the oracle among them" % (len(seen), len(rows)))
for a in rows:
    if a not in seen:
        print("BAD %s: not probed" % a)
for m in rep["expected"]["mismatches"]:
    print("BAD %s %s: %s" % (m["address"], m["what"], m["why"]))
EOF
if [ "$rc" -eq 0 ] && grep -q '^[0-9]* addresses probed' "$R$W/routes.out" &&
    ! grep -q '^BAD\|Traceback' "$R$W/routes.out"; then
	tap_ok "routes on Postfix 3.10: every address as migration.json says, no mismatch (exit 0; $(head -1 "$R$W/routes.out"))"
else
	tap_fail "routes on Postfix 3.10: every address as migration.json says, no mismatch (exit $rc)" \
	    "$(head -20 "$R$W/routes.out")"
fi
# every probe the oracle delivers into a mailbox went through Dovecot's
# LMTP into that Maildir; user-ext@domain (QMAIL_EXT) included
python3 - "$R$W/report.json" "$top_srcdir/samples/oldhost-expected.tsv" \
    >"$R$W/lmtp.out" <<'EOF'
import csv, json, sys
got = {a["address"]: a for a in json.load(open(sys.argv[1]))["addresses"]}
n, ext, bad = 0, 0, []
for row in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
    if row["outcome"] != "delivered" or row["mailboxes"] == "-" or \
            "@" not in row["mailboxes"] or row["forwards"] != "-":
        continue
    a = got.get(row["address"])
    want = sorted(x.strip().lower() for x in row["mailboxes"].split(","))
    have = sorted(x.lower() for x in a["mailboxes"]) if a else None
    n += 1
    if "extension" in row["why"].lower():
        ext += 1
    if a is None or a["outcome"] != "delivered" or have != want:
        bad.append("%s: want %s, got %s %s" % (row["address"], want,
                   a and a["outcome"], have))
print("%d mailbox deliveries, %d to extension addresses" % (n, ext))
if ext == 0:
    bad.append("no extension address among them")
for b in bad:
    print("BAD " + b)
EOF
if grep -q '^BAD\|Traceback' "$R$W/lmtp.out" ||
    ! grep -q 'deliveries' "$R$W/lmtp.out"; then
	tap_fail "LMTP into Dovecot 2.4: every mailbox delivery of the oracle" \
	    "$(head -20 "$R$W/lmtp.out")"
else
	tap_ok "LMTP into Dovecot 2.4: every mailbox delivery of the oracle ($(head -1 "$R$W/lmtp.out"))"
fi

# --- Dovecot 2.4 again, from the rehearsal's configuration ----------------
# (its maildirs hold what the probes delivered; new loopback ports)
H_PORT_IMAP=$(h_free_port) && H_PORT_POP3=$(h_free_port) ||
    tap_bail "no free loopback port"
sed -e "/inet_listener imap {/,/}/s/port = [0-9]*/port = $H_PORT_IMAP/" \
    -e "/inet_listener pop3 {/,/}/s/port = [0-9]*/port = $H_PORT_POP3/" \
    -e "s/^auth_failure_delay = .*/auth_failure_delay = 0/" \
    "$R$K/dovecot/dovecot.conf" >"$R$W/live.conf"
d13_ns "$R" dovecot -F -c "$W/live.conf" >"$R$W/live.out" 2>&1 &
dpid=$!
stop_live() {	# d13_ns execs: $dpid is dovecot -F itself
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
}
_h_register stop_live
h_wait_tcp "$H_PORT_IMAP" && h_wait_tcp "$H_PORT_POP3" ||
    tap_fail "Dovecot 2.4 starts from the rehearsal's configuration" \
	"$(tail -5 "$R$W/live.out")"
# the old passwords: vpasswd field 8 (cleartext kept by vpopmail)
vp=$R$W/old/home/vpopmail/domains/example.com/vpasswd
pw_of() { awk -F: -v u="$1" '$1 == u { print $8 }' "$vp"; }
alice_pw=$(pw_of alice)
carol_pw=$(pw_of carol)

# qmail-pop3d's UIDL was the Maildir file name up to ':'; %{filename}
# must give the same, or every POP client fetches everything again
Q2P_PW=$alice_pw python3 - "$H_PORT_POP3" "$R$K/mail/home/vpopmail/domains/example.com/alice/Maildir" \
    >"$R$W/uidl.out" 2>&1 <<'EOF'
import os, poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice@example.com"); p.pass_(os.environ["Q2P_PW"])
got = sorted(l.split()[1].decode() for l in p.uidl()[1])
p.quit()
want = sorted(f.split(":")[0] for d in ("cur", "new")
              for f in os.listdir(os.path.join(sys.argv[2], d)))
print("%d UIDLs" % len(got))
if not got or got != want:
    print("BAD got %s want %s" % (got[:3], want[:3]))
EOF
if grep -q '^BAD\|Error\|error' "$R$W/uidl.out" || ! grep -q UIDLs "$R$W/uidl.out"; then
	tap_fail "POP3 UIDLs are the Maildir file names, as qmail-pop3d gave them" \
	    "$(head -5 "$R$W/uidl.out")"
else
	tap_ok "POP3 UIDLs are the Maildir file names, as qmail-pop3d gave them ($(head -1 "$R$W/uidl.out"))"
fi

# carol: 10240K and 1000 messages in vpopmail; over it, APPEND is refused
Q2P_PW=$carol_pw python3 - "$H_PORT_IMAP" >"$R$W/quota.out" 2>&1 <<'EOF'
import imaplib, os, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
m.login("carol@example.com", os.environ["Q2P_PW"])
typ, data = m.getquotaroot("INBOX")
print("GETQUOTAROOT", typ, data)
quota = b" ".join(x for d in data for x in (d if isinstance(d, list) else [d])
                  if x)
if b"STORAGE" not in quota or b"10240" not in quota or b"1000" not in quota:
    print("BAD no STORAGE 10240 / MESSAGE 1000")
big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 11000
typ, data = m.append("INBOX", None, None, big)
print("APPEND 11 MB", typ, data)
if typ == "OK":
    print("BAD an APPEND over the quota was accepted")
m.logout()
EOF
if grep -q '^BAD\|Traceback' "$R$W/quota.out"; then
	tap_fail "quota: GETQUOTAROOT gives carol's 10240K / 1000, an APPEND over it is refused" \
	    "$(head -8 "$R$W/quota.out")"
else
	tap_ok "quota: GETQUOTAROOT gives carol's 10240K / 1000, an APPEND over it is refused"
fi

# user+IP: mail_max_userip_connections of protocol imap, as written
lim=$(d13 "$R" doveconf -c "$W/live.conf" -f protocol=imap -h \
    mail_max_userip_connections 2>/dev/null)
Q2P_PW=$alice_pw python3 - "$H_PORT_IMAP" "$lim" >"$R$W/userip.out" 2>&1 <<'EOF'
import imaplib, os, sys
port, lim = int(sys.argv[1]), int(sys.argv[2])
conns = []
for i in range(lim + 1):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    try:
        m.login("alice@example.com", os.environ["Q2P_PW"])
        conns.append(m)
    except imaplib.IMAP4.error as e:
        print("login %d refused: %s" % (i + 1, e))
        break
print("%d sessions of alice at once, limit %d" % (len(conns), lim))
if len(conns) != lim:
    print("BAD want exactly %d" % lim)
for m in conns:
    m.logout()
EOF
if [ -n "$lim" ] && [ "$lim" -gt 0 ] && ! grep -q '^BAD\|Traceback' "$R$W/userip.out"; then
	tap_ok "user+IP limit: IMAP session $((lim + 1)) of one user refused (limit $lim)"
else
	tap_fail "user+IP limit: the (N+1)th IMAP session of one user refused" \
	    "limit '$lim'" "$(tail -5 "$R$W/userip.out")"
fi
stop_live
_h_unregister stop_live

# --- install into private directories inside the root --------------------
d13 "$R" mkdir -p "$W/etc/postfix" "$W/etc/dovecot"
d13 "$R" qmail2postfix install "$W/OUT" --only postfix,dovecot --postfix-dir "$W/etc/postfix" \
    --dovecot-dir "$W/etc/dovecot" --now 20261204-120000 \
    >"$R$W/install.out" 2>&1
rc=$?
# the root's group names, not the host's
if [ "$rc" -eq 0 ] && [ -f "$R$W/etc/dovecot/dovecot.conf" ] &&
    [ "$(d13 "$R" stat -c '%a %G' "$W/etc/dovecot/users")" = "640 dovecot" ]; then
	tap_ok "qmail2postfix install of the 2.4 output on a 2.4 host (doveconf -n passed)"
else
	tap_fail "qmail2postfix install of the 2.4 output on a 2.4 host (doveconf -n passed)" \
	    "exit $rc" "$(d13 "$R" stat -c '%a %G' "$W/etc/dovecot/users")" \
	    "$(tail -8 "$R$W/install.out")"
fi
tap_done
