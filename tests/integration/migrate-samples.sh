#!/bin/bash
# qmail2postfix on samples/oldhost and samples/badhost, checked with the
# real Postfix and Dovecot tools (no daemon started): postconf -n without
# warnings, postconf -M, doveconf -n, postmap lookups against the samples'
# routing oracle, counts that add up, file modes, golden files, bad input;
# the connection limits of samples/oldhost (migrate/README-limits.md) as
# Postfix, Dovecot and nft read them, sized from the old host's own logs.
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

command -v jq >/dev/null || { echo "Bail out! jq is needed"; exit 1; }
echo "1..77"
prepare oldhost || { echo "Bail out! cannot prepare samples/oldhost"; exit 1; }
out=$tmp/OUT
# explicit install paths: the golden files do not depend on configure's
# prefix (the defaults are checked against srs-forward's below)
srs_bin=/usr/local/bin
srs_secret=/usr/local/etc/qmail2postfix/srs-secret
# the DKIM key of samples/dns (q2p, published for example.com there): the
# golden files do not depend on a random key
dkey=$top_srcdir/samples/dns/keys/q2p.private
# written for this Debian 12 host's Postfix 3.7, named: the golden files do
# not depend on the versions installed where the test runs
"$prog" --root "$tmp/oldhost" -o "$out" --bindir "$srs_bin" \
    --srs-secret "$srs_secret" --dkim-key "q2p:$dkey" \
    --postfix 3.7 --dovecot 2.3 2>"$tmp/stderr"
rc=$?
[ "$rc" = 1 ] && ok "oldhost: exit 1 (converted, items listed)" ||
    no "oldhost: exit 1 (converted, items listed)" "rc=$rc" "$(tail -5 "$tmp/stderr")"

postconf -c "$out/postfix" -n >"$tmp/pc.out" 2>"$tmp/pc.err"
[ $? = 0 ] && [ ! -s "$tmp/pc.err" ] && ok "postconf -n: no warning" ||
    no "postconf -n: no warning" "$(head -5 "$tmp/pc.err")"
postconf -c "$out/postfix" -M >"$tmp/pc.out" 2>"$tmp/pc.err"
[ $? = 0 ] && [ ! -s "$tmp/pc.err" ] && ok "postconf -M parses master.cf, no warning" ||
    no "postconf -M parses master.cf, no warning" "$(head -5 "$tmp/pc.err")"
check "--postfix 3.7: compatibility_level 3.6; the versions in each header, the report, the JSON" \
    bash -c "test \"\$(postconf -h -c '$out/postfix' compatibility_level)\" = 3.6 &&
	for f in postfix/main.cf postfix/master.cf dovecot/dovecot.conf; do
		sed -n 2p '$out'/\$f | grep -qx '# Written for Postfix 3.7 (--postfix) and Dovecot 2.3 (--dovecot).' || exit 1
	done &&
	grep -qx 'Written for Postfix 3.7 (--postfix) and Dovecot 2.3 (--dovecot).' '$out/migration-report.txt' &&
	python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))[\"targets\"]; sys.exit(t != {\"postfix\": \"3.7\", \"postfix_chosen\": \"option\", \"dovecot\": \"2.3\", \"dovecot_chosen\": \"option\"})' '$out/migration.json'"
check "doveconf -n accepts dovecot.conf" doveconf -c "$out/dovecot/dovecot.conf" -n
# every process limit from control/concurrency* is in master.cf
check "master.cf: smtpd maxproc 100 (tcpserver -c \$MAXSMTPD from concurrencyincoming)" \
    test "$(postconf -h -c "$out/postfix" -F smtp/inet/process_limit)" = 100
check "master.cf: smtp client maxproc 60 (concurrencyremote)" \
    test "$(postconf -h -c "$out/postfix" -F smtp/unix/process_limit)" = 60
check "master.cf: lmtp maxproc 20 (concurrencylocal)" \
    test "$(postconf -h -c "$out/postfix" -F lmtp/unix/process_limit)" = 20

# connection limits (migrate/model/limits.h), as the real tools read them
F() { postconf -h -c "$out/postfix" -F "$1"; }
P() { postconf -h -c "$out/postfix" -P "$1"; }
check "master.cf: submission maxproc 30 (\$MAXSUB of its run script)" \
    test "$(F submission/inet/process_limit)" = 30
check "master.cf: smtps maxproc 100 (tcpserver-ssl -c 100)" \
    test "$(F smtps/inet/process_limit)" = 100
check "smtps: 30 s handshake deadline (tcpserver-ssl had no -t)" \
    test "$(P smtps/inet/smtpd_starttls_timeout)|$(P smtps/inet/smtpd_per_request_deadline)" = "30s|yes"
check "smtps: iptables connlimit 8 beats MAXCONNIP 20, hashlimit 5/min" \
    test "$(P smtps/inet/smtpd_client_connection_count_limit)|$(P smtps/inet/smtpd_client_connection_rate_limit)" = "8|5"
check "submission: smtpd_timeout 900s (QMAIL_SMTPD_TIMEOUT in its script)" \
    test "$(P submission/inet/smtpd_timeout)" = 900s
check "port 25: envdir QMAIL_SMTPD_TIMEOUT 300 beats timeoutsmtpd 600, once" \
    test "$(postconf -h -c "$out/postfix" smtpd_timeout)|$(grep -c '^smtpd_timeout' "$out/postfix/main.cf")" = "300s|1"
check "port 25: MAXCONNIP 20, recent 29/60 s (anvil 60 s)" \
    test "$(postconf -h -c "$out/postfix" smtpd_client_connection_count_limit smtpd_client_connection_rate_limit anvil_rate_time_unit | tr '\n' ' ')" = "20 29 60s "
check "mynetworks from RELAYCLIENT=\"\" rules" \
    test "$(postconf -h -c "$out/postfix" mynetworks)" = "127.0.0.0/8 192.0.2.0/24 203.0.113.10"
got="$(postmap -q 198.51.100.205 "cidr:$out/postfix/client_access.cidr")|$(postmap -q 198.51.100.99 "cidr:$out/postfix/client_access.cidr")"
[ "$got" = "REJECT|" ] && ok "tcprules deny range in client_access.cidr; colonless 198.51.100.99 rule not" ||
    no "tcprules deny range in client_access.cidr; colonless 198.51.100.99 rule not" "got $got"
check "port 25 and smtps check client_access.cidr; submission (no -x) does not" \
    bash -c "postconf -h -c '$out/postfix' smtpd_client_restrictions | grep -q client_access.cidr &&
	postconf -h -c '$out/postfix' -P smtps/inet/smtpd_client_restrictions | grep -q '^check_client_access,cidr:.*permit_sasl_authenticated,reject$' &&
	! postconf -h -c '$out/postfix' -P submission/inet/smtpd_client_restrictions | grep -q client_access"
dc() { doveconf -c "$out/dovecot/dovecot.conf" "$@"; }
check "Dovecot: one protocol imap block, quota plugin and user+IP 20 merged" \
    test "$(dc -n | grep -c '^protocol imap ')|$(dc -h -f protocol=imap mail_max_userip_connections)|$(dc -h -f protocol=imap mail_plugins | tr -d ' ')" = "1|20|quotaimap_quota"
check "Dovecot: imap-login 80 (MAXDAEMONS 40 x 2 ports), pop3-login 90 (-c 40 + xinetd 50)" \
    test "$(dc -h service/imap-login/process_limit)|$(dc -h service/pop3-login/process_limit)" = "80|90"
nft=$out/nftables/qmail2postfix.nft
check "nftables: MAXPERIP 4 on 143/993 and MAXCONNC 40 per /24" \
    bash -c "grep -q 'tcp dport { 143, 993 } ct state new add @conn[0-9]*_4 { ip saddr ct count over 4 }' '$nft' && grep -q 'ip saddr & 255.255.255.0 ct count over 40' '$nft'"
if unshare -n true 2>/dev/null; then
	check "nft -c accepts OUT/nftables/qmail2postfix.nft (private netns)" \
	    unshare -n nft -c -f "$nft"
else
	ok "nft -c accepts the nftables file # SKIP no unshare -n here"
fi
check "sysctl: keepalive 300 kept in OUT/sysctl/qmail2postfix.conf" \
    grep -qx 'net.ipv4.tcp_keepalive_time = 300' "$out/sysctl/qmail2postfix.conf"
check "report: limits sized from ROOT/var/log without --logs (7 files, spam wave)" \
    bash -c "grep -q '^What the logs show (7 files' '$out/migration-report.txt' &&
	grep -q 'peak 100 at 2026-11-18 14:06 (limit 100, at the limit in 134 status lines)' '$out/migration-report.txt'"
check "report: every limit listed or converted, RELAYCLIENT=@fax listed with file:line" \
    bash -c "grep -q '^  connection limits  *83  *71  *12  *0\$' '$out/migration-report.txt' &&
	grep -q '^  /etc/tcp.smtp:8: tcprules RELAYCLIENT: RELAYCLIENT=\"@fax\" (smtp): ' '$out/migration-report.txt' &&
	grep -q '^  /etc/tcp.smtp:13: limit: no .:. in this rule' '$out/migration-report.txt'"
check "migration.json: limits object with hourly peaks, before/after, process limits" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["limits"]
h = l["logs"]["services"]["smtp"]["hours"]
assert h["step_seconds"] == 3600 and max(h["peak"]) == 100, h
s = {(x["target"], x["service"]): x for x in l["settings"]}
m = s[("master.cf maxproc", "smtp")]
assert (m["old"], m["value"], m["recommended"]) == (100, 100, 200), m
assert {p["service"]: p["value"] for p in l["process_limits"]}["lmtp/unix"] == 20
assert len(l["items"]) == json.load(open(sys.argv[1]))["counts"]["connection limits"]["read"] - len([d for d in l["diagnostics"] if d["error"]])
' "$out/migration.json"
# --size-from-logs applies the recommendations; --logs FILE reads only those
"$prog" --root "$tmp/oldhost" -o "$tmp/SZ" -q --size-from-logs \
    --logs "$tmp/oldhost/var/log/qmail/smtpd/current" "$tmp/oldhost/var/log/maillog"
rc=$?
[ "$rc" = 1 ] && [ "$(postconf -h -c "$tmp/SZ/postfix" -F smtp/inet/process_limit)" = 200 ] &&
    grep -q '^What the logs show (2 files' "$tmp/SZ/migration-report.txt" &&
    ok "--size-from-logs --logs A B: smtpd maxproc 200 (limit hit: doubled), 2 files read" ||
    no "--size-from-logs --logs A B: smtpd maxproc 200 (limit hit: doubled), 2 files read" "rc=$rc"
"$prog" --root "$tmp/oldhost" -o "$tmp/NL" -q --no-logs
rc=$?
[ "$rc" = 1 ] && ! grep -q '^What the logs show' "$tmp/NL/migration-report.txt" &&
    [ "$(postconf -h -c "$tmp/NL/postfix" -F smtp/inet/process_limit)" = 100 ] &&
    ok "--no-logs: no log section, the old limits as they were" ||
    no "--no-logs: no log section, the old limits as they were" "rc=$rc"

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
b = {x["address"]: x for x in j["bounces"]}
for a, line in (("nobody@example.net", 1), ("test@example.net", 2)):
    assert (b[a]["match"], b[a]["text"], b[a]["source"]) == ("exact",
        "refused at RCPT by badrcptto", "/var/qmail/control/badrcptto:%d" % line), b.get(a)
' "$out/migration.json"
# NO_POP/NO_IMAP/NO_SMTP: each list denies its own service only (the key
# names the service; POP3/IMAP from 127.0.0.1 are webmail, keyed so
# that they miss); user@localhost is not completed to localhost.$mydomain
check "deny lists keyed SERVICE/LOGIN; append_dot_mydomain = no" \
    bash -c "grep -qx 'pop3/dave@example.com' '$out/dovecot/deny.pop3' &&
	grep -qx 'imap/erin@example.com' '$out/dovecot/deny.imap' &&
	grep -qx 'smtp/grace@example.com' '$out/dovecot/deny.smtp' &&
	! grep -h '^[^#]' '$out'/dovecot/deny.* | grep -qv '^\(pop3/.*\|imap/.*\|smtp/.*\)' &&
	test \"\$(grep -c 'args = username_format=%{if;%r;eq;127\.0\.0\.1;webmail;%s}/%u /etc/dovecot/deny\.\(pop3\|imap\)\$' '$out/dovecot/dovecot.conf')\" = 2 &&
	test \"\$(grep -c 'args = username_format=%s/%u /etc/dovecot/deny\.smtp\$' '$out/dovecot/dovecot.conf')\" = 1 &&
	test \"\$(postconf -h -c '$out/postfix' append_dot_mydomain)\" = no"

# the routing oracle, through the real Postfix lookup tables
cp -a "$out/postfix" "$tmp/pf"
for t in virtual_alias virtual_mailbox virtual_mailbox_domains \
    virtual_alias_domains transport sender_access recipient_access; do
	postmap -c "$tmp/pf" "hash:$tmp/pf/$t" || echo "postmap $t failed"
done >"$tmp/postmap.err" 2>&1
[ ! -s "$tmp/postmap.err" ] && ok "postmap builds every hash: table" ||
    no "postmap builds every hash: table" "$(head -5 "$tmp/postmap.err")"
postfix -c "$tmp/pf" check >"$tmp/check.out" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/check.out" ] &&
    ok "postfix check (this host's $(postconf -d -h mail_version)) prints nothing" ||
    no "postfix check (this host's $(postconf -d -h mail_version)) prints nothing" "rc=$rc" "$(head -5 "$tmp/check.out")"
# the same files run (tests/integration/lib/pflive.sh): a badrcptto
# reject logs no "backwards-compatible" line (level 2 makes 3.7 log one)
if [ "$(id -u)" = 0 ]; then
	. "$top_srcdir/tests/integration/lib/pflive.sh"
	chmod 0755 "$tmp"	# the postfix user reaches its queue
	lp=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	trap 'pflive_stop "" "$tmp/live"; rm -rf "$tmp"' EXIT
	pflive_setup "" "$tmp/pf" "$tmp/live" "$lp" &&
	    postfix -c "$tmp/live/etc" start >"$tmp/live.out" 2>&1 &&
	    for i in $(seq 50); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$lp" 2>/dev/null && break
		sleep 0.2
	    done
	got=$(pflive_rcpt "$lp" nobody@example.net)
	for i in $(seq 50); do
		grep -q 'reject: RCPT from .*nobody@example.net' "$tmp/live/maillog" 2>/dev/null && break
		sleep 0.2
	done
	case $got in
	5*)	grep -q 'reject: RCPT from .*nobody@example.net' "$tmp/live/maillog" &&
		    ! grep -qi 'backwards-compatible' "$tmp/live/maillog" ;;
	*)	false ;;
	esac &&
	    ok "Postfix $(postconf -d -h mail_version) runs main.cf/master.cf: badrcptto refused, no backwards-compatible line" ||
	    no "Postfix $(postconf -d -h mail_version) runs main.cf/master.cf: badrcptto refused, no backwards-compatible line" \
		"got $got" "$(cat "$tmp/live.out")" "$(grep -i 'compatib\|reject\|fatal\|error' "$tmp/live/maillog" 2>/dev/null | head -5)"
	pflive_stop "" "$tmp/live"
else
	ok "Postfix runs main.cf/master.cf, badrcptto refused # SKIP not root"
fi
q() { postmap -c "$tmp/pf" -q "$1" "$2:$tmp/pf/$3" 2>&1; }
got="$(q sales@example.com hash virtual_alias)|$(q bob@example.com hash virtual_alias)|$(q @example.org hash virtual_alias)|$(q @example.net hash virtual_alias)|$(q @partner.example hash virtual_alias)"
want="alice@example.com, judy@example.com|bob@webmail.example|@example.com|info@example.net|sales@example.com"
[ "$got" = "$want" ] && ok "aliases, forward-only, alias domain, catch-alls" ||
    no "aliases, forward-only, alias domain, catch-alls" "got  $got" "want $want"
got="$(q support-billing@example.com regexp virtual_alias_regexp)|$(q sales-foo@example.com regexp virtual_alias_regexp)|$(q frank@example.com hash recipient_access)|$(q frank@example.org hash recipient_access)|$(q nobody@example.net hash recipient_access)"
case $got in
pipe*@qmail2postfix.invalid"|nouser@qmail2postfix.invalid|REJECT 5.2.1 mailbox disabled (vpopmail BOUNCE_MAIL)|REJECT 5.2.1 mailbox disabled (vpopmail BOUNCE_MAIL)|REJECT")
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
    postfix/recipient_access postfix/srs_transport postfix/srs_reverse
    srs/srs-map.service srs/README dovecot/dovecot.conf migration-report.txt
    dkim/KeyTable dkim/SigningTable dkim/TrustedHosts dkim/opendkim.conf
    dkim/dns-records.txt dkim/README"
# migration.json names the key file of --dkim-key, whose path depends on
# where the source tree is: the golden file has it relative to the tree
mj() { sed "s|\"key_origin\": \"$dkey\"|\"key_origin\": \"samples/dns/keys/q2p.private\"|" "$out/migration.json"; }
if [ "${REGEN:-}" = 1 ]; then
	for f in $gold; do
		mkdir -p "$golden/oldhost/$(dirname "$f")"
		cp "$out/$f" "$golden/oldhost/$f.ref"
	done
	mj >"$golden/oldhost/migration.json.ref"
fi
bad=""
for f in $gold; do
	diff -u "$golden/oldhost/$f.ref" "$out/$f" >"$tmp/diff" 2>&1 || bad="$bad $f"
done
mj | diff -u "$golden/oldhost/migration.json.ref" - >"$tmp/jdiff" 2>&1 ||
    { bad="$bad migration.json"; cp "$tmp/jdiff" "$tmp/diff"; }
[ -z "$bad" ] && ok "golden files match (tests/golden/migrate/oldhost)" ||
    no "golden files match (tests/golden/migrate/oldhost)" "differ:$bad" "$(head -20 "$tmp/diff")"

# SRS for forwarded mail (srs/README.md, "Postfix wiring")
sec=$out/srs/secret
secret1=$(cat "$sec" 2>/dev/null)
# 33 random bytes as base64 on one line; in srs/secret and nowhere else
leak=$(grep -rlF -e "$secret1" "$out" "$tmp/stderr" | grep -vx "$sec")
[ "$(mode "$sec")" = 600 ] && [ "$(wc -l <"$sec")" = 1 ] &&
    [[ $secret1 =~ ^[A-Za-z0-9+/]{44}$ ]] && [ -z "$leak" ] &&
    ok "srs/secret: 0600, 44 base64 characters, in no other file nor on stderr" ||
    no "srs/secret: 0600, 44 base64 characters, in no other file nor on stderr" \
	"mode $(mode "$sec"), $(wc -c <"$sec") octets, found in: $leak"
rq() { postmap -q "$1" "regexp:$out/postfix/$2"; }
got="$(rq alice@sender.example srs_transport)|$(rq x@sub.example.com srs_transport)|$(rq '<>' srs_transport)|$(rq bob@EXAMPLE.org srs_transport)|$(rq root@mail.example.com srs_transport)|$(rq SRS0=abcd=JM=sender.example=a@srs.example.com srs_transport)"
[ "$got" = "srsfwd:|srsfwd:||||" ] &&
    ok "srs_transport: foreign senders take srsfwd; null, ours, myhostname, SRS do not" ||
    no "srs_transport: foreign senders take srsfwd; null, ours, myhostname, SRS do not" "got $got"
got="$(rq SRS0=abcd=JM=sender.example=a@srs.example.com srs_reverse)|$(rq srs1=x=y==z@SRS.example.com srs_reverse)|$(rq bob@example.com srs_reverse)|$(rq SRS0=abcd=JM=s.example=a@example.com srs_reverse)"
[ "$got" = "SRS0=abcd=JM=sender.example=a@srs.example.com|srs1=x=y==z@SRS.example.com||" ] &&
    ok "srs_reverse: only SRS addresses in srs.example.com go on to srs-map" ||
    no "srs_reverse: only SRS addresses in srs.example.com go on to srs-map" "got $got"
pc() { postconf -h -c "$out/postfix" "$@"; }
check "main.cf: srs_transport, pipemap reverse on 127.0.0.1:10003, SRS domain in virtual_alias_domains" \
    test "$(pc sender_dependent_default_transport_maps)|$(pc recipient_canonical_maps)|$(pc recipient_canonical_classes)|$(pc virtual_alias_domains)" = \
    'regexp:${config_directory}/srs_transport|pipemap:{regexp:${config_directory}/srs_reverse, socketmap:inet:127.0.0.1:10003:reverse}|envelope_recipient|hash:${config_directory}/virtual_alias_domains, srs.example.com'
check "master.cf: srsfwd pipe runs srs-forward as srsfwd with the installed secret" \
    test "$(postconf -c "$out/postfix" -M srsfwd/unix | tr -s ' ')" = \
    "srsfwd unix - n n - - pipe flags=FRq user=srsfwd argv=$srs_bin/srs-forward -d srs.example.com -s $srs_secret -- \${recipient}"
check "migration.json: srs wired, domain, socket, secret's path (not the secret)" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["srs"]
assert s["wired"] is True and s["domain"] == "srs.example.com", s
assert s["socket"] == "inet:127.0.0.1:10003" and s["transport"] == "srsfwd", s
assert s["secret_file"] == sys.argv[2] and s["forwarder"] == sys.argv[3] + "/srs-forward", s
assert sys.argv[4] not in json.dumps(s)
' "$out/migration.json" "$srs_secret" "$srs_bin" "$secret1"
# --no-srs: plain forwarding, no secret; the defaults: configure's paths,
# the same secret file srs-forward reads by default
"$prog" --root "$tmp/oldhost" -o "$tmp/NS" -q --no-srs --no-logs
got="$(postconf -h -c "$tmp/NS/postfix" sender_dependent_default_transport_maps recipient_canonical_maps | tr '\n' '|')$(ls "$tmp/NS/srs")"
grep -q '^SRS: off (--no-srs)' "$tmp/NS/migration-report.txt" &&
    [ "$(jq -c .srs "$tmp/NS/migration.json")" = '{"wired":false,"domain":null}' ] &&
    ! postconf -c "$tmp/NS/postfix" -M srsfwd/unix 2>/dev/null | grep -q . &&
    [ "$got" = "||README" ] && ok "--no-srs: no SRS lines, no srsfwd, no secret, report says so" ||
    no "--no-srs: no SRS lines, no srsfwd, no secret, report says so" "got $got"
dflt=$("$top_builddir/srs-forward" --help | sed -n 's/.*(default \(\/.*srs-secret\)).*/\1/p')
got=$(sed -n 's/.*argv=\([^ ]*\) .* -s \([^ ]*\) .*/\1 \2/p' "$tmp/NL/postfix/master.cf")
case $got in
/*/srs-forward\ "$dflt") [ -n "$dflt" ] &&
	ok "default paths: configure's bindir, srs-forward's own default secret" ;;
*)	no "default paths: configure's bindir, srs-forward's own default secret" "got $got, srs-forward's default $dflt" ;;
esac
check "--srs-domain: the SRS domain of the map, the pipe and the DNS advice" \
    bash -c "'$prog' --root '$tmp/oldhost' -o '$tmp/SD' -q --no-logs --srs-domain bounces.example.net;
	grep -q 'srs_reverse' '$tmp/SD/postfix/main.cf' && grep -q '@bounces\\\\.example\\\\.net)\\\$/' '$tmp/SD/postfix/srs_reverse' &&
	grep -q 'argv=.* -d bounces.example.net ' '$tmp/SD/postfix/master.cf' &&
	grep -q '^       bounces.example.net.  MX   10 mail.example.com.' '$tmp/SD/migration-report.txt'"

# DKIM signing (OUT/dkim, OpenDKIM): the key, the records, the config
# pub KEYFILE: the base64 SubjectPublicKeyInfo, as openssl derives it
pub() { openssl pkey -in "$1" -pubout 2>/dev/null | grep -v -e '-----' | tr -d '\n'; }
# recs DIR: "owner p-value" per TXT record of DIR/dkim/dns-records.txt,
# the record's strings joined
recs() {
	python3 -c '
import re, sys
for l in open(sys.argv[1]):
    if l.startswith(";") or not l.strip():
        continue
    owner, rest = l.split(" IN TXT ", 1)
    txt = "".join(re.findall(r"\"([^\"]*)\"", rest))
    assert txt.startswith("v=DKIM1; k=rsa; p="), txt
    print(owner, txt.split("p=", 1)[1])
' "$1/dkim/dns-records.txt"
}
# nokey OUT FILE...: no line of the private key's base64 in any file of
# OUT but the key itself, nor in FILE...
nokey() {
	local k=$1/dkim/keys/q2p.private; shift
	grep -v -e '-----' "$k" >"$tmp/keylines"
	[ -s "$tmp/keylines" ] || return 1
	! grep -rlF -f "$tmp/keylines" "${k%/dkim/*}" "$@" | grep -vx "$k"
}
# odk OUT: opendkim -n on OUT's opendkim.conf, installed paths rebased
odk() {
	local d=$1/dkim
	sed "s|/etc/opendkim/keys/|$d/keys/|" "$d/KeyTable" >"$tmp/KeyTable" &&
	sed -e "s|file:/etc/opendkim/KeyTable|file:$tmp/KeyTable|" \
	    -e "s|/etc/opendkim/|$d/|" "$d/opendkim.conf" >"$tmp/opendkim.conf" &&
	opendkim -n -x "$tmp/opendkim.conf"
}
dk=$out/dkim/keys/q2p.private
[ "$(mode "$dk")" = 600 ] && cmp -s "$dkey" "$dk" &&
    ok "dkim: --dkim-key copied as dkim/keys/q2p.private, mode 0600" ||
    no "dkim: --dkim-key copied as dkim/keys/q2p.private, mode 0600" "mode $(mode "$dk")"
want=$(for d in example.com example.net oldbrand.example partner.example example.org; do
	echo "q2p._domainkey.$d. $(pub "$dk")"; done)
got=$(recs "$out")
[ -n "$(pub "$dk")" ] && [ "$got" = "$want" ] &&
    ok "dkim: dns-records.txt has q2p for each mailbox and alias domain, p= = openssl pkey -pubout" ||
    no "dkim: dns-records.txt has q2p for each mailbox and alias domain, p= = openssl pkey -pubout" "$got"
check "dkim: the published q2p key of samples/dns is the same key" \
    bash -c "tr -d '\n\t' <'$top_srcdir/samples/dns/keys/q2p.txt' | tr -d '\" ' | grep -qF 'p=$(pub "$dk")'"
check "dkim: opendkim -n accepts opendkim.conf (tables and key rebased)" odk "$out"
check "dkim: SigningTable signs From: our domains only, KeyTable names the installed key" \
    bash -c "grep -qx '\*@example.org q2p._domainkey.example.org' '$out/dkim/SigningTable' &&
	! grep -q 'sender.example\|backupmx' '$out/dkim/SigningTable' &&
	grep -qx 'q2p._domainkey.example.com example.com:q2p:/etc/opendkim/keys/q2p.private' '$out/dkim/KeyTable' &&
	grep -qx 'Mode[[:space:]]*s' '$out/dkim/opendkim.conf' &&
	grep -qx 'Socket[[:space:]]*inet:8891@127.0.0.1' '$out/dkim/opendkim.conf'"
check "main.cf: OpenDKIM milter on 127.0.0.1:8891, accept when it is down, protocol 6" \
    test "$(pc smtpd_milters non_smtpd_milters milter_default_action milter_protocol | tr '\n' '|')" = \
    'inet:127.0.0.1:8891|$smtpd_milters|accept|6|'
check "migration.json: dkim.selectors with key_file and the public key, signing" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
s = j["dkim"]["selectors"]
assert [x["domain"] for x in s] == ["example.com", "example.net", "oldbrand.example", "partner.example", "example.org"], s
for x in s:
    assert (x["selector"], x["key_file"], x["public_key"], x["signing"], x["key_bits"]) == ("q2p", "dkim/keys/q2p.private", sys.argv[2], True, 2048), x
' "$out/migration.json" "$(pub "$dk")"
check "dkim: the private key is in no other file of OUT, nor on stderr" nokey "$out" "$tmp/stderr"
check "report: forwarded mail is not signed, install lines for dkim/ and srs/" \
    bash -c "grep -q '^domain (sender.example, say) is not in the SigningTable' '$out/migration-report.txt' &&
	grep -qF '  install -o opendkim -g opendkim -m 0600 dkim/keys/q2p.private /etc/opendkim/keys/' '$out/migration-report.txt' &&
	grep -q '^install copies postfix/ and dovecot/ only: install srs/ and dkim/ by hand' '$out/migration-report.txt'"
# the new host's own name: a new key; HELO is myhostname, not helohost
"$prog" --root "$tmp/oldhost" -o "$tmp/NH" --no-logs --hostname mx1.example.com \
    --ip 198.51.100.25 2>"$tmp/nh.err"
rc=$?
nk=$tmp/NH/dkim/keys/q2p.private
got="$rc|$(mode "$nk")|$(openssl pkey -in "$nk" -noout -text 2>/dev/null | head -1)"
[ "$got" = "1|600|Private-Key: (2048 bit, 2 primes)" ] &&
    [ "$(recs "$tmp/NH" | cut -d' ' -f2 | sort -u)" = "$(pub "$nk")" ] &&
    [ "$(pub "$nk")" != "$(pub "$dk")" ] && nokey "$tmp/NH" "$tmp/nh.err" &&
    odk "$tmp/NH" >/dev/null 2>&1 &&
    ok "dkim: a new 2048-bit key, 0600, in the TXT records, never printed" ||
    no "dkim: a new 2048-bit key, 0600, in the TXT records, never printed" "got $got"
got="$(postconf -h -c "$tmp/NH/postfix" myhostname smtp_helo_name | tr '\n' '|')$(grep -c '^smtp_helo_name' "$tmp/NH/postfix/main.cf")"
[ "$got" = 'mx1.example.com|$myhostname|0' ] &&
    grep -q 'control/helohost:1: helohost: mail.example.com (the old host.s HELO) not carried over' "$tmp/NH/migration-report.txt" &&
    ! grep -q '"smtp_helo_name"' "$tmp/NH/migration.json" &&
    ok "--hostname: HELO is myhostname, control/helohost not carried over (report says why)" ||
    no "--hostname: HELO is myhostname, control/helohost not carried over (report says why)" "got $got"
"$prog" --root "$tmp/oldhost" -o "$tmp/HE" -q --no-logs --hostname mx1.example.com \
    --helo out.example.com --dkim-selector s2026
got="$(postconf -h -c "$tmp/HE/postfix" smtp_helo_name)|$(cut -d' ' -f1 "$tmp/HE/dkim/SigningTable" | grep -v '^#' | head -1)|$(ls "$tmp/HE/dkim/keys")"
[ "$got" = "out.example.com|*@example.com|s2026.private" ] &&
    grep -q '^s2026._domainkey.example.com. IN TXT' "$tmp/HE/dkim/dns-records.txt" &&
    ok "--helo NAME sets smtp_helo_name; --dkim-selector names the selector" ||
    no "--helo NAME sets smtp_helo_name; --dkim-selector names the selector" "got $got"
"$prog" --root "$tmp/oldhost" -o "$tmp/ND" -q --no-logs --no-dkim
got="$(postconf -h -c "$tmp/ND/postfix" smtpd_milters non_smtpd_milters | tr -d '\n')|$(ls -d "$tmp/ND/dkim" 2>/dev/null)"
[ "$got" = "|" ] && grep -q '^DKIM: off (--no-dkim)' "$tmp/ND/migration-report.txt" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["dkim"]; assert d["selectors"] == [] and d["key_origin"] == "--no-dkim"' "$tmp/ND/migration.json" &&
    ok "--no-dkim: no dkim/, no milter, report and JSON say so" ||
    no "--no-dkim: no dkim/, no milter, report and JSON say so" "got $got"
printf 'not a key\n' >"$tmp/bad.key"
"$prog" --root "$tmp/oldhost" -o "$tmp/BK" -q --no-logs --dkim-key "q2p:$tmp/bad.key" 2>"$tmp/bk.err"
rc=$?
[ "$rc" = 2 ] && [ ! -e "$tmp/BK" ] && grep -q 'not a PEM private key' "$tmp/bk.err" &&
    ok "--dkim-key with a file that is no key: exit 2, nothing written" ||
    no "--dkim-key with a file that is no key: exit 2, nothing written" "rc=$rc" "$(cat "$tmp/bk.err")"

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
secret2=$(cat "$out/srs/secret" 2>/dev/null)
[ -n "$secret2" ] && [ "$secret1" != "$secret2" ] &&
    ok "srs/secret: a new one each run" || no "srs/secret: a new one each run" "the second run wrote the same secret"
"$prog" --root "$tmp/nonexistent" -o "$tmp/OUT2" -q 2>/dev/null
rc=$?
[ "$rc" = 2 ] && [ ! -e "$tmp/OUT2" ] && ! ls -d "$tmp"/OUT2.tmp* >/dev/null 2>&1 &&
    ok "missing root: exit 2, nothing written" || no "missing root: exit 2, nothing written" "rc=$rc"

# no option: the versions installed here; none installed (an empty
# /usr/sbin and /sbin in a private mount namespace): Postfix 3.5, Dovecot 2.3
pv=$(postconf -d -h mail_version | cut -d. -f1,2)
dv=$(dovecot --version | cut -d. -f1,2)
"$prog" --root "$tmp/oldhost" -o "$tmp/DET" -q --no-logs
got="$(sed -n 2p "$tmp/DET/postfix/main.cf")|$(postconf -h -c "$tmp/DET/postfix" compatibility_level)"
[ "$got" = "# Written for Postfix $pv (installed here) and Dovecot $dv (installed here).|3.6" ] &&
    jq -e --arg p "$pv" --arg d "$dv" '.targets == {"postfix": $p,
        "postfix_chosen": "detected", "dovecot": $d,
        "dovecot_chosen": "detected"}' "$tmp/DET/migration.json" >/dev/null &&
    ok "no --postfix/--dovecot: Postfix $pv and Dovecot $dv found here (postconf, dovecot --version)" ||
    no "no --postfix/--dovecot: Postfix $pv and Dovecot $dv found here (postconf, dovecot --version)" "got $got"
if unshare -m true 2>/dev/null; then
	mkdir -p "$tmp/empty"
	unshare -m sh -c 'mount --bind "$1" /usr/sbin && mount --bind "$1" /sbin 2>/dev/null; "$2" --root "$3" -o "$4" --no-logs 2>"$5"' _ \
	    "$tmp/empty" "$prog" "$tmp/oldhost" "$tmp/NOV" "$tmp/nov.err"
	got="$(sed -n 2p "$tmp/NOV/postfix/main.cf")|$(postconf -h -c "$tmp/NOV/postfix" compatibility_level)"
	[ "$got" = "# Written for Postfix 3.5 (default: none installed here) and Dovecot 2.3 (default: none installed here).|2" ] &&
	    grep -q 'postconf not installed: writing for Postfix 3.5' "$tmp/nov.err" &&
	    ok "neither installed: Postfix 3.5 (level 2) and Dovecot 2.3, said on stderr" ||
	    no "neither installed: Postfix 3.5 (level 2) and Dovecot 2.3, said on stderr" "got $got" "$(head -3 "$tmp/nov.err")"
else
	ok "neither installed: the defaults # SKIP no unshare -m here"
fi
bad=""
for v in "--postfix 3.4" "--postfix 3.11" "--postfix 3.7.1" "--postfix 3" "--postfix 3.07x" "--postfix 3.05" "--dovecot 2.2" "--dovecot 2.5" "--dovecot 24"; do
	# shellcheck disable=SC2086
	"$prog" --root "$tmp/oldhost" -o "$tmp/BADV" -q $v 2>"$tmp/badv.err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -e "$tmp/BADV" ] && grep -q "^qmail2postfix: error: ${v% *} ${v#* }: not " "$tmp/badv.err" &&
	    grep -q '^usage: ' "$tmp/badv.err" || bad="$bad [$v: rc=$rc]"
done
[ -z "$bad" ] && ok "--postfix 3.4/3.11/3.7.1, --dovecot 2.2/2.5: usage error, exit 2, nothing written" ||
    no "--postfix 3.4/3.11/3.7.1, --dovecot 2.2/2.5: usage error, exit 2, nothing written" "$bad"

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
# control/rcpthosts has CRLF line ends: its domains are read without the CR
# (no carriage return byte in any file of OUT, none inside a JSON string,
# where jansson would write it as the escape \r) and neither line is listed
check "badhost: CRLF rcpthosts gives no domain with a CR" python3 -c '
import json, os, sys
out = sys.argv[1]
bad = []
for d, _, files in os.walk(out):
    for f in files:
        with open(os.path.join(d, f), "rb") as fh:
            if b"\r" in fh.read():
                bad.append("CR byte in " + os.path.relpath(os.path.join(d, f), out))
def walk(v, where):
    if isinstance(v, str):
        if "\r" in v:
            bad.append("CR in migration.json at " + where + ": " + repr(v))
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k, where + "/" + repr(k))
            walk(x, where + "/" + str(k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, where + "/" + str(i))
with open(os.path.join(out, "migration.json")) as fh:
    j = json.load(fh)
walk(j, "")
for it in j["listed"]:
    if it["source"].startswith("/var/qmail/control/rcpthosts:"):
        bad.append("listed: " + it["source"] + ": " + it["reason"])
for l in bad:
    print(l)
sys.exit(1 if bad else 0)' "$tmp/BOUT"
check "badhost: report counts add up" grep -q "The counts add up." "$tmp/BOUT/migration-report.txt"
exit $fail
