#!/usr/bin/env python3
# same-results.py FILE.json SQL.json: per address and per login, the same
# results in two rehearse --json reports (from --userdb file and from
# --userdb sql); prints "compared N addresses, M logins", then a BAD line
# per difference.
import json, sys
def rows(path):
    d = json.load(open(path))
    adr = {a["address"]: (a["status"], a["outcome"], sorted(a["mailboxes"]),
                          sorted(a["forwards"]), sorted(a["pipes"]))
           for a in d["addresses"]}
    log = {m["address"]: tuple(m.get(k) for k in
                               ("imap_login", "pop3_login", "smtp_auth", "smtps_auth"))
           for m in d["mailboxes"]}
    return adr, log
fa, fl = rows(sys.argv[1])
sa, sl = rows(sys.argv[2])
bad = []
for what, f, s in (("address", fa, sa), ("login", fl, sl)):
    for k in sorted(set(f) | set(s)):
        if f.get(k) != s.get(k):
            bad.append("%s %s: file %s, sql %s" % (what, k, f.get(k), s.get(k)))
print("compared %d addresses, %d logins" % (len(fa), len(fl)))
for b in bad:
    print("BAD " + b)
