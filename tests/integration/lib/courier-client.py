#!/usr/bin/env python3
"""IMAP and POP3 client for the courier-imap sample (samples/courierhost).

  courier-client.py state1 PORT      make the first state through courier
  courier-client.py state2 PORT      the old side's changes before a second sync
  courier-client.py deliver ROOT N   drop qmail deliveries into new/ (N = 1 or 2)
  courier-client.py dump PORT        what IMAP clients see, as JSON on stdout
  courier-client.py pop3 PORT        POP3 UIDL and LIST of each user (USER/PASS)
  courier-client.py qmail-pop3d PROG ROOT
                                     the same from qmail-pop3d PROG run in
                                     each user's Maildir (as vchkpw runs it)
  courier-client.py compare RECORDING IMAP POP3 OLD [EXTRA]
                                     a dump against a recording: one line
                                     "ok|not ok<TAB>what<TAB>detail" per property
  courier-client.py manifest ROOT    what git cannot keep (empty dirs, mtimes)
  courier-client.py fixup ROOT MANIFEST.fixup
                                     apply it to a checked-out copy

Users and passwords are USERS below (the cleartext is also in vpasswd's
field 8, as vpopmail's --enable-clear-passwd writes it). Only the python3
standard library is used.
"""

import imaplib
import base64
import calendar
import importlib.util
import json
import os
import poplib
import re
import subprocess
import sys
import time

USERS = [
    ("alice@example.com", "Tea4Two-alice"),
    ("bob@example.com", "Bob-Secret-42"),
    ("carol@example.com", "carol123"),
]
DOMAIN_DIR = "home/vpopmail/domains/example.com"
# every time stamp of the sample: 2026-11-10 .. 2026-11-20 UTC
T0 = 1794355200  # 2026-11-10 00:00:00 UTC
FIXED_MTIME = calendar.timegm((2026, 11, 18, 23, 59, 59))  # as samples/oldhost
MAKE_OLDHOST = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "../../../samples/tools/make-oldhost.py")


def msg(n, subject, sender="carol@example.net", to="alice@example.com", body=None, date=None):
    """A small RFC 5322 message with LF line ends and a stable Message-ID."""
    d = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(date or T0 + n * 3600))
    body = body or "Message %d of the courier sample.\n" % n
    return ("Return-Path: <%s>\nMessage-ID: <courier-%d@sample.example>\nDate: %s\n"
            "From: %s\nTo: %s\nSubject: %s\n\n%s" % (sender, n, d, sender, to, subject, body))


def idate(n):
    return imaplib.Time2Internaldate(T0 + n * 3600)


def login(port, user):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    m.login(user, dict(USERS)[user])
    return m


def ok(r):
    typ, data = r
    if typ != "OK":
        raise SystemExit("IMAP: %s %r" % (typ, data))
    return data


def append(m, box, n, flags, subject, **kw):
    ok(m.append(box, flags, idate(n), msg(n, subject, **kw).encode().replace(b"\n", b"\r\n")))


def state1(port):
    m = login(port, "alice@example.com")
    for f in ("INBOX.Sent", "INBOX.Drafts", "INBOX.Archive", "INBOX.Archive.2025",
              "INBOX.Projects", "INBOX.Projects.Alpha", "INBOX.Junk", "INBOX.Old",
              "INBOX.B&APw-ro"):
        ok(m.create(f))
    # INBOX: flags, keywords ($Label1, NonJunk, a case-folded pair), gaps
    append(m, "INBOX", 1, r"(\Seen)", "plain seen")
    append(m, "INBOX", 2, r"(\Seen \Answered $Label1)", "answered, label 1")
    append(m, "INBOX", 3, r"(NonJunk)", "unseen, NonJunk")
    append(m, "INBOX", 4, r"(\Seen)", "to be expunged")
    append(m, "INBOX", 5, r"(\Flagged Work)", "flagged, keyword Work")
    append(m, "INBOX", 6, r"(\Seen)", "to be expunged too")
    append(m, "INBOX", 7, r"(\Seen $Label1 NonJunk)", "two keywords")
    append(m, "INBOX", 8, r"()", "deleted but never expunged")
    append(m, "INBOX", 9, r"(\Seen \Draft)", "a draft in INBOX")
    ok(m.select("INBOX"))
    ok(m.uid("STORE", "4,6", "+FLAGS", r"(\Deleted)"))
    ok(m.expunge())
    # the lower-case spelling of an existing keyword (courier folds it)
    ok(m.uid("STORE", "9", "+FLAGS", "(work)"))
    ok(m.uid("STORE", "1", "+FLAGS", r"(\Flagged $Label2)"))
    ok(m.uid("STORE", "3", "-FLAGS", r"(\Seen)"))
    ok(m.uid("STORE", "8", "+FLAGS", r"(\Deleted)"))
    ok(m.uid("COPY", "2", "INBOX.Archive"))
    append(m, "INBOX.Sent", 10, r"(\Seen)", "sent 1", sender="alice@example.com", to="bob@example.com")
    append(m, "INBOX.Sent", 11, r"(\Seen)", "sent 2", sender="alice@example.com", to="bob@example.com")
    append(m, "INBOX.Sent", 12, r"(\Seen)", "sent 3 (expunged)", sender="alice@example.com")
    ok(m.select("INBOX.Sent"))
    ok(m.uid("STORE", "3", "+FLAGS", r"(\Deleted)"))
    ok(m.expunge())
    append(m, "INBOX.Sent", 13, r"(\Seen $Forwarded)", "sent 4", sender="alice@example.com")
    append(m, "INBOX.Drafts", 14, r"(\Draft)", "unfinished", sender="alice@example.com")
    append(m, "INBOX.Archive.2025", 15, r"(\Seen)", "archived 2025")
    append(m, "INBOX.Projects", 16, r"(\Seen)", "project parent")
    append(m, "INBOX.Projects.Alpha", 17, r"(\Seen $Label3)", "alpha 1")
    append(m, "INBOX.Projects.Alpha", 18, r"()", "alpha 2")
    append(m, "INBOX.Junk", 19, r"(Junk)", "spam", sender="spam@junk.example")
    append(m, "INBOX.Old", 20, r"(\Seen)", "old folder")
    append(m, "INBOX.B&APw-ro", 21, r"(\Seen)", "Büro mail", body="Grüße aus dem Büro.\n")
    for f in ("INBOX.Sent", "INBOX.Archive", "INBOX.Projects", "INBOX.Projects.Alpha",
              "INBOX.Old", "INBOX.B&APw-ro", "INBOX.Junk"):
        ok(m.subscribe(f))
    ok(m.unsubscribe("INBOX.Junk"))
    ok(m.select("INBOX.Drafts"))
    # RENAME with a child: both get new UIDVALIDITYs and UIDs from 1
    ok(m.rename("INBOX.Projects", "INBOX.Clients"))
    ok(m.delete("INBOX.Old"))
    ok(m.create("INBOX.Clients.Beta"))
    append(m, "INBOX.Clients.Beta", 22, r"(\Seen)", "beta 1")
    ok(m.subscribe("INBOX.Clients.Beta"))
    m.logout()

    m = login(port, "bob@example.com")
    ok(m.create("INBOX.Lists"))
    append(m, "INBOX", 30, r"(\Seen)", "bob 1", to="bob@example.com")
    append(m, "INBOX", 31, r"(\Seen \Flagged)", "bob 2", to="bob@example.com")
    append(m, "INBOX", 32, r"()", "bob 3", to="bob@example.com")
    append(m, "INBOX.Lists", 33, r"(\Seen NonJunk)", "list mail", to="bob@example.com")
    ok(m.select("INBOX"))
    ok(m.uid("STORE", "1", "+FLAGS", r"(\Deleted)"))
    ok(m.expunge())
    m.logout()
    # carol never logs in over IMAP: qmail deliveries only (no courier files)


def state2(port):
    m = login(port, "alice@example.com")
    ok(m.select("INBOX"))   # courier numbers what waited in new/
    ok(m.uid("STORE", "3", "+FLAGS", r"(\Seen)"))
    ok(m.uid("STORE", "5", "-FLAGS", r"(\Flagged Work)"))
    ok(m.uid("STORE", "7", "+FLAGS", r"($Label4)"))
    ok(m.uid("STORE", "10", "+FLAGS", r"(\Seen NonJunk)"))
    ok(m.select("INBOX.Sent"))
    ok(m.uid("STORE", "1", "+FLAGS", r"($Label1)"))
    m.logout()


# what qmail's vdelivermail would have written: time.pid.host,S=LF-size;
# (user, message number, hour of delivery, pid). Two of alice's share a
# second: courier numbers pid 10001 before 9999 (byte order of the name),
# qmail-pop3d lists 9999 first (older mtime).
DELIVERIES = {
    1: [("alice", 40, 40, 9999), ("alice", 41, 40, 10001), ("alice", 42, 41, 4242),
        ("bob", 43, 42, 5150), ("carol", 44, 43, 777), ("carol", 45, 44, 778)],
    2: [("alice", 50, 50, 31337), ("bob", 51, 51, 6001), ("carol", 52, 52, 779)],
}


def deliver(root, which):
    for user, n, hour, pid in DELIVERIES[int(which)]:
        t = T0 + hour * 3600
        data = (("Delivered-To: %s@example.com\n" % user) +
                msg(n, "qmail delivery %d" % n, to="%s@example.com" % user)).encode()
        name = "%d.%d.mail.example.com,S=%d" % (t, pid, len(data))
        new = os.path.join(root, DOMAIN_DIR, user, "Maildir", "new")
        os.makedirs(new, exist_ok=True)
        p = os.path.join(new, name)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (t + pid % 60, t + pid % 60))


# ----------------------------------------------------------------- dump

FETCH_RE = re.compile(rb"UID (\d+)|FLAGS \(([^)]*)\)|RFC822\.SIZE (\d+)|INTERNALDATE \"([^\"]*)\"")


def parse_fetch(data):
    out = []
    for item in data:
        if item is None or item == b")":
            continue
        head, lit = (item[0], item[1]) if isinstance(item, tuple) else (item, b"")
        rec = {}
        for mo in FETCH_RE.finditer(head):
            if mo.group(1):
                rec["uid"] = int(mo.group(1))
            elif mo.group(2) is not None:
                # \Recent belongs to the session, not to the message
                rec["flags"] = sorted(f for f in mo.group(2).decode().split()
                                      if f.lower() != "\\recent")
            elif mo.group(3):
                rec["size"] = int(mo.group(3))
            elif mo.group(4):
                rec["internaldate"] = mo.group(4).decode()
        mid = re.search(rb"(?im)^message-id:\s*(\S+)", lit)
        rec["message_id"] = mid.group(1).decode() if mid else None
        if "uid" in rec:
            out.append(rec)
    return sorted(out, key=lambda r: r["uid"])


def parse_list(data):
    out = []
    for line in data:
        if line is None:
            continue
        if isinstance(line, tuple):
            line = line[0] + b'"' + line[1] + b'"'
        mo = re.match(rb'\(([^)]*)\) (NIL|"[^"]*") (.*)$', line)
        name = mo.group(3)
        if name.startswith(b'"'):
            name = name[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
        out.append({"attributes": sorted(a.decode() for a in mo.group(1).split()),
                    "delimiter": mo.group(2).decode().strip('"'),
                    "name": name.decode()})
    return sorted(out, key=lambda r: r["name"])


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def status(m, name):
    data = ok(m.status(quote(name), "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"))
    mo = re.search(rb"\(([^)]*)\)\s*$", data[0])
    f = mo.group(1).split()
    return {f[i].decode().lower(): int(f[i + 1]) for i in range(0, len(f), 2)}


def dump_user(port, user):
    m = login(port, user)
    u = {}
    typ, data = m._simple_command("NAMESPACE")
    u["namespace"] = m._untagged_response(typ, data, "NAMESPACE")[1][0].decode()
    u["list"] = parse_list(ok(m.list('""', "*")))
    u["lsub"] = parse_list(ok(m.lsub('""', "*")))
    folders = {}
    boxes = [b["name"] for b in u["list"] if "\\Noselect" not in b["attributes"]
             and "\\NonExistent" not in b["attributes"]]
    for name in boxes:
        folders[name] = {"status_before_select": status(m, name)}
    for name in boxes:
        ok(m.select(quote(name)))
        f = folders[name]
        f["uidvalidity"] = int(m.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        # courier sends no UIDNEXT code on SELECT: status_after_select has it
        if "UIDNEXT" in m.untagged_responses:
            f["uidnext"] = int(m.untagged_responses["UIDNEXT"][-1])
        f["exists"] = int(m.untagged_responses.get("EXISTS", [b"0"])[-1])
        typ, data = m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE "
                          "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        f["messages"] = parse_fetch(data) if f["exists"] else []
    m.logout()
    m = login(port, user)
    for name in boxes:
        folders[name]["status_after_select"] = status(m, name)
    m.logout()
    u["folders"] = folders
    return u


def dump(port):
    return {user: dump_user(port, user) for user, _ in USERS}


# ----------------------------------------------------------------- POP3

def pop3(port):
    out = {}
    for user, pw in USERS:
        p = poplib.POP3("127.0.0.1", port, timeout=20)
        p.user(user)
        p.pass_(pw)
        out[user] = {
            "uidl": [l.decode().split(" ", 1) for l in p.uidl()[1]],
            "list": [[int(x) for x in l.split()] for l in p.list()[1]],
        }
        p.quit()
    return canon_pop3(out)


def canon_pop3(out):
    for u in out.values():
        u["uidl"] = [[int(n), s] for n, s in u["uidl"]]
        u["list"] = [[int(n), int(s)] for n, s in u["list"]]
    return out


def qmail_pop3d(prog, root):
    """qmail-pop3d as vchkpw starts it: cwd = home, argument Maildir, as
    vpopmail (89:89); it refuses to run as root."""
    out = {}
    for user, _ in USERS:
        home = os.path.join(root, DOMAIN_DIR, user.split("@")[0])
        r = subprocess.run([prog, "Maildir"], cwd=home, input=b"UIDL\r\nLIST\r\n",
                           capture_output=True, timeout=20,
                           preexec_fn=lambda: (os.setgroups([]), os.setgid(89), os.setuid(89)))
        text = r.stdout.decode()
        blocks = text.split("\r\n.\r\n")
        lines = lambda b: [l.split(" ") for l in b.split("\r\n")[1:] if l]
        first = blocks[0].split("+OK \r\n", 1)[1]
        out[user] = {"uidl": lines(first), "list": lines(blocks[1])}
    return canon_pop3(out)


# ----------------------------------------------------------------- compare

def mutf7_decode(name):
    """IMAP modified UTF-7 (RFC 3501 5.1.3) to str."""
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c != "&":
            out.append(c)
            i += 1
            continue
        j = name.index("-", i)
        if j == i + 1:
            out.append("&")
        else:
            b = name[i + 1:j].replace(",", "/")
            out.append(base64.b64decode(b + "=" * (-len(b) % 4)).decode("utf-16-be"))
        i = j + 1
    return "".join(out)


def folder_dir(old, user, name):
    """The old tree's directory of folder NAME (courier 5: UTF-8 on disk)."""
    md = os.path.join(old, DOMAIN_DIR, user.split("@")[0], "Maildir")
    return md if name == "INBOX" else os.path.join(md, "." + mutf7_decode(name[len("INBOX."):]))


LIST_ATTRS = ("\\noselect", "\\haschildren", "\\hasnochildren")


def compare(rec, got, old, extra_flags):
    """One (ok, description, detail) per folder and message property.

    rec, got: what dump() and pop3()/qmail_pop3d() return ({"imap", "pop3"});
    old: the old tree (which folders courier kept a UIDVALIDITY for);
    extra_flags: {"user folder uid": [flags]} set on the new side since."""
    res = []

    def check(desc, want, have):
        res.append((want == have, desc, "" if want == have else
                    "want %s; have %s" % (json.dumps(want), json.dumps(have))))

    for user in sorted(rec["imap"]):
        r, g = rec["imap"][user], got["imap"].get(user, {})
        personal = lambda ns: ns.split(")) ", 1)[0] + "))" if ns else None
        check("%s: NAMESPACE personal %s" % (user, personal(r["namespace"])),
              personal(r["namespace"]), personal(g.get("namespace")))
        sel = lambda l, attrs: [(b["name"], b["delimiter"],
                                 sorted(a for a in b["attributes"] if a.lower() in attrs))
                                for b in l]
        check("%s: LIST names, delimiter, \\Noselect" % user,
              sel(r["list"], ("\\noselect",)), sel(g.get("list", []), ("\\noselect",)))
        # Dovecot shows INBOX \HasChildren under the "INBOX." prefix even
        # when the user has no folder (the prefix itself is INBOX's child);
        # for such a user, INBOX's children attribute is not compared
        only_inbox = [b["name"] for b in r["list"]] == ["INBOX"]
        kids = lambda l: [x for x in sel(l, LIST_ATTRS)
                          if not (only_inbox and x[0] == "INBOX")]
        check("%s: LIST \\HasChildren / \\HasNoChildren%s" % (
              user, " (INBOX aside: no folder)" if only_inbox else ""),
              kids(r["list"]), kids(g.get("list", [])))
        # courier lists unsubscribed parents of subscribed folders as
        # \Noselect in LSUB "*" (even INBOX); Dovecot lists subscriptions only
        subs = lambda l: sorted(b["name"] for b in l if "\\Noselect" not in b["attributes"])
        check("%s: LSUB the subscribed names (courier's \\Noselect parents aside)" % user,
              subs(r["lsub"]), subs(g.get("lsub", [])))
        for name in sorted(r["folders"]):
            rf, gf = r["folders"][name], g.get("folders", {}).get(name, {})
            p = "%s %s" % (user, name)
            kept = os.path.exists(os.path.join(folder_dir(old, user, name), "courierimapuiddb"))
            for when in ("status_before_select", "status_after_select"):
                want = dict(rf[when])
                have = dict(gf.get(when, {}))
                if not kept:
                    want.pop("uidvalidity", None)
                    have.pop("uidvalidity", None)
                check("%s: STATUS %s %s" % (p, when.replace("_", " ").replace("status ", ""),
                                            " ".join(sorted(want))), want, have)
            if kept:
                check("%s: UIDVALIDITY at SELECT" % p, rf["uidvalidity"], gf.get("uidvalidity"))
            check("%s: EXISTS" % p, rf["exists"], gf.get("exists"))
            gm = {m["uid"]: m for m in gf.get("messages", [])}
            check("%s: UIDs" % p, [m["uid"] for m in rf["messages"]], sorted(gm))
            for m in rf["messages"]:
                h = gm.get(m["uid"], {})
                q = "%s UID %d" % (p, m["uid"])
                flags = sorted(set(m["flags"]) | set(extra_flags.get("%s %d" % (p, m["uid"]), [])))
                check("%s: FLAGS" % q, flags, h.get("flags"))
                for k in ("message_id", "size", "internaldate"):
                    check("%s: %s" % (q, k.replace("_", "-")), m[k], h.get(k))
    for user in sorted(rec["pop3"]):
        r, g = rec["pop3"][user], got["pop3"].get(user, {})
        check("%s: POP3 UIDLs as qmail-pop3d's" % user,
              sorted(u for _, u in r["uidl"]), sorted(u for _, u in g.get("uidl", [])))
        # qmail-pop3d numbers messages by mtime, not in UID order
        check("%s: POP3 message numbers as qmail-pop3d's" % user, r["uidl"], g.get("uidl"))
        check("%s: POP3 message count as qmail-pop3d's" % user,
              len(r["list"]), len(g.get("list", [])))
    return res


# ----------------------------------------------------------------- git

def manifest(root):
    lines = ["# courierhost: what git cannot keep; applied by "
             "tests/integration/lib/courier-client.py fixup ROOT MANIFEST\n"]
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        rel = os.path.relpath(dirpath, root)
        if not dirnames and not filenames:
            lines.append("dir\t%s\n" % rel)
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if os.path.basename(dirpath) in ("cur", "new") and int(st.st_mtime) != FIXED_MTIME:
                lines.append("mtime\t%d\t%s\n" % (int(st.st_mtime), os.path.join(rel, n)))
            if st.st_mode & 0o7777 not in (0o644, 0o755):
                lines.append("mode\t%04o\t%s\n" % (st.st_mode & 0o7777, os.path.join(rel, n)))
    return "".join(lines)


def fixup(root, man):
    """samples/tools/make-oldhost.py's completion step (dirs, modes, every
    mtime 2026-11-18 23:59:59), then the message mtimes of MAN."""
    spec = importlib.util.spec_from_file_location("make_oldhost", MAKE_OLDHOST)
    mo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mo)
    man = os.path.abspath(man)
    assert man.endswith(".fixup"), man
    mo.fixup(root, man[:-len(".fixup")])
    with open(man) as f:
        for l in f:
            e = l.rstrip("\n").split("\t")
            if e[0] == "mtime":
                os.utime(os.path.join(root, e[2]), (int(e[1]), int(e[1])))


def main():
    a = sys.argv[1:]
    if a[:1] == ["state1"]:
        state1(int(a[1]))
    elif a[:1] == ["state2"]:
        state2(int(a[1]))
    elif a[:1] == ["deliver"]:
        deliver(a[1], a[2])
    elif a[:1] == ["dump"]:
        json.dump(dump(int(a[1])), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    elif a[:1] == ["pop3"]:
        json.dump(pop3(int(a[1])), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    elif a[:1] == ["qmail-pop3d"]:
        json.dump(qmail_pop3d(a[1], a[2]), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    elif a[:1] == ["compare"]:
        # compare RECORDING IMAP.json POP3.json OLD [EXTRA.json]
        rec = json.load(open(a[1]))
        got = {"imap": json.load(open(a[2])), "pop3": json.load(open(a[3]))}
        extra = json.load(open(a[5])) if len(a) > 5 else {}
        for good, desc, detail in compare(rec, got, a[4], extra):
            print("%s\t%s\t%s" % ("ok" if good else "not ok", desc, detail))
    elif a[:1] == ["manifest"]:
        sys.stdout.write(manifest(a[1]))
    elif a[:1] == ["fixup"]:
        fixup(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
