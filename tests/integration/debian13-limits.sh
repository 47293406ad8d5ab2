#!/bin/bash
#
# NAME		debian13-limits.sh - qmail2postfix rehearse --limits on the
#		Dovecot 2.4 and Postfix 3.10 output, in the Debian 13 root
# DOES		migrates a fixed-up copy of samples/oldhost inside the root
#		(tests/integration/lib/debian13.sh) with --dovecot 2.4
#		--postfix 3.10 and runs the rehearsal there with --limits:
#		exit 0, and each Dovecot probe proven with the N the test
#		reads itself from migration.json: the (N+1)th IMAP and POP3
#		login of one user from one address refused (2.4's words, not
#		2.3's [IN-USE]), the (P+1)th client before login greeted while
#		waiting ones are dropped (imap-login and pop3-login
#		process_limit, restart_request_count 1), and the SMTP count
#		limit. Then the POP3 user+IP limit is raised in a copy of
#		OUT's dovecot.conf (migration.json unchanged): exactly that
#		probe fails and rehearse exits 1.
# NEVER		runs outside the root's private work directory, or without a
#		root (skipped; a failure under CI=true)
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/debian13.sh"
h_init debian13-limits
d13_require
tap_plan 4

d13_tap_samples_out
R=$D13_R
W=$D13_W

# rehearse --limits OUT [NAME]: the JSON report in $R$W/NAME.json
limits() {
	d13_ns "$R" env TMPDIR="$W" qmail2postfix rehearse "$W/$1" --limits \
	    --no-logins --json >"$R$W/$2.json" 2>"$R$W/$2.err"
}
limits OUT good
rc=$?
if [ "$rc" -eq 0 ]; then
	tap_ok "rehearse --limits on the 2.4 output exits 0"
else
	tap_fail "rehearse --limits on the 2.4 output exits 0 (exit $rc)" \
	    "$(tail -5 "$R$W/good.err")" "$(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["limits"]["results"]:
    if r["status"] == "fail":
        print(r["setting"], r["service"], "|", r["observed"], "|", r["configured"])' \
	    "$R$W/good.json" 2>&1 | head -10)"
fi

# each N from migration.json, each probe proven
python3 - "$R$W/good.json" "$R$W/OUT/migration.json" >"$R$W/check.out" 2>&1 <<'EOF'
import json, re, sys
res = json.load(open(sys.argv[1]))["limits"]["results"]
val = {(s["target"], s["service"]): s["value"]
       for s in json.load(open(sys.argv[2]))["limits"]["settings"]}
def find(t, s):
    return ([r for r in res if r["setting"] == t and r["service"] == s] or [None])[0]
bad = []
for proto, refused in (("imap", r"a NO \[LIMIT\]"),
                       ("pop3", r"-ERR Maximum number of connections from user\+IP exceeded")):
    n = val[("mail_max_userip_connections", proto)]
    r = find("mail_max_userip_connections", proto)
    print("%s user+IP %d:" % (proto, n), r and r["observed"])
    if not r or r["status"] != "ok" or not re.match(
            r"%d of %d logins worked; login %d: %s.*: (\+OK|a OK)" %
            (n, n, n + 1, refused), r["observed"]):
        bad.append("%s user+IP" % proto)
for proto in ("imap", "pop3"):
    p = val[("service *-login process_limit", proto)]
    r = find("service *-login process_limit", proto)
    print("%s-login process_limit %d:" % (proto, p), r and r["observed"])
    if not r or r["status"] != "ok" or not re.match(
            r"%d of %d greeted; client %d: .*dropped before login: [1-9]" %
            (p, p, p + 1), r["observed"]):
        bad.append("%s-login process_limit" % proto)
n = val[("smtpd_client_connection_count_limit", "smtp")]
r = find("smtpd_client_connection_count_limit", "smtp")
print("smtp count %d:" % n, r and r["observed"])
if not r or r["status"] != "ok":
    bad.append("smtp count limit")
print("RESULT", "ok" if not bad else "bad: " + ", ".join(bad))
EOF
tap_check "Dovecot 2.4: user+IP (IMAP, POP3) and process_limit (imap-login, pop3-login) proven, the N from migration.json" \
    grep -q '^RESULT ok' "$R$W/check.out"
tap_diag "$(cat "$R$W/check.out")"

# the POP3 user+IP limit raised in dovecot.conf (its removal would leave
# Dovecot's default 10, the value written), migration.json kept
d13 "$R" cp -a "$W/OUT" "$W/OUT2"
python3 - "$R$W/OUT2/dovecot/dovecot.conf" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
t = re.sub(r"(protocol pop3 \{[^}]*?\n *mail_max_userip_connections = )[0-9]+",
           r"\g<1>50", s, count=1)
assert t != s, "no pop3 mail_max_userip_connections in dovecot.conf"
open(p, "w").write(t)
EOF
limits OUT2 broken
rc=$?
python3 - "$R$W/broken.json" >"$R$W/check2.out" 2>&1 <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["limits"]["results"]
failed = sorted((r["setting"], r["service"]) for r in res if r["status"] == "fail")
print("failed:", failed)
ok = failed == [("mail_max_userip_connections", "pop3")]
print("RESULT", "ok" if ok else "bad")
EOF
if [ "$rc" -eq 1 ] && grep -q '^RESULT ok' "$R$W/check2.out"; then
	tap_ok "the POP3 user+IP limit raised to 50 (migration.json unchanged): exactly its probe fails, exit 1"
else
	tap_fail "the POP3 user+IP limit raised to 50 (migration.json unchanged): exactly its probe fails, exit 1 (exit $rc)" \
	    "$(cat "$R$W/check2.out")" "$(tail -5 "$R$W/broken.err")"
fi
h_assert_no_leftovers
tap_done
