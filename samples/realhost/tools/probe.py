#!/usr/bin/python3
# probe.py OUTDIR [PROBES...] - deliver a probe to every address of
# probes.tsv (then of each further PROBES file, same columns) through
# the real qmail-smtpd (under tcpserver, with /etc/tcp.smtp.cdb) and
# qmail-send, catch remote mail on loopback sinks (control/smtproutes),
# check every login with the real vchkpw, and write the recordings:
#   OUTDIR/routes.tsv   one row per probe: where it went
#   OUTDIR/pipes.json   per probe, every program run: argv, environment,
#                       working directory, user and group, the header it read
#   OUTDIR/logins.tsv   one row per login check: vchkpw's exit code
# Runs inside the build root (see record.sh) as root, in a private network
# namespace (127.0.0.1, 127.0.0.2 and the 192.0.2.x of record.sh on its
# own loopback), after populate.sh.  Python 3 standard library only.
import glob
import json
import os
import pwd
import grp
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1]
Q = "/var/qmail"
V = "/home/vpopmail"
SENDER = "probe-sender@sink.test"
CLIENT = "127.0.0.2"
SINKS = ("192.0.2.25", "192.0.2.30")	# control/smtproutes
ENV = {"PATH": "/var/qmail/bin:/usr/local/bin:/usr/bin:/bin"}
DATE = "Thu, 03 Dec 2026 12:00:00 +0000"

# ---------------------------------------------------------------------------
# the sinks: every message qmail-remote hands over, with its envelope

sink_lock = threading.Lock()
sunk = []


class Sink(socketserver.StreamRequestHandler):
    def reply(self, s):
        self.wfile.write(s.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        host = self.server.server_address[0]
        self.reply("220 sink.test ESMTP")
        mail, rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("HELO", "EHLO"):
                self.reply("250 sink.test")
            elif verb == "MAIL":
                mail = re.search(r"<(.*)>", cmd).group(1)
                rcpts = []
                self.reply("250 ok")
            elif verb == "RCPT":
                rcpts.append(re.search(r"<(.*)>", cmd).group(1))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go")
                data = []
                while True:
                    l = self.rfile.readline()
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l.decode("latin-1").rstrip("\r\n"))
                with sink_lock:
                    sunk.append({"host": host, "mail_from": mail,
                                 "rcpts": rcpts, "data": data})
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def start_sink(host):
    s = Server((host, 25), Sink)
    threading.Thread(target=s.serve_forever, daemon=True).start()


def wait_port(host, port):
    for _ in range(100):
        try:
            socket.create_connection((host, port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("probe.py: nothing listens on %s:%d" % (host, port))


# ---------------------------------------------------------------------------
# the probes

def read_probes():
    rows = []
    for fn in [os.path.join(HERE, "probes.tsv")] + sys.argv[2:]:
        with open(fn) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                addr, client, sender = line.rstrip("\n").split("\t")
                rows.append({"n": "%03d" % (len(rows) + 1), "address": addr,
                             "client": CLIENT if client == "-" else client,
                             "sender": SENDER if sender == "-" else sender})
    return rows


def smtp(p):
    s = socket.socket()
    s.bind((p["client"], 0))
    s.connect(("127.0.0.1", 25))
    f = s.makefile("rwb")

    def rd():
        while True:
            l = f.readline().decode("latin-1").rstrip("\r\n")
            if len(l) < 4 or l[3] != "-":
                return l

    def cmd(c):
        f.write(c.encode() + b"\r\n")
        f.flush()
        return rd()
    rd()
    cmd("HELO probe.test")
    p["mail"] = cmd("MAIL FROM:<%s>" % p["sender"])
    p["rcpt"] = "-"
    if p["mail"].startswith("2"):
        p["rcpt"] = cmd("RCPT TO:<%s>" % p["address"])
    if p["rcpt"].startswith("2"):
        r = cmd("DATA")
        assert r.startswith("354"), r
        msg = ["From: <%s>" % p["sender"], "To: <%s>" % p["address"],
               "Subject: probe %s" % p["n"], "Date: " + DATE,
               "Message-ID: <probe-%s@sink.test>" % p["n"],
               "X-Probe: %s" % p["n"], "", "probe %s for %s" % (p["n"], p["address"])]
        f.write(("\r\n".join(msg) + "\r\n.\r\n").encode())
        f.flush()
        p["data"] = rd()
    cmd("QUIT")
    s.close()


def qstat():
    out = subprocess.run([Q + "/bin/qmail-qstat"], capture_output=True,
                         text=True).stdout
    return [int(x) for x in re.findall(r": (\d+)", out)]


def wait_queue(log):
    """until the queue is empty, or nothing happened for 10 s (a deferred
    message waits for its next retry)"""
    last, quiet = None, 0
    for _ in range(600):
        st = (qstat(), os.path.getsize(log), len(sunk))
        if st[0] == [0, 0]:
            return
        if st == last:
            quiet += 1
            if quiet >= 20:
                return
        else:
            quiet = 0
        last = st
        time.sleep(0.5)


# ---------------------------------------------------------------------------
# what happened: Maildirs, pipes, sinks, queue

def probe_of(lines):
    for l in lines:
        m = re.match(r"X-Probe: (\d+)$", l)
        if m:
            return m.group(1)
    return None


def header(path):
    with open(path, "rb") as f:
        lines = []
        for raw in f:
            l = raw.decode("latin-1").rstrip("\n")
            if l == "":
                break
            lines.append(l)
    return lines


def maildirs():
    got = {}
    for top in (V + "/domains", Q + "/alias"):
        for d, dirs, files in os.walk(top):
            if os.path.basename(d) not in ("new", "cur"):
                continue
            box = os.path.dirname(d)
            if not os.path.isdir(os.path.join(box, "tmp")):
                continue
            for fn in files:
                n = probe_of(header(os.path.join(d, fn)))
                if n:
                    got.setdefault(n, set()).add(box.lstrip("/") + "/")
    return got


def norm(s):
    """the parts of a header line or variable that change with every run:
    qmail-smtpd's pid and the dates qmail writes"""
    s = re.sub(r"\(qmail \d+ invoked", "(qmail PID invoked", s)
    s = re.sub(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0000", "DATE", s)
    s = re.sub(r"[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}", "DATE", s)
    return s


def pipes():
    got = {}
    for fn in sorted(glob.glob("/var/tmp/pipes/*.head")):
        base = fn[:-len(".head")]
        with open(fn, encoding="latin-1") as f:
            head = [l.rstrip("\n") for l in f if l.strip()]
        n = probe_of(head)
        if n is None:
            continue
        rd = lambda ext: open(base + ext, encoding="latin-1").read()
        argv = rd(".argv").split("\0")[:-1]
        env = dict(e.split("=", 1) for e in rd(".env").split("\0")[:-1])
        who = rd(".id").split("\n")
        r = {"argv": argv, "env": {k: norm(v) for k, v in env.items()},
             "cwd": rd(".cwd").rstrip("\n"), "user": who[0], "group": who[1],
             "head": [norm(l) for l in head],
             "exit": int(argv[2]) if len(argv) > 2 else 0}
        got.setdefault(n, {})
        # a deferred program runs again at every retry: keep one run
        got[n].setdefault(argv[1], r)
    return {n: [v[k] for k in sorted(v)] for n, v in got.items()}


def sinks():
    fw, bo = {}, {}
    for m in sunk:
        if m["mail_from"] == "":
            n = probe_of(m["data"])
            # qmail-send's bounce: "<addr>:" then the reason, per recipient
            text = m["data"][m["data"].index("") + 1:] if "" in m["data"] else []
            reasons = []
            for i, l in enumerate(text):
                if l.startswith("--- Below this line"):
                    break
                mm = re.match(r"<(.+)>:$", l)
                if mm:
                    why = text[i + 1] if i + 1 < len(text) else ""
                    reasons.append("%s: %s" % (mm.group(1), why))
            bo.setdefault(n, []).extend(reasons)
        else:
            hdr = m["data"][:m["data"].index("")] if "" in m["data"] else m["data"]
            n = probe_of(hdr)
            for r in m["rcpts"]:
                fw.setdefault(n, set()).add("%s<%s>:%s" % (r, m["mail_from"], m["host"]))
    return fw, bo


def queued():
    got = set()
    for fn in glob.glob(Q + "/queue/mess/*/*"):
        n = probe_of(header(fn))
        if n:
            got.add(n)
    return got


# ---------------------------------------------------------------------------
# logins with the real vchkpw

def vchkpw(login, password, port, ip):
    r, w = os.pipe()
    os.write(w, login.encode() + b"\0" + password.encode() + b"\0\0")
    os.close(w)
    env = dict(ENV, TCPLOCALPORT=str(port), TCPREMOTEIP=ip, TCPLOCALIP="127.0.0.1")
    # vchkpw reads "login\0password\0" from descriptor 3
    p = subprocess.run(["/bin/sh", "-c", 'exec "$0" /bin/true 3<&0 </dev/null',
                        V + "/bin/vchkpw"], env=env, stdin=r,
                       capture_output=True, timeout=60)
    os.close(r)
    return p.returncode


def logins():
    rows = []
    checks = []
    with open("/root/passwords.tsv") as f:
        for line in f:
            a, pw = line.rstrip("\n").split("\t")
            checks.append((a, pw, "right"))
    checks += [("alice@example.com", "Wrong-Pass", "wrong"),
               ("ALICE@EXAMPLE.COM", "Alice-Pass-1", "right"),
               ("dave@example.com", "Dave2pwXtra", "right-first-8"),
               ("alice@example.org", "Alice-Pass-1", "right"),
               ("nosuchuser@example.com", "Alice-Pass-1", "wrong")]
    for a, pw, kind in checks:
        for port in (110, 143, 25):
            for ip in ("127.0.0.1", "127.0.0.2"):
                rc = vchkpw(a, pw, port, ip)
                rows.append([a, kind, str(port), ip, str(rc),
                             "ok" if rc == 0 else "refused"])
    return rows


# ---------------------------------------------------------------------------

def main():
    os.makedirs(OUT, exist_ok=True)
    for h in SINKS:
        start_sink(h)
    log = os.path.join(OUT, "qmail-send.log")
    send = subprocess.Popen([Q + "/bin/qmail-start", "./Maildir/"], cwd="/",
                            env=ENV, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)
    qd = pwd.getpwnam("qmaild")
    smtpd = subprocess.Popen(
        ["tcpserver", "-R", "-H", "-l", "mail.example.com", "-x", "/etc/tcp.smtp.cdb",
         "-u", str(qd.pw_uid), "-g", str(grp.getgrnam("nofiles").gr_gid),
         "127.0.0.1", "25", Q + "/bin/qmail-smtpd"], env=ENV,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port("127.0.0.1", 25)
    for h in SINKS:
        wait_port(h, 25)
    probes = read_probes()
    for p in probes:
        smtp(p)
    time.sleep(1)
    wait_queue(log)
    boxes, progs = maildirs(), pipes()
    fw, bo = sinks()
    inq = queued()
    rows = []
    pj = {}
    for p in probes:
        n = p["n"]
        code = lambda s: s[:3] if s != "-" else "-"
        mb = sorted(boxes.get(n, ()))
        fwd = sorted(fw.get(n, ()))
        pr = progs.get(n, [])
        bounce = bo.get(n, [])
        if not p["mail"].startswith("2") or not p["rcpt"].startswith("2"):
            out = "refused"
        elif bounce:
            out = "bounced"
        elif n in inq:
            out = "deferred"
        elif mb:
            out = "delivered"
        elif fwd:
            out = "forwarded"
        elif pr:
            out = "piped"
        else:
            out = "deleted"
        rows.append([n, p["address"], p["client"], p["sender"], code(p["mail"]),
                     code(p["rcpt"]), out, ",".join(mb) or "-", ",".join(fwd) or "-",
                     ",".join("%s:%d" % (" ".join(r["argv"][1:2]), r["exit"]) for r in pr) or "-",
                     " | ".join(bounce) or "-"])
        if pr:
            pj[n] = {"address": p["address"], "runs": pr}
    with open(os.path.join(OUT, "routes.tsv"), "w") as f:
        f.write("n\taddress\tclient\tsender\tmail\trcpt\toutcome\tmailboxes\tforwards\tpipes\tbounce\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    with open(os.path.join(OUT, "pipes.json"), "w") as f:
        json.dump(pj, f, indent=1, sort_keys=True)
        f.write("\n")
    send.terminate()
    smtpd.terminate()
    with open(os.path.join(OUT, "logins.tsv"), "w") as f:
        f.write("login\tpassword\tport\tclient\tvchkpw_exit\tresult\n")
        for r in logins():
            f.write("\t".join(r) + "\n")
    send.wait()
    smtpd.wait()


main()
