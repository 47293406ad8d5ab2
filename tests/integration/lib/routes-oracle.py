# routes-oracle.py REPORT.json EXPECTED.tsv: the addresses of a rehearsal
# (qmail2postfix rehearse --json) against the hand-made routing oracle
# samples/oldhost-expected.tsv: prints "compared N oracle rows ..." and a
# "BAD ..." line for each row that did not end as on the old host. The
# rows the migration lists instead of converting (see rehearse-samples.sh)
# must be marked not_converted, naming the listed source file.
import csv, json, sys
rep = json.load(open(sys.argv[1]))
got = {}
for a in rep["addresses"]:
    got.setdefault(a["address"], a)
listed = {
    "announce@example.com": ".qmail-announce:",
    "announce-subscribe@example.com": ".qmail-announce-default:",
    "announce-return-42-customer1=remote.example@example.com":
        ".qmail-announce-return-default:",
    "announce-owner@example.com": ".qmail-announce-owner:",
    "legacy@example.com": ".qmail-legacy:",
    "archive@example.com": ".qmail-archive:",
}
outcome = {"delivered": "delivered", "forwarded": "delivered",
           "piped": "delivered", "deleted": "discarded", "bounced": "bounced"}
def split(v, sep=","):
    if v == "-":
        return []
    return sorted(x.strip().lower() for x in v.split(sep))
def pipes(v):
    # commands are separated by "," before an absolute path
    if v == "-":
        return []
    parts, cur = [], ""
    for i, piece in enumerate(v.split(",/")):
        parts.append(piece if i == 0 else "/" + piece)
    return sorted(p.strip().lower() for p in parts)
bad, n, exc = [], 0, 0
for row in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
    addr = row["address"]
    a = got.get(addr)
    if a is None:
        bad.append("%s: not probed" % addr)
        continue
    n += 1
    if addr in listed:
        exc += 1
        nc = a["expected"].get("not_converted", [])
        if a["status"] != "not_converted" or not any(listed[addr] in s for s in nc):
            bad.append("%s: want not_converted naming %s, got %s %s" %
                       (addr, listed[addr], a["status"], nc))
        continue
    want = (outcome[row["outcome"]], split(row["mailboxes"]),
            split(row["forwards"]), pipes(row["pipes"]))
    have = (a["outcome"], sorted(x.lower() for x in a["mailboxes"]),
            sorted(x.lower() for x in a["forwards"]),
            sorted(x.lower() for x in a["pipes"]))
    for what, w, h in zip(("outcome", "mailboxes", "forwards", "pipes"), want, have):
        if w != h:
            bad.append("%s %s: oracle %s, rehearsal %s (%s)" %
                       (addr, what, w, h, a.get("detail", "")))
print("compared %d oracle rows, %d listed as not converted" % (n, exc))
for b in bad:
    print("BAD " + b)
