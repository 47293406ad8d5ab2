#!/bin/bash
#
# NAME		rehearse-concurrent.sh - rehearse one at a time and concurrently
# DOES		generates an old host of sixty mailboxes
#		(tests/bench/migrate-gen.py --passwords: real MD5-crypt,
#		SHA-512-crypt and DES hashes of known passwords, forwards
#		with a kept copy, domain aliases), migrates it, rehearses it
#		with --concurrency 1 --batch 1 (one SMTP session, one
#		message per address, one login at a time) and with
#		--concurrency 8 (probe messages to several addresses, each
#		copy attributed to its address), and requires the same result for
#		every address (outcome, mailboxes, forwards, pipes, status,
#		refusals at RCPT) and every login (each protocol column);
#		every address probed, every login tried and allowed as the
#		old host allowed it; the run's figures (peak RSS, at a time)
#		in the JSON; no progress line when stderr is not a terminal;
#		forwarding addresses, addresses through a program and
#		addresses bounced with a DSN share probe messages too (each
#		forward, program run and DSN block tied to its address, the
#		SRS checks passed); addresses OUT sends elsewhere
#		than the old host did (lines added to OUT's virtual_alias: one
#		plain mailbox's address to the next one's mailbox, another's
#		to a forward target of an address in its probe message)
#		reported exactly as one at a time
# NEVER		compares timings, queue ids or Message-IDs
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init rehearse-concurrent

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
[ -x "$Q" ] || tap_bail "no $Q"
command -v smtp-sink >/dev/null || tap_bail "smtp-sink (package postfix) missing"

start=$(date +%s)
# 2 domains x 30 mailboxes, 20 .qmail files: 60 mailboxes, 10 of them
# forwarding with a copy kept, 10 domain aliases to two users each (with
# 7 login columns, 420 logins: enough to keep 8 workers busy)
python3 "$top_srcdir/tests/bench/migrate-gen.py" --passwords "$H_DIR/passwords" \
    "$H_DIR/oldhost" 2 30 20 || tap_bail "migrate-gen.py --passwords"
# and programs: an address of each domain through one (the rehearsal
# records it, exit 0)
for d in d0000 d0001; do
	printf '|/usr/local/bin/q2p-test-%s --from "$SENDER"\n' "$d" \
	    >"$H_DIR/oldhost/home/vpopmail/domains/$d.example/.qmail-prog"
done
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" -q
rc=$?
[ "$rc" -le 1 ] || tap_bail "qmail2postfix run exited $rc"
# differences inside a batch: mailbox A (no alias, forward or .qmail of
# its own) goes to mailbox B's, which B's own copy of the same message
# reaches too; mailbox C goes to the forward target T of the first
# forwarding mailbox (in the first message with C), which that one's own
# forward reaches too
set -- $(python3 - "$H_DIR/OUT/postfix" <<'EOF'
import sys
d = sys.argv[1]
lines = [l for l in open(d + "/virtual_alias") if l.strip() and l[0] != "#"]
named = " ".join(lines).replace(",", " ").split()
plain = [l.split()[0] for l in open(d + "/virtual_mailbox")
         if l.strip() and l[0] != "#" and l.split()[0] not in named]
fwd = [t for l in lines for t in l.replace(",", " ").split()[1:]
       if t.endswith("@remote.example")]
print(plain[0], plain[1], plain[2], fwd[0])
EOF
)
[ $# -eq 4 ] || tap_bail "no three plain mailboxes and a forward in OUT"
export MOVED=$1 MOVED_TO=$2 MOVED_F=$3 MOVED_F_TO=$4
printf '%s\t%s\n%s\t%s\n' "$MOVED" "$MOVED_TO" "$MOVED_F" "$MOVED_F_TO" \
    >>"$H_DIR/OUT/postfix/virtual_alias"
# bounced with a DSN (an extension of an alias the old host bounced):
# several in one message, each named in the DSN's recipient blocks
bounces="--probe alias000-x@d0000.example --probe alias001-y@d0000.example
    --probe alias000-z@d0001.example"

export TMPDIR=$H_DIR
for c in 1 8; do
	t0=$(date +%s)
	b=50
	[ "$c" -eq 1 ] && b=1
	"$Q" rehearse "$H_DIR/OUT" --json --concurrency "$c" --batch "$b" \
	    --passwords "$H_DIR/passwords" $bounces \
	    >"$H_DIR/report-$c.json" 2>"$H_DIR/rehearse-$c.err"
	rc=$?
	tap_diag "--concurrency $c: exit $rc, $(( $(date +%s) - t0 )) s"
	# the two differences: MOVED, sent to MOVED_TO's mailbox, and
	# MOVED_F, forwarded to MOVED_F_TO, by the lines added above
	# (postmaster@ of the local names, which rcpthosts does not list,
	# are refused with 553 as qmail-smtpd did); every forward with an
	# SRS sender that srs-map reverses to the probe's
	if [ "$rc" -le 1 ] && python3 -c 'import json,os,sys
r = json.load(open(sys.argv[1]))
e = os.environ
m = r["expected"]["mismatches"]
assert sorted(x["address"] for x in m) == sorted([e["MOVED"], e["MOVED_F"]]), m
a = {x["address"]: x for x in r["addresses"]}
assert a[e["MOVED"]]["mailboxes"] == [e["MOVED_TO"]], a[e["MOVED"]]
assert a[e["MOVED_F"]]["mailboxes"] == [], a[e["MOVED_F"]]
assert a[e["MOVED_F"]]["forwards"] == [e["MOVED_F_TO"]], a[e["MOVED_F"]]
f = r["srs"]["forwards"]
assert len(f) >= 10 and all(x["status"] == "ok" for x in f), f' \
	    "$H_DIR/report-$c.json" 2>/dev/null; then
		tap_ok "--concurrency $c: every address and login as on the old host (but $MOVED in $MOVED_TO's mailbox, $MOVED_F forwarded to $MOVED_F_TO)"
	else
		tap_fail "--concurrency $c: every address and login as on the old host (but $MOVED in $MOVED_TO's mailbox, $MOVED_F forwarded to $MOVED_F_TO; exit $rc)" \
		    "$(tail -5 "$H_DIR/rehearse-$c.err")" \
		    "$(python3 -c 'import json,sys
for m in json.load(open(sys.argv[1]))["expected"]["mismatches"][:20]:
    print(m["address"], m["what"], m["why"])' "$H_DIR/report-$c.json" 2>&1)"
	fi
done

# exits 1 with a BAD line for each difference
if python3 - "$H_DIR/report-1.json" "$H_DIR/report-8.json" "$H_DIR/passwords" \
    >"$H_DIR/compare.out" 2>&1 <<'EOF'
import json, sys
one, many = (json.load(open(p)) for p in sys.argv[1:3])
pw = {l.split("\t")[0].lower() for l in open(sys.argv[3]) if "\t" in l}
bad = []

def addr_rows(rep):
    keys = ("outcome", "mailboxes", "forwards", "pipes", "status", "expected")
    rows = {}
    for a in rep["addresses"]:
        row = {k: a.get(k) for k in keys}
        # a refusal at RCPT is the address's own result: its reply counts
        d = a.get("detail", "")
        row["refused"] = d[d.find("refused:"):] if "refused:" in d else None
        # so is a DSN's Diagnostic-Code
        row["dsn"] = d[d.find("DSN:"):] if "DSN:" in d else None
        rows[a["address"]] = row
    return rows

def login_rows(rep):
    return {m["address"]: {k: v for k, v in m.items() if k != "address"}
            for m in rep["mailboxes"]}

a1, a8 = addr_rows(one), addr_rows(many)
l1, l8 = login_rows(one), login_rows(many)
if sorted(a1) != sorted(a8):
    bad.append("different addresses: %s" % sorted(set(a1) ^ set(a8))[:10])
for k in sorted(set(a1) & set(a8)):
    if a1[k] != a8[k]:
        bad.append("%s: one at a time %s, concurrent %s" % (k, a1[k], a8[k]))
if sorted(l1) != sorted(l8):
    bad.append("different mailboxes: %s" % sorted(set(l1) ^ set(l8))[:10])
for k in sorted(set(l1) & set(l8)):
    if l1[k] != l8[k]:
        bad.append("login %s: one at a time %s, concurrent %s" % (k, l1[k], l8[k]))
# every address probed, every login tried, and allowed
outcomes = {}
for a in many["addresses"]:
    outcomes[a["outcome"]] = outcomes.get(a["outcome"], 0) + 1
nlog = 0
for m in many["mailboxes"]:
    if m["address"].lower() not in pw:
        bad.append("%s: no password generated" % m["address"])
        continue
    for k in ("imap_login", "pop3_login", "smtp_auth", "smtps_auth",
              "imap_login_remote", "pop3_login_remote", "smtp_auth_remote"):
        if m.get(k) != "ok":
            bad.append("%s %s: %s" % (m["address"], k, m.get(k)))
        else:
            nlog += 1
if len(many["mailboxes"]) != 60:
    bad.append("%d mailboxes, not 60" % len(many["mailboxes"]))
if many["expected"]["addresses"] != len(many["addresses"]) or \
        len(many["addresses"]) < 80:
    bad.append("%d addresses probed" % len(many["addresses"]))
for o in ("delivered", "bounced"):
    if outcomes.get(o, 0) == 0:
        bad.append("no address %s" % o)
if not any(a["forwards"] for a in many["addresses"]):
    bad.append("no forward reached the sink")
for rep, c in ((one, 1), (many, 8)):
    run = rep.get("run", {})
    if run.get("concurrency") != c or not run.get("peak_rss_kb", 0) > 0:
        bad.append("--concurrency %d: run figures %s" % (c, run))
# one at a time: a message per address; concurrent: most addresses
# expected in a mailbox, forwarded or bounced with a DSN share messages,
# the differences were probed again alone (and so was any other address
# their batches did not show)
if one["run"].get("batched_addresses") != 0:
    bad.append("--batch 1: %s addresses batched" % one["run"].get("batched_addresses"))
mbonly = sum(1 for a in many["addresses"] if a["expected"]["outcome"] == "delivered"
             and a["expected"]["mailboxes"] and not a["expected"]["forwards"]
             and not a["expected"]["pipes"])
nfwd = sum(1 for a in many["addresses"] if a["expected"]["forwards"])
ndsn = sum(1 for a in many["addresses"] if "DSN:" in a.get("detail", ""))
nprog = sum(1 for a in many["addresses"] if a["pipes"] and a["status"] == "match")
if ndsn < 3 or nfwd < 10 or nprog < 2:
    bad.append("%d addresses bounced with a DSN, %d forwarding, %d through a "
               "program" % (ndsn, nfwd, nprog))
if not many["run"].get("batched_addresses", 0) >= \
        mbonly + nfwd // 2 + ndsn // 2 + nprog // 2 or \
        not many["run"].get("probed_again", 0) >= 2:
    bad.append("--concurrency 8: %s batched of %d mailbox-only, %d forwarding, %d "
               "bounced, %d program addresses; %s probed again" %
               (many["run"].get("batched_addresses"), mbonly, nfwd, ndsn, nprog,
                many["run"].get("probed_again")))
print("compared %d addresses (%s), %d mailboxes, %d logins ok" %
      (len(a8), ", ".join("%d %s" % (v, k) for k, v in sorted(outcomes.items())),
       len(l8), nlog))
for b in bad[:40]:
    print("BAD " + b)
sys.exit(1 if bad else 0)
EOF
then
	tap_ok "one at a time and concurrent: the same result for every address and login ($(head -1 "$H_DIR/compare.out"))"
else
	tap_fail "one at a time and concurrent: the same result for every address and login" \
	    "$(head -40 "$H_DIR/compare.out")"
fi

# stderr is a file here: no progress line (no carriage return in it)
if grep -q $'\r' "$H_DIR/rehearse-8.err"; then
	tap_fail "no progress line when stderr is not a terminal" \
	    "$(tr '\r' '\n' <"$H_DIR/rehearse-8.err" | head -5)"
else
	tap_ok "no progress line when stderr is not a terminal"
fi

out=$(h_leftovers)
if [ -z "$out" ] && ! ls -d "$H_DIR"/q2p-rehearse.* >/dev/null 2>&1; then
	tap_ok "rehearse stopped its servers and removed its directory"
else
	tap_fail "rehearse stopped its servers and removed its directory" "$out"
fi
tap_diag "whole test: $(( $(date +%s) - start )) s"
tap_done
