#!/bin/bash
# qmail2postfix on samples/oldhost and samples/badhost, checked with the
# real Postfix and Dovecot tools (no daemon started): postconf -n without
# warnings, postconf -M, doveconf -n, postmap lookups against the samples'
# routing oracle, counts that add up, file modes, golden files, bad input.
# REGEN=1 rewrites the golden files (make regen-ref); read every change.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
PATH=$PATH:/usr/sbin:/sbin
prog=$top_builddir/qmail2postfix
golden=$top_srcdir/tests/golden/migrate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local what=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$what"; else no "$what" "$(tail -n 15 "$tmp/out")"; fi; }

prepare() {	# prepare NAME: a private, completed copy of samples/NAME
	cp -a "$top_srcdir/samples/$1" "$tmp/$1" &&
	python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$tmp/$1" \
	    --tree "$1" >/dev/null
}

echo "1..26"
prepare oldhost || { echo "Bail out! cannot prepare samples/oldhost"; exit 1; }
out=$tmp/OUT
"$prog" --root "$tmp/oldhost" -o "$out" 2>"$tmp/stderr"
rc=$?
[ "$rc" = 1 ] && ok "oldhost: exit 1 (converted, items listed)" ||
    no "oldhost: exit 1 (converted, items listed)" "rc=$rc" "$(tail -5 "$tmp/stderr")"

postconf -c "$out/postfix" -n >"$tmp/pc.out" 2>"$tmp/pc.err"
[ $? = 0 ] && [ ! -s "$tmp/pc.err" ] && ok "postconf -n: no warning" ||
    no "postconf -n: no warning" "$(head -5 "$tmp/pc.err")"
check "postconf -M parses master.cf" postconf -c "$out/postfix" -M
check "doveconf -n accepts dovecot.conf" doveconf -c "$out/dovecot/dovecot.conf" -n
# every process limit from control/concurrency* is in master.cf
check "master.cf: smtpd maxproc 100 (concurrencyincoming)" \
    test "$(postconf -h -c "$out/postfix" -F smtp/inet/process_limit)" = 100
check "master.cf: smtp client maxproc 60 (concurrencyremote)" \
    test "$(postconf -h -c "$out/postfix" -F smtp/unix/process_limit)" = 60
check "master.cf: lmtp maxproc 20 (concurrencylocal)" \
    test "$(postconf -h -c "$out/postfix" -F lmtp/unix/process_limit)" = 20

mode() { stat -c %a "$1"; }
check "dovecot/users is 0600" test "$(mode "$out/dovecot/users")" = 600
check "rehearse/cleartext-passwords is 0600" \
    test "$(mode "$out/rehearse/cleartext-passwords")" = 600
# no hash and no cleartext outside the 0600 files
hash=$(grep '^alice@example.com:' "$out/dovecot/users" | cut -d: -f2 | sed 's/{CRYPT}//')
clear=$(grep '^alice@example.com:' "$out/rehearse/cleartext-passwords" | cut -d: -f2)
leak=$(grep -rlF -e "$hash" -e "$clear" "$out" "$tmp/stderr" |
    grep -v -e /dovecot/users -e /rehearse/cleartext-passwords)
[ -n "$hash" ] && [ -n "$clear" ] && [ -z "$leak" ] &&
    ok "hashes and cleartexts only in the 0600 files" ||
    no "hashes and cleartexts only in the 0600 files" "leak: $leak"
check "passwd-file keeps alice's DES hash with {CRYPT} and her quota" \
    grep -q '^alice@example.com:{CRYPT}[^$:]\{13\}:89:89::/home/vpopmail/domains/example.com/alice::userdb_quota_rule=\*:storage=50000000B$' "$out/dovecot/users"
check "139 mailboxes in the passwd-file" \
    test "$(grep -c '^[^#]' "$out/dovecot/users")" = 139

# counts add up, in the report and in the JSON
check "report: the counts add up" grep -q "The counts add up." "$out/migration-report.txt"
check "migration.json parses and its counts add up" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for k, c in j["counts"].items():
    assert c["read"] == c["converted"] + c["listed"] + c["skipped"], k
assert len(j["listed"]) == sum(c["listed"] for c in j["counts"].values())
assert len(j["mailboxes"]) == 139
assert {d["name"]: d["kind"] for d in j["domains"]}["example.org"] == "alias"
assert any(f["address"] == "alice@example.com" and f["keep_copy"] for f in j["forwards"])
assert j["bounce_routing"]["doublebounceto"] == "postmaster@example.com"
' "$out/migration.json"

# the routing oracle, through the real Postfix lookup tables
cp -a "$out/postfix" "$tmp/pf"
for t in virtual_alias virtual_mailbox virtual_mailbox_domains \
    virtual_alias_domains transport sender_access recipient_access; do
	postmap -c "$tmp/pf" "hash:$tmp/pf/$t" || echo "postmap $t failed"
done >"$tmp/postmap.err" 2>&1
[ ! -s "$tmp/postmap.err" ] && ok "postmap builds every hash: table" ||
    no "postmap builds every hash: table" "$(head -5 "$tmp/postmap.err")"
q() { postmap -c "$tmp/pf" -q "$1" "$2:$tmp/pf/$3" 2>&1; }
got="$(q sales@example.com hash virtual_alias)|$(q bob@example.com hash virtual_alias)|$(q @example.org hash virtual_alias)|$(q @example.net hash virtual_alias)|$(q @partner.example hash virtual_alias)"
want="alice@example.com, judy@example.com|bob@webmail.example|@example.com|info@example.net|sales@example.com"
[ "$got" = "$want" ] && ok "aliases, forward-only, alias domain, catch-alls" ||
    no "aliases, forward-only, alias domain, catch-alls" "got  $got" "want $want"
got="$(q support-billing@example.com regexp virtual_alias_regexp)|$(q sales-foo@example.com regexp virtual_alias_regexp)|$(q frank@example.com hash recipient_access)|$(q nobody@example.net hash recipient_access)"
case $got in
pipe*@qmail2postfix.invalid"|nouser@qmail2postfix.invalid|REJECT "*"|REJECT")
	ok "-default pipe, alias-without-default bounce, BOUNCE_MAIL, badrcptto" ;;
*)	no "-default pipe, alias-without-default bounce, BOUNCE_MAIL, badrcptto" "got $got" ;;
esac
got="$(q backupmx.example hash transport)|$(q .internal.example hash transport)|$(q @bulk-mailer.example hash sender_access)$(q bulk-mailer.example hash sender_access)"
[ "$got" = "smtp:[192.0.2.30]:25|smtp:[gw.remote.example]:2525|REJECT" ] &&
    ok "smtproutes as transport_maps, badmailfrom @host" ||
    no "smtproutes as transport_maps, badmailfrom @host" "got $got"

# golden files, reviewed by hand; REGEN=1 rewrites them
gold="postfix/main.cf postfix/master.cf postfix/virtual_alias
    postfix/virtual_alias_regexp postfix/virtual_mailbox_domains
    postfix/virtual_alias_domains postfix/transport postfix/sender_access
    postfix/recipient_access dovecot/dovecot.conf migration-report.txt"
if [ "${REGEN:-}" = 1 ]; then
	for f in $gold; do
		mkdir -p "$golden/oldhost/$(dirname "$f")"
		cp "$out/$f" "$golden/oldhost/$f.ref"
	done
fi
bad=""
for f in $gold; do
	diff -u "$golden/oldhost/$f.ref" "$out/$f" >"$tmp/diff" 2>&1 || bad="$bad $f"
done
[ -z "$bad" ] && ok "golden files match (tests/golden/migrate/oldhost)" ||
    no "golden files match (tests/golden/migrate/oldhost)" "differ:$bad" "$(head -20 "$tmp/diff")"

# an existing OUT is kept unless --force
before=$(ls -l "$out/postfix/main.cf")
"$prog" --root "$tmp/oldhost" -o "$out" -q 2>/dev/null
rc=$?
[ "$rc" = 2 ] && [ "$(ls -l "$out/postfix/main.cf")" = "$before" ] &&
    ok "existing OUT refused without --force (exit 2, untouched)" ||
    no "existing OUT refused without --force (exit 2, untouched)" "rc=$rc"
"$prog" --root "$tmp/oldhost" -o "$out" -q --force
rc=$?
[ "$rc" = 1 ] && ! ls -d "$out".tmp* "$out".old* >/dev/null 2>&1 &&
    ok "--force replaces OUT, no temporary left" ||
    no "--force replaces OUT, no temporary left" "rc=$rc"
"$prog" --root "$tmp/nonexistent" -o "$tmp/OUT2" -q 2>/dev/null
rc=$?
[ "$rc" = 2 ] && [ ! -e "$tmp/OUT2" ] && ! ls -d "$tmp"/OUT2.tmp* >/dev/null 2>&1 &&
    ok "missing root: exit 2, nothing written" || no "missing root: exit 2, nothing written" "rc=$rc"

# bad input: each problem as file:line on stderr, the rest migrated
prepare badhost || { echo "Bail out! cannot prepare samples/badhost"; exit 1; }
"$prog" --root "$tmp/badhost" -o "$tmp/BOUT" 2>"$tmp/bad.err"
rc=$?
[ "$rc" = 1 ] && grep -q '^good@bad.example:{CRYPT}' "$tmp/BOUT/dovecot/users" &&
    ok "badhost: exit 1 and good@bad.example still migrated" ||
    no "badhost: exit 1 and good@bad.example still migrated" "rc=$rc"
missing=""
for want in \
    "control/virtualdomains:3:" "users/assign:2:" "bad.example/vpasswd:2:" \
    "bad.example/vpasswd:3:" "bad.example/vpasswd:4: home directory" \
    "bad.example/.qmail-cycle: file: symbolic link" \
    "bad.example/.qmail-junk:2:" ".qmail-open:1: .qmail line: file is group- or world-writable" \
    "good/.qmail:1: .qmail line: blank first line" \
    "domains/missing.example or its vpasswd is missing"; do
	grep -qF -- "$want" "$tmp/bad.err" || missing="$missing [$want]"
done
[ -z "$missing" ] && ok "badhost: every problem reported as file:line" ||
    no "badhost: every problem reported as file:line" "missing:$missing"
grep -q 'bad.example\r' "$tmp/BOUT/postfix/main.cf" "$tmp/BOUT/migration.json" &&
    no "badhost: CRLF rcpthosts gives no domain with a CR" ||
    ok "badhost: CRLF rcpthosts gives no domain with a CR"
check "badhost: report counts add up" grep -q "The counts add up." "$tmp/BOUT/migration-report.txt"
exit $fail
