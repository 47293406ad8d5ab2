#!/bin/bash
#
# NAME		rehearse-limits.sh - qmail2postfix rehearse OUT --limits on
#		samples/oldhost
# DOES		migrates a fixed-up copy of samples/oldhost and runs the
#		rehearsal with --limits: the connection limits of OUT are
#		proven against the rehearsal's Postfix and Dovecot and the
#		nftables file in a private network namespace. Checks each
#		probe against the values the test reads itself from
#		migration.json (count limit, user+IP limits, maxproc,
#		process_limit), that what cannot be probed says why, and the
#		report's limits section and before/after table. Then breaks
#		the enforcement in a copy of OUT (the count limit removed
#		from main.cf, the per-/24 rule removed from the nftables
#		file; migration.json unchanged) and checks that exactly
#		those probes fail and rehearse exits 1; a copy whose
#		nftables file does not load makes every nftables probe fail
#		(exit 1), never "not probed". Only a machine without unshare
#		or nft (or a kernel without network namespaces or nf_tables)
#		skips the nftables checks, as TAP "# SKIP".
# NEVER		contacts anything but loopback and the namespace rehearse
#		makes; loads a rule into the host's own nftables
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init rehearse-limits

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
[ -x "$Q" ] || tap_bail "no $Q"
command -v smtp-sink >/dev/null || tap_bail "smtp-sink (package postfix) missing"
tap_plan 15

cp -a "$S/oldhost" "$H_DIR/oldhost" &&
    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
    tap_bail "cannot prepare the old host copy"
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" -q
rc=$?
[ "$rc" -le 1 ] || tap_bail "qmail2postfix run exited $rc"

# can this machine make a network namespace with nftables in it?  Asked
# with a ruleset of our own, never with OUT's file: a file that does not
# load is a failure of the writer, not a reason to skip
ns=yes
nsno=
if ! command -v unshare >/dev/null || ! command -v nft >/dev/null; then
	ns=no nsno="unshare or nft (packages util-linux, nftables) missing"
else
	printf 'table inet q2p_probe {\n\tchain c { type filter hook input priority 0; }\n}\n' \
	    >"$H_DIR/probe.nft"
	if ! err=$(unshare -n nft -f "$H_DIR/probe.nft" 2>&1); then
		ns=no nsno="no private network namespace with nf_tables: $err"
	fi
fi
tap_diag "private network namespace with nft: $ns $nsno"
if [ "$ns" = yes ]; then
	tap_check "the nftables file of OUT loads (nft -c) in a private network namespace" \
	    unshare -n nft -c -f "$H_DIR/OUT/nftables/qmail2postfix.nft"
else
	tap_skip "the nftables file of OUT loads (nft -c) in a private network namespace" "$nsno"
fi
host_nft_before=$(nft list tables 2>/dev/null)

export TMPDIR=$H_DIR
# ---- as generated: text report (the JSON is kept beside it with --keep)
t0=$(date +%s)
"$Q" rehearse "$H_DIR/OUT" --limits --no-logins --keep \
    >"$H_DIR/report.txt" 2>"$H_DIR/rehearse.err"
rc=$?
tap_diag "rehearse --limits took $(($(date +%s) - t0)) s"
kept=$(ls -d "$H_DIR"/q2p-rehearse.* 2>/dev/null | head -1)
cp "$kept/report.json" "$H_DIR/report.json" 2>/dev/null
rm -rf "$H_DIR"/q2p-rehearse.*
if [ "$rc" -eq 0 ]; then
	tap_ok "rehearse --limits on OUT as generated exits 0"
else
	tap_fail "rehearse --limits on OUT as generated exits 0 (exit $rc)" \
	    "$(tail -5 "$H_DIR/rehearse.err")" \
	    "$(grep -E -A4 '^(FAIL|DIFFERS)' "$H_DIR/report.txt" | head -40)"
fi
[ -s "$H_DIR/report.json" ] || tap_bail "no report.json kept"

# every check below reads its N from migration.json itself
python3 - "$H_DIR/report.json" "$H_DIR/OUT/migration.json" "$ns" \
    >"$H_DIR/check.out" <<'EOF'
import json, re, sys
rep = json.load(open(sys.argv[1]))
mig = json.load(open(sys.argv[2]))
ns = sys.argv[3] == "yes"
lim = rep.get("limits") or {}
res = lim.get("results", [])
val = {(s["target"], s["service"]): s["value"] for s in mig["limits"]["settings"]}
def find(target, service):
    for r in res:
        if r["setting"] == target and r["service"] == service:
            return r
    return None
def check(name, cond, detail=""):
    print(("OK " if cond else "BAD ") + name + ("" if cond else " -- " + detail))

# 1. SMTP: the (N+1)th connection from one address gets 421, another gets 220
n = val[("smtpd_client_connection_count_limit", "smtp")]
r = find("smtpd_client_connection_count_limit", "smtp")
check("smtp count limit %d: connection %d gets 421, another address 220" % (n, n + 1),
      r and r["status"] == "ok" and re.match(
          r"%d of %d got 220; connection %d: 421 .*; 127\.[0-9.]+: 220 " % (n, n, n + 1),
          r["observed"]) is not None, json.dumps(r))
# 2./3. IMAP and POP3 user+IP
for proto, tag, word in (("imap", r"a NO \[LIMIT\]", "NO [LIMIT]"),
                         ("pop3", r"-ERR \[IN-USE\]", "-ERR [IN-USE]")):
    n = val[("mail_max_userip_connections", proto)]
    r = find("mail_max_userip_connections", proto)
    check("%s: %d logins of one user+IP work, login %d refused with %s" % (proto, n, n + 1, word),
          r and r["status"] == "ok" and re.match(
              r"%d of %d logins worked; login %d: %s.*: (\+OK|a OK)" % (n, n, n + 1, tag),
              r["observed"]) is not None, json.dumps(r))
# 4. maxproc: the (M+1)th waits, then gets its banner
m = val[("master.cf maxproc", "smtp")]
r = find("master.cf maxproc", "smtp")
check("smtp maxproc %d: connection %d waits, then 220" % (m, m + 1),
      r and r["status"] == "ok" and re.match(
          r"%d of %d got 220; connection %d: no banner for 2 s; after one closed: 220 " % (m, m, m + 1),
          r["observed"]) is not None, json.dumps(r))
# 5. Dovecot imap-login process_limit: the (P+1)th is greeted, others dropped
p = val[("service *-login process_limit", "imap")]
r = find("service *-login process_limit", "imap")
check("imap-login process_limit %d: client %d greeted, waiting ones dropped" % (p, p + 1),
      r and r["status"] == "ok" and re.match(
          r"%d of %d greeted; client %d: \* OK .*dropped before login: [1-9]" % (p, p, p + 1),
          r["observed"]) is not None and re.search(
          r"; log: (process_limit reached|no \"process_limit reached\" line)$",
          r["observed"]) is not None,
      json.dumps(r))
# 6. smtpd_timeout 300 s: not waited for; the shortened copy says so
t = val[("smtpd_timeout", "smtp")]
r = find("smtpd_timeout", "smtp")
check("smtpd_timeout %d s: proven on a shortened copy, and the output says so" % t,
      r and r["status"] == "ok" and r["how"].startswith("shortened copy") and
      re.match(r"cut off after [2-6]\.[0-9] s: 421 ", r["observed"]) is not None and
      r["configured"].startswith("%ds" % t), json.dumps(r))
# 7. nftables in the namespace (or an honest "not probed")
nft = [x for x in res if x["setting"].startswith("nftables ")]
if ns:
    ok = [x for x in nft if x["status"] == "ok"]
    c24 = find("nftables ct count per /24", "smtp")
    n24 = val[("nftables ct count per /24", "smtp")]
    check("nftables: %d rules proven in the namespace, per-/24 count %d refuses connection %d" %
          (len(ok), n24, n24 + 1),
          len(ok) >= 3 and c24 and c24["status"] == "ok" and re.match(
              r"%d of %d connections from one /24.*connection %d .*: \(refused" % (n24, n24, n24 + 1),
              c24["observed"]) is not None, json.dumps(nft))
else:
    print("SKIP nftables: rules proven in the namespace -- no namespace with nft here")
# 8. honesty: what did not run says why; smtps (TLS from the first
# byte, which the plain-text probes do not speak) is not faked
bad = [x for x in res if x["status"] == "not-probed" and not x["how"].startswith("not probed: ")]
smtps = [x for x in res if x["service"] == "smtps" and not x["setting"].startswith("nftables")]
check("every not-probed result gives its reason; smtps (TLS first) is never a pass",
      not bad and smtps and all(x["status"] == "not-probed" and "TLS" in x["how"]
                                for x in smtps), json.dumps(bad + smtps))
# 9. counts add up and the before/after columns are there
c = (lim.get("ok", -1), lim.get("failed", -1), lim.get("not_probed", -1))
check("counts add up (%d ok, %d failed, %d not probed of %d) and every result has before/after" %
      (c[0], c[1], c[2], lim.get("probes", -1)),
      sum(c) == lim.get("probes") == len(res) == len(mig["limits"]["settings"]) and c[1] == 0 and
      all("value" in x["before"] and x["after"]["value"] is not None for x in res), json.dumps(c))
EOF
while IFS= read -r line; do
	case $line in
	"OK "*) tap_ok "${line#OK }" ;;
	"BAD "*) tap_fail "${line#BAD }" ;;
	"SKIP "*) l=${line#SKIP }; tap_skip "${l% -- *}" "${l#* -- }" ;;
	esac
done <"$H_DIR/check.out"
[ "$(grep -c '^\(OK\|BAD\|SKIP\) ' "$H_DIR/check.out")" = 9 ] ||
    tap_bail "the JSON checks did not run: $(head -5 "$H_DIR/check.out")"

if grep -q '^connection limits (--limits)' "$H_DIR/report.txt" &&
    grep -q '^before/after' "$H_DIR/report.txt" &&
    grep -Eq '^smtpd_client_connection_count_limit +smtp +20 +20: proven' "$H_DIR/report.txt" &&
    grep -q 'shortened copy' "$H_DIR/report.txt"; then
	tap_ok "the text report has the limits section and the before/after table"
else
	tap_fail "the text report has the limits section and the before/after table" \
	    "$(sed -n '/^connection limits/,$p' "$H_DIR/report.txt" | head -30)"
fi

# broken_result DESC RC CHECKOUT ERR: a rehearsal of a broken copy of OUT
# must exit 1 and its check print "RESULT ok"
broken_result() {
	if [ "$2" -eq 1 ] && grep -q '^RESULT ok' "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1 (exit $2)" "$(cat "$3")" "$(tail -5 "$4")"
	fi
}

# ---- the enforcement broken, the expectation kept
cp -a "$H_DIR/OUT" "$H_DIR/OUT2"
sed -i '/^smtpd_client_connection_count_limit *=/d' "$H_DIR/OUT2/postfix/main.cf"
sed -i '/@net1_4 /d' "$H_DIR/OUT2/nftables/qmail2postfix.nft"
"$Q" rehearse "$H_DIR/OUT2" --limits --no-logins --json \
    >"$H_DIR/report2.json" 2>"$H_DIR/rehearse2.err"
rc=$?
python3 - "$H_DIR/report2.json" "$H_DIR/report.json" >"$H_DIR/check2.out" 2>&1 <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
good = json.load(open(sys.argv[2]))["limits"]["results"]
failed = sorted((r["setting"], r["service"]) for r in rep["limits"]["results"]
                if r["status"] == "fail")
want = [("smtpd_client_connection_count_limit", "smtp")]
# the removed rule served ports 25 and 465: its probes fail wherever the
# good file's passed (everywhere a namespace with nft exists, checked above)
want += [(r["setting"], r["service"]) for r in good
         if r["setting"] == "nftables ct count per /24" and r["status"] == "ok"]
print("failed:", failed)
cnt = [r for r in rep["limits"]["results"]
       if r["setting"] == "smtpd_client_connection_count_limit" and r["service"] == "smtp"][0]
print("count probe:", cnt["observed"], "|", cnt["configured"])
e = rep["expected"]
ok = (failed == sorted(want) and ": 220 " in cnt["observed"].split("; connection 21")[1][:8] and
      "expects 20" in cnt["configured"] and e["mismatched"] == 0 and
      e["login_mismatches"] == 0 and rep["limits"]["failed"] == len(want))
print("RESULT", "ok" if ok else "bad")
EOF
broken_result "a limit removed from OUT (migration.json unchanged): exactly its probes fail, exit 1" \
    "$rc" "$H_DIR/check2.out" "$H_DIR/rehearse2.err"

# ---- our nftables file does not load: every probe the good file passed
# now fails with nft's error, none turns into "not probed"
if [ "$ns" = yes ]; then
	cp -a "$H_DIR/OUT" "$H_DIR/OUT3"
	printf 'table inet qmail2postfix_broken {\n\tchain input { not a rule }\n}\n' \
	    >>"$H_DIR/OUT3/nftables/qmail2postfix.nft"
	"$Q" rehearse "$H_DIR/OUT3" --limits --no-logins --json \
	    >"$H_DIR/report3.json" 2>"$H_DIR/rehearse3.err"
	rc=$?
	python3 - "$H_DIR/report.json" "$H_DIR/report3.json" >"$H_DIR/check3.out" 2>&1 <<'EOF'
import json, sys
good = json.load(open(sys.argv[1]))["limits"]["results"]
rep = json.load(open(sys.argv[2]))
res = rep["limits"]["results"]
was_ok = set((r["setting"], r["service"]) for r in good
             if r["setting"].startswith("nftables ") and r["status"] == "ok")
bad = []
for r in res:
    if (r["setting"], r["service"]) not in was_ok:
        continue
    print(r["status"], r["setting"], r["service"], "|", r["observed"])
    if r["status"] != "fail" or not r["observed"].startswith("nft -f failed"):
        bad.append(r["setting"])
ok = was_ok and not bad and rep["limits"]["failed"] == len(was_ok)
print("RESULT", "ok" if ok else "bad")
EOF
	broken_result "an nftables file that does not load: every nftables probe fails, exit 1" \
	    "$rc" "$H_DIR/check3.out" "$H_DIR/rehearse3.err"
else
	tap_skip "an nftables file that does not load: every nftables probe fails, exit 1" "$nsno"
fi

# ---- nothing left behind, the host's nftables untouched
out=$(h_leftovers)
if [ -z "$out" ] && ! ls -d "$H_DIR"/q2p-rehearse.* >/dev/null 2>&1 &&
    [ "$(nft list tables 2>/dev/null)" = "$host_nft_before" ]; then
	tap_ok "no server, namespace child or directory left; the host's nftables unchanged"
else
	tap_fail "no server, namespace child or directory left; the host's nftables unchanged" \
	    "$out" "$(ls -d "$H_DIR"/q2p-rehearse.* 2>&1)" "$(nft list tables 2>&1)"
fi
tap_done
