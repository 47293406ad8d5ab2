# logins-oracle.py REPORT.json LOGINS.tsv KNOWN.tsv: the logins of a
# rehearsal (qmail2postfix rehearse --json) against the hand-made login
# oracle samples/oldhost-logins.tsv: prints "checked N logins ..." and a
# "BAD ..." line for each login that did not behave as on the old host, for
# a hash scheme (DES, MD5-crypt, SHA-512-crypt) with no successful login,
# or when SMTP AUTH on 465 (TLS wrapper mode, column smtp_auth as on 587)
# was not both accepted and refused.
import csv, json, sys
rep = json.load(open(sys.argv[1]))
got = {m["address"].lower(): m for m in rep["mailboxes"]}
known = set()
for line in open(sys.argv[3]):
    if line.strip() and not line.startswith("#"):
        known.add(line.split("\t")[0].lower())
bad, ok_by_scheme, n = [], {}, 0
# SMTP AUTH on 465 (TLS wrapper mode) as on 587: the old host's
# qmail-smtpd behind tcpserver-ssl checked the same vpasswd.  The pop3 and
# imap columns are logins from 127.0.0.1 (vchkpw's webmail address), the
# _remote ones from any other; SMTP AUTH is never webmail, so its column
# holds for both
keys = [("pop3", "pop3_login"), ("imap", "imap_login"),
        ("smtp_auth", "smtp_auth"), ("smtp_auth", "smtps_auth"),
        ("pop3_remote", "pop3_login_remote"),
        ("imap_remote", "imap_login_remote"),
        ("smtp_auth", "smtp_auth_remote")]
smtps = {"ok": 0, "fail": 0}
for row in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
    a = row["address"].lower()
    m = got.get(a)
    if m is None:
        bad.append("%s: not in the rehearsal's mailboxes" % a)
        continue
    for col, key in keys:
        want = row[col]
        have = m[key]
        if row["password_from"] == "none":
            # no password at all (empty vpasswd field): nothing to try
            if have != "skipped":
                bad.append("%s %s: no password, got %s" % (a, key, have))
            continue
        n += 1
        if key == "smtps_auth" and have in smtps:
            smtps[have] += 1
        if want == "ok" and have != "ok":
            bad.append("%s %s: the old host allowed it, got %s" % (a, key, have))
        elif want == "denied" and have != "fail":
            bad.append("%s %s: the old host refused it, got %s" % (a, key, have))
        elif want == "ok":
            ok_by_scheme[row["hash"]] = ok_by_scheme.get(row["hash"], 0) + 1
print("checked %d logins (465: %d accepted, %d refused); ok by scheme: %s" %
      (n, smtps["ok"], smtps["fail"], sorted(ok_by_scheme.items())))
if not smtps["ok"] or not smtps["fail"]:
    bad.append("465: want SMTP AUTH accepted for a user and refused for "
               "a NO_SMTP one, got %s" % smtps)
for s in ("des-crypt", "md5-crypt", "sha512-crypt"):
    if not ok_by_scheme.get(s):
        bad.append("no successful login with a %s hash" % s)
for b in bad:
    print("BAD " + b)
