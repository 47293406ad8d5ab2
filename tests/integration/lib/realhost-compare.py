# realhost-compare.py REPORT.json BUILDDIR ROOT [OWNERS]
#
# What `qmail2postfix rehearse OUT --json` saw on the new host against what
# the real qmail and vpopmail did (samples/realhost/BUILD: routes.tsv,
# logins.tsv, pipes.json; README.md there says which program wrote each
# column).  ROOT is the fixed-up copy of BUILD/root that OUT was made from
# (its vpasswd files name the owner of each Maildir).  OWNERS, for a host
# whose users are in vpopmail's MySQL backend: "user@domain TAB pw_dir"
# lines, as the old host's database holds them.
#
# Prints one line per check, tab-separated: "PASS<TAB>what",
# "FAIL<TAB>what<TAB>why", or "NOTE<TAB>what<TAB>why" for a recorded row
# the rehearsal cannot try (another sender or client, a wrong password, a
# login name that is no mailbox); realhost.sh turns them into TAP lines
# and a count of the notes, and sends the other senders' probes itself.
# Two checks per probe of routes.tsv (what the new host did; what rehearse
# itself expected, its "expected": the model must predict what qmail did),
# one per login of logins.tsv and per program run of pipes.json.
#
# The names of the report's fields are all here, at the top.
import csv
import glob
import json
import os
import re
import sys

# --- the report's fields (qmail2postfix rehearse --json) -------------------
ADDRESSES = "addresses"		# one object per probe
A_ADDRESS = "address"
A_OUTCOME = "outcome"		# delivered, bounced, deferred, discarded
A_MAILBOXES = "mailboxes"	# INBOX: the user's address; else the old path
A_FORWARDS = "forwards"
A_DETAIL = "detail"		# "refused: CODE ..." when refused at SMTP time
A_PIPE_RUNS = "pipe_runs"	# per program run, see PIPE_* below
A_EXPECTED = "expected"		# rehearse's own prediction: outcome,
				# mailboxes, forwards, pipes (commands)
PIPE_COMMAND = "command"	# the text after "|"
PIPE_ARGV = "argv"		# what was exec'd: /bin/sh -c COMMAND
PIPE_CWD = "cwd"		# the old host's path
PIPE_ENV = "env"		# the whole environment
PIPE_HEAD = "head"		# Delivered-To/Return-Path/From lines in front
MAILBOXES = "mailboxes"		# one object per mailbox, with its logins
M_ADDRESS = "address"
# vchkpw's view of a login: (TCPLOCALPORT, TCPREMOTEIP) -> the report's key.
# The rehearsal logs in from 127.0.0.1, vchkpw's "webmail" address; the
# logins from any other address are reported under "..._remote".
LOGIN_KEYS = {
    ("110", "127.0.0.1"): "pop3_login",
    ("143", "127.0.0.1"): "imap_login",
    ("25", "127.0.0.1"): "smtp_auth",
    ("110", "127.0.0.2"): "pop3_login_remote",
    ("143", "127.0.0.2"): "imap_login_remote",
    ("25", "127.0.0.2"): "smtp_auth_remote",
}
LOGIN_OK = "ok"
# recorded variables compared elsewhere: PWD as cwd.  PATH is compared:
# the programs get qmail-start's (qmail's rc: /var/qmail/bin in front of
# the boot PATH), as the recorded ones did
ENV_NOT_COMPARED = {"PWD"}
# the recording's probe sender; the rehearsal's probes have their own
REC_SENDER = "probe-sender@sink.test"
REC_CLIENT = "127.0.0.2"	# no relay client on the old host
REH_SENDER = re.compile(r"q2p-rehearse\.b?[0-9.]+@rehearse\.invalid")

OUTCOME = {"delivered": "delivered", "forwarded": "delivered",
           "piped": "delivered", "deleted": "discarded",
           "bounced": "bounced", "refused": "bounced", "deferred": "deferred"}


def owners(root):
    """Maildir path relative to ROOT -> user@domain, from every vpasswd"""
    own = {}
    assign = os.path.join(root, "var/qmail/users/assign")
    for line in open(assign):
        if not line.startswith("+"):
            continue
        f = line.split(":")
        dom, home = f[1], f[4]		# the real domain (not an alias domain)
        vp = os.path.join(root, home.lstrip("/"), "vpasswd")
        if not os.path.exists(vp):
            continue
        for u in open(vp):
            uf = u.rstrip("\n").split(":")
            if len(uf) >= 6:
                own[uf[5].lstrip("/") + "/Maildir/"] = "%s@%s" % (uf[0], dom)
    for line in open(sys.argv[4]) if len(sys.argv) > 4 else []:
        addr, home = line.rstrip("\n").split("\t")
        own[home.lstrip("/") + "/Maildir/"] = addr
    return own


def split(v):
    return [] if v == "-" else v.split(",")


def norm_env(v, sender):
    if sender:
        v = v.replace(sender, REC_SENDER)
    v = re.sub(r"^(From \S+) .*\n$", r"\1 DATE\n", v)
    return v


def route_diffs(row, a, own, pipes_rec, who, codes):
    """what differs between a routes.tsv row and a route of the report (what
    the new host did, or rehearse's expected): outcome, the SMTP code class
    of a refusal (codes: rehearse does not predict codes), mailboxes,
    forwards, programs"""
    bad = []
    want_out = OUTCOME[row["outcome"]]
    if a.get(A_OUTCOME) != want_out:
        bad.append("outcome: qmail %s, %s %s (%s)" %
                   (row["outcome"], who, a.get(A_OUTCOME), a.get(A_DETAIL, "")))
    if row["outcome"] == "refused" and codes:
        m = re.search(r"refused: (\d)", a.get(A_DETAIL, ""))
        if not m or m.group(1) != row["rcpt"][0]:
            bad.append("qmail-smtpd answered %s; %s: %s" %
                       (row["rcpt"], who, a.get(A_DETAIL, "accepted")))
    wmb = sorted(own.get(p, "/" + p) for p in split(row["mailboxes"]))
    hmb = sorted(x if x.startswith("/") else x.lower()
                 for x in a.get(A_MAILBOXES, []))
    if wmb != hmb:
        bad.append("mailboxes: qmail %s, %s %s" % (wmb, who, hmb))
    wfw = sorted(f.split("<")[0].lower() for f in split(row["forwards"]))
    hfw = sorted(x.lower() for x in a.get(A_FORWARDS, []))
    if wfw != hfw:
        bad.append("forwards: qmail %s, %s %s" % (wfw, who, hfw))
    wpi = sorted(" ".join(r["argv"])
                 for r in pipes_rec.get(row["n"], {}).get("runs", []))
    hpi = a.get(A_PIPE_RUNS)
    if hpi is None:
        hcmd = sorted(a.get("pipes", []))
    else:
        hcmd = sorted(r.get(PIPE_COMMAND, "") for r in hpi)
    if wpi != hcmd:
        bad.append("programs: qmail ran %s, %s %s" % (wpi, who, hcmd))
    return bad


def main():
    rep = json.load(open(sys.argv[1]))
    bdir, root = sys.argv[2], sys.argv[3]
    own = owners(root)
    got = {}
    for a in rep.get(ADDRESSES, []):
        got.setdefault(a[A_ADDRESS].lower(), a)
    out = []

    def check(what, bad):
        if bad:
            out.append("FAIL\t%s\t%s" % (what, "; ".join(bad)))
        else:
            out.append("PASS\t%s" % what)

    # --- routes ----------------------------------------------------------
    pipes_rec = json.load(open(os.path.join(bdir, "pipes.json")))
    for row in csv.DictReader(open(os.path.join(bdir, "routes.tsv")), delimiter="\t"):
        what = "route %s %s" % (row["n"], row["address"])
        if row["sender"] != REC_SENDER or row["client"] != REC_CLIENT:
            # other senders: realhost.sh sends them to a private Postfix
            out.append("NOTE\t%s from %s at %s\trehearse sends every probe from its "
                       "own sender at 127.0.0.1" % (what, row["sender"], row["client"]))
            continue
        a = got.get(row["address"].lower())
        if a is None:
            check(what, ["not in the rehearsal's report"])
            continue
        check(what, route_diffs(row, a, own, pipes_rec, "new host", True))
        # rehearse's own prediction (its "expected") against the same row:
        # what rehearse exits 1 on when the model, not the host, is wrong
        check("expected " + what, route_diffs(row, a.get(A_EXPECTED, {}), own,
                                             pipes_rec, "rehearse expected", False))

    # --- program environments ----------------------------------------------
    for n in sorted(pipes_rec):
        p = pipes_rec[n]
        a = got.get(p["address"].lower())
        for run in p["runs"]:
            cmd = " ".join(run["argv"])
            what = "pipe %s %s: %s" % (n, p["address"], cmd)
            if a is None:
                check(what, ["address not in the rehearsal's report"])
                continue
            runs = [r for r in a.get(A_PIPE_RUNS) or [] if r.get(PIPE_COMMAND) == cmd]
            if not runs:
                check(what, ["the rehearsal reports no run of this program (%s)" %
                             ("no %s in the report" % A_PIPE_RUNS
                              if A_PIPE_RUNS not in a else "other programs ran")])
                continue
            h = runs[0]
            bad = []
            if h.get(PIPE_ARGV) != ["/bin/sh", "-c", cmd]:
                bad.append("argv %s" % h.get(PIPE_ARGV))
            if h.get(PIPE_CWD) != run["cwd"]:
                bad.append("cwd: qmail %s, new host %s" % (run["cwd"], h.get(PIPE_CWD)))
            henv = h.get(PIPE_ENV, {})
            sender = henv.get("SENDER", "")
            sender = sender if REH_SENDER.fullmatch(sender) else ""
            for k in sorted(set(run["env"]) | set(henv)):
                if k in ENV_NOT_COMPARED:
                    continue
                w = run["env"].get(k)
                v = henv.get(k)
                if v is not None:
                    v = norm_env(v, sender)
                if w != v:
                    bad.append("%s: qmail %s, new host %s" % (k, json.dumps(w), json.dumps(v)))
            whead = []
            for l in run["head"]:
                if not re.match(r"(Delivered-To:|Return-Path:|From )", l):
                    break
                whead.append(l)
            if h.get(PIPE_HEAD) != whead:
                bad.append("lines in front: qmail %s, new host %s" % (whead, h.get(PIPE_HEAD)))
            check(what, bad)

    # --- logins ------------------------------------------------------------
    mbs = {m[M_ADDRESS].lower(): m for m in rep.get(MAILBOXES, [])}
    users = {l.split("\t")[0] for l in open(os.path.join(bdir, "passwords.tsv"))}
    for row in csv.DictReader(open(os.path.join(bdir, "logins.tsv")), delimiter="\t"):
        what = "login %s (%s password) port %s from %s" % (
            row["login"], row["password"], row["port"], row["client"])
        key = LOGIN_KEYS[(row["port"], row["client"])]
        if row["password"] != "right" or row["login"] not in users:
            out.append("NOTE\t%s\trehearse logs in as each mailbox with its own password"
                       % what)
            continue
        m = mbs.get(row["login"])
        if m is None:
            check(what, ["no such mailbox in the rehearsal's report"])
            continue
        have = m.get(key)
        if have is None:
            check(what, ["the report has no %s" % key])
        elif (have == LOGIN_OK) != (row["result"] == "ok"):
            check(what, ["vchkpw: %s (exit %s), new host: %s" %
                         (row["result"], row["vchkpw_exit"], have)])
        else:
            check(what, [])
    print("\n".join(out))


main()
